/*
 * The review's SQL (migration 21), and what it reads of the others' tables:
 * the call log, contacts and work orders for must-review, the automatic
 * check of migration 20. The item scores are stored as a JSON array in the
 * scorecard items' order (null: not scored yet).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "qa/qa.h"
#include "store/store.h"

/* ---- Scorecards ---- */

static int scorecard_read(struct store_stmt *st, void *dst)
{
	struct qa_scorecard *c = dst;

	c->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, c->name);
	c->version = (int)store_col_int(st, 2);
	c->is_default = (int)store_col_int(st, 3);
	c->active = (int)store_col_int(st, 4);
	c->created_at = store_col_int(st, 5);
	c->updated_at = store_col_int(st, 6);
	c->n = 0;
	return 0;
}

#define SC_COLS "id, name, version, is_default, active, created_at, updated_at"

static int item_read(struct store_stmt *st, void *dst)
{
	struct qa_item *it = dst;

	it->pos = (int)store_col_int(st, 0);
	it->dimension = qa_dimension_parse(store_col_text(st, 1));
	STORE_COL_COPY(st, 2, it->label);
	it->max_points = (int)store_col_int(st, 3);
	it->weight = (int)store_col_int(st, 4);
	it->fatal = (int)store_col_int(st, 5);
	return 0;
}

static int items_load(struct store *s, struct qa_scorecard *c, int version)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT pos, dimension, label, max_points, weight, fatal FROM qa_scorecard_item"
		" WHERE scorecard_id = ? AND version = ? ORDER BY pos",
		"ii", c->id, (int64_t)version);
	int rc;

	c->n = 0;
	while (c->n < QA_ITEMS_MAX && (rc = store_next(st, item_read, &c->items[c->n])) == 1)
		c->n++;
	if (c->n == QA_ITEMS_MAX)
		rc = 0;
	rc = store_end(st, rc, (int)c->n);
	if (rc >= 0 && c->n == 0)
		return ERR_NOTFOUND;
	return rc < 0 ? rc : 0;
}

int qa_scorecard_get(struct store *s, int64_t id, int version, struct qa_scorecard *out)
{
	int rc = store_one(
		store_query(s, "SELECT " SC_COLS " FROM qa_scorecard WHERE id = ?", "i", id),
		scorecard_read, out);

	if (rc < 0)
		return rc;
	return items_load(s, out, version ? version : out->version);
}

int qa_scorecard_default(struct store *s, struct qa_scorecard *out)
{
	int rc = store_one(store_query(s,
				       "SELECT " SC_COLS " FROM qa_scorecard"
				       " WHERE is_default = 1 AND active = 1",
				       ""),
			   scorecard_read, out);

	if (rc < 0)
		return rc;
	return items_load(s, out, out->version);
}

int qa_scorecard_list(struct store *s, qa_scorecard_fn fn, void *ctx)
{
	int64_t ids[256];
	int n = 0, rc;
	struct qa_scorecard *c = malloc(sizeof(*c));
	struct store_stmt *st = store_query(s, "SELECT id FROM qa_scorecard ORDER BY id", "");

	if (!c) {
		store_done(st);
		return ERR_NOMEM;
	}
	while (n < 256 && (rc = store_next(st, NULL, NULL)) == 1)
		ids[n++] = store_col_int(st, 0);
	if (n == 256)
		rc = 0;
	rc = store_end(st, rc, n);
	for (int i = 0; rc >= 0 && i < n; i++) {
		rc = qa_scorecard_get(s, ids[i], 0, c);
		if (rc == 0)
			rc = fn(ctx, c);
	}
	free(c);
	return rc < 0 ? rc : n;
}

static int items_insert(struct store *s, const struct qa_scorecard *c, int64_t by, int64_t now)
{
	int rc = store_run(s,
			   "INSERT INTO qa_scorecard_version(scorecard_id, version, created_by,"
			   " created_at) VALUES (?, ?, ?, ?)",
			   NULL, "iidi", c->id, (int64_t)c->version, by, now);

	for (size_t i = 0; rc >= 0 && i < c->n; i++)
		rc = store_run(
			s,
			"INSERT INTO qa_scorecard_item(scorecard_id, version, pos, dimension,"
			" label, max_points, weight, fatal) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			NULL, "iiittiii", c->id, (int64_t)c->version, (int64_t)(i + 1),
			qa_dimension_name(c->items[i].dimension), c->items[i].label,
			(int64_t)c->items[i].max_points, (int64_t)c->items[i].weight,
			(int64_t)c->items[i].fatal);
	return rc < 0 ? rc : 0;
}

/* Only one default: making c the default takes it from the others. */
static int default_take(struct store *s, const struct qa_scorecard *c)
{
	if (!c->is_default)
		return 0;
	return store_run(s,
			 "UPDATE qa_scorecard SET is_default = 0 WHERE is_default = 1 AND id <> ?",
			 NULL, "i", c->id);
}

int qa_scorecard_insert(struct store *s, struct qa_scorecard *c, int64_t by, int64_t now)
{
	int rc;

	c->version = 1;
	c->created_at = c->updated_at = now;
	if (c->is_default)
		rc = store_run(s, "UPDATE qa_scorecard SET is_default = 0 WHERE is_default = 1",
			       NULL, "");
	else
		rc = 0;
	if (rc >= 0)
		rc = store_run(s,
			       "INSERT INTO qa_scorecard(name, version, is_default, active,"
			       " created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?) RETURNING id",
			       &c->id, "tiiii", c->name, (int64_t)c->is_default, (int64_t)c->active,
			       now, now);
	if (rc < 0)
		return rc;
	return items_insert(s, c, by, now);
}

int qa_scorecard_new_version(struct store *s, struct qa_scorecard *c, int64_t by, int64_t now)
{
	int rc = default_take(s, c);

	c->version++;
	c->updated_at = now;
	if (rc >= 0)
		rc = store_run(s,
			       "UPDATE qa_scorecard SET name = ?, version = ?, is_default = ?,"
			       " active = ?, updated_at = ? WHERE id = ?",
			       NULL, "tiiiii", c->name, (int64_t)c->version, (int64_t)c->is_default,
			       (int64_t)c->active, now, c->id);
	if (rc < 0)
		return rc;
	return items_insert(s, c, by, now);
}

/* ---- Plans and settings ---- */

static int plan_read(struct store_stmt *st, void *dst)
{
	struct qa_plan *p = dst;
	const char *mode = store_col_text(st, 0);

	p->mode = mode && strcmp(mode, "count") == 0 ? QP_COUNT : QP_RATIO;
	p->ratio_pct = (int)store_col_int(st, 1);
	p->count = (int)store_col_int(st, 2);
	return 0;
}

int qa_plan_get(struct store *s, const char *code, struct qa_plan *out)
{
	return store_one(store_query(s, "SELECT mode, ratio_pct, count FROM qa_plan WHERE code = ?",
				     "t", code),
			 plan_read, out);
}

int qa_plan_set(struct store *s, const char *code, const struct qa_plan *p, int64_t now)
{
	int rc = store_run(s,
			   "UPDATE qa_plan SET mode = ?, ratio_pct = ?, count = ?, updated_at = ?"
			   " WHERE code = ?",
			   NULL, "tiiit", p->mode == QP_COUNT ? "count" : "ratio",
			   (int64_t)p->ratio_pct, (int64_t)p->count, now, code);

	return rc < 0 ? rc : 0;
}

static int64_t setting(struct store *s, const char *key, int64_t fallback, int *rc)
{
	int64_t v = fallback;
	int r = store_run(s, "SELECT value FROM qa_review_setting WHERE key = ?", &v, "t", key);

	if (r < 0)
		*rc = r;
	return r == 1 ? v : fallback;
}

int qa_settings_get(struct store *s, struct qa_settings *out)
{
	int rc = 0;

	out->appeal_days = (int)setting(s, "appeal_days", 3, &rc);
	out->appeal2_days = (int)setting(s, "appeal2_days", 3, &rc);
	out->new_hire_days = (int)setting(s, "new_hire_days", 90, &rc);
	out->low_survey = (int)setting(s, "low_survey", 2, &rc);
	out->must_review = (int)setting(s, "must_review", 1, &rc);
	out->sample_seed = setting(s, "sample_seed", 20261207, &rc);
	return rc;
}

int qa_review_setting_set(struct store *s, const char *key, int64_t value, int64_t now)
{
	int rc = store_run(s,
			   "INSERT INTO qa_review_setting(key, value, updated_at) VALUES (?, ?, ?)"
			   " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
			   " updated_at = excluded.updated_at",
			   NULL, "tii", key, value, now);

	return rc < 0 ? rc : 0;
}

/* ---- Assessments ---- */

#define AS_COLS                                                                                    \
	"a.id, a.kind, a.ref_id, a.agent_id, ag.name, ag.work_no, a.reviewer_id, rv.name,"         \
	" a.scorecard_id, a.scorecard_version, a.reason, a.must, a.contact_at, a.state, a.scores," \
	" a.total, a.fatal, a.comment, a.final_score, a.appeals, a.appeal_until, a.created_at,"    \
	" a.updated_at, a.closed_at"
#define AS_FROM                                                                                    \
	" FROM qa_assessment a JOIN person ag ON ag.id = a.agent_id"                               \
	" LEFT JOIN person rv ON rv.id = a.reviewer_id"

static void scores_parse(const char *text, struct qa_assessment *a)
{
	json_t *arr = text ? json_loads(text, 0, NULL) : NULL;
	size_t i;
	json_t *v;

	a->nscores = 0;
	if (!json_is_array(arr)) {
		json_decref(arr);
		return;
	}
	json_array_foreach(arr, i, v)
	{
		if (i >= QA_ITEMS_MAX)
			break;
		a->scores[i] = json_is_integer(v) ? (int)json_integer_value(v) : -1;
		a->nscores = i + 1;
	}
	json_decref(arr);
}

static int assessment_read(struct store_stmt *st, void *dst)
{
	struct qa_assessment *a = dst;

	a->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, a->kind);
	a->ref_id = store_col_int(st, 2);
	a->agent_id = store_col_int(st, 3);
	STORE_COL_COPY(st, 4, a->agent_name);
	STORE_COL_COPY(st, 5, a->agent_work_no);
	a->reviewer_id = store_col_int(st, 6);
	STORE_COL_COPY(st, 7, a->reviewer_name);
	a->scorecard_id = store_col_int(st, 8);
	a->scorecard_version = (int)store_col_int(st, 9);
	a->reason = qa_reason_parse(store_col_text(st, 10));
	a->must = (int)store_col_int(st, 11);
	a->contact_at = store_col_int(st, 12);
	STORE_COL_COPY(st, 13, a->state);
	scores_parse(store_col_text(st, 14), a);
	a->total = (int)store_col_int_or(st, 15, -1);
	a->fatal = (int)store_col_int(st, 16);
	STORE_COL_COPY(st, 17, a->comment);
	a->final_score = (int)store_col_int_or(st, 18, -1);
	a->appeals = (int)store_col_int(st, 19);
	a->appeal_until = store_col_int(st, 20);
	a->created_at = store_col_int(st, 21);
	a->updated_at = store_col_int(st, 22);
	a->closed_at = store_col_int(st, 23);
	return 0;
}

int qa_assessment_get(struct store *s, int64_t id, struct qa_assessment *out)
{
	return store_one(store_query(s, "SELECT " AS_COLS AS_FROM " WHERE a.id = ?", "i", id),
			 assessment_read, out);
}

/* The scores as JSON text; the caller frees. */
static char *scores_text(const struct qa_assessment *a)
{
	json_t *arr = json_array();
	char *text;

	for (size_t i = 0; i < a->nscores; i++)
		json_array_append_new(arr,
				      a->scores[i] < 0 ? json_null() : json_integer(a->scores[i]));
	text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return text;
}

int qa_assessment_insert(struct store *s, struct qa_assessment *a)
{
	int64_t exists = 0;
	char *scores = scores_text(a);
	int rc = store_run(s, "SELECT 1 FROM qa_assessment WHERE kind = ? AND ref_id = ?", &exists,
			   "ti", a->kind, a->ref_id);

	if (rc == 1) {
		free(scores);
		return ERR_CONFLICT;
	}
	if (rc >= 0)
		rc = store_run(s,
			       "INSERT INTO qa_assessment(kind, ref_id, agent_id, reviewer_id,"
			       " scorecard_id, scorecard_version, reason, must, contact_at, state,"
			       " scores, comment, created_at, updated_at)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			       &a->id, "tiidiitiitttii", a->kind, a->ref_id, a->agent_id,
			       a->reviewer_id, a->scorecard_id, (int64_t)a->scorecard_version,
			       qa_reason_name(a->reason), (int64_t)a->must, a->contact_at, a->state,
			       scores ? scores : "[]", a->comment, a->created_at, a->updated_at);
	free(scores);
	return rc < 0 ? rc : 0;
}

int qa_assessment_save(struct store *s, const struct qa_assessment *a)
{
	char *scores = scores_text(a);
	int rc =
		store_run(s,
			  "UPDATE qa_assessment SET reviewer_id = ?, state = ?, scores = ?,"
			  " total = ?, fatal = ?, comment = ?, final_score = ?, appeals = ?,"
			  " appeal_until = ?, updated_at = ?, closed_at = ? WHERE id = ?",
			  NULL, "dttnitnididi", a->reviewer_id, a->state, scores ? scores : "[]",
			  (int64_t)a->total, (int64_t)a->fatal, a->comment, (int64_t)a->final_score,
			  (int64_t)a->appeals, a->appeal_until, a->updated_at, a->closed_at, a->id);

	free(scores);
	return rc < 0 ? rc : 0;
}

int qa_assessment_list(struct store *s, const struct qa_assessment_filter *f, qa_assessment_fn fn,
		       void *ctx)
{
	struct store_sql q = STORE_SQL_INIT;
	struct store_stmt *st;
	struct qa_assessment *a = malloc(sizeof(*a));
	int rc, n = 0;

	if (!a)
		return ERR_NOMEM;
	store_sql_add(&q, "SELECT " AS_COLS AS_FROM " WHERE 1=1", "");
	if (f->open)
		store_sql_add(&q, " AND a.state IN ('open', 'draft')", "");
	if (f->closed)
		store_sql_add(&q, " AND a.state IN ('closed', 'appealed')", "");
	if (f->agent_id)
		store_sql_add(&q, " AND a.agent_id = ?", "i", f->agent_id);
	if (f->not_agent)
		store_sql_add(&q, " AND a.agent_id <> ?", "i", f->not_agent);
	if (f->before)
		store_sql_add(&q, " AND a.id < ?", "i", f->before);
	/* The queue: must-review first, then the oldest contact. Else newest first. */
	if (f->open)
		store_sql_add(&q, " ORDER BY a.must DESC, a.contact_at, a.id LIMIT ?", "i",
			      (int64_t)f->limit);
	else
		store_sql_add(&q, " ORDER BY a.id DESC LIMIT ?", "i", (int64_t)f->limit);
	st = store_sql_prepare(s, &q);
	while ((rc = store_next(st, assessment_read, a)) == 1 && (rc = fn(ctx, a)) >= 0)
		n++;
	free(a);
	return store_end(st, rc, n);
}

/* ---- Comments ---- */

static int comment_read(struct store_stmt *st, void *dst)
{
	struct qa_comment *c = dst;

	c->id = store_col_int(st, 0);
	c->assessment_id = store_col_int(st, 1);
	c->at_ms = store_col_int(st, 2);
	STORE_COL_COPY(st, 3, c->text);
	c->author_id = store_col_int(st, 4);
	STORE_COL_COPY(st, 5, c->author_name);
	c->created_at = store_col_int(st, 6);
	return 0;
}

int qa_comment_insert(struct store *s, struct qa_comment *c)
{
	int rc = store_run(
		s,
		"INSERT INTO qa_comment(assessment_id, at_ms, text, author_id, created_at)"
		" VALUES (?, ?, ?, ?, ?) RETURNING id",
		&c->id, "iitii", c->assessment_id, c->at_ms, c->text, c->author_id, c->created_at);

	return rc < 0 ? rc : 0;
}

int qa_comments(struct store *s, int64_t assessment_id, qa_comment_fn fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT c.id, c.assessment_id, c.at_ms, c.text, c.author_id, p.name, c.created_at"
		" FROM qa_comment c JOIN person p ON p.id = c.author_id"
		" WHERE c.assessment_id = ? ORDER BY c.at_ms, c.id",
		"i", assessment_id);
	struct qa_comment *c = malloc(sizeof(*c));
	int rc, n = 0;

	if (!c) {
		store_done(st);
		return ERR_NOMEM;
	}
	while ((rc = store_next(st, comment_read, c)) == 1 && (rc = fn(ctx, c)) >= 0)
		n++;
	free(c);
	return store_end(st, rc, n);
}

/* ---- Appeals ---- */

#define AP_COLS                                                                                    \
	"p.id, p.assessment_id, p.level, p.agent_id, ag.name, p.reason, p.state, p.old_score,"     \
	" p.decision, p.new_score, p.decision_reason, p.decided_by, dc.name, p.decided_at,"        \
	" p.created_at"
#define AP_FROM                                                                                    \
	" FROM qa_appeal p JOIN person ag ON ag.id = p.agent_id"                                   \
	" LEFT JOIN person dc ON dc.id = p.decided_by"

static int appeal_read(struct store_stmt *st, void *dst)
{
	struct qa_appeal *p = dst;

	p->id = store_col_int(st, 0);
	p->assessment_id = store_col_int(st, 1);
	p->level = (int)store_col_int(st, 2);
	p->agent_id = store_col_int(st, 3);
	STORE_COL_COPY(st, 4, p->agent_name);
	STORE_COL_COPY(st, 5, p->reason);
	STORE_COL_COPY(st, 6, p->state);
	p->old_score = (int)store_col_int(st, 7);
	p->decision = store_col_null(st, 8) ? -1 : qa_decision_parse(store_col_text(st, 8));
	p->new_score = (int)store_col_int_or(st, 9, -1);
	STORE_COL_COPY(st, 10, p->decision_reason);
	p->decided_by = store_col_int(st, 11);
	STORE_COL_COPY(st, 12, p->decided_name);
	p->decided_at = store_col_int(st, 13);
	p->created_at = store_col_int(st, 14);
	return 0;
}

int qa_appeal_get(struct store *s, int64_t id, struct qa_appeal *out)
{
	return store_one(store_query(s, "SELECT " AP_COLS AP_FROM " WHERE p.id = ?", "i", id),
			 appeal_read, out);
}

int qa_appeal_insert(struct store *s, struct qa_appeal *a)
{
	int rc = store_run(
		s,
		"INSERT INTO qa_appeal(assessment_id, level, agent_id, reason, state,"
		" old_score, created_at) VALUES (?, ?, ?, ?, 'pending', ?, ?) RETURNING id",
		&a->id, "iiitii", a->assessment_id, (int64_t)a->level, a->agent_id, a->reason,
		(int64_t)a->old_score, a->created_at);

	return rc < 0 ? rc : 0;
}

int qa_appeal_save(struct store *s, const struct qa_appeal *a)
{
	int rc = store_run(
		s,
		"UPDATE qa_appeal SET state = ?, decision = ?, new_score = ?,"
		" decision_reason = ?, decided_by = ?, decided_at = ? WHERE id = ?",
		NULL, "ttntddi", a->state, a->decision < 0 ? NULL : qa_decision_name(a->decision),
		(int64_t)a->new_score, a->decision_reason, a->decided_by, a->decided_at, a->id);

	return rc < 0 ? rc : 0;
}

int qa_appeals(struct store *s, int64_t assessment_id, int pending, int level, qa_appeal_fn fn,
	       void *ctx)
{
	struct store_sql q = STORE_SQL_INIT;
	struct store_stmt *st;
	struct qa_appeal *p = malloc(sizeof(*p));
	int rc, n = 0;

	if (!p)
		return ERR_NOMEM;
	store_sql_add(&q, "SELECT " AP_COLS AP_FROM " WHERE 1=1", "");
	if (assessment_id)
		store_sql_add(&q, " AND p.assessment_id = ?", "i", assessment_id);
	if (pending)
		store_sql_add(&q, " AND p.state = 'pending'", "");
	if (level)
		store_sql_add(&q, " AND p.level = ?", "i", (int64_t)level);
	store_sql_add(&q, assessment_id ? " ORDER BY p.level" : " ORDER BY p.id DESC LIMIT 200",
		      "");
	st = store_sql_prepare(s, &q);
	while ((rc = store_next(st, appeal_read, p)) == 1 && (rc = fn(ctx, p)) >= 0)
		n++;
	free(p);
	return store_end(st, rc, n);
}

/* ---- Calls, contacts, orders and the automatic check ---- */

static int call_read(struct store_stmt *st, void *dst)
{
	struct qa_review_call *c = dst;

	c->id = store_col_int(st, 0);
	c->started_at = store_col_int(st, 1);
	c->connected_at = store_col_int(st, 2);
	c->ended_at = store_col_int(st, 3);
	STORE_COL_COPY(st, 4, c->queue);
	STORE_COL_COPY(st, 5, c->outcome);
	STORE_COL_COPY(st, 6, c->hangup_first);
	c->survey = (int)store_col_int(st, 7);
	c->recording_ms = store_col_int(st, 8);
	c->has_recording = !store_col_null(st, 9);
	c->agent_id = store_col_int(st, 10);
	c->contact_id = store_col_int(st, 11);
	STORE_COL_COPY(st, 12, c->contact_class);
	return 0;
}

int qa_review_call_get(struct store *s, int64_t id, struct qa_review_call *out)
{
	return store_one(
		store_query(s,
			    "SELECT c.id, c.started_at, c.connected_at, c.ended_at, c.queue,"
			    " c.outcome, c.hangup_first, c.survey, c.recording_ms, c.recording,"
			    " c.agent_id, ct.id, ct.class FROM call c LEFT JOIN contact ct"
			    " ON ct.id = COALESCE(c.contact_id,"
			    "  (SELECT id FROM contact WHERE call_id = c.id ORDER BY id LIMIT 1))"
			    " WHERE c.id = ?",
			    "i", id),
		call_read, out);
}

/*
 * A call's contacts: the one the call names and any naming the call. An
 * order is a complaint by its class (A1 用户投诉, A2 商家投诉, D 二次投诉) or
 * its complaint type; escalated when its level is above 0 (WO-4).
 */
#define CALL_CONTACTS "(SELECT c.contact_id UNION SELECT id FROM contact WHERE call_id = c.id)"
#define CALL_ORDERS                                                                                \
	"SELECT 1 FROM order_contact oc JOIN work_order w ON w.id = oc.order_id"                   \
	" WHERE oc.contact_id IN " CALL_CONTACTS

int qa_must_candidates(struct store *s, int64_t since, int low_survey, qa_candidate_fn fn,
		       void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT c.id, c.agent_id, COALESCE(c.connected_at, c.started_at),"
		" COALESCE(c.survey, 0),"
		" EXISTS (" CALL_ORDERS
		" AND (w.class IN ('A1', 'A2', 'D') OR w.complaint IS NOT NULL)),"
		" EXISTS (" CALL_ORDERS " AND w.escalation_level > 0),"
		" EXISTS (SELECT 1 FROM contact WHERE class = 'F' AND id IN " CALL_CONTACTS ")"
		"  OR EXISTS (" CALL_ORDERS " AND w.class = 'F'),"
		" q.id IS NOT NULL, COALESCE(q.high, 0), COALESCE(q.fatal, 0)"
		" FROM call c LEFT JOIN qa_check q ON q.kind = 'call' AND q.ref_id = c.id"
		" WHERE c.started_at >= ? AND c.ended_at IS NOT NULL AND c.agent_id IS NOT NULL"
		" AND c.connected_at IS NOT NULL"
		" AND NOT EXISTS (SELECT 1 FROM qa_assessment a WHERE a.kind = 'call'"
		"  AND a.ref_id = c.id)"
		" ORDER BY c.id",
		"i", since);
	struct qa_candidate c;
	int rc, n = 0;

	(void)low_survey;
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		memset(&c, 0, sizeof(c));
		c.call_id = store_col_int(st, 0);
		c.agent_id = store_col_int(st, 1);
		c.contact_at = store_col_int(st, 2);
		c.sg.survey = (int)store_col_int(st, 3);
		c.sg.complaint = (int)store_col_int(st, 4);
		c.sg.escalation = (int)store_col_int(st, 5);
		c.sg.class_f = (int)store_col_int(st, 6);
		c.sg.has_check = (int)store_col_int(st, 7);
		c.sg.check_high = (int)store_col_int(st, 8);
		c.sg.check_fatal = (int)store_col_int(st, 9);
		rc = fn(ctx, &c);
		if (rc < 0)
			break;
		n++;
	}
	return store_end(st, rc, n);
}

int qa_week_agents(struct store *s, int64_t from, int64_t to, qa_id_fn fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT DISTINCT agent_id FROM call WHERE started_at >= ? AND started_at < ?"
		" AND agent_id IS NOT NULL AND connected_at IS NOT NULL AND ended_at IS NOT NULL"
		" ORDER BY agent_id",
		"ii", from, to);
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1 && (rc = fn(ctx, store_col_int(st, 0))) >= 0)
		n++;
	return store_end(st, rc, n);
}

int qa_week_calls(struct store *s, int64_t agent_id, int64_t from, int64_t to, qa_week_call_fn fn,
		  void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT c.id, c.started_at, EXISTS (SELECT 1 FROM qa_assessment a"
		"  WHERE a.kind = 'call' AND a.ref_id = c.id)"
		" FROM call c WHERE c.agent_id = ? AND c.started_at >= ? AND c.started_at < ?"
		" AND c.connected_at IS NOT NULL AND c.ended_at IS NOT NULL ORDER BY c.id",
		"iii", agent_id, from, to);
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1 &&
	       (rc = fn(ctx, store_col_int(st, 0), store_col_int(st, 1),
			(int)store_col_int(st, 2))) >= 0)
		n++;
	return store_end(st, rc, n);
}

int qa_person_created(struct store *s, int64_t person_id, int64_t *created_at)
{
	int rc = store_run(s, "SELECT created_at FROM person WHERE id = ?", created_at, "i",
			   person_id);

	return rc < 0 ? rc : rc == 1 ? 0 : ERR_NOTFOUND;
}

int qa_sample_run_take(struct store *s, int64_t week_start, int64_t now)
{
	int rc = store_run(s,
			   "INSERT INTO qa_sample_run(week_start, ran_at, picked) VALUES (?, ?, 0)"
			   " ON CONFLICT (week_start) DO NOTHING",
			   NULL, "ii", week_start, now);

	if (rc < 0)
		return rc;
	return store_changes(s) == 1 ? 0 : 1;
}

int qa_sample_run_picked(struct store *s, int64_t week_start, int picked)
{
	int rc = store_run(s, "UPDATE qa_sample_run SET picked = ? WHERE week_start = ?", NULL,
			   "ii", (int64_t)picked, week_start);

	return rc < 0 ? rc : 0;
}

int qa_people_in_roles(struct store *s, unsigned roles, int64_t except, qa_id_fn fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT id FROM person WHERE active = 1 AND (roles & ?) <> 0 AND id <> ?"
		" ORDER BY id",
		"ii", (int64_t)roles, except);
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1 && (rc = fn(ctx, store_col_int(st, 0))) >= 0)
		n++;
	return store_end(st, rc, n);
}
