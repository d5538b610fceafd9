/*
 * The SQL of the daily answer-rate test (LED-2; tables out_test_settings
 * and out_test of the migration "daily answer-rate test", out.h) and of the
 * outbound figures over call_out and the call log. Nothing here begins or
 * commits.
 */
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "out/out.h"
#include "store/store.h"

static int schedule_read(struct store_stmt *st, void *dst)
{
	struct out_test_schedule *sch = dst;
	int rc;

	memset(sch, 0, sizeof(*sch));
	sch->enabled = (int)store_col_int(st, 0);
	rc = out_test_times_parse(store_col_text(st, 1), sch);
	STORE_COL_COPY(st, 2, sch->keys);
	sch->wait_sec = (int)store_col_int(st, 3);
	sch->updated_by = store_col_int(st, 4);
	sch->updated_at = store_col_int(st, 5);
	return rc < 0 ? ERR_IO : 0;
}

int out_test_schedule_get(struct store *s, struct out_test_schedule *out)
{
	int rc = store_one(store_query(s,
				       "SELECT enabled, times, keys, wait_sec, updated_by, updated_at"
				       " FROM out_test_settings WHERE id = 1",
				       ""),
			   schedule_read, out);

	if (rc == ERR_NOTFOUND) { /* the row of the migration, deleted by hand */
		memset(out, 0, sizeof(*out));
		out->wait_sec = OUT_TEST_WAIT_DEFAULT;
		rc = 0;
	}
	return rc;
}

int out_test_schedule_put(struct store *s, const struct out_test_schedule *sch, int64_t by,
			  int64_t now)
{
	char times[OUT_TEST_TIMES_MAX * 6 + 1];
	int rc;

	out_test_times_text(sch, times, sizeof(times));
	rc = store_run(s,
		       "INSERT INTO out_test_settings(id, enabled, times, keys, wait_sec, updated_by,"
		       " updated_at) VALUES (1, ?, ?, ?, ?, ?, ?)"
		       " ON CONFLICT(id) DO UPDATE SET enabled = excluded.enabled,"
		       " times = excluded.times, keys = excluded.keys, wait_sec = excluded.wait_sec,"
		       " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
		       NULL, "ittidi", (int64_t)sch->enabled, times, sch->keys,
		       (int64_t)sch->wait_sec, by, now);
	return rc < 0 ? rc : 0;
}

int out_test_insert(struct store *s, int64_t call_out_id, int day, int slot, const char *keys,
		    int wait_sec, int64_t by, int64_t at, int64_t *id)
{
	int rc;

	if (slot >= 0) {
		rc = out_test_slot_taken(s, day, slot);
		if (rc != 0)
			return rc < 0 ? rc : ERR_CONFLICT;
	}
	rc = store_run(s,
		       "INSERT INTO out_test(call_out_id, day, slot, keys, wait_sec, requested_by, at)"
		       " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
		       id, "iintidi", call_out_id, (int64_t)day, (int64_t)slot, keys,
		       (int64_t)wait_sec, by, at);
	return rc < 0 ? rc : 0;
}

int out_test_slot_taken(struct store *s, int day, int slot)
{
	int64_t n = 0;
	int rc = store_run(s, "SELECT count(*) FROM out_test WHERE day = ? AND slot = ?", &n, "ii",
			   (int64_t)day, (int64_t)slot);

	if (rc < 0)
		return rc;
	return n > 0;
}

#define TEST_COLUMNS                                                                               \
	"t.id, t.call_out_id, t.day, t.slot, t.at, t.keys, t.wait_sec, t.requested_by, o.state,"   \
	" o.result, o.call_id, c.started_at, c.connected_at, c.agent_id, p.work_no, p.name"        \
	" FROM out_test t JOIN call_out o ON o.id = t.call_out_id"                                 \
	" LEFT JOIN call c ON c.id = o.call_id LEFT JOIN person p ON p.id = c.agent_id"

static int test_read(struct store_stmt *st, void *dst)
{
	struct out_test_row *r = dst;

	r->id = store_col_int(st, 0);
	r->call_out_id = store_col_int(st, 1);
	r->day = (int)store_col_int(st, 2);
	r->slot = (int)store_col_int_or(st, 3, -1);
	r->at = store_col_int(st, 4);
	STORE_COL_COPY(st, 5, r->keys);
	r->wait_sec = (int)store_col_int(st, 6);
	r->requested_by = store_col_int(st, 7);
	STORE_COL_COPY(st, 8, r->state);
	STORE_COL_COPY(st, 9, r->result);
	r->call_id = store_col_int(st, 10);
	r->started_at = store_col_int(st, 11);
	r->connected_at = store_col_int(st, 12);
	r->agent_id = store_col_int(st, 13);
	STORE_COL_COPY(st, 14, r->work_no);
	STORE_COL_COPY(st, 15, r->name);
	return 0;
}

int out_test_list(struct store *s, int from_day, int to_day, out_test_fn row, void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT " TEST_COLUMNS
					    " WHERE t.day >= ? AND t.day <= ? ORDER BY t.day, t.at, t.id",
					    "ii", (int64_t)from_day, (int64_t)to_day);
	struct out_test_row r;
	int rc, n = 0;

	while ((rc = store_next(st, test_read, &r)) == 1 && (rc = row(ctx, &r)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int out_test_get(struct store *s, int64_t id, struct out_test_row *out)
{
	return store_one(store_query(s, "SELECT " TEST_COLUMNS " WHERE t.id = ?", "i", id),
			 test_read, out);
}

int out_test_running(struct store *s)
{
	int64_t n = 0;
	int rc = store_run(s,
			   "SELECT count(*) FROM call_out WHERE state <> 'ended' AND purpose = 'test'",
			   &n, "");

	return rc < 0 ? rc : n > 0;
}

/* -- Outbound figures -- */

int out_figures_load(struct store *s, int64_t from, int64_t to, struct out_figures *out)
{
	struct store_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	/* The period's attempts through the index call_out_requested; talk time from the
	 * calls they became. */
	st = store_query(s,
			 "SELECT o.purpose = 'test', count(*), count(o.answered_at),"
			 " COALESCE(SUM(CASE WHEN o.purpose = 'test' THEN 0"
			 "  ELSE json_extract(c.metrics, '$.talk_ms') END), 0),"
			 " SUM(o.purpose = 'test' AND o.result = 'answered')"
			 " FROM call_out o LEFT JOIN call c ON c.id = o.call_id"
			 " WHERE o.requested_at >= ? AND o.requested_at < ?"
			 " GROUP BY o.purpose = 'test'",
			 "ii", from, to);
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		if (store_col_int(st, 0)) {
			out->tests = store_col_int(st, 1);
			out->tests_answered = store_col_int(st, 4);
		} else {
			out->attempts = store_col_int(st, 1);
			out->answered = store_col_int(st, 2);
			out->talk_ms = store_col_int(st, 3);
		}
	}
	rc = store_end(st, rc, 0);
	if (rc < 0)
		return rc;
	/* Live now, through the partial index call_out_live. */
	st = store_query(s,
			 "SELECT SUM(state IN ('requested', 'agent', 'dialing')), SUM(state = 'talking')"
			 " FROM call_out WHERE state <> 'ended' AND purpose <> 'test'",
			 "");
	rc = store_next(st, NULL, NULL);
	if (rc == 1) {
		out->dialing = store_col_int(st, 0);
		out->talking = store_col_int(st, 1);
	}
	return store_end(st, rc, 0);
}
