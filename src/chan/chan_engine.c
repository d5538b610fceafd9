/*
 * Conversations' engine (chan.h tells the whole), always inside the
 * caller's transaction: a customer's message in (chan_inbound, the one
 * entry every channel uses), an agent's reply or note, system lines,
 * assigning, and resolving into the CALL-10 contact. The API, the
 * channels' webhooks and the tick share these, so each rule lives once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "att/att.h"
#include "audit/audit.h"
#include "chan/chan.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/utf8.h"
#include "cust/cust.h"
#include "notify/notify.h"
#include "store/store.h"

#define HTML_MAX (2 * 1024 * 1024) /* bytes of an email's HTML part kept */
#define REFERENCES_MAX 32	   /* Message-IDs of References looked up */

static char files_dir[256];
static int64_t files_max;

void chan_files_setup(const char *dir, int64_t max_bytes)
{
	snprintf(files_dir, sizeof(files_dir), "%s", dir ? dir : "");
	files_max = max_bytes;
}

/* A file's name as kept: its last path segment, no control characters, at most ATT_NAME_MAX bytes.
 */
static void file_name(const char *in, char *out, size_t size)
{
	const char *base = in ? in : "";
	size_t n = 0;

	for (const char *p = base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	for (const char *p = base; *p && n + 1 < size; p++)
		if ((unsigned char)*p >= 0x20 && *p != 0x7f)
			out[n++] = *p;
	out[n] = '\0';
	utf8_trim_partial(out);
	if (!out[0] || !utf8_valid(out, n))
		snprintf(out, size, "file");
}

/* What att makes of a customer's file: an image, a PDF, or audio (a voice message). */
static const char *file_type(const struct chan_file *f)
{
	const char *mime = att_sniff(f->data, f->size);

	return mime ? mime : att_sniff_audio(f->data, f->size);
}

/* Why a file is not kept (NULL: it is): att takes JPEG, PNG, WebP, PDF and audio within the
 * limit. */
static const char *file_refused(const struct chan_file *f)
{
	if (!files_dir[0])
		return "未保存";
	if (!f->data || f->size == 0)
		return "空文件";
	if (files_max > 0 && (int64_t)f->size > files_max)
		return "文件过大";
	if (!file_type(f))
		return "类型不支持";
	return NULL;
}

/* The files of message msg_id, each stored under its hash and linked (owner "message"). */
static int store_files(struct store *s, const struct chan_file *files, int nfiles, int64_t msg_id,
		       int64_t now)
{
	for (int i = 0; i < nfiles; i++) {
		const struct chan_file *f = &files[i];
		struct att_row a;
		const char *mime;
		int rc;

		if (file_refused(f))
			continue;
		mime = file_type(f);
		memset(&a, 0, sizeof(a));
		/* Written inside the transaction (unlike an agent's upload): a deletion of the
		 * same bytes waits for it, so the file is there when the row commits. */
		rc = att_file_put(files_dir, f->data, f->size, a.sha256);
		if (rc < 0)
			return rc;
		snprintf(a.mime, sizeof(a.mime), "%s", mime);
		snprintf(a.kind, sizeof(a.kind), "%s", att_is_image(mime) ? "photo" : "document");
		file_name(f->name, a.filename, sizeof(a.filename));
		a.size = (int64_t)f->size;
		a.created_at = now;
		a.message_id = msg_id;
		rc = att_insert(s, &a);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int chan_msg_file_add(struct store *s, int64_t msg_id, const struct chan_file *f, int64_t now,
		      const char **refused)
{
	*refused = file_refused(f);
	return *refused ? 0 : store_files(s, f, 1, msg_id, now);
}

static int text_field(struct err_info *ei, int rc, const char *field, const char *v, size_t max,
		      int bytes)
{
	if (!v)
		return rc;
	if (!utf8_valid(v, strlen(v)))
		return err_add(ei, rc, ERR_UNPROCESSABLE, field, "%s: not valid UTF-8", field);
	if (bytes ? strlen(v) > max : utf8_len(v) > max)
		return err_add(ei, rc, ERR_UNPROCESSABLE, field, "%s: at most %zu characters",
			       field, max);
	return rc;
}

static int check_inbound(const struct chan_inbound *in, struct err_info *ei)
{
	int rc = 0;

	if (in->account_id <= 0)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "account_id", "%s: required", "account_id");
	if (!in->peer || utf8_blank(in->peer))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "peer", "%s: required", "peer");
	rc = text_field(ei, rc, "peer", in->peer, CHAN_PEER_MAX, 1);
	rc = text_field(ei, rc, "peer_name", in->peer_name, CHAN_NAME_MAX, 0);
	rc = text_field(ei, rc, "subject", in->subject, CHAN_SUBJECT_MAX, 0);
	rc = text_field(ei, rc, "text", in->text, CHAN_TEXT_MAX, 0);
	rc = text_field(ei, rc, "html", in->html, HTML_MAX, 1);
	rc = text_field(ei, rc, "ext_id", in->ext_id, CHAN_EXT_ID_MAX, 1);
	rc = text_field(ei, rc, "in_reply_to", in->in_reply_to, CHAN_EXT_ID_MAX, 1);
	if (in->nfiles < 0 || in->nfiles > CHAN_FILES_MAX)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "files", "%s: at most %zu", "files",
			     (size_t)CHAN_FILES_MAX);
	if (rc == 0 && (!in->text || utf8_blank(in->text)) && (!in->html || !in->html[0]) &&
	    in->nfiles <= 0)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "text", "%s: required", "text");
	return rc;
}

/* Email threading: the conversation holding a message named by In-Reply-To or References. */
static int find_thread(struct store *s, const struct chan_inbound *in, int64_t *conv_id)
{
	int64_t msg_id;
	int rc;

	if (in->in_reply_to && in->in_reply_to[0]) {
		rc = chan_msg_find_ext(s, in->account_id, in->in_reply_to, conv_id, &msg_id);
		if (rc != ERR_NOTFOUND)
			return rc;
	}
	if (in->references) {
		/* The newest reference is the last one: look from the end. */
		char *refs = strdup(in->references), *save = NULL, *tok;
		const char *ids[REFERENCES_MAX];
		int n = 0;

		if (!refs)
			return ERR_NOMEM;
		for (tok = strtok_r(refs, " \t\r\n,", &save); tok;
		     tok = strtok_r(NULL, " \t\r\n,", &save)) {
			if (n == REFERENCES_MAX)
				memmove(ids, ids + 1, sizeof(ids[0]) * --n);
			ids[n++] = tok;
		}
		rc = ERR_NOTFOUND;
		while (n-- > 0 && rc == ERR_NOTFOUND)
			rc = chan_msg_find_ext(s, in->account_id, ids[n], conv_id, &msg_id);
		free(refs);
		return rc;
	}
	return ERR_NOTFOUND;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
	utf8_trim_partial(dst);
}

/* A new conversation for in on account a, its deadlines set (CALL-12) and its customer matched. */
static int open_conv(struct store *s, const struct chan_account *a, enum chan_kind k,
		     const struct chan_inbound *in, int64_t now, struct chan_conv *c)
{
	struct chan_settings st;
	struct chan_due due;
	int rc = chan_settings_get(s, &st);

	if (rc < 0)
		return rc;
	memset(c, 0, sizeof(*c));
	copy(c->channel, sizeof(c->channel), a->channel);
	c->account_id = a->id;
	copy(c->peer, sizeof(c->peer), in->peer);
	copy(c->peer_name, sizeof(c->peer_name), in->peer_name);
	copy(c->subject, sizeof(c->subject), in->subject);
	copy(c->state, sizeof(c->state), "new");
	copy(c->queue, sizeof(c->queue), a->queue);
	c->created_at = now;
	c->last_in_at = now;
	chan_due_compute(k, &st, now, &due);
	c->first_reply_due = due.first_reply_due;
	c->resolve_due = due.resolve_due;
	/* The same person on another of the center's WeChat accounts first, then the openid. */
	rc = ERR_NOTFOUND;
	if (k == CHAN_WECHAT && in->peer_union && in->peer_union[0])
		rc = chan_customer_match_union(s, in->peer_union, &c->customer_id);
	if (rc == ERR_NOTFOUND)
		rc = chan_customer_match(s, k, in->peer, &c->customer_id);
	if (rc == ERR_NOTFOUND) {
		c->customer_id = 0;
		rc = 0;
	}
	if (rc == 0)
		rc = chan_conv_insert(s, c);
	return rc;
}

/* One spelling per address, so the same customer finds the same conversation:
 * an email address in lower case, an SMS number as cust normalises it. */
static void peer_normalize(enum chan_kind k, const char *in, char *out, size_t size)
{
	if (k == CHAN_SMS && cust_phone_normalize(in, out, size) == 0)
		return;
	snprintf(out, size, "%s", in);
	if (k == CHAN_EMAIL)
		for (char *p = out; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
}

int chan_inbound(struct store *s, const struct chan_inbound *in0, int64_t now,
		 struct chan_inbound_result *out, struct err_info *ei)
{
	struct chan_inbound norm = *in0, *in = &norm;
	char peer[CHAN_PEER_MAX + 1];
	struct chan_account *a = NULL;
	struct chan_conv *c = NULL;
	struct buf body = BUF_INIT, html = BUF_INIT;
	struct chan_msg m;
	int64_t thread = 0, old_conv = 0;
	int kind, rc;

	memset(out, 0, sizeof(*out));
	rc = check_inbound(in, ei);
	if (rc < 0)
		return rc;
	a = malloc(sizeof(*a));
	c = malloc(sizeof(*c));
	if (!a || !c) {
		rc = ERR_NOMEM;
		goto done;
	}
	rc = chan_account_get(s, in->account_id, a);
	if (rc == ERR_NOTFOUND || (rc == 0 && !a->enabled)) {
		rc = err_set(ei, ERR_NOTFOUND, NULL, "no such channel account");
		goto done;
	}
	if (rc < 0)
		goto done;
	kind = chan_kind_parse(a->channel);
	peer_normalize((enum chan_kind)kind, in->peer, peer, sizeof(peer));
	norm.peer = peer;
	/* A webhook delivered twice, a mail fetched again: stored once, answered alike. */
	if (in->ext_id && in->ext_id[0]) {
		rc = chan_msg_find_ext(s, a->id, in->ext_id, &out->conv_id, &out->msg_id);
		if (rc == 0) {
			out->duplicate = 1;
			goto done;
		}
		if (rc != ERR_NOTFOUND)
			goto done;
	}
	/* What the agent reads: the text, else the HTML's text (sanitised), else the files' names.
	 */
	if (in->html && in->html[0]) {
		rc = chan_html_clean(in->html, &html);
		if (rc < 0)
			goto done;
	}
	if (in->text && !utf8_blank(in->text))
		rc = buf_puts(&body, in->text);
	else if (in->html && in->html[0])
		rc = chan_html_text(in->html, &body);
	/* Files not kept are named in the text, so the agent knows they were sent. */
	for (int i = 0; rc == 0 && i < in->nfiles; i++) {
		const char *why = file_refused(&in->files[i]);
		char name[ATT_NAME_MAX + 1];

		file_name(in->files[i].name, name, sizeof(name));
		if (why)
			rc = buf_printf(&body, "%s[文件未接收（%s）：%s]", body.len ? "\n" : "",
					why, name);
		else if (!body.len && i == in->nfiles - 1)
			rc = buf_printf(&body, "[文件]");
	}
	if (rc < 0)
		goto done;
	if (utf8_len(buf_str(&body)) > CHAN_TEXT_MAX) {
		/* An email's HTML may hold more text than a message: cut, never refuse mail. */
		size_t cut = utf8_prefix(body.p, body.len, CHAN_TEXT_MAX, NULL);

		body.p[cut] = '\0';
		body.len = cut;
	}
	/* The conversation: the email's thread, else the open one of the peer, else a new one. */
	rc = ERR_NOTFOUND;
	if (kind == CHAN_EMAIL)
		rc = find_thread(s, in, &thread);
	if (rc == 0) {
		rc = chan_conv_get(s, thread, c);
		if (rc == 0 && strcmp(c->state, "resolved") == 0) {
			old_conv = c->id; /* a reply to a resolved thread opens a new one, linked */
			rc = ERR_NOTFOUND;
		}
	}
	if (rc == ERR_NOTFOUND)
		rc = chan_conv_open_for(s, a->id, in->peer, c);
	if (rc == ERR_NOTFOUND) {
		rc = open_conv(s, a, (enum chan_kind)kind, in, now, c);
		out->is_new_conv = rc == 0;
		if (rc == 0 && old_conv) {
			char line[96];

			snprintf(line, sizeof(line), "客户回复了已解决的会话 #%lld",
				 (long long)old_conv);
			rc = chan_event(s, c->id, a->id, line, now);
		}
	} else if (rc == 0) {
		/* The customer answered: the conversation is the agent's to act on again. */
		c->last_in_at = now;
		c->unread++;
		if (strcmp(c->state, "waiting") == 0)
			copy(c->state, sizeof(c->state), "open");
		if (!c->peer_name[0] && in->peer_name)
			copy(c->peer_name, sizeof(c->peer_name), in->peer_name);
		rc = chan_conv_save(s, c);
	}
	if (rc < 0)
		goto done;
	if (out->is_new_conv) {
		c->unread = 1;
		rc = chan_conv_save(s, c);
		if (rc < 0)
			goto done;
	}
	memset(&m, 0, sizeof(m));
	m.conv_id = c->id;
	m.account_id = a->id;
	m.direction = "in";
	m.body = buf_str(&body);
	m.html = html.len ? buf_str(&html) : NULL;
	m.ext_id = in->ext_id;
	m.in_reply_to = in->in_reply_to;
	m.at = in->at > 0 ? in->at : now;
	rc = chan_msg_insert(s, &m);
	if (rc == ERR_CONFLICT && in->ext_id) {
		/* Another request stored it in between (a node's retry): the same answer. */
		rc = chan_msg_find_ext(s, a->id, in->ext_id, &out->conv_id, &out->msg_id);
		if (rc == 0)
			out->duplicate = 1;
		goto done;
	}
	if (rc < 0)
		goto done;
	rc = store_files(s, in->files, in->nfiles, m.id, now);
	if (rc < 0)
		goto done;
	out->conv_id = c->id;
	out->msg_id = m.id;
done:
	buf_release(&body);
	buf_release(&html);
	free(a);
	free(c);
	return rc;
}

int chan_outbound_record(struct store *s, int64_t account_id, const char *peer, int64_t customer_id,
			 int64_t order_id, const char *text, const char *ext_id, int64_t now,
			 int64_t *msg_id)
{
	struct chan_account *a = malloc(sizeof(*a));
	struct chan_conv *c = malloc(sizeof(*c));
	struct chan_msg m;
	int rc = a && c ? chan_account_get(s, account_id, a) : ERR_NOMEM, kind;

	if (rc < 0)
		goto done;
	kind = chan_kind_parse(a->channel);
	/* Nobody has to answer what kefu sent by itself: it joins the customer's
	 * conversation as it stands (a resolved one stays resolved, and QA, which
	 * checked it once, does not again), or one opened resolved; the customer's
	 * answer opens a new one as usual. */
	rc = chan_conv_latest_for(s, account_id, peer, c);
	if (rc == ERR_NOTFOUND) {
		struct chan_inbound in = {.account_id = account_id, .peer = peer};

		rc = open_conv(s, a, (enum chan_kind)kind, &in, now, c);
		if (rc == 0) {
			if (!c->customer_id)
				c->customer_id = customer_id;
			copy(c->state, sizeof(c->state), "resolved");
			c->resolved_at = now;
			c->last_in_at = 0;
		}
	}
	if (rc < 0)
		goto done;
	c->last_out_at = now;
	if (!c->order_id)
		c->order_id = order_id;
	rc = chan_conv_save(s, c);
	if (rc < 0)
		goto done;
	memset(&m, 0, sizeof(m));
	m.conv_id = c->id;
	m.account_id = account_id;
	m.direction = "out";
	m.body = text;
	m.ext_id = ext_id && *ext_id ? ext_id : NULL;
	m.status = "sent";
	m.tries = 1;
	m.at = now;
	rc = chan_msg_insert(s, &m);
	if (rc == 0 && msg_id)
		*msg_id = m.id;
done:
	free(a);
	free(c);
	return rc;
}

int chan_event(struct store *s, int64_t conv_id, int64_t account_id, const char *text, int64_t now)
{
	struct chan_msg m;

	memset(&m, 0, sizeof(m));
	m.conv_id = conv_id;
	m.account_id = account_id;
	m.direction = "event";
	m.body = text;
	m.at = now;
	return chan_msg_insert(s, &m);
}

static int audit_conv(struct store *s, const struct audit_actor *who, int64_t now,
		      const char *action, const struct chan_conv *c, struct audit_detail *d)
{
	audit_detail_str(d, "channel", c->channel);
	audit_detail_str(d, "state", c->state);
	audit_detail_id(d, "agent_id", c->agent_id);
	return audit_append_detail(s, who, now, action, "conv", c->id, "ok", d);
}

int chan_reply(struct store *s, const struct audit_actor *who, struct chan_conv *c,
	       const char *text, int note, int64_t now, int64_t *msg_id, struct err_info *ei)
{
	struct chan_msg m;
	struct audit_detail d;
	int rc;

	if (!text || utf8_blank(text))
		return err_set(ei, ERR_UNPROCESSABLE, "text", "%s: required", "text");
	if (!utf8_valid(text, strlen(text)))
		return err_set(ei, ERR_UNPROCESSABLE, "text", "%s: not valid UTF-8", "text");
	if (utf8_len(text) > CHAN_TEXT_MAX)
		return err_set(ei, ERR_UNPROCESSABLE, "text", "%s: at most %zu characters", "text",
			       (size_t)CHAN_TEXT_MAX);
	if (strcmp(c->state, "resolved") == 0 && !note)
		return err_set(ei, ERR_CONFLICT, NULL, "the conversation is resolved");
	memset(&m, 0, sizeof(m));
	m.conv_id = c->id;
	m.account_id = c->account_id;
	m.direction = note ? "note" : "out";
	m.author_id = who->id;
	m.body = text;
	m.status = note ? NULL : "queued";
	m.at = now;
	rc = chan_msg_insert(s, &m);
	if (rc < 0)
		return rc;
	if (!note) {
		c->last_out_at = now;
		if (!c->first_reply_at)
			c->first_reply_at = now;
		/* Whoever answers a waiting one has it. */
		if (strcmp(c->state, "new") == 0) {
			snprintf(c->state, sizeof(c->state), "open");
			if (!c->agent_id)
				c->agent_id = who->id;
		}
	}
	c->unread = 0;
	rc = chan_conv_save(s, c);
	if (rc == 0) {
		audit_detail_init(&d);
		audit_detail_id(&d, "msg_id", m.id);
		rc = audit_conv(s, who, now, note ? "chan.note" : "chan.reply", c, &d);
	}
	if (rc == 0 && msg_id)
		*msg_id = m.id;
	return rc;
}

int chan_assign(struct store *s, const struct audit_actor *who, struct chan_conv *c,
		int64_t agent_id, const char *queue, int64_t now)
{
	struct audit_detail d;
	char line[160];
	int rc;

	if (queue)
		snprintf(c->queue, sizeof(c->queue), "%s", queue);
	c->agent_id = agent_id;
	snprintf(c->state, sizeof(c->state), "%s", agent_id ? "open" : "new");
	rc = chan_conv_save(s, c);
	if (rc < 0)
		return rc;
	if (agent_id) {
		char who_label[128];

		rc = chan_person_label(s, agent_id, who_label, sizeof(who_label));
		if (rc < 0)
			return rc;
		utf8_trim_partial(who_label);
		snprintf(line, sizeof(line), "会话已分配给坐席 %s", who_label);
		utf8_trim_partial(line);
	} else
		snprintf(line, sizeof(line), "会话已转回队列%s%s", c->queue[0] ? " " : "",
			 c->queue);
	rc = chan_event(s, c->id, c->account_id, line, now);
	if (rc == 0 && agent_id && agent_id != who->id) {
		char text[NOTIFY_TEXT_SIZE];

		snprintf(text, sizeof(text), "新会话 #%lld（%s）已分配给您", (long long)c->id,
			 c->peer_name[0] ? c->peer_name : c->channel);
		utf8_trim_partial(text);
		rc = notify_send(s, agent_id, "chan.assign", 0, text, now);
	}
	if (rc == 0) {
		audit_detail_init(&d);
		audit_detail_str(&d, "queue", c->queue);
		rc = audit_conv(s, who, now, "chan.assign", c, &d);
	}
	return rc;
}

int chan_resolve(struct store *s, const struct audit_actor *who, struct chan_conv *c,
		 int64_t agent_id, const char *cls, const char *summary,
		 const struct cust_contact *fivew, int64_t now, struct err_info *ei)
{
	struct cust_contact *k = NULL;
	struct audit_detail d;
	int kind = chan_kind_parse(c->channel), rc = 0;

	if (strcmp(c->state, "resolved") == 0)
		return err_set(ei, ERR_CONFLICT, NULL, "the conversation is resolved");
	/* CALL-10: every conversation an agent served ends as a contact; one no
	 * agent ever held (a visitor who left) has nobody to record it for. */
	if (agent_id) {
		k = calloc(1, sizeof(*k));
		if (!k)
			return ERR_NOMEM;
		/* The contact's channel is the conversation's (cust's names are the same). */
		snprintf(k->channel, sizeof(k->channel), "%s",
			 chan_kind_name((enum chan_kind)kind));
		snprintf(k->direction, sizeof(k->direction), "in");
		k->customer_id = c->customer_id;
		if (kind == CHAN_SMS &&
		    cust_phone_normalize(c->peer, k->phone, sizeof(k->phone)) < 0)
			k->phone[0] = '\0';
		k->agent_id = agent_id;
		k->started_at = c->created_at;
		k->ended_at = now;
		snprintf(k->cls, sizeof(k->cls), "%s", cls ? cls : "");
		snprintf(k->summary, sizeof(k->summary), "%s", summary ? summary : "");
		utf8_trim_partial(k->summary);
		/* The 5W1H the agent gave, as the phone's contact form records them (CALL-10). */
		if (fivew)
			memcpy(k->fivew, fivew->fivew, sizeof(k->fivew));
		rc = cust_contact_insert(s, k, now, ei);
		if (rc == 0)
			c->contact_id = k->id;
		free(k);
		if (rc < 0)
			return rc;
	}
	snprintf(c->state, sizeof(c->state), "resolved");
	c->resolved_at = now;
	c->unread = 0;
	rc = chan_conv_save(s, c);
	if (rc == 0)
		rc = chan_event(s, c->id, c->account_id, "会话已解决", now);
	if (rc == 0) {
		audit_detail_init(&d);
		audit_detail_id(&d, "contact_id", c->contact_id);
		audit_detail_str(&d, "class", cls && cls[0] ? cls : NULL);
		rc = audit_conv(s, who, now, "chan.resolve", c, &d);
	}
	return rc;
}

static const struct audit_actor system_actor = {0, "system", NULL};

#define CHAN_REQUEUE_MAX 64

/* One live chat of an agent who logged out back to its queue, told and audited. */
static int requeue(struct store *s, int64_t conv_id, int64_t person_id, const char *label,
		   int64_t now)
{
	struct chan_conv c;
	struct audit_detail d;
	char line[320];
	int rc = chan_conv_get(s, conv_id, &c);

	if (rc < 0)
		return rc;
	/*
	 * A chat is answered in seconds and nobody is at that desk any more:
	 * back to its queue, for the tick to give to an agent who is there.
	 */
	c.agent_id = 0;
	snprintf(c.state, sizeof(c.state), "new");
	rc = chan_conv_save(s, &c);
	snprintf(line, sizeof(line), "坐席 %s 已退出登录，会话转回队列%s%s", label,
		 c.queue[0] ? " " : "", c.queue);
	utf8_trim_partial(line);
	if (rc == 0)
		rc = chan_event(s, c.id, c.account_id, line, now);
	if (rc == 0) {
		audit_detail_init(&d);
		audit_detail_id(&d, "from_agent_id", person_id);
		audit_detail_str(&d, "queue", c.queue);
		rc = audit_conv(s, &system_actor, now, "chan.requeue", &c, &d);
	}
	return rc;
}

int chan_agent_logged_out(struct store *s, int64_t person_id, int64_t now)
{
	int64_t ids[CHAN_REQUEUE_MAX];
	char label[128] = "";
	int n, rc = 0;

	/* Batches until none is left: each one requeued no longer matches. */
	do {
		n = chan_conv_requeue_ids(s, person_id, ids, CHAN_REQUEUE_MAX);
		if (n <= 0)
			return n;
		if (!label[0]) {
			rc = chan_person_label(s, person_id, label, sizeof(label));
			utf8_trim_partial(label);
		}
		for (int i = 0; i < n && rc == 0; i++)
			rc = requeue(s, ids[i], person_id, label, now);
	} while (rc == 0 && n == CHAN_REQUEUE_MAX);
	return rc < 0 ? rc : 0;
}

int chan_order_made(struct store *s, int64_t order_id, const char *number, int64_t contact_id,
		    int64_t now)
{
	struct chan_conv c;
	struct audit_detail d;
	char line[120];
	int64_t conv_id = 0;
	int rc;

	if (!contact_id)
		return 0;
	rc = chan_conv_order_link(s, contact_id, order_id, &conv_id);
	if (rc == ERR_NOTFOUND)
		return 0;
	if (rc == 0)
		rc = chan_conv_get(s, conv_id, &c);
	if (rc < 0)
		return rc;
	snprintf(line, sizeof(line), "已建工单 %s", number ? number : "");
	rc = chan_event(s, c.id, c.account_id, line, now);
	if (rc == 0) {
		audit_detail_init(&d);
		audit_detail_id(&d, "order_id", order_id);
		audit_detail_id(&d, "contact_id", contact_id);
		rc = audit_conv(s, &system_actor, now, "chan.order", &c, &d);
	}
	return rc;
}

int chan_conv_as_message(struct store *s, int64_t conv_id, int64_t now)
{
	struct chan_settings st;
	struct chan_conv c;
	int rc = chan_settings_get(s, &st);

	if (rc == 0)
		rc = chan_conv_get(s, conv_id, &c);
	if (rc < 0)
		return rc;
	if (strcmp(c.state, "resolved") == 0 || c.first_reply_at)
		return ERR_CONFLICT;
	/* CALL-12: a web message is answered the same day, counted from its arrival. */
	c.first_reply_due = chan_same_day_due(&st, c.created_at);
	c.resolve_due = clock_day_end(c.first_reply_due);
	rc = chan_conv_save(s, &c);
	if (rc == 0)
		rc = chan_event(s, c.id, c.account_id, "暂无坐席在线，转为留言", now);
	return rc;
}

int chan_msg_report(struct store *s, int64_t account_id, const char *ext_id, int delivered,
		    const char *error)
{
	if (!ext_id || !ext_id[0])
		return ERR_NOTFOUND;
	return chan_msg_delivery(s, account_id, ext_id, delivered,
				 error && error[0] ? error : "not delivered");
}
