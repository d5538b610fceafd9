/*
 * RTP and RFC 4733 (src/media/rtp.c): the input is a stream of packets,
 * each a 2-byte big-endian length, a 4-byte arrival offset in microseconds
 * and the packet. Each is classified (RTP or RTCP), parsed, accounted for
 * by the receiver's statistics, its telephone-event payload parsed and fed
 * to the DTMF receiver, its G.711 payload decoded into the stereo recorder,
 * and its header written back out.
 */
#include "fuzz/fuzz.h"
#include "media/media.h"

/*
 * The recorder writes out every sample of the time that passes (silence
 * where nothing came), as a call's recording must; an input's gaps may add
 * up to hours, so only its first seconds are recorded, to keep each run
 * short. The receiver's statistics see all of it.
 */
#define REC_SPAN_US 5000000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct media_rec rec; /* 32 KB: kept out of the stack */
	struct media_rtp_rx rx;
	struct media_rtp_stats st;
	struct media_dtmf_rx dtmf;
	int64_t now = 0;
	size_t pos = 0;
	int16_t out[2 * MEDIA_FRAME];

	media_rtp_rx_init(&rx, 8000, 60, 101);
	media_dtmf_rx_init(&dtmf);
	media_rec_init(&rec, 0);
	while (pos + 6 <= size) {
		size_t len = (size_t)data[pos] << 8 | data[pos + 1];
		uint32_t gap = (uint32_t)data[pos + 2] << 24 | (uint32_t)data[pos + 3] << 16 |
			       (uint32_t)data[pos + 4] << 8 | data[pos + 5];
		const uint8_t *pkt;
		struct media_rtp_hdr h;
		struct media_tel_event ev;
		char digit;
		uint8_t back[12 + 4 * 15];

		pos += 6;
		if (len > size - pos)
			len = size - pos;
		pkt = data + pos;
		pos += len;
		now += gap;
		(void)media_rtp_is_rtcp(pkt, len);
		if (media_rtp_parse(pkt, len, &h) != 0)
			continue;
		(void)media_rtp_rx_update(&rx, &h, now);
		(void)media_rtp_build(&h, back, sizeof(back));
		if (h.pt == 101) {
			(void)media_tel_event_parse(pkt + h.hdr_len, h.payload_len, &ev);
			(void)media_dtmf_rx_packet(&dtmf, h.ssrc, h.ts, pkt + h.hdr_len,
						   h.payload_len, &digit);
		} else if ((h.pt == 0 || h.pt == 8) && now <= REC_SPAN_US) {
			int16_t pcm[512];
			size_t n = h.payload_len < 512 ? h.payload_len : 512;

			media_g711_decode(h.pt == 8 ? MEDIA_PCMA : MEDIA_PCMU, pkt + h.hdr_len, n,
					  pcm);
			(void)media_rec_put(&rec, h.ssrc & 1 ? MEDIA_AGENT : MEDIA_CALLER, h.ssrc,
					    h.ts, pcm, n, now);
			while (media_rec_take(&rec, now, 0, out, MEDIA_FRAME) > 0)
				;
		}
	}
	while (media_rec_take(&rec, now < REC_SPAN_US ? now : REC_SPAN_US, 1, out, MEDIA_FRAME) > 0)
		;
	media_rtp_rx_stats(&rx, &st);
	(void)media_rtp_quality_ok(&st);
	return 0;
}
