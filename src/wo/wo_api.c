/*
 * /api/orders and /api/callbacks: work orders over HTTP (ROUTE, WO, CB).
 *
 * Reading an order is allowed to those the policy gives it (staff: their
 * department's) and always to the people it involves: its first-contact
 * agent (WO-8) and everyone responsible for it, owner and escalation
 * levels (WO-4). Working it (accept, call, visit, report, ask for help)
 * needs ACT_ORDER_WORK; as "self" that means being responsible for it.
 * Every check happens before the write transaction begins.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "att/att.h"
#include "core/clock.h"
#include "core/jw.h"
#include "core/mask.h"
#include "cust/cust.h"
#include "http/http.h"
#include "notify/notify.h"
#include "org/org.h"
#include "store/store.h"
#include "wo/wo.h"

static json_t *ref(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

static json_t *text_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static int responsible_row(void *ctx, int64_t person, const char *reason, int level,
			   int64_t added_at, int64_t ended_at)
{
	return json_array_append_new(ctx, json_pack("{s:I, s:s, s:i, s:I, s:o}", "person_id",
						    (json_int_t)person, "reason", reason, "level",
						    level, "added_at", (json_int_t)added_at,
						    "ended_at", ref(ended_at)));
}

/*
 * The people an answer refers to by id, named (issue 12): whoever may read
 * the order may see who works on it, by name and work number, though their
 * role may not read the staff directory.
 */
struct people {
	int64_t ids[256];
	int n;
};

static void people_add(struct people *p, int64_t id)
{
	if (!id)
		return;
	for (int i = 0; i < p->n; i++)
		if (p->ids[i] == id)
			return;
	if (p->n < (int)(sizeof(p->ids) / sizeof(p->ids[0])))
		p->ids[p->n++] = id;
}

static void people_add_json(struct people *p, json_t *v)
{
	if (json_is_integer(v))
		people_add(p, json_integer_value(v));
}

static json_t *people_json(struct store *s, const struct people *p)
{
	json_t *a = json_array();
	struct org_person who;

	for (int i = 0; a && i < p->n; i++)
		if (org_person_get(s, p->ids[i], &who) == 0)
			json_array_append_new(a,
					      json_pack("{s:I, s:s, s:s}", "id", (json_int_t)who.id,
							"name", who.name, "work_no", who.work_no));
	return a;
}

/* The contacts the order came from or that followed it, with their 5W1H (CALL-10). */
struct contacts_ctx {
	struct store *s;
	json_t *items;
	struct people *people;
};

static int contact_row(void *ctx, int64_t contact_id, const char *role)
{
	struct contacts_ctx *cc = ctx;
	struct cust_contact *k = malloc(sizeof(*k));
	json_t *j = NULL;
	int rc = k ? cust_contact_get(cc->s, contact_id, k) : ERR_NOMEM;

	if (rc == 0) {
		j = cust_contact_json(k);
		people_add(cc->people, k->agent_id);
	}
	free(k);
	if (rc == ERR_NOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	if (!j)
		return ERR_NOMEM;
	json_object_set_new(j, "role", json_string(role));
	return json_array_append_new(cc->items, j) ? ERR_NOMEM : 0;
}

/*
 * The compact form of an order, as lists show it, written straight as JSON
 * (lists of many orders spend their time here). Every other form of an
 * order is built from this one, so the fields cannot drift apart. The
 * object is left open for the caller to add to or close.
 */
static void order_write_fields(struct jw *w, const struct wo_order *o)
{
	char label[24];

	wo_label(label, sizeof(label), o->class_code, o->level);
	jw_object_begin(w);
	jw_key(w, "id");
	jw_int(w, o->id);
	jw_key(w, "number");
	jw_str(w, o->number);
	jw_key(w, "class");
	jw_str(w, o->class_code);
	jw_key(w, "level");
	jw_str_or_null(w, o->level);
	jw_key(w, "label");
	jw_str(w, label);
	jw_key(w, "complaint");
	jw_str_or_null(w, o->complaint);
	jw_key(w, "region");
	jw_str_or_null(w, o->region);
	jw_key(w, "onsite");
	jw_bool(w, o->onsite);
	jw_key(w, "state");
	jw_str(w, wo_state_name(o->state));
	jw_key(w, "customer_id");
	jw_id(w, o->customer_id);
	/* The number to call back on, masked like every customer number (CUST-2). */
	jw_key(w, "phone");
	if (o->phone[0]) {
		char masked[32];

		mask_phone(o->phone, masked, sizeof(masked));
		jw_str(w, masked);
	} else {
		jw_null(w);
	}
	jw_key(w, "subject_id");
	jw_id(w, o->subject_id);
	jw_key(w, "department_id");
	jw_id(w, o->department_id);
	jw_key(w, "owner_id");
	jw_id(w, o->owner_id);
	jw_key(w, "first_agent_id");
	jw_int(w, o->first_agent_id);
	jw_key(w, "parent_id");
	jw_id(w, o->parent_id);
	jw_key(w, "related_id");
	jw_id(w, o->related_id);
	jw_key(w, "summary");
	jw_str(w, o->summary);
	jw_key(w, "report");
	jw_raw(w, o->report); /* written by the engine as JSON */
	jw_key(w, "close_reason");
	jw_str_or_null(w, o->close_reason);
	jw_key(w, "escalation_level");
	jw_int(w, o->escalation_level);
	jw_key(w, "created_at");
	jw_int(w, o->created_at);
	jw_key(w, "updated_at");
	jw_int(w, o->updated_at);
	jw_key(w, "dispatched_at");
	jw_id(w, o->dispatched_at);
	jw_key(w, "reported_at");
	jw_id(w, o->reported_at);
	jw_key(w, "archived_at");
	jw_id(w, o->archived_at);
	jw_key(w, "archive_month");
	jw_id(w, o->archive_month);
	jw_key(w, "version");
	jw_int(w, o->version);
}

static void order_write(struct jw *w, const struct wo_order *o)
{
	order_write_fields(w, o);
	jw_object_end(w);
}

/* One deadline clock (WO-2), as lists and the full order show it. */
static int sla_write(void *ctx, const struct wo_sla *c)
{
	struct jw *w = ctx;

	jw_object_begin(w);
	jw_key(w, "id");
	jw_int(w, c->id);
	jw_key(w, "metric");
	jw_str(w, wo_metric_name(c->metric));
	jw_key(w, "state");
	jw_str(w, c->state);
	jw_key(w, "started_at");
	jw_int(w, c->started_at);
	jw_key(w, "due_at");
	jw_int(w, c->due_at);
	jw_key(w, "warn_at");
	jw_int(w, c->warn_at);
	jw_key(w, "warned");
	jw_bool(w, c->warned);
	jw_key(w, "breached");
	jw_bool(w, c->breached);
	jw_key(w, "met_at");
	jw_id(w, c->met_at);
	jw_key(w, "next_escalation_at");
	jw_id(w, c->next_escalation_at);
	jw_object_end(w);
	return w->rc;
}

/* An order's deadline clocks as a JSON array, or NULL with *rc set. */
static json_t *sla_json(struct store *s, int64_t order_id, int *rc)
{
	struct buf b = BUF_INIT;
	struct jw w;
	json_t *j = NULL;

	jw_init(&w, &b);
	jw_array_begin(&w);
	*rc = wo_sla_list(s, order_id, sla_write, &w);
	jw_array_end(&w);
	if (*rc >= 0 && w.rc == 0)
		j = json_loadb(b.p, b.len, 0, NULL);
	if (*rc >= 0 && !j)
		*rc = ERR_NOMEM;
	buf_release(&b);
	return j;
}

static json_t *order_json(const struct wo_order *o)
{
	struct buf b = BUF_INIT;
	struct jw w;
	json_t *j = NULL;

	jw_init(&w, &b);
	order_write(&w, o);
	if (w.rc == 0)
		j = json_loadb(b.p, b.len, 0, NULL);
	buf_release(&b);
	return j;
}

static enum auth_action permission_of(enum wo_action a);

/* Seed 002 §5: who the order was passed to and when, their answer, when it was relayed. */
struct referrals_ctx {
	json_t *items;
	struct people *people;
};

static int referral_row(void *ctx, const struct wo_referral *x)
{
	struct referrals_ctx *rc = ctx;

	people_add(rc->people, x->referred_by);
	people_add(rc->people, x->answered_by);
	people_add(rc->people, x->relayed_by);
	return json_array_append_new(
		       rc->items,
		       json_pack("{s:I, s:{s:I, s:s}, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
				 "id", (json_int_t)x->id, "third_party", "id",
				 (json_int_t)x->third_party_id, "name", x->third_party_name, "note",
				 text_or_null(x->note), "referred_at", (json_int_t)x->referred_at,
				 "referred_by", ref(x->referred_by), "answer",
				 text_or_null(x->answer), "answered_at", ref(x->answered_at),
				 "answered_by", ref(x->answered_by), "relay_note",
				 text_or_null(x->relay_note), "relayed_at", ref(x->relayed_at),
				 "relayed_by", ref(x->relayed_by)))
		       ? ERR_NOMEM
		       : 0;
}

/* The actions this person can take on the order now: its state's rules (wo_action_block,
 * as the engine refuses by) and their permissions, so the page offers only these. */
static json_t *allowed_json(struct req *r, const struct wo_order *o, int *rc)
{
	struct wo_facts f;
	json_t *a = json_array();
	int responsible = wo_is_responsible(r->store, o->id, r->who.person_id);

	*rc = responsible < 0 ? responsible : wo_facts_load(r->store, o, &f);
	for (int i = 0; *rc == 0 && a && i < WOA_COUNT; i++) {
		const struct auth_target t = {o->department_id, responsible ? r->who.person_id : 0};

		if (wo_action_block(o->state, o->onsite, &f, r->who.person_id, (enum wo_action)i) ==
			    WOB_NONE &&
		    auth_authorize(&r->who, permission_of((enum wo_action)i), &t) == 0)
			json_array_append_new(a, json_string(wo_action_name((enum wo_action)i)));
	}
	return a;
}

static int order_full_json(struct req *r, const struct wo_order *o, json_t **out)
{
	json_t *j = order_json(o), *sla, *resp = json_array(), *allowed;
	struct people people = {{0}, 0};
	struct contacts_ctx cc = {r->store, json_array(), &people};
	struct referrals_ctx rf = {json_array(), &people};
	struct wo_callback cb;
	size_t i;
	json_t *v;
	int rc;

	if (o->customer_id) {
		json_t *cust = cust_summary_json(r, r->store, o->customer_id);

		json_object_set_new(j, "customer", cust ? cust : json_null());
	} else {
		json_object_set_new(j, "customer", json_null());
	}
	people_add(&people, o->owner_id);
	people_add(&people, o->first_agent_id);
	people_add(&people, o->subject_id);
	sla = sla_json(r->store, o->id, &rc);
	if (rc >= 0)
		rc = wo_responsible_list(r->store, o->id, responsible_row, resp);
	if (rc >= 0)
		rc = wo_contact_list(r->store, o->id, contact_row, &cc);
	if (rc >= 0)
		rc = wo_referral_list(r->store, o->id, referral_row, &rf);
	if (rc >= 0) {
		json_object_set_new(j, "referrals", rf.items);
		rf.items = NULL;
		json_object_set_new(j, "sla", sla);
		json_object_set_new(j, "responsible", resp);
		json_object_set_new(j, "contacts", cc.items);
		json_array_foreach(resp, i, v)
			people_add_json(&people, json_object_get(v, "person_id"));
		sla = resp = cc.items = NULL;
		rc = wo_callback_pending(r->store, o->id, &cb);
		json_object_set_new(
			j, "callback",
			rc == 0 ? json_pack("{s:I, s:I, s:i, s:o}", "id", (json_int_t)cb.id,
					    "due_at", (json_int_t)cb.due_at, "attempts",
					    cb.attempts, "excluded_id", ref(cb.excluded_id))
				: json_null());
		if (rc == 0)
			people_add(&people, cb.excluded_id);
		rc = rc == ERR_NOTFOUND ? 0 : rc;
	}
	if (rc >= 0) {
		allowed = allowed_json(r, o, &rc);
		json_object_set_new(j, "allowed_actions", allowed);
	}
	if (rc >= 0)
		json_object_set_new(j, "people", people_json(r->store, &people));
	json_decref(sla);
	json_decref(resp);
	json_decref(cc.items);
	json_decref(rf.items);
	if (rc < 0 || !j) {
		json_decref(j);
		return rc < 0 ? rc : ERR_NOMEM;
	}
	*out = j;
	return 0;
}

static int involved(struct req *r, const struct wo_order *o, int *responsible)
{
	int rc = wo_is_responsible(r->store, o->id, r->who.person_id);

	if (rc < 0)
		return rc;
	*responsible = rc;
	return rc || o->first_agent_id == r->who.person_id;
}

/* Loads the order of the path and checks the caller may read it. */
static int load(struct req *r, struct wo_order *o, int *responsible)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id), in;

	if (rc == 0)
		rc = wo_order_get(r->store, id, o);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such order");
	if (rc < 0)
		return rc;
	in = involved(r, o, responsible);
	if (in < 0)
		return in;
	if (in)
		return 0;
	{
		const struct auth_target t = {o->department_id, 0};

		/* A denial names the order asked for, not the department it belongs to. */
		return req_authorize_on(r, ACT_ORDER_READ, &t, "work_order", o->id);
	}
}

static int order_get(struct req *r)
{
	struct wo_order *o = malloc(sizeof(*o));
	json_t *j = NULL;
	int responsible = 0, rc;

	if (!o)
		return ERR_NOMEM;
	rc = load(r, o, &responsible);
	/*
	 * The order, its clocks and its people from one state: the engine commits
	 * a change to all of them at once, and reads outside a transaction could
	 * see either side of such a commit. The row is read again inside the
	 * snapshot; the check above stays outside it, since a denial writes its
	 * audit entry.
	 */
	if (rc == 0 && (rc = store_snapshot(r->store)) == 0) {
		rc = wo_order_get(r->store, o->id, o);
		if (rc == 0)
			rc = order_full_json(r, o, &j);
		store_rollback(r->store);
	}
	free(o);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, j);
}

static int event_row(void *ctx, const struct wo_event_row *e)
{
	json_t *detail = e->detail ? json_loads(e->detail, 0, NULL) : NULL;

	return json_array_append_new(
		ctx, json_pack("{s:I, s:I, s:o, s:s, s:o, s:o, s:o}", "id", (json_int_t)e->id, "at",
			       (json_int_t)e->at, "actor_id", ref(e->actor_id), "kind", e->kind,
			       "from", text_or_null(e->from_state), "to", text_or_null(e->to_state),
			       "detail", detail ? detail : json_null()));
}

static int sla_event_row(void *ctx, const struct wo_event_row *e)
{
	json_t *detail = e->detail ? json_loads(e->detail, 0, NULL) : NULL;

	return json_array_append_new(ctx, json_pack("{s:I, s:I, s:s, s:s, s:o}", "id",
						    (json_int_t)e->id, "at", (json_int_t)e->at,
						    "metric", e->from_state, "kind", e->kind,
						    "detail", detail ? detail : json_null()));
}

/* The order's history and its SLA event log: every figure traces back to these. */
static int order_events(struct req *r)
{
	struct wo_order *o = malloc(sizeof(*o));
	json_t *events = json_array(), *sla = json_array();
	int responsible = 0, rc;

	if (!o)
		rc = ERR_NOMEM;
	else
		rc = load(r, o, &responsible);
	/* The history and the SLA log of one state (see order_get). */
	if (rc == 0 && (rc = store_snapshot(r->store)) == 0) {
		rc = wo_event_list(r->store, o->id, event_row, events);
		if (rc >= 0)
			rc = wo_sla_event_list(r->store, o->id, sla_event_row, sla);
		store_rollback(r->store);
	}
	free(o);
	if (rc < 0) {
		json_decref(events);
		json_decref(sla);
		return rc;
	}
	{
		struct people people = {{0}, 0};
		size_t i;
		json_t *e, *d;

		/* Who acted, and whom an assignment or escalation named. */
		json_array_foreach(events, i, e)
		{
			people_add_json(&people, json_object_get(e, "actor_id"));
			d = json_object_get(e, "detail");
			people_add_json(&people, json_object_get(d, "owner_id"));
			people_add_json(&people, json_object_get(d, "previous_owner_id"));
			people_add_json(&people, json_object_get(d, "person_id"));
		}
		return reply_json(r, 200,
				  json_pack("{s:o, s:o, s:o}", "events", events, "sla_events", sla,
					    "people", people_json(r->store, &people)));
	}
}

/* Reads the fields of a new order; strings stay owned by the body. */
int wo_api_read_new(struct req *r, json_t *body, struct wo_new *in)
{
	static const char *const fields[] = {
		"class",      "level",	    "complaint", "onsite",  "customer_id", "subject_id",
		"contact_id", "related_id", "summary",	 "promise", "phone",	   "region", NULL};
	json_t *saved = r->body;
	const char *promise = NULL, *phone = NULL;
	int onsite = -1, has_onsite = json_object_get(body, "onsite") != NULL, rc;

	memset(in, 0, sizeof(*in));
	in->onsite = -1;
	in->promise = -1;
	r->body = body;
	rc = body_only(r, fields);
	if (rc == 0)
		rc = body_str(r, "class", 0, &in->class_code);
	if (rc == 0)
		rc = body_str(r, "level", 0, &in->level);
	if (rc == 0)
		rc = body_str(r, "complaint", 0, &in->complaint);
	if (rc == 0)
		rc = body_bool(r, "onsite", &onsite);
	if (rc == 0)
		rc = body_ref(r, "customer_id", &in->customer_id);
	if (rc == 0)
		rc = body_ref(r, "subject_id", &in->subject_id);
	if (rc == 0)
		rc = body_ref(r, "contact_id", &in->contact_id);
	if (rc == 0)
		rc = body_ref(r, "related_id", &in->related_id);
	if (rc == 0)
		rc = body_str(r, "summary", 1, &in->summary);
	if (rc == 0)
		rc = body_str(r, "promise", 0, &promise);
	if (rc == 0)
		rc = body_str(r, "phone", 0, &phone);
	if (rc == 0)
		rc = body_str(r, "region", 0, &in->region);
	r->body = saved;
	if (rc < 0)
		return rc;
	if (!in->class_code && !in->complaint)
		return err_set(&r->ei, ERR_INVALID, "class",
			       "class: required (or a complaint type)");
	in->onsite = has_onsite ? onsite : -1;
	if (phone && cust_phone_normalize(phone, in->phone, sizeof(in->phone)) < 0)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "phone", "phone: not a phone number");
	if (promise) {
		in->promise = wo_promise_parse(promise);
		if (in->promise < 0)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "promise",
				       "promise: order, complaint or answer");
	}
	return 0;
}

/* References an order makes must exist, so errors name the field. A merged
 * customer's id stands for the customer it was merged into. */
static int check_refs(struct req *r, struct wo_new *in)
{
	struct wo_order *other;
	struct org_person p;
	int rc = 0;

	if (in->subject_id && org_person_get(r->store, in->subject_id, &p) == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "subject_id", "no such person");
	/* No customer or number given: the contact the order comes from may have them. */
	if (in->contact_id && !in->customer_id && !in->phone[0]) {
		struct cust_contact *k = malloc(sizeof(*k));

		if (!k)
			return ERR_NOMEM;
		rc = cust_contact_get(r->store, in->contact_id, k);
		if (rc == 0) {
			in->customer_id = k->customer_id;
			snprintf(in->phone, sizeof(in->phone), "%s", k->phone);
		}
		free(k);
		if (rc == ERR_NOTFOUND)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "contact_id", "no such contact");
		if (rc < 0)
			return rc;
	}
	if (in->customer_id) {
		int64_t survivor = 0;

		rc = cust_exists(r->store, in->customer_id, &survivor);
		if (rc == ERR_NOTFOUND)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "customer_id",
				       "no such customer");
		if (rc < 0)
			return rc;
		in->customer_id = survivor;
	}
	if (in->contact_id && wo_contact_exists(r->store, in->contact_id) == 0)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "contact_id", "no such contact");
	if (in->related_id) {
		other = malloc(sizeof(*other));
		if (!other)
			return ERR_NOMEM;
		rc = wo_order_get(r->store, in->related_id, other);
		free(other);
		if (rc == ERR_NOTFOUND)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "related_id", "no such order");
	}
	return rc < 0 ? rc : 0;
}

/* ORG-4: an agent not yet certified for duty opens no orders. */
static int on_duty(struct req *r)
{
	int rc = org_person_on_duty(r->store, r->who.person_id);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return err_set(&r->ei, ERR_UNPROCESSABLE, NULL,
			       "not certified for duty: cannot open orders");
	return 0;
}

static int order_create(struct req *r)
{
	struct wo_order *o = malloc(sizeof(*o));
	struct audit_actor who = req_actor(r);
	struct wo_ctx c = {r->store, r->now, &who, &r->ei};
	struct wo_new in;
	json_t *j = NULL;
	int rc;

	if (!o)
		return ERR_NOMEM;
	rc = wo_api_read_new(r, r->body, &in);
	if (rc == 0)
		rc = check_refs(r, &in);
	if (rc == 0)
		rc = on_duty(r);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0) {
		rc = wo_create(&c, &in, o);
		rc = req_finish(r, rc);
	}
	if (rc == 0) {
		notify_wake();
		rc = order_full_json(r, o, &j);
	}
	free(o);
	if (rc < 0)
		return rc;
	return reply_json(r, 201, j);
}

/* Which permission each action needs beyond reading the order. */
static enum auth_action permission_of(enum wo_action a)
{
	switch (a) {
	case WOA_ASSIGN:
	case WOA_REOPEN:
	case WOA_CANCEL:
	case WOA_PAUSE:
	case WOA_RESUME:
		return ACT_ORDER_MANAGE;
	case WOA_CALLBACK:
		return ACT_CALLBACK;
	case WOA_PROGRESS:
	case WOA_PROMISE:
	case WOA_RELAY:
		/* WO-5, CALL-13/14, seed 002 §5: the center speaks to the customer. */
		return ACT_ORDER_CREATE;
	default:
		return ACT_ORDER_WORK;
	}
}

int wo_api_read_act(struct req *r, enum wo_action action, struct wo_act *a, struct wo_new *follow)
{
	static const char *const fields[] = {"version",	       "person_id", "reason",  "text",
					     "note",	       "solution",  "effect",  "remaining", "cause",
					     "called_back_at", "kind",	    "outcome", "follow_up",
					     "third_party_id", NULL};
	const char *kind = NULL, *outcome = NULL;
	json_t *v;
	int rc = body_only(r, fields);

	memset(a, 0, sizeof(*a));
	a->action = action;
	a->promise = -1;
	v = r->body ? json_object_get(r->body, "version") : NULL;
	if (v && (!json_is_integer(v) || json_integer_value(v) < 1))
		return err_set(&r->ei, ERR_INVALID, "version", "version: a positive whole number");
	a->version = v ? json_integer_value(v) : 0;
	if (rc == 0)
		rc = body_ref(r, "person_id", &a->person_id);
	if (rc == 0)
		rc = body_str(r, "reason", 0, &a->text);
	if (rc == 0 && !a->text)
		rc = body_str(r, "text", 0, &a->text);
	if (rc == 0 && !a->text)
		rc = body_str(r, "note", 0, &a->text);
	if (rc == 0)
		rc = body_str(r, "solution", action == WOA_REPORT, &a->solution);
	if (rc == 0)
		rc = body_str(r, "effect", 0, &a->effect);
	if (rc == 0)
		rc = body_str(r, "cause", 0, &a->cause);
	if (rc == 0)
		rc = body_str(r, "remaining", 0, &a->remaining);
	if (rc == 0)
		rc = body_ref(r, "called_back_at", &a->called_back_at);
	if (rc == 0)
		rc = body_ref(r, "third_party_id", &a->third_party_id);
	if (rc == 0)
		rc = body_str(r, "kind", action == WOA_PROMISE, &kind);
	if (rc == 0)
		rc = body_str(r, "outcome", action == WOA_CALLBACK, &outcome);
	if (rc < 0)
		return rc;
	if (action == WOA_ASSIGN && !a->person_id)
		return err_set(&r->ei, ERR_INVALID, "person_id", "person_id: required");
	if (action == WOA_REFER && !a->third_party_id)
		return err_set(&r->ei, ERR_INVALID, "third_party_id", "third_party_id: required");
	if (kind) {
		a->promise = wo_promise_parse(kind);
		if (a->promise < 0)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "kind",
				       "kind: order, complaint or answer");
	}
	if (outcome) {
		int o = wo_outcome_parse(outcome);

		if (o < 0)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "outcome",
				       "outcome: accepted, not_accepted, unreachable or new_need");
		a->outcome = (enum wo_outcome)o;
	}
	v = r->body ? json_object_get(r->body, "follow_up") : NULL;
	if (v) {
		if (!json_is_object(v))
			return err_set(&r->ei, ERR_INVALID, "follow_up", "follow_up: an object");
		rc = wo_api_read_new(r, v, follow);
		if (rc < 0)
			return rc;
		a->follow_up = follow;
	}
	return 0;
}

static int act(struct req *r, enum wo_action action)
{
	struct wo_order *o = malloc(sizeof(*o));
	struct audit_actor who = req_actor(r);
	struct wo_ctx c = {r->store, r->now, &who, &r->ei};
	struct wo_new follow;
	struct wo_act a;
	json_t *j = NULL;
	int responsible = 0, rc;

	if (!o)
		return ERR_NOMEM;
	rc = wo_api_read_act(r, action, &a, &follow);
	if (rc == 0)
		rc = load(r, o, &responsible);
	if (rc == 0) {
		const struct auth_target t = {o->department_id, responsible ? r->who.person_id : 0};

		rc = req_authorize(r, permission_of(action), &t);
	}
	/*
	 * The permission was decided on this version of the order: if it
	 * changed before the transaction (reassigned, say), the action is 409
	 * rather than allowed on a decision that no longer holds.
	 */
	if (rc == 0 && !a.version)
		a.version = o->version;
	if (rc == 0 && a.follow_up)
		rc = check_refs(r, &follow);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0) {
		rc = wo_apply(&c, o->id, &a, o);
		rc = req_finish(r, rc);
	}
	if (rc == 0) {
		notify_wake();
		rc = order_full_json(r, o, &j);
	}
	free(o);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, j);
}

#define ACTION(name, a)                                                                            \
	static int act_##name(struct req *r)                                                       \
	{                                                                                          \
		return act(r, a);                                                                  \
	}
ACTION(assign, WOA_ASSIGN)
ACTION(accept, WOA_ACCEPT)
ACTION(call, WOA_CALL)
ACTION(onsite, WOA_ONSITE)
ACTION(finish, WOA_FINISH)
ACTION(report, WOA_REPORT)
ACTION(callback, WOA_CALLBACK)
ACTION(reopen, WOA_REOPEN)
ACTION(cancel, WOA_CANCEL)
ACTION(help, WOA_HELP)
ACTION(progress, WOA_PROGRESS)
ACTION(promise, WOA_PROMISE)
ACTION(pause, WOA_PAUSE)
ACTION(resume, WOA_RESUME)
ACTION(refer, WOA_REFER)
ACTION(answer, WOA_ANSWER)
ACTION(relay, WOA_RELAY)

struct list_ctx {
	struct jw w;
	struct store *store;
	int64_t last_id;
	struct people people;
};

/*
 * A list item carries its deadline clocks, so a queue can count down to
 * each deadline without a request per order: one indexed look-up
 * (wo_sla_order) per item, on the list's own connection.
 */
static int list_row(void *ctx, const struct wo_order *o)
{
	struct list_ctx *lc = ctx;
	int rc;

	lc->last_id = o->id;
	people_add(&lc->people, o->owner_id);
	people_add(&lc->people, o->first_agent_id);
	order_write_fields(&lc->w, o);
	jw_key(&lc->w, "sla");
	jw_array_begin(&lc->w);
	rc = wo_sla_list(lc->store, o->id, sla_write, &lc->w);
	jw_array_end(&lc->w);
	jw_object_end(&lc->w);
	return rc < 0 ? rc : lc->w.rc;
}

static int orders_list(struct req *r)
{
	struct wo_filter f;
	struct list_ctx lc;
	const char *view = NULL, *q = NULL;
	char match[512];
	int64_t within = 60;
	int rc, n;

	memset(&f, 0, sizeof(f));
	rc = req_page(r, &f.limit, &f.before_id);
	if (rc == 0)
		rc = req_query(r, "view", &view);
	if (rc == 0)
		rc = req_query(r, "class", &f.class_code);
	if (rc == 0)
		rc = req_query(r, "level", &f.level);
	if (rc == 0)
		rc = req_query(r, "state", &f.state);
	if (rc == 0)
		rc = req_query(r, "q", &q);
	if (rc == 0)
		rc = req_query_int(r, "owner_id", 1, INT64_MAX, &f.owner_id);
	if (rc == 0)
		rc = req_query_int(r, "department_id", 1, INT64_MAX, &f.department_id);
	if (rc == 0)
		rc = req_query_int(r, "from", 0, INT64_MAX, &f.from);
	if (rc == 0)
		rc = req_query_int(r, "to", 0, INT64_MAX, &f.to);
	if (rc == 0)
		rc = req_query_int(r, "within_min", 1, 10080, &within);
	if (rc < 0)
		return rc;
	if (view) {
		int v = wo_view_parse(view);

		if (v < 0)
			return err_set(&r->ei, ERR_INVALID, "view",
				       "view: all, department, mine, followups, due_soon, overdue"
				       " or escalated");
		f.view = (enum wo_view)v;
	}
	if (f.state && wo_state_parse(f.state) < 0)
		return err_set(&r->ei, ERR_INVALID, "state", "state: unknown");
	if (q) {
		rc = wo_match_query(q, match, sizeof(match));
		if (rc == ERR_TOOBIG)
			return err_set(&r->ei, ERR_INVALID, "q", "q: too long");
		if (rc == 0)
			f.match = match;
	}
	f.me = r->who.person_id;
	f.due_before = r->now + within * 60000;
	if (f.view == WOV_DEPARTMENT && !f.department_id)
		f.department_id = r->who.department_id;
	/* Staff: their department's orders and those they are responsible for, only. */
	if (auth_scope(&r->who, ACT_ORDER_READ) < SCOPE_ALL && f.view != WOV_MINE &&
	    f.view != WOV_FOLLOWUPS) {
		if (f.department_id && f.department_id != r->who.department_id) {
			const struct auth_target t = {f.department_id, 0};

			rc = req_authorize(r, ACT_ORDER_READ, &t);
			if (rc < 0)
				return rc;
		}
		f.scope_department = r->who.department_id ? r->who.department_id : -1;
	}
	/* {"items": [...], "next_cursor": "..."|null}, as reply_page writes it. */
	lc.last_id = 0;
	lc.store = r->store;
	lc.people.n = 0;
	jw_init(&lc.w, &r->text);
	jw_object_begin(&lc.w);
	jw_key(&lc.w, "items");
	jw_array_begin(&lc.w);
	n = wo_order_list(r->store, &f, list_row, &lc);
	if (n < 0) {
		buf_release(&r->text);
		return n;
	}
	jw_array_end(&lc.w);
	jw_key(&lc.w, "next_cursor");
	if (n == f.limit) {
		char cursor[24];

		snprintf(cursor, sizeof(cursor), "%lld", (long long)lc.last_id);
		jw_str(&lc.w, cursor);
	} else {
		jw_null(&lc.w);
	}
	/* The owners and first-contact agents of the page, named (issue 12). */
	{
		json_t *people = people_json(r->store, &lc.people);
		char *text = people ? json_dumps(people, JSON_COMPACT) : NULL;

		json_decref(people);
		if (!text) {
			buf_release(&r->text);
			return ERR_NOMEM;
		}
		jw_key(&lc.w, "people");
		jw_raw(&lc.w, text);
		free(text);
	}
	jw_object_end(&lc.w);
	r->status = 200;
	r->content_type = "application/json; charset=utf-8";
	return lc.w.rc;
}

struct queue_ctx {
	struct req *r;
	json_t *items;
	int64_t last_id;
};

static int queue_row(void *ctx, const struct wo_callback_item *it)
{
	struct queue_ctx *qc = ctx;
	json_t *report = it->order.report[0] ? json_loads(it->order.report, 0, NULL) : NULL;
	const char *solution = report ? json_string_value(json_object_get(report, "solution")) : "";
	json_t *cust = it->order.customer_id
			       ? cust_summary_json(qc->r, qc->r->store, it->order.customer_id)
			       : NULL;
	char script[4096];

	qc->last_id = it->cb.id;
	/* CB-2: the script greets the customer by their form of address (CUST-5). */
	wo_callback_script(script, sizeof(script), qc->r->app->cfg->center_name, qc->r->who.work_no,
			   cust ? json_string_value(json_object_get(cust, "address_as")) : NULL,
			   it->order.created_at, it->order.summary, solution);
	json_decref(report);
	return json_array_append_new(
		qc->items, json_pack("{s:I, s:I, s:I, s:i, s:o, s:b, s:o, s:o, s:s}", "id",
				     (json_int_t)it->cb.id, "order_id", (json_int_t)it->order.id,
				     "due_at", (json_int_t)it->cb.due_at, "attempts",
				     it->cb.attempts, "excluded_id", ref(it->cb.excluded_id),
				     "mine_excluded", it->cb.excluded_id == qc->r->who.person_id,
				     "order", order_json(&it->order), "customer",
				     cust ? cust : json_null(), "script", script));
}

/* CB-1: the callback queue, with the CB-2 script filled in for each call. */
static int callbacks_list(struct req *r)
{
	struct queue_ctx qc = {r, NULL, 0};
	const char *due = NULL;
	int64_t cursor;
	int limit, n, rc = req_page(r, &limit, &cursor);

	if (rc == 0)
		rc = req_query(r, "due", &due);
	if (rc < 0)
		return rc;
	if (due && strcmp(due, "true") && strcmp(due, "false"))
		return err_set(&r->ei, ERR_INVALID, "due", "due: true or false");
	qc.items = json_array();
	n = wo_callback_queue(r->store, due && strcmp(due, "true") == 0 ? r->now : 0, cursor, limit,
			      queue_row, &qc);
	if (n < 0) {
		json_decref(qc.items);
		return n;
	}
	return reply_page(r, qc.items, n == limit ? qc.last_id : 0);
}

/* A complaint from a customer who complained of the same matter before is proposed as D. */
static int second_complaint(struct req *r)
{
	struct wo_order *o;
	const char *complaint = NULL;
	int64_t customer = 0;
	json_t *j;
	int rc = req_query_int(r, "customer_id", 1, INT64_MAX, &customer);

	if (rc == 0)
		rc = req_query(r, "complaint", &complaint);
	if (rc < 0)
		return rc;
	if (!customer)
		return err_set(&r->ei, ERR_INVALID, "customer_id", "customer_id: required");
	o = malloc(sizeof(*o));
	if (!o)
		return ERR_NOMEM;
	rc = wo_second_complaint(r->store, customer, complaint, r->now, o);
	if (rc == ERR_NOTFOUND) {
		free(o);
		return reply_json(
			r, 200,
			json_pack("{s:n, s:n, s:n}", "proposed_class", "related", "subject_id"));
	}
	if (rc < 0) {
		free(o);
		return rc;
	}
	/* The person complained about is the one who handled the first complaint. */
	j = json_pack("{s:s, s:o, s:o}", "proposed_class", "D", "related", order_json(o),
		      "subject_id", ref(o->owner_id));
	free(o);
	return reply_json(r, 200, j);
}

static int link_contact(struct req *r)
{
	static const char *const fields[] = {"contact_id", "role", NULL};
	struct wo_order *o = malloc(sizeof(*o));
	const char *role = "follow";
	int64_t contact = 0;
	int responsible = 0, rc;

	if (!o)
		return ERR_NOMEM;
	rc = body_only(r, fields);
	if (rc == 0)
		rc = body_ref(r, "contact_id", &contact);
	if (rc == 0)
		rc = body_str(r, "role", 0, &role);
	if (rc == 0 && !contact)
		rc = err_set(&r->ei, ERR_INVALID, "contact_id", "contact_id: required");
	if (rc == 0 && strcmp(role, "cause") && strcmp(role, "follow"))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "role", "role: cause or follow");
	if (rc == 0)
		rc = load(r, o, &responsible);
	if (rc == 0 && wo_contact_exists(r->store, contact) == 0)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "contact_id", "no such contact");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0) {
		rc = wo_contact_link(r->store, o->id, contact, role);
		if (rc == 0)
			rc = req_audit(r, "order.contact", "work_order", o->id, "ok",
				       json_pack("{s:I, s:s}", "contact_id", (json_int_t)contact,
						 "role", role));
		rc = req_finish(r, rc);
	}
	free(o);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

/*
 * POST /api/orders/{id}/reveal {reason}: the order's callback number whole,
 * for a reason that is on record first (CUST-2, SEC-1), as for a
 * customer's numbers: to those who may read the order and reveal numbers
 * (staff: for their department's orders).
 */
static int order_reveal(struct req *r)
{
	static const char *const fields[] = {"reason", NULL};
	struct wo_order *o = malloc(sizeof(*o));
	const char *reason = NULL;
	char phone[sizeof(o->phone)];
	int responsible = 0, rc;

	if (!o)
		return ERR_NOMEM;
	rc = body_only(r, fields);
	if (rc == 0)
		rc = load(r, o, &responsible);
	if (rc == 0) {
		const struct auth_target t = {o->department_id, 0};

		rc = req_authorize_on(r, ACT_CUST_REVEAL, &t, "work_order", o->id);
	}
	if (rc == 0)
		rc = body_str(r, "reason", 0, &reason);
	if (rc == 0)
		rc = cust_reveal_reason_check(reason, &r->ei);
	if (rc == 0 && !o->phone[0])
		rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "this order has no phone number");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0) {
		rc = req_audit(r, "order.reveal", "work_order", o->id, "ok",
			       json_pack("{s:s}", "reason", reason));
		rc = req_finish(r, rc);
	}
	phone[0] = '\0';
	if (rc == 0)
		snprintf(phone, sizeof(phone), "%s", o->phone);
	free(o);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, json_pack("{s:s}", "phone", phone));
}

struct owners_ctx {
	json_t *items;
	int64_t except;
};

static int owner_row(void *ctx, const struct org_person *p)
{
	struct owners_ctx *oc = ctx;

	if (!wo_can_own(p->roles, p->active) || p->id == oc->except)
		return 0;
	return json_array_append_new(oc->items,
				     json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)p->id,
					       "name", p->name, "work_no", p->work_no,
					       "department_id", ref(p->department_id)))
		       ? ERR_NOMEM
		       : 0;
}

/*
 * Who the order can be (re)assigned to: the active people of its
 * department (or of department_id, to send a misrouted order elsewhere) in
 * a role that works orders (wo_can_own), its owner left out.
 */
static int order_owners(struct req *r)
{
	struct wo_order *o = malloc(sizeof(*o));
	struct org_person_filter f = {.active = 1, .limit = 500};
	struct owners_ctx oc = {NULL, 0};
	int responsible = 0, rc;

	if (!o)
		return ERR_NOMEM;
	rc = load(r, o, &responsible);
	if (rc == 0)
		rc = req_query_int(r, "department_id", 1, INT64_MAX, &f.department_id);
	if (rc == 0 && !f.department_id)
		f.department_id = o->department_id;
	if (rc == 0) {
		oc.except = o->owner_id;
		oc.items = json_array();
		rc = org_person_list(r->store, &f, owner_row, &oc);
	}
	free(o);
	if (rc < 0) {
		json_decref(oc.items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", oc.items));
}

/*
 * Seed 003: photos, documents and the on-site report attached to the
 * order. Whoever may see the order sees its attachments; adding one takes
 * ACT_ATTACHMENT_ADD for the order's department (or being involved in it),
 * removing one ACT_ATTACHMENT_DELETE (att_api.c).
 */
static int order_attachment(struct req *r, int (*fn)(struct req *, const char *, int64_t))
{
	struct wo_order *o = malloc(sizeof(*o));
	int responsible = 0, rc;

	if (!o)
		return ERR_NOMEM;
	rc = load(r, o, &responsible);
	if (rc == 0 && fn == att_api_upload) {
		struct auth_target t = {o->department_id, 0};
		int in = involved(r, o, &responsible);

		if (in < 0)
			rc = in;
		else {
			t.person_id = in ? r->who.person_id : 0;
			rc = req_authorize(r, ACT_ATTACHMENT_ADD, &t);
		}
	}
	if (rc == 0)
		rc = fn(r, "order", o->id);
	free(o);
	return rc;
}

static int order_attachments(struct req *r)
{
	return order_attachment(r, att_api_list);
}

static int order_attachment_add(struct req *r)
{
	return order_attachment(r, att_api_upload);
}

static int order_attachment_get(struct req *r)
{
	return order_attachment(r, att_api_download);
}

static int order_attachment_delete(struct req *r)
{
	return order_attachment(r, att_api_delete);
}

const struct route wo_routes[] = {
	{"GET", "/api/orders", orders_list, ACT_ORDER_READ},
	{"POST", "/api/orders", order_create, ACT_ORDER_CREATE},
	{"GET", "/api/orders/second-complaint", second_complaint, ACT_ORDER_CREATE},
	{"GET", "/api/orders/{id}", order_get, ACT_SELF},
	{"GET", "/api/orders/{id}/events", order_events, ACT_SELF},
	{"POST", "/api/orders/{id}/contacts", link_contact, ACT_CONTACT_WRITE},
	{"GET", "/api/orders/{id}/owners", order_owners, ACT_ORDER_MANAGE},
	{"POST", "/api/orders/{id}/reveal", order_reveal, ACT_CUST_REVEAL},
	{"POST", "/api/orders/{id}/assign", act_assign, ACT_ORDER_MANAGE},
	{"POST", "/api/orders/{id}/accept", act_accept, ACT_SELF},
	{"POST", "/api/orders/{id}/call", act_call, ACT_SELF},
	{"POST", "/api/orders/{id}/onsite", act_onsite, ACT_SELF},
	{"POST", "/api/orders/{id}/finish", act_finish, ACT_SELF},
	{"POST", "/api/orders/{id}/report", act_report, ACT_SELF},
	{"POST", "/api/orders/{id}/callback", act_callback, ACT_CALLBACK},
	{"POST", "/api/orders/{id}/reopen", act_reopen, ACT_ORDER_MANAGE},
	{"POST", "/api/orders/{id}/cancel", act_cancel, ACT_ORDER_MANAGE},
	{"POST", "/api/orders/{id}/help", act_help, ACT_SELF},
	{"POST", "/api/orders/{id}/progress", act_progress, ACT_ORDER_CREATE},
	{"POST", "/api/orders/{id}/promise", act_promise, ACT_ORDER_CREATE},
	{"POST", "/api/orders/{id}/pause", act_pause, ACT_ORDER_MANAGE},
	{"POST", "/api/orders/{id}/resume", act_resume, ACT_ORDER_MANAGE},
	{"POST", "/api/orders/{id}/refer", act_refer, ACT_SELF},
	{"POST", "/api/orders/{id}/answer", act_answer, ACT_SELF},
	{"POST", "/api/orders/{id}/relay", act_relay, ACT_ORDER_CREATE},
	{"GET", "/api/callbacks", callbacks_list, ACT_CALLBACK},
	{"GET", "/api/orders/{id}/attachments", order_attachments, ACT_SELF},
	{"POST", "/api/orders/{id}/attachments", order_attachment_add, ACT_ATTACHMENT_ADD},
	{"GET", "/api/orders/{id}/attachments/{aid}", order_attachment_get, ACT_SELF},
	{"DELETE", "/api/orders/{id}/attachments/{aid}", order_attachment_delete,
	 ACT_ATTACHMENT_DELETE},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
