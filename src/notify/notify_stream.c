/*
 * GET /api/events: each new notification of the logged-in person, as
 * Server-Sent Events, for as long as the session lives.
 *
 * The server runs libmicrohttpd with a few worker threads, each an epoll
 * loop serving many connections. A stream is idle almost all the time, so
 * it must not hold a worker (a content reader that blocks stalls every
 * connection of that worker; one that returns 0 is called again at once, a
 * busy loop) nor a database connection (the pool has threads + 1).
 *
 * So a stream is parked: its content reader, finding nothing to send,
 * suspends the connection (MHD_suspend_connection, which takes it out of
 * its worker's epoll set) and returns 0. One stream thread does all the
 * waiting: every notify_poll_ms (1 s), or at once when notify_wake() or a
 * new stream signals it, it borrows a pooled connection for one short read,
 * appends the new events to each stream's buffer and resumes
 * (MHD_resume_connection) the connections that now have something to send;
 * their worker then calls the reader again, which hands the buffer over and
 * suspends again.
 *
 * Reading the table (not an in-process queue) is what lets a stream see
 * notifications committed by another app node on the same database. One
 * query per poll serves every stream: rows with id > `scanned` (usually
 * none) are handed to the streams of their person. A new stream first
 * "catches up" with its own query for its person from the id it starts
 * after up to `scanned`, then takes part in the shared one. A stream whose
 * client reads slowly stops taking rows at STREAM_CAP bytes and catches up
 * from the table when it has drained, so memory stays bounded and nothing
 * is lost. SQLite assigns row ids under its single write lock, so rows
 * become visible in id order and "id > the last one sent" misses none.
 *
 * Locking: hub.lock guards the list and each stream's buffer and flags.
 * The reader sets `suspended` and suspends in one step under the lock; the
 * stream thread resumes only a connection whose flag it sees set, clearing
 * it under the same lock. So a resume is never lost between "nothing to
 * send" and the suspension, and never reaches a connection that is not
 * suspended (undefined in libmicrohttpd). libmicrohttpd calls the reader
 * and the free callback without holding its own connection mutex, which
 * suspend and resume take; so the order is always hub.lock, then its mutex.
 *
 * Shutdown: MHD_stop_daemon must not meet a suspended connection, so
 * http_stop() calls notify_streams_stop() first: every stream is ended and
 * resumed, sends what it holds and its last chunk, and completes like any
 * request, so the server's wait for requests in flight ends at once.
 */
#include <limits.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "http/http.h"
#include "notify/notify.h"
#include "store/store.h"

#define KEEPALIVE_NS (15LL * 1000 * 1000 * 1000) /* a comment when idle this long */
#define SESSION_CHECK_MS 30000                    /* how often a stream's session is re-checked */
#define STREAM_CAP (64 * 1024)                    /* bytes held for one client at most */
#define PAGE 200                                  /* rows per query */
#define RETRY_MS 5000                             /* the browser's reconnection delay */
/*
 * Streams one person may hold open at once: a workbench per screen and a
 * few tabs. Without a cap one account could hold every connection the
 * server accepts, since a parked stream never times out. At the cap the
 * person's oldest stream ends to make room: a parked stream only learns
 * that its client left at its next keepalive, so reloading a page must not
 * be refused because of streams nobody reads any more.
 */
#define STREAMS_PER_PERSON 8

struct stream {
	struct stream *next;
	struct MHD_Connection *conn;
	int64_t person_id;
	int64_t session_id;

	/* Only the stream thread reads and writes these (after linking). */
	int64_t last_id;         /* the newest id put into the buffer */
	int catchup;             /* takes its rows from its own query, not the shared one */
	int64_t session_checked; /* clock_now_ms() of the last session check */
	int64_t last_write_ns;   /* clock_mono_ns() of the last text put into the buffer */

	/* Under hub.lock. */
	struct buf out; /* text not yet handed to libmicrohttpd: out.p[sent..len) */
	size_t sent;
	int suspended; /* parked by the reader; only the one who clears it resumes */
	int ended;     /* send what is left, then end the response */
	int more;      /* catch-up stopped at STREAM_CAP: wake the thread when drained */
	int linked;    /* in hub.head */
	int closed;    /* libmicrohttpd is done with it: the stream thread frees it */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* initialised when the thread starts */
	int running;         /* the stream thread exists */
	int stopping;        /* notify_streams_stop() was called: for good */
	int wake;
	pthread_t thread;
	struct stream *head;
	struct store_pool *pool;
	int64_t idle_ms;
	int64_t scanned; /* stream thread only: rows up to here were handed out */
} hub = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Rows from other nodes appear within this; see notify.h. */
int notify_poll_ms = 1000;

static void stream_destroy(struct stream *s)
{
	buf_release(&s->out);
	free(s);
}

/* Under hub.lock: frees the streams libmicrohttpd has finished with. */
static void reap_closed(void)
{
	struct stream **p = &hub.head;

	while (*p) {
		struct stream *s = *p;

		if (s->closed) {
			*p = s->next;
			stream_destroy(s);
		} else {
			p = &s->next;
		}
	}
}

/* Under hub.lock. */
static void resume_if_parked(struct stream *s)
{
	if (s->suspended && !s->closed && (s->out.len > s->sent || s->ended)) {
		s->suspended = 0;
		MHD_resume_connection(s->conn);
	}
}

/* The content reader: runs on the connection's worker thread. */
static ssize_t stream_read(void *cls, uint64_t pos, char *dst, size_t max)
{
	struct stream *s = cls;
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
			/* Drained: give back what a long catch-up made the buffer grow to. */
			if (s->out.cap > 16 * 1024)
				buf_release(&s->out);
			else
				buf_reset(&s->out);
			s->sent = 0;
			if (s->more && hub.running) {
				s->more = 0;
				hub.wake = 1;
				pthread_cond_signal(&hub.cond);
			}
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
static void stream_free(void *cls)
{
	struct stream *s = cls;
	int now = 1;

	pthread_mutex_lock(&hub.lock);
	if (s->linked && hub.running) {
		/* The stream thread may hold it in this tick's snapshot: it frees it. */
		s->closed = 1;
		now = 0;
	} else if (s->linked) {
		struct stream **p = &hub.head;

		while (*p && *p != s)
			p = &(*p)->next;
		if (*p)
			*p = s->next;
	}
	pthread_mutex_unlock(&hub.lock);
	if (now)
		stream_destroy(s);
}

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

/* What one tick gathers for one stream, outside the lock. */
struct slot {
	struct stream *s;
	size_t pending; /* bytes waiting in s->out when the tick began */
	struct buf add; /* events to append */
	int dead;       /* its session is over */
	int full;       /* stopped at STREAM_CAP with more to catch up */
};

struct shared {
	struct slot *slots;
	size_t n;
	int64_t last;
};

/* A row of the shared query: to every live stream of its person. */
static int shared_row(void *ctx, const struct notify_item *row)
{
	struct shared *sh = ctx;

	sh->last = row->id;
	for (size_t i = 0; i < sh->n; i++) {
		struct slot *sl = &sh->slots[i];
		struct stream *s = sl->s;

		if (s->catchup || s->person_id != row->person_id || row->id <= s->last_id)
			continue;
		/* Too much waiting for this client (or no memory): it reads the rest
		 * from the table once it has caught up. */
		if (sl->pending + sl->add.len >= STREAM_CAP || append_event(&sl->add, row) < 0) {
			s->catchup = 1;
			continue;
		}
		s->last_id = row->id;
	}
	return 0;
}

static int catchup_row(void *ctx, const struct notify_item *row)
{
	struct slot *sl = ctx;
	int rc = append_event(&sl->add, row);

	if (rc < 0)
		return rc;
	sl->s->last_id = row->id;
	return 0;
}

/* The rows written since the last tick, for the streams already caught up. */
static int fetch_shared(struct store *st, struct slot *slots, size_t n)
{
	struct shared sh = {slots, n, 0};
	int got;

	do {
		sh.last = hub.scanned;
		got = notify_after(st, 0, hub.scanned, 0, PAGE, shared_row, &sh);
		if (got < 0)
			return got;
		hub.scanned = sh.last;
	} while (got == PAGE);
	return 0;
}

/* A stream's own rows up to `scanned`, after which the shared query serves it. */
static int catch_up(struct store *st, struct slot *sl)
{
	struct stream *s = sl->s;
	int got;

	while (s->catchup) {
		if (hub.scanned <= s->last_id) {
			s->catchup = 0;
			break;
		}
		if (sl->pending + sl->add.len >= STREAM_CAP) {
			sl->full = 1;
			break;
		}
		got = notify_after(st, s->person_id, s->last_id, hub.scanned, PAGE, catchup_row,
				   sl);
		if (got < 0)
			return got;
		if (got < PAGE)
			s->catchup = 0;
	}
	return 0;
}

static int check_session(struct store *st, struct slot *sl, int64_t now)
{
	struct stream *s = sl->s;
	int rc;

	/* By the server's clock, so moving the test clock forward is noticed at once. */
	if (now - s->session_checked < SESSION_CHECK_MS && now >= s->session_checked)
		return 0;
	rc = notify_session_live(st, s->session_id, now, hub.idle_ms);
	if (rc < 0)
		return rc; /* keep streaming; the next tick asks again */
	s->session_checked = now;
	sl->dead = rc == 0;
	return 0;
}

/* Under hub.lock: hands a slot's gatherings to its stream. */
static void deliver(struct slot *sl, int64_t mono)
{
	struct stream *s = sl->s;

	if (s->closed)
		return;
	if (sl->add.len) {
		if (buf_append(&s->out, sl->add.p, sl->add.len) < 0) {
			/* Those events would be lost: end, and the client resumes from its
			 * Last-Event-ID. */
			s->ended = 1;
		}
		s->last_write_ns = mono;
	}
	if (sl->dead || hub.stopping)
		s->ended = 1;
	if (!s->ended && s->out.len == s->sent && mono - s->last_write_ns >= KEEPALIVE_NS) {
		/* Proxies and browsers drop a silent connection; this also finds clients
		 * that went away, which a parked connection cannot notice. */
		buf_puts(&s->out, ": keepalive\n\n");
		s->last_write_ns = mono;
	}
	s->more = sl->full;
	resume_if_parked(s);
}

static void tick(void)
{
	struct slot *slots = NULL;
	struct store *st;
	size_t n = 0, i = 0;
	int64_t now;
	int any_live = 0, rc;

	pthread_mutex_lock(&hub.lock);
	reap_closed();
	for (struct stream *s = hub.head; s; s = s->next)
		n++;
	if (n)
		slots = calloc(n, sizeof(*slots));
	for (struct stream *s = hub.head; slots && s; s = s->next, i++) {
		slots[i].s = s;
		slots[i].pending = s->out.len - s->sent;
		any_live |= !s->catchup;
	}
	pthread_mutex_unlock(&hub.lock);
	if (!slots)
		return;

	/* Borrowed for the reads of this tick only, never while waiting. */
	st = store_pool_get(hub.pool);
	now = clock_now_ms();
	/* With no stream live yet, nobody needs the rows in between: skip them. */
	rc = any_live ? fetch_shared(st, slots, n) : notify_last_id(st, &hub.scanned);
	for (i = 0; rc == 0 && i < n; i++)
		rc = catch_up(st, &slots[i]);
	for (i = 0; rc == 0 && i < n; i++)
		rc = check_session(st, &slots[i], now);
	store_pool_put(hub.pool, st);
	if (rc < 0)
		log_warn("notify: event stream poll failed: %s", err_name(rc));

	pthread_mutex_lock(&hub.lock);
	for (i = 0; i < n; i++)
		deliver(&slots[i], clock_mono_ns());
	pthread_mutex_unlock(&hub.lock);
	for (i = 0; i < n; i++)
		buf_release(&slots[i].add);
	free(slots);
}

static void *hub_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&hub.lock);
	while (!hub.stopping) {
		if (!hub.wake && hub.head) {
			struct timespec until;

			clock_gettime(CLOCK_MONOTONIC, &until);
			until.tv_sec += notify_poll_ms / 1000;
			until.tv_nsec += (notify_poll_ms % 1000) * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&hub.cond, &hub.lock, &until);
		} else if (!hub.wake) {
			/* No streams: nothing to poll for until one opens. */
			pthread_cond_wait(&hub.cond, &hub.lock);
		}
		if (hub.stopping)
			break;
		hub.wake = 0;
		pthread_mutex_unlock(&hub.lock);
		tick();
		pthread_mutex_lock(&hub.lock);
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
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* a clock change must not stall polls */
	pthread_cond_init(&hub.cond, &ca);
	pthread_condattr_destroy(&ca);
	hub.pool = app->pool;
	hub.idle_ms = (int64_t)app->cfg->session_idle_min * 60000;
	hub.scanned = 0;
	if (pthread_create(&hub.thread, NULL, hub_main, NULL) != 0) {
		pthread_cond_destroy(&hub.cond);
		log_error("notify: cannot start the event stream thread");
		return ERR_IO;
	}
	hub.running = 1;
	return 0;
}

void notify_wake(void)
{
	pthread_mutex_lock(&hub.lock);
	if (hub.running) {
		hub.wake = 1;
		pthread_cond_signal(&hub.cond);
	}
	pthread_mutex_unlock(&hub.lock);
}

void notify_streams_stop(void)
{
	int was_running;

	pthread_mutex_lock(&hub.lock);
	hub.stopping = 1;
	was_running = hub.running;
	for (struct stream *s = hub.head; s; s = s->next) {
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
	struct MHD_Response *resp;
	struct stream *s;
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
	s = calloc(1, sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	s->conn = r->conn;
	s->person_id = r->who.person_id;
	s->session_id = r->who.session_id;
	s->last_id = after;
	s->catchup = 1;
	s->session_checked = r->now;
	s->last_write_ns = clock_mono_ns();
	/* Something to send at once, so the client sees the answer start now. */
	if (buf_printf(&s->out, "retry: %d\n\n", RETRY_MS) < 0) {
		stream_destroy(s);
		return ERR_NOMEM;
	}
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, s,
						 stream_free);
	if (!resp) {
		stream_destroy(s);
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
		struct stream *oldest = NULL;
		int open = 0;

		/* hub.head is newest first, so the last match is the oldest. */
		for (struct stream *t = hub.head; t; t = t->next)
			if (t->person_id == s->person_id && !t->closed && !t->ended) {
				open++;
				oldest = t;
			}
		if (open >= STREAMS_PER_PERSON) {
			oldest->ended = 1;
			resume_if_parked(oldest);
		}
	}
	if (rc == 0)
		rc = hub_start(r->app);
	if (rc == 0) {
		s->next = hub.head;
		hub.head = s;
		s->linked = 1;
		hub.wake = 1; /* catch up now, not at the next poll */
		pthread_cond_signal(&hub.cond);
	}
	pthread_mutex_unlock(&hub.lock);
	if (rc < 0) {
		MHD_destroy_response(resp); /* frees s through stream_free */
		return rc == ERR_BUSY ? err_set(&r->ei, rc, NULL, "the server is stopping") : rc;
	}
	rc = MHD_queue_response(r->conn, MHD_HTTP_OK, resp) == MHD_YES ? 0 : ERR_IO;
	MHD_destroy_response(resp);
	r->status = MHD_HTTP_OK;
	return rc;
}
