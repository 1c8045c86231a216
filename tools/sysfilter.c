/* sysfilter: install a seccomp filter, then run a command under it.
 *
 * Namespaces choose what a process sees, capabilities what root may do;
 * seccomp chooses which system calls a process may make at all. A seccomp
 * filter is a small classic BPF program that the kernel runs on each
 * system call, before the call itself. It reads the call's number, the
 * architecture and the six arguments (struct seccomp_data), and returns
 * an action: allow, fail with an errno, kill, trap, log. A filter stays
 * for good: children inherit it, execve keeps it, and a later filter can
 * only be stacked on top (the strictest answer wins), never removed.
 *
 * BPF by hand is easy to get wrong (one architecture's numbers are not
 * another's, a 64-bit argument is two 32-bit halves), so runc, crun and
 * Docker have libseccomp compile rules into it, and so do we:
 *   1. seccomp_init(DEFAULT): the action for every call no rule names.
 *   2. seccomp_rule_add for each call to deny (or, in an allowlist, to
 *      allow), by the number seccomp_syscall_resolve_name gives for this
 *      architecture, with argument tests where only some uses of a call
 *      are denied (clone with a CLONE_NEW* flag).
 *   3. Look the command up in PATH: its stat and access calls might be
 *      among the denied ones once the filter is on.
 *   4. seccomp_load makes two calls. prctl(PR_SET_NO_NEW_PRIVS, 1): from
 *      now on execve grants nothing, neither a set-user-ID bit nor file
 *      capabilities. Then seccomp(SECCOMP_SET_MODE_FILTER, flags, prog).
 *      The kernel takes a filter from a process without CAP_SYS_ADMIN
 *      only once no_new_privs is set: else a filter could make a
 *      set-user-ID program's own calls fail (its setuid() dropping root,
 *      say) and leave it running as root in a state its author never
 *      planned for. With no_new_privs a filter can only confine, which is
 *      why seccomp needs no privilege at all.
 *   5. execve the command: the filter judges its first call already.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrkit.h"

static const char help[] =
	"Usage: sysfilter [options] [--] command [argument...]\n"
	"Install a seccomp filter with libseccomp, then run the command under it:\n"
	"the system calls the filter denies fail with an errno (EPERM by default).\n"
	"\n"
	"      --profile=docker  deny what Docker's default seccomp profile denies\n"
	"      --profile=FILE    the filter of FILE: an OCI runtime-spec linux.seccomp\n"
	"                        object (or a whole config.json), as runc reads it\n"
	"      --deny=LIST       also deny these system calls (names, comma-separated)\n"
	"      --errno=ERRNO     what --deny and --profile=docker make a denied call\n"
	"                        return: a name or a number (default EPERM)\n"
	"      --log             have the kernel log each call the filter does not allow\n"
	"      --show            print the filter in libseccomp's pseudo filter code\n"
	"                        and exit; the command, if any, is not run\n"
	"  -v, --verbose         print each kernel call on stderr\n"
	"  -h, --help            show this help\n"
	"      --version         show the version\n";

enum { OPT_PROFILE = 256, OPT_DENY, OPT_ERRNO, OPT_LOG, OPT_SHOW, OPT_VERSION };

/* The largest errno a filter may return: the kernel clamps to it. */
#define MAX_ERRNO 4095

/* Docker's default profile is an allowlist: every call it does not name
 * fails with EPERM. This is the other way round, a denylist of what
 * Docker documents as blocked for a container with the default
 * capabilities: the table "Significant syscalls blocked by the default
 * profile" of https://docs.docker.com/engine/security/seccomp/ , and the
 * new mount API, which the profile (moby/profiles seccomp/default.json)
 * allows only with CAP_SYS_ADMIN, as it does mount(2). Left out: ptrace,
 * which the table says is blocked only before Linux 4.8 (until then a
 * tracer could change a call after seccomp had allowed it), and
 * personality, which Docker allows for five values only: libseccomp
 * cannot test one argument twice in a rule, so "none of five values"
 * does not fit in a denying rule. clone and clone3 follow, below. */
static const char *const docker_denied[] = {
	"acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "create_module",
	"delete_module", "finit_module", "get_kernel_syms", "get_mempolicy", "init_module",
	"ioperm", "iopl", "kcmp", "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie",
	"mbind", "mount", "move_pages", "nfsservctl", "open_by_handle_at", "perf_event_open",
	"pivot_root", "process_vm_readv", "process_vm_writev", "query_module", "quotactl",
	"reboot", "request_key", "set_mempolicy", "setns", "settimeofday", "stime", "swapon",
	"swapoff", "sysfs", "_sysctl", "umount", "umount2", "unshare", "uselib",
	"userfaultfd", "ustat", "vm86", "vm86old",
	/* the new mount API (Linux 5.2 and 5.12) */
	"open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
};

/* Set by --profile=FILE with extra "architectures": a name this
 * architecture lacks may then still be a call on another one. */
static int extra_arches;

/* Adds the rule "name: action" (with n argument tests) to the filter.
 * A name libseccomp does not know is skipped, as runc skips it, so that
 * one profile serves old and new kernels; so is a call this architecture
 * does not have, and a rule that would repeat the default action (the
 * kernel does that already). -v says so. Dies if libseccomp refuses. */
static void add_rule(scmp_filter_ctx ctx, const char *where, const char *name, uint32_t action,
		     uint32_t default_action, unsigned int n, const struct scmp_arg_cmp *args)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR) {
		trace_line("%s: libseccomp knows no system call %s: skipped, as runc does", where, quote(name));
		return;
	}
	if (nr < 0 && !extra_arches) { /* a pseudo number: a call of other architectures */
		trace_line("%s: %s is not a system call on this architecture: skipped", where, quote(name));
		return;
	}
	if (action == default_action) {
		trace_line("%s: %s: the default action already: no rule needed", where, quote(name));
		return;
	}
	int r = seccomp_rule_add_array(ctx, action, nr, n, args);
	if (r < 0) {
		errno = -r;
		die_errno("%s: seccomp_rule_add(%s)", where, name);
	}
}

/* --profile=docker: the list above, then clone and clone3. */
static void add_docker_rules(scmp_filter_ctx ctx, uint32_t deny)
{
	const char *where = "--profile=docker";

	for (size_t i = 0; i < LEN(docker_denied); i++)
		add_rule(ctx, where, docker_denied[i], deny, SCMP_ACT_ALLOW, 0, NULL);

	/* clone(2) only when it asks for a new namespace. A test reads
	 * "(arg & mask) == value", so "any CLONE_NEW* bit" is one rule per
	 * bit, and the rules of a call are alternatives. Not CLONE_NEWTIME:
	 * in clone's flags the low byte is the exit signal, and 0x80 means
	 * a new time namespace to clone3 and unshare only. */
	for (size_t i = 0; i < LEN(nstypes); i++) {
		unsigned long flag = (unsigned long)nstypes[i].clone_flag;
		if (flag == CLONE_NEWTIME)
			continue;
		struct scmp_arg_cmp test = SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag);
		add_rule(ctx, where, "clone", deny, SCMP_ACT_ALLOW, 1, &test);
	}
	/* clone3 passes its flags in a struct, behind a pointer a filter
	 * cannot follow. Docker makes it fail with ENOSYS, "no such call",
	 * whatever --errno says: glibc then falls back to clone, whose flags
	 * the rules above can see. */
	add_rule(ctx, where, "clone3", SCMP_ACT_ERRNO(ENOSYS), SCMP_ACT_ALLOW, 0, NULL);
}

/* ---- --profile=FILE: the OCI runtime-spec's linux.seccomp ---------- */

static const char *profile_path;

/* Dies "sysfilter: FILE: WHERE: MESSAGE". */
static noreturn void bad_profile(const char *where, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bad_profile(const char *where, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	die("%s: %s: %s", profile_path, where, msg);
}

/* Every field of o must be one of known. A field we do not implement
 * is an error that names it: skipped, it could leave out a rule its
 * author counted on. */
static void check_fields(json_object *o, const char *where, const char *const known[])
{
	json_object_object_foreach(o, key, value) {
		(void)value;
		for (size_t i = 0; known[i]; i++)
			if (strcmp(key, known[i]) == 0)
				goto next;
		if (strcmp(key, "listenerPath") == 0 || strcmp(key, "listenerMetadata") == 0)
			bad_profile(where, "'%s' is not supported: it sends SCMP_ACT_NOTIFY's fd to an agent, and "
					   "sysfilter has none", key);
		if (strcmp(key, "archMap") == 0 || strcmp(key, "includes") == 0 ||
		    strcmp(key, "excludes") == 0 || strcmp(key, "name") == 0)
			bad_profile(where, "'%s' is Docker's own profile format, not the OCI runtime-spec's "
					   "(Docker converts it before runc reads it)", key);
		bad_profile(where, "unknown field '%s' (not in the OCI runtime-spec's linux.seccomp)", key);
next:;
	}
}

/* The field key of o, of the given type, or NULL when o has none. */
static json_object *field(json_object *o, const char *key, json_type type, const char *where)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	if (!json_object_is_type(v, type))
		bad_profile(where, "'%s' is a JSON %s, not %s %s", key, json_type_to_name(json_object_get_type(v)),
			    type == json_type_array || type == json_type_int ? "an" : "a",
			    type == json_type_int ? "integer" : json_type_to_name(type));
	return v;
}

static unsigned long long number(json_object *o, const char *key, const char *where)
{
	json_object *v = field(o, key, json_type_int, where);

	if (v && json_object_get_int64(v) < 0)
		bad_profile(where, "'%s' is negative", key);
	return v ? (unsigned long long)json_object_get_uint64(v) : 0;
}

/* The errno of an SCMP_ACT_ERRNO: errnoKey if present, else EPERM, as
 * the runtime-spec says. */
static uint32_t errno_ret(json_object *o, const char *key, const char *where)
{
	if (!field(o, key, json_type_int, where))
		return EPERM;
	unsigned long long e = number(o, key, where);
	if (e > MAX_ERRNO)
		bad_profile(where, "'%s': %llu is not an errno (0 to %d)", key, e, MAX_ERRNO);
	return (uint32_t)e;
}

/* The action named by o's field key ("defaultAction", "action"); with
 * SCMP_ACT_ERRNO, the errno is field errno_key. */
static uint32_t parse_action(json_object *o, const char *key, const char *errno_key, const char *where)
{
	static const struct {
		const char *name;
		uint32_t action;
		const char *refused;
	} actions[] = {
		{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, NULL },
		{ "SCMP_ACT_ERRNO", 0, NULL }, /* SCMP_ACT_ERRNO(errnoRet), below */
		{ "SCMP_ACT_KILL", SCMP_ACT_KILL, NULL },
		{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, NULL },
		{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, NULL },
		{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP, NULL },
		{ "SCMP_ACT_LOG", SCMP_ACT_LOG, NULL },
		{ "SCMP_ACT_TRACE", 0, "it hands the call to a ptrace(2) tracer, and none is attached" },
		{ "SCMP_ACT_NOTIFY", 0, "it waits for an agent listening on the filter's notify fd, and "
					"sysfilter has none" },
	};
	json_object *v = field(o, key, json_type_string, where);

	if (!v)
		bad_profile(where, "'%s' is missing", key);
	const char *name = json_object_get_string(v);
	for (size_t i = 0; i < LEN(actions); i++) {
		if (strcmp(name, actions[i].name) != 0)
			continue;
		if (actions[i].refused)
			bad_profile(where, "%s is not supported: %s", name, actions[i].refused);
		if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
			return SCMP_ACT_ERRNO(errno_ret(o, errno_key, where));
		if (field(o, errno_key, json_type_int, where))
			bad_profile(where, "'%s' goes with SCMP_ACT_ERRNO only, not %s", errno_key, name);
		return actions[i].action;
	}
	bad_profile(where, "unknown action '%s'", name);
}

/* "SCMP_ARCH_X86" is libseccomp's "x86". */
static void add_arch(scmp_filter_ctx ctx, const char *name, const char *where)
{
	char lower[32];
	size_t i = 0;

	if (strncmp(name, "SCMP_ARCH_", 10) == 0)
		for (const char *p = name + 10; *p && i < sizeof(lower) - 1; p++)
			lower[i++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	lower[i] = '\0';
	uint32_t arch = seccomp_arch_resolve_name(lower);
	if (!arch)
		bad_profile(where, "unknown architecture '%s'", name);
	int r = seccomp_arch_add(ctx, arch);
	if (r == -EEXIST) /* the native one is there from seccomp_init */
		return;
	if (r < 0) {
		errno = -r;
		die_errno("%s: %s: seccomp_arch_add(%s)", profile_path, where, name);
	}
	extra_arches = 1;
}

/* One element of a rule's "args": {index, value, valueTwo, op}. */
static struct scmp_arg_cmp parse_arg(json_object *a, const char *where)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
		{ "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
		{ "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};
	static const char *const known[] = { "index", "value", "valueTwo", "op", NULL };

	if (!json_object_is_type(a, json_type_object))
		bad_profile(where, "is not an object");
	check_fields(a, where, known);
	json_object *op = field(a, "op", json_type_string, where);
	if (!field(a, "index", json_type_int, where) || !op)
		bad_profile(where, "wants at least 'index' and 'op'");
	unsigned long long index = number(a, "index", where);
	if (index > 5)
		bad_profile(where, "index %llu: a system call has arguments 0 to 5", index);
	for (size_t i = 0; i < LEN(ops); i++)
		if (strcmp(json_object_get_string(op), ops[i].name) == 0)
			/* MASKED_EQ: value is the mask, valueTwo what the masked argument must equal */
			return (struct scmp_arg_cmp){ (unsigned int)index, ops[i].op, number(a, "value", where),
						      number(a, "valueTwo", where) };
	bad_profile(where, "unknown operator '%s'", json_object_get_string(op));
}

/* One element of "syscalls": the same rule for each of its names. */
static void add_file_rule(scmp_filter_ctx ctx, json_object *s, const char *where, uint32_t default_action)
{
	static const char *const known[] = { "names", "action", "errnoRet", "args", "comment", NULL };
	struct scmp_arg_cmp args[6];
	char at[128];

	if (!json_object_is_type(s, json_type_object))
		bad_profile(where, "is not an object");
	check_fields(s, where, known);
	json_object *names = field(s, "names", json_type_array, where);
	if (!names || json_object_array_length(names) == 0)
		bad_profile(where, "'names' is missing or empty");
	uint32_t action = parse_action(s, "action", "errnoRet", where);
	json_object *arga = field(s, "args", json_type_array, where);
	size_t n = arga ? json_object_array_length(arga) : 0;
	if (n > LEN(args))
		bad_profile(where, "%zu args: a system call has 6", n);
	for (size_t i = 0; i < n; i++) {
		snprintf(at, sizeof(at), "%s.args[%zu]", where, i);
		args[i] = parse_arg(json_object_array_get_idx(arga, i), at);
		for (size_t j = 0; j < i; j++)
			if (args[j].arg == args[i].arg)
				bad_profile(at, "argument %u is tested twice: libseccomp takes one test per "
						"argument in a rule (make it two rules)", args[i].arg);
	}
	for (size_t i = 0; i < json_object_array_length(names); i++) {
		json_object *name = json_object_array_get_idx(names, i);
		snprintf(at, sizeof(at), "%s.names[%zu]", where, i);
		if (!json_object_is_type(name, json_type_string))
			bad_profile(at, "is not a string");
		add_rule(ctx, where, json_object_get_string(name), action, default_action, (unsigned int)n, args);
	}
}

/* Reads FILE as JSON; dies with one line (and the place) if it is not. */
static json_object *read_json(const char *path)
{
	size_t size = 1 << 20;
	char *text = erealloc(NULL, size);
	ssize_t len = read_file(path, text, size);
	if (len == -1)
		die_errno("cannot read the profile %s", path);
	if ((size_t)len == size - 1)
		die("%s: more than 1 MiB: not a seccomp profile", path);

	struct json_tokener *tok = json_tokener_new();
	if (!tok)
		die("out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT); /* no trailing commas, no single quotes */
	/* len + 1 takes the NUL in: a document cut short is an error, not a
	 * wait for more. */
	json_object *o = json_tokener_parse_ex(tok, text, (int)len + 1);
	enum json_tokener_error err = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (o && end < (size_t)len && strchr(" \t\r\n", text[end]))
		end++;
	if (!o || end < (size_t)len) {
		int line = 1, column = 1;
		for (size_t i = 0; i < end && i < (size_t)len; i++, column++)
			if (text[i] == '\n')
				line++, column = 0;
		free(text);
		die("%s: invalid JSON at line %d, column %d: %s", path, line, column,
		    o ? "more after the end of the document" : json_tokener_error_desc(err));
	}
	free(text);
	return o;
}

/* The linux.seccomp object of FILE: the object itself, or a whole
 * config.json holding it. Builds the filter; dies on any error. */
static scmp_filter_ctx file_filter(json_object *root)
{
	static const char *const known[] = { "defaultAction", "defaultErrnoRet", "architectures", "flags",
					     "syscalls", NULL };
	json_object *o = root, *linux_o;
	const char *where = "linux.seccomp";
	char at[64];

	if (!json_object_is_type(root, json_type_object))
		die("%s: not a JSON object", profile_path);
	if (json_object_object_get_ex(root, "linux", &linux_o)) { /* a config.json */
		if (!json_object_is_type(linux_o, json_type_object) ||
		    !json_object_object_get_ex(linux_o, "seccomp", &o) || !json_object_is_type(o, json_type_object))
			die("%s: a config.json without a linux.seccomp object", profile_path);
	} else {
		where = "seccomp";
	}
	check_fields(o, where, known);

	uint32_t default_action = parse_action(o, "defaultAction", "defaultErrnoRet", where);
	scmp_filter_ctx ctx = seccomp_init(default_action);
	if (!ctx)
		die("seccomp_init failed");

	json_object *arches = field(o, "architectures", json_type_array, where);
	for (size_t i = 0; arches && i < json_object_array_length(arches); i++) {
		json_object *a = json_object_array_get_idx(arches, i);
		snprintf(at, sizeof(at), "%s.architectures[%zu]", where, i);
		if (!json_object_is_type(a, json_type_string))
			bad_profile(at, "is not a string");
		add_arch(ctx, json_object_get_string(a), at);
	}

	/* The filter flags libseccomp has an attribute for. */
	json_object *flags = field(o, "flags", json_type_array, where);
	for (size_t i = 0; flags && i < json_object_array_length(flags); i++) {
		json_object *f = json_object_array_get_idx(flags, i);
		const char *name = json_object_get_string(f);
		snprintf(at, sizeof(at), "%s.flags[%zu]", where, i);
		if (!json_object_is_type(f, json_type_string))
			bad_profile(at, "is not a string");
		if (strcmp(name, "SECCOMP_FILTER_FLAG_LOG") == 0)
			seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
		else if (strcmp(name, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
			seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
		else
			bad_profile(at, "flag '%s' is not supported (SECCOMP_FILTER_FLAG_LOG and "
					"SECCOMP_FILTER_FLAG_SPEC_ALLOW are)", name);
	}

	json_object *syscalls = field(o, "syscalls", json_type_array, where);
	for (size_t i = 0; syscalls && i < json_object_array_length(syscalls); i++) {
		snprintf(at, sizeof(at), "%s.syscalls[%zu]", where, i);
		add_file_rule(ctx, json_object_array_get_idx(syscalls, i), at, default_action);
	}
	return ctx;
}

/* ---- loading ------------------------------------------------------ */

/* The length of the BPF program, in instructions: libseccomp writes it
 * to an fd, 8 bytes an instruction. For -v only: the program it loads
 * is made again from the same rules. */
static long bpf_length(scmp_filter_ctx ctx)
{
	int fd = memfd_create("sysfilter-bpf", MFD_CLOEXEC);
	struct stat st;
	long len = -1;

	if (fd != -1 && seccomp_export_bpf(ctx, fd) == 0 && fstat(fd, &st) == 0)
		len = (long)(st.st_size / 8);
	if (fd != -1)
		close(fd);
	return len;
}

/* "SECCOMP_FILTER_FLAG_LOG", as strace names the flags, or "0". */
static const char *filter_flags_str(unsigned int flags)
{
	static char buf[96];

	snprintf(buf, sizeof(buf), "%s%s%s", flags & SECCOMP_FILTER_FLAG_LOG ? "SECCOMP_FILTER_FLAG_LOG" : "",
		 flags == (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW) ? "|" : "",
		 flags & SECCOMP_FILTER_FLAG_SPEC_ALLOW ? "SECCOMP_FILTER_FLAG_SPEC_ALLOW" : "");
	return flags ? buf : "0";
}

/* Steps 4: no_new_privs, then the filter; traced, dies on failure. */
static void load_filter(scmp_filter_ctx ctx)
{
	uint32_t nnp = 0, log = 0, ssb = 0;

	seccomp_attr_get(ctx, SCMP_FLTATR_CTL_NNP, &nnp); /* 1: libseccomp's default, kept */
	seccomp_attr_get(ctx, SCMP_FLTATR_CTL_LOG, &log);
	seccomp_attr_get(ctx, SCMP_FLTATR_CTL_SSB, &ssb);
	unsigned int flags = (log ? SECCOMP_FILTER_FLAG_LOG : 0) | (ssb ? SECCOMP_FILTER_FLAG_SPEC_ALLOW : 0);
	long len = verbose ? bpf_length(ctx) : 0;

	/* The kernel's own errno, not libseccomp's ECANCELED. */
	seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	int r = seccomp_load(ctx);
	/* Both calls are made inside seccomp_load: the trace comes after
	 * them. The program is in libseccomp's memory, whose address we
	 * never see: "0x..." stands for it. */
	if (nnp)
		trace(0, "prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)");
	errno = -r;
	if (trace(r < 0 ? -1 : 0, "seccomp(SECCOMP_SET_MODE_FILTER, %s, {len=%ld, filter=0x...})",
		  filter_flags_str(flags), len) == -1)
		die_errno_hint(errno == EACCES ? "without no_new_privs the kernel wants CAP_SYS_ADMIN" : NULL,
			       "seccomp(SECCOMP_SET_MODE_FILTER)");
	seccomp_release(ctx);
}

/* ---- options -------------------------------------------------------- */

/* An errno by name ("EPERM") or number; -1 if s is neither. */
static int parse_errno(const char *s)
{
	for (int e = 1; e <= MAX_ERRNO; e++) {
		const char *name = strerrorname_np(e);
		if (name && strcmp(name, s) == 0)
			return e;
	}
	long long n = parse_number(s);
	return n >= 0 && n <= MAX_ERRNO ? (int)n : -1;
}

/* Checks each name of a --deny list now, before anything is done. */
static void check_deny_list(const char *list)
{
	char *copy = estrdup(list), *save = NULL;

	if (!*list || list[strlen(list) - 1] == ',' || *list == ',' || strstr(list, ",,"))
		die_usage("--deny: '%s' is not a list of system call names", list);
	for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save))
		if (seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR)
			die_usage("--deny: no system call named '%s'", name);
	free(copy);
}

static void add_deny_list(scmp_filter_ctx ctx, const char *list, uint32_t deny, uint32_t default_action)
{
	char *copy = estrdup(list), *save = NULL;

	for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save))
		add_rule(ctx, "--deny", name, deny, default_action, 0, NULL);
	free(copy);
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "deny", required_argument, NULL, OPT_DENY },
		{ "errno", required_argument, NULL, OPT_ERRNO },
		{ "log", no_argument, NULL, OPT_LOG },
		{ "show", no_argument, NULL, OPT_SHOW },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	const char **deny_lists = erealloc(NULL, (size_t)argc * sizeof(*deny_lists)); /* filled as counted */
	int ndeny = 0, deny_errno = EPERM, log = 0, show = 0, c;
	const char *profile = NULL;

	progname = "sysfilter";
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:vh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PROFILE:
			if (profile)
				die_usage("--profile: give one profile");
			if (!*optarg)
				die_usage("--profile: give docker or a file");
			profile = optarg;
			break;
		case OPT_DENY:
			check_deny_list(optarg);
			deny_lists[ndeny++] = optarg;
			break;
		case OPT_ERRNO:
			if ((deny_errno = parse_errno(optarg)) == -1)
				die_usage("--errno: '%s' is not an errno name (EPERM, ENOSYS...) or a number "
					  "up to %d", optarg, MAX_ERRNO);
			break;
		case OPT_LOG: log = 1; break;
		case OPT_SHOW: show = 1; break;
		case 'v': verbose = 1; break;
		case 'h': print_help(help);
		case OPT_VERSION: print_version();
		default: bad_option(argv, c);
		}
	}
	if (!profile && !ndeny)
		die_usage("nothing to filter: give --profile or --deny");
	if (!show && optind >= argc)
		die_usage("give the command to run (or --show to print the filter)");

	/* 1, 2. The filter, in memory: nothing has changed yet. */
	uint32_t deny = SCMP_ACT_ERRNO((uint32_t)deny_errno), default_action = SCMP_ACT_ALLOW;
	scmp_filter_ctx ctx;
	json_object *file = NULL;
	if (profile && strcmp(profile, "docker") != 0) {
		profile_path = profile;
		file = read_json(profile);
		ctx = file_filter(file);
		seccomp_attr_get(ctx, SCMP_FLTATR_ACT_DEFAULT, &default_action);
	} else {
		ctx = seccomp_init(default_action);
		if (!ctx)
			die("seccomp_init failed");
		if (profile)
			add_docker_rules(ctx, deny);
	}
	for (int i = 0; i < ndeny; i++)
		add_deny_list(ctx, deny_lists[i], deny, default_action);
	if (log) /* SECCOMP_FILTER_FLAG_LOG: every action but ALLOW is logged */
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
	json_object_put(file);
	free(deny_lists);

	if (show) {
		fflush(stdout);
		int r = seccomp_export_pfc(ctx, STDOUT_FILENO);
		seccomp_release(ctx);
		if (r < 0) {
			errno = -r;
			die_errno("seccomp_export_pfc");
		}
		return 0;
	}

	/* 3. The command, found before the filter can deny the search. */
	char *path = find_command(argv[optind]);

	/* 4, 5. */
	load_filter(ctx);
	exec_command(path, argv + optind);
}
