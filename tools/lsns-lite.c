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
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/nsfs.h>
#include <pwd.h>
#include <sched.h>
#include <stdarg.h>
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

static const struct {
	const char *name;
	int number; /* right-aligned, and a JSON number */
} columns[] = {
	[NS] = { "NS", 1 },         [TYPE] = { "TYPE", 0 },   [PATH] = { "PATH", 0 },
	[NPROCS] = { "NPROCS", 1 }, [PID] = { "PID", 1 },     [PPID] = { "PPID", 1 },
	[COMMAND] = { "COMMAND", 0 }, [UID] = { "UID", 1 },   [USER] = { "USER", 0 },
	[NSFS] = { "NSFS", 0 },     [PNS] = { "PNS", 1 },     [ONS] = { "ONS", 1 },
};

struct ns {
	ino_t ino;
	const struct nstype *type;
	int nprocs;
	pid_t pid;        /* lowest pid in it, 0 when only a file holds it */
	char *nsfs;       /* where it is bind-mounted, comma-separated */
	ino_t parent;     /* NS_GET_PARENT: the enclosing pid or user namespace */
	ino_t owner;      /* NS_GET_USERNS: the user namespace that owns it */
	int depth;        /* in the tree */
	char *cells[LEN(columns)];
};

static struct ns *nss;
static size_t nns, cap;
/* An open-addressing table from inode to index in nss. */
static size_t *slots;
static size_t nslots;

static struct ns *find_ns(ino_t ino)
{
	for (size_t i = ino % nslots; slots[i] != (size_t)-1; i = (i + 1) % nslots)
		if (nss[slots[i]].ino == ino)
			return &nss[slots[i]];
	return NULL;
}

static void grow_slots(void)
{
	free(slots);
	nslots = nslots ? nslots * 2 : 1024;
	slots = malloc(nslots * sizeof(*slots));
	if (!slots)
		die("out of memory");
	memset(slots, 0xff, nslots * sizeof(*slots));
	for (size_t n = 0; n < nns; n++) {
		size_t i = nss[n].ino % nslots;

		while (slots[i] != (size_t)-1)
			i = (i + 1) % nslots;
		slots[i] = n;
	}
}

static struct ns *add_ns(ino_t ino, const struct nstype *type)
{
	struct ns *ns = find_ns(ino);

	if (ns)
		return ns;
	if (nns == cap) {
		cap = cap ? cap * 2 : 256;
		nss = realloc(nss, cap * sizeof(*nss));
		if (!nss)
			die("out of memory");
	}
	nss[nns] = (struct ns){ .ino = ino, .type = type };
	nns++;
	if (nns * 2 > nslots)
		grow_slots();
	else {
		size_t i = ino % nslots;

		while (slots[i] != (size_t)-1)
			i = (i + 1) % nslots;
		slots[i] = nns - 1;
	}
	return &nss[nns - 1];
}

/* What a stat call filled in, as strace shows it (abbreviated), or the
 * address it was given when the call failed. lsns stats nsfs files and
 * /proc/PID directories only: those two types are all it names. */
static const char *stat_str(int r, const struct stat *st)
{
	static char buf[96];

	if (r == -1)
		snprintf(buf, sizeof(buf), "%p", (const void *)st);
	else
		snprintf(buf, sizeof(buf), "{st_mode=%s|%#o, st_size=%jd, ...}",
			 S_ISDIR(st->st_mode) ? "S_IFDIR" : "S_IFREG", (unsigned)(st->st_mode & 07777),
			 (intmax_t)st->st_size);
	return buf;
}

/* Counts one process in each of its namespaces of the wanted kinds. A
 * link we may not read (EACCES) or that is gone (ENOENT: the process
 * exited, or is a zombie whose namespaces are released) is skipped,
 * as util-linux lsns does. */
static void read_process(int proc_fd, pid_t pid, const int wanted[])
{
	char path[64];
	struct stat st;

	for (size_t t = 0; t < LEN(nstypes); t++) {
		if (!wanted[t])
			continue;
		snprintf(path, sizeof(path), "%d/ns/%s", (int)pid, nstypes[t].name);
		int r = fstatat(proc_fd, path, &st, 0);
		trace(r, "newfstatat(%d, %s, %s, 0)", proc_fd, quote(path), stat_str(r, &st));
		if (r == -1)
			continue;
		struct ns *ns = add_ns(st.st_ino, &nstypes[t]);
		ns->nprocs++;
		if (!ns->pid || pid < ns->pid)
			ns->pid = pid;
	}
}

/* Each nsfs mount in our mount table pins a namespace: its root field
 * is "TYPE:[INODE]" and its mount point is the pin file. */
static void read_pins(const int wanted[], pid_t only_pid)
{
	struct mount_entry m = { 0 };
	FILE *f = mountinfo_open(0);

	if (!f)
		die_errno("cannot open /proc/self/mountinfo");
	while (mountinfo_next(f, &m)) {
		const char *target = m.mount_point;
		unsigned long ino;

		if (strcmp(m.fstype, "nsfs") != 0)
			continue;
		char *bracket = strchr(m.root, ':');
		if (!bracket || sscanf(bracket, ":[%lu]", &ino) != 1)
			continue;
		*bracket = '\0';
		const struct nstype *nstype = nstype_by_name(m.root);
		if (!nstype || !wanted[nstype - nstypes])
			continue;

		struct ns *ns = only_pid ? find_ns(ino) : add_ns(ino, nstype);
		if (!ns)
			continue;
		size_t len = ns->nsfs ? strlen(ns->nsfs) : 0;
		/* The same file can be mounted twice (a pin seen through a bind
		 * mount of its directory, say); list each path once. */
		if (ns->nsfs) {
			int seen = 0;
			for (char *p = ns->nsfs; p && !seen; p = strchr(p, ',')) {
				p += *p == ',';
				seen = strncmp(p, target, strlen(target)) == 0 &&
				       (p[strlen(target)] == ',' || !p[strlen(target)]);
			}
			if (seen)
				continue;
		}
		ns->nsfs = realloc(ns->nsfs, len + strlen(target) + 2);
		if (!ns->nsfs)
			die("out of memory");
		sprintf(ns->nsfs + len, "%s%s", len ? "," : "", target);
	}
	fclose(f);
}

/* An fd on the namespace: the lowest pid's link, or the pin file. */
static int open_ns(const struct ns *ns)
{
	char path[64];
	const char *name = path;

	if (ns->pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)ns->pid, ns->type->name);
	else
		name = strtok(strdupa(ns->nsfs), ",");
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
	len = read_file(path, buf, sizeof(buf));
	if (len <= 0) {
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		len = read_file(path, buf, sizeof(buf));
		if (len <= 0)
			return NULL;
		buf[strcspn(buf, "\n")] = '\0';
		return strdup(buf);
	}
	while (len > 0 && buf[len - 1] == '\0')
		len--;
	for (ssize_t i = 0; i < len; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[len] = '\0';
	return strdup(buf);
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	return s;
}

static void fill_cells(struct ns *ns, const int want[])
{
	char path[64];
	struct stat st;
	int have_st = 0;

	if (ns->pid && (want[UID] || want[USER])) {
		snprintf(path, sizeof(path), "/proc/%d", (int)ns->pid);
		int r = fstatat(AT_FDCWD, path, &st, 0);
		trace(r, "newfstatat(AT_FDCWD, %s, %s, 0)", quote(path), stat_str(r, &st));
		have_st = r == 0;
	}
	ns->cells[NS] = format("%lu", (unsigned long)ns->ino);
	ns->cells[TYPE] = strdup(ns->type->name);
	if (ns->pid) {
		ns->cells[PATH] = format("/proc/%d/ns/%s", (int)ns->pid, ns->type->name);
		ns->cells[PID] = format("%d", (int)ns->pid);
	} else if (ns->nsfs) {
		ns->cells[PATH] = strndup(ns->nsfs, strcspn(ns->nsfs, ","));
	}
	ns->cells[NPROCS] = format("%d", ns->nprocs);
	if (ns->pid && want[PPID]) {
		char stat_line[1024], *p;
		int ppid;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)ns->pid);
		if (read_file(path, stat_line, sizeof(stat_line)) > 0 && (p = strrchr(stat_line, ')')) &&
		    sscanf(p, ") %*c %d", &ppid) == 1)
			ns->cells[PPID] = format("%d", ppid);
	}
	if (ns->pid && want[COMMAND])
		ns->cells[COMMAND] = command_of(ns->pid);
	if (have_st) {
		struct passwd *pw = want[USER] ? getpwuid(st.st_uid) : NULL;

		ns->cells[UID] = format("%u", (unsigned)st.st_uid);
		ns->cells[USER] = pw ? strdup(pw->pw_name) : format("%u", (unsigned)st.st_uid);
	}
	if (ns->nsfs)
		ns->cells[NSFS] = strdup(ns->nsfs);
	if (ns->parent)
		ns->cells[PNS] = format("%lu", (unsigned long)ns->parent);
	if (ns->owner)
		ns->cells[ONS] = format("%lu", (unsigned long)ns->owner);
}

static int by_inode(const void *a, const void *b)
{
	ino_t x = ((const struct ns *)a)->ino, y = ((const struct ns *)b)->ino;

	return x < y ? -1 : x > y;
}

/* ---- output ---- */

static int outcols[LEN(columns) * 2];
static size_t noutcols;
static size_t *order;      /* rows in print order (tree: depth-first) */
static char **prefixes;    /* tree drawing before the first column */
static size_t norder;

/* The tree key: who a namespace hangs under, 0 for a root. */
static ino_t up_of(const struct ns *ns, int by_owner)
{
	ino_t up = by_owner ? ns->owner : ns->parent;

	return up && up != ns->ino && find_ns(up) ? up : 0;
}

static void add_subtree(size_t n, int by_owner, const char *indent, int last, int root)
{
	order[norder] = n;
	prefixes[norder] = root ? strdup("") : format("%s%s", indent, last ? "└─" : "├─");
	norder++;

	char *child_indent = root ? strdup("") : format("%s%s", indent, last ? "  " : "│ ");
	size_t kids = 0, seen = 0;
	for (size_t i = 0; i < nns; i++)
		if (i != n && up_of(&nss[i], by_owner) == nss[n].ino)
			kids++;
	for (size_t i = 0; i < nns; i++)
		if (i != n && up_of(&nss[i], by_owner) == nss[n].ino) {
			nss[i].depth = nss[n].depth + 1;
			add_subtree(i, by_owner, child_indent, ++seen == kids, 0);
		}
	free(child_indent);
}

/* Characters, not bytes: the tree lines are UTF-8. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void print_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_json_row(size_t row, int tree, int indent);

static void print_json_children(size_t row, int indent)
{
	int first = 1;

	for (size_t r = row + 1; r < norder && nss[order[r]].depth > nss[order[row]].depth; r++) {
		if (nss[order[r]].depth != nss[order[row]].depth + 1)
			continue;
		printf("%s\n", first ? "" : ",");
		print_json_row(r, 1, indent);
		first = 0;
	}
}

static void print_json_row(size_t row, int tree, int indent)
{
	struct ns *ns = &nss[order[row]];
	int has_children = tree && row + 1 < norder && nss[order[row + 1]].depth > ns->depth;

	printf("%*s{\n", indent, "");
	for (size_t c = 0; c < noutcols; c++) {
		const char *cell = ns->cells[outcols[c]];
		char key[16];

		for (size_t i = 0; i <= strlen(columns[outcols[c]].name); i++)
			key[i] = (char)tolower(columns[outcols[c]].name[i]);
		printf("%*s\"%s\": ", indent + 3, "", key);
		if (!cell)
			printf("null");
		else if (columns[outcols[c]].number)
			printf("%s", cell);
		else
			print_json_string(cell);
		printf("%s\n", c + 1 < noutcols || has_children ? "," : "");
	}
	if (has_children) {
		printf("%*s\"children\": [", indent + 3, "");
		print_json_children(row, indent + 6);
		printf("\n%*s]\n", indent + 3, "");
	}
	printf("%*s}", indent, "");
}

static void print_json(int tree)
{
	int first = 1;

	printf("{\n   \"namespaces\": [");
	for (size_t r = 0; r < norder; r++) {
		if (tree && nss[order[r]].depth)
			continue;
		printf("%s\n", first ? "" : ",");
		print_json_row(r, tree, 6);
		first = 0;
	}
	printf("\n   ]\n}\n");
}

static void print_table(int headings, int raw, int tree)
{
	size_t widths[LEN(outcols)] = { 0 };

	for (size_t c = 0; c < noutcols; c++) {
		widths[c] = headings ? strlen(columns[outcols[c]].name) : 0;
		for (size_t r = 0; r < norder; r++) {
			const char *cell = nss[order[r]].cells[outcols[c]];
			size_t w = (cell ? width(cell) : 0) + (c == 0 ? width(prefixes[r]) : 0);

			if (w > widths[c])
				widths[c] = w;
		}
	}
	for (size_t r = headings ? 0 : 1; r <= norder; r++) {
		for (size_t c = 0; c < noutcols; c++) {
			int col = outcols[c];
			const char *cell = r == 0 ? columns[col].name : nss[order[r - 1]].cells[col];
			const char *prefix = r > 0 && c == 0 ? prefixes[r - 1] : "";
			size_t w = width(prefix) + (cell ? width(cell) : 0);
			size_t pad = widths[c] > w ? widths[c] - w : 0;
			int last = c + 1 == noutcols;

			if (c)
				putchar(' ');
			if (raw) {
				printf("%s%s", prefix, cell ? cell : "");
				continue;
			}
			/* Numbers line up on the right, except in a tree, where the
			 * first column carries the branches. */
			if (columns[col].number && !(c == 0 && tree))
				printf("%*s%s%s", (int)pad, "", prefix, cell ? cell : "");
			else
				printf("%s%s%*s", prefix, cell ? cell : "", last ? 0 : (int)pad, "");
		}
		putchar('\n');
	}
}

static void parse_columns(const char *list)
{
	char *copy = strdupa(list), *save = NULL;

	noutcols = 0;
	for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		size_t c;

		for (c = 0; c < LEN(columns); c++)
			if (strcasecmp(name, columns[c].name) == 0)
				break;
		if (c == LEN(columns))
			die_usage("unknown column '%s'", name);
		if (noutcols == LEN(outcols))
			die_usage("too many columns");
		outcols[noutcols++] = (int)c;
	}
	if (!noutcols)
		die_usage("no columns in '%s'", list);
}

int main(int argc, char *argv[])
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
	int wanted[LEN(nstypes)] = { 0 }, any_type = 0;
	int headings = 1, raw = 0, json = 0, tree = 0, by_owner = 0, c;
	pid_t only_pid = 0;
	unsigned long only_ns = 0;
	const struct nstype *type;

	progname = "lsns-lite";
	parse_columns("NS,TYPE,NPROCS,PID,USER,NSFS,COMMAND");
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:t:p:o:nrJT::vh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (!(type = nstype_by_name(optarg)))
				die_usage("unknown namespace type '%s' (mnt net ipc user pid uts cgroup time)",
					  optarg);
			wanted[type - nstypes] = 1;
			any_type = 1;
			break;
		case 'p': only_pid = parse_pid(optarg); break;
		case 'o': parse_columns(optarg); break;
		case 'n': headings = 0; break;
		case 'r': raw = 1; break;
		case 'J': json = 1; break;
		case 'T':
			tree = 1;
			if (optarg && strcmp(optarg, "owner") == 0)
				by_owner = 1;
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
		only_ns = (unsigned long)n;
	}
	for (size_t t = 0; t < LEN(nstypes); t++)
		wanted[t] |= !any_type;

	/* Count processes in namespaces. */
	grow_slots();
	int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
	int proc_fd = open("/proc", flags);
	trace(proc_fd, "openat(AT_FDCWD, \"/proc\", %s)", open_flags_str(flags));
	if (proc_fd == -1)
		die_errno("cannot open /proc");
	if (only_pid) {
		read_process(proc_fd, only_pid, wanted);
		/* -p: the namespaces of one process, with all their members. */
		DIR *dir = opendir("/proc");
		struct dirent *d;
		size_t mine = nns;
		for (size_t i = 0; i < mine; i++)
			nss[i].nprocs = 0;
		while (dir && (d = readdir(dir))) {
			long long pid = parse_number(d->d_name);
			struct stat st;
			char path[64];

			for (size_t i = 0; pid > 0 && i < mine; i++) {
				snprintf(path, sizeof(path), "%lld/ns/%s", pid, nss[i].type->name);
				int r = fstatat(proc_fd, path, &st, 0);
				trace(r, "newfstatat(%d, %s, %s, 0)", proc_fd, quote(path), stat_str(r, &st));
				if (r == 0 && st.st_ino == nss[i].ino) {
					nss[i].nprocs++;
					if (pid < nss[i].pid)
						nss[i].pid = (pid_t)pid;
				}
			}
		}
		if (dir)
			closedir(dir);
	} else {
		DIR *dir = fdopendir(dup(proc_fd));
		struct dirent *d;

		if (!dir)
			die_errno("cannot read /proc");
		while ((d = readdir(dir))) {
			long long pid = parse_number(d->d_name);

			if (pid > 0)
				read_process(proc_fd, (pid_t)pid, wanted);
		}
		closedir(dir);
	}
	close(proc_fd);
	read_pins(wanted, only_pid);

	/* Only now, per namespace: its relations, user, command. */
	int want[LEN(columns)] = { 0 };
	for (size_t i = 0; i < noutcols; i++)
		want[outcols[i]] = 1;
	qsort(nss, nns, sizeof(*nss), by_inode);
	grow_slots(); /* the sort moved them */
	order = calloc(nns + 1, sizeof(*order));
	prefixes = calloc(nns + 1, sizeof(*prefixes));
	if (!order || !prefixes)
		die("out of memory");
	for (size_t i = 0; i < nns; i++) {
		if (only_ns && nss[i].ino != only_ns)
			continue;
		if (tree || want[PNS] || want[ONS])
			read_relations(&nss[i]);
		fill_cells(&nss[i], want);
	}
	if (tree) {
		for (size_t i = 0; i < nns; i++)
			if ((!only_ns || nss[i].ino == only_ns) && !up_of(&nss[i], by_owner))
				add_subtree(i, by_owner, "", 1, 1);
	} else {
		for (size_t i = 0; i < nns; i++)
			if (!only_ns || nss[i].ino == only_ns) {
				prefixes[norder] = strdup("");
				order[norder++] = i;
			}
	}

	if (json)
		print_json(tree);
	else if (norder)
		print_table(headings, raw, tree);

	for (size_t i = 0; i < nns; i++) {
		for (size_t c2 = 0; c2 < LEN(columns); c2++)
			free(nss[i].cells[c2]);
		free(nss[i].nsfs);
	}
	for (size_t r = 0; r < norder; r++)
		free(prefixes[r]);
	free(prefixes);
	free(order);
	free(nss);
	free(slots);
	return only_ns && !norder ? 1 : 0;
}
