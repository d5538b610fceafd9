/*
 * A fixed pool of connections. A request borrows one for its whole life, so
 * a transaction never crosses connections; with as many connections as
 * worker threads nobody waits, and the condition variable covers the rest
 * (the scheduler, a CLI task in-process).
 */
#include <pthread.h>
#include <stdlib.h>

#include "core/err.h"
#include "store/store.h"

struct store_pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct store **free;
	int nfree;
	int size;
};

int store_pool_open(struct store_pool **out, const struct store_opts *opts, int size)
{
	struct store_pool *p = calloc(1, sizeof(*p));
	int rc = 0;

	*out = NULL;
	if (!p)
		return ERR_NOMEM;
	p->free = calloc((size_t)size, sizeof(*p->free));
	if (!p->free) {
		free(p);
		return ERR_NOMEM;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->freed, NULL);
	p->size = size;
	for (int i = 0; i < size; i++) {
		rc = store_open(&p->free[i], opts);
		if (rc < 0) {
			store_pool_close(p);
			return rc;
		}
		p->nfree++;
	}
	*out = p;
	return 0;
}

struct store *store_pool_get(struct store_pool *p)
{
	struct store *s;

	pthread_mutex_lock(&p->lock);
	while (p->nfree == 0)
		pthread_cond_wait(&p->freed, &p->lock);
	s = p->free[--p->nfree];
	pthread_mutex_unlock(&p->lock);
	return s;
}

void store_pool_put(struct store_pool *p, struct store *s)
{
	store_rollback(s); /* a request that failed mid-transaction leaves nothing behind */
	pthread_mutex_lock(&p->lock);
	p->free[p->nfree++] = s;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

void store_pool_close(struct store_pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->nfree; i++)
		store_close(p->free[i]);
	pthread_cond_destroy(&p->freed);
	pthread_mutex_destroy(&p->lock);
	free(p->free);
	free(p);
}
