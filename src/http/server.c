#include <arpa/inet.h>
#include <assert.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/fds.h"
#include "core/log.h"
#include "core/utf8.h"
#include "http/conns.h"
#include "http/http.h"
#include "http/metrics.h"
#include "store/store.h"

#define SESSION_COOKIE "kefu_session"

struct http_server {
	struct MHD_Daemon *d;
	struct MHD_Daemon *redirect; /* plain HTTP answering 308 to HTTPS, or NULL */
	struct app *app;
	char *cert, *key; /* PEM, held for the daemon's life (libmicrohttpd keeps the pointers) */
	unsigned https_port;
};

/* Per-request state kept by libmicrohttpd between calls. */
struct upload {
	struct buf body;
	int too_big;	       /* the body is over body_limit: answered 413 */
	int answered;	       /* an error found in the headers (< 0), answered at once */
	int queued;	       /* the answer is queued: what else comes is dropped */
	struct err_info early; /* what is wrong with them */
	int64_t discarded;     /* bytes of an oversize chunked body read and dropped */
	char client[64];       /* the client counted for a request through a proxy, or "" */
	struct conn *conn;
	int64_t limit;	       /* body_limit, or attachment_max for a file upload */
	int64_t t0;
};

/*
 * How much of a chunked body over the limit is read and dropped so that
 * its 413 reaches the client (a server that closes with unread data makes
 * the kernel reset the connection, and the client may lose the answer);
 * past this the connection is closed. http_request_timeout_sec bounds the
 * time it may take.
 */
#define DISCARD_FACTOR 8

static _Atomic int in_flight;
/* Served over HTTPS (tls_cert): every answer then tells browsers to keep to it. */
static int tls_on;

static void add_common_headers(struct MHD_Response *resp)
{
	if (tls_on)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
}

void http_cors_headers(void *response, const char *origin)
{
	struct MHD_Response *resp = response;

	/* A public route that checked the Origin (the web chat widget on a
	 * company's site) lets that origin's scripts read the answer. */
	MHD_add_response_header(resp, "Access-Control-Allow-Origin", origin);
	MHD_add_response_header(resp, "Vary", "Origin");
	MHD_add_response_header(resp, "Access-Control-Allow-Methods", "GET, POST, OPTIONS");
	MHD_add_response_header(resp, "Access-Control-Allow-Headers",
				"Content-Type, X-Visitor-Token, X-Filename");
	MHD_add_response_header(resp, "Access-Control-Max-Age", "600");
}

static enum MHD_Result answer(struct MHD_Connection *c, struct req *r, int rc)
{
	struct MHD_Response *resp;
	char *text = NULL;
	size_t len = 0;
	enum MHD_Result ret;

	if (rc < 0) {
		json_decref(r->reply);
		r->reply = req_error_json(r, rc);
		r->status = err_http_status(rc);
		buf_release(&r->text);
		r->content_type = NULL;
		if (r->status >= 500)
			log_error("http: %s %s failed: %s", r->method, r->path, err_name(rc));
	}
	if (!r->status)
		r->status = 200;
	if (r->reply) {
		text = json_dumps(r->reply, JSON_COMPACT);
		len = text ? strlen(text) : 0;
	} else if (r->text.len) {
		len = r->text.len;
		text = buf_detach(&r->text);
	}
	resp = MHD_create_response_from_buffer(len, text ? text : (char *)"",
					       text ? MHD_RESPMEM_MUST_FREE
						    : MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	add_common_headers(resp);
	if (len)
		MHD_add_response_header(resp, "Content-Type",
					r->content_type ? r->content_type
							: "application/json; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'none'; frame-ancestors 'none'");
	if (r->cookie[0])
		MHD_add_response_header(resp, "Set-Cookie", r->cookie);
	if (r->origin[0])
		http_cors_headers(resp, r->origin);
	if (r->disposition[0] && rc >= 0)
		MHD_add_response_header(resp, "Content-Disposition", r->disposition);
	if (r->status == 401)
		MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"kefu\"");
	if (r->close)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(c, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void peer_address(struct MHD_Connection *c, char *out, size_t size)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, size, "unknown");
	if (!sa)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
			  (socklen_t)size);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  out, (socklen_t)size);
}

static enum MHD_Result last_forwarded(void *cls, enum MHD_ValueKind kind, const char *key,
				      const char *value)
{
	(void)kind;
	if (strcasecmp(key, "X-Forwarded-For") == 0)
		*(const char **)cls = value;
	return MHD_YES;
}

/*
 * The client's address: the peer's, or behind a trusted proxy the one
 * X-Forwarded-For names. Proxies append the address they saw, so the list
 * is read from the right, skipping trusted proxies; the first other entry
 * is the client (what lies left of it the client could have written
 * itself). An entry that is not an address ends the walk: the address
 * is then the peer's, or the last trusted proxy's before it.
 */
static void client_address(struct MHD_Connection *c, const struct conn *conn, char *out,
			   size_t size)
{
	const char *xff = NULL, *end;

	peer_address(c, out, size);
	if (!conns_from_proxy(conn))
		return;
	MHD_get_connection_values(c, MHD_HEADER_KIND, last_forwarded, &xff);
	if (!xff)
		return;
	end = xff + strlen(xff);
	while (end > xff) {
		const char *start = end, *next;
		char one[CONFIG_ADDRESS_LEN], norm[CONFIG_ADDRESS_LEN];
		unsigned char bin[16];
		size_t len;
		int af;

		while (start > xff && start[-1] != ',')
			start--;
		next = start > xff ? start - 1 : xff; /* the comma before this entry */
		while (start < end && (*start == ' ' || *start == '\t'))
			start++;
		len = (size_t)(end - start);
		while (len && (start[len - 1] == ' ' || start[len - 1] == '\t'))
			len--;
		if (!len || len >= sizeof(one))
			return;
		memcpy(one, start, len);
		one[len] = '\0';
		af = strchr(one, ':') ? AF_INET6 : AF_INET;
		if (inet_pton(af, one, bin) != 1 || !inet_ntop(af, bin, norm, sizeof(norm)))
			return;
		snprintf(out, size, "%s", norm);
		if (!conns_trusted(norm))
			return;
		end = next;
	}
}

/* The session token from "Authorization: Bearer" or the session cookie. */
static const char *session_token(struct req *r, int *via_cookie)
{
	const char *h = req_header(r, MHD_HTTP_HEADER_AUTHORIZATION);

	*via_cookie = 0;
	if (h && strncmp(h, "Bearer ", 7) == 0)
		return h + 7;
	h = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
	if (h)
		*via_cookie = 1;
	return h;
}

static int authenticate(struct req *r)
{
	char hash[65];
	int via_cookie, rc;
	const char *token = session_token(r, &via_cookie);

	if (!token || strlen(token) != AUTH_TOKEN_LEN)
		return 0;
	auth_token_hash(token, hash);
	rc = auth_session_lookup(r->store, hash, r->now,
				 (int64_t)r->app->cfg->session_idle_min * 60000, &r->who);
	if (rc == ERR_AUTH)
		return 0; /* an expired token is the same as none: the route decides */
	if (rc < 0)
		return rc;
	r->who.via_cookie = via_cookie;
	return 0;
}

static int is_write(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	       strcmp(method, "OPTIONS") != 0;
}

/*
 * Whether a Content-Type names JSON: the media type application/json
 * exactly (case does not matter), alone or followed by parameters such as
 * "; charset=utf-8" — not application/jsonx nor application/json-seq.
 */
static int is_json_type(const char *ct)
{
	static const char json[] = "application/json";
	size_t n = sizeof(json) - 1;

	if (!ct)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, json, n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static int parse_body(struct req *r, const struct route *rt, const struct upload *up)
{
	const char *ct = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	json_error_t jerr;

	/* Providers' webhooks (/api/hooks/…, issue 18) push XML or JSON arrays
	 * in their own shapes: their handlers read the bytes themselves. */
	if (route_takes_file(rt) || strncmp(rt->pattern, "/api/hooks/", 11) == 0) {
		r->raw = up->body.p;
		r->raw_len = up->body.len;
		return 0;
	}
	if (up->body.len == 0)
		return 0;
	if (!is_json_type(ct))
		return err_set(&r->ei, ERR_INVALID, NULL,
			       "send the body as JSON with Content-Type: application/json");
	r->body = json_loadb(up->body.p, up->body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!r->body)
		return err_set(&r->ei, ERR_INVALID, NULL, "malformed JSON: %s", jerr.text);
	if (!json_is_object(r->body))
		return err_set(&r->ei, ERR_INVALID, NULL, "the body must be a JSON object");
	return 0;
}

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	struct req *r = cls;

	(void)kind;
	if (!utf8_valid(key, strlen(key))) {
		err_set(&r->ei, ERR_INVALID, NULL, "the query string is not valid UTF-8");
		return MHD_NO;
	}
	if (value && !utf8_valid(value, strlen(value))) {
		err_set(&r->ei, ERR_INVALID, key, "%s: not valid UTF-8", key);
		return MHD_NO;
	}
	return MHD_YES;
}

static int password_change_route(const struct route *rt)
{
	static const char *const allowed[][2] = {
		{"POST", "/api/me/password"},
		{"POST", "/api/logout"},
		{"GET", "/api/me"},
	};

	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (strcmp(rt->method, allowed[i][0]) == 0 &&
		    strcmp(rt->pattern, allowed[i][1]) == 0)
			return 1;
	return 0;
}

static int run(struct req *r, const struct route *rt, const struct upload *up)
{
	int rc;

	/* Every query argument is checked, not only those the route reads. */
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_arg, r);
	if (r->ei.message[0])
		return ERR_INVALID;
	rc = authenticate(r);

	if (rc < 0)
		return rc;
	if (rt->action != ACT_PUBLIC) {
		if (!r->who.person_id)
			return err_set(&r->ei, ERR_AUTH, NULL, "log in first");
		/*
		 * A cookie is sent by the browser on its own, so a write carried
		 * by one must also carry the token only our page can read.
		 */
		if (r->who.via_cookie && is_write(r->method)) {
			const char *t = req_header(r, "X-CSRF-Token");

			if (!t || !auth_equal(t, r->who.csrf)) {
				req_audit(r, "csrf.rejected", NULL, 0, "denied",
					  json_pack("{s:s, s:s}", "method", r->method, "path",
						    r->path));
				return err_set(&r->ei, ERR_FORBIDDEN, NULL,
					       "missing or wrong X-CSRF-Token header");
			}
		}
		/*
		 * An initial (or reset) password was seen by whoever handed it
		 * over: until its owner replaces it, the session only serves
		 * replacing it, looking at oneself and logging out.
		 */
		if (r->who.must_change_password && !password_change_route(rt))
			return err_set(&r->ei, ERR_PASSWORD_CHANGE, NULL,
				       "change your initial password first");
		rc = req_authorize(r, rt->action, NULL);
		if (rc < 0)
			return rc;
	}
	rc = parse_body(r, rt, up);
	if (rc < 0)
		return rc;
	return rt->fn(r);
}

static enum MHD_Result dispatch(struct app *app, struct MHD_Connection *c, const char *url,
				const char *method, struct upload *up)
{
	const struct route *rt = NULL;
	struct req r;
	enum MHD_Result ret;
	int rc;

	memset(&r, 0, sizeof(r));
	r.app = app;
	r.conn = c;
	r.method = method;
	r.path = url;
	r.now = clock_now_ms();
	client_address(c, up->conn, r.address, sizeof(r.address));
	store_take_time_ns();
	conns_request_received(up->conn);

	if (up->answered) {
		r.ei = up->early;
		rc = up->answered;
		/* The body's framing is in doubt: nothing more is read from this connection. */
		r.close = rc == ERR_INVALID;
		goto out;
	}
	if (up->too_big) {
		rc = err_set(&r.ei, ERR_TOOBIG, NULL, "the body is larger than %lld bytes",
			     (long long)up->limit);
		goto out;
	}
	if (!utf8_valid(url, strlen(url))) {
		rc = err_set(&r.ei, ERR_INVALID, NULL, "the path is not valid UTF-8");
		goto out;
	}
	rc = router_match(app->routes, method, url, &rt, &r);
	if (rc == ERR_NOTFOUND && strncmp(url, "/api/", 5) != 0 && strcmp(method, "GET") == 0) {
		void *resp = NULL;

		rc = static_answer(&r, app->cfg->web_root, &resp);
		if (rc == 0) {
			ret = MHD_queue_response(c, r.status, resp);
			MHD_destroy_response(resp);
			metrics_request(r.status, clock_mono_ns() - up->t0, 0);
			return ret;
		}
	}
	if (rc < 0) {
		err_set(&r.ei, rc, NULL,
			rc == ERR_METHOD ? "method not allowed here" : "no such resource");
		goto out;
	}
	r.store = store_pool_get(app->pool);
	rc = run(&r, rt, up);
	store_pool_put(app->pool, r.store);
out:
	/*
	 * A streaming handler (an event stream, sse.c) has queued its own
	 * response, whose body a callback produces long after this returns:
	 * there is nothing more to answer.
	 */
	if (rc == 0 && MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS))
		ret = MHD_YES;
	else
		ret = answer(c, &r, rc);
	metrics_request(r.status, clock_mono_ns() - up->t0, store_take_time_ns());
	/* The access log (access_log, reloadable): one line per request with
	 * key=value fields; the path without its query, which may carry tokens. */
	log_msg(__atomic_load_n(&app->cfg->access_log, __ATOMIC_RELAXED) ? LOG_INFO : LOG_DEBUG,
		"http: access method=%s path=%.*s status=%u ms=%lld addr=%s", method,
		(int)strcspn(url, "?"), url, r.status,
		(long long)((clock_mono_ns() - up->t0) / 1000000), r.address);
	json_decref(r.body);
	json_decref(r.reply);
	buf_release(&r.text);
	return ret;
}

struct framing {
	const char *length; /* the first Content-Length */
	int lengths_differ;
	int chunked_too; /* Transfer-Encoding beside Content-Length */
	int has_te;
	int has_length;
};

static enum MHD_Result framing_header(void *cls, enum MHD_ValueKind kind, const char *key,
				      const char *value)
{
	struct framing *f = cls;

	(void)kind;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
		if (f->length && strcmp(f->length, value ? value : "") != 0)
			f->lengths_differ = 1;
		if (!f->length)
			f->length = value ? value : "";
		f->has_length = 1;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
		f->has_te = 1;
	}
	return MHD_YES;
}

/*
 * Checks what the headers say about the body's length and counts a
 * proxied request against its client (see conns.h). A request whose
 * length two headers state differently, or that has both Content-Length
 * and Transfer-Encoding, is refused: a proxy in front may have read its
 * body differently, and what it took for the next request would be
 * smuggled in (RFC 9112 §6.3).
 */
static int check_headers(struct MHD_Connection *c, struct upload *up, int64_t body_limit)
{
	struct framing f = {0};

	MHD_get_connection_values(c, MHD_HEADER_KIND, framing_header, &f);
	if (f.lengths_differ)
		return err_set(&up->early, ERR_INVALID, NULL,
			       "two different Content-Length headers");
	if (f.has_length && f.has_te)
		return err_set(&up->early, ERR_INVALID, NULL,
			       "Content-Length and Transfer-Encoding together");
	if (conns_from_proxy(up->conn)) {
		char client[64];

		client_address(c, up->conn, client, sizeof(client));
		snprintf(up->client, sizeof(up->client), "%s", client);
		if (conns_client_take(client) < 0)
			return err_set(&up->early, ERR_THROTTLED, NULL,
				       "too many connections from your address");
	}
	/* Refuse an announced oversize body before reading any of it. */
	if (f.length && strtoll(f.length, NULL, 10) > body_limit) {
		up->too_big = 1;
		return 1;
	}
	return 0;
}

/* A file upload's route takes a body of up to attachment_max; every other
 * request body_limit, so the larger limit opens no other door. */
static int64_t body_limit_of(struct app *app, const char *method, const char *url)
{
	const struct route *rt = NULL;
	struct req scratch;
	int64_t limit = app->cfg->body_limit;

	memset(&scratch, 0, sizeof(scratch));
	if (router_match(app->routes, method, url, &rt, &scratch) != 0)
		return limit;
	if (route_takes_file(rt))
		limit = app->cfg->attachment_max;
	/* What anyone may send without logging in is kept small (http.h). */
	if (rt->action == ACT_PUBLIC && strncmp(rt->pattern, "/api/public/", 12) == 0) {
		int64_t pub = route_takes_file(rt) ? HTTP_PUBLIC_FILE_MAX : HTTP_PUBLIC_BODY_MAX;

		if (pub < limit)
			limit = pub;
	}
	return limit;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_size, void **ctx)
{
	struct app *app = cls;
	struct upload *up = *ctx;

	(void)version;
	if (!up) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		int rc;

		up = calloc(1, sizeof(*up));
		if (!up)
			return MHD_NO;
		up->t0 = clock_mono_ns();
		up->conn = ci ? ci->socket_context : NULL;
		up->limit = body_limit_of(app, method, url);
		*ctx = up;
		atomic_fetch_add(&in_flight, 1);
		rc = check_headers(c, up, up->limit);
		if (rc < 0)
			up->answered = rc;
		if (rc == 0)
			return MHD_YES;
		up->queued = 1;
		return dispatch(app, c, url, method, up);
	}
	if (*upload_size) {
		if (up->queued || up->too_big) {
			/* Read and dropped so the 413 gets through, up to a point. */
			up->discarded += (int64_t)*upload_size;
			*upload_size = 0;
			return up->discarded > app->cfg->body_limit * DISCARD_FACTOR ? MHD_NO
										     : MHD_YES;
		}
		if ((int64_t)(up->body.len + *upload_size) > up->limit) {
			/* A chunked body grew past the limit: drop it, answer at its end. */
			up->too_big = 1;
			up->discarded = (int64_t)(up->body.len + *upload_size);
			buf_release(&up->body);
			*upload_size = 0;
			return MHD_YES;
		}
		if (buf_append(&up->body, upload_data, *upload_size) < 0)
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	if (up->queued)
		return MHD_YES;
	return dispatch(app, c, url, method, up);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **ctx,
			 enum MHD_RequestTerminationCode toe)
{
	struct upload *up = *ctx;

	(void)cls;
	(void)c;
	(void)toe;
	if (!up)
		return;
	if (up->client[0])
		conns_client_release(up->client);
	conns_request_done(up->conn);
	buf_release(&up->body);
	free(up);
	*ctx = NULL;
	atomic_fetch_sub(&in_flight, 1);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode code)
{
	(void)cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		char peer[64];

		peer_address(c, peer, sizeof(peer));
		*socket_ctx = ci ? conns_open(ci->connect_fd, peer) : NULL;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		conns_close(*socket_ctx);
		*socket_ctx = NULL;
	}
}

/* libmicrohttpd's messages are mostly about clients that went away: they
 * go through kefu's log, at most 10 a minute. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	static struct log_limit limit = {.burst = 10, .window_s = 60};

	(void)cls;
	log_limited(&limit, LOG_INFO, "http: libmicrohttpd: ", fmt, ap);
}

static int resolve(const char *listen, struct sockaddr_storage *ss)
{
	char host[128];
	const char *colon = strrchr(listen, ':');
	struct addrinfo hints, *res = NULL;
	size_t hl;

	if (!colon)
		return ERR_INVALID;
	hl = (size_t)(colon - listen);
	if (hl >= sizeof(host))
		return ERR_INVALID;
	memcpy(host, listen, hl);
	host[hl] = '\0';
	/* "[::1]:8080" names an IPv6 address. */
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	if (getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res) != 0 || !res)
		return ERR_INVALID;
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

/*
 * Every connection is a descriptor: raise the open-file limit towards
 * http_max_connections (and what the database and SIP need besides), as
 * far as the hard limit allows, and say so when that is not enough.
 */
static void fds_reserve(const struct config *cfg)
{
	unsigned long want = (unsigned long)cfg->http_max_connections + FDS_BESIDES,
		      got = fds_raise(want);

	if (got < want)
		log_warn("http: http_max_connections %d needs %lu open files, the limit is %lu: "
			 "raise it (ulimit -n, LimitNOFILE)",
			 cfg->http_max_connections, want, got);
}

/* A PEM file read whole into a new string; NULL (logged) when it cannot be. */
static char *read_pem(const char *path)
{
	FILE *f = fopen(path, "r");
	char *p = NULL;
	long n;

	if (!f) {
		log_error("http: cannot read %s", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n < (1 << 20) &&
	    fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)n + 1))) {
		if (fread(p, 1, (size_t)n, f) != (size_t)n) {
			free(p);
			p = NULL;
		} else {
			p[n] = '\0';
		}
	}
	fclose(f);
	if (!p)
		log_error("http: cannot read %s", path);
	return p;
}

struct query {
	struct buf b;
	int n;
};

/* Percent-encodes s but its unreserved characters and those of keep. */
static void url_encode(struct buf *b, const char *s, const char *keep)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~", ch) || strchr(keep, ch))
			buf_append(b, s, 1);
		else
			buf_printf(b, "%%%02X", ch);
	}
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	struct query *q = cls;

	(void)kind;
	buf_puts(&q->b, q->n++ ? "&" : "?");
	url_encode(&q->b, key, "");
	if (value) {
		buf_puts(&q->b, "=");
		url_encode(&q->b, value, "");
	}
	return MHD_YES;
}

/*
 * The plain-HTTP listener's only answer: 308 to the same path and query on
 * HTTPS, at the host the client asked for (its port replaced by kefu's
 * HTTPS port). 308 keeps the method, so nothing is sent twice in the clear
 * but the first request itself.
 */
static enum MHD_Result on_redirect(void *cls, struct MHD_Connection *c, const char *url,
				   const char *method, const char *version, const char *upload,
				   size_t *upload_size, void **ctx)
{
	struct http_server *srv = cls;
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	struct query q = {BUF_INIT, 0};
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t hlen;

	(void)method;
	(void)version;
	(void)upload;
	if (!*ctx) { /* the headers: wait for the body, which is dropped */
		*ctx = srv;
		return MHD_YES;
	}
	/* A body's bytes are read and dropped (the connection's timeout bounds it). */
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (!host || !*host || strpbrk(host, " \r\n/\\@"))
		host = "localhost";
	/* The host without its port: "[v6]:80" keeps the brackets. */
	hlen = host[0] == '[' && strchr(host, ']') ? (size_t)(strchr(host, ']') - host + 1)
						   : strcspn(host, ":");
	buf_puts(&q.b, "https://");
	buf_append(&q.b, host, hlen);
	if (srv->https_port != 443)
		buf_printf(&q.b, ":%u", srv->https_port);
	url_encode(&q.b, url, "/"); /* libmicrohttpd gave the path decoded */
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_arg, &q);
	resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		buf_release(&q.b);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Location", buf_str(&q.b));
	add_common_headers(resp);
	ret = MHD_queue_response(c, 308, resp);
	MHD_destroy_response(resp);
	buf_release(&q.b);
	return ret;
}

int http_start(struct app *app, struct http_server **out, char *bound, size_t size)
{
	struct sockaddr_storage ss;
	struct http_server *srv;
	const union MHD_DaemonInfo *info;
	/*
	 * poll(), not epoll: with a pool of workers, MHD_quiesce_daemon in
	 * libmicrohttpd 0.9.75 (Debian 12) removes the listening socket from
	 * each worker's epoll set from the calling thread while a busy worker
	 * may remove it itself, and aborts the process on the loser's ENOENT
	 * (daemon.c, MHD_quiesce_daemon and MHD_epoll): a rare SIGABRT at
	 * shutdown. With poll() the quiesce only signals each worker, which
	 * drops the socket from its own set. A worker polls only its share of
	 * the open connections (a parked event stream is not polled at all), so
	 * the cost of poll over epoll stays small at the connections kefu holds.
	 */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	char host[INET6_ADDRSTRLEN] = "";
	struct MHD_OptionItem tls[3] = {{MHD_OPTION_END, 0, NULL}};

	*out = NULL;
	assert(app->routes);
	if (resolve(app->cfg->listen, &ss) < 0) {
		log_error("http: cannot resolve listen address '%s'", app->cfg->listen);
		return ERR_INVALID;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return ERR_NOMEM;
	srv->app = app;
	/* HTTPS with the center's certificate (issue 22): GnuTLS inside
	 * libmicrohttpd; the key and certificate stay in memory for its life. */
	if (app->cfg->tls_cert[0]) {
		srv->cert = read_pem(app->cfg->tls_cert);
		srv->key = read_pem(app->cfg->tls_key);
		if (!srv->cert || !srv->key ||
		    MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			if (srv->cert && srv->key)
				log_error("http: this libmicrohttpd was built without TLS");
			free(srv->cert);
			free(srv->key);
			free(srv);
			return ERR_INVALID;
		}
		flags |= MHD_USE_TLS;
		tls[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, srv->key};
		tls[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, srv->cert};
		tls_on = 1;
	}
	fds_reserve(app->cfg);
	if (conns_start(app->cfg) < 0) {
		free(srv);
		return ERR_IO;
	}
	/* The logger comes first, so that no message goes out before it is set. */
	srv->d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, app, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned)app->cfg->threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
		/* Without a byte moving either way for this long, any connection but a
		 * suspended event stream is closed; conns.c bounds the whole request. */
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)app->cfg->http_request_timeout_sec,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)app->cfg->http_max_connections,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536, MHD_OPTION_ARRAY, tls,
		MHD_OPTION_END);
	if (!srv->d) {
		log_error("http: cannot listen on %s%s", app->cfg->listen,
			  tls_on ? " (or the certificate and key do not fit)" : "");
		conns_stop();
		free(srv->cert);
		free(srv->key);
		free(srv);
		return ERR_IO;
	}
	info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->https_port = info ? info->port : 0;
	if (tls_on && app->cfg->http_redirect_listen[0]) {
		struct sockaddr_storage rs;

		if (resolve(app->cfg->http_redirect_listen, &rs) == 0)
			srv->redirect = MHD_start_daemon(
				MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG |
					(rs.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				0, NULL, NULL, on_redirect, srv, MHD_OPTION_EXTERNAL_LOGGER,
				mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&rs,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384, MHD_OPTION_END);
		if (!srv->redirect)
			log_error("http: cannot listen on %s for the redirect to HTTPS",
				  app->cfg->http_redirect_listen);
		else {
			const union MHD_DaemonInfo *ri =
				MHD_get_daemon_info(srv->redirect, MHD_DAEMON_INFO_BIND_PORT);

			log_info("http: plain HTTP on port %u answers with a redirect to HTTPS",
				 ri ? ri->port : 0);
		}
	}
	if (ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof(host));
		snprintf(bound, size, "[%s]:%u", host, info ? info->port : 0);
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof(host));
		snprintf(bound, size, "%s:%u", host, info ? info->port : 0);
	}
	*out = srv;
	return 0;
}

void http_stop(struct http_server *srv)
{
	struct timespec tick = {0, 20 * 1000 * 1000};
	MHD_socket listen_fd;

	if (!srv)
		return;
	listen_fd = MHD_quiesce_daemon(srv->d);
	/*
	 * Stop listening now, so new connections are refused at once instead
	 * of waiting in the backlog; the descriptor is ours to close after
	 * MHD_stop_daemon (microhttpd.h, MHD_quiesce_daemon).
	 */
	if (listen_fd >= 0)
		shutdown(listen_fd, SHUT_RDWR);
	/*
	 * Event streams never finish by themselves: end them now, so the wait
	 * below is only for real requests, and so no connection is left
	 * suspended when MHD_stop_daemon runs (libmicrohttpd aborts on one).
	 */
	sse_stop();
	for (int i = 0; i < 500 && atomic_load(&in_flight) > 0; i++)
		nanosleep(&tick, NULL);
	conns_stop();
	MHD_stop_daemon(srv->d);
	if (srv->redirect)
		MHD_stop_daemon(srv->redirect);
	if (listen_fd >= 0)
		close(listen_fd);
	if (srv->key)
		explicit_bzero(srv->key, strlen(srv->key));
	free(srv->key);
	free(srv->cert);
	free(srv);
}
