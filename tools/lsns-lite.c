/* lsns-lite: list the namespaces on this machine, as util-linux lsns(8).
 *
 * The kernel keeps no list of namespaces. A namespace lives while
 * something holds it: a process in it, a bind mount of its nsfs file
 * (a "pinned" namespace, as `ip netns add` and `nsunshare --net=FILE`
 * make), an open fd, or a child namespace. So lsns walks /proc: every
 * process's /proc/PID/ns/TYPE link names a namespace by its inode, and
 * every nsfs mount in /proc/self/mountinfo names a pinned one.
 *
 * Speed comes from reading only what the columns need: one stat per
 * process and type for the counts, and the user, command and parent
 * of the one lowest pid per namespace, at the end.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <linux/nsfs.h>
#include <pwd.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrkit.h"

static const char help[] =
	"Usage: lsns-lite [options] [NS]\n"
	"List namespaces: those processes are in, and those pinned on a file\n"
	"(NSFS). NS limits the list to one namespace (its inode number).\n"
	"\n"
	"  -t, --type=TYPE      only this kind: mnt net ipc user pid uts cgroup time\n"
	"                       (may be repeated)\n"
	"  -p, --task=PID       only the namespaces of process PID\n"
	"  -o, --output=LIST    the columns, comma-separated (see below)\n"
	"  -n, --noheadings     do not print the header line\n"
	"  -r, --raw            columns separated by one space, not aligned\n"
	"  -J, --json           JSON output\n"
	"  -T, --tree[=REL]     nested namespaces as a tree: REL is parent (pid and\n"
	"                       user namespaces nest, the default) or owner (each\n"
	"                       namespace under the user namespace that owns it)\n"
	"  -v, --verbose        print each kernel call on stderr\n"
	"  -h, --help           show this help\n"
	"      --version        show the version\n"
	"\n"
	"Columns: NS TYPE PATH NPROCS PID PPID COMMAND UID USER NSFS PNS ONS\n"
	"Default: NS,TYPE,NPROCS,PID,USER,NSFS,COMMAND\n";

enum column { NS, TYPE, PATH, NPROCS, PID, PPID, COMMAND, UID, USER, NSFS, PNS, ONS };

/* The numbers are right-aligned, and JSON numbers. */
static const struct table_column columns[] = {
	[NS] = { "NS", 1, 0 },           [TYPE] = { "TYPE", 0, 0 }, [PATH] = { "PATH", 0, 0 },
	[NPROCS] = { "NPROCS", 1, 0 },   [PID] = { "PID", 1, 0 },   [PPID] = { "PPID", 1, 0 },
	[COMMAND] = { "COMMAND", 0, 0 }, [UID] = { "UID", 1, 0 },   [USER] = { "USER", 0, 0 },
	[NSFS] = { "NSFS", 0, 0 },       [PNS] = { "PNS", 1, 0 },   [ONS] = { "ONS", 1, 0 },
};

struct options {
	int wanted[LEN(nstypes)];           /* -t: the kinds to list (all without it) */
	pid_t only_pid;                     /* -p */
	ino_t only_ns;                      /* the NS argument */
	int outcols[LEN(columns) * 2];      /* -o */
	int noutcols;
	int want[LEN(columns)];             /* is this column in outcols? */
	int headings, raw, json, tree, by_owner;
};

struct ns {
	ino_t ino;
	const struct nstype *type;
	int nprocs;
	pid_t pid;        /* lowest pid in it, 0 when only a file holds it */
	char *nsfs;       /* where it is bind-mounted, comma-separated */
	ino_t parent;     /* NS_GET_PARENT: the enclosing pid or user namespace */
	ino_t owner;      /* NS_GET_USERNS: the user namespace that owns it */
};

/* The namespaces, sorted by inode (once merge_namespaces() has run). */
static struct ns *nss;
static size_t nns, cap;

static int by_inode(const void *a, const void *b)
{
	ino_t x = ((const struct ns *)a)->ino, y = ((const struct ns *)b)->ino;

	return x < y ? -1 : x > y;
}

/* (An empty list is no array at all: bsearch wants one.) */
static struct ns *find_ns(ino_t ino)
{
	struct ns key = { .ino = ino };

	return nns ? bsearch(&key, nss, nns, sizeof(*nss), by_inode) : NULL;
}

/* Appends a namespace seen in process pid (0: on a pin file) to nss. */
static void add_ns(ino_t ino, const struct nstype *type, pid_t pid)
{
	if (nns == cap) {
		cap = cap ? cap * 2 : 256;
		nss = erealloc(nss, cap * sizeof(*nss));
	}
	nss[nns++] = (struct ns){ .ino = ino, .type = type, .nprocs = pid != 0, .pid = pid };
}

/* Each link the walk over /proc stats is an entry of its own: sorting by
 * inode brings those of one namespace together, and they become one. */
static void merge_namespaces(void)
{
	size_t n = 0;

	if (!nns)
		return;
	qsort(nss, nns, sizeof(*nss), by_inode);
	for (size_t i = 1; i < nns; i++) {
		if (nss[i].ino != nss[n].ino) {
			nss[++n] = nss[i];
			continue;
		}
		nss[n].nprocs += nss[i].nprocs;
		if (nss[i].pid < nss[n].pid)
			nss[n].pid = nss[i].pid;
	}
	nns = n + 1;
}

/* The link /proc/PID/ns/TYPE, through the fd on /proc: its inode names
 * the namespace. */
static int stat_ns_link(int proc_fd, pid_t pid, const struct nstype *type, struct stat *st)
{
	char path[64];

	snprintf(path, sizeof(path), "%d/ns/%s", (int)pid, type->name);
	int r = fstatat(proc_fd, path, st, 0);
	trace(r, "newfstatat(%d, %s, %s, 0)", proc_fd, quote(path), stat_str(r, st));
	return r;
}

/* Counts each process in each of its namespaces of the wanted kinds. A
 * link we may not read (EACCES) or that is gone (ENOENT: the process
 * exited, or is a zombie whose namespaces are released) is skipped,
 * as util-linux lsns does. */
static void read_processes(int proc_fd, const int wanted[])
{
	DIR *dir = fdopendir(dup(proc_fd));
	struct dirent *d;
	struct stat st;

	if (!dir)
		die_errno("cannot read /proc");
	while ((d = readdir(dir))) {
		long long pid = parse_number(d->d_name);

		for (size_t t = 0; pid > 0 && t < LEN(nstypes); t++)
			if (wanted[t] && stat_ns_link(proc_fd, (pid_t)pid, &nstypes[t], &st) == 0)
				add_ns(st.st_ino, &nstypes[t], (pid_t)pid);
	}
	closedir(dir);
	merge_namespaces();
}

/* Adds path to the namespace's NSFS list, once: the same file can be
 * mounted twice (a pin seen through a bind mount of its directory, say). */
static void add_nsfs(struct ns *ns, const char *path)
{
	size_t len = ns->nsfs ? strlen(ns->nsfs) : 0, plen = strlen(path);

	for (const char *p = ns->nsfs; p; p = strchr(p, ',')) {
		p += *p == ',';
		if (strncmp(p, path, plen) == 0 && (p[plen] == ',' || !p[plen]))
			return;
	}
	ns->nsfs = erealloc(ns->nsfs, len + plen + 2);
	sprintf(ns->nsfs + len, "%s%s", len ? "," : "", path);
}

/* Each nsfs mount in our mount table pins a namespace: its root field
 * is "TYPE:[INODE]" and its mount point is the pin file. */
static void read_pins(const int wanted[])
{
	struct mount_entry m = { 0 };
	FILE *f = mountinfo_open(0);

	if (!f)
		die_errno("cannot open /proc/self/mountinfo");
	while (mountinfo_next(f, &m)) {
		char *colon = strchr(m.root, ':');
		unsigned long ino;

		if (strcmp(m.fstype, "nsfs") != 0 || !colon || sscanf(colon, ":[%lu]", &ino) != 1)
			continue;
		*colon = '\0';
		const struct nstype *type = nstype_by_name(m.root);
		if (!type || !wanted[type - nstypes])
			continue;
		struct ns *ns = find_ns(ino);
		if (!ns) {
			/* Pins are few: one more sort for each costs little. */
			add_ns(ino, type, 0);
			qsort(nss, nns, sizeof(*nss), by_inode);
			ns = find_ns(ino);
		}
		add_nsfs(ns, m.mount_point);
	}
	fclose(f);
}

/* Drops the namespaces not asked for: NS keeps one; -p keeps those of
 * one process, each with all its members counted by the walk. */
static void keep_asked(int proc_fd, const struct options *o)
{
	ino_t of_task[LEN(nstypes)] = { 0 };
	struct stat st;
	size_t n = 0;

	for (size_t t = 0; o->only_pid && t < LEN(nstypes); t++)
		if (o->wanted[t] && stat_ns_link(proc_fd, o->only_pid, &nstypes[t], &st) == 0)
			of_task[t] = st.st_ino;
	for (size_t i = 0; i < nns; i++) {
		if ((o->only_pid && of_task[nss[i].type - nstypes] != nss[i].ino) ||
		    (o->only_ns && nss[i].ino != o->only_ns))
			free(nss[i].nsfs);
		else
			nss[n++] = nss[i];
	}
	nns = n;
}

/* An fd on the namespace: the lowest pid's link, or the pin file. */
static int open_ns(const struct ns *ns)
{
	char path[NS_PATH_SIZE];
	const char *name = ns->pid ? ns_path(path, ns->pid, ns->type->name)
				   : strndupa(ns->nsfs, strcspn(ns->nsfs, ","));
	int flags = O_RDONLY | O_CLOEXEC;
	int fd = open(name, flags);

	trace(fd, "openat(AT_FDCWD, %s, %s)", quote(name), open_flags_str(flags));
	return fd;
}

/* The inode of the namespace an nsfs ioctl leads to, or 0: ENOENT (no
 * parent), EPERM (it is outside what we may see), EINVAL (this kind
 * has no parent) all mean "none to show". */
static ino_t ns_ioctl_inode(int fd, unsigned long request, const char *name)
{
	struct stat st;
	int other = ioctl(fd, request);

	trace(other, "ioctl(%d, %s)", fd, name);
	if (other == -1)
		return 0;
	int r = fstatat(other, "", &st, AT_EMPTY_PATH); /* fstat(2), as glibc makes it */
	trace(r, "newfstatat(%d, \"\", %s, AT_EMPTY_PATH)", other, stat_str(r, &st));
	ino_t ino = r == 0 ? st.st_ino : 0;
	close(other);
	return ino;
}

static void read_relations(struct ns *ns)
{
	int fd = open_ns(ns);

	if (fd == -1)
		return;
	if (ns->type->clone_flag & (CLONE_NEWPID | CLONE_NEWUSER))
		ns->parent = ns_ioctl_inode(fd, NS_GET_PARENT, "NS_GET_PARENT");
	ns->owner = ns_ioctl_inode(fd, NS_GET_USERNS, "NS_GET_USERNS");
	close(fd);
}

/* The command line, arguments joined by spaces; the name from
 * /proc/PID/comm when there is none (kernel threads), as lsns shows it. */
static char *command_of(pid_t pid)
{
	char path[64], buf[4096];
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if ((len = read_file(path, buf, sizeof(buf))) > 0) {
		/* Each argument ends in a NUL: a space between two, none at the end. */
		while (len > 0 && buf[len - 1] == '\0')
			len--;
		for (ssize_t i = 0; i < len; i++)
			buf[i] = buf[i] ? buf[i] : ' ';
		return estrdup(buf);
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return NULL;
	buf[strcspn(buf, "\n")] = '\0';
	return estrdup(buf);
}

/* The cells of a namespace's row (NULL: empty). User, command and
 * parent are those of its lowest pid, read only if a column shows them. */
static void fill_cells(const struct ns *ns, const int want[], char *cells[])
{
	char path[NS_PATH_SIZE], ppid[32];
	struct stat st;
	int r = -1;

	if (ns->pid && (want[UID] || want[USER])) {
		snprintf(path, sizeof(path), "/proc/%d", (int)ns->pid);
		r = fstatat(AT_FDCWD, path, &st, 0);
		trace(r, "newfstatat(AT_FDCWD, %s, %s, 0)", quote(path), stat_str(r, &st));
	}
	cells[NS] = easprintf("%lu", (unsigned long)ns->ino);
	cells[TYPE] = estrdup(ns->type->name);
	if (ns->pid) {
		cells[PATH] = estrdup(ns_path(path, ns->pid, ns->type->name));
		cells[PID] = easprintf("%d", (int)ns->pid);
	} else if (ns->nsfs) {
		cells[PATH] = easprintf("%.*s", (int)strcspn(ns->nsfs, ","), ns->nsfs);
	}
	cells[NPROCS] = easprintf("%d", ns->nprocs);
	if (ns->pid && want[PPID] && proc_status_field(ns->pid, "PPid", ppid, sizeof(ppid)) == 0)
		cells[PPID] = estrdup(ppid);
	if (ns->pid && want[COMMAND])
		cells[COMMAND] = command_of(ns->pid);
	if (r == 0) {
		struct passwd *pw = want[USER] ? getpwuid(st.st_uid) : NULL;

		cells[UID] = easprintf("%u", (unsigned)st.st_uid);
		cells[USER] = pw ? estrdup(pw->pw_name) : easprintf("%u", (unsigned)st.st_uid);
	}
	if (ns->nsfs)
		cells[NSFS] = estrdup(ns->nsfs);
	if (ns->parent)
		cells[PNS] = easprintf("%lu", (unsigned long)ns->parent);
	if (ns->owner)
		cells[ONS] = easprintf("%lu", (unsigned long)ns->owner);
}

/* ---- output ---- */

/* The tree key: who a namespace hangs under, 0 for a root. */
static ino_t up_of(const struct ns *ns, int by_owner)
{
	ino_t up = by_owner ? ns->owner : ns->parent;

	return up && up != ns->ino && find_ns(up) ? up : 0;
}

/* One namespace as JSON: the column names in lower case are the keys,
 * numbers are numbers, an empty cell is null. */
static json_object *json_row(const struct options *o, char *const cells[])
{
	json_object *obj = json_object_new_object();

	for (int c = 0; c < o->noutcols; c++) {
		const struct table_column *col = &columns[o->outcols[c]];
		const char *cell = cells[o->outcols[c]];
		char key[16];

		for (size_t i = 0; i <= strlen(col->name); i++)
			key[i] = (char)tolower(col->name[i]);
		json_object_object_add(obj, key, !cell ? NULL
					: col->right ? json_object_new_uint64(strtoull(cell, NULL, 10))
					: json_object_new_string(cell));
	}
	return obj;
}

/* Adds a namespace to the listing: an object to the JSON array, or a row
 * to the table, its first cell after the tree's lines (indent, then
 * branch). Under -T the namespaces under it follow, one level deeper. */
static void add_row(const struct options *o, struct table *t, json_object *array,
		    const struct ns *ns, const char *indent, const char *branch)
{
	char *cells[LEN(columns)] = { 0 }, *first;
	const char *row[LEN(o->outcols)];
	json_object *obj = NULL, *children = NULL;

	fill_cells(ns, o->want, cells);
	if (o->json) {
		json_object_array_add(array, obj = json_row(o, cells));
	} else {
		for (int c = 0; c < o->noutcols; c++)
			row[c] = cells[o->outcols[c]];
		row[0] = first = easprintf("%s%s%s", indent, branch, row[0] ? row[0] : "");
		table_add_row(t, row);
		free(first);
	}
	for (size_t c = 0; c < LEN(cells); c++)
		free(cells[c]);
	if (!o->tree)
		return;

	size_t kids = 0, seen = 0;
	for (size_t i = 0; i < nns; i++)
		kids += up_of(&nss[i], o->by_owner) == ns->ino;
	if (o->json && kids)
		json_object_object_add(obj, "children", children = json_object_new_array());
	/* Below a last branch, blank; below any other, the line goes on. */
	char *below = easprintf("%s%s", indent, !*branch ? "" : strcmp(branch, "└─") == 0 ? "  " : "│ ");
	for (size_t i = 0; i < nns; i++)
		if (up_of(&nss[i], o->by_owner) == ns->ino)
			add_row(o, t, children, &nss[i], below, ++seen == kids ? "└─" : "├─");
	free(below);
}

/* util-linux's lsns -J indents by three spaces; json-c by two or by a tab:
 * each tab becomes three spaces (a tab within a string is written "\t"). */
static void print_json(json_object *root)
{
	int flags = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_PRETTY_TAB | JSON_C_TO_STRING_SPACED |
		    JSON_C_TO_STRING_NOSLASHESCAPE;

	for (const char *s = json_object_to_json_string_ext(root, flags); *s; s++)
		if (*s == '\t')
			fputs("   ", stdout);
		else
			putchar(*s);
	putchar('\n');
}

/* The table (or JSON): every namespace, or under -T the roots, each
 * followed by those under it. */
static void print_namespaces(const struct options *o)
{
	struct table_column cols[LEN(o->outcols)];
	json_object *root = json_object_new_object(), *array = json_object_new_array();
	struct table t;

	for (int c = 0; c < o->noutcols; c++)
		cols[c] = columns[o->outcols[c]];
	/* In a tree the first column carries the branches: on the left. */
	cols[0].right &= !o->tree;
	table_init(&t, cols, (size_t)o->noutcols);
	json_object_object_add(root, "namespaces", array);
	for (size_t i = 0; i < nns; i++)
		if (!o->tree || !up_of(&nss[i], o->by_owner))
			add_row(o, &t, array, &nss[i], "", "");
	if (o->json)
		print_json(root);
	else if (nns)
		table_print(&t, o->headings, o->raw);
	json_object_put(root);
}

static void parse_columns(struct options *o, const char *list)
{
	char *copy = strdupa(list), *save = NULL;

	o->noutcols = 0;
	memset(o->want, 0, sizeof(o->want));
	for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		size_t c;

		for (c = 0; c < LEN(columns); c++)
			if (strcasecmp(name, columns[c].name) == 0)
				break;
		if (c == LEN(columns))
			die_usage("unknown column '%s'", name);
		if (o->noutcols == LEN(o->outcols))
			die_usage("too many columns");
		o->outcols[o->noutcols++] = (int)c;
		o->want[c] = 1;
	}
	if (!o->noutcols)
		die_usage("no columns in '%s'", list);
}

static void parse_options(int argc, char *argv[], struct options *o)
{
	static const struct option longopts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "task", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "raw", no_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'J' },
		{ "tree", optional_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct nstype *type;
	int any_type = 0, c;

	parse_columns(o, "NS,TYPE,NPROCS,PID,USER,NSFS,COMMAND");
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:t:p:o:nrJT::vh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (!(type = nstype_by_name(optarg)))
				die_usage("unknown namespace type '%s' (mnt net ipc user pid uts cgroup time)",
					  optarg);
			o->wanted[type - nstypes] = 1;
			any_type = 1;
			break;
		case 'p': o->only_pid = parse_pid(optarg); break;
		case 'o': parse_columns(o, optarg); break;
		case 'n': o->headings = 0; break;
		case 'r': o->raw = 1; break;
		case 'J': o->json = 1; break;
		case 'T':
			o->tree = 1;
			if (optarg && strcmp(optarg, "owner") == 0)
				o->by_owner = 1;
			else if (optarg && strcmp(optarg, "parent") != 0)
				die_usage("--tree: '%s' is neither parent nor owner", optarg);
			break;
		case 'v': verbose = 1; break;
		case 'h': print_help(help);
		case 'V': print_version();
		default: bad_option(argv, c);
		}
	}
	if (optind < argc) {
		long long n = parse_number(argv[optind]);
		if (n <= 0 || argc - optind > 1)
			die_usage("'%s' is not a namespace inode number", argv[optind]);
		o->only_ns = (ino_t)n;
	}
	for (size_t t = 0; t < LEN(nstypes); t++)
		o->wanted[t] |= !any_type;
}

int main(int argc, char *argv[])
{
	struct options o = { .headings = 1 };

	progname = "lsns-lite";
	parse_options(argc, argv, &o);

	/* Count processes in namespaces, then find the pinned ones. */
	const char *proc = "/proc";
	int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
	int proc_fd = open(proc, flags);
	trace(proc_fd, "openat(AT_FDCWD, %s, %s)", quote(proc), open_flags_str(flags));
	if (proc_fd == -1)
		die_errno("cannot open /proc");
	read_processes(proc_fd, o.wanted);
	read_pins(o.wanted);
	keep_asked(proc_fd, &o);
	close(proc_fd);

	/* Only now, per namespace: its relations, then its cells as its row
	 * is printed. */
	for (size_t i = 0; i < nns && (o.tree || o.want[PNS] || o.want[ONS]); i++)
		read_relations(&nss[i]);
	print_namespaces(&o);

	for (size_t i = 0; i < nns; i++)
		free(nss[i].nsfs);
	free(nss);
	return o.only_ns && !nns ? 1 : 0;
}
