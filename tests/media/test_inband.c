/* Unit tests of the in-band DTMF detector and the dBm0 power of a frame
 * (src/media/inband.c): key tones made here, sent through G.711 A-law as a
 * caller's phone would, and speech-like signals, tones and noise that must
 * not be taken for keys. */
#include "testutil.h"

#include <math.h>
#include <pthread.h>

#include "media/media.h"

#define MS(ms) ((size_t)(ms) * (MEDIA_RATE / 1000))
#define SIG_MAX MS(60000)

/* The key pad: rows are the low group, columns the high group. */
static const double low_hz[4] = {697, 770, 852, 941};
static const double high_hz[4] = {1209, 1336, 1477, 1633};
static const char pad[] = "123A456B789C*0#D";

/* The peak of a sine of level dbm0: a full-scale sine is +3.14 dBm0 in
 * G.711 A-law (and in SpanDSP's definition). */
static double peak(double dbm0)
{
	return 32767.0 * pow(10.0, (dbm0 - 3.14) / 20.0);
}

/* A signal under construction: samples are added to what is there, so
 * tones, speech and offsets can be laid over one another. */
struct sig {
	int16_t *pcm;
	size_t n;
};

static void sig_init(struct sig *s)
{
	s->pcm = calloc(SIG_MAX, sizeof(int16_t));
	assert_non_null(s->pcm);
	s->n = 0;
}

static void put(struct sig *s, size_t at, double v)
{
	double x;

	assert_true(at < SIG_MAX);
	x = s->pcm[at] + v;
	s->pcm[at] = (int16_t)lrint(x > 32767 ? 32767 : x < -32768 ? -32768 : x);
	if (at + 1 > s->n)
		s->n = at + 1;
}

/* Two sines from sample at for n samples; a level below −200 leaves that
 * frequency out. */
static void tones(struct sig *s, size_t at, size_t n, double f1, double l1, double f2, double l2)
{
	size_t i;

	for (i = 0; i < n; i++) {
		double t = (double)(at + i) / MEDIA_RATE, v = 0;

		if (l1 > -200)
			v += peak(l1) * sin(2 * M_PI * f1 * t);
		if (l2 > -200)
			v += peak(l2) * sin(2 * M_PI * f2 * t);
		put(s, at + i, v);
	}
}

/* Silence to at + n, so a signal can end with it. */
static void quiet(struct sig *s, size_t at, size_t n)
{
	put(s, at + n - 1, 0);
}

static void key_freqs(char key, double *lo, double *hi)
{
	const char *p = strchr(pad, key);

	assert_non_null(p);
	*lo = low_hz[(p - pad) / 4];
	*hi = high_hz[(p - pad) % 4];
}

/* The key presses of digits from at, each on_ms of tone (on_ms < 0: 60 to
 * 100 ms, changing from key to key) then off_ms of silence, low and high
 * group at the levels given; returns where the last gap ends. */
static size_t keys(struct sig *s, size_t at, const char *digits, int on_ms, int off_ms, double l_lo,
		   double l_hi)
{
	size_t i;

	for (i = 0; digits[i]; i++) {
		size_t on = MS(on_ms >= 0 ? on_ms : 60 + (int)(i * 17 % 41));
		double lo, hi;

		key_freqs(digits[i], &lo, &hi);
		tones(s, at, on, lo, l_lo, hi, l_hi);
		at += on;
		quiet(s, at, MS(off_ms));
		at += MS(off_ms);
	}
	return at;
}

/* What the engine decodes: the signal through A-law and back. */
static void alaw(struct sig *s)
{
	uint8_t *code = malloc(s->n);

	assert_non_null(code);
	media_g711_encode(MEDIA_PCMA, s->pcm, s->n, code);
	media_g711_decode(MEDIA_PCMA, code, s->n, s->pcm);
	free(code);
}

/* Feeds the signal to a new detector in frames of frame samples (the
 * last one shorter) and returns the digits it reported, with the sample at
 * whose frame's end each was. */
static size_t detect(const struct sig *s, size_t frame, char *out, size_t max, size_t *at)
{
	struct media_inband *d = media_inband_new();
	size_t off, k = 0;
	char digit = 0;

	assert_non_null(d);
	for (off = 0; off < s->n; off += frame) {
		size_t n = s->n - off < frame ? s->n - off : frame;

		if (media_inband_feed(d, s->pcm + off, n, &digit) == 1) {
			assert_true(k < max);
			if (at)
				at[k] = off + n;
			out[k++] = digit;
		}
	}
	/* Nothing is left over: each frame handed over what it found. */
	assert_int_equal(media_inband_feed(d, NULL, 0, &digit), 0);
	media_inband_free(d);
	out[k] = '\0';
	return k;
}

static void expect_digits(const struct sig *s, const char *want)
{
	static const size_t frames[] = {MS(20), MS(30), MS(10) + 3};
	char got[64];
	size_t i;

	for (i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		detect(s, frames[i], got, sizeof(got) - 1, NULL);
		if (strcmp(got, want) != 0)
			fail_msg("frames of %zu samples: \"%s\", not \"%s\"", frames[i], got, want);
	}
}

/* A deterministic pseudo-random number in [0, 1). */
static double rnd(uint32_t *r)
{
	*r = *r * 1664525u + 1013904223u;
	return (*r >> 8) / 16777216.0;
}

/*
 * Speech-like sound from at for n samples: syllables of 80 to 330 ms,
 * three in four voiced (a glottal pitch of 90 to 250 Hz that drifts, with
 * its harmonics up to 3.8 kHz shaped by the three formants of one of six
 * vowels), the rest hiss, and one in seven silent; each at a level between
 * −5 and −25 dB relative to l_dbm0 + 5.
 */
static void speech(struct sig *s, size_t at, size_t n, double l_dbm0, uint32_t seed)
{
	static const double formant[6][3] = {{730, 1090, 2440}, {270, 2290, 3010},
					     {300, 870, 2240},	{530, 1840, 2480},
					     {570, 840, 2410},	{440, 1020, 2240}};
	double ph[40] = {0}, f0 = 150, gain = 0, hiss = 0;
	size_t i, end = 0;
	int vowel = 0, voiced = 1, h, k;

	for (i = 0; i < n; i++) {
		double v = 0;

		if (i >= end) {
			end = i + MS(80 + 250 * rnd(&seed));
			vowel = (int)(6 * rnd(&seed));
			voiced = rnd(&seed) < 0.75;
			gain = rnd(&seed) < 1.0 / 7 ? 0 : pow(10, (-5 - 20 * rnd(&seed)) / 20);
			f0 = 90 + 160 * rnd(&seed);
		}
		if (voiced) {
			f0 *= 1 + 0.0008 * (rnd(&seed) - 0.5);
			for (h = 1; h < 40 && h * f0 < 3800; h++) {
				double g = 0;

				for (k = 0; k < 3; k++) {
					double d = (h * f0 - formant[vowel][k]) / (80 + 40 * k);

					g += pow(0.5, k) / (1 + d * d);
				}
				ph[h] += 2 * M_PI * h * f0 / MEDIA_RATE;
				v += g * sin(ph[h]);
			}
			v *= 0.35;
		} else {
			hiss = 0.6 * hiss + rnd(&seed) - 0.5;
			v = 0.8 * hiss;
		}
		put(s, at + i, v * gain * peak(l_dbm0 + 5));
	}
}

/* ---------------------------------------------------------------- tests */

static void test_inband_key_sequence(void **state)
{
	struct sig s;
	char got[64];
	size_t at[64], end, i, starts[16], pos;

	sig_init(&s);
	/* Where each key's tone starts, to check when it is reported. */
	pos = MS(300);
	for (i = 0; i < 12; i++) {
		char one[2] = {"1234567890*#"[i], 0};

		starts[i] = pos;
		pos = keys(&s, pos, one, 60 + (int)(i * 17 % 41), 60, -10, -10);
	}
	end = pos;
	quiet(&s, end, MS(300));
	alaw(&s);
	expect_digits(&s, "1234567890*#");

	/* Each at the start of its tone: in the frame in which 20 to 40 ms of
	 * it have arrived. */
	assert_int_equal(detect(&s, MS(20), got, 63, at), 12);
	for (i = 0; i < 12; i++) {
		assert_true(at[i] >= starts[i] + MS(20));
		assert_true(at[i] < starts[i] + MS(40) + MS(20));
	}
	free(s.pcm);

	/* The fourth column too, which some phones have. */
	sig_init(&s);
	quiet(&s, keys(&s, MS(100), "ABCD", 80, 60, -10, -10), MS(100));
	alaw(&s);
	expect_digits(&s, "ABCD");
	free(s.pcm);
}

static void test_inband_held_key(void **state)
{
	struct sig s;
	size_t at, shift;

	/* One second of 5: one digit. */
	sig_init(&s);
	quiet(&s, keys(&s, MS(200), "5", 1000, 200, -10, -10), MS(100));
	alaw(&s);
	expect_digits(&s, "5");
	free(s.pcm);

	/* Wherever the receiver's blocks fall: a key held with a break of up
	 * to 15 ms (a dropout the phone filled with silence, a slipping
	 * finger) is one press; the same key again after 30 ms is two. */
	for (shift = 0; shift < 102; shift += 5) {
		sig_init(&s);
		at = keys(&s, MS(200) + shift, "5", 300, 10, -10, -10);
		at = keys(&s, at, "5", 300, 15, -10, -10);
		quiet(&s, keys(&s, at, "5", 300, 200, -10, -10), MS(100));
		alaw(&s);
		expect_digits(&s, "5");
		free(s.pcm);

		sig_init(&s);
		quiet(&s, keys(&s, MS(200) + shift, "555", 100, 30, -10, -10), MS(100));
		alaw(&s);
		expect_digits(&s, "555");
		free(s.pcm);
	}
}

static void test_inband_durations(void **state)
{
	struct sig s;

	/* Q.24's shortest key, 40 ms, with 40 ms gaps: every one. */
	sig_init(&s);
	quiet(&s, keys(&s, MS(100), "1593#0", 40, 40, -10, -10), MS(100));
	alaw(&s);
	expect_digits(&s, "1593#0");
	free(s.pcm);

	/* Blips of 20 ms are not keys. */
	sig_init(&s);
	quiet(&s, keys(&s, MS(100), "1593#0", 20, 60, -10, -10), MS(100));
	alaw(&s);
	expect_digits(&s, "");
	free(s.pcm);
}

static void test_inband_levels(void **state)
{
	static const struct {
		double lo, hi; /* dBm0 of the low and the high tone */
		int key;
	} cases[] = {
		{-3, -3, 1},	/* loud */
		{-20, -20, 1},	/* quiet */
		{-24, -24, 1},	/* just above the threshold (−26) */
		{-24, -30, 0},	/* one tone below it */
		{-30, -30, 0},	/* below it */
		{-40, -40, 0},	/* far below, where SpanDSP's default would still hear it */
		{-12, -9, 1},	/* high group 3 dB louder: usual for phones */
		{-16, -10, 0},	/* 6 dB: more than the 4 allowed */
		{-10, -17, 1},	/* low group 7 dB louder: an analogue line */
		{-10, -20, 0},	/* 10 dB: not a key */
		{-10, -300, 0}, /* the low tone alone */
		{-300, -10, 0}, /* the high tone alone */
	};
	struct sig s;
	char got[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sig_init(&s);
		quiet(&s, keys(&s, MS(100), "2580", 80, 60, cases[i].lo, cases[i].hi), MS(100));
		alaw(&s);
		detect(&s, MS(20), got, 63, NULL);
		if (strcmp(got, cases[i].key ? "2580" : "") != 0)
			fail_msg("low %g dBm0, high %g dBm0: \"%s\"", cases[i].lo, cases[i].hi,
				 got);
		free(s.pcm);
	}
}

static void test_inband_frequency_tolerance(void **state)
{
	static const double dev[] = {-0.01, 0.01, -0.035, 0.035, 0.05};
	struct sig s;
	char got[64];
	size_t i, at;
	const char *k;

	for (i = 0; i < sizeof(dev) / sizeof(dev[0]); i++) {
		sig_init(&s);
		at = MS(100);
		for (k = "2580"; *k; k++) {
			double lo, hi;

			key_freqs(*k, &lo, &hi);
			tones(&s, at, MS(80), lo * (1 + dev[i]), -10, hi * (1 + dev[i]), -10);
			at += MS(140);
		}
		quiet(&s, at, MS(100));
		alaw(&s);
		detect(&s, MS(20), got, 63, NULL);
		/* Q.24: within 1.5 % a key, 3.5 % off not one. */
		if (strcmp(got, fabs(dev[i]) < 0.015 ? "2580" : "") != 0)
			fail_msg("%+.1f %%: \"%s\"", dev[i] * 100, got);
		free(s.pcm);
	}
}

static void test_inband_no_talk_off(void **state)
{
	struct sig s;
	char got[64];
	uint32_t seed;

	/* Digital silence, and a faint hiss. */
	sig_init(&s);
	quiet(&s, 0, MS(2000));
	expect_digits(&s, "");
	speech(&s, 0, MS(2000), -60, 7);
	alaw(&s);
	expect_digits(&s, "");
	free(s.pcm);

	/* A 1 kHz test tone, China's 450 Hz dial tone, and a chord of two
	 * notes near, but not on, a row and a column (F5 and D6). */
	sig_init(&s);
	tones(&s, 0, MS(2000), 1000, -10, 0, -300);
	tones(&s, MS(2000), MS(2000), 450, -10, 0, -300);
	tones(&s, MS(4000), MS(2000), 698.46, -10, 1174.66, -10);
	alaw(&s);
	expect_digits(&s, "");
	free(s.pcm);

	/* Minutes of speech-like sound, loud and soft, from several voices. */
	for (seed = 1; seed <= 6; seed++) {
		sig_init(&s);
		speech(&s, 0, MS(30000), seed % 2 ? -10 : -20, seed);
		alaw(&s);
		detect(&s, MS(20), got, 63, NULL);
		if (got[0])
			fail_msg("voice %u: \"%s\"", seed, got);
		free(s.pcm);
	}
}

static void test_inband_keys_over_speech(void **state)
{
	struct sig s;

	/* Keys pressed while someone talks 15 dB below them, and right after. */
	sig_init(&s);
	speech(&s, 0, MS(3000), -25, 11);
	keys(&s, MS(500), "73", 100, 200, -10, -10);
	quiet(&s, keys(&s, MS(3000), "9", 100, 100, -10, -10), MS(100));
	alaw(&s);
	expect_digits(&s, "739");
	free(s.pcm);
}

static void test_inband_dc_offset(void **state)
{
	struct sig s;
	size_t i;

	/* A DC offset of an eighth of full scale under everything, which
	 * SpanDSP alone would not see the tones through: the keys after the
	 * first half second are heard. */
	sig_init(&s);
	quiet(&s, keys(&s, MS(500), "147", 80, 60, -12, -12), MS(100));
	for (i = 0; i < s.n; i++)
		put(&s, i, 4000);
	alaw(&s);
	expect_digits(&s, "147");
	free(s.pcm);
}

static void test_inband_long_buffer(void **state)
{
	struct media_inband *d = media_inband_new();
	struct sig s;
	char digit = 0;

	/* Four presses in one call: one digit each call, in order. */
	sig_init(&s);
	quiet(&s, keys(&s, MS(100), "*1#2", 80, 60, -10, -10), MS(100));
	alaw(&s);
	assert_non_null(d);
	assert_int_equal(media_inband_feed(d, s.pcm, s.n, &digit), 1);
	assert_int_equal(digit, '*');
	assert_int_equal(media_inband_feed(d, NULL, 0, &digit), 1);
	assert_int_equal(digit, '1');
	assert_int_equal(media_inband_feed(d, NULL, 0, &digit), 1);
	assert_int_equal(digit, '#');
	assert_int_equal(media_inband_feed(d, s.pcm, MS(20), &digit), 1);
	assert_int_equal(digit, '2');
	assert_int_equal(media_inband_feed(d, NULL, 0, &digit), 0);
	media_inband_free(d);
	media_inband_free(NULL);
	free(s.pcm);
}

static void *detect_in_thread(void *arg)
{
	static char got[8][64];
	static int next;
	const struct sig *s = arg;
	int me = __atomic_fetch_add(&next, 1, __ATOMIC_SEQ_CST);

	detect(s, MS(20), got[me], 63, NULL);
	return got[me];
}

static void test_inband_threads(void **state)
{
	pthread_t t[8];
	struct sig s;
	int i;

	/* Calls' threads make their detectors at the same time (SpanDSP's
	 * shared tables are built once, before the first). */
	sig_init(&s);
	quiet(&s, keys(&s, MS(100), "0123456789", -1, 60, -10, -10), MS(100));
	alaw(&s);
	for (i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, detect_in_thread, &s), 0);
	for (i = 0; i < 8; i++) {
		void *got;

		assert_int_equal(pthread_join(t[i], &got), 0);
		assert_string_equal(got, "0123456789");
	}
	free(s.pcm);
}

static void test_power_dbm0(void **state)
{
	struct sig s;
	int16_t sq[MEDIA_FRAME];
	size_t i;

	assert_true(media_power_dbm0(NULL, 0) == MEDIA_POWER_SILENCE_DBM0);
	memset(sq, 0, sizeof(sq));
	assert_true(media_power_dbm0(sq, MEDIA_FRAME) == MEDIA_POWER_SILENCE_DBM0);

	/* A sine of −10 dBm0 through A-law, over 20 ms (16 of its periods). */
	sig_init(&s);
	tones(&s, 0, MEDIA_FRAME, 800, -10, 0, -300);
	alaw(&s);
	assert_true(fabs(media_power_dbm0(s.pcm, MEDIA_FRAME) + 10) < 0.2);
	free(s.pcm);

	/* A full-scale square wave: +6.16 dBm0, i.e. media_level_cdb + 6.16. */
	for (i = 0; i < MEDIA_FRAME; i++)
		sq[i] = i % 2 ? 32767 : -32767;
	assert_true(fabs(media_power_dbm0(sq, MEDIA_FRAME) - 6.16) < 0.05);
	for (i = 0; i < MEDIA_FRAME; i++)
		sq[i] = (int16_t)(i % 8 < 4 ? 1000 : -1000);
	assert_true(fabs(media_power_dbm0(sq, MEDIA_FRAME) -
			 (media_level_cdb(sq, MEDIA_FRAME, 1) / 100.0 + 6.16)) < 0.05);

	/* One sample of A-law's smallest step (±8) in a frame is −88 dBm0,
	 * still above the floor kept for digital silence. */
	memset(sq, 0, sizeof(sq));
	sq[0] = 8;
	assert_true(media_power_dbm0(sq, MEDIA_FRAME) > MEDIA_POWER_SILENCE_DBM0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inband_key_sequence),
		cmocka_unit_test(test_inband_held_key),
		cmocka_unit_test(test_inband_durations),
		cmocka_unit_test(test_inband_levels),
		cmocka_unit_test(test_inband_frequency_tolerance),
		cmocka_unit_test(test_inband_no_talk_off),
		cmocka_unit_test(test_inband_keys_over_speech),
		cmocka_unit_test(test_inband_dc_offset),
		cmocka_unit_test(test_inband_long_buffer),
		cmocka_unit_test(test_inband_threads),
		cmocka_unit_test(test_power_dbm0),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
