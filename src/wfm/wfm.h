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
 * rostering). The roster is exported as the center's paper form
 * 客服中心排班表 in .xlsx (wfm_sheet*.c, below) through src/export/.
 *
 * Layers: core, store, http, export. No tick yet: reminders and deadlines arrive
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

/* ---- HTTP (wfm_api.c) ---- */

extern const struct route wfm_routes[];

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

extern const struct route wfm_sheet_routes[];

#endif
