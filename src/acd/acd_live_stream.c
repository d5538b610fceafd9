/*
 * GET /api/acd/live/stream: the wallboard's figures as Server-Sent Events
 * (event "acd.live", the JSON of GET /api/acd/live for today) every
 * ACD_LIVE_PERIOD_MS, and sooner after acd_live_wake(), for as long as the
 * session lives and its person may read them.
 *
 * The same parking as the notification stream (notify_stream.c, and
 * docs/architecture.md): a stream must hold neither a worker thread nor a
 * database connection, so its content reader suspends the connection
 * (MHD_suspend_connection) whenever it has nothing to send, and one
 * thread of its own — started with the first stream, idle while there is
 * none — does the rest. Each tick it borrows a pooled connection, computes
 * the figures once, formats the event once, and appends that text to every
 * stream's buffer and resumes the parked connections; so a tick costs the
 * same with one viewer or a hundred, and nothing is computed while nobody
 * watches. Reading the tables (not a queue in this process) is what shows
 * every app node's calls and agents.
 *
 * Figures are only worth their latest value: a client that has not read
 * the previous events (STREAM_BEHIND bytes still waiting) skips the next,
 * so a slow reader costs at most that much memory and never a backlog.
 *
 * Every SESSION_CHECK_MS each stream's session is checked (the test of
 * notify_session_live: it exists, is not past its expiry, its person is
 * active) together with the person's right to the figures now
 * (ACT_ACD_READ, so taking a supervisor's role away ends their stream).
 * A stream that fails either ends.
 *
 * Locking and shutdown are those of notify_stream.c: hub.lock guards the
 * list and each stream's buffer and flags; the reader sets `suspended` and
 * suspends in one step under it, the thread resumes only a connection whose
 * flag it clears under it; http_stop() calls acd_live_streams_stop() before
 * it waits for requests in flight, which ends and resumes every stream, so
 * none is left suspended for MHD_stop_daemon.
 */
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "acd/acd.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/http.h"
#include "notify/notify.h"
#include "org/org.h"
#include "store/store.h"

#define SESSION_CHECK_MS 30000	  /* how often a stream's session and right are re-checked */
#define STREAM_BEHIND (32 * 1024) /* a client with this much unread skips new figures */
#define RETRY_MS 5000		  /* the browser's reconnection delay */
#define STREAMS_PER_PERSON 8	  /* a wallboard per screen and a few tabs; see notify_stream.c */
#define NS_PER_MS 1000000LL

struct live {
	struct live *next;
	struct MHD_Connection *conn;
	int64_t person_id;
	int64_t session_id;
	int64_t session_checked; /* stream thread only: clock_now_ms() of the last check */

	/* Under hub.lock. */
	struct buf out; /* text not yet handed to libmicrohttpd: out.p[sent..len) */
	size_t sent;
	int suspended; /* parked by the reader; only the one who clears it resumes */
	int ended;     /* send what is left, then end the response */
	int linked;    /* in hub.head */
	int closed;    /* libmicrohttpd is done with it: the stream thread frees it */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* initialised when the thread starts */
	int running;	     /* the stream thread exists */
	int stopping;	     /* acd_live_streams_stop() was called: for good */
	int wake;	     /* send new figures soon */
	pthread_t thread;
	struct live *head;
	struct store_pool *pool;
	const struct config *cfg;
	int64_t idle_ms;
} hub = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void live_destroy(struct live *s)
{
	buf_release(&s->out);
	free(s);
}

/* Under hub.lock: frees the streams libmicrohttpd has finished with. */
static void reap_closed(void)
{
	struct live **p = &hub.head;

	while (*p) {
		struct live *s = *p;

		if (s->closed) {
			*p = s->next;
			live_destroy(s);
		} else {
			p = &s->next;
		}
	}
}

/* Under hub.lock. */
static void resume_if_parked(struct live *s)
{
	if (s->suspended && !s->closed && (s->out.len > s->sent || s->ended)) {
		s->suspended = 0;
		MHD_resume_connection(s->conn);
	}
}

/* The content reader: runs on the connection's worker thread. */
static ssize_t live_read(void *cls, uint64_t pos, char *dst, size_t max)
{
	struct live *s = cls;
	ssize_t n = 0;

	(void)pos;
	pthread_mutex_lock(&hub.lock);
	if (s->out.len > s->sent) {
		size_t k = s->out.len - s->sent;

		if (k > max)
			k = max;
		memcpy(dst, s->out.p + s->sent, k);
		s->sent += k;
		n = (ssize_t)k;
		if (s->sent == s->out.len) {
			buf_reset(&s->out);
			s->sent = 0;
		}
	} else if (s->ended) {
		n = MHD_CONTENT_READER_END_OF_STREAM;
	} else {
		/* Nothing to send: park the connection until the stream thread has some. */
		s->suspended = 1;
		MHD_suspend_connection(s->conn);
	}
	pthread_mutex_unlock(&hub.lock);
	return n;
}

/* The response's free callback: the connection is finished with the stream. */
static void live_free(void *cls)
{
	struct live *s = cls;
	int now = 1;

	pthread_mutex_lock(&hub.lock);
	if (s->linked && hub.running) {
		/* The stream thread may hold it in this tick's snapshot: it frees it. */
		s->closed = 1;
		now = 0;
	} else if (s->linked) {
		struct live **p = &hub.head;

		while (*p && *p != s)
			p = &(*p)->next;
		if (*p)
			*p = s->next;
	}
	pthread_mutex_unlock(&hub.lock);
	if (now)
		live_destroy(s);
}

/* 1 while the stream's session lives and its person may read the figures, 0 when not. */
static int still_allowed(struct store *st, struct live *s, int64_t now)
{
	struct principal who;
	struct org_person p;
	int rc = notify_session_live(st, s->session_id, now, hub.idle_ms);

	if (rc <= 0)
		return rc;
	rc = org_person_get(st, s->person_id, &p);
	if (rc == ERR_NOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	memset(&who, 0, sizeof(who));
	who.person_id = p.id;
	who.roles = p.roles;
	who.department_id = p.department_id;
	return auth_authorize(&who, ACT_ACD_READ, NULL) == 0;
}

/* The event every stream gets this tick, or NULL when the figures could not be read. */
static char *figures_event(struct store *st, int64_t now)
{
	struct buf b = {0};
	json_t *o = NULL;
	char *data, *text = NULL;
	int rc = acd_live_json(st, hub.cfg, now, clock_day_start(now), clock_day_end(now), &o);

	if (rc < 0) {
		log_warn("acd: live figures failed: %s", err_name(rc));
		return NULL;
	}
	data = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	/* The JSON has no line breaks (jansson escapes them), so it is one data line. */
	if (data && buf_printf(&b, "event: acd.live\ndata: %s\n\n", data) == 0 &&
	    buf_append(&b, "", 1) == 0) {
		text = b.p;
		b.p = NULL;
	}
	free(data);
	buf_release(&b);
	return text;
}

static void tick(void)
{
	struct live **snap = NULL;
	int *dead = NULL;
	struct store *st;
	size_t n = 0, i = 0, len;
	char *event;
	int64_t now;

	pthread_mutex_lock(&hub.lock);
	reap_closed();
	for (struct live *s = hub.head; s; s = s->next)
		n++;
	if (n) {
		snap = calloc(n, sizeof(*snap));
		dead = calloc(n, sizeof(*dead));
	}
	for (struct live *s = hub.head; snap && dead && s; s = s->next)
		snap[i++] = s;
	pthread_mutex_unlock(&hub.lock);
	if (!snap || !dead) {
		free(snap);
		free(dead);
		return;
	}

	/* Borrowed for this tick's reads only, never while waiting. */
	st = store_pool_get(hub.pool);
	now = clock_now_ms();
	event = figures_event(st, now);
	for (i = 0; i < n; i++) {
		struct live *s = snap[i];
		int rc;

		/* By the server's clock, so moving the test clock forward is noticed at once. */
		if (now - s->session_checked < SESSION_CHECK_MS && now >= s->session_checked)
			continue;
		rc = still_allowed(st, s, now);
		if (rc < 0)
			continue; /* keep streaming; the next tick asks again */
		s->session_checked = now;
		dead[i] = rc == 0;
	}
	store_pool_put(hub.pool, st);

	len = event ? strlen(event) : 0;
	pthread_mutex_lock(&hub.lock);
	for (i = 0; i < n; i++) {
		struct live *s = snap[i];

		if (s->closed)
			continue;
		if (dead[i] || hub.stopping)
			s->ended = 1;
		else if (len && s->out.len - s->sent < STREAM_BEHIND &&
			 buf_append(&s->out, event, len) < 0)
			s->ended = 1; /* no memory: the browser reconnects by itself */
		resume_if_parked(s);
	}
	pthread_mutex_unlock(&hub.lock);
	free(event);
	free(snap);
	free(dead);
}

static struct timespec mono_at(int64_t ns)
{
	struct timespec t = {(time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL)};

	return t;
}

static void *hub_main(void *arg)
{
	int64_t last = 0; /* clock_mono_ns() at the end of the last tick; 0: none yet */

	(void)arg;
	pthread_mutex_lock(&hub.lock);
	while (!hub.stopping) {
		int64_t due, mono = clock_mono_ns();

		if (!hub.head) {
			/* Nobody watches: nothing to compute until a stream opens. */
			pthread_cond_wait(&hub.cond, &hub.lock);
			continue;
		}
		due = last + (hub.wake ? ACD_LIVE_MIN_GAP_MS : ACD_LIVE_PERIOD_MS) * NS_PER_MS;
		if (last && mono < due) {
			struct timespec until = mono_at(due);

			pthread_cond_timedwait(&hub.cond, &hub.lock, &until);
			continue; /* woken early or on time: decide again */
		}
		hub.wake = 0;
		pthread_mutex_unlock(&hub.lock);
		tick();
		pthread_mutex_lock(&hub.lock);
		last = clock_mono_ns();
	}
	pthread_mutex_unlock(&hub.lock);
	return NULL;
}

/* Under hub.lock: the thread starts with the first stream. */
static int hub_start(struct app *app)
{
	pthread_condattr_t ca;

	if (hub.running)
		return 0;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* a clock change must not stall ticks */
	pthread_cond_init(&hub.cond, &ca);
	pthread_condattr_destroy(&ca);
	hub.pool = app->pool;
	hub.cfg = app->cfg;
	hub.idle_ms = (int64_t)app->cfg->session_idle_min * 60000;
	if (pthread_create(&hub.thread, NULL, hub_main, NULL) != 0) {
		pthread_cond_destroy(&hub.cond);
		log_error("acd: cannot start the live figures thread");
		return ERR_IO;
	}
	hub.running = 1;
	return 0;
}

void acd_live_wake(void)
{
	pthread_mutex_lock(&hub.lock);
	if (hub.running) {
		hub.wake = 1;
		pthread_cond_signal(&hub.cond);
	}
	pthread_mutex_unlock(&hub.lock);
}

void acd_live_streams_stop(void)
{
	int was_running;

	pthread_mutex_lock(&hub.lock);
	hub.stopping = 1;
	was_running = hub.running;
	for (struct live *s = hub.head; s; s = s->next) {
		s->ended = 1;
		resume_if_parked(s);
	}
	if (was_running)
		pthread_cond_signal(&hub.cond);
	pthread_mutex_unlock(&hub.lock);
	if (!was_running)
		return;
	pthread_join(hub.thread, NULL);
	pthread_mutex_lock(&hub.lock);
	hub.running = 0; /* from now on the free callback frees streams itself */
	reap_closed();
	pthread_cond_destroy(&hub.cond);
	pthread_mutex_unlock(&hub.lock);
}

int acd_live_stream_open(struct req *r)
{
	struct MHD_Response *resp;
	struct live *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return ERR_NOMEM;
	s->conn = r->conn;
	s->person_id = r->who.person_id;
	s->session_id = r->who.session_id;
	s->session_checked = r->now;
	/* Something to send at once, so the client sees the answer start now. */
	if (buf_printf(&s->out, "retry: %d\n\n", RETRY_MS) < 0) {
		live_destroy(s);
		return ERR_NOMEM;
	}
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, live_read, s, live_free);
	if (!resp) {
		live_destroy(s);
		return ERR_NOMEM;
	}
	/* The headers the server's answer() puts on every answer, and the stream's own. */
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'none'; frame-ancestors 'none'");
	MHD_add_response_header(resp, "Content-Type", "text/event-stream");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no"); /* nginx: do not buffer */

	pthread_mutex_lock(&hub.lock);
	rc = hub.stopping ? ERR_BUSY : 0;
	if (rc == 0) {
		struct live *oldest = NULL;
		int open = 0;

		/* hub.head is newest first, so the last match is the oldest. */
		for (struct live *t = hub.head; t; t = t->next)
			if (t->person_id == s->person_id && !t->closed && !t->ended) {
				open++;
				oldest = t;
			}
		if (open >= STREAMS_PER_PERSON) {
			oldest->ended = 1;
			resume_if_parked(oldest);
		}
		rc = hub_start(r->app);
	}
	if (rc == 0) {
		s->next = hub.head;
		hub.head = s;
		s->linked = 1;
		hub.wake = 1; /* the first figures now, not at the next period */
		pthread_cond_signal(&hub.cond);
	}
	pthread_mutex_unlock(&hub.lock);
	if (rc < 0) {
		MHD_destroy_response(resp); /* frees s through live_free */
		return rc == ERR_BUSY ? err_set(&r->ei, rc, NULL, "the server is stopping") : rc;
	}
	rc = MHD_queue_response(r->conn, MHD_HTTP_OK, resp) == MHD_YES ? 0 : ERR_IO;
	MHD_destroy_response(resp);
	r->status = MHD_HTTP_OK;
	return rc;
}
