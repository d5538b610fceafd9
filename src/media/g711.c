/*
 * G.711 (ITU-T, 1972): 8-bit logarithmic companding of 16-bit samples.
 *
 * A code is a sign, a 3-bit segment and a 4-bit step inside the segment;
 * each segment doubles the step size. A-law keeps the top 13 bits of a
 * sample and inverts every even bit of the code (0x55); µ-law keeps 14
 * bits, adds a bias of 33 so the segments start on powers of two, and
 * inverts the whole code. Negative samples are coded from their ones'
 * complement (~x), as in the ITU's reference (G.191), so x and ~x differ
 * only in the sign bit. The decoder returns the middle of the step.
 */
#include "media/media.h"

uint8_t media_alaw_encode(int16_t pcm)
{
	/* ~pcm is −pcm − 1: the magnitude of a negative sample without
	 * overflowing at −32768 and without shifting a negative number. */
	unsigned mag = pcm >= 0 ? (unsigned)pcm >> 3 : (unsigned)(~pcm) >> 3;
	uint8_t mask = pcm >= 0 ? 0xD5 : 0x55;
	unsigned seg = 0;
	uint8_t code;

	/* 13-bit magnitude 0..4095; segment 0 covers 0..31 with the same step as 1. */
	while (seg < 8 && mag > (0x20u << seg) - 1)
		seg++;
	if (seg >= 8)
		return 0x7F ^ mask;
	code = (uint8_t)(seg << 4);
	code |= (uint8_t)((seg < 2 ? mag >> 1 : mag >> seg) & 0x0F);
	return code ^ mask;
}

int16_t media_alaw_decode(uint8_t alaw)
{
	unsigned a = alaw ^ 0x55u;
	unsigned seg = (a & 0x70) >> 4;
	int t = (int)((a & 0x0F) << 4);

	if (seg == 0) {
		t += 8;
	} else {
		t += 0x108;
		t <<= seg - 1;
	}
	return (int16_t)((a & 0x80) ? t : -t);
}

uint8_t media_ulaw_encode(int16_t pcm)
{
	unsigned mag = pcm >= 0 ? (unsigned)pcm >> 2 : (unsigned)(~pcm) >> 2;
	uint8_t mask = pcm >= 0 ? 0xFF : 0x7F;
	unsigned seg = 0;

	/* 14-bit magnitude, biased by 33 and clipped to 13 bits. */
	mag += 33;
	if (mag > 0x1FFF)
		mag = 0x1FFF;
	while (seg < 8 && mag > (0x40u << seg) - 1)
		seg++;
	if (seg >= 8)
		return 0x7F ^ mask;
	return (uint8_t)(((seg << 4) | ((mag >> (seg + 1)) & 0x0F)) ^ mask);
}

int16_t media_ulaw_decode(uint8_t ulaw)
{
	unsigned u = (uint8_t)~ulaw;
	int t = (int)(((u & 0x0F) << 3) + 0x84);

	t <<= (u & 0x70) >> 4;
	return (int16_t)((u & 0x80) ? 0x84 - t : t - 0x84);
}

void media_g711_encode(enum media_codec codec, const int16_t *pcm, size_t n, uint8_t *out)
{
	size_t i;

	if (codec == MEDIA_PCMA) {
		for (i = 0; i < n; i++)
			out[i] = media_alaw_encode(pcm[i]);
	} else {
		for (i = 0; i < n; i++)
			out[i] = media_ulaw_encode(pcm[i]);
	}
}

void media_g711_decode(enum media_codec codec, const uint8_t *in, size_t n, int16_t *pcm)
{
	size_t i;

	if (codec == MEDIA_PCMA) {
		for (i = 0; i < n; i++)
			pcm[i] = media_alaw_decode(in[i]);
	} else {
		for (i = 0; i < n; i++)
			pcm[i] = media_ulaw_decode(in[i]);
	}
}

void media_g711_transcode(enum media_codec from, enum media_codec to, const uint8_t *in, size_t n,
			  uint8_t *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int16_t s =
			from == MEDIA_PCMA ? media_alaw_decode(in[i]) : media_ulaw_decode(in[i]);

		out[i] = to == MEDIA_PCMA ? media_alaw_encode(s) : media_ulaw_encode(s);
	}
}
