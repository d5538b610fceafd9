/*
 * A sheet of articles from an .xlsx (import, issue 16), read through
 * export's shared reader a row at a time (export_xlsx_rows): the header row found by its
 * column names, each later row one draft. Pure C over bytes, no I/O.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "export/export.h"
#include "kb/kb.h"

/* ---- A sheet of articles ---- */

enum { F_TITLE, F_KIND, F_SLOT, F_CATEGORY, F_TAGS, F_BODY, F_COUNT };

static const char *const field_names[F_COUNT][2] = {
	{"标题", "title"},    {"类型", "kind"}, {"用途", "slot"},
	{"分类", "category"}, {"标签", "tags"}, {"正文", "body"},
};

struct docs {
	int (*doc)(void *ctx, struct kb_doc *d);
	void *ctx;
	struct err_info *ei;
	int header; /* its row, -1 before it */
	int col[F_COUNT];
	int row;
	const char *const *cells; /* the row's, EXPORT_ROW_COLS of them */
	struct kb_doc d;
};

static const char *cell_at(const struct docs *x, int f)
{
	return x->col[f] >= 0 ? x->cells[x->col[f]] : "";
}

static int kind_of(const char *s, char *out, size_t size)
{
	if (!*s)
		*out = '\0';
	else if (strcmp(s, "文章") == 0 || strcmp(s, "article") == 0)
		strncpy(out, "article", size);
	else if (strcmp(s, "话术") == 0 || strcmp(s, "script") == 0)
		strncpy(out, "script", size);
	else
		return -1;
	return 0;
}

/* One whole row. */
static int row_done(void *ctx, int row, const char *const *cells)
{
	struct docs *x = ctx;
	int rc = 0;

	x->row = row;
	x->cells = cells;
	if (x->header < 0) {
		for (int c = 0; c < EXPORT_ROW_COLS; c++)
			for (int f = 0; f < F_COUNT && cells[c][0]; f++)
				if (strcmp(x->cells[c], field_names[f][0]) == 0 ||
				    strcmp(x->cells[c], field_names[f][1]) == 0)
					x->col[f] = c;
		if (x->col[F_TITLE] >= 0)
			x->header = x->row;
	} else if (*cell_at(x, F_TITLE)) {
		struct kb_doc *d = &x->d;
		const char *title = cell_at(x, F_TITLE), *body = cell_at(x, F_BODY);

		memset(d, 0, sizeof(*d));
		d->line = x->row + 1;
		if (strlen(title) >= sizeof(d->title) ||
		    strlen(cell_at(x, F_SLOT)) >= sizeof(d->slot) ||
		    strlen(cell_at(x, F_CATEGORY)) >= sizeof(d->category))
			rc = err_set(x->ei, ERR_UNPROCESSABLE, "title",
				     "line %d: title: at most %d characters", d->line,
				     KB_DOC_TITLE_MAX);
		if (rc == 0 && kind_of(cell_at(x, F_KIND), d->kind, sizeof(d->kind)) < 0)
			rc = err_set(x->ei, ERR_UNPROCESSABLE, "kind",
				     "line %d: kind: article or script", d->line);
		if (rc == 0) {
			strcpy(d->title, title);
			strcpy(d->slot, cell_at(x, F_SLOT));
			strcpy(d->category, cell_at(x, F_CATEGORY));
			rc = kb_doc_list_parse(cell_at(x, F_TAGS), &d->tags, d->line, "tags",
					       x->ei);
		}
		d->body = body;
		d->body_len = strlen(body);
		if (rc == 0)
			rc = kb_doc_check(d, x->ei);
		if (rc == 0)
			rc = x->doc(x->ctx, d);
	}
	return rc;
}

int kb_xlsx_docs(const unsigned char *z, size_t len, int (*doc)(void *ctx, struct kb_doc *d),
		 void *ctx, struct err_info *ei)
{
	struct docs *x = calloc(1, sizeof(*x));
	int rc;

	if (!x)
		return ERR_NOMEM;
	x->doc = doc;
	x->ctx = ctx;
	x->ei = ei;
	x->header = x->row = -1;
	for (int f = 0; f < F_COUNT; f++)
		x->col[f] = -1;
	rc = export_xlsx_rows(z, len, row_done, x, ei);
	if (rc == 0 && x->header < 0)
		rc = err_set(ei, ERR_UNPROCESSABLE, "file",
			     "file: the sheet has no header row with a 标题 column");
	free(x);
	return rc;
}
