/*
 * Helpers every *_api.c uses to read a request and write an answer, so the
 * handlers read as the rule they implement and not as parsing code.
 */
#include <errno.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "http/http.h"
#include "store/store.h"

int req_query(struct req *r, const char *name, const char **out)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);

	*out = NULL;
	if (!v)
		return 0;
	if (!utf8_valid(v, strlen(v)))
		return err_set(&r->ei, ERR_INVALID, name, "%s: not valid UTF-8", name);
	*out = v;
	return 0;
}

static int parse_int(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!*s)
		return ERR_INVALID;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return ERR_INVALID;
	*out = v;
	return 0;
}

int req_query_int(struct req *r, const char *name, int64_t min, int64_t max, int64_t *out)
{
	const char *v;
	int64_t n;
	int rc = req_query(r, name, &v);

	if (rc < 0 || !v)
		return rc;
	if (parse_int(v, &n) < 0 || n < min || n > max)
		return err_set(&r->ei, ERR_INVALID, name, "%s: expected a whole number from %lld to %lld",
			       name, (long long)min, (long long)max);
	*out = n;
	return 0;
}

int req_page(struct req *r, int *limit, int64_t *cursor)
{
	int64_t l = 50, c = 0;
	int rc = req_query_int(r, "limit", 1, 500, &l);

	if (rc < 0)
		return rc;
	rc = req_query_int(r, "cursor", 1, INT64_MAX, &c);
	if (rc < 0)
		return err_set(&r->ei, ERR_INVALID, "cursor", "cursor: not one this server gave");
	*limit = (int)l;
	*cursor = c;
	return 0;
}

int req_param_id(struct req *r, int idx, int64_t *out)
{
	int64_t v;

	if (idx >= r->nparams || parse_int(r->params[idx], &v) < 0 || v <= 0)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such record");
	*out = v;
	return 0;
}

const char *req_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

json_t *req_error_json(struct req *r, int rc)
{
	const struct err_info *ei = &r->ei;
	int en = err_lang_english(req_header(r, "Accept-Language"));
	const char *msg = en ? ei->message : ei->message_zh;
	json_t *e, *list;

	if (!msg[0])
		msg = ei->message[0] ? ei->message : err_name(rc);
	e = json_pack("{s:s, s:s}", "code", err_name(rc), "message", msg);
	if (!e)
		e = json_pack("{s:s, s:s}", "code", err_name(rc), "message", err_name(rc));
	if (e && ei->field[0]) {
		json_object_set_new(e, "field", json_string(ei->field));
		/* Every field error of the request, the first one included, so a
		 * form shows them all at once. */
		list = json_array();
		json_array_append_new(list, json_pack("{s:s, s:s}", "field", ei->field,
						      "message", msg));
		for (int i = 0; i < ei->nmore && i < ERR_MORE_MAX; i++)
			json_array_append_new(
				list, json_pack("{s:s, s:s}", "field", ei->more[i].field, "message",
						en ? ei->more[i].message : ei->more[i].message_zh));
		json_object_set_new(e, "errors", list);
	}
	return json_pack("{s:o}", "error", e);
}

int body_has(struct req *r, const char *key)
{
	return r->body && json_object_get(r->body, key) != NULL;
}

int body_only(struct req *r, const char *const *allowed)
{
	const char *key;
	json_t *v;

	if (!r->body)
		return 0;
	json_object_foreach(r->body, key, v)
	{
		const char *const *a = allowed;

		while (*a && strcmp(*a, key) != 0)
			a++;
		if (!*a)
			return err_set(&r->ei, ERR_INVALID, key, "%s: unknown field", key);
	}
	return 0;
}

int body_str(struct req *r, const char *key, int required, const char **out)
{
	json_t *v = r->body ? json_object_get(r->body, key) : NULL;

	if (!v) {
		if (required)
			return err_set(&r->ei, ERR_INVALID, key, "%s: required", key);
		return 0;
	}
	if (!json_is_string(v))
		return err_set(&r->ei, ERR_INVALID, key, "%s: expected a string", key);
	*out = json_string_value(v);
	return 0;
}

int body_bool(struct req *r, const char *key, int *out)
{
	json_t *v = r->body ? json_object_get(r->body, key) : NULL;

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return err_set(&r->ei, ERR_INVALID, key, "%s: expected true or false", key);
	*out = json_is_true(v);
	return 0;
}

int body_ref(struct req *r, const char *key, int64_t *out)
{
	json_t *v = r->body ? json_object_get(r->body, key) : NULL;

	if (!v)
		return 0;
	if (json_is_null(v)) {
		*out = 0;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return err_set(&r->ei, ERR_INVALID, key, "%s: expected an id or null", key);
	*out = json_integer_value(v);
	return 0;
}

int body_int_add(struct req *r, const char *key, int *out, int rc)
{
	json_t *v = r->body ? json_object_get(r->body, key) : NULL;

	if (!v)
		return rc;
	if (!json_is_integer(v) || json_integer_value(v) < -1000000 ||
	    json_integer_value(v) > 1000000)
		return err_add(&r->ei, rc, ERR_INVALID, key, "%s: expected a whole number", key);
	*out = (int)json_integer_value(v);
	return rc;
}

int body_bool_add(struct req *r, const char *key, int *out, int rc)
{
	json_t *v = r->body ? json_object_get(r->body, key) : NULL;

	if (!v)
		return rc;
	if (!json_is_boolean(v))
		return err_add(&r->ei, rc, ERR_INVALID, key, "%s: expected true or false", key);
	*out = json_is_true(v);
	return rc;
}

int reply_json(struct req *r, unsigned status, json_t *obj)
{
	if (!obj)
		return ERR_NOMEM;
	json_decref(r->reply);
	r->reply = obj;
	r->status = status;
	return 0;
}

int reply_page(struct req *r, json_t *items, int64_t next)
{
	json_t *o = json_object();
	char cursor[24];

	if (!o || !items) {
		json_decref(o);
		json_decref(items);
		return ERR_NOMEM;
	}
	json_object_set_new(o, "items", items);
	if (next) {
		snprintf(cursor, sizeof(cursor), "%lld", (long long)next);
		json_object_set_new(o, "next_cursor", json_string(cursor));
	} else {
		json_object_set_new(o, "next_cursor", json_null());
	}
	return reply_json(r, 200, o);
}

struct audit_actor req_actor(struct req *r)
{
	struct audit_actor a = {
		.id = r->who.person_id,
		.name = r->who.person_id ? r->who.work_no : "anonymous",
		.address = r->address,
	};
	return a;
}

int req_audit(struct req *r, const char *action, const char *entity, int64_t id,
	      const char *outcome, json_t *detail)
{
	struct audit_actor a = req_actor(r);
	char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	/* A refusal is written on its own, in its own transaction. */
	int own = !store_in_transaction(r->store);
	int rc = own ? store_begin(r->store) : 0;

	if (rc == 0)
		rc = audit_append(r->store, &a, r->now, action, entity, id, outcome, text);
	if (own && rc == 0)
		rc = store_commit(r->store);
	else if (own)
		store_rollback(r->store);

	free(text);
	json_decref(detail);
	return rc;
}

int req_authorize(struct req *r, enum auth_action a, const struct auth_target *t)
{
	return req_authorize_on(r, a, t, t && t->person_id ? "person" : NULL,
				t ? (t->person_id ? t->person_id : t->department_id) : 0);
}

int req_authorize_on(struct req *r, enum auth_action a, const struct auth_target *t,
		     const char *entity, int64_t entity_id)
{
	int rc = auth_authorize(&r->who, a, t);
	json_t *d;

	if (rc != ERR_FORBIDDEN)
		return rc;
	/* Denials are written on their own: the request's own work is not committed. */
	d = json_pack("{s:s, s:s, s:s}", "permission", auth_action_name(a), "method", r->method,
		      "path", r->path);
	if (d && t && t->department_id)
		json_object_set_new(d, "department_id", json_integer(t->department_id));
	req_audit(r, "access.denied", entity, entity_id, "denied", d);
	return err_set(&r->ei, ERR_FORBIDDEN, NULL, "you are not allowed to do this");
}

int req_finish(struct req *r, int rc)
{
	if (rc == 0)
		return store_commit(r->store);
	store_rollback(r->store);
	return rc;
}
