/*
 * The month's evaluation over HTTP (issue 19, PERF-1, PERF-3): praise and
 * criticism records, the settings, the month computed, its rewards changed
 * and the month closed, the ledger's lines and the payout sheet.
 *
 * Least privilege: an agent (scope self of perf.read and perf.ledger) sees
 * only their own row of the month and their own lines, whatever person_id
 * they ask for (another person's is 403); supervisors, the manager and HR
 * see everyone's. Every change is one transaction with its audit entry.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/utf8.h"
#include "export/export.h"
#include "org/org.h"
#include "perf/perf.h"
#include "store/store.h"

/* ---- shared ---- */

/* The {month} of the route, or ?month= when the route has none. */
static int read_month(struct req *r, char month[8])
{
	const char *m = NULL;
	int rc = 0;

	if (r->nparams > 0)
		m = r->params[0];
	else
		rc = req_query(r, "month", &m);
	if (rc < 0)
		return rc;
	if (!m || !perf_month_valid(m))
		return err_set(&r->ei, ERR_INVALID, "month", "month: a month as YYYY-MM");
	memcpy(month, m, 7);
	month[7] = '\0';
	return 0;
}

/* person_id asked for (0: everyone); one with scope self sees only themselves. */
static int read_person(struct req *r, enum auth_action a, int64_t *person_id)
{
	int rc = req_query_int(r, "person_id", 1, INT64_MAX, person_id);

	if (rc < 0)
		return rc;
	if (auth_scope(&r->who, a) < SCOPE_ALL) {
		const struct auth_target t = {0, *person_id ? *person_id : r->who.person_id};

		rc = req_authorize(r, a, &t);
		if (rc < 0)
			return rc;
		*person_id = r->who.person_id;
	}
	return 0;
}

static json_t *id_json(int64_t id)
{
	return id ? json_integer((json_int_t)id) : json_null();
}

/* ---- settings ---- */

static json_t *settings_json(const struct perf_settings *s)
{
	json_t *w = json_object(), *pc = json_array(), *pf = json_array(), *rf = json_array();

	for (int d = 0; d < PERF_DIMS; d++)
		json_object_set_new(w, perf_dim_name(d), json_integer(s->weight[d]));
	for (int i = 0; i < PERF_TIERS; i++) {
		json_array_append_new(pc, json_integer(s->praise_count[i]));
		json_array_append_new(pf, json_integer((json_int_t)s->praise_fen[i]));
		json_array_append_new(rf, json_integer((json_int_t)s->rank_fen[i]));
	}
	return json_pack("{s:o, s:i, s:o, s:o, s:o, s:I}", "weights", w, "threshold", s->threshold,
			 "praise_count", pc, "praise_fen", pf, "rank_fen", rf, "last_fen",
			 (json_int_t)s->last_fen);
}

static int settings_get(struct req *r)
{
	struct perf_settings s;
	int rc = perf_settings_get(r->store, &s);

	if (rc < 0)
		return rc;
	return reply_json(r, 200, settings_json(&s));
}

/* An array of PERF_TIERS whole numbers into out; err_add on anything else. */
static int tiers_read(struct req *r, const char *key, int64_t *out, int rc)
{
	json_t *a = json_object_get(r->body, key);

	if (!a)
		return rc;
	if (!json_is_array(a) || json_array_size(a) != PERF_TIERS)
		return err_add(&r->ei, rc, ERR_INVALID, key, "%s: %d whole numbers", key,
			       PERF_TIERS);
	for (int i = 0; i < PERF_TIERS; i++) {
		json_t *v = json_array_get(a, (size_t)i);

		if (!json_is_integer(v))
			return err_add(&r->ei, rc, ERR_INVALID, key, "%s: %d whole numbers", key,
				       PERF_TIERS);
		out[i] = (int64_t)json_integer_value(v);
	}
	return rc;
}

static const char *const settings_fields[] = {
	"weights", "threshold", "praise_count", "praise_fen", "rank_fen", "last_fen", NULL};

/* PUT /api/perf/settings: any of the fields; the rest keep their values. */
static int settings_put(struct req *r)
{
	struct perf_settings before, s;
	json_t *w = json_object_get(r->body, "weights");
	int64_t count[PERF_TIERS], last;
	int rc = body_only(r, settings_fields);
	const char *bad;

	if (rc < 0)
		return rc;
	rc = perf_settings_get(r->store, &s);
	if (rc < 0)
		return rc;
	before = s;
	if (w && !json_is_object(w))
		rc = err_add(&r->ei, rc, ERR_INVALID, "weights", "%s: expected an object",
			     "weights");
	else if (w) {
		const char *k;
		json_t *v;

		json_object_foreach(w, k, v)
		{
			int d = 0;

			while (d < PERF_DIMS && strcmp(perf_dim_name(d), k) != 0)
				d++;
			if (d == PERF_DIMS || !json_is_integer(v))
				rc = err_add(&r->ei, rc, ERR_INVALID, "weights",
					     "weights: whole numbers of %s",
					     "praise, quality, satisfaction, attendance, "
					     "efficiency, training");
			else
				s.weight[d] = (int)json_integer_value(v) == json_integer_value(v)
						      ? (int)json_integer_value(v)
						      : -1;
		}
	}
	rc = body_int_add(r, "threshold", &s.threshold, rc);
	for (int i = 0; i < PERF_TIERS; i++)
		count[i] = s.praise_count[i];
	rc = tiers_read(r, "praise_count", count, rc);
	for (int i = 0; i < PERF_TIERS; i++)
		s.praise_count[i] = count[i] > 0 && count[i] < 1000000 ? (int)count[i] : -1;
	rc = tiers_read(r, "praise_fen", s.praise_fen, rc);
	rc = tiers_read(r, "rank_fen", s.rank_fen, rc);
	if (body_has(r, "last_fen")) {
		json_t *v = json_object_get(r->body, "last_fen");

		if (!json_is_integer(v))
			rc = err_add(&r->ei, rc, ERR_INVALID, "last_fen",
				     "%s: expected a whole number", "last_fen");
		else {
			last = (int64_t)json_integer_value(v);
			s.last_fen = last;
		}
	}
	if (rc < 0)
		return rc;
	bad = perf_settings_bad(&s);
	if (bad)
		return err_set(&r->ei, ERR_UNPROCESSABLE, bad, "%s: out of range or out of order",
			       bad);
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = perf_settings_put(r->store, &s);
	if (rc == 0)
		rc = req_audit(r, "perf.settings", "perf_setting", 0, "ok",
			       json_pack("{s:o, s:o}", "before", settings_json(&before), "after",
					 settings_json(&s)));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, settings_json(&s));
}

/* ---- praise and criticism ---- */

static json_t *praise_json(const struct perf_praise *p)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:I, s:s, s:I, s:I, s:o}", "id",
			 (json_int_t)p->id, "person_id", (json_int_t)p->person_id, "work_no",
			 p->work_no, "name", p->person_name, "kind", p->kind, "origin", p->origin,
			 "ref_id", id_json(p->ref_id), "note", p->note, "at", (json_int_t)p->at,
			 "month", p->month, "created_by", (json_int_t)p->created_by, "created_at",
			 (json_int_t)p->created_at, "voided_at", id_json(p->voided_at));
}

static int praise_row(void *ctx, const struct perf_praise *p)
{
	json_array_append_new(ctx, praise_json(p));
	return 0;
}

/* GET /api/perf/praise?month=&person_id= */
static int praise_list(struct req *r)
{
	char month[8];
	int64_t person_id = 0;
	json_t *items;
	int rc = read_month(r, month);

	if (rc == 0)
		rc = read_person(r, ACT_PERF_READ, &person_id);
	if (rc < 0)
		return rc;
	items = json_array();
	rc = perf_praise_list(r->store, month, person_id, praise_row, items);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:s, s:o}", "month", month, "items", items));
}

static const char *const praise_fields[] = {"person_id", "kind", "origin", "ref_id",
					    "note",	 "at",	 NULL};

/* POST /api/perf/praise {person_id, kind, origin, ref_id?, note, at?} */
static int praise_create(struct req *r)
{
	struct perf_praise p;
	struct org_person who;
	const char *kind = NULL, *origin = NULL, *note = "";
	json_t *pid = json_object_get(r->body, "person_id"), *at = json_object_get(r->body, "at");
	int rc = body_only(r, praise_fields);

	if (rc < 0)
		return rc;
	memset(&p, 0, sizeof(p));
	if (!json_is_integer(pid) || json_integer_value(pid) <= 0)
		rc = err_add(&r->ei, rc, ERR_INVALID, "person_id", "%s: expected an id",
			     "person_id");
	if (body_str(r, "kind", 1, &kind) < 0 ||
	    (strcmp(kind, "praise") != 0 && strcmp(kind, "criticism") != 0))
		rc = err_add(&r->ei, rc, ERR_INVALID, "kind", "kind: praise or criticism");
	if (body_str(r, "origin", 1, &origin) < 0 ||
	    (strcmp(origin, "contact") != 0 && strcmp(origin, "survey") != 0 &&
	     strcmp(origin, "callback") != 0 && strcmp(origin, "supervisor") != 0))
		rc = err_add(&r->ei, rc, ERR_INVALID, "origin",
			     "origin: contact, survey, callback or supervisor");
	if (body_ref(r, "ref_id", &p.ref_id) < 0)
		rc = err_add(&r->ei, rc, ERR_INVALID, "ref_id", "%s: expected an id or null",
			     "ref_id");
	else if (origin && strcmp(origin, "supervisor") != 0 && p.ref_id <= 0 &&
		 (strcmp(origin, "contact") == 0 || strcmp(origin, "survey") == 0 ||
		  strcmp(origin, "callback") == 0))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "ref_id",
			     "ref_id: required for a contact, survey or callback");
	if (body_str(r, "note", 0, &note) < 0 || !note)
		rc = err_add(&r->ei, rc, ERR_INVALID, "note", "%s: expected a string", "note");
	else if (utf8_len(note) > PERF_NOTE_MAX)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "note", "note: at most %d characters",
			     PERF_NOTE_MAX);
	p.at = r->now;
	if (at && (!json_is_integer(at) || json_integer_value(at) <= 0))
		rc = err_add(&r->ei, rc, ERR_INVALID, "at", "%s: expected an id", "at");
	else if (at && json_integer_value(at) > r->now)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "at", "at: not in the future");
	else if (at)
		p.at = (int64_t)json_integer_value(at);
	if (rc < 0)
		return rc;
	p.person_id = (int64_t)json_integer_value(pid);
	rc = org_person_get(r->store, p.person_id, &who);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, "person_id", "no such person");
	if (rc < 0)
		return rc;
	if (!(who.roles & ROLE_AGENT))
		return err_set(&r->ei, ERR_UNPROCESSABLE, "person_id",
			       "the person is not an agent");
	if (strcmp(origin, "supervisor") != 0) {
		rc = perf_praise_ref_ok(r->store, origin, p.ref_id, p.person_id);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "ref_id",
				       "ref_id: no such contact of the agent, or callback");
	}
	snprintf(p.kind, sizeof(p.kind), "%s", kind);
	snprintf(p.origin, sizeof(p.origin), "%s", origin);
	snprintf(p.note, sizeof(p.note), "%s", note);
	perf_month_of(p.at, p.month);
	p.created_by = r->who.person_id;
	p.created_at = r->now;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = perf_praise_add(r->store, &p);
	if (rc == ERR_CONFLICT)
		rc = err_set(&r->ei, ERR_CONFLICT, "at", "the month is closed");
	if (rc == 0)
		rc = perf_praise_get(r->store, p.id, &p);
	if (rc == 0)
		rc = req_audit(r, "perf.praise.add", "perf_praise", p.id, "ok", praise_json(&p));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 201, praise_json(&p));
}

/* DELETE /api/perf/praise/{id}: withdrawn (kept, no longer counted). */
static int praise_delete(struct req *r)
{
	struct perf_praise p;
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = perf_praise_get(r->store, id, &p);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such praise record");
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = perf_praise_void(r->store, id, r->who.person_id, r->now);
	if (rc == ERR_CONFLICT && p.voided_at)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the record was withdrawn already");
	else if (rc == ERR_CONFLICT)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the month is closed");
	if (rc == 0)
		rc = req_audit(r, "perf.praise.withdraw", "perf_praise", id, "ok",
			       json_pack("{s:o}", "before", praise_json(&p)));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "withdrawn", 1));
}

/* ---- the month ---- */

static json_t *month_json(const struct perf_month_info *m)
{
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "month", m->month, "state", m->state,
			 "computed_at", id_json(m->computed_at), "computed_by",
			 id_json(m->computed_by), "closed_at", id_json(m->closed_at), "closed_by",
			 id_json(m->closed_by));
}

static json_t *dims_json(const struct perf_score *sc)
{
	json_t *o = json_object();

	for (int d = 0; d < PERF_DIMS; d++)
		json_object_set_new(o, perf_dim_name(d),
				    sc->has[d] ? json_real(sc->dim[d]) : json_null());
	return o;
}

static json_t *reward_json(int64_t id, int64_t amount, int64_t computed)
{
	if (!id)
		return json_null();
	return json_pack("{s:I, s:I, s:I}", "id", (json_int_t)id, "amount_fen", (json_int_t)amount,
			 "computed_fen", (json_int_t)computed);
}

static int eval_row(void *ctx, const struct perf_eval_row *e)
{
	json_array_append_new(
		ctx,
		json_pack("{s:I, s:s, s:s, s:o, s:o, s:f, s:i, s:b, s:o, s:o, s:b}", "person_id",
			  (json_int_t)e->f.person_id, "work_no", e->f.work_no, "name", e->f.name,
			  "figures", perf_figures_json(&e->f), "dims", dims_json(&e->sc), "total",
			  e->sc.total, "rank", e->sc.rank, "last", e->sc.last, "praise_reward",
			  reward_json(e->praise_id, e->praise_fen, e->sc.praise_fen), "rank_reward",
			  reward_json(e->rank_id, e->rank_fen, e->sc.rank_fen), "edited",
			  e->edited));
	return 0;
}

/* GET /api/perf/months/{month}[?person_id=]: the month's state and rows. */
static int month_get(struct req *r)
{
	char month[8];
	struct perf_month_info m;
	struct perf_settings s;
	int64_t person_id = 0;
	json_t *items;
	int rc = read_month(r, month);

	if (rc == 0)
		rc = read_person(r, ACT_PERF_READ, &person_id);
	if (rc == 0)
		rc = perf_month_get(r->store, month, &m);
	if (rc == 0)
		rc = perf_settings_get(r->store, &s);
	if (rc < 0)
		return rc;
	items = json_array();
	rc = perf_eval_rows(r->store, month, person_id, eval_row, items);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200,
			  json_pack("{s:o, s:o, s:o}", "month", month_json(&m), "settings",
				    settings_json(&s), "items", items));
}

/* POST /api/perf/months/{month}/compute: the evaluation and its rewards,
 * again from the data as it stands (the month's earlier rewards voided). */
static int month_compute(struct req *r)
{
	char month[8];
	struct perf_month_info m;
	int rc = read_month(r, month);

	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = perf_eval_compute(r->store, month, r->app->cfg->busy_max_min, r->who.person_id,
			       r->now);
	if (rc == ERR_CONFLICT)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the month is closed");
	if (rc == 0)
		rc = perf_month_get(r->store, month, &m);
	if (rc == 0)
		rc = req_audit(r, "perf.month.compute", "perf_month", 0, "ok",
			       json_pack("{s:s}", "month", month));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return month_get(r);
}

/* POST /api/perf/months/{month}/close: locked; nothing of it changes any more. */
static int month_close(struct req *r)
{
	char month[8];
	struct perf_month_info m;
	int rc = read_month(r, month);

	if (rc == 0)
		rc = perf_month_get(r->store, month, &m);
	if (rc < 0)
		return rc;
	if (strcmp(m.state, "closed") == 0)
		return err_set(&r->ei, ERR_CONFLICT, NULL, "the month is closed");
	if (!m.computed_at)
		return err_set(&r->ei, ERR_CONFLICT, NULL, "the month has not been computed");
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = perf_month_close(r->store, month, r->who.person_id, r->now);
	if (rc == ERR_CONFLICT)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the month is closed");
	if (rc == 0)
		rc = perf_month_get(r->store, month, &m);
	if (rc == 0)
		rc = req_audit(r, "perf.month.close", "perf_month", 0, "ok",
			       json_pack("{s:s}", "month", month));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, month_json(&m));
}

static const char *const reward_fields[] = {"amount_fen", "reason", NULL};

/* PUT /api/perf/rewards/{id} {amount_fen, reason}: the manager's change of a
 * computed reward; the old line is voided and the new amount written. */
static int reward_put(struct req *r)
{
	struct perf_reward w, after;
	const char *reason = NULL;
	json_t *amount = json_object_get(r->body, "amount_fen");
	int64_t id, new_id = 0, fen = 0;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = perf_reward_get(r->store, id, &w);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such reward");
	if (rc < 0)
		return rc;
	rc = body_only(r, reward_fields);
	if (rc < 0)
		return rc;
	if (!json_is_integer(amount) || json_integer_value(amount) < -10000000 ||
	    json_integer_value(amount) > 10000000)
		rc = err_add(&r->ei, rc, ERR_INVALID, "amount_fen", "%s: %lld to %lld",
			     "amount_fen", -10000000LL, 10000000LL);
	else
		fen = (int64_t)json_integer_value(amount);
	if (body_str(r, "reason", 1, &reason) < 0 || !reason || !reason[0])
		rc = err_add(&r->ei, rc, ERR_INVALID, "reason", "%s: required", "reason");
	else if (strlen(reason) > PERF_REASON_MAX)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "reason", "reason: at most %d bytes",
			     PERF_REASON_MAX);
	if (rc < 0)
		return rc;
	if (w.replaced_at)
		return err_set(&r->ei, ERR_CONFLICT, NULL,
			       "the reward was changed or recomputed since");
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = perf_reward_edit(r->store, id, fen, reason, r->who.person_id, r->now, &new_id);
	if (rc == ERR_CONFLICT)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the month is closed");
	if (rc == 0)
		rc = perf_reward_get(r->store, new_id, &after);
	if (rc == 0)
		rc = req_audit(r, "perf.reward.change", "perf_reward", new_id, "ok",
			       json_pack("{s:I, s:I, s:s, s:I, s:I, s:s}", "replaces",
					 (json_int_t)id, "person_id", (json_int_t)w.person_id,
					 "month", w.month, "before", (json_int_t)w.amount_fen,
					 "after", (json_int_t)fen, "reason", reason));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200,
			  json_pack("{s:I, s:I, s:s, s:s, s:s, s:I, s:I, s:s}", "id",
				    (json_int_t)after.id, "person_id", (json_int_t)after.person_id,
				    "month", after.month, "rule", after.rule, "category",
				    after.category, "amount_fen", (json_int_t)after.amount_fen,
				    "computed_fen", (json_int_t)after.computed_fen, "reason",
				    after.reason));
}

/* ---- the ledger ---- */

static json_t *line_json(const struct perf_line *l, const char *work_no, const char *name)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:o, s:I, s:o,"
			 " s:s}",
			 "id", (json_int_t)l->id, "person_id", (json_int_t)l->person_id, "work_no",
			 work_no, "name", name, "month", l->month, "rule", l->rule, "category",
			 l->category, "amount_fen", (json_int_t)l->amount_fen, "reason", l->reason,
			 "source", l->source, "source_id", (json_int_t)l->source_id, "created_by",
			 id_json(l->created_by), "created_at", (json_int_t)l->created_at,
			 "voided_at", id_json(l->voided_at), "void_reason", l->void_reason);
}

struct lines {
	json_t *items;
	int64_t total;
};

static int line_row(void *ctx, const struct perf_line *l, const char *work_no, const char *name)
{
	struct lines *ls = ctx;

	json_array_append_new(ls->items, line_json(l, work_no, name));
	if (!l->voided_at)
		ls->total += l->amount_fen;
	return 0;
}

/* GET /api/perf/ledger?month=&person_id=: every line, voided ones included. */
static int ledger_list(struct req *r)
{
	char month[8];
	struct lines ls = {NULL, 0};
	int64_t person_id = 0;
	int rc = read_month(r, month);

	if (rc == 0)
		rc = read_person(r, ACT_PERF_LEDGER, &person_id);
	if (rc < 0)
		return rc;
	ls.items = json_array();
	rc = perf_ledger_list(r->store, month, person_id, line_row, &ls);
	if (rc < 0) {
		json_decref(ls.items);
		return rc;
	}
	return reply_json(r, 200,
			  json_pack("{s:s, s:o, s:I}", "month", month, "items", ls.items,
				    "total_fen", (json_int_t)ls.total));
}

struct payout {
	struct perf_payout *p;
	size_t n, cap;
};

static int payout_row(void *ctx, const struct perf_line *l, const char *work_no, const char *name)
{
	static const char *const rules[5] = {"praise", "proposal", "rank", "grievance", "penalty"};
	struct payout *ps = ctx;
	struct perf_payout *p;
	int k = 0;

	if (l->voided_at)
		return 0;
	/* The lines come by person: a new person starts a new row. */
	if (!ps->n || ps->p[ps->n - 1].person_id != l->person_id) {
		if (ps->n == ps->cap) {
			size_t cap = ps->cap ? ps->cap * 2 : 32;
			struct perf_payout *q = realloc(ps->p, cap * sizeof(*q));

			if (!q)
				return ERR_NOMEM;
			ps->p = q;
			ps->cap = cap;
		}
		p = &ps->p[ps->n++];
		memset(p, 0, sizeof(*p));
		p->person_id = l->person_id;
		snprintf(p->work_no, sizeof(p->work_no), "%s", work_no);
		snprintf(p->name, sizeof(p->name), "%s", name);
	}
	p = &ps->p[ps->n - 1];
	while (k < 5 && strcmp(rules[k], l->rule) != 0)
		k++;
	if (k < 5)
		p->by_rule[k] += l->amount_fen;
	p->total += l->amount_fen;
	return 0;
}

/* 奖惩发放表 in the center's registry (issue 20): the month of the period's first day. */
static int payout_form_build(struct store *st, const struct export_form_args *a,
			     struct export_book **out)
{
	struct payout ps = {NULL, 0, 0};
	char month[8], made_on[16];
	int ymd = clock_local_ymd(a->now);
	int rc;

	snprintf(month, sizeof(month), "%04u-%02u", (unsigned)a->from_ymd / 10000 % 10000,
		 (unsigned)a->from_ymd / 100 % 100);
	rc = perf_ledger_list(st, month, 0, payout_row, &ps);
	if (rc >= 0) {
		snprintf(made_on, sizeof(made_on), "%04d-%02d-%02d", ymd / 10000 % 10000,
			 ymd / 100 % 100, ymd % 100);
		rc = perf_payout_xlsx(ps.p, ps.n, month, a->made_by, made_on, a->english, out);
	}
	free(ps.p);
	return rc < 0 ? rc : 0;
}

const struct export_form perf_payout_form = {
	"payout", "奖惩发放表", "Rewards and penalties payout", "/perf/month",
	ACT_PERF_EXPORT, EXPORT_PERIOD_MONTH, payout_form_build};

/* GET /api/perf/months/{month}/export: the payout sheet for HR, audited (SEC-2). */
static int month_export(struct req *r)
{
	char month[8], ascii[40], utf8[120], made_on[16];
	struct payout ps = {NULL, 0, 0};
	struct export_book *b = NULL;
	int english = err_lang_english(req_header(r, "Accept-Language"));
	int ymd = clock_local_ymd(r->now);
	int rc = read_month(r, month);

	if (rc == 0)
		rc = perf_ledger_list(r->store, month, 0, payout_row, &ps);
	if (rc < 0)
		goto out;
	snprintf(made_on, sizeof(made_on), "%04d-%02d-%02d", ymd / 10000 % 10000, ymd / 100 % 100,
		 ymd % 100);
	rc = perf_payout_xlsx(ps.p, ps.n, month, r->who.name, made_on, english, &b);
	snprintf(ascii, sizeof(ascii), "payout-%s.xlsx", month);
	snprintf(utf8, sizeof(utf8), "奖惩发放表-%s.xlsx", month);
	if (rc == 0)
		rc = export_reply(r, b, ascii, english ? NULL : utf8);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0) {
		rc = req_audit(r, "perf.export", "perf_month", 0, "ok",
			       json_pack("{s:s, s:i, s:s}", "month", month, "people", (int)ps.n,
					 "language", english ? "en" : "zh-CN"));
		rc = req_finish(r, rc);
	}
out:
	export_book_free(b);
	free(ps.p);
	return rc;
}

const struct route perf_routes[] = {
	{"GET", "/api/perf/settings", settings_get, ACT_PERF_READ},
	{"PUT", "/api/perf/settings", settings_put, ACT_PERF_MANAGE},
	{"GET", "/api/perf/praise", praise_list, ACT_PERF_READ},
	{"POST", "/api/perf/praise", praise_create, ACT_PERF_PRAISE},
	{"DELETE", "/api/perf/praise/{id}", praise_delete, ACT_PERF_PRAISE},
	{"GET", "/api/perf/months/{month}", month_get, ACT_PERF_READ},
	{"POST", "/api/perf/months/{month}/compute", month_compute, ACT_PERF_COMPUTE},
	{"POST", "/api/perf/months/{month}/close", month_close, ACT_PERF_MANAGE},
	{"GET", "/api/perf/months/{month}/export", month_export, ACT_PERF_EXPORT},
	{"PUT", "/api/perf/rewards/{id}", reward_put, ACT_PERF_MANAGE},
	{"GET", "/api/perf/ledger", ledger_list, ACT_PERF_LEDGER},
	{NULL, NULL, NULL, 0},
};
