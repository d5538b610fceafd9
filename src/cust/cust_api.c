/*
 * /api/customers and /api/contacts: the customer database (CUST-1..5) and
 * the record of every contact (CALL-10, CALL-12).
 *
 * Phone numbers leave the server masked in every answer, whoever asks
 * (CUST-2, SEC-1). POST /api/customers/{id}/reveal shows them whole to
 * those allowed, for a reason that goes into the audit log. The audit log
 * never holds a customer's personal data — only which fields changed —
 * because its readers (admin) have no right to customer data.
 *
 * A merged customer's id keeps working: every route under
 * /api/customers/{id} acts on the survivor, except a merge, which refuses
 * it (422). Checks that can be made before the write transaction are made
 * there, so a refusal writes nothing but its audit entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "att/att.h"
#include "core/mask.h"
#include "core/utf8.h"
#include "cust/cust.h"
#include "http/http.h"
#include "org/org.h"
#include "store/store.h"

#define VIP_HISTORY_SHOWN 100

static json_t *str_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

static json_t *ref_json(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

static json_t *phones_json(const struct customer *c, int unmasked)
{
	json_t *a = json_array();

	for (int i = 0; i < c->nphones; i++) {
		char masked[CUST_PHONE_DIGITS + 8];
		const char *p = c->phones[i].phone;

		/* CUST-2: enough to tell numbers apart, not to dial them. */
		if (!unmasked) {
			mask_phone(p, masked, sizeof(masked));
			p = masked;
		}
		json_array_append_new(a, json_pack("{s:s, s:o}", "phone", p, "label",
						   str_or_null(c->phones[i].label)));
	}
	return a;
}

static json_t *tags_json(const struct customer *c)
{
	json_t *a = json_array();

	for (int i = 0; i < c->ntags; i++)
		json_array_append_new(a, json_string(c->tags[i]));
	return a;
}

static json_t *address_json(const struct customer *c)
{
	char text[CUST_TEXT(CUST_NAME_MAX + CUST_SURNAME_MAX)];

	cust_address_as(c, text, sizeof(text));
	return str_or_null(text);
}

static json_t *customer_json(const struct customer *c)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:i, s:o, s:o,"
			 " s:I, s:I}",
			 "id", (json_int_t)c->id, "name", str_or_null(c->name), "surname",
			 str_or_null(c->surname), "title", str_or_null(c->title), "address_as",
			 address_json(c), "kind", c->kind, "phones", phones_json(c, 0), "wechat",
			 str_or_null(c->wechat), "weibo", str_or_null(c->weibo), "email",
			 str_or_null(c->email), "birthday", str_or_null(c->birthday), "vip_level",
			 c->vip_level, "tags", tags_json(c), "notes", str_or_null(c->notes),
			 "created_at", (json_int_t)c->created_at, "updated_at",
			 (json_int_t)c->updated_at);
}

/* The customer with totals and the latest contacts and orders: what a screen pop shows. */
static json_t *customer_detail_json(const struct customer *c, const struct cust_history *h)
{
	json_t *o = customer_json(c), *contacts = json_array(), *orders = json_array();

	for (int i = 0; i < h->ncontacts; i++) {
		const struct cust_recent_contact *k = &h->contacts[i];

		json_array_append_new(
			contacts,
			json_pack("{s:I, s:s, s:s, s:o, s:o, s:I, s:o}", "id", (json_int_t)k->id,
				  "channel", k->channel, "direction", k->direction, "class",
				  str_or_null(k->cls), "agent_id", ref_json(k->agent_id), "started_at",
				  (json_int_t)k->started_at, "summary", str_or_null(k->summary)));
	}
	for (int i = 0; i < h->norders; i++) {
		const struct cust_recent_order *w = &h->orders[i];

		json_array_append_new(orders, json_pack("{s:I, s:s, s:s, s:s, s:I}", "id",
							(json_int_t)w->id, "number", w->number, "class",
							w->cls, "state", w->state, "created_at",
							(json_int_t)w->created_at));
	}
	if (!o) {
		json_decref(contacts);
		json_decref(orders);
		return NULL;
	}
	json_object_set_new(o, "contacts_count", json_integer(h->contacts_total));
	json_object_set_new(o, "orders_count", json_integer(h->orders_total));
	json_object_set_new(o, "recent_contacts", contacts);
	json_object_set_new(o, "recent_orders", orders);
	return o;
}

json_t *cust_summary_json(struct req *r, struct store *s, int64_t id)
{
	struct customer c;

	(void)r; /* phones are masked for everyone (CUST-2) */
	if (cust_load(s, id, &c, NULL) < 0)
		return NULL;
	return json_pack("{s:I, s:o, s:s, s:i, s:o}", "id", (json_int_t)c.id, "address_as",
			 address_json(&c), "kind", c.kind, "vip_level", c.vip_level, "phones",
			 phones_json(&c, 0));
}

/* The names of the cust_field bits set, for audit entries (no values: SEC-1). */
static json_t *field_names_json(unsigned bits)
{
	json_t *a = json_array();

	for (int i = 0; i < CUST_FIELD_COUNT; i++)
		if (bits & (1u << i))
			json_array_append_new(a, json_string(cust_field_name(1u << i)));
	return a;
}

/*
 * A text field: absent leaves dst alone; null (when allowed) or "" clears
 * it. rc is the reading's errors so far: a wrong type (400) is returned at
 * once, a value too long (422) is added to them (err_add).
 */
static int read_text(struct req *r, int rc, const char *key, int nullable, char *dst, size_t size)
{
	json_t *v = r->body ? json_object_get(r->body, key) : NULL;

	if (!v)
		return rc;
	if (nullable && json_is_null(v)) {
		dst[0] = '\0';
		return rc;
	}
	if (!json_is_string(v))
		return err_set(&r->ei, ERR_INVALID, key, nullable ? "%s: expected a string or null"
								  : "%s: expected a string",
			       key);
	if (strlen(json_string_value(v)) >= size)
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, key, "%s: too long", key);
	snprintf(dst, size, "%s", json_string_value(v));
	return rc;
}

/* A whole number: absent leaves *out alone; null (when allowed) sets 0. */
static int read_int(struct req *r, int rc, const char *key, int nullable, int64_t *out)
{
	json_t *v = r->body ? json_object_get(r->body, key) : NULL;

	if (!v)
		return rc;
	if (nullable && json_is_null(v)) {
		*out = 0;
		return rc;
	}
	if (!json_is_integer(v))
		return err_set(&r->ei, ERR_INVALID, key,
			       nullable ? "%s: expected a whole number or null"
					: "%s: expected a whole number",
			       key);
	*out = json_integer_value(v);
	return rc;
}

static int read_tags(struct req *r, int rc, struct customer *c)
{
	json_t *a = r->body ? json_object_get(r->body, "tags") : NULL, *v;
	size_t i;

	if (!a)
		return rc;
	if (json_is_null(a)) {
		c->ntags = 0;
		return rc;
	}
	if (!json_is_array(a))
		return err_set(&r->ei, ERR_INVALID, "tags", "tags: expected a list of strings");
	json_array_foreach(a, i, v)
		if (!json_is_string(v))
			return err_set(&r->ei, ERR_INVALID, "tags", "tags: expected strings");
	/* Tags are a set: sending one twice keeps it once. */
	c->ntags = 0;
	json_array_foreach(a, i, v)
		if (cust_tag_add(c, json_string_value(v)) < 0)
			return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "tags",
				       "tags: at most %d, of 1 to %d characters each", CUST_TAGS_MAX,
				       CUST_TAG_MAX);
	return rc;
}

static const char *const phone_keys[] = {"phone", "label", NULL};

/* phones: a list of {"phone", "label"}; numbers are stored as digits only
 * (CUST-1). A rule broken (422) is added to the earlier ones in rc. */
static int read_phones(struct req *r, struct customer *c, int rc)
{
	json_t *a = r->body ? json_object_get(r->body, "phones") : NULL, *v;
	size_t i;

	if (!a)
		return rc;
	if (json_is_null(a)) {
		c->nphones = 0;
		return rc;
	}
	if (!json_is_array(a))
		return err_set(&r->ei, ERR_INVALID, "phones",
			       "phones: expected a list of {\"phone\", \"label\"}");
	json_array_foreach(a, i, v)
	{
		const char *key;
		json_t *x, *phone = json_object_get(v, "phone"), *label = json_object_get(v, "label");

		if (!json_is_object(v) || !json_is_string(phone) ||
		    (label && !json_is_string(label) && !json_is_null(label)))
			return err_set(&r->ei, ERR_INVALID, "phones",
				       "phones: each is {\"phone\": string, \"label\": string}");
		json_object_foreach(v, key, x)
		{
			const char *const *k = phone_keys;

			while (*k && strcmp(*k, key) != 0)
				k++;
			if (!*k)
				return err_set(&r->ei, ERR_INVALID, "phones", "phones: unknown field");
		}
	}
	if (json_array_size(a) > CUST_PHONES_MAX)
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "phones",
			       "phones: at most %d numbers", CUST_PHONES_MAX);
	c->nphones = 0;
	json_array_foreach(a, i, v)
	{
		struct cust_phone *p = &c->phones[c->nphones++];
		json_t *label = json_object_get(v, "label");

		/* CUST-1: whole Chinese numbers only; the rules say what is wrong. */
		rc = cust_phone_check(json_string_value(json_object_get(v, "phone")), p->phone,
				      sizeof(p->phone), "phones", rc, &r->ei);
		p->label[0] = '\0';
		if (json_is_string(label)) {
			if (strlen(json_string_value(label)) >= sizeof(p->label))
				rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "phones",
					     "phones: a label is up to %d characters",
					     CUST_LABEL_MAX);
			else
				snprintf(p->label, sizeof(p->label), "%s",
					 json_string_value(label));
		}
	}
	return rc;
}

static const char *const customer_fields[] = {
	"name",     "surname",   "title",      "kind", "phones", "wechat", "weibo",
	"email",    "birthday",  "vip_level",  "vip_reason", "tags", "notes", NULL,
};

/*
 * Reads the customer fields present in the body into c. A malformed field
 * (400) ends the reading; a broken rule (422) is kept and reading goes on,
 * so that the validation after it reports every field at once.
 */
int cust_api_read(struct req *r, struct customer *c, const char **vip_reason)
{
	int64_t vip = c->vip_level;
	int rc = body_only(r, customer_fields);

#define GO (rc == 0 || rc == ERR_UNPROCESSABLE)
	if (GO)
		rc = read_text(r, rc, "name", 1, c->name, sizeof(c->name));
	if (GO)
		rc = read_text(r, rc, "surname", 1, c->surname, sizeof(c->surname));
	if (GO)
		rc = read_text(r, rc, "title", 1, c->title, sizeof(c->title));
	if (GO)
		rc = read_text(r, rc, "kind", 0, c->kind, sizeof(c->kind));
	if (GO)
		rc = read_phones(r, c, rc);
	if (GO)
		rc = read_text(r, rc, "wechat", 1, c->wechat, sizeof(c->wechat));
	if (GO)
		rc = read_text(r, rc, "weibo", 1, c->weibo, sizeof(c->weibo));
	if (GO)
		rc = read_text(r, rc, "email", 1, c->email, sizeof(c->email));
	if (GO)
		rc = read_text(r, rc, "birthday", 1, c->birthday, sizeof(c->birthday));
	if (GO)
		rc = read_int(r, rc, "vip_level", 0, &vip);
	if (GO && (vip < 0 || vip > CUST_VIP_MAX)) {
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "vip_level", "vip_level: 0 to %d",
			     CUST_VIP_MAX);
		vip = c->vip_level;
	}
	if (GO)
		rc = read_tags(r, rc, c);
	if (GO)
		rc = read_text(r, rc, "notes", 1, c->notes, sizeof(c->notes));
	if (GO && body_str(r, "vip_reason", 0, vip_reason) < 0)
		rc = ERR_INVALID;
	if (GO && *vip_reason && utf8_len(*vip_reason) > CUST_REASON_MAX)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "vip_reason",
			     "vip_reason: up to %d characters", CUST_REASON_MAX);
#undef GO
	c->vip_level = (int)vip;
	return rc;
}

/* The audit detail of a change: which fields, and the values that are not personal data. */
static json_t *change_detail(const struct customer *old, const struct customer *c, unsigned bits)
{
	json_t *d = json_pack("{s:o}", "fields", field_names_json(bits));

	if (d && (bits & CF_VIP))
		json_object_set_new(d, "vip_level", json_pack("[i,i]", old->vip_level, c->vip_level));
	if (d && (bits & CF_KIND))
		json_object_set_new(d, "kind", json_pack("[s,s]", old->kind, c->kind));
	return d;
}

struct list_ctx {
	json_t *items;
	int64_t last_id;
};

static int customers_list_row(void *ctx, const struct customer *c)
{
	struct list_ctx *lc = ctx;

	lc->last_id = c->id;
	return json_array_append_new(lc->items, customer_json(c));
}

static int customers_list(struct req *r)
{
	struct cust_filter f = {0};
	struct list_ctx lc = {NULL, 0};
	int64_t vip_min = 0;
	int rc, n;

	rc = req_page(r, &f.limit, &f.after_id);
	if (rc == 0)
		rc = req_query(r, "q", &f.q);
	if (rc == 0)
		rc = req_query(r, "kind", &f.kind);
	if (rc == 0)
		rc = req_query_int(r, "vip_min", 0, CUST_VIP_MAX, &vip_min);
	if (rc < 0)
		return rc;
	if (f.kind && !cust_kind_valid(f.kind))
		return err_set(&r->ei, ERR_INVALID, "kind", "kind: app_user, merchant, media or other");
	if (f.q && !*f.q)
		f.q = NULL;
	f.vip_min = (int)vip_min;
	lc.items = json_array();
	n = cust_list(r->store, &f, customers_list_row, &lc);
	if (n < 0) {
		json_decref(lc.items);
		return n;
	}
	return reply_page(r, lc.items, n == f.limit ? lc.last_id : 0);
}

/* The customer of the {id} in the path, the survivor when it was merged. */
static int load_customer(struct req *r, struct customer *c, struct cust_history *h)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = cust_load(r->store, id, c, h);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such customer");
	return rc;
}

static int vip_row(void *ctx, const struct cust_vip *v)
{
	return json_array_append_new(ctx, json_pack("{s:i, s:I, s:o, s:o}", "level", v->level, "at",
						    (json_int_t)v->at, "by_id", ref_json(v->by_id),
						    "reason", str_or_null(v->reason)));
}

/* GET /api/customers/lookup?phone=: the screen pop of a ringing call (CUST-5). */
static int customer_lookup(struct req *r)
{
	char norm[CUST_PHONE_DIGITS + 1];
	struct cust_history h;
	struct customer c;
	const char *phone = NULL;
	int rc = req_query(r, "phone", &phone);

	if (rc < 0)
		return rc;
	if (!phone || !*phone)
		return err_set(&r->ei, ERR_INVALID, "phone", "%s: required", "phone");
	/* Part of a number finds nobody for sure: say so rather than "not found". */
	rc = cust_phone_check(phone, norm, sizeof(norm), "phone", 0, &r->ei);
	if (rc < 0)
		return rc;
	/* A call comes from the number, not from its extension. */
	if (strchr(norm, '-'))
		*strchr(norm, '-') = '\0';
	rc = cust_lookup(r->store, norm, &c, &h);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no customer has this number");
	if (rc < 0)
		return rc;
	return reply_json(r, 200, customer_detail_json(&c, &h));
}

static int customer_get(struct req *r)
{
	struct cust_history h;
	struct customer c;
	json_t *o, *vip;
	int rc = load_customer(r, &c, &h);

	if (rc < 0)
		return rc;
	vip = json_array();
	rc = cust_vip_list(r->store, c.id, VIP_HISTORY_SHOWN, vip_row, vip);
	if (rc < 0) {
		json_decref(vip);
		return rc;
	}
	o = customer_detail_json(&c, &h);
	if (!o) {
		json_decref(vip);
		return ERR_NOMEM;
	}
	json_object_set_new(o, "vip_history", vip);
	return reply_json(r, 200, o);
}

static int customer_create(struct req *r)
{
	static const struct customer none; /* what "set" is measured against */
	struct customer c;
	const char *vip_reason = NULL;
	json_t *detail;
	int rc;

	memset(&c, 0, sizeof(c));
	snprintf(c.kind, sizeof(c.kind), "app_user");
	rc = cust_api_read(r, &c, &vip_reason);
	if (rc == 0 || rc == ERR_UNPROCESSABLE)
		rc = cust_validate_more(&c, r->now, rc, &r->ei);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = cust_insert(r->store, &c, r->who.person_id, vip_reason, r->now, &r->ei);
	if (rc == 0) {
		detail = json_pack("{s:o, s:s, s:i}", "fields", field_names_json(cust_diff(&none, &c)),
				   "kind", c.kind, "vip_level", c.vip_level);
		rc = req_audit(r, "customer.create", "customer", c.id, "ok", detail);
	}
	rc = req_finish(r, rc);
	/* Read back, so the answer lists the phones in the order every later answer will. */
	if (rc == 0)
		rc = cust_load(r->store, c.id, &c, NULL);
	if (rc < 0)
		return rc;
	return reply_json(r, 201, customer_json(&c));
}

static int customer_update(struct req *r)
{
	struct customer old, c;
	const char *vip_reason = NULL;
	unsigned changed;
	int rc = load_customer(r, &old, NULL);

	if (rc < 0)
		return rc;
	c = old;
	rc = cust_api_read(r, &c, &vip_reason);
	if (rc == 0 || rc == ERR_UNPROCESSABLE)
		rc = cust_validate_more(&c, r->now, rc, &r->ei);
	if (rc < 0)
		return rc;
	changed = cust_diff(&old, &c);
	if (!changed)
		return reply_json(r, 200, customer_json(&old));
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	/*
	 * Apply the change to the record as it is now, inside the transaction:
	 * a PATCH of other fields, or a merge, may have landed since the read
	 * above, and the whole row is written back.
	 */
	rc = cust_load(r->store, old.id, &old, NULL);
	if (rc == 0 && old.merged_into)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the customer was merged meanwhile");
	if (rc == 0) {
		c = old;
		rc = cust_api_read(r, &c, &vip_reason);
	}
	if (rc == 0)
		rc = cust_validate(&c, r->now, &r->ei);
	if (rc == 0)
		changed = cust_diff(&old, &c);
	if (rc == 0 && !changed) {
		rc = req_finish(r, 0);
		if (rc < 0)
			return rc;
		return reply_json(r, 200, customer_json(&old));
	}
	if (rc == 0)
		rc = cust_update(r->store, &c, &old, r->who.person_id, vip_reason, r->now,
				 &r->ei);
	if (rc == 0)
		rc = req_audit(r, "customer.update", "customer", c.id, "ok",
			       change_detail(&old, &c, changed));
	rc = req_finish(r, rc);
	/* Read back: phones are listed in the order they were first added (then by number). */
	if (rc == 0)
		rc = cust_load(r->store, c.id, &c, NULL);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, customer_json(&c));
}

/*
 * POST /api/customers/{id}/reveal: the phone numbers unmasked, for a
 * reason that is audited (CUST-2, SEC-1). Department staff may see them
 * only for a customer with a work order of their own department.
 */
static int customer_reveal(struct req *r)
{
	static const char *const fields[] = {"reason", NULL};
	struct auth_target t = {0, 0};
	struct customer c;
	const char *reason = NULL;
	int rc = body_only(r, fields);

	if (rc == 0)
		rc = load_customer(r, &c, NULL);
	if (rc < 0)
		return rc;
	if (auth_scope(&r->who, ACT_CUST_REVEAL) < SCOPE_ALL) {
		rc = cust_has_order_in_department(r->store, c.id, r->who.department_id);
		if (rc < 0)
			return rc;
		if (rc == 1)
			t.department_id = r->who.department_id;
	}
	rc = req_authorize(r, ACT_CUST_REVEAL, &t);
	if (rc == 0)
		rc = body_str(r, "reason", 0, &reason);
	if (rc < 0)
		return rc;
	rc = cust_reveal_reason_check(reason, &r->ei);
	if (rc < 0)
		return rc;
	/* The reveal is on record before anyone sees a digit. */
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = req_audit(r, "customer.reveal", "customer", c.id, "ok",
		       json_pack("{s:s}", "reason", reason));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, json_pack("{s:I, s:o, s:o}", "id", (json_int_t)c.id, "address_as",
					    address_json(&c), "phones", phones_json(&c, 1)));
}

static json_t *moved_json(const struct cust_merge_result *m)
{
	return json_pack("{s:i, s:i, s:i, s:i}", "phones", m->phones, "contacts", m->contacts,
			 "orders", m->orders, "vip_history", m->vip_history);
}

/* POST /api/customers/{id}/merge {"from_id"}: one customer out of two duplicates (CUST-1). */
static int customer_merge(struct req *r)
{
	static const char *const fields[] = {"from_id", NULL};
	struct cust_merge_result res;
	struct customer c;
	json_t *v, *detail, *out;
	int64_t id = 0, from;
	int rc = body_only(r, fields);

	if (rc == 0)
		rc = req_param_id(r, 0, &id);
	if (rc < 0)
		return rc;
	v = r->body ? json_object_get(r->body, "from_id") : NULL;
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return err_set(&r->ei, ERR_INVALID, "from_id", "from_id: expected a customer id");
	from = json_integer_value(v);
	/* Both records are read and checked inside the transaction: no merge races another. */
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = cust_merge(r->store, id, from, r->who.person_id, r->now, &c, &res, &r->ei);
	if (rc == 0) {
		detail = json_pack("{s:I, s:o, s:o, s:i}", "from_id", (json_int_t)from, "moved",
				   moved_json(&res), "filled", field_names_json(res.filled),
				   "tags_added", res.tags_added);
		if (detail && res.old_vip != c.vip_level)
			json_object_set_new(detail, "vip_level",
					    json_pack("[i,i]", res.old_vip, c.vip_level));
		rc = req_audit(r, "customer.merge", "customer", id, "ok", detail);
	}
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	out = customer_json(&c);
	if (out)
		json_object_set_new(out, "moved", moved_json(&res));
	return reply_json(r, 200, out);
}

static json_t *fivew_json(const struct cust_contact *c)
{
	json_t *o = json_object();

	for (int i = 0; i < CUST_FIVEW; i++)
		if (c->fivew[i][0])
			json_object_set_new(o, cust_fivew_keys[i], json_string(c->fivew[i]));
	return o;
}

static json_t *contact_json(const struct cust_contact *c)
{
	char masked[CUST_PHONE_DIGITS + 8] = "";

	if (c->phone[0])
		mask_phone(c->phone, masked, sizeof(masked));
	return json_pack("{s:I, s:s, s:s, s:o, s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:I, s:o}",
			 "id", (json_int_t)c->id, "channel", c->channel, "direction", c->direction,
			 "customer_id", ref_json(c->customer_id), "phone", str_or_null(masked),
			 "agent_id", (json_int_t)c->agent_id, "started_at",
			 (json_int_t)c->started_at, "ended_at", ref_json(c->ended_at), "class",
			 str_or_null(c->cls), "fivew", fivew_json(c), "summary",
			 str_or_null(c->summary), "satisfaction", ref_json(c->satisfaction),
			 "created_at", (json_int_t)c->created_at, "call_id", ref_json(c->call_id));
}

int cust_reveal_reason_check(const char *reason, struct err_info *ei)
{
	size_t chars = reason ? utf8_len(reason) : 0;

	if (!reason || utf8_blank(reason) || chars < CUST_REASON_MIN || chars > CUST_REASON_MAX)
		return err_set(ei, ERR_UNPROCESSABLE, "reason",
			       "reason: why you need the numbers, %d to %d characters",
			       CUST_REASON_MIN, CUST_REASON_MAX);
	return 0;
}

json_t *cust_contact_json(const struct cust_contact *c)
{
	return contact_json(c);
}

/*
 * One contact as the answers about it (GET, POST, PATCH) give it: with the compliance
 * metrics of the hotline call it records (CALL-2/4/5/6/7), which the call
 * engine measures and keeps on the call, so the contact and the quality
 * inspection read them in one place. A failure to read them leaves them
 * null rather than the contact unreadable.
 */
static json_t *contact_with_metrics(struct req *r, const struct cust_contact *c)
{
	json_t *o = contact_json(c), *m = NULL;
	char *text = NULL;

	if (o && c->call_id && cust_contact_call_metrics(r->store, c->call_id, &text) == 0 && text)
		m = json_loads(text, 0, NULL);
	free(text);
	if (o)
		json_object_set_new(o, "call_metrics", m ? m : json_null());
	return o;
}

/*
 * fivew: {"when", "who", "where", "what", "why", "how"} (CALL-10). Keys
 * sent replace theirs, null clears one, keys not sent stay; null for the
 * whole object clears all.
 */
int cust_fivew_read(struct req *r, int rc, struct cust_contact *c)
{
	json_t *o = r->body ? json_object_get(r->body, "fivew") : NULL, *v;
	const char *key;

	if (!o)
		return rc;
	if (json_is_null(o)) {
		memset(c->fivew, 0, sizeof(c->fivew));
		return rc;
	}
	if (!json_is_object(o))
		return err_set(&r->ei, ERR_INVALID, "fivew",
			       "fivew: expected an object with when, who, where, what, why, how");
	json_object_foreach(o, key, v)
	{
		int i = cust_fivew_index(key);

		if (i < 0)
			return err_set(&r->ei, ERR_INVALID, "fivew",
				       "fivew: only when, who, where, what, why and how");
		if (!json_is_string(v) && !json_is_null(v))
			return err_set(&r->ei, ERR_INVALID, "fivew", "fivew.%s: expected a string",
				       cust_fivew_keys[i]);
	}
	json_object_foreach(o, key, v)
	{
		int i = cust_fivew_index(key);
		const char *s = json_is_string(v) ? json_string_value(v) : "";

		if (strlen(s) >= sizeof(c->fivew[i]))
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "fivew", "fivew.%s: too long",
				     cust_fivew_keys[i]);
		else
			snprintf(c->fivew[i], sizeof(c->fivew[i]), "%s", s);
	}
	return rc;
}

/* The fields both POST and PATCH take; rc as for read_text. */
static int contact_read_common(struct req *r, int rc, struct cust_contact *c)
{
	json_t *given = r->body ? json_object_get(r->body, "satisfaction") : NULL;
	int64_t sat = c->satisfaction;

#define GO (rc == 0 || rc == ERR_UNPROCESSABLE)
	if (GO)
		rc = read_int(r, rc, "ended_at", 1, &c->ended_at);
	if (GO)
		rc = read_text(r, rc, "class", 1, c->cls, sizeof(c->cls));
	if (GO)
		rc = cust_fivew_read(r, rc, c);
	if (GO)
		rc = read_text(r, rc, "summary", 1, c->summary, sizeof(c->summary));
	if (GO)
		rc = read_int(r, rc, "satisfaction", 1, &sat);
	/* Inside, 0 means "not rated"; a client says that with null, so a 0 sent is out of range. */
	if (GO && json_is_integer(given) && (sat < 1 || sat > 5)) {
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "satisfaction",
			     "satisfaction: 1 to 5 or null");
		sat = c->satisfaction;
	}
#undef GO
	c->satisfaction = (int)sat;
	return rc;
}

static const char *const contact_create_fields[] = {
	"channel", "direction", "customer_id", "phone", "started_at", "ended_at",
	"class",   "fivew",     "summary",     "satisfaction", NULL,
};

static int contact_create(struct req *r)
{
	struct cust_contact *c = calloc(1, sizeof(*c));
	char phone[64] = "";
	const char *s = NULL;
	json_t *detail;
	int rc;

	if (!c)
		return ERR_NOMEM;
	/* CALL-10: the contact is the caller's own record, made now unless told when. */
	c->agent_id = r->who.person_id;
	c->started_at = r->now;
	rc = body_only(r, contact_create_fields);
	if (rc == 0)
		rc = body_str(r, "channel", 1, &s);
	if (rc == 0)
		rc = read_text(r, rc, "channel", 0, c->channel, sizeof(c->channel));
	if (rc == 0)
		rc = body_str(r, "direction", 1, &s);
	if (rc == 0)
		rc = read_text(r, rc, "direction", 0, c->direction, sizeof(c->direction));
	if (rc == 0)
		rc = body_ref(r, "customer_id", &c->customer_id);
	if (rc == 0 || rc == ERR_UNPROCESSABLE)
		rc = read_text(r, rc, "phone", 1, phone, sizeof(phone));
	/* A number an agent typed is a whole Chinese one (CUST-1). */
	if ((rc == 0 || rc == ERR_UNPROCESSABLE) && phone[0])
		rc = cust_phone_check(phone, c->phone, sizeof(c->phone), "phone", rc, &r->ei);
	if (rc == 0 || rc == ERR_UNPROCESSABLE)
		rc = read_int(r, rc, "started_at", 0, &c->started_at);
	if (rc == 0 || rc == ERR_UNPROCESSABLE)
		rc = contact_read_common(r, rc, c);
	if (rc == 0 || rc == ERR_UNPROCESSABLE)
		rc = cust_contact_validate_more(c, r->now, rc, &r->ei);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	rc = cust_contact_insert(r->store, c, r->now, &r->ei);
	if (rc == 0) {
		detail = json_pack("{s:s, s:s, s:o, s:o}", "channel", c->channel, "direction",
				   c->direction, "customer_id", ref_json(c->customer_id), "class",
				   str_or_null(c->cls));
		rc = req_audit(r, "contact.create", "contact", c->id, "ok", detail);
	}
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = reply_json(r, 201, contact_with_metrics(r, c));
out:
	free(c);
	return rc;
}

static int load_contact(struct req *r, struct cust_contact *c)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = cust_contact_get(r->store, id, c);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such contact");
	return rc;
}

static int contact_get(struct req *r)
{
	struct cust_contact *c = malloc(sizeof(*c));
	int rc;

	if (!c)
		return ERR_NOMEM;
	rc = load_contact(r, c);
	if (rc == 0)
		rc = reply_json(r, 200, contact_with_metrics(r, c));
	free(c);
	return rc;
}

/*
 * CALL-10: a record is corrected by the agent who made it, or by a
 * supervisor or the manager. The policy table gives agents the contact
 * permission for all contacts (they record them), so the owner rule is
 * checked here, and a refusal is audited as every denial is (SEC-2).
 */
static int authorize_contact_edit(struct req *r, const struct cust_contact *c)
{
	if (c->agent_id == r->who.person_id || (r->who.roles & (ROLE_SUPERVISOR | ROLE_MANAGER)))
		return 0;
	req_audit(r, "access.denied", "contact", c->id, "denied",
		  json_pack("{s:s, s:s, s:s}", "permission", auth_action_name(ACT_CONTACT_WRITE),
			    "method", r->method, "path", r->path));
	return err_set(&r->ei, ERR_FORBIDDEN, NULL,
		       "only the agent who recorded a contact, a supervisor or the manager may"
		       " change it");
}

/* The names of the contact fields that differ, for the audit entry. */
static json_t *contact_changes(const struct cust_contact *a, const struct cust_contact *b)
{
	json_t *fields = json_array(), *d;

	if (a->ended_at != b->ended_at)
		json_array_append_new(fields, json_string("ended_at"));
	if (strcmp(a->cls, b->cls))
		json_array_append_new(fields, json_string("class"));
	for (int i = 0; i < CUST_FIVEW; i++)
		if (strcmp(a->fivew[i], b->fivew[i])) {
			json_array_append_new(fields, json_string("fivew"));
			break;
		}
	if (strcmp(a->summary, b->summary))
		json_array_append_new(fields, json_string("summary"));
	if (a->satisfaction != b->satisfaction)
		json_array_append_new(fields, json_string("satisfaction"));
	if (a->customer_id != b->customer_id)
		json_array_append_new(fields, json_string("customer_id"));
	if (json_array_size(fields) == 0) {
		json_decref(fields);
		return NULL;
	}
	d = json_pack("{s:o}", "fields", fields);
	if (d && strcmp(a->cls, b->cls))
		json_object_set_new(d, "class", json_pack("[o,o]", str_or_null(a->cls),
							  str_or_null(b->cls)));
	if (d && a->satisfaction != b->satisfaction)
		json_object_set_new(d, "satisfaction", json_pack("[o,o]", ref_json(a->satisfaction),
								 ref_json(b->satisfaction)));
	if (d && a->customer_id != b->customer_id)
		json_object_set_new(
			d, "customer_id",
			json_pack("[o,o]", ref_json(a->customer_id), ref_json(b->customer_id)));
	return d;
}

static const char *const contact_update_fields[] = {
	"ended_at", "class", "fivew", "summary", "satisfaction", "customer_id", NULL,
};

/*
 * CUST-5, CALL-10: the hotline writes a call's contact when the agent
 * answers, before anyone knows who an unknown number belongs to; the agent
 * attaches it to the customer found or created during the call. A contact
 * that has a customer keeps it (a merged id means its survivor, which is
 * the same customer).
 */
static int read_customer(struct req *r, const struct cust_contact *old, struct cust_contact *c)
{
	int64_t id = 0;
	int rc;

	if (!r->body || !json_object_get(r->body, "customer_id"))
		return 0;
	rc = body_ref(r, "customer_id", &id);
	if (rc < 0)
		return rc;
	if (!id)
		return err_set(&r->ei, ERR_INVALID, "customer_id", "customer_id: expected an id");
	rc = cust_exists(r->store, id, &id);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "customer_id", "no such customer");
	if (rc < 0)
		return rc;
	if (old->customer_id && old->customer_id != id)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "customer_id",
			       "customer_id: a contact keeps the customer it is attached to");
	c->customer_id = id;
	return 0;
}

static int contact_update(struct req *r)
{
	struct cust_contact *old = malloc(sizeof(*old)), *c = malloc(sizeof(*c));
	json_t *detail = NULL;
	int rc;

	if (!old || !c) {
		rc = ERR_NOMEM;
		goto out;
	}
	rc = body_only(r, contact_update_fields);
	if (rc == 0)
		rc = load_contact(r, old);
	if (rc == 0)
		rc = authorize_contact_edit(r, old);
	if (rc < 0)
		goto out;
	memcpy(c, old, sizeof(*c));
	rc = contact_read_common(r, 0, c);
	if (rc == 0)
		rc = read_customer(r, old, c);
	if (rc == 0 || rc == ERR_UNPROCESSABLE)
		rc = cust_contact_validate_more(c, r->now, rc, &r->ei);
	if (rc < 0)
		goto out;
	detail = contact_changes(old, c);
	if (!detail) {
		rc = reply_json(r, 200, contact_with_metrics(r, old));
		goto out;
	}
	rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	rc = cust_contact_update(r->store, c, r->now, &r->ei);
	if (rc == 0)
		rc = req_audit(r, "contact.update", "contact", c->id, "ok", detail);
	else
		json_decref(detail);
	detail = NULL;
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = reply_json(r, 200, contact_with_metrics(r, c));
out:
	json_decref(detail);
	free(old);
	free(c);
	return rc;
}

static int contacts_list_row(void *ctx, const struct cust_contact *c)
{
	struct list_ctx *lc = ctx;

	lc->last_id = c->id;
	return json_array_append_new(lc->items, contact_json(c));
}

static int contacts_list(struct req *r)
{
	struct cust_contact_filter f = {0};
	struct list_ctx lc = {NULL, 0};
	int rc, n;

	rc = req_page(r, &f.limit, &f.before_id);
	if (rc == 0)
		rc = req_query_int(r, "customer_id", 1, INT64_MAX, &f.customer_id);
	if (rc == 0)
		rc = req_query_int(r, "agent_id", 1, INT64_MAX, &f.agent_id);
	if (rc == 0)
		rc = req_query_int(r, "from", 0, INT64_MAX, &f.from);
	if (rc == 0)
		rc = req_query_int(r, "to", 0, INT64_MAX, &f.to);
	/* A merged customer's contacts are the survivor's now. */
	if (rc == 0 && f.customer_id) {
		rc = cust_exists(r->store, f.customer_id, &f.customer_id);
		if (rc == ERR_NOTFOUND)
			rc = 0;
	}
	if (rc < 0)
		return rc;
	lc.items = json_array();
	n = cust_contact_list(r->store, &f, contacts_list_row, &lc);
	if (n < 0) {
		json_decref(lc.items);
		return n;
	}
	return reply_page(r, lc.items, n == f.limit ? lc.last_id : 0);
}

/* /lookup comes before /{id}: the router takes the first pattern that fits. */
/*
 * Seed 003: files attached to a contact (a photo the caller sent, a
 * document). Those who may read contacts see them; adding one takes the
 * right to record contacts too, removing one ACT_ATTACHMENT_DELETE.
 */
static int contact_attachment(struct req *r, int (*fn)(struct req *, const char *, int64_t))
{
	struct cust_contact *c = malloc(sizeof(*c));
	int rc;

	if (!c)
		return ERR_NOMEM;
	rc = load_contact(r, c);
	if (rc == 0 && fn != att_api_list && fn != att_api_download)
		rc = req_authorize(r, ACT_CUST_READ, NULL);
	if (rc == 0 && fn == att_api_upload)
		rc = req_authorize(r, ACT_CONTACT_WRITE, NULL);
	if (rc == 0)
		rc = fn(r, "contact", c->id);
	free(c);
	return rc;
}

static int contact_attachments(struct req *r)
{
	return contact_attachment(r, att_api_list);
}

static int contact_attachment_add(struct req *r)
{
	return contact_attachment(r, att_api_upload);
}

static int contact_attachment_get(struct req *r)
{
	return contact_attachment(r, att_api_download);
}

static int contact_attachment_delete(struct req *r)
{
	return contact_attachment(r, att_api_delete);
}

const struct route cust_routes[] = {
	{"GET", "/api/customers/lookup", customer_lookup, ACT_CUST_READ},
	{"GET", "/api/customers", customers_list, ACT_CUST_READ},
	{"POST", "/api/customers", customer_create, ACT_CUST_WRITE},
	{"GET", "/api/customers/{id}", customer_get, ACT_CUST_READ},
	{"PATCH", "/api/customers/{id}", customer_update, ACT_CUST_WRITE},
	{"POST", "/api/customers/{id}/reveal", customer_reveal, ACT_CUST_REVEAL},
	{"POST", "/api/customers/{id}/merge", customer_merge, ACT_CUST_MERGE},
	{"GET", "/api/contacts", contacts_list, ACT_CUST_READ},
	{"POST", "/api/contacts", contact_create, ACT_CONTACT_WRITE},
	{"GET", "/api/contacts/{id}", contact_get, ACT_CUST_READ},
	{"PATCH", "/api/contacts/{id}", contact_update, ACT_CONTACT_WRITE},
	{"GET", "/api/contacts/{id}/attachments", contact_attachments, ACT_CUST_READ},
	{"POST", "/api/contacts/{id}/attachments", contact_attachment_add, ACT_ATTACHMENT_ADD},
	{"GET", "/api/contacts/{id}/attachments/{aid}", contact_attachment_get, ACT_CUST_READ},
	{"DELETE", "/api/contacts/{id}/attachments/{aid}", contact_attachment_delete,
	 ACT_ATTACHMENT_DELETE},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
