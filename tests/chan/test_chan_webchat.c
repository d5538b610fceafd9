/* Unit tests of the web chat's rules (src/chan/chan_webchat.c, issue 18):
 * which origins may use an account, the visitor's public id, and the token
 * buckets of the public endpoints' rate limits. */
#include "testutil.h"

#include "chan/chan_webchat.h"

static void origins(void **state)
{
	struct webchat_config c;

	(void)state;
	webchat_config_default(&c);
	/* No Origin: not a browser (or a same-origin GET), guarded by the limits. */
	assert_int_equal(webchat_origin_ok(&c, NULL, "kefu.example.com"), 1);
	/* The server's own site, over either scheme. */
	assert_int_equal(webchat_origin_ok(&c, "https://kefu.example.com", "kefu.example.com"), 1);
	assert_int_equal(webchat_origin_ok(&c, "http://127.0.0.1:8080", "127.0.0.1:8080"), 1);
	assert_int_equal(
		webchat_origin_ok(&c, "https://kefu.example.com.evil.net", "kefu.example.com"), 0);
	assert_int_equal(webchat_origin_ok(&c, "https://shop.example.com", "kefu.example.com"), 0);
	assert_int_equal(webchat_origin_ok(&c, "null", "kefu.example.com"), 0);
	snprintf(c.origins[0], sizeof(c.origins[0]), "https://shop.example.com");
	c.norigins = 1;
	assert_int_equal(webchat_origin_ok(&c, "https://shop.example.com", "kefu.example.com"), 1);
	/* Exactly: another scheme, port or a longer host is another origin. */
	assert_int_equal(webchat_origin_ok(&c, "http://shop.example.com", "kefu.example.com"), 0);
	assert_int_equal(webchat_origin_ok(&c, "https://shop.example.com:8443", "kefu.example.com"),
			 0);
	assert_int_equal(webchat_origin_ok(&c, "https://shop.example.com.cn", "kefu.example.com"),
			 0);
	snprintf(c.origins[1], sizeof(c.origins[1]), "*");
	c.norigins = 2;
	assert_int_equal(webchat_origin_ok(&c, "https://any.example.org", "kefu.example.com"), 1);
}

static void visitor_ids(void **state)
{
	(void)state;
	assert_int_equal(webchat_vid_valid("v0123456789abcdef"), 1);
	assert_int_equal(webchat_vid_valid("v0123456789ABCDEF"), 0);
	assert_int_equal(webchat_vid_valid("w0123456789abcdef"), 0);
	assert_int_equal(webchat_vid_valid("v0123456789abcde"), 0);
	assert_int_equal(webchat_vid_valid("v0123456789abcdef0"), 0);
	assert_int_equal(webchat_vid_valid(NULL), 0);
}

static void buckets(void **state)
{
	double tokens = 0;
	int64_t at = 0, now = 1000;
	int ok = 0;

	(void)state;
	/* A fresh bucket holds a whole window's share: 3 at once, then none. */
	for (int i = 0; i < 5; i++)
		ok += webchat_bucket_take(&tokens, &at, 3, 60000, now);
	assert_int_equal(ok, 3);
	/* A third of the window gives one back, and only one. */
	now += 20000;
	assert_int_equal(webchat_bucket_take(&tokens, &at, 3, 60000, now), 1);
	assert_int_equal(webchat_bucket_take(&tokens, &at, 3, 60000, now), 0);
	/* A long pause refills to the burst, never beyond. */
	now += 3600000;
	ok = 0;
	for (int i = 0; i < 10; i++)
		ok += webchat_bucket_take(&tokens, &at, 3, 60000, now);
	assert_int_equal(ok, 3);
	/* 0 means no limit. */
	assert_int_equal(webchat_bucket_take(&tokens, &at, 0, 60000, now), 1);
	/* A clock that steps back takes nothing and gives nothing. */
	assert_int_equal(webchat_bucket_take(&tokens, &at, 3, 60000, now - 5000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(origins),
		cmocka_unit_test(visitor_ids),
		cmocka_unit_test(buckets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
