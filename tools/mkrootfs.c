/* mkrootfs: make a container's root filesystem.
 *
 * An image is just a filesystem: `docker export` writes a container's
 * files as a tar stream, and a directory holding them is all a container
 * needs as its root. mkrootfs makes that directory four ways:
 *
 *   --busybox DIR        from the host's static busybox: one binary, a
 *                        link per applet, /etc/passwd, empty mount points
 *   DIR < ARCHIVE        from a tar (plain, gzip, xz, zstd: detected)
 *   --layer DIR < LAYER  a layer on top of DIR: its ".wh." whiteouts
 *                        delete what the layers below it had
 *   --oci LAYOUT DIR     every layer of an OCI image layout, in order,
 *                        after checking each blob's sha256 digest
 *
 * libarchive unpacks, with its secure flags: it refuses any entry that
 * would land outside DIR ("..", an absolute name, a path through a
 * symlink, a hard link to outside). Each file is written under a
 * temporary name and renamed when it is whole, so that a broken archive
 * leaves no half-written file behind.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctrkit.h"

static const char help[] =
	"Usage: mkrootfs [options] DIR < ARCHIVE\n"
	"       mkrootfs [options] --busybox[=BINARY] DIR\n"
	"       mkrootfs [options] --layer DIR < LAYER\n"
	"       mkrootfs [options] --oci LAYOUT[:TAG] DIR\n"
	"Make a container's root filesystem in DIR (created if missing).\n"
	"\n"
	"  (no mode)               unpack a tar from stdin (plain, gzip, xz, zstd)\n"
	"      --busybox[=BINARY]  from a static busybox (default: the host's)\n"
	"      --layer             unpack a layer on top of DIR, with whiteouts:\n"
	"                          .wh.NAME deletes NAME, .wh..wh..opq empties the directory\n"
	"      --oci=LAYOUT[:TAG]  unpack the image TAG of an OCI image layout\n"
	"  -v, --verbose           print each entry and each kernel call on stderr\n"
	"  -h, --help              show this help\n"
	"      --version           show the version\n";

enum { OPT_BUSYBOX = 256, OPT_LAYER, OPT_OCI, OPT_VERSION };

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

/* ---- progress, on a terminal only ---- */

static void progress(struct archive *in, long entries, int done)
{
	static struct timespec last;
	struct timespec now;

	if (!isatty(STDERR_FILENO) || verbose)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!done && (now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000 < 200)
		return;
	last = now;
	fprintf(stderr, "\r%s: %ld entries, %.1f MB read%s", progname, entries,
		(double)archive_filter_bytes(in, -1) / 1e6, done ? "\n" : "");
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
	int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
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
		written = realloc(written, cap_written * sizeof(*written));
		if (!written)
			die("out of memory");
	}
	written[nwritten++] = strdup(path);
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int was_written(const char *path)
{
	return bsearch(&path, written, nwritten, sizeof(*written), by_string) != NULL;
}

/* Empties dir (path relative to DIR) of everything this layer did not
 * write, going into the directories it did write. */
static void make_opaque(int dirfd, const char *path)
{
	DIR *dir = fdopendir(dup(dirfd));
	struct dirent *d;
	char child[PATH_MAX];

	if (!dir)
		die_errno("cannot read %s", path);
	while ((d = readdir(dir))) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(child, sizeof(child), "%s%s%s", path, *path ? "/" : "", d->d_name);
		if (!was_written(child)) {
			if (remove_tree(dirfd, d->d_name) == -1)
				die_errno("opaque %s: cannot remove %s", path, child);
		} else if (d->d_type == DT_DIR) {
			int sub = openat(dirfd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub != -1) {
				make_opaque(sub, child);
				close(sub);
			}
		}
	}
	closedir(dir);
}

/* "./a//b/" -> "a/b": the form entries are remembered in. */
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
	for (const char *p = path; *p;) { /* no ".." anywhere, as for entries */
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			die("refused whiteout '%s': path contains '..'", name);
		p += n + (p[n] == '/');
	}
	const char *victim = base + 4;
	if (!*victim || strcmp(victim, ".") == 0 || strcmp(victim, "..") == 0)
		die("refused whiteout '%s': no name to delete", name);

	int dirfd = open_in_root(rootfd, *dir ? dir : ".", O_RDONLY | O_DIRECTORY);
	trace(dirfd, "openat2(%d, %s, {O_RDONLY|O_DIRECTORY, RESOLVE_IN_ROOT})", rootfd,
	      quote(*dir ? dir : "."));
	if (dirfd == -1) {
		if (errno == ENOENT)
			return 1; /* nothing below to hide */
		die_errno("whiteout '%s': cannot open %s", name, dir);
	}
	if (strcmp(victim, ".wh..opq") == 0) {
		qsort(written, nwritten, sizeof(*written), by_string);
		make_opaque(dirfd, dir);
	} else if (remove_tree(dirfd, victim) == -1) {
		die_errno("whiteout '%s': cannot remove %s", name, victim);
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

/* libarchive's message about an entry, without our temporary suffix. */
static const char *entry_error(struct archive *a)
{
	static char msg[PATH_MAX + 128];
	char *suffix;

	snprintf(msg, sizeof(msg), "%s", archive_error_string(a) ? archive_error_string(a) : "error");
	if ((suffix = strstr(msg, ".mkrootfs-partial")))
		memmove(suffix, suffix + strlen(".mkrootfs-partial"), strlen(suffix + strlen(".mkrootfs-partial")) + 1);
	return msg;
}

/* Unpacks every entry of in into rootfd (with whiteouts when layer).
 * Stops at the first refused or broken entry, with one line naming it;
 * what was unpacked before it stays, the entry itself does not. */
static void unpack(struct archive *in, int rootfd, int layer)
{
	struct archive *out = archive_write_disk_new();
	struct archive_entry *entry;
	long entries = 0;
	int r;

	archive_write_disk_set_options(out, extract_flags());
	/* Numeric owners only: a name in the image means nothing here. */
	if (trace(fchdir(rootfd), "fchdir(%d)", rootfd) == -1)
		die_errno("fchdir");
	nwritten = 0;
	while ((r = archive_read_next_header(in, &entry)) == ARCHIVE_OK) {
		char name[PATH_MAX], partial[PATH_MAX + 32];
		mode_t type = archive_entry_filetype(entry);

		snprintf(name, sizeof(name), "%s", archive_entry_pathname(entry));
		progress(in, ++entries, 0);
		if (layer && apply_whiteout(rootfd, name))
			continue;
		if (verbose)
			trace_line("extract %s (%s, %jd bytes, %04o, %jd:%jd)", quote(name), type_name(type),
				   (intmax_t)archive_entry_size(entry), archive_entry_perm(entry),
				   (intmax_t)archive_entry_uid(entry), (intmax_t)archive_entry_gid(entry));
		/* A file is written as NAME.mkrootfs-partial, then renamed. */
		int is_file = type == AE_IFREG && !archive_entry_hardlink(entry);
		if (is_file) {
			snprintf(partial, sizeof(partial), "%s.mkrootfs-partial", name);
			archive_entry_set_pathname(entry, partial);
		}
		r = archive_write_header(out, entry);
		if (r < ARCHIVE_WARN) {
			/* mknod needs privilege a user namespace does not give:
			 * a rootless unpack goes on without the device node. */
			if ((type == AE_IFCHR || type == AE_IFBLK) && archive_errno(out) == EPERM) {
				warnx("skipped %s %s: creating device nodes needs root", type_name(type), name);
				continue;
			}
			die("refused entry '%s': %s", name, entry_error(out));
		}
		if (r == ARCHIVE_WARN)
			warnx("%s: %s", name, entry_error(out));

		const void *block;
		size_t size;
		la_int64_t offset;
		while ((r = archive_read_data_block(in, &block, &size, &offset)) == ARCHIVE_OK)
			if (archive_write_data_block(out, block, size, offset) < ARCHIVE_WARN)
				break;
		if (r != ARCHIVE_EOF) {
			if (is_file)
				unlinkat(rootfd, partial, 0);
			die("broken archive at '%s': %s", name,
			    r == ARCHIVE_OK ? entry_error(out) : archive_error_string(in));
		}
		if (archive_write_finish_entry(out) < ARCHIVE_WARN) {
			if (is_file)
				unlinkat(rootfd, partial, 0);
			die("cannot finish '%s': %s", name, entry_error(out));
		}
		if (is_file) {
			int rr = renameat(rootfd, partial, rootfd, name);
			if (rr == -1 && (errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST)) {
				/* A file where a lower layer had a directory. */
				rr = remove_tree(rootfd, name);
				if (rr == 0)
					rr = renameat(rootfd, partial, rootfd, name);
			}
			trace(rr, "renameat(%d, %s, %d, %s)", rootfd, quote(partial), rootfd, quote(name));
			if (rr == -1) {
				unlinkat(rootfd, partial, 0);
				die_errno("cannot put %s in place", name);
			}
		}
		if (layer) {
			char clean[PATH_MAX];
			clean_path(name, clean, sizeof(clean));
			remember(clean);
		}
	}
	if (r != ARCHIVE_EOF)
		die("broken archive after %ld entries: %s", entries, archive_error_string(in));
	progress(in, entries, 1);
	if (archive_write_free(out) != ARCHIVE_OK)
		die("cannot finish unpacking");
	for (size_t i = 0; i < nwritten; i++)
		free(written[i]);
}

static struct archive *open_archive_fd(int fd, const char *what)
{
	struct archive *in = archive_read_new();

	archive_read_support_filter_all(in);
	archive_read_support_format_tar(in);
	archive_read_support_format_gnutar(in);
	if (archive_read_open_fd(in, fd, 1 << 16) != ARCHIVE_OK)
		die("cannot read %s: %s", what, archive_error_string(in));
	return in;
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
	if (buf[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
		for (int i = 0; i < eh->e_phnum; i++) {
			size_t at = eh->e_phoff + (size_t)i * eh->e_phentsize;
			if (at + sizeof(Elf64_Phdr) > (size_t)n)
				break;
			if (((Elf64_Phdr *)(buf + at))->p_type == PT_INTERP)
				return 0;
		}
	} else {
		Elf32_Ehdr *eh = (Elf32_Ehdr *)buf;
		for (int i = 0; i < eh->e_phnum; i++) {
			size_t at = eh->e_phoff + (size_t)i * eh->e_phentsize;
			if (at + sizeof(Elf32_Phdr) > (size_t)n)
				break;
			if (((Elf32_Phdr *)(buf + at))->p_type == PT_INTERP)
				return 0;
		}
	}
	return 1;
}

static void make_dir(int rootfd, const char *path, mode_t mode)
{
	int r = mkdirat(rootfd, path, mode);

	trace(r, "mkdirat(%d, %s, %#o)", rootfd, quote(path), mode);
	if (r == -1 && errno != EEXIST)
		die_errno("cannot make %s", path);
	if (r == 0 && fchmodat(rootfd, path, mode, 0) == -1) /* past the umask */
		die_errno("cannot chmod %s", path);
}

static void write_new_file(int rootfd, const char *path, const char *text, mode_t mode)
{
	unlinkat(rootfd, path, 0);
	int fd = openat(rootfd, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	trace(fd, "openat(%d, %s, O_WRONLY|O_CREAT|O_EXCL, %#o)", rootfd, quote(path), mode);
	if (fd == -1 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die_errno("cannot write %s", path);
	close(fd);
}

static void copy_binary(const char *from, int rootfd, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (in == -1 || fstat(in, &st) == -1)
		die_errno("cannot read %s", from);
	unlinkat(rootfd, to, 0);
	int out = openat(rootfd, to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0755);
	trace(out, "openat(%d, %s, O_WRONLY|O_CREAT|O_EXCL, 0755)", rootfd, quote(to));
	if (out == -1)
		die_errno("cannot create %s", to);
	/* copy_file_range(2) copies inside the kernel, but only between two
	 * filesystems of the same type (Linux 5.19 and later: EXDEV across
	 * types, as from 9p to ext4); then read and write do it. */
	int in_kernel = 1;
	for (off_t left = st.st_size; left > 0;) {
		char buf[1 << 16];
		ssize_t n = in_kernel ? copy_file_range(in, NULL, out, NULL, (size_t)left, 0) : -1;
		if (n == -1 && in_kernel && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
			trace(-1, "copy_file_range(%d, NULL, %d, NULL, %jd, 0) /* read and write instead */", in, out,
			      (intmax_t)left);
			in_kernel = 0;
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
	if (fchmod(out, 0755) == -1)
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
		dup2(fds[1], STDOUT_FILENO);
		execl(busybox, "busybox", "--list-full", (char *)NULL);
		_exit(EXIT_NOT_FOUND);
	}
	close(fds[1]);
	trace(child, "fork() [%s --list-full]", busybox);
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
	int links = 0;
	for (char *path = strtok_r(list, "\n", &save); path; path = strtok_r(NULL, "\n", &save)) {
		if (strcmp(path, "bin/busybox") == 0 || strstr(path, ".."))
			continue;
		unlinkat(rootfd, path, 0);
		int r = symlinkat("/bin/busybox", rootfd, path);
		if (verbose && links < 3)
			trace(r, "symlinkat(\"/bin/busybox\", %d, %s)", rootfd, quote(path));
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

/* An fd on a blob, after checking its size and sha256 digest. All paths
 * are opened from the layout's directory fd: unpacking moves our cwd. */
static int checked_blob(int layoutfd, json_object *descriptor, const char *what)
{
	json_object *digest_o, *size_o;
	const char *digest;

	if (!json_object_object_get_ex(descriptor, "digest", &digest_o) ||
	    !json_object_object_get_ex(descriptor, "size", &size_o))
		die("%s: a descriptor without digest or size", what);
	digest = json_object_get_string(digest_o);
	if (strncmp(digest, "sha256:", 7) != 0 || strlen(digest) != 7 + 64 ||
	    strspn(digest + 7, "0123456789abcdef") != 64)
		die("%s: unsupported digest '%s' (want sha256:<64 hex digits>)", what, digest);

	char path[128];
	snprintf(path, sizeof(path), "blobs/sha256/%s", digest + 7);
	int fd = openat(layoutfd, path, O_RDONLY | O_CLOEXEC);
	trace(fd, "openat(%d, %s, O_RDONLY)", layoutfd, quote(path));
	if (fd == -1)
		die_errno("%s: blob %s", what, path);

	struct sha256 sum;
	char buf[1 << 16], hex[65];
	ssize_t n;
	long long total = 0;
	sha256_init(&sum);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		sha256_update(&sum, buf, (size_t)n);
		total += n;
	}
	if (n == -1 || lseek(fd, 0, SEEK_SET) == -1)
		die_errno("%s: cannot read %s", what, path);
	sha256_hex(&sum, hex);
	if (total != json_object_get_int64(size_o))
		die("%s: blob %s has %lld bytes, the descriptor says %lld", what, digest, total,
		    (long long)json_object_get_int64(size_o));
	if (strcmp(hex, digest + 7) != 0)
		die("%s: digest mismatch: %s has sha256:%s", what, digest, hex);
	trace_line("sha256 of %s checked", digest);
	return fd;
}

/* Parses the JSON document at fd (and closes it). */
static json_object *read_json(int fd, const char *name, const char *what)
{
	json_object *o = json_object_from_fd(fd);

	close(fd);
	if (!o)
		die("%s: cannot parse %s: %s", what, name, json_util_get_last_err());
	return o;
}

static int open_layout_file(int layoutfd, const char *name, const char *layout)
{
	int fd = openat(layoutfd, name, O_RDONLY | O_CLOEXEC);

	trace(fd, "openat(%d, %s, O_RDONLY)", layoutfd, quote(name));
	if (fd == -1)
		die_errno_hint(errno == ENOENT ? "not an OCI image layout" : NULL, "%s: %s", layout, name);
	return fd;
}

static const char *string_at(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
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
		die("%s: no image %s%s for %s", what, tag ? "tagged " : "", tag ? tag : "", arch);
	return found;
}

static void unpack_oci(const char *spec, int rootfd)
{
	char *layout = strdup(spec), *tag = strrchr(layout, ':');
	struct stat st;

	/* LAYOUT:TAG, unless the colon belongs to the directory's name. */
	if (tag && !strchr(tag, '/') && stat(layout, &st) != 0)
		*tag++ = '\0';
	else
		tag = NULL;
	int layoutfd = open(layout, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (layoutfd == -1)
		die_errno("--oci: %s", layout);
	json_object *marker = read_json(open_layout_file(layoutfd, "oci-layout", layout), "oci-layout", layout);
	if (!string_at(marker, "imageLayoutVersion"))
		die("%s: not an OCI image layout (no imageLayoutVersion)", layout);
	json_object_put(marker);

	json_object *index = read_json(open_layout_file(layoutfd, "index.json", layout), "index.json", layout);
	json_object *descriptor = pick(index, tag, layout);

	/* A multi-platform image: an index inside the index. */
	json_object *manifest = NULL, *nested = NULL;
	for (int depth = 0; depth < 4 && !manifest; depth++) {
		json_object *doc = read_json(checked_blob(layoutfd, descriptor, layout), "manifest", layout);
		const char *type = string_at(doc, "mediaType");
		if (type && strstr(type, "image.index")) {
			json_object_put(nested);
			nested = doc;
			descriptor = pick(doc, NULL, layout);
		} else {
			manifest = doc;
		}
	}
	json_object *layers;
	if (!manifest || !json_object_object_get_ex(manifest, "layers", &layers) ||
	    !json_object_is_type(layers, json_type_array))
		die("%s: no image manifest with layers", layout);

	/* Every digest is checked before the first layer is unpacked, so
	 * that a bad blob leaves DIR as it was. */
	size_t n = json_object_array_length(layers);
	int *fds = calloc(n + 1, sizeof(*fds));
	char what[64];
	for (size_t i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "layer %zu of %zu", i + 1, n);
		fds[i] = checked_blob(layoutfd, json_object_array_get_idx(layers, i), what);
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "layer %zu of %zu", i + 1, n);
		struct archive *in = open_archive_fd(fds[i], what);
		unpack(in, rootfd, 1);
		archive_read_free(in);
		close(fds[i]);
	}
	free(fds);
	json_object_put(nested);
	json_object_put(index);
	json_object_put(manifest);
	close(layoutfd);
	free(layout);
}

/* A DIR that mkrootfs made goes again, with all it unpacked, when
 * mkrootfs fails: no half rootfs is left for a later step to trust. */
static char *made_dir;
static int succeeded;

static void remove_made_dir(void)
{
	if (!made_dir || succeeded)
		return;
	char *slash = strrchr(made_dir, '/');
	*slash = '\0';
	int parent = open(slash == made_dir ? "/" : made_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent == -1 || remove_tree(parent, slash + 1) == -1)
		warnx("could not remove %s/%s again: %s", made_dir, slash + 1, strerror(errno));
	if (parent != -1)
		close(parent);
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

	/* DIR is made if missing (its parent must exist), and may not be /. */
	int made = mkdir(dir, 0755) == 0;
	if (made)
		trace(0, "mkdir(%s, 0755)", quote(dir));
	else if (errno != EEXIST)
		die_errno("cannot make %s", dir);
	char *real = realpath(dir, NULL);
	if (!real)
		die_errno("%s", dir);
	if (strcmp(real, "/") == 0)
		die("refusing to fill / (give the directory of a new root)");
	if (made) {
		made_dir = real; /* absolute: unpacking changes our cwd */
		atexit(remove_made_dir);
	} else {
		free(real);
	}
	int rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd == -1)
		die_errno("%s", dir);

	if (busybox)
		make_busybox(rootfd, binary);
	else if (oci)
		unpack_oci(oci, rootfd);
	else
		unpack_stdin(rootfd, layer);
	close(rootfd);
	succeeded = 1;
	return 0;
}
