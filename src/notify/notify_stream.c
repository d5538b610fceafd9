/*
 * GET /api/events: each new notification of the logged-in person, as
 * Server-Sent Events, for as long as the session lives.
 *
 * A kind of the http module's event-stream hub (sse.c, http.h): the hub
 * parks the connections, runs the stream thread (a tick every
 * notify_poll_ms, 1 s, or at once after notify_wake() or a new stream),
 * sends keep-alives, asks this file every 30 s whether each stream's
 * session still lives, and ends every stream when the server stops. This
 * file reads the rows and writes the events.
 *
 * Reading the table (not an in-process queue) is what lets a stream see
 * notifications committed by another app node on the same database. One
 * query per tick serves every stream: rows with id > `scanned` (usually
 * none) are handed to the streams of their person. A new stream first
 * "catches up" with its own query for its person from the id it starts
 * after up to `scanned`, then takes part in the shared one. A stream whose
 * client reads slowly stops taking rows at STREAM_CAP bytes and catches up
 * from the table when it has drained, so memory stays bounded and nothing
 * is lost. SQLite assigns row ids under its single write lock, so rows
 * become visible in id order and "id > the last one sent" misses none.
 */
#include <limits.h>
#include <stdlib.h>

#include "http/http.h"
#include "notify/notify.h"

#define STREAM_CAP (64 * 1024) /* bytes held for one client at most */
#define PAGE 200	       /* rows per query */

/* A stream's own state; only the hub thread touches it, in produce(). */
struct sub {
	int64_t last_id; /* the newest id put into the stream */
	int catchup;	 /* takes its rows from its own query, not the shared one */
};

/* Rows from other nodes appear within this; see notify.h. */
int notify_poll_ms = 1000;

/* The hub thread's alone: rows up to here were handed out. */
static int64_t scanned;

static int produce(struct sse_tick *t);
static int allowed(struct sse_tick *t, const struct sse_slot *sl);

static struct sse_kind kind = {
	.name = "notify",
	.period_ms = &notify_poll_ms,
	.min_gap_ms = 0,
	.data_size = sizeof(struct sub),
	.produce = produce,
	.allowed = allowed,
};

static int append_event(struct buf *b, const struct notify_item *n)
{
	json_t *o = notify_item_json(n);
	char *data = o ? json_dumps(o, JSON_COMPACT) : NULL;
	int rc;

	json_decref(o);
	if (!data)
		return ERR_NOMEM;
	/* The JSON has no line breaks (jansson escapes them); the kind was checked
	 * when it was sent, and is checked again for rows written by other means. */
	rc = buf_printf(b, "id: %lld\nevent: %s\ndata: %s\n\n", (long long)n->id,
			notify_kind_valid(n->kind) ? n->kind : "notification", data);
	free(data);
	return rc;
}

struct shared {
	struct sse_tick *t;
	int64_t last;
};

/* A row of the shared query: to every live stream of its person. */
static int shared_row(void *ctx, const struct notify_item *row)
{
	struct shared *sh = ctx;

	sh->last = row->id;
	for (size_t i = 0; i < sh->t->n; i++) {
		struct sse_slot *sl = &sh->t->slots[i];
		struct sub *s = sl->data;

		if (s->catchup || sl->person_id != row->person_id || row->id <= s->last_id)
			continue;
		/* Too much waiting for this client (or no memory): it reads the rest
		 * from the table once it has caught up. */
		if (sl->unread + sl->add.len >= STREAM_CAP || append_event(&sl->add, row) < 0) {
			s->catchup = 1;
			continue;
		}
		s->last_id = row->id;
	}
	return 0;
}

static int catchup_row(void *ctx, const struct notify_item *row)
{
	struct sse_slot *sl = ctx;
	int rc = append_event(&sl->add, row);

	if (rc < 0)
		return rc;
	((struct sub *)sl->data)->last_id = row->id;
	return 0;
}

/* The rows written since the last tick, for the streams already caught up. */
static int fetch_shared(struct sse_tick *t)
{
	struct shared sh = {t, 0};
	int got;

	do {
		sh.last = scanned;
		got = notify_after(t->store, 0, scanned, 0, PAGE, shared_row, &sh);
		if (got < 0)
			return got;
		scanned = sh.last;
	} while (got == PAGE);
	return 0;
}

/* A stream's own rows up to `scanned`, after which the shared query serves it. */
static int catch_up(struct store *st, struct sse_slot *sl)
{
	struct sub *s = sl->data;
	int got;

	while (s->catchup) {
		if (scanned <= s->last_id) {
			s->catchup = 0;
			break;
		}
		if (sl->unread + sl->add.len >= STREAM_CAP) {
			sl->more = 1; /* the rest once the client has read this */
			break;
		}
		got = notify_after(st, sl->person_id, s->last_id, scanned, PAGE, catchup_row, sl);
		if (got < 0)
			return got;
		if (got < PAGE)
			s->catchup = 0;
	}
	return 0;
}

static int produce(struct sse_tick *t)
{
	int any_live = 0, rc;

	for (size_t i = 0; i < t->n; i++)
		any_live |= !((struct sub *)t->slots[i].data)->catchup;
	/* With no stream live yet, nobody needs the rows in between: skip them. */
	rc = any_live ? fetch_shared(t) : notify_last_id(t->store, &scanned);
	for (size_t i = 0; rc == 0 && i < t->n; i++)
		rc = catch_up(t->store, &t->slots[i]);
	return rc;
}

static int allowed(struct sse_tick *t, const struct sse_slot *sl)
{
	return notify_session_live(t->store, sl->session_id, t->now, t->idle_ms);
}

void notify_wake(void)
{
	sse_wake(&kind);
}

/* Last-Event-ID (sent by a reconnecting EventSource) or ?after=; -1 when neither. */
static int start_after(struct req *r, int64_t *after)
{
	const char *h = req_header(r, "Last-Event-ID");
	char *end;
	long long v;

	*after = -1;
	if (h && *h) {
		if (*h < '0' || *h > '9')
			return err_set(&r->ei, ERR_INVALID, "Last-Event-ID",
				       "Last-Event-ID: an event id this server sent");
		v = strtoll(h, &end, 10);
		if (*end || v < 0 || v == LLONG_MAX)
			return err_set(&r->ei, ERR_INVALID, "Last-Event-ID",
				       "Last-Event-ID: an event id this server sent");
		*after = v;
		return 0;
	}
	return req_query_int(r, "after", 0, INT64_MAX - 1, after);
}

int notify_events_open(struct req *r)
{
	struct sub s = {0, 1};
	int64_t after;
	int rc = start_after(r, &after);

	if (rc < 0)
		return rc;
	/* Without a place to resume from, only what comes from now on. */
	if (after < 0) {
		rc = notify_last_id(r->store, &after);
		if (rc < 0)
			return rc;
	}
	s.last_id = after;
	return sse_open(&kind, r, &s);
}
