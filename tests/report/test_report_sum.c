/*
 * Unit tests of the report periods (report_period.c: the buckets a day
 * falls in, day arithmetic) and of the summaries of closed days
 * (report_sum_store.c) with a fake kind of report on a fresh database:
 * where the first build starts, how far a round goes, marked days,
 * idempotence, and one failing kind not stopping another (issue 20).
 *
 * The center is in Asia/Shanghai; `now` is a local noon, so yesterday is
 * the day before.
 */
#include "testutil.h"

#include "core/clock.h"
#include "core/err.h"
#include "report/report.h"

/* Buckets: ISO weeks from Monday across a new year, quarters, halves, years. */
static void buckets(void **state)
{
	(void)state;
	/* 2026-01-01 is a Thursday: its week began on Monday 2025-12-29. */
	assert_int_equal(report_bucket(20260101, RG_WEEK), 20251229);
	assert_int_equal(report_bucket(20251229, RG_WEEK), 20251229);
	assert_int_equal(report_bucket(20260104, RG_WEEK), 20251229); /* Sunday */
	assert_int_equal(report_bucket(20260105, RG_WEEK), 20260105); /* Monday */
	/* A leap day is a day of its week, month, quarter and half like any other. */
	assert_int_equal(report_bucket(20240229, RG_WEEK), 20240226);
	assert_int_equal(report_bucket(20240229, RG_MONTH), 20240201);
	assert_int_equal(report_bucket(20240229, RG_QUARTER), 20240101);
	assert_int_equal(report_bucket(20240331, RG_QUARTER), 20240101);
	assert_int_equal(report_bucket(20240401, RG_QUARTER), 20240401);
	assert_int_equal(report_bucket(20241231, RG_QUARTER), 20241001);
	assert_int_equal(report_bucket(20240630, RG_HALF), 20240101);
	assert_int_equal(report_bucket(20240701, RG_HALF), 20240701);
	assert_int_equal(report_bucket(20241231, RG_YEAR), 20240101);
	assert_int_equal(report_bucket(20241231, RG_ALL), 0);
	assert_int_equal(report_bucket(20241231, RG_DAY), 20241231);
	/* 1970-01-01 itself was a Thursday: the epoch's own week. */
	assert_int_equal(report_bucket(19700101, RG_WEEK), 19691229);
	assert_int_equal(report_group_parse("half"), RG_HALF);
	assert_int_equal(report_group_parse("fortnight"), -1);
	assert_string_equal(report_group_name(RG_QUARTER), "quarter");
}

static void ymd_next_and_count(void **state)
{
	(void)state;
	assert_int_equal(report_ymd_next(20240228), 20240229);
	assert_int_equal(report_ymd_next(20240229), 20240301);
	assert_int_equal(report_ymd_next(20230228), 20230301);
	assert_int_equal(report_ymd_next(20251231), 20260101);
	assert_int_equal(report_ymd_count(20240101, 20241231), 366);
	assert_int_equal(report_ymd_count(20250101, 20251231), 365);
	assert_int_equal(report_ymd_count(20260101, 20260101), 1);
	assert_int_equal(report_ymd_count(20000101, 20001231), 366); /* 2000 was a leap year */
	assert_int_equal(report_ymd_count(21000101, 21001231), 365); /* 2100 will not be */
}

/* The fake kind: a table of built days, with how often each was built. */
struct fake {
	int64_t first; /* the first fact's time, 0: none */
	int fail;      /* build answers ERR_IO */
	int builds;
	int marks[4]; /* days changed() marks once, then forgets */
	int64_t cursor_seen;
};

static int fake_build(struct store *s, int ymd, int64_t start, int64_t end, void *arg)
{
	struct fake *f = arg;

	assert_int_equal(start, report_day_start(ymd));
	assert_int_equal(end, report_day_start(report_ymd_next(ymd)));
	if (f->fail)
		return ERR_IO;
	f->builds++;
	/* Deletes and inserts as a real kind does: building twice leaves one row. */
	if (store_run(s, "DELETE FROM fake_sum WHERE ymd = ?", NULL, "i", (int64_t)ymd) < 0)
		return ERR_IO;
	return store_run(s,
			 "INSERT INTO fake_sum(ymd, builds) VALUES (?1, 1)"
			 " ON CONFLICT(ymd) DO UPDATE SET builds = builds + 1",
			 NULL, "i", (int64_t)ymd) < 0
		       ? ERR_IO
		       : 0;
}

static int64_t fake_first(struct store *s, void *arg)
{
	(void)s;
	return ((struct fake *)arg)->first;
}

static int fake_changed(struct store *s, int64_t *cursor, void *arg)
{
	struct fake *f = arg;

	f->cursor_seen = *cursor;
	for (int i = 0; i < 4; i++)
		if (f->marks[i]) {
			int rc = report_day_mark(s, "fake", f->marks[i]);

			if (rc < 0)
				return rc;
			f->marks[i] = 0;
		}
	(*cursor)++;
	return 0;
}

static int64_t count(struct store *s, const char *sql)
{
	int64_t n = -1;

	assert_true(store_run(s, sql, &n, "") >= 0);
	return n;
}

static int sum_setup(void **state)
{
	struct store *s;

	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	s = test_store_open();
	assert_true(store_run(s,
			      "CREATE TABLE fake_sum (ymd INTEGER PRIMARY KEY, builds INTEGER)",
			      NULL, "") >= 0);
	report_kinds_reset();
	*state = s;
	return 0;
}

static int sum_teardown(void **state)
{
	report_kinds_reset();
	test_store_close(*state);
	return 0;
}

#define NOON(ymd) (report_day_start(ymd) + 12 * 3600000LL)

static void summary_catches_up_and_rebuilds_marked_days(void **state)
{
	struct store *s = *state;
	struct fake f = {0};
	struct report_kind k = {"fake", fake_build, fake_first, fake_changed, &f};

	/* The first fact on 2026-01-10 at 23:30: the summary starts on the 9th. */
	f.first = report_day_start(20260110) + 23 * 3600000LL + 30 * 60000LL;
	assert_int_equal(report_kind_add(&k), 0);
	assert_int_equal(report_sum_through(s, "fake"), 0);

	/* Today is 2026-03-01: yesterday is 02-28, 50 days after the 9th of January. */
	assert_int_equal(report_sum_tick(s, NOON(20260301), NULL), 0);
	assert_int_equal(report_sum_through(s, "fake"), 20260209); /* 31 days: 01-10..02-09 */
	assert_int_equal(f.builds, REPORT_SUM_ROUND);
	assert_int_equal(count(s, "SELECT MIN(ymd) FROM fake_sum"), 20260110);
	assert_int_equal(report_sum_tick(s, NOON(20260301), NULL), 0);
	assert_int_equal(report_sum_through(s, "fake"), 20260228);
	assert_int_equal(f.builds, 50);
	assert_int_equal(f.cursor_seen, 1); /* the cursor is kept between rounds */

	/* Nothing changed, nothing closed: a round builds nothing. */
	assert_int_equal(report_sum_tick(s, NOON(20260301), NULL), 0);
	assert_int_equal(f.builds, 50);

	/* Marked days are rebuilt once; a day after the summary's end is not marked. */
	f.marks[0] = 20260115;
	f.marks[1] = 20260220;
	f.marks[2] = 20260115;
	f.marks[3] = 20260301;
	assert_int_equal(report_sum_tick(s, NOON(20260301), NULL), 0);
	assert_int_equal(f.builds, 52);
	assert_int_equal(count(s, "SELECT COUNT(*) FROM fake_sum WHERE ymd = 20260115"), 1);
	assert_int_equal(count(s, "SELECT COUNT(*) FROM fake_sum"), 50); /* one row a day */
	assert_int_equal(count(s, "SELECT COUNT(*) FROM report_dirty"), 0);

	/* The next day closes: one build. */
	assert_int_equal(report_sum_tick(s, NOON(20260302), NULL), 0);
	assert_int_equal(report_sum_through(s, "fake"), 20260301);
	assert_int_equal(f.builds, 53);
}

/* A failing kind keeps its place (nothing half-built) and does not hold another back. */
static void failing_kind_does_not_stop_another(void **state)
{
	struct store *s = *state;
	struct fake bad = {0}, good = {0};
	struct report_kind kb = {"bad", fake_build, fake_first, NULL, &bad};
	struct report_kind kg = {"fake", fake_build, fake_first, fake_changed, &good};

	bad.first = report_day_start(20260201);
	bad.fail = 1;
	good.first = report_day_start(20260201);
	assert_int_equal(report_kind_add(&kb), 0);
	assert_int_equal(report_kind_add(&kg), 0);
	assert_int_equal(report_sum_tick(s, NOON(20260205), NULL), ERR_IO);
	assert_int_equal(report_sum_through(s, "bad"), 20260131);
	assert_int_equal(report_sum_through(s, "fake"), 20260204);
	assert_int_equal(good.builds, 4);
	/* Mended, the failing kind catches up where it stopped. */
	bad.fail = 0;
	assert_int_equal(report_sum_tick(s, NOON(20260205), NULL), 0);
	assert_int_equal(report_sum_through(s, "bad"), 20260204);
	assert_int_equal(bad.builds, 4);
	assert_int_equal(good.builds, 4);
}

/* A kind with no facts yet starts at yesterday: there is nothing before to build. */
static void kind_without_facts_starts_at_yesterday(void **state)
{
	struct store *s = *state;
	struct fake f = {0};
	struct report_kind k = {"fake", fake_build, fake_first, NULL, &f};

	assert_int_equal(report_kind_add(&k), 0);
	assert_int_equal(report_sum_tick(s, NOON(20260205), NULL), 0);
	assert_int_equal(report_sum_through(s, "fake"), 20260204);
	assert_int_equal(f.builds, 0);
	assert_int_equal(report_sum_tick(s, NOON(20260206), NULL), 0);
	assert_int_equal(f.builds, 1);
	/* A fact later than now (a clock set back) does not build days to come. */
	assert_int_equal(report_day_mark(s, "fake", 20260210), 0);
	assert_int_equal(count(s, "SELECT COUNT(*) FROM report_dirty"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buckets),
		cmocka_unit_test(ymd_next_and_count),
		cmocka_unit_test_setup_teardown(summary_catches_up_and_rebuilds_marked_days,
						sum_setup, sum_teardown),
		cmocka_unit_test_setup_teardown(failing_kind_does_not_stop_another, sum_setup,
						sum_teardown),
		cmocka_unit_test_setup_teardown(kind_without_facts_starts_at_yesterday, sum_setup,
						sum_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
