/*
 * mtg — the center's meetings, the agents' work logs and the supervisors'
 * inspections (issue 19: MTG-1, LED-1; seed 000 第十节 会议制度 and
 * 第六节 日常工作检查制度, seed 002 §4.5 客服日志, seed 001's daily routine).
 *
 * Meetings (MTG-1). Six types: the daily meeting (每日例会, the routine
 * one), the weekly summary (every Monday), the monthly summary (before the
 * 5th), the weekly coordination and the hygiene meeting, and the monthly
 * training review. The recurring ones come from schedules (`mtg_schedule`,
 * the center's settings as data: a type, a frequency, the weekday or day
 * of the month, the time and length); the tick `mtg_tick` makes each
 * schedule's meetings two days ahead, once per (schedule, start). Others
 * are created by a supervisor or the manager. Every meeting but a routine
 * one must be created at least a day ahead, and the same tick sends its
 * notice (notify) to each attendee a day before it begins, once
 * (`notified_at`). A supervisor or the manager marks attendance — present,
 * late or absent, with the time it was marked — once the meeting has
 * begun; a marking after the meeting ended is audited as after the fact.
 * Minutes close the meeting (held); action items carry an owner and a due
 * date and are tracked until the owner (or a supervisor) marks them done;
 * the tick reminds the owner once when one falls due, and the overdue list
 * shows the rest.
 *
 * Late and absent attendances feed the people ledger: `mtg_perf_source`
 * (registered by cli/serve.c with perf_add_source) gives them by the time
 * they were marked, so perf turns them into PERF-5 penalty proposals.
 *
 * Work logs (LED-1: entered by agents, kept by the supervisor). Each
 * person writes their own daily log (today's or yesterday's) and monthly
 * summary (this month's or last month's); every write is audited. A
 * supervisor or the manager reads anyone's, comments on them (agents read
 * their own and the comments on them, and comment on nothing), and sees
 * who has no daily log for a day.
 *
 * Inspections (日常工作检查, seed 000): a supervisor's unannounced round,
 * recorded with its findings per agent on the seed's five items
 * (appearance, duty, service, hygiene, records); a finding may propose a
 * PERF-5 penalty in one of the ledger's penalty categories (perf's data, by
 * code), and `mtg_findings` gives those proposals by the time they were
 * recorded: the perf source's `findings`, which perf's tick turns into
 * penalty proposals for a supervisor to confirm.
 *
 * Files: rules `mtg.c` (no I/O), SQL `mtg_store.c` (migration 37), the
 * tick `mtg_tick.c`, HTTP `mtg_api.c` (the routes under /api/mtg). mtg sits above perf
 * and notify.
 */
#ifndef KEFU_MTG_MTG_H
#define KEFU_MTG_MTG_H

#include <stddef.h>
#include <stdint.h>

#include "http/http.h"
#include "perf/perf.h"

struct store;

/* Rules (mtg.c). */

enum mtg_type {
	MTG_DAILY,	     /* 每日例会: routine, no notice */
	MTG_WEEKLY_SUMMARY,  /* 每周总结会: Mondays */
	MTG_MONTHLY_SUMMARY, /* 每月总结会: before the 5th */
	MTG_COORDINATION,    /* 协调会议: weekly */
	MTG_HYGIENE,	     /* 卫生会议: weekly */
	MTG_TRAINING_REVIEW, /* 培训考核会议: monthly */
	MTG_TYPE_COUNT
};

/* The type of a name ("daily", "weekly_summary", ...), or -1. */
int mtg_type_parse(const char *name);
const char *mtg_type_name(int type);
/* 1 for the routine meeting (no notice, may be called on the day). */
int mtg_type_routine(int type);

#define MTG_DAY_MS 86400000LL
/* How far ahead the tick makes the schedules' meetings. */
#define MTG_HORIZON_MS (2 * MTG_DAY_MS)

struct mtg_schedule {
	int64_t id;
	int type;
	char title[301];
	char freq[8];	  /* daily, weekly, monthly */
	int weekday;	  /* weekly: 1 Monday .. 7 Sunday; else 0 */
	int monthday;	  /* monthly: 1..28; else 0 */
	int minute;	  /* local time of day, 0..1439 */
	int duration_min; /* 5..480 */
	char location[301];
	int64_t host_id;
	int active;
};

/*
 * 0, or ERR_UNPROCESSABLE with *why (an English template from the
 * catalogue): the daily meeting is daily, the weekly summary weekly on
 * Monday, the monthly summary monthly on the 1st..4th; a weekly one names a
 * weekday, a monthly one a day 1..28.
 */
int mtg_schedule_check(const struct mtg_schedule *sc, const char **why);
/* Calls fn with each start of sc's meetings in [from, to), in order; 0 or fn's error. */
int mtg_schedule_starts(const struct mtg_schedule *sc, int64_t from, int64_t to,
			int (*fn)(void *arg, int64_t starts_at), void *arg);
/*
 * Whether a meeting of type may be called for starts_at: not in the past,
 * a day ahead unless routine (the notice, MTG-1), the weekly summary on a
 * Monday, the monthly summary before the 5th. 0 or ERR_UNPROCESSABLE, *why.
 */
int mtg_meeting_check(int type, int64_t starts_at, int64_t now, const char **why);
/* 1 when the meeting's notice is due now: not routine, not sent, within a day of its start. */
int mtg_notice_due(int type, int64_t starts_at, int64_t notified_at, int64_t now);

enum mtg_attend { MTG_EXPECTED, MTG_PRESENT, MTG_LATE, MTG_ABSENT };
/* "present", "late", "absent" (what may be marked), or -1. */
int mtg_attend_parse(const char *name);
const char *mtg_attend_name(int status);
/*
 * May attendance be marked now: the meeting is not cancelled and has
 * begun. 0 with *after_the_fact 1 when the meeting has already ended, or
 * ERR_CONFLICT with *why.
 */
int mtg_mark_check(const char *state, int64_t starts_at, int64_t ends_at, int64_t now,
		   int *after_the_fact, const char **why);

/* Work logs: kind "day" (period YYYY-MM-DD) or "month" (YYYY-MM). */
/*
 * May the author write this log now: a day log for today or yesterday, a
 * month summary for this month or the last (local dates). 0, ERR_INVALID
 * (malformed kind or period) or ERR_UNPROCESSABLE, with *why.
 */
int mtg_log_period_check(const char *kind, const char *period, int64_t now, const char **why);
/* "YYYY-MM-DD" of the local day holding ms; out needs 11 bytes. */
void mtg_day_text(int64_t ms, char *out, size_t size);

/* Inspections: the seed's items (a finding's penalty category is perf's data). */
int mtg_item_valid(const char *item);

/* Storage (mtg_store.c). Every write in the caller's transaction. */

#define MTG_TEXT_MAX 300  /* characters of a title, a location, an area */
#define MTG_BODY_MAX 4000 /* characters of minutes, a log, notes */

struct mtg_meeting {
	int64_t id;
	int type;
	char title[MTG_TEXT_MAX * 4 + 1];
	int64_t starts_at, ends_at;
	char location[MTG_TEXT_MAX * 4 + 1];
	char agenda[MTG_BODY_MAX * 4 + 1];
	int64_t host_id;
	char host_name[257];
	char state[12]; /* scheduled, held, cancelled */
	char minutes[MTG_BODY_MAX * 4 + 1];
	int64_t schedule_id;
	int64_t notified_at;
	int64_t created_by;
	int64_t created_at, updated_at;
};

struct mtg_attendee {
	int64_t id;
	int64_t meeting_id;
	int64_t person_id;
	char name[257];
	char work_no[33];
	int status;
	int64_t marked_at;
	int64_t marked_by;
};

struct mtg_action {
	int64_t id;
	int64_t meeting_id;
	char meeting_title[MTG_TEXT_MAX * 4 + 1];
	char title[MTG_TEXT_MAX * 4 + 1];
	int64_t owner_id;
	char owner_name[257];
	int64_t due_at;
	char state[8]; /* open, done */
	int64_t done_at, done_by;
	char note[MTG_TEXT_MAX * 4 + 1];
	int64_t reminded_at;
	int64_t created_at;
};

struct mtg_meeting_filter {
	int64_t from, to;  /* starts_at in [from, to); 0: unbounded */
	int type;	   /* -1: any */
	int64_t person_id; /* only meetings this person attends or hosts; 0: all */
};

/* 1 when id names an active person, 0 when not, or a negative err. */
int mtg_person_active(struct store *s, int64_t id);

int mtg_schedules(struct store *s, int (*fn)(void *arg, const struct mtg_schedule *sc), void *arg);
int mtg_schedule_get(struct store *s, int64_t id, struct mtg_schedule *out);
int mtg_schedule_save(struct store *s, struct mtg_schedule *sc, int64_t now);

/* Inserts m (id set); attendees NULL/0: every active agent. */
int mtg_meeting_insert(struct store *s, struct mtg_meeting *m, const int64_t *attendees,
		       int n_attendees);
/* The meeting of (schedule, start) once: 1 when made now, 0 when it was there. */
int mtg_meeting_ensure(struct store *s, const struct mtg_schedule *sc, int64_t starts_at,
		       int64_t now);
int mtg_meeting_get(struct store *s, int64_t id, struct mtg_meeting *out);
int mtg_meetings(struct store *s, const struct mtg_meeting_filter *f,
		 int (*fn)(void *arg, const struct mtg_meeting *m), void *arg);
int mtg_meeting_set_state(struct store *s, int64_t id, const char *state, int64_t now);
int mtg_meeting_set_minutes(struct store *s, int64_t id, const char *minutes, int64_t now);
int mtg_meeting_notified(struct store *s, int64_t id, int64_t now);
/* Meetings not routine, not notified, not cancelled, starting in (now, now + a day]. */
int mtg_meetings_to_notify(struct store *s, int64_t now,
			   int (*fn)(void *arg, const struct mtg_meeting *m), void *arg);

int mtg_attendees(struct store *s, int64_t meeting_id,
		  int (*fn)(void *arg, const struct mtg_attendee *a), void *arg);
int mtg_attendee_get(struct store *s, int64_t meeting_id, int64_t person_id,
		     struct mtg_attendee *out);
int mtg_attendee_mark(struct store *s, int64_t id, int status, int64_t by, int64_t now);
/* 1 when person attends or hosts the meeting, else 0. */
int mtg_attends(struct store *s, int64_t meeting_id, int64_t person_id);

int mtg_action_insert(struct store *s, struct mtg_action *a);
int mtg_action_get(struct store *s, int64_t id, struct mtg_action *out);
int mtg_action_done(struct store *s, int64_t id, int64_t by, const char *note, int64_t now);
int mtg_action_reminded(struct store *s, int64_t id, int64_t now);
struct mtg_action_filter {
	int64_t meeting_id; /* 0: any */
	int64_t owner_id;   /* 0: anyone's */
	const char *state;  /* "open", "done", NULL: both */
	int64_t due_before; /* only due_at < this; 0: any (the overdue list: now) */
	int unreminded;	    /* only those not reminded yet */
};
int mtg_actions(struct store *s, const struct mtg_action_filter *f,
		int (*fn)(void *arg, const struct mtg_action *a), void *arg);

struct mtg_log {
	int64_t id;
	int64_t person_id;
	char name[257];
	char work_no[33];
	char kind[8];
	char period[11];
	char body[MTG_BODY_MAX * 4 + 1];
	int comments;
	int64_t created_at, updated_at;
};
struct mtg_comment {
	int64_t id;
	int64_t log_id;
	int64_t author_id;
	char author_name[257];
	char body[MTG_BODY_MAX * 4 + 1];
	int64_t created_at;
};
struct mtg_log_filter {
	int64_t person_id;     /* 0: everyone's */
	const char *kind;      /* NULL: both */
	const char *from, *to; /* periods, inclusive, compared as text; NULL: unbounded */
};
/* Writes the author's log of (kind, period), l->id set; *created 1 when new. */
int mtg_log_put(struct store *s, struct mtg_log *l, int64_t now, int *created);
int mtg_log_get(struct store *s, int64_t id, struct mtg_log *out);
int mtg_logs(struct store *s, const struct mtg_log_filter *f,
	     int (*fn)(void *arg, const struct mtg_log *l), void *arg);
int mtg_comment_insert(struct store *s, struct mtg_comment *c);
int mtg_comments(struct store *s, int64_t log_id, int (*fn)(void *arg, const struct mtg_comment *c),
		 void *arg);
/* Active agents without a day log for day ("YYYY-MM-DD"): fn(person id, name, work number). */
int mtg_logs_missing(struct store *s, const char *day,
		     int (*fn)(void *arg, int64_t id, const char *name, const char *work_no),
		     void *arg);

struct mtg_inspection {
	int64_t id;
	int64_t inspector_id;
	char inspector_name[257];
	int64_t at;
	char area[MTG_TEXT_MAX * 4 + 1];
	char notes[MTG_BODY_MAX * 4 + 1];
	int findings;
	int64_t created_at;
};
struct mtg_finding {
	int64_t id;
	int64_t inspection_id;
	int64_t person_id;
	char name[257];
	char item[16];
	char note[MTG_TEXT_MAX * 4 + 1];
	char category[16]; /* the proposed PERF-5 category, or "" */
	int64_t recorded_at;
	int64_t inspector_id; /* the inspection's, for the proposal */
};
int mtg_inspection_insert(struct store *s, struct mtg_inspection *in);
int mtg_inspection_get(struct store *s, int64_t id, struct mtg_inspection *out);
int mtg_inspections(struct store *s, int64_t from, int64_t to,
		    int (*fn)(void *arg, const struct mtg_inspection *in), void *arg);
int mtg_finding_insert(struct store *s, struct mtg_finding *f);
int mtg_inspection_findings(struct store *s, int64_t inspection_id,
			    int (*fn)(void *arg, const struct mtg_finding *f), void *arg);

/*
 * The findings that propose a penalty (category set), recorded in
 * [from, to), in recording order: fn for each (strings valid during the
 * call). Returns the count, or a negative err (also fn's, which ends the
 * walk). Perf's penalty proposals read this (wired at start-up), so a
 * cursor over the recording time misses none.
 */
typedef int mtg_finding_fn(void *arg, const struct mtg_finding *f);
int mtg_findings(struct store *s, int64_t from, int64_t to, mtg_finding_fn *fn, void *arg);

/* The late and absent attendances for perf (absences; no training). */
extern const struct perf_source mtg_perf_source;

/* The tick (mtg_tick.c): schedules' meetings, notices, due action items' reminders. */
int mtg_tick(struct store *s, int64_t now, void *arg);

/* The routes (mtg_api.c). */
extern const struct route mtg_routes[];

#endif
