/* minictr-config: an OCI bundle's config.json as shell assignments, for
 * scripts/minictr.
 *
 * minictr turns each field of config.json into an option of one of the
 * tools; this program only reads the JSON, so that the script can. It
 * prints one assignment per line (values quoted for the shell), the way
 * `jq -r '... | @sh'` would, in a few milliseconds where jq takes fifty:
 * a container's start pays for every program it runs.
 *
 * A field minictr cannot honour is listed in `unsupported`, so that the
 * script refuses the config by name instead of ignoring the field. A
 * field of the wrong JSON type is an error here, with its name.
 *
 * Its output is eval'd by a root shell, so a config.json (from an image,
 * an engine) is hostile input: every value printed is either quoted or
 * made by this program (digits, true/false), and a string that the shell
 * cannot get back whole (a NUL in it) or that would be cut in two where
 * the script splits a word (\001 or a newline in a mount) is an error.
 */
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrkit.h"

static const char help[] =
	"Usage: minictr-config CONFIG\n"
	"Print the fields of an OCI runtime config.json that minictr uses, as\n"
	"shell assignments (for eval), and in 'unsupported' the fields it cannot\n"
	"honour.\n"
	"\n"
	"  -h, --help      show this help\n"
	"      --version   show the version\n";

static const char *file;

/* ---- the output: built whole, printed only when all of it was read ---- */

static char *out;
static size_t out_len, out_cap;

static void put(const char *s, size_t n)
{
	if (out_len + n + 1 > out_cap) {
		out_cap = (out_len + n + 1) * 2;
		if (!(out = realloc(out, out_cap)))
			die("out of memory");
	}
	memcpy(out + out_len, s, n);
	out_len += n;
	out[out_len] = '\0';
}

static void puts_(const char *s) { put(s, strlen(s)); }

/* s in single quotes, each ' as '\'' : the shell takes it back verbatim. */
static void put_quoted(const char *s)
{
	put("'", 1);
	for (const char *q; (q = strchr(s, '\'')); s = q + 1) {
		put(s, q - s);
		put("'\\''", 4);
	}
	puts_(s);
	put("'", 1);
}

static void assign(const char *name, const char *value)
{
	puts_(name);
	put("=", 1);
	put_quoted(value);
	put("\n", 1);
}

/* ---- reading fields ----------------------------------------------- */

noreturn static void bad(const char *path, const char *what)
{
	die("%s: %s: %s", file, path, what);
}

/* The value at a dotted path ("process.user.uid"), or NULL when any part
 * is missing or null. A part that is there but not an object is an
 * error: "process": "x" is no more a config without a process than
 * "process": {"args": "x"} is one without args. */
static json_object *at(json_object *o, const char *path)
{
	const char *start = path;
	char key[128];

	while (o && *path) {
		size_t n = strcspn(path, ".");
		if (path > start && !json_object_is_type(o, json_type_object))
			die("%s: %.*s: a JSON %s, not object", file, (int)(path - start - 1), start,
			    json_type_to_name(json_object_get_type(o)));
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

static json_object *typed(json_object *root, const char *path, json_type type)
{
	json_object *v = at(root, path);

	if (v && !json_object_is_type(v, type)) {
		/* an integer where a number is asked for is fine */
		if (!(type == json_type_double && json_object_is_type(v, json_type_int)))
			die("%s: %s: a JSON %s, not %s", file, path, json_type_to_name(json_object_get_type(v)),
			    json_type_to_name(type));
	}
	return v;
}

/* The text of a string (or number) the shell will get: a NUL (\u0000)
 * in a string would end it there, in C as in a shell variable, so that
 * "/bin/sh\u0000 -c x" would run as /bin/sh: refused instead. */
static const char *text_of(json_object *v, const char *path)
{
	const char *s = json_object_get_string(v);

	if (json_object_is_type(v, json_type_string) && strlen(s) != (size_t)json_object_get_string_len(v))
		bad(path, "a string with a NUL (\\u0000) in it");
	return s;
}

static const char *string_or(json_object *root, const char *path, const char *dflt)
{
	json_object *v = typed(root, path, json_type_string);
	return v ? text_of(v, path) : dflt;
}

/* An integer as its JSON text (18446744073709551615 stays whole), or "".
 * Only digits: the script does arithmetic with it, where a word such as
 * NaN would be taken as the name of a variable. */
static const char *number_or_empty(json_object *root, const char *path)
{
	json_object *v = at(root, path);

	if (!v)
		return "";
	if (!json_object_is_type(v, json_type_int))
		bad(path, "not an integer");
	return json_object_get_string(v);
}

static int64_t integer_or(json_object *root, const char *path, int64_t dflt)
{
	json_object *v = at(root, path);

	if (!v)
		return dflt;
	if (!json_object_is_type(v, json_type_int))
		bad(path, "not an integer");
	return json_object_get_int64(v);
}

/* A uid or gid: 0 to 2^32-2, as the kernel takes them ((uid_t)-1 means
 * "unchanged" to the set*id calls). capdrop takes any other word as a
 * user or group name, to look up in the image's own files. */
static const char *id_or_0(json_object *root, const char *path)
{
	json_object *v = at(root, path);

	if (!v)
		return "0";
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
	    json_object_get_int64(v) > 4294967294)
		bad(path, "not a uid or gid (0 to 4294967294)");
	return json_object_get_string(v);
}

static int boolean(json_object *root, const char *path)
{
	json_object *v = typed(root, path, json_type_boolean);
	return v && json_object_get_boolean(v);
}

static size_t length(json_object *root, const char *path, json_type type)
{
	json_object *v = typed(root, path, type);

	if (!v)
		return 0;
	return type == json_type_array ? json_object_array_length(v) : (size_t)json_object_object_length(v);
}

/* The strings of an array, as a shell array: NAME=('a' 'b'). */
static void string_array(json_object *root, const char *path, const char *name)
{
	json_object *a = typed(root, path, json_type_array);

	puts_(name);
	puts_("=(");
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *e = json_object_array_get_idx(a, i);
		if (!json_object_is_type(e, json_type_string))
			bad(path, "an array of strings, not of other values");
		put(" ", i > 0);
		put_quoted(text_of(e, path));
	}
	puts_(")\n");
}

/* The strings of an array joined by commas; lower case with lower=1.
 * A number must be one that can be an id (additionalGids). */
static void joined(json_object *root, const char *path, const char *name, int lower)
{
	json_object *a = typed(root, path, json_type_array);
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	for (size_t i = 0; f && a && i < json_object_array_length(a); i++) {
		json_object *e = json_object_array_get_idx(a, i);
		if (!json_object_is_type(e, json_type_string) && !json_object_is_type(e, json_type_int))
			bad(path, "an array of strings or numbers, not of other values");
		if (json_object_is_type(e, json_type_int) &&
		    (json_object_get_int64(e) < 0 || json_object_get_int64(e) > 4294967294))
			bad(path, "a number out of the range of ids (0 to 4294967294)");
		fputs(i ? "," : "", f);
		for (const char *c = text_of(e, path); *c; c++)
			fputc(lower && *c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c, f);
	}
	if (!f || fclose(f) != 0)
		die("out of memory");
	assign(name, s);
	free(s);
}

/* The JSON text of a value (compact, or indented by two spaces as runc
 * prints its state with pretty=1), or "" when it is missing. */
static void json_text(json_object *root, const char *path, const char *name, int pretty)
{
	json_object *v = at(root, path);
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
		    (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN);

	assign(name, v ? json_object_to_json_string_ext(v, flags) : "");
}

/* ---- what minictr cannot honour ------------------------------------ */

static char unsupported[4096];

static void refuse(const char *what)
{
	size_t n = strlen(unsupported);
	snprintf(unsupported + n, sizeof(unsupported) - n, "%s%s", n ? ", " : "", what);
}

static int nonempty_string(json_object *root, const char *path)
{
	return *string_or(root, path, "") != '\0';
}

static void check_unsupported(json_object *root)
{
	static const char *const hook_kinds[] = { "prestart", "createRuntime", "poststart", "poststop" };
	static const char *const ns_types[] = { "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time" };
	char what[256];

	json_object *hooks = typed(root, "hooks", json_type_object);
	if (hooks) {
		json_object_object_foreach(hooks, kind, list) {
			size_t i;
			for (i = 0; i < LEN(hook_kinds) && strcmp(kind, hook_kinds[i]) != 0; i++)
				;
			if (i == LEN(hook_kinds) && json_object_is_type(list, json_type_array) &&
			    json_object_array_length(list) > 0) {
				snprintf(what, sizeof(what), "hooks.%s", kind);
				refuse(what);
			}
		}
	}
	/* Without a device cgroup, linux.devices cannot be enforced. */
	if (length(root, "linux.devices", json_type_array))
		refuse("linux.devices");
	if (at(root, "linux.intelRdt"))
		refuse("linux.intelRdt");
	if (at(root, "linux.personality"))
		refuse("linux.personality");
	if (length(root, "linux.resources.hugepageLimits", json_type_array))
		refuse("linux.resources.hugepageLimits");
	json_object *blkio = typed(root, "linux.resources.blockIO", json_type_object);
	json_object *weight;
	if (blkio && (json_object_object_length(blkio) > (json_object_object_get_ex(blkio, "weight", &weight) ? 1 : 0) ||
		      integer_or(root, "linux.resources.blockIO.weight", 0) > 0))
		refuse("linux.resources.blockIO");
	if (length(root, "linux.resources.network", json_type_object))
		refuse("linux.resources.network");
	if (length(root, "linux.resources.rdma", json_type_object))
		refuse("linux.resources.rdma");
	if (length(root, "linux.resources.unified", json_type_object))
		refuse("linux.resources.unified");
	if (nonempty_string(root, "process.selinuxLabel"))
		refuse("process.selinuxLabel");
	if (nonempty_string(root, "linux.mountLabel"))
		refuse("linux.mountLabel");
	const char *apparmor = string_or(root, "process.apparmorProfile", "");
	if (*apparmor && strcmp(apparmor, "unconfined") != 0)
		refuse("process.apparmorProfile");
	if (nonempty_string(root, "domainname"))
		refuse("domainname");
	static const char *const memory[] = { "reservation", "kernel", "kernelTCP" };
	for (size_t i = 0; i < LEN(memory); i++) {
		snprintf(what, sizeof(what), "linux.resources.memory.%s", memory[i]);
		if (integer_or(root, what, 0) > 0)
			refuse(what);
	}
	static const char *const cpu[] = { "realtimeRuntime", "realtimePeriod" };
	for (size_t i = 0; i < LEN(cpu); i++) {
		snprintf(what, sizeof(what), "linux.resources.cpu.%s", cpu[i]);
		if (integer_or(root, what, 0) > 0)
			refuse(what);
	}
	if (nonempty_string(root, "linux.resources.cpu.mems"))
		refuse("linux.resources.cpu.mems");
	/* Fields no tool of ours sets: refused when they ask for anything,
	 * never passed over in silence. */
	static const char *const asks[] = {
		"process.ioPriority", "process.scheduler", "process.execCPUAffinity",
		"linux.timeOffsets", "linux.memoryPolicy", "linux.netDevices",
		"linux.seccomp.listenerPath", "linux.resources.memory.swappiness",
		"linux.resources.cpu.burst",
	};
	for (size_t i = 0; i < LEN(asks); i++) {
		json_object *v = at(root, asks[i]);
		if (v && !(json_object_is_type(v, json_type_object) && json_object_object_length(v) == 0) &&
		    !(json_object_is_type(v, json_type_string) && !*json_object_get_string(v)))
			refuse(asks[i]);
	}
	if (length(root, "linux.seccomp.flags", json_type_array))
		refuse("linux.seccomp.flags");
	if (boolean(root, "linux.resources.memory.disableOOMKiller"))
		refuse("linux.resources.memory.disableOOMKiller");
	if (integer_or(root, "linux.resources.cpu.idle", 0) != 0)
		refuse("linux.resources.cpu.idle");
	json_object *mounts = typed(root, "mounts", json_type_array);
	for (size_t i = 0; mounts && i < json_object_array_length(mounts); i++) {
		json_object *m = json_object_array_get_idx(mounts, i), *opts;
		if (!json_object_is_type(m, json_type_object))
			continue; /* the mounts' own reader says so */
		if (length(m, "uidMappings", json_type_array) || length(m, "gidMappings", json_type_array))
			refuse("mounts[].uidMappings");
		opts = typed(m, "options", json_type_array);
		for (size_t k = 0; opts && k < json_object_array_length(opts); k++) {
			const char *o = json_object_get_string(json_object_array_get_idx(opts, k));
			if (o && (strcmp(o, "idmap") == 0 || strcmp(o, "ridmap") == 0))
				refuse("mounts[].options idmap");
		}
	}
	const char *prop = string_or(root, "linux.rootfsPropagation", "private");
	if (*prop == 'r')
		prop++;
	if (strcmp(prop, "private") != 0 && strcmp(prop, "slave") != 0 && strcmp(prop, "shared") != 0)
		refuse("linux.rootfsPropagation");
	json_object *nss = typed(root, "linux.namespaces", json_type_array);
	for (size_t i = 0; nss && i < json_object_array_length(nss); i++) {
		if (!json_object_is_type(json_object_array_get_idx(nss, i), json_type_object))
			bad("linux.namespaces", "an array of objects, not of other values");
		const char *type = string_or(json_object_array_get_idx(nss, i), "type", "");
		size_t k;
		for (k = 0; k < LEN(ns_types) && strcmp(type, ns_types[k]) != 0; k++)
			;
		if (k == LEN(ns_types)) {
			snprintf(what, sizeof(what), "linux.namespaces type %s", type);
			refuse(what);
		}
	}
}

/* ---- arrays of objects, one shell word per element ------------------ */

/* Every element of the array at path, an object, as one word: the fields
 * named in keys, each as its text ("" when missing; an array of strings
 * joined by commas), separated by sep. The script splits the word again
 * (with read, which stops at a newline): a field holding sep or a newline
 * would move the rest into the wrong field, and is refused. */
static const char *field_text(json_object *v, const char *path, const char *sep)
{
	const char *s = text_of(v, path);

	if (strpbrk(s, sep) || strchr(s, '\n'))
		bad(path, *sep == '\001' ? "a field holds \\u0001 or a newline" : "a field holds a separator or a newline");
	return s;
}

static void object_array(json_object *root, const char *path, const char *name, const char *const keys[],
			 size_t nkeys, const char *sep)
{
	json_object *a = typed(root, path, json_type_array);

	puts_(name);
	puts_("=(");
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *e = json_object_array_get_idx(a, i);
		char *s = NULL;
		size_t n = 0;
		FILE *f = open_memstream(&s, &n);
		if (!json_object_is_type(e, json_type_object))
			bad(path, "an array of objects, not of other values");
		for (size_t k = 0; f && k < nkeys; k++) {
			json_object *v = at(e, keys[k]);
			fputs(k ? sep : "", f);
			if (v && json_object_is_type(v, json_type_array)) {
				for (size_t j = 0; j < json_object_array_length(v); j++) {
					json_object *s = json_object_array_get_idx(v, j);
					if (!json_object_is_type(s, json_type_string))
						bad(path, "a field of an element is an array of other values than strings");
					fprintf(f, "%s%s", j ? "," : "", field_text(s, path, sep));
				}
			} else if (v && (json_object_is_type(v, json_type_object))) {
				bad(path, "a field of an element is an object");
			} else if (v) {
				fputs(field_text(v, path, sep), f);
			}
		}
		if (!f || fclose(f) != 0)
			die("out of memory");
		put(" ", i > 0);
		put_quoted(s);
		free(s);
	}
	puts_(")\n");
}

/* A config.json is a few KiB, with a seccomp profile a few dozen. */
#define MAX_CONFIG (16 << 20)

/* The file, whole, and its length. A FIFO or a device is refused before
 * it is read: O_NONBLOCK so that opening a FIFO with no writer does not
 * wait forever, fstat for what it is. */
static char *read_config(size_t *len)
{
	struct stat st;
	int fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd == -1)
		die_errno("cannot open %s", file);
	if (fstat(fd, &st) == -1)
		die_errno("cannot stat %s", file);
	if (!S_ISREG(st.st_mode))
		die("%s: not a regular file", file);
	if (st.st_size > MAX_CONFIG)
		die("%s: larger than %d MiB", file, MAX_CONFIG >> 20);
	/* one byte more than the limit, for a file that grew since fstat */
	char *text = malloc(MAX_CONFIG + 1);
	ssize_t n;
	*len = 0;
	if (!text)
		die("out of memory");
	while ((n = read(fd, text + *len, MAX_CONFIG + 1 - *len)) > 0)
		*len += (size_t)n;
	if (n == -1)
		die_errno("cannot read %s", file);
	if (*len > MAX_CONFIG)
		die("%s: larger than %d MiB", file, MAX_CONFIG >> 20);
	close(fd);
	text[*len] = '\0';
	return text;
}

/* What json-c takes but the script would not get as the file says. A
 * NUL (\u0000) in an object key: json-c cuts the key there, so that
 * "process\u0000x" would be read as a second "process", the one that
 * counts. (A NUL in a value that is passed on is refused with its name
 * before this runs; one anywhere else here: nothing has a use for it.)
 * And strings in single quotes, which json-c takes even when strict. The
 * text has been parsed already: a backslash is always in a string, and a
 * quote outside one begins one. */
static void check_text(const char *text, size_t len)
{
	int in_string = 0;

	for (size_t i = 0; i < len; i++) {
		if (in_string && text[i] == '\\') {
			if (len - i >= 6 && memcmp(text + i + 1, "u0000", 5) == 0)
				die("%s: a key or string holds a NUL (\\u0000), at byte %zu", file, i);
			i++;
		} else if (text[i] == '"') {
			in_string = !in_string;
		} else if (!in_string && text[i] == '\'') {
			die("%s: not valid JSON: a string in single quotes, at byte %zu", file, i);
		}
	}
}

/* The script reads the hooks with jq, from hooks_json, and evals what it
 * makes of them: each must be what the runtime spec says it is. */
static void check_hook(json_object *hook)
{
	static const char *const lists[] = { "args", "env" };
	json_object *v;
	int ok = json_object_is_type(hook, json_type_object) && json_object_object_get_ex(hook, "path", &v) &&
		 json_object_is_type(v, json_type_string);

	if (ok && json_object_object_get_ex(hook, "timeout", &v) && v)
		ok = json_object_is_type(v, json_type_int);
	for (size_t k = 0; ok && k < LEN(lists); k++) {
		if (!json_object_object_get_ex(hook, lists[k], &v) || !v)
			continue;
		ok = json_object_is_type(v, json_type_array);
		for (size_t i = 0; ok && i < json_object_array_length(v); i++)
			ok = json_object_is_type(json_object_array_get_idx(v, i), json_type_string);
	}
	if (!ok)
		bad("hooks", "each hook is an object: path a string, args and env arrays of strings, timeout an integer");
}

int main(int argc, char *argv[])
{
	progname = "minictr-config";
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
		print_help(help);
	if (argc == 2 && strcmp(argv[1], "--version") == 0)
		print_version();
	if (argc != 2 || argv[1][0] == '-')
		die_usage("give one config.json");
	file = argv[1];

	size_t len;
	char *text = read_config(&len);
	/* json-c would take a NUL byte for the end of the text */
	const char *nul = memchr(text, '\0', len);
	if (nul)
		die("%s: not valid JSON: a NUL byte, at byte %zu", file, (size_t)(nul - text));
	/* Strict: no comments, trailing commas or leading zeros, and nothing
	 * after the object but white space (json-c would stop after it and
	 * ignore the rest); UTF-8 only, as RFC 8259 says. Nesting deeper than
	 * json-c's default 32 levels is an error ("nesting too deep"). */
	struct json_tokener *tok = json_tokener_new();
	if (!tok)
		die("out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	/* len + 1: the '\0' after the text tells json-c that it ends there
	 * (a truncated file is then an error, not a wait for more) */
	json_object *root = json_tokener_parse_ex(tok, text, (int)len + 1);
	enum json_tokener_error error = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (error == json_tokener_error_parse_eof)
		die("%s: not valid JSON: %s", file, json_tokener_error_desc(error));
	if (error != json_tokener_success)
		die("%s: not valid JSON: %s, at byte %zu", file, json_tokener_error_desc(error), end);
	if (end != len) {
		json_object_put(root);
		die("%s: not valid JSON: more after the value, at byte %zu", file, end);
	}
	if (!json_object_is_type(root, json_type_object))
		die("%s: not a JSON object", file);

	check_unsupported(root);
	assign("unsupported", unsupported);

	size_t hooks = 0;
	json_object *h = typed(root, "hooks", json_type_object);
	if (h) {
		json_object_object_foreach(h, kind, list) {
			(void)kind;
			if (list && !json_object_is_type(list, json_type_array))
				bad("hooks", "each kind of hook is an array");
			for (size_t i = 0; list && i < json_object_array_length(list); i++)
				check_hook(json_object_array_get_idx(list, i));
			if (list)
				hooks += json_object_array_length(list);
		}
	}
	char num[32];
	snprintf(num, sizeof(num), "%zu", hooks);
	assign("hooks_n", num);
	json_text(root, "hooks", "hooks_json", 0);
	json_text(root, "annotations", "annotations_json", 1);
	assign("oci_version", string_or(root, "ociVersion", "1.0.2"));

	string_array(root, "process.args", "args");
	string_array(root, "process.env", "envs");
	assign("cwd", string_or(root, "process.cwd", "/"));
	assign("uid", id_or_0(root, "process.user.uid"));
	assign("gid", id_or_0(root, "process.user.gid"));
	/* process.user.umask: podman sets it (18, 0022); a number, as octal */
	json_object *umask = typed(root, "process.user.umask", json_type_int);
	char mask[16] = "";
	if (umask) {
		int64_t m = json_object_get_int64(umask);
		if (m < 0 || m > 0777)
			bad("process.user.umask", "a mode from 0 to 0777 (511)");
		snprintf(mask, sizeof(mask), "%04o", (unsigned)m);
	}
	assign("umask_oct", mask);
	joined(root, "process.user.additionalGids", "groups", 0);
	assign("terminal", boolean(root, "process.terminal") ? "true" : "false");
	assign("nnp", boolean(root, "process.noNewPrivileges") ? "true" : "false");
	assign("caps_set", typed(root, "process.capabilities", json_type_object) ? "1" : "0");
	joined(root, "process.capabilities.bounding", "caps", 1);
	joined(root, "process.capabilities.ambient", "ambient", 1);
	static const char *const rlimit[] = { "type", "soft", "hard" };
	object_array(root, "process.rlimits", "rlimits", rlimit, LEN(rlimit), " ");
	assign("oom_score_adj", number_or_empty(root, "process.oomScoreAdj"));

	assign("rootfs", string_or(root, "root.path", "rootfs"));
	assign("readonly", boolean(root, "root.readonly") ? "true" : "false");
	assign("hostname", string_or(root, "hostname", ""));

	static const char *const ns[] = { "type", "path" };
	object_array(root, "linux.namespaces", "namespaces", ns, LEN(ns), "=");
	static const char *const idmap[] = { "hostID", "containerID", "size" };
	object_array(root, "linux.uidMappings", "uidmaps", idmap, LEN(idmap), ",");
	object_array(root, "linux.gidMappings", "gidmaps", idmap, LEN(idmap), ",");
	assign("cgroups_path", string_or(root, "linux.cgroupsPath", ""));
	assign("mem_limit", number_or_empty(root, "linux.resources.memory.limit"));
	assign("mem_swap", number_or_empty(root, "linux.resources.memory.swap"));
	assign("cpu_quota", number_or_empty(root, "linux.resources.cpu.quota"));
	assign("cpu_period", number_or_empty(root, "linux.resources.cpu.period"));
	assign("cpu_shares", number_or_empty(root, "linux.resources.cpu.shares"));
	assign("cpuset", string_or(root, "linux.resources.cpu.cpus", ""));
	assign("pids_limit", number_or_empty(root, "linux.resources.pids.limit"));
	string_array(root, "linux.maskedPaths", "masked");
	string_array(root, "linux.readonlyPaths", "readonly_paths");

	puts_("sysctls=(");
	json_object *sysctl = typed(root, "linux.sysctl", json_type_object);
	int first = 1;
	if (sysctl) {
		json_object_object_foreach(sysctl, key, value) {
			char *kv;
			if (!json_object_is_type(value, json_type_string))
				bad("linux.sysctl", "values are strings");
			/* KEY=VALUE is split at the first '=' */
			if (strchr(key, '='))
				bad("linux.sysctl", "a key holds '='");
			if (asprintf(&kv, "%s=%s", key, text_of(value, "linux.sysctl")) < 0)
				die("out of memory");
			put(" ", !first);
			put_quoted(kv);
			free(kv);
			first = 0;
		}
	}
	puts_(")\n");

	/* The seccomp profile goes to sysfilter as it is, in a file. */
	typed(root, "linux.seccomp", json_type_object);
	json_text(root, "linux.seccomp", "seccomp_json", 0);
	json_object *notes = typed(root, "annotations", json_type_object);
	/* annotation keys have dots in them: look them up whole */
	json_object *v;
	assign("seccomp_given", notes && json_object_object_get_ex(notes, "org.ctrkit.seccomp", &v) &&
					json_object_is_type(v, json_type_string)
				       ? text_of(v, "annotations")
				       : "");
	assign("init", notes && json_object_object_get_ex(notes, "org.ctrkit.init", &v) &&
			       json_object_is_type(v, json_type_string)
			       ? text_of(v, "annotations")
			       : "false");

	/* mounts: type, source, destination and options joined by \001, which
	 * no path holds: the script splits them with IFS. */
	static const char *const mount[] = { "type", "source", "destination", "options" };
	json_object *mounts = typed(root, "mounts", json_type_array);
	for (size_t i = 0; mounts && i < json_object_array_length(mounts); i++) {
		json_object *m = json_object_array_get_idx(mounts, i);
		if (!json_object_is_type(m, json_type_object) || !at(m, "destination"))
			bad("mounts", "each mount is an object with a destination");
	}
	object_array(root, "mounts", "mounts", mount, LEN(mount), "\001");

	check_text(text, len);
	free(text);
	fwrite(out, 1, out_len, stdout);
	if (fflush(stdout) != 0)
		die_errno("cannot write");
	json_object_put(root);
	free(out);
	return 0;
}
