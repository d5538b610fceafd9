/*
 * The SQL of the hotline's call log (tables call and call_event, migration
 * 4). Nothing here begins or commits: the call engine writes each change
 * in its own short transaction, the API reads.
 */
#include <stdint.h>
#include <string.h>

#include "call/call_int.h"
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
	/* The values are read as int64_t: an int must be widened first. */
	int rc = store_run(s, "UPDATE call SET survey = ? WHERE id = ?", NULL, "ii", (int64_t)digit,
			   id);

	if (rc >= 0)
		rc = store_run(s,
			       "UPDATE contact SET satisfaction = ?"
			       " WHERE id = (SELECT contact_id FROM call WHERE id = ?)",
			       NULL, "ii", (int64_t)digit, id);
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
	" recording, recording_ms, metrics, direction, dropped"

/* A row of CALL_COLUMNS; status_col, when not -1, is an agent's status. */
/* A row of CALL_COLUMNS, without an agent's status. NULL reads as 0 or NULL. */
static int call_read(struct store_stmt *st, void *dst)
{
	struct call_row *c = dst;

	c->id = store_col_int(st, 0);
	c->sip_call_id = store_col_text(st, 1);
	c->caller = store_col_text(st, 2);
	c->called = store_col_text(st, 3);
	c->started_at = store_col_int(st, 4);
	c->answered_at = store_col_int(st, 5);
	c->ended_at = store_col_int(st, 6);
	c->ended_by = store_col_text(st, 7);
	c->route = store_col_text(st, 8);
	c->digits = store_col_text(st, 9);
	c->queue = store_col_text(st, 10);
	c->queued_at = store_col_int(st, 11);
	c->agent_id = store_col_int(st, 12);
	c->connected_at = store_col_int(st, 13);
	c->outcome = store_col_text(st, 14);
	c->hangup_first = store_col_text(st, 15);
	c->contact_id = store_col_int(st, 16);
	c->survey = (int)store_col_int(st, 17);
	c->recording = store_col_text(st, 18);
	c->recording_ms = store_col_int(st, 19);
	c->metrics = store_col_text(st, 20);
	c->direction = store_col_text_or(st, 21, "in");
	c->dropped = (int)store_col_int(st, 22);
	c->agent_status = NULL;
	return 0;
}

/* Gives the one row of st to row(), with the agent's status of status_col unless -1. */
static int call_one(struct store_stmt *st, int status_col, call_row_fn row, void *ctx)
{
	struct call_row c;
	int rc = store_next(st, call_read, &c);

	if (rc == 1) {
		if (status_col >= 0)
			c.agent_status = store_col_text(st, status_col);
		rc = row(ctx, &c);
	} else if (rc == 0) {
		rc = ERR_NOTFOUND;
	}
	return store_end(st, rc, 0);
}

int call_list(struct store *s, const struct call_filter *f, int limit, call_row_fn row, void *ctx)
{
	static const struct call_filter all = {0};
	struct store_stmt *st;
	struct call_row c;
	int rc, n = 0;

	if (!f)
		f = &all;
	st = store_query(
		s,
		"SELECT " CALL_COLUMNS " FROM call"
		" WHERE (?1 = 0 OR id < ?1) AND (?2 = 0 OR started_at >= ?2)"
		" AND (?3 = 0 OR started_at < ?3) AND (?4 IS NULL OR queue = ?4)"
		" AND (?5 IS NULL OR outcome = ?5) AND (?6 = 0 OR agent_id = ?6)"
		" AND (?7 IS NULL OR caller = ?7 OR (length(?7) = 4 AND substr(caller, -4) = ?7))"
		" AND (?9 IS NULL OR direction = ?9)"
		" ORDER BY id DESC LIMIT ?8",
		"iiittitit", f->before_id, f->from, f->to, f->queue, f->outcome, f->agent_id,
		f->number, (int64_t)limit, f->direction);
	while ((rc = store_next(st, call_read, &c)) == 1 && (rc = row(ctx, &c)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int call_get(struct store *s, int64_t id, call_row_fn row, void *ctx)
{
	return call_one(store_query(s, "SELECT " CALL_COLUMNS " FROM call WHERE id = ?", "i", id),
			-1, row, ctx);
}

static int event_read(struct store_stmt *st, void *dst)
{
	struct call_event_row *e = dst;

	e->id = store_col_int(st, 0);
	e->at = store_col_int(st, 1);
	e->kind = store_col_text(st, 2);
	e->detail = store_col_text(st, 3);
	return 0;
}

int call_event_list(struct store *s, int64_t call_id, call_event_fn row, void *ctx)
{
	struct store_stmt *st = store_query(
		s, "SELECT id, at, kind, detail FROM call_event WHERE call_id = ? ORDER BY id", "i",
		call_id);
	struct call_event_row e;
	int rc;

	while ((rc = store_next(st, event_read, &e)) == 1) {
		rc = row(ctx, &e);
		if (rc < 0)
			break;
	}
	return store_end(st, rc, 0);
}

static int queue_read(struct store_stmt *st, void *dst)
{
	struct call_queue *out = dst;

	memset(out, 0, sizeof(*out));
	STORE_COL_COPY(st, 0, out->code);
	STORE_COL_COPY(st, 1, out->name);
	STORE_COL_COPY(st, 2, out->skill); /* "" for NULL: any seat */
	STORE_COL_COPY(st, 3, out->strategy);
	out->max_wait_sec = (int)store_col_int(st, 4);
	out->announce_sec = (int)store_col_int(st, 5);
	return 0;
}

int call_queue_get(struct store *s, const char *code, struct call_queue *out)
{
	return store_one(store_query(s,
				     "SELECT code, name, skill, strategy, max_wait_sec,"
				     " announce_sec FROM acd_queue WHERE code = ?",
				     "t", code),
			 queue_read, out);
}

int call_candidate_read(struct store_stmt *st, void *dst)
{
	struct call_candidate *c = dst;

	c->person_id = store_col_int(st, 0);
	c->ready_since = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, c->work_no);
	STORE_COL_COPY(st, 3, c->name);
	STORE_COL_COPY(st, 4, c->contact);
	return 0;
}

int call_candidates(struct store *s, const char *skill, int64_t now, struct call_candidate *out,
		    int max)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT p.id, st.since, p.work_no, p.name,"
			    " (SELECT r.contact FROM sip_registration r"
			    "   WHERE r.person_id = p.id AND r.expires_at > ?1"
			    "   ORDER BY r.registered_at DESC, r.id DESC LIMIT 1) AS contact"
			    " FROM agent_state st JOIN person p ON p.id = st.person_id"
			    " WHERE st.status = 'ready' AND p.active = 1"
			    "  AND (?2 IS NULL OR EXISTS (SELECT 1 FROM person_skill k"
			    "   WHERE k.person_id = p.id AND k.skill = ?2))"
			    "  AND contact IS NOT NULL"
			    " ORDER BY st.since, p.id LIMIT ?3",
			    "iTi", now, skill, (int64_t)max);
	int rc = 0, n = 0;

	while (n < max && (rc = store_next(st, call_candidate_read, &out[n])) == 1)
		n++;
	return store_end(st, rc, n);
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
	return call_one(store_query(s,
				    "SELECT " CALL_COLUMNS
				    ", a.status FROM agent_state a JOIN call c ON c.id = a.call_id"
				    " WHERE a.person_id = ? AND a.status IN ('ringing', 'talking')"
				    " AND c.ended_at IS NULL",
				    "i", person_id),
			23, row, ctx);
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
	struct store_stmt *st = store_query(
		s, "SELECT person_id FROM agent_state WHERE status IN ('ringing', 'talking')", "");
	int rc = 0, n = 0;

	while (n < max && (rc = store_next(st, NULL, NULL)) == 1)
		ids[n++] = store_col_int(st, 0);
	return store_end(st, rc, n);
}
