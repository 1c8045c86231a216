/* netns-thread.c: setns(2) moves one thread, not the process.
 *
 * Usage: netns-thread PID
 *
 * A second thread joins the network namespace of process PID; the main
 * thread stays where it was. Each thread then lists the interfaces it
 * sees, sorted by name: if_nameindex(3) asks the kernel over a netlink
 * socket, and a socket belongs to the network namespace of the thread
 * that made it. Both threads then wait (until the process is killed), so
 * that /proc/SELF/task/TID/ns/net can be read from outside.
 *
 * This is why the Go code of the article calls runtime.LockOSThread()
 * before it enters a container's network namespace: Go runs a goroutine
 * on whichever thread is free, and without the lock the goroutine could
 * go on on a thread of the host's namespace, while another goroutine
 * later inherits the thread left in the container's.
 * Build: gcc -o netns-thread netns-thread.c -pthread
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int netns_fd;

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One line: who, then the names of the interfaces, in name order. */
static void list_interfaces(const char *who)
{
	struct if_nameindex *ifs = if_nameindex();
	char *names[256];
	size_t n = 0;

	if (!ifs) {
		perror("if_nameindex");
		exit(1);
	}
	for (struct if_nameindex *i = ifs; i->if_index && n < 256; i++)
		names[n++] = i->if_name;
	qsort(names, n, sizeof(names[0]), by_name);
	printf("%-14s", who);
	for (size_t i = 0; i < n; i++)
		printf(" %s", names[i]);
	printf("\n");
	fflush(stdout);
	if_freenameindex(ifs);
}

static void *join(void *arg)
{
	(void)arg;
	if (setns(netns_fd, CLONE_NEWNET) == -1) {
		perror("setns");
		exit(1);
	}
	list_interfaces("second thread:");
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char *argv[])
{
	char path[64];
	pthread_t second;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PID\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "/proc/%s/ns/net", argv[1]);
	netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (netns_fd == -1) {
		perror(path);
		return 1;
	}
	list_interfaces("main thread:");
	err = pthread_create(&second, NULL, join, NULL);
	if (err) {
		fprintf(stderr, "pthread_create: %s\n", strerror(err));
		return 1;
	}
	for (;;)
		pause();
}
