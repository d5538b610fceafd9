/*
 * The stereo recorder: two legs of a call on one timeline (media.h).
 *
 * Each channel is a ring of MEDIA_REC_RING samples indexed by timeline
 * position modulo its size. A frame is written at the position its RTP
 * timestamp gives relative to the leg's anchor; taking output copies both
 * rings at the same positions and clears them, so what no frame filled is
 * silence and the two channels can never drift apart.
 */
#include "media/media.h"

#include <string.h>

static int64_t us_to_samples(int64_t us)
{
	return us * MEDIA_RATE / 1000000;
}

void media_rec_init(struct media_rec *r, int64_t start_us)
{
	memset(r, 0, sizeof(*r));
	r->start_us = start_us;
}

/* Pins the leg's timestamp ts to the timeline: the frame of n samples
 * that arrived at position pos ended there. */
static void anchor(struct media_rec_chan *c, uint32_t ssrc, uint32_t ts, int64_t pos, size_t n)
{
	if (c->anchored)
		c->resyncs++;
	c->anchored = 1;
	c->ssrc = ssrc;
	c->base_ts = ts;
	c->base_pos = pos - (int64_t)n;
}

int media_rec_put(struct media_rec *r, enum media_side side, uint32_t ssrc, uint32_t ts,
		  const int16_t *pcm, size_t n, int64_t arrival_us)
{
	struct media_rec_chan *c;
	int64_t arrived, pos, dev, p;
	size_t i;

	if ((side != MEDIA_CALLER && side != MEDIA_AGENT) || !pcm || n == 0 ||
	    n > MEDIA_REC_RING / 2)
		return ERR_INVALID;
	c = &r->ch[side];
	arrived = us_to_samples(arrival_us - r->start_us);
	if (!c->anchored || ssrc != c->ssrc)
		anchor(c, ssrc, ts, arrived, n);
	pos = c->base_pos + (int32_t)(ts - c->base_ts);
	/* Jitter moves a frame's arrival, not its timestamp; a distance of
	 * more than MEDIA_REC_JUMP_MS means the timestamps jumped (a new
	 * talk spurt base, a restarted sender) and the leg is anchored anew. */
	dev = pos + (int64_t)n - arrived;
	if (dev > (int64_t)MEDIA_REC_JUMP_MS * MEDIA_RATE / 1000 ||
	    dev < -(int64_t)MEDIA_REC_JUMP_MS * MEDIA_RATE / 1000) {
		anchor(c, ssrc, ts, arrived, n);
		pos = c->base_pos;
	}
	for (i = 0; i < n; i++) {
		p = pos + (int64_t)i;
		if (p < 0)
			continue; /* before the answer */
		if (p < r->emitted)
			c->late_samples++;
		else if (p >= r->emitted + MEDIA_REC_RING)
			c->overflow_samples++;
		else
			c->ring[p % MEDIA_REC_RING] = pcm[i];
	}
	return 0;
}

size_t media_rec_take(struct media_rec *r, int64_t now_us, int final, int16_t *lr,
		      size_t max_frames)
{
	int64_t target = us_to_samples(now_us - r->start_us);
	size_t k, i, idx;

	if (!final)
		target -= (int64_t)MEDIA_REC_DELAY_MS * MEDIA_RATE / 1000;
	if (target <= r->emitted)
		return 0;
	k = (uint64_t)(target - r->emitted) < max_frames ? (size_t)(target - r->emitted)
							 : max_frames;
	for (i = 0; i < k; i++) {
		idx = (size_t)((r->emitted + (int64_t)i) % MEDIA_REC_RING);
		lr[2 * i] = r->ch[MEDIA_CALLER].ring[idx];
		lr[2 * i + 1] = r->ch[MEDIA_AGENT].ring[idx];
		r->ch[MEDIA_CALLER].ring[idx] = 0;
		r->ch[MEDIA_AGENT].ring[idx] = 0;
	}
	r->emitted += (int64_t)k;
	return k;
}
