/* ids.c: user and group ids by number or name. A file of its own: the
 * name lookups bring in glibc's NSS, which the statically linked tools
 * (capdrop, sysfilter) must not carry, and they do use parse.c. */
#include <grp.h>
#include <limits.h>
#include <pwd.h>

#include "ctrkit.h"

uid_t parse_uid(const char *opt, const char *s)
{
	long long n = parse_number(s);
	struct passwd *pw;

	if (n >= 0 && n < UINT_MAX)
		return (uid_t)n;
	if (!(pw = getpwnam(s)))
		die_usage("%s: no such user '%s'", opt, s);
	return pw->pw_uid;
}

gid_t parse_gid(const char *opt, const char *s)
{
	long long n = parse_number(s);
	struct group *gr;

	if (n >= 0 && n < UINT_MAX)
		return (gid_t)n;
	if (!(gr = getgrnam(s)))
		die_usage("%s: no such group '%s'", opt, s);
	return gr->gr_gid;
}
