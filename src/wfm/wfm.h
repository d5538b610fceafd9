/*
 * wfm — shifts (排班), workforce management: the shift types, the staffing
 * arithmetic (Erlang C and Erlang A) and the forecast of contacts.
 *
 * These three pieces are the foundation the rest of shift planning builds
 * on; the duty roster (WFM-2, WFM-3, ORG-4), swaps and leave (WFM-3,
 * WFM-4), attendance (WFM-5), the handover log (WFM-6, WFM-7) and their
 * workbench pages are not built yet.
 *
 * Shift types are data (WFM-1): table wfm_shift_type holds each type's code,
 * name, one or two segments of the local day in minutes (a split shift,
 * 天地班, has two; the last may cross midnight, 跨夜班, written with an end
 * at or before its start), paid and break minutes, a colour and whether it
 * is the office-hours type of the manager and supervisor (行政班). The
 * migration seeds 早班 08:00–16:00, 中班 16:00–24:00, 夜班 00:00–08:00 and
 * 行政班; a center adds its own. A type is never deleted (rosters will
 * point at it): it is deactivated. Supervisors and the manager write them,
 * agents read them; every change is audited.
 *
 * Staffing: wfm_erlang_* compute, for an interval's calls and average
 * handling time, the probability of waiting, the service level (share
 * answered within t seconds), the average speed of answer and occupancy for
 * n agents (Erlang C, M/M/n), the agents needed for a target (default 80 %
 * in 20 s) and, with shrinkage, the agents to schedule. Erlang A (M/M/n+M)
 * adds the callers' patience: abandonment, and a service level that counts
 * abandoned calls as missed. Erlang B's recursion keeps everything stable
 * for hundreds of agents; nothing uses factorials or powers of the load.
 *
 * Forecast: contacts per half hour for a month, from the hotline's own call
 * log (table call, written by src/call/; read here with wfm's own SQL, as
 * auth reads person). The history is the last history_weeks weeks (a
 * setting) before the month or before today, whichever is earlier, from the
 * first call on record. Each history day is of a kind: its weekday, or a
 * holiday (the hotline calendar's hotline_closed_day: holidays are a kind
 * of their own); a make-up working day (hotline_open_day, 调休) counts as
 * the weekday whose hours it keeps. For each kind and half hour the values
 * further than 3 median absolute deviations from the median are dropped
 * as outliers, and the rest averaged. A holiday with no holiday in the
 * history takes Sunday's profile. The supervisor's edits are overrides per
 * (queue, date, interval) in wfm_forecast_override; the forecast shows them
 * in place of the computed value, flagged. Days and half hours are the
 * center's (core/clock.h): calls are counted per UTC half hour in one
 * GROUP BY and each half hour placed in its local day, which is exact for
 * every time zone whose offset is a whole number of half hours.
 *
 * Settings (wfm_setting, described once as data in wfm_setting_keys): the
 * service-level target (percent and seconds), shrinkage, history weeks and
 * the handling time used when the log has none; the roster's publication
 * day and reminders, the minimum continuous period and the labour limits;
 * when missing time counts as absence; the handover's times. GET/PATCH
 * /api/wfm/settings, audited.
 *
 * The roster's tables (migration 15): wfm_roster (a month's state and
 * version), wfm_roster_entry (one shift type per agent and local day; no row
 * is a rest day), the filed versions, and wfm_leave (approved leave blocks
 * rostering).
 *
 * Layers: core, store, http. No tick yet: reminders and deadlines arrive
 * with the roster.
 */
#ifndef KEFU_WFM_WFM_H
#define KEFU_WFM_WFM_H

#include <stddef.h>
#include <stdint.h>

#include "http/http.h" /* struct route, for the route table */

struct err_info;
struct store;

/* ---- Shift types (wfm.c) ---- */

#define WFM_DAY_MIN 1440    /* minutes in a day */
#define WFM_INTERVALS 48    /* half hours in a day */
#define WFM_INTERVAL_MIN 30 /* minutes in an interval */
#define WFM_CODE_MAX 32	    /* bytes of a code: a-z, 0-9, _ */
#define WFM_NAME_MAX 32	    /* characters of a name */
#define WFM_SEGMENTS_MAX 2  /* a split shift has two */

struct wfm_segment {
	int start; /* minute of the local day, 0..1439 */
	int end;   /* 1..1440; at or before start: the segment crosses midnight */
};

struct wfm_shift_type {
	int64_t id;
	char code[WFM_CODE_MAX + 1];
	char name[WFM_NAME_MAX * 4 + 1];
	int nseg;
	struct wfm_segment seg[WFM_SEGMENTS_MAX];
	int paid_min;
	int break_min;
	char colour[8]; /* #rrggbb */
	int office;	/* 行政班: the manager's and supervisor's office hours */
	int active;
	int64_t updated_at;
};

/* Minutes a segment lasts (a crossing one runs on into the next day). */
int wfm_segment_length(const struct wfm_segment *s);
/* Minutes of the shift's segments together. */
int wfm_shift_length(const struct wfm_shift_type *t);
/* 1 when a segment of the shift runs past midnight. */
int wfm_shift_crosses_midnight(const struct wfm_shift_type *t);
/*
 * Checks every field of t: code, name, segments (1 or 2; minutes in range;
 * only the last may cross midnight; the second starts at or after the first
 * ends and, when it crosses, ends at or before the first starts the next
 * day), breaks (0 to length − 1), paid (1 to length − breaks), colour.
 * Each broken rule is added to ei (err_add, ERR_UNPROCESSABLE); returns 0
 * or the first error's code.
 */
int wfm_shift_type_check(const struct wfm_shift_type *t, struct err_info *ei);
/*
 * Whether shift t covers local minute m (0..1439) of a day: 0 no; 1 by the
 * shift that began that day; 2 by the shift that began the day before (the
 * part of a crossing segment after midnight).
 */
int wfm_shift_covers(const struct wfm_shift_type *t, int minute);
/*
 * The index of the first active type in types[0..n) that covers local
 * minute m, skipping office types unless with_office; -1 for none.
 */
int wfm_shift_at(const struct wfm_shift_type *types, size_t n, int minute, int with_office);
/* The same for the instant at (UTC ms), in the center's time zone. */
int wfm_shift_at_ms(const struct wfm_shift_type *types, size_t n, int64_t at, int with_office);

/* ---- Staffing: Erlang C and Erlang A (wfm_erlang.c) ---- */

/* Erlang B's blocking probability for n servers and a erlangs (recursion). */
double wfm_erlang_b(int n, double a);
/* Erlang C's probability that a call waits; 1 when n <= a (the queue grows). */
double wfm_erlang_c(int n, double a);
/* Share of calls answered within t seconds (Erlang C), aht in seconds. */
double wfm_erlang_c_sl(int n, double a, double aht, double t);
/* Average speed of answer in seconds over all calls (Erlang C); -1 when n <= a. */
double wfm_erlang_c_asa(int n, double a, double aht);

struct wfm_staffing {
	int agents;	  /* on the phones for the target */
	int scheduled;	  /* agents / (1 − shrinkage), rounded up */
	double sl;	  /* service level they give, 0..1 */
	double asa;	  /* seconds */
	double occupancy; /* 0..1 */
	double abandon;	  /* share of calls abandoned (Erlang A; 0 for Erlang C) */
};

/*
 * Agents needed for calls arriving in interval_s seconds with aht seconds
 * of handling, so that target_sl of them are answered within target_t
 * seconds (Erlang C), then scheduled with shrinkage (0..<1). No calls need
 * no agents. ERR_INVALID for values out of range, ERR_UNPROCESSABLE when
 * more than WFM_AGENTS_MAX would be needed.
 */
#define WFM_AGENTS_MAX 5000
int wfm_erlang_c_staff(double calls, double interval_s, double aht, double target_sl,
		       double target_t, double shrinkage, struct wfm_staffing *out);

/*
 * Erlang A (M/M/n+M): callers abandon after an exponential patience of mean
 * patience seconds. For n agents: the probability of waiting, the share
 * abandoned, the service level (answered within t; abandoned calls are
 * missed), the mean wait of the answered calls and occupancy. ERR_INVALID
 * for values out of range.
 */
struct wfm_erlang_a {
	double wait;	  /* P(wait > 0) */
	double abandon;	  /* P(abandon) */
	double sl;	  /* P(answered within t) */
	double asa;	  /* mean wait of the answered, seconds */
	double occupancy; /* 0..1 */
};
int wfm_erlang_a(int n, double calls, double interval_s, double aht, double patience, double t,
		 struct wfm_erlang_a *out);
/* Agents for the target under Erlang A, with shrinkage, as wfm_erlang_c_staff. */
int wfm_erlang_a_staff(double calls, double interval_s, double aht, double patience,
		       double target_sl, double target_t, double shrinkage,
		       struct wfm_staffing *out);

/* ---- Forecast (wfm.c) ---- */

/* Kinds of day: 0..6 Monday..Sunday, WFM_HOLIDAY. */
#define WFM_HOLIDAY 7
#define WFM_KINDS 8

/* One day of history: its kind and the contacts of each half hour. */
struct wfm_hist_day {
	int kind;
	double count[WFM_INTERVALS];
};

/*
 * The kind of a local day: WFM_HOLIDAY when holiday, the weekday a make-up
 * working day keeps (makeup_weekday 1..7, Monday 1) when set, else weekday
 * (1..7, Monday 1) − 1.
 */
int wfm_day_kind(int weekday, int holiday, int makeup_weekday);
/*
 * The mean of values[0..n) after dropping those further than 3 median
 * absolute deviations from the median (none dropped when the deviation is
 * 0); *kept says how many were averaged. values is reordered. 0 for n 0.
 */
double wfm_robust_mean(double *values, size_t n, size_t *kept);
/*
 * The profile of each kind of day: out[kind][interval], the robust mean of
 * that half hour over the history days of the kind; have[kind] is how many
 * history days it had. A holiday with none takes Sunday's profile.
 */
int wfm_forecast_profile(const struct wfm_hist_day *days, size_t n,
			 double out[WFM_KINDS][WFM_INTERVALS], int have[WFM_KINDS]);

/* "YYYY-MM" → year and month; ERR_INVALID otherwise. */
int wfm_month_parse(const char *s, int *year, int *month);
/* Days in a month (Gregorian). */
int wfm_month_days(int year, int month);
/* The weekday of a date, Monday 1 .. Sunday 7. */
int wfm_weekday(int year, int month, int day);
/* Days since 1970-01-01 of a civil date, and back. */
int64_t wfm_days_from_civil(int year, int month, int day);
void wfm_civil_from_days(int64_t days, int *year, int *month, int *day);

/* ---- Storage (wfm_store.c) ---- */

struct wfm_settings {
	/* Staffing and forecast. */
	int sl_target_pct; /* share answered within sl_target_sec, percent */
	int sl_target_sec;
	int shrinkage_pct;   /* 0..90 */
	int history_weeks;   /* 1..52 */
	int default_aht_sec; /* when the call log has no handled call */
	/* The roster (WFM-2, WFM-3) and the labour rules it keeps. */
	int publish_day;	 /* next month's roster is published before this day of the month */
	int publish_remind_days; /* reminders start this many days before publish_day */
	int min_continuous_days; /* an agent's shift kind holds at least this many days */
	int max_day_min;	 /* paid minutes in a day, at most */
	int max_week_min;	 /* paid minutes in a week on average, at most */
	int min_rest_days_week;	 /* rest days in every week (Monday..Sunday), at least */
	/* Attendance (WFM-5). */
	int absent_after_min; /* missing more than this in a shift counts as absent */
	/* Handover (WFM-6, WFM-7). */
	int arrive_before_min; /* agents arrive this long before the shift */
	int meeting_min;       /* the shift meeting, in the first minutes of the shift */
	int summary_min;       /* the shift's summary, in its last minutes */
	int handover_sign_min; /* the handover is signed within this long after the change */
};

/*
 * The settings as data: each key of table wfm_setting, its range and its
 * default (the value when the row is missing), and where it lives in struct
 * wfm_settings. The store reads and writes them all, the API checks a PATCH
 * against the ranges; a new setting is one line here and a field above.
 */
#define WFM_SETTINGS_MAX 40 /* room for the keys below */

struct wfm_setting_key {
	const char *key;
	int min, max, def;
	size_t offset; /* offsetof(struct wfm_settings, field) */
};
extern const struct wfm_setting_key wfm_setting_keys[];
extern const size_t wfm_setting_count;
/* The field of w that key i names. */
int *wfm_setting_field(struct wfm_settings *w, size_t i);
/* Every setting at its default. */
void wfm_settings_default(struct wfm_settings *w);

typedef int (*wfm_shift_type_fn)(void *ctx, const struct wfm_shift_type *t);

int wfm_shift_type_list(struct store *s, wfm_shift_type_fn fn, void *ctx);
int wfm_shift_type_get(struct store *s, int64_t id, struct wfm_shift_type *out);
/* Inserts (id 0, filled) or updates t; ERR_CONFLICT when the code is taken. */
int wfm_shift_type_put(struct store *s, struct wfm_shift_type *t, int64_t now);

int wfm_settings_get(struct store *s, struct wfm_settings *out);
int wfm_settings_put(struct store *s, const struct wfm_settings *in, int64_t now);

/* 1 when the queue exists, 0 when not. */
int wfm_queue_exists(struct store *s, const char *queue);
/*
 * Calls per local day and half hour from day0 (days since the epoch, the
 * center's local date) for ndays days: counts[d * 48 + i]. queue NULL: calls
 * that reached any queue. One GROUP BY over the call log.
 */
int wfm_calls_count(struct store *s, const char *queue, int64_t day0, int ndays, double *counts);
/* The local day (days since the epoch) of the first call on record; 0 when none. */
int wfm_first_call_day(struct store *s, const char *queue, int64_t *out);
/* Mean seconds from answer to end of the answered calls in [from, to) ms; 0 when none. */
int wfm_aht(struct store *s, const char *queue, int64_t from, int64_t to, double *out);
/* The calendar between two local dates "YYYY-MM-DD" (inclusive): each holiday
 * (hotline_closed_day) and make-up working day (hotline_open_day). */
typedef int (*wfm_day_fn)(void *ctx, const char *day, int holiday, int as_weekday);
int wfm_calendar(struct store *s, const char *from, const char *to, wfm_day_fn fn, void *ctx);

/* One override of the forecast. */
struct wfm_override {
	char day[11]; /* YYYY-MM-DD */
	int interval; /* 0..47 */
	int contacts; /* whole contacts */
};
typedef int (*wfm_override_fn)(void *ctx, const struct wfm_override *o);
/* The overrides of queue ("" for all queues) on days [from, to] (inclusive). */
int wfm_override_list(struct store *s, const char *queue, const char *from, const char *to,
		      wfm_override_fn fn, void *ctx);
/* Removes the overrides of queue on [from, to]; *removed says how many. */
int wfm_override_clear(struct store *s, const char *queue, const char *from, const char *to,
		       int *removed);
int wfm_override_put(struct store *s, const char *queue, const struct wfm_override *o, int64_t by,
		     int64_t now);

/* ---- Leave and swaps (WFM-3, WFM-4): rules wfm_leave.c, SQL wfm_leave_store.c ---- */

/*
 * Leave (wfm_leave, migration 15). An agent asks for whole local days of one
 * kind (annual, sick, personal, compensatory) at least one working day
 * ahead (WFM-4): some working day must lie between the day the request is
 * made (inclusive) and the leave's first day (exclusive). Working days are
 * Monday to Friday except the hotline calendar's holidays
 * (hotline_closed_day), plus its make-up working days (hotline_open_day).
 * A supervisor or the manager approves or rejects it; no manager's second
 * signature is needed for long leave (the seeds give leave to 部门负责人,
 * the supervisor, and name the manager only for work outside the roster);
 * the agent cancels it before its first day begins.
 *
 * Emergency leave (emergency = 1) is recorded, already approved, by a
 * supervisor or the manager from the agent's phone call; it may start today.
 * Its paperwork is due by paperwork_due: the end (local midnight) of the
 * first working day after the leave's last day. The supervisor marks it
 * received (paperwork_at), which is refused after the deadline. The rule
 * attendance (WFM-5) reads, exactly: a day of approved leave is excused
 * unless emergency = 1 AND paperwork_at IS NULL AND paperwork_due <= now,
 * in which case the leave's days count as absence ("否则按旷工处理", 003).
 * Because receipt after the deadline is refused, paperwork_at is never
 * later than paperwork_due. A tick notifies the agent and the supervisors
 * once when the deadline passes (paperwork_overdue_at, migration 17).
 *
 * Approving leave (or recording emergency leave) removes the agent's
 * entries of those days from a published roster, audited; the coverage is
 * what it is and the supervisor sees the gap on the roster page. Cancelling
 * approved leave does not put them back: the supervisor re-rosters.
 *
 * Swaps (调班申请单, wfm_swap, migration 17; WFM-3): agent A asks at least
 * 24 hours before the earliest shift involved, either to exchange (A's shift
 * on a_day for B's shift on b_day; the same day swaps the two shift types)
 * or for B to cover A's shift (A rests). B counter-signs (or declines) in
 * kefu; a supervisor or the manager approves (or rejects); only then do the
 * roster's entries change, both in one audited transaction. The shifts as
 * they were when asked are kept on the request; if the roster changed since,
 * signing and approval are refused. At signing and approval the roster as
 * it would be is re-checked for both agents with the roster rules
 * (wfm_roster_check); a hard violation refuses the step (422, each listed).
 * Only days of a published roster can be swapped; there is no other way to
 * change two agents' shifts between themselves.
 */
#define WFM_REASON_MAX 200   /* characters of a reason or a decision's note */
#define WFM_LEAVE_DAYS_MAX 62 /* days of one leave */
#define WFM_WINDOW_DAYS 64   /* days of calendar a rule looks at */
#define WFM_SWAP_AHEAD_MS (24 * 3600 * 1000LL) /* WFM-3: one day before the shift */

/* The working days of a run of local days (days since the epoch). */
struct wfm_workdays {
	int64_t first;
	int n;
	unsigned char working[WFM_WINDOW_DAYS];
};

struct wfm_leave {
	int64_t id;
	int64_t person_id;
	char kind[16];	    /* annual | sick | personal | compensatory */
	char first_day[11]; /* YYYY-MM-DD, local */
	char last_day[11];
	char reason[WFM_REASON_MAX * 4 + 1];
	char state[12]; /* requested | approved | rejected | cancelled */
	int emergency;
	int64_t paperwork_due; /* 0: none */
	int64_t paperwork_at;  /* 0: not received */
	int64_t requested_by, requested_at;
	int64_t decided_by, decided_at; /* 0: not decided */
	char decision_note[WFM_REASON_MAX * 4 + 1];
	int64_t updated_at;
	/* Read with the row, for lists. */
	char person_name[WFM_NAME_MAX * 4 + 1];
	char person_work_no[33];
	char decided_by_name[WFM_NAME_MAX * 4 + 1];
};

struct wfm_swap {
	int64_t id;
	char kind[10]; /* exchange | cover */
	int64_t requester_id, partner_id;
	char a_day[11];		 /* the requester's shift */
	int64_t a_shift_type_id; /* as it was when asked */
	char a_skill[33];	 /* "" for none */
	char b_day[11];		 /* exchange: the partner's shift; cover: "" */
	int64_t b_shift_type_id; /* 0 for cover */
	char b_skill[33];
	char reason[WFM_REASON_MAX * 4 + 1];
	char state[12]; /* asked | signed | approved | rejected | declined | cancelled */
	int64_t asked_at, signed_at;
	int64_t decided_by, decided_at;
	char decision_note[WFM_REASON_MAX * 4 + 1];
	int64_t updated_at;
	/* Read with the row, for lists. */
	char requester_name[WFM_NAME_MAX * 4 + 1], requester_work_no[33];
	char partner_name[WFM_NAME_MAX * 4 + 1], partner_work_no[33];
	char a_shift_name[WFM_NAME_MAX * 4 + 1], b_shift_name[WFM_NAME_MAX * 4 + 1];
	char decided_by_name[WFM_NAME_MAX * 4 + 1];
};

/* The steps after asking. */
enum wfm_step {
	WFM_STEP_APPROVE,
	WFM_STEP_REJECT,
	WFM_STEP_CANCEL,
	WFM_STEP_PAPERWORK, /* leave only */
	WFM_STEP_SIGN,	    /* swaps only */
	WFM_STEP_DECLINE,   /* swaps only */
};

/* "YYYY-MM-DD" → days since the epoch; ERR_INVALID when not a real date. */
int wfm_day_parse(const char *s, int64_t *day);
void wfm_day_format(int64_t day, char out[11]);
/* The local day (days since the epoch) that holds instant ms. */
int64_t wfm_day_of(int64_t ms);
/* The first millisecond of local day `day` (for offsets within ±12 h). */
int64_t wfm_day_start_ms(int64_t day);
/* 1 when a day is worked: Monday..Friday and not a holiday, or a make-up day. */
int wfm_working_day(int64_t day, int holiday, int makeup);
/* 1 when day is a working day of w; -1 when w does not cover it. */
int wfm_workdays_is(const struct wfm_workdays *w, int64_t day);

/*
 * A new leave l (kind, days, emergency) asked at now: the kind, the days
 * (first ≤ last, at most WFM_LEAVE_DAYS_MAX, first at most a year ahead),
 * and (not emergency) at least one working day ahead by w, which must cover
 * today onwards; emergency leave starts today or later. Each broken rule
 * is added to ei (ERR_UNPROCESSABLE); returns 0 or the first error.
 */
int wfm_leave_ask_check(const struct wfm_leave *l, const struct wfm_workdays *w, int64_t now,
			struct err_info *ei);
/* The paperwork deadline of an emergency leave: the end of the first working
 * day of w (which starts the day after last_day); 0 when w has none. */
int64_t wfm_leave_paperwork_due(const struct wfm_workdays *w);
/*
 * Whether person who may take step on leave l at now (the route has
 * already checked the role): ERR_CONFLICT with a message for an illegal
 * step, 0 when allowed.
 */
int wfm_leave_step_check(const struct wfm_leave *l, enum wfm_step step, int64_t who, int64_t now,
			 struct err_info *ei);
/*
 * A new swap w asked at now whose earliest shift begins at first_start
 * (UTC ms): the kind, the days, the partner another person, and at least a
 * day ahead. 0, or ERR_UNPROCESSABLE with each broken rule in ei.
 */
int wfm_swap_ask_check(const struct wfm_swap *w, int64_t first_start, int64_t now,
		       struct err_info *ei);
/* Whether who may take step on swap w at now, its earliest shift beginning
 * at first_start: ERR_CONFLICT with a message, or 0. */
int wfm_swap_step_check(const struct wfm_swap *w, enum wfm_step step, int64_t who,
			int64_t first_start, int64_t now, struct err_info *ei);

/* Storage of leave and swaps (wfm_leave_store.c). */

/* The working days from first for n days (n ≤ WFM_WINDOW_DAYS). */
int wfm_workdays_load(struct store *s, int64_t first, int n, struct wfm_workdays *out);
typedef int (*wfm_leave_fn)(void *ctx, const struct wfm_leave *l);
typedef int (*wfm_swap_fn)(void *ctx, const struct wfm_swap *w);
struct wfm_request_filter {
	int64_t person_id; /* leave: its agent; swaps: either agent; 0 any */
	const char *state; /* NULL: any */
	const char *from, *to; /* days that overlap [from, to]; NULL: any */
	int limit;
};
int wfm_leave_get(struct store *s, int64_t id, struct wfm_leave *out);
int wfm_leave_list(struct store *s, const struct wfm_request_filter *f, wfm_leave_fn fn,
		   void *ctx);
/* Inserts l (id filled). */
int wfm_leave_insert(struct store *s, struct wfm_leave *l);
/* Writes l's state, decision, paperwork and updated_at, when its state is still `from`;
 * ERR_CONFLICT when it was changed meanwhile. */
int wfm_leave_update(struct store *s, const struct wfm_leave *l, const char *from);
/* The id of a requested or approved leave of person overlapping [first, last]
 * other than except; 0 when none. */
int wfm_leave_overlap(struct store *s, int64_t person, const char *first, const char *last,
		      int64_t except, int64_t *out);
/* Approved emergency leave whose paperwork is overdue at now and not yet told. */
int wfm_leave_overdue(struct store *s, int64_t now, struct wfm_leave *out, int max);
int wfm_leave_overdue_mark(struct store *s, int64_t id, int64_t now);

int wfm_swap_get(struct store *s, int64_t id, struct wfm_swap *out);
int wfm_swap_list(struct store *s, const struct wfm_request_filter *f, wfm_swap_fn fn, void *ctx);
int wfm_swap_insert(struct store *s, struct wfm_swap *w);
int wfm_swap_update(struct store *s, const struct wfm_swap *w, const char *from);

/* A month's roster state: "draft", "published", or "" when there is none. */
int wfm_roster_state(struct store *s, const char *month, char state[12]);
/* One roster cell: 1 with shift type and skill ("" for none), 0 for a rest day. */
int wfm_roster_cell(struct store *s, const char *day, int64_t person, int64_t *shift_type,
		    char skill[33]);
/* Puts (shift_type > 0) or removes (0) one cell. */
int wfm_roster_cell_put(struct store *s, const char *day, int64_t person, int64_t shift_type,
			const char *skill, int64_t by, int64_t now);
/* Removes person's cells on [first, last] of published months; each removed
 * cell is given to fn (day, shift type id) before it goes. */
typedef int (*wfm_cell_fn)(void *ctx, const char *day, int64_t shift_type, const char *skill);
int wfm_roster_clear_leave(struct store *s, int64_t person, const char *first, const char *last,
			   wfm_cell_fn fn, void *ctx);
/* The active managers' and supervisors' ids (at most max); returns how many. */
int wfm_deciders(struct store *s, int64_t *out, int max);
/* A person's name and roles; ERR_NOTFOUND when there is no active person. */
int wfm_person(struct store *s, int64_t id, char name[WFM_NAME_MAX * 4 + 1], unsigned *roles);

/* The tick: notifies overdue paperwork of emergency leave once (WFM-4). */
int wfm_leave_tick(struct store *s, int64_t now, void *arg);

/* ---- HTTP (wfm_api.c) ---- */

extern const struct route wfm_routes[];
/* Leave, swaps and GET /api/me/roster (wfm_leave_api.c). */
extern const struct route wfm_leave_routes[];

#endif
