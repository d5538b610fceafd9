/* Unit tests of src/rec: the recording writer on a real database and a
 * temporary recordings directory — placement and alignment of the two
 * legs, gaps and jitter, holds, dead air and talk-over, the header kept
 * valid during a call, the call's row and event, a full queue, a
 * directory that cannot be written, and shutdown. */
#include "testutil.h"

#include <ftw.h>
#include <jansson.h>
#include <sys/stat.h>

#include "call/call.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "media/media.h"
#include "rec/rec.h"

#define assert_between(v, lo, hi)                                                                  \
	do {                                                                                       \
		long long v_ = (v);                                                                \
		if (v_ < (lo) || v_ > (hi))                                                        \
			fail_msg("%s = %lld, not in [%lld, %lld]", #v, v_, (long long)(lo),        \
				 (long long)(hi));                                                 \
	} while (0)

/* 2026-11-22T20:00:00Z: already the 23rd in Shanghai, the center's zone. */
#define WALL 1795377600000LL
/* Any monotonic origin, in µs. */
#define T0 5000000000LL
#define PKT 160 /* 20 ms */

struct fixture {
	struct config cfg;
	struct store_pool *pool;
	char dir[64];
	int64_t call_id;
};

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct store_opts so = {test_db_path, 2000, 0};
	struct store *s;

	assert_non_null(f);
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	s = test_store_open();
	assert_int_equal(call_insert(s, "rec-test", "13900139000", "4000000000", WALL, &f->call_id),
			 0);
	store_close(s);
	assert_int_equal(store_pool_open(&f->pool, &so, 2), 0);
	snprintf(f->dir, sizeof(f->dir), "/tmp/kefu-rec-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	config_defaults(&f->cfg);
	snprintf(f->cfg.recordings_dir, sizeof(f->cfg.recordings_dir), "%s/recordings", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[96];

	rec_stop();
	store_pool_close(f->pool);
	unlink(test_db_path);
	snprintf(path, sizeof(path), "%s-wal", test_db_path);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", test_db_path);
	unlink(path);
	nftw(f->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* "Voice": a 400 Hz square wave, by the sample's place on the timeline,
 * so a piece that moved shows as a wrong sample. */
static int16_t voice(int64_t sample)
{
	return (int16_t)((sample / 10) % 2 ? 8000 : -8000);
}

static void fill(int16_t *pcm, int64_t first, size_t n, int loud)
{
	for (size_t i = 0; i < n; i++)
		pcm[i] = loud ? voice(first + (int64_t)i) : 0;
}

static int in(int ms, int from, int to)
{
	return ms >= from && ms < to;
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!fp)
		return NULL;
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* The recording as stereo samples; *frames its length. */
static int16_t *read_wav(const struct fixture *f, const char *name, size_t *frames)
{
	char path[400];
	struct media_wav w;
	struct err_info ei;
	uint8_t *buf;
	int16_t *lr;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/%s", f->cfg.recordings_dir, name);
	buf = read_all(path, &len);
	if (!buf)
		fail_msg("no file %s", path);
	if (media_wav_parse(buf, len, 2, &w, &ei) < 0)
		fail_msg("%s is not a valid WAV: %s", path, ei.message);
	assert_int_equal(w.format, MEDIA_WAV_PCM16);
	assert_int_equal(w.channels, 2);
	assert_int_equal(w.rate, 8000);
	lr = malloc(w.frames * 4 + 4);
	assert_non_null(lr);
	media_wav_decode(&w, lr);
	*frames = w.frames;
	free(buf);
	return lr;
}

struct call_seen {
	char recording[128];
	int64_t recording_ms;
	char metrics[4096];
};

static int seen_row(void *ctx, const struct call_row *c)
{
	struct call_seen *cs = ctx;

	snprintf(cs->recording, sizeof(cs->recording), "%s", c->recording ? c->recording : "");
	cs->recording_ms = c->recording_ms;
	snprintf(cs->metrics, sizeof(cs->metrics), "%s", c->metrics ? c->metrics : "");
	return 0;
}

struct events_seen {
	char kinds[256];
	char detail[512]; /* of the last event */
};

static int seen_event(void *ctx, const struct call_event_row *e)
{
	struct events_seen *es = ctx;

	strncat(es->kinds, e->kind, sizeof(es->kinds) - strlen(es->kinds) - 2);
	strcat(es->kinds, " ");
	snprintf(es->detail, sizeof(es->detail), "%s", e->detail ? e->detail : "");
	return 0;
}

static void read_call(struct fixture *f, int64_t id, struct call_seen *cs, struct events_seen *es)
{
	struct store *s = store_pool_get(f->pool);

	memset(cs, 0, sizeof(*cs));
	memset(es, 0, sizeof(*es));
	assert_int_equal(call_get(s, id, seen_row, cs), 0);
	assert_int_equal(call_event_list(s, id, seen_event, es), 0);
	store_pool_put(f->pool, s);
}

static json_int_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("%s: not an integer", key);
	return json_integer_value(v);
}

/*
 * 25 s of a call in 20 ms packets, both legs pushed in order of arrival:
 * the caller speaks at 0–1.5 s, 10–12 s and 13–14 s, with the packets of
 * 13.4–13.6 s lost; the agent speaks at 2–3.5 s, interrupts the caller at
 * 10.5–12.5 s, and at 22–23 s, with 0–12 ms of jitter on every packet.
 * From 14.5 s to 21.5 s the caller is on hold and neither leg sends.
 */
static void conversation(void **state)
{
	struct fixture *f = *state;
	struct call_seen cs;
	struct events_seen es;
	struct rec_call *r;
	json_t *m, *list;
	int16_t pcm[PKT], *lr;
	size_t frames, i;
	char want[64];
	int k;

	assert_int_equal(rec_start(&f->cfg, f->pool, call_rec_link), 0);
	r = rec_begin(f->call_id, WALL);
	assert_non_null(r);
	for (k = 0; k < 1250; k++) {
		int ms = k * 20;
		int64_t at = T0 + (int64_t)(k + 1) * 20000;
		int64_t jitter = k == 0 || k == 1075 ? 0 : (int64_t)(k * 7919 % 13) * 1000;
		int held = in(ms, 14500, 21500);

		if (ms == 14500)
			rec_hold(r, 1, T0 + 14500000);
		if (ms == 21500)
			rec_hold(r, 0, T0 + 21500000);
		if (!held && !in(ms, 13400, 13600)) {
			fill(pcm, (int64_t)ms * 8, PKT,
			     in(ms, 0, 1500) || in(ms, 10000, 12000) || in(ms, 13000, 14000));
			rec_push(r, 0, pcm, PKT, at);
		}
		if (!held) {
			fill(pcm, (int64_t)ms * 8, PKT,
			     in(ms, 2000, 3500) || in(ms, 10500, 12500) || in(ms, 22000, 23000));
			rec_push(r, 1, pcm, PKT, at + jitter);
		}
	}
	rec_end(r);
	rec_flush();

	read_call(f, f->call_id, &cs, &es);
	snprintf(want, sizeof(want), "2026/11/23/%lld.wav", (long long)f->call_id);
	assert_string_equal(cs.recording, want);
	assert_int_equal(cs.recording_ms, 25000);
	assert_string_equal(es.kinds, "recorded ");
	m = json_loads(es.detail, 0, NULL);
	assert_non_null(m);
	assert_string_equal(json_string_value(json_object_get(m, "file")), want);
	assert_int_equal(jint(m, "ms"), 25000);
	assert_int_equal(jint(m, "bytes"), 44 + 200000 * 4);
	json_decref(m);

	lr = read_wav(f, want, &frames);
	assert_int_equal(frames, 200000);
	for (i = 0; i < frames; i++) {
		int ms = (int)(i / 8);
		int caller = in(ms, 0, 1500) || in(ms, 10000, 12000) ||
			     (in(ms, 13000, 14000) && !in(ms, 13400, 13600));
		int agent = in(ms, 2000, 3500) || in(ms, 10500, 12500) || in(ms, 22000, 23000);

		/* Each leg's voice is exactly where it was said: jitter, the
		 * lost packets and the hold moved nothing. */
		if (lr[2 * i] != (caller ? voice((int64_t)i) : 0))
			fail_msg("caller sample %zu (%d ms) is %d", i, ms, lr[2 * i]);
		if (lr[2 * i + 1] != (agent ? voice((int64_t)i) : 0))
			fail_msg("agent sample %zu (%d ms) is %d", i, ms, lr[2 * i + 1]);
	}
	free(lr);

	m = json_loads(cs.metrics, 0, NULL);
	assert_non_null(m);
	/* Dead air: 3.5 s to 10 s (from the end of the VAD's hangover); the
	 * 7.7 s of silence around the hold are not. */
	assert_int_equal(jint(m, "dead_air_count"), 1);
	list = json_object_get(m, "dead_air");
	assert_int_equal(json_array_size(list), 1);
	assert_between(jint(json_array_get(list, 0), "start_ms"), 3700, 3900);
	assert_between(jint(json_array_get(list, 0), "len_ms"), 6000, 6400);
	assert_int_equal(jint(m, "dead_air_ms"), jint(json_array_get(list, 0), "len_ms"));
	/* Talk-over: the agent began at 10.5 s while the caller spoke. */
	assert_int_equal(jint(m, "talk_over_count"), 1);
	list = json_object_get(m, "talk_over");
	assert_int_equal(json_array_size(list), 1);
	assert_between(jint(json_array_get(list, 0), "at_ms"), 10500, 10560);
	assert_between(jint(m, "speech_caller_ms"), 5000, 5600); /* 4.5 s and hangovers */
	json_decref(m);
}

/*
 * The caller's packets of 1.0–1.3 s arrive together at 1.3 s, after a
 * stall: the first is placed at its arrival, the others follow until they
 * would be REC_AHEAD_MS ahead of time, the rest is dropped; within about a
 * second the leg is moved back to real time, so what the caller says at
 * 4 s is at 4 s. The agent's leg is not touched.
 */
static void burst_after_stall_is_pulled_back(void **state)
{
	struct fixture *f = *state;
	struct call_seen cs;
	struct events_seen es;
	struct rec_call *r;
	int16_t pcm[PKT], *lr;
	size_t frames, i;
	int k;

	assert_int_equal(rec_start(&f->cfg, f->pool, call_rec_link), 0);
	r = rec_begin(f->call_id, WALL);
	assert_non_null(r);
	for (k = 0; k < 300; k++) {
		int64_t at = T0 + (int64_t)(k + 1) * 20000;

		fill(pcm, (int64_t)k * PKT, PKT, in(k, 200, 250));
		rec_push(r, 0, pcm, PKT, in(k, 50, 65) ? T0 + 65 * 20000 : at);
		fill(pcm, (int64_t)k * PKT, PKT, in(k, 100, 110));
		rec_push(r, 1, pcm, PKT, at);
	}
	rec_end(r);
	rec_flush();
	read_call(f, f->call_id, &cs, &es);
	lr = read_wav(f, cs.recording, &frames);
	assert_int_equal(frames, 300 * PKT);
	for (i = 0; i < frames; i++) {
		if (lr[2 * i] != (in((int)i, 200 * PKT, 250 * PKT) ? voice((int64_t)i) : 0))
			fail_msg("caller sample %zu (%zu ms) is %d", i, i / 8, lr[2 * i]);
		if (lr[2 * i + 1] != (in((int)i, 100 * PKT, 110 * PKT) ? voice((int64_t)i) : 0))
			fail_msg("agent sample %zu (%zu ms) is %d", i, i / 8, lr[2 * i + 1]);
	}
	free(lr);
}

/* The header is rewritten every REC_SYNC_SEC seconds of audio, so the file
 * of a call still going on (or cut by a crash) is a valid WAV up to then;
 * rec_stop finishes a call that never ended. */
static void header_kept_valid_and_stop_finishes(void **state)
{
	struct fixture *f = *state;
	struct call_seen cs;
	struct events_seen es;
	struct rec_call *r;
	int16_t pcm[PKT], *lr;
	size_t frames;
	char want[64];
	int k;

	assert_int_equal(rec_start(&f->cfg, f->pool, call_rec_link), 0);
	r = rec_begin(f->call_id, WALL);
	assert_non_null(r);
	for (k = 0; k < 300; k++) { /* 6 s, the caller speaking in bursts */
		fill(pcm, (int64_t)k * PKT, PKT, (k / 50) % 2 == 0);
		rec_push(r, 0, pcm, PKT, T0 + (int64_t)(k + 1) * 20000);
	}
	rec_flush();
	snprintf(want, sizeof(want), "2026/11/23/%lld.wav", (long long)f->call_id);
	lr = read_wav(f, want, &frames);
	assert_int_equal(frames, REC_SYNC_SEC * 8000);
	free(lr);

	read_call(f, f->call_id, &cs, &es);
	assert_string_equal(cs.recording, ""); /* not linked until finished */

	rec_stop();
	read_call(f, f->call_id, &cs, &es);
	assert_string_equal(cs.recording, want);
	assert_int_equal(cs.recording_ms, 6000);
	assert_string_equal(es.kinds, "recorded ");
	lr = read_wav(f, want, &frames);
	assert_int_equal(frames, 48000);
	assert_int_equal(lr[2 * 100], voice(100));
	assert_int_equal(lr[2 * 100 + 1], 0);
	free(lr);
}

/* A full queue drops samples and counts them, and never blocks; a call in
 * which nobody spoke is an empty recording, dead air throughout. */
static void full_queue_and_silence(void **state)
{
	struct fixture *f = *state;
	struct call_seen cs;
	struct events_seen es;
	struct rec_call *r;
	size_t big = (size_t)REC_QUEUE_SLOTS * REC_SLOT_SAMPLES, frames;
	int16_t *pcm = calloc(big, sizeof(*pcm)), *lr;
	uint64_t before;
	json_t *m;
	int64_t other;
	struct store *s;
	char want[64];
	int k;

	assert_non_null(pcm);
	assert_int_equal(rec_start(&f->cfg, f->pool, call_rec_link), 0);
	before = rec_dropped();
	r = rec_begin(f->call_id, WALL);
	assert_non_null(r);
	rec_push(r, 0, pcm, big, T0); /* more than the whole queue */
	assert_int_equal(rec_dropped() - before, big);
	/* Many pushes at once: whatever the writer does not keep up with is
	 * dropped and counted; the rest is written. */
	for (k = 0; k < 2 * REC_QUEUE_SLOTS; k++)
		rec_push(r, k % 2, pcm, PKT, T0 + (int64_t)(k / 2 + 1) * 20000);
	rec_end(r);
	rec_flush();
	read_call(f, f->call_id, &cs, &es);
	assert_string_equal(es.kinds, "recorded ");
	m = json_loads(es.detail, 0, NULL);
	assert_non_null(m);
	assert_true(jint(m, "dropped_samples") >= (json_int_t)big);
	json_decref(m);
	lr = read_wav(f, cs.recording, &frames);
	assert_true(frames > 0);
	free(lr);
	m = json_loads(cs.metrics, 0, NULL);
	assert_int_equal(jint(m, "dead_air_count"), 1);
	json_decref(m);

	/* Ended without a sound: an empty file, still linked. */
	s = store_pool_get(f->pool);
	assert_int_equal(call_insert(s, "rec-test-2", "13900139001", "4000000000", WALL, &other),
			 0);
	store_pool_put(f->pool, s);
	r = rec_begin(other, WALL);
	rec_end(r);
	rec_flush();
	read_call(f, other, &cs, &es);
	snprintf(want, sizeof(want), "2026/11/23/%lld.wav", (long long)other);
	assert_string_equal(cs.recording, want);
	assert_int_equal(cs.recording_ms, 0);
	lr = read_wav(f, want, &frames);
	assert_int_equal(frames, 0);
	free(lr);
	free(pcm);
}

/* A directory that cannot be made: the call gets "recording_failed" with
 * the reason and no recording; the engine's calls are unaffected. */
static void unwritable_directory(void **state)
{
	struct fixture *f = *state;
	struct call_seen cs;
	struct events_seen es;
	struct rec_call *r;
	int16_t pcm[PKT] = {0};
	char blocker[128];
	FILE *fp;

	snprintf(blocker, sizeof(blocker), "%s/file", f->dir);
	fp = fopen(blocker, "w");
	assert_non_null(fp);
	fclose(fp);
	snprintf(f->cfg.recordings_dir, sizeof(f->cfg.recordings_dir), "%s/rec", blocker);
	assert_int_equal(rec_start(&f->cfg, f->pool, call_rec_link), 0);
	r = rec_begin(f->call_id, WALL);
	assert_non_null(r);
	rec_push(r, 0, pcm, PKT, T0);
	rec_hold(r, 1, T0 + 1000);
	rec_end(r);
	rec_flush();
	read_call(f, f->call_id, &cs, &es);
	assert_string_equal(cs.recording, "");
	assert_string_equal(es.kinds, "recording_failed ");
	assert_non_null(strstr(es.detail, "cannot create the directory"));
}

/* Off: no recordings_dir, or not started. NULL handles are ignored. */
static void off_is_null(void **state)
{
	struct fixture *f = *state;
	int16_t pcm[PKT] = {0};

	assert_null(rec_begin(f->call_id, WALL));
	f->cfg.recordings_dir[0] = '\0';
	assert_int_equal(rec_start(&f->cfg, f->pool, call_rec_link), 0);
	assert_null(rec_begin(f->call_id, WALL));
	rec_push(NULL, 0, pcm, PKT, T0);
	rec_hold(NULL, 1, T0);
	rec_end(NULL);
	rec_flush();
	rec_stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(conversation, setup, teardown),
		cmocka_unit_test_setup_teardown(burst_after_stall_is_pulled_back, setup, teardown),
		cmocka_unit_test_setup_teardown(header_kept_valid_and_stop_finishes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(full_queue_and_silence, setup, teardown),
		cmocka_unit_test_setup_teardown(unwritable_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(off_is_null, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
