/*
 * The call report's SQL (report.h, "Calls"): a day's figures from the call
 * log, the summary kind "calls" that keeps them per closed day (build,
 * first, changed; migration 45), the reader of a period that joins the
 * summary and the facts, and the calls behind a figure.
 *
 * What a day costs. The day's inbound calls come through the index
 * call_direction (direction, started_at), its calls out through
 * call_out_requested and its callback requests through
 * acd_callback_requested (migration 45); the abandon reason reads the
 * abandoned call's events through call_event_call. A summary day is at
 * most 24 × (queues + 1) rows, so a year is read from about 50,000 rows
 * of report_call_hour in key order (docs/performance.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/config.h"
#include "report/report.h"
#include "store/store.h"

#define HOUR_MS 3600000
#define DAY_CELLS_MAX (24 * 64)

/* The reason a call left the queue unanswered, or '' (CALL-R5). */
#define REASON_SQL                                                                                 \
	"CASE c.outcome WHEN 'abandoned' THEN CASE WHEN EXISTS (SELECT 1 FROM call_event e"       \
	" WHERE e.call_id = c.id AND e.kind = 'offer_cancelled'"                                   \
	" AND json_extract(e.detail, '$.reason') = 'caller_gone') THEN 'ringing'"                  \
	" WHEN c.ended_at - c.queued_at < 5000 THEN 'queue_short' ELSE 'queue' END"                \
	" WHEN 'ivr' THEN 'ivr' WHEN 'callback' THEN 'callback' ELSE '' END"

/* The daily answer-rate test's own calls to the hotline (LED-2) are not
 * callers: a call out of purpose "test" names the inbound call it became.
 * Read once per statement through call_out_requested (a test asked for in
 * the hour before the period may ring into it). */
#define NOT_TEST(start, end)                                                                       \
	" AND c.id NOT IN (SELECT call_id FROM call_out WHERE purpose = 'test'"                    \
	" AND call_id IS NOT NULL AND requested_at >= " start " - 3600000"                         \
	" AND requested_at < " end ")"

/* The hour of the day of a time t in the day that starts at ?1. */
#define HOUR_OF(t) "MIN(23, MAX(0, (" t " - ?1) / 3600000))"

/* One day's cells in memory, before they go to the summary or the reader. */
struct day_cell {
	int hour;
	char queue[REPORT_CALL_QUEUE_MAX];
	struct report_call_figs f;
};
struct day {
	struct day_cell *c;
	int n, cap;
};

static struct report_call_figs *day_at(struct day *d, int hour, const char *queue)
{
	for (int i = 0; i < d->n; i++)
		if (d->c[i].hour == hour && strcmp(d->c[i].queue, queue) == 0)
			return &d->c[i].f;
	if (d->n == d->cap) {
		int cap = d->cap ? d->cap * 2 : 64;
		struct day_cell *c;

		if (cap > DAY_CELLS_MAX)
			return NULL;
		c = realloc(d->c, (size_t)cap * sizeof(*c));
		if (!c)
			return NULL;
		d->c = c;
		d->cap = cap;
	}
	memset(&d->c[d->n], 0, sizeof(d->c[d->n]));
	d->c[d->n].hour = hour;
	snprintf(d->c[d->n].queue, sizeof(d->c[d->n].queue), "%s", queue);
	return &d->c[d->n++].f;
}

int report_call_sl_sec(struct store *s)
{
	int64_t v = 20;
	int rc = store_run(s, "SELECT sl_sec FROM report_call_state WHERE id = 1", &v, "");

	return rc < 0 ? rc : (int)v;
}

/* The figures of the day [start, end) from the call log, into d (CALL-R1..R8). */
static int day_facts(struct store *s, int64_t start, int64_t end, const char *queue, int sl_sec,
		     struct day *d)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT " HOUR_OF("c.started_at") ", COALESCE(c.queue, ''), COUNT(*),"
		" SUM(c.outcome = 'ivr'), SUM(c.outcome = 'closed'), COUNT(c.queued_at),"
		" SUM(c.queued_at IS NOT NULL AND c.connected_at IS NOT NULL),"
		" SUM(c.queued_at IS NOT NULL AND c.connected_at - c.queued_at <= ?3),"
		" SUM(c.queued_at IS NOT NULL AND c.connected_at IS NULL AND c.ended_at IS NULL),"
		" SUM(reason = 'queue_short'), SUM(reason = 'queue'), SUM(reason = 'ringing'),"
		" SUM(c.outcome = 'callback'),"
		" SUM(CASE WHEN c.queued_at IS NOT NULL THEN c.connected_at - c.queued_at END),"
		" MAX(COALESCE(c.connected_at, c.ended_at) - c.queued_at),"
		" SUM(CASE WHEN c.queued_at IS NOT NULL AND c.connected_at IS NOT NULL"
		"  THEN json_extract(c.metrics, '$.talk_ms') END)"
		" FROM (SELECT c.*, " REASON_SQL " AS reason FROM call c"
		"  WHERE c.direction = 'in' AND c.started_at >= ?1 AND c.started_at < ?2"
		"  AND (?4 IS NULL OR COALESCE(c.queue, '') = ?4)" NOT_TEST("?1", "?2") ") c"
		" GROUP BY 1, 2",
		"iiit", start, end, (int64_t)sl_sec * 1000, queue);
	int rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		struct report_call_figs *f = day_at(d, (int)store_col_int(st, 0), store_col_text_or(st, 1, ""));

		if (!f) {
			rc = ERR_NOMEM;
			break;
		}
		for (int i = RCF_INBOUND; i <= RCF_TALK_MS; i++)
			f->v[i] += store_col_int(st, 2 + i);
	}
	rc = store_end(st, rc, 0);
	if (rc < 0)
		return rc;

	/* Calls out have no queue here: they count in '' (CALL-R7). */
	if (!queue || !queue[0]) {
		st = store_query(s,
				 "SELECT " HOUR_OF("o.requested_at") ", COUNT(*), COUNT(o.answered_at),"
				 " COALESCE(SUM(json_extract(c.metrics, '$.talk_ms')), 0)"
				 " FROM call_out o LEFT JOIN call c ON c.id = o.call_id"
				 " WHERE o.requested_at >= ?1 AND o.requested_at < ?2"
				 " AND o.purpose <> 'test' GROUP BY 1",
				 "ii", start, end);
		while ((rc = store_next(st, NULL, NULL)) == 1) {
			struct report_call_figs *f = day_at(d, (int)store_col_int(st, 0), "");

			if (!f) {
				rc = ERR_NOMEM;
				break;
			}
			f->v[RCF_OUT] += store_col_int(st, 1);
			f->v[RCF_OUT_ANSWERED] += store_col_int(st, 2);
			f->v[RCF_OUT_TALK_MS] += store_col_int(st, 3);
		}
		rc = store_end(st, rc, 0);
		if (rc < 0)
			return rc;
	}

	st = store_query(s,
			 "SELECT " HOUR_OF("requested_at") ", queue, COUNT(*), SUM(state = 'done')"
			 " FROM acd_callback WHERE requested_at >= ?1 AND requested_at < ?2"
			 " AND (?3 IS NULL OR queue = ?3) GROUP BY 1, 2",
			 "iit", start, end, queue);
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		struct report_call_figs *f = day_at(d, (int)store_col_int(st, 0), store_col_text_or(st, 1, ""));

		if (!f) {
			rc = ERR_NOMEM;
			break;
		}
		f->v[RCF_CB_REQUESTED] += store_col_int(st, 2);
		f->v[RCF_CB_DONE] += store_col_int(st, 3);
	}
	return store_end(st, rc, 0);
}

/* ---- The summary kind ---- */

static int build(struct store *s, int ymd, int64_t start, int64_t end, void *arg)
{
	struct day d = {NULL, 0, 0};
	int sl_sec = report_call_sl_sec(s), rc;

	(void)arg;
	if (sl_sec < 0)
		return sl_sec;
	rc = store_run(s, "DELETE FROM report_call_hour WHERE ymd = ?", NULL, "i", (int64_t)ymd);
	if (rc >= 0)
		rc = day_facts(s, start, end, NULL, sl_sec, &d);
	for (int i = 0; rc >= 0 && i < d.n; i++) {
		const int64_t *v = d.c[i].f.v;

		rc = store_run(
			s,
			"INSERT INTO report_call_hour(ymd, hour, queue, inbound, ivr, closed, queued,"
			" answered, answered_sl, waiting, abandoned_short, abandoned_queue,"
			" abandoned_ringing, callback, wait_ms, wait_max_ms, talk_ms, out_attempts,"
			" out_answered, out_talk_ms, cb_requested, cb_done)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			NULL, "iitiiiiiiiiiiiiiiiiiii", (int64_t)ymd, (int64_t)d.c[i].hour, d.c[i].queue,
			v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12],
			v[13], v[14], v[15], v[16], v[17], v[18]);
	}
	free(d.c);
	return rc < 0 ? rc : 0;
}

static int64_t first(struct store *s, void *arg)
{
	int64_t v = 0;
	int rc;

	(void)arg;
	rc = store_run(s,
		       "SELECT MIN(t) FROM (SELECT MIN(started_at) AS t FROM call"
		       " UNION ALL SELECT MIN(requested_at) FROM call_out"
		       " UNION ALL SELECT MIN(requested_at) FROM acd_callback)",
		       &v, "");
	return rc < 0 ? rc : v;
}

static int mark_time(struct store *s, int64_t t)
{
	return t > 0 ? report_day_mark(s, REPORT_CALL_KIND, clock_local_ymd(t)) : 0;
}

/*
 * What changed closed days since the last round (CALL-R1): every event
 * of a call after the cursor marks the day the call started: a call that
 * ends after midnight, a recording's metrics, a survey. A call out counts
 * on the day it was asked for, which is its call's day but for an attempt
 * asked for in the last seconds before midnight; such an attempt answered
 * after midnight keeps the figures its day was built with (call_out has no
 * index on call_id to find it from the event). Callback requests done since the last
 * round mark the day they were left. A new service-level threshold marks
 * every day of the summary. On the first round nothing is marked: no day
 * is built yet, and building reads the facts as they stand. The cursor
 * is the next call_event id to read (0: the first round).
 */
static int changed(struct store *s, int64_t *cursor, void *arg)
{
	const struct config *cfg = arg;
	int64_t last = 0, cb = 0, cb_last = 0, sl = 0;
	int through = report_sum_through(s, REPORT_CALL_KIND), rc;
	struct store_stmt *st;

	if (through < 0)
		return through;
	rc = store_run(s, "SELECT sl_sec FROM report_call_state WHERE id = 1", &sl, "");
	if (rc >= 0 && cfg && cfg->service_level_sec != sl) {
		rc = store_run(s, "UPDATE report_call_state SET sl_sec = ? WHERE id = 1", NULL, "i",
			       (int64_t)cfg->service_level_sec);
		if (rc >= 0)
			rc = store_run(s,
				       "INSERT INTO report_dirty(kind, ymd) SELECT DISTINCT ?, ymd"
				       " FROM report_call_hour WHERE true ON CONFLICT DO NOTHING",
				       NULL, "t", REPORT_CALL_KIND);
	}
	if (rc >= 0)
		rc = store_run(s, "SELECT COALESCE(MAX(id), 0) FROM call_event", &last, "");
	if (rc >= 0)
		rc = store_run(s, "SELECT cb_cursor FROM report_call_state WHERE id = 1", &cb, "");
	if (rc >= 0)
		rc = store_run(s,
			       "SELECT handled_at FROM acd_callback WHERE handled_at IS NOT NULL"
			       " ORDER BY handled_at DESC LIMIT 1",
			       &cb_last, "");
	if (rc < 0)
		return rc;
	if (*cursor > 0 && through > 0) {
		int64_t end = clock_day_end(report_day_start(through));

		st = store_query(s,
				 "SELECT DISTINCT c.started_at FROM call_event e"
				 " JOIN call c ON c.id = e.call_id"
				 " WHERE e.id >= ? AND e.id <= ? AND c.started_at < ?",
				 "iii", *cursor, last, end);
		while ((rc = store_next(st, NULL, NULL)) == 1 &&
		       (rc = mark_time(s, store_col_int(st, 0))) >= 0)
			;
		rc = store_end(st, rc, 0);
		if (rc < 0)
			return rc;
		st = store_query(s,
				 "SELECT requested_at FROM acd_callback WHERE handled_at > ? AND"
				 " handled_at <= ? AND requested_at < ?",
				 "iii", cb, cb_last, end);
		while ((rc = store_next(st, NULL, NULL)) == 1 &&
		       (rc = mark_time(s, store_col_int(st, 0))) >= 0)
			;
		rc = store_end(st, rc, 0);
		if (rc < 0)
			return rc;
	}
	*cursor = last + 1;
	rc = store_run(s, "UPDATE report_call_state SET cb_cursor = ? WHERE id = 1", NULL, "i",
		       cb_last);
	return rc < 0 ? rc : 0;
}

struct report_kind report_call_kind = {REPORT_CALL_KIND, build, first, changed, NULL};

/* ---- Reading a period ---- */

static int give_day(struct day *d, int ymd, report_call_cell_fn cell, void *ctx, int *n)
{
	int rc = 0;

	for (int i = 0; rc >= 0 && i < d->n; i++) {
		rc = cell(ctx, ymd, d->c[i].hour, d->c[i].queue, &d->c[i].f);
		(*n)++;
	}
	d->n = 0;
	return rc;
}

/* Days from..to (inclusive, none past today) from the call log. */
static int facts_days(struct store *s, int from, int to, const char *queue, int64_t now,
		      report_call_cell_fn cell, void *ctx, int *n)
{
	struct day d = {NULL, 0, 0};
	int today = clock_local_ymd(now), sl_sec = report_call_sl_sec(s), rc = sl_sec;

	if (to > today)
		to = today;
	for (int ymd = from; rc >= 0 && ymd <= to; ymd = report_ymd_next(ymd)) {
		int64_t start = report_day_start(ymd);

		rc = day_facts(s, start, clock_day_end(start), queue, sl_sec, &d);
		if (rc >= 0)
			rc = give_day(&d, ymd, cell, ctx, n);
	}
	free(d.c);
	return rc < 0 ? rc : 0;
}

int report_call_cells_facts(struct store *s, const struct report_period *p, const char *queue,
			    int64_t now, report_call_cell_fn cell, void *ctx)
{
	int n = 0, rc = facts_days(s, p->from_ymd, p->to_ymd, queue, now, cell, ctx, &n);

	return rc < 0 ? rc : n;
}

int report_call_cells(struct store *s, const struct report_period *p, const char *queue,
		      int64_t now, report_call_cell_fn cell, void *ctx)
{
	int through = report_sum_through(s, REPORT_CALL_KIND), n = 0, rc;
	struct store_stmt *st;
	struct report_call_figs f;

	if (through < 0)
		return through;
	if (through < p->from_ymd) {
		rc = facts_days(s, p->from_ymd, p->to_ymd, queue, now, cell, ctx, &n);
		return rc < 0 ? rc : n;
	}
	st = store_query(s,
			 "SELECT ymd, hour, queue, inbound, ivr, closed, queued, answered, answered_sl,"
			 " waiting, abandoned_short, abandoned_queue, abandoned_ringing, callback,"
			 " wait_ms, wait_max_ms, talk_ms, out_attempts, out_answered, out_talk_ms,"
			 " cb_requested, cb_done FROM report_call_hour"
			 " WHERE ymd >= ?1 AND ymd <= ?2 AND (?3 IS NULL OR queue = ?3)"
			 " ORDER BY ymd, hour, queue",
			 "iit", (int64_t)p->from_ymd,
			 (int64_t)(p->to_ymd < through ? p->to_ymd : through), queue);
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		for (int i = 0; i < RCF_COUNT; i++)
			f.v[i] = store_col_int(st, 3 + i);
		rc = cell(ctx, (int)store_col_int(st, 0), (int)store_col_int(st, 1),
			  store_col_text_or(st, 2, ""), &f);
		if (rc < 0)
			break;
		n++;
	}
	rc = store_end(st, rc, 0);
	if (rc >= 0 && through < p->to_ymd)
		rc = facts_days(s, report_ymd_next(through), p->to_ymd, queue, now, cell, ctx, &n);
	return rc < 0 ? rc : n;
}

/* ---- The calls behind a figure ---- */

static int row_read(struct store_stmt *st, void *dst)
{
	struct report_call_row *c = dst;

	c->id = store_col_int(st, 0);
	c->started_at = store_col_int(st, 1);
	c->queued_at = store_col_int(st, 2);
	c->connected_at = store_col_int(st, 3);
	c->ended_at = store_col_int(st, 4);
	STORE_COL_COPY(st, 5, c->caller);
	STORE_COL_COPY(st, 6, c->queue);
	STORE_COL_COPY(st, 7, c->queue_name);
	STORE_COL_COPY(st, 8, c->outcome);
	STORE_COL_COPY(st, 9, c->hangup_first);
	STORE_COL_COPY(st, 10, c->reason);
	c->agent_id = store_col_int(st, 11);
	STORE_COL_COPY(st, 12, c->work_no);
	STORE_COL_COPY(st, 13, c->agent_name);
	c->talk_ms = store_col_int_or(st, 14, -1);
	c->survey = (int)store_col_int(st, 15);
	STORE_COL_COPY(st, 16, c->orders);
	return 0;
}

int report_call_rows(struct store *s, const struct report_call_filter *f,
		     int (*row)(void *ctx, const struct report_call_row *c), void *ctx)
{
	static const char *const where[RCI_COUNT] = {
		[RCI_INBOUND] = "",
		[RCI_IVR] = " AND c.outcome = 'ivr'",
		[RCI_CLOSED] = " AND c.outcome = 'closed'",
		[RCI_QUEUED] = " AND c.queued_at IS NOT NULL",
		[RCI_ANSWERED] = " AND c.queued_at IS NOT NULL AND c.connected_at IS NOT NULL",
		[RCI_ANSWERED_SL] = " AND c.queued_at IS NOT NULL AND c.connected_at IS NOT NULL"
				    " AND c.connected_at - c.queued_at <= ?",
		[RCI_NOT_SL] = " AND c.queued_at IS NOT NULL AND c.connected_at IS NOT NULL"
			       " AND c.connected_at - c.queued_at > ?",
		[RCI_WAITING] = " AND c.queued_at IS NOT NULL AND c.connected_at IS NULL"
				" AND c.ended_at IS NULL",
		[RCI_AB_SHORT] = " AND c.outcome = 'abandoned' AND reason = 'queue_short'",
		[RCI_AB_QUEUE] = " AND c.outcome = 'abandoned' AND reason = 'queue'",
		[RCI_AB_RINGING] = " AND c.outcome = 'abandoned' AND reason = 'ringing'",
		[RCI_CALLBACK] = " AND c.outcome = 'callback'",
	};
	struct store_sql q = STORE_SQL_INIT;
	struct store_stmt *st;
	struct report_call_row c;
	int64_t after_at = -1;
	int rc, n = 0;

	if (f->item < 0 || f->item >= RCI_COUNT)
		return ERR_INVALID;
	if (f->after) {
		rc = store_run(s, "SELECT started_at FROM call WHERE id = ?", &after_at, "i",
			       f->after);
		if (rc < 0)
			return rc;
	}
	store_sql_add(&q,
		      "SELECT c.id, c.started_at, c.queued_at, c.connected_at, c.ended_at, c.caller,"
		      " COALESCE(c.queue, ''), COALESCE(q.name, c.queue, ''), COALESCE(c.outcome, ''),"
		      " COALESCE(c.hangup_first, ''), " REASON_SQL " AS reason,"
		      " p.id, p.work_no, p.name, json_extract(c.metrics, '$.talk_ms'), c.survey,"
		      " (SELECT group_concat(w.number, ',') FROM order_contact oc"
		      "  JOIN work_order w ON w.id = oc.order_id WHERE oc.contact_id = c.contact_id)"
		      " FROM call c LEFT JOIN acd_queue q ON q.code = c.queue"
		      " LEFT JOIN person p ON p.id = c.agent_id AND c.connected_at IS NOT NULL"
		      " WHERE c.direction = 'in' AND c.started_at >= ?1 AND c.started_at < ?2"
		      NOT_TEST("?1", "?2"),
		      "ii", f->hour >= 0 ? f->start + (int64_t)f->hour * HOUR_MS : f->start,
		      f->hour >= 0 ? f->start + (int64_t)(f->hour + 1) * HOUR_MS : f->end);
	if (f->after)
		store_sql_add(&q, " AND (c.started_at, c.id) > (?, ?)", "ii", after_at, f->after);
	if (f->queue)
		store_sql_add(&q, " AND COALESCE(c.queue, '') = ?", "t", f->queue);
	if (f->item == RCI_ANSWERED_SL || f->item == RCI_NOT_SL)
		store_sql_add(&q, where[f->item], "i", (int64_t)f->sl_sec * 1000);
	else
		store_sql_add(&q, where[f->item], "");
	store_sql_add(&q, " ORDER BY c.started_at, c.id", "");
	if (f->limit > 0)
		store_sql_add(&q, " LIMIT ?", "i", (int64_t)f->limit);
	st = store_sql_prepare(s, &q);
	while ((rc = store_next(st, row_read, &c)) == 1 && (rc = row(ctx, &c)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int report_call_queues(struct store *s, int (*row)(void *ctx, const char *code, const char *name),
		       void *ctx)
{
	struct store_stmt *st = store_query(s, "SELECT code, name FROM acd_queue ORDER BY code", "");
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1 &&
	       (rc = row(ctx, store_col_text_or(st, 0, ""), store_col_text_or(st, 1, ""))) >= 0)
		n++;
	return store_end(st, rc, n);
}
