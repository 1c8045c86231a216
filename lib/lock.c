/* lock.c: one run at a time, for tools whose steps must not interleave. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "ctrkit.h"

void lock_run_file(const char *name)
{
	char path[256];

	/* Straight in /run, which every system has: no directory to make
	 * on the first run after boot (/run is a tmpfs). */
	snprintf(path, sizeof(path), "/run/%s", name);
	const int flags = O_RDWR | O_CREAT | O_CLOEXEC;
	int fd = (int)trace(open(path, flags, 0600), "openat(AT_FDCWD, %s, %s, 0600)", quote(path),
			    open_flags_str(flags));
	if (fd == -1 && (errno == EACCES || errno == EPERM || errno == EROFS)) {
		trace_line("%s: no lock for this user; going on without it", path);
		return;
	}
	if (fd == -1)
		die_errno("cannot open %s", path);
	/* Kept open until we exit: the kernel drops the lock then, however
	 * the process ends, so a killed run never leaves it held. */
	while (trace(flock(fd, LOCK_EX), "flock(%d, LOCK_EX)", fd) == -1) {
		check_stop(); /* a stop signal while we wait */
		if (errno != EINTR)
			die_errno("cannot lock %s", path);
	}
}
