/* lsns-lite: list the namespaces on this machine, as util-linux lsns(8).
 *
 * The kernel keeps no list of namespaces. A namespace lives while
 * something holds it: a process in it, a bind mount of its nsfs file
 * (a "pinned" namespace, as `ip netns add` and `nsunshare --net=FILE`
 * make), an open fd on it, a socket made in it, or a namespace it owns
 * or is the parent of. So lsns walks /proc: every process's
 * /proc/PID/ns/TYPE link names a namespace by its inode; its fds in
 * /proc/PID/fd name those it holds open (an nsfs file, or a socket,
 * whose namespace SIOCGSKNS gives); every nsfs mount in
 * /proc/self/mountinfo names a pinned one. An fd on a namespace tells
 * the rest by ioctl: its kind (NS_GET_NSTYPE), its parent and owner
 * (NS_GET_PARENT, NS_GET_USERNS), which are listed too.
 *
 * Speed comes from reading only what the columns need: one stat per
 * process and type for the counts, then the user, command and parent
 * of the one lowest pid per namespace, as its line is made. The lines
 * then go to libsmartcols, which lays out lsns's table too: the columns
 * flagged as lsns flags them give its widths, alignment, cut, process
 * tree, multi-line NSFS cells, raw escapes and JSON. Only -Q is ours
 * (the libsmartcols of util-linux 2.38 has no filter): a line it
 * refuses never reaches the table.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <getopt.h>
#include <libmnl/libmnl.h>
#include <libsmartcols/libsmartcols.h>
#include <linux/net_namespace.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <locale.h>
#include <pwd.h>
#include <regex.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ctrkit.h"

static const char help[] =
	"Usage: lsns-lite [options] [NS]\n"
	"List namespaces: those processes are in, hold an fd on or made a socket\n"
	"in, and those pinned on a file (NSFS). With NS (an inode number): the\n"
	"processes in that namespace.\n"
	"\n"
	"  -t, --type=TYPE      only this kind: mnt net ipc user pid uts cgroup time\n"
	"                       (may be repeated)\n"
	"  -p, --task=PID       only the namespaces of process PID\n"
	"  -o, --output=LIST    the columns, comma-separated; +LIST adds to the default\n"
	"      --output-all     every column\n"
	"  -Q, --filter=EXPR    only the lines EXPR holds for, as in\n"
	"                       'TYPE == \"net\" && NPROCS > 0' (see lsns-lite(1))\n"
	"  -n, --noheadings     do not print the header line\n"
	"  -l, --list           a list: no process tree in the COMMAND column\n"
	"  -T, --tree[=REL]     a tree by REL: owner (the default: each namespace\n"
	"                       under the user namespace that owns it), parent (a pid\n"
	"                       or user namespace under its parent) or process\n"
	"  -r, --raw            one space between columns, no alignment; blanks,\n"
	"                       backslashes and other special bytes as \\xNN\n"
	"  -J, --json           JSON output\n"
	"  -u, --notruncate     do not cut COMMAND to fit the terminal\n"
	"  -W, --nowrap         NSFS paths on one line, comma-separated\n"
	"  -v, --verbose        print each kernel call on stderr\n"
	"  -h, --help           show this help\n"
	"  -V, --version        show the version\n"
	"\n"
	"Columns: NS TYPE PATH NPROCS PID PPID COMMAND UID USER NETNSID NSFS PNS ONS\n"
	"Default: NS,TYPE,NPROCS,PID,USER,COMMAND (with -t net, NETNSID and NSFS\n"
	"before COMMAND); with NS: PID,PPID,USER,COMMAND\n";

enum column { NS, TYPE, PATH, NPROCS, PID, PPID, COMMAND, UID, USER, NETNSID, NSFS, PNS, ONS, NCOLUMNS };

/* In lsns's order (that of --output-all), with lsns's width hint for
 * libsmartcols. */
static const struct column_info {
	const char *name;
	int right;   /* aligned on the right */
	int number;  /* a JSON number, compared as a number by -Q */
	size_t hint;
} columns[NCOLUMNS] = {
	[NS] = { "NS", 1, 1, 10 },        [TYPE] = { "TYPE", 0, 0, 5 },     [PATH] = { "PATH", 0, 0, 0 },
	[NPROCS] = { "NPROCS", 1, 1, 5 }, [PID] = { "PID", 1, 1, 5 },       [PPID] = { "PPID", 1, 1, 5 },
	[COMMAND] = { "COMMAND", 0, 0, 0 }, [UID] = { "UID", 1, 1, 0 },     [USER] = { "USER", 0, 0, 0 },
	[NETNSID] = { "NETNSID", 1, 0, 0 }, [NSFS] = { "NSFS", 0, 0, 0 },   [PNS] = { "PNS", 1, 1, 10 },
	[ONS] = { "ONS", 1, 1, 10 },
};

/* -T: which relation makes the tree. Without -T or -l the processes do,
 * in the COMMAND column. */
enum tree { TREE_NONE, TREE_PROCESS, TREE_OWNER, TREE_PARENT };

struct fnode;

struct options {
	int wanted[LEN(nstypes)];     /* -t: the kinds to list (all without it) */
	pid_t only_pid;               /* -p */
	ino_t only_ns;                /* the NS argument */
	int outcols[NCOLUMNS * 2];    /* -o */
	int noutcols;
	int fill[NCOLUMNS];           /* cells to read: shown, or -Q or the tree needs them */
	int headings, raw, json, notrunc, nowrap;
	enum tree tree;
	struct fnode *filter;         /* -Q */
};

#define NETNSID_UNKNOWN (-3)  /* not asked yet */
#define NETNSID_NONE (-2)     /* the kernel would not say */

struct ns {
	ino_t ino;
	const struct nstype *type;
	int nprocs;
	pid_t pid;          /* lowest pid in it, 0 when no process is */
	int rel_read;       /* parent, owner and uid are known */
	ino_t parent;       /* NS_GET_PARENT: the enclosing pid or user namespace, 0: none */
	ino_t owner;        /* NS_GET_USERNS: the user namespace that owns it, 0: none */
	uid_t uid;          /* UID when no process is in it: a user namespace's owner, else 0 */
	int netnsid;        /* RTM_GETNSID's answer, or NETNSID_* */
	int done, line;     /* already shown (or refused by -Q); its line, or -1 */
};

/* The namespaces; the first nsettled sorted by inode, one entry each
 * (settle() makes them so). */
static struct ns *nss;
static size_t nns, cap, nsettled;
/* The inodes found through fds: lsns looks each up once. */
static ino_t *seen;
static size_t nseen;
/* The nsfs mounts: "net:[4026532176]" and where it is mounted. */
static struct pin {
	char *root, *path;
} *pins;
static size_t npins;
/* lsns NS: the processes in it, in /proc's order. */
static pid_t *members;
static size_t nmembers;

/* ---- the namespaces found ---- */

static int by_inode(const void *a, const void *b)
{
	ino_t x = ((const struct ns *)a)->ino, y = ((const struct ns *)b)->ino;

	return x < y ? -1 : x > y;
}

static struct ns *find_ns(ino_t ino)
{
	struct ns key = { .ino = ino };

	return nsettled ? bsearch(&key, nss, nsettled, sizeof(*nss), by_inode) : NULL;
}

static int known(ino_t ino)
{
	for (size_t i = 0; i < nseen; i++)
		if (seen[i] == ino)
			return 1;
	return find_ns(ino) != NULL;
}

static struct ns *new_ns(ino_t ino, const struct nstype *type, pid_t pid)
{
	if (nns == cap) {
		cap = cap ? cap * 2 : 256;
		nss = erealloc(nss, cap * sizeof(*nss));
	}
	nss[nns] = (struct ns){ .ino = ino, .type = type, .nprocs = pid != 0, .pid = pid,
				.netnsid = NETNSID_UNKNOWN, .line = -1 };
	return &nss[nns++];
}

/* The walk adds an entry per link it stats, and fds and pins may find a
 * namespace again: sorting by inode brings those of one namespace
 * together, and they become one. */
static void settle(void)
{
	size_t n = 0;

	if (!nns)
		return;
	qsort(nss, nns, sizeof(*nss), by_inode);
	for (size_t i = 1; i < nns; i++) {
		struct ns *a = &nss[n], *b = &nss[i];

		if (b->ino != a->ino) {
			nss[++n] = *b;
			continue;
		}
		a->nprocs += b->nprocs;
		if (b->pid && (!a->pid || b->pid < a->pid))
			a->pid = b->pid;
		if (b->rel_read && !a->rel_read) {
			a->rel_read = 1;
			a->parent = b->parent, a->owner = b->owner, a->uid = b->uid;
		}
		if (a->netnsid == NETNSID_UNKNOWN)
			a->netnsid = b->netnsid;
	}
	nns = nsettled = n + 1;
}

/* ---- nsfs ioctls ---- */

static int fstat_traced(int fd, struct stat *st)
{
	int r = fstatat(fd, "", st, AT_EMPTY_PATH); /* fstat(2), as glibc makes it */

	trace(r, "newfstatat(%d, \"\", %s, AT_EMPTY_PATH)", fd, stat_str(r, st));
	return r;
}

/* The link /proc/PID/ns/TYPE, through the fd on /proc: its inode names
 * the namespace. */
static int stat_link(int proc_fd, pid_t pid, const struct nstype *type, struct stat *st)
{
	char path[64];

	snprintf(path, sizeof(path), "%d/ns/%s", (int)pid, type->name);
	int r = fstatat(proc_fd, path, st, 0);
	trace(r, "newfstatat(%d, %s, %s, 0)", proc_fd, quote(path), stat_str(r, st));
	return r;
}

static int open_traced(const char *path)
{
	int flags = O_RDONLY | O_CLOEXEC;
	int fd = open(path, flags);

	trace(fd, "openat(AT_FDCWD, %s, %s)", quote(path), open_flags_str(flags));
	return fd;
}

/* The namespace an nsfs ioctl leads to (NS_GET_PARENT, NS_GET_USERNS):
 * its inode, with an fd on it in *other (-1 and 0 when there is none to
 * show: ENOENT, EPERM when it is outside what we may see, EINVAL when
 * this kind has none). */
static ino_t related(int fd, unsigned long request, const char *name, int *other)
{
	struct stat st;

	*other = ioctl(fd, request);
	trace(*other, "ioctl(%d, %s)", fd, name);
	if (*other != -1 && fstat_traced(*other, &st) == 0)
		return st.st_ino;
	if (*other != -1)
		close(*other);
	*other = -1;
	return 0;
}

static const struct nstype *type_of_fd(int fd)
{
	int flag = ioctl(fd, NS_GET_NSTYPE);

	if (flag == -1) {
		trace(-1, "ioctl(%d, NS_GET_NSTYPE)", fd);
		return NULL;
	}
	trace_line("ioctl(%d, NS_GET_NSTYPE) = %d (%s)", fd, flag, clone_flags_str(flag));
	for (size_t t = 0; t < LEN(nstypes); t++)
		if (nstypes[t].clone_flag == flag)
			return &nstypes[t];
	return NULL;
}

static uid_t owner_uid(int fd)
{
	uid_t uid = 0;
	int r = ioctl(fd, NS_GET_OWNER_UID, &uid);

	if (r == -1)
		trace(-1, "ioctl(%d, NS_GET_OWNER_UID, %p)", fd, (void *)&uid);
	else
		trace(r, "ioctl(%d, NS_GET_OWNER_UID, [%u])", fd, (unsigned)uid);
	return r == -1 ? 0 : uid;
}

static int netnsid_of(int fd);

/* Adds the namespace fd is open on, found through a process's fd, a
 * socket or a pin file, as lsns does: its kind by NS_GET_NSTYPE (not
 * listed if not asked for), its parent and owner, each added the same
 * way if new, the owner's uid, and its NETNSID if a column wants it. */
static void add_by_fd(const struct options *o, int fd, ino_t ino)
{
	const struct nstype *type = type_of_fd(fd);
	int up[2] = { -1, -1 };
	ino_t parent = 0, owner;

	seen = erealloc(seen, (nseen + 1) * sizeof(*seen));
	seen[nseen++] = ino;
	if (!type || !o->wanted[type - nstypes])
		return;
	if (type->clone_flag & (CLONE_NEWPID | CLONE_NEWUSER))
		parent = related(fd, NS_GET_PARENT, "NS_GET_PARENT", &up[0]);
	owner = related(fd, NS_GET_USERNS, "NS_GET_USERNS", &up[1]);

	struct ns *ns = new_ns(ino, type, 0);
	ns->rel_read = 1;
	ns->parent = parent, ns->owner = owner;
	if (type->clone_flag == CLONE_NEWUSER)
		ns->uid = owner_uid(fd);
	if (o->fill[NETNSID] && type->clone_flag == CLONE_NEWNET)
		ns->netnsid = netnsid_of(fd);
	if (parent && parent != ino && !known(parent))
		add_by_fd(o, up[0], parent);
	if (owner && !known(owner))
		add_by_fd(o, up[1], owner);
	for (int i = 0; i < 2; i++)
		if (up[i] != -1)
			close(up[i]);
}

/* ---- the walk over /proc ---- */

/* A socket's network namespace: the one it was made in, which may be
 * none of its process's (the process may have moved since, or been
 * passed the socket). SIOCGSKNS wants the socket itself: pidfd_getfd(2)
 * copies it from its process (pidfd, opened once per process). */
static void read_socket(const struct options *o, int *pidfd, pid_t pid, int num)
{
	struct stat st;

	if (*pidfd == -1) {
		*pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		trace(*pidfd, "pidfd_open(%d, 0)", (int)pid);
		*pidfd = *pidfd == -1 ? -2 : *pidfd;
	}
	if (*pidfd < 0)
		return;
	const char *step;
	int nsfd = socket_netns_fd(*pidfd, num, &step);
	if (nsfd != -1 && fstat_traced(nsfd, &st) == 0 && !known(st.st_ino))
		add_by_fd(o, nsfd, st.st_ino);
	if (nsfd != -1)
		close(nsfd);
}

/* The namespaces a process holds through its fds: an fd on an nsfs
 * file (its st_dev is nsfs's), or a socket. */
static void read_fds(const struct options *o, int proc_fd, dev_t nsfs_dev, pid_t pid)
{
	char path[64];
	int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC, pidfd = -1;

	snprintf(path, sizeof(path), "%d/fd", (int)pid);
	int dirfd = openat(proc_fd, path, flags);
	trace(dirfd, "openat(%d, %s, %s)", proc_fd, quote(path), open_flags_str(flags));
	DIR *dir = dirfd == -1 ? NULL : fdopendir(dirfd);
	if (!dir) {
		if (dirfd != -1)
			close(dirfd);
		return;
	}
	for (struct dirent *d; (d = readdir(dir));) {
		long long num = parse_number(d->d_name);
		struct stat st;

		if (num < 0)
			continue;
		snprintf(path, sizeof(path), "%d/fd/%lld", (int)pid, num);
		int r = fstatat(proc_fd, path, &st, 0);
		trace(r, "newfstatat(%d, %s, %s, 0)", proc_fd, quote(path), stat_str(r, &st));
		if (r == 0 && st.st_dev == nsfs_dev && !known(st.st_ino)) {
			int fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
			trace(fd, "openat(%d, %s, %s)", proc_fd, quote(path), open_flags_str(O_RDONLY | O_CLOEXEC));
			if (fd != -1) {
				add_by_fd(o, fd, st.st_ino);
				close(fd);
			}
		} else if (r == 0 && S_ISSOCK(st.st_mode) && o->wanted[nstype_by_name("net") - nstypes]) {
			read_socket(o, &pidfd, pid, (int)num);
		}
	}
	closedir(dir);
	if (pidfd >= 0)
		close(pidfd);
}

/* Counts each process in each of its namespaces of the wanted kinds,
 * then reads its fds (not for -p: a namespace only an fd holds has no
 * process to match). A link we may not read (EACCES) or that is gone
 * (ENOENT: the process exited, or is a zombie whose namespaces are
 * released) is skipped, as util-linux lsns does. */
static void read_processes(int proc_fd, const struct options *o)
{
	DIR *dir = fdopendir(dup(proc_fd));
	struct dirent *d;
	struct stat st;
	dev_t nsfs_dev = 0;

	if (!dir)
		die_errno("cannot read /proc");
	/* An fd on a namespace is one on nsfs: the device of our own links. */
	if (!o->only_pid) {
		int r = fstatat(proc_fd, "self/ns/net", &st, 0);
		trace(r, "newfstatat(%d, \"self/ns/net\", %s, 0)", proc_fd, stat_str(r, &st));
		nsfs_dev = r == 0 ? st.st_dev : 0;
	}
	while ((d = readdir(dir))) {
		long long pid = parse_number(d->d_name);

		if (pid <= 0)
			continue;
		for (size_t t = 0; t < LEN(nstypes); t++) {
			if (!o->wanted[t] || stat_link(proc_fd, (pid_t)pid, &nstypes[t], &st) == -1)
				continue;
			new_ns(st.st_ino, &nstypes[t], (pid_t)pid);
			if (st.st_ino == o->only_ns) {
				members = erealloc(members, (nmembers + 1) * sizeof(*members));
				members[nmembers++] = (pid_t)pid;
			}
		}
		if (!o->only_pid)
			read_fds(o, proc_fd, nsfs_dev, (pid_t)pid);
	}
	closedir(dir);
	settle();
}

/* Each nsfs mount pins a namespace: its root field is "TYPE:[INODE]",
 * its mount point the pin file. One no process or fd holds is added
 * through that file. */
static void read_pins(const struct options *o)
{
	struct mount_entry m = { 0 };
	FILE *f = mountinfo_open(0);

	if (!f)
		die_errno("cannot open /proc/self/mountinfo");
	while (mountinfo_next(f, &m)) {
		if (strcmp(m.fstype, "nsfs") != 0)
			continue;
		pins = erealloc(pins, (npins + 1) * sizeof(*pins));
		pins[npins++] = (struct pin){ estrdup(m.root), estrdup(m.mount_point) };
	}
	fclose(f);
	for (size_t i = 0; i < npins; i++) {
		const char *bracket = strchr(pins[i].root, '[');
		unsigned long ino;

		if (!bracket || sscanf(bracket, "[%lu]", &ino) != 1 || known(ino))
			continue;
		int fd = open_traced(pins[i].path);
		if (fd == -1)
			continue;
		add_by_fd(o, fd, ino);
		close(fd);
		settle();
	}
}

static int open_link(const struct ns *ns, pid_t pid)
{
	char path[NS_PATH_SIZE];

	return open_traced(ns_path(path, pid, ns->type->name));
}

/* The parent and owner of the namespace of nss[i], which a process is
 * in, through its lowest pid's link. For a tree, one no process is in
 * is added through the fd the ioctl gave, as lsns does. */
static void read_relations(const struct options *o, size_t i)
{
	int fd = open_link(&nss[i], nss[i].pid), up[2] = { -1, -1 };
	ino_t parent = 0, owner;

	if (fd == -1)
		return;
	if (nss[i].type->clone_flag & (CLONE_NEWPID | CLONE_NEWUSER))
		parent = related(fd, NS_GET_PARENT, "NS_GET_PARENT", &up[0]);
	owner = related(fd, NS_GET_USERNS, "NS_GET_USERNS", &up[1]);
	close(fd);
	nss[i].rel_read = 1;
	nss[i].parent = parent, nss[i].owner = owner;
	if (o->tree == TREE_OWNER || o->tree == TREE_PARENT) {
		if (parent && !known(parent))
			add_by_fd(o, up[0], parent);
		if (owner && !known(owner))
			add_by_fd(o, up[1], owner);
	}
	for (int k = 0; k < 2; k++)
		if (up[k] != -1)
			close(up[k]);
}

/* ---- NETNSID: RTM_GETNSID over rtnetlink, with libmnl ---- */

static struct mnl_socket *nl;
static unsigned int nl_seq;
static const char nl_kernel[] = "{sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}";

/* The socket, bound (mnl_socket_bind's bind(2) and getsockname(2)).
 * Without it the column stays empty, as in lsns. */
static void netlink_open(void)
{
	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	trace(nl ? mnl_socket_get_fd(nl) : -1, "socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE)");
	if (!nl)
		return;
	int fd = mnl_socket_get_fd(nl);
	if (trace(mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID), "bind(%d, %s, 12)", fd, nl_kernel) == -1) {
		mnl_socket_close(nl);
		nl = NULL;
		return;
	}
	trace(0, "getsockname(%d, {sa_family=AF_NETLINK, nl_pid=%u, nl_groups=00000000}, [12])", fd,
	      mnl_socket_get_portid(nl));
}

/* Appends printf output to buf (of size) at *len. */
static void put(char *buf, size_t size, size_t *len, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;

	if (*len >= size)
		return;
	va_start(ap, fmt);
	*len += (size_t)vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
}

/* A message of ours or its answer as strace shows it: the header, then
 * the rtgenmsg and its 32-bit attributes, or the error and the request
 * it answers. */
static void nlmsg_str(char *buf, size_t size, size_t *len, const struct nlmsghdr *nlh, size_t n)
{
	static const char *const attrs[] = { "NETNSA_NONE", "NETNSA_NSID", "NETNSA_PID", "NETNSA_FD",
					     "NETNSA_TARGET_NSID", "NETNSA_CURRENT_NSID" };
	const char *type = nlh->nlmsg_type == RTM_GETNSID ? "RTM_GETNSID" :
			   nlh->nlmsg_type == RTM_NEWNSID ? "RTM_NEWNSID" :
			   nlh->nlmsg_type == NLMSG_ERROR ? "NLMSG_ERROR" : "NLMSG_???";
	char flags[16];
	const struct nlattr *a;
	size_t count = 0, i = 0;

	snprintf(flags, sizeof(flags), nlh->nlmsg_flags == NLM_F_REQUEST ? "NLM_F_REQUEST" : "%#x",
		 nlh->nlmsg_flags);
	put(buf, size, len, "[{nlmsg_len=%u, nlmsg_type=%s, nlmsg_flags=%s, nlmsg_seq=%u, nlmsg_pid=%u}",
	    nlh->nlmsg_len, type, flags, nlh->nlmsg_seq, nlh->nlmsg_pid);
	if (nlh->nlmsg_type == NLMSG_ERROR && n >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

		put(buf, size, len, ", {error=%s%s, msg=", e->error ? "-" : "",
		    e->error ? strerrorname_np(-e->error) : "0");
		nlmsg_str(buf, size, len, &e->msg, e->msg.nlmsg_len);
		put(buf, size, len, "}]");
		return;
	}
	mnl_attr_for_each(a, nlh, sizeof(struct rtgenmsg))
		count++;
	put(buf, size, len, ", {rtgen_family=AF_UNSPEC}%s%s", count ? ", " : "", count > 1 ? "[" : "");
	mnl_attr_for_each(a, nlh, sizeof(struct rtgenmsg)) {
		unsigned type = mnl_attr_get_type(a);

		put(buf, size, len, "%s[{nla_len=%u, nla_type=%s}, %d]", i++ ? ", " : "", a->nla_len,
		    type < LEN(attrs) ? attrs[type] : "?", (int)mnl_attr_get_u32(a));
	}
	put(buf, size, len, "%s]", count > 1 ? "]" : "");
}

/* The id the kernel gives, in our network namespace, to the one fd is
 * open on: a number, -1 (NETNSA_NSID_NOT_ASSIGNED: "unassigned"), or
 * NETNSID_NONE. One sendto(2) and one recvmsg(2), as strace decodes them. */
static int netnsid_of(int fd)
{
	char req[MNL_NLMSG_HDRLEN + 32], answer[4096], shown[1024];
	int id = NETNSID_NONE;
	size_t len = 0;

	if (!nl)
		return NETNSID_NONE;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = RTM_GETNSID;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = ++nl_seq;
	((struct rtgenmsg *)mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtgenmsg)))->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)fd);
	nlmsg_str(shown, sizeof(shown), &len, nlh, nlh->nlmsg_len);
	ssize_t n = mnl_socket_sendto(nl, nlh, nlh->nlmsg_len);
	trace(n, "sendto(%d, %s, %u, 0, %s, 12)", mnl_socket_get_fd(nl), shown, nlh->nlmsg_len, nl_kernel);
	if (n == -1)
		return NETNSID_NONE;
	n = mnl_socket_recvfrom(nl, answer, sizeof(answer));
	nlh = (struct nlmsghdr *)answer;
	len = 0;
	if (n > 0 && mnl_nlmsg_ok(nlh, (int)n))
		nlmsg_str(shown, sizeof(shown), &len, nlh, (size_t)n);
	trace(n, "recvmsg(%d, {msg_name=%s, msg_namelen=12, msg_iov=[{iov_base=%s, iov_len=%zu}], msg_iovlen=1, "
		 "msg_controllen=0, msg_flags=0}, 0)", mnl_socket_get_fd(nl), nl_kernel, len ? shown : "\"\"", sizeof(answer));
	if (n <= 0 || !mnl_nlmsg_ok(nlh, (int)n) || nlh->nlmsg_type != RTM_NEWNSID)
		return NETNSID_NONE;
	const struct nlattr *a;
	mnl_attr_for_each(a, nlh, sizeof(struct rtgenmsg))
		if (mnl_attr_get_type(a) == NETNSA_NSID)
			id = (int)mnl_attr_get_u32(a);
	return id;
}

/* ---- the cells of a line ---- */

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

/* The parent of pid, from /proc/PID/status; -1 if it cannot be read. */
static long ppid_of(pid_t pid)
{
	char ppid[32];

	return pid && proc_status_field(pid, "PPid", ppid, sizeof(ppid)) == 0 ? strtol(ppid, NULL, 10) : -1;
}

/* Is item one of the sep-separated items of list? */
static int in_list(const char *list, const char *item, char sep)
{
	size_t len = strlen(item);

	for (const char *p = list; p; p = strchr(p, sep), p = p ? p + 1 : NULL)
		if (strncmp(p, item, len) == 0 && (p[len] == sep || !p[len]))
			return 1;
	return 0;
}

/* The pin files of a namespace: the mount points whose root names it,
 * each once (a pin seen twice through a bind mount of its directory),
 * sep between them: '\n' makes a multi-line cell. */
static char *nsfs_of(const struct ns *ns, char sep)
{
	char root[64], *list = NULL;

	snprintf(root, sizeof(root), "%s:[%lu]", ns->type->name, (unsigned long)ns->ino);
	for (size_t i = 0; i < npins; i++) {
		if (strcmp(pins[i].root, root) != 0 || in_list(list, pins[i].path, sep))
			continue;
		char *longer = list ? easprintf("%s%c%s", list, sep, pins[i].path) : estrdup(pins[i].path);
		free(list);
		list = longer;
	}
	return list;
}

static char *netnsid_cell(struct ns *ns, pid_t pid)
{
	if (ns->netnsid == NETNSID_UNKNOWN && pid) {
		int fd = open_link(ns, pid);

		ns->netnsid = fd == -1 ? NETNSID_NONE : netnsid_of(fd);
		if (fd != -1)
			close(fd);
	}
	return ns->netnsid >= 0 ? easprintf("%d", ns->netnsid) :
	       ns->netnsid == NETNSA_NSID_NOT_ASSIGNED ? estrdup("unassigned") : NULL;
}

/* The cells of a line (NULL: empty) for namespace ns and process pid
 * (its lowest, or one of its processes for lsns NS; 0 when it has none).
 * Only the columns o->fill asks for are read. */
static void fill_cells(const struct options *o, struct ns *ns, pid_t pid, long ppid, char *cells[])
{
	char path[NS_PATH_SIZE];
	struct stat st = { .st_uid = ns->uid };
	int r = 0;

	if (pid && (o->fill[UID] || o->fill[USER])) {
		snprintf(path, sizeof(path), "/proc/%d", (int)pid);
		r = fstatat(AT_FDCWD, path, &st, 0);
		trace(r, "newfstatat(AT_FDCWD, %s, %s, 0)", quote(path), stat_str(r, &st));
	}
	cells[NS] = easprintf("%lu", (unsigned long)ns->ino);
	cells[TYPE] = estrdup(ns->type->name);
	cells[NPROCS] = easprintf("%d", ns->nprocs);
	if (pid) {
		cells[PATH] = estrdup(ns_path(path, pid, ns->type->name));
		cells[PID] = easprintf("%d", (int)pid);
	}
	if (ppid >= 0)
		cells[PPID] = easprintf("%ld", ppid);
	if (pid && o->fill[COMMAND])
		cells[COMMAND] = command_of(pid);
	if (r == 0 && o->fill[UID])
		cells[UID] = easprintf("%u", (unsigned)st.st_uid);
	if (r == 0 && o->fill[USER]) {
		struct passwd *pw = getpwuid(st.st_uid);
		cells[USER] = pw ? estrdup(pw->pw_name) : easprintf("%u", (unsigned)st.st_uid);
	}
	if (o->fill[NETNSID] && ns->type->clone_flag == CLONE_NEWNET)
		cells[NETNSID] = netnsid_cell(ns, pid);
	if (o->fill[NSFS])
		cells[NSFS] = nsfs_of(ns, o->nowrap ? ',' : '\n');
	if (o->fill[PNS])
		cells[PNS] = easprintf("%lu", (unsigned long)ns->parent);
	if (o->fill[ONS])
		cells[ONS] = easprintf("%lu", (unsigned long)ns->owner);
}

/* ---- -Q: the filter, in libsmartcols' language (scols-filter(5)) ----
 *
 * EXPR is parsed into a tree of nodes: a value (a column, whose cell is
 * read for each line, or a literal: a number, a float, a 'string' or
 * "string", true, false), a comparison of two, or && || ! of others. A
 * column of numbers is a number, any other a string; a comparison of a
 * column with a literal is made in the literal's type (NS == "4026531836"
 * compares strings), a number with a float as floats, an expression as a
 * boolean. An empty cell is never equal, less or greater. As in
 * libsmartcols' grammar, && and || bind equally, left to right; the
 * comparisons and ! bind tighter.
 */

enum token {
	T_END, T_LPAREN, T_RPAREN, T_OR, T_AND, T_NEG,
	T_EQ, T_NE, T_LE, T_LT, T_GE, T_GT, T_REG, T_NREG,  /* the comparisons, in this order */
	T_TRUE, T_FALSE, T_NUMBER, T_FLOAT, T_STRING, T_HOLDER,  /* values */
};

/* As bison names them in libsmartcols' "syntax error, unexpected ...". */
static const char *const token_names[] = {
	[T_END] = "end of file", [T_LPAREN] = "'('", [T_RPAREN] = "')'", [T_OR] = "OR", [T_AND] = "AND",
	[T_NEG] = "NEG", [T_EQ] = "EQ", [T_NE] = "NE", [T_LE] = "LE", [T_LT] = "LT", [T_GE] = "GE",
	[T_GT] = "GT", [T_REG] = "REG", [T_NREG] = "NREG", [T_TRUE] = "TRUE", [T_FALSE] = "FALSE",
	[T_NUMBER] = "NUMBER", [T_FLOAT] = "FLOAT", [T_STRING] = "STRING", [T_HOLDER] = "HOLDER",
};

/* Longest first, so that "!=" is not read as "!". */
static const struct {
	const char *text;
	enum token token;
} symbols[] = {
	{ "&&", T_AND }, { "||", T_OR }, { "==", T_EQ }, { "!=", T_NE }, { "<=", T_LE }, { ">=", T_GE },
	{ "=~", T_REG }, { "!~", T_NREG }, { "!", T_NEG }, { "<", T_LT }, { ">", T_GT },
	{ "(", T_LPAREN }, { ")", T_RPAREN },
	{ "and", T_AND }, { "AND", T_AND }, { "or", T_OR }, { "OR", T_OR }, { "not", T_NEG }, { "NOT", T_NEG },
	{ "eq", T_EQ }, { "EQ", T_EQ }, { "ne", T_NE }, { "NE", T_NE }, { "le", T_LE }, { "LE", T_LE },
	{ "lt", T_LT }, { "LT", T_LT }, { "ge", T_GE }, { "GE", T_GE }, { "gt", T_GT }, { "GT", T_GT },
	{ "true", T_TRUE }, { "TRUE", T_TRUE }, { "false", T_FALSE }, { "FALSE", T_FALSE },
};

enum vtype { V_STR, V_NUM, V_FLOAT, V_BOOL };

struct value {
	enum vtype type;
	int empty;                 /* an empty cell */
	char *str;                 /* V_STR, malloc'd (NULL when empty) */
	unsigned long long num;    /* V_NUM */
	long double fnum;          /* V_FLOAT */
	int boolean;               /* V_BOOL */
};

struct fnode {
	enum token op;             /* a comparison, T_AND, T_OR, T_NEG, or a value's token */
	struct fnode *left, *right;
	int column;                /* T_HOLDER */
	struct value value;        /* a literal */
	regex_t re;                /* the right side of =~ and !~ */
	int has_re;
};

struct lexer {
	const char *expr, *p;
	enum token token;          /* the current one */
	const char *text;          /* its text (a name, a number, a string)... */
	int len;                   /* ...of len bytes */
	char *unknown;             /* the first name that is no column */
};

static noreturn void parse_error(const struct lexer *lx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static noreturn void parse_error(const struct lexer *lx, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	die("failed to parse \"%s\": %s", lx->expr, msg);
}

/* Reads the next token, as libsmartcols' scanner: a string in quotes, a
 * number (with a unit: 5K, 5KiB) or a float, a name, or an operator. */
static void next(struct lexer *lx)
{
	const char *p = lx->p + strspn(lx->p, " \t\n");
	size_t n = 0;

	lx->token = T_END;
	if (*p == '"' || *p == '\'') {
		const char *end = strchr(p + 1, *p);
		if (!end || memchr(p, '\n', (size_t)(end - p)))
			parse_error(lx, "syntax error, unterminated string at %s", p);
		lx->token = T_STRING, n = (size_t)(end + 1 - p);
	} else if (isdigit((unsigned char)*p)) {
		lx->token = T_NUMBER, n = strspn(p, "0123456789");
		if (p[n] == '.' && isdigit((unsigned char)p[n + 1]))
			lx->token = T_FLOAT, n += 1 + strspn(p + n + 1, "0123456789");
		else if (p[n] && strchr("KMGTPEZY", p[n]))
			n += 1 + 2 * (strncmp(p + n + 1, "iB", 2) == 0);
	} else if (isalpha((unsigned char)*p)) {
		lx->token = T_HOLDER, n = 1 + strspn(p + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.%:/-");
	}
	/* An operator; a name that is a keyword as a whole ("andx" is none). */
	for (size_t i = 0, len; i < LEN(symbols); i++) {
		len = strlen(symbols[i].text);
		if (lx->token == T_HOLDER ? len == n && !strncmp(p, symbols[i].text, n) :
					    !n && *p && !strncmp(p, symbols[i].text, len)) {
			lx->token = symbols[i].token, n = len;
			break;
		}
	}
	if (*p && !n)
		parse_error(lx, "syntax error, unexpected character '%c'", *p);
	lx->text = p, lx->len = (int)n, lx->p = p + n;
}

static struct fnode *new_node(enum token op, struct fnode *left, struct fnode *right)
{
	struct fnode *n = erealloc(NULL, sizeof(*n));

	*n = (struct fnode){ .op = op, .left = left, .right = right, .column = -1 };
	return n;
}

/* A copy of len bytes of s without the blanks at either end, as
 * libsmartcols keeps a string (a literal, or a cell it reads). */
static char *trimmed(const char *s, size_t len)
{
	size_t skip = strspn(s, " \t\n");

	skip = skip < len ? skip : len;
	while (len > skip && isspace((unsigned char)s[len - 1]))
		len--;
	return easprintf("%.*s", (int)(len - skip), s + skip);
}

/* A number, with libsmartcols' optional K M G T P E Z Y (powers of
 * 1024, "iB" allowed after): 5K is 5120. */
static unsigned long long parse_filter_number(const struct lexer *lx)
{
	static const char units[] = "KMGTPEZY";
	char *end;
	unsigned long long num = strtoull(lx->text, &end, 10);
	const char *unit = end < lx->text + lx->len ? strchr(units, *end) : NULL;

	for (long k = unit ? unit - units + 1 : 0; k > 0; k--) {
		if (num > ULLONG_MAX / 1024)
			parse_error(lx, "\"%.*s\" number too large", lx->len, lx->text);
		num *= 1024;
	}
	return num;
}

/* A value: a column or a literal. */
static struct fnode *parse_value(struct lexer *lx)
{
	struct fnode *n = new_node(lx->token, NULL, NULL);
	struct value *v = &n->value;

	switch (lx->token) {
	case T_HOLDER:
		for (int c = 0; c < NCOLUMNS && n->column == -1; c++)
			if (strlen(columns[c].name) == (size_t)lx->len && !strncasecmp(lx->text, columns[c].name, (size_t)lx->len))
				n->column = c;
		if (n->column == -1 && !lx->unknown)
			lx->unknown = easprintf("%.*s", lx->len, lx->text);
		break;
	case T_NUMBER: *v = (struct value){ .type = V_NUM, .num = parse_filter_number(lx) }; break;
	case T_FLOAT: *v = (struct value){ .type = V_FLOAT, .fnum = strtold(lx->text, NULL) }; break;
	case T_TRUE:
	case T_FALSE: *v = (struct value){ .type = V_BOOL, .boolean = lx->token == T_TRUE }; break;
	case T_STRING: *v = (struct value){ .type = V_STR, .str = trimmed(lx->text + 1, (size_t)lx->len - 2) }; break;
	default:
		parse_error(lx, "syntax error, unexpected %s", token_names[lx->token]);
	}
	next(lx);
	return n;
}

static struct fnode *parse_or(struct lexer *lx);

/* ! binds to what follows it, a value or ( EXPR ). */
static struct fnode *parse_unary(struct lexer *lx)
{
	if (lx->token == T_NEG) {
		next(lx);
		return new_node(T_NEG, NULL, parse_unary(lx));
	}
	if (lx->token != T_LPAREN)
		return parse_value(lx);
	next(lx);
	struct fnode *n = parse_or(lx);
	if (lx->token != T_RPAREN)
		parse_error(lx, "syntax error, unexpected %s", token_names[lx->token]);
	next(lx);
	return n;
}

static struct fnode *parse_compare(struct lexer *lx)
{
	struct fnode *n = parse_unary(lx);

	while (lx->token >= T_EQ && lx->token <= T_NREG) {
		enum token op = lx->token;
		next(lx);
		n = new_node(op, n, parse_unary(lx));
		if (op != T_REG && op != T_NREG)
			continue;
		int r = n->right->op != T_STRING ? -1 : regcomp(&n->right->re, n->right->value.str, REG_EXTENDED | REG_NOSUB);
		if (r == -1)
			parse_error(lx, "the right side of %s must be a string", op == T_REG ? "=~" : "!~");
		if (r) {
			char msg[256];
			regerror(r, &n->right->re, msg, sizeof(msg));
			parse_error(lx, "%s", msg);
		}
		n->right->has_re = 1;
	}
	return n;
}

static struct fnode *parse_or(struct lexer *lx)
{
	struct fnode *n = parse_compare(lx);

	while (lx->token == T_AND || lx->token == T_OR) {
		enum token op = lx->token;
		next(lx);
		n = new_node(op, n, parse_compare(lx));
	}
	return n;
}

static void free_filter(struct fnode *n)
{
	if (!n)
		return;
	free_filter(n->left);
	free_filter(n->right);
	if (n->has_re)
		regfree(&n->re);
	free(n->value.str);
	free(n);
}

/* Parses -Q's EXPR, or dies as lsns does (status 1) with one line. */
static struct fnode *parse_filter(const char *expr)
{
	struct lexer lx = { .expr = expr, .p = expr };

	next(&lx);
	struct fnode *n = parse_or(&lx);
	if (lx.token != T_END)
		parse_error(&lx, "syntax error, unexpected %s", token_names[lx.token]);
	if (lx.unknown) {
		char name[256];

		snprintf(name, sizeof(name), "%s", lx.unknown);
		free(lx.unknown);
		free_filter(n);
		die("failed to initialize filter: unknown column: %s", name);
	}
	return n;
}

/* Marks the columns EXPR reads, to be filled. */
static void filter_columns(const struct fnode *n, int fill[])
{
	if (!n)
		return;
	if (n->op == T_HOLDER)
		fill[n->column] = 1;
	filter_columns(n->left, fill);
	filter_columns(n->right, fill);
}

static int is_value(const struct fnode *n)
{
	return n->op >= T_TRUE;
}

static enum vtype type_of(const struct fnode *n)
{
	if (n->op == T_HOLDER)
		return columns[n->column].number ? V_NUM : V_STR;
	return is_value(n) ? n->value.type : V_BOOL;
}

/* Converts v to type, as libsmartcols casts; a cell that is not a
 * number when one is needed fails the whole run, as in lsns. */
static void cast(struct value *v, enum vtype type)
{
	char *s = v->str, *end = NULL;

	if (v->type == type)
		return;
	if (v->type == V_STR) {
		v->str = NULL;
		errno = 0;
		if (type == V_NUM && s && (*s == '-' || ((v->num = strtoull(s, &end, 10)), errno || end == s || *end)))
			die("failed to apply filter: \"%s\" is not a number", s);
		if (type == V_FLOAT && s && ((v->fnum = strtold(s, &end)), errno || end == s || *end))
			die("failed to apply filter: \"%s\" is not a number", s);
		if (type == V_BOOL)
			v->boolean = s && (!strcasecmp(s, "1") || !strcasecmp(s, "true") || *s == 'y' || *s == 'Y');
		free(s);
	} else if (type == V_STR) {
		v->str = v->type == V_NUM ? easprintf("%llu", v->num) :
			 v->type == V_FLOAT ? easprintf("%Lg", v->fnum) : estrdup(v->boolean ? "true" : "false");
	} else {
		long double x = v->type == V_NUM ? (long double)v->num : v->type == V_FLOAT ? v->fnum : v->boolean;
		v->num = (unsigned long long)x, v->fnum = x, v->boolean = x > 0;
	}
	v->type = type;
}

static int eval(const struct fnode *n, char *const cells[]);

/* The value of a node for this line, in type: a cell (without the
 * blanks at either end), a literal, or an expression's truth. */
static struct value value_of(const struct fnode *n, char *const cells[], enum vtype type)
{
	struct value v = n->value;

	if (n->op == T_HOLDER) {
		const char *cell = cells[n->column];

		v = (struct value){ .type = V_STR, .empty = !cell, .str = cell ? trimmed(cell, strlen(cell)) : NULL };
		cast(&v, type_of(n));
	} else if (!is_value(n)) {
		v = (struct value){ .type = V_BOOL, .boolean = eval(n, cells) };
	} else if (v.str) {
		v.str = estrdup(v.str);
	}
	cast(&v, type);
	return v;
}

/* A comparison: both sides in one type (the literal's, if one side is
 * a column), then compared; strings by strcmp(3) or regexec(3). */
static int compare(const struct fnode *n, char *const cells[])
{
	enum vtype lt = type_of(n->left), rt = type_of(n->right), type = lt;

	if (lt != rt && n->left->op == T_HOLDER && n->right->op != T_HOLDER)
		type = rt;
	if (type == V_NUM && (lt == V_FLOAT || rt == V_FLOAT))
		type = V_FLOAT;
	if ((n->op == T_REG || n->op == T_NREG) && type != V_STR)
		die("failed to apply filter: =~ and !~ compare strings");

	struct value l = value_of(n->left, cells, type), r = value_of(n->right, cells, type);
	long double x = 0;
	int result;

	if (type == V_STR && (n->op == T_REG || n->op == T_NREG))
		x = regexec(&n->right->re, l.str ? l.str : "", 0, NULL, 0) == 0 ? 0 : 1;
	else if (type == V_STR)
		x = !l.str || !r.str ? (l.str != NULL) - (r.str != NULL) : strcmp(l.str, r.str);
	else if (type == V_NUM)
		x = l.num < r.num ? -1 : l.num > r.num;
	else
		x = type == V_FLOAT ? l.fnum - r.fnum : l.boolean - r.boolean;
	/* x < 0: less, 0: equal (or matched), > 0: greater (or no match). */
	switch (n->op) {
	case T_EQ: case T_REG: result = x == 0; break;
	case T_NE: case T_NREG: result = x != 0; break;
	case T_LE: result = x <= 0; break;
	case T_LT: result = x < 0; break;
	case T_GE: result = x >= 0; break;
	default: result = x > 0; break;
	}
	if (type != V_STR && (l.empty || r.empty))
		result = 0;
	free(l.str);
	free(r.str);
	return result;
}

/* Is EXPR true of this line? */
static int eval(const struct fnode *n, char *const cells[])
{
	switch (n->op) {
	case T_AND: return eval(n->left, cells) && eval(n->right, cells);
	case T_OR: return eval(n->left, cells) || eval(n->right, cells);
	case T_NEG: return !eval(n->right, cells);
	default: break;
	}
	if (!is_value(n))
		return compare(n, cells);

	struct value v = value_of(n, cells, type_of(n));
	int result = !v.empty && (v.type == V_STR ? v.str && *v.str : v.type == V_NUM ? v.num != 0 :
				  v.type == V_FLOAT ? v.fnum != 0 : v.boolean);
	free(v.str);
	return result;
}

/* ---- the lines, in the order lsns makes them ---- */

struct line {
	char *cells[NCOLUMNS];
	pid_t pid;
	int parent;        /* the line it hangs under in a tree, or -1 */
};

static struct line *lines;
static size_t nlines;

#define BY_PROCESS (-2) /* add_line: under the line of the process's parent */

/* Adds a line for namespace ns and process pid (0: none) under line
 * parent, unless -Q refuses it; returns its index, or -1. In the process
 * tree a line hangs under the last line of its process's parent, as
 * libsmartcols hangs it under that process's "outline". */
static int add_line(const struct options *o, struct ns *ns, pid_t pid, long ppid, int parent)
{
	struct line l = { .pid = pid, .parent = parent };

	fill_cells(o, ns, pid, ppid, l.cells);
	if (o->filter && !eval(o->filter, l.cells)) {
		for (int c = 0; c < NCOLUMNS; c++)
			free(l.cells[c]);
		return -1;
	}
	if (parent == BY_PROCESS) {
		l.parent = -1;
		for (size_t i = nlines; ppid > 0 && i-- > 0;)
			if (lines[i].pid == ppid) {
				l.parent = (int)i;
				break;
			}
	}
	lines = erealloc(lines, (nlines + 1) * sizeof(*lines));
	lines[nlines] = l;
	return (int)nlines++;
}

/* A namespace's line. In an owner tree its owner comes first, and it
 * hangs under it; in a parent tree its parent (or, for a kind that has
 * none, its owner) comes first, and it hangs under its parent. */
static void show_ns(const struct options *o, struct ns *ns)
{
	struct ns *up = NULL, *first = NULL;

	if (ns->done)
		return;
	ns->done = 1;
	if (o->tree == TREE_OWNER) {
		first = up = find_ns(ns->owner);
	} else if (o->tree == TREE_PARENT) {
		up = ns->parent != ns->ino ? find_ns(ns->parent) : NULL;
		first = up ? up : find_ns(ns->owner);
	}
	if (first)
		show_ns(o, first);
	long ppid = o->fill[PPID] && ns->pid ? ppid_of(ns->pid) : -1;
	ns->line = add_line(o, ns, ns->pid, ppid, o->tree == TREE_PROCESS ? BY_PROCESS : up ? up->line : -1);
}

/* lsns NS: a line per process in the namespace, in pid order; in the
 * process tree a parent in the namespace comes before its children. */
static void show_member(const struct options *o, struct ns *ns, size_t i, const long ppid[], char done[])
{
	if (done[i])
		return;
	done[i] = 1;
	for (size_t j = 0; o->tree == TREE_PROCESS && j < nmembers; j++)
		if (members[j] == ppid[i])
			show_member(o, ns, j, ppid, done);
	add_line(o, ns, members[i], ppid[i], o->tree == TREE_PROCESS ? BY_PROCESS : -1);
}

static void make_lines(const struct options *o, int proc_fd)
{
	if (o->only_ns) {
		long *ppid = erealloc(NULL, (nmembers + 1) * sizeof(*ppid));
		char *done = memset(erealloc(NULL, nmembers + 1), 0, nmembers + 1);

		for (size_t i = 0; i < nmembers; i++)
			ppid[i] = o->fill[PPID] ? ppid_of(members[i]) : -1;
		for (size_t i = 0; i < nmembers; i++)
			show_member(o, find_ns(o->only_ns), i, ppid, done);
		free(ppid);
		free(done);
		return;
	}
	/* -p: the namespaces the process is in. */
	ino_t of_task[LEN(nstypes)] = { 0 };
	struct stat st;
	for (size_t t = 0; o->only_pid && t < LEN(nstypes); t++)
		if (o->wanted[t] && stat_link(proc_fd, o->only_pid, &nstypes[t], &st) == 0)
			of_task[t] = st.st_ino;
	for (size_t i = 0; i < nns; i++)
		if (!o->only_pid || of_task[nss[i].type - nstypes] == nss[i].ino)
			show_ns(o, &nss[i]);
}

/* ---- output: through libsmartcols, as lsns prints it ---- */

/* The terminal's width, or 0 when stdout is no terminal. libsmartcols
 * asks too, when the table is made; this is the width it is given. */
static size_t terminal_width(void)
{
	struct winsize ws;
	const char *columns_env = getenv("COLUMNS");

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == -1) {
		trace(-1, "ioctl(%d, TIOCGWINSZ, %p)", STDOUT_FILENO, (void *)&ws);
		return 0;
	}
	trace(0, "ioctl(%d, TIOCGWINSZ, {ws_row=%u, ws_col=%u, ws_xpixel=%u, ws_ypixel=%u})", STDOUT_FILENO,
	      ws.ws_row, ws.ws_col, ws.ws_xpixel, ws.ws_ypixel);
	if (ws.ws_col)
		return ws.ws_col;
	return columns_env && atoi(columns_env) > 0 ? (size_t)atoi(columns_env) : 80;
}

/* The table and its columns, flagged as lsns flags them: numbers on the
 * right, COMMAND cut to fit the terminal (not with -u), NSFS a path a
 * row (not with -W or -r), the tree drawn in COMMAND (processes) or NS
 * (owner, parent). */
static struct libscols_table *new_table(const struct options *o)
{
	struct libscols_table *tb = scols_new_table();
	int command = 0;

	if (!tb)
		die("cannot make the output table");
	scols_table_enable_raw(tb, o->raw);
	scols_table_enable_json(tb, o->json);
	scols_table_enable_noheadings(tb, !o->headings);
	if (o->json)
		scols_table_set_name(tb, "namespaces");
	for (int c = 0; c < o->noutcols; c++) {
		int id = o->outcols[c], flags = columns[id].right ? SCOLS_FL_RIGHT : 0;
		int wrap = id == NSFS && !o->nowrap;
		struct libscols_column *cl;

		if (id == COMMAND && !o->notrunc)
			flags |= SCOLS_FL_TRUNC;
		if (wrap)
			flags |= SCOLS_FL_WRAP;
		if ((o->tree == TREE_PROCESS && id == COMMAND) ||
		    ((o->tree == TREE_OWNER || o->tree == TREE_PARENT) && id == NS))
			flags = (flags & ~SCOLS_FL_RIGHT) | SCOLS_FL_TREE;
		if (!(cl = scols_table_new_column(tb, columns[id].name, (double)columns[id].hint, flags)))
			die("cannot make the output column %s", columns[id].name);
		if (o->json)
			scols_column_set_json_type(cl, columns[id].number ? SCOLS_JSON_NUMBER : SCOLS_JSON_STRING);
		if (wrap) {
			scols_column_set_wrapfunc(cl, scols_wrapnl_chunksize, scols_wrapnl_nextchunk, NULL);
			scols_column_set_safechars(cl, "\n");
		}
		command |= id == COMMAND;
	}
	/* Only a cut COMMAND needs the width. */
	size_t width = command && !o->notrunc && nlines ? terminal_width() : 0;
	if (width)
		scols_table_set_termwidth(tb, width);
	return tb;
}

/* The lines, each under its parent line (libsmartcols draws the tree
 * when a column has one), and the table printed. */
static void print_lines(const struct options *o)
{
	struct libscols_table *tb = new_table(o);
	struct libscols_line **sl = erealloc(NULL, (nlines + 1) * sizeof(*sl));

	for (size_t i = 0; i < nlines; i++) {
		if (!(sl[i] = scols_table_new_line(tb, lines[i].parent >= 0 ? sl[lines[i].parent] : NULL)))
			die("cannot add an output line");
		for (int c = 0; c < o->noutcols; c++) {
			const char *cell = lines[i].cells[o->outcols[c]];

			if (cell && scols_line_set_data(sl[i], (size_t)c, cell) != 0)
				die("cannot fill an output line");
		}
	}
	if (scols_print_table(tb) != 0)
		die("cannot print the table");
	free(sl);
	scols_unref_table(tb);
}

/* ---- options ---- */

/* -o LIST: the columns, or with +LIST more after those there are. */
static void parse_columns(struct options *o, const char *list)
{
	char *copy = strdupa(list + (*list == '+')), *save = NULL;

	if (*list != '+')
		o->noutcols = 0;
	for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		int c = 0;

		while (c < NCOLUMNS && strcasecmp(name, columns[c].name) != 0)
			c++;
		if (c == NCOLUMNS)
			die_usage("unknown column '%s'", name);
		if (o->noutcols == (int)LEN(o->outcols))
			die_usage("too many columns");
		o->outcols[o->noutcols++] = c;
	}
	if (!o->noutcols)
		die_usage("no columns in '%s'", list);
}

/* lsns's defaults: NS,TYPE,NPROCS,PID,USER,COMMAND (NETNSID and NSFS too
 * with -t net), or PID,PPID,USER,COMMAND for NS; a process tree unless
 * -l, -T or --output-all. Then -o, which may add to them. */
static void set_columns(struct options *o, int all, const char *list, int net, int flat)
{
	static const int listing[] = { NS, TYPE, NPROCS, PID, USER, NETNSID, NSFS, COMMAND };
	static const int processes[] = { PID, PPID, USER, COMMAND };

	for (int c = 0; all && c < NCOLUMNS; c++)
		o->outcols[o->noutcols++] = c;
	for (size_t i = 0, none = !o->noutcols; o->only_ns && none && i < LEN(processes); i++)
		o->outcols[o->noutcols++] = processes[i];
	if ((o->only_ns || !o->noutcols) && !o->tree && !flat)
		o->tree = TREE_PROCESS;
	for (size_t i = 0, none = !o->noutcols; none && i < LEN(listing); i++)
		if (net || (listing[i] != NETNSID && listing[i] != NSFS))
			o->outcols[o->noutcols++] = listing[i];
	if (list)
		parse_columns(o, list);
	for (int c = 0; c < o->noutcols; c++)
		o->fill[o->outcols[c]] = 1;
	filter_columns(o->filter, o->fill);
	o->fill[PPID] |= o->tree == TREE_PROCESS;
}

static void parse_options(int argc, char *argv[], struct options *o)
{
	enum { OUTPUT_ALL = 256 };
	static const struct option longopts[] = {
		{ "type", required_argument, NULL, 't' },     { "task", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },   { "output-all", no_argument, NULL, OUTPUT_ALL },
		{ "filter", required_argument, NULL, 'Q' },   { "noheadings", no_argument, NULL, 'n' },
		{ "list", no_argument, NULL, 'l' },           { "tree", optional_argument, NULL, 'T' },
		{ "raw", no_argument, NULL, 'r' },            { "json", no_argument, NULL, 'J' },
		{ "notruncate", no_argument, NULL, 'u' },     { "nowrap", no_argument, NULL, 'W' },
		{ "verbose", no_argument, NULL, 'v' },        { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },        { NULL, 0, NULL, 0 },
	};
	static const char *const trees[] = { [TREE_PROCESS] = "process", [TREE_OWNER] = "owner", [TREE_PARENT] = "parent" };
	const struct nstype *type;
	const char *list = NULL;
	int any_type = 0, all = 0, flat = 0, c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:t:p:o:Q:nlT::rJuWvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (!(type = nstype_by_name(optarg)))
				die_usage("unknown namespace type '%s' (mnt net ipc user pid uts cgroup time)", optarg);
			o->wanted[type - nstypes] = 1;
			any_type = 1;
			break;
		case 'p': o->only_pid = parse_pid(optarg); break;
		case 'o': list = optarg; break;
		case OUTPUT_ALL: all = 1; break;
		case 'Q': free_filter(o->filter), o->filter = parse_filter(optarg); break;
		case 'n': o->headings = 0; break;
		case 'l': flat = 1; break;
		case 'T':
			o->tree = TREE_OWNER;
			for (int t = TREE_PROCESS; optarg && t <= TREE_PARENT; t++)
				if (strcmp(optarg + (*optarg == '='), trees[t]) == 0)
					o->tree = (enum tree)t, optarg = NULL;
			if (optarg)
				die_usage("--tree: '%s' is not owner, parent or process", optarg);
			break;
		case 'r': o->raw = o->nowrap = 1; break;
		case 'J': o->json = 1; break;
		case 'u': o->notrunc = 1; break;
		case 'W': o->nowrap = 1; break;
		case 'v': verbose = 1; break;
		case 'h': print_help(help);
		case 'V': print_version();
		default: bad_option(argv, c);
		}
	}
	if (o->json && o->raw)
		die_usage("--json and --raw cannot be used together");
	if (optind < argc) {
		long long n = parse_number(argv[optind]);
		if (n <= 0 || argc - optind > 1)
			die_usage("'%s' is not a namespace inode number", argv[optind]);
		if (o->only_pid)
			die_usage("--task and a namespace NS cannot be used together");
		o->only_ns = (ino_t)n;
	}
	for (size_t t = 0; t < LEN(nstypes); t++)
		o->wanted[t] |= !any_type;
	set_columns(o, all, list, any_type && o->wanted[nstype_by_name("net") - nstypes], flat);
}

int main(int argc, char *argv[])
{
	struct options o = { .headings = 1 };

	progname = "lsns-lite";
	setlocale(LC_CTYPE, ""); /* what a cell may print as is, and the tree's lines */
	parse_options(argc, argv, &o);
	if (o.fill[NETNSID])
		netlink_open();

	/* Find the namespaces: the processes' links and fds, the pins; then,
	 * when asked, how they relate (and, for a tree, those they relate to). */
	const char *proc = "/proc";
	int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
	int proc_fd = open(proc, flags);
	trace(proc_fd, "openat(AT_FDCWD, %s, %s)", quote(proc), open_flags_str(flags));
	if (proc_fd == -1)
		die_errno("cannot open /proc");
	read_processes(proc_fd, &o);
	read_pins(&o);
	for (size_t i = 0, n = nns; i < n; i++)
		if ((o.tree == TREE_OWNER || o.tree == TREE_PARENT || o.fill[PNS] || o.fill[ONS]) && nss[i].pid &&
		    !nss[i].rel_read)
			read_relations(&o, i);
	settle();
	if (o.only_ns && !find_ns(o.only_ns))
		die("not found namespace: %lu", (unsigned long)o.only_ns);

	/* Then the lines, each read as it is made, and the output. */
	make_lines(&o, proc_fd);
	close(proc_fd);
	print_lines(&o);

	for (size_t i = 0; i < nlines; i++)
		for (int c = 0; c < NCOLUMNS; c++)
			free(lines[i].cells[c]);
	for (size_t i = 0; i < npins; i++)
		free(pins[i].root), free(pins[i].path);
	free(lines), free(pins), free(nss), free(seen), free(members);
	free_filter(o.filter);
	if (nl)
		mnl_socket_close(nl);
	return 0;
}
