/*
 * sip — kefu's SIP side: the registrar for agents' phones, and the guard
 * that keeps the internet's SIP scanners out.
 *
 * What runs where. `kefu serve` starts one SIP thread (sip.c) after the
 * HTTP server, and only when `sip_listen` is set. That thread runs libre's
 * event loop (libre 1.1.0, Debian's; the thread has its own loop state
 * through re_thread_init) with one UDP listener. Nothing else in kefu
 * calls libre, except sip_auth.c's use of its MD5, which is pure. The
 * main thread stops the loop at shutdown through a libre mqueue (a pipe
 * the loop watches), then joins the thread; that happens before the store
 * pool closes.
 *
 * How a datagram travels. A UDP helper registered on the listener's socket
 * sees every datagram before libre parses it: the guard (sip_guard.c)
 * drops it when its source address is banned or over its rate limit;
 * then it is parsed once, and dropped when it is not SIP (or STUN), lacks
 * the headers a reply needs, names a Via maddr (replies must go back to
 * the sender, never to an address the sender chose), or carries a known
 * scanner's User-Agent (which also bans the address). What passes goes
 * through libre's transaction layer to kefu's request handler: REGISTER
 * to the registrar (sip_reg.c), OPTIONS answered 200 (phones' keep-alive),
 * INVITE, ACK, BYE and INFO on to libre's sipsess and the call engine
 * (call.c: the hotline answers and runs the IVR menu, CALL-1), anything
 * else 501. Dropped datagrams get no answer at all.
 *
 * The database. The SIP thread borrows a connection from the store pool
 * (serve opens one more for it) for each REGISTER that carries
 * credentials, runs one short transaction, and gives it back; challenges,
 * OPTIONS and drops never touch the database. A timer purges expired
 * registrations once a minute; every reader ignores expired rows anyway.
 *
 * Who owns what. The SIP thread owns every libre object and the guard's
 * table; no other thread touches them. Credentials (HA1 only, never a
 * password) and registrations are rows (sip_store.c), written by the API
 * (sip_api.c) and the registrar. The nonce key is random per process, so
 * a restart makes every outstanding nonce unknown: phones are simply
 * challenged again.
 *
 * Files: sip.c (thread, listener, dispatch), sip_reg.c (the registrar),
 * sip_auth.c (digest and registration rules, no I/O), sip_guard.c (rate
 * limits, bans, scanners; no I/O), sip_store.c (SQL), sip_api.c (HTTP,
 * also the call log's), call.c (hotline calls: dialog, RTP, prompts),
 * ivr.c (the menu's and the opening hours' rules and the SDP/INFO
 * parsers; no I/O), call_store.c (the call log's SQL), ivr_store.c (the
 * menu tree, the hours, the queues' and the announcements' SQL),
 * ivr_api.c (their HTTP routes, /api/hotline/... and /api/acd/queues),
 * ivr_notice_api.c (the emergency announcements' routes). Calls, their
 * RTP sockets and timers are libre objects of the SIP thread too; each
 * event of a call is one short transaction on a pooled connection.
 */
#ifndef KEFU_SIP_SIP_H
#define KEFU_SIP_SIP_H

#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

struct config;
struct err_info;
struct store;
struct store_pool;

/* -- The SIP thread (sip.c) -- */

/*
 * Starts the SIP thread listening on cfg->sip_listen ("IP:port"; port 0
 * picks a free one) and writes the bound "IP:port" into bound. Returns
 * once the listener is up, or a negative err when it could not start. cfg
 * and pool must outlive sip_stop().
 */
int sip_start(const struct config *cfg, struct store_pool *pool, char *bound, size_t size);
/* Stops the loop and joins the thread; no-op when not started. */
void sip_stop(void);

/* -- Digest authentication (sip_auth.c): rules, no I/O -- */

/*
 * Nonces are stateless: 16 hex digits of the issue time (ms) followed by
 * 32 hex digits of HMAC-SHA-256(key, time ":" realm ":" source address),
 * cut to 128 bits. So a nonce cannot be forged without the key, expires
 * after SIP_NONCE_TTL_MS, and is only good from the address it was sent
 * to: a credential captured on the wire cannot be replayed from elsewhere,
 * and an address that never received a challenge (a spoofed one) cannot
 * produce an authentication failure that counts.
 */
#define SIP_NONCE_LEN 48
#define SIP_NONCE_TTL_MS (5 * 60 * 1000)
#define SIP_NONCE_KEY_LEN 32
#define SIP_HEX_MD5_LEN 32

enum sip_nonce_state {
	SIP_NONCE_OK,
	SIP_NONCE_STALE, /* ours, but older than SIP_NONCE_TTL_MS: challenge with stale=true */
	SIP_NONCE_BAD,	 /* not ours (forged, another process's, another address) */
};

void sip_nonce_key_init(unsigned char key[SIP_NONCE_KEY_LEN]);
void sip_nonce_make(const unsigned char key[SIP_NONCE_KEY_LEN], const char *realm,
		    const char *address, int64_t now, char out[SIP_NONCE_LEN + 1]);
enum sip_nonce_state sip_nonce_check(const unsigned char key[SIP_NONCE_KEY_LEN], const char *realm,
				     const char *address, const char *nonce, int64_t now);

/* HA1 = MD5(user ":" realm ":" password) in lower-case hex: what is stored. */
void sip_ha1(const char *user, const char *realm, const char *password,
	     char out[SIP_HEX_MD5_LEN + 1]);

/* The fields of an Authorization header that the response covers (RFC 2617). */
struct sip_digest {
	const char *method;
	const char *uri;
	const char *nonce;
	const char *response; /* 32 hex digits, as the client sent it */
	const char *qop;      /* "auth", or NULL/"" for RFC 2069 clients */
	const char *nc;
	const char *cnonce;
};

/* The response a client holding ha1 should send. */
void sip_digest_expect(const struct sip_digest *d, const char *ha1, char out[SIP_HEX_MD5_LEN + 1]);
/* 1 when d->response is right for ha1, compared in constant time; else 0.
 * A qop other than "auth", or "auth" without nc and cnonce, is never right. */
int sip_digest_verify(const struct sip_digest *d, const char *ha1);

/* A phone password: SIP_PASSWORD_MIN..SIP_PASSWORD_MAX printable ASCII
 * characters, no spaces (phones' keypads and provisioning files). 0 or
 * ERR_UNPROCESSABLE with a reason. */
#define SIP_PASSWORD_MIN 8
#define SIP_PASSWORD_MAX 64
int sip_password_acceptable(const char *password, const char **why);

/* ORG-3: who may register a phone: active agents and supervisors. */
int sip_may_register(unsigned roles, int active);

/*
 * Registration interval. requested is the Contact's expires parameter or
 * else the Expires header, in seconds; -1 when neither is given. Sets *out
 * to the interval granted: SIP_EXPIRES_DEFAULT for -1, 0 (unregister) for
 * 0, at most SIP_EXPIRES_MAX. Returns ERR_UNPROCESSABLE for 1 ..
 * SIP_EXPIRES_MIN - 1 (the registrar answers 423 Interval Too Brief).
 */
#define SIP_EXPIRES_MIN 60
#define SIP_EXPIRES_MAX 3600
#define SIP_EXPIRES_DEFAULT 3600
int sip_expires_choose(int64_t requested, int64_t *out);

/* Copies text for a log line or audit entry: at most size - 1 bytes of
 * [A-Za-z0-9._@+-]; anything else becomes '?', so what a client sends can
 * never forge a second "from <address>" for fail2ban. */
void sip_log_safe(const char *text, size_t len, char *out, size_t size);

/* -- The guard (sip_guard.c): rate limits, bans, scanners; no I/O -- */

/*
 * Per source address: a token bucket over every datagram (rate_per_sec,
 * burst); an address that keeps sending over its limit (flood_drops drops
 * within window_ms) is banned for ban_ms, and so is one with auth_fails
 * failed authentications within window_ms, one with `probes` INVITEs to
 * numbers other than the hotline within window_ms (enumerating work
 * numbers), and one that sends a scanner's User-Agent. A banned or
 * over-limit address gets no answer at all.
 *
 * The table has a fixed size (SIP_GUARD_SLOTS, set-associative), so a
 * flood from many addresses cannot grow memory; when a set is full the
 * entry that matters least gives way (an idle one before a banned one).
 */
struct sip_guard_limits {
	int rate_per_sec;
	int burst;
	int flood_drops;
	int auth_fails;
	int64_t window_ms;
	int64_t ban_ms;
	int probes; /* INVITEs to numbers that are not the hotline, within window_ms */
};

#define SIP_GUARD_SLOTS 4096
#define SIP_GUARD_WAYS 8
#define SIP_ADDRESS_MAX 64 /* textual IPv4 or IPv6 address, with NUL */

/* kefu's limits: 20 requests/s with bursts of 40; 100 drops, 10 failed
 * authentications or 10 INVITEs to other numbers than the hotline in a
 * minute ban the address for 10 minutes. */
extern const struct sip_guard_limits sip_guard_default_limits;

enum sip_guard_verdict {
	SIP_GUARD_PASS,
	SIP_GUARD_DROP,
	SIP_GUARD_BANNED, /* this datagram just got its address banned (log it once) */
};

struct sip_guard;

int sip_guard_new(struct sip_guard **out, const struct sip_guard_limits *limits);
void sip_guard_free(struct sip_guard *g);
/* Called for every datagram before anything else looks at it. */
enum sip_guard_verdict sip_guard_admit(struct sip_guard *g, const char *address, int64_t now);
/* Counts a failed authentication; 1 when it bans the address, else 0. */
int sip_guard_auth_failed(struct sip_guard *g, const char *address, int64_t now);
/* Counts an INVITE to a number that is not the hotline (someone trying
 * work numbers one after the other); 1 when it bans the address. */
int sip_guard_probe(struct sip_guard *g, const char *address, int64_t now);
/* Bans at once (a scanner); 1 when it was not banned already. */
int sip_guard_ban(struct sip_guard *g, const char *address, int64_t now);
int sip_guard_is_banned(struct sip_guard *g, const char *address, int64_t now);
/* 1 when a User-Agent (len bytes, not NUL-terminated) is a known scanner's. */
int sip_scanner_ua(const char *ua, size_t len);

/* -- Storage (sip_store.c) -- */

/* What the registrar needs to know about a SIP user (a work number, ORG-3). */
struct sip_account {
	int64_t person_id;
	char work_no[33];
	unsigned roles;
	int active;
	char realm[64]; /* of the stored credential; "" when there is none */
	char ha1[SIP_HEX_MD5_LEN + 1];
};

/* ERR_NOTFOUND when nobody has the work number. */
int sip_account_get(struct store *s, const char *work_no, struct sip_account *out);
/* Sets a person's credential (the caller's transaction). */
int sip_credential_set(struct store *s, int64_t person_id, const char *realm, const char *ha1,
		       int64_t now);

/* A phone's binding, as stored; strings are valid during the row callback only. */
struct sip_binding {
	int64_t id;
	int64_t person_id;
	const char *work_no;
	const char *name;
	const char *contact;
	const char *source; /* "udp:IP:port" the REGISTER came from */
	const char *user_agent;
	int64_t registered_at; /* when this contact first registered */
	int64_t expires_at;
};

typedef int (*sip_binding_fn)(void *ctx, const struct sip_binding *b);

/* Adds or refreshes a binding; *created is 1 for a new one. */
int sip_binding_upsert(struct store *s, int64_t person_id, const char *contact, const char *source,
		       const char *user_agent, int64_t now, int64_t expires_at, int *created);
/* Removes one binding (*removed 1 if it existed), or all of a person's. */
int sip_binding_remove(struct store *s, int64_t person_id, const char *contact, int *removed);
int sip_binding_remove_person(struct store *s, int64_t person_id, int *removed);
/* A person's live bindings, oldest first. */
int sip_binding_list_person(struct store *s, int64_t person_id, int64_t now, sip_binding_fn row,
			    void *ctx);
/* Live bindings of people who may register, by id above after_id. */
int sip_binding_list(struct store *s, int64_t now, int64_t after_id, int limit, sip_binding_fn row,
		     void *ctx);
/* Deletes bindings that expired before now; returns how many. */
int sip_binding_purge(struct store *s, int64_t now);

/* Most live bindings (phones) one person may have at once. */
#define SIP_BINDINGS_MAX 5

/* -- The IVR menu (ivr.c): rules of CALL-1, no I/O -- */

/*
 * One caller's walk through the hotline menu (CALL-1): welcome, then the
 * menu, then a digit. The call engine (call.c) plays what an action names,
 * tells the IVR when a prompt has finished, passes on every digit, and
 * calls ivr_tick() at ivr_deadline(); times are milliseconds from any
 * clock, given as `now`.
 *
 * The menu is a tree the manager edits (GET/PUT /api/hotline/menu; rows of
 * ivr_node, migration 6): the root's choices, each a digit 0-9 with one of
 * three actions — queue (play the choice's prompt, the transfer notice,
 * then the call goes to the queue), menu (a sub-menu: play its own menu
 * prompt and wait for one of its choices) or announce_hangup (play the
 * prompt, then hang up). The engine keeps the menu it loaded for the whole
 * call, so an edit applies to calls that arrive afterwards.
 *
 * A digit pressed while a prompt plays interrupts it (barge-in); digits
 * during the last prompt (the transfer notice) are ignored. In a sub-menu
 * '*' goes back up one level and plays that level's menu; at the root '*'
 * plays the root's menu again. 0 on a level that has no choice 0 goes to
 * the agent fall-back (CALL-1: 0 is always a person). Neither is a miss. No
 * digit within IVR_NO_INPUT_MS after a menu, or a digit that is not on it,
 * plays no_input or invalid and then that menu once more; a second miss in
 * the call (misses count per call, not per level, so nobody circles the
 * tree forever) goes to the agent fall-back: the root's choice that queues
 * to "agent", else the first choice that queues anywhere, in tree order.
 * ivr_menu_validate() refuses a menu without one (CALL-1: a caller who
 * cannot use the menu still reaches a person).
 */
#define IVR_NO_INPUT_MS 5000
#define IVR_RETRIES 1	 /* menu repeats after a miss before going to an agent */
#define IVR_NODES_MAX 32 /* choices in the whole tree */
#define IVR_DEPTH_MAX 3	 /* levels: the root's choices are level 1 */
#define IVR_KEY_SIZE 32	 /* prompt keys and queue codes: 1-31 of [a-z0-9_] */
#define IVR_LABEL_MAX 32 /* characters of a choice's label */
#define IVR_LABEL_SIZE (IVR_LABEL_MAX * 4 + 1)

enum ivr_node_action {
	IVR_NODE_QUEUE,		  /* "queue" */
	IVR_NODE_MENU,		  /* "menu": a sub-menu */
	IVR_NODE_ANNOUNCE_HANGUP, /* "announce_hangup" */
};

/* One choice of the menu. */
struct ivr_node {
	int parent; /* index of the sub-menu it is a choice of; -1: the root */
	char digit; /* '0'..'9' */
	enum ivr_node_action action;
	char label[IVR_LABEL_SIZE]; /* for the editor and the call log, e.g. 业务咨询 */
	char queue[IVR_KEY_SIZE];   /* queue only: an acd_queue code; else "" */
	char prompt[IVR_KEY_SIZE];  /* queue: the transfer notice; menu: its own menu;
				     * announce_hangup: the announcement */
};

/* The whole menu. Nodes are in tree order: a sub-menu before its choices,
 * and the choices of one level in the order the editor lists them. */
struct ivr_menu {
	char welcome[IVR_KEY_SIZE]; /* played first */
	char prompt[IVR_KEY_SIZE];  /* the root's menu */
	int n;
	struct ivr_node nodes[IVR_NODES_MAX];
	int64_t version; /* as stored: one more at each save (409 on a stale PUT) */
	int64_t updated_at;
	/* The emergency announcement to play after the welcome and before the
	 * menu (IVR_NOTICE_KEY), "" for none: set by the engine per call, never
	 * stored with the menu. */
	char notice[IVR_KEY_SIZE];
};

/* The CALL-1 menu, also what migration 6 stores: 1 业务咨询 market_consult,
 * 2 业务办理 tech_service, 3 投诉 complaint (prompt transfer), 0 人工服务
 * agent (prompt to_agent); welcome, menu. */
void ivr_menu_default(struct ivr_menu *m);
/* The agent fall-back's index (see above), -1 when the menu has no queue. */
int ivr_menu_fallback(const struct ivr_menu *m);
/* Level of a node: 1 for the root's choices. */
int ivr_node_depth(const struct ivr_menu *m, int i);
/* Where a node is in the editor's JSON, e.g. "nodes[1].children[0]"
 * (index among its siblings at each level), for errors. */
void ivr_node_path(const struct ivr_menu *m, int i, char *out, size_t size);
const char *ivr_node_action_name(enum ivr_node_action a);
/* The action of a name, or -1. */
int ivr_node_action_parse(const char *name);

/* What a menu and the calendar may name: the queues that exist and the
 * prompt keys there are (ivr_prompts_builtin and the WAVs in prompts_dir). */
struct ivr_known {
	const char *const *queues;
	size_t nqueues;
	const char *const *prompts;
	size_t nprompts;
};

/* The prompts the IVR itself plays (etc/prompts.txt), NULL-ended. A menu
 * may also name any other WAV in prompts_dir (a center's own recording). */
extern const char *const ivr_prompts_builtin[];
/* 1 when key is 1-31 characters of [a-z0-9_] (a prompt or queue code). */
int ivr_key_valid(const char *key);

/*
 * A menu as the editor sent it: 0, or ERR_UNPROCESSABLE with the field (a
 * node's path and field, e.g. "nodes[2].children[0].digit") and the reason:
 * no choices; a digit other than 0-9 or used twice on one level; a label
 * empty, not UTF-8 or over IVR_LABEL_MAX characters; a level deeper than
 * IVR_DEPTH_MAX; a sub-menu without choices, or choices under anything
 * else; a queue that does not exist (or one named by a choice that is not
 * a queue); a prompt that is not known; no choice that queues (no agent
 * fall-back).
 */
int ivr_menu_validate(const struct ivr_menu *m, const struct ivr_known *k, struct err_info *ei);

enum ivr_state {
	IVR_WELCOME, /* playing welcome */
	IVR_NOTICE,  /* playing the emergency announcement (menu->notice) */
	IVR_MENU,    /* playing the current level's menu */
	IVR_WAIT,    /* waiting for a digit, until the deadline */
	IVR_RETRY,   /* playing invalid or no_input, then the menu again */
	IVR_LEAVING, /* playing the transfer notice (or the closed notice), then hang up */
	IVR_DONE,    /* nothing more to do: the engine ends the call */
};

struct ivr {
	enum ivr_state state;
	const struct ivr_menu *menu; /* the caller's; must outlive the walk */
	int level;		     /* the sub-menu being offered (node index); -1: the root */
	int misses;
	int64_t deadline;	   /* IVR_WAIT: when no input counts; else 0 */
	char digits[17];	   /* every digit received, in order (the call log's) */
	char route[IVR_KEY_SIZE];  /* the queue chosen, once leaving */
	char notice[IVR_KEY_SIZE]; /* ivr_closed()'s prompt */
};

/* What the engine should do now, and what to write to the call log (the
 * engine logs each digit itself as it arrives). */
struct ivr_action {
	const char *play;  /* prompt key to start (stops any playing); NULL: none */
	int hangup;	   /* end the call (after IVR_LEAVING's prompt) */
	const char *miss;  /* "invalid" or "no_input" when this was a miss; else NULL */
	const char *route; /* the queue chosen, when this action leaves the menu */
};

/* Starts the walk through menu m (which must stay valid until the call ends). */
void ivr_start(struct ivr *v, const struct ivr_menu *m, int64_t now, struct ivr_action *a);
/* Outside the center's hours: only the closed notice (prompt, copied),
 * then hang up; digits are ignored. */
void ivr_closed(struct ivr *v, const char *prompt, int64_t now, struct ivr_action *a);
/* The prompt the engine played has finished. */
void ivr_prompt_done(struct ivr *v, int64_t now, struct ivr_action *a);
/* The caller pressed a key ('0'..'9', '*', '#', 'A'..'D'). */
void ivr_digit(struct ivr *v, char digit, int64_t now, struct ivr_action *a);
/* Time has passed; acts when the deadline is reached. */
void ivr_tick(struct ivr *v, int64_t now, struct ivr_action *a);
/* When ivr_tick() next has something to do; 0 for never. */
int64_t ivr_deadline(const struct ivr *v);
/* Name of a state, for logs. */
const char *ivr_state_name(enum ivr_state s);

/* -- The hotline's opening hours (ivr.c): rules, no I/O -- */

/*
 * When the hotline takes calls, in the center's local time (the time zone
 * installed by clock_tz_set, config `timezone`, like every "same day" in
 * kefu). WFM-1 staffs the center 24 hours in three shifts, so the default
 * is always open; a center may instead set weekly hours, closed days
 * (holidays) and make-up working days (调休) — GET/PUT /api/hotline/hours.
 *
 * At a local date and minute the hotline is open when: always_open is set;
 * else, the date is not a closed day, and a range of its weekday holds the
 * minute. A range is [opens, closes) in minutes of the day; closes may be
 * 1440 (24:00), and a range whose closes is before its opens runs past
 * midnight into the next date (22:00-02:00) — that tail belongs to the day
 * it started on, so it is kept when that day is open and cut at midnight
 * when the next date is a closed day. A make-up working day follows the
 * hours of its as_weekday (Monday unless said otherwise) whatever weekday
 * it falls on. A weekday with no range is closed.
 */
#define HOTLINE_RANGES_MAX 28 /* weekly ranges in all */
#define HOTLINE_DAYS_MAX 400  /* closed days, and make-up days, each */
#define HOTLINE_NAME_MAX 32   /* characters of a day's name, e.g. 国庆节 */
#define HOTLINE_NAME_SIZE (HOTLINE_NAME_MAX * 4 + 1)

struct hotline_range {
	int weekday; /* 1 Monday .. 7 Sunday */
	int opens;   /* minute of the day, 0..1439 */
	int closes;  /* 1..1440; before opens: the range runs past midnight */
};

struct hotline_day {
	int ymd;	/* local date, e.g. 20261001 */
	int as_weekday; /* make-up days: whose hours apply (1..7); closed days: 0 */
	char name[HOTLINE_NAME_SIZE];
};

/* About 110 KiB: allocate it, do not put it on a stack. */
struct hotline_hours {
	int always_open;
	char closed_prompt[IVR_KEY_SIZE]; /* what a caller hears when closed */
	int nweekly, nclosed, nopen;
	struct hotline_range weekly[HOTLINE_RANGES_MAX];
	struct hotline_day closed[HOTLINE_DAYS_MAX];
	struct hotline_day open[HOTLINE_DAYS_MAX]; /* make-up working days */
	int64_t version;
	int64_t updated_at;
};

/* -- Emergency announcements (ivr.c rules, ivr_store.c, ivr_notice_api.c) -- */

/*
 * A notice the manager sets for an outage or a mass SMS campaign (seed 002
 * §4.3, seed 003 第十九条): while now is in [starts_at, ends_at) the
 * hotline plays its audio to every caller after the welcome and before the
 * menu, and the workbench shows its text (the agreed wording, 口径) to
 * every agent. The audio is spoken from the text when the notice is saved
 * (source "text", the build's espeak-ng voice) or uploaded (source
 * "recording"). Several notices may be scheduled and their windows may
 * overlap: at any instant the one that started last is the active one
 * (ties: the newest), so an urgent notice can be put over a long campaign
 * notice and the longer one comes back when the urgent one ends.
 */
#define HOTLINE_NOTICE_TEXT_MAX 500 /* characters */
#define HOTLINE_NOTICE_TEXT_SIZE (HOTLINE_NOTICE_TEXT_MAX * 4 + 1)
#define HOTLINE_NOTICE_MS_MIN 300		  /* shorter audio holds no speech */
#define HOTLINE_NOTICE_MS_MAX 60000		  /* callers must reach the menu */
#define HOTLINE_NOTICE_WAV_MAX (640 * 1024)	  /* bytes of an uploaded WAV */
#define HOTLINE_NOTICE_SPAN_MAX (31LL * 86400000) /* longest window, ms */
#define IVR_NOTICE_KEY "@notice" /* the notice in a playlist: no file can have this key */

struct hotline_notice {
	int64_t id;
	char text[HOTLINE_NOTICE_TEXT_SIZE];
	char source[12]; /* "text" or "recording" */
	int64_t starts_at, ends_at;
	int64_t audio_ms;
	int64_t version;
	int64_t created_by;
	int64_t created_at, updated_at;
};

/* 1 for "text" and "recording". */
int hotline_notice_source_valid(const char *source);
/*
 * 0, or ERR_UNPROCESSABLE with the field: text empty, not UTF-8 or over
 * HOTLINE_NOTICE_TEXT_MAX characters; an unknown source; ends_at not after
 * starts_at, a window longer than HOTLINE_NOTICE_SPAN_MAX; when creating,
 * ends_at not after now (a notice nobody would hear).
 */
int hotline_notice_validate(const struct hotline_notice *n, int64_t now, int creating,
			    struct err_info *ei);
/* 0, or ERR_UNPROCESSABLE at field when audio of ms cannot be played as a
 * notice (under HOTLINE_NOTICE_MS_MIN: no speech; over HOTLINE_NOTICE_MS_MAX). */
int hotline_notice_audio_check(int64_t ms, const char *field, struct err_info *ei);
/* 1 when n is in its window at now. */
int hotline_notice_in_window(const struct hotline_notice *n, int64_t now);

typedef int (*hotline_notice_fn)(void *ctx, const struct hotline_notice *n);
/* Every notice, latest start first; returns how many, or a negative err. */
int hotline_notice_list(struct store *s, hotline_notice_fn row, void *ctx);
/* ERR_NOTFOUND when there is no such notice. */
int hotline_notice_get(struct store *s, int64_t id, struct hotline_notice *n);
/* Stores n (validated) with its WAV; sets n->id, version 1 and the times. */
int hotline_notice_insert(struct store *s, struct hotline_notice *n, const void *wav, size_t len,
			  int64_t now);
/* Writes text, source, window and, when wav is not NULL, the audio and
 * audio_ms; moves the version on (n->version is the new one). */
int hotline_notice_update(struct store *s, struct hotline_notice *n, const void *wav, size_t len,
			  int64_t now);
int hotline_notice_delete(struct store *s, int64_t id);
/* The active notice at now by the rule above, ERR_NOTFOUND when none. */
int hotline_notice_active(struct store *s, int64_t now, struct hotline_notice *n);
/* When the active notice next changes after now (an end or a start); 0: never. */
int hotline_notice_next_change(struct store *s, int64_t now, int64_t *at);
/* The stored WAV of a notice, malloc'd into *wav (the caller frees). */
int hotline_notice_audio(struct store *s, int64_t id, uint8_t **wav, size_t *len);

/* Always open, no ranges or days, closed_prompt out_of_hours: migration 6's. */
void hotline_hours_default(struct hotline_hours *h);
/* 1 when open at local date ymd and minute of the day (0..1439), else 0. */
int hotline_open_at(const struct hotline_hours *h, int ymd, int minute);
/* 1 when open at instant now, in the center's time zone, else 0. */
int hotline_open(const struct hotline_hours *h, int64_t now);
/*
 * 0, or ERR_UNPROCESSABLE with the field ("weekly[2].closes",
 * "closed_days[0].date", "open_days[1].as_weekday", "closed_prompt",
 * "weekly") and the reason: a weekday outside 1-7, a time outside 00:00-24:00
 * or a range that opens when it closes, a date that does not exist, a date
 * listed twice or both closed and make-up, a name over HOTLINE_NAME_MAX
 * characters, an unknown closed prompt, or no range at all while not
 * always open (the hotline would never answer).
 */
int hotline_hours_validate(const struct hotline_hours *h, const struct ivr_known *k,
			   struct err_info *ei);
/* 1 Monday .. 7 Sunday of a date, 0 when it is no date (20260230). */
int hotline_weekday(int ymd);
/* "2026-10-01" to 20261001: 0, or ERR_INVALID when not that shape or no such date. */
int hotline_date_parse(const char *text, int *ymd);
void hotline_date_format(int ymd, char out[11]);
/* "08:30" to 510, "24:00" to 1440: 0, or ERR_INVALID. */
int hotline_time_parse(const char *text, int *minute);
void hotline_time_format(int minute, char out[6]);

/*
 * The parts of an SDP offer (RFC 4566) a call needs: the audio stream's
 * address and port, and the payload types of PCMA, PCMU and
 * telephone-event (-1 when not offered). pref_pt is the first G.711 type
 * in the offer's order (the caller's preference), -1 when there is none.
 */
enum ivr_sdp_dir { IVR_SDP_SENDRECV, IVR_SDP_SENDONLY, IVR_SDP_RECVONLY, IVR_SDP_INACTIVE };

/* dir: the stream's direction attribute; sendonly and inactive from a
 * phone are a hold (RFC 3264 section 8.4), as is the address 0.0.0.0. */
struct ivr_sdp {
	enum ivr_sdp_dir dir;
	char addr[64]; /* the c= address (media level before session level) */
	unsigned port;
	int pcma_pt, pcmu_pt, event_pt;
	int pref_pt;
};

/* ERR_INVALID when there is no audio stream or no connection address. */
int ivr_sdp_parse(const char *sdp, size_t len, struct ivr_sdp *out);

/* The direction of kefu's answer to an offer's (RFC 3264 section 6.1): a
 * sendonly offer (the phone holds the call) is answered recvonly, a
 * recvonly one sendonly, inactive inactive, sendrecv sendrecv. */
enum ivr_sdp_dir ivr_sdp_answer_dir(enum ivr_sdp_dir offer);
/* The attribute's name: "sendrecv", "sendonly", "recvonly", "inactive". */
const char *ivr_sdp_dir_name(enum ivr_sdp_dir d);

/* A SIP INFO body of type application/dtmf-relay ("Signal=5\r\nDuration=160"):
 * the key, or 0 when there is none. */
char ivr_info_digit(const char *body, size_t len);

/* -- The call log (call_store.c): SQL; each function is one statement,
 * the caller holds the transaction -- */

/* A call as stored; strings are valid during the row callback only. */
struct call_row {
	int64_t id;
	const char *sip_call_id;
	const char *caller;
	const char *called;
	int64_t started_at;
	int64_t answered_at;  /* 0: not answered */
	int64_t ended_at;     /* 0: still going */
	const char *ended_by; /* "caller", "kefu"; NULL while going */
	const char *route;    /* the queue chosen; NULL: none */
	const char *digits;
	/* Queue and agent (migration 5); 0 / NULL while not reached. */
	const char *queue;	  /* the queue the call waited in */
	int64_t queued_at;	  /* when it entered the queue */
	int64_t agent_id;	  /* the agent who answered (or was last offered) */
	int64_t connected_at;	  /* when the agent answered */
	const char *outcome;	  /* answered, abandoned, callback, ivr, rejected, closed */
	const char *hangup_first; /* CALL-5: caller, agent or kefu */
	int64_t contact_id;	  /* the contact the answered call became */
	int survey;		  /* CALL-3: 1..5, 0 none */
	const char *recording;	  /* file name under recordings_dir; NULL: none */
	int64_t recording_ms;
	const char *metrics; /* JSON object text (compliance metrics); NULL: none */
	/* call_current_of only: the person's part, "ringing" or "talking". */
	const char *agent_status;
};

struct call_event_row {
	int64_t id;
	int64_t at;
	const char *kind;
	const char *detail; /* JSON text or NULL */
};

typedef int (*call_row_fn)(void *ctx, const struct call_row *c);
typedef int (*call_event_fn)(void *ctx, const struct call_event_row *e);

int call_insert(struct store *s, const char *sip_call_id, const char *caller, const char *called,
		int64_t now, int64_t *id);
int call_set_answered(struct store *s, int64_t id, int64_t now);
int call_set_progress(struct store *s, int64_t id, const char *route, const char *digits);
/* outcome: kept when one was set before (answered, callback). */
int call_set_ended(struct store *s, int64_t id, int64_t now, const char *ended_by,
		   const char *outcome);
int call_set_queued(struct store *s, int64_t id, const char *queue, int64_t now);
/* The agent the call is offered to (connected_at stays NULL until answered). */
int call_set_agent(struct store *s, int64_t id, int64_t agent_id);
int call_set_connected(struct store *s, int64_t id, int64_t agent_id, int64_t now);
int call_set_outcome(struct store *s, int64_t id, const char *outcome);
/* CALL-5: only the first one counts (a later call changes nothing). */
int call_set_hangup_first(struct store *s, int64_t id, const char *who);
int call_set_contact(struct store *s, int64_t id, int64_t contact_id);
/* The call offered to a person (agent_state.call_id), for the screen-pop. */
int call_set_offer(struct store *s, int64_t person_id, int64_t call_id);
/* CALL-10: the end of the conversation on the contact the call became. */
int call_set_contact_ended(struct store *s, int64_t contact_id, int64_t ended_at);
/* CALL-3: the digit on the call and on its contact (contact.satisfaction). */
int call_set_survey(struct store *s, int64_t id, int digit);
int call_set_recording(struct store *s, int64_t id, const char *file, int64_t ms);
/* Merges a JSON object (text) into the call's metrics (json_patch), so
 * the engine and the recording writer each add their own keys. */
int call_merge_metrics(struct store *s, int64_t id, const char *json_object);
/* A queue's settings (acd_queue, ORG-2). */
struct call_queue {
	char code[32];
	char name[64];
	char skill[32]; /* "": any seat */
	char strategy[16];
	int max_wait_sec;
	int announce_sec;
};
/* ERR_NOTFOUND for an unknown code. */
int call_queue_get(struct store *s, const char *code, struct call_queue *out);

/* A ready agent with a live phone: who a waiting call may be offered to. */
struct call_candidate {
	int64_t person_id;
	int64_t ready_since;
	char work_no[33];
	char name[64];
	char contact[256]; /* the phone's most recent registration */
};
/* Ready, active agents with the skill ("" or NULL: any) and a phone
 * registered at now, longest ready first; returns how many (≤ max). */
int call_candidates(struct store *s, const char *skill, int64_t now, struct call_candidate *out,
		    int max);
/* Seat holders with the skill (any when ""/NULL) who are not logged out. */
int call_queue_agents(struct store *s, const char *skill, int *out);
/* Mean talk time of the queue's calls answered since `since`, in ms; 0 when none. */
int call_queue_talk_ms(struct store *s, const char *queue, int64_t since, int64_t *out);
/* The call a person talks on, or rings for (by its offer: ring-all offers one
 * call to several); ERR_NOTFOUND. */
int call_current_of(struct store *s, int64_t person_id, call_row_fn row, void *ctx);
/*
 * At start: calls left open by a process that stopped without ending them
 * (killed, power lost) are closed at now (ended_by kefu, outcome by how
 * far they got, an "ended" event with reason "restart"); returns how many.
 * The SIP node owns the calls: one node runs the hotline.
 */
int call_close_open(struct store *s, int64_t now);
/* Agents the system holds (ringing, talking) when no call can be theirs:
 * their ids, at most max. */
int call_held_agents(struct store *s, int64_t *ids, int max);
/* detail: JSON text or NULL. */
int call_event_add(struct store *s, int64_t call_id, int64_t now, const char *kind,
		   const char *detail);
/* Which calls a list gives; zero and NULL fields do not filter. */
struct call_filter {
	int64_t before_id;   /* ids below it (the page cursor) */
	int64_t from, to;    /* started_at >= from, < to */
	const char *queue;   /* the queue the caller waited in */
	const char *outcome; /* answered, abandoned, … */
	int64_t agent_id;    /* the agent offered the call last */
	const char *number;  /* the caller's whole number, or its last 4 digits */
};
/* Calls newest first that pass f (NULL: all); returns how many rows were
 * given, or a negative err. */
int call_list(struct store *s, const struct call_filter *f, int limit, call_row_fn row, void *ctx);
/* One call (ERR_NOTFOUND) and its events, oldest first. */
int call_get(struct store *s, int64_t id, call_row_fn row, void *ctx);
int call_event_list(struct store *s, int64_t call_id, call_event_fn row, void *ctx);

/* -- The hotline's settings (ivr_store.c): SQL; nothing here begins or
 * commits, the caller holds the transaction -- */

/* The menu as stored (ivr_node, hotline_setting). */
int ivr_menu_load(struct store *s, struct ivr_menu *m);
/* Replaces the stored menu with m (already validated) and moves the
 * version on; *version is the new one. */
int ivr_menu_save(struct store *s, const struct ivr_menu *m, int64_t now, int64_t *version);
/* The calendar as stored (hotline_hours, hotline_closed_day,
 * hotline_open_day, hotline_setting). */
int hotline_hours_load(struct store *s, struct hotline_hours *h);
int hotline_hours_save(struct store *s, const struct hotline_hours *h, int64_t now,
		       int64_t *version);

/*
 * What the call engine needs when a call arrives, in one read: the menu
 * into *m, whether the hotline is open at now (*open) and, when closed,
 * the prompt to play (closed_prompt). A stored menu without an agent
 * fall-back (edited by hand) is replaced by ivr_menu_default().
 */
int hotline_call_setup(struct store *s, int64_t now, struct ivr_menu *m, int *open,
		       char closed_prompt[IVR_KEY_SIZE]);

/* A queue (acd_queue, migration 5): one per skill (ORG-2); skill "" is any seat. */
#define HOTLINE_QUEUE_NAME_MAX 32 /* characters */
#define HOTLINE_WAIT_MIN 10	  /* max_wait_sec bounds (the table's CHECK) */
#define HOTLINE_WAIT_MAX 3600
#define HOTLINE_ANNOUNCE_MAX 600 /* announce_sec: 0 (never) .. 600 */

struct hotline_queue {
	char code[IVR_KEY_SIZE];
	char name[HOTLINE_QUEUE_NAME_MAX * 4 + 1];
	char skill[33];	   /* a skill code; "" for any seat */
	char strategy[16]; /* longest_idle (default), round_robin, ring_all */
	int max_wait_sec;  /* then the caller is offered a callback */
	int announce_sec;  /* position and expected wait every so often; 0: never */
	int64_t updated_at;
};

/* 1 for longest_idle, round_robin and ring_all. */
int hotline_strategy_valid(const char *name);
/* 0, or ERR_UNPROCESSABLE with the field: an empty or too long name, an
 * unknown strategy, max_wait_sec or announce_sec out of bounds. (Whether
 * the skill exists is the caller's question to org.) */
int hotline_queue_validate(const struct hotline_queue *q, struct err_info *ei);

typedef int (*hotline_queue_fn)(void *ctx, const struct hotline_queue *q);
/* Every queue by code; returns how many, or a negative err. */
int hotline_queue_list(struct store *s, hotline_queue_fn row, void *ctx);
/* ERR_NOTFOUND when there is no such queue. */
int hotline_queue_get(struct store *s, const char *code, struct hotline_queue *q);
/* Writes name, skill, strategy, max_wait_sec and announce_sec of q->code. */
int hotline_queue_update(struct store *s, const struct hotline_queue *q, int64_t now);

/* -- The call engine (call.c), on the SIP thread -- */

#define CALL_PTIME_MS 20

/* The module's routes (sip_api.c, ivr_api.c, ivr_notice_api.c), each ended by a
 * route with method NULL. */
extern const struct route sip_routes[];
extern const struct route hotline_routes[];
extern const struct route hotline_notice_routes[];

#endif
