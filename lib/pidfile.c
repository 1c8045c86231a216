/* pidfile.c: the pid file of a detached container (nsunshare --pidfile
 * writes it, ctrstop reads it). One pid and a newline, as daemons and
 * runc write theirs, so that kill "$(cat FILE)" works. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctrkit.h"

int write_pidfile_at(int dirfd, const char *name, pid_t pid)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	char tmp[NAME_MAX + 1], text[32];
	int len = snprintf(text, sizeof(text), "%d\n", (int)pid);
	int fd, err;
	ssize_t n;

	/* Written beside the final name and renamed over it: rename(2) is
	 * atomic, so a reader finds no file or a whole one, never half. */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%d.tmp", name, (int)getpid()) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = openat(dirfd, tmp, flags, 0644);
	trace(fd, "openat(%d, %s, %s, 0644)", dirfd, quote(tmp), open_flags_str(flags));
	if (fd == -1)
		return -1;
	n = write(fd, text, (size_t)len);
	trace(n, "write(%d, %s, %d)", fd, quote_mem(text, (size_t)len), len);
	err = errno;
	close(fd);
	if (n != len) {
		unlinkat(dirfd, tmp, 0);
		errno = n == -1 ? err : EIO;
		return -1;
	}
	if (trace(renameat(dirfd, tmp, dirfd, name), "renameat(%d, %s, %d, %s)", dirfd, quote(tmp), dirfd,
		  quote(name)) == -1) {
		err = errno;
		unlinkat(dirfd, tmp, 0);
		errno = err;
		return -1;
	}
	return 0;
}

int pidfile_dir(const char *path, const char **name)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
	*name = slash ? slash + 1 : path;
	const int flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
	int fd = open(dir, flags);
	trace(fd, "openat(AT_FDCWD, %s, %s)", quote(dir), open_flags_str(flags));
	return fd;
}

int write_pidfile(const char *path, pid_t pid)
{
	const char *name;
	int dirfd = pidfile_dir(path, &name), r, err;

	if (dirfd == -1)
		return -1;
	r = write_pidfile_at(dirfd, name, pid);
	err = errno;
	close(dirfd);
	errno = err;
	return r;
}

/* When did pid start, in CLOCK_REALTIME seconds? /proc/PID/stat gives
 * clock ticks since boot (field 22); the boot, in real time, is now
 * less the time since boot. -1 if the process is gone or a zombie. */
static double start_time(pid_t pid)
{
	char path[64], stat[1024], *p;
	unsigned long long ticks;
	struct timespec real, boot;
	char state;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file(path, stat, sizeof(stat)) == -1)
		return -1;
	/* The command name may hold spaces and ')': skip to the last ')'. */
	p = strrchr(stat, ')');
	if (!p || sscanf(p + 1, " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
			    "%*s %*s %llu", &state, &ticks) != 2 || state == 'Z' || state == 'X')
		return -1;
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	return (double)real.tv_sec - (double)boot.tv_sec +
	       ((double)real.tv_nsec - (double)boot.tv_nsec) / 1e9 +
	       (double)ticks / (double)sysconf(_SC_CLK_TCK);
}

pid_t read_pidfile(const char *path, const char **stale)
{
	char text[64], *end;
	struct stat st;
	long pid;
	int fd;

	if (stale)
		*stale = NULL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return -1;
	ssize_t n = read(fd, text, sizeof(text) - 1);
	int err = errno;
	if (n >= 0 && fstat(fd, &st) == -1) {
		err = errno;
		n = -1;
	}
	close(fd);
	if (n == -1) {
		errno = err;
		return -1;
	}
	text[n] = '\0';
	errno = 0;
	pid = strtol(text, &end, 10);
	if (errno || end == text || (*end && strcmp(end, "\n") != 0) || pid < 1 || pid > 4194304) {
		errno = EINVAL;
		return -1;
	}
	if (!stale)
		return (pid_t)pid;
	double started = start_time((pid_t)pid);
	if (started < 0)
		*stale = "no such process";
	/* The process a pid file names started before the file was
	 * written. One that started later has only been given the same
	 * pid. A clock tick and a little more of slack: the two clocks are
	 * read a moment apart. */
	else if (started > (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9 + 0.5)
		*stale = "its pid now belongs to a process that started after the file was written";
	return (pid_t)pid;
}
