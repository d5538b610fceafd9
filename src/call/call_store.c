/*
 * The SQL of the hotline's call log (tables call and call_event, migration
 * 4). Nothing here begins or commits: the call engine writes each change
 * in its own short transaction, the API reads.
 */
#include <stdint.h>
#include <string.h>

#include "call/call.h"
#include "core/err.h"
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

int call_set_ended(struct store *s, int64_t id, int64_t now, const char *ended_by,
		   const char *outcome)
{
	int rc = store_run(s,
			   "UPDATE call SET ended_at = ?, ended_by = ?,"
			   " outcome = COALESCE(outcome, ?) WHERE id = ?",
			   NULL, "itti", now, ended_by, outcome, id);

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
	int rc =
		store_run(s, "UPDATE call SET agent_id = ? WHERE id = ?", NULL, "ii", agent_id, id);

	return rc < 0 ? rc : 0;
}

int call_set_connected(struct store *s, int64_t id, int64_t agent_id, int64_t now)
{
	/* A transferred call keeps the time its first agent answered (ASA). */
	int rc = store_run(s,
			   "UPDATE call SET agent_id = ?, connected_at = COALESCE(connected_at, ?)"
			   " WHERE id = ?",
			   NULL, "iii", agent_id, now, id);

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

	if (rc >= 0)
		rc = store_run(s, "UPDATE contact SET call_id = ? WHERE id = ?", NULL, "ii", id,
			       contact_id);
	return rc < 0 ? rc : 0;
}

int call_set_offer(struct store *s, int64_t person_id, int64_t call_id)
{
	int rc = store_run(s, "UPDATE agent_state SET call_id = ? WHERE person_id = ?", NULL, "ii",
			   call_id, person_id);

	return rc < 0 ? rc : 0;
}

int call_set_contact_ended(struct store *s, int64_t contact_id, int64_t ended_at)
{
	int rc = store_run(s, "UPDATE contact SET ended_at = ? WHERE id = ? AND started_at <= ?",
			   NULL, "iii", ended_at, contact_id, ended_at);

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
	" digits, queue, queued_at, agent_id, connected_at, outcome, hangup_first, contact_id, "   \
	"survey,"                                                                                  \
	" recording, recording_ms, metrics"

static const char *opt_col(struct store_stmt *st, int i)
{
	return store_col_null(st, i) ? NULL : store_col_text(st, i);
}

static int64_t opt_int(struct store_stmt *st, int i)
{
	return store_col_null(st, i) ? 0 : store_col_int(st, i);
}

/* A row of CALL_COLUMNS; status_col, when not -1, is an agent's status. */
static int emit_row(struct store_stmt *st, int status_col, call_row_fn row, void *ctx)
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
	c.agent_status = status_col >= 0 ? opt_col(st, status_col) : NULL;
	return row(ctx, &c);
}

static int emit(struct store_stmt *st, call_row_fn row, void *ctx)
{
	return emit_row(st, -1, row, ctx);
}

int call_list(struct store *s, const struct call_filter *f, int limit, call_row_fn row, void *ctx)
{
	static const struct call_filter all = {0};
	struct store_stmt *st = store_prepare(
		s,
		"SELECT " CALL_COLUMNS " FROM call"
		" WHERE (?1 = 0 OR id < ?1) AND (?2 = 0 OR started_at >= ?2)"
		" AND (?3 = 0 OR started_at < ?3) AND (?4 IS NULL OR queue = ?4)"
		" AND (?5 IS NULL OR outcome = ?5) AND (?6 = 0 OR agent_id = ?6)"
		" AND (?7 IS NULL OR caller = ?7 OR (length(?7) = 4 AND substr(caller, -4) = ?7))"
		" ORDER BY id DESC LIMIT ?8");
	int rc, n = 0;

	if (!f)
		f = &all;
	if (!st)
		return ERR_IO;
	store_bind_int(st, 1, f->before_id);
	store_bind_int(st, 2, f->from);
	store_bind_int(st, 3, f->to);
	store_bind_text(st, 4, f->queue);
	store_bind_text(st, 5, f->outcome);
	store_bind_int(st, 6, f->agent_id);
	store_bind_text(st, 7, f->number);
	store_bind_int(st, 8, limit);
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

int call_queue_get(struct store *s, const char *code, struct call_queue *out)
{
	struct store_stmt *st = store_prepare(s, "SELECT code, name, skill, strategy, max_wait_sec,"
						 " announce_sec FROM acd_queue WHERE code = ?");
	int rc;

	if (!st)
		return ERR_IO;
	store_bind_text(st, 1, code);
	rc = store_step(st);
	if (rc == 1) {
		memset(out, 0, sizeof(*out));
		store_col_copy(st, 0, out->code, sizeof(out->code));
		store_col_copy(st, 1, out->name, sizeof(out->name));
		if (!store_col_null(st, 2))
			store_col_copy(st, 2, out->skill, sizeof(out->skill));
		store_col_copy(st, 3, out->strategy, sizeof(out->strategy));
		out->max_wait_sec = (int)store_col_int(st, 4);
		out->announce_sec = (int)store_col_int(st, 5);
		rc = 0;
	} else if (rc == 0) {
		rc = ERR_NOTFOUND;
	}
	store_done(st);
	return rc;
}

int call_candidates(struct store *s, const char *skill, int64_t now, struct call_candidate *out,
		    int max)
{
	struct store_stmt *st =
		store_prepare(s, "SELECT p.id, st.since, p.work_no, p.name,"
				 " (SELECT r.contact FROM sip_registration r"
				 "   WHERE r.person_id = p.id AND r.expires_at > ?1"
				 "   ORDER BY r.registered_at DESC, r.id DESC LIMIT 1) AS contact"
				 " FROM agent_state st JOIN person p ON p.id = st.person_id"
				 " WHERE st.status = 'ready' AND p.active = 1"
				 "  AND (?2 IS NULL OR EXISTS (SELECT 1 FROM person_skill k"
				 "   WHERE k.person_id = p.id AND k.skill = ?2))"
				 "  AND contact IS NOT NULL"
				 " ORDER BY st.since, p.id LIMIT ?3");
	int rc, n = 0;

	if (!st)
		return ERR_IO;
	store_bind_int(st, 1, now);
	if (skill && skill[0])
		store_bind_text(st, 2, skill);
	else
		store_bind_null(st, 2);
	store_bind_int(st, 3, max);
	while ((rc = store_step(st)) == 1 && n < max) {
		struct call_candidate *c = &out[n++];

		c->person_id = store_col_int(st, 0);
		c->ready_since = store_col_int(st, 1);
		store_col_copy(st, 2, c->work_no, sizeof(c->work_no));
		store_col_copy(st, 3, c->name, sizeof(c->name));
		store_col_copy(st, 4, c->contact, sizeof(c->contact));
	}
	store_done(st);
	return rc < 0 ? rc : n;
}

int call_queue_agents(struct store *s, const char *skill, int *out)
{
	int64_t n = 0;
	int rc;

	if (skill && skill[0])
		rc = store_run(s,
			       "SELECT count(*) FROM agent_state st JOIN person_skill k"
			       " ON k.person_id = st.person_id AND k.skill = ?"
			       " WHERE st.status <> 'logged_out'",
			       &n, "t", skill);
	else
		rc = store_run(s, "SELECT count(*) FROM agent_state WHERE status <> 'logged_out'",
			       &n, "");
	*out = (int)n;
	return rc < 0 ? rc : 0;
}

int call_queue_talk_ms(struct store *s, const char *queue, int64_t since, int64_t *out)
{
	int rc = store_run(
		s,
		"SELECT CAST(COALESCE(avg(ended_at - connected_at), 0) AS INTEGER) FROM call"
		" WHERE queued_at >= ? AND queue = ? AND connected_at IS NOT NULL"
		" AND ended_at IS NOT NULL",
		out, "it", since, queue);

	return rc < 0 ? rc : 0;
}

/*
 * One statement, so the call and the person's status are read in one
 * snapshot: the call of their latest offer, while they ring for it or
 * talk on it (after a transfer or their hang-up it is not theirs, though
 * the call may still name them until the queue offers it again).
 */
int call_current_of(struct store *s, int64_t person_id, call_row_fn row, void *ctx)
{
	struct store_stmt *st =
		store_prepare(s, "SELECT " CALL_COLUMNS
				 ", a.status FROM agent_state a JOIN call c ON c.id = a.call_id"
				 " WHERE a.person_id = ? AND a.status IN ('ringing', 'talking')"
				 " AND c.ended_at IS NULL");
	int rc;

	if (!st)
		return ERR_IO;
	store_bind_int(st, 1, person_id);
	rc = store_step(st);
	if (rc == 1)
		rc = emit_row(st, 21, row, ctx);
	else if (rc == 0)
		rc = ERR_NOTFOUND;
	store_done(st);
	return rc < 0 ? rc : 0;
}

int call_close_open(struct store *s, int64_t now)
{
	int rc = store_run(s,
			   "INSERT INTO call_event(call_id, at, kind, detail)"
			   " SELECT id, ?, 'ended', '{\"by\":\"kefu\",\"reason\":\"restart\"}'"
			   " FROM call WHERE ended_at IS NULL",
			   NULL, "i", now);

	if (rc >= 0)
		rc = store_run(s,
			       "UPDATE call SET ended_at = ?, ended_by = 'kefu',"
			       " outcome = COALESCE(outcome, CASE"
			       "  WHEN connected_at IS NOT NULL THEN 'answered'"
			       "  WHEN queued_at IS NOT NULL THEN 'abandoned' ELSE 'ivr' END)"
			       " WHERE ended_at IS NULL",
			       NULL, "i", now);
	return rc < 0 ? rc : store_changes(s);
}

int call_held_agents(struct store *s, int64_t *ids, int max)
{
	struct store_stmt *st = store_prepare(
		s, "SELECT person_id FROM agent_state WHERE status IN ('ringing', 'talking')");
	int rc, n = 0;

	if (!st)
		return ERR_IO;
	while (n < max && (rc = store_step(st)) == 1)
		ids[n++] = store_col_int(st, 0);
	store_done(st);
	return n < max && rc < 0 ? rc : n;
}
