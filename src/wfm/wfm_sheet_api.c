/*
 * The roster as a spreadsheet over HTTP: GET /api/wfm/roster/{month}/export
 * (see wfm.h, "The roster as a spreadsheet"). Supervisors and the manager;
 * an export of people's schedules is audited before it goes out.
 */
#include <jansson.h>
#include <stdio.h>

#include "core/err.h"
#include "export/export.h"
#include "http/http.h"
#include "store/store.h"
#include "wfm/wfm.h"

static int roster_export(struct req *r)
{
	struct wfm_roster_sheet s;
	struct export_book *b = NULL;
	char ascii[40], utf8[200];
	int year, mon, english, rc;

	if (wfm_month_parse(r->params[0], &year, &mon) < 0)
		return err_set(&r->ei, ERR_INVALID, "month", "month: a month as YYYY-MM");
	english = err_lang_english(req_header(r, "Accept-Language"));
	rc = wfm_sheet_load(r->store, year, mon, r->who.name, &s);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, rc, "month", "no roster for this month");
	if (rc < 0)
		return rc;
	rc = wfm_sheet_build(&s, r->app->cfg->center_name, english, &b);
	snprintf(ascii, sizeof(ascii), "roster-%04d-%02d.xlsx", year, mon);
	snprintf(utf8, sizeof(utf8), "%s排班表-%04d-%02d.xlsx", r->app->cfg->center_name, year,
		 mon);
	/* The file first, then its audit entry, committed before it goes out
	 * (SEC-2): an export that failed is not logged as made. */
	if (rc == 0)
		rc = export_reply(r, b, ascii, english ? NULL : utf8);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0) {
		char month[8];

		snprintf(month, sizeof(month), "%04d-%02d", year, mon);
		rc = req_audit(
			r, "wfm.roster.export", "wfm_roster", (int64_t)year * 100 + mon, "ok",
			json_pack("{s:s, s:s, s:i, s:i, s:s}", "month", month, "state",
				  s.published ? "published" : "draft", "version", s.version,
				  "agents", (int)s.nagents, "language", english ? "en" : "zh-CN"));
		rc = req_finish(r, rc);
	}
	export_book_free(b);
	wfm_sheet_free(&s);
	return rc;
}

const struct route wfm_sheet_routes[] = {
	{"GET", "/api/wfm/roster/{month}/export", roster_export, ACT_WFM_EXPORT},
	{NULL, NULL, NULL, 0},
};
