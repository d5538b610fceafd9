/*
 * HTTP of the reports (QA-2, QA-5, CB-3): the daily quality-anomaly report
 * (/api/qa/daily…: the draft with its live figures, the supervisor's texts,
 * sending it to the managers, the list), the agents' figures of a week, a
 * biweekly period or a month (/api/qa/agents, its .xlsx export) and the
 * month's service star (/api/qa/star/{month}). Every change is audited.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/utf8.h"
#include "export/export.h"
#include "notify/notify.h"
#include "qa/qa.h"
#include "report/report.h"
#include "store/store.h"

#define MANAGERS_MAX 32
#define LIST_DAYS_MAX 366

static double round2(double x)
{
	return floor(x * 100.0 + 0.5) / 100.0;
}

/* A mean rounded to two decimals as JSON, null without anything to average. */
static json_t *mean_json(int64_t sum, int64_t n)
{
	return n > 0 ? json_real(round2((double)sum / (double)n)) : json_null();
}

/* "YYYY-MM-DD" → YYYYMMDD when it is a date; -1 otherwise. */
static int parse_day(const char *s)
{
	int y, m, d, end = 0;

	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &end) != 3 ||
	    end != 10 || s[4] != '-' || s[7] != '-' || !report_date_valid(y, m, d))
		return -1;
	return y * 10000 + m * 100 + d;
}

static void day_text(int ymd, char out[11])
{
	char t[40];
	unsigned u = (unsigned)ymd;

	snprintf(t, sizeof(t), "%04u-%02u-%02u", u / 10000 % 10000, u / 100 % 100, u % 100);
	memcpy(out, t, 10);
	out[10] = '\0';
}

/* [start, end) of local days from..to (at most REPORT_DAYS_MAX days). */
static int day_range(int from, int to, int64_t *start, int64_t *end)
{
	struct report_days *d = malloc(sizeof(*d));
	int rc;

	if (!d)
		return ERR_NOMEM;
	rc = report_days_make(from, to, d);
	if (rc == 0) {
		*start = d->start[0];
		*end = d->start[d->n];
	}
	free(d);
	return rc;
}

static int person_read(struct store_stmt *st, void *dst)
{
	json_t **o = dst;

	*o = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)store_col_int(st, 0), "work_no",
		       store_col_text_or(st, 1, ""), "name", store_col_text_or(st, 2, ""));
	return *o ? 0 : ERR_NOMEM;
}

/* {id, work_no, name} of a person, or null. */
static json_t *person_json(struct store *s, int64_t id)
{
	json_t *o = NULL;

	if (id <= 0 ||
	    store_one(store_query(s, "SELECT id, work_no, name FROM person WHERE id = ?", "i", id),
		      person_read, &o) < 0)
		return json_null();
	return o;
}

static json_t *rule_json(struct store *s, const struct qa_rule_tally *c)
{
	struct qa_rule_name n;

	if (qa_rule_name_get(s, c->rule_id, &n) < 0) {
		n.code[0] = '\0';
		n.name[0] = '\0';
	}
	return json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I}", "rule_id", (json_int_t)c->rule_id,
			 "code", n.code, "name", n.name, "hits", (json_int_t)c->hits, "checks",
			 (json_int_t)c->checks, "high", (json_int_t)c->high, "fatal",
			 (json_int_t)c->fatal);
}

/*
 * Where a contact of the lowest list opens: a call in the call log of its
 * day, filtered to its agent (the log has no page of one call).
 */
static void contact_link(const struct qa_rep_check *c, const char *day, char *out, size_t size)
{
	if (!strcmp(c->kind, "call"))
		snprintf(out, size, "/calls?from=%s&to=%s&agent_id=%lld", day, day,
			 (long long)c->agent_id);
	else
		out[0] = '\0';
}

/* The survey (CALL-3) and the center's callbacks (CB-3) of a day, as src/report/ counts them. */
static int day_satisfaction(struct store *s, int ymd, json_t *fig)
{
	struct report_daily *r = calloc(1, sizeof(*r));
	int64_t rated = 0, total = 0, cb[WOO_COUNT] = {0}, attempts = 0;
	int rc;

	if (!r)
		return ERR_NOMEM;
	rc = report_days_make(ymd, ymd, &r->days);
	if (rc == 0)
		rc = report_daily_load(s, r, 0);
	if (rc < 0) {
		free(r);
		return rc;
	}
	for (int i = 0; i < r->day[0].nratings; i++) {
		rated += r->day[0].ratings[i].rated;
		total += r->day[0].ratings[i].total;
	}
	for (int i = 0; i < r->day[0].ncells; i++)
		for (int o = 0; o < WOO_COUNT; o++) {
			cb[o] += r->day[0].cells[i].center_callbacks[o];
			attempts += r->day[0].cells[i].center_callbacks[o];
		}
	report_daily_free(r);
	free(r);
	json_object_set_new(fig, "survey",
			    json_pack("{s:I, s:o}", "rated", (json_int_t)rated, "average",
				      mean_json(total, rated)));
	json_object_set_new(
		fig, "callbacks",
		json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "attempts", (json_int_t)attempts,
			  "accepted", (json_int_t)cb[WOO_ACCEPTED], "not_accepted",
			  (json_int_t)cb[WOO_NOT_ACCEPTED], "unreachable",
			  (json_int_t)cb[WOO_UNREACHABLE], "new_need", (json_int_t)cb[WOO_NEW_NEED],
			  "satisfaction",
			  cb[WOO_ACCEPTED] + cb[WOO_NOT_ACCEPTED] > 0
				  ? json_real(round2(
					    100.0 * (double)cb[WOO_ACCEPTED] /
					    (double)(cb[WOO_ACCEPTED] + cb[WOO_NOT_ACCEPTED])))
				  : json_null()));
	return 0;
}

/* The figures of a day (QA-2), computed now from its rows. */
static int day_figures(struct req *r, int ymd, json_t **out)
{
	struct qa_rep_check *checks = NULL;
	struct qa_rep_hit *hits = NULL;
	size_t nc = 0, nh = 0;
	struct qa_day_figures *f = malloc(sizeof(*f));
	int64_t start = 0, end = 0;
	json_t *fig = NULL, *a;
	char day[11], link[120];
	int rc;

	if (!f)
		return ERR_NOMEM;
	day_text(ymd, day);
	rc = day_range(ymd, ymd, &start, &end);
	if (rc == 0)
		rc = qa_rep_checks_load(r->store, start, end, 0, &checks, &nc);
	if (rc == 0)
		rc = qa_rep_hits_load(r->store, start, end, 0, &hits, &nh);
	if (rc == 0)
		rc = qa_day_figures_make(checks, nc, hits, nh, f);
	if (rc < 0)
		goto out;
	fig = json_pack("{s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:I}", "checks", (json_int_t)f->checks,
			"transcribed", (json_int_t)f->transcribed, "average_score",
			mean_json(f->score_sum, f->checks), "fatal", (json_int_t)f->fatal,
			"with_hits", (json_int_t)f->with_hits, "hits", (json_int_t)f->hits, "high",
			(json_int_t)f->high, "computed_at", (json_int_t)r->now);
	a = json_array();
	for (int i = 0; i < f->nrules; i++)
		json_array_append_new(a, rule_json(r->store, &f->rules[i]));
	json_object_set_new(fig, "rules", a);
	a = json_array();
	for (int i = 0; i < f->nagents; i++) {
		const struct qa_agent_count *g = &f->agents[i];

		json_array_append_new(a, json_pack("{s:o, s:I, s:o, s:I, s:I, s:I}", "agent",
						   person_json(r->store, g->agent_id), "checks",
						   (json_int_t)g->checks, "average_score",
						   mean_json(g->score_sum, g->checks), "hits",
						   (json_int_t)g->hits, "high", (json_int_t)g->high,
						   "fatal", (json_int_t)g->fatal));
	}
	json_object_set_new(fig, "agents", a);
	a = json_array();
	for (int i = 0; i < f->nlowest; i++) {
		const struct qa_rep_check *c = &f->lowest[i];

		contact_link(c, day, link, sizeof(link));
		json_array_append_new(
			a, json_pack("{s:I, s:s, s:I, s:o, s:I, s:i, s:b, s:i, s:i, s:s}",
				     "check_id", (json_int_t)c->id, "kind", c->kind, "ref_id",
				     (json_int_t)c->ref_id, "agent",
				     person_json(r->store, c->agent_id), "contact_at",
				     (json_int_t)c->contact_at, "score", c->score, "fatal",
				     c->fatal, "hits", c->hits, "high", c->high, "link", link));
	}
	json_object_set_new(fig, "lowest", a);
	rc = day_satisfaction(r->store, ymd, fig);
out:
	free(f);
	free(checks);
	free(hits);
	if (rc < 0) {
		json_decref(fig);
		return rc;
	}
	*out = fig;
	return 0;
}

static int param_day(struct req *r, int *ymd)
{
	*ymd = parse_day(r->params[0]);
	if (*ymd < 0)
		return err_set(&r->ei, ERR_INVALID, "day", "%s: a date as YYYY-MM-DD", "day");
	return 0;
}

/* The report of a day as JSON: the row's texts (empty for none yet) and its figures. */
static int daily_json(struct req *r, int ymd, const struct qa_daily *d, json_t **out)
{
	json_t *fig = NULL, *o, *sent_to;
	char day[11];
	int rc = 0;

	day_text(ymd, day);
	if (d && d->figures) {
		fig = json_loads(d->figures, 0, NULL);
		if (!fig)
			return ERR_IO;
	} else {
		rc = day_figures(r, ymd, &fig);
		if (rc < 0)
			return rc;
	}
	sent_to = d && d->sent_to ? json_loads(d->sent_to, 0, NULL) : NULL;
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "day", day, "state",
		      d ? d->state : "draft", "anomaly", d ? d->anomaly : "", "causes",
		      d ? d->causes : "", "measures", d ? d->measures : "", "author",
		      d ? person_json(r->store, d->author_id) : json_null(), "sent_to",
		      sent_to ? sent_to : json_array(), "sent_at",
		      d && d->sent_at ? json_integer(d->sent_at) : json_null(), "updated_at",
		      d ? json_integer(d->updated_at) : json_null(), "figures", fig);
	if (!o)
		return ERR_NOMEM;
	*out = o;
	return 0;
}

/* GET /api/qa/daily/{day}: the day's report, a draft (live figures) or as sent. */
static int daily_get(struct req *r)
{
	struct qa_daily d;
	json_t *o = NULL;
	int ymd, rc = param_day(r, &ymd), found;

	if (rc < 0)
		return rc;
	rc = qa_daily_get(r->store, r->params[0], &d);
	if (rc < 0 && rc != ERR_NOTFOUND)
		return rc;
	found = rc == 0;
	rc = daily_json(r, ymd, found ? &d : NULL, &o);
	if (found)
		qa_daily_free(&d);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, o);
}

/* The day must have begun: a report is of what happened. */
static int day_begun(struct req *r, int ymd)
{
	if (ymd > clock_local_ymd(r->now))
		return err_set(&r->ei, ERR_UNPROCESSABLE, "day", "the day has not begun");
	return 0;
}

/*
 * The day's report as it stands, read in the caller's transaction before it
 * is changed: 0 with *found set (and d loaded when found), or ERR_CONFLICT
 * once the report was sent, which makes it read-only (QA-2). Whatever it
 * answers, the caller frees d when *found.
 */
static int draft_load(struct req *r, struct qa_daily *d, int *found)
{
	int rc = qa_daily_get(r->store, r->params[0], d);

	*found = rc == 0;
	if (rc == ERR_NOTFOUND)
		return 0;
	if (rc == 0 && strcmp(d->state, "draft"))
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the report was sent; it is read-only");
	return rc;
}

static const char *const text_fields[] = {"anomaly", "causes", "measures", NULL};

/* PUT /api/qa/daily/{day} {anomaly, causes, measures}: the supervisor's texts of a draft. */
static int daily_put(struct req *r)
{
	const char *t[3] = {NULL, NULL, NULL};
	struct qa_daily d;
	json_t *o = NULL;
	int ymd, rc = param_day(r, &ymd), found = 0;

	if (rc == 0)
		rc = body_only(r, text_fields);
	for (int i = 0; rc == 0 && i < 3; i++) {
		rc = body_str(r, text_fields[i], 0, &t[i]);
		if (rc == 0 && t[i] && utf8_len(t[i]) > QA_TEXT_MAX)
			rc = err_set(&r->ei, ERR_INVALID, text_fields[i],
				     "%s: at most %d characters", text_fields[i], QA_TEXT_MAX);
	}
	if (rc == 0)
		rc = day_begun(r, ymd);
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = draft_load(r, &d, &found);
	if (rc == 0) {
		/* Fields left out keep what the draft holds. */
		const char *cur[3] = {found ? d.anomaly : "", found ? d.causes : "",
				      found ? d.measures : ""};

		for (int i = 0; i < 3; i++)
			if (!t[i])
				t[i] = cur[i];
		rc = qa_daily_save(r->store, r->params[0], t[0], t[1], t[2], r->who.person_id,
				   r->now);
	}
	if (rc == 0)
		rc = req_audit(r, "qa.daily.edit", "qa_daily", (int64_t)ymd, "ok",
			       json_pack("{s:s, s:b}", "day", r->params[0], "created", !found));
	if (found)
		qa_daily_free(&d);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	rc = qa_daily_get(r->store, r->params[0], &d);
	if (rc < 0)
		return rc;
	rc = daily_json(r, ymd, &d, &o);
	qa_daily_free(&d);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, o);
}

/*
 * POST /api/qa/daily/{day}/send: freezes the figures, makes the report
 * read-only and tells every active manager (QA-2). 409 once sent.
 */
static int daily_send(struct req *r)
{
	struct qa_daily d;
	int64_t managers[MANAGERS_MAX];
	json_t *fig = NULL, *to = NULL, *o = NULL;
	char *fig_text = NULL, *to_text = NULL, text[NOTIFY_TEXT_SIZE];
	int ymd, rc = param_day(r, &ymd), found = 0, n = 0;

	if (rc == 0 && r->body && json_object_size(r->body) > 0)
		rc = body_only(r, (const char *const[]){NULL});
	if (rc == 0)
		rc = day_begun(r, ymd);
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = draft_load(r, &d, &found);
	/* Sent as kefu drafted it: the row is made now, without texts. */
	if (rc == 0 && !found)
		rc = qa_daily_save(r->store, r->params[0], "", "", "", r->who.person_id, r->now);
	if (rc == 0) {
		n = qa_people_with_role(r->store, ROLE_MANAGER, managers, MANAGERS_MAX);
		rc = n < 0 ? n : 0;
		if (rc == 0 && n == 0)
			rc = err_set(&r->ei, ERR_UNPROCESSABLE, NULL,
				     "there is no manager to send it to");
	}
	if (rc == 0)
		rc = day_figures(r, ymd, &fig);
	if (rc == 0) {
		to = json_array();
		for (int i = 0; i < n; i++)
			json_array_append_new(to, json_integer(managers[i]));
		fig_text = json_dumps(fig, JSON_COMPACT | JSON_SORT_KEYS);
		to_text = json_dumps(to, JSON_COMPACT);
		if (!fig_text || !to_text)
			rc = ERR_NOMEM;
	}
	if (rc == 0)
		rc = qa_daily_mark_sent(r->store, r->params[0], fig_text, to_text, r->who.person_id,
					r->now);
	if (rc == 0) {
		snprintf(text, sizeof(text), "%s 发送了 %s 的质量异常分析日报表", r->who.name,
			 r->params[0]);
		for (int i = 0; rc == 0 && i < n; i++)
			rc = notify_send(r->store, managers[i], "qa.daily", 0, text, r->now);
	}
	if (rc == 0)
		rc = req_audit(r, "qa.daily.send", "qa_daily", (int64_t)ymd, "ok",
			       json_pack("{s:s, s:O, s:O, s:O}", "day", r->params[0], "sent_to", to,
					 "checks", json_object_get(fig, "checks"), "average_score",
					 json_object_get(fig, "average_score")));
	if (found)
		qa_daily_free(&d);
	json_decref(fig);
	json_decref(to);
	free(fig_text);
	free(to_text);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	notify_wake();
	rc = qa_daily_get(r->store, r->params[0], &d);
	if (rc < 0)
		return rc;
	rc = daily_json(r, ymd, &d, &o);
	qa_daily_free(&d);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, o);
}

static int list_row(void *ctx, const struct qa_daily *d)
{
	json_t *items = ctx, *fig = d->figures ? json_loads(d->figures, 0, NULL) : NULL;
	json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:o, s:I, s:O, s:O}", "day", d->day, "state",
			      d->state, "author_id", (json_int_t)d->author_id, "author_name",
			      d->author_name, "sent_at",
			      d->sent_at ? json_integer(d->sent_at) : json_null(), "updated_at",
			      (json_int_t)d->updated_at, "checks",
			      fig ? json_object_get(fig, "checks") : json_null(), "average_score",
			      fig ? json_object_get(fig, "average_score") : json_null());

	json_decref(fig);
	if (!o)
		return ERR_NOMEM;
	return json_array_append_new(items, o) == 0 ? 0 : ERR_NOMEM;
}

/* GET /api/qa/daily?from&to&state: the reports written, newest day first. */
static int daily_list(struct req *r)
{
	const char *from = NULL, *to = NULL, *state = NULL;
	int f, t, rc;
	char fd[11], td[11];
	json_t *items;

	rc = req_query(r, "from", &from);
	if (rc == 0)
		rc = req_query(r, "to", &to);
	if (rc == 0)
		rc = req_query(r, "state", &state);
	if (rc < 0)
		return rc;
	t = to ? parse_day(to) : clock_local_ymd(r->now);
	if (t < 0)
		return err_set(&r->ei, ERR_INVALID, "to", "%s: a date as YYYY-MM-DD", "to");
	f = from ? parse_day(from) : qa_ymd_add(t, -30);
	if (f < 0)
		return err_set(&r->ei, ERR_INVALID, "from", "%s: a date as YYYY-MM-DD", "from");
	if (f > t || qa_ymd_add(f, LIST_DAYS_MAX - 1) < t)
		return err_set(&r->ei, ERR_INVALID, "to", "to: at most %d days from from",
			       LIST_DAYS_MAX);
	if (state && strcmp(state, "draft") && strcmp(state, "sent"))
		return err_set(&r->ei, ERR_INVALID, "state", "state: draft or sent");
	day_text(f, fd);
	day_text(t, td);
	items = json_array();
	rc = qa_daily_list(r->store, fd, td, state, list_row, items);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200,
			  json_pack("{s:s, s:s, s:o}", "from", fd, "to", td, "items", items));
}

/* ---- the agents (QA-5) ---- */

struct period {
	enum qa_period kind;
	struct qa_period_days days;
	char from[11], to[11], prev_from[11], prev_to[11];
};

/* period and date from the query; the date defaults to today. */
static int read_period(struct req *r, struct period *p)
{
	const char *name = NULL, *date = NULL;
	int k, ymd, rc = req_query(r, "period", &name);

	if (rc == 0)
		rc = req_query(r, "date", &date);
	if (rc < 0)
		return rc;
	k = name ? qa_period_parse(name) : QA_WEEK;
	if (k < 0)
		return err_set(&r->ei, ERR_INVALID, "period", "period: week, biweek or month");
	ymd = date ? parse_day(date) : clock_local_ymd(r->now);
	if (ymd < 0)
		return err_set(&r->ei, ERR_INVALID, "date", "%s: a date as YYYY-MM-DD", "date");
	p->kind = (enum qa_period)k;
	rc = qa_period_of(p->kind, ymd, &p->days);
	if (rc < 0)
		return err_set(&r->ei, ERR_INVALID, "date", "%s: a date as YYYY-MM-DD", "date");
	day_text(p->days.from, p->from);
	day_text(p->days.to, p->to);
	day_text(p->days.prev_from, p->prev_from);
	day_text(p->days.prev_to, p->prev_to);
	return 0;
}

/*
 * The rows of a period for everyone (agent_id 0) or one agent, filled,
 * scored, the star marked (only a month has a star), the top rules in
 * words.
 */
static int period_rows(struct req *r, const struct period *p, int64_t agent_id,
		       struct qa_agent_row **out, size_t *n)
{
	struct qa_rep_check *checks = NULL, *prev = NULL;
	struct qa_rep_hit *hits = NULL;
	size_t nc = 0, nh = 0, np = 0;
	int64_t start, end, pstart, pend;
	int rc = day_range(p->days.from, p->days.to, &start, &end);

	*out = NULL;
	*n = 0;
	if (rc == 0)
		rc = day_range(p->days.prev_from, p->days.prev_to, &pstart, &pend);
	if (rc == 0)
		rc = qa_agent_rows_load(r->store, start, end, agent_id, out, n);
	if (rc == 0)
		rc = qa_rep_checks_load(r->store, start, end, agent_id, &checks, &nc);
	if (rc == 0)
		rc = qa_rep_hits_load(r->store, start, end, agent_id, &hits, &nh);
	if (rc == 0)
		rc = qa_rep_checks_load(r->store, pstart, pend, agent_id, &prev, &np);
	if (rc == 0)
		rc = qa_agent_rows_fill(*out, *n, checks, nc, hits, nh, prev, np);
	free(checks);
	free(hits);
	free(prev);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		return rc;
	}
	qa_star_pick(*out, *n);
	for (size_t i = 0; i < *n; i++) {
		struct qa_agent_row *a = &(*out)[i];
		size_t len = 0;

		if (p->kind != QA_MONTH)
			a->star = 0;
		a->top_text[0] = '\0';
		for (int k = 0; k < a->ntop && len + 300 < sizeof(a->top_text); k++) {
			struct qa_rule_name rn;

			if (qa_rule_name_get(r->store, a->top[k].rule_id, &rn) < 0)
				snprintf(rn.name, sizeof(rn.name), "#%lld",
					 (long long)a->top[k].rule_id);
			len += (size_t)snprintf(a->top_text + len, sizeof(a->top_text) - len,
						"%s%.200s×%lld", k ? "、" : "", rn.name,
						(long long)a->top[k].hits);
		}
	}
	return 0;
}

static json_t *row_json(struct req *r, const struct qa_agent_row *a)
{
	json_t *top = json_array();
	int64_t reached = a->cb_accepted + a->cb_not_accepted;
	double avg = a->now.checks ? (double)a->now.score_sum / (double)a->now.checks : 0;
	double pavg = a->prev.checks ? (double)a->prev.score_sum / (double)a->prev.checks : 0;

	for (int k = 0; k < a->ntop; k++)
		json_array_append_new(top, rule_json(r->store, &a->top[k]));
	return json_pack(
		"{s:I, s:s, s:s, s:I, s:o, s:I, s:I, s:I, s:o,"
		" s:{s:I, s:o}, s:{s:I, s:I, s:I, s:o}, s:{s:I, s:o}, s:{s:I, s:o}, s:o, s:o, s:b,"
		" s:b}",
		"agent_id", (json_int_t)a->agent_id, "work_no", a->work_no, "name", a->name,
		"checks", (json_int_t)a->now.checks, "average_score",
		mean_json(a->now.score_sum, a->now.checks), "fatal", (json_int_t)a->now.fatal,
		"hits", (json_int_t)a->now.hits, "high", (json_int_t)a->now.high, "top_rules", top,
		"survey", "rated", (json_int_t)a->rated, "average",
		mean_json(a->rating_sum, a->rated), "callbacks", "attempts",
		(json_int_t)a->cb_attempts, "accepted", (json_int_t)a->cb_accepted, "not_accepted",
		(json_int_t)a->cb_not_accepted, "satisfaction",
		reached ? json_real(round2(100.0 * (double)a->cb_accepted / (double)reached))
			: json_null(),
		"reviews", "count", (json_int_t)a->reviews, "average_score",
		mean_json(a->review_sum, a->reviews), "previous", "checks",
		(json_int_t)a->prev.checks, "average_score",
		mean_json(a->prev.score_sum, a->prev.checks), "trend",
		a->now.checks && a->prev.checks ? json_real(round2(avg - pavg)) : json_null(),
		"combined", a->has_combined ? json_real(round2(a->combined)) : json_null(),
		"eligible", a->eligible, "star", a->star);
}

/* Agents see their own row only (QA-5, QA-1). */
static int64_t self_only(struct req *r)
{
	return auth_scope(&r->who, ACT_QA_AGENTS_READ) < SCOPE_ALL ? r->who.person_id : 0;
}

static json_t *period_json(const struct period *p)
{
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:i}", "period", qa_period_name(p->kind),
			 "from", p->from, "to", p->to, "previous", "from", p->prev_from, "to",
			 p->prev_to, "star_min_checks", QA_STAR_MIN_CHECKS);
}

/* GET /api/qa/agents?period=week|biweek|month&date=YYYY-MM-DD */
static int agents_get(struct req *r)
{
	struct period p;
	struct qa_agent_row *rows;
	size_t n;
	json_t *o, *items;
	int rc = read_period(r, &p);

	if (rc == 0)
		rc = period_rows(r, &p, self_only(r), &rows, &n);
	if (rc < 0)
		return rc;
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, row_json(r, &rows[i]));
	free(rows);
	o = period_json(&p);
	json_object_set_new(o, "items", items);
	return reply_json(r, 200, o);
}

/* GET /api/qa/agents/export?period&date: the table as .xlsx, audited (SEC-2). */
static int agents_export(struct req *r)
{
	static const char *const zh_period[] = {"周质检汇总", "双周质检考核", "月度质检考评"};
	static const char *const en_period[] = {
		"Weekly quality summary", "Biweekly quality assessment", "Monthly quality review"};
	struct period p;
	struct qa_agent_row *rows = NULL;
	struct export_book *b = NULL;
	size_t n = 0;
	char title[400], subtitle[80], made_on[11], ascii[64], utf8[480];
	int english = err_lang_english(req_header(r, "Accept-Language"));
	int rc = read_period(r, &p);

	if (rc == 0)
		rc = period_rows(r, &p, 0, &rows, &n);
	if (rc < 0)
		return rc;
	snprintf(title, sizeof(title), "%s%s", english ? "" : r->app->cfg->center_name,
		 english ? en_period[p.kind] : zh_period[p.kind]);
	snprintf(subtitle, sizeof(subtitle), "%s – %s", p.from, p.to);
	day_text(clock_local_ymd(r->now), made_on);
	rc = qa_agents_xlsx(rows, n, title, subtitle, r->who.name, made_on, english, &b);
	snprintf(ascii, sizeof(ascii), "qa-%s-%s.xlsx", qa_period_name(p.kind), p.from);
	snprintf(utf8, sizeof(utf8), "%s-%s.xlsx", title, p.from);
	if (rc == 0)
		rc = export_reply(r, b, ascii, english ? NULL : utf8);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0) {
		rc = req_audit(r, "qa.agents.export", "qa_agents", p.days.from, "ok",
			       json_pack("{s:s, s:s, s:s, s:i}", "period", qa_period_name(p.kind),
					 "from", p.from, "to", p.to, "agents", (int)n));
		rc = req_finish(r, rc);
	}
	export_book_free(b);
	free(rows);
	return rc;
}

/* GET /api/qa/star/{month}: the month's service star and the ranking behind it. */
static int star_get(struct req *r)
{
	struct period p;
	struct qa_agent_row *rows = NULL;
	size_t n = 0;
	int y, m, end = 0, rc, best;
	json_t *o, *ranking;

	if (strlen(r->params[0]) != 7 || sscanf(r->params[0], "%4d-%2d%n", &y, &m, &end) != 2 ||
	    end != 7 || r->params[0][4] != '-' || !report_date_valid(y, m, 1))
		return err_set(&r->ei, ERR_INVALID, "month", "month: a month as YYYY-MM");
	p.kind = QA_MONTH;
	rc = qa_period_of(QA_MONTH, y * 10000 + m * 100 + 1, &p.days);
	if (rc < 0)
		return rc;
	day_text(p.days.from, p.from);
	day_text(p.days.to, p.to);
	day_text(p.days.prev_from, p.prev_from);
	day_text(p.days.prev_to, p.prev_to);
	rc = period_rows(r, &p, 0, &rows, &n);
	if (rc < 0)
		return rc;
	best = -1;
	for (size_t i = 0; i < n; i++)
		if (rows[i].star)
			best = (int)i;
	/* The eligible agents, best first: who came close, and by how much;
	 * an agent, who reads only their own figures, sees the star alone. */
	ranking = json_array();
	for (; !self_only(r);) {
		int k = -1;

		for (size_t i = 0; i < n; i++)
			if (rows[i].eligible && (k < 0 || rows[i].combined > rows[k].combined))
				k = (int)i;
		if (k < 0)
			break;
		json_array_append_new(ranking, row_json(r, &rows[k]));
		rows[k].eligible = 0;
	}
	o = period_json(&p);
	json_object_set_new(o, "month", json_string(r->params[0]));
	json_object_set_new(o, "star", best >= 0 ? row_json(r, &rows[best]) : json_null());
	json_object_set_new(o, "ranking", ranking);
	free(rows);
	return reply_json(r, 200, o);
}

/* ---- 质量异常分析日报表 in the center's registry (issue 20, LED-2) ---- */

/* "name (work no.)" of a person, "" for none. */
static void person_text(struct store *s, int64_t id, char *out, size_t size)
{
	json_t *o = person_json(s, id);

	if (json_is_object(o))
		snprintf(out, size, "%s（%s）", json_string_value(json_object_get(o, "name")),
			 json_string_value(json_object_get(o, "work_no")));
	else
		out[0] = '\0';
	json_decref(o);
}

/* A label in column 0 and its text merged over the rest of the row. */
static void daily_line(struct export_sheet *sh, int row, const char *label, const char *text)
{
	static const struct export_style wrap = {NULL, EXPORT_WRAP, NULL};

	export_text(sh, row, 0, label, NULL);
	export_text(sh, row, 1, text, &wrap);
	export_merge(sh, row, 1, 5);
}

/*
 * The day's report as the paper form: the day's figures computed from its
 * checks and hits, the rules and the agents most hit, then the
 * supervisor's texts (异常情况, 原因分析, 改进措施) when written.
 */
static int daily_form_build(struct store *st, const struct export_form_args *a,
			    struct export_book **out)
{
	static const struct export_style avg = {NULL, 0, "0.0"};
	struct qa_rep_check *checks = NULL;
	struct qa_rep_hit *hits = NULL;
	struct qa_day_figures *f = malloc(sizeof(*f));
	struct export_book *b = export_book_new();
	struct export_sheet *sh = NULL;
	struct qa_daily d;
	size_t nc = 0, nh = 0;
	int64_t start = 0, end = 0;
	char day[11], title[200], text[600], made_on[11];
	int row = 0, found = 0, rc = f && b ? 0 : ERR_NOMEM;
	int en = a->english;

	day_text(a->from_ymd, day);
	if (rc == 0)
		rc = day_range(a->from_ymd, a->from_ymd, &start, &end);
	if (rc == 0)
		rc = qa_rep_checks_load(st, start, end, 0, &checks, &nc);
	if (rc == 0)
		rc = qa_rep_hits_load(st, start, end, 0, &hits, &nh);
	if (rc == 0)
		rc = qa_day_figures_make(checks, nc, hits, nh, f);
	if (rc == 0) {
		rc = qa_daily_get(st, day, &d);
		found = rc == 0;
		rc = rc == ERR_NOTFOUND ? 0 : rc;
	}
	if (rc < 0)
		goto out;
	sh = export_sheet_add(b, en ? "Quality anomalies" : "质量异常分析日报表");
	snprintf(title, sizeof(title), en ? "%s daily quality anomaly report" : "%s质量异常分析日报表",
		 a->cfg->center_name);
	export_title(sh, title);
	export_subtitle(sh, day);
	export_column(sh, 0, 16);
	export_column(sh, 1, 24);
	for (int c = 2; c < 6; c++)
		export_column(sh, c, 10);
	{
		static const char *const zh[] = {"质检量", "平均分", "有命中", "命中", "高危", "致命"};
		static const char *const eng[] = {"Checks", "Average", "With hits",
						  "Hits",   "High",    "Fatal"};

		for (int c = 0; c < 6; c++)
			export_header(sh, 0, c, 1, 1, en ? eng[c] : zh[c], NULL);
	}
	export_int(sh, row, 0, f->checks, NULL);
	if (f->checks)
		export_number(sh, row, 1, (double)f->score_sum / (double)f->checks, &avg);
	export_int(sh, row, 2, f->with_hits, NULL);
	export_int(sh, row, 3, f->hits, NULL);
	export_int(sh, row, 4, f->high, NULL);
	export_int(sh, row, 5, f->fatal, NULL);
	row += 2;
	export_text(sh, row++, 0, en ? "Rules most hit" : "命中最多的规则", &(struct export_style){NULL, EXPORT_BOLD, NULL});
	for (int i = 0; i < f->nrules; i++, row++) {
		struct qa_rule_name n;

		if (qa_rule_name_get(st, f->rules[i].rule_id, &n) < 0)
			n.name[0] = '\0';
		export_text(sh, row, 0, n.name, NULL);
		export_merge(sh, row, 0, 2);
		export_int(sh, row, 2, f->rules[i].checks, NULL);
		export_int(sh, row, 3, f->rules[i].hits, NULL);
		export_int(sh, row, 4, f->rules[i].high, NULL);
		export_int(sh, row, 5, f->rules[i].fatal, NULL);
	}
	row++;
	export_text(sh, row++, 0, en ? "Agents most hit" : "命中最多的坐席", &(struct export_style){NULL, EXPORT_BOLD, NULL});
	for (int i = 0; i < f->nagents; i++, row++) {
		const struct qa_agent_count *g = &f->agents[i];

		person_text(st, g->agent_id, text, sizeof(text));
		export_text(sh, row, 0, text, NULL);
		export_int(sh, row, 1, g->checks, NULL);
		if (g->checks)
			export_number(sh, row, 2, (double)g->score_sum / (double)g->checks, &avg);
		export_int(sh, row, 3, g->hits, NULL);
		export_int(sh, row, 4, g->high, NULL);
		export_int(sh, row, 5, g->fatal, NULL);
	}
	row++;
	daily_line(sh, row++, en ? "Anomalies" : "异常情况", found ? d.anomaly : "");
	daily_line(sh, row++, en ? "Causes" : "原因分析", found ? d.causes : "");
	daily_line(sh, row++, en ? "Measures" : "改进措施", found ? d.measures : "");
	day_text(clock_local_ymd(a->now), made_on);
	export_signed(sh, 0, found && d.author_name[0] ? d.author_name : a->made_by, made_on, en);
out:
	if (found)
		qa_daily_free(&d);
	free(checks);
	free(hits);
	free(f);
	if (rc < 0) {
		export_book_free(b);
		return rc;
	}
	return export_book_done(b, out);
}

const struct export_form qa_daily_form = {
	"qa_daily", "质量异常分析日报表", "Daily quality anomaly report", "/qa/daily",
	ACT_QA_DAILY_READ, EXPORT_PERIOD_DAY, daily_form_build};

const struct route qa_report_routes[] = {
	{"GET", "/api/qa/daily", daily_list, ACT_QA_DAILY_READ},
	{"GET", "/api/qa/daily/{day}", daily_get, ACT_QA_DAILY_READ},
	{"PUT", "/api/qa/daily/{day}", daily_put, ACT_QA_DAILY_WRITE},
	{"POST", "/api/qa/daily/{day}/send", daily_send, ACT_QA_DAILY_WRITE},
	{"GET", "/api/qa/agents", agents_get, ACT_QA_AGENTS_READ},
	{"GET", "/api/qa/agents/export", agents_export, ACT_QA_EXPORT},
	{"GET", "/api/qa/star/{month}", star_get, ACT_QA_AGENTS_READ},
	{NULL, NULL, NULL, 0},
};
