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

int auth_throttle_locked(struct store *s, const char *key, int64_t now)
{
	struct store_stmt *st =
		store_prepare(s, "SELECT locked_until FROM login_throttle WHERE key = ?");
	int rc, locked = 0;

	if (!st)
		return ERR_IO;
	store_bind_text(st, 1, key);
	rc = store_step(st);
	if (rc == 1)
		locked = store_col_int(st, 0) > now;
	store_done(st);
	return rc < 0 ? rc : locked;
}

/*
 * Counts a failure in a fixed window that starts at the first failure.
 * Reaching max_failures locks the key for one window length; the count
 * starts again after that. Keys exist for unknown work numbers too, so a
 * lock tells an attacker nothing about which accounts exist.
 */
int auth_throttle_fail(struct store *s, const char *key, int64_t now, int max_failures,
		       int64_t window_ms)
{
	struct store_stmt *st = store_prepare(
		s, "INSERT INTO login_throttle(key, failures, window_start, locked_until)"
		   " VALUES (?, 1, ?, 0) ON CONFLICT(key) DO UPDATE SET"
		   " failures = CASE WHEN login_throttle.window_start + ? <= excluded.window_start"
		   "  THEN 1 ELSE login_throttle.failures + 1 END,"
		   " window_start = CASE WHEN login_throttle.window_start + ? <= excluded.window_start"
		   "  THEN excluded.window_start ELSE login_throttle.window_start END"
		   " RETURNING failures");
	int rc, failures = 0;

	if (!st)
		return ERR_IO;
	store_bind_text(st, 1, key);
	store_bind_int(st, 2, now);
	store_bind_int(st, 3, window_ms);
	store_bind_int(st, 4, window_ms);
	rc = store_step(st);
	if (rc == 1)
		failures = (int)store_col_int(st, 0);
	store_done(st);
	if (rc < 0)
		return rc;
	if (failures < max_failures)
		return 0;
	st = store_prepare(s, "UPDATE login_throttle SET locked_until = ?, failures = 0,"
			      " window_start = ? WHERE key = ?");
	if (!st)
		return ERR_IO;
	store_bind_int(st, 1, now + window_ms);
	store_bind_int(st, 2, now);
	store_bind_text(st, 3, key);
	rc = store_step(st);
	store_done(st);
	return rc < 0 ? rc : 1;
}

int auth_throttle_clear(struct store *s, const char *key)
{
	struct store_stmt *st = store_prepare(s, "DELETE FROM login_throttle WHERE key = ?");
	int rc;

	if (!st)
		return ERR_IO;
	store_bind_text(st, 1, key);
	rc = store_step(st);
	store_done(st);
	return rc < 0 ? rc : 0;
}
