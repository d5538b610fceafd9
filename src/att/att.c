/*
 * Attachments' rules: what a file is, and what its name may be. No I/O.
 */
#include <stdio.h>
#include <string.h>

#include "att/att.h"
#include "core/err.h"
#include "core/utf8.h"

const char *att_sniff(const unsigned char *p, size_t len)
{
	static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

	/* A JPEG starts with SOI and a marker (FF D8 FF). */
	if (len >= 4 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (len >= 16 && memcmp(p, png, sizeof(png)) == 0)
		return "image/png";
	/* RIFF, the chunk's size, WEBP, then a VP8/VP8L/VP8X chunk. */
	if (len >= 16 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBPVP8", 7) == 0)
		return "image/webp";
	if (len >= 8 && memcmp(p, "%PDF-", 5) == 0)
		return "application/pdf";
	return NULL;
}

int att_is_image(const char *mime)
{
	return strncmp(mime, "image/", 6) == 0;
}

const char *att_extension(const char *mime)
{
	if (strcmp(mime, "image/jpeg") == 0)
		return "jpg";
	if (strcmp(mime, "image/png") == 0)
		return "png";
	if (strcmp(mime, "image/webp") == 0)
		return "webp";
	return "pdf";
}

int att_kind_valid(const char *kind)
{
	return strcmp(kind, "photo") == 0 || strcmp(kind, "document") == 0 ||
			       strcmp(kind, "onsite_report") == 0
		       ? 0
		       : ERR_INVALID;
}

int att_filename(const char *header, char *out, size_t size, const char **why)
{
	size_t n = 0;
	const char *base;

	if (!header || !*header) {
		*why = "X-Filename: required (the file's name, percent-encoded UTF-8)";
		return ERR_INVALID;
	}
	for (const char *p = header; *p; p++) {
		int c = (unsigned char)*p;

		if (c == '%') {
			int hi = utf8_hex_digit(p[1]), lo = hi < 0 ? -1 : utf8_hex_digit(p[2]);

			if (hi < 0 || lo < 0) {
				*why = "X-Filename: a bad percent escape";
				return ERR_INVALID;
			}
			c = hi * 16 + lo;
			p += 2;
		}
		/* Control characters (a NUL, a newline in a header) have no place in a name. */
		if (c < 0x20 || c == 0x7f) {
			*why = "X-Filename: control characters are not allowed";
			return ERR_INVALID;
		}
		if (n + 1 >= size || n >= ATT_NAME_MAX) {
			*why = "X-Filename: at most 200 bytes";
			return ERR_INVALID;
		}
		out[n++] = (char)c;
	}
	out[n] = '\0';
	if (!utf8_valid(out, n)) {
		*why = "X-Filename: not valid UTF-8";
		return ERR_INVALID;
	}
	/* Only the name: a client's path (C:\photos\a.jpg, ../a.jpg) says nothing. */
	base = out;
	for (const char *p = out; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	memmove(out, base, strlen(base) + 1);
	if (!out[0] || strcmp(out, ".") == 0 || strcmp(out, "..") == 0) {
		*why = "X-Filename: a file name is needed";
		return ERR_INVALID;
	}
	return 0;
}

void att_disposition(int64_t id, const char *filename, const char *mime, char *out, size_t size)
{
	char name[3 * ATT_NAME_MAX + 8];

	/* Never a page: images as themselves, documents only as downloads. The
	 * plain name is kefu's own, the client's name goes in filename*. A name
	 * is at most ATT_NAME_MAX bytes, each at most 3 encoded: it fits. */
	(void)utf8_rfc5987(filename, name, sizeof(name));
	snprintf(out, size, "%s; filename=\"attachment-%lld.%s\"; filename*=UTF-8''%s",
		 att_is_image(mime) ? "inline" : "attachment", (long long)id, att_extension(mime),
		 name);
}
