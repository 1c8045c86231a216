/* cgset: control groups, by their files, on cgroup v1 and v2.
 *
 * A cgroup is a directory in a special filesystem. Making the directory
 * makes the group; writing a number to one of its files sets a limit;
 * writing a pid to its cgroup.procs moves that process in; removing the
 * empty directory removes the group. There is no system call for any of
 * it: it is all mkdir(2), write(2) and rmdir(2). -v shows each one.
 *
 * Two layouts exist. cgroup v1 mounts one hierarchy per controller
 * (/sys/fs/cgroup/memory, /sys/fs/cgroup/pids, ...), so a group is one
 * directory in each. cgroup v2 has one hierarchy for all controllers
 * (/sys/fs/cgroup), and a parent hands a controller down to its children
 * by writing "+memory" to its cgroup.subtree_control. "Hybrid" machines
 * keep the controllers on v1 and mount an (often empty) v2 hierarchy at
 * /sys/fs/cgroup/unified. cgset finds out which from the kernel, and maps
 * portable keys (memory=100M) to the file of the layout it found.
 *
 * CTRKIT_CGROUP_ROOT=DIR takes the cgroup root from DIR instead of
 * /sys/fs/cgroup and mountinfo: a tree of plain files that mimics a
 * layout, for tests. There, a directory holding cgroup.controllers
 * counts as a v2 hierarchy and one holding "tasks" as a v1 hierarchy.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctrkit.h"

static const char help[] =
	"Usage: cgset [options] info\n"
	"       cgset [options] create NAME [KEY=VALUE...]\n"
	"       cgset [options] set NAME KEY=VALUE...\n"
	"       cgset [options] get NAME KEY\n"
	"       cgset [options] add NAME PID\n"
	"       cgset [options] exec [-c] NAME [KEY=VALUE...] [--] [command [argument...]]\n"
	"       cgset [options] ps NAME\n"
	"       cgset [options] stat [-J] NAME\n"
	"       cgset [options] delete [-k] [-p] NAME\n"
	"Make control groups and set their limits, on cgroup v1 or v2 alike.\n"
	"\n"
	"Keys: memory=SIZE|max, memory.swap=SIZE|max, pids=N|max, cpu=CORES|max,\n"
	"cpu.weight=1..10000, cpuset=CPUS; or the name of a file of the group\n"
	"(memory.limit_in_bytes=100m, memory.max=max). SIZE takes K, M, G, T.\n"
	"\n"
	"  -J, --json      stat: print JSON\n"
	"  -k, --kill      delete: kill the processes in the group first\n"
	"  -p, --parents   delete: then remove each parent of NAME left empty\n"
	"  -c, --create    exec: make the group first, as create does\n"
	"  -f, --force     add, set: move pid 1 too; set: write cgroup.procs, tasks\n"
	"                  or cgroup.threads as they are\n"
	"  -v, --verbose   print each file cgset opens, reads and writes, on stderr\n"
	"  -h, --help      show this help\n"
	"      --version   show the version\n";

enum { OPT_VERSION = 256 };

/* ---- the hierarchies ---- */

struct hierarchy {
	char mount[PATH_MAX];  /* where it is mounted */
	int version;           /* 1 or 2 */
	char controllers[256]; /* v1: from the mount options; v2: cgroup.controllers */
};

static struct hierarchy hier[32];
static size_t nhier;
static char cgroot[PATH_MAX] = "/sys/fs/cgroup";
static int mimic; /* CTRKIT_CGROUP_ROOT: plain files that mimic a layout */
static int force; /* --force: pid 1 and the raw files that move processes are allowed */

/* The controllers cgset puts a group in. cpuacct (v1 CPU usage) and
 * freezer (v1, to kill a group) are features of the core on v2. */
static const char *const managed[] = { "memory", "pids", "cpu", "cpuacct", "cpuset", "freezer" };

static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ' || p[-1] == ',') && (!p[n] || p[n] == ' ' || p[n] == ',' || p[n] == '\n'))
			return 1;
	return 0;
}

/* Is path the root of a v2 (or v1) hierarchy? statfs(2) tells by the
 * filesystem's magic number; a mimic tree by the files each kind has.
 * -v leaves statfs out: strace prints all of struct statfs, and
 * `strace -e statfs cgset info` shows it. */
static int is_cgroup(const char *path, int version)
{
	struct statfs sf;
	char file[PATH_MAX + 32];

	if (!mimic)
		return statfs(path, &sf) == 0 && sf.f_type == (version == 2 ? CGROUP2_SUPER_MAGIC : CGROUP_SUPER_MAGIC);
	snprintf(file, sizeof(file), "%s/%s", path, version == 2 ? "cgroup.controllers" : "tasks");
	return access(file, F_OK) == 0;
}

/* Adds a hierarchy once. The kernel puts each v1 controller in one
 * hierarchy only, and has one v2 hierarchy, so the version and the
 * controllers name it; one mounted twice is taken under /sys/fs/cgroup
 * if it is there. */
static void add_hierarchy(const char *mount, int version, const char *controllers)
{
	size_t i, len = strlen(cgroot);

	for (i = 0; i < nhier; i++)
		if (hier[i].version == version && (version == 2 || strcmp(hier[i].controllers, controllers) == 0))
			break;
	if (i < nhier && (strncmp(mount, cgroot, len) != 0 || strncmp(hier[i].mount, cgroot, len) == 0))
		return; /* the same hierarchy, seen again */
	if (i < nhier) /* a better place for one we had */
		hier[i] = hier[--nhier];
	if (nhier == LEN(hier))
		return;
	struct hierarchy *h = &hier[nhier++];
	snprintf(h->mount, sizeof(h->mount), "%s", mount);
	h->version = version;
	snprintf(h->controllers, sizeof(h->controllers), "%s", controllers);
	if (version == 2) {
		char path[PATH_MAX + 32];
		snprintf(path, sizeof(path), "%s/cgroup.controllers", mount);
		if (read_file(path, h->controllers, sizeof(h->controllers)) == -1)
			die_errno("cannot read %s", path);
		h->controllers[strcspn(h->controllers, "\n")] = '\0';
	}
}

/* The hierarchies of a mimic tree: the root itself if it is a v2 one,
 * else each directory in it, a v1 one named by its directory. */
static void find_mimic_hierarchies(void)
{
	DIR *dir;
	struct dirent *d;
	char path[PATH_MAX + NAME_MAX + 2];

	if (is_cgroup(cgroot, 2)) {
		add_hierarchy(cgroot, 2, "");
		return;
	}
	if (!(dir = opendir(cgroot)))
		die_errno("CTRKIT_CGROUP_ROOT %s", cgroot);
	while ((d = readdir(dir))) {
		snprintf(path, sizeof(path), "%s/%s", cgroot, d->d_name);
		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		if (is_cgroup(path, 2))
			add_hierarchy(path, 2, "");
		else if (is_cgroup(path, 1))
			add_hierarchy(path, 1, d->d_name);
	}
	closedir(dir);
}

/* The machine's hierarchies, as /proc/self/mountinfo lists them (lib's
 * reader decodes the "\040" a space in a mount point is written as):
 * the type cgroup or cgroup2, and for v1 the controllers among the
 * superblock's options ("rw,cpu,cpuacct"), told from the other options
 * by the names /proc/cgroups lists. */
static void find_mounted_hierarchies(void)
{
	char known[1024] = "", name[64], *line = NULL;
	size_t size = 0;
	struct mount_entry m = { 0 };
	FILE *f = fopen("/proc/cgroups", "re");

	while (f && getline(&line, &size, f) != -1)
		if (line[0] != '#' && sscanf(line, "%63s", name) == 1 && strlen(known) + strlen(name) + 2 < sizeof(known))
			strcat(strcat(known, name), " ");
	free(line);
	if (f)
		fclose(f);
	if (!(f = mountinfo_open(0)))
		die_errno("cannot read /proc/self/mountinfo");
	while (mountinfo_next(f, &m)) {
		int version = strcmp(m.fstype, "cgroup2") == 0 ? 2 : strcmp(m.fstype, "cgroup") == 0 ? 1 : 0;
		char controllers[256] = "", *save = NULL;
		for (char *o = strtok_r(m.super_options, ",", &save); o && version == 1; o = strtok_r(NULL, ",", &save))
			if (strncmp(o, "name=", 5) == 0 || has_word(known, o))
				snprintf(controllers + strlen(controllers), sizeof(controllers) - strlen(controllers),
					 "%s%s", *controllers ? "," : "", o);
		if (version)
			add_hierarchy(m.mount_point, version, controllers);
	}
	fclose(f);
}

/* A mimic tree's hierarchies if root names one, else the machine's. */
static void find_hierarchies(const char *root)
{
	if (!root || !*root) {
		find_mounted_hierarchies();
		return;
	}
	snprintf(cgroot, sizeof(cgroot), "%s", root);
	mimic = 1;
	find_mimic_hierarchies();
}

/* The hierarchy that holds a controller: a v1 one that has it, else
 * the v2 one if it can enable it; NULL if the machine has neither. */
static struct hierarchy *home_of(const char *controller)
{
	for (int version = 1; version <= 2; version++)
		for (size_t i = 0; i < nhier; i++)
			if (hier[i].version == version && has_word(hier[i].controllers, controller))
				return &hier[i];
	return NULL;
}

static struct hierarchy *unified(void)
{
	for (size_t i = 0; i < nhier; i++)
		if (hier[i].version == 2)
			return &hier[i];
	return NULL;
}

/* Does a managed controller live in h? Only those hierarchies hold groups. */
static int holds_groups(const struct hierarchy *h)
{
	for (size_t i = 0; i < LEN(managed); i++)
		if (home_of(managed[i]) == h)
			return 1;
	return 0;
}

/* ---- names and paths ---- */

/* NAME is a relative path of plain names: no "", ".", ".." part. */
static void check_name(const char *name)
{
	if (!*name)
		die_usage("the group name is empty");
	if (*name == '/')
		die_usage("group '%s': give a name relative to the cgroup root, not an absolute path", name);
	for (const char *p = name; *p;) {
		size_t n = strcspn(p, "/");
		int bad = n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.');
		p += n;
		if (bad || (*p == '/' && !*++p))
			die_usage("group '%s': every part of the name must be a plain name (no '', '.' or '..')", name);
	}
	if (strlen(name) > PATH_MAX / 2)
		die_usage("group '%s...': the name is too long", name);
}

static void group_path(char *buf, size_t size, const struct hierarchy *h, const char *name, const char *file)
{
	if (snprintf(buf, size, "%s/%s%s%s", h->mount, name, file ? "/" : "", file ? file : "") >= (int)size)
		die("%s/%s: path too long", h->mount, name);
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Dies unless the group exists in at least one hierarchy. */
static void need_group(const char *name)
{
	char path[PATH_MAX];

	for (size_t i = 0; i < nhier; i++) {
		group_path(path, sizeof(path), &hier[i], name, NULL);
		if (holds_groups(&hier[i]) && is_dir(path))
			return;
	}
	die("no group '%s' (make it with: cgset create %s)", name, name);
}

/* ---- info ---- */

static void info(void)
{
	static const struct table_column cols[] = { { "CONTROLLER", 0, 14 }, { "VERSION", 0, 7 }, { "MOUNT", 0, 0 } };
	const char *mode;
	char unified_path[PATH_MAX + 16], own[4096];
	struct table t;

	snprintf(unified_path, sizeof(unified_path), "%s/unified", cgroot);
	if (is_cgroup(cgroot, 2))
		mode = "v2 (one hierarchy for every controller)";
	else if (is_cgroup(unified_path, 2))
		mode = "hybrid (controllers on v1; a v2 hierarchy at unified)";
	else
		mode = "v1 (one hierarchy per controller)";
	printf("mode: %s\n\n", mode);

	table_init(&t, cols, LEN(cols));
	for (size_t i = 0; i < nhier; i++) {
		char list[256], version[8], *save = NULL;
		snprintf(list, sizeof(list), "%s", hier[i].controllers);
		snprintf(version, sizeof(version), "v%d", hier[i].version);
		char *c = strtok_r(list, hier[i].version == 1 ? "," : " ", &save);
		if (!c)
			table_add_row(&t, (const char *[]){ "-", version, hier[i].mount });
		for (; c; c = strtok_r(NULL, hier[i].version == 1 ? "," : " ", &save))
			table_add_row(&t, (const char *[]){ c, version, hier[i].mount });
	}
	table_print(&t, 1, 0);

	const struct hierarchy *u = unified();
	if (u)
		printf("\nv2 controllers (%s/cgroup.controllers): %s\n", u->mount, *u->controllers ? u->controllers : "none");
	printf("\ngroups go in:");
	for (size_t i = 0; i < LEN(managed); i++) {
		const struct hierarchy *h = home_of(managed[i]);
		if (h)
			printf(" %s (v%d)", managed[i], h->version);
	}
	printf("\n\nthis process (/proc/self/cgroup):\n");
	if (read_file("/proc/self/cgroup", own, sizeof(own)) == -1)
		die_errno("cannot read /proc/self/cgroup");
	for (char *save = NULL, *l = strtok_r(own, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		printf("  %s\n", l);
}

/* ---- the files of a group ---- */

#define V1_UNLIMITED (1LL << 62)   /* v1 prints "no limit" as a huge number */
#define CPU_PERIOD 100000          /* us: the period cgset gives quotas in */
#define PIDS_MAX (4 * 1024 * 1024) /* PID_MAX_LIMIT of a 64-bit kernel: pids.max takes no more */

static void write_value(const char *path, const char *value)
{
	if (write_file(path, value) == -1)
		die_errno_hint(errno == EACCES || errno == EPERM ? "run as root"
			       : errno == EBUSY ? "in use: a group below it, or a process in it, depends on the old value"
						: NULL,
			       "cannot write %s to %s", value, path);
}

static void write_number(const char *path, long long n)
{
	char value[32];

	snprintf(value, sizeof(value), "%lld", n);
	write_value(path, value);
}

static void read_text(const char *path, char *buf, size_t size)
{
	if (read_file(path, buf, size) == -1)
		die_errno("cannot read %s", path);
}

/* A file's number, -1 for no limit ("max", or v1's huge number). */
static long long read_number(const char *path)
{
	char buf[64];

	read_text(path, buf, sizeof(buf));
	if (strncmp(buf, "max", 3) == 0)
		return -1;
	long long n = strtoll(buf, NULL, 10);
	return n >= V1_UNLIMITED ? -1 : n;
}

/* The file beside path, in the same group. */
static void sibling(char *buf, size_t size, const char *path, const char *file)
{
	snprintf(buf, size, "%.*s/%s", (int)(strrchr(path, '/') - path), path, file);
}

/* ---- the keys ---- */

/* What a portable key's value is: that says how it is checked, written
 * and read back. */
enum kind {
	SIZE,   /* bytes, or max */
	COUNT,  /* a number of processes, or max */
	WEIGHT, /* a share of CPU time against the group's siblings, 1..10000 */
	CPUS,   /* a list of CPUs: 0-1 or 0,1 */
	CORES,  /* CPU time as a number of CPUs (0.5): a quota per period, or max */
};

/* The portable keys: the controller whose hierarchy has the key's file,
 * and that file on v1 and on v2. Any other key is the name of a file. */
static const struct key {
	const char *name, *controller, *file[2]; /* file[0] on v1, file[1] on v2 */
	enum kind kind;
} keys[] = {
	{ "memory", "memory", { "memory.limit_in_bytes", "memory.max" }, SIZE },
	{ "memory.swap", "memory", { "memory.memsw.limit_in_bytes", "memory.swap.max" }, SIZE },
	{ "pids", "pids", { "pids.max", "pids.max" }, COUNT },
	{ "cpu", "cpu", { "cpu.cfs_quota_us", "cpu.max" }, CORES },
	{ "cpu.weight", "cpu", { "cpu.shares", "cpu.weight" }, WEIGHT },
	{ "cpuset", "cpuset", { "cpuset.cpus", "cpuset.cpus" }, CPUS },
};

static const char keys_help[] = "keys: memory, memory.swap, pids, cpu, cpu.weight, cpuset, or a file of the group";

/* Is s a plain decimal: digits, and a fraction after a '.' if frac?
 * strtod and strtoll alone take more: " 1", "+1", "0x10", "1e3", "inf". */
static int is_decimal(const char *s, int frac)
{
	size_t n = strspn(s, "0123456789");

	if (n == 0)
		return 0;
	if (frac && s[n] == '.' && s[n + 1])
		n += 1 + strspn(s + n + 1, "0123456789");
	return s[n] == '\0';
}

/* A list of CPUs as cpuset.cpus takes it: N or N-M, split by commas,
 * each CPU one the machine has and each range upwards. */
static void check_cpus(const char *key, const char *value)
{
	long cpus = sysconf(_SC_NPROCESSORS_CONF);
	const char *p = value;
	int ok = *p != '\0';

	while (ok && *p) {
		size_t n = strspn(p, "0123456789"), m = 0;
		long first = n && n < 10 ? atol(p) : -1, last = first;
		if (p[n] == '-') {
			m = strspn(p + n + 1, "0123456789");
			last = m && m < 10 ? atol(p + n + 1) : -1;
			m++;
		}
		ok = first >= 0 && first <= last && last < cpus;
		p += n + m;
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			ok = 0;
	}
	if (!ok)
		die_usage("%s=%s: want a list of CPUs from 0 to %ld, such as 0-1 or 0,1", key, value, cpus - 1);
}

/* Checks a portable key's value: returns the number to write (-1 for
 * max), or dies with a usage error. */
static long long check_value(const struct key *k, const char *value)
{
	const char *key = k->name;
	int max = strcmp(value, "max") == 0;
	long long n, min;
	long cpus;
	double cores;

	switch (k->kind) {
	case SIZE:
		/* The kernel counts memory in whole pages and rounds a limit
		 * down, so a memory limit below one page is 0, which lets
		 * nothing run; no swap (memory.swap=0) is a real choice. */
		if ((n = max ? -1 : parse_size(value)) == -1 && !max)
			die_usage("%s=%s: not a size (a number with K, M, G or T, or max)", key, value);
		min = strcmp(key, "memory") == 0 ? sysconf(_SC_PAGESIZE) : 0;
		if (n != -1 && n < min)
			die_usage("%s=%s: want at least one page, %lldK, or max", key, value, min / 1024);
		return n;
	case COUNT:
		/* The kernel reads pids.max in base 0 (010 is 8 to it), so
		 * cgset writes the number as it read it, not the text. */
		n = max ? -1 : is_decimal(value, 0) ? parse_number(value) : 0;
		if (n != -1 && (n < 1 || n > PIDS_MAX))
			die_usage("%s=%s: want a whole number from 1 to %d, or max", key, value, PIDS_MAX);
		return n;
	case WEIGHT:
		n = is_decimal(value, 0) ? parse_number(value) : -1;
		if (n < 1 || n > 10000)
			die_usage("%s=%s: want a whole number from 1 to 10000", key, value);
		return n;
	case CPUS:
		check_cpus(key, value);
		return 0;
	case CORES:
		/* At most the CPUs the machine has, as docker run --cpus
		 * allows: more could never be used. The kernel's smallest
		 * quota is 1 ms (1000 us): 0.01 of a period. */
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		cores = is_decimal(value, 1) ? strtod(value, NULL) : 0;
		if (max)
			return -1;
		if (cores * CPU_PERIOD < 1000 || cores > (double)cpus)
			die_usage("%s=%s: want a number of CPUs from 0.01 to %ld (this machine has %ld), or max", key,
				  value, cpus, cpus);
		return (long long)(cores * CPU_PERIOD + 0.5);
	}
	return 0;
}

/* cpu.weight (v2, 1..10000) and cpu.shares (v1, 2..262144): the
 * conversion runc and crun use, and its inverse, rounded so that a
 * weight written as shares reads back as the same weight. */
static long long weight_to_shares(long long w)
{
	return 2 + ((w - 1) * 262142 + 9998) / 9999;
}

static long long shares_to_weight(long long s)
{
	return 1 + ((s - 2) * 9999) / 262142;
}

/* v1 has no swap limit of its own: memory.memsw.limit_in_bytes limits
 * memory and swap together, and the kernel refuses it below the memory
 * limit at every moment. So memory.swap=SIZE is written as memory+SIZE;
 * and memory changes with the swap kept (memsw moves by as much), the
 * two written in the order that keeps memsw at or above memory in
 * between: memsw first when memory grows, memory first when it shrinks. */
static void set_v1_memory(const char *key, const char *path, long long bytes)
{
	char other[PATH_MAX + 32];

	if (strcmp(key, "memory.swap") == 0) {
		sibling(other, sizeof(other), path, "memory.limit_in_bytes");
		long long memory = read_number(other);
		if (memory == -1 && bytes != -1)
			die("on cgroup v1 swap is limited together with memory: set memory first (memory=SIZE)");
		/* memory+swap past what a number holds is no limit at all. */
		write_number(path, bytes == -1 || bytes > LLONG_MAX - memory ? -1 : memory + bytes);
		return;
	}
	sibling(other, sizeof(other), path, "memory.memsw.limit_in_bytes");
	long long old = read_number(path), total = access(other, F_OK) == 0 ? read_number(other) : -1;
	if (total == -1 || old == -1) {
		write_number(path, bytes);
		return;
	}
	long long sum = bytes == -1 || bytes > LLONG_MAX - (total - old) ? -1 : bytes + (total - old);
	if (bytes == -1 || bytes > old) {
		write_number(other, sum);
		write_number(path, bytes);
	} else {
		write_number(path, bytes);
		write_number(other, sum);
	}
}

/* cpu=CORES is a quota of CPU time per period: v2 has both in one file,
 * cpu.max "QUOTA PERIOD" ("max PERIOD" for no limit); v1 in two, and
 * cgset writes the period first, then the quota (-1 for no limit). The
 * value read back is quota/period, whatever period was set. */
static void set_cpu(const char *path, int v2, long long quota)
{
	char period[PATH_MAX + 32], max[64];

	if (v2) {
		if (quota == -1)
			snprintf(max, sizeof(max), "max %d", CPU_PERIOD);
		else
			snprintf(max, sizeof(max), "%lld %d", quota, CPU_PERIOD);
		write_value(path, max);
		return;
	}
	sibling(period, sizeof(period), path, "cpu.cfs_period_us");
	write_number(period, CPU_PERIOD);
	write_number(path, quota);
}

static void print_cpu(const char *path, int v2)
{
	char buf[4096], period_path[PATH_MAX + 32];
	long long quota, period;

	if (v2) {
		read_text(path, buf, sizeof(buf));
		quota = strncmp(buf, "max", 3) == 0 ? -1 : strtoll(buf, NULL, 10);
		period = strtoll(buf + strcspn(buf, " "), NULL, 10);
	} else {
		sibling(period_path, sizeof(period_path), path, "cpu.cfs_period_us");
		quota = read_number(path);
		period = read_number(period_path);
	}
	quota == -1 || period <= 0 ? printf("max\n") : printf("%g\n", (double)quota / (double)period);
}

/* Writes a portable key's value, n as check_value returned it and value
 * as given, to its file on this layout, path. */
static void set_value(const struct key *k, const char *path, int v2, long long n, const char *value)
{
	if (strcmp(k->name, "memory.swap") == 0 && access(path, F_OK) == -1)
		die(v2 ? "this kernel has no swap control (%s is missing)"
		       : "this kernel does not account swap (%s is missing; boot with swapaccount=1)", path);
	if (k->kind == SIZE && !v2)
		set_v1_memory(k->name, path, n);
	else if (k->kind == CORES)
		set_cpu(path, v2, n);
	else if (k->kind == WEIGHT)
		write_number(path, v2 ? n : weight_to_shares(n));
	else if (k->kind == CPUS)
		write_value(path, value);
	else
		n == -1 ? write_value(path, "max") : write_number(path, n);
}

/* Prints a portable key's value from its file, path, in the units set takes. */
static void print_value(const struct key *k, const char *path, int v2)
{
	char buf[4096], limit[PATH_MAX + 32];
	long long n;

	if (k->kind == CORES) {
		print_cpu(path, v2);
	} else if (k->kind == CPUS) {
		read_text(path, buf, sizeof(buf));
		fputs(buf, stdout);
	} else if (k->kind == WEIGHT) {
		n = read_number(path);
		printf("%lld\n", v2 ? n : shares_to_weight(n));
	} else if (strcmp(k->name, "memory.swap") == 0 && !v2) { /* memsw: memory+swap */
		sibling(limit, sizeof(limit), path, "memory.limit_in_bytes");
		long long memory = read_number(limit), total = read_number(path);
		memory == -1 || total == -1 ? printf("max\n") : printf("%lld\n", total - memory);
	} else {
		n = read_number(path);
		n == -1 ? printf("max\n") : printf("%lld\n", n);
	}
}

/* The row of a portable key, NULL for any other key; dies if the
 * machine lacks the key's controller. */
static const struct key *portable(const char *name)
{
	for (size_t i = 0; i < LEN(keys); i++) {
		if (strcmp(name, keys[i].name) != 0)
			continue;
		if (!home_of(keys[i].controller))
			die("this machine has no %s controller (see cgset info)", keys[i].controller);
		return &keys[i];
	}
	return NULL;
}

/* The key's file of the group, in its controller's hierarchy; returns
 * whether that hierarchy is v2. Dies if the group is not in it. */
static int key_file(char *buf, size_t size, const char *name, const struct key *k)
{
	const struct hierarchy *h = home_of(k->controller);
	char dir[PATH_MAX];

	if (!h)
		die("this machine has no %s controller (see cgset info)", k->controller);
	group_path(dir, sizeof(dir), h, name, NULL);
	if (!is_dir(dir))
		die("group '%s' is not in the %s hierarchy: %s is missing (cgset create %s)", name, k->controller, dir,
		    name);
	group_path(buf, size, h, name, k->file[h->version == 2]);
	return h->version == 2;
}

/* Could key be the name of a group's file? File names have a dot
 * (memory.max); v1's "tasks" is the one that has none. */
static int file_like(const char *key)
{
	return !strchr(key, '/') && key[0] != '.' && (strchr(key, '.') || strcmp(key, "tasks") == 0);
}

/* A raw key: a file of the group, in whichever hierarchy has it. */
static int raw_file(char *buf, size_t size, const char *name, const char *key)
{
	if (!file_like(key))
		return 0;
	for (size_t i = 0; i < nhier; i++) {
		group_path(buf, size, &hier[i], name, key);
		if (holds_groups(&hier[i]) && access(buf, F_OK) == 0)
			return 1;
	}
	return 0;
}

/* Checks KEY=VALUE without writing anything; dies on a bad one. Until
 * the group is made (create checks before it makes it), a raw key is
 * only checked to look like a file name. */
static void check_setting(const char *name, char *setting, int group_made)
{
	char *eq = strchr(setting, '='), path[PATH_MAX];

	if (!eq || eq == setting)
		die_usage("'%s' is not KEY=VALUE", setting);
	*eq = '\0';
	const char *key = setting, *value = eq + 1;
	const struct key *k = portable(key);
	/* The files that move a process (or a thread) into a group: written
	 * raw they move it in one hierarchy only, and any pid goes, 1 too. */
	int moves = strcmp(key, "cgroup.procs") == 0 || strcmp(key, "cgroup.threads") == 0 || strcmp(key, "tasks") == 0;
	if (k)
		check_value(k, value);
	else if (moves && !force)
		die_usage("%s moves a process in one hierarchy only: use cgset add %s PID (or --force to write it)",
			  key, name);
	else if (group_made ? !raw_file(path, sizeof(path), name, key) : !file_like(key))
		die_usage("unknown key '%s' (%s, such as %s)", key, keys_help,
			  home_of("memory") && home_of("memory")->version == 1 ? "memory.limit_in_bytes" : "memory.max");
	*eq = '=';
}

/* Checks every KEY=VALUE, then writes them: a bad one changes nothing. */
static void apply_settings(const char *name, int n, char *settings[])
{
	char path[PATH_MAX];

	for (int i = 0; i < n; i++)
		check_setting(name, settings[i], 1);
	/* memory before memory.swap: on v1 the swap limit is counted from it. */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n; i++) {
			char *eq = strchr(settings[i], '=');
			if ((strncmp(settings[i], "memory.swap=", 12) == 0) != pass)
				continue;
			*eq = '\0';
			const struct key *k = portable(settings[i]);
			if (k) {
				int v2 = key_file(path, sizeof(path), name, k);
				set_value(k, path, v2, check_value(k, eq + 1), eq + 1);
			} else {
				raw_file(path, sizeof(path), name, settings[i]);
				write_value(path, eq + 1);
			}
			*eq = '=';
		}
}

static void set(const char *name, int n, char *settings[])
{
	if (n == 0)
		die_usage("give at least one KEY=VALUE");
	need_group(name);
	apply_settings(name, n, settings);
}

static void get(const char *name, const char *key)
{
	char path[PATH_MAX], buf[4096];

	need_group(name);
	const struct key *k = portable(key);
	if (k) {
		int v2 = key_file(path, sizeof(path), name, k);
		print_value(k, path, v2);
	} else if (raw_file(path, sizeof(path), name, key)) {
		read_text(path, buf, sizeof(buf));
		fputs(buf, stdout);
	} else {
		die_usage("unknown key '%s' (%s)", key, keys_help);
	}
}

/* ---- create ---- */

/* What this run made, undone if it fails: directories, and controllers
 * it enabled in a v2 parent's cgroup.subtree_control. */
static char made[64][PATH_MAX];
static size_t nmade;
static struct {
	char file[PATH_MAX + 32], controllers[128];
} enabled[32];
static size_t nenabled;
/* Set when what was made is to stay: at the end of the create command.
 * exec -c never sets it: either execve succeeds, and no exit handler
 * runs at all, or it fails, cgset exits, and the group goes again. */
static int created;

static void undo_create(void)
{
	while (!created && nmade > 0) {
		const char *dir = made[--nmade];
		trace(rmdir(dir), "rmdir(%s)", quote(dir));
	}
	while (!created && nenabled > 0) {
		char *off = enabled[--nenabled].controllers;
		for (char *c = off; (c = strchr(c, '+')); c++)
			*c = '-';
		write_file(enabled[nenabled].file, off);
	}
}

/* v2: a parent hands a controller to its children by writing "+NAME" to
 * its cgroup.subtree_control, and may only hand on what it has itself;
 * so every level from the root down does it, before its child is made. */
static void enable_controllers(const struct hierarchy *u, const char *parent)
{
	char file[PATH_MAX + 32], have[256], missing[128] = "";

	snprintf(file, sizeof(file), "%s/cgroup.subtree_control", parent);
	read_text(file, have, sizeof(have));
	for (size_t i = 0; i < LEN(managed); i++)
		if (home_of(managed[i]) == u && !has_word(have, managed[i]))
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s+%s",
				 *missing ? " " : "", managed[i]);
	if (!*missing)
		return;
	if (write_file(file, missing) == -1)
		die_errno_hint(errno == EBUSY ? "a v2 group with processes in it cannot hand controllers to its "
						"children: move them out first"
					      : NULL,
			       "cannot enable %s in %s", missing, file);
	if (nenabled < LEN(enabled)) {
		snprintf(enabled[nenabled].file, sizeof(enabled[0].file), "%s", file);
		snprintf(enabled[nenabled++].controllers, sizeof(enabled[0].controllers), "%s", missing);
	}
}

/* Makes dir, one level of the group in h, below parent. */
static void make_level(const struct hierarchy *h, const char *parent, const char *dir)
{
	char from[PATH_MAX + 32], to[PATH_MAX + 32], value[4096];

	int r = mkdir(dir, 0755);
	if (r == 0 || errno != EEXIST)
		trace(r, "mkdir(%s, 0755)", quote(dir));
	if (r == -1 && errno != EEXIST)
		die_errno_hint(errno == EACCES || errno == EPERM ? "run as root" : NULL, "cannot make %s", dir);
	if (r == -1 && !is_dir(dir))
		die("%s exists and is not a directory", dir);
	if (r == 0 && nmade < LEN(made))
		snprintf(made[nmade++], sizeof(made[0]), "%s", dir);
	/* A new v1 cpuset has no CPUs and no memory nodes, and no process
	 * may join it until it has: copy the parent's. */
	for (int i = 0; r == 0 && h->version == 1 && has_word(h->controllers, "cpuset") && i < 2; i++) {
		const char *file = i == 0 ? "cpuset.cpus" : "cpuset.mems";
		snprintf(from, sizeof(from), "%s/%s", parent, file);
		snprintf(to, sizeof(to), "%s/%s", dir, file);
		read_text(from, value, sizeof(value));
		value[strcspn(value, "\n")] = '\0';
		if (write_file(to, value) == -1)
			die_errno("cannot write %s", to);
	}
}

/* Makes the group, then writes the settings as set would. */
static void create(const char *name, int n, char *settings[])
{
	char parent[PATH_MAX], dir[PATH_MAX];
	int any = 0;

	/* The settings first, before anything is made: a bad key or value
	 * changes nothing. A raw key (a file of the group) can only be
	 * looked for once the group is there: apply_settings does that. */
	for (int i = 0; i < n; i++)
		check_setting(name, settings[i], 0);
	/* A SIGTERM or a Ctrl-C half way must not leave half a group: the
	 * signal is only noted, and the next check_stop() exits, which runs
	 * undo_create. */
	catch_stop_signals();
	atexit(undo_create);
	/* A create and a delete of one group at once could interleave,
	 * hierarchy by hierarchy (create makes memory/G, delete removes it,
	 * create goes on to pids/G), and leave the group in some hierarchies
	 * only, both saying they succeeded. So both take one lock, held to
	 * exit: the undo of a failed create runs under it too. */
	lock_run_file("ctrkit-cgset.lock");
	for (size_t i = 0; i < nhier; i++) {
		const struct hierarchy *h = &hier[i];
		if (!holds_groups(h))
			continue;
		any = 1;
		/* Each level of a nested name ("ws/c1"), from the top. */
		memcpy(parent, h->mount, sizeof(parent));
		for (const char *p = name; *p;) {
			size_t n = strcspn(p, "/");
			check_stop();
			if (h->version == 2)
				enable_controllers(h, parent);
			if (snprintf(dir, sizeof(dir), "%s/%.*s", parent, (int)n, p) >= (int)sizeof(dir))
				die("%s/%s: path too long", h->mount, name);
			make_level(h, parent, dir);
			snprintf(parent, sizeof(parent), "%s", dir);
			p += n + (p[n] == '/');
		}
	}
	if (!any)
		die("no cgroup hierarchy holds memory, pids, cpu or cpuset here (see cgset info)");
	/* The settings are part of the create: if one fails (a raw key the
	 * group has no file for, a value the kernel refuses), cgset dies and
	 * undo_create removes what this run made. A group that was there
	 * before is not this run's to remove: it stays, as after a failed set. */
	apply_settings(name, n, settings);
	check_stop();
}

/* ---- processes: add, exec, ps ---- */

/* dir and, with deep, every directory below it, children first: the
 * order rmdir needs. */
static void subtree(const char *dir, int deep, char ***dirs, size_t *n)
{
	DIR *d = deep ? opendir(dir) : NULL;
	struct dirent *e;
	char path[PATH_MAX];

	while (d && (e = readdir(d)))
		if (e->d_type == DT_DIR && e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			subtree(path, deep, dirs, n);
		}
	if (d)
		closedir(d);
	*dirs = erealloc(*dirs, (*n + 1) * sizeof(**dirs));
	(*dirs)[(*n)++] = estrdup(dir);
}

static int by_pid(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

/* The pids in cgroup.procs of the group and (with deep) of every group
 * below it, in every hierarchy, each once, sorted. */
static size_t group_procs(const char *name, int deep, pid_t **pids)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], **dirs = NULL;
	size_t ndirs = 0, n = 0, unique = 0;
	int pid;
	FILE *f;

	for (size_t i = 0; i < nhier; i++) {
		group_path(dir, sizeof(dir), &hier[i], name, NULL);
		if (holds_groups(&hier[i]) && is_dir(dir))
			subtree(dir, deep, &dirs, &ndirs);
	}
	*pids = NULL;
	for (size_t d = 0; d < ndirs; d++) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", dirs[d]);
		int flags = O_RDONLY | O_CLOEXEC, fd = open(path, flags);
		trace(fd, "openat(AT_FDCWD, %s, %s)", quote(path), open_flags_str(flags));
		if (fd != -1 && (f = fdopen(fd, "r"))) {
			while (fscanf(f, "%d", &pid) == 1) {
				*pids = erealloc(*pids, (n + 1) * sizeof(**pids));
				(*pids)[n++] = pid;
			}
			fclose(f);
		}
		free(dirs[d]);
	}
	free(dirs);
	if (n)
		qsort(*pids, n, sizeof(**pids), by_pid);
	for (size_t i = 0; i < n; i++)
		if (!unique || (*pids)[unique - 1] != (*pids)[i])
			(*pids)[unique++] = (*pids)[i];
	return unique;
}

/* Where /proc/PID/cgroup (text, "ID:CONTROLLERS:PATH" lines) puts the
 * process in hierarchy h, as a path below h's mount; NULL if nowhere. */
static const char *cgroup_in(const char *text, const struct hierarchy *h, char *buf, size_t size)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *c = strchr(l, ':'), *p = c ? strchr(c + 1, ':') : NULL;
		size_t n = p ? (size_t)(p - c - 1) : 0;
		if (!p || (h->version == 2 && n != 0) ||
		    (h->version == 1 && (n != strlen(h->controllers) || strncmp(c + 1, h->controllers, n) != 0)))
			continue;
		snprintf(buf, size, "%.*s", (int)strcspn(p + 1, "\n"), p + 1);
		return buf;
	}
	return NULL;
}

/* What add() did, to undo it: the pid it moved, its /proc/PID/cgroup
 * from before, and the hierarchies it has moved it in so far. */
static pid_t moved_pid;
static char moved_from[4096];
static size_t moved[LEN(hier)], nmoved;

/* Puts the pid add() moved back where it was, last hierarchy first. */
static void move_back(void)
{
	char was[PATH_MAX], back[PATH_MAX * 2 + 16], value[32];

	snprintf(value, sizeof(value), "%d", (int)moved_pid);
	while (nmoved > 0) {
		const struct hierarchy *h = &hier[moved[--nmoved]];
		if (cgroup_in(moved_from, h, was, sizeof(was))) {
			snprintf(back, sizeof(back), "%s%s/cgroup.procs", h->mount, strcmp(was, "/") ? was : "");
			write_file(back, value);
		}
	}
}

/* Moves pid into the group in every hierarchy. If one refuses, the
 * ones already done are put back where /proc/PID/cgroup had it. */
static void add(const char *name, pid_t pid)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], value[32];

	need_group(name);
	moved_pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	read_text(path, moved_from, sizeof(moved_from));
	snprintf(value, sizeof(value), "%d", (int)pid);
	for (size_t i = 0; i < nhier; i++) {
		group_path(dir, sizeof(dir), &hier[i], name, NULL);
		if (!holds_groups(&hier[i]) || !is_dir(dir))
			continue;
		snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
		if (write_file(path, value) == 0) {
			moved[nmoved++] = i;
			continue;
		}
		int err = errno;
		move_back();
		errno = err;
		die_errno_hint(err == ESRCH ? "the process is gone"
			       : err == EBUSY ? "on v2 a process may only join a group that hands no controller "
						"to groups below it"
					      : NULL,
			       "cannot move %d into %s", (int)pid, dir);
	}
}

/* exec's words after NAME: "KEY=VALUE... --", then the command. They
 * are settings only if the first is KEY=VALUE and a "--" ends them, so
 * "exec g cmd args" and "exec g -- cmd" mean what they always did, a
 * "--" among cmd's own arguments too. Returns how many; *command is
 * where the command begins. */
static int split_settings(int n, char *words[], char ***command)
{
	int end = 0;

	*command = words;
	if (n > 0 && strcmp(words[0], "--") == 0) {
		*command = words + 1;
		return 0;
	}
	if (n == 0 || !strchr(words[0], '='))
		return 0;
	while (end < n && strcmp(words[end], "--") != 0)
		end++;
	if (end == n)
		return 0; /* no "--": all of it is the command, as it always was */
	*command = words + end + 1;
	return end;
}

/* Runs argv in the group; with make, the group is made first, as the
 * create command makes it. A runtime's container starts this way, in one
 * process: a bad setting or a missing command changes nothing, and once
 * the command runs the group is the caller's, to delete when it ends. */
static noreturn void exec_in_group(const char *name, int make, int n, char *settings[], char *argv[])
{
	char *path, **command;

	/* Usage errors first: a bad KEY=VALUE, before the command is looked
	 * for (a raw key is looked for once the group is there). */
	for (int i = 0; i < n; i++)
		check_setting(name, settings[i], 0);
	/* Find the command next, before anything is made or moved: a
	 * missing one changes nothing. */
	command = command_or_shell(argv, &path);
	if (make) {
		create(name, n, settings);
		/* If the command cannot be run after all (execve fails on a file
		 * that is not executable), cgset exits, and the exit handlers run
		 * last registered first: move_back, since the kernel will not
		 * remove a group with a process in it, then undo_create. A
		 * successful execve runs no exit handler: the group stays. */
		atexit(move_back);
	} else if (n > 0) {
		set(name, n, settings);
	}
	/* Join the group, so that the command and all it starts are in. */
	add(name, getpid());
	/* A SIGTERM during the create or the join: undo, rather than run
	 * the command (after execve the signal would be lost, as the
	 * handler that noted it is gone). */
	check_stop();
	exec_command(path, command);
}

static void ps(const char *name)
{
	static const struct table_column cols[] = { { "PID", 1, 7 }, { "COMMAND", 0, 0 } };
	struct table t;
	pid_t *pids;
	size_t n;

	need_group(name);
	n = group_procs(name, 0, &pids);
	table_init(&t, cols, LEN(cols));
	for (size_t i = 0; i < n; i++) {
		char path[64], pid[16], cmd[4096];
		snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pids[i]);
		ssize_t len = read_file(path, cmd, sizeof(cmd));
		if (len <= 0) { /* a kernel thread, or a zombie: its comm */
			snprintf(path, sizeof(path), "/proc/%d/comm", (int)pids[i]);
			len = read_file(path, cmd + 1, sizeof(cmd) - 2);
			cmd[0] = '[';
			snprintf(cmd + (len > 0 ? len : 1), sizeof(cmd) - (size_t)(len > 0 ? len : 1), "]");
		} else {
			for (ssize_t j = 0; j < len - 1; j++)
				if (!cmd[j])
					cmd[j] = ' ';
		}
		snprintf(pid, sizeof(pid), "%d", (int)pids[i]);
		table_add_row(&t, (const char *[]){ pid, cmd });
	}
	table_print(&t, 1, 0);
	free(pids);
}

/* ---- stat ---- */

/* Where stat finds a value: the controller whose hierarchy has the
 * file, the file, and either the file's one number (field NULL) or the
 * number after "FIELD " on one of its lines; divided by per. */
struct source {
	const char *controller, *file, *field;
	int per;
};

/* What stat shows, one row each, from its file on v1 and on v2; the
 * layout is that of the hierarchy of the v2 source's controller. */
static const struct stat_row {
	const char *name;
	struct source on[2]; /* on[0] v1, on[1] v2 */
} stat_rows[] = {
	{ "memory.current", { { "memory", "memory.usage_in_bytes", NULL, 1 }, { "memory", "memory.current", NULL, 1 } } },
	{ "memory.peak", { { "memory", "memory.max_usage_in_bytes", NULL, 1 }, { "memory", "memory.peak", NULL, 1 } } },
	{ "memory.limit", { { "memory", "memory.limit_in_bytes", NULL, 1 }, { "memory", "memory.max", NULL, 1 } } },
	{ "memory.oom_kills",
	  { { "memory", "memory.oom_control", "oom_kill", 1 }, { "memory", "memory.events", "oom_kill", 1 } } },
	{ "pids.current", { { "pids", "pids.current", NULL, 1 }, { "pids", "pids.current", NULL, 1 } } },
	{ "pids.max", { { "pids", "pids.max", NULL, 1 }, { "pids", "pids.max", NULL, 1 } } },
	{ "pids.refused", { { "pids", "pids.events", "max", 1 }, { "pids", "pids.events", "max", 1 } } },
	{ "cpu.usage_us", { { "cpuacct", "cpuacct.usage", NULL, 1000 }, { "cpu", "cpu.stat", "usage_usec", 1 } } },
	{ "cpu.throttled_us",
	  { { "cpu", "cpu.stat", "throttled_time", 1000 }, { "cpu", "cpu.stat", "throttled_usec", 1 } } },
	{ "cpu.nr_throttled", { { "cpu", "cpu.stat", "nr_throttled", 1 }, { "cpu", "cpu.stat", "nr_throttled", 1 } } },
};

/* The number after "key " in a file of "key value" lines; -2 if none. */
static long long field(const char *path, const char *key)
{
	char buf[4096];
	size_t n = strlen(key);

	if (read_file(path, buf, sizeof(buf)) == -1)
		return -2;
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, key, n) == 0 && l[n] == ' ')
			return strtoll(l + n + 1, NULL, 10);
	return -2;
}

/* A row's value: -1 for no limit, -2 if the machine does not have it. */
static long long stat_value(const char *name, const struct stat_row *row)
{
	const struct hierarchy *h = home_of(row->on[1].controller);
	const struct source *s = &row->on[h && h->version == 2];
	char path[PATH_MAX];

	if (!(h = home_of(s->controller)))
		return -2;
	group_path(path, sizeof(path), h, name, s->file);
	long long n = s->field ? field(path, s->field) : access(path, F_OK) == 0 ? read_number(path) : -2;
	return n < 0 ? n : n / s->per;
}

/* -J: { "group": NAME, "memory": { "current": N, ... }, ... }, from the
 * rows' names; no limit is "max", a value the machine lacks null. */
static void print_stat_json(const char *name, const long long values[])
{
	struct json_object *top = json_object_new_object(), *group;
	char prefix[32];

	json_object_object_add(top, "group", json_object_new_string(name));
	for (size_t i = 0; i < LEN(stat_rows); i++) {
		const char *row = stat_rows[i].name, *dot = strchr(row, '.');
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(dot - row), row);
		if (!(group = json_object_object_get(top, prefix)))
			json_object_object_add(top, prefix, group = json_object_new_object());
		json_object_object_add(group, dot + 1,
				       values[i] == -2 ? NULL
				       : values[i] == -1 ? json_object_new_string("max")
							 : json_object_new_int64(values[i]));
	}
	puts(json_object_to_json_string_ext(top, JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(top);
}

static void stat_group(const char *name, int json)
{
	static const struct table_column cols[] = { { "KEY", 0, 18 }, { "VALUE", 0, 0 } };
	long long values[LEN(stat_rows)];
	struct table t;

	need_group(name);
	for (size_t i = 0; i < LEN(stat_rows); i++)
		values[i] = stat_value(name, &stat_rows[i]);
	if (json) {
		print_stat_json(name, values);
		return;
	}
	table_init(&t, cols, LEN(cols));
	for (size_t i = 0; i < LEN(stat_rows); i++) {
		char value[32];
		snprintf(value, sizeof(value), "%lld", values[i]);
		table_add_row(&t, (const char *[]){ stat_rows[i].name,
						    values[i] == -2 ? "-" : values[i] == -1 ? "max" : value });
	}
	table_print(&t, 0, 0);
}

/* ---- delete ---- */

/* Kills every process in the group and below. v2 has cgroup.kill (Linux
 * 5.14). On v1 a process could fork while we kill the others, so the
 * group is frozen first, killed, then thawed so the kills take effect. */
static void kill_group(const char *name)
{
	char path[PATH_MAX], state[64];
	const struct hierarchy *u = unified(), *fz = home_of("freezer");
	int frozen = 0;
	pid_t *pids;
	size_t n;

	if (u && holds_groups(u)) {
		group_path(path, sizeof(path), u, name, "cgroup.kill");
		if (access(path, F_OK) == 0) {
			write_value(path, "1");
			return;
		}
	}
	if (fz && fz->version == 1) {
		group_path(path, sizeof(path), fz, name, "freezer.state");
		if (access(path, F_OK) == 0) {
			write_value(path, "FROZEN");
			for (int i = 0; i < 100 && !frozen; i++) {
				frozen = read_file(path, state, sizeof(state)) > 0 && strncmp(state, "FROZEN", 6) == 0;
				if (!frozen)
					usleep(10000);
			}
		}
	}
	for (int round = 0; round < 10; round++) {
		n = group_procs(name, 1, &pids);
		for (size_t i = 0; i < n; i++)
			trace(kill(pids[i], SIGKILL), "kill(%d, SIGKILL)", (int)pids[i]);
		free(pids);
		if (!n || frozen)
			break;
		usleep(10000);
	}
	if (fz && fz->version == 1 && access(path, F_OK) == 0)
		write_value(path, "THAWED");
}

/* Removes dir and every group below it, children first. A killed
 * process leaves its group when it has exited: until then rmdir says
 * EBUSY. Wait for that, up to 10 s. */
static void remove_subtree(const char *dir)
{
	char **dirs = NULL;
	size_t ndirs = 0;

	subtree(dir, 1, &dirs, &ndirs);
	for (size_t d = 0; d < ndirs; d++) {
		int r;
		for (int tries = 0; (r = rmdir(dirs[d])) == -1 && errno == EBUSY && tries < 1000; tries++)
			usleep(10000);
		trace(r, "rmdir(%s)", quote(dirs[d]));
		if (r == -1 && errno != ENOENT)
			die_errno_hint(errno == EBUSY ? "processes are still in it" : NULL, "cannot remove %s", dirs[d]);
		free(dirs[d]);
	}
	free(dirs);
}

/* delete -p: each parent of the group in h in turn (a/b/c: a/b, then
 * a), for as long as rmdir(2) takes it. The kernel removes a group only
 * if no process and no group is in it, else says EBUSY: so rmdir is the
 * test for "empty", with no gap between looking and removing in which
 * another runtime could make a group beside ours. A busy parent is in
 * use and a missing one is gone already: either ends the walk, quietly. */
static void remove_parents(const struct hierarchy *h, const char *name)
{
	char parent[PATH_MAX], dir[PATH_MAX];

	snprintf(parent, sizeof(parent), "%s", name);
	for (char *slash; (slash = strrchr(parent, '/'));) {
		*slash = '\0';
		group_path(dir, sizeof(dir), h, parent, NULL);
		int r = rmdir(dir);
		trace(r, "rmdir(%s)", quote(dir));
		if (r == -1 && (errno == EBUSY || errno == ENOTEMPTY || errno == ENOENT))
			return;
		if (r == -1)
			die_errno("cannot remove %s", dir);
	}
}

static void delete(const char *name, int kill_first, int parents)
{
	char dir[PATH_MAX], list[128] = "";
	pid_t *pids;

	lock_run_file("ctrkit-cgset.lock"); /* see create() */
	size_t n = group_procs(name, 1, &pids);
	for (size_t i = 0; i < n && strlen(list) < 100; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%d", i ? " " : "", (int)pids[i]);
	free(pids);
	if (n && !kill_first)
		die("group '%s' has %zu process%s in it (%s%s): stop them, or delete -k to kill them", name, n,
		    n == 1 ? "" : "es", list, strlen(list) >= 100 ? " ..." : "");
	if (n)
		kill_group(name);

	for (size_t i = 0; i < nhier; i++) {
		if (!holds_groups(&hier[i]))
			continue;
		group_path(dir, sizeof(dir), &hier[i], name, NULL);
		if (is_dir(dir))
			remove_subtree(dir);
		else
			trace_line("%s: no such group, nothing to remove", dir);
		/* Even when the group was gone: a delete cut short is finished
		 * by running it again, parents too. */
		if (parents)
			remove_parents(&hier[i], name);
	}
}


static int json, kill_first, parents, create_first;

/* Options may come before the command and after it (cgset -v stat -J g);
 * parsing stops at the first other word, so exec's command keeps its own. */
static void parse_options(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "kill", no_argument, NULL, 'k' },
		{ "parents", no_argument, NULL, 'p' },
		{ "create", no_argument, NULL, 'c' },
		{ "force", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "+:Jkpcfvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'J': json = 1; break;
		case 'k': kill_first = 1; break;
		case 'p': parents = 1; break;
		case 'c': create_first = 1; break;
		case 'f': force = 1; break;
		case 'v': verbose = 1; break;
		case 'h': print_help(help);
		case OPT_VERSION: print_version();
		default: bad_option(argv, c);
		}
	}
}

int main(int argc, char *argv[])
{
	static const struct {
		const char *name;
		int min, max; /* how many words follow the command */
		const char *args;
	} commands[] = {
		{ "info", 0, 0, "no argument" }, { "create", 1, INT_MAX, "NAME [KEY=VALUE...]" },
		{ "set", 2, INT_MAX, "NAME KEY=VALUE..." }, { "get", 2, 2, "NAME KEY" },
		{ "add", 2, 2, "NAME PID" }, { "exec", 1, INT_MAX, "NAME [KEY=VALUE...] [--] [command...]" },
		{ "ps", 1, 1, "NAME" }, { "stat", 1, 1, "NAME" }, { "delete", 1, 1, "NAME" },
	};

	progname = "cgset";
	opterr = 0;
	parse_options(argc, argv);
	if (optind >= argc)
		die_usage("give a command: info, create, set, get, add, exec, ps, stat or delete");
	const char *cmd = argv[optind];
	size_t k;
	for (k = 0; k < LEN(commands) && strcmp(cmd, commands[k].name) != 0; k++)
		;
	if (k == LEN(commands))
		die_usage("unknown command '%s'", cmd);
	/* The command's own words: parsed again as if it were the program. */
	argc -= optind;
	argv += optind;
	optind = 0;
	parse_options(argc, argv);
	char **args = argv + optind;
	int nargs = argc - optind;
	if (nargs < commands[k].min || nargs > commands[k].max)
		die_usage("%s takes %s", cmd, commands[k].args);
	if (json && strcmp(cmd, "stat") != 0)
		die_usage("-J is for stat only");
	if ((kill_first || parents) && strcmp(cmd, "delete") != 0)
		die_usage("%s is for delete only", kill_first ? "-k" : "-p");
	if (create_first && strcmp(cmd, "exec") != 0)
		die_usage("-c is for exec only");
	if (force && strcmp(cmd, "set") != 0 && strcmp(cmd, "add") != 0)
		die_usage("--force is for set and add only");
	if (nargs > 0)
		check_name(args[0]);
	pid_t pid = strcmp(cmd, "add") == 0 ? parse_pid(args[1]) : 0;
	/* Every process inherits its group from its parent: pid 1 moved, the
	 * services it starts from then on are under the group's limits. */
	if (pid == 1 && !force)
		die("refusing to move pid 1, the init of this machine (or pid namespace), and all it starts "
		    "from then on (--force to move it anyway)");

	find_hierarchies(getenv("CTRKIT_CGROUP_ROOT"));
	if (!nhier)
		die("no cgroup filesystem is mounted (see mount -t cgroup2)");

	if (strcmp(cmd, "info") == 0) {
		info();
	} else if (strcmp(cmd, "create") == 0) {
		create(args[0], nargs - 1, args + 1);
		created = 1; /* done: undo_create leaves the group */
	} else if (strcmp(cmd, "set") == 0) {
		set(args[0], nargs - 1, args + 1);
	} else if (strcmp(cmd, "get") == 0) {
		get(args[0], args[1]);
	} else if (strcmp(cmd, "add") == 0) {
		add(args[0], pid);
	} else if (strcmp(cmd, "exec") == 0) {
		char **command;
		int n = split_settings(nargs - 1, args + 1, &command);
		exec_in_group(args[0], create_first, n, args + 1, command);
	} else if (strcmp(cmd, "ps") == 0) {
		ps(args[0]);
	} else if (strcmp(cmd, "stat") == 0) {
		stat_group(args[0], json);
	} else {
		delete(args[0], kill_first, parents);
	}
	return 0;
}
