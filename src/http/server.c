#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acd/acd.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/utf8.h"
#include "http/http.h"
#include "http/metrics.h"
#include "notify/notify.h"
#include "store/store.h"

#define SESSION_COOKIE "kefu_session"

struct http_server {
	struct MHD_Daemon *d;
	struct app *app;
};

/* Per-request state kept by libmicrohttpd between calls. */
struct upload {
	struct buf body;
	int too_big;
	int64_t limit; /* body_limit, or attachment_max for a file upload */
	int64_t t0;
};

static _Atomic int in_flight;

const struct route *const http_route_tables[] = {
	auth_routes, org_routes, audit_routes, http_misc_routes, cust_routes, wo_routes,
	wo_config_routes, report_routes, notify_routes, acd_routes, acd_live_routes, sip_routes,
	rec_routes, hotline_routes, hotline_notice_routes, NULL,
};

static void add_common_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
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
	if (r->disposition[0] && rc >= 0)
		MHD_add_response_header(resp, "Content-Disposition", r->disposition);
	if (r->status == 401)
		MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"kefu\"");
	ret = MHD_queue_response(c, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void client_address(struct MHD_Connection *c, char *out, size_t size)
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

static int parse_body(struct req *r, const struct route *rt, const struct upload *up)
{
	const char *ct = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	json_error_t jerr;

	if (route_takes_file(rt)) {
		r->raw = up->body.p;
		r->raw_len = up->body.len;
		return 0;
	}
	if (up->body.len == 0)
		return 0;
	if (!ct || strncmp(ct, "application/json", 16) != 0)
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
	client_address(c, r.address, sizeof(r.address));
	store_take_time_ns();

	if (up->too_big) {
		rc = err_set(&r.ei, ERR_TOOBIG, NULL, "the body is larger than %lld bytes",
			     (long long)up->limit);
		goto out;
	}
	if (!utf8_valid(url, strlen(url))) {
		rc = err_set(&r.ei, ERR_INVALID, NULL, "the path is not valid UTF-8");
		goto out;
	}
	rc = router_match(http_route_tables, method, url, &rt, &r);
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
	 * A streaming handler (GET /api/events, notify_stream.c) has queued its
	 * own response, whose body a callback produces long after this returns:
	 * there is nothing more to answer.
	 */
	if (rc == 0 && MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS))
		ret = MHD_YES;
	else
		ret = answer(c, &r, rc);
	metrics_request(r.status, clock_mono_ns() - up->t0, store_take_time_ns());
	log_debug("http: %s %s %u", method, url, r.status);
	json_decref(r.body);
	json_decref(r.reply);
	buf_release(&r.text);
	return ret;
}

/* A file upload's route takes a body of up to attachment_max; every other
 * request body_limit, so the larger limit opens no other door. */
static int64_t body_limit_of(struct app *app, const char *method, const char *url)
{
	const struct route *rt = NULL;
	struct req scratch;

	memset(&scratch, 0, sizeof(scratch));
	if (router_match(http_route_tables, method, url, &rt, &scratch) == 0 &&
	    route_takes_file(rt))
		return app->cfg->attachment_max;
	return app->cfg->body_limit;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_size, void **ctx)
{
	struct app *app = cls;
	struct upload *up = *ctx;

	(void)version;
	if (!up) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);

		up = calloc(1, sizeof(*up));
		if (!up)
			return MHD_NO;
		up->t0 = clock_mono_ns();
		up->limit = body_limit_of(app, method, url);
		*ctx = up;
		atomic_fetch_add(&in_flight, 1);
		/* Refuse an announced oversize body before reading any of it. */
		if (cl && strtoll(cl, NULL, 10) > up->limit) {
			up->too_big = 1;
			return dispatch(app, c, url, method, up);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (up->too_big)
			return MHD_NO;
		if ((int64_t)(up->body.len + *upload_size) > up->limit) {
			/* A chunked body grew past the limit: answer now and drop the rest. */
			up->too_big = 1;
			buf_release(&up->body);
			*upload_size = 0;
			return dispatch(app, c, url, method, up);
		}
		if (buf_append(&up->body, upload_data, *upload_size) < 0)
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	if (up->too_big)
		return MHD_YES; /* already answered */
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
	buf_release(&up->body);
	free(up);
	*ctx = NULL;
	atomic_fetch_sub(&in_flight, 1);
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

int http_start(struct app *app, struct http_server **out, char *bound, size_t size)
{
	struct sockaddr_storage ss;
	struct http_server *srv;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	char host[INET6_ADDRSTRLEN] = "";

	*out = NULL;
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
	srv->d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, app, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)app->cfg->threads,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)60, MHD_OPTION_CONNECTION_LIMIT, (unsigned)2000,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)512,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536, MHD_OPTION_END);
	if (!srv->d) {
		log_error("http: cannot listen on %s", app->cfg->listen);
		free(srv);
		return ERR_IO;
	}
	info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
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
	notify_streams_stop();
	acd_live_streams_stop();
	for (int i = 0; i < 500 && atomic_load(&in_flight) > 0; i++)
		nanosleep(&tick, NULL);
	MHD_stop_daemon(srv->d);
	if (listen_fd >= 0)
		close(listen_fd);
	free(srv);
}
