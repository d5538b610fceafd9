/*
 * The SQL of the duty roster (migrations 15 and 16): the month's state,
 * its cells, the filed versions, the deadline's notices, approvals of
 * working outside one's shift, and what the roster reads from other
 * modules' tables (people and their skills from org, roles as auth's bits)
 * with its own statements.
 */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/err.h"
#include "store/store.h"
#include "wfm/wfm.h"

/* The month's days as text bounds: "YYYY-MM-01" .. "YYYY-MM-31" holds them all. */
static void month_bounds(const char *month, char *from, char *to)
{
	snprintf(from, 11, "%.7s-01", month);
	snprintf(to, 11, "%.7s-31", month);
}

/* ---- the month ---- */

static int roster_read(struct store_stmt *st, void *dst)
{
	struct wfm_roster *r = dst;

	STORE_COL_COPY(st, 0, r->month);
	r->exists = 1;
	r->published = strcmp(store_col_text_or(st, 1, ""), "published") == 0;
	r->version = (int)store_col_int(st, 2);
	r->published_at = store_col_int(st, 3);
	r->published_by = store_col_int(st, 4);
	r->updated_at = store_col_int(st, 5);
	return 0;
}

int wfm_roster_get(struct store *s, const char *month, struct wfm_roster *out)
{
	int rc = store_one(store_query(s,
				       "SELECT month, state, version, published_at, published_by,"
				       " updated_at FROM wfm_roster WHERE month = ?",
				       "t", month),
			   roster_read, out);

	if (rc == ERR_NOTFOUND) {
		memset(out, 0, sizeof(*out));
		snprintf(out->month, sizeof(out->month), "%.7s", month);
		return 0;
	}
	return rc;
}

int wfm_roster_save(struct store *s, const struct wfm_roster *r)
{
	int rc =
		store_run(s,
			  "INSERT INTO wfm_roster(month, state, version, published_at,"
			  " published_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
			  " ON CONFLICT (month) DO UPDATE SET state = excluded.state,"
			  " version = excluded.version, published_at = excluded.published_at,"
			  " published_by = excluded.published_by, updated_at = excluded.updated_at",
			  NULL, "ttiddi", r->month, r->published ? "published" : "draft",
			  (int64_t)r->version, r->published_at, r->published_by, r->updated_at);

	return rc < 0 ? rc : 0;
}

/* ---- cells ---- */

static int cell_read(struct store_stmt *st, void *dst)
{
	struct wfm_roster_entry *c = dst;

	memset(c, 0, sizeof(*c));
	STORE_COL_COPY(st, 0, c->day);
	c->person_id = store_col_int(st, 1);
	c->shift_type_id = store_col_int(st, 2);
	STORE_COL_COPY(st, 3, c->skill);
	c->pinned = (int)store_col_int(st, 4);
	c->updated_at = store_col_int(st, 5);
	return 0;
}

static int cells_walk(struct store_stmt *st, wfm_roster_entry_fn fn, void *ctx)
{
	struct wfm_roster_entry c;
	int rc, n = 0;

	while ((rc = store_next(st, cell_read, &c)) == 1 && (rc = fn(ctx, &c)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int wfm_roster_cells(struct store *s, const char *month, wfm_roster_entry_fn fn, void *ctx)
{
	char from[11], to[11];

	month_bounds(month, from, to);
	return cells_walk(store_query(s,
				      "SELECT day, person_id, shift_type_id, skill, pinned,"
				      " updated_at FROM wfm_roster_entry"
				      " WHERE day BETWEEN ? AND ? ORDER BY day, person_id",
				      "tt", from, to),
			  fn, ctx);
}

int wfm_roster_entries_between(struct store *s, const char *from, const char *to,
			       wfm_roster_entry_fn fn, void *ctx)
{
	return cells_walk(store_query(s,
				      "SELECT day, person_id, shift_type_id, skill, pinned,"
				      " updated_at FROM wfm_roster_entry"
				      " WHERE day BETWEEN ? AND ? ORDER BY day, person_id",
				      "tt", from, to),
			  fn, ctx);
}

int wfm_skill_queue(struct store *s, const char *skill, char *out, size_t size)
{
	struct store_stmt *st = store_query(
		s, "SELECT code FROM acd_queue WHERE skill = ? ORDER BY code LIMIT 1", "t", skill);
	int rc = store_next(st, NULL, NULL);

	out[0] = 0;
	if (rc == 1)
		store_col_copy(st, 0, out, size);
	return store_end(st, rc, 0);
}

int wfm_roster_person_cells(struct store *s, int64_t person_id, const char *from, const char *to,
			    wfm_roster_entry_fn fn, void *ctx)
{
	return cells_walk(store_query(s,
				      "SELECT day, person_id, shift_type_id, skill, pinned,"
				      " updated_at FROM wfm_roster_entry"
				      " WHERE person_id = ? AND day BETWEEN ? AND ? ORDER BY day",
				      "itt", person_id, from, to),
			  fn, ctx);
}

int wfm_roster_entry_put(struct store *s, const struct wfm_roster_entry *c, int64_t by, int64_t now)
{
	int rc;

	if (c->shift_type_id == 0)
		rc = store_run(s, "DELETE FROM wfm_roster_entry WHERE day = ? AND person_id = ?",
			       NULL, "ti", c->day, c->person_id);
	else
		rc = store_run(s,
			       "INSERT INTO wfm_roster_entry(day, person_id, shift_type_id, skill,"
			       " pinned, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
			       " ON CONFLICT (day, person_id) DO UPDATE SET"
			       " shift_type_id = excluded.shift_type_id, skill = excluded.skill,"
			       " pinned = excluded.pinned, updated_by = excluded.updated_by,"
			       " updated_at = excluded.updated_at",
			       NULL, "tiiTidi", c->day, c->person_id, c->shift_type_id, c->skill,
			       (int64_t)c->pinned, by, now);
	return rc < 0 ? rc : 0;
}

int wfm_roster_clear_unpinned(struct store *s, const char *month, int *removed)
{
	char from[11], to[11];
	int rc;

	month_bounds(month, from, to);
	rc = store_run(s, "DELETE FROM wfm_roster_entry WHERE day BETWEEN ? AND ? AND pinned = 0",
		       NULL, "tt", from, to);
	*removed = rc < 0 ? 0 : store_changes(s);
	return rc < 0 ? rc : 0;
}

/* ---- people and leave ---- */

#define PERSON_COLS                                                                                \
	"p.id, p.work_no, p.name, p.roles, p.certified,"                                           \
	" (SELECT group_concat(skill, ',') FROM (SELECT skill FROM person_skill"                   \
	" WHERE person_id = p.id ORDER BY skill))"

/* Agents, and the managers and supervisors who plan them and work 行政班. */
#define PERSON_WHERE "p.active = 1 AND (p.roles & ?) != 0"

static int person_read(struct store_stmt *st, void *dst)
{
	struct wfm_roster_person *p = dst;
	char list[WFM_SKILLS_MAX * (WFM_SKILL_MAX + 1) + 1], *save = NULL, *tok;

	memset(p, 0, sizeof(*p));
	p->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, p->work_no);
	STORE_COL_COPY(st, 2, p->name);
	p->roles = (unsigned)store_col_int(st, 3);
	p->certified = (int)store_col_int(st, 4);
	STORE_COL_COPY(st, 5, list);
	for (tok = strtok_r(list, ",", &save); tok && p->nskills < WFM_SKILLS_MAX;
	     tok = strtok_r(NULL, ",", &save))
		snprintf(p->skills[p->nskills++], WFM_SKILL_MAX + 1, "%s", tok);
	return 0;
}

static const int64_t rostered_roles = ROLE_AGENT | ROLE_SUPERVISOR | ROLE_MANAGER;

int wfm_roster_people(struct store *s, wfm_roster_person_fn fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s, "SELECT " PERSON_COLS " FROM person p WHERE " PERSON_WHERE " ORDER BY p.work_no",
		"i", rostered_roles);
	struct wfm_roster_person p;
	int rc, n = 0;

	while ((rc = store_next(st, person_read, &p)) == 1 && (rc = fn(ctx, &p)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int wfm_roster_person_get(struct store *s, int64_t id, struct wfm_roster_person *out)
{
	return store_one(store_query(s,
				     "SELECT " PERSON_COLS " FROM person p WHERE " PERSON_WHERE
				     " AND p.id = ?",
				     "ii", rostered_roles, id),
			 person_read, out);
}

static int leave_read(struct store_stmt *st, void *dst)
{
	struct wfm_leave_span *l = dst;

	l->id = store_col_int(st, 0);
	l->person_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, l->kind);
	STORE_COL_COPY(st, 3, l->first_day);
	STORE_COL_COPY(st, 4, l->last_day);
	return 0;
}

int wfm_leave_approved(struct store *s, const char *from, const char *to, wfm_leave_span_fn fn,
		       void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT id, person_id, kind, first_day, last_day"
					    " FROM wfm_leave WHERE state = 'approved'"
					    " AND first_day <= ? AND last_day >= ?"
					    " ORDER BY first_day, id",
					    "tt", to, from);
	struct wfm_leave_span l;
	int rc, n = 0;

	while ((rc = store_next(st, leave_read, &l)) == 1 && (rc = fn(ctx, &l)) >= 0)
		n++;
	return store_end(st, rc, n);
}

/* ---- versions ---- */

int wfm_roster_version_file(struct store *s, const char *month, int version, int64_t by,
			    const char *reason, int64_t now, int64_t *id)
{
	char from[11], to[11];
	int rc = store_run(s,
			   "INSERT INTO wfm_roster_version(month, version, filed_at, filed_by,"
			   " reason) VALUES (?, ?, ?, ?, ?) RETURNING id",
			   id, "tiidT", month, (int64_t)version, now, by, reason);

	if (rc < 0)
		return rc;
	month_bounds(month, from, to);
	rc = store_run(s,
		       "INSERT INTO wfm_roster_version_entry(version_id, day, person_id,"
		       " shift_type_id, skill) SELECT ?, day, person_id, shift_type_id, skill"
		       " FROM wfm_roster_entry WHERE day BETWEEN ? AND ?",
		       NULL, "itt", *id, from, to);
	return rc < 0 ? rc : 0;
}

int wfm_roster_refile(struct store *s, const char *month, int64_t by, const char *reason,
		      int64_t now)
{
	int64_t version = 0, id;
	int rc = store_run(s,
			   "UPDATE wfm_roster SET version = max(version, (SELECT coalesce(max(v.version), 0)"
			   " FROM wfm_roster_version v WHERE v.month = wfm_roster.month)) + 1,"
			   " updated_at = ? WHERE month = ? AND state = 'published' RETURNING version",
			   &version, "it", now, month);

	if (rc <= 0)
		return rc;
	rc = wfm_roster_version_file(s, month, (int)version, by, reason, now, &id);
	return rc < 0 ? rc : 1;
}

#define VERSION_COLS                                                                               \
	"v.id, v.month, v.version, v.filed_at, v.filed_by, p.name, v.reason,"                      \
	" (SELECT count(*) FROM wfm_roster_version_entry e WHERE e.version_id = v.id)"

static int version_read(struct store_stmt *st, void *dst)
{
	struct wfm_roster_version *v = dst;

	memset(v, 0, sizeof(*v));
	v->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, v->month);
	v->version = (int)store_col_int(st, 2);
	v->filed_at = store_col_int(st, 3);
	v->filed_by = store_col_int(st, 4);
	STORE_COL_COPY(st, 5, v->filed_by_name);
	STORE_COL_COPY(st, 6, v->reason);
	v->cells = (int)store_col_int(st, 7);
	return 0;
}

int wfm_roster_versions(struct store *s, const char *month, wfm_roster_version_fn fn, void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT " VERSION_COLS " FROM wfm_roster_version v"
					    " LEFT JOIN person p ON p.id = v.filed_by"
					    " WHERE v.month = ? ORDER BY v.version DESC",
					    "t", month);
	struct wfm_roster_version v;
	int rc, n = 0;

	while ((rc = store_next(st, version_read, &v)) == 1 && (rc = fn(ctx, &v)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int wfm_roster_version_get(struct store *s, const char *month, int version,
			   struct wfm_roster_version *out)
{
	return store_one(store_query(s,
				     "SELECT " VERSION_COLS " FROM wfm_roster_version v"
				     " LEFT JOIN person p ON p.id = v.filed_by"
				     " WHERE v.month = ? AND v.version = ?",
				     "ti", month, (int64_t)version),
			 version_read, out);
}

int wfm_roster_version_cells(struct store *s, int64_t version_id, wfm_roster_entry_fn fn, void *ctx)
{
	return cells_walk(store_query(s,
				      "SELECT day, person_id, shift_type_id, skill, 0, 0"
				      " FROM wfm_roster_version_entry WHERE version_id = ?"
				      " ORDER BY day, person_id",
				      "i", version_id),
			  fn, ctx);
}

/* ---- the deadline's notices ---- */

int wfm_roster_notice_mark(struct store *s, const char *month, const char *kind, const char *day,
			   int64_t now)
{
	int rc = store_run(s,
			   "INSERT INTO wfm_roster_notice(month, kind, day, sent_at)"
			   " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
			   NULL, "ttti", month, kind, day, now);

	return rc < 0 ? rc : store_changes(s) > 0;
}

static int ids_read(struct store_stmt *st, int64_t *out, int max)
{
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1)
		if (n < max)
			out[n++] = store_col_int(st, 0);
	return store_end(st, rc, n);
}

int wfm_roster_planners(struct store *s, int64_t *out, int max)
{
	return ids_read(store_query(s,
				    "SELECT id FROM person WHERE active = 1 AND (roles & ?) != 0"
				    " ORDER BY id",
				    "i", (int64_t)(ROLE_MANAGER | ROLE_SUPERVISOR)),
			out, max);
}

int wfm_roster_staff(struct store *s, const char *month, int64_t *out, int max)
{
	char from[11], to[11];

	month_bounds(month, from, to);
	return ids_read(store_query(s,
				    "SELECT DISTINCT e.person_id FROM wfm_roster_entry e"
				    " JOIN person p ON p.id = e.person_id"
				    " WHERE e.day BETWEEN ? AND ? AND p.active = 1 ORDER BY 1",
				    "tt", from, to),
			out, max);
}

/* ---- working outside one's shift ---- */

#define OUTSIDE_COLS                                                                               \
	"id, person_id, from_at, to_at, reason, state, requested_by, requested_at, decided_by,"    \
	" decided_at, decision_note"

static int outside_read(struct store_stmt *st, void *dst)
{
	struct wfm_outside *o = dst;

	memset(o, 0, sizeof(*o));
	o->id = store_col_int(st, 0);
	o->person_id = store_col_int(st, 1);
	o->from_at = store_col_int(st, 2);
	o->to_at = store_col_int(st, 3);
	STORE_COL_COPY(st, 4, o->reason);
	STORE_COL_COPY(st, 5, o->state);
	o->requested_by = store_col_int(st, 6);
	o->requested_at = store_col_int(st, 7);
	o->decided_by = store_col_int(st, 8);
	o->decided_at = store_col_int(st, 9);
	STORE_COL_COPY(st, 10, o->note);
	return 0;
}

int wfm_outside_add(struct store *s, struct wfm_outside *o)
{
	int rc = store_run(s,
			   "INSERT INTO wfm_outside_work(person_id, from_at, to_at, reason, state,"
			   " requested_by, requested_at, decided_by, decided_at, decision_note)"
			   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			   &o->id, "iiittiiddT", o->person_id, o->from_at, o->to_at, o->reason,
			   o->state, o->requested_by, o->requested_at, o->decided_by, o->decided_at,
			   o->note);

	return rc < 0 ? rc : 0;
}

int wfm_outside_get(struct store *s, int64_t id, struct wfm_outside *out)
{
	return store_one(store_query(s,
				     "SELECT " OUTSIDE_COLS " FROM wfm_outside_work WHERE id = ?",
				     "i", id),
			 outside_read, out);
}

int wfm_outside_decide(struct store *s, struct wfm_outside *o)
{
	int rc = store_run(s,
			   "UPDATE wfm_outside_work SET state = ?, decided_by = ?, decided_at = ?,"
			   " decision_note = ? WHERE id = ? AND state = 'requested' RETURNING id",
			   NULL, "tiiTi", o->state, o->decided_by, o->decided_at, o->note, o->id);

	if (rc < 0)
		return rc;
	return rc == 0 ? ERR_CONFLICT : 0;
}

int wfm_outside_list(struct store *s, int64_t person_id, const char *state, int limit,
		     wfm_outside_fn fn, void *ctx)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT " OUTSIDE_COLS " FROM wfm_outside_work"
			    " WHERE (? = 0 OR person_id = ?) AND (? IS NULL OR state = ?)"
			    " ORDER BY id DESC LIMIT ?",
			    "iitti", person_id, person_id, state, state, (int64_t)limit);
	struct wfm_outside o;
	int rc, n = 0;

	while ((rc = store_next(st, outside_read, &o)) == 1 && (rc = fn(ctx, &o)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int wfm_outside_approved_at(struct store *s, int64_t person_id, int64_t at)
{
	int rc = store_run(s,
			   "SELECT 1 FROM wfm_outside_work WHERE person_id = ? AND to_at > ?"
			   " AND from_at <= ? AND state = 'approved' LIMIT 1",
			   NULL, "iii", person_id, at, at);

	return rc < 0 ? rc : rc == 1;
}
