/* Unit tests of src/auth: the policy, passwords, tokens, throttling, sessions. */
#include <sodium.h>

#include "testutil.h"

#include "core/err.h"
#include "auth/auth.h"
#include "org/org.h"

static struct principal who(unsigned roles, int64_t dept)
{
	struct principal p;

	memset(&p, 0, sizeof(p));
	p.person_id = 42;
	p.roles = roles;
	p.department_id = dept;
	return p;
}

static void nobody_is_unauthenticated(void **state)
{
	struct principal p;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(auth_authorize(&p, ACT_PUBLIC, NULL), 0);
	assert_int_equal(auth_authorize(&p, ACT_SELF, NULL), ERR_AUTH);
	assert_int_equal(auth_authorize(NULL, ACT_ORG_READ, NULL), ERR_AUTH);
}

static void policy_follows_roles(void **state)
{
	struct principal admin = who(ROLE_ADMIN, 0), manager = who(ROLE_MANAGER, 2),
			 agent = who(ROLE_AGENT, 2), hr = who(ROLE_HR, 8);

	(void)state;
	assert_int_equal(auth_authorize(&admin, ACT_GRANT_ADMIN, NULL), 0);
	assert_int_equal(auth_authorize(&manager, ACT_GRANT_ADMIN, NULL), ERR_FORBIDDEN);
	/* ORG-4: certification is the manager's confirmation, nobody else's. */
	assert_int_equal(auth_authorize(&manager, ACT_PERSON_CERTIFY, NULL), 0);
	assert_int_equal(auth_authorize(&admin, ACT_PERSON_CERTIFY, NULL), ERR_FORBIDDEN);
	assert_int_equal(auth_authorize(&agent, ACT_ORG_READ, NULL), 0);
	assert_int_equal(auth_authorize(&agent, ACT_PERSON_WRITE, NULL), ERR_FORBIDDEN);
	assert_int_equal(auth_authorize(&agent, ACT_AUDIT_READ, NULL), ERR_FORBIDDEN);
	assert_int_equal(auth_authorize(&hr, ACT_PERSON_WRITE, NULL), 0);
	assert_int_equal(auth_authorize(&hr, ACT_PERSON_ROLES, NULL), ERR_FORBIDDEN);
	assert_int_equal(auth_authorize(&hr, ACT_PHONE_VIEW, NULL), 0);
	assert_int_equal(auth_authorize(&agent, ACT_PHONE_VIEW, NULL), ERR_FORBIDDEN);
}

static void roles_combine_to_the_widest(void **state)
{
	struct principal p = who(ROLE_STAFF | ROLE_HR, 8);
	struct auth_target elsewhere = {3, 7};

	(void)state;
	assert_int_equal(auth_scope(&p, ACT_ORG_READ), SCOPE_ALL);
	assert_int_equal(auth_authorize(&p, ACT_ORG_READ, &elsewhere), 0);
}

/* Least privilege: staff see their own department, and themselves, only. */
static void staff_are_scoped_to_their_department(void **state)
{
	struct principal staff = who(ROLE_STAFF, 3);
	struct auth_target own = {3, 7}, other = {4, 7}, self = {4, 42};

	(void)state;
	assert_int_equal(auth_scope(&staff, ACT_ORG_READ), SCOPE_DEPT);
	assert_int_equal(auth_authorize(&staff, ACT_ORG_READ, NULL), 0);
	assert_int_equal(auth_authorize(&staff, ACT_ORG_READ, &own), 0);
	assert_int_equal(auth_authorize(&staff, ACT_ORG_READ, &other), ERR_FORBIDDEN);
	assert_int_equal(auth_authorize(&staff, ACT_ORG_READ, &self), 0);
	staff.department_id = 0;
	other.department_id = 0;
	assert_int_equal(auth_authorize(&staff, ACT_ORG_READ, &other), ERR_FORBIDDEN);
}

/* Seed 003: staff attach files to their department's orders (or orders they are
 * involved in); the uploader, a supervisor or the manager removes one. */
static void attachments_follow_the_order_and_the_uploader(void **state)
{
	struct principal staff = who(ROLE_STAFF, 3), agent = who(ROLE_AGENT, 2),
			 sup = who(ROLE_SUPERVISOR, 2), office = who(ROLE_OFFICE, 1);
	struct auth_target own = {3, 0}, other = {4, 0}, involved = {4, 42}, mine = {0, 42},
			   theirs = {0, 7};

	(void)state;
	assert_int_equal(auth_authorize(&staff, ACT_ATTACHMENT_ADD, &own), 0);
	assert_int_equal(auth_authorize(&staff, ACT_ATTACHMENT_ADD, &other), ERR_FORBIDDEN);
	assert_int_equal(auth_authorize(&staff, ACT_ATTACHMENT_ADD, &involved), 0);
	assert_int_equal(auth_authorize(&agent, ACT_ATTACHMENT_ADD, &other), 0);
	assert_int_equal(auth_authorize(&office, ACT_ATTACHMENT_ADD, NULL), ERR_FORBIDDEN);
	assert_int_equal(auth_authorize(&agent, ACT_ATTACHMENT_DELETE, &mine), 0);
	assert_int_equal(auth_authorize(&agent, ACT_ATTACHMENT_DELETE, &theirs), ERR_FORBIDDEN);
	assert_int_equal(auth_authorize(&staff, ACT_ATTACHMENT_DELETE, &theirs), ERR_FORBIDDEN);
	assert_int_equal(auth_authorize(&sup, ACT_ATTACHMENT_DELETE, &theirs), 0);
	assert_string_equal(auth_action_name(ACT_ATTACHMENT_DELETE), "attachment.delete");
}

static void passwords_hash_with_argon2id(void **state)
{
	char hash[AUTH_HASH_MAX], pw[17];
	const char *why;

	(void)state;
	assert_int_equal(auth_password_hash("正确的密码 correct", "min", hash), 0);
	assert_non_null(strstr(hash, "$argon2id$"));
	assert_int_equal(auth_password_verify(hash, "正确的密码 correct"), 0);
	assert_int_equal(auth_password_verify(hash, "正确的密码 wrong"), ERR_AUTH);
	assert_int_equal(auth_password_verify("", "x"), ERR_AUTH);
	auth_password_random(pw);
	assert_int_equal(strlen(pw), 16);
	assert_null(strpbrk(pw, "01lIO"));
	assert_int_equal(auth_password_acceptable("short", &why), ERR_UNPROCESSABLE);
	assert_int_equal(auth_password_acceptable("十个汉字的密码就够了", &why), 0);
	assert_int_equal(auth_password_acceptable("\xff\xfe invalid utf8", &why), ERR_UNPROCESSABLE);
}

static void tokens_are_random_and_hashed(void **state)
{
	char a[AUTH_TOKEN_LEN + 1], b[AUTH_TOKEN_LEN + 1], ha[65], ha2[65], hb[65];

	(void)state;
	auth_token_new(a);
	auth_token_new(b);
	assert_int_equal(strlen(a), AUTH_TOKEN_LEN);
	assert_string_not_equal(a, b);
	auth_token_hash(a, ha);
	auth_token_hash(a, ha2);
	auth_token_hash(b, hb);
	assert_string_equal(ha, ha2);
	assert_string_not_equal(ha, hb);
	assert_int_equal(strlen(ha), 64);
	assert_true(auth_equal(a, a));
	assert_false(auth_equal(a, b));
	assert_false(auth_equal("abc", "abcd"));
}

static int attempt(struct store *s, const char *key, int64_t now)
{
	int64_t id = 0;
	int rc = auth_throttle_attempt(s, key, now, 5, 15 * 60000, &id);

	if (rc >= 0)
		assert_true(id > 0);
	return rc;
}

static void throttle_locks_then_lifts(void **state)
{
	struct store *s = test_store_open();
	const int64_t window = 15 * 60000, t0 = 1000000;
	int64_t id;

	(void)state;
	/* The fifth attempt is still evaluated (and says it locked); the sixth is refused unrecorded. */
	for (int i = 0; i < 4; i++)
		assert_int_equal(attempt(s, "u:8101", t0 + i), 0);
	assert_int_equal(attempt(s, "u:8101", t0 + 4), 1);
	assert_int_equal(attempt(s, "u:8101", t0 + 10), ERR_THROTTLED);
	assert_int_equal(attempt(s, "u:8102", t0 + 10), 0);
	assert_int_equal(attempt(s, "u:8101", t0 + 4 + window), 0);
	/* Attempts spread wider than the window never lock. */
	for (int i = 0; i < 10; i++)
		assert_int_equal(attempt(s, "u:8103", t0 + (int64_t)i * window), 0);
	/* The window slides: 5 within any 15 minutes lock, across a boundary too. */
	assert_int_equal(attempt(s, "u:8104", t0), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(attempt(s, "u:8104", t0 + 14 * 60000), 0);
	assert_int_equal(attempt(s, "u:8104", t0 + 16 * 60000), 0);
	assert_int_equal(attempt(s, "u:8104", t0 + 16 * 60000), 1);
	assert_int_equal(attempt(s, "u:8104", t0 + 16 * 60000 + 1), ERR_THROTTLED);
	/* A forgotten attempt (a successful login) does not count... */
	for (int i = 0; i < 4; i++)
		assert_int_equal(attempt(s, "a:10.0.0.9", t0), 0);
	assert_int_equal(auth_throttle_attempt(s, "a:10.0.0.9", t0, 5, window, &id), 1);
	assert_int_equal(auth_throttle_forget(s, "a:10.0.0.9", id, t0, 5, window), 0);
	assert_int_equal(attempt(s, "a:10.0.0.9", t0 + 1), 1);
	assert_int_equal(attempt(s, "a:10.0.0.9", t0 + 2), ERR_THROTTLED);
	/* ...and clearing a key lifts its lock. */
	assert_int_equal(auth_throttle_clear(s, "a:10.0.0.9"), 0);
	assert_int_equal(attempt(s, "a:10.0.0.9", t0 + 3), 0);
	test_store_close(s);
}

/* Issue 12 item 23: one work number from one address, slowed progressively. */
static void throttle_pair_doubles_its_lock(void **state)
{
	struct store *s = test_store_open();
	const int64_t min = 60000, window = 15 * min, day = 24 * 60 * min, t0 = 1000000;
	const char *pair = "p:8101|10.0.0.1";
	int64_t id, t;

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(auth_throttle_pair(s, pair, t0 + i, 5, window, &id), 0);
	assert_int_equal(auth_throttle_pair(s, pair, t0 + 4, 5, window, &id), 1);
	assert_int_equal(auth_throttle_pair(s, pair, t0 + 5, 5, window, &id), ERR_THROTTLED);
	/* Another address, or another work number, is not slowed. */
	assert_int_equal(auth_throttle_pair(s, "p:8101|10.0.0.2", t0 + 5, 5, window, &id), 0);
	assert_int_equal(auth_throttle_pair(s, "p:8102|10.0.0.1", t0 + 5, 5, window, &id), 0);
	/* After the first lock each guess locks again, twice as long as the last. */
	t = t0 + 4 + window;
	assert_int_equal(auth_throttle_pair(s, pair, t, 5, window, &id), 1);
	assert_int_equal(auth_throttle_pair(s, pair, t + 2 * window - 1, 5, window, &id),
			 ERR_THROTTLED);
	t += 2 * window;
	assert_int_equal(auth_throttle_pair(s, pair, t, 5, window, &id), 1);
	assert_int_equal(auth_throttle_pair(s, pair, t + 4 * window - 1, 5, window, &id),
			 ERR_THROTTLED);
	t += 4 * window;
	assert_int_equal(auth_throttle_pair(s, pair, t, 5, window, &id), 1);
	/* A day without a lock forgets them: five guesses again. */
	t += day + 8 * window;
	for (int i = 0; i < 4; i++)
		assert_int_equal(auth_throttle_pair(s, pair, t + i, 5, window, &id), 0);
	assert_int_equal(auth_throttle_pair(s, pair, t + 4, 5, window, &id), 1);
	test_store_close(s);
}

static void sessions_expire_idle_and_absolute(void **state)
{
	struct store *s = test_store_open();
	struct org_person p;
	struct principal got;
	struct err_info ei;
	const int64_t t0 = 1000000, idle = 30 * 60000, max = 12 * 3600000LL;
	int64_t sid;

	(void)state;
	memset(&p, 0, sizeof(p));
	snprintf(p.work_no, sizeof(p.work_no), "8101");
	snprintf(p.name, sizeof(p.name), "刘洋");
	p.roles = ROLE_AGENT;
	p.active = 1;
	assert_int_equal(org_person_insert(s, &p, t0, &ei), 0);
	assert_int_equal(auth_session_create(s, p.id, "h1", "csrf1", t0, t0 + max, "::1", &sid), 0);
	assert_int_equal(auth_session_lookup(s, "h1", t0 + 1000, idle, &got), 0);
	assert_int_equal(got.person_id, p.id);
	assert_int_equal(got.roles, ROLE_AGENT);
	assert_string_equal(got.csrf, "csrf1");
	assert_int_equal(auth_session_lookup(s, "nope", t0, idle, &got), ERR_AUTH);
	/* Used every 20 minutes it stays alive until the absolute limit. */
	for (int64_t t = t0; t < t0 + max; t += 20 * 60000)
		assert_int_equal(auth_session_lookup(s, "h1", t, idle, &got), 0);
	assert_int_equal(auth_session_lookup(s, "h1", t0 + max, idle, &got), ERR_AUTH);
	/* An expired session is gone for good. */
	assert_int_equal(auth_session_lookup(s, "h1", t0, idle, &got), ERR_AUTH);

	assert_int_equal(auth_session_create(s, p.id, "h2", "c", t0, t0 + max, NULL, &sid), 0);
	assert_int_equal(auth_session_lookup(s, "h2", t0 + idle, idle, &got), ERR_AUTH);

	/* A disabled person's sessions stop working at once. */
	assert_int_equal(auth_session_create(s, p.id, "h3", "c", t0, t0 + max, NULL, &sid), 0);
	p.active = 0;
	assert_int_equal(org_person_update(s, &p, t0, &ei), 0);
	assert_int_equal(auth_session_lookup(s, "h3", t0 + 1, idle, &got), ERR_AUTH);
	test_store_close(s);
}

/* What the session-end hook saw (the program registers acd's). */
static int hook_ended, hook_committed;
static int64_t hook_person;

static int fake_ended(struct store *s, int64_t person_id, const struct audit_actor *who,
		      const char *how, int64_t now)
{
	(void)s;
	(void)who;
	(void)how;
	(void)now;
	hook_ended++;
	hook_person = person_id;
	return 1;
}

static void fake_committed(void)
{
	hook_committed++;
}

/* ORG-3 through the hook: only the end of a person's last live session runs it. */
static void session_end_runs_the_hook_for_the_last_session(void **state)
{
	struct store *s = test_store_open();
	struct org_person p;
	struct err_info ei;
	const int64_t t0 = 1000000, idle = 30 * 60000, max = 12 * 3600000LL;
	int64_t one, two;

	(void)state;
	memset(&p, 0, sizeof(p));
	snprintf(p.work_no, sizeof(p.work_no), "8101");
	snprintf(p.name, sizeof(p.name), "刘洋");
	p.roles = ROLE_AGENT;
	p.active = 1;
	assert_int_equal(org_person_insert(s, &p, t0, &ei), 0);
	/* Without a hook a session's end only ends the session. */
	assert_int_equal(auth_session_create(s, p.id, "h0", "c", t0, t0 + max, NULL, &one), 0);
	assert_int_equal(auth_session_end(s, one, p.id, NULL, "logout", t0, idle), 0);

	auth_on_session_end(fake_ended, fake_committed);
	assert_int_equal(auth_session_create(s, p.id, "h1", "c", t0, t0 + max, NULL, &one), 0);
	assert_int_equal(auth_session_create(s, p.id, "h2", "c", t0, t0 + max, NULL, &two), 0);
	/* Still logged in on another device: the seat stays. */
	assert_int_equal(auth_session_end(s, one, p.id, NULL, "logout", t0 + 1, idle), 0);
	assert_int_equal(hook_ended, 0);
	assert_int_equal(auth_session_end(s, two, p.id, NULL, "logout", t0 + 2, idle), 1);
	assert_int_equal(hook_ended, 1);
	assert_int_equal(hook_person, p.id);
	assert_int_equal(hook_committed, 0);
	auth_session_end_committed();
	assert_int_equal(hook_committed, 1);

	/* The tick runs the hook for each expired last session, then `committed` once. */
	assert_int_equal(auth_session_create(s, p.id, "h3", "c", t0, t0 + max, NULL, &one), 0);
	assert_int_equal(auth_session_expire(s, t0 + idle, idle), 1);
	assert_int_equal(hook_ended, 2);
	assert_int_equal(hook_committed, 2);
	assert_int_equal(auth_session_expire(s, t0 + idle, idle), 0);
	assert_int_equal(hook_committed, 2);
	auth_on_session_end(NULL, NULL);
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nobody_is_unauthenticated),
		cmocka_unit_test(policy_follows_roles),
		cmocka_unit_test(roles_combine_to_the_widest),
		cmocka_unit_test(staff_are_scoped_to_their_department),
		cmocka_unit_test(attachments_follow_the_order_and_the_uploader),
		cmocka_unit_test(passwords_hash_with_argon2id),
		cmocka_unit_test(tokens_are_random_and_hashed),
		cmocka_unit_test(throttle_locks_then_lifts),
		cmocka_unit_test(throttle_pair_doubles_its_lock),
		cmocka_unit_test(sessions_expire_idle_and_absolute),
		cmocka_unit_test(session_end_runs_the_hook_for_the_last_session),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
