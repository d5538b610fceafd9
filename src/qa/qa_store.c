/*
 * The SQL of the automatic check: rules and their versions, transcripts,
 * checks and hits (migration 20), the checker's cursor and recheck queue
 * (migration 22), and what it reads of the call log (call, call_event and
 * the contact's class, written by src/call/ and src/cust/) with its own
 * statements. Nothing here begins or commits.
 */
#include <string.h>

#include "core/err.h"
#include "qa/qa.h"
#include "store/store.h"

/* -- rules -- */

static int rule_read(struct store_stmt *st, void *dst)
{
	struct qa_rule_row *r = dst;
	const char *body;

	r->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, r->code);
	STORE_COL_COPY(st, 2, r->name);
	r->active = (int)store_col_int(st, 3);
	r->version = (int)store_col_int(st, 4);
	r->seeded = (int)store_col_int(st, 5);
	r->created_at = store_col_int(st, 6);
	r->updated_at = store_col_int(st, 7);
	body = store_col_text_or(st, 8, "");
	buf_reset(&r->body);
	return buf_puts(&r->body, body);
}

int qa_rule_list(struct store *s, int active_only, qa_rule_fn fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT r.id, r.code, r.name, r.active, r.version, r.seeded, r.created_at,"
		" r.updated_at, v.body FROM qa_rule r"
		" JOIN qa_rule_version v ON v.rule_id = r.id AND v.version = r.version"
		" WHERE (?1 = 0 OR r.active = 1) ORDER BY r.id",
		"i", (int64_t)active_only);
	struct qa_rule_row r;
	int rc, n = 0;

	memset(&r, 0, sizeof(r));
	while ((rc = store_next(st, rule_read, &r)) == 1 && (rc = fn(ctx, &r)) >= 0)
		n++;
	buf_release(&r.body);
	return store_end(st, rc, n);
}

int qa_rule_get(struct store *s, int64_t id, struct qa_rule_row *out)
{
	return store_one(store_query(s,
				     "SELECT r.id, r.code, r.name, r.active, r.version, r.seeded,"
				     " r.created_at, r.updated_at, v.body FROM qa_rule r"
				     " JOIN qa_rule_version v ON v.rule_id = r.id"
				     " AND v.version = r.version WHERE r.id = ?",
				     "i", id),
			 rule_read, out);
}

static int body_read(struct store_stmt *st, void *dst)
{
	return buf_puts(dst, store_col_text_or(st, 0, ""));
}

int qa_rule_version_body(struct store *s, int64_t id, int version, struct buf *out)
{
	return store_one(
		store_query(s, "SELECT body FROM qa_rule_version WHERE rule_id = ? AND version = ?",
			    "ii", id, (int64_t)version),
		body_read, out);
}

int qa_rule_create(struct store *s, const char *code, const char *name, const char *body,
		   int active, int seeded, int64_t by, int64_t now, int64_t *id)
{
	int rc = store_run(s, "SELECT 1 FROM qa_rule WHERE code = ?", NULL, "t", code);

	if (rc < 0)
		return rc;
	if (rc == 1)
		return ERR_CONFLICT;
	rc = store_run(s,
		       "INSERT INTO qa_rule(code, name, active, version, seeded, created_at,"
		       " updated_at) VALUES (?, ?, ?, 1, ?, ?, ?) RETURNING id",
		       id, "ttiiii", code, name, (int64_t)(active ? 1 : 0),
		       (int64_t)(seeded ? 1 : 0), now, now);
	if (rc < 0)
		return rc;
	rc = store_run(s,
		       "INSERT INTO qa_rule_version(rule_id, version, body, created_by, created_at)"
		       " VALUES (?, 1, ?, ?, ?)",
		       NULL, "itdi", *id, body, by, now);
	return rc < 0 ? rc : 0;
}

int qa_rule_change(struct store *s, int64_t id, const char *name, const char *body, int64_t by,
		   int64_t now, int *version)
{
	int64_t v = 0;
	int rc = store_run(s,
			   "UPDATE qa_rule SET version = version + 1, name = ?, updated_at = ?"
			   " WHERE id = ? RETURNING version",
			   &v, "tii", name, now, id);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_NOTFOUND;
	rc = store_run(s,
		       "INSERT INTO qa_rule_version(rule_id, version, body, created_by, created_at)"
		       " VALUES (?, ?, ?, ?, ?)",
		       NULL, "iitdi", id, v, body, by, now);
	if (rc < 0)
		return rc;
	*version = (int)v;
	return 0;
}

int qa_rule_set_active(struct store *s, int64_t id, int active, int64_t now)
{
	int rc = store_run(s, "UPDATE qa_rule SET active = ?, updated_at = ? WHERE id = ?", NULL,
			   "iii", (int64_t)(active ? 1 : 0), now, id);

	if (rc < 0)
		return rc;
	return store_changes(s) == 1 ? 0 : ERR_NOTFOUND;
}

static int version_read(struct store_stmt *st, void *dst)
{
	struct qa_version_row *v = dst;

	v->version = (int)store_col_int(st, 0);
	v->created_by = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, v->created_by_name);
	v->created_at = store_col_int(st, 3);
	buf_reset(&v->body);
	return buf_puts(&v->body, store_col_text_or(st, 4, ""));
}

int qa_rule_versions(struct store *s, int64_t id, qa_version_fn fn, void *ctx)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT v.version, v.created_by, p.name, v.created_at, v.body FROM "
			    "qa_rule_version v"
			    " LEFT JOIN person p ON p.id = v.created_by WHERE v.rule_id = ?"
			    " ORDER BY v.version DESC",
			    "i", id);
	struct qa_version_row v;
	int rc, n = 0;

	memset(&v, 0, sizeof(v));
	while ((rc = store_next(st, version_read, &v)) == 1 && (rc = fn(ctx, &v)) >= 0)
		n++;
	buf_release(&v.body);
	return store_end(st, rc, n);
}

int qa_rule_generation(struct store *s, int64_t *out)
{
	/* Every change bumps a version, a switch or updated_at; the sum of them
	 * moves with any change, and the count with a new rule. */
	int rc = store_run(s,
			   "SELECT count(*) * 1000003 + total(version) * 7919 + total(active * id)"
			   " + coalesce(max(updated_at), 0) FROM qa_rule",
			   out, "");

	return rc < 0 ? rc : 0;
}

/* -- transcripts -- */

int qa_transcript_save(struct store *s, const char *kind, int64_t ref_id, const char *source,
		       const char *body, int64_t now)
{
	int rc = store_run(s,
			   "INSERT INTO qa_transcript(kind, ref_id, source, body, created_at)"
			   " VALUES (?, ?, ?, ?, ?) ON CONFLICT(kind, ref_id) DO UPDATE SET"
			   " source = excluded.source, body = excluded.body,"
			   " created_at = excluded.created_at",
			   NULL, "titti", kind, ref_id, source, body, now);

	return rc < 0 ? rc : 0;
}

int qa_transcript_put(struct store *s, const char *kind, int64_t ref_id, const char *source,
		      const char *body, int64_t now, int *replaced)
{
	int rc = store_run(s, "SELECT 1 FROM qa_transcript WHERE kind = ? AND ref_id = ?", NULL,
			   "ti", kind, ref_id);

	if (rc < 0)
		return rc;
	*replaced = rc == 1;
	rc = qa_transcript_save(s, kind, ref_id, source, body, now);
	if (rc < 0)
		return rc;
	rc = store_run(s,
		       "INSERT INTO qa_recheck(kind, ref_id, queued_at) VALUES (?, ?, ?)"
		       " ON CONFLICT(kind, ref_id) DO UPDATE SET queued_at = excluded.queued_at",
		       NULL, "tii", kind, ref_id, now);
	return rc < 0 ? rc : 0;
}

static int transcript_read(struct store_stmt *st, void *dst)
{
	struct qa_transcript_row *t = dst;

	t->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, t->kind);
	t->ref_id = store_col_int(st, 2);
	STORE_COL_COPY(st, 3, t->source);
	t->created_at = store_col_int(st, 4);
	buf_reset(&t->body);
	return buf_puts(&t->body, store_col_text_or(st, 5, ""));
}

int qa_transcript_get(struct store *s, const char *kind, int64_t ref_id,
		      struct qa_transcript_row *out)
{
	return store_one(store_query(s,
				     "SELECT id, kind, ref_id, source, created_at, body"
				     " FROM qa_transcript WHERE kind = ? AND ref_id = ?",
				     "ti", kind, ref_id),
			 transcript_read, out);
}

/* -- checks and hits -- */

int qa_check_replace(struct store *s, struct qa_check_row *c, const struct qa_hit_row *hits,
		     size_t n)
{
	int rc = store_run(
		s,
		"INSERT INTO qa_check(kind, ref_id, agent_id, contact_at, checked_at, transcript,"
		" score, fatal, hits, high) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT(kind, ref_id) DO UPDATE SET agent_id = excluded.agent_id,"
		" contact_at = excluded.contact_at, checked_at = excluded.checked_at,"
		" transcript = excluded.transcript, score = excluded.score,"
		" fatal = excluded.fatal, hits = excluded.hits, high = excluded.high"
		" RETURNING id",
		&c->id, "tidiiiiiii", c->kind, c->ref_id, c->agent_id, c->contact_at, c->checked_at,
		(int64_t)c->transcript, (int64_t)c->score, (int64_t)c->fatal, (int64_t)c->hits,
		(int64_t)c->high);

	if (rc < 0)
		return rc;
	rc = store_run(s, "DELETE FROM qa_hit WHERE check_id = ?", NULL, "i", c->id);
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		const struct qa_hit_row *h = &hits[i];

		rc = store_run(
			s,
			"INSERT INTO qa_hit(check_id, rule_id, rule_version, severity, score,"
			" fatal, utterance, char_offset, char_len, at_ms, text, better, missing)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			NULL, "iiitiinnnntTi", c->id, h->rule_id, (int64_t)h->rule_version,
			h->severity, (int64_t)h->score, (int64_t)h->fatal, (int64_t)h->utterance,
			(int64_t)h->char_offset, (int64_t)(h->utterance < 0 ? -1 : h->char_len),
			h->at_ms, h->text, h->better, (int64_t)(h->missing != 0));
	}
	return rc < 0 ? rc : 0;
}

#define CHECK_COLS                                                                                 \
	"SELECT c.id, c.kind, c.ref_id, c.agent_id, p.work_no, p.name, c.contact_at,"              \
	" c.checked_at, c.transcript, c.score, c.fatal, c.hits, c.high FROM qa_check c"            \
	" LEFT JOIN person p ON p.id = c.agent_id"

static int check_read(struct store_stmt *st, void *dst)
{
	struct qa_check_row *c = dst;

	memset(c, 0, sizeof(*c));
	c->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, c->kind);
	c->ref_id = store_col_int(st, 2);
	c->agent_id = store_col_int(st, 3);
	STORE_COL_COPY(st, 4, c->agent_work_no);
	STORE_COL_COPY(st, 5, c->agent_name);
	c->contact_at = store_col_int(st, 6);
	c->checked_at = store_col_int(st, 7);
	c->transcript = (int)store_col_int(st, 8);
	c->score = (int)store_col_int(st, 9);
	c->fatal = (int)store_col_int(st, 10);
	c->hits = (int)store_col_int(st, 11);
	c->high = (int)store_col_int(st, 12);
	return 0;
}

int qa_check_list(struct store *s, const struct qa_check_filter *f, qa_check_fn fn, void *ctx)
{
	struct store_sql q = STORE_SQL_INIT;
	struct store_stmt *st;
	struct qa_check_row c;
	int rc, n = 0;

	store_sql_add(&q, CHECK_COLS " WHERE 1 = 1", "");
	if (f->agent_id)
		store_sql_add(&q, " AND c.agent_id = ?", "i", f->agent_id);
	if (f->kind)
		store_sql_add(&q, " AND c.kind = ?", "t", f->kind);
	if (f->from)
		store_sql_add(&q, " AND c.contact_at >= ?", "i", f->from);
	if (f->to)
		store_sql_add(&q, " AND c.contact_at < ?", "i", f->to);
	if (f->max_score >= 0)
		store_sql_add(&q, " AND c.score <= ?", "i", (int64_t)f->max_score);
	if (f->fatal >= 0)
		store_sql_add(&q, " AND c.fatal = ?", "i", (int64_t)f->fatal);
	if (f->rule_id)
		store_sql_add(&q,
			      " AND EXISTS (SELECT 1 FROM qa_hit h WHERE h.check_id = c.id"
			      " AND h.rule_id = ?)",
			      "i", f->rule_id);
	if (f->cursor)
		store_sql_add(&q, " AND c.id < ?", "i", f->cursor);
	store_sql_add(&q, " ORDER BY c.id DESC LIMIT ?", "i", (int64_t)f->limit);
	st = store_sql_prepare(s, &q);
	while ((rc = store_next(st, check_read, &c)) == 1 && (rc = fn(ctx, &c)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int qa_check_get(struct store *s, const char *kind, int64_t ref_id, struct qa_check_row *out)
{
	return store_one(
		store_query(s, CHECK_COLS " WHERE c.kind = ? AND c.ref_id = ?", "ti", kind, ref_id),
		check_read, out);
}

static int hit_read(struct store_stmt *st, void *dst)
{
	struct qa_hit_row *h = dst;

	memset(h, 0, sizeof(*h));
	h->id = store_col_int(st, 0);
	h->rule_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, h->rule_code);
	STORE_COL_COPY(st, 3, h->rule_name);
	h->rule_version = (int)store_col_int(st, 4);
	STORE_COL_COPY(st, 5, h->severity);
	h->score = (int)store_col_int(st, 6);
	h->fatal = (int)store_col_int(st, 7);
	h->utterance = (int)store_col_int_or(st, 8, -1);
	h->char_offset = (int)store_col_int_or(st, 9, -1);
	h->char_len = (int)store_col_int_or(st, 10, 0);
	h->at_ms = store_col_int_or(st, 11, -1);
	STORE_COL_COPY(st, 12, h->text);
	STORE_COL_COPY(st, 13, h->better);
	h->missing = (int)store_col_int(st, 14);
	return 0;
}

int qa_hit_list(struct store *s, int64_t check_id, qa_hit_fn fn, void *ctx)
{
	/* The rule's name is the one of the version the hit used (a later
	 * rename does not rewrite what was found). */
	struct store_stmt *st = store_query(
		s,
		"SELECT h.id, h.rule_id, r.code,"
		" coalesce(json_extract(v.body, '$.name'), r.name), h.rule_version, h.severity,"
		" h.score, h.fatal, h.utterance, h.char_offset, h.char_len, h.at_ms, h.text,"
		" h.better, h.missing FROM qa_hit h JOIN qa_rule r ON r.id = h.rule_id"
		" LEFT JOIN qa_rule_version v ON v.rule_id = h.rule_id AND v.version = "
		"h.rule_version"
		" WHERE h.check_id = ? ORDER BY coalesce(h.at_ms, -1), h.utterance, h.char_offset, "
		"h.id",
		"i", check_id);
	struct qa_hit_row h;
	int rc, n = 0;

	while ((rc = store_next(st, hit_read, &h)) == 1 && (rc = fn(ctx, &h)) >= 0)
		n++;
	return store_end(st, rc, n);
}

/* -- the call log, read for the checker -- */

#define CALL_COLS                                                                                  \
	"SELECT c.id, c.agent_id, c.started_at, c.connected_at, c.ended_at, c.contact_id,"         \
	" c.recording IS NOT NULL AND c.recording_ms IS NOT NULL, c.recording_ms,"                 \
	" coalesce(k.class, ''), c.metrics FROM call c LEFT JOIN contact k ON k.id = c.contact_id"

static int call_read(struct store_stmt *st, void *dst)
{
	struct qa_call_row *c = dst;
	int rc;

	c->id = store_col_int(st, 0);
	c->agent_id = store_col_int(st, 1);
	c->started_at = store_col_int(st, 2);
	c->connected_at = store_col_int(st, 3);
	c->ended_at = store_col_int(st, 4);
	c->contact_id = store_col_int(st, 5);
	c->has_recording = (int)store_col_int(st, 6);
	c->recording_ms = store_col_int(st, 7);
	STORE_COL_COPY(st, 8, c->contact_class);
	buf_reset(&c->metrics);
	rc = buf_puts(&c->metrics, store_col_text_or(st, 9, ""));
	return rc;
}

int qa_call_get(struct store *s, int64_t id, struct qa_call_row *out)
{
	return store_one(store_query(s, CALL_COLS " WHERE c.id = ?", "i", id), call_read, out);
}

static int event_step(struct store_stmt *st, qa_event_fn fn, void *ctx)
{
	struct qa_call_event e;

	memset(&e, 0, sizeof(e));
	e.at = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, e.kind);
	e.detail = store_col_text(st, 2);
	return fn(ctx, &e);
}

int qa_call_events(struct store *s, int64_t call_id, qa_event_fn fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s, "SELECT at, kind, detail FROM call_event WHERE call_id = ? ORDER BY id", "i",
		call_id);
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1 && (rc = event_step(st, fn, ctx)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int qa_call_candidates(struct store *s, int64_t cursor, int64_t max_id, int limit, qa_call_fn fn,
		       void *ctx)
{
	/* By rowid from the cursor; the answered ones already checked are
	 * skipped through qa_check's (kind, ref_id) index. */
	struct store_stmt *st = store_query(
		s,
		"SELECT c.id, c.agent_id, c.started_at, c.connected_at, c.ended_at, c.contact_id,"
		" c.recording IS NOT NULL AND c.recording_ms IS NOT NULL, c.recording_ms, '', NULL"
		" FROM call c WHERE c.id > ? AND c.id <= ?"
		" AND (c.ended_at IS NULL OR (c.connected_at IS NOT NULL AND c.agent_id IS NOT NULL"
		"  AND NOT EXISTS (SELECT 1 FROM qa_check q WHERE q.kind = 'call'"
		"  AND q.ref_id = c.id)))"
		" ORDER BY c.id LIMIT ?",
		"iii", cursor, max_id, (int64_t)limit);
	struct qa_call_row c;
	int rc, n = 0;

	memset(&c, 0, sizeof(c));
	while ((rc = store_next(st, call_read, &c)) == 1 && (rc = fn(ctx, &c)) >= 0)
		n++;
	buf_release(&c.metrics);
	return store_end(st, rc, n);
}

int qa_call_max_id(struct store *s, int64_t *out)
{
	int rc = store_run(s, "SELECT coalesce(max(id), 0) FROM call", out, "");

	return rc < 0 ? rc : 0;
}

/* -- the channels' conversations (issue 18, migration 28) -- */

#define CONV_COLS                                                                                  \
	"SELECT v.id, v.channel, coalesce(v.agent_id, 0), v.created_at, v.resolved_at,"            \
	" coalesce(k.class, '') FROM conv v LEFT JOIN contact k ON k.id = v.contact_id"

static int conv_read(struct store_stmt *st, void *dst)
{
	struct qa_conv_row *c = dst;

	memset(c, 0, sizeof(*c));
	c->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, c->channel);
	c->agent_id = store_col_int(st, 2);
	c->created_at = store_col_int(st, 3);
	c->resolved_at = store_col_int(st, 4);
	STORE_COL_COPY(st, 5, c->contact_class);
	return 0;
}

int qa_conv_candidates(struct store *s, int64_t after_at, int64_t after_id, int limit,
		       qa_conv_fn fn, void *ctx)
{
	/* The partial index conv_resolved (resolved_at, id): a tick reads only
	 * what was resolved since the cursor, however many conversations there are. */
	struct store_stmt *st =
		store_query(s,
			    CONV_COLS " WHERE v.state = 'resolved' AND (v.resolved_at > ?"
				      " OR (v.resolved_at = ? AND v.id > ?))"
				      " ORDER BY v.resolved_at, v.id LIMIT ?",
			    "iiii", after_at, after_at, after_id, (int64_t)limit);
	struct qa_conv_row c;
	int rc, n = 0;

	while ((rc = store_next(st, conv_read, &c)) == 1 && (rc = fn(ctx, &c)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int qa_conv_get(struct store *s, int64_t id, struct qa_conv_row *out)
{
	return store_one(store_query(s, CONV_COLS " WHERE v.id = ?", "i", id), conv_read, out);
}

int qa_conv_messages(struct store *s, int64_t conv_id, int limit, qa_conv_msg_fn fn, void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT direction = 'out', at, body FROM conv_msg"
					    " WHERE conv_id = ? AND direction IN ('in', 'out')"
					    " ORDER BY id LIMIT ?",
					    "ii", conv_id, (int64_t)limit);
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		struct qa_conv_msg m = {(int)store_col_int(st, 0), store_col_int(st, 1),
					store_col_text_or(st, 2, "")};

		rc = fn(ctx, &m);
		if (rc < 0)
			break;
		n++;
	}
	return store_end(st, rc, n);
}

/* -- agents' summaries of contacts (cust's contact table, CALL-10) -- */

static int summary_read(struct store_stmt *st, void *dst)
{
	struct qa_summary_row *c = dst;

	memset(c, 0, sizeof(*c));
	c->id = store_col_int(st, 0);
	c->agent_id = store_col_int(st, 1);
	c->started_at = store_col_int(st, 2);
	c->ended_at = store_col_int(st, 3);
	c->call_id = store_col_int(st, 4);
	c->created_at = store_col_int(st, 5);
	c->has_text = (int)store_col_int(st, 6);
	return 0;
}

int qa_summary_candidates(struct store *s, int64_t cursor, int limit, qa_summary_fn fn, void *ctx,
			  int64_t *max_id)
{
	/* By rowid from the cursor: a tick reads only the contacts since it. */
	struct store_stmt *st;
	struct qa_summary_row c;
	int rc = store_run(s, "SELECT coalesce(max(id), 0) FROM contact", max_id, ""), n = 0;

	if (rc < 0)
		return rc;
	st = store_query(s,
			 "SELECT id, agent_id, started_at, ended_at, call_id, created_at,"
			 " coalesce(summary, '') <> '' OR fivew IS NOT NULL FROM contact k"
			 " WHERE id > ? AND NOT EXISTS (SELECT 1 FROM qa_check q"
			 " WHERE q.kind = 'summary' AND q.ref_id = k.id) ORDER BY id LIMIT ?",
			 "ii", cursor, (int64_t)limit);
	while ((rc = store_next(st, summary_read, &c)) == 1 && (rc = fn(ctx, &c)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int qa_summary_parts(struct store *s, int64_t id, qa_summary_part_fn fn, void *ctx)
{
	/* The 5W1H is cust's JSON object of the six keys (cust_fivew_keys). */
	static const char *const fields[] = {"when", "who", "where",  "what",
					     "why",  "how", "summary"};
	struct store_stmt *st =
		store_query(s,
			    "SELECT json_extract(fivew, '$.when'), json_extract(fivew, '$.who'),"
			    " json_extract(fivew, '$.where'), json_extract(fivew, '$.what'),"
			    " json_extract(fivew, '$.why'), json_extract(fivew, '$.how'), summary"
			    " FROM contact WHERE id = ?",
			    "i", id);
	int rc = store_next(st, NULL, NULL);

	for (int i = 0; rc == 1 && i < 7; i++) {
		const char *text = store_col_text_or(st, i, "");
		int one;

		if (!*text)
			continue;
		one = fn(ctx, &(struct qa_summary_part){fields[i], text});
		if (one < 0)
			rc = one;
	}
	if (rc == 0)
		rc = ERR_NOTFOUND;
	return store_end(st, rc, 0);
}

/* -- the checker's bookkeeping -- */

int qa_setting_get(struct store *s, const char *key, int64_t *out)
{
	int rc = store_run(s, "SELECT value FROM qa_setting WHERE key = ?", out, "t", key);

	return rc < 0 ? rc : rc == 0 ? ERR_NOTFOUND : 0;
}

int qa_setting_set(struct store *s, const char *key, int64_t value)
{
	int rc = store_run(s, "UPDATE qa_setting SET value = ? WHERE key = ?", NULL, "it", value,
			   key);

	return rc < 0 ? rc : 0;
}

static int recheck_read(struct store_stmt *st, void *dst)
{
	struct qa_recheck_row *r = dst;

	STORE_COL_COPY(st, 0, r->kind);
	r->ref_id = store_col_int(st, 1);
	r->queued_at = store_col_int(st, 2);
	return 0;
}

int qa_recheck_list(struct store *s, int limit, qa_recheck_fn fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s, "SELECT kind, ref_id, queued_at FROM qa_recheck ORDER BY queued_at LIMIT ?", "i",
		(int64_t)limit);
	struct qa_recheck_row r;
	int rc, n = 0;

	while ((rc = store_next(st, recheck_read, &r)) == 1 && (rc = fn(ctx, &r)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int qa_recheck_done(struct store *s, const char *kind, int64_t ref_id, int64_t queued_at)
{
	/* Only the request it handled: a transcript posted meanwhile queued again. */
	int rc = store_run(s,
			   "DELETE FROM qa_recheck WHERE kind = ? AND ref_id = ? AND queued_at = ?",
			   NULL, "tii", kind, ref_id, queued_at);

	return rc < 0 ? rc : 0;
}
