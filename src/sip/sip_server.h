/*
 * The SIP thread's state, for the code that runs on that thread: sip.c
 * (the thread and its dispatch), sip_reg.c (the registrar) and the call
 * engine above this module (src/call, started through struct sip_calls),
 * which needs the libre stack, the listener's address, the pool and the
 * guard's and the registrar's helpers below. Everything else uses sip.h.
 * Everything here lives and is used on the SIP thread only.
 */
#ifndef KEFU_SIP_SIP_SERVER_H
#define KEFU_SIP_SIP_SERVER_H

/* Not <re.h>: it brings re_json.h, whose names clash with jansson's. */
#include <re_types.h>
/* clang-format off: the order matters, each header uses the ones before. */
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_msg.h>
#include <re_uri.h>
#include <re_tmr.h>
#include <re_main.h>
#include <re_mqueue.h>
#include <re_udp.h>
#include <re_httpauth.h>
#include <re_sip.h>
/* clang-format on */

#include "core/config.h"
#include "sip/sip.h"

struct sip_server {
	const struct config *cfg;
	struct store_pool *pool;
	const struct sip_calls *calls; /* the call engine; NULL: no calls */
	struct sip *sip;
	struct sip_guard *guard;
	struct mqueue *mq;     /* the main thread's stop request */
	struct udp_helper *uh; /* the guard in front of libre's parser */
	struct tmr purge;      /* deletes expired registrations */
	unsigned char nonce_key[SIP_NONCE_KEY_LEN];
	char dummy_ha1[SIP_HEX_MD5_LEN + 1]; /* checked for unknown users */
	char probe[33];			     /* Call-ID of the self-probe (see sip.c) */
	char bound[SIP_ADDRESS_MAX + 8];
	struct sa laddr; /* the listener's address; calls' RTP sockets use its IP */
	char trunks[CONFIG_ADDRESSES_MAX][CONFIG_ADDRESS_LEN]; /* sip_trunks, as inet_ntop */
	int ntrunks;
};

/* The source address of a message as text (no port), for the guard and logs. */
void sip_server_source(const struct sa *src, char out[SIP_ADDRESS_MAX]);
/* "udp:IP:port" of a message's source. */
void sip_server_source_full(const struct sa *src, char *out, size_t size);

/*
 * Records a failed authentication from address: the fail2ban line, the
 * guard's count (and the ban it may cause, logged and audited), and an
 * audit entry on s (a pooled connection outside any transaction).
 */
void sip_server_auth_failed(struct sip_server *srv, struct store *s, const char *address,
			    const char *user, const char *reason, int64_t now);

/*
 * Digest authentication of a request (sip_reg.c) whose username must be
 * `user` (the To user of a REGISTER, the From user of an INVITE): 0 with
 * acct filled, or 1 when it has been answered (401 challenge, 403 — the
 * same for every failure, counted by the guard — or 500).
 */
int sip_reg_authenticate(struct sip_server *srv, const struct sip_msg *msg, const struct pl *user,
			 struct sip_account *acct);

/* 1 when src's address is one of sip_trunks (a carrier's or the center's
 * SBC): outside the guard's limits, and its SDP may name other media
 * addresses (the call engine). */
int sip_server_is_trunk(const struct sip_server *srv, const struct sa *src);

/* Counts an INVITE from src to a number that is not the hotline toward the
 * guard's ban (logged and audited when it bans); trunks are not counted. */
void sip_server_probe(struct sip_server *srv, const struct sa *src);

/* Writes one audit entry (detail may be NULL; released here) in its own
 * short transaction on s, a pooled connection outside any. */
struct audit_actor;
struct audit_detail;
void sip_server_audit(struct store *s, const struct audit_actor *who, int64_t now,
		      const char *action, const char *entity, int64_t id, const char *outcome,
		      struct audit_detail *detail);

/* The registrar (sip_reg.c): answers a REGISTER that passed the guard. */
void sip_reg_request(struct sip_server *srv, const struct sip_msg *msg);

/*
 * What the registrar reads of a request (sip_reg.c, no I/O; public for the
 * fuzz target tests/fuzz/fuzz_sipmsg.c as well).
 */
#define SIP_REG_CONTACTS_MAX 10
#define SIP_REG_CONTACT_MAX 256
#define SIP_REG_UA_MAX 128

struct sip_reg_contact {
	char uri[SIP_REG_CONTACT_MAX + 1];
	int64_t expires; /* seconds granted; 0 removes */
};

struct sip_reg_contacts {
	struct sip_reg_contact c[SIP_REG_CONTACTS_MAX];
	int n;
	int wildcard;
	int64_t header_expires; /* -1: no Expires header */
	int bad;		/* malformed: 400 */
	int too_brief;		/* 423 */
};

/* Reads the Contact headers and the Expires header into cs. */
void sip_reg_read_contacts(const struct sip_msg *msg, struct sip_reg_contacts *cs);

/* The fields of the Authorization header, bounded. */
struct sip_reg_creds {
	char username[64], realm[64], nonce[64], uri[512], response[64], qop[16], nc[16],
		cnonce[128];
};

/* 0, or -1 when there is no digest or a field does not fit. */
int sip_reg_read_creds(const struct sip_msg *msg, struct sip_reg_creds *c);

/* The User-Agent as stored and shown: printable ASCII, cut at SIP_REG_UA_MAX. */
void sip_reg_user_agent(const struct sip_msg *msg, char out[SIP_REG_UA_MAX + 1]);

#endif
