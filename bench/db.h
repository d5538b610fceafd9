/*
 * What the C benchmarks share beside their generator (rand.h): the wall
 * clock in milliseconds, and a fresh database migrated as kefu migrates it,
 * at the path given or in a temporary file named from tmpl (which then
 * holds the name, for the unlink at the end). Included by one benchmark
 * program each, hence static.
 */
#ifndef KEFU_BENCH_DB_H
#define KEFU_BENCH_DB_H

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

static inline double bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Opens (durability normal) and migrates db, or a new temporary file named
 * from tmpl when db is NULL; *used says which path it is. 0 or -1. */
static inline int bench_db_open(const char *db, char *tmpl, const char **used, struct store **s)
{
	struct store_opts o = {NULL, 5000, STORE_NORMAL};

	if (!db) {
		int fd = mkstemp(tmpl);

		if (fd < 0)
			return -1;
		close(fd);
		db = tmpl;
	}
	*used = db;
	o.path = db;
	return store_open(s, &o) < 0 || store_migrate(*s, NULL, NULL) < 0 ? -1 : 0;
}

#endif
