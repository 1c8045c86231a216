/* setns-threads.c: why runc enters a container from C, before Go starts.
 *
 * setns(2) moves the calling thread into a namespace. For most kinds
 * (uts, net, ipc) one thread may do that alone. Two kinds refuse a
 * caller that is not alone: a user namespace needs a single-threaded
 * process, and a mount namespace needs a caller that shares its root
 * and working directory (CLONE_FS) with nobody, which threads made by
 * pthread_create(3) always do. Both fail with EINVAL.
 *
 * This program opens the mnt, user and uts namespaces of process PID
 * and tries to join them twice: in a child that has one thread, then
 * in itself after starting a second thread. Run it as root.
 * Build: gcc -o setns-threads setns-threads.c -pthread
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct {
	const char *name;
	int nstype;
} kinds[] = {
	{ "mnt", CLONE_NEWNS },
	{ "user", CLONE_NEWUSER },
	{ "uts", CLONE_NEWUTS },
};
static int fds[3];

/* One setns(2) per kind, each result printed as strace would. */
static void try_all(const char *who)
{
	for (int i = 0; i < 3; i++) {
		int r = setns(fds[i], kinds[i].nstype);

		if (r == 0)
			printf("%s setns(%s) = 0\n", who, kinds[i].name);
		else
			printf("%s setns(%s) = -1 %s (%s)\n", who, kinds[i].name,
			       strerrorname_np(errno), strerror(errno));
	}
	fflush(stdout);
}

/* The second thread only has to exist. */
static void *idle(void *arg)
{
	(void)arg;
	pause();
	return NULL;
}

int main(int argc, char *argv[])
{
	char path[64];
	pthread_t thread;
	pid_t child;

	if (argc != 2) {
		fprintf(stderr, "usage: setns-threads PID\n");
		return 2;
	}
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/proc/%s/ns/%s", argv[1], kinds[i].name);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] == -1) {
			perror(path);
			return 1;
		}
	}

	/* A forked child has one thread, whatever its parent has. */
	child = fork();
	if (child == -1) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		try_all("one thread: ");
		_exit(0);
	}
	waitpid(child, NULL, 0);

	/* Now as the Go runtime is before main() runs: more than one thread. */
	errno = pthread_create(&thread, NULL, idle, NULL);
	if (errno) {
		perror("pthread_create");
		return 1;
	}
	try_all("two threads:");
	return 0; /* returning from main ends every thread */
}
