/*
 * report — how work orders went, per day of the center and per department
 * (WO-2, CB-3, RPT-1/2), and the orders behind every figure.
 *
 * What a day is. Days are the center's calendar days (clock.h: the
 * configured zone, Asia/Shanghai by default): report_days_make() turns
 * local dates into [start, end) millisecond ranges with clock_day_start()
 * and clock_day_end(), and every query reads one such range on an indexed
 * timestamp. Nothing here computes a day in UTC, and the schema holds no
 * day column: a center that changes its zone gets its reports in the new
 * zone at once.
 *
 * What is counted, for a day D, per department and class of the order as
 * it stands now (reassigning an order moves its figures):
 *   opened      orders created on D, also by class-level label ("A1-Ⅲ", WO-3);
 *   archived    orders whose archive time is on D (still archived now);
 *   cancelled   orders cancelled on D;
 *   escalated   orders escalated on D, by a breach or a call for help (WO-4);
 *   per metric (WO-2 clocks: callback, onsite, report, resolve, reply):
 *     started     clocks started on D,
 *     met_on_time clocks met on D that never breached,
 *     met_late    clocks met on D after their breach,
 *     breached    clocks that breached on D (met later or not),
 *     running     clocks started on D still open (running or paused) now;
 *   callback minutes: the mean time from dispatch to the owner's call to
 *     the customer, over callback clocks met on D (on time or late);
 *   center callbacks (CB-1/CB-2, the CB-3 daily callback report): attempts
 *     made on D by outcome;
 *   satisfaction: contacts started on D that the customer rated (1–5), by
 *     the department of the agent who handled them (CALL-3);
 *   calls out (issue 17, RPT-1): the attempts agents asked for on D
 *     (call_out.requested_at; the answer-rate tests of LED-2 are not calls to
 *     customers and stay out), of those answered by the customer, and the
 *     talk time of their calls (the call's metrics talk_ms), by the
 *     department of the agent who called.
 * Every figure but satisfaction is a set of orders (or of their clocks or
 * callback attempts) that report_orders() lists, so a dashboard can open
 * them and the count can be checked by hand.
 *
 * Where the rows come from, and what it costs at 10⁶ orders. Each figure
 * is one query per day over an index range:
 *   opened               work_order.created_at    (wo_created)
 *   SLA figures          wo_sla_event.at          (wo_sla_event_at)
 *   satisfaction         contact.started_at       (contact_started)
 *   cancelled, escalated audit.at                 (audit_at), the entries the
 *                        engine writes with each change ("order.cancel",
 *                        "order.escalated"): neither work_order nor wo_event
 *                        has an indexed time for them;
 *   center callbacks     audit.at for the day's "order.callback" entries,
 *                        then wo_callback_attempt by order (written before
 *                        migration 46 gave wo_callback_attempt an index on
 *                        at, which the CB-3 report reads);
 *   archived             work_order.archive_month (wo_archive), once for the
 *                        whole range, rows put into days here: archived_at
 *                        has no index of its own.
 * So a day's report reads that day's rows (a month of archived orders at
 * most), never a whole table. The overdue list reads the partial index of
 * running breached clocks when the schema has one, otherwise wo_sla.
 *
 * That is a day's cost; a year of days is seconds at 10⁶ orders, so a
 * period is answered by report_period_load (below), which reads the
 * closed days from the summary kind "wo" keeps (migration 43) and only
 * today from the facts (bench/report.c, docs/performance.md).
 *
 * report_store.c holds the SQL and the day arithmetic; report_wo_store.c
 * the summary and the periods; report_xlsx.c the 工单统计表 workbook;
 * report_api.c serves /api/reports (JSON, the CSV and .xlsx exports, which
 * are a permission of their own and audited, SEC-2). Callers own the
 * structs; report_daily_free() releases what report_daily_load()
 * allocated.
 */
#ifndef KEFU_REPORT_REPORT_H
#define KEFU_REPORT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "http/http.h"
#include "wo/wo.h"

struct export_form;
struct store;
struct export_form;

/* A quarter: the most days report_daily_load reads from the facts in one call.
 * A request may ask for REPORT_PERIOD_DAYS_MAX (report_period_load). */
#define REPORT_DAYS_MAX 92

/* Consecutive days of the center: day i is [start[i], start[i + 1]). */
struct report_days {
	int n;
	int ymd[REPORT_DAYS_MAX]; /* YYYYMMDD in the center's zone */
	int64_t start[REPORT_DAYS_MAX + 1];
};

/*
 * The days from from_ymd to to_ymd inclusive (YYYYMMDD, real dates), in
 * the center's zone. ERR_INVALID when a date is not one, when to is before
 * from, or for more than REPORT_DAYS_MAX days.
 */
int report_days_make(int from_ymd, int to_ymd, struct report_days *out);
/* 1 if y-m-d is a date of the Gregorian calendar (1900..9999), else 0. */
int report_date_valid(int y, int m, int d);

/* The figures of one SLA metric on one day. */
enum report_sla_figure {
	RSF_STARTED,
	RSF_MET_ON_TIME,
	RSF_MET_LATE,
	RSF_BREACHED,
	RSF_RUNNING,
	RSF_COUNT
};
const char *report_sla_figure_name(enum report_sla_figure f);

/* The figures of one day, one department and one class of order. */
struct report_cell {
	int64_t department_id; /* 0: no department yet (a supervisor assigns it) */
	char class_code[8];
	int64_t opened, archived, cancelled, escalated;
	int64_t sla[WOM_COUNT][RSF_COUNT];
	int64_t callback_ms; /* dispatch → callback, summed over met callback clocks */
	int64_t center_callbacks[WOO_COUNT]; /* CB-2 outcomes of the day's attempts */
};

/* Orders opened on a day by class-level label (WO-3); level "" for none. */
struct report_level {
	int64_t department_id;
	char class_code[8];
	char level[8];
	int64_t opened;
};

/* Rated contacts of a day by the handling agent's department (CALL-3). */
struct report_rating {
	int64_t department_id;
	int64_t rated, total; /* how many, and the sum of their scores */
};

/* Calls out of a day by the calling agent's department (issue 17). */
struct report_calls_out {
	int64_t department_id;
	int64_t attempts, answered, talk_ms;
};

struct report_day {
	struct report_cell *cells;
	int ncells, cells_cap;
	struct report_level *levels;
	int nlevels, levels_cap;
	struct report_rating *ratings;
	int nratings, ratings_cap;
	struct report_calls_out *calls_out;
	int ncalls_out, calls_out_cap;
};

struct report_daily {
	struct report_days days;
	struct report_day day[REPORT_DAYS_MAX];
};

/*
 * Loads the figures of r->days (filled by report_days_make) for one
 * department (> 0) or all (0). Cells come sorted by department (none
 * last) and class. On error everything loaded is released.
 */
int report_daily_load(struct store *s, struct report_daily *r, int64_t department_id);
void report_daily_free(struct report_daily *r);
/* Adds src's figures to dst (totals of a department, of a day). */
void report_cell_add(struct report_cell *dst, const struct report_cell *src);
/*
 * The rows of a day (or of a bucket of days) by their keys, added at zero
 * when new; NULL when memory runs out. report_day_add adds every figure
 * of src into dst (0 or ERR_NOMEM); report_day_sort puts the rows in
 * report order (departments by id, none last, then classes and levels);
 * report_day_free releases them.
 */
struct report_cell *report_day_cell(struct report_day *d, int64_t dept, const char *cls);
struct report_level *report_day_level(struct report_day *d, int64_t dept, const char *cls,
				      const char *level);
struct report_rating *report_day_rating(struct report_day *d, int64_t dept);
struct report_calls_out *report_day_calls_out(struct report_day *d, int64_t dept);
int report_day_add(struct report_day *dst, const struct report_day *src);
void report_day_sort(struct report_day *d);
void report_day_free(struct report_day *d);

/*
 * Per agent over [start, end) (any range of the center's days; QA-5 and
 * CB-3 read them for the agents' weekly, biweekly and monthly figures, in
 * src/qa/): the contacts started in the range that the customer rated 1–5
 * (CALL-3), and the center callback attempts made in the range by CB-2
 * outcome, by the agent who made them, found as the daily report finds
 * them. Each calls row() once per agent, in agent id order; returns how
 * many rows it gave.
 */
struct report_agent_rating {
	int64_t agent_id;
	int64_t rated, total; /* how many, and the sum of their scores */
};
int report_agent_ratings(struct store *s, int64_t start, int64_t end,
			 int (*row)(void *ctx, const struct report_agent_rating *g), void *ctx);
struct report_agent_callbacks {
	int64_t agent_id;
	int64_t outcome[WOO_COUNT];
};
int report_agent_callbacks(struct store *s, int64_t start, int64_t end,
			   int (*row)(void *ctx, const struct report_agent_callbacks *g),
			   void *ctx);

/*
 * Calls out per agent over [start, end), as the daily report counts them
 * (tests apart), in agent id order; returns how many rows it gave.
 */
struct report_agent_calls_out {
	int64_t agent_id;
	int64_t attempts, answered, talk_ms;
};
int report_agent_calls_out(struct store *s, int64_t start, int64_t end,
			   int (*row)(void *ctx, const struct report_agent_calls_out *g),
			   void *ctx);

/* Level codes in rank order (Ⅰ..Ⅳ), for the CSV columns; returns how many. */
int report_levels(struct store *s, char (*out)[8], int max);

/* What report_orders lists: the rows behind one figure. */
enum report_outcome {
	RO_OPENED,
	RO_ARCHIVED,
	RO_CANCELLED,
	RO_ESCALATED,
	RO_STARTED, /* the SLA outcomes need a metric */
	RO_MET,	    /* met on time */
	RO_MET_LATE,
	RO_BREACHED,
	RO_RUNNING,
	RO_CB_ACCEPTED, /* center callback attempts, by CB-2 outcome */
	RO_CB_NOT_ACCEPTED,
	RO_CB_UNREACHABLE,
	RO_CB_NEW_NEED,
	RO_COUNT
};
const char *report_outcome_name(enum report_outcome o);
int report_outcome_parse(const char *name); /* -1 if unknown */
/* 1 for the outcomes that are about one metric's clocks. */
int report_outcome_needs_metric(enum report_outcome o);

struct report_filter {
	int64_t start, end;	/* the day */
	int64_t department_id;	/* -1: any, 0: orders without a department */
	const char *class_code; /* NULL: any */
	int metric;		/* enum wo_metric for SLA outcomes, else -1 */
	enum report_outcome outcome;
	int64_t after; /* cursor: the key of the last item seen, 0 at first */
	int limit;
};

/* One row behind a figure: an order, with the clock or attempt that counted. */
struct report_item {
	int64_t key; /* the cursor: order id, clock id or attempt id */
	int64_t order_id;
	char number[40];
	char class_code[8];
	char level[8];
	char state[16];
	int64_t department_id, owner_id;
	int escalation_level;
	int64_t created_at, archived_at; /* archived_at 0: not archived */
	/* SLA outcomes (sla_id 0 otherwise) */
	int64_t sla_id;
	char metric[12];
	char sla_state[12];
	int64_t started_at, due_at, met_at;
	int breached;
	/* center callback outcomes (attempt_id 0 otherwise) */
	int64_t attempt_id, attempt_at, agent_id;
	char attempt_outcome[16];
};

/* Calls row() for each item in key order; returns how many it gave. */
int report_orders(struct store *s, const struct report_filter *f,
		  int (*row)(void *ctx, const struct report_item *it), void *ctx);

/* A running clock past its deadline (WO-2), with who holds its order now. */
struct report_overdue {
	int64_t sla_id, order_id;
	char number[40];
	char class_code[8];
	char level[8];
	char state[16];
	int64_t department_id; /* 0: none */
	char department[257];
	int64_t owner_id; /* 0: none */
	char owner[257];
	char owner_work_no[33];
	char metric[12];
	int64_t due_at;
	int escalation_level;
};

/*
 * Running breached clocks, oldest clock first, of one department (> 0) or
 * all (0), after the clock id `after`; limit 0 lists them all (the CSV).
 * Returns how many it gave.
 */
int report_overdue_list(struct store *s, int64_t department_id, int64_t after, int limit,
			int (*row)(void *ctx, const struct report_overdue *o), void *ctx);

/* The first millisecond of a local date YYYYMMDD (a real date) in the center's zone. */
int64_t report_day_start(int ymd);

/*
 * Summaries of the center's closed days (issue 20, report_sum_store.c).
 *
 * A report over a year reads a year of facts: at 10⁶ orders and 10⁷ calls
 * that is seconds, however good the indexes. So every kind of report keeps
 * its own summary table, one set of rows per closed day (the days before
 * today in the center's zone), and answers a period from the summary's
 * rows for the days it covers and from the facts for the rest (today, in
 * practice). The summary is never the truth, only a cache of it: any day
 * can be rebuilt from the facts at any time, and building it twice gives
 * the same rows, so the job that keeps it is idempotent.
 *
 * A kind of report registers itself at start-up (report_kind_add, from
 * cli's wire()) with:
 *   build    rebuilds one day [start, end) of its summary table from the
 *            facts: it deletes that day's rows and inserts them again. It
 *            runs inside the transaction the tick opened; it must not
 *            begin or commit one.
 *   first    the time of the kind's earliest fact (0: none yet), where
 *            the first build of a fresh or upgraded database starts;
 *   changed  (may be NULL) finds facts that changed a closed day since
 *            its last call and calls report_day_mark for each such day:
 *            an order of last month reassigned today moves last month's
 *            figures. It keeps its place in *cursor (0 at first; stored
 *            with the kind), e.g. the last wo_event id it has read. Days
 *            after the summary's end need no mark.
 *
 * The tick report_sum_tick, once a round on the scheduler's connection:
 * for each kind, (1) runs changed, (2) rebuilds the marked days, (3)
 * extends the summary towards yesterday from where it ends. Each day is
 * its own transaction, and a round builds a bounded number of days
 * (REPORT_SUM_ROUND), so catching up a year on an upgraded database does
 * not stall the scheduler; a report asked before the summary caught up
 * reads the facts for the days not yet built, so it is right, only slower.
 *
 * Readers ask report_sum_through(kind): the last day (YYYYMMDD) the
 * summary covers, 0 when none. Days up to it come from the summary table,
 * later days from the facts. A marked day awaiting its rebuild is read
 * from the summary, stale by at most one round of the scheduler.
 *
 * The state lives in report_built (the end and the cursor per kind) and
 * report_dirty (the marked days), migration 42.
 */
#define REPORT_SUM_ROUND 31 /* days one round of the tick may build, per kind */

struct report_kind {
	const char *name; /* the key in report_built: "wo", "calls", ... */
	int (*build)(struct store *s, int ymd, int64_t start, int64_t end, void *arg);
	int64_t (*first)(struct store *s, void *arg);
	int (*changed)(struct store *s, int64_t *cursor, void *arg);
	void *arg;
};

/* Registers a kind (at start-up, before the scheduler runs); 0 or ERR_TOOBIG. */
int report_kind_add(const struct report_kind *k);
/* Marks day ymd of a kind to be rebuilt (from a kind's changed()). */
int report_day_mark(struct store *s, const char *kind, int ymd);
/* The last day the summary of kind covers (YYYYMMDD), 0 when none; < 0 on error. */
int report_sum_through(struct store *s, const char *kind);
/* The scheduler's tick: keeps every registered kind's summary current. */
int report_sum_tick(struct store *s, int64_t now, void *arg);
/* Forgets every registered kind (tests that register their own). */
void report_kinds_reset(void);

/*
 * A report's period (issue 20). Every report of the center takes the same
 * query parameters: from and to (YYYY-MM-DD, inclusive, the center's days)
 * and group, how its figures are put together: by day, ISO week (from
 * Monday), month, quarter, half-year (from January and July), year, or
 * all in one total. report_period_query reads and checks them; the
 * figures of a day go to the bucket report_bucket names. The web's
 * PeriodPicker.vue and period.js make the same buckets.
 */
enum report_group { RG_DAY, RG_WEEK, RG_MONTH, RG_QUARTER, RG_HALF, RG_YEAR, RG_ALL, RG_COUNT };
#define REPORT_PERIOD_DAYS_MAX 1100 /* three years and a little */

struct report_period {
	int from_ymd, to_ymd;
	int64_t start, end; /* [start, end) in UTC ms */
	enum report_group group;
	char from_text[24], to_text[24]; /* YYYY-MM-DD */
};

const char *report_group_name(enum report_group g);
int report_group_parse(const char *name); /* -1 if unknown */
/* The first day (YYYYMMDD) of the bucket that holds day ymd; RG_ALL: 0. */
int report_bucket(int ymd, enum report_group g);
/* The day after ymd, and the number of days from a to b inclusive. */
int report_ymd_next(int ymd);
/* The day days after ymd (before, for a negative count). */
int report_ymd_add(int ymd, int days);
int report_ymd_count(int from_ymd, int to_ymd);
/*
 * Reads from, to (both required) and group (default "day") of a request
 * into out; a date that is not one, to before from, a period longer than
 * REPORT_PERIOD_DAYS_MAX days or an unknown group is ERR_INVALID with the
 * field named (r->ei).
 */
int report_period_query(struct req *r, struct report_period *out);
/*
 * The department a report is about, from the query's department_id: the
 * one asked for (it must exist), or all (0; -1 for "orders without one"
 * when allow_none). Anyone whose permission act is limited to their own
 * department gets that one when they ask for none, and ERR_FORBIDDEN when
 * they ask for another.
 */
int report_department(struct req *r, int act, int allow_none, int64_t *dept);

/*
 * The work-order report over any period (issue 20, RPT-1; report_wo_store.c).
 *
 * The summary kind "wo" (migration 43) keeps, per closed day, the figures
 * report_daily_load computes for that day, built by calling it for the one
 * day (one copy of the SQL): cells per department and class, levels,
 * ratings and calls out. What it does not keep, and why:
 *   running  "clocks started on D still open now" changes every time a
 *            clock of an old day is met or cancelled, which is most of them.
 *            It is read from the facts for every day of a period instead:
 *            the open clocks are few and the partial index wo_sla_open
 *            (started_at, state running or paused; migration 43) holds
 *            exactly them, so it costs the open clocks of the period.
 * What moves a closed day, and how the kind finds it (its changed()):
 *   the report counts an order by its department and class as they stand
 *   now, "archived" as it stands now, and cancellations, escalations and
 *   callbacks by the order's day of them. Every change of an order writes
 *   a wo_event (wo_engine's event()). The kind's cursor reads the new
 *   wo_event rows (at most RWO_EVENTS_ROUND a round) and, for each order
 *   created before the summary's end, marks every closed day the order
 *   has a fact on: created, archived, its wo_event and SLA events, its
 *   audited cancellations, escalations and callbacks. The cursor is the
 *   last event id read plus one (0: never read; the first round starts at
 *   the newest event, since every day still to build reads the facts).
 * Not followed (known limits): satisfaction and calls out are by the
 * agent's department; an agent who moves department, a rating given after
 * its contact's day closed (the survey digit of a call at 23:59) and a call
 * out still talking at midnight are in the summary only when that day is
 * rebuilt for another reason (an order of that day changing). Neither
 * contact nor call_out keeps a time of change a cursor could follow.
 *
 * report_period_load answers a period (report_period_query) for one
 * department (> 0) or all (0): one report_day per bucket of p->group,
 * from the summary for the days up to report_sum_through("wo") when
 * use_summary, and from the facts (report_daily_load) for the later days,
 * with running from the open clocks. report_wo_kind_add registers the
 * kind (from cli's wire()).
 */
#define RWO_EVENTS_ROUND 20000 /* wo_event rows the cursor reads a round */

struct report_bucket {
	int first_ymd, last_ymd; /* the bucket's days inside the period */
	int64_t start, end;
	struct report_day day;
};

struct report_periodic {
	struct report_period period;
	int through; /* the last day read from the summary, 0: none */
	int n;
	struct report_bucket *b;
};

int report_period_load(struct store *s, const struct report_period *p, int64_t department_id,
		       int use_summary, struct report_periodic *out);
void report_periodic_free(struct report_periodic *out);
/* Makes the period of from..to (YYYYMMDD) grouped by g, as report_period_query would. */
void report_period_make(int from_ymd, int to_ymd, enum report_group g, struct report_period *out);
int report_wo_kind_add(void);

/*
 * 工单统计表 (report_xlsx.c): the period's figures per department and SLA
 * metric as a workbook (export/), and the form "wo_stats" of the center's
 * forms (LED-2) that builds it; report_forms_add registers it (from cli's
 * wire()).
 */
struct export_book;
struct export_form_args;
int report_wo_stats_xlsx(struct store *s, const struct export_form_args *a,
			 struct export_book **out);
int report_forms_add(void);

/*
 * Calls (issue 20, RPT-1): the hotline's calls in and out per day, hour
 * and queue, from the call log (migrations 4, 5, 25: call, call_event,
 * acd_callback, call_out) through the summary kind "calls" (migration 45,
 * report_call_hour). report_call.c holds the rules below (no I/O),
 * report_call_store.c the SQL, report_call_api.c the routes and the two
 * forms (电话接听记录表 "call_sheet", 话务统计表 "call_stats", LED-2).
 *
 * Which call counts where. An inbound call (direction 'in') counts on the
 * local day and hour it started (started_at), in the queue it waited in
 * ('' when it never reached one): a call that ends after midnight belongs
 * to the day it started, and the change feed rebuilds that day once it
 * closes (CALL-R1). Calls out count on the day and hour they were asked
 * for (call_out.requested_at), without the daily answer-rate test calls
 * (purpose 'test', LED-2), as the daily report counts them — nor do the
 * inbound calls those tests became count as callers; callback
 * requests on the day and hour they were left, in their queue.
 *
 * The figures (RCF_*, each the name of a column of report_call_hour):
 *   inbound            CALL-R1  inbound calls, wherever they ended;
 *   ivr                CALL-R2  of those, left in the menu (outcome 'ivr');
 *   closed             CALL-R2  of those, outside the opening hours ('closed');
 *   queued             CALL-R3  of those, reached a queue (queued_at set):
 *                               the calls that asked for an agent;
 *   answered           CALL-R3  of those, an agent answered (connected_at);
 *   answered_sl        CALL-R4  of those, within the service-level threshold:
 *                               connected_at − queued_at ≤ sl_sec (the
 *                               wallboard's service_level_sec, 20 s by
 *                               default: "80/20"; exactly 20 s is within);
 *   waiting            CALL-R4  queued, neither answered nor ended yet (today);
 *   abandoned_ringing  CALL-R5  the caller hung up (outcome 'abandoned')
 *                               while an agent's phone rang (the offer was
 *                               cancelled with reason caller_gone);
 *   abandoned_short    CALL-R5  otherwise abandoned within
 *                               REPORT_CALL_SHORT_MS (5 s) of entering the
 *                               queue: a caller who changed their mind,
 *                               shown apart as centers do;
 *   abandoned_queue    CALL-R5  the other abandons in the queue;
 *   callback           CALL-R5  left a number after the maximum wait
 *                               instead (outcome 'callback');
 *   wait_ms            CALL-R6  the answered calls' waits summed (ASA);
 *   wait_max_ms        CALL-R6  the longest wait of a queued call that
 *                               was answered or left (max, not a sum);
 *   talk_ms            CALL-R6  the answered calls' talk time (metrics talk_ms);
 *   out_attempts, out_answered, out_talk_ms  CALL-R7  calls out;
 *   cb_requested, cb_done  CALL-R8  callback requests left, and of those
 *                               done (called back) by now.
 * The abandon reasons a report shows: ivr (in the menu), queue_short,
 * queue, ringing and callback (CALL-R5). From the figures (report_call.c,
 * each null when its denominator is 0, four decimals half up, CALL-R9):
 *   answer_rate (接通率)   answered ÷ queued;
 *   service_level          answered_sl ÷ (queued − waiting): a call still
 *                          waiting has neither met the target nor missed it;
 *   asa_ms                 wait_ms ÷ answered, in ms half up;
 *   abandon_rate           (abandoned_ringing + abandoned_short +
 *                          abandoned_queue) ÷ queued;
 *   out_answer_rate        out_answered ÷ out_attempts.
 */
enum report_call_fig {
	RCF_INBOUND,
	RCF_IVR,
	RCF_CLOSED,
	RCF_QUEUED,
	RCF_ANSWERED,
	RCF_ANSWERED_SL,
	RCF_WAITING,
	RCF_AB_SHORT,
	RCF_AB_QUEUE,
	RCF_AB_RINGING,
	RCF_CALLBACK,
	RCF_WAIT_MS,
	RCF_WAIT_MAX_MS,
	RCF_TALK_MS,
	RCF_OUT,
	RCF_OUT_ANSWERED,
	RCF_OUT_TALK_MS,
	RCF_CB_REQUESTED,
	RCF_CB_DONE,
	RCF_COUNT
};
#define REPORT_CALL_SHORT_MS 5000
#define REPORT_CALL_QUEUE_MAX 32 /* bytes of a queue code */
#define REPORT_CALL_KIND "calls"

struct report_call_figs {
	int64_t v[RCF_COUNT];
};

/* The figure's name, its column in report_call_hour and its JSON key. */
const char *report_call_fig_name(enum report_call_fig f);
/* Adds src to dst: sums, the larger wait_max_ms. */
void report_call_add(struct report_call_figs *dst, const struct report_call_figs *src);
/* The abandons in the queue (ringing, short, queue). */
int64_t report_call_abandoned(const struct report_call_figs *f);
/* A ratio num ÷ den in ten-thousandths, half up; -1 when den is 0 (null). */
int64_t report_call_ratio(int64_t num, int64_t den);
enum report_call_rate { RCR_ANSWER, RCR_SERVICE_LEVEL, RCR_ABANDON, RCR_OUT_ANSWER, RCR_COUNT };
const char *report_call_rate_name(enum report_call_rate r);
int64_t report_call_rate(const struct report_call_figs *f, enum report_call_rate r);
/* The mean wait of the answered calls in ms, half up; -1 when none. */
int64_t report_call_asa(const struct report_call_figs *f);

/* The kind of summary report_sum_tick keeps (registered from cli's wire());
 * its arg is the config whose service_level_sec the summary follows. */
extern struct report_kind report_call_kind;
/* The service-level threshold the figures are counted with, in seconds. */
int report_call_sl_sec(struct store *s);

/*
 * The figures of a period [p->from_ymd, p->to_ymd] of one queue (NULL:
 * all), cell by cell: cell() is called once per (day, hour, queue) that
 * has any figure, days in order; days the summary covers come from it,
 * later ones from the call log at now. Returns how many cells it gave.
 */
typedef int (*report_call_cell_fn)(void *ctx, int ymd, int hour, const char *queue,
				   const struct report_call_figs *f);
int report_call_cells(struct store *s, const struct report_period *p, const char *queue,
		      int64_t now, report_call_cell_fn cell, void *ctx);
/* The same from the call log alone (the benchmark's comparison, the tests). */
int report_call_cells_facts(struct store *s, const struct report_period *p, const char *queue,
			    int64_t now, report_call_cell_fn cell, void *ctx);

/* What a call of the drill-down counts for (CALL-R1..R5). */
enum report_call_item {
	RCI_INBOUND,
	RCI_IVR,
	RCI_CLOSED,
	RCI_QUEUED,
	RCI_ANSWERED,
	RCI_ANSWERED_SL,
	RCI_NOT_SL, /* answered after the threshold */
	RCI_WAITING,
	RCI_AB_SHORT,
	RCI_AB_QUEUE,
	RCI_AB_RINGING,
	RCI_CALLBACK,
	RCI_COUNT
};
const char *report_call_item_name(enum report_call_item i);
int report_call_item_parse(const char *name); /* -1 if unknown */

/* One inbound call as the drill-down and the 电话接听记录表 show it. */
struct report_call_row {
	int64_t id, started_at, queued_at, connected_at, ended_at;
	char caller[32]; /* the number as stored: mask it before it leaves (CUST-2) */
	char queue[REPORT_CALL_QUEUE_MAX];
	char queue_name[64];
	char outcome[16];
	char hangup_first[8];
	char reason[16]; /* the abandon reason, "" when none */
	int64_t agent_id;
	char work_no[33];
	char agent_name[64];
	int64_t talk_ms; /* -1: none */
	int survey;	 /* 0: none */
	char orders[96]; /* the numbers of the orders its contact opened, comma-separated */
};
struct report_call_filter {
	int64_t start, end; /* started_at in [start, end) */
	const char *queue;  /* NULL: any; "": none */
	int hour;	    /* 0..23, -1: any */
	int item;	    /* enum report_call_item */
	int sl_sec;
	int64_t now;
	int64_t after; /* cursor: the last call id seen */
	int limit;     /* 0: all */
};
/* The calls behind a figure in id order; returns how many it gave. */
int report_call_rows(struct store *s, const struct report_call_filter *f,
		     int (*row)(void *ctx, const struct report_call_row *c), void *ctx);

/* The hotline's queues, code order: row(code, name); returns how many. */
int report_call_queues(struct store *s, int (*row)(void *ctx, const char *code, const char *name),
		       void *ctx);

/* The two forms (report_call_api.c), registered from cli's wire(). */
extern const struct export_form report_call_sheet_form;
extern const struct export_form report_call_stats_form;
/* The routes of the call report (report_call_api.c). */
extern const struct route report_call_routes[];

/* The module's routes (report_api.c), ended by a route with method NULL. */
extern const struct route report_routes[];

/*
 * The center's forms over HTTP (issue 20, LED-2, SEC-2; report_form_api.c):
 * GET /api/forms lists the forms of export's registry the caller may read
 * (the form's action), GET /api/forms/{code}.xlsx?from&to&department_id
 * builds one in a read snapshot for the caller, who needs the form's action
 * and the export permission; each file is audited ("form.export") with the
 * form, the period and the department before it goes out. A month form
 * (EXPORT_PERIOD_MONTH) is built for the month of from.
 */
extern const struct route report_form_routes[];
/* The days a form of period kind (enum export_period) covers for the asked
 * [*from, *to]: a day form from alone, a week form from's week, a month
 * form from's month, a range form as asked. */
void report_form_days(int period, int *from, int *to);
/* The file's names: "<code>_<from>_<to>.xlsx" and "<title>_<from>_<to>.xlsx". */
void report_form_names(const char *code, const char *title, int from, int to, char *ascii,
		       size_t ascii_size, char *utf8, size_t utf8_size);

/*
 * Scheduled reports (issue 20; report_sched.c rules, report_sched_store.c
 * SQL over migration 44, report_sched_api.c HTTP and the tick).
 *
 * A schedule is a registered form, a cadence and a time of day in the
 * center's zone, a department (0: the whole center), the people it goes to
 * and, optionally, email addresses:
 *   daily    at HH:MM every day, the day before;
 *   weekly   at HH:MM every Monday, the week before (Monday to Sunday);
 *   monthly  at HH:MM on the 1st, the month before.
 * The tick report_sched_tick makes, for each enabled schedule, the latest
 * period that has fallen due (one missed while the server was down is made
 * late; older ones are not made up) unless it is made already: a file row
 * unique by (schedule, first day) is the record, written in the same
 * transaction as the notifications, so a period is delivered once however
 * many rounds or restarts see it due. Periods that fell due before the
 * schedule was created are not made. The file's bytes are kept in the
 * database for REPORT_FILE_KEEP_DAYS days and then dropped (the row stays,
 * marked expired); GET /api/report-files/{id} serves it to the people it
 * was sent to and to the manager (ACT_REPORT_SCHEDULE), audited.
 *
 * Email goes out through a hook: chan/ (above report/) registers its SMTP
 * sender at start-up with report_set_mailer. Without one, or when the
 * sender has no outgoing account (ERR_NOTFOUND), the file is delivered by
 * notification only. The mail is sent after the commit; its outcome is
 * written on the file (emailed_at, email_error), and a failure is not
 * retried (the file stays in the notifications).
 */
#define REPORT_FILE_KEEP_DAYS 90
#define REPORT_SCHED_EMAILS_MAX 512 /* bytes of the addresses, comma-separated */
#define REPORT_SCHED_RECIPIENTS_MAX 50

enum report_cadence { RC_DAILY, RC_WEEKLY, RC_MONTHLY, RC_COUNT };
const char *report_cadence_name(enum report_cadence c);
int report_cadence_parse(const char *name); /* -1 if unknown */

/*
 * The latest period of cadence c (at minute minute of the day, 0..1439)
 * whose due moment is at or before now: its days [*from, *to] and the
 * moment *due it fell due. Pure but for the zone (report_day_start).
 */
void report_sched_due(enum report_cadence c, int minute, int64_t now, int *from, int *to,
		      int64_t *due);
/* "HH:MM" into the minute of the day; -1 when it is not one. */
int report_sched_minute(const char *hhmm);
/* 1 when text is a list of email addresses separated by commas (or empty). */
int report_sched_emails_valid(const char *text);

/*
 * Sends one mail with one attached file to to; 0 when sent,
 * ERR_NOTFOUND when no outgoing account exists (nothing to do), another
 * negative err with error filled when sending failed.
 */
typedef int (*report_mailer_fn)(struct store *s, const char *to, const char *subject,
				const char *body, const char *file_name, const void *bytes,
				size_t len, char *error, size_t error_size);
void report_set_mailer(report_mailer_fn fn);

/* A schedule as stored, with its recipients and its latest file. */
struct report_schedule {
	int64_t id;
	char form[64];
	int cadence; /* enum report_cadence */
	int at_minute;
	int64_t department_id; /* 0: the whole center */
	char emails[REPORT_SCHED_EMAILS_MAX + 1];
	int enabled;
	int64_t created_by, created_at, updated_at;
	int64_t people[REPORT_SCHED_RECIPIENTS_MAX];
	int npeople;
	/* The latest file made (last_file_id 0: none yet). */
	int64_t last_file_id, last_made_at;
	int last_from, last_to;
	char last_error[200];
};

/* A delivered file's row (its bytes apart). */
struct report_file {
	int64_t id, schedule_id;
	char form[64];
	int from_ymd, to_ymd;
	char name[400];
	int64_t made_at, size;
	char error[200]; /* "" when made */
	int expired;	 /* the bytes were dropped (retention) */
};

/* SQL (report_sched_store.c). The list walks every schedule in id order. */
int report_sched_list(struct store *s, int enabled_only,
		      int (*row)(void *ctx, const struct report_schedule *sc), void *ctx);
int report_sched_get(struct store *s, int64_t id, struct report_schedule *out);
/* Inserts (id 0; sc->id set) or updates sc and its recipients. */
int report_sched_put(struct store *s, struct report_schedule *sc);
int report_sched_delete(struct store *s, int64_t id);
/* Whether (schedule, first day) is made already: 1 or 0. */
int report_file_made(struct store *s, int64_t schedule_id, int from_ymd);
/* Records a file of sc (bytes NULL and error set when it could not be made)
 * with sc's people as its recipients; *id set. */
int report_file_add(struct store *s, const struct report_schedule *sc, int from, int to,
		    const char *name, const void *bytes, size_t len, const char *error,
		    int64_t now, int64_t *id);
int report_file_get(struct store *s, int64_t id, struct report_file *out);
/* The file's bytes into out (a buf of core/buf.h); ERR_NOTFOUND when dropped. */
struct buf;
int report_file_bytes(struct store *s, int64_t id, struct buf *out);
/* 1 when person was sent file id, else 0. */
int report_file_recipient(struct store *s, int64_t id, int64_t person_id);
/* Notes the outcome of the file's email. */
int report_file_mailed(struct store *s, int64_t id, const char *error, int64_t now);
/* Drops the bytes of files made before before; how many. */
int report_file_expire(struct store *s, int64_t before);

/* The tick: each due (schedule, period) made, delivered and sent once; arg is the config. */
int report_sched_tick(struct store *s, int64_t now, void *arg);

extern const struct route report_sched_routes[];
/*
 * Complaint statistics (用户投诉统计表, RPT-2; report_complaint_store.c,
 * report_complaint_api.c, migration 46).
 *
 * A complaint is an order of a complaint class: A1 (用户投诉, a user's),
 * A2 (商家投诉, a merchant's) and D (二次投诉, a second complaint of the
 * same matter), the classes WO-2 and WO-3 treat as complaints; B, C, E
 * and F are prospects, the press, questions and nuisance calls. It is
 * counted on the day it was opened, by its complaint type (wo_complaint,
 * "" when the agent gave none), level (WO-3), department, merchant (the
 * last third party of kind merchant the order was referred to, seed 002
 * §5; 0 none) and region (work_order.region; "" unknown), all as the
 * order stands now, with how many of them are archived now (closed) and
 * how many met their resolve clock without breaching it (on_time).
 *
 * The summary kind "complaints" keeps report_complaint_day per closed day;
 * its changed() follows wo_event (every assignment, referral, callback and
 * archive of an order writes one) and marks the day the order was opened,
 * so a complaint reassigned or closed later moves its day's figures.
 */
#define REPORT_COMPLAINT_CLASSES "('A1', 'A2', 'D')"

struct report_complaint_row {
	int ymd;
	char complaint[33];
	char level[8];
	int64_t department_id, merchant_id;
	char region[WO_REGION_MAX * 4 + 1];
	int64_t opened, closed, on_time;
};

/*
 * The rows of the days from_ymd..to_ymd (inclusive) of one department
 * (> 0), or of all (0): from the summary for the days it covers, from the
 * orders for the rest. row() once per row; returns how many.
 */
int report_complaint_rows(struct store *s, int from_ymd, int to_ymd, int64_t department_id,
			  int (*row)(void *ctx, const struct report_complaint_row *c), void *ctx);

/* The complaints opened in [start, end) behind one cell (NULL / -1: any). */
struct report_complaint_filter {
	int64_t start, end;
	int64_t department_id; /* 0: any */
	const char *complaint, *level, *region;
	int64_t merchant_id; /* -1: any; 0: none */
	int64_t after;	     /* cursor: the last order id seen */
	int limit;
};
int report_complaint_orders(struct store *s, const struct report_complaint_filter *f,
			    int (*row)(void *ctx, const struct report_item *it, const char *region),
			    void *ctx);

/* Names for the report: complaint types, merchants (third parties). */
int report_complaint_names(struct store *s,
			   int (*row)(void *ctx, const char *kind, const char *key, const char *name),
			   void *ctx);

/*
 * The daily callback report (CB-3; report_callback_api.c): the attempts of
 * a period by the agents' departments, and the orders served on site on a
 * day, due for their callback the next (003: "customers installed
 * yesterday are called today").
 */
struct report_cb_attempt {
	int64_t id, at, order_id, agent_id, agent_department_id, follow_up_id;
	int outcome; /* enum wo_outcome */
	char number[40];
	char class_code[8];
	char customer[257];
	char phone[24];
	char summary[400];
	char note[400];
	int64_t department_id; /* the order's */
};
/* Attempts made in [start, end), oldest first, after attempt id `after` (limit 0: all). */
int report_cb_attempts(struct store *s, int64_t start, int64_t end, int64_t department_id,
		       int64_t after, int limit,
		       int (*row)(void *ctx, const struct report_cb_attempt *a), void *ctx);

struct report_cb_due {
	int64_t order_id, customer_id, department_id, owner_id, served_at;
	char number[40];
	char label[24];
	char state[16];
	char customer[257];
	char phone[24];
	char region[WO_REGION_MAX * 4 + 1];
	char callback_state[12]; /* pending, done, cancelled, "" none yet */
	int attempts;
	char last_outcome[16];
};
/* Orders whose on-site clock was met in [start, end) (served that day), by order id. */
int report_cb_served(struct store *s, int64_t start, int64_t end, int64_t department_id,
		     int (*row)(void *ctx, const struct report_cb_due *d), void *ctx);

/*
 * report_form_api.c: a registered form (export.h) as the download of the
 * request's period and department, audited as "form.export" (SEC-2), the
 * download GET /api/forms/{code}.xlsx and the report pages' own routes
 * share; report_util.c: the growth of a tally's array (*v of *cap elements
 * of size, for element n); a date YYYYMMDD as YYYY-MM-DD.
 */
struct export_form;
int report_form_xlsx(struct req *r, const struct export_form *f);
int report_grow(void **v, int *cap, int n, size_t size);
void report_ymd_text(int ymd, char *out, size_t size);
/* The first days of the buckets of from..to under g, in order, into a new
 * array *out (the caller frees it); how many, or ERR_NOMEM. */
int report_buckets(int from_ymd, int to_ymd, enum report_group g, int **out);

/* Registers the summary kind "complaints" (report_complaint_store.c). */
int report_complaint_kind_add(void);
/* Registers the summary kind and the forms of complaints and callbacks (cli's wire()). */
int report_complaint_wire(void);
extern const struct route report_complaint_routes[];
extern const struct route report_callback_routes[];
int report_callback_wire(void);

/*
 * The agents' work statistics (工作统计一览表, issue 20, RPT-1, LED-2): per
 * agent and day of the center, from the facts where acd, call, cust, chan
 * and wo keep them, read with this module's own statements:
 *   calls_in     answered inbound calls (call: direction 'in', an agent and
 *                connected_at), by the day the call started, as perf and
 *                wfm count them; talk_ms = ended_at − connected_at of those
 *                ended, hold_ms = their metrics' hold_total_ms;
 *   calls out    attempts, answered and talk as report_agent_calls_out;
 *   status       the status log (agent_state_log) cut into spells, each
 *                spell from its row to the agent's next row, split at the
 *                center's midnights (report_agent_span): ready, away
 *                (示忙, acd's busy), break, on a call (ringing, talking) and
 *                after-call work (wrap_up); logged in is their sum;
 *   contacts     contacts started that day, per channel (CALL-10, CALL-12);
 *   orders       work orders opened (first_agent_id, created_at);
 *   callbacks    center callback attempts made (any outcome, CB-2), as
 *                report_agent_callbacks finds them;
 *   rated        contacts started that day rated 1–5, and their sum (CALL-3).
 * Derived: average talk = talk_ms / calls_in; occupancy = (on a call +
 * after-call work) / (ready + on a call + after-call work), the share of
 * the time available for calls that calls took (away and breaks are not
 * available); satisfaction = rating sum / rated; the QA score comes from
 * qa/ (above this module) through the hook report_agent_qa_set.
 *
 * The summary kind "agents" keeps them in report_agent_day (migration 47),
 * one row per day and agent; its changed() follows the status log, the
 * calls' "ended" events and new contacts by id (report_agent_feed) and
 * marks the closed day each belongs to: a call that started before
 * midnight and ended after it, a status row written late. Today, and any
 * day the summary has not reached, is read from the facts by the same code
 * that builds a day.
 */
enum report_agent_status { RAS_READY, RAS_AWAY, RAS_BREAK, RAS_CALL, RAS_WRAP, RAS_COUNT };
#define REPORT_CHANNELS 7 /* cust's CALL-12 channels, in report_channels order */
extern const char *const report_channels[REPORT_CHANNELS];

struct report_agent_fig {
	int64_t calls_in, talk_ms, hold_ms;
	int64_t out_attempts, out_answered, out_talk_ms;
	int64_t status_ms[RAS_COUNT];
	int64_t contacts[REPORT_CHANNELS];
	int64_t orders, callbacks, rated, rating_sum;
};

/* report_agent.c, pure. acd's status name to its column, -1 for logged out or unknown. */
int report_agent_status(const char *status);
/* A channel's index in report_channels, -1 if unknown. */
int report_channel_index(const char *channel);
/*
 * Adds a spell of status from from to to (to <= 0: still running) to f,
 * clipped to [start, end): a spell across midnight counts in each day for
 * its part of it.
 */
void report_agent_span(struct report_agent_fig *f, int status, int64_t from, int64_t to,
		       int64_t start, int64_t end);
void report_agent_fig_add(struct report_agent_fig *dst, const struct report_agent_fig *src);
int64_t report_agent_logged_in(const struct report_agent_fig *f);
/* Occupancy in percent (see above); -1 when the agent was never available. */
double report_agent_occupancy(const struct report_agent_fig *f);

/* One row of the report: an agent in a bucket (report_bucket's first day, 0 for all). */
struct report_agent_row {
	int bucket;
	int64_t agent_id, department_id;
	char work_no[33], name[129], department[129];
	struct report_agent_fig f;
	int64_t qa_checks;
	double qa_sum; /* the QA hook's scores, when it gave any */
};

/*
 * The rows of a period for one department (> 0), all (0), or only agent
 * (> 0, whatever department); sorted by bucket, then work number. Days up
 * to the summary's end come from report_agent_day, the rest from the facts
 * up to now. *out is malloc'ed (free it); returns 0 or an error.
 */
int report_agent_load(struct store *s, const struct report_period *p, int64_t department_id,
		      int64_t agent_id, int64_t now, struct report_agent_row **out, size_t *n);
/* The same figures for the period straight from the facts (tests, the benchmark). */
int report_agent_load_facts(struct store *s, const struct report_period *p, int64_t department_id,
			    int64_t agent_id, int64_t now, struct report_agent_row **out,
			    size_t *n);
/* One day's figures from the facts, [start, end), per agent (build, today, perf later). */
int report_agent_day_facts(struct store *s, int64_t start, int64_t end,
			   int (*row)(void *ctx, int64_t agent_id,
				      const struct report_agent_fig *f),
			   void *ctx);
/* The kind "agents" for report_kind_add. */
extern const struct report_kind report_agent_kind;

/*
 * The QA score per agent over [start, end), which only qa/ can compute: a
 * function registered at start-up (cli's wire()) that calls row() once per
 * agent with their checks and the sum of their scores. Unset, the report
 * has no QA column.
 */
typedef int (*report_agent_qa_fn)(struct store *s, int64_t start, int64_t end,
				  int (*row)(void *ctx, int64_t agent_id, int64_t checks,
					     double score_sum),
				  void *ctx);
void report_agent_qa_set(report_agent_qa_fn fn);
int report_agent_qa_has(void);

/* The form 工作统计一览表 (report_agent_xlsx.c), registered from wire(). */
extern const struct export_form report_agent_form;
struct export_book;
/* A period of whole days from_ymd..to_ymd, in one total (the form's). */
void report_agent_period(int from_ymd, int to_ymd, struct report_period *p);
/* The rows laid out as the form: title, the two header rows, totals, signed foot. */
int report_agent_xlsx(const struct report_agent_row *rows, size_t n, const char *title,
		      const char *subtitle, const char *made_by, const char *made_on, int english,
		      struct export_book **out);
/* Loads the period's rows (report_agent_load) and lays them out as the form. */
int report_agent_book(struct store *s, const struct report_period *p, int64_t department_id,
		      int64_t agent_id, int64_t now, const char *made_by, int english,
		      struct export_book **out);

/* The agents' routes (report_agent_api.c). */
extern const struct route report_agent_routes[];

#endif
