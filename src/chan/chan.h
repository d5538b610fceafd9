/*
 * chan — every channel in one inbox (issue 18; CALL-10, CALL-12, CALL-13,
 * CUST-4, WO-5): email, web chat, WeChat, Weibo, SMS and web messages
 * arrive by themselves, wait in queues with their own deadlines, are
 * answered from the workbench and end as contacts, like calls.
 *
 * A conversation (conv, migration 28) is the exchange with one customer
 * on one channel account: an email thread, a chat, a WeChat dialogue. A
 * channel turns what it received into a struct chan_inbound and hands it
 * to chan_inbound() inside its own transaction: kefu finds the open
 * conversation of the same peer on the same account (for email also the
 * thread, by In-Reply-To and References), or opens a new one; matches
 * the customer by the peer's address (email, WeChat, Weibo, phone); sets
 * the first-reply and resolution deadlines of CALL-12 (chat in seconds,
 * email within 8 hours, web messages and SMS the same day, all settings);
 * and stores the message once (ext_id, the channel's own id, is unique
 * per account, so a webhook delivered twice is stored once).
 *
 * The scheduler's tick routes each new conversation to a ready agent with
 * the account's queue skill and room under the chat capacity, marks late
 * ones once and tells the agent and the supervisors, closes idle chats,
 * and sends what agents wrote: a reply is a queued message written in the
 * agent's request, and the tick hands it to its channel's adapter (struct
 * chan_adapter, one per channel, registered at start-up), which sends it
 * by SMTP, the WeChat or Weibo API, the SMS provider, or (web chat) leaves
 * it for the visitor's event stream. Resolving a conversation writes its
 * contact (CALL-10) with class and summary.
 *
 * Files: chan.c the rules (no I/O: states, deadlines, routing's choice),
 * chan_store.c the SQL, chan_engine.c chan_inbound, replies, routing and
 * resolving inside the caller's transaction, chan_tick.c the tick and the
 * send queue, chan_api.c /api/conversations* and /api/chan/...; each channel
 * has its own files (chan_webchat*, chan_mail*, chan_wechat*, chan_sms*).
 * docs/chan.md tells the whole story.
 */
#ifndef KEFU_CHAN_CHAN_H
#define KEFU_CHAN_CHAN_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "http/http.h"

struct store;

/* -- The shared interface: what every channel uses -- */

#define CHAN_PEER_MAX 254    /* bytes of a peer's address (an email address is the longest) */
#define CHAN_NAME_MAX 64     /* characters of a peer's display name */
#define CHAN_SUBJECT_MAX 200 /* characters of a subject */
#define CHAN_TEXT_MAX 20000  /* characters of one message's text */
#define CHAN_EXT_ID_MAX 255  /* bytes of a channel's message id (RFC 5322 Message-ID) */

/* The channels, as stored in chan_account.channel and conv.channel. */
enum chan_kind { CHAN_EMAIL, CHAN_WEB_CHAT, CHAN_WECHAT, CHAN_WEIBO, CHAN_SMS, CHAN_KIND_COUNT };

/* "email", "web_chat", "wechat", "weibo", "sms"; and back: -1 for none. */
const char *chan_kind_name(enum chan_kind k);
int chan_kind_parse(const char *name);

/* One file received with a message; the bytes belong to the caller. */
struct chan_file {
	const char *name; /* as the sender named it, UTF-8 */
	const char *type; /* as declared; att sniffs the real type */
	const void *data;
	size_t size;
};

#define CHAN_FILES_MAX 16

/*
 * What a channel received, in UTF-8 (channels convert GB2312, GBK, Big5
 * first). Pointers belong to the caller and need only live through the
 * call. Only account_id, peer and one of text, html or a file are
 * required.
 */
struct chan_inbound {
	int64_t account_id;
	const char *peer;      /* the customer's address on the channel */
	const char *peer_name; /* a display name, or NULL */
	const char *subject;   /* email: the subject; else NULL */
	const char *text;      /* the plain text, or NULL */
	const char *html;      /* email: the HTML part as received (sanitised by chan), or NULL */
	const char *ext_id;    /* the channel's id of the message, or NULL */
	const char *in_reply_to; /* email: In-Reply-To, or NULL */
	const char *references;	 /* email: References (ids separated by spaces), or NULL */
	int64_t at;		 /* when sent, by the channel's clock; 0: now */
	struct chan_file files[CHAN_FILES_MAX];
	int nfiles;
};

/* What chan_inbound did. */
struct chan_inbound_result {
	int64_t conv_id;
	int64_t msg_id;
	int is_new_conv; /* 1: a conversation was opened for it */
	int duplicate;	 /* 1: ext_id was stored before; nothing was written */
};

/*
 * Stores a message from a customer inside the caller's transaction, as
 * the header's opening tells. ERR_NOTFOUND for an unknown or disabled
 * account, ERR_UNPROCESSABLE (with err_info naming the field) for text
 * over CHAN_TEXT_MAX or a message with nothing in it. The caller commits,
 * then calls chan_wake().
 */
int chan_inbound(struct store *s, const struct chan_inbound *in, int64_t now,
		 struct chan_inbound_result *out, struct err_info *ei);

/* After a commit that changed conversations: the inbox streams and the tick look again. */
void chan_wake(void);

/* One message an agent wrote, as its adapter is given it. */
struct chan_outbound {
	int64_t msg_id;
	int64_t conv_id;
	const char *peer;
	const char *peer_name;
	const char *subject;	 /* email: "Re: " and the conversation's subject */
	const char *text;
	const char *in_reply_to; /* email: the last message's id from the customer, or NULL */
	const char *references;	 /* email: the thread's ids, or NULL */
	const char *config;	 /* the account's config, JSON text */
	struct chan_file files[CHAN_FILES_MAX];
	int nfiles;
};

/*
 * A channel's sending half, registered once at start-up (cli/serve.c).
 * send() runs on the scheduler's thread, outside any transaction, and may
 * block up to its own timeout (10 s at most): 0 with ext_id filled (the
 * channel's id of the sent message, or "") when it went; a negative err
 * with a short reason in `error` (kept on the message) when it did not.
 * ERR_BUSY means try again later (a timeout, the provider busy); anything
 * else fails the message at once.
 */
struct chan_adapter {
	enum chan_kind kind;
	int (*send)(const struct chan_outbound *m, char *ext_id, size_t ext_size, char *error,
		    size_t error_size);
};

int chan_adapter_add(const struct chan_adapter *a);

#endif
