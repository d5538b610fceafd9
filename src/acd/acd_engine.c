/*
 * Runs status changes: the rules of acd.c applied to the rows of
 * acd_store.c with the log, in the caller's transaction; and the tick
 * (CALL-15 alerts, wrap-up expiry), one agent per transaction.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "acd/acd.h"
#include "audit/audit.h"
#include "core/log.h"
#include "notify/notify.h"
#include "org/org.h"
#include "store/store.h"

static acd_ready_hook ready_hook;
static acd_logout_hook logout_hook;

void acd_on_ready(acd_ready_hook fn)
{
	ready_hook = fn;
}

void acd_on_logged_out(acd_logout_hook fn)
{
	logout_hook = fn;
}

/* acd_save, then the logout hook when the seat has just gone logged out. */
static int save_state(struct store *s, const struct acd_state *cur, const struct acd_state *next,
		      int64_t by_id, int64_t now)
{
	int rc = acd_save(s, cur, next, by_id);

	if (rc == 0 && logout_hook && next->status == ACD_LOGGED_OUT &&
	    (!cur->stored || cur->status != ACD_LOGGED_OUT))
		rc = logout_hook(s, next->person_id, now);
	return rc;
}

int acd_change(struct store *s, int64_t person_id, enum acd_status to, const char *reason,
	       enum acd_by by, int64_t by_id, int64_t now, struct acd_state *before,
	       struct acd_state *after, struct err_info *ei)
{
	struct org_person p;
	int rc;

	/* The system's changes go through acd_set_system(), without the person checks. */
	assert(by != ACD_BY_SYSTEM);
	rc = org_person_get(s, person_id, &p);
	if (rc == ERR_NOTFOUND || (rc == 0 && !acd_is_seat(p.roles, p.nskills)))
		return err_set(ei, ERR_NOTFOUND, NULL, "no such agent");
	if (rc < 0)
		return rc;
	if (to != ACD_LOGGED_OUT && !p.active)
		return err_set(ei, ERR_UNPROCESSABLE, "status", "the account is disabled");
	/* ORG-4: not on the hotline before the exam and the manager's confirmation. */
	if (to != ACD_LOGGED_OUT && !acd_on_duty_allowed(p.roles, p.certified))
		return err_set(ei, ERR_UNPROCESSABLE, "status", "not certified for duty yet");
	rc = acd_get(s, person_id, before);
	if (rc < 0)
		return rc;
	rc = acd_next(before, to, reason, by, now, 0, after, ei);
	if (rc != 0) {
		if (rc == ACD_UNCHANGED)
			*after = *before;
		return rc;
	}
	if (to == ACD_READY && by == ACD_BY_SELF && ready_hook) {
		rc = ready_hook(s, person_id, now, ei);
		if (rc < 0)
			return rc;
	}
	rc = save_state(s, before, after, by_id, now);
	if (rc == ERR_CONFLICT)
		err_set(ei, rc, NULL, "the status changed meanwhile; try again");
	return rc;
}

static const struct audit_actor system_actor = {0, "system", NULL};

int acd_session_ended(struct store *s, int64_t person_id, const struct audit_actor *who,
		      const char *how, int64_t now)
{
	struct acd_state cur, next;
	struct err_info ei;
	struct audit_detail detail;
	int rc = acd_get(s, person_id, &cur);

	if (rc < 0)
		return rc;
	/*
	 * Nobody at the desk any more: a ready seat would be offered calls no
	 * one answers and the wallboard would count it. A call in progress is
	 * left to the call, which still has the phone (CALL-15's own rules).
	 */
	if (!cur.stored || cur.status == ACD_LOGGED_OUT || cur.status == ACD_RINGING ||
	    cur.status == ACD_TALKING)
		return 0;
	rc = acd_next(&cur, ACD_LOGGED_OUT, NULL, ACD_BY_SYSTEM, now, 0, &next, &ei);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = save_state(s, &cur, &next, who ? who->id : 0, now);
	if (rc < 0)
		return rc;
	audit_detail_init(&detail);
	audit_detail_str(&detail, "by", how);
	audit_detail_str(&detail, "from", acd_status_name(cur.status));
	audit_detail_str(&detail, "to", "logged_out");
	rc = audit_append_detail(s, who ? who : &system_actor, now, "agent.status", "person",
				 person_id, "ok", &detail);
	return rc < 0 ? rc : 1;
}

int acd_set_system(struct store *s, int64_t person_id, enum acd_status to, const char *reason,
		   int wrap_up_sec, int64_t now)
{
	struct acd_state cur, next;
	struct err_info ei;
	int rc = acd_get(s, person_id, &cur);

	if (rc < 0)
		return rc;
	rc = acd_next(&cur, to, reason, ACD_BY_SYSTEM, now, wrap_up_sec, &next, &ei);
	if (rc != 0)
		return rc;
	return save_state(s, &cur, &next, 0, now);
}

#define ACD_WATCHERS_MAX 256

/* CALL-15 for one spell away (busy, break): 1 if this call sent the alert, 0 if it was sent
 * already. */
static int alert_busy(struct store *s, const struct acd_state *due, int64_t now, int busy_max_min)
{
	int64_t watchers[ACD_WATCHERS_MAX];
	char text[NOTIFY_TEXT_SIZE];
	struct audit_detail detail;
	struct org_person p;
	int rc = acd_busy_mark_alerted(s, due->person_id, due->since), n;

	if (rc <= 0)
		return rc;
	rc = org_person_get(s, due->person_id, &p);
	if (rc < 0)
		return rc;
	/* A spell that is on a break now may have begun busy: say both count. */
	if (due->status == ACD_BREAK)
		snprintf(text, sizeof(text),
			 "坐席 %s（%s）示忙、小休合计已超过 %d 分钟（当前：小休）", p.name,
			 p.work_no, busy_max_min);
	else
		snprintf(text, sizeof(text), "坐席 %s（%s）示忙已超过 %d 分钟（原因：%s）", p.name,
			 p.work_no, busy_max_min, acd_reason_label(due->reason));
	n = acd_watchers(s, watchers, ACD_WATCHERS_MAX);
	if (n < 0)
		return n;
	for (int i = 0; i < n && rc == 0; i++)
		if (watchers[i] != due->person_id)
			rc = notify_send(s, watchers[i], "agent.busy_long", 0, text, now);
	if (rc < 0)
		return rc;
	audit_detail_init(&detail);
	audit_detail_int(&detail, "since", due->since);
	audit_detail_int(&detail, "busy_max_min", busy_max_min);
	audit_detail_int(&detail, "notified", n);
	rc = audit_append_detail(s, &system_actor, now, "agent.busy_long", "person", due->person_id,
				 "ok", &detail);
	return rc < 0 ? rc : 1;
}

/* Wrap-up over: ready again, if it is still the same wrap-up. */
static int end_wrap_up(struct store *s, const struct acd_state *due, int64_t now)
{
	struct acd_state cur, next;
	struct err_info ei;
	int rc = acd_get(s, due->person_id, &cur);

	if (rc < 0)
		return rc;
	if (!acd_wrap_expired(&cur, now))
		return 0;
	rc = acd_next(&cur, ACD_READY, NULL, ACD_BY_SYSTEM, now, 0, &next, &ei);
	if (rc == 0)
		rc = save_state(s, &cur, &next, 0, now);
	return rc < 0 ? rc : 1;
}

enum tick_job { JOB_BUSY, JOB_WRAP };

#define ACD_TICK_BATCH 32
/* How much one tick does before it returns, so a backlog never holds up a stop. */
#define ACD_TICK_BUDGET 1024

static int run_job(struct store *s, enum tick_job job, int64_t now, int busy_max_min)
{
	struct acd_state due[ACD_TICK_BATCH];
	int n, fired = 0, rc = 0;

	do {
		int progress = 0;

		n = job == JOB_BUSY ? acd_busy_due(s, acd_busy_limit(now, busy_max_min), due,
						   ACD_TICK_BATCH)
				    : acd_wrap_due(s, now, due, ACD_TICK_BATCH);
		if (n < 0)
			return fired ? fired : n;
		for (int i = 0; i < n; i++) {
			/* Each agent in its own transaction: one failure loses no other. */
			int one;

			rc = store_begin(s);
			if (rc < 0)
				break;
			one = job == JOB_BUSY ? alert_busy(s, &due[i], now, busy_max_min)
					      : end_wrap_up(s, &due[i], now);
			if (one < 0) {
				store_rollback(s);
				rc = one;
				log_warn("acd: tick failed for person %lld (%d)",
					 (long long)due[i].person_id, one);
				break;
			}
			rc = store_commit(s);
			if (rc < 0)
				break;
			fired += one;
			progress += one;
		}
		/* More may be due when a batch was full and moved something. */
		if (rc < 0 || n < ACD_TICK_BATCH || !progress)
			break;
	} while (fired < ACD_TICK_BUDGET);
	return rc < 0 && !fired ? rc : fired;
}

int acd_tick(struct store *s, int64_t now, int busy_max_min)
{
	int alerts = run_job(s, JOB_BUSY, now, busy_max_min);
	int wraps = run_job(s, JOB_WRAP, now, busy_max_min);

	/* What did commit is told at once, even when something else failed. */
	if (alerts > 0)
		notify_wake();
	if (alerts < 0)
		return alerts;
	if (wraps < 0)
		return wraps;
	return alerts + wraps;
}
