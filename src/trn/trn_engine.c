/*
 * trn's engine: an exam's submission with the marking of its objective
 * answers (by the trainee or, once the time is up, by the server), the
 * tick (TRN-3's plan reminders, exams whose time ran out) and the perf
 * source that feeds the people ledger (PERF-5 proposals, TRN-3 figures).
 */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "notify/notify.h"
#include "perf/perf.h"
#include "store/store.h"
#include "trn/trn.h"

struct marking {
	struct store *s;
	int64_t exam_id;
	int64_t now;
	int points;   /* objective points got */
	int unmarked; /* short answers waiting for the trainer */
	int total;
	int rc;
};

static int mark_item(void *ctx, const struct trn_item *it)
{
	struct marking *m = ctx;
	int got;

	m->total += it->points;
	if (!trn_kind_objective(it->q.kind)) {
		/* A short answer left empty gets nothing, and needs no trainer. */
		if (!it->answered || !it->answer[0]) {
			int rc = trn_answer_points(m->s, m->exam_id, it->position, 0, 0, m->now);

			return rc < 0 ? rc : 0;
		}
		m->unmarked++;
		return 0;
	}
	got = it->answered && trn_answer_right(it->q.kind, it->q.answer, it->answer) ? it->points
										     : 0;
	m->points += got;
	if (!it->answered)
		return 0;
	return trn_answer_points(m->s, m->exam_id, it->position, got, 0, m->now);
}

int trn_exam_submit(struct store *s, const struct trn_exam *e, int64_t now, int auto_submitted)
{
	struct marking m = {.s = s, .exam_id = e->id, .now = now};
	/* Submitted at the deadline when the server submits it late. */
	int64_t at = auto_submitted && e->deadline_at < now ? e->deadline_at : now;
	int rc = trn_exam_items(s, e->id, e->paper_id, mark_item, &m);

	if (rc >= 0)
		rc = trn_exam_submitted(s, e->id, at, auto_submitted, m.points);
	if (rc >= 0 && m.unmarked == 0)
		rc = trn_exam_marked(s, e->id, at, 0, m.points, trn_percent(m.points, m.total));
	return rc < 0 ? rc : 0;
}

struct telling {
	struct store *s;
	const char *text;
	int64_t now;
};

static int tell(void *ctx, int64_t person_id)
{
	struct telling *t = ctx;

	return notify_send(t->s, person_id, "trn.plan", 0, t->text, t->now);
}

/* TRN-3: next month's plan, due before the 28th: told from the 25th and once late. */
static int remind_plan(struct store *s, int64_t now)
{
	struct trn_plan p;
	struct telling t = {.s = s, .now = now};
	char month[8], text[160];
	const char *kind;
	int rc;

	trn_next_month(now, month);
	if (now < trn_plan_remind_from(month))
		return 0;
	rc = trn_plan_get(s, month, &p);
	if (rc == 0 && p.submitted_at)
		return 0;
	if (rc < 0 && rc != ERR_NOTFOUND)
		return rc;
	kind = now >= trn_plan_due(month) ? "late" : "due";
	rc = trn_plan_notice(s, month, kind, now);
	if (rc <= 0)
		return rc;
	snprintf(text, sizeof(text),
		 strcmp(kind, "late") == 0 ? "%s 培训计划表已过28日截止时间，请尽快提交"
					   : "%s 培训计划表请于本月28日前提交",
		 month);
	t.text = text;
	rc = trn_planners(s, tell, &t);
	return rc < 0 ? rc : 1;
}

int trn_tick(struct store *s, int64_t now, void *arg)
{
	int64_t due[64];
	int n, rc, changed = 0;

	(void)arg;
	rc = store_begin(s);
	if (rc < 0)
		return rc;
	rc = remind_plan(s, now);
	changed = rc > 0;
	/* Exams whose time is up are submitted with what was saved (TRN-2). */
	n = rc < 0 ? rc : trn_exam_due(s, now, due, 64);
	for (int i = 0; n > 0 && i < n && rc >= 0; i++) {
		struct trn_exam e;

		rc = trn_exam_get(s, due[i], &e);
		if (rc == 0)
			rc = trn_exam_submit(s, &e, now, 1);
		changed = 1;
	}
	if (n < 0)
		rc = n;
	if (rc < 0) {
		store_rollback(s);
		log_error("trn: tick failed: %d", rc);
		return rc;
	}
	rc = store_commit(s);
	if (rc == 0 && changed)
		notify_wake();
	return rc;
}

/* ---- The perf source ---- */

struct absence_walk {
	perf_absence_fn *cb;
	void *arg;
};

static int one_absence(void *ctx, int64_t id, int64_t person_id, int64_t at, int late,
		       const char *title)
{
	struct absence_walk *w = ctx;
	struct perf_absence a = {.person_id = person_id,
				 .at = at,
				 .late = late,
				 .source = "trn_attendance",
				 .source_id = id,
				 .title = title};

	return w->cb(w->arg, &a);
}

static int absences(struct store *s, int64_t from, int64_t to, perf_absence_fn *cb, void *arg)
{
	struct absence_walk w = {cb, arg};

	return trn_absences(s, from, to, one_absence, &w);
}

struct training_walk {
	perf_training_fn *cb;
	void *arg;
};

static int one_training(void *ctx, int64_t person_id, int sessions, int attended, int exams,
			double score)
{
	struct training_walk *w = ctx;
	struct perf_training t = {.person_id = person_id,
				  .sessions = sessions,
				  .attended = attended,
				  .exams = exams,
				  .exam_score = exams ? score : 0};

	return w->cb(w->arg, &t);
}

static int training(struct store *s, int64_t from, int64_t to, perf_training_fn *cb, void *arg)
{
	struct training_walk w = {cb, arg};

	return trn_training(s, from, to, one_training, &w);
}

const struct perf_source trn_perf_source = {
	.name = "trn",
	.absences = absences,
	.training = training,
};
