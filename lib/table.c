/* table.c: a listing in columns, as util-linux prints one (lsns, lsblk):
 * a heading, then a row per thing, each column as wide as its widest
 * cell, one space between columns, numbers aligned on the right. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrkit.h"

void table_init(struct table *t, const struct table_column *cols, size_t ncols)
{
	t->cols = cols;
	t->ncols = ncols;
	t->nrows = 0;
	t->cells = NULL;
}

void table_add_row(struct table *t, const char *const cells[])
{
	t->cells = erealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(*t->cells));
	for (size_t c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] = estrdup(cells[c] ? cells[c] : "");
	t->nrows++;
}

/* Characters, not bytes: a cell may hold UTF-8 (lsns-lite's tree). */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

void table_print(struct table *t, int headings, int raw)
{
	size_t *widths = erealloc(NULL, t->ncols * sizeof(*widths));

	for (size_t c = 0; c < t->ncols; c++) {
		widths[c] = t->cols[c].min_width;
		if (headings && width(t->cols[c].name) > widths[c])
			widths[c] = width(t->cols[c].name);
		for (size_t r = 0; r < t->nrows; r++)
			if (width(t->cells[r * t->ncols + c]) > widths[c])
				widths[c] = width(t->cells[r * t->ncols + c]);
	}
	for (size_t r = headings ? 0 : 1; r <= t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = r ? t->cells[(r - 1) * t->ncols + c] : t->cols[c].name;
			int pad = (int)(widths[c] - width(cell));

			if (c)
				putchar(' ');
			if (raw)
				fputs(cell, stdout);
			else if (t->cols[c].right)
				printf("%*s%s", pad, "", cell);
			else
				printf("%s%*s", cell, c + 1 == t->ncols ? 0 : pad, "");
		}
		putchar('\n');
	}
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(widths);
	t->cells = NULL;
	t->nrows = 0;
}
