/*
 * notify — per-person notifications and the live event stream.
 *
 * Domain modules call notify_send() inside their own write transaction:
 * the notification is a row in `notification`, so it commits or rolls back
 * with the change it reports and survives restarts. GET /api/notifications
 * lists a person's notifications; GET /api/events is a Server-Sent Events
 * stream that delivers each new notification of the logged-in person as it
 * commits (and, across several app nodes, by reading the table), so the
 * workbench updates without reloading.
 *
 * notify.c holds the rules (kinds, text length; no I/O), notify_store.c the
 * SQL, notify_api.c the HTTP routes, notify_stream.c the event stream: a
 * kind of the http module's event-stream hub (sse.c) whose thread polls the
 * table and feeds suspended connections (see there and docs/architecture.md).
 */
#ifndef KEFU_NOTIFY_NOTIFY_H
#define KEFU_NOTIFY_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

struct store;

/*
 * Kinds used by the work-order engine: "order.new" (a new order for its
 * owner), "order.changed" (for the first-contact agent, WO-8), "sla.warning",
 * "sla.breach", "order.escalated" (WO-4), "order.help" (an owner asks the
 * level up), "callback.due" (CB-1). text is a short zh-CN sentence;
 * order_id may be 0.
 *
 * Fails with ERR_INVALID (nothing written) for a person id under 1, a kind
 * that is not 1..NOTIFY_KIND_MAX of [a-z0-9._-], or a text that is empty or
 * not UTF-8; a text over NOTIFY_TEXT_MAX characters is cut and ends in "…"
 * (it often quotes what a customer said, and that must not make the change
 * it reports fail). Never begins or commits: call it in your transaction,
 * and notify_wake() after the commit.
 */
int notify_send(struct store *s, int64_t person_id, const char *kind, int64_t order_id,
		const char *text, int64_t now);

/* Wakes the event streams after a commit that sent notifications. */
void notify_wake(void);

#define NOTIFY_KIND_MAX 32
#define NOTIFY_TEXT_MAX 200 /* characters */
/* Bytes that hold any text notify_text_fit() makes, with its NUL. */
#define NOTIFY_TEXT_SIZE (NOTIFY_TEXT_MAX * 4 + 1)

/* A notification as stored; strings are valid during the row callback only. */
struct notify_item {
	int64_t id;
	int64_t person_id;
	int64_t at;
	const char *kind;
	int64_t order_id; /* 0: none */
	const char *text;
	int64_t read_at; /* 0: unread */
};

typedef int (*notify_row_fn)(void *ctx, const struct notify_item *n);

/* Rules (notify.c). */
/* 1 if kind is 1..NOTIFY_KIND_MAX bytes of [a-z0-9._-] (safe in an SSE field). */
int notify_kind_valid(const char *kind);
/* Copies text into out[NOTIFY_TEXT_SIZE], cut to NOTIFY_TEXT_MAX characters
 * with "…" at the end when longer; ERR_INVALID when empty or not UTF-8. */
int notify_text_fit(const char *text, char *out, size_t size);

/* Storage (notify_store.c). All return 0 (or a count) or a negative err. */
struct notify_filter {
	int64_t person_id;
	int unread_only;
	int64_t before_id; /* cursor: only ids below this; 0: newest */
	int limit;
};

/* A person's notifications, newest first; returns how many rows it gave. */
int notify_list(struct store *s, const struct notify_filter *f, notify_row_fn row, void *ctx);
int notify_count_unread(struct store *s, int64_t person_id, int64_t *out);
/* Marks one of the person's notifications read at now (an earlier read_at
 * is kept) and gives the row to row(); ERR_NOTFOUND when the person has no
 * notification with that id, whoever else has. */
int notify_mark_read(struct store *s, int64_t person_id, int64_t id, int64_t now,
		     notify_row_fn row, void *ctx);
/* Marks the person's unread notifications with id <= up_to (0: all) read;
 * returns how many. */
int notify_mark_all_read(struct store *s, int64_t person_id, int64_t up_to, int64_t now);
/* Rows with after < id <= upto (upto 0: no bound), of one person (0: of
 * everyone), in id order, at most limit; returns how many rows it gave. */
int notify_after(struct store *s, int64_t person_id, int64_t after, int64_t upto, int limit,
		 notify_row_fn row, void *ctx);
/* The newest notification id (0 when there is none). */
int notify_last_id(struct store *s, int64_t *out);
/* 1 if the session is still live (the same test as authentication: it
 * exists, its person is active, not past its absolute or idle expiry), 0 if
 * not. Unlike authentication it does not count as use of the session, so an
 * open stream alone never keeps a session alive. */
int notify_session_live(struct store *s, int64_t session_id, int64_t now, int64_t idle_ms);

/* JSON as the API and the stream show a notification (notify_api.c):
 * {"id","at","kind","order_id","text","read_at"}, absent ones null. */
struct json_t;
struct json_t *notify_item_json(const struct notify_item *n);

/* The event stream (notify_stream.c), a kind of the http module's event
 * stream hub (sse_open() in http.h), which ends it when the server stops. */
struct req;
/* GET /api/events: queues a streaming answer on r's connection itself
 * (the server sees a response is queued and sends nothing else). */
int notify_events_open(struct req *r);
/* How often the streams read the table for rows other processes wrote, in
 * milliseconds (1000). Set it before the first stream opens; unit tests
 * lengthen it to show that notify_wake() alone delivers at once. */
extern int notify_poll_ms;

/* The module's routes (notify_api.c), ended by a route with method NULL. */
extern const struct route notify_routes[];

#endif
