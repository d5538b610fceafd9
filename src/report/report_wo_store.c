/*
 * The work-order report over any period (issue 20): the summary kind "wo"
 * over migration 43's tables, and report_period_load, which answers a
 * period from the summary and the facts (report.h tells what is kept,
 * what is read from the facts and what moves a closed day).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "report/report.h"
#include "store/store.h"

/* The summary's columns are spelled per metric and outcome: these must not move. */
_Static_assert(WOM_COUNT == 5 && WOM_CALLBACK == 0 && WOM_REPLY == 4, "report_wo_cell's metrics");
_Static_assert(RSF_RUNNING == 4, "report_wo_cell keeps the four figures before running");
_Static_assert(WOO_COUNT == 4, "report_wo_cell's callback outcomes");

#define KIND "wo"
#define SLA_COLS(m) " " m "_started, " m "_on_time, " m "_late, " m "_breached,"
#define CELL_COLS                                                                                  \
	" opened, archived, cancelled, escalated," SLA_COLS("callback") SLA_COLS("onsite")         \
	SLA_COLS("report") SLA_COLS("resolve") SLA_COLS("reply")                                   \
	" callback_ms, cb_accepted, cb_not_accepted, cb_unreachable, cb_new_need"
#define CELL_FIGURES (4 + WOM_COUNT * RSF_RUNNING + 1 + WOO_COUNT)

/* A cell's figures in CELL_COLS order (running is not kept). */
static void cell_figures(const struct report_cell *c, int64_t *v)
{
	int k = 0;

	v[k++] = c->opened;
	v[k++] = c->archived;
	v[k++] = c->cancelled;
	v[k++] = c->escalated;
	for (int m = 0; m < WOM_COUNT; m++)
		for (int f = 0; f < RSF_RUNNING; f++)
			v[k++] = c->sla[m][f];
	v[k++] = c->callback_ms;
	for (int o = 0; o < WOO_COUNT; o++)
		v[k++] = c->center_callbacks[o];
}

/* Adds the row's figures, from column col on, to the cell. */
static void cell_read(struct store_stmt *st, int col, struct report_cell *c)
{
	c->opened += store_col_int(st, col++);
	c->archived += store_col_int(st, col++);
	c->cancelled += store_col_int(st, col++);
	c->escalated += store_col_int(st, col++);
	for (int m = 0; m < WOM_COUNT; m++)
		for (int f = 0; f < RSF_RUNNING; f++)
			c->sla[m][f] += store_col_int(st, col++);
	c->callback_ms += store_col_int(st, col++);
	for (int o = 0; o < WOO_COUNT; o++)
		c->center_callbacks[o] += store_col_int(st, col++);
}

static int insert_day(struct store *s, int ymd, const struct report_day *d)
{
	int64_t v[CELL_FIGURES];
	int rc = 0;

	for (int i = 0; rc >= 0 && i < d->ncells; i++) {
		struct store_stmt *st = store_query(
			s,
			"INSERT INTO report_wo_cell(ymd, department_id, class," CELL_COLS ")"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
			" ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"iit", (int64_t)ymd, d->cells[i].department_id, d->cells[i].class_code);

		cell_figures(&d->cells[i], v);
		rc = st ? 0 : ERR_IO;
		for (int k = 0; rc >= 0 && k < CELL_FIGURES; k++)
			rc = store_bind_int(st, 4 + k, v[k]);
		rc = store_once(st, rc, NULL);
	}
	for (int i = 0; rc >= 0 && i < d->nlevels; i++)
		rc = store_run(s,
			       "INSERT INTO report_wo_level(ymd, department_id, class, level, opened)"
			       " VALUES (?, ?, ?, ?, ?)",
			       NULL, "iitti", (int64_t)ymd, d->levels[i].department_id,
			       d->levels[i].class_code, d->levels[i].level, d->levels[i].opened);
	for (int i = 0; rc >= 0 && i < d->nratings; i++)
		rc = store_run(s,
			       "INSERT INTO report_wo_rating(ymd, department_id, rated, total)"
			       " VALUES (?, ?, ?, ?)",
			       NULL, "iiii", (int64_t)ymd, d->ratings[i].department_id,
			       d->ratings[i].rated, d->ratings[i].total);
	for (int i = 0; rc >= 0 && i < d->ncalls_out; i++)
		rc = store_run(s,
			       "INSERT INTO report_wo_calls_out(ymd, department_id, attempts, answered,"
			       " talk_ms) VALUES (?, ?, ?, ?, ?)",
			       NULL, "iiiii", (int64_t)ymd, d->calls_out[i].department_id,
			       d->calls_out[i].attempts, d->calls_out[i].answered,
			       d->calls_out[i].talk_ms);
	return rc < 0 ? rc : 0;
}

/* The kind's build: the day's report from the facts, as report_daily_load computes it. */
static int wo_build(struct store *s, int ymd, int64_t start, int64_t end, void *arg)
{
	struct report_daily *r = calloc(1, sizeof(*r));
	int rc;

	(void)start;
	(void)end;
	(void)arg;
	if (!r)
		return ERR_NOMEM;
	rc = report_days_make(ymd, ymd, &r->days);
	if (rc == 0)
		rc = store_run(s, "DELETE FROM report_wo_cell WHERE ymd = ?", NULL, "i", (int64_t)ymd);
	if (rc >= 0)
		rc = store_run(s, "DELETE FROM report_wo_level WHERE ymd = ?", NULL, "i",
			       (int64_t)ymd);
	if (rc >= 0)
		rc = store_run(s, "DELETE FROM report_wo_rating WHERE ymd = ?", NULL, "i",
			       (int64_t)ymd);
	if (rc >= 0)
		rc = store_run(s, "DELETE FROM report_wo_calls_out WHERE ymd = ?", NULL, "i",
			       (int64_t)ymd);
	if (rc >= 0)
		rc = report_daily_load(s, r, 0);
	if (rc >= 0) {
		rc = insert_day(s, ymd, &r->day[0]);
		report_daily_free(r);
	}
	free(r);
	return rc < 0 ? rc : 0;
}

/* The earliest fact the report counts: an order, a rated contact or a call out. */
static int64_t wo_first(struct store *s, void *arg)
{
	int64_t first = 0;
	int rc;

	(void)arg;
	rc = store_run(s,
		       "SELECT MIN(t) FROM (SELECT MIN(created_at) AS t FROM work_order"
		       " UNION ALL SELECT MIN(started_at) FROM contact"
		       " UNION ALL SELECT MIN(requested_at) FROM call_out)",
		       &first, "");
	return rc < 0 ? rc : first;
}

static int cmp_id(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

	return a < b ? -1 : a > b;
}

static int read_id(struct store_stmt *st, void *dst)
{
	*(int64_t *)dst = store_col_int(st, 0);
	return 0;
}

/* Marks every closed day order has a fact on (report.h: what moves a closed day). */
static int mark_order(struct store *s, int64_t order, int64_t until)
{
	char id[24];
	struct store_stmt *st;

	/* audit.entity_id is text: the order's id as audit_append writes it. */
	snprintf(id, sizeof(id), "%lld", (long long)order);
	st = store_query(
		s,
		"SELECT at FROM (SELECT created_at AS at FROM work_order WHERE id = ?1"
		" UNION SELECT archived_at FROM work_order WHERE id = ?1 AND archived_at IS NOT NULL"
		" UNION SELECT at FROM wo_event WHERE order_id = ?1"
		" UNION SELECT at FROM wo_sla_event WHERE order_id = ?1"
		" UNION SELECT at FROM audit WHERE entity = 'work_order' AND entity_id = ?2"
		" AND action IN ('order.cancel', 'order.escalated', 'order.callback'))"
		" WHERE at < ?3 ORDER BY at",
		"iti", order, id, until);
	int64_t at;
	int rc, last = 0;

	while ((rc = store_next(st, read_id, &at)) == 1) {
		int ymd = clock_local_ymd(at);

		if (ymd != last && (rc = report_day_mark(s, KIND, ymd)) < 0)
			break;
		last = ymd;
	}
	return store_end(st, rc, 0);
}

static int wo_changed(struct store *s, int64_t *cursor, void *arg)
{
	int64_t *orders = NULL, last = 0, until;
	int through = report_sum_through(s, KIND), n = 0, rc;
	struct store_stmt *st;

	(void)arg;
	if (through < 0)
		return through;
	if (*cursor == 0) {
		/* First round: every day still to build reads the facts as they are. */
		rc = store_run(s, "SELECT COALESCE(MAX(id), 0) FROM wo_event", &last, "");
		if (rc < 0)
			return rc;
		*cursor = last + 1;
		return 0;
	}
	until = report_day_start(report_ymd_next(through));
	orders = malloc(sizeof(*orders) * RWO_EVENTS_ROUND);
	if (!orders)
		return ERR_NOMEM;
	/* Orders created after the summary's end have no closed day to move. */
	st = store_query(s,
			 "SELECT e.id, e.order_id, o.created_at FROM wo_event e"
			 " JOIN work_order o ON o.id = e.order_id WHERE e.id >= ? ORDER BY e.id"
			 " LIMIT ?",
			 "ii", *cursor, (int64_t)RWO_EVENTS_ROUND);
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		last = store_col_int(st, 0);
		if (store_col_int(st, 2) < until)
			orders[n++] = store_col_int(st, 1);
	}
	rc = store_end(st, rc, 0);
	if (rc >= 0 && last)
		*cursor = last + 1;
	if (n > 1)
		qsort(orders, (size_t)n, sizeof(*orders), cmp_id);
	for (int i = 0; rc >= 0 && i < n; i++)
		if (i == 0 || orders[i] != orders[i - 1])
			rc = mark_order(s, orders[i], until);
	free(orders);
	return rc < 0 ? rc : 0;
}

static const struct report_kind wo_kind = {KIND, wo_build, wo_first, wo_changed, NULL};

int report_wo_kind_add(void)
{
	return report_kind_add(&wo_kind);
}

/* The bucket holding day ymd (a day of the period). */
static struct report_day *bucket_of(struct report_periodic *out, int ymd)
{
	int lo = 0, hi = out->n;

	while (hi - lo > 1) {
		int mid = (lo + hi) / 2;

		if (ymd >= out->b[mid].first_ymd)
			lo = mid;
		else
			hi = mid;
	}
	return &out->b[lo].day;
}

/* The summary's days from..to into the buckets. */
static int load_summary(struct store *s, struct report_periodic *out, int from, int to,
			int64_t dept)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT ymd, department_id, class," CELL_COLS " FROM report_wo_cell"
			    " WHERE ymd >= ? AND ymd <= ? AND (? = 0 OR department_id = ?)",
			    "iiii", (int64_t)from, (int64_t)to, dept, dept);
	int rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		struct report_cell *c =
			report_day_cell(bucket_of(out, (int)store_col_int(st, 0)),
					store_col_int(st, 1), store_col_text_or(st, 2, ""));

		if (!c) {
			rc = ERR_NOMEM;
			break;
		}
		cell_read(st, 3, c);
	}
	rc = store_end(st, rc, 0);
	if (rc < 0)
		return rc;
	st = store_query(s,
			 "SELECT ymd, department_id, class, level, opened FROM report_wo_level"
			 " WHERE ymd >= ? AND ymd <= ? AND (? = 0 OR department_id = ?)",
			 "iiii", (int64_t)from, (int64_t)to, dept, dept);
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		struct report_level *l = report_day_level(
			bucket_of(out, (int)store_col_int(st, 0)), store_col_int(st, 1),
			store_col_text_or(st, 2, ""), store_col_text_or(st, 3, ""));

		if (!l) {
			rc = ERR_NOMEM;
			break;
		}
		l->opened += store_col_int(st, 4);
	}
	rc = store_end(st, rc, 0);
	if (rc < 0)
		return rc;
	st = store_query(s,
			 "SELECT ymd, department_id, rated, total FROM report_wo_rating"
			 " WHERE ymd >= ? AND ymd <= ? AND (? = 0 OR department_id = ?)",
			 "iiii", (int64_t)from, (int64_t)to, dept, dept);
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		struct report_rating *g = report_day_rating(bucket_of(out, (int)store_col_int(st, 0)),
							    store_col_int(st, 1));

		if (!g) {
			rc = ERR_NOMEM;
			break;
		}
		g->rated += store_col_int(st, 2);
		g->total += store_col_int(st, 3);
	}
	rc = store_end(st, rc, 0);
	if (rc < 0)
		return rc;
	st = store_query(s,
			 "SELECT ymd, department_id, attempts, answered, talk_ms FROM report_wo_calls_out"
			 " WHERE ymd >= ? AND ymd <= ? AND (? = 0 OR department_id = ?)",
			 "iiii", (int64_t)from, (int64_t)to, dept, dept);
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		struct report_calls_out *g = report_day_calls_out(
			bucket_of(out, (int)store_col_int(st, 0)), store_col_int(st, 1));

		if (!g) {
			rc = ERR_NOMEM;
			break;
		}
		g->attempts += store_col_int(st, 2);
		g->answered += store_col_int(st, 3);
		g->talk_ms += store_col_int(st, 4);
	}
	return store_end(st, rc, 0);
}

/*
 * "running" of the summary's days: the clocks started in [start, end) that
 * are open now, through the partial index of open clocks (wo_sla_open).
 */
static int load_running(struct store *s, struct report_periodic *out, int64_t start, int64_t end,
			int64_t dept)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT c.started_at, COALESCE(o.department_id, 0), o.class, c.metric"
		" FROM wo_sla c JOIN work_order o ON o.id = c.order_id"
		" WHERE c.state IN ('running', 'paused') AND c.started_at >= ? AND c.started_at < ?"
		" AND (? = 0 OR o.department_id = ?)",
		"iiii", start, end, dept, dept);
	int rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		int m = wo_metric_parse(store_col_text(st, 3));
		struct report_cell *c;

		if (m < 0)
			continue;
		c = report_day_cell(bucket_of(out, clock_local_ymd(store_col_int(st, 0))),
				    store_col_int(st, 1), store_col_text_or(st, 2, ""));
		if (!c) {
			rc = ERR_NOMEM;
			break;
		}
		c->sla[m][RSF_RUNNING]++;
	}
	return store_end(st, rc, 0);
}

/* The facts' days from..to into the buckets, a quarter at a time. */
static int load_facts(struct store *s, struct report_periodic *out, int from, int to, int64_t dept)
{
	struct report_daily *r = calloc(1, sizeof(*r));
	int rc = 0;

	if (!r)
		return ERR_NOMEM;
	while (rc == 0 && from <= to) {
		int last = from;

		for (int i = 1; i < REPORT_DAYS_MAX && last < to; i++)
			last = report_ymd_next(last);
		rc = report_days_make(from, last, &r->days);
		if (rc == 0)
			rc = report_daily_load(s, r, dept);
		if (rc < 0)
			break; /* report_daily_load released what it had */
		for (int i = 0; rc == 0 && i < r->days.n; i++)
			rc = report_day_add(bucket_of(out, r->days.ymd[i]), &r->day[i]);
		report_daily_free(r);
		from = report_ymd_next(last);
	}
	free(r);
	return rc;
}

void report_periodic_free(struct report_periodic *out)
{
	for (int i = 0; out->b && i < out->n; i++)
		report_day_free(&out->b[i].day);
	free(out->b);
	out->b = NULL;
	out->n = 0;
}

int report_period_load(struct store *s, const struct report_period *p, int64_t dept,
		       int use_summary, struct report_periodic *out)
{
	int days = report_ymd_count(p->from_ymd, p->to_ymd), sum_to, rc = 0;

	memset(out, 0, sizeof(*out));
	out->period = *p;
	if (days < 1 || days > REPORT_PERIOD_DAYS_MAX)
		return ERR_INVALID;
	out->b = calloc((size_t)days, sizeof(*out->b));
	if (!out->b)
		return ERR_NOMEM;
	for (int ymd = p->from_ymd, key = -1;; ymd = report_ymd_next(ymd)) {
		int k = report_bucket(ymd, p->group);

		if (out->n == 0 || k != key) {
			out->b[out->n].first_ymd = ymd;
			out->b[out->n].start = report_day_start(ymd);
			out->n++;
			key = k;
		}
		out->b[out->n - 1].last_ymd = ymd;
		if (ymd >= p->to_ymd)
			break;
	}
	for (int i = 0; i < out->n; i++)
		out->b[i].end = i + 1 < out->n ? out->b[i + 1].start : p->end;

	if (use_summary) {
		rc = report_sum_through(s, KIND);
		if (rc < 0)
			goto fail;
		out->through = rc >= p->from_ymd ? (rc < p->to_ymd ? rc : p->to_ymd) : 0;
		rc = 0;
	}
	sum_to = out->through;
	if (sum_to) {
		rc = load_summary(s, out, p->from_ymd, sum_to, dept);
		if (rc == 0)
			rc = load_running(s, out, p->start,
					  report_day_start(report_ymd_next(sum_to)), dept);
	}
	if (rc == 0 && (!sum_to || sum_to < p->to_ymd))
		rc = load_facts(s, out, sum_to ? report_ymd_next(sum_to) : p->from_ymd, p->to_ymd,
				dept);
	if (rc < 0)
		goto fail;
	for (int i = 0; i < out->n; i++)
		report_day_sort(&out->b[i].day);
	return 0;
fail:
	report_periodic_free(out);
	return rc;
}
