/*
 * The SQL of reports, and the center's days they are counted in.
 *
 * Every query takes a day as [start, end) milliseconds, computed here with
 * clock_day_start/clock_day_end in the center's zone, and bounds an indexed
 * timestamp with it (report.h lists which). Reports only read: nothing
 * here begins a transaction.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "report/report.h"
#include "store/store.h"

#define DAY_MS 86400000LL
#define HOUR_MS 3600000LL

static const char *const sla_figure_names[RSF_COUNT] = {
	"started", "met_on_time", "met_late", "breached", "running",
};

static const char *const outcome_names[RO_COUNT] = {
	"opened",   "archived", "cancelled", "escalated",    "started",	    "met",	"met_late",
	"breached", "running",	"accepted",  "not_accepted", "unreachable", "new_need",
};

const char *report_sla_figure_name(enum report_sla_figure f)
{
	return f < RSF_COUNT ? sla_figure_names[f] : "unknown";
}

const char *report_outcome_name(enum report_outcome o)
{
	return o < RO_COUNT ? outcome_names[o] : "unknown";
}

int report_outcome_parse(const char *name)
{
	for (int i = 0; name && i < RO_COUNT; i++)
		if (strcmp(outcome_names[i], name) == 0)
			return i;
	return -1;
}

int report_outcome_needs_metric(enum report_outcome o)
{
	return o >= RO_STARTED && o <= RO_RUNNING;
}

static void copy_text(char *dst, size_t size, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= size)
		n = size - 1;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

int report_date_valid(int y, int m, int d)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

/*
 * The first millisecond of a local date. UTC noon of the date is that
 * date in every zone from UTC−12 to UTC+11; a zone further east (up to
 * +14) is already on the next date there, so step back half a day. The
 * start of the local day holding that instant is then clock_day_start's
 * answer, DST and all.
 */
int64_t report_day_start(int ymd)
{
	int64_t t =
		clock_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100) * DAY_MS + 12 * HOUR_MS;
	int got = clock_local_ymd(t);

	if (got > ymd)
		t -= 12 * HOUR_MS;
	else if (got < ymd)
		t += 12 * HOUR_MS;
	return clock_day_start(t);
}

static int ymd_valid(int ymd)
{
	return report_date_valid(ymd / 10000, ymd / 100 % 100, ymd % 100);
}

int report_days_make(int from_ymd, int to_ymd, struct report_days *out)
{
	int64_t n;

	if (!ymd_valid(from_ymd) || !ymd_valid(to_ymd))
		return ERR_INVALID;
	n = clock_days_from_civil(to_ymd / 10000, to_ymd / 100 % 100, to_ymd % 100) -
	    clock_days_from_civil(from_ymd / 10000, from_ymd / 100 % 100, from_ymd % 100) + 1;
	if (n < 1 || n > REPORT_DAYS_MAX)
		return ERR_INVALID;
	out->n = (int)n;
	out->start[0] = report_day_start(from_ymd);
	/* Each day ends where the next begins: 23 or 25 hours long across a DST change. */
	for (int i = 0; i < out->n; i++) {
		out->ymd[i] = clock_local_ymd(out->start[i]);
		out->start[i + 1] = clock_day_end(out->start[i]);
	}
	return 0;
}

/* The day of [start[0], start[n]) that holds `at`, or -1. */
static int day_of(const struct report_days *d, int64_t at)
{
	int lo = 0, hi = d->n;

	if (at < d->start[0] || at >= d->start[d->n])
		return -1;
	while (hi - lo > 1) {
		int mid = (lo + hi) / 2;

		if (at >= d->start[mid])
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Grows an array of `size`-byte elements to hold one more; 0 or ERR_NOMEM. */
static int grow(void **p, int *cap, int n, size_t size)
{
	void *q;
	int next;

	if (n < *cap)
		return 0;
	next = *cap ? *cap * 2 : 16;
	q = realloc(*p, (size_t)next * size);
	if (!q)
		return ERR_NOMEM;
	*p = q;
	*cap = next;
	return 0;
}

/*
 * The cell of a department and class on a day, added if new. A day holds
 * a few dozen cells (departments × classes), so a linear search is the
 * cheap way; NULL when memory runs out.
 */
struct report_cell *report_day_cell(struct report_day *d, int64_t dept, const char *cls)
{
	struct report_cell *c;

	for (int i = 0; i < d->ncells; i++)
		if (d->cells[i].department_id == dept && strcmp(d->cells[i].class_code, cls) == 0)
			return &d->cells[i];
	if (grow((void **)&d->cells, &d->cells_cap, d->ncells, sizeof(*d->cells)) < 0)
		return NULL;
	c = &d->cells[d->ncells++];
	memset(c, 0, sizeof(*c));
	c->department_id = dept;
	copy_text(c->class_code, sizeof(c->class_code), cls);
	return c;
}

void report_cell_add(struct report_cell *dst, const struct report_cell *src)
{
	dst->opened += src->opened;
	dst->archived += src->archived;
	dst->cancelled += src->cancelled;
	dst->escalated += src->escalated;
	for (int m = 0; m < WOM_COUNT; m++)
		for (int f = 0; f < RSF_COUNT; f++)
			dst->sla[m][f] += src->sla[m][f];
	dst->callback_ms += src->callback_ms;
	for (int o = 0; o < WOO_COUNT; o++)
		dst->center_callbacks[o] += src->center_callbacks[o];
}

/* Orders opened on the day, by department, class and level (WO-3 labels). */
static int load_opened(struct store *s, struct report_day *d, int64_t start, int64_t end,
		       int64_t dept)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT COALESCE(department_id, 0), class, COALESCE(level, ''), COUNT(*)"
		" FROM work_order WHERE created_at >= ? AND created_at < ?"
		" AND (? = 0 OR department_id = ?)"
		" GROUP BY COALESCE(department_id, 0), class, COALESCE(level, '')",
		"iiii", start, end, dept, dept);
	int rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		struct report_cell *c = report_day_cell(d, store_col_int(st, 0), store_col_text(st, 1));
		struct report_level *l;

		if (!c || grow((void **)&d->levels, &d->levels_cap, d->nlevels, sizeof(*l)) < 0) {
			rc = ERR_NOMEM;
			break;
		}
		l = &d->levels[d->nlevels++];
		l->department_id = c->department_id;
		copy_text(l->class_code, sizeof(l->class_code), c->class_code);
		STORE_COL_COPY(st, 2, l->level);
		l->opened = store_col_int(st, 3);
		c->opened += l->opened;
	}
	return store_end(st, rc, 0);
}

/*
 * Orders with an audit entry of `action` on the day: how cancellations and
 * escalations are found by time. The engine writes that entry in the same
 * transaction as the change, at the same instant, and audit.at is indexed;
 * work_order keeps no cancel or escalation time and wo_event has no index
 * on at. The "|| ''" keep SQLite from reading every such entry ever
 * through audit_action or audit_entity instead of the day's entries
 * through audit_at (it has no statistics to tell which range is shorter).
 */
#define AUDIT_ORDERS_OF_DAY                                                                        \
	" FROM audit a JOIN work_order o ON o.id = CAST(a.entity_id AS INTEGER)"                   \
	" WHERE a.at >= ? AND a.at < ? AND (a.action || '') = ?"                                   \
	" AND (a.entity || '') = 'work_order'"

static int load_audited(struct store *s, struct report_day *d, int64_t start, int64_t end,
			int64_t dept, const char *action, int cancelled)
{
	struct store_stmt *st = store_query(s,
					    "SELECT COALESCE(o.department_id, 0), o.class,"
					    " COUNT(DISTINCT o.id)" AUDIT_ORDERS_OF_DAY
					    " AND (? = 0 OR o.department_id = ?)"
					    " GROUP BY COALESCE(o.department_id, 0), o.class",
					    "iitii", start, end, action, dept, dept);
	int rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		struct report_cell *c = report_day_cell(d, store_col_int(st, 0), store_col_text(st, 1));

		if (!c) {
			rc = ERR_NOMEM;
			break;
		}
		if (cancelled)
			c->cancelled += store_col_int(st, 2);
		else
			c->escalated += store_col_int(st, 2);
	}
	return store_end(st, rc, 0);
}

/*
 * The day's SLA events (WO-2): clocks started, met and breached. A met
 * clock was on time when it never breached; a clock started that day is
 * still running when it is neither met nor cancelled now.
 */
static int load_sla(struct store *s, struct report_day *d, int64_t start, int64_t end, int64_t dept)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT COALESCE(o.department_id, 0), o.class, e.metric, e.kind, COUNT(*),"
		" SUM(CASE WHEN c.breached = 0 THEN 1 ELSE 0 END),"
		" SUM(CASE WHEN c.state IN ('running', 'paused') THEN 1 ELSE 0 END),"
		" SUM(e.at - c.started_at)"
		" FROM wo_sla_event e JOIN wo_sla c ON c.id = e.sla_id"
		" JOIN work_order o ON o.id = e.order_id"
		" WHERE e.at >= ? AND e.at < ? AND e.kind IN ('started', 'met', 'breached')"
		" AND (? = 0 OR o.department_id = ?)"
		" GROUP BY COALESCE(o.department_id, 0), o.class, e.metric, e.kind",
		"iiii", start, end, dept, dept);
	int rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		int m = wo_metric_parse(store_col_text(st, 2));
		const char *kind = store_col_text(st, 3);
		int64_t n = store_col_int(st, 4), unbreached = store_col_int(st, 5);
		struct report_cell *c;

		if (m < 0 || !kind)
			continue; /* a metric this build does not know: nothing to file it under */
		c = report_day_cell(d, store_col_int(st, 0), store_col_text(st, 1));
		if (!c) {
			rc = ERR_NOMEM;
			break;
		}
		if (strcmp(kind, "started") == 0) {
			c->sla[m][RSF_STARTED] += n;
			c->sla[m][RSF_RUNNING] += store_col_int(st, 6);
		} else if (strcmp(kind, "met") == 0) {
			c->sla[m][RSF_MET_ON_TIME] += unbreached;
			c->sla[m][RSF_MET_LATE] += n - unbreached;
			/* The callback clock starts at dispatch: met is dispatch → call. */
			if (m == WOM_CALLBACK)
				c->callback_ms += store_col_int(st, 7);
		} else {
			c->sla[m][RSF_BREACHED] += n;
		}
	}
	return store_end(st, rc, 0);
}

/*
 * The orders with a center callback on the day, found through the
 * "order.callback" audit entry each attempt writes (written before
 * migration 46's index wo_callback_attempt_at); their attempts are then
 * read by order.
 */
#define CALLBACK_ORDERS_OF_DAY                                                                     \
	" t.order_id IN (SELECT CAST(a.entity_id AS INTEGER) FROM audit a"                         \
	" WHERE a.at >= ? AND a.at < ? AND (a.action || '') = 'order.callback'"                    \
	" AND (a.entity || '') = 'work_order') AND t.at >= ? AND t.at < ?"

/* CB-3: the day's center callback attempts by outcome (CB-2). */
static int load_callbacks(struct store *s, struct report_day *d, int64_t start, int64_t end,
			  int64_t dept)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT COALESCE(o.department_id, 0), o.class, t.outcome, COUNT(*)"
			    " FROM wo_callback_attempt t JOIN work_order o ON o.id = t.order_id"
			    " WHERE" CALLBACK_ORDERS_OF_DAY " AND (? = 0 OR o.department_id = ?)"
			    " GROUP BY COALESCE(o.department_id, 0), o.class, t.outcome",
			    "iiiiii", start, end, start, end, dept, dept);
	int rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		struct report_cell *c = report_day_cell(d, store_col_int(st, 0), store_col_text(st, 1));
		int o = wo_outcome_parse(store_col_text(st, 2));

		if (!c) {
			rc = ERR_NOMEM;
			break;
		}
		if (o >= 0)
			c->center_callbacks[o] += store_col_int(st, 3);
	}
	return store_end(st, rc, 0);
}

int report_agent_callbacks(struct store *s, int64_t start, int64_t end,
			   int (*row)(void *ctx, const struct report_agent_callbacks *g),
			   void *ctx)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT t.agent_id, t.outcome, COUNT(*)"
			    " FROM wo_callback_attempt t"
			    " WHERE" CALLBACK_ORDERS_OF_DAY " GROUP BY t.agent_id, t.outcome"
			    " ORDER BY t.agent_id",
			    "iiii", start, end, start, end);
	struct report_agent_callbacks g;
	int rc, n = 0;

	memset(&g, 0, sizeof(g));
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		int64_t agent = store_col_int(st, 0);
		int o = wo_outcome_parse(store_col_text(st, 1));

		if (g.agent_id && agent != g.agent_id) {
			if ((rc = row(ctx, &g)) < 0)
				break;
			n++;
			memset(&g, 0, sizeof(g));
		}
		g.agent_id = agent;
		if (o >= 0)
			g.outcome[o] += store_col_int(st, 2);
	}
	if (rc == 0 && g.agent_id) {
		rc = row(ctx, &g);
		n++;
	}
	return store_end(st, rc, n);
}

int report_agent_ratings(struct store *s, int64_t start, int64_t end,
			 int (*row)(void *ctx, const struct report_agent_rating *g), void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT c.agent_id, COUNT(*), SUM(c.satisfaction)"
					    " FROM contact c WHERE c.started_at >= ? AND c.started_at < ?"
					    " AND c.satisfaction BETWEEN 1 AND 5"
					    " GROUP BY c.agent_id ORDER BY c.agent_id",
					    "ii", start, end);
	struct report_agent_rating g;
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		g.agent_id = store_col_int(st, 0);
		g.rated = store_col_int(st, 1);
		g.total = store_col_int(st, 2);
		if ((rc = row(ctx, &g)) < 0)
			break;
		n++;
	}
	return store_end(st, rc, n);
}

/* CALL-3: the day's rated contacts, by the department of the agent who handled them. */
static int load_ratings(struct store *s, struct report_day *d, int64_t start, int64_t end,
			int64_t dept)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT COALESCE(p.department_id, 0), COUNT(*), SUM(c.satisfaction)"
			    " FROM contact c JOIN person p ON p.id = c.agent_id"
			    " WHERE c.started_at >= ? AND c.started_at < ?"
			    " AND c.satisfaction BETWEEN 1 AND 5 AND (? = 0 OR p.department_id = ?)"
			    " GROUP BY COALESCE(p.department_id, 0)",
			    "iiii", start, end, dept, dept);
	int rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		struct report_rating *g;

		if (grow((void **)&d->ratings, &d->ratings_cap, d->nratings, sizeof(*g)) < 0) {
			rc = ERR_NOMEM;
			break;
		}
		g = &d->ratings[d->nratings++];
		g->department_id = store_col_int(st, 0);
		g->rated = store_col_int(st, 1);
		g->total = store_col_int(st, 2);
	}
	return store_end(st, rc, 0);
}

/* Issue 17: the day's calls out (tests apart), by the department of the agent who called. */
static int load_calls_out(struct store *s, struct report_day *d, int64_t start, int64_t end,
			  int64_t dept)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT COALESCE(p.department_id, 0), COUNT(*), COUNT(o.answered_at),"
		" COALESCE(SUM(json_extract(c.metrics, '$.talk_ms')), 0)"
		" FROM call_out o JOIN person p ON p.id = o.agent_id"
		" LEFT JOIN call c ON c.id = o.call_id"
		" WHERE o.requested_at >= ? AND o.requested_at < ? AND o.purpose <> 'test'"
		" AND (? = 0 OR p.department_id = ?)"
		" GROUP BY COALESCE(p.department_id, 0)",
		"iiii", start, end, dept, dept);
	int rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		struct report_calls_out *g;

		if (grow((void **)&d->calls_out, &d->calls_out_cap, d->ncalls_out, sizeof(*g)) < 0) {
			rc = ERR_NOMEM;
			break;
		}
		g = &d->calls_out[d->ncalls_out++];
		g->department_id = store_col_int(st, 0);
		g->attempts = store_col_int(st, 1);
		g->answered = store_col_int(st, 2);
		g->talk_ms = store_col_int(st, 3);
	}
	return store_end(st, rc, 0);
}

int report_agent_calls_out(struct store *s, int64_t start, int64_t end,
			   int (*row)(void *ctx, const struct report_agent_calls_out *g), void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT o.agent_id, COUNT(*), COUNT(o.answered_at),"
		" COALESCE(SUM(json_extract(c.metrics, '$.talk_ms')), 0)"
		" FROM call_out o LEFT JOIN call c ON c.id = o.call_id"
		" WHERE o.requested_at >= ? AND o.requested_at < ? AND o.purpose <> 'test'"
		" AND o.agent_id IS NOT NULL GROUP BY o.agent_id ORDER BY o.agent_id",
		"ii", start, end);
	struct report_agent_calls_out g;
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		g.agent_id = store_col_int(st, 0);
		g.attempts = store_col_int(st, 1);
		g.answered = store_col_int(st, 2);
		g.talk_ms = store_col_int(st, 3);
		if ((rc = row(ctx, &g)) < 0)
			break;
		n++;
	}
	return store_end(st, rc, n);
}

/*
 * Orders archived in the range. archived_at has no index; archive_month
 * (the local YYYYMM of archived_at, WO-7) has, so the query reads the
 * months the range touches once, and each row is put into its day here.
 */
static int load_archived(struct store *s, struct report_daily *r, int64_t dept)
{
	const struct report_days *days = &r->days;
	struct store_stmt *st = store_query(
		s,
		"SELECT archived_at, COALESCE(department_id, 0), class FROM work_order"
		" WHERE archive_month >= ? AND archive_month <= ?"
		" AND archived_at >= ? AND archived_at < ? AND (? = 0 OR department_id = ?)",
		"iiiiii", (int64_t)wo_archive_month(days->start[0]),
		(int64_t)wo_archive_month(days->start[days->n] - 1), days->start[0],
		days->start[days->n], dept, dept);
	int rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		int i = day_of(days, store_col_int(st, 0));
		struct report_cell *c;

		if (i < 0)
			continue;
		c = report_day_cell(&r->day[i], store_col_int(st, 1), store_col_text(st, 2));
		if (!c) {
			rc = ERR_NOMEM;
			break;
		}
		c->archived++;
	}
	return store_end(st, rc, 0);
}

/* Departments by id with "none" (0) last, then classes, then levels. */
static int dept_order(int64_t a, int64_t b)
{
	if (a == b)
		return 0;
	if (!a || !b)
		return a ? -1 : 1;
	return a < b ? -1 : 1;
}

static int compare_cell(const void *pa, const void *pb)
{
	const struct report_cell *a = pa, *b = pb;
	int c = dept_order(a->department_id, b->department_id);

	return c ? c : strcmp(a->class_code, b->class_code);
}

static int compare_level(const void *pa, const void *pb)
{
	const struct report_level *a = pa, *b = pb;
	int c = dept_order(a->department_id, b->department_id);

	if (!c)
		c = strcmp(a->class_code, b->class_code);
	return c ? c : strcmp(a->level, b->level);
}

static int compare_rating(const void *pa, const void *pb)
{
	const struct report_rating *a = pa, *b = pb;

	return dept_order(a->department_id, b->department_id);
}

static int compare_calls_out(const void *pa, const void *pb)
{
	const struct report_calls_out *a = pa, *b = pb;

	return dept_order(a->department_id, b->department_id);
}

int report_daily_load(struct store *s, struct report_daily *r, int64_t dept)
{
	int rc = 0;

	memset(r->day, 0, sizeof(r->day));
	for (int i = 0; rc == 0 && i < r->days.n; i++) {
		struct report_day *d = &r->day[i];
		int64_t start = r->days.start[i], end = r->days.start[i + 1];

		rc = load_opened(s, d, start, end, dept);
		if (rc == 0)
			rc = load_audited(s, d, start, end, dept, "order.cancel", 1);
		if (rc == 0)
			rc = load_audited(s, d, start, end, dept, "order.escalated", 0);
		if (rc == 0)
			rc = load_sla(s, d, start, end, dept);
		if (rc == 0)
			rc = load_callbacks(s, d, start, end, dept);
		if (rc == 0)
			rc = load_ratings(s, d, start, end, dept);
		if (rc == 0)
			rc = load_calls_out(s, d, start, end, dept);
	}
	if (rc == 0)
		rc = load_archived(s, r, dept);
	if (rc < 0) {
		report_daily_free(r);
		return rc;
	}
	for (int i = 0; i < r->days.n; i++)
		report_day_sort(&r->day[i]);
	return 0;
}

void report_day_sort(struct report_day *d)
{
	if (d->ncells)
		qsort(d->cells, (size_t)d->ncells, sizeof(*d->cells), compare_cell);
	if (d->nlevels)
		qsort(d->levels, (size_t)d->nlevels, sizeof(*d->levels), compare_level);
	if (d->nratings)
		qsort(d->ratings, (size_t)d->nratings, sizeof(*d->ratings), compare_rating);
	if (d->ncalls_out)
		qsort(d->calls_out, (size_t)d->ncalls_out, sizeof(*d->calls_out), compare_calls_out);
}

struct report_level *report_day_level(struct report_day *d, int64_t dept, const char *cls,
				      const char *level)
{
	struct report_level *l;

	for (int i = 0; i < d->nlevels; i++) {
		l = &d->levels[i];
		if (l->department_id == dept && strcmp(l->class_code, cls) == 0 &&
		    strcmp(l->level, level) == 0)
			return l;
	}
	if (grow((void **)&d->levels, &d->levels_cap, d->nlevels, sizeof(*l)) < 0)
		return NULL;
	l = &d->levels[d->nlevels++];
	memset(l, 0, sizeof(*l));
	l->department_id = dept;
	copy_text(l->class_code, sizeof(l->class_code), cls);
	copy_text(l->level, sizeof(l->level), level);
	return l;
}

/*
 * The row of dept in an array of rows that open with their department_id
 * (ratings, calls out), added at zero if new; NULL when memory runs out.
 */
static void *dept_row(void **rows, int *n, int *cap, size_t size, int64_t dept)
{
	char *p;

	for (int i = 0; i < *n; i++) {
		p = (char *)*rows + (size_t)i * size;
		if (*(int64_t *)p == dept)
			return p;
	}
	if (grow(rows, cap, *n, size) < 0)
		return NULL;
	p = (char *)*rows + (size_t)(*n)++ * size;
	memset(p, 0, size);
	*(int64_t *)p = dept;
	return p;
}

_Static_assert(offsetof(struct report_rating, department_id) == 0, "dept_row's rows");
_Static_assert(offsetof(struct report_calls_out, department_id) == 0, "dept_row's rows");

struct report_rating *report_day_rating(struct report_day *d, int64_t dept)
{
	return dept_row((void **)&d->ratings, &d->nratings, &d->ratings_cap, sizeof(*d->ratings),
			dept);
}

struct report_calls_out *report_day_calls_out(struct report_day *d, int64_t dept)
{
	return dept_row((void **)&d->calls_out, &d->ncalls_out, &d->calls_out_cap,
			sizeof(*d->calls_out), dept);
}

int report_day_add(struct report_day *dst, const struct report_day *src)
{
	for (int i = 0; i < src->ncells; i++) {
		const struct report_cell *c = &src->cells[i];
		struct report_cell *to = report_day_cell(dst, c->department_id, c->class_code);

		if (!to)
			return ERR_NOMEM;
		report_cell_add(to, c);
	}
	for (int i = 0; i < src->nlevels; i++) {
		const struct report_level *l = &src->levels[i];
		struct report_level *to =
			report_day_level(dst, l->department_id, l->class_code, l->level);

		if (!to)
			return ERR_NOMEM;
		to->opened += l->opened;
	}
	for (int i = 0; i < src->nratings; i++) {
		struct report_rating *to = report_day_rating(dst, src->ratings[i].department_id);

		if (!to)
			return ERR_NOMEM;
		to->rated += src->ratings[i].rated;
		to->total += src->ratings[i].total;
	}
	for (int i = 0; i < src->ncalls_out; i++) {
		struct report_calls_out *to =
			report_day_calls_out(dst, src->calls_out[i].department_id);

		if (!to)
			return ERR_NOMEM;
		to->attempts += src->calls_out[i].attempts;
		to->answered += src->calls_out[i].answered;
		to->talk_ms += src->calls_out[i].talk_ms;
	}
	return 0;
}

void report_day_free(struct report_day *d)
{
	free(d->cells);
	free(d->levels);
	free(d->ratings);
	free(d->calls_out);
	memset(d, 0, sizeof(*d));
}

void report_daily_free(struct report_daily *r)
{
	for (int i = 0; i < REPORT_DAYS_MAX; i++)
		report_day_free(&r->day[i]);
}

int report_levels(struct store *s, char (*out)[8], int max)
{
	struct store_stmt *st = store_query(s, "SELECT code FROM wo_level ORDER BY rank, code", "");
	int rc = 0, n = 0;

	while (n < max && (rc = store_next(st, NULL, NULL)) == 1)
		STORE_COL_COPY(st, 0, out[n++]);
	return store_end(st, rc, n);
}

/*
 * The drill-down. Each outcome's query has the same WHERE as the figure it
 * explains, and every query gives the same columns: the cursor key, the
 * order, the clock (SLA outcomes) and the attempt (callback outcomes).
 */
#define ITEM_ORDER                                                                                 \
	" o.id, o.number, o.class, o.level, o.state, o.department_id, o.owner_id,"                 \
	" o.escalation_level, o.created_at, o.archived_at"
#define NO_CLOCK " NULL, NULL, NULL, NULL, NULL, NULL, NULL"
#define NO_ATTEMPT " NULL, NULL, NULL, NULL"
#define ITEM_FILTERS " AND (? < 0 OR COALESCE(o.department_id, 0) = ?) AND (? = '' OR o.class = ?)"

static int item_read(struct store_stmt *st, void *dst)
{
	struct report_item *it = dst;

	memset(it, 0, sizeof(*it));
	it->key = store_col_int(st, 0);
	it->order_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, it->number);
	STORE_COL_COPY(st, 3, it->class_code);
	STORE_COL_COPY(st, 4, it->level);
	STORE_COL_COPY(st, 5, it->state);
	it->department_id = store_col_int(st, 6);
	it->owner_id = store_col_int(st, 7);
	it->escalation_level = (int)store_col_int(st, 8);
	it->created_at = store_col_int(st, 9);
	it->archived_at = store_col_int(st, 10);
	if (!store_col_null(st, 11)) {
		it->sla_id = store_col_int(st, 11);
		STORE_COL_COPY(st, 12, it->metric);
		STORE_COL_COPY(st, 13, it->sla_state);
		it->started_at = store_col_int(st, 14);
		it->due_at = store_col_int(st, 15);
		it->met_at = store_col_int(st, 16);
		it->breached = (int)store_col_int(st, 17);
	}
	if (!store_col_null(st, 18)) {
		it->attempt_id = store_col_int(st, 18);
		it->attempt_at = store_col_int(st, 19);
		STORE_COL_COPY(st, 20, it->attempt_outcome);
		it->agent_id = store_col_int(st, 21);
	}
	return 0;
}

static struct store_stmt *prepare_items(struct store *s, const struct report_filter *f, int *idx)
{
	static const char *const audit_action[RO_COUNT] = {
		[RO_CANCELLED] = "order.cancel",
		[RO_ESCALATED] = "order.escalated",
	};
	/* The SLA event behind each clock outcome; "running" is a started clock still open. */
	static const char *const sla_kind[RO_COUNT] = {
		[RO_STARTED] = "started",   [RO_MET] = "met",	      [RO_MET_LATE] = "met",
		[RO_BREACHED] = "breached", [RO_RUNNING] = "started",
	};
	struct store_stmt *st = NULL;
	int64_t late;

	*idx = 1;
	switch (f->outcome) {
	case RO_OPENED:
		/*
		 * "o.id + 0": with the cursor bound, SQLite would otherwise walk the
		 * table by id from the cursor (all of it on the first page) instead
		 * of the day's range of wo_created.
		 */
		st = store_query(s,
				 "SELECT o.id," ITEM_ORDER "," NO_CLOCK "," NO_ATTEMPT
				 " FROM work_order o WHERE o.created_at >= ? AND o.created_at < ?"
				 " AND o.id + 0 > ?" ITEM_FILTERS " ORDER BY o.id LIMIT ?",
				 "ii", f->start, f->end);
		*idx = 3;
		break;
	case RO_ARCHIVED:
		/* A day lies in one month, so archive_month pins the index to it. */
		st = store_query(s,
				 "SELECT o.id," ITEM_ORDER "," NO_CLOCK "," NO_ATTEMPT
				 " FROM work_order o WHERE o.archive_month = ?"
				 " AND o.archived_at >= ? AND o.archived_at < ?"
				 " AND o.id > ?" ITEM_FILTERS " ORDER BY o.id LIMIT ?",
				 "iii", (int64_t)wo_archive_month(f->start), f->start, f->end);
		*idx = 4;
		break;
	case RO_CANCELLED:
	case RO_ESCALATED:
		st = store_query(s,
				 "SELECT DISTINCT o.id," ITEM_ORDER "," NO_CLOCK
				 "," NO_ATTEMPT AUDIT_ORDERS_OF_DAY
				 " AND CAST(a.entity_id AS INTEGER) > ?" ITEM_FILTERS
				 " ORDER BY o.id LIMIT ?",
				 "iit", f->start, f->end, audit_action[f->outcome]);
		*idx = 4;
		break;
	case RO_STARTED:
	case RO_MET:
	case RO_MET_LATE:
	case RO_BREACHED:
	case RO_RUNNING:
		late = f->outcome == RO_MET ? 0 : f->outcome == RO_MET_LATE ? 1 : -1;
		st = store_query(s,
				 "SELECT e.sla_id," ITEM_ORDER
				 ", c.id, c.metric, c.state, c.started_at,"
				 " c.due_at, c.met_at, c.breached," NO_ATTEMPT
				 " FROM wo_sla_event e JOIN wo_sla c ON c.id = e.sla_id"
				 " JOIN work_order o ON o.id = e.order_id"
				 " WHERE e.at >= ? AND e.at < ? AND e.kind = ? AND e.metric = ?"
				 " AND (? < 0 OR c.breached = ?)"
				 " AND (? = 0 OR c.state IN ('running', 'paused'))"
				 " AND e.sla_id > ?" ITEM_FILTERS " ORDER BY e.sla_id LIMIT ?",
				 "iittiii", f->start, f->end, sla_kind[f->outcome],
				 wo_metric_name((enum wo_metric)f->metric), late, late,
				 (int64_t)(f->outcome == RO_RUNNING));
		*idx = 8;
		break;
	case RO_CB_ACCEPTED:
	case RO_CB_NOT_ACCEPTED:
	case RO_CB_UNREACHABLE:
	case RO_CB_NEW_NEED:
		st = store_query(
			s,
			"SELECT t.id," ITEM_ORDER "," NO_CLOCK ","
			" t.id, t.at, t.outcome, t.agent_id"
			" FROM wo_callback_attempt t JOIN work_order o ON o.id = t.order_id"
			" WHERE" CALLBACK_ORDERS_OF_DAY " AND t.outcome = ?"
			" AND t.id > ?" ITEM_FILTERS " ORDER BY t.id LIMIT ?",
			"iiiit", f->start, f->end, f->start, f->end,
			wo_outcome_name((enum wo_outcome)(f->outcome - RO_CB_ACCEPTED)));
		*idx = 6;
		break;
	case RO_COUNT:
		break;
	}
	return st;
}

int report_orders(struct store *s, const struct report_filter *f,
		  int (*row)(void *ctx, const struct report_item *it), void *ctx)
{
	const char *cls = f->class_code ? f->class_code : "";
	struct report_item it;
	struct store_stmt *st;
	int idx, rc, n = 0;

	if (f->outcome >= RO_COUNT ||
	    (report_outcome_needs_metric(f->outcome) && (f->metric < 0 || f->metric >= WOM_COUNT)))
		return ERR_INVALID;
	st = prepare_items(s, f, &idx);
	/* The tail every drill-down query shares: cursor, ITEM_FILTERS and the page. */
	rc = store_bindf(st, idx, "iiitti", f->after, f->department_id, f->department_id, cls, cls,
			 (int64_t)f->limit);
	if (rc == 0) {
		while ((rc = store_next(st, item_read, &it)) == 1 && (rc = row(ctx, &it)) >= 0)
			n++;
	}
	return store_end(st, rc, n);
}

static int overdue_read(struct store_stmt *st, void *dst)
{
	struct report_overdue *o = dst;

	memset(o, 0, sizeof(*o));
	o->sla_id = store_col_int(st, 0);
	o->order_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, o->number);
	STORE_COL_COPY(st, 3, o->class_code);
	STORE_COL_COPY(st, 4, o->level);
	STORE_COL_COPY(st, 5, o->state);
	o->department_id = store_col_int(st, 6);
	STORE_COL_COPY(st, 7, o->department);
	o->owner_id = store_col_int(st, 8);
	STORE_COL_COPY(st, 9, o->owner);
	STORE_COL_COPY(st, 10, o->owner_work_no);
	STORE_COL_COPY(st, 11, o->metric);
	o->due_at = store_col_int(st, 12);
	o->escalation_level = (int)store_col_int(st, 13);
	return 0;
}

int report_overdue_list(struct store *s, int64_t dept, int64_t after, int limit,
			int (*row)(void *ctx, const struct report_overdue *o), void *ctx)
{
	/*
	 * The subquery's WHERE is that of the partial index of overdue clocks
	 * (wo_sla_overdue), so it reads only those; written as a join with
	 * ORDER BY c.id, SQLite walks all of wo_sla in id order instead.
	 */
	struct store_stmt *st = store_query(
		s,
		"SELECT c.id, o.id, o.number, o.class, o.level, o.state, o.department_id, d.name,"
		" o.owner_id, p.name, p.work_no, c.metric, c.due_at, o.escalation_level"
		" FROM wo_sla c JOIN work_order o ON o.id = c.order_id"
		" LEFT JOIN department d ON d.id = o.department_id"
		" LEFT JOIN person p ON p.id = o.owner_id"
		" WHERE c.id IN (SELECT id FROM wo_sla WHERE state = 'running' AND breached = 1)"
		" AND c.id > ? AND (? = 0 OR o.department_id = ?) ORDER BY c.id LIMIT ?",
		"iiii", after, dept, dept, limit > 0 ? (int64_t)limit : INT64_MAX);
	struct report_overdue o;
	int rc, n = 0;

	while ((rc = store_next(st, overdue_read, &o)) == 1 && (rc = row(ctx, &o)) >= 0)
		n++;
	return store_end(st, rc, n);
}
