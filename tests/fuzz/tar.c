/* fuzz-tar: `mkrootfs DIR < ARCHIVE` on a fuzzed archive (plain or
 * compressed), unpacked into an empty directory.
 *
 * tools/mkrootfs.c is included whole, its main() renamed, to reach its
 * static open_archive_fd() and unpack(). What is checked after each
 * input, whether unpack() finished or died:
 *   - nothing appeared beside DIR (an entry that escaped it);
 *   - when unpack() finished, no NAME.mkrootfs-partial is left in DIR,
 *     unless the archive itself may have named one;
 *   - with whiteouts (fuzz-layer), no file named .wh.* is in DIR: a
 *     whiteout is applied, never unpacked (only a directory may carry
 *     the name, made on the way to a deeper entry).
 */
#include <archive.h>
#include <json-c/json.h>

#include "ctrkit.h"

/* What mkrootfs.c holds when a die() jumps out of the middle of it: its
 * archives, JSON documents and calloc'd blocks (a reader's buffers, 130
 * KB). The harness frees them after the jump, newest first, as their
 * owners would have: freeing an archive may free an older one, and a
 * block, through its close callback, which lets go of them here.
 * Without this, an input that dies leaks up to 200 KB; smaller things
 * (a strdup'd path) are still left, so leaks are not checked. */
enum held_kind { ARCHIVE, JSON, BLOCK };
static struct {
	void *p;
	enum held_kind kind;
} held[64];

static void *hold(void *p, enum held_kind kind)
{
	for (size_t i = 0; p && i < LEN(held); i++)
		if (!held[i].p) {
			held[i].p = p, held[i].kind = kind;
			break;
		}
	return p;
}

static void let_go(void *p)
{
	for (size_t i = 0; p && i < LEN(held); i++)
		if (held[i].p == p)
			held[i].p = NULL;
}

static void free_held(void)
{
	for (size_t i = LEN(held); i-- > 0;) {
		void *p = held[i].p;
		if (!p)
			continue;
		held[i].p = NULL;
		if (held[i].kind == ARCHIVE)
			archive_free(p);
		else if (held[i].kind == JSON)
			json_object_put(p);
		else
			free(p);
	}
}

/* Unused ones are for a mkrootfs.c that reads its JSON another way. */
#define MAYBE_UNUSED __attribute__((unused)) static
MAYBE_UNUSED struct archive *held_read_new(void) { return hold(archive_read_new(), ARCHIVE); }
MAYBE_UNUSED struct archive *held_write_disk_new(void) { return hold(archive_write_disk_new(), ARCHIVE); }
MAYBE_UNUSED int held_read_free(struct archive *a) { let_go(a); return archive_read_free(a); }
MAYBE_UNUSED int held_write_free(struct archive *a) { let_go(a); return archive_write_free(a); }
MAYBE_UNUSED json_object *held_from_fd(int fd) { return hold(json_object_from_fd(fd), JSON); }
MAYBE_UNUSED json_object *held_parse_ex(struct json_tokener *tok, const char *s, int len)
{
	return hold(json_tokener_parse_ex(tok, s, len), JSON);
}
/* mkrootfs.c puts only the documents it parsed, each once. */
MAYBE_UNUSED int held_put(json_object *o) { let_go(o); return json_object_put(o); }
/* Only calloc: mkrootfs.c never reallocs what it callocs. */
MAYBE_UNUSED void *held_calloc(size_t n, size_t size) { return hold(calloc(n, size), BLOCK); }
MAYBE_UNUSED void held_free(void *p) { let_go(p); free(p); }

#define archive_read_new held_read_new
#define archive_write_disk_new held_write_disk_new
#define archive_read_free held_read_free
#define archive_write_free held_write_free
#define json_object_from_fd held_from_fd
#define json_tokener_parse_ex held_parse_ex
#define json_object_put held_put
#define calloc held_calloc
#define free held_free
#define main mkrootfs_main
#include "../../tools/mkrootfs.c"
#undef main
#undef archive_read_new
#undef archive_write_disk_new
#undef archive_read_free
#undef archive_write_free
#undef json_object_from_fd
#undef json_tokener_parse_ex
#undef json_object_put
#undef calloc
#undef free

#include <sys/mman.h>

#include "fuzz.h"

/* What the scratch directory holds: DIR is root/, a canary is in
 * outside/, fuzz-oci's layout in layout/. */
static const char *const keep[] = { "root", "outside", "layout", NULL };

struct input {
	const uint8_t *data;
	size_t size;
	int layer;                  /* 1: apply whiteouts (fuzz-layer) */
	void (*prepare)(int rootfd); /* fills DIR first, or NULL */
	/* unpacks into DIR: the archive in data, or what fuzz-oci does */
	void (*unpack)(struct input *input, int rootfd);
};

/* "scratch/outside/canary": a file an escaping entry might replace. */
static void make_outside(const char *scratch)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/outside", scratch);
	if (mkdir(path, 0755) == -1)
		fuzz_fail("mkdir %s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/outside/canary", scratch);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1 || write(fd, "canary\n", 7) != 7)
		fuzz_fail("cannot write %s: %s", path, strerror(errno));
	close(fd);
}

static void check_outside(const char *scratch)
{
	char path[PATH_MAX], buf[16] = "";

	snprintf(path, sizeof(path), "%s/outside/canary", scratch);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 || read(fd, buf, sizeof(buf)) != 7 || memcmp(buf, "canary\n", 7) != 0)
		fuzz_fail("outside/canary was changed: an entry escaped DIR");
	close(fd);
}

static int check_partial, check_whiteout;

static void check_entry(const char *path, const char *name, int is_dir)
{
	size_t len = strlen(name), suffix = strlen(".mkrootfs-partial");

	if (check_partial && len >= suffix && strcmp(name + len - suffix, ".mkrootfs-partial") == 0)
		fuzz_fail("%s left behind", path);
	if (check_whiteout && !is_dir && strncmp(name, ".wh.", 4) == 0)
		fuzz_fail("whiteout %s was unpacked, not applied", path);
}

static void unpack_input(void *arg)
{
	struct input *input = arg;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/root", fuzz_scratch());
	int rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd == -1)
		fuzz_fail("%s: %s", path, strerror(errno));
	if (input->prepare)
		input->prepare(rootfd);
	input->unpack(input, rootfd);
}

__attribute__((unused)) /* fuzz-oci unpacks its own way */
static void unpack_archive(struct input *input, int rootfd)
{
	/* A memfd is what `< file` gives: a seekable fd. */
	int fd = memfd_create("archive", MFD_CLOEXEC);
	if (fd == -1 || write(fd, input->data, input->size) != (ssize_t)input->size || lseek(fd, 0, SEEK_SET) == -1)
		fuzz_fail("memfd: %s", strerror(errno));
	struct archive *in = open_archive_fd(fd, "stdin");
	unpack(in, rootfd, input->layer);
	held_read_free(in);
}

/* Runs one input through unpack() and checks what it left; for this
 * harness, fuzz-layer and fuzz-oci. */
static int fuzz_unpack(struct input *input)
{
	const char *scratch = fuzz_scratch();
	char path[PATH_MAX];

	progname = "mkrootfs";
	snprintf(path, sizeof(path), "%s/root", scratch);
	if (mkdir(path, 0755) == -1)
		fuzz_fail("mkdir %s: %s", path, strerror(errno));
	make_outside(scratch);
	fuzz_fds_mark();

	/* After a die() DIR is still our cwd, which a write_disk archive
	 * needs when it is freed: it sets the modes of the directories it
	 * made last. */
	int died = fuzz_call(unpack_input, input) != -1;
	free_held();

	check_outside(scratch);
	/* After a die() the partial file is main()'s atexit undo's to
	 * remove, which a harness does not run. */
	check_partial = !died && !memmem(input->data, input->size, "partial", 7);
	check_whiteout = input->layer;
	fuzz_walk("root", check_entry);
	fuzz_clean(keep);
	return 0;
}

/* Leaks are not checked: a die() leaves a few small ones, as a process
 * that ends would. */
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

#ifndef FUZZ_HARNESS /* fuzz-layer and fuzz-oci have their own */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input input = { .data = data, .size = size, .unpack = unpack_archive };

	return fuzz_unpack(&input);
}
#endif
