/*
 * Playback of call recordings: GET /api/calls/{id}/recording.
 *
 * Who may listen is ACT_CALL_RECORDING: the manager and supervisors every
 * call, an agent only the calls they answered (call.agent_id; scope self),
 * nobody else; a refusal is audited like every other. Every playback —
 * each request that is answered with audio, a seek included — is audited
 * as call.recording.play before a byte is sent, so nobody listens without
 * a trace. The file is streamed from disk with Range support, so the
 * workbench's <audio> can seek in an hour-long call.
 *
 * GET /api/calls/{id}/speech is the timeline of the same recording: per
 * channel the spans of speech src/media's VAD finds in it (the review
 * page's lanes), read from the file in one streaming pass on request,
 * with the holds, dead air and talk-over of the call's metrics.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/utf8.h"
#include "http/http.h"
#include "media/media.h"
#include "rec/rec.h"

/* The writer's names are YYYY/MM/DD/<id>[-n].wav; anything else in the
 * column (a restored or edited database) is not opened. */
static int name_safe(const char *name)
{
	if (name[0] == '/' || strstr(name, ".."))
		return 0;
	return strspn(name, "0123456789/-.wav") == strlen(name);
}

/*
 * Opens the recording of the call in the path's {id} for whoever may play
 * it (ACT_CALL_RECORDING; an agent only the calls they answered): *fd and
 * the file's name relative to recordings_dir. 404 for an unknown call, one
 * without a recording and a missing file; 403 (audited by req_authorize)
 * for the others.
 */
static int open_recording(struct req *r, int64_t *id, char *file, size_t size, int *fd)
{
	struct auth_target t = {0, 0};
	char path[600];
	int64_t agent_id = 0;
	int rc = req_param_id(r, 0, id);

	if (rc == 0)
		rc = rec_of_call(r->store, *id, &agent_id, file, size);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such call");
	if (rc < 0)
		return rc;
	/* An agent: only the calls they answered. */
	t.person_id = agent_id;
	rc = req_authorize(r, ACT_CALL_RECORDING, &t);
	if (rc < 0)
		return rc;
	if (!file[0] || !r->app->cfg->recordings_dir[0] || !name_safe(file))
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "this call has no recording");
	snprintf(path, sizeof(path), "%s/%s", r->app->cfg->recordings_dir, file);
	*fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0) {
		if (errno != ENOENT)
			return ERR_IO;
		log_warn("rec: call %lld: the recording %s is missing", (long long)*id, path);
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "the recording's file is missing");
	}
	return 0;
}

static int recording_play(struct req *r)
{
	const char *range;
	char file[256], disposition[64];
	int64_t id;
	int fd = -1, rc = open_recording(r, &id, file, sizeof(file), &fd);

	if (rc < 0)
		return rc;
	/* The range says which part was played; it is the client's text. */
	range = req_header(r, "Range");
	if (range && (strlen(range) > 100 || !utf8_valid(range, strlen(range))))
		range = "(unreadable)";
	rc = req_audit(r, "call.recording.play", "call", id, "ok",
		       range ? json_pack("{s:s, s:s}", "file", file, "range", range)
			     : json_pack("{s:s}", "file", file));
	if (rc < 0) {
		close(fd);
		return rc;
	}
	snprintf(disposition, sizeof(disposition), "inline; filename=\"call-%lld.wav\"",
		 (long long)id);
	return reply_file(r, fd, "audio/wav", disposition);
}

/* -- The speech timeline: GET /api/calls/{id}/speech -- */

/* 20 ms frames read at a time: 240 ms, 7.5 kB of the file. */
#define SPEECH_CHUNK_FRAMES 12

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Reads up to len bytes at off, looping over short reads: the count read. */
static ssize_t read_at(int fd, uint8_t *buf, size_t len, off_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, off + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static int add_span(json_t *list, const struct media_span *s)
{
	json_t *o = json_pack("{s:I, s:I}", "start_ms", (json_int_t)s->start_ms, "end_ms",
			      (json_int_t)s->end_ms);

	return json_array_append_new(list, o) ? ERR_NOMEM : 0;
}

/*
 * Runs src/media's speech segmenter (its VAD) over each channel of the
 * recording the writer made: a 44-byte header of 16-bit PCM, 8 kHz,
 * stereo, then the samples. The file is read a chunk at a time, so the
 * cost is one pass and a few kilobytes however long the call. A file cut
 * short by a crash has a header that covers the samples up to its last
 * sync; what follows is ignored, as a player does.
 */
static int speech_of_file(struct req *r, int fd, json_t *out)
{
	uint8_t hdr[MEDIA_WAV_HDR], want[MEDIA_WAV_HDR], buf[SPEECH_CHUNK_FRAMES * MEDIA_FRAME * 4];
	int16_t pcm[SPEECH_CHUNK_FRAMES * MEDIA_FRAME * 2];
	struct media_speech sp[2];
	struct media_span span;
	json_t *lists[2] = {json_array(), json_array()};
	uint64_t data, done = 0;
	off_t off = MEDIA_WAV_HDR;
	int c, rc = 0;

	if (!lists[0] || !lists[1]) {
		rc = ERR_NOMEM;
		goto out;
	}
	if (read_at(fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr)) {
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, NULL,
			     "the recording is not a stereo 8 kHz WAV as kefu writes it");
		goto out;
	}
	data = le32(hdr + 40);
	media_wav_header(want, 2, 8000, (uint32_t)data);
	if (memcmp(hdr, want, sizeof(hdr)) != 0) {
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, NULL,
			     "the recording is not a stereo 8 kHz WAV as kefu writes it");
		goto out;
	}
	media_speech_init(&sp[0]);
	media_speech_init(&sp[1]);
	/* Whole 20 ms frames only: a last shorter piece is not judged. */
	data -= data % (MEDIA_FRAME * 4);
	while (done < data) {
		size_t want_len = data - done < sizeof(buf) ? (size_t)(data - done) : sizeof(buf);
		ssize_t n = read_at(fd, buf, want_len, off);
		size_t i, frames;

		if (n < 0) {
			rc = ERR_IO;
			goto out;
		}
		frames = (size_t)n / (MEDIA_FRAME * 4);
		if (!frames)
			break; /* the file is shorter than its header says */
		for (i = 0; i < frames * MEDIA_FRAME * 2; i++)
			pcm[i] = (int16_t)(uint16_t)(buf[2 * i] | buf[2 * i + 1] << 8);
		for (i = 0; i < frames; i++)
			for (c = 0; c < 2; c++)
				if (media_speech_frame(&sp[c], pcm + i * MEDIA_FRAME * 2 + c, 2,
						       &span) &&
				    (rc = add_span(lists[c], &span)) < 0)
					goto out;
		done += frames * MEDIA_FRAME * 4;
		off += (off_t)(frames * MEDIA_FRAME * 4);
	}
	for (c = 0; c < 2; c++)
		if (media_speech_end(&sp[c], &span) && (rc = add_span(lists[c], &span)) < 0)
			goto out;
	if (json_object_set_new(out, "duration_ms", json_integer((json_int_t)(done / 32))) ||
	    json_object_set(out, "caller", lists[MEDIA_CALLER]) ||
	    json_object_set(out, "agent", lists[MEDIA_AGENT]))
		rc = ERR_NOMEM;
out:
	json_decref(lists[0]);
	json_decref(lists[1]);
	return rc;
}

/*
 * The call's holds, dead air and talk-over as its metrics hold them:
 * measured as the recording was written (the holds from the call's hold
 * events, which the file alone does not have), so the timeline needs one
 * request. A list the metrics do not have is empty.
 */
static int add_periods(struct req *r, int64_t id, json_t *out)
{
	static const char *const keys[] = {"holds", "dead_air", "talk_over"};
	char *text = NULL;
	json_t *m = NULL;
	size_t i;
	int rc = rec_metrics_of_call(r->store, id, &text);

	if (rc < 0)
		return rc;
	if (text)
		m = json_loads(text, 0, NULL);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = m ? json_object_get(m, keys[i]) : NULL;

		if (json_object_set_new(out, keys[i],
					json_is_array(v) ? json_deep_copy(v) : json_array())) {
			rc = ERR_NOMEM;
			break;
		}
	}
	json_decref(m);
	free(text);
	return rc;
}

/*
 * Who spoke when: per channel (the caller left, the agent right) the
 * spans of speech src/media's VAD finds in the stored recording, computed
 * on request, and the call's holds, dead air and talk-over. The same
 * people may ask as may listen; it is not audited as a playback, since it
 * gives no words, only times.
 */
static int recording_speech(struct req *r)
{
	char file[256];
	int64_t id;
	int fd = -1, rc = open_recording(r, &id, file, sizeof(file), &fd);
	json_t *out;

	if (rc < 0)
		return rc;
	out = json_pack("{s:I}", "call_id", (json_int_t)id);
	rc = out ? speech_of_file(r, fd, out) : ERR_NOMEM;
	close(fd);
	if (rc == 0)
		rc = add_periods(r, id, out);
	if (rc < 0) {
		json_decref(out);
		return rc;
	}
	return reply_json(r, 200, out);
}

const struct route rec_routes[] = {
	{"GET", "/api/calls/{id}/recording", recording_play, ACT_CALL_RECORDING},
	{"GET", "/api/calls/{id}/speech", recording_speech, ACT_CALL_RECORDING},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
