/*
 * perf's cases over HTTP (PERF-2, PERF-4, PERF-5): /api/perf/penalties*,
 * /api/perf/penalty-categories*, /api/perf/escalations*,
 * /api/perf/proposals*, /api/perf/grievances*, /api/perf/case-settings.
 *
 * Each step is one transaction: the case read in it, who may take the step
 * (the route's action names the role; a step on a case of one's own checks
 * the person too), the rules' state machine (perf_case.c; a step the state
 * does not allow is 409 and writes nothing), the ledger line written or
 * voided (perf_ledger_add / perf_ledger_void: a closed month is 409), the
 * update guarded by the state it was read in, the notifications and the
 * audit entry. Amounts are in fen on the wire.
 */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/err.h"
#include "core/utf8.h"
#include "http/http.h"
#include "notify/notify.h"
#include "perf/perf.h"
#include "store/store.h"

#define CENTER_MAX 2000		 /* people told of an announcement */
#define HR_MAX 64		 /* people told of an escalation */
#define LOSS_MAX_FEN 100000000LL /* ¥1,000,000: a loss entered by hand */

/* ---- JSON ---- */

static json_t *or_null(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *category_json(const struct perf_category *c)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:b, s:b, s:i}", "id", (json_int_t)c->id, "code",
			 c->code, "name", c->name, "amount_fen", (json_int_t)c->amount_fen,
			 "entered", c->entered, "active", c->active, "sort", c->sort);
}

static json_t *penalty_json(const struct perf_penalty *p)
{
	return json_pack(
		"{s:I, s:{s:I, s:s, s:s}, s:{s:I, s:s, s:s}, s:I, s:I, s:s, s:o, s:o, s:s, s:o,"
		" s:o, s:I, s:o, s:o, s:s, s:o, s:o, s:o, s:s}",
		"id", (json_int_t)p->id, "person", "id", (json_int_t)p->person_id, "name",
		p->person_name, "work_no", p->person_work_no, "category", "id",
		(json_int_t)p->category_id, "code", p->category_code, "name", p->category_name,
		"amount_fen", (json_int_t)p->amount_fen, "occurred_at", (json_int_t)p->occurred_at,
		"evidence", p->evidence, "ref_kind", str_or_null(p->ref_kind), "ref_id",
		or_null(p->ref_id), "state", p->state, "source", str_or_null(p->source),
		"created_by", or_null(p->created_by), "created_at", (json_int_t)p->created_at,
		"recorded_by", or_null(p->recorded_by), "recorded_at", or_null(p->recorded_at),
		"answer", p->answer, "answered_at", or_null(p->answered_at), "decided_by",
		or_null(p->decided_by), "decided_at", or_null(p->decided_at), "decision_note",
		p->decision_note);
}

static json_t *escalation_json(const struct perf_escalation *e)
{
	return json_pack("{s:I, s:{s:I, s:s}, s:{s:I, s:s}, s:I, s:s, s:i, s:s, s:I, s:o, s:o,"
			 " s:s}",
			 "id", (json_int_t)e->id, "person", "id", (json_int_t)e->person_id, "name",
			 e->person_name, "category", "id", (json_int_t)e->category_id, "name",
			 e->category_name, "penalty_id", (json_int_t)e->penalty_id, "level",
			 e->level, "offences", e->offences, "state", e->state, "created_at",
			 (json_int_t)e->created_at, "decided_by", or_null(e->decided_by),
			 "decided_at", or_null(e->decided_at), "decision_note", e->decision_note);
}

static json_t *proposal_json(const struct perf_proposal *p)
{
	return json_pack("{s:I, s:{s:I, s:s}, s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:s, s:o, s:o,"
			 " s:o, s:o, s:o, s:o, s:s}",
			 "id", (json_int_t)p->id, "author", "id", (json_int_t)p->author_id, "name",
			 p->author_name, "title", p->title, "content", p->content, "state",
			 p->state, "amount_fen", (json_int_t)p->amount_fen, "created_at",
			 (json_int_t)p->created_at, "reviewed_by", or_null(p->reviewed_by),
			 "reviewed_at", or_null(p->reviewed_at), "review_note", p->review_note,
			 "adopted_by", or_null(p->adopted_by), "adopted_at", or_null(p->adopted_at),
			 "paid_by", or_null(p->paid_by), "paid_at", or_null(p->paid_at),
			 "rejected_by", or_null(p->rejected_by), "rejected_at",
			 or_null(p->rejected_at), "reject_note", p->reject_note);
}

static json_t *grievance_json(const struct perf_grievance *g)
{
	json_t *o = json_pack(
		"{s:I, s:{s:I, s:s}, s:I, s:s, s:s, s:s, s:I, s:[I, I], s:s, s:I, s:I, s:o, s:o,"
		" s:s, s:o, s:o, s:o, s:s}",
		"id", (json_int_t)g->id, "person", "id", (json_int_t)g->person_id, "name",
		g->person_name, "occurred_at", (json_int_t)g->occurred_at, "summary", g->summary,
		"evidence", g->evidence, "ref_kind", g->ref_kind, "ref_id", (json_int_t)g->ref_id,
		"witnesses", (json_int_t)g->witness1_id, (json_int_t)g->witness2_id, "state",
		g->state, "submitted_by", (json_int_t)g->submitted_by, "submitted_at",
		(json_int_t)g->submitted_at, "reviewed_by", or_null(g->reviewed_by), "reviewed_at",
		or_null(g->reviewed_at), "review_note", g->review_note, "verified_by",
		or_null(g->verified_by), "verified_at", or_null(g->verified_at), "verify_method",
		str_or_null(g->verify_method), "verify_note", g->verify_note);

	if (o)
		json_object_update_new(
			o,
			json_pack("{s:o, s:o, s:o, s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:s}",
				  "decided_by", or_null(g->decided_by), "decided_at",
				  or_null(g->decided_at), "level",
				  g->level ? json_integer(g->level) : json_null(), "amount_fen",
				  (json_int_t)g->amount_fen, "decide_note", g->decide_note,
				  "announced_by", or_null(g->announced_by), "announced_at",
				  or_null(g->announced_at), "rejected_by", or_null(g->rejected_by),
				  "rejected_at", or_null(g->rejected_at), "rejected_step",
				  str_or_null(g->rejected_step), "reject_note", g->reject_note));
	return o;
}

static json_t *settings_json(const struct perf_case_settings *cs)
{
	return json_pack("{s:i, s:i, s:i, s:i, s:[I, I, I], s:I, s:I}", "escalate_window_days",
			 cs->escalate_window_days, "warn_at", cs->warn_at, "persuade_at",
			 cs->persuade_at, "dismiss_at", cs->dismiss_at, "grievance_fen",
			 (json_int_t)cs->grievance_fen[0], (json_int_t)cs->grievance_fen[1],
			 (json_int_t)cs->grievance_fen[2], "proposal_min_fen",
			 (json_int_t)cs->proposal_min_fen, "proposal_max_fen",
			 (json_int_t)cs->proposal_max_fen);
}

/* ---- body fields: each wrong one is added, so a form shows them all ---- */

/* Text of at most chars characters into dst (left alone when absent). */
static int text_in(struct req *r, int rc, const char *key, int required, char *dst, size_t size,
		   int chars)
{
	json_t *v = json_object_get(r->body, key);
	const char *s;

	if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v))) {
		if (required)
			return err_add(&r->ei, rc, ERR_INVALID, key, "%s: required", key);
		return rc;
	}
	if (!json_is_string(v))
		return err_add(&r->ei, rc, ERR_INVALID, key, "%s: expected a string", key);
	s = json_string_value(v);
	if (strlen(s) >= size || utf8_len(s) > (size_t)chars)
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, key, "%s: at most %d characters", key,
			       chars);
	snprintf(dst, size, "%s", s);
	return rc;
}

/* A whole number in [min, max] (left alone when absent and not required). */
static int int_in(struct req *r, int rc, const char *key, int required, int64_t min, int64_t max,
		  int64_t *out)
{
	json_t *v = json_object_get(r->body, key);

	if (!v || json_is_null(v)) {
		if (required)
			return err_add(&r->ei, rc, ERR_INVALID, key, "%s: required", key);
		return rc;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return err_add(&r->ei, rc, ERR_INVALID, key,
			       "%s: expected a whole number from %lld to %lld", key, (long long)min,
			       (long long)max);
	*out = json_integer_value(v);
	return rc;
}

static int fields_only(struct req *r, const char *const *allowed)
{
	return r->body ? body_only(r, allowed) : 0;
}

/* ---- shared pieces of a step ---- */

static int not_now(struct req *r, const char *state)
{
	return err_set(&r->ei, ERR_CONFLICT, NULL, "this step is not possible while the case is %s",
		       state);
}

static int month_closed(struct req *r, const char *month)
{
	return err_set(&r->ei, ERR_CONFLICT, NULL, "the month %s is closed", month);
}

/* Writes a line of the case to the ledger in the month of now. */
static int ledger_write(struct req *r, const char *rule, const char *category, int64_t person,
			int64_t amount, const char *reason, const char *source, int64_t id)
{
	struct perf_line l;
	int64_t line = 0;
	int rc;

	memset(&l, 0, sizeof(l));
	l.person_id = person;
	perf_month_of(r->now, l.month);
	snprintf(l.rule, sizeof(l.rule), "%s", rule);
	snprintf(l.category, sizeof(l.category), "%s", category);
	l.amount_fen = amount;
	snprintf(l.reason, sizeof(l.reason), "%s", reason); /* cut at PERF_REASON_MAX bytes */
	utf8_trim_partial(l.reason);
	snprintf(l.source, sizeof(l.source), "%s", source);
	l.source_id = id;
	l.created_by = r->who.person_id;
	l.created_at = r->now;
	rc = perf_ledger_add(r->store, &l, &line);
	return rc == ERR_CONFLICT ? month_closed(r, l.month) : rc;
}

static int ledger_unwrite(struct req *r, const char *source, int64_t id, const char *why)
{
	struct perf_line l;
	int rc = perf_ledger_void(r->store, source, id, r->who.person_id, r->now, why);

	if (rc == ERR_CONFLICT && perf_ledger_by_source(r->store, source, id, &l) == 0)
		return month_closed(r, l.month);
	return rc;
}

static int tell(struct req *r, int64_t person, const char *kind, const char *text)
{
	return person && person != r->who.person_id
		       ? notify_send(r->store, person, kind, 0, text, r->now)
		       : 0;
}

static int tell_roles(struct req *r, unsigned roles, const char *kind, const char *text)
{
	static _Thread_local int64_t ids[CENTER_MAX];
	int n = perf_people_with_roles(r->store, roles, ids, CENTER_MAX), rc = 0;

	for (int i = 0; i < n && rc == 0; i++)
		rc = tell(r, ids[i], kind, text);
	return n < 0 ? n : rc;
}

/* The list's filter from the query; one who may read only their own gets theirs. */
static int filter_of(struct req *r, enum auth_action a, struct perf_case_filter *f)
{
	int64_t person = 0;
	const char *state = NULL;
	int rc;

	memset(f, 0, sizeof(*f));
	rc = req_page(r, &f->limit, &f->cursor);
	if (rc == 0)
		rc = req_query_int(r, "person_id", 1, INT64_MAX, &person);
	if (rc == 0)
		rc = req_query(r, "state", &state);
	if (rc < 0)
		return rc;
	f->state = state;
	f->person_id = auth_scope(&r->who, a) == SCOPE_ALL ? person : r->who.person_id;
	return 0;
}

/* Answers a page of rows the list function gives into items. */
static int reply_list(struct req *r, json_t *items, int n, const struct perf_case_filter *f)
{
	json_t *last;

	if (n < 0) {
		json_decref(items);
		return n;
	}
	last = json_array_get(items, json_array_size(items) - 1);
	return reply_page(r, items,
			  n == f->limit && last ? json_integer_value(json_object_get(last, "id"))
						: 0);
}

/* A list handler: the page of a case kind's rows, as the request filters it. */
static int list_json(struct req *r,
		     int (*walk)(struct store *, const struct perf_case_filter *, perf_row_fn *,
				 void *),
		     perf_row_fn *row)
{
	struct perf_case_filter f;
	json_t *items;
	int rc = filter_of(r, ACT_PERF_CASE_READ, &f);

	if (rc < 0)
		return rc;
	items = json_array();
	return reply_list(r, items, walk(r->store, &f, row, items), &f);
}

/* A case read in a load: others' only for those who see everyone's. */
static int visible(struct req *r, int rc, int64_t owner)
{
	if (rc == 0 && auth_scope(&r->who, ACT_PERF_CASE_READ) != SCOPE_ALL &&
	    owner != r->who.person_id)
		rc = ERR_NOTFOUND;
	return rc == ERR_NOTFOUND ? err_set(&r->ei, rc, NULL, "no such record") : rc;
}

/*
 * The end of every step: the audit entry with the case before and after
 * (before is stolen), the commit, the notification streams woken, and the
 * case as the answer (after is stolen).
 */
static int step_end(struct req *r, int rc, const char *action, const char *entity, int64_t id,
		    json_t *before, json_t *after)
{
	if (rc == 0)
		rc = req_audit(r, action, entity, id, "ok",
			       json_pack("{s:o, s:O}", "before", before, "after", after));
	else
		json_decref(before);
	rc = req_finish(r, rc);
	if (rc < 0) {
		json_decref(after);
		return rc;
	}
	notify_wake();
	return reply_json(r, 200, after);
}

/* ---- settings and categories ---- */

static int settings_get(struct req *r)
{
	struct perf_case_settings cs;
	int rc = perf_case_settings_get(r->store, &cs);

	return rc < 0 ? rc : reply_json(r, 200, settings_json(&cs));
}

static int settings_put(struct req *r)
{
	static const char *const fields[] = {
		"escalate_window_days", "warn_at",	    "persuade_at",	"dismiss_at",
		"grievance_fen",	"proposal_min_fen", "proposal_max_fen", NULL};
	struct perf_case_settings cs, before;
	int64_t v[4];
	json_t *g = json_object_get(r->body, "grievance_fen");
	int rc = fields_only(r, fields);

	if (rc < 0)
		return rc;
	rc = perf_case_settings_get(r->store, &cs);
	if (rc < 0)
		return rc;
	before = cs;
	v[0] = cs.escalate_window_days, v[1] = cs.warn_at, v[2] = cs.persuade_at,
	v[3] = cs.dismiss_at;
	rc = int_in(r, 0, "escalate_window_days", 0, 1, 366, &v[0]);
	rc = int_in(r, rc, "warn_at", 0, 2, 100, &v[1]);
	rc = int_in(r, rc, "persuade_at", 0, 2, 100, &v[2]);
	rc = int_in(r, rc, "dismiss_at", 0, 2, 100, &v[3]);
	rc = int_in(r, rc, "proposal_min_fen", 0, 1, 10000000, &cs.proposal_min_fen);
	rc = int_in(r, rc, "proposal_max_fen", 0, 1, 10000000, &cs.proposal_max_fen);
	if (g) {
		if (!json_is_array(g) || json_array_size(g) != 3)
			rc = err_add(&r->ei, rc, ERR_INVALID, "grievance_fen",
				     "grievance_fen: three amounts in fen, levels 1, 2 and 3");
		else
			for (int i = 0; i < 3; i++) {
				json_t *x = json_array_get(g, (size_t)i);

				if (!json_is_integer(x) || json_integer_value(x) < 1 ||
				    json_integer_value(x) > 10000000) {
					rc = err_add(
						&r->ei, rc, ERR_INVALID, "grievance_fen",
						"grievance_fen: three amounts in fen, levels 1,"
						" 2 and 3");
					break;
				}
				cs.grievance_fen[i] = json_integer_value(x);
			}
	}
	if (rc < 0)
		return rc;
	cs.escalate_window_days = (int)v[0], cs.warn_at = (int)v[1], cs.persuade_at = (int)v[2],
	cs.dismiss_at = (int)v[3];
	switch (perf_case_settings_check(&cs)) {
	case PERF_BAD_STEPS:
		return err_set(&r->ei, ERR_UNPROCESSABLE, "persuade_at",
			       "warn_at, persuade_at and dismiss_at must rise");
	case PERF_BAD_LEVELS:
		return err_set(&r->ei, ERR_UNPROCESSABLE, "grievance_fen",
			       "grievance_fen: level 1 above level 2 above level 3");
	case PERF_BAD_PROPOSAL:
		return err_set(&r->ei, ERR_UNPROCESSABLE, "proposal_max_fen",
			       "proposal_max_fen: not below proposal_min_fen");
	default:
		break;
	}
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = perf_case_settings_put(r->store, &cs, r->now);
	if (rc == 0)
		rc = req_audit(r, "perf.settings.update", "perf_case_settings", 1, "ok",
			       json_pack("{s:o, s:o}", "before", settings_json(&before), "after",
					 settings_json(&cs)));
	rc = req_finish(r, rc);
	return rc < 0 ? rc : reply_json(r, 200, settings_json(&cs));
}

static int category_row(void *ctx, const struct perf_category *c)
{
	return json_array_append_new(ctx, category_json(c));
}

static int categories_list(struct req *r)
{
	json_t *items = json_array();
	int rc = perf_category_list(r->store, category_row, items);

	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int code_valid(const char *c)
{
	if (!*c)
		return 0;
	for (; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
			return 0;
	return 1;
}

static int category_save(struct req *r, int64_t id)
{
	static const char *const fields[] = {"code",   "name", "amount_fen", "entered",
					     "active", "sort", NULL};
	struct perf_category c, before;
	json_t *v;
	int64_t amount, sort;
	int rc = fields_only(r, fields);

	if (rc < 0)
		return rc;
	memset(&c, 0, sizeof(c));
	c.active = 1;
	if (id) {
		rc = perf_category_get(r->store, id, &c);
		if (rc == ERR_NOTFOUND)
			return err_set(&r->ei, rc, NULL, "no such record");
		if (rc < 0)
			return rc;
	}
	before = c;
	amount = c.amount_fen, sort = c.sort;
	rc = text_in(r, 0, "code", !id, c.code, sizeof(c.code), 31);
	rc = text_in(r, rc, "name", !id, c.name, sizeof(c.name), PERF_TITLE_MAX);
	rc = int_in(r, rc, "amount_fen", !id, 0, 10000000, &amount);
	rc = int_in(r, rc, "sort", 0, -100000, 100000, &sort);
	if ((v = json_object_get(r->body, "entered")) && !json_is_boolean(v))
		rc = err_add(&r->ei, rc, ERR_INVALID, "entered", "%s: expected true or false",
			     "entered");
	else if (v)
		c.entered = json_is_true(v);
	if ((v = json_object_get(r->body, "active")) && !json_is_boolean(v))
		rc = err_add(&r->ei, rc, ERR_INVALID, "active", "%s: expected true or false",
			     "active");
	else if (v)
		c.active = json_is_true(v);
	if (rc == 0 && !code_valid(c.code))
		rc = err_add(&r->ei, rc, ERR_INVALID, "code",
			     "code: lower-case letters, digits and _");
	if (rc < 0)
		return rc;
	c.amount_fen = c.entered ? 0 : amount;
	c.sort = (int)sort;
	if (!c.entered && c.amount_fen < 1)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "amount_fen",
			       "amount_fen: required unless the amount is entered per penalty");
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = perf_category_put(r->store, &c, r->now);
	if (rc == ERR_CONFLICT)
		rc = err_set(&r->ei, ERR_CONFLICT, "code", "code: already in use");
	if (rc == 0)
		rc = req_audit(r, id ? "perf.category.update" : "perf.category.create",
			       "perf_penalty_category", c.id, "ok",
			       json_pack("{s:o, s:o}", "before",
					 id ? category_json(&before) : json_null(), "after",
					 category_json(&c)));
	rc = req_finish(r, rc);
	return rc < 0 ? rc : reply_json(r, id ? 200 : 201, category_json(&c));
}

static int category_create(struct req *r)
{
	return category_save(r, 0);
}

static int category_update(struct req *r)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	return rc < 0 ? rc : category_save(r, id);
}

/* ---- penalties ---- */

static int penalty_row(void *ctx, const void *row)
{
	return json_array_append_new(ctx, penalty_json(row));
}

static int penalties_list(struct req *r)
{
	return list_json(r, perf_penalty_list, penalty_row);
}

/* A penalty the request may see: others' only with the read scope ALL. */
static int penalty_load(struct req *r, struct perf_penalty *p)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = perf_penalty_get(r->store, id, p);
	return visible(r, rc, rc == 0 ? p->person_id : 0);
}

static int penalty_get(struct req *r)
{
	struct perf_penalty p;
	int rc = penalty_load(r, &p);

	return rc < 0 ? rc : reply_json(r, 200, penalty_json(&p));
}

/*
 * The penalty now counts: its line (negative) in the ledger, and when the
 * agent's offences of its category in the window reach a threshold, the
 * escalation proposed to HR (seed 000 第十一节三).
 */
static int penalty_count_in(struct req *r, const struct perf_penalty *p)
{
	struct perf_case_settings cs;
	struct perf_escalation e;
	const char *level;
	char text[NOTIFY_TEXT_SIZE];
	int n, rc = ledger_write(r, "penalty", p->category_code, p->person_id, -p->amount_fen,
				 p->category_name, "penalty", p->id);

	if (rc == 0)
		rc = perf_case_settings_get(r->store, &cs);
	if (rc < 0)
		return rc;
	n = perf_penalty_count(r->store, p->person_id, p->category_id,
			       p->occurred_at - (int64_t)cs.escalate_window_days * 86400000LL,
			       p->occurred_at);
	if (n < 0)
		return n;
	level = perf_escalation_level(&cs, n);
	if (!level)
		return 0;
	memset(&e, 0, sizeof(e));
	e.person_id = p->person_id;
	e.category_id = p->category_id;
	e.penalty_id = p->id;
	snprintf(e.level, sizeof(e.level), "%s", level);
	e.offences = n;
	e.created_at = r->now;
	rc = perf_escalation_insert(r->store, &e);
	if (rc < 0 || e.id == 0)
		return rc;
	snprintf(text, sizeof(text), "%s 在 %d 天内第 %d 次因「%s」受罚，建议%s，请人事部处理",
		 p->person_name, cs.escalate_window_days, n, p->category_name,
		 !strcmp(level, "warning")    ? "口头警告"
		 : !strcmp(level, "persuade") ? "劝离"
					      : "开除");
	return tell_roles(r, ROLE_HR, "perf.escalation", text);
}

static int penalty_create(struct req *r)
{
	static const char *const fields[] = {"person_id",   "category_id", "amount_fen",
					     "occurred_at", "evidence",	   "ref_kind",
					     "ref_id",	    NULL};
	struct perf_penalty p;
	struct perf_category c;
	int64_t cat = 0;
	char text[NOTIFY_TEXT_SIZE];
	int rc = fields_only(r, fields);

	if (rc < 0)
		return rc;
	memset(&p, 0, sizeof(p));
	p.occurred_at = r->now;
	rc = int_in(r, 0, "person_id", 1, 1, INT64_MAX, &p.person_id);
	rc = int_in(r, rc, "category_id", 1, 1, INT64_MAX, &cat);
	rc = int_in(r, rc, "amount_fen", 0, 1, LOSS_MAX_FEN, &p.amount_fen);
	rc = int_in(r, rc, "occurred_at", 0, 1, r->now, &p.occurred_at);
	rc = text_in(r, rc, "evidence", 1, p.evidence, sizeof(p.evidence), PERF_TEXT_MAX);
	rc = text_in(r, rc, "ref_kind", 0, p.ref_kind, sizeof(p.ref_kind), 15);
	rc = int_in(r, rc, "ref_id", p.ref_kind[0] != 0, 1, INT64_MAX, &p.ref_id);
	if (p.ref_kind[0] && strcmp(p.ref_kind, "call") && strcmp(p.ref_kind, "contact") &&
	    strcmp(p.ref_kind, "order"))
		rc = err_add(&r->ei, rc, ERR_INVALID, "ref_kind",
			     "ref_kind: call, contact or order");
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = perf_category_get(r->store, cat, &c);
	if (rc == 0 && !c.active)
		rc = ERR_NOTFOUND;
	if (rc == ERR_NOTFOUND)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "category_id",
			     "category_id: no such active category");
	if (rc == 0 && c.entered && !p.amount_fen)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "amount_fen",
			     "amount_fen: required for a category whose amount is entered");
	if (rc == 0 && !c.entered)
		p.amount_fen = c.amount_fen; /* the category's amount, whatever was sent */
	if (rc == 0 && perf_person_name(r->store, p.person_id, text, sizeof(text)) != 0)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "person_id", "no such active person");
	if (rc == 0 && p.ref_kind[0] && (rc = perf_ref_exists(r->store, p.ref_kind, p.ref_id)) == 0)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "ref_id", "no such record");
	if (rc > 0)
		rc = 0;
	p.category_id = cat;
	snprintf(p.state, sizeof(p.state), "open");
	p.created_by = p.recorded_by = r->who.person_id;
	p.created_at = p.recorded_at = r->now;
	if (rc == 0)
		rc = perf_penalty_insert(r->store, &p);
	if (rc == 0)
		rc = perf_penalty_get(r->store, p.id, &p);
	if (rc == 0)
		rc = penalty_count_in(r, &p);
	if (rc == 0) {
		snprintf(text, sizeof(text),
			 "%s 记录了您的一项处罚：%s，¥%lld.%02lld，请确认或提出异议", r->who.name,
			 p.category_name, (long long)(p.amount_fen / 100),
			 (long long)(p.amount_fen % 100));
		rc = tell(r, p.person_id, "perf.penalty", text);
	}
	if (rc == 0)
		rc = req_audit(r, "perf.penalty.create", "perf_penalty", p.id, "ok",
			       json_pack("{s:o}", "after", penalty_json(&p)));
	rc = req_finish(r, rc);
	if (rc == 0)
		notify_wake();
	return rc < 0 ? rc : reply_json(r, 201, penalty_json(&p));
}

/*
 * One step of a penalty: confirm or dismiss a proposal (supervisors),
 * acknowledge or object (the agent, their own only), uphold or overrule
 * an objection (the manager; the route "decide" with {"uphold": bool}).
 */
static int penalty_step(struct req *r, const char *step)
{
	char action[48];
	static const char *const fields[] = {"note", "amount_fen", "uphold", NULL};
	struct perf_penalty p;
	char note[PERF_TEXT_MAX * 4 + 1] = "", was[16], text[NOTIFY_TEXT_SIZE];
	const char *next;
	int64_t amount = 0;
	int uphold = -1, self = !strcmp(step, "acknowledge") || !strcmp(step, "object");
	json_t *before;
	int rc = fields_only(r, fields);

	if (rc < 0)
		return rc;
	rc = text_in(r, 0, "note", !strcmp(step, "object") || !strcmp(step, "decide"), note,
		     sizeof(note), PERF_TEXT_MAX);
	rc = int_in(r, rc, "amount_fen", 0, 1, LOSS_MAX_FEN, &amount);
	if (!strcmp(step, "decide")) {
		rc = body_bool_add(r, "uphold", &uphold, rc);
		if (rc == 0 && uphold < 0)
			rc = err_set(&r->ei, ERR_INVALID, "uphold", "%s: required", "uphold");
		step = uphold > 0 ? "uphold" : "overrule";
	}
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = penalty_load(r, &p);
	if (rc == 0 && self)
		rc = req_authorize_on(r, ACT_PERF_RESPOND,
				      &(struct auth_target){.person_id = p.person_id},
				      "perf_penalty", p.id);
	if (rc == 0 && perf_penalty_next(p.state, step, &next) < 0)
		rc = not_now(r, p.state);
	if (rc < 0)
		return req_finish(r, rc);
	before = penalty_json(&p);
	snprintf(was, sizeof(was), "%s", p.state);
	snprintf(p.state, sizeof(p.state), "%s", next);
	if (!strcmp(step, "confirm") || !strcmp(step, "dismiss")) {
		p.recorded_by = r->who.person_id;
		p.recorded_at = r->now;
		snprintf(p.decision_note, sizeof(p.decision_note), "%s", note);
		if (amount && !strcmp(step, "confirm")) {
			struct perf_category c;

			rc = perf_category_get(r->store, p.category_id, &c);
			if (rc == 0 && !c.entered)
				rc = err_set(&r->ei, ERR_UNPROCESSABLE, "amount_fen",
					     "amount_fen: this category's amount is fixed");
			p.amount_fen = amount;
		}
	} else if (self) {
		snprintf(p.answer, sizeof(p.answer), "%s", note);
		p.answered_at = r->now;
	} else {
		p.decided_by = r->who.person_id;
		p.decided_at = r->now;
		snprintf(p.decision_note, sizeof(p.decision_note), "%s", note);
	}
	if (rc == 0)
		rc = perf_penalty_update(r->store, &p, was);
	if (rc == 0 && !strcmp(step, "confirm"))
		rc = penalty_count_in(r, &p);
	if (rc == 0 && !strcmp(step, "uphold"))
		rc = ledger_unwrite(r, "penalty", p.id, note);
	if (rc == 0 && !strcmp(step, "object")) {
		snprintf(text, sizeof(text), "%s 对处罚「%s」提出异议，请裁定", p.person_name,
			 p.category_name);
		rc = tell_roles(r, ROLE_MANAGER, "perf.penalty", text);
	}
	if (rc == 0 &&
	    (!strcmp(step, "uphold") || !strcmp(step, "overrule") || !strcmp(step, "confirm"))) {
		snprintf(text, sizeof(text), "您的处罚「%s」%s", p.category_name,
			 !strcmp(step, "uphold")     ? "经裁定撤销"
			 : !strcmp(step, "overrule") ? "经裁定维持"
						     : "已确认记入，请确认或提出异议");
		rc = tell(r, p.person_id, "perf.penalty", text);
	}
	snprintf(action, sizeof(action), "perf.penalty.%s", step);
	return step_end(r, rc, action, "perf_penalty", p.id, before, penalty_json(&p));
}

#define STEP(fn, table, step)                                                                      \
	static int fn(struct req *r)                                                               \
	{                                                                                          \
		return table(r, step);                                                             \
	}

STEP(penalty_confirm, penalty_step, "confirm")
STEP(penalty_dismiss, penalty_step, "dismiss")
STEP(penalty_acknowledge, penalty_step, "acknowledge")
STEP(penalty_object, penalty_step, "object")
STEP(penalty_decide, penalty_step, "decide")

/* ---- escalations ---- */

static int escalation_row(void *ctx, const void *row)
{
	return json_array_append_new(ctx, escalation_json(row));
}

/* HR's proposals about a person are for HR and the center's heads, not for
 * the agent: one who sees only their own cases is refused (audited). */
static int escalations_list(struct req *r)
{
	int rc = auth_scope(&r->who, ACT_PERF_CASE_READ) == SCOPE_ALL
			 ? 0
			 : req_authorize_on(r, ACT_PERF_ESCALATION, NULL, "perf_escalation", 0);

	return rc < 0 ? rc : list_json(r, perf_escalation_list, escalation_row);
}

static int escalation_decide(struct req *r)
{
	static const char *const fields[] = {"accept", "note", NULL};
	struct perf_escalation e;
	char note[PERF_TEXT_MAX * 4 + 1] = "";
	int64_t id;
	int accept = -1;
	json_t *before;
	int rc = fields_only(r, fields);

	if (rc == 0)
		rc = req_param_id(r, 0, &id);
	if (rc < 0)
		return rc;
	rc = body_bool_add(r, "accept", &accept, 0);
	if (rc == 0 && accept < 0)
		rc = err_add(&r->ei, rc, ERR_INVALID, "accept", "%s: required", "accept");
	rc = text_in(r, rc, "note", 0, note, sizeof(note), PERF_TEXT_MAX);
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = perf_escalation_get(r->store, id, &e);
	if (rc == ERR_NOTFOUND)
		rc = err_set(&r->ei, rc, NULL, "no such record");
	if (rc == 0 && strcmp(e.state, "proposed"))
		rc = not_now(r, e.state);
	if (rc < 0)
		return req_finish(r, rc);
	before = escalation_json(&e);
	snprintf(e.state, sizeof(e.state), "%s", accept ? "accepted" : "rejected");
	snprintf(e.decision_note, sizeof(e.decision_note), "%s", note);
	e.decided_by = r->who.person_id;
	e.decided_at = r->now;
	rc = perf_escalation_decide(r->store, &e);
	return step_end(r, rc, "perf.escalation.decide", "perf_escalation", e.id, before,
			escalation_json(&e));
}

/* ---- proposals (PERF-2) ---- */

static int proposal_row(void *ctx, const void *row)
{
	return json_array_append_new(ctx, proposal_json(row));
}

static int proposals_list(struct req *r)
{
	return list_json(r, perf_proposal_list, proposal_row);
}

static int proposal_load(struct req *r, struct perf_proposal *p)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = perf_proposal_get(r->store, id, p);
	return visible(r, rc, rc == 0 ? p->author_id : 0);
}

static int proposal_get(struct req *r)
{
	struct perf_proposal p;
	int rc = proposal_load(r, &p);

	return rc < 0 ? rc : reply_json(r, 200, proposal_json(&p));
}

static int proposal_create(struct req *r)
{
	static const char *const fields[] = {"title", "content", NULL};
	struct perf_proposal p;
	char text[NOTIFY_TEXT_SIZE];
	int rc = fields_only(r, fields);

	if (rc < 0)
		return rc;
	memset(&p, 0, sizeof(p));
	rc = text_in(r, 0, "title", 1, p.title, sizeof(p.title), PERF_TITLE_MAX);
	rc = text_in(r, rc, "content", 1, p.content, sizeof(p.content), PERF_TEXT_MAX);
	if (rc < 0)
		return rc;
	p.author_id = r->who.person_id;
	p.created_at = r->now;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = perf_proposal_insert(r->store, &p);
	if (rc == 0)
		rc = perf_proposal_get(r->store, p.id, &p);
	if (rc == 0) {
		snprintf(text, sizeof(text), "%s 提交了合理化建议「%s」，请审核", p.author_name,
			 p.title);
		rc = tell_roles(r, ROLE_SUPERVISOR, "perf.proposal", text);
	}
	if (rc == 0)
		rc = req_audit(r, "perf.proposal.create", "perf_proposal", p.id, "ok",
			       json_pack("{s:o}", "after", proposal_json(&p)));
	rc = req_finish(r, rc);
	if (rc == 0)
		notify_wake();
	return rc < 0 ? rc : reply_json(r, 201, proposal_json(&p));
}

/*
 * A step of a proposal: review (a supervisor), adopt with its amount (the
 * manager; the line "proposal" in the ledger), pay (HR), reject (whoever
 * may take the step the proposal waits for: review or adopt).
 */
static int proposal_step(struct req *r, const char *step)
{
	char action[48];
	static const char *const fields[] = {"note", "amount_fen", NULL};
	struct perf_proposal p;
	struct perf_case_settings cs;
	char note[PERF_TEXT_MAX * 4 + 1] = "", was[16], text[NOTIFY_TEXT_SIZE];
	const char *next;
	int64_t amount = 0;
	json_t *before;
	int rc = fields_only(r, fields);

	if (rc < 0)
		return rc;
	rc = text_in(r, 0, "note", !strcmp(step, "reject"), note, sizeof(note), PERF_TEXT_MAX);
	rc = int_in(r, rc, "amount_fen", !strcmp(step, "adopt"), 1, 10000000, &amount);
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = proposal_load(r, &p);
	if (rc == 0 && !strcmp(step, "reject") && !strcmp(p.state, "submitted"))
		rc = req_authorize_on(r, ACT_PERF_PROPOSAL_REVIEW, NULL, "perf_proposal", p.id);
	else if (rc == 0 && !strcmp(step, "reject") && !strcmp(p.state, "reviewed"))
		rc = req_authorize_on(r, ACT_PERF_CASE_MANAGE, NULL, "perf_proposal", p.id);
	if (rc == 0 && perf_proposal_next(p.state, step, &next) < 0)
		rc = not_now(r, p.state);
	if (rc == 0)
		rc = perf_case_settings_get(r->store, &cs);
	if (rc == 0 && !strcmp(step, "adopt") &&
	    (amount < cs.proposal_min_fen || amount > cs.proposal_max_fen))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "amount_fen", "%s: %lld to %lld",
			     "amount_fen", (long long)cs.proposal_min_fen,
			     (long long)cs.proposal_max_fen);
	if (rc < 0)
		return req_finish(r, rc);
	before = proposal_json(&p);
	snprintf(was, sizeof(was), "%s", p.state);
	snprintf(p.state, sizeof(p.state), "%s", next);
	if (!strcmp(step, "review")) {
		p.reviewed_by = r->who.person_id, p.reviewed_at = r->now;
		snprintf(p.review_note, sizeof(p.review_note), "%s", note);
	} else if (!strcmp(step, "adopt")) {
		p.adopted_by = r->who.person_id, p.adopted_at = r->now;
		p.amount_fen = amount;
	} else if (!strcmp(step, "pay")) {
		p.paid_by = r->who.person_id, p.paid_at = r->now;
	} else {
		p.rejected_by = r->who.person_id, p.rejected_at = r->now;
		snprintf(p.reject_note, sizeof(p.reject_note), "%s", note);
	}
	rc = perf_proposal_update(r->store, &p, was);
	if (rc == 0 && !strcmp(step, "adopt"))
		rc = ledger_write(r, "proposal", "", p.author_id, p.amount_fen, p.title, "proposal",
				  p.id);
	if (rc == 0 && !strcmp(step, "review")) {
		snprintf(text, sizeof(text), "合理化建议「%s」已通过主管审核，请决定是否采纳",
			 p.title);
		rc = tell_roles(r, ROLE_MANAGER, "perf.proposal", text);
	}
	if (rc == 0 && strcmp(step, "review")) {
		snprintf(text, sizeof(text), "您的合理化建议「%s」%s", p.title,
			 !strcmp(step, "adopt") ? "已被采纳"
			 : !strcmp(step, "pay") ? "的奖励已发放"
						: "未被采纳");
		rc = tell(r, p.author_id, "perf.proposal", text);
	}
	snprintf(action, sizeof(action), "perf.proposal.%s", step);
	return step_end(r, rc, action, "perf_proposal", p.id, before, proposal_json(&p));
}

STEP(proposal_review, proposal_step, "review")
STEP(proposal_adopt, proposal_step, "adopt")
STEP(proposal_pay, proposal_step, "pay")
STEP(proposal_reject, proposal_step, "reject")

/* ---- grievances (PERF-4) ---- */

static int grievance_row(void *ctx, const void *row)
{
	return json_array_append_new(ctx, grievance_json(row));
}

static int grievances_list(struct req *r)
{
	return list_json(r, perf_grievance_list, grievance_row);
}

static int grievance_load(struct req *r, struct perf_grievance *g)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = perf_grievance_get(r->store, id, g);
	return visible(r, rc, rc == 0 ? g->person_id : 0);
}

static int grievance_get(struct req *r)
{
	struct perf_grievance g;
	int rc = grievance_load(r, &g);

	return rc < 0 ? rc : reply_json(r, 200, grievance_json(&g));
}

static int grievance_create(struct req *r)
{
	static const char *const fields[] = {"person_id", "occurred_at", "summary",   "evidence",
					     "ref_kind",  "ref_id",	 "witnesses", NULL};
	struct perf_grievance g;
	char name[257], text[NOTIFY_TEXT_SIZE];
	json_t *w = json_object_get(r->body, "witnesses");
	int rc = fields_only(r, fields);

	if (rc < 0)
		return rc;
	memset(&g, 0, sizeof(g));
	g.occurred_at = r->now;
	rc = int_in(r, 0, "person_id", 1, 1, INT64_MAX, &g.person_id);
	rc = int_in(r, rc, "occurred_at", 0, 1, r->now, &g.occurred_at);
	rc = text_in(r, rc, "summary", 1, g.summary, sizeof(g.summary), PERF_TEXT_MAX);
	rc = text_in(r, rc, "evidence", 0, g.evidence, sizeof(g.evidence), PERF_TEXT_MAX);
	rc = text_in(r, rc, "ref_kind", 1, g.ref_kind, sizeof(g.ref_kind), 15);
	rc = int_in(r, rc, "ref_id", 1, 1, INT64_MAX, &g.ref_id);
	if (g.ref_kind[0] && strcmp(g.ref_kind, "call") && strcmp(g.ref_kind, "contact"))
		rc = err_add(&r->ei, rc, ERR_INVALID, "ref_kind", "ref_kind: call or contact");
	/* PERF-4: at least two witnesses, neither of them the agent. */
	if (!json_is_array(w) || json_array_size(w) != 2 ||
	    !json_is_integer(json_array_get(w, 0)) || !json_is_integer(json_array_get(w, 1)))
		rc = err_add(&r->ei, rc, ERR_INVALID, "witnesses",
			     "witnesses: two different people other than the agent");
	else {
		g.witness1_id = json_integer_value(json_array_get(w, 0));
		g.witness2_id = json_integer_value(json_array_get(w, 1));
		if (g.witness1_id == g.witness2_id || g.witness1_id == g.person_id ||
		    g.witness2_id == g.person_id)
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "witnesses",
				     "witnesses: two different people other than the agent");
	}
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	if (perf_person_name(r->store, g.person_id, name, sizeof(name)) != 0)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "person_id", "no such active person");
	if (rc == 0 && (perf_person_name(r->store, g.witness1_id, text, sizeof(text)) != 0 ||
			perf_person_name(r->store, g.witness2_id, text, sizeof(text)) != 0))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "witnesses",
			     "witnesses: two different people other than the agent");
	if (rc == 0 && (rc = perf_ref_exists(r->store, g.ref_kind, g.ref_id)) == 0)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "ref_id", "no such record");
	if (rc > 0)
		rc = 0;
	g.submitted_by = r->who.person_id;
	g.submitted_at = r->now;
	if (rc == 0)
		rc = perf_grievance_insert(r->store, &g);
	if (rc == 0)
		rc = perf_grievance_get(r->store, g.id, &g);
	if (rc == 0) {
		snprintf(text, sizeof(text), "%s 为 %s 申报了委屈奖，请初审", r->who.name, name);
		rc = tell_roles(r, ROLE_MANAGER, "perf.grievance", text);
	}
	if (rc == 0)
		rc = req_audit(r, "perf.grievance.submit", "perf_grievance", g.id, "ok",
			       json_pack("{s:o}", "after", grievance_json(&g)));
	rc = req_finish(r, rc);
	if (rc == 0)
		notify_wake();
	return rc < 0 ? rc : reply_json(r, 201, grievance_json(&g));
}

/* Who is told that a case waits for them after step. */
static unsigned grievance_next_role(const char *step)
{
	return !strcmp(step, "review")	 ? ROLE_HR
	       : !strcmp(step, "verify") ? ROLE_OFFICE
	       : !strcmp(step, "decide") ? ROLE_OFFICE
					 : 0;
}

/*
 * A step of a grievance case, each by its role (the route's action):
 * review (the manager), verify with its method (HR), decide the level (the
 * general office: the line "grievance" in the ledger), announce (the
 * office: every person of the center told), reject (the role whose step
 * the case waits for).
 */
static int grievance_step(struct req *r, const char *step)
{
	char action[48];
	static const char *const fields[] = {"note", "method", "level", NULL};
	static const enum auth_action reject_as[] = {
		ACT_PERF_GRIEVANCE_REVIEW, ACT_PERF_GRIEVANCE_VERIFY, ACT_PERF_GRIEVANCE_DECIDE};
	struct perf_grievance g;
	struct perf_case_settings cs;
	char note[PERF_TEXT_MAX * 4 + 1] = "", method[16] = "", was[16], text[NOTIFY_TEXT_SIZE];
	const char *next, *reject_step = NULL;
	int64_t level = 0;
	json_t *before;
	int rc = fields_only(r, fields);

	if (rc < 0)
		return rc;
	rc = text_in(r, 0, "note", !strcmp(step, "reject") || !strcmp(step, "verify"), note,
		     sizeof(note), PERF_TEXT_MAX);
	rc = text_in(r, rc, "method", !strcmp(step, "verify"), method, sizeof(method), 15);
	if (method[0] && strcmp(method, "interview") && strcmp(method, "recording"))
		rc = err_add(&r->ei, rc, ERR_INVALID, "method", "method: interview or recording");
	rc = int_in(r, rc, "level", !strcmp(step, "decide"), 1, 3, &level);
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = grievance_load(r, &g);
	if (rc == 0 && !strcmp(step, "reject")) {
		reject_step = perf_grievance_reject_step(g.state);
		if (reject_step)
			rc = req_authorize_on(r,
					      reject_as[!strcmp(reject_step, "review")	 ? 0
							: !strcmp(reject_step, "verify") ? 1
											 : 2],
					      NULL, "perf_grievance", g.id);
	}
	if (rc == 0 && perf_grievance_next(g.state, step, &next) < 0)
		rc = not_now(r, g.state);
	if (rc == 0)
		rc = perf_case_settings_get(r->store, &cs);
	if (rc < 0)
		return req_finish(r, rc);
	before = grievance_json(&g);
	snprintf(was, sizeof(was), "%s", g.state);
	snprintf(g.state, sizeof(g.state), "%s", next);
	if (!strcmp(step, "review")) {
		g.reviewed_by = r->who.person_id, g.reviewed_at = r->now;
		snprintf(g.review_note, sizeof(g.review_note), "%s", note);
	} else if (!strcmp(step, "verify")) {
		g.verified_by = r->who.person_id, g.verified_at = r->now;
		snprintf(g.verify_method, sizeof(g.verify_method), "%s", method);
		snprintf(g.verify_note, sizeof(g.verify_note), "%s", note);
	} else if (!strcmp(step, "decide")) {
		g.decided_by = r->who.person_id, g.decided_at = r->now;
		g.level = (int)level;
		g.amount_fen = perf_grievance_amount(&cs, g.level);
		snprintf(g.decide_note, sizeof(g.decide_note), "%s", note);
	} else if (!strcmp(step, "announce")) {
		g.announced_by = r->who.person_id, g.announced_at = r->now;
	} else {
		g.rejected_by = r->who.person_id, g.rejected_at = r->now;
		snprintf(g.rejected_step, sizeof(g.rejected_step), "%s", reject_step);
		snprintf(g.reject_note, sizeof(g.reject_note), "%s", note);
	}
	rc = perf_grievance_update(r->store, &g, was);
	if (rc == 0 && !strcmp(step, "decide")) {
		char category[16];

		snprintf(category, sizeof(category), "level%d", g.level);
		rc = ledger_write(r, "grievance", category, g.person_id, g.amount_fen, g.summary,
				  "grievance", g.id);
	}
	if (rc == 0 && !strcmp(step, "announce")) {
		snprintf(text, sizeof(text),
			 "表彰通报：%s 在服务中受到委屈仍坚持文明服务，荣获委屈奖%s等奖（¥%lld）",
			 g.person_name,
			 g.level == 1	? "一"
			 : g.level == 2 ? "二"
					: "三",
			 (long long)(g.amount_fen / 100));
		rc = tell_roles(r, ROLE_MANAGER | ROLE_SUPERVISOR | ROLE_AGENT | ROLE_QA,
				"perf.grievance", text);
	} else if (rc == 0 && !strcmp(step, "reject")) {
		snprintf(text, sizeof(text), "委屈奖申报（%s）未通过", g.person_name);
		rc = tell(r, g.submitted_by, "perf.grievance", text);
	} else if (rc == 0) {
		snprintf(text, sizeof(text), "委屈奖申报（%s）待您%s", g.person_name,
			 !strcmp(step, "review")   ? "核实"
			 : !strcmp(step, "verify") ? "审批定级"
						   : "发文表彰");
		rc = tell_roles(r, grievance_next_role(step), "perf.grievance", text);
	}
	snprintf(action, sizeof(action), "perf.grievance.%s", step);
	return step_end(r, rc, action, "perf_grievance", g.id, before, grievance_json(&g));
}

STEP(grievance_review, grievance_step, "review")
STEP(grievance_verify, grievance_step, "verify")
STEP(grievance_decide, grievance_step, "decide")
STEP(grievance_announce, grievance_step, "announce")
STEP(grievance_reject, grievance_step, "reject")

const struct route perf_case_routes[] = {
	{"GET", "/api/perf/case-settings", settings_get, ACT_PERF_CASE_READ},
	{"PUT", "/api/perf/case-settings", settings_put, ACT_PERF_CASE_MANAGE},
	{"GET", "/api/perf/penalty-categories", categories_list, ACT_PERF_CASE_READ},
	{"POST", "/api/perf/penalty-categories", category_create, ACT_PERF_CASE_MANAGE},
	{"PUT", "/api/perf/penalty-categories/{id}", category_update, ACT_PERF_CASE_MANAGE},
	{"GET", "/api/perf/penalties", penalties_list, ACT_PERF_CASE_READ},
	{"POST", "/api/perf/penalties", penalty_create, ACT_PERF_PENALTY},
	{"GET", "/api/perf/penalties/{id}", penalty_get, ACT_PERF_CASE_READ},
	{"POST", "/api/perf/penalties/{id}/confirm", penalty_confirm, ACT_PERF_PENALTY},
	{"POST", "/api/perf/penalties/{id}/dismiss", penalty_dismiss, ACT_PERF_PENALTY},
	{"POST", "/api/perf/penalties/{id}/acknowledge", penalty_acknowledge, ACT_PERF_RESPOND},
	{"POST", "/api/perf/penalties/{id}/object", penalty_object, ACT_PERF_RESPOND},
	{"POST", "/api/perf/penalties/{id}/decide", penalty_decide, ACT_PERF_CASE_MANAGE},
	{"GET", "/api/perf/escalations", escalations_list, ACT_PERF_CASE_READ},
	{"POST", "/api/perf/escalations/{id}/decide", escalation_decide, ACT_PERF_ESCALATION},
	{"GET", "/api/perf/proposals", proposals_list, ACT_PERF_PROPOSE},
	{"POST", "/api/perf/proposals", proposal_create, ACT_PERF_PROPOSE},
	{"GET", "/api/perf/proposals/{id}", proposal_get, ACT_PERF_PROPOSE},
	{"POST", "/api/perf/proposals/{id}/review", proposal_review, ACT_PERF_PROPOSAL_REVIEW},
	{"POST", "/api/perf/proposals/{id}/adopt", proposal_adopt, ACT_PERF_CASE_MANAGE},
	{"POST", "/api/perf/proposals/{id}/pay", proposal_pay, ACT_PERF_PROPOSAL_PAY},
	{"POST", "/api/perf/proposals/{id}/reject", proposal_reject, ACT_PERF_PROPOSE},
	{"GET", "/api/perf/grievances", grievances_list, ACT_PERF_CASE_READ},
	{"POST", "/api/perf/grievances", grievance_create, ACT_PERF_GRIEVANCE_SUBMIT},
	{"GET", "/api/perf/grievances/{id}", grievance_get, ACT_PERF_CASE_READ},
	{"POST", "/api/perf/grievances/{id}/review", grievance_review, ACT_PERF_GRIEVANCE_REVIEW},
	{"POST", "/api/perf/grievances/{id}/verify", grievance_verify, ACT_PERF_GRIEVANCE_VERIFY},
	{"POST", "/api/perf/grievances/{id}/decide", grievance_decide, ACT_PERF_GRIEVANCE_DECIDE},
	{"POST", "/api/perf/grievances/{id}/announce", grievance_announce,
	 ACT_PERF_GRIEVANCE_DECIDE},
	{"POST", "/api/perf/grievances/{id}/reject", grievance_reject, ACT_PERF_CASE_READ},
	{NULL, NULL, NULL, 0},
};
