/*
 * rec — recordings of answered calls: one stereo WAV per call (left the
 * caller, right the agent, time-aligned), written off the media path,
 * fsynced, linked to the call, with the compliance metrics measured from
 * it (dead air, talk-over), and played back through the API.
 *
 * Who calls what. The call engine (src/call, on the SIP thread) calls
 * rec_begin() when a caller and an agent are connected, rec_push()
 * with every decoded packet of either leg, rec_hold() when the agent holds
 * and resumes, and rec_end() when the call ends. None of these does disk
 * I/O or waits for anything but a short mutex: rec_push() copies the
 * samples into a bounded queue and returns; when the queue is full the
 * samples are dropped and counted, never waited for. Only the audio
 * received from the two people is pushed — never prompts, music on hold
 * or the survey (kefu's own audio), so the recording and its metrics hold
 * the conversation only.
 *
 * The writer thread (rec_writer.c; started by rec_start(), stopped by rec_stop())
 * owns the files. It takes the queue in order and, per call:
 * - places each leg's samples on one timeline by arrival, in samples from
 *   the first packet of either leg. A leg's packets are appended one after
 *   the other (so jitter does not move them); a packet that arrives more
 *   than REC_GAP_MS later than that puts it starts at its arrival and what
 *   lies between is silence (lost packets, a leg that sent nothing); a
 *   packet that would land more than REC_AHEAD_MS ahead of its arrival (a
 *   burst after a stall, a sender clock running fast) is dropped, which
 *   pulls the leg back; and once a second a leg whose fastest packets all
 *   arrived more than REC_DRIFT_MS from their places is moved to them.
 *   So each leg stays within those bounds of real time for the whole call,
 *   back within REC_DRIFT_MS in about a second, and the channels cannot
 *   drift apart. The
 *   stereo recorder of src/media (media_rec) lines the two legs up and
 *   fills silence; output is taken 200 ms behind the newest arrival.
 * - appends the stereo frames to <recordings_dir>/YYYY/MM/DD/<call>.wav
 *   (the date of rec_begin's wall time in the center's time zone) through
 *   a 32 kB buffer, so an hour-long call is never in memory; every
 *   REC_SYNC_SEC of audio it rewrites the header's sizes and starts the
 *   kernel's write-back of what is written, so a recording cut by a crash
 *   is a valid WAV up to the last header update.
 * - feeds the same frames to the analyser of src/media (media_qa) as they
 *   are written, so the metrics cost no second pass over the file. Hold
 *   periods reach the analyser through the same queue, before the frames
 *   they cover are taken (those lag 200 ms behind), so dead air inside a
 *   hold and talk-over begun inside one are not counted.
 * - at rec_end: takes the rest, rewrites the header, fsyncs the file and
 *   its directory, and in one transaction on a pooled connection hands
 *   the result (struct rec_result) to the link function it was started
 *   with: the call engine's (call_rec_link, wired by cli/serve.c) sets
 *   call.recording (the name relative to recordings_dir) and
 *   recording_ms, merges the metrics into call.metrics and adds the call
 *   event "recorded" (file, ms, bytes). A recording that could not be
 *   written (no space, no permission) adds "recording_failed" with the
 *   reason instead and leaves call.recording NULL; what was written stays
 *   on disk. So rec knows nothing of the call engine or SIP: it uses
 *   core, store, media, audit (the event's detail) and, for playback,
 *   http only.
 *
 * Who owns what. The handle from rec_begin belongs to the caller until
 * rec_end, then to the writer, which frees it; the caller must not use it
 * after rec_end. rec_stop() (after the SIP thread has stopped) finishes
 * every recording, ended or not, and frees every handle.
 *
 * Playback (rec_api.c, rec_store.c): GET /api/calls/{id}/recording reads
 * the call's recording and agent from the call row and answers the WAV
 * (Range requests too) to whoever may play it (ACT_CALL_RECORDING: the
 * manager, supervisors and the quality inspector every call, an agent the
 * calls they answered), and audits every playback as call.recording.play.
 * GET /api/calls/{id}/speech (issue 15) answers the same people who spoke
 * when in it: per channel the spans of speech src/media's VAD finds
 * (media_speech), computed on request in one streaming pass over the file,
 * with the holds, dead air and talk-over of the call's stored metrics.
 * docs/recording.md has the file layout, the durability and the figures.
 */
#ifndef KEFU_REC_REC_H
#define KEFU_REC_REC_H

#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

struct config;
struct store;
struct store_pool;
struct rec_call;

/* Placement of a leg's packets (see above). */
#define REC_GAP_MS 60
#define REC_AHEAD_MS 120
#define REC_DRIFT_MS 20
/* Header update and write-back, in seconds of audio. */
#define REC_SYNC_SEC 5
/* The queue: slots of up to REC_SLOT_SAMPLES samples (30 ms) of one leg;
 * a longer packet takes several. 16384 slots (about 8 MB) hold 5 s of
 * 30 simultaneous calls, or 1.6 s of 100, while the writer waits for a
 * disk. The last REC_QUEUE_RESERVE are kept for hold events. */
#define REC_SLOT_SAMPLES 240
#define REC_QUEUE_SLOTS 16384
#define REC_QUEUE_RESERVE 64
/* At most this many periods of each kind are listed in call.metrics
 * (the counts and totals cover all of them). */
#define REC_METRICS_LIST_MAX 50

/* A finished recording, as the writer hands it to the link function. */
struct rec_result {
	int64_t call_id;
	const char *file;    /* relative to recordings_dir */
	int failed;	     /* 1: it could not be written (detail says why) */
	int64_t ms;	     /* the audio's length */
	const char *metrics; /* JSON object: dead air, talk-over, speech */
	const char *detail;  /* JSON object for the call's event: file, ms, bytes or error */
};

/* Links a recording to its call: called on the writer thread inside a
 * transaction on s that the writer begins, and commits on 0 or rolls
 * back on a negative err; now is the wall clock. */
typedef int (*rec_link_fn)(struct store *s, const struct rec_result *res, int64_t now);

/* Starts the writer thread when cfg->recordings_dir is set (a no-op
 * returning 0 when it is ""); every finished recording goes to link (not
 * NULL). cfg and pool must outlive rec_stop(). */
int rec_start(const struct config *cfg, struct store_pool *pool, rec_link_fn link);
/* Finishes every recording (fsynced, linked), then joins the writer. */
void rec_stop(void);

/* A recording for the call, starting now; wall_ms (UTC) names its day.
 * NULL when recording is off or memory is short. No disk I/O. */
struct rec_call *rec_begin(int64_t call_id, int64_t wall_ms);
/*
 * n samples (16-bit, 8 kHz) received from one leg: channel 0 the caller,
 * 1 the agent. at_us is when the packet arrived, on a monotonic clock in
 * microseconds (the same clock for both legs and for rec_hold). Copies the
 * samples; never blocks. r NULL is a no-op.
 */
void rec_push(struct rec_call *r, int channel, const int16_t *pcm, size_t n, int64_t at_us);
/* The agent put the caller on hold (on 1) or took them back (on 0). */
void rec_hold(struct rec_call *r, int on, int64_t at_us);
/* The call ended: the writer finishes the recording and frees r. */
void rec_end(struct rec_call *r);

/* Waits until the writer has taken everything queued so far and finished
 * every ended recording (tests). */
void rec_flush(void);
/* Samples dropped because the queue was full, since the start. */
uint64_t rec_dropped(void);

/* -- Storage (rec_store.c) -- */

/* The recording of a call as the call row holds it (call.recording,
 * call.agent_id): the agent who answered (0: none) and the file relative
 * to recordings_dir ("" when there is none, or the name is longer than
 * size - 1). ERR_NOTFOUND when there is no such call. */
int rec_of_call(struct store *s, int64_t call_id, int64_t *agent_id, char *file, size_t size);
/* The call's metrics as stored (call.metrics, a JSON object): a copy in
 * *out for the caller to free, NULL when the column is NULL. */
int rec_metrics_of_call(struct store *s, int64_t call_id, char **out);

/* The module's routes (rec_api.c), ended by a route with method NULL. */
extern const struct route rec_routes[];

#endif
