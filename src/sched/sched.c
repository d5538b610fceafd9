#include "sched/sched.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "store/store.h"

struct tick {
	const char *name;
	sched_fn fn;
	void *arg;
	int64_t period_ms;
	int64_t last; /* when it last ran (guarded by lock) */
	int ran;      /* it has run at least once (guarded by lock) */
};

/* Written before any round runs, read-only after: no lock needed to read them. */
static struct tick ticks[SCHED_MAX];
static int nticks;

static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int stopping, running;
/* When the thread last finished a round (monotonic ms, 0 while no thread
 * runs), for the readiness check on the HTTP workers: atomic, so that they
 * read it without the lock. */
static _Atomic int64_t last_round;

int sched_add(const char *name, sched_fn fn, void *arg, int64_t period_ms)
{
	assert(fn && period_ms >= 0);
	if (nticks == SCHED_MAX)
		return ERR_TOOBIG;
	ticks[nticks++] = (struct tick){name, fn, arg, period_ms, 0, 0};
	return 0;
}

/*
 * Whether t runs in the round at now; a periodic tick is marked as run
 * here, so two rounds at once (test-clock requests) do not both run it.
 */
static int due(struct tick *t, int64_t now)
{
	int yes;

	if (!t->period_ms)
		return 1;
	pthread_mutex_lock(&lock);
	yes = !t->ran || now - t->last >= t->period_ms;
	if (yes) {
		t->last = now;
		t->ran = 1;
	}
	pthread_mutex_unlock(&lock);
	return yes;
}

/* One round; *backlog is set when a tick did its whole budget. */
static int one_round(struct store *s, int64_t now, int *backlog)
{
	int total = 0, first_err = 0;

	*backlog = 0;
	for (int i = 0; i < nticks; i++) {
		int rc;

		if (!due(&ticks[i], now))
			continue;
		rc = ticks[i].fn(s, now, ticks[i].arg);
		if (rc < 0) {
			log_warn("sched: %s failed (%d); retrying next round", ticks[i].name, rc);
			if (!first_err)
				first_err = rc;
			continue;
		}
		total += rc;
		if (rc >= SCHED_BUDGET)
			*backlog = 1;
	}
	return first_err ? first_err : total;
}

int sched_run(struct store *s, int64_t now)
{
	int backlog;

	return one_round(s, now, &backlog);
}

static void *loop(void *arg)
{
	struct store_pool *pool = arg;

	pthread_mutex_lock(&lock);
	while (!stopping) {
		struct timespec until;
		struct store *s;
		int backlog;

		pthread_mutex_unlock(&lock);
		s = store_pool_get(pool);
		one_round(s, clock_now_ms(), &backlog);
		store_pool_put(pool, s);
		atomic_store(&last_round, clock_mono_ns() / 1000000);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_mutex_lock(&lock);
		/* A full budget means a backlog (after an outage): go on at once. */
		if (!stopping && !backlog)
			pthread_cond_timedwait(&wake, &lock, &until);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

int64_t sched_idle_ms(void)
{
	int64_t last = atomic_load(&last_round);

	if (last == 0)
		return -1;
	/* Started, no round finished yet: counted from the start. */
	return clock_mono_ns() / 1000000 - last;
}

int sched_start(struct store_pool *pool)
{
	stopping = 0;
	atomic_store(&last_round, clock_mono_ns() / 1000000);
	if (pthread_create(&thread, NULL, loop, pool) != 0)
		return ERR_IO;
	running = 1;
	return 0;
}

void sched_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&lock);
	stopping = 1;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	running = 0;
	atomic_store(&last_round, 0);
}
