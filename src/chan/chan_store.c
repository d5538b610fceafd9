/*
 * The SQL of conversations (migration 28; chan.h tells the whole): the
 * settings, channel accounts, conversations and their messages with the
 * full-text index, the customer a peer names, and what the tick reads to
 * route, mark late ones and send. Nothing here begins or commits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chan/chan.h"
#include "core/err.h"
#include "cust/cust.h"
#include "store/store.h"

static int settings_read(struct store_stmt *st, void *dst)
{
	struct chan_settings *o = dst;

	o->chat_capacity = (int)store_col_int(st, 0);
	o->chat_first_reply_sec = (int)store_col_int(st, 1);
	o->email_reply_min = (int)store_col_int(st, 2);
	o->message_same_day = (int)store_col_int(st, 3);
	o->message_cutoff_min = (int)store_col_int(st, 4);
	o->chat_while_on_call = (int)store_col_int(st, 5);
	o->chat_idle_close_min = (int)store_col_int(st, 6);
	o->updated_by = store_col_int(st, 7);
	o->updated_at = store_col_int(st, 8);
	return 0;
}

int chan_settings_get(struct store *s, struct chan_settings *out)
{
	return store_one(store_query(s,
				     "SELECT chat_capacity, chat_first_reply_sec, email_reply_min,"
				     " message_same_day, message_cutoff_min, chat_while_on_call,"
				     " chat_idle_close_min, updated_by, updated_at"
				     " FROM chan_settings WHERE id = 1",
				     ""),
			 settings_read, out);
}

int chan_settings_put(struct store *s, const struct chan_settings *o)
{
	int rc = store_run(s,
			   "UPDATE chan_settings SET chat_capacity = ?, chat_first_reply_sec = ?,"
			   " email_reply_min = ?, message_same_day = ?, message_cutoff_min = ?,"
			   " chat_while_on_call = ?, chat_idle_close_min = ?, updated_by = ?,"
			   " updated_at = ? WHERE id = 1",
			   NULL, "iiiiiiidi", (int64_t)o->chat_capacity,
			   (int64_t)o->chat_first_reply_sec, (int64_t)o->email_reply_min,
			   (int64_t)o->message_same_day, (int64_t)o->message_cutoff_min,
			   (int64_t)o->chat_while_on_call, (int64_t)o->chat_idle_close_min,
			   o->updated_by, o->updated_at);

	return rc < 0 ? rc : 0;
}

/* -- Accounts -- */

#define ACCOUNT_COLUMNS                                                                            \
	"id, channel, name, enabled, config, queue, created_at, updated_at FROM chan_account"

static int account_read(struct store_stmt *st, void *dst)
{
	struct chan_account *a = dst;

	a->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, a->channel);
	STORE_COL_COPY(st, 2, a->name);
	a->enabled = (int)store_col_int(st, 3);
	STORE_COL_COPY(st, 4, a->config);
	STORE_COL_COPY(st, 5, a->queue);
	a->created_at = store_col_int(st, 6);
	a->updated_at = store_col_int(st, 7);
	return 0;
}

int chan_account_get(struct store *s, int64_t id, struct chan_account *out)
{
	return store_one(store_query(s, "SELECT " ACCOUNT_COLUMNS " WHERE id = ?", "i", id),
			 account_read, out);
}

int chan_account_insert(struct store *s, struct chan_account *a)
{
	int rc = store_run(s,
			   "INSERT INTO chan_account(channel, name, enabled, config, queue,"
			   " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			   &a->id, "ttittii", a->channel, a->name, (int64_t)a->enabled, a->config,
			   a->queue, a->created_at, a->updated_at);

	return rc < 0 ? rc : 0;
}

int chan_account_save(struct store *s, const struct chan_account *a)
{
	int rc = store_run(s,
			   "UPDATE chan_account SET name = ?, enabled = ?, config = ?, queue = ?,"
			   " updated_at = ? WHERE id = ? RETURNING 1",
			   NULL, "tittii", a->name, (int64_t)a->enabled, a->config, a->queue,
			   a->updated_at, a->id);

	if (rc == 0)
		return ERR_NOTFOUND;
	return rc < 0 ? rc : 0;
}

int chan_account_delete(struct store *s, int64_t id)
{
	int rc = store_run(s, "SELECT 1 FROM conv WHERE account_id = ? LIMIT 1", NULL, "i", id);

	if (rc == 1)
		return ERR_CONFLICT;
	if (rc < 0)
		return rc;
	rc = store_run(s, "DELETE FROM chan_account WHERE id = ? RETURNING 1", NULL, "i", id);
	if (rc == 0)
		return ERR_NOTFOUND;
	return rc < 0 ? rc : 0;
}

int chan_account_list(struct store *s, const char *channel,
		      int (*row)(void *ctx, const struct chan_account *a), void *ctx)
{
	struct store_stmt *st = store_query(
		s, "SELECT " ACCOUNT_COLUMNS " WHERE ?1 IS NULL OR channel = ?1 ORDER BY id", "t",
		channel);
	struct chan_account *a = malloc(sizeof(*a));
	int rc = a ? 0 : ERR_NOMEM, n = 0;

	while (rc == 0 && (rc = store_next(st, account_read, a)) == 1 && (rc = row(ctx, a)) >= 0) {
		n++;
		rc = 0;
	}
	free(a);
	return store_end(st, rc, n);
}

/* -- Conversations -- */

#define CONV_COLUMNS                                                                               \
	"c.id, c.channel, c.account_id, c.customer_id, c.peer, c.peer_name, c.subject, c.state,"   \
	" c.queue, c.agent_id, c.created_at, c.last_in_at, c.last_out_at, c.first_reply_due,"      \
	" c.first_reply_at, c.resolve_due, c.resolved_at, c.breached, c.contact_id, c.order_id,"   \
	" c.rating, c.unread FROM conv c"

static int conv_read(struct store_stmt *st, void *dst)
{
	struct chan_conv *c = dst;

	c->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, c->channel);
	c->account_id = store_col_int(st, 2);
	c->customer_id = store_col_int(st, 3);
	STORE_COL_COPY(st, 4, c->peer);
	STORE_COL_COPY(st, 5, c->peer_name);
	STORE_COL_COPY(st, 6, c->subject);
	STORE_COL_COPY(st, 7, c->state);
	STORE_COL_COPY(st, 8, c->queue);
	c->agent_id = store_col_int(st, 9);
	c->created_at = store_col_int(st, 10);
	c->last_in_at = store_col_int(st, 11);
	c->last_out_at = store_col_int(st, 12);
	c->first_reply_due = store_col_int(st, 13);
	c->first_reply_at = store_col_int(st, 14);
	c->resolve_due = store_col_int(st, 15);
	c->resolved_at = store_col_int(st, 16);
	c->breached = (int)store_col_int(st, 17);
	c->contact_id = store_col_int(st, 18);
	c->order_id = store_col_int(st, 19);
	c->rating = (int)store_col_int(st, 20);
	c->unread = (int)store_col_int(st, 21);
	return 0;
}

int chan_conv_get(struct store *s, int64_t id, struct chan_conv *out)
{
	return store_one(store_query(s, "SELECT " CONV_COLUMNS " WHERE c.id = ?", "i", id),
			 conv_read, out);
}

int chan_conv_open_for(struct store *s, int64_t account_id, const char *peer, struct chan_conv *out)
{
	return store_one(store_query(s,
				     "SELECT " CONV_COLUMNS " WHERE c.account_id = ? AND c.peer = ?"
				     " AND c.state <> 'resolved'",
				     "it", account_id, peer),
			 conv_read, out);
}

int chan_conv_latest_for(struct store *s, int64_t account_id, const char *peer,
			 struct chan_conv *out)
{
	/* The open one first (the database holds at most one), else the newest. */
	return store_one(store_query(s,
				     "SELECT " CONV_COLUMNS " WHERE c.account_id = ? AND c.peer = ?"
				     " ORDER BY c.state = 'resolved', c.id DESC LIMIT 1",
				     "it", account_id, peer),
			 conv_read, out);
}

int chan_conv_insert(struct store *s, struct chan_conv *c)
{
	int rc = store_run(s,
			   "INSERT INTO conv(channel, account_id, customer_id, peer, peer_name,"
			   " subject, state, queue, agent_id, created_at, last_in_at,"
			   " first_reply_due, resolve_due, unread)"
			   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			   &c->id, "tidtttttdiddii", c->channel, c->account_id, c->customer_id,
			   c->peer, c->peer_name, c->subject, c->state, c->queue, c->agent_id,
			   c->created_at, c->last_in_at, c->first_reply_due, c->resolve_due,
			   (int64_t)c->unread);

	return rc < 0 ? rc : 0;
}

int chan_conv_save(struct store *s, const struct chan_conv *c)
{
	int rc = store_run(
		s,
		"UPDATE conv SET customer_id = ?, peer_name = ?, subject = ?, state = ?, queue = ?,"
		" agent_id = ?, last_in_at = ?, last_out_at = ?, first_reply_due = ?,"
		" first_reply_at = ?, resolve_due = ?, resolved_at = ?, breached = ?, contact_id = "
		"?,"
		" order_id = ?, rating = ?, unread = ? WHERE id = ? RETURNING 1",
		NULL, "dttttdddddddiddnii", c->customer_id, c->peer_name, c->subject, c->state,
		c->queue, c->agent_id, c->last_in_at, c->last_out_at, c->first_reply_due,
		c->first_reply_at, c->resolve_due, c->resolved_at, (int64_t)c->breached,
		c->contact_id, c->order_id, (int64_t)(c->rating ? c->rating : -1),
		(int64_t)c->unread, c->id);

	if (rc == 0)
		return ERR_NOTFOUND;
	return rc < 0 ? rc : 0;
}

int chan_conv_list(struct store *s, const struct chan_conv_filter *f,
		   int (*row)(void *ctx, const struct chan_conv *c), void *ctx)
{
	struct store_sql q = STORE_SQL_INIT;
	struct store_stmt *st;
	struct chan_conv *c = malloc(sizeof(*c));
	int rc = c ? 0 : ERR_NOMEM, n = 0;

	store_sql_add(&q, "SELECT " CONV_COLUMNS " WHERE 1 = 1", "");
	if (f->state && strcmp(f->state, "active") == 0)
		store_sql_add(&q, " AND c.state <> 'resolved'", "");
	else if (f->state)
		store_sql_add(&q, " AND c.state = ?", "t", f->state);
	if (f->channel)
		store_sql_add(&q, " AND c.channel = ?", "t", f->channel);
	if (f->queue)
		store_sql_add(&q, " AND c.queue = ?", "t", f->queue);
	if (f->agent_id)
		store_sql_add(&q, " AND c.agent_id = ?", "i", f->agent_id);
	if (f->customer_id)
		store_sql_add(&q, " AND c.customer_id = ?", "i", f->customer_id);
	if (f->visible_to)
		/* An agent's own, and the new ones of the queues they serve. */
		store_sql_add(
			&q,
			" AND (c.agent_id = ? OR (c.state = 'new' AND c.agent_id IS NULL AND"
			" (c.queue = '' OR NOT EXISTS (SELECT 1 FROM acd_queue aq"
			"  WHERE aq.code = c.queue AND aq.skill IS NOT NULL AND aq.skill <> '')"
			" OR EXISTS (SELECT 1 FROM acd_queue aq JOIN person_skill k"
			"  ON k.skill = aq.skill WHERE aq.code = c.queue AND k.person_id = ?))))",
			"ii", f->visible_to, f->visible_to);
	if (f->q)
		/* The words in a message, or the customer's address or name (instr: no LIKE
		 * wildcards to escape). */
		store_sql_add(&q,
			      " AND (c.id IN (SELECT m.conv_id FROM conv_msg m WHERE m.id IN"
			      " (SELECT rowid FROM conv_fts WHERE conv_fts MATCH ?))"
			      " OR instr(c.peer, ?) > 0 OR instr(c.peer_name, ?) > 0)",
			      "ttt", f->q, f->q_raw ? f->q_raw : f->q, f->q_raw ? f->q_raw : f->q);
	if (f->before_id)
		store_sql_add(&q, " AND c.id < ?", "i", f->before_id);
	store_sql_add(&q, " ORDER BY c.id DESC LIMIT ?", "i", (int64_t)f->limit);
	st = store_sql_prepare(s, &q);
	while (rc == 0 && (rc = store_next(st, conv_read, c)) == 1 && (rc = row(ctx, c)) >= 0) {
		n++;
		rc = 0;
	}
	free(c);
	return store_end(st, rc, n);
}

int chan_queue_served(struct store *s, const char *queue, int64_t person_id)
{
	int rc;

	if (!queue || !queue[0])
		return 1;
	rc = store_run(s,
		       "SELECT 1 FROM acd_queue aq WHERE aq.code = ?1 AND (aq.skill IS NULL OR"
		       " aq.skill = '' OR EXISTS (SELECT 1 FROM person_skill k"
		       "  WHERE k.skill = aq.skill AND k.person_id = ?2))",
		       NULL, "ti", queue, person_id);
	if (rc == 0) /* a queue that is gone: any seat */
		rc = store_run(s,
			       "SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM acd_queue WHERE code = ?)",
			       NULL, "t", queue);
	return rc;
}

/* -- Messages -- */

int chan_msg_insert(struct store *s, struct chan_msg *m)
{
	int rc = store_run(s,
			   "INSERT INTO conv_msg(conv_id, account_id, direction, author_id, body,"
			   " html, ext_id, in_reply_to, status, error, tries, at)"
			   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
			   " ON CONFLICT DO NOTHING RETURNING id",
			   &m->id, "iitdttTTTTii", m->conv_id, m->account_id, m->direction,
			   m->author_id, m->body ? m->body : "", m->html, m->ext_id, m->in_reply_to,
			   m->status, m->error, (int64_t)m->tries, m->at);

	if (rc == 0)
		return ERR_CONFLICT;
	if (rc < 0)
		return rc;
	/* The inbox searches what customers and agents wrote (not system lines). */
	if (m->body && m->body[0] && strcmp(m->direction, "event") != 0) {
		rc = store_run(s, "INSERT INTO conv_fts(rowid, body) VALUES (?, ?)", NULL, "it",
			       m->id, m->body);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int chan_msg_find_ext(struct store *s, int64_t account_id, const char *ext_id, int64_t *conv_id,
		      int64_t *msg_id)
{
	struct store_stmt *st = store_query(
		s, "SELECT conv_id, id FROM conv_msg WHERE account_id = ? AND ext_id = ?", "it",
		account_id, ext_id);
	int rc = store_next(st, NULL, NULL);

	if (rc == 1) {
		*conv_id = store_col_int(st, 0);
		*msg_id = store_col_int(st, 1);
		rc = 0;
	} else if (rc == 0) {
		rc = ERR_NOTFOUND;
	}
	store_done(st);
	return rc;
}

static int msg_read(struct store_stmt *st, void *dst)
{
	struct chan_msg *m = dst;

	m->id = store_col_int(st, 0);
	m->conv_id = store_col_int(st, 1);
	m->account_id = store_col_int(st, 2);
	m->direction = store_col_text_or(st, 3, "");
	m->author_id = store_col_int(st, 4);
	m->body = store_col_text_or(st, 5, "");
	m->html = store_col_text(st, 6);
	m->ext_id = store_col_text(st, 7);
	m->in_reply_to = store_col_text(st, 8);
	m->status = store_col_text(st, 9);
	m->error = store_col_text(st, 10);
	m->tries = (int)store_col_int(st, 11);
	m->at = store_col_int(st, 12);
	return 0;
}

int chan_msg_list(struct store *s, int64_t conv_id, int64_t after_id, int limit,
		  int (*row)(void *ctx, const struct chan_msg *m), void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT id, conv_id, account_id, direction, author_id, body, html, ext_id,"
		" in_reply_to, status, error, tries, at FROM conv_msg"
		" WHERE conv_id = ? AND id > ? ORDER BY id LIMIT ?",
		"iii", conv_id, after_id, (int64_t)limit);
	struct chan_msg m;
	int rc, n = 0;

	while ((rc = store_next(st, msg_read, &m)) == 1 && (rc = row(ctx, &m)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int chan_msg_queued(struct store *s, int64_t *out, int max)
{
	struct store_stmt *st = store_query(
		s, "SELECT id FROM conv_msg WHERE status = 'queued' ORDER BY id LIMIT ?", "i",
		(int64_t)max);
	int rc, n = 0;

	while (n < max && (rc = store_next(st, NULL, NULL)) == 1)
		out[n++] = store_col_int(st, 0);
	return store_end(st, n < max ? rc : 0, n);
}

int chan_msg_conv(struct store *s, int64_t id, int queued, int64_t *conv_id, int64_t *tries)
{
	struct store_stmt *st = store_query(
		s, "SELECT conv_id, tries FROM conv_msg WHERE id = ? AND (? = 0 OR status = 'queued')",
		"ii", id, (int64_t)queued);
	int rc = store_next(st, NULL, NULL);

	if (rc == 1) {
		*conv_id = store_col_int(st, 0);
		if (tries)
			*tries = store_col_int(st, 1);
	}
	return store_end(st, rc == 1 ? 0 : rc == 0 ? ERR_NOTFOUND : rc, 0);
}

int chan_msg_delivery(struct store *s, int64_t account_id, const char *ext_id, int delivered,
		      const char *error)
{
	int rc;

	if (delivered)
		rc = store_run(s,
			       "SELECT 1 FROM conv_msg WHERE account_id = ? AND ext_id = ?"
			       " AND direction = 'out'",
			       NULL, "it", account_id, ext_id);
	else
		rc = store_run(s,
			       "UPDATE conv_msg SET status = 'failed', error = ? WHERE account_id = ?"
			       " AND ext_id = ? AND direction = 'out' RETURNING 1",
			       NULL, "tit", error, account_id, ext_id);
	if (rc == 0)
		return ERR_NOTFOUND;
	return rc < 0 ? rc : 0;
}

int chan_live_count(struct store *s, int64_t agent_id, int64_t *out)
{
	int rc = store_run(s,
			   "SELECT count(*) FROM conv WHERE agent_id = ? AND state IN ('open',"
			   " 'waiting') AND channel IN ('web_chat', 'wechat', 'weibo')",
			   out, "i", agent_id);

	return rc < 0 ? rc : 0;
}

int chan_msg_sent(struct store *s, int64_t id, const char *status, const char *ext_id,
		  const char *error, int tries)
{
	int rc = store_run(s,
			   "UPDATE conv_msg SET status = ?, ext_id = coalesce(?, ext_id),"
			   " error = ?, tries = ? WHERE id = ? RETURNING 1",
			   NULL, "tTTii", status, ext_id, error, (int64_t)tries, id);

	if (rc == 0)
		return ERR_NOTFOUND;
	return rc < 0 ? rc : 0;
}

/* -- Customers -- */

int chan_customer_match(struct store *s, enum chan_kind k, const char *peer, int64_t *id)
{
	char phone[CUST_PHONE_DIGITS + 1];
	int rc;

	*id = 0;
	switch (k) {
	case CHAN_EMAIL:
		rc = store_run(s,
			       "SELECT id FROM customer WHERE email = ? COLLATE NOCASE"
			       " AND merged_into IS NULL ORDER BY id LIMIT 1",
			       id, "t", peer);
		break;
	case CHAN_WECHAT:
		rc = store_run(s,
			       "SELECT id FROM customer WHERE wechat = ? AND merged_into IS NULL"
			       " ORDER BY id LIMIT 1",
			       id, "t", peer);
		break;
	case CHAN_WEIBO:
		rc = store_run(s,
			       "SELECT id FROM customer WHERE weibo = ? AND merged_into IS NULL"
			       " ORDER BY id LIMIT 1",
			       id, "t", peer);
		break;
	case CHAN_SMS:
	case CHAN_WEB_CHAT:
		/* A web chat's peer is a visitor id unless the visitor gave a number. */
		if (cust_phone_normalize(peer, phone, sizeof(phone)) < 0)
			return ERR_NOTFOUND;
		return cust_phone_owner(s, phone, id);
	default:
		return ERR_NOTFOUND;
	}
	if (rc == 0)
		return ERR_NOTFOUND;
	return rc < 0 ? rc : 0;
}

int chan_customer_match_union(struct store *s, const char *unionid, int64_t *id)
{
	int rc;

	*id = 0;
	rc = store_run(s,
		       "SELECT id FROM customer WHERE merged_into IS NULL AND (wechat = ?1"
		       " OR wechat IN (SELECT openid FROM wx_user WHERE unionid = ?1))"
		       " UNION ALL SELECT c.id FROM conv v"
		       " JOIN wx_user u ON u.account_id = v.account_id AND u.openid = v.peer"
		       " JOIN customer c ON c.id = v.customer_id AND c.merged_into IS NULL"
		       " WHERE u.unionid = ?1 AND v.channel = 'wechat' LIMIT 1",
		       id, "t", unionid);
	if (rc == 0)
		return ERR_NOTFOUND;
	return rc < 0 ? rc : 0;
}

/* -- The tick's reading -- */

static int ids(struct store_stmt *st, int64_t *out, int max)
{
	int rc = 0, n = 0;

	while (n < max && (rc = store_next(st, NULL, NULL)) == 1)
		out[n++] = store_col_int(st, 0);
	return store_end(st, n < max ? rc : 0, n);
}

int chan_conv_new_ids(struct store *s, int64_t *out, int max)
{
	return ids(store_query(s,
			       "SELECT id FROM conv WHERE state = 'new' AND agent_id IS NULL"
			       " ORDER BY first_reply_due, id LIMIT ?",
			       "i", (int64_t)max),
		   out, max);
}

static int candidate_read(struct store_stmt *st, void *dst)
{
	struct chan_candidate *c = dst;

	c->person_id = store_col_int(st, 0);
	c->idle_since = store_col_int(st, 1);
	c->live = (int)store_col_int(st, 2);
	c->other = (int)store_col_int(st, 3);
	return 0;
}

int chan_candidates(struct store *s, const char *queue, int on_call, struct chan_candidate *out,
		    int max)
{
	/* The queue's skill (acd_queue, ORG-2); '' or a queue that is gone: any seat. */
	struct store_stmt *st = store_query(
		s,
		"SELECT p.id, st.since,"
		" (SELECT count(*) FROM conv c WHERE c.agent_id = p.id AND c.state IN ('open', "
		"'waiting')"
		"   AND c.channel IN ('web_chat', 'wechat', 'weibo')),"
		" (SELECT count(*) FROM conv c WHERE c.agent_id = p.id AND c.state IN ('open', "
		"'waiting')"
		"   AND c.channel NOT IN ('web_chat', 'wechat', 'weibo'))"
		" FROM agent_state st JOIN person p ON p.id = st.person_id"
		" WHERE (st.status = 'ready' OR (?2 = 1 AND st.status = 'talking')) AND p.active = "
		"1"
		"  AND (coalesce((SELECT aq.skill FROM acd_queue aq WHERE aq.code = ?1), '') = ''"
		"   OR EXISTS (SELECT 1 FROM person_skill k WHERE k.person_id = p.id"
		"    AND k.skill = (SELECT aq.skill FROM acd_queue aq WHERE aq.code = ?1)))"
		" ORDER BY st.since, p.id LIMIT ?3",
		"tii", queue ? queue : "", (int64_t)on_call, (int64_t)max);
	int rc = 0, n = 0;

	while (n < max && (rc = store_next(st, candidate_read, &out[n])) == 1)
		n++;
	return store_end(st, n < max ? rc : 0, n);
}

int chan_conv_late_ids(struct store *s, int64_t now, int64_t *out, int max)
{
	return ids(store_query(s,
			       "SELECT id FROM conv WHERE state <> 'resolved' AND"
			       " (((breached & 1) = 0 AND first_reply_at IS NULL AND"
			       "   first_reply_due <= ?1) OR"
			       "  ((breached & 2) = 0 AND resolve_due <= ?1))"
			       " ORDER BY id LIMIT ?2",
			       "ii", now, (int64_t)max),
		   out, max);
}

int chan_conv_idle_ids(struct store *s, int64_t before, int64_t *out, int max)
{
	return ids(store_query(s,
			       "SELECT id FROM conv WHERE channel = 'web_chat'"
			       " AND state IN ('open', 'waiting') AND last_out_at IS NOT NULL"
			       " AND last_out_at <= ?1"
			       " AND (last_in_at IS NULL OR last_in_at <= last_out_at)"
			       " ORDER BY id LIMIT ?2",
			       "ii", before, (int64_t)max),
		   out, max);
}

int chan_conv_requeue_ids(struct store *s, int64_t agent_id, int64_t *out, int max)
{
	/* A web chat that became a web message (chat_message_conv) is answered
	 * within the day, not at once: it stays with its agent like an email. */
	return ids(store_query(s,
			       "SELECT id FROM conv WHERE agent_id = ?1"
			       " AND state IN ('open', 'waiting')"
			       " AND channel IN ('web_chat', 'wechat', 'weibo')"
			       " AND id NOT IN (SELECT conv_id FROM chat_message_conv)"
			       " ORDER BY id LIMIT ?2",
			       "ii", agent_id, (int64_t)max),
		   out, max);
}

int chan_conv_order_link(struct store *s, int64_t contact_id, int64_t order_id, int64_t *conv_id)
{
	/* A contact is written by one resolution, so at most one conversation has it. */
	int rc = store_run(s,
			   "UPDATE conv SET order_id = ?2 WHERE contact_id = ?1"
			   " AND order_id IS NULL RETURNING id",
			   conv_id, "ii", contact_id, order_id);

	if (rc == 0)
		return ERR_NOTFOUND;
	return rc < 0 ? rc : 0;
}

/* The SQL of an agent's view (chan_conv_list's visible_to), for the inbox stream. */
int chan_changes(struct store *s, int64_t after_id, int64_t visible_to, int limit,
		 int (*row)(void *ctx, int64_t conv_id, int64_t msg_id), void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT m.conv_id, max(m.id) AS last FROM conv_msg m JOIN conv c ON c.id = "
		"m.conv_id"
		" WHERE m.id > ?1 AND (?2 IS NULL OR c.agent_id = ?2 OR (c.state = 'new' AND"
		"  c.agent_id IS NULL AND (c.queue = '' OR NOT EXISTS (SELECT 1 FROM acd_queue aq"
		"   WHERE aq.code = c.queue AND aq.skill IS NOT NULL AND aq.skill <> '')"
		"  OR EXISTS (SELECT 1 FROM acd_queue aq JOIN person_skill k ON k.skill = aq.skill"
		"   WHERE aq.code = c.queue AND k.person_id = ?2))))"
		" GROUP BY m.conv_id ORDER BY last LIMIT ?3",
		"idi", after_id, visible_to, (int64_t)limit);
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1 &&
	       (rc = row(ctx, store_col_int(st, 0), store_col_int(st, 1))) >= 0)
		n++;
	return store_end(st, rc, n);
}

int chan_msg_last_id(struct store *s, int64_t *out)
{
	*out = 0;
	int rc = store_run(s, "SELECT coalesce(max(id), 0) FROM conv_msg", out, "");

	return rc < 0 ? rc : 0;
}

int chan_queue_exists(struct store *s, const char *code)
{
	return store_run(s, "SELECT 1 FROM acd_queue WHERE code = ?", NULL, "t", code);
}

int chan_person_active(struct store *s, int64_t id)
{
	return store_run(s, "SELECT 1 FROM person WHERE id = ? AND active = 1", NULL, "i", id);
}

static int queue_count_read(struct store_stmt *st, void *dst)
{
	struct chan_queue_count *q = dst;

	q->channel = store_col_text_or(st, 0, "");
	q->queue = store_col_text_or(st, 1, "");
	q->waiting = (int)store_col_int(st, 2);
	q->open = (int)store_col_int(st, 3);
	q->oldest_at = store_col_int(st, 4);
	return 0;
}

int chan_queue_counts(struct store *s, int (*row)(void *ctx, const struct chan_queue_count *q),
		      void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT channel, queue, sum(state = 'new'), sum(state IN ('open', 'waiting')),"
		" min(CASE WHEN state = 'new' THEN created_at END)"
		" FROM conv WHERE state <> 'resolved' GROUP BY channel, queue ORDER BY channel, "
		"queue",
		"");
	struct chan_queue_count q;
	int rc, n = 0;

	while ((rc = store_next(st, queue_count_read, &q)) == 1 && (rc = row(ctx, &q)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int chan_person_label(struct store *s, int64_t id, char *out, size_t size)
{
	struct store_stmt *st =
		store_query(s, "SELECT work_no, name FROM person WHERE id = ?", "i", id);
	int rc = store_next(st, NULL, NULL);

	if (rc == 1) {
		snprintf(out, size, "%s %s", store_col_text_or(st, 1, ""),
			 store_col_text_or(st, 0, ""));
		rc = 0;
	} else if (rc == 0) {
		snprintf(out, size, "#%lld", (long long)id);
	}
	store_done(st);
	return rc;
}
