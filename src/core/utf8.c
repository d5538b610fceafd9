#include "core/utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		uint32_t cp;
		size_t n;

		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (len - i <= n)
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += n + 1;
	}
	return 1;
}

void utf8_trim_partial(char *str)
{
	unsigned char *s = (unsigned char *)str;
	size_t len = strlen(str), start = len, need;

	/* Walk back over continuation bytes to the lead byte of the last character. */
	while (start > 0 && (s[start - 1] & 0xC0) == 0x80 && len - start < 3)
		start--;
	if (start == 0 || s[start - 1] < 0xC0)
		return;
	start--;
	need = s[start] >= 0xF0 ? 4 : s[start] >= 0xE0 ? 3 : 2;
	if (len - start < need)
		s[start] = '\0';
}

size_t utf8_prefix(const char *str, size_t n, size_t max_chars, size_t *chars)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k = 0;

	while (i < n && k < max_chars) {
		i++;
		while (i < n && (s[i] & 0xC0) == 0x80)
			i++;
		k++;
	}
	if (chars)
		*chars = k;
	return i;
}

size_t utf8_len(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = 0;

	for (; *s; s++)
		if ((*s & 0xC0) != 0x80)
			n++;
	return n;
}

int utf8_blank(const char *s)
{
	while (*s) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		else if (strncmp(s, "\xe3\x80\x80", 3) == 0) /* U+3000 */
			s += 3;
		else
			return 0;
	}
	return 1;
}

int utf8_rfc5987(const char *s, char *out, size_t size)
{
	/* RFC 5987's attr-char: the bytes that stand for themselves. */
	static const char keep[] = "!#$&+-.^_`|~";
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (n + 4 > size)
			return -1;
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(keep, *p))
			out[n++] = (char)*p;
		else
			n += (size_t)snprintf(out + n, size - n, "%%%02X", *p);
	}
	if (n >= size)
		return -1;
	out[n] = '\0';
	return (int)n;
}

int utf8_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
