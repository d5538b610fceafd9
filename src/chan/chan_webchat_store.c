/*
 * The web chat's SQL (chan_webchat.h): visitors (migration 31), the
 * account's config read from its JSON text, whether an agent is ready
 * (acd's agent_state and skills, read with its own statement), the
 * visitor's conversation, rating, and the messages the visitors' streams
 * send. Nothing here begins or commits.
 */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "chan/chan_webchat.h"
#include "core/err.h"
#include "store/store.h"

static void config_parse(const char *text, struct webchat_config *c)
{
	json_t *o = text ? json_loads(text, 0, NULL) : NULL, *v;
	const char *k;

	webchat_config_default(c);
	if (!json_is_object(o)) {
		json_decref(o);
		return;
	}
	v = json_object_get(o, "origins");
	if (json_is_string(v)) {
		snprintf(c->origins[0], sizeof(c->origins[0]), "%s", json_string_value(v));
		c->norigins = 1;
	} else if (json_is_array(v)) {
		size_t i;
		json_t *e;

		json_array_foreach(v, i, e)
		{
			if (c->norigins == WEBCHAT_ORIGINS_MAX)
				break;
			if (json_is_string(e))
				snprintf(c->origins[c->norigins++], sizeof(c->origins[0]), "%s",
					 json_string_value(e));
		}
	}
	json_object_foreach(o, k, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 100000)
			continue;
		if (strcmp(k, "per_address_min") == 0)
			c->per_address_min = (int)json_integer_value(v);
		else if (strcmp(k, "per_visitor_min") == 0)
			c->per_visitor_min = (int)json_integer_value(v);
		else if (strcmp(k, "sessions_per_hour") == 0)
			c->sessions_per_hour = (int)json_integer_value(v);
		else if (strcmp(k, "queue_timeout_sec") == 0 && json_integer_value(v) >= 10)
			c->queue_timeout_sec = (int)json_integer_value(v);
	}
	v = json_object_get(o, "title");
	if (json_is_string(v))
		snprintf(c->title, sizeof(c->title), "%s", json_string_value(v));
	v = json_object_get(o, "welcome");
	if (json_is_string(v))
		snprintf(c->welcome, sizeof(c->welcome), "%s", json_string_value(v));
	json_decref(o);
}

static int account_read(struct store_stmt *st, void *dst)
{
	struct webchat_account *a = dst;

	a->id = store_col_int(st, 0);
	a->enabled = (int)store_col_int(st, 1);
	STORE_COL_COPY(st, 2, a->queue);
	config_parse(store_col_text(st, 3), &a->cfg);
	return 0;
}

int webchat_account_get(struct store *s, int64_t id, struct webchat_account *out)
{
	return store_one(store_query(s,
				     "SELECT id, enabled, queue, config FROM chan_account"
				     " WHERE id = ? AND channel = 'web_chat'",
				     "i", id),
			 account_read, out);
}

static int visitor_read(struct store_stmt *st, void *dst)
{
	struct webchat_visitor *v = dst;

	v->id = store_col_int(st, 0);
	v->account_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, v->vid);
	STORE_COL_COPY(st, 3, v->name);
	STORE_COL_COPY(st, 4, v->phone);
	v->created_at = store_col_int(st, 5);
	return 0;
}

int webchat_visitor_insert(struct store *s, struct webchat_visitor *v, const char *token_hash,
			   const char *address, int64_t now)
{
	int rc = store_run(
		s,
		"INSERT INTO chat_visitor(account_id, vid, token_hash, name, phone, address,"
		" created_at, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		&v->id, "itttttii", v->account_id, v->vid, token_hash, v->name, v->phone, address,
		now, now);

	v->created_at = now;
	return rc < 0 ? rc : 0;
}

int webchat_visitor_by_token(struct store *s, int64_t account_id, const char *token_hash,
			     struct webchat_visitor *out)
{
	return store_one(store_query(s,
				     "SELECT id, account_id, vid, name, phone, created_at"
				     " FROM chat_visitor WHERE token_hash = ? AND account_id = ?",
				     "ti", token_hash, account_id),
			 visitor_read, out);
}

int webchat_visitor_by_id(struct store *s, int64_t id, struct webchat_visitor *out)
{
	return store_one(store_query(s,
				     "SELECT id, account_id, vid, name, phone, created_at"
				     " FROM chat_visitor WHERE id = ?",
				     "i", id),
			 visitor_read, out);
}

int webchat_visitor_update(struct store *s, int64_t id, const char *name, const char *phone,
			   int64_t now)
{
	int rc = store_run(s,
			   "UPDATE chat_visitor SET name = ?, phone = ?, seen_at = ? WHERE id = ?",
			   NULL, "ttii", name, phone, now, id);

	return rc < 0 ? rc : 0;
}

int webchat_agent_available(struct store *s, const char *queue)
{
	/* Ready now (or on a call where the center lets chats reach agents on
	 * calls), with the queue's skill when it has one (ORG-2). */
	int rc = store_run(
		s,
		"SELECT 1 FROM agent_state a WHERE (a.status = 'ready' OR (a.status = 'talking'"
		" AND (SELECT chat_while_on_call FROM chan_settings WHERE id = 1) = 1))"
		" AND (NOT EXISTS (SELECT 1 FROM acd_queue q"
		"   WHERE q.code = ? AND q.skill IS NOT NULL)"
		"  OR EXISTS (SELECT 1 FROM acd_queue q JOIN person_skill ps ON ps.skill = q.skill"
		"   WHERE q.code = ? AND ps.person_id = a.person_id))"
		" LIMIT 1",
		NULL, "tt", queue, queue);

	return rc;
}

static int conv_read(struct store_stmt *st, void *dst)
{
	struct webchat_conv *c = dst;

	c->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, c->state);
	c->agent_id = store_col_int(st, 2);
	c->rating = (int)store_col_int(st, 3);
	c->web_message = (int)store_col_int(st, 4);
	return 0;
}

int webchat_conv_of(struct store *s, int64_t account_id, const char *vid, struct webchat_conv *out)
{
	/* The open one sorts first; then the newest. */
	return store_one(
		store_query(s,
			    "SELECT id, state, agent_id, rating,"
			    " EXISTS (SELECT 1 FROM chat_message_conv m WHERE m.conv_id = conv.id)"
			    " FROM conv WHERE account_id = ? AND peer = ?"
			    " ORDER BY state = 'resolved', id DESC LIMIT 1",
			    "it", account_id, vid),
		conv_read, out);
}

int webchat_conv_mark_message(struct store *s, int64_t conv_id, int64_t now)
{
	int rc = store_run(s,
			   "INSERT INTO chat_message_conv(conv_id, at) VALUES (?, ?)"
			   " ON CONFLICT(conv_id) DO NOTHING",
			   NULL, "ii", conv_id, now);

	if (rc < 0)
		return rc;
	rc = store_run(s, "UPDATE conv SET subject = '网页留言' WHERE id = ? AND subject = ''",
		       NULL, "i", conv_id);
	return rc < 0 ? rc : 0;
}

int webchat_waiting_ids(struct store *s, int64_t before, int64_t *ids, int64_t *accounts,
			int64_t *created, int max)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT c.id, c.account_id, c.created_at FROM conv c"
		" WHERE c.state = 'new' AND c.channel = 'web_chat' AND c.first_reply_at IS NULL"
		" AND c.created_at < ?"
		" AND NOT EXISTS (SELECT 1 FROM chat_message_conv m WHERE m.conv_id = c.id)"
		" ORDER BY c.id LIMIT ?",
		"ii", before, (int64_t)max);
	int rc, n = 0;

	while (n < max && (rc = store_next(st, NULL, NULL)) == 1) {
		ids[n] = store_col_int(st, 0);
		accounts[n] = store_col_int(st, 1);
		created[n] = store_col_int(st, 2);
		n++;
	}
	if (n == max)
		rc = 0;
	return store_end(st, rc, n);
}

int webchat_marked_since(struct store *s, int64_t since, webchat_conv_fn fn, void *ctx)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT c.id, c.account_id, c.peer FROM chat_message_conv m"
			    " JOIN conv c ON c.id = m.conv_id WHERE m.at >= ?",
			    "i", since);
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1 &&
	       (rc = fn(ctx, store_col_int(st, 0), store_col_int(st, 1), store_col_text(st, 2))) >=
		       0)
		n++;
	return store_end(st, rc, n);
}

int webchat_conv_rate(struct store *s, int64_t conv_id, int rating)
{
	int rc = store_run(s,
			   "UPDATE conv SET rating = ? WHERE id = ? AND rating IS NULL RETURNING 1",
			   NULL, "ii", (int64_t)rating, conv_id);

	if (rc == 0)
		return ERR_CONFLICT;
	return rc < 0 ? rc : 0;
}

int webchat_conv_link_phone(struct store *s, int64_t conv_id, const char *phone)
{
	int rc = store_run(s,
			   "UPDATE conv SET customer_id = (SELECT customer_id FROM customer_phone"
			   " WHERE phone = ?) WHERE id = ? AND customer_id IS NULL"
			   " AND EXISTS (SELECT 1 FROM customer_phone WHERE phone = ?)",
			   NULL, "tit", phone, conv_id, phone);

	return rc < 0 ? rc : 0;
}

static int msg_read(struct store_stmt *st, void *dst)
{
	struct webchat_msg *m = dst;

	m->id = store_col_int(st, 0);
	m->conv_id = store_col_int(st, 1);
	m->account_id = store_col_int(st, 2);
	STORE_COL_COPY(st, 3, m->peer);
	STORE_COL_COPY(st, 4, m->direction);
	STORE_COL_COPY(st, 5, m->agent);
	m->at = store_col_int(st, 6);
	m->body = (char *)store_col_text_or(st, 7, "");
	m->nfiles = 0;
	return 0;
}

int webchat_msg_last_id(struct store *s, int64_t *out)
{
	int rc = store_run(s, "SELECT coalesce(max(id), 0) FROM conv_msg", out, "");

	return rc < 0 ? rc : 0;
}

static int walk(struct store_stmt *st, webchat_msg_fn fn, void *ctx)
{
	struct webchat_msg m;
	int rc, n = 0;

	while ((rc = store_next(st, msg_read, &m)) == 1 && (rc = fn(ctx, &m)) >= 0)
		n++;
	return store_end(st, rc, n);
}

/* What a visitor sees: the customer's messages and the agents' replies that
 * did not fail; notes stay inside, and of a system line (assigned,
 * transferred) only who has the chat now (its agent's work number), never
 * its text. */
#define MSG_COLS                                                                                   \
	"SELECT m.id, m.conv_id, c.account_id, c.peer, m.direction,"                               \
	" coalesce(p.work_no, ''), m.at, CASE WHEN m.direction = 'event' THEN '' ELSE m.body END"  \
	" FROM conv_msg m JOIN conv c ON c.id = m.conv_id"                                         \
	" LEFT JOIN person p ON p.id = CASE WHEN m.direction = 'event' THEN c.agent_id"            \
	"  ELSE m.author_id END"

int webchat_msgs_after(struct store *s, int64_t after, int64_t upto, int limit, webchat_msg_fn fn,
		       void *ctx)
{
	return walk(store_query(s,
				MSG_COLS
				" WHERE m.id > ? AND (? = 0 OR m.id <= ?)"
				" AND c.channel = 'web_chat'"
				" AND (m.direction IN ('in', 'event') OR (m.direction = 'out'"
				"  AND coalesce(m.status, '') <> 'failed'))"
				" ORDER BY m.id LIMIT ?",
				"iiii", after, upto, upto, (int64_t)limit),
		    fn, ctx);
}

int webchat_msgs_of(struct store *s, int64_t account_id, const char *vid, int64_t after,
		    int64_t upto, int limit, webchat_msg_fn fn, void *ctx)
{
	return walk(store_query(s,
				MSG_COLS
				" WHERE c.account_id = ? AND c.peer = ? AND m.id > ?"
				" AND (? = 0 OR m.id <= ?)"
				" AND (m.direction IN ('in', 'event') OR (m.direction = 'out'"
				"  AND coalesce(m.status, '') <> 'failed'))"
				" ORDER BY m.id LIMIT ?",
				"itiiii", account_id, vid, after, upto, upto, (int64_t)limit),
		    fn, ctx);
}

int webchat_msg_of_visitor(struct store *s, int64_t msg_id, int64_t account_id, const char *vid)
{
	return store_run(s,
			 "SELECT 1 FROM conv_msg m JOIN conv c ON c.id = m.conv_id"
			 " WHERE m.id = ? AND c.account_id = ? AND c.peer = ?"
			 " AND (m.direction = 'in' OR (m.direction = 'out'"
			 "  AND coalesce(m.status, '') <> 'failed'))",
			 NULL, "iit", msg_id, account_id, vid);
}

int webchat_stream_start(struct store *s, int64_t account_id, const char *vid, int64_t *out)
{
	int rc = store_run(s,
			   "SELECT min(m.id) - 1 FROM conv_msg m JOIN conv c ON c.id = m.conv_id"
			   " WHERE c.account_id = ? AND c.peer = ? AND c.state <> 'resolved'"
			   " HAVING count(*) > 0",
			   out, "it", account_id, vid);

	if (rc < 0)
		return rc;
	if (rc == 1 && *out >= 0)
		return 0;
	return webchat_msg_last_id(s, out);
}

int webchat_resolved_since(struct store *s, int64_t since, webchat_conv_fn fn, void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT id, account_id, peer FROM conv"
					    " WHERE resolved_at >= ? AND channel = 'web_chat'",
					    "i", since);
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1 &&
	       (rc = fn(ctx, store_col_int(st, 0), store_col_int(st, 1), store_col_text(st, 2))) >=
		       0)
		n++;
	return store_end(st, rc, n);
}
