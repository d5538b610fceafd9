/*
 * The scheduler's tick of conversations (chan.h tells the whole), every
 * round: each new conversation goes to an agent (acd status, the queue's
 * skill, the chat capacity; longest idle first), late ones are marked once
 * and their agent and the supervisors told (CALL-12), web chats whose
 * visitor went silent are resolved, and queued messages go out through
 * their channel's adapter. Each piece of work is its own transaction, so
 * one that fails leaves the others done; the inbox is woken after.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acd/acd.h"
#include "att/att.h"
#include "audit/audit.h"
#include "chan/chan.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "notify/notify.h"
#include "store/store.h"

#define BATCH 32
#define CANDIDATES_MAX 64
#define WATCHERS_MAX 32

static const struct audit_actor system_actor = {0, "system", NULL};

/* -- Adapters -- */

static struct chan_adapter adapters[CHAN_KIND_COUNT];
static int registered[CHAN_KIND_COUNT];

int chan_adapter_add(const struct chan_adapter *a)
{
	if (!a || (unsigned)a->kind >= CHAN_KIND_COUNT || !a->send)
		return ERR_INVALID;
	if (registered[a->kind])
		return ERR_CONFLICT;
	adapters[a->kind] = *a;
	registered[a->kind] = 1;
	return 0;
}

/* -- Routing -- */

static int route_one(struct store *s, const struct chan_settings *st, int64_t id, int64_t now)
{
	struct chan_candidate cand[CANDIDATES_MAX];
	struct chan_conv c;
	int n, pick, rc = store_begin(s);

	if (rc < 0)
		return rc;
	rc = chan_conv_get(s, id, &c);
	if (rc == 0 && (strcmp(c.state, "new") != 0 || c.agent_id))
		rc = 1; /* someone took it meanwhile */
	if (rc == 0) {
		n = chan_candidates(s, c.queue, st->chat_while_on_call, cand, CANDIDATES_MAX);
		rc = n < 0 ? n : 0;
		pick = n > 0 ? chan_route_pick((enum chan_kind)chan_kind_parse(c.channel), cand, n,
					       st->chat_capacity)
			     : -1;
		if (rc == 0 && pick >= 0)
			rc = chan_assign(s, &system_actor, &c, cand[pick].person_id, NULL, now);
		else if (rc == 0)
			rc = 1; /* nobody free: it waits in its queue */
	}
	if (rc != 0) {
		store_rollback(s);
		return rc < 0 ? rc : 0;
	}
	rc = store_commit(s);
	return rc < 0 ? rc : 1;
}

static int route(struct store *s, const struct chan_settings *st, int64_t now)
{
	int64_t ids[BATCH];
	int n = chan_conv_new_ids(s, ids, BATCH), done = 0, rc;

	for (int i = 0; i < n; i++) {
		rc = route_one(s, st, ids[i], now);
		if (rc < 0)
			return rc;
		done += rc;
	}
	return n < 0 ? n : done;
}

/* -- Deadlines (CALL-12) -- */

static int late_one(struct store *s, int64_t id, int64_t now)
{
	int64_t watchers[WATCHERS_MAX];
	struct chan_conv c;
	struct audit_detail d;
	char text[NOTIFY_TEXT_SIZE];
	int bits = 0, n, rc = store_begin(s);

	if (rc < 0)
		return rc;
	rc = chan_conv_get(s, id, &c);
	if (rc == 0) {
		if (!(c.breached & 1) && !c.first_reply_at && c.first_reply_due &&
		    c.first_reply_due <= now)
			bits |= 1;
		if (!(c.breached & 2) && c.resolve_due && c.resolve_due <= now)
			bits |= 2;
		c.breached |= bits;
		rc = bits ? chan_conv_save(s, &c) : 0;
	}
	if (rc == 0 && bits) {
		snprintf(text, sizeof(text), "会话 #%lld（%s）已超时：%s", (long long)c.id,
			 c.peer_name[0] ? c.peer_name : c.channel,
			 bits & 1 ? "首次回复超时" : "解决超时");
		if (c.agent_id)
			rc = notify_send(s, c.agent_id, "chan.late", 0, text, now);
		n = rc == 0 ? acd_watchers(s, watchers, WATCHERS_MAX) : 0;
		for (int i = 0; rc == 0 && n > 0 && i < n; i++)
			if (watchers[i] != c.agent_id)
				rc = notify_send(s, watchers[i], "chan.late", 0, text, now);
		if (n < 0)
			rc = n;
	}
	if (rc == 0 && bits) {
		audit_detail_init(&d);
		audit_detail_int(&d, "breached", c.breached);
		audit_detail_str(&d, "channel", c.channel);
		audit_detail_id(&d, "agent_id", c.agent_id);
		rc = audit_append_detail(s, &system_actor, now, "chan.late", "conv", c.id, "ok",
					 &d);
	}
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	rc = store_commit(s);
	return rc < 0 ? rc : bits != 0;
}

static int late(struct store *s, int64_t now)
{
	int64_t ids[BATCH];
	int n = chan_conv_late_ids(s, now, ids, BATCH), done = 0, rc;

	for (int i = 0; i < n; i++) {
		rc = late_one(s, ids[i], now);
		if (rc < 0)
			return rc;
		done += rc;
	}
	return n < 0 ? n : done;
}

/* -- Idle chats -- */

static int idle(struct store *s, const struct chan_settings *st, int64_t now)
{
	int64_t ids[BATCH];
	int n = chan_conv_idle_ids(s, now - (int64_t)st->chat_idle_close_min * 60000, ids, BATCH),
	    done = 0, rc;

	for (int i = 0; i < n; i++) {
		struct chan_conv c;
		struct err_info ei;

		memset(&ei, 0, sizeof(ei));
		rc = store_begin(s);
		if (rc < 0)
			return rc;
		rc = chan_conv_get(s, ids[i], &c);
		if (rc == 0)
			rc = chan_resolve(s, &system_actor, &c, c.agent_id, "",
					  "访客长时间未回复，会话自动结束", NULL, now, &ei);
		if (rc < 0) {
			store_rollback(s);
			log_msg(LOG_WARN, "chan: closing idle chat %lld: %s", (long long)ids[i],
				err_name(rc));
			continue;
		}
		rc = store_commit(s);
		if (rc < 0)
			return rc;
		done++;
	}
	return n < 0 ? n : done;
}

/* -- The send queue -- */

static char files_dir[256];

void chan_send_files_dir(const char *dir)
{
	snprintf(files_dir, sizeof(files_dir), "%s", dir ? dir : "");
}

struct file_load {
	struct chan_outbound *m;
	char names[CHAN_FILES_MAX][ATT_NAME_MAX + 1];
	char types[CHAN_FILES_MAX][32];
	int rc;
};

/* Reads one stored file of the message into memory for its adapter. */
static int file_load_row(void *ctx, const struct att_row *a)
{
	struct file_load *f = ctx;
	char path[700];
	unsigned char *data;
	ssize_t got = 0;
	int fd, i = f->m->nfiles;

	if (i == CHAN_FILES_MAX || !files_dir[0])
		return 0;
	att_file_path(files_dir, a->sha256, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	data = fd >= 0 ? malloc((size_t)a->size) : NULL;
	while (data && got < a->size) {
		ssize_t n = read(fd, data + got, (size_t)(a->size - got));

		if (n <= 0)
			break;
		got += n;
	}
	if (fd >= 0)
		close(fd);
	if (!data || got != a->size) {
		free(data);
		f->rc = ERR_IO;
		return 0;
	}
	snprintf(f->names[i], sizeof(f->names[i]), "%s", a->filename);
	snprintf(f->types[i], sizeof(f->types[i]), "%s", a->mime);
	f->m->files[i].name = f->names[i];
	f->m->files[i].type = f->types[i];
	f->m->files[i].data = data;
	f->m->files[i].size = (size_t)a->size;
	f->m->nfiles++;
	return 0;
}

struct out_load {
	struct chan_outbound m;
	int64_t msg_id;
	char *text;
	char *in_reply_to;
	struct buf refs;
	int found; /* the message was reached: what follows is later than it */
};

static int out_msg_row(void *ctx, const struct chan_msg *m)
{
	struct out_load *o = ctx;

	if (o->found)
		return 0;
	if (m->id == o->msg_id) {
		free(o->text);
		o->text = strdup(m->body);
		o->found = 1;
		return o->text ? 0 : ERR_NOMEM;
	}
	/* The thread so far: every id a channel gave, the customer's last one replied to. */
	if (m->ext_id && m->ext_id[0] &&
	    (!strcmp(m->direction, "in") || !strcmp(m->direction, "out"))) {
		if (o->refs.len < 4000)
			buf_printf(&o->refs, "%s%s", o->refs.len ? " " : "", m->ext_id);
		if (!strcmp(m->direction, "in")) {
			free(o->in_reply_to);
			o->in_reply_to = strdup(m->ext_id);
		}
	}
	return 0;
}

static int send_one(struct store *s, int64_t msg_id, int64_t now)
{
	struct chan_conv c;
	struct chan_account *a = malloc(sizeof(*a));
	struct out_load o;
	char ext[CHAN_EXT_ID_MAX + 1] = "", error[256] = "", subject[CHAN_SUBJECT_MAX * 4 + 8];
	int64_t conv_id = 0, tries = 0;
	int kind, rc, status;

	memset(&o, 0, sizeof(o));
	o.msg_id = msg_id;
	rc = a ? chan_msg_conv(s, msg_id, 1, &conv_id, &tries) : ERR_NOMEM;
	if (rc == 0)
		rc = chan_conv_get(s, conv_id, &c);
	else if (rc == ERR_NOTFOUND)
		rc = 1; /* sent meanwhile */
	if (rc == 0)
		rc = chan_account_get(s, c.account_id, a);
	if (rc == 0) {
		int n = chan_msg_list(s, conv_id, 0, 100000, out_msg_row, &o);

		rc = n < 0 ? n : 0;
	}
	if (rc < 0 || rc == 1 || !o.text) {
		free(a);
		free(o.text);
		free(o.in_reply_to);
		buf_release(&o.refs);
		return rc < 0 ? rc : 0;
	}
	kind = chan_kind_parse(c.channel);
	if (kind == CHAN_EMAIL)
		snprintf(subject, sizeof(subject), "%s%s",
			 strncasecmp(c.subject, "re:", 3) == 0 ? "" : "Re: ", c.subject);
	else
		snprintf(subject, sizeof(subject), "%s", c.subject);
	o.m.msg_id = msg_id;
	o.m.conv_id = conv_id;
	o.m.account_id = a->id;
	o.m.peer = c.peer;
	o.m.peer_name = c.peer_name;
	o.m.subject = subject;
	o.m.text = o.text;
	o.m.in_reply_to = o.in_reply_to;
	o.m.references = o.refs.len ? buf_str(&o.refs) : NULL;
	o.m.config = a->config;
	tries++;
	struct file_load *fl = calloc(1, sizeof(*fl));

	if (fl) {
		fl->m = &o.m;
		rc = att_list_message(s, msg_id, file_load_row, fl);
		if (rc == 0)
			rc = fl->rc;
	}
	if (!fl || rc < 0) {
		rc = ERR_BUSY; /* the file could not be read: try again next round */
		snprintf(error, sizeof(error), "cannot read the message's file");
	}
	/* The adapter runs outside any transaction: a slow provider holds no lock. */
	if (rc < 0) {
		/* reported above */
	} else if (kind < 0 || !registered[kind]) {
		rc = ERR_BUSY;
		snprintf(error, sizeof(error), "no adapter for the channel");
	} else {
		rc = adapters[kind].send(&o.m, ext, sizeof(ext), error, sizeof(error));
	}
	status = rc == 0 ? 0 : rc == ERR_BUSY && tries < CHAN_SEND_TRIES ? 1 : 2;
	if (rc < 0 && !error[0])
		snprintf(error, sizeof(error), "%s", err_name(rc));
	rc = store_begin(s);
	if (rc == 0)
		rc = chan_msg_sent(s, msg_id,
				   status == 0	 ? "sent"
				   : status == 1 ? "queued"
						 : "failed",
				   status == 0 && ext[0] ? ext : NULL, status == 0 ? NULL : error,
				   (int)tries);
	if (rc == 0 && status == 2) {
		struct audit_detail d;

		audit_detail_init(&d);
		audit_detail_id(&d, "conv_id", conv_id);
		audit_detail_str(&d, "error", error);
		rc = audit_append_detail(s, &system_actor, now, "chan.send", "conv_msg", msg_id,
					 "failed", &d);
	}
	rc = rc < 0 ? (store_rollback(s), rc) : store_commit(s);
	for (int i = 0; i < o.m.nfiles; i++)
		free((void *)o.m.files[i].data);
	free(fl);
	free(a);
	free(o.text);
	free(o.in_reply_to);
	buf_release(&o.refs);
	return rc < 0 ? rc : status != 1;
}

int chan_send_tick(struct store *s, int64_t now)
{
	int64_t ids[BATCH];
	int n = chan_msg_queued(s, ids, BATCH), done = 0, rc;

	for (int i = 0; i < n; i++) {
		rc = send_one(s, ids[i], now);
		if (rc < 0)
			return rc;
		done += rc;
	}
	return n < 0 ? n : done;
}

int chan_tick(struct store *s, int64_t now, void *arg)
{
	struct chan_settings st;
	int rc = chan_settings_get(s, &st), done = 0;

	(void)arg;
	if (rc == 0)
		rc = route(s, &st, now);
	if (rc >= 0) {
		done += rc;
		rc = late(s, now);
	}
	if (rc >= 0) {
		done += rc;
		rc = idle(s, &st, now);
	}
	if (rc >= 0) {
		done += rc;
		rc = chan_send_tick(s, now);
	}
	if (rc >= 0)
		done += rc;
	if (done) {
		chan_wake();
		notify_wake();
	}
	return rc < 0 ? rc : done;
}
