/*
 * Routes that belong to the server itself: health, metrics, the OpenAPI
 * document and the test clock.
 */
#include <string.h>

#include "core/clock.h"
#include "http/http.h"
#include "http/metrics.h"
#include "sched/sched.h"
#include "store/store.h"

extern const char kefu_openapi_json[];
extern const unsigned long kefu_openapi_json_len;

/* A round of the scheduler this long ago (ms) means it is stuck: rounds come about every second. */
#define SCHED_STALLED_MS 30000
#define HEALTH_EXTRA_MAX 4

/* The threads registered by http_health_add (the SIP thread). */
static struct {
	const char *name;
	int64_t (*idle_ms)(void);
	int64_t stalled_ms;
} extra[HEALTH_EXTRA_MAX];
static int n_extra;

int http_health_add(const char *name, int64_t (*idle_ms)(void), int64_t stalled_ms)
{
	if (n_extra == HEALTH_EXTRA_MAX)
		return ERR_INVALID;
	extra[n_extra].name = name;
	extra[n_extra].idle_ms = idle_ms;
	extra[n_extra].stalled_ms = stalled_ms;
	n_extra++;
	return 0;
}

/* "ok", "stalled", or "manual" for a loop that does not turn by itself (idle < 0). */
static const char *loop_state(int64_t idle, int64_t stalled_ms)
{
	return idle < 0 ? "manual" : idle < stalled_ms ? "ok" : "stalled";
}

int http_health_check(struct store *s, json_t **checks)
{
	int writable, ready;
	const char *sched = loop_state(sched_idle_ms(), SCHED_STALLED_MS);

	writable = store_begin(s) == 0;
	if (writable)
		store_rollback(s);
	ready = writable && strcmp(sched, "stalled") != 0;
	if (checks)
		*checks = json_pack("{s:s, s:s}", "database", writable ? "ok" : "read-only",
				    "scheduler", sched);
	for (int i = 0; i < n_extra; i++) {
		int64_t idle = extra[i].idle_ms();
		const char *st;

		if (idle < 0) /* not running: SIP not configured */
			continue;
		st = loop_state(idle, extra[i].stalled_ms);
		if (strcmp(st, "stalled") == 0)
			ready = 0;
		if (checks && *checks)
			json_object_set_new(*checks, extra[i].name, json_string(st));
	}
	return ready;
}

/*
 * Liveness and readiness for load balancers and systemd (issue 22): 200
 * when the database takes a write (its lock is taken and let go at once),
 * the scheduler's thread finished a round lately and every registered
 * thread's loop (the SIP thread, when SIP is on) turned lately; else 503
 * with the same body saying which check failed. Under the test clock the
 * scheduler runs on demand ("manual"). systemd's watchdog is fed from the
 * same check (src/cli/serve.c).
 */
static int healthz(struct req *r)
{
	int v = store_schema_version(r->store), ready;
	json_t *checks = NULL;

	if (v < 0)
		return err_set(&r->ei, ERR_IO, NULL, "database unavailable");
	ready = http_health_check(r->store, &checks);
	/* The center's name is public: the workbench's opening phrase says it (CALL-3). */
	return reply_json(r, ready ? 200 : 503,
			  json_pack("{s:s, s:i, s:I, s:s, s:s, s:o}", "status",
				    ready ? "ok" : "unavailable", "schema", v, "time",
				    (json_int_t)r->now, "timezone", clock_tz_name(), "center",
				    r->app->cfg->center_name, "checks", checks));
}

static int metrics(struct req *r)
{
	int rc = metrics_render(&r->text);

	r->status = 200;
	r->content_type = "text/plain; version=0.0.4; charset=utf-8";
	return rc;
}

static int openapi(struct req *r)
{
	r->status = 200;
	r->content_type = "application/json; charset=utf-8";
	return buf_append(&r->text, kefu_openapi_json, kefu_openapi_json_len);
}

/*
 * Moves the server's clock, so API tests can expire sessions and locks
 * without sleeping. Only a server started with --test-clock, which refuses
 * any address but loopback, answers it.
 */
static int test_clock(struct req *r)
{
	static const char *const fields[] = {"advance_ms", NULL};
	json_t *v;
	int rc;

	if (!r->app->test_clock)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such resource");
	rc = body_only(r, fields);
	if (rc < 0)
		return rc;
	v = r->body ? json_object_get(r->body, "advance_ms") : NULL;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return err_set(&r->ei, ERR_INVALID, "advance_ms",
			       "advance_ms: expected a whole number >= 0");
	clock_set_offset(clock_offset() + json_integer_value(v));
	/* The scheduler's round runs here, in the request, so a test sees what fired when it
	 * answers. */
	rc = sched_run(r->store, clock_now_ms());
	if (rc < 0)
		return rc;
	return reply_json(r, 200,
			  json_pack("{s:I, s:i}", "now", (json_int_t)clock_now_ms(), "fired", rc));
}

const struct route http_misc_routes[] = {
	{"GET", "/healthz", healthz, ACT_PUBLIC},
	{"GET", "/metrics", metrics, ACT_PUBLIC},
	{"GET", "/api/openapi.json", openapi, ACT_PUBLIC},
	{"POST", "/api/test/clock", test_clock, ACT_PUBLIC},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
