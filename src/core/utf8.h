/*
 * utf8 — validation of text arriving from outside.
 *
 * kefu keeps all text as UTF-8. Anything from a client (paths, query
 * strings, headers we read, JSON strings) is checked here before use:
 * overlong forms, surrogates, code points over U+10FFFF and NUL bytes are
 * rejected, so stored text is always clean.
 */
#ifndef KEFU_CORE_UTF8_H
#define KEFU_CORE_UTF8_H

#include <stddef.h>

/* 1 if s[0..len) is valid UTF-8 without NUL bytes, else 0. */
int utf8_valid(const char *s, size_t len);
/* Cuts a trailing incomplete sequence left by truncating valid UTF-8. */
void utf8_trim_partial(char *s);
/* 1 when s has no visible character: only spaces, tabs, line breaks and
 * the ideographic (full-width) space U+3000 a Chinese keyboard types. */
int utf8_blank(const char *s);
/* Number of code points in a valid UTF-8 string. */
size_t utf8_len(const char *s);
/*
 * The bytes of the first max_chars code points of valid UTF-8 s[0..n), never
 * cutting one in half; with chars not NULL, how many code points that is.
 */
size_t utf8_prefix(const char *s, size_t n, size_t max_chars, size_t *chars);
/*
 * s percent-encoded for a header's ext-value (RFC 5987, a download's
 * filename*=UTF-8''...): every byte but the attr-chars as %XX. Returns the
 * length written into out (NUL-terminated), or -1 when it does not fit.
 */
int utf8_rfc5987(const char *s, char *out, size_t size);
/* The value of one hexadecimal digit (0-9, a-f, A-F), or -1 for any other
 * character: for percent escapes and colours. */
int utf8_hex_digit(int c);

#endif
