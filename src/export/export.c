/*
 * export.c — the description of a workbook and its writing with
 * libxlsxwriter (see export.h).
 */
#include "export/export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/utf8.h"

/* Why a description is broken; each has its own message at export_write. */
enum why {
	WHY_NONE,
	WHY_NOMEM,
	WHY_TEXT,    /* not UTF-8 */
	WHY_TOOLONG, /* a cell's text past Excel's limit */
	WHY_LIMIT,   /* rows, columns or cells past the limits */
	WHY_FILL,    /* a fill that is not #rrggbb */
	WHY_NAME,    /* a sheet name Excel refuses */
	WHY_ARGS,    /* a position or span out of range */
};

enum kind { K_TEXT, K_INT, K_NUMBER, K_DATE };

struct cell {
	int row, col;
	int seq; /* order written: the last write of a position wins */
	unsigned char kind;
	int style;
	union {
		char *text;
		int64_t i;
		double d;
		int date[3];
	} v;
};

struct head {
	int hrow, col, rows, cols;
	int style;
	char *text;
};

struct span {
	int row, col, cols;
};

struct chart {
	enum export_chart_type type;
	char *title;
	int first, last, cat_col, at_row, at_col;
	int vals[EXPORT_SERIES_MAX];
	int nvals;
};

/* A look as asked for; formats are made from it at write time, once per
 * role (body, totals row, header). */
struct style {
	int fill; /* 0xrrggbb, -1 none */
	unsigned flags;
	char *num_format; /* NULL: the default */
};

struct export_sheet {
	struct export_book *book;
	char *name;
	char *title, *subtitle;
	double *widths; /* per column, 0 the default */
	int nwidths;
	struct head *heads;
	int nheads, capheads;
	struct cell *cells;
	int ncells, capcells;
	struct span *spans;
	int nspans, capspans;
	int *totals;
	int ntotals, captotals;
	char *notes[EXPORT_NOTES_MAX];
	int nnotes;
	int freeze_cols;
	int print, landscape, english;
	char *foot_left, *foot_right;
	struct chart charts[EXPORT_CHARTS_MAX];
	int ncharts;
};

struct export_book {
	struct export_sheet *sheets[EXPORT_SHEETS_MAX];
	int nsheets;
	struct style *styles;
	int nstyles, capstyles;
	long cells; /* in all sheets, against EXPORT_CELLS_MAX */
	int rc;
	enum why why;
};

static void fail(struct export_book *b, int rc, enum why why)
{
	if (!b->rc) {
		b->rc = rc;
		b->why = why;
	}
}

/* Grows an array of n elements of size to hold one more; 0 or -1. */
static int grow(void **p, int *cap, int n, size_t size)
{
	void *q;
	int c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 16;
	q = realloc(*p, (size_t)c * size);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

/* A copy of text checked for UTF-8 and Excel's cell limit; NULL on error. */
static char *copy_text(struct export_book *b, const char *text)
{
	size_t len = strlen(text);
	char *s;

	if (!utf8_valid(text, len)) {
		fail(b, ERR_INVALID, WHY_TEXT);
		return NULL;
	}
	if (utf8_len(text) > EXPORT_TEXT_MAX) {
		fail(b, ERR_TOOBIG, WHY_TOOLONG);
		return NULL;
	}
	s = strdup(text);
	if (!s)
		fail(b, ERR_NOMEM, WHY_NOMEM);
	return s;
}

/* "#rrggbb" → 0xrrggbb; NULL or "" → -1 (none); -2 when malformed. */
static int parse_fill(const char *s)
{
	int v = 0;

	if (!s || !*s)
		return -1;
	if (s[0] != '#' || strlen(s) != 7)
		return -2;
	for (int i = 1; i < 7; i++) {
		int h = utf8_hex_digit(s[i]);

		if (h < 0)
			return -2;
		v = v * 16 + h;
	}
	return v;
}

/* The index of st's look among the book's, added when new; -1 on error. */
static int style_of(struct export_book *b, const struct export_style *st)
{
	int fill = parse_fill(st ? st->fill : NULL);
	unsigned flags = st ? st->flags : 0;
	const char *nf = st && st->num_format && *st->num_format ? st->num_format : NULL;
	struct style *s;

	if (fill == -2) {
		fail(b, ERR_INVALID, WHY_FILL);
		return -1;
	}
	for (int i = 0; i < b->nstyles; i++) {
		s = &b->styles[i];
		if (s->fill == fill && s->flags == flags &&
		    (s->num_format ? nf && !strcmp(s->num_format, nf) : !nf))
			return i;
	}
	if (grow((void **)&b->styles, &b->capstyles, b->nstyles, sizeof(*b->styles)) < 0) {
		fail(b, ERR_NOMEM, WHY_NOMEM);
		return -1;
	}
	s = &b->styles[b->nstyles];
	s->fill = fill;
	s->flags = flags;
	s->num_format = NULL;
	if (nf && !(s->num_format = copy_text(b, nf)))
		return -1;
	return b->nstyles++;
}

struct export_book *export_book_new(void)
{
	return calloc(1, sizeof(struct export_book));
}

static void sheet_free(struct export_sheet *sh)
{
	free(sh->name);
	free(sh->title);
	free(sh->subtitle);
	free(sh->widths);
	for (int i = 0; i < sh->nheads; i++)
		free(sh->heads[i].text);
	free(sh->heads);
	for (int i = 0; i < sh->ncells; i++)
		if (sh->cells[i].kind == K_TEXT)
			free(sh->cells[i].v.text);
	free(sh->cells);
	free(sh->spans);
	free(sh->totals);
	for (int i = 0; i < sh->nnotes; i++)
		free(sh->notes[i]);
	free(sh->foot_left);
	free(sh->foot_right);
	for (int i = 0; i < sh->ncharts; i++)
		free(sh->charts[i].title);
	free(sh);
}

void export_book_free(struct export_book *b)
{
	if (!b)
		return;
	for (int i = 0; i < b->nsheets; i++)
		sheet_free(b->sheets[i]);
	for (int i = 0; i < b->nstyles; i++)
		free(b->styles[i].num_format);
	free(b->styles);
	free(b);
}

int export_book_error(const struct export_book *b)
{
	return b->rc;
}

int export_book_done(struct export_book *b, struct export_book **out)
{
	int rc = export_book_error(b);

	if (rc < 0) {
		export_book_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

/* Excel's rules for a sheet's name: 1 to 31 characters, none of []:*?/\,
 * not starting or ending with an apostrophe, unique in the workbook
 * (compared as written; Excel also ignores ASCII case). */
static int sheet_name_ok(const struct export_book *b, const char *name)
{
	size_t len = strlen(name);

	if (!len || !utf8_valid(name, len) || utf8_len(name) > 31 || strpbrk(name, "[]:*?/\\") ||
	    name[0] == '\'' || name[len - 1] == '\'')
		return 0;
	for (int i = 0; i < b->nsheets; i++)
		if (!strcasecmp(b->sheets[i]->name, name))
			return 0;
	return 1;
}

struct export_sheet *export_sheet_add(struct export_book *b, const char *name)
{
	struct export_sheet *sh;

	if (b->nsheets >= EXPORT_SHEETS_MAX) {
		fail(b, ERR_TOOBIG, WHY_LIMIT);
		return NULL;
	}
	if (!sheet_name_ok(b, name)) {
		fail(b, ERR_INVALID, WHY_NAME);
		return NULL;
	}
	sh = calloc(1, sizeof(*sh));
	if (!sh || !(sh->name = strdup(name))) {
		free(sh);
		fail(b, ERR_NOMEM, WHY_NOMEM);
		return NULL;
	}
	sh->book = b;
	b->sheets[b->nsheets++] = sh;
	return sh;
}

static void replace(struct export_book *b, char **slot, const char *text)
{
	char *s = copy_text(b, text);

	if (s) {
		free(*slot);
		*slot = s;
	}
}

void export_title(struct export_sheet *sh, const char *title)
{
	replace(sh->book, &sh->title, title);
}

void export_subtitle(struct export_sheet *sh, const char *subtitle)
{
	replace(sh->book, &sh->subtitle, subtitle);
}

void export_column(struct export_sheet *sh, int col, double width)
{
	double *w;

	if (col < 0 || col >= EXPORT_COLS_MAX || !(width > 0 && width <= 255)) {
		fail(sh->book, ERR_INVALID, WHY_ARGS);
		return;
	}
	if (col >= sh->nwidths) {
		w = realloc(sh->widths, (size_t)(col + 1) * sizeof(*w));
		if (!w) {
			fail(sh->book, ERR_NOMEM, WHY_NOMEM);
			return;
		}
		memset(w + sh->nwidths, 0, (size_t)(col + 1 - sh->nwidths) * sizeof(*w));
		sh->widths = w;
		sh->nwidths = col + 1;
	}
	sh->widths[col] = width;
}

void export_header(struct export_sheet *sh, int hrow, int col, int rows, int cols, const char *text,
		   const struct export_style *style)
{
	struct export_book *b = sh->book;
	struct head *h;
	int st;

	if (hrow < 0 || hrow > 1 || rows < 1 || hrow + rows > 2 || col < 0 || cols < 1 ||
	    col + cols > EXPORT_COLS_MAX) {
		fail(b, ERR_INVALID, WHY_ARGS);
		return;
	}
	st = style_of(b, style);
	if (st < 0)
		return;
	if (grow((void **)&sh->heads, &sh->capheads, sh->nheads, sizeof(*sh->heads)) < 0) {
		fail(b, ERR_NOMEM, WHY_NOMEM);
		return;
	}
	h = &sh->heads[sh->nheads];
	*h = (struct head){hrow, col, rows, cols, st, copy_text(b, text)};
	if (h->text)
		sh->nheads++;
}

/* A new body cell at (row, col), or NULL (the book keeps the error). */
static struct cell *cell_add(struct export_sheet *sh, int row, int col, int kind,
			     const struct export_style *style)
{
	struct export_book *b = sh->book;
	struct cell *c;
	int st;

	if (row < 0 || col < 0 || row >= EXPORT_ROWS_MAX - 8 || col >= EXPORT_COLS_MAX) {
		fail(b, ERR_TOOBIG, WHY_LIMIT);
		return NULL;
	}
	if (b->cells >= EXPORT_CELLS_MAX) {
		fail(b, ERR_TOOBIG, WHY_LIMIT);
		return NULL;
	}
	st = style_of(b, style);
	if (st < 0)
		return NULL;
	if (grow((void **)&sh->cells, &sh->capcells, sh->ncells, sizeof(*sh->cells)) < 0) {
		fail(b, ERR_NOMEM, WHY_NOMEM);
		return NULL;
	}
	c = &sh->cells[sh->ncells];
	memset(c, 0, sizeof(*c));
	c->row = row;
	c->col = col;
	c->seq = sh->ncells;
	c->kind = (unsigned char)kind;
	c->style = st;
	return c;
}

static void cell_commit(struct export_sheet *sh)
{
	sh->ncells++;
	sh->book->cells++;
}

void export_text(struct export_sheet *sh, int row, int col, const char *text,
		 const struct export_style *style)
{
	struct cell *c = sh->book->rc ? NULL : cell_add(sh, row, col, K_TEXT, style);

	if (c && (c->v.text = copy_text(sh->book, text)))
		cell_commit(sh);
}

void export_int(struct export_sheet *sh, int row, int col, int64_t v,
		const struct export_style *style)
{
	struct cell *c = sh->book->rc ? NULL : cell_add(sh, row, col, K_INT, style);

	if (c) {
		c->v.i = v;
		cell_commit(sh);
	}
}

void export_number(struct export_sheet *sh, int row, int col, double v,
		   const struct export_style *style)
{
	struct cell *c = sh->book->rc ? NULL : cell_add(sh, row, col, K_NUMBER, style);

	if (c) {
		c->v.d = v;
		cell_commit(sh);
	}
}

void export_date(struct export_sheet *sh, int row, int col, int year, int month, int day,
		 const struct export_style *style)
{
	struct export_style dated = {NULL, 0, "yyyy-mm-dd"};
	struct cell *c;

	/* Excel's dates start in 1900; the day is checked against the month by
	 * the caller's calendar, here only its range. */
	if (year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31) {
		fail(sh->book, ERR_INVALID, WHY_ARGS);
		return;
	}
	if (!style || !style->num_format || !*style->num_format) {
		dated.fill = style ? style->fill : NULL;
		dated.flags = style ? style->flags : 0;
		style = &dated;
	}
	c = sh->book->rc ? NULL : cell_add(sh, row, col, K_DATE, style);
	if (c) {
		c->v.date[0] = year;
		c->v.date[1] = month;
		c->v.date[2] = day;
		cell_commit(sh);
	}
}

void export_merge(struct export_sheet *sh, int row, int col, int cols)
{
	struct export_book *b = sh->book;

	if (row < 0 || row >= EXPORT_ROWS_MAX - 8 || col < 0 || cols < 2 ||
	    col + cols > EXPORT_COLS_MAX) {
		fail(b, ERR_INVALID, WHY_ARGS);
		return;
	}
	if (grow((void **)&sh->spans, &sh->capspans, sh->nspans, sizeof(*sh->spans)) < 0) {
		fail(b, ERR_NOMEM, WHY_NOMEM);
		return;
	}
	sh->spans[sh->nspans++] = (struct span){row, col, cols};
}

void export_totals(struct export_sheet *sh, int row)
{
	if (row < 0 || row >= EXPORT_ROWS_MAX - 8) {
		fail(sh->book, ERR_INVALID, WHY_ARGS);
		return;
	}
	if (grow((void **)&sh->totals, &sh->captotals, sh->ntotals, sizeof(*sh->totals)) < 0) {
		fail(sh->book, ERR_NOMEM, WHY_NOMEM);
		return;
	}
	sh->totals[sh->ntotals++] = row;
}

void export_note(struct export_sheet *sh, const char *text)
{
	char *s;

	if (sh->nnotes >= EXPORT_NOTES_MAX) {
		fail(sh->book, ERR_TOOBIG, WHY_LIMIT);
		return;
	}
	s = copy_text(sh->book, text);
	if (s)
		sh->notes[sh->nnotes++] = s;
}

void export_freeze(struct export_sheet *sh, int cols)
{
	if (cols < 0 || cols >= EXPORT_COLS_MAX) {
		fail(sh->book, ERR_INVALID, WHY_ARGS);
		return;
	}
	sh->freeze_cols = cols;
}

void export_chart(struct export_sheet *sh, enum export_chart_type type, const char *title,
		  int first, int last, int cat_col, const int *vals, int nvals, int at_row,
		  int at_col)
{
	struct chart *c;

	if (!sh)
		return;
	if (sh->ncharts == EXPORT_CHARTS_MAX || nvals > EXPORT_SERIES_MAX) {
		fail(sh->book, ERR_TOOBIG, WHY_LIMIT);
		return;
	}
	if (first < 0 || last < first || last >= EXPORT_ROWS_MAX || cat_col < 0 ||
	    cat_col >= EXPORT_COLS_MAX || nvals < 1 || at_row < 0 || at_col < 0 ||
	    at_col >= EXPORT_COLS_MAX) {
		fail(sh->book, ERR_INVALID, WHY_ARGS);
		return;
	}
	for (int i = 0; i < nvals; i++)
		if (vals[i] < 0 || vals[i] >= EXPORT_COLS_MAX) {
			fail(sh->book, ERR_INVALID, WHY_ARGS);
			return;
		}
	c = &sh->charts[sh->ncharts];
	memset(c, 0, sizeof(*c));
	if (title && !(c->title = copy_text(sh->book, title)))
		return;
	c->type = type;
	c->first = first;
	c->last = last;
	c->cat_col = cat_col;
	c->at_row = at_row;
	c->at_col = at_col;
	memcpy(c->vals, vals, (size_t)nvals * sizeof(*vals));
	c->nvals = nvals;
	sh->ncharts++;
}

void export_print(struct export_sheet *sh, int landscape, const char *left, const char *right,
		  int english)
{
	struct export_book *b = sh->book;

	if ((left ? strlen(left) : 0) + (right ? strlen(right) : 0) > EXPORT_FOOTER_MAX) {
		fail(b, ERR_TOOBIG, WHY_TOOLONG);
		return;
	}
	sh->print = 1;
	sh->landscape = landscape;
	sh->english = english;
	if (left)
		replace(b, &sh->foot_left, left);
	if (right)
		replace(b, &sh->foot_right, right);
}

/* ---- Writing ---- */

/* The roles a look is drawn in: the same fill and boldness, different lines. */
enum role { ROLE_BODY, ROLE_TOTALS, ROLE_HEADER, ROLES };

struct writer {
	const struct export_book *b;
	lxw_workbook *wb;
	lxw_format **formats; /* nstyles × ROLES, made when first used */
	lxw_format *title, *subtitle, *note;
	int plain; /* the look without fill or bold */
};

/* Black text on light fills, white on dark ones (perceived brightness). */
static int dark(int rgb)
{
	int r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, bl = rgb & 0xff;

	return 299 * r + 587 * g + 114 * bl < 140000;
}

static lxw_format *format_of(struct writer *w, int style, enum role role)
{
	lxw_format **slot = &w->formats[style * ROLES + role];
	const struct style *s = &w->b->styles[style];
	lxw_format *f;

	if (*slot)
		return *slot;
	f = workbook_add_format(w->wb);
	if (!f)
		return NULL;
	format_set_font_name(f, "等线");
	format_set_font_size(f, 10);
	format_set_border(f, LXW_BORDER_THIN);
	format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
	if (role == ROLE_HEADER || (s->flags & EXPORT_CENTER))
		format_set_align(f, LXW_ALIGN_CENTER);
	if (role != ROLE_BODY || (s->flags & EXPORT_BOLD))
		format_set_bold(f);
	if (role == ROLE_TOTALS)
		format_set_top(f, LXW_BORDER_DOUBLE);
	if (role == ROLE_HEADER || (s->flags & EXPORT_WRAP))
		format_set_text_wrap(f);
	if (s->fill >= 0) {
		format_set_bg_color(f, (lxw_color_t)s->fill);
		format_set_pattern(f, LXW_PATTERN_SOLID);
		if (dark(s->fill))
			format_set_font_color(f, LXW_COLOR_WHITE);
	} else if (role == ROLE_HEADER) {
		/* Headers without a colour of their own are light grey, as on paper forms. */
		format_set_bg_color(f, 0xe7e6e6);
		format_set_pattern(f, LXW_PATTERN_SOLID);
	}
	if (s->num_format)
		format_set_num_format(f, s->num_format);
	*slot = f;
	return f;
}

static int lxw_rc(lxw_error e)
{
	switch (e) {
	case LXW_NO_ERROR:
		return 0;
	case LXW_ERROR_MEMORY_MALLOC_FAILED:
		return ERR_NOMEM;
	case LXW_ERROR_32_STRING_LENGTH_EXCEEDED:
	case LXW_ERROR_128_STRING_LENGTH_EXCEEDED:
	case LXW_ERROR_255_STRING_LENGTH_EXCEEDED:
	case LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED:
	case LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE:
		return ERR_TOOBIG;
	case LXW_ERROR_PARAMETER_VALIDATION:
	case LXW_ERROR_SHEETNAME_LENGTH_EXCEEDED:
	case LXW_ERROR_INVALID_SHEETNAME_CHARACTER:
	case LXW_ERROR_SHEETNAME_START_END_APOSTROPHE:
	case LXW_ERROR_SHEETNAME_ALREADY_USED:
		return ERR_INVALID;
	default:
		return ERR_IO;
	}
}

static int by_position(const void *a, const void *b)
{
	const struct cell *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int write_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const struct cell *cell,
		      lxw_format *f)
{
	lxw_datetime dt;

	switch (cell->kind) {
	case K_TEXT:
		/* An empty text is a bordered blank, not an empty shared string. */
		if (!cell->v.text[0])
			return lxw_rc(worksheet_write_blank(ws, r, c, f));
		return lxw_rc(worksheet_write_string(ws, r, c, cell->v.text, f));
	case K_INT:
		return lxw_rc(worksheet_write_number(ws, r, c, (double)cell->v.i, f));
	case K_NUMBER:
		return lxw_rc(worksheet_write_number(ws, r, c, cell->v.d, f));
	default:
		memset(&dt, 0, sizeof(dt));
		dt.year = cell->v.date[0];
		dt.month = cell->v.date[1];
		dt.day = cell->v.date[2];
		return lxw_rc(worksheet_write_datetime(ws, r, c, &dt, f));
	}
}

/* Appends s to out with every '&' doubled (a header/footer control character). */
static void footer_text(char *out, size_t size, const char *s)
{
	size_t n = strlen(out);

	for (; s && *s && n + 2 < size; s++) {
		if (*s == '&')
			out[n++] = '&';
		out[n++] = *s;
	}
	out[n] = '\0';
}

static int by_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int span_by_position(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->row != y->row)
		return (x->row > y->row) - (x->row < y->row);
	return (x->col > y->col) - (x->col < y->col);
}

/* One chart over the body's cells (export_chart); head_row is the last header row. */
static int write_chart(struct writer *w, lxw_worksheet *ws, const struct export_sheet *sh,
		       const struct chart *c, int head_row, int body, int nhead)
{
	lxw_chart *chart = workbook_add_chart(
		w->wb, c->type == EXPORT_CHART_LINE ? LXW_CHART_LINE : LXW_CHART_COLUMN);
	lxw_chart_options opt = {.x_scale = 1.5, .y_scale = 1.1111};

	if (!chart)
		return ERR_NOMEM;
	if (c->title)
		chart_title_set_name(chart, c->title);
	for (int i = 0; i < c->nvals; i++) {
		lxw_chart_series *series = chart_add_series(chart, NULL, NULL);

		if (!series)
			return ERR_NOMEM;
		chart_series_set_categories(series, sh->name, (lxw_row_t)(body + c->first),
					    (lxw_col_t)c->cat_col, (lxw_row_t)(body + c->last),
					    (lxw_col_t)c->cat_col);
		chart_series_set_values(series, sh->name, (lxw_row_t)(body + c->first),
					(lxw_col_t)c->vals[i], (lxw_row_t)(body + c->last),
					(lxw_col_t)c->vals[i]);
		if (nhead)
			chart_series_set_name_range(series, sh->name, (lxw_row_t)head_row,
						    (lxw_col_t)c->vals[i]);
	}
	chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
	return lxw_rc(worksheet_insert_chart_opt(ws, (lxw_row_t)(body + c->at_row),
						 (lxw_col_t)c->at_col, chart, &opt));
}

static int write_sheet(struct writer *w, struct export_sheet *sh)
{
	lxw_worksheet *ws = workbook_add_worksheet(w->wb, sh->name);
	int ncols = sh->nwidths, nhead = 0, nrows = 0, top = 0, body, rc = 0;
	lxw_format *blank_body, *blank_totals, *blank_head;

	if (!ws)
		return ERR_NOMEM;
	/* The table's size: the widest of what was declared and written. */
	for (int i = 0; i < sh->nheads; i++) {
		const struct head *h = &sh->heads[i];

		if (h->hrow + h->rows > nhead)
			nhead = h->hrow + h->rows;
		if (h->col + h->cols > ncols)
			ncols = h->col + h->cols;
	}
	for (int i = 0; i < sh->ncells; i++) {
		if (sh->cells[i].col + 1 > ncols)
			ncols = sh->cells[i].col + 1;
		if (sh->cells[i].row + 1 > nrows)
			nrows = sh->cells[i].row + 1;
	}
	for (int i = 0; i < sh->nspans; i++) {
		if (sh->spans[i].col + sh->spans[i].cols > ncols)
			ncols = sh->spans[i].col + sh->spans[i].cols;
		if (sh->spans[i].row + 1 > nrows)
			nrows = sh->spans[i].row + 1;
	}
	for (int i = 0; i < sh->ntotals; i++)
		if (sh->totals[i] + 1 > nrows)
			nrows = sh->totals[i] + 1;
	if (ncols < 1)
		ncols = 1;
	if (sh->freeze_cols >= ncols)
		return ERR_INVALID;
	if ((long)nrows + nhead + sh->nnotes + 3 > EXPORT_ROWS_MAX)
		return ERR_TOOBIG;

	for (int c = 0; c < sh->nwidths; c++)
		if (sh->widths[c] > 0 &&
		    (rc = lxw_rc(worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, sh->widths[c],
						      NULL))))
			return rc;

	if (sh->title) {
		rc = lxw_rc(ncols > 1 ? worksheet_merge_range(ws, 0, 0, 0, (lxw_col_t)(ncols - 1),
							      sh->title, w->title)
				      : worksheet_write_string(ws, 0, 0, sh->title, w->title));
		if (rc == 0)
			rc = lxw_rc(worksheet_set_row(ws, 0, 30, NULL));
		top++;
	}
	if (rc == 0 && sh->subtitle) {
		rc = lxw_rc(ncols > 1 ? worksheet_merge_range(ws, (lxw_row_t)top, 0, (lxw_row_t)top,
							      (lxw_col_t)(ncols - 1), sh->subtitle,
							      w->subtitle)
				      : worksheet_write_string(ws, (lxw_row_t)top, 0, sh->subtitle,
							       w->subtitle));
		top++;
	}
	if (rc < 0)
		return rc;

	/* The plain look (no fill, not bold) in each role draws the table's
	 * empty cells, so the grid has its lines everywhere. */
	blank_body = format_of(w, w->plain, ROLE_BODY);
	blank_totals = format_of(w, w->plain, ROLE_TOTALS);
	blank_head = format_of(w, w->plain, ROLE_HEADER);
	if (!blank_body || !blank_totals || !blank_head)
		return ERR_NOMEM;

	for (int r = 0; r < nhead && rc == 0; r++)
		for (int c = 0; c < ncols && rc == 0; c++)
			rc = lxw_rc(worksheet_write_blank(ws, (lxw_row_t)(top + r), (lxw_col_t)c,
							  blank_head));
	for (int i = 0; i < sh->nheads && rc == 0; i++) {
		const struct head *h = &sh->heads[i];
		lxw_format *f = format_of(w, h->style, ROLE_HEADER);
		lxw_row_t r0 = (lxw_row_t)(top + h->hrow), r1 = (lxw_row_t)(r0 + h->rows - 1);
		lxw_col_t c0 = (lxw_col_t)h->col, c1 = (lxw_col_t)(h->col + h->cols - 1);

		if (!f)
			return ERR_NOMEM;
		if (r0 != r1 || c0 != c1)
			rc = lxw_rc(worksheet_merge_range(ws, r0, c0, r1, c1, h->text, f));
		else
			rc = lxw_rc(worksheet_write_string(ws, r0, c0, h->text, f));
	}
	if (rc < 0)
		return rc;

	/* The body, walked in order of position: each cell written once (the
	 * last write of a position), the empty ones as bordered blanks. */
	body = top + nhead;
	/* An array never grown is NULL, and qsort's pointer must not be even
	 * for no elements: a sheet without merged cells or totals rows. */
	if (sh->ncells > 0)
		qsort(sh->cells, (size_t)sh->ncells, sizeof(*sh->cells), by_position);
	if (sh->nspans > 0)
		qsort(sh->spans, (size_t)sh->nspans, sizeof(*sh->spans), span_by_position);
	if (sh->ntotals > 0)
		qsort(sh->totals, (size_t)sh->ntotals, sizeof(*sh->totals), by_int);
	for (int r = 0, i = 0, s = 0, t = 0; r < nrows && rc == 0; r++) {
		int totals;

		while (t < sh->ntotals && sh->totals[t] < r)
			t++;
		totals = t < sh->ntotals && sh->totals[t] == r;

		for (int c = 0; c < ncols && rc == 0; c++) {
			const struct cell *cell = NULL;
			const struct span *sp;
			lxw_format *f;

			while (i < sh->ncells && sh->cells[i].row == r && sh->cells[i].col == c)
				cell = &sh->cells[i++];
			f = cell ? format_of(w, cell->style, totals ? ROLE_TOTALS : ROLE_BODY)
				 : (totals ? blank_totals : blank_body);
			if (!f)
				return ERR_NOMEM;
			/* A span starting under an earlier one is hidden by it. */
			while (s < sh->nspans && (sh->spans[s].row < r ||
						  (sh->spans[s].row == r && sh->spans[s].col < c)))
				s++;
			sp = s < sh->nspans && sh->spans[s].row == r && sh->spans[s].col == c
				     ? &sh->spans[s]
				     : NULL;
			if (sp) {
				/* The merge draws its format over the whole range; a
				 * number or date is written over its first cell after. */
				rc = lxw_rc(worksheet_merge_range(
					ws, (lxw_row_t)(body + r), (lxw_col_t)c,
					(lxw_row_t)(body + r), (lxw_col_t)(c + sp->cols - 1),
					cell && cell->kind == K_TEXT ? cell->v.text : "", f));
				if (rc == 0 && cell && cell->kind != K_TEXT)
					rc = write_cell(ws, (lxw_row_t)(body + r), (lxw_col_t)c,
							cell, f);
				/* Cells written under the merge are hidden by it. */
				while (i < sh->ncells && sh->cells[i].row == r &&
				       sh->cells[i].col < c + sp->cols)
					i++;
				c += sp->cols - 1;
			} else if (cell) {
				rc = write_cell(ws, (lxw_row_t)(body + r), (lxw_col_t)c, cell, f);
			} else {
				rc = lxw_rc(worksheet_write_blank(ws, (lxw_row_t)(body + r),
								  (lxw_col_t)c, f));
			}
		}
	}
	if (rc < 0)
		return rc;

	for (int i = 0; i < sh->ncharts && rc == 0; i++)
		rc = write_chart(w, ws, sh, &sh->charts[i], top + nhead - 1, body, nhead);
	if (rc < 0)
		return rc;

	/* Notes one row under the table, each merged across it. */
	for (int n = 0; n < sh->nnotes && rc == 0; n++) {
		lxw_row_t r = (lxw_row_t)(body + nrows + 1 + n);

		rc = lxw_rc(ncols > 1 ? worksheet_merge_range(ws, r, 0, r, (lxw_col_t)(ncols - 1),
							      sh->notes[n], w->note)
				      : worksheet_write_string(ws, r, 0, sh->notes[n], w->note));
	}
	if (rc < 0)
		return rc;

	if (nhead || sh->freeze_cols)
		worksheet_freeze_panes(ws, (lxw_row_t)(nhead ? body : 0),
				       (lxw_col_t)sh->freeze_cols);
	if (sh->print) {
		char footer[512] = "&L";

		worksheet_set_paper(ws, 9); /* A4 */
		if (sh->landscape)
			worksheet_set_landscape(ws);
		else
			worksheet_set_portrait(ws);
		worksheet_fit_to_pages(ws, 1, 0);
		worksheet_center_horizontally(ws);
		worksheet_set_margins(ws, 0.4, 0.4, 0.5, 0.7);
		if (nhead)
			rc = lxw_rc(worksheet_repeat_rows(ws, (lxw_row_t)top,
							  (lxw_row_t)(top + nhead - 1)));
		footer_text(footer, sizeof(footer), sh->foot_left);
		strcat(footer, sh->english ? "&CPage &P of &N&R" : "&C第 &P 页，共 &N 页&R");
		footer_text(footer, sizeof(footer), sh->foot_right);
		if (rc == 0)
			rc = lxw_rc(worksheet_set_footer(ws, footer));
	}
	return rc;
}

static int write_book(struct export_book *b, const char *path)
{
	struct writer w = {b, NULL, NULL, NULL, NULL, NULL, 0};
	int rc = 0;

	w.plain = style_of(b, NULL);
	if (w.plain < 0)
		return b->rc;
	w.formats = calloc((size_t)b->nstyles, ROLES * sizeof(*w.formats));
	w.wb = w.formats ? workbook_new(path) : NULL;
	if (!w.wb) {
		free(w.formats);
		return ERR_NOMEM;
	}
	w.title = workbook_add_format(w.wb);
	w.subtitle = workbook_add_format(w.wb);
	w.note = workbook_add_format(w.wb);
	if (!w.title || !w.subtitle || !w.note) {
		rc = ERR_NOMEM;
		goto done;
	}
	format_set_font_name(w.title, "等线");
	format_set_font_size(w.title, 16);
	format_set_bold(w.title);
	format_set_align(w.title, LXW_ALIGN_CENTER);
	format_set_align(w.title, LXW_ALIGN_VERTICAL_CENTER);
	format_set_font_name(w.subtitle, "等线");
	format_set_font_size(w.subtitle, 10);
	format_set_align(w.subtitle, LXW_ALIGN_CENTER);
	format_set_font_name(w.note, "等线");
	format_set_font_size(w.note, 10);
	format_set_align(w.note, LXW_ALIGN_LEFT);
	for (int i = 0; i < b->nsheets && rc == 0; i++)
		rc = write_sheet(&w, b->sheets[i]);
done : {
	/* Closing writes the file; it also frees the workbook when
	 * something above failed. */
	int closed = lxw_rc(workbook_close(w.wb));

	if (rc == 0)
		rc = closed;
}
	free(w.formats);
	return rc;
}

static int why_set(struct err_info *ei, int rc, enum why why)
{
	switch (why) {
	case WHY_TEXT:
		return err_set(ei, rc, NULL, "the spreadsheet has text that is not UTF-8");
	case WHY_TOOLONG:
		return err_set(ei, rc, NULL, "the spreadsheet has a text too long for a cell");
	case WHY_LIMIT:
		return err_set(ei, rc, NULL, "the spreadsheet is too large");
	case WHY_FILL:
		return err_set(ei, rc, NULL, "the spreadsheet has a colour that is not #rrggbb");
	case WHY_NAME:
		return err_set(ei, rc, NULL, "the spreadsheet has a sheet name Excel refuses");
	case WHY_ARGS:
		return err_set(ei, rc, NULL, "the spreadsheet's layout is out of range");
	case WHY_NOMEM:
	case WHY_NONE:
	default:
		return err_set(ei, rc, NULL, "the spreadsheet could not be written");
	}
}

int export_write(struct export_book *b, struct buf *out, struct err_info *ei)
{
	char path[64];
	size_t len, got = 0;
	off_t end;
	int fd, rc;

	if (b->rc)
		return why_set(ei, b->rc, b->why);
	if (!b->nsheets)
		return why_set(ei, ERR_INVALID, WHY_ARGS);
	/* An anonymous file in memory: libxlsxwriter opens it by name, and the
	 * name lives only as long as this descriptor. */
	fd = memfd_create("kefu-export", MFD_CLOEXEC);
	if (fd < 0)
		return why_set(ei, errno == ENOMEM ? ERR_NOMEM : ERR_IO, WHY_NONE);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* write_book sorts each sheet's cells in place (the order written is
	 * kept in seq, so the description means the same afterwards). */
	rc = write_book(b, path);
	if (rc < 0)
		goto done;
	end = lseek(fd, 0, SEEK_END);
	if (end <= 0) {
		rc = ERR_IO;
		goto done;
	}
	len = (size_t)end;
	rc = buf_grow(out, len);
	while (rc == 0 && got < len) {
		ssize_t n = pread(fd, out->p + out->len + got, len - got, (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			rc = ERR_IO;
		else
			got += (size_t)n;
	}
	if (rc == 0) {
		out->len += len;
		out->p[out->len] = '\0';
	}
done:
	close(fd);
	return rc < 0 ? why_set(ei, rc, WHY_NONE) : 0;
}

void export_signed(struct export_sheet *sh, int landscape, const char *made_by, const char *made_on,
		   int english)
{
	char text[400];

	snprintf(text, sizeof(text),
		 english ? "Made by: %s    Date: %s" : "制表：%s    制表日期：%s", made_by,
		 made_on);
	export_note(sh, text);
	export_note(sh, english ? "Reviewed by:" : "审核：");
	export_print(sh, landscape, english ? "Made by:" : "制表人：",
		     english ? "Reviewed by:" : "审核：", english);
}
