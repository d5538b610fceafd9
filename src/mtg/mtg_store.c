/*
 * Meetings, work logs and inspections: the SQL over migration 37's tables,
 * reading the person table with its own statements (names, the active
 * agents), and the perf source of late and absent attendances.
 */
#include <string.h>

#include "auth/auth.h"
#include "core/err.h"
#include "mtg/mtg.h"
#include "store/store.h"

/* A walk's usual end: each row to fn until it fails. */
#define WALK(st, read, row, fn, arg)                                                               \
	do {                                                                                       \
		int rc_, n_ = 0;                                                                   \
		while ((rc_ = store_next(st, read, row)) == 1 && (rc_ = fn(arg, row)) >= 0)        \
			n_++;                                                                      \
		return store_end(st, rc_, n_);                                                     \
	} while (0)

/* An INSERT … RETURNING id's result: it gives a row or fails. */
static int inserted(int rc)
{
	return rc == 0 ? ERR_IO : rc < 0 ? rc : 0;
}

int mtg_person_active(struct store *s, int64_t id)
{
	return store_run(s, "SELECT 1 FROM person WHERE id = ? AND active = 1", NULL, "i", id);
}

/* Schedules. */

#define SCHED_COLS                                                                                 \
	"id, type, title, freq, weekday, monthday, minute, duration_min, location, host_id, "      \
	"active"

static int sched_read(struct store_stmt *st, void *dst)
{
	struct mtg_schedule *sc = dst;

	memset(sc, 0, sizeof(*sc));
	sc->id = store_col_int(st, 0);
	sc->type = mtg_type_parse(store_col_text(st, 1));
	STORE_COL_COPY(st, 2, sc->title);
	STORE_COL_COPY(st, 3, sc->freq);
	sc->weekday = (int)store_col_int(st, 4);
	sc->monthday = (int)store_col_int(st, 5);
	sc->minute = (int)store_col_int(st, 6);
	sc->duration_min = (int)store_col_int(st, 7);
	STORE_COL_COPY(st, 8, sc->location);
	sc->host_id = store_col_int(st, 9);
	sc->active = (int)store_col_int(st, 10);
	return 0;
}

int mtg_schedules(struct store *s, int (*fn)(void *arg, const struct mtg_schedule *sc), void *arg)
{
	struct store_stmt *st =
		store_query(s, "SELECT " SCHED_COLS " FROM mtg_schedule ORDER BY id", "");
	struct mtg_schedule sc;

	WALK(st, sched_read, &sc, fn, arg);
}

int mtg_schedule_get(struct store *s, int64_t id, struct mtg_schedule *out)
{
	return store_one(
		store_query(s, "SELECT " SCHED_COLS " FROM mtg_schedule WHERE id = ?", "i", id),
		sched_read, out);
}

int mtg_schedule_save(struct store *s, struct mtg_schedule *sc, int64_t now)
{
	int rc;

	if (sc->id)
		rc = store_run(
			s,
			"UPDATE mtg_schedule SET type = ?, title = ?, freq = ?, weekday = ?,"
			" monthday = ?, minute = ?, duration_min = ?, location = ?, host_id = ?,"
			" active = ?, updated_at = ? WHERE id = ?",
			NULL, "tttiiiitdiii", mtg_type_name(sc->type), sc->title, sc->freq,
			(int64_t)sc->weekday, (int64_t)sc->monthday, (int64_t)sc->minute,
			(int64_t)sc->duration_min, sc->location, sc->host_id, (int64_t)sc->active,
			now, sc->id);
	else {
		rc = store_run(
			s,
			"INSERT INTO mtg_schedule(type, title, freq, weekday, monthday, minute,"
			" duration_min, location, host_id, active, updated_at)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			&sc->id, "tttiiiitdii", mtg_type_name(sc->type), sc->title, sc->freq,
			(int64_t)sc->weekday, (int64_t)sc->monthday, (int64_t)sc->minute,
			(int64_t)sc->duration_min, sc->location, sc->host_id, (int64_t)sc->active,
			now);
		if (rc == 0)
			rc = ERR_IO;
	}
	return rc < 0 ? rc : 0;
}

/* Meetings. */

#define MEET_COLS                                                                                  \
	"m.id, m.type, m.title, m.starts_at, m.ends_at, m.location, m.agenda, m.host_id,"          \
	" (SELECT name FROM person WHERE id = m.host_id), m.state, m.minutes, m.schedule_id,"      \
	" m.notified_at, m.created_by, m.created_at, m.updated_at"

static int meet_read(struct store_stmt *st, void *dst)
{
	struct mtg_meeting *m = dst;

	m->id = store_col_int(st, 0);
	m->type = mtg_type_parse(store_col_text(st, 1));
	STORE_COL_COPY(st, 2, m->title);
	m->starts_at = store_col_int(st, 3);
	m->ends_at = store_col_int(st, 4);
	STORE_COL_COPY(st, 5, m->location);
	STORE_COL_COPY(st, 6, m->agenda);
	m->host_id = store_col_int(st, 7);
	STORE_COL_COPY(st, 8, m->host_name);
	STORE_COL_COPY(st, 9, m->state);
	STORE_COL_COPY(st, 10, m->minutes);
	m->schedule_id = store_col_int(st, 11);
	m->notified_at = store_col_int(st, 12);
	m->created_by = store_col_int(st, 13);
	m->created_at = store_col_int(st, 14);
	m->updated_at = store_col_int(st, 15);
	return 0;
}

static int attendee_add(struct store *s, int64_t meeting_id, int64_t person_id)
{
	int rc = store_run(s,
			   "INSERT INTO mtg_attendee(meeting_id, person_id) VALUES (?, ?)"
			   " ON CONFLICT (meeting_id, person_id) DO NOTHING",
			   NULL, "ii", meeting_id, person_id);

	return rc < 0 ? rc : 0;
}

int mtg_meeting_insert(struct store *s, struct mtg_meeting *m, const int64_t *attendees,
		       int n_attendees)
{
	int rc = store_run(
		s,
		"INSERT INTO mtg_meeting(type, title, starts_at, ends_at, location, agenda,"
		" host_id, schedule_id, created_by, created_at, updated_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		&m->id, "ttiittdddii", mtg_type_name(m->type), m->title, m->starts_at, m->ends_at,
		m->location, m->agenda, m->host_id, m->schedule_id, m->created_by, m->created_at,
		m->created_at);

	if (rc == 0)
		rc = ERR_IO;
	if (rc < 0)
		return rc;
	if (n_attendees <= 0) {
		/* Every active agent of the center (the seed: 由客服人员参加). */
		rc = store_run(s,
			       "INSERT INTO mtg_attendee(meeting_id, person_id)"
			       " SELECT ?, id FROM person WHERE active = 1 AND (roles & ?) != 0",
			       NULL, "ii", m->id, (int64_t)ROLE_AGENT);
		return rc < 0 ? rc : 0;
	}
	for (int i = 0; i < n_attendees && rc >= 0; i++)
		rc = attendee_add(s, m->id, attendees[i]);
	return rc < 0 ? rc : 0;
}

int mtg_meeting_ensure(struct store *s, const struct mtg_schedule *sc, int64_t starts_at,
		       int64_t now)
{
	struct mtg_meeting m;
	int64_t found = 0;
	int rc = store_run(s, "SELECT id FROM mtg_meeting WHERE schedule_id = ? AND starts_at = ?",
			   &found, "ii", sc->id, starts_at);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	memset(&m, 0, sizeof(m));
	m.type = sc->type;
	strcpy(m.title, sc->title);
	m.starts_at = starts_at;
	m.ends_at = starts_at + (int64_t)sc->duration_min * 60000;
	strcpy(m.location, sc->location);
	m.host_id = sc->host_id;
	m.schedule_id = sc->id;
	m.created_at = now;
	rc = mtg_meeting_insert(s, &m, NULL, 0);
	return rc < 0 ? rc : 1;
}

int mtg_meeting_get(struct store *s, int64_t id, struct mtg_meeting *out)
{
	return store_one(
		store_query(s, "SELECT " MEET_COLS " FROM mtg_meeting m WHERE m.id = ?", "i", id),
		meet_read, out);
}

int mtg_meetings(struct store *s, const struct mtg_meeting_filter *f,
		 int (*fn)(void *arg, const struct mtg_meeting *m), void *arg)
{
	struct store_sql q = STORE_SQL_INIT;
	struct store_stmt *st;
	struct mtg_meeting m;

	store_sql_add(&q, "SELECT " MEET_COLS " FROM mtg_meeting m WHERE 1=1", "");
	if (f->from)
		store_sql_add(&q, " AND m.starts_at >= ?", "i", f->from);
	if (f->to)
		store_sql_add(&q, " AND m.starts_at < ?", "i", f->to);
	if (f->type >= 0)
		store_sql_add(&q, " AND m.type = ?", "t", mtg_type_name(f->type));
	if (f->person_id)
		store_sql_add(&q,
			      " AND (m.host_id = ? OR EXISTS (SELECT 1 FROM mtg_attendee a"
			      " WHERE a.meeting_id = m.id AND a.person_id = ?))",
			      "ii", f->person_id, f->person_id);
	store_sql_add(&q, " ORDER BY m.starts_at, m.id LIMIT 500", "");
	st = store_sql_prepare(s, &q);
	WALK(st, meet_read, &m, fn, arg);
}

int mtg_meeting_set_state(struct store *s, int64_t id, const char *state, int64_t now)
{
	int rc = store_run(s, "UPDATE mtg_meeting SET state = ?, updated_at = ? WHERE id = ?", NULL,
			   "tii", state, now, id);

	return rc < 0 ? rc : 0;
}

int mtg_meeting_set_minutes(struct store *s, int64_t id, const char *minutes, int64_t now)
{
	int rc = store_run(s,
			   "UPDATE mtg_meeting SET minutes = ?, state = 'held', updated_at = ?"
			   " WHERE id = ?",
			   NULL, "tii", minutes, now, id);

	return rc < 0 ? rc : 0;
}

int mtg_meeting_notified(struct store *s, int64_t id, int64_t now)
{
	int rc = store_run(s, "UPDATE mtg_meeting SET notified_at = ? WHERE id = ?", NULL, "ii",
			   now, id);

	return rc < 0 ? rc : 0;
}

int mtg_meetings_to_notify(struct store *s, int64_t now,
			   int (*fn)(void *arg, const struct mtg_meeting *m), void *arg)
{
	struct mtg_meeting m;
	struct store_stmt *st =
		store_query(s,
			    "SELECT " MEET_COLS " FROM mtg_meeting m WHERE m.notified_at IS NULL"
			    " AND m.state = 'scheduled' AND m.type != 'daily' AND m.starts_at > ?"
			    " AND m.starts_at <= ? ORDER BY m.starts_at, m.id",
			    "ii", now, now + MTG_DAY_MS);

	WALK(st, meet_read, &m, fn, arg);
}

/* Attendees. */

#define ATT_COLS                                                                                   \
	"a.id, a.meeting_id, a.person_id, p.name, p.work_no, a.status, a.marked_at, a.marked_by"

static int att_read(struct store_stmt *st, void *dst)
{
	struct mtg_attendee *a = dst;
	const char *status = store_col_text(st, 5);

	memset(a, 0, sizeof(*a));
	a->id = store_col_int(st, 0);
	a->meeting_id = store_col_int(st, 1);
	a->person_id = store_col_int(st, 2);
	STORE_COL_COPY(st, 3, a->name);
	STORE_COL_COPY(st, 4, a->work_no);
	a->status =
		status && strcmp(status, "expected") == 0 ? MTG_EXPECTED : mtg_attend_parse(status);
	a->marked_at = store_col_int(st, 6);
	a->marked_by = store_col_int(st, 7);
	return 0;
}

int mtg_attendees(struct store *s, int64_t meeting_id,
		  int (*fn)(void *arg, const struct mtg_attendee *a), void *arg)
{
	struct store_stmt *st = store_query(s,
					    "SELECT " ATT_COLS " FROM mtg_attendee a JOIN person p"
					    " ON p.id = a.person_id WHERE a.meeting_id = ?"
					    " ORDER BY p.work_no",
					    "i", meeting_id);
	struct mtg_attendee a;

	WALK(st, att_read, &a, fn, arg);
}

int mtg_attendee_get(struct store *s, int64_t meeting_id, int64_t person_id,
		     struct mtg_attendee *out)
{
	return store_one(
		store_query(s,
			    "SELECT " ATT_COLS " FROM mtg_attendee a JOIN person p"
			    " ON p.id = a.person_id WHERE a.meeting_id = ? AND a.person_id = ?",
			    "ii", meeting_id, person_id),
		att_read, out);
}

int mtg_attendee_mark(struct store *s, int64_t id, int status, int64_t by, int64_t now)
{
	int rc = store_run(s,
			   "UPDATE mtg_attendee SET status = ?, marked_at = ?, marked_by = ?"
			   " WHERE id = ?",
			   NULL, "tiii", mtg_attend_name(status), now, by, id);

	return rc < 0 ? rc : 0;
}

int mtg_attends(struct store *s, int64_t meeting_id, int64_t person_id)
{
	int rc = store_run(
		s,
		"SELECT 1 FROM mtg_meeting m WHERE m.id = ?1 AND (m.host_id = ?2 OR"
		" EXISTS (SELECT 1 FROM mtg_attendee WHERE meeting_id = ?1 AND person_id = ?2))",
		NULL, "ii", meeting_id, person_id);

	return rc;
}

/* Action items. */

#define ACTION_COLS                                                                                \
	"x.id, x.meeting_id, m.title, x.title, x.owner_id, p.name, x.due_at, x.state, x.done_at,"  \
	" x.done_by, x.note, x.reminded_at, x.created_at"
#define ACTION_FROM                                                                                \
	" FROM mtg_action x JOIN mtg_meeting m ON m.id = x.meeting_id"                             \
	" JOIN person p ON p.id = x.owner_id"

static int action_read(struct store_stmt *st, void *dst)
{
	struct mtg_action *a = dst;

	memset(a, 0, sizeof(*a));
	a->id = store_col_int(st, 0);
	a->meeting_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, a->meeting_title);
	STORE_COL_COPY(st, 3, a->title);
	a->owner_id = store_col_int(st, 4);
	STORE_COL_COPY(st, 5, a->owner_name);
	a->due_at = store_col_int(st, 6);
	STORE_COL_COPY(st, 7, a->state);
	a->done_at = store_col_int(st, 8);
	a->done_by = store_col_int(st, 9);
	STORE_COL_COPY(st, 10, a->note);
	a->reminded_at = store_col_int(st, 11);
	a->created_at = store_col_int(st, 12);
	return 0;
}

int mtg_action_insert(struct store *s, struct mtg_action *a)
{
	int rc = store_run(s,
			   "INSERT INTO mtg_action(meeting_id, title, owner_id, due_at, created_by,"
			   " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			   &a->id, "itiidi", a->meeting_id, a->title, a->owner_id, a->due_at,
			   a->done_by, a->created_at);

	return inserted(rc);
}

int mtg_action_get(struct store *s, int64_t id, struct mtg_action *out)
{
	return store_one(
		store_query(s, "SELECT " ACTION_COLS ACTION_FROM " WHERE x.id = ?", "i", id),
		action_read, out);
}

int mtg_action_done(struct store *s, int64_t id, int64_t by, const char *note, int64_t now)
{
	int rc =
		store_run(s,
			  "UPDATE mtg_action SET state = 'done', done_at = ?, done_by = ?, note = ?"
			  " WHERE id = ? AND state = 'open'",
			  NULL, "iiti", now, by, note ? note : "", id);

	if (rc < 0)
		return rc;
	return store_changes(s) == 1 ? 0 : ERR_CONFLICT;
}

int mtg_action_reminded(struct store *s, int64_t id, int64_t now)
{
	int rc = store_run(s, "UPDATE mtg_action SET reminded_at = ? WHERE id = ?", NULL, "ii", now,
			   id);

	return rc < 0 ? rc : 0;
}

int mtg_actions(struct store *s, const struct mtg_action_filter *f,
		int (*fn)(void *arg, const struct mtg_action *a), void *arg)
{
	struct store_sql q = STORE_SQL_INIT;
	struct store_stmt *st;
	struct mtg_action a;

	store_sql_add(&q, "SELECT " ACTION_COLS ACTION_FROM " WHERE m.state != 'cancelled'", "");
	if (f->meeting_id)
		store_sql_add(&q, " AND x.meeting_id = ?", "i", f->meeting_id);
	if (f->owner_id)
		store_sql_add(&q, " AND x.owner_id = ?", "i", f->owner_id);
	if (f->state)
		store_sql_add(&q, " AND x.state = ?", "t", f->state);
	if (f->due_before)
		store_sql_add(&q, " AND x.due_at < ?", "i", f->due_before);
	if (f->unreminded)
		store_sql_add(&q, " AND x.reminded_at IS NULL", "");
	store_sql_add(&q, " ORDER BY x.due_at, x.id LIMIT 500", "");
	st = store_sql_prepare(s, &q);
	WALK(st, action_read, &a, fn, arg);
}

/* Work logs. */

#define LOG_COLS                                                                                   \
	"l.id, l.person_id, p.name, p.work_no, l.kind, l.period, l.body,"                          \
	" (SELECT count(*) FROM mtg_log_comment WHERE log_id = l.id), l.created_at, l.updated_at"

static int log_read(struct store_stmt *st, void *dst)
{
	struct mtg_log *l = dst;

	l->id = store_col_int(st, 0);
	l->person_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, l->name);
	STORE_COL_COPY(st, 3, l->work_no);
	STORE_COL_COPY(st, 4, l->kind);
	STORE_COL_COPY(st, 5, l->period);
	STORE_COL_COPY(st, 6, l->body);
	l->comments = (int)store_col_int(st, 7);
	l->created_at = store_col_int(st, 8);
	l->updated_at = store_col_int(st, 9);
	return 0;
}

int mtg_log_put(struct store *s, struct mtg_log *l, int64_t now, int *created)
{
	int64_t id = 0;
	int rc = store_run(s,
			   "SELECT id FROM mtg_log WHERE person_id = ? AND kind = ? AND period = ?",
			   &id, "itt", l->person_id, l->kind, l->period);

	if (rc < 0)
		return rc;
	*created = rc == 0;
	if (rc == 1) {
		l->id = id;
		rc = store_run(s, "UPDATE mtg_log SET body = ?, updated_at = ? WHERE id = ?", NULL,
			       "tii", l->body, now, id);
	} else {
		rc = store_run(s,
			       "INSERT INTO mtg_log(person_id, kind, period, body, created_at,"
			       " updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			       &l->id, "itttii", l->person_id, l->kind, l->period, l->body, now,
			       now);
		if (rc == 0)
			rc = ERR_IO;
	}
	return rc < 0 ? rc : 0;
}

int mtg_log_get(struct store *s, int64_t id, struct mtg_log *out)
{
	return store_one(store_query(s,
				     "SELECT " LOG_COLS " FROM mtg_log l JOIN person p"
				     " ON p.id = l.person_id WHERE l.id = ?",
				     "i", id),
			 log_read, out);
}

int mtg_logs(struct store *s, const struct mtg_log_filter *f,
	     int (*fn)(void *arg, const struct mtg_log *l), void *arg)
{
	struct store_sql q = STORE_SQL_INIT;
	struct store_stmt *st;
	struct mtg_log l;

	store_sql_add(&q,
		      "SELECT " LOG_COLS " FROM mtg_log l JOIN person p ON p.id = l.person_id"
		      " WHERE 1=1",
		      "");
	if (f->person_id)
		store_sql_add(&q, " AND l.person_id = ?", "i", f->person_id);
	if (f->kind)
		store_sql_add(&q, " AND l.kind = ?", "t", f->kind);
	if (f->from)
		store_sql_add(&q, " AND l.period >= ?", "t", f->from);
	if (f->to)
		store_sql_add(&q, " AND l.period <= ?", "t", f->to);
	store_sql_add(&q, " ORDER BY l.period DESC, p.work_no LIMIT 500", "");
	st = store_sql_prepare(s, &q);
	WALK(st, log_read, &l, fn, arg);
}

int mtg_comment_insert(struct store *s, struct mtg_comment *c)
{
	int rc = store_run(s,
			   "INSERT INTO mtg_log_comment(log_id, author_id, body, created_at)"
			   " VALUES (?, ?, ?, ?) RETURNING id",
			   &c->id, "iiti", c->log_id, c->author_id, c->body, c->created_at);

	return inserted(rc);
}

static int comment_read(struct store_stmt *st, void *dst)
{
	struct mtg_comment *c = dst;

	c->id = store_col_int(st, 0);
	c->log_id = store_col_int(st, 1);
	c->author_id = store_col_int(st, 2);
	STORE_COL_COPY(st, 3, c->author_name);
	STORE_COL_COPY(st, 4, c->body);
	c->created_at = store_col_int(st, 5);
	return 0;
}

int mtg_comments(struct store *s, int64_t log_id, int (*fn)(void *arg, const struct mtg_comment *c),
		 void *arg)
{
	struct mtg_comment c;
	struct store_stmt *st = store_query(
		s,
		"SELECT c.id, c.log_id, c.author_id, p.name, c.body, c.created_at"
		" FROM mtg_log_comment c JOIN person p ON p.id = c.author_id WHERE c.log_id = ?"
		" ORDER BY c.id",
		"i", log_id);

	WALK(st, comment_read, &c, fn, arg);
}

struct missing_row {
	int64_t id;
	char name[257];
	char work_no[33];
};

static int missing_read(struct store_stmt *st, void *dst)
{
	struct missing_row *m = dst;

	m->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, m->name);
	STORE_COL_COPY(st, 2, m->work_no);
	return 0;
}

int mtg_logs_missing(struct store *s, const char *day,
		     int (*fn)(void *arg, int64_t id, const char *name, const char *work_no),
		     void *arg)
{
	struct store_stmt *st = store_query(s,
					    "SELECT p.id, p.name, p.work_no FROM person p WHERE "
					    "p.active = 1 AND (p.roles & ?) != 0"
					    " AND NOT EXISTS (SELECT 1 FROM mtg_log l WHERE "
					    "l.person_id = p.id AND l.kind = 'day'"
					    " AND l.period = ?) ORDER BY p.work_no",
					    "it", (int64_t)ROLE_AGENT, day);
	struct missing_row m;
	int rc, n = 0;

	while ((rc = store_next(st, missing_read, &m)) == 1 &&
	       (rc = fn(arg, m.id, m.name, m.work_no)) >= 0)
		n++;
	return store_end(st, rc, n);
}

/* Inspections. */

#define INSP_COLS                                                                                  \
	"i.id, i.inspector_id, p.name, i.at, i.area, i.notes,"                                     \
	" (SELECT count(*) FROM mtg_finding WHERE inspection_id = i.id), i.created_at"

static int insp_read(struct store_stmt *st, void *dst)
{
	struct mtg_inspection *in = dst;

	in->id = store_col_int(st, 0);
	in->inspector_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, in->inspector_name);
	in->at = store_col_int(st, 3);
	STORE_COL_COPY(st, 4, in->area);
	STORE_COL_COPY(st, 5, in->notes);
	in->findings = (int)store_col_int(st, 6);
	in->created_at = store_col_int(st, 7);
	return 0;
}

int mtg_inspection_insert(struct store *s, struct mtg_inspection *in)
{
	int rc = store_run(s,
			   "INSERT INTO mtg_inspection(inspector_id, at, area, notes, created_at)"
			   " VALUES (?, ?, ?, ?, ?) RETURNING id",
			   &in->id, "iitti", in->inspector_id, in->at, in->area, in->notes,
			   in->created_at);

	return inserted(rc);
}

int mtg_inspection_get(struct store *s, int64_t id, struct mtg_inspection *out)
{
	return store_one(store_query(s,
				     "SELECT " INSP_COLS " FROM mtg_inspection i JOIN person p"
				     " ON p.id = i.inspector_id WHERE i.id = ?",
				     "i", id),
			 insp_read, out);
}

int mtg_inspections(struct store *s, int64_t from, int64_t to,
		    int (*fn)(void *arg, const struct mtg_inspection *in), void *arg)
{
	struct mtg_inspection in;
	struct store_stmt *st =
		store_query(s,
			    "SELECT " INSP_COLS " FROM mtg_inspection i JOIN person p"
			    " ON p.id = i.inspector_id WHERE i.at >= ? AND i.at < ?"
			    " ORDER BY i.at DESC, i.id DESC LIMIT 500",
			    "ii", from, to);

	WALK(st, insp_read, &in, fn, arg);
}

int mtg_finding_insert(struct store *s, struct mtg_finding *f)
{
	int rc = store_run(s,
			   "INSERT INTO mtg_finding(inspection_id, person_id, item, note, category,"
			   " recorded_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			   &f->id, "iittTi", f->inspection_id, f->person_id, f->item, f->note,
			   f->category, f->recorded_at);

	return inserted(rc);
}

#define FIND_COLS                                                                                  \
	"f.id, f.inspection_id, f.person_id, p.name, f.item, f.note, f.category, f.recorded_at,"   \
	" i.inspector_id"
#define FIND_FROM                                                                                  \
	" FROM mtg_finding f JOIN mtg_inspection i ON i.id = f.inspection_id"                      \
	" JOIN person p ON p.id = f.person_id"

static int finding_read(struct store_stmt *st, void *dst)
{
	struct mtg_finding *f = dst;

	f->id = store_col_int(st, 0);
	f->inspection_id = store_col_int(st, 1);
	f->person_id = store_col_int(st, 2);
	STORE_COL_COPY(st, 3, f->name);
	STORE_COL_COPY(st, 4, f->item);
	STORE_COL_COPY(st, 5, f->note);
	STORE_COL_COPY(st, 6, f->category);
	f->recorded_at = store_col_int(st, 7);
	f->inspector_id = store_col_int(st, 8);
	return 0;
}

int mtg_inspection_findings(struct store *s, int64_t inspection_id,
			    int (*fn)(void *arg, const struct mtg_finding *f), void *arg)
{
	struct store_stmt *st = store_query(
		s, "SELECT " FIND_COLS FIND_FROM " WHERE f.inspection_id = ? ORDER BY f.id", "i",
		inspection_id);
	struct mtg_finding f;

	WALK(st, finding_read, &f, fn, arg);
}

int mtg_findings(struct store *s, int64_t from, int64_t to, mtg_finding_fn *fn, void *arg)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT " FIND_COLS FIND_FROM " WHERE f.category IS NOT NULL"
			    " AND f.recorded_at >= ? AND f.recorded_at < ?"
			    " ORDER BY f.recorded_at, f.id",
			    "ii", from, to);
	struct mtg_finding f;

	WALK(st, finding_read, &f, fn, arg);
}

/* The perf source: late and absent attendances by the time they were marked. */

struct absence_row {
	struct perf_absence a;
	char title[MTG_TEXT_MAX * 4 + 1];
};

static int absence_read(struct store_stmt *st, void *dst)
{
	struct absence_row *r = dst;
	const char *status = store_col_text(st, 3);

	r->a.source_id = store_col_int(st, 0);
	r->a.person_id = store_col_int(st, 1);
	r->a.at = store_col_int(st, 2);
	r->a.late = status && strcmp(status, "late") == 0;
	STORE_COL_COPY(st, 4, r->title);
	r->a.source = "mtg_attendance";
	r->a.title = r->title;
	return 0;
}

static int absence_row(perf_absence_fn *cb, void *arg, const struct absence_row *r)
{
	return cb(arg, &r->a);
}

static int absences(struct store *s, int64_t from, int64_t to, perf_absence_fn *cb, void *arg)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT a.id, a.person_id, m.starts_at, a.status, m.title FROM mtg_attendee a"
		" JOIN mtg_meeting m ON m.id = a.meeting_id WHERE a.marked_at >= ?"
		" AND a.marked_at < ? AND a.status IN ('late', 'absent') AND m.state != 'cancelled'"
		" ORDER BY a.marked_at, a.id",
		"ii", from, to);
	struct absence_row r;
	int rc, n = 0;

	while ((rc = store_next(st, absence_read, &r)) == 1 && (rc = absence_row(cb, arg, &r)) >= 0)
		n++;
	return store_end(st, rc, n);
}

/* The findings proposing a penalty, as perf's proposals read them. */
struct finding_walk {
	perf_finding_fn *cb;
	void *arg;
};

static int finding_seen(void *arg, const struct mtg_finding *f)
{
	const struct finding_walk *w = arg;
	const struct perf_finding pf = {f->person_id,  f->recorded_at, f->category,
					"mtg_finding", f->id,	       f->note};

	return w->cb(w->arg, &pf);
}

static int findings(struct store *s, int64_t from, int64_t to, perf_finding_fn *cb, void *arg)
{
	struct finding_walk w = {cb, arg};

	return mtg_findings(s, from, to, finding_seen, &w);
}

const struct perf_source mtg_perf_source = {
	.name = "mtg",
	.absences = absences,
	.findings = findings,
};
