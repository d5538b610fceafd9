/*
 * perf's cases, the SQL (migration 40): settings, penalty categories,
 * penalties and their escalations, proposals and grievance cases, and the
 * cursors of the absence sources. Each update is guarded by the state the
 * row was read in, so two steps racing leave one.
 */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "perf/perf.h"
#include "store/store.h"

#define LIMIT_DEFAULT 50

/* ---- settings and cursors ---- */

static int settings_read(struct store_stmt *st, void *dst)
{
	struct perf_case_settings *cs = dst;

	cs->escalate_window_days = (int)store_col_int(st, 0);
	cs->warn_at = (int)store_col_int(st, 1);
	cs->persuade_at = (int)store_col_int(st, 2);
	cs->dismiss_at = (int)store_col_int(st, 3);
	for (int i = 0; i < 3; i++)
		cs->grievance_fen[i] = store_col_int(st, 4 + i);
	cs->proposal_min_fen = store_col_int(st, 7);
	cs->proposal_max_fen = store_col_int(st, 8);
	return 0;
}

int perf_case_settings_get(struct store *s, struct perf_case_settings *out)
{
	return store_one(
		store_query(s,
			    "SELECT escalate_window_days, warn_at, persuade_at, dismiss_at,"
			    " grievance_fen_1, grievance_fen_2, grievance_fen_3,"
			    " proposal_min_fen, proposal_max_fen FROM perf_case_settings"
			    " WHERE id = 1",
			    ""),
		settings_read, out);
}

int perf_case_settings_put(struct store *s, const struct perf_case_settings *cs, int64_t now)
{
	int rc = store_run(s,
			   "UPDATE perf_case_settings SET escalate_window_days = ?, warn_at = ?,"
			   " persuade_at = ?, dismiss_at = ?, grievance_fen_1 = ?,"
			   " grievance_fen_2 = ?, grievance_fen_3 = ?, proposal_min_fen = ?,"
			   " proposal_max_fen = ?, updated_at = ? WHERE id = 1",
			   NULL, "iiiiiiiiii", (int64_t)cs->escalate_window_days,
			   (int64_t)cs->warn_at, (int64_t)cs->persuade_at, (int64_t)cs->dismiss_at,
			   cs->grievance_fen[0], cs->grievance_fen[1], cs->grievance_fen[2],
			   cs->proposal_min_fen, cs->proposal_max_fen, now);

	return rc < 0 ? rc : 0;
}

int perf_case_cursor_get(struct store *s, const char *source, int64_t *at)
{
	int rc = store_run(s, "SELECT at FROM perf_case_cursor WHERE source = ?", at, "t", source);

	if (rc == 0)
		*at = 0;
	return rc < 0 ? rc : 0;
}

int perf_case_cursor_set(struct store *s, const char *source, int64_t at)
{
	int rc = store_run(s,
			   "INSERT INTO perf_case_cursor(source, at) VALUES (?, ?)"
			   " ON CONFLICT(source) DO UPDATE SET at = excluded.at",
			   NULL, "ti", source, at);

	return rc < 0 ? rc : 0;
}

/* ---- people and references ---- */

int perf_ref_exists(struct store *s, const char *kind, int64_t id)
{
	int64_t one = 0;
	int rc;

	if (!strcmp(kind, "call"))
		rc = store_run(s, "SELECT 1 FROM call WHERE id = ?", &one, "i", id);
	else if (!strcmp(kind, "contact"))
		rc = store_run(s, "SELECT 1 FROM contact WHERE id = ?", &one, "i", id);
	else if (!strcmp(kind, "order"))
		rc = store_run(s, "SELECT 1 FROM work_order WHERE id = ?", &one, "i", id);
	else
		return 0;
	return rc < 0 ? rc : rc == 1;
}

static int name_read(struct store_stmt *st, void *dst)
{
	struct {
		char *name;
		size_t size;
	} *o = dst;

	store_col_copy(st, 0, o->name, o->size);
	return 0;
}

int perf_person_name(struct store *s, int64_t id, char *name, size_t size)
{
	struct {
		char *name;
		size_t size;
	} o = {name, size};

	name[0] = '\0';
	return store_one(
		store_query(s, "SELECT name FROM person WHERE id = ? AND active = 1", "i", id),
		name_read, &o);
}

static int id_read(struct store_stmt *st, void *dst)
{
	*(int64_t *)dst = store_col_int(st, 0);
	return 0;
}

int perf_people_with_roles(struct store *s, unsigned roles, int64_t *ids, int max)
{
	struct store_stmt *st = store_query(s,
					    "SELECT id FROM person WHERE active = 1"
					    " AND (roles & ?) <> 0 ORDER BY id LIMIT ?",
					    "ii", (int64_t)roles, (int64_t)max);
	int rc, n = 0;

	while (n < max && (rc = store_next(st, id_read, &ids[n])) == 1)
		n++;
	return store_end(st, n < max ? rc : 0, n);
}

/* ---- categories ---- */

#define CATEGORY_COLS "id, code, name, amount_fen, entered, active, sort"

static int category_read(struct store_stmt *st, void *dst)
{
	struct perf_category *c = dst;

	c->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, c->code);
	STORE_COL_COPY(st, 2, c->name);
	c->amount_fen = store_col_int(st, 3);
	c->entered = (int)store_col_int(st, 4);
	c->active = (int)store_col_int(st, 5);
	c->sort = (int)store_col_int(st, 6);
	return 0;
}

int perf_category_list(struct store *s, perf_category_fn *fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s, "SELECT " CATEGORY_COLS " FROM perf_penalty_category ORDER BY sort, id", "");
	struct perf_category c;
	int rc, n = 0;

	while ((rc = store_next(st, category_read, &c)) == 1 && (rc = fn(ctx, &c)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int perf_category_get(struct store *s, int64_t id, struct perf_category *out)
{
	return store_one(
		store_query(s, "SELECT " CATEGORY_COLS " FROM perf_penalty_category WHERE id = ?",
			    "i", id),
		category_read, out);
}

int perf_category_by_code(struct store *s, const char *code, struct perf_category *out)
{
	return store_one(
		store_query(s, "SELECT " CATEGORY_COLS " FROM perf_penalty_category WHERE code = ?",
			    "t", code),
		category_read, out);
}

int perf_category_put(struct store *s, struct perf_category *c, int64_t now)
{
	int64_t dup = 0;
	int rc = store_run(s, "SELECT id FROM perf_penalty_category WHERE code = ? AND id <> ?",
			   &dup, "ti", c->code, c->id);

	if (rc < 0)
		return rc;
	if (rc == 1)
		return ERR_CONFLICT;
	if (c->id == 0)
		rc = store_run(
			s,
			"INSERT INTO perf_penalty_category(code, name, amount_fen, entered,"
			" active, sort, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			&c->id, "ttiiiii", c->code, c->name, c->amount_fen, (int64_t)c->entered,
			(int64_t)c->active, (int64_t)c->sort, now);
	else
		rc = store_run(
			s,
			"UPDATE perf_penalty_category SET code = ?, name = ?, amount_fen = ?,"
			" entered = ?, active = ?, sort = ?, updated_at = ? WHERE id = ?",
			NULL, "ttiiiiii", c->code, c->name, c->amount_fen, (int64_t)c->entered,
			(int64_t)c->active, (int64_t)c->sort, now, c->id);
	return rc < 0 ? rc : 0;
}

/* ---- penalties ---- */

#define PENALTY_COLS                                                                               \
	"p.id, p.person_id, pp.name, pp.work_no, p.category_id, c.code, c.name, p.amount_fen,"     \
	" p.occurred_at, p.evidence, p.ref_kind, p.ref_id, p.state, p.source, p.source_id,"        \
	" p.created_by, p.created_at, p.recorded_by, p.recorded_at, p.answer, p.answered_at,"      \
	" p.decided_by, p.decided_at, p.decision_note"
#define PENALTY_FROM                                                                               \
	" FROM perf_penalty p JOIN person pp ON pp.id = p.person_id"                               \
	" JOIN perf_penalty_category c ON c.id = p.category_id"

static int penalty_read(struct store_stmt *st, void *dst)
{
	struct perf_penalty *p = dst;

	p->id = store_col_int(st, 0);
	p->person_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, p->person_name);
	STORE_COL_COPY(st, 3, p->person_work_no);
	p->category_id = store_col_int(st, 4);
	STORE_COL_COPY(st, 5, p->category_code);
	STORE_COL_COPY(st, 6, p->category_name);
	p->amount_fen = store_col_int(st, 7);
	p->occurred_at = store_col_int(st, 8);
	STORE_COL_COPY(st, 9, p->evidence);
	STORE_COL_COPY(st, 10, p->ref_kind);
	p->ref_id = store_col_int(st, 11);
	STORE_COL_COPY(st, 12, p->state);
	STORE_COL_COPY(st, 13, p->source);
	p->source_id = store_col_int(st, 14);
	p->created_by = store_col_int(st, 15);
	p->created_at = store_col_int(st, 16);
	p->recorded_by = store_col_int(st, 17);
	p->recorded_at = store_col_int(st, 18);
	STORE_COL_COPY(st, 19, p->answer);
	p->answered_at = store_col_int(st, 20);
	p->decided_by = store_col_int(st, 21);
	p->decided_at = store_col_int(st, 22);
	STORE_COL_COPY(st, 23, p->decision_note);
	return 0;
}

/* The filter's WHERE and page, added to q: the table's alias a ("p" or "x")
 * holds the state and the id, col the person the filter names. */
static void filter_add(struct store_sql *q, const struct perf_case_filter *f, const char *a,
		       const char *col)
{
	char sql[96];

	if (f->person_id) {
		snprintf(sql, sizeof(sql), " AND %s.%s = ?", a, col);
		store_sql_add(q, sql, "i", f->person_id);
	}
	if (f->state && f->state[0]) {
		snprintf(sql, sizeof(sql), " AND %s.state = ?", a);
		store_sql_add(q, sql, "t", f->state);
	}
	if (f->cursor) {
		snprintf(sql, sizeof(sql), " AND %s.id < ?", a);
		store_sql_add(q, sql, "i", f->cursor);
	}
	snprintf(sql, sizeof(sql), " ORDER BY %s.id DESC LIMIT ?", a);
	store_sql_add(q, sql, "i", (int64_t)(f->limit ? f->limit : LIMIT_DEFAULT));
}

/* Walks the rows of q into row, fn per row; how many, or a negative err. */
static int list_walk(struct store *s, struct store_sql *q, store_read_fn *read, void *row,
		     perf_row_fn *fn, void *ctx)
{
	struct store_stmt *st = store_sql_prepare(s, q);
	int rc, n = 0;

	while ((rc = store_next(st, read, row)) == 1 && (rc = fn(ctx, row)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int perf_penalty_list(struct store *s, const struct perf_case_filter *f, perf_row_fn *fn, void *ctx)
{
	struct store_sql q = STORE_SQL_INIT;
	struct perf_penalty p;

	store_sql_add(&q, "SELECT " PENALTY_COLS PENALTY_FROM " WHERE 1=1", "");
	filter_add(&q, f, "p", "person_id");
	return list_walk(s, &q, penalty_read, &p, fn, ctx);
}

int perf_penalty_get(struct store *s, int64_t id, struct perf_penalty *out)
{
	return store_one(
		store_query(s, "SELECT " PENALTY_COLS PENALTY_FROM " WHERE p.id = ?", "i", id),
		penalty_read, out);
}

int perf_penalty_insert(struct store *s, struct perf_penalty *p)
{
	int rc = store_run(
		s,
		"INSERT INTO perf_penalty(person_id, category_id, amount_fen, occurred_at, "
		"evidence,"
		" ref_kind, ref_id, state, source, source_id, created_by, created_at, recorded_by,"
		" recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT DO NOTHING RETURNING id",
		&p->id, "iiiitTdtTddidd", p->person_id, p->category_id, p->amount_fen,
		p->occurred_at, p->evidence, p->ref_kind, p->ref_id, p->state, p->source,
		p->source_id, p->created_by, p->created_at, p->recorded_by, p->recorded_at);

	if (rc == 0)
		p->id = 0;
	return rc < 0 ? rc : 0;
}

int perf_penalty_update(struct store *s, const struct perf_penalty *p, const char *was)
{
	int rc = store_run(s,
			   "UPDATE perf_penalty SET state = ?, amount_fen = ?, recorded_by = ?,"
			   " recorded_at = ?, answer = ?, answered_at = ?, decided_by = ?,"
			   " decided_at = ?, decision_note = ? WHERE id = ? AND state = ?",
			   NULL,
			   "tiddtddd"
			   "tit",
			   p->state, p->amount_fen, p->recorded_by, p->recorded_at, p->answer,
			   p->answered_at, p->decided_by, p->decided_at, p->decision_note, p->id,
			   was);

	if (rc < 0)
		return rc;
	return store_changes(s) == 1 ? 0 : ERR_CONFLICT;
}

int perf_penalty_count(struct store *s, int64_t person_id, int64_t category_id, int64_t from,
		       int64_t to)
{
	int64_t n = 0;
	int rc = store_run(s,
			   "SELECT count(*) FROM perf_penalty WHERE person_id = ?"
			   " AND category_id = ? AND occurred_at BETWEEN ? AND ?"
			   " AND state IN ('open', 'acknowledged', 'objected', 'confirmed')",
			   &n, "iiii", person_id, category_id, from, to);

	return rc < 0 ? rc : (int)n;
}

/* ---- escalations ---- */

#define ESCALATION_COLS                                                                            \
	"x.id, x.person_id, x.category_id, x.penalty_id, pp.name, c.name, x.level, x.offences,"    \
	" x.state, x.created_at, x.decided_by, x.decided_at, x.decision_note"
#define ESCALATION_FROM                                                                            \
	" FROM perf_escalation x JOIN person pp ON pp.id = x.person_id"                            \
	" JOIN perf_penalty_category c ON c.id = x.category_id"

static int escalation_read(struct store_stmt *st, void *dst)
{
	struct perf_escalation *e = dst;

	e->id = store_col_int(st, 0);
	e->person_id = store_col_int(st, 1);
	e->category_id = store_col_int(st, 2);
	e->penalty_id = store_col_int(st, 3);
	STORE_COL_COPY(st, 4, e->person_name);
	STORE_COL_COPY(st, 5, e->category_name);
	STORE_COL_COPY(st, 6, e->level);
	e->offences = (int)store_col_int(st, 7);
	STORE_COL_COPY(st, 8, e->state);
	e->created_at = store_col_int(st, 9);
	e->decided_by = store_col_int(st, 10);
	e->decided_at = store_col_int(st, 11);
	STORE_COL_COPY(st, 12, e->decision_note);
	return 0;
}

int perf_escalation_list(struct store *s, const struct perf_case_filter *f, perf_row_fn *fn,
			 void *ctx)
{
	struct store_sql q = STORE_SQL_INIT;
	struct perf_escalation e;

	store_sql_add(&q, "SELECT " ESCALATION_COLS ESCALATION_FROM " WHERE 1=1", "");
	filter_add(&q, f, "x", "person_id");
	return list_walk(s, &q, escalation_read, &e, fn, ctx);
}

int perf_escalation_get(struct store *s, int64_t id, struct perf_escalation *out)
{
	return store_one(store_query(s, "SELECT " ESCALATION_COLS ESCALATION_FROM " WHERE x.id = ?",
				     "i", id),
			 escalation_read, out);
}

int perf_escalation_insert(struct store *s, struct perf_escalation *e)
{
	int rc = store_run(s,
			   "INSERT INTO perf_escalation(person_id, category_id, penalty_id, level,"
			   " offences, created_at) VALUES (?, ?, ?, ?, ?, ?)"
			   " ON CONFLICT DO NOTHING RETURNING id",
			   &e->id, "iiitii", e->person_id, e->category_id, e->penalty_id, e->level,
			   (int64_t)e->offences, e->created_at);

	if (rc == 0)
		e->id = 0;
	return rc < 0 ? rc : 0;
}

int perf_escalation_decide(struct store *s, const struct perf_escalation *e)
{
	int rc = store_run(s,
			   "UPDATE perf_escalation SET state = ?, decided_by = ?, decided_at = ?,"
			   " decision_note = ? WHERE id = ? AND state = 'proposed'",
			   NULL, "tiiti", e->state, e->decided_by, e->decided_at, e->decision_note,
			   e->id);

	if (rc < 0)
		return rc;
	return store_changes(s) == 1 ? 0 : ERR_CONFLICT;
}

/* ---- proposals ---- */

#define PROPOSAL_COLS                                                                              \
	"x.id, x.author_id, pp.name, x.title, x.content, x.state, x.amount_fen, x.created_at,"     \
	" x.reviewed_by, x.reviewed_at, x.review_note, x.adopted_by, x.adopted_at, x.paid_by,"     \
	" x.paid_at, x.rejected_by, x.rejected_at, x.reject_note"
#define PROPOSAL_FROM " FROM perf_proposal x JOIN person pp ON pp.id = x.author_id"

static int proposal_read(struct store_stmt *st, void *dst)
{
	struct perf_proposal *p = dst;

	p->id = store_col_int(st, 0);
	p->author_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, p->author_name);
	STORE_COL_COPY(st, 3, p->title);
	STORE_COL_COPY(st, 4, p->content);
	STORE_COL_COPY(st, 5, p->state);
	p->amount_fen = store_col_int(st, 6);
	p->created_at = store_col_int(st, 7);
	p->reviewed_by = store_col_int(st, 8);
	p->reviewed_at = store_col_int(st, 9);
	STORE_COL_COPY(st, 10, p->review_note);
	p->adopted_by = store_col_int(st, 11);
	p->adopted_at = store_col_int(st, 12);
	p->paid_by = store_col_int(st, 13);
	p->paid_at = store_col_int(st, 14);
	p->rejected_by = store_col_int(st, 15);
	p->rejected_at = store_col_int(st, 16);
	STORE_COL_COPY(st, 17, p->reject_note);
	return 0;
}

int perf_proposal_list(struct store *s, const struct perf_case_filter *f, perf_row_fn *fn,
		       void *ctx)
{
	struct store_sql q = STORE_SQL_INIT;
	struct perf_proposal p;

	store_sql_add(&q, "SELECT " PROPOSAL_COLS PROPOSAL_FROM " WHERE 1=1", "");
	filter_add(&q, f, "x", "author_id");
	return list_walk(s, &q, proposal_read, &p, fn, ctx);
}

int perf_proposal_get(struct store *s, int64_t id, struct perf_proposal *out)
{
	return store_one(
		store_query(s, "SELECT " PROPOSAL_COLS PROPOSAL_FROM " WHERE x.id = ?", "i", id),
		proposal_read, out);
}

int perf_proposal_insert(struct store *s, struct perf_proposal *p)
{
	int rc = store_run(s,
			   "INSERT INTO perf_proposal(author_id, title, content, state, created_at)"
			   " VALUES (?, ?, ?, 'submitted', ?) RETURNING id",
			   &p->id, "itti", p->author_id, p->title, p->content, p->created_at);

	return rc < 0 ? rc : 0;
}

int perf_proposal_update(struct store *s, const struct perf_proposal *p, const char *was)
{
	int rc = store_run(s,
			   "UPDATE perf_proposal SET state = ?, amount_fen = ?, reviewed_by = ?,"
			   " reviewed_at = ?, review_note = ?, adopted_by = ?, adopted_at = ?,"
			   " paid_by = ?, paid_at = ?, rejected_by = ?, rejected_at = ?,"
			   " reject_note = ? WHERE id = ? AND state = ?",
			   NULL,
			   "tiddtdddddd"
			   "tit",
			   p->state, p->amount_fen, p->reviewed_by, p->reviewed_at, p->review_note,
			   p->adopted_by, p->adopted_at, p->paid_by, p->paid_at, p->rejected_by,
			   p->rejected_at, p->reject_note, p->id, was);

	if (rc < 0)
		return rc;
	return store_changes(s) == 1 ? 0 : ERR_CONFLICT;
}

/* ---- grievances ---- */

#define GRIEVANCE_COLS                                                                             \
	"x.id, x.person_id, pp.name, x.occurred_at, x.summary, x.evidence, x.ref_kind, x.ref_id,"  \
	" x.witness1_id, x.witness2_id, x.state, x.submitted_by, x.submitted_at, x.reviewed_by,"   \
	" x.reviewed_at, x.review_note, x.verified_by, x.verified_at, x.verify_method,"            \
	" x.verify_note, x.decided_by, x.decided_at, x.level, x.amount_fen, x.decide_note,"        \
	" x.announced_by, x.announced_at, x.rejected_by, x.rejected_at, x.rejected_step,"          \
	" x.reject_note"
#define GRIEVANCE_FROM " FROM perf_grievance x JOIN person pp ON pp.id = x.person_id"

static int grievance_read(struct store_stmt *st, void *dst)
{
	struct perf_grievance *g = dst;

	g->id = store_col_int(st, 0);
	g->person_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, g->person_name);
	g->occurred_at = store_col_int(st, 3);
	STORE_COL_COPY(st, 4, g->summary);
	STORE_COL_COPY(st, 5, g->evidence);
	STORE_COL_COPY(st, 6, g->ref_kind);
	g->ref_id = store_col_int(st, 7);
	g->witness1_id = store_col_int(st, 8);
	g->witness2_id = store_col_int(st, 9);
	STORE_COL_COPY(st, 10, g->state);
	g->submitted_by = store_col_int(st, 11);
	g->submitted_at = store_col_int(st, 12);
	g->reviewed_by = store_col_int(st, 13);
	g->reviewed_at = store_col_int(st, 14);
	STORE_COL_COPY(st, 15, g->review_note);
	g->verified_by = store_col_int(st, 16);
	g->verified_at = store_col_int(st, 17);
	STORE_COL_COPY(st, 18, g->verify_method);
	STORE_COL_COPY(st, 19, g->verify_note);
	g->decided_by = store_col_int(st, 20);
	g->decided_at = store_col_int(st, 21);
	g->level = (int)store_col_int(st, 22);
	g->amount_fen = store_col_int(st, 23);
	STORE_COL_COPY(st, 24, g->decide_note);
	g->announced_by = store_col_int(st, 25);
	g->announced_at = store_col_int(st, 26);
	g->rejected_by = store_col_int(st, 27);
	g->rejected_at = store_col_int(st, 28);
	STORE_COL_COPY(st, 29, g->rejected_step);
	STORE_COL_COPY(st, 30, g->reject_note);
	return 0;
}

int perf_grievance_list(struct store *s, const struct perf_case_filter *f, perf_row_fn *fn,
			void *ctx)
{
	struct store_sql q = STORE_SQL_INIT;
	struct perf_grievance g;

	store_sql_add(&q, "SELECT " GRIEVANCE_COLS GRIEVANCE_FROM " WHERE 1=1", "");
	filter_add(&q, f, "x", "person_id");
	return list_walk(s, &q, grievance_read, &g, fn, ctx);
}

int perf_grievance_get(struct store *s, int64_t id, struct perf_grievance *out)
{
	return store_one(
		store_query(s, "SELECT " GRIEVANCE_COLS GRIEVANCE_FROM " WHERE x.id = ?", "i", id),
		grievance_read, out);
}

int perf_grievance_insert(struct store *s, struct perf_grievance *g)
{
	int rc = store_run(s,
			   "INSERT INTO perf_grievance(person_id, occurred_at, summary, evidence,"
			   " ref_kind, ref_id, witness1_id, witness2_id, state, submitted_by,"
			   " submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'submitted', ?, ?)"
			   " RETURNING id",
			   &g->id, "iitttiiiii", g->person_id, g->occurred_at, g->summary,
			   g->evidence, g->ref_kind, g->ref_id, g->witness1_id, g->witness2_id,
			   g->submitted_by, g->submitted_at);

	return rc < 0 ? rc : 0;
}

int perf_grievance_update(struct store *s, const struct perf_grievance *g, const char *was)
{
	int rc = store_run(
		s,
		"UPDATE perf_grievance SET state = ?, reviewed_by = ?, reviewed_at = ?,"
		" review_note = ?, verified_by = ?, verified_at = ?, verify_method = ?,"
		" verify_note = ?, decided_by = ?, decided_at = ?, level = ?, amount_fen = ?,"
		" decide_note = ?, announced_by = ?, announced_at = ?, rejected_by = ?,"
		" rejected_at = ?, rejected_step = ?, reject_note = ? WHERE id = ? AND state = ?",
		NULL, "tddtddTtddiitddddTtit", g->state, g->reviewed_by, g->reviewed_at,
		g->review_note, g->verified_by, g->verified_at, g->verify_method, g->verify_note,
		g->decided_by, g->decided_at, (int64_t)g->level, g->amount_fen, g->decide_note,
		g->announced_by, g->announced_at, g->rejected_by, g->rejected_at, g->rejected_step,
		g->reject_note, g->id, was);

	if (rc < 0)
		return rc;
	return store_changes(s) == 1 ? 0 : ERR_CONFLICT;
}
