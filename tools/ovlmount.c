/* ovlmount: a union mount of an image and a container's own layer.
 *
 * overlayfs merges read-only lower directories (the image's layers, the
 * leftmost on top) and one writable upper directory into one view. A
 * write copies the file up into the upper directory first; a delete
 * leaves a "whiteout" there, a character device 0:0 that hides the
 * lower file; a directory deleted and made anew is marked "opaque" (an
 * xattr), hiding everything below it. The image never changes: throw
 * the upper directory away and the container's changes are gone.
 *
 *   ovlmount LOWER[:LOWER...] UPPER WORK MERGED   mount
 *   ovlmount -u MERGED                            unmount
 *   ovlmount --diff UPPER [LOWER]                 what changed, as docker diff
 *   ovlmount --commit UPPER > layer.tar           the changes as a layer
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "ctrkit.h"

static const char help[] =
	"Usage: ovlmount [options] LOWER[:LOWER...] UPPER WORK MERGED\n"
	"       ovlmount [options] -u MERGED\n"
	"       ovlmount [options] --diff UPPER [LOWER[:LOWER...]]\n"
	"       ovlmount [options] --commit UPPER > layer.tar\n"
	"Mount an overlay: the LOWER directories (read-only, leftmost on top) under\n"
	"the writable UPPER, seen merged at MERGED (UPPER, WORK and MERGED are made\n"
	"when missing); unmount it; show or export what was written to UPPER.\n"
	"\n"
	"  -u, --unmount     unmount MERGED (nothing to do if it is not mounted)\n"
	"      --diff        list the changes in UPPER as docker diff does: A added,\n"
	"                    C changed, D deleted (LOWER: from the mount if omitted)\n"
	"      --commit      write the changes in UPPER to stdout as a layer tar,\n"
	"                    whiteouts as .wh. files (for mkrootfs --layer)\n"
	"  -v, --verbose     print each kernel call on stderr\n"
	"  -h, --help        show this help\n"
	"      --version     show the version\n";

enum { OPT_DIFF = 256, OPT_COMMIT, OPT_VERSION };

/* ---- what overlayfs leaves in the upper directory ---- */

static int is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 0 && minor(st->st_rdev) == 0;
}

/* Opaque: "trusted.overlay.opaque" = "y" (root), or with the "user."
 * prefix when the overlay was mounted in a user namespace. */
static int is_opaque(const char *path)
{
	static const char *const names[] = { "trusted.overlay.opaque", "user.overlay.opaque" };
	char value[4];

	for (size_t i = 0; i < LEN(names); i++) {
		ssize_t n = lgetxattr(path, names[i], value, sizeof(value));
		if (n > 0) {
			trace(n, "lgetxattr(%s, \"%s\", \"%.*s\", 4)", quote(path), names[i], (int)n, value);
			if (value[0] == 'y')
				return 1;
		}
	}
	return 0;
}

static int is_overlay_xattr(const char *name)
{
	return strncmp(name, "trusted.overlay.", 16) == 0 || strncmp(name, "user.overlay.", 13) == 0;
}

/* Every path below UPPER, relative and sorted, so that a directory
 * comes before what it holds. Whiteouts are not descended into. */
static char **paths;
static size_t npaths, cap_paths;

static void collect(const char *upper, const char *rel)
{
	char path[PATH_MAX];
	DIR *dir;
	struct dirent *d;

	snprintf(path, sizeof(path), "%s%s%s", upper, *rel ? "/" : "", rel);
	if (!(dir = opendir(path)))
		die_errno("cannot read %s", path);
	while ((d = readdir(dir))) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (npaths == cap_paths) {
			cap_paths = cap_paths ? cap_paths * 2 : 256;
			paths = erealloc(paths, cap_paths * sizeof(*paths));
		}
		char *child = easprintf("%s%s%s", rel, *rel ? "/" : "", d->d_name);
		paths[npaths++] = child;
		if (d->d_type == DT_DIR)
			collect(upper, child);
	}
	closedir(dir);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect_sorted(const char *upper)
{
	need_directory("", upper);
	collect(upper, "");
	qsort(paths, npaths, sizeof(*paths), by_path);
}

/* ---- --diff ---- */

static char **lowers;
static size_t nlowers;
static char *lower_list; /* the names in lowers point into it */

static void split_lowers(const char *list)
{
	char *copy = lower_list = estrdup(list), *save = NULL;

	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		struct stat st;
		if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
			die("lower directory %s: %s", dir, errno ? strerror(errno) : "not a directory");
		lowers = erealloc(lowers, (nlowers + 1) * sizeof(*lowers));
		lowers[nlowers++] = dir;
	}
	if (!nlowers)
		die_usage("no lower directory in '%s'", list);
}

static int in_lower(const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < nlowers; i++) {
		snprintf(path, sizeof(path), "%s/%s", lowers[i], rel);
		if (lstat(path, &st) == 0)
			return 1;
	}
	return 0;
}

/* Does a superblock's option list hold want ("lowerdir=...,upperdir=...,
 * workdir=..."), whole, where the kernel lists options: after "rw,"? */
static int has_options(const char *list, const char *want)
{
	size_t n = strlen(want);

	for (const char *p = list; (p = strstr(p, want)); p++)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* The value of the option name ("lowerdir") in a superblock's option
 * list, into buf; buf is left as it was if the list has no such option. */
static void option_value(const char *list, const char *name, char *buf, size_t size)
{
	size_t n = strlen(name);

	for (const char *p = list; p; p = strchr(p, ',')) {
		p += *p == ',';
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			snprintf(buf, size, "%.*s", (int)strcspn(p + n + 1, ","), p + n + 1);
			return;
		}
	}
}

/* Without LOWER: the lowerdir of a mounted overlay that uses UPPER, from
 * /proc/self/mountinfo (the kernel writes a space in a path there as
 * "\040": mountinfo_next() decodes it). */
static const char *lowers_from_mount(const char *upper)
{
	static char lowerdir[PATH_MAX * 4];
	char *real = realpath(upper, NULL), want[PATH_MAX + 16];
	struct mount_entry m = { 0 };
	FILE *f;

	if (!real)
		die_errno("%s", upper);
	if (!(f = mountinfo_open(0)))
		die_errno("/proc/self/mountinfo");
	snprintf(want, sizeof(want), "upperdir=%s", real);
	*lowerdir = '\0';
	while (mountinfo_next(f, &m)) /* to the end: it frees its buffer there */
		if (!*lowerdir && strcmp(m.fstype, "overlay") == 0 && has_options(m.super_options, want))
			option_value(m.super_options, "lowerdir", lowerdir, sizeof(lowerdir));
	fclose(f);
	free(real);
	if (!*lowerdir)
		die_usage("give LOWER: %s is not the upper directory of a mounted overlay", upper);
	trace_line("lowerdir=%s, from the overlay mounted on this upper", lowerdir);
	return lowerdir;
}

/* The changes, printed sorted by path at the end, as docker diff does. */
static char **changes;
static size_t nchanges;

static void add_change(char kind, const char *rel, const char *child)
{
	changes = erealloc(changes, (nchanges + 1) * sizeof(*changes));
	changes[nchanges++] = easprintf("/%s%s%s %c", rel, child ? "/" : "", child ? child : "", kind);
}

static void print_changes(void)
{
	qsort(changes, nchanges, sizeof(*changes), by_path);
	for (size_t i = 0; i < nchanges; i++) {
		size_t len = strlen(changes[i]);
		printf("%c %.*s\n", changes[i][len - 1], (int)len - 2, changes[i]);
		free(changes[i]);
	}
	free(changes);
}

/* A directory made anew over an old one (opaque): the old one's
 * entries that upper does not have again are gone. */
static void add_hidden(const char *rel, const char *path)
{
	char lpath[PATH_MAX], upath[PATH_MAX + NAME_MAX + 2];
	struct stat st;

	for (size_t l = 0; l < nlowers; l++) {
		snprintf(lpath, sizeof(lpath), "%s/%s", lowers[l], rel);
		DIR *dir = opendir(lpath);
		struct dirent *d;
		while (dir && (d = readdir(dir))) {
			if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
				continue;
			snprintf(upath, sizeof(upath), "%s/%s", path, d->d_name);
			if (lstat(upath, &st) == -1)
				add_change('D', rel, d->d_name);
		}
		if (dir)
			closedir(dir);
	}
}

static void diff(const char *upper)
{
	char path[PATH_MAX];
	struct stat st;

	collect_sorted(upper);
	for (size_t i = 0; i < npaths; i++) {
		const char *rel = paths[i];

		snprintf(path, sizeof(path), "%s/%s", upper, rel);
		if (lstat(path, &st) == -1)
			die_errno("%s", path);
		if (is_whiteout(&st)) {
			add_change('D', rel, NULL);
			continue;
		}
		int lower = in_lower(rel);
		add_change(lower ? 'C' : 'A', rel, NULL);
		if (S_ISDIR(st.st_mode) && lower && is_opaque(path))
			add_hidden(rel, path);
	}
	print_changes();
}

/* ---- --commit ---- */

static void write_entry(struct archive *out, struct archive_entry *entry, const char *name)
{
	if (archive_write_header(out, entry) < ARCHIVE_WARN)
		die("cannot write %s to the layer: %s", name, archive_error_string(out));
}

/* An empty file named NAME: how a layer tar says "delete". */
static void write_marker(struct archive *out, const char *name)
{
	struct archive_entry *entry = archive_entry_new();

	archive_entry_set_pathname(entry, name);
	archive_entry_set_filetype(entry, AE_IFREG);
	archive_entry_set_perm(entry, 0644);
	archive_entry_set_size(entry, 0);
	write_entry(out, entry, name);
	archive_entry_free(entry);
}

/* path read from disk as a layer entry named rel, without overlayfs's
 * own xattrs: its bookkeeping stays out of the layer. */
static struct archive_entry *entry_from_disk(struct archive *disk, const char *path, const char *rel,
					     const struct stat *st)
{
	struct archive_entry *entry = archive_entry_new(), *kept;
	const char *name;
	const void *value;
	size_t size;

	archive_entry_copy_sourcepath(entry, path);
	if (archive_read_disk_entry_from_file(disk, entry, -1, st) != ARCHIVE_OK)
		die("cannot read %s: %s", path, archive_error_string(disk));
	archive_entry_set_pathname(entry, rel);
	kept = archive_entry_clone(entry);
	archive_entry_xattr_clear(kept);
	archive_entry_xattr_reset(entry);
	while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK)
		if (!is_overlay_xattr(name))
			archive_entry_xattr_add_entry(kept, name, value, size);
	archive_entry_free(entry);
	return kept;
}

/* The files with more than one name written so far, by inode. */
static struct {
	dev_t dev;
	ino_t ino;
	const char *name;
} *links;
static size_t nlinks;

/* A second name for a file already written becomes a hard link to the
 * first (1); the first name is remembered (0). */
static int link_to_earlier(struct archive_entry *entry, const struct stat *st, const char *name)
{
	if (!S_ISREG(st->st_mode) || st->st_nlink < 2)
		return 0;
	for (size_t l = 0; l < nlinks; l++)
		if (links[l].dev == st->st_dev && links[l].ino == st->st_ino) {
			archive_entry_set_hardlink(entry, links[l].name);
			archive_entry_set_size(entry, 0);
			return 1;
		}
	links = erealloc(links, (nlinks + 1) * sizeof(*links));
	links[nlinks].dev = st->st_dev;
	links[nlinks].ino = st->st_ino;
	links[nlinks++].name = name;
	return 0;
}

/* The bytes of the file path, after its header. */
static void write_contents(struct archive *out, const char *path, const char *rel)
{
	char buf[1 << 16];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		die_errno("%s", path);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (archive_write_data(out, buf, (size_t)n) < 0)
			die("cannot write %s: %s", rel, archive_error_string(out));
	if (n == -1)
		die_errno("%s", path);
	close(fd);
}

static void commit(const char *upper)
{
	struct archive *out = archive_write_new(), *disk = archive_read_disk_new();
	char path[PATH_MAX], marker[PATH_MAX + 16];

	if (isatty(STDOUT_FILENO))
		die_usage("the layer is a tar on stdout: redirect it (ovlmount --commit UPPER > layer.tar)");
	archive_write_set_format_pax_restricted(out);
	if (archive_write_open_fd(out, STDOUT_FILENO) != ARCHIVE_OK)
		die("cannot write to stdout: %s", archive_error_string(out));
	archive_read_disk_set_standard_lookup(disk);

	collect_sorted(upper);
	for (size_t i = 0; i < npaths; i++) {
		const char *rel = paths[i], *base = strrchr(rel, '/');
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", upper, rel);
		if (lstat(path, &st) == -1)
			die_errno("%s", path);
		if (is_whiteout(&st)) {
			/* dir/name as a 0:0 device becomes dir/.wh.name */
			snprintf(marker, sizeof(marker), "%.*s.wh.%s", base ? (int)(base - rel + 1) : 0, rel,
				 base ? base + 1 : rel);
			trace_line("whiteout %s -> %s", rel, marker);
			write_marker(out, marker);
			continue;
		}
		struct archive_entry *entry = entry_from_disk(disk, path, rel, &st);
		int linked = link_to_earlier(entry, &st, rel);
		write_entry(out, entry, rel);
		if (S_ISREG(st.st_mode) && !linked && st.st_size > 0)
			write_contents(out, path, rel);
		archive_entry_free(entry);
		if (S_ISDIR(st.st_mode) && is_opaque(path)) {
			snprintf(marker, sizeof(marker), "%s/.wh..wh..opq", rel);
			trace_line("opaque %s -> %s", rel, marker);
			write_marker(out, marker);
		}
	}
	if (archive_write_close(out) != ARCHIVE_OK)
		die("cannot finish the layer: %s", archive_error_string(out));
	archive_write_free(out);
	archive_read_free(disk);
	free(links);
}

/* ---- mount, unmount ---- */

/* What is mounted on dir, by /proc/self/mountinfo: its filesystem type
 * and superblock options (the fields after " - "), or 0 if nothing is.
 * Mounts on one directory stack; the last line is the top one, the one
 * a path walk sees and umount2 takes off. */
static int mounted_on(const char *dir, char *type, size_t type_size, char *options, size_t options_size)
{
	struct mount_entry m = { 0 };
	int found = 0;
	FILE *f = mountinfo_open(0);

	if (!f)
		die_errno("cannot read /proc/self/mountinfo");
	while (mountinfo_next(f, &m)) {
		if (strcmp(m.mount_point, dir) != 0)
			continue;
		snprintf(type, type_size, "%s", m.fstype);
		snprintf(options, options_size, "%s", m.super_options);
		found = 1;
	}
	fclose(f);
	return found;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* The directories this run made, removed again if the mount fails. */
static char *made[3];
static size_t nmade;

static char *absolute_dir(const char *path, int create)
{
	char *real;
	mode_t mode = 0755;
	int r = create ? mkdir(path, mode) : -1;

	if (r == 0)
		trace(0, "mkdir(%s, %#o)", quote(path), mode);
	if (!(real = realpath(path, NULL)))
		die_errno("%s", path);
	if (r == 0)
		made[nmade++] = estrdup(real);
	if (strchr(real, ',') || (!create && strchr(real, ':')))
		die("%s: overlay options cannot hold a path with ',' or ':'", real);
	check_stop(); /* a stop signal now: what was made goes again */
	return real;
}

static void remove_made_dirs(void)
{
	while (nmade > 0) {
		char *dir = made[--nmade];
		trace(rmdir(dir), "rmdir(%s)", quote(dir));
		free(dir);
	}
}

/* A mount makes overlayfs's own directories in WORK: "work", and
 * "index" with index=on. They go with a WORK this run made. */
static void remove_work_contents(const char *work)
{
	static const char *const names[] = { "work", "index" };
	char path[PATH_MAX + 8];

	for (size_t i = 0; i < nmade; i++)
		for (size_t j = 0; strcmp(made[i], work) == 0 && j < LEN(names); j++) {
			snprintf(path, sizeof(path), "%s/%s", work, names[j]);
			int r = rmdir(path);
			if (r == 0 || errno != ENOENT)
				trace(r, "rmdir(%s)", quote(path));
		}
}

static void mount_overlay(const char *lower_list, const char *upper, const char *work,
			  const char *merged)
{
	char options[PATH_MAX * 8] = "lowerdir=", type[64];
	static char mounted[PATH_MAX * 8];
	char *copy = estrdup(lower_list), *save = NULL;
	int first = 1;

	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *real = absolute_dir(dir, 0);
		strncat(options, first ? "" : ":", sizeof(options) - strlen(options) - 1);
		strncat(options, real, sizeof(options) - strlen(options) - 1);
		free(real);
		first = 0;
	}
	if (first)
		die_usage("no lower directory in '%s'", lower_list);
	/* A directory made here and then refused goes again, at exit; a
	 * SIGTERM or a Ctrl-C is only noted, and ends the run at the next
	 * check_stop(), so that the same undo runs. */
	catch_stop_signals();
	atexit(remove_made_dirs);
	/* Two ovlmounts of one MERGED at once would both find it free and
	 * both mount: the kernel stacks the second overlay on the first.
	 * Two -u at once would both find it mounted, and the second umount2
	 * fail. So mount and unmount take turns, to exit. */
	lock_run_file("ctrkit-ovlmount.lock");
	char *u = absolute_dir(upper, 1);
	char *w = absolute_dir(work, 1);
	char *m = absolute_dir(merged, 1);
	size_t len = strlen(options);
	snprintf(options + len, sizeof(options) - len, ",upperdir=%s,workdir=%s", u, w);

	/* The same overlay mounted already is done; anything else there is
	 * refused, rather than stacked on. */
	if (mounted_on(m, type, sizeof(type), mounted, sizeof(mounted))) {
		if (strcmp(type, "overlay") != 0 || !has_options(mounted, options))
			die("cannot mount the overlay on %s: %s is mounted there already (ovlmount -u it, or give "
			    "another MERGED)",
			    m, strcmp(type, "overlay") == 0 ? "an overlay of other directories" : type);
		trace_line("%s: this overlay is mounted there already", m);
	} else {
		/* The trace shows the options as strace does, cut at 32 bytes:
		 * the note before it shows them whole. */
		unsigned long flags = 0;
		trace_line("overlay options in full: %s", options);
		if (trace(mount("overlay", m, "overlay", flags, options), "mount(\"overlay\", %s, \"overlay\", %s, %s)",
			  quote(m), mount_flags_str(flags), quote_mem(options, strlen(options))) == -1) {
			const char *hint = errno == EPERM ? "run as root, or in a user namespace: nsunshare -U -r -m"
					 : errno == EINVAL ? "UPPER and WORK must be on the same filesystem, and none inside another; see dmesg"
					 : NULL;
			die_errno_hint(hint, "cannot mount the overlay on %s", m);
		}
		if (stop_signal) { /* came during the mount: take it off, then undo the rest */
			trace(umount2(m, 0), "umount2(%s, 0)", quote(m));
			remove_work_contents(w);
			check_stop();
		}
	}
	for (size_t i = 0; i < nmade; i++)
		free(made[i]);
	nmade = 0; /* mounted: they are the overlay's now */
	free(copy);
	free(u);
	free(w);
	free(m);
}

/* Unmounts MERGED if an overlay is mounted there; a second -u is fine. */
static void unmount_overlay(const char *merged)
{
	char *real = realpath(merged, NULL), type[64];
	static char options[PATH_MAX * 8];

	if (!real) {
		trace_line("%s does not exist: nothing to unmount", merged);
		return;
	}
	lock_run_file("ctrkit-ovlmount.lock"); /* see mount_overlay() */
	for (int tries = 0;; tries++) {
		if (!mounted_on(real, type, sizeof(type), options, sizeof(options))) {
			trace_line("no overlay mounted on %s: nothing to do", real);
			break;
		}
		if (strcmp(type, "overlay") != 0)
			die("%s is a %s mount, not an overlay", real, type);
		if (trace(umount2(real, 0), "umount2(%s, 0)", quote(real)) == 0)
			break;
		/* EINVAL: not a mount point any more, if another umount (one
		 * not under our lock) came first: the next look tells. EBUSY:
		 * in use, maybe only for a moment (another process walking a
		 * path through it holds it): try again, for up to a second. */
		if ((errno != EINVAL && errno != EBUSY) || tries == 100)
			die_errno_hint(errno == EBUSY ? "a process still uses it" : NULL, "cannot unmount %s", real);
		sleep_ms(10);
	}
	free(real);
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "unmount", no_argument, NULL, 'u' },
		{ "diff", no_argument, NULL, OPT_DIFF },
		{ "commit", no_argument, NULL, OPT_COMMIT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int mode = 0, c;

	progname = "ovlmount";
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:uvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
		case OPT_DIFF:
		case OPT_COMMIT:
			if (mode && mode != c)
				die_usage("-u, --diff and --commit exclude each other");
			mode = c;
			break;
		case 'v': verbose = 1; break;
		case 'h': print_help(help);
		case OPT_VERSION: print_version();
		default: bad_option(argv, c);
		}
	}
	int nargs = argc - optind;
	char **args = argv + optind;

	switch (mode) {
	case 'u':
		if (nargs != 1)
			die_usage("give the merged directory to unmount");
		unmount_overlay(args[0]);
		break;
	case OPT_DIFF:
		if (nargs != 1 && nargs != 2)
			die_usage("give UPPER, and LOWER if UPPER is not mounted");
		split_lowers(nargs == 2 ? args[1] : lowers_from_mount(args[0]));
		diff(args[0]);
		break;
	case OPT_COMMIT:
		if (nargs != 1)
			die_usage("give the upper directory");
		commit(args[0]);
		break;
	default:
		if (nargs != 4)
			die_usage("give LOWER[:LOWER...] UPPER WORK MERGED");
		mount_overlay(args[0], args[1], args[2], args[3]);
	}
	for (size_t i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
	free(lowers);
	free(lower_list);
	return 0;
}
