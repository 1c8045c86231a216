/* proc.c: reading and writing the small files of /proc. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctrkit.h"

ssize_t read_file(const char *path, char *buf, size_t size)
{
	const int flags = O_RDONLY | O_CLOEXEC;
	int fd = open(path, flags);
	size_t len = 0;
	ssize_t n;

	trace(fd, "openat(AT_FDCWD, %s, %s)", quote(path), open_flags_str(flags));
	if (fd == -1)
		return -1;
	/* Until the end (a read of 0) or a full buffer, each read traced as
	 * strace shows it: what it got, NULs and all, for what it asked. */
	while (len < size - 1) {
		size_t want = size - 1 - len;

		n = read(fd, buf + len, want);
		trace(n, "read(%d, %s, %zu)", fd, n > 0 ? quote_mem(buf + len, (size_t)n) : "\"\"", want);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			int err = errno;
			close(fd);
			errno = err;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fd);
	return (ssize_t)len;
}

int write_file(const char *path, const char *data)
{
	const int flags = O_WRONLY | O_TRUNC | O_CLOEXEC;
	size_t len = strlen(data);
	ssize_t n;
	int fd;

	fd = open(path, flags);
	trace(fd, "openat(AT_FDCWD, %s, %s)", quote(path), open_flags_str(flags));
	if (fd == -1)
		return -1;
	n = write(fd, data, len);
	trace(n, "write(%d, %s, %zu)", fd, quote_mem(data, len), len);
	if (n >= 0 && (size_t)n != len) {
		n = -1;
		errno = EIO;
	}
	int err = errno;
	close(fd);
	errno = err;
	return n == -1 ? -1 : 0;
}

int proc_status_field(pid_t pid, const char *field, char *buf, size_t size)
{
	char path[64], status[4096];
	size_t flen = strlen(field);

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else /* self: in a pid namespace below /proc's, our pid names another */
		snprintf(path, sizeof(path), "/proc/self/status");
	if (read_file(path, status, sizeof(status)) == -1)
		return -1;
	for (char *line = status; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			char *value = line + flen + 1;

			value += strspn(value, " \t");
			snprintf(buf, size, "%.*s", (int)strcspn(value, "\n"), value);
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}
