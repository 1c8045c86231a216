/* mktar: write a tar with exactly the entries asked for, to stdout, so
 * that the tests can build hostile archives (names with "..", absolute
 * names, links out of the tree) that tar(1) itself would clean up.
 *
 *   mktar file:NAME[:TEXT] dir:NAME sym:NAME:TARGET hard:NAME:TARGET \
 *         chr:NAME:MAJOR:MINOR owner:UID:GID mode:OCTAL ... > out.tar
 *
 * owner: and mode: apply to the entries that follow them.
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

int main(int argc, char *argv[])
{
	struct archive *out = archive_write_new();
	long uid = 0, gid = 0, mode = -1;

	archive_write_set_format_pax_restricted(out);
	archive_write_open_filename(out, NULL);
	for (int i = 1; i < argc; i++) {
		char *kind = strtok(argv[i], ":"), *name = strtok(NULL, ":"), *rest = strtok(NULL, "");
		struct archive_entry *e = archive_entry_new();

		if (!kind || !name) {
			fprintf(stderr, "mktar: bad argument\n");
			return 2;
		}
		if (strcmp(kind, "owner") == 0) {
			uid = atol(name), gid = rest ? atol(rest) : 0;
			continue;
		}
		if (strcmp(kind, "mode") == 0) {
			mode = strtol(name, NULL, 8);
			continue;
		}
		archive_entry_set_pathname(e, name);
		archive_entry_set_uid(e, uid);
		archive_entry_set_gid(e, gid);
		archive_entry_set_mtime(e, 1000000000, 0);
		if (strcmp(kind, "file") == 0) {
			const char *text = rest ? rest : "";
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, mode >= 0 ? mode : 0644);
			archive_entry_set_size(e, (la_int64_t)strlen(text));
			archive_write_header(out, e);
			archive_write_data(out, text, strlen(text));
		} else if (strcmp(kind, "dir") == 0) {
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, mode >= 0 ? mode : 0755);
			archive_write_header(out, e);
		} else if (strcmp(kind, "sym") == 0) {
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_perm(e, 0777);
			archive_entry_set_symlink(e, rest);
			archive_write_header(out, e);
		} else if (strcmp(kind, "hard") == 0) {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_hardlink(e, rest);
			archive_write_header(out, e);
		} else if (strcmp(kind, "chr") == 0) {
			char *minor = strchr(rest, ':');
			archive_entry_set_filetype(e, AE_IFCHR);
			archive_entry_set_perm(e, 0666);
			archive_entry_set_rdev(e, makedev(atoi(rest), minor ? atoi(minor + 1) : 0));
			archive_write_header(out, e);
		} else {
			fprintf(stderr, "mktar: unknown kind %s\n", kind);
			return 2;
		}
		archive_entry_free(e);
	}
	archive_write_close(out);
	archive_write_free(out);
	return 0;
}
