/*
 * perf — the center's people ledger (PERF-1..5, QA-5): the month's
 * evaluation of every agent, the rewards and penalties it and the
 * supervisors' records give, the grievance award, proposals, and the
 * manager's closing of the month (issue 19).
 *
 * The ledger is the one place money is written. Every reward or penalty
 * is a line of `perf_ledger` (migration 33): the person, the center's
 * month it counts in ("YYYY-MM" in the center's time zone), the rule
 * (praise PERF-1, proposal PERF-2, rank PERF-3, grievance PERF-4,
 * penalty PERF-5), a category, a signed amount in fen (rewards positive,
 * penalties negative) and what caused it (`source`, `source_id`). The
 * cause is unique: writing the same line twice leaves one, so the
 * evaluation, the absences' proposals and each workflow may run again
 * after a crash or on every tick without paying twice. A line is never
 * deleted; it is voided with a reason (an objection upheld, a computed
 * reward recomputed). Once the manager closes a month (`perf_month`) no
 * line of it is written or voided any more: ERR_CONFLICT.
 *
 * Modules above perf feed it through sources registered at start-up
 * (cli/serve.c), since perf cannot include them: late arrivals and
 * absences at training sessions and meetings, which become penalty
 * proposals (PERF-5), and each agent's training and exam results, which
 * count in the evaluation (TRN-3).
 */
#ifndef KEFU_PERF_PERF_H
#define KEFU_PERF_PERF_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* Rules (perf.c, no I/O). */

/* "YYYY-MM" of the center's month that holds ms (UTC milliseconds). */
void perf_month_of(int64_t ms, char out[8]);
/* 1 for a well-formed month "YYYY-MM" (2000-01 .. 2999-12), else 0. */
int perf_month_valid(const char *month);
/* The month's first and one-past-last instant, UTC milliseconds. */
void perf_month_range(const char *month, int64_t *from, int64_t *to);

/* The ledger (perf_ledger_store.c). */

#define PERF_REASON_MAX 500 /* bytes of a line's reason */

struct perf_line {
	int64_t id;
	int64_t person_id;
	char month[8];	    /* "YYYY-MM" the line counts in */
	char rule[16];	    /* praise, proposal, rank, grievance, penalty */
	char category[32];  /* the penalty's category, the reward's level; "" */
	int64_t amount_fen; /* signed: a reward positive, a penalty negative */
	char reason[PERF_REASON_MAX + 1];
	char source[24];    /* what caused it: "eval", "penalty", "grievance", ... */
	int64_t source_id;  /* with source, unique: the line is written once */
	int64_t created_by; /* 0: kefu itself */
	int64_t created_at;
	int64_t voided_at; /* 0 while it counts */
	int64_t voided_by;
	char void_reason[PERF_REASON_MAX + 1];
};

/*
 * Writes a line in the caller's transaction: 0 with *id set (the existing
 * line's id when one with the same source and source_id is there already:
 * nothing written), ERR_CONFLICT when the month is closed, ERR_INVALID for
 * a malformed month or rule.
 */
int perf_ledger_add(struct store *s, const struct perf_line *l, int64_t *id);
/*
 * Voids the line of (source, source_id) that still counts: 0, ERR_NOTFOUND
 * when none counts, ERR_CONFLICT when its month is closed.
 */
int perf_ledger_void(struct store *s, const char *source, int64_t source_id, int64_t by,
		     int64_t now, const char *reason);
/* The line of (source, source_id), voided or not: 0 or ERR_NOTFOUND. */
int perf_ledger_by_source(struct store *s, const char *source, int64_t source_id,
			  struct perf_line *out);
/* 1 when the month is closed, 0 when open (or never touched), or a negative err. */
int perf_month_closed(struct store *s, const char *month);

/* Sources above perf (perf_source.c), registered by cli/serve.c at start-up. */

/* A late arrival or an absence at a training session or a meeting (PERF-5). */
struct perf_absence {
	int64_t person_id;
	int64_t at; /* when the session or meeting began, UTC ms */
	int late;   /* 1 late, 0 absent */
	const char
		*source; /* "trn_attendance", "mtg_attendance": with source_id the proposal's key */
	int64_t source_id; /* the attendance record's id */
	const char *title; /* the session's or meeting's title, for the proposal's text */
};

/* One agent's training in a period, for the evaluation (TRN-3). */
struct perf_training {
	int64_t person_id;
	int sessions;	   /* sessions the agent was expected at */
	int attended;	   /* of those, attended (late counts as attended) */
	int exams;	   /* exams marked in the period */
	double exam_score; /* their mean, 0..100; 0 when exams is 0 */
};

typedef int perf_absence_fn(void *arg, const struct perf_absence *a);
typedef int perf_training_fn(void *arg, const struct perf_training *t);

struct perf_source {
	const char *name;
	/*
	 * Calls cb for every late or absent attendance RECORDED (marked) in
	 * [from, to), so that a walk with a cursor over the recording time
	 * misses none marked after the session. NULL when the source has none.
	 * Returns the count, or a negative err (also cb's, which ends the walk).
	 */
	int (*absences)(struct store *s, int64_t from, int64_t to, perf_absence_fn *cb, void *arg);
	/* Calls cb once per agent with training in [from, to) by session or exam time. */
	int (*training)(struct store *s, int64_t from, int64_t to, perf_training_fn *cb, void *arg);
};

/* Registers a source (kept by pointer, static storage; at most PERF_SOURCES_MAX). */
#define PERF_SOURCES_MAX 8
void perf_add_source(const struct perf_source *src);
/* The registered sources in order; *n set to their count. */
const struct perf_source *const *perf_sources(int *n);

#endif
