/*
 * The SQL of calls out (table call_out, migration 25; issue 17): the
 * requests the HTTP side inserts and the SIP thread claims, and the log of
 * attempts read back by the outbound module. Nothing here begins or
 * commits.
 */
#include <stdint.h>
#include <string.h>

#include "call/call_int.h"
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

int call_out_read(struct store_stmt *st, void *dst)
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
	return store_one(
		store_query(s, "SELECT " CALL_OUT_COLUMNS CALL_OUT_FROM " WHERE o.id = ?", "i", id),
		call_out_read, out);
}

int call_out_live_of(struct store *s, int64_t agent_id, struct call_out_row *out)
{
	return store_one(store_query(s,
				     "SELECT " CALL_OUT_COLUMNS CALL_OUT_FROM
				     " WHERE o.state <> 'ended' AND o.agent_id = ?"
				     " ORDER BY o.id DESC LIMIT 1",
				     "i", agent_id),
			 call_out_read, out);
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

int call_out_list(struct store *s, const char *purpose, int64_t ref_id, int64_t agent_id, int limit,
		  call_out_fn row, void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT " CALL_OUT_COLUMNS CALL_OUT_FROM " WHERE (?1 IS NULL OR o.purpose = ?1)"
		" AND (?2 = 0 OR o.ref_id = ?2) AND (?3 = 0 OR o.agent_id = ?3)"
		" ORDER BY o.id DESC LIMIT ?4",
		"tiii", purpose, ref_id, agent_id, (int64_t)limit);
	struct call_out_row r;
	int rc, n = 0;

	while ((rc = store_next(st, call_out_read, &r)) == 1 && (rc = row(ctx, &r)) >= 0)
		n++;
	return store_end(st, rc, n);
}

/* -- the engine's side (call_out.c, on the SIP thread) -- */

int call_out_pending(struct store *s, struct call_out_row *out, int max)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT " CALL_OUT_COLUMNS CALL_OUT_FROM " WHERE o.state = 'requested'"
			    " ORDER BY o.id LIMIT ?",
			    "i", (int64_t)max);
	int rc = 0, n = 0;

	while (n < max && (rc = store_next(st, call_out_read, &out[n])) == 1)
		n++;
	return store_end(st, rc, n);
}

int call_out_claim(struct store *s, int64_t id, int64_t call_id, const char *dial)
{
	int rc = store_run(s,
			   "UPDATE call_out SET state = 'agent', call_id = ?, dial = ?"
			   " WHERE id = ? AND state = 'requested'",
			   NULL, "dTi", call_id, dial, id);

	if (rc < 0)
		return rc;
	return store_changes(s) == 1 ? 0 : ERR_CONFLICT;
}

int call_out_set_state(struct store *s, int64_t id, const char *state, int64_t now)
{
	int rc = store_run(s,
			   "UPDATE call_out SET state = ?1,"
			   " agent_at = CASE WHEN ?1 = 'dialing' THEN ?2 ELSE agent_at END,"
			   " answered_at = CASE WHEN ?1 = 'talking' THEN ?2 ELSE answered_at END,"
			   " result = CASE WHEN ?1 = 'talking' THEN 'answered' ELSE result END"
			   " WHERE id = ?3 AND state <> 'ended'",
			   NULL, "tii", state, now, id);

	return rc < 0 ? rc : 0;
}

int call_out_set_test(struct store *s, int64_t id, int64_t call_id, int64_t answered_at)
{
	int rc = store_run(s,
			   "UPDATE call_out SET call_id = COALESCE(?, call_id),"
			   " answered_at = COALESCE(?, answered_at) WHERE id = ?",
			   NULL, "ddi", call_id, answered_at, id);

	return rc < 0 ? rc : 0;
}

int call_out_end(struct store *s, int64_t id, const char *result, int64_t now)
{
	int rc = store_run(s,
			   "UPDATE call_out SET state = 'ended', result = ?, ended_at = ?"
			   " WHERE id = ? AND state <> 'ended'",
			   NULL, "tii", result, now, id);

	return rc < 0 ? rc : 0;
}

int call_out_cancels(struct store *s, int64_t *ids, int max)
{
	struct store_stmt *st = store_query(s,
					    "SELECT id FROM call_out WHERE cancel = 1"
					    " AND state IN ('agent', 'dialing', 'talking') LIMIT ?",
					    "i", (int64_t)max);
	int rc = 0, n = 0;

	while (n < max && (rc = store_next(st, NULL, NULL)) == 1)
		ids[n++] = store_col_int(st, 0);
	return store_end(st, rc, n);
}

int call_out_close_open(struct store *s, int64_t now)
{
	int rc = store_run(
		s,
		"UPDATE call_out SET state = 'ended', result = COALESCE(result, 'failed'),"
		" ended_at = ? WHERE state IN ('agent', 'dialing', 'talking')",
		NULL, "i", now);

	return rc < 0 ? rc : store_changes(s);
}

int call_set_direction_out(struct store *s, int64_t call_id)
{
	int rc = store_run(s, "UPDATE call SET direction = 'out' WHERE id = ?", NULL, "i", call_id);

	return rc < 0 ? rc : 0;
}

int call_set_dropped(struct store *s, int64_t call_id)
{
	int rc = store_run(s, "UPDATE call SET dropped = 1 WHERE id = ?", NULL, "i", call_id);

	return rc < 0 ? rc : 0;
}

int call_out_phone(struct store *s, int64_t person_id, int64_t now, struct call_candidate *out)
{
	return store_one(
		store_query(s,
			    "SELECT p.id, 0, p.work_no, p.name,"
			    " (SELECT r.contact FROM sip_registration r"
			    "   WHERE r.person_id = p.id AND r.expires_at > ?1"
			    "   ORDER BY r.registered_at DESC, r.id DESC LIMIT 1) AS contact"
			    " FROM person p WHERE p.id = ?2 AND p.active = 1"
			    "  AND contact IS NOT NULL",
			    "ii", now, person_id),
		call_candidate_read, out);
}
