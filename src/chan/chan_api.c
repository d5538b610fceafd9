/*
 * Conversations over HTTP (chan.h tells the whole): the inbox list and one
 * conversation with its messages, replies and notes, reading, assigning,
 * taking, waiting, resolving into a contact (CALL-10), linking the
 * customer, the inbox's event stream, the settings (CALL-12's deadlines),
 * channel accounts (secrets never leave kefu) and the queues' figures for
 * supervisors. Every field is checked and every permission decided before
 * the write transaction begins; each change is one transaction with its
 * audit entry, and the inbox is woken after the commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include "att/att.h"
#include "chan/chan.h"
#include "chan/chan_mail.h"
#include "chan/chan_webchat.h"
#include "chan/chan_wx.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/mask.h"
#include "core/utf8.h"
#include "cust/cust.h"
#include "http/http.h"
#include "notify/notify.h"
#include "org/org.h"
#include "store/store.h"
#include "wo/wo.h"

#define MSG_PAGE 500 /* messages a conversation answers with at once */

static json_t *ref(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

/* -- Who sees what -- */

static int supervises(struct req *r)
{
	return auth_authorize(&r->who, ACT_CHAN_SUPERVISE, NULL) == 0;
}

/* Supervisors and quality inspectors read every queue's (QA-1). */
static int reads_all(struct req *r)
{
	return auth_scope(&r->who, ACT_CHAN_READ) >= SCOPE_DEPT;
}

static json_t *conv_json(struct req *r, const struct chan_conv *c)
{
	json_t *cust = c->customer_id ? cust_summary_json(r, r->store, c->customer_id) : NULL;
	char peer[CHAN_PEER_MAX + 1];

	/* An SMS peer is a phone number: shown masked (CUST-2), as every number. */
	if (strcmp(c->channel, "sms") == 0)
		mask_phone(c->peer, peer, sizeof(peer));
	else
		snprintf(peer, sizeof(peer), "%s", c->peer);
	return json_pack("{s:I, s:s, s:I, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:o, s:o,"
			 " s:o, s:o, s:o, s:o, s:i, s:o, s:o, s:o, s:i}",
			 "id", (json_int_t)c->id, "channel", c->channel, "account_id",
			 (json_int_t)c->account_id, "customer_id", ref(c->customer_id), "customer",
			 cust ? cust : json_null(), "peer", peer, "peer_name", c->peer_name,
			 "subject", c->subject, "state", c->state, "queue", c->queue, "agent_id",
			 ref(c->agent_id), "created_at", (json_int_t)c->created_at, "last_in_at",
			 ref(c->last_in_at), "last_out_at", ref(c->last_out_at), "first_reply_due",
			 ref(c->first_reply_due), "first_reply_at", ref(c->first_reply_at),
			 "resolve_due", ref(c->resolve_due), "resolved_at", ref(c->resolved_at),
			 "breached", c->breached, "contact_id", ref(c->contact_id), "order_id",
			 ref(c->order_id), "rating",
			 c->rating ? json_integer(c->rating) : json_null(), "unread", c->unread);
}

static json_t *msg_json(const struct chan_msg *m)
{
	return json_pack("{s:I, s:I, s:s, s:o, s:s, s:o, s:o, s:o, s:i, s:I}", "id",
			 (json_int_t)m->id, "conv_id", (json_int_t)m->conv_id, "direction",
			 m->direction, "author_id", ref(m->author_id), "body", m->body, "html",
			 m->html ? json_string(m->html) : json_null(), "status",
			 m->status ? json_string(m->status) : json_null(), "error",
			 m->error ? json_string(m->error) : json_null(), "tries", m->tries, "at",
			 (json_int_t)m->at);
}

/* The conversation {id}, if the caller may read it (act 0) or act on it (act 1). */
static int load_conv(struct req *r, struct chan_conv *c, int act)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id), in_queue = 0;

	if (rc == 0)
		rc = chan_conv_get(r->store, id, c);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such conversation");
	if (rc < 0)
		return rc;
	if (!c->agent_id && strcmp(c->state, "new") == 0) {
		in_queue = chan_queue_served(r->store, c->queue, r->who.person_id);
		if (in_queue < 0)
			return in_queue;
	}
	if (chan_may(act, r->who.person_id, supervises(r), reads_all(r), c->agent_id,
		     strcmp(c->state, "new") == 0, in_queue))
		return 0;
	/* One the caller may not even read is not told to exist. */
	if (!chan_may(0, r->who.person_id, supervises(r), reads_all(r), c->agent_id,
		      strcmp(c->state, "new") == 0, in_queue))
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such conversation");
	return err_set(&r->ei, ERR_FORBIDDEN, NULL, "the conversation is another agent's");
}

/* -- GET /api/conversations -- */

struct list_ctx {
	struct req *r;
	json_t *items;
	int64_t last;
};

static int conv_row(void *ctx, const struct chan_conv *c)
{
	struct list_ctx *l = ctx;

	l->last = c->id;
	return json_array_append_new(l->items, conv_json(l->r, c));
}

static int conv_list(struct req *r)
{
	struct chan_conv_filter f;
	struct list_ctx l = {r, NULL, 0};
	const char *state = NULL, *channel = NULL, *mine = NULL, *queue = NULL, *q = NULL;
	int64_t agent = 0, customer = 0;
	int limit, n, rc;

	memset(&f, 0, sizeof(f));
	rc = req_page(r, &limit, &f.before_id);
	if (rc == 0)
		rc = req_query(r, "state", &state);
	if (rc == 0)
		rc = req_query(r, "channel", &channel);
	if (rc == 0)
		rc = req_query(r, "mine", &mine);
	if (rc == 0)
		rc = req_query(r, "queue", &queue);
	if (rc == 0)
		rc = req_query(r, "q", &q);
	if (rc == 0)
		rc = req_query_int(r, "agent_id", 1, INT64_MAX, &agent);
	if (rc == 0)
		rc = req_query_int(r, "customer_id", 1, INT64_MAX, &customer);
	if (rc < 0)
		return rc;
	if (state && strcmp(state, "active") != 0 && chan_state_parse(state) < 0)
		rc = err_add(&r->ei, rc, ERR_INVALID, "state",
			     "state: new, open, waiting, resolved or active");
	if (channel && chan_kind_parse(channel) < 0)
		rc = err_add(&r->ei, rc, ERR_INVALID, "channel",
			     "channel: email, web_chat, wechat, weibo or sms");
	if (mine && strcmp(mine, "true") != 0 && strcmp(mine, "false") != 0)
		rc = err_add(&r->ei, rc, ERR_INVALID, "mine", "%s: expected true or false", "mine");
	if (q && (utf8_blank(q) || utf8_len(q) > 100))
		rc = err_add(&r->ei, rc, ERR_INVALID, "q", "%s: %d to %d characters", "q", 1, 100);
	if (rc < 0)
		return rc;
	f.state = state;
	f.channel = channel;
	f.queue = queue;
	f.agent_id = mine && strcmp(mine, "true") == 0 ? r->who.person_id : agent;
	f.customer_id = customer;
	/* Agents see their own and the waiting ones of their queues. */
	f.visible_to = supervises(r) || reads_all(r) ? 0 : r->who.person_id;
	f.limit = limit;
	/* The words are searched as a phrase: an agent's query is never fts5 syntax. */
	char *phrase = NULL;
	if (q) {
		struct buf b = BUF_INIT;

		buf_puts(&b, "\"");
		for (const char *p = q; *p; p++)
			buf_append(&b, p, 1 + (*p == '"'));
		if (buf_puts(&b, "\"") < 0) {
			buf_release(&b);
			return ERR_NOMEM;
		}
		phrase = buf_detach(&b);
		f.q = phrase;
		f.q_raw = q;
	}
	l.items = json_array();
	n = chan_conv_list(r->store, &f, conv_row, &l);
	free(phrase);
	if (n < 0) {
		json_decref(l.items);
		return n;
	}
	return reply_page(r, l.items, n == limit ? l.last : 0);
}

/* -- One conversation -- */

struct msg_ctx {
	struct store *store;
	json_t *items;
};

static int file_row(void *ctx, const struct att_row *a)
{
	return json_array_append_new(ctx, json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)a->id,
						    "filename", a->filename, "mime", a->mime,
						    "size", (json_int_t)a->size));
}

static int msg_row(void *ctx, const struct chan_msg *m)
{
	struct msg_ctx *k = ctx;
	json_t *j = msg_json(m), *files = json_array();
	int rc = j && files ? 0 : ERR_NOMEM;

	/* Customers' messages and agents' replies carry files (att's owner "message"). */
	if (rc == 0 && (strcmp(m->direction, "in") == 0 || strcmp(m->direction, "out") == 0))
		rc = att_list_message(k->store, m->id, file_row, files);
	if (rc < 0) {
		json_decref(j);
		json_decref(files);
		return rc;
	}
	json_object_set_new(j, "files", files);
	return json_array_append_new(k->items, j);
}

static int reply_conv(struct req *r, unsigned status, int64_t id)
{
	struct chan_conv c;
	json_t *j, *msgs;
	int rc = chan_conv_get(r->store, id, &c);

	if (rc < 0)
		return rc;
	j = conv_json(r, &c);
	msgs = json_array();
	if (!j || !msgs) {
		json_decref(j);
		json_decref(msgs);
		return ERR_NOMEM;
	}
	{
		struct msg_ctx k = {r->store, msgs};

		rc = chan_msg_list(r->store, id, 0, MSG_PAGE, msg_row, &k);
	}
	if (rc < 0) {
		json_decref(j);
		json_decref(msgs);
		return rc;
	}
	json_object_set_new(j, "messages", msgs);
	/* The order made from the conversation, for the pane to show and open. */
	if (c.order_id) {
		struct wo_order *o = malloc(sizeof(*o));

		rc = o ? wo_order_get(r->store, c.order_id, o) : ERR_NOMEM;
		if (rc == 0)
			json_object_set_new(j, "order",
					    json_pack("{s:I, s:s, s:s, s:s}", "id",
						      (json_int_t)o->id, "number", o->number,
						      "class", o->class_code, "state",
						      wo_state_name(o->state)));
		free(o);
		if (rc < 0 && rc != ERR_NOTFOUND) {
			json_decref(j);
			return rc;
		}
	}
	return reply_json(r, status, j);
}

static int conv_one(struct req *r)
{
	struct chan_conv c;
	int rc = load_conv(r, &c, 0);

	return rc < 0 ? rc : reply_conv(r, 200, c.id);
}

static int conv_messages(struct req *r)
{
	struct chan_conv c;
	int64_t after = 0;
	json_t *items;
	int rc = load_conv(r, &c, 0), n;

	if (rc == 0)
		rc = req_query_int(r, "after", 0, INT64_MAX, &after);
	if (rc < 0)
		return rc;
	items = json_array();
	{
		struct msg_ctx k = {r->store, items};

		n = chan_msg_list(r->store, c.id, after, MSG_PAGE, msg_row, &k);
	}
	if (n < 0) {
		json_decref(items);
		return n;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* GET /api/conversations/{id}/files/{fid}: a file the customer sent, never shown as a page. */
static int conv_file(struct req *r)
{
	struct chan_conv c;
	struct att_row a;
	char path[700], disp[256];
	int64_t fid = 0, owner = 0;
	int fd, rc = load_conv(r, &c, 0);

	if (rc == 0)
		rc = req_param_id(r, 1, &fid);
	if (rc == 0)
		rc = att_get(r->store, fid, &a);
	if (rc == 0 && a.message_id)
		rc = chan_msg_conv(r->store, a.message_id, 0, &owner, NULL);
	if (rc == ERR_NOTFOUND || (rc == 0 && (!a.message_id || owner != c.id)))
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

static int finish(struct req *r, int rc, int64_t id, unsigned status);

/* POST /api/conversations/{id}/attachments: the agent sends a file (the body's bytes, the name in
 * X-Filename), as a reply of its own queued for the channel. */
static int conv_attach(struct req *r)
{
	struct chan_conv c;
	struct att_row a;
	struct audit_actor who = req_actor(r);
	const char *why = NULL, *mime;
	char text[ATT_NAME_MAX + 16];
	int64_t msg_id = 0;
	int rc;

	memset(&a, 0, sizeof(a));
	if (r->raw_len == 0)
		return err_set(&r->ei, ERR_INVALID, "file",
			       "file: send the file's bytes as the body, its name in X-Filename");
	if ((int64_t)r->raw_len > r->app->cfg->attachment_max)
		return err_set(&r->ei, ERR_TOOBIG, "file", "file: larger than %lld bytes",
			       (long long)r->app->cfg->attachment_max);
	if (att_filename(req_header(r, "X-Filename"), a.filename, sizeof(a.filename), &why) < 0)
		return err_set(&r->ei, ERR_INVALID, "filename", "%s", why);
	mime = att_sniff((const unsigned char *)r->raw, r->raw_len);
	if (!mime)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "file",
			       "file: only JPEG, PNG or WebP images and PDF documents are taken");
	rc = load_conv(r, &c, 1);
	if (rc < 0)
		return rc;
	if (strcmp(c.state, "resolved") == 0)
		return err_set(&r->ei, ERR_CONFLICT, NULL, "the conversation is resolved");
	snprintf(a.mime, sizeof(a.mime), "%s", mime);
	snprintf(a.kind, sizeof(a.kind), "%s", att_is_image(mime) ? "photo" : "document");
	a.size = (int64_t)r->raw_len;
	a.uploaded_by = r->who.person_id;
	a.created_at = r->now;
	/* The file first, outside the transaction; att opens it. */
	rc = att_file_put_begin(r->store, r->app->cfg->attachments_dir, r->raw, r->raw_len,
				a.sha256);
	if (rc < 0)
		return rc;
	snprintf(text, sizeof(text), "[文件] %s", a.filename);
	rc = chan_conv_get(r->store, c.id, &c); /* as it is inside the transaction */
	if (rc == 0)
		rc = chan_reply(r->store, &who, &c, text, 0, r->now, &msg_id, &r->ei);
	if (rc == 0) {
		a.message_id = msg_id;
		rc = att_insert(r->store, &a);
	}
	return finish(r, rc, c.id, 201);
}

/* Ends a change: commit (or roll back), then wake the inbox. */
static int finish(struct req *r, int rc, int64_t id, unsigned status)
{
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	chan_wake();
	notify_wake();
	return reply_conv(r, status, id);
}

static int conv_post_message(struct req *r)
{
	static const char *const fields[] = {"text", "note", NULL};
	struct chan_conv c;
	struct audit_actor who = req_actor(r);
	const char *text = NULL;
	int note = 0, rc = body_only(r, fields);

	if (rc == 0)
		rc = body_str(r, "text", 1, &text);
	if (rc == 0)
		rc = body_bool(r, "note", &note);
	if (rc == 0)
		rc = load_conv(r, &c, 1);
	if (rc == 0 && !note && c.agent_id && c.agent_id != r->who.person_id && !supervises(r))
		rc = err_set(&r->ei, ERR_FORBIDDEN, NULL, "the conversation is another agent's");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = chan_reply(r->store, &who, &c, text, note, r->now, NULL, &r->ei);
	return finish(r, rc, c.id, 201);
}

static int conv_read(struct req *r)
{
	static const char *const fields[] = {NULL};
	struct chan_conv c;
	int rc = body_only(r, fields);

	if (rc == 0)
		rc = load_conv(r, &c, 0);
	if (rc < 0)
		return rc;
	if (c.agent_id != r->who.person_id || !c.unread)
		return reply_conv(r, 200, c.id); /* only its agent's reading clears it */
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	c.unread = 0;
	rc = chan_conv_save(r->store, &c);
	return finish(r, rc, c.id, 200);
}

/* ORG-4: an agent not yet certified for duty neither takes nor is given a conversation. */
static int on_duty(struct req *r, int64_t person_id, const char *field)
{
	int rc = org_person_on_duty(r->store, person_id);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return err_set(&r->ei, ERR_UNPROCESSABLE, field,
			       "not certified for duty: cannot take or be given conversations");
	return 0;
}

static int conv_assign(struct req *r)
{
	static const char *const fields[] = {"agent_id", "queue", NULL};
	struct chan_conv c;
	struct audit_actor who = req_actor(r);
	const char *queue = NULL;
	int64_t agent = 0;
	int rc = body_only(r, fields);

	if (rc == 0)
		rc = body_ref(r, "agent_id", &agent);
	if (rc == 0)
		rc = body_str(r, "queue", 0, &queue);
	if (rc < 0)
		return rc;
	if (!agent && !queue)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "agent_id", "%s: required", "agent_id");
	rc = load_conv(r, &c, 1);
	if (rc < 0)
		return rc;
	if (strcmp(c.state, "resolved") == 0)
		return err_set(&r->ei, ERR_CONFLICT, NULL, "the conversation is resolved");
	/* Transferring one's own to a queue is the agent's; to a named agent, a supervisor's. */
	if (agent && agent != r->who.person_id && !supervises(r))
		return err_set(&r->ei, ERR_FORBIDDEN, NULL,
			       "only a supervisor assigns to an agent");
	if (agent) {
		rc = chan_person_active(r->store, agent);
		if (rc == 0)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "agent_id", "no such agent");
		if (rc < 0)
			return rc;
		rc = on_duty(r, agent, "agent_id");
		if (rc < 0)
			return rc;
	}
	if (queue && queue[0]) {
		rc = chan_queue_exists(r->store, queue);
		if (rc == 0)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "queue", "no such queue");
		if (rc < 0)
			return rc;
	}
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = chan_assign(r->store, &who, &c, agent, queue, r->now);
	return finish(r, rc, c.id, 200);
}

static int conv_take(struct req *r)
{
	static const char *const fields[] = {NULL};
	struct chan_conv c;
	struct chan_settings st;
	struct audit_actor who = req_actor(r);
	int rc = body_only(r, fields), sup = supervises(r);

	if (rc == 0)
		rc = load_conv(r, &c, sup ? 1 : 0);
	if (rc == 0)
		rc = chan_settings_get(r->store, &st);
	if (rc < 0)
		return rc;
	if (strcmp(c.state, "resolved") == 0)
		return err_set(&r->ei, ERR_CONFLICT, NULL, "the conversation is resolved");
	if (c.agent_id == r->who.person_id)
		return reply_conv(r, 200, c.id);
	if (c.agent_id && !sup)
		return err_set(&r->ei, ERR_FORBIDDEN, NULL, "the conversation is another agent's");
	rc = on_duty(r, r->who.person_id, NULL);
	if (rc < 0)
		return rc;
	if (!sup && chan_kind_live((enum chan_kind)chan_kind_parse(c.channel))) {
		int64_t live = 0;

		/* An agent takes a chat within the capacity; a supervisor takes over any. */
		rc = chan_live_count(r->store, r->who.person_id, &live);
		if (rc < 0)
			return rc;
		if (live >= st.chat_capacity)
			return err_set(&r->ei, ERR_CONFLICT, NULL,
				       "you hold as many chats as the capacity allows");
	}
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = chan_assign(r->store, &who, &c, r->who.person_id, NULL, r->now);
	return finish(r, rc, c.id, 200);
}

static int conv_state(struct req *r)
{
	static const char *const fields[] = {"state", NULL};
	struct chan_conv c;
	struct audit_actor who = req_actor(r);
	const char *state = NULL;
	int to, rc = body_only(r, fields);

	if (rc == 0)
		rc = body_str(r, "state", 1, &state);
	if (rc < 0)
		return rc;
	to = chan_state_parse(state);
	if (to != CHAN_WAITING && to != CHAN_OPEN)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "state", "state: waiting or open");
	rc = load_conv(r, &c, 1);
	if (rc < 0)
		return rc;
	if (!c.agent_id)
		return err_set(&r->ei, ERR_CONFLICT, NULL, "take the conversation first");
	if (!chan_state_allowed((enum chan_state)chan_state_parse(c.state), (enum chan_state)to))
		return err_set(&r->ei, ERR_CONFLICT, NULL, "the conversation is %s", c.state);
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	snprintf(c.state, sizeof(c.state), "%s", state);
	rc = chan_conv_save(r->store, &c);
	if (rc == 0)
		rc = chan_event(r->store, c.id, c.account_id,
				to == CHAN_WAITING ? "等待客户回复" : "会话重新打开", r->now);
	if (rc == 0)
		rc = req_audit(r, "chan.state", "conv", c.id, "ok",
			       json_pack("{s:s}", "state", state));
	(void)who;
	return finish(r, rc, c.id, 200);
}

static int conv_resolve(struct req *r)
{
	static const char *const fields[] = {"class", "summary", "fivew", NULL};
	struct chan_conv c;
	struct audit_actor who = req_actor(r);
	struct cust_contact *k = calloc(1, sizeof(*k));
	const char *cls = NULL, *summary = NULL;
	int rc = k ? body_only(r, fields) : ERR_NOMEM;

	if (rc == 0)
		rc = body_str(r, "class", 1, &cls);
	if (rc == 0)
		rc = body_str(r, "summary", 0, &summary);
	if (rc < 0)
		goto out;
	if (!cust_class_valid(cls))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "class",
			     "class: one of A, B, C, D, E, F");
	if (summary && utf8_len(summary) > CUST_SUMMARY_MAX)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "summary",
			     "summary: up to %d characters", CUST_SUMMARY_MAX);
	/* The 5W1H as the phone's contact form takes them (CALL-10). */
	if (rc == 0 || rc == ERR_UNPROCESSABLE)
		rc = cust_fivew_read(r, rc, k);
	if (rc < 0)
		goto out;
	rc = load_conv(r, &c, 1);
	if (rc < 0)
		goto out;
	if (strcmp(c.state, "resolved") == 0) {
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the conversation is resolved");
		goto out;
	}
	rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	rc = chan_resolve(r->store, &who, &c, c.agent_id ? c.agent_id : r->who.person_id, cls,
			  summary, k, r->now, &r->ei);
	rc = finish(r, rc, c.id, 200);
out:
	free(k);
	return rc;
}

static int conv_customer(struct req *r)
{
	static const char *const fields[] = {"customer_id", NULL};
	struct chan_conv c;
	int64_t id = 0, live = 0;
	int rc = body_only(r, fields);

	if (rc == 0)
		rc = body_ref(r, "customer_id", &id);
	if (rc < 0)
		return rc;
	if (id) {
		rc = cust_exists(r->store, id, &live);
		if (rc == ERR_NOTFOUND)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "customer_id",
				       "no such customer");
		if (rc < 0)
			return rc;
	}
	rc = load_conv(r, &c, 1);
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	c.customer_id = live;
	rc = chan_conv_save(r->store, &c);
	if (rc == 0)
		rc = req_audit(r, "chan.customer", "conv", c.id, "ok",
			       json_pack("{s:o}", "customer_id", ref(live)));
	return finish(r, rc, c.id, 200);
}

/* -- The inbox stream -- */

struct sub {
	int64_t last_id;    /* the newest message id told */
	int64_t visible_to; /* 0: every conversation (supervisors) */
};

static int chan_poll_ms = 1000;
static int produce(struct sse_tick *t);
static int allowed(struct sse_tick *t, const struct sse_slot *sl);

static struct sse_kind inbox_kind = {
	.name = "chan",
	.period_ms = &chan_poll_ms,
	.min_gap_ms = 0,
	.data_size = sizeof(struct sub),
	.produce = produce,
	.allowed = allowed,
};

struct change_ctx {
	struct sse_tick *t;
	struct sse_slot *sl;
};

static int change_row(void *ctx, int64_t conv_id, int64_t msg_id)
{
	struct change_ctx *k = ctx;
	struct sub *s = k->sl->data;
	struct chan_conv c;
	int rc = chan_conv_get(k->t->store, conv_id, &c);

	if (rc < 0)
		return rc == ERR_NOTFOUND ? 0 : rc;
	rc = buf_printf(
		&k->sl->add,
		"id: %lld\nevent: conv\ndata: {\"id\":%lld,\"state\":\"%s\",\"agent_id\":%lld,"
		"\"channel\":\"%s\",\"unread\":%d,\"msg_id\":%lld}\n\n",
		(long long)msg_id, (long long)c.id, c.state, (long long)c.agent_id, c.channel,
		c.unread, (long long)msg_id);
	if (rc == 0 && msg_id > s->last_id)
		s->last_id = msg_id;
	return rc;
}

static int produce(struct sse_tick *t)
{
	int64_t top = 0;
	/* Read before the streams' queries: every message up to it is visible to them, so a
	 * stream that found nothing of its own can skip past it (and not scan it again). */
	int trc = chan_msg_last_id(t->store, &top);

	if (trc < 0)
		return trc;
	for (size_t i = 0; i < t->n; i++) {
		struct sse_slot *sl = &t->slots[i];
		struct sub *s = sl->data;
		struct change_ctx k = {t, sl};
		int rc;

		if (sl->end || sl->unread > 64 * 1024)
			continue;
		rc = chan_changes(t->store, s->last_id, s->visible_to, 100, change_row, &k);
		if (rc < 0)
			return rc;
		if (rc == 100)
			sl->more = 1;
		else if (top > s->last_id)
			s->last_id = top;
	}
	return 0;
}

static int allowed(struct sse_tick *t, const struct sse_slot *sl)
{
	return notify_session_live(t->store, sl->session_id, t->now, t->idle_ms);
}

void chan_wake(void)
{
	sse_wake(&inbox_kind);
	/* A reply written to a web chat goes to the visitor's stream at once,
	 * not at the next round of the send queue or the stream's own tick. */
	chan_webchat_wake();
}

static int conv_stream(struct req *r)
{
	struct sub s = {0, 0};
	int rc = chan_msg_last_id(r->store, &s.last_id);

	if (rc < 0)
		return rc;
	s.visible_to = supervises(r) || reads_all(r) ? 0 : r->who.person_id;
	return sse_open(&inbox_kind, r, &s);
}

/* -- Settings -- */

static json_t *settings_json(const struct chan_settings *st)
{
	return json_pack("{s:i, s:i, s:i, s:b, s:i, s:b, s:i, s:o, s:o}", "chat_capacity",
			 st->chat_capacity, "chat_first_reply_sec", st->chat_first_reply_sec,
			 "email_reply_min", st->email_reply_min, "message_same_day",
			 st->message_same_day, "message_cutoff_min", st->message_cutoff_min,
			 "chat_while_on_call", st->chat_while_on_call, "chat_idle_close_min",
			 st->chat_idle_close_min, "updated_by", ref(st->updated_by), "updated_at",
			 ref(st->updated_at));
}

static int settings_get(struct req *r)
{
	struct chan_settings st;
	int rc = chan_settings_get(r->store, &st);

	return rc < 0 ? rc : reply_json(r, 200, settings_json(&st));
}

static int settings_put(struct req *r)
{
	static const char *const fields[] = {"chat_capacity",	    "chat_first_reply_sec",
					     "email_reply_min",	    "message_same_day",
					     "message_cutoff_min",  "chat_while_on_call",
					     "chat_idle_close_min", NULL};
	struct chan_settings st;
	int rc = body_only(r, fields);

	if (rc == 0)
		rc = chan_settings_get(r->store, &st);
	if (rc < 0)
		return rc;
	rc = body_int_add(r, "chat_capacity", &st.chat_capacity, 0);
	rc = body_int_add(r, "chat_first_reply_sec", &st.chat_first_reply_sec, rc);
	rc = body_int_add(r, "email_reply_min", &st.email_reply_min, rc);
	rc = body_bool_add(r, "message_same_day", &st.message_same_day, rc);
	rc = body_int_add(r, "message_cutoff_min", &st.message_cutoff_min, rc);
	rc = body_bool_add(r, "chat_while_on_call", &st.chat_while_on_call, rc);
	rc = body_int_add(r, "chat_idle_close_min", &st.chat_idle_close_min, rc);
	if (rc < 0)
		return rc;
	rc = chan_settings_check(&st, &r->ei);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	st.updated_at = r->now;
	st.updated_by = r->who.person_id;
	rc = chan_settings_put(r->store, &st);
	if (rc == 0)
		rc = req_audit(r, "chan.settings", "chan_settings", 1, "ok",
			       json_deep_copy(r->body));
	rc = req_finish(r, rc);
	return rc < 0 ? rc : reply_json(r, 200, settings_json(&st));
}

/* -- Accounts -- */

/* A config key that holds a secret (never answered, kept when sent back masked). */
static int secret_key(const char *k)
{
	static const char *const words[] = {"secret", "password", "token", "key",
					    "aes",    "pass",	  NULL};

	for (int i = 0; words[i]; i++)
		if (strcasestr(k, words[i]))
			return 1;
	return 0;
}

#define MASKED "******"

static json_t *config_masked(const char *text)
{
	json_t *o = json_loads(text, 0, NULL), *v;
	const char *k;

	if (!json_is_object(o)) {
		json_decref(o);
		return json_object();
	}
	json_object_foreach(o, k, v)
	{
		if (secret_key(k) && json_is_string(v) && json_string_length(v))
			json_object_set_new(o, k, json_string(MASKED));
	}
	return o;
}

static json_t *account_json_plain(const struct chan_account *a)
{
	return json_pack("{s:I, s:s, s:s, s:b, s:o, s:s, s:I, s:I}", "id", (json_int_t)a->id,
			 "channel", a->channel, "name", a->name, "enabled", a->enabled, "config",
			 config_masked(a->config), "queue", a->queue, "created_at",
			 (json_int_t)a->created_at, "updated_at", (json_int_t)a->updated_at);
}

/* An email account's JSON also tells how its fetching goes (mail_state). */
static int account_mail_state(struct req *r, json_t *o)
{
	json_t *st;

	if (strcmp(json_string_value(json_object_get(o, "channel")), "email"))
		return 0;
	st = chan_mail_state_json(r->store,
				  (int64_t)json_integer_value(json_object_get(o, "id")));
	if (!st)
		return ERR_IO;
	return json_object_set_new(o, "mail_state", st) ? ERR_NOMEM : 0;
}

static json_t *account_json(struct req *r, const struct chan_account *a)
{
	json_t *o = account_json_plain(a);

	if (o && account_mail_state(r, o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Reads name, enabled, config and queue of the body into a (over what it holds). */
static int account_fields(struct req *r, struct chan_account *a, int rc)
{
	const char *name = NULL, *queue = NULL;
	json_t *cfg = json_object_get(r->body, "config");
	int enabled = a->enabled, brc = body_str(r, "name", !a->id, &name);

	if (brc == 0)
		brc = body_str(r, "queue", 0, &queue);
	if (brc == 0)
		brc = body_bool(r, "enabled", &enabled);
	if (brc < 0)
		return brc;
	if (name && (utf8_blank(name) || utf8_len(name) > CHAN_ACCOUNT_NAME_MAX))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "name", "%s: %d to %d characters",
			     "name", 1, CHAN_ACCOUNT_NAME_MAX);
	else if (name)
		snprintf(a->name, sizeof(a->name), "%s", name);
	if (queue && queue[0]) {
		int q = chan_queue_exists(r->store, queue);

		if (q < 0)
			return q;
		if (q == 0 || strlen(queue) >= sizeof(a->queue))
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "queue", "no such queue");
		else
			snprintf(a->queue, sizeof(a->queue), "%s", queue);
	} else if (queue) {
		a->queue[0] = '\0';
	}
	a->enabled = enabled;
	if (cfg) {
		json_t *old = json_loads(a->config[0] ? a->config : "{}", 0, NULL), *v;
		const char *k;
		char *text;

		if (!json_is_object(cfg)) {
			json_decref(old);
			return err_add(&r->ei, rc, ERR_INVALID, "config", "%s: expected an object",
				       "config");
		}
		/* A secret sent back as the mask keeps the stored one. */
		json_object_foreach(cfg, k, v)
		{
			if (json_is_string(v) && strcmp(json_string_value(v), MASKED) == 0) {
				json_t *o = json_object_get(old, k);

				v = o ? o : json_string("");
				json_incref(v);
			} else {
				json_incref(v);
			}
			json_object_set_new(old ? old : (old = json_object()), k, v);
		}
		/* Keys left out are dropped: the config sent is the whole config. */
		{
			void *tmp;

			json_object_foreach_safe(old, tmp, k, v)
			{
				if (!json_object_get(cfg, k))
					json_object_del(old, k);
			}
		}
		text = json_dumps(old, JSON_COMPACT);
		json_decref(old);
		if (!text)
			return ERR_NOMEM;
		if (strlen(text) > CHAN_CONFIG_MAX)
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "config", "%s: at most %zu",
				     "config", (size_t)CHAN_CONFIG_MAX);
		else
			snprintf(a->config, sizeof(a->config), "%s", text);
		free(text);
	}
	return rc;
}

static int account_row(void *ctx, const struct chan_account *a)
{
	return json_array_append_new(ctx, account_json_plain(a));
}

static int accounts_list(struct req *r)
{
	const char *channel = NULL;
	json_t *items;
	int rc = req_query(r, "channel", &channel), n;

	if (rc < 0)
		return rc;
	if (channel && chan_kind_parse(channel) < 0)
		return err_set(&r->ei, ERR_INVALID, "channel",
			       "channel: email, web_chat, wechat, weibo or sms");
	items = json_array();
	n = chan_account_list(r->store, channel, account_row, items);
	/* The fetch states after the list's statement is done. */
	for (size_t i = 0; n >= 0 && i < json_array_size(items); i++)
		n = account_mail_state(r, json_array_get(items, i)) ? ERR_IO : n;
	if (n < 0) {
		json_decref(items);
		return n;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int account_load(struct req *r, struct chan_account *a)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = chan_account_get(r->store, id, a);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such channel account");
	return rc;
}

static int account_one(struct req *r)
{
	struct chan_account *a = malloc(sizeof(*a));
	int rc = a ? account_load(r, a) : ERR_NOMEM;

	if (rc == 0)
		rc = reply_json(r, 200, account_json(r, a));
	free(a);
	return rc;
}

/*
 * The channel's own rules for its config (the credentials and addresses its
 * adapter needs), each wrong key listed: an account that could never work
 * is refused when it is saved, not at its first message. Asked only when
 * the other fields are right, since its list starts afresh.
 */
static int account_config_check(struct req *r, const struct chan_account *a, int rc)
{
	int kind = chan_kind_parse(a->channel);

	if (rc < 0)
		return rc;
	if (kind == CHAN_EMAIL)
		return chan_mail_config_validate(a->config, &r->ei);
	return chan_wx_config_check(kind, a->config, &r->ei);
}

/*
 * What creating and changing an account share: the body's name, enabled,
 * config and queue read into a (its channel set, and id 0 for a new one),
 * the channel's config checked, and in one transaction the row written and
 * audited; the answer is the account. rc carries errors already added.
 */
static int account_write(struct req *r, struct chan_account *a, int rc)
{
	int create = a->id == 0;

	rc = account_fields(r, a, rc);
	if (rc >= 0 && a->channel[0])
		rc = account_config_check(r, a, rc);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	a->updated_at = r->now;
	if (create) {
		a->created_at = r->now;
		rc = chan_account_insert(r->store, a);
	} else {
		rc = chan_account_save(r->store, a);
	}
	if (rc == 0)
		rc = req_audit(r, create ? "chan.account.create" : "chan.account.update",
			       "chan_account", a->id, "ok",
			       json_pack("{s:s, s:s, s:b, s:s}", "channel", a->channel, "name",
					 a->name, "enabled", a->enabled, "queue", a->queue));
	rc = req_finish(r, rc);
	return rc < 0 ? rc : reply_json(r, create ? 201 : 200, account_json(r, a));
}

static int account_create(struct req *r)
{
	static const char *const fields[] = {"channel", "name", "enabled", "config", "queue", NULL};
	struct chan_account *a = calloc(1, sizeof(*a));
	const char *channel = NULL;
	int rc = a ? body_only(r, fields) : ERR_NOMEM;

	if (rc == 0)
		rc = body_str(r, "channel", 1, &channel);
	if (rc < 0) {
		free(a);
		return rc;
	}
	a->enabled = 1;
	snprintf(a->config, sizeof(a->config), "{}");
	if (chan_kind_parse(channel) < 0)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "channel",
			     "channel: email, web_chat, wechat, weibo or sms");
	else
		snprintf(a->channel, sizeof(a->channel), "%s", channel);
	rc = account_write(r, a, rc);
	free(a);
	return rc;
}

static int account_update(struct req *r)
{
	static const char *const fields[] = {"name", "enabled", "config", "queue", NULL};
	struct chan_account *a = malloc(sizeof(*a));
	int rc = a ? body_only(r, fields) : ERR_NOMEM;

	if (rc == 0)
		rc = account_load(r, a);
	if (rc == 0)
		rc = account_write(r, a, 0);
	free(a);
	return rc;
}

static int account_delete(struct req *r)
{
	struct chan_account *a = malloc(sizeof(*a));
	int rc = a ? account_load(r, a) : ERR_NOMEM;

	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0) {
		free(a);
		return rc;
	}
	rc = chan_account_delete(r->store, a->id);
	if (rc == ERR_CONFLICT)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL,
			     "the account has conversations; disable it instead");
	if (rc == 0)
		rc = req_audit(r, "chan.account.delete", "chan_account", a->id, "ok",
			       json_pack("{s:s, s:s}", "channel", a->channel, "name", a->name));
	free(a);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	r->status = 204;
	return 0;
}

/* -- Queues (supervisors) -- */

static int queue_row(void *ctx, const struct chan_queue_count *q)
{
	return json_array_append_new(ctx,
				     json_pack("{s:s, s:s, s:i, s:i, s:o}", "channel", q->channel,
					       "queue", q->queue, "waiting", q->waiting, "open",
					       q->open, "oldest_at", ref(q->oldest_at)));
}

static int queues_list(struct req *r)
{
	json_t *items = json_array();
	int n = chan_queue_counts(r->store, queue_row, items);

	if (n < 0) {
		json_decref(items);
		return n;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* -- POST /api/test/chan/inbound: a message in without a channel (--test-clock only) -- */

static void free_files(struct chan_inbound *in)
{
	for (int i = 0; i < in->nfiles; i++)
		free((void *)in->files[i].data);
	in->nfiles = 0;
}

/* files: [{name, type, data (base64)}], as a channel hands them over. */
static int read_files(struct req *r, struct chan_inbound *in)
{
	json_t *files = json_object_get(r->body, "files"), *f;
	size_t i;

	if (!files || json_is_null(files))
		return 0;
	if (!json_is_array(files) || json_array_size(files) > CHAN_FILES_MAX)
		return err_set(&r->ei, ERR_INVALID, "files",
			       "files: a list of {name, type, data} with data in base64");
	json_array_foreach(files, i, f)
	{
		const char *name = json_string_value(json_object_get(f, "name"));
		const char *type = json_string_value(json_object_get(f, "type"));
		const char *b64 = json_string_value(json_object_get(f, "data"));
		size_t len = b64 ? strlen(b64) : 0, out_len = 0;
		unsigned char *data = malloc(len / 4 * 3 + 3);

		if (!data)
			return ERR_NOMEM;
		if (!name || !b64 ||
		    sodium_base642bin(data, len / 4 * 3 + 3, b64, len, NULL, &out_len, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0) {
			free(data);
			return err_set(&r->ei, ERR_INVALID, "files",
				       "files: a list of {name, type, data} with data in base64");
		}
		in->files[in->nfiles].name = name;
		in->files[in->nfiles].type = type;
		in->files[in->nfiles].data = data;
		in->files[in->nfiles].size = out_len;
		in->nfiles++;
	}
	return 0;
}

static int test_inbound(struct req *r)
{
	static const char *const fields[] = {"account_id", "peer", "peer_name", "subject",
					     "text",	   "html", "ext_id",	"in_reply_to",
					     "references", "at",   "files",	NULL};
	struct chan_inbound in;
	struct chan_inbound_result res;
	json_t *at;
	int rc;

	if (!r->app->test_clock)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such resource");
	memset(&in, 0, sizeof(in));
	rc = body_only(r, fields);
	if (rc == 0)
		rc = body_ref(r, "account_id", &in.account_id);
	if (rc == 0)
		rc = body_str(r, "peer", 1, &in.peer);
	if (rc == 0)
		rc = body_str(r, "peer_name", 0, &in.peer_name);
	if (rc == 0)
		rc = body_str(r, "subject", 0, &in.subject);
	if (rc == 0)
		rc = body_str(r, "text", 0, &in.text);
	if (rc == 0)
		rc = body_str(r, "html", 0, &in.html);
	if (rc == 0)
		rc = body_str(r, "ext_id", 0, &in.ext_id);
	if (rc == 0)
		rc = body_str(r, "in_reply_to", 0, &in.in_reply_to);
	if (rc == 0)
		rc = body_str(r, "references", 0, &in.references);
	if (rc < 0)
		return rc;
	at = json_object_get(r->body, "at");
	if (at && !json_is_null(at)) {
		if (!json_is_integer(at) || json_integer_value(at) < 0)
			return err_set(&r->ei, ERR_INVALID, "at", "%s: expected a whole number",
				       "at");
		in.at = json_integer_value(at);
	}
	rc = read_files(r, &in);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0) {
		free_files(&in);
		return rc;
	}
	rc = chan_inbound(r->store, &in, r->now, &res, &r->ei);
	free_files(&in);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	chan_wake();
	return reply_json(r, res.duplicate ? 200 : 201,
			  json_pack("{s:I, s:I, s:b, s:b}", "conv_id", (json_int_t)res.conv_id,
				    "msg_id", (json_int_t)res.msg_id, "is_new_conv",
				    res.is_new_conv, "duplicate", res.duplicate));
}

const struct route chan_routes[] = {
	{"GET", "/api/conversations", conv_list, ACT_CHAN_READ},
	{"GET", "/api/conversations/stream", conv_stream, ACT_CHAN_READ},
	{"GET", "/api/conversations/{id}", conv_one, ACT_CHAN_READ},
	{"GET", "/api/conversations/{id}/messages", conv_messages, ACT_CHAN_READ},
	{"POST", "/api/conversations/{id}/messages", conv_post_message, ACT_CHAN_REPLY},
	{"GET", "/api/conversations/{id}/files/{fid}", conv_file, ACT_CHAN_READ},
	{"POST", "/api/conversations/{id}/attachments", conv_attach, ACT_CHAN_REPLY},
	{"POST", "/api/conversations/{id}/read", conv_read, ACT_CHAN_READ},
	{"POST", "/api/conversations/{id}/assign", conv_assign, ACT_CHAN_REPLY},
	{"POST", "/api/conversations/{id}/take", conv_take, ACT_CHAN_REPLY},
	{"POST", "/api/conversations/{id}/state", conv_state, ACT_CHAN_REPLY},
	{"POST", "/api/conversations/{id}/resolve", conv_resolve, ACT_CHAN_REPLY},
	{"POST", "/api/conversations/{id}/customer", conv_customer, ACT_CHAN_REPLY},
	{"GET", "/api/chan/settings", settings_get, ACT_CHAN_READ},
	{"PUT", "/api/chan/settings", settings_put, ACT_CHAN_MANAGE},
	{"GET", "/api/chan/accounts", accounts_list, ACT_CHAN_MANAGE},
	{"POST", "/api/chan/accounts", account_create, ACT_CHAN_MANAGE},
	{"GET", "/api/chan/accounts/{id}", account_one, ACT_CHAN_MANAGE},
	{"PUT", "/api/chan/accounts/{id}", account_update, ACT_CHAN_MANAGE},
	{"DELETE", "/api/chan/accounts/{id}", account_delete, ACT_CHAN_MANAGE},
	{"GET", "/api/chan/queues", queues_list, ACT_CHAN_SUPERVISE},
	{"POST", "/api/test/chan/inbound", test_inbound, ACT_PUBLIC},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
