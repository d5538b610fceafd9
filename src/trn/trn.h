/*
 * trn — training and exams (issue 19; TRN-1..3, ORG-4, LED-2 培训计划表).
 *
 * Training. Courses are data (`trn_course`, migration 41); the three-day
 * pre-job programme of seed 000 §岗前培训 (组织架构及职能 … 实操演习, with
 * the trainer and department the programme names) is seeded as courses
 * with pre_job set and their day 1..3 (TRN-1). A course's materials are
 * links to knowledge-base articles (src/kb), so the text lives once. Each
 * month has a training plan (培训计划表, LED-2): its lines are a course on a
 * day with a trainer, hours and the audience; it is due before the 28th of
 * the month before (TRN-3), and the tick `trn_tick` tells the supervisors
 * and the manager from the 25th until it is submitted, once when it falls
 * due and once when it is late. The plan is a page and an .xlsx through
 * src/export. Sessions are a course held at a time with a trainer and the
 * people expected; attendance is marked present, late or absent with the
 * time it was marked. Late and absent marks feed the people ledger's
 * penalty proposals (PERF-5) through the perf source `trn_perf_source`,
 * which also gives each agent's sessions and exams for the month's
 * evaluation (TRN-3); cli/serve.c registers it with perf_add_source.
 *
 * Exams (TRN-2). A question bank: single choice, multiple choice,
 * true/false, fill-in and short answer, each with a category and points.
 * A paper is drawn by rules (so many questions of a kind, optionally of a
 * category, each worth so many points) from the active questions with a
 * seeded random draw, so the same seed gives the same paper. An exam is a
 * paper assigned to a trainee with a trainer (who marks it): the trainee
 * starts it (the deadline is now + the paper's duration), answers are saved
 * one at a time as they go, and the trainee submits; an exam whose deadline
 * passed is submitted by the server (at submission, or by `trn_tick`), and
 * no answer is taken after the deadline. Objective questions are marked at
 * submission; short answers by the exam's trainer only; the exam's score
 * is its points over the paper's in percent. The practical exam is scored
 * by a panel (the supervisor or manager who opens it names the members):
 * each member gives the five TRN-2 items (voice, tone, answer speed,
 * fluency, reactions), 0..20 each; the host closes it and its score is the
 * panel's mean. Pass marks are settings (`trn_settings`).
 *
 * Certification (ORG-4): once a person passed a written exam and a
 * practical, the manager confirms (ACT_PERSON_CERTIFY) and org's person
 * gets `certified`; anything less is 409 and nothing is written. The gate
 * itself lives where the work is taken: acd refuses "ready", chan refuses
 * taking and being assigned conversations and wo refuses opening orders to
 * an uncertified agent (org_duty_allowed; supervisors and managers exempt).
 *
 * Files: rules `trn.c` (no I/O), SQL `trn_store.c`, the tick and the perf
 * source `trn_engine.c`, HTTP `trn_api.c` (training) and `trn_exam_api.c`
 * (exams, practicals, certification), the plan's sheet `trn_xlsx.c`.
 */
#ifndef KEFU_TRN_TRN_H
#define KEFU_TRN_TRN_H

#include <stddef.h>
#include <stdint.h>

#include "http/http.h" /* struct route, for the route tables */

struct store;
struct perf_source;

/* ---- Rules (trn.c, no I/O) ---- */

enum trn_kind { TRN_SINGLE, TRN_MULTIPLE, TRN_TRUEFALSE, TRN_FILL, TRN_SHORT, TRN_KIND_COUNT };

/* "single", "multiple", "truefalse", "fill", "short"; -1 for anything else. */
int trn_kind_parse(const char *name);
const char *trn_kind_name(int kind);
/* 1 for the kinds marked by the server (all but the short answer). */
int trn_kind_objective(int kind);

#define TRN_OPTIONS_MAX 8
#define TRN_TEXT_MAX 2000 /* bytes of a stem, an option or an answer */

/*
 * An answer compared with the key, both as the question's JSON text stores
 * them: single "B"; multiple "AC" (letters in any order, all and only the
 * right ones); truefalse "true"/"false"; fill: the key's alternatives split
 * by '|', compared after trimming blanks. 1 right, 0 wrong. Short answers
 * are never marked here (0).
 */
int trn_answer_right(int kind, const char *key, const char *answer);

/*
 * The seeded draw: picks n of the ids in cand (count ncand) in a random
 * order fixed by seed (xorshift64*, Fisher–Yates over a copy in out's
 * first slots), writing them into out (room for ncand). ERR_UNPROCESSABLE
 * when ncand < n.
 */
int trn_draw(const int64_t *cand, int ncand, int n, uint64_t seed, int64_t *out);

/* The score in percent of got points over total (0 when total is 0). */
double trn_percent(int got, int total);

/* The five TRN-2 items of a practical, each 0..TRN_ITEM_MAX. */
#define TRN_ITEMS 5
#define TRN_ITEM_MAX 20
extern const char *const trn_item_names[TRN_ITEMS]; /* voice, tone, speed, fluency, reactions */
/* 0 when every item is within 0..TRN_ITEM_MAX, else the index + 1 of the first that is not. */
int trn_items_check(const int items[TRN_ITEMS]);
int trn_items_total(const int items[TRN_ITEMS]);

/* The exam's clock: 1 when an answer may still be taken at now. */
int trn_exam_open(int64_t deadline_at, int64_t now);

/*
 * TRN-3: the plan of month ("YYYY-MM") is due at the start of the 28th of
 * the month before (center's time); its reminder begins on the 25th.
 */
int64_t trn_plan_due(const char *month);
int64_t trn_plan_remind_from(const char *month);
/* The month after the one holding now, "YYYY-MM". */
void trn_next_month(int64_t now, char out[8]);

/*
 * ORG-4: may the person be certified? 0, or ERR_CONFLICT with why set
 * (nothing written by the caller).
 */
int trn_certify_check(int written_passed, int practical_passed, int already, const char **why);

/* ---- Storage (trn_store.c) ---- */

#define TRN_TITLE_MAX 200

struct trn_settings {
	int written_pass;   /* percent */
	int practical_pass; /* percent */
};

struct trn_course {
	int64_t id;
	char title[TRN_TITLE_MAX + 1];
	char trainer[101]; /* who teaches it, as the programme names them */
	char dept[101];
	int pre_job; /* TRN-1: part of the three-day programme */
	int day;     /* its day of that programme, 1..3; 0 otherwise */
	int hours;
	int active;
};

struct trn_session {
	int64_t id;
	int64_t course_id;
	char title[TRN_TITLE_MAX + 1];
	int64_t trainer_id;
	int64_t starts_at, ends_at;
	char place[101];
	char trainer[101]; /* the trainer's name (read) */
	char course[TRN_TITLE_MAX + 1];
};

struct trn_attendance {
	int64_t id;
	int64_t session_id;
	int64_t person_id;
	char work_no[33];
	char name[101];
	char status[10]; /* expected, present, late, absent */
	int64_t marked_at, marked_by;
};

struct trn_plan_item {
	int64_t id;
	char day[11]; /* YYYY-MM-DD */
	int64_t course_id;
	char course[TRN_TITLE_MAX + 1];
	int64_t trainer_id;
	char trainer[101];
	int hours;
	char audience[201];
};

struct trn_plan {
	char month[8];
	char notes[1001];
	int64_t submitted_by, submitted_at, updated_at;
};

struct trn_question {
	int64_t id;
	int kind;
	char category[65];
	char stem[TRN_TEXT_MAX + 1];
	char options[TRN_OPTIONS_MAX * (TRN_TEXT_MAX / 4) + 64]; /* a JSON array of texts */
	char answer[TRN_TEXT_MAX + 1];				 /* the key */
	int points;
	int active;
};

struct trn_paper {
	int64_t id;
	char title[TRN_TITLE_MAX + 1];
	char rules[2001]; /* the draw's rules as JSON */
	int64_t seed;
	int duration_min;
	int total;
	int64_t created_at;
};

struct trn_exam {
	int64_t id, paper_id, person_id, trainer_id;
	char state[12]; /* assigned, started, submitted, marked */
	int64_t started_at, deadline_at, submitted_at;
	int auto_submitted;
	int64_t marked_at, marked_by;
	int points;   /* points got (objective ones once submitted) */
	double score; /* percent, once marked */
	int total;    /* the paper's points */
	int duration_min;
	char title[TRN_TITLE_MAX + 1];
	char person[101], trainer[101];
};

/* A paper's question with the exam's answer to it. */
struct trn_item {
	int position;
	struct trn_question q;
	int points; /* what it is worth in this paper */
	int answered;
	char answer[TRN_TEXT_MAX + 1];
	int got; /* points given; -1 while not marked */
};

struct trn_practical {
	int64_t id, person_id, host_id;
	char state[8]; /* open, closed */
	double score;  /* the panel's mean total, once closed */
	int64_t created_at, closed_at;
	char person[101];
};

struct trn_panel_score {
	int64_t person_id;
	char name[101];
	int scored;
	int items[TRN_ITEMS];
	int total;
	int64_t scored_at;
};

typedef int trn_course_fn(void *ctx, const struct trn_course *c);
typedef int trn_session_fn(void *ctx, const struct trn_session *x);
typedef int trn_attendance_fn(void *ctx, const struct trn_attendance *a);
typedef int trn_plan_item_fn(void *ctx, const struct trn_plan_item *it);
typedef int trn_question_fn(void *ctx, const struct trn_question *q);
typedef int trn_paper_fn(void *ctx, const struct trn_paper *p);
typedef int trn_exam_fn(void *ctx, const struct trn_exam *e);
typedef int trn_item_fn(void *ctx, const struct trn_item *it);
typedef int trn_practical_fn(void *ctx, const struct trn_practical *p);
typedef int trn_panel_fn(void *ctx, const struct trn_panel_score *p);

int trn_settings_get(struct store *s, struct trn_settings *out);
int trn_settings_put(struct store *s, const struct trn_settings *in);

int trn_course_list(struct store *s, trn_course_fn *fn, void *ctx);
int trn_course_get(struct store *s, int64_t id, struct trn_course *out);
int trn_course_insert(struct store *s, struct trn_course *c, int64_t now);
int trn_course_update(struct store *s, const struct trn_course *c);
/* The course's materials: knowledge-base article ids and titles. */
int trn_material_list(struct store *s, int64_t course_id,
		      int (*fn)(void *ctx, int64_t article_id, const char *title), void *ctx);
/* 1 added, 0 there already. */
int trn_material_add(struct store *s, int64_t course_id, int64_t article_id, int64_t by,
		     int64_t now);
int trn_material_remove(struct store *s, int64_t course_id, int64_t article_id);

int trn_plan_get(struct store *s, const char *month, struct trn_plan *out);
int trn_plan_list(struct store *s, int (*fn)(void *ctx, const struct trn_plan *p), void *ctx);
/* Writes the plan's notes and replaces its lines (items, n). */
int trn_plan_put(struct store *s, const struct trn_plan *p, const struct trn_plan_item *items,
		 int n, int64_t by, int64_t now);
int trn_plan_items(struct store *s, const char *month, trn_plan_item_fn *fn, void *ctx);
int trn_plan_submit(struct store *s, const char *month, int64_t by, int64_t now);
/* 1 when the notice of (month, kind) was written now, 0 when it was before. */
int trn_plan_notice(struct store *s, const char *month, const char *kind, int64_t now);
/* The people told about plans: active supervisors and managers. */
int trn_planners(struct store *s, int (*fn)(void *ctx, int64_t person_id), void *ctx);

int trn_session_insert(struct store *s, struct trn_session *x, int64_t by, int64_t now);
int trn_session_get(struct store *s, int64_t id, struct trn_session *out);
int trn_session_list(struct store *s, int64_t from, int64_t to, trn_session_fn *fn, void *ctx);
/* 1 added, 0 already expected. */
int trn_attendee_add(struct store *s, int64_t session_id, int64_t person_id);
int trn_attendance_list(struct store *s, int64_t session_id, trn_attendance_fn *fn, void *ctx);
/* ERR_NOTFOUND when the person is not expected at the session. */
int trn_attendance_mark(struct store *s, int64_t session_id, int64_t person_id, const char *status,
			int64_t by, int64_t now);

int trn_question_insert(struct store *s, struct trn_question *q, int64_t by, int64_t now);
int trn_question_get(struct store *s, int64_t id, struct trn_question *out);
int trn_question_update(struct store *s, const struct trn_question *q);
/* kind < 0: every kind; category NULL: every category; active_only. */
int trn_question_list(struct store *s, int kind, const char *category, int active_only,
		      trn_question_fn *fn, void *ctx);
/* The active questions' ids of a kind (and category when not NULL), by id, at most max. */
int trn_question_ids(struct store *s, int kind, const char *category, int64_t *out, int max);

int trn_paper_insert(struct store *s, struct trn_paper *p, int64_t by, int64_t now);
int trn_paper_question_add(struct store *s, int64_t paper_id, int position, int64_t question_id,
			   int points);
int trn_paper_get(struct store *s, int64_t id, struct trn_paper *out);
int trn_paper_list(struct store *s, trn_paper_fn *fn, void *ctx);

int trn_exam_insert(struct store *s, struct trn_exam *e, int64_t by, int64_t now);
int trn_exam_get(struct store *s, int64_t id, struct trn_exam *out);
/* person_or_trainer: only exams of this person or marked by them (0: all). */
int trn_exam_list(struct store *s, int64_t person_or_trainer, trn_exam_fn *fn, void *ctx);
int trn_exam_start(struct store *s, int64_t id, int64_t now, int64_t deadline);
/* The paper's questions with the exam's answers, by position. */
int trn_exam_items(struct store *s, int64_t exam_id, int64_t paper_id, trn_item_fn *fn, void *ctx);
int trn_answer_save(struct store *s, int64_t exam_id, int position, const char *answer,
		    int64_t now);
/* Sets an answer's points (writes an empty answer when there was none). */
int trn_answer_points(struct store *s, int64_t exam_id, int position, int points, int64_t by,
		      int64_t now);
/* state "submitted" (points so far) or "marked" (points, score, by). */
int trn_exam_submitted(struct store *s, int64_t id, int64_t now, int auto_submitted, int points);
int trn_exam_marked(struct store *s, int64_t id, int64_t now, int64_t by, int points, double score);
/* Started exams whose deadline is at or before now, up to max ids. */
int trn_exam_due(struct store *s, int64_t now, int64_t *out, int max);
/* The person's best marked written exam: its id and score; ERR_NOTFOUND. */
int trn_exam_best(struct store *s, int64_t person_id, int64_t *id, double *score);

int trn_practical_insert(struct store *s, struct trn_practical *p, int64_t now);
int trn_practical_get(struct store *s, int64_t id, struct trn_practical *out);
int trn_practical_list(struct store *s, int64_t person_or_member, trn_practical_fn *fn, void *ctx);
int trn_panel_add(struct store *s, int64_t practical_id, int64_t person_id);
int trn_panel_list(struct store *s, int64_t practical_id, trn_panel_fn *fn, void *ctx);
/* ERR_NOTFOUND when the person is not on the panel. */
int trn_panel_score(struct store *s, int64_t practical_id, int64_t person_id,
		    const int items[TRN_ITEMS], int64_t now);
int trn_practical_close(struct store *s, int64_t id, double score, int64_t now);
int trn_practical_best(struct store *s, int64_t person_id, int64_t *id, double *score);

int trn_cert_insert(struct store *s, int64_t person_id, int64_t exam_id, int64_t practical_id,
		    int64_t by, int64_t now);

/* The perf source's walks (see perf.h): late and absent marks recorded in
 * [from, to), and each person's sessions and exams in [from, to). */
int trn_absences(struct store *s, int64_t from, int64_t to,
		 int (*fn)(void *ctx, int64_t id, int64_t person_id, int64_t at, int late,
			   const char *title),
		 void *ctx);
int trn_training(struct store *s, int64_t from, int64_t to,
		 int (*fn)(void *ctx, int64_t person_id, int sessions, int attended, int exams,
			   double score),
		 void *ctx);

/* ---- The engine (trn_engine.c) ---- */

/* Submits a started exam at now and marks its objective answers; marks the
 * exam when it has no short answer. In the caller's transaction. */
int trn_exam_submit(struct store *s, const struct trn_exam *e, int64_t now, int auto_submitted);

/* ---- The tick and the perf source (trn_engine.c) ---- */

/* TRN-3 reminders of next month's plan; exams whose time is up submitted. */
int trn_tick(struct store *s, int64_t now, void *arg);
/* Late and absent attendance, and each agent's sessions and exams. */
extern const struct perf_source trn_perf_source;

/* ---- HTTP ---- */

extern const struct route trn_routes[];	     /* trn_api.c: courses, plans, sessions */
extern const struct route trn_exam_routes[]; /* trn_exam_api.c: bank, papers, exams, cert */

/* 培训计划表 in the center's registry (trn_api.c; issue 20). */
struct export_form;
extern const struct export_form trn_plan_form;

#endif
