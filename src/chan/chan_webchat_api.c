/*
 * The web chat's HTTP side (chan_webchat.h): the public routes the widget
 * calls, the visitor's event stream (a kind of the http hub), typing both
 * ways, the rate limits, and the adapter of CHAN_WEB_CHAT.
 *
 * Every public route first finds the account (404 unless an enabled
 * web_chat one), checks the Origin against the account's config (403,
 * and no CORS header, so the page cannot even read the refusal), counts
 * the request against the client's address (429), and only then reads the
 * visitor's token and the body. Bodies were limited before being read
 * (HTTP_PUBLIC_BODY_MAX, files HTTP_PUBLIC_FILE_MAX: 413). Every check
 * comes before the transaction, so a refused request writes nothing.
 *
 * The rate limits and the typing flags live in this process's memory: a
 * typing flag is worth a few seconds, and a limit counted per node still
 * bounds what one address can do (docs/chan.md says so).
 */
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/auth.h"
#include "chan/chan.h"
#include "chan/chan_webchat.h"
#include "core/clock.h"
#include "core/utf8.h"
#include "http/http.h"
#include "store/store.h"
#include "att/att.h"

#define TYPING_MS 6000 /* a typing flag lasts this long after the last POST */

/* -- Rate limits: token buckets in a small table, per account and key -- */

#define BUCKETS 8192
#define PROBE 8

struct bucket {
	char key[96];
	double tokens;
	int64_t at;
};

static struct {
	pthread_mutex_t lock;
	struct bucket b[BUCKETS];
} rl = {.lock = PTHREAD_MUTEX_INITIALIZER};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* 1 when the key may go on, 0 when it has used its share. */
static int rate_take(const char *kind, int64_t account_id, const char *who, int per,
		     int64_t window_ms)
{
	char key[96];
	uint64_t h;
	struct bucket *slot = NULL, *oldest = NULL;
	int64_t now = clock_mono_ns() / 1000000 + 1; /* never 0: 0 marks a fresh bucket */
	int ok;

	if (per <= 0)
		return 1;
	snprintf(key, sizeof(key), "%s:%lld:%s", kind, (long long)account_id, who);
	h = hash_str(key);
	pthread_mutex_lock(&rl.lock);
	for (int i = 0; i < PROBE; i++) {
		struct bucket *b = &rl.b[(h + (uint64_t)i) % BUCKETS];

		if (strcmp(b->key, key) == 0) {
			slot = b;
			break;
		}
		if (!oldest || b->at < oldest->at)
			oldest = b;
	}
	if (!slot) {
		/* The stalest neighbour makes room: a full bucket after a minute idle is
		 * the same as a fresh one. */
		slot = oldest;
		snprintf(slot->key, sizeof(slot->key), "%s", key);
		slot->at = 0;
	}
	ok = webchat_bucket_take(&slot->tokens, &slot->at, per, window_ms, now);
	pthread_mutex_unlock(&rl.lock);
	return ok;
}

/* -- Typing flags, by conversation peer -- */

#define TYPERS 1024

struct typer {
	int64_t account_id;
	char vid[WEBCHAT_VID_LEN + 1];
	int64_t visitor_until; /* clock_mono ms */
	int64_t agent_until;
};

static struct {
	pthread_mutex_t lock;
	struct typer t[TYPERS];
} ty = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int64_t mono_ms(void)
{
	return clock_mono_ns() / 1000000;
}

/* Sets (on >= 0) or reads the flags of (account, vid); the visitor's or the agent's. */
static void typing_set(int64_t account_id, const char *vid, int agent, int on)
{
	char k[64];
	uint64_t h;
	struct typer *slot = NULL;
	int64_t now = mono_ms();

	snprintf(k, sizeof(k), "%lld:%s", (long long)account_id, vid);
	h = hash_str(k);
	pthread_mutex_lock(&ty.lock);
	for (int i = 0; i < PROBE && !slot; i++) {
		struct typer *t = &ty.t[(h + (uint64_t)i) % TYPERS];

		if (t->account_id == account_id && strcmp(t->vid, vid) == 0)
			slot = t;
	}
	for (int i = 0; i < PROBE && !slot; i++) {
		struct typer *t = &ty.t[(h + (uint64_t)i) % TYPERS];

		if (t->visitor_until < now && t->agent_until < now)
			slot = t; /* a stale one */
	}
	if (!slot)
		slot = &ty.t[h % TYPERS];
	if (slot->account_id != account_id || strcmp(slot->vid, vid) != 0) {
		memset(slot, 0, sizeof(*slot));
		slot->account_id = account_id;
		snprintf(slot->vid, sizeof(slot->vid), "%s", vid);
	}
	if (agent)
		slot->agent_until = on ? now + TYPING_MS : 0;
	else
		slot->visitor_until = on ? now + TYPING_MS : 0;
	pthread_mutex_unlock(&ty.lock);
}

static int typing_get(int64_t account_id, const char *vid, int agent)
{
	char k[64];
	uint64_t h;
	int64_t now = mono_ms();
	int on = 0;

	snprintf(k, sizeof(k), "%lld:%s", (long long)account_id, vid);
	h = hash_str(k);
	pthread_mutex_lock(&ty.lock);
	for (int i = 0; i < PROBE; i++) {
		struct typer *t = &ty.t[(h + (uint64_t)i) % TYPERS];

		if (t->account_id == account_id && strcmp(t->vid, vid) == 0) {
			on = (agent ? t->agent_until : t->visitor_until) > now;
			break;
		}
	}
	pthread_mutex_unlock(&ty.lock);
	return on;
}

/* -- The visitor's event stream -- */

int chan_webchat_poll_ms = 1000;

#define STREAM_CAP (64 * 1024)
#define PAGE 200

struct vsub {
	int64_t visitor_id;
	int64_t account_id;
	char vid[WEBCHAT_VID_LEN + 1];
	int64_t last_id;
	int catchup;
	int typing; /* what the client was last told */
	int64_t ended_conv;
	int64_t noticed_conv; /* the web message it was told of */
	char agent[64];	      /* the agent (work number) it was told has the chat */
};

static int64_t scanned;	     /* the hub thread's: messages up to here were handed out */
static int64_t ends_checked; /* and conversations resolved (or made web messages) before this */

#define NOTICE_MESSAGE "当前没有客服在线，您的留言已收到，我们会在今天内回复您。"

static int produce(struct sse_tick *t);
static int allowed(struct sse_tick *t, const struct sse_slot *sl);

static struct sse_kind kind = {
	.name = "webchat",
	.period_ms = &chan_webchat_poll_ms,
	.min_gap_ms = 0,
	.data_size = sizeof(struct vsub),
	.produce = produce,
	.allowed = allowed,
};

void chan_webchat_wake(void)
{
	sse_wake(&kind);
}

static int file_row(void *ctx, const struct att_row *a)
{
	return json_array_append_new(ctx, json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)a->id,
						    "name", a->filename, "type", a->mime, "size",
						    (json_int_t)a->size));
}

static int append_msg(struct store *st, struct buf *b, const struct webchat_msg *m)
{
	int agent = strcmp(m->direction, "out") == 0;
	char who[80];
	json_t *o, *files = json_array();
	char *data;
	int rc;

	/* The message's files (att's owner "message"), fetched by the visitor
	 * from .../files/{id} with the token. */
	if (!files || att_list_message(st, m->id, file_row, files) < 0) {
		json_decref(files);
		return ERR_IO;
	}
	snprintf(who, sizeof(who), "客服 %s", m->agent);
	o = json_pack("{s:I, s:I, s:s, s:s, s:I, s:s*, s:o}", "id", (json_int_t)m->id, "conv_id",
		      (json_int_t)m->conv_id, "from", agent ? "agent" : "visitor", "text",
		      m->body ? m->body : "", "at", (json_int_t)m->at, "agent",
		      agent && m->agent[0] ? who : NULL, "files", files);
	data = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!data)
		return ERR_NOMEM;
	rc = buf_printf(b, "id: %lld\nevent: message\ndata: %s\n\n", (long long)m->id, data);
	free(data);
	return rc;
}

/* A row for one stream: a message, or for a system line the agent who has
 * the chat now, told once per change ("客服 8101 为您服务"). */
static int emit(struct store *st, struct sse_slot *sl, const struct webchat_msg *m)
{
	struct vsub *s = sl->data;

	if (strcmp(m->direction, "event") != 0)
		return append_msg(st, &sl->add, m);
	if (!m->agent[0] || strcmp(s->agent, m->agent) == 0)
		return 0;
	snprintf(s->agent, sizeof(s->agent), "%s", m->agent);
	return buf_printf(
		&sl->add,
		"id: %lld\nevent: agent\ndata: {\"conv_id\":%lld,\"agent\":\"客服 %s\"}\n\n",
		(long long)m->id, (long long)m->conv_id, s->agent);
}

struct shared {
	struct sse_tick *t;
	int64_t last;
};

static int shared_row(void *ctx, const struct webchat_msg *m)
{
	struct shared *sh = ctx;

	sh->last = m->id;
	for (size_t i = 0; i < sh->t->n; i++) {
		struct sse_slot *sl = &sh->t->slots[i];
		struct vsub *s = sl->data;

		if (s->catchup || s->account_id != m->account_id || strcmp(s->vid, m->peer) != 0 ||
		    m->id <= s->last_id)
			continue;
		if (sl->unread + sl->add.len >= STREAM_CAP || emit(sh->t->store, sl, m) < 0) {
			s->catchup = 1;
			continue;
		}
		s->last_id = m->id;
	}
	return 0;
}

struct catchup {
	struct store *store;
	struct sse_slot *sl;
};

static int catchup_row(void *ctx, const struct webchat_msg *m)
{
	struct catchup *k = ctx;
	int rc = emit(k->store, k->sl, m);

	if (rc < 0)
		return rc;
	((struct vsub *)k->sl->data)->last_id = m->id;
	return 0;
}

/*
 * Tells conv_id's visitor (account, peer) on each of their streams not told
 * yet: the stream's field at offset `told` marks the last conversation it
 * was told of, so a row seen twice is told once.
 */
static void tell_visitor(struct sse_tick *t, int64_t conv_id, int64_t account_id,
			 const char *peer, size_t told, const char *event)
{
	for (size_t i = 0; i < t->n; i++) {
		struct sse_slot *sl = &t->slots[i];
		struct vsub *s = sl->data;
		int64_t *mark = (int64_t *)((char *)s + told);

		if (s->account_id != account_id || strcmp(s->vid, peer ? peer : "") != 0 ||
		    *mark == conv_id)
			continue;
		*mark = conv_id;
		buf_puts(&sl->add, event);
	}
}

static int end_row(void *ctx, int64_t conv_id, int64_t account_id, const char *peer)
{
	char ev[96];

	snprintf(ev, sizeof(ev), "event: end\ndata: {\"conv_id\":%lld}\n\n", (long long)conv_id);
	tell_visitor(ctx, conv_id, account_id, peer, offsetof(struct vsub, ended_conv), ev);
	return 0;
}

static int notice_row(void *ctx, int64_t conv_id, int64_t account_id, const char *peer)
{
	char ev[512];

	snprintf(ev, sizeof(ev),
		 "event: notice\ndata: {\"conv_id\":%lld,\"mode\":\"message\","
		 "\"text\":\"%s\"}\n\n",
		 (long long)conv_id, NOTICE_MESSAGE);
	tell_visitor(ctx, conv_id, account_id, peer, offsetof(struct vsub, noticed_conv), ev);
	return 0;
}

static int produce(struct sse_tick *t)
{
	int any_live = 0, rc = 0, got;

	for (size_t i = 0; i < t->n; i++)
		any_live |= !((struct vsub *)t->slots[i].data)->catchup;
	if (!any_live) {
		rc = webchat_msg_last_id(t->store, &scanned);
	} else {
		struct shared sh = {t, 0};

		do {
			sh.last = scanned;
			got = webchat_msgs_after(t->store, scanned, 0, PAGE, shared_row, &sh);
			if (got < 0)
				return got;
			scanned = sh.last;
		} while (got == PAGE);
	}
	for (size_t i = 0; rc == 0 && i < t->n; i++) {
		struct sse_slot *sl = &t->slots[i];
		struct vsub *s = sl->data;

		while (s->catchup) {
			if (scanned <= s->last_id) {
				s->catchup = 0;
				break;
			}
			if (sl->unread + sl->add.len >= STREAM_CAP) {
				sl->more = 1;
				break;
			}
			struct catchup k = {t->store, sl};

			got = webchat_msgs_of(t->store, s->account_id, s->vid, s->last_id, scanned,
					      PAGE, catchup_row, &k);
			if (got < 0)
				return got;
			if (got < PAGE) {
				s->catchup = 0;
				s->last_id = scanned > s->last_id ? scanned : s->last_id;
			}
		}
	}
	if (rc < 0)
		return rc;
	/* Chats that ended since the last look (a little overlap: ended_conv
	 * keeps one end from being told twice). */
	if (!ends_checked)
		ends_checked = t->now;
	rc = webchat_resolved_since(t->store, ends_checked - 2000, end_row, t);
	if (rc >= 0)
		rc = webchat_marked_since(t->store, ends_checked - 2000, notice_row, t);
	if (rc < 0)
		return rc;
	ends_checked = t->now;
	for (size_t i = 0; i < t->n; i++) {
		struct sse_slot *sl = &t->slots[i];
		struct vsub *s = sl->data;
		int on = typing_get(s->account_id, s->vid, 1);

		if (on != s->typing) {
			s->typing = on;
			buf_printf(&sl->add, "event: typing\ndata: {\"typing\":%s}\n\n",
				   on ? "true" : "false");
		}
	}
	return 0;
}

/* The stream's owner is the visitor, kept as a negative person id (sse.c
 * caps a person's streams; this caps a visitor's). */
static int allowed(struct sse_tick *t, const struct sse_slot *sl)
{
	struct webchat_visitor v;
	struct webchat_account a;
	int rc = webchat_visitor_by_id(t->store, -sl->person_id, &v);

	if (rc == ERR_NOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	rc = webchat_account_get(t->store, v.account_id, &a);
	if (rc == ERR_NOTFOUND)
		return 0;
	return rc < 0 ? rc : a.enabled;
}

/* -- The public routes -- */

/* The account of the path, the Origin and the address's share; fills acc. */
static int public_open(struct req *r, struct webchat_account *acc)
{
	char *end;
	long long id = strtoll(r->params[0], &end, 10);
	const char *origin = req_header(r, "Origin");
	int rc;

	if (*end || id <= 0)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such chat");
	rc = webchat_account_get(r->store, id, acc);
	if (rc == ERR_NOTFOUND || (rc == 0 && !acc->enabled))
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such chat");
	if (rc < 0)
		return rc;
	if (!webchat_origin_ok(&acc->cfg, origin, req_header(r, "Host")))
		return err_set(&r->ei, ERR_FORBIDDEN, NULL, "this site may not use the chat");
	if (origin && strlen(origin) < sizeof(r->origin))
		snprintf(r->origin, sizeof(r->origin), "%s", origin);
	if (!rate_take("addr", acc->id, r->address, acc->cfg.per_address_min, 60000))
		return err_set(&r->ei, ERR_THROTTLED, NULL, "too many requests; try again shortly");
	return 0;
}

static int visitor_of(struct req *r, const struct webchat_account *acc, const char *token,
		      struct webchat_visitor *v)
{
	char hash[65];
	int rc;

	if (!token || strlen(token) != AUTH_TOKEN_LEN)
		return err_set(&r->ei, ERR_AUTH, NULL, "start a chat session first");
	auth_token_hash(token, hash);
	rc = webchat_visitor_by_token(r->store, acc->id, hash, v);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_AUTH, NULL, "start a chat session first");
	return rc;
}

/* Text of 1..max characters without control characters but line breaks and tabs. */
static int text_ok(const char *s, size_t max)
{
	size_t n = utf8_len(s);

	if (n == 0 || n > max || utf8_blank(s))
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t' && *s != '\r')
			return 0;
	return 1;
}

/* name and phone, when sent: a name of 1..32 characters, a phone of 5..20 digits. */
static int read_contact(struct req *r, const char **name, const char **phone)
{
	int rc = body_str(r, "name", 0, name);

	if (rc == 0)
		rc = body_str(r, "phone", 0, phone);
	if (rc < 0)
		return rc;
	if (*name && **name && !text_ok(*name, WEBCHAT_NAME_MAX))
		rc = err_add(&r->ei, rc, ERR_INVALID, "name",
			     "%s: 1 to %d characters, no control characters", "name",
			     WEBCHAT_NAME_MAX);
	if (*phone && **phone) {
		size_t n = strlen(*phone);
		int digits = n >= 5 && n <= 20;

		for (const char *p = *phone; digits && *p; p++)
			digits = (*p >= '0' && *p <= '9') || (p == *phone && *p == '+');
		if (!digits)
			rc = err_add(&r->ei, rc, ERR_INVALID, "phone", "phone: 5 to 20 digits");
	}
	return rc;
}

static json_t *conv_json(struct store *s, const struct webchat_account *acc, const char *vid)
{
	struct webchat_conv c;

	if (webchat_conv_of(s, acc->id, vid, &c) != 0)
		return json_null();
	return json_pack("{s:I, s:s, s:b, s:o, s:b}", "id", (json_int_t)c.id, "state", c.state,
			 "web_message", c.web_message, "rating",
			 c.rating ? json_integer(c.rating) : json_null(), "has_agent",
			 c.agent_id != 0);
}

static int session(struct req *r)
{
	static const char *const fields[] = {"token", "name", "phone", NULL};
	struct webchat_account acc;
	struct webchat_visitor v;
	const char *token = NULL, *name = NULL, *phone = NULL;
	char fresh[AUTH_TOKEN_LEN + 1] = "", hash[65];
	int rc = public_open(r, &acc), created = 0, avail;

	if (rc == 0)
		rc = body_only(r, fields);
	if (rc == 0)
		rc = body_str(r, "token", 0, &token);
	if (rc == 0)
		rc = read_contact(r, &name, &phone);
	if (rc < 0)
		return rc;
	memset(&v, 0, sizeof(v));
	if (token) {
		rc = visitor_of(r, &acc, token, &v);
		if (rc < 0 && rc != ERR_AUTH)
			return rc;
		if (rc == ERR_AUTH) {
			/* A token of another account or a forgotten one: a new visitor. */
			memset(&r->ei, 0, sizeof(r->ei));
			token = NULL;
		}
	}
	if (!token && !rate_take("session", acc.id, r->address, acc.cfg.sessions_per_hour, 3600000))
		return err_set(&r->ei, ERR_THROTTLED, NULL, "too many requests; try again shortly");
	avail = webchat_agent_available(r->store, acc.queue);
	if (avail < 0)
		return avail;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	if (!token) {
		char tok[AUTH_TOKEN_LEN + 1];

		/* The public id: 8 random bytes (of a throwaway token's hash), apart
		 * from the secret token, so the peer an agent sees reveals nothing. */
		auth_token_new(tok);
		auth_token_hash(tok, hash);
		snprintf(v.vid, sizeof(v.vid), "v%.16s", hash);
		auth_token_new(fresh);
		auth_token_hash(fresh, hash);
		v.account_id = acc.id;
		snprintf(v.name, sizeof(v.name), "%s", name ? name : "");
		snprintf(v.phone, sizeof(v.phone), "%s", phone ? phone : "");
		rc = webchat_visitor_insert(r->store, &v, hash, r->address, r->now);
		created = 1;
	} else if (name || phone) {
		if (name)
			snprintf(v.name, sizeof(v.name), "%s", name);
		if (phone)
			snprintf(v.phone, sizeof(v.phone), "%s", phone);
		rc = webchat_visitor_update(r->store, v.id, v.name, v.phone, r->now);
	}
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, created ? 201 : 200,
			  json_pack("{s:s*, s:s, s:s, s:s, s:b, s:o, s:s, s:s}", "token",
				    created ? fresh : NULL, "visitor_id", v.vid, "name", v.name,
				    "phone", v.phone, "available", avail, "conversation",
				    conv_json(r->store, &acc, v.vid), "title", acc.cfg.title,
				    "welcome", acc.cfg.welcome));
}

/* A visitor's message or file into the conversation, in one transaction. */
static int inbound(struct req *r, const struct webchat_account *acc, struct webchat_visitor *v,
		   struct chan_inbound *in, const char *name, const char *phone)
{
	struct chan_inbound_result res;
	char peer_name[CHAN_NAME_MAX * 4 + 1];
	int avail = webchat_agent_available(r->store, acc->queue), rc = 0;

	if (avail < 0)
		return avail;
	if (name && *name)
		snprintf(v->name, sizeof(v->name), "%s", name);
	if (phone && *phone)
		snprintf(v->phone, sizeof(v->phone), "%s", phone);
	if (v->name[0])
		snprintf(peer_name, sizeof(peer_name), "%s", v->name);
	else
		snprintf(peer_name, sizeof(peer_name), "访客 %.4s", v->vid + 1);
	in->account_id = acc->id;
	in->peer = v->vid;
	in->peer_name = peer_name;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	if (name || phone)
		rc = webchat_visitor_update(r->store, v->id, v->name, v->phone, r->now);
	if (rc == 0)
		rc = chan_inbound(r->store, in, r->now, &res, &r->ei);
	/* Nobody there to chat: a web message, due the same day (CALL-12). */
	if (rc == 0 && res.is_new_conv && !avail) {
		rc = chan_conv_as_message(r->store, res.conv_id, r->now);
		if (rc == 0)
			rc = webchat_conv_mark_message(r->store, res.conv_id, r->now);
	}
	if (rc == 0 && v->phone[0])
		rc = webchat_conv_link_phone(r->store, res.conv_id, v->phone);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	chan_wake();
	chan_webchat_wake();
	{
		struct webchat_conv c;
		int message = webchat_conv_of(r->store, acc->id, v->vid, &c) == 0 && c.web_message;

		return reply_json(r, res.duplicate ? 200 : 201,
				  json_pack("{s:I, s:I, s:s, s:s*}", "id", (json_int_t)res.msg_id,
					    "conv_id", (json_int_t)res.conv_id, "mode",
					    message ? "message" : "chat", "notice",
					    message ? NOTICE_MESSAGE : NULL));
	}
}

static int messages(struct req *r)
{
	static const char *const fields[] = {"text", "name", "phone", "client_id", NULL};
	struct webchat_account acc;
	struct webchat_visitor v;
	struct chan_inbound in;
	const char *text = NULL, *name = NULL, *phone = NULL, *cid = NULL;
	char ext[96];
	int rc = public_open(r, &acc);

	if (rc == 0)
		rc = visitor_of(r, &acc, req_header(r, "X-Visitor-Token"), &v);
	if (rc == 0 && !rate_take("visitor", acc.id, v.vid, acc.cfg.per_visitor_min, 60000))
		rc = err_set(&r->ei, ERR_THROTTLED, NULL, "too many requests; try again shortly");
	if (rc == 0)
		rc = body_only(r, fields);
	if (rc == 0)
		rc = body_str(r, "text", 1, &text);
	if (rc == 0)
		rc = body_str(r, "client_id", 0, &cid);
	if (rc == 0)
		rc = read_contact(r, &name, &phone);
	if (rc < 0)
		return rc;
	if (!text_ok(text, WEBCHAT_TEXT_MAX))
		rc = err_set(&r->ei, ERR_INVALID, "text",
			     "%s: 1 to %d characters, no control characters", "text",
			     WEBCHAT_TEXT_MAX);
	if (rc == 0 && cid) {
		size_t n = strlen(cid);

		for (size_t i = 0; i < n && rc == 0; i++)
			if (!((cid[i] >= '0' && cid[i] <= '9') ||
			      (cid[i] >= 'a' && cid[i] <= 'z') ||
			      (cid[i] >= 'A' && cid[i] <= 'Z') || cid[i] == '-'))
				rc = ERR_INVALID;
		if (n == 0 || n > 40 || rc < 0)
			rc = err_set(&r->ei, ERR_INVALID, "client_id",
				     "client_id: 1 to 40 letters, digits or dashes");
	}
	if (rc < 0)
		return rc;
	memset(&in, 0, sizeof(in));
	in.text = text;
	if (cid) {
		/* The widget's own id of the message: sent again after a lost answer,
		 * it is stored once. */
		snprintf(ext, sizeof(ext), "webchat:%s:%s", v.vid, cid);
		in.ext_id = ext;
	}
	return inbound(r, &acc, &v, &in, name, phone);
}

static int files(struct req *r)
{
	struct webchat_account acc;
	struct webchat_visitor v;
	struct chan_inbound in;
	char fname[ATT_NAME_MAX + 1];
	const char *why = NULL, *mime;
	int rc = public_open(r, &acc);

	if (rc == 0)
		rc = visitor_of(r, &acc, req_header(r, "X-Visitor-Token"), &v);
	if (rc == 0 && !rate_take("visitor", acc.id, v.vid, acc.cfg.per_visitor_min, 60000))
		rc = err_set(&r->ei, ERR_THROTTLED, NULL, "too many requests; try again shortly");
	if (rc < 0)
		return rc;
	if (att_filename(req_header(r, "X-Filename"), fname, sizeof(fname), &why) < 0)
		return err_set(&r->ei, ERR_INVALID, "filename", "%s", why);
	if (!r->raw || r->raw_len == 0)
		return err_set(&r->ei, ERR_INVALID, "file", "file: empty");
	mime = att_sniff((const unsigned char *)r->raw, r->raw_len);
	if (!mime)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "file",
			       "file: only JPEG, PNG or WebP images and PDF documents are taken");
	memset(&in, 0, sizeof(in));
	in.files[0].name = fname;
	in.files[0].type = mime;
	in.files[0].data = r->raw;
	in.files[0].size = r->raw_len;
	in.nfiles = 1;
	in.text = "";
	return inbound(r, &acc, &v, &in, NULL, NULL);
}

static int typing(struct req *r)
{
	static const char *const fields[] = {"typing", NULL};
	struct webchat_account acc;
	struct webchat_visitor v;
	int on = 1, rc = public_open(r, &acc);

	if (rc == 0)
		rc = visitor_of(r, &acc, req_header(r, "X-Visitor-Token"), &v);
	/* Typing has its own share: the widget sends it every few seconds while typing. */
	if (rc == 0 && !rate_take("typing", acc.id, v.vid, 60, 60000))
		rc = err_set(&r->ei, ERR_THROTTLED, NULL, "too many requests; try again shortly");
	if (rc == 0)
		rc = body_only(r, fields);
	if (rc == 0)
		rc = body_bool(r, "typing", &on);
	if (rc < 0)
		return rc;
	typing_set(acc.id, v.vid, 0, on);
	r->status = 204;
	return 0;
}

static int rating(struct req *r)
{
	static const char *const fields[] = {"rating", NULL};
	struct webchat_account acc;
	struct webchat_visitor v;
	struct webchat_conv c;
	json_t *val;
	int rc = public_open(r, &acc);

	if (rc == 0)
		rc = visitor_of(r, &acc, req_header(r, "X-Visitor-Token"), &v);
	if (rc == 0 && !rate_take("visitor", acc.id, v.vid, acc.cfg.per_visitor_min, 60000))
		rc = err_set(&r->ei, ERR_THROTTLED, NULL, "too many requests; try again shortly");
	if (rc == 0)
		rc = body_only(r, fields);
	if (rc < 0)
		return rc;
	val = r->body ? json_object_get(r->body, "rating") : NULL;
	if (!json_is_integer(val) || json_integer_value(val) < 1 || json_integer_value(val) > 5)
		return err_set(&r->ei, ERR_INVALID, "rating",
			       "%s: expected a whole number from %lld to %lld", "rating", 1LL, 5LL);
	rc = webchat_conv_of(r->store, acc.id, v.vid, &c);
	if (rc == ERR_NOTFOUND || (rc == 0 && !c.agent_id && strcmp(c.state, "resolved") != 0))
		return err_set(&r->ei, ERR_CONFLICT, "rating", "nothing to rate yet");
	if (rc < 0)
		return rc;
	if (c.rating)
		return err_set(&r->ei, ERR_CONFLICT, "rating", "this chat was rated already");
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = req_finish(r, webchat_conv_rate(r->store, c.id, (int)json_integer_value(val)));
	if (rc == ERR_CONFLICT)
		return err_set(&r->ei, ERR_CONFLICT, "rating", "this chat was rated already");
	if (rc < 0)
		return rc;
	chan_wake();
	return reply_json(r, 200,
			  json_pack("{s:I, s:I}", "conv_id", (json_int_t)c.id, "rating",
				    (json_int_t)json_integer_value(val)));
}

static int stream(struct req *r)
{
	struct webchat_account acc;
	struct webchat_visitor v;
	struct vsub s;
	const char *token = NULL, *last = req_header(r, "Last-Event-ID");
	int64_t after = -1;
	int rc = public_open(r, &acc);

	if (rc == 0)
		rc = req_query(r, "token", &token);
	if (rc == 0)
		rc = visitor_of(r, &acc, token, &v);
	if (rc < 0)
		return rc;
	if (last && *last) {
		char *end;
		long long x = strtoll(last, &end, 10);

		if (*end || x < 0)
			return err_set(&r->ei, ERR_INVALID, "Last-Event-ID",
				       "Last-Event-ID: an event id this server sent");
		after = x;
	}
	if (after < 0) {
		rc = webchat_stream_start(r->store, acc.id, v.vid, &after);
		if (rc < 0)
			return rc;
	}
	memset(&s, 0, sizeof(s));
	s.visitor_id = v.id;
	s.account_id = acc.id;
	snprintf(s.vid, sizeof(s.vid), "%s", v.vid);
	s.last_id = after;
	s.catchup = 1;
	/* The hub caps streams per owner: the visitor's, as a negative id. */
	r->who.person_id = -v.id;
	r->who.session_id = 0;
	return sse_open(&kind, r, &s);
}

/* GET .../files/{id}?token=: a file of the visitor's own conversations (theirs or an agent's). */
static int file_get(struct req *r)
{
	struct webchat_account acc;
	struct webchat_visitor v;
	struct att_row a;
	const char *token = NULL;
	char path[700], disp[256];
	int64_t fid;
	int fd, rc = public_open(r, &acc);

	if (rc == 0)
		rc = req_query(r, "token", &token);
	if (rc == 0) {
		const char *h = req_header(r, "X-Visitor-Token");

		rc = visitor_of(r, &acc, h ? h : token, &v);
	}
	if (rc < 0)
		return rc;
	if (req_param_id(r, 1, &fid) < 0 || att_get(r->store, fid, &a) < 0 || !a.message_id)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such file");
	rc = webchat_msg_of_visitor(r->store, a.message_id, acc.id, v.vid);
	if (rc == 0)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such file");
	if (rc < 0)
		return rc;
	att_file_path(r->app->cfg->attachments_dir, a.sha256, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such file");
	att_disposition(a.id, a.filename, a.mime, disp, sizeof(disp));
	return reply_file(r, fd, a.mime, disp);
}

static int preflight(struct req *r)
{
	struct webchat_account acc;
	int rc = public_open(r, &acc);

	if (rc < 0)
		return rc;
	r->status = 204;
	return 0;
}

/* -- The agent's side of typing -- */

struct conv_peer {
	int64_t account_id;
	int64_t agent_id;
	char peer[CHAN_PEER_MAX + 1];
};

static int agent_conv(struct req *r, struct conv_peer *c)
{
	struct chan_conv v;
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc < 0)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such conversation");
	rc = chan_conv_get(r->store, id, &v);
	if (rc == ERR_NOTFOUND || (rc == 0 && strcmp(v.channel, "web_chat") != 0))
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such conversation");
	if (rc < 0)
		return rc;
	c->account_id = v.account_id;
	c->agent_id = v.agent_id;
	snprintf(c->peer, sizeof(c->peer), "%s", v.peer);
	/* One's own chat, or a supervisor's view of anyone's. */
	if (c->agent_id != r->who.person_id &&
	    auth_authorize(&r->who, ACT_CHAN_SUPERVISE, NULL) < 0)
		return err_set(&r->ei, ERR_FORBIDDEN, NULL, "not your conversation");
	return 0;
}

static int agent_typing_get(struct req *r)
{
	struct conv_peer c;
	int rc = agent_conv(r, &c);

	if (rc < 0)
		return rc;
	return reply_json(
		r, 200, json_pack("{s:b}", "visitor_typing", typing_get(c.account_id, c.peer, 0)));
}

static int agent_typing_post(struct req *r)
{
	static const char *const fields[] = {"typing", NULL};
	struct conv_peer c;
	int on = 1, rc = agent_conv(r, &c);

	if (rc == 0)
		rc = body_only(r, fields);
	if (rc == 0)
		rc = body_bool(r, "typing", &on);
	if (rc < 0)
		return rc;
	typing_set(c.account_id, c.peer, 1, on);
	chan_webchat_wake();
	return reply_json(
		r, 200, json_pack("{s:b}", "visitor_typing", typing_get(c.account_id, c.peer, 0)));
}

const struct route chan_webchat_routes[] = {
	{"POST", "/api/public/chat/{account}/session", session, ACT_PUBLIC},
	{"GET", "/api/public/chat/{account}/stream", stream, ACT_PUBLIC},
	{"POST", "/api/public/chat/{account}/messages", messages, ACT_PUBLIC},
	{"POST", "/api/public/chat/{account}/files", files, ACT_PUBLIC},
	{"GET", "/api/public/chat/{account}/files/{id}", file_get, ACT_PUBLIC},
	{"POST", "/api/public/chat/{account}/typing", typing, ACT_PUBLIC},
	{"POST", "/api/public/chat/{account}/rating", rating, ACT_PUBLIC},
	{"OPTIONS", "/api/public/chat/{account}/{what}", preflight, ACT_PUBLIC},
	{"GET", "/api/chat/{id}/typing", agent_typing_get, ACT_CHAN_READ},
	{"POST", "/api/chat/{id}/typing", agent_typing_post, ACT_CHAN_REPLY},
	{NULL, NULL, NULL, ACT_PUBLIC},
};

/* -- The tick: chats nobody took in time become web messages -- */

#define WAITING_MAX 64

int chan_webchat_tick(struct store *s, int64_t now, void *arg)
{
	int64_t ids[WAITING_MAX], accounts[WAITING_MAX], created[WAITING_MAX];
	int n, done = 0;

	(void)arg;
	/* Candidates older than the shortest timeout an account may set (10 s). */
	n = webchat_waiting_ids(s, now - 10000, ids, accounts, created, WAITING_MAX);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct webchat_account acc;
		int rc = webchat_account_get(s, accounts[i], &acc);

		if (rc < 0 || now - created[i] < (int64_t)acc.cfg.queue_timeout_sec * 1000)
			continue;
		rc = store_begin(s);
		if (rc < 0)
			return rc;
		rc = chan_conv_as_message(s, ids[i], now);
		if (rc == 0)
			rc = webchat_conv_mark_message(s, ids[i], now);
		if (rc == 0)
			rc = store_commit(s);
		else
			store_rollback(s);
		/* ERR_CONFLICT: an agent answered meanwhile; it stays a chat. */
		if (rc < 0 && rc != ERR_CONFLICT)
			return rc;
		done += rc == 0;
	}
	if (done) {
		chan_wake();
		chan_webchat_wake();
	}
	return done;
}

/* -- The adapter: the visitor's stream delivers the reply -- */

static int webchat_send(const struct chan_outbound *m, char *ext_id, size_t ext_size, char *error,
			size_t error_size)
{
	(void)m;
	(void)error;
	(void)error_size;
	if (ext_size)
		ext_id[0] = '\0';
	chan_webchat_wake();
	return 0;
}

const struct chan_adapter chan_webchat_adapter = {CHAN_WEB_CHAT, webchat_send};
