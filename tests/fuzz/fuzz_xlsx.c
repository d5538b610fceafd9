/*
 * Uploaded workbooks (src/export/export_read.c, src/kb/kb_xlsx.c): the input
 * as an .xlsx — a zip read with libzip, its shared strings and first sheet
 * parsed with expat, every member bounded so a zip bomb is refused — read
 * cell by cell, row by row as an import reads it, and as the knowledge
 * base's article sheet.
 */
#include "core/err.h"
#include "export/export.h"
#include "fuzz/fuzz.h"
#include "kb/kb.h"

static int on_cell(void *ctx, int row, int col, const char *text)
{
	(void)row;
	(void)col;
	*(size_t *)ctx += strlen(text);
	return 0;
}

static int on_row(void *ctx, int row, const char *const *cells)
{
	(void)row;
	for (int i = 0; i < EXPORT_ROW_COLS; i++)
		*(size_t *)ctx += strlen(cells[i]);
	return 0;
}

static int on_doc(void *ctx, struct kb_doc *d)
{
	struct err_info ei = {0};

	(void)ctx;
	(void)kb_doc_check(d, &ei);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err_info ei = {0};
	size_t bytes = 0;

	(void)export_xlsx_read(data, size, on_cell, &bytes, &ei);
	memset(&ei, 0, sizeof(ei));
	(void)export_xlsx_rows(data, size, on_row, &bytes, &ei);
	memset(&ei, 0, sizeof(ei));
	(void)kb_xlsx_docs(data, size, on_doc, NULL, &ei);
	return 0;
}
