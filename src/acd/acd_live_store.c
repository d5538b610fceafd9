/*
 * The SQL of the live figures (the call table of migrations 4 and 5, read
 * only) and of callback requests (acd_callback). Nothing here begins or
 * commits a transaction.
 *
 * Cost: the period's calls are read through the partial index
 * call_queued(queued_at), so a day costs that day's calls whatever the
 * table holds (10⁶–10⁷ rows over the years); the calls waiting now through
 * call_waiting, which holds only them; open callback requests through
 * acd_callback_open. Each query groups by queue in the database and hands
 * over one row per queue.
 */
#include <stdio.h>
#include <string.h>

#include "acd/acd.h"
#include "store/store.h"

/* The entry of a queue in out[0..*n), added when new and there is room; NULL when full. */
static struct acd_live_queue *slot(struct acd_live_queue *out, int max, int *n, const char *code)
{
	if (!code)
		code = "";
	for (int i = 0; i < *n; i++)
		if (strcmp(out[i].code, code) == 0)
			return &out[i];
	if (*n >= max)
		return NULL;
	memset(&out[*n], 0, sizeof(out[*n]));
	snprintf(out[*n].code, sizeof(out[*n].code), "%s", code);
	return &out[(*n)++];
}

static int load_queues(struct store *s, struct acd_live_queue *out, int max, int *n)
{
	struct store_stmt *st =
		store_query(s, "SELECT code, name FROM acd_queue ORDER BY code", "");
	int rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		struct acd_live_queue *q = slot(out, max, n, store_col_text(st, 0));

		if (!q)
			continue;
		q->known = 1;
		STORE_COL_COPY(st, 1, q->name);
	}
	return store_end(st, rc, 0);
}

/*
 * Walks rows of a queue's code and its figures: read fills the figures of
 * a row, which count for its queue (while out has room) and for the total.
 */
static int add_rows(struct store_stmt *st, store_read_fn *read, struct acd_live_queue *out, int max,
		    int *n, struct acd_live_counts *total)
{
	struct acd_live_counts c;
	int rc;

	while ((rc = store_next(st, read, &c)) == 1) {
		struct acd_live_queue *q = slot(out, max, n, store_col_text(st, 0));

		if (q)
			acd_live_add(&q->c, &c);
		acd_live_add(total, &c);
	}
	return store_end(st, rc, 0);
}

static int period_read(struct store_stmt *st, void *dst)
{
	struct acd_live_counts *c = dst;

	memset(c, 0, sizeof(*c));
	c->offered = store_col_int(st, 1);
	c->answered = store_col_int(st, 2);
	c->answered_in_sl = store_col_int(st, 3);
	c->answer_ms = store_col_int(st, 4);
	c->abandoned = store_col_int(st, 5);
	c->callbacks = store_col_int(st, 6);
	c->waiting_young = store_col_int(st, 7);
	return 0;
}

/* The calls that entered a queue in [from, to). */
static int load_period(struct store *s, int64_t from, int64_t to, int64_t now, int64_t sl_ms,
		       struct acd_live_queue *out, int max, int *n, struct acd_live_counts *total)
{
	return add_rows(
		store_query(
			s,
			"SELECT queue, count(*),"
			" sum(CASE WHEN connected_at IS NOT NULL THEN 1 ELSE 0 END),"
			" sum(CASE WHEN connected_at - queued_at <= ? THEN 1 ELSE 0 END),"
			" coalesce(sum(connected_at - queued_at), 0),"
			" sum(CASE WHEN outcome = 'abandoned' THEN 1 ELSE 0 END),"
			" sum(CASE WHEN outcome = 'callback' THEN 1 ELSE 0 END),"
			" sum(CASE WHEN connected_at IS NULL AND ended_at IS NULL AND queued_at > ?"
			"  THEN 1 ELSE 0 END)"
			" FROM call WHERE queued_at >= ? AND queued_at < ? GROUP BY queue",
			"iiii", sl_ms, now - sl_ms, from, to),
		period_read, out, max, n, total);
}

static int waiting_read(struct store_stmt *st, void *dst)
{
	struct acd_live_counts *c = dst;

	memset(c, 0, sizeof(*c));
	c->waiting = store_col_int(st, 1);
	c->oldest_queued_at = store_col_int(st, 2);
	return 0;
}

/* The calls in a queue now, whenever they entered it. */
static int load_waiting(struct store *s, struct acd_live_queue *out, int max, int *n,
			struct acd_live_counts *total)
{
	/* The WHERE is call_waiting's own condition, so that index is all it reads. */
	return add_rows(store_query(s,
				    "SELECT queue, count(*), min(queued_at) FROM call"
				    " WHERE queued_at IS NOT NULL AND connected_at IS NULL"
				    " AND ended_at IS NULL GROUP BY queue",
				    ""),
			waiting_read, out, max, n, total);
}

static int open_read(struct store_stmt *st, void *dst)
{
	struct acd_live_counts *c = dst;

	memset(c, 0, sizeof(*c));
	c->callbacks_open = store_col_int(st, 1);
	return 0;
}

static int load_open_callbacks(struct store *s, struct acd_live_queue *out, int max, int *n,
			       struct acd_live_counts *total)
{
	return add_rows(store_query(s,
				    "SELECT queue, count(*) FROM acd_callback"
				    " WHERE state = 'open' GROUP BY queue",
				    ""),
			open_read, out, max, n, total);
}

int acd_live_load(struct store *s, int64_t from, int64_t to, int64_t now, int sl_sec,
		  struct acd_live_queue *out, int max, int *n, struct acd_live_counts *total)
{
	int rc;

	*n = 0;
	memset(total, 0, sizeof(*total));
	rc = load_queues(s, out, max, n);
	if (rc == 0)
		rc = load_period(s, from, to, now, (int64_t)sl_sec * 1000, out, max, n, total);
	if (rc == 0)
		rc = load_waiting(s, out, max, n, total);
	if (rc == 0)
		rc = load_open_callbacks(s, out, max, n, total);
	return rc;
}

/* -- Callback requests -- */

#define CALLBACK_COLS                                                                              \
	"c.id, c.call_id, c.queue, q.name, c.phone, c.requested_at, c.state, c.handled_by,"        \
	" c.handled_at, c.note"
#define CALLBACK_FROM " FROM acd_callback c LEFT JOIN acd_queue q ON q.code = c.queue"

static int callback_read(struct store_stmt *st, void *dst)
{
	struct acd_callback *out = dst;
	const char *state = store_col_text(st, 6);

	memset(out, 0, sizeof(*out));
	out->id = store_col_int(st, 0);
	out->call_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, out->queue);
	STORE_COL_COPY(st, 3, out->queue_name);
	STORE_COL_COPY(st, 4, out->phone);
	out->requested_at = store_col_int(st, 5);
	out->done = state && strcmp(state, "done") == 0;
	out->handled_by = store_col_int(st, 7);
	out->handled_at = store_col_int(st, 8);
	STORE_COL_COPY(st, 9, out->note);
	return 0;
}

int acd_callback_list(struct store *s, const struct acd_callback_filter *f,
		      int (*row)(void *ctx, const struct acd_callback *c), void *ctx)
{
	int64_t before = f->before_id ? f->before_id : INT64_MAX;
	/*
	 * Two statements. Done requests are most rows: read by id. Open ones are
	 * few: taken from the partial index acd_callback_open (the subquery),
	 * which a plain "state = 'open' AND id < ?" would not use, SQLite
	 * preferring to walk every row down from the cursor.
	 */
	struct store_stmt *st = f->done ? store_query(s,
						      "SELECT " CALLBACK_COLS CALLBACK_FROM
						      " WHERE c.state = 'done' AND c.id < ?"
						      " ORDER BY c.id DESC LIMIT ?",
						      "ii", before, (int64_t)f->limit)
					: store_query(s,
						      "SELECT " CALLBACK_COLS CALLBACK_FROM
						      " WHERE c.id IN (SELECT id FROM acd_callback"
						      "  WHERE state = 'open') AND c.id < ?"
						      " ORDER BY c.id DESC LIMIT ?",
						      "ii", before, (int64_t)f->limit);
	struct acd_callback c;
	int rc, count = 0;

	while ((rc = store_next(st, callback_read, &c)) == 1 && (rc = row(ctx, &c)) >= 0)
		count++;
	return store_end(st, rc, count);
}

int acd_callback_get(struct store *s, int64_t id, struct acd_callback *out)
{
	return store_one(
		store_query(s, "SELECT " CALLBACK_COLS CALLBACK_FROM " WHERE c.id = ?", "i", id),
		callback_read, out);
}

int acd_callback_mark_done(struct store *s, int64_t id, int64_t by, int64_t now, const char *note)
{
	struct acd_callback c;
	/* Conditional: of two people marking it at once (or two nodes) one wins. */
	int rc = store_run(s,
			   "UPDATE acd_callback SET state = 'done', handled_by = ?, handled_at = ?,"
			   " note = ? WHERE id = ? AND state = 'open'",
			   NULL, "iiti", by, now, note && note[0] ? note : NULL, id);

	if (rc < 0)
		return rc;
	if (store_changes(s) == 1)
		return 0;
	rc = acd_callback_get(s, id, &c);
	return rc < 0 ? rc : ERR_CONFLICT;
}

int acd_callback_insert(struct store *s, int64_t call_id, const char *queue, const char *phone,
			int64_t now, int64_t *id)
{
	int rc = store_run(s, "SELECT 1 FROM call WHERE id = ?", NULL, "i", call_id);

	if (rc == 0)
		return ERR_NOTFOUND;
	if (rc == 1)
		rc = store_run(s, "SELECT 1 FROM acd_queue WHERE code = ?", NULL, "t", queue);
	if (rc == 0)
		return ERR_INVALID;
	if (rc == 1)
		rc = store_run(s,
			       "INSERT INTO acd_callback(call_id, queue, phone, requested_at)"
			       " VALUES (?, ?, ?, ?) RETURNING id",
			       id, "itti", call_id, queue, phone, now);
	return rc < 0 ? rc : 0;
}
