/*
 * The SIP side's HTTP routes: phone passwords and the registrations list.
 *
 * A phone password is stored only as HA1 = MD5(work number:realm:password),
 * what digest authentication needs; the password itself is neither stored
 * nor logged nor audited. Setting one ends the person's registrations, so
 * a phone still using the old password must authenticate again.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "org/org.h"
#include "sip/sip.h"
#include "store/store.h"

/* Stores a new phone password of p in the realm, in one transaction with
 * its audit entry; registrations of p end. */
static int save_password(struct req *r, const struct org_person *p, const char *password,
			 const char *action)
{
	const char *realm = r->app->cfg->sip_realm;
	char ha1[SIP_HEX_MD5_LEN + 1];
	int ended = 0;
	int rc;

	sip_ha1(p->work_no, realm, password, ha1);
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = sip_credential_set(r->store, p->id, realm, ha1, r->now);
	if (rc == 0)
		rc = sip_binding_remove_person(r->store, p->id, &ended);
	if (rc == 0)
		rc = req_audit(
			r, action, "person", p->id, "ok",
			json_pack("{s:s, s:i}", "realm", realm, "registrations_ended", ended));
	sodium_memzero(ha1, sizeof(ha1));
	return req_finish(r, rc);
}

/* ORG-3: only those who may register have a phone password. */
static int may_have_phone(struct req *r, const struct org_person *p)
{
	if (!sip_may_register(p->roles, p->active))
		return err_set(&r->ei, ERR_UNPROCESSABLE, NULL,
			       "only active agents and supervisors register a phone (ORG-3)");
	return 0;
}

static int me_sip_password(struct req *r)
{
	static const char *const fields[] = {"password", NULL};
	const char *password = NULL, *why;
	struct org_person p;
	int rc;

	rc = body_only(r, fields);
	if (rc == 0)
		rc = body_str(r, "password", 1, &password);
	if (rc < 0)
		return rc;
	if (sip_password_acceptable(password, &why) < 0)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "password", "password: %s", why);
	rc = org_person_get(r->store, r->who.person_id, &p);
	if (rc == 0)
		rc = may_have_phone(r, &p);
	if (rc == 0)
		rc = save_password(r, &p, password, "sip.password");
	if (rc < 0)
		return rc;
	return reply_json(r, 200,
			  json_pack("{s:b, s:s, s:s}", "ok", 1, "user", p.work_no, "realm",
				    r->app->cfg->sip_realm));
}

static int person_sip_password(struct req *r)
{
	char password[17];
	struct org_person p;
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = org_person_get(r->store, id, &p);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such person");
	if (rc == 0) {
		const struct auth_target t = {p.department_id, p.id};

		rc = req_authorize(r, ACT_SIP_ADMIN, &t);
	}
	if (rc == 0)
		rc = may_have_phone(r, &p);
	if (rc < 0)
		return rc;
	auth_password_random(password);
	rc = save_password(r, &p, password, "sip.password_reset");
	if (rc == 0)
		rc = reply_json(r, 200,
				json_pack("{s:s, s:s, s:s}", "password", password, "user",
					  p.work_no, "realm", r->app->cfg->sip_realm));
	sodium_memzero(password, sizeof(password));
	return rc;
}

struct list_ctx {
	json_t *items;
	int64_t now;
	int64_t last_id;
};

static json_t *opt_text(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

static int list_row(void *ctx, const struct sip_binding *b)
{
	struct list_ctx *lc = ctx;
	json_t *o = json_pack(
		"{s:I, s:I, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I}", "id", (json_int_t)b->id,
		"person_id", (json_int_t)b->person_id, "work_no", b->work_no ? b->work_no : "",
		"name", b->name ? b->name : "", "contact", b->contact ? b->contact : "", "source",
		b->source ? b->source : "", "user_agent", opt_text(b->user_agent), "registered_at",
		(json_int_t)b->registered_at, "expires_at", (json_int_t)b->expires_at, "expires_in",
		(json_int_t)((b->expires_at - lc->now + 999) / 1000));

	if (!o || json_array_append_new(lc->items, o) < 0)
		return ERR_NOMEM;
	lc->last_id = b->id;
	return 0;
}

/*
 * Who is registered from where: for whoever watches the agents (ACT_ACD_READ)
 * and whoever administers the phones (ACT_SIP_ADMIN). The route admits any
 * session; this decides, and a denial is audited like any other.
 */
static int registrations_list(struct req *r)
{
	struct list_ctx lc = {NULL, r->now, 0};
	int limit, n;
	int64_t cursor;
	int rc;

	if (auth_scope(&r->who, ACT_ACD_READ) < SCOPE_ALL &&
	    auth_scope(&r->who, ACT_SIP_ADMIN) < SCOPE_ALL) {
		rc = req_authorize(r, ACT_SIP_ADMIN, NULL);
		if (rc < 0)
			return rc;
	}
	rc = req_page(r, &limit, &cursor);
	if (rc < 0)
		return rc;
	lc.items = json_array();
	if (!lc.items)
		return ERR_NOMEM;
	n = sip_binding_list(r->store, r->now, cursor, limit, list_row, &lc);
	if (n < 0) {
		json_decref(lc.items);
		return n;
	}
	return reply_page(r, lc.items, n == limit ? lc.last_id : 0);
}

/*
 * Tests only (issue 22): the SIP thread's loop sleeps ms, so a test sees
 * /healthz report it stalled (503) and recover. Answered only by a server
 * started with --test-clock, which listens on loopback only; 404 otherwise,
 * and 409 while SIP does not run.
 */
static int test_sip_stall(struct req *r)
{
	static const char *const fields[] = {"ms", NULL};
	int ms = -1, rc;

	if (!r->app->test_clock)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such resource");
	rc = body_only(r, fields);
	if (rc < 0)
		return rc;
	rc = body_int_add(r, "ms", &ms, 0);
	if (rc == 0 && (ms < 0 || ms > 60000))
		rc = err_set(&r->ei, ERR_INVALID, "ms", "%s: expected a whole number from %lld to %lld",
			     "ms", 0LL, 60000LL);
	if (rc < 0)
		return rc;
	if (sip_test_stall(ms) < 0)
		return err_set(&r->ei, ERR_CONFLICT, NULL, "SIP is not running");
	return reply_json(r, 202, json_pack("{s:i}", "ms", ms));
}

const struct route sip_routes[] = {
	{"POST", "/api/me/sip-password", me_sip_password, ACT_AGENT_STATE},
	{"POST", "/api/people/{id}/sip-password", person_sip_password, ACT_SIP_ADMIN},
	{"GET", "/api/sip/registrations", registrations_list, ACT_SELF},
	{"POST", "/api/test/sip/stall", test_sip_stall, ACT_PUBLIC},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
