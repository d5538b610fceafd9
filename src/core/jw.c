#include "core/jw.h"

#include <stdio.h>
#include <string.h>

void jw_init(struct jw *w, struct buf *b)
{
	w->b = b;
	w->rc = 0;
	w->first = 1;
}

static void put(struct jw *w, const char *s, size_t n)
{
	if (w->rc == 0)
		w->rc = buf_append(w->b, s, n);
}

/* Before any value or key: a comma unless it is the first in its container. */
static void sep(struct jw *w)
{
	if (!w->first)
		put(w, ",", 1);
	w->first = 0;
}

void jw_object_begin(struct jw *w)
{
	sep(w);
	put(w, "{", 1);
	w->first = 1;
}

void jw_object_end(struct jw *w)
{
	put(w, "}", 1);
	w->first = 0;
}

void jw_array_begin(struct jw *w)
{
	sep(w);
	put(w, "[", 1);
	w->first = 1;
}

void jw_array_end(struct jw *w)
{
	put(w, "]", 1);
	w->first = 0;
}

static void quoted(struct jw *w, const char *s)
{
	const char *run = s;

	put(w, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(w, run, (size_t)(s - run));
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(w, esc, 2);
		} else if (c == '\n') {
			put(w, "\\n", 2);
		} else if (c == '\t') {
			put(w, "\\t", 2);
		} else if (c == '\r') {
			put(w, "\\r", 2);
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(w, esc, 6);
		}
		run = s + 1;
	}
	put(w, run, (size_t)(s - run));
	put(w, "\"", 1);
}

void jw_key(struct jw *w, const char *key)
{
	sep(w);
	quoted(w, key);
	put(w, ":", 1);
	w->first = 1; /* the value that follows takes no comma */
}

void jw_str(struct jw *w, const char *s)
{
	sep(w);
	quoted(w, s ? s : "");
}

void jw_str_or_null(struct jw *w, const char *s)
{
	if (s && *s)
		jw_str(w, s);
	else
		jw_null(w);
}

void jw_int(struct jw *w, int64_t v)
{
	/* Digits from the end: lists print thousands of ids and times. */
	char n[24], *p = n + sizeof(n);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	sep(w);
	put(w, p, (size_t)(n + sizeof(n) - p));
}

void jw_id(struct jw *w, int64_t v)
{
	if (v)
		jw_int(w, v);
	else
		jw_null(w);
}

void jw_bool(struct jw *w, int v)
{
	sep(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct jw *w)
{
	sep(w);
	put(w, "null", 4);
}

void jw_raw(struct jw *w, const char *json)
{
	if (!json || !*json) {
		jw_null(w);
		return;
	}
	sep(w);
	put(w, json, strlen(json));
}
