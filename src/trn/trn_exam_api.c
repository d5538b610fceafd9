/*
 * Exams over HTTP (TRN-2, ORG-4): the pass marks, the question bank,
 * papers drawn by rules, exams (assigned, started by the trainee, answers
 * saved as they go, submitted by the trainee or by the server once the
 * time is up, short answers marked by the exam's trainer), practicals
 * scored by their panel and closed by their host, and the manager's
 * confirmation that certifies a person for duty. Who may act on a record
 * (the trainee, the trainer, a panel member) is decided before the write
 * transaction begins; each change is one transaction with its audit entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/utf8.h"
#include "http/http.h"
#include "org/org.h"
#include "store/store.h"
#include "trn/trn.h"

#define PAPER_MAX 200  /* questions in a paper */
#define RULES_MAX 20   /* rules of a draw */
#define BANK_DRAW 5000 /* candidates one rule draws from */

static json_t *id_or_null(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

static int manager_or_supervisor(const struct req *r)
{
	return (r->who.roles & (ROLE_MANAGER | ROLE_SUPERVISOR)) != 0;
}

/* ---- Settings ---- */

static json_t *settings_json(const struct trn_settings *t)
{
	return json_pack("{s:i, s:i}", "written_pass", t->written_pass, "practical_pass",
			 t->practical_pass);
}

static int settings_get(struct req *r)
{
	struct trn_settings t;
	int rc = trn_settings_get(r->store, &t);

	return rc < 0 ? rc : reply_json(r, 200, settings_json(&t));
}

static int settings_put(struct req *r)
{
	static const char *const keys[] = {"written_pass", "practical_pass", NULL};
	struct trn_settings t;
	int rc = body_only(r, keys);

	if (rc == 0)
		rc = trn_settings_get(r->store, &t);
	if (rc < 0)
		return rc;
	rc = body_int_add(r, "written_pass", &t.written_pass, 0);
	rc = body_int_add(r, "practical_pass", &t.practical_pass, rc);
	if (t.written_pass < 1 || t.written_pass > 100)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "written_pass",
			     "written_pass: 1 to 100");
	if (t.practical_pass < 1 || t.practical_pass > 100)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "practical_pass",
			     "practical_pass: 1 to 100");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = trn_settings_put(r->store, &t);
	if (rc == 0)
		rc = req_audit(r, "trn.settings", "trn_settings", 1, "ok", settings_json(&t));
	rc = req_finish(r, rc);
	return rc < 0 ? rc : reply_json(r, 200, settings_json(&t));
}

/* ---- The question bank ---- */

static json_t *question_json(const struct trn_question *q, int with_key)
{
	json_t *opts = json_loads(q->options, 0, NULL);
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:i, s:b}", "id", (json_int_t)q->id,
			      "kind", trn_kind_name(q->kind), "category", q->category, "stem",
			      q->stem, "options", opts ? opts : json_array(), "points", q->points,
			      "active", q->active);

	if (with_key)
		json_object_set_new(o, "answer", json_string(q->answer));
	return o;
}

static int question_row(void *ctx, const struct trn_question *q)
{
	return json_array_append_new(ctx, question_json(q, 1));
}

static int questions_list(struct req *r)
{
	const char *kind = NULL, *cat = NULL;
	json_t *items;
	int k = -1, rc = req_query(r, "kind", &kind);

	if (rc == 0)
		rc = req_query(r, "category", &cat);
	if (rc == 0 && kind && (k = trn_kind_parse(kind)) < 0)
		rc = err_set(&r->ei, ERR_INVALID, "kind",
			     "kind: single, multiple, truefalse, fill or short");
	if (rc < 0)
		return rc;
	items = json_array();
	rc = trn_question_list(r->store, k, cat && *cat ? cat : NULL, 0, question_row, items);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* The key checked against the kind and its options; 0 or an error on "answer". */
static int key_check(struct req *r, const struct trn_question *q, size_t nopts, int rc)
{
	const char *k = q->answer;
	int letters = 0;

	switch (q->kind) {
	case TRN_SINGLE:
	case TRN_MULTIPLE:
		if (nopts < 2)
			return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "options",
				       "options: 2 to %d choices", TRN_OPTIONS_MAX);
		for (; *k; k++) {
			if (*k < 'A' || *k >= 'A' + (int)nopts)
				return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "answer",
					       "answer: the letters of the right choices");
			letters++;
		}
		if (letters == 0 || (q->kind == TRN_SINGLE && letters != 1))
			return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "answer",
				       "answer: the letters of the right choices");
		return rc;
	case TRN_TRUEFALSE:
		if (strcmp(k, "true") != 0 && strcmp(k, "false") != 0)
			return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "answer",
				       "answer: true or false");
		return rc;
	case TRN_FILL:
		if (utf8_blank(k))
			return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "answer",
				       "answer: the right words, alternatives split by |");
		return rc;
	default:
		return rc; /* a short answer's key is the trainer's reference, may be empty */
	}
}

/* The question's fields from the body over q; every broken field listed. */
static int question_fields(struct req *r, struct trn_question *q, int creating)
{
	const char *kind = NULL, *cat = NULL, *stem = NULL, *answer = NULL;
	json_t *opts = json_object_get(r->body, "options"), *v;
	size_t i, nopts = 0;
	char *dumped = NULL;
	int rc = 0, e;

	e = body_str(r, "kind", creating, &kind);
	if (e < 0)
		return e;
	if (kind && (q->kind = trn_kind_parse(kind)) < 0)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "kind",
			     "kind: single, multiple, truefalse, fill or short");
	if (body_str(r, "category", 0, &cat) < 0 || (cat && utf8_len(cat) > 64))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "category",
			     "category: at most 64 characters");
	if (body_str(r, "stem", creating, &stem) < 0 ||
	    (stem && (utf8_blank(stem) || strlen(stem) > TRN_TEXT_MAX)))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "stem",
			     "stem: the question, 1 to 2000 bytes");
	if (body_str(r, "answer", 0, &answer) < 0 || (answer && strlen(answer) > TRN_TEXT_MAX))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "answer", "answer: at most 2000 bytes");
	rc = body_int_add(r, "points", &q->points, rc);
	if (q->points < 1 || q->points > 100)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "points", "points: 1 to 100");
	rc = body_bool_add(r, "active", &q->active, rc);
	if (opts) {
		int bad = !json_is_array(opts) || json_array_size(opts) > TRN_OPTIONS_MAX;

		json_array_foreach(opts, i, v) bad |=
			!json_is_string(v) || utf8_blank(json_string_value(v)) ||
			strlen(json_string_value(v)) > TRN_TEXT_MAX / 4;
		if (!bad)
			dumped = json_dumps(opts, JSON_COMPACT);
		if (bad || !dumped || strlen(dumped) >= sizeof(q->options))
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "options",
				     "options: 2 to %d choices", TRN_OPTIONS_MAX);
		else
			snprintf(q->options, sizeof(q->options), "%s", dumped);
		free(dumped);
	}
	if (rc < 0)
		return rc;
	if (cat)
		snprintf(q->category, sizeof(q->category), "%s", cat);
	if (stem)
		snprintf(q->stem, sizeof(q->stem), "%s", stem);
	if (answer)
		snprintf(q->answer, sizeof(q->answer), "%s", answer);
	/* Only choices have options. */
	if (q->kind != TRN_SINGLE && q->kind != TRN_MULTIPLE)
		snprintf(q->options, sizeof(q->options), "[]");
	v = json_loads(q->options, 0, NULL);
	nopts = json_array_size(v);
	json_decref(v);
	return key_check(r, q, nopts, 0);
}

static const char *const question_keys[] = {"kind",   "category", "stem",   "options",
					    "answer", "points",	  "active", NULL};

static int question_create(struct req *r)
{
	struct trn_question q = {.points = 5, .active = 1, .options = "[]"};
	int rc = body_only(r, question_keys);

	if (rc == 0)
		rc = question_fields(r, &q, 1);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = trn_question_insert(r->store, &q, r->who.person_id, r->now);
	if (rc == 0)
		rc = req_audit(r, "trn.question.create", "trn_question", q.id, "ok",
			       json_pack("{s:s, s:s}", "kind", trn_kind_name(q.kind), "category",
					 q.category));
	rc = req_finish(r, rc);
	return rc < 0 ? rc : reply_json(r, 201, question_json(&q, 1));
}

static int question_patch(struct req *r)
{
	struct trn_question q;
	int64_t id;
	int rc = body_only(r, question_keys);

	if (rc == 0)
		rc = req_param_id(r, 0, &id);
	if (rc == 0 && trn_question_get(r->store, id, &q) == ERR_NOTFOUND)
		rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "no such question");
	if (rc == 0)
		rc = question_fields(r, &q, 0);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = trn_question_update(r->store, &q);
	if (rc == 0)
		rc = req_audit(r, "trn.question.update", "trn_question", q.id, "ok",
			       json_deep_copy(r->body));
	rc = req_finish(r, rc);
	return rc < 0 ? rc : reply_json(r, 200, question_json(&q, 1));
}

/* ---- Papers ---- */

static json_t *paper_json(const struct trn_paper *p)
{
	json_t *rules = json_loads(p->rules, 0, NULL);

	return json_pack("{s:I, s:s, s:o, s:I, s:i, s:i, s:I}", "id", (json_int_t)p->id, "title",
			 p->title, "rules", rules ? rules : json_array(), "seed",
			 (json_int_t)p->seed, "duration_min", p->duration_min, "total", p->total,
			 "created_at", (json_int_t)p->created_at);
}

static int paper_row(void *ctx, const struct trn_paper *p)
{
	return json_array_append_new(ctx, paper_json(p));
}

static int papers_list(struct req *r)
{
	json_t *items = json_array();
	int rc = trn_paper_list(r->store, paper_row, items);

	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int item_key_row(void *ctx, const struct trn_item *it)
{
	json_t *o = question_json(&it->q, 1);

	json_object_set_new(o, "position", json_integer(it->position));
	json_object_set_new(o, "points", json_integer(it->points));
	return json_array_append_new(ctx, o);
}

static int paper_reply(struct req *r, unsigned status, int64_t id)
{
	struct trn_paper p;
	json_t *o, *qs;
	int rc = trn_paper_get(r->store, id, &p);

	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, rc, NULL, "no such paper");
	if (rc < 0)
		return rc;
	o = paper_json(&p);
	qs = json_array();
	rc = trn_exam_items(r->store, 0, id, item_key_row, qs);
	json_object_set_new(o, "questions", qs);
	if (rc < 0) {
		json_decref(o);
		return rc;
	}
	return reply_json(r, status, o);
}

static int paper_get(struct req *r)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	return rc < 0 ? rc : paper_reply(r, 200, id);
}

/*
 * POST /api/trn/papers: {title, duration_min, seed?, rules: [{kind, category?, count,
 * points}]}: each rule draws count active questions of its kind (and category) with the
 * seeded random draw, none twice; 422 when the bank holds too few.
 */
static int paper_draw(struct req *r, int64_t *cand, int64_t *picked)
{
	static const char *const keys[] = {"title", "duration_min", "seed", "rules", NULL};
	int64_t chosen[PAPER_MAX];
	int points[PAPER_MAX];
	struct trn_paper p = {.duration_min = 60};
	const char *title = NULL;
	json_t *rules = json_object_get(r->body, "rules"), *seed = json_object_get(r->body, "seed");
	json_t *rule;
	size_t i;
	char *dumped;
	int n = 0, rc = body_only(r, keys);

	if (rc == 0)
		rc = body_str(r, "title", 1, &title);
	if (rc == 0 && (utf8_blank(title) || utf8_len(title) > TRN_TITLE_MAX))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "title", "title: 1 to 200 characters");
	if (rc == 0)
		rc = body_int_add(r, "duration_min", &p.duration_min, 0);
	if (rc == 0 && (p.duration_min < 1 || p.duration_min > 600))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "duration_min", "duration_min: 1 to 600");
	if (rc == 0 && seed && (!json_is_integer(seed) || json_integer_value(seed) < 0))
		rc = err_set(&r->ei, ERR_INVALID, "seed", "seed: a whole number, 0 or more");
	if (rc == 0 && (!json_is_array(rules) || json_array_size(rules) == 0 ||
			json_array_size(rules) > RULES_MAX))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "rules", "rules: 1 to %d rules", RULES_MAX);
	if (rc < 0)
		return rc;
	/* Without a seed, the moment: a paper still redraws from what it stores. */
	p.seed = seed ? json_integer_value(seed) : r->now;
	json_array_foreach(rules, i, rule)
	{
		const char *kind = json_string_value(json_object_get(rule, "kind"));
		const char *cat = json_string_value(json_object_get(rule, "category"));
		int k = trn_kind_parse(kind);
		json_int_t count = json_integer_value(json_object_get(rule, "count"));
		json_int_t pts = json_integer_value(json_object_get(rule, "points"));
		int have, fresh = 0;

		if (k < 0 || count < 1 || count > PAPER_MAX || pts < 1 || pts > 100)
			return err_set(
				&r->ei, ERR_UNPROCESSABLE, "rules",
				"rules[%d]: a kind, a count of 1 to 200 and points of 1 to 100",
				(int)i);
		have = trn_question_ids(r->store, k, cat && *cat ? cat : NULL, cand, BANK_DRAW);
		if (have < 0)
			return have;
		/* Questions an earlier rule drew are not drawn again. */
		for (int c = 0; c < have; c++) {
			int dup = 0;

			for (int j = 0; j < n && !dup; j++)
				dup = chosen[j] == cand[c];
			if (!dup)
				cand[fresh++] = cand[c];
		}
		if (n + count > PAPER_MAX)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "rules",
				       "rules: at most %d questions in a paper", PAPER_MAX);
		if (trn_draw(cand, fresh, (int)count, (uint64_t)p.seed + i, picked) < 0)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "rules",
				       "rules[%d]: the bank holds only %d such questions", (int)i,
				       fresh);
		for (int c = 0; c < count; c++) {
			chosen[n] = picked[c];
			points[n++] = (int)pts;
			p.total += (int)pts;
		}
	}
	dumped = json_dumps(rules, JSON_COMPACT);
	if (!dumped || strlen(dumped) >= sizeof(p.rules)) {
		free(dumped);
		return err_set(&r->ei, ERR_UNPROCESSABLE, "rules", "rules: 1 to %d rules",
			       RULES_MAX);
	}
	snprintf(p.rules, sizeof(p.rules), "%s", dumped);
	free(dumped);
	snprintf(p.title, sizeof(p.title), "%s", title);
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = trn_paper_insert(r->store, &p, r->who.person_id, r->now);
	for (int c = 0; rc == 0 && c < n; c++)
		rc = trn_paper_question_add(r->store, p.id, c + 1, chosen[c], points[c]);
	if (rc == 0)
		rc = req_audit(r, "trn.paper.create", "trn_paper", p.id, "ok",
			       json_pack("{s:s, s:i, s:i, s:I}", "title", p.title, "questions", n,
					 "total", p.total, "seed", (json_int_t)p.seed));
	rc = req_finish(r, rc);
	return rc < 0 ? rc : paper_reply(r, 201, p.id);
}

/* The candidates of a rule and its picks: BANK_DRAW ids each, on the heap. */
static int paper_create(struct req *r)
{
	int64_t *cand = malloc(2 * BANK_DRAW * sizeof(*cand));
	int rc;

	if (!cand)
		return ERR_NOMEM;
	rc = paper_draw(r, cand, cand + BANK_DRAW);
	free(cand);
	return rc;
}

/* ---- Exams ---- */

static json_t *exam_json(const struct trn_exam *e, int64_t now)
{
	int64_t left = 0;

	if (strcmp(e->state, "started") == 0 && e->deadline_at > now)
		left = e->deadline_at - now;
	return json_pack("{s:I, s:I, s:s, s:I, s:s, s:I, s:s, s:s, s:o, s:o, s:I, s:o, s:b, s:o,"
			 " s:o, s:i, s:i, s:o}",
			 "id", (json_int_t)e->id, "paper_id", (json_int_t)e->paper_id, "title",
			 e->title, "person_id", (json_int_t)e->person_id, "person", e->person,
			 "trainer_id", (json_int_t)e->trainer_id, "trainer", e->trainer, "state",
			 e->state, "started_at", id_or_null(e->started_at), "deadline_at",
			 id_or_null(e->deadline_at), "time_left_ms", (json_int_t)left,
			 "submitted_at", id_or_null(e->submitted_at), "auto_submitted",
			 e->auto_submitted, "marked_at", id_or_null(e->marked_at), "marked_by",
			 id_or_null(e->marked_by), "duration_min", e->duration_min, "total",
			 e->total, "score",
			 strcmp(e->state, "marked") == 0 ? json_real(e->score) : json_null());
}

struct exam_view {
	int trainee; /* the key and the marks stay hidden until marked */
	int marked;
	json_t *items;
};

static int exam_item_row(void *ctx, const struct trn_item *it)
{
	struct exam_view *v = ctx;
	json_t *o = question_json(&it->q, !v->trainee || v->marked);

	json_object_set_new(o, "position", json_integer(it->position));
	json_object_set_new(o, "points", json_integer(it->points));
	json_object_set_new(o, "answer_given",
			    it->answered ? json_string(it->answer) : json_null());
	json_object_set_new(o, "got",
			    it->got >= 0 && (!v->trainee || v->marked) ? json_integer(it->got)
								       : json_null());
	return json_array_append_new(v->items, o);
}

static int exam_reply(struct req *r, unsigned status, const struct trn_exam *e)
{
	struct exam_view v = {.trainee = e->person_id == r->who.person_id,
			      .marked = strcmp(e->state, "marked") == 0,
			      .items = json_array()};
	json_t *o = exam_json(e, r->now);
	int rc = 0;

	/* The trainee sees the questions only once the exam is started. */
	if (!v.trainee || strcmp(e->state, "assigned") != 0)
		rc = trn_exam_items(r->store, e->id, e->paper_id, exam_item_row, &v);
	json_object_set_new(o, "questions", v.items);
	if (rc < 0) {
		json_decref(o);
		return rc;
	}
	return reply_json(r, status, o);
}

struct exam_list {
	int64_t now;
	json_t *items;
};

static int exam_row(void *ctx, const struct trn_exam *e)
{
	struct exam_list *l = ctx;

	return json_array_append_new(l->items, exam_json(e, l->now));
}

/* Every exam for who sees them all; else one's own and the ones one marks. */
static int exams_list(struct req *r)
{
	int64_t who = auth_scope(&r->who, ACT_TRN_EXAM) == SCOPE_ALL ? 0 : r->who.person_id;
	struct exam_list l = {r->now, json_array()};
	int rc = trn_exam_list(r->store, who, exam_row, &l);

	if (rc < 0) {
		json_decref(l.items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", l.items));
}

/* The exam {id}: to its trainee, its trainer, or who sees every exam; else 404. */
static int load_exam(struct req *r, struct trn_exam *e)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = trn_exam_get(r->store, id, e);
	if (rc == 0 && e->person_id != r->who.person_id && e->trainer_id != r->who.person_id &&
	    auth_scope(&r->who, ACT_TRN_EXAM) != SCOPE_ALL)
		rc = ERR_NOTFOUND;
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, rc, NULL, "no such exam");
	return rc;
}

static int exam_get(struct req *r)
{
	struct trn_exam e;
	int rc = load_exam(r, &e);

	return rc < 0 ? rc : exam_reply(r, 200, &e);
}

/* POST /api/trn/exams: a paper given to a trainee, with the trainer who marks it. */
static int exam_create(struct req *r)
{
	static const char *const keys[] = {"paper_id", "person_id", "trainer_id", NULL};
	struct trn_exam e = {0};
	struct trn_paper p;
	struct org_person who;
	int rc = body_only(r, keys);

	if (rc < 0)
		return rc;
	if (body_ref(r, "paper_id", &e.paper_id) < 0 || e.paper_id <= 0 ||
	    trn_paper_get(r->store, e.paper_id, &p) != 0)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "paper_id", "paper_id: no such paper");
	if (body_ref(r, "person_id", &e.person_id) < 0 || e.person_id <= 0 ||
	    org_person_get(r->store, e.person_id, &who) != 0 || !who.active)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "person_id",
			     "person_id: no such active person");
	if (body_ref(r, "trainer_id", &e.trainer_id) < 0 || e.trainer_id <= 0 ||
	    org_person_get(r->store, e.trainer_id, &who) != 0 || !who.active)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "trainer_id",
			     "trainer_id: no such active person");
	if (rc == 0 && e.trainer_id == e.person_id)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "trainer_id",
			     "trainer_id: nobody marks their own exam");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = trn_exam_insert(r->store, &e, r->who.person_id, r->now);
	if (rc == 0)
		rc = req_audit(r, "trn.exam.create", "trn_exam", e.id, "ok",
			       json_pack("{s:I, s:I, s:I}", "paper_id", (json_int_t)e.paper_id,
					 "person_id", (json_int_t)e.person_id, "trainer_id",
					 (json_int_t)e.trainer_id));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = trn_exam_get(r->store, e.id, &e);
	return rc < 0 ? rc : exam_reply(r, 201, &e);
}

/* Only the trainee acts on their exam (start, answers, submit). */
static int load_own_exam(struct req *r, struct trn_exam *e)
{
	int rc = load_exam(r, e);

	if (rc == 0 && e->person_id != r->who.person_id)
		rc = err_set(&r->ei, ERR_FORBIDDEN, NULL, "only the trainee takes the exam");
	return rc;
}

static int exam_start(struct req *r)
{
	struct trn_exam e;
	int64_t deadline;
	int rc = load_own_exam(r, &e);

	if (rc == 0 && strcmp(e.state, "assigned") != 0)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the exam was started already");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	deadline = r->now + (int64_t)e.duration_min * 60000;
	rc = trn_exam_start(r->store, e.id, r->now, deadline);
	if (rc == 0)
		rc = req_audit(r, "trn.exam.start", "trn_exam", e.id, "ok",
			       json_pack("{s:I}", "deadline_at", (json_int_t)deadline));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = trn_exam_get(r->store, e.id, &e);
	return rc < 0 ? rc : exam_reply(r, 200, &e);
}

/* The exam's time is up: answers are no longer taken (the server submits it). */
static int exam_running(struct req *r, const struct trn_exam *e)
{
	if (strcmp(e->state, "started") != 0)
		return err_set(&r->ei, ERR_CONFLICT, NULL, "the exam is not in progress");
	if (!trn_exam_open(e->deadline_at, r->now))
		return err_set(&r->ei, ERR_CONFLICT, NULL,
			       "the exam's time is up: answers are no longer taken");
	return 0;
}

struct find_item {
	int position;
	int found;
};

static int find_item_row(void *ctx, const struct trn_item *it)
{
	struct find_item *f = ctx;

	f->found |= it->position == f->position;
	return 0;
}

/* PUT /api/trn/exams/{id}/answers/{position}: one answer, saved as the trainee goes. */
static int answer_put(struct req *r)
{
	static const char *const keys[] = {"answer", NULL};
	struct find_item f;
	struct trn_exam e;
	const char *answer = NULL;
	char *end;
	long pos = strtol(r->params[1], &end, 10);
	int rc = load_own_exam(r, &e);

	memset(&f, 0, sizeof(f));
	if (rc == 0)
		rc = body_only(r, keys);
	if (rc == 0)
		rc = body_str(r, "answer", 1, &answer);
	if (rc == 0 && strlen(answer) > TRN_TEXT_MAX)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "answer", "answer: at most 2000 bytes");
	if (rc == 0)
		rc = exam_running(r, &e);
	if (rc == 0 && (*end || pos < 1 || pos > PAPER_MAX))
		rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "no such question in this exam");
	if (rc == 0) {
		f.position = (int)pos;
		rc = trn_exam_items(r->store, e.id, e.paper_id, find_item_row, &f);
		if (rc >= 0 && !f.found)
			rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "no such question in this exam");
		rc = rc < 0 ? rc : 0;
	}
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = trn_answer_save(r->store, e.id, (int)pos, answer, r->now);
	/* Answers are the trainee's work: the entry says which was saved, not what. */
	if (rc == 0)
		rc = req_audit(r, "trn.exam.answer", "trn_exam", e.id, "ok",
			       json_pack("{s:i}", "position", (int)pos));
	rc = req_finish(r, rc);
	return rc < 0 ? rc
		      : reply_json(r, 200,
				   json_pack("{s:i, s:s, s:I}", "position", (int)pos, "answer",
					     answer, "saved_at", (json_int_t)r->now));
}

/* POST /api/trn/exams/{id}/submit: by the trainee; past the deadline the server's own. */
static int exam_submit(struct req *r)
{
	struct trn_exam e;
	int late, rc = load_own_exam(r, &e);

	if (rc == 0 && strcmp(e.state, "started") != 0)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the exam is not in progress");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	late = !trn_exam_open(e.deadline_at, r->now);
	rc = trn_exam_submit(r->store, &e, r->now, late);
	if (rc == 0)
		rc = req_audit(r, "trn.exam.submit", "trn_exam", e.id, "ok",
			       json_pack("{s:b}", "auto_submitted", late));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = trn_exam_get(r->store, e.id, &e);
	return rc < 0 ? rc : exam_reply(r, 200, &e);
}

struct tally {
	int got;		      /* points given so far */
	int total;		      /* the paper's */
	int unmarked;		      /* short answers not marked yet */
	int positions[PAPER_MAX + 1]; /* a short answer's points, by position; 0 other kinds */
};

static int tally_row(void *ctx, const struct trn_item *it)
{
	struct tally *t = ctx;

	t->total += it->points;
	if (it->position >= 1 && it->position <= PAPER_MAX && it->q.kind == TRN_SHORT)
		t->positions[it->position] = it->points;
	if (it->got >= 0)
		t->got += it->got;
	else if (it->q.kind == TRN_SHORT)
		t->unmarked++;
	return 0;
}

/*
 * POST /api/trn/exams/{id}/marks: {marks: [{position, points}]}: the exam's trainer marks
 * its short answers; once all are, the exam is marked with its score.
 */
static int exam_mark(struct req *r)
{
	static const char *const keys[] = {"marks", NULL};
	struct tally t;
	struct trn_exam e;
	json_t *marks = json_object_get(r->body, "marks"), *m;
	size_t i;
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	memset(&t, 0, sizeof(t));
	/* Anyone with trn.mark learns only that the exam is not theirs to mark. */
	if (rc == 0)
		rc = trn_exam_get(r->store, id, &e);
	if (rc == ERR_NOTFOUND)
		rc = err_set(&r->ei, rc, NULL, "no such exam");
	if (rc == 0 && e.trainer_id != r->who.person_id)
		rc = err_set(&r->ei, ERR_FORBIDDEN, NULL, "only the exam's trainer marks it");
	if (rc == 0)
		rc = body_only(r, keys);
	if (rc == 0 && strcmp(e.state, "submitted") != 0)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL,
			     "only a submitted exam waiting for its short answers is marked");
	if (rc == 0 && (!json_is_array(marks) || json_array_size(marks) == 0))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "marks",
			     "marks: a list of {position, points}");
	if (rc == 0)
		rc = trn_exam_items(r->store, e.id, e.paper_id, tally_row, &t);
	if (rc < 0)
		return rc;
	json_array_foreach(marks, i, m)
	{
		json_int_t pos = json_integer_value(json_object_get(m, "position"));
		json_t *pts = json_object_get(m, "points");

		if (pos < 1 || pos > PAPER_MAX || t.positions[pos] == 0)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "marks",
				       "marks[%d]: not a short answer of this exam", (int)i);
		if (!json_is_integer(pts) || json_integer_value(pts) < 0 ||
		    json_integer_value(pts) > t.positions[pos])
			return err_set(&r->ei, ERR_UNPROCESSABLE, "marks",
				       "marks[%d]: points from 0 to %d", (int)i, t.positions[pos]);
	}
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	json_array_foreach(marks, i, m)
	{
		if (rc < 0)
			break;
		rc = trn_answer_points(r->store, e.id,
				       (int)json_integer_value(json_object_get(m, "position")),
				       (int)json_integer_value(json_object_get(m, "points")),
				       r->who.person_id, r->now);
	}
	if (rc == 0) {
		memset(&t, 0, sizeof(t));
		rc = trn_exam_items(r->store, e.id, e.paper_id, tally_row, &t);
		rc = rc < 0 ? rc : 0;
	}
	if (rc == 0 && t.unmarked == 0)
		rc = trn_exam_marked(r->store, e.id, r->now, r->who.person_id, t.got,
				     trn_percent(t.got, t.total));
	if (rc == 0)
		rc = req_audit(r, "trn.exam.mark", "trn_exam", e.id, "ok",
			       json_pack("{s:O, s:b}", "marks", marks, "marked", t.unmarked == 0));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = trn_exam_get(r->store, e.id, &e);
	return rc < 0 ? rc : exam_reply(r, 200, &e);
}

/* ---- Practicals ---- */

static int panel_row(void *ctx, const struct trn_panel_score *p)
{
	json_t *o = json_pack("{s:I, s:s, s:b, s:o, s:o}", "person_id", (json_int_t)p->person_id,
			      "name", p->name, "scored", p->scored, "total",
			      p->scored ? json_integer(p->total) : json_null(), "scored_at",
			      id_or_null(p->scored_at));

	for (int i = 0; i < TRN_ITEMS; i++)
		json_object_set_new(o, trn_item_names[i],
				    p->scored ? json_integer(p->items[i]) : json_null());
	return json_array_append_new(ctx, o);
}

static json_t *practical_json(const struct trn_practical *x)
{
	int closed = strcmp(x->state, "closed") == 0;

	return json_pack("{s:I, s:I, s:s, s:I, s:s, s:o, s:I, s:o}", "id", (json_int_t)x->id,
			 "person_id", (json_int_t)x->person_id, "person", x->person, "host_id",
			 (json_int_t)x->host_id, "state", x->state, "score",
			 closed ? json_real(x->score) : json_null(), "created_at",
			 (json_int_t)x->created_at, "closed_at", id_or_null(x->closed_at));
}

static int practical_reply(struct req *r, unsigned status, int64_t id)
{
	struct trn_practical x;
	json_t *o, *panel;
	int rc = trn_practical_get(r->store, id, &x);

	if (rc < 0)
		return rc;
	o = practical_json(&x);
	panel = json_array();
	rc = trn_panel_list(r->store, id, panel_row, panel);
	json_object_set_new(o, "panel", panel);
	if (rc < 0) {
		json_decref(o);
		return rc;
	}
	return reply_json(r, status, o);
}

static int practical_row(void *ctx, const struct trn_practical *x)
{
	return json_array_append_new(ctx, practical_json(x));
}

static int practicals_list(struct req *r)
{
	json_t *items = json_array();
	int rc = trn_practical_list(r->store, manager_or_supervisor(r) ? 0 : r->who.person_id,
				    practical_row, items);

	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

#define PANEL_MAX 10

/* POST /api/trn/practicals: {person_id, panel: [ids]}, hosted by the caller. */
static int practical_create(struct req *r)
{
	static const char *const keys[] = {"person_id", "panel", NULL};
	struct trn_practical x = {0};
	struct org_person p;
	json_t *panel = json_object_get(r->body, "panel"), *v;
	size_t i;
	int rc = body_only(r, keys);

	if (rc < 0)
		return rc;
	if (body_ref(r, "person_id", &x.person_id) < 0 || x.person_id <= 0 ||
	    org_person_get(r->store, x.person_id, &p) != 0 || !p.active)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "person_id",
			     "person_id: no such active person");
	if (!json_is_array(panel) || json_array_size(panel) == 0 ||
	    json_array_size(panel) > PANEL_MAX)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "panel", "panel: 1 to %d people",
			     PANEL_MAX);
	else
		json_array_foreach(panel, i, v)
		{
			if (!json_is_integer(v) || json_integer_value(v) == x.person_id ||
			    org_person_get(r->store, json_integer_value(v), &p) != 0 || !p.active) {
				rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "panel",
					     "panel: active people other than the trainee");
				break;
			}
		}
	if (rc < 0)
		return rc;
	x.host_id = r->who.person_id;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = trn_practical_insert(r->store, &x, r->now);
	json_array_foreach(panel, i, v)
	{
		if (rc < 0)
			break;
		rc = trn_panel_add(r->store, x.id, json_integer_value(v));
	}
	if (rc == 0)
		rc = req_audit(r, "trn.practical.create", "trn_practical", x.id, "ok",
			       json_pack("{s:I, s:O}", "person_id", (json_int_t)x.person_id,
					 "panel", panel));
	rc = req_finish(r, rc);
	return rc < 0 ? rc : practical_reply(r, 201, x.id);
}

static int load_practical(struct req *r, struct trn_practical *x)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = trn_practical_get(r->store, id, x);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, rc, NULL, "no such practical exam");
	return rc;
}

static int practical_get(struct req *r)
{
	struct trn_practical x;
	int rc = load_practical(r, &x);

	return rc < 0 ? rc : practical_reply(r, 200, x.id);
}

/* PUT /api/trn/practicals/{id}/score: a panel member's five items (TRN-2), 0..20 each. */
static int practical_score(struct req *r)
{
	static const char *const keys[] = {"voice", "tone", "speed", "fluency", "reactions", NULL};
	struct trn_practical x;
	int items[TRN_ITEMS] = {-1, -1, -1, -1, -1};
	int bad, rc = load_practical(r, &x);

	if (rc == 0)
		rc = body_only(r, keys);
	for (int i = 0; rc == 0 && i < TRN_ITEMS; i++)
		if (!json_is_integer(json_object_get(r->body, trn_item_names[i])))
			rc = err_set(&r->ei, ERR_UNPROCESSABLE, trn_item_names[i],
				     "%s: a score from 0 to %d", trn_item_names[i], TRN_ITEM_MAX);
		else
			items[i] = (int)json_integer_value(
				json_object_get(r->body, trn_item_names[i]));
	if (rc == 0 && (bad = trn_items_check(items)) != 0)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, trn_item_names[bad - 1],
			     "%s: a score from 0 to %d", trn_item_names[bad - 1], TRN_ITEM_MAX);
	if (rc == 0 && strcmp(x.state, "open") != 0)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the practical exam is closed");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = trn_panel_score(r->store, x.id, r->who.person_id, items, r->now);
	if (rc == ERR_NOTFOUND)
		rc = err_set(&r->ei, ERR_FORBIDDEN, NULL,
			     "only a member of the panel scores the practical exam");
	if (rc == 0)
		rc = req_audit(r, "trn.practical.score", "trn_practical", x.id, "ok",
			       json_pack("{s:i, s:i, s:i, s:i, s:i}", "voice", items[0], "tone",
					 items[1], "speed", items[2], "fluency", items[3],
					 "reactions", items[4]));
	rc = req_finish(r, rc);
	return rc < 0 ? rc : practical_reply(r, 200, x.id);
}

struct mean {
	int n, scored;
	long sum;
};

static int mean_row(void *ctx, const struct trn_panel_score *p)
{
	struct mean *m = ctx;

	m->n++;
	if (p->scored) {
		m->scored++;
		m->sum += p->total;
	}
	return 0;
}

/* POST /api/trn/practicals/{id}/close: by its host or the manager; the panel's mean. */
static int practical_close(struct req *r)
{
	struct trn_practical x;
	struct mean m = {0};
	int rc = load_practical(r, &x);

	if (rc == 0 && x.host_id != r->who.person_id && !(r->who.roles & ROLE_MANAGER))
		rc = err_set(&r->ei, ERR_FORBIDDEN, NULL,
			     "only the host or the manager closes the practical exam");
	if (rc == 0 && strcmp(x.state, "open") != 0)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the practical exam is closed");
	if (rc == 0)
		rc = trn_panel_list(r->store, x.id, mean_row, &m);
	if (rc >= 0 && m.scored < m.n)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL,
			     "every member of the panel must score first");
	if (rc >= 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	x.score = m.scored ? (double)m.sum / m.scored : 0;
	rc = trn_practical_close(r->store, x.id, x.score, r->now);
	if (rc == 0)
		rc = req_audit(r, "trn.practical.close", "trn_practical", x.id, "ok",
			       json_pack("{s:f, s:i}", "score", x.score, "panel", m.scored));
	rc = req_finish(r, rc);
	return rc < 0 ? rc : practical_reply(r, 200, x.id);
}

/* ---- Certification (ORG-4) ---- */

struct standing {
	struct org_person p;
	struct trn_settings set;
	int64_t exam_id, practical_id;
	double written, practical;
	int have_written, have_practical;
};

static int standing_load(struct req *r, int64_t person_id, struct standing *st)
{
	int rc;

	memset(st, 0, sizeof(*st));
	rc = org_person_get(r->store, person_id, &st->p);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, rc, NULL, "no such person");
	if (rc == 0)
		rc = trn_settings_get(r->store, &st->set);
	if (rc == 0) {
		rc = trn_exam_best(r->store, person_id, &st->exam_id, &st->written);
		st->have_written = rc == 0;
		rc = rc == ERR_NOTFOUND ? 0 : rc;
	}
	if (rc == 0) {
		rc = trn_practical_best(r->store, person_id, &st->practical_id, &st->practical);
		st->have_practical = rc == 0;
		rc = rc == ERR_NOTFOUND ? 0 : rc;
	}
	return rc;
}

static int written_passed(const struct standing *st)
{
	return st->have_written && st->written >= st->set.written_pass;
}

static int practical_passed(const struct standing *st)
{
	return st->have_practical && st->practical >= st->set.practical_pass;
}

static json_t *standing_json(const struct standing *st)
{
	return json_pack("{s:I, s:s, s:s, s:b, s:{s:o, s:o, s:i, s:b}, s:{s:o, s:o, s:i, s:b}}",
			 "person_id", (json_int_t)st->p.id, "work_no", st->p.work_no, "name",
			 st->p.name, "certified", st->p.certified, "written", "exam_id",
			 id_or_null(st->exam_id), "score",
			 st->have_written ? json_real(st->written) : json_null(), "pass",
			 st->set.written_pass, "passed", written_passed(st), "practical",
			 "practical_id", id_or_null(st->practical_id), "score",
			 st->have_practical ? json_real(st->practical) : json_null(), "pass",
			 st->set.practical_pass, "passed", practical_passed(st));
}

static int person_param(struct req *r, int64_t *id)
{
	int rc = req_param_id(r, 0, id);

	if (rc < 0)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such person");
	/* One's own standing, or anyone's for who sees every exam. */
	if (*id != r->who.person_id && auth_scope(&r->who, ACT_TRN_EXAM) != SCOPE_ALL)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such person");
	return 0;
}

static int cert_get(struct req *r)
{
	struct standing st;
	int64_t id;
	int rc = person_param(r, &id);

	if (rc == 0)
		rc = standing_load(r, id, &st);
	return rc < 0 ? rc : reply_json(r, 200, standing_json(&st));
}

/* POST /api/trn/certification/{person}: the manager's confirmation (ORG-4). */
static int cert_confirm(struct req *r)
{
	struct standing st;
	const char *why = NULL;
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc < 0)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such person");
	rc = standing_load(r, id, &st);
	if (rc == 0 &&
	    trn_certify_check(written_passed(&st), practical_passed(&st), st.p.certified, &why) < 0)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "%s", why);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	st.p.certified = 1;
	rc = org_person_update(r->store, &st.p, r->now, &r->ei);
	if (rc == 0)
		rc = trn_cert_insert(r->store, id, st.exam_id, st.practical_id, r->who.person_id,
				     r->now);
	if (rc == 0)
		rc = req_audit(r, "trn.certify", "person", id, "ok",
			       json_pack("{s:I, s:f, s:I, s:f}", "exam_id", (json_int_t)st.exam_id,
					 "written", st.written, "practical_id",
					 (json_int_t)st.practical_id, "practical", st.practical));
	rc = req_finish(r, rc);
	return rc < 0 ? rc : reply_json(r, 200, standing_json(&st));
}

const struct route trn_exam_routes[] = {
	{"GET", "/api/trn/settings", settings_get, ACT_TRN_READ},
	{"PUT", "/api/trn/settings", settings_put, ACT_TRN_MANAGE},
	{"GET", "/api/trn/questions", questions_list, ACT_TRN_MANAGE},
	{"POST", "/api/trn/questions", question_create, ACT_TRN_MANAGE},
	{"PATCH", "/api/trn/questions/{id}", question_patch, ACT_TRN_MANAGE},
	{"GET", "/api/trn/papers", papers_list, ACT_TRN_MANAGE},
	{"POST", "/api/trn/papers", paper_create, ACT_TRN_MANAGE},
	{"GET", "/api/trn/papers/{id}", paper_get, ACT_TRN_MANAGE},
	{"GET", "/api/trn/exams", exams_list, ACT_TRN_EXAM},
	{"POST", "/api/trn/exams", exam_create, ACT_TRN_MANAGE},
	{"GET", "/api/trn/exams/{id}", exam_get, ACT_TRN_EXAM},
	{"POST", "/api/trn/exams/{id}/start", exam_start, ACT_TRN_EXAM},
	{"PUT", "/api/trn/exams/{id}/answers/{position}", answer_put, ACT_TRN_EXAM},
	{"POST", "/api/trn/exams/{id}/submit", exam_submit, ACT_TRN_EXAM},
	{"POST", "/api/trn/exams/{id}/marks", exam_mark, ACT_TRN_MARK},
	{"GET", "/api/trn/practicals", practicals_list, ACT_TRN_PANEL},
	{"POST", "/api/trn/practicals", practical_create, ACT_TRN_MANAGE},
	{"GET", "/api/trn/practicals/{id}", practical_get, ACT_TRN_PANEL},
	{"PUT", "/api/trn/practicals/{id}/score", practical_score, ACT_TRN_PANEL},
	{"POST", "/api/trn/practicals/{id}/close", practical_close, ACT_TRN_MANAGE},
	{"GET", "/api/trn/certification/{id}", cert_get, ACT_TRN_EXAM},
	{"POST", "/api/trn/certification/{id}", cert_confirm, ACT_PERSON_CERTIFY},
	{NULL, NULL, NULL, 0},
};
