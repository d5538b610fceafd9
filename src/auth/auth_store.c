#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/err.h"
#include "core/log.h"
#include "store/store.h"

/* last_seen_at is written at most this often, so reads do not all become writes. */
#define TOUCH_EVERY_MS 60000

/* Set once at start-up, before any thread runs, so they are read without a lock. */
static auth_ended_fn on_ended;
static void (*on_committed)(void);

void auth_on_session_end(auth_ended_fn ended, void (*committed)(void))
{
	on_ended = ended;
	on_committed = committed;
}

void auth_session_end_committed(void)
{
	if (on_committed)
		on_committed();
}

int auth_session_create(struct store *s, int64_t person_id, const char *token_hash,
			const char *csrf, int64_t now, int64_t expires_at, const char *address,
			int64_t *id)
{
	int rc = store_run(
		s,
		"INSERT INTO session(token_hash, person_id, csrf_token, created_at, last_seen_at,"
		" expires_at, address) VALUES (?,?,?,?,?,?,?) RETURNING id",
		id, "titiiit", token_hash, person_id, csrf, now, now, expires_at, address);

	return rc < 0 ? rc : 0;
}

int auth_session_lookup(struct store *s, const char *token_hash, int64_t now, int64_t idle_ms,
			struct principal *out)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT s.id, s.csrf_token, s.last_seen_at, s.expires_at, p.id, p.work_no,"
		" p.name, p.roles, p.department_id, p.active, p.must_change_password"
		" FROM session s JOIN person p ON p.id = s.person_id WHERE s.token_hash = ?",
		"t", token_hash);
	int64_t last_seen = 0;
	int rc = store_next(st, NULL, NULL), live = 0;

	if (rc == 1) {
		memset(out, 0, sizeof(*out));
		out->session_id = store_col_int(st, 0);
		STORE_COL_COPY(st, 1, out->csrf);
		last_seen = store_col_int(st, 2);
		out->expires_at = store_col_int(st, 3);
		out->person_id = store_col_int(st, 4);
		STORE_COL_COPY(st, 5, out->work_no);
		STORE_COL_COPY(st, 6, out->name);
		out->roles = (unsigned)store_col_int(st, 7);
		out->department_id = store_col_int(st, 8);
		out->must_change_password = (int)store_col_int(st, 10);
		live = store_col_int(st, 9) && now < out->expires_at && now < last_seen + idle_ms;
	}
	store_done(st);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_AUTH;
	if (!live) {
		if (!store_in_transaction(s) && store_begin(s) == 0) {
			int ended = auth_session_end(s, out->session_id, out->person_id, NULL,
						     "session_expired", now, idle_ms);

			if (ended < 0)
				store_rollback(s);
			else if (store_commit(s) == 0 && ended > 0)
				auth_session_end_committed();
		}
		memset(out, 0, sizeof(*out));
		return ERR_AUTH;
	}
	if (now - last_seen >= TOUCH_EVERY_MS && !store_in_transaction(s)) {
		rc = store_begin(s);
		if (rc == 0)
			rc = store_run(s, "UPDATE session SET last_seen_at = ? WHERE id = ?", NULL,
				       "ii", now, out->session_id);
		if (rc >= 0)
			rc = store_commit(s);
		else
			store_rollback(s);
		if (rc < 0 && rc != ERR_BUSY)
			return rc;
	}
	return 0;
}

int auth_session_delete(struct store *s, int64_t session_id)
{
	int rc = store_run(s, "DELETE FROM session WHERE id = ?", NULL, "i", session_id);

	return rc < 0 ? rc : 0;
}

int auth_session_delete_person(struct store *s, int64_t person_id, int64_t keep)
{
	int rc = store_run(s, "DELETE FROM session WHERE person_id = ? AND id <> ?", NULL, "ii",
			   person_id, keep);

	return rc < 0 ? rc : 0;
}

/* Sessions of the person, other than `except`, still live at now. */
static int live_others(struct store *s, int64_t person_id, int64_t except, int64_t now,
		       int64_t idle_ms, int64_t *n)
{
	int rc = store_run(s,
			   "SELECT count(*) FROM session WHERE person_id = ? AND id <> ?"
			   " AND expires_at > ? AND last_seen_at > ?",
			   n, "iiii", person_id, except, now, now - idle_ms);

	return rc < 0 ? rc : 0;
}

int auth_session_end(struct store *s, int64_t session_id, int64_t person_id,
		     const struct audit_actor *who, const char *how, int64_t now, int64_t idle_ms)
{
	int64_t others = 0;
	int rc = auth_session_delete(s, session_id);

	if (rc == 0)
		rc = live_others(s, person_id, session_id, now, idle_ms, &others);
	if (rc < 0)
		return rc;
	/* Still at work on another device: the seat stays as it is. */
	if (others || !on_ended)
		return 0;
	return on_ended(s, person_id, who, how, now);
}

#define EXPIRE_BATCH 32
/* How many sessions one tick ends before it returns, so a backlog never holds up a stop. */
#define EXPIRE_BUDGET 1024

int auth_session_expire(struct store *s, int64_t now, int64_t idle_ms)
{
	int64_t ids[EXPIRE_BATCH][2];
	int n, ended = 0, agents = 0, rc = 0;

	do {
		struct store_stmt *st =
			store_query(s,
				    "SELECT id, person_id FROM session WHERE "
				    "expires_at <= ? OR last_seen_at <= ?"
				    " ORDER BY id LIMIT ?",
				    "iii", now, now - idle_ms, (int64_t)EXPIRE_BATCH);

		n = 0;
		while ((rc = store_next(st, NULL, NULL)) == 1) {
			ids[n][0] = store_col_int(st, 0);
			ids[n][1] = store_col_int(st, 1);
			n++;
		}
		rc = store_end(st, rc, 0);
		if (rc < 0)
			break;
		for (int i = 0; i < n; i++) {
			/* Each session in its own transaction: one failure loses no other. */
			int one;

			rc = store_begin(s);
			if (rc < 0)
				break;
			one = auth_session_end(s, ids[i][0], ids[i][1], NULL, "session_expired",
					       now, idle_ms);
			if (one < 0) {
				store_rollback(s);
				rc = one;
				log_warn("auth: ending session %lld failed (%d)",
					 (long long)ids[i][0], one);
				break;
			}
			rc = store_commit(s);
			if (rc < 0)
				break;
			ended++;
			agents += one;
		}
	} while (rc >= 0 && n == EXPIRE_BATCH && ended < EXPIRE_BUDGET);
	if (agents)
		auth_session_end_committed();
	return rc < 0 && !ended ? rc : agents;
}

/*
 * A sliding window: reaching max_failures within any window_ms locks the
 * key for window_ms. Only attempts still inside the window are kept, so a
 * key holds at most max_failures rows. Keys exist for unknown work
 * numbers too, so a lock tells an attacker nothing about which accounts
 * exist.
 */
int auth_throttle_attempt(struct store *s, const char *key, int64_t now, int max_failures,
			  int64_t window_ms, int64_t *id)
{
	int64_t n = 0;
	int rc;

	rc = store_run(s, "SELECT count(*) FROM login_lock WHERE key = ? AND locked_until > ?", &n,
		       "ti", key, now);
	if (rc >= 0 && n)
		return ERR_THROTTLED;
	if (rc >= 0)
		rc = store_run(s, "DELETE FROM login_failure WHERE key = ? AND at <= ?", NULL, "ti",
			       key, now - window_ms);
	if (rc >= 0)
		rc = store_run(s, "INSERT INTO login_failure(key, at) VALUES (?, ?) RETURNING id", id,
			       "ti", key, now);
	if (rc >= 0)
		rc = store_run(s, "SELECT count(*) FROM login_failure WHERE key = ?", &n, "t", key);
	if (rc < 0 || n < max_failures)
		return rc < 0 ? rc : 0;
	/* This attempt is the last one allowed: it is still evaluated, later ones are not. */
	rc = store_run(s, "INSERT INTO login_lock(key, locked_until) VALUES (?, ?)"
			  " ON CONFLICT(key) DO UPDATE SET locked_until = excluded.locked_until",
		       NULL, "ti", key, now + window_ms);
	return rc < 0 ? rc : 1;
}

/*
 * The pair's earlier locks are rows of the key "l:" + pair in
 * login_failure, kept for a day: how many there are sets both how many
 * guesses the pair has before the next lock and how long that lock lasts.
 */
#define PAIR_MEMORY_MS (24 * 3600 * 1000LL)

int auth_throttle_pair(struct store *s, const char *pair, int64_t now, int max_failures,
		       int64_t window_ms, int64_t *id)
{
	char locks_key[160];
	int64_t locks = 0, lock_ms;
	int allowed, rc;

	snprintf(locks_key, sizeof(locks_key), "l:%s", pair);
	rc = store_run(s, "DELETE FROM login_failure WHERE key = ? AND at <= ?", NULL, "ti",
		       locks_key, now - PAIR_MEMORY_MS);
	if (rc >= 0)
		rc = store_run(s, "SELECT count(*) FROM login_failure WHERE key = ?", &locks, "t",
			       locks_key);
	if (rc < 0)
		return rc;
	/* After a lock every guess is the last before the next, twice as long, lock. */
	allowed = locks ? 1 : max_failures;
	lock_ms = window_ms;
	for (int64_t i = 0; i < locks && lock_ms < PAIR_MEMORY_MS; i++)
		lock_ms *= 2;
	if (lock_ms > PAIR_MEMORY_MS)
		lock_ms = PAIR_MEMORY_MS;
	rc = auth_throttle_attempt(s, pair, now, allowed, lock_ms, id);
	if (rc == 1) {
		int64_t unused;

		rc = store_run(s, "INSERT INTO login_failure(key, at) VALUES (?, ?) RETURNING id",
			       &unused, "ti", locks_key, now);
		rc = rc < 0 ? rc : 1;
	}
	return rc;
}

int auth_throttle_forget(struct store *s, const char *key, int64_t id, int64_t now,
			 int max_failures, int64_t window_ms)
{
	int64_t n = 0;
	int rc = store_run(s, "DELETE FROM login_failure WHERE id = ?", NULL, "i", id);

	if (rc >= 0)
		rc = store_run(s, "SELECT count(*) FROM login_failure WHERE key = ? AND at > ?", &n,
			       "ti", key, now - window_ms);
	if (rc >= 0 && n < max_failures)
		rc = store_run(s, "DELETE FROM login_lock WHERE key = ?", NULL, "t", key);
	return rc < 0 ? rc : 0;
}

int auth_throttle_clear(struct store *s, const char *key)
{
	int rc = store_run(s, "DELETE FROM login_failure WHERE key = ?", NULL, "t", key);

	if (rc >= 0)
		rc = store_run(s, "DELETE FROM login_lock WHERE key = ?", NULL, "t", key);
	return rc < 0 ? rc : 0;
}
