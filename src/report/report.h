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
 *                        then wo_callback_attempt by order (wo_callback_attempt
 *                        has no index on at);
 *   archived             work_order.archive_month (wo_archive), once for the
 *                        whole range, rows put into days here: archived_at
 *                        has no index of its own.
 * So a day's report reads that day's rows (a month of archived orders at
 * most), never a whole table. The overdue list reads the partial index of
 * running breached clocks when the schema has one, otherwise wo_sla.
 *
 * report_store.c holds the SQL and the day arithmetic; report_api.c serves
 * /api/reports (JSON and the CSV exports, which are a permission of their
 * own and audited, SEC-2). Callers own the structs; report_daily_free()
 * releases what report_daily_load() allocated.
 */
#ifndef KEFU_REPORT_REPORT_H
#define KEFU_REPORT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "http/http.h"
#include "wo/wo.h"

struct store;
struct export_form;

#define REPORT_DAYS_MAX 92 /* a quarter: the longest range one request may ask for */

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
 * department gets that one, whatever they asked for.
 */
int report_department(struct req *r, int act, int allow_none, int64_t *dept);

/* The module's routes (report_api.c), ended by a route with method NULL. */
extern const struct route report_routes[];

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
 * The summary kind "agents" keeps them in report_agent_day (migration 45),
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
