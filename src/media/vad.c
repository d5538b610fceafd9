/*
 * Voice activity per 20 ms frame and the per-call compliance analyser
 * (dead air, talk-over, speech time); definitions in media.h and
 * docs/media.md.
 *
 * Levels are integers in hundredths of a dB, computed with a fixed-point
 * logarithm: no floating point, so a recording gives the same figures on
 * every machine and compiler, which matters when an agent contests one.
 */
#include "media/media.h"

#include <limits.h>
#include <string.h>

#define SILENCE_CDB (-10000)

/* log2(x) in 16.16 fixed point, for x > 0: the integer part is the top
 * bit's index; each squaring of the mantissa in [1, 2) yields one more
 * fractional bit. */
static int64_t log2_q16(uint64_t x)
{
	int e = 63 - __builtin_clzll(x);
	uint64_t m = e > 31 ? x >> (e - 31) : x << (31 - e); /* [2^31, 2^32): 1.0 is 2^31 */
	int64_t r = (int64_t)e * 65536;
	int i;

	for (i = 15; i >= 0; i--) {
		m = (m * m) >> 31;
		if (m >= (uint64_t)1 << 32) {
			m >>= 1;
			r += (int64_t)1 << i;
		}
	}
	return r;
}

int32_t media_level_cdb(const int16_t *pcm, size_t n, size_t stride)
{
	uint64_t sum = 0;
	int64_t l;
	size_t i;

	for (i = 0; i < n; i++) {
		int32_t s = pcm[i * stride];

		sum += (uint64_t)((int64_t)s * s);
	}
	if (n == 0 || sum == 0)
		return SILENCE_CDB;
	/* 10·log10(mean square / 2^30) = 10·log10(2) · (log2 sum − log2 n − 30) */
	l = log2_q16(sum) - log2_q16(n) - (int64_t)30 * 65536;
	l = l * 30103 / (65536 * 100);
	return l < SILENCE_CDB ? SILENCE_CDB : (int32_t)l;
}

void media_vad_init(struct media_vad *v)
{
	int b;

	memset(v, 0, sizeof(*v));
	for (b = 0; b < MEDIA_VAD_FLOOR_BLOCKS; b++)
		v->block_min[b] = MEDIA_VAD_FLOOR_INIT_DB * 100;
	v->cur_min = INT32_MAX;
	v->level = v->floor = SILENCE_CDB;
}

int media_vad_frame(struct media_vad *v, const int16_t *pcm, size_t stride)
{
	int32_t level = media_level_cdb(pcm, MEDIA_FRAME, stride), floor;
	int b, loud;

	if (level < v->cur_min)
		v->cur_min = level;
	floor = v->cur_min;
	for (b = 0; b < MEDIA_VAD_FLOOR_BLOCKS; b++)
		if (v->block_min[b] < floor)
			floor = v->block_min[b];
	v->level = level;
	v->floor = floor;
	if (++v->block_frames == MEDIA_VAD_FLOOR_BLOCK) {
		v->block_min[v->block] = v->cur_min;
		v->block = (v->block + 1) % MEDIA_VAD_FLOOR_BLOCKS;
		v->cur_min = INT32_MAX;
		v->block_frames = 0;
	}

	loud = level >= MEDIA_VAD_ABS_DB * 100 && level >= floor + MEDIA_VAD_SNR_DB * 100;
	v->loud_run = loud ? v->loud_run + 1 : 0;
	if (!v->speaking) {
		if (v->loud_run >= MEDIA_VAD_ONSET) {
			v->speaking = 1;
			v->hang = MEDIA_VAD_HANGOVER;
		}
	} else if (loud) {
		v->hang = MEDIA_VAD_HANGOVER;
	} else if (v->hang > 0) {
		v->hang--;
	} else {
		v->speaking = 0;
	}
	return v->speaking;
}

/* ----------------------------------------------------------------- speech */

void media_speech_init(struct media_speech *s)
{
	media_vad_init(&s->vad);
	s->frame = 0;
	s->from = -1;
	s->to = 0;
}

int media_speech_frame(struct media_speech *s, const int16_t *pcm, size_t stride,
		       struct media_span *out)
{
	int speaking = media_vad_frame(&s->vad, pcm, stride);
	int64_t f = s->frame++;

	/* The VAD's loud_run counts this frame when it was loud. */
	if (speaking && s->from < 0)
		s->from = f - (MEDIA_VAD_ONSET - 1);
	if (speaking && s->vad.loud_run > 0)
		s->to = f + 1;
	if (!speaking && s->from >= 0) {
		out->start_ms = s->from * 20;
		out->end_ms = s->to * 20;
		s->from = -1;
		return 1;
	}
	return 0;
}

int media_speech_end(struct media_speech *s, struct media_span *out)
{
	if (s->from < 0)
		return 0;
	out->start_ms = s->from * 20;
	out->end_ms = s->to * 20;
	s->from = -1;
	return 1;
}

/* ---------------------------------------------------------------- analyser */

#define FRAME_MS 20

int media_qa_init(struct media_qa *q, const struct media_span *holds, size_t nholds,
		  media_qa_fn on_event, void *ctx)
{
	size_t i;

	memset(q, 0, sizeof(*q));
	for (i = 0; i < nholds; i++)
		if (holds[i].end_ms < holds[i].start_ms)
			return ERR_INVALID;
	media_vad_init(&q->vad[MEDIA_CALLER]);
	media_vad_init(&q->vad[MEDIA_AGENT]);
	q->holds = nholds ? holds : NULL;
	q->nholds = nholds;
	q->on_event = on_event;
	q->ctx = ctx;
	q->silent_from = -1;
	q->over_from = -1;
	return 0;
}

static int in_hold(const struct media_qa *q, int64_t ms)
{
	size_t i;

	for (i = 0; i < q->nholds; i++)
		if (q->holds[i].start_ms <= ms && ms < q->holds[i].end_ms)
			return 1;
	return 0;
}

static void dead_air(struct media_qa *q, int64_t start_ms, int64_t end_ms)
{
	int64_t len = end_ms - start_ms;

	if (len < MEDIA_QA_DEAD_AIR_MS)
		return;
	q->res.dead_air_count++;
	q->res.dead_air_ms += len;
	if (len > q->res.dead_air_max_ms)
		q->res.dead_air_max_ms = len;
	if (q->on_event)
		q->on_event(q->ctx, MEDIA_QA_DEAD_AIR, start_ms, end_ms);
}

/* A silence [from, to) of both channels, minus the holds: each piece
 * that is long enough by itself is dead air. */
static void silence_ended(struct media_qa *q, int64_t from, int64_t to)
{
	int64_t cur = from, next;
	size_t i;
	int moved;

	while (cur < to) {
		/* Skip the holds cur is in (they may chain or overlap). */
		do {
			moved = 0;
			for (i = 0; i < q->nholds; i++) {
				if (q->holds[i].start_ms <= cur && cur < q->holds[i].end_ms) {
					cur = q->holds[i].end_ms;
					moved = 1;
				}
			}
		} while (moved && cur < to);
		if (cur >= to)
			break;
		next = to;
		for (i = 0; i < q->nholds; i++)
			if (q->holds[i].start_ms > cur && q->holds[i].start_ms < next)
				next = q->holds[i].start_ms;
		dead_air(q, cur, next);
		cur = next;
	}
}

static void overlap_ended(struct media_qa *q, int64_t from, int64_t to)
{
	if (to - from < MEDIA_QA_TALK_OVER_MS)
		return;
	q->res.talk_over_count++;
	q->res.talk_over_ms += to - from;
	if (q->on_event)
		q->on_event(q->ctx, MEDIA_QA_TALK_OVER, from, to);
}

static void analyse_frame(struct media_qa *q, const int16_t *lr)
{
	int64_t ms = q->frame * FRAME_MS;
	int c = media_vad_frame(&q->vad[MEDIA_CALLER], lr, 2);
	int a = media_vad_frame(&q->vad[MEDIA_AGENT], lr + 1, 2);

	if (c)
		q->res.speech_ms[MEDIA_CALLER] += FRAME_MS;
	if (a)
		q->res.speech_ms[MEDIA_AGENT] += FRAME_MS;

	if (!c && !a) {
		if (q->silent_from < 0)
			q->silent_from = q->frame;
	} else {
		if (q->silent_from >= 0)
			silence_ended(q, q->silent_from * FRAME_MS, ms);
		q->silent_from = -1;
		q->any_speech = 1;
	}

	/* The agent begins while the caller is speaking. */
	if (a && !q->prev_agent && c && q->over_from < 0 && !in_hold(q, ms))
		q->over_from = q->frame;
	if (q->over_from >= 0 && !(a && c)) {
		overlap_ended(q, q->over_from * FRAME_MS, ms);
		q->over_from = -1;
	}
	q->prev_agent = a;
	q->frame++;
}

void media_qa_feed(struct media_qa *q, const int16_t *lr, size_t frames)
{
	size_t take;

	/* Complete a frame begun by the previous call first. */
	if (q->npend > 0) {
		take = MEDIA_FRAME - q->npend;
		if (take > frames)
			take = frames;
		memcpy(q->pend + 2 * q->npend, lr, take * 2 * sizeof(*lr));
		q->npend += take;
		lr += 2 * take;
		frames -= take;
		if (q->npend < MEDIA_FRAME)
			return;
		analyse_frame(q, q->pend);
		q->npend = 0;
	}
	while (frames >= MEDIA_FRAME) {
		analyse_frame(q, lr);
		lr += 2 * MEDIA_FRAME;
		frames -= MEDIA_FRAME;
	}
	if (frames > 0) {
		memcpy(q->pend, lr, frames * 2 * sizeof(*lr));
		q->npend = frames;
	}
}

void media_qa_finish(struct media_qa *q, struct media_qa_result *out)
{
	int64_t end = q->frame * FRAME_MS;

	/* Trailing silence after someone spoke is the wait for the customer
	 * to hang up (CALL-5); a call nobody spoke in is dead air throughout. */
	if (q->silent_from >= 0 && !q->any_speech)
		silence_ended(q, q->silent_from * FRAME_MS, end);
	q->silent_from = -1;
	if (q->over_from >= 0)
		overlap_ended(q, q->over_from * FRAME_MS, end);
	q->over_from = -1;
	q->res.duration_ms = end;
	*out = q->res;
}
