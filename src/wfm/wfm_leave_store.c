/*
 * The SQL of leave and swaps (WFM-3, WFM-4): wfm_leave, wfm_swap, the cells
 * of wfm_roster_entry a swap or a leave changes, the hotline calendar's
 * working days and the people who decide. Other modules' tables (person,
 * hotline_closed_day, hotline_open_day) are read with wfm's own statements.
 */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/clock.h"
#include "core/err.h"
#include "store/store.h"
#include "wfm/wfm.h"

/* ---- calendar ---- */

struct cal_ctx {
	struct wfm_workdays *w;
};

static int cal_day(void *ctx, const char *day, int holiday, int as_weekday)
{
	struct wfm_workdays *w = ((struct cal_ctx *)ctx)->w;
	int64_t d;

	if (wfm_day_parse(day, &d) == 0 && d >= w->first && d < w->first + w->n)
		w->working[d - w->first] =
			(unsigned char)wfm_working_day(d, holiday, as_weekday > 0);
	return 0;
}

int wfm_workdays_load(struct store *s, int64_t first, int n, struct wfm_workdays *out)
{
	struct cal_ctx c = {out};
	char from[11], to[11];

	if (n < 0 || n > WFM_WINDOW_DAYS)
		return ERR_INVALID;
	out->first = first;
	out->n = n;
	for (int i = 0; i < n; i++)
		out->working[i] = (unsigned char)wfm_working_day(first + i, 0, 0);
	if (n == 0)
		return 0;
	wfm_day_format(first, from);
	wfm_day_format(first + n - 1, to);
	return wfm_calendar(s, from, to, cal_day, &c);
}

/* ---- leave ---- */

#define LEAVE_COLS                                                                                 \
	"l.id, l.person_id, l.kind, l.first_day, l.last_day, l.reason, l.state, l.emergency,"      \
	" l.paperwork_due, l.paperwork_at, l.requested_by, l.requested_at, l.decided_by,"          \
	" l.decided_at, l.decision_note, l.updated_at, p.name, p.work_no, d.name"
#define LEAVE_FROM                                                                                 \
	" FROM wfm_leave l JOIN person p ON p.id = l.person_id"                                    \
	" LEFT JOIN person d ON d.id = l.decided_by"

static int leave_read(struct store_stmt *st, void *dst)
{
	struct wfm_leave *l = dst;

	memset(l, 0, sizeof(*l));
	l->id = store_col_int(st, 0);
	l->person_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, l->kind);
	STORE_COL_COPY(st, 3, l->first_day);
	STORE_COL_COPY(st, 4, l->last_day);
	STORE_COL_COPY(st, 5, l->reason);
	STORE_COL_COPY(st, 6, l->state);
	l->emergency = (int)store_col_int(st, 7);
	l->paperwork_due = store_col_int(st, 8);
	l->paperwork_at = store_col_int(st, 9);
	l->requested_by = store_col_int(st, 10);
	l->requested_at = store_col_int(st, 11);
	l->decided_by = store_col_int(st, 12);
	l->decided_at = store_col_int(st, 13);
	STORE_COL_COPY(st, 14, l->decision_note);
	l->updated_at = store_col_int(st, 15);
	STORE_COL_COPY(st, 16, l->person_name);
	STORE_COL_COPY(st, 17, l->person_work_no);
	STORE_COL_COPY(st, 18, l->decided_by_name);
	return 0;
}

int wfm_leave_get(struct store *s, int64_t id, struct wfm_leave *out)
{
	return store_one(store_query(s, "SELECT " LEAVE_COLS LEAVE_FROM " WHERE l.id = ?", "i", id),
			 leave_read, out);
}

int wfm_leave_list(struct store *s, const struct wfm_request_filter *f, wfm_leave_fn fn, void *ctx)
{
	struct store_sql q = STORE_SQL_INIT;
	struct store_stmt *st;
	struct wfm_leave l;
	int rc, n = 0;

	store_sql_add(&q, "SELECT " LEAVE_COLS LEAVE_FROM " WHERE 1 = 1", "");
	if (f->person_id)
		store_sql_add(&q, " AND l.person_id = ?", "i", f->person_id);
	if (f->state)
		store_sql_add(&q, " AND l.state = ?", "t", f->state);
	if (f->from)
		store_sql_add(&q, " AND l.last_day >= ?", "t", f->from);
	if (f->to)
		store_sql_add(&q, " AND l.first_day <= ?", "t", f->to);
	store_sql_add(&q, " ORDER BY l.id DESC LIMIT ?", "i", (int64_t)(f->limit ? f->limit : 200));
	st = store_sql_prepare(s, &q);
	while ((rc = store_next(st, leave_read, &l)) == 1 && (rc = fn(ctx, &l)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int wfm_leave_insert(struct store *s, struct wfm_leave *l)
{
	int rc = store_run(
		s,
		"INSERT INTO wfm_leave(person_id, kind, first_day, last_day, reason, state,"
		" emergency, paperwork_due, requested_by, requested_at, decided_by,"
		" decided_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" RETURNING id",
		&l->id, "itttTtiddiddi", l->person_id, l->kind, l->first_day, l->last_day,
		l->reason, l->state, (int64_t)l->emergency, l->paperwork_due, l->requested_by,
		l->requested_at, l->decided_by, l->decided_at, l->updated_at);

	return rc < 0 ? rc : 0;
}

int wfm_leave_update(struct store *s, const struct wfm_leave *l, const char *from)
{
	int64_t id = 0;
	int rc = store_run(s,
			   "UPDATE wfm_leave SET state = ?, decided_by = ?, decided_at = ?,"
			   " decision_note = ?, paperwork_at = ?, updated_at = ?"
			   " WHERE id = ? AND state = ? RETURNING id",
			   &id, "tddTdiit", l->state, l->decided_by, l->decided_at,
			   l->decision_note, l->paperwork_at, l->updated_at, l->id, from);

	if (rc < 0)
		return rc;
	return rc == 1 ? 0 : ERR_CONFLICT;
}

int wfm_leave_overlap(struct store *s, int64_t person, const char *first, const char *last,
		      int64_t except, int64_t *out)
{
	int rc;

	*out = 0;
	rc = store_run(
		s,
		"SELECT id FROM wfm_leave WHERE person_id = ? AND id <> ?"
		" AND state IN ('requested', 'approved') AND first_day <= ? AND last_day >= ?"
		" ORDER BY id LIMIT 1",
		out, "iitt", person, except, last, first);
	return rc < 0 ? rc : 0;
}

int wfm_leave_overdue(struct store *s, int64_t now, struct wfm_leave *out, int max)
{
	struct store_stmt *st = store_query(s,
					    "SELECT " LEAVE_COLS LEAVE_FROM
					    " WHERE l.emergency = 1 AND l.paperwork_at IS NULL"
					    " AND l.state = 'approved' AND l.paperwork_due <= ? "
					    "AND l.paperwork_overdue_at IS NULL"
					    " ORDER BY l.paperwork_due, l.id LIMIT ?",
					    "ii", now, (int64_t)max);
	int rc, n = 0;

	while (n < max && (rc = store_next(st, leave_read, &out[n])) == 1)
		n++;
	return store_end(st, n < max ? rc : 0, n);
}

int wfm_leave_overdue_mark(struct store *s, int64_t id, int64_t now)
{
	int rc = store_run(s,
			   "UPDATE wfm_leave SET paperwork_overdue_at = ? WHERE id = ?"
			   " AND paperwork_overdue_at IS NULL",
			   NULL, "ii", now, id);

	if (rc < 0)
		return rc;
	return store_changes(s) == 1 ? 0 : ERR_CONFLICT;
}

/* ---- swaps ---- */

#define SWAP_COLS                                                                                  \
	"w.id, w.kind, w.requester_id, w.partner_id, w.a_day, w.a_shift_type_id, w.a_skill,"       \
	" w.b_day, w.b_shift_type_id, w.b_skill, w.reason, w.state, w.asked_at, w.signed_at,"      \
	" w.decided_by, w.decided_at, w.decision_note, w.updated_at, a.name, a.work_no, b.name,"   \
	" b.work_no, ta.name, tb.name, d.name"
#define SWAP_FROM                                                                                  \
	" FROM wfm_swap w JOIN person a ON a.id = w.requester_id"                                  \
	" JOIN person b ON b.id = w.partner_id"                                                    \
	" JOIN wfm_shift_type ta ON ta.id = w.a_shift_type_id"                                     \
	" LEFT JOIN wfm_shift_type tb ON tb.id = w.b_shift_type_id"                                \
	" LEFT JOIN person d ON d.id = w.decided_by"

static int swap_read(struct store_stmt *st, void *dst)
{
	struct wfm_swap *w = dst;

	memset(w, 0, sizeof(*w));
	w->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, w->kind);
	w->requester_id = store_col_int(st, 2);
	w->partner_id = store_col_int(st, 3);
	STORE_COL_COPY(st, 4, w->a_day);
	w->a_shift_type_id = store_col_int(st, 5);
	STORE_COL_COPY(st, 6, w->a_skill);
	STORE_COL_COPY(st, 7, w->b_day);
	w->b_shift_type_id = store_col_int(st, 8);
	STORE_COL_COPY(st, 9, w->b_skill);
	STORE_COL_COPY(st, 10, w->reason);
	STORE_COL_COPY(st, 11, w->state);
	w->asked_at = store_col_int(st, 12);
	w->signed_at = store_col_int(st, 13);
	w->decided_by = store_col_int(st, 14);
	w->decided_at = store_col_int(st, 15);
	STORE_COL_COPY(st, 16, w->decision_note);
	w->updated_at = store_col_int(st, 17);
	STORE_COL_COPY(st, 18, w->requester_name);
	STORE_COL_COPY(st, 19, w->requester_work_no);
	STORE_COL_COPY(st, 20, w->partner_name);
	STORE_COL_COPY(st, 21, w->partner_work_no);
	STORE_COL_COPY(st, 22, w->a_shift_name);
	STORE_COL_COPY(st, 23, w->b_shift_name);
	STORE_COL_COPY(st, 24, w->decided_by_name);
	return 0;
}

int wfm_swap_get(struct store *s, int64_t id, struct wfm_swap *out)
{
	return store_one(store_query(s, "SELECT " SWAP_COLS SWAP_FROM " WHERE w.id = ?", "i", id),
			 swap_read, out);
}

int wfm_swap_list(struct store *s, const struct wfm_request_filter *f, wfm_swap_fn fn, void *ctx)
{
	struct store_sql q = STORE_SQL_INIT;
	struct store_stmt *st;
	struct wfm_swap w;
	int rc, n = 0;

	store_sql_add(&q, "SELECT " SWAP_COLS SWAP_FROM " WHERE 1 = 1", "");
	if (f->person_id)
		store_sql_add(&q, " AND (w.requester_id = ? OR w.partner_id = ?)", "ii",
			      f->person_id, f->person_id);
	if (f->state)
		store_sql_add(&q, " AND w.state = ?", "t", f->state);
	if (f->from)
		store_sql_add(&q, " AND max(w.a_day, coalesce(w.b_day, '')) >= ?", "t", f->from);
	if (f->to)
		store_sql_add(&q, " AND min(w.a_day, coalesce(w.b_day, w.a_day)) <= ?", "t", f->to);
	store_sql_add(&q, " ORDER BY w.id DESC LIMIT ?", "i", (int64_t)(f->limit ? f->limit : 200));
	st = store_sql_prepare(s, &q);
	while ((rc = store_next(st, swap_read, &w)) == 1 && (rc = fn(ctx, &w)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int wfm_swap_insert(struct store *s, struct wfm_swap *w)
{
	int rc = store_run(
		s,
		"INSERT INTO wfm_swap(kind, requester_id, partner_id, a_day,"
		" a_shift_type_id, a_skill, b_day, b_shift_type_id, b_skill, reason, state,"
		" asked_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" RETURNING id",
		&w->id, "tiitiTTdTTtii", w->kind, w->requester_id, w->partner_id, w->a_day,
		w->a_shift_type_id, w->a_skill, w->b_day, w->b_shift_type_id, w->b_skill, w->reason,
		w->state, w->asked_at, w->updated_at);

	return rc < 0 ? rc : 0;
}

int wfm_swap_update(struct store *s, const struct wfm_swap *w, const char *from)
{
	int64_t id = 0;
	int rc = store_run(s,
			   "UPDATE wfm_swap SET state = ?, signed_at = ?, decided_by = ?,"
			   " decided_at = ?, decision_note = ?, updated_at = ?"
			   " WHERE id = ? AND state = ? RETURNING id",
			   &id, "tdddTiit", w->state, w->signed_at, w->decided_by, w->decided_at,
			   w->decision_note, w->updated_at, w->id, from);

	if (rc < 0)
		return rc;
	return rc == 1 ? 0 : ERR_CONFLICT;
}

/* ---- the roster's cells ---- */

int wfm_roster_state(struct store *s, const char *month, char state[12])
{
	struct store_stmt *st =
		store_query(s, "SELECT state FROM wfm_roster WHERE month = ?", "t", month);
	int rc = store_next(st, NULL, NULL);

	state[0] = 0;
	if (rc == 1)
		store_col_copy(st, 0, state, 12);
	return store_end(st, rc, 0);
}

int wfm_roster_cell(struct store *s, const char *day, int64_t person, int64_t *shift_type,
		    char skill[33])
{
	struct store_stmt *st = store_query(s,
					    "SELECT shift_type_id, skill FROM wfm_roster_entry"
					    " WHERE day = ? AND person_id = ?",
					    "ti", day, person);
	int rc = store_next(st, NULL, NULL);

	*shift_type = 0;
	skill[0] = 0;
	if (rc == 1) {
		*shift_type = store_col_int(st, 0);
		store_col_copy(st, 1, skill, 33);
	}
	return store_end(st, rc, rc == 1);
}

int wfm_roster_cell_put(struct store *s, const char *day, int64_t person, int64_t shift_type,
			const char *skill, int64_t by, int64_t now)
{
	int rc;

	if (shift_type > 0)
		rc = store_run(
			s,
			"INSERT INTO wfm_roster_entry(day, person_id, shift_type_id, skill,"
			" updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
			" ON CONFLICT (day, person_id) DO UPDATE SET"
			" shift_type_id = excluded.shift_type_id, skill = excluded.skill,"
			" updated_by = excluded.updated_by, updated_at = excluded.updated_at",
			NULL, "tiiTdi", day, person, shift_type, skill, by, now);
	else
		rc = store_run(s, "DELETE FROM wfm_roster_entry WHERE day = ? AND person_id = ?",
			       NULL, "ti", day, person);
	return rc < 0 ? rc : 0;
}

int wfm_roster_clear_leave(struct store *s, int64_t person, const char *first, const char *last,
			   wfm_cell_fn fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT e.day, e.shift_type_id, e.skill FROM wfm_roster_entry e"
		" JOIN wfm_roster r ON r.month = substr(e.day, 1, 7) AND r.state = 'published'"
		" WHERE e.person_id = ? AND e.day BETWEEN ? AND ? ORDER BY e.day",
		"itt", person, first, last);
	char day[11], skill[33];
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		STORE_COL_COPY(st, 0, day);
		STORE_COL_COPY(st, 2, skill);
		rc = fn(ctx, day, store_col_int(st, 1), skill);
		if (rc < 0)
			break;
		n++;
	}
	rc = store_end(st, rc, n);
	if (rc < 0)
		return rc;
	if (store_run(s,
		      "DELETE FROM wfm_roster_entry WHERE person_id = ? AND day BETWEEN ? AND ?"
		      " AND substr(day, 1, 7) IN (SELECT month FROM wfm_roster"
		      " WHERE state = 'published')",
		      NULL, "itt", person, first, last) < 0)
		return ERR_IO;
	return n;
}

int wfm_person_cells(struct store *s, int64_t person, const char *first, const char *last,
		     wfm_cell_row_fn fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT e.day, e.shift_type_id, e.skill, t.code, t.name, t.colour"
		" FROM wfm_roster_entry e JOIN wfm_shift_type t ON t.id = e.shift_type_id"
		" WHERE e.person_id = ? AND e.day BETWEEN ? AND ? ORDER BY e.day",
		"itt", person, first, last);
	struct wfm_cell c;
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		memset(&c, 0, sizeof(c));
		STORE_COL_COPY(st, 0, c.day);
		c.shift_type_id = store_col_int(st, 1);
		STORE_COL_COPY(st, 2, c.skill);
		STORE_COL_COPY(st, 3, c.code);
		STORE_COL_COPY(st, 4, c.name);
		STORE_COL_COPY(st, 5, c.colour);
		rc = fn(ctx, &c);
		if (rc < 0)
			break;
		n++;
	}
	return store_end(st, rc, n);
}

/* ---- people ---- */

int wfm_deciders(struct store *s, int64_t *out, int max)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT id FROM person WHERE active = 1"
			    " AND (roles & ?) <> 0 ORDER BY id LIMIT ?",
			    "ii", (int64_t)(ROLE_MANAGER | ROLE_SUPERVISOR), (int64_t)max);
	int rc = 0, n = 0;

	while (n < max && (rc = store_next(st, NULL, NULL)) == 1)
		out[n++] = store_col_int(st, 0);
	return store_end(st, rc, n);
}

int wfm_person(struct store *s, int64_t id, char name[WFM_NAME_MAX * 4 + 1], unsigned *roles)
{
	struct store_stmt *st = store_query(
		s, "SELECT name, roles FROM person WHERE id = ? AND active = 1", "i", id);
	int rc = store_next(st, NULL, NULL);

	if (rc == 1) {
		store_col_copy(st, 0, name, WFM_NAME_MAX * 4 + 1);
		*roles = (unsigned)store_col_int(st, 1);
	}
	rc = store_end(st, rc, rc == 1);
	if (rc < 0)
		return rc;
	return rc == 1 ? 0 : ERR_NOTFOUND;
}

/* ---- a month's plan for the re-check of a swap ---- */

struct types_ctx {
	struct wfm_shift_type *types;
	size_t n, max;
};

static int type_row(void *ctx, const struct wfm_shift_type *t)
{
	struct types_ctx *c = ctx;

	if (c->n == c->max)
		return ERR_TOOBIG;
	c->types[c->n++] = *t;
	return 0;
}

static int plan_cal(void *ctx, const char *day, int holiday, int as_weekday)
{
	struct wfm_roster_plan *p = ctx;
	int y, m, d;

	if (sscanf(day, "%4d-%2d-%2d", &y, &m, &d) == 3 && y == p->year && m == p->month &&
	    d >= 1 && d <= p->ndays) {
		if (holiday)
			p->holiday[d - 1] = 1;
		if (as_weekday > 0)
			p->makeup[d - 1] = 1;
	}
	return 0;
}

static int type_index(const struct wfm_roster_plan *p, int64_t id)
{
	for (size_t i = 0; i < p->ntypes; i++)
		if (p->types[i].id == id)
			return (int)i;
	return -1;
}

int wfm_plan_load(struct store *s, int year, int month, const int64_t *persons, size_t n,
		  struct wfm_shift_type *types, size_t maxtypes, struct wfm_roster_agent *agents,
		  struct wfm_roster_plan *p)
{
	struct types_ctx tc = {types, 0, maxtypes};
	char from[11], to[11], tail[11];
	int64_t first;
	int rc = wfm_roster_plan_init(p, year, month);

	if (rc < 0)
		return rc;
	first = clock_days_from_civil(year, month, 1);
	wfm_day_format(first, from);
	wfm_day_format(first + p->ndays - 1, to);
	wfm_day_format(first - WFM_TAIL_DAYS, tail);
	rc = wfm_calendar(s, from, to, plan_cal, p);
	if (rc == 0)
		rc = wfm_shift_type_list(s, type_row, &tc);
	if (rc == 0)
		rc = wfm_settings_get(s, &p->settings);
	if (rc < 0)
		return rc;
	p->types = types;
	p->ntypes = tc.n;
	p->agents = agents;
	p->nagents = n;
	for (size_t i = 0; i < n && rc >= 0; i++) {
		struct wfm_roster_agent *a = &agents[i];
		struct store_stmt *st;
		char day[11], skill[33];

		memset(a, 0, sizeof(*a));
		a->person_id = persons[i];
		for (int d = 0; d < WFM_TAIL_DAYS; d++)
			a->tail[d] = (struct wfm_roster_cell){WFM_REST, -1, 0};
		for (int d = 0; d < WFM_ROSTER_DAYS_MAX; d++)
			a->day[d] = (struct wfm_roster_cell){WFM_REST, -1, 0};
		st = store_query(s, "SELECT certified, roles FROM person WHERE id = ?", "i",
				 persons[i]);
		rc = store_next(st, NULL, NULL);
		if (rc == 1) {
			unsigned roles = (unsigned)store_col_int(st, 1);

			a->certified = (int)store_col_int(st, 0);
			a->office =
				(roles & (ROLE_MANAGER | ROLE_SUPERVISOR)) && !(roles & ROLE_AGENT);
		}
		rc = store_end(st, rc, 0);
		st = store_query(s, "SELECT skill FROM person_skill WHERE person_id = ?", "i",
				 persons[i]);
		while (rc >= 0 && (rc = store_next(st, NULL, NULL)) == 1) {
			int k;

			STORE_COL_COPY(st, 0, skill);
			k = wfm_skill_index(skill);
			if (k >= 0)
				a->skills |= 1u << k;
		}
		rc = store_end(st, rc, 0);
		st = store_query(s,
				 "SELECT day, shift_type_id, skill FROM wfm_roster_entry"
				 " WHERE person_id = ? AND day BETWEEN ? AND ?",
				 "itt", persons[i], tail, to);
		while (rc >= 0 && (rc = store_next(st, NULL, NULL)) == 1) {
			int64_t d;

			STORE_COL_COPY(st, 0, day);
			STORE_COL_COPY(st, 2, skill);
			if (wfm_day_parse(day, &d) == 0)
				wfm_plan_set(p, i, d - first, type_index(p, store_col_int(st, 1)),
					     wfm_skill_index(skill));
		}
		rc = store_end(st, rc, 0);
		st = store_query(s,
				 "SELECT first_day, last_day FROM wfm_leave WHERE person_id = ?"
				 " AND state = 'approved' AND last_day >= ? AND first_day <= ?",
				 "itt", persons[i], tail, to);
		while (rc >= 0 && (rc = store_next(st, NULL, NULL)) == 1) {
			char f[11], l[11];
			int64_t d0, d1;

			STORE_COL_COPY(st, 0, f);
			STORE_COL_COPY(st, 1, l);
			if (wfm_day_parse(f, &d0) == 0 && wfm_day_parse(l, &d1) == 0)
				for (int64_t d = d0; d <= d1; d++)
					wfm_plan_leave(p, i, d - first);
		}
		rc = store_end(st, rc, 0);
	}
	return rc < 0 ? rc : 0;
}
