/* nscmp: are two processes in the same namespaces?
 *
 * Each link in /proc/PID/ns names a namespace as "type:[inode]". Two
 * processes share a namespace exactly when their links name the same
 * inode of the nsfs filesystem: that is what `ls -l /proc/PID/ns` shows
 * in the articles, one row per kind, side by side.
 */
#include <errno.h>
#include <signal.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrkit.h"

static const char help[] =
	"Usage: nscmp [-q] PID1 [PID2]\n"
	"Compare the namespaces of two processes (PID2 defaults to nscmp itself,\n"
	"which shares the namespaces of the shell that runs it): one row per\n"
	"link in /proc/PID/ns, 'same' or 'differ', and both inode numbers.\n"
	"Exit status: 0 all the same, 1 some differ, 2 trouble.\n"
	"\n"
	"  -q, --quiet     print nothing, only set the exit status\n"
	"  -v, --verbose   print each kernel call on stderr\n"
	"  -h, --help      show this help\n"
	"      --version   show the version\n";

/* The links of /proc/PID/ns, in the order `ls` shows them. */
static const char *const links[] = {
	"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children",
	"time", "time_for_children", "user", "uts",
};

/* Inode of /proc/PID/ns/LINK into *ino; 0 when this kernel lacks the
 * link; dies when the process may not be inspected or is gone. glibc's
 * stat(2) is the newfstatat system call, relative to the working
 * directory (AT_FDCWD), which is how strace shows it. */
static int link_inode(pid_t pid, const char *link, ino_t *ino)
{
	char path[NS_PATH_SIZE];
	struct stat st;
	int r = stat(ns_path(path, pid, link), &st);

	trace(r, "newfstatat(AT_FDCWD, %s, %s, 0)", quote(path), stat_str(r, &st));
	if (r == 0) {
		*ino = st.st_ino;
		return 1;
	}
	if (errno == ENOENT && trace(kill(pid, 0), "kill(%d, 0)", (int)pid) == 0)
		return 0; /* an older kernel without this kind */
	/* root is refused too where the process is beyond its reach (pid 1
	 * of a sandbox that hides it): the hint is for the others. */
	die_errno_hint(errno == EACCES && geteuid() != 0 ? "run as root" : NULL, "cannot read %s", path);
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int quiet = 0, differ = 0, c;

	progname = "nscmp";
	exit_failure = 2; /* as cmp(1): 1 means "they differ" */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': quiet = 1; break;
		case 'v': verbose = 1; break;
		case 'h': print_help(help);
		case 'V': print_version();
		default: bad_option(argv, c);
		}
	}
	if (optind >= argc || argc - optind > 2)
		die_usage("give one or two pids");

	pid_t pid1 = parse_pid(argv[optind]);
	pid_t pid2 = optind + 1 < argc ? parse_pid(argv[optind + 1]) : getpid();
	char name1[16], name2[16];
	snprintf(name1, sizeof(name1), "%d", (int)pid1);
	snprintf(name2, sizeof(name2), "%d", (int)pid2);

	if (!quiet)
		printf("%-18s %-7s %-12s %s\n", "TYPE", "RESULT", name1, name2);
	for (size_t i = 0; i < LEN(links); i++) {
		ino_t ino1 = 0, ino2 = 0;
		int has1 = link_inode(pid1, links[i], &ino1);
		int has2 = link_inode(pid2, links[i], &ino2);

		if (!has1 && !has2)
			continue;
		differ |= ino1 != ino2;
		if (!quiet)
			printf("%-18s %-7s %-12lu %lu\n", links[i], ino1 == ino2 ? "same" : "differ",
			       (unsigned long)ino1, (unsigned long)ino2);
	}
	return differ ? 1 : 0;
}
