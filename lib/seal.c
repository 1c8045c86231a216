/* seal.c: run from a copy of our own binary that a container cannot write.
 *
 * A tool that puts itself into a container's pid namespace (nsenter-lite
 * joining one, nsunshare --init staying its pid 1, any of them started in
 * a pid namespace that has other processes) can be seen by the
 * container's processes. /proc/PID/exe of that process is our binary on
 * the host: a process of the container that may trace us (root with
 * CAP_SYS_PTRACE, say) opens it, waits until no one runs it any more, and
 * writes its own code into it; the next run of the tool, by the host's
 * root, runs the container's code. That is CVE-2019-5736, found in runc.
 * runc's answer, which we copy: before going in, execute again from a
 * file that cannot be written:
 *   - a detached bind mount of the binary, made read-only: open_tree(2)
 *     with OPEN_TREE_CLONE, mount_setattr(2) MOUNT_ATTR_RDONLY, then
 *     execveat(2) on it. The mount is attached nowhere, so no one sees
 *     it, and it goes away with the last process that runs from it. A
 *     write through /proc/PID/exe then fails with EROFS.
 *   - without the right to mount (a user without CAP_SYS_ADMIN): a copy
 *     in a memfd, sealed against writes (F_SEAL_WRITE), executed the same
 *     way. A write fails with EPERM.
 * A binary that already is either (our second start) is left as it is. */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctrkit.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

extern char **environ;

/* The file behind /proc/self/exe cannot be written: it is on a read-only
 * mount, or a memfd sealed against writes. */
static int is_sealed(int fd)
{
	struct statfs sf;
	int seals;

	if (fstatfs(fd, &sf) == 0 && (sf.f_flags & ST_RDONLY))
		return 1;
	seals = fcntl(fd, F_GET_SEALS);
	return seals != -1 && (seals & F_SEAL_WRITE);
}

int in_shared_pidns(void)
{
	char nspid[256], *p, *last = NULL;
	int levels = 0, was = verbose, r;

	/* read quietly: a check, not a step of the tool's work, and -v
	 * shows only the tool's work */
	verbose = 0;
	r = proc_status_field(0, "NSpid", nspid, sizeof(nspid));
	verbose = was;
	if (r == -1)
		return 0;
	/* "8765 12 3": our pid in each namespace, /proc's first, ours last */
	for (p = strtok(nspid, " \t"); p; p = strtok(NULL, " \t")) {
		last = p;
		levels++;
	}
	return levels > 1 && strcmp(last, "1") != 0;
}

/* The detached read-only bind mount of our binary, as an O_PATH fd. */
static int readonly_view(void)
{
	int tree = (int)trace(syscall(SYS_open_tree, AT_FDCWD, "/proc/self/exe",
				      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC),
			      "open_tree(AT_FDCWD, \"/proc/self/exe\", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC)");
	if (tree == -1)
		return -1;
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	if (trace(syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)),
		  "mount_setattr(%d, \"\", AT_EMPTY_PATH, {attr_set=MOUNT_ATTR_RDONLY, attr_clr=0, "
		  "propagation=0 /* MS_??? */, userns_fd=0}, %zu)", tree, sizeof(attr)) == -1) {
		int e = errno;
		close(tree);
		errno = e;
		return -1;
	}
	return tree;
}

/* A sealed memfd holding a copy of our binary. (It opens the binary
 * again rather than keep exe_seal's fd: -v then shows open_tree's fd as
 * the first free one, the same as with no check before it.) */
static int sealed_copy(const char *name)
{
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (in == -1)
		die_errno("cannot open /proc/self/exe to copy it");
	unsigned flags = MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC;
	int mfd = (int)trace(memfd_create(name, flags), "memfd_create(%s, MFD_CLOEXEC|MFD_ALLOW_SEALING|MFD_EXEC)",
			     quote(name));
	if (mfd == -1 && errno == EINVAL) /* before Linux 6.3, which added MFD_EXEC */
		mfd = (int)trace(memfd_create(name, flags & ~MFD_EXEC),
				 "memfd_create(%s, MFD_CLOEXEC|MFD_ALLOW_SEALING)", quote(name));
	if (mfd == -1)
		die_errno("memfd_create");
	ssize_t n;
	while ((n = sendfile(mfd, in, NULL, 1 << 20)) > 0)
		;
	if (n == -1)
		die_errno("cannot copy /proc/self/exe into a memfd");
	close(in);
	if (trace(fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE),
		  "fcntl(%d, F_ADD_SEALS, F_SEAL_SEAL|F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_WRITE)", mfd) == -1)
		die_errno("cannot seal the memfd");
	return mfd;
}

void exe_seal(char *argv[])
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		die_errno("cannot open /proc/self/exe to run from a read-only copy of it");
	int sealed = is_sealed(fd);
	close(fd);
	if (sealed)
		return;

	int exe = readonly_view();
	if (exe == -1) {
		if (errno != EPERM && errno != ENOSYS)
			die_errno("open_tree(/proc/self/exe)");
		exe = sealed_copy(progname);
	}
	char first[16];
	snprintf(first, sizeof(first), "%d, \"\"", exe);
	trace_exec("execveat", first, argv, ", AT_EMPTY_PATH");
	syscall(SYS_execveat, exe, "", argv, environ, AT_EMPTY_PATH);
	die_errno("execveat(%d, \"\", AT_EMPTY_PATH)", exe);
}
