/*
 * The center's forms over HTTP (report.h, "The center's forms over HTTP";
 * the registry is export's, filled by the modules from cli's wire()).
 *
 * GET /api/forms: the forms the caller may read, with their title in the
 * caller's language, the live page and the kind of period, and whether the
 * caller may download them (the export permission, SEC-2).
 *
 * GET /api/forms/{code}.xlsx?from&to&department_id: the form's workbook.
 * The caller needs the form's own action (the department scoped as every
 * report's, report_department) and the export permission; the workbook is
 * built in a read snapshot, so its sheets agree with each other, and the
 * export's audit entry ("form.export", with the form, the period and the
 * department) is committed before the file goes out.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "export/export.h"
#include "http/http.h"
#include "report/report.h"
#include "store/store.h"

static const char *const period_names[] = {"day", "week", "month", "range"};

static const char *period_name(int p)
{
	return p >= 0 && p <= EXPORT_PERIOD_RANGE ? period_names[p] : "range";
}

/* GET /api/forms */
static int forms_list(struct req *r)
{
	int english = err_lang_english(req_header(r, "Accept-Language"));
	int can_export = auth_scope(&r->who, ACT_EXPORT) > SCOPE_NONE;
	json_t *items = json_array();

	for (int i = 0; i < export_form_count(); i++) {
		const struct export_form *f = export_form_at(i);

		if (auth_scope(&r->who, f->action) == SCOPE_NONE)
			continue;
		json_array_append_new(items,
				      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "code",
						f->code, "title", english ? f->title_en : f->title,
						"title_zh", f->title, "title_en", f->title_en,
						"page", f->page, "period", period_name(f->period),
						"can_export", can_export));
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* The form a path's last segment names ("roster.xlsx"), or NULL (r->ei says so). */
static const struct export_form *form_of(struct req *r)
{
	char code[64];
	size_t n = strlen(r->params[0]);
	const struct export_form *f = NULL;

	if (n > 5 && n - 5 < sizeof(code) && strcmp(r->params[0] + n - 5, ".xlsx") == 0) {
		memcpy(code, r->params[0], n - 5);
		code[n - 5] = '\0';
		f = export_form_find(code);
	}
	if (!f)
		err_set(&r->ei, ERR_NOTFOUND, NULL, "no such form");
	return f;
}

/*
 * A registered form for the request's period and department as a download,
 * audited (SEC-2): GET /api/forms/{code}.xlsx and the report pages' own
 * download routes answer through it.
 */
int report_form_xlsx(struct req *r, const struct export_form *f)
{
	struct report_period p;
	struct export_form_args a;
	struct export_book *b = NULL;
	char ascii[128], utf8[400];
	int rc;

	rc = req_authorize(r, f->action, NULL);
	if (rc == 0)
		rc = report_period_query(r, &p);
	memset(&a, 0, sizeof(a));
	if (rc == 0)
		rc = report_department(r, f->action, 0, &a.department_id);
	if (rc < 0)
		return rc;
	a.from_ymd = p.from_ymd;
	a.to_ymd = p.to_ymd;
	report_form_days(f->period, &a.from_ymd, &a.to_ymd);
	a.start = report_day_start(a.from_ymd);
	a.end = report_day_start(report_ymd_next(a.to_ymd));
	a.person_id = r->who.person_id;
	a.english = err_lang_english(req_header(r, "Accept-Language"));
	a.now = r->now;
	a.cfg = r->app->cfg;
	a.made_by = r->who.name;
	rc = store_snapshot(r->store);
	if (rc == 0)
		rc = f->build(r->store, &a, &b);
	store_rollback(r->store);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, rc, NULL, "nothing to export for this period");
	if (rc < 0)
		return rc;
	report_form_names(f->code, a.english ? f->title_en : f->title, a.from_ymd, a.to_ymd, ascii,
			  sizeof(ascii), utf8, sizeof(utf8));
	rc = store_begin(r->store);
	if (rc == 0) {
		char from[16], to[16];

		snprintf(from, sizeof(from), "%04d-%02d-%02d", a.from_ymd / 10000,
			 a.from_ymd / 100 % 100, a.from_ymd % 100);
		snprintf(to, sizeof(to), "%04d-%02d-%02d", a.to_ymd / 10000, a.to_ymd / 100 % 100,
			 a.to_ymd % 100);
		rc = req_audit(r, "form.export", "form", 0, "ok",
			       json_pack("{s:s, s:s, s:s, s:I, s:s}", "form", f->code, "from", from,
					 "to", to, "department_id", (json_int_t)a.department_id,
					 "language", a.english ? "en" : "zh-CN"));
		rc = req_finish(r, rc);
	}
	if (rc == 0)
		rc = export_reply(r, b, ascii, a.english ? NULL : utf8);
	export_book_free(b);
	return rc;
}

/* GET /api/forms/{code}.xlsx */
static int form_download(struct req *r)
{
	const struct export_form *f = form_of(r);

	return f ? report_form_xlsx(r, f) : ERR_NOTFOUND;
}

const struct route report_form_routes[] = {
	{"GET", "/api/forms", forms_list, ACT_SELF},
	{"GET", "/api/forms/{file}", form_download, ACT_EXPORT},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
