/*
 * The SQL of recordings: which file a call's recording is and who
 * answered it, for playback. The writer does not write rows itself: the
 * link function it was started with does (see rec.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "rec/rec.h"
#include "store/store.h"

int rec_of_call(struct store *s, int64_t call_id, int64_t *agent_id, char *file, size_t size)
{
	struct store_stmt *st =
		store_query(s, "SELECT agent_id, recording FROM call WHERE id = ?", "i", call_id);
	int rc = store_next(st, NULL, NULL);

	if (rc == 1) {
		const char *name = store_col_text(st, 1);

		*agent_id = store_col_int(st, 0);
		if (name && name[0] && strlen(name) < size)
			snprintf(file, size, "%s", name);
		else if (size)
			file[0] = '\0';
		rc = 0;
	} else if (rc == 0) {
		rc = ERR_NOTFOUND;
	}
	store_done(st);
	return rc;
}

int rec_metrics_of_call(struct store *s, int64_t call_id, char **out)
{
	struct store_stmt *st =
		store_query(s, "SELECT metrics FROM call WHERE id = ?", "i", call_id);
	int rc = store_next(st, NULL, NULL);

	*out = NULL;
	if (rc == 1) {
		const char *m = store_col_text(st, 0);

		rc = 0;
		if (m && !(*out = strdup(m)))
			rc = ERR_NOMEM;
	} else if (rc == 0) {
		rc = ERR_NOTFOUND;
	}
	store_done(st);
	return rc;
}
