/*
 * The SQL of the roster's spreadsheet (see wfm.h, "The roster as a
 * spreadsheet"): the month's roster, its grid and approved leave from the
 * contract tables of migration 15, the people and their skills, the shift
 * types and the hotline calendar, read into one struct wfm_roster_sheet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "store/store.h"
#include "wfm/wfm.h" /* with http/http.h, auth's roles: ROLE_AGENT */

/* Grows an array of n elements of size to hold one more; 0 or ERR_NOMEM. */
static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *q;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 32;
	q = realloc(*p, c * size);
	if (!q)
		return ERR_NOMEM;
	*p = q;
	*cap = c;
	return 0;
}

struct types_ctx {
	struct wfm_roster_sheet *s;
	size_t cap;
};

static int type_add(void *ctx, const struct wfm_shift_type *t)
{
	struct types_ctx *c = ctx;

	if (grow((void **)&c->s->types, &c->cap, c->s->ntypes, sizeof(*t)) < 0)
		return ERR_NOMEM;
	c->s->types[c->s->ntypes++] = *t;
	return 0;
}

static int calendar_day(void *ctx, const char *day, int holiday, int as_weekday)
{
	struct wfm_roster_sheet *s = ctx;
	int d = atoi(day + 8);

	(void)as_weekday;
	if (d >= 1 && d <= s->ndays) {
		if (holiday)
			s->holiday[d - 1] = 1;
		else
			s->makeup[d - 1] = 1;
	}
	return 0;
}

static int agent_read(struct store_stmt *st, void *dst)
{
	struct wfm_sheet_agent *a = dst;

	a->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, a->work_no);
	STORE_COL_COPY(st, 2, a->name);
	STORE_COL_COPY(st, 3, a->skills);
	return 0;
}

/* The index of person id among the agents (sorted by work number, so
 * searched by a walk: a month has a few hundred agents); -1 for none. */
static long agent_index(const struct wfm_roster_sheet *s, int64_t id)
{
	for (size_t i = 0; i < s->nagents; i++)
		if (s->agents[i].id == id)
			return (long)i;
	return -1;
}

static int type_index(const struct wfm_roster_sheet *s, int64_t id)
{
	for (size_t i = 0; i < s->ntypes; i++)
		if (s->types[i].id == id)
			return (int)i;
	return -1;
}

int wfm_sheet_load(struct store *st, int year, int month, const char *exporter,
		   struct wfm_roster_sheet *out)
{
	struct types_ctx tc = {out, 0};
	struct store_stmt *q;
	struct wfm_sheet_agent ag;
	char key[8], from[11], to[11];
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->year = year;
	out->month = month;
	out->ndays = wfm_month_days(year, month);
	snprintf(key, sizeof(key), "%04d-%02d", year, month);
	snprintf(from, sizeof(from), "%s-01", key);
	snprintf(to, sizeof(to), "%s-%02d", key, out->ndays);

	q = store_query(st,
			"SELECT r.state = 'published', r.version, r.published_at, p.name"
			" FROM wfm_roster r LEFT JOIN person p ON p.id = r.published_by"
			" WHERE r.month = ?",
			"t", key);
	rc = store_next(q, NULL, NULL);
	if (rc == 1) {
		out->published = (int)store_col_int(q, 0);
		out->version = (int)store_col_int(q, 1);
		out->published_at = store_col_int(q, 2);
		STORE_COL_COPY(q, 3, out->publisher);
	}
	rc = store_end(q, rc, rc == 1);
	if (rc == 0)
		rc = ERR_NOTFOUND;
	if (rc < 0)
		return rc;
	/* A draft, or a roster whose publisher is gone, is made by whoever exports it. */
	if (!out->published || !out->publisher[0])
		snprintf(out->publisher, sizeof(out->publisher), "%s", exporter);

	rc = wfm_shift_type_list(st, type_add, &tc);
	if (rc < 0)
		goto fail;

	/* The agents (active, with the agent role) and whoever has a shift this
	 * month (the supervisor's 行政班, an agent since deactivated). */
	q = store_query(
		st,
		"SELECT p.id, p.work_no, p.name,"
		" (SELECT group_concat(name, '、') FROM (SELECT k.name FROM person_skill ps"
		"  JOIN skill k ON k.code = ps.skill WHERE ps.person_id = p.id"
		"  ORDER BY k.code))"
		" FROM person p"
		" WHERE (p.active = 1 AND (p.roles & ?) != 0)"
		" OR p.id IN (SELECT person_id FROM wfm_roster_entry WHERE day BETWEEN ? AND ?)"
		" ORDER BY p.work_no",
		"itt", (int64_t)ROLE_AGENT, from, to);
	while ((rc = store_next(q, agent_read, &ag)) == 1) {
		rc = grow((void **)&out->agents, &cap, out->nagents, sizeof(ag));
		if (rc < 0)
			break;
		out->agents[out->nagents++] = ag;
	}
	rc = store_end(q, rc, 0);
	if (rc < 0)
		goto fail;

	out->grid = malloc((out->nagents ? out->nagents : 1) * (size_t)out->ndays * sizeof(int));
	if (!out->grid) {
		rc = ERR_NOMEM;
		goto fail;
	}
	for (size_t i = 0; i < out->nagents * (size_t)out->ndays; i++)
		out->grid[i] = WFM_SHEET_REST;

	q = store_query(st,
			"SELECT day, person_id, shift_type_id FROM wfm_roster_entry"
			" WHERE day BETWEEN ? AND ?",
			"tt", from, to);
	while ((rc = store_next(q, NULL, NULL)) == 1) {
		const char *day = store_col_text(q, 0);
		long a = agent_index(out, store_col_int(q, 1));
		int t = type_index(out, store_col_int(q, 2)), d = day ? atoi(day + 8) : 0;

		if (a >= 0 && t >= 0 && d >= 1 && d <= out->ndays)
			out->grid[(size_t)a * (size_t)out->ndays + (size_t)(d - 1)] = t;
	}
	rc = store_end(q, rc, 0);
	if (rc < 0)
		goto fail;

	/* Approved leave shows over the day's shift: approved leave blocks
	 * rostering (WFM-4), so a shift under it will not be worked. */
	q = store_query(st,
			"SELECT person_id, kind, max(first_day, ?), min(last_day, ?) FROM wfm_leave"
			" WHERE state = 'approved' AND first_day <= ? AND last_day >= ?",
			"tttt", from, to, to, from);
	while ((rc = store_next(q, NULL, NULL)) == 1) {
		long a = agent_index(out, store_col_int(q, 0));
		const char *kind = store_col_text(q, 1), *f = store_col_text(q, 2),
			   *l = store_col_text(q, 3);
		int k = kind ? wfm_sheet_leave_kind(kind) : -1;

		if (a < 0 || k < 0 || !f || !l)
			continue;
		for (int d = atoi(f + 8); d <= atoi(l + 8) && d <= out->ndays; d++)
			if (d >= 1)
				out->grid[(size_t)a * (size_t)out->ndays + (size_t)(d - 1)] =
					WFM_SHEET_LEAVE(k);
	}
	rc = store_end(q, rc, 0);
	if (rc < 0)
		goto fail;

	rc = wfm_calendar(st, from, to, calendar_day, out);
	if (rc < 0)
		goto fail;
	return 0;
fail:
	wfm_sheet_free(out);
	return rc;
}

void wfm_sheet_free(struct wfm_roster_sheet *s)
{
	free(s->types);
	free(s->agents);
	free(s->grid);
	s->types = NULL;
	s->agents = NULL;
	s->grid = NULL;
	s->ntypes = s->nagents = 0;
}
