/*
 * wfm — shifts (排班), workforce management: the shift types, the staffing
 * arithmetic (Erlang C and Erlang A) and the forecast of contacts.
 *
 * These three pieces are the foundation the rest of shift planning builds
 * on. The duty roster's rules and kefu's proposal (WFM-3, ORG-2, ORG-4 and
 * the labour law) are pure functions over a month's plan (wfm_roster.c,
 * described at their section below); so are attendance (WFM-5, below),
 * and leave and swaps with the agents' own month (WFM-3, WFM-4, their
 * section below: who may take which step when, the roster's cells they
 * change, the re-check with the roster rules, notifications, the paperwork
 * tick); the roster's store, engine and HTTP are described below. The
 * handover log (WFM-6, WFM-7) is
 * src/handover/, above this module: it reads the shift types and the
 * handover's settings here.
 *
 * Attendance (wfm_attend*.c): each agent's local day against the shift the
 * roster gives them (a published month's: a draft is nobody's schedule yet),
 * computed from the agents' status log (agent_state_log,
 * written by src/acd/, read with wfm's own SQL): late, left early, missing
 * and absent (more than absent_after_min, a setting), approved leave and
 * emergency leave whose paperwork is overdue (absence, WFM-4), the
 * supervisor's excuses (wfm_attend_excuse, migration 18; audited),
 * overtime, adherence and conformance, busy and break minutes and the
 * spells away that reach the CALL-15 limit. Nothing is stored but the
 * excuses: every figure is recomputed from the rows when asked, so a late
 * correction of the roster or the log shows at once. The month's sheet per
 * agent feeds rewards and penalties; it is also the center's 考勤表 in
 * .xlsx. GET /api/wfm/attendance (a day), /api/wfm/attendance/month and
 * its /export, POST and DELETE /api/wfm/attendance/excuses.
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
 * rostering). Migration 16 adds the pinned flag of a cell set by hand (the
 * proposal keeps it), the deadline's notices and the approvals of working
 * outside one's shift.
 *
 * The roster at work (wfm_roster_store.c SQL, wfm_roster_api.c HTTP,
 * wfm_roster_engine.c the tick and the ready check). Each request loads the
 * month whole: the people it plans (active agents, and the manager and
 * supervisors on 行政班, with skills and certification), the shift types,
 * the cells with the week before the month, approved leave and the
 * forecast (wfm_forecast_build, the same figures as /api/wfm/forecast);
 * turns it into the rules' plan, with the need per half hour in all and
 * per seat (the agents to schedule for the settings' service level, with
 * shrinkage; in all at least one whenever the hotline is open, WFM-1's
 * 24-hour duty, read from ivr's hours); and answers with the grid, the need, the coverage and every
 * broken rule, so the page shows each as it happens. A draft is edited by
 * supervisors and the manager; a cell set by hand is pinned. Edits name
 * the grid they saw (wfm_roster.updated_at): a stale one is 409. The
 * proposal replaces the cells that are not pinned. Publication (WFM-2)
 * refuses hard violations (422, each listed) and asks a reason for soft
 * ones; it files the grid as an immutable version and tells everyone
 * rostered. After it (WFM-3) the roster changes only by the manager, with a
 * reason, and by approved swaps and leave; each change is audited and the
 * result filed as a new version (wfm_roster_refile for swaps and leave).
 * The deadline (WFM-2): wfm_roster_tick sends the planners a reminder a
 * day from publish_remind_days before settings.publish_day while next
 * month is unpublished, and one alert once it has passed. Working outside
 * one's shift (WFM-3): acd asks wfm_ready_check through its ready hook
 * (registered in cli/serve.c) before an agent sets ready; with a published
 * roster for the month an agent outside their shift (from
 * arrive_before_min before its start to its end) is refused (409) unless
 * an approval covers the moment: asked by the agent and granted by a
 * supervisor or the manager, or granted by them directly.
 * The roster is also exported as the center's paper form 客服中心排班表 in
 * .xlsx (wfm_sheet*.c, below) through src/export/.
 *
 * Layers: core, store, audit, auth (the roles' bits), http, notify, export.
 * Two ticks: wfm_roster_tick (the publication deadline) and wfm_leave_tick
 * (the overdue paperwork of emergency leave).
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

/* ---- Attendance (wfm_attend.c, WFM-5, WFM-4, CALL-15) ---- */

/*
 * What an agent status means for attendance. logged_out is out; ready,
 * ringing, talking and wrap_up are on the phones (the state a shift
 * schedules: taking calls, or the after-call work that belongs to them);
 * busy (示忙) and break (小休) are away from the seat, one CALL-15
 * allowance for both.
 */
enum wfm_att_state { WFM_ATT_OUT, WFM_ATT_PHONE, WFM_ATT_BUSY, WFM_ATT_BREAK };
/* The attendance state of an agent status name; unknown names are out. */
int wfm_att_state_of(const char *status);

struct wfm_span {
	int64_t from, to; /* [from, to) in UTC ms */
};

/* One row of the status log: from at on, the agent is in state. */
struct wfm_status_change {
	int64_t at;
	int state; /* enum wfm_att_state */
};

/* Leave on the day (WFM-4): none, approved (the day is excused), or an
 * emergency leave whose paperwork is overdue (it counts as absence). */
enum wfm_att_leave_state { WFM_LEAVE_NONE, WFM_LEAVE_EXCUSED, WFM_LEAVE_UNEXCUSED };
/*
 * The state of an approved leave at now: excused, unless it is an emergency
 * leave whose paperwork (0: none yet) was due (0: nothing due) at or before
 * now and has not come (WFM-4: it then counts as absence).
 */
int wfm_attend_leave_state(int emergency, int64_t paperwork_due, int64_t paperwork_at, int64_t now);

/* One agent's local day, as wfm_attend_day() reads it. */
struct wfm_attend_in {
	/* The shift's scheduled intervals, in order; none on a rest day. */
	struct wfm_span sched[WFM_SEGMENTS_MAX];
	int nsched;
	/* The time that belongs to the day: the local day, to the end of a shift
	 * that runs past midnight; overtime is looked for here. */
	struct wfm_span frame;
	/* Time in the frame that is no overtime of this day: the part of the day
	 * before's shift that runs into it, the arrive-before window of the next
	 * day's shift. */
	struct wfm_span other[4];
	int nother;
	int initial; /* the state before the first change of chg */
	/* The status changes in time order; those before the frame set its first state. */
	const struct wfm_status_change *chg;
	size_t nchg;
	int64_t now; /* nothing after now is counted: an ongoing day is computed up to now */
	int absent_after_min;  /* WFM-5: missing more than this is absence */
	int arrive_before_min; /* WFM-6: logged in this long before a segment is no overtime */
	int away_max_min;      /* CALL-15: a spell away this long or longer is over the limit */
	int break_allow_min;   /* the shift type's break minutes */
	int leave;	       /* enum wfm_att_leave_state */
	int excused;	       /* a supervisor excused the day (WFM-5) */
};

/* The day's figures; times in ms. */
struct wfm_attend_day {
	int64_t scheduled;   /* the shift's length */
	int64_t elapsed;     /* the scheduled time up to now */
	int64_t first_in;    /* first instant logged in, in the frame; 0: never */
	int64_t last_out;    /* last logout in the frame after first_in; 0: none or still in */
	int64_t late;	     /* per segment: from its start to the first login in it */
	int64_t early;	     /* per ended segment: from the last logout in it to its end */
	int64_t missing;     /* scheduled time (up to now) not logged in */
	int64_t worked;	     /* logged-in time inside the scheduled time */
	int64_t overtime;    /* logged-in time in the frame outside it (beyond the allowances) */
	int64_t phone;	     /* inside the scheduled time: on the phones */
	int64_t busy, brk;   /* inside the scheduled time: busy, on a break */
	int64_t adherent;    /* phone + break up to the shift's break allowance */
	int64_t away_longest; /* the longest spell away (busy and break together) in the frame */
	int away_over;	      /* spells away of away_max_min or longer (CALL-15) */
	int is_late, is_early, is_absent; /* the day's marks (an absent day is not also late) */
	int on_leave;			  /* approved leave: nothing counts against the agent */
	int excused;			  /* a mark that the supervisor excused */
	int ongoing;			  /* now is before the shift's end */
	double adherence;   /* adherent / elapsed; -1 when nothing has been scheduled yet */
	double conformance; /* (worked + overtime) / elapsed; -1 likewise */
};

/*
 * The scheduled intervals of shift t on the local day that begins at
 * day_start, the next day beginning at next_start (the center's time zone
 * decides both; a crossing segment runs on into the next day). Returns how
 * many (t->nseg).
 */
int wfm_attend_sched(const struct wfm_shift_type *t, int64_t day_start, int64_t next_start,
		     struct wfm_span out[WFM_SEGMENTS_MAX]);
/* The figures of one agent's day (WFM-5); see the rules in wfm_attend.c. */
void wfm_attend_day(const struct wfm_attend_in *in, struct wfm_attend_day *out);

#define WFM_LEAVE_KINDS 4 /* annual, sick, personal, compensatory */
/* The index of a leave kind, or -1. */
int wfm_leave_kind(const char *name);
extern const char *const wfm_leave_kinds[WFM_LEAVE_KINDS];

/* A month's attendance sheet of one agent (it feeds rewards and penalties). */
struct wfm_attend_sheet {
	int days_scheduled, days_worked;
	int late_days, early_days, absent_days, excused_days;
	int leave_days[WFM_LEAVE_KINDS];
	int64_t late, early, overtime; /* ms */
	int64_t scheduled, elapsed, adherent, worked;
};
/* Adds a day: d its figures (NULL when no shift and no time logged), leave_kind
 * the kind of approved leave that day or -1. */
void wfm_attend_sheet_add(struct wfm_attend_sheet *s, const struct wfm_attend_day *d,
			  int leave_kind);

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

/* ---- The forecast of a month, from the store (wfm_forecast.c) ---- */

struct wfm_forecast_day {
	int kind;   /* 0..6 Monday..Sunday, WFM_HOLIDAY */
	int makeup; /* a make-up working day: the weekday it keeps (1..7); else 0 */
	double contacts[WFM_INTERVALS]; /* the override where there is one, else computed */
	double computed[WFM_INTERVALS];
	int override[WFM_INTERVALS];
	int required[WFM_INTERVALS];  /* agents on the phones (Erlang C) */
	int scheduled[WFM_INTERVALS]; /* with shrinkage */
};

struct wfm_forecast {
	struct wfm_settings settings;
	int year, month, ndays;
	int64_t month0;		 /* the month's first local day, days since the epoch */
	int64_t hist0, hist_end; /* the history's days [hist0, hist_end) */
	int hist_days;
	int have[WFM_KINDS];	       /* history days of each kind */
	double aht;		       /* seconds */
	const char *aht_source;	       /* "parameter", "call_log" or "setting" */
	struct wfm_forecast_day *days; /* [ndays], freed by wfm_forecast_free */
};

/*
 * The month's forecast for queue (NULL: every queue): the profile of the
 * history, the overrides, the handling time (aht_param > 0, else the call
 * log's, else the setting) and each half hour's agents for the settings'
 * target and shrinkage. ERR_UNPROCESSABLE (field month) for a month more
 * than a year ahead or one that needs more agents than kefu plans.
 */
int wfm_forecast_build(struct store *s, const char *queue, int year, int month, int aht_param,
		       int64_t now, struct wfm_forecast *out, struct err_info *ei);
void wfm_forecast_free(struct wfm_forecast *f);
/* A local day (days since the epoch) as "YYYY-MM-DD" (11 bytes). */
void wfm_date_text(int64_t day, char *out, size_t size);
/* The center's local day of the instant now, days since the epoch. */
int64_t wfm_today(int64_t now);

/* ---- The roster's storage (wfm_roster_store.c) ---- */

#define WFM_SKILL_MAX 32   /* bytes of a skill code */
#define WFM_SKILLS_MAX 8   /* skills of one person */
#define WFM_REASON_MAX 200 /* characters of a reason */
#define WFM_REASON_SIZE (WFM_REASON_MAX * 4 + 1)
#define WFM_PERSON_NAME_SIZE (64 * 4 + 1) /* a person's name (org: 64 characters) */

/* A month's roster: its state and the last version filed. */
struct wfm_roster {
	char month[8]; /* YYYY-MM */
	int exists;    /* a row: someone has planned this month */
	int published;
	int version; /* versions filed; 0 before the first publication */
	int64_t published_at, published_by;
	int64_t updated_at; /* the grid's last change: the stale-edit check */
};

/* One cell of the grid: a person's shift on a local day (no row: rest). */
struct wfm_roster_entry {
	char day[11]; /* YYYY-MM-DD */
	int64_t person_id;
	int64_t shift_type_id;
	char skill[WFM_SKILL_MAX + 1]; /* the seat covered that day; "" any of theirs */
	int pinned;		       /* set by hand: a proposal keeps it */
	int64_t updated_at;
};

/* Who is rostered: active people with the agent role, and the manager and
 * supervisors (on 行政班), with their skills and certification (ORG-4). */
struct wfm_roster_person {
	int64_t id;
	char work_no[33];
	char name[WFM_PERSON_NAME_SIZE];
	unsigned roles;
	int certified;
	int nskills;
	char skills[WFM_SKILLS_MAX][WFM_SKILL_MAX + 1];
};

/* One approved leave, whole local days [first_day, last_day]. */
struct wfm_leave_span {
	int64_t id;
	int64_t person_id;
	char kind[16];
	char first_day[11], last_day[11];
};

/* One filed version of a month (the 排班表 history). */
struct wfm_roster_version {
	int64_t id;
	char month[8];
	int version;
	int64_t filed_at, filed_by;
	char filed_by_name[WFM_PERSON_NAME_SIZE];
	char reason[WFM_REASON_SIZE];
	int cells;
};

typedef int (*wfm_roster_entry_fn)(void *ctx, const struct wfm_roster_entry *c);
typedef int (*wfm_roster_person_fn)(void *ctx, const struct wfm_roster_person *p);
typedef int (*wfm_leave_span_fn)(void *ctx, const struct wfm_leave_span *l);
typedef int (*wfm_roster_version_fn)(void *ctx, const struct wfm_roster_version *v);

/* The month's roster; a month nobody planned yet is a draft of version 0 (exists 0). */
int wfm_roster_get(struct store *s, const char *month, struct wfm_roster *out);
/* Writes the month's row (inserted the first time). */
int wfm_roster_save(struct store *s, const struct wfm_roster *r);
/* The month's cells, by day and person. */
int wfm_roster_cells(struct store *s, const char *month, wfm_roster_entry_fn fn, void *ctx);
/* Every cell on the local days [from, to] (a month and the week before it). */
int wfm_roster_entries_between(struct store *s, const char *from, const char *to,
			       wfm_roster_entry_fn fn, void *ctx);
/* The queue that takes a skill's calls (ORG-2: one per skill); "" when none. */
int wfm_skill_queue(struct store *s, const char *skill, char *out, size_t size);
/* One person's cells on the local days [from, to]. */
int wfm_roster_person_cells(struct store *s, int64_t person_id, const char *from, const char *to,
			    wfm_roster_entry_fn fn, void *ctx);
/* Sets one cell (shift_type_id 0: rest, the row removed), by by at now. */
int wfm_roster_entry_put(struct store *s, const struct wfm_roster_entry *c, int64_t by,
			 int64_t now);
/* Removes the month's cells that are not pinned; *removed says how many. */
int wfm_roster_clear_unpinned(struct store *s, const char *month, int *removed);
/* The people a roster plans (see struct wfm_roster_person), by work number. */
int wfm_roster_people(struct store *s, wfm_roster_person_fn fn, void *ctx);
/* One of them; ERR_NOTFOUND when the person is not rostered. */
int wfm_roster_person_get(struct store *s, int64_t id, struct wfm_roster_person *out);
/* Approved leave overlapping the local days [from, to]. */
int wfm_leave_approved(struct store *s, const char *from, const char *to, wfm_leave_span_fn fn,
		       void *ctx);
/* Files the month's grid as version `version` (immutable); *id is the version's id. */
int wfm_roster_version_file(struct store *s, const char *month, int version, int64_t by,
			    const char *reason, int64_t now, int64_t *id);
/*
 * A published month's grid changed by an approved swap or leave: raises its
 * version (and updated_at, so an open grid's edit is stale) and files the
 * new state as that version with the reason. Returns 1 when filed, 0 when
 * the month is not published (a draft has no versions).
 */
int wfm_roster_refile(struct store *s, const char *month, int64_t by, const char *reason,
		      int64_t now);
/* The month's filed versions, newest first. */
int wfm_roster_versions(struct store *s, const char *month, wfm_roster_version_fn fn, void *ctx);
int wfm_roster_version_get(struct store *s, const char *month, int version,
			   struct wfm_roster_version *out);
/* A filed version's cells, by day and person. */
int wfm_roster_version_cells(struct store *s, int64_t version_id, wfm_roster_entry_fn fn,
			     void *ctx);
/*
 * Notes that the deadline's notice kind ("reminder" or "alert") of month
 * went out on local day: 1 when this call noted it, 0 when it was noted
 * already (the tick sends nothing twice).
 */
int wfm_roster_notice_mark(struct store *s, const char *month, const char *kind, const char *day,
			   int64_t now);
/* Active managers and supervisors (who plan and hear of the deadline), at most max ids. */
int wfm_roster_planners(struct store *s, int64_t *out, int max);
/* The people with a shift in the month's grid, at most max ids. */
int wfm_roster_staff(struct store *s, const char *month, int64_t *out, int max);

/* ---- Working outside one's shift (WFM-3; wfm_roster_store.c) ---- */

struct wfm_outside {
	int64_t id;
	int64_t person_id;
	int64_t from_at, to_at; /* the span approved or asked for, UTC ms */
	char reason[WFM_REASON_SIZE];
	char state[12]; /* requested, approved, rejected */
	int64_t requested_by, requested_at;
	int64_t decided_by, decided_at;
	char note[WFM_REASON_SIZE];
};

typedef int (*wfm_outside_fn)(void *ctx, const struct wfm_outside *o);
/* Inserts o (id filled). */
int wfm_outside_add(struct store *s, struct wfm_outside *o);
int wfm_outside_get(struct store *s, int64_t id, struct wfm_outside *out);
/* Decides a request still asked: ERR_CONFLICT when it no longer is. */
int wfm_outside_decide(struct store *s, struct wfm_outside *o);
/* person_id 0: everyone's; state NULL: every state; newest first, at most limit. */
int wfm_outside_list(struct store *s, int64_t person_id, const char *state, int limit,
		     wfm_outside_fn fn, void *ctx);
/* 1 when an approval of the person's covers the instant at, else 0. */
int wfm_outside_approved_at(struct store *s, int64_t person_id, int64_t at);

/*
 * Whether a person may set ready at now (WFM-3), the check acd calls
 * through its hook (registered in cli/serve.c): 0 when they may; ERR_CONFLICT
 * with ei set when the month of the center's day has a published roster,
 * the person is an agent (not a manager or supervisor, who work office
 * hours and are reachable round the clock) and neither a rostered shift
 * (from settings.arrive_before_min before its start to its end) nor an
 * approval of working outside it covers now.
 */
int wfm_ready_check(struct store *s, int64_t person_id, int64_t now, struct err_info *ei);

/*
 * The publication deadline (WFM-2), the scheduler's tick: while next
 * month's roster is unpublished, once per local day from publish_remind_days
 * before settings.publish_day of this month a reminder to every planner,
 * and once, from publish_day on, an alert that the deadline was missed.
 * Each notice is noted (wfm_roster_notice) so nothing is sent twice; every
 * notice audited by "system". Returns how many notices it sent.
 */
int wfm_roster_tick(struct store *s, int64_t now);

/* ---- Attendance storage (wfm_attend_store.c) ---- */

struct wfm_att_person {
	int64_t id;
	char work_no[33];
	char name[257];
};
typedef int (*wfm_att_person_fn)(void *ctx, const struct wfm_att_person *p);
/*
 * The people with something to show in the local days [from, to] (their
 * instants [t0, t1)): a roster entry, approved leave, an excuse, a status
 * change, or a seat still logged in when the time began; by work number.
 * person_id 0 for everyone. Returns how many.
 */
int wfm_att_people(struct store *s, int64_t person_id, const char *from, const char *to,
		   int64_t t0, int64_t t1, wfm_att_person_fn fn, void *ctx);
int wfm_att_person_get(struct store *s, int64_t id, struct wfm_att_person *out);

/* A roster entry of the person: the shift type of a local day. */
struct wfm_att_entry {
	char day[11];
	int64_t shift_type_id;
};
typedef int (*wfm_att_entry_fn)(void *ctx, const struct wfm_att_entry *e);
int wfm_att_roster(struct store *s, int64_t person_id, const char *from, const char *to,
		   wfm_att_entry_fn fn, void *ctx);

/* Approved leave of the person over [from, to] (WFM-4). */
struct wfm_att_leave {
	int64_t id;
	int kind; /* index in wfm_leave_kinds */
	char first_day[11], last_day[11];
	int emergency;
	int64_t paperwork_due, paperwork_at; /* 0: none */
};
typedef int (*wfm_att_leave_fn)(void *ctx, const struct wfm_att_leave *l);
int wfm_att_leaves(struct store *s, int64_t person_id, const char *from, const char *to,
		   wfm_att_leave_fn fn, void *ctx);

/* The person's status log in [t0, t1), in order; *initial is the state at t0. */
typedef int (*wfm_att_change_fn)(void *ctx, const struct wfm_status_change *c);
int wfm_att_log(struct store *s, int64_t person_id, int64_t t0, int64_t t1, int *initial,
		wfm_att_change_fn fn, void *ctx);

/* A supervisor's excuse of an agent's day (WFM-5). */
#define WFM_EXCUSE_REASON_MAX 200 /* characters */
struct wfm_excuse {
	int64_t id;
	int64_t person_id;
	char day[11];
	char reason[WFM_EXCUSE_REASON_MAX * 4 + 1];
	int64_t by_id;
	char by_work_no[33];
	char by_name[257];
	int64_t created_at;
};
typedef int (*wfm_excuse_fn)(void *ctx, const struct wfm_excuse *e);
/* The excuses of [from, to] (person_id 0: everyone's), by day. */
int wfm_excuse_list(struct store *s, int64_t person_id, const char *from, const char *to,
		    wfm_excuse_fn fn, void *ctx);
int wfm_excuse_get(struct store *s, int64_t id, struct wfm_excuse *out);
/* Adds e (id filled); ERR_CONFLICT when the day has its excuse already. */
int wfm_excuse_add(struct store *s, struct wfm_excuse *e);
/* ERR_NOTFOUND when there is no such excuse. */
int wfm_excuse_delete(struct store *s, int64_t id);

/*
 * The figures of every agent's local days [d0, d0 + n) (days since the
 * epoch, the center's dates; n at most 31) at now, as the attendance sheet
 * computes them, with the supervisors' excuses: fn is called per person and
 * day that has a shift, leave or time logged (wfm_attend_api.c). away_max_min
 * is CALL-15's limit of a spell away. 0 or a negative err (also fn's).
 */
typedef int (*wfm_attend_walk_fn)(void *ctx, const struct wfm_att_person *p, const char *day,
				  const struct wfm_attend_day *f);
int wfm_attend_walk(struct store *s, int64_t now, int away_max_min, int64_t d0, int n,
		    wfm_attend_walk_fn fn, void *ctx);

/* ---- The duty roster: rules and proposal (wfm_roster.c) ---- */

/*
 * A month's roster as plain data, checked against the labour rules and the
 * rulebook, and proposed by kefu. No I/O: the store reads the month into a
 * struct wfm_roster_plan, these functions look at it or fill it in, the
 * store writes it back.
 *
 * The plan. One calendar month (ndays days, the weekday of each, which are
 * holidays and which are make-up working days, 调休, from the hotline
 * calendar), the shift types (WFM-1; cells point at them by index), the
 * agents and the settings. Each agent has a person id, the seats they hold
 * as a bit set over wfm_skill_codes (ORG-2), whether they are certified for
 * duty (ORG-4) and whether they are office staff who work 行政班 (manager,
 * supervisor; WFM-1). The grid is a cell per agent and day: a shift type
 * index or WFM_REST, the seat covered that day (-1: any of theirs), and
 * flags: WFM_CELL_LEAVE (approved leave, table wfm_leave) and
 * WFM_CELL_PINNED (the supervisor's cell, which the proposal keeps). Each
 * agent also carries the last WFM_TAIL_DAYS days of the previous month, so
 * the rules that look back (rest in a week, rest between shifts, the
 * continuous period, a crossing shift spilling into the 1st) work across
 * the month's edge; an unknown tail is rest.
 *
 * The requirement, need[], is agents per day × half hour × slot (WFM_COV):
 * slot 0 the total on the phones, slot 1 + k the seat wfm_skill_codes[k];
 * 0 means no requirement. The roster API computes it from the forecast with
 * wfm_erlang_c_staff. Coverage counts an agent in an interval when their
 * shift covers the interval's first minute (breaks are not placed), in the
 * total once, and in the seat of the cell — or, for a cell without a seat,
 * in every seat the agent holds (the queues they can answer). Office shift
 * types (行政班) count nowhere: office hours are not phone duty.
 *
 * The rules (wfm_roster_check). Hard ones stop publication; soft ones need
 * the supervisor's reason.
 *  hard WFM_R_DAY_MAX     more than max_day_min paid minutes on a local day
 *                         (labour law, 8 h). A shift's paid minutes are
 *                         shared between the local days it works in, in
 *                         proportion to its minutes in each: a 跨夜班 counts
 *                         partly on the next day, a 天地班's two segments
 *                         on the same day.
 *  hard WFM_R_LEAVE       a shift on a day of approved leave.
 *  hard WFM_R_CERTIFIED   a shift other than 行政班 for an agent not certified
 *                         for duty (ORG-4).
 *  hard WFM_R_SKILL       a seat the agent does not hold (ORG-2).
 *  hard WFM_R_INACTIVE    a shift type that is deactivated (the tail may keep
 *                         one: it is the past).
 *  hard WFM_R_REST_WEEK   fewer than min_rest_days_week days off in a calendar
 *                         week, Monday to Sunday. A day off has no minute of
 *                         work in it (a 夜班 spilling in from the day before
 *                         makes it a working day); leave counts as off. The
 *                         first week reaches back into the tail. The last
 *                         week, when it runs on into the next month, is
 *                         flagged only when its days in this month already
 *                         leave too few for the rest days (a 跨夜班 on the
 *                         last day makes the next 1st a worked day): the
 *                         next month's check sees the week whole.
 *  hard WFM_R_WEEK_AVG    average paid minutes a week over the month above
 *                         max_week_min (44 h): the month's paid minutes (each
 *                         shift on the day it starts) × 7 / ndays.
 *  hard WFM_R_REST_BETWEEN less than WFM_REST_BETWEEN_MIN between the end of
 *                         one shift and the start of the next; this is the
 *                         general form of "no 夜班 followed by 早班 without
 *                         rest". 8 hours: it also forbids 中班 straight into
 *                         夜班, yet keeps 中班 (to 24:00) then 早班 (from
 *                         08:00), a three-shift center's ordinary sequence.
 *  hard WFM_R_OVERLAP     two shifts of an agent overlap (a crossing shift
 *                         and the next day's).
 *  soft WFM_R_CONTINUOUS  a block of one shift type held fewer than
 *                         min_continuous_days calendar days (WFM-3). A block
 *                         is a run of the same type over the agent's worked
 *                         days; its days run from its first day to the day
 *                         before the next block starts, so the rest days
 *                         between count for it; a block begun in the tail
 *                         counts from there, except the tail's first block,
 *                         which may have begun before it and is not judged;
 *                         nor is the month's last block (the next month
 *                         continues it).
 *  soft WFM_R_FAIR_NIGHT, WFM_R_FAIR_WEEKEND, WFM_R_FAIR_HOLIDAY: an agent
 *                         with more night shifts (any minute worked before
 *                         WFM_NIGHT_END_MIN), weekend shifts (Saturday and
 *                         Sunday that are not make-up working days) or
 *                         holiday shifts than their fair share plus a
 *                         tolerance. The fair share is the total among the
 *                         certified non-office agents in proportion to the
 *                         days each is not on leave, rounded up to whole
 *                         shifts (a mean of 5.9 is a fair 6). The
 *                         tolerance is 1 for weekends and holidays, and
 *                         for nights one block
 *                         (min_continuous_days): nights come in blocks, so a
 *                         month cannot share them more finely.
 *  soft WFM_R_COVERAGE    fewer agents than need[] in an interval: one
 *                         violation per day and slot.
 *
 * The proposal (wfm_roster_propose; the steps in detail in wfm_roster.c).
 * Cells that are not pinned are cleared; leave stays rest. Office staff
 * get 行政班 on each working day. The certified agents are planned
 * calendar week by calendar week: each works W shifts a week (max_week_min
 * over the longest shift's paid minutes, 5 with 44 h and 8 h shifts, less
 * leave, pinned shifts and the tail's days of that week, pro rata in the
 * last partial week) of one shift type, a block too young to end running
 * on until min_continuous_days have passed (WFM-3). The week is filled
 * greedily: of all open (agent, type) pairs the one whose best days cover
 * most of what is still short wins and is placed at once, the coverage
 * updated incrementally; seats go where they are short; a night costs the
 * agent the nights they already have, so nights go round. A day is placed
 * only if every hard rule still holds. What is still short then gets a
 * shift moved from a day of the same week that does not need it, or an
 * extra one within the month's average. Last, nights, weekends and
 * holidays above the fair share are handed to agents below it by
 * exchanges that leave the coverage as it was. Ties go to the lower person
 * id, then the lower type index: the same plan always gives the same grid.
 * Cost: about (agents × weeks × classes of alike agents × types); 200
 * agents take some 20 ms of CPU (docs/performance.md).
 */

/* The seats (ORG-2); bit k of an agent's skills is wfm_skill_codes[k]. */
#define WFM_SKILL_COUNT 4
extern const char *const wfm_skill_codes[WFM_SKILL_COUNT];
/* The index of a skill code, -1 for none. */
int wfm_skill_index(const char *code);

#define WFM_ROSTER_DAYS_MAX 31
#define WFM_TAIL_DAYS 7		    /* days of the previous month carried per agent */
#define WFM_REST (-1)		    /* a cell without a shift */
#define WFM_REST_BETWEEN_MIN 480    /* minutes off between two shifts, at least */
#define WFM_NIGHT_END_MIN 360	    /* a shift working before 06:00 is a night shift */
#define WFM_CELL_LEAVE 1	    /* approved leave that day */
#define WFM_CELL_PINNED 2	    /* the supervisor's cell: the proposal keeps it */
#define WFM_COV_SLOTS (1 + WFM_SKILL_COUNT) /* total, then each seat */
/* The index of (day, interval, slot) in need[] and the coverage arrays. */
#define WFM_COV(day, interval, slot)                                                           \
	(((size_t)(day) * WFM_INTERVALS + (size_t)(interval)) * WFM_COV_SLOTS + (size_t)(slot))

struct wfm_roster_cell {
	short shift;	     /* index into plan->types, or WFM_REST */
	signed char skill;   /* the seat covered (wfm_skill_codes index), -1 any of theirs */
	unsigned char flags; /* WFM_CELL_LEAVE | WFM_CELL_PINNED */
};

struct wfm_roster_agent {
	int64_t person_id;
	unsigned skills; /* bit k: holds wfm_skill_codes[k] (ORG-2) */
	int certified;	 /* passed the qualification exam, confirmed (ORG-4) */
	int office;	 /* works 行政班 on working days (manager, supervisor) */
	/* tail[WFM_TAIL_DAYS - 1] is the previous month's last day. */
	struct wfm_roster_cell tail[WFM_TAIL_DAYS];
	struct wfm_roster_cell day[WFM_ROSTER_DAYS_MAX]; /* day[0] is the 1st */
};

struct wfm_roster_plan {
	int year, month, ndays;
	int weekday[WFM_ROSTER_DAYS_MAX];	     /* 1..7, Monday 1 */
	unsigned char holiday[WFM_ROSTER_DAYS_MAX]; /* the hotline is closed: a holiday */
	unsigned char makeup[WFM_ROSTER_DAYS_MAX];  /* a make-up working day (调休) */
	const struct wfm_shift_type *types;
	size_t ntypes;
	struct wfm_roster_agent *agents;
	size_t nagents;
	const int *need; /* ndays × WFM_INTERVALS × WFM_COV_SLOTS, or NULL */
	struct wfm_settings settings;
};

/*
 * Sets up p for a month: ndays and the weekdays, no holidays, no types,
 * agents or requirement, the default settings. ERR_INVALID for a bad month.
 */
int wfm_roster_plan_init(struct wfm_roster_plan *p, int year, int month);
/* 1 when day (0-based) is a working day: Monday to Friday and not a
 * holiday, or a make-up working day. */
int wfm_roster_workday(const struct wfm_roster_plan *p, int day);
/* 1 when day is a weekend day: Saturday or Sunday, not a make-up day. */
int wfm_roster_weekend(const struct wfm_roster_plan *p, int day);
/* 1 when shift type t is a night shift (works before WFM_NIGHT_END_MIN). */
int wfm_shift_is_night(const struct wfm_shift_type *t);

enum wfm_rule {
	WFM_R_DAY_MAX = 1,   /* n: paid minutes that day, max_day_min */
	WFM_R_LEAVE,	     /* n: shift type index */
	WFM_R_CERTIFIED,     /* n: shift type index */
	WFM_R_SKILL,	     /* n: the seat (skill index) */
	WFM_R_INACTIVE,	     /* n: shift type index */
	WFM_R_REST_WEEK,     /* day: the week's first day in the month; n: days off, needed */
	WFM_R_WEEK_AVG,	     /* day -1; n: average paid minutes a week, max_week_min */
	WFM_R_REST_BETWEEN,  /* day: the later shift's; n: minutes off, WFM_REST_BETWEEN_MIN,
				the earlier shift's day (may be negative: the tail) */
	WFM_R_OVERLAP,	     /* day: the later shift's; n: minutes overlapping, the earlier day */
	WFM_R_CONTINUOUS,    /* day: the block's first day (negative: in the tail);
				n: days held, min_continuous_days, shift type index */
	WFM_R_FAIR_NIGHT,    /* day -1; n: count, fair share (rounded up), tolerance:
				broken when count > share + tolerance */
	WFM_R_FAIR_WEEKEND,  /* the same */
	WFM_R_FAIR_HOLIDAY,  /* the same */
	WFM_R_COVERAGE,	     /* agent -1; n: slot, first interval short, intervals short,
				the largest shortfall */
	WFM_R_COUNT
};

struct wfm_violation {
	int rule;	   /* enum wfm_rule */
	int hard;	   /* 1: blocks publication; 0: needs a reason */
	int agent;	   /* index into plan->agents, -1 for none */
	int64_t person_id; /* that agent's, 0 for none */
	int day;	   /* 0-based day of the month, -1 for the whole month */
	int n[4];	   /* the numbers for the message, per rule above */
};

/* A stable name of a rule for the API ("day_max", "rest_week", ...), and
 * whether it is hard. */
const char *wfm_rule_name(int rule);
int wfm_rule_hard(int rule);

/*
 * Every broken rule of the plan's grid, hard ones first, then in the order
 * of agents and days: up to cap written to out (out may be NULL with cap
 * 0); returns how many there are in all (more than cap when cut), or
 * ERR_INVALID when a cell points outside types or skills, ERR_NOMEM.
 */
int wfm_roster_check(const struct wfm_roster_plan *p, struct wfm_violation *out, size_t cap);

/*
 * Agents on duty per day × interval × slot (on, indexed by WFM_COV) and the
 * shortfall against need (short_, 0 where met or no requirement); either
 * may be NULL. Each array holds ndays × WFM_INTERVALS × WFM_COV_SLOTS ints.
 * ERR_INVALID as wfm_roster_check.
 */
int wfm_roster_coverage(const struct wfm_roster_plan *p, int *on, int *short_);

/*
 * Fills the month's cells of every agent that are not pinned: shifts,
 * seats (when need[] asks per seat) and rest; leave days are rest.
 * Deterministic: the same plan gives the same grid. Returns 0, ERR_INVALID
 * as wfm_roster_check, or ERR_NOMEM.
 */
int wfm_roster_propose(struct wfm_roster_plan *p);

/* ---- The attendance sheet as a spreadsheet (wfm_attend_xlsx.c) ---- */

struct export_book;

/* One agent's line of the month's sheet. */
struct wfm_attend_line {
	struct wfm_att_person p;
	struct wfm_attend_sheet s;
};
/*
 * The month's sheet of every agent with something in it (or one agent,
 * person_id > 0) computed at now, as /api/wfm/attendance/month shows it;
 * away_max_min is CALL-15's limit (the config's busy_max_min). *out, *n;
 * the caller frees *out. Performance reads it for the month's evaluation.
 */
int wfm_attend_month(struct store *s, int64_t now, int away_max_min, int year, int mon,
		     int64_t person_id, struct wfm_attend_line **out, size_t *n);
/*
 * The month's attendance as the center's paper form 考勤表 (in English when
 * english): a row per agent in the order given, a totals row (合计), who
 * made it and when (made_on: YYYY-MM-DD), A4 landscape with the 制表人 and
 * 审核 lines in the footer. The caller frees *out (export_book_free).
 * ERR_NOMEM, or the export module's error.
 */
int wfm_attend_xlsx(const struct wfm_attend_line *lines, size_t n, int year, int month,
		    const char *center, const char *made_by, const char *made_on, int english,
		    struct export_book **out);

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

/*
 * One cell a swap writes: person's shift on day becomes shift_type with
 * skill (0: rest). wfm_swap_changes gives a swap's cells (2 or 4): a cover
 * moves A's shift to B; an exchange on one day swaps the two shift types;
 * an exchange across days moves A's shift to B and B's to A.
 */
struct wfm_cell_change {
	const char *day;
	int64_t person_id;
	int64_t shift_type_id;
	const char *skill;
};
int wfm_swap_changes(const struct wfm_swap *w, struct wfm_cell_change out[4]);
/* Sets agent's cell of day (0-based in the plan's month; −1..−7 the tail) to
 * type index shift (−1 rest) and seat skill (−1 any); days outside are ignored. */
void wfm_plan_set(struct wfm_roster_plan *p, size_t agent, int64_t day, int shift, int skill);
/* Flags agent's cell of day as approved leave. */
void wfm_plan_leave(struct wfm_roster_plan *p, size_t agent, int64_t day);

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

/*
 * The plan of a month (wfm_roster_plan) for the n agents persons: the
 * calendar, every shift type (into types, at most maxtypes), the settings,
 * each agent's seats, certification and office, their cells of the month
 * and its 7-day tail from wfm_roster_entry, their approved leave.
 */
int wfm_plan_load(struct store *s, int year, int month, const int64_t *persons, size_t n,
		  struct wfm_shift_type *types, size_t maxtypes, struct wfm_roster_agent *agents,
		  struct wfm_roster_plan *p);
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
/* One of a person's roster cells with its shift type, for their own month. */
struct wfm_cell {
	char day[11];
	int64_t shift_type_id;
	char skill[33];
	char code[WFM_CODE_MAX + 1];
	char name[WFM_NAME_MAX * 4 + 1];
	char colour[8];
};
typedef int (*wfm_cell_row_fn)(void *ctx, const struct wfm_cell *c);
/* Person's cells on days [first, last], in day order. */
int wfm_person_cells(struct store *s, int64_t person, const char *first, const char *last,
		     wfm_cell_row_fn fn, void *ctx);
/* The active managers' and supervisors' ids (at most max); returns how many. */
int wfm_deciders(struct store *s, int64_t *out, int max);
/* A person's name and roles; ERR_NOTFOUND when there is no active person. */
int wfm_person(struct store *s, int64_t id, char name[WFM_NAME_MAX * 4 + 1], unsigned *roles);

/* The tick: notifies overdue paperwork of emergency leave once (WFM-4). */
int wfm_leave_tick(struct store *s, int64_t now, void *arg);

/* ---- HTTP (wfm_api.c) ---- */

extern const struct route wfm_routes[];
/* The roster's routes (wfm_roster_api.c): /api/wfm/roster/... and /api/wfm/outside-work/.... */
extern const struct route wfm_roster_routes[];
/* Attendance (wfm_attend_api.c): /api/wfm/attendance*. */
extern const struct route wfm_attend_routes[];

/* Leave, swaps and GET /api/me/roster (wfm_leave_api.c). */
extern const struct route wfm_leave_routes[];

/* ---- The roster as a spreadsheet (wfm_sheet.c, wfm_sheet_store.c, wfm_sheet_api.c) ----
 *
 * GET /api/wfm/roster/{month}/export answers the month's roster as .xlsx in
 * the center's paper layout (客服中心排班表): a row of dates and weekdays
 * with holidays marked, one row per agent (工号, 姓名, skills, each day's
 * shift in its type's colour, 休 for a rest day, the kind of an approved
 * leave, then the agent's shifts, paid hours, nights and weekend days), a
 * count per shift type per day, the totals row, and the 制表 / 审核 /
 * 发布日期 lines with the published version or 草稿. Supervisors and the
 * manager (ACT_WFM_EXPORT); every export is audited (wfm.roster.export).
 * The store reads the contract tables of migration 15 with its own SQL; the
 * layout is built through src/export/ (no I/O here).
 */

struct export_book;

#define WFM_SHEET_REST (-1)	      /* a day without a shift */
#define WFM_SHEET_LEAVE(k) (-2 - (k)) /* approved leave of kind k (wfm_sheet_leave_kind) */
#define WFM_SHEET_IS_LEAVE(v) ((v) <= -2)
#define WFM_SHEET_LEAVE_KIND(v) (-2 - (v))

/* The kinds of leave, in the order of wfm_leave's CHECK (migration 15). */
#define WFM_SHEET_LEAVE_KINDS 4
/* "annual", "sick", "personal", "compensatory" → 0..3, or -1. */
int wfm_sheet_leave_kind(const char *code);

struct wfm_sheet_agent {
	int64_t id;
	char work_no[33];
	char name[257];
	char skills[256]; /* the names of the person's skills, joined by 、 */
};

struct wfm_roster_sheet {
	int year, month, ndays;
	int published;	      /* the roster's state is published */
	int version;	      /* the last version filed, 0 for none */
	int64_t published_at; /* 0 for none */
	char publisher[257];  /* who published it; the exporter's name for a draft */
	struct wfm_shift_type *types;
	size_t ntypes;
	struct wfm_sheet_agent *agents; /* by work number */
	size_t nagents;
	int *grid; /* nagents × ndays: a type's index in types, WFM_SHEET_REST or _LEAVE(k) */
	unsigned char holiday[31]; /* the hotline calendar's closed days */
	unsigned char makeup[31];  /* its make-up working days (调休) */
};

/* What one agent's row adds up to. */
struct wfm_sheet_totals {
	int shifts;
	int paid_min;
	int nights;   /* shifts of a night type (wfm_sheet_is_night) */
	int weekends; /* shifts on a Saturday or Sunday of the calendar */
	int leave;    /* days of approved leave */
};

/* 1 when t is a night shift: it runs past midnight or starts before 06:00. */
int wfm_sheet_is_night(const struct wfm_shift_type *t);
void wfm_sheet_agent_totals(const struct wfm_roster_sheet *s, size_t agent,
			    struct wfm_sheet_totals *out);
/*
 * The workbook of the roster sheet: title "<center>排班表 2026年12月" (in
 * English when english), published at in the center's time zone. ERR_NOMEM,
 * or the export module's error. The caller frees *out (export_book_free).
 */
int wfm_sheet_build(const struct wfm_roster_sheet *s, const char *center, int english,
		    struct export_book **out);

/* Loads the month's roster sheet (ERR_NOTFOUND when the month has no
 * roster); exporter names the person asking, for a draft's 制表 line. */
int wfm_sheet_load(struct store *st, int year, int month, const char *exporter,
		   struct wfm_roster_sheet *out);
void wfm_sheet_free(struct wfm_roster_sheet *s);

/* wfm's forms in the center's registry (wfm_forms.c; LED-2, issue 20):
 * 客服中心排班表 and 考勤表 of the month of the period's first day, and
 * 调班申请单, the swap requests whose days meet the period. */
struct export_form;
extern const struct export_form wfm_roster_form, wfm_attend_form, wfm_swap_form;

extern const struct route wfm_sheet_routes[];

#endif
