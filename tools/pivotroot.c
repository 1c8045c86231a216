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
 *   1. make every mount private (no mount of ours may reach the host)
 *   2. bind-mount NEWROOT on itself: pivot_root wants a mount point
 *   3. mount /proc, a small /dev, /sys read-only, the volumes, all
 *      looked up inside NEWROOT (openat2 with RESOLVE_IN_ROOT), so that a
 *      symlink in the image cannot send a mount to the host
 *   4. pivot_root(".", "."), detach the old root, chdir("/")
 *   5. read the command (from --cmd-fd, as runc's init reads its pipe),
 *      mark every other inherited fd close-on-exec (an fd on a host
 *      directory would reach around the new root: CVE-2024-21626), and
 *      execute it: under nsunshare -p -f it is pid 1
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
	"Make NEWROOT the root of this mount namespace (run it under nsunshare -m),\n"
	"with a fresh /proc, a minimal /dev and a read-only /sys, then run the\n"
	"command there (default /bin/sh).\n"
	"\n"
	"      --volume=HOST:CTR[:ro]  bind-mount directory HOST on CTR inside (read-only\n"
	"                              with :ro); may be repeated\n"
	"      --cmd-fd=N              read the command from fd N (arguments separated\n"
	"                              by NUL bytes), then close it, as runc's init does\n"
	"      --preserve-fds=N        pass fds 3 to 3+N-1 on to the command (every\n"
	"                              other fd above 2 is closed when it starts)\n"
	"      --no-proc               do not mount /proc\n"
	"      --readonly              make the root read-only (mounts on it stay as they are)\n"
	"  -v, --verbose               print each kernel call on stderr\n"
	"  -h, --help                  show this help\n"
	"      --version               show the version\n";

enum { OPT_VOLUME = 256, OPT_CMD_FD, OPT_PRESERVE_FDS, OPT_NO_PROC, OPT_READONLY, OPT_VERSION };

struct volume {
	const char *host, *target;
	int readonly;
};

/* pivot_root(2) has no glibc wrapper. */
static int pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

/* mount(2) on a directory given by an fd: the path /proc/self/fd/N
 * names exactly the directory we opened inside the root, whatever
 * symlinks or renames happen later. The trace shows where that is. */
static char fd_path[64];

static const char *at(int fd)
{
	snprintf(fd_path, sizeof(fd_path), "/proc/self/fd/%d", fd);
	return fd_path;
}

static void mount_at(const char *source, int fd, const char *where, const char *type,
		     unsigned long flags, const char *data)
{
	if (trace(mount(source, at(fd), type, flags, data), "mount(%s, \"%s\", %s, %s, %s) /* %s */",
		  quote(source), fd_path, type ? quote(type) : "NULL", mount_flags_str(flags),
		  data ? quote(data) : "NULL", where) == -1)
		die_errno("cannot mount %s on %s", source ? source : type, where);
}

/* Opens PATH inside the root (making each missing directory on the
 * way), and refuses what resolves to the root itself. */
static int dir_in_root(int rootfd, const char *path)
{
	char prefix[PATH_MAX] = "";
	const char *p = path;
	int fd = -1;

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
		char name[NAME_MAX + 1];
		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		int r = mkdirat(parent, name, 0755);
		if (r == 0 || errno != EEXIST)
			trace(r, "mkdirat(%d, %s, 0755)", parent, quote(name));
		if (r == -1 && errno != EEXIST)
			die_errno("cannot make %s inside the root", prefix);
		close(parent);
		p += n;
	}
	fd = open_in_root(rootfd, path, O_PATH | O_DIRECTORY);
	trace(fd, "openat2(%d, %s, {O_PATH|O_DIRECTORY, RESOLVE_IN_ROOT})", rootfd, quote(path));
	if (fd == -1)
		die_errno("cannot open %s inside the root", path);

	struct stat st, root;
	if (fstat(fd, &st) == -1 || fstat(rootfd, &root) == -1)
		die_errno("fstat");
	if (st.st_dev == root.st_dev && st.st_ino == root.st_ino && strspn(path, "/") != strlen(path))
		die("%s resolves to the root of the container itself (a symlink to /?): refused", path);
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

/* A device node, or, where mknod is not allowed (a user namespace), an
 * empty file with the host's node bind-mounted on it, as rootless runc. */
static void make_device(int devfd, const char *name, unsigned int major, unsigned int minor)
{
	int r = mknodat(devfd, name, S_IFCHR | 0666, makedev(major, minor));

	trace(r, "mknodat(%d, %s, S_IFCHR|0666, makedev(%u, %u))", devfd, quote(name), major, minor);
	if (r == 0) {
		if (fchmodat(devfd, name, 0666, 0) == -1) /* past the umask */
			die_errno("chmod /dev/%s", name);
		return;
	}
	if (errno != EPERM)
		die_errno("cannot make /dev/%s", name);
	int fd = openat(devfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd == -1)
		die_errno("cannot make /dev/%s", name);
	close(fd);
	char host[64], where[64];
	snprintf(host, sizeof(host), "/dev/%s", name);
	snprintf(where, sizeof(where), "/dev/%s", name);
	int target = openat(devfd, name, O_PATH | O_CLOEXEC);
	mount_at(host, target, where, NULL, MS_BIND, NULL);
	close(target);
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

	int dev = dir_in_root(rootfd, "/dev");
	mount_at("tmpfs", dev, "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
	close(dev);
	/* Open it again: the fd from before the mount sees what is under it. */
	dev = open_in_root(rootfd, "/dev", O_RDONLY | O_DIRECTORY);
	if (dev == -1)
		die_errno("cannot open the new /dev");
	for (size_t i = 0; i < LEN(nodes); i++)
		make_device(dev, nodes[i].name, nodes[i].major, nodes[i].minor);

	/* A devpts of its own: the container's ptys are not the host's. */
	int pts = dir_in_root(rootfd, "/dev/pts");
	mount_at("devpts", pts, "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		 "newinstance,ptmxmode=0666,mode=0620");
	close(pts);
	int shm = dir_in_root(rootfd, "/dev/shm");
	mount_at("shm", shm, "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k");
	close(shm);
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
	int r = mount("sysfs", at(sys), "sysfs", flags, NULL);

	trace(r, "mount(\"sysfs\", \"%s\", \"sysfs\", %s, NULL) /* /sys */", fd_path, mount_flags_str(flags));
	if (r == -1) {
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

static void mount_volume(int rootfd, const struct volume *v)
{
	int target = dir_in_root(rootfd, v->target);

	mount_at(v->host, target, v->target, NULL, MS_BIND | MS_REC, NULL);
	close(target);
	if (v->readonly) {
		target = dir_in_root(rootfd, v->target);
		remount_readonly(target, v->target);
		close(target);
	}
}

/* Refuses the mount namespace the machine's own processes live in: a
 * pivot_root there would move every process on the machine into
 * NEWROOT. */
static void refuse_host_namespace(void)
{
	ino_t ours;

	if (ns_inode(0, "mnt", &ours) == -1)
		die_errno("cannot read /proc/self/ns/mnt");
	if (is_machine_ns("mnt", ours))
		die("refusing to run in the host's mount namespace: pivot_root would move every process into "
		    "the new root (run it under nsunshare -m)");
}

/* The command from fd N: arguments separated (or ended) by NUL bytes. */
static char **read_command(int fd)
{
	char *data = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&data, &size);
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, f);
	if (n == -1)
		die_errno("cannot read the command from fd %d", fd);
	fputc('\0', f);
	fclose(f);
	trace((long)size - 1, "read(%d, ...) until EOF, in all", fd);
	trace(close(fd), "close(%d)", fd);

	size_t argc = 0;
	char **argv = calloc(size + 1, sizeof(*argv));
	for (size_t i = 0; i + 1 < size; i += strlen(data + i) + 1)
		argv[argc++] = data + i;
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

/* "HOST:CTR[:ro|:rw]" into *v; dies (usage) on anything else, on a target
 * that is the root itself (a mount there would vanish under pivot_root)
 * and on a target that an earlier volume already has. */
static void parse_volume(const char *spec, struct volume *v, const struct volume *earlier, size_t n)
{
	char *host = strdup(spec), *target, *mode;

	if (!host)
		die("out of memory");
	target = strchr(host, ':');
	if (!target || target == host || !target[1])
		die_usage("--volume: '%s' is not HOST:CTR[:ro]", spec);
	*target++ = '\0';
	if ((mode = strchr(target, ':'))) {
		*mode++ = '\0';
		if (strcmp(mode, "ro") != 0 && strcmp(mode, "rw") != 0)
			die_usage("--volume: '%s': the mode is ro or rw", spec);
	}
	if (*target != '/')
		die_usage("--volume: '%s': the target must be an absolute path", spec);
	if (clean_target(target) == -1)
		die_usage("--volume: '%s': the target may not contain ..", spec);
	if (strcmp(target, "/") == 0)
		die_usage("--volume: '%s': the target cannot be / itself (use the rootfs for that)", spec);
	for (size_t i = 0; i < n; i++)
		if (strcmp(earlier[i].target, target) == 0)
			die_usage("--volume: '%s': %s is already the target of another volume", spec, target);
	*v = (struct volume){ host, target, mode && strcmp(mode, "ro") == 0 };
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "volume", required_argument, NULL, OPT_VOLUME },
		{ "cmd-fd", required_argument, NULL, OPT_CMD_FD },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
		{ "no-proc", no_argument, NULL, OPT_NO_PROC },
		{ "readonly", no_argument, NULL, OPT_READONLY },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct volume *volumes = calloc((size_t)argc, sizeof(*volumes));
	size_t nvolumes = 0;
	int cmd_fd = -1, no_proc = 0, readonly = 0, c;
	long long preserve_fds = 0;

	progname = "pivotroot";
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:vh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_VOLUME:
			parse_volume(optarg, &volumes[nvolumes], volumes, nvolumes);
			nvolumes++;
			break;
		case OPT_CMD_FD: {
			long long n = parse_number(optarg);
			if (n < 0 || n > INT_MAX)
				die_usage("--cmd-fd: '%s' is not a file descriptor", optarg);
			cmd_fd = (int)n;
			break;
		}
		case OPT_PRESERVE_FDS:
			preserve_fds = parse_number(optarg);
			if (preserve_fds < 0 || preserve_fds > INT_MAX - 3)
				die_usage("--preserve-fds: '%s' is not a number of fds", optarg);
			break;
		case OPT_NO_PROC: no_proc = 1; break;
		case OPT_READONLY: readonly = 1; break;
		case 'v': verbose = 1; break;
		case 'h': print_help(help);
		case OPT_VERSION: print_version();
		default: bad_option(argv, c);
		}
	}
	if (optind >= argc)
		die_usage("give the new root");
	const char *newroot = argv[optind++];
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++; /* NEWROOT -- command: the "--" only ends our options */

	/* 0. Check everything before the first mount. */
	char *real = realpath(newroot, NULL);
	struct stat st;
	if (!real)
		die_errno("new root %s", newroot);
	if (stat(real, &st) == -1 || !S_ISDIR(st.st_mode))
		die("new root %s is not a directory", newroot);
	if (strcmp(real, "/") == 0)
		die("the new root cannot be / itself");
	if (cmd_fd >= 0 && optind < argc)
		die_usage("--cmd-fd and a command on the line exclude each other");
	if (cmd_fd >= 0 && fcntl(cmd_fd, F_GETFD) == -1)
		die_errno("--cmd-fd %d", cmd_fd);
	for (size_t i = 0; i < nvolumes; i++) {
		if (stat(volumes[i].host, &st) == -1)
			die_errno("volume source %s", volumes[i].host);
		if (!S_ISDIR(st.st_mode))
			die("volume source %s is not a directory", volumes[i].host);
	}
	refuse_host_namespace();

	/* 1. Nothing we mount may propagate back to the host. */
	if (trace(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL),
		  "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL)") == -1)
		die_errno("cannot make / private");

	/* 2. pivot_root needs new_root to be a mount point. */
	if (trace(mount(real, real, NULL, MS_BIND | MS_REC, NULL), "mount(%s, %s, NULL, MS_BIND|MS_REC, NULL)",
		  quote(real), quote(real)) == -1)
		die_errno("cannot bind-mount %s on itself", real);
	int rootfd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd == -1)
		die_errno("%s", real);

	/* 3. The kernel's file systems, then the volumes. */
	if (!no_proc) {
		int proc = dir_in_root(rootfd, "/proc");
		int r = mount("proc", at(proc), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
		trace(r, "mount(\"proc\", \"%s\", \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL) /* /proc */", fd_path);
		if (r == -1)
			die_errno_hint(errno == EPERM ? "a user namespace may mount proc only for a pid namespace "
							"of its own: add -p -f to nsunshare, or --no-proc"
						      : NULL,
				       "cannot mount proc on /proc");
		close(proc);
	}
	make_dev(rootfd);
	mount_sys(rootfd);
	for (size_t i = 0; i < nvolumes; i++)
		mount_volume(rootfd, &volumes[i]);
	if (readonly)
		remount_readonly(rootfd, "/");

	/* 4. The swap. pivot_root(".", ".") puts the old root on top of
	 * the new one, at "/"; detaching it leaves the new root alone. */
	if (trace(fchdir(rootfd), "fchdir(%d) /* %s */", rootfd, real) == -1)
		die_errno("fchdir");
	if (trace(pivot_root(".", "."), "pivot_root(\".\", \".\")") == -1)
		die_errno("pivot_root(%s)", quote(real));
	if (trace(umount2(".", MNT_DETACH), "umount2(\".\", MNT_DETACH)") == -1)
		die_errno("cannot detach the old root");
	if (trace(chdir("/"), "chdir(\"/\")") == -1)
		die_errno("chdir(\"/\")");
	close(rootfd);

	/* 5. The command: pid 1, when nsunshare -p -f started us. */
	static char *shell[] = { "/bin/sh", NULL }; /* the image's, not our $SHELL */
	char **cmd = cmd_fd >= 0 ? read_command(cmd_fd) : argv + optind;
	char *path;
	cmd = command_or_shell(cmd[0] ? cmd : shell, &path);
	cloexec_fds_from(3 + (unsigned int)preserve_fds);
	exec_command(path, cmd);
}
