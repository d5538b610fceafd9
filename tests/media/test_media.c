/* Unit tests of src/media: G.711, RTP and its receiver statistics, RFC 4733
 * digits, WAV writing and validation, the stereo recorder, the VAD and the
 * compliance analyser (dead air, talk-over) on signals made here. */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "core/err.h"
#include "media/media.h"

/* cmocka's range checks are unsigned. */
#define assert_between(v, lo, hi)                                                                  \
	do {                                                                                       \
		long long v_ = (v);                                                                \
		if (v_ < (lo) || v_ > (hi))                                                        \
			fail_msg("%s = %lld, not in [%lld, %lld]", #v, v_, (long long)(lo),        \
				 (long long)(hi));                                                 \
	} while (0)

/* ---------------------------------------------------------------- G.711 */

static void test_g711_known_values(void **state)
{
	(void)state;
	/* A-law: zero is 0xD5 (0x00 with the even bits inverted), the
	 * extremes are 0xAA/0x2A and decode to ±32256. */
	assert_int_equal(media_alaw_encode(0), 0xD5);
	assert_int_equal(media_alaw_encode(-1), 0x55);
	assert_int_equal(media_alaw_encode(32767), 0xAA);
	assert_int_equal(media_alaw_encode(-32768), 0x2A);
	assert_int_equal(media_alaw_encode(1000), 0xFA);
	assert_int_equal(media_alaw_decode(0xD5), 8);
	assert_int_equal(media_alaw_decode(0x55), -8);
	assert_int_equal(media_alaw_decode(0xAA), 32256);
	assert_int_equal(media_alaw_decode(0x2A), -32256);
	assert_int_equal(media_alaw_decode(0xFA), 1008);
	/* µ-law: zero is 0xFF, the extremes 0x80/0x00 decode to ±32124. */
	assert_int_equal(media_ulaw_encode(0), 0xFF);
	assert_int_equal(media_ulaw_encode(-1), 0x7F);
	assert_int_equal(media_ulaw_encode(32767), 0x80);
	assert_int_equal(media_ulaw_encode(-32768), 0x00);
	assert_int_equal(media_ulaw_encode(1000), 0xCE);
	/* Negative samples are coded from ~x as in the ITU reference (G.191);
	 * Sun's widespread encoder (and CPython's audioop) gives 0x00 here. */
	assert_int_equal(media_ulaw_encode(-31612), 0x01);
	assert_int_equal(media_ulaw_decode(0xFF), 0);
	assert_int_equal(media_ulaw_decode(0x7F), 0);
	assert_int_equal(media_ulaw_decode(0x80), 32124);
	assert_int_equal(media_ulaw_decode(0x00), -32124);
	assert_int_equal(media_ulaw_decode(0xCE), 988);
}

static void test_g711_round_trip(void **state)
{
	int x, c, ea, eu;

	(void)state;
	for (x = -32768; x <= 32767; x++) {
		int16_t s = (int16_t)x;

		/* The two signs code alike: ~x differs from x only in the sign bit. */
		assert_int_equal(media_alaw_encode((int16_t)~s), media_alaw_encode(s) ^ 0x80);
		assert_int_equal(media_ulaw_encode((int16_t)~s), media_ulaw_encode(s) ^ 0x80);
		if (x < -32000 || x > 32000)
			continue; /* above the largest code: clipped */
		/* Error at most half a step; steps grow with the segment, so
		 * the bound is proportional (1/32) with a floor for the
		 * smallest segments. */
		ea = abs(media_alaw_decode(media_alaw_encode(s)) - x);
		eu = abs(media_ulaw_decode(media_ulaw_encode(s)) - x);
		assert_true(ea * 32 <= abs(x) + 256);
		assert_true(eu * 32 <= abs(x) + 256);
	}
	/* Every decoded value is coded back to the same value. */
	for (c = 0; c < 256; c++) {
		int16_t a = media_alaw_decode((uint8_t)c), u = media_ulaw_decode((uint8_t)c);

		assert_int_equal(media_alaw_decode(media_alaw_encode(a)), a);
		assert_int_equal(media_ulaw_decode(media_ulaw_encode(u)), u);
	}
}

static void test_g711_buffers(void **state)
{
	int16_t pcm[6] = {0, 1000, -1000, 32767, -32768, 123}, back[6];
	uint8_t a[6], u[6], t[6];
	int i;

	(void)state;
	media_g711_encode(MEDIA_PCMA, pcm, 6, a);
	media_g711_encode(MEDIA_PCMU, pcm, 6, u);
	for (i = 0; i < 6; i++) {
		assert_int_equal(a[i], media_alaw_encode(pcm[i]));
		assert_int_equal(u[i], media_ulaw_encode(pcm[i]));
	}
	media_g711_decode(MEDIA_PCMA, a, 6, back);
	for (i = 0; i < 6; i++)
		assert_int_equal(back[i], media_alaw_decode(a[i]));
	/* A-law to µ-law and back lands within a step of the original. */
	media_g711_transcode(MEDIA_PCMA, MEDIA_PCMU, a, 6, t);
	for (i = 0; i < 6; i++)
		assert_int_equal(t[i], media_ulaw_encode(media_alaw_decode(a[i])));
	media_g711_transcode(MEDIA_PCMU, MEDIA_PCMA, t, 6, t);
	media_g711_decode(MEDIA_PCMA, t, 6, back);
	for (i = 0; i < 5; i++)
		assert_true(abs(back[i] - pcm[i]) * 16 <= abs(pcm[i]) + 256);
}

/* ------------------------------------------------------------------ RTP */

static size_t make_rtp(uint8_t *buf, unsigned pt, uint16_t seq, uint32_t ts, uint32_t ssrc,
		       size_t payload)
{
	struct media_rtp_hdr h;
	int n;

	memset(&h, 0, sizeof(h));
	h.pt = pt;
	h.seq = seq;
	h.ts = ts;
	h.ssrc = ssrc;
	n = media_rtp_build(&h, buf, 1500);
	assert_int_equal(n, 12);
	memset(buf + n, 0xD5, payload);
	return (size_t)n + payload;
}

static void test_rtp_parse_valid(void **state)
{
	struct media_rtp_hdr h, p;
	uint8_t buf[256];
	int n;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.marker = 1;
	h.pt = 8;
	h.seq = 0xBEEF;
	h.ts = 0xDEADBEEF;
	h.ssrc = 0x01020304;
	h.cc = 2;
	h.csrc[0] = 0x11111111;
	h.csrc[1] = 0x22222222;
	n = media_rtp_build(&h, buf, sizeof(buf));
	assert_int_equal(n, 20);
	assert_int_equal(buf[0], 0x82); /* V=2, CC=2 */
	assert_int_equal(buf[1], 0x88); /* M, PT 8 */
	memset(buf + n, 0x55, 160);
	assert_int_equal(media_rtp_parse(buf, (size_t)n + 160, &p), 0);
	assert_int_equal(p.version, 2);
	assert_int_equal(p.marker, 1);
	assert_int_equal(p.pt, 8);
	assert_int_equal(p.seq, 0xBEEF);
	assert_int_equal(p.ts, 0xDEADBEEF);
	assert_int_equal(p.ssrc, 0x01020304);
	assert_int_equal(p.cc, 2);
	assert_int_equal(p.csrc[1], 0x22222222);
	assert_int_equal(p.hdr_len, 20);
	assert_int_equal(p.payload_len, 160);

	/* An extension of one word and 3 bytes of padding, by hand. */
	static const uint8_t ext[] = {0xB0, 0x00, 0x00, 0x01, 0, 0, 0, 0,    0,	   0, 0, 9, 0xBE,
				      0xDE, 0x00, 0x01, 1,    2, 3, 4, 0xAA, 0xBB, 0, 0, 3};
	assert_int_equal(media_rtp_parse(ext, sizeof(ext), &p), 0);
	assert_int_equal(p.extension, 1);
	assert_int_equal(p.padding, 1);
	assert_int_equal(p.ext_profile, 0xBEDE);
	assert_int_equal(p.ext_len, 4);
	assert_int_equal(p.hdr_len, 20);
	assert_int_equal(p.pad_len, 3);
	assert_int_equal(p.payload_len, 2);
	assert_int_equal(ext[p.hdr_len], 0xAA);
}

static void test_rtp_parse_rejects(void **state)
{
	struct media_rtp_hdr h;
	uint8_t buf[64];
	size_t len, i;

	(void)state;
	len = make_rtp(buf, 0, 1, 2, 3, 20);
	for (i = 0; i < 12; i++)
		assert_int_equal(media_rtp_parse(buf, i, &h), ERR_INVALID);
	assert_int_equal(media_rtp_parse(NULL, 40, &h), ERR_INVALID);
	assert_int_equal(media_rtp_parse(buf, len, &h), 0);

	buf[0] = 0x40; /* version 1 */
	assert_int_equal(media_rtp_parse(buf, len, &h), ERR_INVALID);
	buf[0] = 0x8F; /* 15 CSRCs = 60 bytes: more than the packet */
	assert_int_equal(media_rtp_parse(buf, len, &h), ERR_INVALID);
	buf[0] = 0x82; /* 2 CSRCs in 20 bytes of payload: fine */
	assert_int_equal(media_rtp_parse(buf, len, &h), 0);
	assert_int_equal(h.payload_len, 12);
	buf[0] = 0x90; /* an extension whose header is missing */
	assert_int_equal(media_rtp_parse(buf, 14, &h), ERR_INVALID);
	buf[12] = 0xBE;
	buf[13] = 0xDE;
	buf[14] = 0x00;
	buf[15] = 0x09; /* 36 bytes of extension in a 32-byte packet */
	assert_int_equal(media_rtp_parse(buf, len, &h), ERR_INVALID);
	buf[0] = 0xA0; /* padding of 0, then of more than there is */
	buf[len - 1] = 0;
	assert_int_equal(media_rtp_parse(buf, len, &h), ERR_INVALID);
	buf[len - 1] = (uint8_t)(len - 11);
	assert_int_equal(media_rtp_parse(buf, len, &h), ERR_INVALID);
	buf[len - 1] = (uint8_t)(len - 12); /* all the payload is padding */
	assert_int_equal(media_rtp_parse(buf, len, &h), 0);
	assert_int_equal(h.payload_len, 0);

	/* RTCP on the same port: a receiver report is not RTP. */
	len = make_rtp(buf, 0, 1, 2, 3, 20);
	buf[1] = 201;
	assert_int_equal(media_rtp_parse(buf, len, &h), ERR_INVALID);
	assert_true(media_rtp_is_rtcp(buf, len));
	buf[1] = 8;
	assert_false(media_rtp_is_rtcp(buf, len));

	/* Build refuses what it cannot write. */
	memset(&h, 0, sizeof(h));
	h.pt = 128;
	assert_int_equal(media_rtp_build(&h, buf, sizeof(buf)), ERR_INVALID);
	h.pt = 0;
	assert_int_equal(media_rtp_build(&h, buf, 11), ERR_INVALID);
	h.cc = 16;
	assert_int_equal(media_rtp_build(&h, buf, sizeof(buf)), ERR_INVALID);
	h.cc = 0;
	h.padding = 1;
	assert_int_equal(media_rtp_build(&h, buf, sizeof(buf)), ERR_INVALID);
}

/* Random bytes of random lengths: a parse either fails or accounts for
 * every byte of the packet (ASan checks that nothing past it is read). */
static void test_rtp_parse_garbage(void **state)
{
	struct media_rtp_hdr h;
	uint32_t seed = 12345;
	int round, ok = 0;

	(void)state;
	for (round = 0; round < 200000; round++) {
		size_t len, i;
		uint8_t *buf;

		seed = seed * 1103515245 + 12345;
		len = (seed >> 16) % 80;
		buf = malloc(len ? len : 1);
		assert_non_null(buf);
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			buf[i] = (uint8_t)(seed >> 16);
		}
		if (len > 0 && round % 2)
			buf[0] = (uint8_t)(0x80 | (buf[0] & 0x3F)); /* version 2: go deeper */
		if (media_rtp_parse(buf, len, &h) == 0) {
			ok++;
			assert_int_equal(h.hdr_len + h.payload_len + h.pad_len, len);
			assert_true(h.hdr_len >= 12 + 4 * h.cc);
		}
		free(buf);
	}
	assert_true(ok > 1000);
}

static void rx_feed(struct media_rtp_rx *rx, uint16_t seq, uint32_t ts, uint32_t ssrc,
		    int64_t at_us, enum media_rtp_verdict want)
{
	struct media_rtp_hdr h;
	uint8_t buf[200];
	size_t len = make_rtp(buf, 8, seq, ts, ssrc, 160);

	assert_int_equal(media_rtp_parse(buf, len, &h), 0);
	assert_int_equal(media_rtp_rx_update(rx, &h, at_us), want);
}

static void test_rtp_rx_sequence(void **state)
{
	struct media_rtp_rx rx;
	struct media_rtp_stats st;
	uint16_t seq;
	int i;

	(void)state;
	/* 20 packets across the 16-bit wrap, in order. */
	media_rtp_rx_init(&rx, 8000, 60, -1);
	for (i = 0, seq = 65530; i < 20; i++, seq++)
		rx_feed(&rx, seq, (uint32_t)i * 160, 7, i * 20000, MEDIA_RTP_IN_ORDER);
	media_rtp_rx_stats(&rx, &st);
	assert_int_equal(st.expected, 20);
	assert_int_equal(st.received, 20);
	assert_int_equal(st.lost, 0);
	assert_int_equal(rx.cycles, 65536);

	/* 3 lost, one reordered, one duplicated. */
	media_rtp_rx_init(&rx, 8000, 60, -1);
	rx_feed(&rx, 100, 0, 7, 0, MEDIA_RTP_IN_ORDER);
	rx_feed(&rx, 101, 160, 7, 20000, MEDIA_RTP_IN_ORDER);
	rx_feed(&rx, 103, 480, 7, 60000, MEDIA_RTP_IN_ORDER);
	rx_feed(&rx, 102, 320, 7, 61000, MEDIA_RTP_REORDERED);
	rx_feed(&rx, 102, 320, 7, 62000, MEDIA_RTP_DUPLICATE);
	rx_feed(&rx, 103, 480, 7, 63000, MEDIA_RTP_DUPLICATE);
	rx_feed(&rx, 107, 1120, 7, 140000, MEDIA_RTP_IN_ORDER); /* 104..106 lost */
	media_rtp_rx_stats(&rx, &st);
	assert_int_equal(st.expected, 8);
	assert_int_equal(st.received, 5);
	assert_int_equal(st.lost, 3);
	assert_int_equal(st.reordered, 1);
	assert_int_equal(st.duplicates, 2);
	/* One of the lost arrives after all, over 64 packets of window away. */
	for (i = 108; i < 180; i++)
		rx_feed(&rx, (uint16_t)i, (uint32_t)(i - 100) * 160, 7, (i - 100) * 20000,
			MEDIA_RTP_IN_ORDER);
	rx_feed(&rx, 105, 800, 7, 80 * 20000, MEDIA_RTP_REORDERED);
	rx_feed(&rx, 105, 800, 7, 80 * 20000, MEDIA_RTP_DUPLICATE);
	/* A copy of one received 69 packets ago is still known. */
	rx_feed(&rx, 110, 1600, 7, 80 * 20000, MEDIA_RTP_DUPLICATE);
	media_rtp_rx_stats(&rx, &st);
	assert_int_equal(st.expected, 80);
	assert_int_equal(st.lost, 2);

	/* A packet from before the first one widens what was expected. */
	media_rtp_rx_init(&rx, 8000, 60, -1);
	rx_feed(&rx, 2, 320, 7, 0, MEDIA_RTP_IN_ORDER);
	rx_feed(&rx, 3, 480, 7, 20000, MEDIA_RTP_IN_ORDER);
	rx_feed(&rx, 1, 160, 7, 21000, MEDIA_RTP_REORDERED);
	media_rtp_rx_stats(&rx, &st);
	assert_int_equal(st.expected, 3);
	assert_int_equal(st.lost, 0);
}

static void test_rtp_rx_jumps(void **state)
{
	struct media_rtp_rx rx;
	struct media_rtp_stats st;

	(void)state;
	media_rtp_rx_init(&rx, 8000, 60, -1);
	rx_feed(&rx, 10, 0, 7, 0, MEDIA_RTP_IN_ORDER);
	rx_feed(&rx, 11, 160, 7, 20000, MEDIA_RTP_IN_ORDER);
	/* A lone wild sequence number is dropped, not taken as 20000 lost. */
	rx_feed(&rx, 20011, 320, 7, 40000, MEDIA_RTP_DISCARDED);
	rx_feed(&rx, 12, 320, 7, 40000, MEDIA_RTP_IN_ORDER);
	media_rtp_rx_stats(&rx, &st);
	assert_int_equal(st.expected, 3);
	assert_int_equal(st.lost, 0);
	assert_int_equal(st.discarded, 1);
	/* Two in a row from elsewhere: the sender restarted. */
	rx_feed(&rx, 40000, 9999, 7, 60000, MEDIA_RTP_DISCARDED);
	rx_feed(&rx, 40001, 10159, 7, 80000, MEDIA_RTP_IN_ORDER);
	rx_feed(&rx, 40002, 10319, 7, 100000, MEDIA_RTP_IN_ORDER);
	media_rtp_rx_stats(&rx, &st);
	assert_int_equal(st.expected, 5); /* 10..12, then 40001..40002 */
	assert_int_equal(st.received, 5);
	/* A new SSRC (a transfer, a re-INVITE) starts over, keeping the counts. */
	rx_feed(&rx, 500, 0, 8, 120000, MEDIA_RTP_IN_ORDER);
	rx_feed(&rx, 502, 320, 8, 160000, MEDIA_RTP_IN_ORDER);
	media_rtp_rx_stats(&rx, &st);
	assert_int_equal(st.expected, 8);
	assert_int_equal(st.received, 7);
	assert_int_equal(st.lost, 1);
}

static void test_rtp_rx_jitter_late(void **state)
{
	struct media_rtp_rx rx;
	struct media_rtp_stats st;
	int i;

	(void)state;
	/* Perfectly paced: no jitter, nothing late. */
	media_rtp_rx_init(&rx, 8000, 60, -1);
	for (i = 0; i < 100; i++)
		rx_feed(&rx, (uint16_t)i, 5000 + (uint32_t)i * 160, 1, 1000000 + i * 20000,
			MEDIA_RTP_IN_ORDER);
	media_rtp_rx_stats(&rx, &st);
	assert_int_equal(st.jitter, 0);
	assert_int_equal(st.late, 0);
	assert_true(media_rtp_quality_ok(&st));

	/* Every other packet 5 ms late: the transit changes by 40 units each
	 * time, and RFC 3550's estimate converges on 40 (5 ms). */
	media_rtp_rx_init(&rx, 8000, 60, -1);
	for (i = 0; i < 400; i++)
		rx_feed(&rx, (uint16_t)i, (uint32_t)i * 160, 1, i * 20000 + (i % 2) * 5000,
			MEDIA_RTP_IN_ORDER);
	media_rtp_rx_stats(&rx, &st);
	assert_in_range(st.jitter, 38, 40);
	assert_in_range(st.jitter_us, 4750, 5000);
	assert_int_equal(st.late, 0);

	/* One packet in 100 delayed by 100 ms misses a 60 ms buffer; one
	 * delayed by 50 ms does not. 1 % late fails the 1 ‰ bar. */
	media_rtp_rx_init(&rx, 8000, 60, -1);
	for (i = 0; i < 100; i++) {
		int64_t at = i * 20000 + (i == 50 ? 100000 : i == 70 ? 50000 : 0);

		rx_feed(&rx, (uint16_t)i, (uint32_t)i * 160, 1, at, MEDIA_RTP_IN_ORDER);
	}
	media_rtp_rx_stats(&rx, &st);
	assert_int_equal(st.late, 1);
	assert_int_equal(st.lost, 0);
	assert_false(media_rtp_quality_ok(&st));
	/* Diluted in 2000 packets it is within the bar. */
	for (i = 100; i < 2000; i++)
		rx_feed(&rx, (uint16_t)i, (uint32_t)i * 160, 1, i * 20000, MEDIA_RTP_IN_ORDER);
	media_rtp_rx_stats(&rx, &st);
	assert_int_equal(st.late, 1);
	assert_true(media_rtp_quality_ok(&st));
	/* And 3 lost in 2000 is over it. */
	st.lost = 3;
	assert_false(media_rtp_quality_ok(&st));

	/* Telephone-events keep the timestamp of their start while their
	 * packets go on arriving: they must not count as jitter or late. */
	media_rtp_rx_init(&rx, 8000, 60, 101);
	for (i = 0; i < 100; i++) {
		struct media_rtp_hdr h;
		uint8_t buf[200];
		int is_event = i >= 40 && i < 60;
		size_t len = make_rtp(buf, is_event ? 101 : 8, (uint16_t)i,
				      is_event ? 40 * 160 : (uint32_t)i * 160, 1, 4);

		assert_int_equal(media_rtp_parse(buf, len, &h), 0);
		assert_int_equal(media_rtp_rx_update(&rx, &h, i * 20000), MEDIA_RTP_IN_ORDER);
	}
	media_rtp_rx_stats(&rx, &st);
	assert_int_equal(st.jitter, 0);
	assert_int_equal(st.late, 0);
	assert_int_equal(st.expected, 100);
}

/* ------------------------------------------------- RFC 4733 telephone-events */

static void test_tel_event_parse(void **state)
{
	static const uint8_t p[] = {5, 0x80 | 0x40 | 10, 0x01, 0x40};
	struct media_tel_event ev;
	const char *keys = "0123456789*#ABCD";
	unsigned i;

	(void)state;
	assert_int_equal(media_tel_event_parse(p, 4, &ev), 0);
	assert_int_equal(ev.event, 5);
	assert_int_equal(ev.end, 1);
	assert_int_equal(ev.volume, 10); /* the reserved bit is not volume */
	assert_int_equal(ev.duration, 320);
	assert_int_equal(media_tel_event_parse(p, 3, &ev), ERR_INVALID);
	assert_int_equal(media_tel_event_parse(NULL, 4, &ev), ERR_INVALID);
	for (i = 0; i < 16; i++)
		assert_int_equal(media_dtmf_char(i), keys[i]);
	assert_int_equal(media_dtmf_char(16), 0); /* flash */
	assert_int_equal(media_dtmf_char(255), 0);
}

/* One packet of an event through the RTP parser, as the engine will. */
static int dtmf_packet(struct media_dtmf_rx *d, uint32_t ssrc, uint32_t ts, unsigned event, int end,
		       unsigned duration, char *digit)
{
	struct media_rtp_hdr h;
	uint8_t buf[32];
	int n;

	memset(&h, 0, sizeof(h));
	h.pt = 101;
	h.ts = ts;
	h.ssrc = ssrc;
	n = media_rtp_build(&h, buf, sizeof(buf));
	buf[n] = (uint8_t)event;
	buf[n + 1] = (uint8_t)((end ? 0x80 : 0) | 10);
	buf[n + 2] = (uint8_t)(duration >> 8);
	buf[n + 3] = (uint8_t)duration;
	assert_int_equal(media_rtp_parse(buf, (size_t)n + 4, &h), 0);
	assert_int_equal(h.pt, 101);
	return media_dtmf_rx_packet(d, h.ssrc, h.ts, buf + h.hdr_len, h.payload_len, digit);
}

static void test_dtmf_once_per_press(void **state)
{
	struct media_dtmf_rx d;
	char got[16];
	int n = 0, rc;
	char digit = 0;

	(void)state;
	media_dtmf_rx_init(&d);
	/* A press of 3: start, updates, the end three times. */
	rc = dtmf_packet(&d, 9, 1000, 3, 0, 160, &digit);
	assert_int_equal(rc, 1);
	got[n++] = digit;
	assert_int_equal(dtmf_packet(&d, 9, 1000, 3, 0, 320, &digit), 0);
	assert_int_equal(dtmf_packet(&d, 9, 1000, 3, 0, 480, &digit), 0);
	assert_int_equal(dtmf_packet(&d, 9, 1000, 3, 1, 640, &digit), 0);
	assert_int_equal(dtmf_packet(&d, 9, 1000, 3, 1, 640, &digit), 0);
	assert_int_equal(dtmf_packet(&d, 9, 1000, 3, 1, 640, &digit), 0);
	/* The same key again is a new press: a new timestamp. */
	assert_int_equal(dtmf_packet(&d, 9, 5000, 3, 0, 160, &digit), 1);
	got[n++] = digit;
	assert_int_equal(dtmf_packet(&d, 9, 5000, 3, 1, 800, &digit), 0);
	/* A leftover end packet of the first press, arriving late, is ignored. */
	assert_int_equal(dtmf_packet(&d, 9, 1000, 3, 1, 640, &digit), 0);
	/* A press whose start packets were all lost: reported from its end. */
	assert_int_equal(dtmf_packet(&d, 9, 9000, 11, 1, 800, &digit), 1);
	got[n++] = digit;
	assert_int_equal(dtmf_packet(&d, 9, 9000, 11, 1, 800, &digit), 0);
	/* Not a DTMF key (flash): nothing to report. */
	assert_int_equal(dtmf_packet(&d, 9, 12000, 16, 0, 160, &digit), 0);
	assert_int_equal(dtmf_packet(&d, 9, 14000, 10, 0, 160, &digit), 1);
	got[n++] = digit;
	/* A press held past 0xFFFF units continues in a new segment (§2.5.2.3). */
	assert_int_equal(dtmf_packet(&d, 9, 20000, 15, 0, 160, &digit), 1);
	got[n++] = digit;
	assert_int_equal(dtmf_packet(&d, 9, 20000, 15, 0, 0xFFFF, &digit), 0);
	assert_int_equal(dtmf_packet(&d, 9, 20000 + 0xFFFF, 15, 0, 160, &digit), 0);
	assert_int_equal(dtmf_packet(&d, 9, 20000 + 0xFFFF, 15, 1, 800, &digit), 0);
	/* A new stream (another SSRC) starts afresh even at the same timestamp. */
	assert_int_equal(dtmf_packet(&d, 10, 20000 + 0xFFFF, 1, 0, 160, &digit), 1);
	got[n++] = digit;
	/* A payload that is not an event. */
	assert_int_equal(media_dtmf_rx_packet(&d, 10, 30000, (const uint8_t *)"ab", 2, &digit),
			 ERR_INVALID);
	got[n] = 0;
	assert_string_equal(got, "33#*D1");
}

/* ------------------------------------------------------------------ WAV */

/* A file in memory behind the writer's callback; fail_at makes the
 * n-th write fail (0: never). */
struct memfile {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int writes;
	int fail_at;
};

static void memfile_init(struct memfile *m, size_t cap)
{
	memset(m, 0, sizeof(*m));
	m->buf = calloc(1, cap);
	assert_non_null(m->buf);
	m->cap = cap;
}

static int mem_write(void *ctx, uint64_t offset, const void *data, size_t len)
{
	struct memfile *m = ctx;

	m->writes++;
	if (m->fail_at && m->writes == m->fail_at)
		return ERR_IO;
	assert_true(offset + len <= m->cap);
	memcpy(m->buf + offset, data, len);
	if (offset + len > m->len)
		m->len = offset + len;
	return 0;
}

/* Counts writes and keeps nothing, for files too big to keep. */
static int sink_write(void *ctx, uint64_t offset, const void *data, size_t len)
{
	struct memfile *m = ctx;

	(void)offset;
	(void)data;
	(void)len;
	m->writes++;
	return 0;
}

static void test_wav_write_read(void **state)
{
	struct memfile m;
	struct media_wav_writer w;
	struct media_wav wav;
	int16_t lr[2000], back[2000];
	int i;

	(void)state;
	memfile_init(&m, 1 << 16);
	for (i = 0; i < 2000; i++)
		lr[i] = (int16_t)(i % 2 ? -i * 16 : i * 16);
	assert_int_equal(media_wav_writer_open(&w, 2, 8000, mem_write, &m), 0);
	assert_int_equal(m.len, 44);
	assert_int_equal(media_wav_writer_put(&w, lr, 400), 0);
	/* Before a sync the header still says "empty". */
	assert_int_equal(media_wav_parse(m.buf, m.len, 2, &wav, NULL), 0);
	assert_int_equal(wav.frames, 0);
	assert_int_equal(media_wav_writer_sync(&w), 0);
	assert_int_equal(media_wav_parse(m.buf, m.len, 2, &wav, NULL), 0);
	assert_int_equal(wav.frames, 400);
	assert_int_equal(media_wav_writer_put(&w, lr + 800, 600), 0);
	assert_int_equal(media_wav_writer_close(&w), 0);
	assert_int_equal(media_wav_writer_put(&w, lr, 1), ERR_INVALID);
	assert_int_equal(m.len, 44 + 4000);

	/* The header, byte for byte. */
	assert_memory_equal(m.buf, "RIFF", 4);
	assert_int_equal(m.buf[4] | m.buf[5] << 8 | m.buf[6] << 16, 36 + 4000);
	assert_memory_equal(m.buf + 8, "WAVEfmt ", 8);
	assert_int_equal(m.buf[20], 1); /* PCM */
	assert_int_equal(m.buf[22], 2); /* stereo */
	assert_int_equal(m.buf[24] | m.buf[25] << 8, 8000);
	assert_int_equal(m.buf[28] | m.buf[29] << 8, 32000); /* bytes a second */
	assert_int_equal(m.buf[32], 4);
	assert_int_equal(m.buf[34], 16);
	assert_memory_equal(m.buf + 36, "data", 4);
	assert_int_equal(m.buf[44], 0); /* the first sample, little-endian */
	assert_int_equal(m.buf[46], 0xF0);
	assert_int_equal(m.buf[47], 0xFF); /* −16 */

	assert_int_equal(media_wav_parse(m.buf, m.len, 2, &wav, NULL), 0);
	assert_int_equal(wav.format, MEDIA_WAV_PCM16);
	assert_int_equal(wav.channels, 2);
	assert_int_equal(wav.rate, 8000);
	assert_int_equal(wav.frames, 1000);
	media_wav_decode(&wav, back);
	assert_memory_equal(back, lr, sizeof(lr));
	/* A recording is not a prompt: mono was asked for. */
	assert_int_equal(media_wav_parse(m.buf, m.len, 1, &wav, NULL), ERR_UNPROCESSABLE);
	free(m.buf);
}

static void test_wav_writer_errors(void **state)
{
	struct memfile m;
	struct media_wav_writer w;
	int16_t s[600] = {0};

	(void)state;
	memfile_init(&m, 1 << 16);
	assert_int_equal(media_wav_writer_open(&w, 3, 8000, mem_write, &m), ERR_INVALID);
	assert_int_equal(media_wav_writer_open(&w, 1, 0, mem_write, &m), ERR_INVALID);
	assert_int_equal(m.writes, 0);
	/* The disk fails on the second write: the error sticks. */
	m.fail_at = 2;
	assert_int_equal(media_wav_writer_open(&w, 1, 8000, mem_write, &m), 0);
	assert_int_equal(media_wav_writer_put(&w, s, 100), ERR_IO);
	assert_int_equal(media_wav_writer_put(&w, s, 100), ERR_IO);
	assert_int_equal(media_wav_writer_close(&w), ERR_IO);
	assert_int_equal(m.writes, 2);
	/* Past what a RIFF size can say: refused before writing. */
	m.writes = m.fail_at = 0;
	assert_int_equal(media_wav_writer_open(&w, 1, 8000, sink_write, &m), 0);
	w.data_bytes = (uint64_t)UINT32_MAX - 36 - 100;
	assert_int_equal(media_wav_writer_put(&w, s, 51), ERR_TOOBIG);
	assert_int_equal(m.writes, 1);
	assert_int_equal(media_wav_writer_put(&w, s, 50), 0);
	free(m.buf);
}

/* A mono file of n bytes of data with the given fmt fields, by hand. */
static size_t make_wav(uint8_t *b, unsigned tag, unsigned ch, uint32_t rate, unsigned bits,
		       const void *data, uint32_t n)
{
	unsigned align = ch * bits / 8;

	memcpy(b, "RIFF", 4);
	b[4] = (uint8_t)(36 + n);
	b[5] = (uint8_t)((36 + n) >> 8);
	b[6] = b[7] = 0;
	memcpy(b + 8, "WAVEfmt \x10\0\0\0", 12);
	b[20] = (uint8_t)tag;
	b[21] = (uint8_t)(tag >> 8);
	b[22] = (uint8_t)ch;
	b[23] = 0;
	b[24] = (uint8_t)rate;
	b[25] = (uint8_t)(rate >> 8);
	b[26] = (uint8_t)(rate >> 16);
	b[27] = 0;
	b[28] = (uint8_t)(rate * align);
	b[29] = (uint8_t)((rate * align) >> 8);
	b[30] = (uint8_t)((rate * align) >> 16);
	b[31] = 0;
	b[32] = (uint8_t)align;
	b[33] = 0;
	b[34] = (uint8_t)bits;
	b[35] = 0;
	memcpy(b + 36, "data", 4);
	b[40] = (uint8_t)n;
	b[41] = (uint8_t)(n >> 8);
	b[42] = b[43] = 0;
	memcpy(b + 44, data, n);
	return 44 + n;
}

static void test_wav_read_formats(void **state)
{
	uint8_t b[512], a[8] = {0xD5, 0x55, 0xAA, 0x2A, 0xFA, 0xD5, 0xD5, 0xD5};
	uint8_t u[4] = {0xFF, 0x80, 0x00, 0xCE};
	int16_t out[8];
	struct media_wav w;
	size_t len;

	(void)state;
	len = make_wav(b, 6, 1, 8000, 8, a, 8);
	assert_int_equal(media_wav_parse(b, len, 1, &w, NULL), 0);
	assert_int_equal(w.format, MEDIA_WAV_ALAW);
	assert_int_equal(w.frames, 8);
	media_wav_decode(&w, out);
	assert_int_equal(out[0], 8);
	assert_int_equal(out[2], 32256);
	assert_int_equal(out[4], 1008);

	len = make_wav(b, 7, 1, 8000, 8, u, 4);
	assert_int_equal(media_wav_parse(b, len, 1, &w, NULL), 0);
	assert_int_equal(w.format, MEDIA_WAV_ULAW);
	media_wav_decode(&w, out);
	assert_int_equal(out[1], 32124);
	assert_int_equal(out[3], 988);

	/* WAVE_FORMAT_EXTENSIBLE with the PCM sub-format, and a LIST chunk of
	 * odd length (with its pad byte) between fmt and data. */
	{
		static const uint8_t ext[] = {
			'R',  'I',  'F',  'F', 76,   0,	   0, 0,    'W',  'A',	'V',  'E',
			'f',  'm',  't',  ' ', 40,   0,	   0, 0,    0xFE, 0xFF, 1,    0,
			0x40, 0x1F, 0,	  0,   0x80, 0x3E, 0, 0,    2,	  0,	16,   0,
			22,   0,    16,	  0,   4,    0,	   0, 0,    1,	  0,	0,    0,
			0,    0,    0x10, 0,   0x80, 0,	   0, 0xAA, 0,	  0x38, 0x9B, 0x71,
			'L',  'I',  'S',  'T', 3,    0,	   0, 0,    'a',  'b',	'c',  0,
			'd',  'a',  't',  'a', 4,    0,	   0, 0,    0x34, 0x12, 0xFF, 0xFF};

		uint8_t x[sizeof(ext)];

		assert_int_equal(media_wav_parse(ext, sizeof(ext), 1, &w, NULL), 0);
		assert_int_equal(w.format, MEDIA_WAV_PCM16);
		assert_int_equal(w.frames, 2);
		media_wav_decode(&w, out);
		assert_int_equal(out[0], 0x1234);
		assert_int_equal(out[1], -1);
		/* The same with a sub-format GUID that is not the standard one. */
		memcpy(x, ext, sizeof(x));
		x[59] = 0x72;
		assert_int_equal(media_wav_parse(x, sizeof(x), 1, &w, NULL), ERR_UNPROCESSABLE);
		/* An extensible header cut short. */
		memcpy(x, ext, sizeof(x));
		x[36] = 10;
		assert_int_equal(media_wav_parse(x, sizeof(x), 1, &w, NULL), ERR_INVALID);
	}
}

static void test_wav_rejects(void **state)
{
	static const int16_t s[4] = {1, 2, 3, 4};
	uint8_t b[512], c[512];
	struct err_info info;
	struct media_wav w;
	size_t len, i;

	(void)state;
	len = make_wav(b, 1, 1, 8000, 16, s, 8);
	assert_int_equal(media_wav_parse(b, len, 1, &w, NULL), 0);
	/* Every truncation fails: the RIFF size is then more than the file. */
	for (i = 0; i < len; i++)
		assert_int_equal(media_wav_parse(b, i, 1, &w, NULL), ERR_INVALID);

	memcpy(c, b, len);
	c[0] = 'X'; /* not RIFF */
	assert_int_equal(media_wav_parse(c, len, 1, &w, &info), ERR_INVALID);
	assert_string_equal(info.field, "file");
	memcpy(c, b, len);
	c[40] = 10; /* data larger than the RIFF */
	assert_int_equal(media_wav_parse(c, len, 1, &w, NULL), ERR_INVALID);
	memcpy(c, b, len);
	c[40] = 7; /* half a sample */
	c[4] = 36 + 7;
	assert_int_equal(media_wav_parse(c, len - 1, 1, &w, NULL), ERR_INVALID);
	memcpy(c, b, len);
	c[16] = 14; /* fmt too short */
	assert_int_equal(media_wav_parse(c, len, 1, &w, NULL), ERR_INVALID);
	memcpy(c, b, len);
	c[32] = 4; /* block size of stereo in a mono file */
	assert_int_equal(media_wav_parse(c, len, 1, &w, NULL), ERR_INVALID);
	memcpy(c, b, len);
	c[29] = 0x3F; /* byte rate of 16 kHz */
	assert_int_equal(media_wav_parse(c, len, 1, &w, NULL), ERR_INVALID);
	memcpy(c, b, len);
	memcpy(c + 36, "junk", 4); /* no data chunk */
	assert_int_equal(media_wav_parse(c, len, 1, &w, &info), ERR_INVALID);
	assert_non_null(strstr(info.message, "data"));
	memcpy(c, b, len);
	memcpy(c + 12, "data", 4); /* data before fmt */
	assert_int_equal(media_wav_parse(c, len, 1, &w, NULL), ERR_INVALID);
	/* Two fmt chunks, each valid by itself. */
	memcpy(c, b, 36);
	memcpy(c + 36, b + 12, len - 12);
	c[4] = (uint8_t)(len + 24 - 8);
	assert_int_equal(media_wav_parse(c, len + 24, 1, &w, &info), ERR_INVALID);
	assert_non_null(strstr(info.message, "two fmt"));

	/* Well-formed, but not something the hotline plays. */
	len = make_wav(b, 1, 1, 44100, 16, s, 8);
	assert_int_equal(media_wav_parse(b, len, 1, &w, &info), ERR_UNPROCESSABLE);
	assert_non_null(strstr(info.message, "44100"));
	assert_non_null(strstr(info.message, "sox"));
	len = make_wav(b, 1, 1, 8000, 8, s, 8);
	assert_int_equal(media_wav_parse(b, len, 1, &w, NULL), ERR_UNPROCESSABLE);
	len = make_wav(b, 3, 1, 8000, 32, s, 8);
	assert_int_equal(media_wav_parse(b, len, 1, &w, &info), ERR_UNPROCESSABLE);
	assert_non_null(strstr(info.message, "float"));
	len = make_wav(b, 1, 2, 8000, 16, s, 8);
	assert_int_equal(media_wav_parse(b, len, 1, &w, NULL), ERR_UNPROCESSABLE);
	assert_int_equal(media_wav_parse(b, len, 0, &w, NULL), 0);
	len = make_wav(b, 1, 3, 8000, 16, s, 6);
	assert_int_equal(media_wav_parse(b, len, 0, &w, NULL), ERR_UNPROCESSABLE);
}

/* Random changes to a valid file never make the parser read outside it,
 * and what it accepts lies inside the file. */
static void test_wav_fuzz(void **state)
{
	static const int16_t s[16] = {0};
	uint8_t b[256];
	uint32_t seed = 99;
	size_t len, cut;
	int round, k, ok = 0;
	struct media_wav w;

	(void)state;
	for (round = 0; round < 100000; round++) {
		uint8_t *copy;

		len = make_wav(b, 1, 1, 8000, 16, s, 32);
		for (k = 0; k < 3; k++) {
			seed = seed * 1103515245 + 12345;
			b[(seed >> 16) % len] = (uint8_t)(seed >> 8);
		}
		seed = seed * 1103515245 + 12345;
		cut = len - (seed >> 16) % 8;
		copy = malloc(cut);
		assert_non_null(copy);
		memcpy(copy, b, cut);
		if (media_wav_parse(copy, cut, 0, &w, NULL) == 0) {
			ok++;
			assert_true(w.data >= copy && w.data + w.data_len <= copy + cut);
		}
		free(copy);
	}
	assert_true(ok > 100);
}

static int fd_write(void *ctx, uint64_t offset, const void *buf, size_t len)
{
	int fd = *(int *)ctx;

	return pwrite(fd, buf, len, (off_t)offset) == (ssize_t)len ? 0 : ERR_IO;
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* A prompt as the IVR will load it: the generated welcome prompt when the
 * build made one (mk/prompts.sh, not needed for unit tests), otherwise a
 * file this test writes through the writer with pwrite, as the recorder's
 * writer thread will. */
static void test_wav_prompt_file(void **state)
{
	const char *path = "build/prompts/welcome.wav";
	char tmp[] = "/tmp/kefu-wav-XXXXXX";
	struct media_wav_writer w;
	struct media_wav wav;
	struct err_info info;
	uint8_t *buf;
	int16_t *pcm;
	size_t len;
	int fd = -1, i;

	(void)state;
	buf = read_all(path, &len);
	if (!buf) {
		int16_t tone[4000];

		for (i = 0; i < 4000; i++)
			tone[i] = (int16_t)((i / 10) % 2 ? 6000 : -6000);
		fd = mkstemp(tmp);
		assert_true(fd >= 0);
		assert_int_equal(media_wav_writer_open(&w, 1, 8000, fd_write, &fd), 0);
		for (i = 0; i < 4; i++)
			assert_int_equal(media_wav_writer_put(&w, tone, 4000), 0);
		assert_int_equal(media_wav_writer_close(&w), 0);
		close(fd);
		buf = read_all(tmp, &len);
		unlink(tmp);
		assert_non_null(buf);
	}
	assert_int_equal(media_wav_parse(buf, len, 1, &wav, &info), 0);
	assert_int_equal(wav.rate, 8000);
	assert_true(wav.frames >= 8000); /* over a second */
	pcm = malloc(wav.frames * sizeof(*pcm));
	assert_non_null(pcm);
	media_wav_decode(&wav, pcm);
	/* Not silence: louder than the VAD's absolute threshold overall. */
	assert_true(media_level_cdb(pcm, wav.frames, 1) > MEDIA_VAD_ABS_DB * 100);
	free(pcm);
	free(buf);
}

/* ------------------------------------------------------- stereo recorder */

static void fill(int16_t *pcm, size_t n, int16_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		pcm[i] = v;
}

static void test_rec_alignment(void **state)
{
	static struct media_rec r;
	static int16_t out[2 * 16000];
	int16_t caller[160], agent[240];
	int64_t t0 = 5000000; /* answer at 5 s on the engine's clock */
	size_t got = 0, i;
	int ms;

	(void)state;
	fill(caller, 160, 1000);
	fill(agent, 240, 2000);
	media_rec_init(&r, t0);
	/* One second of call in 10 ms ticks: the caller sends 20 ms packets,
	 * the agent 30 ms ones with an unrelated timestamp base; each packet
	 * arrives when it is complete. */
	for (ms = 10; ms <= 1000; ms += 10) {
		int64_t at = t0 + ms * 1000;

		if (ms % 20 == 0 && ms != 220) {
			uint32_t ts = 1000u + (uint32_t)(ms / 20 - 1) * 160;

			assert_int_equal(media_rec_put(&r, MEDIA_CALLER, 1, ts, caller, 160, at),
					 0);
		}
		/* The caller's packet for 200..220 ms arrives 40 ms late: its
		 * timestamp, not its arrival, places it. */
		if (ms == 260)
			assert_int_equal(media_rec_put(&r, MEDIA_CALLER, 1, 1000u + 10 * 160,
						       caller, 160, at),
					 0);
		/* The agent's 4th packet (90..120 ms) is lost. */
		if (ms % 30 == 0 && ms != 120) {
			uint32_t ts = 777777u + (uint32_t)(ms / 30 - 1) * 240;

			assert_int_equal(media_rec_put(&r, MEDIA_AGENT, 2, ts, agent, 240, at), 0);
		}
		got += media_rec_take(&r, at, 0, out + 2 * got, 16000 - got);
	}
	/* Output trails the clock by MEDIA_REC_DELAY_MS. */
	assert_int_equal(got, (1000 - MEDIA_REC_DELAY_MS) * 8);
	got += media_rec_take(&r, t0 + 1000 * 1000, 1, out + 2 * got, 16000 - got);
	assert_int_equal(got, 8000);
	assert_int_equal(r.ch[MEDIA_CALLER].late_samples, 0);
	assert_int_equal(r.ch[MEDIA_AGENT].late_samples, 0);
	assert_int_equal(r.ch[MEDIA_CALLER].resyncs, 0);
	assert_int_equal(r.ch[MEDIA_AGENT].resyncs, 0);

	/* Left: all 1000, the late packet in its place. */
	for (i = 0; i < got; i++)
		assert_int_equal(out[2 * i], 1000);
	/* Right: 2000, silence exactly where the lost packet belonged
	 * ([720, 960)), and after the agent's last packet (990 ms). */
	for (i = 0; i < got; i++) {
		int16_t want = (i >= 720 && i < 960) || i >= 7920 ? 0 : 2000;

		assert_int_equal(out[2 * i + 1], want);
	}
	/* Nobody sends for the next 700 ms (both on hold): silence, not
	 * what the buffer held a second ago. */
	assert_int_equal(media_rec_take(&r, t0 + 1700 * 1000, 1, out, 16000), 5600);
	for (i = 0; i < 2 * 5600; i++)
		assert_int_equal(out[i], 0);
}

static void test_rec_late_and_jumps(void **state)
{
	static struct media_rec r;
	static int16_t out[2 * 8000];
	int16_t pcm[160];
	size_t got = 0;

	(void)state;
	fill(pcm, 160, 500);
	media_rec_init(&r, 0);
	assert_int_equal(media_rec_put(&r, 2, 1, 0, pcm, 160, 20000), ERR_INVALID);
	assert_int_equal(media_rec_put(&r, MEDIA_CALLER, 1, 0, pcm, 0, 20000), ERR_INVALID);
	assert_int_equal(media_rec_put(&r, MEDIA_CALLER, 1, 0, pcm, 160, 20000), 0);
	got += media_rec_take(&r, 400000, 0, out, 8000); /* written up to 200 ms */
	assert_int_equal(got, 1600);
	/* A packet for 20..40 ms arriving at 400 ms: its place is gone. */
	assert_int_equal(media_rec_put(&r, MEDIA_CALLER, 1, 160, pcm, 160, 400000), 0);
	assert_int_equal(r.ch[MEDIA_CALLER].late_samples, 160);
	/* The timestamps jump by an hour (a restarted sender): the leg is
	 * anchored again where its packet arrived, not an hour away. */
	assert_int_equal(media_rec_put(&r, MEDIA_CALLER, 1, 8000u * 3600, pcm, 160, 420000), 0);
	assert_int_equal(r.ch[MEDIA_CALLER].resyncs, 1);
	assert_int_equal(r.ch[MEDIA_CALLER].overflow_samples, 0);
	got += media_rec_take(&r, 420000, 1, out + 2 * got, 8000 - got);
	assert_int_equal(got, 3360);
	assert_int_equal(out[2 * 3200], 500); /* 400..420 ms: the jumped packet */
	assert_int_equal(out[2 * 3199], 0);
	assert_int_equal(out[2 * 200], 0); /* 20..40 ms: never arrived in time */
	assert_int_equal(out[2 * 159], 500);
	/* max_frames limits one take. */
	assert_int_equal(media_rec_take(&r, 440000, 1, out, 100), 100);
	assert_int_equal(media_rec_take(&r, 440000, 1, out, 1000), 60);
}

/* ------------------------------------------------ voice activity, metrics */

/* Test signals at 8 kHz: a 400 Hz square wave of amplitude amp ("voice"),
 * or silence. Speech is made of 300 ms bursts with 80 ms gaps, as words
 * with short pauses. */
static void square(int16_t *pcm, size_t stride, size_t n, int amp)
{
	size_t i;

	for (i = 0; i < n; i++)
		pcm[i * stride] = (int16_t)((i / 10) % 2 ? amp : -amp);
}

/* Writes a channel of a stereo buffer: speech in [from_ms, to_ms). */
static void speech(int16_t *lr, int side, int from_ms, int to_ms)
{
	int ms;

	for (ms = from_ms; ms < to_ms; ms += 380) {
		int end = ms + 300 < to_ms ? ms + 300 : to_ms;

		square(lr + 2 * (ms * 8) + side, 2, (size_t)(end - ms) * 8, 8000);
	}
}

static void test_level(void **state)
{
	int16_t pcm[160];

	(void)state;
	square(pcm, 1, 160, 32767);
	assert_between(media_level_cdb(pcm, 160, 1), -5, 5);
	square(pcm, 1, 160, 16384);
	assert_between(media_level_cdb(pcm, 160, 1), -607, -597); /* −6.02 dB */
	square(pcm, 1, 160, 328);
	assert_between(media_level_cdb(pcm, 160, 1), -4005, -3995); /* −40 dB */
	fill(pcm, 160, 0);
	assert_int_equal(media_level_cdb(pcm, 160, 1), -10000);
}

static void test_vad(void **state)
{
	struct media_vad v;
	int16_t pcm[160], quiet[160];
	uint32_t seed = 7;
	int i, on = 0;

	(void)state;
	square(pcm, 1, 160, 8000);
	fill(quiet, 160, 0);
	media_vad_init(&v);
	assert_int_equal(media_vad_frame(&v, quiet, 1), 0);
	/* A click (one loud frame) is not speech. */
	assert_int_equal(media_vad_frame(&v, pcm, 1), 0);
	assert_int_equal(media_vad_frame(&v, quiet, 1), 0);
	/* Two loud frames start speech, which outlives them by the hangover. */
	assert_int_equal(media_vad_frame(&v, pcm, 1), 0);
	assert_int_equal(media_vad_frame(&v, pcm, 1), 1);
	for (i = 0; i < MEDIA_VAD_HANGOVER; i++)
		assert_int_equal(media_vad_frame(&v, quiet, 1), 1);
	assert_int_equal(media_vad_frame(&v, quiet, 1), 0);
	/* Below the absolute threshold is never speech. */
	square(pcm, 1, 160, 150); /* −46.8 dBFS */
	for (i = 0; i < 10; i++)
		assert_int_equal(media_vad_frame(&v, pcm, 1), 0);

	/* Steady line noise at about −30 dBFS: speech at first, until the
	 * noise floor has seen it for a few seconds; then silence. */
	media_vad_init(&v);
	for (i = 0; i < 500; i++) {
		int k;

		for (k = 0; k < 160; k++) {
			seed = seed * 1103515245 + 12345;
			pcm[k] = (int16_t)((int)((seed >> 16) % 2001) - 1000);
		}
		if (media_vad_frame(&v, pcm, 1) && i >= 400)
			on++;
		if (i == 10)
			assert_int_equal(v.speaking, 1);
	}
	assert_int_equal(on, 0);
	/* And speech over that noise is still speech. */
	square(pcm, 1, 160, 12000);
	assert_int_equal(media_vad_frame(&v, pcm, 1), 0);
	assert_int_equal(media_vad_frame(&v, pcm, 1), 1);
}

/* The speech spans of a channel given frame by frame: '#' loud, anything else quiet. */
static int speech_spans(const char *pattern, struct media_span *out, int max)
{
	struct media_speech sp;
	int16_t loud[160], quiet[160];
	int n = 0;
	size_t i;

	square(loud, 1, 160, 8000);
	fill(quiet, 160, 0);
	media_speech_init(&sp);
	for (i = 0; pattern[i]; i++)
		if (media_speech_frame(&sp, pattern[i] == '#' ? loud : quiet, 1, &out[n])) {
			assert_true(n < max - 1);
			n++;
		}
	if (media_speech_end(&sp, &out[n]))
		n++;
	return n;
}

static void test_speech_segments(void **state)
{
	struct media_span s[8];
	char pattern[400];
	int n;

	(void)state;
	/* A click is not speech; two loud frames are, from the first of them
	 * to the end of the last loud frame (the hangover is not part of it). */
	n = speech_spans("...#....##..........................", s, 8);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].start_ms, 8 * 20);
	assert_int_equal(s[0].end_ms, 10 * 20);
	/* A pause shorter than the hangover (15 frames) joins; a longer one
	 * splits. Frames 2-11 loud, 12-21 quiet, 22-31 loud, 32-51 quiet,
	 * 52-61 loud, then quiet to the end. */
	memset(pattern, '.', sizeof(pattern));
	memset(pattern + 2, '#', 10);
	memset(pattern + 22, '#', 10);
	memset(pattern + 52, '#', 10);
	pattern[100] = '\0';
	n = speech_spans(pattern, s, 8);
	assert_int_equal(n, 2);
	assert_int_equal(s[0].start_ms, 40);
	assert_int_equal(s[0].end_ms, 640);
	assert_int_equal(s[1].start_ms, 1040);
	assert_int_equal(s[1].end_ms, 1240);
	/* Speech still going when the recording ends is closed by end. */
	n = speech_spans("....####", s, 8);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].start_ms, 80);
	assert_int_equal(s[0].end_ms, 160);
	/* Silence: nothing. */
	assert_int_equal(speech_spans("..........", s, 8), 0);
}

struct findings {
	int n;
	enum media_qa_kind kind[16];
	int64_t start[16], end[16];
};

static void on_finding(void *ctx, enum media_qa_kind kind, int64_t start_ms, int64_t end_ms)
{
	struct findings *f = ctx;

	assert_true(f->n < 16);
	f->kind[f->n] = kind;
	f->start[f->n] = start_ms;
	f->end[f->n] = end_ms;
	f->n++;
}

/* Analyses seconds of stereo signal, fed in pieces of `piece` frames. */
static void analyse(const int16_t *lr, int seconds, const struct media_span *holds, size_t nholds,
		    size_t piece, struct findings *f, struct media_qa_result *res)
{
	struct media_qa q;
	size_t total = (size_t)seconds * 8000, done = 0;

	memset(f, 0, sizeof(*f));
	assert_int_equal(media_qa_init(&q, holds, nholds, on_finding, f), 0);
	while (done < total) {
		size_t n = total - done < piece ? total - done : piece;

		media_qa_feed(&q, lr + 2 * done, n);
		done += n;
	}
	media_qa_finish(&q, res);
}

static void test_dead_air(void **state)
{
	size_t bytes = 20 * 8000 * 2 * sizeof(int16_t);
	int16_t *lr = calloc(1, bytes);
	struct media_qa_result res;
	struct findings f;

	(void)state;
	assert_non_null(lr);
	/* The caller speaks 0–3 s, nobody until 10 s, the agent 10–13 s, then
	 * silence to the end at 20 s. */
	speech(lr, MEDIA_CALLER, 0, 3000);
	speech(lr, MEDIA_AGENT, 10000, 13000);
	analyse(lr, 20, NULL, 0, 8000, &f, &res);
	assert_int_equal(res.duration_ms, 20000);
	/* The caller's last burst ends at 2.96 s; silence begins after the
	 * hangover, 3.26 s; the agent's speech counts from its 2nd frame. */
	assert_int_equal(res.dead_air_count, 1);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.kind[0], MEDIA_QA_DEAD_AIR);
	assert_int_equal(f.start[0], 3260);
	assert_int_equal(f.end[0], 10020);
	assert_int_equal(res.dead_air_ms, 6760);
	assert_int_equal(res.dead_air_max_ms, 6760);
	/* The 7 s after 13 s are the wait for the caller to hang up (CALL-5). */
	assert_int_equal(res.talk_over_count, 0);
	assert_in_range(res.speech_ms[MEDIA_CALLER], 3000, 3300);
	assert_in_range(res.speech_ms[MEDIA_AGENT], 3000, 3300);

	/* Fed in odd pieces, the same. */
	analyse(lr, 20, NULL, 0, 37, &f, &res);
	assert_int_equal(res.dead_air_count, 1);
	assert_int_equal(f.start[0], 3260);
	assert_int_equal(f.end[0], 10020);

	/* On hold 4–9 s (CALL-4 measures that): what is left on either side
	 * is under 5 s each. */
	{
		struct media_span hold = {4000, 9000};

		analyse(lr, 20, &hold, 1, 8000, &f, &res);
		assert_int_equal(res.dead_air_count, 0);
		assert_int_equal(f.n, 0);
	}
	/* A short hold 4–5 s leaves 5.02 s of dead air after it; two
	 * overlapping holds in any order are one. */
	{
		struct media_span holds[] = {{4500, 5000}, {4000, 4600}};

		analyse(lr, 20, holds, 2, 8000, &f, &res);
		assert_int_equal(res.dead_air_count, 1);
		assert_int_equal(f.start[0], 5000);
		assert_int_equal(f.end[0], 10020);
		assert_int_equal(res.dead_air_ms, 5020);
	}
	{
		struct media_span bad = {5000, 4000};
		struct media_qa q;

		assert_int_equal(media_qa_init(&q, &bad, 1, NULL, NULL), ERR_INVALID);
	}
	free(lr);
}

static void test_dead_air_silent_calls(void **state)
{
	size_t bytes = 20 * 8000 * 2 * sizeof(int16_t);
	int16_t *lr = calloc(1, bytes);
	struct media_qa_result res;
	struct findings f;

	(void)state;
	assert_non_null(lr);
	/* Nobody ever speaks: dead air from the start. */
	analyse(lr, 8, NULL, 0, 8000, &f, &res);
	assert_int_equal(res.dead_air_count, 1);
	assert_int_equal(res.dead_air_ms, 8000);
	assert_int_equal(res.speech_ms[MEDIA_CALLER] + res.speech_ms[MEDIA_AGENT], 0);

	/* CALL-6 by the book: the agent greets (1 s), waits 5 s, greets
	 * again, waits 5 s, says goodbye; the caller is silent. The waits
	 * measure 4.7 s after the hangover: not dead air. */
	speech(lr, MEDIA_AGENT, 0, 1000);
	speech(lr, MEDIA_AGENT, 6000, 7000);
	speech(lr, MEDIA_AGENT, 12000, 13000);
	analyse(lr, 14, NULL, 0, 8000, &f, &res);
	assert_int_equal(res.dead_air_count, 0);
	/* Waiting 6 s instead of 5 is. */
	memset(lr, 0, bytes);
	speech(lr, MEDIA_AGENT, 0, 1000);
	speech(lr, MEDIA_AGENT, 7000, 8000);
	analyse(lr, 9, NULL, 0, 8000, &f, &res);
	assert_int_equal(res.dead_air_count, 1);
	free(lr);
}

static void test_talk_over(void **state)
{
	size_t bytes = 12 * 8000 * 2 * sizeof(int16_t);
	int16_t *lr = calloc(1, bytes);
	struct media_qa_result res;
	struct findings f;

	(void)state;
	assert_non_null(lr);
	/* The caller speaks 0–4 s; the agent starts at 2 s and talks for 2 s. */
	speech(lr, MEDIA_CALLER, 0, 4000);
	speech(lr, MEDIA_AGENT, 2000, 4000);
	analyse(lr, 6, NULL, 0, 8000, &f, &res);
	assert_int_equal(res.talk_over_count, 1);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.kind[0], MEDIA_QA_TALK_OVER);
	assert_int_equal(f.start[0], 2020); /* the agent's 2nd loud frame */
	assert_true(f.end[0] >= 4000);
	assert_int_equal(res.talk_over_ms, f.end[0] - f.start[0]);

	/* A 200 ms acknowledgement (嗯、好的) while the caller talks: no. */
	memset(lr, 0, bytes);
	speech(lr, MEDIA_CALLER, 0, 4000);
	speech(lr, MEDIA_AGENT, 2000, 2200);
	analyse(lr, 6, NULL, 0, 8000, &f, &res);
	assert_int_equal(res.talk_over_count, 0);

	/* The agent answers 100 ms after the caller stops: a quick reply
	 * overlaps only the caller's hangover. */
	memset(lr, 0, bytes);
	speech(lr, MEDIA_CALLER, 0, 2960);
	speech(lr, MEDIA_AGENT, 3060, 6000);
	analyse(lr, 7, NULL, 0, 8000, &f, &res);
	assert_int_equal(res.talk_over_count, 0);

	/* The caller interrupts the agent: not the agent's talk-over. */
	memset(lr, 0, bytes);
	speech(lr, MEDIA_AGENT, 0, 4000);
	speech(lr, MEDIA_CALLER, 1000, 4000);
	analyse(lr, 6, NULL, 0, 8000, &f, &res);
	assert_int_equal(res.talk_over_count, 0);

	/* Two interruptions, the second inside a hold, where the caller
	 * does not hear the agent. */
	memset(lr, 0, bytes);
	speech(lr, MEDIA_CALLER, 0, 11000);
	speech(lr, MEDIA_AGENT, 1000, 3000);
	speech(lr, MEDIA_AGENT, 7000, 9000);
	analyse(lr, 12, NULL, 0, 8000, &f, &res);
	assert_int_equal(res.talk_over_count, 2);
	{
		struct media_span hold = {6000, 10000};

		analyse(lr, 12, &hold, 1, 8000, &f, &res);
		assert_int_equal(res.talk_over_count, 1);
		assert_int_equal(f.start[0], 1020);
	}
	free(lr);
}

/* The analyser run from a recorded WAV gives the figures it gives live. */
static void test_metrics_from_wav(void **state)
{
	struct memfile m;
	size_t bytes = 10 * 8000 * 2 * sizeof(int16_t);
	int16_t *lr = calloc(1, bytes), *back = malloc(bytes);
	struct media_qa_result live, fromwav;
	struct media_wav_writer w;
	struct media_wav wav;
	struct findings f;

	(void)state;
	assert_non_null(lr);
	assert_non_null(back);
	memfile_init(&m, 44 + bytes);
	speech(lr, MEDIA_CALLER, 0, 2000);
	speech(lr, MEDIA_AGENT, 1000, 2500);
	speech(lr, MEDIA_CALLER, 8000, 9000);
	analyse(lr, 10, NULL, 0, 8000, &f, &live);
	assert_int_equal(live.talk_over_count, 1);
	assert_int_equal(live.dead_air_count, 1);

	assert_int_equal(media_wav_writer_open(&w, 2, 8000, mem_write, &m), 0);
	assert_int_equal(media_wav_writer_put(&w, lr, 10 * 8000), 0);
	assert_int_equal(media_wav_writer_close(&w), 0);
	assert_int_equal(media_wav_parse(m.buf, m.len, 2, &wav, NULL), 0);
	media_wav_decode(&wav, back);
	analyse(back, 10, NULL, 0, 8000, &f, &fromwav);
	assert_memory_equal(&live, &fromwav, sizeof(live));
	free(m.buf);
	free(lr);
	free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_g711_known_values),
		cmocka_unit_test(test_g711_round_trip),
		cmocka_unit_test(test_g711_buffers),
		cmocka_unit_test(test_rtp_parse_valid),
		cmocka_unit_test(test_rtp_parse_rejects),
		cmocka_unit_test(test_rtp_parse_garbage),
		cmocka_unit_test(test_rtp_rx_sequence),
		cmocka_unit_test(test_rtp_rx_jumps),
		cmocka_unit_test(test_rtp_rx_jitter_late),
		cmocka_unit_test(test_tel_event_parse),
		cmocka_unit_test(test_dtmf_once_per_press),
		cmocka_unit_test(test_wav_write_read),
		cmocka_unit_test(test_wav_writer_errors),
		cmocka_unit_test(test_wav_read_formats),
		cmocka_unit_test(test_wav_rejects),
		cmocka_unit_test(test_wav_fuzz),
		cmocka_unit_test(test_wav_prompt_file),
		cmocka_unit_test(test_rec_alignment),
		cmocka_unit_test(test_rec_late_and_jumps),
		cmocka_unit_test(test_level),
		cmocka_unit_test(test_vad),
		cmocka_unit_test(test_speech_segments),
		cmocka_unit_test(test_dead_air),
		cmocka_unit_test(test_dead_air_silent_calls),
		cmocka_unit_test(test_talk_over),
		cmocka_unit_test(test_metrics_from_wav),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
