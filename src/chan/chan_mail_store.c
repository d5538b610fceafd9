/*
 * The email channel's SQL (chan_mail_net.h): the enabled email accounts
 * with their config JSON read into struct chan_mail_config, and each
 * account's fetch state in chan_mail_state (migration 29).
 */
#include "chan/chan_mail.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/err.h"
#include "store/store.h"

static void copy_str(json_t *o, const char *key, char *dst, size_t size)
{
	const char *v = json_string_value(json_object_get(o, key));

	snprintf(dst, size, "%s", v ? v : "");
}

int chan_mail_config_parse(const char *json, struct chan_mail_config *c, char *error,
			   size_t error_size)
{
	json_error_t je;
	json_t *o = json_loads(json ? json : "{}", 0, &je);
	json_t *poll;
	const char *tls;

	memset(c, 0, sizeof(*c));
	if (!json_is_object(o)) {
		json_decref(o);
		snprintf(error, error_size, "config is not a JSON object");
		return ERR_INVALID;
	}
	copy_str(o, "imap_url", c->imap_url, sizeof(c->imap_url));
	copy_str(o, "smtp_url", c->smtp_url, sizeof(c->smtp_url));
	copy_str(o, "username", c->username, sizeof(c->username));
	copy_str(o, "password", c->password, sizeof(c->password));
	copy_str(o, "address", c->address, sizeof(c->address));
	copy_str(o, "from_name", c->from_name, sizeof(c->from_name));
	copy_str(o, "sent_folder", c->sent_folder, sizeof(c->sent_folder));
	poll = json_object_get(o, "poll_sec");
	c->poll_sec =
		json_is_integer(poll) ? (int)json_integer_value(poll) : CHAN_MAIL_POLL_DEFAULT;
	tls = json_string_value(json_object_get(o, "tls"));
	c->tls = !tls || !strcmp(tls, "try") ? CHAN_MAIL_TLS_TRY
		 : !strcmp(tls, "require")   ? CHAN_MAIL_TLS_REQUIRE
		 : !strcmp(tls, "none")	     ? CHAN_MAIL_TLS_NONE
					     : -1;
	json_decref(o);
	return chan_mail_config_check(c, error, error_size);
}

int chan_mail_accounts(struct store *s, struct chan_mail_account *out, int max)
{
	struct store_stmt *st = store_query(s,
					    "SELECT id, config FROM chan_account WHERE channel = "
					    "'email' AND enabled = 1 ORDER BY id",
					    "");
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		if (n >= max)
			continue;
		out[n].id = store_col_int(st, 0);
		out[n].config_json = strdup(store_col_text_or(st, 1, "{}"));
		n++;
	}
	return store_end(st, rc, n);
}

static int state_read(struct store_stmt *st, void *dst)
{
	struct chan_mail_state *ms = dst;

	ms->uidvalidity = store_col_int(st, 0);
	ms->last_uid = store_col_int(st, 1);
	ms->next_poll_at = store_col_int(st, 2);
	ms->failures = (int)store_col_int(st, 3);
	ms->fetched = store_col_int(st, 4);
	ms->skipped = store_col_int(st, 5);
	ms->updated_at = store_col_int(st, 6);
	snprintf(ms->last_error, sizeof(ms->last_error), "%s", store_col_text_or(st, 7, ""));
	ms->sent_at = store_col_int(st, 8);
	snprintf(ms->sent_error, sizeof(ms->sent_error), "%s", store_col_text_or(st, 9, ""));
	return 0;
}

int chan_mail_state_get(struct store *s, int64_t account_id, struct chan_mail_state *ms)
{
	int rc;

	memset(ms, 0, sizeof(*ms));
	rc = store_one(
		store_query(
			s,
			"SELECT uidvalidity, last_uid, next_poll_at, failures, fetched, skipped,"
			" updated_at, last_error, sent_at, sent_error FROM chan_mail_state"
			" WHERE account_id = ?",
			"i", account_id),
		state_read, ms);
	return rc == ERR_NOTFOUND ? 0 : rc;
}

int chan_mail_state_put(struct store *s, int64_t account_id, const struct chan_mail_state *ms,
			const char *error, int fetched, int skipped, int64_t now)
{
	int rc = store_run(
		s,
		"INSERT INTO chan_mail_state(account_id, uidvalidity, last_uid, next_poll_at,"
		" last_error, fetched, skipped, updated_at, failures)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT(account_id) DO UPDATE SET uidvalidity = excluded.uidvalidity,"
		" last_uid = excluded.last_uid, next_poll_at = excluded.next_poll_at,"
		" failures = excluded.failures,"
		" last_error = CASE WHEN ? THEN excluded.last_error ELSE last_error END,"
		" fetched = fetched + excluded.fetched, skipped = skipped + excluded.skipped,"
		" updated_at = excluded.updated_at",
		NULL, "iiiitiiiii", account_id, ms->uidvalidity, ms->last_uid, ms->next_poll_at,
		error ? error : "", (int64_t)fetched, (int64_t)skipped, now, (int64_t)ms->failures,
		(int64_t)(error != NULL));

	return rc < 0 ? rc : 0;
}

int chan_mail_sent_put(struct store *s, int64_t account_id, const char *error, int64_t at)
{
	/* Only the copy's columns: the fetch's own stay as the last poll left them. */
	int rc = store_run(s,
			   "INSERT INTO chan_mail_state(account_id, sent_at, sent_error)"
			   " SELECT id, ?, ? FROM chan_account WHERE id = ?"
			   " ON CONFLICT(account_id) DO UPDATE SET sent_at = excluded.sent_at,"
			   " sent_error = excluded.sent_error",
			   NULL, "iti", at, error ? error : "", account_id);

	return rc < 0 ? rc : 0;
}
