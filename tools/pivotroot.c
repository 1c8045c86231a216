/* pivotroot: make NEWROOT the root of a container, then run its command.
 *
 * chroot(2) only changes where "/" starts for path lookups; the old root
 * is still mounted and a process with the right (CAP_SYS_CHROOT) walks
 * out with a second chroot and "..". pivot_root(2) swaps the root mount
 * of the whole mount namespace: the old root becomes an ordinary mount,
 * which we then detach, and nothing of the host is reachable any more.
 * That is why it must run in a mount namespace of its own.
 *
 * The order, as runc does it:
 *   0. check every argument (a --sysctl must be a key of a namespace
 *      of the container's own, or it sets the host's); hold the exec
 *      fifo (--exec-fifo) and connect to the console socket
 *      (--console-socket): both are host paths, out of reach once the
 *      root is swapped
 *   1. make every mount private (no mount of ours may reach the host)
 *   2. bind-mount NEWROOT on itself: pivot_root wants a mount point;
 *      --nodev makes it, and every mount under it, nodev
 *   3. mount /proc, a small /dev, /sys read-only, then the --mount list
 *      (a config.json's mounts, in their order; a cgroup mount shows the
 *      process's own groups, mount_cgroup), the volumes, and make
 *      the working directory, all looked up inside NEWROOT (openat2 with
 *      RESOLVE_IN_ROOT), so that a symlink in the image cannot send a
 *      mount to the host; last, --readonly
 *   4. pivot_root(".", "."), detach the old root, chdir("/")
 *   5. inside the new root: the terminal (a pty of the container's own
 *      devpts, its master sent to the console socket), the sysctls, the
 *      read-only paths, the masked paths (sysctls first: /proc/sys may be
 *      one of the read-only paths), chdir to the working directory
 *   6. read the command (from --cmd-fd, as runc's init reads its pipe),
 *      mark every other inherited fd close-on-exec (an fd on a host
 *      directory would reach around the new root: CVE-2024-21626), wait
 *      on the exec fifo until the runtime's start opens it, and execute
 *      the command: under nsunshare -p -f it is pid 1
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ctrkit.h"

static const char help[] =
	"Usage: pivotroot [options] NEWROOT [--] [command [argument...]]\n"
	"Make NEWROOT the root of this mount namespace (as the command of\n"
	"nsunshare -m: every process of the namespace moves), with a fresh /proc,\n"
	"a minimal /dev and a read-only /sys, then run the command there\n"
	"(default /bin/sh).\n"
	"\n"
	"      --mount=TYPE:SOURCE:DEST[:OPTIONS]\n"
	"                              mount SOURCE (of TYPE: bind, tmpfs, proc...) on DEST\n"
	"                              inside, with mount(8) OPTIONS; TYPE cgroup or cgroup2\n"
	"                              shows this process's own cgroups; may be repeated\n"
	"      --volume=HOST:CTR[:ro]  bind-mount directory HOST on CTR inside (read-only\n"
	"                              with :ro); may be repeated\n"
	"      --mask=PATH             hide PATH: a read-only tmpfs on a directory,\n"
	"                              /dev/null on anything else; may be repeated\n"
	"      --readonly-path=PATH    make PATH read-only; may be repeated\n"
	"      --sysctl=KEY=VALUE      write VALUE to /proc/sys/KEY (dots are slashes),\n"
	"                              KEY of a namespace the container has of its own:\n"
	"                              net.*, kernel.hostname, kernel.domainname, the\n"
	"                              IPC ones (kernel.msgmax, msgmnb, msgmni, sem,\n"
	"                              shmall, shmmax, shmmni, shm_rmid_forced, and\n"
	"                              fs.mqueue.*); may be repeated\n"
	"      --workdir=DIR           run the command in DIR (made if missing)\n"
	"      --exec-fifo=PATH        before the command starts, wait until someone opens\n"
	"                              the FIFO PATH for reading (runc's create and start)\n"
	"      --console-socket=PATH   give the command a new terminal, its master sent\n"
	"                              to the unix socket PATH (runc's protocol)\n"
	"      --cmd-fd=N              read the command from fd N (arguments separated\n"
	"                              by NUL bytes), then close it, as runc's init does\n"
	"      --preserve-fds=N        pass fds 3 to 3+N-1 on to the command (every\n"
	"                              other fd above 2 is closed when it starts)\n"
	"      --no-proc               do not mount /proc\n"
	"      --readonly              make the root read-only (mounts on it stay as they are)\n"
	"      --nodev                 device nodes work only in the /dev made here: the\n"
	"                              root and the mounts under it, the volumes, and each\n"
	"                              --mount without the word dev (but devpts) get nodev\n"
	"  -v, --verbose               print each kernel call on stderr\n"
	"  -h, --help                  show this help\n"
	"      --version               show the version\n";

enum {
	OPT_MOUNT = 256, OPT_VOLUME, OPT_MASK, OPT_READONLY_PATH, OPT_SYSCTL, OPT_WORKDIR, OPT_EXEC_FIFO,
	OPT_CONSOLE_SOCKET, OPT_CMD_FD, OPT_PRESERVE_FDS, OPT_NO_PROC, OPT_READONLY, OPT_NODEV,
	OPT_VERSION
};

/* One --mount (an entry of a config.json's "mounts"), or --volume. */
struct mount_spec {
	const char *spec;           /* as given, for messages */
	const char *type, *source, *dest;
	unsigned long flags;        /* from the flag words: MS_RDONLY, MS_BIND... */
	unsigned long propagation;  /* MS_PRIVATE, MS_REC|MS_SLAVE...: the last such word, or 0 */
	char *data;                 /* every other word, for the file system: "mode=755,size=65536k" */
	int bind;                   /* TYPE bind, or the word bind or rbind */
	int cgroup;                 /* TYPE cgroup or cgroup2: the process's own cgroups */
	int file;                   /* a bind of something that is not a directory */
	int dev;                    /* the word dev, not undone by a later nodev */
};

/* What the options ask for; each list in the order given. */
struct options {
	struct mount_spec *mounts, *volumes;
	const char **masks, **readonly_paths, **sysctls;
	size_t nvolumes, nmounts, nmasks, nreadonly_paths, nsysctls;
	const char *workdir, *exec_fifo, *console_socket;
	int cmd_fd, no_proc, readonly, nodev;
	long long preserve_fds;
};

/* pivot_root(2) has no glibc wrapper. */
static int pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

/* mount(2), traced as strace shows it: the data is a string strace
 * cuts at 32 bytes. Returns what mount returned. */
static int mount_traced(const char *source, const char *target, const char *type, unsigned long flags,
			const char *data)
{
	return (int)trace(mount(source, target, type, flags, data), "mount(%s, %s, %s, %s, %s)", quote(source),
			  quote(target), quote(type), mount_flags_str(flags),
			  data ? quote_mem(data, strlen(data)) : "NULL");
}

/* mount(2) on a directory given by an fd: the path /proc/self/fd/N
 * names exactly the directory we opened inside the root, whatever
 * symlinks or renames happen later. The openat2 traced just before
 * shows which directory fd N is. */
static char fd_path[64];

static const char *at(int fd)
{
	snprintf(fd_path, sizeof(fd_path), "/proc/self/fd/%d", fd);
	return fd_path;
}

/* mount_traced on fd; where (the path inside the root) is for the
 * message if it fails. Dies on failure. */
static void mount_at(const char *source, int fd, const char *where, const char *type,
		     unsigned long flags, const char *data)
{
	if (mount_traced(source, at(fd), type, flags, data) == -1) {
		if (flags & MS_REMOUNT)
			die_errno("cannot remount %s", where);
		if (!source && !type)
			die_errno("cannot change the propagation of %s", where);
		die_errno("cannot mount %s on %s", source ? source : type, where);
	}
}

/* The same on a path after pivot_root, where the path itself is inside
 * the container and /proc may not be mounted (--no-proc). */
static void mount_path(const char *source, const char *target, const char *type, unsigned long flags)
{
	if (mount_traced(source, target, type, flags, NULL) == -1) {
		if (flags & MS_REMOUNT)
			die_errno("cannot remount %s", target);
		die_errno("cannot mount %s on %s", source, target);
	}
}

/* Opens the directory PATH inside the root, making each missing
 * directory on the way. Only a name that is not there gets a mkdirat,
 * so that -v shows every mkdirat made, as strace does, and no more. */
static int make_dirs_in_root(int rootfd, const char *path)
{
	char prefix[PATH_MAX] = "";
	const char *p = path;

	while (*p) {
		size_t n;
		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (!n)
			break;
		int parent = open_in_root(rootfd, *prefix ? prefix : "/", O_PATH | O_DIRECTORY);
		if (parent == -1)
			die_errno("cannot open %s inside the root", *prefix ? prefix : "/");
		snprintf(prefix + strlen(prefix), sizeof(prefix) - strlen(prefix), "/%.*s", (int)n, p);
		int there = open_in_root(rootfd, prefix, O_PATH);
		if (there >= 0)
			close(there);
		else {
			char name[NAME_MAX + 1];
			snprintf(name, sizeof(name), "%.*s", (int)n, p);
			/* EEXIST: a dangling symlink (the open below says so), or
			 * a directory made meanwhile */
			if (trace(mkdirat(parent, name, 0755), "mkdirat(%d, %s, 0755)", parent, quote(name)) == -1 &&
			    errno != EEXIST)
				die_errno("cannot make %s inside the root", prefix);
		}
		close(parent);
		p += n;
	}
	int fd = open_in_root(rootfd, path, O_PATH | O_DIRECTORY);
	if (fd == -1)
		die_errno("cannot open %s inside the root", path);
	return fd;
}

/* A mount point: make_dirs_in_root, refusing what resolves to the root
 * itself (a mount there would vanish under pivot_root). */
static int dir_in_root(int rootfd, const char *path)
{
	int fd = make_dirs_in_root(rootfd, path);
	struct stat st, root;

	if (fstat(fd, &st) == -1 || fstat(rootfd, &root) == -1)
		die_errno("fstat");
	if (st.st_dev == root.st_dev && st.st_ino == root.st_ino && strspn(path, "/") != strlen(path))
		die("%s resolves to the root of the container itself (a symlink to /?): refused", path);
	return fd;
}

/* The mount point of a bind-mounted file: PATH inside the root, made an
 * empty file if missing (and the directories on the way), as runc does.
 * O_CREAT follows a symlink, but RESOLVE_IN_ROOT keeps it inside. */
static int file_in_root(int rootfd, const char *path)
{
	int fd = open_in_root(rootfd, path, O_PATH);

	if (fd == -1 && errno == ENOENT) {
		char parent[PATH_MAX];
		int len = (int)(strrchr(path, '/') - path); /* path is absolute and clean */
		snprintf(parent, sizeof(parent), "%.*s", len ? len : 1, path);
		close(dir_in_root(rootfd, parent));
		int created = open_in_root(rootfd, path, O_WRONLY | O_CREAT | O_NOCTTY);
		if (created == -1)
			die_errno("cannot make %s inside the root", path);
		/* open_how's mode is 0; a mount point is read by any user */
		if (trace(fchmod(created, 0644), "fchmod(%d, 0644)", created) == -1)
			die_errno("chmod %s", path);
		close(created);
		fd = open_in_root(rootfd, path, O_PATH);
	}
	if (fd == -1)
		die_errno("cannot open %s inside the root", path);
	return fd;
}

/* The flags a bind remount must keep: in a user namespace, nosuid,
 * nodev and noexec of the original mount are locked and may not go. */
static unsigned long locked_flags(int fd)
{
	struct statvfs sv;
	unsigned long flags = 0;

	if (fstatvfs(fd, &sv) == 0) {
		flags |= sv.f_flag & ST_NOSUID ? MS_NOSUID : 0;
		flags |= sv.f_flag & ST_NODEV ? MS_NODEV : 0;
		flags |= sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0;
	}
	return flags;
}

static void remount_readonly(int fd, const char *where)
{
	mount_at(NULL, fd, where, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags(fd), NULL);
}

/* --nodev on the root's bind mount and every mount under it (the
 * rootfs's own submounts, if it has any): mount_setattr(2) with
 * AT_RECURSIVE sets MOUNT_ATTR_NODEV alone and leaves every other flag
 * as it is, where MS_BIND|MS_REMOUNT would replace them and reach the
 * top mount only. Made before /dev, whose nodes must work. */
static void root_nodev(int rootfd)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_NODEV };

	if (trace(syscall(SYS_mount_setattr, rootfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)),
		  "mount_setattr(%d, \"\", AT_EMPTY_PATH|AT_RECURSIVE, {attr_set=MOUNT_ATTR_NODEV, attr_clr=0, "
		  "propagation=0 /* MS_??? */, userns_fd=0}, %zu)",
		  rootfd, sizeof(attr)) == -1)
		die_errno("cannot make the new root nodev");
}

/* mount_at on the directory PATH inside the root, opened (and made if
 * missing) for this one call. */
static void mount_in_root(int rootfd, const char *path, const char *source, const char *type,
			  unsigned long flags, const char *data)
{
	int fd = dir_in_root(rootfd, path);

	mount_at(source, fd, path, type, flags, data);
	close(fd);
}

/* A device node, or, where mknod is not allowed (a user namespace), an
 * empty file with the host's node bind-mounted on it, as rootless runc. */
static void make_device(int devfd, const char *name, unsigned int major, unsigned int minor)
{
	char path[64]; /* the same on the host and inside */
	int r = mknodat(devfd, name, S_IFCHR | 0666, makedev(major, minor));

	snprintf(path, sizeof(path), "/dev/%s", name);
	trace(r, "mknodat(%d, %s, S_IFCHR|0666, makedev(%#x, %#x))", devfd, quote(name), major, minor);
	if (r == 0) {
		if (trace(fchmodat(devfd, name, 0666, 0), "fchmodat(%d, %s, 0666)", devfd, quote(name)) == -1)
			die_errno("chmod %s", path); /* past the umask */
		return;
	}
	if (errno != EPERM)
		die_errno("cannot make %s", path);
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
	int fd = openat(devfd, name, flags, 0666);
	if (trace(fd, "openat(%d, %s, %s, 0666)", devfd, quote(name), open_flags_str(flags)) == -1)
		die_errno("cannot make %s", path);
	close(fd);
	flags = O_PATH | O_CLOEXEC;
	int target = openat(devfd, name, flags);
	if (trace(target, "openat(%d, %s, %s)", devfd, quote(name), open_flags_str(flags)) == -1)
		die_errno("cannot open %s", path);
	mount_at(path, target, path, NULL, MS_BIND, NULL);
	close(target);
}

static void mount_proc(int rootfd)
{
	int proc = dir_in_root(rootfd, "/proc");
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (mount_traced("proc", at(proc), "proc", flags, NULL) == -1)
		die_errno_hint(errno == EPERM ? "a user namespace may mount proc only for a pid namespace "
						"of its own: add -p -f to nsunshare, or --no-proc"
					      : NULL,
			       "cannot mount proc on /proc");
	close(proc);
}

static void make_dev(int rootfd)
{
	static const struct {
		const char *name;
		unsigned int major, minor;
	} nodes[] = {
		{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
		{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
	};
	static const struct {
		const char *name, *target;
	} links[] = {
		{ "ptmx", "pts/ptmx" }, { "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
	};

	mount_in_root(rootfd, "/dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
	/* Open it again: the fd from before the mount sees what is under it. */
	int dev = open_in_root(rootfd, "/dev", O_RDONLY | O_DIRECTORY);
	if (dev == -1)
		die_errno("cannot open the new /dev");
	for (size_t i = 0; i < LEN(nodes); i++)
		make_device(dev, nodes[i].name, nodes[i].major, nodes[i].minor);

	/* A devpts of its own: the container's ptys are not the host's. */
	mount_in_root(rootfd, "/dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
		      "newinstance,ptmxmode=0666,mode=0620");
	mount_in_root(rootfd, "/dev/shm", "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k");
	for (size_t i = 0; i < LEN(links); i++)
		if (trace(symlinkat(links[i].target, dev, links[i].name), "symlinkat(%s, %d, %s)",
			  quote(links[i].target), dev, quote(links[i].name)) == -1)
			die_errno("cannot link /dev/%s", links[i].name);
	close(dev);
}

static void mount_sys(int rootfd)
{
	int sys = dir_in_root(rootfd, "/sys");
	unsigned long flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (mount_traced("sysfs", at(sys), "sysfs", flags, NULL) == -1) {
		/* A user namespace without its own network namespace may not
		 * mount sysfs: show the host's, read-only, instead. */
		if (errno != EPERM)
			die_errno("cannot mount sysfs on /sys");
		mount_at("/sys", sys, "/sys", NULL, MS_BIND | MS_REC, NULL);
		close(sys);
		sys = dir_in_root(rootfd, "/sys");
		remount_readonly(sys, "/sys");
	}
	close(sys);
}

/* Opens the mount point of a --mount, again after each mount: an fd
 * from before a mount sees what is under it. */
static int mount_point(int rootfd, const struct mount_spec *m)
{
	return m->file ? file_in_root(rootfd, m->dest) : dir_in_root(rootfd, m->dest);
}

/* ---- a cgroup mount: this process's own cgroups, as runc shows them ----
 *
 * /proc/self/cgroup has a line "ID:CONTROLLERS:PATH" per hierarchy:
 * "4:memory:/ws/c1" on cgroup v1, the one line "0::/ws/c1" on v2. PATH
 * is relative to the root of our cgroup namespace, and a FRESH mount of
 * a hierarchy shows it from that same root (the kernel takes the root
 * from the mounter's cgroup namespace). So DEST/PATH of a fresh mount is
 * our own group, with or without a cgroup namespace of our own; bound
 * on DEST, it leaves only that group in sight. In a cgroup namespace
 * made where we are (nsunshare -C), PATH is "/": the fresh mount alone
 * shows our group. mountinfo is read for one thing only: the flags of
 * the cgroup2 hierarchy, cgroup2_flags. */

struct cgroup_line {
	char *controllers;  /* "memory", "cpu,cpuacct", "name=systemd"; "" on v2 */
	char *path;         /* "/ws/c1", relative to our cgroup namespace */
};

/* The lines of /proc/self/cgroup into lines, at most max; returns how
 * many. Dies if it cannot be read or a line is not one. */
static size_t read_own_cgroups(struct cgroup_line *lines, size_t max)
{
	static char text[16384];
	ssize_t len = read_file("/proc/self/cgroup", text, sizeof(text));
	size_t n = 0;
	char *save = NULL;

	if (len == -1)
		die_errno("cannot read /proc/self/cgroup");
	if ((size_t)len == sizeof(text) - 1)
		die("/proc/self/cgroup is longer than %zu bytes", sizeof(text) - 1);
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *c = strchr(l, ':'), *p = c ? strchr(c + 1, ':') : NULL;
		if (!p || p[1] != '/')
			die("/proc/self/cgroup: '%s' is not ID:CONTROLLERS:PATH", l);
		if (n == max)
			die("/proc/self/cgroup lists more than %zu hierarchies", max);
		*p = '\0';
		lines[n++] = (struct cgroup_line){ .controllers = c + 1, .path = p + 1 };
	}
	if (n == 0)
		die("/proc/self/cgroup lists no cgroup (a kernel without cgroups?)");
	return n;
}

/* One hierarchy (NAME in messages) at WHERE inside the root: a fresh
 * mount of TYPE with DATA, then its PATH bound on top of it, then the
 * flags on that bind (a bind takes none of its own). Where the kernel
 * refuses the fresh mount with EPERM (a user namespace may mount cgroups
 * only in a cgroup namespace it owns), the host's view of our group,
 * HOST plus PATH, is bound instead, as rootless runc does: before
 * pivot_root the host's /sys/fs/cgroup is still in sight. Linux 6.1
 * refuses cgroup2 with EBUSY in a cgroup namespace that a user namespace
 * owns (its one superblock belongs to the first user namespace): there
 * PATH is "/", the host's path of our group is unknown, and binding the
 * host's root would show every group, so EBUSY is an error. */
static void mount_hierarchy(int rootfd, const struct mount_spec *m, const char *where, const char *type,
			    const char *data, const char *path, const char *host, const char *name)
{
	char source[PATH_MAX];
	unsigned long bind = MS_BIND;
	int own = strcmp(path, "/") != 0;

	/* A process that joined a cgroup namespace from outside its root
	 * sees "/../x": DEST/.. would climb out of the mount. */
	if (strcmp(path, "/..") == 0 || strncmp(path, "/../", 4) == 0)
		die("cgroup hierarchy %s: this process's group %s is outside its cgroup namespace", name, path);
	int fd = dir_in_root(rootfd, where);
	int r = mount_traced(type, at(fd), type, m->flags, data);
	if (r == -1 && errno != EPERM)
		die_errno("cannot mount cgroup hierarchy %s on %s", name, where);
	int fresh = r == 0;
	close(fd);
	if (fresh && !own)
		return;
	/* Open it again: the fd from before the mount sees what is under it. */
	fd = dir_in_root(rootfd, where);
	if (fresh)
		snprintf(source, sizeof(source), "%s%s", at(fd), path);
	else
		snprintf(source, sizeof(source), "%s%s", host, own ? path : "");
	r = mount_traced(source, at(fd), NULL, bind, NULL);
	if (r == -1 && fresh)
		die_errno("cannot bind %s of cgroup hierarchy %s on %s", path, name, where);
	if (r == -1)
		die_errno_hint("in a user namespace, add -C to nsunshare: a cgroup namespace of its own may mount cgroups",
			       "cannot mount cgroup hierarchy %s on %s (%s), nor bind the host's %s there", name, where,
			       strerror(EPERM), source);
	close(fd);
	if (m->flags) {
		fd = dir_in_root(rootfd, where); /* the bind, now on top */
		mount_at(NULL, fd, where, NULL, MS_BIND | MS_REMOUNT | m->flags | locked_flags(fd), NULL);
		close(fd);
	}
}

/* A co-mounted hierarchy ("cpu,cpuacct") is also reached by the name of
 * each controller in it: DEST/cpu -> cpu,cpuacct, as hosts have it. */
static void link_controllers(int tmpfs, const char *dest, const char *dir)
{
	char name[NAME_MAX + 1];

	for (const char *word = dir; *word;) {
		size_t len = strcspn(word, ",");
		snprintf(name, sizeof(name), "%.*s", (int)len, word);
		word += len + (word[len] == ',');
		if (strncmp(name, "name=", 5) == 0)
			continue;
		if (trace(symlinkat(dir, tmpfs, name), "symlinkat(%s, %d, %s)", quote(dir), tmpfs, quote(name)) == -1)
			die_errno("cannot link %s/%s to %s", dest, name, dir);
	}
}

/* The flags of the one cgroup2 hierarchy ("nsdelegate,memory_recursiveprot"
 * as systemd mounts it), from the superblock options of a cgroup2 mount
 * in sight, without rw or ro; "" if none is. They belong to the
 * hierarchy, not to a mount: a fresh mount made in the first cgroup
 * namespace sets them, for the whole machine, to what it is given (the
 * kernel ignores them in any other cgroup namespace). So a fresh mount
 * is given what they are now; with none it would turn nsdelegate off on
 * the host, as runc and dockerd have been seen to do. */
static void cgroup2_flags(char *buf, size_t size)
{
	struct mount_entry e = { 0 };
	FILE *f = mountinfo_open(0);
	int found = 0;

	if (!f)
		die_errno("cannot read /proc/self/mountinfo");
	*buf = '\0';
	while (mountinfo_next(f, &e)) {
		if (found || strcmp(e.fstype, "cgroup2") != 0)
			continue;
		found = 1;
		for (char *save = NULL, *o = strtok_r(e.super_options, ",", &save); o; o = strtok_r(NULL, ",", &save))
			if (strcmp(o, "rw") != 0 && strcmp(o, "ro") != 0)
				snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", *buf ? "," : "", o);
	}
	fclose(f);
}

/* --mount=cgroup:... or cgroup2:...: the hierarchies of this process,
 * each showing only its own group. Both types mean "the container's
 * cgroups", so the host decides the layout, as with runc: v2 (the one
 * line "0::PATH") is a cgroup2 mount at DEST; v1 or hybrid is a tmpfs
 * at DEST with one directory per v1 hierarchy. */
static void mount_cgroup(int rootfd, const struct mount_spec *m)
{
	struct cgroup_line lines[64];
	size_t n = read_own_cgroups(lines, LEN(lines));
	int v1 = 0;

	for (size_t i = 0; i < n; i++)
		v1 |= *lines[i].controllers != '\0';
	if (!v1) {
		char flags[256];
		cgroup2_flags(flags, sizeof(flags));
		mount_hierarchy(rootfd, m, m->dest, "cgroup2", *flags ? flags : NULL, lines[0].path, "/sys/fs/cgroup",
				"cgroup2");
	} else {
		mount_in_root(rootfd, m->dest, "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755");
		int tmpfs = dir_in_root(rootfd, m->dest);
		for (size_t i = 0; i < n; i++) {
			const char *controllers = lines[i].controllers;
			char dir[NAME_MAX + 1], data[NAME_MAX + 8], where[PATH_MAX], host[PATH_MAX];
			/* hybrid: the "0::" line is the unified hierarchy, which
			 * runc does not show either */
			if (!*controllers)
				continue;
			/* a named hierarchy without controllers, "name=systemd",
			 * is at DEST/systemd, and mounted as "none,name=systemd" */
			int named = strncmp(controllers, "name=", 5) == 0 && !strchr(controllers, ',');
			snprintf(dir, sizeof(dir), "%s", named ? controllers + 5 : controllers);
			snprintf(data, sizeof(data), "%s%s", named ? "none," : "", controllers);
			snprintf(where, sizeof(where), "%s/%s", m->dest, dir);
			snprintf(host, sizeof(host), "/sys/fs/cgroup/%s", dir);
			mount_hierarchy(rootfd, m, where, "cgroup", data, lines[i].path, host, controllers);
			if (strchr(controllers, ','))
				link_controllers(tmpfs, m->dest, dir);
		}
		/* last: the directories and links are made by now */
		if (m->flags & MS_RDONLY)
			remount_readonly(tmpfs, m->dest);
		close(tmpfs);
	}
	if (m->propagation)
		mount_in_root(rootfd, m->dest, NULL, NULL, m->propagation, NULL);
}

/* One --mount or --volume. A bind mount takes no flags but MS_BIND and
 * MS_REC: ro, nosuid and the like need a second call with MS_REMOUNT.
 * The propagation is a call of its own too: mount(2) refuses it mixed
 * with other flags. That is how runc does it. */
static void mount_one(int rootfd, const struct mount_spec *m)
{
	if (m->cgroup) {
		mount_cgroup(rootfd, m);
		return;
	}
	int fd = mount_point(rootfd, m);
	unsigned long bind_flags = MS_BIND | (m->flags & MS_REC);

	if (!m->bind)
		mount_at(m->source, fd, m->dest, m->type, m->flags, m->data);
	else {
		mount_at(m->source, fd, m->dest, NULL, bind_flags, NULL);
		if (m->flags & ~bind_flags) {
			close(fd);
			fd = mount_point(rootfd, m);
			mount_at(NULL, fd, m->dest, NULL, MS_BIND | MS_REMOUNT | (m->flags & ~MS_REC) | locked_flags(fd),
				 NULL);
		}
	}
	if (m->propagation) {
		close(fd);
		fd = mount_point(rootfd, m);
		mount_at(NULL, fd, m->dest, NULL, m->propagation, NULL);
	}
	close(fd);
}

/* An O_PATH fd on path (inside the container, after pivot_root), or -1
 * if there is nothing there: where a path of linux.maskedPaths or
 * readonlyPaths does not exist, runc goes on. O_PATH opens neither for
 * reading nor writing: any file will do, as for stat(2). */
static int open_existing(const char *path)
{
	int flags = O_PATH | O_CLOEXEC;
	int fd = open(path, flags);

	if (trace(fd, "openat(AT_FDCWD, %s, %s)", quote(path), open_flags_str(flags)) >= 0)
		return fd;
	if (errno != ENOENT && errno != ENOTDIR)
		die_errno("cannot open %s", path);
	return -1;
}

/* linux.readonlyPaths: PATH bound on itself, then that bind read-only. */
static void make_readonly(const char *path)
{
	int fd = open_existing(path);

	if (fd == -1)
		return;
	close(fd);
	mount_path(path, path, NULL, MS_BIND | MS_REC);
	fd = open_existing(path); /* the bind, now on top */
	if (fd == -1)
		die_errno("cannot open %s", path);
	mount_path(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags(fd));
	close(fd);
}

/* linux.maskedPaths (/proc/kcore, /sys/firmware...): a directory gets an
 * empty read-only tmpfs, anything else the container's /dev/null. */
static void mask(const char *path)
{
	struct stat st;
	int fd = open_existing(path);

	if (fd == -1)
		return;
	if (fstat(fd, &st) == -1)
		die_errno("fstat %s", path);
	close(fd);
	if (S_ISDIR(st.st_mode))
		mount_path("tmpfs", path, "tmpfs", MS_RDONLY);
	else
		mount_path("/dev/null", path, NULL, MS_BIND);
}

/* linux.sysctl: "net.ipv4.ip_forward=1" is "1" written to
 * /proc/sys/net/ipv4/ip_forward, this container's own (the net, ipc and
 * uts namespaces each have their part of /proc/sys). */
static void set_sysctl(const char *setting)
{
	size_t keylen = strcspn(setting, "=");
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/proc/sys/%.*s", (int)keylen, setting);
	for (char *c = path + strlen("/proc/sys/"); *c; c++)
		if (*c == '.')
			*c = '/';
	if (write_file(path, setting + keylen + 1) == -1)
		die_errno("cannot set sysctl %.*s (%s)", (int)keylen, setting, path);
}

/* --exec-fifo, before anything else: an O_PATH fd on the FIFO. It opens
 * neither end, so it does not block, and it reaches the FIFO after
 * pivot_root, when the host path is gone from view. */
static int hold_exec_fifo(const char *path)
{
	struct stat st;
	int flags = O_PATH | O_CLOEXEC;
	int fd = open(path, flags);

	if (trace(fd, "openat(AT_FDCWD, %s, %s)", quote(path), open_flags_str(flags)) == -1)
		die_errno("--exec-fifo %s", path);
	if (fstat(fd, &st) == -1)
		die_errno("--exec-fifo %s", path);
	if (!S_ISFIFO(st.st_mode))
		die("--exec-fifo %s is not a FIFO (make it with mkfifo)", path);
	return fd;
}

/* runc's create and start. The runtime's create returns while we wait
 * here, everything set up and the command not yet running: opening a
 * FIFO for writing blocks until someone opens it for reading, and that
 * is the runtime's start. We write one byte so the reader knows it was
 * us; the fd closes at execve, and the reader's EOF says the command
 * runs. The path goes through /proc/self/fd: the FIFO's own path is on
 * the host, out of the new root. */
static void wait_for_start(int fifo)
{
	static const char byte[] = "0";
	char path[64];
	int flags = O_WRONLY | O_CLOEXEC;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fifo);
	int fd = open(path, flags);
	if (trace(fd, "openat(AT_FDCWD, %s, %s)", quote(path), open_flags_str(flags)) == -1)
		die_errno("cannot open the exec fifo");
	if (trace(write(fd, byte, 1), "write(%d, %s, 1)", fd, quote_mem(byte, 1)) == -1)
		die_errno("cannot write to the exec fifo");
	trace(close(fifo), "close(%d)", fifo);
}

/* Refuses the mount namespace the machine's own processes live in: a
 * pivot_root there would move every process on the machine into
 * NEWROOT. The same holds in any mount namespace, which is why the hint
 * asks for pivotroot as nsunshare's command (or exec'ed), not a child of
 * a shell in the new namespace: that shell would land in NEWROOT too. */
static void refuse_host_namespace(void)
{
	ino_t ours;

	if (ns_inode(0, "mnt", &ours) == -1)
		die_errno("cannot read /proc/self/ns/mnt");
	if (is_machine_ns("mnt", ours))
		die("refusing to run in the host's mount namespace: pivot_root would move every process into "
		    "the new root (run it as the command of nsunshare -m, or exec it: a shell in its mount "
		    "namespace would move too)");
}

/* The command from fd N: arguments separated (or ended) by NUL bytes. */
static char **read_command(int fd)
{
	char *data = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&data, &size);
	char buf[4096];
	ssize_t n;

	if (!f)
		die("out of memory");
	do {
		n = read(fd, buf, sizeof(buf));
		trace(n, "read(%d, %s, %zu)", fd, quote_mem(buf, n > 0 ? (size_t)n : 0), sizeof(buf));
		if (n > 0)
			fwrite(buf, 1, (size_t)n, f);
	} while (n > 0);
	if (n == -1)
		die_errno("cannot read the command from fd %d", fd);
	fputc('\0', f);
	fclose(f);
	trace(close(fd), "close(%d)", fd);

	size_t argc = 0;
	char **argv = erealloc(NULL, (size + 1) * sizeof(*argv));
	for (size_t i = 0; i + 1 < size; i += strlen(data + i) + 1)
		argv[argc++] = data + i;
	argv[argc] = NULL; /* execve(2) finds the end of argv by it */
	if (!argc || !*argv[0])
		die("no command on fd %d (want arguments separated by NUL bytes)", fd);
	return argv;
}

/* The target of a volume, made canonical in place: one '/' between
 * names, no "." and no trailing '/'. Returns -1 for a name ".." (the
 * target must say where it lands without a lookup). */
static int clean_target(char *path)
{
	char *out = path, *name = path;

	while (*name) {
		while (*name == '/')
			name++;
		size_t len = strcspn(name, "/");
		if (len == 2 && strncmp(name, "..", 2) == 0)
			return -1;
		if (len > 0 && !(len == 1 && *name == '.')) {
			*out++ = '/';
			memmove(out, name, len);
			out += len;
		}
		name += len;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
	return 0;
}

/* The target of a --volume or --mount (named what in messages), made
 * canonical: an absolute path without "..", and not the root itself (a
 * mount there would vanish under pivot_root); dies (usage) otherwise. */
static void check_target(const char *opt, const char *spec, const char *what, char *target)
{
	if (*target != '/')
		die_usage("%s: '%s': %s must be an absolute path", opt, spec, what);
	if (clean_target(target) == -1)
		die_usage("%s: '%s': %s may not contain ..", opt, spec, what);
	if (strcmp(target, "/") == 0)
		die_usage("%s: '%s': %s cannot be / itself (use the rootfs for that)", opt, spec, what);
}

/* "HOST:CTR[:ro|:rw]" into *v, the bind mount it is; dies (usage) on
 * anything else, on a bad target (check_target) and on a target that an
 * earlier volume already has. */
static void parse_volume(const char *spec, struct mount_spec *v, const struct mount_spec *earlier, size_t n)
{
	char *host = estrdup(spec), *target, *mode;

	target = strchr(host, ':');
	if (!target || target == host || !target[1])
		die_usage("--volume: '%s' is not HOST:CTR[:ro]", spec);
	*target++ = '\0';
	if ((mode = strchr(target, ':'))) {
		*mode++ = '\0';
		if (strcmp(mode, "ro") != 0 && strcmp(mode, "rw") != 0)
			die_usage("--volume: '%s': the mode is ro or rw", spec);
	}
	check_target("--volume", spec, "the target", target);
	for (size_t i = 0; i < n; i++)
		if (strcmp(earlier[i].dest, target) == 0)
			die_usage("--volume: '%s': %s is already the target of another volume", spec, target);
	unsigned long ro = mode && strcmp(mode, "ro") == 0 ? MS_RDONLY : 0;
	*v = (struct mount_spec){ .spec = spec, .source = host, .dest = target, .flags = MS_BIND | MS_REC | ro,
				  .bind = 1 };
}

/* The option words of mount(8) and of a config.json that are mount
 * flags; clear: the word turns its flag off ("rw" after "ro"). */
static const struct {
	const char *word;
	int clear;
	unsigned long flag;
} flag_words[] = {
	{ "ro", 0, MS_RDONLY },          { "rw", 1, MS_RDONLY },
	{ "nosuid", 0, MS_NOSUID },      { "suid", 1, MS_NOSUID },
	{ "nodev", 0, MS_NODEV },        { "dev", 1, MS_NODEV },
	{ "noexec", 0, MS_NOEXEC },      { "exec", 1, MS_NOEXEC },
	{ "sync", 0, MS_SYNCHRONOUS },   { "async", 1, MS_SYNCHRONOUS },
	{ "dirsync", 0, MS_DIRSYNC },    { "mand", 0, MS_MANDLOCK },
	{ "nomand", 1, MS_MANDLOCK },    { "noatime", 0, MS_NOATIME },
	{ "atime", 1, MS_NOATIME },      { "nodiratime", 0, MS_NODIRATIME },
	{ "diratime", 1, MS_NODIRATIME }, { "relatime", 0, MS_RELATIME },
	{ "norelatime", 1, MS_RELATIME }, { "strictatime", 0, MS_STRICTATIME },
	{ "nostrictatime", 1, MS_STRICTATIME },
	{ "bind", 0, MS_BIND },          { "rbind", 0, MS_BIND | MS_REC },
};

/* The propagation words: "r" for the mounts below too (MS_REC). */
static const struct {
	const char *word;
	unsigned long flag;
} propagation_words[] = {
	{ "private", MS_PRIVATE },       { "rprivate", MS_REC | MS_PRIVATE },
	{ "shared", MS_SHARED },         { "rshared", MS_REC | MS_SHARED },
	{ "slave", MS_SLAVE },           { "rslave", MS_REC | MS_SLAVE },
	{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_REC | MS_UNBINDABLE },
};

static int ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);
	return n >= m && strcmp(s + n - m, end) == 0;
}

/* One word of a --mount's OPTIONS into m: a flag, a propagation, or
 * data (appended to m->data, which has room for all of OPTIONS). */
static void add_mount_word(struct mount_spec *m, const char *word)
{
	for (size_t i = 0; i < LEN(flag_words); i++)
		if (strcmp(word, flag_words[i].word) == 0) {
			if (flag_words[i].clear)
				m->flags &= ~flag_words[i].flag;
			else
				m->flags |= flag_words[i].flag;
			if (flag_words[i].flag == MS_NODEV) /* for --nodev */
				m->dev = flag_words[i].clear;
			return;
		}
	for (size_t i = 0; i < LEN(propagation_words); i++)
		if (strcmp(word, propagation_words[i].word) == 0) {
			m->propagation = propagation_words[i].flag;
			return;
		}
	if (ends_with(word, "private") || ends_with(word, "shared") || ends_with(word, "slave") ||
	    ends_with(word, "unbindable"))
		die_usage("--mount: '%s': unknown propagation '%s'", m->spec, word);
	if (*m->data)
		strcat(m->data, ",");
	strcat(m->data, word);
}

/* "TYPE:SOURCE:DEST[:OPTIONS]" into *m; dies (usage) on anything else.
 * OPTIONS is the rest, so it may hold a ':' (an SELinux context=); the
 * paths may not. */
static void parse_mount(const char *spec, struct mount_spec *m)
{
	char *type = estrdup(spec), *source, *dest, *options, *word, *save;

	*m = (struct mount_spec){ .spec = spec, .type = type };
	if (!(source = strchr(type, ':')) || !(dest = strchr(source + 1, ':')))
		die_usage("--mount: '%s' is not TYPE:SOURCE:DEST[:OPTIONS]", spec);
	*source++ = '\0';
	*dest++ = '\0';
	if ((options = strchr(dest, ':')))
		*options++ = '\0';
	if (!*type || !*source || !*dest)
		die_usage("--mount: '%s' is not TYPE:SOURCE:DEST[:OPTIONS]", spec);
	check_target("--mount", spec, "DEST", dest);
	m->source = source;
	m->dest = dest;
	m->data = erealloc(NULL, options ? strlen(options) + 1 : 1);
	*m->data = '\0';
	if (options)
		for (word = strtok_r(options, ",", &save); word; word = strtok_r(NULL, ",", &save))
			add_mount_word(m, word);
	/* A cgroup mount is made of fresh mounts and binds of our own
	 * (mount_cgroup): a bind word or a data word has no place in it. */
	m->cgroup = strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0;
	if (m->cgroup && (m->flags & MS_BIND))
		die_usage("--mount: '%s': a cgroup mount cannot be a bind (it shows this process's own cgroups)", spec);
	if (m->cgroup && *m->data)
		die_usage("--mount: '%s': a cgroup mount takes flags only, not '%s'", spec, m->data);
	m->bind = strcmp(type, "bind") == 0 || (m->flags & MS_BIND);
	if (m->bind)
		m->flags |= MS_BIND;
	/* The kernel ignores data on a bind: a word it would not see is a
	 * typo, or an option we do not do (idmap, rro). */
	if (m->bind && *m->data)
		die_usage("--mount: '%s': a bind mount takes flags only, not '%s'", spec, m->data);
}

/* The namespace that keeps a value of its own for the sysctl KEY (len
 * bytes), by its name in /proc/self/ns: "ipc", "net" or "uts"; NULL for
 * every other key, which is the whole machine's (kernel.core_pattern,
 * vm.swappiness, kernel.modprobe: written from a container they set the
 * host's). The keys runc allows (libcontainer/configs/validate). */
static const char *sysctl_namespace(const char *key, size_t len)
{
	static const struct {
		const char *key, *ns;
	} keys[] = {
		{ "kernel.msgmax", "ipc" }, { "kernel.msgmnb", "ipc" }, { "kernel.msgmni", "ipc" },
		{ "kernel.sem", "ipc" }, { "kernel.shmall", "ipc" }, { "kernel.shmmax", "ipc" },
		{ "kernel.shmmni", "ipc" }, { "kernel.shm_rmid_forced", "ipc" },
		{ "kernel.hostname", "uts" }, { "kernel.domainname", "uts" },
	};

	for (size_t i = 0; i < LEN(keys); i++)
		if (strlen(keys[i].key) == len && strncmp(key, keys[i].key, len) == 0)
			return keys[i].ns;
	if (len > strlen("fs.mqueue.") && strncmp(key, "fs.mqueue.", strlen("fs.mqueue.")) == 0)
		return "ipc";
	if (len > strlen("net.") && strncmp(key, "net.", strlen("net.")) == 0)
		return "net";
	return NULL;
}

/* "KEY=VALUE" of --sysctl. The key names a file under /proc/sys, so it
 * may not climb out of it: no '/', and no empty name between its dots
 * (".." would be "/../"). And it must be a key of a namespace (checked
 * to be the container's own later, check_sysctl_namespaces). */
static void check_sysctl(const char *setting)
{
	size_t keylen = strcspn(setting, "=");

	if (!setting[keylen] || !keylen)
		die_usage("--sysctl: '%s' is not KEY=VALUE", setting);
	char *dots = strstr(setting, "..");
	if (memchr(setting, '/', keylen) || (dots && dots < setting + keylen) || setting[0] == '.' ||
	    setting[keylen - 1] == '.')
		die_usage("--sysctl: '%s': the key may not contain / or .., nor begin or end with a dot", setting);
	if (!sysctl_namespace(setting, keylen))
		die_usage("--sysctl %.*s: not in a namespace of the container's own, it would set the host's",
			  (int)keylen, setting);
}

/* --mask and --readonly-path name a path inside the container. */
static const char *container_path(const char *opt, const char *path)
{
	if (*path != '/')
		die_usage("%s: '%s' is not an absolute path", opt, path);
	return path;
}

/* A number from 0 to max, or a usage error "OPT: 'S' is not WHAT". */
static long long number_arg(const char *opt, const char *s, long long max, const char *what)
{
	long long n = parse_number(s);

	if (n < 0 || n > max)
		die_usage("%s: '%s' is not %s", opt, s, what);
	return n;
}

/* The options into *o, each list as long as argc at most; returns the
 * index of NEWROOT in argv. */
static int parse_options(int argc, char *argv[], struct options *o)
{
	static const struct option longopts[] = {
		{ "mount", required_argument, NULL, OPT_MOUNT },
		{ "volume", required_argument, NULL, OPT_VOLUME },
		{ "mask", required_argument, NULL, OPT_MASK },
		{ "readonly-path", required_argument, NULL, OPT_READONLY_PATH },
		{ "sysctl", required_argument, NULL, OPT_SYSCTL },
		{ "workdir", required_argument, NULL, OPT_WORKDIR },
		{ "exec-fifo", required_argument, NULL, OPT_EXEC_FIFO },
		{ "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
		{ "cmd-fd", required_argument, NULL, OPT_CMD_FD },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
		{ "no-proc", no_argument, NULL, OPT_NO_PROC },
		{ "readonly", no_argument, NULL, OPT_READONLY },
		{ "nodev", no_argument, NULL, OPT_NODEV },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	size_t n = (size_t)argc;
	int c;

	*o = (struct options){ .cmd_fd = -1 };
	/* each entry is filled in as it is counted */
	o->volumes = erealloc(NULL, n * sizeof(*o->volumes));
	o->mounts = erealloc(NULL, n * sizeof(*o->mounts));
	o->masks = erealloc(NULL, n * sizeof(*o->masks));
	o->readonly_paths = erealloc(NULL, n * sizeof(*o->readonly_paths));
	o->sysctls = erealloc(NULL, n * sizeof(*o->sysctls));
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:vh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_MOUNT: parse_mount(optarg, &o->mounts[o->nmounts++]); break;
		case OPT_VOLUME:
			parse_volume(optarg, &o->volumes[o->nvolumes], o->volumes, o->nvolumes);
			o->nvolumes++;
			break;
		case OPT_MASK: o->masks[o->nmasks++] = container_path("--mask", optarg); break;
		case OPT_READONLY_PATH:
			o->readonly_paths[o->nreadonly_paths++] = container_path("--readonly-path", optarg);
			break;
		case OPT_SYSCTL:
			check_sysctl(optarg);
			o->sysctls[o->nsysctls++] = optarg;
			break;
		case OPT_WORKDIR: o->workdir = container_path("--workdir", optarg); break;
		case OPT_EXEC_FIFO: o->exec_fifo = optarg; break;
		case OPT_CONSOLE_SOCKET: o->console_socket = optarg; break;
		case OPT_CMD_FD: o->cmd_fd = (int)number_arg("--cmd-fd", optarg, INT_MAX, "a file descriptor"); break;
		case OPT_PRESERVE_FDS:
			o->preserve_fds = number_arg("--preserve-fds", optarg, INT_MAX - 3, "a number of fds");
			break;
		case OPT_NO_PROC: o->no_proc = 1; break;
		case OPT_READONLY: o->readonly = 1; break;
		case OPT_NODEV: o->nodev = 1; break;
		case 'v': verbose = 1; break;
		case 'h': print_help(help);
		case OPT_VERSION: print_version();
		default: bad_option(argv, c);
		}
	}
	if (optind >= argc)
		die_usage("give the new root");
	/* The exec fifo is reopened, and a sysctl written, through /proc. */
	if (o->no_proc && o->exec_fifo)
		die_usage("--exec-fifo needs /proc: it cannot go with --no-proc");
	if (o->no_proc && o->nsysctls)
		die_usage("--sysctl needs /proc: it cannot go with --no-proc");
	/* --nodev: a mount that asks for device nodes says "dev"; devpts
	 * holds only the ptys of its own instance, which nodev would break */
	for (size_t i = 0; o->nodev && i < o->nmounts; i++)
		if (!o->mounts[i].dev && strcmp(o->mounts[i].type, "devpts") != 0)
			o->mounts[i].flags |= MS_NODEV;
	for (size_t i = 0; o->nodev && i < o->nvolumes; i++)
		o->volumes[i].flags |= MS_NODEV;
	return optind;
}

/* Is this process in the host's namespace of kind KIND ("net", "ipc",
 * "uts")? is_machine_ns asks kthreadd (pid 2), which never leaves the
 * machine's first namespaces, and pid 1 unless we are pid 1. Under
 * nsunshare -p -f we are pid 1 of a pid namespace of our own, but /proc
 * is still the launcher's, whose pid 1 is another process: the machine's
 * init, or that of a container the launcher runs in (where no kthreadd
 * is in sight), and a namespace of either is not one made for this
 * container. /proc/self names us as that /proc sees us. What cannot be
 * read (no /proc; a user namespace may not look at pid 1) answers no. */
static int in_hosts_ns(const char *kind)
{
	ino_t ours, theirs;
	char self[32];
	ssize_t n;

	if (ns_inode(0, kind, &ours) == -1)
		return 0;
	if (is_machine_ns(kind, ours))
		return 1;
	n = readlink("/proc/self", self, sizeof(self));
	if (n <= 0 || (n == 1 && self[0] == '1'))
		return 0;
	return ns_inode(1, kind, &theirs) == 0 && theirs == ours;
}

/* Each --sysctl's namespace (sysctl_namespace) must be the container's
 * own: in the host's, its write would set the host's value. */
static void check_sysctl_namespaces(const struct options *o)
{
	static const struct {
		const char *ns, *name, *flag;
	} kinds[] = {
		{ "net", "network", "-n" }, { "ipc", "IPC", "-i" }, { "uts", "UTS", "-u" },
	};

	for (size_t i = 0; i < o->nsysctls; i++) {
		const char *key = o->sysctls[i];
		int keylen = (int)strcspn(key, "=");
		const char *ns = sysctl_namespace(key, (size_t)keylen);
		for (size_t k = 0; k < LEN(kinds); k++)
			if (strcmp(ns, kinds[k].ns) == 0 && in_hosts_ns(ns))
				die_usage("--sysctl %.*s: the %s namespace is the host's, it would set the host's: "
					  "nsunshare %s gives the container one of its own",
					  keylen, key, kinds[k].name, kinds[k].flag);
	}
}

/* 0. Everything that can be checked before the first mount; returns
 * NEWROOT as an absolute path. */
static char *check_arguments(const char *newroot, struct options *o, int has_command)
{
	char *real = realpath(newroot, NULL);
	struct stat st;

	if (!real)
		die_errno("new root %s", newroot);
	if (stat(real, &st) == -1 || !S_ISDIR(st.st_mode))
		die("new root %s is not a directory", newroot);
	if (strcmp(real, "/") == 0)
		die("the new root cannot be / itself");
	if (o->cmd_fd >= 0 && has_command)
		die_usage("--cmd-fd and a command on the line exclude each other");
	if (o->cmd_fd >= 0 && fcntl(o->cmd_fd, F_GETFD) == -1)
		die_errno("--cmd-fd %d", o->cmd_fd);
	check_sysctl_namespaces(o);
	for (size_t i = 0; i < o->nvolumes; i++)
		need_directory("volume source ", o->volumes[i].source);
	for (size_t i = 0; i < o->nmounts; i++) {
		struct mount_spec *m = &o->mounts[i];
		if (!m->bind)
			continue;
		if (stat(m->source, &st) == -1)
			die_errno("mount source %s", m->source);
		m->file = !S_ISDIR(st.st_mode);
	}
	return real;
}

int main(int argc, char *argv[])
{
	struct options o;

	progname = "pivotroot";
	optind = parse_options(argc, argv, &o);
	const char *newroot = argv[optind++];
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++; /* NEWROOT -- command: the "--" only ends our options */

	/* 0. Check everything before the first mount. */
	char *real = check_arguments(newroot, &o, optind < argc);
	/* In a pid namespace with other processes (a pod's), they see us:
	 * run from a copy of ourselves that they cannot write (lib/seal.c). */
	if (in_shared_pidns())
		exe_seal(argv);
	int fifo = o.exec_fifo ? hold_exec_fifo(o.exec_fifo) : -1;
	refuse_host_namespace();
	int console = o.console_socket ? console_connect(o.console_socket) : -1;

	/* 1. Nothing we mount may propagate back to the host. */
	if (mount_traced(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		die_errno("cannot make / private");

	/* 2. pivot_root needs new_root to be a mount point. */
	if (mount_traced(real, real, NULL, MS_BIND | MS_REC, NULL) == -1)
		die_errno("cannot bind-mount %s on itself", real);
	int root_flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
	int rootfd = open(real, root_flags);
	if (trace(rootfd, "openat(AT_FDCWD, %s, %s)", quote(real), open_flags_str(root_flags)) == -1)
		die_errno("%s", real);
	if (o.nodev) /* the image's device nodes do not work */
		root_nodev(rootfd);

	/* 3. The kernel's file systems, the config's mounts, the volumes. */
	if (!o.no_proc)
		mount_proc(rootfd);
	make_dev(rootfd);
	mount_sys(rootfd);
	for (size_t i = 0; i < o.nmounts; i++)
		mount_one(rootfd, &o.mounts[i]);
	for (size_t i = 0; i < o.nvolumes; i++)
		mount_one(rootfd, &o.volumes[i]);
	if (o.workdir) /* made now, while the root may still be written */
		close(make_dirs_in_root(rootfd, o.workdir));
	if (o.readonly)
		remount_readonly(rootfd, "/");

	/* 4. The swap. pivot_root(".", ".") puts the old root on top of
	 * the new one, at "/"; detaching it leaves the new root alone. */
	if (trace(fchdir(rootfd), "fchdir(%d)", rootfd) == -1)
		die_errno("fchdir");
	if (trace(pivot_root(".", "."), "pivot_root(\".\", \".\")") == -1)
		die_errno("pivot_root(%s)", quote(real));
	if (trace(umount2(".", MNT_DETACH), "umount2(\".\", MNT_DETACH)") == -1)
		die_errno("cannot detach the old root");
	if (trace(chdir("/"), "chdir(\"/\")") == -1)
		die_errno("chdir(\"/\")");
	close(rootfd);

	/* 5. Inside the new root, in runc's order. */
	if (console >= 0) /* the pty of the container's own devpts */
		console_attach(console);
	for (size_t i = 0; i < o.nsysctls; i++)
		set_sysctl(o.sysctls[i]);
	for (size_t i = 0; i < o.nreadonly_paths; i++)
		make_readonly(o.readonly_paths[i]);
	for (size_t i = 0; i < o.nmasks; i++)
		mask(o.masks[i]);
	if (o.workdir && trace(chdir(o.workdir), "chdir(%s)", quote(o.workdir)) == -1)
		die_errno("cannot change to the working directory %s", o.workdir);

	/* 6. The command: pid 1, when nsunshare -p -f started us. */
	static char *shell[] = { "/bin/sh", NULL }; /* the image's, not our $SHELL */
	char **cmd = o.cmd_fd >= 0 ? read_command(o.cmd_fd) : argv + optind;
	char *path;
	cmd = command_or_shell(cmd[0] ? cmd : shell, &path);
	cloexec_fds_from(3 + (unsigned int)o.preserve_fds);
	if (fifo >= 0)
		wait_for_start(fifo);
	exec_command(path, cmd);
}
