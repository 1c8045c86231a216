/* ctrstop: stop a container as `docker stop` does: SIGTERM to its pid 1,
 * a grace period, then SIGKILL, then wait until nothing of it is left.
 *
 * A container is its pid 1 and that process's pid namespace. The steps:
 *   1. find pid 1 (from a pid file of nsunshare --pidfile, or a PID) and
 *      check that it is the init of a pid namespace: the last number of
 *      its NSpid line is 1. Anything else is not a container's pid 1,
 *      and is left alone.
 *   2. pidfd_open(2) it: from then on every signal goes to that very
 *      process, even if it ends and its pid is given to another (a
 *      kill(2) by number could hit the newcomer).
 *   3. pidfd_send_signal(2) SIGTERM, and poll(2) the pidfd, which turns
 *      readable when the process ends, for up to the timeout.
 *   4. still there: SIGKILL, which even a namespace's init cannot
 *      ignore when it comes from an ancestor namespace, and wait again.
 *   5. when a namespace's init ends, the kernel kills every other
 *      process of the namespace; wait until /proc shows none of them
 *      alive, then remove the pid file.
 * Why SIGTERM may do nothing: the kernel gives a pid namespace's init
 * no default action for a signal it has no handler for, so a shell or
 * a sleep as pid 1 ignores SIGTERM; nsunshare --init installs one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctrkit.h"

static const char help[] =
	"Usage: ctrstop [options] PID\n"
	"       ctrstop [options] --pidfile=FILE\n"
	"Stop a container: SIGTERM to its pid 1, SIGKILL after a timeout, then wait\n"
	"until every process of its pid namespace is gone.\n"
	"\n"
	"  -t, --timeout=SECONDS     how long to wait after SIGTERM (default 10; 0: SIGKILL\n"
	"                            at once)\n"
	"  -s, --signal=SIG          the first signal instead of SIGTERM\n"
	"      --pidfile=FILE        read the pid from FILE (nsunshare --pidfile), and remove\n"
	"                            FILE once the container is gone\n"
	"  -v, --verbose             print each kernel call on stderr\n"
	"  -h, --help                show this help\n"
	"      --version             show the version\n";

enum { OPT_PIDFILE = 256, OPT_VERSION };

/* Is pid the init of a pid namespace below ours? Its NSpid line lists
 * its pid in each namespace from ours down to its own: "4242 1" is pid
 * 1 of a namespace one level down; "1" alone is our own init. */
static int is_container_init(pid_t pid, char *nspid, size_t size)
{
	const char *last;

	if (proc_status_field(pid, "NSpid", nspid, size) == -1)
		return -1;
	last = strrchr(nspid, '\t');
	if (!last)
		last = strrchr(nspid, ' ');
	return last && strcmp(last + 1, "1") == 0;
}

/* "POLLIN|POLLHUP" for poll(2) events, lowest bit first as strace
 * prints them; one of two static buffers in turn. */
static const char *poll_events_str(short events)
{
	static const char *const names[64] = {
		[BIT_OF(POLLIN)] = "POLLIN",	 [BIT_OF(POLLPRI)] = "POLLPRI",
		[BIT_OF(POLLOUT)] = "POLLOUT",	 [BIT_OF(POLLERR)] = "POLLERR",
		[BIT_OF(POLLHUP)] = "POLLHUP",	 [BIT_OF(POLLNVAL)] = "POLLNVAL",
		[BIT_OF(POLLRDNORM)] = "POLLRDNORM", [BIT_OF(POLLRDBAND)] = "POLLRDBAND",
	};
	static char bufs[2][128];
	static int turn;

	return bits_str((unsigned short)events, names, bufs[turn ^= 1], sizeof(bufs[0]));
}

/* Waits up to ms milliseconds (-1: for ever) for the process behind
 * pidfd to end; 1 if it has, 0 on timeout. The pidfd turns readable
 * (POLLIN) when the process ends, and hangs up too (POLLHUP) once its
 * parent has reaped it. */
static int wait_for_exit(int pidfd, int ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, ms);
	while (r == -1 && errno == EINTR);
	if (r == -1)
		die_errno("poll");
	if (r == 0)
		trace_line("poll([{fd=%d, events=%s}], 1, %d) = 0 (Timeout)", p.fd, poll_events_str(p.events), ms);
	else
		trace_line("poll([{fd=%d, events=%s}], 1, %d) = 1 ([{fd=%d, revents=%s}])", p.fd,
			   poll_events_str(p.events), ms, p.fd, poll_events_str(p.revents));
	return r;
}

/* How many live processes are in the pid namespace (dev, ino)? A
 * zombie has ended; its parent has only to reap it. */
static int alive_in_namespace(dev_t dev, ino_t ino)
{
	DIR *proc = opendir("/proc");
	struct dirent *d;
	int n = 0;

	if (!proc)
		die_errno("cannot open /proc");
	while ((d = readdir(proc))) {
		char path[300], stat_line[512], *p;
		struct stat st;
		int fd;

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		ns_path(path, (pid_t)strtol(d->d_name, NULL, 10), "pid");
		if (stat(path, &st) == -1 || st.st_dev != dev || st.st_ino != ino)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd == -1)
			continue; /* gone meanwhile */
		ssize_t len = read(fd, stat_line, sizeof(stat_line) - 1);
		close(fd);
		if (len <= 0)
			continue;
		stat_line[len] = '\0';
		p = strrchr(stat_line, ')');
		if (p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X')
			n++;
	}
	closedir(proc);
	return n;
}

/* The pid a pid file names, if the file is fresh and may be trusted;
 * dies otherwise. Trusted: owned by root, or by the user the process
 * runs as. A file anyone else wrote could name any process (systemd
 * refuses such a PIDFile= for the same reason). */
static pid_t pid_from_file(const char *path)
{
	const char *stale;
	struct stat file, proc;
	char dir[64];
	pid_t pid = read_pidfile(path, &stale);

	if (pid == -1 && errno == EINVAL)
		die("%s holds no pid", path);
	if (pid == -1)
		die_errno("cannot read %s", path);
	if (stale)
		die("%s is stale: pid %d: %s (the container is gone: rm %s)", path, (int)pid, stale,
		    path);
	snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
	if (lstat(path, &file) == -1 || stat(dir, &proc) == -1)
		die_errno("cannot check who owns %s and pid %d", path, (int)pid);
	if (file.st_uid != 0 && file.st_uid != proc.st_uid)
		die("%s belongs to uid %u, and pid %d to uid %u: a pid file must belong to root or "
		    "to the container's user: nothing done", path, (unsigned)file.st_uid, (int)pid,
		    (unsigned)proc.st_uid);
	return pid;
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "signal", required_argument, NULL, 's' },
		{ "pidfile", required_argument, NULL, OPT_PIDFILE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	long long timeout = 10;
	int first_signal = SIGTERM, c;
	const char *pidfile = NULL;
	pid_t pid;

	progname = "ctrstop";
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:t:s:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			timeout = parse_number(optarg);
			if (timeout < 0 || timeout > 24 * 3600)
				die_usage("--timeout: '%s' is not a number of seconds (0 to 86400)", optarg);
			break;
		case 's':
			first_signal = parse_signal(optarg);
			if (first_signal <= 0)
				die_usage("--signal: unknown signal '%s'", optarg);
			break;
		case OPT_PIDFILE: pidfile = optarg; break;
		case 'v': verbose = 1; break;
		case 'h': print_help(help);
		case OPT_VERSION: print_version();
		default: bad_option(argv, c);
		}
	}

	/* 1. Which process, and is it a container's pid 1? */
	if (pidfile) {
		if (optind < argc)
			die_usage("give a PID or --pidfile, not both");
		pid = read_pidfile(pidfile, NULL);
		if (pid == -1 && errno == EINVAL)
			die("%s holds no pid", pidfile);
		if (pid == -1)
			die_errno("cannot read %s", pidfile);
	} else {
		if (optind >= argc)
			die_usage("which container? give the PID of its pid 1, or --pidfile");
		if (optind + 1 < argc)
			die_usage("one container at a time: '%s' is one word too many", argv[optind + 1]);
		pid = parse_pid(argv[optind]);
	}

	/* 2. Hold the process itself, not its number, and check it then:
	 * if the pid changes hands meanwhile, the checks see the newcomer
	 * (and refuse it), or the pidfd's process is gone and no signal
	 * reaches anyone. */
	int pidfd = pidfd_open(pid, 0);
	trace(pidfd, "pidfd_open(%d, 0)", (int)pid);
	if (pidfd == -1 && errno == ESRCH && pidfile)
		die("%s is stale: pid %d: no such process (the container is gone: rm %s)", pidfile,
		    (int)pid, pidfile);
	if (pidfd == -1)
		die_errno("pidfd_open(%d)", (int)pid);
	if (pidfile && pid_from_file(pidfile) != pid)
		die("%s changed while it was read: nothing done", pidfile);
	char nspid[256];
	int init = is_container_init(pid, nspid, sizeof(nspid));
	if (init == -1)
		die_errno("cannot read /proc/%d/status", (int)pid);
	if (!init)
		die("pid %d is not the pid 1 of a pid namespace (its NSpid is \"%s\"), so not a "
		    "container's: nothing done", (int)pid, nspid);
	char pidns[NS_PATH_SIZE];
	struct stat ns;
	if (stat(ns_path(pidns, pid, "pid"), &ns) == -1)
		die_errno("cannot stat %s", pidns);

	/* 3. Ask it to stop, and give it time. */
	int sig = timeout ? first_signal : SIGKILL;
	if (trace(pidfd_send_signal(pidfd, sig, NULL, 0), "pidfd_send_signal(%d, SIG%s, NULL, 0)",
		  pidfd, sigabbrev_np(sig)) == -1 && errno != ESRCH)
		die_errno("pidfd_send_signal(%d, SIG%s)", (int)pid, sigabbrev_np(sig));
	if (!wait_for_exit(pidfd, sig == SIGKILL ? -1 : (int)(timeout * 1000))) {
		/* 4. It did not: SIGKILL. */
		if (trace(pidfd_send_signal(pidfd, SIGKILL, NULL, 0),
			  "pidfd_send_signal(%d, SIGKILL, NULL, 0)", pidfd) == -1 && errno != ESRCH)
			die_errno("pidfd_send_signal(%d, SIGKILL)", (int)pid);
		wait_for_exit(pidfd, -1);
	}

	/* 5. The kernel kills the rest of the namespace as its init ends;
	 * wait until they are gone too. */
	for (int n, shown = 0; (n = alive_in_namespace(ns.st_dev, ns.st_ino)) > 0;) {
		struct timespec tick = { 0, 10 * 1000 * 1000 };

		if (n != shown)
			trace_line("waiting: %d process%s of pid:[%lu] still alive", n,
				   n == 1 ? "" : "es", (unsigned long)ns.st_ino);
		shown = n;
		nanosleep(&tick, NULL);
	}
	if (pidfile && trace(unlink(pidfile), "unlink(%s)", quote(pidfile)) == -1 && errno != ENOENT)
		die_errno("cannot remove %s", pidfile);
	return 0;
}
