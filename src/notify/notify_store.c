/*
 * The SQL of notifications. A notification is one row; nothing here begins
 * or commits a transaction: notify_send() writes inside its caller's, and
 * the API's handlers wrap their updates themselves.
 */
#include <stdint.h>

#include "core/err.h"
#include "notify/notify.h"
#include "store/store.h"

#define NOTIFY_COLS "id, person_id, at, kind, order_id, text, read_at"

int notify_send(struct store *s, int64_t person_id, const char *kind, int64_t order_id,
		const char *text, int64_t now)
{
	char fitted[NOTIFY_TEXT_SIZE];
	int rc;

	if (person_id <= 0 || order_id < 0 || !notify_kind_valid(kind))
		return ERR_INVALID;
	rc = notify_text_fit(text, fitted, sizeof(fitted));
	if (rc < 0)
		return rc;
	rc = store_run(s,
		       "INSERT INTO notification(person_id, at, kind, order_id, text)"
		       " VALUES (?, ?, ?, ?, ?)",
		       NULL, "iitdt", person_id, now, kind, order_id, fitted);
	return rc < 0 ? rc : 0;
}

static int item_read(struct store_stmt *st, void *dst)
{
	struct notify_item *n = dst;

	n->id = store_col_int(st, 0);
	n->person_id = store_col_int(st, 1);
	n->at = store_col_int(st, 2);
	n->kind = store_col_text_or(st, 3, "");
	n->order_id = store_col_int(st, 4); /* NULL reads as 0 */
	n->text = store_col_text_or(st, 5, "");
	n->read_at = store_col_int(st, 6);
	return 0;
}

/* Steps a prepared, bound statement to its end, giving each row to row(). */
/* Walks a prepared, bound statement to its end, giving each row to row(). */
static int rows(struct store_stmt *st, notify_row_fn row, void *ctx)
{
	struct notify_item n;
	int rc, count = 0;

	while ((rc = store_next(st, item_read, &n)) == 1 && (rc = row(ctx, &n)) >= 0)
		count++;
	return store_end(st, rc, count);
}

int notify_list(struct store *s, const struct notify_filter *f, notify_row_fn row, void *ctx)
{
	int64_t before = f->before_id > 0 ? f->before_id : INT64_MAX;

	/* Two fixed statements rather than one built at run time, so both stay cached. */
	return rows(f->unread_only
			    ? store_query(s,
					  "SELECT " NOTIFY_COLS " FROM notification"
					  " WHERE person_id = ? AND id < ? AND read_at IS NULL"
					  " ORDER BY id DESC LIMIT ?",
					  "iii", f->person_id, before, (int64_t)f->limit)
			    : store_query(s,
					  "SELECT " NOTIFY_COLS " FROM notification"
					  " WHERE person_id = ? AND id < ?"
					  " ORDER BY id DESC LIMIT ?",
					  "iii", f->person_id, before, (int64_t)f->limit),
		    row, ctx);
}

int notify_count_unread(struct store *s, int64_t person_id, int64_t *out)
{
	int rc = store_run(s,
			   "SELECT count(*) FROM notification"
			   " WHERE person_id = ? AND read_at IS NULL",
			   out, "i", person_id);

	return rc < 0 ? rc : 0;
}

int notify_mark_read(struct store *s, int64_t person_id, int64_t id, int64_t now,
		     notify_row_fn row, void *ctx)
{
	/*
	 * The person's id is part of the condition, so someone else's
	 * notification is "not found" exactly like one that does not exist.
	 */
	int n = rows(store_query(s,
				 "UPDATE notification SET read_at = coalesce(read_at, ?)"
				 " WHERE id = ? AND person_id = ? RETURNING " NOTIFY_COLS,
				 "iii", now, id, person_id),
		     row, ctx);

	if (n < 0)
		return n;
	return n == 0 ? ERR_NOTFOUND : 0;
}

int notify_mark_all_read(struct store *s, int64_t person_id, int64_t up_to, int64_t now)
{
	int rc = store_run(s,
			   "UPDATE notification SET read_at = ?"
			   " WHERE person_id = ? AND id <= ? AND read_at IS NULL",
			   NULL, "iii", now, person_id, up_to > 0 ? up_to : INT64_MAX);

	return rc < 0 ? rc : store_changes(s);
}

int notify_after(struct store *s, int64_t person_id, int64_t after, int64_t upto, int limit,
		 notify_row_fn row, void *ctx)
{
	if (upto <= 0)
		upto = INT64_MAX;
	if (person_id)
		return rows(store_query(s,
					"SELECT " NOTIFY_COLS " FROM notification"
					" WHERE person_id = ? AND id > ? AND id <= ?"
					" ORDER BY id LIMIT ?",
					"iiii", person_id, after, upto, (int64_t)limit),
			    row, ctx);
	return rows(store_query(s,
				"SELECT " NOTIFY_COLS " FROM notification"
				" WHERE id > ? AND id <= ? ORDER BY id LIMIT ?",
				"iii", after, upto, (int64_t)limit),
		    row, ctx);
}

int notify_last_id(struct store *s, int64_t *out)
{
	int rc = store_run(s, "SELECT coalesce(max(id), 0) FROM notification", out, "");

	return rc < 0 ? rc : 0;
}

/*
 * The rule is authentication's (auth_session_lookup): the session exists,
 * its person is active, and now is before both its absolute expiry and
 * last use + idle time. It is repeated here, read-only, because the lookup
 * also records the session as used, and a stream left open in a tab must
 * not keep its session alive forever.
 */
int notify_session_live(struct store *s, int64_t session_id, int64_t now, int64_t idle_ms)
{
	return store_run(s,
			 "SELECT 1 FROM session s JOIN person p ON p.id = s.person_id"
			 " WHERE s.id = ? AND p.active <> 0 AND ? < s.expires_at"
			 " AND ? < s.last_seen_at + ?",
			 NULL, "iiii", session_id, now, now, idle_ms);
}
