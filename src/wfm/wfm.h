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

/* ---- HTTP (wfm_api.c) ---- */

extern const struct route wfm_routes[];
/* Attendance (wfm_attend_api.c): /api/wfm/attendance*. */
extern const struct route wfm_attend_routes[];

#endif
