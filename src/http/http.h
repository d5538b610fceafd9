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
 */
#ifndef KEFU_HTTP_HTTP_H
#define KEFU_HTTP_HTTP_H

#include <jansson.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "http/auth.h"

struct store;
struct store_pool;

/* What the whole server shares; read-only after start. */
struct app {
	const struct config *cfg;
	struct store_pool *pool;
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
	const char *raw; /* the body as sent, for file uploads (route_takes_file; else NULL) */
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
};

typedef int (*http_handler)(struct req *r);

struct route {
	const char *method;
	const char *pattern; /* "/api/people/{id}": {x} matches one segment */
	http_handler fn;
	enum auth_action action; /* checked before fn runs */
};

/* The routes of action ACT_ATTACHMENT_ADD are file uploads: their body is
 * not JSON but the file's bytes (r->raw), of up to attachment_max rather
 * than body_limit (server.c). */
int route_takes_file(const struct route *rt);

/* Route tables of the modules, ended by a route with method NULL. */
extern const struct route auth_routes[];
extern const struct route org_routes[];
extern const struct route audit_routes[];
extern const struct route http_misc_routes[];
extern const struct route cust_routes[];
extern const struct route wo_routes[];
extern const struct route wo_config_routes[];
extern const struct route report_routes[];
extern const struct route notify_routes[];
extern const struct route acd_routes[];
extern const struct route acd_live_routes[];
extern const struct route sip_routes[];
extern const struct route call_routes[];
extern const struct route rec_routes[];
extern const struct route ivr_routes[];
extern const struct route ivr_notice_routes[];
/* Every module's table, in the order requests are matched; NULL-ended. */
extern const struct route *const http_route_tables[];

/* Router (router.c): ERR_NOTFOUND, ERR_METHOD, or 0 with params filled. */
int router_match(const struct route *const *tables, const char *method, const char *path,
		 const struct route **out, struct req *r);

/* Server (server.c): starts listening on cfg->listen ("host:0" picks a free
 * port) and writes the bound address into bound. http_stop() stops taking
 * connections, lets requests in flight finish (up to 10 s) and returns. */
struct http_server;
int http_start(struct app *app, struct http_server **out, char *bound, size_t size);
void http_stop(struct http_server *srv);

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

#endif
