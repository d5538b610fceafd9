/*
 * The SQL of calls out above the engine (migration 26; out.h tells the
 * whole): settings, the do-not-call list, outcomes, tasks and campaigns,
 * and what the ticks read of the call log, the agents' status and their
 * phones' registrations, each with its own statements. Nothing here begins
 * or commits.
 */
#include <stdint.h>
#include <string.h>

#include "call/call.h"
#include "core/err.h"
#include "out/out.h"
#include "store/store.h"

static int settings_read(struct store_stmt *st, void *dst)
{
	struct out_settings *o = dst;

	o->open_min = (int)store_col_int(st, 0);
	o->close_min = (int)store_col_int(st, 1);
	o->daily_cap = (int)store_col_int(st, 2);
	o->dropped_due_min = (int)store_col_int(st, 3);
	o->afterhours_due_min = (int)store_col_int(st, 4);
	o->max_attempts = (int)store_col_int(st, 5);
	o->retry_gap_min = (int)store_col_int(st, 6);
	o->updated_at = store_col_int(st, 7);
	o->updated_by = store_col_int(st, 8);
	return 0;
}

int out_settings_get(struct store *s, struct out_settings *out)
{
	return store_one(store_query(s,
				     "SELECT open_min, close_min, daily_cap, dropped_due_min,"
				     " afterhours_due_min, max_attempts, retry_gap_min, updated_at,"
				     " updated_by FROM out_settings WHERE id = 1",
				     ""),
			 settings_read, out);
}

int out_settings_put(struct store *s, const struct out_settings *o)
{
	int rc = store_run(s,
			   "UPDATE out_settings SET open_min = ?, close_min = ?, daily_cap = ?,"
			   " dropped_due_min = ?, afterhours_due_min = ?, max_attempts = ?,"
			   " retry_gap_min = ?, updated_at = ?, updated_by = ? WHERE id = 1",
			   NULL, "iiiiiiiid", (int64_t)o->open_min, (int64_t)o->close_min,
			   (int64_t)o->daily_cap, (int64_t)o->dropped_due_min,
			   (int64_t)o->afterhours_due_min, (int64_t)o->max_attempts,
			   (int64_t)o->retry_gap_min, o->updated_at, o->updated_by);

	return rc < 0 ? rc : 0;
}

int out_dnc_has(struct store *s, const char *number)
{
	return store_run(s, "SELECT 1 FROM out_dnc WHERE number = ?", NULL, "t", number);
}

int out_dnc_add(struct store *s, const char *number, const char *reason, int64_t by, int64_t now)
{
	int rc = store_run(s,
			   "INSERT INTO out_dnc(number, reason, added_by, at) VALUES (?, ?, ?, ?)"
			   " ON CONFLICT(number) DO NOTHING RETURNING 1",
			   NULL, "tTdi", number, reason, by, now);

	if (rc == 0)
		return ERR_CONFLICT;
	return rc < 0 ? rc : 0;
}

int out_dnc_delete(struct store *s, const char *number)
{
	int rc =
		store_run(s, "DELETE FROM out_dnc WHERE number = ? RETURNING 1", NULL, "t", number);

	if (rc == 0)
		return ERR_NOTFOUND;
	return rc < 0 ? rc : 0;
}

static int dnc_read(struct store_stmt *st, void *dst)
{
	struct out_dnc *d = dst;

	d->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, d->number);
	STORE_COL_COPY(st, 2, d->reason);
	d->added_by = store_col_int(st, 3);
	d->at = store_col_int(st, 4);
	return 0;
}

int out_dnc_list(struct store *s, int64_t before_id, int limit,
		 int (*row)(void *ctx, const struct out_dnc *d), void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT id, number, reason, added_by, at FROM out_dnc"
					    " WHERE ?1 = 0 OR id < ?1 ORDER BY id DESC LIMIT ?2",
					    "ii", before_id, (int64_t)limit);
	struct out_dnc d;
	int rc, n = 0;

	while ((rc = store_next(st, dnc_read, &d)) == 1 && (rc = row(ctx, &d)) >= 0)
		n++;
	return store_end(st, rc, n);
}

static int outcome_read(struct store_stmt *st, void *dst)
{
	struct out_outcome_row *o = dst;

	o->call_out_id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, o->outcome);
	STORE_COL_COPY(st, 2, o->note);
	o->next_at = store_col_int(st, 3);
	o->by_id = store_col_int(st, 4);
	o->at = store_col_int(st, 5);
	return 0;
}

int out_outcome_get(struct store *s, int64_t call_out_id, struct out_outcome_row *out)
{
	return store_one(store_query(s,
				     "SELECT call_out_id, outcome, note, next_at, by_id, at"
				     " FROM out_outcome WHERE call_out_id = ?",
				     "i", call_out_id),
			 outcome_read, out);
}

int out_outcome_insert(struct store *s, const struct out_outcome_row *o)
{
	int rc = store_run(s,
			   "INSERT INTO out_outcome(call_out_id, outcome, note, next_at, by_id, at)"
			   " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(call_out_id) DO NOTHING"
			   " RETURNING 1",
			   NULL, "itTddi", o->call_out_id, o->outcome, o->note, o->next_at,
			   o->by_id, o->at);

	if (rc == 0)
		return ERR_CONFLICT;
	return rc < 0 ? rc : 0;
}

#define TASK_COLUMNS                                                                               \
	"id, kind, campaign_id, customer_id, number, name, agent_id, due_at, state, attempts,"     \
	" last_result, last_call_out_id, call_id, note, created_at, done_at FROM out_task"

static int task_read(struct store_stmt *st, void *dst)
{
	struct out_task *t = dst;

	t->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, t->kind);
	t->campaign_id = store_col_int(st, 2);
	t->customer_id = store_col_int(st, 3);
	STORE_COL_COPY(st, 4, t->number);
	STORE_COL_COPY(st, 5, t->name);
	t->agent_id = store_col_int(st, 6);
	t->due_at = store_col_int(st, 7);
	STORE_COL_COPY(st, 8, t->state);
	t->attempts = (int)store_col_int(st, 9);
	STORE_COL_COPY(st, 10, t->last_result);
	t->last_call_out_id = store_col_int(st, 11);
	t->call_id = store_col_int(st, 12);
	STORE_COL_COPY(st, 13, t->note);
	t->created_at = store_col_int(st, 14);
	t->done_at = store_col_int(st, 15);
	return 0;
}

int out_task_get(struct store *s, int64_t id, struct out_task *out)
{
	return store_one(store_query(s, "SELECT " TASK_COLUMNS " WHERE id = ?", "i", id), task_read,
			 out);
}

int out_task_insert(struct store *s, struct out_task *t)
{
	int rc = store_run(s,
			   "INSERT INTO out_task(kind, campaign_id, customer_id, number, name,"
			   " agent_id, due_at, state, call_id, note, created_at)"
			   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
			   " RETURNING id",
			   &t->id, "tddtTditdTi", t->kind, t->campaign_id, t->customer_id,
			   t->number, t->name, t->agent_id, t->due_at,
			   t->state[0] ? t->state : "open", t->call_id, t->note, t->created_at);

	if (rc == 0)
		return ERR_CONFLICT;
	return rc < 0 ? rc : 0;
}

int out_task_busy(struct store *s, int64_t id)
{
	return store_run(s,
			 "SELECT 1 FROM out_task t JOIN call_out o ON o.id = t.last_call_out_id"
			 " WHERE t.id = ? AND o.state <> 'ended'",
			 NULL, "i", id);
}

int out_number_busy(struct store *s, const char *number)
{
	/* Few attempts are going at once: the engine's partial index of live ones. */
	return store_run(s, "SELECT 1 FROM call_out WHERE state <> 'ended' AND number = ?", NULL,
			 "t", number);
}

int out_task_save(struct store *s, const struct out_task *t)
{
	int rc =
		store_run(s,
			  "UPDATE out_task SET agent_id = ?, due_at = ?, state = ?, attempts = ?,"
			  " last_result = ?, last_call_out_id = ?, note = ?, done_at = ?"
			  " WHERE id = ?",
			  NULL, "ditiTdTdi", t->agent_id, t->due_at, t->state, (int64_t)t->attempts,
			  t->last_result, t->last_call_out_id, t->note, t->done_at, t->id);

	return rc < 0 ? rc : 0;
}

int out_task_list(struct store *s, const struct out_task_filter *f,
		  int (*row)(void *ctx, const struct out_task *t), void *ctx)
{
	struct store_sql q = STORE_SQL_INIT;
	struct store_stmt *st;
	struct out_task t;
	int rc, n = 0;

	store_sql_add(&q, "SELECT " TASK_COLUMNS " WHERE state = ?", "t",
		      f->state ? f->state : "open");
	if (f->agent_id)
		/* An agent's: theirs or the pool's, and a campaign's only while it runs
		 * and they work on it. */
		store_sql_add(
			&q,
			" AND (campaign_id IS NULL OR campaign_id IN (SELECT a.campaign_id FROM"
			" out_campaign_agent a JOIN out_campaign k ON k.id = a.campaign_id"
			" WHERE a.person_id = ? AND k.state = 'running'))"
			" AND (agent_id IS NULL OR agent_id = ?)",
			"ii", f->agent_id, f->agent_id);
	if (f->campaign_id)
		store_sql_add(&q, " AND campaign_id = ?", "i", f->campaign_id);
	if (f->due_before)
		store_sql_add(&q, " AND due_at < ?", "i", f->due_before);
	if (f->after_id)
		store_sql_add(&q, " AND id > ?", "i", f->after_id);
	store_sql_add(&q, " ORDER BY due_at, id LIMIT ?", "i", (int64_t)f->limit);
	st = store_sql_prepare(s, &q);
	while ((rc = store_next(st, task_read, &t)) == 1 && (rc = row(ctx, &t)) >= 0)
		n++;
	return store_end(st, rc, n);
}

/* The log: the engine's rows (read by call's reader) with the outcome. */
struct log_row {
	struct call_out_row c;
	char outcome[20];
};

static int log_read(struct store_stmt *st, void *dst)
{
	struct log_row *l = dst;
	int rc = call_out_read(st, &l->c);

	STORE_COL_COPY(st, CALL_OUT_NCOLUMNS, l->outcome);
	return rc;
}

int out_log_list(struct store *s, const struct out_log_filter *f,
		 int (*row)(void *ctx, const struct call_out_row *c, const char *outcome),
		 void *ctx)
{
	struct store_sql q = STORE_SQL_INIT;
	struct store_stmt *st;
	struct log_row l;
	int rc, n = 0;

	store_sql_add(&q,
		      "SELECT " CALL_OUT_COLUMNS ", x.outcome" CALL_OUT_FROM
		      " LEFT JOIN out_outcome x ON x.call_out_id = o.id WHERE o.purpose <> 'test'",
		      "");
	if (f->agent_id)
		store_sql_add(&q, " AND o.agent_id = ?", "i", f->agent_id);
	if (f->purpose)
		store_sql_add(&q, " AND o.purpose = ?", "t", f->purpose);
	if (f->result)
		store_sql_add(&q, " AND o.result = ?", "t", f->result);
	if (f->from)
		store_sql_add(&q, " AND o.requested_at >= ?", "i", f->from);
	if (f->to)
		store_sql_add(&q, " AND o.requested_at < ?", "i", f->to);
	if (f->before_id)
		store_sql_add(&q, " AND o.id < ?", "i", f->before_id);
	store_sql_add(&q, " ORDER BY o.id DESC LIMIT ?", "i", (int64_t)f->limit);
	st = store_sql_prepare(s, &q);
	while ((rc = store_next(st, log_read, &l)) == 1 && (rc = row(ctx, &l.c, l.outcome)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int out_agent_state(struct store *s, int64_t person_id, int64_t now, char *status, size_t size,
		    int *phone)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT (SELECT status FROM agent_state WHERE person_id = ?1),"
		" EXISTS (SELECT 1 FROM sip_registration WHERE person_id = ?1 AND expires_at > ?2)",
		"ii", person_id, now);
	int rc = store_next(st, NULL, NULL);

	if (rc == 1) {
		store_col_copy(st, 0, status, size);
		*phone = (int)store_col_int(st, 1);
	}
	return store_end(st, rc, 0);
}

int out_person_active(struct store *s, int64_t id)
{
	return store_run(s, "SELECT 1 FROM person WHERE id = ? AND active = 1", NULL, "i", id);
}

int out_person_work_no(struct store *s, int64_t id, char *out, size_t size)
{
	struct store_stmt *st = store_query(s, "SELECT work_no FROM person WHERE id = ?", "i", id);
	int rc = store_next(st, NULL, NULL);

	out[0] = '\0';
	if (rc == 1)
		store_col_copy(st, 0, out, size);
	return store_end(st, rc, 0);
}

int out_customer_number(struct store *s, int64_t customer_id, char *number, size_t size)
{
	struct store_stmt *st = store_query(s,
					    "SELECT phone FROM customer_phone WHERE customer_id = ?"
					    " ORDER BY created_at, phone LIMIT 1",
					    "i", customer_id);
	int rc = store_next(st, NULL, NULL);

	number[0] = '\0';
	if (rc == 1)
		store_col_copy(st, 0, number, size);
	return store_end(st, rc, 0);
}

static int src_read(struct store_stmt *st, void *dst)
{
	struct out_call_src *c = dst;

	c->call_id = store_col_int(st, 0);
	c->agent_id = store_col_int(st, 1);
	c->customer_id = store_col_int(st, 2);
	c->started_at = store_col_int(st, 3);
	STORE_COL_COPY(st, 4, c->caller);
	return 0;
}

static int src_walk(struct store_stmt *st, struct out_call_src *out, int max)
{
	int rc = 0, n = 0;

	while (n < max && (rc = store_next(st, src_read, &out[n])) == 1)
		n++;
	if (n == max)
		rc = 0;
	return store_end(st, rc, n);
}

int out_dropped_calls(struct store *s, int64_t since, struct out_call_src *out, int max)
{
	return src_walk(
		store_query(s,
			    "SELECT c.id, c.agent_id, t.customer_id, c.started_at, c.caller"
			    " FROM call c LEFT JOIN contact t ON t.id = c.contact_id"
			    " WHERE c.dropped = 1 AND c.started_at >= ? AND c.direction = 'in'"
			    " AND c.agent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
			    " out_task k WHERE k.call_id = c.id AND k.kind = 'dropped')"
			    " ORDER BY c.started_at LIMIT ?",
			    "ii", since, (int64_t)max),
		out, max);
}

int out_closed_calls(struct store *s, int64_t since, struct out_call_src *out, int max)
{
	return src_walk(
		store_query(s,
			    "SELECT c.id, 0, (SELECT customer_id FROM customer_phone p"
			    " WHERE p.phone = c.caller), c.started_at, c.caller FROM call c"
			    " WHERE c.outcome = 'closed' AND c.started_at >= ?"
			    " AND NOT EXISTS (SELECT 1 FROM out_task k WHERE k.call_id = c.id"
			    " AND k.kind = 'afterhours') ORDER BY c.started_at LIMIT ?",
			    "ii", since, (int64_t)max),
		out, max);
}

int out_task_open_for(struct store *s, const char *kind, const char *number, int64_t *id)
{
	*id = 0;
	return store_run(s,
			 "SELECT id FROM out_task WHERE kind = ? AND number = ? AND state = 'open'"
			 " LIMIT 1",
			 id, "tt", kind, number);
}

#define CAMPAIGN_COLUMNS                                                                           \
	"id, name, kind, script_id, mode, deadline, state, note, created_by, created_at,"          \
	" updated_at FROM out_campaign"

static int campaign_read(struct store_stmt *st, void *dst)
{
	struct out_campaign *c = dst;

	c->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, c->name);
	STORE_COL_COPY(st, 2, c->kind);
	c->script_id = store_col_int(st, 3);
	STORE_COL_COPY(st, 4, c->mode);
	c->deadline = store_col_int(st, 5);
	STORE_COL_COPY(st, 6, c->state);
	STORE_COL_COPY(st, 7, c->note);
	c->created_by = store_col_int(st, 8);
	c->created_at = store_col_int(st, 9);
	c->updated_at = store_col_int(st, 10);
	return 0;
}

int out_campaign_get(struct store *s, int64_t id, struct out_campaign *out)
{
	return store_one(store_query(s, "SELECT " CAMPAIGN_COLUMNS " WHERE id = ?", "i", id),
			 campaign_read, out);
}

int out_campaign_insert(struct store *s, struct out_campaign *c)
{
	int rc = store_run(s,
			   "INSERT INTO out_campaign(name, kind, script_id, mode, deadline, state,"
			   " note, created_by, created_at, updated_at)"
			   " VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?) RETURNING id",
			   &c->id, "ttdtdTdii", c->name, c->kind, c->script_id, c->mode,
			   c->deadline, c->note, c->created_by, c->created_at, c->updated_at);

	return rc < 0 ? rc : 0;
}

int out_campaign_save(struct store *s, const struct out_campaign *c)
{
	int rc = store_run(s,
			   "UPDATE out_campaign SET name = ?, kind = ?, script_id = ?, mode = ?,"
			   " deadline = ?, state = ?, note = ?, updated_at = ? WHERE id = ?",
			   NULL, "ttdtdtTii", c->name, c->kind, c->script_id, c->mode, c->deadline,
			   c->state, c->note, c->updated_at, c->id);

	return rc < 0 ? rc : 0;
}

int out_campaign_list(struct store *s, int64_t agent_id,
		      int (*row)(void *ctx, const struct out_campaign *c), void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT " CAMPAIGN_COLUMNS " WHERE ?1 = 0 OR id IN (SELECT campaign_id FROM"
		" out_campaign_agent WHERE person_id = ?1) ORDER BY id DESC LIMIT 500",
		"i", agent_id);
	struct out_campaign c;
	int rc, n = 0;

	while ((rc = store_next(st, campaign_read, &c)) == 1 && (rc = row(ctx, &c)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int out_campaign_agents_set(struct store *s, int64_t id, const int64_t *ids, int n)
{
	int rc =
		store_run(s, "DELETE FROM out_campaign_agent WHERE campaign_id = ?", NULL, "i", id);

	for (int i = 0; rc >= 0 && i < n; i++)
		rc = store_run(
			s,
			"INSERT INTO out_campaign_agent(campaign_id, person_id) VALUES (?, ?)"
			" ON CONFLICT DO NOTHING",
			NULL, "ii", id, ids[i]);
	return rc < 0 ? rc : 0;
}

static int id_read(struct store_stmt *st, void *dst)
{
	*(int64_t *)dst = store_col_int(st, 0);
	return 0;
}

static int ids_walk(struct store_stmt *st, int64_t *out, int max)
{
	int rc = 0, n = 0;

	while (n < max && (rc = store_next(st, id_read, &out[n])) == 1)
		n++;
	if (n == max)
		rc = 0;
	return store_end(st, rc, n);
}

int out_campaign_agents(struct store *s, int64_t id, int64_t *out, int max)
{
	return ids_walk(store_query(s,
				    "SELECT person_id FROM out_campaign_agent WHERE campaign_id = ?"
				    " ORDER BY person_id",
				    "i", id),
			out, max);
}

int out_campaign_has_agent(struct store *s, int64_t id, int64_t person_id)
{
	return store_run(s,
			 "SELECT 1 FROM out_campaign_agent WHERE campaign_id = ? AND person_id = ?",
			 NULL, "ii", id, person_id);
}

int out_campaign_counts(struct store *s, int64_t id, struct out_campaign_counts *out)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT count(*), count(*) FILTER (WHERE state = 'open'),"
		" count(*) FILTER (WHERE state = 'done'), count(*) FILTER (WHERE state = 'failed'),"
		" count(*) FILTER (WHERE state = 'cancelled'),"
		" (SELECT count(DISTINCT o.ref_id) FROM call_out o JOIN out_outcome x"
		"  ON x.call_out_id = o.id WHERE o.purpose = 'campaign' AND x.outcome = 'reached'"
		"  AND o.ref_id IN (SELECT id FROM out_task WHERE campaign_id = ?1))"
		" FROM out_task WHERE campaign_id = ?1",
		"i", id);
	int rc = store_next(st, NULL, NULL);

	memset(out, 0, sizeof(*out));
	if (rc == 1) {
		out->total = store_col_int(st, 0);
		out->open = store_col_int(st, 1);
		out->done = store_col_int(st, 2);
		out->failed = store_col_int(st, 3);
		out->cancelled = store_col_int(st, 4);
		out->reached = store_col_int(st, 5);
	}
	return store_end(st, rc, 0);
}

int out_campaign_add_filter(struct store *s, int64_t id, const struct out_member_filter *f,
			    int64_t due_at, int64_t now, int *added)
{
	struct store_sql q = STORE_SQL_INIT;
	struct store_stmt *st;
	int rc;

	/* Each live customer's first number (by when it was added), once per campaign. */
	store_sql_add(
		&q,
		"INSERT INTO out_task(kind, campaign_id, customer_id, number, name, due_at,"
		" created_at) SELECT 'campaign', ?, c.id, (SELECT phone FROM customer_phone p"
		" WHERE p.customer_id = c.id ORDER BY p.created_at, p.phone LIMIT 1),"
		" COALESCE(c.surname || CASE c.title WHEN 'mr' THEN '先生' WHEN 'ms' THEN"
		" '女士' ELSE '' END, c.name), ?, ? FROM customer c WHERE c.merged_into IS NULL"
		" AND EXISTS (SELECT 1 FROM customer_phone p WHERE p.customer_id = c.id)",
		"iii", id, due_at, now);
	if (f->vip_min > 0)
		store_sql_add(&q, " AND c.vip_level >= ?", "i", (int64_t)f->vip_min);
	if (f->kind)
		store_sql_add(&q, " AND c.kind = ?", "t", f->kind);
	/* CUST-4: "MM-DD" or "YYYY-MM-DD": the month is the two digits before the day. */
	if (f->birthday_month)
		store_sql_add(&q,
			      " AND CAST(substr(c.birthday, length(c.birthday) - 4, 2) AS"
			      " INTEGER) = ?",
			      "i", (int64_t)f->birthday_month);
	/* CB-3: served that day: a contact, or an order archived. */
	if (f->served_to)
		store_sql_add(&q,
			      " AND (EXISTS (SELECT 1 FROM contact t WHERE t.customer_id = c.id AND"
			      " t.started_at >= ? AND t.started_at < ?) OR EXISTS (SELECT 1 FROM"
			      " work_order w WHERE w.customer_id = c.id AND w.archived_at >= ? AND"
			      " w.archived_at < ?))",
			      "iiii", f->served_from, f->served_to, f->served_from, f->served_to);
	/* CUST-3's churn wake-up: known for a while, no contact since. */
	if (f->inactive_since)
		store_sql_add(&q,
			      " AND c.created_at < ? AND NOT EXISTS (SELECT 1 FROM contact t WHERE"
			      " t.customer_id = c.id AND t.started_at >= ?)",
			      "ii", f->inactive_since, f->inactive_since);
	store_sql_add(&q, " ORDER BY c.id LIMIT ? ON CONFLICT DO NOTHING", "i", (int64_t)f->limit);
	st = store_sql_prepare(s, &q);
	rc = store_once(st, 0, NULL);
	*added = rc < 0 ? 0 : store_changes(s);
	return rc < 0 ? rc : 0;
}

int out_campaign_cancel_open(struct store *s, int64_t id, int64_t now)
{
	int rc = store_run(
		s,
		"UPDATE out_task SET state = 'cancelled', done_at = ? WHERE campaign_id = ?"
		" AND state = 'open'",
		NULL, "ii", now, id);

	return rc < 0 ? rc : 0;
}

int out_campaign_expired(struct store *s, int64_t now, int64_t *out, int max)
{
	return ids_walk(
		store_query(s,
			    "SELECT id FROM out_campaign WHERE state IN ('running', 'paused')"
			    " AND deadline IS NOT NULL AND deadline <= ? ORDER BY id LIMIT ?",
			    "ii", now, (int64_t)max),
		out, max);
}

int out_campaign_running_progressive(struct store *s, int64_t *out, int max)
{
	return ids_walk(store_query(s,
				    "SELECT id FROM out_campaign WHERE state = 'running'"
				    " AND mode = 'progressive' ORDER BY id LIMIT ?",
				    "i", (int64_t)max),
			out, max);
}

int out_campaign_idle_agents(struct store *s, int64_t id, int64_t now, int64_t *out, int max)
{
	return ids_walk(
		store_query(
			s,
			"SELECT a.person_id FROM out_campaign_agent a JOIN agent_state g"
			" ON g.person_id = a.person_id AND g.status = 'ready'"
			" WHERE a.campaign_id = ?1 AND EXISTS (SELECT 1 FROM sip_registration r"
			" WHERE r.person_id = a.person_id AND r.expires_at > ?2)"
			" AND NOT EXISTS (SELECT 1 FROM call_out o WHERE o.agent_id = a.person_id"
			" AND o.state <> 'ended') ORDER BY g.since, a.person_id LIMIT ?3",
			"iii", id, now, (int64_t)max),
		out, max);
}

/* A member may be called: open, due, under the attempts, its last attempt
 * ended, its number not on the do-not-call list. */
#define MEMBER_READY                                                                               \
	" state = 'open' AND due_at <= ?2 AND attempts < ?3"                                       \
	" AND NOT EXISTS (SELECT 1 FROM call_out o WHERE o.id = last_call_out_id"                  \
	" AND o.state <> 'ended')"                                                                 \
	" AND NOT EXISTS (SELECT 1 FROM out_dnc d WHERE d.number = out_task.number)"

int out_campaign_next_member(struct store *s, int64_t id, int64_t agent_id, int64_t now,
			     int max_attempts, struct out_task *out)
{
	return store_one(store_query(s,
				     "SELECT " TASK_COLUMNS
				     " WHERE campaign_id = ?1 AND" MEMBER_READY
				     " AND (agent_id IS NULL OR agent_id = ?4)"
				     " ORDER BY due_at, id LIMIT 1",
				     "iiii", id, now, (int64_t)max_attempts, agent_id),
			 task_read, out);
}

int out_campaign_due_count(struct store *s, int64_t id, int64_t now, int max_attempts, int *out)
{
	int64_t n = 0;
	int rc = store_run(s,
			   "SELECT count(*) FROM out_task WHERE campaign_id = ?1 AND" MEMBER_READY,
			   &n, "iii", id, now, (int64_t)max_attempts);

	*out = (int)n;
	return rc < 0 ? rc : 0;
}

int out_live_count(struct store *s, int *out)
{
	int64_t n = 0;
	int rc = store_run(s, "SELECT count(*) FROM call_out WHERE state <> 'ended'", &n, "");

	*out = (int)n;
	return rc < 0 ? rc : 0;
}

int out_pending_outcome(struct store *s, int64_t agent_id, int64_t since, struct call_out_row *out)
{
	return store_one(store_query(s,
				     "SELECT " CALL_OUT_COLUMNS CALL_OUT_FROM
				     " WHERE o.agent_id = ? AND o.state = 'ended'"
				     " AND o.requested_at >= ? AND NOT EXISTS (SELECT 1 FROM"
				     " out_outcome x WHERE x.call_out_id = o.id)"
				     " ORDER BY o.id DESC LIMIT 1",
				     "ii", agent_id, since),
			 call_out_read, out);
}
