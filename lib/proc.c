/* proc.c: reading and writing the small files of /proc. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctrkit.h"

ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;

	trace(fd, "openat(AT_FDCWD, %s, O_RDONLY|O_CLOEXEC)", quote(path));
	if (fd == -1)
		return -1;
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			int err = errno;
			trace(-1, "read(%d, ..., %zu)", fd, size - 1 - len);
			close(fd);
			errno = err;
			return -1;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (verbose) { /* the first line of what was read, as strace shows it */
		size_t first = strcspn(buf, "\n");
		char shown[80];
		snprintf(shown, sizeof(shown), "%.*s", (int)first, buf);
		trace((long)len, "read(%d, %s%s, %zu)", fd, quote(shown),
		      first + 1 < len ? "..." : "", size - 1);
	}
	close(fd);
	return (ssize_t)len;
}

int write_file(const char *path, const char *data)
{
	size_t len = strlen(data);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	trace(fd, "openat(AT_FDCWD, %s, O_WRONLY|O_TRUNC|O_CLOEXEC)", quote(path));
	if (fd == -1)
		return -1;
	n = write(fd, data, len);
	trace(n, "write(%d, %s, %zu)", fd, quote(data), len);
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

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
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
