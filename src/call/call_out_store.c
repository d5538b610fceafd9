/*
 * The SQL of calls out (table call_out, migration 25; issue 17): the
 * requests the HTTP side inserts and the SIP thread claims, and the log of
 * attempts read back by the outbound module. Nothing here begins or
 * commits.
 */
#include <stdint.h>
#include <string.h>

#include "call/call.h"
#include "core/err.h"
#include "store/store.h"

int call_out_request(struct store *s, const struct call_out_req *r, int64_t now, int64_t *id)
{
	int rc = store_run(s,
			   "INSERT INTO call_out(agent_id, number, customer_id, purpose, ref_id,"
			   " requested_by, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			   id, "dtdtddi", r->agent_id, r->number, r->customer_id, r->purpose,
			   r->ref_id, r->requested_by, now);

	return rc < 0 ? rc : 0;
}

int call_out_cancel(struct store *s, int64_t id)
{
	int rc = store_run(s, "UPDATE call_out SET cancel = 1 WHERE id = ? AND state <> 'ended'",
			   NULL, "i", id);

	return rc < 0 ? rc : 0;
}

#define OUT_COLUMNS                                                                                \
	"o.id, o.agent_id, o.customer_id, o.ref_id, o.call_id, o.requested_by, o.number, o.dial,"  \
	" o.purpose, o.state, o.result, o.cancel, o.requested_at, o.agent_at, o.answered_at,"      \
	" o.ended_at, COALESCE(json_extract(c.metrics, '$.talk_ms'), 0), c.recording"              \
	" FROM call_out o LEFT JOIN call c ON c.id = o.call_id"

static int out_read(struct store_stmt *st, void *dst)
{
	struct call_out_row *r = dst;

	r->id = store_col_int(st, 0);
	r->agent_id = store_col_int(st, 1);
	r->customer_id = store_col_int(st, 2);
	r->ref_id = store_col_int(st, 3);
	r->call_id = store_col_int(st, 4);
	r->requested_by = store_col_int(st, 5);
	STORE_COL_COPY(st, 6, r->number);
	STORE_COL_COPY(st, 7, r->dial);
	STORE_COL_COPY(st, 8, r->purpose);
	STORE_COL_COPY(st, 9, r->state);
	STORE_COL_COPY(st, 10, r->result);
	r->cancel = (int)store_col_int(st, 11);
	r->requested_at = store_col_int(st, 12);
	r->agent_at = store_col_int(st, 13);
	r->answered_at = store_col_int(st, 14);
	r->ended_at = store_col_int(st, 15);
	r->talk_ms = store_col_int(st, 16);
	STORE_COL_COPY(st, 17, r->recording);
	return 0;
}

int call_out_get(struct store *s, int64_t id, struct call_out_row *out)
{
	return store_one(store_query(s, "SELECT " OUT_COLUMNS " WHERE o.id = ?", "i", id), out_read,
			 out);
}

int call_out_live_of(struct store *s, int64_t agent_id, struct call_out_row *out)
{
	return store_one(store_query(s,
				     "SELECT " OUT_COLUMNS " WHERE o.state <> 'ended' AND o.agent_id = ?"
				     " ORDER BY o.id DESC LIMIT 1",
				     "i", agent_id),
			 out_read, out);
}

int call_out_count_since(struct store *s, int64_t agent_id, int64_t since, int *out)
{
	int64_t n = 0;
	int rc = store_run(s,
			   "SELECT count(*) FROM call_out WHERE agent_id = ? AND requested_at >= ?"
			   " AND purpose <> 'test'",
			   &n, "ii", agent_id, since);

	*out = (int)n;
	return rc < 0 ? rc : 0;
}

int call_out_list(struct store *s, const char *purpose, int64_t ref_id, int64_t agent_id,
		  int limit, call_out_fn row, void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT " OUT_COLUMNS " WHERE (?1 IS NULL OR o.purpose = ?1)"
		" AND (?2 = 0 OR o.ref_id = ?2) AND (?3 = 0 OR o.agent_id = ?3)"
		" ORDER BY o.id DESC LIMIT ?4",
		"tiii", purpose, ref_id, agent_id, (int64_t)limit);
	struct call_out_row r;
	int rc, n = 0;

	while ((rc = store_next(st, out_read, &r)) == 1 && (rc = row(ctx, &r)) >= 0)
		n++;
	return store_end(st, rc, n);
}
