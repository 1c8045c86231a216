/* nsunshare: run a command in new namespaces, as util-linux unshare(1).
 *
 * The whole tool is one system call, unshare(2), and what the kernel
 * needs around it: uid and gid maps for a new user namespace, a fork
 * so that a new pid namespace gets its pid 1, a fresh /proc for that
 * namespace, and bind mounts of /proc/PID/ns/TYPE that keep a
 * namespace alive after its last process ("pinning").
 *
 * The order of main() is the order the kernel needs:
 *   1. check every argument; create pin files; find the command
 *   2. unshare(flags)
 *   3. set up the new user namespace (setgroups, uid_map, gid_map),
 *      the loopback device, the time offsets, the mount propagation,
 *      the hostname
 *   4. fork, when asked: only children enter a new pid namespace
 *   5. pin namespaces on files (after the fork: pid_for_children
 *      names a namespace only once it has a first process)
 *   6. chroot to -R, chdir to -w, mount /proc, become -S/-G, keep the
 *      capabilities (--keep-caps), exec the command
 *
 * A container's life (--detach, --pidfile, --init) adds to steps 4-6:
 * the child starts a session of its own (no terminal can hang it up),
 * its stdio leaves the terminal (unless --keep-stdio: an engine that
 * runs us passes pipes it reads, as to runc create), and a pipe whose
 * write end closes on exec tells the launcher that the command runs
 * (lib/detach.c): only then is the pid file written and may a detached
 * launcher return, leaving the command to the nearest subreaper. With
 * --init the child stays pid 1, as tini does, and runs the command as
 * its own child: the kernel gives no default action to a signal sent to
 * a pid namespace's init, so a shell as pid 1 ignores SIGTERM, while our
 * init has handlers and passes every signal on.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctrkit.h"

extern char **environ;

static const char help[] =
	"Usage: nsunshare [options] [--] [command [argument...]]\n"
	"Run a command in new namespaces (default command: $SHELL, else /bin/sh).\n"
	"\n"
	"New namespaces (--TYPE=FILE also pins the namespace on FILE):\n"
	"  -m, --mount[=FILE]        mount points\n"
	"  -u, --uts[=FILE]          hostname and domain name\n"
	"  -i, --ipc[=FILE]          System V IPC and POSIX message queues\n"
	"  -n, --net[=FILE]          network devices, addresses, routes, ports\n"
	"  -p, --pid[=FILE]          process ids, for the children (see -f)\n"
	"  -U, --user[=FILE]         user and group ids, capabilities\n"
	"  -C, --cgroup[=FILE]       the root of /proc/self/cgroup\n"
	"  -T, --time[=FILE]         CLOCK_MONOTONIC and CLOCK_BOOTTIME, for the children\n"
	"\n"
	"Options:\n"
	"  -f, --fork                run the command as a child (pid 1 of a new pid namespace)\n"
	"      --kill-child[=SIG]    the child gets SIG (default KILL) when nsunshare dies; implies -f\n"
	"      --forward-signals     pass SIGTERM and SIGINT on to the child; implies -f\n"
	"      --detach              return once the command runs, and leave it running on its\n"
	"                            own (a new session, stdio on /dev/null); implies -f\n"
	"      --setsid              the command in a session of its own, with no controlling\n"
	"                            terminal: it cannot type into ours (TIOCSTI); implies -f\n"
	"      --keep-stdio          with --detach: the command keeps our stdin, stdout and\n"
	"                            stderr (for a caller that collects them, as an engine does)\n"
	"      --pidfile=FILE        write the command's pid (its pid on this side) to FILE once\n"
	"                            it runs; removed when it ends, unless detached\n"
	"      --log=FILE            append the command's stdout and stderr to FILE\n"
	"      --init                run a tiny init as pid 1 that runs the command as its child,\n"
	"                            passes signals on and reaps orphans, like tini; implies -f\n"
	"      --mount-proc[=DIR]    mount a proc filesystem on DIR (default /proc); implies -m\n"
	"      --loopback            with -n: bring the new namespace's lo up (127.0.0.1 works),\n"
	"                            as runc and docker do for every container\n"
	"  -R, --root=DIR            chroot(2) to DIR before running the command\n"
	"  -w, --wd=DIR              start the command in DIR (after -R: DIR in the new root)\n"
	"  -r, --map-root-user       map your user and group to 0 inside; implies -U\n"
	"  -c, --map-current-user    map your user and group to themselves inside; implies -U\n"
	"      --map-user=UID        map your user to UID inside; implies -U\n"
	"      --map-group=GID       map your group to GID inside; implies -U\n"
	"      --map-users=OUTER,INNER,COUNT  map a range of user ids (also INNER:OUTER:COUNT);\n"
	"                            auto: your first range in /etc/subuid, from 0 inside\n"
	"      --map-groups=OUTER,INNER,COUNT map a range of group ids (also INNER:OUTER:COUNT);\n"
	"                            auto: your first range in /etc/subgid, from 0 inside\n"
	"      --map-auto            --map-users=auto --map-groups=auto\n"
	"      --setgroups=allow|deny        allow setgroups(2) in the new user namespace or not\n"
	"  -S, --setuid=UID          run the command as UID (in the new user namespace)\n"
	"  -G, --setgid=GID          run the command as GID, with no supplementary groups\n"
	"      --keep-caps           with -U: the command keeps the capabilities it has in the new\n"
	"                            user namespace (ambient), even as another uid than 0\n"
	"      --clear-env           run the command with an empty environment\n"
	"      --propagation=private|shared|slave|unchanged\n"
	"                            mount propagation in the new mount namespace (default private)\n"
	"      --hostname=NAME       set the hostname in the new UTS namespace; implies -u\n"
	"      --monotonic=SECONDS   offset of CLOCK_MONOTONIC in the new time namespace\n"
	"      --boottime=SECONDS    offset of CLOCK_BOOTTIME in the new time namespace\n"
	"  -v, --verbose             print each kernel call on stderr\n"
	"  -h, --help                show this help\n"
	"  -V, --version             show the version\n";

enum {
	OPT_KILL_CHILD = 256,
	OPT_MOUNT_PROC,
	OPT_MAP_USER,
	OPT_MAP_GROUP,
	OPT_MAP_USERS,
	OPT_MAP_GROUPS,
	OPT_SETGROUPS,
	OPT_PROPAGATION,
	OPT_HOSTNAME,
	OPT_MONOTONIC,
	OPT_BOOTTIME,
	OPT_DETACH,
	OPT_KEEP_STDIO,
	OPT_SETSID,
	OPT_PIDFILE,
	OPT_LOG,
	OPT_INIT,
	OPT_LOOPBACK,
	OPT_FORWARD_SIGNALS,
	OPT_MAP_AUTO,
	OPT_KEEP_CAPS,
	OPT_CLEAR_ENV,
};

/* What the command line asks for, filled in by parse_options(). */
struct options {
	int flags;                  /* the CLONE_NEW* bits for unshare(2) */
	int forkit, kill_signal, forward_signals;
	int detach, keep_stdio, init, loopback, setsid;
	int stdio_to_null;          /* a detached command, unless its caller keeps our stdio */
	const char *pidfile, *log_path, *proc_dir, *hostname;
	const char *root_dir, *work_dir; /* -R, -w */
	unsigned long propagation;  /* of "/" in the new mount namespace; 0: unchanged */
	long long monotonic, boottime;
	int set_monotonic, set_boottime;
	uid_t euid, map_user, uid;  /* map_user, map_group: (uid_t)-1 unless asked */
	gid_t egid, map_group, gid;
	int set_uid, set_gid;
	int keep_caps, clear_env;
	char map_user_given[64], map_group_given[64]; /* to name a map line */
};

/* A namespace to pin: its /proc/PID/ns file is bind-mounted on path. */
struct pin {
	const struct nstype *type;
	const char *path;
	int created;  /* we made the file, so we remove it if we fail */
};

static struct pin pins[LEN(nstypes)];
static size_t npins;
static pid_t pin_owner;  /* the process that created the pin files */
static int pins_done;    /* set once every pin is in place */

/* The entry of nstypes for one CLONE_NEW* flag, or NULL. */
static const struct nstype *nstype_by_flag(int flag)
{
	for (size_t i = 0; i < LEN(nstypes); i++)
		if (nstypes[i].clone_flag == flag)
			return &nstypes[i];
	return NULL;
}

static void add_pin(int clone_flag, const char *path)
{
	const struct nstype *type = nstype_by_flag(clone_flag);

	for (size_t i = 0; i < npins; i++)
		if (pins[i].type == type) {
			pins[i].path = path;
			return;
		}
	pins[npins++] = (struct pin){ .type = type, .path = path };
}

/* An id map: the text written to /proc/PID/uid_map or gid_map, and each
 * of its lines with the option that asked for it, to name it in an error.
 * A map of ranges (--map-users, --map-groups, --map-auto) is written from
 * outside the namespace (see map_ids); one of our own id alone, from inside. */
#define MAP_TEXT_SIZE 4096 /* the kernel takes one write of less than a page */
struct map {
	char text[MAP_TEXT_SIZE];
	size_t n;
	int outside;
	struct {
		struct idmap ids;
		char given[64]; /* "--map-users=1000,0,1", "-r" */
	} line[MAP_TEXT_SIZE / sizeof("0 0 1")];
};

static struct map uid_map, gid_map;

static void add_map_line(struct map *map, struct idmap ids, const char *given)
{
	size_t len = strlen(map->text);

	if (map->n == LEN(map->line) ||
	    (size_t)snprintf(map->text + len, sizeof(map->text) - len, "%lu %lu %lu\n", ids.inner,
			     ids.outer, ids.count) >= sizeof(map->text) - len)
		die_usage("too many id maps");
	map->line[map->n].ids = ids;
	snprintf(map->line[map->n].given, sizeof(map->line[map->n].given), "%.60s", given);
	map->n++;
}

/* Adds the line of our own id (OUTER, seen as INNER inside: -r, -c,
 * --map-user, --map-group) to a map. A map of ranges takes it in first,
 * as util-linux 2.38 does: each range that holds the id, inside or
 * outside (or ends just before it: util-linux counts one past the end),
 * gives up its last id, and is cut around the id in up to three lines,
 * so that no id is mapped twice. */
static void add_own_id(struct map *map, unsigned long outer, unsigned long inner, const char *given)
{
	static struct map ranges;

	if (!map->outside) {
		add_map_line(map, (struct idmap){ inner, outer, 1 }, given);
		return;
	}
	ranges = *map;
	map->text[0] = '\0';
	map->n = 0;
	add_map_line(map, (struct idmap){ inner, outer, 1 }, given);
	for (size_t i = 0; i < ranges.n; i++) {
		struct idmap r = ranges.line[i].ids, piece[3];

		if ((outer >= r.outer && outer <= r.outer + r.count) ||
		    (inner >= r.inner && inner <= r.inner + r.count))
			r.count--;
		unsigned long out_off = outer > r.outer ? outer - r.outer : 0;
		unsigned long in_off = inner > r.inner ? inner - r.inner : 0;
		if (out_off > r.count)
			out_off = r.count;
		if (in_off > r.count)
			in_off = r.count;
		/* Below the lower of the two offsets, between them, above the higher. */
		piece[0] = (struct idmap){ r.inner, r.outer, in_off < out_off ? in_off : out_off };
		piece[1].count = in_off > out_off ? in_off - out_off : out_off - in_off;
		piece[2].count = r.count - piece[0].count - piece[1].count;
		for (int k = 1; k < 3; k++) {
			piece[k].outer = piece[k - 1].outer + piece[k - 1].count;
			piece[k].outer += piece[k].outer == outer;
			piece[k].inner = piece[k - 1].inner + piece[k - 1].count;
			piece[k].inner += piece[k].inner == inner;
		}
		for (int k = 0; k < 3; k++)
			if (piece[k].count)
				add_map_line(map, piece[k], ranges.line[i].given);
	}
}

/* --map-auto, --map-users=auto, --map-groups=auto: the first line of
 * /etc/subuid (or /etc/subgid) that names the user uid, by name or by
 * number ("name:first:count", as newuidmap(1) reads it), mapped from 0
 * inside. Dies (1) if the file cannot be read, has no such line, or its
 * line is not two numbers. */
static struct idmap subid_range(const char *file, uid_t uid, const char *given)
{
	const struct passwd *pw = getpwuid(uid);
	char *line = NULL, owner[64], bad[128];
	size_t size = 0;
	FILE *f = fopen(file, "re");

	snprintf(owner, sizeof(owner), "%s%s%u%s", pw ? pw->pw_name : "", pw ? " (uid " : "uid ",
		 (unsigned)uid, pw ? ")" : "");
	if (!f)
		die_errno("%s: cannot read %s", given, file);
	while (getline(&line, &size, f) != -1) {
		char *first = strchr(line, ':'), *count, *end;
		struct idmap range = { 0, 0, 0 };

		line[strcspn(line, "\n")] = '\0';
		if (!first)
			continue;
		*first++ = '\0';
		if (!(pw && strcmp(line, pw->pw_name) == 0) && parse_number(line) != (long long)uid)
			continue;
		snprintf(bad, sizeof(bad), "%s", first);
		count = strchr(first, ':');
		if (count) {
			*count++ = '\0';
			errno = 0;
			range.outer = strtoul(first, &end, 10);
			if (!errno && end != first && !*end && *first != '-') {
				range.count = strtoul(count, &end, 10);
				if (errno || end == count || *end || *count == '-' || range.count > UINT32_MAX ||
				    range.outer > UINT32_MAX - range.count)
					range.count = 0;
			}
		}
		fclose(f);
		if (!range.count) {
			free(line);
			die("%s: the line of %s in %s is not FIRST:COUNT: '%s'", given, owner, file, bad);
		}
		free(line);
		return range;
	}
	free(line);
	fclose(f);
	die("%s: no line for %s in %s", given, owner, file);
}

/* Do [a, a+na) and [b, b+nb) share ids? If so, the shared ones in *lo..*hi. */
static int ranges_overlap(unsigned long a, unsigned long na, unsigned long b, unsigned long nb,
			  unsigned long *lo, unsigned long *hi)
{
	*lo = a > b ? a : b;
	*hi = a + na < b + nb ? a + na - 1 : b + nb - 1;
	return *lo <= *hi;
}

/* Each id must translate one way only, so the kernel refuses (EINVAL,
 * with no word on which lines) a map whose ranges overlap, inside the
 * namespace or outside it (user_namespaces(7)). Checked here, before
 * anything is made, to name the two options. */
static void check_map_overlaps(const struct map *map)
{
	for (size_t i = 0; i < map->n; i++)
		for (size_t j = 0; j < i; j++) {
			const struct idmap *a = &map->line[j].ids, *b = &map->line[i].ids;
			const char *where = "inside";
			unsigned long lo, hi;

			if (!ranges_overlap(a->inner, a->count, b->inner, b->count, &lo, &hi)) {
				where = "outside";
				if (!ranges_overlap(a->outer, a->count, b->outer, b->count, &lo, &hi))
					continue;
			}
			if (lo == hi)
				die_usage("%s and %s both map id %lu %s the namespace; the ranges of a map "
					  "must not overlap", map->line[j].given, map->line[i].given, lo, where);
			die_usage("%s and %s both map ids %lu-%lu %s the namespace; the ranges of a map "
				  "must not overlap", map->line[j].given, map->line[i].given, lo, hi, where);
		}
}

/* getopt reads "-n=FILE" as -n, then an option '=': only the long form
 * of a namespace option takes a pin file (as in util-linux), so say
 * that, for a word whose '=' follows a namespace letter. */
static void refuse_short_pin(const char *word, const struct option *longopts)
{
	const char *eq = strchr(word, '=');

	if (word[0] != '-' || word[1] == '-' || !eq || eq - word < 2)
		return;
	for (const struct option *o = longopts; o->name; o++)
		if (o->val == eq[-1] && o->has_arg == optional_argument)
			die_usage("%s: a short option takes no =FILE; write --%s=%s", word, o->name,
				  eq[1] ? eq + 1 : "FILE");
}

static long long parse_offset(const char *opt, const char *s)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		die_usage("%s: '%s' is not a number of seconds", opt, s);
	return n;
}

static void remove_created_pin_files(void)
{
	for (size_t i = 0; i < npins; i++)
		if (pins[i].created)
			unlink(pins[i].path);
}

/* Runs at exit: a failure before the pins are in place leaves no file. */
static void remove_pin_files_on_failure(void)
{
	if (!pins_done && getpid() == pin_owner)
		remove_created_pin_files();
}

/* The pin files must exist before the namespaces do, so that a bad
 * path fails before anything is changed. A missing file is created
 * (util-linux asks you to touch it first) and removed again if we fail. */
static void create_pin_files(void)
{
	pin_owner = getpid();
	atexit(remove_pin_files_on_failure);
	for (size_t i = 0; i < npins; i++) {
		struct stat st;
		int fd;

		if (stat(pins[i].path, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				die("cannot pin %s namespace on %s: it is a directory",
				    pins[i].type->name, pins[i].path);
			continue;
		}
		fd = open(pins[i].path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
		if (fd == -1)
			die_errno("cannot create pin file %s", pins[i].path);
		close(fd);
		pins[i].created = 1;
	}
}

/* Bind-mounts /proc/PID/ns/TYPE on each pin file. All or nothing: on a
 * failure the pins made so far are unmounted, and -1 is returned after
 * one line on stderr. */
static int pin_namespaces(pid_t pid)
{
	for (size_t i = 0; i < npins; i++) {
		const struct nstype *type = pins[i].type;
		char src[NS_PATH_SIZE];

		ns_path(src, pid, type->children ? type->children : type->name);
		if (trace(mount(src, pins[i].path, NULL, MS_BIND, NULL),
			  "mount(%s, %s, NULL, MS_BIND, NULL)", quote(src), quote(pins[i].path)) == 0)
			continue;

		int err = errno;
		const char *hint = NULL;
		if (err == EINVAL && type->clone_flag == CLONE_NEWNS)
			hint = "a mount namespace can be pinned only on a mount that is not shared: "
			       "mount --bind DIR DIR; mount --make-private DIR";
		else if (err == EPERM)
			hint = "pinning needs root in the namespaces nsunshare started in";
		for (size_t j = i; j-- > 0;)
			trace(umount2(pins[j].path, MNT_DETACH), "umount2(%s, MNT_DETACH)",
			      quote(pins[j].path));
		remove_created_pin_files();
		errno = err;
		warn_errno_hint(hint, "cannot pin %s namespace on %s", type->name, pins[i].path);
		return -1;
	}
	return 0;
}

/* Some work must be done from outside the new namespaces: a bind mount
 * made after unshare(CLONE_NEWNS) would land in the new mount table,
 * and after unshare(CLONE_NEWUSER) we have no rights left in the old
 * user namespace (to write a uid_map with more than our own id, or to
 * mount). So a helper is forked before unshare(2): it stays outside,
 * waits on a pipe until the parent says go, does its job for the
 * parent, and tells how it went by its exit status. */
struct helper {
	pid_t pid;
	int go_fd;
};

static struct helper start_helper(int (*job)(pid_t parent))
{
	struct helper h;
	pid_t parent = getpid();
	int fds[2];
	char go;

	if (pipe2(fds, O_CLOEXEC) == -1)
		die_errno("pipe2");
	fflush(NULL);
	h.pid = fork();
	if (h.pid == -1)
		die_errno("fork");
	if (h.pid > 0) {
		close(fds[0]);
		h.go_fd = fds[1];
		return h;
	}
	close(fds[1]);
	/* EOF instead of a byte: the parent failed and cleans up itself. */
	if (read(fds[0], &go, 1) != 1)
		_exit(EXIT_FAILURE);
	_exit(job(parent) == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}

/* Tells the helper to go and waits for it; 0 if its job was done. */
static int finish_helper(struct helper *h)
{
	if (write(h->go_fd, "g", 1) != 1)
		die_errno("write to a helper");
	close(h->go_fd);
	return exit_status(wait_child(h->pid)) == 0 ? 0 : -1;
}

static const char *unshare_hint(int flags, int err)
{
	if (err == EPERM && geteuid() != 0 && !(flags & CLONE_NEWUSER))
		return "run as root, or add -U -r for a user namespace";
	if (err == EPERM && (flags & CLONE_NEWUSER))
		return "user namespaces may be turned off, or our uid is not mapped in this one: "
		       "see /proc/sys/user/max_user_namespaces and /proc/self/uid_map";
	if (err == ENOSPC || err == EUSERS)
		return "too many namespaces: see /proc/sys/user/max_*_namespaces";
	if (err == EINVAL && (flags & CLONE_NEWTIME))
		return "time namespaces need Linux 5.6 or later";
	return NULL;
}

/* What to add when the kernel refuses a uid_map or gid_map. Its EINVAL
 * does not say which rule a map broke, so name the rules. */
static const char *map_hint(int err)
{
	if (err == EINVAL)
		return "the kernel takes at most 340 lines, whose ranges do not overlap inside or "
		       "outside: see user_namespaces(7)";
	if (geteuid() != 0)
		return "without privilege you can map only your own ids: use -r, -c, --map-user or "
		       "--map-group";
	return NULL;
}

/* The user namespace is still empty: no id is mapped, so its root is
 * nobody outside. Writing uid_map and gid_map of a process in it says
 * who is who. The kernel lets a process map its own euid and egid from
 * inside (after denying setgroups(2), else it could drop a group that
 * keeps it away from a file): pid 0 here, the inside's writes, with
 * setgroups first (the kernel's rule: before gid_map). Any other map
 * must be written by a process that has CAP_SETUID (CAP_SETGID) in the
 * parent namespace: the helper, outside (pid is ours), when we are
 * root, else newuidmap and newgidmap (see run_idmapper). Returns 0, or
 * -1 after one line on stderr. */
static const char *setgroups_mode;

static int map_ids(pid_t pid)
{
	char path[64];
	const char *self = pid ? NULL : "self";
	const struct {
		const char *file, *data;
		int is_map;
	} writes[] = {
		{ "setgroups", self ? setgroups_mode : NULL, 0 },
		{ "uid_map", uid_map.outside == !self ? uid_map.text : NULL, 1 },
		{ "gid_map", gid_map.outside == !self ? gid_map.text : NULL, 1 },
	};

	for (size_t i = 0; i < LEN(writes); i++) {
		if (!writes[i].data || !*writes[i].data)
			continue;
		if (self)
			snprintf(path, sizeof(path), "/proc/self/%s", writes[i].file);
		else
			snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, writes[i].file);
		if (write_file(path, writes[i].data) == -1) {
			int err = errno;
			const char *hint = writes[i].is_map ? map_hint(err) : NULL;

			errno = err;
			warn_errno_hint(hint, "cannot write %s", path);
			return -1;
		}
	}
	return 0;
}

/* newuidmap and newgidmap (shadow's, Debian's package uidmap), found in
 * step 1 when a map of ranges is to be written without root: they are
 * set-user-ID root, and write the map of a process for its user if
 * /etc/subuid (subgid) gives the user those ids, or the map is of the
 * user's own id. */
static char *idmapper_path[2];

/* Runs "newuidmap PID INNER OUTER COUNT..." (or newgidmap) for map, in
 * a child, and waits: 0 if it wrote the map, else -1 (it said why). */
static int run_idmapper(const char *path, pid_t pid, const struct map *map)
{
	static char numbers[1 + 3 * LEN(map->line)][24];
	static char *argv[3 + 3 * LEN(map->line)];
	size_t n = 0;

	argv[n++] = (char *)(strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
	snprintf(numbers[0], sizeof(numbers[0]), "%d", (int)pid);
	argv[n++] = numbers[0];
	for (size_t i = 0; i < map->n; i++) {
		const unsigned long ids[3] = { map->line[i].ids.inner, map->line[i].ids.outer,
					       map->line[i].ids.count };

		for (int k = 0; k < 3; k++) {
			snprintf(numbers[n - 1], sizeof(numbers[0]), "%lu", ids[k]);
			argv[n] = numbers[n - 1];
			n++;
		}
	}
	argv[n] = NULL;
	fflush(NULL);
	pid_t child = fork();
	if (child == -1) {
		warn_errno_hint(NULL, "fork");
		return -1;
	}
	if (child == 0)
		exec_command(path, argv);
	trace(child, "fork()");
	return exit_status(wait_child(child)) == 0 ? 0 : -1;
}

/* The helper's job (see start_helper): the maps of ranges, for the parent. */
static int map_ids_outside(pid_t parent)
{
	if (geteuid() == 0)
		return map_ids(parent);
	if (uid_map.outside && run_idmapper(idmapper_path[0], parent, &uid_map) == -1)
		return -1;
	if (gid_map.outside && run_idmapper(idmapper_path[1], parent, &gid_map) == -1)
		return -1;
	return 0;
}

/* A new time namespace starts with offsets of 0; they can be written
 * only while no process is in it yet, that is before the fork. */
static void set_time_offset(clockid_t clock, const char *name, long long seconds)
{
	char line[64];

	snprintf(line, sizeof(line), "%d %lld 0", (int)clock, seconds);
	if (write_file("/proc/self/timens_offsets", line) == -1)
		die_errno("cannot set the %s offset in /proc/self/timens_offsets", name);
}

/* ifr_flags as strace prints them: the IFF_* names in bit order. The
 * field is a short, so these 16 bits are all an ifreq can hold. */
static const char *ifr_flags_str(unsigned short flags)
{
	static const struct {
		unsigned short flag;
		const char *name;
	} names[] = {
		{ IFF_UP, "IFF_UP" },
		{ IFF_BROADCAST, "IFF_BROADCAST" },
		{ IFF_DEBUG, "IFF_DEBUG" },
		{ IFF_LOOPBACK, "IFF_LOOPBACK" },
		{ IFF_POINTOPOINT, "IFF_POINTOPOINT" },
		{ IFF_NOTRAILERS, "IFF_NOTRAILERS" },
		{ IFF_RUNNING, "IFF_RUNNING" },
		{ IFF_NOARP, "IFF_NOARP" },
		{ IFF_PROMISC, "IFF_PROMISC" },
		{ IFF_ALLMULTI, "IFF_ALLMULTI" },
		{ IFF_MASTER, "IFF_MASTER" },
		{ IFF_SLAVE, "IFF_SLAVE" },
		{ IFF_MULTICAST, "IFF_MULTICAST" },
		{ IFF_PORTSEL, "IFF_PORTSEL" },
		{ IFF_AUTOMEDIA, "IFF_AUTOMEDIA" },
		{ IFF_DYNAMIC, "IFF_DYNAMIC" },
	};
	static char buf[320];
	size_t len = 0;

	strcpy(buf, "0");
	for (size_t i = 0; i < LEN(names); i++)
		if (flags & names[i].flag)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? "|" : "",
						names[i].name);
	return buf;
}

/* --loopback. A new network namespace holds one device, lo, and it is
 * down: until it is up, nothing reaches 127.0.0.1 (a server on
 * localhost, a resolver stub). runc, and so docker, bring it up in every
 * container. We do it here, in the process that made the namespace,
 * while it is the namespace's only one: no setns(2), no `ip link set lo
 * up` to start. SIOCSIFFLAGS needs CAP_NET_ADMIN in the user namespace
 * that owns the network namespace. With -U, one unshare(2) makes the
 * user namespace first and gives it the new network namespace, and its
 * creator holds every capability in it, maps or not, until it executes
 * a program as a uid other than 0 inside (an unmapped one included):
 * which is why `unshare -U -n ip link set lo up` fails, and why this
 * happens here, before the exec and before -S. The ioctl may go to any
 * socket: a socket belongs to the network namespace of its maker. */
static void bring_lo_up(void)
{
	struct ifreq ifr = { 0 };
	const char *what = "cannot bring lo up in the new network namespace";
	int sock, r;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (trace(sock, "socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP)") == -1)
		die_errno("%s", what);
	/* Read the flags first, to change only IFF_UP: SIOCSIFFLAGS sets them all. */
	r = ioctl(sock, SIOCGIFFLAGS, &ifr);
	/* strace shows ifr_flags only when the kernel filled them in. */
	if (trace(r, "ioctl(%d, SIOCGIFFLAGS, {ifr_name=%s%s%s})", sock, quote(ifr.ifr_name),
		  r == -1 ? "" : ", ifr_flags=", r == -1 ? "" : ifr_flags_str(ifr.ifr_flags)) == -1)
		die_errno("%s", what);
	ifr.ifr_flags |= IFF_UP;
	r = ioctl(sock, SIOCSIFFLAGS, &ifr);
	if (trace(r, "ioctl(%d, SIOCSIFFLAGS, {ifr_name=%s, ifr_flags=%s})", sock,
		  quote(ifr.ifr_name), ifr_flags_str(ifr.ifr_flags)) == -1)
		die_errno("%s", what);
	trace(close(sock), "close(%d)", sock);
}

/* ---- The command's process: -R, -w, --keep-caps, -S, -G ---------- */

/* The capabilities by number, as strace names them (Linux 5.9: 0 to 40). */
static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
	"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

/* A capability set as strace shows it: "1<<CAP_CHOWN|1<<CAP_KILL", or
 * "0"; one of three static buffers in turn. */
static const char *caps_str(uint64_t caps)
{
	static char bufs[3][1400];
	static int turn;
	char *buf = bufs[turn];
	size_t len = 0;

	turn = (turn + 1) % 3;
	strcpy(buf, "0");
	for (unsigned cap = 0; cap < 64; cap++) {
		if (!(caps >> cap & 1))
			continue;
		if (cap < LEN(cap_names))
			len += (size_t)snprintf(buf + len, sizeof(bufs[0]) - len, "%s1<<%s", len ? "|" : "",
						cap_names[cap]);
		else
			len += (size_t)snprintf(buf + len, sizeof(bufs[0]) - len, "%s1<<%u", len ? "|" : "", cap);
	}
	return buf;
}

/* The effective, permitted and inheritable sets of a capget(2) or
 * capset(2), as strace shows them. */
static const char *cap_data_str(const struct __user_cap_data_struct d[2])
{
	static char buf[4400];
	const uint64_t eff = (uint64_t)d[1].effective << 32 | d[0].effective;
	const uint64_t perm = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	const uint64_t inh = (uint64_t)d[1].inheritable << 32 | d[0].inheritable;

	snprintf(buf, sizeof(buf), "{effective=%s, permitted=%s, inheritable=%s}", caps_str(eff),
		 caps_str(perm), caps_str(inh));
	return buf;
}

/* --keep-caps, as util-linux unshare does it. After unshare(CLONE_NEWUSER)
 * we hold every capability in the new user namespace, but execve(2)
 * keeps them only for uid 0 there: a command that runs as another uid
 * (or as an unmapped one, with no map) starts without any. The ambient
 * set is what execve passes on to a program that is not set-user-ID and
 * has no file capabilities; a capability can be raised in it only if it
 * is permitted and inheritable. So: read the sets, make the inheritable
 * set the permitted one, and raise each effective capability. */
static void keep_caps(void)
{
	struct __user_cap_header_struct head = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
	const char *head_str = "{version=_LINUX_CAPABILITY_VERSION_3, pid=0}";

	long r = syscall(SYS_capget, &head, data);

	if (trace(r, "capget(%s, %s)", head_str, cap_data_str(data)) == -1)
		die_errno("--keep-caps: capget");
	data[0].inheritable = data[0].permitted;
	data[1].inheritable = data[1].permitted;
	r = syscall(SYS_capset, &head, data);
	if (trace(r, "capset(%s, %s)", head_str, cap_data_str(data)) == -1)
		die_errno("--keep-caps: capset");
	const uint64_t eff = (uint64_t)data[1].effective << 32 | data[0].effective;
	for (unsigned long cap = 0; cap < 64; cap++) {
		if (!(eff >> cap & 1))
			continue;
		r = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0L, 0L);

		if (cap < LEN(cap_names))
			trace(r, "prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, %s, 0, 0)", cap_names[cap]);
		else
			trace(r, "prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, %lu, 0, 0)", cap);
		if (r == -1)
			die_errno_hint(errno == EPERM ? "a locked SECBIT_NO_CAP_AMBIENT_RAISE forbids it" : NULL,
				       "--keep-caps: prctl(PR_CAP_AMBIENT_RAISE, %lu)", cap);
	}
}

/* Last before the exec, as util-linux does (the steps before may need
 * our privilege): -G, -S, then --keep-caps. */
static void become_the_command(const struct options *o)
{
	set_ids(o->set_gid, o->gid, o->set_uid, o->uid);
	if (o->keep_caps)
		keep_caps();
}

/* -R and -w, as util-linux does them: chroot(2) to the new root, then
 * chdir(2) to the -w directory, or to "/" of the new root (chroot
 * leaves the working directory where it was, possibly outside). */
static void change_root_and_dir(const struct options *o)
{
	const char *dir = o->work_dir ? o->work_dir : "/";

	if (o->root_dir && trace(chroot(o->root_dir), "chroot(%s)", quote(o->root_dir)) == -1)
		die_errno("cannot change root directory to %s", quote(o->root_dir));
	if (trace(chdir(dir), "chdir(%s)", quote(dir)) == -1)
		die_errno("cannot change directory to %s", quote(dir));
}

/* ---- A container's life: --detach, --pidfile, --log, --init ------ */

/* The files the command's stdio goes to, opened while a bad path can
 * still fail before anything is made: /dev/null, and --log appended. */
static int null_fd = -1, log_fd = -1;

static void open_stdio_files(const char *log_path)
{
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd == -1)
		die_errno("cannot open /dev/null");
	if (log_path) {
		/* Not through a symlink: one planted in a shared directory
		 * would have root append the container's output to any file. */
		log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC,
			      0640);
		if (log_fd == -1)
			die_errno_hint(errno == ELOOP ? "it is a symlink; give the file itself" : NULL,
				       "--log: cannot open %s", log_path);
	}
}

/* Last step before the command starts: a detached command must hold
 * nothing of the terminal (reading from it would stop it with SIGTTIN,
 * writing after the terminal closed would fail), so stdin becomes
 * /dev/null and stdout and stderr the log (or /dev/null). Not with
 * --keep-stdio: there the caller (an engine) gave us pipes or files that
 * it reads, and nothing of a terminal. dup2 clears close-on-exec on the
 * new fd: only 0, 1 and 2 pass to the command. */
static void redirect_stdio(int to_null)
{
	int out = log_fd != -1 ? log_fd : to_null ? null_fd : -1;

	if (to_null && trace(dup2(null_fd, 0), "dup2(%d, 0)", null_fd) == -1)
		die_errno("dup2(%d, 0)", null_fd);
	if (out != -1 && (trace(dup2(out, 1), "dup2(%d, 1)", out) == -1 ||
			  trace(dup2(out, 2), "dup2(%d, 2)", out) == -1))
		die_errno("dup2(%d)", out);
	stdio_redirected = out != -1;
}

/* A wait status as strace prints it inside wait4's brackets. */
static const char *wstatus_str(int st)
{
	static char buf[96];

	if (WIFEXITED(st))
		snprintf(buf, sizeof(buf), "{WIFEXITED(s) && WEXITSTATUS(s) == %d}", WEXITSTATUS(st));
	else
		snprintf(buf, sizeof(buf), "{WIFSIGNALED(s) && WTERMSIG(s) == SIG%s%s}",
			 sigabbrev_np(WTERMSIG(st)), WCOREDUMP(st) ? " && WCOREDUMP(s)" : "");
	return buf;
}

/* With a terminal that we have in the foreground, the command gets a
 * process group of its own and the terminal's foreground: ^C then goes
 * to the command alone, not also to init (which would pass it on a
 * second time), as tini does. The kernel stops a background group
 * that calls tcsetpgrp(3) with SIGTTOU, unless it is ignored. */
static void take_terminal(void)
{
	if (!isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp())
		return;
	if (trace(setpgid(0, 0), "setpgid(0, 0)") == -1)
		die_errno("setpgid(0, 0)");
	pid_t pgrp = getpgrp();
	signal(SIGTTOU, SIG_IGN);
	if (trace(tcsetpgrp(STDIN_FILENO, pgrp), "ioctl(0, TIOCSPGRP, [%d])", (int)pgrp) == -1)
		die_errno("tcsetpgrp(0, %d)", (int)pgrp);
	signal(SIGTTOU, SIG_DFL);
}

/* --init: stay pid 1 and run the command as a child. pid 1 of a pid
 * namespace has two duties the kernel gives no one else: signals from
 * inside that it has no handler for are dropped (so a shell as pid 1
 * ignores SIGTERM), and every orphan of the namespace becomes its child,
 * to be reaped. This init waits for signals with sigwaitinfo(2), so
 * every signal it takes has a "handler": it passes the signal on to the
 * command, and on SIGCHLD it reaps whatever ended. When the command
 * ends, init exits with its status (128+N for signal N): the kernel then
 * kills whatever is left in the namespace. Outside a new pid namespace
 * it makes itself a subreaper, so orphans still come to it. */
static noreturn void run_init(const char *path, char *const argv[], const struct options *o)
{
	static const int passed_on[] = { SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM, SIGWINCH };
	sigset_t waited, old_mask;
	pid_t child;

	sigemptyset(&waited);
	for (size_t i = 0; i < LEN(passed_on); i++)
		sigaddset(&waited, passed_on[i]);
	sigaddset(&waited, SIGCHLD);
	sigprocmask(SIG_BLOCK, &waited, &old_mask);
	if (getpid() != 1 &&
	    trace(prctl(PR_SET_CHILD_SUBREAPER, 1), "prctl(PR_SET_CHILD_SUBREAPER, 1)") == -1)
		die_errno("prctl(PR_SET_CHILD_SUBREAPER)");
	redirect_stdio(o->stdio_to_null);
	fflush(NULL);
	child = fork();
	if (child == -1)
		die_errno("fork");
	if (child == 0) {
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		take_terminal();
		become_the_command(o);
		exec_command(path, argv);
	}
	trace(child, "fork()");
	/* The command's copy of the "it runs" pipe now speaks for it. */
	runs_pipe_pass_on();
	for (;;) {
		siginfo_t info;
		int sig = sigwaitinfo(&waited, &info);

		if (sig == -1) {
			if (errno == EINTR)
				continue;
			die_errno("sigwaitinfo");
		}
		if (sig != SIGCHLD) {
			trace(kill(child, sig), "kill(%d, SIG%s)", (int)child, sigabbrev_np(sig));
			continue;
		}
		/* One SIGCHLD may stand for several children: reap them all. */
		for (;;) {
			int st;
			pid_t pid = waitpid(-1, &st, WNOHANG);

			if (pid <= 0)
				break;
			trace(pid, "wait4(-1, [%s], WNOHANG, NULL)", wstatus_str(st));
			if (pid == child)
				exit(exit_status(st));
		}
	}
}

/* The parent waits for the child. SIGINT and SIGTERM are blocked since
 * the fork (see fork_command_process): they are for the command, and
 * util-linux unshare leaves them to it. With --forward-signals (newer
 * util-linux) the parent passes them on: it takes them, and the
 * child's end, with sigwaitinfo(2) (a blocked SIGCHLD is queued, not
 * ignored), and sends each one on with kill(2). Returns the child's
 * wait status. */
static int wait_for_command(pid_t child, int forward)
{
	sigset_t waited;
	int st;

	if (!forward)
		return wait_child(child);
	sigemptyset(&waited);
	sigaddset(&waited, SIGINT);
	sigaddset(&waited, SIGTERM);
	sigaddset(&waited, SIGCHLD);
	sigprocmask(SIG_BLOCK, &waited, NULL);
	for (;;) {
		/* The child may have ended before SIGCHLD was blocked. */
		pid_t pid = waitpid(child, &st, WNOHANG);

		if (pid == child)
			return st;
		if (pid == -1 && errno != EINTR)
			die_errno("waitpid(%d)", (int)child);
		int sig = sigwaitinfo(&waited, NULL);

		if (sig == SIGINT || sig == SIGTERM)
			trace(kill(child, sig), "kill(%d, SIG%s)", (int)child, sigabbrev_np(sig));
	}
}

/* The launcher, once the command runs (see lib/detach.c): the pid file
 * is written, and a detached launcher is done. Else it waits, as
 * without these options, and removes its pid file at the end. */
static noreturn void launcher(pid_t child, int ready[2], const struct options *o)
{
	wait_until_running(child, ready, o->log_path ? "its message is in the --log file"
						     : "run it without --detach to see why");
	if (o->pidfile)
		write_pidfile_of_running(o->pidfile, child);
	if (o->detach)
		exit(EXIT_SUCCESS);
	int status = wait_for_command(child, o->forward_signals);
	if (o->pidfile)
		remove_pidfile_of(o->pidfile, child);
	exit_like(status);
}

/* ---- The command line ------------------------------------------- */

/* A range for --map-users or --map-groups: OUTER,INNER,COUNT,
 * INNER:OUTER:COUNT, or auto (read from /etc/subuid or /etc/subgid). */
static void add_range(struct map *map, const char *opt, const char *arg, uid_t euid)
{
	const int users = map == &uid_map;
	struct idmap range;
	char given[64];

	snprintf(given, sizeof(given), "%s=%.40s", opt, arg);
	if (strcmp(arg, "auto") == 0)
		range = subid_range(users ? "/etc/subuid" : "/etc/subgid", euid, given);
	else if (parse_idmap(arg, &range) == -1)
		die_usage("%s: bad map '%s' (want OUTER,INNER,COUNT, INNER:OUTER:COUNT or auto)", opt, arg);
	map->outside = 1;
	add_map_line(map, range, given);
}

/* -r, -c, --map-user, --map-group, --map-users, --map-groups,
 * --map-auto: each implies a new user namespace. */
static void parse_map_option(int c, const char *arg, struct options *o)
{
	o->flags |= CLONE_NEWUSER;
	switch (c) {
	case 'r':
	case 'c':
		o->map_user = c == 'r' ? 0 : o->euid;
		o->map_group = c == 'r' ? 0 : o->egid;
		strcpy(o->map_user_given, c == 'r' ? "-r" : "-c");
		strcpy(o->map_group_given, o->map_user_given);
		break;
	case OPT_MAP_USER:
		o->map_user = parse_uid("--map-user", arg);
		snprintf(o->map_user_given, sizeof(o->map_user_given), "--map-user=%.40s", arg);
		break;
	case OPT_MAP_GROUP:
		o->map_group = parse_gid("--map-group", arg);
		snprintf(o->map_group_given, sizeof(o->map_group_given), "--map-group=%.40s", arg);
		break;
	case OPT_MAP_USERS: add_range(&uid_map, "--map-users", arg, o->euid); break;
	case OPT_MAP_GROUPS: add_range(&gid_map, "--map-groups", arg, o->euid); break;
	default: /* OPT_MAP_AUTO */
		uid_map.outside = gid_map.outside = 1;
		add_map_line(&uid_map, subid_range("/etc/subuid", o->euid, "--map-auto"), "--map-auto");
		add_map_line(&gid_map, subid_range("/etc/subgid", o->euid, "--map-auto"), "--map-auto");
	}
}

static unsigned long parse_propagation(const char *s)
{
	if (strcmp(s, "private") == 0)
		return MS_REC | MS_PRIVATE;
	if (strcmp(s, "shared") == 0)
		return MS_REC | MS_SHARED;
	if (strcmp(s, "slave") == 0)
		return MS_REC | MS_SLAVE;
	if (strcmp(s, "unchanged") == 0)
		return 0;
	die_usage("--propagation: '%s' is not private, shared, slave or unchanged", s);
}

static const struct option longopts[] = {
	{ "mount", optional_argument, NULL, 'm' },
	{ "uts", optional_argument, NULL, 'u' },
	{ "ipc", optional_argument, NULL, 'i' },
	{ "net", optional_argument, NULL, 'n' },
	{ "pid", optional_argument, NULL, 'p' },
	{ "user", optional_argument, NULL, 'U' },
	{ "cgroup", optional_argument, NULL, 'C' },
	{ "time", optional_argument, NULL, 'T' },
	{ "fork", no_argument, NULL, 'f' },
	{ "kill-child", optional_argument, NULL, OPT_KILL_CHILD },
	{ "forward-signals", no_argument, NULL, OPT_FORWARD_SIGNALS },
	{ "mount-proc", optional_argument, NULL, OPT_MOUNT_PROC },
	{ "root", required_argument, NULL, 'R' },
	{ "wd", required_argument, NULL, 'w' },
	{ "map-root-user", no_argument, NULL, 'r' },
	{ "map-current-user", no_argument, NULL, 'c' },
	{ "map-user", required_argument, NULL, OPT_MAP_USER },
	{ "map-group", required_argument, NULL, OPT_MAP_GROUP },
	{ "map-users", required_argument, NULL, OPT_MAP_USERS },
	{ "map-groups", required_argument, NULL, OPT_MAP_GROUPS },
	{ "map-auto", no_argument, NULL, OPT_MAP_AUTO },
	{ "setgroups", required_argument, NULL, OPT_SETGROUPS },
	{ "setuid", required_argument, NULL, 'S' },
	{ "setgid", required_argument, NULL, 'G' },
	{ "keep-caps", no_argument, NULL, OPT_KEEP_CAPS },
	{ "clear-env", no_argument, NULL, OPT_CLEAR_ENV },
	{ "propagation", required_argument, NULL, OPT_PROPAGATION },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "monotonic", required_argument, NULL, OPT_MONOTONIC },
	{ "boottime", required_argument, NULL, OPT_BOOTTIME },
	{ "detach", no_argument, NULL, OPT_DETACH },
	{ "keep-stdio", no_argument, NULL, OPT_KEEP_STDIO },
	{ "setsid", no_argument, NULL, OPT_SETSID },
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "init", no_argument, NULL, OPT_INIT },
	{ "loopback", no_argument, NULL, OPT_LOOPBACK },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* A file name option's argument: not empty. */
static const char *file_arg(const char *opt, const char *arg)
{
	if (!*arg)
		die_usage("%s: an empty file name", opt);
	return arg;
}

/* One option that getopt_long returned (not a namespace letter), with its
 * argument; dies (usage) on a bad one. */
static void take_option(int c, char *arg, struct options *o)
{
	switch (c) {
	case 'f': o->forkit = 1; break;
	case OPT_KILL_CHILD:
		o->forkit = 1;
		o->kill_signal = arg ? parse_signal(arg) : SIGKILL;
		if (o->kill_signal == -1)
			die_usage("--kill-child: unknown signal '%s'", arg);
		break;
	case OPT_FORWARD_SIGNALS: o->forkit = o->forward_signals = 1; break;
	case OPT_MOUNT_PROC:
		o->flags |= CLONE_NEWNS;
		o->proc_dir = arg ? arg : "/proc";
		break;
	case 'R': o->root_dir = file_arg("--root", arg); break;
	case 'w': o->work_dir = file_arg("--wd", arg); break;
	case 'r':
	case 'c':
	case OPT_MAP_USER:
	case OPT_MAP_GROUP:
	case OPT_MAP_USERS:
	case OPT_MAP_GROUPS:
	case OPT_MAP_AUTO:
		parse_map_option(c, arg, o);
		break;
	case OPT_SETGROUPS:
		if (strcmp(arg, "allow") != 0 && strcmp(arg, "deny") != 0)
			die_usage("--setgroups: '%s' is neither allow nor deny", arg);
		setgroups_mode = arg;
		break;
	case 'S':
		o->uid = parse_uid("--setuid", arg);
		o->set_uid = 1;
		break;
	case 'G':
		o->gid = parse_gid("--setgid", arg);
		o->set_gid = 1;
		break;
	case OPT_KEEP_CAPS: o->keep_caps = 1; break;
	case OPT_CLEAR_ENV: o->clear_env = 1; break;
	case OPT_PROPAGATION: o->propagation = parse_propagation(arg); break;
	case OPT_HOSTNAME:
		if (!*arg || strlen(arg) > HOST_NAME_MAX)
			die_usage("--hostname: a name of 1 to %d characters", HOST_NAME_MAX);
		o->flags |= CLONE_NEWUTS;
		o->hostname = arg;
		break;
	case OPT_MONOTONIC:
		o->monotonic = parse_offset("--monotonic", arg);
		o->set_monotonic = 1;
		break;
	case OPT_BOOTTIME:
		o->boottime = parse_offset("--boottime", arg);
		o->set_boottime = 1;
		break;
	case OPT_DETACH: o->forkit = o->detach = 1; break;
	case OPT_KEEP_STDIO: o->keep_stdio = 1; break;
	case OPT_SETSID: o->forkit = o->setsid = 1; break;
	case OPT_PIDFILE: o->pidfile = file_arg("--pidfile", arg); break;
	case OPT_LOG: o->log_path = file_arg("--log", arg); break;
	case OPT_INIT: o->forkit = o->init = 1; break;
	case OPT_LOOPBACK: o->loopback = 1; break;
	case 'v': verbose = 1; break;
	case 'h': print_help(help);
	case 'V': print_version();
	}
}

static void parse_options(int argc, char *argv[], struct options *o)
{
	static const char short_types[] = "muinpUCT";
	static const int flag_of[] = { CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWNET,
				       CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEWCGROUP, CLONE_NEWTIME };

	*o = (struct options){
		.propagation = MS_REC | MS_PRIVATE,
		.euid = geteuid(),
		.egid = getegid(),
		.map_user = (uid_t)-1,
		.map_group = (gid_t)-1,
	};
	opterr = 0;
	for (;;) {
		/* The word getopt reads now: "-n=FILE" is refused by its text. */
		const char *word = optind < argc ? argv[optind] : "";
		int c = getopt_long(argc, argv, "+:muinpUCTfrcR:w:S:G:vhV", longopts, NULL);

		if (c == -1)
			break;
		if (c == '?' || c == ':') {
			if (c == '?' && optopt == '=')
				refuse_short_pin(word, longopts);
			bad_option(argv, c);
		}
		const char *letter = c < 128 ? strchr(short_types, c) : NULL;

		if (!letter) {
			take_option(c, optarg, o);
			continue;
		}
		int flag = flag_of[letter - short_types];

		o->flags |= flag;
		if (optarg)
			add_pin(flag, optarg);
	}
}

/* Step 1: options that need others, or exclude them; the id maps made
 * complete (our own ids) and checked. Dies with a usage line. */
static void check_options(struct options *o)
{
	if ((o->set_monotonic || o->set_boottime) && !(o->flags & CLONE_NEWTIME))
		die_usage("--monotonic and --boottime need a new time namespace (-T)");
	for (size_t i = 0; i < npins; i++)
		if (pins[i].type->clone_flag == CLONE_NEWPID && !o->forkit)
			die_usage("--pid=FILE needs --fork: a pid namespace exists once its first "
				  "process does");
	if (o->map_user != (uid_t)-1)
		add_own_id(&uid_map, o->euid, o->map_user, o->map_user_given);
	if (o->map_group != (gid_t)-1) {
		/* Mapping one's own group from inside needs setgroups denied
		 * (see map_ids); a map of ranges is written from outside. */
		if (!gid_map.outside && setgroups_mode && strcmp(setgroups_mode, "allow") == 0)
			die_usage("--setgroups=allow and --map-group (or -r, -c) exclude each other");
		if (!gid_map.outside)
			setgroups_mode = "deny";
		add_own_id(&gid_map, o->egid, o->map_group, o->map_group_given);
	}
	check_map_overlaps(&uid_map);
	check_map_overlaps(&gid_map);
	if (setgroups_mode && !(o->flags & CLONE_NEWUSER))
		die_usage("--setgroups needs a new user namespace (-U)");
	if (o->loopback && !(o->flags & CLONE_NEWNET))
		die_usage("--loopback needs a new network namespace (-n or --net)");
	if (o->keep_caps && !(o->flags & CLONE_NEWUSER))
		die_usage("--keep-caps needs a new user namespace (-U): the capabilities it keeps are "
			  "those of the new user namespace");
	if (o->detach && o->forward_signals)
		die_usage("--detach and --forward-signals exclude each other: once detached, nsunshare is "
			  "gone and passes nothing on");
	if (o->detach && o->kill_signal)
		die_usage("--detach and --kill-child exclude each other: a detached command outlives "
			  "nsunshare");
	if (o->keep_stdio && !o->detach)
		die_usage("--keep-stdio needs --detach: without it the command keeps our stdio anyway");
	if (o->keep_stdio && o->log_path)
		die_usage("--keep-stdio and --log exclude each other: the command's stdout and stderr "
			  "go to ours, or to the log");
	if (o->pidfile)
		o->forkit = 1; /* the pid in the file is the child's */
	o->stdio_to_null = o->detach && !o->keep_stdio;
}

/* ---- Step 1 under -R and -w: what the command's process will see --- */

static int new_root_fd = -1; /* -R's directory, or "/" (O_PATH) */

/* stat(2) of path as the command's process will find it after -R and
 * -w: a relative path from base (the new working directory; NULL: where
 * we are), then an absolute one inside the new root, where symlinks and
 * ".." stay as chroot(2) holds them (openat2's RESOLVE_IN_ROOT). A
 * relative -w is where chdir(2) takes it: from our working directory,
 * which chroot leaves as it is. Not traced: a look-up, as execvp's. */
static int stat_in_new_root(const char *base, const char *path, struct stat *st)
{
	char *full = path[0] == '/' || !base ? estrdup(path) : easprintf("%s/%s", base, path);
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	int fd, err;

	if (full[0] == '/')
		fd = (int)syscall(SYS_openat2, new_root_fd, full, &how, sizeof(how));
	else
		fd = open(full, O_PATH | O_CLOEXEC);
	err = errno;
	free(full);
	if (fd == -1 || fstat(fd, st) == -1) {
		err = fd == -1 ? err : errno;
		if (fd != -1)
			close(fd);
		errno = err;
		return -1;
	}
	close(fd);
	return 0;
}

/* Dies unless dir is a directory for the command's process (see above). */
static void need_new_directory(const char *opt, const char *base, const char *dir,
			       const struct options *o)
{
	struct stat st;
	const char *in = o->root_dir && (dir[0] == '/' || (base && base[0] == '/')) ? o->root_dir : NULL;

	if (stat_in_new_root(base, dir, &st) == -1)
		die_errno("%s: %s%s%s", opt, dir, in ? " in " : "", in ? in : "");
	if (!S_ISDIR(st.st_mode))
		die("%s: %s%s%s is not a directory", opt, dir, in ? " in " : "", in ? in : "");
}

/* Step 1 with -R or -w: the new root, the new working directory and the
 * --mount-proc directory must be directories, now, before anything is
 * made; util-linux finds out once the namespaces exist. */
static void check_new_root(const struct options *o)
{
	const char *root = o->root_dir ? o->root_dir : "/";

	if (o->root_dir)
		need_directory("--root: ", o->root_dir);
	new_root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (new_root_fd == -1)
		die_errno("--root: %s", root);
	if (o->work_dir)
		need_new_directory("--wd", NULL, o->work_dir, o);
	if (o->proc_dir)
		need_new_directory("--mount-proc", o->work_dir ? o->work_dir : "/", o->proc_dir, o);
}

/* The command (argv, else $SHELL, else /bin/sh) as execve(2) will find it
 * after -R and -w: a name without '/' in each directory of PATH, walked
 * as execvp(3) walks it, in the new root; a path from the new working
 * directory. The first runnable file wins (a file that exists but cannot
 * run is kept for execve to say why). Dies 127 if there is none. */
static char **find_command_in_new_root(const struct options *o, char *argv[], char **path)
{
	static char *shell_argv[2];
	const char *wd = o->work_dir ? o->work_dir : "/";
	const char *dirs = getenv("PATH");
	struct stat st;

	if (!argv[0]) {
		shell_argv[0] = getenv("SHELL");
		if (!shell_argv[0] || !*shell_argv[0])
			shell_argv[0] = "/bin/sh";
		argv = shell_argv;
	}
	*path = NULL;
	if (strchr(argv[0], '/')) {
		if (stat_in_new_root(wd, argv[0], &st) == 0)
			*path = estrdup(argv[0]);
	} else {
		if (!dirs)
			dirs = "/usr/local/bin:/usr/bin:/bin";
		for (;;) {
			size_t len = strcspn(dirs, ":");
			char *candidate = easprintf("%.*s/%s", (int)len, len ? dirs : ".", argv[0]);
			int found = stat_in_new_root(wd, candidate, &st) == 0;

			if (found && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
				free(*path);
				*path = candidate;
				break;
			}
			if (found && !*path)
				*path = candidate; /* execve will say why it cannot run it */
			else
				free(candidate);
			if (!dirs[len])
				break;
			dirs += len + 1;
		}
	}
	if (!*path) {
		warnx("failed to execute %s: command not found%s%s", argv[0], o->root_dir ? " in " : "",
		      o->root_dir ? o->root_dir : "");
		exit(EXIT_NOT_FOUND);
	}
	return argv;
}

/* Step 1: the programs to run, found now. newuidmap and newgidmap if a
 * map of ranges is to be written without root; then the command (in the
 * new root with -R), once --clear-env has emptied the environment, so
 * that the shell is /bin/sh and PATH the default, as for util-linux. */
static char **find_programs(const struct options *o, char *argv[], char **cmd_path)
{
	if (geteuid() != 0 && uid_map.outside)
		idmapper_path[0] = find_command("newuidmap");
	if (geteuid() != 0 && gid_map.outside)
		idmapper_path[1] = find_command("newgidmap");
	if (o->clear_env) {
		static char *no_vars[] = { NULL };

		clearenv(); /* sets environ to NULL; execve(2) and -v want a list */
		environ = no_vars;
	}
	char **cmd = o->root_dir || o->work_dir ? find_command_in_new_root(o, argv, cmd_path)
						: command_or_shell(argv, cmd_path);
	/* No command: the shell, as a login shell ("-sh"), as unshare runs it. */
	if (!argv[0])
		cmd[0] = login_name(cmd[0]);
	return cmd;
}

/* ---- The steps of main() ----------------------------------------- */

/* Step 3: the new namespaces are set up while we are their only process. */
static void set_up_namespaces(const struct options *o, struct helper *map_helper)
{
	if (map_ids(0) == -1 || (map_helper->pid && finish_helper(map_helper) == -1))
		exit(EXIT_FAILURE);
	if (o->loopback)
		bring_lo_up();
	if (o->set_boottime)
		set_time_offset(CLOCK_BOOTTIME, "boottime", o->boottime);
	if (o->set_monotonic)
		set_time_offset(CLOCK_MONOTONIC, "monotonic", o->monotonic);
	/* The new mount table is a copy, and a copy of a shared mount stays
	 * in the same peer group: mounts made here would appear outside.
	 * Making every mount private (recursively) cuts that link. */
	if ((o->flags & CLONE_NEWNS) && o->propagation) {
		const char *source = "none", *target = "/";

		if (trace(mount(source, target, NULL, o->propagation, NULL), "mount(%s, %s, NULL, %s, NULL)",
			  quote(source), quote(target), mount_flags_str(o->propagation)) == -1)
			die_errno("cannot change the propagation of /");
	}
	/* The name is a buffer and its length, not a path: strace cuts it
	 * after 32 bytes, as quote_mem does. */
	if (o->hostname) {
		size_t len = strlen(o->hostname);

		if (trace(sethostname(o->hostname, len), "sethostname(%s, %zu)",
			  quote_mem(o->hostname, len), len) == -1)
			die_errno("sethostname(%s)", quote(o->hostname));
	}
}

/* Step 4, in the child: wait until the parent has pinned the namespaces
 * (a byte on the go pipe; EOF if it failed), then become the command's
 * process. */
static void wait_for_pins(const struct options *o, int go[2], int ready[2])
{
	char byte;

	close(go[1]);
	/* Set before waiting: if the parent is already gone, the
	 * read below sees EOF instead. */
	if (o->kill_signal && trace(prctl(PR_SET_PDEATHSIG, o->kill_signal),
				    "prctl(PR_SET_PDEATHSIG, SIG%s)", sigabbrev_np(o->kill_signal)) == -1)
		die_errno("prctl(PR_SET_PDEATHSIG)");
	if (read(go[0], &byte, 1) != 1)
		_exit(EXIT_FAILURE);
	close(go[0]);
	if (ready[1] != -1)
		runs_pipe_child(ready);
	/* A session of its own: the terminal's hangup, and the
	 * shell's job control, no longer reach the container, and it has
	 * no controlling terminal. A process may type into its
	 * controlling terminal's input with ioctl(TIOCSTI) (into any
	 * other only with CAP_SYS_ADMIN): without one, a container that
	 * writes to our terminal cannot also type commands into our shell.
	 * runc starts every container this way. */
	if ((o->detach || o->setsid) && trace(setsid(), "setsid()") == -1)
		die_errno("setsid");
}

/* Step 4: the fork. The child waits on the go pipe until the parent has
 * pinned the namespaces, so that it never runs the command if that
 * fails; with --detach or --pidfile, the ready pipe tells the parent
 * that the command runs. Returns the child's pid in the parent, and 0
 * in the child, once it may go on. */
static pid_t fork_command_process(const struct options *o, int go[2], int ready[2])
{
	sigset_t blocked, old_mask;

	if (pipe2(go, O_CLOEXEC) == -1)
		die_errno("pipe2");
	if (o->detach || o->pidfile) {
		int r = pipe2(ready, O_CLOEXEC);

		if (trace(r, "pipe2([%d, %d], O_CLOEXEC)", ready[0], ready[1]) == -1)
			die_errno("pipe2");
	}
	/* The parent ignores ^C and TERM while it waits, as util-linux
	 * unshare does: they are for the command, not for us. */
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGINT);
	sigaddset(&blocked, SIGTERM);
	sigprocmask(SIG_BLOCK, &blocked, &old_mask);
	fflush(NULL);
	pid_t child = fork();
	if (child == -1)
		die_errno("fork");
	if (child > 0) {
		trace(child, "fork()");
		close(go[0]);
		return child;
	}
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	wait_for_pins(o, go, ready);
	return 0;
}

/* Step 5, outside the command's process: pin, here or through the
 * helper (see start_helper). If that fails, the child (if any) reads
 * EOF and leaves, and so do we. */
static void pin_or_exit(struct helper *pin_helper, pid_t child, int go_fd)
{
	int pinned = 0;

	if (pin_helper->pid)
		pinned = finish_helper(pin_helper);
	else if (npins)
		pinned = pin_namespaces(getpid());
	if (pinned == -1) {
		if (child > 0) {
			close(go_fd); /* the child reads EOF and leaves */
			wait_child(child);
		}
		exit(EXIT_FAILURE);
	}
	pins_done = 1;
}

/* Step 5, the parent's end: the pins are in place, the child may go on;
 * then we wait for it and end the way it ends (or, detached, return
 * once it runs: see launcher). */
static noreturn void let_child_go(pid_t child, int go_fd, int ready[2], const struct options *o)
{
	if (write(go_fd, "g", 1) != 1)
		die_errno("write to the child");
	close(go_fd);
	if (ready[0] != -1)
		launcher(child, ready, o);
	exit_like(wait_for_command(child, o->forward_signals));
}

/* Step 6: a proc filesystem on dir, for the pid namespace we are in.
 * Unless "/" was made private (the default), dir is made private first,
 * as util-linux does; not after -R, as util-linux does not either. */
static void mount_proc(const char *dir, unsigned long propagation, int chrooted)
{
	const unsigned long private = MS_REC | MS_PRIVATE, flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	const char *none = "none", *proc = "proc";

	if (propagation != private && !chrooted) {
		int r = mount(none, dir, NULL, private, NULL);

		trace(r, "mount(%s, %s, NULL, %s, NULL)", quote(none), quote(dir), mount_flags_str(private));
		if (r == -1 && errno != EINVAL) /* EINVAL: nothing mounted there yet */
			die_errno("cannot make %s private", dir);
	}
	if (trace(mount(proc, dir, proc, flags, NULL), "mount(%s, %s, %s, %s, NULL)", quote(proc),
		  quote(dir), quote(proc), mount_flags_str(flags)) == -1)
		die_errno("mount(\"proc\", %s)", quote(dir));
}

int main(int argc, char *argv[])
{
	struct options o;
	struct helper pin_helper = { 0, -1 }, map_helper = { 0, -1 };
	int go[2] = { -1, -1 }, ready[2] = { -1, -1 };
	pid_t child = 0;
	char *cmd_path;

	progname = "nsunshare";
	parse_options(argc, argv, &o);

	/* 1. Check everything before the kernel is asked for anything. */
	check_options(&o);
	/* --init stays pid 1 beside the container's processes, and a pid
	 * namespace that has others shows us to them: run from a copy of
	 * ourselves that they cannot write (lib/seal.c, CVE-2019-5736). */
	if (o.init || in_shared_pidns())
		exe_seal(argv);
	if (o.pidfile)
		check_pidfile(o.pidfile, 1);
	if (o.stdio_to_null || o.log_path)
		open_stdio_files(o.log_path);
	if (o.root_dir || o.work_dir)
		check_new_root(&o);
	else if (o.proc_dir)
		need_directory("--mount-proc: ", o.proc_dir);
	char **cmd_argv = find_programs(&o, argv + optind, &cmd_path);
	create_pin_files();
	if (npins && (o.flags & (CLONE_NEWNS | CLONE_NEWUSER)))
		pin_helper = start_helper(pin_namespaces);
	if (uid_map.outside || gid_map.outside)
		map_helper = start_helper(map_ids_outside);

	/* 2. The call itself. Every namespace in flags is new from here on,
	 * for this process, except pid and time: those are for its children. */
	if (trace(unshare(o.flags), "unshare(%s)", clone_flags_str(o.flags)) == -1)
		die_errno_hint(unshare_hint(o.flags, errno), "unshare(%s)", clone_flags_str(o.flags));

	/* 3. Set the new namespaces up, while we are their only process. */
	set_up_namespaces(&o, &map_helper);

	/* 4. Fork: only children enter a new pid namespace. */
	if (o.forkit)
		child = fork_command_process(&o, go, ready);

	/* 5. Pin, in the parent (or without -f in our only process); the
	 * child waits for it, and the parent then waits for the child. */
	if (child > 0 || !o.forkit)
		pin_or_exit(&pin_helper, child, go[1]);
	if (child > 0)
		let_child_go(child, go[1], ready, &o);

	/* 6. Here we are the command's process: pid 1 of a new pid
	 * namespace after -p -f. A proc filesystem shows the pid namespace
	 * of the process that mounts it, which is why this happens here,
	 * and after -R, in the new root, as util-linux does it. */
	if (o.root_dir || o.work_dir)
		change_root_and_dir(&o);
	if (o.proc_dir)
		mount_proc(o.proc_dir, o.propagation, o.root_dir != NULL);
	if (o.init)
		run_init(cmd_path, cmd_argv, &o);
	become_the_command(&o);
	redirect_stdio(o.stdio_to_null);
	exec_command(cmd_path, cmd_argv);
}
