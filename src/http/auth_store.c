#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "http/auth.h"
#include "store/store.h"

/* last_seen_at is written at most this often, so reads do not all become writes. */
#define TOUCH_EVERY_MS 60000

int auth_session_create(struct store *s, int64_t person_id, const char *token_hash,
			const char *csrf, int64_t now, int64_t expires_at, const char *address,
			int64_t *id)
{
	struct store_stmt *st = store_prepare(
		s, "INSERT INTO session(token_hash, person_id, csrf_token, created_at, last_seen_at,"
		   " expires_at, address) VALUES (?,?,?,?,?,?,?) RETURNING id");
	int rc;

	if (!st)
		return ERR_IO;
	store_bind_text(st, 1, token_hash);
	store_bind_int(st, 2, person_id);
	store_bind_text(st, 3, csrf);
	store_bind_int(st, 4, now);
	store_bind_int(st, 5, now);
	store_bind_int(st, 6, expires_at);
	store_bind_text(st, 7, address);
	rc = store_step(st);
	if (rc == 1)
		*id = store_col_int(st, 0);
	store_done(st);
	return rc < 0 ? rc : 0;
}

int auth_session_lookup(struct store *s, const char *token_hash, int64_t now, int64_t idle_ms,
			struct principal *out)
{
	struct store_stmt *st = store_prepare(
		s, "SELECT s.id, s.csrf_token, s.last_seen_at, s.expires_at, p.id, p.work_no,"
		   " p.name, p.roles, p.department_id, p.active"
		   " FROM session s JOIN person p ON p.id = s.person_id WHERE s.token_hash = ?");
	int64_t last_seen = 0;
	int rc, live = 0;

	if (!st)
		return ERR_IO;
	store_bind_text(st, 1, token_hash);
	rc = store_step(st);
	if (rc == 1) {
		memset(out, 0, sizeof(*out));
		out->session_id = store_col_int(st, 0);
		snprintf(out->csrf, sizeof(out->csrf), "%s", store_col_text(st, 1));
		last_seen = store_col_int(st, 2);
		out->expires_at = store_col_int(st, 3);
		out->person_id = store_col_int(st, 4);
		snprintf(out->work_no, sizeof(out->work_no), "%s", store_col_text(st, 5));
		snprintf(out->name, sizeof(out->name), "%s", store_col_text(st, 6));
		out->roles = (unsigned)store_col_int(st, 7);
		out->department_id = store_col_int(st, 8);
		live = store_col_int(st, 9) && now < out->expires_at && now < last_seen + idle_ms;
	}
	store_done(st);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_AUTH;
	if (!live) {
		auth_session_delete(s, out->session_id);
		memset(out, 0, sizeof(*out));
		return ERR_AUTH;
	}
	if (now - last_seen >= TOUCH_EVERY_MS) {
		st = store_prepare(s, "UPDATE session SET last_seen_at = ? WHERE id = ?");
		if (!st)
			return ERR_IO;
		store_bind_int(st, 1, now);
		store_bind_int(st, 2, out->session_id);
		rc = store_step(st);
		store_done(st);
		if (rc < 0 && rc != ERR_BUSY)
			return rc;
	}
	return 0;
}

int auth_session_delete(struct store *s, int64_t session_id)
{
	struct store_stmt *st = store_prepare(s, "DELETE FROM session WHERE id = ?");
	int rc;

	if (!st)
		return ERR_IO;
	store_bind_int(st, 1, session_id);
	rc = store_step(st);
	store_done(st);
	return rc < 0 ? rc : 0;
}

int auth_session_delete_person(struct store *s, int64_t person_id, int64_t keep)
{
	struct store_stmt *st =
		store_prepare(s, "DELETE FROM session WHERE person_id = ? AND id <> ?");
	int rc;

	if (!st)
		return ERR_IO;
	store_bind_int(st, 1, person_id);
	store_bind_int(st, 2, keep);
	rc = store_step(st);
	store_done(st);
	return rc < 0 ? rc : 0;
}

static int run_key(struct store *s, const char *sql, const char *key, int64_t t)
{
	struct store_stmt *st = store_prepare(s, sql);
	int rc;

	if (!st)
		return ERR_IO;
	store_bind_text(st, 1, key);
	store_bind_int(st, 2, t);
	rc = store_step(st);
	store_done(st);
	return rc;
}

static int64_t count_key(struct store *s, const char *sql, const char *key, int64_t t)
{
	struct store_stmt *st = store_prepare(s, sql);
	int64_t n = 0;
	int rc;

	if (!st)
		return ERR_IO;
	store_bind_text(st, 1, key);
	store_bind_int(st, 2, t);
	rc = store_step(st);
	if (rc == 1)
		n = store_col_int(st, 0);
	store_done(st);
	return rc < 0 ? rc : n;
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
	struct store_stmt *st;
	int64_t n;
	int rc;

	n = count_key(s, "SELECT count(*) FROM login_lock WHERE key = ? AND locked_until > ?", key,
		      now);
	if (n != 0)
		return n < 0 ? (int)n : ERR_THROTTLED;
	rc = run_key(s, "DELETE FROM login_failure WHERE key = ? AND at <= ?", key, now - window_ms);
	if (rc < 0)
		return rc;
	st = store_prepare(s, "INSERT INTO login_failure(key, at) VALUES (?, ?) RETURNING id");
	if (!st)
		return ERR_IO;
	store_bind_text(st, 1, key);
	store_bind_int(st, 2, now);
	rc = store_step(st);
	if (rc == 1)
		*id = store_col_int(st, 0);
	store_done(st);
	if (rc < 0)
		return rc;
	n = count_key(s, "SELECT count(*) FROM login_failure WHERE key = ? AND at > ?", key,
		      now - window_ms);
	if (n < max_failures)
		return n < 0 ? (int)n : 0;
	/* This attempt is the last one allowed: it is still evaluated, later ones are not. */
	rc = run_key(s, "INSERT INTO login_lock(key, locked_until) VALUES (?, ?)"
			" ON CONFLICT(key) DO UPDATE SET locked_until = excluded.locked_until",
		     key, now + window_ms);
	return rc < 0 ? rc : 0;
}

int auth_throttle_forget(struct store *s, const char *key, int64_t id, int64_t now,
			 int max_failures, int64_t window_ms)
{
	struct store_stmt *st = store_prepare(s, "DELETE FROM login_failure WHERE id = ?");
	int64_t n;
	int rc;

	if (!st)
		return ERR_IO;
	store_bind_int(st, 1, id);
	rc = store_step(st);
	store_done(st);
	if (rc < 0)
		return rc;
	n = count_key(s, "SELECT count(*) FROM login_failure WHERE key = ? AND at > ?", key,
		      now - window_ms);
	if (n < 0)
		return (int)n;
	if (n >= max_failures)
		return 0;
	rc = run_key(s, "DELETE FROM login_lock WHERE key = ? AND locked_until <= ?", key,
		     INT64_MAX);
	return rc < 0 ? rc : 0;
}

int auth_throttle_clear(struct store *s, const char *key)
{
	int rc = run_key(s, "DELETE FROM login_failure WHERE key = ? AND at <= ?", key, INT64_MAX);

	if (rc >= 0)
		rc = run_key(s, "DELETE FROM login_lock WHERE key = ? AND locked_until <= ?", key,
			     INT64_MAX);
	return rc < 0 ? rc : 0;
}
