/* ctrkit.h: the one header every tool includes.
 *
 * Only what two or more tools share lives here: messages and traces,
 * running a command and passing its status on, the namespace table,
 * parsers, and small file readers and writers. Each function has its
 * contract on the line above it. A lib function that makes a kernel call
 * a learner should see (an execve, a cgroup or /proc file read or
 * written) traces it with -v, as the tools do their own.
 */
#ifndef CTRKIT_H
#define CTRKIT_H

#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdnoreturn.h>
#include <sys/stat.h>
#include <sys/types.h>

#define CTRKIT_VERSION "0.1.0"
#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Exit statuses shared by every tool (README.md, "Exit statuses"). */
enum {
	EXIT_USAGE = 2,          /* bad flags or arguments */
	EXIT_CANNOT_EXEC = 126,  /* the command exists but cannot be run */
	EXIT_NOT_FOUND = 127,    /* the command is not in PATH */
};

/* ---- err.c: messages and traces ---------------------------------- */

extern const char *progname;  /* set once by main(), prefixes every line */
extern int verbose;
/* Set while a tool leaves a line unfinished on stderr (mkrootfs's
 * progress on a terminal): the next message ends that line first. */
extern int stderr_line_open;           /* -v: print each kernel call on stderr */
extern int exit_failure;      /* what die() exits with: 1, or 2 where 1 has a meaning */

/* Prints "TOOL: MSG" on stderr and exits exit_failure (1). */
noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "TOOL: MSG: strerror(errno)" on stderr and exits exit_failure. */
noreturn void die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* As die_errno, then " (HINT)" when hint is not NULL. */
#define die_errno_hint(hint, ...) (warn_errno_hint(hint, __VA_ARGS__), exit_failed())
/* Exits exit_failure, or 128+N once stop signal N came (stop.c). */
noreturn void exit_failed(void);
/* Prints "TOOL: MSG (see TOOL --help)" on stderr and exits 2. */
noreturn void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "TOOL: MSG: strerror(errno)", then " (HINT)" unless hint is
 * NULL, and returns; errno is kept. */
void warn_errno_hint(const char *hint, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* realloc(3) and strdup(3) that die with "out of memory" instead of
 * returning NULL. */
void *erealloc(void *p, size_t size);
char *estrdup(const char *s);
/* A string made as printf(3) makes it, malloc'd; dies if out of memory. */
char *easprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "TOOL: MSG" on stderr and returns. */
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Dies with a usage line for what getopt_long just refused (c is '?' or ':'). */
noreturn void bad_option(char *const argv[], int c);
/* Prints the help text on stdout and exits 0. */
noreturn void print_help(const char *help);
/* Prints "TOOL (ctrkit) VERSION" on stdout and exits 0. */
noreturn void print_version(void);

/* With -v, prints "TOOL: CALL = RET" as strace would show it (CALL is
 * fmt filled in) and returns ret; errno is left as the call set it. */
long trace(long ret, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* With -v, prints "TOOL: TEXT" (a call that does not return, a note). */
void trace_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Formats a string for a trace the way strace quotes it; static buffer,
 * one of four slots in turn, so up to four may appear in one trace. */
const char *quote(const char *s);
/* The same for len bytes of a buffer (what read(2) or write(2) moved),
 * NULs and all, cut after 32 bytes with "..." as strace's default -s. */
const char *quote_mem(const void *data, size_t len);
/* What stat(2) filled in, as strace shows it by default: type and mode,
 * then the size (the device of a device file), "..." for the rest; after
 * a failure (r == -1) the buffer's address. Static buffer. */
const char *stat_str(int r, const struct stat *st);
/* The names of the bits set in flags joined with '|', lowest bit first
 * as strace prints them (names[BIT_OF(FLAG)]; a bit without a name in
 * hex), "0" for none; into buf, which it returns. */
#define BIT_OF(flag) __builtin_ctzl(flag)
const char *bits_str(unsigned long flags, const char *const names[64], char *buf, size_t size);
/* "CLONE_NEWNS|CLONE_NEWPID" for the CLONE_NEW* bits of flags, in strace's order. */
const char *clone_flags_str(int flags);
/* "MS_NOSUID|MS_NODEV" for mount(2) flags, in strace's order. */
const char *mount_flags_str(unsigned long flags);
/* "O_WRONLY|O_CREAT|O_NOFOLLOW" for open(2) flags, in strace's order; static buffer. */
const char *open_flags_str(int flags);

/* ---- stop.c: undo on SIGINT, SIGTERM, SIGHUP ---------------------- */

/* The stop signal caught by catch_stop_signals(), or 0. */
extern volatile sig_atomic_t stop_signal;
/* Catches SIGINT, SIGTERM and SIGHUP (unless ignored) with a handler that
 * only records the signal, without SA_RESTART: a blocked call returns
 * EINTR. From then on die() exits 128+N, so atexit() undo handlers run. */
void catch_stop_signals(void);
/* If a stop signal came: "TOOL: stopped by SIGTERM: undoing what was
 * done" and exit(128+N), which runs the atexit() undo handlers. */
void check_stop(void);

/* ---- lock.c: one run at a time ----------------------------------- */

/* Takes an exclusive flock(2) on /run/NAME (made 0600 if missing) and
 * holds it until the process exits; waits while another run holds it. A
 * user who may not write /run goes on without it (a -v note says so).
 * Traced; dies on any other failure. */
void lock_run_file(const char *name);

/* ---- exec.c: running a command, passing its status on ------------ */

/* Finds name in PATH as execvp would (a name with '/' is taken as is).
 * Returns a malloc'd path, or dies with 127 (not found) or 126. */
char *find_command(const char *name);
/* Becomes gid (with no supplementary groups) and then uid, for each
 * that is asked; dies on failure. In a user namespace where setgroups(2)
 * is denied, the groups stay as they are. */
void set_ids(int set_gid, gid_t gid, int set_uid, uid_t uid);
/* The command to run: argv (from optind on) if it names one, else the
 * user's $SHELL, else /bin/sh; *path is where find_command found it. */
char **command_or_shell(char *argv[], char **path);
/* The name a shell runs under as a login shell: "-" and its base name
 * ("-sh" for /bin/sh). util-linux's unshare and nsenter run the shell
 * that way when given no command, so a login shell reads /etc/profile. */
char *login_name(const char *shell);
/* Traces and calls execve(path, argv, environ); on failure dies with
 * 127 if the file is gone, 126 otherwise. */
noreturn void exec_command(const char *path, char *const argv[]);
/* With -v: CALL(FIRST, [argv...], ENVP, N vars LAST), as strace prints an exec. */
void trace_exec(const char *call, const char *first, char *const argv[], const char *last);
/* Marks every fd from first up close-on-exec: close_range(first, ~0U,
 * CLOSE_RANGE_CLOEXEC), as runc does, so no fd the caller passed down
 * (a host directory, a socket) reaches the command; traced; dies on
 * failure. */
void cloexec_fds_from(unsigned int first);
/* The shell status for a waitpid() status: N, or 128+N for signal N. */
int exit_status(int wstatus);
/* Waits for pid, retrying on EINTR; dies if waitpid fails. */
int wait_child(pid_t pid);
/* Ends this process the way the waited child ended: same exit code, or
 * the same signal re-raised (128+N if that signal cannot end us). */
noreturn void exit_like(int wstatus);

/* ---- ns.c: the namespace table ------------------------------------ */

struct nstype {
	const char *name;      /* as in /proc/PID/ns and lsns -t: "mnt" */
	int clone_flag;        /* CLONE_NEWNS */
	const char *children;  /* "pid_for_children" for pid and time, else NULL */
};
/* All eight kinds, in the order the kernel lists /proc/PID/ns. */
extern const struct nstype nstypes[8];
/* The entry for a name ("mnt", also "mount" and "network"...), or NULL. */
const struct nstype *nstype_by_name(const char *name);
/* "/proc/PID/ns/FILE" in buf (pid 0: /proc/self/ns/FILE); returns buf. */
#define NS_PATH_SIZE 64
char *ns_path(char buf[NS_PATH_SIZE], pid_t pid, const char *file);
/* The network namespace of the socket that the process of pidfd holds
 * on its fd num, as an fd of ours: a copy of the socket taken with
 * pidfd_getfd(2) (the right to ptrace the process), then
 * ioctl(SIOCGSKNS). A socket stays in the namespace it was made in,
 * whatever namespace its holder is in now. Both calls traced; -1 and
 * errno on failure (*step says which: "pidfd_getfd" or "ioctl"). */
int socket_netns_fd(int pidfd, int num, const char **step);
/* Inode of /proc/PID/ns/FILE (pid 0 means self); -1 and errno on failure. */
int ns_inode(pid_t pid, const char *file, ino_t *ino);
/* Is the namespace of kind FILE ("mnt", "net") with inode ino the
 * machine's own? Kernel threads never leave the first namespaces, so
 * pid 2 shows them when /proc shows it is kthreadd; pid 1, the init of
 * the machine (or of the caller's pid namespace), counts too unless it
 * is the caller. A tool that must never act on the machine asks this. */
int is_machine_ns(const char *file, ino_t ino);

/* ---- parse.c: arguments ------------------------------------------- */

/* A PID that names a live process; dies (usage, 2) when s is not a
 * number, or (1) when no such process exists. */
pid_t parse_pid(const char *s);
/* A non-negative integer; -1 with errno EINVAL if s is not exactly one. */
long long parse_number(const char *s);
/* A size in bytes: digits with an optional K, M, G or T (either case,
 * powers of 1024: "100m" is 104857600); -1 with errno EINVAL if s is
 * anything else or too big. */
long long parse_size(const char *s);

/* One line of /proc/PID/uid_map or gid_map. */
struct idmap {
	unsigned long inner, outer, count;
};
/* Parses "OUTER,INNER,COUNT" (util-linux 2.38) or "INNER:OUTER:COUNT"
 * (util-linux 2.39 and later); 0, or -1 if malformed. */
int parse_idmap(const char *s, struct idmap *map);
/* Is name one the kernel takes for a network interface: 1 to 15 bytes,
 * not "." or "..", without '/', ':' or white space? */
int valid_ifname(const char *name);
/* Appends word to words (n of them so far); dies (usage) past max. For
 * tools whose options and words come in any order. */
void add_word(const char *words[], int *n, int max, const char *word);
/* A dotted IPv4 address ("192.168.0.1"); 0, or -1 if it is not one. */
int parse_ipv4(const char *s, struct in_addr *addr);
/* "192.168.0.2/24": the address and the prefix length (0..32); 0, or -1
 * if malformed. The address keeps its host bits. */
int parse_cidr(const char *s, struct in_addr *addr, int *prefix);
/* A signal by name ("TERM", "SIGTERM") or number; -1 if unknown. */
int parse_signal(const char *s);

/* ---- ids.c: users and groups (apart: the name lookups need NSS) ---- */

/* A uid from a number or a user name; dies (usage) "OPT: no such user". */
uid_t parse_uid(const char *opt, const char *s);
/* A gid from a number or a group name; dies (usage) "OPT: no such group". */
gid_t parse_gid(const char *opt, const char *s);

/* ---- proc.c: small files ------------------------------------------ */

/* Reads a small file into buf (NUL-terminated, trailing newline kept),
 * tracing the open and the read; returns its length, or -1 with errno. */
ssize_t read_file(const char *path, char *buf, size_t size);
/* Opens path for writing (O_TRUNC, as the shell's > does) and writes
 * data in one write(2), tracing both calls; 0, or -1 with errno. This is
 * how /proc and cgroup files are written: one write is one request. */
int write_file(const char *path, const char *data);
/* The value of "Field:" in /proc/PID/status (pid 0: /proc/self/status)
 * into buf; -1 if absent. */
int proc_status_field(pid_t pid, const char *field, char *buf, size_t size);

/* ---- mountinfo.c: the mount table of a process --------------------- */

/* One line of /proc/PID/mountinfo, paths and options decoded ("\040"
 * is a space). */
struct mount_entry {
	char *root;           /* what of the filesystem is mounted: "/" or a directory in it */
	char *mount_point;
	char *options;        /* per mount: "rw,nosuid" */
	char *fstype;         /* "cgroup2", "overlay" */
	char *source;
	char *super_options;  /* per filesystem: "rw,memory" for a cgroup v1 hierarchy */
	char *line;           /* the buffer the fields point into */
	size_t size;
};
/* Opens /proc/PID/mountinfo (pid 0: self), traced; NULL and errno. */
FILE *mountinfo_open(pid_t pid);
/* Reads the next mount into *m (start with a zeroed struct); 1, or 0
 * at the end, when the buffer is freed. Lines it cannot parse are skipped. */
int mountinfo_next(FILE *f, struct mount_entry *m);

/* ---- table.c: a listing in columns -------------------------------- */

struct table_column {
	const char *name;  /* the heading: "PID" */
	int right;         /* a number: aligned on the right */
	size_t min_width;  /* at least this many characters wide */
};
struct table {
	const struct table_column *cols;
	size_t ncols, nrows;
	char **cells;      /* row after row, copies */
};
/* Starts an empty table with ncols columns (cols must outlive it). */
void table_init(struct table *t, const struct table_column *cols, size_t ncols);
/* Adds a row of ncols cells, copied (NULL is an empty cell). */
void table_add_row(struct table *t, const char *const cells[]);
/* Prints the heading (if headings) and the rows on stdout, as util-linux
 * does: each column as wide as its widest cell in characters, one space
 * between, the last one not padded; raw: one space and no padding. Then
 * frees the rows. */
void table_print(struct table *t, int headings, int raw);

/* ---- pidfile.c: the pid file of a detached container ------------ */

/* Writes "PID\n" to path atomically (a file beside it, then rename(2)),
 * traced; 0, or -1 and errno (nothing is left behind). */
int write_pidfile(const char *path, pid_t pid);
/* The same in the directory dirfd, as name: a launcher that shares its
 * mount namespace with a container keeps its directory open, since the
 * container's pivot_root moves the launcher's root too. */
int write_pidfile_at(int dirfd, const char *name, pid_t pid);
/* Opens the directory of the pid file path (O_PATH), traced; sets *name
 * to its last part. -1 and errno. */
int pidfile_dir(const char *path, const char **name);
/* The pid in a pid file. With stale not NULL, checks it too: if the pid
 * is stale (no such process, a zombie, or a process that started after
 * the file was written), *stale says why, else it is NULL. -1 and errno
 * when the file cannot be read, or EINVAL when it holds no pid. */
pid_t read_pidfile(const char *path, const char **stale);

/* ---- fs.c: paths inside a root ----------------------------------- */

/* openat2(2): path looked up from dirfd under the RESOLVE_* rules of
 * resolve, opened with flags and O_CLOEXEC; traced. -1 and errno. */
int open_resolve(int dirfd, const char *path, int flags, unsigned long long resolve);
/* open_resolve with RESOLVE_IN_ROOT and RESOLVE_NO_MAGICLINKS: path is looked
 * up as if rootfd were "/", so "..", absolute names and absolute
 * symlinks all stay inside it (the escape a container's rootfs could
 * try); traced. -1 and errno. */
int open_in_root(int rootfd, const char *path, int flags);
/* Dies unless path is a directory: "PREFIXPATH: strerror" if stat(2)
 * fails, "PREFIXPATH is not a directory" if it is something else. */
void need_directory(const char *prefix, const char *path);

/* ---- console.c: runc's console socket ------------------------------ */

/* Connects to the unix socket path (SOCK_STREAM), traced; dies on error. */
int console_connect(const char *path);
/* New pty from /dev/ptmx, master sent over sock (as runc), slave becomes ctty and stdio; dies on error. */
void console_attach(int sock);

/* ---- detach.c: a launcher that returns once its child runs --------- */

/* Dies unless path may become a pid file: a file that names a running
 * process (the hint: ctrstop if of_container, else kill), or holds no
 * pid, is refused; a stale one will be replaced; its directory must
 * exist and be writable. Keeps that directory open for the writes. */
void check_pidfile(const char *path, int of_container);
/* The child's end of the "it runs" pipe (fds made with pipe2(O_CLOEXEC)):
 * closes the read end and keeps the write end, which execve(2) closes;
 * an exit before that writes one byte to it first. */
void runs_pipe_child(int fds[2]);
/* For a child that forks the command (an init): its own copy of the
 * write end goes, the command's copy speaks for it. */
void runs_pipe_pass_on(void);
/* Set by the child once its stderr is not the caller's (/dev/null, a
 * log): a message it prints then is not where the caller looks. */
extern int stdio_redirected;
/* The launcher's end: returns once child has executed its command (EOF,
 * traced as the read). If it exited first, waits for it and exits the
 * way it did, after "the command did not start (status N): WHERE" when
 * its message went elsewhere. Dies if the read fails. */
void wait_until_running(pid_t child, int fds[2], const char *where);
/* Writes child's pid to path (write_pidfile); if that fails, kills the
 * child (traced) and waits for it, then dies. */
void write_pidfile_of_running(const char *path, pid_t child);
/* Removes the pid file (through the directory check_pidfile opened) if
 * it still names pid: a later run may own it by now. */
void remove_pidfile_of(const char *path, pid_t pid);

/* seal.c: a tool that can be seen from inside a container (CVE-2019-5736) */
/* We are in a pid namespace below /proc's and not its pid 1: other
 * processes (pid 1, at least) are in it and can see us. */
int in_shared_pidns(void);
/* Executes argv again from a read-only view of our own binary (a
 * detached read-only bind mount, else a sealed memfd copy), unless
 * /proc/self/exe already is one; traced. Returns only in that case. */
void exe_seal(char *argv[]);

#endif
