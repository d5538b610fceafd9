/*
 * In-band DTMF: the keys of a caller whose offer has no telephone-event,
 * heard in the decoded audio by SpanDSP's DTMF receiver, and the power of
 * a frame in dBm0; definitions in media.h and docs/media.md.
 *
 * SpanDSP does the signal processing: Goertzel filters over blocks of 102
 * samples, the level, twist, relative-peak and energy-fraction tests on
 * each block, and a change of state (a key starts, the key ends) only
 * when two blocks in a row agree on it. What is here is the settings, a
 * DC blocker in front of it (its receiver assumes a signal without DC),
 * the rule that rejoins a key's tone across a short break, and the handing
 * over of one digit at a time.
 *
 * This is the only file that includes SpanDSP's headers: its receiver's
 * state is opaque to the rest of kefu, and its headers, which bring
 * libtiff's and the C maths library's, stay out of every other unit.
 */
#include "media/media.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include <spandsp.h>

/* Digits recognised but not yet handed over. With 20 or 30 ms frames
 * there is at most one per frame (a key takes over 20 ms of tone and
 * 25 ms of gap), so this only fills when one call feeds a long buffer. */
#define PENDING_MAX 16

/* SpanDSP's block (DTMF_SAMPLES_PER_BLOCK in its dtmf.c, not in its
 * headers). The receiver is fed in pieces that end where its blocks end,
 * so that a state change, which it reports at the end of a block, is
 * known to the sample. Were the size to change, the positions would be
 * off by less than a block. */
#define BLOCK 102

/*
 * A key's tone that breaks off and comes back within REJOIN_BLOCKS
 * blocks, counted from the receiver's "ended" to its "started again", is
 * the same key press. Both come two blocks after the fact, so this is the
 * length of the break, rounded to blocks: a break of up to 15 ms (a
 * dropout, a slipping finger) always counts 2 blocks and is rejoined, a
 * gap of 30 ms or more always counts at least 3 and is a new press, and
 * phones leave 40 ms or more between presses.
 */
#define REJOIN_BLOCKS 3

/*
 * The DC blocker: a running mean with a time constant of 2^DC_SHIFT
 * samples (64 ms), subtracted from the signal, i.e. a one-pole high-pass
 * at 2.5 Hz. The receiver's energy tests count DC: an offset of 3 % of
 * full scale makes it miss tones of −25 dBm0, one of 12 % tones of
 * −10 dBm0. This removes it within about 0.3 s. SpanDSP has a DC restorer
 * (dc_restore.h), but its time constant is 2 s and it left-shifts
 * negative numbers, which C leaves undefined and the sanitizer build
 * stops at.
 */
#define DC_SHIFT 9

struct media_inband {
	dtmf_rx_state_t *rx;
	int64_t dc;	    /* the mean, × 65536 */
	uint64_t pos;	    /* samples fed to the receiver */
	uint64_t block_end; /* where the piece being fed ends */
	char last;	    /* the last key the receiver heard start, 0: none yet */
	uint64_t ended;	    /* where it last heard one end */
	char pending[PENDING_MAX];
	size_t npending;
};

/* The receiver's report of a change: code is the key that started, or 0
 * when the key it heard has ended. */
static void on_change(void *user, int code, int level, int delay)
{
	struct media_inband *d = user;
	char key = (char)code;

	if (!key) {
		d->ended = d->block_end;
		return;
	}
	/* A new press is another key (the receiver may go from one to the
	 * next without an end between), or the same key after a gap. */
	if (key != d->last || d->block_end - d->ended >= REJOIN_BLOCKS * BLOCK) {
		if (d->npending < PENDING_MAX)
			d->pending[d->npending++] = key;
	}
	d->last = key;
}

/*
 * SpanDSP builds the Goertzel tables that all its receivers share in the
 * first dtmf_rx_init, behind a plain flag: two calls' threads making their
 * first detectors at once could race, and one could see the flag set
 * before the tables are written. Making one receiver under pthread_once
 * builds them before any detector is handed out.
 */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void build_tables(void)
{
	dtmf_rx_state_t *rx = dtmf_rx_init(NULL, NULL, NULL);

	if (rx)
		dtmf_rx_free(rx);
}

struct media_inband *media_inband_new(void)
{
	struct media_inband *d;

	pthread_once(&tables_once, build_tables);
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->rx = dtmf_rx_init(NULL, NULL, NULL);
	if (!d->rx) {
		free(d);
		return NULL;
	}
	/* No dial-tone notch: a caller in a call hears no dial tone, and
	 * SpanDSP's filter is for the North American 350 + 440 Hz one. */
	dtmf_rx_parms(d->rx, 0, MEDIA_INBAND_LOW_TWIST_DB, MEDIA_INBAND_HIGH_TWIST_DB,
		      MEDIA_INBAND_THRESHOLD_DBM0);
	dtmf_rx_set_realtime_callback(d->rx, on_change, d);
	return d;
}

void media_inband_free(struct media_inband *d)
{
	if (!d)
		return;
	dtmf_rx_free(d->rx);
	free(d);
}

static int16_t dc_block(struct media_inband *d, int16_t x)
{
	int64_t y;

	d->dc += ((int64_t)x * 65536 - d->dc) / (1 << DC_SHIFT);
	y = x - d->dc / 65536;
	return (int16_t)(y > INT16_MAX ? INT16_MAX : y < INT16_MIN ? INT16_MIN : y);
}

int media_inband_feed(struct media_inband *d, const int16_t *pcm, size_t n, char *digit)
{
	int16_t buf[BLOCK];
	size_t off, k, i;

	for (off = 0; off < n; off += k) {
		k = BLOCK - (size_t)(d->pos % BLOCK);
		if (k > n - off)
			k = n - off;
		for (i = 0; i < k; i++)
			buf[i] = dc_block(d, pcm[off + i]);
		d->block_end = d->pos + k;
		dtmf_rx(d->rx, buf, (int)k);
		d->pos += k;
	}
	if (d->npending == 0)
		return 0;
	*digit = d->pending[0];
	d->npending--;
	for (k = 0; k < d->npending; k++)
		d->pending[k] = d->pending[k + 1];
	return 1;
}

double media_power_dbm0(const int16_t *pcm, size_t n)
{
	double sum = 0, db;
	size_t i;

	for (i = 0; i < n; i++)
		sum += (double)pcm[i] * pcm[i];
	if (n == 0 || sum == 0)
		return MEDIA_POWER_SILENCE_DBM0;
	/* SpanDSP's power meter reads the mean square; this is its reading
	 * for 0 dBm0, so levels here and its detection threshold agree. */
	db = 10.0 * log10(sum / (double)n / (double)power_meter_level_dbm0(0.0f));
	return db < MEDIA_POWER_SILENCE_DBM0 ? MEDIA_POWER_SILENCE_DBM0 : db;
}
