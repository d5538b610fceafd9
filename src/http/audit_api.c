/*
 * GET /api/audit: the audit log for managers and admins, newest first,
 * filtered by actor, action, entity, outcome and time, paginated by cursor.
 * It is the server's own route, beside the audit module it reads: audit
 * sits below http (every request may write to it), so it cannot answer
 * HTTP itself.
 */
#include <string.h>

#include "audit/audit.h"
#include "http/http.h"

static int row(void *ctx, const struct audit_entry *e)
{
	json_t *detail = NULL, *o;

	if (e->detail)
		detail = json_loads(e->detail, 0, NULL);
	o = json_pack("{s:I, s:I, s:o, s:s, s:s?, s:s, s:s?, s:s?, s:s, s:o}", "id",
		      (json_int_t)e->id, "at", (json_int_t)e->at, "actor_id",
		      e->actor_id ? json_integer(e->actor_id) : json_null(), "actor", e->actor,
		      "address", e->address, "action", e->action, "entity", e->entity, "entity_id",
		      e->entity_id, "outcome", e->outcome, "detail",
		      detail ? detail : json_null());
	return json_array_append_new(ctx, o);
}

static int audit_get(struct req *r)
{
	struct audit_filter f;
	json_t *items;
	int rc, n;

	memset(&f, 0, sizeof(f));
	rc = req_page(r, &f.limit, &f.before_id);
	if (rc == 0)
		rc = req_query_int(r, "actor_id", 1, INT64_MAX, &f.actor_id);
	if (rc == 0)
		rc = req_query(r, "action", &f.action);
	if (rc == 0)
		rc = req_query(r, "entity", &f.entity);
	if (rc == 0)
		rc = req_query(r, "entity_id", &f.entity_id);
	if (rc == 0)
		rc = req_query(r, "outcome", &f.outcome);
	if (rc == 0)
		rc = req_query_int(r, "from", 0, INT64_MAX, &f.from);
	if (rc == 0)
		rc = req_query_int(r, "to", 0, INT64_MAX, &f.to);
	if (rc < 0)
		return rc;
	if (f.outcome && strcmp(f.outcome, "ok") && strcmp(f.outcome, "failed") &&
	    strcmp(f.outcome, "denied"))
		return err_set(&r->ei, ERR_INVALID, "outcome", "outcome: ok, failed or denied");
	items = json_array();
	n = audit_list(r->store, &f, row, items);
	if (n < 0) {
		json_decref(items);
		return n;
	}
	return reply_page(r, items,
			  n == f.limit ? json_integer_value(json_object_get(
						 json_array_get(items, (size_t)n - 1), "id"))
				       : 0);
}

const struct route http_audit_routes[] = {
	{"GET", "/api/audit", audit_get, ACT_AUDIT_READ},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
