/*
 * The SQL of attendance: the supervisor's excuses (wfm_attend_excuse,
 * migration 18), and what attendance reads with its own statements: the
 * roster (wfm_roster_entry), approved leave (wfm_leave), both of migration
 * 15, the agents' status log (agent_state_log, written by src/acd/) and
 * people's names (person, src/org/). Only a published month's roster
 * counts: a draft is a plan still being made, nobody's schedule. Nothing
 * here begins or commits.
 */
#include <string.h>

#include "core/err.h"
#include "store/store.h"
#include "wfm/wfm.h"

/*
 * Who has a day to show in [from, to] (local dates) or [t0, t1) (ms): a
 * roster entry, approved leave, an excuse, a status change, or a seat
 * still logged in when the time began. person_id 0: everyone.
 */
static int person_read(struct store_stmt *st, void *dst)
{
	struct wfm_att_person *p = dst;

	memset(p, 0, sizeof(*p));
	p->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, p->work_no);
	STORE_COL_COPY(st, 2, p->name);
	return 0;
}

int wfm_att_people(struct store *s, int64_t person_id, const char *from, const char *to,
		   int64_t t0, int64_t t1, wfm_att_person_fn fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT p.id, p.work_no, p.name FROM person p WHERE (?1 = 0 OR p.id = ?1) AND ("
		" EXISTS (SELECT 1 FROM wfm_roster_entry e JOIN wfm_roster r"
		"  ON r.month = substr(e.day, 1, 7) AND r.state = 'published'"
		"  WHERE e.person_id = p.id AND e.day BETWEEN ?2 AND ?3)"
		" OR EXISTS (SELECT 1 FROM wfm_leave l WHERE l.person_id = p.id"
		"  AND l.state = 'approved' AND l.first_day <= ?3 AND l.last_day >= ?2)"
		" OR EXISTS (SELECT 1 FROM wfm_attend_excuse x WHERE x.person_id = p.id"
		"  AND x.day BETWEEN ?2 AND ?3)"
		" OR EXISTS (SELECT 1 FROM agent_state_log g WHERE g.person_id = p.id"
		"  AND g.at >= ?4 AND g.at < ?5)"
		" OR (SELECT g.to_status FROM agent_state_log g WHERE g.person_id = p.id"
		"  AND g.at < ?4 ORDER BY g.at DESC, g.id DESC LIMIT 1) <> 'logged_out')"
		" ORDER BY p.work_no, p.id",
		"ittii", person_id, from, to, t0, t1);
	struct wfm_att_person p;
	int rc, n = 0;

	while ((rc = store_next(st, person_read, &p)) == 1 && (rc = fn(ctx, &p)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int wfm_att_person_get(struct store *s, int64_t id, struct wfm_att_person *out)
{
	return store_one(store_query(s, "SELECT id, work_no, name FROM person WHERE id = ?", "i", id),
			 person_read, out);
}

static int entry_read(struct store_stmt *st, void *dst)
{
	struct wfm_att_entry *e = dst;

	memset(e, 0, sizeof(*e));
	STORE_COL_COPY(st, 0, e->day);
	e->shift_type_id = store_col_int(st, 1);
	return 0;
}

int wfm_att_roster(struct store *s, int64_t person_id, const char *from, const char *to,
		   wfm_att_entry_fn fn, void *ctx)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT e.day, e.shift_type_id FROM wfm_roster_entry e JOIN wfm_roster r"
			    " ON r.month = substr(e.day, 1, 7) AND r.state = 'published'"
			    " WHERE e.person_id = ? AND e.day BETWEEN ? AND ? ORDER BY e.day",
			    "itt", person_id, from, to);
	struct wfm_att_entry e;
	int rc, n = 0;

	while ((rc = store_next(st, entry_read, &e)) == 1 && (rc = fn(ctx, &e)) >= 0)
		n++;
	return store_end(st, rc, n);
}

static int leave_read(struct store_stmt *st, void *dst)
{
	struct wfm_att_leave *l = dst;

	memset(l, 0, sizeof(*l));
	l->id = store_col_int(st, 0);
	l->kind = wfm_leave_kind(store_col_text(st, 1));
	STORE_COL_COPY(st, 2, l->first_day);
	STORE_COL_COPY(st, 3, l->last_day);
	l->emergency = (int)store_col_int(st, 4);
	l->paperwork_due = store_col_int(st, 5);
	l->paperwork_at = store_col_int(st, 6);
	return 0;
}

int wfm_att_leaves(struct store *s, int64_t person_id, const char *from, const char *to,
		   wfm_att_leave_fn fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT id, kind, first_day, last_day, emergency, paperwork_due, paperwork_at"
		" FROM wfm_leave WHERE person_id = ? AND state = 'approved' AND first_day <= ?"
		" AND last_day >= ? ORDER BY first_day, id",
		"itt", person_id, to, from);
	struct wfm_att_leave l;
	int rc, n = 0;

	while ((rc = store_next(st, leave_read, &l)) == 1 && (rc = fn(ctx, &l)) >= 0)
		n++;
	return store_end(st, rc, n);
}

static int change_read(struct store_stmt *st, void *dst)
{
	struct wfm_status_change *c = dst;

	c->at = store_col_int(st, 0);
	c->state = wfm_att_state_of(store_col_text(st, 1));
	return 0;
}

int wfm_att_log(struct store *s, int64_t person_id, int64_t t0, int64_t t1, int *initial,
		wfm_att_change_fn fn, void *ctx)
{
	struct wfm_status_change c = {0, WFM_ATT_OUT};
	struct store_stmt *st;
	int rc, n = 0;

	/* The state when the time begins: the last change before it. */
	rc = store_one(store_query(s,
				   "SELECT at, to_status FROM agent_state_log WHERE person_id = ?"
				   " AND at < ? ORDER BY at DESC, id DESC LIMIT 1",
				   "ii", person_id, t0),
		       change_read, &c);
	if (rc < 0 && rc != ERR_NOTFOUND)
		return rc;
	*initial = rc == 0 ? c.state : WFM_ATT_OUT;
	st = store_query(s,
			 "SELECT at, to_status FROM agent_state_log WHERE person_id = ?"
			 " AND at >= ? AND at < ? ORDER BY at, id",
			 "iii", person_id, t0, t1);
	while ((rc = store_next(st, change_read, &c)) == 1 && (rc = fn(ctx, &c)) >= 0)
		n++;
	return store_end(st, rc, n);
}

/* ---- excuses ---- */

#define EXCUSE_COLS                                                                                \
	"x.id, x.person_id, x.day, x.reason, x.created_by, x.created_at, p.work_no, p.name"

static int excuse_read(struct store_stmt *st, void *dst)
{
	struct wfm_excuse *e = dst;

	memset(e, 0, sizeof(*e));
	e->id = store_col_int(st, 0);
	e->person_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, e->day);
	STORE_COL_COPY(st, 3, e->reason);
	e->by_id = store_col_int(st, 4);
	e->created_at = store_col_int(st, 5);
	STORE_COL_COPY(st, 6, e->by_work_no);
	STORE_COL_COPY(st, 7, e->by_name);
	return 0;
}

int wfm_excuse_list(struct store *s, int64_t person_id, const char *from, const char *to,
		    wfm_excuse_fn fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT " EXCUSE_COLS " FROM wfm_attend_excuse x LEFT JOIN person p"
		" ON p.id = x.created_by WHERE (?1 = 0 OR x.person_id = ?1) AND x.day BETWEEN ?2 AND ?3"
		" ORDER BY x.day, x.person_id",
		"itt", person_id, from, to);
	struct wfm_excuse e;
	int rc, n = 0;

	while ((rc = store_next(st, excuse_read, &e)) == 1 && (rc = fn(ctx, &e)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int wfm_excuse_get(struct store *s, int64_t id, struct wfm_excuse *out)
{
	return store_one(store_query(s,
				     "SELECT " EXCUSE_COLS " FROM wfm_attend_excuse x LEFT JOIN"
				     " person p ON p.id = x.created_by WHERE x.id = ?",
				     "i", id),
			 excuse_read, out);
}

int wfm_excuse_add(struct store *s, struct wfm_excuse *e)
{
	int64_t id = 0;
	int rc = store_run(s,
			   "INSERT INTO wfm_attend_excuse(person_id, day, reason, created_by,"
			   " created_at) VALUES (?, ?, ?, ?, ?)"
			   " ON CONFLICT(person_id, day) DO NOTHING RETURNING id",
			   &id, "ittdi", e->person_id, e->day, e->reason, e->by_id, e->created_at);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_CONFLICT; /* the day has its excuse already */
	e->id = id;
	return 0;
}

int wfm_excuse_delete(struct store *s, int64_t id)
{
	int rc = store_run(s, "DELETE FROM wfm_attend_excuse WHERE id = ?", NULL, "i", id);

	if (rc < 0)
		return rc;
	return store_changes(s) == 1 ? 0 : ERR_NOTFOUND;
}
