/*
 * Live guidance over HTTP (see call.h): the state the desk's banner and
 * the wallboard show, and the agent's own steps.
 *
 * - The wallboard: the live figures (GET /api/acd/live and its stream, whoever
 *   watches the agents, ACT_ACD_READ) carry "guide", every call an agent is
 *   talking on with its guidance state now (call_guide_live, registered
 *   with acd by cli/serve.c).
 * - POST /api/me/call/guide {rule, step} (the agent, on their own call
 *   only, ACT_AGENT_STATE): what the agent did — apologised (CALL-2), spoke
 *   to the customer during a hold, accepted or declined the promised
 *   callback (CALL-4; accepted opens a callback request for the caller's
 *   number), the silent-call steps (CALL-6). Written as a "guide" event by
 *   "agent" and audited; a step the call's state does not allow is 409.
 */
#include <stdio.h>
#include <string.h>

#include "acd/acd.h"
#include "audit/audit.h"
#include "call/call.h"
#include "core/err.h"
#include "store/store.h"

static json_t *opt_ms(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

static const char *silent_step_name(int step)
{
	static const char *const names[] = {NULL, "greeted", "greet_again", "goodbye"};

	return step >= 1 && step <= 3 ? names[step] : NULL;
}

json_t *call_guide_json(const struct call_guide_input *in, int64_t now)
{
	struct call_guide_state g;
	json_t *o;

	call_guide_state(in, now, &g);
	o = json_pack("{s:s, s:b, s:i, s:b, s:b, s:o, s:I, s:I, s:i, s:o, s:b, s:s?, s:b, s:b}",
		      "level", call_guide_level_name(g.level), "late", g.late, "rings", g.rings,
		      "apologized", in->apologized, "on_hold", g.on_hold, "hold_since",
		      opt_ms(g.on_hold ? g.hold_since : 0), "hold_ms", (json_int_t)g.hold_ms,
		      "hold_total_ms", (json_int_t)g.hold_total_ms, "speak_n", g.speak_n,
		      "next_speak_at", opt_ms(g.on_hold ? g.next_speak_at : 0), "callback",
		      g.callback, "callback_answer",
		      in->callback_answer > 0	? "accepted"
		      : in->callback_answer < 0 ? "declined"
						: NULL,
		      "hold_near", g.hold_near, "hold_over", g.hold_over);
	if (o &&
	    json_object_update_new(
		    o, json_pack("{s:s?, s:o, s:o, s:b, s:o, s:b, s:b, s:I, s:I}", "silent_step",
				 silent_step_name(g.silent_step), "silent_started_at",
				 opt_ms(g.silent_step ? in->silent_at : 0), "silent_next_at",
				 opt_ms(g.silent_next_at), "class_f", g.class_f, "f_limit_at",
				 opt_ms(g.f_limit_at), "f_near", g.f_near, "f_over", g.f_over,
				 "connected_at", (json_int_t)in->connected_at, "now",
				 (json_int_t)now)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* -- The wallboard: a member "guide" of the live figures (acd) -- */

struct board_ctx {
	struct store *s;
	int64_t now;
	json_t *items;
};

static int board_row(void *ctx, int64_t call_id, int64_t agent_id)
{
	struct board_ctx *b = ctx;
	struct call_guide_input in;
	json_t *g, *o;
	int rc = call_guide_read(b->s, call_id, b->now, &in, NULL, NULL);

	if (rc == ERR_NOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	g = call_guide_json(&in, b->now);
	o = g ? json_pack("{s:I, s:I, s:o}", "agent_id", (json_int_t)agent_id, "call_id",
			  (json_int_t)call_id, "guide", g)
	      : NULL;
	if (!o)
		return ERR_NOMEM;
	return json_array_append_new(b->items, o) < 0 ? ERR_NOMEM : 0;
}

int call_guide_live(struct store *s, int64_t now, json_t *o)
{
	struct board_ctx b = {s, now, json_array()};
	int rc;

	if (!b.items)
		return ERR_NOMEM;
	rc = call_guide_calls(s, board_row, &b);
	if (rc < 0) {
		json_decref(b.items);
		return rc;
	}
	return json_object_set_new(o, "guide", b.items) < 0 ? ERR_NOMEM : 0;
}

/* -- POST /api/me/call/guide: the agent's step -- */

struct mine_ctx {
	int64_t id;
	int talking;
};

static int mine_row(void *ctx, const struct call_row *c)
{
	struct mine_ctx *m = ctx;

	m->id = c->id;
	m->talking = c->agent_status && !strcmp(c->agent_status, "talking");
	return 0;
}

/* 409 when the call's state does not allow the step (CALL-2/4/6). */
static int step_allowed(struct req *r, const struct call_guide_input *in, const char *rule,
			const char *step)
{
	struct call_guide_state g;

	call_guide_state(in, r->now, &g);
	if (!strcmp(rule, "CALL-2")) {
		if (!g.late)
			return err_set(&r->ei, ERR_CONFLICT, "step",
				       "the call was answered in time: no apology is due");
		if (in->apologized)
			return err_set(&r->ei, ERR_CONFLICT, "step",
				       "the apology is recorded already");
		return 0;
	}
	if (!strcmp(rule, "CALL-4") && !strcmp(step, "spoke"))
		return g.on_hold ? 0
				 : err_set(&r->ei, ERR_CONFLICT, "step", "the call is not on hold");
	if (!strcmp(rule, "CALL-4")) {
		if (!call_guide_callback_proposed(in, r->now))
			return err_set(&r->ei, ERR_CONFLICT, "step",
				       "no callback was proposed: no hold has lasted 60 s");
		if (in->callback_answer)
			return err_set(&r->ei, ERR_CONFLICT, "step",
				       "the callback is answered already");
		return 0;
	}
	/* CALL-6 */
	if (!strcmp(step, "start"))
		return in->silent_at && !in->silent_end
			       ? err_set(&r->ei, ERR_CONFLICT, "step",
					 "the silent-call steps are running already")
			       : 0;
	if (!in->silent_at || in->silent_end)
		return err_set(&r->ei, ERR_CONFLICT, "step",
			       "the silent-call steps have not been started");
	return 0;
}

/* Digits only: callers' numbers may carry a leading +. */
static void digits_of(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; *in && n + 1 < size; in++)
		if (*in >= '0' && *in <= '9')
			out[n++] = *in;
	out[n] = 0;
}

/* CALL-4: the promised callback becomes a request on the callback list. */
static int open_callback(struct req *r, int64_t call_id, int64_t *id)
{
	char caller[64], queue[64], phone[ACD_PHONE_MAX + 8];
	int rc = call_guide_caller(r->store, call_id, caller, sizeof(caller), queue, sizeof(queue));

	*id = 0;
	if (rc < 0)
		return rc;
	digits_of(caller, phone, sizeof(phone));
	if (!acd_phone_valid(phone))
		return 0; /* an anonymous caller: the guidance only */
	rc = acd_callback_insert(r->store, call_id, queue, phone, r->now, id);
	/* A call transferred to a person has no queue of the list's: guidance only. */
	return rc == ERR_INVALID ? 0 : rc;
}

static int guide_post(struct req *r)
{
	static const char *const fields[] = {"rule", "step", NULL};
	struct mine_ctx m = {0, 0};
	struct call_guide_input in;
	struct audit_detail d;
	const char *rule = NULL, *step = NULL;
	int64_t callback_id = 0;
	json_t *g;
	int rc = body_only(r, fields);

	if (rc == 0)
		rc = body_str(r, "rule", 1, &rule);
	if (rc == 0)
		rc = body_str(r, "step", 1, &step);
	if (rc < 0)
		return rc;
	if (!call_guide_agent_step(rule, step))
		return err_set(&r->ei, ERR_UNPROCESSABLE, "step",
			       "step: not a step of the rule's guidance");
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	/* Only the agent's own call, and only while they talk on it. */
	rc = call_current_of(r->store, r->who.person_id, mine_row, &m);
	if (rc == ERR_NOTFOUND || (rc == 0 && !m.talking))
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "you are not talking on a call");
	if (rc == 0)
		rc = call_guide_read(r->store, m.id, r->now, &in, NULL, NULL);
	if (rc == 0)
		rc = step_allowed(r, &in, rule, step);
	if (rc == 0 && !strcmp(step, "callback_accepted"))
		rc = open_callback(r, m.id, &callback_id);
	if (rc == 0) {
		audit_detail_init(&d);
		audit_detail_str(&d, "rule", rule);
		audit_detail_str(&d, "step", step);
		audit_detail_int(&d, "at_ms", r->now - in.connected_at);
		audit_detail_str(&d, "by", "agent");
		audit_detail_int(&d, "agent_id", r->who.person_id);
		audit_detail_id(&d, "callback_id", callback_id);
		rc = call_event_add(r->store, m.id, r->now, "guide", audit_detail_text(&d));
		audit_detail_release(&d);
	}
	if (rc == 0)
		rc = req_audit(r, "call.guide", "call", m.id, "ok",
			       json_pack("{s:s, s:s, s:o}", "rule", rule, "step", step,
					 "callback_id",
					 callback_id ? json_integer(callback_id) : json_null()));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	if (callback_id)
		acd_live_wake(); /* the wallboard's open callbacks */
	rc = call_guide_read(r->store, m.id, r->now, &in, NULL, NULL);
	if (rc < 0)
		return rc;
	g = call_guide_json(&in, r->now);
	return reply_json(r, 200,
			  json_pack("{s:I, s:o, s:o}", "call_id", (json_int_t)m.id, "guide",
				    g ? g : json_null(), "callback_id",
				    callback_id ? json_integer(callback_id) : json_null()));
}

const struct route call_guide_routes[] = {
	{"POST", "/api/me/call/guide", guide_post, ACT_AGENT_STATE},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
