/*
 * The scheduler thread: every second it borrows a connection and runs
 * wo_tick and acd_tick (CALL-15, wrap-up) with the clock's now; once an
 * hour it runs the retention job.
 * Everything it does is in the database, so a restart loses nothing, and
 * a deadline that passed while kefu was down fires at the first tick.
 */
#include <pthread.h>
#include <time.h>

#include "acd/acd.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "http/auth.h"
#include "store/store.h"
#include "wo/wo.h"

static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int stopping, running;
static const struct config *settings;

static void *loop(void *arg)
{
	struct store_pool *pool = arg;
	int64_t last_retention = 0;

	pthread_mutex_lock(&lock);
	while (!stopping) {
		struct timespec until;
		struct store *s;
		int64_t now;
		int rc;

		pthread_mutex_unlock(&lock);
		s = store_pool_get(pool);
		now = clock_now_ms();
		rc = wo_tick(s, now);
		if (rc < 0)
			log_warn("sched: tick failed (%d); retrying next second", rc);
		if (acd_tick(s, now, settings->busy_max_min) < 0)
			log_warn("sched: agent tick failed; retrying next second");
		/* Expired sessions end here, not only at their next use; their seats log out
		 * (ORG-3). */
		if (auth_session_expire(s, now, (int64_t)settings->session_idle_min * 60000) < 0)
			log_warn("sched: session expiry failed; retrying next second");
		if (now - last_retention >= 3600000) {
			int n = wo_retention(s, now);

			if (n > 0)
				log_info("sched: anonymised %d archived orders (WO-7)", n);
			last_retention = now;
		}
		store_pool_put(pool, s);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_mutex_lock(&lock);
		/* A full budget means a backlog (after an outage): go on at once. */
		if (!stopping && rc < 1024)
			pthread_cond_timedwait(&wake, &lock, &until);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

int wo_sched_start(struct store_pool *pool, const struct config *cfg)
{
	stopping = 0;
	settings = cfg;
	if (pthread_create(&thread, NULL, loop, pool) != 0)
		return ERR_IO;
	running = 1;
	return 0;
}

void wo_sched_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&lock);
	stopping = 1;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	running = 0;
}
