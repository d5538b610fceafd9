/*
 * The SQL of agent status: agent_state (one row per person who was ever
 * on the hotline; none means logged out) and its log agent_state_log.
 * Nothing here begins or commits a transaction.
 */
#include <string.h>

#include "acd/acd.h"
#include "org/org.h"
#include "store/store.h"

#define STATE_COLS "person_id, status, reason, since, wrap_until, busy_alerted, updated_at"

/* Fills a state from STATE_COLS starting at column col. */
static void state_at(struct store_stmt *st, int col, struct acd_state *out)
{
	int status = acd_status_parse(store_col_text(st, col + 1));

	memset(out, 0, sizeof(*out));
	out->person_id = store_col_int(st, col);
	/* The schema's CHECK keeps the name one of ours; a NULL (no row in a join) is out. */
	out->status = status < 0 ? ACD_LOGGED_OUT : (enum acd_status)status;
	STORE_COL_COPY(st, col + 2, out->reason);
	out->since = store_col_int(st, col + 3);
	out->wrap_until = store_col_int(st, col + 4);
	out->busy_alerted = (int)store_col_int(st, col + 5);
	out->updated_at = store_col_int(st, col + 6);
	out->stored = status >= 0;
}

static int state_read(struct store_stmt *st, void *dst)
{
	state_at(st, 0, dst);
	return 0;
}

int acd_get(struct store *s, int64_t person_id, struct acd_state *out)
{
	int rc = store_one(store_query(s,
				       "SELECT " STATE_COLS " FROM agent_state"
				       " WHERE person_id = ?",
				       "i", person_id),
			   state_read, out);

	if (rc == 0)
		return 0;
	memset(out, 0, sizeof(*out));
	out->person_id = person_id;
	out->status = ACD_LOGGED_OUT;
	return rc == ERR_NOTFOUND ? 0 : rc;
}

static int bind_state(struct store_stmt *st, const struct acd_state *n)
{
	return store_bindf(st, 1, "tTidiii", acd_status_name(n->status), n->reason, n->since,
			   n->wrap_until, (int64_t)n->busy_alerted, n->updated_at, n->person_id);
}

int acd_save(struct store *s, const struct acd_state *cur, const struct acd_state *next,
	     int64_t by_id)
{
	struct store_stmt *st;
	int rc;

	/*
	 * Compare and set: the row must still be the one cur was read from
	 * (updated_at changes with every write), so two writers never both win.
	 */
	if (cur->stored) {
		st = store_prepare(s, "UPDATE agent_state SET status = ?, reason = ?, since = ?,"
				      " wrap_until = ?, busy_alerted = ?, updated_at = ?"
				      " WHERE person_id = ? AND status = ? AND updated_at = ?");
		rc = bind_state(st, next);
		if (rc == 0)
			rc = store_bindf(st, 8, "ti", acd_status_name(cur->status),
					 cur->updated_at);
	} else {
		st = store_prepare(s, "INSERT INTO agent_state(status, reason, since, wrap_until,"
				      " busy_alerted, updated_at, person_id)"
				      " VALUES (?, ?, ?, ?, ?, ?, ?)"
				      " ON CONFLICT(person_id) DO NOTHING");
		rc = bind_state(st, next);
	}
	rc = store_once(st, rc, NULL);
	if (rc < 0)
		return rc;
	if (store_changes(s) != 1)
		return ERR_CONFLICT;
	rc = store_run(s,
		       "INSERT INTO agent_state_log(person_id, at, from_status, to_status, reason,"
		       " by_id) VALUES (?, ?, ?, ?, ?, ?)",
		       NULL, "iittTd", next->person_id, next->updated_at,
		       acd_status_name(cur->status), acd_status_name(next->status), next->reason,
		       by_id);
	return rc < 0 ? rc : 0;
}

/*
 * A seat holder (ORG-2, acd_is_seat): active, with the agent role, or a
 * manager or supervisor with a seat type. The role bits are bound, so the
 * SQL does not repeat org.h's numbers.
 */
#define SEAT_WHERE                                                                                 \
	" p.active = 1 AND ((p.roles & ?) <> 0 OR ((p.roles & ?) <> 0 AND EXISTS"                  \
	" (SELECT 1 FROM person_skill k WHERE k.person_id = p.id)))"

/* A statement of SEAT_WHERE (its two '?' first), bound. */
static struct store_stmt *seat_query(struct store *s, const char *sql)
{
	return store_query(s, sql, "ii", (int64_t)ROLE_AGENT,
			   (int64_t)(ROLE_MANAGER | ROLE_SUPERVISOR));
}

int acd_agents(struct store *s, int (*row)(void *ctx, const struct acd_agent *a), void *ctx)
{
	/*
	 * Two cursors in the same order, merged here: the people with their
	 * state, and the seat types of the same people. Two plain queries
	 * instead of a string aggregate, which each database spells its own way.
	 */
	struct store_stmt *people = seat_query(
		s, "SELECT p.id, p.work_no, p.name, p.roles, a.person_id, a.status, a.reason,"
		   " a.since, a.wrap_until, a.busy_alerted, a.updated_at"
		   " FROM person p LEFT JOIN agent_state a ON a.person_id = p.id"
		   " WHERE" SEAT_WHERE " ORDER BY p.work_no, p.id");
	struct store_stmt *skills =
		seat_query(s, "SELECT ps.person_id, ps.skill FROM person_skill ps JOIN person p"
			      " ON p.id = ps.person_id WHERE" SEAT_WHERE
			      " ORDER BY p.work_no, p.id, ps.skill");
	int rc = 0, srow = 0, count = 0;

	if (!people || !skills) {
		rc = ERR_IO;
		goto out;
	}
	srow = store_step(skills);
	while (rc >= 0 && (rc = store_step(people)) == 1) {
		struct acd_agent a;
		char names[ACD_SKILLS_MAX][ORG_SKILL_MAX + 1];

		memset(&a, 0, sizeof(a));
		a.person_id = store_col_int(people, 0);
		a.work_no = store_col_text(people, 1);
		a.name = store_col_text(people, 2);
		a.roles = (unsigned)store_col_int(people, 3);
		state_at(people, 4, &a.state);
		a.state.person_id = a.person_id;
		/* The seat types of this person are next in the other cursor. */
		while (srow == 1 && store_col_int(skills, 0) == a.person_id) {
			if (a.nskills < ACD_SKILLS_MAX) {
				STORE_COL_COPY(skills, 1, names[a.nskills]);
				a.skills[a.nskills] = names[a.nskills];
				a.nskills++;
			}
			srow = store_step(skills);
		}
		if (srow < 0) {
			rc = srow;
			break;
		}
		if (!a.work_no)
			a.work_no = "";
		if (!a.name)
			a.name = "";
		rc = row(ctx, &a);
		if (rc < 0)
			break;
		count++;
		rc = 0;
	}
out:
	store_done(people);
	store_done(skills);
	return rc < 0 ? rc : count;
}

int acd_agent_counts(struct store *s, int counts[ACD_STATUS_COUNT])
{
	/* Seat holders without a row have never been on the hotline: logged out. */
	struct store_stmt *st =
		seat_query(s, "SELECT a.status, count(*) FROM person p LEFT JOIN agent_state a"
			      " ON a.person_id = p.id WHERE" SEAT_WHERE " GROUP BY a.status");
	int rc;

	memset(counts, 0, sizeof(int) * ACD_STATUS_COUNT);
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		int status = acd_status_parse(store_col_text(st, 0));

		counts[status < 0 ? ACD_LOGGED_OUT : status] += (int)store_col_int(st, 1);
	}
	return store_end(st, rc, 0);
}

static int log_read(struct store_stmt *st, void *dst)
{
	struct acd_log_entry *e = dst;

	e->id = store_col_int(st, 0);
	e->person_id = store_col_int(st, 1);
	e->at = store_col_int(st, 2);
	e->from_status = store_col_text(st, 3);
	e->to_status = store_col_text_or(st, 4, "");
	e->reason = store_col_text(st, 5);
	e->by_id = store_col_int(st, 6);
	return 0;
}

int acd_log_list(struct store *s, const struct acd_log_filter *f,
		 int (*row)(void *ctx, const struct acd_log_entry *e), void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT id, person_id, at, from_status, to_status, reason, by_id"
		" FROM agent_state_log WHERE person_id = ? AND at >= ? AND at < ? AND id < ?"
		" ORDER BY id DESC LIMIT ?",
		"iiiii", f->person_id, f->from, f->to ? f->to : INT64_MAX,
		f->before_id ? f->before_id : INT64_MAX, (int64_t)f->limit);
	struct acd_log_entry e;
	int rc, count = 0;

	while ((rc = store_next(st, log_read, &e)) == 1 && (rc = row(ctx, &e)) >= 0)
		count++;
	return store_end(st, rc, count);
}

/* Runs a bound statement of STATE_COLS rows into out[max]. */
/* Walks a bound statement of STATE_COLS rows into out[max]. */
static int states(struct store_stmt *st, struct acd_state *out, int max)
{
	int rc = 0, n = 0;

	while (n < max && (rc = store_next(st, state_read, &out[n])) == 1)
		n++;
	return store_end(st, rc, n);
}

int acd_busy_due(struct store *s, int64_t limit, struct acd_state *out, int max)
{
	/* Only people still active: a disabled account alerts nobody. */
	return states(store_query(s,
				  "SELECT a.person_id, a.status, a.reason, a.since, a.wrap_until,"
				  " a.busy_alerted, a.updated_at FROM agent_state a JOIN person p"
				  " ON p.id = a.person_id WHERE a.status IN ('busy', 'break')"
				  " AND a.busy_alerted = 0 AND a.since <= ? AND p.active = 1"
				  " ORDER BY a.since LIMIT ?",
				  "ii", limit, (int64_t)max),
		      out, max);
}

int acd_busy_mark_alerted(struct store *s, int64_t person_id, int64_t since)
{
	int rc = store_run(s,
			   "UPDATE agent_state SET busy_alerted = 1 WHERE person_id = ?"
			   " AND status IN ('busy', 'break') AND since = ? AND busy_alerted = 0",
			   NULL, "ii", person_id, since);

	return rc < 0 ? rc : store_changes(s);
}

int acd_wrap_due(struct store *s, int64_t now, struct acd_state *out, int max)
{
	return states(store_query(s,
				  "SELECT " STATE_COLS " FROM agent_state"
				  " WHERE status = 'wrap_up' AND wrap_until <= ?"
				  " ORDER BY wrap_until LIMIT ?",
				  "ii", now, (int64_t)max),
		      out, max);
}

int acd_watchers(struct store *s, int64_t *out, int max)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT id FROM person WHERE active = 1"
			    " AND (roles & ?) <> 0 ORDER BY id LIMIT ?",
			    "ii", (int64_t)(ROLE_MANAGER | ROLE_SUPERVISOR), (int64_t)max);
	int rc = 0, n = 0;

	while (n < max && (rc = store_next(st, NULL, NULL)) == 1)
		out[n++] = store_col_int(st, 0);
	return store_end(st, rc, n);
}
