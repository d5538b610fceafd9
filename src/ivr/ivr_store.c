/*
 * The SQL of the hotline's settings (migrations 5 and 6): the IVR menu
 * tree (ivr_node), the opening hours (hotline_hours, hotline_closed_day,
 * hotline_open_day), the one row of hotline_setting with the versions, and
 * the queues (acd_queue). Nothing here begins or commits: the API saves a
 * document in its own transaction, the call engine reads one at each call.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "ivr/ivr.h"
#include "store/store.h"

/* Rows read before they are put in tree order; more than a menu may hold
 * means the table was written by something else than kefu. */
#define ROWS_MAX (IVR_NODES_MAX * 2)

struct node_row {
	int64_t id, parent_id;
	struct ivr_node node;
};

/* Appends the choices of parent (a row id; 0: the root) and, after each
 * sub-menu, its own choices: tree order, as struct ivr_menu wants it. */
static int place(struct ivr_menu *m, const struct node_row *rows, int nrows, int64_t parent_id,
		 int parent, int depth)
{
	for (int i = 0; i < nrows; i++) {
		int at, rc;

		if (rows[i].parent_id != parent_id)
			continue;
		if (depth > IVR_DEPTH_MAX || m->n >= IVR_NODES_MAX)
			return ERR_UNPROCESSABLE;
		at = m->n++;
		m->nodes[at] = rows[i].node;
		m->nodes[at].parent = parent;
		rc = place(m, rows, nrows, rows[i].id, at, depth + 1);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int menu_head_read(struct store_stmt *st, void *dst)
{
	struct ivr_menu *m = dst;

	STORE_COL_COPY(st, 0, m->welcome);
	STORE_COL_COPY(st, 1, m->prompt);
	m->version = store_col_int(st, 2);
	m->updated_at = store_col_int(st, 3);
	return 0;
}

static int node_read(struct store_stmt *st, void *dst)
{
	struct node_row *r = dst;
	const char *digit = store_col_text(st, 2);
	int action = ivr_node_action_parse(store_col_text(st, 4));

	r->id = store_col_int(st, 0);
	r->parent_id = store_col_int(st, 1);
	r->node.digit = digit ? digit[0] : 0;
	r->node.action = action < 0 ? IVR_NODE_ANNOUNCE_HANGUP : (enum ivr_node_action)action;
	STORE_COL_COPY(st, 3, r->node.label);
	STORE_COL_COPY(st, 5, r->node.queue);
	STORE_COL_COPY(st, 6, r->node.prompt);
	return 0;
}

int ivr_menu_load(struct store *s, struct ivr_menu *m)
{
	struct node_row *rows = calloc(ROWS_MAX, sizeof(*rows));
	struct store_stmt *st;
	int n = 0, rc;

	memset(m, 0, sizeof(*m));
	if (!rows)
		return ERR_NOMEM;
	rc = store_one(store_query(s,
				   "SELECT welcome_prompt, menu_prompt, menu_version,"
				   " menu_updated_at FROM hotline_setting WHERE id = 1",
				   ""),
		       menu_head_read, m);
	if (rc < 0)
		goto out;
	st = store_query(s,
			 "SELECT id, COALESCE(parent_id, 0), digit, label, action,"
			 " COALESCE(queue, ''), prompt FROM ivr_node ORDER BY position, id",
			 "");
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		if (n >= ROWS_MAX) {
			rc = ERR_UNPROCESSABLE;
			break;
		}
		node_read(st, &rows[n++]);
	}
	rc = store_end(st, rc, 0);
	if (rc == 0)
		rc = place(m, rows, n, 0, -1, 1);
out:
	free(rows);
	return rc;
}

int ivr_menu_save(struct store *s, const struct ivr_menu *m, int64_t now, int64_t *version)
{
	int64_t ids[IVR_NODES_MAX];
	int rc = store_run(s, "DELETE FROM ivr_node", NULL, "");

	for (int i = 0; rc >= 0 && i < m->n && i < IVR_NODES_MAX; i++) {
		const struct ivr_node *x = &m->nodes[i];
		char digit[2] = {x->digit, 0};
		int position = 0;

		for (int j = 0; j < i; j++)
			position += m->nodes[j].parent == x->parent;
		rc = store_run(
			s,
			"INSERT INTO ivr_node(parent_id, digit, label, action, queue, prompt,"
			" position) VALUES (NULLIF(?, 0), ?, ?, ?, ?, ?, ?) RETURNING id",
			&ids[i], "ittttti", x->parent >= 0 ? ids[x->parent] : 0, digit, x->label,
			ivr_node_action_name(x->action),
			x->action == IVR_NODE_QUEUE ? x->queue : NULL, x->prompt,
			(int64_t)position);
	}
	if (rc >= 0)
		rc = store_run(s,
			       "UPDATE hotline_setting SET welcome_prompt = ?, menu_prompt = ?,"
			       " menu_version = menu_version + 1, menu_updated_at = ?"
			       " WHERE id = 1 RETURNING menu_version",
			       version, "tti", m->welcome, m->prompt, now);
	return rc < 0 ? rc : 0;
}

/* -- Opening hours -- */

static int days_load(struct store *s, const char *sql, struct ivr_day *days, int *n,
		     int with_weekday)
{
	struct store_stmt *st = store_query(s, sql, "");
	int rc;

	*n = 0;
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		struct ivr_day *d;

		if (*n >= IVR_DAYS_MAX) {
			rc = ERR_UNPROCESSABLE;
			break;
		}
		d = &days[(*n)++];
		if (ivr_date_parse(store_col_text(st, 0), &d->ymd) < 0) {
			rc = ERR_UNPROCESSABLE;
			break;
		}
		STORE_COL_COPY(st, 1, d->name);
		d->as_weekday = with_weekday ? (int)store_col_int(st, 2) : 0;
	}
	return store_end(st, rc, 0);
}

static int hours_head_read(struct store_stmt *st, void *dst)
{
	struct ivr_hours *h = dst;

	h->always_open = store_col_int(st, 0) != 0;
	STORE_COL_COPY(st, 1, h->closed_prompt);
	h->version = store_col_int(st, 2);
	h->updated_at = store_col_int(st, 3);
	return 0;
}

int ivr_hours_load(struct store *s, struct ivr_hours *h)
{
	struct store_stmt *st;
	int rc;

	memset(h, 0, sizeof(*h));
	rc = store_one(store_query(s,
				   "SELECT always_open, closed_prompt, hours_version,"
				   " hours_updated_at FROM hotline_setting WHERE id = 1",
				   ""),
		       hours_head_read, h);
	if (rc < 0)
		return rc;
	st = store_query(s,
			 "SELECT weekday, opens, closes FROM hotline_hours"
			 " ORDER BY weekday, opens, id",
			 "");
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		struct ivr_range *r;

		if (h->nweekly >= IVR_RANGES_MAX) {
			rc = ERR_UNPROCESSABLE;
			break;
		}
		r = &h->weekly[h->nweekly++];
		r->weekday = (int)store_col_int(st, 0);
		r->opens = (int)store_col_int(st, 1);
		r->closes = (int)store_col_int(st, 2);
	}
	rc = store_end(st, rc, 0);
	if (rc == 0)
		rc = days_load(s, "SELECT day, name FROM hotline_closed_day ORDER BY day",
			       h->closed, &h->nclosed, 0);
	if (rc == 0)
		rc = days_load(s, "SELECT day, name, as_weekday FROM hotline_open_day ORDER BY day",
			       h->open, &h->nopen, 1);
	return rc;
}

int ivr_hours_save(struct store *s, const struct ivr_hours *h, int64_t now, int64_t *version)
{
	char day[11];
	int rc = store_run(s, "DELETE FROM hotline_hours", NULL, "");

	if (rc >= 0)
		rc = store_run(s, "DELETE FROM hotline_closed_day", NULL, "");
	if (rc >= 0)
		rc = store_run(s, "DELETE FROM hotline_open_day", NULL, "");
	for (int i = 0; rc >= 0 && i < h->nweekly; i++)
		rc = store_run(s,
			       "INSERT INTO hotline_hours(weekday, opens, closes) VALUES (?, ?, ?)",
			       NULL, "iii", (int64_t)h->weekly[i].weekday,
			       (int64_t)h->weekly[i].opens, (int64_t)h->weekly[i].closes);
	for (int i = 0; rc >= 0 && i < h->nclosed; i++) {
		ivr_date_format(h->closed[i].ymd, day);
		rc = store_run(s, "INSERT INTO hotline_closed_day(day, name) VALUES (?, ?)", NULL,
			       "tt", day, h->closed[i].name);
	}
	for (int i = 0; rc >= 0 && i < h->nopen; i++) {
		ivr_date_format(h->open[i].ymd, day);
		rc = store_run(
			s, "INSERT INTO hotline_open_day(day, name, as_weekday) VALUES (?, ?, ?)",
			NULL, "tti", day, h->open[i].name, (int64_t)h->open[i].as_weekday);
	}
	if (rc >= 0)
		rc = store_run(s,
			       "UPDATE hotline_setting SET always_open = ?, closed_prompt = ?,"
			       " hours_version = hours_version + 1, hours_updated_at = ?"
			       " WHERE id = 1 RETURNING hours_version",
			       version, "iti", (int64_t)(h->always_open != 0), h->closed_prompt,
			       now);
	return rc < 0 ? rc : 0;
}

int ivr_call_setup(struct store *s, int64_t now, struct ivr_menu *m, int *open,
		   char closed_prompt[IVR_KEY_SIZE])
{
	struct ivr_hours *h = malloc(sizeof(*h));
	int rc = h ? 0 : ERR_NOMEM;

	*open = 1;
	snprintf(closed_prompt, IVR_KEY_SIZE, "out_of_hours");
	if (rc == 0)
		rc = ivr_menu_load(s, m);
	if (rc < 0 || ivr_menu_fallback(m) < 0) {
		/* CALL-1 still holds: the caller reaches a person. */
		log_warn("sip: the stored IVR menu cannot be used (%s); playing CALL-1's",
			 rc < 0 ? err_name(rc) : "no queue to fall back to");
		ivr_menu_default(m);
	}
	if (h) {
		rc = ivr_hours_load(s, h);
		if (rc == 0) {
			*open = ivr_open(h, now);
			snprintf(closed_prompt, IVR_KEY_SIZE, "%s", h->closed_prompt);
		}
	}
	free(h);
	return rc;
}

/* -- Queues -- */

static int queue_read(struct store_stmt *st, void *dst)
{
	struct ivr_queue *q = dst;

	memset(q, 0, sizeof(*q));
	STORE_COL_COPY(st, 0, q->code);
	STORE_COL_COPY(st, 1, q->name);
	STORE_COL_COPY(st, 2, q->skill);
	STORE_COL_COPY(st, 3, q->strategy);
	q->max_wait_sec = (int)store_col_int(st, 4);
	q->announce_sec = (int)store_col_int(st, 5);
	q->updated_at = store_col_int(st, 6);
	return 0;
}

int ivr_queue_list(struct store *s, ivr_queue_fn row, void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT code, name, skill, strategy, max_wait_sec,"
					    " announce_sec, updated_at FROM acd_queue"
					    " ORDER BY code",
					    "");
	struct ivr_queue q;
	int rc, n = 0;

	while ((rc = store_next(st, queue_read, &q)) == 1 && (rc = row(ctx, &q)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int ivr_queue_get(struct store *s, const char *code, struct ivr_queue *q)
{
	return store_one(store_query(s,
				     "SELECT code, name, skill, strategy, max_wait_sec,"
				     " announce_sec, updated_at FROM acd_queue"
				     " WHERE code = ?",
				     "t", code),
			 queue_read, q);
}

int ivr_queue_update(struct store *s, const struct ivr_queue *q, int64_t now)
{
	int rc = store_run(
		s,
		"UPDATE acd_queue SET name = ?, skill = ?, strategy = ?, max_wait_sec = ?,"
		" announce_sec = ?, updated_at = ? WHERE code = ?",
		NULL, "tttiiit", q->name, q->skill[0] ? q->skill : NULL, q->strategy,
		(int64_t)q->max_wait_sec, (int64_t)q->announce_sec, now, q->code);

	if (rc >= 0 && store_changes(s) == 0)
		return ERR_NOTFOUND;
	return rc < 0 ? rc : 0;
}

/* -- Emergency announcements (migration 8) -- */

#define NOTICE_COLS                                                                                \
	"id, text, source, starts_at, ends_at, audio_ms, version, COALESCE(created_by, 0),"        \
	" created_at, updated_at"

static int notice_read(struct store_stmt *st, void *dst)
{
	struct ivr_notice *n = dst;

	memset(n, 0, sizeof(*n));
	n->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, n->text);
	STORE_COL_COPY(st, 2, n->source);
	n->starts_at = store_col_int(st, 3);
	n->ends_at = store_col_int(st, 4);
	n->audio_ms = store_col_int(st, 5);
	n->version = store_col_int(st, 6);
	n->created_by = store_col_int(st, 7);
	n->created_at = store_col_int(st, 8);
	n->updated_at = store_col_int(st, 9);
	return 0;
}

/* Steps st (bound) once into n: 0, ERR_NOTFOUND or an error. */
int ivr_notice_list(struct store *s, ivr_notice_fn row, void *ctx)
{
	struct ivr_notice *n = malloc(sizeof(*n));
	struct store_stmt *st;
	int rc, count = 0;

	if (!n)
		return ERR_NOMEM;
	st = store_query(s,
			 "SELECT " NOTICE_COLS " FROM hotline_notice"
			 " ORDER BY starts_at DESC, id DESC",
			 "");
	while ((rc = store_next(st, notice_read, n)) == 1 && (rc = row(ctx, n)) >= 0)
		count++;
	free(n);
	return store_end(st, rc, count);
}

int ivr_notice_get(struct store *s, int64_t id, struct ivr_notice *n)
{
	return store_one(
		store_query(s, "SELECT " NOTICE_COLS " FROM hotline_notice WHERE id = ?", "i", id),
		notice_read, n);
}

int ivr_notice_active(struct store *s, int64_t now, struct ivr_notice *n)
{
	/* The rule of sip.h: the one that started last, ties the newest. */
	return store_one(store_query(s,
				     "SELECT " NOTICE_COLS " FROM hotline_notice"
				     " WHERE ends_at > ? AND starts_at <= ?"
				     " ORDER BY starts_at DESC, id DESC LIMIT 1",
				     "ii", now, now),
			 notice_read, n);
}

int ivr_notice_next_change(struct store *s, int64_t now, int64_t *at)
{
	int64_t v = 0;
	int rc = store_run(
		s,
		"SELECT COALESCE(MIN(CASE WHEN starts_at > ? THEN starts_at ELSE ends_at END),"
		" 0) FROM hotline_notice WHERE ends_at > ?",
		&v, "ii", now, now);

	*at = v;
	return rc < 0 ? rc : 0;
}

static int notice_bind_audio(struct store *s, const char *sql, int64_t id, const void *wav,
			     size_t len)
{
	struct store_stmt *st = store_prepare(s, sql);
	int rc;

	if (!st)
		return ERR_IO;
	rc = store_bind_blob(st, 1, wav, len);
	if (rc == 0)
		rc = store_bind_int(st, 2, id);
	if (rc == 0)
		rc = store_step(st);
	store_done(st);
	return rc < 0 ? rc : 0;
}

int ivr_notice_insert(struct store *s, struct ivr_notice *n, const void *wav, size_t len,
		      int64_t now)
{
	int rc = store_run(s,
			   "INSERT INTO hotline_notice(text, source, starts_at, ends_at, audio,"
			   " audio_ms, version, created_by, created_at, updated_at)"
			   " VALUES (?, ?, ?, ?, x'', ?, 1, NULLIF(?, 0), ?, ?) RETURNING id",
			   &n->id, "ttiiiiii", n->text, n->source, n->starts_at, n->ends_at,
			   n->audio_ms, n->created_by, now, now);

	if (rc < 0)
		return rc;
	n->version = 1;
	n->created_at = n->updated_at = now;
	return notice_bind_audio(s, "UPDATE hotline_notice SET audio = ? WHERE id = ?", n->id, wav,
				 len);
}

int ivr_notice_update(struct store *s, struct ivr_notice *n, const void *wav, size_t len,
		      int64_t now)
{
	int64_t version = 0;
	int rc = store_run(
		s,
		"UPDATE hotline_notice SET text = ?, source = ?, starts_at = ?, ends_at = ?,"
		" audio_ms = ?, version = version + 1, updated_at = ? WHERE id = ?"
		" RETURNING version",
		&version, "ttiiiii", n->text, n->source, n->starts_at, n->ends_at, n->audio_ms, now,
		n->id);

	if (rc == 0)
		return ERR_NOTFOUND;
	if (rc < 0)
		return rc;
	n->version = version;
	n->updated_at = now;
	if (!wav)
		return 0;
	return notice_bind_audio(s, "UPDATE hotline_notice SET audio = ? WHERE id = ?", n->id, wav,
				 len);
}

int ivr_notice_delete(struct store *s, int64_t id)
{
	int rc = store_run(s, "DELETE FROM hotline_notice WHERE id = ?", NULL, "i", id);

	if (rc >= 0 && store_changes(s) == 0)
		return ERR_NOTFOUND;
	return rc < 0 ? rc : 0;
}

int ivr_notice_audio(struct store *s, int64_t id, uint8_t **wav, size_t *len)
{
	struct store_stmt *st =
		store_query(s, "SELECT audio FROM hotline_notice WHERE id = ?", "i", id);
	int rc = store_next(st, NULL, NULL);

	*wav = NULL;
	*len = 0;
	if (rc == 1) {
		size_t n;
		const void *v = store_col_blob(st, 0, &n);

		*wav = malloc(n + 1);
		if (*wav) {
			if (n)
				memcpy(*wav, v, n);
			*len = n;
			rc = 0;
		} else {
			rc = ERR_NOMEM;
		}
	} else if (rc == 0) {
		rc = ERR_NOTFOUND;
	}
	store_done(st);
	return rc;
}
