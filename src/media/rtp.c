/*
 * RTP (RFC 3550): the fixed header, a receiver's statistics of one stream,
 * and RFC 4733 telephone-events with the DTMF detector.
 *
 * Every read of a packet is checked against its length first: packets come
 * from the network, from anyone who finds the port.
 */
#include "media/media.h"

#include <string.h>

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int media_rtp_parse(const uint8_t *buf, size_t len, struct media_rtp_hdr *h)
{
	size_t off;
	unsigned i;

	memset(h, 0, sizeof(*h));
	if (!buf || len < MEDIA_RTP_HDR_MIN)
		return ERR_INVALID;
	h->version = buf[0] >> 6;
	h->padding = (buf[0] >> 5) & 1;
	h->extension = (buf[0] >> 4) & 1;
	h->cc = buf[0] & 0x0F;
	h->marker = buf[1] >> 7;
	h->pt = buf[1] & 0x7F;
	h->seq = be16(buf + 2);
	h->ts = be32(buf + 4);
	h->ssrc = be32(buf + 8);
	if (h->version != 2)
		return ERR_INVALID;
	/* RFC 5761 §4: 64..95 would be taken for RTCP packet types 192..223. */
	if (h->pt >= 64 && h->pt <= 95)
		return ERR_INVALID;
	off = MEDIA_RTP_HDR_MIN;
	if (len - off < 4u * h->cc)
		return ERR_INVALID;
	for (i = 0; i < h->cc; i++, off += 4)
		h->csrc[i] = be32(buf + off);
	if (h->extension) {
		if (len - off < 4)
			return ERR_INVALID;
		h->ext_profile = be16(buf + off);
		h->ext_len = 4u * be16(buf + off + 2);
		off += 4;
		if (len - off < h->ext_len)
			return ERR_INVALID;
		off += h->ext_len;
	}
	if (h->padding) {
		/* The last byte counts the padding, itself included. */
		h->pad_len = buf[len - 1];
		if (h->pad_len == 0 || h->pad_len > len - off)
			return ERR_INVALID;
	}
	h->hdr_len = off;
	h->payload_len = len - off - h->pad_len;
	return 0;
}

int media_rtp_is_rtcp(const uint8_t *buf, size_t len)
{
	return buf && len >= 8 && buf[0] >> 6 == 2 && buf[1] >= 192 && buf[1] <= 223;
}

int media_rtp_build(const struct media_rtp_hdr *h, uint8_t *buf, size_t size)
{
	size_t need;
	unsigned i;

	if (h->pt > 127 || h->cc > MEDIA_RTP_CSRC_MAX || h->padding || h->extension)
		return ERR_INVALID;
	need = MEDIA_RTP_HDR_MIN + 4u * h->cc;
	if (!buf || size < need)
		return ERR_INVALID;
	buf[0] = (uint8_t)(2u << 6 | h->cc);
	buf[1] = (uint8_t)((h->marker ? 0x80u : 0u) | h->pt);
	put16(buf + 2, h->seq);
	put32(buf + 4, h->ts);
	put32(buf + 8, h->ssrc);
	for (i = 0; i < h->cc; i++)
		put32(buf + MEDIA_RTP_HDR_MIN + 4 * i, h->csrc[i]);
	return (int)need;
}

/* ---------------------------------------------------------- receiver state */

#define NO_BAD_SEQ 0x10000u /* above any sequence number */

void media_rtp_rx_init(struct media_rtp_rx *rx, uint32_t clock_rate, uint32_t late_ms, int event_pt)
{
	memset(rx, 0, sizeof(*rx));
	rx->clock_rate = clock_rate ? clock_rate : MEDIA_RATE;
	rx->late_ts = (uint32_t)((uint64_t)late_ms * rx->clock_rate / 1000);
	rx->event_pt = event_pt;
	rx->bad_seq = NO_BAD_SEQ;
}

static int64_t ext_max(const struct media_rtp_rx *rx)
{
	return rx->cycles + rx->max_seq;
}

static uint64_t source_expected(const struct media_rtp_rx *rx)
{
	return rx->started ? (uint64_t)(ext_max(rx) - rx->base_ext + 1) : 0;
}

/* Begins a source (the first packet, a new SSRC, a restart), keeping the
 * counts of the one before. */
static void source_start(struct media_rtp_rx *rx, const struct media_rtp_hdr *h)
{
	if (rx->started) {
		rx->prior_expected += source_expected(rx);
		rx->prior_received += rx->received;
	}
	rx->started = 1;
	rx->ssrc = h->ssrc;
	rx->max_seq = h->seq;
	rx->cycles = 0;
	rx->base_ext = h->seq;
	rx->bad_seq = NO_BAD_SEQ;
	rx->window[0] = 1;
	rx->window[1] = 0;
	rx->received = 1;
	rx->have_transit = 0;
}

/* The window of the last 128 sequence numbers moves ahead by k. */
static void window_advance(struct media_rtp_rx *rx, unsigned k)
{
	if (k >= 128) {
		rx->window[0] = rx->window[1] = 0;
	} else if (k >= 64) {
		rx->window[1] = rx->window[0] << (k - 64);
		rx->window[0] = 0;
	} else if (k > 0) {
		rx->window[1] = rx->window[1] << k | rx->window[0] >> (64 - k);
		rx->window[0] <<= k;
	}
	rx->window[0] |= 1;
}

/* Tests and sets bit i (< 128) of the window; returns whether it was set. */
static int window_mark(struct media_rtp_rx *rx, unsigned i)
{
	uint64_t *w = &rx->window[i / 64];
	uint64_t bit = (uint64_t)1 << (i % 64);
	int was = (*w & bit) != 0;

	*w |= bit;
	return was;
}

/* Our clock in the stream's timestamp units, modulo 2^32. */
static uint32_t arrival_ts(const struct media_rtp_rx *rx, int64_t arrival_us)
{
	uint64_t us = (uint64_t)arrival_us;

	return (uint32_t)(us / 1000000 * rx->clock_rate + us % 1000000 * rx->clock_rate / 1000000);
}

/* RFC 3550 A.8: jitter is the mean deviation of the transit time's
 * change, smoothed by 1/16; kept ×16 in an integer. */
static void timing(struct media_rtp_rx *rx, const struct media_rtp_hdr *h, int64_t arrival_us)
{
	uint32_t transit;
	int64_t d;

	if (rx->event_pt >= 0 && h->pt == (unsigned)rx->event_pt)
		return;
	transit = arrival_ts(rx, arrival_us) - h->ts;
	if (!rx->have_transit) {
		rx->have_transit = 1;
		rx->transit = transit;
		rx->rel_transit = rx->min_transit = 0;
		return;
	}
	d = (int32_t)(transit - rx->transit);
	rx->transit = transit;
	rx->rel_transit += d;
	if (rx->rel_transit < rx->min_transit)
		rx->min_transit = rx->rel_transit;
	if (rx->rel_transit - rx->min_transit > (int64_t)rx->late_ts)
		rx->late++;
	if (d < 0)
		d = -d;
	rx->jitter16 += d - ((rx->jitter16 + 8) >> 4);
}

enum media_rtp_verdict media_rtp_rx_update(struct media_rtp_rx *rx, const struct media_rtp_hdr *h,
					   int64_t arrival_us)
{
	uint16_t udelta;
	unsigned back;

	if (!rx->started || h->ssrc != rx->ssrc) {
		source_start(rx, h);
		timing(rx, h, arrival_us);
		return MEDIA_RTP_IN_ORDER;
	}
	udelta = (uint16_t)(h->seq - rx->max_seq);
	if (udelta == 0) {
		rx->duplicates++;
		return MEDIA_RTP_DUPLICATE;
	}
	if (udelta < MEDIA_RTP_MAX_DROPOUT) {
		/* Ahead, perhaps after a gap; past 65535 the sequence wrapped. */
		if (h->seq < rx->max_seq)
			rx->cycles += 65536;
		rx->max_seq = h->seq;
		window_advance(rx, udelta);
		rx->received++;
		rx->bad_seq = NO_BAD_SEQ;
		timing(rx, h, arrival_us);
		return MEDIA_RTP_IN_ORDER;
	}
	if (udelta <= 65536 - MEDIA_RTP_MAX_MISORDER) {
		/* A jump: believed only when the next packet follows it (A.1). */
		if (h->seq == rx->bad_seq) {
			source_start(rx, h);
			timing(rx, h, arrival_us);
			return MEDIA_RTP_IN_ORDER;
		}
		rx->bad_seq = (uint16_t)(h->seq + 1);
		rx->discarded++;
		return MEDIA_RTP_DISCARDED;
	}
	/* Behind the highest by 1..MAX_MISORDER−1: within the window. */
	back = 65536u - udelta;
	if (window_mark(rx, back)) {
		rx->duplicates++;
		return MEDIA_RTP_DUPLICATE;
	}
	/* Older than the first packet of the source: the source began earlier. */
	if (ext_max(rx) - back < rx->base_ext)
		rx->base_ext = ext_max(rx) - back;
	rx->received++;
	rx->reordered++;
	timing(rx, h, arrival_us);
	return MEDIA_RTP_REORDERED;
}

void media_rtp_rx_stats(const struct media_rtp_rx *rx, struct media_rtp_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->expected = rx->prior_expected + source_expected(rx);
	out->received = rx->prior_received + rx->received;
	out->lost = out->expected > out->received ? out->expected - out->received : 0;
	out->reordered = rx->reordered;
	out->duplicates = rx->duplicates;
	out->discarded = rx->discarded;
	out->late = rx->late;
	out->jitter = (uint32_t)(rx->jitter16 >> 4);
	out->jitter_us = (uint32_t)((uint64_t)out->jitter * 1000000 / rx->clock_rate);
}

int media_rtp_quality_ok(const struct media_rtp_stats *s)
{
	return s->lost * 1000 <= s->expected * MEDIA_RTP_QUALITY_PERMILLE &&
	       s->late * 1000 <= s->expected * MEDIA_RTP_QUALITY_PERMILLE;
}

/* ------------------------------------------------------ RFC 4733 events */

int media_tel_event_parse(const uint8_t *payload, size_t len, struct media_tel_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (!payload || len < 4)
		return ERR_INVALID;
	ev->event = payload[0];
	ev->end = payload[1] >> 7;
	/* Bit 6 is reserved: ignored on receipt (§2.3.3). */
	ev->volume = payload[1] & 0x3F;
	ev->duration = be16(payload + 2);
	return 0;
}

char media_dtmf_char(unsigned event)
{
	static const char keys[] = "0123456789*#ABCD";

	return event < 16 ? keys[event] : 0;
}

void media_dtmf_rx_init(struct media_dtmf_rx *d)
{
	memset(d, 0, sizeof(*d));
}

int media_dtmf_rx_packet(struct media_dtmf_rx *d, uint32_t ssrc, uint32_t ts,
			 const uint8_t *payload, size_t len, char *digit)
{
	struct media_tel_event ev;
	int32_t age;
	char c;

	if (media_tel_event_parse(payload, len, &ev) < 0)
		return ERR_INVALID;
	if (d->active && ssrc == d->ssrc) {
		age = (int32_t)(ts - d->ts);
		if (age == 0) {
			/* Another packet of the press we reported: an update or an end. */
			if (ev.end)
				d->ended = 1;
			if (ev.duration > d->duration)
				d->duration = ev.duration;
			return 0;
		}
		if (age < 0)
			return 0;
		/* A press longer than 0xFFFF units goes on in a new segment
		 * with a new timestamp (§2.5.2.3): the same key, not a new one. */
		if (!d->ended && ev.event == d->event && d->duration == 0xFFFF) {
			d->ts = ts;
			d->duration = ev.duration;
			d->ended = ev.end;
			return 0;
		}
	}
	d->active = 1;
	d->ssrc = ssrc;
	d->ts = ts;
	d->event = ev.event;
	d->ended = ev.end;
	d->duration = ev.duration;
	c = media_dtmf_char(ev.event);
	if (!c)
		return 0;
	*digit = c;
	return 1;
}
