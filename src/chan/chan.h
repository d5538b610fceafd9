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
 * send queue, chan_api.c /api/conversations… and /api/chan/…; each channel
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
	const char *peer_union; /* WeChat: the unionid (one person on every account), or NULL */
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
	int64_t account_id; /* whose config this is (email notes its Sent copy by it) */
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

/* -- Rules (chan.c; no I/O) -- */

#define CHAN_ACCOUNT_NAME_MAX 64 /* characters of an account's name */
#define CHAN_CONFIG_MAX 8192	 /* bytes of an account's config JSON */
#define CHAN_QUEUE_SIZE 33	 /* an acd queue code and its NUL */
#define CHAN_SEND_TRIES 3	 /* a message the channel is busy for fails after this many */

enum chan_state { CHAN_NEW, CHAN_OPEN, CHAN_WAITING, CHAN_RESOLVED, CHAN_STATE_COUNT };
/* "new", "open", "waiting", "resolved"; and back: -1 for none. */
const char *chan_state_name(enum chan_state st);
int chan_state_parse(const char *name);
/* 1 when a conversation may go from one state to the other: new → open (an
 * agent has it), open ⇄ waiting, any but resolved → resolved. */
int chan_state_allowed(enum chan_state from, enum chan_state to);

/* The one row of chan_settings (migration 28), as docs/chan.md tells. */
struct chan_settings {
	int chat_capacity;	  /* chats one agent holds at once */
	int chat_first_reply_sec; /* CALL-12: a chat is answered within this */
	int email_reply_min;	  /* CALL-12: an email within this */
	int message_same_day;	  /* CALL-12: web messages, SMS, WeChat, Weibo the same local day */
	int message_cutoff_min;	  /* local minute after which "the same day" is the next day */
	int chat_while_on_call;	  /* an agent talking on the phone still gets chats */
	int chat_idle_close_min;  /* a chat silent this long after the agent's reply is resolved */
	int64_t updated_by, updated_at;
};
/* 0 when every field is in range, else ERR_UNPROCESSABLE with each field added. */
int chan_settings_check(const struct chan_settings *st, struct err_info *ei);

/* 1 for the live channels that count against chat_capacity (web chat, WeChat, Weibo). */
int chan_kind_live(enum chan_kind k);

/* The CALL-12 deadlines of a conversation opened at now (ms; the center's zone). */
struct chan_due {
	int64_t first_reply_due;
	int64_t resolve_due;
};
void chan_due_compute(enum chan_kind k, const struct chan_settings *st, int64_t now,
		      struct chan_due *out);
/* "The same day" of a message that came at now: the end of its local day
 * when before the cutoff (and message_same_day), else the next day's end. */
int64_t chan_same_day_due(const struct chan_settings *st, int64_t now);

/* An agent the router may give a conversation to. */
struct chan_candidate {
	int64_t person_id;
	int64_t idle_since; /* when the agent's status began (acd's since): longest idle first */
	int live;	    /* open live conversations (chats) the agent holds */
	int other;	    /* open email, SMS and message conversations */
};
/* The index of the agent to give a conversation of kind k, or -1: the one
 * holding the fewest open ones of its sort (chats for a live channel, the
 * others for email, SMS and messages), then the longest idle, then by id;
 * for a live one only those under capacity. */
int chan_route_pick(enum chan_kind k, const struct chan_candidate *c, int n, int capacity);

/* Who may read (act = 0) or act on (act = 1) a conversation: its agent;
 * supervisors (supervise) any; readers of every queue (all) read any; an
 * agent reads and takes a waiting one of a queue they serve (in_queue) while
 * it is new. */
int chan_may(int act, int64_t who, int supervise, int all, int64_t agent_id, int state_new,
	     int in_queue);

/* HTML of an email to plain text (tags stripped, script and style dropped,
 * entities decoded, blocks as line breaks), appended to out. */
struct buf;
int chan_html_text(const char *html, struct buf *out);
/* HTML of an email reduced to what is safe to show: a small allowlist of
 * tags, no attributes but href (http, https, mailto) on <a>, no remote
 * content, script and style dropped; appended to out. */
int chan_html_clean(const char *html, struct buf *out);

/* -- Storage (chan_store.c). Nothing here begins or commits. -- */

int chan_settings_get(struct store *s, struct chan_settings *out);
int chan_settings_put(struct store *s, const struct chan_settings *st);

struct chan_account {
	int64_t id;
	char channel[16];
	char name[CHAN_ACCOUNT_NAME_MAX * 4 + 1];
	int enabled;
	char config[CHAN_CONFIG_MAX + 1];
	char queue[CHAN_QUEUE_SIZE];
	int64_t created_at, updated_at;
};
int chan_account_get(struct store *s, int64_t id, struct chan_account *out);
int chan_account_insert(struct store *s, struct chan_account *a);
int chan_account_save(struct store *s, const struct chan_account *a);
/* ERR_CONFLICT when it has conversations (disable it instead). */
int chan_account_delete(struct store *s, int64_t id);
/* By id; channel NULL: any. */
int chan_account_list(struct store *s, const char *channel,
		      int (*row)(void *ctx, const struct chan_account *a), void *ctx);

struct chan_conv {
	int64_t id;
	char channel[16];
	int64_t account_id, customer_id;
	char peer[CHAN_PEER_MAX + 1];
	char peer_name[CHAN_NAME_MAX * 4 + 1];
	char subject[CHAN_SUBJECT_MAX * 4 + 1];
	char state[12];
	char queue[CHAN_QUEUE_SIZE];
	int64_t agent_id, created_at, last_in_at, last_out_at, first_reply_due, first_reply_at,
		resolve_due, resolved_at;
	int breached;
	int64_t contact_id, order_id;
	int rating, unread;
};
int chan_conv_get(struct store *s, int64_t id, struct chan_conv *out);
/* The open (not resolved) conversation of (account, peer): ERR_NOTFOUND when none. */
int chan_conv_open_for(struct store *s, int64_t account_id, const char *peer,
		       struct chan_conv *out);
/* The open conversation of (account, peer), else its newest resolved one: ERR_NOTFOUND. */
int chan_conv_latest_for(struct store *s, int64_t account_id, const char *peer,
			 struct chan_conv *out);
int chan_conv_insert(struct store *s, struct chan_conv *c);
/* Writes every field that changes after the insert. */
int chan_conv_save(struct store *s, const struct chan_conv *c);

struct chan_conv_filter {
	const char *state;   /* NULL: any; "active": not resolved */
	const char *channel; /* NULL: any */
	const char *queue;   /* NULL: any */
	int64_t agent_id;    /* 0: any */
	int64_t customer_id; /* 0: any */
	/* Agents' view: their own, and new ones of the queues they serve (0: everything). */
	int64_t visible_to;
	const char *q;	   /* full text over the messages (an fts5 phrase), NULL: none */
	const char *q_raw; /* with q: the words as typed, also matched in the peer and its name */
	int64_t before_id;
	int limit;
};
/* Newest first. */
int chan_conv_list(struct store *s, const struct chan_conv_filter *f,
		   int (*row)(void *ctx, const struct chan_conv *c), void *ctx);
/* 1 when person serves the queue (has its skill, or the queue is any seat's), else 0. */
int chan_queue_served(struct store *s, const char *queue, int64_t person_id);

/* A message as stored; strings valid during the row callback only (or owned by the caller). */
struct chan_msg {
	int64_t id, conv_id, account_id;
	const char *direction; /* in, out, note, event */
	int64_t author_id;
	const char *body, *html, *ext_id, *in_reply_to, *status, *error;
	int tries;
	int64_t at;
};
/* Inserts m (id set) and indexes its body; ERR_CONFLICT when ext_id is stored for the account. */
int chan_msg_insert(struct store *s, struct chan_msg *m);
/* The conversation and message of an ext_id already stored: ERR_NOTFOUND when none. */
int chan_msg_find_ext(struct store *s, int64_t account_id, const char *ext_id, int64_t *conv_id,
		      int64_t *msg_id);
int chan_msg_list(struct store *s, int64_t conv_id, int64_t after_id, int limit,
		  int (*row)(void *ctx, const struct chan_msg *m), void *ctx);
/* Queued messages out, oldest first, at most max ids. */
int chan_msg_queued(struct store *s, int64_t *out, int max);
/* The conversation of message id, and how often it was tried: ERR_NOTFOUND when no such
 * message (with `queued`, when it is not waiting to be sent any more). */
int chan_msg_conv(struct store *s, int64_t id, int queued, int64_t *conv_id, int64_t *tries);
/* A delivery report on a message out, found by the channel's id: kept as it is when
 * delivered, marked failed with error when not; ERR_NOTFOUND when there is none. */
int chan_msg_delivery(struct store *s, int64_t account_id, const char *ext_id, int delivered,
		      const char *error);
/* How many live chats (web chat, WeChat, Weibo, not resolved) the agent holds. */
int chan_live_count(struct store *s, int64_t agent_id, int64_t *out);
/* The send outcome of a message: status, the channel's id, error, tries. */
int chan_msg_sent(struct store *s, int64_t id, const char *status, const char *ext_id,
		  const char *error, int tries);

/* The customer a peer names: email, WeChat, Weibo or phone; 0 with *id, or ERR_NOTFOUND. */
int chan_customer_match(struct store *s, enum chan_kind k, const char *peer, int64_t *id);

/* The customer of a WeChat unionid (one person across the center's WeChat accounts): the one
 * whose wechat is the unionid or an openid of it (migration 36's wx_user), else the customer
 * of a conversation with such an openid; 0 with *id, or ERR_NOTFOUND. */
int chan_customer_match_union(struct store *s, const char *unionid, int64_t *id);

/* Routing's inputs. */
int chan_conv_new_ids(struct store *s, int64_t *out, int max);
/* Agents who may be given a conversation of queue (acd status ready, or talking when
 * on_call), with their open counts; at most max. */
int chan_candidates(struct store *s, const char *queue, int on_call, struct chan_candidate *out,
		    int max);
/* Conversations not resolved whose first reply (bit 1) or resolution (bit 2) is late at now
 * and not yet marked, at most max. */
int chan_conv_late_ids(struct store *s, int64_t now, int64_t *out, int max);
/* Live chats whose customer has been silent since the agent's last reply before `before`. */
int chan_conv_idle_ids(struct store *s, int64_t before, int64_t *out, int max);

/* The agent's live chats that go back to the queue when the seat logs out (web chat,
 * WeChat, Weibo; not web messages), open or waiting, at most max. */
int chan_conv_requeue_ids(struct store *s, int64_t agent_id, int64_t *out, int max);
/* Sets the order of the conversation whose contact is contact_id (when it has none yet):
 * 0 with *conv_id, or ERR_NOTFOUND. */
int chan_conv_order_link(struct store *s, int64_t contact_id, int64_t order_id, int64_t *conv_id);

/* The inbox stream: conversations with messages after after_id (visible_to as in the filter,
 * 0: all), each once with its newest message id, oldest first, at most limit. */
int chan_changes(struct store *s, int64_t after_id, int64_t visible_to, int limit,
		 int (*row)(void *ctx, int64_t conv_id, int64_t msg_id), void *ctx);
int chan_msg_last_id(struct store *s, int64_t *out);
/* 1 when an acd queue of that code exists, 0 when not. */
int chan_queue_exists(struct store *s, const char *code);
/* 1 when the person may hold conversations (active, a seat's role), 0 when not. */
int chan_person_active(struct store *s, int64_t id);
/* "name work_no" of a person for event lines ("#id" when there is none). */
int chan_person_label(struct store *s, int64_t id, char *out, size_t size);
/* Waiting (new) conversations per channel and queue, with the oldest's arrival. */
struct chan_queue_count {
	const char *channel, *queue;
	int waiting, open;
	int64_t oldest_at;
};
int chan_queue_counts(struct store *s, int (*row)(void *ctx, const struct chan_queue_count *q),
		      void *ctx);

/* -- The engine (chan_engine.c): in the caller's transaction -- */

/* Where chan_inbound keeps customers' files (att's directory, owner "message") and the
 * largest it takes, set once at start-up (cli/serve.c). Without it files are not kept. */
void chan_files_setup(const char *dir, int64_t max_bytes);

/* A file fetched after its message was stored (a WeChat picture or voice, off the webhook),
 * kept as chan_inbound keeps files; *refused says why it was not (NULL: kept). */
int chan_msg_file_add(struct store *s, int64_t msg_id, const struct chan_file *f, int64_t now,
		      const char **refused);

struct audit_actor;
/* An agent's text ("out", queued for the channel) or internal note ("note"). */
int chan_reply(struct store *s, const struct audit_actor *who, struct chan_conv *c,
	       const char *text, int note, int64_t now, int64_t *msg_id, struct err_info *ei);
/* A message kefu sent by itself (a WO-5 notice by SMS), already sent with the channel's id
 * ext_id, kept as a message out of the open conversation of (account, peer), else of its
 * newest (which stays resolved), else of a new one opened resolved (customer_id when the
 * peer matches none); a conversation linked to no order is linked to order_id (0: none). */
int chan_outbound_record(struct store *s, int64_t account_id, const char *peer, int64_t customer_id,
			 int64_t order_id, const char *text, const char *ext_id, int64_t now,
			 int64_t *msg_id);
/* A system line in the conversation ("event"). */
int chan_event(struct store *s, int64_t conv_id, int64_t account_id, const char *text, int64_t now);
/* Gives c to agent_id (0: back to the queue, optionally another queue), with its event line,
 * the agent's notice and an audit entry. */
int chan_assign(struct store *s, const struct audit_actor *who, struct chan_conv *c,
		int64_t agent_id, const char *queue, int64_t now);
/* Resolves c: its CALL-10 contact (class "A".."F" or "", summary, and the 5W1H of fivew's
 * fivew when fivew is not NULL) by agent_id (the conversation's agent, else who), the event
 * line and the audit entry. */
struct cust_contact;
int chan_resolve(struct store *s, const struct audit_actor *who, struct chan_conv *c,
		 int64_t agent_id, const char *cls, const char *summary,
		 const struct cust_contact *fivew, int64_t now, struct err_info *ei);
/*
 * The seat of person_id went logged out (acd's logout hook, cli/serve.c): their live chats
 * (chan_conv_requeue_ids) go back to their queue, new and unassigned, each with the event line
 * of why and the audit entry chan.requeue, for the tick to route again. Emails, SMS and web
 * messages stay theirs (docs/chan.md tells why). In the caller's transaction.
 */
int chan_agent_logged_out(struct store *s, int64_t person_id, int64_t now);
/*
 * An order was made from contact_id (wo's creation hook, cli/serve.c): the conversation that
 * contact resolved gets the order's id and the event line naming its number. 0 also when no
 * conversation has that contact.
 */
int chan_order_made(struct store *s, int64_t order_id, const char *number, int64_t contact_id,
		    int64_t now);
/* A live chat nobody could take becomes a web message (the web chat decides when): its first
 * reply is due "the same day" (CALL-12) instead of in seconds, with an event line. */
int chan_conv_as_message(struct store *s, int64_t conv_id, int64_t now);
/* A channel's delivery report on a message it sent (SMS, WeChat): not delivered marks it
 * failed with the reason. ERR_NOTFOUND when no message out of the account has that ext_id. */
int chan_msg_report(struct store *s, int64_t account_id, const char *ext_id, int delivered,
		    const char *error);
/* Where the send queue reads agents' files from (att's directory), set at start-up. */
void chan_send_files_dir(const char *dir);
/* Sends the queued messages through their adapters (the scheduler's thread). */
int chan_send_tick(struct store *s, int64_t now);

/* The scheduler's tick (chan_tick.c): routing, breaches, idle chats, sending. */
int chan_tick(struct store *s, int64_t now, void *arg);

/* The routes of /api/conversations and /api/chan (chan_api.c), ended by method NULL. */
extern const struct route chan_routes[];

#endif
