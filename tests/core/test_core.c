/* Unit tests of src/core: buffers, UTF-8, config, clock, masking, errors. */
#include "testutil.h"

#include "core/buf.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/jw.h"
#include "core/log.h"

#include <jansson.h>
#include "core/mask.h"
#include "core/utf8.h"

static void buf_grows_and_formats(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_string_equal(buf_str(&b), "");
	for (int i = 0; i < 1000; i++)
		assert_int_equal(buf_printf(&b, "%d,", i % 10), 0);
	assert_int_equal(b.len, 2000);
	assert_memory_equal(b.p, "0,1,2,", 6);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_puts(&b, "客服"), 0);
	assert_string_equal(buf_str(&b), "客服");
	buf_release(&b);
	assert_null(b.p);
}

/* A download's filename*: attr-chars stand, every other byte is %XX, and a
 * name that does not fit is refused rather than cut. */
static void utf8_rfc5987_encodes(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(utf8_rfc5987("排班表 2026-12.xlsx", out, sizeof(out)), 42);
	assert_string_equal(out, "%E6%8E%92%E7%8F%AD%E8%A1%A8%202026-12.xlsx");
	assert_int_equal(utf8_rfc5987("a\"b;c'd", out, sizeof(out)), 13);
	assert_string_equal(out, "a%22b%3Bc%27d");
	assert_int_equal(utf8_rfc5987("", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(utf8_rfc5987("排班表", out, 9), -1);
	assert_int_equal(utf8_rfc5987("排", out, 10), 9);
}

static void utf8_prefix_never_cuts_a_character(void **state)
{
	const char *s = "客服a热线"; /* 3 + 3 + 1 + 3 + 3 bytes */
	size_t k;

	(void)state;
	assert_int_equal(utf8_prefix(s, strlen(s), 2, &k), 6);
	assert_int_equal(k, 2);
	assert_int_equal(utf8_prefix(s, strlen(s), 3, NULL), 7);
	/* Fewer characters than asked: all of it. */
	assert_int_equal(utf8_prefix(s, strlen(s), 100, &k), strlen(s));
	assert_int_equal(k, 5);
	/* Within the n bytes given: a line of the text. */
	assert_int_equal(utf8_prefix(s, 7, 100, &k), 7);
	assert_int_equal(k, 3);
	assert_int_equal(utf8_prefix(s, strlen(s), 0, &k), 0);
	assert_int_equal(k, 0);
}

static void utf8_accepts_chinese_rejects_bad(void **state)
{
	(void)state;
	assert_true(utf8_valid("客服中心", strlen("客服中心")));
	assert_true(utf8_valid("abc", 3));
	assert_true(utf8_valid("\xF0\x9F\x98\x80", 4)); /* an emoji: four bytes */
	assert_false(utf8_valid("\xC0\xAF", 2));         /* overlong '/' */
	assert_false(utf8_valid("\xED\xA0\x80", 3));     /* a surrogate */
	assert_false(utf8_valid("\xF4\x90\x80\x80", 4)); /* over U+10FFFF */
	assert_false(utf8_valid("\xE5\xAE", 2));         /* cut short */
	assert_false(utf8_valid("a\0b", 3));             /* NUL */
	assert_false(utf8_valid("\xFF", 1));
	assert_int_equal(utf8_len("客服a"), 3);
}

static void config_rejects_unknown_and_bad_values(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	config_defaults(&c);
	assert_string_equal(c.timezone, "Asia/Shanghai");
	assert_int_equal(config_set(&c, "threads", "8", err, sizeof(err)), 0);
	assert_int_equal(c.threads, 8);
	assert_int_equal(config_set(&c, "threads", "0", err, sizeof(err)), ERR_INVALID);
	assert_int_equal(config_set(&c, "threads", "8x", err, sizeof(err)), ERR_INVALID);
	assert_int_equal(config_set(&c, "no_such_key", "1", err, sizeof(err)), ERR_INVALID);
	assert_non_null(strstr(err, "no_such_key"));
	assert_int_equal(config_set(&c, "cookie_secure", "yes", err, sizeof(err)), 0);
	assert_int_equal(c.cookie_secure, 1);
	assert_int_equal(config_set(&c, "cookie_secure", "maybe", err, sizeof(err)), ERR_INVALID);
	assert_int_equal(config_set(&c, "timezone", "Mars/Olympus", err, sizeof(err)), 0);
	assert_int_equal(config_validate(&c, err, sizeof(err)), ERR_INVALID);
	assert_int_equal(config_set(&c, "timezone", "Europe/Berlin", err, sizeof(err)), 0);
	assert_int_equal(config_validate(&c, err, sizeof(err)), 0);
	assert_int_equal(config_set(&c, "durability", "sometimes", err, sizeof(err)), 0);
	assert_int_equal(config_validate(&c, err, sizeof(err)), ERR_INVALID);
	/* Hotline calls at once: 1000 unless set, at least one. */
	assert_int_equal(c.calls_max, 1000);
	assert_int_equal(config_set(&c, "calls_max", "0", err, sizeof(err)), ERR_INVALID);
	assert_int_equal(config_set(&c, "calls_max", "1500", err, sizeof(err)), 0);
	assert_int_equal(c.calls_max, 1500);
}

/* sip_trunks: addresses only, written back as a socket's address is. */
/* SIGHUP (issue 22): the reloadable keys are applied, the others only named. */
static void config_reload_applies_reloadable_keys_only(void **state)
{
	struct config live, fresh;
	char err[256], applied[256], restart[256];

	(void)state;
	config_defaults(&live);
	fresh = live;
	config_reload(&live, &fresh, applied, sizeof(applied), restart, sizeof(restart));
	assert_string_equal(applied, "");
	assert_string_equal(restart, "");
	assert_int_equal(config_set(&fresh, "busy_max_min", "25", err, sizeof(err)), 0);
	assert_int_equal(config_set(&fresh, "access_log", "yes", err, sizeof(err)), 0);
	assert_int_equal(config_set(&fresh, "log_level", "warn", err, sizeof(err)), 0);
	assert_int_equal(config_set(&fresh, "threads", "2", err, sizeof(err)), 0);
	assert_int_equal(config_set(&fresh, "listen", "0.0.0.0:80", err, sizeof(err)), 0);
	config_reload(&live, &fresh, applied, sizeof(applied), restart, sizeof(restart));
	assert_string_equal(applied, "log_level busy_max_min access_log");
	assert_string_equal(restart, "listen threads");
	assert_int_equal(live.busy_max_min, 25);
	assert_int_equal(live.access_log, 1);
	assert_string_equal(live.log_level, "warn");
	assert_int_equal(live.threads, 4);
	assert_string_equal(live.listen, "127.0.0.1:8080");
	log_set_level(LOG_INFO);
}

static void config_trunk_addresses(void **state)
{
	char out[CONFIG_ADDRESSES_MAX][CONFIG_ADDRESS_LEN], err[256];
	struct config c;

	(void)state;
	assert_int_equal(config_addresses("", out, CONFIG_ADDRESSES_MAX), 0);
	assert_int_equal(config_addresses(" 10.1.2.3, ,2001:DB8:0:0::7\t192.168.0.1 ", out,
					  CONFIG_ADDRESSES_MAX),
			 3);
	assert_string_equal(out[0], "10.1.2.3");
	assert_string_equal(out[1], "2001:db8::7");
	assert_string_equal(out[2], "192.168.0.1");
	assert_int_equal(config_addresses("10.1.2.0/24", NULL, 0), ERR_INVALID);
	assert_int_equal(config_addresses("sip.carrier.example", NULL, 0), ERR_INVALID);
	assert_int_equal(config_addresses("10.1.2.256", NULL, 0), ERR_INVALID);
	assert_int_equal(config_addresses("1.1.1.1 1.1.1.2 1.1.1.3 1.1.1.4 1.1.1.5 1.1.1.6 "
					  "1.1.1.7 1.1.1.8 1.1.1.9 1.1.1.10 1.1.1.11 1.1.1.12 "
					  "1.1.1.13 1.1.1.14 1.1.1.15 1.1.1.16 1.1.1.17",
					  NULL, 0),
			 ERR_INVALID);
	config_defaults(&c);
	assert_int_equal(config_set(&c, "sip_trunks", "10.1.2.3 10.1.2.4", err, sizeof(err)), 0);
	assert_int_equal(config_validate(&c, err, sizeof(err)), 0);
	assert_int_equal(config_set(&c, "sip_trunks", "10.1.2.0/24", err, sizeof(err)), 0);
	assert_int_equal(config_validate(&c, err, sizeof(err)), ERR_INVALID);
	assert_non_null(strstr(err, "sip_trunks"));
}

/* Issue 12 item 17: the HTTP limits are settings, checked against each other. */
static void config_http_limits(void **state)
{
	char err[256];
	struct config c;

	(void)state;
	config_defaults(&c);
	assert_int_equal(c.http_max_connections, 16384);
	assert_int_equal(c.http_max_per_address, 1024);
	assert_int_equal(c.http_max_pending, 1024);
	assert_int_equal(c.http_request_timeout_sec, 30);
	assert_int_equal(c.login_account_max_failures, 100);
	assert_string_equal(c.trusted_proxies, "");
	assert_int_equal(config_validate(&c, err, sizeof(err)), 0);
	assert_int_equal(config_set(&c, "http_request_timeout_sec", "0", err, sizeof(err)),
			 ERR_INVALID);
	assert_int_equal(config_set(&c, "trusted_proxies", "10.0.0.5, ::1", err, sizeof(err)), 0);
	assert_int_equal(config_validate(&c, err, sizeof(err)), 0);
	assert_int_equal(config_set(&c, "trusted_proxies", "proxy.local", err, sizeof(err)), 0);
	assert_int_equal(config_validate(&c, err, sizeof(err)), ERR_INVALID);
	assert_non_null(strstr(err, "trusted_proxies"));
	config_defaults(&c);
	assert_int_equal(config_set(&c, "http_max_connections", "100", err, sizeof(err)), 0);
	assert_int_equal(config_validate(&c, err, sizeof(err)), ERR_INVALID);
	assert_non_null(strstr(err, "http_max_per_address"));
	assert_int_equal(config_set(&c, "http_max_per_address", "100", err, sizeof(err)), 0);
	assert_int_equal(config_set(&c, "http_max_pending", "50", err, sizeof(err)), 0);
	assert_int_equal(config_validate(&c, err, sizeof(err)), 0);
}

static void config_file_and_environment(void **state)
{
	char path[] = "/tmp/kefu-conf-XXXXXX", err[256];
	struct config c;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# comment\nlisten = 0.0.0.0:9000  # trailing\n\nthreads=3\n", f);
	fclose(f);
	config_defaults(&c);
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), 0);
	assert_string_equal(c.listen, "0.0.0.0:9000");
	assert_int_equal(c.threads, 3);
	setenv("KEFU_THREADS", "5", 1);
	assert_int_equal(config_apply_env(&c, err, sizeof(err)), 0);
	assert_int_equal(c.threads, 5);
	setenv("KEFU_THREADS", "lots", 1);
	assert_int_equal(config_apply_env(&c, err, sizeof(err)), ERR_INVALID);
	unsetenv("KEFU_THREADS");
	f = fopen(path, "w");
	fputs("threads 3\n", f);
	fclose(f);
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), ERR_INVALID);
	assert_non_null(strstr(err, ":1:"));
	unlink(path);
}

/* "Same day" is the center's day (Asia/Shanghai, UTC+8), not UTC's (WO-2 same-day report). */
static void clock_days_follow_center_zone(void **state)
{
	/* 2026-11-22T15:30:00Z is 23:30 in Shanghai on the 22nd. */
	int64_t t = 1795361400000LL;

	(void)state;
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	assert_int_equal(clock_local_ymd(t), 20261122);
	/* Shanghai midnight starting the 22nd is 2026-11-21T16:00:00Z. */
	assert_int_equal(clock_day_start(t), 1795276800000LL);
	assert_int_equal(clock_day_end(t), 1795276800000LL + 86400000LL);
	/* One hour later it is the 23rd in Shanghai, still the 22nd in UTC. */
	assert_int_equal(clock_local_ymd(t + 3600000), 20261123);
	/* The wall-clock minute of the day (the hotline's hours): 23:30, then 00:30. */
	assert_int_equal(clock_local_minute(t), 23 * 60 + 30);
	assert_int_equal(clock_local_minute(t + 3600000), 30);
	assert_int_equal(clock_tz_set("UTC"), 0);
	assert_int_equal(clock_local_ymd(t + 3600000), 20261122);
	assert_int_equal(clock_local_minute(t), 15 * 60 + 30);
	assert_int_equal(clock_tz_set("../etc/passwd"), ERR_INVALID);
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
}

static void clock_offset_moves_now(void **state)
{
	int64_t before = clock_now_ms();

	(void)state;
	clock_set_offset(3600000);
	assert_true(clock_now_ms() - before >= 3600000);
	clock_set_offset(0);
	assert_true(clock_now_ms() - before < 3600000);
}

static void iso8601_is_utc(void **state)
{
	char out[32];

	(void)state;
	clock_iso8601(1795361400123LL, out, sizeof(out));
	assert_string_equal(out, "2026-11-22T15:30:00.123Z");
}

/* CUST-2 / SEC-1: numbers are recognisable but not readable. */
static void mask_keeps_head_and_tail(void **state)
{
	char out[32];

	(void)state;
	mask_phone("13800008001", out, sizeof(out));
	assert_string_equal(out, "138****8001");
	mask_phone("4000000000", out, sizeof(out));
	assert_string_equal(out, "40****00");
	mask_phone("110", out, sizeof(out));
	assert_string_equal(out, "****0");
	mask_phone("", out, sizeof(out));
	assert_string_equal(out, "****");
}

static void errors_map_to_statuses(void **state)
{
	struct err_info ei;

	(void)state;
	assert_int_equal(err_http_status(ERR_INVALID), 400);
	assert_int_equal(err_http_status(ERR_AUTH), 401);
	assert_int_equal(err_http_status(ERR_FORBIDDEN), 403);
	assert_int_equal(err_http_status(ERR_NOTFOUND), 404);
	assert_int_equal(err_http_status(ERR_CONFLICT), 409);
	assert_int_equal(err_http_status(ERR_TOOBIG), 413);
	assert_int_equal(err_http_status(ERR_UNPROCESSABLE), 422);
	assert_int_equal(err_http_status(ERR_THROTTLED), 429);
	assert_int_equal(err_http_status(ERR_IO), 500);
	assert_string_equal(err_name(ERR_CONFLICT), "conflict");
	/* Issue 12 item 22: its own code, so a client can tell it from other denials. */
	assert_int_equal(err_http_status(ERR_PASSWORD_CHANGE), 403);
	assert_string_equal(err_name(ERR_PASSWORD_CHANGE), "password_change_required");
	assert_int_equal(err_set(&ei, ERR_UNPROCESSABLE, "name", "too %s", "long"),
			 ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "name");
	assert_string_equal(ei.message, "too long");
}

/* The JSON writer's output parses back to what was written, hostile strings included. */
static void jw_writes_valid_json(void **state)
{
	const char *nasty = "引号\"反斜杠\\换行\n\t\x01</script>";
	struct buf b = BUF_INIT;
	struct jw w;
	json_t *j;

	(void)state;
	jw_init(&w, &b);
	jw_object_begin(&w);
	jw_key(&w, "s");
	jw_str(&w, nasty);
	jw_key(&w, "n");
	jw_int(&w, -9007199254740993LL);
	jw_key(&w, "none");
	jw_id(&w, 0);
	jw_key(&w, "empty");
	jw_str_or_null(&w, "");
	jw_key(&w, "list");
	jw_array_begin(&w);
	jw_bool(&w, 1);
	jw_object_begin(&w);
	jw_object_end(&w);
	jw_raw(&w, "{\"a\":[1,2]}");
	jw_array_end(&w);
	jw_object_end(&w);
	assert_int_equal(w.rc, 0);
	j = json_loadb(b.p, b.len, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "s")), nasty);
	assert_int_equal(json_integer_value(json_object_get(j, "n")), -9007199254740993LL);
	assert_true(json_is_null(json_object_get(j, "none")));
	assert_true(json_is_null(json_object_get(j, "empty")));
	assert_int_equal(json_array_size(json_object_get(j, "list")), 3);
	assert_int_equal(json_integer_value(json_array_get(
				 json_object_get(json_array_get(json_object_get(j, "list"), 2), "a"), 1)),
			 2);
	json_decref(j);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buf_grows_and_formats),
		cmocka_unit_test(utf8_accepts_chinese_rejects_bad),
		cmocka_unit_test(utf8_prefix_never_cuts_a_character),
		cmocka_unit_test(utf8_rfc5987_encodes),
		cmocka_unit_test(config_rejects_unknown_and_bad_values),
		cmocka_unit_test(config_reload_applies_reloadable_keys_only),
		cmocka_unit_test(config_trunk_addresses),
		cmocka_unit_test(config_http_limits),
		cmocka_unit_test(config_file_and_environment),
		cmocka_unit_test(clock_days_follow_center_zone),
		cmocka_unit_test(clock_offset_moves_now),
		cmocka_unit_test(iso8601_is_utc),
		cmocka_unit_test(mask_keeps_head_and_tail),
		cmocka_unit_test(errors_map_to_statuses),
		cmocka_unit_test(jw_writes_valid_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
