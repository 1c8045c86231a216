/* err.c: one-line errors, the -v trace in strace's syntax, help text. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ctrkit.h"

const char *progname = "ctrkit";
int verbose;
int stderr_line_open;
int exit_failure = EXIT_FAILURE;

/* One line on stderr, "TOOL: " + fmt + tail + newline, in a single
 * write(2): stderr is unbuffered, and a line written in pieces could be
 * cut by the line of a process that forked from us and writes to the
 * same terminal or log. A line too long for the buffer is cut short. */
static void vline(const char *fmt, va_list ap, const char *tail)
{
	char line[8192];
	size_t len = (size_t)snprintf(line, sizeof(line), "%s%s: ", stderr_line_open ? "\n" : "", progname);

	stderr_line_open = 0;

	if (len < sizeof(line))
		len += (size_t)vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	if (len < sizeof(line))
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s", tail);
	if (len >= sizeof(line) - 1)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	fflush(stderr);
	for (size_t done = 0; done < len;) {
		ssize_t n = write(STDERR_FILENO, line + done, len - done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
}

static void vmessage(const char *fmt, va_list ap, int err, const char *hint)
{
	char tail[512];

	snprintf(tail, sizeof(tail), "%s%s%s%s%s", err ? ": " : "", err ? strerror(err) : "",
		 hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
	vline(fmt, ap, tail);
}

void exit_failed(void)
{
	exit(stop_signal ? 128 + stop_signal : exit_failure);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap, 0, NULL);
	va_end(ap);
	exit_failed();
}

void die_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap, err, NULL);
	va_end(ap);
	exit_failed();
}

void die_usage(const char *fmt, ...)
{
	va_list ap;
	char hint[64];

	snprintf(hint, sizeof(hint), "see %s --help", progname);
	va_start(ap, fmt);
	vmessage(fmt, ap, 0, hint);
	va_end(ap);
	exit(EXIT_USAGE);
}

void warn_errno_hint(const char *hint, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap, err, hint);
	va_end(ap);
	errno = err;
}

void *erealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		die("out of memory");
	return p;
}

char *estrdup(const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		die("out of memory");
	return copy;
}

char *easprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	return s;
}

void warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap, 0, NULL);
	va_end(ap);
}

/* getopt_long is called with opterr = 0 and a leading ':' in the option
 * string, so we word the one line ourselves: '?' is an unknown option,
 * ':' a missing argument. A long option is the word getopt just passed
 * (argv[optind - 1], without any "=value"); a short one is optopt. */
void bad_option(char *const argv[], int c)
{
	const char *word = optind > 0 ? argv[optind - 1] : "";
	const char *what = c == ':' ? "needs an argument" : "is unknown";

	if (word && strncmp(word, "--", 2) == 0)
		die_usage("option '%.*s' %s", (int)strcspn(word, "="), word, what);
	die_usage("option '-%c' %s", optopt, what);
}

void print_help(const char *help)
{
	fputs(help, stdout);
	exit(EXIT_SUCCESS);
}

void print_version(void)
{
	printf("%s (ctrkit) %s\n", progname, CTRKIT_VERSION);
	exit(EXIT_SUCCESS);
}

long trace(long ret, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	char tail[256];

	if (!verbose)
		return ret;
	if (ret == -1)
		snprintf(tail, sizeof(tail), " = -1 %s (%s)", strerrorname_np(err), strerror(err));
	else
		snprintf(tail, sizeof(tail), " = %ld", ret);
	va_start(ap, fmt);
	vline(fmt, ap, tail);
	va_end(ap);
	errno = err;
	return ret;
}

void trace_line(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vline(fmt, ap, "");
	va_end(ap);
	errno = err;
}

/* Appends byte c of a string as strace quotes it: \n \t and the like
 * by name, other bytes that are not printable ASCII in octal, as few
 * digits as will do unless an octal digit follows ("\0" but "\0001"). */
static char *quote_byte(char *p, unsigned char c, int next)
{
	static const char named[] = { ['\t'] = 't', ['\n'] = 'n', ['\v'] = 'v', ['\f'] = 'f', ['\r'] = 'r' };
	int pad = next >= '0' && next <= '7';

	if (c == '"' || c == '\\')
		p += sprintf(p, "\\%c", c);
	else if (c < sizeof(named) && named[c])
		p += sprintf(p, "\\%c", named[c]);
	else if (c < ' ' || c >= 0x7f)
		p += sprintf(p, pad ? "\\%03o" : "\\%o", c);
	else
		*p++ = (char)c;
	return p;
}

/* Four static slots, taken in turn. */
static char *quote_slot(void)
{
	static char slots[4][2048];
	static int turn;

	turn = (turn + 1) % 4;
	return slots[turn];
}

const char *quote(const char *s)
{
	char *buf = quote_slot(), *p = buf, *end = buf + 2048 - 8;

	if (!s)
		return "NULL";
	*p++ = '"';
	for (; *s && p < end; s++)
		p = quote_byte(p, (unsigned char)*s, s[1]);
	*p++ = '"';
	if (*s)
		p += sprintf(p, "...");
	*p = '\0';
	return buf;
}

const char *quote_mem(const void *data, size_t len)
{
	/* strace shows 32 bytes of a buffer unless told otherwise (-s). */
	enum { STRACE_STRSIZE = 32 };
	const unsigned char *b = data;
	size_t shown = len < STRACE_STRSIZE ? len : STRACE_STRSIZE;
	char *buf = quote_slot(), *p = buf;

	*p++ = '"';
	for (size_t i = 0; i < shown; i++)
		p = quote_byte(p, b[i], i + 1 < len ? b[i + 1] : -1);
	*p++ = '"';
	if (len > shown)
		p += sprintf(p, "...");
	*p = '\0';
	return buf;
}

const char *stat_str(int r, const struct stat *st)
{
	static const struct {
		mode_t type;
		const char *name;
	} types[] = {
		{ S_IFREG, "S_IFREG" }, { S_IFDIR, "S_IFDIR" }, { S_IFLNK, "S_IFLNK" }, { S_IFCHR, "S_IFCHR" },
		{ S_IFBLK, "S_IFBLK" }, { S_IFIFO, "S_IFIFO" }, { S_IFSOCK, "S_IFSOCK" },
	};
	static char buf[160];
	const char *type = "";
	char mode[80];

	if (r == -1) { /* nothing was filled in: strace shows the address */
		snprintf(buf, sizeof(buf), "%p", (const void *)st);
		return buf;
	}
	for (size_t i = 0; i < LEN(types); i++)
		if ((st->st_mode & S_IFMT) == types[i].type)
			type = types[i].name;
	/* strace's way: the type (none for an anonymous inode, such as an
	 * eventfd's), the set-id and sticky bits by name, then the
	 * permissions in at least three octal digits ("000"). */
	snprintf(mode, sizeof(mode), "%s%s%s%s%s%#03o", type, *type ? "|" : "",
		 st->st_mode & S_ISUID ? "S_ISUID|" : "", st->st_mode & S_ISGID ? "S_ISGID|" : "",
		 st->st_mode & S_ISVTX ? "S_ISVTX|" : "", (unsigned)(st->st_mode & 0777));
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		snprintf(buf, sizeof(buf), "{st_mode=%s, st_rdev=makedev(%#x, %#x), ...}", mode,
			 major(st->st_rdev), minor(st->st_rdev));
	else
		snprintf(buf, sizeof(buf), "{st_mode=%s, st_size=%jd, ...}", mode, (intmax_t)st->st_size);
	return buf;
}

const char *bits_str(unsigned long flags, const char *const names[64], char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int bit = 0; bit < 64; bit++) {
		unsigned long mask = 1UL << bit;

		if (!(flags & mask))
			continue;
		if (names[bit])
			len += snprintf(buf + len, size - len, "%s%s", len ? "|" : "", names[bit]);
		else
			len += snprintf(buf + len, size - len, "%s%#lx", len ? "|" : "", mask);
		if (len >= size)
			break;
	}
	if (!len)
		snprintf(buf, size, "0");
	return buf;
}

const char *clone_flags_str(int flags)
{
	static char buf[160];
	static const char *const names[64] = {
		[BIT_OF(CLONE_NEWTIME)] = "CLONE_NEWTIME",
		[BIT_OF(CLONE_NEWNS)] = "CLONE_NEWNS",
		[BIT_OF(CLONE_NEWCGROUP)] = "CLONE_NEWCGROUP",
		[BIT_OF(CLONE_NEWUTS)] = "CLONE_NEWUTS",
		[BIT_OF(CLONE_NEWIPC)] = "CLONE_NEWIPC",
		[BIT_OF(CLONE_NEWUSER)] = "CLONE_NEWUSER",
		[BIT_OF(CLONE_NEWPID)] = "CLONE_NEWPID",
		[BIT_OF(CLONE_NEWNET)] = "CLONE_NEWNET",
	};

	return bits_str((unsigned int)flags, names, buf, sizeof(buf));
}

const char *mount_flags_str(unsigned long flags)
{
	static char buf[256];
	static const char *const names[64] = {
		[BIT_OF(MS_RDONLY)] = "MS_RDONLY",
		[BIT_OF(MS_NOSUID)] = "MS_NOSUID",
		[BIT_OF(MS_NODEV)] = "MS_NODEV",
		[BIT_OF(MS_NOEXEC)] = "MS_NOEXEC",
		[BIT_OF(MS_SYNCHRONOUS)] = "MS_SYNCHRONOUS",
		[BIT_OF(MS_REMOUNT)] = "MS_REMOUNT",
		[BIT_OF(MS_MANDLOCK)] = "MS_MANDLOCK",
		[BIT_OF(MS_DIRSYNC)] = "MS_DIRSYNC",
		[BIT_OF(MS_NOATIME)] = "MS_NOATIME",
		[BIT_OF(MS_NODIRATIME)] = "MS_NODIRATIME",
		[BIT_OF(MS_BIND)] = "MS_BIND",
		[BIT_OF(MS_MOVE)] = "MS_MOVE",
		[BIT_OF(MS_REC)] = "MS_REC",
		[BIT_OF(MS_SILENT)] = "MS_SILENT",
		[BIT_OF(MS_POSIXACL)] = "MS_POSIXACL",
		[BIT_OF(MS_UNBINDABLE)] = "MS_UNBINDABLE",
		[BIT_OF(MS_PRIVATE)] = "MS_PRIVATE",
		[BIT_OF(MS_SLAVE)] = "MS_SLAVE",
		[BIT_OF(MS_SHARED)] = "MS_SHARED",
		[BIT_OF(MS_RELATIME)] = "MS_RELATIME",
		[BIT_OF(MS_STRICTATIME)] = "MS_STRICTATIME",
		[BIT_OF(MS_LAZYTIME)] = "MS_LAZYTIME",
	};

	return bits_str(flags, names, buf, sizeof(buf));
}

const char *open_flags_str(int flags)
{
	static char buf[256];
	/* strace's table, in its order (not the bits'): a flag made of two
	 * bits (O_SYNC, O_TMPFILE) comes before the bit it shares, and the
	 * kernel's __O_SYNC and __O_TMPFILE are those flags less that bit.
	 * O_LARGEFILE is left out: glibc's is 0 on 64-bit machines, so no
	 * tool passes the kernel's bit. */
	static const struct {
		int flag;
		const char *name;
	} names[] = {
		{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_NOCTTY, "O_NOCTTY" },
		{ O_TRUNC, "O_TRUNC" }, { O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
		{ O_SYNC, "O_SYNC" }, { O_SYNC & ~O_DSYNC, "__O_SYNC" }, { O_DSYNC, "O_DSYNC" },
		{ O_DIRECT, "O_DIRECT" }, { O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" },
		{ O_CLOEXEC, "O_CLOEXEC" }, { O_PATH, "O_PATH" }, { O_TMPFILE, "O_TMPFILE" },
		{ O_TMPFILE & ~O_DIRECTORY, "__O_TMPFILE" }, { O_DIRECTORY, "O_DIRECTORY" },
		{ O_ASYNC, "FASYNC" },
	};
	static const char *const modes[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	int len = snprintf(buf, sizeof(buf), "%s", modes[flags & O_ACCMODE]);

	flags &= ~O_ACCMODE;
	for (size_t i = 0; i < LEN(names); i++)
		if ((flags & names[i].flag) == names[i].flag) {
			len += snprintf(buf + len, sizeof(buf) - (size_t)len, "|%s", names[i].name);
			flags &= ~names[i].flag;
		}
	if (flags) /* a bit strace has no name for either */
		snprintf(buf + len, sizeof(buf) - (size_t)len, "|%#x", (unsigned)flags);
	return buf;
}
