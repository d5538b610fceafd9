/*
 * The registrar (RFC 3261 section 10.3) for agents' phones. The SIP user
 * is the agent's work number (ORG-3); the password is the phone password
 * the agent set (POST /api/me/sip-password) or was given.
 *
 * Every REGISTER without credentials gets the same 401 challenge, before
 * anything is looked up, so the challenge says nothing about the user.
 * Credentials are checked only against a nonce this process issued to
 * this source address within SIP_NONCE_TTL_MS (otherwise: a fresh
 * challenge, stale=true when the nonce was merely old). Then the work
 * number is looked up; unknown users, people who may not register
 * (inactive, neither agent nor supervisor, no credential) and wrong
 * passwords all get the same 403 after the same work (an unknown user is
 * checked against a dummy HA1), and each is one fail2ban line, one audit
 * entry and one count towards the address's ban.
 *
 * Only after that are the Contact headers read: each binding is added,
 * refreshed or removed (expires 0, or "Contact: *" with "Expires: 0") in
 * one transaction with the audit entries of new and removed bindings.
 * Refreshes are not audited: a phone refreshes every few minutes and the
 * row itself shows the latest. The 200 lists the person's live bindings.
 * Not done (yet): the Call-ID/CSeq ordering check of step 7, and
 * comparing the digest uri with the Request-URI.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "sip/sip_server.h"
#include "store/store.h"

#define SOURCE_MAX (SIP_ADDRESS_MAX + 16)
#define UA_MAX SIP_REG_UA_MAX
#define CONTACTS_MAX SIP_REG_CONTACTS_MAX

/* Copies a pl into out; -1 when it does not fit. */
static int copy_pl(const struct pl *pl, char *out, size_t size)
{
	if (!pl->p || pl->l >= size) {
		if (size)
			out[0] = '\0';
		return -1;
	}
	memcpy(out, pl->p, pl->l);
	out[pl->l] = '\0';
	return 0;
}

/* 1 to 10 decimal digits; anything else is malformed (an "Expires: x"
 * must not read as 0 and unregister a phone). */
static int parse_seconds(const struct pl *pl, int64_t *out)
{
	int64_t v = 0;

	if (!pl->p || pl->l < 1 || pl->l > 10)
		return -1;
	for (size_t i = 0; i < pl->l; i++) {
		if (pl->p[i] < '0' || pl->p[i] > '9')
			return -1;
		v = v * 10 + (pl->p[i] - '0');
	}
	*out = v;
	return 0;
}

/* A contact URI kefu stores and echoes: sip: or sips:, printable ASCII
 * without the characters that would end it inside a header. */
static int contact_uri_ok(const char *uri)
{
	if (strncasecmp(uri, "sip:", 4) != 0 && strncasecmp(uri, "sips:", 5) != 0)
		return 0;
	for (const char *p = uri; *p; p++)
		if (*p <= ' ' || *p > '~' || *p == '<' || *p == '>' || *p == '"')
			return 0;
	return 1;
}

static bool contact_each(const struct sip_hdr *hdr, const struct sip_msg *msg, void *arg)
{
	struct sip_reg_contacts *cs = arg;
	struct sip_addr a;
	struct sip_reg_contact *c;
	struct pl param;
	int64_t requested;

	(void)msg;
	if (pl_strcmp(&hdr->val, "*") == 0) {
		cs->wildcard = 1;
		return false;
	}
	if (cs->n == CONTACTS_MAX || sip_addr_decode(&a, &hdr->val) != 0) {
		cs->bad = 1;
		return true;
	}
	c = &cs->c[cs->n++];
	if (copy_pl(&a.auri, c->uri, sizeof(c->uri)) < 0 || !contact_uri_ok(c->uri)) {
		cs->bad = 1;
		return true;
	}
	requested = cs->header_expires;
	if (msg_param_decode(&a.params, "expires", &param) == 0 &&
	    parse_seconds(&param, &requested) < 0) {
		cs->bad = 1;
		return true;
	}
	if (sip_expires_choose(requested, &c->expires) < 0) {
		cs->too_brief = 1;
		return true;
	}
	return false;
}

void sip_reg_read_contacts(const struct sip_msg *msg, struct sip_reg_contacts *cs)
{
	memset(cs, 0, sizeof(*cs));
	cs->header_expires = -1;
	if (pl_isset(&msg->expires) && parse_seconds(&msg->expires, &cs->header_expires) < 0) {
		cs->bad = 1;
		return;
	}
	(void)sip_msg_hdr_apply(msg, true, SIP_HDR_CONTACT, contact_each, cs);
	/* "*" only alone and only to remove everything (RFC 3261 10.2.2). */
	if (cs->wildcard && (cs->n > 0 || cs->header_expires != 0))
		cs->bad = 1;
}

static void challenge(struct sip_server *srv, const struct sip_msg *msg, const char *address,
		      int64_t now, int stale)
{
	char nonce[SIP_NONCE_LEN + 1];

	sip_nonce_make(srv->nonce_key, srv->cfg->sip_realm, address, now, nonce);
	/* Stateless: unauthenticated requests leave no state behind. */
	(void)sip_replyf(srv->sip, msg, 401, "Unauthorized",
			 "WWW-Authenticate: Digest realm=\"%s\", nonce=\"%s\", algorithm=MD5,"
			 " qop=\"auth\"%s\r\n"
			 "Content-Length: 0\r\n\r\n",
			 srv->cfg->sip_realm, nonce, stale ? ", stale=true" : "");
}

struct listing {
	struct mbuf *mb;
	int64_t now;
	int n;
};

static int list_binding(void *ctx, const struct sip_binding *b)
{
	struct listing *l = ctx;
	int64_t left = (b->expires_at - l->now + 999) / 1000;

	l->n++;
	if (mbuf_printf(l->mb, "Contact: <%s>;expires=%lld\r\n", b->contact, (long long)left))
		return ERR_NOMEM;
	return 0;
}

static int binding_audit(struct store *s, const struct audit_actor *who, int64_t now,
			 const char *action, int64_t person_id, struct audit_detail *detail)
{
	const char *text = audit_detail_text(detail);
	int rc = text ? audit_append(s, who, now, action, "person", person_id, "ok", text)
		      : ERR_NOMEM;

	audit_detail_release(detail);
	return rc;
}

/*
 * Applies the contacts of an authenticated REGISTER in one transaction
 * and lists the live bindings into l. Returns 0, ERR_CONFLICT when the
 * person would have more than SIP_BINDINGS_MAX phones, or another err.
 */
static int apply(struct store *s, const struct sip_account *acct, const struct sip_reg_contacts *cs,
		 const char *address, const char *source, const char *ua, int64_t now,
		 struct listing *l)
{
	const struct audit_actor who = {acct->person_id, acct->work_no, address};
	struct audit_detail detail;
	int rc = store_begin(s), changed;

	if (rc == 0 && cs->wildcard) {
		rc = sip_binding_remove_person(s, acct->person_id, &changed);
		if (rc == 0 && changed) {
			audit_detail_init(&detail);
			audit_detail_str(&detail, "contact", "*");
			audit_detail_int(&detail, "removed", changed);
			rc = binding_audit(s, &who, now, "sip.unregister", acct->person_id, &detail);
		}
	}
	for (int i = 0; rc == 0 && i < cs->n; i++) {
		const struct sip_reg_contact *c = &cs->c[i];

		if (c->expires == 0) {
			rc = sip_binding_remove(s, acct->person_id, c->uri, &changed);
			if (rc == 0 && changed) {
				audit_detail_init(&detail);
				audit_detail_str(&detail, "contact", c->uri);
				rc = binding_audit(s, &who, now, "sip.unregister", acct->person_id,
						   &detail);
			}
			continue;
		}
		rc = sip_binding_upsert(s, acct->person_id, c->uri, source, ua, now,
					now + c->expires * 1000, &changed);
		if (rc == 0 && changed) {
			audit_detail_init(&detail);
			audit_detail_str(&detail, "contact", c->uri);
			audit_detail_str(&detail, "source", source);
			audit_detail_str(&detail, "user_agent", ua);
			audit_detail_int(&detail, "expires", c->expires);
			rc = binding_audit(s, &who, now, "sip.register", acct->person_id, &detail);
		}
	}
	if (rc == 0) {
		rc = sip_binding_list_person(s, acct->person_id, now, list_binding, l);
		if (rc > SIP_BINDINGS_MAX)
			rc = ERR_CONFLICT;
	}
	if (rc >= 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	return rc < 0 ? rc : 0;
}

void sip_reg_user_agent(const struct sip_msg *msg, char out[SIP_REG_UA_MAX + 1])
{
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_USER_AGENT);
	size_t n = 0;

	for (size_t i = 0; h && i < h->val.l && n < UA_MAX; i++) {
		char c = h->val.p[i];

		out[n++] = (c >= ' ' && c <= '~') ? c : '?';
	}
	out[n] = '\0';
}

int sip_reg_read_creds(const struct sip_msg *msg, struct sip_reg_creds *c)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_AUTHORIZATION);
	struct httpauth_digest_resp r;

	memset(c, 0, sizeof(*c));
	if (!h || httpauth_digest_response_decode(&r, &h->val) != 0)
		return -1;
	if (copy_pl(&r.username, c->username, sizeof(c->username)) < 0 ||
	    copy_pl(&r.realm, c->realm, sizeof(c->realm)) < 0 ||
	    copy_pl(&r.nonce, c->nonce, sizeof(c->nonce)) < 0 ||
	    copy_pl(&r.uri, c->uri, sizeof(c->uri)) < 0 ||
	    copy_pl(&r.response, c->response, sizeof(c->response)) < 0)
		return -1;
	/* Optional ones: absent is "", too long is wrong. */
	if ((r.qop.p && copy_pl(&r.qop, c->qop, sizeof(c->qop)) < 0) ||
	    (r.nc.p && copy_pl(&r.nc, c->nc, sizeof(c->nc)) < 0) ||
	    (r.cnonce.p && copy_pl(&r.cnonce, c->cnonce, sizeof(c->cnonce)) < 0))
		return -1;
	return 0;
}

int sip_reg_authenticate(struct sip_server *srv, const struct sip_msg *msg, const struct pl *user,
			 struct sip_account *acct)
{
	char address[SIP_ADDRESS_MAX], method[16], safe_user[33], expect_user[64];
	int64_t now = clock_now_ms();
	struct sip_reg_creds c;
	struct store *s;
	const char *reason = NULL;
	int rc, ok;

	sip_server_source(&msg->src, address);
	if (sip_reg_read_creds(msg, &c) < 0 || strcmp(c.realm, srv->cfg->sip_realm) != 0) {
		challenge(srv, msg, address, now, 0);
		return 1;
	}
	switch (sip_nonce_check(srv->nonce_key, srv->cfg->sip_realm, address, c.nonce, now)) {
	case SIP_NONCE_OK:
		break;
	case SIP_NONCE_STALE:
		challenge(srv, msg, address, now, 1);
		return 1;
	case SIP_NONCE_BAD:
		challenge(srv, msg, address, now, 0);
		return 1;
	}

	/* From here on every outcome but success is the same 403. */
	sip_log_safe(c.username, strlen(c.username), safe_user, sizeof(safe_user));
	if (copy_pl(user, expect_user, sizeof(expect_user)) < 0)
		expect_user[0] = '\0';
	if (copy_pl(&msg->met, method, sizeof(method)) < 0)
		method[0] = '\0';
	s = store_pool_get(srv->pool);
	rc = sip_account_get(s, c.username, acct);
	if (rc < 0 && rc != ERR_NOTFOUND) {
		/* Our failure, not the client's: no count towards a ban. */
		store_pool_put(srv->pool, s);
		log_error("sip: cannot look up a SIP user (%s)", err_name(rc));
		(void)sip_reply(srv->sip, msg, 500, "Server Internal Error");
		return 1;
	}
	if (rc == ERR_NOTFOUND)
		reason = "unknown user";
	else if (!sip_may_register(acct->roles, acct->active))
		reason = "may not register";
	else if (!acct->ha1[0] || strcmp(acct->realm, srv->cfg->sip_realm) != 0)
		reason = "no SIP password";
	else if (strcmp(expect_user, c.username) != 0)
		reason = "user is not the To user";
	{
		const struct sip_digest d = {method, c.uri, c.nonce, c.response,
					     c.qop,  c.nc,  c.cnonce};

		ok = sip_digest_verify(&d, reason ? srv->dummy_ha1 : acct->ha1);
	}
	if (!reason && !ok)
		reason = "wrong password";
	if (reason)
		sip_server_auth_failed(srv, s, address, safe_user, reason, now);
	store_pool_put(srv->pool, s);
	if (reason) {
		(void)sip_reply(srv->sip, msg, 403, "Forbidden");
		return 1;
	}
	return 0;
}

void sip_reg_request(struct sip_server *srv, const struct sip_msg *msg)
{
	char address[SIP_ADDRESS_MAX], source[SOURCE_MAX], ua[UA_MAX + 1];
	int64_t now = clock_now_ms();
	struct sip_account acct;
	struct sip_reg_contacts cs;
	struct store *s;
	struct listing l = {NULL, now, 0};
	int rc;

	/* The To user is the one registering (the address of record). */
	if (sip_reg_authenticate(srv, msg, &msg->to.uri.user, &acct) != 0)
		return;
	sip_server_source(&msg->src, address);
	s = store_pool_get(srv->pool);
	sip_reg_read_contacts(msg, &cs);
	if (cs.bad || cs.too_brief) {
		store_pool_put(srv->pool, s);
		if (cs.bad)
			(void)sip_reply(srv->sip, msg, 400, "Bad Request");
		else
			(void)sip_replyf(srv->sip, msg, 423, "Interval Too Brief",
					 "Min-Expires: %d\r\nContent-Length: 0\r\n\r\n",
					 SIP_EXPIRES_MIN);
		return;
	}
	sip_reg_user_agent(msg, ua);
	sip_server_source_full(&msg->src, source, sizeof(source));
	l.mb = mbuf_alloc(512);
	rc = l.mb ? apply(s, &acct, &cs, address, source, ua, now, &l) : ERR_NOMEM;
	store_pool_put(srv->pool, s);
	if (rc == ERR_CONFLICT)
		(void)sip_reply(srv->sip, msg, 403, "Too Many Registrations");
	else if (rc < 0) {
		log_error("sip: registration of %s failed (%s)", acct.work_no, err_name(rc));
		(void)sip_reply(srv->sip, msg, 500, "Server Internal Error");
	} else {
		/* Stateful, so a retransmitted REGISTER gets this answer again
		 * from libre without another round through the database. */
		(void)sip_treplyf(NULL, NULL, srv->sip, msg, false, 200, "OK",
				  "%bContent-Length: 0\r\n\r\n", l.mb->buf, l.mb->end);
	}
	mem_deref(l.mb);
}
