/*
 * The hotline's emergency announcements over HTTP (seed 002 §4.3, seed 003
 * 第十九条; the rules and the overlap rule are in sip.h):
 *
 *   GET    /api/hotline/notices              every notice, latest start first
 *   POST   /api/hotline/notices              a new one
 *   GET    /api/hotline/notices/active       the one in force now (anyone logged in)
 *   GET    /api/hotline/notices/{id}
 *   PUT    /api/hotline/notices/{id}         change fields (409 on a stale version)
 *   DELETE /api/hotline/notices/{id}
 *   GET    /api/hotline/notices/{id}/audio   the WAV callers hear
 *
 * The manager and the admin edit (ACT_HOTLINE_CONFIG); whoever reads the
 * hotline's settings reads the list; everyone reads the active notice,
 * whose text is the wording (口径) the workbench's banner shows.
 *
 * The audio is made before the write transaction begins, so that a slow
 * synthesis holds no lock and a failure writes nothing: a text notice is
 * spoken by the notice_say script (mk/say.sh: the build's espeak-ng voice
 * and sox settings) on this worker thread, never on the SIP thread; an
 * uploaded recording (base64 in "audio") must be a WAV the hotline plays
 * (8 kHz mono PCM, A-law or µ-law; anything else is refused with the sox
 * command that converts it). The call engine reads the stored WAV when a
 * call arrives and the active notice has changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"
#include "http/http.h"
#include "ivr/ivr.h"
#include "ivr/ivr_api_int.h"
#include "media/media.h"
#include "store/store.h"

extern char **environ;

#define SAY_EXIT_MISSING 3 /* mk/say.sh: espeak-ng or sox is missing */

static json_t *notice_json(const struct ivr_notice *n, int64_t now)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:b, s:I, s:o, s:I, s:I}", "id",
			 (json_int_t)n->id, "text", n->text, "source", n->source, "starts_at",
			 (json_int_t)n->starts_at, "ends_at", (json_int_t)n->ends_at, "audio_ms",
			 (json_int_t)n->audio_ms, "in_window", ivr_notice_in_window(n, now),
			 "version", (json_int_t)n->version, "created_by",
			 n->created_by ? json_integer(n->created_by) : json_null(), "created_at",
			 (json_int_t)n->created_at, "updated_at", (json_int_t)n->updated_at);
}

/* -- The audio -- */

/* Reads a whole file of at most max bytes. */
static int read_file(const char *path, size_t max, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long size;
	int rc = 0;

	*out = NULL;
	*len = 0;
	if (!f)
		return ERR_IO;
	size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
	if (size < 0 || (size_t)size > max || fseek(f, 0, SEEK_SET) != 0) {
		rc = size < 0 ? ERR_IO : ERR_TOOBIG;
		goto out;
	}
	*out = malloc((size_t)size + 1);
	if (!*out) {
		rc = ERR_NOMEM;
		goto out;
	}
	if (fread(*out, 1, (size_t)size, f) != (size_t)size) {
		rc = ERR_IO;
		goto out;
	}
	*len = (size_t)size;
out:
	if (rc < 0) {
		free(*out);
		*out = NULL;
	}
	fclose(f);
	return rc;
}

/* Checks a WAV as the call engine will play it; *ms its length. field
 * names what the person supplied (audio, or text when it was spoken). */
static int wav_check(struct req *r, const uint8_t *wav, size_t len, const char *field, int64_t *ms)
{
	struct media_wav w;
	int rc = media_wav_parse(wav, len, 1, &w, &r->ei);

	if (rc < 0) {
		/* The reader names its own field ("file"); the person sent this one. */
		snprintf(r->ei.field, sizeof(r->ei.field), "%s", field);
		return rc;
	}
	*ms = (int64_t)w.frames * 1000 / MEDIA_RATE;
	return ivr_notice_audio_check(*ms, field, &r->ei);
}

/* Runs notice_say with the text on its standard input, writing out; the
 * exit status, or -1 when it could not run. */
static int say_run(const char *script, const char *text_path, const char *out)
{
	char *argv[] = {"sh", (char *)script, (char *)out, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	pid_t pid;
	int status = 0, rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, 0, text_path, O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	/* The server blocks its signals in every thread; the child must not
	 * inherit that, or it could not be stopped. */
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	rc = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Speaks text into a WAV (*wav malloc'd) with the prompts' voice: 503
 * when the server cannot speak (no script, no espeak-ng or sox, a failed
 * run), 422 when the text gives no speech or too long a one. */
static int say(struct req *r, const char *text, uint8_t **wav, size_t *len, int64_t *ms)
{
	const char *script = r->app->cfg->notice_say;
	char dir[] = "/tmp/kefu-notice-XXXXXX", text_path[64], out[64];
	FILE *f;
	int rc = 0, status;

	*wav = NULL;
	*len = 0;
	if (!script[0] || access(script, R_OK) != 0)
		return err_set(&r->ei, ERR_BUSY, "text",
			       "text: this server cannot speak announcements (notice_say %s is "
			       "missing); upload a recording instead",
			       script);
	if (!mkdtemp(dir))
		return ERR_IO;
	snprintf(text_path, sizeof(text_path), "%s/text", dir);
	snprintf(out, sizeof(out), "%s/out.wav", dir);
	f = fopen(text_path, "wb");
	if (!f || fputs(text, f) < 0) {
		rc = ERR_IO;
	}
	if (f && fclose(f) != 0)
		rc = ERR_IO;
	if (rc == 0) {
		status = say_run(script, text_path, out);
		if (status != 0) {
			log_error("hotline: %s failed (status %d) speaking a notice", script,
				  status);
			rc = err_set(
				&r->ei, ERR_BUSY, "text",
				status == SAY_EXIT_MISSING
					? "text: this server cannot speak announcements "
					  "(espeak-ng or sox is not installed); upload a "
					  "recording instead"
					: "text: speaking the text failed; try again or upload "
					  "a recording");
		}
	}
	if (rc == 0) {
		rc = read_file(out, IVR_NOTICE_WAV_MAX * 4, wav, len);
		if (rc == ERR_TOOBIG)
			rc = ivr_notice_audio_check(IVR_NOTICE_MS_MAX + 1000, "text", &r->ei);
	}
	if (rc == 0)
		rc = wav_check(r, *wav, *len, "text", ms);
	unlink(text_path);
	unlink(out);
	rmdir(dir);
	if (rc < 0) {
		free(*wav);
		*wav = NULL;
		*len = 0;
	}
	return rc;
}

/* The uploaded recording: base64 of a WAV of at most IVR_NOTICE_WAV_MAX bytes. */
static int upload(struct req *r, const char *b64, uint8_t **wav, size_t *len, int64_t *ms)
{
	size_t max = IVR_NOTICE_WAV_MAX, n = 0, in = strlen(b64);
	int rc;

	*len = 0;
	if (in / 4 * 3 > max + 3)
		return err_set(&r->ei, ERR_TOOBIG, "audio", "audio: at most %d KiB of WAV",
			       IVR_NOTICE_WAV_MAX / 1024);
	*wav = malloc(max + 4);
	if (!*wav)
		return ERR_NOMEM;
	if (sodium_base642bin(*wav, max + 3, b64, in, "\r\n ", &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0) {
		rc = err_set(&r->ei, ERR_INVALID, "audio", "audio: expected base64");
	} else if (n > max) {
		rc = err_set(&r->ei, ERR_TOOBIG, "audio", "audio: at most %d KiB of WAV",
			     IVR_NOTICE_WAV_MAX / 1024);
	} else {
		*len = n;
		rc = wav_check(r, *wav, n, "audio", ms);
	}
	if (rc < 0) {
		free(*wav);
		*wav = NULL;
		*len = 0;
	}
	return rc;
}

/* -- Reading a notice from the body -- */

/* An instant in ms at key; absent leaves *dst alone unless required. */
static int instant_field(struct req *r, const char *key, int required, int64_t *dst)
{
	json_t *v = json_object_get(r->body, key);

	if (!v || json_is_null(v)) {
		if (required)
			return err_set(&r->ei, ERR_INVALID, key, "%s: required", key);
		return 0;
	}
	if (!json_is_integer(v))
		return err_set(&r->ei, ERR_INVALID, key, "%s: expected milliseconds (UTC)", key);
	*dst = json_integer_value(v);
	return 0;
}

/*
 * The notice as sent, over cur (NULL when creating), and its audio when it
 * needs new audio (*wav NULL keeps the stored one): everything is read and
 * checked here, before any transaction.
 */
static int notice_read(struct req *r, const struct ivr_notice *cur, struct ivr_notice *n,
		       uint8_t **wav, size_t *len)
{
	static const char *const fields[] = {"version", "text",	 "source", "starts_at",
					     "ends_at", "audio", NULL};
	const char *b64 = NULL;
	int creating = cur == NULL, rc = body_only(r, fields);

	*wav = NULL;
	*len = 0;
	if (cur)
		*n = *cur;
	else
		memset(n, 0, sizeof(*n));
	if (rc == 0)
		rc = ivr_api_text_field(r, r->body, "", "text", creating, n->text, sizeof(n->text),
					"1 to 500 characters");
	if (rc == 0)
		rc = ivr_api_text_field(r, r->body, "", "source", creating, n->source,
					sizeof(n->source), "text or recording");
	if (rc == 0)
		rc = instant_field(r, "starts_at", creating, &n->starts_at);
	if (rc == 0)
		rc = instant_field(r, "ends_at", creating, &n->ends_at);
	if (rc == 0)
		rc = body_str(r, "audio", 0, &b64);
	if (rc == 0)
		rc = ivr_notice_validate(n, r->now, creating, &r->ei);
	if (rc < 0)
		return rc;
	if (!strcmp(n->source, "recording")) {
		if (b64)
			return upload(r, b64, wav, len, &n->audio_ms);
		if (creating || strcmp(cur->source, "recording") != 0)
			return err_set(&r->ei, ERR_INVALID, "audio",
				       "audio: required for a recording (a WAV, base64)");
		return 0;
	}
	if (b64)
		return err_set(&r->ei, ERR_INVALID, "audio",
			       "audio: only with source recording; a text is spoken by kefu");
	/* A text notice is spoken again only when what it says changed. */
	if (creating || strcmp(cur->source, "text") != 0 || strcmp(cur->text, n->text) != 0)
		return say(r, n->text, wav, len, &n->audio_ms);
	return 0;
}

/* -- Routes -- */

struct rows {
	json_t *items;
	int64_t now;
};

static int notice_row(void *ctx, const struct ivr_notice *n)
{
	struct rows *x = ctx;

	return json_array_append_new(x->items, notice_json(n, x->now));
}

static int notices_list(struct req *r)
{
	struct ivr_notice *active = malloc(sizeof(*active));
	json_t *page;
	int rc = ivr_api_may_read(r), n;

	if (rc == 0 && !active)
		rc = ERR_NOMEM;
	if (rc == 0)
		rc = ivr_notice_active(r->store, r->now, active);
	if (rc < 0 && rc != ERR_NOTFOUND) {
		free(active);
		return rc;
	}
	page = json_pack("{s:[], s:n, s:o}", "items", "next_cursor", "active_id",
			 rc == 0 ? json_integer(active->id) : json_null());
	free(active);
	n = ivr_notice_list(r->store, notice_row,
			    &(struct rows){json_object_get(page, "items"), r->now});
	if (n < 0) {
		json_decref(page);
		return n;
	}
	return reply_json(r, 200, page);
}

static int notice_load(struct req *r, struct ivr_notice *n)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = ivr_notice_get(r->store, id, n);
	if (rc == ERR_NOTFOUND)
		rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "no such notice");
	return rc;
}

static int notice_get(struct req *r)
{
	struct ivr_notice n;
	int rc = ivr_api_may_read(r);

	if (rc == 0)
		rc = notice_load(r, &n);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, notice_json(&n, r->now));
}

/* What everyone's workbench shows: the notice in force now, and when to
 * ask again (the end of this one or the start of the next). */
static int notice_active(struct req *r)
{
	struct ivr_notice n;
	int64_t next = 0;
	int rc = ivr_notice_active(r->store, r->now, &n);
	json_t *cur;

	if (rc < 0 && rc != ERR_NOTFOUND)
		return rc;
	cur = rc == 0 ? json_pack("{s:I, s:s, s:I, s:I, s:I}", "id", (json_int_t)n.id, "text",
				  n.text, "starts_at", (json_int_t)n.starts_at, "ends_at",
				  (json_int_t)n.ends_at, "version", (json_int_t)n.version)
		      : json_null();
	rc = ivr_notice_next_change(r->store, r->now, &next);
	if (rc < 0) {
		json_decref(cur);
		return rc;
	}
	return reply_json(r, 200,
			  json_pack("{s:o, s:o, s:I}", "notice", cur, "next_change_at",
				    next ? json_integer(next) : json_null(), "now",
				    (json_int_t)r->now));
}

static json_t *notice_fields(const struct ivr_notice *n)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:I}", "text", n->text, "source", n->source,
			 "starts_at", (json_int_t)n->starts_at, "ends_at", (json_int_t)n->ends_at,
			 "audio_ms", (json_int_t)n->audio_ms);
}

static int notice_create(struct req *r)
{
	struct ivr_notice n;
	uint8_t *wav = NULL;
	size_t len = 0;
	int rc = notice_read(r, NULL, &n, &wav, &len);

	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	n.created_by = r->who.person_id;
	rc = ivr_notice_insert(r->store, &n, wav, len, r->now);
	if (rc == 0)
		rc = req_audit(r, "hotline.notice.create", "hotline_notice", n.id, "ok",
			       notice_fields(&n));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = reply_json(r, 201, notice_json(&n, r->now));
out:
	free(wav);
	return rc;
}

static int notice_update(struct req *r)
{
	struct ivr_notice cur, n;
	uint8_t *wav = NULL;
	size_t len = 0;
	json_t *changes = NULL;
	int rc = notice_load(r, &cur);

	/* Read and checked (and spoken) first; read again inside the transaction. */
	if (rc == 0)
		rc = notice_read(r, &cur, &n, &wav, &len);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	rc = ivr_notice_get(r->store, cur.id, &cur);
	if (rc == ERR_NOTFOUND)
		rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "no such notice");
	if (rc == 0)
		rc = ivr_api_version_check(r, cur.version);
	if (rc == 0) {
		changes = json_object();
		ivr_api_note_change(changes, "text", json_string(cur.text), json_string(n.text));
		ivr_api_note_change(changes, "source", json_string(cur.source),
				    json_string(n.source));
		ivr_api_note_change(changes, "starts_at", json_integer(cur.starts_at),
				    json_integer(n.starts_at));
		ivr_api_note_change(changes, "ends_at", json_integer(cur.ends_at),
				    json_integer(n.ends_at));
		if (wav)
			json_object_set_new(changes, "audio_ms",
					    json_pack("[I,I]", (json_int_t)cur.audio_ms,
						      (json_int_t)n.audio_ms));
	}
	if (rc == 0 && json_object_size(changes) > 0) {
		rc = ivr_notice_update(r->store, &n, wav, len, r->now);
		if (rc == 0)
			rc = req_audit(r, "hotline.notice.update", "hotline_notice", n.id, "ok",
				       json_pack("{s:I, s:O}", "version", (json_int_t)n.version,
						 "fields", changes));
	} else if (rc == 0) {
		n = cur;
	}
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = reply_json(r, 200, notice_json(&n, r->now));
out:
	json_decref(changes);
	free(wav);
	return rc;
}

static int notice_delete(struct req *r)
{
	struct ivr_notice n;
	int rc = store_begin(r->store);

	if (rc < 0)
		return rc;
	rc = notice_load(r, &n);
	if (rc == 0)
		rc = ivr_api_version_check(r, n.version);
	if (rc == 0)
		rc = ivr_notice_delete(r->store, n.id);
	if (rc == 0)
		rc = req_audit(r, "hotline.notice.delete", "hotline_notice", n.id, "ok",
			       notice_fields(&n));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, json_pack("{s:I, s:b}", "id", (json_int_t)n.id, "deleted", 1));
}

static int notice_audio(struct req *r)
{
	struct ivr_notice n;
	uint8_t *wav = NULL;
	size_t len = 0;
	int rc = ivr_api_may_read(r);

	if (rc == 0)
		rc = notice_load(r, &n);
	if (rc == 0)
		rc = ivr_notice_audio(r->store, n.id, &wav, &len);
	if (rc == 0)
		rc = buf_append(&r->text, wav, len);
	free(wav);
	if (rc < 0)
		return rc;
	r->content_type = "audio/wav";
	r->status = 200;
	return 0;
}

const struct route ivr_notice_routes[] = {
	{"GET", "/api/hotline/notices", notices_list, ACT_SELF},
	{"POST", "/api/hotline/notices", notice_create, ACT_HOTLINE_CONFIG},
	{"GET", "/api/hotline/notices/active", notice_active, ACT_SELF},
	{"GET", "/api/hotline/notices/{id}", notice_get, ACT_SELF},
	{"PUT", "/api/hotline/notices/{id}", notice_update, ACT_HOTLINE_CONFIG},
	{"DELETE", "/api/hotline/notices/{id}", notice_delete, ACT_HOTLINE_CONFIG},
	{"GET", "/api/hotline/notices/{id}/audio", notice_audio, ACT_SELF},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
