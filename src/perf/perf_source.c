/*
 * The sources above perf, registered once at start-up by cli/serve.c before
 * any thread reads them: afterwards the list is only read, so it needs no
 * lock.
 */
#include <assert.h>
#include <stddef.h>

#include "perf/perf.h"

static const struct perf_source *sources[PERF_SOURCES_MAX];
static int nsources;

void perf_add_source(const struct perf_source *src)
{
	assert(src && nsources < PERF_SOURCES_MAX);
	for (int i = 0; i < nsources; i++)
		if (sources[i] == src)
			return;
	sources[nsources++] = src;
}

const struct perf_source *const *perf_sources(int *n)
{
	*n = nsources;
	return sources;
}
