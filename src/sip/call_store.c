/*
 * The SQL of the hotline's call log (tables call and call_event, migration
 * 4). Nothing here begins or commits: the call engine writes each change
 * in its own short transaction, the API reads.
 */
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "sip/sip.h"
#include "store/store.h"

int call_insert(struct store *s, const char *sip_call_id, const char *caller, const char *called,
		int64_t now, int64_t *id)
{
	int rc = store_run(s,
			   "INSERT INTO call(sip_call_id, caller, called, started_at)"
			   " VALUES (?, ?, ?, ?) RETURNING id",
			   id, "ttti", sip_call_id, caller, called, now);

	return rc < 0 ? rc : 0;
}

int call_set_answered(struct store *s, int64_t id, int64_t now)
{
	int rc = store_run(s, "UPDATE call SET answered_at = ? WHERE id = ?", NULL, "ii", now, id);

	return rc < 0 ? rc : 0;
}

int call_set_progress(struct store *s, int64_t id, const char *route, const char *digits)
{
	int rc = store_run(s, "UPDATE call SET route = ?, digits = ? WHERE id = ?", NULL, "tti",
			   route && route[0] ? route : NULL, digits ? digits : "", id);

	return rc < 0 ? rc : 0;
}

int call_set_ended(struct store *s, int64_t id, int64_t now, const char *ended_by)
{
	int rc = store_run(s, "UPDATE call SET ended_at = ?, ended_by = ? WHERE id = ?", NULL,
			   "iti", now, ended_by, id);

	return rc < 0 ? rc : 0;
}

int call_set_queued(struct store *s, int64_t id, const char *queue, int64_t now)
{
	int rc = store_run(s, "UPDATE call SET queue = ?, queued_at = ? WHERE id = ?", NULL, "tii",
			   queue, now, id);

	return rc < 0 ? rc : 0;
}

int call_set_agent(struct store *s, int64_t id, int64_t agent_id)
{
	int rc = store_run(s, "UPDATE call SET agent_id = ? WHERE id = ?", NULL, "ii", agent_id, id);

	return rc < 0 ? rc : 0;
}

int call_set_connected(struct store *s, int64_t id, int64_t agent_id, int64_t now)
{
	int rc = store_run(s, "UPDATE call SET agent_id = ?, connected_at = ? WHERE id = ?", NULL,
			   "iii", agent_id, now, id);

	return rc < 0 ? rc : 0;
}

int call_set_outcome(struct store *s, int64_t id, const char *outcome)
{
	int rc = store_run(s, "UPDATE call SET outcome = ? WHERE id = ?", NULL, "ti", outcome, id);

	return rc < 0 ? rc : 0;
}

int call_set_hangup_first(struct store *s, int64_t id, const char *who)
{
	int rc = store_run(s,
			   "UPDATE call SET hangup_first = ? WHERE id = ? AND hangup_first IS NULL",
			   NULL, "ti", who, id);

	return rc < 0 ? rc : 0;
}

int call_set_contact(struct store *s, int64_t id, int64_t contact_id)
{
	int rc = store_run(s, "UPDATE call SET contact_id = ? WHERE id = ?", NULL, "ii", contact_id,
			   id);

	return rc < 0 ? rc : 0;
}

int call_set_survey(struct store *s, int64_t id, int digit)
{
	int rc = store_run(s, "UPDATE call SET survey = ? WHERE id = ?", NULL, "ii", digit, id);

	if (rc >= 0)
		rc = store_run(s,
			       "UPDATE contact SET satisfaction = ?"
			       " WHERE id = (SELECT contact_id FROM call WHERE id = ?)",
			       NULL, "ii", digit, id);
	return rc < 0 ? rc : 0;
}

int call_set_recording(struct store *s, int64_t id, const char *file, int64_t ms)
{
	int rc = store_run(s, "UPDATE call SET recording = ?, recording_ms = ? WHERE id = ?", NULL,
			   "tii", file, ms, id);

	return rc < 0 ? rc : 0;
}

int call_merge_metrics(struct store *s, int64_t id, const char *json_object)
{
	int rc = store_run(s,
			   "UPDATE call SET metrics = json_patch(COALESCE(metrics, '{}'), ?)"
			   " WHERE id = ?",
			   NULL, "ti", json_object, id);

	return rc < 0 ? rc : 0;
}

int call_event_add(struct store *s, int64_t call_id, int64_t now, const char *kind,
		   const char *detail)
{
	int rc = store_run(s,
			   "INSERT INTO call_event(call_id, at, kind, detail) VALUES (?, ?, ?, ?)",
			   NULL, "iitt", call_id, now, kind, detail);

	return rc < 0 ? rc : 0;
}

#define CALL_COLUMNS                                                                               \
	"id, sip_call_id, caller, called, started_at, answered_at, ended_at, ended_by, route,"     \
	" digits, queue, queued_at, agent_id, connected_at, outcome, hangup_first, contact_id, survey,"  \
	" recording, recording_ms, metrics"

static const char *opt_col(struct store_stmt *st, int i)
{
	return store_col_null(st, i) ? NULL : store_col_text(st, i);
}

static int64_t opt_int(struct store_stmt *st, int i)
{
	return store_col_null(st, i) ? 0 : store_col_int(st, i);
}

static int emit(struct store_stmt *st, call_row_fn row, void *ctx)
{
	struct call_row c;

	c.id = store_col_int(st, 0);
	c.sip_call_id = store_col_text(st, 1);
	c.caller = store_col_text(st, 2);
	c.called = store_col_text(st, 3);
	c.started_at = store_col_int(st, 4);
	c.answered_at = store_col_null(st, 5) ? 0 : store_col_int(st, 5);
	c.ended_at = store_col_null(st, 6) ? 0 : store_col_int(st, 6);
	c.ended_by = store_col_null(st, 7) ? NULL : store_col_text(st, 7);
	c.route = store_col_null(st, 8) ? NULL : store_col_text(st, 8);
	c.digits = store_col_text(st, 9);
	c.queue = opt_col(st, 10);
	c.queued_at = opt_int(st, 11);
	c.agent_id = opt_int(st, 12);
	c.connected_at = opt_int(st, 13);
	c.outcome = opt_col(st, 14);
	c.hangup_first = opt_col(st, 15);
	c.contact_id = opt_int(st, 16);
	c.survey = (int)opt_int(st, 17);
	c.recording = opt_col(st, 18);
	c.recording_ms = opt_int(st, 19);
	c.metrics = opt_col(st, 20);
	return row(ctx, &c);
}

int call_list(struct store *s, int64_t before_id, int limit, call_row_fn row, void *ctx)
{
	struct store_stmt *st = store_prepare(s, "SELECT " CALL_COLUMNS " FROM call"
						 " WHERE ? = 0 OR id < ? ORDER BY id DESC LIMIT ?");
	int rc, n = 0;

	if (!st)
		return ERR_IO;
	store_bind_int(st, 1, before_id);
	store_bind_int(st, 2, before_id);
	store_bind_int(st, 3, limit);
	while ((rc = store_step(st)) == 1) {
		rc = emit(st, row, ctx);
		if (rc < 0)
			break;
		n++;
	}
	store_done(st);
	return rc < 0 ? rc : n;
}

int call_get(struct store *s, int64_t id, call_row_fn row, void *ctx)
{
	struct store_stmt *st = store_prepare(s, "SELECT " CALL_COLUMNS " FROM call WHERE id = ?");
	int rc;

	if (!st)
		return ERR_IO;
	store_bind_int(st, 1, id);
	rc = store_step(st);
	if (rc == 1)
		rc = emit(st, row, ctx);
	else if (rc == 0)
		rc = ERR_NOTFOUND;
	store_done(st);
	return rc < 0 ? rc : 0;
}

int call_event_list(struct store *s, int64_t call_id, call_event_fn row, void *ctx)
{
	struct store_stmt *st = store_prepare(
		s, "SELECT id, at, kind, detail FROM call_event WHERE call_id = ? ORDER BY id");
	int rc;

	if (!st)
		return ERR_IO;
	store_bind_int(st, 1, call_id);
	while ((rc = store_step(st)) == 1) {
		struct call_event_row e = {store_col_int(st, 0), store_col_int(st, 1),
					   store_col_text(st, 2),
					   store_col_null(st, 3) ? NULL : store_col_text(st, 3)};

		rc = row(ctx, &e);
		if (rc < 0)
			break;
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}
