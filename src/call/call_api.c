/*
 * The call log over HTTP: GET /api/calls (newest first, filtered and
 * paged), GET /api/calls/{id} with its events, for whoever watches the
 * agents and quality inspectors (ACT_CALL_READ); and the screen-pop, GET /api/me/call: the call
 * ringing on or talking through the person's own phone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call/call.h"
#include "core/mask.h"
#include "cust/cust.h"
#include "http/http.h"
#include "store/store.h"

static json_t *opt_text(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

/* -- The hotline's call log (CALL-1): whoever watches the agents reads it -- */

static json_t *opt_int(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

/* The caller's number is masked (SEC-1): the contact the call became is
 * where an allowed person reveals it, with a reason. */
static json_t *call_json(const struct call_row *c)
{
	char caller[64];
	json_t *metrics = c->metrics ? json_loads(c->metrics, 0, NULL) : NULL;
	json_t *o;

	mask_phone(c->caller ? c->caller : "", caller, sizeof(caller));
	o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:s}", "id", (json_int_t)c->id,
		      "sip_call_id", c->sip_call_id ? c->sip_call_id : "", "caller", caller,
		      "called", c->called ? c->called : "", "started_at", (json_int_t)c->started_at,
		      "answered_at", opt_int(c->answered_at), "ended_at", opt_int(c->ended_at),
		      "ended_by", opt_text(c->ended_by), "route", opt_text(c->route), "digits",
		      c->digits ? c->digits : "");
	if (o &&
	    json_object_update_new(
		    o,
		    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:o, s:s, s:b}",
			      "queue", opt_text(c->queue), "queued_at", opt_int(c->queued_at),
			      "agent_id", opt_int(c->agent_id), "connected_at",
			      opt_int(c->connected_at), "outcome", opt_text(c->outcome),
			      "hangup_first", opt_text(c->hangup_first), "contact_id",
			      opt_int(c->contact_id), "survey", opt_int(c->survey), "recording",
			      c->recording != NULL, "recording_ms", opt_int(c->recording_ms),
			      "metrics", metrics ? metrics : json_object(), "direction",
			      c->direction ? c->direction : "in", "dropped", c->dropped)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

struct calls_ctx {
	json_t *items;
	int64_t last_id;
	json_t *one;
};

static int calls_row(void *ctx, const struct call_row *c)
{
	struct calls_ctx *cc = ctx;
	json_t *o = call_json(c);

	if (!o)
		return ERR_NOMEM;
	cc->last_id = c->id;
	if (!cc->items) {
		cc->one = o;
		return 0;
	}
	return json_array_append_new(cc->items, o) < 0 ? ERR_NOMEM : 0;
}

/* The filters of GET /api/calls, checked: 422 names the field. */
static int call_filter_read(struct req *r, struct call_filter *f)
{
	static const char *const outcomes[] = {
		"answered", "abandoned", "callback", "ivr", "rejected", "closed",
		/* a call out's (issue 17) */
		"no_answer", "busy", "invalid_number", "failed", "trunk_busy", "agent_no_answer",
		"agent_busy", "agent_offline", "cancelled", "no_trunk", NULL};
	int rc = req_query_int(r, "from", 0, INT64_MAX, &f->from);
	size_t len;
	int ok = 0;

	if (rc == 0)
		rc = req_query_int(r, "to", 0, INT64_MAX, &f->to);
	if (rc == 0)
		rc = req_query_int(r, "agent_id", 1, INT64_MAX, &f->agent_id);
	if (rc == 0)
		rc = req_query(r, "queue", &f->queue);
	if (rc == 0)
		rc = req_query(r, "outcome", &f->outcome);
	if (rc == 0)
		rc = req_query(r, "number", &f->number);
	if (rc == 0)
		rc = req_query(r, "direction", &f->direction);
	if (rc < 0)
		return rc;
	if (f->direction && !f->direction[0])
		f->direction = NULL;
	if (f->direction && strcmp(f->direction, "in") != 0 && strcmp(f->direction, "out") != 0)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "direction", "direction: in or out");
	if (f->queue && !f->queue[0])
		f->queue = NULL;
	if (f->outcome && f->outcome[0]) {
		for (int i = 0; outcomes[i]; i++)
			ok |= strcmp(f->outcome, outcomes[i]) == 0;
		if (!ok)
			return err_set(
				&r->ei, ERR_UNPROCESSABLE, "outcome",
				"outcome: one of answered, abandoned, callback, ivr, rejected, "
				"closed, or a call out's result");
	} else {
		f->outcome = NULL;
	}
	if (f->number && !f->number[0])
		f->number = NULL;
	if (f->number) {
		/* Masked numbers show the last 4 digits: those, or the whole number (SEC-1). */
		len = strlen(f->number);
		if (strspn(f->number, "+0123456789") != len || (len != 4 && (len < 5 || len > 20)))
			return err_set(&r->ei, ERR_UNPROCESSABLE, "number",
				       "number: the whole number, or its last 4 digits");
	}
	if (f->from && f->to && f->to <= f->from)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "to", "to: must be after from");
	return 0;
}

static int calls_list(struct req *r)
{
	struct calls_ctx cc = {NULL, 0, NULL};
	struct call_filter f = {0};
	int limit, n;
	int rc = req_page(r, &limit, &f.before_id);

	if (rc == 0)
		rc = call_filter_read(r, &f);
	if (rc < 0)
		return rc;
	cc.items = json_array();
	if (!cc.items)
		return ERR_NOMEM;
	/* Newest first: the cursor is the last id given, the next page older. */
	n = call_list(r->store, &f, limit, calls_row, &cc);
	if (n < 0) {
		json_decref(cc.items);
		return n;
	}
	return reply_page(r, cc.items, n == limit ? cc.last_id : 0);
}

static int event_row(void *ctx, const struct call_event_row *e)
{
	json_t *events = ctx;
	json_t *detail = NULL;
	json_t *o;

	if (e->detail)
		detail = json_loads(e->detail, 0, NULL);
	o = json_pack("{s:I, s:I, s:s, s:o}", "id", (json_int_t)e->id, "at", (json_int_t)e->at,
		      "kind", e->kind ? e->kind : "", "detail", detail ? detail : json_null());
	if (!o || json_array_append_new(events, o) < 0)
		return ERR_NOMEM;
	return 0;
}

static int call_one(struct req *r)
{
	struct calls_ctx cc = {NULL, 0, NULL};
	json_t *events;
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	/* The call's row and its events from one state of the log: the engine
	 * commits the row's change before it writes the event that tells it. */
	if (rc == 0)
		rc = store_snapshot(r->store);
	if (rc == 0)
		rc = call_get(r->store, id, calls_row, &cc);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such call");
	if (rc < 0)
		return rc;
	events = json_array();
	if (!events) {
		json_decref(cc.one);
		return ERR_NOMEM;
	}
	rc = call_event_list(r->store, id, event_row, events);
	store_rollback(r->store);
	if (rc < 0 || json_object_set_new(cc.one, "events", events) < 0) {
		json_decref(cc.one);
		return rc < 0 ? rc : ERR_NOMEM;
	}
	return reply_json(r, 200, cc.one);
}

/*
 * The screen-pop: the call ringing on (or talking through) the person's
 * phone, with the name of the queue it came through and the customer its
 * number belongs to, or null. The workbench asks when a "call.offer"
 * notification arrives, and again every second or two while there is a
 * call, to see it connected and ended.
 */
struct me_call_ctx {
	struct calls_ctx cc;
	char phone[40];
	char queue[32];
	char status[16];
};

static int me_call_row(void *ctx, const struct call_row *c)
{
	struct me_call_ctx *m = ctx;

	snprintf(m->phone, sizeof(m->phone), "%s", c->caller ? c->caller : "");
	snprintf(m->queue, sizeof(m->queue), "%s", c->queue ? c->queue : "");
	snprintf(m->status, sizeof(m->status), "%s", c->agent_status ? c->agent_status : "");
	return calls_row(&m->cc, c);
}

static int me_call(struct req *r)
{
	struct me_call_ctx m = {{NULL, 0, NULL}, "", "", ""};
	struct call_queue q;
	char phone[40];
	int64_t cust_id = 0;
	json_t *cust = json_null();
	int rc = call_current_of(r->store, r->who.person_id, me_call_row, &m);

	if (rc == ERR_NOTFOUND)
		return reply_json(r, 200, json_pack("{s:n}", "call"));
	if (rc < 0)
		return rc;
	/* "mine": this person's part, since connected_at is the first answer's
	 * and a transferred call rings for its next agent after it. */
	if (json_object_set_new(m.cc.one, "mine", json_string(m.status)) < 0 ||
	    (m.queue[0] && call_queue_get(r->store, m.queue, &q) == 0 &&
	     json_object_set_new(m.cc.one, "queue_name", json_string(q.name)) < 0)) {
		json_decref(m.cc.one);
		return ERR_NOMEM;
	}
	/* Live guidance (CALL-2/4/6/7) while the person talks on the call. */
	if (!strcmp(m.status, "talking")) {
		struct call_guide_input in;
		json_t *g = NULL;

		rc = call_guide_read(r->store, m.cc.last_id, r->now, &in, NULL, NULL);
		if (rc == 0)
			g = call_guide_json(&in, r->now);
		if (rc < 0 || !g || json_object_set_new(m.cc.one, "guide", g) < 0) {
			json_decref(m.cc.one);
			return rc < 0 ? rc : ERR_NOMEM;
		}
	} else if (json_object_set_new(m.cc.one, "guide", json_null()) < 0) {
		json_decref(m.cc.one);
		return ERR_NOMEM;
	}
	if (cust_phone_normalize(m.phone, phone, sizeof(phone)) == 0 &&
	    cust_phone_owner(r->store, phone, &cust_id) == 0) {
		struct customer *c = calloc(1, sizeof(*c));

		if (c && cust_get(r->store, cust_id, c) == 0)
			cust = json_pack("{s:I, s:s, s:i}", "id", (json_int_t)cust_id, "name",
					 c->name, "vip_level", c->vip_level);
		free(c);
	}
	return reply_json(r, 200, json_pack("{s:o, s:o}", "call", m.cc.one, "customer", cust));
}

const struct route call_routes[] = {
	{"GET", "/api/me/call", me_call, ACT_AGENT_STATE},
	{"GET", "/api/calls", calls_list, ACT_CALL_READ},
	{"GET", "/api/calls/{id}", call_one, ACT_CALL_READ},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
