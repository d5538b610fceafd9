/*
 * trn's SQL over migration 41 (training and exams), reading the person
 * table and the knowledge base's article titles with its own statements.
 */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "store/store.h"
#include "trn/trn.h"

/* store_run's 1 (a row) or 0 (done) as 0; a negative err as itself. */
static int ok(int rc)
{
	return rc < 0 ? rc : 0;
}

/* An INSERT … RETURNING id: 0 with *id, or the error. */
static int inserted(int rc)
{
	return rc == 0 ? ERR_IO : ok(rc);
}

/* ---- Settings ---- */

static int settings_read(struct store_stmt *st, void *dst)
{
	struct trn_settings *t = dst;

	t->written_pass = (int)store_col_int(st, 0);
	t->practical_pass = (int)store_col_int(st, 1);
	return 0;
}

int trn_settings_get(struct store *s, struct trn_settings *out)
{
	return store_one(store_query(s,
				     "SELECT written_pass, practical_pass FROM trn_settings"
				     " WHERE id = 1",
				     ""),
			 settings_read, out);
}

int trn_settings_put(struct store *s, const struct trn_settings *in)
{
	return ok(store_run(
		s, "UPDATE trn_settings SET written_pass = ?, practical_pass = ? WHERE id = 1",
		NULL, "ii", (int64_t)in->written_pass, (int64_t)in->practical_pass));
}

/* ---- Courses and materials ---- */

#define COURSE_COLS "id, title, trainer, dept, pre_job, day, hours, active"

static int course_read(struct store_stmt *st, void *dst)
{
	struct trn_course *c = dst;

	c->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, c->title);
	STORE_COL_COPY(st, 2, c->trainer);
	STORE_COL_COPY(st, 3, c->dept);
	c->pre_job = (int)store_col_int(st, 4);
	c->day = (int)store_col_int(st, 5);
	c->hours = (int)store_col_int(st, 6);
	c->active = (int)store_col_int(st, 7);
	return 0;
}

int trn_course_list(struct store *s, trn_course_fn *fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s, "SELECT " COURSE_COLS " FROM trn_course ORDER BY pre_job DESC, day, id", "");
	struct trn_course c;
	int rc, n = 0;

	while ((rc = store_next(st, course_read, &c)) == 1 && (rc = fn(ctx, &c)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int trn_course_get(struct store *s, int64_t id, struct trn_course *out)
{
	return store_one(
		store_query(s, "SELECT " COURSE_COLS " FROM trn_course WHERE id = ?", "i", id),
		course_read, out);
}

int trn_course_insert(struct store *s, struct trn_course *c, int64_t now)
{
	return inserted(
		store_run(s,
			  "INSERT INTO trn_course(title, trainer, dept, pre_job, day, hours,"
			  " active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			  &c->id, "tttiiiii", c->title, c->trainer, c->dept, (int64_t)c->pre_job,
			  (int64_t)c->day, (int64_t)c->hours, (int64_t)c->active, now));
}

int trn_course_update(struct store *s, const struct trn_course *c)
{
	return ok(store_run(s,
			    "UPDATE trn_course SET title = ?, trainer = ?, dept = ?, pre_job = ?,"
			    " day = ?, hours = ?, active = ? WHERE id = ?",
			    NULL, "tttiiiii", c->title, c->trainer, c->dept, (int64_t)c->pre_job,
			    (int64_t)c->day, (int64_t)c->hours, (int64_t)c->active, c->id));
}

int trn_material_list(struct store *s, int64_t course_id,
		      int (*fn)(void *ctx, int64_t article_id, const char *title), void *ctx)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT m.article_id, a.title FROM trn_material m"
			    " JOIN kb_article a ON a.id = m.article_id"
			    " WHERE m.course_id = ? ORDER BY m.added_at, m.article_id",
			    "i", course_id);
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1 &&
	       (rc = fn(ctx, store_col_int(st, 0), store_col_text_or(st, 1, ""))) >= 0)
		n++;
	return store_end(st, rc, n);
}

int trn_material_add(struct store *s, int64_t course_id, int64_t article_id, int64_t by,
		     int64_t now)
{
	int rc = store_run(s,
			   "INSERT INTO trn_material(course_id, article_id, added_by, added_at)"
			   " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
			   NULL, "iidi", course_id, article_id, by, now);

	return rc < 0 ? rc : store_changes(s) > 0;
}

int trn_material_remove(struct store *s, int64_t course_id, int64_t article_id)
{
	int rc = store_run(s, "DELETE FROM trn_material WHERE course_id = ? AND article_id = ?",
			   NULL, "ii", course_id, article_id);

	if (rc < 0)
		return rc;
	return store_changes(s) > 0 ? 0 : ERR_NOTFOUND;
}

/* ---- Plans (培训计划表) ---- */

static int plan_read(struct store_stmt *st, void *dst)
{
	struct trn_plan *p = dst;

	STORE_COL_COPY(st, 0, p->month);
	STORE_COL_COPY(st, 1, p->notes);
	p->submitted_by = store_col_int(st, 2);
	p->submitted_at = store_col_int(st, 3);
	p->updated_at = store_col_int(st, 4);
	return 0;
}

int trn_plan_get(struct store *s, const char *month, struct trn_plan *out)
{
	return store_one(store_query(s,
				     "SELECT month, notes, submitted_by, submitted_at, updated_at"
				     " FROM trn_plan WHERE month = ?",
				     "t", month),
			 plan_read, out);
}

int trn_plan_list(struct store *s, int (*fn)(void *ctx, const struct trn_plan *p), void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT month, notes, submitted_by, submitted_at,"
					    " updated_at FROM trn_plan ORDER BY month DESC",
					    "");
	struct trn_plan p;
	int rc, n = 0;

	while ((rc = store_next(st, plan_read, &p)) == 1 && (rc = fn(ctx, &p)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int trn_plan_put(struct store *s, const struct trn_plan *p, const struct trn_plan_item *items,
		 int n, int64_t by, int64_t now)
{
	int rc = store_run(s,
			   "INSERT INTO trn_plan(month, notes, updated_by, updated_at)"
			   " VALUES (?, ?, ?, ?) ON CONFLICT(month) DO UPDATE SET"
			   " notes = excluded.notes, updated_by = excluded.updated_by,"
			   " updated_at = excluded.updated_at",
			   NULL, "ttdi", p->month, p->notes, by, now);

	if (rc >= 0)
		rc = store_run(s, "DELETE FROM trn_plan_item WHERE month = ?", NULL, "t", p->month);
	for (int i = 0; rc >= 0 && i < n; i++)
		rc = store_run(s,
			       "INSERT INTO trn_plan_item(month, day, course_id, trainer_id, hours,"
			       " audience) VALUES (?, ?, ?, ?, ?, ?)",
			       NULL, "ttidit", p->month, items[i].day, items[i].course_id,
			       items[i].trainer_id, (int64_t)items[i].hours, items[i].audience);
	return ok(rc);
}

static int plan_item_read(struct store_stmt *st, void *dst)
{
	struct trn_plan_item *it = dst;

	it->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, it->day);
	it->course_id = store_col_int(st, 2);
	STORE_COL_COPY(st, 3, it->course);
	it->trainer_id = store_col_int(st, 4);
	STORE_COL_COPY(st, 5, it->trainer);
	it->hours = (int)store_col_int(st, 6);
	STORE_COL_COPY(st, 7, it->audience);
	return 0;
}

int trn_plan_items(struct store *s, const char *month, trn_plan_item_fn *fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT i.id, i.day, i.course_id, c.title, i.trainer_id, COALESCE(p.name, "
		"c.trainer),"
		" i.hours, i.audience FROM trn_plan_item i JOIN trn_course c ON c.id = i.course_id"
		" LEFT JOIN person p ON p.id = i.trainer_id WHERE i.month = ? ORDER BY i.day, i.id",
		"t", month);
	struct trn_plan_item it;
	int rc, n = 0;

	while ((rc = store_next(st, plan_item_read, &it)) == 1 && (rc = fn(ctx, &it)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int trn_plan_submit(struct store *s, const char *month, int64_t by, int64_t now)
{
	return ok(store_run(
		s, "UPDATE trn_plan SET submitted_by = ?, submitted_at = ? WHERE month = ?", NULL,
		"iit", by, now, month));
}

int trn_plan_notice(struct store *s, const char *month, const char *kind, int64_t now)
{
	int rc = store_run(s,
			   "INSERT INTO trn_plan_notice(month, kind, at) VALUES (?, ?, ?)"
			   " ON CONFLICT DO NOTHING",
			   NULL, "tti", month, kind, now);

	return rc < 0 ? rc : store_changes(s) > 0;
}

int trn_planners(struct store *s, int (*fn)(void *ctx, int64_t person_id), void *ctx)
{
	/* 2 manager, 4 supervisor (auth's role bits). */
	struct store_stmt *st = store_query(
		s, "SELECT id FROM person WHERE active = 1 AND (roles & 6) != 0 ORDER BY id", "");
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1 && (rc = fn(ctx, store_col_int(st, 0))) >= 0)
		n++;
	return store_end(st, rc, n);
}

/* ---- Sessions and attendance ---- */

#define SESSION_COLS                                                                               \
	"x.id, x.course_id, x.title, x.trainer_id, x.starts_at, x.ends_at, x.place, p.name, "      \
	"c.title"
#define SESSION_FROM                                                                               \
	" FROM trn_session x JOIN person p ON p.id = x.trainer_id"                                 \
	" JOIN trn_course c ON c.id = x.course_id"

static int session_read(struct store_stmt *st, void *dst)
{
	struct trn_session *x = dst;

	x->id = store_col_int(st, 0);
	x->course_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, x->title);
	x->trainer_id = store_col_int(st, 3);
	x->starts_at = store_col_int(st, 4);
	x->ends_at = store_col_int(st, 5);
	STORE_COL_COPY(st, 6, x->place);
	STORE_COL_COPY(st, 7, x->trainer);
	STORE_COL_COPY(st, 8, x->course);
	return 0;
}

int trn_session_insert(struct store *s, struct trn_session *x, int64_t by, int64_t now)
{
	return inserted(store_run(s,
				  "INSERT INTO trn_session(course_id, title, trainer_id, starts_at,"
				  " ends_at, place, created_by, created_at)"
				  " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
				  &x->id, "itiiitdi", x->course_id, x->title, x->trainer_id,
				  x->starts_at, x->ends_at, x->place, by, now));
}

int trn_session_get(struct store *s, int64_t id, struct trn_session *out)
{
	return store_one(
		store_query(s, "SELECT " SESSION_COLS SESSION_FROM " WHERE x.id = ?", "i", id),
		session_read, out);
}

int trn_session_list(struct store *s, int64_t from, int64_t to, trn_session_fn *fn, void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT " SESSION_COLS SESSION_FROM
					    " WHERE x.starts_at >= ? AND x.starts_at < ?"
					    " ORDER BY x.starts_at, x.id",
					    "ii", from, to);
	struct trn_session x;
	int rc, n = 0;

	while ((rc = store_next(st, session_read, &x)) == 1 && (rc = fn(ctx, &x)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int trn_attendee_add(struct store *s, int64_t session_id, int64_t person_id)
{
	int rc = store_run(s,
			   "INSERT INTO trn_attendance(session_id, person_id) VALUES (?, ?)"
			   " ON CONFLICT DO NOTHING",
			   NULL, "ii", session_id, person_id);

	return rc < 0 ? rc : store_changes(s) > 0;
}

static int attendance_read(struct store_stmt *st, void *dst)
{
	struct trn_attendance *a = dst;

	a->id = store_col_int(st, 0);
	a->session_id = store_col_int(st, 1);
	a->person_id = store_col_int(st, 2);
	STORE_COL_COPY(st, 3, a->work_no);
	STORE_COL_COPY(st, 4, a->name);
	STORE_COL_COPY(st, 5, a->status);
	a->marked_at = store_col_int(st, 6);
	a->marked_by = store_col_int(st, 7);
	return 0;
}

int trn_attendance_list(struct store *s, int64_t session_id, trn_attendance_fn *fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT a.id, a.session_id, a.person_id, p.work_no, p.name, a.status, a.marked_at,"
		" a.marked_by FROM trn_attendance a JOIN person p ON p.id = a.person_id"
		" WHERE a.session_id = ? ORDER BY p.work_no",
		"i", session_id);
	struct trn_attendance a;
	int rc, n = 0;

	while ((rc = store_next(st, attendance_read, &a)) == 1 && (rc = fn(ctx, &a)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int trn_attendance_mark(struct store *s, int64_t session_id, int64_t person_id, const char *status,
			int64_t by, int64_t now)
{
	int rc = store_run(s,
			   "UPDATE trn_attendance SET status = ?, marked_at = ?, marked_by = ?"
			   " WHERE session_id = ? AND person_id = ?",
			   NULL, "tiiii", status, now, by, session_id, person_id);

	if (rc < 0)
		return rc;
	return store_changes(s) > 0 ? 0 : ERR_NOTFOUND;
}

/* ---- The question bank ---- */

#define QUESTION_COLS "id, kind, category, stem, options, answer, points, active"

static int question_read(struct store_stmt *st, void *dst)
{
	struct trn_question *q = dst;
	const char *kind = store_col_text_or(st, 1, "");

	q->id = store_col_int(st, 0);
	q->kind = trn_kind_parse(kind);
	STORE_COL_COPY(st, 2, q->category);
	STORE_COL_COPY(st, 3, q->stem);
	STORE_COL_COPY(st, 4, q->options);
	STORE_COL_COPY(st, 5, q->answer);
	q->points = (int)store_col_int(st, 6);
	q->active = (int)store_col_int(st, 7);
	return 0;
}

int trn_question_insert(struct store *s, struct trn_question *q, int64_t by, int64_t now)
{
	return inserted(store_run(s,
				  "INSERT INTO trn_question(kind, category, stem, options, answer,"
				  " points, active, created_by, created_at)"
				  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
				  &q->id, "tttttiidi", trn_kind_name(q->kind), q->category, q->stem,
				  q->options, q->answer, (int64_t)q->points, (int64_t)q->active, by,
				  now));
}

int trn_question_get(struct store *s, int64_t id, struct trn_question *out)
{
	return store_one(
		store_query(s, "SELECT " QUESTION_COLS " FROM trn_question WHERE id = ?", "i", id),
		question_read, out);
}

int trn_question_update(struct store *s, const struct trn_question *q)
{
	return ok(store_run(s,
			    "UPDATE trn_question SET kind = ?, category = ?, stem = ?, options = ?,"
			    " answer = ?, points = ?, active = ? WHERE id = ?",
			    NULL, "tttttiii", trn_kind_name(q->kind), q->category, q->stem,
			    q->options, q->answer, (int64_t)q->points, (int64_t)q->active, q->id));
}

int trn_question_list(struct store *s, int kind, const char *category, int active_only,
		      trn_question_fn *fn, void *ctx)
{
	struct store_sql q = STORE_SQL_INIT;
	struct store_stmt *st;
	struct trn_question row;
	int rc, n = 0;

	store_sql_add(&q, "SELECT " QUESTION_COLS " FROM trn_question WHERE 1 = 1", "");
	if (kind >= 0)
		store_sql_add(&q, " AND kind = ?", "t", trn_kind_name(kind));
	if (category)
		store_sql_add(&q, " AND category = ?", "t", category);
	if (active_only)
		store_sql_add(&q, " AND active = 1", "");
	store_sql_add(&q, " ORDER BY id", "");
	st = store_sql_prepare(s, &q);
	while ((rc = store_next(st, question_read, &row)) == 1 && (rc = fn(ctx, &row)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int trn_question_ids(struct store *s, int kind, const char *category, int64_t *out, int max)
{
	struct store_stmt *st = store_query(s,
					    "SELECT id FROM trn_question WHERE active = 1"
					    " AND kind = ? AND (? IS NULL OR category = ?)"
					    " ORDER BY id",
					    "ttt", trn_kind_name(kind), category, category);
	int rc, n = 0;

	while (n < max && (rc = store_next(st, NULL, NULL)) == 1)
		out[n++] = store_col_int(st, 0);
	if (n == max)
		rc = 0;
	return store_end(st, rc, n);
}

/* ---- Papers ---- */

#define PAPER_COLS "id, title, rules, seed, duration_min, total, created_at"

static int paper_read(struct store_stmt *st, void *dst)
{
	struct trn_paper *p = dst;

	p->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, p->title);
	STORE_COL_COPY(st, 2, p->rules);
	p->seed = store_col_int(st, 3);
	p->duration_min = (int)store_col_int(st, 4);
	p->total = (int)store_col_int(st, 5);
	p->created_at = store_col_int(st, 6);
	return 0;
}

int trn_paper_insert(struct store *s, struct trn_paper *p, int64_t by, int64_t now)
{
	return inserted(
		store_run(s,
			  "INSERT INTO trn_paper(title, rules, seed, duration_min, total,"
			  " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			  &p->id, "ttiiidi", p->title, p->rules, p->seed, (int64_t)p->duration_min,
			  (int64_t)p->total, by, now));
}

int trn_paper_question_add(struct store *s, int64_t paper_id, int position, int64_t question_id,
			   int points)
{
	return ok(
		store_run(s,
			  "INSERT INTO trn_paper_question(paper_id, position, question_id, points)"
			  " VALUES (?, ?, ?, ?)",
			  NULL, "iiii", paper_id, (int64_t)position, question_id, (int64_t)points));
}

int trn_paper_get(struct store *s, int64_t id, struct trn_paper *out)
{
	return store_one(
		store_query(s, "SELECT " PAPER_COLS " FROM trn_paper WHERE id = ?", "i", id),
		paper_read, out);
}

int trn_paper_list(struct store *s, trn_paper_fn *fn, void *ctx)
{
	struct store_stmt *st =
		store_query(s, "SELECT " PAPER_COLS " FROM trn_paper ORDER BY id DESC", "");
	struct trn_paper p;
	int rc, n = 0;

	while ((rc = store_next(st, paper_read, &p)) == 1 && (rc = fn(ctx, &p)) >= 0)
		n++;
	return store_end(st, rc, n);
}

/* ---- Exams ---- */

#define EXAM_COLS                                                                                  \
	"e.id, e.paper_id, e.person_id, e.trainer_id, e.state, e.started_at, e.deadline_at,"       \
	" e.submitted_at, e.auto_submitted, e.marked_at, e.marked_by, e.points, e.score,"          \
	" p.total, p.duration_min, p.title, a.name, t.name"
#define EXAM_FROM                                                                                  \
	" FROM trn_exam e JOIN trn_paper p ON p.id = e.paper_id"                                   \
	" JOIN person a ON a.id = e.person_id JOIN person t ON t.id = e.trainer_id"

static int exam_read(struct store_stmt *st, void *dst)
{
	struct trn_exam *e = dst;
	const char *score;

	e->id = store_col_int(st, 0);
	e->paper_id = store_col_int(st, 1);
	e->person_id = store_col_int(st, 2);
	e->trainer_id = store_col_int(st, 3);
	STORE_COL_COPY(st, 4, e->state);
	e->started_at = store_col_int(st, 5);
	e->deadline_at = store_col_int(st, 6);
	e->submitted_at = store_col_int(st, 7);
	e->auto_submitted = (int)store_col_int(st, 8);
	e->marked_at = store_col_int(st, 9);
	e->marked_by = store_col_int(st, 10);
	e->points = (int)store_col_int(st, 11);
	/* The score is REAL: read through its text, which keeps the fraction. */
	score = store_col_text(st, 12);
	e->score = score ? strtod(score, NULL) : 0;
	e->total = (int)store_col_int(st, 13);
	e->duration_min = (int)store_col_int(st, 14);
	STORE_COL_COPY(st, 15, e->title);
	STORE_COL_COPY(st, 16, e->person);
	STORE_COL_COPY(st, 17, e->trainer);
	return 0;
}

int trn_exam_insert(struct store *s, struct trn_exam *e, int64_t by, int64_t now)
{
	return inserted(
		store_run(s,
			  "INSERT INTO trn_exam(paper_id, person_id, trainer_id, created_by,"
			  " created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
			  &e->id, "iiidi", e->paper_id, e->person_id, e->trainer_id, by, now));
}

int trn_exam_get(struct store *s, int64_t id, struct trn_exam *out)
{
	return store_one(store_query(s, "SELECT " EXAM_COLS EXAM_FROM " WHERE e.id = ?", "i", id),
			 exam_read, out);
}

int trn_exam_list(struct store *s, int64_t person_or_trainer, trn_exam_fn *fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT " EXAM_COLS EXAM_FROM " WHERE ? = 0 OR e.person_id = ? OR e.trainer_id = ?"
		" ORDER BY e.id DESC LIMIT 500",
		"iii", person_or_trainer, person_or_trainer, person_or_trainer);
	struct trn_exam e;
	int rc, n = 0;

	while ((rc = store_next(st, exam_read, &e)) == 1 && (rc = fn(ctx, &e)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int trn_exam_start(struct store *s, int64_t id, int64_t now, int64_t deadline)
{
	return ok(store_run(s,
			    "UPDATE trn_exam SET state = 'started', started_at = ?, deadline_at = ?"
			    " WHERE id = ? AND state = 'assigned'",
			    NULL, "iii", now, deadline, id));
}

static int item_read(struct store_stmt *st, void *dst)
{
	struct trn_item *it = dst;

	question_read(st, &it->q);
	it->position = (int)store_col_int(st, 8);
	it->points = (int)store_col_int(st, 9);
	it->answered = !store_col_null(st, 10);
	STORE_COL_COPY(st, 10, it->answer);
	it->got = (int)store_col_int_or(st, 11, -1);
	return 0;
}

int trn_exam_items(struct store *s, int64_t exam_id, int64_t paper_id, trn_item_fn *fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT q.id, q.kind, q.category, q.stem, q.options, q.answer, q.points, q.active,"
		" pq.position, pq.points, a.answer, a.points FROM trn_paper_question pq"
		" JOIN trn_question q ON q.id = pq.question_id"
		" LEFT JOIN trn_answer a ON a.exam_id = ? AND a.position = pq.position"
		" WHERE pq.paper_id = ? ORDER BY pq.position",
		"ii", exam_id, paper_id);
	struct trn_item it;
	int rc, n = 0;

	while ((rc = store_next(st, item_read, &it)) == 1 && (rc = fn(ctx, &it)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int trn_answer_save(struct store *s, int64_t exam_id, int position, const char *answer, int64_t now)
{
	return ok(store_run(s,
			    "INSERT INTO trn_answer(exam_id, position, answer, saved_at)"
			    " VALUES (?, ?, ?, ?) ON CONFLICT(exam_id, position) DO UPDATE SET"
			    " answer = excluded.answer, saved_at = excluded.saved_at",
			    NULL, "iiti", exam_id, (int64_t)position, answer, now));
}

int trn_answer_points(struct store *s, int64_t exam_id, int position, int points, int64_t by,
		      int64_t now)
{
	return ok(store_run(s,
			    "INSERT INTO trn_answer(exam_id, position, answer, saved_at, points,"
			    " marked_by) VALUES (?, ?, '', ?, ?, ?)"
			    " ON CONFLICT(exam_id, position) DO UPDATE SET"
			    " points = excluded.points, marked_by = excluded.marked_by",
			    NULL, "iiiid", exam_id, (int64_t)position, now, (int64_t)points, by));
}

int trn_exam_submitted(struct store *s, int64_t id, int64_t now, int auto_submitted, int points)
{
	return ok(store_run(s,
			    "UPDATE trn_exam SET state = 'submitted', submitted_at = ?,"
			    " auto_submitted = ?, points = ? WHERE id = ?",
			    NULL, "iiii", now, (int64_t)auto_submitted, (int64_t)points, id));
}

int trn_exam_marked(struct store *s, int64_t id, int64_t now, int64_t by, int points, double score)
{
	struct store_stmt *st =
		store_prepare(s, "UPDATE trn_exam SET state = 'marked', marked_at = ?,"
				 " marked_by = ?, points = ?, score = ? / 1000.0"
				 " WHERE id = ?");
	/* The score goes in as thousandths: the binds are integers. */
	int rc = store_bindf(st, 1, "idiii", now, by, (int64_t)points,
			     (int64_t)(score * 1000 + 0.5), id);

	return ok(store_once(st, rc, NULL));
}

int trn_exam_due(struct store *s, int64_t now, int64_t *out, int max)
{
	struct store_stmt *st = store_query(s,
					    "SELECT id FROM trn_exam WHERE state = 'started'"
					    " AND deadline_at <= ? ORDER BY deadline_at, id",
					    "i", now);
	int rc, n = 0;

	while (n < max && (rc = store_next(st, NULL, NULL)) == 1)
		out[n++] = store_col_int(st, 0);
	if (n == max)
		rc = 0;
	return store_end(st, rc, n);
}

/* The first row's id and REAL second column into *id and *score. */
static int best_read(struct store_stmt *st, void *dst)
{
	struct {
		int64_t *id;
		double *score;
	} *b = dst;
	const char *t = store_col_text(st, 1);

	*b->id = store_col_int(st, 0);
	*b->score = t ? strtod(t, NULL) : 0;
	return 0;
}

int trn_exam_best(struct store *s, int64_t person_id, int64_t *id, double *score)
{
	struct {
		int64_t *id;
		double *score;
	} b = {id, score};

	return store_one(store_query(s,
				     "SELECT id, score FROM trn_exam WHERE person_id = ?"
				     " AND state = 'marked' ORDER BY score DESC, id DESC LIMIT 1",
				     "i", person_id),
			 best_read, &b);
}

/* ---- Practicals and their panels ---- */

#define PRACTICAL_COLS                                                                             \
	"x.id, x.person_id, x.host_id, x.state, x.score, x.created_at, x.closed_at, p.name"

static int practical_read(struct store_stmt *st, void *dst)
{
	struct trn_practical *x = dst;
	const char *score;

	x->id = store_col_int(st, 0);
	x->person_id = store_col_int(st, 1);
	x->host_id = store_col_int(st, 2);
	STORE_COL_COPY(st, 3, x->state);
	score = store_col_text(st, 4);
	x->score = score ? strtod(score, NULL) : 0;
	x->created_at = store_col_int(st, 5);
	x->closed_at = store_col_int(st, 6);
	STORE_COL_COPY(st, 7, x->person);
	return 0;
}

int trn_practical_insert(struct store *s, struct trn_practical *p, int64_t now)
{
	return inserted(store_run(s,
				  "INSERT INTO trn_practical(person_id, host_id, created_at)"
				  " VALUES (?, ?, ?) RETURNING id",
				  &p->id, "iii", p->person_id, p->host_id, now));
}

int trn_practical_get(struct store *s, int64_t id, struct trn_practical *out)
{
	return store_one(store_query(s,
				     "SELECT " PRACTICAL_COLS " FROM trn_practical x"
				     " JOIN person p ON p.id = x.person_id WHERE x.id = ?",
				     "i", id),
			 practical_read, out);
}

int trn_practical_list(struct store *s, int64_t person_or_member, trn_practical_fn *fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT " PRACTICAL_COLS " FROM trn_practical x JOIN person p ON p.id = x.person_id"
		" WHERE ? = 0 OR x.person_id = ? OR x.host_id = ? OR EXISTS (SELECT 1 FROM"
		" trn_panel m WHERE m.practical_id = x.id AND m.person_id = ?)"
		" ORDER BY x.id DESC LIMIT 500",
		"iiii", person_or_member, person_or_member, person_or_member, person_or_member);
	struct trn_practical x;
	int rc, n = 0;

	while ((rc = store_next(st, practical_read, &x)) == 1 && (rc = fn(ctx, &x)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int trn_panel_add(struct store *s, int64_t practical_id, int64_t person_id)
{
	return ok(store_run(s,
			    "INSERT INTO trn_panel(practical_id, person_id) VALUES (?, ?)"
			    " ON CONFLICT DO NOTHING",
			    NULL, "ii", practical_id, person_id));
}

static int panel_read(struct store_stmt *st, void *dst)
{
	struct trn_panel_score *p = dst;

	p->person_id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, p->name);
	p->scored = !store_col_null(st, 2);
	for (int i = 0; i < TRN_ITEMS; i++)
		p->items[i] = (int)store_col_int(st, 2 + i);
	p->total = (int)store_col_int(st, 7);
	p->scored_at = store_col_int(st, 8);
	return 0;
}

int trn_panel_list(struct store *s, int64_t practical_id, trn_panel_fn *fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT m.person_id, p.name, m.voice, m.tone, m.speed, m.fluency, m.reactions,"
		" m.total, m.scored_at FROM trn_panel m JOIN person p ON p.id = m.person_id"
		" WHERE m.practical_id = ? ORDER BY m.person_id",
		"i", practical_id);
	struct trn_panel_score p;
	int rc, n = 0;

	while ((rc = store_next(st, panel_read, &p)) == 1 && (rc = fn(ctx, &p)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int trn_panel_score(struct store *s, int64_t practical_id, int64_t person_id,
		    const int items[TRN_ITEMS], int64_t now)
{
	int rc = store_run(s,
			   "UPDATE trn_panel SET voice = ?, tone = ?, speed = ?, fluency = ?,"
			   " reactions = ?, total = ?, scored_at = ?"
			   " WHERE practical_id = ? AND person_id = ?",
			   NULL, "iiiiiiiii", (int64_t)items[0], (int64_t)items[1],
			   (int64_t)items[2], (int64_t)items[3], (int64_t)items[4],
			   (int64_t)trn_items_total(items), now, practical_id, person_id);

	if (rc < 0)
		return rc;
	return store_changes(s) > 0 ? 0 : ERR_NOTFOUND;
}

int trn_practical_close(struct store *s, int64_t id, double score, int64_t now)
{
	struct store_stmt *st = store_prepare(s, "UPDATE trn_practical SET state = 'closed',"
						 " score = ? / 1000.0, closed_at = ? WHERE id = ?");
	int rc = store_bindf(st, 1, "iii", (int64_t)(score * 1000 + 0.5), now, id);

	return ok(store_once(st, rc, NULL));
}

int trn_practical_best(struct store *s, int64_t person_id, int64_t *id, double *score)
{
	struct {
		int64_t *id;
		double *score;
	} b = {id, score};

	return store_one(store_query(s,
				     "SELECT id, score FROM trn_practical WHERE person_id = ?"
				     " AND state = 'closed' ORDER BY score DESC, id DESC LIMIT 1",
				     "i", person_id),
			 best_read, &b);
}

int trn_cert_insert(struct store *s, int64_t person_id, int64_t exam_id, int64_t practical_id,
		    int64_t by, int64_t now)
{
	return ok(store_run(s,
			    "INSERT INTO trn_cert(person_id, exam_id, practical_id, confirmed_by,"
			    " confirmed_at) VALUES (?, ?, ?, ?, ?)",
			    NULL, "iiiii", person_id, exam_id, practical_id, by, now));
}

/* ---- The perf source's walks ---- */

int trn_absences(struct store *s, int64_t from, int64_t to,
		 int (*fn)(void *ctx, int64_t id, int64_t person_id, int64_t at, int late,
			   const char *title),
		 void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT a.id, a.person_id, x.starts_at, a.status = 'late', x.title"
		" FROM trn_attendance a JOIN trn_session x ON x.id = a.session_id"
		" WHERE a.status IN ('late', 'absent') AND a.marked_at >= ? AND a.marked_at < ?"
		" ORDER BY a.marked_at, a.id",
		"ii", from, to);
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1 &&
	       (rc = fn(ctx, store_col_int(st, 0), store_col_int(st, 1), store_col_int(st, 2),
			(int)store_col_int(st, 3), store_col_text_or(st, 4, ""))) >= 0)
		n++;
	return store_end(st, rc, n);
}

int trn_training(struct store *s, int64_t from, int64_t to,
		 int (*fn)(void *ctx, int64_t person_id, int sessions, int attended, int exams,
			   double score),
		 void *ctx)
{
	/* Sessions by their start, exams by their marking; one row per person with either. */
	struct store_stmt *st = store_query(
		s,
		"WITH t AS (SELECT a.person_id, 1 AS expected,"
		"  a.status IN ('present', 'late') AS attended, 0 AS exam, NULL AS score"
		"  FROM trn_attendance a JOIN trn_session x ON x.id = a.session_id"
		"  WHERE x.starts_at >= ? AND x.starts_at < ?"
		" UNION ALL SELECT person_id, 0, 0, 1, score FROM trn_exam"
		"  WHERE state = 'marked' AND marked_at >= ? AND marked_at < ?)"
		" SELECT person_id, SUM(expected), SUM(attended), SUM(exam),"
		" CAST(ROUND(COALESCE(AVG(score), 0) * 1000) AS INTEGER)"
		" FROM t GROUP BY person_id ORDER BY person_id",
		"iiii", from, to, from, to);
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1 &&
	       (rc = fn(ctx, store_col_int(st, 0), (int)store_col_int(st, 1),
			(int)store_col_int(st, 2), (int)store_col_int(st, 3),
			store_col_int(st, 4) / 1000.0)) >= 0)
		n++;
	return store_end(st, rc, n);
}
