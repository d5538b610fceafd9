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
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/utf8.h"
#include "http/http.h"
#include "rec/rec.h"

/* The writer's names are YYYY/MM/DD/<id>[-n].wav; anything else in the
 * column (a restored or edited database) is not opened. */
static int name_safe(const char *name)
{
	if (name[0] == '/' || strstr(name, ".."))
		return 0;
	return strspn(name, "0123456789/-.wav") == strlen(name);
}

static int recording_play(struct req *r)
{
	struct auth_target t = {0, 0};
	const char *range;
	char file[256], path[600], disposition[64];
	int64_t id, agent_id = 0;
	int fd, rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = rec_of_call(r->store, id, &agent_id, file, sizeof(file));
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
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			return ERR_IO;
		log_warn("rec: call %lld: the recording %s is missing", (long long)id, path);
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "the recording's file is missing");
	}
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

const struct route rec_routes[] = {
	{"GET", "/api/calls/{id}/recording", recording_play, ACT_CALL_RECORDING},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
