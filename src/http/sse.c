/*
 * The Server-Sent Events hub: the machinery every kind of event stream
 * shares (http.h says how a kind uses it; docs/architecture.md, "Event
 * streams and the thread pool", why it is built so).
 *
 * The server runs libmicrohttpd with a few worker threads, each a poll()
 * loop serving many connections. A stream is idle almost all the time, so
 * it must not hold a worker (a content reader that blocks stalls every
 * connection of that worker; one that returns 0 is called again at once, a
 * busy loop) nor a database connection (the pool has one per worker, and
 * one for each kind's thread, borrowed for a tick).
 *
 * So a stream is parked: its content reader, finding nothing to send,
 * suspends the connection (MHD_suspend_connection, which takes it out of
 * its worker's poll set) and returns 0. One thread per kind does all the
 * waiting: every *period_ms, or min_gap_ms after sse_wake() or a new
 * stream, it borrows a pooled connection, has the kind's producer write the
 * events of all its streams at once, appends them to each stream's buffer
 * and resumes (MHD_resume_connection) the connections that now have
 * something to send; their worker then calls the reader again, which hands
 * the buffer over and suspends again. The thread starts with the kind's
 * first stream and waits without a timeout while it has none.
 *
 * Locking: a kind's hub.lock guards its list and each stream's buffer and
 * flags. The reader sets `suspended` and suspends in one step under the
 * lock; the thread resumes only a connection whose flag it sees set,
 * clearing it under the same lock. So a resume is never lost between
 * "nothing to send" and the suspension, and never reaches a connection that
 * is not suspended (undefined in libmicrohttpd). libmicrohttpd calls the
 * reader and the free callback without holding its own connection mutex,
 * which suspend and resume take; so the order is always hub.lock, then its
 * mutex. The registry's lock, which finds the kinds, is never held
 * together with a hub's.
 *
 * Shutdown: MHD_stop_daemon must not meet a suspended connection, so
 * http_stop() calls sse_stop() first: every stream is ended and resumed,
 * sends what it holds and its last chunk, and completes like any request,
 * so the server's wait for requests in flight ends at once.
 */
#include <microhttpd.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "http/http.h"
#include "store/store.h"

#define KEEPALIVE_NS (15LL * 1000 * 1000 * 1000) /* a comment when silent this long */
#define SESSION_CHECK_MS 30000			 /* how often allowed() is asked again */
#define RETRY_MS 5000				 /* the browser's reconnection delay */
#define NS_PER_MS 1000000LL
/*
 * Streams of one kind one person may hold open at once: a workbench per
 * screen and a few tabs. Without a cap one account could hold every
 * connection the server accepts, since a parked stream never times out. At
 * the cap the person's oldest stream ends to make room: a parked stream
 * only learns that its client left at its next keepalive, so reloading a
 * page must not be refused because of streams nobody reads any more.
 */
#define STREAMS_PER_PERSON 8

struct sse_stream {
	struct sse_stream *next;
	struct sse_hub *hub;
	struct MHD_Connection *conn;
	int64_t person_id;
	int64_t session_id;

	/* Only the hub thread reads and writes these (after linking). */
	int64_t session_checked; /* clock_now_ms() of the last allowed() */
	int64_t last_write_ns;	 /* clock_mono_ns() of the last text put into the buffer */

	/* Under hub.lock. */
	struct buf out; /* text not yet handed to libmicrohttpd: out.p[sent..len) */
	size_t sent;
	int suspended; /* parked by the reader; only the one who clears it resumes */
	int ended;     /* send what is left, then end the response */
	int more;      /* the producer stopped short: wake the thread when drained */
	int linked;    /* in hub.head */
	int closed;    /* libmicrohttpd is done with it: the hub thread frees it */

	max_align_t data[]; /* the kind's data_size bytes */
};

struct sse_hub {
	struct sse_hub *next; /* in the registry */
	struct sse_kind *kind;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int running;  /* the hub thread exists */
	int stopping; /* sse_stop() was called: for good */
	int wake;     /* tick soon */
	pthread_t thread;
	struct sse_stream *head; /* newest first */
	const struct app *app;
};

/* The kinds that ever opened a stream, so that sse_stop() finds them all. */
static struct {
	pthread_mutex_t lock;
	struct sse_hub *head;
	int stopping;
} reg = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void stream_destroy(struct sse_stream *s)
{
	buf_release(&s->out);
	free(s);
}

/* Under h->lock: frees the streams libmicrohttpd has finished with. */
static void reap_closed(struct sse_hub *h)
{
	struct sse_stream **p = &h->head;

	while (*p) {
		struct sse_stream *s = *p;

		if (s->closed) {
			*p = s->next;
			stream_destroy(s);
		} else {
			p = &s->next;
		}
	}
}

/* Under hub.lock. */
static void resume_if_parked(struct sse_stream *s)
{
	if (s->suspended && !s->closed && (s->out.len > s->sent || s->ended)) {
		s->suspended = 0;
		MHD_resume_connection(s->conn);
	}
}

/* The content reader: runs on the connection's worker thread. */
static ssize_t stream_read(void *cls, uint64_t pos, char *dst, size_t max)
{
	struct sse_stream *s = cls;
	struct sse_hub *h = s->hub;
	ssize_t n = 0;

	(void)pos;
	pthread_mutex_lock(&h->lock);
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
			if (s->more && h->running) {
				s->more = 0;
				h->wake = 1;
				pthread_cond_signal(&h->cond);
			}
		}
	} else if (s->ended) {
		n = MHD_CONTENT_READER_END_OF_STREAM;
	} else {
		/* Nothing to send: park the connection until the hub thread has some. */
		s->suspended = 1;
		MHD_suspend_connection(s->conn);
	}
	pthread_mutex_unlock(&h->lock);
	return n;
}

/* The response's free callback: the connection is finished with the stream. */
static void stream_free(void *cls)
{
	struct sse_stream *s = cls;
	struct sse_hub *h = s->hub;
	int now = 1;

	pthread_mutex_lock(&h->lock);
	if (s->linked && h->running) {
		/* The hub thread may hold it in this tick's snapshot: it frees it. */
		s->closed = 1;
		now = 0;
	} else if (s->linked) {
		struct sse_stream **p = &h->head;

		while (*p && *p != s)
			p = &(*p)->next;
		if (*p)
			*p = s->next;
	}
	pthread_mutex_unlock(&h->lock);
	if (now)
		stream_destroy(s);
}

/* Asks allowed() about a stream whose last answer is SESSION_CHECK_MS old. */
static void check_stream(struct sse_kind *k, struct sse_tick *t, struct sse_slot *sl)
{
	struct sse_stream *s = sl->stream;
	int rc;

	/* By the server's clock, so moving the test clock forward is noticed at once. */
	if (!k->allowed ||
	    (t->now - s->session_checked < SESSION_CHECK_MS && t->now >= s->session_checked))
		return;
	rc = k->allowed(t, sl);
	if (rc < 0)
		return; /* keep streaming; the next tick asks again */
	s->session_checked = t->now;
	sl->end = rc == 0;
}

/* Under hub.lock: hands a slot's text to its stream. */
static void deliver(struct sse_hub *h, struct sse_slot *sl, const struct buf *all, int64_t mono)
{
	struct sse_stream *s = sl->stream;
	size_t skip = h->kind->skip_unread;
	int behind = skip && s->out.len - s->sent >= skip;

	if (s->closed)
		return;
	if (sl->add.len && !behind) {
		if (buf_append(&s->out, sl->add.p, sl->add.len) < 0) {
			/* Those events would be lost: end, and the client resumes from
			 * where it was (Last-Event-ID) or starts afresh. */
			s->ended = 1;
		}
		s->last_write_ns = mono;
	}
	if (sl->end || h->stopping) {
		s->ended = 1;
	} else if (all->len && !behind) {
		if (buf_append(&s->out, all->p, all->len) < 0)
			s->ended = 1; /* no memory: the browser reconnects by itself */
		s->last_write_ns = mono;
	}
	if (!s->ended && s->out.len == s->sent && mono - s->last_write_ns >= KEEPALIVE_NS) {
		/* Proxies and browsers drop a silent connection; this also finds clients
		 * that went away, which a parked connection cannot notice. */
		buf_puts(&s->out, ": keepalive\n\n");
		s->last_write_ns = mono;
	}
	s->more = sl->more;
	resume_if_parked(s);
}

static void tick(struct sse_hub *h)
{
	struct sse_kind *k = h->kind;
	struct sse_tick t = {.app = h->app, .all = BUF_INIT};
	size_t n = 0, i = 0;
	int rc;

	pthread_mutex_lock(&h->lock);
	reap_closed(h);
	for (struct sse_stream *s = h->head; s; s = s->next)
		n++;
	if (n)
		t.slots = calloc(n, sizeof(*t.slots));
	for (struct sse_stream *s = h->head; t.slots && s; s = s->next, i++) {
		t.slots[i].stream = s;
		t.slots[i].data = s->data;
		t.slots[i].person_id = s->person_id;
		t.slots[i].session_id = s->session_id;
		t.slots[i].unread = s->out.len - s->sent;
	}
	pthread_mutex_unlock(&h->lock);
	if (!t.slots)
		return;
	t.n = n;

	/* Borrowed for this tick's reads only, never while waiting. */
	t.store = store_pool_get(h->app->pool);
	t.now = clock_now_ms();
	t.idle_ms = (int64_t)h->app->cfg->session_idle_min * 60000;
	for (i = 0; i < n; i++)
		check_stream(k, &t, &t.slots[i]);
	rc = k->produce(&t);
	store_pool_put(h->app->pool, t.store);
	if (rc < 0)
		log_warn("%s: event stream tick failed: %s", k->name, err_name(rc));

	pthread_mutex_lock(&h->lock);
	for (i = 0; i < n; i++)
		deliver(h, &t.slots[i], &t.all, clock_mono_ns());
	pthread_mutex_unlock(&h->lock);
	for (i = 0; i < n; i++)
		buf_release(&t.slots[i].add);
	buf_release(&t.all);
	free(t.slots);
}

static struct timespec mono_at(int64_t ns)
{
	struct timespec t = {(time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL)};

	return t;
}

static void *hub_main(void *arg)
{
	struct sse_hub *h = arg;
	int64_t last = 0; /* clock_mono_ns() at the end of the last tick; 0: none yet */

	pthread_mutex_lock(&h->lock);
	while (!h->stopping) {
		int64_t due, mono = clock_mono_ns();

		if (!h->head) {
			/* No streams: nothing to do until one opens. */
			pthread_cond_wait(&h->cond, &h->lock);
			continue;
		}
		due = last +
		      (int64_t)(h->wake ? h->kind->min_gap_ms : *h->kind->period_ms) * NS_PER_MS;
		if (last && mono < due) {
			struct timespec until = mono_at(due);

			pthread_cond_timedwait(&h->cond, &h->lock, &until);
			continue; /* woken early or on time: decide again */
		}
		h->wake = 0;
		pthread_mutex_unlock(&h->lock);
		tick(h);
		pthread_mutex_lock(&h->lock);
		last = clock_mono_ns();
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/*
 * The hub of kind k in *out, made with its first stream when `make`; NULL
 * when it has none yet. Making one fails with ERR_BUSY once sse_stop() ran.
 */
static int hub_of(struct sse_kind *k, int make, struct sse_hub **out)
{
	struct sse_hub *h;
	pthread_condattr_t ca;
	int rc = 0;

	pthread_mutex_lock(&reg.lock);
	h = k->hub;
	if (!h && make && reg.stopping) {
		rc = ERR_BUSY;
	} else if (!h && make) {
		h = calloc(1, sizeof(*h));
		if (h) {
			h->kind = k;
			pthread_mutex_init(&h->lock, NULL);
			pthread_condattr_init(&ca);
			/* A change of the wall clock must not stall the ticks. */
			pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
			pthread_cond_init(&h->cond, &ca);
			pthread_condattr_destroy(&ca);
			h->next = reg.head;
			reg.head = h;
			k->hub = h;
		} else {
			rc = ERR_NOMEM;
		}
	}
	pthread_mutex_unlock(&reg.lock);
	*out = h;
	return rc;
}

/* Under h->lock: the thread starts with the kind's first stream. */
static int hub_start(struct sse_hub *h, const struct app *app)
{
	if (h->running)
		return 0;
	h->app = app;
	if (pthread_create(&h->thread, NULL, hub_main, h) != 0) {
		log_error("%s: cannot start the event stream thread", h->kind->name);
		return ERR_IO;
	}
	h->running = 1;
	return 0;
}

void sse_wake(struct sse_kind *k)
{
	struct sse_hub *h;

	hub_of(k, 0, &h);
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	if (h->running) {
		h->wake = 1;
		pthread_cond_signal(&h->cond);
	}
	pthread_mutex_unlock(&h->lock);
}

static void hub_stop(struct sse_hub *h)
{
	int was_running;

	pthread_mutex_lock(&h->lock);
	h->stopping = 1;
	was_running = h->running;
	for (struct sse_stream *s = h->head; s; s = s->next) {
		s->ended = 1;
		resume_if_parked(s);
	}
	if (was_running)
		pthread_cond_signal(&h->cond);
	pthread_mutex_unlock(&h->lock);
	if (!was_running)
		return;
	pthread_join(h->thread, NULL);
	pthread_mutex_lock(&h->lock);
	h->running = 0; /* from now on the free callback frees streams itself */
	reap_closed(h);
	pthread_mutex_unlock(&h->lock);
}

void sse_stop(void)
{
	struct sse_hub *h;

	pthread_mutex_lock(&reg.lock);
	reg.stopping = 1;
	h = reg.head;
	pthread_mutex_unlock(&reg.lock);
	/* No hub joins the list after this: hub_of() refuses once stopping. */
	for (; h; h = h->next)
		hub_stop(h);
}

int sse_open(struct sse_kind *k, struct req *r, const void *data)
{
	struct MHD_Response *resp;
	struct sse_stream *s;
	struct sse_hub *h;
	int rc = hub_of(k, 1, &h);

	if (rc < 0)
		return rc == ERR_BUSY ? err_set(&r->ei, rc, NULL, "the server is stopping") : rc;
	s = calloc(1, sizeof(*s) + k->data_size);
	if (!s)
		return ERR_NOMEM;
	s->hub = h;
	s->conn = r->conn;
	s->person_id = r->who.person_id;
	s->session_id = r->who.session_id;
	s->session_checked = r->now;
	s->last_write_ns = clock_mono_ns();
	if (k->data_size)
		memcpy(s->data, data, k->data_size);
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
	if (r->origin[0])
		http_cors_headers(resp, r->origin);

	pthread_mutex_lock(&h->lock);
	rc = h->stopping ? ERR_BUSY : 0;
	if (rc == 0) {
		struct sse_stream *oldest = NULL;
		int open = 0;

		/* h->head is newest first, so the last match is the oldest. */
		for (struct sse_stream *t = h->head; t; t = t->next)
			if (t->person_id == s->person_id && !t->closed && !t->ended) {
				open++;
				oldest = t;
			}
		if (open >= STREAMS_PER_PERSON) {
			oldest->ended = 1;
			resume_if_parked(oldest);
		}
		rc = hub_start(h, r->app);
	}
	if (rc == 0) {
		s->next = h->head;
		h->head = s;
		s->linked = 1;
		h->wake = 1; /* the first events now, not at the next period */
		pthread_cond_signal(&h->cond);
	}
	pthread_mutex_unlock(&h->lock);
	if (rc < 0) {
		MHD_destroy_response(resp); /* frees s through stream_free */
		return rc == ERR_BUSY ? err_set(&r->ei, rc, NULL, "the server is stopping") : rc;
	}
	rc = MHD_queue_response(r->conn, MHD_HTTP_OK, resp) == MHD_YES ? 0 : ERR_IO;
	MHD_destroy_response(resp);
	r->status = MHD_HTTP_OK;
	return rc;
}
