/*
 * A callback request as the call engine makes it: a caller who waited the
 * queue's maximum keyed in a number to be called back on. One row, a
 * notification to every active manager and supervisor (so a request is
 * seen even when nobody has the list open), and an audit entry by the
 * system — all in the engine's transaction.
 *
 * Only managers and supervisors are told: agents work the list
 * (/api/acd/callbacks) between calls, and a notification to every agent
 * for every request would bury their bell.
 */
#include <stdio.h>
#include <stdlib.h>

#include "acd/acd.h"
#include "audit/audit.h"
#include "core/mask.h"
#include "notify/notify.h"
#include "store/store.h"

#define WATCHERS_MAX 256

static const struct audit_actor system_actor = {0, "system", NULL};

static int tell_watchers(struct store *s, const struct acd_callback *c, int64_t now)
{
	int64_t watchers[WATCHERS_MAX];
	char masked[ACD_PHONE_MAX + 1], text[NOTIFY_TEXT_SIZE];
	int n = acd_watchers(s, watchers, WATCHERS_MAX), rc = 0;

	if (n < 0)
		return n;
	mask_phone(c->phone, masked, sizeof(masked));
	snprintf(text, sizeof(text), "来电客户在「%s」排队超时，留下回电号码 %s，请安排回电",
		 c->queue_name[0] ? c->queue_name : c->queue, masked);
	for (int i = 0; i < n && rc == 0; i++)
		rc = notify_send(s, watchers[i], "acd.callback", 0, text, now);
	return rc < 0 ? rc : n;
}

int acd_callback_add(struct store *s, int64_t call_id, const char *queue, const char *phone,
		     int64_t now, int64_t *id)
{
	struct acd_callback c;
	char masked[ACD_PHONE_MAX + 1];
	struct audit_detail detail;
	int rc, told;

	if (!acd_phone_valid(phone) || !queue || !queue[0])
		return ERR_INVALID;
	rc = acd_callback_insert(s, call_id, queue, phone, now, id);
	if (rc == 0)
		rc = acd_callback_get(s, *id, &c);
	if (rc < 0)
		return rc;
	told = tell_watchers(s, &c, now);
	if (told < 0)
		return told;
	/* The audit log keeps the number masked, like every other list. */
	mask_phone(phone, masked, sizeof(masked));
	audit_detail_init(&detail);
	audit_detail_int(&detail, "call_id", call_id);
	audit_detail_str(&detail, "queue", queue);
	audit_detail_str(&detail, "phone", masked);
	audit_detail_int(&detail, "notified", told);
	if (!audit_detail_text(&detail)) {
		audit_detail_release(&detail);
		return ERR_NOMEM;
	}
	rc = audit_append_detail(s, &system_actor, now, "acd_callback.request", "acd_callback",
				 *id, "ok", &detail);
	return rc < 0 ? rc : 0;
}
