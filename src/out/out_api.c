/*
 * Calls out over HTTP (out.h tells the whole): placing a call, its state
 * with the script to read, the agent's hang-up, the outcome, the log, the
 * agent's own view (/api/me/out), tasks, the settings and the do-not-call
 * list. Every field is checked and every permission decided before the
 * write transaction begins; each change is one transaction with its audit
 * entry. Numbers leave kefu masked only (CUST-2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acd/acd.h"
#include "call/call.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/mask.h"
#include "core/utf8.h"
#include "cust/cust.h"
#include "http/http.h"
#include "kb/kb.h"
#include "notify/notify.h"
#include "out/out.h"
#include "store/store.h"
#include "wo/wo.h"

static json_t *ref(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

/* Whether the caller sees every agent's calls (supervisors, QA) or their own. */
static int sees_all(struct req *r)
{
	return auth_scope(&r->who, ACT_OUT_READ) >= SCOPE_DEPT;
}

/* An attempt as the API answers it; the number masked (CUST-2). */
static json_t *call_json(struct req *r, const struct call_out_row *c, const char *outcome)
{
	json_t *cust = c->customer_id ? cust_summary_json(r, r->store, c->customer_id) : NULL;
	char number[OUT_NUMBER_SIZE];

	mask_phone(c->number, number, sizeof(number));
	return json_pack("{s:I, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:I,"
			 " s:b, s:o, s:b, s:o}",
			 "id", (json_int_t)c->id, "purpose", c->purpose, "state", c->state,
			 "result", c->result[0] ? json_string(c->result) : json_null(), "number",
			 number, "ref_id", ref(c->ref_id), "customer_id", ref(c->customer_id),
			 "customer", cust ? cust : json_null(), "agent_id", ref(c->agent_id),
			 "requested_at", (json_int_t)c->requested_at, "agent_at", ref(c->agent_at),
			 "answered_at", ref(c->answered_at), "ended_at", ref(c->ended_at),
			 "talk_ms", (json_int_t)c->talk_ms, "recording", c->recording[0] != 0,
			 "call_id", ref(c->call_id), "cancelled", c->cancel, "outcome",
			 outcome && *outcome ? json_string(outcome) : json_null());
}

/* -- The script to read (CALL-9; CB-2 for callbacks) -- */

struct script_find {
	int64_t id, version;
};

static int script_first(void *ctx, const struct kb_article *a)
{
	struct script_find *f = ctx;

	if (!a->published_version)
		return 0;
	f->id = a->id;
	f->version = a->published_version;
	return 1;
}

/* The published body of article id (or, with id 0, the first outbound script), filled. */
static int kb_script(struct req *r, int64_t id, struct buf *out)
{
	struct kb_fill_values v = {r->app->cfg->center_name, r->who.work_no, r->who.name};
	struct script_find f = {0, 0};
	struct kb_version ver;
	int rc;

	if (id) {
		struct kb_article a;

		rc = kb_article_get(r->store, id, &a);
		if (rc < 0)
			return rc;
		f.id = a.id;
		f.version = a.published_version;
	} else {
		struct kb_filter kf;

		memset(&kf, 0, sizeof(kf));
		kf.kind = "script";
		kf.slot = "outbound";
		kf.readers = 1;
		rc = kb_article_list(r->store, &kf, script_first, &f);
		if (rc < 0)
			return rc;
	}
	if (!f.version)
		return ERR_NOTFOUND;
	memset(&ver, 0, sizeof(ver));
	rc = kb_version_get(r->store, f.id, f.version, &ver);
	if (rc == 0)
		rc = kb_fill(buf_str(&ver.body), &v, out);
	kb_version_release(&ver);
	return rc;
}

/* CALL-9's four steps, when the knowledge base holds no outbound script. */
static void default_script(struct req *r, struct buf *out)
{
	buf_printf(out,
		   "您好，我是%s的客服人员，工号%s。请问您是XX先生/女士吗？"
		   "这次给您来电是关于……，请问您现在方便接听电话吗？",
		   r->app->cfg->center_name, r->who.work_no);
}

static int callback_script(struct req *r, int64_t order_id, struct buf *out)
{
	struct wo_order *o = malloc(sizeof(*o));
	json_t *report = NULL, *cust = NULL;
	char *script = malloc(4096);
	int rc = o && script ? wo_order_get(r->store, order_id, o) : ERR_NOMEM;

	if (rc == 0) {
		report = o->report[0] ? json_loads(o->report, 0, NULL) : NULL;
		cust = o->customer_id ? cust_summary_json(r, r->store, o->customer_id) : NULL;
		/* CB-2: the same script the callback queue shows, greeting by CUST-5's form. */
		wo_callback_script(
			script, 4096, r->app->cfg->center_name, r->who.work_no,
			cust ? json_string_value(json_object_get(cust, "address_as")) : NULL,
			o->created_at, o->summary,
			report ? json_string_value(json_object_get(report, "solution")) : "");
		buf_printf(out, "%s", script);
	}
	json_decref(report);
	json_decref(cust);
	free(script);
	free(o);
	return rc;
}

static int script_of(struct req *r, const struct call_out_row *c, struct buf *out)
{
	int64_t article = 0;
	int rc;

	if (strcmp(c->purpose, "callback") == 0)
		return callback_script(r, c->ref_id, out);
	if (strcmp(c->purpose, "campaign") == 0) {
		struct out_task t;
		struct out_campaign k;

		if (out_task_get(r->store, c->ref_id, &t) == 0 && t.campaign_id &&
		    out_campaign_get(r->store, t.campaign_id, &k) == 0)
			article = k.script_id;
	}
	rc = kb_script(r, article, out);
	if (rc == ERR_NOTFOUND && article)
		rc = kb_script(r, 0, out);
	if (rc == ERR_NOTFOUND) {
		default_script(r, out);
		rc = 0;
	}
	return rc;
}

/* -- Loading an attempt -- */

static int load_call(struct req *r, struct call_out_row *c, int own_or_manage)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = call_out_get(r->store, id, c);
	if (rc == ERR_NOTFOUND || (rc == 0 && strcmp(c->purpose, "test") == 0))
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such call out");
	if (rc < 0)
		return rc;
	if (c->agent_id == r->who.person_id)
		return 0;
	{
		const struct auth_target t = {0, c->agent_id};

		/* Acting on another agent's attempt is a supervisor's; reading it, also QA's. */
		return req_authorize(r, own_or_manage ? ACT_OUT_MANAGE : ACT_OUT_READ, &t);
	}
}

static int reply_call(struct req *r, unsigned status, int64_t id, int with_script)
{
	struct call_out_row c;
	struct out_outcome_row o;
	struct buf script = BUF_INIT;
	json_t *j;
	int rc = call_out_get(r->store, id, &c);

	if (rc < 0)
		return rc;
	rc = out_outcome_get(r->store, id, &o);
	if (rc == ERR_NOTFOUND)
		o.outcome[0] = '\0';
	else if (rc < 0)
		return rc;
	j = call_json(r, &c, o.outcome);
	if (!j)
		return ERR_NOMEM;
	if (o.outcome[0])
		json_object_set_new(j, "outcome_note", json_string(o.note));
	if (with_script) {
		rc = script_of(r, &c, &script);
		if (rc < 0) {
			buf_release(&script);
			json_decref(j);
			return rc;
		}
		json_object_set_new(j, "script", json_string(buf_str(&script)));
		/* The knowledge base's scripts are Markdown: the bar shows them as
		 * the knowledge base does, rendered in libcmark's safe mode. */
		{
			char *html = NULL;

			rc = kb_md_html(buf_str(&script), &html);
			if (rc == 0)
				json_object_set_new(j, "script_html", json_string(html));
			free(html);
		}
		buf_release(&script);
		if (rc < 0) {
			json_decref(j);
			return rc;
		}
	}
	return reply_json(r, status, j);
}

/* -- POST /api/out/calls -- */

static int no_such(struct req *r, const char *what)
{
	return err_set(&r->ei, ERR_NOTFOUND, NULL, "%s", what);
}

/* An order's callback (CB-1, CB-2) or progress call (WO-5): the customer's number. */
static int target_order(struct req *r, struct out_target *t)
{
	struct wo_order *o = malloc(sizeof(*o));
	int rc = o ? wo_order_get(r->store, t->ref_id, o) : ERR_NOMEM;

	if (rc == ERR_NOTFOUND)
		rc = no_such(r, "no such order");
	if (rc == 0) {
		const struct auth_target at = {o->department_id, 0};

		rc = req_authorize_on(r, ACT_ORDER_READ, &at, "work_order", o->id);
		if (rc == 0)
			rc = req_authorize(
				r, t->purpose == OP_CALLBACK ? ACT_CALLBACK : ACT_ORDER_CREATE,
				NULL);
	}
	if (rc == 0 && t->purpose == OP_CALLBACK) {
		struct wo_callback cb;

		rc = wo_callback_pending(r->store, o->id, &cb);
		if (rc == ERR_NOTFOUND)
			rc = err_set(&r->ei, ERR_CONFLICT, NULL,
				     "no callback is due for this order");
		/* CB-2: after "not accepted" another agent makes the next call. */
		else if (rc == 0 && cb.excluded_id == r->who.person_id)
			rc = err_set(&r->ei, ERR_CONFLICT, NULL,
				     "another agent makes this callback");
	}
	if (rc == 0 && t->purpose == OP_PROGRESS && !wo_state_open(o->state))
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the order is closed");
	if (rc == 0) {
		t->customer_id = o->customer_id;
		if (o->customer_id)
			rc = out_customer_number(r->store, o->customer_id, t->number,
						 sizeof(t->number));
		if (rc == 0 && !t->number[0])
			snprintf(t->number, sizeof(t->number), "%s", o->phone);
	}
	free(o);
	return rc;
}

static int target_customer(struct req *r, struct out_target *t)
{
	int64_t id = 0;
	int rc = cust_exists(r->store, t->ref_id, &id);

	if (rc == ERR_NOTFOUND)
		return no_such(r, "no such customer");
	if (rc == 0)
		rc = req_authorize(r, ACT_CUST_READ, NULL);
	if (rc == 0) {
		t->customer_id = t->ref_id = id;
		rc = out_customer_number(r->store, id, t->number, sizeof(t->number));
	}
	return rc;
}

/* A caller who left a number after the maximum wait. */
static int target_request(struct req *r, struct out_target *t)
{
	struct acd_callback cb;
	int rc = acd_callback_get(r->store, t->ref_id, &cb);

	if (rc == ERR_NOTFOUND)
		return no_such(r, "no such callback request");
	if (rc == 0)
		rc = req_authorize(r, ACT_CALLBACK, NULL);
	if (rc == 0 && cb.done)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the callback request is done already");
	if (rc == 0) {
		snprintf(t->number, sizeof(t->number), "%s", cb.phone);
		rc = cust_phone_owner(r->store, cb.phone, &t->customer_id);
		if (rc == ERR_NOTFOUND)
			rc = 0;
	}
	return rc;
}

static int target_task(struct req *r, struct out_target *t)
{
	struct out_task k;
	int manage = auth_authorize(&r->who, ACT_OUT_MANAGE, NULL) == 0;
	int rc = out_task_get(r->store, t->ref_id, &k);

	if (rc == ERR_NOTFOUND)
		return no_such(r, "no such task");
	if (rc < 0)
		return rc;
	if (strcmp(k.state, "open") != 0)
		return err_set(&r->ei, ERR_CONFLICT, NULL, "the task is not open");
	if (k.agent_id && k.agent_id != r->who.person_id && !manage)
		return err_set(&r->ei, ERR_FORBIDDEN, NULL, "the task is another agent's");
	if (k.campaign_id) {
		struct out_campaign c;

		rc = out_campaign_get(r->store, k.campaign_id, &c);
		if (rc < 0)
			return rc;
		if (strcmp(c.state, "running") != 0)
			return err_set(&r->ei, ERR_CONFLICT, NULL, "the campaign is not running");
		rc = out_campaign_has_agent(r->store, c.id, r->who.person_id);
		if (rc < 0)
			return rc;
		if (rc == 0 && !manage)
			return err_set(&r->ei, ERR_FORBIDDEN, NULL, "the task is another agent's");
		t->purpose = OP_CAMPAIGN;
	}
	if (k.customer_id) {
		rc = req_authorize(r, ACT_CUST_READ, NULL);
		if (rc < 0)
			return rc;
	}
	t->customer_id = k.customer_id;
	snprintf(t->number, sizeof(t->number), "%s", k.number);
	return 0;
}

static int call_place(struct req *r)
{
	static const char *const fields[] = {"purpose", "ref_id", "customer_id", "task_id", NULL};
	struct out_settings st;
	struct out_target t;
	struct audit_actor who = req_actor(r);
	const char *purpose = NULL;
	int64_t ref_id = 0, customer_id = 0, task_id = 0, id = 0;
	int p, rc = body_only(r, fields);

	memset(&t, 0, sizeof(t));
	if (rc == 0)
		rc = body_str(r, "purpose", 1, &purpose);
	if (rc == 0)
		rc = body_ref(r, "ref_id", &ref_id);
	if (rc == 0)
		rc = body_ref(r, "customer_id", &customer_id);
	if (rc == 0)
		rc = body_ref(r, "task_id", &task_id);
	if (rc < 0)
		return rc;
	p = out_purpose_parse(purpose);
	if (p < 0 || p == OP_CAMPAIGN)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "purpose",
			       "purpose: callback, progress, customer, request or task");
	t.purpose = (enum out_purpose)p;
	t.ref_id = p == OP_CUSTOMER && customer_id ? customer_id
		   : p == OP_TASK && task_id	   ? task_id
						   : ref_id;
	if (!t.ref_id)
		return err_set(&r->ei, ERR_INVALID,
			       p == OP_CUSTOMER ? "customer_id"
			       : p == OP_TASK	? "task_id"
						: "ref_id",
			       "%s: required",
			       p == OP_CUSTOMER ? "customer_id"
			       : p == OP_TASK	? "task_id"
						: "ref_id");
	switch (t.purpose) {
	case OP_CALLBACK:
	case OP_PROGRESS:
		rc = target_order(r, &t);
		break;
	case OP_CUSTOMER:
		rc = target_customer(r, &t);
		break;
	case OP_REQUEST:
		rc = target_request(r, &t);
		break;
	default:
		rc = target_task(r, &t);
		break;
	}
	if (rc == 0)
		rc = out_settings_get(r->store, &st);
	if (rc == 0)
		rc = out_check(r->store, &st, r->who.person_id, &t, r->now, &r->ei);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = out_place(r->store, &who, r->who.person_id, &t, &st, r->now, &id, &r->ei);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	call_out_kick();
	return reply_call(r, 201, id, 1);
}

static int call_one(struct req *r)
{
	struct call_out_row c;
	int rc = load_call(r, &c, 0);

	if (rc < 0)
		return rc;
	return reply_call(r, 200, c.id, 1);
}

/* The agent's own hang-up before the customer answers (or any time: the engine ends it). */
static int call_cancel(struct req *r)
{
	static const char *const fields[] = {NULL};
	struct call_out_row c;
	int rc = body_only(r, fields);

	if (rc == 0)
		rc = load_call(r, &c, 1);
	if (rc < 0)
		return rc;
	if (strcmp(c.state, "ended") == 0)
		return err_set(&r->ei, ERR_CONFLICT, NULL, "the call has ended");
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = call_out_cancel(r->store, c.id);
	if (rc == 0)
		rc = req_audit(r, "out.cancel", "call_out", c.id, "ok",
			       json_pack("{s:s}", "state", c.state));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	call_out_kick();
	return reply_call(r, 200, c.id, 0);
}

/* -- The outcome -- */

struct outcome_in {
	enum out_outcome o;
	const char *note;
	int64_t next_at;
	struct wo_new follow;
	int has_follow;
};

static int read_outcome(struct req *r, struct outcome_in *in)
{
	static const char *const fields[] = {"outcome", "note", "next_at", "follow_up", NULL};
	const char *name = NULL;
	json_t *next = json_object_get(r->body, "next_at"), *f;
	int o, rc = body_only(r, fields);

	memset(in, 0, sizeof(*in));
	if (rc == 0)
		rc = body_str(r, "outcome", 1, &name);
	if (rc == 0)
		rc = body_str(r, "note", 0, &in->note);
	if (rc < 0)
		return rc;
	o = out_outcome_parse(name);
	if (o < 0)
		return err_set(
			&r->ei, ERR_UNPROCESSABLE, "outcome",
			"outcome: reached, accepted, not_accepted, new_need, no_answer, busy,"
			" rejected, wrong_number, other_person or dnc");
	in->o = (enum out_outcome)o;
	if (in->note && utf8_len(in->note) > OUT_NOTE_MAX)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "note", "%s: at most %d characters",
			       "note", OUT_NOTE_MAX);
	if (next && !json_is_null(next)) {
		if (!json_is_integer(next) || json_integer_value(next) <= r->now)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "next_at",
				       "next_at: an instant in the future, in milliseconds");
		in->next_at = json_integer_value(next);
	}
	f = json_object_get(r->body, "follow_up");
	if (f && !json_is_null(f)) {
		json_t *cls = json_object_get(f, "class"), *sum = json_object_get(f, "summary");

		if (!json_is_object(f) || !json_is_string(cls) || !json_is_string(sum))
			return err_set(&r->ei, ERR_INVALID, "follow_up",
				       "follow_up: an object with class and summary");
		in->follow.class_code = json_string_value(cls);
		in->follow.summary = json_string_value(sum);
		in->follow.onsite = -1;
		in->follow.promise = -1;
		in->has_follow = 1;
	}
	/* WO-5: what the customer was told is the progress note. */
	if (in->o == OO_NEW_NEED && !in->has_follow)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "follow_up",
			       "describe the new need as a follow-up order");
	return 0;
}

/* What an outcome causes in the order, the request or the task (in the transaction). */
static int outcome_follow(struct req *r, const struct call_out_row *c, const struct outcome_in *in,
			  const struct out_settings *st)
{
	struct audit_actor who = req_actor(r);
	struct wo_ctx wc = {r->store, r->now, &who, &r->ei};
	char work_no[33];
	struct wo_act a;
	int rc = 0;

	/* CB-2: the order's attempt is the agent's who made the call, even when a
	 * supervisor records it for them: the next call must be another agent's.
	 * Who recorded it is out.outcome's audit entry. */
	if (c->agent_id && c->agent_id != r->who.person_id) {
		rc = out_person_work_no(r->store, c->agent_id, work_no, sizeof(work_no));
		if (rc < 0)
			return rc;
		who.id = c->agent_id;
		who.name = work_no;
	}

	memset(&a, 0, sizeof(a));
	a.text = in->note ? in->note : "";
	a.promise = -1;
	if (strcmp(c->purpose, "callback") == 0) {
		int wo = out_callback_outcome(in->o);
		struct wo_order *o;

		if (wo < 0)
			return 0;
		o = malloc(sizeof(*o));
		if (!o)
			return ERR_NOMEM;
		a.action = WOA_CALLBACK;
		a.outcome = (enum wo_outcome)wo;
		a.follow_up = in->has_follow ? &in->follow : NULL;
		rc = wo_apply(&wc, c->ref_id, &a, o);
		free(o);
		/* Someone else answered and named a time: the callback is due then. */
		if (rc == 0 && in->o == OO_OTHER_PERSON && in->next_at) {
			struct wo_callback cb;

			if (wo_callback_pending(r->store, c->ref_id, &cb) == 0) {
				cb.due_at = in->next_at;
				rc = wo_callback_save(r->store, &cb);
			}
		}
	} else if (strcmp(c->purpose, "progress") == 0 && out_outcome_reached(in->o)) {
		struct wo_order *o = malloc(sizeof(*o));

		if (!o)
			return ERR_NOMEM;
		a.action = WOA_PROGRESS;
		rc = wo_apply(&wc, c->ref_id, &a, o);
		free(o);
	} else if (strcmp(c->purpose, "request") == 0 && out_outcome_reached(in->o)) {
		rc = acd_callback_mark_done(r->store, c->ref_id, r->who.person_id, r->now,
					    in->note ? in->note : "");
		if (rc == ERR_CONFLICT)
			rc = 0; /* done meanwhile by someone else: nothing left to do */
	} else if (strcmp(c->purpose, "task") == 0 || strcmp(c->purpose, "campaign") == 0) {
		struct out_task t;

		rc = out_task_get(r->store, c->ref_id, &t);
		if (rc == 0 && strcmp(t.state, "open") == 0) {
			struct out_task_next n =
				out_task_after(st, in->o, t.attempts, in->next_at, r->now);

			snprintf(t.state, sizeof(t.state), "%s", n.state);
			snprintf(t.last_result, sizeof(t.last_result), "%s",
				 out_outcome_name(in->o));
			if (n.due_at)
				t.due_at = n.due_at;
			else
				t.done_at = r->now;
			if (in->note && *in->note)
				snprintf(t.note, sizeof(t.note), "%s", in->note);
			rc = out_task_save(r->store, &t);
		}
	}
	if (rc == 0 && in->o == OO_DNC) {
		rc = out_dnc_add(r->store, c->number, in->note, r->who.person_id, r->now);
		if (rc == ERR_CONFLICT)
			rc = 0;
	}
	return rc;
}

static int call_outcome(struct req *r)
{
	struct call_out_row c;
	struct out_outcome_row row, old;
	struct out_settings st;
	struct outcome_in in;
	int rc = read_outcome(r, &in);

	if (rc == 0)
		rc = load_call(r, &c, 1);
	if (rc < 0)
		return rc;
	if (strcmp(c.state, "ended") != 0)
		return err_set(&r->ei, ERR_CONFLICT, NULL, "the call is still going");
	rc = out_outcome_get(r->store, c.id, &old);
	if (rc == 0)
		return err_set(&r->ei, ERR_CONFLICT, NULL,
			       "the outcome of this call is recorded already");
	if (rc != ERR_NOTFOUND)
		return rc;
	rc = out_outcome_check((enum out_purpose)out_purpose_parse(c.purpose), in.o, c.result,
			       &r->ei);
	if (rc == 0 && strcmp(c.purpose, "progress") == 0 && out_outcome_reached(in.o) &&
	    (!in.note || utf8_blank(in.note)))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "note", "note: what the customer was told");
	if (rc == 0)
		rc = out_settings_get(r->store, &st);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	memset(&row, 0, sizeof(row));
	row.call_out_id = c.id;
	snprintf(row.outcome, sizeof(row.outcome), "%s", out_outcome_name(in.o));
	snprintf(row.note, sizeof(row.note), "%s", in.note ? in.note : "");
	row.next_at = in.next_at;
	row.by_id = r->who.person_id;
	row.at = r->now;
	rc = out_outcome_insert(r->store, &row);
	if (rc == ERR_CONFLICT)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL,
			     "the outcome of this call is recorded already");
	if (rc == 0)
		rc = outcome_follow(r, &c, &in, &st);
	if (rc == 0)
		rc = req_audit(r, "out.outcome", "call_out", c.id, "ok",
			       json_pack("{s:s, s:s, s:o, s:o}", "purpose", c.purpose, "outcome",
					 row.outcome, "ref_id", ref(c.ref_id), "next_at",
					 ref(in.next_at)));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	notify_wake();
	return reply_call(r, 200, c.id, 0);
}

/* -- The log -- */

struct log_ctx {
	struct req *r;
	json_t *items;
	int64_t last;
};

static int log_row(void *ctx, const struct call_out_row *c, const char *outcome)
{
	struct log_ctx *l = ctx;

	l->last = c->id;
	return json_array_append_new(l->items, call_json(l->r, c, outcome));
}

static int calls_list(struct req *r)
{
	struct out_log_filter f;
	struct log_ctx l = {r, NULL, 0};
	const char *purpose = NULL, *result = NULL;
	int64_t cursor = 0, agent = 0, from = 0, to = 0;
	int limit, n, rc = req_page(r, &limit, &cursor);

	if (rc == 0)
		rc = req_query_int(r, "agent_id", 1, INT64_MAX, &agent);
	if (rc == 0)
		rc = req_query_int(r, "from", 1, INT64_MAX, &from);
	if (rc == 0)
		rc = req_query_int(r, "to", 1, INT64_MAX, &to);
	if (rc == 0)
		rc = req_query(r, "purpose", &purpose);
	if (rc == 0)
		rc = req_query(r, "result", &result);
	if (rc < 0)
		return rc;
	if (purpose && (out_purpose_parse(purpose) < 0))
		return err_set(&r->ei, ERR_INVALID, "purpose",
			       "purpose: callback, progress, customer, request, task or campaign");
	memset(&f, 0, sizeof(f));
	/* Agents see their own attempts only. */
	f.agent_id = sees_all(r) ? agent : r->who.person_id;
	f.purpose = purpose;
	f.result = result;
	f.from = from;
	f.to = to;
	f.before_id = cursor;
	f.limit = limit;
	l.items = json_array();
	n = out_log_list(r->store, &f, log_row, &l);
	if (n < 0) {
		json_decref(l.items);
		return n;
	}
	return reply_page(r, l.items, n == limit ? l.last : 0);
}

/* -- Tasks -- */

static json_t *task_json(struct req *r, const struct out_task *t)
{
	json_t *cust = t->customer_id ? cust_summary_json(r, r->store, t->customer_id) : NULL;
	char number[OUT_NUMBER_SIZE];

	mask_phone(t->number, number, sizeof(number));
	return json_pack(
		"{s:I, s:s, s:o, s:o, s:o, s:s, s:s, s:o, s:I, s:s, s:i, s:o, s:o, s:o,"
		" s:s, s:I, s:o}",
		"id", (json_int_t)t->id, "kind", t->kind, "campaign_id", ref(t->campaign_id),
		"customer_id", ref(t->customer_id), "customer", cust ? cust : json_null(), "name",
		t->name, "number", number, "agent_id", ref(t->agent_id), "due_at",
		(json_int_t)t->due_at, "state", t->state, "attempts", t->attempts, "last_result",
		t->last_result[0] ? json_string(t->last_result) : json_null(), "last_call_out_id",
		ref(t->last_call_out_id), "call_id", ref(t->call_id), "note", t->note, "created_at",
		(json_int_t)t->created_at, "done_at", ref(t->done_at));
}

struct task_ctx {
	struct req *r;
	json_t *items;
	int64_t last;
};

static int task_row(void *ctx, const struct out_task *t)
{
	struct task_ctx *k = ctx;

	k->last = t->id;
	return json_array_append_new(k->items, task_json(k->r, t));
}

static int tasks_list(struct req *r)
{
	static const char *const states[] = {"open", "done", "cancelled", "failed"};
	struct out_task_filter f;
	struct task_ctx k = {r, NULL, 0};
	const char *state = NULL, *due = NULL;
	int64_t campaign = 0, agent = 0;
	int limit, n, ok = 0, rc;

	memset(&f, 0, sizeof(f));
	rc = req_page(r, &limit, &f.after_id);
	if (rc == 0)
		rc = req_query(r, "state", &state);
	if (rc == 0)
		rc = req_query(r, "due", &due);
	if (rc == 0)
		rc = req_query_int(r, "campaign_id", 1, INT64_MAX, &campaign);
	if (rc == 0)
		rc = req_query_int(r, "agent_id", 1, INT64_MAX, &agent);
	if (rc < 0)
		return rc;
	for (size_t i = 0; state && i < sizeof(states) / sizeof(states[0]); i++)
		ok |= strcmp(state, states[i]) == 0;
	if (state && !ok)
		return err_set(&r->ei, ERR_INVALID, "state",
			       "state: open, done, cancelled or failed");
	if (due && strcmp(due, "true") && strcmp(due, "false"))
		return err_set(&r->ei, ERR_INVALID, "due", "due: true or false");
	f.state = state;
	f.campaign_id = campaign;
	f.due_before = due && strcmp(due, "true") == 0 ? r->now + 1 : 0;
	/* Agents: theirs and the pool's (campaigns they work on); supervisors any. */
	f.agent_id = sees_all(r) ? agent : r->who.person_id;
	f.limit = limit;
	k.items = json_array();
	n = out_task_list(r->store, &f, task_row, &k);
	if (n < 0) {
		json_decref(k.items);
		return n;
	}
	/* Due first, at most limit: a list of work to do, read from its head, has no next page. */
	return reply_page(r, k.items, 0);
}

static int task_assign(struct req *r)
{
	static const char *const fields[] = {"agent_id", NULL};
	struct out_task t;
	int64_t id, agent = 0;
	int rc = body_only(r, fields);

	if (rc == 0 && !body_has(r, "agent_id"))
		rc = err_set(&r->ei, ERR_INVALID, "agent_id", "%s: required", "agent_id");
	if (rc == 0)
		rc = body_ref(r, "agent_id", &agent);
	if (rc == 0)
		rc = req_param_id(r, 0, &id);
	if (rc == 0)
		rc = out_task_get(r->store, id, &t);
	if (rc == ERR_NOTFOUND)
		return no_such(r, "no such task");
	if (rc < 0)
		return rc;
	if (strcmp(t.state, "open") != 0)
		return err_set(&r->ei, ERR_CONFLICT, NULL, "the task is not open");
	if (agent) {
		rc = out_person_active(r->store, agent);
		if (rc == 0)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "agent_id",
				       "agent_id: no such person");
		if (rc < 0)
			return rc;
	}
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	t.agent_id = agent;
	rc = out_task_save(r->store, &t);
	if (rc == 0)
		rc = req_audit(r, "out.task.assign", "out_task", t.id, "ok",
			       json_pack("{s:o}", "agent_id", ref(agent)));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, task_json(r, &t));
}

/* GET /api/me/out: my attempt going, if any, and my tasks due. */
static int me_out(struct req *r)
{
	struct out_task_filter f;
	struct task_ctx k = {r, json_array(), 0};
	struct call_out_row c;
	struct out_settings st;
	json_t *live = NULL, *pending = NULL, *j;
	char from[6], to[6];
	int used = 0, rc = call_out_live_of(r->store, r->who.person_id, &c);

	if (rc == 0)
		live = call_json(r, &c, NULL);
	else if (rc != ERR_NOTFOUND)
		goto fail;
	/* CALL-10: an attempt of today that ended without its outcome waits for
	 * it, also after the workbench was reloaded. */
	rc = out_pending_outcome(r->store, r->who.person_id, clock_day_start(r->now), &c);
	if (rc == 0)
		pending = call_json(r, &c, NULL);
	else if (rc != ERR_NOTFOUND)
		goto fail;
	memset(&f, 0, sizeof(f));
	f.agent_id = r->who.person_id;
	f.due_before = r->now + 1;
	f.limit = 100;
	rc = out_task_list(r->store, &f, task_row, &k);
	if (rc >= 0)
		rc = out_settings_get(r->store, &st);
	if (rc >= 0)
		rc = call_out_count_since(r->store, r->who.person_id, clock_day_start(r->now),
					  &used);
	if (rc < 0)
		goto fail;
	out_hhmm(st.open_min, from, sizeof(from));
	out_hhmm(st.close_min, to, sizeof(to));
	j = json_pack("{s:o, s:o, s:o, s:b, s:s, s:s, s:i, s:i}", "live", live ? live : json_null(),
		      "pending", pending ? pending : json_null(), "tasks", k.items, "open",
		      out_hours_open(&st, r->now), "hours_from", from, "hours_to", to, "used_today",
		      used, "daily_cap", st.daily_cap);
	return reply_json(r, 200, j);
fail:
	json_decref(live);
	json_decref(pending);
	json_decref(k.items);
	return rc;
}

/* -- Settings -- */

static json_t *settings_json(const struct out_settings *st)
{
	char from[6], to[6];

	out_hhmm(st->open_min, from, sizeof(from));
	out_hhmm(st->close_min, to, sizeof(to));
	return json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:o, s:o}", "hours_from", from,
			 "hours_to", to, "daily_cap", st->daily_cap, "dropped_due_min",
			 st->dropped_due_min, "afterhours_due_min", st->afterhours_due_min,
			 "max_attempts", st->max_attempts, "retry_gap_min", st->retry_gap_min,
			 "updated_at", ref(st->updated_at), "updated_by", ref(st->updated_by));
}

static int settings_get(struct req *r)
{
	struct out_settings st;
	int rc = out_settings_get(r->store, &st);

	if (rc < 0)
		return rc;
	return reply_json(r, 200, settings_json(&st));
}

static int time_field(struct req *r, const char *key, int *out, int rc)
{
	const char *s = NULL;
	int brc = body_str(r, key, 0, &s), m;

	if (brc < 0)
		return brc;
	if (!s)
		return rc;
	m = out_hhmm_parse(s);
	if (m < 0)
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, key, "%s: a time HH:MM, 00:00-24:00",
			       key);
	*out = m;
	return rc;
}

static int settings_put(struct req *r)
{
	static const char *const fields[] = {
		"hours_from",	      "hours_to",     "daily_cap",     "dropped_due_min",
		"afterhours_due_min", "max_attempts", "retry_gap_min", NULL};
	struct out_settings st;
	int rc = body_only(r, fields);

	if (rc == 0)
		rc = out_settings_get(r->store, &st);
	if (rc < 0)
		return rc;
	rc = time_field(r, "hours_from", &st.open_min, 0);
	rc = time_field(r, "hours_to", &st.close_min, rc);
	rc = body_int_add(r, "daily_cap", &st.daily_cap, rc);
	rc = body_int_add(r, "dropped_due_min", &st.dropped_due_min, rc);
	rc = body_int_add(r, "afterhours_due_min", &st.afterhours_due_min, rc);
	rc = body_int_add(r, "max_attempts", &st.max_attempts, rc);
	rc = body_int_add(r, "retry_gap_min", &st.retry_gap_min, rc);
	if (rc < 0)
		return rc;
	rc = out_settings_check(&st, &r->ei);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	st.updated_at = r->now;
	st.updated_by = r->who.person_id;
	rc = out_settings_put(r->store, &st);
	if (rc == 0)
		rc = req_audit(r, "out.settings", "out_settings", 1, "ok", json_deep_copy(r->body));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, settings_json(&st));
}

/* -- The do-not-call list -- */

static json_t *dnc_json(const struct out_dnc *d)
{
	char number[OUT_NUMBER_SIZE];

	mask_phone(d->number, number, sizeof(number));
	return json_pack("{s:s, s:s, s:o, s:I}", "number", number, "reason", d->reason, "added_by",
			 ref(d->added_by), "at", (json_int_t)d->at);
}

struct dnc_ctx {
	json_t *items;
	int64_t last;
};

static int dnc_row(void *ctx, const struct out_dnc *d)
{
	struct dnc_ctx *x = ctx;

	x->last = d->id;
	return json_array_append_new(x->items, dnc_json(d));
}

static int dnc_list(struct req *r)
{
	struct dnc_ctx x = {json_array(), 0};
	const char *number = NULL;
	char digits[OUT_NUMBER_SIZE];
	int64_t cursor;
	int limit, n, rc = req_page(r, &limit, &cursor);

	if (rc == 0)
		rc = req_query(r, "number", &number);
	if (rc < 0) {
		json_decref(x.items);
		return rc;
	}
	/* One number asked for: is it on the list (the number typed, so not a leak). */
	if (number) {
		if (cust_phone_normalize(number, digits, sizeof(digits)) < 0) {
			json_decref(x.items);
			return err_set(&r->ei, ERR_INVALID, "number", "number: not a phone number");
		}
		rc = out_dnc_has(r->store, digits);
		json_decref(x.items);
		if (rc < 0)
			return rc;
		return reply_json(r, 200, json_pack("{s:b}", "listed", rc == 1));
	}
	n = out_dnc_list(r->store, cursor, limit, dnc_row, &x);
	if (n < 0) {
		json_decref(x.items);
		return n;
	}
	return reply_page(r, x.items, n == limit ? x.last : 0);
}

static int dnc_add(struct req *r)
{
	static const char *const fields[] = {"number", "reason", NULL};
	const char *number = NULL, *reason = NULL;
	char digits[OUT_NUMBER_SIZE];
	struct out_dnc d;
	int rc = body_only(r, fields);

	if (rc == 0)
		rc = body_str(r, "number", 1, &number);
	if (rc == 0)
		rc = body_str(r, "reason", 0, &reason);
	if (rc < 0)
		return rc;
	if (cust_phone_normalize(number, digits, sizeof(digits)) < 0)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "number", "number: not a phone number");
	if (reason && utf8_len(reason) > OUT_NOTE_MAX)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "reason", "%s: at most %d characters",
			       "reason", OUT_NOTE_MAX);
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = out_dnc_add(r->store, digits, reason, r->who.person_id, r->now);
	if (rc == ERR_CONFLICT)
		rc = err_set(&r->ei, ERR_CONFLICT, "number",
			     "the number is on the do-not-call list already");
	if (rc == 0) {
		char m[OUT_NUMBER_SIZE];

		mask_phone(digits, m, sizeof(m));
		rc = req_audit(
			r, "out.dnc.add", "out_dnc", 0, "ok",
			json_pack("{s:s, s:s}", "number", m, "reason", reason ? reason : ""));
	}
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	memset(&d, 0, sizeof(d));
	snprintf(d.number, sizeof(d.number), "%s", digits);
	snprintf(d.reason, sizeof(d.reason), "%s", reason ? reason : "");
	d.added_by = r->who.person_id;
	d.at = r->now;
	return reply_json(r, 201, dnc_json(&d));
}

static int dnc_delete(struct req *r)
{
	char digits[OUT_NUMBER_SIZE], m[OUT_NUMBER_SIZE];
	int rc;

	if (cust_phone_normalize(r->params[0], digits, sizeof(digits)) < 0)
		return err_set(&r->ei, ERR_INVALID, "number", "number: not a phone number");
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = out_dnc_delete(r->store, digits);
	if (rc == ERR_NOTFOUND)
		rc = err_set(&r->ei, ERR_NOTFOUND, NULL,
			     "the number is not on the do-not-call list");
	mask_phone(digits, m, sizeof(m));
	if (rc == 0)
		rc = req_audit(r, "out.dnc.delete", "out_dnc", 0, "ok",
			       json_pack("{s:s}", "number", m));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, json_pack("{s:b}", "deleted", 1));
}

const struct route out_routes[] = {
	{"POST", "/api/out/calls", call_place, ACT_OUT_CALL},
	{"GET", "/api/out/calls", calls_list, ACT_OUT_READ},
	{"GET", "/api/out/calls/{id}", call_one, ACT_OUT_READ},
	{"POST", "/api/out/calls/{id}/cancel", call_cancel, ACT_OUT_CALL},
	{"POST", "/api/out/calls/{id}/outcome", call_outcome, ACT_OUT_CALL},
	{"GET", "/api/me/out", me_out, ACT_OUT_CALL},
	{"GET", "/api/out/tasks", tasks_list, ACT_OUT_READ},
	{"POST", "/api/out/tasks/{id}/assign", task_assign, ACT_OUT_MANAGE},
	{"GET", "/api/out/settings", settings_get, ACT_OUT_READ},
	{"PUT", "/api/out/settings", settings_put, ACT_OUT_MANAGE},
	{"GET", "/api/out/dnc", dnc_list, ACT_OUT_MANAGE},
	{"POST", "/api/out/dnc", dnc_add, ACT_OUT_MANAGE},
	{"DELETE", "/api/out/dnc/{number}", dnc_delete, ACT_OUT_MANAGE},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
