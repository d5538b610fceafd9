/*
 * jw — writes JSON straight into a buf, for answers that are lists of many
 * records, where building a jansson tree first costs more than the query.
 *
 * The caller writes in document order; jw puts the commas. Strings are
 * escaped as JSON requires (quotes, backslashes, control characters);
 * text is UTF-8 and passes through. Errors (out of memory) stick in w->rc
 * and every later call is a no-op, so callers check once at the end.
 */
#ifndef KEFU_CORE_JW_H
#define KEFU_CORE_JW_H

#include <stdint.h>

#include "core/buf.h"

struct jw {
	struct buf *b;
	int rc;
	int first; /* no comma needed before the next value */
};

void jw_init(struct jw *w, struct buf *b);
void jw_object_begin(struct jw *w);
void jw_object_end(struct jw *w);
void jw_array_begin(struct jw *w);
void jw_array_end(struct jw *w);
/* A key inside an object; the value follows with one of the calls below. */
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s);
/* A string, or null when s is NULL or "". */
void jw_str_or_null(struct jw *w, const char *s);
void jw_int(struct jw *w, int64_t v);
/* An id, or null when it is 0 (a reference that is not set). */
void jw_id(struct jw *w, int64_t v);
void jw_bool(struct jw *w, int v);
void jw_null(struct jw *w);
/* JSON text that is already valid (e.g. a stored JSON document), or null if empty. */
void jw_raw(struct jw *w, const char *json);

#endif
