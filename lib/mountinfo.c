/* mountinfo.c: reading /proc/PID/mountinfo, one mount per line:
 *   36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw
 *   id parent dev root mount-point options [optional...] - type source super-options
 * (proc(5)). The kernel writes a space, tab, newline or backslash in a
 * path as an octal escape (\040 for a space); decoded here. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrkit.h"

/* Decodes \ooo escapes in place. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

FILE *mountinfo_open(pid_t pid)
{
	char path[64];
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/mountinfo");
	f = fopen(path, "re");
	trace(f ? fileno(f) : -1, "openat(AT_FDCWD, %s, O_RDONLY|O_CLOEXEC)", quote(path));
	return f;
}

int mountinfo_next(FILE *f, struct mount_entry *m)
{
	ssize_t len;

	while ((len = getline(&m->line, &m->size, f)) != -1) {
		char *field[10], *save = NULL, *word;
		int n = 0, dash = 0;

		if (len > 0 && m->line[len - 1] == '\n')
			m->line[len - 1] = '\0';
		for (word = strtok_r(m->line, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
			if (n < 6)
				field[n++] = word;
			else if (!dash && strcmp(word, "-") == 0)
				dash = n;
			else if (dash && n < 9)
				field[n++] = word;
		}
		if (n != 9)
			continue; /* not a line we understand: skip it */
		m->root = field[3];
		m->mount_point = field[4];
		m->options = field[5];
		m->fstype = field[6];
		m->source = field[7];
		m->super_options = field[8];
		unescape(m->root);
		unescape(m->mount_point);
		unescape(m->source);
		unescape(m->super_options); /* overlay's lowerdir=... holds paths */
		return 1;
	}
	free(m->line);
	m->line = NULL;
	m->size = 0;
	return 0;
}
