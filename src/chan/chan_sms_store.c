/*
 * The SQL of WeChat, Weibo and SMS (issue 18; chan_wx.h): their accounts
 * read from migration 28's chan_account, and migration 30's SMS settings,
 * templates, opt-out list and sent log; the customers whose birthday is
 * today (CUST-4). Nothing here begins or commits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chan/chan_wx.h"
#include "core/err.h"
#include "store/store.h"

struct acct_row {
	int enabled;
	char *config;
};

static int acct_read(struct store_stmt *st, void *dst)
{
	struct acct_row *a = dst;
	const char *c = store_col_text_or(st, 1, "{}");

	a->enabled = (int)store_col_int(st, 0);
	a->config = strdup(c);
	return a->config ? 0 : ERR_NOMEM;
}

int wx_account_get(struct store *s, int64_t id, enum chan_kind kind, int *enabled, char **config)
{
	struct acct_row a = {0};
	int rc = store_one(store_query(s,
				       "SELECT enabled, config FROM chan_account"
				       " WHERE id = ? AND channel = ?",
				       "it", id, chan_kind_name(kind)),
			   acct_read, &a);

	if (rc < 0) {
		free(a.config);
		return rc;
	}
	*enabled = a.enabled;
	*config = a.config;
	return 0;
}

int wx_account_first(struct store *s, enum chan_kind kind, int64_t *id)
{
	int rc = store_run(s,
			   "SELECT id FROM chan_account WHERE channel = ? AND enabled = 1"
			   " ORDER BY id LIMIT 1",
			   id, "t", chan_kind_name(kind));

	if (rc == 0)
		return ERR_NOTFOUND;
	return rc < 0 ? rc : 0;
}

static int tmpl_read(struct store_stmt *st, void *dst)
{
	struct sms_tmpl *t = dst;

	STORE_COL_COPY(st, 0, t->code);
	STORE_COL_COPY(st, 1, t->provider_code);
	STORE_COL_COPY(st, 2, t->text);
	t->enabled = (int)store_col_int(st, 3);
	t->updated_at = store_col_int(st, 4);
	STORE_COL_COPY(st, 5, t->events);
	return 0;
}

int sms_tmpl_list(struct store *s, struct sms_tmpl *out, int max)
{
	struct store_stmt *st = store_query(s,
					    "SELECT code, provider_code, text, enabled, updated_at,"
					    " events FROM sms_template ORDER BY code",
					    "");
	int rc, n = 0;

	while (n < max && (rc = store_next(st, tmpl_read, &out[n])) > 0)
		n++;
	return store_end(st, n < max ? rc : 0, n);
}

int sms_tmpl_get(struct store *s, const char *code, struct sms_tmpl *out)
{
	return store_one(store_query(s,
				     "SELECT code, provider_code, text, enabled, updated_at,"
				     " events FROM sms_template WHERE code = ?",
				     "t", code),
			 tmpl_read, out);
}

int sms_tmpl_put(struct store *s, const struct sms_tmpl *t, int64_t by, int64_t now)
{
	int rc = store_run(s,
			   "UPDATE sms_template SET provider_code = ?, text = ?, enabled = ?,"
			   " events = ?, updated_by = ?, updated_at = ? WHERE code = ? RETURNING 1",
			   NULL, "ttitdit", t->provider_code, t->text, (int64_t)t->enabled,
			   t->events, by, now, t->code);

	if (rc == 0)
		return ERR_NOTFOUND;
	return rc < 0 ? rc : 0;
}

int sms_optout_has(struct store *s, const char *phone)
{
	return store_run(s, "SELECT 1 FROM sms_optout WHERE phone = ?", NULL, "t", phone);
}

int sms_optout_add(struct store *s, const char *phone, const char *source, int64_t by, int64_t now)
{
	return store_run(s,
			 "INSERT INTO sms_optout(phone, source, by_id, at) VALUES (?, ?, ?, ?)"
			 " ON CONFLICT(phone) DO NOTHING RETURNING 1",
			 NULL, "ttdi", phone, source, by, now);
}

int sms_optout_del(struct store *s, const char *phone)
{
	int rc = store_run(s, "DELETE FROM sms_optout WHERE phone = ? RETURNING 1", NULL, "t",
			   phone);

	if (rc == 0)
		return ERR_NOTFOUND;
	return rc < 0 ? rc : 0;
}

struct optout_row {
	struct sms_optout o;
	int64_t rowid;
};

static int optout_read(struct store_stmt *st, void *dst)
{
	struct optout_row *r = dst;

	STORE_COL_COPY(st, 0, r->o.phone);
	STORE_COL_COPY(st, 1, r->o.source);
	r->o.at = store_col_int(st, 2);
	r->rowid = store_col_int(st, 3);
	return 0;
}

int sms_optout_list(struct store *s, const char *q, int64_t cursor, int limit,
		    struct sms_optout *out, int64_t *next)
{
	/* Newest first by rowid; q matches the number's digits anywhere. */
	struct store_stmt *st =
		store_query(s,
			    "SELECT phone, source, at, rowid FROM sms_optout"
			    " WHERE (? = 0 OR rowid < ?) AND (? IS NULL OR instr(phone, ?) > 0)"
			    " ORDER BY rowid DESC LIMIT ?",
			    "iiTTi", cursor, cursor, q, q, (int64_t)limit + 1);
	struct optout_row r;
	int64_t last = 0;
	int rc, n = 0;

	*next = 0;
	while ((rc = store_next(st, optout_read, &r)) > 0) {
		if (n == limit) {
			*next = last;
			break;
		}
		out[n++] = r.o;
		last = r.rowid;
	}
	return store_end(st, rc, n);
}

static int settings_read(struct store_stmt *st, void *dst)
{
	struct sms_settings *o = dst;

	o->daily_cap = (int)store_col_int(st, 0);
	o->birthday_minute = (int)store_col_int(st, 1);
	o->account_id = store_col_int(st, 2);
	return 0;
}

int sms_settings_get(struct store *s, struct sms_settings *out)
{
	return store_one(
		store_query(s,
			    "SELECT daily_cap, birthday_minute, account_id FROM sms_settings"
			    " WHERE id = 1",
			    ""),
		settings_read, out);
}

int sms_settings_put(struct store *s, const struct sms_settings *in, int64_t by, int64_t now)
{
	int rc = store_run(s,
			   "UPDATE sms_settings SET daily_cap = ?, birthday_minute = ?,"
			   " account_id = ?, updated_by = ?, updated_at = ? WHERE id = 1",
			   NULL, "iiddi", (int64_t)in->daily_cap, (int64_t)in->birthday_minute,
			   in->account_id, by, now);

	return rc < 0 ? rc : 0;
}

int sms_sent_count(struct store *s, int64_t since, int64_t *n)
{
	int rc = store_run(s, "SELECT count(*) FROM sms_sent WHERE at >= ? AND status = 'sent'", n,
			   "i", since);

	return rc < 0 ? rc : 0;
}

int sms_sent_add(struct store *s, int64_t account_id, const char *phone, const char *kind,
		 const char *key, int64_t customer_id, const char *text, const char *status,
		 const char *error, int64_t now)
{
	int rc = store_run(s,
			   "INSERT INTO sms_sent(account_id, phone, kind, key, customer_id, text,"
			   " status, error, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			   NULL, "dttTdttTi", account_id, phone, kind, key, customer_id,
			   text ? text : "", status, error, now);

	return rc < 0 ? rc : 0;
}

int sms_sent_has(struct store *s, const char *kind, const char *key)
{
	return store_run(s, "SELECT 1 FROM sms_sent WHERE kind = ? AND key = ? AND status = 'sent'",
			 NULL, "tt", kind, key);
}

static int phone_read(struct store_stmt *st, void *dst)
{
	char *out = dst;

	snprintf(out, 32, "%s", store_col_text_or(st, 0, ""));
	return 0;
}

static int bday_read(struct store_stmt *st, void *dst)
{
	struct sms_bday *b = dst;

	b->customer_id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, b->name);
	STORE_COL_COPY(st, 2, b->phone);
	STORE_COL_COPY(st, 3, b->birthday);
	return 0;
}

int sms_bday_each(struct store *s, int year, int month, int day, int limit, sms_bday_fn fn,
		  void *arg)
{
	char md[8], md_leap[8] = "";
	struct store_stmt *st;
	struct sms_bday b;
	int rc, n = 0;

	snprintf(md, sizeof(md), "%02d-%02d", month, day);
	/* In a common year 28 February also greets those born on the 29th
	 * (as sms_birthday_is says). */
	if (month == 2 && day == 28 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
		snprintf(md_leap, sizeof(md_leap), "02-29");
	/* A mobile number first (11 digits from 1: SMS reaches no landline);
	 * those greeted this year and the opted-out left out here, so a
	 * batch always moves on. */
	st = store_query(s,
			 "SELECT id, name, phone, birthday FROM ("
			 " SELECT c.id, coalesce(c.surname, '') || coalesce(c.name, '') AS name,"
			 "  (SELECT p.phone FROM customer_phone p WHERE p.customer_id = c.id"
			 "   ORDER BY (length(p.phone) = 11 AND p.phone LIKE '1%') DESC,"
			 "   p.created_at, p.phone LIMIT 1) AS phone, c.birthday"
			 " FROM customer c WHERE c.merged_into IS NULL AND c.birthday IS NOT NULL"
			 " AND (substr(c.birthday, -5) = ? OR substr(c.birthday, -5) = ?))"
			 " WHERE phone IS NOT NULL AND phone NOT IN (SELECT phone FROM sms_optout)"
			 " AND NOT EXISTS (SELECT 1 FROM sms_sent x WHERE x.kind = 'birthday'"
			 "  AND x.key = 'c' || id || ':' || ? AND x.status = 'sent')"
			 " ORDER BY id LIMIT ?",
			 "ttii", md, md_leap, (int64_t)year, (int64_t)limit);
	while ((rc = store_next(st, bday_read, &b)) > 0) {
		rc = fn(&b, arg);
		if (rc < 0)
			break;
		n++;
	}
	return store_end(st, rc, n);
}

/* -- WO-5's notices: the cursor over the orders' events -- */

static int notice_state_read(struct store_stmt *st, void *dst)
{
	struct sms_notice_state *n = dst;

	n->cursor = store_col_int(st, 0);
	n->claim = store_col_int(st, 1);
	n->claim_at = store_col_int(st, 2);
	return 0;
}

int sms_notice_state_get(struct store *s, struct sms_notice_state *out)
{
	return store_one(store_query(s,
				     "SELECT notice_cursor, notice_claim, notice_claim_at"
				     " FROM sms_settings WHERE id = 1",
				     ""),
			 notice_state_read, out);
}

int sms_notice_move(struct store *s, int64_t cursor, int64_t claim, int64_t new_cursor,
		    int64_t new_claim, int64_t now)
{
	/* Conditional on what the caller read, so of two app nodes one moves it. */
	return store_run(s,
			 "UPDATE sms_settings SET notice_cursor = ?, notice_claim = ?,"
			 " notice_claim_at = ? WHERE id = 1 AND notice_cursor = ?"
			 " AND notice_claim = ? RETURNING 1",
			 NULL, "iiiii", new_cursor, new_claim, new_claim ? now : 0, cursor, claim);
}

static int order_event_read(struct store_stmt *st, void *dst)
{
	struct sms_order_event *e = dst;

	e->id = store_col_int(st, 0);
	e->order_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, e->kind);
	STORE_COL_COPY(st, 3, e->from);
	STORE_COL_COPY(st, 4, e->to);
	STORE_COL_COPY(st, 5, e->outcome);
	return 0;
}

int sms_order_events(struct store *s, int64_t after, struct sms_order_event *out, int max)
{
	/* The callback's outcome is in the event's detail (JSON, written by wo's engine). */
	struct store_stmt *st = store_query(
		s,
		"SELECT id, order_id, kind, coalesce(from_state, ''), coalesce(to_state, ''),"
		" CASE WHEN kind = 'order.callback' AND json_valid(detail)"
		"  THEN coalesce(json_extract(detail, '$.outcome'), '') ELSE '' END"
		" FROM wo_event WHERE id > ? ORDER BY id LIMIT ?",
		"ii", after, (int64_t)max);
	int rc, n = 0;

	while (n < max && (rc = store_next(st, order_event_read, &out[n])) > 0)
		n++;
	return store_end(st, n < max ? rc : 0, n);
}

int sms_customer_mobile(struct store *s, int64_t customer_id, char *out, size_t size)
{
	char phone[32] = "";
	int rc = store_one(store_query(s,
				       "SELECT p.phone FROM customer_phone p JOIN customer c"
				       " ON c.id = p.customer_id WHERE p.customer_id = ?"
				       " AND length(p.phone) = 11 AND p.phone LIKE '1%'"
				       " ORDER BY p.created_at, p.phone LIMIT 1",
				       "i", customer_id),
			   phone_read, phone);

	if (rc == 0)
		snprintf(out, size, "%s", phone);
	return rc;
}

/* -- WeChat's users (unionid) and the media fetched off the webhook (migration 36) -- */

int wx_user_seen(struct store *s, int64_t account_id, const char *openid, const char *unionid,
		 int64_t now)
{
	int rc = store_run(s,
			   "INSERT INTO wx_user(account_id, openid, unionid, next_at, updated_at)"
			   " VALUES (?, ?, ?, ?, ?) ON CONFLICT(account_id, openid) DO UPDATE SET"
			   " unionid = coalesce(excluded.unionid, wx_user.unionid),"
			   " updated_at = excluded.updated_at",
			   NULL, "itTii", account_id, openid, unionid, now, now);

	return rc < 0 ? rc : 0;
}

static int wx_user_read(struct store_stmt *st, void *dst)
{
	struct wx_user *u = dst;

	u->account_id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, u->openid);
	u->tries = (int)store_col_int(st, 2);
	return 0;
}

int wx_user_due(struct store *s, int64_t now, int max_tries, struct wx_user *out, int max)
{
	struct store_stmt *st = store_query(s,
					    "SELECT account_id, openid, tries FROM wx_user"
					    " WHERE unionid IS NULL AND next_at <= ? AND tries < ?"
					    " ORDER BY next_at LIMIT ?",
					    "iii", now, (int64_t)max_tries, (int64_t)max);
	int rc, n = 0;

	while (n < max && (rc = store_next(st, wx_user_read, &out[n])) > 0)
		n++;
	return store_end(st, n < max ? rc : 0, n);
}

int wx_user_looked_up(struct store *s, const struct wx_user *u, const char *unionid,
		      int64_t next_at, int64_t now)
{
	int rc = store_run(s,
			   "UPDATE wx_user SET unionid = ?, tries = ?, next_at = ?, updated_at = ?"
			   " WHERE account_id = ? AND openid = ?",
			   NULL, "Tiiiit", unionid, (int64_t)u->tries, next_at, now, u->account_id,
			   u->openid);

	return rc < 0 ? rc : 0;
}

int wx_conv_customer_fill(struct store *s, int64_t account_id, const char *openid,
			  int64_t customer_id)
{
	return store_run(s,
			 "UPDATE conv SET customer_id = ? WHERE account_id = ? AND peer = ?"
			 " AND customer_id IS NULL RETURNING id",
			 NULL, "iit", customer_id, account_id, openid);
}

int wx_media_add(struct store *s, int64_t message_id, int64_t account_id, const char *kind,
		 const char *media_id, const char *format, int64_t now)
{
	int rc = store_run(s,
			   "INSERT INTO chan_media(message_id, account_id, kind, media_id, format,"
			   " next_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
			   NULL, "iittti", message_id, account_id, kind, media_id,
			   format ? format : "", now);

	return rc < 0 ? rc : 0;
}

static int wx_media_read(struct store_stmt *st, void *dst)
{
	struct wx_media *m = dst;

	m->id = store_col_int(st, 0);
	m->message_id = store_col_int(st, 1);
	m->account_id = store_col_int(st, 2);
	STORE_COL_COPY(st, 3, m->kind);
	STORE_COL_COPY(st, 4, m->media_id);
	STORE_COL_COPY(st, 5, m->format);
	m->tries = (int)store_col_int(st, 6);
	m->conv_id = store_col_int(st, 7);
	return 0;
}

int wx_media_due(struct store *s, int64_t now, struct wx_media *out, int max)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT x.id, x.message_id, x.account_id, x.kind, x.media_id, x.format, x.tries,"
		" m.conv_id FROM chan_media x JOIN conv_msg m ON m.id = x.message_id"
		" WHERE x.state = 'pending' AND x.next_at <= ? ORDER BY x.next_at, x.id LIMIT ?",
		"ii", now, (int64_t)max);
	int rc, n = 0;

	while (n < max && (rc = store_next(st, wx_media_read, &out[n])) > 0)
		n++;
	return store_end(st, n < max ? rc : 0, n);
}

int wx_media_set(struct store *s, int64_t id, const char *state, int tries, int64_t next_at,
		 const char *error)
{
	/* Only from the try the caller made: of two app nodes fetching the same
	 * media, one records it (the other's write finds tries moved on). */
	return store_run(s,
			 "UPDATE chan_media SET state = ?, tries = ?, next_at = ?, error = ?"
			 " WHERE id = ? AND state = 'pending' AND tries = ? RETURNING 1",
			 NULL, "tiiTii", state, (int64_t)tries, next_at, error, id,
			 (int64_t)tries - 1);
}

int wx_media_fail(struct store *s, int64_t id, const char *error)
{
	int rc = store_run(s, "UPDATE chan_media SET state = 'failed', error = ? WHERE id = ?",
			   NULL, "ti", error, id);

	return rc < 0 ? rc : 0;
}
