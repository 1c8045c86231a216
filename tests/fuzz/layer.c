/* fuzz-layer: `mkrootfs --layer DIR < LAYER` on a fuzzed layer, over a
 * DIR that holds a small tree (files, directories, a symlink), so that
 * its whiteouts have something to delete.
 * The checks are fuzz-tar's (tar.c), with the one for whiteouts.
 */
#define FUZZ_HARNESS
#include "tar.c"

/* The layers below: what `mkrootfs --busybox` would leave, in small. */
static void lower_layers(int rootfd)
{
	static const char *const dirs[] = { "etc", "usr", "usr/bin", "usr/lib", "var", "var/cache",
					     "var/cache/apt", "home", "home/user", "tmp" };
	static const char *const files[] = { "etc/passwd", "etc/group", "usr/bin/sh", "usr/lib/libc.so",
					     "var/cache/apt/a", "var/cache/apt/b", "home/user/.profile" };

	for (size_t i = 0; i < LEN(dirs); i++)
		if (mkdirat(rootfd, dirs[i], 0755) == -1)
			fuzz_fail("mkdir %s: %s", dirs[i], strerror(errno));
	for (size_t i = 0; i < LEN(files); i++) {
		int fd = openat(rootfd, files[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd == -1 || write(fd, files[i], strlen(files[i])) == -1)
			fuzz_fail("write %s: %s", files[i], strerror(errno));
		close(fd);
	}
	if (symlinkat("usr/lib", rootfd, "lib") == -1 || symlinkat("/etc", rootfd, "home/user/etc") == -1)
		fuzz_fail("symlink: %s", strerror(errno));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input input = { .data = data, .size = size, .layer = 1, .prepare = lower_layers,
			       .unpack = unpack_archive };

	return fuzz_unpack(&input);
}
