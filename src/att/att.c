/*
 * Attachments' rules: what a file is, and what its name may be. No I/O.
 */
#include <ctype.h>
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

/*
 * Audio (issue 18: WeChat's voices, customers' recordings) is taken only
 * when its structure holds beyond the magic, and never when its first
 * kilobyte carries markup: a file that a browser could be talked into
 * reading as a page is refused whatever it starts with.
 */
static int has_markup(const unsigned char *p, size_t len)
{
	static const char *const tags[] = {"<script", "<html",	 "<!doctype", "<svg",
					   "<body",   "<iframe", "<?xml",     "<head"};
	size_t n = len < 1024 ? len : 1024;

	for (size_t i = 0; i < n; i++) {
		if (p[i] != '<')
			continue;
		for (size_t t = 0; t < sizeof(tags) / sizeof(tags[0]); t++) {
			size_t k = 0, tl = strlen(tags[t]);

			while (k < tl && i + k < len && tolower(p[i + k]) == tags[t][k])
				k++;
			if (k == tl)
				return 1;
		}
	}
	return 0;
}

/* AMR (RFC 4867 §5, the storage format): the magic, then frames to the very end,
 * each a header byte (its frame type gives the size) and its payload. */
static int amr_ok(const unsigned char *p, size_t len, size_t off, int wb)
{
	/* Bytes of a frame with its header, by frame type; 0: not allowed. */
	static const unsigned char nb[16] = {13, 14, 16, 18, 20, 21, 27, 32,
					     6,	 0,  0,	 0,  0,	 0,  0,	 1};
	static const unsigned char w[16] = {18, 24, 33, 37, 41, 47, 51, 59,
					    61, 6,  0,	0,  0,	0,  1,	1};
	int frames = 0;

	while (off < len) {
		unsigned char h = p[off], size = (wb ? w : nb)[(h >> 3) & 15];

		if ((h & 0x83) != 0 || size == 0 || off + size > len)
			return 0;
		off += size;
		frames++;
	}
	return frames > 0;
}

/* The length of the MPEG audio Layer III frame whose header is at p, or 0. */
static size_t mp3_frame(const unsigned char *p, size_t left)
{
	static const unsigned short br1[16] = {0,   32,	 40,  48,  56,	64,  80,  96,
					       112, 128, 160, 192, 224, 256, 320, 0};
	static const unsigned short br2[16] = {0,  8,  16, 24,	32,  40,  48,  56,
					       64, 80, 96, 112, 128, 144, 160, 0};
	static const unsigned short sr[3] = {44100, 48000, 32000};
	int version, bri, sri, mpeg1;

	if (left < 4 || p[0] != 0xff || (p[1] & 0xe0) != 0xe0)
		return 0;
	version = (p[1] >> 3) & 3; /* 0: 2.5, 1: reserved, 2: 2, 3: 1 */
	bri = p[2] >> 4;
	sri = (p[2] >> 2) & 3;
	if (version == 1 || ((p[1] >> 1) & 3) != 1 || bri == 0 || bri == 15 || sri == 3)
		return 0;
	mpeg1 = version == 3;
	{
		unsigned rate = sr[sri] >> (mpeg1 ? 0 : version == 2 ? 1 : 2);
		unsigned kbps = (mpeg1 ? br1 : br2)[bri];

		return (mpeg1 ? 144000u : 72000u) * kbps / rate + ((p[2] >> 1) & 1);
	}
}

/* MP3: an optional ID3v2 tag, then a Layer III frame, and the next one where it fits. */
static int mp3_ok(const unsigned char *p, size_t len)
{
	size_t off = 0, f;

	if (len >= 10 && memcmp(p, "ID3", 3) == 0) {
		if (p[3] < 2 || p[3] > 4 || p[4] == 0xff || (p[6] | p[7] | p[8] | p[9]) & 0x80)
			return 0;
		off = 10 + ((size_t)p[6] << 21 | (size_t)p[7] << 14 | (size_t)p[8] << 7 | p[9]) +
		      (p[5] & 0x10 ? 10 : 0);
	}
	if (off >= len || !(f = mp3_frame(p + off, len - off)))
		return 0;
	return off + f + 4 > len || mp3_frame(p + off + f, len - off - f) > 0;
}

/* Ogg: the first page (version 0, beginning of stream) holding a Speex, Opus or Vorbis header. */
static int ogg_ok(const unsigned char *p, size_t len)
{
	size_t data;

	if (len < 28 || memcmp(p, "OggS", 4) != 0 || p[4] != 0 || !(p[5] & 2))
		return 0;
	data = 27 + (size_t)p[26];
	if (data + 8 > len)
		return 0;
	return memcmp(p + data, "Speex   ", 8) == 0 || memcmp(p + data, "OpusHead", 8) == 0 ||
	       memcmp(p + data, "\x01vorbis", 7) == 0;
}

const char *att_sniff_audio(const unsigned char *p, size_t len)
{
	const char *type = NULL;

	if (len >= 9 && memcmp(p, "#!AMR-WB\n", 9) == 0)
		type = amr_ok(p, len, 9, 1) ? "audio/amr-wb" : NULL;
	else if (len >= 6 && memcmp(p, "#!AMR\n", 6) == 0)
		type = amr_ok(p, len, 6, 0) ? "audio/amr" : NULL;
	else if (ogg_ok(p, len))
		type = "audio/ogg";
	else if (mp3_ok(p, len))
		type = "audio/mpeg";
	return type && !has_markup(p, len) ? type : NULL;
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
	if (strcmp(mime, "audio/amr") == 0)
		return "amr";
	if (strcmp(mime, "audio/amr-wb") == 0)
		return "awb";
	if (strcmp(mime, "audio/mpeg") == 0)
		return "mp3";
	if (strcmp(mime, "audio/ogg") == 0)
		return "ogg";
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
