/* capdrop: choose the capabilities a command keeps, then run it.
 *
 * Root's power is cut into about forty capabilities (capabilities(7)),
 * and every process carries five sets of them:
 *   bounding     the most it, or anything it executes, can ever hold
 *   permitted    what it holds, and may raise into effective
 *   effective    what the kernel checks on each privileged call
 *   inheritable  what execve may pass to a program whose file asks for it
 *   ambient      what execve passes to any program, under any uid
 * A container runtime drops what the container should not have (Docker
 * keeps 14), then executes the container's command. libcap makes the
 * capability calls here; -v prints each call that changes the process,
 * in the syntax strace shows it with.
 *
 * The order: each step needs something the next one takes away.
 *   1. Bounding set: prctl(PR_CAPBSET_DROP) for each capability not
 *      kept. The kernel wants CAP_SETPCAP in effective for it, and step 3
 *      may drop CAP_SETPCAP: so first.
 *   2. User and groups: setgroups, setgid, setuid, between
 *      PR_SET_KEEPCAPS on and off. They need CAP_SETGID and CAP_SETUID,
 *      which step 3 may drop; and the groups go before the uid, since
 *      leaving uid 0 clears permitted, effective and ambient (keep-caps
 *      saves permitted only) and CAP_SETGID goes with them.
 *   3. capset: effective, permitted, inheritable. Drops what is not
 *      kept, and raises effective again after step 2 cleared it.
 *   4. Ambient: PR_CAP_AMBIENT_RAISE. The kernel holds a capability in
 *      ambient only while it is in permitted and inheritable (step 3 put
 *      it there), and step 2 would have cleared it: so after both.
 *   5. no_new_privs: execve grants nothing more from here on (no setuid
 *      bit, no file capabilities). It limits execve alone, so it could
 *      come anywhere; it comes last, beside the execve it is for.
 *   6. execve: the kernel makes the command's sets from ours (the rules
 *      are in capabilities(7)). As root the command gets the bounding
 *      set in permitted and effective, whatever our permitted was: that
 *      is why step 1 is the one that confines root. Under another uid only
 *      the ambient set comes through.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <linux/securebits.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ctrkit.h"

static const char help[] =
	"Usage: capdrop [options] [--] command [argument...]\n"
	"Drop capabilities from this process's sets with libcap, optionally\n"
	"become another user keeping the ones left, then run the command.\n"
	"\n"
	"      --docker          keep only Docker's 14 default capabilities\n"
	"      --keep=LIST       keep only these capabilities, drop every other\n"
	"      --drop=LIST       drop these capabilities, keep the rest\n"
	"      --ambient=LIST    raise these in the ambient set (they stay in the\n"
	"                        inheritable set too), so they outlive execve\n"
	"      --user=USER       become this user (name or number), keeping the\n"
	"                        capabilities; also its group, unless --group says\n"
	"      --group=GROUP     become this group (name or number); both clear the\n"
	"                        supplementary groups, unless --groups says\n"
	"      --groups=LIST     set the supplementary groups to LIST: names or\n"
	"                        numbers, separated by commas (empty: none); given\n"
	"                        again, it adds to the list\n"
	"      --no-new-privs    set no_new_privs: execve never grants more\n"
	"      --show[=PID]      print the sets after the changes (then run the\n"
	"                        command, if one is given), or those of process PID\n"
	"  -v, --verbose         print each call that changes the process on stderr\n"
	"  -h, --help            show this help\n"
	"      --version         show the version\n"
	"\n"
	"LIST: capability names as capsh writes them (cap_net_raw; also NET_RAW or\n"
	"CAP_NET_RAW), separated by commas, or all.\n";

enum { OPT_DOCKER = 256, OPT_KEEP, OPT_DROP, OPT_AMBIENT, OPT_USER, OPT_GROUP, OPT_GROUPS, OPT_NNP, OPT_SHOW, OPT_VERSION };

/* More than any kernel has (41 in Linux 6.18); a capability is an index. */
#define CAP_SLOTS 64

/* Docker's default set: moby's oci/caps/defaults.go, and the Docker
 * documentation, "Runtime privilege and Linux capabilities". */
static const cap_value_t docker_caps[] = {
	CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD,
	CAP_NET_RAW, CAP_SETGID, CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP,
	CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE,
};

static int ncaps; /* how many capabilities the kernel has: cap_max_bits() */

/* "cap_net_raw" for 13, as capsh writes it; a static buffer. */
static const char *cap_name(cap_value_t cap)
{
	static char buf[64];
	char *name = cap_to_name(cap);

	snprintf(buf, sizeof(buf), "%s", name ? name : "?");
	cap_free(name);
	return buf;
}

/* "CAP_NET_RAW" for 13, as strace prints it; a static buffer. */
static const char *cap_upper(cap_value_t cap)
{
	char *buf = (char *)cap_name(cap);

	for (char *p = buf; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return buf;
}

/* Marks in set[] each capability LIST names: "cap_chown,NET_RAW", or
 * "all". Returns whether it was "all"; dies (usage) on an empty list or
 * name, or one that neither libcap nor the kernel knows. */
static bool parse_caps(const char *opt, const char *list, bool set[CAP_SLOTS])
{
	if (!*list)
		die_usage("%s: the list is empty", opt);
	if (strcasecmp(list, "all") == 0) {
		for (int cap = 0; cap < ncaps; cap++)
			set[cap] = true;
		return true;
	}
	for (const char *p = list;; p++) {
		size_t len = strcspn(p, ",");
		char name[64];
		cap_value_t cap;

		if (len == 0 || len > 32)
			die_usage("%s: '%s' has an empty or overlong name", opt, list);
		/* capsh's spelling is cap_chown; take CHOWN and CAP_CHOWN too. */
		snprintf(name, sizeof(name), "%s%.*s",
			 strncasecmp(p, "cap_", 4) == 0 || strspn(p, "0123456789") == len ? "" : "cap_",
			 (int)len, p);
		for (char *c = name; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		if (cap_from_name(name, &cap) == -1)
			die_usage("%s: unknown capability '%.*s'", opt, (int)len, p);
		if (cap < 0 || cap >= ncaps)
			die_usage("%s: this kernel has no capability '%.*s'", opt, (int)len, p);
		set[cap] = true;
		p += len;
		if (!*p)
			break;
	}
	return false;
}

/* "1<<CAP_CHOWN|1<<CAP_KILL" for one flag of caps, as strace shows a
 * capset, or "0"; one of three static buffers in turn. */
static const char *flag_str(cap_t caps, cap_flag_t flag)
{
	static char bufs[3][2048];
	static int turn;
	char *buf = bufs[turn];
	size_t len = 0;

	turn = (turn + 1) % 3;
	buf[0] = '\0';
	for (int cap = 0; cap < ncaps; cap++) {
		cap_flag_value_t on;

		if (cap_get_flag(caps, cap, flag, &on) == 0 && on == CAP_SET)
			len += snprintf(buf + len, sizeof(bufs[0]) - len, "%s1<<%s", len ? "|" : "",
					cap_upper(cap));
	}
	return len ? buf : "0";
}

/* s as a decimal number up to max, or -1. */
static long long number(const char *s, long long max)
{
	long long n = parse_number(s);

	return n > max ? -1 : n;
}

/* A uid from a number or a name, and that user's group (*gid) when
 * /etc/passwd lists the user; *gid is left as it is otherwise. Read
 * with fgetpwent(3), not getpwnam(3) as lib's parse_uid: this file is
 * linked statically, and a static glibc cannot load the NSS modules the
 * host's nsswitch.conf may name (systemd's): it crashes. The file is
 * also what a container's image has. Dies (usage) on an unknown name. */
static uid_t user_id(const char *s, gid_t *gid)
{
	long long n = number(s, UINT_MAX - 1);
	struct passwd *pw = NULL;
	FILE *f = fopen("/etc/passwd", "re");

	while (f && (pw = fgetpwent(f)))
		if (n >= 0 ? pw->pw_uid == (uid_t)n : strcmp(pw->pw_name, s) == 0)
			break;
	uid_t uid = pw ? pw->pw_uid : (uid_t)n;
	if (pw)
		*gid = pw->pw_gid;
	if (f)
		fclose(f);
	if (!pw && n < 0)
		die_usage("--user: no such user '%s'", s);
	return uid;
}

/* The same for a group, from /etc/group, for option opt. Dies (usage)
 * on an unknown name, or a number past the last gid: (gid_t)-1 is no
 * gid, it means "leave as is" to setresgid(2). */
static gid_t group_id(const char *opt, const char *s)
{
	long long n = number(s, UINT_MAX - 1);
	struct group *gr = NULL;

	if (n >= 0)
		return (gid_t)n;
	if (*s && strspn(s, "0123456789") == strlen(s))
		die_usage("%s: group number '%s' is out of range (0 to %u)", opt, s, UINT_MAX - 1);
	FILE *f = fopen("/etc/group", "re");
	while (f && (gr = fgetgrent(f)) && strcmp(gr->gr_name, s) != 0)
		;
	gid_t gid = gr ? gr->gr_gid : 0;
	if (f)
		fclose(f);
	if (!gr)
		die_usage("%s: no such group '%s'", opt, s);
	return gid;
}

/* Appends to groups (*n of them so far) each group LIST names, "10,wheel",
 * and returns the grown array; an empty LIST adds none. Dies (usage) on
 * an empty or unknown name, a number out of range, or more groups than
 * the kernel takes (NGROUPS_MAX): all before the first change. */
static gid_t *add_groups(const char *list, gid_t *groups, int *n)
{
	long max = sysconf(_SC_NGROUPS_MAX);
	char *copy = estrdup(list), *rest = copy, *name;

	if (max <= 0)
		max = NGROUPS_MAX;
	while (*list && (name = strsep(&rest, ","))) {
		if (!*name)
			die_usage("--groups: '%s' has an empty name", list);
		if (*n >= max)
			die_usage("--groups: more than %ld groups (the kernel's NGROUPS_MAX)", max);
		if (!groups) /* room for all */
			groups = erealloc(NULL, (size_t)max * sizeof(*groups));
		groups[(*n)++] = group_id("--groups", name);
	}
	free(copy);
	return groups;
}

/* "[10, 20]" for a group list, as strace shows it (its first 32 and
 * "...", by default), or "NULL"; a static buffer. */
static const char *groups_str(const gid_t *groups, int n)
{
	static char buf[512];
	size_t len = 0;

	if (!groups)
		return "NULL";
	len += snprintf(buf, sizeof(buf), "[");
	for (int i = 0; i < n && i < 32; i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%u", i ? ", " : "", (unsigned)groups[i]);
	snprintf(buf + len, sizeof(buf) - len, "%s]", n > 32 ? ", ..." : "");
	return buf;
}

/* --ambient against the sets: each capability must be kept (else the
 * option that drops it is named: --drop, or kept_by) and in permitted.
 * "all" (all_ambient) means all that are kept and held: the others are
 * taken off ambient instead. Dies before any change. */
static void check_ambient(cap_t caps, const bool keep[CAP_SLOTS], bool ambient[CAP_SLOTS], bool all_ambient,
			  const bool dropped[CAP_SLOTS], const char *kept_by)
{
	for (int cap = 0; cap < ncaps; cap++) {
		cap_flag_value_t permitted;

		if (!ambient[cap])
			continue;
		cap_get_flag(caps, cap, CAP_PERMITTED, &permitted);
		if (all_ambient && (!keep[cap] || permitted != CAP_SET)) {
			ambient[cap] = false;
			continue;
		}
		if (!keep[cap])
			die_usage("--ambient: %s is dropped by --%s", cap_name(cap), dropped[cap] ? "drop" : kept_by);
		if (permitted != CAP_SET)
			die("--ambient: %s is not in this process's permitted set: there is nothing to pass on",
			    cap_name(cap));
	}
}

/* What step 3 will set, into caps: the sets as they are, less what is
 * not kept; inheritable also holds the ambient ones, as it must. */
static void plan_sets(cap_t caps, const bool keep[CAP_SLOTS], const bool ambient[CAP_SLOTS])
{
	for (int cap = 0; cap < ncaps; cap++) {
		cap_value_t one[1] = { cap };

		if (!keep[cap]) {
			cap_set_flag(caps, CAP_EFFECTIVE, 1, one, CAP_CLEAR);
			cap_set_flag(caps, CAP_PERMITTED, 1, one, CAP_CLEAR);
			cap_set_flag(caps, CAP_INHERITABLE, 1, one, CAP_CLEAR);
		}
		if (ambient[cap])
			cap_set_flag(caps, CAP_INHERITABLE, 1, one, CAP_SET);
	}
}

/* 1. The bounding set: what no execve can give back. */
static void drop_bounding(const bool keep[CAP_SLOTS])
{
	for (int cap = 0; cap < ncaps; cap++) {
		if (keep[cap] || cap_get_bound(cap) != 1)
			continue; /* kept, or not there to drop */
		if (trace(cap_drop_bound(cap), "prctl(PR_CAPBSET_DROP, %s)", cap_upper(cap)) == -1)
			die_errno_hint(errno == EPERM ? "dropping from the bounding set needs CAP_SETPCAP" : NULL,
				       "prctl(PR_CAPBSET_DROP, %s)", cap_upper(cap));
	}
}

/* 2. The user switch, as setpriv and libcap's cap_setuid(3) do it: with
 * keep-caps on, the uid change from 0 leaves permitted as it was.
 * groups is what --groups gave (asked), or the empty list that a new
 * user or group gets instead of root's groups. */
static void switch_user(const gid_t *groups, int ngroups, bool asked, bool set_gid, gid_t gid, bool set_uid,
			uid_t uid)
{
	if (set_uid && trace(prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L), "prctl(PR_SET_KEEPCAPS, 1)") == -1)
		die_errno("prctl(PR_SET_KEEPCAPS, 1)");
	/* The groups before the gid and the uid, as initgroups(3) callers
	 * do: setgroups needs CAP_SETGID, gone in effective once uid 0 is. */
	if (!ngroups)
		groups = NULL; /* the kernel reads no list then; strace shows NULL */
	if (trace(setgroups((size_t)ngroups, groups), "setgroups(%d, %s)", ngroups, groups_str(groups, ngroups)) == -1) {
		/* A user namespace whose /proc/PID/setgroups says deny refuses
		 * setgroups to all: the groups stay as they are, unless asked. */
		if (asked || errno != EPERM)
			die_errno_hint(errno == EPERM ? "setgroups needs CAP_SETGID, and a user namespace whose "
							"/proc/PID/setgroups says deny refuses it to all"
						      : NULL,
				       "setgroups(%d, %s)", ngroups, groups_str(groups, ngroups));
	}
	if (set_gid && trace(setgid(gid), "setgid(%u)", (unsigned)gid) == -1)
		die_errno("setgid(%u)", (unsigned)gid);
	if (set_uid && trace(setuid(uid), "setuid(%u)", (unsigned)uid) == -1)
		die_errno("setuid(%u)", (unsigned)uid);
	/* keep-caps was for that one change (execve would clear it anyway). */
	if (set_uid && trace(prctl(PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L), "prctl(PR_SET_KEEPCAPS, 0)") == -1)
		die_errno("prctl(PR_SET_KEEPCAPS, 0)");
}

/* 3. Effective, permitted and inheritable in one capset. */
static void set_caps(cap_t caps)
{
	if (trace(cap_set_proc(caps),
		  "capset({version=_LINUX_CAPABILITY_VERSION_3, pid=0}, {effective=%s, permitted=%s, inheritable=%s})",
		  flag_str(caps, CAP_EFFECTIVE), flag_str(caps, CAP_PERMITTED),
		  flag_str(caps, CAP_INHERITABLE)) == -1)
		die_errno("capset");
}

/* 4. Ambient: needs the capability in permitted and inheritable. */
static void raise_ambient(const bool ambient[CAP_SLOTS])
{
	for (int cap = 0; cap < ncaps; cap++)
		if (ambient[cap] && trace(cap_set_ambient(cap, CAP_SET),
					  "prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, %s, 0, 0)",
					  cap_upper(cap)) == -1)
			die_errno_hint(errno == EPERM ? "a locked SECBIT_NO_CAP_AMBIENT_RAISE forbids it" : NULL,
				       "prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, %s)", cap_upper(cap));
}

/* One line of --show: "Effective:   cap_chown,cap_kill", names in
 * the kernel's order (as capsh --decode lists them). */
static void show_set(const char *label, cap_t caps, cap_flag_t flag, cap_iab_t iab,
		     cap_iab_vector_t vec)
{
	int n = 0;

	printf("%-12s ", label);
	for (int cap = 0; cap < ncaps; cap++) {
		cap_flag_value_t on = CAP_CLEAR;

		if (caps)
			cap_get_flag(caps, cap, flag, &on);
		else if (vec == CAP_IAB_BOUND) /* the IAB holds what is *blocked* */
			on = cap_iab_get_vector(iab, vec, cap) == CAP_SET ? CAP_CLEAR : CAP_SET;
		else
			on = cap_iab_get_vector(iab, vec, cap);
		if (on == CAP_SET)
			printf("%s%s", n++ ? "," : "", cap_name(cap));
	}
	printf("%s\n", n ? "" : "(none)");
}

/* The ids and flags of this process, from the kernel itself. */
static void show_ids_self(void)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} secbits[] = {
		{ SECBIT_NOROOT, "SECBIT_NOROOT" },
		{ SECBIT_NOROOT_LOCKED, "SECBIT_NOROOT_LOCKED" },
		{ SECBIT_NO_SETUID_FIXUP, "SECBIT_NO_SETUID_FIXUP" },
		{ SECBIT_NO_SETUID_FIXUP_LOCKED, "SECBIT_NO_SETUID_FIXUP_LOCKED" },
		{ SECBIT_KEEP_CAPS, "SECBIT_KEEP_CAPS" },
		{ SECBIT_KEEP_CAPS_LOCKED, "SECBIT_KEEP_CAPS_LOCKED" },
		{ SECBIT_NO_CAP_AMBIENT_RAISE, "SECBIT_NO_CAP_AMBIENT_RAISE" },
		{ SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED, "SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED" },
	};
	unsigned int bits = cap_get_secbits();
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	printf("%-12s %d\n", "NoNewPrivs:", prctl(PR_GET_NO_NEW_PRIVS, 0L, 0L, 0L, 0L));
	printf("%-12s 0x%x", "Securebits:", bits);
	for (size_t i = 0; i < LEN(secbits); i++)
		if (bits & secbits[i].bit)
			printf(" %s", secbits[i].name);
	putchar('\n');
	getresuid(&ruid, &euid, &suid);
	getresgid(&rgid, &egid, &sgid);
	printf("%-12s %u %u %u\n", "Uid:", (unsigned)ruid, (unsigned)euid, (unsigned)suid);
	printf("%-12s %u %u %u\n", "Gid:", (unsigned)rgid, (unsigned)egid, (unsigned)sgid);

	int n = getgroups(0, NULL);
	gid_t *groups = erealloc(NULL, (n > 0 ? (size_t)n : 1) * sizeof(*groups));
	if ((n = getgroups(n, groups)) == -1)
		die_errno("getgroups");
	printf("%-12s", "Groups:");
	for (int i = 0; i < n; i++)
		printf(" %u", (unsigned)groups[i]);
	printf("%s\n", n ? "" : " (none)");
	free(groups);
}

/* Another process's ids and flags: /proc/PID/status has them, but not
 * its securebits, which only the process itself can ask for. */
static void show_ids_of(pid_t pid)
{
	static const struct {
		const char *field, *label;
	} fields[] = {
		{ "NoNewPrivs", "NoNewPrivs:" }, { "Uid", "Uid:" }, { "Gid", "Gid:" }, { "Groups", "Groups:" },
	};

	for (size_t i = 0; i < LEN(fields); i++) {
		char value[1024];
		int words = 0;

		if (i == 1) /* in the place show_ids_self prints them */
			printf("%-12s (only the process itself can read them)\n", "Securebits:");

		if (proc_status_field(pid, fields[i].field, value, sizeof(value)) == -1)
			die_errno("cannot read %s of /proc/%d/status", fields[i].field, (int)pid);
		printf("%-12s", fields[i].label);
		/* Uid and Gid list real, effective, saved and fs: the first three. */
		for (char *w = strtok(value, " \t"); w && words < 3; w = strtok(NULL, " \t"), words++)
			printf(" %s", w);
		printf("%s\n", words ? "" : " (none)");
	}
}

/* --show: each set by name, then no_new_privs, securebits and the ids
 * of this process (pid 0) or of pid. */
static void show(pid_t pid)
{
	cap_t caps = pid ? cap_get_pid(pid) : cap_get_proc();
	cap_iab_t iab = pid ? cap_iab_get_pid(pid) : cap_iab_get_proc();

	if (!caps || !iab)
		die_errno("cannot read the capabilities of %s", pid ? "that process" : "this process");
	show_set("Bounding:", NULL, 0, iab, CAP_IAB_BOUND);
	show_set("Effective:", caps, CAP_EFFECTIVE, NULL, 0);
	show_set("Permitted:", caps, CAP_PERMITTED, NULL, 0);
	show_set("Inheritable:", caps, CAP_INHERITABLE, NULL, 0);
	show_set("Ambient:", NULL, 0, iab, CAP_IAB_AMB);
	cap_free(iab);
	cap_free(caps);
	if (pid)
		show_ids_of(pid);
	else
		show_ids_self();
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "docker", no_argument, NULL, OPT_DOCKER },
		{ "keep", required_argument, NULL, OPT_KEEP },
		{ "drop", required_argument, NULL, OPT_DROP },
		{ "ambient", required_argument, NULL, OPT_AMBIENT },
		{ "user", required_argument, NULL, OPT_USER },
		{ "group", required_argument, NULL, OPT_GROUP },
		{ "groups", required_argument, NULL, OPT_GROUPS },
		{ "no-new-privs", no_argument, NULL, OPT_NNP },
		{ "show", optional_argument, NULL, OPT_SHOW },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	bool listed[CAP_SLOTS] = { 0 }, dropped[CAP_SLOTS] = { 0 }, ambient[CAP_SLOTS] = { 0 };
	bool keep[CAP_SLOTS];
	bool docker = false, keep_list = false, drop_list = false, all_ambient = false, any_ambient = false;
	bool set_uid = false, set_gid = false, set_groups = false, no_new_privs = false, show_sets = false;
	const char *show_arg = NULL;
	uid_t uid = 0;
	gid_t gid = 0, user_gid = getgid(), *groups = NULL;
	int ngroups = 0, c;

	progname = "capdrop";
	opterr = 0;
	ncaps = cap_max_bits() < CAP_SLOTS ? cap_max_bits() : CAP_SLOTS;
	while ((c = getopt_long(argc, argv, "+:vh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DOCKER:
			docker = true;
			for (size_t i = 0; i < LEN(docker_caps); i++)
				if (docker_caps[i] < ncaps)
					listed[docker_caps[i]] = true;
			break;
		case OPT_KEEP: keep_list = true; parse_caps("--keep", optarg, listed); break;
		case OPT_DROP: drop_list = true; parse_caps("--drop", optarg, dropped); break;
		case OPT_AMBIENT:
			any_ambient = true;
			all_ambient |= parse_caps("--ambient", optarg, ambient);
			break;
		case OPT_USER: set_uid = true; uid = user_id(optarg, &user_gid); break;
		case OPT_GROUP: set_gid = true; gid = group_id("--group", optarg); break;
		case OPT_GROUPS: set_groups = true; groups = add_groups(optarg, groups, &ngroups); break;
		case OPT_NNP: no_new_privs = true; break;
		case OPT_SHOW: show_sets = true; show_arg = optarg; break;
		case 'v': verbose = 1; break;
		case 'h': print_help(help);
		case OPT_VERSION: print_version();
		default: bad_option(argv, c);
		}
	}
	char **cmd = argv + optind;
	/* "--show 1234", as getpcaps 1234: one number, and no "--" before it. */
	if (show_sets && !show_arg && optind == argc - 1 && strcmp(argv[optind - 1], "--") != 0 &&
	    strspn(argv[optind], "0123456789") == strlen(argv[optind])) {
		show_arg = argv[optind];
		cmd = argv + argc;
	}
	bool changes = docker || keep_list || drop_list || any_ambient || set_uid || set_gid || set_groups ||
		       no_new_privs;

	/* 0. Check everything before the first change. */
	if (docker && keep_list)
		die_usage("--docker and --keep exclude each other (--docker is --keep with Docker's list)");
	if (show_arg && (changes || *cmd))
		die_usage("--show=PID prints another process's sets: it takes no changes and no command");
	if (!show_sets && !*cmd)
		die_usage("no command given (add --show to print the sets instead)");
	pid_t show_pid = show_arg ? (pid_t)number(show_arg, INT_MAX) : 0;
	if (show_pid <= 0 && show_arg)
		die_usage("'%s' is not a pid", show_arg);
	/* kill(pid, 0) sends nothing: it only asks whether pid exists. */
	if (show_pid && kill(show_pid, 0) == -1 && errno == ESRCH)
		die("no process with pid %d", (int)show_pid);
	if (show_pid) {
		show(show_pid);
		return 0;
	}
	for (int cap = 0; cap < ncaps; cap++)
		keep[cap] = (docker || keep_list ? listed[cap] : true) && !dropped[cap];

	cap_t caps = cap_get_proc();
	if (!caps)
		die_errno("cannot read this process's capabilities (capget)");
	check_ambient(caps, keep, ambient, all_ambient, dropped, docker ? "docker" : "keep");
	plan_sets(caps, keep, ambient);

	/* 1 to 5, in the order the comment at the top explains. */
	drop_bounding(keep);
	if (set_uid || set_gid || set_groups)
		/* --user alone takes the user's group from /etc/passwd, or
		 * keeps the gid, as docker run --user does; never root's
		 * supplementary groups, but those of --groups if given (an
		 * OCI config's process.user.additionalGids). */
		switch_user(groups, ngroups, set_groups, set_uid || set_gid, set_gid ? gid : user_gid, set_uid, uid);
	free(groups);
	if (docker || keep_list || drop_list || any_ambient || set_uid)
		set_caps(caps);
	cap_free(caps);
	raise_ambient(ambient);
	if (no_new_privs &&
	    trace(prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L), "prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)") == -1)
		die_errno("prctl(PR_SET_NO_NEW_PRIVS, 1)");

	/* --show: what the command will start its execve with. */
	if (show_sets) {
		show(0);
		if (!*cmd)
			return 0;
		fflush(stdout); /* before execve discards the buffer */
	}
	/* 6. Looked up as the new user, as execvp in setpriv does. */
	char *path = find_command(cmd[0]);
	exec_command(path, cmd);
}
