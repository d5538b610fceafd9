/*
 * The guard against connection exhaustion: see conns.h.
 */
#include "http/conns.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"

#define BUCKETS 4096

struct conn {
	struct conn *prev, *next; /* in the waiting list, oldest first */
	int fd;
	int waiting; /* in the waiting list */
	int from_proxy;
	int counted;   /* peer counted against http_max_per_address */
	int64_t since; /* monotonic ms it started waiting */
	char peer[64];
};

struct addr_count {
	struct addr_count *next;
	int n;
	char addr[64];
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t reaper;
	int running, stop;
	struct conn *head, *tail;
	int waiting;
	struct addr_count *counts[BUCKETS];
	char proxies[CONFIG_ADDRESSES_MAX][CONFIG_ADDRESS_LEN];
	int nproxies;
	int max_per_address, max_pending;
	int64_t timeout_ms;
} g = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* These lines are caused by clients, so a flood of them is rate-limited. */
static struct log_limit limit = {.burst = 10, .window_s = 60};

static void warn_limited(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn_limited(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_limited(&limit, LOG_WARN, "http: ", fmt, ap);
	va_end(ap);
}

static int64_t mono_ms(void)
{
	return clock_mono_ns() / 1000000;
}

static unsigned hash(const char *s)
{
	unsigned h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % BUCKETS;
}

/* Adds delta to addr's count under the lock; returns the new count. */
static int count_add(const char *addr, int delta)
{
	struct addr_count **pp = &g.counts[hash(addr)], *a;

	while (*pp && strcmp((*pp)->addr, addr) != 0)
		pp = &(*pp)->next;
	a = *pp;
	if (!a) {
		if (delta <= 0)
			return 0;
		a = calloc(1, sizeof(*a));
		if (!a)
			return 0; /* not counted: the limit is a guard, not a ledger */
		snprintf(a->addr, sizeof(a->addr), "%s", addr);
		*pp = a;
	}
	a->n += delta;
	if (a->n <= 0) {
		int n = a->n;

		*pp = a->next;
		free(a);
		return n;
	}
	return a->n;
}

static void list_add(struct conn *c, int64_t now)
{
	c->since = now;
	c->prev = g.tail;
	c->next = NULL;
	if (g.tail)
		g.tail->next = c;
	else
		g.head = c;
	g.tail = c;
	c->waiting = 1;
	g.waiting++;
}

static void list_remove(struct conn *c)
{
	if (!c->waiting)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		g.head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		g.tail = c->prev;
	c->prev = c->next = NULL;
	c->waiting = 0;
	g.waiting--;
}

/* Closes a waiting connection (under the lock); libmicrohttpd reaps it. */
static void cut(struct conn *c)
{
	list_remove(c);
	shutdown(c->fd, SHUT_RDWR);
}

static void *reaper(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&g.lock);
	while (!g.stop) {
		struct timespec until;
		int64_t now = mono_ms();
		int n = 0;
		char last[64] = "";

		while (g.head && now - g.head->since >= g.timeout_ms) {
			snprintf(last, sizeof(last), "%s", g.head->peer);
			cut(g.head);
			n++;
		}
		if (n)
			warn_limited(
				"closed %d connection(s) (the last from %s) that sent no whole "
				"request within http_request_timeout_sec (%lld s)",
				n, last, (long long)(g.timeout_ms / 1000));
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&g.wake, &g.lock, &until);
	}
	pthread_mutex_unlock(&g.lock);
	return NULL;
}

int conns_start(const struct config *cfg)
{
	int n = config_addresses(cfg->trusted_proxies, g.proxies, CONFIG_ADDRESSES_MAX);

	if (n < 0)
		return ERR_INVALID;
	g.nproxies = n;
	g.max_per_address = cfg->http_max_per_address;
	g.max_pending = cfg->http_max_pending;
	g.timeout_ms = (int64_t)cfg->http_request_timeout_sec * 1000;
	g.stop = 0;
	if (pthread_create(&g.reaper, NULL, reaper, NULL) != 0)
		return ERR_IO;
	g.running = 1;
	return 0;
}

void conns_stop(void)
{
	if (!g.running)
		return;
	pthread_mutex_lock(&g.lock);
	g.stop = 1;
	pthread_cond_signal(&g.wake);
	pthread_mutex_unlock(&g.lock);
	pthread_join(g.reaper, NULL);
	g.running = 0;
}

int conns_trusted(const char *addr)
{
	for (int i = 0; i < g.nproxies; i++)
		if (strcmp(g.proxies[i], addr) == 0)
			return 1;
	return 0;
}

struct conn *conns_open(int fd, const char *peer)
{
	struct conn *c = calloc(1, sizeof(*c));
	int over = 0, evicted = 0;
	char old[64] = "";

	if (!c)
		return NULL;
	c->fd = fd;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	c->from_proxy = conns_trusted(peer);
	pthread_mutex_lock(&g.lock);
	if (!c->from_proxy) {
		c->counted = 1;
		over = count_add(c->peer, 1) > g.max_per_address;
	}
	if (over) {
		shutdown(fd, SHUT_RDWR);
	} else {
		list_add(c, mono_ms());
		/* Room for the newcomer: the connection waiting longest goes. */
		if (g.waiting > g.max_pending) {
			snprintf(old, sizeof(old), "%s", g.head->peer);
			cut(g.head);
			evicted = 1;
		}
	}
	pthread_mutex_unlock(&g.lock);
	if (over)
		warn_limited("closed a new connection from %s: it has more than "
			     "http_max_per_address (%d) open",
			     peer, g.max_per_address);
	if (evicted)
		warn_limited("more than http_max_pending (%d) connections were waiting for a "
			     "request: closed the oldest, from %s",
			     g.max_pending, old);
	return c;
}

void conns_close(struct conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g.lock);
	list_remove(c);
	if (c->counted)
		count_add(c->peer, -1);
	pthread_mutex_unlock(&g.lock);
	free(c);
}

void conns_request_received(struct conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g.lock);
	list_remove(c);
	pthread_mutex_unlock(&g.lock);
}

void conns_request_done(struct conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g.lock);
	if (!c->waiting)
		list_add(c, mono_ms());
	pthread_mutex_unlock(&g.lock);
}

int conns_from_proxy(const struct conn *c)
{
	return c && c->from_proxy;
}

int conns_client_take(const char *client)
{
	int n;

	pthread_mutex_lock(&g.lock);
	n = count_add(client, 1);
	pthread_mutex_unlock(&g.lock);
	if (n <= g.max_per_address)
		return 0;
	warn_limited("refused a request from %s through a proxy: it has more than "
		     "http_max_per_address (%d) open",
		     client, g.max_per_address);
	return ERR_THROTTLED;
}

void conns_client_release(const char *client)
{
	pthread_mutex_lock(&g.lock);
	count_add(client, -1);
	pthread_mutex_unlock(&g.lock);
}
