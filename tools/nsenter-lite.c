/* nsenter-lite: run a command in the namespaces of another process, as
 * util-linux nsenter(1) does. This is how `docker exec` gets a shell
 * inside a running container: setns(2).
 *
 * Since Linux 5.8 one setns() on a pidfd joins several namespaces of a
 * process at once, and the kernel orders them itself. Older kernels,
 * and namespaces pinned on files, need one setns() per namespace fd,
 * in an order that keeps our rights: the user namespace first (it may
 * grant the capabilities the others need), the mount namespace late
 * (it changes our root and working directory).
 *
 * Joining a pid namespace moves only the children made afterwards, so
 * then nsenter-lite forks and the child runs the command (unless -F).
 *
 * The order after the join matters, as in util-linux nsenter:
 *   0. with --join-cgroup, move into the target's cgroups first, as
 *      `runc exec` does: the cgroup files are found through our own
 *      mount table, which the mount namespace join replaces; and the
 *      limits then hold for everything the command starts
 *   1. open what must be found from where we stand (-r DIR, -w DIR, the
 *      target's /proc/PID/root and cwd, and for -N the network
 *      namespace of a socket the target holds), then setns()
 *   2. chroot into the root, and go to the working directory: -w, or
 *      -W DIR, looked up only now, in the joined mount namespace and
 *      the new root; else "/" of the new root (never stay in a
 *      directory outside it). Then become -S/-G: the chroot and a -W
 *      directory only root may search need our rights
 *   3. only now look the command up: it lives in the joined mount
 *      namespace, which may have programs the host lacks
 *   4. mark every inherited fd above 2 close-on-exec, so that a host
 *      directory open in the caller does not reach the container
 *      (runc's CVE-2024-21626 was such an fd), then exec
 *
 * --detach is `runc exec --detach`, as an engine's shim (conmon,
 * containerd-shim) runs it: the command runs in a child, and we return
 * once it has been executed, so that no process of ours stays between
 * the shim and the command: the kernel hands it to the shim, the
 * nearest subreaper, which reaps it and takes its exit status. The
 * launcher writes the pid file on the host, as who it is, so it joins
 * only what it must for the fork: the pid namespace (which changes
 * nothing for itself, only for its children), and, if it is joined too,
 * the user namespace first (it gives the right to join the other, and
 * leaves our uid as it is). The child joins the rest, and with
 * --console-socket gets a terminal made from the container's own
 * /dev/ptmx.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctrkit.h"

static const char help[] =
	"Usage: nsenter-lite [options] [--] [command [argument...]]\n"
	"Run a command in the namespaces of process PID, or of pinned files\n"
	"(default command: $SHELL, else /bin/sh).\n"
	"\n"
	"  -t, --target=PID          the process whose namespaces to join\n"
	"  -a, --all                 join all of its namespaces that differ from ours\n"
	"  -m, --mount[=FILE]        join its mount namespace (or the one pinned on FILE)\n"
	"  -u, --uts[=FILE]          join its UTS namespace\n"
	"  -i, --ipc[=FILE]          join its IPC namespace\n"
	"  -n, --net[=FILE]          join its network namespace\n"
	"  -N, --net-socket=FD       join the network namespace of the socket the target\n"
	"                            holds on its fd FD (needs -t)\n"
	"  -p, --pid[=FILE]          join its pid namespace (the command runs in a child)\n"
	"  -U, --user[=FILE]         join its user namespace (and become uid 0, gid 0 there)\n"
	"  -C, --cgroup[=FILE]       join its cgroup namespace\n"
	"  -T, --time[=FILE]         join its time namespace\n"
	"  -c, --join-cgroup         move into the target's cgroups (every hierarchy), as\n"
	"                            runc exec does\n"
	"  -S, --setuid=UID          the uid to run as in the joined namespaces\n"
	"  -G, --setgid=GID          the gid to run as (drops supplementary groups)\n"
	"      --preserve-credentials  keep our uid and gid when joining a user namespace\n"
	"  -r, --root[=DIR]          set the root directory (default: the target's)\n"
	"  -w, --wd[=DIR]            set the working directory (default: the target's)\n"
	"  -W, --wdns=DIR            set the working directory, DIR looked up after the join\n"
	"                            (in the joined mount namespace and root)\n"
	"  -F, --no-fork             do not fork after joining a pid namespace\n"
	"      --preserve-fds=N      pass fds 3 to 3+N-1 on to the command (others are closed)\n"
	"      --detach              run the command in a child and return once it runs, leaving\n"
	"                            it on its own (a new session, stdio on /dev/null), as\n"
	"                            runc exec --detach does\n"
	"      --keep-stdio          with --detach: the command keeps our stdin, stdout, stderr\n"
	"      --setsid              run the command in a child, in a session of its own with no\n"
	"                            controlling terminal: it cannot type into ours (TIOCSTI)\n"
	"      --pidfile=FILE        with --detach: write the command's pid (its pid on this side)\n"
	"                            to FILE once it runs\n"
	"      --console-socket=PATH with --detach: give the command a terminal made in the\n"
	"                            container, and send its master over the unix socket PATH\n"
	"  -v, --verbose             print each kernel call on stderr\n"
	"  -h, --help                show this help\n"
	"  -V, --version             show the version\n";

enum {
	OPT_PRESERVE = 256,
	OPT_PRESERVE_FDS,
	OPT_DETACH,
	OPT_KEEP_STDIO,
	OPT_SETSID,
	OPT_PIDFILE,
	OPT_CONSOLE_SOCKET,
};

/* What to join for one kind of namespace. */
struct join {
	const struct nstype *type;
	int wanted;
	const char *file; /* a pinned namespace, or NULL for the target's */
	int socket;       /* -N: the target's fd of a socket in it, else -1 */
	int fd;
};

/* The order of the fd-by-fd path; see the comment at the top. */
static const char *const join_order[] = { "user", "cgroup", "ipc", "uts", "net", "pid", "mnt", "time" };

static struct join joins[LEN(join_order)];

static struct join *join_of(char letter)
{
	static const char letters[] = "UCiunpmT"; /* in join_order's order */
	const char *p = strchr(letters, letter);

	return p ? &joins[p - letters] : NULL;
}

static int open_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd == -1)
		die_errno("cannot open %s", path);
	return fd;
}

static const char *setns_hint(int err)
{
	if (err == EPERM)
		return "joining needs CAP_SYS_ADMIN over the target's namespaces: run as root";
	if (err == EINVAL)
		return "a file of another namespace type, or a user namespace we are already in";
	return NULL;
}

/* A pidfd of the target, opened once, before any fork: a pid number is
 * read in the pid namespace of the caller, and a detached child, born
 * in the container's, would find another process or none under it.
 * Stays -1 on kernels before 5.3, which have no pidfd_open(2). The fd is
 * close-on-exec, as every pidfd. */
static int pidfd = -1;

static void open_pidfd(pid_t pid)
{
	pidfd = pidfd_open(pid, 0);
	trace(pidfd, "pidfd_open(%d, 0)", (int)pid);
	if (pidfd == -1 && errno != ENOSYS)
		die_errno("pidfd_open(%d)", (int)pid);
}

/* One setns(2) on the pidfd: all the wanted namespaces of pid at once.
 * Returns -1 (errno set) when the kernel is older than 5.8 and cannot. */
static int join_by_pidfd(pid_t pid, int flags)
{
	if (pidfd == -1)
		return -1;
	if (trace(setns(pidfd, flags), "setns(%d, %s)", pidfd, clone_flags_str(flags)) == -1) {
		int err = errno;

		if (err == EINVAL || err == EBADF)
			return -1; /* this kernel takes only namespace fds */
		die_errno_hint(setns_hint(err), "setns(pidfd of %d, %s)", (int)pid,
			       clone_flags_str(flags));
	}
	return 0;
}

/* One setns(2) per namespace in flags. Every fd is opened before the
 * first setns: once in another mount namespace, the paths may be gone.
 * A socket's network namespace (-N) has its fd already. */
static void join_by_fds(pid_t pid, int flags)
{
	char path[NS_PATH_SIZE];

	for (size_t i = 0; i < LEN(joins); i++) {
		if (!joins[i].wanted || !(joins[i].type->clone_flag & flags) || joins[i].socket != -1)
			continue;
		if (!joins[i].file)
			ns_path(path, pid, joins[i].type->name);
		const char *name = joins[i].file ? joins[i].file : path;
		joins[i].fd = open(name, O_RDONLY | O_CLOEXEC);
		trace(joins[i].fd, "openat(AT_FDCWD, %s, O_RDONLY|O_CLOEXEC)", quote(name));
		if (joins[i].fd == -1)
			die_errno_hint(errno == EACCES ? "you may not inspect that process: run as root"
						       : NULL,
				       "cannot open %s", name);
	}
	for (size_t i = 0; i < LEN(joins); i++) {
		if (!joins[i].wanted || !(joins[i].type->clone_flag & flags))
			continue;
		int flag = joins[i].type->clone_flag;
		const char *what = joins[i].file ? joins[i].file : joins[i].type->name;
		if (joins[i].socket != -1)
			what = "the socket's net";
		if (trace(setns(joins[i].fd, flag), "setns(%d, %s)", joins[i].fd,
			  clone_flags_str(flag)) == -1)
			die_errno_hint(setns_hint(errno), "setns(%s, %s)", what, clone_flags_str(flag));
		close(joins[i].fd);
	}
}

/* -N: the network namespace of the socket the target holds on its fd
 * sock, as an fd of our own to join: a copy of the socket, taken with
 * pidfd_getfd(2) (Linux 5.6; the same right as ptrace needs), then
 * ioctl(SIOCGSKNS) on it. A socket stays in the namespace it was made
 * in, whatever namespace its holder is in now. */
static void socket_netns(pid_t pid, struct join *net)
{
	if (pidfd == -1)
		die("--net-socket needs pidfd_getfd(2): Linux 5.6 or later");
	const char *step;
	net->fd = socket_netns_fd(pidfd, net->socket, &step);
	if (net->fd == -1 && strcmp(step, "pidfd_getfd") == 0)
		die_errno_hint(errno == EPERM ? "taking another process's fd needs the right to ptrace it: run "
						"as root"
					      : NULL,
			       "--net-socket: cannot take fd %d of process %d", net->socket, (int)pid);
	if (net->fd == -1)
		die_errno_hint(errno == ENOTTY ? "it is not a socket" : NULL,
			       "--net-socket: no network namespace for fd %d of process %d", net->socket,
			       (int)pid);
}

/* Joins the namespaces in flags: all at once on a pidfd, or, for pinned
 * files, a socket's namespace and on kernels before 5.8, one by one. */
static void join_namespaces(pid_t pid, int flags, int by_file)
{
	if (flags && (by_file || join_by_pidfd(pid, flags) == -1))
		join_by_fds(pid, flags);
}

/* --detach: forks, and the child returns to go on to the command, in a
 * session of its own (no terminal's hangup or job control reaches it).
 * The launcher waits until the command runs (see lib/detach.c), writes
 * the pid file, and exits 0, leaving the command to the nearest
 * subreaper. */
static void detach_child(const char *pidfile)
{
	int ready[2];
	int r = pipe2(ready, O_CLOEXEC);

	if (trace(r, "pipe2([%d, %d], O_CLOEXEC)", ready[0], ready[1]) == -1)
		die_errno("pipe2");
	fflush(NULL);
	pid_t child = fork();
	if (child == -1)
		die_errno("fork");
	if (child == 0) {
		runs_pipe_child(ready);
		if (trace(setsid(), "setsid()") == -1)
			die_errno("setsid");
		return;
	}
	trace(child, "fork()");
	wait_until_running(child, ready, "run it without --detach to see why");
	if (pidfile)
		write_pidfile_of_running(pidfile, child);
	exit(EXIT_SUCCESS);
}

/* The parent of a command in a joined pid namespace only waits. What
 * is sent to it is meant for the command: forward it (util-linux's
 * nsenter dies instead and leaves the command running). */
static pid_t command_pid;

static void forward_signal(int sig)
{
	kill(command_pid, sig);
}

/* Forks; the child returns and goes on to run the command. The parent
 * forwards signals, stops when the command stops (so the shell sees the
 * job stop, as with util-linux), and ends the way the command ended. */
static void continue_in_child(void)
{
	static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH };
	sigset_t block, old;
	int status;

	/* Blocked across the fork, so none is lost before the handlers
	 * are in place, and none kills us the default way. */
	sigemptyset(&block);
	for (size_t i = 0; i < LEN(forwarded); i++)
		sigaddset(&block, forwarded[i]);
	sigprocmask(SIG_BLOCK, &block, &old);
	fflush(NULL);
	pid_t child = fork();
	if (child == -1)
		die_errno("fork");
	if (child == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return;
	}
	trace(child, "fork()");
	command_pid = child;
	struct sigaction sa = { .sa_handler = forward_signal, .sa_flags = SA_RESTART };
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < LEN(forwarded); i++)
		sigaction(forwarded[i], &sa, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);

	for (;;) {
		pid_t r = waitpid(child, &status, WUNTRACED);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			die_errno("waitpid(%d)", (int)child);
		if (!WIFSTOPPED(status))
			break;
		/* The command stopped (Ctrl-Z, SIGSTOP): stop too, and
		 * wake it when we are woken. */
		kill(getpid(), SIGSTOP);
		kill(child, SIGCONT);
	}
	exit_like(status);
}

/* The line of a /proc/PID/cgroup text for one hierarchy, "ID:LIST:PATH":
 * v2's has an empty LIST ("0::/user.slice"); a v1 hierarchy's LIST is
 * its controllers ("4:cpu,cpuacct:/x") or name ("1:name=systemd:/x").
 * Returns the PATH of the line whose LIST is list, or NULL. */
static const char *cgroup_path(char *text, const char *list, char *buf, size_t size)
{
	for (char *line = text; line && *line; line = strchr(line, '\n')) {
		char *first, *second;

		if (*line == '\n')
			line++;
		first = strchr(line, ':');
		second = first ? strchr(first + 1, ':') : NULL;
		if (!second)
			continue;
		if ((size_t)(second - first - 1) == strlen(list) &&
		    strncmp(first + 1, list, strlen(list)) == 0) {
			snprintf(buf, size, "%.*s", (int)strcspn(second + 1, "\n"), second + 1);
			return buf;
		}
	}
	return NULL;
}

/* For a v1 hierarchy: the LIST its /proc/PID/cgroup line shows, from
 * the super options of its mount ("rw,cpu,cpuacct" gives "cpu,cpuacct"). */
static void v1_list(const char *super_options, char *buf, size_t size)
{
	char opts[512], *save = NULL;
	size_t len = 0;

	snprintf(opts, sizeof(opts), "%s", super_options);
	buf[0] = '\0';
	for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (strcmp(o, "rw") == 0 || strcmp(o, "ro") == 0 || strcmp(o, "xattr") == 0 ||
		    strcmp(o, "noprefix") == 0 || strcmp(o, "clone_children") == 0 ||
		    strncmp(o, "release_agent=", 14) == 0 || strcmp(o, "cpuset_v2_mode") == 0 ||
		    strcmp(o, "favordynmods") == 0)
			continue;
		len += (size_t)snprintf(buf + len, size > len ? size - len : 0, "%s%s",
					len ? "," : "", o);
	}
}

/* --join-cgroup: for every cgroup hierarchy mounted here, write our pid
 * to cgroup.procs of the target's cgroup in it, as runc exec does. A
 * hierarchy where we already are in the target's cgroup is left alone
 * (no write to a cgroup that is not the container's). The paths in
 * /proc/PID/cgroup are seen from our cgroup namespace, as our mounts. */
static void join_cgroups(pid_t target)
{
	char theirs_text[8192], ours_text[8192], path[64];
	struct mount_entry m = { 0 };
	char done[32][256];
	size_t ndone = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)target);
	if (read_file(path, theirs_text, sizeof(theirs_text)) == -1)
		die_errno("cannot read %s", path);
	if (read_file("/proc/self/cgroup", ours_text, sizeof(ours_text)) == -1)
		die_errno("cannot read /proc/self/cgroup");
	f = mountinfo_open(0);
	if (!f)
		die_errno("cannot read /proc/self/mountinfo");
	while (mountinfo_next(f, &m)) {
		char list[256] = "", theirs[4096], ours[4096], procs[8192], pid_text[16];
		int v2 = strcmp(m.fstype, "cgroup2") == 0;
		size_t root_len = strlen(m.root);
		const char *rest;

		if (!v2 && strcmp(m.fstype, "cgroup") != 0)
			continue;
		if (!v2)
			v1_list(m.super_options, list, sizeof(list));
		int seen = 0; /* a hierarchy mounted twice: the first mount will do */
		for (size_t i = 0; i < ndone; i++)
			seen |= strcmp(done[i], list) == 0;
		if (seen || !cgroup_path(theirs_text, list, theirs, sizeof(theirs)))
			continue;
		if (ndone < LEN(done))
			snprintf(done[ndone++], sizeof(done[0]), "%s", list);
		if (cgroup_path(ours_text, list, ours, sizeof(ours)) && strcmp(ours, theirs) == 0)
			continue;
		/* The mount shows the hierarchy from its root on: a cgroup
		 * outside what is mounted cannot be reached from here. */
		if (strcmp(m.root, "/") == 0)
			rest = theirs;
		else if (strncmp(theirs, m.root, root_len) == 0 &&
			 (theirs[root_len] == '/' || theirs[root_len] == '\0'))
			rest = theirs + root_len;
		else
			die("--join-cgroup: the target's cgroup %s is outside the %s mounted on %s",
			    theirs, v2 ? "cgroup2" : list, m.mount_point);
		snprintf(procs, sizeof(procs), "%s%s/cgroup.procs", m.mount_point,
			 strcmp(rest, "/") == 0 ? "" : rest);
		snprintf(pid_text, sizeof(pid_text), "%d", (int)getpid());
		if (write_file(procs, pid_text) == -1)
			die_errno_hint(errno == EBUSY ? "cgroup v2 puts processes only in leaf groups, and "
							"this one has children with controllers on"
						      : NULL,
				       "--join-cgroup: cannot write %s", procs);
	}
	fclose(f);
}

/* What the command line asks for, filled in by parse_options(); the
 * namespaces to join are marked in joins[]. */
struct options {
	pid_t target;
	int all, join_cgroup, no_fork, preserve;
	int set_root, set_wd;          /* -r, -w: with a directory, or the target's */
	const char *root_dir, *wd_dir;
	const char *wdns;              /* -W: looked up after the join */
	int net_socket;                /* -N FD, or -1 */
	uid_t uid;
	gid_t gid;
	int set_uid, set_gid;
	long long preserve_fds;
	int detach, keep_stdio, setsid;
	const char *pidfile, *console_path;
};

static void parse_options(int argc, char *argv[], struct options *o)
{
	static const struct option longopts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "all", no_argument, NULL, 'a' },
		{ "mount", optional_argument, NULL, 'm' },
		{ "uts", optional_argument, NULL, 'u' },
		{ "ipc", optional_argument, NULL, 'i' },
		{ "net", optional_argument, NULL, 'n' },
		{ "net-socket", required_argument, NULL, 'N' },
		{ "pid", optional_argument, NULL, 'p' },
		{ "user", optional_argument, NULL, 'U' },
		{ "cgroup", optional_argument, NULL, 'C' },
		{ "time", optional_argument, NULL, 'T' },
		{ "join-cgroup", no_argument, NULL, 'c' },
		{ "setuid", required_argument, NULL, 'S' },
		{ "setgid", required_argument, NULL, 'G' },
		{ "preserve-credentials", no_argument, NULL, OPT_PRESERVE },
		{ "root", optional_argument, NULL, 'r' },
		{ "wd", optional_argument, NULL, 'w' },
		{ "wdns", required_argument, NULL, 'W' },
		{ "no-fork", no_argument, NULL, 'F' },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
		{ "detach", no_argument, NULL, OPT_DETACH },
		{ "keep-stdio", no_argument, NULL, OPT_KEEP_STDIO },
		{ "setsid", no_argument, NULL, OPT_SETSID },
		{ "pidfile", required_argument, NULL, OPT_PIDFILE },
		{ "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct join *join;
	int c;

	*o = (struct options){ .net_socket = -1 };
	for (size_t i = 0; i < LEN(joins); i++)
		joins[i] = (struct join){ .type = nstype_by_name(join_order[i]), .socket = -1, .fd = -1 };

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:t:am::u::i::n::N:p::U::C::T::cS:G:r::w::W:FvhV", longopts,
				NULL)) != -1) {
		if (c < 128 && c > 0 && (join = join_of((char)c))) {
			join->wanted = 1;
			join->file = optarg;
			continue;
		}
		switch (c) {
		case 't': o->target = parse_pid(optarg); break;
		case 'a': o->all = 1; break;
		case 'c': o->join_cgroup = 1; break;
		case 'S':
			o->uid = parse_uid("--setuid", optarg);
			o->set_uid = 1;
			break;
		case 'G':
			o->gid = parse_gid("--setgid", optarg);
			o->set_gid = 1;
			break;
		case OPT_PRESERVE: o->preserve = 1; break;
		case 'r': o->set_root = 1; o->root_dir = optarg; break;
		case 'w': o->set_wd = 1; o->wd_dir = optarg; break;
		case 'W':
			if (!*optarg)
				die_usage("--wdns: an empty directory name");
			o->wdns = optarg;
			break;
		case 'N': {
			long long fd = parse_number(optarg);
			if (fd < 0 || fd > INT_MAX)
				die_usage("--net-socket: '%s' is not a file descriptor number", optarg);
			o->net_socket = (int)fd;
			break;
		}
		case 'F': o->no_fork = 1; break;
		case OPT_PRESERVE_FDS:
			o->preserve_fds = parse_number(optarg);
			if (o->preserve_fds < 0 || o->preserve_fds > INT_MAX - 3)
				die_usage("--preserve-fds: '%s' is not a number of fds", optarg);
			break;
		case OPT_DETACH: o->detach = 1; break;
		case OPT_KEEP_STDIO: o->keep_stdio = 1; break;
		case OPT_SETSID: o->setsid = 1; break;
		case OPT_PIDFILE:
			if (!*optarg)
				die_usage("--pidfile: an empty file name");
			o->pidfile = optarg;
			break;
		case OPT_CONSOLE_SOCKET:
			if (!*optarg)
				die_usage("--console-socket: an empty path");
			o->console_path = optarg;
			break;
		case 'v': verbose = 1; break;
		case 'h': print_help(help);
		case 'V': print_version();
		default: bad_option(argv, c);
		}
	}
	if (o->net_socket != -1) {
		/* The socket's namespace, whatever -n said, as with util-linux. */
		join = join_of('n');
		join->wanted = 1;
		join->file = NULL;
		join->socket = o->net_socket;
	}
}

/* --all: marks every namespace of target that is not ours (and not
 * given as a file). Only what differs: joining the user namespace we
 * are already in is an error (EINVAL), and joining anything else we
 * share would change nothing. */
static void want_all_that_differ(pid_t target)
{
	if (!target)
		die_usage("--all needs a target (-t PID)");
	for (size_t i = 0; i < LEN(joins); i++) {
		char path[NS_PATH_SIZE];
		ino_t ours, theirs;

		if (joins[i].file || joins[i].socket != -1)
			continue;
		if (ns_inode(target, joins[i].type->name, &theirs) == -1)
			die_errno_hint(errno == EACCES ? "you may not inspect that process: run as root" : NULL,
				       "cannot read %s", ns_path(path, target, joins[i].type->name));
		if (ns_inode(0, joins[i].type->name, &ours) == -1 || ours != theirs)
			joins[i].wanted = 1;
	}
}

/* The CLONE_NEW* flags of the wanted joins; *by_target says whether
 * some are the target's (joined on its pidfd), *by_file whether some
 * must be joined fd by fd: pinned files, a socket's namespace. */
static int wanted_flags(int *by_target, int *by_file)
{
	int flags = 0;

	for (size_t i = 0; i < LEN(joins); i++) {
		if (!joins[i].wanted)
			continue;
		if (joins[i].file || joins[i].socket != -1)
			*by_file = 1;
		else
			*by_target = 1;
		flags |= joins[i].type->clone_flag;
	}
	return flags;
}

/* Options that need others, or exclude them: a usage line. */
static void check_options(const struct options *o, int by_target)
{
	if (by_target && !o->target)
		die_usage("which process? give -t PID, or --TYPE=FILE for a pinned namespace");
	if (o->net_socket != -1 && !o->target)
		die_usage("--net-socket needs a target (-t PID): FD is one of its fds");
	if (o->wdns && o->set_wd)
		die_usage("-w and -W exclude each other: one working directory, found before the join (-w) "
			  "or after it (-W)");
	if (o->join_cgroup && !o->target)
		die_usage("--join-cgroup needs a target (-t PID)");
	if (((o->set_root && !o->root_dir) || (o->set_wd && !o->wd_dir)) && !o->target)
		die_usage("-r and -w without a directory take the target's: give -t PID");
	if (o->detach && o->no_fork)
		die_usage("--detach and -F exclude each other: a detached command runs in a child");
	if (o->keep_stdio && !o->detach)
		die_usage("--keep-stdio needs --detach: without it the command keeps our stdio anyway");
	if (o->setsid && o->no_fork)
		die_usage("--setsid and -F exclude each other: the new session is the child's");
	if (o->pidfile && !o->detach)
		die_usage("--pidfile needs --detach: it names a command that runs on its own");
	if (o->console_path && !o->detach)
		die_usage("--console-socket needs --detach: the terminal is for a command that runs on "
			  "its own");
	if (o->console_path && o->keep_stdio)
		die_usage("--console-socket and --keep-stdio exclude each other: the terminal becomes "
			  "the command's stdio");
}

/* -r DIR or -w DIR, else the target's /proc/PID/root or cwd (which is
 * "root" or "cwd"), opened as a directory. */
static int open_target_dir(const char *dir, pid_t target, const char *which)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)target, which);
	return open_dir(dir ? dir : path);
}

/* Step 2: the new root, and a working directory inside it. */
static void enter_root(int root_fd, int wd_fd)
{
	if (root_fd != -1) {
		if (trace(fchdir(root_fd), "fchdir(%d)", root_fd) == -1)
			die_errno("fchdir to the new root");
		if (trace(chroot("."), "chroot(\".\")") == -1)
			die_errno("chroot");
		close(root_fd);
	}
	if (wd_fd != -1) {
		if (trace(fchdir(wd_fd), "fchdir(%d)", wd_fd) == -1)
			die_errno("fchdir to the working directory");
		close(wd_fd);
	} else if (root_fd != -1 && trace(chdir("/"), "chdir(\"/\")") == -1) {
		/* Our old directory is outside the new root: staying there
		 * would let the command walk out of it with "..". */
		die_errno("chdir(\"/\") in the new root");
	}
}

/* A detached command's stdio: the terminal made in the container
 * (console_sock), or /dev/null (null_fd, so that it holds nothing of
 * ours), or, with --keep-stdio (both -1), ours: the pipes an engine gave
 * us and reads. dup2 clears close-on-exec on 0, 1 and 2. */
static void detached_stdio(int console_sock, int null_fd)
{
	if (console_sock != -1) {
		console_attach(console_sock);
		stdio_redirected = 1;
	}
	if (null_fd != -1) {
		for (int fd = 0; fd <= 2; fd++)
			if (trace(dup2(null_fd, fd), "dup2(%d, %d)", null_fd, fd) == -1)
				die_errno("dup2(%d, %d)", null_fd, fd);
		stdio_redirected = 1;
	}
}

int main(int argc, char *argv[])
{
	struct options o;
	int by_target = 0, by_file = 0;

	progname = "nsenter-lite";
	parse_options(argc, argv, &o);

	/* Check the arguments, and decide what to join. */
	if (o.all)
		want_all_that_differ(o.target);
	int flags = wanted_flags(&by_target, &by_file);
	check_options(&o, by_target);
	/* Our child runs in the joined pid namespace, where its processes
	 * see it: first, run from a copy of ourselves that they cannot
	 * write (lib/seal.c, CVE-2019-5736). */
	if ((flags & CLONE_NEWPID) || in_shared_pidns())
		exe_seal(argv);
	if (o.pidfile)
		check_pidfile(o.pidfile, 0);
	/* Opened here, on the host: the container's root may have no /dev/null. */
	int null_fd = -1;
	if (o.detach && !o.keep_stdio && !o.console_path) {
		null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null_fd == -1)
			die_errno("cannot open /dev/null");
	}
	/* The socket's path is on the host: connect before any join. */
	int console_sock = -1;
	if (o.console_path)
		console_sock = console_connect(o.console_path);

	/* 0. The target's cgroups, while our mount table still shows them. */
	if (o.join_cgroup)
		join_cgroups(o.target);

	/* 1. The root and working directory are opened now, from where we
	 * stand: joining a mount namespace moves us to its root. */
	int root_fd = o.set_root ? open_target_dir(o.root_dir, o.target, "root") : -1;
	int wd_fd = o.set_wd ? open_target_dir(o.wd_dir, o.target, "cwd") : -1;

	/* Join. A detached launcher joins only the pid namespace (and the
	 * user namespace that gives it the right to), then forks; its child
	 * joins the rest (see the top of the file). */
	int joined = 0;
	if ((flags && !by_file) || o.net_socket != -1)
		open_pidfd(o.target);
	if (o.net_socket != -1)
		socket_netns(o.target, join_of('n'));
	if (o.detach) {
		if (flags & CLONE_NEWPID) {
			joined = flags & (CLONE_NEWUSER | CLONE_NEWPID);
			join_namespaces(o.target, joined, by_file);
		}
		detach_child(o.pidfile);
	}
	join_namespaces(o.target, flags & ~joined, by_file);
	if (pidfd != -1)
		close(pidfd);

	/* 2. The new root, and a working directory inside it: -W's is
	 * looked up only now, in what we joined. */
	enter_root(root_fd, wd_fd);
	if (o.wdns && trace(chdir(o.wdns), "chdir(%s)", quote(o.wdns)) == -1)
		die_errno("--wdns: cannot change to %s after the join", o.wdns);

	/* In a user namespace we joined, become its root (or -S/-G), as
	 * util-linux nsenter does, unless asked to keep our ids. Only now:
	 * chroot(2) needs our rights, as may the -W directory. */
	if ((flags & CLONE_NEWUSER) && !o.preserve)
		o.set_uid = o.set_gid = 1;
	set_ids(o.set_gid, o.gid, o.set_uid, o.uid);

	/* A joined pid namespace holds our children, not us. With
	 * --setsid, the child leads a session of its own: it has no
	 * controlling terminal, so it may write to ours but not type
	 * into it with ioctl(TIOCSTI), as runc starts every process (a
	 * --detach child has one already). */
	if ((((flags & CLONE_NEWPID) && !o.no_fork) || o.setsid) && !o.detach) {
		continue_in_child();
		if (o.setsid && trace(setsid(), "setsid()") == -1)
			die_errno("setsid");
	}

	/* 3. The command, looked up where it will run. Without one, the
	 * shell runs as a login shell ("-sh"), as util-linux runs it. */
	char *cmd_path;
	char **cmd_argv = command_or_shell(argv + optind, &cmd_path);
	if (!argv[optind])
		cmd_argv[0] = login_name(cmd_argv[0]);

	/* A detached command's stdio, done last, so that a failure above
	 * is told on our stderr. */
	detached_stdio(console_sock, null_fd);

	/* 4. No fd of the caller's beyond 0-2 (and --preserve-fds) goes in. */
	cloexec_fds_from(3 + (unsigned int)o.preserve_fds);
	exec_command(cmd_path, cmd_argv);
}
