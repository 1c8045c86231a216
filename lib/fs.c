/* fs.c: looking paths up inside a root directory. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ctrkit.h"

/* "RESOLVE_NO_MAGICLINKS|RESOLVE_IN_ROOT" for open_how.resolve, in
 * strace's order (the bits' own). */
static const char *resolve_flags_str(unsigned long long resolve)
{
	static char buf[160];
	static const char *const names[64] = {
		[BIT_OF(RESOLVE_NO_XDEV)] = "RESOLVE_NO_XDEV",
		[BIT_OF(RESOLVE_NO_MAGICLINKS)] = "RESOLVE_NO_MAGICLINKS",
		[BIT_OF(RESOLVE_NO_SYMLINKS)] = "RESOLVE_NO_SYMLINKS",
		[BIT_OF(RESOLVE_BENEATH)] = "RESOLVE_BENEATH",
		[BIT_OF(RESOLVE_IN_ROOT)] = "RESOLVE_IN_ROOT",
		[BIT_OF(RESOLVE_CACHED)] = "RESOLVE_CACHED",
	};

	return bits_str((unsigned long)resolve, names, buf, sizeof(buf));
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

void need_directory(const char *prefix, const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		die_errno("%s%s", prefix, path);
	if (!S_ISDIR(st.st_mode))
		die("%s%s is not a directory", prefix, path);
}
