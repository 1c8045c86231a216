/* nspid: the pid a process has in each pid namespace it belongs to.
 *
 * Pid namespaces nest. A process in a container has one pid per level:
 * its pid in the container, its pid in the container's parent, and so
 * on up to the host. A parent sees its children's processes (with its
 * own numbers); a child never sees its parent's. The kernel lists the
 * numbers in the NSpid line of /proc/PID/status, outermost first, and
 * the ioctl NS_GET_PARENT walks from a pid namespace to its parent,
 * which gives each level's inode.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/nsfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrkit.h"

static const char help[] =
	"Usage: nspid [-n] PID\n"
	"Print the pid of process PID in each nested pid namespace it is in,\n"
	"outermost (ours) first, with each namespace's inode.\n"
	"\n"
	"  -n, --noheadings  do not print the header line\n"
	"  -v, --verbose     print each kernel call on stderr\n"
	"  -h, --help        show this help\n"
	"      --version     show the version\n";

/* 32 levels is the kernel's own limit on pid namespace nesting. */
#define MAX_LEVELS 33

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "noheadings", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int headings = 1, c;

	progname = "nspid";
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:nvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': headings = 0; break;
		case 'v': verbose = 1; break;
		case 'h': print_help(help);
		case 'V': print_version();
		default: bad_option(argv, c);
		}
	}
	if (argc - optind != 1)
		die_usage("give one pid");
	pid_t pid = parse_pid(argv[optind]);

	/* The numbers, outermost first. */
	char nspid[512];
	long pids[MAX_LEVELS];
	int npids = 0;
	if (proc_status_field(pid, "NSpid", nspid, sizeof(nspid)) == -1)
		die_errno("cannot read NSpid from /proc/%d/status", (int)pid);
	for (char *p = nspid, *end; *p && npids < MAX_LEVELS; p = end) {
		pids[npids++] = strtol(p, &end, 10);
		if (end == p)
			die("cannot parse NSpid line '%s'", nspid);
		end += strspn(end, " \t");
	}

	/* The namespaces, innermost first: the process's own, then each
	 * parent until the kernel says EPERM (the parent is outside ours)
	 * or ENOENT (no parent: the host's). */
	ino_t inodes[MAX_LEVELS];
	int ninodes = 0;
	char path[NS_PATH_SIZE];
	const int flags = O_RDONLY | O_CLOEXEC;
	int fd = open(ns_path(path, pid, "pid"), flags);
	trace(fd, "openat(AT_FDCWD, %s, %s)", quote(path), open_flags_str(flags));
	if (fd == -1)
		die_errno_hint(errno == EACCES ? "run as root" : NULL, "cannot open %s", path);
	while (fd != -1 && ninodes < MAX_LEVELS) {
		struct stat st;

		if (fstat(fd, &st) == -1)
			die_errno("fstat(%s)", path);
		inodes[ninodes++] = st.st_ino;
		int parent = ioctl(fd, NS_GET_PARENT);
		trace(parent, "ioctl(%d, NS_GET_PARENT)", fd);
		if (parent == -1 && errno != EPERM && errno != ENOENT)
			die_errno("ioctl(NS_GET_PARENT) on pid namespace %lu", (unsigned long)st.st_ino);
		close(fd);
		fd = parent;
	}

	/* Both lists end at the process; line them up from there. When our
	 * /proc was mounted in an outer namespace, NSpid has more levels
	 * than we may walk: those get no inode. */
	if (headings)
		printf("%-5s %-12s %s\n", "LEVEL", "NS", "PID");
	for (int level = 0; level < npids; level++) {
		int from_inner = npids - 1 - level;

		if (from_inner < ninodes)
			printf("%-5d %-12lu %ld\n", level, (unsigned long)inodes[from_inner], pids[level]);
		else
			printf("%-5d %-12s %ld\n", level, "-", pids[level]);
	}
	return 0;
}
