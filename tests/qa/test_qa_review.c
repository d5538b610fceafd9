/* Unit tests of src/qa's review rules (QA-1, QA-5): a scorecard's total
 * with weights and fatal items, the must-review reasons in their order,
 * the weekly quota and the deterministic sample, the local week, new
 * hires, and the steps of assessments and appeals. And the store: the
 * seeded scorecard 通话质检评分表 (seed 004's five dimensions). */
#include "testutil.h"

#include "core/clock.h"
#include "core/err.h"
#include "qa/qa.h"

#define DAY 86400000LL
/* 2026-12-07 00:00 in Asia/Shanghai, a Monday. */
#define DEC7 1796572800000LL

static struct qa_item item(int dim, int max, int weight, int fatal)
{
	struct qa_item it;

	memset(&it, 0, sizeof(it));
	it.dimension = dim;
	it.max_points = max;
	it.weight = weight;
	it.fatal = fatal;
	snprintf(it.label, sizeof(it.label), "x");
	return it;
}

static void totals(void **state)
{
	struct qa_item it[3] = {item(QD_ATTITUDE, 10, 30, 0), item(QD_SKILL, 20, 70, 0),
				item(QD_ATTITUDE, 1, 0, 1)};
	int s1[3] = {10, 20, 1}, s2[3] = {5, 10, 1}, s3[3] = {10, 20, 0}, s4[3] = {10, -1, 1};
	int s5[3] = {11, 20, 1}, s6[3] = {7, 13, 1};
	int total = -1, fatal = -1;
	size_t bad = 99;

	(void)state;
	assert_int_equal(qa_total(it, 3, s1, &total, &fatal, &bad), 0);
	assert_int_equal(total, 100);
	assert_int_equal(fatal, 0);
	assert_int_equal(qa_total(it, 3, s2, &total, &fatal, &bad), 0);
	assert_int_equal(total, 50);
	/* 100 · (30·0.7 + 70·0.65) / 100 = 66.5, rounded half up. */
	assert_int_equal(qa_total(it, 3, s6, &total, &fatal, &bad), 0);
	assert_int_equal(total, 67);
	/* A fatal item failed: 0 whatever the rest (致命项). */
	assert_int_equal(qa_total(it, 3, s3, &total, &fatal, &bad), 0);
	assert_int_equal(total, 0);
	assert_int_equal(fatal, 1);
	/* Unscored or over the item's points: which item. */
	assert_int_equal(qa_total(it, 3, s4, &total, &fatal, &bad), ERR_UNPROCESSABLE);
	assert_int_equal(bad, 1);
	assert_int_equal(qa_total(it, 3, s5, &total, &fatal, &bad), ERR_UNPROCESSABLE);
	assert_int_equal(bad, 0);
}

static void must_reasons(void **state)
{
	struct qa_signals sg;

	(void)state;
	memset(&sg, 0, sizeof(sg));
	assert_int_equal(qa_must_reason(&sg, 2), QR_NONE);
	sg.survey = 3;
	assert_int_equal(qa_must_reason(&sg, 2), QR_NONE);
	sg.survey = 2; /* call.survey ≤ 2: low satisfaction */
	assert_int_equal(qa_must_reason(&sg, 2), QR_LOW_SURVEY);
	sg.check_high = 1; /* without a check row the count means nothing */
	assert_int_equal(qa_must_reason(&sg, 2), QR_LOW_SURVEY);
	sg.has_check = 1;
	assert_int_equal(qa_must_reason(&sg, 2), QR_HIGH_HITS);
	sg.class_f = 1;
	assert_int_equal(qa_must_reason(&sg, 2), QR_CLASS_F);
	sg.escalation = 1;
	assert_int_equal(qa_must_reason(&sg, 2), QR_ESCALATION);
	sg.complaint = 1;
	assert_int_equal(qa_must_reason(&sg, 2), QR_COMPLAINT);
	sg.check_fatal = 1;
	assert_int_equal(qa_must_reason(&sg, 2), QR_FATAL_CHECK);
	assert_true(qa_reason_must(QR_FATAL_CHECK) && qa_reason_must(QR_LOW_SURVEY));
	assert_false(qa_reason_must(QR_SAMPLE) || qa_reason_must(QR_NEW_HIRE) ||
		     qa_reason_must(QR_MANUAL));
	assert_int_equal(qa_reason_parse("class_f"), QR_CLASS_F);
	assert_string_equal(qa_reason_name(QR_NEW_HIRE), "new_hire");
}

static void quotas(void **state)
{
	struct qa_plan ratio = {QP_RATIO, 10, 0}, count = {QP_COUNT, 0, 3};

	(void)state;
	assert_int_equal(qa_sample_quota(&ratio, 0), 0);
	assert_int_equal(qa_sample_quota(&ratio, 1), 1); /* ceil(0.1) */
	assert_int_equal(qa_sample_quota(&ratio, 10), 1);
	assert_int_equal(qa_sample_quota(&ratio, 11), 2);
	assert_int_equal(qa_sample_quota(&count, 2), 2);
	assert_int_equal(qa_sample_quota(&count, 20), 3);
	ratio.ratio_pct = 100;
	assert_int_equal(qa_sample_quota(&ratio, 7), 7);
}

static int contains(const int64_t *v, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == id)
			return 1;
	return 0;
}

static void sample_deterministic(void **state)
{
	int64_t ids[20], rev[20], a[20], b[20], c[20];
	struct qa_plan p = {QP_COUNT, 0, 4};
	size_t na, nb, nc, differs = 0;

	(void)state;
	for (int i = 0; i < 20; i++) {
		ids[i] = 100 + i;
		rev[19 - i] = 100 + i;
	}
	na = qa_sample_pick(ids, 20, 0, &p, 42, DEC7, a);
	nb = qa_sample_pick(rev, 20, 0, &p, 42, DEC7, b);
	assert_int_equal(na, 4);
	assert_int_equal(nb, 4);
	/* The same candidates in any order, the same seed and week: the same sample. */
	for (size_t i = 0; i < na; i++) {
		assert_true(a[i] == b[i]);
		assert_true(contains(ids, 20, a[i]));
		for (size_t j = 0; j < i; j++)
			assert_true(a[i] != a[j]);
	}
	/* Another week draws another sample (of some seeds at least one differs). */
	for (int64_t w = 1; w <= 8; w++) {
		nc = qa_sample_pick(ids, 20, 0, &p, 42, DEC7 + w * 7 * DAY, c);
		assert_int_equal(nc, 4);
		for (size_t i = 0; i < nc; i++)
			differs += !contains(a, na, c[i]);
	}
	assert_true(differs > 0);
	/* Contacts already assessed that week count towards the quota. */
	assert_int_equal(qa_sample_pick(ids, 20, 3, &p, 42, DEC7, c), 1);
	assert_int_equal(qa_sample_pick(ids, 20, 4, &p, 42, DEC7, c), 0);
	assert_int_equal(qa_sample_pick(ids, 2, 0, &p, 42, DEC7, c), 2);
	assert_int_equal(qa_sample_pick(ids, 0, 0, &p, 42, DEC7, c), 0);
	/* By ratio: 25 % of 20 + 0 taken is 5. */
	p.mode = QP_RATIO;
	p.ratio_pct = 25;
	assert_int_equal(qa_sample_pick(ids, 20, 0, &p, 7, DEC7, c), 5);
}

static void weeks_and_hires(void **state)
{
	(void)state;
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	assert_true(qa_week_start(DEC7) == DEC7);
	assert_true(qa_week_start(DEC7 + 3 * DAY + 5 * 3600000LL) == DEC7);
	assert_true(qa_week_start(DEC7 + 7 * DAY - 1) == DEC7);
	assert_true(qa_week_start(DEC7 + 7 * DAY) == DEC7 + 7 * DAY);
	/* Sunday 23:59 local is in the week that began the Monday before. */
	assert_true(qa_week_start(DEC7 - 60000) == DEC7 - 7 * DAY);
	/* 2027-01-01 (a Friday) is in the week of Monday 2026-12-28. */
	assert_true(qa_week_start(DEC7 + 25 * DAY) == DEC7 + 21 * DAY);
	assert_true(qa_new_hire(DEC7 - 10 * DAY, DEC7, 90));
	assert_false(qa_new_hire(DEC7 - 91 * DAY, DEC7, 90));
	assert_false(qa_new_hire(DEC7 - 10 * DAY, DEC7, 0));
}

static void steps(void **state)
{
	const char *why = NULL;
	int64_t until = DEC7 + 3 * DAY;

	(void)state;
	assert_int_equal(qa_step_check("open", QS_EDIT, 0, 0, DEC7, &why), 0);
	assert_int_equal(qa_step_check("draft", QS_CLOSE, 0, 0, DEC7, &why), 0);
	assert_int_equal(qa_step_check("closed", QS_EDIT, 0, until, DEC7, &why), ERR_CONFLICT);
	assert_string_equal(why, "the assessment is closed");
	assert_int_equal(qa_step_check("closed", QS_CLOSE, 0, until, DEC7, &why), ERR_CONFLICT);
	assert_int_equal(qa_step_check("appealed", QS_EDIT, 1, until, DEC7, &why), ERR_CONFLICT);
	/* Appeals: closed, within the window, at most two, one at a time. */
	assert_int_equal(qa_step_check("draft", QS_APPEAL, 0, 0, DEC7, &why), ERR_CONFLICT);
	assert_string_equal(why, "the assessment is not closed yet");
	assert_int_equal(qa_step_check("closed", QS_APPEAL, 0, until, until - 1, &why), 0);
	assert_int_equal(qa_step_check("closed", QS_APPEAL, 0, until, until, &why), ERR_CONFLICT);
	assert_string_equal(why, "the appeal window has passed");
	assert_int_equal(qa_step_check("appealed", QS_APPEAL, 1, until, DEC7, &why), ERR_CONFLICT);
	assert_string_equal(why, "an appeal is pending");
	assert_int_equal(qa_step_check("closed", QS_APPEAL, 1, until, DEC7, &why), 0);
	assert_int_equal(qa_step_check("closed", QS_APPEAL, 2, until, DEC7, &why), ERR_CONFLICT);
	assert_string_equal(why, "both appeals have been made");
	assert_int_equal(qa_step_check("appealed", QS_DECIDE, 1, until, DEC7, &why), 0);
	assert_int_equal(qa_step_check("closed", QS_DECIDE, 1, until, DEC7, &why), ERR_CONFLICT);
	assert_string_equal(why, "no appeal is pending");
	assert_int_equal(qa_decided_score(QDEC_CHANGED, 60, 85), 85);
	assert_int_equal(qa_decided_score(QDEC_UPHELD, 60, -1), 60);
	assert_int_equal(qa_decided_score(QDEC_REJECTED, 60, -1), 60);
	assert_int_equal(qa_decision_parse("changed"), QDEC_CHANGED);
	assert_int_equal(qa_decision_parse("maybe"), -1);
}

/* The seed: 通话质检评分表, every QA-5 dimension, weights of 100, two fatal items. */
static void seeded_scorecard(void **state)
{
	struct store *s = test_store_open();
	struct qa_scorecard *c = malloc(sizeof(*c));
	int dims[QD_COUNT] = {0}, wsum = 0, fatal = 0, scores[QA_ITEMS_MAX], total, f;
	size_t bad;

	(void)state;
	assert_int_equal(qa_scorecard_default(s, c), 0);
	assert_string_equal(c->name, "通话质检评分表");
	assert_int_equal(c->version, 1);
	assert_int_equal(c->n, 11);
	for (size_t i = 0; i < c->n; i++) {
		assert_true(c->items[i].dimension >= 0);
		dims[c->items[i].dimension]++;
		wsum += c->items[i].weight;
		fatal += c->items[i].fatal;
		scores[i] = c->items[i].max_points;
	}
	for (int d = 0; d < QD_COUNT; d++)
		assert_true(dims[d] > 0);
	assert_int_equal(wsum, 100);
	assert_int_equal(fatal, 2);
	assert_int_equal(qa_total(c->items, c->n, scores, &total, &f, &bad), 0);
	assert_int_equal(total, 100);
	free(c);
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(totals),	    cmocka_unit_test(must_reasons),
		cmocka_unit_test(quotas),	    cmocka_unit_test(sample_deterministic),
		cmocka_unit_test(weeks_and_hires),  cmocka_unit_test(steps),
		cmocka_unit_test(seeded_scorecard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
