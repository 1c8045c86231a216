/* mkrootfs: make a container's root filesystem.
 *
 * An image is just a filesystem: `docker export` writes a container's
 * files as a tar stream, and a directory holding them is all a container
 * needs as its root. mkrootfs makes that directory four ways:
 *
 *   --busybox DIR        from the host's static busybox: one binary, a
 *                        link per applet, /etc/passwd, empty mount points
 *   DIR < ARCHIVE        from a tar (plain, gzip, bzip2, xz, zstd: detected)
 *   --layer DIR < LAYER  a layer on top of DIR: its ".wh." whiteouts
 *                        delete what the layers below it had
 *   --oci LAYOUT DIR     every layer of an OCI image layout, in order,
 *                        after checking each descriptor and blob
 *
 * libarchive unpacks, with its secure flags: it refuses any entry that
 * would land outside DIR ("..", an absolute name, a path through a
 * symlink, a hard link to outside). Each file is written under a
 * temporary name and renamed when it is whole, so that a broken archive
 * leaves no half-written file behind. An archive is read to its very
 * end, past the tar's end marker, so that a compressed stream's own
 * check (gzip's CRC-32, xz's and zstd's checksums) is verified too.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <json-c/json.h>
#include <nettle/sha2.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "ctrkit.h"

static const char help[] =
	"Usage: mkrootfs [options] DIR < ARCHIVE\n"
	"       mkrootfs [options] --busybox[=BINARY] DIR\n"
	"       mkrootfs [options] --layer DIR < LAYER\n"
	"       mkrootfs [options] --oci LAYOUT[:TAG] DIR\n"
	"Make a container's root filesystem in DIR (created if missing).\n"
	"\n"
	"  (no mode)               unpack a tar from stdin (plain, gzip, bzip2, xz, zstd)\n"
	"      --busybox[=BINARY]  from a static busybox (default: the host's)\n"
	"      --layer             unpack a layer on top of DIR, with whiteouts:\n"
	"                          .wh.NAME deletes NAME, .wh..wh..opq empties the directory\n"
	"      --oci=LAYOUT[:TAG]  unpack the image TAG of an OCI image layout\n"
	"  -v, --verbose           print each entry and each kernel call on stderr\n"
	"  -h, --help              show this help\n"
	"      --version           show the version\n";

enum { OPT_BUSYBOX = 256, OPT_LAYER, OPT_OCI, OPT_VERSION };

/* Each file is written under its name and this suffix, then renamed.
 * The suffix is ours: an archive may not use it, and a run into an
 * existing DIR first removes the files a killed run left with it. */
#define PARTIAL ".mkrootfs-partial"

/* What libarchive may do on disk: keep modes, times, xattrs (and owners
 * and device nodes when root), and never write outside DIR. */
static int extract_flags(void)
{
	int flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR |
		    ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
		    ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;

	if (geteuid() == 0)
		flags |= ARCHIVE_EXTRACT_OWNER;
	return flags;
}

/* calloc(3) that dies with "out of memory", as lib's erealloc() does:
 * a block that must start zeroed. */
static void *ecalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		die("out of memory");
	return p;
}

/* openat(2), traced; dirfd AT_FDCWD for a path from the working
 * directory. -1 and errno. */
static int openat_traced(int dirfd, const char *path, int flags)
{
	int fd = openat(dirfd, path, flags);
	char at[16] = "AT_FDCWD";

	if (dirfd != AT_FDCWD)
		snprintf(at, sizeof(at), "%d", dirfd);
	trace(fd, "openat(%s, %s, %s)", at, quote(path), open_flags_str(flags));
	return fd;
}

/* ---- progress, on a terminal only ---- */

static void progress(long long bytes, long entries, int done)
{
	static struct timespec last;
	struct timespec now;

	if (!isatty(STDERR_FILENO) || verbose)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!done && (now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000 < 200)
		return;
	last = now;
	fprintf(stderr, "\r%s: %ld entries, %.1f MB read%s", progname, entries, (double)bytes / 1e6,
		done ? "\n" : "");
	stderr_line_open = !done;
}

/* ---- reading the input ---- */

/* An OCI blob as its descriptor names it. */
struct blob {
	char digest[7 + 64 + 1]; /* "sha256:" and 64 hex digits */
	long long size;
	int filter;              /* the compression its media type says */
};

/* Finishes a SHA-256 (nettle's) and writes it as 64 hex digits, the
 * form an OCI digest "sha256:HEX" uses. */
static void sha256_hex(struct sha256_ctx *sum, char hex[65])
{
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256_digest(sum, sizeof(digest), digest);
	for (size_t i = 0; i < sizeof(digest); i++)
		sprintf(hex + 2 * i, "%02x", digest[i]);
}

/* Where an archive's bytes come from. Two libarchive readers are
 * stacked: "outer" undoes the compression (its format is "raw": the
 * bytes as they are), "inner" reads the tar from outer's output. The
 * tar reader stops at the tar's end marker; with outer we read the
 * compressed stream on to its end, where its checksum is. We read the
 * fd ourselves, so that a stop signal ends a blocked read, and an OCI
 * blob is hashed as it is unpacked. */
struct source {
	int fd;
	char what[64];           /* "stdin", "layer 2 of 3" */
	struct archive *outer, *inner;
	const struct blob *blob; /* NULL for stdin */
	struct sha256_ctx sum;   /* of the bytes read, for a blob */
	long long total;         /* bytes read from fd */
	unsigned int crc;        /* CRC-32 of the uncompressed bytes, for gzip:
	                          * libarchive (3.7 too) skips the gzip trailer
	                          * without checking it, so we do, with zlib */
	long long out;           /* uncompressed bytes */
	int cur;                 /* the block just read; the other is the one before */
	long long start[2];      /* where each block begins in the input */
	size_t len[2];
	char block[2][1 << 16];
};

/* The source open_archive_fd() made last; unpack() finishes it. */
static struct source *opened;

/* outer's read callback: the next block of the fd. A blob is read to at
 * most size + 1 bytes: one more than its size is already an error. */
static la_ssize_t read_input(struct archive *a, void *data, const void **block)
{
	struct source *src = data;
	int next = src->cur ^ 1;
	size_t want = sizeof(src->block[0]);
	ssize_t n;

	if (src->blob && src->blob->size - src->total < (long long)want)
		want = (size_t)(src->blob->size - src->total) + 1;
	while ((n = read(src->fd, src->block[next], want)) == -1 && errno == EINTR)
		check_stop();
	if (n == -1) {
		archive_set_error(a, errno, "read: %s", strerror(errno));
		return -1;
	}
	if (n == 0)
		return 0; /* keep the last two blocks: the gzip trailer is there */
	src->cur = next;
	src->start[next] = src->total;
	src->len[next] = (size_t)n;
	src->total += n;
	if (src->blob) {
		sha256_update(&src->sum, (size_t)n, (const uint8_t *)src->block[next]);
		if (src->total > src->blob->size) {
			archive_set_error(a, EFBIG, "blob %s is longer than its size, %lld bytes",
					  src->blob->digest, src->blob->size);
			return -1;
		}
	}
	*block = src->block[next];
	return n;
}

/* inner's read callback: the next block of uncompressed bytes. */
static la_ssize_t read_uncompressed(struct archive *a, void *data, const void **block)
{
	struct source *src = data;
	size_t size;
	la_int64_t offset;
	int r = archive_read_data_block(src->outer, block, &size, &offset);

	if (r == ARCHIVE_EOF)
		return 0;
	if (r != ARCHIVE_OK) {
		archive_set_error(a, archive_errno(src->outer), "%s", archive_error_string(src->outer));
		return -1;
	}
	if (archive_filter_code(src->outer, 0) == ARCHIVE_FILTER_GZIP)
		src->crc = (unsigned int)crc32(src->crc, *block, (uInt)size); /* zlib's */
	src->out += (long long)size;
	return (la_ssize_t)size;
}

static int close_source(struct archive *a, void *data)
{
	struct source *src = data;

	(void)a;
	archive_read_free(src->outer);
	if (opened == src)
		opened = NULL;
	free(src);
	return ARCHIVE_OK;
}

/* Opens the archive at fd (a blob when blob is not NULL): detects the
 * compression and the tar format, or dies with one line. */
static struct source *open_source(int fd, const char *what, const struct blob *blob)
{
	struct source *src = ecalloc(1, sizeof(*src));
	struct archive_entry *entry;

	src->fd = fd;
	snprintf(src->what, sizeof(src->what), "%s", what);
	src->blob = blob;
	src->cur = 1;
	if (blob)
		sha256_init(&src->sum);
	/* The compressions the man page names, no more: libarchive's
	 * others (lrzip, lzop, grzip) would run an outside program. */
	src->outer = archive_read_new();
	archive_read_support_filter_gzip(src->outer);
	archive_read_support_filter_bzip2(src->outer);
	archive_read_support_filter_xz(src->outer);
	archive_read_support_filter_zstd(src->outer);
	archive_read_support_format_raw(src->outer);
	if (archive_read_open(src->outer, src, NULL, read_input, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(src->outer, &entry) != ARCHIVE_OK)
		die("cannot read %s: %s", what, archive_error_string(src->outer));
	/* One compression: the gzip trailer is found in the bytes we read. */
	if (archive_filter_count(src->outer) > 2)
		die("cannot read %s: compressed twice (%s in %s)", what, archive_filter_name(src->outer, 0),
		    archive_filter_name(src->outer, 1));
	/* (When this open fails, libarchive has called close_source.) */
	struct archive *inner = archive_read_new();
	src->inner = inner;
	archive_read_support_format_tar(inner);
	archive_read_support_format_gnutar(inner);
	if (archive_read_open(inner, src, NULL, read_uncompressed, close_source) != ARCHIVE_OK)
		die("cannot read %s: %s", what, archive_error_string(inner));
	opened = src;
	return src;
}

static struct archive *open_archive_fd(int fd, const char *what)
{
	return open_source(fd, what, NULL)->inner;
}

/* The input byte at offset at, from the last two blocks; -1 if gone. */
static int byte_at(const struct source *src, long long at)
{
	for (int i = 0; i < 2; i++)
		if (at >= src->start[i] && at < src->start[i] + (long long)src->len[i])
			return (unsigned char)src->block[i][at - src->start[i]];
	return -1;
}

/* After the tar's end marker: reads the compressed stream to its end,
 * so that its decompressor verifies its checksum, then checks the gzip
 * trailer (CRC-32 and length, which libarchive skips), then reads the
 * rest of the input: after a compressed stream only zero bytes may come
 * (padding, which gzip -d takes too). After a plain tar, the rest is
 * read and ignored, as tar(1) does. */
static void finish_input(struct source *src, const char *where)
{
	const void *block;
	la_ssize_t n;

	while ((n = read_uncompressed(src->inner, src, &block)) > 0)
		check_stop();
	if (n < 0)
		die("%sbroken archive after its end marker: %s", where, archive_error_string(src->inner));
	int filter = archive_filter_code(src->outer, 0);
	const char *name = archive_filter_name(src->outer, 0);
	long long end = filter == ARCHIVE_FILTER_NONE ? src->total : archive_filter_bytes(src->outer, 1);

	if (filter == ARCHIVE_FILTER_GZIP) {
		unsigned int t[8];
		for (int i = 0; i < 8; i++) {
			int c = byte_at(src, end - 8 + i);
			if (c == -1)
				die("%sgzip trailer out of reach", where);
			t[i] = (unsigned int)c;
		}
		unsigned int crc = t[0] | t[1] << 8 | t[2] << 16 | t[3] << 24;
		unsigned int isize = t[4] | t[5] << 8 | t[6] << 16 | t[7] << 24;
		if (crc != src->crc || isize != (unsigned int)src->out)
			die("%scorrupt gzip stream: the data has CRC-32 %08x and %u bytes, its trailer says %08x and %u",
			    where, src->crc, (unsigned int)src->out, crc, isize);
	}
	long long bad = -1;
	for (long long at = end; at < src->total && bad == -1; at++)
		if (byte_at(src, at) > 0)
			bad = at;
	while (bad == -1 && (n = read_input(src->outer, src, &block)) > 0) {
		check_stop();
		for (la_ssize_t i = 0; filter != ARCHIVE_FILTER_NONE && i < n && bad == -1; i++)
			if (((const char *)block)[i])
				bad = src->start[src->cur] + i;
	}
	if (n < 0)
		die("%scannot read to the end: %s", where, archive_error_string(src->outer));
	if (filter != ARCHIVE_FILTER_NONE && bad != -1)
		die("%sdata after the end of the %s stream, at byte %lld", where, name, bad);
	if (src->blob) { /* checked before, but it may have changed since */
		char hex[65];
		sha256_hex(&src->sum, hex);
		if (src->total != src->blob->size || strcmp(hex, src->blob->digest + 7) != 0)
			die("%sblob %s changed while it was unpacked", where, src->blob->digest);
	}
}

/* ---- whiteouts ---- */

/* Removes name under dirfd, and everything below it, without following
 * a symlink anywhere; 0, or -1 with errno (ENOENT is success). */
static int remove_tree(int dirfd, const char *name)
{
	int r = unlinkat(dirfd, name, 0);

	trace(r, "unlinkat(%d, %s, 0)", dirfd, quote(name));
	if (r == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR)
		return -1;
	int sub = openat_traced(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *dir = sub == -1 ? NULL : fdopendir(sub);
	struct dirent *d;
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0 &&
		    remove_tree(sub, d->d_name) == -1) {
			closedir(dir);
			return -1;
		}
	closedir(dir);
	return (int)trace(unlinkat(dirfd, name, AT_REMOVEDIR), "unlinkat(%d, %s, AT_REMOVEDIR)", dirfd,
			  quote(name));
}

/* The paths this layer has written so far. An opaque whiteout hides
 * what the lower layers had in a directory, not what this layer put. */
static char **written;
static size_t nwritten, cap_written;

static void remember(const char *path)
{
	if (nwritten == cap_written) {
		cap_written = cap_written ? cap_written * 2 : 256;
		written = erealloc(written, cap_written * sizeof(*written));
	}
	written[nwritten++] = estrdup(path);
}

static void forget_written(void)
{
	for (size_t i = 0; i < nwritten; i++)
		free(written[i]);
	nwritten = 0;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* (An empty list is no array at all: qsort and bsearch want one.) */
static int was_written(const char *path)
{
	return nwritten && bsearch(&path, written, nwritten, sizeof(*written), by_string);
}

/* Empties dir (path relative to DIR) of everything this layer did not
 * write, going into the directories it did write. */
static void make_opaque(int dirfd, const char *path)
{
	DIR *dir = fdopendir(dup(dirfd));
	struct dirent *d;
	char child[PATH_MAX];

	if (!dir)
		die_errno("cannot read %s", quote(path));
	while ((d = readdir(dir))) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (snprintf(child, sizeof(child), "%s%s%s", path, *path ? "/" : "", d->d_name) >=
		    (int)sizeof(child))
			die("opaque %s: a path under it is longer than PATH_MAX", quote(path));
		if (!was_written(child)) {
			if (remove_tree(dirfd, d->d_name) == -1)
				die_errno("opaque %s: cannot remove %s", quote(path), quote(child));
		} else if (d->d_type == DT_DIR) {
			int sub = openat_traced(dirfd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub != -1) {
				make_opaque(sub, child);
				close(sub);
			}
		}
	}
	closedir(dir);
}

/* "./a//b/" -> "a/b": the form entries are remembered in. Names are
 * shorter than PATH_MAX (checked before), so nothing is cut. */
static void clean_path(const char *in, char *out, size_t size)
{
	size_t len = 0;

	while (*in && len + 1 < size) {
		if (in[0] == '/' || (in[0] == '.' && (in[1] == '/' || !in[1]))) {
			in++;
			continue;
		}
		while (*in && *in != '/' && len + 1 < size)
			out[len++] = *in++;
		if (*in == '/' && len + 1 < size)
			out[len++] = '/';
	}
	while (len > 0 && out[len - 1] == '/')
		len--;
	out[len] = '\0';
}

/* If name is a whiteout, applies it and returns 1. The directory is
 * opened inside DIR with openat2(RESOLVE_IN_ROOT): a layer cannot use a
 * whiteout (or a symlink in its path) to delete outside the rootfs. */
static int apply_whiteout(int rootfd, const char *name)
{
	char path[PATH_MAX], *slash, *base;

	clean_path(name, path, sizeof(path));
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	if (strncmp(base, ".wh.", 4) != 0)
		return 0;
	if (slash)
		*slash = '\0';
	const char *dir = slash ? path : "";
	if (name[0] == '/') /* as for entries */
		die("refused whiteout %s: path is absolute", quote(name));
	for (const char *p = path; *p;) { /* no ".." anywhere, as for entries */
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			die("refused whiteout %s: path contains '..'", quote(name));
		p += n + (p[n] == '/');
	}
	const char *victim = base + 4;
	if (!*victim || strcmp(victim, ".") == 0 || strcmp(victim, "..") == 0)
		die("refused whiteout %s: no name to delete", quote(name));

	const char *at = *dir ? dir : ".";
	int dirfd = open_in_root(rootfd, at, O_RDONLY | O_DIRECTORY);
	if (dirfd == -1) {
		if (errno == ENOENT)
			return 1; /* nothing below to hide */
		die_errno("whiteout %s: cannot open %s", quote(name), quote(dir));
	}
	if (strcmp(victim, ".wh..opq") == 0) {
		if (nwritten)
			qsort(written, nwritten, sizeof(*written), by_string);
		make_opaque(dirfd, dir);
	} else if (remove_tree(dirfd, victim) == -1) {
		die_errno("whiteout %s: cannot remove %s", quote(name), quote(victim));
	}
	close(dirfd);
	return 1;
}

/* ---- unpacking ---- */

static const char *type_name(mode_t type)
{
	switch (type) {
	case AE_IFREG: return "file";
	case AE_IFDIR: return "dir";
	case AE_IFLNK: return "symlink";
	case AE_IFCHR: return "char device";
	case AE_IFBLK: return "block device";
	case AE_IFIFO: return "fifo";
	default: return "other";
	}
}

/* libarchive's message about an entry, without our temporary suffix,
 * and on one line: the names it quotes may hold a newline. */
static const char *entry_error(struct archive *a)
{
	static char msg[1024];
	const char *in = archive_error_string(a) ? archive_error_string(a) : "error";
	size_t len = 0;

	while (*in && len + 5 < sizeof(msg)) {
		unsigned char c = (unsigned char)*in;
		if (strncmp(in, PARTIAL, strlen(PARTIAL)) == 0) {
			in += strlen(PARTIAL);
			continue;
		}
		if (c == '\n')
			len += (size_t)sprintf(msg + len, "\\n");
		else if (c == '\t')
			len += (size_t)sprintf(msg + len, "\\t");
		else if (c < ' ' || c == 0x7f)
			len += (size_t)sprintf(msg + len, "\\%o", c);
		else
			msg[len++] = (char)c;
		in++;
	}
	msg[len] = '\0';
	return msg;
}

/* The file being written as NAME.mkrootfs-partial, relative to partial_dirfd:
 * the undo handler removes it when mkrootfs fails or is stopped. */
static char partial[PATH_MAX + sizeof(PARTIAL)];
static int partial_dirfd = -1;

/* Is name's last part ".mkrootfs-partial"-suffixed? */
static int has_partial_suffix(const char *name)
{
	size_t len = strlen(name), n = strlen(PARTIAL);

	while (len > 0 && name[len - 1] == '/')
		len--;
	return len >= n && strncmp(name + len - n, PARTIAL, n) == 0;
}

/* Refuses, with one line, an entry's name we cannot take whole: none,
 * too long for the kernel once our suffix is on, or with our suffix. A
 * name too long is refused here, before any part of it is cut and
 * misread. */
static void check_entry_name(const char *name, long entries, const char *where)
{
	if (!name || !*name)
		die("%srefused entry %ld: it has no name", where, entries);
	if (strlen(name) + sizeof(PARTIAL) > PATH_MAX)
		die("%srefused entry %s: name longer than %zu bytes", where, quote(name),
		    PATH_MAX - sizeof(PARTIAL));
	if (has_partial_suffix(name))
		die("%srefused entry %s: the suffix %s is mkrootfs's own", where, quote(name), PARTIAL);
}

/* Copies the entry's data from in to out and finishes it on disk. */
static void write_data(struct archive *in, struct archive *out, const char *final, const char *where)
{
	const void *block;
	size_t size;
	la_int64_t offset;
	int r;

	while ((r = archive_read_data_block(in, &block, &size, &offset)) == ARCHIVE_OK)
		if (archive_write_data_block(out, block, size, offset) < ARCHIVE_WARN)
			break;
	if (r != ARCHIVE_EOF)
		die("%sbroken archive at %s: %s", where, quote(final),
		    r == ARCHIVE_OK ? entry_error(out) : entry_error(in));
	if (archive_write_finish_entry(out) < ARCHIVE_WARN)
		die("%scannot finish %s: %s", where, quote(final), entry_error(out));
}

/* Renames the whole file from its partial name to final. */
static void put_in_place(int rootfd, const char *final)
{
	int r = renameat(rootfd, partial, rootfd, final);

	trace(r, "renameat(%d, %s, %d, %s)", rootfd, quote(partial), rootfd, quote(final));
	if (r == -1 && (errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST)) {
		/* A file where a lower layer had a directory: that goes first. */
		r = remove_tree(rootfd, final);
		if (r == 0) {
			r = renameat(rootfd, partial, rootfd, final);
			trace(r, "renameat(%d, %s, %d, %s)", rootfd, quote(partial), rootfd, quote(final));
		}
	}
	if (r == -1)
		die_errno("cannot put %s in place", quote(final));
	partial[0] = '\0';
}

/* Unpacks every entry of in into rootfd (with whiteouts when layer).
 * Stops at the first refused or broken entry, with one line naming it;
 * what was unpacked before it stays, the entry itself does not. */
static void unpack(struct archive *in, int rootfd, int layer)
{
	struct source *src = opened && opened->inner == in ? opened : NULL;
	struct archive *out = archive_write_disk_new();
	struct archive_entry *entry;
	long entries = 0;
	int r;
	char where[80] = "";

	if (src && src->blob)
		snprintf(where, sizeof(where), "%s: ", src->what);
	/* Numeric owners only (no lookup set): a name in the image means
	 * nothing here. */
	archive_write_disk_set_options(out, extract_flags());
	if (trace(fchdir(rootfd), "fchdir(%d)", rootfd) == -1)
		die_errno("fchdir");
	forget_written(); /* a second call starts as the first */
	partial[0] = '\0';
	partial_dirfd = rootfd;
	while ((r = archive_read_next_header(in, &entry)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(entry);
		mode_t type = archive_entry_filetype(entry);

		check_stop();
		progress(src ? src->total : 0, ++entries, 0);
		check_entry_name(name, entries, where);
		if (layer && apply_whiteout(rootfd, name))
			continue;
		if (verbose)
			trace_line("extract %s (%s, %jd bytes, %04o, %jd:%jd)", quote(name), type_name(type),
				   (intmax_t)archive_entry_size(entry), archive_entry_perm(entry),
				   (intmax_t)archive_entry_uid(entry), (intmax_t)archive_entry_gid(entry));
		/* A file is written as NAME.mkrootfs-partial, then renamed. */
		char final[PATH_MAX];
		snprintf(final, sizeof(final), "%s", name);
		int is_file = type == AE_IFREG && !archive_entry_hardlink(entry);
		if (is_file) {
			snprintf(partial, sizeof(partial), "%s%s", final, PARTIAL);
			archive_entry_set_pathname(entry, partial);
		}
		r = archive_write_header(out, entry);
		if (r < ARCHIVE_WARN) {
			/* mknod needs privilege a user namespace does not give:
			 * a rootless unpack goes on without the device node. */
			if ((type == AE_IFCHR || type == AE_IFBLK) && archive_errno(out) == EPERM) {
				warnx("skipped %s %s: creating device nodes needs root", type_name(type), quote(final));
				continue;
			}
			die("%srefused entry %s: %s", where, quote(final), entry_error(out));
		}
		if (r == ARCHIVE_WARN)
			warnx("%s: %s", quote(final), entry_error(out));
		write_data(in, out, final, where);
		if (is_file)
			put_in_place(rootfd, final);
		if (layer) {
			char clean[PATH_MAX];
			clean_path(final, clean, sizeof(clean));
			remember(clean);
		}
	}
	if (r != ARCHIVE_EOF)
		die("%sbroken archive after %ld entries: %s", where, entries, entry_error(in));
	check_stop();
	if (src)
		finish_input(src, where);
	progress(src ? src->total : 0, entries, 1);
	if (archive_write_free(out) != ARCHIVE_OK)
		die("cannot finish unpacking");
	forget_written();
}

static void unpack_stdin(int rootfd, int layer)
{
	if (isatty(STDIN_FILENO))
		die_usage("no archive on stdin (mkrootfs DIR < rootfs.tar)");
	struct archive *in = open_archive_fd(STDIN_FILENO, "stdin");
	unpack(in, rootfd, layer);
	archive_read_free(in);
}

/* ---- busybox ---- */

/* A dynamic busybox would not run in a rootfs without its libraries:
 * look for a PT_INTERP program header, which names the dynamic loader. */
static int is_static(const char *path)
{
	unsigned char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd == -1 ? -1 : read(fd, buf, sizeof(buf));

	if (fd != -1)
		close(fd);
	if (n < (ssize_t)sizeof(Elf64_Ehdr) || memcmp(buf, ELFMAG, SELFMAG) != 0)
		die("%s is not an ELF executable", path);
	/* Where the program headers are, in a 64-bit or a 32-bit ELF;
	 * p_type comes first in both kinds of program header. */
	const Elf64_Ehdr *eh64 = (const Elf64_Ehdr *)buf;
	const Elf32_Ehdr *eh32 = (const Elf32_Ehdr *)buf;
	int is64 = buf[EI_CLASS] == ELFCLASS64;
	size_t phoff = is64 ? eh64->e_phoff : eh32->e_phoff;
	size_t phnum = is64 ? eh64->e_phnum : eh32->e_phnum;
	size_t phentsize = is64 ? eh64->e_phentsize : eh32->e_phentsize;
	size_t phsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	for (size_t i = 0; i < phnum; i++) {
		size_t at = phoff + i * phentsize;
		uint32_t type;
		if (at >= (size_t)n || (size_t)n - at < phsize)
			break;
		memcpy(&type, buf + at, sizeof(type));
		if (type == PT_INTERP)
			return 0;
	}
	return 1;
}

static void make_dir(int rootfd, const char *path, mode_t mode)
{
	int r = mkdirat(rootfd, path, mode);

	trace(r, "mkdirat(%d, %s, %#o)", rootfd, quote(path), mode);
	if (r == -1 && errno != EEXIST)
		die_errno("cannot make %s", path);
	/* mkdirat took the umask off the mode: set it whole. (strace shows
	 * fchmodat's three arguments; the kernel's call has no flags.) */
	if (r == 0 && trace(fchmodat(rootfd, path, mode, 0), "fchmodat(%d, %s, %#o)", rootfd, quote(path),
			    mode) == -1)
		die_errno("cannot chmod %s", path);
}

/* A new file, never one that was there: whatever had its name goes
 * first, and O_EXCL|O_NOFOLLOW refuse a symlink put there since (a
 * rootfs may hold one that points at the host's /etc/passwd). Traced;
 * the fd, or -1 and errno. */
static int create_new_file(int rootfd, const char *path, mode_t mode)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;

	trace(unlinkat(rootfd, path, 0), "unlinkat(%d, %s, 0)", rootfd, quote(path));
	int fd = openat(rootfd, path, flags, mode);
	trace(fd, "openat(%d, %s, %s, %#o)", rootfd, quote(path), open_flags_str(flags), mode);
	return fd;
}

static void write_new_file(int rootfd, const char *path, const char *text, mode_t mode)
{
	size_t len = strlen(text);
	int fd = create_new_file(rootfd, path, mode);

	if (fd == -1)
		die_errno("cannot write %s", path);
	ssize_t n = write(fd, text, len);
	trace(n, "write(%d, %s, %zu)", fd, quote_mem(text, len), len);
	if (n != (ssize_t)len)
		die_errno("cannot write %s", path);
	close(fd);
}

static void copy_binary(const char *from, int rootfd, const char *to)
{
	mode_t mode = 0755;
	int in = openat_traced(AT_FDCWD, from, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (in == -1 || fstat(in, &st) == -1)
		die_errno("cannot read %s", from);
	int out = create_new_file(rootfd, to, mode);
	if (out == -1)
		die_errno("cannot create %s", to);
	/* copy_file_range(2) copies inside the kernel, but only between two
	 * filesystems of the same type (Linux 5.19 and later: EXDEV across
	 * types, as from 9p to ext4); then read and write do it. */
	int in_kernel = 1;
	for (off_t left = st.st_size; left > 0;) {
		char buf[1 << 16];
		ssize_t n = -1;
		if (in_kernel) {
			n = copy_file_range(in, NULL, out, NULL, (size_t)left, 0);
			trace(n, "copy_file_range(%d, NULL, %d, NULL, %zu, 0)", in, out, (size_t)left);
		}
		if (n == -1 && in_kernel && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
			in_kernel = 0; /* read and write instead (untraced: one pair per 64 KiB) */
			continue;
		}
		if (!in_kernel && (n = read(in, buf, sizeof(buf))) > 0) {
			ssize_t written = write(out, buf, (size_t)n);
			if (written != n) {
				errno = written == -1 ? errno : EIO;
				n = -1;
			}
		}
		if (n <= 0)
			die_errno("cannot copy %s", from);
		left -= n;
	}
	if (trace(fchmod(out, mode), "fchmod(%d, %#o)", out, mode) == -1) /* past the umask */
		die_errno("cannot chmod %s", to);
	close(out);
	close(in);
}

/* The list of applets, as "usr/bin/awk" lines, from busybox itself. */
static char *list_applets(const char *busybox)
{
	int fds[2];
	char *list = NULL;
	size_t size = 0;

	if (pipe2(fds, O_CLOEXEC) == -1)
		die_errno("pipe2");
	fflush(NULL);
	pid_t child = fork();
	if (child == -1)
		die_errno("fork");
	if (child == 0) {
		/* The child only execs: _exit, as exit() would run our undo. */
		char *const args[] = { "busybox", "--list-full", NULL };
		int nenv = 0;
		while (environ[nenv])
			nenv++;
		trace(dup2(fds[1], STDOUT_FILENO), "dup2(%d, %d)", fds[1], STDOUT_FILENO);
		trace_line("execve(%s, [%s, %s], %p /* %d vars */)", quote(busybox), quote(args[0]),
			   quote(args[1]), (void *)environ, nenv);
		execve(busybox, args, environ);
		_exit(EXIT_NOT_FOUND);
	}
	trace(child, "fork()");
	close(fds[1]);
	FILE *f = open_memstream(&list, &size);
	char buf[4096];
	ssize_t n;
	while ((n = read(fds[0], buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, f);
	fclose(f);
	close(fds[0]);
	if (exit_status(wait_child(child)) != 0 || size == 0)
		die("%s --list-full failed: is it busybox?", busybox);
	return list;
}

static void make_busybox(int rootfd, const char *binary)
{
	static const char *const candidates[] = { "/bin/busybox", "/usr/bin/busybox" };
	static const struct {
		const char *path;
		mode_t mode;
	} dirs[] = {
		{ "bin", 0755 }, { "sbin", 0755 }, { "usr", 0755 }, { "usr/bin", 0755 },
		{ "usr/sbin", 0755 }, { "etc", 0755 }, { "root", 0700 }, { "home", 0755 },
		{ "var", 0755 }, { "proc", 0555 }, { "sys", 0555 }, { "dev", 0755 },
		{ "tmp", 01777 }, { "var/tmp", 01777 },
	};

	for (size_t i = 0; !binary && i < LEN(candidates); i++)
		if (access(candidates[i], X_OK) == 0)
			binary = candidates[i];
	if (!binary)
		die("no busybox found (apt-get install busybox-static, or --busybox=PATH)");
	if (access(binary, X_OK) == -1)
		die_errno("--busybox: %s", binary);
	if (!is_static(binary))
		die("%s is dynamically linked: it needs libraries the rootfs lacks (apt-get install busybox-static)",
		    binary);

	for (size_t i = 0; i < LEN(dirs); i++)
		make_dir(rootfd, dirs[i].path, dirs[i].mode);
	copy_binary(binary, rootfd, "bin/busybox");

	/* One symlink per applet: busybox picks the applet by argv[0]. */
	char *list = list_applets(binary), *save = NULL;
	const char *target = "/bin/busybox";
	int links = 0;
	for (char *path = strtok_r(list, "\n", &save); path; path = strtok_r(NULL, "\n", &save)) {
		check_stop();
		if (strcmp(path, "bin/busybox") == 0 || strstr(path, ".."))
			continue;
		unlinkat(rootfd, path, 0);
		int r = symlinkat(target, rootfd, path);
		if (verbose && links < 3)
			trace(r, "symlinkat(%s, %d, %s)", quote(target), rootfd, quote(path));
		if (r == -1)
			die_errno("cannot link %s", path);
		links++;
	}
	trace_line("... and %d more symlinks, one per applet", links > 3 ? links - 3 : 0);
	free(list);

	write_new_file(rootfd, "etc/passwd",
		       "root:x:0:0:root:/root:/bin/sh\n"
		       "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n", 0644);
	write_new_file(rootfd, "etc/group", "root:x:0:\nnogroup:x:65534:\n", 0644);
}

/* ---- OCI image layout ---- */

/* The media types of the OCI image spec (and Docker's, which older
 * tools leave in a layout), for each role a descriptor can have. */
static const char *const index_types[] = {
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
};
static const char *const manifest_types[] = {
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.docker.distribution.manifest.v2+json",
};
static const char *const config_types[] = {
	"application/vnd.oci.image.config.v1+json",
	"application/vnd.docker.container.image.v1+json",
};
static const struct {
	const char *type;
	int filter;
} layer_types[] = {
	{ "application/vnd.oci.image.layer.v1.tar", ARCHIVE_FILTER_NONE },
	{ "application/vnd.oci.image.layer.v1.tar+gzip", ARCHIVE_FILTER_GZIP },
	{ "application/vnd.oci.image.layer.v1.tar+zstd", ARCHIVE_FILTER_ZSTD },
	{ "application/vnd.oci.image.layer.nondistributable.v1.tar", ARCHIVE_FILTER_NONE },
	{ "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", ARCHIVE_FILTER_GZIP },
	{ "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", ARCHIVE_FILTER_ZSTD },
	{ "application/vnd.docker.image.rootfs.diff.tar.gzip", ARCHIVE_FILTER_GZIP },
	{ "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", ARCHIVE_FILTER_GZIP },
};

static const char *compression(int filter)
{
	switch (filter) {
	case ARCHIVE_FILTER_NONE: return "plain tar";
	case ARCHIVE_FILTER_GZIP: return "gzip";
	case ARCHIVE_FILTER_ZSTD: return "zstd";
	case ARCHIVE_FILTER_XZ: return "xz";
	case ARCHIVE_FILTER_BZIP2: return "bzip2";
	default: return "another compression";
	}
}

/* A manifest or an index is read whole; containerd refuses larger ones too. */
#define MAX_JSON (4 << 20)

static int in_list(const char *s, const char *const list[], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* The string at key, or NULL when it is missing or not a string. */
static const char *string_at(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : NULL;
}

/* Checks a descriptor as the OCI image spec defines one: mediaType a
 * string, digest "ALGORITHM:ENCODED" (of those, sha256 with 64 lowercase
 * hex digits is what we can check), size an integer, at least 0. Fills
 * b and returns the media type; dies with one line naming the field. */
static const char *check_descriptor(json_object *d, struct blob *b, const char *what)
{
	json_object *v;
	const char *type, *digest;

	if (!json_object_is_type(d, json_type_object))
		die("%s: a descriptor that is not a JSON object", what);
	if (!json_object_object_get_ex(d, "mediaType", &v) || !json_object_is_type(v, json_type_string))
		die("%s: descriptor without a \"mediaType\" string", what);
	type = json_object_get_string(v);
	if (!json_object_object_get_ex(d, "digest", &v) || !json_object_is_type(v, json_type_string))
		die("%s: descriptor without a \"digest\" string", what);
	digest = json_object_get_string(v);
	const char *colon = strchr(digest, ':');
	size_t alg = colon ? (size_t)(colon - digest) : 0;
	if (!colon || !alg || strspn(digest, "abcdefghijklmnopqrstuvwxyz0123456789+._-") != alg || !colon[1] ||
	    strspn(colon + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789=_-") != strlen(colon + 1))
		die("%s: malformed digest %s (want sha256:<64 hex digits>)", what, quote(digest));
	if (alg != 6 || strncmp(digest, "sha256", 6) != 0)
		die("%s: digest %s: only sha256 digests are supported", what, quote(digest));
	if (strlen(colon + 1) != 64 || strspn(colon + 1, "0123456789abcdef") != 64)
		die("%s: malformed digest %s (sha256 wants 64 lowercase hex digits)", what, quote(digest));
	snprintf(b->digest, sizeof(b->digest), "%s", digest);
	if (!json_object_object_get_ex(d, "size", &v) || !json_object_is_type(v, json_type_int))
		die("%s: descriptor without an integer \"size\"", what);
	b->size = json_object_get_int64(v);
	if (b->size < 0 || b->size == INT64_MAX)
		die("%s: descriptor size %s is out of range", what, json_object_to_json_string(v));
	return type;
}

/* A file of the layout: opened beneath the layout's directory (a ".."
 * or a symlink leading out of it is refused: EXDEV), never through a
 * symlink as its last part, without blocking (a FIFO would wait for a
 * writer forever), and only if it is a regular file. Dies otherwise. */
static int open_in_layout(int layoutfd, const char *path, const char *what)
{
	struct stat st;
	int fd = open_resolve(layoutfd, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK,
			      RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);

	if (fd == -1)
		die_errno_hint(errno == ENOENT && strcmp(path, "oci-layout") == 0 ? "not an OCI image layout"
			       : errno == ELOOP ? "a symbolic link is refused"
			       : errno == EXDEV ? "it leads out of the layout" : NULL,
			       "%s: %s", what, path);
	if (fstat(fd, &st) == -1)
		die_errno("%s: %s", what, path);
	if (!S_ISREG(st.st_mode))
		die("%s: %s is not a regular file", what, path);
	return fd;
}

/* Reads fd to its end, but no more than max + 1 bytes (one more than
 * max is already an error), into a malloc'd *text when text is not
 * NULL, hashing it into sum when sum is not NULL. Closes fd; returns
 * the length read, or -1 (errno) if it could not read. */
static long long read_at_most(int fd, long long max, char **text, struct sha256_ctx *sum)
{
	size_t cap = 0;
	long long total = 0;
	ssize_t n;

	if (text)
		*text = NULL;
	do {
		char buf[1 << 16];
		size_t want = max - total < (long long)sizeof(buf) ? (size_t)(max - total) + 1 : sizeof(buf);
		while ((n = read(fd, buf, want)) == -1 && errno == EINTR)
			check_stop();
		if (n > 0 && text) {
			if ((size_t)(total + n) + 1 > cap)
				*text = erealloc(*text, cap = (size_t)(total + n) * 2 + 1);
			memcpy(*text + total, buf, (size_t)n);
			(*text)[total + n] = '\0';
		}
		if (n > 0 && sum)
			sha256_update(sum, (size_t)n, (const uint8_t *)buf);
		total += n > 0 ? n : 0;
	} while (n > 0 && total <= max);
	close(fd);
	return n == -1 ? -1 : total;
}

/* "blobs/sha256/HEX", where a layout keeps the blob b, in path; returns path. */
#define BLOB_PATH_SIZE (sizeof("blobs/sha256/") + 64)
static char *blob_path(char path[BLOB_PATH_SIZE], const struct blob *b)
{
	snprintf(path, BLOB_PATH_SIZE, "blobs/sha256/%s", b->digest + 7);
	return path;
}

/* The blob a descriptor names, checked: its size (reading at most one
 * byte more) and its sha256 digest. Its content into *text when text is
 * not NULL (a JSON document, at most MAX_JSON bytes). */
static void check_blob(int layoutfd, const struct blob *b, const char *what, char **text)
{
	char path[BLOB_PATH_SIZE], hex[65];
	struct sha256_ctx sum;

	if (text && b->size > MAX_JSON)
		die("%s: blob %s has %lld bytes, more than the %d a JSON document may have", what, b->digest,
		    b->size, MAX_JSON);
	sha256_init(&sum);
	long long total = read_at_most(open_in_layout(layoutfd, blob_path(path, b), what), b->size, text, &sum);
	if (total == -1)
		die_errno("%s: cannot read %s", what, path);
	if (total != b->size)
		die("%s: blob %s has %s%lld bytes, the descriptor says %lld", what, b->digest,
		    total > b->size ? "more than " : "", total > b->size ? b->size : total, b->size);
	sha256_hex(&sum, hex);
	if (strcmp(hex, b->digest + 7) != 0)
		die("%s: digest mismatch: %s has sha256:%s", what, b->digest, hex);
	trace_line("sha256 of %s checked", b->digest);
}

/* Parses text as one JSON object; dies with one line if it is not. */
static json_object *parse_json(const char *text, size_t len, const char *name, const char *what)
{
	struct json_tokener *tok = json_tokener_new();

	if (!tok)
		die("out of memory");
	/* Length + 1 takes the NUL in: a document cut short is an error,
	 * not a "continue" waiting for more. */
	json_object *o = json_tokener_parse_ex(tok, text ? text : "", text ? (int)len + 1 : 1);
	enum json_tokener_error err = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);

	json_tokener_free(tok);
	if (!o)
		die("%s: %s is not JSON: %s", what, name, json_tokener_error_desc(err));
	while (end < len && strchr(" \t\r\n", text[end]))
		end++;
	if (end < len)
		die("%s: %s is not JSON: more after the document, at byte %zu", what, name, end);
	if (!json_object_is_type(o, json_type_object))
		die("%s: %s is not a JSON object", what, name);
	return o;
}

/* A JSON document of the layout that has no descriptor (oci-layout,
 * index.json): at most MAX_JSON bytes. */
static json_object *read_layout_json(int layoutfd, const char *name, const char *what)
{
	char *text;
	long long len = read_at_most(open_in_layout(layoutfd, name, what), MAX_JSON, &text, NULL);

	if (len == -1)
		die_errno("%s: cannot read %s", what, name);
	if (len > MAX_JSON)
		die("%s: %s is larger than %d bytes", what, name, MAX_JSON);
	json_object *o = parse_json(text, (size_t)len, name, what);
	free(text);
	return o;
}

/* A manifest or index blob, after checking it, and that its own
 * mediaType (when it has one) is the one its descriptor gave. */
static json_object *read_blob_json(int layoutfd, const struct blob *b, const char *type, const char *what)
{
	char *text;

	check_blob(layoutfd, b, what, &text);
	json_object *o = parse_json(text, (size_t)b->size, b->digest, what);
	free(text);
	const char *own = string_at(o, "mediaType");
	if (own && strcmp(own, type) != 0)
		die("%s: %s says its mediaType is %s, its descriptor says %s", what, b->digest, quote(own),
		    quote(type));
	return o;
}

/* From an index, the one descriptor for this tag, or for this machine. */
static json_object *pick(json_object *index, const char *tag, const char *what)
{
	json_object *manifests, *found = NULL;
	struct utsname u;
	const char *arch;

	if (!json_object_object_get_ex(index, "manifests", &manifests) ||
	    !json_object_is_type(manifests, json_type_array) || !json_object_array_length(manifests))
		die("%s: no manifests", what);
	uname(&u);
	arch = strcmp(u.machine, "x86_64") == 0 ? "amd64" : strcmp(u.machine, "aarch64") == 0 ? "arm64" : u.machine;
	for (size_t i = 0; i < json_object_array_length(manifests); i++) {
		json_object *m = json_object_array_get_idx(manifests, i), *o;
		const char *name = NULL, *march = NULL;

		if (json_object_object_get_ex(m, "annotations", &o))
			name = string_at(o, "org.opencontainers.image.ref.name");
		if (json_object_object_get_ex(m, "platform", &o))
			march = string_at(o, "architecture");
		if (tag && (!name || strcmp(name, tag) != 0))
			continue;
		if (march && strcmp(march, arch) != 0)
			continue;
		if (found)
			die("%s: more than one image fits%s (name one: LAYOUT:TAG)", what, tag ? " the tag" : "");
		found = m;
	}
	if (!found)
		die("%s: no image %s%s for %s", what, tag ? "tagged " : "", tag ? quote(tag) : "", arch);
	return found;
}

/* An image index and a manifest must say schemaVersion 2. */
static void check_schema(json_object *doc, const char *name, const char *what)
{
	json_object *v;

	if (!json_object_object_get_ex(doc, "schemaVersion", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) != 2)
		die("%s: %s: schemaVersion is not 2", what, name);
}

/* Follows the index to the manifest of the image tagged tag (or of this
 * machine): a multi-platform image has an index inside the index.
 * Returns the manifest, checked, and its blob in b. */
static json_object *find_manifest(int layoutfd, json_object *index, const char *tag, const char *layout,
				  struct blob *b)
{
	json_object *descriptor = pick(index, tag, layout), *manifest = NULL, *nested = NULL;

	for (int depth = 0; !manifest; depth++) {
		const char *type = check_descriptor(descriptor, b, layout);
		int is_index = in_list(type, index_types, LEN(index_types));
		if (!is_index && !in_list(type, manifest_types, LEN(manifest_types)))
			die("%s: media type %s is not an image manifest or index", layout, quote(type));
		if (is_index && depth == 3)
			die("%s: indexes nested more than 3 deep", layout);
		json_object *doc = read_blob_json(layoutfd, b, type, layout);
		check_schema(doc, b->digest, layout);
		if (is_index) {
			json_object_put(nested);
			nested = doc;
			descriptor = pick(nested, NULL, layout);
		} else {
			manifest = doc;
		}
	}
	json_object_put(nested); /* b holds what we need of it */
	return manifest;
}

/* The blobs of the manifest's layers, each descriptor and digest
 * checked (and its media type known), so that a bad blob is found
 * before the first layer is unpacked and leaves DIR as it was. Returns
 * a calloc'd array of *n. */
static struct blob *check_layers(int layoutfd, json_object *layers, size_t *n)
{
	struct blob *blobs;
	char what[64];

	*n = json_object_array_length(layers);
	blobs = ecalloc(*n + 1, sizeof(*blobs));
	for (size_t i = 0; i < *n; i++) {
		snprintf(what, sizeof(what), "layer %zu of %zu", i + 1, *n);
		const char *type = check_descriptor(json_object_array_get_idx(layers, i), &blobs[i], what);
		size_t k = 0;
		while (k < LEN(layer_types) && strcmp(type, layer_types[k].type) != 0)
			k++;
		if (k == LEN(layer_types))
			die("%s: media type %s is not a layer (want %s[+gzip|+zstd])", what, quote(type),
			    layer_types[0].type);
		blobs[i].filter = layer_types[k].filter;
		check_blob(layoutfd, &blobs[i], what, NULL);
		check_stop();
	}
	return blobs;
}

/* Unpacks the n layers in order, with whiteouts. Blobs are opened one
 * at a time: an image may have more layers than we may have open
 * files. */
static void unpack_layers(int layoutfd, const struct blob *blobs, size_t n, int rootfd)
{
	char what[64], path[BLOB_PATH_SIZE];

	for (size_t i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "layer %zu of %zu", i + 1, n);
		int fd = open_in_layout(layoutfd, blob_path(path, &blobs[i]), what);
		struct source *src = open_source(fd, what, &blobs[i]);
		if (archive_filter_code(src->outer, 0) != blobs[i].filter)
			die("%s: its media type says %s, the blob is %s", what, compression(blobs[i].filter),
			    compression(archive_filter_code(src->outer, 0)));
		unpack(src->inner, rootfd, 1);
		archive_read_free(src->inner);
		close(fd);
	}
}

static void unpack_oci(const char *spec, int rootfd)
{
	char *layout = estrdup(spec), *tag = strrchr(layout, ':');
	struct stat st;
	struct blob b;

	/* LAYOUT:TAG, unless the colon belongs to the directory's name. */
	if (tag && !strchr(tag, '/') && stat(layout, &st) != 0)
		*tag++ = '\0';
	else
		tag = NULL;
	int layoutfd = openat_traced(AT_FDCWD, layout, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (layoutfd == -1)
		die_errno("--oci: %s", layout);
	json_object *marker = read_layout_json(layoutfd, "oci-layout", layout);
	if (!string_at(marker, "imageLayoutVersion"))
		die("%s: not an OCI image layout (no imageLayoutVersion)", layout);
	json_object_put(marker);

	json_object *index = read_layout_json(layoutfd, "index.json", layout);
	const char *own = string_at(index, "mediaType");
	if (own && strcmp(own, index_types[0]) != 0)
		die("%s: index.json has mediaType %s (want %s)", layout, quote(own), index_types[0]);
	check_schema(index, "index.json", layout);

	json_object *manifest = find_manifest(layoutfd, index, tag, layout, &b), *config, *layers;
	if (!json_object_object_get_ex(manifest, "config", &config))
		die("%s: manifest %s has no config", layout, b.digest);
	const char *type = check_descriptor(config, &b, layout);
	if (!in_list(type, config_types, LEN(config_types)))
		die("%s: config media type %s is not an image config (want %s)", layout, quote(type), config_types[0]);
	check_blob(layoutfd, &b, "config", NULL);
	if (!json_object_object_get_ex(manifest, "layers", &layers) || !json_object_is_type(layers, json_type_array))
		die("%s: manifest has no layers array", layout);

	size_t n;
	struct blob *blobs = check_layers(layoutfd, layers, &n);
	unpack_layers(layoutfd, blobs, n, rootfd);
	free(blobs);
	json_object_put(index);
	json_object_put(manifest);
	close(layoutfd);
	free(layout);
}

/* ---- undo, and what a killed run left ---- */

/* A DIR that mkrootfs made goes again, with all it unpacked, when
 * mkrootfs fails or is stopped by a signal: no half rootfs is left for
 * a later step to trust. In a DIR that existed, the file being written
 * goes. (SIGKILL cannot be caught: see remove_partials.) */
static char *made_dir;
static int succeeded;

static void undo(void)
{
	if (succeeded)
		return;
	if (partial[0] && partial_dirfd != -1)
		trace(unlinkat(partial_dirfd, partial, 0), "unlinkat(%d, %s, 0)", partial_dirfd, quote(partial));
	if (!made_dir)
		return;
	char *slash = strrchr(made_dir, '/');
	*slash = '\0';
	const char *above = slash == made_dir ? "/" : made_dir;
	int parent = openat_traced(AT_FDCWD, above, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent == -1 || remove_tree(parent, slash + 1) == -1)
		warnx("could not remove %s/%s again: %s", made_dir, slash + 1, strerror(errno));
	if (parent != -1)
		close(parent);
}

static int remove_partial(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_F && S_ISREG(st->st_mode) && has_partial_suffix(path) &&
	    trace(unlink(path), "unlink(%s)", quote(path)) == -1)
		warnx("cannot remove %s: %s", quote(path), strerror(errno));
	return 0;
}

/* A run killed by SIGKILL (or a crash) can leave one file being written
 * as NAME.mkrootfs-partial; the next run into the same DIR removes every
 * such file first. The suffix is ours (entries may not use it), so no
 * file of an image is taken for one. */
static void remove_partials(const char *dir)
{
	/* FTW_PHYS: a symlink in DIR is never followed; FTW_MOUNT: stay on
	 * DIR's filesystem, as a bind mount under it is not ours. */
	if (nftw(dir, remove_partial, 16, FTW_PHYS | FTW_MOUNT) == -1)
		die_errno("cannot look through %s", dir);
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "busybox", optional_argument, NULL, OPT_BUSYBOX },
		{ "layer", no_argument, NULL, OPT_LAYER },
		{ "oci", required_argument, NULL, OPT_OCI },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int busybox = 0, layer = 0, c;
	const char *binary = NULL, *oci = NULL;

	progname = "mkrootfs";
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:vh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_BUSYBOX: busybox = 1; binary = optarg; break;
		case OPT_LAYER: layer = 1; break;
		case OPT_OCI: oci = optarg; break;
		case 'v': verbose = 1; break;
		case 'h': print_help(help);
		case OPT_VERSION: print_version();
		default: bad_option(argv, c);
		}
	}
	if (busybox + layer + (oci != NULL) > 1)
		die_usage("--busybox, --layer and --oci exclude each other");
	if (argc - optind != 1)
		die_usage("give one directory");
	const char *dir = argv[optind];

	/* From here on SIGINT, SIGTERM and SIGHUP undo as a failure does:
	 * the handler only records them; check_stop() between entries, and
	 * a read they interrupt, exit through undo(). */
	catch_stop_signals();
	atexit(undo);

	/* DIR is made if missing (its parent must exist), and may not be /. */
	mode_t mode = 0755;
	int made = trace(mkdir(dir, mode), "mkdir(%s, %#o)", quote(dir), mode) == 0;
	if (!made && errno != EEXIST)
		die_errno("cannot make %s", dir);
	char *real = realpath(dir, NULL);
	if (!real)
		die_errno("%s", dir);
	if (strcmp(real, "/") == 0)
		die("refusing to fill / (give the directory of a new root)");
	if (made)
		made_dir = real; /* absolute: unpacking changes our cwd */
	else
		free(real);
	int rootfd = openat_traced(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd == -1)
		die_errno("%s", dir);
	if (!made)
		remove_partials(dir);
	check_stop();

	if (busybox)
		make_busybox(rootfd, binary);
	else if (oci)
		unpack_oci(oci, rootfd);
	else
		unpack_stdin(rootfd, layer);
	check_stop();
	succeeded = 1;
	close(rootfd);
	return 0;
}
