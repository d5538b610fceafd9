/*
 * buf — a growable byte buffer that always keeps a terminating NUL.
 *
 * The caller owns the struct; buf owns the memory behind p. buf_release()
 * frees it and leaves an empty buffer; buf_detach() hands the memory to the
 * caller. Appends return ERR_NOMEM on allocation failure and leave the
 * buffer as it was.
 */
#ifndef KEFU_CORE_BUF_H
#define KEFU_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *p;
	size_t len;
	size_t cap;
};

#define BUF_INIT {NULL, 0, 0}

void buf_init(struct buf *b);
void buf_release(struct buf *b);
char *buf_detach(struct buf *b);
int buf_grow(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *data, size_t len);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);
/* The contents as a C string; "" for an empty buffer, never NULL. */
const char *buf_str(const struct buf *b);

#endif
