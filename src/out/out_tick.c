/*
 * The scheduler's tick of calls out (out.h tells the whole), every round:
 * inbound calls that dropped while connected become a call-back task for
 * their agent (CALL-6), callers who rang while the hotline was closed a
 * task for any agent due after the next opening (CALL-10), and each
 * running progressive campaign places one call for each of its idle
 * agents. Each piece of work in its own transaction, so one that fails
 * leaves the others done; the engine is woken once after the commits.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "call/call.h"
#include "core/err.h"
#include "core/config.h"
#include "core/log.h"
#include "core/mask.h"
#include "cust/cust.h"
#include "notify/notify.h"
#include "out/out.h"
#include "store/store.h"

#define BATCH 32
#define AGENTS_MAX 64
#define CAMPAIGNS_MAX 32
/* Calls of the last day only: a dropped or after-hours call older than that
 * is not worth a call-back any more, an upgraded center is not flooded with
 * its past, and each round reads a bounded slice of the call log. */
#define WINDOW_MS (24LL * 3600 * 1000)

static const struct audit_actor system_actor = {0, "system", NULL};

/* One task in its own transaction; a marker (cancelled) when the number
 * cannot be called or another open task holds it, so the call is not
 * looked at again. */
static int task_from_call(struct store *s, const struct out_call_src *c, const char *kind,
			  int64_t agent_id, int64_t due_at, int64_t now)
{
	struct out_task t;
	struct audit_detail d;
	int64_t other = 0;
	int told = 0, rc;

	memset(&t, 0, sizeof(t));
	snprintf(t.kind, sizeof(t.kind), "%s", kind);
	t.customer_id = c->customer_id;
	t.agent_id = agent_id;
	t.due_at = due_at;
	t.call_id = c->call_id;
	t.created_at = now;
	snprintf(t.state, sizeof(t.state), "open");
	if (cust_phone_normalize(c->caller, t.number, sizeof(t.number)) < 0) {
		snprintf(t.number, sizeof(t.number), "-");
		snprintf(t.state, sizeof(t.state), "cancelled");
		snprintf(t.note, sizeof(t.note), "no number to call back");
	}
	rc = store_begin(s);
	if (rc < 0)
		return rc;
	if (strcmp(t.state, "open") == 0) {
		rc = out_task_open_for(s, kind, t.number, &other);
		if (rc == 1) {
			snprintf(t.state, sizeof(t.state), "cancelled");
			snprintf(t.note, sizeof(t.note), "another open task calls this number");
		}
	}
	if (rc >= 0)
		rc = out_task_insert(s, &t);
	if (rc == 0) {
		audit_detail_init(&d);
		audit_detail_str(&d, "kind", kind);
		audit_detail_id(&d, "call_id", c->call_id);
		audit_detail_id(&d, "agent_id", agent_id);
		audit_detail_int(&d, "due_at", due_at);
		audit_detail_str(&d, "state", t.state);
		rc = audit_append_detail(s, &system_actor, now, "out.task.create", "out_task", t.id,
					 "ok", &d);
	}
	/* CALL-6: the agent whose caller dropped hears of it at once (number masked). */
	if (rc == 0 && agent_id && strcmp(t.state, "open") == 0) {
		char masked[OUT_NUMBER_SIZE], text[160];

		mask_phone(t.number, masked, sizeof(masked));
		snprintf(text, sizeof(text), "通话中断的来电 %s 需回拨，请在 %lld 分钟内回电",
			 masked, (long long)((due_at - now + 59999) / 60000));
		rc = notify_send(s, agent_id, "out.task", 0, text, now);
		told = rc == 0;
	}
	if (rc == ERR_CONFLICT)
		rc = 0; /* another node made it */
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	rc = store_commit(s);
	if (rc == 0 && told)
		notify_wake();
	return rc < 0 ? rc : 1;
}

/* CALL-6: after a drop mid-service the agent calls the customer back. */
static int dropped(struct store *s, const struct out_settings *st, int64_t now)
{
	struct out_call_src c[BATCH];
	int n = out_dropped_calls(s, now - WINDOW_MS, c, BATCH), done = 0, rc;

	for (int i = 0; i < n; i++) {
		rc = task_from_call(s, &c[i], "dropped", c[i].agent_id,
				    now + (int64_t)st->dropped_due_min * 60000, now);
		if (rc < 0)
			return rc;
		done += rc;
	}
	return n < 0 ? n : done;
}

/* CALL-10: callers who rang after hours are called back once it opens. */
static int afterhours(struct store *s, const struct out_settings *st, int64_t now)
{
	struct out_call_src c[BATCH];
	int n = out_closed_calls(s, now - WINDOW_MS, c, BATCH), done = 0, rc;

	for (int i = 0; i < n; i++) {
		int64_t due = out_next_opening(st, c[i].started_at > now ? c[i].started_at : now);

		if (due > now || !out_hours_open(st, now))
			due += (int64_t)st->afterhours_due_min * 60000;
		rc = task_from_call(s, &c[i], "afterhours", 0, due, now);
		if (rc < 0)
			return rc;
		done += rc;
	}
	return n < 0 ? n : done;
}

/* Campaigns whose deadline has come end, each in its own transaction. */
static int expired(struct store *s, int64_t now)
{
	int64_t ids[CAMPAIGNS_MAX];
	int n = out_campaign_expired(s, now, ids, CAMPAIGNS_MAX), rc = 0;

	for (int i = 0; i < n && rc >= 0; i++) {
		struct out_campaign c;
		struct audit_detail d;

		rc = store_begin(s);
		if (rc < 0)
			return rc;
		rc = out_campaign_get(s, ids[i], &c);
		if (rc == 0) {
			snprintf(c.state, sizeof(c.state), "done");
			c.updated_at = now;
			rc = out_campaign_save(s, &c);
		}
		if (rc == 0)
			rc = out_campaign_cancel_open(s, c.id, now);
		if (rc == 0) {
			audit_detail_init(&d);
			audit_detail_str(&d, "state", "done");
			audit_detail_str(&d, "why", "deadline");
			rc = audit_append_detail(s, &system_actor, now, "out.campaign.finish",
						 "out_campaign", c.id, "ok", &d);
		}
		if (rc < 0) {
			store_rollback(s);
			return rc;
		}
		rc = store_commit(s);
	}
	return n < 0 ? n : rc < 0 ? rc : n;
}

/* One campaign: the next member for each idle agent, never more calls than them. */
static int progressive(struct store *s, const struct out_settings *st, int64_t id, int64_t now,
		       int *room)
{
	int64_t agents[AGENTS_MAX];
	int n = out_campaign_idle_agents(s, id, now, agents, AGENTS_MAX), due = 0, placed = 0, rc;

	if (n <= 0)
		return n;
	rc = out_campaign_due_count(s, id, now, st->max_attempts, &due);
	if (rc < 0)
		return rc;
	n = out_dial_now(n, due, *room);
	for (int i = 0; i < n; i++) {
		struct out_task t;
		struct out_target tg;
		struct err_info ei;
		int64_t call = 0;

		memset(&ei, 0, sizeof(ei));
		rc = store_begin(s);
		if (rc < 0)
			return rc;
		rc = out_campaign_next_member(s, id, agents[i], now, st->max_attempts, &t);
		if (rc == 0) {
			memset(&tg, 0, sizeof(tg));
			tg.purpose = OP_CAMPAIGN;
			tg.ref_id = t.id;
			tg.customer_id = t.customer_id;
			snprintf(tg.number, sizeof(tg.number), "%s", t.number);
			/* The same checks as an agent's own call: hours, cap, DNC, one at a time.
			 */
			rc = out_check(s, st, agents[i], &tg, now, &ei);
			if (rc == 0)
				rc = out_place(s, &system_actor, agents[i], &tg, st, now, &call,
					       &ei);
		}
		if (rc < 0) {
			store_rollback(s);
			if (rc == ERR_NOTFOUND)
				break; /* no member left for this agent */
			if (rc == ERR_IO || rc == ERR_NOMEM || rc == ERR_BUSY)
				return rc;
			continue; /* this agent may not call now (cap, hours): the next one */
		}
		rc = store_commit(s);
		if (rc < 0)
			return rc;
		placed++;
		(*room)--;
	}
	return placed;
}

int out_tick(struct store *s, int64_t now, void *arg)
{
	const struct config *cfg = arg;
	struct out_settings st;
	int64_t ids[CAMPAIGNS_MAX];
	int live = 0, room, n, total = 0, placed = 0;
	int rc = out_settings_get(s, &st);

	if (rc < 0)
		return rc;
	rc = dropped(s, &st, now);
	if (rc < 0)
		return rc;
	total += rc;
	rc = afterhours(s, &st, now);
	if (rc < 0)
		return rc;
	total += rc;
	rc = expired(s, now);
	if (rc < 0)
		return rc;
	total += rc;
	/* Progressive dialling only while calls out are allowed at all. */
	if (!out_hours_open(&st, now))
		return total;
	n = out_campaign_running_progressive(s, ids, CAMPAIGNS_MAX);
	if (n < 0)
		return n;
	rc = out_live_count(s, &live);
	if (rc < 0)
		return rc;
	room = (cfg && cfg->out_trunk_max > 0 ? cfg->out_trunk_max : 30) - live;
	for (int i = 0; i < n && room > 0; i++) {
		rc = progressive(s, &st, ids[i], now, &room);
		if (rc < 0)
			log_warn("out: campaign %lld: progressive dialling failed (%d)",
				 (long long)ids[i], rc);
		else
			placed += rc;
	}
	if (placed)
		call_out_kick();
	return total + placed;
}
