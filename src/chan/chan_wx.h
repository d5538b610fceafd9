/*
 * chan_wx — WeChat, Weibo and SMS (issue 18; CUST-4, WO-5), the module's
 * private header for chan_wechat*, chan_weibo* and chan_sms* (docs/chan.md,
 * "WeChat, Weibo and SMS").
 *
 * chan_wechat.c and chan_sms.c are pure (no I/O, no SQL): the WeChat
 * signature, the safe mode's AES-256-CBC envelope, the XML of a pushed
 * message, Weibo's signature, the SMS provider's request signature (the
 * shape of Alibaba Cloud SMS), templates, opt-out words and birthdays.
 * chan_sms_store.c holds every statement of these channels (their
 * accounts read, migration 30's templates, opt-out list and sent log,
 * migration 36's notice cursor, WeChat users and media to fetch);
 * chan_wechat_api.c the webhooks of WeChat and Weibo with their adapters
 * and chan_wx_tick (unionids looked up, pictures and voices fetched off the
 * webhooks); chan_sms_api.c the SMS webhook, the adapter, the birthday
 * tick and /api/chan/sms/…; chan_sms_notice.c WO-5's notices by SMS on
 * the orders' events (chan reads wo, never the reverse); chan_hook.c the
 * guard every public webhook passes (size and rate limits).
 */
#ifndef KEFU_CHAN_CHAN_WX_H
#define KEFU_CHAN_CHAN_WX_H

#include <stddef.h>
#include <stdint.h>

#include "chan/chan.h"

struct store;
struct req;
struct route;
struct err_info;

/* -- WeChat (chan_wechat.c, pure) -- */

#define WX_AES_KEY_LEN 43 /* characters of an EncodingAESKey */
#define WX_BODY_MAX 65536 /* bytes of a pushed message; more is refused with 413 */

/* Lower-case hex SHA-1 of the parts sorted by bytes and joined: WeChat's
 * and Weibo's signature. out needs 41 bytes. 0 or ERR_INVALID. */
int wx_sha1_sorted(const char *const *parts, int n, char out[41]);
/* 1 when signature is sha1(sorted token, timestamp, nonce[, encrypt]); encrypt may be NULL. */
int wx_signature_ok(const char *token, const char *timestamp, const char *nonce,
		    const char *encrypt, const char *signature);

/*
 * The safe mode's envelope: AES-256-CBC with key = base64(aes_key + "="),
 * IV = the key's first 16 bytes, PKCS#7 padding to 32; the plaintext is 16
 * random bytes, the message's length (4 bytes, network order), the message,
 * and the appid. wx_decrypt gives the message (malloc'd, NUL-ended) and
 * checks the appid; ERR_INVALID when anything does not fit.
 */
int wx_decrypt(const char *aes_key, const char *appid, const char *b64, char **msg,
	       size_t *msg_len);
/* random16: 16 bytes chosen by the caller (tests fix them). *b64 is malloc'd. */
int wx_encrypt(const char *aes_key, const char *appid, const char *msg, size_t msg_len,
	       const unsigned char random16[16], char **b64);

/* One pushed message, the fields kefu reads (text fields cut at their size). */
struct wx_msg {
	char to[128];	     /* ToUserName: the account */
	char from[128];	     /* FromUserName: the customer's openid */
	int64_t create_time; /* seconds */
	char type[16];	     /* MsgType: text, image, voice, event, … */
	char event[32];	     /* Event: subscribe, unsubscribe, … */
	char msg_id[32];
	char content[CHAN_TEXT_MAX * 3 / 2];
	char pic_url[512];
	char media_id[160];
	char recognition[2048];
	char format[16];	   /* a voice's Format: amr, speex */
	char union_id[128];	   /* UnionId, when WeChat gives it (the account is bound to an open
				      platform) */
	char encrypt[WX_BODY_MAX]; /* the safe mode's <Encrypt> */
};

/* Parses the XML of one message (expat; no DTD, no entities beyond the five). ERR_INVALID. */
int wx_parse(const char *xml, size_t len, struct wx_msg *m);
/* The message's id for dedup: MsgId, or FromUserName + CreateTime for events. */
void wx_ext_id(const struct wx_msg *m, char *out, size_t size);
/* What an agent reads for it ("[图片]", "[语音] " and the voice's recognition, "[关注公众号]"…);
 * "" to ignore. */
void wx_text(const struct wx_msg *m, char *out, size_t size);

/* -- SMS (chan_sms.c, pure) -- */

/* RFC 3986 percent-encoding as Alibaba Cloud's signature wants it (space %20, '~' kept). */
int sms_pct(const char *in, char *out, size_t size);
/*
 * The request signature of Alibaba Cloud's RPC API: the parameters (names
 * and values, n pairs) sorted by name, percent-encoded and joined as a
 * query, then "POST&%2F&" + pct(query), HMAC-SHA1 with secret + "&",
 * base64. out needs 29 bytes.
 */
int sms_sign(const char *const *names, const char *const *values, int n, const char *secret,
	     char *out, size_t size);
/* 1 when text, trimmed, is an opt-out word: TD, T, 退订, N, 取消 (any case). */
int sms_is_optout(const char *text);
/* 1 when birthday ("MM-DD" or "YYYY-MM-DD") falls on month-day; 29 Feb is the 28th in other years.
 */
int sms_birthday_is(const char *birthday, int year, int month, int day);
/* A template's text with ${name} replaced by the value of the same name (n pairs);
 * an unknown name stays as written. ERR_TOOBIG when out is too small. */
int sms_render(const char *tmpl, const char *const *names, const char *const *values, int n,
	       char *out, size_t size);

/*
 * WO-5's notices: the order events kefu texts the customer about by itself
 * when a template names them (docs/chan.md "Notices by SMS").
 */
enum sms_notice {
	SMS_NOTICE_DISPATCHED, /* taken in and sent to its owner */
	SMS_NOTICE_ACCEPTED,   /* the owner took it */
	SMS_NOTICE_DONE,       /* the owner reported it done; the center's callback is due */
	SMS_NOTICE_CALLBACK,   /* a callback did not reach or satisfy: another is scheduled */
	SMS_NOTICE_CLOSED,     /* archived after the callback */
	SMS_NOTICE_COUNT
};
/* "dispatched", "accepted", "done", "callback", "closed"; and back: -1 for none. */
const char *sms_notice_name(enum sms_notice n);
int sms_notice_parse(const char *name);
/* The notice an order event calls for (wo_event's kind, from and to states, and the
 * callback's outcome from its detail; each may be NULL), or -1 for none. */
int sms_notice_of(const char *kind, const char *from, const char *to, const char *outcome);
/* What ${progress} says for a notice. */
const char *sms_notice_progress(enum sms_notice n);
/* 1 when the comma-separated list names event. */
int sms_events_has(const char *list, const char *event);
/* 1 for a mainland mobile number (11 digits from 13): SMS reaches no landline. */
int sms_is_mobile(const char *digits);

/* -- The public webhooks' guard (chan_hook.c) -- */

/* 0, or ERR_TOOBIG over max bytes, or ERR_THROTTLED past the per-address
 * or per-account rate (each a bucket of 30, refilled 10 a second). */
int chan_hook_guard(struct req *r, int64_t account_id, size_t max);

/*
 * One HTTP request to a provider by libcurl (chan_hook.c), with a 10 s
 * timeout: body NULL is a GET. *status is the HTTP status; resp gets the
 * answer (up to 1 MiB). ERR_BUSY for a connection failure or timeout,
 * with the reason in error.
 */
struct buf;
int chan_wx_http(const char *url, const char *body, const char *content_type, long *status,
		 struct buf *resp, char *error, size_t error_size);
/* A GET of up to max bytes within timeout_sec (a customer's picture): 0 on a 200
 * with the body in out and its Content-Type in ctype; else an err and error. */
int chan_wx_fetch(const char *url, size_t max, long timeout_sec, struct buf *out, char *ctype,
		  size_t ctype_size, char *error, size_t error_size);
/* Once at start-up, before threads send. */
void chan_wx_http_init(void);

/* -- Store (chan_sms_store.c) -- */

/* The first enabled account of kind, by id; ERR_NOTFOUND. */
int wx_account_first(struct store *s, enum chan_kind kind, int64_t *id);

/* An account of channel kind: enabled, its config (malloc'd JSON text). ERR_NOTFOUND. */
int wx_account_get(struct store *s, int64_t id, enum chan_kind kind, int *enabled, char **config);

#define SMS_TEXT_MAX 500 /* characters of a template */

struct sms_tmpl {
	char code[32];		/* birthday, callback, progress */
	char provider_code[64]; /* the provider's template code (SMS_123…) */
	char text[600];
	int enabled;
	char events[96]; /* the notices (enum sms_notice's names) it is sent on, comma-separated */
	int64_t updated_at;
};
int sms_tmpl_list(struct store *s, struct sms_tmpl *out, int max);
int sms_tmpl_get(struct store *s, const char *code, struct sms_tmpl *out);
int sms_tmpl_put(struct store *s, const struct sms_tmpl *t, int64_t by, int64_t now);

int sms_optout_has(struct store *s, const char *phone);
/* 1 when added, 0 when it was there. */
int sms_optout_add(struct store *s, const char *phone, const char *source, int64_t by, int64_t now);
int sms_optout_del(struct store *s, const char *phone);
struct sms_optout {
	char phone[32];
	char source[16];
	int64_t at;
};
int sms_optout_list(struct store *s, const char *q, int64_t cursor, int limit,
		    struct sms_optout *out, int64_t *next);

/* The SMS settings: daily cap and the birthday greeting's local minute. */
struct sms_settings {
	int daily_cap;
	int birthday_minute;
	int64_t account_id; /* the account birthday greetings go from (0: the first enabled) */
};
int sms_settings_get(struct store *s, struct sms_settings *out);
int sms_settings_put(struct store *s, const struct sms_settings *in, int64_t by, int64_t now);

/* The sent log: count since a moment; record one; whether kind/key was sent. */
int sms_sent_count(struct store *s, int64_t since, int64_t *n);
int sms_sent_add(struct store *s, int64_t account_id, const char *phone, const char *kind,
		 const char *key, int64_t customer_id, const char *text, const char *status,
		 const char *error, int64_t now);
int sms_sent_has(struct store *s, const char *kind, const char *key);

/* Up to limit customers whose birthday is month-day (either spelling; 02-29 with
 * 02-28), each with a phone (a mobile first), not opted out and not greeted in year. */
struct sms_bday {
	int64_t customer_id;
	char name[128];
	char phone[32];
	char birthday[16];
};
typedef int (*sms_bday_fn)(const struct sms_bday *b, void *arg);
int sms_bday_each(struct store *s, int year, int month, int day, int limit, sms_bday_fn fn,
		  void *arg);

/* WO-5's notices: the cursor over wo_event (every event up to it is handled) and the one
 * event being sent (0: none) since when. */
struct sms_notice_state {
	int64_t cursor, claim, claim_at;
};
int sms_notice_state_get(struct store *s, struct sms_notice_state *out);
/* Moves the cursor and the claim from what was read (cursor, claim) to the new ones:
 * 1 when this call did it, 0 when another node moved them first. */
int sms_notice_move(struct store *s, int64_t cursor, int64_t claim, int64_t new_cursor,
		    int64_t new_claim, int64_t now);
/* An order's event as the notices read it (wo_event, read with chan's own statement). */
struct sms_order_event {
	int64_t id, order_id;
	char kind[48], from[16], to[16], outcome[16];
};
/* The events after id `after`, oldest first, at most max. */
int sms_order_events(struct store *s, int64_t after, struct sms_order_event *out, int max);
/* The customer's first mobile number; ERR_NOTFOUND when they have none. */
int sms_customer_mobile(struct store *s, int64_t customer_id, char *out, size_t size);

/* WeChat's users: an openid seen on an account, with its unionid when known (NULL: look it
 * up by the user-info API). */
int wx_user_seen(struct store *s, int64_t account_id, const char *openid, const char *unionid,
		 int64_t now);
struct wx_user {
	int64_t account_id;
	char openid[128];
	int tries;
};
/* Openids whose unionid is to be looked up at now (fewer than max_tries so far). */
int wx_user_due(struct store *s, int64_t now, int max_tries, struct wx_user *out, int max);
/* A lookup's outcome: the unionid (NULL: none yet), u->tries as tried, when to try again. */
int wx_user_looked_up(struct store *s, const struct wx_user *u, const char *unionid,
		      int64_t next_at, int64_t now);
/* The open conversations of (account, openid) with no customer get customer_id: how many. */
int wx_conv_customer_fill(struct store *s, int64_t account_id, const char *openid,
			  int64_t customer_id);

/* A message's media (a WeChat picture or voice, a Weibo picture) to fetch off the webhook. */
int wx_media_add(struct store *s, int64_t message_id, int64_t account_id, const char *kind,
		 const char *media_id, const char *format, int64_t now);
struct wx_media {
	int64_t id, message_id, account_id, conv_id;
	char kind[8];	    /* image, voice */
	char media_id[160]; /* WeChat's MediaId, Weibo's fid */
	char format[16];    /* a voice's Format */
	int tries;
};
/* Pending media due at now, oldest first. */
int wx_media_due(struct store *s, int64_t now, struct wx_media *out, int max);
/* The outcome of try number `tries`: state pending (tried again at next_at), done or failed
 * (with error); 1 when recorded, 0 when another node recorded that try first. */
int wx_media_set(struct store *s, int64_t id, const char *state, int tries, int64_t next_at,
		 const char *error);
/* A fetched file att would not keep (its type, its size): failed with the reason. */
int wx_media_fail(struct store *s, int64_t id, const char *error);

/* The webhooks and /api/chan/sms/… (chan_wechat_api.c, chan_sms_api.c). */
extern const struct route chan_wx_routes[];
extern const struct route chan_sms_routes[];

/* -- Adapters and ticks (chan_wechat_api.c, chan_sms_api.c) -- */

/*
 * Checks a WeChat, Weibo or SMS account's config (JSON text) before it is
 * stored: the fields each needs (chan_wechat_api.c; docs/chan.md
 * "Accounts"), every wrong field listed with err_add. 0 for other kinds.
 * For the accounts' API (the core's) to call.
 */
int chan_wx_config_check(enum chan_kind kind, const char *config, struct err_info *ei);

/* The SMS adapter (chan_sms_api.c), registered by chan_wx_adapters_add. */
int chan_sms_adapter_add(void);
/* Registers the WeChat, Weibo and SMS adapters (cli/serve.c at start-up). */
int chan_wx_adapters_add(void);
/* The birthday greetings of CUST-4, every round (sent once a day after the setting's minute). */
int chan_sms_birthday_tick(struct store *s, int64_t now, void *arg);
/* What sms_template_send did: asked = 1 when the provider was asked (the checks passed),
 * the rendered text, the provider's BizId or why it failed. */
struct sms_sent_text {
	int asked;
	char text[SMS_TEXT_MAX * 4 + 256];
	char ext[128];
	char error[256];
};
/* The checks of a templated SMS (template on, number not opted out, key not sent
 * under kind, the daily cap, the account enabled), then the provider asked now,
 * outside any transaction; nothing is recorded. A refused check is its error
 * with ei set (out->asked 0); then the provider's answer (ERR_BUSY: try later). */
int sms_template_send(struct store *s, int64_t account_id, const char *phone, const char *tmpl_code,
		      const char *params_json, const char *kind, const char *key, int64_t now,
		      struct err_info *ei, struct sms_sent_text *out);
/* WeChat's unionids looked up by the user-info API and the media of WeChat and Weibo
 * messages fetched through their APIs, a few each round, off the webhooks (chan_wechat_api.c). */
int chan_wx_tick(struct store *s, int64_t now, void *arg);
/* WO-5's notices by SMS (chan_sms_notice.c): the orders' events after the cursor, every round. */
int chan_sms_notice_tick(struct store *s, int64_t now, void *arg);
/* Sends one templated SMS now (outside any transaction): the cap and the opt-out list apply. */
int chan_sms_send_template(struct store *s, int64_t account_id, const char *phone,
			   const char *tmpl_code, const char *params_json, const char *kind,
			   const char *key, int64_t customer_id, int64_t now, struct err_info *ei);

#endif
