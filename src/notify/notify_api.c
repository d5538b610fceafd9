/*
 * /api/notifications: the logged-in person's own notifications (ACT_SELF).
 *
 * Everything here is about the caller only: the person id comes from the
 * session, never from the request, so someone else's notification is 404
 * like one that does not exist. Marking read is not audited: it changes
 * nothing but the reader's own inbox, and an entry per click would bury
 * the log's real changes.
 */
#include <string.h>

#include "http/http.h"
#include "notify/notify.h"
#include "store/store.h"

static json_t *ref_json(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

json_t *notify_item_json(const struct notify_item *n)
{
	return json_pack("{s:I, s:I, s:s, s:o, s:s, s:o}", "id", (json_int_t)n->id, "at",
			 (json_int_t)n->at, "kind", n->kind, "order_id", ref_json(n->order_id),
			 "text", n->text, "read_at", ref_json(n->read_at));
}

struct list_ctx {
	json_t *items;
	int64_t last_id;
};

static int list_row(void *ctx, const struct notify_item *n)
{
	struct list_ctx *lc = ctx;
	json_t *o = notify_item_json(n);

	if (!o || json_array_append_new(lc->items, o) < 0)
		return ERR_NOMEM;
	lc->last_id = n->id;
	return 0;
}

/* The unread count goes into every answer, so the badge needs no second call. */
static int add_unread_count(struct req *r)
{
	int64_t count = 0;
	int rc = notify_count_unread(r->store, r->who.person_id, &count);

	if (rc < 0)
		return rc;
	json_object_set_new(r->reply, "unread_count", json_integer(count));
	return 0;
}

static int notifications_list(struct req *r)
{
	struct notify_filter f;
	struct list_ctx lc = {NULL, 0};
	const char *unread = NULL;
	int rc, n;

	memset(&f, 0, sizeof(f));
	f.person_id = r->who.person_id;
	rc = req_page(r, &f.limit, &f.before_id);
	if (rc == 0)
		rc = req_query(r, "unread", &unread);
	if (rc < 0)
		return rc;
	if (unread && strcmp(unread, "true") != 0 && strcmp(unread, "false") != 0)
		return err_set(&r->ei, ERR_INVALID, "unread", "unread: true or false");
	f.unread_only = unread && strcmp(unread, "true") == 0;
	lc.items = json_array();
	if (!lc.items)
		return ERR_NOMEM;
	n = notify_list(r->store, &f, list_row, &lc);
	if (n < 0) {
		json_decref(lc.items);
		return n;
	}
	rc = reply_page(r, lc.items, n == f.limit ? lc.last_id : 0);
	return rc < 0 ? rc : add_unread_count(r);
}

static int one_row(void *ctx, const struct notify_item *n)
{
	json_t **out = ctx;

	*out = notify_item_json(n);
	return *out ? 0 : ERR_NOMEM;
}

static int notification_read(struct req *r)
{
	static const char *const none[] = {NULL};
	json_t *item = NULL;
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = body_only(r, none);
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = notify_mark_read(r->store, r->who.person_id, id, r->now, one_row, &item);
	if (rc == ERR_NOTFOUND)
		err_set(&r->ei, rc, NULL, "no such notification");
	rc = req_finish(r, rc);
	if (rc < 0) {
		json_decref(item);
		return rc;
	}
	rc = reply_json(r, 200, item);
	return rc < 0 ? rc : add_unread_count(r);
}

static int notifications_read_all(struct req *r)
{
	static const char *const allowed[] = {"up_to", NULL};
	int64_t up_to = 0;
	int rc = body_only(r, allowed);
	int n;

	/* up_to: the newest one the person has seen, so one that arrives while
	 * they click is not marked read unseen. */
	if (rc == 0)
		rc = body_ref(r, "up_to", &up_to);
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	n = notify_mark_all_read(r->store, r->who.person_id, up_to, r->now);
	rc = req_finish(r, n < 0 ? n : 0);
	if (rc < 0)
		return rc;
	rc = reply_json(r, 200, json_pack("{s:i}", "marked", n));
	return rc < 0 ? rc : add_unread_count(r);
}

const struct route notify_routes[] = {
	{"GET", "/api/notifications", notifications_list, ACT_SELF},
	{"POST", "/api/notifications/read-all", notifications_read_all, ACT_SELF},
	{"POST", "/api/notifications/{id}/read", notification_read, ACT_SELF},
	{"GET", "/api/events", notify_events_open, ACT_SELF},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
