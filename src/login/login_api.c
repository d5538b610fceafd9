/*
 * POST /api/login, POST /api/logout, GET /api/me, POST /api/me/password.
 *
 * Unknown work numbers, wrong passwords and disabled accounts get the same
 * answer, after the same argon2id work (a dummy hash is verified when there
 * is no real one), so neither the answer nor its timing tells which
 * accounts exist. Failures are throttled per submitted work number and per
 * client address.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/log.h"
#include "core/utf8.h"
#include "http/http.h"
#include "login/login.h"
#include "notify/notify.h"
#include "org/org.h"
#include "store/store.h"

/* The work number as it may appear in a log line: fail2ban parses these. */
static const char *loggable(const char *work_no)
{
	return org_work_no_valid(work_no) ? work_no : "-";
}

static void set_cookie(struct req *r, const char *token, int64_t max_age_s)
{
	snprintf(r->cookie, sizeof(r->cookie),
		 "kefu_session=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s", token,
		 (long long)max_age_s, r->app->cfg->cookie_secure ? "; Secure" : "");
}

/* The keys an attempt is counted under (see auth/auth.h) and what counting it did. */
struct attempt {
	char pair[160], account[64], address[80];
	int64_t pair_id, account_id, address_id;
	int pair_locked, account_locked; /* this attempt locked them */
};

static int login_refused(struct req *r, const char *work_no, const char *why)
{
	int rc = req_audit(r, "login", "session", 0, "failed",
			   json_pack("{s:s, s:s}", "work_no", loggable(work_no), "reason", why));

	log_warn("auth: login failed for %s from %s", loggable(work_no), r->address);
	if (rc < 0)
		return rc;
	if (strcmp(why, "locked") == 0)
		return err_set(&r->ei, ERR_THROTTLED, NULL,
			       "too many failed logins; try again later");
	return err_set(&r->ei, ERR_AUTH, NULL, "wrong work number or password");
}

/*
 * Counts this attempt under its three keys before the password is checked
 * (see auth/auth.h), in one transaction with the lock checks: a key that is
 * locked refuses it and nothing is counted.
 */
static int login_attempt(struct req *r, struct attempt *a)
{
	const struct config *cfg = r->app->cfg;
	int64_t window = (int64_t)cfg->login_lock_min * 60000;
	int rc = store_begin(r->store);

	if (rc == 0)
		rc = auth_throttle_pair(r->store, a->pair, r->now, cfg->login_max_failures, window,
					&a->pair_id);
	a->pair_locked = rc == 1;
	if (rc >= 0)
		rc = auth_throttle_attempt(r->store, a->address, r->now,
					   cfg->login_addr_max_failures, window, &a->address_id);
	if (rc >= 0)
		rc = auth_throttle_attempt(r->store, a->account, r->now,
					   cfg->login_account_max_failures, window, &a->account_id);
	a->account_locked = rc == 1;
	return req_finish(r, rc < 0 ? rc : 0);
}

/*
 * Tells the account's owner that someone is guessing their password, when
 * a guess locked the pair (one address) or the account (the ceiling): the
 * notice names the address, so the owner can tell whether it was them.
 */
static void tell_owner(struct req *r, int64_t person_id, const char *work_no,
		       const struct attempt *a)
{
	char text[NOTIFY_TEXT_SIZE];
	int rc;

	if (!person_id || (!a->pair_locked && !a->account_locked))
		return;
	if (a->account_locked)
		snprintf(text, sizeof(text),
			 "工号 %s 在 %d 分钟内从多个地址登录失败太多次，已暂停登录（最后一次来自 "
			 "%s）。如果不是你本人，请告诉管理员。",
			 work_no, r->app->cfg->login_lock_min, r->address);
	else
		snprintf(text, sizeof(text),
			 "有人从 %s 多次用错误的密码登录工号 %s，该地址的登录已放慢；你在其他地方"
			 "登录不受影响。如果不是你本人，请告诉管理员。",
			 r->address, work_no);
	rc = store_begin(r->store);
	if (rc == 0)
		rc = notify_send(r->store, person_id, "login.targeted", 0, text, r->now);
	if (req_finish(r, rc) == 0)
		notify_wake();
	else
		log_error("auth: cannot tell %s about failed logins", work_no);
}

static int login(struct req *r)
{
	static const char *const fields[] = {"work_no", "password", NULL};
	const struct config *cfg = r->app->cfg;
	const char *work_no = NULL, *password = NULL;
	char hash[AUTH_HASH_MAX], lock_memory[170], token[AUTH_TOKEN_LEN + 1], token_hash[65],
		csrf[AUTH_TOKEN_LEN + 1];
	struct attempt a;
	struct org_person p;
	int64_t expires, sid = 0, window = (int64_t)cfg->login_lock_min * 60000;
	int rc, found, ok;

	rc = body_only(r, fields);
	if (rc == 0)
		rc = body_str(r, "work_no", 1, &work_no);
	if (rc == 0)
		rc = body_str(r, "password", 1, &password);
	if (rc < 0)
		return rc;
	/* Nothing typed is no attempt: ask for it rather than say it is wrong. */
	if (utf8_blank(work_no))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "work_no", "work number: required");
	if (!*password)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "password", "%s: required", "password");
	if (rc < 0)
		return rc;
	if (strlen(work_no) > ORG_WORK_NO_MAX || strlen(password) > AUTH_PASSWORD_MAX)
		work_no = "-";
	memset(&a, 0, sizeof(a));
	snprintf(a.pair, sizeof(a.pair), "p:%s|%s", work_no, r->address);
	snprintf(a.account, sizeof(a.account), "u:%s", work_no);
	snprintf(a.address, sizeof(a.address), "a:%s", r->address);
	rc = login_attempt(r, &a);
	if (rc == ERR_THROTTLED)
		return login_refused(r, work_no, "locked");
	if (rc < 0)
		return rc;

	rc = org_person_credentials(r->store, work_no, &p, hash, sizeof(hash));
	if (rc < 0 && rc != ERR_NOTFOUND)
		return rc;
	found = rc == 0 && hash[0] && p.active;
	ok = auth_password_verify(found ? hash : r->app->dummy_hash, password) == 0 && found;
	if (!ok) {
		tell_owner(r, rc == 0 ? p.id : 0, work_no, &a);
		return login_refused(r, work_no, rc == ERR_NOTFOUND ? "unknown" :
						 !p.active	 ? "disabled"
								 : "password");
	}

	auth_token_new(token);
	auth_token_new(csrf);
	auth_token_hash(token, token_hash);
	expires = r->now + (int64_t)cfg->session_max_hours * 3600000;
	snprintf(lock_memory, sizeof(lock_memory), "l:%s", a.pair);
	rc = store_begin(r->store);
	/*
	 * A success is no failure: the pair's count starts again (the owner
	 * who mistyped is not slowed later), the address's and the account's
	 * attempts go. The account's other failures stay: they came from
	 * elsewhere.
	 */
	if (rc == 0)
		rc = auth_throttle_clear(r->store, a.pair);
	if (rc == 0)
		rc = auth_throttle_clear(r->store, lock_memory);
	if (rc == 0)
		rc = auth_throttle_forget(r->store, a.address, a.address_id, r->now,
					  cfg->login_addr_max_failures, window);
	if (rc == 0)
		rc = auth_throttle_forget(r->store, a.account, a.account_id, r->now,
					  cfg->login_account_max_failures, window);
	if (rc == 0)
		rc = auth_session_create(r->store, p.id, token_hash, csrf, r->now, expires,
					 r->address, &sid);
	r->who.person_id = p.id;
	snprintf(r->who.work_no, sizeof(r->who.work_no), "%s", p.work_no);
	if (rc == 0)
		rc = req_audit(r, "login", "session", sid, "ok", NULL);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	log_info("auth: login ok for %s from %s", p.work_no, r->address);
	set_cookie(r, token, (int64_t)cfg->session_max_hours * 3600);
	return reply_json(r, 200,
			  json_pack("{s:s, s:s, s:I, s:{s:I, s:s, s:s, s:o, s:b}}", "token", token,
				    "csrf_token", csrf, "expires_at", (json_int_t)expires,
				    "person", "id", (json_int_t)p.id, "work_no", p.work_no, "name",
				    p.name, "roles", org_roles_json(p.roles), "must_change_password",
				    p.must_change_password));
}

static int logout(struct req *r)
{
	struct audit_actor who = req_actor(r);
	int rc = store_begin(r->store), seat = 0;

	/* Leaving the desk leaves the hotline too, unless another device is still at it. */
	if (rc == 0)
		rc = seat = auth_session_end(r->store, r->who.session_id, r->who.person_id, &who,
					     "logout", r->now,
					     (int64_t)r->app->cfg->session_idle_min * 60000);
	if (rc >= 0)
		rc = req_audit(r, "logout", "session", r->who.session_id, "ok", NULL);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	if (seat > 0)
		auth_session_end_committed(); /* the wallboard's agent counts */
	set_cookie(r, "", 0);
	return reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static int me(struct req *r)
{
	struct org_person p;
	json_t *o;
	int rc = org_person_get(r->store, r->who.person_id, &p);

	if (rc < 0)
		return rc;
	o = org_person_json(r, &p);
	if (!o)
		return ERR_NOMEM;
	json_object_set_new(o, "must_change_password", json_boolean(p.must_change_password));
	json_object_set_new(o, "csrf_token", json_string(r->who.csrf));
	json_object_set_new(o, "session_expires_at", json_integer(r->who.expires_at));
	return reply_json(r, 200, o);
}

static int change_password(struct req *r)
{
	static const char *const fields[] = {"old_password", "new_password", NULL};
	const char *old = NULL, *new = NULL, *why;
	char hash[AUTH_HASH_MAX];
	struct org_person p;
	int rc;

	rc = body_only(r, fields);
	if (rc == 0)
		rc = body_str(r, "old_password", 1, &old);
	if (rc == 0)
		rc = body_str(r, "new_password", 1, &new);
	if (rc < 0)
		return rc;
	if (auth_password_acceptable(new, &why) < 0)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "new_password", "%s", why);
	rc = org_person_credentials(r->store, r->who.work_no, &p, hash, sizeof(hash));
	if (rc < 0)
		return rc;
	if (strlen(old) > AUTH_PASSWORD_MAX || auth_password_verify(hash, old) < 0) {
		req_audit(r, "person.password", "person", p.id, "failed",
			  json_pack("{s:s}", "reason", "wrong old password"));
		return err_set(&r->ei, ERR_UNPROCESSABLE, "old_password", "wrong password");
	}
	/* A new password is one nobody else has seen: not the initial one again. */
	if (strcmp(new, old) == 0)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "new_password",
			       "new_password: must differ from the old password");
	rc = auth_password_hash(new, r->app->cfg->pwhash, hash);
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc == 0)
		rc = org_person_set_password(r->store, p.id, hash, 0, r->now);
	/* Other devices logged in with the old password are logged out. */
	if (rc == 0)
		rc = auth_session_delete_person(r->store, p.id, r->who.session_id);
	if (rc == 0)
		rc = req_audit(r, "person.password", "person", p.id, "ok", NULL);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

const struct route login_routes[] = {
	{"POST", "/api/login", login, ACT_PUBLIC},
	{"POST", "/api/logout", logout, ACT_SELF},
	{"GET", "/api/me", me, ACT_SELF},
	{"POST", "/api/me/password", change_password, ACT_SELF},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
