/*
 * Unit tests of src/export: a sheet described, written to memory, and the
 * .xlsx read back part by part to check that it holds exactly what was
 * written: the shared strings and cells, the merges, the fills and fonts,
 * the totals row's line, the freeze panes and the print setup.
 *
 * An .xlsx file is a zip of XML parts. The test reads the parts with
 * unzip(1) (Debian's unzip, which mk/deps.sh installs with the other test
 * tools) rather than through libxlsxwriter's own structures: what must be
 * right is the file a supervisor opens, not the library's memory, and a zip
 * reader written here would be one more thing to get wrong.
 */
#include "testutil.h"

#include "core/buf.h"
#include "core/err.h"
#include "export/export.h"

/* The bytes of member of the zip in z (a path), as a C string. */
static char *unzip_member(const char *z, const char *member)
{
	char cmd[256];
	struct buf out = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "unzip -p '%s' '%s'", z, member);
	p = popen(cmd, "r");
	assert_non_null(p);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		assert_int_equal(buf_append(&out, chunk, n), 0);
	assert_int_equal(pclose(p), 0);
	assert_true(out.len > 0);
	return buf_detach(&out);
}

/* Writes b and keeps its bytes in a temporary file for unzip; the path in z. */
static void write_to_file(struct export_book *b, char *z, size_t size)
{
	struct buf bytes = BUF_INIT;
	struct err_info ei;
	int fd;

	memset(&ei, 0, sizeof(ei));
	assert_int_equal(export_write(b, &bytes, &ei), 0);
	assert_true(bytes.len > 100);
	assert_memory_equal(bytes.p, "PK\x03\x04", 4);
	snprintf(z, size, "/tmp/kefu-export-XXXXXX");
	fd = mkstemp(z);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes.p, bytes.len), (ssize_t)bytes.len);
	close(fd);
	buf_release(&bytes);
}

/* The n-th (0-based) element <tag ...>...</tag> or <tag .../> after the
 * first occurrence of within in xml, as a new string; NULL when none. */
static char *nth_element(const char *xml, const char *within, const char *tag, int n)
{
	char open[32], close_tag[32];
	const char *p = within ? strstr(xml, within) : xml, *e;
	size_t olen;

	assert_non_null(p);
	snprintf(open, sizeof(open), "<%s", tag);
	snprintf(close_tag, sizeof(close_tag), "</%s>", tag);
	olen = strlen(open);
	for (;;) {
		p = strstr(p, open);
		if (!p)
			return NULL;
		if (p[olen] == ' ' || p[olen] == '>' || p[olen] == '/')
			break;
		p += olen;
	}
	for (int i = 0; i < n; i++) {
		const char *q = p + olen;

		for (;;) {
			q = strstr(q, open);
			if (!q)
				return NULL;
			if (q[olen] == ' ' || q[olen] == '>' || q[olen] == '/')
				break;
			q += olen;
		}
		p = q;
	}
	e = strchr(p, '>');
	assert_non_null(e);
	if (e[-1] != '/') {
		e = strstr(p, close_tag);
		assert_non_null(e);
		e += strlen(close_tag) - 1;
	}
	return strndup(p, (size_t)(e - p + 1));
}

/* The value of attribute name in the element's opening tag, or "". */
static void attr(const char *el, const char *name, char *out, size_t size)
{
	char key[40];
	const char *p, *e;

	snprintf(key, sizeof(key), " %s=\"", name);
	out[0] = '\0';
	p = strstr(el, key);
	if (!p || p > strchr(el, '>'))
		return;
	p += strlen(key);
	e = strchr(p, '"');
	snprintf(out, size, "%.*s", (int)(e - p), p);
}

/* The cell ref's element in a sheet (<c r="B5" ...>), as a new string. */
static char *cell_el(const char *sheet, const char *ref)
{
	char key[32];
	const char *p, *e;

	snprintf(key, sizeof(key), "<c r=\"%s\"", ref);
	p = strstr(sheet, key);
	if (!p)
		return NULL;
	e = strchr(p, '>');
	if (e[-1] != '/')
		e = strstr(p, "</c>") + 3;
	return strndup(p, (size_t)(e - p + 1));
}

/* The text between <v> and </v> of a cell element, or "". */
static void cell_v(const char *el, char *out, size_t size)
{
	const char *p = strstr(el, "<v>"), *e;

	out[0] = '\0';
	if (!p)
		return;
	p += 3;
	e = strstr(p, "</v>");
	snprintf(out, size, "%.*s", (int)(e - p), p);
}

struct parts {
	char *sheet, *strings, *styles, *workbook;
};

/* The shared string a text cell of the sheet points at, or "" for another kind. */
static void cell_text(const struct parts *x, const char *ref, char *out, size_t size)
{
	char *el = cell_el(x->sheet, ref), t[8], v[16], *si;
	const char *p, *e;

	assert_non_null(el);
	attr(el, "t", t, sizeof(t));
	out[0] = '\0';
	if (strcmp(t, "s")) {
		free(el);
		return;
	}
	cell_v(el, v, sizeof(v));
	si = nth_element(x->strings, "<sst", "si", atoi(v));
	assert_non_null(si);
	p = strstr(si, "<t");
	p = strchr(p, '>') + 1;
	e = strstr(p, "</t>");
	snprintf(out, size, "%.*s", (int)(e - p), p);
	free(si);
	free(el);
}

/* The cell's format (<xf> of cellXfs) and from it its fill and font. */
static void cell_look(const struct parts *x, const char *ref, char *fill, size_t fsize, char *font,
		      size_t nsize, char *border, size_t bsize)
{
	char *el = cell_el(x->sheet, ref), s[16], id[16], *xf, *f;

	assert_non_null(el);
	attr(el, "s", s, sizeof(s));
	xf = nth_element(x->styles, "<cellXfs", "xf", atoi(s));
	assert_non_null(xf);
	attr(xf, "fillId", id, sizeof(id));
	f = nth_element(x->styles, "<fills", "fill", atoi(id));
	snprintf(fill, fsize, "%s", f);
	free(f);
	attr(xf, "fontId", id, sizeof(id));
	f = nth_element(x->styles, "<fonts", "font", atoi(id));
	snprintf(font, nsize, "%s", f);
	free(f);
	attr(xf, "borderId", id, sizeof(id));
	f = nth_element(x->styles, "<borders", "border", atoi(id));
	snprintf(border, bsize, "%s", f);
	free(f);
	free(xf);
	free(el);
}

static void parts_read(struct parts *x, const char *z)
{
	x->sheet = unzip_member(z, "xl/worksheets/sheet1.xml");
	x->strings = unzip_member(z, "xl/sharedStrings.xml");
	x->styles = unzip_member(z, "xl/styles.xml");
	x->workbook = unzip_member(z, "xl/workbook.xml");
}

static void parts_free(struct parts *x, const char *z)
{
	free(x->sheet);
	free(x->strings);
	free(x->styles);
	free(x->workbook);
	unlink(z);
}

static const struct export_style early = {"#f5a623", EXPORT_CENTER, NULL};
static const struct export_style night = {"#7b61ff", EXPORT_CENTER | EXPORT_BOLD, NULL};
static const struct export_style tenth = {NULL, 0, "0.0"};

/*
 * A roster-like sheet: title and subtitle, two header rows (工号 and 姓名
 * over both, a group header over two days), three agents, a merged label
 * under them, a totals row, two notes; frozen beside three columns,
 * printed landscape with a footer.
 */
static struct export_book *roster_like(void)
{
	struct export_book *b = export_book_new();
	struct export_sheet *sh;

	assert_non_null(b);
	sh = export_sheet_add(b, "排班表");
	assert_non_null(sh);
	export_title(sh, "客服中心排班表 2026年12月");
	export_subtitle(sh, "草稿");
	export_column(sh, 0, 8);
	export_column(sh, 1, 10);
	export_column(sh, 2, 12);
	export_header(sh, 0, 0, 2, 1, "工号", NULL);
	export_header(sh, 0, 1, 2, 1, "姓名", NULL);
	export_header(sh, 0, 2, 2, 1, "日期", NULL);
	export_header(sh, 0, 3, 1, 2, "第一周", NULL);
	export_header(sh, 1, 3, 1, 1, "1 周二", NULL);
	export_header(sh, 1, 4, 1, 1, "2 周三", &(struct export_style){"#ffd6d6", 0, NULL});
	export_header(sh, 0, 5, 2, 1, "工时", NULL);

	export_text(sh, 0, 0, "1001", NULL);
	export_text(sh, 0, 1, "张三", NULL);
	export_date(sh, 0, 2, 2026, 12, 1, NULL);
	export_text(sh, 0, 3, "早班", &early);
	export_text(sh, 0, 4, "夜班", &night);
	export_number(sh, 0, 5, 15.25, &tenth);

	export_text(sh, 1, 0, "1002", NULL);
	export_text(sh, 1, 1, "李四 & <王五>", NULL);
	export_text(sh, 1, 3, "假", NULL); /* overwritten below: the last write wins */
	export_text(sh, 1, 3, "休", NULL);
	export_int(sh, 1, 5, 0, NULL);

	export_text(sh, 2, 0, "1003", NULL);
	export_text(sh, 2, 1, "欧阳·娜娜", NULL);
	export_text(sh, 2, 4, "", &early); /* an empty text: a blank with its fill */
	export_int(sh, 2, 5, 8, NULL);

	export_text(sh, 3, 0, "早班人数", &(struct export_style){NULL, EXPORT_BOLD, NULL});
	export_merge(sh, 3, 0, 3);
	export_int(sh, 3, 3, 1, NULL);
	export_int(sh, 3, 4, 0, NULL);
	export_totals(sh, 4);
	export_text(sh, 4, 0, "合计", NULL);
	export_int(sh, 4, 5, 23, NULL);

	export_note(sh, "制表：张三    审核：    发布日期：2026-11-25");
	export_note(sh, "版本：草稿");
	export_freeze(sh, 3);
	export_print(sh, 1, "制表人：张三 & 李四", "审核：", 0);
	return b;
}

static void sheet_holds_what_was_written(void **state)
{
	struct export_book *b = roster_like();
	struct parts x;
	char z[64], s[256], fill[512], font[512], border[512];
	char *el;

	(void)state;
	write_to_file(b, z, sizeof(z));
	parts_read(&x, z);

	/* Title and subtitle on rows 1 and 2, headers on 3 and 4, the body from 5. */
	cell_text(&x, "A1", s, sizeof(s));
	assert_string_equal(s, "客服中心排班表 2026年12月");
	cell_text(&x, "A2", s, sizeof(s));
	assert_string_equal(s, "草稿");
	cell_text(&x, "A3", s, sizeof(s));
	assert_string_equal(s, "工号");
	cell_text(&x, "D3", s, sizeof(s));
	assert_string_equal(s, "第一周");
	cell_text(&x, "E4", s, sizeof(s));
	assert_string_equal(s, "2 周三");
	cell_text(&x, "B5", s, sizeof(s));
	assert_string_equal(s, "张三");
	cell_text(&x, "B6", s, sizeof(s));
	assert_string_equal(s, "李四 &amp; &lt;王五&gt;"); /* as XML escapes it */
	cell_text(&x, "B7", s, sizeof(s));
	assert_string_equal(s, "欧阳·娜娜");
	cell_text(&x, "D5", s, sizeof(s));
	assert_string_equal(s, "早班");
	cell_text(&x, "D6", s, sizeof(s));
	assert_string_equal(s, "休");
	assert_null(strstr(x.strings, "<t>假</t>")); /* overwritten, never written */
	cell_text(&x, "A8", s, sizeof(s));
	assert_string_equal(s, "早班人数");
	cell_text(&x, "A9", s, sizeof(s));
	assert_string_equal(s, "合计");

	/* Numbers and the date (Excel's serial day: 2026-12-01 is 46357). */
	el = cell_el(x.sheet, "F5");
	cell_v(el, s, sizeof(s));
	assert_string_equal(s, "15.25");
	free(el);
	el = cell_el(x.sheet, "F7");
	cell_v(el, s, sizeof(s));
	assert_string_equal(s, "8");
	free(el);
	el = cell_el(x.sheet, "F9");
	cell_v(el, s, sizeof(s));
	assert_string_equal(s, "23");
	free(el);
	el = cell_el(x.sheet, "C5");
	cell_v(el, s, sizeof(s));
	assert_string_equal(s, "46357");
	free(el);
	/* The number's and the date's formats. */
	assert_non_null(strstr(x.styles, "formatCode=\"0.0\""));
	assert_non_null(strstr(x.styles, "formatCode=\"yyyy-mm-dd\""));

	/* Empty cells of the table are there, bordered (C6 was never written). */
	el = cell_el(x.sheet, "C6");
	assert_non_null(el);
	assert_null(strstr(el, "<v>"));
	free(el);

	/* Merges: title and subtitle across the six columns, 工号 over both
	 * header rows, the week over two days, the label over three columns,
	 * each note across the table. */
	assert_non_null(strstr(x.sheet, "<mergeCell ref=\"A1:F1\"/>"));
	assert_non_null(strstr(x.sheet, "<mergeCell ref=\"A2:F2\"/>"));
	assert_non_null(strstr(x.sheet, "<mergeCell ref=\"A3:A4\"/>"));
	assert_non_null(strstr(x.sheet, "<mergeCell ref=\"F3:F4\"/>"));
	assert_non_null(strstr(x.sheet, "<mergeCell ref=\"D3:E3\"/>"));
	assert_non_null(strstr(x.sheet, "<mergeCell ref=\"A8:C8\"/>"));
	assert_non_null(strstr(x.sheet, "<mergeCell ref=\"A11:F11\"/>"));
	assert_non_null(strstr(x.sheet, "<mergeCell ref=\"A12:F12\"/>"));
	assert_non_null(strstr(x.sheet, "<mergeCells count=\"10\">"));
	cell_text(&x, "A11", s, sizeof(s));
	assert_string_equal(s, "制表：张三    审核：    发布日期：2026-11-25");

	/* Colours: 早班 on its orange with dark text, 夜班 on its violet in
	 * bold white, the holiday's header on its pink, the empty cell E7 keeps
	 * its fill; a plain cell has none. */
	cell_look(&x, "D5", fill, sizeof(fill), font, sizeof(font), border, sizeof(border));
	assert_non_null(strstr(fill, "rgb=\"FFF5A623\""));
	assert_null(strstr(font, "FFFFFFFF"));
	assert_null(strstr(font, "<b/>"));
	cell_look(&x, "E5", fill, sizeof(fill), font, sizeof(font), border, sizeof(border));
	assert_non_null(strstr(fill, "rgb=\"FF7B61FF\""));
	assert_non_null(strstr(font, "rgb=\"FFFFFFFF\""));
	assert_non_null(strstr(font, "<b/>"));
	cell_look(&x, "E4", fill, sizeof(fill), font, sizeof(font), border, sizeof(border));
	assert_non_null(strstr(fill, "rgb=\"FFFFD6D6\""));
	assert_non_null(strstr(font, "<b/>"));
	cell_look(&x, "E7", fill, sizeof(fill), font, sizeof(font), border, sizeof(border));
	assert_non_null(strstr(fill, "rgb=\"FFF5A623\""));
	cell_look(&x, "B5", fill, sizeof(fill), font, sizeof(font), border, sizeof(border));
	assert_null(strstr(fill, "rgb="));
	assert_non_null(strstr(border, "<top style=\"thin\">"));
	/* The totals row: bold with a double line above, also where nothing was written. */
	cell_look(&x, "F9", fill, sizeof(fill), font, sizeof(font), border, sizeof(border));
	assert_non_null(strstr(font, "<b/>"));
	assert_non_null(strstr(border, "<top style=\"double\">"));
	cell_look(&x, "C9", fill, sizeof(fill), font, sizeof(font), border, sizeof(border));
	assert_non_null(strstr(border, "<top style=\"double\">"));

	/* Frozen under the header rows and beside three columns. */
	assert_non_null(strstr(x.sheet, "xSplit=\"3\" ySplit=\"4\" topLeftCell=\"D5\" "
					"activePane=\"bottomRight\" state=\"frozen\""));
	/* Printed: A4 landscape, one page wide, the header rows on every
	 * page, the footer with its lines ('&' doubled) and page numbers. */
	assert_non_null(strstr(x.sheet, "<pageSetup paperSize=\"9\" fitToHeight=\"0\" "
					"orientation=\"landscape\"/>"));
	assert_non_null(strstr(x.sheet, "<pageSetUpPr fitToPage=\"1\"/>"));
	assert_non_null(strstr(x.sheet, "<oddFooter>&amp;L制表人：张三 &amp;&amp; 李四&amp;C第 "
					"&amp;P 页，共 &amp;N 页&amp;R审核：</oddFooter>"));
	assert_non_null(strstr(x.workbook, "<definedName name=\"_xlnm.Print_Titles\" "
					   "localSheetId=\"0\">'排班表'!$3:$4</definedName>"));
	assert_non_null(strstr(x.workbook, "<sheet name=\"排班表\""));
	parts_free(&x, z);
	export_book_free(b);
}

static void writing_twice_gives_the_same_cells(void **state)
{
	struct export_book *b = roster_like();
	struct buf one = BUF_INIT;
	struct parts x, y;
	char z1[64], z2[64];

	(void)state;
	/* The first write sorts the description; the second must mean the same. */
	assert_int_equal(export_write(b, &one, NULL), 0);
	write_to_file(b, z1, sizeof(z1));
	write_to_file(b, z2, sizeof(z2));
	parts_read(&x, z1);
	parts_read(&y, z2);
	assert_string_equal(x.sheet, y.sheet);
	assert_string_equal(x.strings, y.strings);
	parts_free(&x, z1);
	parts_free(&y, z2);
	buf_release(&one);
	export_book_free(b);
}

struct seen_rows {
	int n, stop_at;
	int rows[8];
	char cells[8][3][32];
};

static int seen_row(void *ctx, int row, const char *const *cells)
{
	struct seen_rows *v = ctx;

	if (v->n == v->stop_at)
		return ERR_CONFLICT;
	v->rows[v->n] = row;
	for (int c = 0; c < 3; c++)
		snprintf(v->cells[v->n][c], sizeof(v->cells[v->n][c]), "%s", cells[c]);
	v->n++;
	return 0;
}

/* export_xlsx_rows hands each row once, whole, in order: the cells an
 * import reads by column ("" where empty), numbers as written; a negative
 * answer stops the walk and is what it returns. */
static void rows_come_whole_and_in_order(void **state)
{
	struct export_book *b = export_book_new();
	struct export_sheet *sh = export_sheet_add(b, "名单");
	struct buf out = BUF_INIT;
	struct seen_rows v = {.stop_at = -1};
	struct err_info ei;

	(void)state;
	export_header(sh, 0, 0, 1, 1, "电话", NULL);
	export_header(sh, 0, 1, 1, 1, "姓名", NULL);
	export_text(sh, 0, 0, "13812345678", NULL);
	export_text(sh, 0, 1, "张三", NULL);
	export_int(sh, 2, 0, 2188886666, NULL); /* row 1 is empty, column 1 too */
	assert_int_equal(export_write(b, &out, NULL), 0);
	memset(&ei, 0, sizeof(ei));
	assert_int_equal(export_xlsx_rows((const unsigned char *)out.p, out.len, seen_row, &v, &ei),
			 0);
	assert_int_equal(v.n, 3);
	assert_string_equal(v.cells[0][0], "电话");
	assert_string_equal(v.cells[0][1], "姓名");
	assert_string_equal(v.cells[1][0], "13812345678");
	assert_string_equal(v.cells[1][1], "张三");
	assert_string_equal(v.cells[2][0], "2188886666");
	assert_string_equal(v.cells[2][1], "");
	assert_string_equal(v.cells[2][2], "");
	assert_true(v.rows[0] < v.rows[1] && v.rows[1] + 1 < v.rows[2]);
	/* Stopped at the second row: its answer comes back, nothing more is read. */
	memset(&v, 0, sizeof(v));
	v.stop_at = 1;
	assert_int_equal(export_xlsx_rows((const unsigned char *)out.p, out.len, seen_row, &v, &ei),
			 ERR_CONFLICT);
	assert_int_equal(v.n, 1);
	/* Not a workbook. */
	memset(&v, 0, sizeof(v));
	v.stop_at = -1;
	assert_int_equal(
		export_xlsx_rows((const unsigned char *)"PK\3\4junk", 8, seen_row, &v, &ei),
		ERR_UNPROCESSABLE);
	assert_int_equal(v.n, 0);
	buf_release(&out);
	export_book_free(b);
}

/* Each broken description is one error of core/err.h at export_write, and
 * the buffer keeps what it had. */
static void broken_descriptions_are_errors(void **state)
{
	struct export_book *b;
	struct export_sheet *sh;
	struct buf out = BUF_INIT;
	struct err_info ei;

	(void)state;
	assert_int_equal(buf_puts(&out, "kept"), 0);

	b = export_book_new();
	sh = export_sheet_add(b, "a");
	export_text(sh, 0, 0, "bad \xff byte", NULL);
	export_text(sh, 1, 0, "fine", NULL); /* ignored once the book has failed */
	memset(&ei, 0, sizeof(ei));
	assert_int_equal(export_write(b, &out, &ei), ERR_INVALID);
	assert_string_equal(ei.message, "the spreadsheet has text that is not UTF-8");
	assert_string_equal(ei.message_zh, "电子表格中有不是有效 UTF-8 的文本");
	export_book_free(b);

	b = export_book_new();
	sh = export_sheet_add(b, "a");
	export_text(sh, 0, 0, "x", &(struct export_style){"orange", 0, NULL});
	assert_int_equal(export_write(b, &out, NULL), ERR_INVALID);
	export_book_free(b);

	b = export_book_new();
	assert_null(export_sheet_add(b, "a/b"));
	assert_int_equal(export_write(b, &out, NULL), ERR_INVALID);
	export_book_free(b);

	b = export_book_new();
	assert_non_null(export_sheet_add(b, "排班表"));
	assert_null(export_sheet_add(b, "排班表"));
	assert_int_equal(export_book_error(b), ERR_INVALID);
	export_book_free(b);

	b = export_book_new();
	sh = export_sheet_add(b, "a");
	export_text(sh, EXPORT_ROWS_MAX, 0, "x", NULL);
	assert_int_equal(export_write(b, &out, NULL), ERR_TOOBIG);
	export_book_free(b);

	b = export_book_new();
	sh = export_sheet_add(b, "a");
	export_header(sh, 1, 0, 2, 1, "three header rows", NULL);
	assert_int_equal(export_write(b, &out, NULL), ERR_INVALID);
	export_book_free(b);

	/* Freezing more columns than the table has. */
	b = export_book_new();
	sh = export_sheet_add(b, "a");
	export_text(sh, 0, 0, "x", NULL);
	export_freeze(sh, 2);
	assert_int_equal(export_write(b, &out, NULL), ERR_INVALID);
	export_book_free(b);

	/* A book without sheets. */
	b = export_book_new();
	assert_int_equal(export_write(b, &out, NULL), ERR_INVALID);
	export_book_free(b);

	assert_string_equal(buf_str(&out), "kept");
	buf_release(&out);
}

static void disposition_names_the_file_in_utf8(void **state)
{
	char d[256];

	(void)state;
	assert_int_equal(
		export_disposition("roster-2026-12.xlsx", "排班表 2026-12.xlsx", d, sizeof(d)), 0);
	assert_string_equal(d, "attachment; filename=\"roster-2026-12.xlsx\"; "
			       "filename*=UTF-8''%E6%8E%92%E7%8F%AD%E8%A1%A8%202026-12.xlsx");
	assert_int_equal(export_disposition("roster.xlsx", NULL, d, sizeof(d)), 0);
	assert_string_equal(d, "attachment; filename=\"roster.xlsx\"");
	/* kefu's own name is plain ASCII: no quotes, spaces, slashes or leading dot. */
	assert_int_equal(export_disposition("a b.xlsx", NULL, d, sizeof(d)), ERR_INVALID);
	assert_int_equal(export_disposition("a\".xlsx", NULL, d, sizeof(d)), ERR_INVALID);
	assert_int_equal(export_disposition("../x.xlsx", NULL, d, sizeof(d)), ERR_INVALID);
	assert_int_equal(export_disposition(".xlsx", NULL, d, sizeof(d)), ERR_INVALID);
	assert_int_equal(export_disposition("x.xlsx", "bad \xff", d, sizeof(d)), ERR_INVALID);
	/* A name too long for the header is refused, not cut. */
	assert_int_equal(export_disposition("x.xlsx", "排班表排班表排班表排班表排班表", d, 64),
			 ERR_INVALID);
}

/* A chart reads the body's own cells: its ranges follow the header rows, its
 * series are named by their headers, and a chart past the limits or out of
 * the body is an error. */
static void a_chart_over_the_body(void **state)
{
	struct export_book *b = export_book_new();
	struct export_sheet *sh = export_sheet_add(b, "话务");
	static const int cols[] = {1, 2};
	char z[64], *chart, *drawing;

	(void)state;
	export_title(sh, "话务统计表");
	export_header(sh, 0, 0, 1, 1, "日期", NULL);
	export_header(sh, 0, 1, 1, 1, "来电", NULL);
	export_header(sh, 0, 2, 1, 1, "接听", NULL);
	for (int r = 0; r < 3; r++) {
		export_text(sh, r, 0, r == 0 ? "12-01" : r == 1 ? "12-02" : "12-03", NULL);
		export_int(sh, r, 1, 10 + r, NULL);
		export_int(sh, r, 2, 8 + r, NULL);
	}
	export_chart(sh, EXPORT_CHART_COLUMN, "各日话务量", 0, 2, 0, cols, 2, 5, 0);
	export_chart(sh, EXPORT_CHART_LINE, NULL, 0, 2, 0, cols, 1, 5, 6);
	write_to_file(b, z, sizeof(z));
	chart = unzip_member(z, "xl/charts/chart1.xml");
	/* Title row 1, header row 2: the body is rows 3 to 5. */
	assert_non_null(strstr(chart, "<c:barChart>"));
	assert_non_null(strstr(chart, "<c:f>'话务'!$A$3:$A$5</c:f>"));
	assert_non_null(strstr(chart, "<c:f>'话务'!$B$3:$B$5</c:f>"));
	assert_non_null(strstr(chart, "<c:f>'话务'!$C$3:$C$5</c:f>"));
	assert_non_null(strstr(chart, "<c:f>'话务'!$B$2</c:f>"));
	assert_non_null(strstr(chart, "各日话务量"));
	free(chart);
	chart = unzip_member(z, "xl/charts/chart2.xml");
	assert_non_null(strstr(chart, "<c:lineChart>"));
	free(chart);
	drawing = unzip_member(z, "xl/drawings/drawing1.xml");
	assert_non_null(strstr(drawing, "<xdr:row>7</xdr:row>")); /* body row 5: sheet row 8 */
	free(drawing);
	unlink(z);
	export_book_free(b);

	b = export_book_new();
	sh = export_sheet_add(b, "a");
	export_chart(sh, EXPORT_CHART_LINE, NULL, 2, 1, 0, cols, 2, 0, 0);
	assert_int_equal(export_book_error(b), ERR_INVALID);
	export_book_free(b);
	b = export_book_new();
	sh = export_sheet_add(b, "a");
	for (int i = 0; i <= EXPORT_CHARTS_MAX; i++)
		export_chart(sh, EXPORT_CHART_LINE, NULL, 0, 1, 0, cols, 2, 0, 0);
	assert_int_equal(export_book_error(b), ERR_TOOBIG);
	export_book_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sheet_holds_what_was_written),
		cmocka_unit_test(a_chart_over_the_body),
		cmocka_unit_test(writing_twice_gives_the_same_cells),
		cmocka_unit_test(broken_descriptions_are_errors),
		cmocka_unit_test(disposition_names_the_file_in_utf8),
		cmocka_unit_test(rows_come_whole_and_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
