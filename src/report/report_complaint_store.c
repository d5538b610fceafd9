/*
 * The SQL of the complaint statistics (RPT-2, report.h) and of the daily
 * callback report (CB-3): the summary kind "complaints" over migration 46's
 * report_complaint_day, the rows of a period, the orders behind a cell,
 * the callback attempts of a period (wo_callback_attempt_at) and the orders
 * served on site on a day (wo_sla_event_at).
 */
#include <string.h>

#include "core/clock.h"
#include "report/report.h"
#include "store/store.h"

/*
 * One day's complaint orders grouped as the summary keeps them, over
 * [?1, ?2) of work_order.created_at (wo_created) and one department (?3 > 0)
 * or all (?3 = 0). The merchant is the last referral to a merchant.
 */
#define FACTS_SELECT                                                                               \
	" ifnull(w.complaint, ''), ifnull(w.level, ''), ifnull(w.department_id, 0),"               \
	" ifnull((SELECT f.third_party_id FROM wo_referral f JOIN wo_third_party t"                \
	"   ON t.id = f.third_party_id WHERE f.order_id = w.id AND t.kind = 'merchant'"            \
	"   ORDER BY f.id DESC LIMIT 1), 0),"                                                      \
	" ifnull(w.region, ''), COUNT(*), SUM(w.state = 'archived'),"                              \
	" SUM(EXISTS (SELECT 1 FROM wo_sla k WHERE k.order_id = w.id AND k.metric = 'resolve'"     \
	"   AND k.state = 'met' AND k.breached = 0))"
#define FACTS_FROM                                                                                 \
	" FROM work_order w WHERE w.created_at >= ?1 AND w.created_at < ?2"                        \
	" AND w.class IN " REPORT_COMPLAINT_CLASSES                                                \
	" AND (?3 = 0 OR ifnull(w.department_id, 0) = ?3)"                                         \
	" GROUP BY 1, 2, 3, 4, 5"

static int complaint_build(struct store *s, int ymd, int64_t start, int64_t end, void *arg)
{
	int rc = store_run(s, "DELETE FROM report_complaint_day WHERE ymd = ?", NULL, "i",
			   (int64_t)ymd);

	(void)arg;
	if (rc >= 0)
		rc = store_run(s,
			       "INSERT INTO report_complaint_day(complaint, level, department_id,"
			       " merchant_id, region, opened, closed, on_time, ymd)"
			       " SELECT" FACTS_SELECT ", ?4" FACTS_FROM,
			       NULL, "iiii", start, end, (int64_t)0, (int64_t)ymd);
	return rc < 0 ? rc : 0;
}

static int64_t complaint_first(struct store *s, void *arg)
{
	int64_t first = 0;

	(void)arg;
	if (store_run(s,
		      "SELECT MIN(created_at) FROM work_order WHERE class "
		      "IN " REPORT_COMPLAINT_CLASSES,
		      &first, "") < 0)
		return 0;
	return first;
}

#define CHANGED_ROUND 2000 /* events one call reads */

/*
 * Every change of an order writes a wo_event: its opening day is marked.
 * A fresh cursor starts at the newest event, since the first build reads
 * the orders as they stand.
 */
static int complaint_changed(struct store *s, int64_t *cursor, void *arg)
{
	struct store_stmt *st;
	int rc;

	(void)arg;
	if (*cursor == 0) {
		int64_t last = 0;

		rc = store_run(s, "SELECT ifnull(MAX(id), 0) FROM wo_event", &last, "");
		if (rc < 0)
			return rc;
		*cursor = last ? last : -1;
		return 0;
	}
	st = store_query(s,
			 "SELECT e.id, CASE WHEN w.class IN " REPORT_COMPLAINT_CLASSES
			 " THEN w.created_at ELSE 0 END FROM wo_event e JOIN work_order w"
			 " ON w.id = e.order_id WHERE e.id > ? ORDER BY e.id LIMIT ?",
			 "ii", *cursor < 0 ? (int64_t)0 : *cursor, (int64_t)CHANGED_ROUND);
	int ymds[64], n = 0;
	int64_t last = *cursor;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		int64_t created = store_col_int(st, 1);
		int ymd = created ? clock_local_ymd(created) : 0, seen = !created;

		for (int i = 0; i < n && !seen; i++)
			seen = ymds[i] == ymd;
		if (!seen && n == (int)(sizeof(ymds) / sizeof(ymds[0])))
			break; /* the rest at the next round, from this event */
		if (!seen)
			ymds[n++] = ymd;
		last = store_col_int(st, 0);
	}
	rc = store_end(st, rc, 0);
	for (int i = 0; rc >= 0 && i < n; i++)
		rc = report_day_mark(s, "complaints", ymds[i]);
	if (rc >= 0)
		*cursor = last;
	return rc < 0 ? rc : 0;
}

static const struct report_kind complaint_kind = {
	"complaints", complaint_build, complaint_first, complaint_changed, NULL,
};

int report_complaint_kind_add(void)
{
	return report_kind_add(&complaint_kind);
}

static int row_read(struct store_stmt *st, void *dst)
{
	struct report_complaint_row *c = dst;

	STORE_COL_COPY(st, 0, c->complaint);
	STORE_COL_COPY(st, 1, c->level);
	c->department_id = store_col_int(st, 2);
	c->merchant_id = store_col_int(st, 3);
	STORE_COL_COPY(st, 4, c->region);
	c->opened = store_col_int(st, 5);
	c->closed = store_col_int(st, 6);
	c->on_time = store_col_int(st, 7);
	return 0;
}

int report_complaint_rows(struct store *s, int from_ymd, int to_ymd, int64_t department_id,
			  int (*row)(void *ctx, const struct report_complaint_row *c), void *ctx)
{
	struct report_complaint_row c;
	int through = report_sum_through(s, "complaints"), rc = 0, n = 0;

	if (through < 0)
		return through;
	if (through >= from_ymd) {
		struct store_stmt *st = store_query(
			s,
			"SELECT complaint, level, department_id, merchant_id, region, opened, "
			"closed,"
			" on_time, ymd FROM report_complaint_day WHERE ymd >= ? AND ymd <= ?"
			" AND (?3 = 0 OR department_id = ?3)",
			"iii", (int64_t)from_ymd, (int64_t)(through < to_ymd ? through : to_ymd),
			department_id);

		while ((rc = store_next(st, row_read, &c)) == 1) {
			c.ymd = (int)store_col_int(st, 8);
			if ((rc = row(ctx, &c)) < 0)
				break;
			n++;
		}
		rc = store_end(st, rc, n);
		if (rc < 0)
			return rc;
	}
	/* The days the summary does not cover yet (today), from the orders. */
	for (int ymd = through >= from_ymd ? report_ymd_next(through) : from_ymd; ymd <= to_ymd;
	     ymd = report_ymd_next(ymd)) {
		int next = report_ymd_next(ymd);
		struct store_stmt *st =
			store_query(s, "SELECT" FACTS_SELECT FACTS_FROM, "iii",
				    report_day_start(ymd), report_day_start(next), department_id);

		while ((rc = store_next(st, row_read, &c)) == 1) {
			c.ymd = ymd;
			if ((rc = row(ctx, &c)) < 0)
				break;
			n++;
		}
		rc = store_end(st, rc, n);
		if (rc < 0)
			return rc;
	}
	return n;
}

int report_complaint_orders(struct store *s, const struct report_complaint_filter *f,
			    int (*row)(void *ctx, const struct report_item *it, const char *region),
			    void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT w.id, w.number, w.class, ifnull(w.level, ''), w.state,"
		" ifnull(w.department_id, 0), ifnull(w.owner_id, 0), w.escalation_level,"
		" w.created_at, ifnull(w.archived_at, 0), ifnull(w.region, '')"
		" FROM work_order w WHERE w.created_at >= ?1 AND w.created_at < ?2"
		" AND w.class IN " REPORT_COMPLAINT_CLASSES
		" AND (?3 = 0 OR ifnull(w.department_id, 0) = ?3)"
		" AND (?4 IS NULL OR ifnull(w.complaint, '') = ?4)"
		" AND (?5 IS NULL OR ifnull(w.level, '') = ?5)"
		" AND (?6 IS NULL OR ifnull(w.region, '') = ?6)"
		" AND (?7 < 0 OR ifnull((SELECT f.third_party_id FROM wo_referral f"
		"  JOIN wo_third_party t ON t.id = f.third_party_id WHERE f.order_id = w.id"
		"  AND t.kind = 'merchant' ORDER BY f.id DESC LIMIT 1), 0) = ?7)"
		" AND w.id > ?8 ORDER BY w.id LIMIT ?9",
		"iiitttiii", f->start, f->end, f->department_id, f->complaint, f->level, f->region,
		f->merchant_id, f->after, (int64_t)(f->limit > 0 ? f->limit : -1));
	struct report_item it;
	int rc, n = 0;

	memset(&it, 0, sizeof(it));
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		it.key = it.order_id = store_col_int(st, 0);
		STORE_COL_COPY(st, 1, it.number);
		STORE_COL_COPY(st, 2, it.class_code);
		STORE_COL_COPY(st, 3, it.level);
		STORE_COL_COPY(st, 4, it.state);
		it.department_id = store_col_int(st, 5);
		it.owner_id = store_col_int(st, 6);
		it.escalation_level = (int)store_col_int(st, 7);
		it.created_at = store_col_int(st, 8);
		it.archived_at = store_col_int(st, 9);
		if ((rc = row(ctx, &it, store_col_text(st, 10))) < 0)
			break;
		n++;
	}
	return store_end(st, rc, n);
}

int report_complaint_names(struct store *s,
			   int (*row)(void *ctx, const char *kind, const char *key,
				      const char *name),
			   void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT 'complaint', code, name FROM wo_complaint"
		" UNION ALL SELECT 'merchant', CAST(id AS TEXT), name FROM wo_third_party"
		" UNION ALL SELECT 'department', CAST(id AS TEXT), name FROM department",
		"");
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		if ((rc = row(ctx, store_col_text(st, 0), store_col_text(st, 1),
			      store_col_text(st, 2))) < 0)
			break;
		n++;
	}
	return store_end(st, rc, n);
}

/* ---- Callbacks (CB-3) ---- */

/* The number to call: the order's own, else the customer's first on record. */
#define CUSTOMER_PHONE                                                                             \
	"ifnull(w.phone, ifnull((SELECT phone FROM customer_phone"                                 \
	" WHERE customer_id = w.customer_id ORDER BY created_at LIMIT 1), ''))"

int report_cb_attempts(struct store *s, int64_t start, int64_t end, int64_t department_id,
		       int64_t after, int limit,
		       int (*row)(void *ctx, const struct report_cb_attempt *a), void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT t.id, t.at, t.order_id, t.agent_id, ifnull(p.department_id, 0),"
		" ifnull(t.follow_up_id, 0), t.outcome, w.number, w.class,"
		" ifnull(c.name, ''), " CUSTOMER_PHONE ","
		" substr(w.summary, 1, 120), substr(ifnull(t.note, ''), 1, 120),"
		" ifnull(w.department_id, 0)"
		" FROM wo_callback_attempt t JOIN work_order w ON w.id = t.order_id"
		" LEFT JOIN person p ON p.id = t.agent_id"
		" LEFT JOIN customer c ON c.id = w.customer_id"
		" WHERE t.at >= ?1 AND t.at < ?2 AND (?3 = 0 OR ifnull(p.department_id, 0) = ?3)"
		" AND t.id > ?4 ORDER BY t.id LIMIT ?5",
		"iiiii", start, end, department_id, after, (int64_t)(limit > 0 ? limit : -1));
	struct report_cb_attempt a;
	int rc, n = 0;

	memset(&a, 0, sizeof(a));
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		a.id = store_col_int(st, 0);
		a.at = store_col_int(st, 1);
		a.order_id = store_col_int(st, 2);
		a.agent_id = store_col_int(st, 3);
		a.agent_department_id = store_col_int(st, 4);
		a.follow_up_id = store_col_int(st, 5);
		a.outcome = wo_outcome_parse(store_col_text(st, 6));
		STORE_COL_COPY(st, 7, a.number);
		STORE_COL_COPY(st, 8, a.class_code);
		STORE_COL_COPY(st, 9, a.customer);
		STORE_COL_COPY(st, 10, a.phone);
		STORE_COL_COPY(st, 11, a.summary);
		STORE_COL_COPY(st, 12, a.note);
		a.department_id = store_col_int(st, 13);
		if (a.outcome < 0)
			continue;
		if ((rc = row(ctx, &a)) < 0)
			break;
		n++;
	}
	return store_end(st, rc, n);
}

int report_cb_served(struct store *s, int64_t start, int64_t end, int64_t department_id,
		     int (*row)(void *ctx, const struct report_cb_due *d), void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT w.id, ifnull(w.customer_id, 0), ifnull(w.department_id, 0),"
		" ifnull(w.owner_id, 0), MAX(e.at), w.number,"
		" w.class || CASE WHEN w.level IS NULL THEN '' ELSE '-' || w.level END, w.state,"
		" ifnull(c.name, ''), " CUSTOMER_PHONE ","
		" ifnull(w.region, ''),"
		" ifnull((SELECT state FROM wo_callback WHERE order_id = w.id ORDER BY id DESC"
		"  LIMIT 1), ''),"
		" (SELECT COUNT(*) FROM wo_callback_attempt a WHERE a.order_id = w.id),"
		" ifnull((SELECT outcome FROM wo_callback_attempt a WHERE a.order_id = w.id"
		"  ORDER BY a.id DESC LIMIT 1), '')"
		" FROM wo_sla_event e JOIN work_order w ON w.id = e.order_id"
		" LEFT JOIN customer c ON c.id = w.customer_id"
		" WHERE e.at >= ?1 AND e.at < ?2 AND e.metric = 'onsite' AND e.kind = 'met'"
		" AND (?3 = 0 OR ifnull(w.department_id, 0) = ?3)"
		" GROUP BY w.id ORDER BY w.id",
		"iii", start, end, department_id);
	struct report_cb_due d;
	int rc, n = 0;

	memset(&d, 0, sizeof(d));
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		d.order_id = store_col_int(st, 0);
		d.customer_id = store_col_int(st, 1);
		d.department_id = store_col_int(st, 2);
		d.owner_id = store_col_int(st, 3);
		d.served_at = store_col_int(st, 4);
		STORE_COL_COPY(st, 5, d.number);
		STORE_COL_COPY(st, 6, d.label);
		STORE_COL_COPY(st, 7, d.state);
		STORE_COL_COPY(st, 8, d.customer);
		STORE_COL_COPY(st, 9, d.phone);
		STORE_COL_COPY(st, 10, d.region);
		STORE_COL_COPY(st, 11, d.callback_state);
		d.attempts = (int)store_col_int(st, 12);
		STORE_COL_COPY(st, 13, d.last_outcome);
		if ((rc = row(ctx, &d)) < 0)
			break;
		n++;
	}
	return store_end(st, rc, n);
}
