/* tiocsti TEXT: types TEXT into the terminal on stdout, as if it had been
 * typed on its keyboard (ioctl TIOCSTI), and says whether the kernel let
 * it: the next read of whoever reads that terminal (a shell) gets it.
 * Allowed into one's controlling terminal only (any other needs
 * CAP_SYS_ADMIN), and only while dev.tty.legacy_tiocsti is 1. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2 || !isatty(1)) {
		fprintf(stderr, "usage: tiocsti TEXT (stdout a terminal)\n");
		return 2;
	}
	for (const char *c = argv[1]; *c; c++)
		if (ioctl(1, TIOCSTI, c) == -1) {
			printf("TIOCSTI: %s\n", strerror(errno));
			return 1;
		}
	printf("TIOCSTI: typed\n");
	return 0;
}
