/*
 * WAV files: the recorder's writer and the prompt loader's reader.
 *
 * A WAV file is a RIFF container: "RIFF", the size of what follows, "WAVE",
 * then chunks of a 4-byte id, a 4-byte little-endian size and the data,
 * padded to an even length. "fmt " says how samples are coded, "data"
 * holds them; anything else (LIST, fact, …) is skipped.
 */
#include "media/media.h"

#include <assert.h>
#include <string.h>

#define WAVE_FORMAT_EXTENSIBLE 0xFFFE
/* The 14 bytes after the format tag in the sub-format GUID of
 * WAVE_FORMAT_EXTENSIBLE ({0000xxxx-0000-0010-8000-00aa00389b71}). */
static const uint8_t guid_tail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
				      0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* ---------------------------------------------------------------- writer */

/* The most data a RIFF size (data + 36 header bytes) can describe. */
#define DATA_MAX ((uint64_t)UINT32_MAX - 36)

void media_wav_header(uint8_t out[MEDIA_WAV_HDR], unsigned channels, uint32_t rate,
		      uint32_t data_bytes)
{
	unsigned align = channels * 2;

	memcpy(out, "RIFF", 4);
	put32(out + 4, 36 + data_bytes);
	memcpy(out + 8, "WAVEfmt ", 8);
	put32(out + 16, 16);
	put16(out + 20, 1); /* PCM */
	put16(out + 22, (uint16_t)channels);
	put32(out + 24, rate);
	put32(out + 28, rate * align);
	put16(out + 32, (uint16_t)align);
	put16(out + 34, 16);
	memcpy(out + 36, "data", 4);
	put32(out + 40, data_bytes);
}

int media_wav_writer_open(struct media_wav_writer *w, unsigned channels, uint32_t rate,
			  media_write_fn write, void *ctx)
{
	uint8_t hdr[MEDIA_WAV_HDR];

	memset(w, 0, sizeof(*w));
	w->write = write;
	w->ctx = ctx;
	w->channels = channels;
	w->rate = rate;
	if (!write || channels < 1 || channels > 2 || rate == 0 || rate > 192000) {
		w->error = ERR_INVALID;
		return w->error;
	}
	media_wav_header(hdr, channels, rate, 0);
	w->error = write(ctx, 0, hdr, sizeof(hdr));
	return w->error;
}

int media_wav_writer_put(struct media_wav_writer *w, const int16_t *samples, size_t frames)
{
	uint8_t buf[512];
	size_t total, i, n, done = 0;
	uint64_t bytes;

	if (w->error)
		return w->error;
	if (w->closed)
		return ERR_INVALID;
	if (frames > DATA_MAX / 4)
		return ERR_TOOBIG;
	total = frames * w->channels;
	bytes = (uint64_t)total * 2;
	if (w->data_bytes + bytes > DATA_MAX)
		return ERR_TOOBIG;
	while (done < total) {
		n = total - done;
		if (n > sizeof(buf) / 2)
			n = sizeof(buf) / 2;
		for (i = 0; i < n; i++)
			put16(buf + 2 * i, (uint16_t)samples[done + i]);
		w->error = w->write(w->ctx, MEDIA_WAV_HDR + w->data_bytes, buf, n * 2);
		if (w->error)
			return w->error;
		w->data_bytes += n * 2;
		done += n;
	}
	return 0;
}

int media_wav_writer_sync(struct media_wav_writer *w)
{
	uint8_t size[4];

	if (w->error)
		return w->error;
	put32(size, (uint32_t)(36 + w->data_bytes));
	w->error = w->write(w->ctx, 4, size, 4);
	if (w->error)
		return w->error;
	put32(size, (uint32_t)w->data_bytes);
	w->error = w->write(w->ctx, 40, size, 4);
	return w->error;
}

int media_wav_writer_close(struct media_wav_writer *w)
{
	int rc;

	if (w->closed)
		return w->error ? w->error : ERR_INVALID;
	rc = media_wav_writer_sync(w);
	w->closed = 1;
	return rc;
}

/* ---------------------------------------------------------------- reader */

static const char *format_name(unsigned tag)
{
	switch (tag) {
	case 1:
		return "PCM";
	case 3:
		return "IEEE float";
	case 6:
		return "A-law";
	case 7:
		return "µ-law";
	case 0x11:
		return "IMA ADPCM";
	case 0x55:
		return "MP3";
	}
	return "an unknown coding";
}

/* Checks the fmt chunk (size bytes at p) and fills format and channels. */
static int parse_fmt(const uint8_t *p, uint32_t size, unsigned channels, struct media_wav *out,
		     struct err_info *info)
{
	unsigned tag, ch, align, bits;
	uint32_t rate, byte_rate;

	if (size < 16)
		return err_set(info, ERR_INVALID, "file",
			       "the fmt chunk is %u bytes, not 16 or more", (unsigned)size);
	tag = le16(p);
	ch = le16(p + 2);
	rate = le32(p + 4);
	byte_rate = le32(p + 8);
	align = le16(p + 12);
	bits = le16(p + 14);
	if (tag == WAVE_FORMAT_EXTENSIBLE) {
		/* cbSize 22: valid bits, channel mask, the sub-format GUID. */
		if (size < 40 || le16(p + 16) < 22)
			return err_set(info, ERR_INVALID, "file",
				       "the fmt chunk is too short for WAVE_FORMAT_EXTENSIBLE");
		if (memcmp(p + 26, guid_tail, sizeof(guid_tail)) != 0)
			return err_set(info, ERR_UNPROCESSABLE, "file",
				       "the sub-format is not PCM, A-law or µ-law");
		if (le16(p + 18) != bits)
			return err_set(info, ERR_UNPROCESSABLE, "file",
				       "%u valid bits in %u-bit samples are not supported",
				       (unsigned)le16(p + 18), bits);
		tag = le16(p + 24);
	}
	if (ch == 0 || align == 0)
		return err_set(info, ERR_INVALID, "file", "the fmt chunk has no channels");
	if (tag == 1 && bits == 16) {
		out->format = MEDIA_WAV_PCM16;
	} else if ((tag == 6 || tag == 7) && bits == 8) {
		out->format = tag == 6 ? MEDIA_WAV_ALAW : MEDIA_WAV_ULAW;
	} else {
		return err_set(info, ERR_UNPROCESSABLE, "file",
			       "%s with %u bits per sample; use 16-bit PCM, A-law or µ-law",
			       format_name(tag), bits);
	}
	if (align != ch * (bits / 8) || byte_rate != rate * align)
		return err_set(info, ERR_INVALID, "file",
			       "the block size or byte rate does not match the format");
	if (rate != MEDIA_RATE)
		return err_set(info, ERR_UNPROCESSABLE, "file",
			       "the sample rate is %u Hz, not 8000 Hz (convert with: sox in.wav "
			       "-r 8000 -c 1 -b 16 out.wav)",
			       (unsigned)rate);
	if (channels ? ch != channels : ch > 2)
		return err_set(info, ERR_UNPROCESSABLE, "file", "%u channels, not %s", ch,
			       channels == 1   ? "1 (mono)"
			       : channels == 2 ? "2 (stereo)"
					       : "1 or 2");
	out->channels = ch;
	out->rate = rate;
	return 0;
}

int media_wav_parse(const uint8_t *buf, size_t len, unsigned channels, struct media_wav *out,
		    struct err_info *info)
{
	uint64_t end, off;
	uint32_t riff, size;
	int have_fmt = 0, rc;
	unsigned unit;

	assert(channels <= 2);
	memset(out, 0, sizeof(*out));
	if (!buf || len < 12 || memcmp(buf, "RIFF", 4) != 0 || memcmp(buf + 8, "WAVE", 4) != 0)
		return err_set(info, ERR_INVALID, "file", "not a WAV file (no RIFF/WAVE header)");
	riff = le32(buf + 4);
	if (riff < 4 || (uint64_t)riff + 8 > len)
		return err_set(info, ERR_INVALID, "file",
			       "the RIFF size (%u bytes) does not match the file (%zu bytes)",
			       (unsigned)riff, len);
	end = (uint64_t)riff + 8;
	off = 12;
	for (;;) {
		if (end - off < 8)
			return err_set(info, ERR_INVALID, "file",
				       have_fmt ? "no data chunk" : "no fmt chunk");
		size = le32(buf + off + 4);
		if (size > end - off - 8)
			return err_set(info, ERR_INVALID, "file",
				       "a chunk runs past the end of the file");
		if (memcmp(buf + off, "fmt ", 4) == 0) {
			if (have_fmt)
				return err_set(info, ERR_INVALID, "file", "two fmt chunks");
			rc = parse_fmt(buf + off + 8, size, channels, out, info);
			if (rc < 0)
				return rc;
			have_fmt = 1;
		} else if (memcmp(buf + off, "data", 4) == 0) {
			if (!have_fmt)
				return err_set(info, ERR_INVALID, "file",
					       "the data chunk comes before the fmt chunk");
			unit = out->channels * (out->format == MEDIA_WAV_PCM16 ? 2 : 1);
			if (size % unit != 0)
				return err_set(info, ERR_INVALID, "file",
					       "the data is not a whole number of samples");
			out->data = buf + off + 8;
			out->data_len = size;
			out->frames = size / unit;
			return 0;
		}
		/* Chunks are padded to an even length; a last odd chunk may
		 * end the file without its pad byte. */
		off += 8 + (uint64_t)size + (size & 1);
		if (off > end)
			off = end;
	}
}

void media_wav_decode(const struct media_wav *w, int16_t *out)
{
	size_t n = w->frames * w->channels, i;

	if (w->format == MEDIA_WAV_PCM16) {
		for (i = 0; i < n; i++) {
			int v = le16(w->data + 2 * i);

			out[i] = (int16_t)(v >= 32768 ? v - 65536 : v);
		}
	} else {
		media_g711_decode(w->format == MEDIA_WAV_ALAW ? MEDIA_PCMA : MEDIA_PCMU, w->data, n,
				  out);
	}
}
