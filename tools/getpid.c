/* getpid: the program from the articles, which prints "pid:N".
 *
 * getpid(2) answers with the pid the process has in its own pid
 * namespace. Run under `nsunshare -p` it still prints a host-sized pid,
 * because unshare(CLONE_NEWPID) moves only the children made after it;
 * under `nsunshare -p -f` it is that first child and prints pid:1.
 */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "ctrkit.h"

static const char help[] =
	"Usage: getpid [-v]\n"
	"Print the pid of this process, as the kernel reports it in the\n"
	"process's own pid namespace: pid:N\n"
	"\n"
	"  -v, --verbose   print the getpid() call on stderr\n"
	"  -h, --help      show this help\n"
	"      --version   show the version\n";

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	progname = "getpid";
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'v': verbose = 1; break;
		case 'h': print_help(help);
		case 'V': print_version();
		default: bad_option(argv, c);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);

	pid_t pid = getpid();
	trace(pid, "getpid()");
	printf("pid:%d\n", (int)pid);
	return 0;
}
