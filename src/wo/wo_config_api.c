/*
 * /api/wo/...: the editor of the work-order rule tables (ROUTE-2, WO-2,
 * WO-3, WO-10, CB-2, CALL-13/14, WO-7).
 *
 * Everyone logged in reads them (agents need the catalogue, classes and
 * levels when they open an order); admin and manager change them (the
 * route's action, checked before a handler runs). A change is read,
 * applied and written inside one write transaction, so the [old, new]
 * pairs of its audit entry are against the row as the transaction saw it
 * and never report another manager's concurrent change as this one's; any
 * error rolls the whole change back. The engine reads these tables at each
 * dispatch: a change applies to orders created afterwards, and deadlines
 * already running (stored per order) never move.
 */
#include <stdio.h>
#include <string.h>

#include "http/http.h"
#include "store/store.h"
#include "wo/wo_config.h"

static json_t *ref_json(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

/* -1 (no such deadline, on-site either way) is null on the wire. */
static json_t *opt_int_json(int v)
{
	return v < 0 ? json_null() : json_integer(v);
}

static json_t *opt_str_json(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

static json_t *onsite_json(int onsite)
{
	return onsite < 0 ? json_null() : json_boolean(onsite);
}

static json_t *class_json(const struct wo_config_class *c)
{
	return json_pack("{s:s, s:s, s:o, s:o, s:b, s:o, s:i, s:i, s:I}", "code", c->rule.code,
			 "name", c->rule.name, "callback_min", opt_int_json(c->rule.callback_min),
			 "onsite_min", opt_int_json(c->rule.onsite_min), "report_same_day",
			 c->rule.report_same_day, "resolve_min", opt_int_json(c->rule.resolve_min),
			 "warn_pct", c->rule.warn_pct, "escalate_min", c->rule.escalate_min,
			 "updated_at", (json_int_t)c->updated_at);
}

static json_t *level_json(const struct wo_config_level *l)
{
	return json_pack("{s:s, s:s, s:b, s:i}", "code", l->code, "name", l->name, "onsite",
			 l->onsite, "rank", l->rank);
}

static json_t *complaint_json(const struct wo_config_complaint *c)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:I}", "code", c->code, "name",
			 c->name, "class", c->class_code, "level", opt_str_json(c->level),
			 "department_kind", opt_str_json(c->department_kind), "script",
			 opt_str_json(c->script), "active", c->active, "updated_at",
			 (json_int_t)c->updated_at);
}

static json_t *route_json(const struct wo_config_route *r)
{
	const struct wo_route_rule *x = &r->rule;

	return json_pack("{s:I, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:I}", "id", (json_int_t)x->id,
			 "class", x->class_code, "onsite", onsite_json(x->onsite), "target",
			 wo_target_name(x->target), "department_kind",
			 opt_str_json(x->department_kind), "department_id",
			 ref_json(x->department_id), "owner_id", ref_json(x->owner_id),
			 "third_party_id", ref_json(x->third_party_id), "updated_at",
			 (json_int_t)r->updated_at);
}

/* The audit fields of a record created (old null) or deleted (new null). */
static json_t *all_fields(json_t *record, int created)
{
	json_t *fields = json_object(), *v;
	const char *key;

	json_object_foreach(record, key, v)
	{
		if (strcmp(key, "updated_at") == 0 || strcmp(key, "id") == 0)
			continue;
		json_object_set_new(fields, key,
				    created ? json_pack("[n,O]", v) : json_pack("[O,n]", v));
	}
	json_decref(record);
	return fields;
}

static void note_change(json_t *changes, const char *key, json_t *old, json_t *now)
{
	if (json_equal(old, now)) {
		json_decref(old);
		json_decref(now);
		return;
	}
	json_object_set_new(changes, key, json_pack("[o,o]", old, now));
}

/* Reading the body. Absent fields leave *dst alone; wrong types are 400 and
 * values out of range 422, both naming the field. */

/* A whole number in [min, max]; null too when nullable (stored as -1). */
static int read_int(struct req *r, const char *key, int nullable, int min, int max, int *dst,
		    json_t *changes)
{
	json_t *v = json_object_get(r->body, key);
	json_int_t n;

	if (!v)
		return 0;
	if (json_is_null(v) && nullable) {
		note_change(changes, key, opt_int_json(*dst), json_null());
		*dst = -1;
		return 0;
	}
	if (!json_is_integer(v))
		return err_set(&r->ei, ERR_INVALID, key, "%s: expected a whole number%s", key,
			       nullable ? " or null" : "");
	n = json_integer_value(v);
	if (n < min || n > max)
		return err_set(&r->ei, ERR_UNPROCESSABLE, key, "%s: %s%d to %d", key,
			       nullable ? "null or " : "", min, max);
	note_change(changes, key, opt_int_json(*dst), json_integer(n));
	*dst = (int)n;
	return 0;
}

/* A string that fits dst; null too when nullable (stored as ""). */
static int read_text(struct req *r, const char *key, int nullable, char *dst, size_t size,
		     json_t *changes)
{
	json_t *v = json_object_get(r->body, key);
	const char *s;

	if (!v)
		return 0;
	if (json_is_null(v) && nullable) {
		s = "";
	} else if (json_is_string(v)) {
		s = json_string_value(v);
	} else {
		return err_set(&r->ei, ERR_INVALID, key, "%s: expected a string%s", key,
			       nullable ? " or null" : "");
	}
	if (strlen(s) >= size)
		return err_set(&r->ei, ERR_UNPROCESSABLE, key, "%s: too long", key);
	note_change(changes, key, opt_str_json(dst), opt_str_json(s));
	snprintf(dst, size, "%s", s);
	return 0;
}

static int read_bool(struct req *r, const char *key, int *dst, json_t *changes)
{
	int v = *dst, rc = body_bool(r, key, &v);

	if (rc < 0)
		return rc;
	note_change(changes, key, json_boolean(*dst), json_boolean(v));
	*dst = v;
	return 0;
}

/* null (either way), true or false: -1, 1, 0. */
static int read_onsite(struct req *r, int *dst, json_t *changes)
{
	json_t *v = json_object_get(r->body, "onsite");
	int onsite;

	if (!v)
		return 0;
	if (json_is_null(v))
		onsite = -1;
	else if (json_is_boolean(v))
		onsite = json_is_true(v);
	else
		return err_set(&r->ei, ERR_INVALID, "onsite",
			       "onsite: expected true, false or null");
	note_change(changes, "onsite", onsite_json(*dst), onsite_json(onsite));
	*dst = onsite;
	return 0;
}

static int read_ref(struct req *r, const char *key, int64_t *dst, json_t *changes)
{
	int64_t v = *dst;
	int rc = body_ref(r, key, &v);

	if (rc < 0)
		return rc;
	note_change(changes, key, ref_json(*dst), ref_json(v));
	*dst = v;
	return 0;
}

/* Codes name what orders refer to: they never change (create a new one instead). */
static int refuse_code(struct req *r, const char *what)
{
	if (body_has(r, "code"))
		return err_set(&r->ei, ERR_INVALID, "code",
			       "code: a %s's code never changes (orders refer to it)", what);
	return 0;
}

/* Answers a rule-table list whole: small tables, never paginated. */
struct list_ctx {
	json_t *items;
};

static int list_reply(struct req *r, struct list_ctx *lc, int n)
{
	if (n < 0) {
		json_decref(lc->items);
		return n;
	}
	return reply_page(r, lc->items, 0);
}

/* ---- classes (ROUTE-1, WO-2) ----------------------------------------------- */

static int class_row(void *ctx, const struct wo_config_class *c)
{
	return json_array_append_new(((struct list_ctx *)ctx)->items, class_json(c));
}

static int classes_list(struct req *r)
{
	struct list_ctx lc = {json_array()};

	return list_reply(r, &lc, wo_config_class_list(r->store, class_row, &lc));
}

static const char *const class_fields[] = {
	"name", "callback_min", "onsite_min", "report_same_day", "resolve_min",
	"warn_pct", "escalate_min", NULL,
};

static int class_fields_read(struct req *r, struct wo_config_class *c, json_t *changes)
{
	struct wo_class_rule *x = &c->rule;
	int rc = read_text(r, "name", 0, x->name, sizeof(x->name), changes);

	if (rc == 0)
		rc = read_int(r, "callback_min", 1, 1, WO_CONFIG_MINUTES_MAX, &x->callback_min,
			      changes);
	if (rc == 0)
		rc = read_int(r, "onsite_min", 1, 1, WO_CONFIG_MINUTES_MAX, &x->onsite_min,
			      changes);
	if (rc == 0)
		rc = read_int(r, "resolve_min", 1, 1, WO_CONFIG_MINUTES_MAX, &x->resolve_min,
			      changes);
	if (rc == 0)
		rc = read_bool(r, "report_same_day", &x->report_same_day, changes);
	if (rc == 0)
		rc = read_int(r, "warn_pct", 0, 1, 99, &x->warn_pct, changes);
	if (rc == 0)
		rc = read_int(r, "escalate_min", 0, 1, WO_CONFIG_ESCALATE_MAX, &x->escalate_min,
			      changes);
	return rc;
}

/* WO-2: the seven classes are fixed; only their names and deadlines change. */
static int class_update(struct req *r)
{
	struct wo_config_class c;
	json_t *changes = NULL;
	int rc = refuse_code(r, "class");

	if (rc == 0)
		rc = body_only(r, class_fields);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = wo_config_class_get(r->store, r->params[0], &c);
	if (rc == ERR_NOTFOUND)
		rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "no such class");
	if (rc == 0) {
		changes = json_object();
		rc = class_fields_read(r, &c, changes);
	}
	if (rc == 0 && json_object_size(changes) > 0) {
		rc = wo_config_class_update(r->store, &c, r->now, &r->ei);
		if (rc == 0)
			rc = req_audit(r, "wo.class.update", "wo_class", 0, "ok",
				       json_pack("{s:s, s:O}", "code", c.rule.code, "fields",
						 changes));
	}
	json_decref(changes);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, class_json(&c));
}

/* ---- levels (WO-3) ------------------------------------------------------------ */

static int level_row(void *ctx, const struct wo_config_level *l)
{
	return json_array_append_new(((struct list_ctx *)ctx)->items, level_json(l));
}

static int levels_list(struct req *r)
{
	struct list_ctx lc = {json_array()};

	return list_reply(r, &lc, wo_config_level_list(r->store, level_row, &lc));
}

/* ---- complaint catalogue (WO-10) ------------------------------------------------ */

static int complaint_row(void *ctx, const struct wo_config_complaint *c)
{
	return json_array_append_new(((struct list_ctx *)ctx)->items, complaint_json(c));
}

static int complaints_list(struct req *r)
{
	struct list_ctx lc;
	const char *active = NULL;
	int only = -1, rc = req_query(r, "active", &active);

	if (rc < 0)
		return rc;
	if (active) {
		if (strcmp(active, "true") != 0 && strcmp(active, "false") != 0)
			return err_set(&r->ei, ERR_INVALID, "active", "active: true or false");
		only = strcmp(active, "true") == 0;
	}
	lc.items = json_array();
	return list_reply(r, &lc, wo_config_complaint_list(r->store, only, complaint_row, &lc));
}

static const char *const complaint_create_fields[] = {
	"code", "name", "class", "level", "department_kind", "script", "active", NULL,
};

static int complaint_fields_read(struct req *r, struct wo_config_complaint *c, json_t *changes)
{
	int rc = read_text(r, "name", 0, c->name, sizeof(c->name), changes);

	if (rc == 0)
		rc = read_text(r, "class", 0, c->class_code, sizeof(c->class_code), changes);
	if (rc == 0)
		rc = read_text(r, "level", 1, c->level, sizeof(c->level), changes);
	if (rc == 0)
		rc = read_text(r, "department_kind", 1, c->department_kind,
			       sizeof(c->department_kind), changes);
	if (rc == 0)
		rc = read_text(r, "script", 1, c->script, sizeof(c->script), changes);
	if (rc == 0)
		rc = read_bool(r, "active", &c->active, changes);
	return rc;
}

static int complaint_create(struct req *r)
{
	struct wo_config_complaint c;
	json_t *changes = json_object();
	const char *s;
	int rc;

	memset(&c, 0, sizeof(c));
	c.active = 1;
	rc = body_only(r, complaint_create_fields);
	if (rc == 0)
		rc = body_str(r, "name", 1, &s);
	if (rc == 0)
		rc = body_str(r, "class", 1, &s);
	/* The code is optional: without one (or an empty one) the store picks type_<n>. */
	if (rc == 0)
		rc = read_text(r, "code", 1, c.code, sizeof(c.code), changes);
	if (rc == 0)
		rc = complaint_fields_read(r, &c, changes);
	json_decref(changes);
	if (rc == 0 && c.code[0])
		rc = wo_config_complaint_validate(&c, &r->ei);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = wo_config_complaint_insert(r->store, &c, r->now, &r->ei);
	if (rc == 0)
		rc = req_audit(r, "wo.complaint.create", "wo_complaint", 0, "ok",
			       json_pack("{s:s, s:o}", "code", c.code, "fields",
					 all_fields(complaint_json(&c), 1)));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 201, complaint_json(&c));
}

static const char *const complaint_update_fields[] = {
	"name", "class", "level", "department_kind", "script", "active", NULL,
};

/* No delete: orders refer to the codes, so a type is deactivated instead. */
static int complaint_update(struct req *r)
{
	struct wo_config_complaint c;
	json_t *changes = NULL;
	int rc = refuse_code(r, "complaint type");

	if (rc == 0)
		rc = body_only(r, complaint_update_fields);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = wo_config_complaint_get(r->store, r->params[0], &c);
	if (rc == ERR_NOTFOUND)
		rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "no such complaint type");
	if (rc == 0) {
		changes = json_object();
		rc = complaint_fields_read(r, &c, changes);
	}
	if (rc == 0 && json_object_size(changes) > 0) {
		rc = wo_config_complaint_update(r->store, &c, r->now, &r->ei);
		if (rc == 0)
			rc = req_audit(r, "wo.complaint.update", "wo_complaint", 0, "ok",
				       json_pack("{s:s, s:O}", "code", c.code, "fields", changes));
	}
	json_decref(changes);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, complaint_json(&c));
}

/* ---- routing table (ROUTE-2) ------------------------------------------------------ */

static int route_row(void *ctx, const struct wo_config_route *x)
{
	return json_array_append_new(((struct list_ctx *)ctx)->items, route_json(x));
}

static int routes_list(struct req *r)
{
	struct list_ctx lc = {json_array()};

	return list_reply(r, &lc, wo_config_route_list(r->store, route_row, &lc));
}

static const char *const route_fields[] = {
	"class",	 "onsite",   "target",	       "department_kind",
	"department_id", "owner_id", "third_party_id", NULL,
};

static int route_fields_read(struct req *r, struct wo_config_route *x, json_t *changes)
{
	struct wo_route_rule *rule = &x->rule;
	json_t *v = json_object_get(r->body, "target");
	int rc = read_text(r, "class", 0, rule->class_code, sizeof(rule->class_code), changes);

	if (rc == 0)
		rc = read_onsite(r, &rule->onsite, changes);
	if (rc == 0 && v) {
		int t;

		if (!json_is_string(v))
			return err_set(&r->ei, ERR_INVALID, "target", "target: expected a string");
		t = wo_target_parse(json_string_value(v));
		if (t < 0)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "target",
				       "target: department, center, subject_superior, close or"
				       " third_party");
		note_change(changes, "target", json_string(wo_target_name(rule->target)),
			    json_string(wo_target_name((enum wo_target)t)));
		rule->target = (enum wo_target)t;
	}
	if (rc == 0)
		rc = read_text(r, "department_kind", 1, rule->department_kind,
			       sizeof(rule->department_kind), changes);
	if (rc == 0)
		rc = read_ref(r, "department_id", &rule->department_id, changes);
	if (rc == 0)
		rc = read_ref(r, "owner_id", &rule->owner_id, changes);
	if (rc == 0)
		rc = read_ref(r, "third_party_id", &rule->third_party_id, changes);
	return rc;
}

/* ---- third parties (seed 002 §5) ---- */

static json_t *third_party_json(const struct wo_third_party *tp)
{
	return json_pack("{s:I, s:s, s:s, s:o, s:b, s:I}", "id", (json_int_t)tp->id, "name",
			 tp->name, "kind", tp->kind, "contact", opt_str_json(tp->contact), "active",
			 tp->active, "updated_at", (json_int_t)tp->updated_at);
}

static int third_party_row(void *ctx, const struct wo_third_party *tp)
{
	return json_array_append_new(((struct list_ctx *)ctx)->items, third_party_json(tp));
}

static int third_parties_list(struct req *r)
{
	struct list_ctx lc = {json_array()};

	return list_reply(r, &lc, wo_third_party_list(r->store, third_party_row, &lc));
}

static const char *const third_party_fields[] = {"name", "kind", "contact", "active", NULL};

static int third_party_fields_read(struct req *r, struct wo_third_party *tp, json_t *changes)
{
	int rc = read_text(r, "name", 0, tp->name, sizeof(tp->name), changes);

	if (rc == 0)
		rc = read_text(r, "kind", 0, tp->kind, sizeof(tp->kind), changes);
	if (rc == 0)
		rc = read_text(r, "contact", 1, tp->contact, sizeof(tp->contact), changes);
	if (rc == 0)
		rc = read_bool(r, "active", &tp->active, changes);
	if (rc < 0)
		return rc;
	if (!tp->name[0])
		return err_set(&r->ei, ERR_UNPROCESSABLE, "name", "name: required");
	if (!wo_third_party_kind_valid(tp->kind))
		return err_set(&r->ei, ERR_UNPROCESSABLE, "kind", "kind: %s", WO_THIRD_PARTY_KINDS);
	return 0;
}

/* POST /api/wo/third-parties and PATCH /api/wo/third-parties/{id}: audited, one transaction. */
static int third_party_write(struct req *r, int create)
{
	struct wo_third_party tp;
	json_t *changes = json_object();
	const char *s;
	int64_t id = 0;
	int rc = body_only(r, third_party_fields);

	memset(&tp, 0, sizeof(tp));
	tp.active = 1;
	if (rc == 0 && create)
		rc = body_str(r, "name", 1, &s);
	if (rc == 0 && create)
		rc = body_str(r, "kind", 1, &s);
	if (rc == 0 && !create)
		rc = req_param_id(r, 0, &id);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0) {
		json_decref(changes);
		return rc;
	}
	if (!create) {
		rc = wo_third_party_get(r->store, id, &tp);
		if (rc == ERR_NOTFOUND)
			rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "no such third party");
	}
	if (rc == 0)
		rc = third_party_fields_read(r, &tp, changes);
	if (rc == 0 && (create || json_object_size(changes) > 0)) {
		rc = wo_third_party_put(r->store, &tp, r->now);
		if (rc == ERR_CONFLICT)
			rc = err_set(&r->ei, ERR_CONFLICT, "name", "name: already in use");
		if (rc == 0)
			rc = req_audit(r,
				       create ? "wo.third_party.create" : "wo.third_party.update",
				       "wo_third_party", tp.id, "ok",
				       json_pack("{s:O}", "fields", changes));
	}
	json_decref(changes);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, create ? 201 : 200, third_party_json(&tp));
}

static int third_party_create(struct req *r)
{
	return third_party_write(r, 1);
}

static int third_party_update(struct req *r)
{
	return third_party_write(r, 0);
}

static int route_create(struct req *r)
{
	struct wo_config_route x;
	json_t *changes = json_object();
	const char *s;
	int rc;

	memset(&x, 0, sizeof(x));
	x.rule.onsite = -1;
	rc = body_only(r, route_fields);
	if (rc == 0)
		rc = body_str(r, "class", 1, &s);
	if (rc == 0)
		rc = body_str(r, "target", 1, &s);
	if (rc == 0)
		rc = route_fields_read(r, &x, changes);
	json_decref(changes);
	if (rc == 0)
		rc = wo_config_route_validate(&x, &r->ei);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = wo_config_route_insert(r->store, &x, r->now, &r->ei);
	if (rc == 0)
		rc = req_audit(r, "wo.route.create", "wo_route", x.rule.id, "ok",
			       json_pack("{s:o}", "fields", all_fields(route_json(&x), 1)));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 201, route_json(&x));
}

/* Loads the {id} route inside the caller's transaction. */
static int route_load(struct req *r, struct wo_config_route *x)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = wo_config_route_get(r->store, id, x);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such route");
	return rc;
}

static int route_update(struct req *r)
{
	struct wo_config_route x;
	json_t *changes = NULL;
	char old_class[sizeof(x.rule.class_code)];
	int rc = body_only(r, route_fields);

	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = route_load(r, &x);
	if (rc == 0) {
		snprintf(old_class, sizeof(old_class), "%s", x.rule.class_code);
		changes = json_object();
		rc = route_fields_read(r, &x, changes);
	}
	if (rc == 0 && json_object_size(changes) > 0) {
		rc = wo_config_route_update(r->store, &x, old_class, r->now, &r->ei);
		if (rc == 0)
			rc = req_audit(r, "wo.route.update", "wo_route", x.rule.id, "ok",
				       json_pack("{s:O}", "fields", changes));
	}
	json_decref(changes);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, route_json(&x));
}

static int route_delete(struct req *r)
{
	struct wo_config_route x;
	int rc = store_begin(r->store);

	if (rc < 0)
		return rc;
	rc = route_load(r, &x);
	if (rc == 0)
		rc = wo_config_route_delete(r->store, &x, &r->ei);
	if (rc == 0)
		rc = req_audit(r, "wo.route.delete", "wo_route", x.rule.id, "ok",
			       json_pack("{s:o}", "fields", all_fields(route_json(&x), 0)));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	r->status = 204;
	return 0;
}

/* ---- settings (CB-2, CALL-13/14, WO-7, ROUTE-1 D) ------------------------------------ */

static int setting_row(void *ctx, const char *key, int64_t value)
{
	return json_object_set_new(ctx, key, json_integer(value));
}

static int settings_get(struct req *r)
{
	json_t *all = json_object();
	int n = wo_config_setting_list(r->store, setting_row, all);

	if (n < 0) {
		json_decref(all);
		return n;
	}
	return reply_json(r, 200, all);
}

/* Every key is checked before anything is written: one bad key refuses the lot. */
static int settings_check(struct req *r)
{
	const char *key;
	json_t *v;

	if (!r->body)
		return 0;
	json_object_foreach(r->body, key, v)
	{
		int64_t min, max, n;

		if (wo_config_setting_range(key, &min, &max) < 0)
			return err_set(&r->ei, ERR_INVALID, key, "%s: unknown setting", key);
		if (!json_is_integer(v))
			return err_set(&r->ei, ERR_INVALID, key, "%s: expected a whole number",
				       key);
		n = json_integer_value(v);
		if (n < min || n > max)
			return err_set(&r->ei, ERR_UNPROCESSABLE, key, "%s: %lld to %lld", key,
				       (long long)min, (long long)max);
	}
	return 0;
}

static int settings_update(struct req *r)
{
	json_t *all = NULL, *changes = NULL, *v;
	const char *key;
	int rc = settings_check(r), n;

	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	all = json_object();
	changes = json_object();
	n = wo_config_setting_list(r->store, setting_row, all);
	rc = n < 0 ? n : 0;
	if (rc == 0 && r->body) {
		json_object_foreach(r->body, key, v)
		{
			json_t *old = json_object_get(all, key);

			if (old && json_equal(old, v))
				continue;
			rc = wo_config_setting_set(r->store, key, json_integer_value(v), r->now,
						   &r->ei);
			if (rc < 0)
				break;
			json_object_set_new(changes, key, json_pack("[O?,O]", old, v));
			json_object_set(all, key, v);
		}
	}
	if (rc == 0 && json_object_size(changes) > 0)
		rc = req_audit(r, "wo.setting.update", "wo_setting", 0, "ok",
			       json_pack("{s:O}", "fields", changes));
	json_decref(changes);
	rc = req_finish(r, rc);
	if (rc < 0) {
		json_decref(all);
		return rc;
	}
	return reply_json(r, 200, all);
}

const struct route wo_config_routes[] = {
	{"GET", "/api/wo/classes", classes_list, ACT_SELF},
	{"PATCH", "/api/wo/classes/{code}", class_update, ACT_WO_CONFIG},
	{"GET", "/api/wo/levels", levels_list, ACT_SELF},
	{"GET", "/api/wo/complaints", complaints_list, ACT_SELF},
	{"POST", "/api/wo/complaints", complaint_create, ACT_WO_CONFIG},
	{"PATCH", "/api/wo/complaints/{code}", complaint_update, ACT_WO_CONFIG},
	{"GET", "/api/wo/routes", routes_list, ACT_SELF},
	{"POST", "/api/wo/routes", route_create, ACT_WO_CONFIG},
	{"PATCH", "/api/wo/routes/{id}", route_update, ACT_WO_CONFIG},
	{"DELETE", "/api/wo/routes/{id}", route_delete, ACT_WO_CONFIG},
	{"GET", "/api/wo/third-parties", third_parties_list, ACT_SELF},
	{"POST", "/api/wo/third-parties", third_party_create, ACT_WO_CONFIG},
	{"PATCH", "/api/wo/third-parties/{id}", third_party_update, ACT_WO_CONFIG},
	{"GET", "/api/wo/settings", settings_get, ACT_SELF},
	{"PATCH", "/api/wo/settings", settings_update, ACT_WO_CONFIG},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
