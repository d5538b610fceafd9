/*
 * WO-5's notices by SMS, sent by kefu itself (issue 18; docs/chan.md
 * "Notices by SMS"): the scheduler's tick walks the orders' events
 * (wo_event) after a cursor kept in sms_settings, and for each event a
 * template names (sms_notice_of: taken in and dispatched, accepted, done,
 * another callback scheduled, closed) texts the order's customer by that
 * template, when the template is on, the order has a mobile number (its
 * own, else the customer's first), the number has not opted out and the
 * day's cap is not reached.
 *
 * Layering: chan reads wo (wo.h: the order, its clocks and callback, and
 * wo_event_add for the order's history); wo knows nothing of channels.
 *
 * Exactly once: before the provider is asked the event is claimed (the
 * cursor's row names it, committed); the outcome, the sent log, the order's
 * history line and the message out of the customer's SMS conversation are
 * written with the cursor moved past it in one transaction. A process that
 * stops between the two leaves the claim: after NOTICE_LOST_MS another
 * round records the notice as of unknown outcome and moves on, so a
 * customer is never texted twice for one event. A provider that is busy
 * gives the claim back and the same event is tried again a minute later,
 * CHAN_SEND_TRIES times in all.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "chan/chan.h"
#include "chan/chan_wx.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mask.h"
#include "cust/cust.h"
#include "store/store.h"
#include "wo/wo.h"

#define NOTICE_BATCH 50
#define NOTICE_LOST_MS 60000  /* a claim this old was lost with its process (sends take 10 s) */
#define NOTICE_RETRY_MS 60000 /* a busy provider is asked again after this */

/* The event a busy provider refused, when to try it again and how often it was tried
 * (the scheduler's thread alone reads and writes these). */
static int64_t retry_event, retry_at;
static int retry_tries;

/* "12月8日 14:30" in the center's time zone, or "" for 0. */
static void local_time(int64_t ms, char *out, size_t size)
{
	int ymd, minute;

	if (!ms) {
		out[0] = '\0';
		return;
	}
	ymd = clock_local_ymd(ms);
	minute = clock_local_minute(ms);
	snprintf(out, size, "%d月%d日 %02d:%02d", ymd / 100 % 100, ymd % 100, minute / 60,
		 minute % 60);
}

/* What one notice needs, found before anything is claimed. */
struct notice {
	enum sms_notice kind;
	struct sms_tmpl tmpl;
	struct wo_order order;
	char phone[32];
	char params[512];
	const char *skip; /* why it is not sent (the order's history says it), or NULL */
};

/* The template that names the notice, when it is on: 1, else 0. */
static int notice_template(struct store *s, enum sms_notice k, struct sms_tmpl *out)
{
	struct sms_tmpl t[8];
	int n = sms_tmpl_list(s, t, 8);

	for (int i = 0; i < n; i++)
		if (t[i].enabled && sms_events_has(t[i].events, sms_notice_name(k))) {
			*out = t[i];
			return 1;
		}
	return n < 0 ? n : 0;
}

/* The moment ${time} names: the owner's callback clock when taken in, else the
 * center's pending callback. */
static int64_t notice_due(struct store *s, const struct notice *n)
{
	struct wo_callback cb;
	struct wo_sla sla;

	if (n->kind == SMS_NOTICE_DISPATCHED)
		return wo_sla_find(s, n->order.id, WOM_CALLBACK, &sla) == 0 ? sla.due_at : 0;
	if (n->kind == SMS_NOTICE_DONE || n->kind == SMS_NOTICE_CALLBACK)
		return wo_callback_pending(s, n->order.id, &cb) == 0 ? cb.due_at : 0;
	return 0;
}

/* 1 when the event calls for a notice (n filled, maybe with a reason to skip), 0 when not. */
static int notice_prepare(struct store *s, const struct sms_order_event *e, int64_t now,
			  struct notice *n)
{
	char when[48];
	json_t *p;
	char *text;
	int k = sms_notice_of(e->kind, e->from, e->to, e->outcome), rc;

	(void)now;
	if (k < 0)
		return 0;
	memset(n, 0, sizeof(*n));
	n->kind = (enum sms_notice)k;
	rc = notice_template(s, n->kind, &n->tmpl);
	if (rc <= 0)
		return rc;
	rc = wo_order_get(s, e->order_id, &n->order);
	if (rc < 0)
		return rc == ERR_NOTFOUND ? 0 : rc;
	/* The number given for this order, else the customer's first mobile. */
	if (sms_is_mobile(n->order.phone))
		snprintf(n->phone, sizeof(n->phone), "%s", n->order.phone);
	else if (n->order.customer_id)
		(void)sms_customer_mobile(s, n->order.customer_id, n->phone, sizeof(n->phone));
	if (!n->phone[0])
		n->skip = "没有手机号码";
	else if (sms_optout_has(s, n->phone) > 0)
		n->skip = "号码已退订短信";
	local_time(notice_due(s, n), when, sizeof(when));
	p = json_pack("{s:s, s:s}", "order", n->order.number, "progress",
		      sms_notice_progress(n->kind));
	if (p && when[0])
		json_object_set_new(p, "time", json_string(when));
	text = p ? json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(p);
	if (!text)
		return ERR_NOMEM;
	snprintf(n->params, sizeof(n->params), "%s", text);
	free(text);
	return 1;
}

static const struct audit_actor system_actor = {0, "system", NULL};

/* The order's history line (and its audit entry): what was sent, or why not. */
static int notice_history(struct store *s, const struct notice *n, const char *status,
			  const char *text, const char *why, int64_t now)
{
	struct audit_detail d;
	char masked[32];
	int rc;

	mask_phone(n->phone, masked, sizeof(masked));
	audit_detail_init(&d);
	audit_detail_str(&d, "notice", sms_notice_name(n->kind));
	audit_detail_str(&d, "phone", n->phone[0] ? masked : NULL);
	audit_detail_str(&d, "reason", why);
	audit_detail_str(&d, "status", status);
	audit_detail_str(&d, "template", n->tmpl.code);
	audit_detail_str(&d, "text", text);
	rc = wo_event_add(s, n->order.id, now, 0, "order.sms", -1, -1, audit_detail_text(&d));
	if (rc == 0)
		rc = audit_append(s, &system_actor, now, "chan.sms.notice", "work_order",
				  n->order.id, "ok", audit_detail_text(&d));
	audit_detail_release(&d);
	return rc;
}

/* Commits when all went well, else rolls back: rc, or the commit's error. */
static int finish(struct store *s, int rc)
{
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s);
}

/* Moves the cursor and the claim in their own transaction (ERR_CONFLICT: another node did). */
static int move(struct store *s, int64_t cursor, int64_t claim, int64_t to, int64_t new_claim,
		int64_t now)
{
	int rc = store_begin(s);

	if (rc < 0)
		return rc;
	rc = sms_notice_move(s, cursor, claim, to, new_claim, now);
	return finish(s, rc == 0 ? ERR_CONFLICT : rc < 0 ? rc : 0);
}

/* The outcome of a claimed notice, with the cursor moved past it, in one transaction. */
static int notice_record(struct store *s, int64_t cursor, const struct sms_order_event *e,
			 const struct notice *n, int64_t account_id, int rc_send,
			 const struct sms_sent_text *st, const char *why, int64_t now)
{
	char key[32];
	int rc = store_begin(s);

	if (rc < 0)
		return rc;
	snprintf(key, sizeof(key), "wo:%lld", (long long)e->id);
	rc = sms_notice_move(s, cursor, e->id, e->id, 0, now);
	if (rc == 0)
		rc = ERR_CONFLICT;
	if (rc > 0 && rc_send == 0) {
		rc = sms_sent_add(s, account_id, n->phone, n->tmpl.code, key, n->order.customer_id,
				  st->text, "sent", NULL, now);
		if (rc == 0)
			rc = chan_outbound_record(s, account_id, n->phone, n->order.customer_id,
						  n->order.id, st->text, st->ext, now, NULL);
		if (rc == 0)
			rc = notice_history(s, n, "sent", st->text, NULL, now);
	} else if (rc > 0) {
		if (st->asked)
			rc = sms_sent_add(s, account_id, n->phone, n->tmpl.code, NULL,
					  n->order.customer_id, st->text, "failed", st->error, now);
		if (rc >= 0)
			rc = notice_history(s, n, "failed", st->asked ? st->text : NULL, why, now);
	}
	return finish(s, rc < 0 ? rc : 0);
}

/* A claim left by a process that stopped while the provider was asked. */
static int notice_lost(struct store *s, const struct sms_notice_state *ns, int64_t now)
{
	struct sms_order_event ev;
	struct notice *n = calloc(1, sizeof(*n));
	int rc = n ? store_begin(s) : ERR_NOMEM;

	if (rc < 0) {
		free(n);
		return rc;
	}
	rc = sms_notice_move(s, ns->cursor, ns->claim, ns->claim, 0, now);
	/* The claimed event is the first after the cursor. */
	if (rc > 0 && sms_order_events(s, ns->claim - 1, &ev, 1) == 1 && ev.id == ns->claim &&
	    notice_prepare(s, &ev, now, n) == 1)
		rc = notice_history(s, n, "unknown", NULL, "服务中断，未能确认是否已发出", now);
	log_warn("chan: the SMS notice of order event %lld was being sent when kefu stopped;"
		 " it is not sent again",
		 (long long)ns->claim);
	free(n);
	return finish(s, rc < 0 ? rc : 0);
}

/* One event that calls for a notice: skipped, sent or failed (1), busy (0: stop the round). */
static int notice_one(struct store *s, int64_t *cursor, const struct sms_order_event *e,
		      struct notice *n, int64_t now)
{
	struct sms_settings set;
	struct sms_sent_text *st;
	struct err_info ei = {0};
	int64_t account_id = 0, prev = *cursor;
	const char *why;
	char key[32];
	int rc;

	if (n->skip) {
		rc = store_begin(s);
		if (rc < 0)
			return rc;
		rc = sms_notice_move(s, prev, 0, e->id, 0, now);
		if (rc == 0)
			rc = ERR_CONFLICT;
		if (rc > 0)
			rc = notice_history(s, n, "skipped", NULL, n->skip, now);
		rc = finish(s, rc < 0 ? rc : 0);
		if (rc == 0)
			*cursor = e->id;
		return rc < 0 ? rc : 1;
	}
	rc = sms_settings_get(s, &set);
	if (rc < 0)
		return rc;
	account_id = set.account_id;
	if (!account_id && wx_account_first(s, CHAN_SMS, &account_id) < 0) {
		/* No SMS account: the event passes, there is nothing to send it with. */
		rc = move(s, prev, 0, e->id, 0, now);
		if (rc == 0)
			*cursor = e->id;
		return rc < 0 ? rc : 1;
	}
	rc = move(s, prev, 0, prev, e->id, now);
	if (rc < 0)
		return rc;
	st = malloc(sizeof(*st));
	if (!st)
		return ERR_NOMEM;
	snprintf(key, sizeof(key), "wo:%lld", (long long)e->id);
	rc = sms_template_send(s, account_id, n->phone, n->tmpl.code, n->params, n->tmpl.code, key,
			       now, &ei, st);
	if (rc == ERR_BUSY && (retry_event != e->id || ++retry_tries < CHAN_SEND_TRIES)) {
		if (retry_event != e->id)
			retry_tries = 1;
		retry_event = e->id;
		retry_at = now + NOTICE_RETRY_MS;
		log_info("chan: the SMS provider is busy; the order's notice waits: %s", st->error);
		free(st);
		rc = move(s, prev, e->id, prev, 0, now);
		return rc < 0 ? rc : 0;
	}
	/* Why it failed: the provider's words, or the check's (in Chinese, as the history shows).
	 */
	why = rc == 0		 ? NULL
	      : st->asked	 ? st->error
	      : ei.message_zh[0] ? ei.message_zh
				 : ei.message;
	rc = notice_record(s, prev, e, n, account_id, rc, st, why, now);
	free(st);
	if (rc == 0)
		*cursor = e->id;
	return rc < 0 ? rc : 1;
}

int chan_sms_notice_tick(struct store *s, int64_t now, void *arg)
{
	struct sms_notice_state ns;
	struct sms_order_event *ev = NULL;
	struct notice *n = NULL;
	int64_t last = 0;
	int rc = sms_notice_state_get(s, &ns), count, sent = 0;

	(void)arg;
	if (rc < 0)
		return rc;
	if (ns.claim)
		return now - ns.claim_at < NOTICE_LOST_MS ? 0 : notice_lost(s, &ns, now);
	ev = malloc(NOTICE_BATCH * sizeof(*ev));
	n = malloc(sizeof(*n));
	if (!ev || !n) {
		rc = ERR_NOMEM;
		goto out;
	}
	count = rc = sms_order_events(s, ns.cursor, ev, NOTICE_BATCH);
	for (int i = 0; rc >= 0 && i < count; i++) {
		rc = notice_prepare(s, &ev[i], now, n);
		if (rc < 0)
			break;
		if (rc == 0) {
			last = ev[i].id; /* nothing to tell: passed with the next move */
			continue;
		}
		if (ev[i].id == retry_event && now < retry_at)
			break;
		/* The events passed before this one go with its move. */
		if (last > ns.cursor) {
			rc = move(s, ns.cursor, 0, last, 0, now);
			if (rc < 0)
				break;
			ns.cursor = last;
		}
		rc = notice_one(s, &ns.cursor, &ev[i], n, now);
		if (rc <= 0)
			break;
		sent++;
		last = ns.cursor;
	}
	if (rc >= 0 && last > ns.cursor)
		rc = move(s, ns.cursor, 0, last, 0, now);
	if (rc == ERR_CONFLICT)
		rc = 0; /* another node is at it */
	if (sent)
		log_info("chan: %d order notices handled by SMS (WO-5)", sent);
out:
	free(ev);
	free(n);
	return rc < 0 ? rc : sent;
}
