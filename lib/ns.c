/* ns.c: the eight kinds of namespace, by name and by clone flag; which
 * namespaces are the machine's own. */
#include <errno.h>
#include <linux/sockios.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ctrkit.h"

const struct nstype nstypes[8] = {
	{ "cgroup", CLONE_NEWCGROUP, NULL },
	{ "ipc", CLONE_NEWIPC, NULL },
	{ "mnt", CLONE_NEWNS, NULL },
	{ "net", CLONE_NEWNET, NULL },
	/* unshare(CLONE_NEWPID) and unshare(CLONE_NEWTIME) move only the
	 * children that come later: the caller's own "pid" link stays, and
	 * "pid_for_children" names the new namespace. */
	{ "pid", CLONE_NEWPID, "pid_for_children" },
	{ "time", CLONE_NEWTIME, "time_for_children" },
	{ "user", CLONE_NEWUSER, NULL },
	{ "uts", CLONE_NEWUTS, NULL },
};

const struct nstype *nstype_by_name(const char *name)
{
	static const struct {
		const char *alias, *name;
	} aliases[] = { { "mount", "mnt" }, { "network", "net" } };

	for (size_t i = 0; i < LEN(aliases); i++)
		if (strcmp(name, aliases[i].alias) == 0)
			name = aliases[i].name;
	for (size_t i = 0; i < LEN(nstypes); i++)
		if (strcmp(name, nstypes[i].name) == 0)
			return &nstypes[i];
	return NULL;
}

char *ns_path(char buf[NS_PATH_SIZE], pid_t pid, const char *file)
{
	if (pid)
		snprintf(buf, NS_PATH_SIZE, "/proc/%d/ns/%s", (int)pid, file);
	else
		snprintf(buf, NS_PATH_SIZE, "/proc/self/ns/%s", file);
	return buf;
}

int ns_inode(pid_t pid, const char *file, ino_t *ino)
{
	char path[NS_PATH_SIZE];
	struct stat st;

	if (stat(ns_path(path, pid, file), &st) == -1)
		return -1;
	*ino = st.st_ino;
	return 0;
}

int is_machine_ns(const char *file, ino_t ino)
{
	char comm[32];
	ino_t theirs;

	if (read_file("/proc/2/comm", comm, sizeof(comm)) > 0 && strcmp(comm, "kthreadd\n") == 0 &&
	    ns_inode(2, file, &theirs) == 0 && theirs == ino)
		return 1;
	return getpid() != 1 && ns_inode(1, file, &theirs) == 0 && theirs == ino;
}

int socket_netns_fd(int pidfd, int num, const char **step)
{
	*step = "pidfd_getfd";
	int sock = (int)syscall(SYS_pidfd_getfd, pidfd, num, 0);
	if (trace(sock, "pidfd_getfd(%d, %d, 0)", pidfd, num) == -1)
		return -1;
	*step = "ioctl";
	int nsfd = ioctl(sock, SIOCGSKNS, NULL);
	trace(nsfd, "ioctl(%d, SIOCGSKNS, NULL)", sock);
	int err = errno;
	close(sock);
	errno = err;
	return nsfd;
}
