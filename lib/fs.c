/* fs.c: looking paths up inside a root directory. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ctrkit.h"

/* "RESOLVE_NO_MAGICLINKS|RESOLVE_IN_ROOT" for open_how.resolve, in
 * strace's order (the bits' own). */
static const char *resolve_flags_str(unsigned long long resolve)
{
	static char buf[160];
	static const struct {
		unsigned long long flag;
		const char *name;
	} names[] = {
		{ RESOLVE_NO_XDEV, "RESOLVE_NO_XDEV" }, { RESOLVE_NO_MAGICLINKS, "RESOLVE_NO_MAGICLINKS" },
		{ RESOLVE_NO_SYMLINKS, "RESOLVE_NO_SYMLINKS" }, { RESOLVE_BENEATH, "RESOLVE_BENEATH" },
		{ RESOLVE_IN_ROOT, "RESOLVE_IN_ROOT" }, { RESOLVE_CACHED, "RESOLVE_CACHED" },
	};
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < LEN(names); i++)
		if (resolve & names[i].flag)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? "|" : "", names[i].name);
	return len ? buf : "0";
}

int open_resolve(int dirfd, const char *path, int flags, unsigned long long resolve)
{
	struct open_how how = {
		.flags = (unsigned long long)flags | O_CLOEXEC,
		.resolve = resolve,
	};
	char mode[16] = "";

	/* strace shows the mode only when the flags create a file. */
	if ((how.flags & O_CREAT) || (how.flags & O_TMPFILE) == O_TMPFILE)
		snprintf(mode, sizeof(mode), ", mode=%#03llo", how.mode);
	/* openat2(2) (Linux 5.6) has no glibc wrapper before 2.41. */
	return (int)trace(syscall(SYS_openat2, dirfd, path, &how, sizeof(how)),
			  "openat2(%d, %s, {flags=%s%s, resolve=%s}, %zu)", dirfd, quote(path),
			  open_flags_str((int)how.flags), mode, resolve_flags_str(how.resolve), sizeof(how));
}

int open_in_root(int rootfd, const char *path, int flags)
{
	/* A magic link (/proc/self/root...) would jump out of any root. */
	return open_resolve(rootfd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}
