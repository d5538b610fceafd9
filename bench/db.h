/*
 * A benchmark's database: a fresh one migrated as kefu migrates it, at the
 * path given or in a temporary file (its name left in tmp, for the program
 * to unlink at the end). Included by one benchmark program each, hence
 * static.
 */
#ifndef KEFU_BENCH_DB_H
#define KEFU_BENCH_DB_H

#include <stdlib.h>
#include <unistd.h>

#include "store/store.h"

/* tmp: a buffer holding a mkstemp template, e.g. "/tmp/kefu-bench-x-XXXXXX". */
static struct store *bench_db_open(const char *db, char *tmp)
{
	struct store_opts o = {db, 5000, STORE_NORMAL};
	struct store *s = NULL;

	if (!db) {
		int fd = mkstemp(tmp);

		if (fd < 0)
			return NULL;
		close(fd);
		o.path = tmp;
	} else {
		tmp[0] = '\0';
	}
	if (store_open(&s, &o) < 0 || store_migrate(s, NULL, NULL) < 0)
		return NULL;
	return s;
}

#endif
