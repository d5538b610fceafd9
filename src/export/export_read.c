/*
 * Reading the first sheet of an .xlsx in memory (the knowledge base's
 * import, a campaign's list of numbers; export.h tells the whole): the
 * file is a zip (read by libzip) holding XML parts (parsed by expat):
 * xl/sharedStrings.xml, the texts, and xl/worksheets/sheet1.xml, the
 * cells. Pure C over bytes, no I/O. Bounded: a member inflates to at most
 * EXPORT_READ_PART_MAX bytes (a zip bomb is refused), at most
 * EXPORT_READ_STRINGS_MAX shared strings.
 */
#include <expat.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/buf.h"
#include "core/err.h"
#include "export/export.h"

#define EXPORT_READ_PART_MAX (32u << 20)
#define EXPORT_READ_STRINGS_MAX 200000

/* The member named name, inflated into out: 0, ERR_NOTFOUND, or
 * ERR_UNPROCESSABLE for a broken or unsupported zip, or a member that would
 * inflate to more than EXPORT_READ_PART_MAX bytes (a zip bomb). libzip reads
 * the archive from the bytes in place. */
static int zip_member(const unsigned char *z, size_t len, const char *name, struct buf *out)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;
	zip_stat_t st;
	zip_file_t *f = NULL;
	zip_int64_t got = 0;
	int rc = 0;

	zip_error_init(&ze);
	src = zip_source_buffer_create(z, len, 0, &ze);
	if (!src) {
		zip_error_fini(&ze);
		return ERR_NOMEM;
	}
	za = zip_open_from_source(src, ZIP_RDONLY, &ze);
	zip_error_fini(&ze);
	if (!za) {
		zip_source_free(src);
		return ERR_UNPROCESSABLE;
	}
	zip_stat_init(&st);
	if (zip_stat(za, name, 0, &st) < 0)
		rc = ERR_NOTFOUND;
	else if (!(st.valid & ZIP_STAT_SIZE) || st.size > EXPORT_READ_PART_MAX)
		rc = ERR_UNPROCESSABLE;
	else if (!(f = zip_fopen(za, name, 0)))
		rc = ERR_UNPROCESSABLE;
	buf_reset(out);
	if (rc == 0 && buf_grow(out, (size_t)st.size + 1) < 0)
		rc = ERR_NOMEM;
	if (rc == 0) {
		got = zip_fread(f, out->p, st.size);
		if (got < 0 || (zip_uint64_t)got != st.size)
			rc = ERR_UNPROCESSABLE;
	}
	if (rc == 0) {
		out->len = (size_t)got;
		out->p[got] = '\0';
	}
	if (f)
		zip_fclose(f);
	zip_discard(za); /* frees the source too */
	return rc;
}

/* ---- XML ---- */

struct sst {
	char **s;
	size_t n, cap;
	int in_si, in_t;
	struct buf cur;
	int err;
};

static void sst_start(void *ud, const XML_Char *el, const XML_Char **attr)
{
	struct sst *x = ud;

	(void)attr;
	if (strcmp(el, "si") == 0) {
		x->in_si = 1;
		buf_reset(&x->cur);
	} else if (x->in_si && strcmp(el, "t") == 0) {
		x->in_t = 1;
	} else if (x->in_si && (strcmp(el, "rPh") == 0)) {
		x->in_t = -1; /* phonetic runs are not the text */
	}
}

static void sst_end(void *ud, const XML_Char *el)
{
	struct sst *x = ud;

	if (strcmp(el, "t") == 0 && x->in_t == 1) {
		x->in_t = 0;
	} else if (strcmp(el, "rPh") == 0) {
		x->in_t = 0;
	} else if (strcmp(el, "si") == 0 && x->in_si) {
		x->in_si = 0;
		if (x->n == x->cap) {
			size_t cap = x->cap ? x->cap * 2 : 64;
			char **s = cap <= EXPORT_READ_STRINGS_MAX ? realloc(x->s, cap * sizeof(*s))
								  : NULL;

			if (!s) {
				x->err = ERR_UNPROCESSABLE;
				return;
			}
			x->s = s;
			x->cap = cap;
		}
		x->s[x->n] = strdup(buf_str(&x->cur));
		if (!x->s[x->n])
			x->err = ERR_NOMEM;
		else
			x->n++;
	}
}

static void sst_text(void *ud, const XML_Char *s, int len)
{
	struct sst *x = ud;

	if (x->in_si && x->in_t == 1 && buf_append(&x->cur, s, (size_t)len) < 0)
		x->err = ERR_NOMEM;
}

struct sheet {
	const struct sst *sst;
	int (*cell)(void *ctx, int row, int col, const char *text);
	void *ctx;
	int row, col, in_c, in_v, in_t;
	char type[16];
	struct buf v;
	int err;
	XML_Parser p;
};

/* "BC12" → column 54, row 11 (0-based); -1 when malformed. */
static int cell_ref(const char *r, int *row, int *col)
{
	int c = 0, n = 0;

	for (; *r >= 'A' && *r <= 'Z'; r++)
		c = c * 26 + (*r - 'A' + 1);
	for (; *r >= '0' && *r <= '9'; r++)
		n = n * 10 + (*r - '0');
	if (*r || c == 0 || n == 0 || c > 16384 || n > 1048576)
		return -1;
	*row = n - 1;
	*col = c - 1;
	return 0;
}

static void sheet_start(void *ud, const XML_Char *el, const XML_Char **attr)
{
	struct sheet *x = ud;

	if (strcmp(el, "c") == 0) {
		x->in_c = 1;
		x->type[0] = '\0';
		x->row = x->col = -1;
		buf_reset(&x->v);
		for (int i = 0; attr[i]; i += 2) {
			if (strcmp(attr[i], "r") == 0 &&
			    cell_ref(attr[i + 1], &x->row, &x->col) < 0)
				x->row = -1;
			if (strcmp(attr[i], "t") == 0) {
				strncpy(x->type, attr[i + 1], sizeof(x->type) - 1);
				x->type[sizeof(x->type) - 1] = '\0';
			}
		}
	} else if (x->in_c && strcmp(el, "v") == 0) {
		x->in_v = 1;
	} else if (x->in_c && strcmp(el, "t") == 0) {
		x->in_t = 1; /* an inline string's text */
	}
}

static void sheet_end(void *ud, const XML_Char *el)
{
	struct sheet *x = ud;

	if (strcmp(el, "v") == 0) {
		x->in_v = 0;
	} else if (strcmp(el, "t") == 0) {
		x->in_t = 0;
	} else if (strcmp(el, "c") == 0 && x->in_c) {
		const char *text = buf_str(&x->v);

		x->in_c = 0;
		if (x->row < 0 || x->err)
			return;
		if (strcmp(x->type, "s") == 0) {
			char *end;
			unsigned long i = strtoul(text, &end, 10);

			if (end == text || *end || i >= x->sst->n) {
				x->err = ERR_UNPROCESSABLE;
				XML_StopParser(x->p, XML_FALSE);
				return;
			}
			text = x->sst->s[i];
		}
		if (*text && x->cell(x->ctx, x->row, x->col, text) < 0) {
			x->err = ERR_UNPROCESSABLE;
			XML_StopParser(x->p, XML_FALSE);
		}
	}
}

static void sheet_text(void *ud, const XML_Char *s, int len)
{
	struct sheet *x = ud;

	if (x->in_c && (x->in_v || x->in_t) && buf_append(&x->v, s, (size_t)len) < 0)
		x->err = ERR_NOMEM;
}

/* Parses xml with the handlers; ERR_UNPROCESSABLE when it is not well formed. */
static int parse(const struct buf *xml, void *ud, XML_StartElementHandler start,
		 XML_EndElementHandler end, XML_CharacterDataHandler text, XML_Parser *out)
{
	XML_Parser p = XML_ParserCreate("UTF-8");
	int ok;

	if (!p)
		return ERR_NOMEM;
	if (out)
		*out = p;
	XML_SetUserData(p, ud);
	XML_SetElementHandler(p, start, end);
	XML_SetCharacterDataHandler(p, text);
	ok = XML_Parse(p, xml->p ? xml->p : "", (int)xml->len, XML_TRUE) == XML_STATUS_OK;
	XML_ParserFree(p);
	return ok ? 0 : ERR_UNPROCESSABLE;
}

int export_xlsx_read(const unsigned char *z, size_t len,
		     int (*cell)(void *ctx, int row, int col, const char *text), void *ctx,
		     struct err_info *ei)
{
	struct buf part = BUF_INIT;
	struct sst sst;
	struct sheet sh;
	int rc;

	memset(&sst, 0, sizeof(sst));
	memset(&sh, 0, sizeof(sh));
	if (len > INT32_MAX)
		return err_set(ei, ERR_TOOBIG, "file", "file: not a readable .xlsx workbook");
	rc = zip_member(z, len, "xl/sharedStrings.xml", &part);
	if (rc == 0) {
		rc = parse(&part, &sst, sst_start, sst_end, sst_text, NULL);
		if (rc == 0)
			rc = sst.err;
	} else if (rc == ERR_NOTFOUND) {
		rc = 0; /* only numbers or inline strings */
	}
	if (rc == 0)
		rc = zip_member(z, len, "xl/worksheets/sheet1.xml", &part);
	if (rc == 0) {
		sh.sst = &sst;
		sh.cell = cell;
		sh.ctx = ctx;
		rc = parse(&part, &sh, sheet_start, sheet_end, sheet_text, &sh.p);
		if (sh.err)
			rc = sh.err;
	}
	for (size_t i = 0; i < sst.n; i++)
		free(sst.s[i]);
	free(sst.s);
	buf_release(&sst.cur);
	buf_release(&sh.v);
	buf_release(&part);
	if (rc == ERR_NOMEM)
		return rc;
	if (rc < 0 && !ei->message[0])
		return err_set(ei, ERR_UNPROCESSABLE, "file",
			       "file: not a readable .xlsx workbook");
	return rc;
}

/* export_xlsx_rows' state: the cells of the row being read. */
struct rows {
	int (*row)(void *ctx, int row, const char *const *cells);
	void *ctx;
	int at; /* the row being read, -1 before the first */
	char *cells[EXPORT_ROW_COLS];
	int rc;
};

/* Hands over the row read so far, then forgets it. */
static int rows_flush(struct rows *x)
{
	const char *cells[EXPORT_ROW_COLS];
	int rc = 0;

	if (x->at < 0)
		return 0;
	for (int c = 0; c < EXPORT_ROW_COLS; c++)
		cells[c] = x->cells[c] ? x->cells[c] : "";
	rc = x->row(x->ctx, x->at, cells);
	for (int c = 0; c < EXPORT_ROW_COLS; c++) {
		free(x->cells[c]);
		x->cells[c] = NULL;
	}
	return rc;
}

static int rows_cell(void *ctx, int row, int col, const char *text)
{
	struct rows *x = ctx;

	if (row != x->at) {
		x->rc = rows_flush(x);
		if (x->rc < 0)
			return x->rc;
		x->at = row;
	}
	if (col < EXPORT_ROW_COLS && !x->cells[col]) {
		x->cells[col] = strdup(text);
		if (!x->cells[col])
			return x->rc = ERR_NOMEM;
	}
	return 0;
}

int export_xlsx_rows(const unsigned char *z, size_t len,
		     int (*row)(void *ctx, int row, const char *const *cells), void *ctx,
		     struct err_info *ei)
{
	struct rows *x = calloc(1, sizeof(*x));
	int rc;

	if (!x)
		return ERR_NOMEM;
	x->row = row;
	x->ctx = ctx;
	x->at = -1;
	rc = export_xlsx_read(z, len, rows_cell, x, ei);
	if (x->rc < 0)
		rc = x->rc;
	if (rc == 0)
		rc = rows_flush(x); /* the last row */
	for (int c = 0; c < EXPORT_ROW_COLS; c++)
		free(x->cells[c]);
	free(x);
	return rc;
}
