/*
 * sip — kefu's SIP signalling: the registrar for agents' phones, the guard
 * that keeps the internet's SIP scanners out, and the parsers of the SIP
 * bodies a call needs (SDP, dtmf-relay INFO). What a call does once it has
 * come in — answer, IVR, queue, bridge — is the call engine's (src/call/,
 * call.h), which sits above this module and runs on its thread.
 *
 * What runs where. `kefu serve` starts one SIP thread (sip.c) after the
 * HTTP server, and only when `sip_listen` is set. That thread runs libre's
 * event loop (libre 1.1.0, Debian's; the thread has its own loop state
 * through re_thread_init) with one UDP listener. Nothing else in kefu
 * calls libre, except sip_auth.c's use of its MD5, which is pure, and the
 * call engine, which runs on this thread. The main thread stops the loop
 * at shutdown through a libre mqueue (a pipe the loop watches), then joins
 * the thread; that happens before the store pool closes.
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
 * INVITE, ACK, BYE, INFO and REFER on to libre's sipsess, which belongs to
 * the call engine, anything else 501. Dropped datagrams get no answer at
 * all.
 *
 * The call engine. sip knows nothing of calls: sip_start() is given the
 * engine's start and stop (struct sip_calls; cli/serve.c passes the call
 * engine's), and the thread calls them once the listener is up and before
 * the SIP stack closes. The engine reaches the thread's state (the libre
 * stack, the listener's address, the pool, the guard's helpers and the
 * digest check) through sip_server.h, the header for code that runs on
 * the SIP thread.
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
 * limits, bans, scanners; no I/O), sip_sdp.c (the SDP and INFO parsers; no
 * I/O), sip_store.c (SQL), sip_api.c (HTTP: phone passwords and the
 * registrations list), sip_server.h (the SIP thread's state).
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
 * What runs calls (the call engine, src/call). The thread calls start once
 * the listener is up (a negative err and sip_start fails) and stop before
 * the SIP stack closes, both on the SIP thread; start sets up libre's
 * sipsess, which takes the INVITEs, ACKs, BYEs, INFOs and REFERs.
 */
struct sip_server;
struct sip_calls {
	int (*start)(struct sip_server *srv);
	void (*stop)(void);
};

/*
 * Starts the SIP thread listening on cfg->sip_listen ("IP:port"; port 0
 * picks a free one) with calls (which must outlive sip_stop()) and writes
 * the bound "IP:port" into bound. Returns once the listener is up, or a
 * negative err when it could not start. cfg and pool must outlive
 * sip_stop().
 */
int sip_start(const struct config *cfg, struct store_pool *pool, const struct sip_calls *calls,
	      char *bound, size_t size);
/* Stops the loop and joins the thread; no-op when not started. */
void sip_stop(void);
/*
 * Readiness (issue 22): milliseconds since the SIP thread's loop last
 * turned (a timer beats every 250 ms), or -1 when the thread does not run.
 * cli/serve.c registers it with http_health_add as "sip", stalled after
 * SIP_STALLED_MS (3 s). sip_test_stall makes the loop sleep ms (at most
 * 60 000) as if a handler hung: only POST /api/test/sip/stall, answered
 * under the test clock, calls it.
 */
int64_t sip_idle_ms(void);
int sip_test_stall(int ms);
#define SIP_STALLED_MS 3000

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

/* -- SIP bodies (sip_sdp.c): parsers, no I/O -- */

/*
 * The parts of an SDP offer (RFC 4566) a call needs: the audio stream's
 * address and port, and the payload types of PCMA, PCMU and
 * telephone-event (-1 when not offered). pref_pt is the first G.711 type
 * in the offer's order (the caller's preference), -1 when there is none.
 */
enum sip_sdp_dir { SIP_SDP_SENDRECV, SIP_SDP_SENDONLY, SIP_SDP_RECVONLY, SIP_SDP_INACTIVE };

/* dir: the stream's direction attribute; sendonly and inactive from a
 * phone are a hold (RFC 3264 section 8.4), as is the address 0.0.0.0. */
struct sip_sdp {
	enum sip_sdp_dir dir;
	char addr[64]; /* the c= address (media level before session level) */
	unsigned port;
	int pcma_pt, pcmu_pt, event_pt;
	int pref_pt;
};

/* ERR_INVALID when there is no audio stream or no connection address. */
int sip_sdp_parse(const char *sdp, size_t len, struct sip_sdp *out);

/* The direction of kefu's answer to an offer's (RFC 3264 section 6.1): a
 * sendonly offer (the phone holds the call) is answered recvonly, a
 * recvonly one sendonly, inactive inactive, sendrecv sendrecv. */
enum sip_sdp_dir sip_sdp_answer_dir(enum sip_sdp_dir offer);
/* The attribute's name: "sendrecv", "sendonly", "recvonly", "inactive". */
const char *sip_sdp_dir_name(enum sip_sdp_dir d);

/*
 * kefu's own description (an answer to a caller, an offer or answer toward
 * an agent's phone): one audio stream of G.711 in 20 ms packets. With a
 * chosen payload type (pt >= 0) it names only that law, and telephone-event
 * when event_pt >= 0; without one (pt < 0, an offer) it lists PCMA 8, PCMU 0
 * and telephone-event 101 for the phone to choose from.
 */
struct sip_sdp_out {
	long long session;   /* o= session id: the call's */
	unsigned version;    /* o= version, raised by each changed description */
	const char *ip;	     /* kefu's media address as the peer reaches it */
	int ipv6;	     /* 1 when ip is an IPv6 address */
	unsigned port;	     /* kefu's RTP port */
	int pt;		     /* the chosen payload type, -1 for an offer of all */
	int pcma;	     /* the chosen type is PCMA (else PCMU) */
	int event_pt;	     /* telephone-event with a chosen type, -1 none */
	int ptime;	     /* milliseconds of audio per packet */
	enum sip_sdp_dir dir;
};

/* Writes o into buf (NUL-terminated); returns its length, or ERR_INVALID
 * when it does not fit. */
int sip_sdp_write(const struct sip_sdp_out *o, char *buf, size_t size);

/* A SIP INFO body of type application/dtmf-relay ("Signal=5\r\nDuration=160"):
 * the key, or 0 when there is none. */
char sip_info_digit(const char *body, size_t len);

/* The module's routes (sip_api.c), ended by a route with method NULL. */
extern const struct route sip_routes[];

#endif
