/*
 * The agents' work statistics over HTTP (issue 20, RPT-1, LED-2):
 * GET /api/reports/agents (from, to, group, department_id) answers one row
 * per agent and bucket with the period's totals; GET
 * /api/reports/agents.xlsx is the form 工作统计一览表 of the period, a
 * permission of its own and audited (SEC-2). An agent sees only their own
 * row, a supervisor their department, the manager everyone.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "export/export.h"
#include "http/http.h"
#include "report/report.h"
#include "store/store.h"

static json_t *mean_json(int64_t sum, int64_t n)
{
	return n ? json_real(round(100.0 * (double)sum / (double)n) / 100.0) : json_null();
}

static json_t *fig_json(const struct report_agent_fig *f, int64_t qa_checks, double qa_sum)
{
	json_t *contacts = json_object();
	int64_t total = 0;
	double occ = report_agent_occupancy(f);

	for (int k = 0; k < REPORT_CHANNELS; k++) {
		json_object_set_new(contacts, report_channels[k], json_integer(f->contacts[k]));
		total += f->contacts[k];
	}
	return json_pack(
		"{s:I, s:I, s:o, s:I, s:I, s:{s:I, s:I, s:I}, s:I, s:I, s:I, s:I, s:I, s:o, s:o,"
		" s:I, s:I, s:I, s:I, s:o, s:I, s:o}",
		"calls_in", (json_int_t)f->calls_in, "talk_ms", (json_int_t)f->talk_ms,
		"avg_talk_ms", f->calls_in ? json_integer(f->talk_ms / f->calls_in) : json_null(),
		"hold_ms", (json_int_t)f->hold_ms, "acw_ms", (json_int_t)f->status_ms[RAS_WRAP],
		"out", "attempts", (json_int_t)f->out_attempts, "answered",
		(json_int_t)f->out_answered, "talk_ms", (json_int_t)f->out_talk_ms, "ready_ms",
		(json_int_t)f->status_ms[RAS_READY], "away_ms", (json_int_t)f->status_ms[RAS_AWAY],
		"break_ms", (json_int_t)f->status_ms[RAS_BREAK], "call_ms",
		(json_int_t)f->status_ms[RAS_CALL], "logged_in_ms",
		(json_int_t)report_agent_logged_in(f), "occupancy",
		occ >= 0 ? json_real(round(occ * 10) / 10) : json_null(), "contacts", contacts,
		"contacts_total", (json_int_t)total, "orders", (json_int_t)f->orders, "callbacks",
		(json_int_t)f->callbacks, "rated", (json_int_t)f->rated, "satisfaction",
		mean_json(f->rating_sum, f->rated), "qa_checks", (json_int_t)qa_checks, "qa_score",
		qa_checks ? json_real(round(100.0 * qa_sum / (double)qa_checks) / 100.0)
			  : json_null());
}

static void ymd_text(int ymd, char *out, size_t size)
{
	snprintf(out, size, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
}

/* Who may be in the answer: an agent only themselves, else the department asked for. */
static int scope_of(struct req *r, int64_t *dept, int64_t *agent)
{
	int64_t ignored = 0;

	*dept = 0;
	*agent = 0;
	if (auth_scope(&r->who, ACT_REPORT_AGENTS) == SCOPE_SELF) {
		*agent = r->who.person_id;
		return req_query_int(r, "department_id", 1, INT64_MAX, &ignored);
	}
	return report_department(r, ACT_REPORT_AGENTS, 0, dept);
}

/* GET /api/reports/agents?from&to&group&department_id */
static int agents_get(struct req *r)
{
	struct report_period p;
	struct report_agent_row *rows = NULL;
	struct report_agent_fig total;
	int64_t dept = 0, agent = 0, qa_checks = 0;
	double qa_sum = 0;
	size_t n = 0;
	json_t *items, *o;
	int rc = report_period_query(r, &p);

	if (rc == 0)
		rc = scope_of(r, &dept, &agent);
	if (rc == 0)
		rc = report_agent_load(r->store, &p, dept, agent, r->now, &rows, &n);
	if (rc < 0)
		return rc;
	memset(&total, 0, sizeof(total));
	items = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct report_agent_row *a = &rows[i];
		json_t *row = fig_json(&a->f, a->qa_checks, a->qa_sum);
		char bucket[16];

		ymd_text(a->bucket, bucket, sizeof(bucket));
		json_object_set_new(row, "bucket", a->bucket ? json_string(bucket) : json_null());
		json_object_set_new(row, "agent_id", json_integer(a->agent_id));
		json_object_set_new(row, "work_no", json_string(a->work_no));
		json_object_set_new(row, "name", json_string(a->name));
		json_object_set_new(row, "department_id",
				    a->department_id ? json_integer(a->department_id)
						     : json_null());
		json_object_set_new(row, "department", json_string(a->department));
		json_array_append_new(items, row);
		report_agent_fig_add(&total, &a->f);
		qa_checks += a->qa_checks;
		qa_sum += a->qa_sum;
	}
	free(rows);
	o = json_pack("{s:s, s:s, s:s, s:o, s:b, s:o, s:o}", "from", p.from_text, "to", p.to_text,
		      "group", report_group_name(p.group), "department_id",
		      dept > 0 ? json_integer(dept) : json_null(), "qa", report_agent_qa_has(),
		      "items", items, "totals", fig_json(&total, qa_checks, qa_sum));
	return reply_json(r, 200, o);
}

/* GET /api/reports/agents.xlsx?from&to&department_id: the form, audited (SEC-2). */
static int agents_xlsx(struct req *r)
{
	struct report_period p, whole;
	struct export_book *b = NULL;
	int64_t dept = 0, agent = 0;
	char ascii[64], utf8[128];
	int english = err_lang_english(req_header(r, "Accept-Language"));
	int rc = report_period_query(r, &p);

	if (rc == 0)
		rc = req_authorize(r, ACT_EXPORT, NULL);
	if (rc == 0)
		rc = scope_of(r, &dept, &agent);
	if (rc < 0)
		return rc;
	report_agent_period(p.from_ymd, p.to_ymd, &whole);
	rc = report_agent_book(r->store, &whole, dept, agent, r->now, r->who.name, english, &b);
	snprintf(ascii, sizeof(ascii), "agents-%s-%s.xlsx", p.from_text, p.to_text);
	snprintf(utf8, sizeof(utf8), "工作统计一览表-%s-%s.xlsx", p.from_text, p.to_text);
	if (rc == 0)
		rc = export_reply(r, b, ascii, english ? NULL : utf8);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0) {
		rc = req_audit(r, "report.agents.export", "report", 0, "ok",
			       json_pack("{s:s, s:s, s:o}", "from", p.from_text, "to", p.to_text,
					 "department_id",
					 dept > 0 ? json_integer(dept) : json_null()));
		rc = req_finish(r, rc);
	}
	export_book_free(b);
	return rc;
}

const struct route report_agent_routes[] = {
	{"GET", "/api/reports/agents", agents_get, ACT_REPORT_AGENTS},
	{"GET", "/api/reports/agents.xlsx", agents_xlsx, ACT_REPORT_AGENTS},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
