/*
 * The SQL of live guidance (see call.h): the calls agents are talking on,
 * and what the call log says of one — its offers, connection, the agent's
 * holds and the guide events already written. Nothing here begins or
 * commits.
 */
#include <stdio.h>
#include <string.h>

#include "call/call.h"
#include "core/err.h"
#include "store/store.h"

int call_guide_calls(struct store *s, call_guide_call_fn row, void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT c.id, a.person_id FROM agent_state a JOIN call c ON c.id = a.call_id"
		" WHERE a.status = 'talking' AND c.ended_at IS NULL AND c.connected_at IS NOT NULL"
		" ORDER BY a.person_id",
		"");
	int rc = 0, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		int r = row(ctx, store_col_int(st, 0), store_col_int(st, 1));

		if (r < 0) {
			rc = r;
			break;
		}
		n++;
	}
	return store_end(st, rc, n);
}

/* An agent's step on the call (see call_guide_agent_step). */
static void agent_step(struct call_guide_input *in, const char *rule, const char *step, int64_t at)
{
	if (!strcmp(rule, "CALL-2") && !strcmp(step, "apologized"))
		in->apologized = 1;
	else if (!strcmp(rule, "CALL-4") && !strcmp(step, "callback_accepted"))
		in->callback_answer = 1;
	else if (!strcmp(rule, "CALL-4") && !strcmp(step, "callback_declined"))
		in->callback_answer = -1;
	else if (!strcmp(rule, "CALL-6") && !strcmp(step, "start")) {
		in->silent_at = at;
		in->silent_end = 0;
	} else if (!strcmp(rule, "CALL-6") &&
		   (!strcmp(step, "goodbye_said") || !strcmp(step, "caller_spoke")))
		in->silent_end = at;
}

int call_guide_read(struct store *s, int64_t call_id, int64_t now, struct call_guide_input *in,
		    struct call_guide_key *stored, int *nstored)
{
	struct store_stmt *st;
	int64_t first_offer = 0, first_connect = 0;
	int rc;

	memset(in, 0, sizeof(*in));
	if (nstored)
		*nstored = 0;
	st = store_query(s,
			 "SELECT c.connected_at, k.class FROM call c"
			 " LEFT JOIN contact k ON k.id = c.contact_id WHERE c.id = ?",
			 "i", call_id);
	rc = store_next(st, NULL, NULL);
	if (rc == 1) {
		in->connected_at = store_col_int(st, 0);
		in->class_f = !strcmp(store_col_text_or(st, 1, ""), "F");
	}
	rc = store_end(st, rc, rc);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_NOTFOUND;
	in->class_f_at = now;
	st = store_query(
		s,
		"SELECT at, kind, json_extract(detail, '$.by'), json_extract(detail, '$.rule'),"
		" json_extract(detail, '$.step'), json_extract(detail, '$.hold'),"
		" json_extract(detail, '$.n') FROM call_event WHERE call_id = ?"
		" AND kind IN ('offered', 'connected', 'hold', 'resume', 'guide') ORDER BY id",
		"i", call_id);
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		int64_t at = store_col_int(st, 0);
		const char *kind = store_col_text_or(st, 1, "");
		const char *by = store_col_text_or(st, 2, "");
		const char *rule = store_col_text_or(st, 3, "");
		const char *step = store_col_text_or(st, 4, "");

		if (!strcmp(kind, "offered") && !first_offer) {
			first_offer = at;
		} else if (!strcmp(kind, "connected") && !first_connect) {
			first_connect = at;
		} else if (!strcmp(kind, "hold") && !strcmp(by, "agent")) {
			/* CALL-4 is the agent's duty: the caller's own holds are not guided. */
			if (in->nholds < CALL_GUIDE_HOLDS_MAX)
				in->holds[in->nholds++] = (struct call_guide_hold){at, 0};
		} else if (!strcmp(kind, "resume") && !strcmp(by, "agent")) {
			if (in->nholds && !in->holds[in->nholds - 1].end)
				in->holds[in->nholds - 1].end =
					at > in->holds[in->nholds - 1].start
						? at
						: in->holds[in->nholds - 1].start;
		} else if (!strcmp(kind, "guide") && !strcmp(by, "agent")) {
			agent_step(in, rule, step, at);
		} else if (!strcmp(kind, "guide") && !strcmp(by, "kefu")) {
			if (!strcmp(rule, "CALL-7") && !strcmp(step, "limit") &&
			    in->class_f_at == now)
				in->class_f_at = at;
			if (stored && *nstored < CALL_GUIDE_STORED_MAX) {
				struct call_guide_key *k = &stored[(*nstored)++];

				snprintf(k->rule, sizeof(k->rule), "%s", rule);
				snprintf(k->step, sizeof(k->step), "%s", step);
				k->hold = (int)store_col_int(st, 5);
				k->n = (int)store_col_int(st, 6);
			}
		}
	}
	rc = store_end(st, rc, 0);
	if (rc < 0)
		return rc;
	if (first_offer && first_connect > first_offer)
		in->ring_ms = first_connect - first_offer;
	return 0;
}

int call_guide_caller(struct store *s, int64_t call_id, char *phone, size_t phone_size, char *queue,
		      size_t queue_size)
{
	struct store_stmt *st =
		store_query(s, "SELECT caller, queue FROM call WHERE id = ?", "i", call_id);
	int rc = store_next(st, NULL, NULL);

	if (rc == 1) {
		snprintf(phone, phone_size, "%s", store_col_text_or(st, 0, ""));
		snprintf(queue, queue_size, "%s", store_col_text_or(st, 1, ""));
	}
	rc = store_end(st, rc, rc);
	return rc < 0 ? rc : rc == 0 ? ERR_NOTFOUND : 0;
}
