/*
 * The daily answer-rate test over HTTP (每日接通率测试表, LED-2; out.h tells
 * how it works), its scheduler tick, and the wallboard's outbound figures:
 *
 * - GET /api/out/tests/schedule (out.read, the whole center's: agents 403),
 *   PUT /api/out/tests/schedule {enabled, times, keys, wait_sec} (out.manage;
 *   audited "out.test.schedule" with before and after);
 * - GET /api/out/tests?month=YYYY-MM: the month's sheet, each test with the
 *   day's and the month's answer rate (out.read, the whole center's);
 * - GET /api/out/tests/export?month=YYYY-MM: the same as the paper form in
 *   .xlsx (out.manage; audited "out.test.export" before it goes out, SEC-2);
 * - POST /api/out/tests/run {keys?, wait_sec?}: a manager's test call now
 *   (out.manage; audited "out.test.run"), 409 while a test call is running;
 * - out_test_tick: the scheduled times as they come due (audited
 *   "out.test.request" by system);
 * - out_live_extra: a member "out" of the live figures (acd's hook).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call/call.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "export/export.h"
#include "http/http.h"
#include "ivr/ivr.h"
#include "out/out.h"
#include "store/store.h"

static const struct audit_actor system_actor = {0, "system", NULL};

static json_t *ref_json(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

/* Basis points as a fraction with four decimals, or null. */
static json_t *bp_json(int bp)
{
	return bp < 0 ? json_null() : json_real(bp / 10000.0);
}

/* Milliseconds as seconds with one decimal, or null when negative. */
static json_t *sec_json(int64_t ms)
{
	return ms < 0 ? json_null() : json_real((double)((ms + 50) / 100) / 10.0);
}

static void day_text(int ymd, char *out, size_t size)
{
	snprintf(out, size, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
}

static void minute_text(int m, char *out, size_t size)
{
	snprintf(out, size, "%02d:%02d", m / 60 % 24, m % 60);
}

/* The sheet is the whole center's: agents (out.read of their own) get 403, audited. */
static int center_wide(struct req *r)
{
	const struct auth_target nobody = {0, 0};

	if (auth_scope(&r->who, ACT_OUT_READ) >= SCOPE_ALL)
		return 0;
	return req_authorize(r, ACT_OUT_READ, &nobody);
}

/* -- The schedule -- */

/* The queue the keys reach in today's menu into queue (ivr's walk, CALL-1); "" when the
 * path hangs up. */
static int route_of(struct store *s, const char *keys, char *queue, size_t size)
{
	struct ivr_menu *m = malloc(sizeof(*m));
	int rc;

	queue[0] = '\0';
	if (!m)
		return ERR_NOMEM;
	rc = ivr_menu_load(s, m);
	if (rc == 0 && out_test_route(m, keys, queue, size) < 0)
		queue[0] = '\0';
	free(m);
	return rc;
}

static json_t *schedule_json(const struct out_test_schedule *sch, const struct config *cfg,
			     const char *route, int64_t now)
{
	json_t *times = json_array();
	int64_t next = out_test_next(sch, now);

	for (int i = 0; times && i < sch->ntimes; i++) {
		char t[8];

		minute_text(sch->times[i], t, sizeof(t));
		json_array_append_new(times, json_string(t));
	}
	return json_pack("{s:b, s:o, s:s, s:s?, s:i, s:s, s:s, s:o, s:o, s:o}", "enabled",
			 sch->enabled, "times", times ? times : json_array(), "keys", sch->keys,
			 "route", route[0] ? route : NULL, "wait_sec", sch->wait_sec, "hotline",
			 cfg->hotline, "timezone", clock_tz_name(),
			 "next_at", ref_json(next), "updated_by", ref_json(sch->updated_by),
			 "updated_at", ref_json(sch->updated_at));
}

static int schedule_get(struct req *r)
{
	struct out_test_schedule sch;
	char route[IVR_KEY_SIZE];
	int rc = center_wide(r);

	if (rc == 0)
		rc = out_test_schedule_get(r->store, &sch);
	if (rc == 0)
		rc = route_of(r->store, sch.keys, route, sizeof(route));
	if (rc < 0)
		return rc;
	return reply_json(r, 200, schedule_json(&sch, r->app->cfg, route, r->now));
}

/* keys and wait_sec of a body (the schedule's, or a test's own), checked into sch. */
static int keys_and_wait(struct req *r, struct out_test_schedule *sch, int rc)
{
	json_t *k = json_object_get(r->body, "keys"), *w = json_object_get(r->body, "wait_sec");

	if (k && !json_is_string(k))
		rc = err_add(&r->ei, rc, ERR_INVALID, "keys", "%s: expected a string", "keys");
	else if (k && !out_test_keys_valid(json_string_value(k)))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "keys",
			     "keys: at most %d of the keys 0-9, * and #", OUT_TEST_KEYS_MAX);
	else if (k) {
		char route[IVR_KEY_SIZE];
		int lrc = route_of(r->store, json_string_value(k), route, sizeof(route));

		if (lrc < 0)
			return lrc;
		/* LED-2 measures how fast an agent answers: the keys must lead to a queue. */
		if (!route[0])
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "keys",
				     "keys: this path through the menu ends in an announcement,"
				     " not in a queue");
		else
			snprintf(sch->keys, sizeof(sch->keys), "%s", json_string_value(k));
	}
	if (w && (!json_is_integer(w) || json_integer_value(w) < OUT_TEST_WAIT_MIN ||
		  json_integer_value(w) > OUT_TEST_WAIT_MAX))
		rc = err_add(&r->ei, rc, json_is_integer(w) ? ERR_UNPROCESSABLE : ERR_INVALID,
			     "wait_sec", "wait_sec: %d to %d seconds", OUT_TEST_WAIT_MIN,
			     OUT_TEST_WAIT_MAX);
	else if (w)
		sch->wait_sec = (int)json_integer_value(w);
	return rc;
}

/* times: a list of "HH:MM" (LED-2: the times of day the test calls). */
static int times_of(struct req *r, struct out_test_schedule *sch, int rc)
{
	json_t *v = json_object_get(r->body, "times"), *it;
	char text[OUT_TEST_TIMES_MAX * 8 + 1] = "";
	size_t i, at = 0;
	int prc;

	if (!v)
		return rc;
	if (!json_is_array(v))
		return err_add(&r->ei, rc, ERR_INVALID, "times", "times: a list of times HH:MM");
	if (json_array_size(v) > OUT_TEST_TIMES_MAX)
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "times", "times: at most %d times",
			       OUT_TEST_TIMES_MAX);
	json_array_foreach(v, i, it)
	{
		const char *t = json_string_value(it);

		if (!t)
			return err_add(&r->ei, rc, ERR_INVALID, "times",
				       "times: a list of times HH:MM");
		if (out_test_time_parse(t) < 0)
			return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "times",
				       "times: %s is not a time HH:MM, 00:00-23:59", t);
		at += (size_t)snprintf(text + at, sizeof(text) - at, "%s%s", i ? "," : "", t);
	}
	prc = out_test_times_parse(text, sch);
	if (prc == ERR_CONFLICT)
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "times",
			       "times: a time is listed twice");
	return prc < 0 ? err_add(&r->ei, rc, ERR_UNPROCESSABLE, "times",
				 "times: a list of times HH:MM")
		       : rc;
}

static json_t *schedule_audit_json(const struct out_test_schedule *sch)
{
	char times[OUT_TEST_TIMES_MAX * 6 + 1];

	out_test_times_text(sch, times, sizeof(times));
	return json_pack("{s:b, s:s, s:s, s:i}", "enabled", sch->enabled, "times", times, "keys",
			 sch->keys, "wait_sec", sch->wait_sec);
}

/* PUT /api/out/tests/schedule: the fields given replace the schedule's (others stay). */
static int schedule_put(struct req *r)
{
	static const char *const fields[] = {"enabled", "times", "keys", "wait_sec", NULL};
	struct out_test_schedule before, sch;
	char route[IVR_KEY_SIZE];
	int rc = body_only(r, fields);

	if (rc == 0 && !r->body)
		rc = err_set(&r->ei, ERR_INVALID, NULL, "expected a JSON object");
	if (rc == 0)
		rc = out_test_schedule_get(r->store, &before);
	if (rc < 0)
		return rc;
	sch = before;
	rc = body_bool(r, "enabled", &sch.enabled);
	rc = times_of(r, &sch, rc);
	rc = keys_and_wait(r, &sch, rc);
	if (rc == 0 && sch.enabled && sch.ntimes == 0)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "times",
			     "times: a schedule that is on needs at least one time");
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = out_test_schedule_put(r->store, &sch, r->who.person_id, r->now);
	if (rc == 0)
		rc = req_audit(r, "out.test.schedule", "out_test_settings", 1, "ok",
			       json_pack("{s:o, s:o}", "before", schedule_audit_json(&before),
					 "after", schedule_audit_json(&sch)));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = out_test_schedule_get(r->store, &sch);
	if (rc == 0)
		rc = route_of(r->store, sch.keys, route, sizeof(route));
	if (rc < 0)
		return rc;
	return reply_json(r, 200, schedule_json(&sch, r->app->cfg, route, r->now));
}

/* -- The sheet -- */

static json_t *row_json(const struct out_test_row *t)
{
	enum out_test_verdict v = out_test_verdict(t->state, t->result);
	int64_t ms = out_test_answer_ms(t);
	char day[16], time[8], slot[8];
	json_t *agent = t->agent_id ? json_pack("{s:I, s:s, s:s}", "id", (json_int_t)t->agent_id,
						"work_no", t->work_no, "name", t->name)
				    : json_null();

	day_text(t->day, day, sizeof(day));
	minute_text(clock_local_minute(t->at), time, sizeof(time));
	if (t->slot >= 0)
		minute_text(t->slot, slot, sizeof(slot));
	return json_pack("{s:I, s:I, s:s, s:s, s:s?, s:I, s:s, s:i, s:o, s:s, s:o, s:s,"
			 " s:o, s:o, s:o, s:o, s:o}",
			 "id", (json_int_t)t->id, "call_out_id", (json_int_t)t->call_out_id, "day",
			 day, "time", time, "slot", t->slot >= 0 ? slot : NULL, "at",
			 (json_int_t)t->at, "keys", t->keys, "wait_sec", t->wait_sec,
			 "requested_by", ref_json(t->requested_by), "state", t->state, "result",
			 t->result[0] ? json_string(t->result) : json_null(), "verdict",
			 out_test_verdict_name(v), "answered",
			 v == OUT_TEST_PENDING ? json_null() : json_boolean(v == OUT_TEST_ANSWERED),
			 "answer_ms", ms < 0 ? json_null() : json_integer(ms), "answer_seconds",
			 sec_json(ms), "call_id", ref_json(t->call_id), "agent", agent);
}

static json_t *tally_json(const struct out_test_tally *t)
{
	return json_pack("{s:i, s:i, s:i, s:i, s:i, s:o, s:o}", "tests", t->tests, "answered",
			 t->answered, "not_answered", t->not_answered, "failed", t->failed,
			 "pending", t->pending, "answer_rate", bp_json(out_test_rate_bp(t)),
			 "answer_seconds_avg", sec_json(out_test_mean_ms(t)));
}

struct rows {
	struct out_test_row *v;
	size_t n, cap;
};

static int rows_add(void *ctx, const struct out_test_row *t)
{
	struct rows *rs = ctx;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		void *p = realloc(rs->v, cap * sizeof(*rs->v));

		if (!p)
			return ERR_NOMEM;
		rs->v = p;
		rs->cap = cap;
	}
	rs->v[rs->n++] = *t;
	return 0;
}

static int month_of(struct req *r, int *year, int *mon)
{
	const char *m = NULL;
	int rc = req_query(r, "month", &m);
	int n = 0;

	if (rc < 0)
		return rc;
	if (!m) { /* this month in the center's zone */
		int ymd = clock_local_ymd(r->now);

		*year = ymd / 10000;
		*mon = ymd / 100 % 100;
		return 0;
	}
	if (strlen(m) != 7 || sscanf(m, "%4d-%2d%n", year, mon, &n) != 2 || n != 7 ||
	    m[4] != '-' || *year < 1970 || *year > 9999 || *mon < 1 || *mon > 12)
		return err_set(&r->ei, ERR_INVALID, "month", "month: a month as YYYY-MM");
	return 0;
}

static int month_rows_of(struct store *st, int year, int mon, struct rows *rs)
{
	int base = year * 10000 + mon * 100;
	int rc = out_test_list(st, base + 1, base + 31, rows_add, rs);

	if (rc < 0) {
		free(rs->v);
		rs->v = NULL;
	}
	return rc < 0 ? rc : 0;
}

static int month_rows(struct req *r, int year, int mon, struct rows *rs)
{
	return month_rows_of(r->store, year, mon, rs);
}

/* 每日接通率测试表 in the center's registry (issue 20): the month of the period's first day. */
static int tests_form_build(struct store *st, const struct export_form_args *a,
			    struct export_book **out)
{
	struct rows rs = {NULL, 0, 0};
	char made_on[16];
	int year = a->from_ymd / 10000, mon = a->from_ymd / 100 % 100;
	int rc = month_rows_of(st, year, mon, &rs);

	if (rc < 0)
		return rc;
	day_text(clock_local_ymd(a->now), made_on, sizeof(made_on));
	rc = out_test_xlsx(rs.v, rs.n, year, mon, a->cfg->center_name, a->made_by, made_on,
			   a->english, out);
	free(rs.v);
	return rc;
}

const struct export_form out_test_form = {
	"answer_rate_tests", "每日接通率测试表", "Daily answer-rate tests", "/out/tests",
	ACT_OUT_READ, EXPORT_PERIOD_MONTH, tests_form_build};

/* GET /api/out/tests?month=YYYY-MM */
static int tests_month(struct req *r)
{
	struct rows rs = {NULL, 0, 0};
	struct out_test_tally day, month;
	json_t *items, *days;
	int year, mon, rc = center_wide(r);
	char m[8];

	if (rc == 0)
		rc = month_of(r, &year, &mon);
	if (rc == 0)
		rc = month_rows(r, year, mon, &rs);
	if (rc < 0)
		return rc;
	items = json_array();
	days = json_array();
	memset(&month, 0, sizeof(month));
	memset(&day, 0, sizeof(day));
	for (size_t i = 0; i < rs.n; i++) {
		json_array_append_new(items, row_json(&rs.v[i]));
		out_test_tally_add(&day, &rs.v[i]);
		out_test_tally_add(&month, &rs.v[i]);
		if (i + 1 == rs.n || rs.v[i + 1].day != rs.v[i].day) {
			char d[16];
			json_t *o = tally_json(&day);

			day_text(rs.v[i].day, d, sizeof(d));
			json_object_set_new(o, "day", json_string(d));
			json_array_append_new(days, o);
			memset(&day, 0, sizeof(day));
		}
	}
	free(rs.v);
	snprintf(m, sizeof(m), "%04d-%02d", year, mon);
	return reply_json(r, 200,
			  json_pack("{s:s, s:s, s:o, s:o, s:o, s:I}", "month", m, "timezone",
				    clock_tz_name(), "items", items, "days", days, "total",
				    tally_json(&month), "now", (json_int_t)r->now));
}

/* GET /api/out/tests/export?month=YYYY-MM: the paper form, audited before it goes out (SEC-2). */
static int tests_export(struct req *r)
{
	struct rows rs = {NULL, 0, 0};
	struct export_book *b = NULL;
	char ascii[48], utf8[256], made_on[16], m[8];
	int year, mon, english, rc = month_of(r, &year, &mon);

	if (rc == 0)
		rc = month_rows(r, year, mon, &rs);
	if (rc < 0)
		return rc;
	english = err_lang_english(req_header(r, "Accept-Language"));
	day_text(clock_local_ymd(r->now), made_on, sizeof(made_on));
	rc = out_test_xlsx(rs.v, rs.n, year, mon, r->app->cfg->center_name, r->who.name, made_on,
			   english, &b);
	snprintf(ascii, sizeof(ascii), "answer-rate-tests-%04d-%02d.xlsx", year, mon);
	snprintf(utf8, sizeof(utf8), "%s每日接通率测试表-%04d-%02d.xlsx", r->app->cfg->center_name,
		 year, mon);
	snprintf(m, sizeof(m), "%04d-%02d", year, mon);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0) {
		rc = req_audit(r, "out.test.export", "out_test", (int64_t)year * 100 + mon, "ok",
			       json_pack("{s:s, s:i, s:s}", "month", m, "tests", (int)rs.n,
					 "language", english ? "en" : "zh-CN"));
		rc = req_finish(r, rc);
	}
	if (rc == 0)
		rc = export_reply(r, b, ascii, english ? NULL : utf8);
	export_book_free(b);
	free(rs.v);
	return rc;
}

/* -- Placing a test -- */

/*
 * The request and its row, in the caller's transaction; slot -1 for a test
 * now. A test's request carries the keys in number and the wait in ref_id
 * (call.h); the engine calls the hotline itself.
 */
static int place(struct store *s, const struct out_test_schedule *sch, int day, int slot,
		 int64_t by, int64_t now, int64_t *id)
{
	struct call_out_req q = {0, sch->keys, 0, "test", sch->wait_sec, by};
	int64_t co = 0;
	int rc = call_out_request(s, &q, now, &co);

	if (rc == 0)
		rc = out_test_insert(s, co, day, slot, sch->keys, sch->wait_sec, by, now, id);
	return rc;
}

/* POST /api/out/tests/run {keys?, wait_sec?}: a test call now, with the schedule's keys
 * and wait unless given. */
static int tests_run(struct req *r)
{
	static const char *const fields[] = {"keys", "wait_sec", NULL};
	struct out_test_schedule sch;
	struct out_test_row t;
	int64_t id = 0;
	int rc = body_only(r, fields);

	if (rc == 0)
		rc = out_test_schedule_get(r->store, &sch);
	if (rc < 0)
		return rc;
	if (r->body)
		rc = keys_and_wait(r, &sch, 0);
	if (rc < 0)
		return rc;
	if (!r->app->cfg->hotline[0])
		return err_set(&r->ei, ERR_CONFLICT, NULL, "no hotline number is configured");
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = out_test_running(r->store);
	if (rc > 0)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "a test call is running already");
	if (rc == 0)
		rc = place(r->store, &sch, clock_local_ymd(r->now), -1,
			   r->who.person_id, r->now, &id);
	if (rc == 0)
		rc = req_audit(r, "out.test.run", "out_test", id, "ok",
			       json_pack("{s:s, s:i}", "keys", sch.keys, "wait_sec", sch.wait_sec));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	call_out_kick();
	rc = out_test_get(r->store, id, &t);
	if (rc < 0)
		return rc;
	return reply_json(r, 201, row_json(&t));
}

int out_test_tick(struct store *s, int64_t now, void *arg)
{
	const struct config *cfg = arg;
	struct out_test_schedule sch;
	struct out_test_slot due[8];
	int n, done = 0, rc = out_test_schedule_get(s, &sch);

	if (rc < 0)
		return rc;
	n = out_test_due(&sch, now, due, (int)(sizeof(due) / sizeof(due[0])));
	if (n == 0 || !cfg->hotline[0])
		return 0;
	for (int i = 0; i < n; i++) {
		struct audit_detail d;
		char slot[8];
		int64_t id = 0;

		rc = out_test_slot_taken(s, due[i].day, due[i].minute);
		if (rc != 0) {
			if (rc < 0)
				return rc;
			continue;
		}
		rc = store_begin(s);
		if (rc < 0)
			return rc;
		rc = place(s, &sch, due[i].day, due[i].minute, 0, now, &id);
		if (rc == 0) {
			minute_text(due[i].minute, slot, sizeof(slot));
			audit_detail_init(&d);
			audit_detail_int(&d, "day", due[i].day);
			audit_detail_str(&d, "slot", slot);
			audit_detail_str(&d, "keys", sch.keys);
			audit_detail_int(&d, "wait_sec", sch.wait_sec);
			rc = audit_append_detail(s, &system_actor, now, "out.test.request", "out_test",
						 id, "ok", &d);
		}
		if (rc == 0)
			rc = store_commit(s);
		if (rc < 0) {
			store_rollback(s);
			if (rc == ERR_CONFLICT) /* another node placed it */
				continue;
			return rc;
		}
		done++;
	}
	if (done)
		call_out_kick();
	return done;
}

/* -- The wallboard's outbound figures -- */

int out_live_extra(struct store *s, int64_t now, json_t *o)
{
	struct out_figures f;
	int64_t from = json_integer_value(json_object_get(o, "from"));
	int64_t to = json_integer_value(json_object_get(o, "to"));
	json_t *j;
	int rc;

	(void)now;
	rc = out_figures_load(s, from, to, &f);
	if (rc < 0)
		return rc;
	j = json_pack("{s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:I}", "attempts",
		      (json_int_t)f.attempts, "answered", (json_int_t)f.answered, "answer_rate",
		      f.attempts ? json_real((double)((f.answered * 20000 + f.attempts) /
						      (2 * f.attempts)) /
					     10000.0)
				 : json_null(),
		      "talk_ms", (json_int_t)f.talk_ms, "dialing", (json_int_t)f.dialing, "talking",
		      (json_int_t)f.talking, "tests", (json_int_t)f.tests, "tests_answered",
		      (json_int_t)f.tests_answered);
	if (!j)
		return ERR_NOMEM;
	return json_object_set_new(o, "out", j) < 0 ? ERR_NOMEM : 0;
}

const struct route out_test_routes[] = {
	{"GET", "/api/out/tests/schedule", schedule_get, ACT_OUT_READ},
	{"PUT", "/api/out/tests/schedule", schedule_put, ACT_OUT_MANAGE},
	{"GET", "/api/out/tests", tests_month, ACT_OUT_READ},
	{"GET", "/api/out/tests/export", tests_export, ACT_OUT_MANAGE},
	{"POST", "/api/out/tests/run", tests_run, ACT_OUT_MANAGE},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
