/* fuzz-seccomp: `sysfilter --profile=FILE` on a fuzzed OCI
 * linux.seccomp profile (or a whole config.json), up to the filter it
 * would load: read_json() and file_filter() of tools/sysfilter.c, which
 * is included whole, its main() renamed. The filter is never loaded.
 *
 * A profile is either refused, with one die(), or it builds a filter
 * that libseccomp can turn into a BPF program: a non-empty one, made of
 * whole 8-byte instructions. Leaks are not checked: a die() in the
 * middle of a profile leaves its JSON and libseccomp context, as a
 * process that ends would.
 */
#define main sysfilter_main
#include "../../tools/sysfilter.c"
#undef main

#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>

#include "fuzz.h"

static const char *const keep[] = { "profile.json", NULL };
static char path[PATH_MAX];
static json_object *root;
static scmp_filter_ctx built;

static void build(void *arg)
{
	(void)arg;
	root = read_json(path);
	built = file_filter(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	snprintf(path, sizeof(path), "%s/profile.json", fuzz_scratch());
	profile_path = path;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1 || write(fd, data, size) != (ssize_t)size)
		fuzz_fail("cannot write %s: %s", path, strerror(errno));
	close(fd);

	fuzz_fds_mark();
	root = NULL;
	built = NULL;
	extra_arches = 0; /* sysfilter's one global a profile sets */
	fuzz_call(build, NULL);
	if (built) {
		int bpf = memfd_create("fuzz-bpf", MFD_CLOEXEC);
		if (bpf == -1)
			fuzz_fail("memfd_create: %s", strerror(errno));
		int r = seccomp_export_bpf(built, bpf);
		off_t len = lseek(bpf, 0, SEEK_END);
		close(bpf);
		if (r != 0)
			fuzz_fail("a profile that was accepted gives no BPF program: %s", strerror(-r));
		if (len <= 0 || len % 8 != 0)
			fuzz_fail("a profile that was accepted gives a BPF program of %lld bytes",
				  (long long)len);
		seccomp_release(built);
	}
	if (root)
		json_object_put(root);
	fuzz_clean(keep);
	return 0;
}

const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

/* The scratch directory before libFuzzer starts its threads: a mount
 * namespace cannot be unshared by one thread of several. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_scratch();
	return 0;
}
