/* fuzz-oci: `mkrootfs --oci LAYOUT:latest DIR` on an OCI image layout
 * made from the fuzzed input.
 *
 * A layout names each blob by the sha256 of its bytes, which a fuzzer
 * cannot compute. So the input is a template: parts separated by a line
 * "--8<--"; the first is index.json, each other one a blob, numbered
 * from 1. In a part that is JSON (it starts with '{' or '['), "@N"
 * becomes "sha256:HEX", the digest of blob N, and "#N" its size, for
 * any N after that part (1 to 9). So most inputs get past the digest
 * check, and the fuzzer spends its time on the JSON and the layers.
 * tests/fuzz/mkseeds writes the seeds. The checks are fuzz-tar's.
 */
#define FUZZ_HARNESS
#include "tar.c"

enum { MAX_PARTS = 10 };
static const char sep[] = "\n--8<--\n";

struct part {
	const uint8_t *data;
	size_t size;
	char *text; /* with @N and #N filled in, malloc'd; or NULL */
	size_t text_size;
	char hex[65];
};

static int is_json(const struct part *p)
{
	size_t i = 0;

	while (i < p->size && strchr(" \t\r\n", p->data[i]))
		i++;
	return i < p->size && (p->data[i] == '{' || p->data[i] == '[');
}

/* Fills in @N and #N from the parts after part i (done already). */
static void fill_in(struct part parts[], int n, int i)
{
	struct part *p = &parts[i];
	FILE *f = open_memstream(&p->text, &p->text_size);

	for (size_t at = 0; at < p->size; at++) {
		int c = p->data[at], ref = at + 1 < p->size ? p->data[at + 1] - '0' : -1;

		if (is_json(p) && (c == '@' || c == '#') && ref > i && ref < n) {
			if (c == '@')
				fprintf(f, "sha256:%s", parts[ref].hex);
			else
				fprintf(f, "%zu", parts[ref].text_size);
			at++;
		} else {
			fputc(c, f);
		}
	}
	fclose(f);

	struct sha256_ctx sum;
	sha256_init(&sum);
	sha256_update(&sum, p->text_size, (const uint8_t *)p->text);
	sha256_hex(&sum, p->hex);
}

static void write_file_at(int dirfd, const char *name, const void *data, size_t size)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd == -1 || write(fd, data, size) != (ssize_t)size)
		fuzz_fail("cannot write layout/%s: %s", name, strerror(errno));
	close(fd);
}

/* scratch/layout: oci-layout, index.json (part 0), blobs/sha256/HEX. */
static void make_layout(struct input *input, char *layout, size_t size)
{
	struct part parts[MAX_PARTS] = { 0 };
	const uint8_t *at = input->data, *end = input->data + input->size;
	int n = 0;

	while (n < MAX_PARTS) {
		const uint8_t *next = n + 1 < MAX_PARTS ? memmem(at, (size_t)(end - at), sep, strlen(sep)) : NULL;
		parts[n++] = (struct part){ .data = at, .size = (size_t)((next ? next : end) - at) };
		if (!next)
			break;
		at = next + strlen(sep);
	}
	for (int i = n - 1; i >= 0; i--)
		fill_in(parts, n, i);

	snprintf(layout, size, "%s/layout", fuzz_scratch());
	if (mkdir(layout, 0755) == -1)
		fuzz_fail("mkdir %s: %s", layout, strerror(errno));
	int dirfd = open(layout, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd == -1 || mkdirat(dirfd, "blobs", 0755) == -1 || mkdirat(dirfd, "blobs/sha256", 0755) == -1)
		fuzz_fail("mkdir %s/blobs/sha256: %s", layout, strerror(errno));
	write_file_at(dirfd, "oci-layout", "{\"imageLayoutVersion\": \"1.0.0\"}\n", 32);
	write_file_at(dirfd, "index.json", parts[0].text, parts[0].text_size);
	for (int i = 1; i < n; i++) {
		char name[128];
		snprintf(name, sizeof(name), "blobs/sha256/%s", parts[i].hex);
		write_file_at(dirfd, name, parts[i].text, parts[i].text_size);
	}
	close(dirfd);
	for (int i = 0; i < n; i++)
		free(parts[i].text);
}

static void unpack_layout(struct input *input, int rootfd)
{
	char layout[PATH_MAX], spec[PATH_MAX + 8];

	make_layout(input, layout, sizeof(layout));
	snprintf(spec, sizeof(spec), "%s:latest", layout);
	unpack_oci(spec, rootfd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input input = { .data = data, .size = size, .layer = 1, .unpack = unpack_layout };

	return fuzz_unpack(&input);
}
