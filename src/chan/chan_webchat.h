/*
 * The web chat channel (issue 18, CALL-12, CALL-10): the widget a company
 * embeds on its site (/widget/kefu-chat.js) talks to kefu through public
 * routes under /api/public/chat/{account}/, {account} being the id of a
 * chan_account of channel 'web_chat'.
 *
 * A visitor is a row of chat_visitor (migration 31): a public id (the
 * conversation's peer, "v" and 16 hex digits) and a secret token (32
 * random bytes, only its hash stored) the widget keeps in the site's
 * localStorage and sends as X-Visitor-Token (the stream, which EventSource
 * opens without headers, as ?token=). Each message becomes a conversation
 * message through chan_inbound(); the agent's replies are messages 'out'
 * the visitor's event stream (a kind of the http hub) delivers, with the
 * agent's typing and the conversation's end; the adapter of CHAN_WEB_CHAT
 * "sends" by waking that stream. When no agent is ready for the account's
 * queue, the chat becomes a web message: its deadlines turn same-day
 * (CALL-12) and the visitor is told so.
 *
 * Public means reachable by anyone: bodies are limited before they are
 * read (http.h: HTTP_PUBLIC_BODY_MAX, HTTP_PUBLIC_FILE_MAX), requests are
 * counted per client address and per visitor (429), the Origin must be
 * one the account's config allows (CORS), and bad input writes nothing.
 *
 * Files: chan_webchat.c the rules (no I/O), chan_webchat_store.c the SQL,
 * chan_webchat_api.c the routes, the visitor's stream, typing, the rate
 * limits and the adapter. docs/chan.md, "Web chat", tells the story.
 */
#ifndef KEFU_CHAN_CHAN_WEBCHAT_H
#define KEFU_CHAN_CHAN_WEBCHAT_H

#include <stddef.h>
#include <stdint.h>

#include "chan/chan.h"

struct store;

/* -- Rules (chan_webchat.c) -- */

#define WEBCHAT_VID_LEN 17     /* "v" + 16 hex digits */
#define WEBCHAT_TEXT_MAX 2000  /* characters of one visitor's message */
#define WEBCHAT_NAME_MAX 32    /* characters of the name a visitor gives */
#define WEBCHAT_ORIGINS_MAX 8  /* origins an account allows */
#define WEBCHAT_ORIGIN_MAX 200 /* bytes of one */

/* An account's web chat settings, from its config (JSON text, read by the store). */
struct webchat_config {
	char origins[WEBCHAT_ORIGINS_MAX][WEBCHAT_ORIGIN_MAX + 1];
	int norigins;
	int per_address_min;   /* requests per minute from one address (all routes) */
	int per_visitor_min;   /* messages, files and ratings per minute of one visitor */
	int sessions_per_hour; /* new visitors per hour from one address */
	int queue_timeout_sec; /* a chat no agent took this long becomes a web message */
	char title[65];	       /* the panel's title; "" for the widget's own */
	char welcome[401];     /* the first line the visitor reads; "" for the widget's own */
};

/* Defaults for what the config leaves out. */
void webchat_config_default(struct webchat_config *c);

/*
 * Whether a request's Origin may use the account: an origin the config
 * lists (exactly, scheme://host[:port]), or the server's own (the Host the
 * request was sent to, over either scheme). origin NULL (not a browser, or
 * a same-origin GET) is allowed: CORS guards browsers, and the rate limits
 * guard the rest.
 */
int webchat_origin_ok(const struct webchat_config *c, const char *origin, const char *host);

/* A visitor's public id is "v" and 16 lowercase hex digits. */
int webchat_vid_valid(const char *vid);

/*
 * A token bucket: `per` in each `window_ms`, bursts of `per`. Returns 1 and
 * takes one when there is one, 0 when empty. *tokens and *at (monotonic ms)
 * are the bucket's state; a fresh bucket has *at == 0.
 */
int webchat_bucket_take(double *tokens, int64_t *at, int per, int64_t window_ms, int64_t now_ms);

/* -- Store (chan_webchat_store.c); nothing here begins or commits -- */

struct webchat_account {
	int64_t id;
	int enabled;
	char queue[64];
	struct webchat_config cfg;
};

/* A web_chat account; ERR_NOTFOUND for another channel's or none. */
int webchat_account_get(struct store *s, int64_t id, struct webchat_account *out);

struct webchat_visitor {
	int64_t id;
	int64_t account_id;
	char vid[WEBCHAT_VID_LEN + 1];
	char name[WEBCHAT_NAME_MAX * 4 + 1];
	char phone[24];
	int64_t created_at;
};

int webchat_visitor_insert(struct store *s, struct webchat_visitor *v, const char *token_hash,
			   const char *address, int64_t now);
/* The visitor of a token on an account; ERR_NOTFOUND when none. */
int webchat_visitor_by_token(struct store *s, int64_t account_id, const char *token_hash,
			     struct webchat_visitor *out);
int webchat_visitor_by_id(struct store *s, int64_t id, struct webchat_visitor *out);
int webchat_visitor_update(struct store *s, int64_t id, const char *name, const char *phone,
			   int64_t now);

/* 1 when some agent may take a chat of this queue now ('' any), 0 when none. */
int webchat_agent_available(struct store *s, const char *queue);

/* The visitor's conversation: the open one, else the newest (resolved); ERR_NOTFOUND when none. */
struct webchat_conv {
	int64_t id;
	char state[16];
	int64_t agent_id;
	int rating; /* 0: none yet */
	int web_message;
};
int webchat_conv_of(struct store *s, int64_t account_id, const char *vid, struct webchat_conv *out);

/* Marks a conversation a web message (its deadlines are the core's chan_conv_as_message);
 * 0 also when it was one already. */
int webchat_conv_mark_message(struct store *s, int64_t conv_id, int64_t now);
/* Web chats still waiting for an agent that arrived before `before` and are not web
 * messages yet: (id, account's config queue timeout decided by the caller), at most max. */
int webchat_waiting_ids(struct store *s, int64_t before, int64_t *ids, int64_t *accounts,
			int64_t *created, int max);
/* Web chats that became web messages at or after `since`: (conv id, account, peer). */
typedef int (*webchat_conv_fn)(void *ctx, int64_t conv_id, int64_t account_id, const char *peer);
int webchat_marked_since(struct store *s, int64_t since, webchat_conv_fn fn, void *ctx);
/* Stores the rating once; ERR_CONFLICT when rated already. */
int webchat_conv_rate(struct store *s, int64_t conv_id, int rating);
/* Links the conversation to the customer owning the phone, when there is one and none yet. */
int webchat_conv_link_phone(struct store *s, int64_t conv_id, const char *phone);

/* One message as the visitor's stream sends it. */
struct webchat_msg {
	int64_t id;
	int64_t conv_id;
	int64_t account_id;
	char peer[CHAN_PEER_MAX + 1];
	char direction[8];
	char agent[64];
	int64_t at;
	int nfiles;
	char *body; /* the store's, valid during the row callback */
};
typedef int (*webchat_msg_fn)(void *ctx, const struct webchat_msg *m);

/* The newest message id (the streams' starting point). */
int webchat_msg_last_id(struct store *s, int64_t *out);
/* Messages in and out of every web chat with after < id <= upto (0: no bound), oldest first. */
int webchat_msgs_after(struct store *s, int64_t after, int64_t upto, int limit, webchat_msg_fn fn,
		       void *ctx);
/* The same, of one visitor. */
int webchat_msgs_of(struct store *s, int64_t account_id, const char *vid, int64_t after,
		    int64_t upto, int limit, webchat_msg_fn fn, void *ctx);
/* 1 when the message is one the visitor's stream shows (theirs or an agent's reply in
 * their conversation of the account), 0 when not. */
int webchat_msg_of_visitor(struct store *s, int64_t msg_id, int64_t account_id, const char *vid);
/* The first message id of the visitor's open conversation less one, or the last id. */
int webchat_stream_start(struct store *s, int64_t account_id, const char *vid, int64_t *out);

/* Web chats resolved at or after `since`: (conv id, account, peer). */
int webchat_resolved_since(struct store *s, int64_t since, webchat_conv_fn fn, void *ctx);

/* -- HTTP (chan_webchat_api.c) -- */

/* /api/public/chat/{account}/…, and the agents' typing /api/chat/{conv}/typing. */
extern const struct route chan_webchat_routes[];
/* The adapter of CHAN_WEB_CHAT, registered by cli/serve.c. */
extern const struct chan_adapter chan_webchat_adapter;
/* Wakes the visitors' streams (after a commit that wrote a reply). */
void chan_webchat_wake(void);
/* How often the visitors' streams look for new messages, ms (a test may lower it). */
extern int chan_webchat_poll_ms;
/* The scheduler's tick: chats no agent took within the account's queue_timeout_sec become
 * web messages (CALL-12), and their visitors are told. */
int chan_webchat_tick(struct store *s, int64_t now, void *arg);

#endif
