/*
 * Unit tests of src/report: the center's days (never UTC days), the daily
 * figures (WO-2 clocks, CB-3 callbacks, satisfaction), the drill-down to
 * the rows behind each figure, and the overdue list. Rows are written with
 * SQL, as the work-order engine writes them, into a fresh database.
 *
 * The center is in Asia/Shanghai (UTC+8): its 2026-11-22 runs from
 * 2026-11-21T16:00:00.000Z to 2026-11-22T16:00:00.000Z.
 */
#include "testutil.h"

#include "audit/audit.h"
#include "core/clock.h"
#include "core/err.h"
#include "export/export.h"
#include "report/report.h"
#include "wo/wo.h"

#define MIN 60000LL
#define HOUR (60 * MIN)
#define DAY_MS (24 * HOUR)
#define NOV21 1795190400000LL /* 2026-11-21 00:00 in Shanghai */
#define NOV22 1795276800000LL /* 2026-11-22 00:00 in Shanghai = 2026-11-21T16:00Z */
#define NOV23 1795363200000LL
#define NOV24 1795449600000LL

static int64_t insert(struct store *s, const char *sql, const char *types, ...);

/* Runs one INSERT … RETURNING id with int and text binds (store_run can't take va_list). */
static int64_t insert(struct store *s, const char *sql, const char *types, ...)
{
	struct store_stmt *st = store_prepare(s, sql);
	va_list ap;
	int64_t id = 0;

	assert_non_null(st);
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		if (types[i] == 'i')
			store_bind_int(st, i + 1, va_arg(ap, int64_t));
		else
			store_bind_text(st, i + 1, va_arg(ap, const char *));
	}
	va_end(ap);
	if (store_step(st) == 1)
		id = store_col_int(st, 0);
	store_done(st);
	return id;
}

static int64_t dept_add(struct store *s, const char *name, const char *kind)
{
	return insert(s,
		      "INSERT INTO department(name, kind, created_at, updated_at)"
		      " VALUES (?, ?, 0, 0) RETURNING id",
		      "tt", name, kind);
}

static int64_t person_add(struct store *s, const char *work_no, int64_t dept)
{
	return insert(s,
		      "INSERT INTO person(work_no, name, department_id, created_at, updated_at)"
		      " VALUES (?, ?, ?, 0, 0) RETURNING id",
		      "tti", work_no, work_no, dept);
}

/* An order as wo_create leaves it; dept 0 is one nobody could be found for. */
static int64_t order_add(struct store *s, const char *number, const char *cls, const char *level,
			 int64_t dept, int64_t owner, int64_t agent, int64_t at)
{
	return insert(
		s,
		"INSERT INTO work_order(number, class, level, state, department_id, owner_id,"
		" first_agent_id, summary, created_at, updated_at, dispatched_at)"
		" VALUES (?, ?, ?, 'dispatched', NULLIF(?, 0), NULLIF(?, 0), ?, '投诉', ?, ?, ?)"
		" RETURNING id",
		"tttiiiiii", number, cls, level, dept, owner, agent, at, at, at);
}

static void event_add(struct store *s, int64_t sla, int64_t order, const char *metric,
		      const char *kind, int64_t at)
{
	insert(s,
	       "INSERT INTO wo_sla_event(sla_id, order_id, metric, kind, at) VALUES (?, ?, ?, ?, ?)"
	       " RETURNING id",
	       "iitti", sla, order, metric, kind, at);
}

/*
 * A clock started at `start` for `minutes`, with its SLA events: breached
 * at the deadline if breach_at, met at met_at (0: still running).
 */
static int64_t clock_add(struct store *s, int64_t order, const char *metric, int64_t start,
			 int64_t minutes, int64_t breach_at, int64_t met_at)
{
	int64_t id =
		insert(s,
		       "INSERT INTO wo_sla(order_id, metric, state, started_at, due_at, warn_at,"
		       " breached, met_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULLIF(?, 0)) RETURNING id",
		       "ittiiiii", order, metric, met_at ? "met" : "running", start,
		       start + minutes * MIN, start, (int64_t)(breach_at != 0), met_at);

	event_add(s, id, order, metric, "started", start);
	if (breach_at)
		event_add(s, id, order, metric, "breached", breach_at);
	if (met_at)
		event_add(s, id, order, metric, "met", met_at);
	return id;
}

/* The audit entry the engine writes with a change, in the same transaction. */
static void audited(struct store *s, const char *action, int64_t order, int64_t at)
{
	const struct audit_actor who = {0, "system", NULL};

	assert_int_equal(audit_append(s, &who, at, action, "work_order", order, "ok", NULL), 0);
}

static void archive(struct store *s, int64_t order, int64_t at)
{
	assert_true(store_run(s,
			      "UPDATE work_order SET state = 'archived', archived_at = ?,"
			      " archive_month = ? WHERE id = ?",
			      NULL, "iii", at, (int64_t)wo_archive_month(at), order) >= 0);
}

static int64_t attempt_add(struct store *s, int64_t order, int64_t agent, const char *outcome,
			   int64_t at)
{
	int64_t cb = insert(s,
			    "INSERT INTO wo_callback(order_id, state, due_at, created_at)"
			    " VALUES (?, 'pending', ?, ?) RETURNING id",
			    "iii", order, at, at);
	int64_t id = insert(s,
			    "INSERT INTO wo_callback_attempt(callback_id, order_id, agent_id, at,"
			    " outcome) VALUES (?, ?, ?, ?, ?) RETURNING id",
			    "iiiit", cb, order, agent, at, outcome);

	audited(s, "order.callback", order, at);
	return id;
}

static void contact_add(struct store *s, int64_t agent, int64_t at, int64_t satisfaction)
{
	insert(s,
	       "INSERT INTO contact(channel, direction, agent_id, started_at, satisfaction,"
	       " created_at) VALUES ('phone', 'in', ?, ?, NULLIF(?, 0), ?) RETURNING id",
	       "iiii", agent, at, satisfaction, at);
}

/* The records of one test center; ids are what the inserts gave. */
struct center {
	struct store *s;
	int64_t city, market, center, agent, owner, agent2;
	int64_t o1, o2, o3, o4, o5;
	int64_t o1_callback, o2_callback, o3_callback, o3_resolve, o4_callback;
	int64_t attempt_not_accepted, attempt_accepted;
};

/*
 * The story (local Shanghai times):
 *  o2 A1-Ⅲ 城市客服部  11-21 23:59:59.999, callback breached 11-22 00:09:59.999, still running
 *  o1 A1-Ⅲ 城市客服部  11-22 00:00:00.000, callback met after 5 min; not accepted at
 *                      23:59:59.999, accepted and archived 11-23 00:00
 *  o3 A1-Ⅰ 城市客服部  11-22 10:00, callback breached 10:10, met 10:20 (late);
 *                      resolve still running; escalated twice on 11-22, once on 11-23
 *  o5 C    (nobody)    11-22 12:00, cancelled 12:30
 *  o4 B    集团市场部  11-23 23:59:59.999, callback breached 11-24 00:29:59.999, running
 *  contacts of the center's agent: 11-21 23:59:59.999 rated 1; 11-22 rated 5, 4 and unrated.
 */
static void center_setup(struct center *c)
{
	struct store *s = c->s;

	c->city = dept_add(s, "城市客服部", "city_service");
	c->market = dept_add(s, "集团市场部", "group_market");
	c->center = dept_add(s, "客服中心", "center");
	c->agent = person_add(s, "8101", c->center);
	c->agent2 = person_add(s, "8102", c->center);
	c->owner = person_add(s, "2001", c->city);

	c->o2 = order_add(s, "A1-20261121-0001", "A1", "Ⅲ", c->city, c->owner, c->agent, NOV22 - 1);
	c->o2_callback = clock_add(s, c->o2, "callback", NOV22 - 1, 10, NOV22 - 1 + 10 * MIN, 0);

	c->o1 = order_add(s, "A1-20261122-0001", "A1", "Ⅲ", c->city, c->owner, c->agent, NOV22);
	c->o1_callback = clock_add(s, c->o1, "callback", NOV22, 10, 0, NOV22 + 5 * MIN);
	c->attempt_not_accepted = attempt_add(s, c->o1, c->agent, "not_accepted", NOV23 - 1);
	c->attempt_accepted = attempt_add(s, c->o1, c->agent2, "accepted", NOV23);
	archive(s, c->o1, NOV23);

	c->o3 = order_add(s, "A1-20261122-0002", "A1", "Ⅰ", c->city, c->owner, c->agent,
			  NOV22 + 10 * HOUR);
	c->o3_callback = clock_add(s, c->o3, "callback", NOV22 + 10 * HOUR, 10,
				   NOV22 + 10 * HOUR + 10 * MIN, NOV22 + 10 * HOUR + 20 * MIN);
	c->o3_resolve = clock_add(s, c->o3, "resolve", NOV22 + 10 * HOUR, 1440, 0, 0);
	audited(s, "order.escalated", c->o3, NOV22 + 10 * HOUR + 10 * MIN);
	audited(s, "order.escalated", c->o3, NOV22 + 10 * HOUR + 40 * MIN);
	audited(s, "order.escalated", c->o3, NOV23 + HOUR);

	c->o5 = order_add(s, "C-20261122-0001", "C", NULL, 0, 0, c->agent, NOV22 + 12 * HOUR);
	audited(s, "order.cancel", c->o5, NOV22 + 12 * HOUR + 30 * MIN);

	c->o4 = order_add(s, "B-20261123-0001", "B", NULL, c->market, 0, c->agent, NOV24 - 1);
	c->o4_callback = clock_add(s, c->o4, "callback", NOV24 - 1, 30, NOV24 - 1 + 30 * MIN, 0);

	contact_add(s, c->agent, NOV22 - 1, 1);
	contact_add(s, c->agent, NOV22, 5);
	contact_add(s, c->agent2, NOV23 - 1, 4);
	contact_add(s, c->agent, NOV22 + HOUR, 0);
	/* Noise on other days and in other tables the report must not count. */
	audited(s, "order.cancel", c->o4, NOV24 + HOUR);
	audited(s, "order.accept", c->o1, NOV22 + MIN);
}

static int setup(void **state)
{
	struct center *c = calloc(1, sizeof(*c));

	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	c->s = test_store_open();
	center_setup(c);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct center *c = *state;

	test_store_close(c->s);
	free(c);
	return 0;
}

static const struct report_cell *cell(const struct report_daily *r, int day, int64_t dept,
				      const char *cls)
{
	for (int i = 0; i < r->day[day].ncells; i++)
		if (r->day[day].cells[i].department_id == dept &&
		    strcmp(r->day[day].cells[i].class_code, cls) == 0)
			return &r->day[day].cells[i];
	return NULL;
}

static int64_t level_opened(const struct report_daily *r, int day, int64_t dept, const char *cls,
			    const char *level)
{
	for (int i = 0; i < r->day[day].nlevels; i++) {
		const struct report_level *l = &r->day[day].levels[i];

		if (l->department_id == dept && strcmp(l->class_code, cls) == 0 &&
		    strcmp(l->level, level) == 0)
			return l->opened;
	}
	return 0;
}

/* Days begin at the center's midnight: 16:00 UTC the day before in Shanghai. */
static void days_are_the_centers(void **state)
{
	struct report_days d;

	(void)state;
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	assert_int_equal(report_days_make(20261122, 20261123, &d), 0);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.start[0], NOV22);
	assert_int_equal(d.start[1], NOV23);
	assert_int_equal(d.start[2], NOV24);
	assert_int_equal(d.ymd[0], 20261122);
	assert_int_equal(d.ymd[1], 20261123);
	/* One day, month and year ends: a day never slips into the UTC date. */
	assert_int_equal(report_days_make(20261231, 20270101, &d), 0);
	assert_int_equal(d.ymd[1], 20270101);
	assert_int_equal(d.start[1] - d.start[0], 24 * HOUR);
	/* The longest range is a quarter; dates must be real and in order. */
	assert_int_equal(report_days_make(20260101, 20260402, &d), 0);
	assert_int_equal(d.n, 92);
	assert_int_equal(report_days_make(20260101, 20260403, &d), ERR_INVALID);
	assert_int_equal(report_days_make(20261123, 20261122, &d), ERR_INVALID);
	assert_int_equal(report_days_make(20261131, 20261131, &d), ERR_INVALID);
	assert_int_equal(report_days_make(20250229, 20250229, &d), ERR_INVALID);
	assert_int_equal(report_days_make(20240229, 20240229, &d), 0);
	assert_false(report_date_valid(2026, 13, 1));
	assert_false(report_date_valid(1900, 2, 29));
	assert_true(report_date_valid(2000, 2, 29));
}

/* Other zones: a 23-hour day at a DST change, and a zone 14 hours ahead of UTC. */
static void days_follow_any_zone(void **state)
{
	struct report_days d;

	(void)state;
	assert_int_equal(clock_tz_set("America/New_York"), 0);
	assert_int_equal(report_days_make(20260308, 20260309, &d), 0);
	assert_int_equal(d.start[0], 1772946000000LL);
	assert_int_equal(d.start[1], 1773028800000LL);
	assert_int_equal(d.start[1] - d.start[0], 23 * HOUR);
	assert_int_equal(clock_tz_set("Pacific/Kiritimati"), 0);
	assert_int_equal(report_days_make(20261122, 20261122, &d), 0);
	assert_int_equal(d.start[0], 1795255200000LL);
	assert_int_equal(d.ymd[0], 20261122);
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
}

static void daily_figures(void **state)
{
	struct center *c = *state;
	struct report_daily *r = calloc(1, sizeof(*r));
	const struct report_cell *x;
	struct report_cell sum;

	assert_int_equal(report_days_make(20261121, 20261123, &r->days), 0);
	assert_int_equal(report_daily_load(c->s, r, 0), 0);

	/* 11-21: o2, opened one millisecond before Shanghai midnight. */
	x = cell(r, 0, c->city, "A1");
	assert_non_null(x);
	assert_int_equal(x->opened, 1);
	assert_int_equal(x->sla[WOM_CALLBACK][RSF_STARTED], 1);
	assert_int_equal(x->sla[WOM_CALLBACK][RSF_RUNNING], 1);
	assert_int_equal(x->sla[WOM_CALLBACK][RSF_BREACHED], 0);
	assert_int_equal(r->day[0].ncells, 1);
	assert_int_equal(r->day[0].nratings, 1);
	assert_int_equal(r->day[0].ratings[0].rated, 1);
	assert_int_equal(r->day[0].ratings[0].total, 1);

	/* 11-22: o1 at midnight sharp, o3, and o2's breach ten minutes after midnight. */
	x = cell(r, 1, c->city, "A1");
	assert_non_null(x);
	assert_int_equal(x->opened, 2);
	assert_int_equal(level_opened(r, 1, c->city, "A1", "Ⅲ"), 1);
	assert_int_equal(level_opened(r, 1, c->city, "A1", "Ⅰ"), 1);
	assert_int_equal(x->sla[WOM_CALLBACK][RSF_STARTED], 2);
	assert_int_equal(x->sla[WOM_CALLBACK][RSF_MET_ON_TIME], 1);
	assert_int_equal(x->sla[WOM_CALLBACK][RSF_MET_LATE], 1);
	assert_int_equal(x->sla[WOM_CALLBACK][RSF_BREACHED], 2);
	assert_int_equal(x->sla[WOM_CALLBACK][RSF_RUNNING], 0);
	assert_int_equal(x->sla[WOM_RESOLVE][RSF_STARTED], 1);
	assert_int_equal(x->sla[WOM_RESOLVE][RSF_RUNNING], 1);
	assert_int_equal(x->callback_ms, 25 * MIN); /* 5 + 20 min: a mean of 12.5 */
	assert_int_equal(x->escalated, 1);	    /* o3 twice that day: one order */
	assert_int_equal(x->archived, 0);
	assert_int_equal(x->center_callbacks[WOO_NOT_ACCEPTED], 1);
	assert_int_equal(x->center_callbacks[WOO_ACCEPTED], 0);
	x = cell(r, 1, 0, "C");
	assert_non_null(x);
	assert_int_equal(x->opened, 1);
	assert_int_equal(x->cancelled, 1);
	assert_int_equal(r->day[1].ncells, 2);
	/* Sorted: departments by id, "none" last. */
	assert_int_equal(r->day[1].cells[1].department_id, 0);
	assert_int_equal(r->day[1].nratings, 1);
	assert_int_equal(r->day[1].ratings[0].department_id, c->center);
	assert_int_equal(r->day[1].ratings[0].rated, 2);
	assert_int_equal(r->day[1].ratings[0].total, 9);

	/* 11-23: o1 archived at midnight after the accepted callback; o4 at 23:59:59.999. */
	x = cell(r, 2, c->city, "A1");
	assert_non_null(x);
	assert_int_equal(x->opened, 0);
	assert_int_equal(x->archived, 1);
	assert_int_equal(x->escalated, 1);
	assert_int_equal(x->center_callbacks[WOO_ACCEPTED], 1);
	x = cell(r, 2, c->market, "B");
	assert_non_null(x);
	assert_int_equal(x->opened, 1);
	assert_int_equal(x->sla[WOM_CALLBACK][RSF_STARTED], 1);
	assert_int_equal(x->sla[WOM_CALLBACK][RSF_RUNNING], 1);
	assert_int_equal(x->sla[WOM_CALLBACK][RSF_BREACHED], 0); /* that is 11-24 */
	assert_int_equal(x->cancelled, 0);			 /* so is its noise */

	/* Totals are sums of cells. */
	memset(&sum, 0, sizeof(sum));
	for (int i = 0; i < r->day[1].ncells; i++)
		report_cell_add(&sum, &r->day[1].cells[i]);
	assert_int_equal(sum.opened, 3);
	assert_int_equal(sum.sla[WOM_CALLBACK][RSF_BREACHED], 2);
	report_daily_free(r);

	/* One department: only its orders; the others' cells are gone. */
	assert_int_equal(report_days_make(20261121, 20261123, &r->days), 0);
	assert_int_equal(report_daily_load(c->s, r, c->market), 0);
	assert_int_equal(r->day[0].ncells, 0);
	assert_int_equal(r->day[1].ncells, 0);
	assert_int_equal(r->day[2].ncells, 1);
	assert_int_equal(r->day[1].nratings, 0); /* the raters were the center's agents */
	report_daily_free(r);

	/* A range of one day that starts at the boundary sees only that day. */
	assert_int_equal(report_days_make(20261122, 20261122, &r->days), 0);
	assert_int_equal(report_daily_load(c->s, r, 0), 0);
	assert_int_equal(cell(r, 0, c->city, "A1")->opened, 2);
	assert_int_equal(cell(r, 0, c->city, "A1")->archived, 0);
	report_daily_free(r);
	free(r);
}

/* Issue 17: one call out as the engine leaves it; talk_ms 0: not answered. */
static void call_out_add(struct store *s, int64_t agent, const char *purpose, int64_t at,
			 int64_t talk_ms)
{
	int64_t call = 0;

	if (talk_ms) {
		char metrics[64];

		snprintf(metrics, sizeof(metrics), "{\"talk_ms\": %lld}", (long long)talk_ms);
		call = insert(s,
			      "INSERT INTO call(sip_call_id, caller, called, started_at, connected_at,"
			      " agent_id, direction, metrics) VALUES ('x', '13800000000',"
			      " '13800000000', ?, ?, NULLIF(?, 0), 'out', ?) RETURNING id",
			      "iiit", at, at + 5000, agent, metrics);
	}
	insert(s,
	       "INSERT INTO call_out(agent_id, number, purpose, state, result, call_id,"
	       " requested_at, answered_at) VALUES (NULLIF(?, 0), '13800000000', ?, 'ended',"
	       " CASE WHEN ? THEN 'answered' ELSE 'no_answer' END, NULLIF(?, 0), ?,"
	       " CASE WHEN ? THEN ? END) RETURNING id",
	       "itiiiii", agent, purpose, talk_ms, call, at, talk_ms, at + 5000);
}

struct agent_out {
	int n;
	struct report_agent_calls_out g[8];
};

static int agent_out_row(void *ctx, const struct report_agent_calls_out *g)
{
	struct agent_out *a = ctx;

	assert_true(a->n < 8);
	a->g[a->n++] = *g;
	return 0;
}

/* Calls out by the calling agent's department and day; the LED-2 tests stay out. */
static void calls_out_figures(void **state)
{
	struct center *c = *state;
	struct report_daily *r = calloc(1, sizeof(*r));
	struct agent_out a = {0};

	call_out_add(c->s, c->agent, "callback", NOV22 + HOUR, 90000);
	call_out_add(c->s, c->agent, "customer", NOV22 + 2 * HOUR, 0);
	call_out_add(c->s, c->agent2, "task", NOV23 - 1, 0);
	call_out_add(c->s, c->owner, "progress", NOV22 + 3 * HOUR, 30000);
	call_out_add(c->s, c->agent, "callback", NOV23, 60000); /* the next day */
	call_out_add(c->s, c->agent, "callback", NOV22 - 1, 0); /* the day before */
	call_out_add(c->s, 0, "test", NOV22 + 9 * HOUR, 12000); /* LED-2: not a call to a customer */

	assert_int_equal(report_days_make(20261122, 20261123, &r->days), 0);
	assert_int_equal(report_daily_load(c->s, r, 0), 0);
	assert_int_equal(r->day[0].ncalls_out, 2);
	/* Departments by id: the city's (created first), then the center's. */
	assert_int_equal(r->day[0].calls_out[0].department_id, c->city);
	assert_int_equal(r->day[0].calls_out[0].attempts, 1);
	assert_int_equal(r->day[0].calls_out[0].answered, 1);
	assert_int_equal(r->day[0].calls_out[0].talk_ms, 30000);
	assert_int_equal(r->day[0].calls_out[1].department_id, c->center);
	assert_int_equal(r->day[0].calls_out[1].attempts, 3);
	assert_int_equal(r->day[0].calls_out[1].answered, 1);
	assert_int_equal(r->day[0].calls_out[1].talk_ms, 90000);
	assert_int_equal(r->day[1].ncalls_out, 1);
	assert_int_equal(r->day[1].calls_out[0].attempts, 1);
	assert_int_equal(r->day[1].calls_out[0].talk_ms, 60000);
	report_daily_free(r);
	/* One department. */
	assert_int_equal(report_days_make(20261122, 20261122, &r->days), 0);
	assert_int_equal(report_daily_load(c->s, r, c->city), 0);
	assert_int_equal(r->day[0].ncalls_out, 1);
	assert_int_equal(r->day[0].calls_out[0].department_id, c->city);
	report_daily_free(r);
	free(r);
	/* Per agent over the day. */
	assert_int_equal(report_agent_calls_out(c->s, NOV22, NOV23, agent_out_row, &a), 3);
	assert_int_equal(a.g[0].agent_id, c->agent);
	assert_int_equal(a.g[0].attempts, 2);
	assert_int_equal(a.g[0].answered, 1);
	assert_int_equal(a.g[0].talk_ms, 90000);
	/* In agent id order: the agents were added before the owner. */
	assert_int_equal(a.g[1].agent_id, c->agent2);
	assert_int_equal(a.g[1].answered, 0);
	assert_int_equal(a.g[2].agent_id, c->owner);
	assert_int_equal(a.g[2].talk_ms, 30000);
}

struct collected {
	int n;
	int64_t order[16], key[16], sla[16], attempt[16];
};

static int collect(void *ctx, const struct report_item *it)
{
	struct collected *c = ctx;

	assert_true(c->n < 16);
	c->order[c->n] = it->order_id;
	c->key[c->n] = it->key;
	c->sla[c->n] = it->sla_id;
	c->attempt[c->n] = it->attempt_id;
	c->n++;
	return 0;
}

static struct collected items(struct center *c, int64_t day, enum report_outcome o, int metric,
			      int64_t dept, const char *cls, int64_t after, int limit)
{
	struct report_filter f = {day, day + 24 * HOUR, dept, cls, metric, o, after, limit};
	struct collected got;
	int n;

	memset(&got, 0, sizeof(got));
	n = report_orders(c->s, &f, collect, &got);
	assert_int_equal(n, got.n);
	return got;
}

/* Each figure of 11-22 and 11-23 opens onto exactly the rows it counted. */
static void drill_down_lists_what_was_counted(void **state)
{
	struct center *c = *state;
	struct collected g;

	g = items(c, NOV22, RO_OPENED, -1, -1, NULL, 0, 50);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.order[0], c->o1);
	assert_int_equal(g.order[1], c->o3);
	assert_int_equal(g.order[2], c->o5);
	g = items(c, NOV21, RO_OPENED, -1, -1, NULL, 0, 50);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.order[0], c->o2);
	g = items(c, NOV22, RO_OPENED, -1, c->city, "A1", 0, 50);
	assert_int_equal(g.n, 2);
	g = items(c, NOV22, RO_OPENED, -1, 0, NULL, 0, 50); /* without a department */
	assert_int_equal(g.n, 1);
	assert_int_equal(g.order[0], c->o5);
	g = items(c, NOV22, RO_OPENED, -1, -1, "B", 0, 50);
	assert_int_equal(g.n, 0);

	/* Pages follow the key. */
	g = items(c, NOV22, RO_OPENED, -1, -1, NULL, 0, 2);
	assert_int_equal(g.n, 2);
	g = items(c, NOV22, RO_OPENED, -1, -1, NULL, g.key[1], 2);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.order[0], c->o5);

	g = items(c, NOV22, RO_BREACHED, WOM_CALLBACK, -1, NULL, 0, 50);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.sla[0], c->o2_callback);
	assert_int_equal(g.sla[1], c->o3_callback);
	g = items(c, NOV22, RO_MET, WOM_CALLBACK, -1, NULL, 0, 50);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.order[0], c->o1);
	g = items(c, NOV22, RO_MET_LATE, WOM_CALLBACK, -1, NULL, 0, 50);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.order[0], c->o3);
	g = items(c, NOV22, RO_STARTED, WOM_CALLBACK, -1, NULL, 0, 50);
	assert_int_equal(g.n, 2);
	g = items(c, NOV22, RO_RUNNING, WOM_RESOLVE, -1, NULL, 0, 50);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.sla[0], c->o3_resolve);
	g = items(c, NOV22, RO_RUNNING, WOM_CALLBACK, -1, NULL, 0, 50);
	assert_int_equal(g.n, 0);
	g = items(c, NOV21, RO_RUNNING, WOM_CALLBACK, -1, NULL, 0, 50);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.order[0], c->o2);

	g = items(c, NOV22, RO_CANCELLED, -1, -1, NULL, 0, 50);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.order[0], c->o5);
	g = items(c, NOV22, RO_ESCALATED, -1, -1, NULL, 0, 50);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.order[0], c->o3);
	g = items(c, NOV23, RO_ARCHIVED, -1, -1, NULL, 0, 50);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.order[0], c->o1);
	g = items(c, NOV22, RO_ARCHIVED, -1, -1, NULL, 0, 50);
	assert_int_equal(g.n, 0);

	g = items(c, NOV22, RO_CB_NOT_ACCEPTED, -1, -1, NULL, 0, 50);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.attempt[0], c->attempt_not_accepted);
	g = items(c, NOV23, RO_CB_ACCEPTED, -1, -1, NULL, 0, 50);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.attempt[0], c->attempt_accepted);
	g = items(c, NOV22, RO_CB_ACCEPTED, -1, -1, NULL, 0, 50);
	assert_int_equal(g.n, 0);

	/* An SLA outcome without a metric is a caller's mistake. */
	{
		struct report_filter f = {NOV22, NOV23, -1, NULL, -1, RO_MET, 0, 50};

		assert_int_equal(report_orders(c->s, &f, collect, &g), ERR_INVALID);
	}
}

struct overdue_got {
	int n;
	int64_t sla[8];
	char owner[8][40], dept[8][260];
};

static int overdue_row(void *ctx, const struct report_overdue *o)
{
	struct overdue_got *g = ctx;

	assert_true(g->n < 8);
	g->sla[g->n] = o->sla_id;
	snprintf(g->owner[g->n], sizeof(g->owner[0]), "%s", o->owner_work_no);
	snprintf(g->dept[g->n], sizeof(g->dept[0]), "%s", o->department);
	g->n++;
	return 0;
}

/* Running clocks past their deadline; met and still-in-time clocks are not overdue. */
static void overdue_lists_breached_running_clocks(void **state)
{
	struct center *c = *state;
	struct overdue_got g;

	memset(&g, 0, sizeof(g));
	assert_int_equal(report_overdue_list(c->s, 0, 0, 0, overdue_row, &g), 2);
	assert_int_equal(g.sla[0], c->o2_callback);
	assert_int_equal(g.sla[1], c->o4_callback);
	assert_string_equal(g.owner[0], "2001");
	assert_string_equal(g.dept[0], "城市客服部");
	assert_string_equal(g.owner[1], ""); /* o4 has no owner yet */
	memset(&g, 0, sizeof(g));
	assert_int_equal(report_overdue_list(c->s, c->market, 0, 0, overdue_row, &g), 1);
	assert_int_equal(g.sla[0], c->o4_callback);
	memset(&g, 0, sizeof(g));
	assert_int_equal(report_overdue_list(c->s, 0, 0, 1, overdue_row, &g), 1);
	assert_int_equal(report_overdue_list(c->s, 0, g.sla[0], 1, overdue_row, &g), 1);
	assert_int_equal(g.sla[1], c->o4_callback);
	/* A paused clock is stopped on purpose: it is not counted as overdue. */
	assert_true(store_run(c->s, "UPDATE wo_sla SET state = 'paused' WHERE id = ?", NULL, "i",
			      c->o4_callback) >= 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(report_overdue_list(c->s, 0, 0, 0, overdue_row, &g), 1);
	assert_true(store_run(c->s, "UPDATE wo_sla SET state = 'running' WHERE id = ?", NULL, "i",
			      c->o4_callback) >= 0);
}

/* The level columns of the CSV come from the level table, in rank order (WO-3). */
static void levels_in_rank_order(void **state)
{
	struct center *c = *state;
	char levels[8][8];

	assert_int_equal(report_levels(c->s, levels, 8), 4);
	assert_string_equal(levels[0], "Ⅰ");
	assert_string_equal(levels[3], "Ⅳ");
	assert_int_equal(report_outcome_parse("met_late"), RO_MET_LATE);
	assert_int_equal(report_outcome_parse("new_need"), RO_CB_NEW_NEED);
	assert_int_equal(report_outcome_parse("late"), -1);
	assert_true(report_outcome_needs_metric(RO_BREACHED));
	assert_false(report_outcome_needs_metric(RO_CANCELLED));
}

/* Two loads of a period give the same rows, bucket by bucket. */
static void same_period(const struct report_periodic *a, const struct report_periodic *b)
{
	assert_int_equal(a->n, b->n);
	for (int i = 0; i < a->n; i++) {
		const struct report_day *x = &a->b[i].day, *y = &b->b[i].day;

		assert_int_equal(a->b[i].first_ymd, b->b[i].first_ymd);
		assert_int_equal(x->ncells, y->ncells);
		assert_int_equal(x->nlevels, y->nlevels);
		assert_int_equal(x->nratings, y->nratings);
		assert_int_equal(x->ncalls_out, y->ncalls_out);
		if (x->ncells)
			assert_memory_equal(x->cells, y->cells, sizeof(*x->cells) * (size_t)x->ncells);
		if (x->nlevels)
			assert_memory_equal(x->levels, y->levels,
					    sizeof(*x->levels) * (size_t)x->nlevels);
		if (x->nratings)
			assert_memory_equal(x->ratings, y->ratings,
					    sizeof(*x->ratings) * (size_t)x->nratings);
	}
}

/* The summary and the facts answer each period alike, before and after a closed day moved. */
static void summary_equals_facts(struct store *s, int64_t dept)
{
	static const enum report_group groups[] = {RG_DAY, RG_WEEK, RG_MONTH, RG_ALL};

	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		struct report_period p;
		struct report_periodic facts, sum;

		report_period_make(20261120, 20261125, groups[g], &p);
		assert_int_equal(report_period_load(s, &p, dept, 0, &facts), 0);
		assert_int_equal(report_period_load(s, &p, dept, 1, &sum), 0);
		assert_int_equal(facts.through, 0);
		assert_int_equal(sum.through, 20261124);
		same_period(&facts, &sum);
		report_periodic_free(&facts);
		report_periodic_free(&sum);
	}
}

/*
 * Issue 20 (RPT-1): the summary kind "wo" keeps the closed days as the
 * facts count them; an order of a closed day that moves (reassigned, its
 * clock met) moves that day's figures once the tick ran.
 */
static void wo_summary_follows_the_facts(void **state)
{
	struct center *c = *state;
	int64_t noon25 = NOV24 + DAY_MS + 12 * HOUR, through = 0;

	report_kinds_reset();
	assert_int_equal(report_wo_kind_add(), 0);
	assert_int_equal(report_sum_tick(c->s, noon25, NULL), 0);
	assert_true(store_run(c->s, "SELECT through_ymd FROM report_built WHERE kind = 'wo'",
			      &through, "") >= 0);
	assert_int_equal(through, 20261124);
	summary_equals_facts(c->s, 0);
	summary_equals_facts(c->s, c->city);

	/* o3 goes to 集团市场部 and its resolve clock is met today, as the engine does it. */
	assert_true(store_run(c->s, "UPDATE work_order SET department_id = ? WHERE id = ?", NULL,
			      "ii", c->market, c->o3) >= 0);
	insert(c->s,
	       "INSERT INTO wo_event(order_id, at, kind) VALUES (?, ?, 'order.assign') RETURNING id",
	       "ii", c->o3, noon25);
	assert_true(store_run(c->s, "UPDATE wo_sla SET state = 'met', met_at = ? WHERE id = ?", NULL,
			      "ii", noon25, c->o3_resolve) >= 0);
	assert_int_equal(report_sum_tick(c->s, noon25 + MIN, NULL), 0);
	summary_equals_facts(c->s, 0);
	summary_equals_facts(c->s, c->market);
	report_kinds_reset();
}

/* Issue 20: when a schedule falls due and the period it delivers, in the center's zone. */
static void schedules_fall_due(void **state)
{
	int from, to;
	int64_t due;
	/* Wednesday 2026-12-09 07:59 and 08:00 in Shanghai. */
	int64_t before = report_day_start(20261209) + (7 * 60 + 59) * 60000LL;
	int64_t at = before + 60000;

	(void)state;
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	report_sched_due(RC_DAILY, 480, at, &from, &to, &due);
	assert_int_equal(from, 20261208);
	assert_int_equal(to, 20261208);
	assert_int_equal(due, at);
	report_sched_due(RC_DAILY, 480, before, &from, &to, &due);
	assert_int_equal(from, 20261207);
	assert_int_equal(due, at - 86400000LL);
	/* Weekly: Monday 2026-12-07 at 08:00 delivered 2026-11-30 .. 12-06. */
	report_sched_due(RC_WEEKLY, 480, at, &from, &to, &due);
	assert_int_equal(from, 20261130);
	assert_int_equal(to, 20261206);
	assert_int_equal(due, report_day_start(20261207) + 480 * 60000LL);
	/* Monthly: the 1st at 08:00 delivered the month before; before it, the one before. */
	report_sched_due(RC_MONTHLY, 480, at, &from, &to, &due);
	assert_int_equal(from, 20261101);
	assert_int_equal(to, 20261130);
	report_sched_due(RC_MONTHLY, 480, report_day_start(20270101) + 60000, &from, &to, &due);
	assert_int_equal(from, 20261101);
	assert_int_equal(to, 20261130);
	report_sched_due(RC_MONTHLY, 0, report_day_start(20270301), &from, &to, &due);
	assert_int_equal(from, 20270201);
	assert_int_equal(to, 20270228);
	/* The days a form covers, and the times and addresses a schedule takes. */
	from = 20261210;
	to = 20261212;
	report_form_days(EXPORT_PERIOD_MONTH, &from, &to);
	assert_int_equal(from, 20261201);
	assert_int_equal(to, 20261231);
	from = 20261210;
	report_form_days(EXPORT_PERIOD_WEEK, &from, &to);
	assert_int_equal(from, 20261207);
	assert_int_equal(to, 20261213);
	assert_int_equal(report_sched_minute("08:00"), 480);
	assert_int_equal(report_sched_minute("23:59"), 1439);
	assert_int_equal(report_sched_minute("24:00"), -1);
	assert_int_equal(report_sched_minute("8:00"), -1);
	assert_true(report_sched_emails_valid(""));
	assert_true(report_sched_emails_valid("a@b.cn, boss@example.com"));
	assert_false(report_sched_emails_valid("a@b"));
	assert_false(report_sched_emails_valid("a b@c.cn"));
	assert_false(report_sched_emails_valid("a@b.cn\r\nBcc: x@y.cn"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(days_are_the_centers),
		cmocka_unit_test(days_follow_any_zone),
		cmocka_unit_test(schedules_fall_due),
		cmocka_unit_test_setup_teardown(daily_figures, setup, teardown),
		cmocka_unit_test_setup_teardown(calls_out_figures, setup, teardown),
		cmocka_unit_test_setup_teardown(drill_down_lists_what_was_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(overdue_lists_breached_running_clocks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(levels_in_rank_order, setup, teardown),
		cmocka_unit_test_setup_teardown(wo_summary_follows_the_facts, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
