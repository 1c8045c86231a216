/* fuzz-parse: every parser in lib/, with what each promises checked.
 *
 * The first byte of the input picks the parser, the rest is the string
 * it gets (cut at the first NUL, as from argv). In tests/fuzz/parse.seeds
 * the letters are: n number, s size, i idmap, f ifname, 4 ipv4, c cidr,
 * k signal, t nstype, q quote, p pid, u uid, g gid, m mount and clone
 * flags. Any other byte picks one by its value.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctrkit.h"
#include "fuzz.h"

static const char *s; /* the string under test */

static void number(void)
{
	errno = 0;
	long long n = parse_number(s);
	if (n == -1) {
		if (errno != EINVAL)
			fuzz_fail("parse_number(%s) = -1 without EINVAL", quote(s));
		return;
	}
	/* Back to text: the same digits, without leading zeros. */
	char back[32];
	const char *digits = s + strspn(s, "0");
	snprintf(back, sizeof(back), "%lld", n);
	if (n < 0 || strcmp(back, *digits ? digits : "0") != 0)
		fuzz_fail("parse_number(%s) = %lld", quote(s), n);
}

static void size(void)
{
	errno = 0;
	long long n = parse_size(s);
	if (n == -1) {
		if (errno != EINVAL)
			fuzz_fail("parse_size(%s) = -1 without EINVAL", quote(s));
		return;
	}
	if (n < 0)
		fuzz_fail("parse_size(%s) = %lld", quote(s), n);
	/* Digits alone are bytes; a unit multiplies by 1024 per step. */
	char digits[64];
	size_t len = strlen(s);
	if (len >= sizeof(digits))
		return;
	memcpy(digits, s, len + 1);
	const char *unit = strchr("kmgt", tolower((unsigned char)s[len - 1]));
	if (unit)
		digits[len - 1] = '\0';
	long long want = parse_number(digits);
	for (int i = 0; unit && i <= unit - "kmgt"; i++)
		want *= 1024;
	if (n != want)
		fuzz_fail("parse_size(%s) = %lld, want %lld", quote(s), n, want);
}

static void idmap(void)
{
	struct idmap map, again;
	char back[96];

	if (parse_idmap(s, &map) == -1)
		return;
	if (map.count == 0 || map.inner + map.count - 1 >= UINT_MAX || map.outer + map.count - 1 >= UINT_MAX)
		fuzz_fail("parse_idmap(%s) = %lu:%lu:%lu, out of range", quote(s), map.inner, map.outer, map.count);
	snprintf(back, sizeof(back), "%lu:%lu:%lu", map.inner, map.outer, map.count);
	if (parse_idmap(back, &again) == -1 || memcmp(&map, &again, sizeof(map)) != 0)
		fuzz_fail("parse_idmap(%s) does not parse its own %s back", quote(s), back);
}

/* The kernel's dev_valid_name(): 1 to 15 bytes, not "." or "..", no
 * '/', ':' or isspace() in the kernel's ctype, which counts 0xa0. */
static int kernel_ifname(const char *name)
{
	if (!*name || strlen(name) >= 16 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p == '/' || *p == ':' || strchr(" \t\n\v\f\r", *p) || *p == 0xa0)
			return 0;
	return 1;
}

static void ifname(void)
{
	if (valid_ifname(s) != kernel_ifname(s))
		fuzz_fail("valid_ifname(%s) = %d, the kernel says %d", quote(s), valid_ifname(s), kernel_ifname(s));
}

static void ipv4(void)
{
	struct in_addr addr, again;

	if (parse_ipv4(s, &addr) == -1)
		return;
	/* Dotted decimal without leading zeros prints back as it came. */
	const char *back = inet_ntoa(addr);
	if (strcmp(back, s) != 0 || parse_ipv4(back, &again) == -1 || again.s_addr != addr.s_addr)
		fuzz_fail("parse_ipv4(%s) prints back as %s", quote(s), back);
}

static void cidr(void)
{
	struct in_addr addr, again;
	int prefix, prefix_again;
	char back[32];

	if (parse_cidr(s, &addr, &prefix) == -1)
		return;
	if (prefix < 0 || prefix > 32)
		fuzz_fail("parse_cidr(%s): prefix %d", quote(s), prefix);
	snprintf(back, sizeof(back), "%s/%d", inet_ntoa(addr), prefix);
	if (parse_cidr(back, &again, &prefix_again) == -1 || again.s_addr != addr.s_addr ||
	    prefix_again != prefix)
		fuzz_fail("parse_cidr(%s) does not parse its own %s back", quote(s), back);
}

static void signal_(void)
{
	int sig = parse_signal(s);

	if (sig == -1)
		return;
	if (sig < 1 || sig >= NSIG)
		fuzz_fail("parse_signal(%s) = %d", quote(s), sig);
	/* A name comes back as the name of the signal it gave. */
	const char *name = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
	if (parse_number(s) == -1 && (!sigabbrev_np(sig) || strcasecmp(name, sigabbrev_np(sig)) != 0))
		fuzz_fail("parse_signal(%s) = %d, which is SIG%s", quote(s), sig, sigabbrev_np(sig));
}

static void nstype(void)
{
	const struct nstype *t = nstype_by_name(s);

	if (t && strcmp(t->name, s) != 0 && strcmp(s, "mount") != 0 && strcmp(s, "network") != 0)
		fuzz_fail("nstype_by_name(%s) = %s", quote(s), t->name);
	if (t && (t < nstypes || t >= nstypes + LEN(nstypes)))
		fuzz_fail("nstype_by_name(%s) is not an entry of nstypes", quote(s));
}

static void quote_(void)
{
	const char *q = quote(s);
	size_t len = strlen(s);
	const char *m = quote_mem(s, len);

	if (q[0] != '"' || strlen(q) >= 2048)
		fuzz_fail("quote(%s) = %s", quote(s), q);
	/* A buffer is shown as the string is, up to strace's 32 bytes. */
	if (m[0] != '"' || strlen(m) > 2 + 32 * 4 + 3 || (len <= 32 && strcmp(m, q) != 0))
		fuzz_fail("quote_mem(%s, %zu) = %s", q, len, m);
}

static void pid(void)
{
	pid_t p = parse_pid(s); /* dies (usage) unless it is a live pid */

	if (p <= 0)
		fuzz_fail("parse_pid(%s) = %d", quote(s), (int)p);
}

static void uid(void)
{
	parse_uid("--uid", s); /* dies (usage) for an unknown name */
}

static void gid(void)
{
	parse_gid("--gid", s);
}

static void flags(void)
{
	unsigned long bits = 0;

	memcpy(&bits, s, strnlen(s, sizeof(bits)));
	if (strlen(mount_flags_str(bits)) >= 256 || strlen(clone_flags_str((int)bits)) >= 160)
		fuzz_fail("flag names too long for %#lx", bits);
}

struct parser {
	char letter;
	void (*fn)(void);
};

static const struct parser parsers[] = {
	{ 'n', number }, { 's', size }, { 'i', idmap }, { 'f', ifname }, { '4', ipv4 },
	{ 'c', cidr }, { 'k', signal_ }, { 't', nstype }, { 'q', quote_ }, { 'p', pid },
	{ 'u', uid }, { 'g', gid }, { 'm', flags },
};

static void run(void *parser)
{
	((const struct parser *)parser)->fn();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (len == 0)
		return 0;
	char *copy = strndup((const char *)data + 1, len - 1);
	size_t i = 0;

	while (i < LEN(parsers) && parsers[i].letter != data[0])
		i++;
	if (i == LEN(parsers))
		i = data[0] % LEN(parsers);
	s = copy;
	progname = "fuzz-parse";
	fuzz_call(run, (void *)&parsers[i]);
	free(copy);
	return 0;
}
