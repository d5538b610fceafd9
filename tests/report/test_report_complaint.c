/*
 * Unit tests of the complaint statistics' summary (report_complaint_store.c,
 * RPT-2): a closed day's rows built by the summary kind "complaints" are the
 * rows read from the orders, building a day twice gives the same rows, an
 * order changed after its day closed (a wo_event) has its day rebuilt, and
 * the period helpers the reports share (report_ymd_add, report_buckets).
 *
 * The center is in Asia/Shanghai: 2026-11-22 starts at NOV22.
 */
#include "testutil.h"

#include "core/clock.h"
#include "core/err.h"
#include "report/report.h"

#define MIN 60000LL
#define HOUR (60 * MIN)
#define NOV22 1795276800000LL /* 2026-11-22 00:00 in Shanghai */
#define DAY (24 * HOUR)

static int64_t order_add(struct store *s, const char *cls, const char *complaint,
			 const char *region, int64_t at)
{
	int64_t id = 0;

	assert_true(store_run(s,
			      "INSERT INTO work_order(number, class, level, complaint, state,"
			      " first_agent_id, summary, region, created_at, updated_at)"
			      " VALUES ('N' || (SELECT COUNT(*) + 1 FROM work_order), ?, 'Ⅲ', ?,"
			      " 'dispatched', 1, '投诉', ?, ?, ?) RETURNING id",
			      &id, "tTTii", cls, complaint, region, at, at) >= 0);
	return id;
}

struct rows {
	struct report_complaint_row v[32];
	int n;
};

static int keep(void *ctx, const struct report_complaint_row *c)
{
	struct rows *r = ctx;

	assert_true(r->n < 32);
	r->v[r->n++] = *c;
	return 0;
}

static int64_t count_of(const struct rows *r, int ymd, const char *region)
{
	int64_t n = 0;

	for (int i = 0; i < r->n; i++)
		if (r->v[i].ymd == ymd && (!region || strcmp(r->v[i].region, region) == 0))
			n += r->v[i].opened;
	return n;
}

static void summary_is_the_facts(void **state)
{
	struct store *s = test_store_open();
	struct rows before = {.n = 0}, after = {.n = 0};
	int64_t o1, n = 0;

	(void)state;
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	assert_true(store_run(s,
			      "INSERT INTO person(work_no, name, created_at, updated_at)"
			      " VALUES ('8101', '刘洋', 0, 0)",
			      NULL, "") >= 0);
	o1 = order_add(s, "A1", "svc_not_clean", "广东省深圳市", NOV22 + HOUR);
	order_add(s, "A1", "svc_not_clean", "广东省深圳市", NOV22 + 2 * HOUR);
	order_add(s, "A2", "merchant_complaint", NULL, NOV22 + DAY + HOUR);
	order_add(s, "E", NULL, "广东省深圳市", NOV22 + DAY + 2 * HOUR); /* no complaint */
	order_add(s, "D", NULL, "北京市", NOV22 + 2 * DAY + HOUR);	 /* today */

	/* Nothing summarised yet: every day from the orders. */
	assert_int_equal(report_complaint_rows(s, 20261122, 20261124, 0, keep, &before), 3);
	assert_int_equal(count_of(&before, 20261122, "广东省深圳市"), 2);
	assert_int_equal(count_of(&before, 20261123, ""), 1);
	assert_int_equal(count_of(&before, 20261124, "北京市"), 1);

	report_kinds_reset();
	assert_int_equal(report_complaint_kind_add(), 0);
	assert_true(report_sum_tick(s, NOV22 + 2 * DAY + 3 * HOUR, NULL) >= 0);
	assert_int_equal(report_sum_through(s, "complaints"), 20261123);
	assert_true(store_run(s, "SELECT SUM(opened) FROM report_complaint_day", &n, "") >= 0);
	assert_int_equal(n, 3);
	assert_int_equal(report_complaint_rows(s, 20261122, 20261124, 0, keep, &after), 3);
	for (int i = 0; i < before.n; i++)
		assert_int_equal(count_of(&after, before.v[i].ymd, before.v[i].region),
				 count_of(&before, before.v[i].ymd, before.v[i].region));

	/* A day closed: o1 moves to another region, its change is an event; the
	 * next round rebuilds 2026-11-22, and twice gives the same rows. */
	assert_true(store_run(s, "UPDATE work_order SET region = '广东省广州市' WHERE id = ?", NULL,
			      "i", o1) >= 0);
	assert_true(store_run(s, "INSERT INTO wo_event(order_id, at, kind) VALUES (?, ?, 'assign')",
			      NULL, "ii", o1, NOV22 + 2 * DAY + 4 * HOUR) >= 0);
	for (int round = 0; round < 3; round++)
		assert_true(report_sum_tick(s, NOV22 + 2 * DAY + 5 * HOUR, NULL) >= 0);
	after.n = 0;
	assert_true(report_complaint_rows(s, 20261122, 20261122, 0, keep, &after) >= 0);
	assert_int_equal(count_of(&after, 20261122, "广东省深圳市"), 1);
	assert_int_equal(count_of(&after, 20261122, "广东省广州市"), 1);
	assert_true(store_run(s, "SELECT COUNT(*) FROM report_complaint_day WHERE ymd = 20261122",
			      &n, "") >= 0);
	assert_int_equal(n, 2);
	report_kinds_reset();
	test_store_close(s);
}

static void period_helpers(void **state)
{
	int *b = NULL;

	(void)state;
	assert_int_equal(report_ymd_add(20261231, 1), 20270101);
	assert_int_equal(report_ymd_add(20260301, -1), 20260228);
	assert_int_equal(report_ymd_add(20261122, -59), 20260924);
	/* 2026-11-22 is a Sunday: its week began on the 16th. */
	assert_int_equal(report_buckets(20261122, 20261201, RG_WEEK, &b), 3);
	assert_int_equal(b[0], 20261116);
	assert_int_equal(b[1], 20261123);
	assert_int_equal(b[2], 20261130);
	free(b);
	assert_int_equal(report_buckets(20261122, 20270105, RG_MONTH, &b), 3);
	assert_int_equal(b[2], 20270101);
	free(b);
	assert_int_equal(report_buckets(20261122, 20270105, RG_ALL, &b), 1);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(summary_is_the_facts),
		cmocka_unit_test(period_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
