/* Unit tests of src/sip: digest rules, nonces, the guard, registration rules and storage. */
#include "testutil.h"

#include "core/err.h"
#include "org/org.h"
#include "sip/sip.h"

/* RFC 2617 section 3.5: HA1 of Mufasa in testrealm@host.com. */
static void ha1_matches_rfc2617(void **state)
{
	char ha1[SIP_HEX_MD5_LEN + 1];

	(void)state;
	sip_ha1("Mufasa", "testrealm@host.com", "Circle Of Life", ha1);
	assert_string_equal(ha1, "939e7578ed9e3c518a452acee763bce9");
	sip_ha1("8101", "kefu", "Circle Of Life", ha1);
	assert_string_not_equal(ha1, "939e7578ed9e3c518a452acee763bce9");
}

static const struct sip_digest rfc2617 = {
	"GET",
	"/dir/index.html",
	"dcd98b7102dd2f0e8b11d0f600bfb0c093",
	"6629fae49393a05397450978507c4ef1",
	"auth",
	"00000001",
	"0a4f113b",
};

/* RFC 2617 section 3.5: the response with qop=auth. */
static void digest_response_matches_rfc2617(void **state)
{
	const char *ha1 = "939e7578ed9e3c518a452acee763bce9";
	char want[SIP_HEX_MD5_LEN + 1];
	struct sip_digest d = rfc2617;

	(void)state;
	sip_digest_expect(&d, ha1, want);
	assert_string_equal(want, "6629fae49393a05397450978507c4ef1");
	assert_int_equal(sip_digest_verify(&d, ha1), 1);
	d.response = "6629FAE49393A05397450978507C4EF1"; /* hex in upper case is the same */
	assert_int_equal(sip_digest_verify(&d, ha1), 1);
}

static void digest_refuses_wrong_answers(void **state)
{
	const char *ha1 = "939e7578ed9e3c518a452acee763bce9";
	struct sip_digest d = rfc2617;

	(void)state;
	d.response = "6629fae49393a05397450978507c4ef2";
	assert_int_equal(sip_digest_verify(&d, ha1), 0);
	d = rfc2617;
	assert_int_equal(sip_digest_verify(&d, "939e7578ed9e3c518a452acee763bce8"), 0);
	d.method = "REGISTER"; /* the method is covered */
	assert_int_equal(sip_digest_verify(&d, ha1), 0);
	d = rfc2617;
	d.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c094";
	assert_int_equal(sip_digest_verify(&d, ha1), 0);
	d = rfc2617;
	d.qop = "auth-int"; /* only auth is offered */
	assert_int_equal(sip_digest_verify(&d, ha1), 0);
	d = rfc2617;
	d.cnonce = ""; /* auth needs a cnonce and nc */
	assert_int_equal(sip_digest_verify(&d, ha1), 0);
	d = rfc2617;
	d.response = "6629fae49393a05397450978507c4ef"; /* one digit short */
	assert_int_equal(sip_digest_verify(&d, ha1), 0);
	d.response = NULL;
	assert_int_equal(sip_digest_verify(&d, ha1), 0);
}

/* RFC 2069 clients send no qop: response = MD5(HA1:nonce:HA2). */
static void digest_without_qop(void **state)
{
	const char *ha1 = "939e7578ed9e3c518a452acee763bce9";
	char want[SIP_HEX_MD5_LEN + 1];
	struct sip_digest d = {"REGISTER", "sip:kefu", "abc", NULL, NULL, NULL, NULL};

	(void)state;
	sip_digest_expect(&d, ha1, want);
	assert_string_not_equal(want, "6629fae49393a05397450978507c4ef1");
	d.response = want;
	assert_int_equal(sip_digest_verify(&d, ha1), 1);
	d.qop = "auth"; /* the same answer under qop=auth is another computation */
	d.nc = "00000001";
	d.cnonce = "x";
	assert_int_equal(sip_digest_verify(&d, ha1), 0);
}

static const unsigned char key_a[SIP_NONCE_KEY_LEN] = {1, 2, 3};
static const unsigned char key_b[SIP_NONCE_KEY_LEN] = {1, 2, 4};

static void nonce_expires(void **state)
{
	const int64_t t = 1795344129000;
	char n[SIP_NONCE_LEN + 1];

	(void)state;
	sip_nonce_make(key_a, "kefu", "203.0.113.5", t, n);
	assert_int_equal(strlen(n), SIP_NONCE_LEN);
	assert_int_equal(sip_nonce_check(key_a, "kefu", "203.0.113.5", n, t), SIP_NONCE_OK);
	assert_int_equal(sip_nonce_check(key_a, "kefu", "203.0.113.5", n, t + SIP_NONCE_TTL_MS),
			 SIP_NONCE_OK);
	assert_int_equal(sip_nonce_check(key_a, "kefu", "203.0.113.5", n, t + SIP_NONCE_TTL_MS + 1),
			 SIP_NONCE_STALE);
	/* Issued "later than now": a clock that went back; ask again. */
	assert_int_equal(sip_nonce_check(key_a, "kefu", "203.0.113.5", n, t - 1), SIP_NONCE_STALE);
}

static void nonce_cannot_be_forged_or_moved(void **state)
{
	const int64_t t = 1795344129000;
	char n[SIP_NONCE_LEN + 1], forged[SIP_NONCE_LEN + 1];

	(void)state;
	sip_nonce_make(key_a, "kefu", "203.0.113.5", t, n);
	/* Another address, realm or key (another process) does not know it. */
	assert_int_equal(sip_nonce_check(key_a, "kefu", "203.0.113.6", n, t), SIP_NONCE_BAD);
	assert_int_equal(sip_nonce_check(key_a, "other", "203.0.113.5", n, t), SIP_NONCE_BAD);
	assert_int_equal(sip_nonce_check(key_b, "kefu", "203.0.113.5", n, t), SIP_NONCE_BAD);
	/* A later time stamp with the old MAC: refused, so nobody extends a nonce. */
	memcpy(forged, n, sizeof(forged));
	forged[10] = forged[10] == 'f' ? 'e' : 'f';
	assert_int_equal(sip_nonce_check(key_a, "kefu", "203.0.113.5", forged, t), SIP_NONCE_BAD);
	/* A MAC that is one digit off. */
	memcpy(forged, n, sizeof(forged));
	forged[40] = forged[40] == '0' ? '1' : '0';
	assert_int_equal(sip_nonce_check(key_a, "kefu", "203.0.113.5", forged, t), SIP_NONCE_BAD);
	/* Malformed ones. */
	forged[SIP_NONCE_LEN - 1] = '\0';
	assert_int_equal(sip_nonce_check(key_a, "kefu", "203.0.113.5", forged, t), SIP_NONCE_BAD);
	assert_int_equal(sip_nonce_check(key_a, "kefu", "203.0.113.5", "", t), SIP_NONCE_BAD);
	assert_int_equal(sip_nonce_check(key_a, "kefu", "203.0.113.5", NULL, t), SIP_NONCE_BAD);
	memcpy(forged, n, sizeof(forged));
	forged[20] = 'G';
	assert_int_equal(sip_nonce_check(key_a, "kefu", "203.0.113.5", forged, t), SIP_NONCE_BAD);
}

static const struct sip_guard_limits limits = {20, 40, 100, 10, 60000, 600000, 10};

static void guard_token_bucket(void **state)
{
	struct sip_guard *g = NULL;
	const int64_t t = 1000000;

	(void)state;
	assert_int_equal(sip_guard_new(&g, &limits), 0);
	for (int i = 0; i < 40; i++)
		assert_int_equal(sip_guard_admit(g, "198.51.100.1", t), SIP_GUARD_PASS);
	assert_int_equal(sip_guard_admit(g, "198.51.100.1", t), SIP_GUARD_DROP);
	/* Another address has its own bucket. */
	assert_int_equal(sip_guard_admit(g, "198.51.100.2", t), SIP_GUARD_PASS);
	/* 20 per second: one more after 50 ms, not after 49. */
	assert_int_equal(sip_guard_admit(g, "198.51.100.1", t + 49), SIP_GUARD_DROP);
	assert_int_equal(sip_guard_admit(g, "198.51.100.1", t + 50), SIP_GUARD_PASS);
	assert_int_equal(sip_guard_admit(g, "198.51.100.1", t + 50), SIP_GUARD_DROP);
	/* A long pause fills the bucket up to the burst, no more. */
	for (int i = 0; i < 40; i++)
		assert_int_equal(sip_guard_admit(g, "198.51.100.1", t + 3600000), SIP_GUARD_PASS);
	assert_int_equal(sip_guard_admit(g, "198.51.100.1", t + 3600000), SIP_GUARD_DROP);
	assert_int_equal(sip_guard_is_banned(g, "198.51.100.1", t + 3600000), 0);
	sip_guard_free(g);
}

static void guard_bans_a_flood_for_a_while(void **state)
{
	struct sip_guard *g = NULL;
	const int64_t t = 1000000;

	(void)state;
	assert_int_equal(sip_guard_new(&g, &limits), 0);
	for (int i = 0; i < 40; i++)
		assert_int_equal(sip_guard_admit(g, "198.51.100.7", t), SIP_GUARD_PASS);
	for (int i = 0; i < 99; i++)
		assert_int_equal(sip_guard_admit(g, "198.51.100.7", t), SIP_GUARD_DROP);
	assert_int_equal(sip_guard_is_banned(g, "198.51.100.7", t), 0);
	/* The hundredth drop bans, and says so once. */
	assert_int_equal(sip_guard_admit(g, "198.51.100.7", t), SIP_GUARD_BANNED);
	assert_int_equal(sip_guard_is_banned(g, "198.51.100.7", t), 1);
	assert_int_equal(sip_guard_admit(g, "198.51.100.7", t + 1000), SIP_GUARD_DROP);
	assert_int_equal(sip_guard_admit(g, "198.51.100.7", t + 599999), SIP_GUARD_DROP);
	/* Ten minutes later it starts again with a full bucket and a clean record. */
	assert_int_equal(sip_guard_admit(g, "198.51.100.7", t + 600000), SIP_GUARD_PASS);
	assert_int_equal(sip_guard_is_banned(g, "198.51.100.7", t + 600000), 0);
	for (int i = 0; i < 39; i++)
		assert_int_equal(sip_guard_admit(g, "198.51.100.7", t + 600000), SIP_GUARD_PASS);
	sip_guard_free(g);
}

/* Drops spread over more than the window do not add up to a ban. */
static void guard_slow_overrun_is_not_a_flood(void **state)
{
	struct sip_guard *g = NULL;
	int64_t t = 1000000;

	(void)state;
	assert_int_equal(sip_guard_new(&g, &limits), 0);
	for (int i = 0; i < 40; i++)
		sip_guard_admit(g, "198.51.100.8", t);
	for (int i = 0; i < 99; i++)
		assert_int_equal(sip_guard_admit(g, "198.51.100.8", t), SIP_GUARD_DROP);
	t += 60001;
	for (int i = 0; i < 40; i++)
		sip_guard_admit(g, "198.51.100.8", t);
	for (int i = 0; i < 99; i++)
		assert_int_equal(sip_guard_admit(g, "198.51.100.8", t), SIP_GUARD_DROP);
	assert_int_equal(sip_guard_is_banned(g, "198.51.100.8", t), 0);
	sip_guard_free(g);
}

/*
 * What failed authentications and number probing share: ten within a
 * minute ban the address (the tenth says so, once), nine a minute forever
 * never do (the window restarts).
 */
static void ten_a_minute_ban(int (*count)(struct sip_guard *, const char *, int64_t))
{
	struct sip_guard *g = NULL;
	const int64_t t = 1000000;

	assert_int_equal(sip_guard_new(&g, &limits), 0);
	for (int i = 0; i < 9; i++)
		assert_int_equal(count(g, "203.0.113.5", t + i * 1000), 0);
	assert_int_equal(sip_guard_is_banned(g, "203.0.113.5", t + 9000), 0);
	assert_int_equal(sip_guard_admit(g, "203.0.113.5", t + 9000), SIP_GUARD_PASS);
	assert_int_equal(count(g, "203.0.113.5", t + 9000), 1);
	assert_int_equal(sip_guard_is_banned(g, "203.0.113.5", t + 9000), 1);
	assert_int_equal(sip_guard_admit(g, "203.0.113.5", t + 9001), SIP_GUARD_DROP);
	/* Counted while banned: no second ban (nor a second log line). */
	assert_int_equal(count(g, "203.0.113.5", t + 9002), 0);
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 9; i++)
			assert_int_equal(count(g, "203.0.113.9", t + round * 61000 + i), 0);
	assert_int_equal(sip_guard_is_banned(g, "203.0.113.9", t + 200000), 0);
	sip_guard_free(g);
}

static void guard_bans_repeated_auth_failures(void **state)
{
	(void)state;
	ten_a_minute_ban(sip_guard_auth_failed);
}

/* INVITEs to numbers other than the hotline (svwar trying work numbers)
 * ban like failed authentications, counted apart from them. */
static void guard_bans_number_probing(void **state)
{
	struct sip_guard *g = NULL;
	const int64_t t = 1000000;

	(void)state;
	ten_a_minute_ban(sip_guard_probe);
	assert_int_equal(sip_guard_new(&g, &limits), 0);
	/* Nine probes and nine failed authentications are not yet a ban. */
	for (int i = 0; i < 9; i++) {
		assert_int_equal(sip_guard_probe(g, "203.0.113.6", t + i * 100), 0);
		assert_int_equal(sip_guard_auth_failed(g, "203.0.113.6", t + 1000 + i), 0);
	}
	assert_int_equal(sip_guard_is_banned(g, "203.0.113.6", t + 2000), 0);
	assert_int_equal(sip_guard_probe(g, "203.0.113.6", t + 2000), 1);
	/* After the ban the count starts again from nothing. */
	assert_int_equal(sip_guard_admit(g, "203.0.113.6", t + 602000), SIP_GUARD_PASS);
	for (int i = 0; i < 9; i++)
		assert_int_equal(sip_guard_probe(g, "203.0.113.6", t + 602001 + i), 0);
	assert_int_equal(sip_guard_is_banned(g, "203.0.113.6", t + 603000), 0);
	sip_guard_free(g);
}

static void guard_explicit_ban(void **state)
{
	struct sip_guard *g = NULL;

	(void)state;
	assert_int_equal(sip_guard_new(&g, &limits), 0);
	assert_int_equal(sip_guard_ban(g, "2001:db8::1", 5000), 1);
	assert_int_equal(sip_guard_ban(g, "2001:db8::1", 6000), 0);
	assert_int_equal(sip_guard_admit(g, "2001:db8::1", 7000), SIP_GUARD_DROP);
	assert_int_equal(sip_guard_admit(g, "2001:db8::2", 7000), SIP_GUARD_PASS);
	sip_guard_free(g);
}

/* The table is fixed: a crowd of addresses cannot push a ban out of it
 * (unless every entry of its set were banned too). */
static void guard_ban_survives_a_crowd(void **state)
{
	struct sip_guard *g = NULL;
	char address[SIP_ADDRESS_MAX];

	(void)state;
	assert_int_equal(sip_guard_new(&g, &limits), 0);
	assert_int_equal(sip_guard_ban(g, "192.0.2.1", 1000), 1);
	for (int i = 0; i < 50000; i++) {
		snprintf(address, sizeof(address), "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		assert_int_equal(sip_guard_admit(g, address, 2000 + i), SIP_GUARD_PASS);
	}
	assert_int_equal(sip_guard_is_banned(g, "192.0.2.1", 60000), 1);
	assert_int_equal(sip_guard_admit(g, "192.0.2.1", 60000), SIP_GUARD_DROP);
	sip_guard_free(g);
}

static int ua(const char *s)
{
	return sip_scanner_ua(s, strlen(s));
}

static void scanner_user_agents(void **state)
{
	(void)state;
	assert_int_equal(ua("friendly-scanner"), 1);
	assert_int_equal(ua("SIPVicious 0.3.4"), 1);
	assert_int_equal(ua("sipcli/v1.8"), 1);
	assert_int_equal(ua("VaxSIPUserAgent/3.1"), 1);
	assert_int_equal(ua("sip-scan"), 1);
	assert_int_equal(ua("PBX friendly-scanner x"), 1);
	assert_int_equal(ua("Yealink SIP-T46S 66.86.0.15"), 0);
	assert_int_equal(ua("Linphone/5.2.0 (belle-sip/5.2.0)"), 0);
	assert_int_equal(ua("Z 5.6.1 v2.10.19.9"), 0);
	assert_int_equal(ua("MicroSIP/3.21.3"), 0);
	assert_int_equal(ua("friendly-scanne"), 0);
	assert_int_equal(ua(""), 0);
	/* Only len bytes count. */
	assert_int_equal(sip_scanner_ua("sipcli", 5), 0);
}

static void expires_rules(void **state)
{
	int64_t out = -5;

	(void)state;
	assert_int_equal(sip_expires_choose(-1, &out), 0);
	assert_int_equal(out, 3600);
	assert_int_equal(sip_expires_choose(0, &out), 0);
	assert_int_equal(out, 0);
	out = -5;
	assert_int_equal(sip_expires_choose(1, &out), ERR_UNPROCESSABLE);
	assert_int_equal(sip_expires_choose(59, &out), ERR_UNPROCESSABLE);
	assert_int_equal(out, -5);
	assert_int_equal(sip_expires_choose(60, &out), 0);
	assert_int_equal(out, 60);
	assert_int_equal(sip_expires_choose(3600, &out), 0);
	assert_int_equal(out, 3600);
	assert_int_equal(sip_expires_choose(86400, &out), 0);
	assert_int_equal(out, 3600);
}

static void password_and_role_rules(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_int_equal(sip_password_acceptable("1234567", &why), ERR_UNPROCESSABLE);
	assert_non_null(why);
	assert_int_equal(sip_password_acceptable("12345678", &why), 0);
	assert_int_equal(sip_password_acceptable("abc def gh", &why), ERR_UNPROCESSABLE);
	assert_int_equal(sip_password_acceptable("密码密码密码密码", &why), ERR_UNPROCESSABLE);
	assert_int_equal(sip_password_acceptable("tab\there12", &why), ERR_UNPROCESSABLE);
	assert_int_equal(
		sip_password_acceptable(
			"0123456789012345678901234567890123456789012345678901234567890123", &why),
		0);
	assert_int_equal(
		sip_password_acceptable(
			"01234567890123456789012345678901234567890123456789012345678901234", &why),
		ERR_UNPROCESSABLE);

	assert_int_equal(sip_may_register(ROLE_AGENT, 1), 1);
	assert_int_equal(sip_may_register(ROLE_SUPERVISOR, 1), 1);
	assert_int_equal(sip_may_register(ROLE_SUPERVISOR | ROLE_AGENT, 1), 1);
	assert_int_equal(sip_may_register(ROLE_AGENT, 0), 0);
	assert_int_equal(sip_may_register(ROLE_MANAGER, 1), 0);
	assert_int_equal(sip_may_register(ROLE_ADMIN | ROLE_STAFF, 1), 0);
}

/* What a client sends can never forge a second "from <address>" for fail2ban. */
static void log_safe_text(void **state)
{
	char out[33];

	(void)state;
	sip_log_safe("8101", 4, out, sizeof(out));
	assert_string_equal(out, "8101");
	sip_log_safe("x from 192.0.2.9", 16, out, sizeof(out));
	assert_string_equal(out, "x?from?192.0.2.9");
	sip_log_safe("a\r\nb\"c", 6, out, sizeof(out));
	assert_string_equal(out, "a??b?c");
	sip_log_safe("abcdef", 6, out, 4);
	assert_string_equal(out, "abc");
	sip_log_safe("agent.1_x@kefu+2-", 17, out, sizeof(out));
	assert_string_equal(out, "agent.1_x@kefu+2-");
	sip_log_safe(NULL, 0, out, sizeof(out));
	assert_string_equal(out, "");
}

static int64_t add_person(struct store *s, const char *work_no, unsigned roles, int active)
{
	int64_t id = 0;

	assert_int_equal(store_run(s,
				   "INSERT INTO person(work_no, name, roles, active, created_at,"
				   " updated_at) VALUES (?, ?, ?, ?, 0, 0) RETURNING id",
				   &id, "ttii", work_no, work_no, (int64_t)roles, (int64_t)active),
			 1);
	return id;
}

struct seen {
	int n;
	char contacts[8][64];
	int64_t registered_at[8];
};

static int collect(void *ctx, const struct sip_binding *b)
{
	struct seen *v = ctx;

	if (v->n < 8) {
		snprintf(v->contacts[v->n], sizeof(v->contacts[0]), "%s", b->contact);
		v->registered_at[v->n] = b->registered_at;
	}
	v->n++;
	return 0;
}

static void store_credentials(void **state)
{
	struct store *s = test_store_open();
	struct sip_account a;
	int64_t id;

	(void)state;
	assert_int_equal(sip_account_get(s, "8101", &a), ERR_NOTFOUND);
	id = add_person(s, "8101", ROLE_AGENT, 1);
	assert_int_equal(sip_account_get(s, "8101", &a), 0);
	assert_int_equal(a.person_id, id);
	assert_int_equal(a.roles, ROLE_AGENT);
	assert_int_equal(a.active, 1);
	assert_string_equal(a.ha1, ""); /* no credential yet */
	assert_int_equal(sip_credential_set(s, id, "kefu", "939e7578ed9e3c518a452acee763bce9", 5),
			 0);
	assert_int_equal(sip_credential_set(s, id, "kefu2", "00000000000000000000000000000000", 6),
			 0);
	assert_int_equal(sip_account_get(s, "8101", &a), 0);
	assert_string_equal(a.realm, "kefu2");
	assert_string_equal(a.ha1, "00000000000000000000000000000000");
	test_store_close(s);
}

static void store_bindings(void **state)
{
	struct store *s = test_store_open();
	struct seen v;
	int64_t agent, manager;
	int created = -1, removed = -1;

	(void)state;
	agent = add_person(s, "8101", ROLE_AGENT, 1);
	manager = add_person(s, "8001", ROLE_MANAGER, 1);
	assert_int_equal(sip_binding_upsert(s, agent, "sip:8101@192.0.2.1:5060",
					    "udp:192.0.2.1:5060", "Phone/1", 1000, 61000, &created),
			 0);
	assert_int_equal(created, 1);
	/* A refresh keeps when the contact first registered. */
	assert_int_equal(sip_binding_upsert(s, agent, "sip:8101@192.0.2.1:5060",
					    "udp:192.0.2.1:5060", "Phone/1", 30000, 90000,
					    &created),
			 0);
	assert_int_equal(created, 0);
	assert_int_equal(sip_binding_upsert(s, agent, "sip:8101@192.0.2.2:5060",
					    "udp:192.0.2.2:5060", NULL, 30000, 40000, &created),
			 0);
	assert_int_equal(created, 1);
	memset(&v, 0, sizeof(v));
	assert_int_equal(sip_binding_list_person(s, agent, 35000, collect, &v), 2);
	assert_int_equal(v.registered_at[0], 1000);
	/* Expired bindings are not listed, and count as new when they come back. */
	memset(&v, 0, sizeof(v));
	assert_int_equal(sip_binding_list_person(s, agent, 40000, collect, &v), 1);
	assert_string_equal(v.contacts[0], "sip:8101@192.0.2.1:5060");
	assert_int_equal(sip_binding_upsert(s, agent, "sip:8101@192.0.2.2:5060",
					    "udp:192.0.2.2:5060", NULL, 45000, 105000, &created),
			 0);
	assert_int_equal(created, 1);
	/* Someone who may not register is not listed, even with a row. */
	assert_int_equal(sip_binding_upsert(s, manager, "sip:8001@192.0.2.3", "udp:192.0.2.3:5060",
					    NULL, 45000, 105000, &created),
			 0);
	memset(&v, 0, sizeof(v));
	assert_int_equal(sip_binding_list(s, 50000, 0, 50, collect, &v), 2);
	assert_int_equal(store_exec(s, "UPDATE person SET active = 0 WHERE work_no = '8101'"), 0);
	memset(&v, 0, sizeof(v));
	assert_int_equal(sip_binding_list(s, 50000, 0, 50, collect, &v), 0);
	assert_int_equal(store_exec(s, "UPDATE person SET active = 1 WHERE work_no = '8101'"), 0);
	/* Removal of one, purge of the expired, removal of all. */
	assert_int_equal(sip_binding_remove(s, agent, "sip:8101@192.0.2.2:5060", &removed), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(sip_binding_remove(s, agent, "sip:8101@192.0.2.2:5060", &removed), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(sip_binding_purge(s, 90000), 1);
	assert_int_equal(sip_binding_purge(s, 90000), 0);
	assert_int_equal(sip_binding_upsert(s, agent, "sip:8101@192.0.2.9", "udp:192.0.2.9:5060",
					    NULL, 95000, 200000, &created),
			 0);
	assert_int_equal(sip_binding_remove_person(s, agent, &removed), 0);
	assert_int_equal(removed, 1);
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ha1_matches_rfc2617),
		cmocka_unit_test(digest_response_matches_rfc2617),
		cmocka_unit_test(digest_refuses_wrong_answers),
		cmocka_unit_test(digest_without_qop),
		cmocka_unit_test(nonce_expires),
		cmocka_unit_test(nonce_cannot_be_forged_or_moved),
		cmocka_unit_test(guard_token_bucket),
		cmocka_unit_test(guard_bans_a_flood_for_a_while),
		cmocka_unit_test(guard_slow_overrun_is_not_a_flood),
		cmocka_unit_test(guard_bans_repeated_auth_failures),
		cmocka_unit_test(guard_bans_number_probing),
		cmocka_unit_test(guard_explicit_ban),
		cmocka_unit_test(guard_ban_survives_a_crowd),
		cmocka_unit_test(scanner_user_agents),
		cmocka_unit_test(expires_rules),
		cmocka_unit_test(password_and_role_rules),
		cmocka_unit_test(log_safe_text),
		cmocka_unit_test(store_credentials),
		cmocka_unit_test(store_bindings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
