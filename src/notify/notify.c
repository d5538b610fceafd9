/*
 * Rules of notifications: what a kind may look like and how long a text
 * may be. No I/O.
 */
#include <string.h>

#include "core/err.h"
#include "core/utf8.h"
#include "notify/notify.h"

/*
 * The kind goes out as the `event:` field of the event stream, where a line
 * break would end the field and let the rest be read as another field: so
 * only a small plain alphabet is allowed.
 */
int notify_kind_valid(const char *kind)
{
	size_t n = kind ? strlen(kind) : 0;

	if (n == 0 || n > NOTIFY_KIND_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = kind[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

/* The length of s without an incomplete character at its end. */
static size_t without_partial_tail(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t start = len, need;

	while (start > 0 && (u[start - 1] & 0xC0) == 0x80 && len - start < 3)
		start--;
	if (start == 0 || u[start - 1] < 0xC0)
		return len;
	start--;
	need = u[start] >= 0xF0 ? 4 : u[start] >= 0xE0 ? 3 : 2;
	return len - start < need ? start : len;
}

int notify_text_fit(const char *text, char *out, size_t size)
{
	static const char ellipsis[] = "…";
	size_t len = text ? strlen(text) : 0, cut = 0, chars = 0;

	if (size < NOTIFY_TEXT_SIZE)
		return ERR_INVALID;
	/*
	 * Callers format texts into fixed buffers, and snprintf cuts bytes, not
	 * characters: a half character at the end is dropped rather than made
	 * a reason to fail the change being reported. Bad bytes anywhere else
	 * are the caller's bug.
	 */
	len = without_partial_tail(text ? text : "", len);
	if (len == 0 || !utf8_valid(text, len))
		return ERR_INVALID;
	/* Keep at most NOTIFY_TEXT_MAX - 1 whole characters, then the ellipsis. */
	while (cut < len && chars < NOTIFY_TEXT_MAX) {
		cut++;
		while (cut < len && ((unsigned char)text[cut] & 0xC0) == 0x80)
			cut++;
		chars++;
	}
	if (cut == len) {
		memcpy(out, text, len);
		out[len] = '\0';
		return 0;
	}
	/* Over NOTIFY_TEXT_MAX characters: back off one to make room for "…". */
	do
		cut--;
	while (((unsigned char)text[cut] & 0xC0) == 0x80);
	memcpy(out, text, cut);
	memcpy(out + cut, ellipsis, sizeof(ellipsis));
	return 0;
}
