/*
 * export — spreadsheets (.xlsx) in the center's own layouts: the roster
 * (排班表), the monthly attendance sheet and, later, the reports are all
 * written through this one module.
 *
 * A caller describes a sheet and this module turns the description into the
 * bytes of an .xlsx file in memory. The description is the layout of a
 * paper form, top to bottom:
 *
 *   - a title row and a subtitle row, each merged across the whole table;
 *   - one or two header rows; a header may span columns (a group header
 *     over the days of a week) and rows (工号 over both header rows);
 *   - the columns, each with its width in characters;
 *   - the body: rows of cells, each text, a whole number, a number with
 *     its own number format ("0.0") or a date, each cell with an optional
 *     fill colour (#rrggbb; the text turns white on a dark fill) and bold;
 *     body cells may be merged across columns; a row may be marked as the
 *     totals row (bold, a double line above);
 *   - notes under the table (制表 / 审核 / 发布日期 lines), one per row;
 *   - the freeze panes: under the header rows and beside the first columns;
 *   - the print setup: A4, landscape or portrait, fit to one page wide,
 *     the header rows repeated on every page, and a footer with the page
 *     numbers between 制表人 and 审核 lines of the caller's choosing.
 *
 * Body rows and columns are numbered from 0 where the body starts; the
 * module places them under the title, subtitle and header rows. Every text
 * is copied into the description, so the caller's strings may go at once;
 * every text must be valid UTF-8 (Chinese names survive as they are).
 *
 * How it writes: libxlsxwriter (Debian's libxlsxwriter-dev) writes
 * workbooks to a file name only. export_write gives it an anonymous
 * in-memory file (memfd_create, opened through /proc/self/fd), reads the
 * bytes back into a buffer and closes it, so people's schedules never lie
 * in a named file on disk and nothing is left behind, whatever fails.
 * libxlsxwriter's own working files are unnamed temporary files
 * (tmpfile(3)). Each failure is one code of core/err.h: ERR_NOMEM,
 * ERR_TOOBIG past Excel's limits (1 048 576 rows, 16 384 columns, 32 767
 * characters in a cell) or this module's (EXPORT_CELLS_MAX cells), ERR_INVALID
 * for text that is not UTF-8 or a sheet name Excel refuses, ERR_IO when
 * writing fails. The first error is kept in the description and reported
 * by export_write, so a layout is built without checking every call.
 *
 * The HTTP side (export_api.c, so this module sits above http/): the
 * answer to a download, with the spreadsheet's Content-Type, an
 * attachment Content-Disposition carrying an ASCII file name and the
 * UTF-8 one as filename* (RFC 6266, RFC 5987), and, like every answer of
 * kefu's server, Cache-Control: no-store, so no cache keeps people's
 * personal data.
 *
 * It also reads: the first sheet of a workbook someone uploads, cell by
 * cell (export_read.c, libzip and expat), for the imports of the modules
 * above it, so there is one reader of .xlsx as there is one writer.
 *
 * Layers: core, http; libxlsxwriter, libzip, expat. It knows no domain.
 */
#ifndef KEFU_EXPORT_EXPORT_H
#define KEFU_EXPORT_EXPORT_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct err_info;
struct req;

/* Excel's limits and this module's. */
#define EXPORT_ROWS_MAX 1048576
#define EXPORT_COLS_MAX 16384
#define EXPORT_TEXT_MAX 32767	 /* characters in a cell */
#define EXPORT_CELLS_MAX 2000000 /* cells in one workbook: about 100 MB of description */
#define EXPORT_SHEETS_MAX 16
#define EXPORT_NOTES_MAX 16
/* Bytes of a footer's two lines together (Excel takes 255 in all). */
#define EXPORT_FOOTER_MAX 200

/* A cell's look. fill NULL or "" is none; flags are EXPORT_BOLD, ... */
#define EXPORT_BOLD 1u
#define EXPORT_CENTER 2u /* centred; text is left-aligned and numbers right-aligned otherwise */
#define EXPORT_WRAP 4u	 /* long text wraps in its cell */

struct export_style {
	const char *fill; /* "#rrggbb", or NULL */
	unsigned flags;
	const char *num_format; /* numbers and dates: "0.0", "yyyy-mm-dd"; NULL the default */
};

struct export_book;
struct export_sheet;

/* ---- The description ---- */

/* A new empty workbook; NULL when out of memory. */
struct export_book *export_book_new(void);
void export_book_free(struct export_book *b);
/* The first error of any call on the book or its sheets, 0 when none. */
int export_book_error(const struct export_book *b);
/*
 * The end of every layout: the book described whole goes to *out (0), or,
 * when any call on it failed, is freed and its first error returned.
 */
int export_book_done(struct export_book *b, struct export_book **out);

/* A new sheet at the end of the workbook, named name (the tab, at most 31
 * characters, none of []:*?/\); NULL when it cannot be added (the book keeps
 * the error). */
struct export_sheet *export_sheet_add(struct export_book *b, const char *name);

/* The title and subtitle rows, merged across every column. */
void export_title(struct export_sheet *sh, const char *title);
void export_subtitle(struct export_sheet *sh, const char *subtitle);
/* Column col's width in characters (a CJK character is about 2). Columns
 * declared here or written in make the table's width. */
void export_column(struct export_sheet *sh, int col, double width);
/*
 * A header cell at header row hrow (0 or 1) and column col, spanning rows
 * header rows and cols columns (merged when more than one cell). Header
 * cells are bold and centred; style adds a fill (a holiday's column).
 */
void export_header(struct export_sheet *sh, int hrow, int col, int rows, int cols, const char *text,
		   const struct export_style *style);

/* Body cells at (row, col). style may be NULL. */
void export_text(struct export_sheet *sh, int row, int col, const char *text,
		 const struct export_style *style);
void export_int(struct export_sheet *sh, int row, int col, int64_t v,
		const struct export_style *style);
void export_number(struct export_sheet *sh, int row, int col, double v,
		   const struct export_style *style);
/* A date cell (Excel's serial date, shown as style's num_format or yyyy-mm-dd). */
void export_date(struct export_sheet *sh, int row, int col, int year, int month, int day,
		 const struct export_style *style);
/* Merges body cells (row, col) .. (row, col + cols − 1); the first cell's
 * value and style show. */
void export_merge(struct export_sheet *sh, int row, int col, int cols);
/* Marks body row as the totals row: bold, with a double line above it. */
void export_totals(struct export_sheet *sh, int row);
/* A note under the table, merged across it (制表 / 审核 / 发布日期). */
void export_note(struct export_sheet *sh, const char *text);
/* Freezes the title, subtitle and header rows and the first cols columns. */
void export_freeze(struct export_sheet *sh, int cols);
/*
 * The print setup: landscape or portrait, A4, fit to one page wide, the
 * header rows on every page, and a footer: left (e.g. "制表人：") on the
 * left, "第 n 页，共 m 页" (or "Page n of m" when english) in the middle
 * and right (e.g. "审核：") on the right. left and right may be NULL;
 * together at most EXPORT_FOOTER_MAX bytes (else ERR_TOOBIG).
 */
void export_print(struct export_sheet *sh, int landscape, const char *left, const char *right,
		  int english);

/*
 * The foot of a center's paper form: the notes "制表：made_by 制表日期：made_on"
 * and "审核：" (English when english) under the table, and the print setup
 * with "制表人：" and "审核：" in the page footer (export_print).
 */
void export_signed(struct export_sheet *sh, int landscape, const char *made_by, const char *made_on,
		   int english);

/*
 * Charts (issue 20: a report's chart beside its table). A chart reads the
 * sheet's own body cells, so the file stays one source of truth and Excel
 * redraws it when someone edits a figure: categories from body column
 * cat_col and one series per column of vals, rows first..last of the body,
 * each series named by that column's header (the last header row) when
 * the sheet has headers. The chart floats over the cells with its top-left
 * corner at body row at_row, column at_col (beside or under the table),
 * 720 × 320 pixels. At most EXPORT_CHARTS_MAX charts a sheet and
 * EXPORT_SERIES_MAX series a chart (ERR_TOOBIG); a range outside the body
 * is ERR_INVALID. libxlsxwriter writes it as a DrawingML chart part
 * (xl/charts/chartN.xml) anchored in the sheet's drawing.
 */
#define EXPORT_CHARTS_MAX 4
#define EXPORT_SERIES_MAX 8
enum export_chart_type { EXPORT_CHART_COLUMN, EXPORT_CHART_LINE };
void export_chart(struct export_sheet *sh, enum export_chart_type type, const char *title,
		  int first, int last, int cat_col, const int *vals, int nvals, int at_row,
		  int at_col);

/* ---- Writing ---- */

/*
 * Writes the workbook as .xlsx into out (appended to what out holds). On
 * error out is left as it was and ei (when not NULL) says what went wrong.
 * It sorts the description's cells in place, so b is not const; the same
 * book may be written again.
 */
int export_write(struct export_book *b, struct buf *out, struct err_info *ei);

/* ---- Reading (export_read.c, no I/O: libzip and expat over bytes) ---- */

/* Each non-empty cell of the first sheet of the .xlsx in z, rows in order,
 * numbers as written and shared strings resolved: cell() returning a
 * negative value stops. 0, or ERR_UNPROCESSABLE (ei: file) for what is not
 * a readable workbook (a member that would inflate past 32 MiB included). */
int export_xlsx_read(const unsigned char *z, size_t len,
		     int (*cell)(void *ctx, int row, int col, const char *text), void *ctx,
		     struct err_info *ei);

/* The same a row at a time, for sheets read by their columns (an import):
 * row() gets each row that has a cell, in order, with cells[0] to
 * cells[EXPORT_ROW_COLS - 1] ("" where empty; later columns are left out);
 * returning a negative value stops, and that value is returned. */
#define EXPORT_ROW_COLS 32
int export_xlsx_rows(const unsigned char *z, size_t len,
		     int (*row)(void *ctx, int row, const char *const *cells), void *ctx,
		     struct err_info *ei);

/* ---- HTTP (export_api.c) ---- */

/* ---- The center's forms ---- */

/*
 * The center's forms (LED-2). Every paper form kefu keeps (电话接听记录表,
 * 工作统计一览表, 客服中心排班表, ...) is registered once at start-up, from
 * cli's wire(), by the module that owns it, with how to build its
 * workbook for a period. The registry is what the forms page lists, what
 * GET /api/forms/{code}.xlsx builds and what the scheduled reports
 * deliver; the owning module keeps its live view (page) and, if it has
 * one, its own download route. docs/forms.md tells how to add a form.
 *
 * build gets a period of the center's days and the scope the caller may
 * see (department_id > 0: one department; 0: the whole center), and
 * describes the workbook into *out (export_book_done), reading on s (a
 * read snapshot taken by the caller). It knows nothing of who asked
 * beyond person_id (the 制表 line), since the caller has authorized
 * form->action and the export permission already.
 */
enum export_period {
	EXPORT_PERIOD_DAY,   /* one day: from_ymd = to_ymd */
	EXPORT_PERIOD_WEEK,  /* Monday to Sunday */
	EXPORT_PERIOD_MONTH, /* the 1st to the month's last day */
	EXPORT_PERIOD_RANGE  /* any range of days the form accepts */
};

struct store;
struct config;

struct export_form_args {
	int from_ymd, to_ymd;	/* YYYYMMDD, inclusive, in the center's zone */
	int64_t department_id;	/* 0: the whole center; > 0: one department */
	int64_t person_id;	/* who asked, or the scheduled report's owner */
	int english;
	/* Added by the forms API (issue 20): the moment the form is made (the
	 * 制表日期 line, "this month"), the server's configuration (the
	 * center's name for titles, figures' thresholds) and the name on the
	 * 制表 line (who asked, or 系统 for a scheduled report). */
	int64_t now;
	const struct config *cfg;
	const char *made_by;
	int64_t start, end; /* the period's [start, end) in UTC ms (the zone's midnights) */
};

struct export_form {
	const char *code;     /* the key in URLs, [a-z0-9_]: "call_sheet" */
	const char *title;    /* the form's Chinese name: "电话接听记录表" */
	const char *title_en; /* its English name */
	const char *page;     /* the workbench page with the live view: "/reports/calls" */
	int action;	      /* enum action (auth.h) that reading it needs; the file needs export too */
	enum export_period period;
	int (*build)(struct store *s, const struct export_form_args *a, struct export_book **out);
};

/* Registers a form at start-up; ERR_TOOBIG past EXPORT_FORMS_MAX, ERR_CONFLICT for a code twice. */
#define EXPORT_FORMS_MAX 64
int export_form_add(const struct export_form *f);
/* The form of a code, or NULL. */
const struct export_form *export_form_find(const char *code);
/* The registered forms in the order they were added. */
int export_form_count(void);
const struct export_form *export_form_at(int i);

#define EXPORT_XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/*
 * Answers the request with the workbook as a download: writes it, then sets
 * r->text, the spreadsheet's Content-Type and Content-Disposition:
 * attachment; filename="ascii_name"; filename*=UTF-8''<utf8_name
 * percent-encoded>. ascii_name is kefu's own (letters, digits, "._-" only);
 * utf8_name is the name people see (NULL: ascii_name alone); one too long
 * for the header (a long center name in it) leaves the file ascii_name
 * alone. Returns 0, or the error (ERR_INVALID for a name outside those
 * rules).
 */
int export_reply(struct req *r, struct export_book *b, const char *ascii_name,
		 const char *utf8_name);
/* The same for a workbook written already (a stored file): takes bytes
 * (left empty) on success. */
int export_reply_file(struct req *r, struct buf *bytes, const char *ascii_name,
		      const char *utf8_name);
/* Content-Disposition of an attachment named as export_reply names it, into
 * out; ERR_INVALID when a name breaks the rules or does not fit. */
int export_disposition(const char *ascii_name, const char *utf8_name, char *out, size_t size);

#endif
