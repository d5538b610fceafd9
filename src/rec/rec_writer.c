/*
 * The recording writer: the queue the SIP thread fills, and the one thread
 * that turns it into WAV files, metrics and call events (rec.h).
 *
 * The queue is a ring of fixed slots under one mutex. The SIP thread only
 * ever writes free slots at the tail and the writer only reads the slots
 * between head and tail, so the writer processes a batch without holding
 * the lock and frees the slots when it is done. Ended calls go on a list
 * rather than into the ring, so an end is never lost to a full queue; the
 * writer takes that list only together with a batch that reaches the tail,
 * which guarantees that every slot of an ended call has been processed
 * before the call is finished.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/jw.h"
#include "core/log.h"
#include "media/media.h"
#include "rec/rec.h"
#include "store/store.h"

enum slot_kind { SLOT_PCM, SLOT_HOLD, SLOT_RESUME };

struct slot {
	struct rec_call *c;
	int64_t at_us; /* PCM: when the piece's last sample arrived */
	uint16_t n;
	uint8_t kind;
	uint8_t channel;
	int16_t pcm[REC_SLOT_SAMPLES];
};

#define US_PER_SAMPLE (1000000 / MEDIA_RATE) /* 125 */
#define HOLDS_MAX 64
#define OUT_BUF 32768
#define TAKE_FRAMES 1600
#define BATCH_SLOTS 256
#define NAME_MAX_LEN 64

struct rec_call {
	int64_t call_id;
	char name[NAME_MAX_LEN]; /* relative to recordings_dir: YYYY/MM/DD/<id>.wav */

	/* Under the lock. */
	struct rec_call *live_prev, *live_next; /* every handle not finished yet */
	struct rec_call *ended_next;
	int ended;
	uint64_t dropped; /* samples the full queue refused */

	/* The writer's alone. */
	int started;
	int64_t start_us; /* the timeline's origin on the arrival clock */
	int64_t clock_us; /* the newest arrival seen */
	int64_t hold_us;  /* the last hold event */
	int have[2];
	int64_t next[2];	/* where each leg's next packet goes if it follows on */
	int64_t win_min[2];	/* the least lateness (arrival - place) in the window */
	int64_t win_samples[2]; /* placed in the window */
	uint64_t skipped;	/* samples dropped for arriving too far ahead */
	struct media_rec rec;
	int fd;
	int failed;
	char why[200];
	struct media_wav_writer wav;
	uint8_t *out; /* bytes at [out_off, out_off + out_len) not yet written */
	uint64_t out_off;
	size_t out_len;
	uint64_t frames, synced;
	struct media_qa qa;
	struct media_span holds[HOLDS_MAX];
	size_t nholds;
	int holding;
	unsigned holds_ignored;
	struct media_span dead[REC_METRICS_LIST_MAX];
	size_t ndead;
	struct media_span over[REC_METRICS_LIST_MAX];
	size_t nover;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* the writer has something to do */
	pthread_cond_t idle; /* the writer has nothing left (rec_flush) */
	pthread_t thread;
	int running, stopping, is_idle;
	struct slot *q;
	size_t head, count;
	struct rec_call *live;
	struct rec_call *ended_head, *ended_tail;
	uint64_t dropped;
	unsigned holds_lost;
	const struct config *cfg;
	struct store_pool *pool;
	rec_link_fn link;
} g = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER,
};

/* The writer's: the stereo frames taken out of a call's recorder. */
static int16_t take_buf[2 * TAKE_FRAMES];
/* The day directory made last, so mkdir runs once a day, not once a call. */
static char made_dir[600];

/* ------------------------------------------------------------ the SIP side */

struct rec_call *rec_begin(int64_t call_id, int64_t wall_ms)
{
	struct rec_call *c;
	int ymd;

	if (call_id <= 0)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->call_id = call_id;
	c->fd = -1;
	ymd = clock_local_ymd(wall_ms);
	snprintf(c->name, sizeof(c->name), "%04d/%02d/%02d/%lld.wav", ymd / 10000, ymd / 100 % 100,
		 ymd % 100, (long long)call_id);
	pthread_mutex_lock(&g.lock);
	if (!g.running || g.stopping) {
		pthread_mutex_unlock(&g.lock);
		free(c);
		return NULL;
	}
	c->live_next = g.live;
	if (g.live)
		g.live->live_prev = c;
	g.live = c;
	pthread_mutex_unlock(&g.lock);
	return c;
}

static struct slot *tail_slot(void)
{
	return &g.q[(g.head + g.count) % REC_QUEUE_SLOTS];
}

void rec_push(struct rec_call *c, int channel, const int16_t *pcm, size_t n, int64_t at_us)
{
	size_t need, done = 0;

	if (!c || !pcm || n == 0 || (channel != 0 && channel != 1))
		return;
	need = (n + REC_SLOT_SAMPLES - 1) / REC_SLOT_SAMPLES;
	pthread_mutex_lock(&g.lock);
	if (!g.running || c->ended) {
		pthread_mutex_unlock(&g.lock);
		return;
	}
	if (g.count + need + REC_QUEUE_RESERVE > REC_QUEUE_SLOTS) {
		/* The writer is behind (a slow disk): losing audio is better than
		 * stalling the calls. The gap becomes silence in the file. */
		c->dropped += n;
		g.dropped += n;
		pthread_mutex_unlock(&g.lock);
		return;
	}
	while (done < n) {
		struct slot *s = tail_slot();
		size_t k = n - done < REC_SLOT_SAMPLES ? n - done : REC_SLOT_SAMPLES;

		s->c = c;
		s->kind = SLOT_PCM;
		s->channel = (uint8_t)channel;
		s->n = (uint16_t)k;
		/* A piece of a long packet arrived when the packet did, less the
		 * samples that follow it in the packet. */
		s->at_us = at_us - (int64_t)(n - done - k) * US_PER_SAMPLE;
		memcpy(s->pcm, pcm + done, k * sizeof(*pcm));
		g.count++;
		done += k;
	}
	pthread_cond_signal(&g.wake);
	pthread_mutex_unlock(&g.lock);
}

void rec_hold(struct rec_call *c, int on, int64_t at_us)
{
	struct slot *s;

	if (!c)
		return;
	pthread_mutex_lock(&g.lock);
	if (!g.running || c->ended) {
		pthread_mutex_unlock(&g.lock);
		return;
	}
	if (g.count >= REC_QUEUE_SLOTS) {
		g.holds_lost++;
		pthread_mutex_unlock(&g.lock);
		return;
	}
	s = tail_slot();
	s->c = c;
	s->kind = on ? SLOT_HOLD : SLOT_RESUME;
	s->channel = 0;
	s->n = 0;
	s->at_us = at_us;
	g.count++;
	pthread_cond_signal(&g.wake);
	pthread_mutex_unlock(&g.lock);
}

void rec_end(struct rec_call *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g.lock);
	if (!c->ended) {
		c->ended = 1;
		if (g.ended_tail)
			g.ended_tail->ended_next = c;
		else
			g.ended_head = c;
		g.ended_tail = c;
		pthread_cond_signal(&g.wake);
	}
	pthread_mutex_unlock(&g.lock);
}

uint64_t rec_dropped(void)
{
	uint64_t n;

	pthread_mutex_lock(&g.lock);
	n = g.dropped;
	pthread_mutex_unlock(&g.lock);
	return n;
}

void rec_flush(void)
{
	pthread_mutex_lock(&g.lock);
	while (g.running && (g.count || g.ended_head || !g.is_idle))
		pthread_cond_wait(&g.idle, &g.lock);
	pthread_mutex_unlock(&g.lock);
}

/* ------------------------------------------------------------------ files */

static void fail(struct rec_call *c, const char *what, int e)
{
	char text[128];

	if (c->failed)
		return;
	c->failed = 1;
	snprintf(c->why, sizeof(c->why), "%s: %s", what, strerror_r(e, text, sizeof(text)));
	log_error("rec: call %lld: %s (%s)", (long long)c->call_id, c->why, c->name);
}

static int pwrite_all(struct rec_call *c, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t w = pwrite(c->fd, p, len, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			fail(c, "cannot write", w < 0 ? errno : ENOSPC);
			return ERR_IO;
		}
		p += w;
		len -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

static int flush_out(struct rec_call *c)
{
	int rc;

	if (c->out_len == 0)
		return 0;
	rc = pwrite_all(c, c->out, c->out_len, c->out_off);
	c->out_off += c->out_len;
	c->out_len = 0;
	return rc;
}

/*
 * The WAV writer's output: appends gather in the buffer; anything else
 * (the header at open and its sizes at each sync) writes what is
 * gathered first and then goes straight to the file.
 */
static int file_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	struct rec_call *c = ctx;
	int rc;

	if (c->out_len && off == c->out_off + c->out_len && c->out_len + len <= OUT_BUF) {
		memcpy(c->out + c->out_len, buf, len);
		c->out_len += len;
		return 0;
	}
	rc = flush_out(c);
	if (rc < 0)
		return rc;
	if (off >= MEDIA_WAV_HDR && len <= OUT_BUF) {
		memcpy(c->out, buf, len);
		c->out_off = off;
		c->out_len = len;
		return 0;
	}
	return pwrite_all(c, buf, len, off);
}

static int fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -1;
	if (fsync(fd) < 0)
		rc = -1;
	close(fd);
	return rc;
}

/* The directory that holds path ("." for a bare name). */
static void parent_of(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(out, size, ".");
	else if (slash == path)
		snprintf(out, size, "/");
	else
		snprintf(out, size, "%.*s", (int)(slash - path), path);
}

/*
 * Makes dir and every missing directory above it. A directory made here
 * is an entry in its parent, which is fsynced at once, so the path to a
 * recording survives a power loss as its file does.
 */
static int make_dirs(const char *dir)
{
	char path[600], parent[600];
	size_t len = strlen(dir), i;

	if (len >= sizeof(path))
		return -1;
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0750) == 0) {
			parent_of(path, parent, sizeof(parent));
			if (fsync_dir(parent) < 0)
				return -1;
		} else if (errno != EEXIST) {
			return -1;
		}
		if (i < len)
			path[i] = '/';
	}
	return 0;
}

static void full_path(const struct rec_call *c, char *out, size_t size)
{
	snprintf(out, size, "%s/%s", g.cfg->recordings_dir, c->name);
}

/* Creates the call's file, never replacing one: a name taken (a call id
 * reused after a restore) gets a suffix. */
static void open_file(struct rec_call *c)
{
	char path[600], dir[600], base[NAME_MAX_LEN];
	int attempt, remade = 0;

	full_path(c, path, sizeof(path));
	parent_of(path, dir, sizeof(dir));
	snprintf(base, sizeof(base), "%.*s", (int)(strlen(c->name) - 4), c->name);
	for (attempt = 1; attempt <= 9;) {
		if (strcmp(dir, made_dir) != 0) {
			if (make_dirs(dir) < 0) {
				fail(c, "cannot create the directory", errno);
				return;
			}
			snprintf(made_dir, sizeof(made_dir), "%s", dir);
		}
		if (attempt > 1) {
			snprintf(c->name, sizeof(c->name), "%.48s-%d.wav", base, attempt);
			full_path(c, path, sizeof(path));
		}
		c->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
		if (c->fd >= 0)
			break;
		if (errno == ENOENT && !remade) {
			/* The day's directory went away (removed by hand): make it again. */
			remade = 1;
			made_dir[0] = '\0';
			continue;
		}
		if (errno != EEXIST)
			break;
		attempt++;
	}
	if (c->fd < 0) {
		fail(c, "cannot create the file", errno);
		return;
	}
	c->out = malloc(OUT_BUF);
	if (!c->out) {
		fail(c, "no memory for the file buffer", ENOMEM);
		return;
	}
	if (media_wav_writer_open(&c->wav, 2, MEDIA_RATE, file_write, c) < 0)
		fail(c, "cannot write the header", EIO);
}

/* Every REC_SYNC_SEC of audio: the header's sizes, and the kernel starts
 * writing back (without waiting), so the final fsync has little left. */
static void checkpoint(struct rec_call *c)
{
	c->synced = c->frames;
	if (c->failed)
		return;
	if (flush_out(c) < 0 || media_wav_writer_sync(&c->wav) < 0) {
		fail(c, "cannot update the header", errno);
		return;
	}
	(void)sync_file_range(c->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

/* ------------------------------------------------------- the timeline */

static void on_finding(void *ctx, enum media_qa_kind kind, int64_t start_ms, int64_t end_ms)
{
	struct rec_call *c = ctx;
	const struct media_span sp = {start_ms, end_ms};

	if (kind == MEDIA_QA_DEAD_AIR && c->ndead < REC_METRICS_LIST_MAX)
		c->dead[c->ndead++] = sp;
	else if (kind == MEDIA_QA_TALK_OVER && c->nover < REC_METRICS_LIST_MAX)
		c->over[c->nover++] = sp;
}

static void write_frames(struct rec_call *c, const int16_t *lr, size_t k)
{
	if (!c->failed && media_wav_writer_put(&c->wav, lr, k) < 0)
		fail(c, "cannot write", c->wav.error == ERR_TOOBIG ? EFBIG : errno);
	media_qa_feed(&c->qa, lr, k);
	c->frames += k;
	if (c->frames - c->synced >= (uint64_t)REC_SYNC_SEC * MEDIA_RATE)
		checkpoint(c);
}

/* Takes what the recorder has up to until_us (the whole rest when final). */
static void drain(struct rec_call *c, int64_t until_us, int final)
{
	size_t k;

	for (;;) {
		k = media_rec_take(&c->rec, until_us, final, take_buf, TAKE_FRAMES);
		if (k == 0)
			break;
		write_frames(c, take_buf, k);
	}
}

/* A new window of the lateness a leg's packets arrive with. */
static void window_reset(struct rec_call *c, int ch)
{
	c->win_min[ch] = INT64_MAX;
	c->win_samples[ch] = 0;
}

/*
 * Places n samples of a leg that arrived at at_us (see rec.h), in samples
 * from the start of the recording.
 *
 * Lateness is how much later a packet arrived than the place it gets.
 * Jitter makes it vary; the packets that crossed the network fastest have
 * the least, and those should land where they arrived. So once a second
 * the leg is moved by the least lateness of that second when that is more
 * than REC_DRIFT_MS either way: after a first packet that came late, a
 * burst of delayed packets or a sender clock that drifts, the leg is back
 * at real time within about a second, and a leg in step is never moved.
 * The gap and ahead rules of rec.h act at once on larger jumps.
 *
 * The recorder of src/media places frames by RTP timestamp relative to
 * where the first one arrived; giving it the chosen place as both the
 * timestamp and the arrival makes it put every frame exactly there, so it
 * serves as the two-channel ring that keeps the legs in step and fills
 * silence.
 */
static void place(struct rec_call *c, int ch, const int16_t *pcm, size_t n, int64_t at_us)
{
	const int64_t gap = (int64_t)REC_GAP_MS * MEDIA_RATE / 1000;
	const int64_t ahead = (int64_t)REC_AHEAD_MS * MEDIA_RATE / 1000;
	const int64_t drift = (int64_t)REC_DRIFT_MS * MEDIA_RATE / 1000;
	int64_t end = (at_us - c->start_us) / US_PER_SAMPLE;
	int64_t pos, late;

	if (!c->have[ch]) {
		c->have[ch] = 1;
		pos = end - (int64_t)n;
		window_reset(c, ch);
	} else {
		pos = c->next[ch];
		if (end - (pos + (int64_t)n) > gap) {
			pos = end - (int64_t)n;
			window_reset(c, ch);
		} else if (pos + (int64_t)n - end > ahead) {
			c->skipped += n;
			return;
		}
	}
	if (pos < 0)
		pos = 0;
	c->next[ch] = pos + (int64_t)n;
	(void)media_rec_put(&c->rec, ch == 0 ? MEDIA_CALLER : MEDIA_AGENT, 1, (uint32_t)pos, pcm, n,
			    c->start_us + (pos + (int64_t)n) * US_PER_SAMPLE);

	late = end - c->next[ch];
	if (late < c->win_min[ch])
		c->win_min[ch] = late;
	c->win_samples[ch] += (int64_t)n;
	if (c->win_samples[ch] >= MEDIA_RATE) {
		/* Moving back overwrites the last samples placed, which are
		 * still in the recorder's ring (output lags 200 ms). */
		if (c->win_min[ch] > drift || c->win_min[ch] < -drift)
			c->next[ch] += c->win_min[ch];
		window_reset(c, ch);
	}
}

/* A hold begins or ends: a span on the analyser's timeline, open (to the
 * end of time) while the hold lasts. */
static void hold(struct rec_call *c, int on, int64_t at_us)
{
	int64_t ms = (at_us - c->start_us) / 1000;

	if (ms < 0)
		ms = 0;
	if (on && !c->holding) {
		if (c->nholds == HOLDS_MAX) {
			c->holds_ignored++;
			return;
		}
		c->holds[c->nholds].start_ms = ms;
		c->holds[c->nholds].end_ms = INT64_MAX;
		c->nholds++;
		c->holding = 1;
		/* The analyser reads the caller's array; it grew. */
		c->qa.holds = c->holds;
		c->qa.nholds = c->nholds;
	} else if (!on && c->holding) {
		c->holds[c->nholds - 1].end_ms = ms > c->holds[c->nholds - 1].start_ms
							 ? ms
							 : c->holds[c->nholds - 1].start_ms;
		c->holding = 0;
	}
}

static void process(const struct slot *s)
{
	struct rec_call *c = s->c;

	if (!c->started) {
		/* The first packet's samples end at its arrival: the timeline
		 * starts where they begin. */
		c->started = 1;
		c->start_us = s->at_us - (int64_t)s->n * US_PER_SAMPLE;
		c->clock_us = s->at_us;
		media_rec_init(&c->rec, c->start_us);
		media_qa_init(&c->qa, NULL, 0, on_finding, c);
	}
	if (!c->failed && c->fd < 0)
		open_file(c);
	if (s->at_us > c->clock_us)
		c->clock_us = s->at_us;
	if (s->kind == SLOT_PCM)
		place(c, s->channel, s->pcm, s->n, s->at_us);
	else
		hold(c, s->kind == SLOT_HOLD, s->at_us);
	if (s->kind != SLOT_PCM)
		c->hold_us = s->at_us;
	drain(c, c->clock_us, 0);
}

/* ------------------------------------------------------------ the ending */

static void metrics_json(const struct rec_call *c, const struct media_qa_result *res, struct buf *b)
{
	struct jw w;
	size_t i;

	jw_init(&w, b);
	jw_object_begin(&w);
	jw_key(&w, "dead_air");
	jw_array_begin(&w);
	for (i = 0; i < c->ndead; i++) {
		jw_object_begin(&w);
		jw_key(&w, "start_ms");
		jw_int(&w, c->dead[i].start_ms);
		jw_key(&w, "len_ms");
		jw_int(&w, c->dead[i].end_ms - c->dead[i].start_ms);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_key(&w, "dead_air_count");
	jw_int(&w, res->dead_air_count);
	jw_key(&w, "dead_air_ms");
	jw_int(&w, res->dead_air_ms);
	jw_key(&w, "dead_air_max_ms");
	jw_int(&w, res->dead_air_max_ms);
	jw_key(&w, "talk_over");
	jw_array_begin(&w);
	for (i = 0; i < c->nover; i++) {
		jw_object_begin(&w);
		jw_key(&w, "at_ms");
		jw_int(&w, c->over[i].start_ms);
		jw_key(&w, "len_ms");
		jw_int(&w, c->over[i].end_ms - c->over[i].start_ms);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_key(&w, "talk_over_count");
	jw_int(&w, res->talk_over_count);
	jw_key(&w, "talk_over_ms");
	jw_int(&w, res->talk_over_ms);
	jw_key(&w, "speech_caller_ms");
	jw_int(&w, res->speech_ms[MEDIA_CALLER]);
	jw_key(&w, "speech_agent_ms");
	jw_int(&w, res->speech_ms[MEDIA_AGENT]);
	jw_object_end(&w);
}

/* The call event's detail: the file, and how long and big it is or why it failed. */
static void event_detail(const struct rec_call *c, int64_t ms, uint64_t dropped,
			 struct audit_detail *d)
{
	audit_detail_init(d);
	audit_detail_str(d, "file", c->name);
	if (c->failed) {
		audit_detail_str(d, "error", c->why);
	} else {
		audit_detail_int(d, "ms", ms);
		audit_detail_int(d, "bytes", (int64_t)(MEDIA_WAV_HDR + c->wav.data_bytes));
	}
	if (dropped)
		audit_detail_int(d, "dropped_samples", (int64_t)dropped);
}

/* One transaction: whoever owns the call log (g.link) puts the file, its
 * metrics and the event on the call. */
static void link_call(struct rec_call *c, const struct media_qa_result *qa, int64_t ms,
		      uint64_t dropped)
{
	struct buf metrics = BUF_INIT;
	struct audit_detail detail;
	struct rec_result res;
	struct store *s;
	int rc;

	metrics_json(c, qa, &metrics);
	event_detail(c, ms, dropped, &detail);
	res.call_id = c->call_id;
	res.file = c->name;
	res.failed = c->failed;
	res.ms = ms;
	res.metrics = buf_str(&metrics);
	res.detail = audit_detail_text(&detail);
	s = store_pool_get(g.pool);
	rc = store_begin(s);
	if (rc == 0)
		rc = g.link(s, &res, clock_now_ms());
	if (rc == 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	store_pool_put(g.pool, s);
	if (rc < 0)
		log_error("rec: call %lld: cannot link the recording %s (%s)",
			  (long long)c->call_id, c->name, err_name(rc));
	buf_release(&metrics);
	audit_detail_release(&detail);
}

/* Finishes a recording: the rest of the audio, the header, fsync of the
 * file and its directory, the metrics, the call's row. Frees c. */
static void finish(struct rec_call *c)
{
	struct media_qa_result res;
	char path[600], dir[600];
	int64_t until, ms;
	uint64_t dropped;

	pthread_mutex_lock(&g.lock);
	if (c->live_prev)
		c->live_prev->live_next = c->live_next;
	else
		g.live = c->live_next;
	if (c->live_next)
		c->live_next->live_prev = c->live_prev;
	dropped = c->dropped;
	pthread_mutex_unlock(&g.lock);

	if (c->started) {
		int64_t last = c->next[0] > c->next[1] ? c->next[0] : c->next[1];

		/* The recording ends with the last audio placed, or with the last
		 * hold event when the call ended on hold. The newest arrival is
		 * not the end: jitter delays it past the audio it carried. */
		until = c->start_us + last * US_PER_SAMPLE;
		if (c->hold_us > until)
			until = c->hold_us;
		drain(c, until, 1);
	} else {
		media_qa_init(&c->qa, NULL, 0, on_finding, c);
	}
	/* A call nobody said anything in still gets its (empty) file. */
	if (!c->failed && c->fd < 0)
		open_file(c);
	if (!c->failed) {
		if (flush_out(c) < 0 || media_wav_writer_close(&c->wav) < 0 || flush_out(c) < 0)
			fail(c, "cannot finish the file", errno);
		else if (fsync(c->fd) < 0)
			fail(c, "cannot fsync the file", errno);
	}
	if (c->fd >= 0)
		close(c->fd);
	if (!c->failed) {
		full_path(c, path, sizeof(path));
		parent_of(path, dir, sizeof(dir));
		if (fsync_dir(dir) < 0)
			fail(c, "cannot fsync the directory", errno);
	}
	if (c->holding)
		c->holds[c->nholds - 1].end_ms = (int64_t)(c->frames * 1000 / MEDIA_RATE);
	media_qa_finish(&c->qa, &res);
	ms = (int64_t)(c->frames * 1000 / MEDIA_RATE);
	link_call(c, &res, ms, dropped);
	/* Dropped audio means the disk is too slow; skipped packets are the
	 * network's bursts, normal in small numbers. */
	if (dropped || c->holds_ignored)
		log_warn("rec: call %lld: %llu samples dropped (queue full), %u holds not kept",
			 (long long)c->call_id, (unsigned long long)dropped, c->holds_ignored);
	if (c->skipped)
		log_info("rec: call %lld: %llu samples skipped (arrived in a burst, ahead of time)",
			 (long long)c->call_id, (unsigned long long)c->skipped);
	log_debug("rec: call %lld recorded in %s: %lld ms", (long long)c->call_id, c->name,
		  (long long)ms);
	free(c->out);
	free(c);
}

/* ------------------------------------------------------------ the writer */

static void *writer(void *arg)
{
	uint64_t logged_dropped = 0;
	unsigned logged_holds = 0;
	int64_t last_log_ns = 0;

	(void)arg;
	pthread_mutex_lock(&g.lock);
	for (;;) {
		struct rec_call *ended = NULL, *c;
		size_t head, n, i;
		uint64_t dropped;
		unsigned holds_lost;

		while (!g.count && !g.ended_head && !g.stopping) {
			g.is_idle = 1;
			pthread_cond_broadcast(&g.idle);
			pthread_cond_wait(&g.wake, &g.lock);
		}
		g.is_idle = 0;
		if (!g.count && !g.ended_head)
			break; /* stopping, and everything queued is done */
		head = g.head;
		n = g.count < BATCH_SLOTS ? g.count : BATCH_SLOTS;
		/* Ends only with the batch that reaches the tail: all their
		 * slots are then in this batch or were in earlier ones. */
		if (n == g.count) {
			ended = g.ended_head;
			g.ended_head = g.ended_tail = NULL;
		}
		dropped = g.dropped;
		holds_lost = g.holds_lost;
		pthread_mutex_unlock(&g.lock);

		for (i = 0; i < n; i++)
			process(&g.q[(head + i) % REC_QUEUE_SLOTS]);
		while (ended) {
			c = ended;
			ended = c->ended_next;
			finish(c);
		}
		if ((dropped != logged_dropped || holds_lost != logged_holds) &&
		    clock_mono_ns() - last_log_ns > 10000000000LL) {
			log_warn("rec: the writer is behind: %llu samples and %u hold events "
				 "dropped so far",
				 (unsigned long long)dropped, holds_lost);
			logged_dropped = dropped;
			logged_holds = holds_lost;
			last_log_ns = clock_mono_ns();
		}

		pthread_mutex_lock(&g.lock);
		g.head = (head + n) % REC_QUEUE_SLOTS;
		g.count -= n;
	}
	/* Stopping: the recordings whose calls never ended. */
	while (g.live) {
		struct rec_call *c = g.live;

		pthread_mutex_unlock(&g.lock);
		finish(c);
		pthread_mutex_lock(&g.lock);
	}
	g.is_idle = 1;
	pthread_cond_broadcast(&g.idle);
	pthread_mutex_unlock(&g.lock);
	return NULL;
}

int rec_start(const struct config *cfg, struct store_pool *pool, rec_link_fn link)
{
	assert(link);
	if (!cfg->recordings_dir[0])
		return 0;
	pthread_mutex_lock(&g.lock);
	if (g.running) {
		pthread_mutex_unlock(&g.lock);
		return ERR_CONFLICT;
	}
	pthread_mutex_unlock(&g.lock);
	g.q = calloc(REC_QUEUE_SLOTS, sizeof(*g.q));
	if (!g.q)
		return ERR_NOMEM;
	g.cfg = cfg;
	g.pool = pool;
	g.link = link;
	g.head = g.count = 0;
	g.dropped = 0;
	g.holds_lost = 0;
	g.stopping = 0;
	g.is_idle = 0;
	made_dir[0] = '\0';
	if (pthread_create(&g.thread, NULL, writer, NULL) != 0) {
		free(g.q);
		g.q = NULL;
		return ERR_IO;
	}
	pthread_mutex_lock(&g.lock);
	g.running = 1;
	pthread_mutex_unlock(&g.lock);
	log_info("rec: recording answered calls into %s", cfg->recordings_dir);
	return 0;
}

void rec_stop(void)
{
	pthread_mutex_lock(&g.lock);
	if (!g.running) {
		pthread_mutex_unlock(&g.lock);
		return;
	}
	g.stopping = 1;
	pthread_cond_signal(&g.wake);
	pthread_mutex_unlock(&g.lock);
	pthread_join(g.thread, NULL);
	pthread_mutex_lock(&g.lock);
	g.running = 0;
	g.stopping = 0;
	pthread_cond_broadcast(&g.idle);
	pthread_mutex_unlock(&g.lock);
	free(g.q);
	g.q = NULL;
}
