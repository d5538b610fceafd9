/*
 * The leave tick (WFM-4): an emergency leave whose paperwork was not
 * received by its deadline counts as absence (wfm.h gives the exact rule
 * attendance reads). When the deadline passes, the agent and every
 * supervisor and manager are told once, and the moment is recorded
 * (wfm_leave.paperwork_overdue_at) with an audit entry by the system, each
 * leave in its own transaction guarded so that it fires once even with
 * several app nodes.
 */
#include <stdio.h>

#include "audit/audit.h"
#include "core/err.h"
#include "notify/notify.h"
#include "store/store.h"
#include "wfm/wfm.h"

#define BATCH 16
#define DECIDERS_MAX 64

static const struct audit_actor system_actor = {0, "system", NULL};

static int overdue_one(struct store *s, const struct wfm_leave *l, int64_t now)
{
	int64_t ids[DECIDERS_MAX];
	char text[NOTIFY_TEXT_SIZE];
	struct audit_detail d;
	int n, rc = store_begin(s);

	if (rc < 0)
		return rc;
	rc = wfm_leave_overdue_mark(s, l->id, now);
	if (rc == ERR_CONFLICT) { /* another node told them */
		store_rollback(s);
		return 0;
	}
	snprintf(text, sizeof(text), "您 %s 至 %s 的紧急请假未在期限内补交手续，按旷工处理",
		 l->first_day, l->last_day);
	if (rc == 0)
		rc = notify_send(s, l->person_id, "wfm.leave", 0, text, now);
	n = rc == 0 ? wfm_deciders(s, ids, DECIDERS_MAX) : 0;
	if (n < 0)
		rc = n;
	snprintf(text, sizeof(text), "%s %s 至 %s 的紧急请假未在期限内补交手续，按旷工处理",
		 l->person_name, l->first_day, l->last_day);
	for (int i = 0; i < n && rc == 0; i++)
		rc = notify_send(s, ids[i], "wfm.leave", 0, text, now);
	if (rc == 0) {
		audit_detail_init(&d);
		audit_detail_id(&d, "person_id", l->person_id);
		audit_detail_int(&d, "paperwork_due", l->paperwork_due);
		rc = audit_append_detail(s, &system_actor, now, "wfm.leave.paperwork_overdue",
					 "wfm_leave", l->id, "ok", &d);
	}
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s);
}

int wfm_leave_tick(struct store *s, int64_t now, void *arg)
{
	struct wfm_leave due[BATCH];
	int n = wfm_leave_overdue(s, now, due, BATCH), rc = 0, told = 0;

	(void)arg;
	if (n < 0)
		return n;
	for (int i = 0; i < n && rc == 0; i++)
		rc = overdue_one(s, &due[i], now);
	if (rc == 0 && n > 0) {
		notify_wake();
		told = n;
	}
	return rc < 0 ? rc : told;
}
