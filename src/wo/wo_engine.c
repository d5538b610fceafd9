/*
 * Runs changes to work orders: the rules of wo.c applied to the records of
 * wo_store.c, with the order's event, the SLA clocks, the audit entry and
 * the notifications, all in the caller's transaction.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/utf8.h"
#include "notify/notify.h"
#include "org/org.h"
#include "sched/sched.h"
#include "store/store.h"
#include "wo/wo.h"
#include "wo/wo_config.h"

#define MAX_ROUTES 64

/* A notification about an order, skipping nobody (0) and the one who acted. */
static int tell(struct wo_ctx *c, int64_t person, const char *kind, const struct wo_order *o,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int tell(struct wo_ctx *c, int64_t person, const char *kind, const struct wo_order *o,
		const char *fmt, ...)
{
	char text[512], line[600];
	va_list ap;

	if (!person || person == c->who->id)
		return 0;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "工单 %s：%s", o->number, text);
	return notify_send(c->s, person, kind, o->id, line, c->now);
}

struct tell_all {
	struct wo_ctx *c;
	const struct wo_order *o;
	const char *kind, *text;
};

static int tell_one(void *ctx, const struct org_person *p)
{
	struct tell_all *t = ctx;

	return tell(t->c, p->id, t->kind, t->o, "%s", t->text);
}

/* The center's supervisors hear of what goes wrong (WO-4: "the center is told"). */
static int tell_supervisors(struct wo_ctx *c, const char *kind, const struct wo_order *o,
			    const char *text)
{
	struct org_person_filter f = {.role = ROLE_SUPERVISOR, .active = 1, .limit = 100};
	struct tell_all t = {c, o, kind, text};
	int n = org_person_list(c->s, &f, tell_one, &t);

	return n < 0 ? n : 0;
}

static int64_t superior_of(struct store *s, int64_t person)
{
	struct org_person p;

	return person && org_person_get(s, person, &p) == 0 ? p.superior_id : 0;
}

/* A new detail in d, for event(): its keys go in sorted order, as the history has them. */
static struct audit_detail *detail_begin(struct audit_detail *d)
{
	audit_detail_init(d);
	return d;
}

/* The order's event and its audit entry, with the same detail (NULL: none), which it releases. */
static int event(struct wo_ctx *c, const struct wo_order *o, const char *kind, int from, int to,
		 struct audit_detail *detail)
{
	const char *text = detail ? audit_detail_text(detail) : NULL;
	int rc = wo_event_add(c->s, o->id, c->now, c->who->id, kind, from, to, text);

	if (rc == 0)
		rc = audit_append(c->s, c->who, c->now, kind, "work_order", o->id, "ok", text);
	if (detail)
		audit_detail_release(detail);
	return rc;
}

static int start_clocks(struct wo_ctx *c, const struct wo_order *o)
{
	struct wo_class_rule rule;
	struct wo_deadline d[4];
	int rc = wo_class_get(c->s, o->class_code, &rule), n;

	if (rc < 0)
		return rc;
	n = wo_deadlines_at_dispatch(&rule, o->onsite, c->now, d, 4);
	for (int i = 0; rc == 0 && i < n; i++)
		rc = wo_sla_start(c->s, o->id, &d[i]);
	return rc;
}

/* Who gets the order (ROUTE-2): fills department and owner, or leaves owner 0. */
static int route(struct wo_ctx *c, const struct wo_new *in, const struct wo_config_complaint *cp,
		 struct wo_order *o, enum wo_target *target, int64_t *third_party)
{
	struct wo_route_rule rules[MAX_ROUTES];
	const struct wo_route_rule *r;
	struct org_department d;
	struct org_person p;
	int n = wo_routes_load(c->s, rules, MAX_ROUTES), rc = 0;

	if (n < 0)
		return n;
	r = wo_route_pick(rules, n, o->class_code, o->onsite);
	*target = r ? r->target : WOT_CENTER;
	*third_party = r && r->target == WOT_THIRD_PARTY ? r->third_party_id : 0;
	/* A catalogue type may name the department that handles it (WO-10: app crash → tech). */
	if (cp && cp->department_kind[0] && *target != WOT_CLOSE &&
	    *target != WOT_SUBJECT_SUPERIOR && *target != WOT_THIRD_PARTY) {
		rc = org_department_of_kind(c->s, cp->department_kind, &d);
		if (rc == 0) {
			o->department_id = d.id;
			o->owner_id = d.head_id;
			*target = WOT_DEPARTMENT;
			return 0;
		}
	}
	switch (*target) {
	case WOT_DEPARTMENT:
		rc = r->department_id ? org_department_get(c->s, r->department_id, &d)
				      : org_department_of_kind(c->s, r->department_kind, &d);
		if (rc == ERR_NOTFOUND)
			return 0; /* nobody to send it to: a supervisor assigns it */
		if (rc < 0)
			return rc;
		o->department_id = d.id;
		o->owner_id = r->owner_id ? r->owner_id : d.head_id;
		return 0;
	case WOT_SUBJECT_SUPERIOR:
		if (!in->subject_id)
			return err_set(c->ei, ERR_UNPROCESSABLE, "subject_id",
				       "a second complaint names the person complained about");
		rc = org_person_get(c->s, in->subject_id, &p);
		if (rc == ERR_NOTFOUND)
			return err_set(c->ei, ERR_UNPROCESSABLE, "subject_id", "no such person");
		if (rc < 0)
			return rc;
		if (p.superior_id && org_person_get(c->s, p.superior_id, &p) == 0) {
			o->owner_id = p.id;
			o->department_id = p.department_id;
		}
		return 0;
	case WOT_THIRD_PARTY:
		/* Seed 002 §5: passed to the company responsible; the center follows it up. */
	case WOT_CENTER:
		/* WO-3, WO-8: the center solves it itself; the first-contact agent owns it. */
		rc = org_person_get(c->s, c->who->id, &p);
		if (rc < 0)
			return rc;
		o->owner_id = p.id;
		o->department_id = p.department_id;
		return 0;
	case WOT_CLOSE:
	case WOT_COUNT:
		break;
	}
	return 0;
}

/*
 * A text a person writes: required ones say something (not only blanks,
 * U+3000 included), none is longer than max_chars. Errors are added to rc,
 * the earlier ones of the same request (err_add), and the result returned.
 */
static int check_text(struct wo_ctx *c, int rc, const char *field, const char *text, int required,
		      size_t max_chars)
{
	size_t n = 0;

	if (!text || !*text)
		return required
			       ? err_add(c->ei, rc, ERR_UNPROCESSABLE, field, "%s: required", field)
			       : rc;
	if (required && utf8_blank(text))
		return err_add(c->ei, rc, ERR_UNPROCESSABLE, field, "%s: only blanks", field);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		n += (*p & 0xC0) != 0x80;
	if (n > max_chars)
		return err_add(c->ei, rc, ERR_UNPROCESSABLE, field, "%s: at most %zu characters",
			       field, max_chars);
	return rc;
}

/* Seed 002 §5: the order is passed to the outside company responsible, on record. */
static int refer(struct wo_ctx *c, const struct wo_order *o, int64_t third_party_id,
		 const char *note)
{
	struct wo_third_party tp;
	int rc = third_party_id ? wo_third_party_get(c->s, third_party_id, &tp) : ERR_NOTFOUND;

	if (rc == ERR_NOTFOUND || (rc == 0 && !tp.active))
		return err_set(c->ei, ERR_UNPROCESSABLE, "third_party_id",
			       "third_party_id: no such active third party");
	if (rc < 0)
		return rc;
	return wo_referral_add(c->s, o->id, tp.id, c->who->id, note, c->now);
}

static int start_promise(struct wo_ctx *c, const struct wo_order *o, int promise)
{
	static const char *const keys[WOP_COUNT] = {"promise_order_min", "promise_complaint_min",
						    "promise_answer_min"};
	static const int64_t fallback[WOP_COUNT] = {240, 1440, 180};
	struct wo_class_rule rule;
	struct wo_deadline d;
	int rc = wo_class_get(c->s, o->class_code, &rule);

	if (rc < 0)
		return rc;
	d = wo_deadline_of(WOM_REPLY, c->now, wo_setting(c->s, keys[promise], fallback[promise]),
			   rule.warn_pct);
	return wo_sla_start(c->s, o->id, &d);
}

static wo_created_hook created_hook;

void wo_on_created(wo_created_hook fn)
{
	created_hook = fn;
}

int wo_create(struct wo_ctx *c, const struct wo_new *in, struct wo_order *o)
{
	struct wo_config_complaint cp;
	struct wo_class_rule rule;
	struct audit_detail d;
	enum wo_target target = WOT_CENTER;
	int64_t third_party = 0;
	int rc, seq = 0, have_cp = 0, bad = 0;

	memset(o, 0, sizeof(*o));
	/* Every field's error is collected (bad), so the form shows them all. */
	if (in->complaint) {
		rc = wo_config_complaint_get(c->s, in->complaint, &cp);
		if (rc == ERR_NOTFOUND || (rc == 0 && !cp.active))
			bad = err_add(c->ei, bad, ERR_UNPROCESSABLE, "complaint",
				      "unknown complaint type");
		else if (rc < 0)
			return rc;
		else
			have_cp = 1;
		if (have_cp)
			snprintf(o->complaint, sizeof(o->complaint), "%s", cp.code);
	}
	snprintf(o->class_code, sizeof(o->class_code), "%s",
		 in->class_code ? in->class_code
		 : have_cp	? cp.class_code
				: "");
	rc = wo_class_get(c->s, o->class_code, &rule);
	if (rc == ERR_NOTFOUND && (in->class_code || have_cp))
		bad = err_add(c->ei, bad, ERR_UNPROCESSABLE, "class", "unknown class");
	else if (rc < 0 && rc != ERR_NOTFOUND)
		return rc;
	snprintf(o->level, sizeof(o->level), "%s",
		 in->level			      ? in->level
		 : have_cp && o->class_code[0] == 'A' ? cp.level
						      : "");
	o->onsite = in->onsite > 0;
	if (o->level[0]) {
		rc = wo_level_onsite(c->s, o->level);
		if (rc == ERR_NOTFOUND)
			bad = err_add(c->ei, bad, ERR_UNPROCESSABLE, "level", "unknown level");
		else if (rc < 0)
			return rc;
		else if (in->onsite < 0)
			o->onsite = rc;
	}
	bad = check_text(c, bad, "summary", in->summary, 1, WO_SUMMARY_MAX);
	bad = check_text(c, bad, "region", in->region, 0, WO_REGION_MAX);
	if (bad < 0)
		return bad;
	snprintf(o->summary, sizeof(o->summary), "%s", in->summary);
	o->customer_id = in->customer_id;
	/* RPT-2 counts complaints by region: the one given, else where the
	 * customer's last matter was (a customer seldom moves between orders). */
	o->region[0] = '\0';
	if (in->region && !utf8_blank(in->region))
		snprintf(o->region, sizeof(o->region), "%s", in->region);
	else if (!in->region && o->customer_id) {
		rc = wo_customer_region(c->s, o->customer_id, o->region, sizeof(o->region));
		if (rc < 0)
			return rc;
	}
	snprintf(o->phone, sizeof(o->phone), "%s", in->phone);
	/* Calling the customer back (WO-2) needs a way to reach them. */
	if (rule.callback_min >= 0 && !o->customer_id && !o->phone[0])
		return err_set(c->ei, ERR_UNPROCESSABLE, "phone",
			       "phone: an order the owner must call back needs a customer or a"
			       " phone number");
	o->subject_id = in->subject_id;
	o->parent_id = in->parent_id;
	o->related_id = in->related_id;
	o->first_agent_id = c->who->id;
	o->created_at = o->updated_at = c->now;

	rc = route(c, in, have_cp ? &cp : NULL, o, &target, &third_party);
	if (rc < 0)
		return rc;
	rc = wo_next_seq(c->s, clock_local_ymd(c->now), o->class_code, &seq);
	if (rc < 0)
		return rc;
	wo_number(o->number, sizeof(o->number), o->class_code, clock_local_ymd(c->now), seq);
	if (target == WOT_CLOSE) {
		/* ROUTE-2: harassment is closed at once; the contact stays on record. */
		o->state = WO_ARCHIVED;
		o->archived_at = c->now;
		o->archive_month = wo_archive_month(c->now);
		snprintf(o->close_reason, sizeof(o->close_reason), "harassment");
	} else if (!o->owner_id) {
		o->state = WO_NEW;
	} else {
		o->state = target == WOT_CENTER || target == WOT_THIRD_PARTY ? WO_ACCEPTED
									     : WO_DISPATCHED;
		o->dispatched_at = c->now;
	}
	rc = wo_order_insert(c->s, o);
	if (rc == 0 && o->owner_id)
		rc = wo_responsible_add(c->s, o->id, o->owner_id, "owner", 0, c->now);
	if (rc == 0 && in->contact_id)
		rc = wo_contact_link(c->s, o->id, in->contact_id, "cause");
	if (rc == 0 && in->contact_id && created_hook)
		rc = created_hook(c->s, o->id, o->number, in->contact_id, c->now);
	if (rc == 0) {
		detail_begin(&d);
		audit_detail_str(&d, "class", o->class_code);
		audit_detail_int(&d, "department_id", o->department_id);
		audit_detail_str(&d, "number", o->number);
		audit_detail_int(&d, "owner_id", o->owner_id);
		audit_detail_str(&d, "target", wo_target_name(target));
		rc = event(c, o, "order.create", -1, (int)o->state, &d);
	}
	if (rc == 0 && third_party)
		rc = refer(c, o, third_party, NULL);
	if (rc == 0 && third_party) {
		audit_detail_int(detail_begin(&d), "third_party_id", third_party);
		rc = event(c, o, "order.refer", -1, -1, &d);
	}
	if (rc == 0 && o->owner_id)
		rc = start_clocks(c, o);
	if (rc == 0 && in->promise >= 0)
		rc = start_promise(c, o, in->promise);
	if (rc == 0)
		rc = wo_search_put(c->s, o);
	if (rc == 0 && o->state == WO_DISPATCHED)
		rc = tell(c, o->owner_id, "order.new", o, "新工单（%s）：%s", o->class_code,
			  o->summary);
	if (rc == 0 && o->state == WO_NEW)
		rc = tell_supervisors(c, "order.unassigned", o, "找不到负责人，请指派");
	return rc;
}

/*
 * WO-4: one more level up the owner's chain of superiors becomes
 * responsible and is told, with the owner, the first-contact agent and the
 * center's supervisors. Returns 1 when someone was added, 0 at the top.
 *
 * At the top of the chain nobody is added, but a breach is still news to
 * the people already on the order: the first-contact agent and the
 * superiors escalated to so far hear of it, as the supervisors do. The
 * caller stops escalating that clock there, so the supervisors' "top of
 * the chain" notice comes once per clock.
 */
static int escalate(struct wo_ctx *c, struct wo_order *o, const char *why, const char *metric)
{
	int help = strcmp(why, "help") == 0;
	int64_t p = o->owner_id;
	struct audit_detail d;
	int rc;

	for (int i = 0; i <= o->escalation_level && p; i++)
		p = superior_of(c->s, p);
	if (!p) {
		int64_t up = o->owner_id;

		if (help)
			return 0; /* the caller answers 409 and rolls back */
		detail_begin(&d);
		audit_detail_str(&d, "metric", metric);
		audit_detail_str(&d, "reason", why);
		rc = event(c, o, "order.escalation_top", -1, -1, &d);
		for (int i = 0; rc == 0 && i < o->escalation_level && up; i++) {
			up = superior_of(c->s, up);
			rc = tell(c, up, "order.escalated", o, "仍未处理（第%d级），已到最高一级",
				  o->escalation_level);
		}
		if (rc == 0)
			rc = tell(c, o->first_agent_id, "order.changed", o,
				  "时限超时，已到最高一级");
		if (rc == 0)
			rc = tell_supervisors(c, "order.escalated", o,
					      "已升级到最高一级，请中心处理");
		return rc < 0 ? rc : 0;
	}
	o->escalation_level++;
	rc = wo_responsible_add(c->s, o->id, p, why, o->escalation_level, c->now);
	if (rc == 0)
		rc = wo_order_save(c->s, o, c->now);
	if (rc == 0) {
		detail_begin(&d);
		audit_detail_int(&d, "level", o->escalation_level);
		audit_detail_str(&d, "metric", metric);
		audit_detail_int(&d, "person_id", p);
		audit_detail_str(&d, "reason", why);
		rc = event(c, o, "order.escalated", -1, -1, &d);
	}
	/* A call for help is its own kind, so the level up sees it is asked, not late. */
	if (rc == 0)
		rc = tell(c, p, help ? "order.help" : "order.escalated", o,
			  "已升级给您（第%d级，%s）", o->escalation_level,
			  help ? "负责人请求协助" : "超时");
	if (rc == 0)
		rc = tell(c, o->owner_id, "order.escalated", o, "已升级到上一级");
	if (rc == 0)
		rc = tell(c, o->first_agent_id, "order.changed", o, "已升级到第%d级",
			  o->escalation_level);
	if (rc == 0)
		rc = tell_supervisors(c, "order.escalated", o, "已升级");
	return rc < 0 ? rc : 1;
}

static int report(struct wo_ctx *c, struct wo_order *o, const struct wo_act *a)
{
	struct wo_class_rule rule;
	struct wo_sla have;
	json_t *r;
	char *text;
	int rc;

	rc = check_text(c, 0, "solution", a->solution, 1, WO_TEXT_MAX);
	rc = check_text(c, rc, "effect", a->effect, 0, WO_TEXT_MAX);
	rc = check_text(c, rc, "cause", a->cause, 0, WO_TEXT_MAX);
	rc = check_text(c, rc, "remaining", a->remaining, 0, WO_TEXT_MAX);
	/*
	 * WO-6: the call back happened after the order was made (a PC's clock
	 * may run a little behind) and has happened: not tomorrow, not 1970.
	 */
	if (a->called_back_at &&
	    (a->called_back_at > c->now || a->called_back_at < o->created_at - WO_CLOCK_SKEW_MS))
		rc = err_add(c->ei, rc, ERR_UNPROCESSABLE, "called_back_at",
			     "called_back_at: between the order's creation and now");
	if (rc < 0)
		return rc;
	/* WO-6: when the customer was called back, the solution, its effect, what is
	 * left; WO-9: the cause, which with the solution feeds the knowledge base. */
	r = json_pack("{s:s, s:s?, s:s?, s:o}", "solution", a->solution, "effect", a->effect,
		      "remaining", a->remaining, "called_back_at",
		      a->called_back_at ? json_integer(a->called_back_at) : json_null());
	if (r && a->cause && *a->cause)
		json_object_set_new(r, "cause", json_string(a->cause));
	text = r ? json_dumps(r, JSON_COMPACT) : NULL;
	json_decref(r);
	if (!text || strlen(text) >= sizeof(o->report)) {
		free(text);
		return err_set(c->ei, ERR_TOOBIG, NULL, "the report is too long");
	}
	snprintf(o->report, sizeof(o->report), "%s", text);
	free(text);
	o->reported_at = c->now;
	/* Reporting means the customer was called back and the work is done. */
	rc = wo_sla_meet(c->s, o->id, WOM_CALLBACK, c->now);
	if (rc >= 0 && wo_sla_find(c->s, o->id, WOM_REPORT, &have) == ERR_NOTFOUND &&
	    wo_class_get(c->s, o->class_code, &rule) == 0 && rule.report_same_day) {
		struct wo_deadline d = wo_report_deadline(&rule, c->now);

		rc = wo_sla_start(c->s, o->id, &d);
	}
	if (rc >= 0)
		rc = wo_sla_meet(c->s, o->id, WOM_REPORT, c->now);
	if (rc >= 0)
		rc = wo_sla_meet(c->s, o->id, WOM_RESOLVE, c->now);
	/* CB-1: every finished order is called back by the center before it is archived. */
	if (rc >= 0)
		rc = wo_callback_open(c->s, o->id,
				      c->now + wo_setting(c->s, "callback_due_min", 120) * 60000,
				      c->now);
	if (rc >= 0)
		rc = tell(c, o->first_agent_id, "callback.due", o, "负责人已反馈，请回访客户");
	return rc < 0 ? rc : 0;
}

static int archive(struct wo_ctx *c, struct wo_order *o)
{
	o->state = WO_ARCHIVED;
	o->archived_at = c->now;
	o->archive_month = wo_archive_month(c->now);
	/* A closed order has nothing left to be late for: a promise still open ends too. */
	return wo_sla_cancel_all(c->s, o->id, c->now, "{\"why\":\"order archived\"}");
}

static int callback(struct wo_ctx *c, struct wo_order *o, const struct wo_act *a)
{
	struct wo_callback cb;
	struct wo_order follow;
	struct audit_detail d;
	int64_t follow_id = 0;
	int rc = wo_callback_pending(c->s, o->id, &cb);

	if (rc == ERR_NOTFOUND)
		return err_set(c->ei, ERR_CONFLICT, NULL, "no callback is due for this order");
	if (rc < 0)
		return rc;
	rc = check_text(c, 0, "note", a->text, 0, WO_TEXT_MAX);
	if (rc < 0)
		return rc;
	/* CB-2: after "not accepted" another agent makes the next call. */
	if (cb.excluded_id && cb.excluded_id == c->who->id)
		return err_set(c->ei, ERR_CONFLICT, NULL, "another agent must make this callback");
	cb.attempts++;
	switch (a->outcome) {
	case WOO_ACCEPTED:
		snprintf(cb.state, sizeof(cb.state), "done");
		cb.closed_at = c->now;
		rc = archive(c, o);
		break;
	case WOO_NOT_ACCEPTED:
		cb.excluded_id = c->who->id;
		cb.due_at = c->now + wo_setting(c->s, "callback_retry_min", 120) * 60000;
		rc = tell_supervisors(c, "callback.due", o,
				      "客户不认可处理结果，需另一位客服再次回访");
		break;
	case WOO_UNREACHABLE:
		cb.due_at = c->now + wo_setting(c->s, "callback_retry_min", 120) * 60000;
		break;
	case WOO_NEW_NEED:
		if (!a->follow_up)
			return err_set(c->ei, ERR_UNPROCESSABLE, "follow_up",
				       "describe the new need as a follow-up order");
		{
			struct wo_new in = *a->follow_up;

			in.parent_id = o->id;
			in.customer_id = o->customer_id;
			if (!in.phone[0])
				snprintf(in.phone, sizeof(in.phone), "%s", o->phone);
			rc = wo_create(c, &in, &follow);
			follow_id = follow.id;
		}
		snprintf(cb.state, sizeof(cb.state), "done");
		cb.closed_at = c->now;
		if (rc == 0)
			rc = archive(c, o);
		break;
	case WOO_COUNT:
		return err_set(c->ei, ERR_UNPROCESSABLE, "outcome", "unknown outcome");
	}
	if (rc == 0)
		rc = wo_callback_save(c->s, &cb);
	if (rc == 0)
		rc = wo_callback_attempt_add(c->s, &cb, c->who->id, c->now, a->outcome, a->text,
					     follow_id);
	if (rc == 0) {
		detail_begin(&d);
		audit_detail_int(&d, "attempt", cb.attempts);
		audit_detail_int(&d, "follow_up_id", follow_id);
		audit_detail_str(&d, "note", a->text);
		audit_detail_str(&d, "outcome", wo_outcome_name(a->outcome));
		rc = event(c, o, "order.callback", -1, -1, &d);
	}
	return rc;
}

/*
 * (Re)assigns the order: the new owner replaces the old one, whose
 * responsibility ends (kept, with when it ended, and the order's event
 * names both). Only someone who can own an order may (wo_can_own), and
 * taking an order away from its owner needs a reason.
 */
static int assign(struct wo_ctx *c, struct wo_order *o, const struct wo_act *a)
{
	struct org_person p;
	int64_t before = o->owner_id;
	int first = !o->dispatched_at, rc = org_person_get(c->s, a->person_id, &p);

	if (rc == ERR_NOTFOUND || (rc == 0 && !p.active))
		return err_set(c->ei, ERR_UNPROCESSABLE, "person_id", "no such active person");
	if (rc < 0)
		return rc;
	if (!wo_can_own(p.roles, p.active))
		return err_set(c->ei, ERR_UNPROCESSABLE, "person_id",
			       "person_id: this person cannot own work orders");
	if (before == p.id)
		return err_set(c->ei, ERR_UNPROCESSABLE, "person_id",
			       "person_id: already the owner");
	rc = check_text(c, 0, "reason", a->text, before != 0, WO_TEXT_MAX);
	if (rc < 0)
		return rc;
	o->owner_id = p.id;
	o->department_id = p.department_id;
	if (first)
		o->dispatched_at = c->now;
	if (before)
		rc = wo_responsible_end(c->s, o->id, before, c->now);
	if (rc == 0)
		rc = wo_responsible_add(c->s, o->id, p.id, "owner", o->escalation_level, c->now);
	/* The deadlines of WO-2 run from dispatch: an order assigned by hand starts them now. */
	if (rc == 0 && first)
		rc = start_clocks(c, o);
	if (rc == 0)
		rc = tell(c, p.id, "order.new", o, "指派给您：%s", o->summary);
	if (rc == 0 && before)
		rc = tell(c, before, "order.changed", o, "已改派他人：%s", a->text);
	return rc;
}

static int reasoned(struct wo_ctx *c, const struct wo_act *a)
{
	return check_text(c, 0, "reason", a->text, 1, WO_TEXT_MAX);
}

static int sla_fact(void *ctx, const struct wo_sla *k)
{
	struct wo_facts *f = ctx;

	f->running += strcmp(k->state, "running") == 0;
	f->paused += strcmp(k->state, "paused") == 0;
	if (k->metric == WOM_ONSITE && strcmp(k->state, "met") != 0 &&
	    strcmp(k->state, "cancelled") != 0)
		f->visit_due = 1;
	return 0;
}

int wo_facts_load(struct store *s, const struct wo_order *o, struct wo_facts *f)
{
	struct wo_callback cb;
	int64_t p = o->owner_id;
	int rc;

	memset(f, 0, sizeof(*f));
	rc = wo_sla_list(s, o->id, sla_fact, f);
	if (rc < 0)
		return rc;
	rc = wo_callback_pending(s, o->id, &cb);
	if (rc == 0) {
		f->callback_pending = 1;
		f->callback_excluded = cb.excluded_id;
	} else if (rc != ERR_NOTFOUND) {
		return rc;
	}
	/* WO-4: the level above those escalated to so far, as escalate() walks it. */
	for (int i = 0; i <= o->escalation_level && p; i++)
		p = superior_of(s, p);
	f->higher_level = p != 0;
	rc = wo_referral_state(s, o->id);
	if (rc < 0)
		return rc;
	f->referral = rc;
	return 0;
}

/* A refusal by wo_action_block, as the error the client sees. */
static int refuse(struct wo_ctx *c, const struct wo_order *o, enum wo_action a, enum wo_block b)
{
	switch (b) {
	case WOB_NONE:
		return 0;
	case WOB_STATE:
		return err_set(c->ei, ERR_CONFLICT, "state", "cannot %s an order that is %s",
			       wo_action_name(a), wo_state_name(o->state));
	case WOB_VISIT_FIRST:
		return err_set(c->ei, ERR_UNPROCESSABLE, "onsite",
			       "record the on-site visit first");
	case WOB_NO_VISIT:
		return err_set(c->ei, ERR_UNPROCESSABLE, "onsite", "this order needs no visit");
	case WOB_NO_CALLBACK:
		return err_set(c->ei, ERR_CONFLICT, NULL, "no callback is due for this order");
	case WOB_OTHER_AGENT:
		return err_set(c->ei, ERR_CONFLICT, NULL, "another agent must make this callback");
	case WOB_TOP:
		return err_set(c->ei, ERR_CONFLICT, NULL, "there is no higher level to ask");
	case WOB_NOT_RUNNING:
		return err_set(c->ei, ERR_CONFLICT, NULL, "no deadline is running");
	case WOB_NOT_PAUSED:
		return err_set(c->ei, ERR_CONFLICT, NULL, "no deadline is paused");
	case WOB_REFERRED:
		return err_set(c->ei, ERR_CONFLICT, NULL,
			       "already passed on: record the third party's answer first");
	case WOB_NOT_WAITING:
		return err_set(c->ei, ERR_CONFLICT, NULL, "no third party is asked for an answer");
	case WOB_NO_ANSWER:
		return err_set(c->ei, ERR_CONFLICT, NULL, "no third-party answer to pass on");
	case WOB_ANSWER_FIRST:
		return err_set(c->ei, ERR_CONFLICT, NULL, "the third party has not answered yet");
	case WOB_RELAY_FIRST:
		return err_set(c->ei, ERR_CONFLICT, NULL,
			       "tell the customer the third party's answer first");
	}
	return ERR_INVALID;
}

int wo_apply(struct wo_ctx *c, int64_t order_id, const struct wo_act *a, struct wo_order *o)
{
	struct wo_facts facts;
	int rc = wo_order_get(c->s, order_id, o), from, to;
	struct audit_detail built, *detail = NULL;

	if (rc == ERR_NOTFOUND)
		return err_set(c->ei, ERR_NOTFOUND, NULL, "no such order");
	if (rc < 0)
		return rc;
	if (a->version && a->version != o->version)
		return err_set(c->ei, ERR_CONFLICT, "version",
			       "the order changed since you read it (version %lld)",
			       (long long)o->version);
	from = (int)o->state;
	to = wo_next_state(o->state, a->action);
	/* The same rule GET /api/orders/{id} offers the actions by (allowed_actions). */
	rc = wo_facts_load(c->s, o, &facts);
	if (rc < 0)
		return rc;
	rc = refuse(c, o, a->action,
		    wo_action_block(o->state, o->onsite, &facts, c->who->id, a->action));
	if (rc < 0)
		return rc;
	switch (a->action) {
	case WOA_ASSIGN:
		detail = detail_begin(&built);
		audit_detail_int(detail, "owner_id", a->person_id);
		audit_detail_id(detail, "previous_owner_id", o->owner_id);
		audit_detail_str(detail, "reason", a->text && *a->text ? a->text : NULL);
		rc = assign(c, o, a);
		break;
	case WOA_ACCEPT:
		break;
	case WOA_CALL:
	case WOA_ONSITE:
		/* An optional note of what was said or found stays in the history. */
		rc = check_text(c, 0, "note", a->text, 0, WO_TEXT_MAX);
		if (rc == 0)
			rc = wo_sla_meet(c->s, o->id,
					 a->action == WOA_CALL ? WOM_CALLBACK : WOM_ONSITE, c->now);
		if (rc >= 0 && a->text && *a->text)
			audit_detail_str(detail = detail_begin(&built), "note", a->text);
		break;
	case WOA_FINISH: {
		struct wo_class_rule rule;
		struct wo_sla have;

		rc = wo_class_get(c->s, o->class_code, &rule);
		if (rc == 0 && rule.report_same_day &&
		    wo_sla_find(c->s, o->id, WOM_REPORT, &have) == ERR_NOTFOUND) {
			struct wo_deadline d = wo_report_deadline(&rule, c->now);

			rc = wo_sla_start(c->s, o->id, &d);
		}
		break;
	}
	case WOA_REPORT:
		rc = report(c, o, a);
		break;
	case WOA_CALLBACK:
		rc = callback(c, o, a);
		to = (int)o->state;
		break;
	case WOA_REOPEN:
		rc = reasoned(c, a);
		if (rc == 0) {
			struct wo_callback cb;

			if (wo_callback_pending(c->s, o->id, &cb) == 0) {
				snprintf(cb.state, sizeof(cb.state), "cancelled");
				cb.closed_at = c->now;
				rc = wo_callback_save(c->s, &cb);
			}
			o->archived_at = 0;
			o->archive_month = 0;
			o->reported_at = 0;
			o->report[0] = '\0';
		}
		if (rc == 0)
			rc = tell(c, o->owner_id, "order.changed", o, "已重新打开：%s", a->text);
		audit_detail_str(detail = detail_begin(&built), "reason", a->text ? a->text : "");
		break;
	case WOA_CANCEL:
		rc = reasoned(c, a);
		if (rc == 0)
			rc = wo_sla_cancel_all(c->s, o->id, c->now,
					       "{\"why\":\"order cancelled\"}");
		if (rc == 0)
			snprintf(o->close_reason, sizeof(o->close_reason), "%s", a->text);
		if (rc == 0)
			rc = tell(c, o->owner_id, "order.changed", o, "已取消：%s", a->text);
		audit_detail_str(detail = detail_begin(&built), "reason", a->text ? a->text : "");
		break;
	case WOA_HELP:
		rc = check_text(c, 0, "reason", a->text, 0, WO_TEXT_MAX);
		if (rc == 0)
			rc = escalate(c, o, "help", NULL);
		if (rc == 0)
			return err_set(c->ei, ERR_CONFLICT, NULL,
				       "there is no higher level to ask");
		rc = rc > 0 ? 0 : rc;
		/* WO-4: why help was asked for stays on the order, for the level asked. */
		if (a->text && *a->text)
			audit_detail_str(detail = detail_begin(&built), "reason", a->text);
		break;
	case WOA_PROGRESS:
		/* WO-5: what the customer was told, on record; it keeps a promised reply. */
		rc = check_text(c, 0, "text", a->text, 1, WO_TEXT_MAX);
		if (rc == 0)
			rc = wo_sla_meet(c->s, o->id, WOM_REPLY, c->now);
		rc = rc > 0 ? 0 : rc;
		audit_detail_str(detail = detail_begin(&built), "text", a->text ? a->text : "");
		break;
	case WOA_PROMISE:
		if (a->promise < 0 || a->promise >= WOP_COUNT)
			return err_set(c->ei, ERR_UNPROCESSABLE, "kind", "unknown promise kind");
		rc = start_promise(c, o, a->promise);
		audit_detail_str(detail = detail_begin(&built), "kind",
				 wo_promise_name((enum wo_promise)a->promise));
		break;
	case WOA_PAUSE:
		rc = reasoned(c, a);
		if (rc == 0)
			rc = wo_sla_pause_all(c->s, o->id, c->now);
		audit_detail_str(detail = detail_begin(&built), "reason", a->text ? a->text : "");
		break;
	case WOA_RESUME:
		rc = wo_sla_resume_all(c->s, o->id, c->now);
		break;
	case WOA_REFER:
		rc = check_text(c, 0, "note", a->text, 0, WO_TEXT_MAX);
		if (rc == 0)
			rc = refer(c, o, a->third_party_id, a->text);
		detail = detail_begin(&built);
		audit_detail_str(detail, "note", a->text && *a->text ? a->text : NULL);
		audit_detail_int(detail, "third_party_id", a->third_party_id);
		break;
	case WOA_ANSWER:
	case WOA_RELAY:
		/* What the company answered; then what the customer was told of it (seed 002 §5).
		 */
		rc = check_text(c, 0, "text", a->text, 1, WO_TEXT_MAX);
		if (rc == 0)
			rc = wo_referral_close(c->s, o->id,
					       a->action == WOA_ANSWER ? "answer" : "relay",
					       a->text, c->who->id, c->now);
		if (rc == 0 && a->action == WOA_RELAY)
			rc = wo_sla_meet(c->s, o->id, WOM_REPLY, c->now);
		rc = rc > 0 ? 0 : rc;
		audit_detail_str(detail = detail_begin(&built), "text", a->text ? a->text : "");
		break;
	case WOA_COUNT:
		return ERR_INVALID;
	}
	if (rc < 0) {
		if (detail)
			audit_detail_release(detail);
		return rc;
	}
	o->state = (enum wo_state)to;
	rc = wo_order_save(c->s, o, c->now);
	if (rc == 0 &&
	    (a->action == WOA_REPORT || a->action == WOA_CANCEL || a->action == WOA_REOPEN))
		rc = wo_search_put(c->s, o);
	if (rc == 0) {
		char kind[48];

		snprintf(kind, sizeof(kind), "order.%s", wo_action_name(a->action));
		rc = event(c, o, kind, from, to, detail);
		detail = NULL;
	}
	if (detail)
		audit_detail_release(detail);
	/* WO-8: the first-contact agent follows the order until it is archived. */
	if (rc == 0 && a->action != WOA_PROGRESS && a->action != WOA_PROMISE)
		rc = tell(c, o->first_agent_id, "order.changed", o, "%s → %s",
			  wo_action_name(a->action), wo_state_name(o->state));
	return rc;
}

static const struct audit_actor system_actor = {0, "system", NULL};

/* A clock's event, with when it is due as its detail. */
static int sla_event(struct store *s, const struct wo_sla *d, const char *kind, int64_t now)
{
	struct audit_detail detail;
	int rc;

	audit_detail_init(&detail);
	audit_detail_int(&detail, "due_at", d->due_at);
	rc = wo_sla_event(s, d, kind, now, audit_detail_text(&detail));
	audit_detail_release(&detail);
	return rc;
}

/* One due clock: its breach, else its warning, else its next escalation. */
static int fire(struct store *s, const struct wo_sla *d, int64_t now)
{
	struct err_info ei;
	struct wo_ctx c = {s, now, &system_actor, &ei};
	struct wo_class_rule rule;
	struct wo_order o;
	const char *metric = wo_metric_name(d->metric);
	int rc = wo_order_get(s, d->order_id, &o);
	int64_t step;

	if (rc == 0)
		rc = wo_class_get(s, o.class_code, &rule);
	if (rc < 0)
		return rc;
	step = (int64_t)rule.escalate_min * 60000;
	if (!d->breached && d->due_at <= now) {
		rc = wo_sla_fire_breach(s, d->id, now + step);
		if (rc <= 0)
			return rc;
		rc = sla_event(s, d, "breached", now);
		if (rc == 0)
			rc = tell(&c, o.owner_id, "sla.breach", &o, "%s时限已超时",
				  wo_metric_label(d->metric));
		if (rc == 0)
			rc = escalate(&c, &o, "breach", metric);
		/* At the top already: told once, nothing further to escalate on this clock. */
		if (rc == 0)
			rc = wo_sla_next_escalation(s, d->id, now + step, 0);
		return rc < 0 ? rc : 1;
	}
	if (!d->warned && d->warn_at <= now) {
		rc = wo_sla_fire_warning(s, d->id);
		if (rc <= 0)
			return rc;
		rc = sla_event(s, d, "warned", now);
		if (rc == 0)
			rc = tell(&c, o.owner_id, "sla.warning", &o, "%s时限即将到期",
				  wo_metric_label(d->metric));
		return rc < 0 ? rc : 1;
	}
	if (d->breached && d->next_escalation_at && d->next_escalation_at <= now) {
		/* WO-4: still unmet a further period after the breach: one more level up. */
		rc = wo_sla_next_escalation(s, d->id, d->next_escalation_at, now + step);
		if (rc <= 0)
			return rc;
		rc = escalate(&c, &o, "breach", metric);
		if (rc == 0)
			rc = wo_sla_next_escalation(s, d->id, now + step, 0);
		return rc < 0 ? rc : 1;
	}
	return 0;
}

/* How much one tick does before it returns, so a long backlog never holds up a stop. */
#define WO_TICK_BUDGET SCHED_BUDGET

int wo_tick(struct store *s, int64_t now)
{
	struct wo_sla due[64];
	int n, fired = 0, rc = 0;

	do {
		n = wo_sla_due(s, now, due, 64);
		if (n < 0)
			return n;
		for (int i = 0; i < n && rc >= 0; i++) {
			/*
			 * Each clock in its own transaction: the conditional update
			 * inside makes a firing happen once, even with several nodes.
			 */
			int one;

			rc = store_begin(s);
			one = rc == 0 ? fire(s, &due[i], now) : rc;
			if (one < 0) {
				store_rollback(s);
				rc = one;
				break;
			}
			rc = store_commit(s);
			if (rc == 0)
				fired += one;
		}
	} while (rc >= 0 && n == 64 && fired > 0 && fired < WO_TICK_BUDGET);
	/* What did commit is told at once, even when a later clock failed. */
	if (fired)
		notify_wake();
	return rc < 0 ? rc : fired;
}

/*
 * WO-7: orders archived longer ago than the retention period keep their
 * numbers, classes and times for reports, but lose what identifies the
 * customer and what was said.
 */
int wo_retention(struct store *s, int64_t now)
{
	int64_t years = wo_setting(s, "retention_years", 3);
	int64_t before = now - years * 365 * 86400000LL;
	int rc = store_begin(s);

	if (rc == 0)
		rc = wo_anonymise_archived(s, before, 500);
	if (rc >= 0) {
		int n = rc;

		rc = store_commit(s);
		return rc < 0 ? rc : n;
	}
	store_rollback(s);
	return rc;
}
