/*
 * /api/people, /api/departments and /api/roles: the center's directory
 * (ORG-1..4).
 *
 * Every change is checked field by field against the permission it needs
 * (roles, certification, admin grant), before any transaction starts, so a
 * refusal writes nothing but its audit entry. The change and its audit
 * entry, listing each field's old and new value, commit together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mask.h"
#include "http/http.h"
#include "org/org.h"
#include "store/store.h"

static json_t *ref_json(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

json_t *org_roles_json(unsigned roles)
{
	json_t *a = json_array();

	for (int i = 0; i < AUTH_ROLE_COUNT; i++)
		if (roles & (1u << i))
			json_array_append_new(a, json_string(org_role_name(1u << i)));
	return a;
}

static json_t *skills_json(const struct org_person *p)
{
	json_t *a = json_array();

	for (int i = 0; i < p->nskills; i++)
		json_array_append_new(a, json_string(p->skills[i]));
	return a;
}

json_t *org_person_json(struct req *r, const struct org_person *p)
{
	char masked[ORG_PHONE_MAX + 8];
	const char *phone = p->phone[0] ? p->phone : NULL;

	/* Colleagues see enough to recognise a number; HR and managers see it all. */
	if (phone && p->id != r->who.person_id &&
	    auth_authorize(&r->who, ACT_PHONE_VIEW, NULL) != 0) {
		mask_phone(p->phone, masked, sizeof(masked));
		phone = masked;
	}
	return json_pack("{s:I, s:s, s:s, s:s?, s:o, s:o, s:o, s:o, s:b, s:b, s:I, s:I}", "id",
			 (json_int_t)p->id, "work_no", p->work_no, "name", p->name, "phone", phone,
			 "department_id", ref_json(p->department_id), "superior_id",
			 ref_json(p->superior_id), "roles", org_roles_json(p->roles), "skills",
			 skills_json(p), "active", p->active, "certified", p->certified,
			 "created_at", (json_int_t)p->created_at, "updated_at",
			 (json_int_t)p->updated_at);
}

static json_t *department_json(const struct org_department *d)
{
	return json_pack("{s:I, s:s, s:s, s:o, s:o, s:I, s:I}", "id", (json_int_t)d->id, "name",
			 d->name, "kind", d->kind, "parent_id", ref_json(d->parent_id), "head_id",
			 ref_json(d->head_id), "created_at", (json_int_t)d->created_at,
			 "updated_at", (json_int_t)d->updated_at);
}

static int copy_str(struct req *r, const char *key, char *dst, size_t size, json_t *changes)
{
	const char *v = NULL;
	int rc = body_str(r, key, 0, &v);

	if (rc < 0 || !v)
		return rc;
	if (strlen(v) >= size)
		return err_set(&r->ei, ERR_UNPROCESSABLE, key, "%s: too long", key);
	if (strcmp(dst, v) != 0)
		json_object_set_new(changes, key, json_pack("[s,s]", dst, v));
	snprintf(dst, size, "%s", v);
	return 0;
}

static int copy_ref(struct req *r, const char *key, int64_t *dst, json_t *changes)
{
	int64_t v = *dst;
	int rc = body_ref(r, key, &v);

	if (rc < 0)
		return rc;
	if (v != *dst)
		json_object_set_new(changes, key, json_pack("[o,o]", ref_json(*dst), ref_json(v)));
	*dst = v;
	return 0;
}

static int copy_bool(struct req *r, const char *key, int *dst, json_t *changes)
{
	int v = *dst, rc = body_bool(r, key, &v);

	if (rc < 0)
		return rc;
	if (v != *dst)
		json_object_set_new(changes, key, json_pack("[b,b]", *dst, v));
	*dst = v;
	return 0;
}

static int parse_roles(struct req *r, struct org_person *p, json_t *changes)
{
	json_t *a = json_object_get(r->body, "roles"), *v;
	unsigned roles = 0;
	size_t i;

	if (!a)
		return 0;
	if (!json_is_array(a))
		return err_set(&r->ei, ERR_INVALID, "roles", "roles: expected a list of role names");
	json_array_foreach(a, i, v)
	{
		unsigned bit;

		if (!json_is_string(v))
			return err_set(&r->ei, ERR_INVALID, "roles", "roles: expected role names");
		bit = org_role_parse(json_string_value(v));
		if (!bit)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "roles", "roles: unknown role");
		roles |= bit;
	}
	if (roles != p->roles)
		json_object_set_new(changes, "roles",
				    json_pack("[o,o]", org_roles_json(p->roles), org_roles_json(roles)));
	p->roles = roles;
	return 0;
}

static int compare_skill(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * Skills are a set: they are sorted and de-duplicated before comparing
 * with what is stored (which comes back sorted), so sending the same set
 * in another order is no change, and the answer shows what is stored.
 */
static int parse_skills(struct req *r, struct org_person *p, json_t *changes)
{
	json_t *a = json_object_get(r->body, "skills"), *v;
	struct org_person next = *p;
	size_t i;
	int n = 0, same;

	if (!a)
		return 0;
	if (!json_is_array(a))
		return err_set(&r->ei, ERR_INVALID, "skills", "skills: expected a list of skill codes");
	if (json_array_size(a) > ORG_SKILLS_MAX)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "skills", "skills: at most %d",
			       ORG_SKILLS_MAX);
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v))
			return err_set(&r->ei, ERR_INVALID, "skills", "skills: expected skill codes");
		if (strlen(json_string_value(v)) > ORG_SKILL_MAX)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "skills", "skills: unknown skill");
	}
	json_array_foreach(a, i, v)
	{
		int dup = 0;

		for (int k = 0; k < n; k++)
			dup |= strcmp(next.skills[k], json_string_value(v)) == 0;
		if (dup)
			continue;
		snprintf(next.skills[n++], ORG_SKILL_MAX + 1, "%s", json_string_value(v));
	}
	next.nskills = n;
	qsort(next.skills, (size_t)n, sizeof(next.skills[0]), compare_skill);
	same = n == p->nskills;
	for (int k = 0; same && k < n; k++)
		same = strcmp(next.skills[k], p->skills[k]) == 0;
	if (!same)
		json_object_set_new(changes, "skills",
				    json_pack("[o,o]", skills_json(p), skills_json(&next)));
	memcpy(p->skills, next.skills, sizeof(p->skills));
	p->nskills = n;
	return 0;
}

/* Reads the person fields present in the body into p, noting each change. */
static int person_fields(struct req *r, struct org_person *p, json_t *changes)
{
	int rc = copy_str(r, "name", p->name, sizeof(p->name), changes);

	if (rc == 0)
		rc = copy_str(r, "phone", p->phone, sizeof(p->phone), changes);
	if (rc == 0)
		rc = copy_ref(r, "department_id", &p->department_id, changes);
	if (rc == 0)
		rc = copy_ref(r, "superior_id", &p->superior_id, changes);
	if (rc == 0)
		rc = copy_bool(r, "active", &p->active, changes);
	if (rc == 0)
		rc = copy_bool(r, "certified", &p->certified, changes);
	if (rc == 0)
		rc = parse_roles(r, p, changes);
	if (rc == 0)
		rc = parse_skills(r, p, changes);
	return rc;
}

/* The permissions a change needs beyond the route's own. */
static int authorize_change(struct req *r, const struct org_person *p, json_t *changes,
			    unsigned old_roles)
{
	const struct auth_target t = {p->department_id, p->id};
	int rc = 0;

	if (json_object_get(changes, "roles") || json_object_get(changes, "skills"))
		rc = req_authorize(r, ACT_PERSON_ROLES, &t);
	if (rc == 0 && ((old_roles ^ p->roles) & ROLE_ADMIN))
		rc = req_authorize(r, ACT_GRANT_ADMIN, &t);
	/* ORG-4: only the manager confirms a person qualified for duty. */
	if (rc == 0 && json_object_get(changes, "certified"))
		rc = req_authorize(r, ACT_PERSON_CERTIFY, &t);
	return rc;
}

struct list_ctx {
	struct req *r;
	json_t *items;
	int64_t last_id;
};

static int people_list_row(void *ctx, const struct org_person *p)
{
	struct list_ctx *lc = ctx;

	lc->last_id = p->id;
	return json_array_append_new(lc->items, org_person_json(lc->r, p));
}

static int people_list(struct req *r)
{
	struct org_person_filter f = {.active = -1};
	struct list_ctx lc = {r, NULL, 0};
	const char *role = NULL, *active = NULL;
	int64_t dept = 0;
	int rc, n;

	rc = req_page(r, &f.limit, &f.after_id);
	if (rc == 0)
		rc = req_query_int(r, "department_id", 1, INT64_MAX, &dept);
	if (rc == 0)
		rc = req_query(r, "role", &role);
	if (rc == 0)
		rc = req_query(r, "active", &active);
	if (rc == 0)
		rc = req_query(r, "q", &f.q);
	if (rc < 0)
		return rc;
	if (role) {
		f.role = org_role_parse(role);
		if (!f.role)
			return err_set(&r->ei, ERR_INVALID, "role", "role: unknown role");
	}
	if (active) {
		if (strcmp(active, "true") && strcmp(active, "false"))
			return err_set(&r->ei, ERR_INVALID, "active", "active: true or false");
		f.active = strcmp(active, "true") == 0;
	}
	if (f.q && !*f.q)
		f.q = NULL;
	/* Staff see only their own department (least privilege). */
	if (auth_scope(&r->who, ACT_ORG_READ) < SCOPE_ALL) {
		const struct auth_target t = {dept ? dept : r->who.department_id, 0};

		rc = req_authorize(r, ACT_ORG_READ, &t);
		if (rc < 0)
			return rc;
		dept = r->who.department_id;
	}
	f.department_id = dept;
	lc.items = json_array();
	n = org_person_list(r->store, &f, people_list_row, &lc);
	if (n < 0) {
		json_decref(lc.items);
		return n;
	}
	return reply_page(r, lc.items, n == f.limit ? lc.last_id : 0);
}

static int load_person(struct req *r, struct org_person *p)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = org_person_get(r->store, id, p);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such person");
	if (rc < 0)
		return rc;
	{
		const struct auth_target t = {p->department_id, p->id};

		return req_authorize(r, ACT_ORG_READ, &t);
	}
}

static int person_get(struct req *r)
{
	struct org_person p;
	int rc = load_person(r, &p);

	if (rc < 0)
		return rc;
	return reply_json(r, 200, org_person_json(r, &p));
}

static const char *const person_create_fields[] = {
	"work_no", "name", "phone", "department_id", "superior_id", "roles",
	"skills",  "active", "certified", "password", NULL,
};

static int person_create(struct req *r)
{
	struct org_person p;
	json_t *changes = json_object(), *out;
	const char *work_no = NULL, *password = NULL, *why;
	char generated[17] = "", hash[AUTH_HASH_MAX];
	int rc, bad = 0;

	memset(&p, 0, sizeof(p));
	p.active = 1;
	rc = body_only(r, person_create_fields);
	if (rc == 0)
		rc = body_str(r, "work_no", 1, &work_no);
	if (rc == 0)
		rc = body_str(r, "name", 1, &why);
	if (rc == 0 && !body_has(r, "roles"))
		rc = err_set(&r->ei, ERR_INVALID, "roles", "roles: required");
	if (rc == 0)
		rc = body_str(r, "password", 0, &password);
	if (rc == 0) {
		snprintf(p.work_no, sizeof(p.work_no), "%s", work_no);
		rc = person_fields(r, &p, changes);
	}
	if (rc == 0)
		rc = authorize_change(r, &p, changes, 0);
	/* Every broken rule at once, so the form marks each field. */
	if (rc == 0 && strlen(work_no) > ORG_WORK_NO_MAX)
		bad = err_add(&r->ei, bad, ERR_UNPROCESSABLE, "work_no", "work number: too long");
	if (rc == 0)
		bad = org_person_validate_more(&p, bad, &r->ei);
	if (rc == 0 && password && auth_password_acceptable(password, &why) < 0)
		bad = err_add(&r->ei, bad, ERR_UNPROCESSABLE, "password", "%s", why);
	if (rc == 0)
		rc = bad;
	if (rc == 0 && !password) {
		auth_password_random(generated);
		password = generated;
	}
	/* Hashing is slow on purpose: do it before taking the write lock. */
	if (rc == 0)
		rc = auth_password_hash(password, r->app->cfg->pwhash, hash);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0) {
		json_decref(changes);
		return rc;
	}
	{
		struct audit_actor who = req_actor(r);
		json_t *d = json_pack("{s:s, s:O}", "work_no", p.work_no, "fields", changes);
		char *detail = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);

		rc = org_person_add(r->store, &who, &p, hash, generated[0] != '\0', r->now, detail,
				    &r->ei);
		free(detail);
		json_decref(d);
	}
	json_decref(changes);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	out = org_person_json(r, &p);
	if (generated[0])
		json_object_set_new(out, "initial_password", json_string(generated));
	return reply_json(r, 201, out);
}

static const char *const person_update_fields[] = {
	"work_no", "name", "phone", "department_id", "superior_id",
	"roles",   "skills", "active", "certified", NULL,
};

static int person_update(struct req *r)
{
	struct org_person p;
	json_t *changes;
	const char *work_no = NULL;
	unsigned old_roles;
	int rc = body_only(r, person_update_fields);

	if (rc == 0)
		rc = load_person(r, &p);
	if (rc < 0)
		return rc;
	{
		const struct auth_target t = {p.department_id, p.id};

		rc = req_authorize(r, ACT_PERSON_WRITE, &t);
		if (rc < 0)
			return rc;
	}
	rc = body_str(r, "work_no", 0, &work_no);
	if (rc < 0)
		return rc;
	/* The work number is the login and the SIP user (ORG-3): it never changes. */
	if (work_no && strcmp(work_no, p.work_no) != 0)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "work_no", "a work number cannot change");
	old_roles = p.roles;
	changes = json_object();
	rc = person_fields(r, &p, changes);
	if (rc == 0)
		rc = authorize_change(r, &p, changes, old_roles);
	if (rc == 0 && p.id == r->who.person_id && !p.active)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "active", "you cannot disable yourself");
	if (rc == 0 && p.id == r->who.person_id && (old_roles & ~p.roles & ROLE_ADMIN))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "roles",
			     "you cannot take the admin role from yourself");
	if (rc == 0 && json_object_size(changes) == 0) {
		json_decref(changes);
		return reply_json(r, 200, org_person_json(r, &p));
	}
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0) {
		json_decref(changes);
		return rc;
	}
	rc = org_person_update(r->store, &p, r->now, &r->ei);
	/* A disabled person is logged out everywhere at once. */
	if (rc == 0 && !p.active)
		rc = auth_session_delete_person(r->store, p.id, 0);
	if (rc == 0)
		rc = req_audit(r, "person.update", "person", p.id, "ok",
			       json_pack("{s:O}", "fields", changes));
	json_decref(changes);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, org_person_json(r, &p));
}

static int person_password_reset(struct req *r)
{
	struct org_person p;
	char password[17], hash[AUTH_HASH_MAX];
	int rc = load_person(r, &p);

	if (rc < 0)
		return rc;
	auth_password_random(password);
	rc = auth_password_hash(password, r->app->cfg->pwhash, hash);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = org_person_set_password(r->store, p.id, hash, 1, r->now);
	if (rc == 0)
		rc = auth_session_delete_person(r->store, p.id, 0);
	if (rc == 0)
		rc = req_audit(r, "person.password_reset", "person", p.id, "ok", NULL);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, json_pack("{s:s, s:b}", "password", password,
					    "must_change_password", 1));
}

static int dept_list_row(void *ctx, const struct org_department *d)
{
	return json_array_append_new(ctx, department_json(d));
}

static int departments_list(struct req *r)
{
	json_t *items = json_array();
	int64_t cursor, only = 0;
	int limit, n;
	int rc = req_page(r, &limit, &cursor);

	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	if (auth_scope(&r->who, ACT_ORG_READ) < SCOPE_ALL)
		only = r->who.department_id ? r->who.department_id : -1;
	n = org_department_list(r->store, only, cursor, limit, dept_list_row, items);
	if (n < 0) {
		json_decref(items);
		return n;
	}
	return reply_page(r, items,
			  n == limit ? json_integer_value(json_object_get(
					       json_array_get(items, (size_t)n - 1), "id"))
				     : 0);
}

static int load_department(struct req *r, struct org_department *d)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = org_department_get(r->store, id, d);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such department");
	if (rc < 0)
		return rc;
	{
		const struct auth_target t = {d->id, 0};

		return req_authorize(r, ACT_ORG_READ, &t);
	}
}

static int department_get(struct req *r)
{
	struct org_department d;
	int rc = load_department(r, &d);

	if (rc < 0)
		return rc;
	return reply_json(r, 200, department_json(&d));
}

static const char *const dept_fields[] = {"name", "kind", "parent_id", "head_id", NULL};

static int dept_fields_read(struct req *r, struct org_department *d, json_t *changes)
{
	int rc = copy_str(r, "name", d->name, sizeof(d->name), changes);

	if (rc == 0)
		rc = copy_str(r, "kind", d->kind, sizeof(d->kind), changes);
	if (rc == 0)
		rc = copy_ref(r, "parent_id", &d->parent_id, changes);
	if (rc == 0)
		rc = copy_ref(r, "head_id", &d->head_id, changes);
	return rc;
}

static int department_create(struct req *r)
{
	struct org_department d;
	json_t *changes = json_object();
	const char *s;
	int rc;

	memset(&d, 0, sizeof(d));
	rc = body_only(r, dept_fields);
	if (rc == 0)
		rc = body_str(r, "name", 1, &s);
	if (rc == 0)
		rc = body_str(r, "kind", 1, &s);
	if (rc == 0)
		rc = dept_fields_read(r, &d, changes);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0) {
		json_decref(changes);
		return rc;
	}
	rc = org_department_insert(r->store, &d, r->now, &r->ei);
	if (rc == 0)
		rc = req_audit(r, "department.create", "department", d.id, "ok",
			       json_pack("{s:O}", "fields", changes));
	json_decref(changes);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 201, department_json(&d));
}

static int department_update(struct req *r)
{
	struct org_department d;
	json_t *changes;
	int rc = body_only(r, dept_fields);

	if (rc == 0)
		rc = load_department(r, &d);
	if (rc < 0)
		return rc;
	changes = json_object();
	rc = dept_fields_read(r, &d, changes);
	if (rc == 0 && json_object_size(changes) == 0) {
		json_decref(changes);
		return reply_json(r, 200, department_json(&d));
	}
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0) {
		json_decref(changes);
		return rc;
	}
	rc = org_department_update(r->store, &d, r->now, &r->ei);
	if (rc == 0)
		rc = req_audit(r, "department.update", "department", d.id, "ok",
			       json_pack("{s:O}", "fields", changes));
	json_decref(changes);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, department_json(&d));
}

static int department_delete(struct req *r)
{
	struct org_department d;
	int rc = load_department(r, &d);

	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = org_department_delete(r->store, d.id, &r->ei);
	if (rc == 0)
		rc = req_audit(r, "department.delete", "department", d.id, "ok",
			       json_pack("{s:s}", "name", d.name));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	r->status = 204;
	return 0;
}

static int add_skill(void *ctx, const char *code, const char *name)
{
	return json_array_append_new(ctx, json_pack("{s:s, s:s}", "code", code, "name", name));
}

/* GET /api/roles: the role names and the skills (seat types) a person may have. */
static int roles(struct req *r)
{
	json_t *roles = json_array(), *skills = json_array();
	int rc;

	for (int i = 0; i < AUTH_ROLE_COUNT; i++)
		json_array_append_new(roles, json_string(org_role_name(1u << i)));
	rc = org_skill_list(r->store, add_skill, skills);
	if (rc < 0) {
		json_decref(roles);
		json_decref(skills);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o, s:o}", "roles", roles, "skills", skills));
}

const struct route org_routes[] = {
	{"GET", "/api/people", people_list, ACT_ORG_READ},
	{"POST", "/api/people", person_create, ACT_PERSON_WRITE},
	{"GET", "/api/people/{id}", person_get, ACT_ORG_READ},
	{"PATCH", "/api/people/{id}", person_update, ACT_PERSON_WRITE},
	{"POST", "/api/people/{id}/password", person_password_reset, ACT_PASSWORD_RESET},
	{"GET", "/api/departments", departments_list, ACT_ORG_READ},
	{"POST", "/api/departments", department_create, ACT_DEPT_WRITE},
	{"GET", "/api/departments/{id}", department_get, ACT_ORG_READ},
	{"PATCH", "/api/departments/{id}", department_update, ACT_DEPT_WRITE},
	{"DELETE", "/api/departments/{id}", department_delete, ACT_DEPT_WRITE},
	{"GET", "/api/roles", roles, ACT_SELF},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
