/*
 * The agents' work statistics, SQL (report.h tells the figures): one day's
 * figures from the facts, the summary kind "agents" over migration 47's
 * report_agent_day and its change feed, and a period's rows read from the
 * summary for closed days and from the facts for the rest.
 */
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "report/report.h"
#include "store/store.h"

/* ---- Figures by key: (bucket, agent) → figures, a small open-addressed table ---- */

struct figmap {
	struct report_agent_row *rows;
	size_t n, cap;
	int *slot; /* index + 1 into rows, 0 empty */
	size_t nslot;
};

static uint64_t key_hash(int bucket, int64_t agent)
{
	uint64_t k = ((uint64_t)(uint32_t)bucket << 32) ^ (uint64_t)agent;

	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	return k ^ (k >> 33);
}

static int map_grow(struct figmap *m)
{
	size_t nslot = m->nslot ? m->nslot * 2 : 256;
	int *slot = calloc(nslot, sizeof(*slot));

	if (!slot)
		return ERR_NOMEM;
	for (size_t i = 0; i < m->n; i++) {
		size_t h = key_hash(m->rows[i].bucket, m->rows[i].agent_id) & (nslot - 1);

		while (slot[h])
			h = (h + 1) & (nslot - 1);
		slot[h] = (int)i + 1;
	}
	free(m->slot);
	m->slot = slot;
	m->nslot = nslot;
	return 0;
}

/* The row of (bucket, agent), added when new; NULL when out of memory. */
static struct report_agent_row *map_at(struct figmap *m, int bucket, int64_t agent)
{
	size_t h;

	if ((m->n + 1) * 2 > m->nslot && map_grow(m) < 0)
		return NULL;
	h = key_hash(bucket, agent) & (m->nslot - 1);
	while (m->slot[h]) {
		struct report_agent_row *r = &m->rows[m->slot[h] - 1];

		if (r->bucket == bucket && r->agent_id == agent)
			return r;
		h = (h + 1) & (m->nslot - 1);
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct report_agent_row *rows = realloc(m->rows, cap * sizeof(*rows));

		if (!rows)
			return NULL;
		m->rows = rows;
		m->cap = cap;
	}
	memset(&m->rows[m->n], 0, sizeof(m->rows[0]));
	m->rows[m->n].bucket = bucket;
	m->rows[m->n].agent_id = agent;
	m->slot[h] = (int)++m->n;
	return &m->rows[m->n - 1];
}

static void map_free(struct figmap *m)
{
	free(m->rows);
	free(m->slot);
	memset(m, 0, sizeof(*m));
}

/* ---- One day from the facts ---- */

static struct report_agent_fig *fig_of(struct figmap *m, int64_t agent)
{
	struct report_agent_row *r = map_at(m, 0, agent);

	return r ? &r->f : NULL;
}

static int calls_out_row(void *ctx, const struct report_agent_calls_out *g)
{
	struct report_agent_fig *f = fig_of(ctx, g->agent_id);

	if (!f)
		return ERR_NOMEM;
	f->out_attempts = g->attempts;
	f->out_answered = g->answered;
	f->out_talk_ms = g->talk_ms;
	return 0;
}

static int callbacks_row(void *ctx, const struct report_agent_callbacks *g)
{
	struct report_agent_fig *f = fig_of(ctx, g->agent_id);

	if (!f)
		return ERR_NOMEM;
	for (int o = 0; o < WOO_COUNT; o++)
		f->callbacks += g->outcome[o];
	return 0;
}

static int ratings_row(void *ctx, const struct report_agent_rating *g)
{
	struct report_agent_fig *f = fig_of(ctx, g->agent_id);

	if (!f)
		return ERR_NOMEM;
	f->rated = g->rated;
	f->rating_sum = g->total;
	return 0;
}

/*
 * The status log over [start, end): each person's status at start (the last
 * row before it, one index probe per person) and the day's rows, in order; each spell runs to the
 * agent's next row or to end.
 */
static int status_spells(struct store *s, struct figmap *m, int64_t start, int64_t end)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT p.id, ?1, (SELECT l.to_status FROM agent_state_log l"
			    "  WHERE l.person_id = p.id AND l.at < ?1 ORDER BY l.at DESC, l.id DESC"
			    "  LIMIT 1), 0 FROM person p"
			    " UNION ALL SELECT person_id, at, to_status, id FROM agent_state_log"
			    " WHERE at >= ?1 AND at < ?2 ORDER BY 1, 2, 4",
			    "ii", start, end);
	int64_t agent = 0, from = 0;
	int status = -1, rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		int64_t who = store_col_int(st, 0), at = store_col_int(st, 1);
		int next = report_agent_status(store_col_text(st, 2));

		if (who == agent && status >= 0) {
			struct report_agent_fig *f = fig_of(m, agent);

			if (!f) {
				rc = ERR_NOMEM;
				break;
			}
			report_agent_span(f, status, from, at, start, end);
		} else if (who != agent && status >= 0) {
			struct report_agent_fig *f = fig_of(m, agent);

			if (!f) {
				rc = ERR_NOMEM;
				break;
			}
			report_agent_span(f, status, from, end, start, end);
		}
		agent = who;
		from = at;
		status = next;
	}
	if (rc == 0 && status >= 0) {
		struct report_agent_fig *f = fig_of(m, agent);

		if (!f)
			rc = ERR_NOMEM;
		else
			report_agent_span(f, status, from, end, start, end);
	}
	return store_end(st, rc, 0);
}

enum fact { F_CALLS, F_CONTACTS, F_ORDERS };

static int grouped(struct store_stmt *st, struct figmap *m, enum fact k)
{
	int rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		struct report_agent_fig *f = fig_of(m, store_col_int(st, 0));
		int c;

		if (!f) {
			rc = ERR_NOMEM;
			break;
		}
		switch (k) {
		case F_CALLS:
			f->calls_in = store_col_int(st, 1);
			f->talk_ms = store_col_int(st, 2);
			f->hold_ms = store_col_int(st, 3);
			break;
		case F_CONTACTS:
			c = report_channel_index(store_col_text(st, 1));
			if (c >= 0)
				f->contacts[c] = store_col_int(st, 2);
			break;
		case F_ORDERS:
			f->orders = store_col_int(st, 1);
			break;
		}
	}
	return store_end(st, rc, 0);
}

static int by_agent(const void *a, const void *b)
{
	const struct report_agent_row *x = a, *y = b;

	return (x->agent_id > y->agent_id) - (x->agent_id < y->agent_id);
}

int report_agent_day_facts(struct store *s, int64_t start, int64_t end,
			   int (*row)(void *ctx, int64_t agent_id,
				      const struct report_agent_fig *f),
			   void *ctx)
{
	struct figmap m = {0};
	/* Answered inbound calls by the day they started, as perf counts them;
	 * one still running counts, its talk once it ended. */
	int rc = grouped(store_query(s,
				     "SELECT agent_id, COUNT(*),"
				     " COALESCE(SUM(CASE WHEN ended_at > connected_at"
				     "  THEN ended_at - connected_at END), 0),"
				     " COALESCE(SUM(json_extract(metrics, '$.hold_total_ms')), 0)"
				     " FROM call WHERE started_at >= ? AND started_at < ?"
				     " AND direction = 'in' AND agent_id IS NOT NULL"
				     " AND connected_at IS NOT NULL GROUP BY agent_id",
				     "ii", start, end),
			 &m, F_CALLS);

	if (rc >= 0)
		rc = report_agent_calls_out(s, start, end, calls_out_row, &m);
	if (rc >= 0)
		rc = status_spells(s, &m, start, end);
	if (rc >= 0)
		rc = grouped(store_query(s,
					 "SELECT agent_id, channel, COUNT(*) FROM contact"
					 " WHERE started_at >= ? AND started_at < ?"
					 " GROUP BY agent_id, channel",
					 "ii", start, end),
			     &m, F_CONTACTS);
	if (rc >= 0)
		rc = grouped(store_query(s,
					 "SELECT first_agent_id, COUNT(*) FROM work_order"
					 " WHERE created_at >= ? AND created_at < ?"
					 " GROUP BY first_agent_id",
					 "ii", start, end),
			     &m, F_ORDERS);
	if (rc >= 0)
		rc = report_agent_callbacks(s, start, end, callbacks_row, &m);
	if (rc >= 0)
		rc = report_agent_ratings(s, start, end, ratings_row, &m);
	if (rc >= 0 && m.n > 1)
		qsort(m.rows, m.n, sizeof(m.rows[0]), by_agent);
	for (size_t i = 0; rc >= 0 && i < m.n; i++)
		rc = row(ctx, m.rows[i].agent_id, &m.rows[i].f);
	map_free(&m);
	return rc < 0 ? rc : 0;
}

/* ---- The summary kind "agents" ---- */

/* The figures' columns of report_agent_day and report_agent_month, summed. */
#define SUM_COLS                                                                                   \
	", SUM(calls_in), SUM(talk_ms), SUM(hold_ms), SUM(out_attempts), SUM(out_answered),"       \
	" SUM(out_talk_ms), SUM(ready_ms), SUM(away_ms), SUM(break_ms), SUM(call_ms),"             \
	" SUM(wrap_ms), SUM(c_phone), SUM(c_wechat), SUM(c_weibo), SUM(c_web_chat),"               \
	" SUM(c_email), SUM(c_sms), SUM(c_visit), SUM(orders), SUM(callbacks), SUM(rated),"        \
	" SUM(rating_sum)"

struct day_ctx {
	struct store *s;
	int ymd;
};

static int insert_day(void *ctx, int64_t agent, const struct report_agent_fig *f)
{
	const struct day_ctx *d = ctx;
	int rc = store_run(
		d->s,
		"INSERT INTO report_agent_day(ymd, agent_id, calls_in, talk_ms, hold_ms,"
		" out_attempts, out_answered, out_talk_ms, ready_ms, away_ms, break_ms, call_ms,"
		" wrap_ms, c_phone, c_wechat, c_weibo, c_web_chat, c_email, c_sms, c_visit, orders,"
		" callbacks, rated, rating_sum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		" ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		NULL, "iiiiiiiiiiiiiiiiiiiiiiii", (int64_t)d->ymd, agent, f->calls_in, f->talk_ms,
		f->hold_ms, f->out_attempts, f->out_answered, f->out_talk_ms,
		f->status_ms[RAS_READY], f->status_ms[RAS_AWAY], f->status_ms[RAS_BREAK],
		f->status_ms[RAS_CALL], f->status_ms[RAS_WRAP], f->contacts[0], f->contacts[1],
		f->contacts[2], f->contacts[3], f->contacts[4], f->contacts[5], f->contacts[6],
		f->orders, f->callbacks, f->rated, f->rating_sum);

	return rc < 0 ? rc : 0;
}

static int agents_build(struct store *s, int ymd, int64_t start, int64_t end, void *arg)
{
	struct day_ctx d = {s, ymd};
	int rc =
		store_run(s, "DELETE FROM report_agent_day WHERE ymd = ?", NULL, "i", (int64_t)ymd);

	(void)arg;
	if (rc >= 0)
		rc = report_agent_day_facts(s, start, end, insert_day, &d);
	/* The day's month summed again: a year is then read from 12 rows an agent. */
	if (rc >= 0)
		rc = store_run(s, "DELETE FROM report_agent_month WHERE ymd = ?", NULL, "i",
			       (int64_t)(ymd / 100 * 100 + 1));
	if (rc >= 0)
		rc = store_run(s,
			       "INSERT INTO report_agent_month SELECT ?1, agent_id" SUM_COLS
			       " FROM report_agent_day WHERE ymd >= ?1 AND ymd <= ?1 + 30"
			       " GROUP BY agent_id",
			       NULL, "i", (int64_t)(ymd / 100 * 100 + 1));
	return rc < 0 ? rc : 0;
}

/* The earliest fact: the first status row, call, contact or order. */
static int64_t agents_first(struct store *s, void *arg)
{
	static const char *const sql[] = {
		"SELECT at FROM agent_state_log ORDER BY id LIMIT 1",
		"SELECT MIN(started_at) FROM call",
		"SELECT MIN(started_at) FROM contact",
		"SELECT MIN(created_at) FROM work_order",
	};
	int64_t first = 0;

	(void)arg;
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		int64_t v = 0;
		int rc = store_run(s, sql[i], &v, "");

		if (rc < 0)
			return rc;
		if (v > 0 && (!first || v < first))
			first = v;
	}
	return first;
}

/* Marks the closed day of each time a feed query gives (column 1, and 2 when not NULL). */
static int mark_days(struct store *s, struct store_stmt *st, int64_t *last)
{
	int rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		*last = store_col_int(st, 0);
		for (int c = 1; c <= 2 && rc >= 0; c++)
			if (!store_col_null(st, c))
				rc = report_day_mark(s, "agents",
						     clock_local_ymd(store_col_int(st, c)));
		if (rc < 0)
			break;
	}
	return store_end(st, rc, 0);
}

/*
 * What alters a closed day: a status row written since (its day), a call
 * that ended since (the day it started, and for a call out the day it was
 * asked for), a contact recorded since (the day it started). The feed's ids
 * start at the tables' ends the first time: the first build reads all
 * before them.
 */
static int agents_changed(struct store *s, int64_t *cursor, void *arg)
{
	int64_t log_id = -1, event_id = 0, contact_id = 0;
	int rc = store_run(s, "SELECT log_id FROM report_agent_feed WHERE id = 1", &log_id, "");

	(void)cursor;
	(void)arg;
	if (rc == 0) {
		rc = store_run(s,
			       "INSERT INTO report_agent_feed(id, log_id, event_id, contact_id)"
			       " VALUES (1, (SELECT COALESCE(MAX(id), 0) FROM agent_state_log),"
			       " (SELECT COALESCE(MAX(id), 0) FROM call_event),"
			       " (SELECT COALESCE(MAX(id), 0) FROM contact))",
			       NULL, "");
		return rc < 0 ? rc : 0;
	}
	if (rc > 0)
		rc = store_run(s, "SELECT event_id FROM report_agent_feed WHERE id = 1", &event_id,
			       "");
	if (rc > 0)
		rc = store_run(s, "SELECT contact_id FROM report_agent_feed WHERE id = 1",
			       &contact_id, "");
	if (rc > 0)
		rc = mark_days(s,
			       store_query(s,
					   "SELECT id, at, NULL FROM agent_state_log WHERE id > ?"
					   " ORDER BY id",
					   "i", log_id),
			       &log_id);
	if (rc >= 0)
		rc = mark_days(
			s,
			store_query(s,
				    "SELECT e.id, c.started_at, CASE WHEN c.direction = 'out'"
				    "  THEN (SELECT MIN(o.requested_at) FROM call_out o"
				    "  WHERE o.call_id = c.id) END"
				    " FROM call_event e JOIN call c ON c.id = e.call_id"
				    " WHERE e.id > ? AND e.kind = 'ended' ORDER BY e.id",
				    "i", event_id),
			&event_id);
	if (rc >= 0)
		rc = store_run(s, "SELECT COALESCE(MAX(id), ?) FROM call_event", &event_id, "i",
			       event_id);
	if (rc >= 0)
		rc = mark_days(s,
			       store_query(s,
					   "SELECT id, started_at, NULL FROM contact WHERE id > ?"
					   " ORDER BY id",
					   "i", contact_id),
			       &contact_id);
	if (rc >= 0)
		rc = store_run(s,
			       "UPDATE report_agent_feed SET log_id = ?, event_id = ?,"
			       " contact_id = ? WHERE id = 1",
			       NULL, "iii", log_id, event_id, contact_id);
	return rc < 0 ? rc : 0;
}

const struct report_kind report_agent_kind = {"agents", agents_build, agents_first, agents_changed,
					      NULL};

/* ---- A period's rows ---- */

static report_agent_qa_fn qa_hook;

void report_agent_qa_set(report_agent_qa_fn fn)
{
	qa_hook = fn;
}

int report_agent_qa_has(void)
{
	return qa_hook != NULL;
}

/* The first day of the bucket of ymd, as SQL over the summary's ymd (?3: the group). */
#define BUCKET_SQL                                                                                 \
	"CASE ?3 WHEN 'month' THEN ymd / 100 * 100 + 1"                                            \
	" WHEN 'quarter' THEN ymd / 10000 * 10000 + ((ymd / 100 % 100 - 1) / 3 * 3 + 1)"           \
	"  * 100 + 1"                                                                              \
	" WHEN 'half' THEN ymd / 10000 * 10000 + ((ymd / 100 % 100 - 1) / 6 * 6 + 1)"              \
	"  * 100 + 1"                                                                              \
	" WHEN 'year' THEN ymd / 10000 * 10000 + 101 WHEN 'all' THEN 0 ELSE ymd END"

/* Adds the summed rows of one statement over a summary table (bucket, agent, figures). */
static int summed(struct store_stmt *st, const struct report_period *p, struct figmap *m)
{
	int rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		/* Weeks are put together here: SQL gave days. */
		struct report_agent_row *r =
			map_at(m, report_bucket((int)store_col_int(st, 0), p->group),
			       store_col_int(st, 1));
		struct report_agent_fig f;
		int c = 2;

		if (!r) {
			rc = ERR_NOMEM;
			break;
		}
		f.calls_in = store_col_int(st, c++);
		f.talk_ms = store_col_int(st, c++);
		f.hold_ms = store_col_int(st, c++);
		f.out_attempts = store_col_int(st, c++);
		f.out_answered = store_col_int(st, c++);
		f.out_talk_ms = store_col_int(st, c++);
		for (int k = 0; k < RAS_COUNT; k++)
			f.status_ms[k] = store_col_int(st, c++);
		for (int k = 0; k < REPORT_CHANNELS; k++)
			f.contacts[k] = store_col_int(st, c++);
		f.orders = store_col_int(st, c++);
		f.callbacks = store_col_int(st, c++);
		f.rated = store_col_int(st, c++);
		f.rating_sum = store_col_int(st, c++);
		report_agent_fig_add(&r->f, &f);
	}
	return store_end(st, rc, 0);
}

static int from_days(struct store *s, const struct report_period *p, int from, int to,
		     int64_t agent, struct figmap *m)
{
	if (from > to)
		return 0;
	return summed(store_query(s,
				  "SELECT " BUCKET_SQL " AS b, agent_id" SUM_COLS
				  " FROM report_agent_day WHERE ymd >= ?1 AND ymd <= ?2"
				  " AND (?4 = 0 OR agent_id = ?4) GROUP BY b, agent_id",
				  "iiti", (int64_t)from, (int64_t)to, report_group_name(p->group),
				  agent),
		      p, m);
}

/* The month's last day. */
static int month_last(int ymd)
{
	int next = ymd / 100 % 100 == 12 ? (ymd / 10000 + 1) * 10000 + 101 : ymd / 100 * 100 + 101;
	int last = ymd;

	for (int d = ymd / 100 * 100 + 28; d < next && d <= ymd / 100 * 100 + 31; d++)
		if (report_ymd_next(d) == next)
			last = d;
	return last;
}

/* The first day of the month before the month that starts on first. */
static int prev_month(int first)
{
	return first / 100 % 100 == 1 ? (first / 10000 - 1) * 10000 + 1201 : first - 100;
}

/*
 * [from, to] from the summary: the whole months inside it from the monthly
 * rows (unless grouped by day or week, whose buckets cut months), the days
 * before and after them from the daily rows.
 */
static int from_summary(struct store *s, const struct report_period *p, int to_ymd, int64_t agent,
			struct figmap *m)
{
	int from = p->from_ymd, first, last, rc;

	if (p->group == RG_DAY || p->group == RG_WEEK)
		return from_days(s, p, from, to_ymd, agent, m);
	/* The first whole month starts on or after from; the last ends on or before to. */
	first = from % 100 == 1 ? from : report_ymd_next(month_last(from));
	last = month_last(to_ymd) == to_ymd ? to_ymd / 100 * 100 + 1
					    : prev_month(to_ymd / 100 * 100 + 1);
	if (first > last)
		return from_days(s, p, from, to_ymd, agent, m);
	rc = from_days(s, p, from, month_last(prev_month(first)), agent, m);
	if (rc >= 0)
		rc = summed(store_query(s,
					"SELECT " BUCKET_SQL " AS b, agent_id" SUM_COLS
					" FROM report_agent_month WHERE ymd >= ?1 AND ymd <= ?2"
					" AND (?4 = 0 OR agent_id = ?4) GROUP BY b, agent_id",
					"iiti", (int64_t)first, (int64_t)last,
					report_group_name(p->group), agent),
			    p, m);
	if (rc >= 0)
		rc = from_days(s, p, report_ymd_next(month_last(last)), to_ymd, agent, m);
	return rc;
}

struct facts_ctx {
	struct figmap *m;
	int bucket;
	int64_t agent;
};

static int facts_row(void *ctx, int64_t agent, const struct report_agent_fig *f)
{
	struct facts_ctx *c = ctx;
	struct report_agent_row *r;

	if (c->agent && agent != c->agent)
		return 0;
	r = map_at(c->m, c->bucket, agent);
	if (!r)
		return ERR_NOMEM;
	report_agent_fig_add(&r->f, f);
	return 0;
}

/* The days from from_ymd on of the period, each from the facts, up to now. */
static int from_facts(struct store *s, const struct report_period *p, int from_ymd, int64_t agent,
		      int64_t now, struct figmap *m)
{
	int rc = 0;

	for (int ymd = from_ymd; rc >= 0 && ymd && ymd <= p->to_ymd; ymd = report_ymd_next(ymd)) {
		int64_t start = report_day_start(ymd), end = clock_day_end(start);
		struct facts_ctx c = {m, report_bucket(ymd, p->group), agent};

		if (start >= now)
			break;
		rc = report_agent_day_facts(s, start, end < now ? end : now, facts_row, &c);
	}
	return rc;
}

struct qa_ctx {
	struct figmap *m;
	int bucket;
	int64_t agent;
};

static int qa_row(void *ctx, int64_t agent, int64_t checks, double sum)
{
	struct qa_ctx *c = ctx;
	struct report_agent_row *r;

	if (c->agent && agent != c->agent)
		return 0;
	r = map_at(c->m, c->bucket, agent);
	if (!r)
		return ERR_NOMEM;
	r->qa_checks += checks;
	r->qa_sum += sum;
	return 0;
}

/* The last day of the bucket that starts on first (within the period). */
static int bucket_last(const struct report_period *p, int first)
{
	int ymd = first, last = first;

	if (p->group == RG_ALL)
		return p->to_ymd;
	while (ymd <= p->to_ymd && report_bucket(ymd, p->group) == first) {
		last = ymd;
		ymd = report_ymd_next(ymd);
	}
	return last;
}

/* QA-5 figures per bucket from qa/; none past QA_BUCKETS_MAX buckets (a year by day). */
#define QA_BUCKETS_MAX 100
static int add_qa(struct store *s, const struct report_period *p, int64_t agent, struct figmap *m)
{
	int n = 0, rc = 0;

	if (!qa_hook)
		return 0;
	for (int first = p->from_ymd; first <= p->to_ymd;
	     first = report_ymd_next(bucket_last(p, first)))
		if (++n > QA_BUCKETS_MAX)
			return 0;
	for (int first = p->from_ymd; rc >= 0 && first <= p->to_ymd;) {
		int last = bucket_last(p, first);
		struct qa_ctx c = {m, report_bucket(first, p->group), agent};

		rc = qa_hook(s, report_day_start(first), clock_day_end(report_day_start(last)),
			     qa_row, &c);
		first = report_ymd_next(last);
	}
	return rc < 0 ? rc : 0;
}

static int person_of(struct store_stmt *st, void *dst)
{
	struct report_agent_row *r = dst;

	store_col_copy(st, 0, r->work_no, sizeof(r->work_no));
	store_col_copy(st, 1, r->name, sizeof(r->name));
	r->department_id = store_col_int_or(st, 2, 0);
	store_col_copy(st, 3, r->department, sizeof(r->department));
	return 0;
}

static int by_bucket_work_no(const void *a, const void *b)
{
	const struct report_agent_row *x = a, *y = b;

	if (x->bucket != y->bucket)
		return (x->bucket > y->bucket) - (x->bucket < y->bucket);
	return strcmp(x->work_no, y->work_no);
}

/* Names the rows and keeps those of the department (> 0) asked for. */
static int finish(struct store *s, struct figmap *m, int64_t dept, struct report_agent_row **out,
		  size_t *n)
{
	size_t kept = 0;
	int rc = 0;

	for (size_t i = 0; i < m->n && rc >= 0; i++) {
		struct report_agent_row *r = &m->rows[i];

		rc = store_one(store_query(s,
					   "SELECT p.work_no, p.name, p.department_id,"
					   " COALESCE(d.name, '') FROM person p"
					   " LEFT JOIN department d ON d.id = p.department_id"
					   " WHERE p.id = ?",
					   "i", r->agent_id),
			       person_of, r);
		if (rc == ERR_NOTFOUND) {
			rc = 0; /* no such person: an id the person table does not hold */
			continue;
		}
		if (rc == 0 && (dept <= 0 || r->department_id == dept))
			m->rows[kept++] = *r;
	}
	if (rc < 0)
		return rc;
	if (kept > 1)
		qsort(m->rows, kept, sizeof(m->rows[0]), by_bucket_work_no);
	*out = m->rows;
	*n = kept;
	m->rows = NULL;
	return 0;
}

static int load(struct store *s, const struct report_period *p, int64_t dept, int64_t agent,
		int64_t now, int use_summary, struct report_agent_row **out, size_t *n)
{
	struct figmap m = {0};
	int through = use_summary ? report_sum_through(s, "agents") : 0;
	int rc = through < 0 ? through : 0;

	*out = NULL;
	*n = 0;
	if (rc == 0 && through >= p->from_ymd)
		rc = from_summary(s, p, through < p->to_ymd ? through : p->to_ymd, agent, &m);
	if (rc == 0 && through < p->to_ymd)
		rc = from_facts(s, p,
				through >= p->from_ymd ? report_ymd_next(through) : p->from_ymd,
				agent, now, &m);
	if (rc == 0)
		rc = add_qa(s, p, agent, &m);
	if (rc == 0)
		rc = finish(s, &m, dept, out, n);
	map_free(&m);
	return rc;
}

int report_agent_load(struct store *s, const struct report_period *p, int64_t department_id,
		      int64_t agent_id, int64_t now, struct report_agent_row **out, size_t *n)
{
	return load(s, p, department_id, agent_id, now, 1, out, n);
}

int report_agent_load_facts(struct store *s, const struct report_period *p, int64_t department_id,
			    int64_t agent_id, int64_t now, struct report_agent_row **out, size_t *n)
{
	return load(s, p, department_id, agent_id, now, 0, out, n);
}
