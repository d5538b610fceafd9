/*
 * What the report pages of issue 20 share: a registered form (LED-2,
 * export.h) downloaded for the period and department of the request,
 * audited (SEC-2); the growth of the arrays the reports tally into; a
 * date's text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/export.h"
#include "report/report.h"
#include "store/store.h"

int report_grow(void **v, int *cap, int n, size_t size)
{
	void *p;
	int want;

	if (n < *cap)
		return 0;
	want = *cap ? *cap * 2 : 16;
	p = realloc(*v, size * (size_t)want);
	if (!p)
		return ERR_NOMEM;
	*v = p;
	*cap = want;
	return 0;
}

int report_buckets(int from_ymd, int to_ymd, enum report_group g, int **out)
{
	int *v = malloc(sizeof(int) * (size_t)report_ymd_count(from_ymd, to_ymd)), n = 0;

	*out = v;
	if (!v)
		return ERR_NOMEM;
	for (int ymd = from_ymd; ymd <= to_ymd; ymd = report_ymd_next(ymd)) {
		int b = report_bucket(ymd, g);

		if (!n || v[n - 1] != b)
			v[n++] = b;
	}
	return n;
}

void report_ymd_text(int ymd, char *out, size_t size)
{
	snprintf(out, size, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
}

int report_form_xlsx(struct req *r, const struct export_form *f)
{
	struct report_period p;
	struct export_form_args a;
	struct export_book *b = NULL;
	char ascii[64], utf8[160];
	int rc;

	memset(&a, 0, sizeof(a));
	rc = report_period_query(r, &p);
	if (rc == 0)
		rc = report_department(r, f->action, 0, &a.department_id);
	if (rc < 0)
		return rc;
	a.from_ymd = p.from_ymd;
	a.to_ymd = p.to_ymd;
	a.person_id = r->who.person_id;
	a.english = err_lang_english(req_header(r, "Accept-Language"));
	rc = f->build(r->store, &a, &b);
	snprintf(ascii, sizeof(ascii), "%s-%s.xlsx", f->code, p.from_text);
	snprintf(utf8, sizeof(utf8), "%s-%s.xlsx", f->title, p.from_text);
	if (rc == 0)
		rc = export_reply(r, b, ascii, a.english ? NULL : utf8);
	export_book_free(b);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0)
		rc = req_finish(r, req_audit(r, "report.export", "report", 0, "ok",
					     json_pack("{s:s, s:s, s:s}", "report", f->code, "from",
						       p.from_text, "to", p.to_text)));
	return rc;
}
