/*
 * export_api.c — a workbook as the answer to a download (see export.h).
 */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/utf8.h"
#include "export/export.h"
#include "http/http.h"

/* kefu's own file names: letters, digits and "._-", not starting with a dot. */
static int ascii_name_ok(const char *s)
{
	if (!s || !*s || *s == '.')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._-", *s)))
			return 0;
	return 1;
}

int export_disposition(const char *ascii_name, const char *utf8_name, char *out, size_t size)
{
	size_t n;
	int w;

	if (!ascii_name_ok(ascii_name) ||
	    (utf8_name && (!*utf8_name || !utf8_valid(utf8_name, strlen(utf8_name)))))
		return ERR_INVALID;
	w = snprintf(out, size, "attachment; filename=\"%s\"", ascii_name);
	if (w < 0 || (size_t)w >= size)
		return ERR_INVALID;
	if (!utf8_name)
		return 0;
	w = snprintf(out + w, size - (size_t)w, "; filename*=UTF-8''");
	n = strlen(out);
	if (w < 0 || n + 1 >= size || utf8_rfc5987(utf8_name, out + n, size - n) < 0)
		return ERR_INVALID;
	return 0;
}

/* The disposition's names, utf8_name dropped when it does not fit. */
static int reply_names(struct req *r, const char *ascii_name, const char *utf8_name)
{
	if (utf8_name &&
	    export_disposition(ascii_name, utf8_name, r->disposition, sizeof(r->disposition)) < 0)
		utf8_name = NULL;
	if (export_disposition(ascii_name, utf8_name, r->disposition, sizeof(r->disposition)) < 0) {
		r->disposition[0] = '\0';
		return err_set(&r->ei, ERR_INVALID, NULL,
			       "the spreadsheet's file name is not allowed");
	}
	return 0;
}

/* The server answers every request with Cache-Control: no-store, so
 * neither the browser nor a proxy keeps the people's data. */
static void reply_bytes(struct req *r, struct buf *bytes)
{
	buf_release(&r->text);
	r->text = *bytes;
	*bytes = (struct buf)BUF_INIT;
	r->content_type = EXPORT_XLSX_TYPE;
	r->status = 200;
}

int export_reply(struct req *r, struct export_book *b, const char *ascii_name,
		 const char *utf8_name)
{
	struct buf bytes = BUF_INIT;
	int rc = reply_names(r, ascii_name, utf8_name);

	if (rc < 0)
		return rc;
	rc = export_write(b, &bytes, &r->ei);
	if (rc < 0) {
		r->disposition[0] = '\0';
		return rc;
	}
	reply_bytes(r, &bytes);
	return 0;
}

int export_reply_file(struct req *r, struct buf *bytes, const char *ascii_name,
		      const char *utf8_name)
{
	int rc = reply_names(r, ascii_name, utf8_name);

	if (rc == 0)
		reply_bytes(r, bytes);
	return rc;
}
