/* exec.c: find and run a command, and hand its exit status on. */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctrkit.h"

extern char **environ;

static int is_runnable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *find_command(const char *name)
{
	const char *path = getenv("PATH");
	char *found = NULL, *seen = NULL;

	if (!*name) {
		errno = ENOENT;
		die_errno("cannot run ''");
	}
	if (strchr(name, '/')) {
		if (access(name, F_OK) != 0) {
			warnx("failed to execute %s: %s", name, strerror(errno));
			exit(EXIT_NOT_FOUND);
		}
		return strdup(name);
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	/* Walk PATH as execvp does: the first runnable file wins; a file
	 * that exists but cannot be run is remembered for the error. */
	while (*path && !found) {
		size_t dirlen = strcspn(path, ":");
		char *candidate;

		if (asprintf(&candidate, "%.*s%s%s", (int)dirlen, dirlen ? path : ".",
			     dirlen ? "/" : "", name) < 0)
			die("out of memory");
		if (is_runnable_file(candidate))
			found = candidate;
		else if (!seen && access(candidate, F_OK) == 0)
			seen = candidate;
		else
			free(candidate);
		path += dirlen;
		if (*path == ':')
			path++;
	}
	if (found) {
		free(seen);
		return found;
	}
	if (seen)
		return seen; /* execve will say why it cannot run it */
	warnx("failed to execute %s: command not found", name);
	exit(EXIT_NOT_FOUND);
}

char **command_or_shell(char *argv[], char **path)
{
	static char *shell_argv[2];

	if (!argv[0]) {
		shell_argv[0] = getenv("SHELL");
		if (!shell_argv[0] || !*shell_argv[0])
			shell_argv[0] = "/bin/sh";
		argv = shell_argv;
	}
	*path = find_command(argv[0]);
	return argv;
}

char *login_name(const char *shell)
{
	const char *base = strrchr(shell, '/');

	return easprintf("-%s", base ? base + 1 : shell);
}

void set_ids(int set_gid, gid_t gid, int set_uid, uid_t uid)
{
	if (set_gid) {
		if (trace(setgroups(0, NULL), "setgroups(0, NULL)") == -1 && errno != EPERM)
			die_errno("setgroups(0, NULL)");
		if (trace(setgid(gid), "setgid(%u)", (unsigned)gid) == -1)
			die_errno("setgid(%u)", (unsigned)gid);
	}
	if (set_uid && trace(setuid(uid), "setuid(%u)", (unsigned)uid) == -1)
		die_errno("setuid(%u)", (unsigned)uid);
}

void trace_exec(const char *call, const char *first, char *const argv[], const char *last)
{
	char args[1024], head[PATH_MAX + 64];
	size_t len = 0;
	int nenv = 0;

	if (!verbose)
		return;
	snprintf(head, sizeof(head), "%s", first); /* quote() below reuses its buffer */
	for (int i = 0; argv[i] && len < sizeof(args); i++)
		len += snprintf(args + len, sizeof(args) - len, "%s%s", i ? ", " : "", quote(argv[i]));
	while (environ[nenv])
		nenv++;
	trace_line("%s(%s, [%s], %p /* %d vars */%s)", call, head, args, (void *)environ, nenv, last);
}

void exec_command(const char *path, char *const argv[])
{
	trace_exec("execve", quote(path), argv, "");
	execve(path, argv, environ);
	trace(-1, "execve(%s, ...)", quote(path));
	warnx("failed to execute %s: %s", argv[0], strerror(errno));
	exit(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC);
}

int exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return EXIT_FAILURE;
}

int wait_child(pid_t pid)
{
	int wstatus;

	while (waitpid(pid, &wstatus, 0) == -1)
		if (errno != EINTR)
			die_errno("waitpid(%d)", (int)pid);
	return wstatus;
}

void cloexec_fds_from(unsigned int first)
{
	if (trace(close_range(first, ~0U, CLOSE_RANGE_CLOEXEC), "close_range(%u, %u, CLOSE_RANGE_CLOEXEC)",
		  first, ~0U) == 0)
		return;
	if (errno != EINVAL && errno != ENOSYS)
		die_errno("close_range(%u, ~0U, CLOSE_RANGE_CLOEXEC)", first);
	/* Before Linux 5.11: one fcntl(2) per open fd, found in /proc. */
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *d;
	if (!dir)
		die_errno("cannot list /proc/self/fd to close inherited fds");
	while ((d = readdir(dir))) {
		char *end;
		long fd = strtol(d->d_name, &end, 10);

		if (*end || end == d->d_name || fd < (long)first || fd == dirfd(dir))
			continue;
		if (trace(fcntl((int)fd, F_SETFD, FD_CLOEXEC), "fcntl(%ld, F_SETFD, FD_CLOEXEC)", fd) == -1)
			die_errno("fcntl(%ld, F_SETFD, FD_CLOEXEC)", fd);
	}
	closedir(dir);
}

void exit_like(int wstatus)
{
	if (WIFSIGNALED(wstatus)) {
		/* Die of the same signal, so that our parent (a shell, a
		 * test) sees what the command saw, as util-linux does. */
		int sig = WTERMSIG(wstatus);
		sigset_t set;

		signal(sig, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		kill(getpid(), sig);
		/* Still here: pid 1 of a namespace ignores signals from inside. */
	}
	exit(exit_status(wstatus));
}
