/*
 * /api/acd: agents' status. The agent's own (GET /api/acd/me, POST
 * /api/acd/me/status, ACT_AGENT_STATE), and the supervisors' view of every
 * seat (GET /api/acd/agents, its log, ACT_ACD_READ) with the power to set
 * someone's status (ACT_ACD_MANAGE), e.g. to log out a forgotten seat.
 *
 * Input is checked before the transaction; the state rules (acd_next) run
 * inside it, on the row as it is then, so a refusal writes nothing. A
 * request for what already is answers 200 and writes nothing, not even an
 * audit entry.
 */
#include <string.h>

#include "acd/acd.h"
#include "http/http.h"
#include "org/org.h"
#include "store/store.h"

static json_t *ref_json(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

static json_t *state_json(struct req *r, const struct acd_state *st)
{
	int max = r->app->cfg->busy_max_min;

	return json_pack("{s:I, s:s, s:o, s:o, s:o, s:b, s:i}", "person_id",
			 (json_int_t)st->person_id, "status", acd_status_name(st->status), "reason",
			 st->reason[0] ? json_string(st->reason) : json_null(), "since",
			 ref_json(st->since), "wrap_until", ref_json(st->wrap_until), "busy_over",
			 acd_status_away(st->status) && st->since <= acd_busy_limit(r->now, max),
			 "busy_max_min", max);
}

/* ORG-2: the caller must hold a seat; the policy lets managers and supervisors through. */
static int my_seat(struct req *r)
{
	struct org_person p;
	int rc = org_person_get(r->store, r->who.person_id, &p);

	if (rc < 0)
		return rc;
	if (acd_is_seat(p.roles, p.nskills))
		return 0;
	req_audit(r, "access.denied", "person", r->who.person_id, "denied",
		  json_pack("{s:s, s:s, s:s, s:s}", "permission", "agent.state", "method",
			    r->method, "path", r->path, "reason", "no seat"));
	return err_set(&r->ei, ERR_FORBIDDEN, NULL, "you hold no seat on the hotline (ORG-2)");
}

static int acd_me(struct req *r)
{
	struct acd_state st;
	int rc = my_seat(r);

	if (rc == 0)
		rc = acd_get(r->store, r->who.person_id, &st);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, state_json(r, &st));
}

/* {status, reason} of a status request: the status parsed, the reason cleaned. */
static int read_status(struct req *r, enum acd_status *to, char *reason, size_t size)
{
	static const char *const fields[] = {"status", "reason", NULL};
	const char *name = NULL, *text = NULL;
	json_t *v = r->body ? json_object_get(r->body, "reason") : NULL;
	int rc = body_only(r, fields), st;

	if (rc == 0)
		rc = body_str(r, "status", 1, &name);
	if (rc == 0 && v && !json_is_null(v))
		rc = body_str(r, "reason", 0, &text);
	if (rc < 0)
		return rc;
	st = acd_status_parse(name);
	if (st < 0)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "status",
			       "status: one of logged_out, ready, busy, break");
	*to = (enum acd_status)st;
	return acd_reason_clean(text, reason, size, &r->ei);
}

static int set_status(struct req *r, int64_t person_id, enum acd_by by)
{
	struct acd_state before, after;
	char reason[ACD_REASON_SIZE];
	enum acd_status to = ACD_LOGGED_OUT;
	json_t *detail;
	int rc = read_status(r, &to, reason, sizeof(reason));

	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = acd_change(r->store, person_id, to, reason, by, r->who.person_id, r->now, &before,
			&after, &r->ei);
	if (rc == 0) {
		detail = json_pack("{s:s, s:s, s:s?, s:s}", "from", acd_status_name(before.status),
				   "to", acd_status_name(after.status), "reason",
				   after.reason[0] ? after.reason : NULL, "by",
				   by == ACD_BY_SELF ? "self" : "supervisor");
		rc = req_audit(r, "agent.status", "person", person_id, "ok", detail);
	}
	rc = req_finish(r, rc == ACD_UNCHANGED ? 0 : rc);
	if (rc < 0)
		return rc;
	acd_live_wake(); /* the wallboard's agent counts */
	return reply_json(r, 200, state_json(r, &after));
}

static int acd_me_status(struct req *r)
{
	int rc = my_seat(r);

	return rc < 0 ? rc : set_status(r, r->who.person_id, ACD_BY_SELF);
}

static int acd_agent_status(struct req *r)
{
	struct auth_target t = {0, 0};
	int rc = req_param_id(r, 0, &t.person_id);

	if (rc == 0)
		rc = req_authorize(r, ACT_ACD_MANAGE, &t);
	return rc < 0 ? rc : set_status(r, t.person_id, ACD_BY_SUPERVISOR);
}

struct agents_ctx {
	struct req *r;
	json_t *items;
	int counts[ACD_STATUS_COUNT];
};

static int agent_row(void *ctx, const struct acd_agent *a)
{
	struct agents_ctx *ac = ctx;
	json_t *o = state_json(ac->r, &a->state), *skills = json_array(), *roles = json_array();

	if (!o || !skills || !roles) {
		json_decref(o);
		json_decref(skills);
		json_decref(roles);
		return ERR_NOMEM;
	}
	for (int i = 0; i < a->nskills; i++)
		json_array_append_new(skills, json_string(a->skills[i]));
	for (int i = 0; i < AUTH_ROLE_COUNT; i++)
		if (a->roles & (1u << i))
			json_array_append_new(roles, json_string(org_role_name(1u << i)));
	json_object_set_new(o, "id", json_integer(a->person_id));
	json_object_set_new(o, "work_no", json_string(a->work_no));
	json_object_set_new(o, "name", json_string(a->name));
	json_object_set_new(o, "roles", roles);
	json_object_set_new(o, "skills", skills);
	ac->counts[a->state.status]++;
	return json_array_append_new(ac->items, o) < 0 ? ERR_NOMEM : 0;
}

/* Every seat at once: a center has tens to a few hundred, and the wallboard shows them all. */
static int acd_agents_list(struct req *r)
{
	struct agents_ctx ac = {r, json_array(), {0}};
	json_t *counts = json_object();
	int n;

	if (!ac.items || !counts) {
		json_decref(ac.items);
		json_decref(counts);
		return ERR_NOMEM;
	}
	n = acd_agents(r->store, agent_row, &ac);
	if (n < 0) {
		json_decref(ac.items);
		json_decref(counts);
		return n;
	}
	for (int i = 0; i < ACD_STATUS_COUNT; i++)
		json_object_set_new(counts, acd_status_name((enum acd_status)i),
				    json_integer(ac.counts[i]));
	return reply_json(r, 200,
			  json_pack("{s:o, s:o, s:i, s:I}", "items", ac.items, "counts", counts,
				    "busy_max_min", r->app->cfg->busy_max_min, "now",
				    (json_int_t)r->now));
}

struct log_ctx {
	json_t *items;
	int64_t last_id;
};

static int log_row(void *ctx, const struct acd_log_entry *e)
{
	struct log_ctx *lc = ctx;
	json_t *o = json_pack("{s:I, s:I, s:s?, s:s, s:s?, s:o}", "id", (json_int_t)e->id, "at",
			      (json_int_t)e->at, "from_status", e->from_status, "to_status",
			      e->to_status, "reason", e->reason, "by_id", ref_json(e->by_id));

	if (!o || json_array_append_new(lc->items, o) < 0)
		return ERR_NOMEM;
	lc->last_id = e->id;
	return 0;
}

static int acd_agent_log(struct req *r)
{
	struct acd_log_filter f;
	struct log_ctx lc = {NULL, 0};
	struct org_person p;
	int rc, n;

	memset(&f, 0, sizeof(f));
	rc = req_param_id(r, 0, &f.person_id);
	if (rc == 0)
		rc = req_page(r, &f.limit, &f.before_id);
	if (rc == 0)
		rc = req_query_int(r, "from", 0, INT64_MAX, &f.from);
	if (rc == 0)
		rc = req_query_int(r, "to", 0, INT64_MAX, &f.to);
	if (rc == 0)
		rc = org_person_get(r->store, f.person_id, &p);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, rc, NULL, "no such person");
	if (rc < 0)
		return rc;
	lc.items = json_array();
	if (!lc.items)
		return ERR_NOMEM;
	n = acd_log_list(r->store, &f, log_row, &lc);
	if (n < 0) {
		json_decref(lc.items);
		return n;
	}
	return reply_page(r, lc.items, n == f.limit ? lc.last_id : 0);
}

const struct route acd_routes[] = {
	{"GET", "/api/acd/me", acd_me, ACT_AGENT_STATE},
	{"POST", "/api/acd/me/status", acd_me_status, ACT_AGENT_STATE},
	{"GET", "/api/acd/agents", acd_agents_list, ACT_ACD_READ},
	{"POST", "/api/acd/agents/{id}/status", acd_agent_status, ACT_ACD_MANAGE},
	{"GET", "/api/acd/agents/{id}/log", acd_agent_log, ACT_ACD_READ},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
