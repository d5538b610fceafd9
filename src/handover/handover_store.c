/*
 * The handover's SQL: the logs, their items, the reminders' bookkeeping
 * (migration 19), and what it reads of the roster (migration 15) and of the
 * people with its own statements.
 */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "handover/handover.h"
#include "store/store.h"

#define COLS                                                                                       \
	"h.id, h.change_at, h.prev_at, h.next_at, h.out_type_id, h.in_type_id,"                    \
	" (SELECT name FROM wfm_shift_type WHERE id = h.out_type_id),"                             \
	" (SELECT name FROM wfm_shift_type WHERE id = h.in_type_id), h.out_day, h.in_day,"         \
	" h.state, h.notes, h.out_by, h.out_at, h.in_by, h.in_at,"                                 \
	" (SELECT name FROM person WHERE id = h.out_by), (SELECT name FROM person WHERE id ="      \
	" h.in_by), h.in_remark, h.snapshot_at, h.flagged, h.created_at, h.updated_at"

static int row_read(struct store_stmt *st, void *dst)
{
	struct handover *h = dst;

	memset(h, 0, sizeof(*h));
	h->id = store_col_int(st, 0);
	h->change_at = store_col_int(st, 1);
	h->prev_at = store_col_int(st, 2);
	h->next_at = store_col_int(st, 3);
	h->out_type_id = store_col_int(st, 4);
	h->in_type_id = store_col_int(st, 5);
	STORE_COL_COPY(st, 6, h->out_type_name);
	STORE_COL_COPY(st, 7, h->in_type_name);
	STORE_COL_COPY(st, 8, h->out_day);
	STORE_COL_COPY(st, 9, h->in_day);
	STORE_COL_COPY(st, 10, h->state);
	STORE_COL_COPY(st, 11, h->notes);
	h->out_by = store_col_int(st, 12);
	h->out_at = store_col_int(st, 13);
	h->in_by = store_col_int(st, 14);
	h->in_at = store_col_int(st, 15);
	STORE_COL_COPY(st, 16, h->out_name);
	STORE_COL_COPY(st, 17, h->in_name);
	STORE_COL_COPY(st, 18, h->in_remark);
	h->snapshot_at = store_col_int(st, 19);
	h->flagged = (int)store_col_int(st, 20);
	h->created_at = store_col_int(st, 21);
	h->updated_at = store_col_int(st, 22);
	return 0;
}

int handover_get(struct store *s, int64_t id, struct handover *out)
{
	return store_one(store_query(s, "SELECT " COLS " FROM handover h WHERE h.id = ?", "i", id),
			 row_read, out);
}

int handover_get_at(struct store *s, int64_t change_at, struct handover *out)
{
	return store_one(store_query(s, "SELECT " COLS " FROM handover h WHERE h.change_at = ?",
				     "i", change_at),
			 row_read, out);
}

int handover_insert(struct store *s, struct handover *h)
{
	int rc =
		store_run(s,
			  "INSERT INTO handover(change_at, prev_at, next_at, out_type_id, out_day,"
			  " in_type_id, in_day, state, notes, created_at, updated_at)"
			  " VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', '', ?, ?)"
			  " ON CONFLICT (change_at) DO NOTHING RETURNING id",
			  &h->id, "iiiititii", h->change_at, h->prev_at, h->next_at, h->out_type_id,
			  h->out_day, h->in_type_id, h->in_day, h->created_at, h->created_at);

	if (rc == 0)
		return ERR_CONFLICT;
	return rc < 0 ? rc : 0;
}

int handover_save(struct store *s, const struct handover *h)
{
	int rc = store_run(s,
			   "UPDATE handover SET state = ?, notes = ?, out_by = ?, out_at = ?,"
			   " in_by = ?, in_at = ?, in_remark = ?, snapshot_at = ?, flagged = ?,"
			   " updated_at = ? WHERE id = ?",
			   NULL, "ttddddtdiii", h->state, h->notes, h->out_by, h->out_at, h->in_by,
			   h->in_at, h->in_remark, h->snapshot_at, (int64_t)h->flagged,
			   h->updated_at, h->id);

	return rc < 0 ? rc : 0;
}

#define ITEM_COLS                                                                                  \
	"id, kind, ref_id, title, link, due_at, included, at_change, flagged, added_by,"           \
	" created_at"

static int item_read(struct store_stmt *st, void *dst)
{
	struct handover_item *it = dst;

	memset(it, 0, sizeof(*it));
	it->id = store_col_int(st, 0);
	it->kind = handover_kind_parse(store_col_text(st, 1));
	it->ref_id = store_col_int(st, 2);
	STORE_COL_COPY(st, 3, it->title);
	STORE_COL_COPY(st, 4, it->link);
	it->due_at = store_col_int(st, 5);
	it->included = (int)store_col_int(st, 6);
	it->at_change = (int)store_col_int(st, 7);
	it->flagged = (int)store_col_int(st, 8);
	it->added_by = store_col_int(st, 9);
	it->created_at = store_col_int(st, 10);
	return 0;
}

int handover_items(struct store *s, int64_t handover_id, handover_item_fn fn, void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT " ITEM_COLS " FROM handover_item"
					    " WHERE handover_id = ? ORDER BY id",
					    "i", handover_id);
	struct handover_item it;
	int rc, n = 0;

	while ((rc = store_next(st, item_read, &it)) == 1 && (rc = fn(ctx, &it)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int handover_item_get(struct store *s, int64_t handover_id, int64_t id, struct handover_item *out)
{
	return store_one(store_query(s,
				     "SELECT " ITEM_COLS " FROM handover_item"
				     " WHERE handover_id = ? AND id = ?",
				     "ii", handover_id, id),
			 item_read, out);
}

int handover_item_insert(struct store *s, int64_t handover_id, struct handover_item *it)
{
	int rc = store_run(
		s,
		"INSERT INTO handover_item(handover_id, kind, ref_id, title, link, due_at,"
		" included, at_change, flagged, added_by, created_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		&it->id, "itdttdiiidi", handover_id, handover_kind_name(it->kind), it->ref_id,
		it->title, it->link, it->due_at, (int64_t)it->included, (int64_t)it->at_change,
		(int64_t)it->flagged, it->added_by, it->created_at);

	if (rc == 0)
		return ERR_IO;
	return rc < 0 ? rc : 0;
}

int handover_item_save(struct store *s, const struct handover_item *it)
{
	int rc = store_run(s,
			   "UPDATE handover_item SET included = ?, at_change = ?, flagged = ?,"
			   " title = ?, due_at = ?, link = ? WHERE id = ?",
			   NULL, "iiitdti", (int64_t)it->included, (int64_t)it->at_change,
			   (int64_t)it->flagged, it->title, it->due_at, it->link, it->id);

	return rc < 0 ? rc : 0;
}

int handover_item_delete(struct store *s, int64_t id)
{
	int rc = store_run(s, "DELETE FROM handover_item WHERE id = ?", NULL, "i", id);

	return rc < 0 ? rc : 0;
}

/* A LIKE pattern that finds text anywhere: %, _ and \ taken literally. */
static int like_pattern(const char *text, struct buf *out)
{
	int rc = buf_append(out, "%", 1);

	for (const char *p = text; rc == 0 && *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			rc = buf_append(out, "\\", 1);
		if (rc == 0)
			rc = buf_append(out, p, 1);
	}
	if (rc == 0)
		rc = buf_append(out, "%", 2); /* with its NUL */
	return rc;
}

int handover_list(struct store *s, const struct handover_filter *f, handover_fn fn, void *ctx)
{
	struct store_sql q = STORE_SQL_INIT;
	struct buf pat = BUF_INIT;
	struct store_stmt *st;
	struct handover h;
	int rc = 0, n = 0;

	store_sql_add(&q, "SELECT " COLS " FROM handover h WHERE 1 = 1", "");
	if (f->from)
		store_sql_add(&q, " AND h.change_at >= ?", "i", f->from);
	if (f->to)
		store_sql_add(&q, " AND h.change_at < ?", "i", f->to);
	if (f->person_id)
		store_sql_add(&q, " AND (h.out_by = ? OR h.in_by = ?)", "ii", f->person_id,
			      f->person_id);
	if (f->text && *f->text) {
		rc = like_pattern(f->text, &pat);
		if (rc < 0) {
			buf_release(&q.text);
			return rc;
		}
		store_sql_add(&q,
			      " AND (h.notes LIKE ? ESCAPE '\\' OR h.in_remark LIKE ? ESCAPE '\\'"
			      " OR EXISTS (SELECT 1 FROM handover_item i WHERE i.handover_id = h.id"
			      " AND i.title LIKE ? ESCAPE '\\'))",
			      "ttt", pat.p, pat.p, pat.p);
	}
	/* Agents: the shifts they are on (or any with nobody rostered) and what they signed. */
	if (f->agent_id)
		store_sql_add(
			&q,
			" AND (h.out_by = ? OR h.in_by = ?"
			" OR EXISTS (SELECT 1 FROM wfm_roster_entry e WHERE e.person_id = ? AND"
			" ((e.day = h.out_day AND e.shift_type_id = h.out_type_id) OR"
			" (e.day = h.in_day AND e.shift_type_id = h.in_type_id)))"
			" OR NOT EXISTS (SELECT 1 FROM wfm_roster_entry e WHERE e.day = h.out_day"
			" AND e.shift_type_id = h.out_type_id)"
			" OR NOT EXISTS (SELECT 1 FROM wfm_roster_entry e WHERE e.day = h.in_day"
			" AND e.shift_type_id = h.in_type_id))",
			"iii", f->agent_id, f->agent_id, f->agent_id);
	if (f->before)
		store_sql_add(&q, " AND h.change_at < ?", "i", f->before);
	store_sql_add(&q, " ORDER BY h.change_at DESC LIMIT ?", "i", (int64_t)f->limit);
	st = store_sql_prepare(s, &q);
	while ((rc = store_next(st, row_read, &h)) == 1 && (rc = fn(ctx, &h)) >= 0)
		n++;
	rc = store_end(st, rc, n);
	buf_release(&pat);
	return rc;
}

int handover_reminder_take(struct store *s, int64_t change_at, const char *kind, int64_t now)
{
	int rc =
		store_run(s,
			  "INSERT INTO handover_reminder(change_at, kind, sent_at) VALUES (?, ?, ?)"
			  " ON CONFLICT DO NOTHING",
			  NULL, "iti", change_at, kind, now);

	if (rc < 0)
		return rc;
	return store_changes(s) == 1;
}

int handover_rostered(struct store *s, int64_t person_id, int64_t type_id, const char *day)
{
	int rc = store_run(s,
			   "SELECT 1 FROM wfm_roster_entry WHERE day = ? AND person_id = ?"
			   " AND shift_type_id = ?",
			   NULL, "tii", day, person_id, type_id);

	return rc < 0 ? rc : rc == 1;
}

int handover_roster_published(struct store *s, int ymd)
{
	char month[16];
	int rc;

	snprintf(month, sizeof(month), "%04d-%02d", ymd / 10000, ymd / 100 % 100);
	rc = store_run(s, "SELECT 1 FROM wfm_roster WHERE month = ? AND state = 'published'", NULL,
		       "t", month);
	return rc < 0 ? rc : rc == 1;
}

int handover_roster_count(struct store *s, int64_t type_id, const char *day)
{
	int64_t n = 0;
	int rc = store_run(
		s, "SELECT count(*) FROM wfm_roster_entry WHERE day = ? AND shift_type_id = ?", &n,
		"ti", day, type_id);

	return rc < 0 ? rc : (int)n;
}

static int id_read(struct store_stmt *st, void *dst)
{
	*(int64_t *)dst = store_col_int(st, 0);
	return 0;
}

/* Ids first, then the callbacks: a callback may run statements of its own. */
static int each_id(struct store_stmt *st, handover_person_fn fn, void *ctx)
{
	int64_t ids[512], id;
	int rc, n = 0;

	while (n < 512 && (rc = store_next(st, id_read, &id)) == 1)
		ids[n++] = id;
	rc = store_end(st, rc, n);
	for (int i = 0; rc >= 0 && i < n; i++)
		rc = fn(ctx, ids[i]);
	return rc < 0 ? rc : n;
}

int handover_roster_people(struct store *s, int64_t type_id, const char *day, handover_person_fn fn,
			   void *ctx)
{
	return each_id(store_query(s,
				   "SELECT e.person_id FROM wfm_roster_entry e JOIN person p"
				   " ON p.id = e.person_id WHERE e.day = ? AND e.shift_type_id = ?"
				   " AND p.active = 1 ORDER BY e.person_id",
				   "ti", day, type_id),
		       fn, ctx);
}

int handover_people_in_roles(struct store *s, unsigned roles, handover_person_fn fn, void *ctx)
{
	return each_id(store_query(s,
				   "SELECT id FROM person WHERE active = 1 AND (roles & ?) != 0"
				   " ORDER BY id",
				   "i", (int64_t)roles),
		       fn, ctx);
}
