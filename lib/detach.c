/* detach.c: a launcher that returns once its child runs the command
 * (nsunshare --detach, nsenter-lite --detach), as runc create and runc
 * exec --detach do. When the launcher is gone, the kernel hands the
 * child to the nearest subreaper (a shim: conmon, containerd-shim) or to
 * init, which reaps it and takes its exit status.
 *
 * How the launcher knows that the command runs: the child holds the
 * write end of a pipe made with O_CLOEXEC. A successful execve(2) closes
 * it, and the launcher reads EOF; a child that exits instead writes one
 * byte first, from an exit handler. Only after EOF is the pid file
 * written: it never names a process that failed to start.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrkit.h"

int stdio_redirected;
static int ready_fd = -1;

/* The pid file's directory, opened before any namespace is made: the
 * launcher of nsunshare -m shares the container's mount namespace, and
 * the container's pivot_root moves the launcher's root as well. Through
 * this fd its file lands where the caller meant, whenever it is written. */
static int pidfile_dirfd = -1;
static const char *pidfile_name;

void check_pidfile(const char *path, int of_container)
{
	char dir[PATH_MAX];
	const char *stale, *slash;
	struct stat st;
	pid_t pid = read_pidfile(path, &stale);

	if (pid > 0 && !stale && of_container)
		die("--pidfile: %s names pid %d, which is running: stop it first (ctrstop --pidfile=%s)",
		    path, (int)pid, path);
	if (pid > 0 && !stale)
		die("--pidfile: %s names pid %d, which is running: stop it first (kill %d)", path,
		    (int)pid, (int)pid);
	if (pid == -1 && errno == EINVAL)
		die("--pidfile: %s exists and holds no pid: not replacing it", path);
	if (pid == -1 && errno != ENOENT)
		die_errno("--pidfile: %s", path);
	slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
	if (stat(dir, &st) == -1)
		die_errno("--pidfile: %s", dir);
	if (!S_ISDIR(st.st_mode))
		die("--pidfile: %s is not a directory", dir);
	if (access(dir, W_OK) == -1)
		die_errno("--pidfile: cannot write in %s", dir);
	pidfile_dirfd = pidfile_dir(path, &pidfile_name);
	if (pidfile_dirfd == -1)
		die_errno("--pidfile: %s", dir);
}

/* The byte: 'r' when the child's stderr was no longer the caller's (the
 * launcher then says where the message went), 'f' when the caller saw it. */
static void report_failed_start(void)
{
	if (ready_fd != -1 && write(ready_fd, stdio_redirected ? "r" : "f", 1) != 1)
		_exit(EXIT_FAILURE);
}

void runs_pipe_child(int fds[2])
{
	close(fds[0]);
	ready_fd = fds[1];
	atexit(report_failed_start);
}

void runs_pipe_pass_on(void)
{
	if (ready_fd != -1)
		close(ready_fd);
	ready_fd = -1;
}

void wait_until_running(pid_t child, int fds[2], const char *where)
{
	char byte[2] = "";
	ssize_t n;

	close(fds[1]);
	do
		n = read(fds[0], byte, 1);
	while (n == -1 && errno == EINTR);
	trace(n, "read(%d, %s, 1)", fds[0], quote_mem(byte, n > 0 ? (size_t)n : 0));
	close(fds[0]);
	if (n == 1) { /* the child failed, and said why on its stderr */
		int status = wait_child(child);

		if (byte[0] == 'r')
			warnx("the command did not start (status %d): %s", exit_status(status), where);
		exit_like(status);
	}
	if (n == -1)
		die_errno("read from the child's pipe");
}

void write_pidfile_of_running(const char *path, pid_t child)
{
	if ((pidfile_dirfd != -1 ? write_pidfile_at(pidfile_dirfd, pidfile_name, child)
				 : write_pidfile(path, child)) == 0)
		return;
	/* Else a container would run that no pid file names: no one could
	 * stop it by its file. */
	int err = errno;
	trace(kill(child, SIGKILL), "kill(%d, SIGKILL)", (int)child);
	wait_child(child);
	errno = err;
	die_errno("--pidfile: cannot write %s", path);
}

void remove_pidfile_of(const char *path, pid_t pid)
{
	char text[32];
	ssize_t n = -1;
	int fd = pidfile_dirfd != -1 ? openat(pidfile_dirfd, pidfile_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
				      : open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd != -1) {
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
	}
	if (n <= 0)
		return;
	text[n] = '\0';
	if (atoi(text) != (int)pid)
		return;
	if (pidfile_dirfd != -1)
		trace(unlinkat(pidfile_dirfd, pidfile_name, 0), "unlinkat(%d, %s, 0)", pidfile_dirfd,
		      quote(pidfile_name));
	else
		trace(unlink(path), "unlink(%s)", quote(path));
}
