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
static void state_from_row(struct store_stmt *st, int col, struct acd_state *out)
{
	int status = acd_status_parse(store_col_text(st, col + 1));

	memset(out, 0, sizeof(*out));
	out->person_id = store_col_int(st, col);
	/* The schema's CHECK keeps the name one of ours; a NULL (no row in a join) is out. */
	out->status = status < 0 ? ACD_LOGGED_OUT : (enum acd_status)status;
	store_col_copy(st, col + 2, out->reason, sizeof(out->reason));
	out->since = store_col_int(st, col + 3);
	out->wrap_until = store_col_int(st, col + 4);
	out->busy_alerted = (int)store_col_int(st, col + 5);
	out->updated_at = store_col_int(st, col + 6);
	out->stored = status >= 0;
}

int acd_get(struct store *s, int64_t person_id, struct acd_state *out)
{
	struct store_stmt *st =
		store_prepare(s, "SELECT " STATE_COLS " FROM agent_state WHERE person_id = ?");
	int rc;

	if (!st)
		return ERR_IO;
	store_bind_int(st, 1, person_id);
	rc = store_step(st);
	if (rc == 1) {
		state_from_row(st, 0, out);
	} else {
		memset(out, 0, sizeof(*out));
		out->person_id = person_id;
		out->status = ACD_LOGGED_OUT;
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

static void bind_text_or_null(struct store_stmt *st, int idx, const char *v)
{
	if (v && v[0])
		store_bind_text(st, idx, v);
	else
		store_bind_null(st, idx);
}

static void bind_state(struct store_stmt *st, const struct acd_state *n)
{
	store_bind_text(st, 1, acd_status_name(n->status));
	bind_text_or_null(st, 2, n->reason);
	store_bind_int(st, 3, n->since);
	if (n->wrap_until)
		store_bind_int(st, 4, n->wrap_until);
	else
		store_bind_null(st, 4);
	store_bind_int(st, 5, n->busy_alerted);
	store_bind_int(st, 6, n->updated_at);
	store_bind_int(st, 7, n->person_id);
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
		if (!st)
			return ERR_IO;
		bind_state(st, next);
		store_bind_text(st, 8, acd_status_name(cur->status));
		store_bind_int(st, 9, cur->updated_at);
	} else {
		st = store_prepare(s, "INSERT INTO agent_state(status, reason, since, wrap_until,"
				      " busy_alerted, updated_at, person_id)"
				      " VALUES (?, ?, ?, ?, ?, ?, ?)"
				      " ON CONFLICT(person_id) DO NOTHING");
		if (!st)
			return ERR_IO;
		bind_state(st, next);
	}
	rc = store_step(st);
	store_done(st);
	if (rc < 0)
		return rc;
	if (store_changes(s) != 1)
		return ERR_CONFLICT;

	st = store_prepare(s, "INSERT INTO agent_state_log(person_id, at, from_status, to_status,"
			      " reason, by_id) VALUES (?, ?, ?, ?, ?, ?)");
	if (!st)
		return ERR_IO;
	store_bind_int(st, 1, next->person_id);
	store_bind_int(st, 2, next->updated_at);
	store_bind_text(st, 3, acd_status_name(cur->status));
	store_bind_text(st, 4, acd_status_name(next->status));
	bind_text_or_null(st, 5, next->reason);
	store_bind_id(st, 6, by_id);
	rc = store_step(st);
	store_done(st);
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

static void bind_seat(struct store_stmt *st, int first)
{
	store_bind_int(st, first, ROLE_AGENT);
	store_bind_int(st, first + 1, ROLE_MANAGER | ROLE_SUPERVISOR);
}

int acd_agents(struct store *s, int (*row)(void *ctx, const struct acd_agent *a), void *ctx)
{
	/*
	 * Two cursors in the same order, merged here: the people with their
	 * state, and the seat types of the same people. Two plain queries
	 * instead of a string aggregate, which each database spells its own way.
	 */
	struct store_stmt *people = store_prepare(
		s, "SELECT p.id, p.work_no, p.name, p.roles, a.person_id, a.status, a.reason,"
		   " a.since, a.wrap_until, a.busy_alerted, a.updated_at"
		   " FROM person p LEFT JOIN agent_state a ON a.person_id = p.id"
		   " WHERE" SEAT_WHERE " ORDER BY p.work_no, p.id");
	struct store_stmt *skills =
		store_prepare(s, "SELECT ps.person_id, ps.skill FROM person_skill ps JOIN person p"
				 " ON p.id = ps.person_id WHERE" SEAT_WHERE
				 " ORDER BY p.work_no, p.id, ps.skill");
	int rc = 0, srow = 0, count = 0;

	if (!people || !skills) {
		rc = ERR_IO;
		goto out;
	}
	bind_seat(people, 1);
	bind_seat(skills, 1);
	srow = store_step(skills);
	while (rc >= 0 && (rc = store_step(people)) == 1) {
		struct acd_agent a;
		char names[ACD_SKILLS_MAX][ORG_SKILL_MAX + 1];

		memset(&a, 0, sizeof(a));
		a.person_id = store_col_int(people, 0);
		a.work_no = store_col_text(people, 1);
		a.name = store_col_text(people, 2);
		a.roles = (unsigned)store_col_int(people, 3);
		state_from_row(people, 4, &a.state);
		a.state.person_id = a.person_id;
		/* The seat types of this person are next in the other cursor. */
		while (srow == 1 && store_col_int(skills, 0) == a.person_id) {
			if (a.nskills < ACD_SKILLS_MAX) {
				store_col_copy(skills, 1, names[a.nskills], sizeof(names[0]));
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
		store_prepare(s, "SELECT a.status, count(*) FROM person p LEFT JOIN agent_state a"
				 " ON a.person_id = p.id WHERE" SEAT_WHERE " GROUP BY a.status");
	int rc;

	memset(counts, 0, sizeof(int) * ACD_STATUS_COUNT);
	if (!st)
		return ERR_IO;
	bind_seat(st, 1);
	while ((rc = store_step(st)) == 1) {
		int status = acd_status_parse(store_col_text(st, 0));

		counts[status < 0 ? ACD_LOGGED_OUT : status] += (int)store_col_int(st, 1);
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

int acd_log_list(struct store *s, const struct acd_log_filter *f,
		 int (*row)(void *ctx, const struct acd_log_entry *e), void *ctx)
{
	struct store_stmt *st = store_prepare(
		s, "SELECT id, person_id, at, from_status, to_status, reason, by_id"
		   " FROM agent_state_log WHERE person_id = ? AND at >= ? AND at < ? AND id < ?"
		   " ORDER BY id DESC LIMIT ?");
	int rc, count = 0;

	if (!st)
		return ERR_IO;
	store_bind_int(st, 1, f->person_id);
	store_bind_int(st, 2, f->from);
	store_bind_int(st, 3, f->to ? f->to : INT64_MAX);
	store_bind_int(st, 4, f->before_id ? f->before_id : INT64_MAX);
	store_bind_int(st, 5, f->limit);
	while ((rc = store_step(st)) == 1) {
		struct acd_log_entry e = {
			.id = store_col_int(st, 0),
			.person_id = store_col_int(st, 1),
			.at = store_col_int(st, 2),
			.from_status = store_col_text(st, 3),
			.to_status = store_col_text(st, 4),
			.reason = store_col_text(st, 5),
			.by_id = store_col_int(st, 6),
		};

		if (!e.to_status)
			e.to_status = "";
		rc = row(ctx, &e);
		if (rc < 0)
			break;
		count++;
	}
	store_done(st);
	return rc < 0 ? rc : count;
}

/* Runs a bound statement of STATE_COLS rows into out[max]. */
static int states(struct store_stmt *st, struct acd_state *out, int max)
{
	int rc = 0, n = 0;

	while (n < max && (rc = store_step(st)) == 1)
		state_from_row(st, 0, &out[n++]);
	store_done(st);
	return n < max && rc < 0 ? rc : n;
}

int acd_busy_due(struct store *s, int64_t limit, struct acd_state *out, int max)
{
	/* Only people still active: a disabled account alerts nobody. */
	struct store_stmt *st = store_prepare(
		s, "SELECT a.person_id, a.status, a.reason, a.since, a.wrap_until,"
		   " a.busy_alerted, a.updated_at FROM agent_state a JOIN person p"
		   " ON p.id = a.person_id WHERE a.status = 'busy' AND a.busy_alerted = 0"
		   " AND a.since <= ? AND p.active = 1 ORDER BY a.since LIMIT ?");

	if (!st)
		return ERR_IO;
	store_bind_int(st, 1, limit);
	store_bind_int(st, 2, max);
	return states(st, out, max);
}

int acd_busy_mark_alerted(struct store *s, int64_t person_id, int64_t since)
{
	int rc = store_run(s,
			   "UPDATE agent_state SET busy_alerted = 1 WHERE person_id = ?"
			   " AND status = 'busy' AND since = ? AND busy_alerted = 0",
			   NULL, "ii", person_id, since);

	return rc < 0 ? rc : store_changes(s);
}

int acd_wrap_due(struct store *s, int64_t now, struct acd_state *out, int max)
{
	struct store_stmt *st = store_prepare(s, "SELECT " STATE_COLS " FROM agent_state"
						 " WHERE status = 'wrap_up' AND wrap_until <= ?"
						 " ORDER BY wrap_until LIMIT ?");

	if (!st)
		return ERR_IO;
	store_bind_int(st, 1, now);
	store_bind_int(st, 2, max);
	return states(st, out, max);
}

int acd_watchers(struct store *s, int64_t *out, int max)
{
	struct store_stmt *st = store_prepare(s, "SELECT id FROM person WHERE active = 1"
						 " AND (roles & ?) <> 0 ORDER BY id LIMIT ?");
	int rc = 0, n = 0;

	if (!st)
		return ERR_IO;
	store_bind_int(st, 1, ROLE_MANAGER | ROLE_SUPERVISOR);
	store_bind_int(st, 2, max);
	while (n < max && (rc = store_step(st)) == 1)
		out[n++] = store_col_int(st, 0);
	store_done(st);
	return n < max && rc < 0 ? rc : n;
}
