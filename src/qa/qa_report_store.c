/*
 * The reports' SQL (QA-2, QA-5, CB-3): the checks and hits of a range of
 * the center's days (qa_check_at serves the range), the daily report's row
 * (migration 23), the people it goes to, and the agents' rows with the
 * survey and callbacks read through src/report/.
 */
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/err.h"
#include "qa/qa.h"
#include "report/report.h"
#include "store/store.h"

/* Makes room for one more element of size bytes in *arr (capacity *cap). */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	p = realloc(*arr, c * size);
	if (!p)
		return ERR_NOMEM;
	*arr = p;
	*cap = c;
	return 0;
}

static int check_read(struct store_stmt *st, void *dst)
{
	struct qa_rep_check *c = dst;

	c->id = store_col_int(st, 0);
	c->ref_id = store_col_int(st, 1);
	c->agent_id = store_col_int(st, 2);
	c->contact_at = store_col_int(st, 3);
	STORE_COL_COPY(st, 4, c->kind);
	c->score = (int)store_col_int(st, 5);
	c->fatal = (int)store_col_int(st, 6);
	c->hits = (int)store_col_int(st, 7);
	c->high = (int)store_col_int(st, 8);
	c->transcript = (int)store_col_int(st, 9);
	return 0;
}

int qa_agent_scores(struct store *s, int64_t start, int64_t end,
		    int (*row)(void *ctx, int64_t agent_id, int64_t checks, double score_sum),
		    void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT agent_id, COUNT(*), SUM(score) FROM qa_check"
					    " WHERE contact_at >= ? AND contact_at < ?"
					    " AND agent_id IS NOT NULL GROUP BY agent_id"
					    " ORDER BY agent_id",
					    "ii", start, end);
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		rc = row(ctx, store_col_int(st, 0), store_col_int(st, 1),
			 (double)store_col_int(st, 2));
		if (rc < 0)
			break;
		n++;
	}
	return store_end(st, rc, n);
}

int qa_rep_checks_load(struct store *s, int64_t start, int64_t end, int64_t agent_id,
		       struct qa_rep_check **out, size_t *n)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT id, ref_id, COALESCE(agent_id, 0), contact_at, kind, score, fatal, hits,"
		" high, transcript FROM qa_check WHERE contact_at >= ? AND contact_at < ?"
		" AND (? = 0 OR agent_id = ?)",
		"iiii", start, end, agent_id, agent_id);
	struct qa_rep_check *a = NULL, c;
	size_t cap = 0, k = 0;
	int rc;

	while ((rc = store_next(st, check_read, &c)) == 1) {
		if ((rc = grow((void **)&a, &cap, k, sizeof(*a))) < 0)
			break;
		a[k++] = c;
	}
	rc = store_end(st, rc, 0);
	if (rc < 0) {
		free(a);
		return rc;
	}
	*out = a;
	*n = k;
	return 0;
}

static int hit_read(struct store_stmt *st, void *dst)
{
	struct qa_rep_hit *h = dst;

	h->check_id = store_col_int(st, 0);
	h->rule_id = store_col_int(st, 1);
	h->agent_id = store_col_int(st, 2);
	h->high = (int)store_col_int(st, 3);
	h->fatal = (int)store_col_int(st, 4);
	return 0;
}

int qa_rep_hits_load(struct store *s, int64_t start, int64_t end, int64_t agent_id,
		     struct qa_rep_hit **out, size_t *n)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT h.check_id, h.rule_id, COALESCE(c.agent_id, 0), h.severity = 'high', "
		"h.fatal"
		" FROM qa_check c JOIN qa_hit h ON h.check_id = c.id"
		" WHERE c.contact_at >= ? AND c.contact_at < ? AND (? = 0 OR c.agent_id = ?)",
		"iiii", start, end, agent_id, agent_id);
	struct qa_rep_hit *a = NULL, h;
	size_t cap = 0, k = 0;
	int rc;

	while ((rc = store_next(st, hit_read, &h)) == 1) {
		if ((rc = grow((void **)&a, &cap, k, sizeof(*a))) < 0)
			break;
		a[k++] = h;
	}
	rc = store_end(st, rc, 0);
	if (rc < 0) {
		free(a);
		return rc;
	}
	*out = a;
	*n = k;
	return 0;
}

static int rule_name_read(struct store_stmt *st, void *dst)
{
	struct qa_rule_name *r = dst;

	r->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, r->code);
	STORE_COL_COPY(st, 2, r->name);
	return 0;
}

int qa_rule_name_get(struct store *s, int64_t id, struct qa_rule_name *out)
{
	return store_one(store_query(s, "SELECT id, code, name FROM qa_rule WHERE id = ?", "i", id),
			 rule_name_read, out);
}

/* ---- the daily report (migration 23) ---- */

#define DAILY_COLS                                                                                 \
	"d.id, d.day, d.state, d.figures, d.anomaly, d.causes, d.measures,"                        \
	" COALESCE(d.author_id, 0), COALESCE(p.name, ''), d.sent_to, COALESCE(d.sent_at, 0),"      \
	" d.created_at, d.updated_at FROM qa_daily d LEFT JOIN person p ON p.id = d.author_id"

static char *dup_col(struct store_stmt *st, int col)
{
	const char *t = store_col_text(st, col);

	return t ? strdup(t) : NULL;
}

void qa_daily_free(struct qa_daily *d)
{
	free(d->figures);
	free(d->anomaly);
	free(d->causes);
	free(d->measures);
	free(d->sent_to);
	d->figures = d->anomaly = d->causes = d->measures = d->sent_to = NULL;
}

static int daily_read(struct store_stmt *st, void *dst)
{
	struct qa_daily *d = dst;

	memset(d, 0, sizeof(*d));
	d->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, d->day);
	STORE_COL_COPY(st, 2, d->state);
	d->figures = dup_col(st, 3);
	d->anomaly = dup_col(st, 4);
	d->causes = dup_col(st, 5);
	d->measures = dup_col(st, 6);
	d->author_id = store_col_int(st, 7);
	STORE_COL_COPY(st, 8, d->author_name);
	d->sent_to = dup_col(st, 9);
	d->sent_at = store_col_int(st, 10);
	d->created_at = store_col_int(st, 11);
	d->updated_at = store_col_int(st, 12);
	if ((store_col_text(st, 3) && !d->figures) || !d->anomaly || !d->causes || !d->measures ||
	    (store_col_text(st, 9) && !d->sent_to)) {
		qa_daily_free(d);
		return ERR_NOMEM;
	}
	return 0;
}

int qa_daily_get(struct store *s, const char *day, struct qa_daily *out)
{
	return store_one(store_query(s, "SELECT " DAILY_COLS " WHERE d.day = ?", "t", day),
			 daily_read, out);
}

int qa_daily_save(struct store *s, const char *day, const char *anomaly, const char *causes,
		  const char *measures, int64_t author_id, int64_t now)
{
	return store_run(
		s,
		"INSERT INTO qa_daily(day, anomaly, causes, measures, author_id, created_at,"
		" updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT(day) DO UPDATE SET anomaly = excluded.anomaly,"
		" causes = excluded.causes, measures = excluded.measures,"
		" author_id = excluded.author_id, updated_at = excluded.updated_at"
		" WHERE qa_daily.state = 'draft'",
		NULL, "ttttdii", day, anomaly, causes, measures, author_id, now, now);
}

int qa_daily_mark_sent(struct store *s, const char *day, const char *figures, const char *sent_to,
		       int64_t author_id, int64_t now)
{
	return store_run(
		s,
		"UPDATE qa_daily SET state = 'sent', figures = ?, sent_to = ?, sent_at = ?,"
		" author_id = ?, updated_at = ? WHERE day = ? AND state = 'draft'",
		NULL, "ttidit", figures, sent_to, now, author_id, now, day);
}

int qa_daily_list(struct store *s, const char *from, const char *to, const char *state,
		  int (*row)(void *ctx, const struct qa_daily *d), void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT " DAILY_COLS " WHERE d.day >= ? AND d.day <= ?"
					    " AND (? IS NULL OR d.state = ?) ORDER BY d.day DESC",
					    "tttt", from, to, state, state);
	struct qa_daily d;
	int rc, n = 0;

	while ((rc = store_next(st, daily_read, &d)) == 1) {
		rc = row(ctx, &d);
		qa_daily_free(&d);
		if (rc < 0)
			break;
		n++;
	}
	return store_end(st, rc, n);
}

int qa_people_with_role(struct store *s, unsigned roles, int64_t *ids, int max)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT id FROM person WHERE active = 1 AND (roles & ?) <> 0"
			    " ORDER BY id LIMIT ?",
			    "ii", (int64_t)roles, (int64_t)max);
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1)
		ids[n++] = store_col_int(st, 0);
	return store_end(st, rc, n);
}

/* ---- the agents' rows ---- */

struct rows {
	struct qa_agent_row *a;
	size_t n, cap;
};

static struct qa_agent_row *find(struct rows *r, int64_t id)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->a[mid].agent_id == id)
			return &r->a[mid];
		if (r->a[mid].agent_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int rating_row(void *ctx, const struct report_agent_rating *g)
{
	struct qa_agent_row *r = find(ctx, g->agent_id);

	if (r) {
		r->rated = g->rated;
		r->rating_sum = g->total;
	}
	return 0;
}

static int callback_row(void *ctx, const struct report_agent_callbacks *g)
{
	struct qa_agent_row *r = find(ctx, g->agent_id);

	if (r) {
		r->cb_accepted = g->outcome[WOO_ACCEPTED];
		r->cb_not_accepted = g->outcome[WOO_NOT_ACCEPTED];
		for (int o = 0; o < WOO_COUNT; o++)
			r->cb_attempts += g->outcome[o];
	}
	return 0;
}

/*
 * The supervisors' reviews of the period (QA-1, QA-5): the one place the
 * reports read the review's table, qa_assessment (the review's migration
 * 21), so a change there is made here alone. A closed assessment counts
 * with its final score after appeals, else its total; one under appeal
 * waits for the decision.
 */
static int reviews_fill(struct store *s, int64_t start, int64_t end, struct rows *r)
{
	struct store_stmt *st;
	int rc;

	st = store_query(s,
			 "SELECT agent_id, COUNT(*), SUM(COALESCE(final_score, total))"
			 " FROM qa_assessment WHERE state = 'closed' AND contact_at >= ?"
			 " AND contact_at < ? AND COALESCE(final_score, total) IS NOT NULL"
			 " GROUP BY agent_id",
			 "ii", start, end);
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		struct qa_agent_row *a = find(r, store_col_int(st, 0));

		if (a) {
			a->reviews = store_col_int(st, 1);
			a->review_sum = store_col_int(st, 2);
		}
	}
	return store_end(st, rc, 0);
}

int qa_agent_rows_load(struct store *s, int64_t start, int64_t end, int64_t agent_id,
		       struct qa_agent_row **out, size_t *n)
{
	/*
	 * The active agents, and anyone the period's checks, ratings or
	 * callbacks name (a supervisor who took calls, an agent who has left
	 * since), so every figure of the period belongs to a row.
	 */
	struct store_stmt *st = store_query(
		s,
		"SELECT p.id, p.work_no, p.name FROM person p WHERE (? = 0 OR p.id = ?) AND"
		" ((p.active = 1 AND (p.roles & ?) <> 0)"
		" OR p.id IN (SELECT agent_id FROM qa_check WHERE contact_at >= ? AND contact_at < "
		"?)"
		" OR p.id IN (SELECT agent_id FROM contact WHERE started_at >= ? AND started_at < ?"
		"  AND satisfaction BETWEEN 1 AND 5))"
		" ORDER BY p.id",
		"iiiiiii", agent_id, agent_id, (int64_t)ROLE_AGENT, start, end, start, end);
	struct rows r = {NULL, 0, 0};
	int rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		struct qa_agent_row *a;

		if ((rc = grow((void **)&r.a, &r.cap, r.n, sizeof(*r.a))) < 0)
			break;
		a = &r.a[r.n++];
		memset(a, 0, sizeof(*a));
		a->agent_id = store_col_int(st, 0);
		STORE_COL_COPY(st, 1, a->work_no);
		STORE_COL_COPY(st, 2, a->name);
	}
	rc = store_end(st, rc, 0);
	if (rc >= 0)
		rc = report_agent_ratings(s, start, end, rating_row, &r);
	if (rc >= 0)
		rc = report_agent_callbacks(s, start, end, callback_row, &r);
	if (rc >= 0)
		rc = reviews_fill(s, start, end, &r);
	if (rc < 0) {
		free(r.a);
		return rc;
	}
	*out = r.a;
	*n = r.n;
	return 0;
}
