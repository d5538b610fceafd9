/*
 * http — kefu's HTTP/JSON server: what every *_api.c module sees.
 *
 * The server (server.c) runs libmicrohttpd with a pool of worker threads.
 * For each request it: reads the body (up to body_limit, else 413), checks
 * the path and query are valid UTF-8, borrows a database connection from
 * the pool, finds the route (router.c), authenticates the session cookie or
 * bearer token, checks the CSRF token on cookie-authenticated writes, asks
 * auth_authorize() about the route's action, parses a JSON body, and only
 * then calls the handler. The handler fills r->reply (JSON) and r->status,
 * or returns a negative err with r->ei naming the field; the server turns
 * that into {"error":{"code","message","field"}}. It then returns the
 * connection and records metrics.
 *
 * Handlers run in one worker thread and own nothing beyond the request:
 * anything they allocate they free, or hand to r->reply.
 *
 * http sits above core, store, sched, audit and auth and knows no domain:
 * each module's header declares its own route tables, and the program
 * (cli/serve.c) hands the server the list of them (app->routes). The event
 * streams of every kind are ended by the hub when the server stops.
 */
#ifndef KEFU_HTTP_HTTP_H
#define KEFU_HTTP_HTTP_H

#include <jansson.h>
#include <stdint.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"

struct store;
struct store_pool;
struct route;

/* What the whole server shares; read-only after start. */
struct app {
	const struct config *cfg;
	struct store_pool *pool;
	/* Every module's route table, in the order requests are matched; NULL-ended. */
	const struct route *const *routes;
	int test_clock;          /* --test-clock: POST /api/test/clock moves time */
	char dummy_hash[AUTH_HASH_MAX]; /* verified for unknown users, so timing tells nothing */
};

#define HTTP_MAX_PARAMS 4

struct req {
	struct app *app;
	void *conn; /* the libmicrohttpd connection */
	const char *method;
	const char *path;
	char params[HTTP_MAX_PARAMS][64]; /* {name} segments of the route, in order */
	int nparams;
	json_t *body; /* the JSON object sent, or NULL */
	const char *raw; /* the body as sent: file uploads (route_takes_file), /api/hooks/…; else NULL */
	size_t raw_len;
	struct store *store;
	struct principal who;
	char address[64];
	int64_t now;
	struct err_info ei;

	unsigned status;
	json_t *reply;        /* the JSON answer; the server frees it */
	struct buf text;      /* or a non-JSON answer */
	const char *content_type;
	char cookie[320];     /* a Set-Cookie value to send, or "" */
	char disposition[256]; /* a Content-Disposition value to send (downloads), or "" */
	int close;	       /* close the connection after the answer */
	/* CORS: the Origin allowed to read this answer (a public route checked it), or "" */
	char origin[256];
};

typedef int (*http_handler)(struct req *r);

struct route {
	const char *method;
	const char *pattern; /* "/api/people/{id}": {x} matches one segment */
	http_handler fn;
	enum auth_action action; /* checked before fn runs */
};

/* The routes of action ACT_ATTACHMENT_ADD, and every POST route whose
 * pattern ends in /attachments or /import (the knowledge base's, ACT_KB_EDIT),
 * are file uploads: their body is not JSON but the file's bytes (r->raw), of up to
 * attachment_max rather than body_limit (server.c). So is a public route
 * (ACT_PUBLIC) POST ending in /files (the web chat's). Under /api/public/
 * (what anyone on the internet may call: the web chat widget's routes) a
 * file is limited to HTTP_PUBLIC_FILE_MAX and any other body to
 * HTTP_PUBLIC_BODY_MAX. */
#define HTTP_PUBLIC_BODY_MAX (64 * 1024)
#define HTTP_PUBLIC_FILE_MAX (5 * 1024 * 1024)
int route_takes_file(const struct route *rt);

/* The server's own routes, ended by a route with method NULL: health,
 * metrics, the OpenAPI document and the test clock (misc_api.c), and the
 * audit log (audit_api.c). */
extern const struct route http_misc_routes[];
/*
 * Readiness (misc_api.c, issue 22). http_health_add registers, before the
 * server starts, a thread whose loop must keep turning: idle_ms gives the
 * milliseconds since it last turned, or -1 while it does not run (then it
 * is left out); stalled_ms or more makes the server not ready, and
 * /healthz's checks carry it under name. http_health_check runs every
 * check on s (the database's write lock is taken and let go), fills
 * *checks (may be NULL) with their states, and returns 1 when ready:
 * /healthz and systemd's watchdog (src/cli/serve.c) ask the same.
 */
int http_health_add(const char *name, int64_t (*idle_ms)(void), int64_t stalled_ms);
int http_health_check(struct store *s, json_t **checks);
extern const struct route http_audit_routes[];

/* Router (router.c): ERR_NOTFOUND, ERR_METHOD, or 0 with params filled. */
int router_match(const struct route *const *tables, const char *method, const char *path,
		 const struct route **out, struct req *r);

/* Server (server.c): starts listening on cfg->listen ("host:0" picks a free
 * port) and answers with the routes of app->routes; writes the bound
 * address into bound. http_stop() stops taking connections, ends the event
 * streams, lets requests in flight finish (up to 10 s) and returns. */
struct http_server;
int http_start(struct app *app, struct http_server **out, char *bound, size_t size);
void http_stop(struct http_server *srv);

/* The CORS headers letting origin read an answer (a struct MHD_Response *):
 * added by the server when r->origin is set, and by the event streams. */
void http_cors_headers(void *response, const char *origin);

/* Static files of the workbench (static.c); ERR_NOTFOUND when there is none. */
int static_answer(struct req *r, const char *root, void **response);
/*
 * Answers with the bytes of an open regular file, which it takes over
 * (closed in every case), streamed from the file, never read into memory.
 * A single "Range: bytes=" range is answered 206 with Content-Range (so a
 * player can seek), one past the end 416; other Range headers are ignored
 * (200, the whole file). The answer is queued here: the handler returns
 * what this returns and the server sends nothing more. disposition may be
 * NULL.
 */
int reply_file(struct req *r, int fd, const char *content_type, const char *disposition);

/* Request helpers (api.c). */
/* A query argument, NULL when absent; ERR_INVALID (field set) when not UTF-8. */
int req_query(struct req *r, const char *name, const char **out);
int req_query_int(struct req *r, const char *name, int64_t min, int64_t max, int64_t *out);
/* limit (default 50, 1..500) and cursor (an opaque id; 0 when absent). */
int req_page(struct req *r, int *limit, int64_t *cursor);
/* The {id} route parameter at idx as a positive id; ERR_NOTFOUND otherwise. */
int req_param_id(struct req *r, int idx, int64_t *out);
/* A request header, or NULL. */
const char *req_header(struct req *r, const char *name);

/* The JSON error body of rc from r->ei, in the language the client asks
 * for (Accept-Language; zh-CN by default): {"error": {"code", "message",
 * "field", "errors": [{"field", "message"}]}}. */
json_t *req_error_json(struct req *r, int rc);

/* JSON body fields: absent leaves *out alone and returns 0; wrong type is ERR_INVALID. */
int body_has(struct req *r, const char *key);
/* Fails with ERR_INVALID naming the first field not in `allowed` (NULL-terminated). */
int body_only(struct req *r, const char *const *allowed);
int body_str(struct req *r, const char *key, int required, const char **out);
int body_bool(struct req *r, const char *key, int *out);
/* An id or null (null sets 0). */
int body_ref(struct req *r, const char *key, int64_t *out);
/*
 * The same for forms whose every wrong field is listed at once (err_add
 * after earlier errors rc, which they return): a whole number within
 * ±1 000 000 (the caller checks its own range), or true/false.
 */
int body_int_add(struct req *r, const char *key, int *out, int rc);
int body_bool_add(struct req *r, const char *key, int *out, int rc);

/* Answers. Each steals obj. */
int reply_json(struct req *r, unsigned status, json_t *obj);
/* {"items": [...], "next_cursor": "..."|null}; next is 0 when there is no more. */
int reply_page(struct req *r, json_t *items, int64_t next);

/* Ends the request's write transaction: commits when rc is 0, else rolls
 * back. Returns rc, or the commit's error. */
int req_finish(struct req *r, int rc);

/* Authorization with the request's principal; a denial is audited. */
int req_authorize(struct req *r, enum auth_action a, const struct auth_target *t);
/* The same, a denial audited against the entity asked for (an order, say), with
 * the department the decision was made on in its detail. */
int req_authorize_on(struct req *r, enum auth_action a, const struct auth_target *t,
		     const char *entity, int64_t entity_id);
/* The request's actor for audit entries. */
struct audit_actor req_actor(struct req *r);
/* Appends an audit entry for this request; detail is stolen (may be NULL). */
int req_audit(struct req *r, const char *action, const char *entity, int64_t id,
	      const char *outcome, json_t *detail);


/*
 * Server-Sent Events (sse.c): answers that stay open for as long as a
 * session lives and are idle almost all the time (GET /api/events, GET
 * /api/acd/live/stream). The hub serves every kind of stream the same way;
 * docs/architecture.md, "Event streams and the thread pool", says why:
 *
 * - a stream holds neither a worker thread nor a database connection: its
 *   content reader, finding nothing to send, suspends the connection, and
 *   the kind's one hub thread (started with its first stream, idle while
 *   there is none) resumes it when it has put text in its buffer;
 * - each tick (every *period_ms, or min_gap_ms after sse_wake()) the thread
 *   borrows a pooled connection, re-checks each stream's right to go on
 *   (allowed(), every 30 s), lets the kind's producer write the events of
 *   all its streams at once, and gives the connection back;
 * - a stream silent for 15 s gets a keep-alive comment; a person holds at
 *   most 8 streams of a kind (the oldest ends to make room);
 * - sse_stop() (http_stop() calls it before it waits for requests in
 *   flight) ends every stream of every kind, for good.
 *
 * Adding a kind: a static struct sse_kind with its producer (and allowed(),
 * and data_size for per-stream state); a GET handler that checks what it
 * must, then returns sse_open(&kind, r, &its_state); and sse_wake(&kind)
 * after a commit that changes what its streams show. notify_stream.c (rows
 * of a table, each to its person's streams) and acd_live_stream.c (one
 * event computed once for every stream) are the two patterns.
 */

struct sse_stream;
struct sse_hub;

/* One open stream, as the kind's callbacks see it during a tick. */
struct sse_slot {
	void *data;	    /* its data_size bytes of state: the kind's callbacks' alone */
	int64_t person_id;  /* who opened it */
	int64_t session_id; /* and with which session */
	size_t unread;	    /* bytes its client had not read yet when the tick began */
	struct buf add;	    /* the producer appends this stream's own events here */
	int more; /* the producer stopped short: tick again once the client has read all */
	int end;  /* end the stream after what it holds (set when allowed() said 0) */
	struct sse_stream *stream; /* the hub's */
};

/* One tick of a kind: what its callbacks get. */
struct sse_tick {
	struct store *store; /* borrowed for this tick only */
	const struct app *app;
	int64_t now;		/* clock_now_ms() */
	int64_t idle_ms;	/* a session idle this long has ended (session_idle_min) */
	struct sse_slot *slots; /* every open stream of the kind */
	size_t n;
	struct buf all; /* the producer's text for every stream that is not ending */
};

struct sse_kind {
	const char *name;     /* the module, for log lines */
	const int *period_ms; /* ticks this often; read at each wait, so a test may change it */
	int min_gap_ms;	      /* after sse_wake(), the next tick comes this long after the last */
	size_t data_size;     /* bytes of per-stream state, copied by sse_open() */
	/* A client with this many bytes unread skips the next events (0: never):
	 * for events worth only their latest value, so a slow reader costs at
	 * most this much memory and never a backlog. */
	size_t skip_unread;
	/* Writes the tick's events into each slot's add (rows for their person)
	 * or into t->all (the same text for all); < 0 is logged and the next
	 * tick tries again. Slots with end set are about to end. */
	int (*produce)(struct sse_tick *t);
	/* 1 while the stream may go on, 0 to end it, < 0 when it cannot tell
	 * (asked again next tick). Called on the hub thread every 30 s a stream. */
	int (*allowed)(struct sse_tick *t, const struct sse_slot *sl);
	struct sse_hub *hub; /* the hub's own: leave it out */
};

/*
 * Queues r's answer, a stream of kind k whose state starts as a copy of
 * data (k->data_size bytes; NULL when 0): "retry:" at once, then what the
 * producer writes. Returns 0 (the server then sends nothing more), or
 * ERR_BUSY once sse_stop() has run, ERR_NOMEM, ERR_IO.
 */
int sse_open(struct sse_kind *k, struct req *r, const void *data);
/* Ticks k soon (its min_gap_ms after the last tick); nothing while it has no stream. */
void sse_wake(struct sse_kind *k);
/* Ends every stream of every kind after what it holds, and their threads; for good. */
void sse_stop(void);

#endif
