/* fuzz.c: exit() caught during a run, and one scratch directory per
 * fuzzer process, emptied after every input. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fuzz.h"

/* ---- exit() during a run ---- */

static jmp_buf back;
static volatile int running, status;

noreturn void __real_exit(int code);

/* The linker sends every call to exit() here (-Wl,--wrap=exit), from
 * lib/, the tool and libFuzzer alike; only one inside a run jumps. */
noreturn void __wrap_exit(int code)
{
	if (!running)
		__real_exit(code);
	running = 0;
	status = code;
	longjmp(back, 1);
}

int fuzz_call(void (*fn)(void *), void *arg)
{
	if (setjmp(back))
		return status;
	running = 1;
	fn(arg);
	running = 0;
	return -1;
}

/* The stderr we started with: libFuzzer's -close_fd_mask=2 closes fd 2
 * (so that a million die() lines do not flood the log), but a broken
 * promise must be seen. */
static int report_fd = STDERR_FILENO;

__attribute__((constructor)) static void keep_stderr(void)
{
	int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);

	if (fd != -1)
		report_fd = fd;
}

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	dprintf(report_fd, "fuzz: ");
	va_start(ap, fmt);
	vdprintf(report_fd, fmt, ap);
	va_end(ap);
	dprintf(report_fd, "\n");
	abort();
}

/* ---- the scratch directory ---- */

static char scratch[PATH_MAX], start_dir[PATH_MAX];
static int on_tmpfs;

static void empty(int dirfd);

static void remove_scratch(void)
{
	if (chdir(start_dir) == -1)
		return;
	if (on_tmpfs)
		umount2(scratch, MNT_DETACH);
	else
		empty(open(scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	rmdir(scratch);
}

/* A private tmpfs on dir, in a mount namespace of our own: nothing in
 * it is seen by the machine, and it is gone when the process is. The
 * mount namespace must come first, while libFuzzer has one thread. */
static int private_tmpfs(const char *dir)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNS) == -1)
		return 0;
	/* Without MS_PRIVATE the tmpfs would propagate to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		return 0;
	return mount("fuzz", dir, "tmpfs", MS_NODEV | MS_NOSUID, "size=64m,mode=0700") == 0;
}

/* Without a nodev mount, root could make a device node of the disk and
 * write it through a hard link: give up CAP_MKNOD instead, so mknod(2)
 * fails with EPERM (as in a user namespace: mkrootfs skips the node). */
static void drop_mknod(void)
{
	struct __user_cap_header_struct head = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct caps[2];

	if (syscall(SYS_capget, &head, caps) == -1)
		return;
	caps[0].effective &= ~(1U << CAP_MKNOD);
	caps[0].permitted &= ~(1U << CAP_MKNOD);
	if (syscall(SYS_capset, &head, caps) == -1) {
		perror("fuzz: capset without CAP_MKNOD");
		exit(1);
	}
}

const char *fuzz_scratch(void)
{
	if (*scratch)
		return scratch;
	const char *tmp = getenv("TMPDIR");
	snprintf(scratch, sizeof(scratch), "%s/ctrkit-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!getcwd(start_dir, sizeof(start_dir)) || !mkdtemp(scratch)) {
		perror("fuzz: scratch directory");
		exit(1);
	}
	on_tmpfs = private_tmpfs(scratch);
	if (!on_tmpfs && geteuid() == 0)
		drop_mknod();
	atexit(remove_scratch);

	/* A fuzzed gzip of 4 KB can hold gigabytes of zeros. */
	struct rlimit fsize = { 16 << 20, 16 << 20 };
	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &fsize);
	return scratch;
}

/* ---- after each input ---- */

static unsigned char open_before[1024];

static void each_fd(void (*fn)(int fd))
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *d;
	int self = dir ? dirfd(dir) : -1;

	while (dir && (d = readdir(dir)))
		if (d->d_name[0] != '.' && atoi(d->d_name) != self)
			fn(atoi(d->d_name));
	if (dir)
		closedir(dir);
}

static void mark_fd(int fd)
{
	if (fd < (int)sizeof(open_before))
		open_before[fd] = 1;
}

static void close_new_fd(int fd)
{
	if (fd >= (int)sizeof(open_before) || !open_before[fd])
		close(fd);
}

void fuzz_fds_mark(void)
{
	memset(open_before, 0, sizeof(open_before));
	each_fd(mark_fd);
}

/* Removes everything in dirfd; a directory that we may not enter or
 * write (mode 000 from an archive) is opened up first. */
static void empty(int dirfd)
{
	DIR *dir = dirfd == -1 ? NULL : fdopendir(dirfd);
	struct dirent *d;

	if (!dir) {
		if (dirfd != -1)
			close(dirfd);
		return;
	}
	while ((d = readdir(dir))) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd, d->d_name, 0) == 0 || errno != EISDIR)
			continue;
		fchmodat(dirfd, d->d_name, 0700, 0);
		int sub = openat(dirfd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub != -1)
			empty(sub);
		unlinkat(dirfd, d->d_name, AT_REMOVEDIR);
	}
	closedir(dir);
}

void fuzz_clean(const char *const keep[])
{
	if (chdir(start_dir) == -1)
		fuzz_fail("cannot go back to %s: %s", start_dir, strerror(errno));
	each_fd(close_new_fd);

	int fd = open(scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		fuzz_fail("scratch directory %s: %s", scratch, strerror(errno));
	DIR *dir = fdopendir(dup(fd));
	struct dirent *d;
	while (keep && dir && (d = readdir(dir))) {
		int known = strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0;
		for (int i = 0; keep[i] && !known; i++)
			known = strcmp(d->d_name, keep[i]) == 0;
		if (!known)
			fuzz_fail("'%s' appeared beside the directory unpacked into: an entry escaped it",
				  d->d_name);
	}
	if (dir)
		closedir(dir);
	lseek(fd, 0, SEEK_SET); /* the dup shares the offset readdir moved */
	empty(fd);
}

static void walk(int dirfd, const char *path, void (*visit)(const char *, const char *, int))
{
	DIR *dir = fdopendir(dirfd);
	struct dirent *d;
	char child[PATH_MAX];

	if (!dir) {
		close(dirfd);
		return;
	}
	while ((d = readdir(dir))) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(child, sizeof(child), "%s%s%s", path, *path ? "/" : "", d->d_name);
		int is_dir = d->d_type == DT_DIR;
		visit(child, d->d_name, is_dir);
		if (is_dir) {
			int sub = openat(dirfd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub != -1)
				walk(sub, child, visit);
		}
	}
	closedir(dir);
}

void fuzz_walk(const char *dir, void (*visit)(const char *path, const char *name, int is_dir))
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", scratch, dir);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd != -1)
		walk(fd, "", visit);
}
