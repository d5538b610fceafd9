/*
 * The handover over HTTP (the routes under /api/handover): the current log (drafted when
 * opened), the history with its search, one log with its items, the
 * outgoing person's notes and items, and the two signatures (WFM-6,
 * WFM-7). Every field is checked and the caller's right to the side they
 * act for decided before the write transaction begins; each change is one
 * transaction with its audit entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/utf8.h"
#include "handover/handover.h"
#include "http/http.h"
#include "notify/notify.h"
#include "store/store.h"
#include "wfm/wfm.h"

static json_t *id_or_null(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

static json_t *signer_json(int64_t id, const char *name)
{
	return id ? json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", name) : json_null();
}

static json_t *handover_json(const struct handover *h)
{
	return json_pack(
		"{s:I, s:I, s:I, s:I, s:{s:I, s:s, s:s}, s:{s:I, s:s, s:s}, s:s, s:s, s:o, s:o,"
		" s:o, s:o, s:s, s:o, s:i, s:I}",
		"id", (json_int_t)h->id, "change_at", (json_int_t)h->change_at, "prev_at",
		(json_int_t)h->prev_at, "next_at", (json_int_t)h->next_at, "out_shift", "type_id",
		(json_int_t)h->out_type_id, "name", h->out_type_name, "day", h->out_day, "in_shift",
		"type_id", (json_int_t)h->in_type_id, "name", h->in_type_name, "day", h->in_day,
		"state", h->state, "notes", h->notes, "out_signer",
		signer_json(h->out_by, h->out_name), "out_signed_at", id_or_null(h->out_at),
		"in_signer", signer_json(h->in_by, h->in_name), "in_signed_at",
		id_or_null(h->in_at), "in_remark", h->in_remark, "snapshot_at",
		id_or_null(h->snapshot_at), "flagged", h->flagged, "updated_at",
		(json_int_t)h->updated_at);
}

static json_t *item_json(const struct handover_item *it)
{
	return json_pack("{s:I, s:s, s:o, s:s, s:s, s:o, s:b, s:b, s:b, s:o, s:I}", "id",
			 (json_int_t)it->id, "kind", handover_kind_name(it->kind), "ref_id",
			 id_or_null(it->ref_id), "title", it->title, "link", it->link, "due_at",
			 id_or_null(it->due_at), "included", it->included, "at_change",
			 it->at_change, "flagged", it->flagged, "added_by",
			 id_or_null(it->added_by), "created_at", (json_int_t)it->created_at);
}

static int item_row(void *ctx, const struct handover_item *it)
{
	return json_array_append_new(ctx, item_json(it));
}

static int forbidden(struct req *r)
{
	return err_set(&r->ei, ERR_FORBIDDEN, NULL,
		       "only the duty persons of these shifts, supervisors and the manager");
}

/* 1 when the caller may act for side; a negative err when the roster cannot be read. */
static int may(struct req *r, const struct handover *h, enum handover_side side)
{
	return handover_may_side(r->store, h, r->who.person_id, r->who.roles, side);
}

/* Reading: a duty person of either side, or one who signed it. */
static int may_read(struct req *r, const struct handover *h)
{
	int rc;

	if (h->out_by == r->who.person_id || h->in_by == r->who.person_id)
		return 0;
	rc = may(r, h, HS_OUT);
	if (rc == 0)
		rc = may(r, h, HS_IN);
	if (rc < 0)
		return rc;
	return rc ? 0 : forbidden(r);
}

/* The log with its items and what the caller may do with it. */
static int reply_full(struct req *r, unsigned status, const struct handover *h)
{
	json_t *o = handover_json(h), *items = json_array();
	int out = may(r, h, HS_OUT), in = may(r, h, HS_IN);
	int rc = handover_items(r->store, h->id, item_row, items);

	if (rc < 0 || out < 0 || in < 0) {
		json_decref(o);
		json_decref(items);
		return rc < 0 ? rc : ERR_IO;
	}
	json_object_set_new(o, "items", items);
	json_object_set_new(o, "may",
			    json_pack("{s:b, s:b, s:b}", "edit",
				      out && strcmp(h->state, "draft") == 0, "sign_out",
				      out && strcmp(h->state, "draft") == 0, "sign_in",
				      in && strcmp(h->state, "out_signed") == 0 &&
					      h->out_by != r->who.person_id));
	return reply_json(r, status, o);
}

/* GET /api/handover/current: the log being written now, drafted when opened. */
static int current(struct req *r)
{
	struct handover_clock c;
	struct wfm_settings w;
	struct handover h;
	const struct handover_slot *slot;
	int created = 0, rc = wfm_settings_get(r->store, &w);

	if (rc < 0)
		return rc;
	rc = handover_clock_load(r->store, r->now, &c);
	if (rc < 0)
		return rc;
	if (!c.have) {
		handover_clock_free(&c);
		return err_set(&r->ei, ERR_NOTFOUND, NULL,
			       "no shift changes: there is no active shift type");
	}
	/* From the summary before the next change on, that change's log; else the last one's. */
	slot = r->now >= c.next.at - (int64_t)w.summary_min * 60000 ? &c.next : &c.prev;
	/* Who may see it is decided on the shifts alone, before anything is written. */
	memset(&h, 0, sizeof(h));
	h.out_type_id = c.types[slot->out_idx].id;
	h.in_type_id = c.types[slot->in_idx].id;
	handover_day_text(slot->out_ymd, h.out_day, sizeof(h.out_day));
	handover_day_text(slot->in_ymd, h.in_day, sizeof(h.in_day));
	rc = handover_get_at(r->store, slot->at, &h);
	if (rc == ERR_NOTFOUND)
		rc = 0;
	if (rc == 0)
		rc = may_read(r, &h);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0) {
		handover_clock_free(&c);
		return rc;
	}
	rc = handover_ensure(r->store, &c, slot, r->now, &h, &created);
	handover_clock_free(&c);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_full(r, 200, &h);
}

static int load(struct req *r, struct handover *h)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = handover_get(r->store, id, h);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such handover");
	return rc;
}

/* GET /api/handover/{id}; a log read after its change without a snapshot takes it. */
static int get_one(struct req *r)
{
	struct handover h;
	int rc = load(r, &h);

	if (rc == 0)
		rc = may_read(r, &h);
	if (rc < 0)
		return rc;
	if (r->now >= h.change_at && !h.snapshot_at) {
		rc = store_begin(r->store);
		if (rc < 0)
			return rc;
		rc = req_finish(r, handover_snapshot(r->store, &h, r->now));
		if (rc < 0)
			return rc;
	}
	return reply_full(r, 200, &h);
}

static int list_row(void *ctx, const struct handover *h)
{
	return json_array_append_new(ctx, handover_json(h));
}

/* GET /api/handover: the history, newest first. */
static int list(struct req *r)
{
	struct handover_filter f;
	json_t *items;
	int64_t cursor = 0, from = 0, to = 0, person = 0;
	const char *q = NULL;
	int limit, rc = req_page(r, &limit, &cursor);

	if (rc == 0)
		rc = req_query_int(r, "from", 1, INT64_MAX, &from);
	if (rc == 0)
		rc = req_query_int(r, "to", 1, INT64_MAX, &to);
	if (rc == 0)
		rc = req_query_int(r, "person", 1, INT64_MAX, &person);
	if (rc == 0)
		rc = req_query(r, "q", &q);
	if (rc < 0)
		return rc;
	if (q && utf8_len(q) > 100)
		return err_set(&r->ei, ERR_INVALID, "q", "q: at most 100 characters");
	memset(&f, 0, sizeof(f));
	f.from = from;
	f.to = to;
	f.person_id = person;
	f.text = q;
	f.before = cursor;
	f.limit = limit;
	/* Agents: the handovers of their shifts and those they signed. */
	if (!(r->who.roles & (ROLE_SUPERVISOR | ROLE_MANAGER)))
		f.agent_id = r->who.person_id;
	items = json_array();
	rc = handover_list(r->store, &f, list_row, items);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_page(r, items,
			  rc == limit ? json_integer_value(json_object_get(
						json_array_get(items, (size_t)rc - 1), "change_at"))
				      : 0);
}

/* The outgoing person's edits: a draft, and the right to the outgoing side. */
static int load_for_edit(struct req *r, struct handover *h)
{
	int rc = load(r, h);

	if (rc == 0)
		rc = may(r, h, HS_OUT);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return forbidden(r);
	if (strcmp(h->state, "draft") != 0)
		return err_set(&r->ei, ERR_CONFLICT, NULL,
			       "the outgoing duty person has signed: the log is locked");
	return 0;
}

/* A text field of at most max characters, when present. */
static int body_text(struct req *r, const char *key, int required, size_t max, const char **out)
{
	int rc = body_str(r, key, required, out);

	if (rc == 0 && *out && utf8_len(*out) > max)
		return err_set(&r->ei, ERR_UNPROCESSABLE, key, "%s: at most %d characters", key,
			       (int)max);
	return rc;
}

/* PATCH /api/handover/{id}: the shift's notes. */
static int patch(struct req *r)
{
	static const char *const fields[] = {"notes", NULL};
	struct handover h;
	const char *notes = NULL;
	int rc = body_only(r, fields);

	if (rc == 0)
		rc = body_text(r, "notes", 1, HANDOVER_NOTES_MAX, &notes);
	if (rc == 0)
		rc = load_for_edit(r, &h);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	snprintf(h.notes, sizeof(h.notes), "%s", notes);
	h.updated_at = r->now;
	rc = handover_save(r->store, &h);
	if (rc == 0)
		rc = req_audit(r, "handover.notes", "handover", h.id, "ok",
			       json_pack("{s:s}", "notes", h.notes));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_full(r, 200, &h);
}

/* POST /api/handover/{id}/refresh: the draft again from the live state. */
static int refresh(struct req *r)
{
	struct handover h;
	int rc = load_for_edit(r, &h);

	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = handover_refresh(r->store, &h, r->now);
	if (rc == 0)
		rc = req_audit(r, "handover.refresh", "handover", h.id, "ok", NULL);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_full(r, 200, &h);
}

/* POST /api/handover/{id}/items: an item the outgoing person adds by hand. */
static int item_add(struct req *r)
{
	static const char *const fields[] = {"title", "due_at", NULL};
	struct handover h;
	struct handover_item it;
	const char *title = NULL;
	json_t *due = json_object_get(r->body, "due_at");
	int rc = body_only(r, fields);

	memset(&it, 0, sizeof(it));
	if (rc == 0)
		rc = body_text(r, "title", 1, HANDOVER_TEXT_MAX, &title);
	if (rc == 0 && due && !json_is_null(due) &&
	    (!json_is_integer(due) || json_integer_value(due) <= 0))
		rc = err_set(&r->ei, ERR_INVALID, "due_at", "due_at: an instant in milliseconds");
	if (rc == 0 && utf8_blank(title))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "title", "title: required");
	if (rc == 0)
		rc = load_for_edit(r, &h);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	it.kind = HK_MANUAL;
	it.included = 1;
	snprintf(it.title, sizeof(it.title), "%s", title);
	it.due_at = json_is_integer(due) ? json_integer_value(due) : 0;
	it.added_by = r->who.person_id;
	it.created_at = r->now;
	rc = handover_item_insert(r->store, h.id, &it);
	if (rc == 0)
		rc = req_audit(
			r, "handover.item.add", "handover", h.id, "ok",
			json_pack("{s:I, s:s}", "item_id", (json_int_t)it.id, "title", it.title));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 201, item_json(&it));
}

/* PATCH /api/handover/{id}/items/{item}: in the log or left out. */
static int item_patch(struct req *r)
{
	static const char *const fields[] = {"included", NULL};
	struct handover h;
	struct handover_item it;
	int64_t item_id;
	int included = -1, rc = body_only(r, fields);

	if (rc == 0)
		rc = body_bool(r, "included", &included);
	if (rc == 0 && included < 0)
		rc = err_set(&r->ei, ERR_INVALID, "included", "%s: required", "included");
	if (rc == 0)
		rc = load_for_edit(r, &h);
	if (rc == 0)
		rc = req_param_id(r, 1, &item_id);
	if (rc == 0)
		rc = handover_item_get(r->store, h.id, item_id, &it);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such item");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	it.included = included;
	rc = handover_item_save(r->store, &it);
	if (rc == 0)
		rc = req_audit(r, "handover.item.update", "handover", h.id, "ok",
			       json_pack("{s:I, s:s, s:b}", "item_id", (json_int_t)it.id, "kind",
					 handover_kind_name(it.kind), "included", it.included));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, item_json(&it));
}

static int sign(struct req *r, enum handover_side side)
{
	static const char *const out_fields[] = {NULL};
	static const char *const in_fields[] = {"remark", NULL};
	struct handover h;
	const char *remark = NULL, *why = NULL;
	int rc = body_only(r, side == HS_OUT ? out_fields : in_fields);

	if (rc == 0 && side == HS_IN)
		rc = body_text(r, "remark", 0, HANDOVER_TEXT_MAX, &remark);
	if (rc == 0)
		rc = load(r, &h);
	if (rc == 0)
		rc = may(r, &h, side);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return forbidden(r);
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = handover_sign(r->store, &h, side, r->who.person_id, remark, r->now, &why);
	if (rc == ERR_CONFLICT && why)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "%s", why);
	if (rc == 0)
		rc = req_audit(r, side == HS_OUT ? "handover.sign_out" : "handover.sign_in",
			       "handover", h.id, "ok",
			       side == HS_OUT
				       ? json_pack("{s:I}", "change_at", (json_int_t)h.change_at)
				       : json_pack("{s:I, s:s, s:i}", "change_at",
						   (json_int_t)h.change_at, "remark", h.in_remark,
						   "flagged", h.flagged));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	notify_wake();
	/* Again from the table, with the signers' names. */
	rc = handover_get(r->store, h.id, &h);
	if (rc < 0)
		return rc;
	return reply_full(r, 200, &h);
}

static int sign_out(struct req *r)
{
	return sign(r, HS_OUT);
}

static int sign_in(struct req *r)
{
	return sign(r, HS_IN);
}

const struct route handover_routes[] = {
	{"GET", "/api/handover/current", current, ACT_HANDOVER},
	{"GET", "/api/handover", list, ACT_HANDOVER},
	{"GET", "/api/handover/{id}", get_one, ACT_HANDOVER},
	{"PATCH", "/api/handover/{id}", patch, ACT_HANDOVER},
	{"POST", "/api/handover/{id}/refresh", refresh, ACT_HANDOVER},
	{"POST", "/api/handover/{id}/items", item_add, ACT_HANDOVER},
	{"PATCH", "/api/handover/{id}/items/{item}", item_patch, ACT_HANDOVER},
	{"POST", "/api/handover/{id}/sign-out", sign_out, ACT_HANDOVER},
	{"POST", "/api/handover/{id}/sign-in", sign_in, ACT_HANDOVER},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
