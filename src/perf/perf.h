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

#include "http/http.h" /* struct route, for the route tables */

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

/*
 * Cases (perf_case.c rules, perf_case_store.c SQL, perf_case_api.c HTTP,
 * perf_case_tick.c; migration 39): penalties (PERF-5), proposals (PERF-2)
 * and the grievance award (PERF-4), each a workflow of steps that only a
 * given role may take, a step not legal in the case's state ERR_CONFLICT.
 *
 * A penalty is recorded by a supervisor in one of the categories (data:
 * the rulebook's defaults, the manager edits them; "entered" ones take the
 * amount the supervisor enters: the loss a wrong note caused) with its
 * evidence and a reference to a call, contact or order, and written to the
 * ledger at once; the agent acknowledges or objects, and the manager
 * decides an objection: upheld voids the line (state cancelled), overruled
 * leaves it (confirmed). Absences that the registered sources report, and
 * late arrivals and absences from wfm's attendance, become proposals
 * (state proposed, unique by their cause) that a supervisor confirms
 * (ledger) or dismisses; perf_case_tick walks each source with a cursor
 * over the recording time. When a penalty starts to count and the agent's
 * counted penalties of its category within the window reach a threshold
 * (seed 000 第十一节三 and 第五节五: a verbal warning, then 劝离, then 开除),
 * an escalation is proposed to HR, who accepts or rejects it; nothing else
 * follows from it automatically.
 *
 * A proposal (合理化建议) is submitted by anyone, reviewed by a supervisor,
 * adopted by the manager with ¥10–100 (ledger rule "proposal") and marked
 * paid by HR; the supervisor or the manager may reject it at their step.
 * A grievance case (委屈奖) is submitted by a supervisor with evidence (a
 * call or a contact) and two witnesses, reviewed by the manager, verified
 * by HR (interview or recording), decided by the general office at level
 * 1/2/3 (¥500/300/200, ledger rule "grievance") and announced by the office
 * to the center (notify); each reviewer may reject it at their step.
 */

/* The steps' state machines: 0 with *next set, or ERR_CONFLICT. */
int perf_penalty_next(const char *state, const char *step, const char **next);
int perf_proposal_next(const char *state, const char *step, const char **next);
int perf_grievance_next(const char *state, const char *step, const char **next);
/* The grievance step whose role may reject a case in state ("review",
 * "verify", "decide"), or NULL when it can no longer be rejected. */
const char *perf_grievance_reject_step(const char *state);
/* 1 for a penalty state that counts (its ledger line stands). */
int perf_penalty_counts(const char *state);

struct perf_case_settings {
	int escalate_window_days;	      /* offences counted over this many days back */
	int warn_at, persuade_at, dismiss_at; /* the nth offence of a category */
	int64_t grievance_fen[3];	      /* levels 1, 2, 3 */
	int64_t proposal_min_fen, proposal_max_fen;
};
/* The escalation the nth counted offence of a category reaches ("warning",
 * "persuade", "dismiss"), or NULL when n is no threshold. */
const char *perf_escalation_level(const struct perf_case_settings *cs, int n);
/* 0 when the settings hold together, else what breaks first: the window
 * (1..366 days), the thresholds (rising from the 2nd offence, at most 100),
 * the grievance levels (level 1 above 2 above 3, positive), the proposal
 * amounts (a positive minimum no greater than the maximum). */
enum { PERF_BAD_WINDOW = 1, PERF_BAD_STEPS, PERF_BAD_LEVELS, PERF_BAD_PROPOSAL };
int perf_case_settings_check(const struct perf_case_settings *cs);
/* The amount of grievance level 1..3, or 0 for another level. */
int64_t perf_grievance_amount(const struct perf_case_settings *cs, int level);

#define PERF_TEXT_MAX 2000 /* characters of evidence, content, notes */
#define PERF_TITLE_MAX 100

struct perf_category {
	int64_t id;
	char code[32];
	char name[PERF_TITLE_MAX * 4 + 1];
	int64_t amount_fen; /* positive: deducted; 0 with entered */
	int entered;	    /* the amount is entered per penalty (a loss) */
	int active;
	int sort;
};

struct perf_penalty {
	int64_t id;
	int64_t person_id;
	char person_name[257];
	char person_work_no[33];
	int64_t category_id;
	char category_code[32];
	char category_name[PERF_TITLE_MAX * 4 + 1];
	int64_t amount_fen; /* positive: the ledger line is its negative */
	int64_t occurred_at;
	char evidence[PERF_TEXT_MAX * 4 + 1];
	char ref_kind[16]; /* "", call, contact, order */
	int64_t ref_id;
	char state[16];
	char source[24]; /* "": recorded by hand */
	int64_t source_id;
	int64_t created_by, created_at, recorded_by, recorded_at;
	char answer[PERF_TEXT_MAX * 4 + 1];
	int64_t answered_at, decided_by, decided_at;
	char decision_note[PERF_TEXT_MAX * 4 + 1];
};

struct perf_escalation {
	int64_t id, person_id, category_id, penalty_id;
	char person_name[257];
	char category_name[PERF_TITLE_MAX * 4 + 1];
	char level[16];
	int offences;
	char state[16];
	int64_t created_at, decided_by, decided_at;
	char decision_note[PERF_TEXT_MAX * 4 + 1];
};

struct perf_proposal {
	int64_t id, author_id;
	char author_name[257];
	char title[PERF_TITLE_MAX * 4 + 1];
	char content[PERF_TEXT_MAX * 4 + 1];
	char state[16];
	int64_t amount_fen, created_at;
	int64_t reviewed_by, reviewed_at;
	char review_note[PERF_TEXT_MAX * 4 + 1];
	int64_t adopted_by, adopted_at, paid_by, paid_at, rejected_by, rejected_at;
	char reject_note[PERF_TEXT_MAX * 4 + 1];
};

struct perf_grievance {
	int64_t id, person_id;
	char person_name[257];
	int64_t occurred_at;
	char summary[PERF_TEXT_MAX * 4 + 1];
	char evidence[PERF_TEXT_MAX * 4 + 1];
	char ref_kind[16]; /* call, contact */
	int64_t ref_id, witness1_id, witness2_id;
	char state[16];
	int64_t submitted_by, submitted_at, reviewed_by, reviewed_at;
	char review_note[PERF_TEXT_MAX * 4 + 1];
	int64_t verified_by, verified_at;
	char verify_method[16];
	char verify_note[PERF_TEXT_MAX * 4 + 1];
	int64_t decided_by, decided_at;
	int level;
	int64_t amount_fen;
	char decide_note[PERF_TEXT_MAX * 4 + 1];
	int64_t announced_by, announced_at, rejected_by, rejected_at;
	char rejected_step[16];
	char reject_note[PERF_TEXT_MAX * 4 + 1];
};

/* A list's filter: 0 / "" for any. */
struct perf_case_filter {
	int64_t person_id; /* the agent (the author of a proposal) */
	const char *state;
	int64_t cursor; /* ids below it, newest first */
	int limit;
};

/* What a list calls per row: row is the list's struct (perf_penalty, ...). */
typedef int perf_row_fn(void *ctx, const void *row);

int perf_case_settings_get(struct store *s, struct perf_case_settings *out);
int perf_case_settings_put(struct store *s, const struct perf_case_settings *cs, int64_t now);
typedef int perf_category_fn(void *ctx, const struct perf_category *c);
int perf_category_list(struct store *s, perf_category_fn *fn, void *ctx);
int perf_category_get(struct store *s, int64_t id, struct perf_category *out);
int perf_category_by_code(struct store *s, const char *code, struct perf_category *out);
/* Inserts (c->id 0; ERR_CONFLICT for a code in use) or updates c. */
int perf_category_put(struct store *s, struct perf_category *c, int64_t now);

int perf_penalty_list(struct store *s, const struct perf_case_filter *f, perf_row_fn *fn,
		      void *ctx);
int perf_penalty_get(struct store *s, int64_t id, struct perf_penalty *out);
/* Inserts p (id set); a proposal whose (source, source_id) is there already
 * is left alone: 0 with p->id 0. */
int perf_penalty_insert(struct store *s, struct perf_penalty *p);
/* Writes p's state and step columns, guarded by the state it was read in. */
int perf_penalty_update(struct store *s, const struct perf_penalty *p, const char *was);
/* Counted penalties of the person and category that occurred in [from, to]. */
int perf_penalty_count(struct store *s, int64_t person_id, int64_t category_id, int64_t from,
		       int64_t to);

int perf_escalation_list(struct store *s, const struct perf_case_filter *f, perf_row_fn *fn,
			 void *ctx);
int perf_escalation_get(struct store *s, int64_t id, struct perf_escalation *out);
int perf_escalation_insert(struct store *s, struct perf_escalation *e);
int perf_escalation_decide(struct store *s, const struct perf_escalation *e);

int perf_proposal_list(struct store *s, const struct perf_case_filter *f, perf_row_fn *fn,
		       void *ctx);
int perf_proposal_get(struct store *s, int64_t id, struct perf_proposal *out);
int perf_proposal_insert(struct store *s, struct perf_proposal *p);
int perf_proposal_update(struct store *s, const struct perf_proposal *p, const char *was);

int perf_grievance_list(struct store *s, const struct perf_case_filter *f, perf_row_fn *fn,
			void *ctx);
int perf_grievance_get(struct store *s, int64_t id, struct perf_grievance *out);
int perf_grievance_insert(struct store *s, struct perf_grievance *g);
int perf_grievance_update(struct store *s, const struct perf_grievance *g, const char *was);

/* 1 when the referenced call, contact or order exists, 0 when not. */
int perf_ref_exists(struct store *s, const char *kind, int64_t id);
/* The active person's name ("" when none): 0 or ERR_NOTFOUND. */
int perf_person_name(struct store *s, int64_t id, char *name, size_t size);
/* The ids of the active people holding any of roles, up to max; the count. */
int perf_people_with_roles(struct store *s, unsigned roles, int64_t *ids, int max);
/* A source's cursor (0: never walked) and its move. */
int perf_case_cursor_get(struct store *s, const char *source, int64_t *at);
int perf_case_cursor_set(struct store *s, const char *source, int64_t at);

/* The routes: /api/perf/penalties*, /api/perf/penalty-categories*,
 * /api/perf/escalations*, /api/perf/proposals*, /api/perf/grievances*,
 * /api/perf/case-settings (perf_case_api.c). */
extern const struct route perf_case_routes[];
/* Turns the sources' new absences into penalty proposals (sched, every minute). */
int perf_case_tick(struct store *s, int64_t now, void *arg);

#endif
