/*
 * Placing a call out (out.h tells the whole): the checks every call passes,
 * whoever asks for it (an agent through the API, the progressive tick for
 * a campaign), and the request inserted for the engine with its audit
 * entry, inside the caller's transaction. The caller wakes the engine
 * (call_out_kick) after its commit.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "call/call.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/mask.h"
#include "out/out.h"
#include "store/store.h"

int out_check(struct store *s, const struct out_settings *st, int64_t agent_id,
	      const struct out_target *t, int64_t now, struct err_info *ei)
{
	struct call_out_row live;
	char status[16], from[6], to[6];
	int phone = 0, used = 0, rc;

	if (!t->number[0])
		return err_set(ei, ERR_UNPROCESSABLE, NULL, "no phone number on record to call");
	rc = out_dnc_has(s, t->number);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return err_set(ei, ERR_CONFLICT, NULL, "the number is on the do-not-call list");
	if (!out_hours_open(st, now)) {
		out_hhmm(st->open_min, from, sizeof(from));
		out_hhmm(st->close_min, to, sizeof(to));
		return err_set(ei, ERR_CONFLICT, NULL, "calls out only from %s to %s", from, to);
	}
	rc = call_out_count_since(s, agent_id, clock_day_start(now), &used);
	if (rc < 0)
		return rc;
	if (used >= st->daily_cap)
		return err_set(ei, ERR_THROTTLED, NULL,
			       "the daily limit of %d calls out is reached", st->daily_cap);
	rc = call_out_live_of(s, agent_id, &live);
	if (rc == 0)
		return err_set(ei, ERR_CONFLICT, NULL, "another call out is still going");
	if (rc != ERR_NOTFOUND)
		return rc;
	rc = out_agent_state(s, agent_id, now, status, sizeof(status), &phone);
	if (rc < 0)
		return rc;
	if (strcmp(status, "ringing") == 0 || strcmp(status, "talking") == 0)
		return err_set(ei, ERR_CONFLICT, NULL, "already on a call");
	return 0;
}

int out_place(struct store *s, const struct audit_actor *who, int64_t agent_id,
	      const struct out_target *t, const struct out_settings *st, int64_t now, int64_t *id,
	      struct err_info *ei)
{
	struct call_out_req req = {agent_id,	   t->number,
				   t->customer_id, out_purpose_name(t->purpose),
				   t->ref_id,	   who->id};
	int task = t->purpose == OP_TASK || t->purpose == OP_CAMPAIGN;
	struct audit_detail d;
	struct out_task k;
	char masked[OUT_NUMBER_SIZE];
	int rc = 0;

	if (task) {
		rc = out_task_get(s, t->ref_id, &k);
		if (rc == 0 && strcmp(k.state, "open") != 0)
			rc = err_set(ei, ERR_CONFLICT, NULL, "the task is not open");
		if (rc == 0) {
			rc = out_task_busy(s, k.id);
			if (rc == 1)
				rc = err_set(ei, ERR_CONFLICT, NULL,
					     "someone is calling this task already");
		}
	}
	/* One call to a customer at a time, whoever places it (a callback
	 * asked by two agents at once, a progressive member and a manual call). */
	if (rc == 0) {
		rc = out_number_busy(s, t->number);
		if (rc == 1)
			rc = err_set(ei, ERR_CONFLICT, NULL,
				     "someone is calling this number already");
	}
	if (rc == 0)
		rc = call_out_request(s, &req, now, id);
	/* A task's attempt counts when it is placed: a member whose outcome is
	 * never recorded is still retried after the gap, and stops at the maximum. */
	if (rc == 0 && task) {
		k.attempts++;
		k.last_call_out_id = *id;
		k.due_at = now + (int64_t)st->retry_gap_min * 60000;
		/* A pool task becomes the caller's, who knows its story; a
		 * campaign's member stays with the campaign's agents. */
		if (!k.agent_id && t->purpose == OP_TASK)
			k.agent_id = agent_id;
		rc = out_task_save(s, &k);
	}
	if (rc < 0)
		return rc;
	/* CUST-2: the audit log, like every answer, holds the number masked. */
	mask_phone(t->number, masked, sizeof(masked));
	audit_detail_init(&d);
	audit_detail_str(&d, "purpose", out_purpose_name(t->purpose));
	audit_detail_id(&d, "ref_id", t->ref_id);
	audit_detail_id(&d, "customer_id", t->customer_id);
	audit_detail_id(&d, "agent_id", agent_id);
	audit_detail_str(&d, "number", masked);
	return audit_append_detail(s, who, now, "out.call", "call_out", *id, "ok", &d);
}
