/* parse.c: pids, numbers, sizes, id maps, signals. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctrkit.h"

long long parse_number(const char *s)
{
	char *end;
	long long n;

	if (!s || *s < '0' || *s > '9') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno || *end) {
		errno = EINVAL;
		return -1;
	}
	return n;
}

pid_t parse_pid(const char *s)
{
	long long n = parse_number(s);

	if (n <= 0 || n > INT_MAX)
		die_usage("'%s' is not a pid", s);
	/* kill(pid, 0) sends nothing: it only asks whether the process
	 * exists. EPERM means it exists but belongs to someone else. */
	if (kill((pid_t)n, 0) == -1 && errno == ESRCH)
		die("no process with pid %lld", n);
	return (pid_t)n;
}

long long parse_size(const char *s)
{
	static const char units[] = "kmgt";
	long long n = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		goto bad;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (LLONG_MAX - (*p - '0')) / 10)
			goto bad;
		n = n * 10 + (*p - '0');
	}
	if (*p) {
		const char *unit = strchr(units, *p | 0x20);
		if (!unit || p[1])
			goto bad;
		for (long i = 0; i <= unit - units; i++) {
			if (n > LLONG_MAX / 1024)
				goto bad;
			n *= 1024;
		}
	}
	return n;
bad:
	errno = EINVAL;
	return -1;
}

int valid_ifname(const char *name)
{
	/* The kernel's dev_valid_name() refuses what its isspace() calls
	 * white space: also \v, \f, \r and Latin-1's no-break space, 0xa0
	 * (found by tests/fuzz/parse.c). */
	return *name && strlen(name) < 16 && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
	       !strpbrk(name, "/: \t\n\v\f\r\xa0");
}

void add_word(const char *words[], int *n, int max, const char *word)
{
	if (*n == max)
		die_usage("too many arguments: '%s'", word);
	words[(*n)++] = word;
}

int parse_ipv4(const char *s, struct in_addr *addr)
{
	/* inet_pton takes exactly four decimal parts: no "10.1", no hex. */
	return inet_pton(AF_INET, s, addr) == 1 ? 0 : -1;
}

int parse_cidr(const char *s, struct in_addr *addr, int *prefix)
{
	char ip[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	long long n;

	if (!slash || (size_t)(slash - s) >= sizeof(ip))
		return -1;
	snprintf(ip, sizeof(ip), "%.*s", (int)(slash - s), s);
	n = parse_number(slash + 1);
	if (parse_ipv4(ip, addr) == -1 || n < 0 || n > 32 || strlen(slash + 1) > 2)
		return -1;
	*prefix = (int)n;
	return 0;
}

/* Reads three numbers separated by sep; 0 on success. */
static int three_numbers(const char *s, char sep, unsigned long out[3])
{
	for (int i = 0; i < 3; i++) {
		char *end;

		if (*s < '0' || *s > '9')
			return -1;
		errno = 0;
		out[i] = strtoul(s, &end, 10);
		if (errno || out[i] > UINT_MAX)
			return -1;
		if (i < 2 && *end != sep)
			return -1;
		if (i == 2 && *end)
			return -1;
		s = end + 1;
	}
	return 0;
}

int parse_idmap(const char *s, struct idmap *map)
{
	unsigned long n[3];

	if (three_numbers(s, ':', n) == 0)
		*map = (struct idmap){ .inner = n[0], .outer = n[1], .count = n[2] };
	else if (three_numbers(s, ',', n) == 0)
		*map = (struct idmap){ .outer = n[0], .inner = n[1], .count = n[2] };
	else
		return -1;
	if (map->count == 0 || map->inner + map->count - 1 > UINT_MAX - 1 ||
	    map->outer + map->count - 1 > UINT_MAX - 1)
		return -1;
	return 0;
}

int parse_signal(const char *s)
{
	long long n = parse_number(s);

	if (n > 0 && n < NSIG)
		return (int)n;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int sig = 1; sig < NSIG; sig++) {
		const char *name = sigabbrev_np(sig);

		if (name && strcasecmp(s, name) == 0)
			return sig;
	}
	return -1;
}
