/*
 * The review's engine: picking a contact for review on the default
 * scorecard, the weekly sample and the must-review picks (the scheduler's
 * tick qa_review_tick, every minute), and the notifications of closed
 * assessments and appeals (QA-1, QA-5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/err.h"
#include "core/log.h"
#include "notify/notify.h"
#include "qa/qa.h"
#include "store/store.h"

#define DAY_MS 86400000LL

int qa_pick(struct store *s, const char *kind, int64_t ref_id, int reason, int64_t now,
	    struct qa_assessment *out)
{
	struct qa_scorecard *sc;
	struct qa_review_call call;
	int rc;

	/* Calls only for now: the text channels' contacts come with their issue. */
	if (strcmp(kind, "call") != 0)
		return ERR_UNPROCESSABLE;
	rc = qa_review_call_get(s, ref_id, &call);
	if (rc < 0)
		return rc;
	if (!call.agent_id || !call.connected_at)
		return ERR_UNPROCESSABLE;
	sc = malloc(sizeof(*sc));
	if (!sc)
		return ERR_NOMEM;
	rc = qa_scorecard_default(s, sc);
	if (rc == 0) {
		memset(out, 0, sizeof(*out));
		snprintf(out->kind, sizeof(out->kind), "%s", kind);
		out->ref_id = ref_id;
		out->agent_id = call.agent_id;
		out->scorecard_id = sc->id;
		out->scorecard_version = sc->version;
		out->reason = reason;
		out->must = qa_reason_must(reason);
		out->contact_at = call.connected_at;
		snprintf(out->state, sizeof(out->state), "open");
		out->nscores = sc->n;
		for (size_t i = 0; i < sc->n; i++)
			out->scores[i] = -1;
		out->total = out->final_score = -1;
		out->created_at = out->updated_at = now;
		rc = qa_assessment_insert(s, out);
	}
	free(sc);
	return rc;
}

/* Picks made by the tick are kefu's own, audited as such (a person's are audited by the API). */
static const struct audit_actor system_actor = {0, "system", NULL};

static int pick_audited(struct store *s, int64_t call_id, int reason, int64_t now,
			struct qa_assessment *a)
{
	struct audit_detail d;
	int rc = qa_pick(s, "call", call_id, reason, now, a);

	if (rc < 0)
		return rc;
	audit_detail_init(&d);
	audit_detail_str(&d, "kind", a->kind);
	audit_detail_int(&d, "ref_id", a->ref_id);
	audit_detail_int(&d, "agent_id", a->agent_id);
	audit_detail_str(&d, "reason", qa_reason_name(a->reason));
	return audit_append_detail(s, &system_actor, now, "qa.assessment.pick", "qa_assessment",
				   a->id, "ok", &d);
}

int qa_notify_agent(struct store *s, const struct qa_assessment *a, const char *kind,
		    const char *text, int64_t now)
{
	return notify_send(s, a->agent_id, kind, 0, text, now);
}

struct deciders {
	struct store *s;
	const char *text;
	int64_t now;
};

static int tell_decider(void *ctx, int64_t id)
{
	struct deciders *d = ctx;

	return notify_send(d->s, id, "qa.appeal", 0, d->text, d->now);
}

int qa_notify_deciders(struct store *s, const struct qa_assessment *a, int level, int64_t now)
{
	char text[NOTIFY_TEXT_SIZE];
	struct deciders d = {s, text, now};
	/* Level 1 goes to the supervisors, level 2 to the QA inspectors and the manager. */
	unsigned roles = level == 1 ? ROLE_SUPERVISOR : (ROLE_QA | ROLE_MANAGER);
	int rc;

	snprintf(text, sizeof(text), "%s（%s）对质检评分第 %lld 号提出%s申诉，请处理",
		 a->agent_name, a->agent_work_no, (long long)a->id, level == 1 ? "" : "二次");
	rc = qa_people_in_roles(s, roles, a->agent_id, tell_decider, &d);
	return rc < 0 ? rc : 0;
}

/* ---- Must-review ---- */

struct cands {
	struct qa_candidate *v;
	size_t n, cap;
	int low_survey;
};

static int cand_add(void *ctx, const struct qa_candidate *c)
{
	struct cands *cs = ctx;

	if (qa_must_reason(&c->sg, cs->low_survey) == QR_NONE)
		return 0;
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 32;
		struct qa_candidate *v = realloc(cs->v, cap * sizeof(*v));

		if (!v)
			return ERR_NOMEM;
		cs->v = v;
		cs->cap = cap;
	}
	cs->v[cs->n++] = *c;
	return 0;
}

int qa_must_scan(struct store *s, int64_t now)
{
	struct qa_settings set;
	struct cands cs = {0};
	struct qa_assessment *a;
	int rc = qa_settings_get(s, &set), picked = 0;

	if (rc < 0 || !set.must_review)
		return rc;
	cs.low_survey = set.low_survey;
	/* Read first, write after: the walk is not disturbed by its own inserts. */
	rc = qa_must_candidates(s, now - 8 * DAY_MS, set.low_survey, cand_add, &cs);
	if (rc < 0 || cs.n == 0) {
		free(cs.v);
		return rc < 0 ? rc : 0;
	}
	a = malloc(sizeof(*a));
	rc = a ? store_begin(s) : ERR_NOMEM;
	for (size_t i = 0; rc == 0 && i < cs.n; i++) {
		rc = pick_audited(s, cs.v[i].call_id, qa_must_reason(&cs.v[i].sg, set.low_survey),
				  now, a);
		if (rc == 0)
			picked++;
		else if (rc == ERR_CONFLICT || rc == ERR_UNPROCESSABLE || rc == ERR_NOTFOUND)
			rc = 0;
	}
	if (a)
		rc = rc == 0 ? store_commit(s) : (store_rollback(s), rc);
	free(a);
	free(cs.v);
	if (rc < 0)
		return rc;
	if (picked)
		log_info("qa: %d calls to review (must-review)", picked);
	return picked;
}

/* ---- The weekly sample ---- */

struct ids {
	int64_t *v;
	size_t n, cap;
	size_t taken;
};

static int ids_push(struct ids *l, int64_t id)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		int64_t *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return ERR_NOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = id;
	return 0;
}

static int agent_add(void *ctx, int64_t id)
{
	return ids_push(ctx, id);
}

static int week_call(void *ctx, int64_t call_id, int64_t started_at, int assessed)
{
	struct ids *l = ctx;

	(void)started_at;
	if (assessed) {
		l->taken++;
		return 0;
	}
	return ids_push(l, call_id);
}

/* One agent's sample of the week [from, to); returns how many it picked. */
static int sample_agent(struct store *s, int64_t agent, int64_t from, int64_t to,
			const struct qa_settings *set, int64_t now, struct qa_assessment *a)
{
	struct ids calls = {0};
	struct qa_plan plan;
	int64_t created = 0, *chosen = NULL;
	int rc = qa_person_created(s, agent, &created), hire, picked = 0;
	size_t k;

	if (rc < 0)
		return rc;
	hire = qa_new_hire(created, to, set->new_hire_days);
	rc = qa_plan_get(s, hire ? "new_hire" : "regular", &plan);
	if (rc == 0)
		rc = qa_week_calls(s, agent, from, to, week_call, &calls);
	if (rc < 0 || calls.n == 0) {
		free(calls.v);
		return rc < 0 ? rc : 0;
	}
	chosen = malloc(calls.n * sizeof(*chosen));
	if (!chosen) {
		free(calls.v);
		return ERR_NOMEM;
	}
	k = qa_sample_pick(calls.v, calls.n, calls.taken, &plan, (uint64_t)set->sample_seed, from,
			   chosen);
	rc = 0;
	for (size_t i = 0; rc == 0 && i < k; i++) {
		rc = pick_audited(s, chosen[i], hire ? QR_NEW_HIRE : QR_SAMPLE, now, a);
		if (rc == 0)
			picked++;
		else if (rc == ERR_CONFLICT || rc == ERR_UNPROCESSABLE)
			rc = 0;
	}
	free(chosen);
	free(calls.v);
	return rc < 0 ? rc : picked;
}

int qa_sample_week(struct store *s, int64_t now)
{
	int64_t to = qa_week_start(now), from = qa_week_start(to - 1);
	struct qa_settings set;
	struct qa_assessment *a;
	struct ids agents = {0};
	int rc = qa_settings_get(s, &set), picked = 0;

	if (rc < 0)
		return rc;
	a = malloc(sizeof(*a));
	if (!a)
		return ERR_NOMEM;
	rc = store_begin(s);
	if (rc == 0) {
		rc = qa_sample_run_take(s, from, now);
		if (rc == 1) { /* sampled already */
			store_rollback(s);
			free(a);
			return 0;
		}
	}
	if (rc == 0)
		rc = qa_week_agents(s, from, to, agent_add, &agents);
	for (size_t i = 0; rc >= 0 && i < agents.n; i++) {
		rc = sample_agent(s, agents.v[i], from, to, &set, now, a);
		if (rc > 0)
			picked += rc;
	}
	if (rc >= 0)
		rc = qa_sample_run_picked(s, from, picked);
	if (rc >= 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	free(agents.v);
	free(a);
	if (rc < 0)
		return rc;
	if (picked)
		log_info("qa: the week's sample: %d calls to review", picked);
	return picked;
}

int qa_review_tick(struct store *s, int64_t now, void *arg)
{
	int a, b;

	(void)arg;
	a = qa_sample_week(s, now);
	b = qa_must_scan(s, now);
	if (a < 0)
		return a;
	if (b < 0)
		return b;
	return a + b;
}
