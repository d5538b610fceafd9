/*
 * perf's cases (PERF-2, PERF-4, PERF-5): the steps each workflow allows,
 * the escalation of repeat offences (seed 000 第十一节三), the settings'
 * checks, the rulebook's default categories, and the tick that turns the
 * sources' absences into penalty proposals once each.
 */
#include "testutil.h"

#include "core/err.h"
#include "perf/perf.h"
#include "store/store.h"

static void test_penalty_steps(void **state)
{
	const char *next = NULL;

	(void)state;
	assert_int_equal(perf_penalty_next("proposed", "confirm", &next), 0);
	assert_string_equal(next, "open");
	assert_int_equal(perf_penalty_next("proposed", "dismiss", &next), 0);
	assert_string_equal(next, "dismissed");
	assert_int_equal(perf_penalty_next("open", "acknowledge", &next), 0);
	assert_string_equal(next, "acknowledged");
	assert_int_equal(perf_penalty_next("open", "object", &next), 0);
	assert_string_equal(next, "objected");
	assert_int_equal(perf_penalty_next("objected", "uphold", &next), 0);
	assert_string_equal(next, "cancelled");
	assert_int_equal(perf_penalty_next("objected", "overrule", &next), 0);
	assert_string_equal(next, "confirmed");
	/* Illegal: answering twice, deciding what nobody objected to, a proposal answered. */
	assert_int_equal(perf_penalty_next("acknowledged", "object", &next), ERR_CONFLICT);
	assert_int_equal(perf_penalty_next("open", "uphold", &next), ERR_CONFLICT);
	assert_int_equal(perf_penalty_next("proposed", "acknowledge", &next), ERR_CONFLICT);
	assert_int_equal(perf_penalty_next("dismissed", "confirm", &next), ERR_CONFLICT);
	assert_int_equal(perf_penalty_next("cancelled", "overrule", &next), ERR_CONFLICT);
	assert_true(perf_penalty_counts("open"));
	assert_true(perf_penalty_counts("acknowledged"));
	assert_true(perf_penalty_counts("objected"));
	assert_true(perf_penalty_counts("confirmed"));
	assert_false(perf_penalty_counts("proposed"));
	assert_false(perf_penalty_counts("dismissed"));
	assert_false(perf_penalty_counts("cancelled"));
}

static void test_proposal_and_grievance_steps(void **state)
{
	const char *next = NULL;

	(void)state;
	assert_int_equal(perf_proposal_next("submitted", "review", &next), 0);
	assert_int_equal(perf_proposal_next("reviewed", "adopt", &next), 0);
	assert_string_equal(next, "adopted");
	assert_int_equal(perf_proposal_next("adopted", "pay", &next), 0);
	assert_string_equal(next, "paid");
	assert_int_equal(perf_proposal_next("submitted", "adopt", &next), ERR_CONFLICT);
	assert_int_equal(perf_proposal_next("submitted", "pay", &next), ERR_CONFLICT);
	assert_int_equal(perf_proposal_next("adopted", "reject", &next), ERR_CONFLICT);
	assert_int_equal(perf_proposal_next("paid", "pay", &next), ERR_CONFLICT);

	/* PERF-4's five steps in order, none skipped. */
	assert_int_equal(perf_grievance_next("submitted", "review", &next), 0);
	assert_string_equal(next, "reviewed");
	assert_int_equal(perf_grievance_next("reviewed", "verify", &next), 0);
	assert_string_equal(next, "verified");
	assert_int_equal(perf_grievance_next("verified", "decide", &next), 0);
	assert_string_equal(next, "decided");
	assert_int_equal(perf_grievance_next("decided", "announce", &next), 0);
	assert_string_equal(next, "announced");
	assert_int_equal(perf_grievance_next("submitted", "verify", &next), ERR_CONFLICT);
	assert_int_equal(perf_grievance_next("submitted", "decide", &next), ERR_CONFLICT);
	assert_int_equal(perf_grievance_next("reviewed", "announce", &next), ERR_CONFLICT);
	assert_int_equal(perf_grievance_next("decided", "reject", &next), ERR_CONFLICT);
	assert_int_equal(perf_grievance_next("rejected", "review", &next), ERR_CONFLICT);
	assert_string_equal(perf_grievance_reject_step("submitted"), "review");
	assert_string_equal(perf_grievance_reject_step("reviewed"), "verify");
	assert_string_equal(perf_grievance_reject_step("verified"), "decide");
	assert_null(perf_grievance_reject_step("decided"));
	assert_null(perf_grievance_reject_step("announced"));
}

static const struct perf_case_settings defaults = {
	.escalate_window_days = 90,
	.warn_at = 2,
	.persuade_at = 3,
	.dismiss_at = 5,
	.grievance_fen = {50000, 30000, 20000},
	.proposal_min_fen = 1000,
	.proposal_max_fen = 10000,
};

static void test_escalation_and_settings(void **state)
{
	struct perf_case_settings cs = defaults;

	(void)state;
	/* The first offence is only the fine; each threshold proposes once. */
	assert_null(perf_escalation_level(&cs, 1));
	assert_string_equal(perf_escalation_level(&cs, 2), "warning");
	assert_string_equal(perf_escalation_level(&cs, 3), "persuade");
	assert_null(perf_escalation_level(&cs, 4));
	assert_string_equal(perf_escalation_level(&cs, 5), "dismiss");
	assert_null(perf_escalation_level(&cs, 6));

	assert_int_equal(perf_grievance_amount(&cs, 1), 50000);
	assert_int_equal(perf_grievance_amount(&cs, 2), 30000);
	assert_int_equal(perf_grievance_amount(&cs, 3), 20000);
	assert_int_equal(perf_grievance_amount(&cs, 0), 0);
	assert_int_equal(perf_grievance_amount(&cs, 4), 0);

	assert_int_equal(perf_case_settings_check(&cs), 0);
	cs.escalate_window_days = 0;
	assert_int_equal(perf_case_settings_check(&cs), PERF_BAD_WINDOW);
	cs = defaults;
	cs.persuade_at = 2;
	assert_int_equal(perf_case_settings_check(&cs), PERF_BAD_STEPS);
	cs = defaults;
	cs.warn_at = 1;
	assert_int_equal(perf_case_settings_check(&cs), PERF_BAD_STEPS);
	cs = defaults;
	cs.grievance_fen[1] = 50000;
	assert_int_equal(perf_case_settings_check(&cs), PERF_BAD_LEVELS);
	cs = defaults;
	cs.proposal_max_fen = 999;
	assert_int_equal(perf_case_settings_check(&cs), PERF_BAD_PROPOSAL);
}

static void test_default_categories(void **state)
{
	struct store *s = test_store_open();
	struct perf_category c;
	struct perf_case_settings cs;
	static const struct {
		const char *code;
		int64_t fen;
	} want[] = {{"games", 500},	{"unrelated", 500},	{"file_handling", 500},
		    {"outsider", 500},	{"uncivil", 500},	{"no_reply", 1000},
		    {"handover", 1000}, {"late_meeting", 1000}, {"absent_meeting", 3000},
		    {"complaint", 5000}};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(perf_category_by_code(s, want[i].code, &c), 0);
		assert_int_equal(c.amount_fen, want[i].fen);
		assert_false(c.entered);
		assert_true(c.active);
	}
	/* The loss itself: entered per penalty. */
	assert_int_equal(perf_category_by_code(s, "wrong_note", &c), 0);
	assert_true(c.entered);
	assert_int_equal(c.amount_fen, 0);
	assert_int_equal(perf_case_settings_get(s, &cs), 0);
	assert_memory_equal(&cs, &defaults, sizeof(cs));
	test_store_close(s);
}

/* A source of two absences recorded at 1000 and 2000, whatever is asked. */
static int64_t asked_from[4], asked_to[4];
static int asked;

static int fake_absences(struct store *s, int64_t from, int64_t to, perf_absence_fn *cb, void *arg)
{
	static const struct perf_absence a[] = {
		{.person_id = 0,
		 .at = 500,
		 .late = 1,
		 .source = "trn_attendance",
		 .source_id = 11,
		 .title = "电话礼仪"},
		{.person_id = 0,
		 .at = 600,
		 .late = 0,
		 .source = "trn_attendance",
		 .source_id = 12,
		 .title = "投诉处理技巧"},
	};
	int n = 0, rc;

	(void)s;
	if (asked < 4) {
		asked_from[asked] = from;
		asked_to[asked] = to;
	}
	asked++;
	for (size_t i = 0; i < 2; i++) {
		struct perf_absence x = a[i];

		x.person_id = 1;
		if ((rc = cb(arg, &x)) < 0)
			return rc;
		n++;
	}
	return n;
}

static int count_row(void *ctx, const void *p)
{
	(void)ctx;
	(void)p;
	return 0;
}

static const struct perf_source fake = {.name = "fake_trn", .absences = fake_absences};

static void test_tick_proposals(void **state)
{
	struct store *s = test_store_open();
	struct perf_penalty p;
	struct perf_case_filter f = {0};
	int64_t pid = 0, at = 0;

	(void)state;
	assert_int_equal(
		store_run(s,
			  "INSERT INTO person(work_no, name, roles, created_at, updated_at)"
			  " VALUES ('9001', '甲', 8, 0, 0) RETURNING id",
			  &pid, ""),
		1);
	assert_int_equal(pid, 1);
	perf_add_source(&fake);
	assert_int_equal(perf_case_tick(s, 10000, NULL), 2);
	/* Again: the same causes write nothing, and the walk starts at the cursor. */
	assert_int_equal(perf_case_tick(s, 20000, NULL), 0);
	assert_int_equal(asked, 2);
	assert_int_equal(asked_from[0], 0);
	assert_int_equal(asked_to[0], 10000);
	assert_int_equal(asked_from[1], 10000);
	assert_int_equal(asked_to[1], 20000);
	assert_int_equal(perf_case_cursor_get(s, "fake_trn", &at), 0);
	assert_int_equal(at, 20000);
	assert_int_equal(store_run(s, "SELECT count(*) FROM perf_penalty", &at, ""), 1);
	assert_int_equal(at, 2);

	f.state = "proposed";
	assert_int_equal(perf_penalty_list(s, &f, count_row, NULL), 2);
	f.state = "open";
	assert_int_equal(perf_penalty_list(s, &f, count_row, NULL), 0);
	assert_int_equal(perf_penalty_get(s, 1, &p), 0);
	assert_string_equal(p.category_code, "late_meeting");
	assert_int_equal(p.amount_fen, 1000);
	assert_string_equal(p.state, "proposed");
	assert_int_equal(p.occurred_at, 500);
	assert_string_equal(p.evidence, "电话礼仪（迟到）");
	assert_int_equal(perf_penalty_get(s, 2, &p), 0);
	assert_string_equal(p.category_code, "absent_meeting");
	assert_int_equal(p.amount_fen, 3000);
	/* Proposals do not count as offences until a supervisor confirms them. */
	assert_int_equal(perf_penalty_count(s, 1, p.category_id, 0, 100000), 0);
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_penalty_steps),
		cmocka_unit_test(test_proposal_and_grievance_steps),
		cmocka_unit_test(test_escalation_and_settings),
		cmocka_unit_test(test_default_categories),
		cmocka_unit_test(test_tick_proposals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
