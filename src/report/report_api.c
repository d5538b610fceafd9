/*
 * /api/reports: the daily work-order report (WO-2, CB-3, RPT-1), the
 * overdue list (RPT-2) and the drill-down to the orders behind a figure.
 *
 * Reading reports is ACT_REPORT_READ. The CSV forms are exports: they need
 * ACT_EXPORT as well, and each one writes a "report.export" audit entry
 * with the report and its parameters (SEC-2: taking data out of the system
 * is a permission and is logged). The entry is committed before the file
 * is handed over, so no export leaves without its record.
 *
 * The CSV is UTF-8 with a byte-order mark so that Excel shows department
 * and people's names in Chinese instead of mojibake, and every text cell
 * that a spreadsheet would run as a formula (= + - @) is prefixed with '.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "export/export.h"
#include "http/http.h"
#include "org/org.h"
#include "report/report.h"
#include "store/store.h"
#include "wo/wo.h"

#define CSV_TYPE "text/csv; charset=utf-8"
#define CSV_BOM "\xEF\xBB\xBF"
#define MAX_LEVELS 16

/* Column names of the metrics (WO-2 clocks) in reports and the CSV. */
static const char *const metric_words[WOM_COUNT] = {"联系客户", "到场", "反馈", "办结", "答复"};
static const char *const figure_words[RSF_COUNT] = {"开始", "按时完成", "超时完成", "超时",
						    "未完成"};
static const char *const outcome_words[WOO_COUNT] = {"认可", "不认可", "未接通", "新需求"};

static json_t *ref(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

static void date_text(int ymd, char *out, size_t size)
{
	snprintf(out, size, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
}

/* A required (or optional) query date, strictly YYYY-MM-DD and a real date. */
static int query_date(struct req *r, const char *name, int required, int *ymd)
{
	const char *v;
	int rc = req_query(r, name, &v), y, m, d;

	if (rc < 0)
		return rc;
	if (!v) {
		if (required)
			return err_set(&r->ei, ERR_INVALID, name, "%s: required (YYYY-MM-DD)",
				       name);
		return 0;
	}
	for (int i = 0; i < 10; i++) {
		int dash = i == 4 || i == 7;

		if (!v[i] || (dash ? v[i] != '-' : (v[i] < '0' || v[i] > '9')))
			return err_set(&r->ei, ERR_INVALID, name, "%s: a date as YYYY-MM-DD", name);
	}
	y = atoi(v);
	m = atoi(v + 5);
	d = atoi(v + 8);
	if (v[10] || !report_date_valid(y, m, d))
		return err_set(&r->ei, ERR_INVALID, name, "%s: not a date of the calendar", name);
	*ymd = y * 10000 + m * 100 + d;
	return 0;
}

/*
 * The department a report is about: the one asked for (it must exist), or
 * all (0). Anyone whose permission is limited to their own department gets
 * that one when they ask for none, and 403 when they ask for another.
 */
int report_department(struct req *r, int act, int allow_none, int64_t *dept)
{
	struct org_department d;
	int64_t v = allow_none ? -1 : 0;
	int rc = req_query_int(r, "department_id", allow_none ? 0 : 1, INT64_MAX, &v);

	if (rc < 0)
		return rc;
	if (auth_scope(&r->who, act) < SCOPE_ALL) {
		const struct auth_target t = {v > 0 ? v : r->who.department_id, 0};

		rc = req_authorize(r, act, &t);
		if (rc < 0)
			return rc;
		v = r->who.department_id;
	}
	if (v > 0) {
		rc = org_department_get(r->store, v, &d);
		if (rc == ERR_NOTFOUND)
			return err_set(&r->ei, ERR_INVALID, "department_id",
				       "department_id: no such department");
		if (rc < 0)
			return rc;
	}
	*dept = v;
	return 0;
}

int report_period_query(struct req *r, struct report_period *out)
{
	const char *g = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = query_date(r, "from", 1, &out->from_ymd);
	if (rc == 0)
		rc = query_date(r, "to", 1, &out->to_ymd);
	if (rc == 0 && out->to_ymd < out->from_ymd)
		rc = err_set(&r->ei, ERR_INVALID, "to", "to: on or after from");
	if (rc == 0 && report_ymd_count(out->from_ymd, out->to_ymd) > REPORT_PERIOD_DAYS_MAX)
		rc = err_set(&r->ei, ERR_INVALID, "to", "to: at most %d days from from",
			     REPORT_PERIOD_DAYS_MAX);
	if (rc == 0)
		rc = req_query(r, "group", &g);
	if (rc == 0 && g && (rc = report_group_parse(g)) < 0)
		rc = err_set(&r->ei, ERR_INVALID, "group",
			     "group: day, week, month, quarter, half, year or all");
	if (rc < 0)
		return rc;
	report_period_make(out->from_ymd, out->to_ymd, g ? (enum report_group)rc : RG_DAY, out);
	return 0;
}

/* Department names, looked up once per report. */
struct name {
	int64_t id;
	char name[sizeof(((struct org_department *)0)->name)];
};

struct names {
	struct name *v;
	int n, cap;
};

static const char *dept_name(struct req *r, struct names *nm, int64_t id)
{
	struct org_department d;

	if (!id)
		return NULL;
	for (int i = 0; i < nm->n; i++)
		if (nm->v[i].id == id)
			return nm->v[i].name;
	if (nm->n == nm->cap) {
		int cap = nm->cap ? nm->cap * 2 : 16;
		void *p = realloc(nm->v, (size_t)cap * sizeof(*nm->v));

		if (!p)
			return "";
		nm->v = p;
		nm->cap = cap;
	}
	nm->v[nm->n].id = id;
	if (org_department_get(r->store, id, &d) == 0)
		snprintf(nm->v[nm->n].name, sizeof(nm->v[0].name), "%s", d.name);
	else
		nm->v[nm->n].name[0] = '\0';
	return nm->v[nm->n++].name;
}

/* Mean minutes dispatch → callback in tenths, or -1 when no callback clock was met. */
static int64_t callback_tenths(const struct report_cell *c)
{
	int64_t met = c->sla[WOM_CALLBACK][RSF_MET_ON_TIME] + c->sla[WOM_CALLBACK][RSF_MET_LATE];

	if (!met)
		return -1;
	return (c->callback_ms * 10 + met * 30000) / (met * 60000);
}

/* Mean satisfaction in hundredths, or -1 when nobody rated. */
static int64_t rating_hundredths(const struct report_rating *g)
{
	if (!g || !g->rated)
		return -1;
	return (g->total * 100 + g->rated / 2) / g->rated;
}

/*
 * On time, per metric (WO-2): of the clocks met in the bucket, the share
 * met before their deadline, in thousandths; -1 when none was met.
 */
static int64_t on_time_permille(const struct report_cell *c, int m)
{
	int64_t met = c->sla[m][RSF_MET_ON_TIME] + c->sla[m][RSF_MET_LATE];

	return met ? (c->sla[m][RSF_MET_ON_TIME] * 1000 + met / 2) / met : -1;
}

/*
 * Completion: of the resolve clocks (办结) started in the bucket, the share
 * no longer open now (met, or stopped with a cancelled order), in
 * thousandths; -1 when none started. Both counts drill down (started,
 * running).
 */
static int64_t completion_permille(const struct report_cell *c)
{
	int64_t started = c->sla[WOM_RESOLVE][RSF_STARTED];

	return started ? ((started - c->sla[WOM_RESOLVE][RSF_RUNNING]) * 1000 + started / 2) /
				 started
		       : -1;
}

static json_t *fixed_json(int64_t v, double scale)
{
	return v < 0 ? json_null() : json_real((double)v / scale);
}

/* The figures every level of the report shows (a class, a department, the day). */
static json_t *figures_json(const struct report_cell *c)
{
	json_t *sla = json_object(), *cb = json_object(), *on_time = json_object();

	for (int m = 0; m < WOM_COUNT; m++) {
		json_t *f = json_object();

		for (int k = 0; k < RSF_COUNT; k++)
			json_object_set_new(f, report_sla_figure_name((enum report_sla_figure)k),
					    json_integer(c->sla[m][k]));
		json_object_set_new(sla, wo_metric_name((enum wo_metric)m), f);
		json_object_set_new(on_time, wo_metric_name((enum wo_metric)m),
				    fixed_json(on_time_permille(c, m), 1000.0));
	}
	for (int o = 0; o < WOO_COUNT; o++)
		json_object_set_new(cb, wo_outcome_name((enum wo_outcome)o),
				    json_integer(c->center_callbacks[o]));
	return json_pack("{s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o}", "opened",
			 (json_int_t)c->opened, "archived", (json_int_t)c->archived, "cancelled",
			 (json_int_t)c->cancelled, "escalated", (json_int_t)c->escalated, "sla", sla,
			 "callback_minutes_avg", fixed_json(callback_tenths(c), 10.0),
			 "center_callbacks", cb, "completion_rate",
			 fixed_json(completion_permille(c), 1000.0), "on_time_rate", on_time);
}

/* head's keys (what the figures are about) first, then the figures. */
static json_t *with_figures(json_t *head, const struct report_cell *c)
{
	json_t *f = figures_json(c);

	if (head && f)
		json_object_update(head, f);
	json_decref(f);
	return head;
}

/* Adds the opened counts by WO-3 label ("A1-Ⅲ") of the levels that match. */
static void add_labels(json_t *labels, const struct report_day *d, int all_depts, int64_t dept,
		       const char *cls)
{
	for (int i = 0; i < d->nlevels; i++) {
		const struct report_level *l = &d->levels[i];
		char label[24];
		json_t *have;

		if ((!all_depts && l->department_id != dept) || (cls && strcmp(l->class_code, cls)))
			continue;
		wo_label(label, sizeof(label), l->class_code, l->level);
		have = json_object_get(labels, label);
		json_object_set_new(
			labels, label,
			json_integer((have ? json_integer_value(have) : 0) + l->opened));
	}
}

static json_t *satisfaction_json(const struct report_rating *g)
{
	return json_pack("{s:I, s:o}", "rated", (json_int_t)(g ? g->rated : 0), "average",
			 fixed_json(rating_hundredths(g), 100.0));
}

static const struct report_rating *rating_of(const struct report_day *d, int64_t dept)
{
	for (int i = 0; i < d->nratings; i++)
		if (d->ratings[i].department_id == dept)
			return &d->ratings[i];
	return NULL;
}

static const struct report_calls_out *calls_out_of(const struct report_day *d, int64_t dept)
{
	for (int i = 0; i < d->ncalls_out; i++)
		if (d->calls_out[i].department_id == dept)
			return &d->calls_out[i];
	return NULL;
}

/* Issue 17: a department's or the day's calls out (tests of LED-2 apart). */
static json_t *calls_out_json(const struct report_calls_out *g)
{
	return json_pack("{s:I, s:I, s:I}", "attempts", (json_int_t)(g ? g->attempts : 0),
			 "answered", (json_int_t)(g ? g->answered : 0), "talk_ms",
			 (json_int_t)(g ? g->talk_ms : 0));
}

/* One department's block of a day: its totals, by class and by label, and its classes. */
static json_t *department_json(struct req *r, struct names *nm, const struct report_day *d,
			       int64_t dept, struct report_cell *sum)
{
	json_t *classes = json_array(), *by_class = json_object(), *labels = json_object(), *j;
	const char *name = dept_name(r, nm, dept);

	memset(sum, 0, sizeof(*sum));
	sum->department_id = dept;
	for (int i = 0; i < d->ncells; i++) {
		const struct report_cell *c = &d->cells[i];
		json_t *cj, *cl;

		if (c->department_id != dept)
			continue;
		report_cell_add(sum, c);
		if (c->opened)
			json_object_set_new(by_class, c->class_code, json_integer(c->opened));
		cj = with_figures(json_pack("{s:s}", "class", c->class_code), c);
		cl = json_object();
		add_labels(cl, d, 0, dept, c->class_code);
		json_object_set_new(cj, "opened_by_label", cl);
		json_array_append_new(classes, cj);
	}
	add_labels(labels, d, 0, dept, NULL);
	j = with_figures(json_pack("{s:o, s:o}", "department_id", ref(dept), "department",
				   name ? json_string(name) : json_null()),
			 sum);
	json_object_set_new(j, "opened_by_class", by_class);
	json_object_set_new(j, "opened_by_label", labels);
	json_object_set_new(j, "satisfaction", satisfaction_json(rating_of(d, dept)));
	json_object_set_new(j, "calls_out", calls_out_json(calls_out_of(d, dept)));
	json_object_set_new(j, "classes", classes);
	return j;
}

/*
 * The departments of a day in report order: those with orders (cells are
 * sorted by department, none last), then those with only rated contacts.
 * Returns how many, or ERR_NOMEM; the caller frees *out.
 */
static int day_departments(const struct report_day *d, int64_t **out)
{
	int64_t *ids = malloc(sizeof(*ids) * (size_t)(d->ncells + d->nratings + d->ncalls_out + 1));
	int n = 0;

	*out = ids;
	if (!ids)
		return ERR_NOMEM;
	for (int i = 0; i < d->ncells; i++)
		if (!n || ids[n - 1] != d->cells[i].department_id)
			ids[n++] = d->cells[i].department_id;
	for (int i = 0; i < d->nratings; i++) {
		int have = 0;

		for (int k = 0; k < n; k++)
			have |= ids[k] == d->ratings[i].department_id;
		if (!have)
			ids[n++] = d->ratings[i].department_id;
	}
	for (int i = 0; i < d->ncalls_out; i++) {
		int have = 0;

		for (int k = 0; k < n; k++)
			have |= ids[k] == d->calls_out[i].department_id;
		if (!have)
			ids[n++] = d->calls_out[i].department_id;
	}
	return n;
}

static json_t *day_json(struct req *r, struct names *nm, const struct report_bucket *b)
{
	const struct report_day *d = &b->day;
	struct report_cell total, sum;
	struct report_rating all = {0, 0, 0};
	struct report_calls_out out = {0, 0, 0, 0};
	json_t *depts = json_array(), *by_class = json_object(), *labels = json_object(), *j;
	int64_t *ids;
	int n = day_departments(d, &ids);
	char date[24], last[24];

	if (n < 0) {
		json_decref(depts);
		json_decref(by_class);
		json_decref(labels);
		return NULL;
	}

	memset(&total, 0, sizeof(total));
	for (int k = 0; k < n; k++)
		json_array_append_new(depts, department_json(r, nm, d, ids[k], &sum));
	free(ids);
	for (int k = 0; k < d->ncells; k++) {
		const struct report_cell *c = &d->cells[k];
		json_t *have = json_object_get(by_class, c->class_code);

		report_cell_add(&total, c);
		if (c->opened)
			json_object_set_new(
				by_class, c->class_code,
				json_integer((have ? json_integer_value(have) : 0) + c->opened));
	}
	for (int k = 0; k < d->nratings; k++) {
		all.rated += d->ratings[k].rated;
		all.total += d->ratings[k].total;
	}
	for (int k = 0; k < d->ncalls_out; k++) {
		out.attempts += d->calls_out[k].attempts;
		out.answered += d->calls_out[k].answered;
		out.talk_ms += d->calls_out[k].talk_ms;
	}
	add_labels(labels, d, 1, 0, NULL);
	j = figures_json(&total);
	json_object_set_new(j, "opened_by_class", by_class);
	json_object_set_new(j, "opened_by_label", labels);
	json_object_set_new(j, "satisfaction", satisfaction_json(&all));
	json_object_set_new(j, "calls_out", calls_out_json(&out));
	date_text(b->first_ymd, date, sizeof(date));
	date_text(b->last_ymd, last, sizeof(last));
	return json_pack("{s:s, s:s, s:I, s:I, s:o, s:o}", "date", date, "last", last, "start",
			 (json_int_t)b->start, "end", (json_int_t)b->end, "total", j, "departments",
			 depts);
}

/* The period, the department and the report's buckets (summary and facts, report.h). */
static int load_daily(struct req *r, struct report_periodic *rep, int64_t *dept)
{
	struct report_period p;
	int rc = report_period_query(r, &p);

	if (rc == 0)
		rc = report_department(r, ACT_REPORT_READ, 0, dept);
	if (rc == 0)
		rc = report_period_load(r->store, &p, *dept, 1, rep);
	return rc;
}

static int daily(struct req *r)
{
	struct report_periodic rep;
	struct names nm = {NULL, 0, 0};
	int64_t dept = 0;
	json_t *days;
	int rc = load_daily(r, &rep, &dept);

	if (rc < 0)
		return rc;
	days = json_array();
	for (int i = 0; rc == 0 && i < rep.n; i++) {
		json_t *d = day_json(r, &nm, &rep.b[i]);

		rc = d ? json_array_append_new(days, d) : ERR_NOMEM;
	}
	report_periodic_free(&rep);
	free(nm.v);
	if (rc < 0) {
		json_decref(days);
		return ERR_NOMEM;
	}
	return reply_json(r, 200,
			  json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:o}", "from",
				    rep.period.from_text, "to", rep.period.to_text, "group",
				    report_group_name(rep.period.group), "timezone", clock_tz_name(),
				    "department_id", ref(dept), "generated_at", (json_int_t)r->now,
				    "days", days));
}

/* CSV text that stops growing at the first failed append and remembers it. */
struct csv {
	struct buf b;
	int rc;
	int rows;
};

static void csv_raw(struct csv *c, const char *s)
{
	if (c->rc == 0)
		c->rc = buf_puts(&c->b, s);
}

/* One text cell, after a comma unless it opens the line (RFC 4180 quoting). */
static void csv_text(struct csv *c, const char *s, int first)
{
	int quote = 0;

	if (!first)
		csv_raw(c, ",");
	if (!s)
		return;
	for (const char *p = s; *p; p++)
		quote |= *p == ',' || *p == '"' || *p == '\n' || *p == '\r';
	if (quote)
		csv_raw(c, "\"");
	/* A name like "=HYPERLINK(…)" must stay text in a spreadsheet. */
	if (s[0] && strchr("=+-@\t\r", s[0]))
		csv_raw(c, "'");
	for (const char *p = s; *p && c->rc == 0; p++) {
		if (*p == '"')
			csv_raw(c, "\"\"");
		else
			c->rc = buf_append(&c->b, p, 1);
	}
	if (quote)
		csv_raw(c, "\"");
}

static void csv_int(struct csv *c, int64_t v)
{
	if (c->rc == 0)
		c->rc = buf_printf(&c->b, ",%lld", (long long)v);
}

/* A fixed-point value (tenths, hundredths), or an empty cell for "none". */
static void csv_fixed(struct csv *c, int64_t v, int digits)
{
	int64_t scale = digits == 1 ? 10 : 100;

	if (v < 0)
		csv_raw(c, ",");
	else if (c->rc == 0)
		c->rc = buf_printf(&c->b, ",%lld.%0*lld", (long long)(v / scale), digits,
				   (long long)(v % scale));
}

static void csv_end_row(struct csv *c)
{
	csv_raw(c, "\r\n");
	c->rows++;
}

static void daily_csv_header(struct csv *c, char (*levels)[8], int nlevels)
{
	char col[160];

	csv_text(c, "日期", 1);
	csv_text(c, "部门ID", 0);
	csv_text(c, "部门", 0);
	csv_text(c, "类别", 0);
	csv_text(c, "新建", 0);
	for (int i = 0; i < nlevels; i++) {
		snprintf(col, sizeof(col), "新建-%s", levels[i]);
		csv_text(c, col, 0);
	}
	csv_text(c, "归档", 0);
	csv_text(c, "取消", 0);
	csv_text(c, "升级", 0);
	for (int m = 0; m < WOM_COUNT; m++)
		for (int f = 0; f < RSF_COUNT; f++) {
			snprintf(col, sizeof(col), "%s-%s", metric_words[m], figure_words[f]);
			csv_text(c, col, 0);
		}
	csv_text(c, "平均联系客户分钟", 0);
	for (int o = 0; o < WOO_COUNT; o++) {
		snprintf(col, sizeof(col), "回访-%s", outcome_words[o]);
		csv_text(c, col, 0);
	}
	csv_text(c, "评价数", 0);
	csv_text(c, "平均满意度", 0);
	csv_text(c, "外呼", 0);
	csv_text(c, "外呼接通", 0);
	csv_text(c, "外呼通话分钟", 0);
	csv_end_row(c);
}

/* One row: a class of a department, or (cls NULL) the department's 合计 with its ratings. */
static void daily_csv_row(struct csv *c, const char *date, int64_t dept, const char *name,
			  const struct report_cell *f, const struct report_day *d, const char *cls,
			  char (*levels)[8], int nlevels)
{
	char id[24] = "";

	if (dept)
		snprintf(id, sizeof(id), "%lld", (long long)dept);
	csv_text(c, date, 1);
	csv_text(c, id, 0);
	csv_text(c, dept ? name : "未分派", 0);
	csv_text(c, cls ? cls : "合计", 0);
	csv_int(c, f->opened);
	for (int i = 0; i < nlevels; i++) {
		int64_t n = 0;

		for (int k = 0; k < d->nlevels; k++)
			if (d->levels[k].department_id == dept &&
			    (!cls || strcmp(d->levels[k].class_code, cls) == 0) &&
			    strcmp(d->levels[k].level, levels[i]) == 0)
				n += d->levels[k].opened;
		csv_int(c, n);
	}
	csv_int(c, f->archived);
	csv_int(c, f->cancelled);
	csv_int(c, f->escalated);
	for (int m = 0; m < WOM_COUNT; m++)
		for (int k = 0; k < RSF_COUNT; k++)
			csv_int(c, f->sla[m][k]);
	csv_fixed(c, callback_tenths(f), 1);
	for (int o = 0; o < WOO_COUNT; o++)
		csv_int(c, f->center_callbacks[o]);
	if (cls) {
		/* Ratings and calls out belong to the agent's department, not to a class of order. */
		csv_raw(c, ",,,,,");
	} else {
		const struct report_rating *g = rating_of(d, dept);
		const struct report_calls_out *o = calls_out_of(d, dept);

		csv_int(c, g ? g->rated : 0);
		csv_fixed(c, rating_hundredths(g), 2);
		csv_int(c, o ? o->attempts : 0);
		csv_int(c, o ? o->answered : 0);
		/* Talk minutes to 0.1, rounded half up. */
		csv_fixed(c, o ? (o->talk_ms + 3000) / 6000 : 0, 1);
	}
	csv_end_row(c);
}

/* Writes the export's audit entry and commits it before the file goes out (SEC-2). */
static int audit_export(struct req *r, json_t *detail)
{
	int rc = store_begin(r->store);

	if (rc < 0) {
		json_decref(detail);
		return rc;
	}
	rc = req_audit(r, "report.export", "report", 0, "ok", detail);
	return req_finish(r, rc);
}

static int reply_csv(struct req *r, struct csv *c, const char *filename)
{
	snprintf(r->disposition, sizeof(r->disposition), "attachment; filename=\"%s\"", filename);
	buf_release(&r->text);
	r->text = c->b;
	r->content_type = CSV_TYPE;
	r->status = 200;
	return 0;
}

static int daily_csv(struct req *r)
{
	struct report_periodic rep;
	struct names nm = {NULL, 0, 0};
	struct csv c = {BUF_INIT, 0, 0};
	char levels[MAX_LEVELS][8], filename[96];
	int64_t dept = 0;
	int nlevels, rc = req_authorize(r, ACT_REPORT_READ, NULL);

	if (rc == 0)
		rc = load_daily(r, &rep, &dept);
	if (rc < 0)
		return rc;
	nlevels = report_levels(r->store, levels, MAX_LEVELS);
	if (nlevels < 0) {
		report_periodic_free(&rep);
		return nlevels;
	}
	csv_raw(&c, CSV_BOM);
	daily_csv_header(&c, levels, nlevels);
	/* A row per bucket: its first day names it (the day itself when grouped by day). */
	for (int i = 0; c.rc == 0 && i < rep.n; i++) {
		const struct report_day *d = &rep.b[i].day;
		int64_t *ids;
		int n = day_departments(d, &ids);
		char date[24];

		if (n < 0)
			c.rc = n;
		date_text(rep.b[i].first_ymd, date, sizeof(date));
		for (int k = 0; k < n; k++) {
			const char *name = dept_name(r, &nm, ids[k]);
			struct report_cell sum;

			memset(&sum, 0, sizeof(sum));
			for (int j = 0; j < d->ncells; j++) {
				if (d->cells[j].department_id != ids[k])
					continue;
				report_cell_add(&sum, &d->cells[j]);
				daily_csv_row(&c, date, ids[k], name, &d->cells[j], d,
					      d->cells[j].class_code, levels, nlevels);
			}
			daily_csv_row(&c, date, ids[k], name, &sum, d, NULL, levels, nlevels);
		}
		free(ids);
	}
	report_periodic_free(&rep);
	free(nm.v);
	rc = c.rc;
	snprintf(filename, sizeof(filename), "kefu-daily-%s-%s.csv", rep.period.from_text,
		 rep.period.to_text);
	if (rc == 0)
		rc = audit_export(r, json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:i}", "report",
					       "daily", "from", rep.period.from_text, "to",
					       rep.period.to_text, "group",
					       report_group_name(rep.period.group), "department_id",
					       ref(dept), "filename", filename, "rows", c.rows - 1));
	if (rc < 0) {
		buf_release(&c.b);
		return rc;
	}
	return reply_csv(r, &c, filename);
}

/*
 * GET /api/reports/wo_stats.xlsx: 工单统计表 of the period (the form
 * "wo_stats"), per department and metric; the forms' one download,
 * audited (SEC-2).
 */
static int wo_stats_export(struct req *r)
{
	const struct export_form *f = export_form_find("wo_stats");

	if (!f)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such form");
	return report_form_xlsx(r, f);
}

static json_t *overdue_json(const struct report_overdue *o, int64_t now)
{
	char label[24];

	wo_label(label, sizeof(label), o->class_code, o->level);
	return json_pack(
		"{s:I, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:I,"
		" s:I, s:i}",
		"sla_id", (json_int_t)o->sla_id, "order_id", (json_int_t)o->order_id, "number",
		o->number, "label", label, "class", o->class_code, "state", o->state,
		"department_id", ref(o->department_id), "department",
		o->department_id ? json_string(o->department) : json_null(), "owner_id",
		ref(o->owner_id), "owner", o->owner_id ? json_string(o->owner) : json_null(),
		"owner_work_no", o->owner_id ? json_string(o->owner_work_no) : json_null(),
		"metric", o->metric, "due_at", (json_int_t)o->due_at, "overdue_min",
		(json_int_t)((now - o->due_at) / 60000), "escalation_level", o->escalation_level);
}

struct overdue_ctx {
	struct req *r;
	json_t *items;
	struct csv *csv;
	int64_t last;
};

static int overdue_row(void *ctx, const struct report_overdue *o)
{
	struct overdue_ctx *oc = ctx;

	oc->last = o->sla_id;
	return json_array_append_new(oc->items, overdue_json(o, oc->r->now));
}

static int overdue(struct req *r)
{
	struct overdue_ctx oc = {r, NULL, NULL, 0};
	int64_t dept = 0, cursor;
	int limit, n, rc = req_page(r, &limit, &cursor);

	if (rc == 0)
		rc = report_department(r, ACT_REPORT_READ, 0, &dept);
	if (rc < 0)
		return rc;
	oc.items = json_array();
	n = report_overdue_list(r->store, dept, cursor, limit, overdue_row, &oc);
	if (n < 0) {
		json_decref(oc.items);
		return n;
	}
	return reply_page(r, oc.items, n == limit ? oc.last : 0);
}

static const char *metric_word(const char *metric)
{
	int m = wo_metric_parse(metric);

	return m < 0 ? metric : metric_words[m];
}

static int overdue_csv_row(void *ctx, const struct report_overdue *o)
{
	struct overdue_ctx *oc = ctx;
	struct csv *c = oc->csv;
	char label[24], due[32] = "";
	time_t t = (time_t)(o->due_at / 1000);
	struct tm tm;

	wo_label(label, sizeof(label), o->class_code, o->level);
	/* The deadline as the center's clock on the wall shows it (TZ is the center's zone). */
	if (localtime_r(&t, &tm))
		strftime(due, sizeof(due), "%Y-%m-%d %H:%M", &tm);
	csv_text(c, o->number, 1);
	csv_text(c, label, 0);
	csv_text(c, o->state, 0);
	csv_text(c, o->department_id ? o->department : "未分派", 0);
	csv_text(c, o->owner_id ? o->owner : "", 0);
	csv_text(c, o->owner_id ? o->owner_work_no : "", 0);
	csv_text(c, metric_word(o->metric), 0);
	csv_text(c, due, 0);
	csv_int(c, (oc->r->now - o->due_at) / 60000);
	csv_int(c, o->escalation_level);
	csv_end_row(c);
	return c->rc;
}

static int overdue_export(struct req *r)
{
	struct csv c = {BUF_INIT, 0, 0};
	struct overdue_ctx oc = {r, NULL, &c, 0};
	static const char *const header[] = {"工单号", "标签", "状态",	   "部门",     "负责人",
					     "工号",   "时限", "截止时间", "超时分钟", "升级级别"};
	int64_t dept = 0;
	char filename[96], day[24];
	int n, rc = req_authorize(r, ACT_REPORT_READ, NULL);

	if (rc == 0)
		rc = report_department(r, ACT_REPORT_READ, 0, &dept);
	if (rc < 0)
		return rc;
	csv_raw(&c, CSV_BOM);
	for (size_t i = 0; i < sizeof(header) / sizeof(header[0]); i++)
		csv_text(&c, header[i], i == 0);
	csv_end_row(&c);
	n = report_overdue_list(r->store, dept, 0, 0, overdue_csv_row, &oc);
	rc = n < 0 ? n : c.rc;
	date_text(clock_local_ymd(r->now), day, sizeof(day));
	snprintf(filename, sizeof(filename), "kefu-overdue-%s.csv", day);
	if (rc == 0)
		rc = audit_export(r, json_pack("{s:s, s:o, s:I, s:s, s:i}", "report", "overdue",
					       "department_id", ref(dept), "at", (json_int_t)r->now,
					       "filename", filename, "rows", n));
	if (rc < 0) {
		buf_release(&c.b);
		return rc;
	}
	return reply_csv(r, &c, filename);
}

static json_t *item_json(const struct report_item *it)
{
	char label[24];
	json_t *j;

	wo_label(label, sizeof(label), it->class_code, it->level);
	j = json_pack("{s:I, s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:i, s:I, s:o}", "id",
		      (json_int_t)it->order_id, "number", it->number, "class", it->class_code,
		      "level", it->level[0] ? json_string(it->level) : json_null(), "label", label,
		      "state", it->state, "department_id", ref(it->department_id), "owner_id",
		      ref(it->owner_id), "escalation_level", it->escalation_level, "created_at",
		      (json_int_t)it->created_at, "archived_at", ref(it->archived_at));
	if (j && it->sla_id)
		json_object_set_new(j, "sla",
				    json_pack("{s:I, s:s, s:s, s:I, s:I, s:o, s:b}", "id",
					      (json_int_t)it->sla_id, "metric", it->metric, "state",
					      it->sla_state, "started_at",
					      (json_int_t)it->started_at, "due_at",
					      (json_int_t)it->due_at, "met_at", ref(it->met_at),
					      "breached", it->breached));
	if (j && it->attempt_id)
		json_object_set_new(
			j, "attempt",
			json_pack("{s:I, s:I, s:s, s:I}", "id", (json_int_t)it->attempt_id, "at",
				  (json_int_t)it->attempt_at, "outcome", it->attempt_outcome,
				  "agent_id", (json_int_t)it->agent_id));
	return j;
}

struct items_ctx {
	json_t *items;
	int64_t last;
};

static int item_row(void *ctx, const struct report_item *it)
{
	struct items_ctx *ic = ctx;

	ic->last = it->key;
	return json_array_append_new(ic->items, item_json(it));
}

/* The drill-down: the orders (with the clock or callback attempt) behind one figure. */
static int orders(struct req *r)
{
	struct report_filter f;
	struct report_days day;
	struct items_ctx ic = {NULL, 0};
	struct wo_class_rule rule;
	const char *outcome = NULL, *metric = NULL;
	int ymd = 0, o, n, rc;

	memset(&f, 0, sizeof(f));
	f.metric = -1;
	rc = req_page(r, &f.limit, &f.after);
	if (rc == 0)
		rc = query_date(r, "day", 1, &ymd);
	if (rc == 0)
		rc = req_query(r, "outcome", &outcome);
	if (rc == 0)
		rc = req_query(r, "metric", &metric);
	if (rc == 0)
		rc = req_query(r, "class", &f.class_code);
	if (rc < 0)
		return rc;
	o = report_outcome_parse(outcome);
	if (o < 0)
		return err_set(&r->ei, ERR_INVALID, "outcome",
			       "outcome: opened, archived, cancelled, escalated, started, met,"
			       " met_late, breached, running, accepted, not_accepted,"
			       " unreachable or new_need");
	f.outcome = (enum report_outcome)o;
	if (report_outcome_needs_metric(f.outcome)) {
		f.metric = wo_metric_parse(metric);
		if (f.metric < 0)
			return err_set(&r->ei, ERR_INVALID, "metric",
				       "metric: callback, onsite, report, resolve or reply");
	} else if (metric) {
		return err_set(&r->ei, ERR_INVALID, "metric",
			       "metric: only with started, met, met_late, breached or running");
	}
	if (f.class_code) {
		rc = wo_class_get(r->store, f.class_code, &rule);
		if (rc == ERR_NOTFOUND)
			return err_set(&r->ei, ERR_INVALID, "class", "class: no such class");
		if (rc < 0)
			return rc;
	}
	rc = report_department(r, ACT_REPORT_READ, 1, &f.department_id);
	if (rc < 0)
		return rc;
	rc = report_days_make(ymd, ymd, &day);
	if (rc < 0)
		return err_set(&r->ei, ERR_INVALID, "day", "day: not a date of the calendar");
	f.start = day.start[0];
	f.end = day.start[1];
	ic.items = json_array();
	n = report_orders(r->store, &f, item_row, &ic);
	if (n < 0) {
		json_decref(ic.items);
		return n;
	}
	return reply_page(r, ic.items, n == f.limit ? ic.last : 0);
}

const struct route report_routes[] = {
	{"GET", "/api/reports/daily", daily, ACT_REPORT_READ},
	{"GET", "/api/reports/daily.csv", daily_csv, ACT_EXPORT},
	{"GET", "/api/reports/wo_stats.xlsx", wo_stats_export, ACT_EXPORT},
	{"GET", "/api/reports/overdue", overdue, ACT_REPORT_READ},
	{"GET", "/api/reports/overdue.csv", overdue_export, ACT_EXPORT},
	{"GET", "/api/reports/orders", orders, ACT_REPORT_READ},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
