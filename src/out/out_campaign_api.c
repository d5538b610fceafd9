/*
 * Campaigns over HTTP (外呼任务, out.h tells the whole; CB-3, CUST-3,
 * CUST-4): a campaign with its kind, script, mode, deadline and agents;
 * members from a customer filter or an uploaded .xlsx (read through
 * export's reader); start, pause and finish; progress as counts. Agents
 * see the campaigns they work on; the rest is out.manage's. Every field is
 * checked before the write transaction, every change audited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/utf8.h"
#include "cust/cust.h"
#include "export/export.h"
#include "http/http.h"
#include "kb/kb.h"
#include "out/out.h"
#include "store/store.h"

#define AGENTS_MAX 64
#define MEMBERS_MAX 5000
#define DAY_MS (24LL * 3600 * 1000)

static json_t *ref(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

static int campaign_json(struct req *r, const struct out_campaign *c, json_t **out)
{
	struct out_campaign_counts n;
	int64_t agents[AGENTS_MAX];
	json_t *a = json_array();
	int na = out_campaign_agents(r->store, c->id, agents, AGENTS_MAX);
	int rc = na < 0 ? na : out_campaign_counts(r->store, c->id, &n);

	if (rc < 0) {
		json_decref(a);
		return rc;
	}
	for (int i = 0; i < na; i++)
		json_array_append_new(a, json_integer(agents[i]));
	*out = json_pack("{s:I, s:s, s:s, s:o, s:s, s:o, s:s, s:s, s:o, s:I, s:I, s:o,"
			 " s:{s:I, s:I, s:I, s:I, s:I, s:I}}",
			 "id", (json_int_t)c->id, "name", c->name, "kind", c->kind, "script_id",
			 ref(c->script_id), "mode", c->mode, "deadline", ref(c->deadline), "state",
			 c->state, "note", c->note, "created_by", ref(c->created_by), "created_at",
			 (json_int_t)c->created_at, "updated_at", (json_int_t)c->updated_at,
			 "agents", a, "counts", "total", (json_int_t)n.total, "open",
			 (json_int_t)n.open, "done", (json_int_t)n.done, "failed",
			 (json_int_t)n.failed, "cancelled", (json_int_t)n.cancelled, "reached",
			 (json_int_t)n.reached);
	return *out ? 0 : ERR_NOMEM;
}

static int reply_campaign(struct req *r, unsigned status, int64_t id)
{
	struct out_campaign c;
	json_t *j;
	int rc = out_campaign_get(r->store, id, &c);

	if (rc == 0)
		rc = campaign_json(r, &c, &j);
	if (rc < 0)
		return rc;
	return reply_json(r, status, j);
}

/* The campaign of the path; agents only their own (those they work on). */
static int load(struct req *r, struct out_campaign *c)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = out_campaign_get(r->store, id, c);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such campaign");
	if (rc < 0)
		return rc;
	if (auth_scope(&r->who, ACT_OUT_READ) >= SCOPE_DEPT)
		return 0;
	rc = out_campaign_has_agent(r->store, c->id, r->who.person_id);
	if (rc < 0)
		return rc;
	{
		/* Self scope: the caller's own campaign is theirs; any other is
		 * nobody's (-1), so the one function refuses it and audits it. */
		const struct auth_target t = {0, rc == 1 ? r->who.person_id : -1};

		return req_authorize(r, ACT_OUT_READ, &t);
	}
}

struct list_ctx {
	struct req *r;
	json_t *items;
};

static int list_row(void *ctx, const struct out_campaign *c)
{
	struct list_ctx *l = ctx;
	json_t *j;
	int rc = campaign_json(l->r, c, &j);

	return rc < 0 ? rc : json_array_append_new(l->items, j);
}

static int list(struct req *r)
{
	struct list_ctx l = {r, json_array()};
	int64_t agent = auth_scope(&r->who, ACT_OUT_READ) >= SCOPE_DEPT ? 0 : r->who.person_id;
	int rc = out_campaign_list(r->store, agent, list_row, &l);

	if (rc < 0) {
		json_decref(l.items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", l.items));
}

static int get_one(struct req *r)
{
	struct out_campaign c;
	int rc = load(r, &c);

	if (rc < 0)
		return rc;
	return reply_campaign(r, 200, c.id);
}

/* The fields of a creation or a change onto c; agents into ids (*n, -1 when absent). */
static int read_fields(struct req *r, struct out_campaign *c, int64_t *ids, int *n)
{
	static const char *const fields[] = {"name",	 "kind", "script_id", "mode",
					     "deadline", "note", "agents",    NULL};
	const char *name = NULL, *kind = NULL, *mode = NULL, *note = NULL;
	json_t *agents = json_object_get(r->body, "agents"),
	       *dl = json_object_get(r->body, "deadline");
	int rc = body_only(r, fields);

	if (rc == 0)
		rc = body_str(r, "name", 0, &name);
	if (rc == 0)
		rc = body_str(r, "kind", 0, &kind);
	if (rc == 0)
		rc = body_str(r, "mode", 0, &mode);
	if (rc == 0)
		rc = body_str(r, "note", 0, &note);
	if (rc == 0 && body_has(r, "script_id"))
		rc = body_ref(r, "script_id", &c->script_id);
	if (rc < 0)
		return rc;
	if (name) {
		if (utf8_blank(name) || utf8_len(name) > OUT_NAME_MAX)
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "name",
				     "name: 1 to %d characters", OUT_NAME_MAX);
		else
			snprintf(c->name, sizeof(c->name), "%s", name);
	}
	if (kind) {
		if (!out_campaign_kind_valid(kind))
			rc = err_add(
				&r->ei, rc, ERR_UNPROCESSABLE, "kind",
				"kind: callback_yesterday, vip_care, churn, birthday or custom");
		else
			snprintf(c->kind, sizeof(c->kind), "%s", kind);
	}
	if (mode) {
		if (!out_campaign_mode_valid(mode))
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "mode",
				     "mode: preview or progressive");
		else
			snprintf(c->mode, sizeof(c->mode), "%s", mode);
	}
	if (note) {
		if (utf8_len(note) > OUT_NOTE_MAX)
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "note",
				     "%s: at most %d characters", "note", OUT_NOTE_MAX);
		else
			snprintf(c->note, sizeof(c->note), "%s", note);
	}
	if (dl) {
		if (json_is_null(dl))
			c->deadline = 0;
		else if (!json_is_integer(dl) || json_integer_value(dl) <= 0)
			return err_set(&r->ei, ERR_INVALID, "deadline",
				       "deadline: an instant in milliseconds");
		else
			c->deadline = json_integer_value(dl);
	}
	if (c->script_id) {
		struct kb_article a;
		int k = kb_article_get(r->store, c->script_id, &a);

		if (k == ERR_NOTFOUND)
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "script_id",
				     "script_id: no such article");
		else if (k < 0)
			return k;
	}
	*n = -1;
	if (agents) {
		size_t i;
		json_t *v;

		if (!json_is_array(agents) || json_array_size(agents) > AGENTS_MAX)
			return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "agents",
				       "agents: at most %d people, each an active agent",
				       AGENTS_MAX);
		*n = 0;
		json_array_foreach(agents, i, v)
		{
			int k = json_is_integer(v)
					? out_person_active(r->store, json_integer_value(v))
					: 0;

			if (k < 0)
				return k;
			if (k == 0)
				return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "agents",
					       "agents: at most %d people, each an active agent",
					       AGENTS_MAX);
			ids[(*n)++] = json_integer_value(v);
		}
	}
	return rc;
}

static int create(struct req *r)
{
	struct out_campaign c;
	int64_t ids[AGENTS_MAX];
	int n, rc;

	memset(&c, 0, sizeof(c));
	snprintf(c.kind, sizeof(c.kind), "custom");
	snprintf(c.mode, sizeof(c.mode), "preview");
	rc = read_fields(r, &c, ids, &n);
	if (rc == 0 && !c.name[0])
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "name", "name: 1 to %d characters",
			     OUT_NAME_MAX);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	c.created_by = r->who.person_id;
	c.created_at = c.updated_at = r->now;
	rc = out_campaign_insert(r->store, &c);
	if (rc == 0 && n > 0)
		rc = out_campaign_agents_set(r->store, c.id, ids, n);
	if (rc == 0)
		rc = req_audit(r, "out.campaign.create", "out_campaign", c.id, "ok",
			       json_deep_copy(r->body));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_campaign(r, 201, c.id);
}

static int update(struct req *r)
{
	struct out_campaign c;
	int64_t ids[AGENTS_MAX];
	int n, rc = load(r, &c);

	if (rc == 0 && strcmp(c.state, "done") == 0)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the campaign is done");
	if (rc == 0)
		rc = read_fields(r, &c, ids, &n);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	c.updated_at = r->now;
	rc = out_campaign_save(r->store, &c);
	if (rc == 0 && n >= 0)
		rc = out_campaign_agents_set(r->store, c.id, ids, n);
	if (rc == 0)
		rc = req_audit(r, "out.campaign.update", "out_campaign", c.id, "ok",
			       json_deep_copy(r->body));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_campaign(r, 200, c.id);
}

static int step(struct req *r, const char *action, const char *audit)
{
	static const char *const fields[] = {NULL};
	struct out_campaign c;
	struct out_campaign_counts k;
	const char *next;
	int64_t agents[1];
	int rc = body_only(r, fields);

	if (rc == 0)
		rc = load(r, &c);
	if (rc < 0)
		return rc;
	next = out_campaign_next(c.state, action);
	if (!next)
		return err_set(&r->ei, ERR_CONFLICT, NULL, "cannot %s a campaign that is %s",
			       action, c.state);
	if (strcmp(action, "start") == 0) {
		int na = out_campaign_agents(r->store, c.id, agents, 1);

		rc = na < 0 ? na : out_campaign_counts(r->store, c.id, &k);
		if (rc < 0)
			return rc;
		if (na == 0 || k.open == 0)
			return err_set(&r->ei, ERR_UNPROCESSABLE, NULL,
				       "a campaign needs members and agents to start");
	}
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	snprintf(c.state, sizeof(c.state), "%s", next);
	c.updated_at = r->now;
	rc = out_campaign_save(r->store, &c);
	/* Finished: whoever was not called is not called any more. */
	if (rc == 0 && strcmp(next, "done") == 0)
		rc = out_campaign_cancel_open(r->store, c.id, r->now);
	if (rc == 0)
		rc = req_audit(r, audit, "out_campaign", c.id, "ok",
			       json_pack("{s:s}", "state", next));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_campaign(r, 200, c.id);
}

static int start(struct req *r)
{
	return step(r, "start", "out.campaign.start");
}

static int pause_(struct req *r)
{
	return step(r, "pause", "out.campaign.pause");
}

static int finish(struct req *r)
{
	return step(r, "finish", "out.campaign.finish");
}

/* An optional whole number of the filter between lo and hi. */
static int filter_int(struct req *r, json_t *f, const char *key, int64_t lo, int64_t hi,
		      int64_t *out)
{
	json_t *v = json_object_get(f, key);
	char range[48];

	if (!v)
		return 0;
	if (json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi) {
		*out = json_integer_value(v);
		return 0;
	}
	snprintf(range, sizeof(range), "%lld to %lld", (long long)lo, (long long)hi);
	return err_set(&r->ei, ERR_UNPROCESSABLE, "filter", "filter.%s: %s", key, range);
}

/* POST /api/out/campaigns/{id}/members {filter, due_at}: CB-3, CUST-3, CUST-4. */
static int members(struct req *r)
{
	static const char *const fields[] = {"filter", "due_at", NULL};
	static const char *const keys[] = {"vip_min",	"kind",		 "birthday_month",
					   "served_on", "inactive_days", "limit"};
	struct out_member_filter mf;
	struct out_campaign c;
	json_t *f = json_object_get(r->body, "filter"), *due = json_object_get(r->body, "due_at");
	const char *key, *served;
	json_t *v;
	int64_t vip = 0, month = 0, days = 0, limit = MEMBERS_MAX, due_at = r->now;
	int added = 0, rc = body_only(r, fields);

	if (rc == 0 && !json_is_object(f))
		rc = err_set(&r->ei, ERR_INVALID, "filter", "filter: an object");
	if (rc < 0)
		return rc;
	json_object_foreach(f, key, v)
	{
		int known = 0;

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			known |= strcmp(key, keys[i]) == 0;
		if (!known)
			return err_set(&r->ei, ERR_INVALID, "filter", "filter.%s: %s", key,
				       "unknown");
	}
	if (due && (!json_is_integer(due) || json_integer_value(due) <= 0))
		return err_set(&r->ei, ERR_INVALID, "due_at", "due_at: an instant in milliseconds");
	if (due)
		due_at = json_integer_value(due);
	memset(&mf, 0, sizeof(mf));
	rc = filter_int(r, f, "vip_min", 0, CUST_VIP_MAX, &vip);
	if (rc == 0)
		rc = filter_int(r, f, "birthday_month", 1, 12, &month);
	if (rc == 0)
		rc = filter_int(r, f, "inactive_days", 1, 3650, &days);
	if (rc == 0)
		rc = filter_int(r, f, "limit", 1, MEMBERS_MAX, &limit);
	if (rc < 0)
		return rc;
	v = json_object_get(f, "kind");
	if (v && !json_is_string(v))
		return err_set(&r->ei, ERR_UNPROCESSABLE, "filter", "filter.%s: %s", "kind",
			       "a customer kind");
	mf.kind = v ? json_string_value(v) : NULL;
	served = json_string_value(json_object_get(f, "served_on"));
	if (json_object_get(f, "served_on")) {
		int y, m, d;
		char end;

		if (!served || sscanf(served, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3 || m < 1 ||
		    m > 12 || d < 1 || d > 31)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "filter", "filter.%s: %s",
				       "served_on", "a date YYYY-MM-DD");
		/* The local day: noon's day start, and the next one. */
		mf.served_from =
			clock_day_start(clock_days_from_civil(y, m, d) * DAY_MS + DAY_MS / 2);
		mf.served_to = clock_day_end(mf.served_from);
	}
	mf.vip_min = (int)vip;
	mf.birthday_month = (int)month;
	mf.inactive_since = days ? r->now - days * DAY_MS : 0;
	mf.limit = (int)limit;
	rc = load(r, &c);
	if (rc == 0 && strcmp(c.state, "done") == 0)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the campaign is done");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = out_campaign_add_filter(r->store, c.id, &mf, due_at, r->now, &added);
	if (rc == 0)
		rc = req_audit(r, "out.campaign.members", "out_campaign", c.id, "ok",
			       json_pack("{s:O, s:i}", "filter", f, "added", added));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	{
		json_t *j;

		rc = out_campaign_get(r->store, c.id, &c);
		if (rc == 0)
			rc = campaign_json(r, &c, &j);
		if (rc < 0)
			return rc;
		return reply_json(
			r, 200,
			json_pack("{s:i, s:i, s:o}", "added", added, "skipped", 0, "campaign", j));
	}
}

/* -- The .xlsx import: a phone column and an optional name column -- */

struct sheet {
	struct req *r;
	int64_t campaign_id, due_at;
	int header, phone_col, name_col, rows;
	int added, skipped;
};

/* One whole row of the sheet (export_xlsx_rows). */
static int sheet_row(void *ctx, int row, const char *const *cells)
{
	struct sheet *x = ctx;
	int rc = 0;

	if (x->header < 0) {
		for (int c = 0; c < EXPORT_ROW_COLS; c++) {
			int k = cells[c][0] ? out_import_column(cells[c]) : 0;

			if (k == 1 && x->phone_col < 0)
				x->phone_col = c;
			if (k == 2 && x->name_col < 0)
				x->name_col = c;
		}
		if (x->phone_col >= 0)
			x->header = row;
	} else if (cells[x->phone_col][0]) {
		struct out_task t;

		memset(&t, 0, sizeof(t));
		if (++x->rows > MEMBERS_MAX)
			rc = err_set(&x->r->ei, ERR_UNPROCESSABLE, "file",
				     "file: at most %d rows at once", MEMBERS_MAX);
		else if (cust_phone_normalize(cells[x->phone_col], t.number, sizeof(t.number)) < 0)
			rc = err_set(&x->r->ei, ERR_UNPROCESSABLE, "file",
				     "line %d: not a phone number", row + 1);
		if (rc == 0) {
			snprintf(t.kind, sizeof(t.kind), "campaign");
			snprintf(t.state, sizeof(t.state), "open");
			t.campaign_id = x->campaign_id;
			if (x->name_col >= 0 && cells[x->name_col][0])
				snprintf(t.name, sizeof(t.name), "%.*s", OUT_NAME_MAX,
					 cells[x->name_col]);
			rc = cust_phone_owner(x->r->store, t.number, &t.customer_id);
			if (rc == ERR_NOTFOUND)
				rc = 0;
			t.due_at = x->due_at;
			t.created_at = x->r->now;
		}
		if (rc == 0) {
			rc = out_task_insert(x->r->store, &t);
			if (rc == ERR_CONFLICT) {
				x->skipped++;
				rc = 0;
			} else if (rc == 0) {
				x->added++;
			}
		}
	}
	return rc;
}

static int import(struct req *r)
{
	struct out_campaign c;
	struct sheet *x;
	json_t *j;
	int rc = load(r, &c);

	if (rc == 0 && strcmp(c.state, "done") == 0)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the campaign is done");
	if (rc < 0)
		return rc;
	x = calloc(1, sizeof(*x));
	if (!x)
		return ERR_NOMEM;
	x->r = r;
	x->campaign_id = c.id;
	x->due_at = r->now;
	x->header = x->phone_col = x->name_col = -1;
	/* One transaction: a bad row leaves nothing written. */
	rc = store_begin(r->store);
	if (rc == 0) {
		rc = export_xlsx_rows((const unsigned char *)r->raw, r->raw_len, sheet_row, x,
				      &r->ei);
		if (rc == 0 && x->header < 0)
			rc = err_set(&r->ei, ERR_UNPROCESSABLE, "file",
				     "file: the sheet has no header row with a phone column");
		if (rc == 0)
			rc = req_audit(
				r, "out.campaign.import", "out_campaign", c.id, "ok",
				json_pack("{s:i, s:i}", "added", x->added, "skipped", x->skipped));
		rc = req_finish(r, rc);
	}
	if (rc == 0)
		rc = out_campaign_get(r->store, c.id, &c);
	if (rc == 0)
		rc = campaign_json(r, &c, &j);
	if (rc == 0)
		rc = reply_json(r, 200,
				json_pack("{s:i, s:i, s:o}", "added", x->added, "skipped",
					  x->skipped, "campaign", j));
	free(x);
	return rc;
}

const struct route out_campaign_routes[] = {
	{"GET", "/api/out/campaigns", list, ACT_OUT_READ},
	{"POST", "/api/out/campaigns", create, ACT_OUT_MANAGE},
	{"GET", "/api/out/campaigns/{id}", get_one, ACT_OUT_READ},
	{"PUT", "/api/out/campaigns/{id}", update, ACT_OUT_MANAGE},
	{"POST", "/api/out/campaigns/{id}/start", start, ACT_OUT_MANAGE},
	{"POST", "/api/out/campaigns/{id}/pause", pause_, ACT_OUT_MANAGE},
	{"POST", "/api/out/campaigns/{id}/finish", finish, ACT_OUT_MANAGE},
	{"POST", "/api/out/campaigns/{id}/members", members, ACT_OUT_MANAGE},
	{"POST", "/api/out/campaigns/{id}/import", import, ACT_OUT_MANAGE},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
