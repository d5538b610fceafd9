/*
 * The review over HTTP (QA-1, QA-5): scorecards (/api/qa/scorecards),
 * sampling plans and settings (/api/qa/plans, /api/qa/settings), the
 * reviewer's queue and assessments (/api/qa/queue, /api/qa/assessments),
 * the agent's own (/api/me/qa) and appeals (/api/qa/appeals). Every field
 * is checked before the write transaction begins; each change is one
 * transaction with its audit entry and its notifications.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/utf8.h"
#include "notify/notify.h"
#include "qa/qa.h"
#include "store/store.h"

#define DAY_MS 86400000LL

static json_t *id_or_null(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

static json_t *int_or_null(int v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

/* ---- JSON ---- */

static json_t *item_json(const struct qa_item *it)
{
	return json_pack("{s:i, s:s, s:s, s:i, s:i, s:b}", "pos", it->pos, "dimension",
			 qa_dimension_name(it->dimension), "label", it->label, "max_points",
			 it->max_points, "weight", it->weight, "fatal", it->fatal);
}

static json_t *scorecard_json(const struct qa_scorecard *c)
{
	json_t *items = json_array();

	for (size_t i = 0; i < c->n; i++)
		json_array_append_new(items, item_json(&c->items[i]));
	return json_pack("{s:I, s:s, s:i, s:b, s:b, s:I, s:I, s:o}", "id", (json_int_t)c->id,
			 "name", c->name, "version", c->version, "is_default", c->is_default,
			 "active", c->active, "created_at", (json_int_t)c->created_at, "updated_at",
			 (json_int_t)c->updated_at, "items", items);
}

static json_t *brief_json(const struct qa_assessment *a)
{
	json_t *scores = json_array();

	for (size_t i = 0; i < a->nscores; i++)
		json_array_append_new(scores, int_or_null(a->scores[i]));
	return json_pack(
		"{s:I, s:s, s:I, s:{s:I, s:s, s:s}, s:o, s:I, s:i, s:s, s:b, s:I, s:s, s:o, s:o,"
		" s:b, s:s, s:o, s:i, s:o, s:I, s:I, s:o}",
		"id", (json_int_t)a->id, "kind", a->kind, "ref_id", (json_int_t)a->ref_id, "agent",
		"id", (json_int_t)a->agent_id, "name", a->agent_name, "work_no", a->agent_work_no,
		"reviewer",
		a->reviewer_id ? json_pack("{s:I, s:s}", "id", (json_int_t)a->reviewer_id, "name",
					   a->reviewer_name)
			       : json_null(),
		"scorecard_id", (json_int_t)a->scorecard_id, "scorecard_version",
		a->scorecard_version, "reason", qa_reason_name(a->reason), "must", a->must,
		"contact_at", (json_int_t)a->contact_at, "state", a->state, "scores", scores,
		"total", int_or_null(a->total), "fatal", a->fatal, "comment", a->comment,
		"final_score", int_or_null(a->final_score), "appeal_count", a->appeals,
		"appeal_until", id_or_null(a->appeal_until), "created_at",
		(json_int_t)a->created_at, "updated_at", (json_int_t)a->updated_at, "closed_at",
		id_or_null(a->closed_at));
}

static json_t *comment_json(const struct qa_comment *c)
{
	return json_pack("{s:I, s:I, s:s, s:{s:I, s:s}, s:I}", "id", (json_int_t)c->id, "at_ms",
			 (json_int_t)c->at_ms, "text", c->text, "author", "id",
			 (json_int_t)c->author_id, "name", c->author_name, "created_at",
			 (json_int_t)c->created_at);
}

static json_t *appeal_json(const struct qa_appeal *p)
{
	return json_pack(
		"{s:I, s:I, s:i, s:{s:I, s:s}, s:s, s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:I}", "id",
		(json_int_t)p->id, "assessment_id", (json_int_t)p->assessment_id, "level", p->level,
		"agent", "id", (json_int_t)p->agent_id, "name", p->agent_name, "reason", p->reason,
		"state", p->state, "old_score", p->old_score, "decision",
		p->decision < 0 ? json_null() : json_string(qa_decision_name(p->decision)),
		"new_score", int_or_null(p->new_score), "decision_reason",
		p->decided_at ? json_string(p->decision_reason) : json_null(), "decided_by",
		p->decided_by ? json_pack("{s:I, s:s}", "id", (json_int_t)p->decided_by, "name",
					  p->decided_name)
			      : json_null(),
		"decided_at", id_or_null(p->decided_at), "created_at", (json_int_t)p->created_at);
}

static int comment_row(void *ctx, const struct qa_comment *c)
{
	return json_array_append_new(ctx, comment_json(c));
}

static int appeal_row(void *ctx, const struct qa_appeal *p)
{
	return json_array_append_new(ctx, appeal_json(p));
}

static int hit_row(void *ctx, const struct qa_hit_row *h)
{
	return json_array_append_new(ctx, qa_hit_row_json(h));
}

static int is_reviewer(const struct req *r)
{
	return auth_scope(&r->who, ACT_QA_REVIEW) != SCOPE_NONE;
}

/* Level 1 is the supervisors', level 2 the QA inspectors' and the manager's. */
static int may_decide_level(const struct req *r, int level)
{
	return level == 1 ? (r->who.roles & ROLE_SUPERVISOR) != 0
			  : (r->who.roles & (ROLE_QA | ROLE_MANAGER)) != 0;
}

/* The assessment with its scorecard, call, automatic check, comments and appeals. */
static int reply_full(struct req *r, unsigned status, const struct qa_assessment *a)
{
	json_t *o = brief_json(a), *comments = json_array(), *appeals = json_array();
	struct qa_scorecard *sc = malloc(sizeof(*sc));
	struct qa_review_call call;
	struct qa_check_row chk;
	const char *why;
	int rc = sc ? qa_scorecard_get(r->store, a->scorecard_id, a->scorecard_version, sc)
		    : ERR_NOMEM;
	int pending_level = 0;

	if (rc == 0) {
		json_object_set_new(o, "scorecard", scorecard_json(sc));
		rc = strcmp(a->kind, "call") == 0 ? qa_review_call_get(r->store, a->ref_id, &call)
						  : ERR_NOTFOUND;
		if (rc == 0)
			json_object_set_new(
				o, "call",
				json_pack("{s:I, s:I, s:o, s:o, s:s, s:s, s:o, s:o, s:b, s:o, s:o,"
					  " s:o}",
					  "id", (json_int_t)call.id, "started_at",
					  (json_int_t)call.started_at, "connected_at",
					  id_or_null(call.connected_at), "ended_at",
					  id_or_null(call.ended_at), "queue", call.queue, "outcome",
					  call.outcome, "hangup_first",
					  call.hangup_first[0] ? json_string(call.hangup_first)
							       : json_null(),
					  "survey",
					  call.survey ? json_integer(call.survey) : json_null(),
					  "recording", call.has_recording, "recording_ms",
					  call.recording_ms ? json_integer(call.recording_ms)
							    : json_null(),
					  "contact_id", id_or_null(call.contact_id), "class",
					  call.contact_class[0] ? json_string(call.contact_class)
								: json_null()));
		else if (rc == ERR_NOTFOUND)
			json_object_set_new(o, "call", json_null());
		rc = rc == ERR_NOTFOUND ? 0 : rc;
	}
	if (rc == 0) {
		/* The automatic check (migration 20) may not have run for this contact. */
		rc = qa_check_get(r->store, a->kind, a->ref_id, &chk);
		if (rc == 0) {
			json_t *hits = json_array();

			/* The count of hits is not an error: the steps below go on at 0. */
			rc = qa_hit_list(r->store, chk.id, hit_row, hits);
			rc = rc < 0 ? rc : 0;
			json_object_set_new(o, "check",
					    json_pack("{s:I, s:i, s:b, s:i, s:i, s:b, s:I, s:o}",
						      "id", (json_int_t)chk.id, "score", chk.score,
						      "fatal", chk.fatal, "hits", chk.hits, "high",
						      chk.high, "transcript", chk.transcript,
						      "checked_at", (json_int_t)chk.checked_at,
						      "items", hits));
		} else if (rc == ERR_NOTFOUND) {
			json_object_set_new(o, "check", json_null());
			rc = 0;
		}
	}
	if (rc == 0) {
		/* The words of the contact, for the review page to follow with the player. */
		struct qa_transcript_row tr = {0};
		json_t *body = NULL;

		rc = qa_transcript_get(r->store, a->kind, a->ref_id, &tr);
		if (rc == 0)
			body = json_loads(buf_str(&tr.body), 0, NULL);
		buf_release(&tr.body);
		if (rc == 0 && json_is_array(json_object_get(body, "utterances")))
			json_object_set_new(o, "transcript",
					    json_pack("{s:s, s:O}", "source", tr.source,
						      "utterances",
						      json_object_get(body, "utterances")));
		else
			json_object_set_new(o, "transcript", json_null());
		json_decref(body);
		rc = rc == ERR_NOTFOUND ? 0 : rc;
	}
	if (rc >= 0)
		rc = qa_comments(r->store, a->id, comment_row, comments);
	if (rc >= 0)
		rc = qa_appeals(r->store, a->id, 0, 0, appeal_row, appeals);
	free(sc);
	if (rc < 0) {
		json_decref(o);
		json_decref(comments);
		json_decref(appeals);
		return rc;
	}
	if (strcmp(a->state, "appealed") == 0)
		pending_level = a->appeals;
	json_object_set_new(o, "comments", comments);
	json_object_set_new(o, "appeals", appeals);
	json_object_set_new(
		o, "may",
		json_pack("{s:b, s:b, s:b}", "review",
			  is_reviewer(r) && qa_step_check(a->state, QS_EDIT, 0, 0, 0, &why) == 0 &&
				  a->agent_id != r->who.person_id,
			  "appeal",
			  a->agent_id == r->who.person_id &&
				  auth_scope(&r->who, ACT_QA_APPEAL) != SCOPE_NONE &&
				  qa_step_check(a->state, QS_APPEAL, a->appeals, a->appeal_until,
						r->now, &why) == 0,
			  "decide",
			  pending_level && a->agent_id != r->who.person_id &&
				  auth_scope(&r->who, ACT_QA_DECIDE) != SCOPE_NONE &&
				  may_decide_level(r, pending_level)));
	return reply_json(r, status, o);
}

/* ---- Scorecards ---- */

static int scorecard_row(void *ctx, const struct qa_scorecard *c)
{
	return json_array_append_new(ctx, scorecard_json(c));
}

/* GET /api/qa/scorecards */
static int scorecards_list(struct req *r)
{
	json_t *items = json_array();
	int rc = qa_scorecard_list(r->store, scorecard_row, items);

	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int load_scorecard(struct req *r, int version, struct qa_scorecard *c)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = qa_scorecard_get(r->store, id, version, c);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such scorecard or version");
	return rc;
}

/* GET /api/qa/scorecards/{id}?version= */
static int scorecard_get(struct req *r)
{
	struct qa_scorecard *c = malloc(sizeof(*c));
	int64_t version = 0;
	int rc = c ? req_query_int(r, "version", 1, 100000, &version) : ERR_NOMEM;

	if (rc == 0)
		rc = load_scorecard(r, (int)version, c);
	if (rc == 0)
		rc = reply_json(r, 200, scorecard_json(c));
	free(c);
	return rc;
}

/* An integer field of an item in lo..hi; rc as err_add. */
static int item_int(struct req *r, int rc, json_t *it, size_t i, const char *key, int lo, int hi,
		    int *out)
{
	json_t *v = json_object_get(it, key);
	char field[48];

	snprintf(field, sizeof(field), "items[%zu].%s", i, key);
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, field,
			       "%s: expected a whole number from %lld to %lld", field,
			       (long long)lo, (long long)hi);
	*out = (int)json_integer_value(v);
	return rc;
}

/* The items of a scorecard as sent: each checked, every error listed. */
static int parse_items(struct req *r, json_t *arr, struct qa_scorecard *c)
{
	static const char *const keys[] = {"dimension", "label", "max_points",
					   "weight",	"fatal", NULL};
	size_t i;
	json_t *it;
	int rc = 0, wsum = 0;

	if (!json_is_array(arr))
		return err_set(&r->ei, ERR_INVALID, "items", "%s: expected an array", "items");
	if (json_array_size(arr) < 1 || json_array_size(arr) > QA_ITEMS_MAX)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "items", "items: 1 to %d items",
			       QA_ITEMS_MAX);
	c->n = json_array_size(arr);
	json_array_foreach(arr, i, it)
	{
		struct qa_item *q = &c->items[i];
		json_t *d, *label, *fatal;
		const char *k;
		json_t *v;
		char field[48];

		memset(q, 0, sizeof(*q));
		q->pos = (int)i + 1;
		if (!json_is_object(it)) {
			snprintf(field, sizeof(field), "items[%zu]", i);
			rc = err_add(&r->ei, rc, ERR_INVALID, field, "%s: expected an object",
				     field);
			continue;
		}
		json_object_foreach(it, k, v)
		{
			int known = 0;

			for (int j = 0; keys[j]; j++)
				known |= strcmp(k, keys[j]) == 0;
			if (!known) {
				snprintf(field, sizeof(field), "items[%zu]", i);
				rc = err_add(&r->ei, rc, ERR_INVALID, field,
					     "%s: unknown field %.40s", field, k);
			}
		}
		d = json_object_get(it, "dimension");
		q->dimension = qa_dimension_parse(json_string_value(d));
		if (q->dimension < 0) {
			snprintf(field, sizeof(field), "items[%zu].dimension", i);
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, field,
				     "%s: attitude, quality, skill, efficiency or satisfaction",
				     field);
		}
		label = json_object_get(it, "label");
		if (!json_is_string(label) || utf8_blank(json_string_value(label)) ||
		    utf8_len(json_string_value(label)) > QA_LABEL_MAX) {
			snprintf(field, sizeof(field), "items[%zu].label", i);
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, field,
				     "%s: %d to %d characters", field, 1, QA_LABEL_MAX);
		} else {
			snprintf(q->label, sizeof(q->label), "%s", json_string_value(label));
		}
		rc = item_int(r, rc, it, i, "max_points", 1, 100, &q->max_points);
		rc = item_int(r, rc, it, i, "weight", 0, 100, &q->weight);
		fatal = json_object_get(it, "fatal");
		if (fatal && !json_is_boolean(fatal)) {
			snprintf(field, sizeof(field), "items[%zu].fatal", i);
			rc = err_add(&r->ei, rc, ERR_INVALID, field, "%s: expected true or false",
				     field);
		}
		q->fatal = json_is_true(fatal);
		wsum += q->weight;
	}
	if (rc == 0 && wsum == 0)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "items",
			     "items: the weights add up to more than 0");
	return rc;
}

static int body_name(struct req *r, int required, struct qa_scorecard *c)
{
	const char *name = NULL;
	int rc = body_str(r, "name", required, &name);

	if (rc == 0 && name && (utf8_blank(name) || utf8_len(name) > QA_CARD_NAME_MAX))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "name", "%s: %d to %d characters", "name",
			     1, QA_CARD_NAME_MAX);
	if (rc == 0 && name)
		snprintf(c->name, sizeof(c->name), "%s", name);
	return rc;
}

/* POST /api/qa/scorecards {name, items, is_default?} */
static int scorecard_create(struct req *r)
{
	static const char *const fields[] = {"name", "items", "is_default", NULL};
	struct qa_scorecard *c = calloc(1, sizeof(*c));
	int rc = c ? body_only(r, fields) : ERR_NOMEM;

	if (rc == 0)
		rc = body_name(r, 1, c);
	if (rc == 0)
		rc = body_bool(r, "is_default", &c->is_default);
	if (rc == 0)
		rc = parse_items(r, json_object_get(r->body, "items"), c);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0) {
		free(c);
		return rc;
	}
	c->active = 1;
	rc = qa_scorecard_insert(r->store, c, r->who.person_id, r->now);
	if (rc == 0)
		rc = req_audit(r, "qa.scorecard.create", "qa_scorecard", c->id, "ok",
			       json_pack("{s:s, s:i, s:b}", "name", c->name, "items", (int)c->n,
					 "is_default", c->is_default));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = reply_json(r, 201, scorecard_json(c));
	free(c);
	return rc;
}

/* PATCH /api/qa/scorecards/{id}: a new version (name, items, default, active). */
static int scorecard_patch(struct req *r)
{
	static const char *const fields[] = {"name", "items", "is_default", "active", NULL};
	struct qa_scorecard *c = malloc(sizeof(*c));
	int rc = c ? body_only(r, fields) : ERR_NOMEM;
	int was_default = 0;

	if (rc == 0)
		rc = load_scorecard(r, 0, c);
	if (rc == 0) {
		was_default = c->is_default;
		rc = body_name(r, 0, c);
	}
	if (rc == 0)
		rc = body_bool(r, "is_default", &c->is_default);
	if (rc == 0)
		rc = body_bool(r, "active", &c->active);
	if (rc == 0 && json_object_get(r->body, "items"))
		rc = parse_items(r, json_object_get(r->body, "items"), c);
	/* New assessments always have a default scorecard to be scored on. */
	if (rc == 0 && was_default && (!c->is_default || !c->active))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "is_default",
			     "make another scorecard the default first");
	if (rc == 0 && c->is_default && !c->active)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "active",
			     "the default scorecard stays active");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0) {
		free(c);
		return rc;
	}
	rc = qa_scorecard_new_version(r->store, c, r->who.person_id, r->now);
	if (rc == 0)
		rc = req_audit(r, "qa.scorecard.update", "qa_scorecard", c->id, "ok",
			       json_pack("{s:s, s:i, s:i, s:b, s:b}", "name", c->name, "version",
					 c->version, "items", (int)c->n, "is_default",
					 c->is_default, "active", c->active));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = reply_json(r, 200, scorecard_json(c));
	free(c);
	return rc;
}

/* ---- Plans and settings ---- */

static json_t *plan_json(const struct qa_plan *p)
{
	return json_pack("{s:s, s:i, s:i}", "mode", p->mode == QP_COUNT ? "count" : "ratio",
			 "ratio_pct", p->ratio_pct, "count", p->count);
}

static int reply_plans(struct req *r, unsigned status)
{
	struct qa_plan reg, hire;
	int rc = qa_plan_get(r->store, "regular", &reg);

	if (rc == 0)
		rc = qa_plan_get(r->store, "new_hire", &hire);
	if (rc < 0)
		return rc;
	return reply_json(
		r, status,
		json_pack("{s:o, s:o}", "regular", plan_json(&reg), "new_hire", plan_json(&hire)));
}

/* GET /api/qa/plans */
static int plans_get(struct req *r)
{
	return reply_plans(r, 200);
}

static int parse_plan(struct req *r, const char *code, struct qa_plan *p, int *given)
{
	json_t *o = json_object_get(r->body, code), *mode, *v;
	const char *k;
	char field[48];
	int rc = 0;

	*given = o != NULL;
	if (!o)
		return 0;
	if (!json_is_object(o))
		return err_set(&r->ei, ERR_INVALID, code, "%s: expected an object", code);
	json_object_foreach(o, k, v)
	{
		if (strcmp(k, "mode") && strcmp(k, "ratio_pct") && strcmp(k, "count"))
			return err_set(&r->ei, ERR_INVALID, code, "%s: unknown field %.40s", code,
				       k);
	}
	mode = json_object_get(o, "mode");
	if (mode) {
		const char *m = json_string_value(mode);

		snprintf(field, sizeof(field), "%s.mode", code);
		if (!m || (strcmp(m, "ratio") && strcmp(m, "count")))
			return err_set(&r->ei, ERR_UNPROCESSABLE, field, "%s: ratio or count",
				       field);
		p->mode = strcmp(m, "count") == 0 ? QP_COUNT : QP_RATIO;
	}
	v = json_object_get(o, "ratio_pct");
	snprintf(field, sizeof(field), "%s.ratio_pct", code);
	if (v && (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, field,
			     "%s: expected a whole number from %lld to %lld", field, 0LL, 100LL);
	else if (v)
		p->ratio_pct = (int)json_integer_value(v);
	v = json_object_get(o, "count");
	snprintf(field, sizeof(field), "%s.count", code);
	if (v && (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, field,
			     "%s: expected a whole number from %lld to %lld", field, 0LL, 1000LL);
	else if (v)
		p->count = (int)json_integer_value(v);
	return rc;
}

/* PUT /api/qa/plans {regular?, new_hire?} */
static int plans_put(struct req *r)
{
	static const char *const fields[] = {"regular", "new_hire", NULL};
	struct qa_plan reg, hire;
	int greg = 0, ghire = 0, rc = body_only(r, fields);

	if (rc == 0)
		rc = qa_plan_get(r->store, "regular", &reg);
	if (rc == 0)
		rc = qa_plan_get(r->store, "new_hire", &hire);
	if (rc == 0)
		rc = parse_plan(r, "regular", &reg, &greg);
	if (rc == 0)
		rc = parse_plan(r, "new_hire", &hire, &ghire);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	if (greg)
		rc = qa_plan_set(r->store, "regular", &reg, r->now);
	if (rc == 0 && ghire)
		rc = qa_plan_set(r->store, "new_hire", &hire, r->now);
	if (rc == 0)
		rc = req_audit(r, "qa.plans.update", "qa_plan", 0, "ok",
			       json_pack("{s:o, s:o}", "regular", plan_json(&reg), "new_hire",
					 plan_json(&hire)));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_plans(r, 200);
}

static const struct {
	const char *key;
	int64_t lo, hi;
} setting_keys[] = {
	{"appeal_days", 1, 30}, {"appeal2_days", 1, 30}, {"new_hire_days", 0, 365},
	{"low_survey", 0, 4},	{"must_review", 0, 1},	 {"sample_seed", 0, 2147483647},
};
#define NSETTINGS (sizeof(setting_keys) / sizeof(setting_keys[0]))

static int reply_settings(struct req *r, unsigned status)
{
	struct qa_settings s;
	int rc = qa_settings_get(r->store, &s);

	if (rc < 0)
		return rc;
	return reply_json(r, status,
			  json_pack("{s:i, s:i, s:i, s:i, s:b, s:I}", "appeal_days", s.appeal_days,
				    "appeal2_days", s.appeal2_days, "new_hire_days",
				    s.new_hire_days, "low_survey", s.low_survey, "must_review",
				    s.must_review, "sample_seed", (json_int_t)s.sample_seed));
}

/* GET /api/qa/settings */
static int settings_get(struct req *r)
{
	return reply_settings(r, 200);
}

/* PATCH /api/qa/settings: any of the keys. */
static int settings_patch(struct req *r)
{
	int64_t values[NSETTINGS];
	int given[NSETTINGS] = {0};
	const char *k;
	json_t *v, *detail;
	int rc = 0;

	if (!r->body)
		return err_set(&r->ei, ERR_INVALID, NULL, "expected a JSON object");
	json_object_foreach(r->body, k, v)
	{
		size_t i;

		for (i = 0; i < NSETTINGS && strcmp(k, setting_keys[i].key); i++)
			;
		if (i == NSETTINGS) {
			rc = err_add(&r->ei, rc, ERR_INVALID, k, "%s: unknown setting", k);
			continue;
		}
		if (strcmp(k, "must_review") == 0 && json_is_boolean(v)) {
			values[i] = json_is_true(v);
		} else if (json_is_integer(v) && json_integer_value(v) >= setting_keys[i].lo &&
			   json_integer_value(v) <= setting_keys[i].hi) {
			values[i] = json_integer_value(v);
		} else {
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, k,
				     "%s: expected a whole number from %lld to %lld", k,
				     (long long)setting_keys[i].lo, (long long)setting_keys[i].hi);
			continue;
		}
		given[i] = 1;
	}
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	detail = json_object();
	for (size_t i = 0; rc == 0 && i < NSETTINGS; i++)
		if (given[i]) {
			rc = qa_review_setting_set(r->store, setting_keys[i].key, values[i],
						   r->now);
			json_object_set_new(detail, setting_keys[i].key, json_integer(values[i]));
		}
	if (rc == 0)
		rc = req_audit(r, "qa.settings.update", "qa_review_setting", 0, "ok", detail);
	else
		json_decref(detail);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_settings(r, 200);
}

/* ---- The queue and assessments ---- */

static int brief_row(void *ctx, const struct qa_assessment *a)
{
	return json_array_append_new(ctx, brief_json(a));
}

/* GET /api/qa/queue: open assessments, must-review first, then the oldest contact. */
static int queue(struct req *r)
{
	struct qa_assessment_filter f;
	json_t *items = json_array();
	int64_t agent = 0;
	int rc = req_query_int(r, "agent_id", 1, INT64_MAX, &agent);

	memset(&f, 0, sizeof(f));
	f.open = 1;
	f.agent_id = agent;
	/* Nobody reviews their own calls: a supervisor's are left to the others. */
	f.not_agent = r->who.person_id;
	f.limit = 500;
	if (rc == 0)
		rc = qa_assessment_list(r->store, &f, brief_row, items);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int load(struct req *r, struct qa_assessment *a)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = qa_assessment_get(r->store, id, a);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such assessment");
	return rc;
}

/* POST /api/qa/assessments {kind, ref_id}: a contact picked by hand. */
static int pick(struct req *r)
{
	static const char *const fields[] = {"kind", "ref_id", NULL};
	struct qa_assessment *a = malloc(sizeof(*a));
	const char *kind = NULL;
	json_t *ref = json_object_get(r->body, "ref_id");
	int rc = a ? body_only(r, fields) : ERR_NOMEM;

	if (rc == 0)
		rc = body_str(r, "kind", 1, &kind);
	if (rc == 0 && strcmp(kind, "call") != 0)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "kind", "kind: only calls for now");
	if (rc == 0 && (!json_is_integer(ref) || json_integer_value(ref) < 1))
		rc = err_set(&r->ei, ERR_INVALID, "ref_id", "%s: expected an id", "ref_id");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0) {
		free(a);
		return rc;
	}
	rc = qa_pick(r->store, kind, json_integer_value(ref), QR_MANUAL, r->now, a);
	if (rc == ERR_NOTFOUND)
		rc = err_set(&r->ei, ERR_NOTFOUND, "ref_id", "no such call");
	else if (rc == ERR_CONFLICT)
		rc = err_set(&r->ei, ERR_CONFLICT, "ref_id",
			     "this contact is already picked for review");
	else if (rc == ERR_UNPROCESSABLE)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "ref_id",
			     "only a call an agent answered can be reviewed");
	if (rc == 0)
		rc = req_audit(r, "qa.assessment.pick", "qa_assessment", a->id, "ok",
			       json_pack("{s:s, s:I, s:I}", "kind", a->kind, "ref_id",
					 (json_int_t)a->ref_id, "agent_id",
					 (json_int_t)a->agent_id));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = qa_assessment_get(r->store, a->id, a);
	if (rc == 0)
		rc = reply_full(r, 201, a);
	free(a);
	return rc;
}

/* GET /api/qa/assessments/{id}: reviewers any; an agent their own once closed. */
static int get_one(struct req *r)
{
	struct qa_assessment *a = malloc(sizeof(*a));
	struct auth_target t = {0, 0};
	int rc = a ? load(r, a) : ERR_NOMEM;

	if (rc == 0) {
		t.person_id = a->agent_id;
		rc = req_authorize_on(r, ACT_QA_READ, &t, "qa_assessment", a->id);
	}
	/* The agent sees the result, not the reviewer's draft: a supervisor reviewing others
	 * neither sees the draft of a review of their own call. */
	if (rc == 0 && (!is_reviewer(r) || a->agent_id == r->who.person_id) &&
	    (strcmp(a->state, "open") == 0 || strcmp(a->state, "draft") == 0))
		rc = err_set(&r->ei, ERR_FORBIDDEN, NULL, "this assessment is not closed yet");
	if (rc == 0)
		rc = reply_full(r, 200, a);
	free(a);
	return rc;
}

/* scores: an array of the scorecard's length, each null or 0..max_points. */
static int parse_scores(struct req *r, const struct qa_scorecard *sc, struct qa_assessment *a)
{
	json_t *arr = json_object_get(r->body, "scores"), *v;
	size_t i;
	int rc = 0;

	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return err_set(&r->ei, ERR_INVALID, "scores", "%s: expected an array", "scores");
	if (json_array_size(arr) != sc->n)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "scores",
			       "scores: one for each of the %d items", (int)sc->n);
	json_array_foreach(arr, i, v)
	{
		char field[32];

		snprintf(field, sizeof(field), "scores[%zu]", i);
		if (json_is_null(v)) {
			a->scores[i] = -1;
		} else if (json_is_integer(v) && json_integer_value(v) >= 0 &&
			   json_integer_value(v) <= sc->items[i].max_points) {
			a->scores[i] = (int)json_integer_value(v);
		} else {
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, field,
				     "%s: expected a whole number from %lld to %lld", field, 0LL,
				     (long long)sc->items[i].max_points);
		}
	}
	a->nscores = sc->n;
	return rc;
}

/* The reviewer's edits (PATCH and close): a reviewer never scores their own call. */
static int edit_prepare(struct req *r, struct qa_assessment *a, struct qa_scorecard *sc,
			enum qa_step step)
{
	static const char *const fields[] = {"scores", "comment", NULL};
	const char *comment = NULL, *why = NULL;
	int rc = body_only(r, fields);

	if (rc == 0)
		rc = load(r, a);
	if (rc == 0 && a->agent_id == r->who.person_id)
		rc = err_set(&r->ei, ERR_FORBIDDEN, NULL, "nobody reviews their own contacts");
	if (rc == 0 && qa_step_check(a->state, step, a->appeals, a->appeal_until, r->now, &why))
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "%s", why);
	if (rc == 0)
		rc = qa_scorecard_get(r->store, a->scorecard_id, a->scorecard_version, sc);
	if (rc == 0)
		rc = parse_scores(r, sc, a);
	if (rc == 0)
		rc = body_str(r, "comment", 0, &comment);
	if (rc == 0 && comment && utf8_len(comment) > QA_COMMENT_MAX)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "comment", "%s: at most %d characters",
			     "comment", QA_COMMENT_MAX);
	if (rc == 0 && comment)
		snprintf(a->comment, sizeof(a->comment), "%s", comment);
	if (rc == 0) {
		a->reviewer_id = r->who.person_id;
		snprintf(a->reviewer_name, sizeof(a->reviewer_name), "%s", r->who.name);
		a->updated_at = r->now;
	}
	return rc;
}

static json_t *scores_detail(const struct qa_assessment *a)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < a->nscores; i++)
		json_array_append_new(arr, int_or_null(a->scores[i]));
	return arr;
}

/* PATCH /api/qa/assessments/{id} {scores?, comment?}: the draft. */
static int patch(struct req *r)
{
	struct qa_assessment *a = malloc(sizeof(*a));
	struct qa_scorecard *sc = malloc(sizeof(*sc));
	int rc = a && sc ? edit_prepare(r, a, sc, QS_EDIT) : ERR_NOMEM;

	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0) {
		snprintf(a->state, sizeof(a->state), "draft");
		rc = qa_assessment_save(r->store, a);
		if (rc == 0)
			rc = req_audit(r, "qa.assessment.update", "qa_assessment", a->id, "ok",
				       json_pack("{s:o, s:s}", "scores", scores_detail(a),
						 "comment", a->comment));
		rc = req_finish(r, rc);
	}
	if (rc == 0)
		rc = reply_full(r, 200, a);
	free(a);
	free(sc);
	return rc;
}

/* POST /api/qa/assessments/{id}/close {scores?, comment?}: every item scored. */
static int close_one(struct req *r)
{
	struct qa_assessment *a = malloc(sizeof(*a));
	struct qa_scorecard *sc = malloc(sizeof(*sc));
	struct qa_settings set;
	char text[NOTIFY_TEXT_SIZE];
	size_t bad = 0;
	int rc = a && sc ? edit_prepare(r, a, sc, QS_CLOSE) : ERR_NOMEM;

	if (rc == 0)
		rc = qa_settings_get(r->store, &set);
	if (rc == 0 && qa_total(sc->items, sc->n, a->scores, &a->total, &a->fatal, &bad) < 0) {
		char field[32];

		snprintf(field, sizeof(field), "scores[%zu]", bad);
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, field,
			     "%s: score every item before closing", field);
	}
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0) {
		snprintf(a->state, sizeof(a->state), "closed");
		a->closed_at = r->now;
		a->final_score = a->total;
		a->appeal_until = r->now + (int64_t)set.appeal_days * DAY_MS;
		rc = qa_assessment_save(r->store, a);
		snprintf(text, sizeof(text),
			 "您的质检评分第 %lld 号已出：%d 分%s，可在我的质检中查看",
			 (long long)a->id, a->total, a->fatal ? "（致命项）" : "");
		if (rc == 0)
			rc = qa_notify_agent(r->store, a, "qa.closed", text, r->now);
		if (rc == 0)
			rc = req_audit(r, "qa.assessment.close", "qa_assessment", a->id, "ok",
				       json_pack("{s:o, s:i, s:b, s:I}", "scores", scores_detail(a),
						 "total", a->total, "fatal", a->fatal,
						 "appeal_until", (json_int_t)a->appeal_until));
		rc = req_finish(r, rc);
		if (rc == 0)
			notify_wake();
	}
	if (rc == 0)
		rc = reply_full(r, 200, a);
	free(a);
	free(sc);
	return rc;
}

/* POST /api/qa/assessments/{id}/comments {at_ms, text}: a remark at a time in the call. */
static int comment_add(struct req *r)
{
	static const char *const fields[] = {"at_ms", "text", NULL};
	struct qa_assessment *a = malloc(sizeof(*a));
	struct qa_comment *c = calloc(1, sizeof(*c));
	json_t *at = json_object_get(r->body, "at_ms");
	const char *text = NULL, *why = NULL;
	int rc = a && c ? body_only(r, fields) : ERR_NOMEM;

	if (rc == 0 && (!json_is_integer(at) || json_integer_value(at) < 0 ||
			json_integer_value(at) > 86400000))
		rc = err_add(&r->ei, rc, ERR_INVALID, "at_ms",
			     "%s: expected a whole number from %lld to %lld", "at_ms", 0LL,
			     86400000LL);
	if (rc == 0)
		rc = body_str(r, "text", 1, &text);
	if (rc == 0 && (utf8_blank(text) || utf8_len(text) > QA_COMMENT_MAX))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "text", "%s: %d to %d characters", "text",
			     1, QA_COMMENT_MAX);
	if (rc == 0)
		rc = load(r, a);
	if (rc == 0 && a->agent_id == r->who.person_id)
		rc = err_set(&r->ei, ERR_FORBIDDEN, NULL, "nobody reviews their own contacts");
	/* Remarks belong to the scoring: a closed assessment is never changed (QA-1). */
	if (rc == 0 && qa_step_check(a->state, QS_EDIT, a->appeals, a->appeal_until, r->now, &why))
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "%s", why);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0) {
		c->assessment_id = a->id;
		c->at_ms = json_integer_value(at);
		snprintf(c->text, sizeof(c->text), "%s", text);
		c->author_id = r->who.person_id;
		snprintf(c->author_name, sizeof(c->author_name), "%s", r->who.name);
		c->created_at = r->now;
		rc = qa_comment_insert(r->store, c);
		if (rc == 0)
			rc = req_audit(r, "qa.comment.add", "qa_assessment", a->id, "ok",
				       json_pack("{s:I, s:I, s:s}", "comment_id", (json_int_t)c->id,
						 "at_ms", (json_int_t)c->at_ms, "text", c->text));
		rc = req_finish(r, rc);
	}
	if (rc == 0)
		rc = reply_json(r, 201, comment_json(c));
	free(a);
	free(c);
	return rc;
}

/* GET /api/me/qa: one's own closed assessments, newest first. */
static int mine(struct req *r)
{
	struct qa_assessment_filter f;
	json_t *items = json_array();
	int64_t cursor = 0;
	int limit, rc = req_page(r, &limit, &cursor);

	memset(&f, 0, sizeof(f));
	f.closed = 1;
	f.agent_id = r->who.person_id;
	f.before = cursor;
	f.limit = limit;
	if (rc == 0)
		rc = qa_assessment_list(r->store, &f, brief_row, items);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	/* What the agent may do with each. */
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *o = json_array_get(items, i);
		const char *why;
		json_t *until = json_object_get(o, "appeal_until");

		json_object_set_new(
			o, "may_appeal",
			json_boolean(
				qa_step_check(
					json_string_value(json_object_get(o, "state")), QS_APPEAL,
					(int)json_integer_value(json_object_get(o, "appeal_count")),
					json_integer_value(until), r->now, &why) == 0));
	}
	return reply_page(r, items,
			  rc == limit ? json_integer_value(json_object_get(
						json_array_get(items, (size_t)rc - 1), "id"))
				      : 0);
}

/* POST /api/qa/assessments/{id}/appeal {reason}: the agent, within the window. */
static int appeal(struct req *r)
{
	static const char *const fields[] = {"reason", NULL};
	struct qa_assessment *a = malloc(sizeof(*a));
	struct qa_appeal *p = calloc(1, sizeof(*p));
	const char *reason = NULL, *why = NULL;
	int rc = a && p ? body_only(r, fields) : ERR_NOMEM;

	if (rc == 0)
		rc = body_str(r, "reason", 1, &reason);
	if (rc == 0 && (utf8_blank(reason) || utf8_len(reason) > QA_COMMENT_MAX))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "reason", "%s: %d to %d characters",
			     "reason", 1, QA_COMMENT_MAX);
	if (rc == 0)
		rc = load(r, a);
	if (rc == 0 && a->agent_id != r->who.person_id)
		rc = err_set(&r->ei, ERR_FORBIDDEN, NULL,
			     "only the agent appeals their assessment");
	if (rc == 0 &&
	    qa_step_check(a->state, QS_APPEAL, a->appeals, a->appeal_until, r->now, &why))
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "%s", why);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0) {
		p->assessment_id = a->id;
		p->level = a->appeals + 1;
		p->agent_id = a->agent_id;
		snprintf(p->agent_name, sizeof(p->agent_name), "%s", a->agent_name);
		snprintf(p->reason, sizeof(p->reason), "%s", reason);
		snprintf(p->state, sizeof(p->state), "pending");
		p->old_score = a->final_score;
		p->decision = p->new_score = -1;
		p->created_at = r->now;
		rc = qa_appeal_insert(r->store, p);
		a->appeals = p->level;
		a->updated_at = r->now;
		snprintf(a->state, sizeof(a->state), "appealed");
		if (rc == 0)
			rc = qa_assessment_save(r->store, a);
		if (rc == 0)
			rc = qa_notify_deciders(r->store, a, p->level, r->now);
		if (rc == 0)
			rc = req_audit(r, "qa.appeal.create", "qa_assessment", a->id, "ok",
				       json_pack("{s:I, s:i, s:s, s:i}", "appeal_id",
						 (json_int_t)p->id, "level", p->level, "reason",
						 p->reason, "score", p->old_score));
		rc = req_finish(r, rc);
		if (rc == 0)
			notify_wake();
	}
	if (rc == 0)
		rc = reply_json(r, 201, appeal_json(p));
	free(a);
	free(p);
	return rc;
}

struct appeal_list {
	struct req *r;
	json_t *items;
};

static int appeal_list_row(void *ctx, const struct qa_appeal *p)
{
	struct appeal_list *l = ctx;
	struct qa_assessment *a = malloc(sizeof(*a));
	json_t *o = appeal_json(p);
	int rc = a ? qa_assessment_get(l->r->store, p->assessment_id, a) : ERR_NOMEM;

	if (rc == 0) {
		json_object_set_new(o, "assessment",
				    json_pack("{s:s, s:I, s:I, s:o, s:b, s:s}", "kind", a->kind,
					      "ref_id", (json_int_t)a->ref_id, "contact_at",
					      (json_int_t)a->contact_at, "final_score",
					      int_or_null(a->final_score), "fatal", a->fatal,
					      "agent_work_no", a->agent_work_no));
		json_object_set_new(o, "may_decide",
				    json_boolean(strcmp(p->state, "pending") == 0 &&
						 may_decide_level(l->r, p->level) &&
						 p->agent_id != l->r->who.person_id));
		rc = json_array_append_new(l->items, o);
		o = NULL;
	}
	json_decref(o);
	free(a);
	return rc;
}

/* GET /api/qa/appeals?state=pending|all: pending ones the caller may decide, or all. */
static int appeals_list(struct req *r)
{
	struct appeal_list l = {r, json_array()};
	const char *state = NULL;
	int rc = req_query(r, "state", &state), level = 0, all = 0;

	if (rc == 0 && state && strcmp(state, "pending") && strcmp(state, "all"))
		rc = err_set(&r->ei, ERR_INVALID, "state", "state: pending or all");
	if (rc == 0) {
		all = state && strcmp(state, "all") == 0;
		/* By default the ones waiting for the caller's level. */
		if (!all && !may_decide_level(r, 2))
			level = 1;
		else if (!all && !may_decide_level(r, 1))
			level = 2;
		rc = qa_appeals(r->store, 0, !all, level, appeal_list_row, &l);
	}
	if (rc < 0) {
		json_decref(l.items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", l.items));
}

/* POST /api/qa/appeals/{id}/decide {decision, score?, reason} */
static int decide(struct req *r)
{
	static const char *const fields[] = {"decision", "score", "reason", NULL};
	struct qa_assessment *a = malloc(sizeof(*a));
	struct qa_appeal *p = malloc(sizeof(*p));
	struct qa_settings set;
	const char *decision = NULL, *reason = NULL, *why = NULL;
	json_t *score = json_object_get(r->body, "score");
	char text[NOTIFY_TEXT_SIZE];
	int64_t id;
	int dec = -1, rc = a && p ? body_only(r, fields) : ERR_NOMEM;

	if (rc == 0)
		rc = body_str(r, "decision", 1, &decision);
	if (rc == 0 && (dec = qa_decision_parse(decision)) < 0)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "decision",
			     "decision: upheld, changed or rejected");
	if (rc == 0 && dec == QDEC_CHANGED &&
	    (!json_is_integer(score) || json_integer_value(score) < 0 ||
	     json_integer_value(score) > 100))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "score",
			     "score: a changed score from 0 to 100 is required");
	if (rc == 0 && dec != QDEC_CHANGED && score && !json_is_null(score))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "score",
			     "score: only a changed decision gives a score");
	if (rc == 0)
		rc = body_str(r, "reason", 1, &reason);
	if (rc == 0 && (utf8_blank(reason) || utf8_len(reason) > QA_COMMENT_MAX))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "reason", "%s: %d to %d characters",
			     "reason", 1, QA_COMMENT_MAX);
	if (rc == 0)
		rc = req_param_id(r, 0, &id);
	if (rc == 0 && (rc = qa_appeal_get(r->store, id, p)) == ERR_NOTFOUND)
		rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "no such appeal");
	if (rc == 0 && !may_decide_level(r, p->level) && p->level == 1)
		rc = err_set(&r->ei, ERR_FORBIDDEN, NULL,
			     "a first appeal is decided by a supervisor");
	if (rc == 0 && !may_decide_level(r, p->level))
		rc = err_set(&r->ei, ERR_FORBIDDEN, NULL,
			     "a second appeal is decided by a quality inspector or the manager");
	if (rc == 0 && p->agent_id == r->who.person_id)
		rc = err_set(&r->ei, ERR_FORBIDDEN, NULL, "nobody decides their own appeal");
	if (rc == 0)
		rc = qa_assessment_get(r->store, p->assessment_id, a);
	if (rc == 0 && strcmp(p->state, "pending") != 0)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "this appeal is decided");
	if (rc == 0 &&
	    qa_step_check(a->state, QS_DECIDE, a->appeals, a->appeal_until, r->now, &why))
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "%s", why);
	if (rc == 0)
		rc = qa_settings_get(r->store, &set);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0) {
		snprintf(p->state, sizeof(p->state), "decided");
		p->decision = dec;
		p->new_score = dec == QDEC_CHANGED ? (int)json_integer_value(score) : -1;
		snprintf(p->decision_reason, sizeof(p->decision_reason), "%s", reason);
		p->decided_by = r->who.person_id;
		snprintf(p->decided_name, sizeof(p->decided_name), "%s", r->who.name);
		p->decided_at = r->now;
		rc = qa_appeal_save(r->store, p);
		a->final_score = qa_decided_score(dec, a->final_score, p->new_score);
		snprintf(a->state, sizeof(a->state), "closed");
		/* After the first decision the agent may appeal once more; after the second, no
		 * more. */
		a->appeal_until =
			p->level == 1 ? r->now + (int64_t)set.appeal2_days * DAY_MS : r->now;
		a->updated_at = r->now;
		if (rc == 0)
			rc = qa_assessment_save(r->store, a);
		snprintf(text, sizeof(text),
			 "您对质检评分第 %lld 号的%s申诉已处理：%s，最终得分 %d 分",
			 (long long)a->id, p->level == 1 ? "" : "二次",
			 dec == QDEC_UPHELD    ? "维持原评分"
			 : dec == QDEC_CHANGED ? "改判"
					       : "驳回",
			 a->final_score);
		if (rc == 0)
			rc = qa_notify_agent(r->store, a, "qa.decided", text, r->now);
		if (rc == 0)
			rc = req_audit(r, "qa.appeal.decide", "qa_assessment", a->id, "ok",
				       json_pack("{s:I, s:i, s:s, s:o, s:i, s:s}", "appeal_id",
						 (json_int_t)p->id, "level", p->level, "decision",
						 qa_decision_name(dec), "score",
						 int_or_null(p->new_score), "final_score",
						 a->final_score, "reason", p->decision_reason));
		rc = req_finish(r, rc);
		if (rc == 0)
			notify_wake();
	}
	if (rc == 0)
		rc = reply_json(r, 200, appeal_json(p));
	free(a);
	free(p);
	return rc;
}

const struct route qa_review_routes[] = {
	{"GET", "/api/qa/scorecards", scorecards_list, ACT_QA_REVIEW},
	{"POST", "/api/qa/scorecards", scorecard_create, ACT_QA_CONFIG},
	{"GET", "/api/qa/scorecards/{id}", scorecard_get, ACT_QA_REVIEW},
	{"PATCH", "/api/qa/scorecards/{id}", scorecard_patch, ACT_QA_CONFIG},
	{"GET", "/api/qa/plans", plans_get, ACT_QA_REVIEW},
	{"PUT", "/api/qa/plans", plans_put, ACT_QA_CONFIG},
	{"GET", "/api/qa/settings", settings_get, ACT_QA_REVIEW},
	{"PATCH", "/api/qa/settings", settings_patch, ACT_QA_CONFIG},
	{"GET", "/api/qa/queue", queue, ACT_QA_REVIEW},
	{"POST", "/api/qa/assessments", pick, ACT_QA_REVIEW},
	{"GET", "/api/qa/assessments/{id}", get_one, ACT_QA_READ},
	{"PATCH", "/api/qa/assessments/{id}", patch, ACT_QA_REVIEW},
	{"POST", "/api/qa/assessments/{id}/close", close_one, ACT_QA_REVIEW},
	{"POST", "/api/qa/assessments/{id}/comments", comment_add, ACT_QA_REVIEW},
	{"POST", "/api/qa/assessments/{id}/appeal", appeal, ACT_QA_APPEAL},
	{"GET", "/api/me/qa", mine, ACT_QA_APPEAL},
	{"GET", "/api/qa/appeals", appeals_list, ACT_QA_DECIDE},
	{"POST", "/api/qa/appeals/{id}/decide", decide, ACT_QA_DECIDE},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
