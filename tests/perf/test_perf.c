/*
 * perf: the center's months and the ledger's guarantees (issue 19, where
 * PERF-1..5 write their money and the absences of PERF-5 come from): a line
 * is written once per cause, never into a closed month, and voided rather
 * than deleted.
 */
#include "testutil.h"

#include "core/clock.h"
#include "core/err.h"
#include "perf/perf.h"

static void test_months(void **state)
{
	char m[8];
	int64_t from, to;

	(void)state;
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	/* 2026-11-30 16:30 UTC is 2026-12-01 00:30 in Shanghai: December. */
	perf_month_of(1796056200000LL, m);
	assert_string_equal(m, "2026-12");
	assert_true(perf_month_valid("2026-12"));
	assert_false(perf_month_valid("2026-13"));
	assert_false(perf_month_valid("2026-00"));
	assert_false(perf_month_valid("2026-1"));
	assert_false(perf_month_valid("2026/12"));
	assert_false(perf_month_valid("1999-12"));
	assert_false(perf_month_valid(NULL));
	perf_month_range("2026-12", &from, &to);
	assert_int_equal(from, 1796054400000LL); /* 2026-12-01 00:00 +08:00 */
	assert_int_equal(to, 1796054400000LL + 31LL * 86400000);
	perf_month_range("2026-02", &from, &to);
	assert_int_equal(to - from, 28LL * 86400000);
	perf_month_range("2026-13", &from, &to);
	assert_int_equal(from, 0);
	assert_int_equal(to, 0);
}

static void test_ledger(void **state)
{
	struct store *s = test_store_open();
	struct perf_line l = {.person_id = 1,
			      .month = "2026-12",
			      .rule = "penalty",
			      .category = "late",
			      .amount_fen = -1000,
			      .reason = "迟到",
			      .source = "trn_attendance",
			      .source_id = 7,
			      .created_at = 1000};
	struct perf_line got;
	int64_t id = 0, again = 0, pid = 0;

	(void)state;
	assert_int_equal(
		store_run(s,
			  "INSERT INTO person(work_no, name, roles, created_at, updated_at)"
			  " VALUES ('9001', '甲', 8, 0, 0) RETURNING id",
			  &pid, ""),
		1);
	l.person_id = pid;
	assert_int_equal(perf_ledger_add(s, &l, &id), 0);
	assert_true(id > 0);
	/* The same cause again: the line that is there, nothing new. */
	l.amount_fen = -3000;
	assert_int_equal(perf_ledger_add(s, &l, &again), 0);
	assert_int_equal(again, id);
	assert_int_equal(perf_ledger_by_source(s, "trn_attendance", 7, &got), 0);
	assert_int_equal(got.amount_fen, -1000);
	assert_string_equal(got.reason, "迟到");
	/* A rule the ledger does not know, and a bad month. */
	strcpy(l.rule, "bonus");
	l.source_id = 8;
	assert_int_equal(perf_ledger_add(s, &l, &again), ERR_INVALID);
	strcpy(l.rule, "penalty");
	strcpy(l.month, "2026-13");
	assert_int_equal(perf_ledger_add(s, &l, &again), ERR_INVALID);
	strcpy(l.month, "2026-12");
	/* Voided, not deleted; voiding twice finds nothing that counts. */
	assert_int_equal(perf_ledger_void(s, "trn_attendance", 7, pid, 2000, "请假已批"), 0);
	assert_int_equal(perf_ledger_by_source(s, "trn_attendance", 7, &got), 0);
	assert_int_equal(got.voided_at, 2000);
	assert_string_equal(got.void_reason, "请假已批");
	assert_int_equal(perf_ledger_void(s, "trn_attendance", 7, pid, 3000, "x"), ERR_NOTFOUND);
	/* A closed month takes no new line and voids none. */
	l.source_id = 9;
	assert_int_equal(perf_ledger_add(s, &l, &again), 0);
	assert_int_equal(perf_month_closed(s, "2026-12"), 0);
	assert_int_equal(
		store_run(s, "INSERT INTO perf_month(month, state) VALUES ('2026-12', 'closed')",
			  NULL, ""),
		0);
	assert_int_equal(perf_month_closed(s, "2026-12"), 1);
	l.source_id = 10;
	assert_int_equal(perf_ledger_add(s, &l, &again), ERR_CONFLICT);
	assert_int_equal(perf_ledger_void(s, "trn_attendance", 9, pid, 3000, "x"), ERR_CONFLICT);
	/* A line without a cause is written each time. */
	l.source[0] = '\0';
	strcpy(l.month, "2027-01");
	assert_int_equal(perf_ledger_add(s, &l, &id), 0);
	assert_int_equal(perf_ledger_add(s, &l, &again), 0);
	assert_true(again != id);
	test_store_close(s);
}

static int n_seen;
static int fake_absences(struct store *s, int64_t from, int64_t to, perf_absence_fn *cb, void *arg)
{
	struct perf_absence a = {.person_id = 1, .at = from, .source = "x", .source_id = 1};

	(void)s;
	(void)to;
	return cb(arg, &a) < 0 ? -1 : 1;
}

static int count_cb(void *arg, const struct perf_absence *a)
{
	(void)arg;
	(void)a;
	return ++n_seen;
}

static const struct perf_source fake = {.name = "fake", .absences = fake_absences};

static void test_sources(void **state)
{
	const struct perf_source *const *src;
	int n;

	(void)state;
	perf_add_source(&fake);
	perf_add_source(&fake); /* registered once */
	src = perf_sources(&n);
	assert_int_equal(n, 1);
	assert_int_equal(src[0]->absences(NULL, 0, 1, count_cb, NULL), 1);
	assert_int_equal(n_seen, 1);
	assert_null(src[0]->training);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_months),
		cmocka_unit_test(test_ledger),
		cmocka_unit_test(test_sources),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
