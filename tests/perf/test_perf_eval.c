/*
 * perf: the month's evaluation (PERF-1, PERF-3): the praise tiers at their
 * edges, the dimensions and the weighted total, ranking with ties, the
 * rank rewards at and around the threshold, the last rank below it.
 */
#include "testutil.h"

#include <string.h>

#include "perf/perf.h"

/* Figures are rounded to 0.01: compared in hundredths. */
#define assert_hundredths(x, want)                                                                 \
	assert_int_equal((long)((x)*100 + ((x) < 0 ? -0.5 : 0.5)), (long)((want)*100 + 0.5))

static void test_praise_tiers(void **state)
{
	struct perf_settings s;
	/* PERF-1: 10 → ¥10, 30 → ¥30, 50 or more → ¥50. */
	static const struct {
		int praise;
		int64_t fen;
		int tier;
	} cases[] = {{0, 0, -1},    {9, 0, -1},	   {10, 1000, 0}, {29, 1000, 0},  {30, 3000, 1},
		     {49, 3000, 1}, {50, 5000, 2}, {51, 5000, 2}, {500, 5000, 2}, {-1, 0, -1}};

	(void)state;
	perf_settings_default(&s);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int tier = 7;

		assert_int_equal(perf_praise_reward(&s, cases[i].praise, &tier), cases[i].fen);
		assert_int_equal(tier, cases[i].tier);
	}
	/* The tiers are data: another center's amounts. */
	s.praise_count[0] = 5;
	s.praise_fen[0] = 800;
	assert_int_equal(perf_praise_reward(&s, 5, NULL), 800);
	assert_int_equal(perf_praise_reward(&s, 4, NULL), 0);
}

static void test_settings_bad(void **state)
{
	struct perf_settings s;

	(void)state;
	perf_settings_default(&s);
	assert_null(perf_settings_bad(&s));
	s.weight[PERF_DIM_QUALITY] = 101;
	assert_string_equal(perf_settings_bad(&s), "weight.quality");
	perf_settings_default(&s);
	memset(s.weight, 0, sizeof(s.weight));
	assert_string_equal(perf_settings_bad(&s), "weight");
	perf_settings_default(&s);
	s.threshold = -1;
	assert_string_equal(perf_settings_bad(&s), "threshold");
	perf_settings_default(&s);
	s.praise_count[1] = 10; /* not above the first tier */
	assert_string_equal(perf_settings_bad(&s), "praise_count");
	perf_settings_default(&s);
	s.last_fen = 100; /* the last rank's is a penalty */
	assert_string_equal(perf_settings_bad(&s), "last_fen");
	perf_settings_default(&s);
	s.rank_fen[2] = -1;
	assert_string_equal(perf_settings_bad(&s), "rank_fen");
}

/* Settings that weigh praise alone: each agent's total is 80 + 2·praise −
 * 10·criticism, so the tests choose totals exactly. */
static void praise_only(struct perf_settings *s, int threshold)
{
	perf_settings_default(s);
	memset(s->weight, 0, sizeof(s->weight));
	s->weight[PERF_DIM_PRAISE] = 100;
	s->threshold = threshold;
}

static void agents(struct perf_figures *f, size_t n, const int *praise, const int *criticism)
{
	memset(f, 0, n * sizeof(*f));
	for (size_t i = 0; i < n; i++) {
		f[i].person_id = (int64_t)i + 1;
		f[i].praise = praise[i];
		f[i].criticism = criticism[i];
	}
}

static void test_dimensions(void **state)
{
	struct perf_settings s;
	struct perf_figures f[2];
	struct perf_score o[2];

	(void)state;
	perf_settings_default(&s);
	memset(f, 0, sizeof(f));
	f[0].person_id = 1;
	f[0].praise = 3;
	f[0].criticism = 1;
	f[0].qa_checks = 4;
	f[0].qa_score_sum = 340; /* 85 */
	f[0].reviews = 1;
	f[0].review_sum = 95; /* quality (85 + 95) / 2 = 90 */
	f[0].rated = 2;
	f[0].rating_sum = 9; /* 90 */
	f[0].cb_accepted = 1;
	f[0].cb_not_accepted = 1; /* 50: satisfaction 70 */
	f[0].days_scheduled = 20;
	f[0].late_days = 1;
	f[0].absent_days = 1; /* 100 − 5 − 20 = 75 */
	f[0].contacts = 50;
	f[0].calls = 10;
	f[0].talk_ms = 10 * 200000;
	f[0].acw_ms = 0; /* 200 s per call */
	f[0].sessions = 4;
	f[0].attended = 3;
	f[0].exams = 1;
	f[0].exam_score = 85; /* (75 + 85) / 2 = 80 */
	f[1].person_id = 2;
	f[1].contacts = 100;
	f[1].calls = 10;
	f[1].talk_ms = 10 * 300000;
	f[1].acw_ms = 10 * 100000; /* 400 s per call */
	perf_eval_month(&s, f, 2, o);
	assert_true(o[0].has[PERF_DIM_PRAISE]);
	assert_hundredths(o[0].dim[PERF_DIM_PRAISE], 76); /* 80 + 6 − 10 */
	assert_hundredths(o[0].dim[PERF_DIM_QUALITY], 90);
	assert_hundredths(o[0].dim[PERF_DIM_SATISFACTION], 70);
	assert_hundredths(o[0].dim[PERF_DIM_ATTENDANCE], 75);
	/* The center's handling time: (2000 + 4000) s / 20 calls = 300 s. Agent 1
	 * handled half the busiest's contacts (50) and is faster than the center
	 * (capped at 100): (50 + 100) / 2 = 75; agent 2: (100 + 75) / 2 = 87.5. */
	assert_hundredths(o[0].dim[PERF_DIM_EFFICIENCY], 75);
	assert_hundredths(o[1].dim[PERF_DIM_EFFICIENCY], 87.5);
	assert_hundredths(o[0].dim[PERF_DIM_TRAINING], 80);
	/* (15·76 + 30·90 + 20·70 + 15·75 + 10·75 + 10·80) / 100 = 79.15 */
	assert_hundredths(o[0].total, 79.15);
	/* Agent 2 has praise 80 and efficiency 87.5 only: (15·80 + 10·87.5) / 25 = 83. */
	assert_false(o[1].has[PERF_DIM_QUALITY]);
	assert_false(o[1].has[PERF_DIM_ATTENDANCE]);
	assert_false(o[1].has[PERF_DIM_TRAINING]);
	assert_hundredths(o[1].total, 83);
	assert_int_equal(o[1].rank, 1);
	assert_int_equal(o[0].rank, 2);
	assert_true(o[0].last);
	/* Both at or above 60: 1st ¥100, 2nd ¥50; the last is not below. */
	assert_int_equal(o[1].rank_fen, 10000);
	assert_int_equal(o[0].rank_fen, 5000);
}

static void test_ties(void **state)
{
	struct perf_settings s;
	struct perf_figures f[6];
	struct perf_score o[6];
	/* Totals 90, 90, 86, 84, 84, 70. */
	static const int praise[6] = {5, 5, 3, 2, 2, 0}, crit[6] = {0, 0, 0, 0, 0, 1};

	(void)state;
	praise_only(&s, 60);
	agents(f, 6, praise, crit);
	perf_eval_month(&s, f, 6, o);
	assert_int_equal(o[0].rank, 1);
	assert_int_equal(o[1].rank, 1);
	assert_int_equal(o[2].rank, 3); /* two ahead of it */
	assert_int_equal(o[3].rank, 4);
	assert_int_equal(o[4].rank, 4);
	assert_int_equal(o[5].rank, 6);
	/* Both firsts get the first's reward; nobody is 2nd; the 3rd gets ¥30. */
	assert_int_equal(o[0].rank_fen, 10000);
	assert_int_equal(o[1].rank_fen, 10000);
	assert_int_equal(o[2].rank_fen, 3000);
	assert_int_equal(o[3].rank_fen, 0);
	assert_int_equal(o[4].rank_fen, 0);
	/* The last (70) is above the threshold: no penalty. */
	assert_true(o[5].last);
	assert_int_equal(o[5].rank_fen, 0);
}

static void test_threshold_edges(void **state)
{
	struct perf_settings s;
	struct perf_figures f[4];
	struct perf_score o[4];
	/* Totals 84, 82, 80, 60. */
	static const int praise[4] = {2, 1, 0, 0}, crit[4] = {0, 0, 0, 2};

	(void)state;
	/* Threshold 82: the 2nd exactly at it is rewarded, the 3rd (80) below
	 * is not; the last (60) is below: −¥50. */
	praise_only(&s, 82);
	agents(f, 4, praise, crit);
	perf_eval_month(&s, f, 4, o);
	assert_int_equal(o[0].rank_fen, 10000);
	assert_int_equal(o[1].rank_fen, 5000);
	assert_int_equal(o[2].rank_fen, 0);
	assert_int_equal(o[3].rank, 4);
	assert_true(o[3].last);
	assert_int_equal(o[3].rank_fen, -5000);
	/* Threshold 60: the last exactly at it is not below it. */
	praise_only(&s, 60);
	perf_eval_month(&s, f, 4, o);
	assert_int_equal(o[2].rank_fen, 3000);
	assert_int_equal(o[3].rank_fen, 0);
	/* Threshold 61: the last one below it. */
	praise_only(&s, 61);
	perf_eval_month(&s, f, 4, o);
	assert_int_equal(o[3].rank_fen, -5000);
	/* Below the threshold but not the last: nothing. */
	praise_only(&s, 90);
	perf_eval_month(&s, f, 4, o);
	assert_int_equal(o[0].rank_fen, 0);
	assert_int_equal(o[2].rank_fen, 0);
	assert_false(o[2].last);
	assert_int_equal(o[3].rank_fen, -5000);
}

static void test_last_tied_and_alone(void **state)
{
	struct perf_settings s;
	struct perf_figures f[3];
	struct perf_score o[3];
	/* Totals 84, 50, 50: the two tied last are both last. */
	static const int praise[3] = {2, 0, 0}, crit[3] = {0, 3, 3};

	(void)state;
	praise_only(&s, 60);
	agents(f, 3, praise, crit);
	perf_eval_month(&s, f, 3, o);
	assert_int_equal(o[1].rank, 2);
	assert_int_equal(o[2].rank, 2);
	assert_true(o[1].last && o[2].last);
	assert_int_equal(o[1].rank_fen, -5000);
	assert_int_equal(o[2].rank_fen, -5000);
	assert_int_equal(o[0].rank_fen, 10000);
	/* One agent alone is first and last: the threshold decides. */
	perf_eval_month(&s, f, 1, o);
	assert_int_equal(o[0].rank_fen, 10000);
	perf_eval_month(&s, f + 1, 1, o);
	assert_int_equal(o[0].rank, 1);
	assert_int_equal(o[0].rank_fen, -5000);
	/* No agent: nothing to do. */
	perf_eval_month(&s, f, 0, o);
}

static void test_praise_in_eval(void **state)
{
	struct perf_settings s;
	struct perf_figures f[6];
	struct perf_score o[6];
	static const int praise[6] = {9, 10, 29, 30, 49, 50}, crit[6] = {0};
	static const int64_t fen[6] = {0, 1000, 1000, 3000, 3000, 5000};

	(void)state;
	perf_settings_default(&s);
	agents(f, 6, praise, crit);
	perf_eval_month(&s, f, 6, o);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(o[i].praise_fen, fen[i]);
		/* The praise dimension is capped at 100 (80 + 2 × 10 and more). */
		assert_true(o[i].dim[PERF_DIM_PRAISE] <= 100);
	}
	assert_hundredths(o[0].dim[PERF_DIM_PRAISE], 98);
	assert_hundredths(o[5].dim[PERF_DIM_PRAISE], 100);
	assert_string_equal(perf_dim_name(PERF_DIM_TRAINING), "training");
	assert_null(perf_dim_name(PERF_DIMS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_praise_tiers),	cmocka_unit_test(test_settings_bad),
		cmocka_unit_test(test_dimensions),	cmocka_unit_test(test_ties),
		cmocka_unit_test(test_threshold_edges), cmocka_unit_test(test_last_tied_and_alone),
		cmocka_unit_test(test_praise_in_eval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
