/* fs.c: looking paths up inside a root directory. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ctrkit.h"

int open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)flags | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	/* openat2(2) (Linux 5.6) has no glibc wrapper before 2.41. */
	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}
