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

#include "http/http.h" /* struct route, for the route table */

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

/*
 * A supervisor's finding that proposes a penalty: an unannounced
 * inspection's (日常工作检查), its category the code of one of the penalty
 * categories (perf_penalty_category.code, PERF-5).
 */
struct perf_finding {
	int64_t person_id;
	int64_t at;	      /* when it was recorded, UTC ms */
	const char *category; /* the penalty category's code */
	const char *source;   /* "mtg_finding": with source_id the proposal's key */
	int64_t source_id;    /* the finding's id */
	const char *title;    /* what was found, for the proposal's evidence */
};

typedef int perf_absence_fn(void *arg, const struct perf_absence *a);
typedef int perf_training_fn(void *arg, const struct perf_training *t);
typedef int perf_finding_fn(void *arg, const struct perf_finding *f);

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
	/* Calls cb for every finding proposing a penalty RECORDED in [from, to); NULL when none. */
	int (*findings)(struct store *s, int64_t from, int64_t to, perf_finding_fn *cb, void *arg);
};

/* Registers a source (kept by pointer, static storage; at most PERF_SOURCES_MAX). */
#define PERF_SOURCES_MAX 8
void perf_add_source(const struct perf_source *src);
/* The registered sources in order; *n set to their count. */
const struct perf_source *const *perf_sources(int *n);

/* ==== The month's evaluation and its rewards (perfeval: perf_eval.c,
 * perf_eval_store.c, perf_month_api.c, perf_xlsx.c; migration 39) ====
 *
 * Praise and criticism of an agent are records of their own (perf_praise):
 * from a contact, a survey or a callback (with its id), or entered by a
 * supervisor, each counting in the month of its time. The month's
 * evaluation scores every active agent on six dimensions from kefu's own
 * figures, each 0..100 or absent when the month has nothing to measure it
 * by: praise and criticism; quality (the automatic checks' mean score and
 * the supervisors' reviews, read through qa/); satisfaction (the survey
 * and the reached callbacks, the figures qa/ reads through report/);
 * attendance (wfm/'s month sheet: late, early, absent days); efficiency
 * (contacts handled against the busiest agent, and the handling time —
 * talk plus after-call work per answered call — against the center's);
 * training (the registered sources' sessions attended and exam scores,
 * TRN-3). The total is the weighted mean of the dimensions present, with
 * weights as data (perf_setting), rounded to two decimals; ranking is by
 * total, equal totals sharing a rank (1, 1, 3). Rewards, as data with the
 * PERF-1 and PERF-3 amounts as defaults: praise tiers (10 → ¥10, 30 → ¥30,
 * 50 or more → ¥50, PERF-1); ranks 1, 2, 3 at or above the threshold
 * ¥100/50/30 and the last rank below the threshold −¥50 (PERF-3). Each
 * computed reward is a row of perf_reward written to the ledger with
 * source "eval" and its id; recomputing voids the month's current rewards
 * and writes new ones, and the manager may change an amount (a new row,
 * the old line voided) until the month is closed.
 */

struct json_t;
struct export_book;

enum perf_dim {
	PERF_DIM_PRAISE,
	PERF_DIM_QUALITY,
	PERF_DIM_SATISFACTION,
	PERF_DIM_ATTENDANCE,
	PERF_DIM_EFFICIENCY,
	PERF_DIM_TRAINING,
	PERF_DIMS
};
/* "praise", "quality", "satisfaction", "attendance", "efficiency", "training". */
const char *perf_dim_name(int dim);

#define PERF_TIERS 3 /* praise tiers (PERF-1) and rewarded ranks (PERF-3) */

/* The evaluation's settings (perf_setting): weights 0..100, the threshold
 * 0..100, the tiers' praise counts (increasing) and every amount in fen. */
struct perf_settings {
	int weight[PERF_DIMS];
	int threshold;
	int praise_count[PERF_TIERS];
	int64_t praise_fen[PERF_TIERS];
	int64_t rank_fen[PERF_TIERS];
	int64_t last_fen; /* negative: a penalty */
};
/* The defaults: PERF-1's and PERF-3's amounts, threshold 60. */
void perf_settings_default(struct perf_settings *s);
/* 0, or the name of the first field out of range ("weight.quality", ...). */
const char *perf_settings_bad(const struct perf_settings *s);

/* One agent's month as kefu's data shows it (perf_eval_figures). */
struct perf_figures {
	int64_t person_id;
	char work_no[33];
	char name[257];
	int praise, criticism;
	int64_t qa_checks, qa_score_sum;      /* the automatic checks */
	int64_t reviews, review_sum;	      /* the supervisors' closed reviews */
	int64_t rated, rating_sum;	      /* the survey, 1..5 */
	int64_t cb_accepted, cb_not_accepted; /* reached callbacks */
	int days_scheduled, late_days, early_days, absent_days;
	int64_t contacts;		/* contacts handled (every channel) */
	int64_t calls, talk_ms, acw_ms; /* answered calls, their talk, after-call work */
	int64_t convs;			/* conversations resolved */
	int sessions, attended, exams;	/* training (TRN-3) */
	double exam_score;
};

/* The figures as JSON, as stored and as the API shows them (perf_eval_store.c). */
struct json_t *perf_figures_json(const struct perf_figures *f);

/* One agent's evaluation and computed rewards. */
struct perf_score {
	double dim[PERF_DIMS];
	int has[PERF_DIMS];
	double total;	 /* rounded to 0.01 */
	int rank;	 /* 1.. with ties sharing a rank */
	int last;	 /* holds the last rank */
	int praise_tier; /* -1: none, else 0..PERF_TIERS-1 */
	int64_t praise_fen, rank_fen;
};

/* The PERF-1 reward of a month's praise count: fen, *tier -1 or the tier. */
int64_t perf_praise_reward(const struct perf_settings *s, int praise, int *tier);
/*
 * Scores, ranks and rewards n agents of one month (no I/O): out[i] for
 * f[i]. The efficiency is measured against the month's busiest agent and
 * the center's handling time, so it needs every agent at once.
 */
void perf_eval_month(const struct perf_settings *s, const struct perf_figures *f, size_t n,
		     struct perf_score *out);

/* Store (perf_eval_store.c). */

#define PERF_NOTE_MAX 500 /* characters of a praise's note or a change's reason */

struct perf_praise {
	int64_t id, person_id;
	char kind[12];	 /* praise, criticism */
	char origin[12]; /* contact, survey, callback, supervisor */
	int64_t ref_id;	 /* the contact's, call's or callback attempt's id; 0 */
	char note[PERF_NOTE_MAX * 4 + 1];
	int64_t at;
	char month[8];
	int64_t created_by, created_at, voided_at, voided_by;
	char person_name[257], work_no[33];
};
int perf_praise_add(struct store *s, struct perf_praise *p);
/* 1 when ref_id names what origin says of the person: a contact the person
 * handled (contact, survey: the rated contact) or a callback attempt (the
 * center's callback reaching the customer); 0 when not; a negative err. */
int perf_praise_ref_ok(struct store *s, const char *origin, int64_t ref_id, int64_t person_id);
int perf_praise_get(struct store *s, int64_t id, struct perf_praise *out);
int perf_praise_void(struct store *s, int64_t id, int64_t by, int64_t now);
/* The month's records (person_id 0: everyone's), newest first. */
int perf_praise_list(struct store *s, const char *month, int64_t person_id,
		     int (*fn)(void *ctx, const struct perf_praise *p), void *ctx);

int perf_settings_get(struct store *s, struct perf_settings *out);
int perf_settings_put(struct store *s, const struct perf_settings *in);

/*
 * Every active agent's figures of the month as they stand at now (*out,
 * *n; free(*out)), by id: attendance through wfm's month sheet (away_max_min
 * is CALL-15's limit, the config's busy_max_min), quality and satisfaction
 * through qa's agents' rows, training through the registered sources.
 */
int perf_eval_figures(struct store *s, const char *month, int64_t now, int away_max_min,
		      struct perf_figures **out, size_t *n);

/* The month's state: open or closed, when it was last computed (0: never). */
struct perf_month_info {
	char month[8];
	char state[8];
	int64_t computed_at, computed_by, closed_at, closed_by;
};
int perf_month_get(struct store *s, const char *month, struct perf_month_info *out);
/* Computes the month and writes its evaluation and rewards (one transaction
 * is the caller's): ERR_CONFLICT when closed. */
int perf_eval_compute(struct store *s, const char *month, int away_max_min, int64_t by,
		      int64_t now);
/* Closes the month: ERR_CONFLICT when closed already or never computed. */
int perf_month_close(struct store *s, const char *month, int64_t by, int64_t now);

/* A stored evaluation row with its current rewards. */
struct perf_eval_row {
	struct perf_figures f;
	struct perf_score sc;
	int64_t praise_id, rank_id;   /* the current rewards' ids (0: none) */
	int64_t praise_fen, rank_fen; /* their amounts now (edited or computed) */
	int edited;
};
int perf_eval_rows(struct store *s, const char *month, int64_t person_id,
		   int (*fn)(void *ctx, const struct perf_eval_row *r), void *ctx);

/* A computed reward (perf_reward). */
struct perf_reward {
	int64_t id, person_id;
	char month[8];
	char rule[16];	   /* praise, rank */
	char category[32]; /* the tier or the rank: "10", "rank1", "last" */
	int64_t amount_fen, computed_fen;
	int64_t edited_by, created_at, replaced_at;
	char reason[PERF_REASON_MAX + 1]; /* the ledger line's */
};
int perf_reward_get(struct store *s, int64_t id, struct perf_reward *out);
/* Replaces the current reward id by one of amount (the old line voided, a
 * new one written unless amount is 0): *new_id. ERR_CONFLICT when closed or
 * replaced already. */
int perf_reward_edit(struct store *s, int64_t id, int64_t amount_fen, const char *reason,
		     int64_t by, int64_t now, int64_t *new_id);

/* The ledger's lines of a month (person_id 0: everyone's), by person, id. */
int perf_ledger_list(struct store *s, const char *month, int64_t person_id,
		     int (*fn)(void *ctx, const struct perf_line *l, const char *work_no,
			       const char *name),
		     void *ctx);

/* The payout sheet (perf_xlsx.c): one row per person, their lines summed by rule. */
struct perf_payout {
	int64_t person_id;
	char work_no[33];
	char name[257];
	int64_t by_rule[5]; /* praise, proposal, rank, grievance, penalty */
	int64_t total;
};
int perf_payout_xlsx(const struct perf_payout *rows, size_t n, const char *month,
		     const char *made_by, const char *made_on, int english,
		     struct export_book **out);
/* The same sheet in the center's registry (perf_month_api.c; issue 20). */
struct export_form;
extern const struct export_form perf_payout_form;

/* HTTP (perf_month_api.c). */
extern const struct route perf_routes[];
/*
 * Cases (perf_case.c rules, perf_case_store.c SQL, perf_case_api.c HTTP,
 * perf_case_tick.c; migration 40): penalties (PERF-5), proposals (PERF-2)
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
