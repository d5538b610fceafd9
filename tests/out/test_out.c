/* Unit tests of src/out's rules (issue 17): the outbound hours in the
 * center's time zone and the next opening, the settings' checks, outcomes
 * against what the engine saw (CALL-10: a true record) and per purpose
 * (CB-2), the order's callback outcome, a task's retries, the progressive
 * pacing (never more calls than idle agents), campaigns' states and the
 * import sheet's columns. */
#include "testutil.h"

#include "core/clock.h"
#include "core/err.h"
#include "out/out.h"
#include "wo/wo.h"

#define MIN 60000LL

static struct out_settings defaults(void)
{
	struct out_settings st = {540, 1200, 200, 5, 30, 3, 30, 0, 0};

	return st;
}

/* 2026-12-08 local (Asia/Shanghai, UTC+8) at hh:mm, in UTC ms. */
static int64_t local_at(int hh, int mm)
{
	return (clock_days_from_civil(2026, 12, 8) * 1440 + hh * 60 + mm - 8 * 60) * MIN;
}

static void hours(void **state)
{
	struct out_settings st = defaults();
	char s[6];

	(void)state;
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	assert_int_equal(out_hhmm_parse("09:00"), 540);
	assert_int_equal(out_hhmm_parse("24:00"), 1440);
	assert_int_equal(out_hhmm_parse("00:00"), 0);
	assert_int_equal(out_hhmm_parse("24:01"), -1);
	assert_int_equal(out_hhmm_parse("9:00"), -1);
	assert_int_equal(out_hhmm_parse("09:60"), -1);
	assert_int_equal(out_hhmm_parse("ab:cd"), -1);
	assert_int_equal(out_hhmm_parse(NULL), -1);
	out_hhmm(1200, s, sizeof(s));
	assert_string_equal(s, "20:00");
	/* Open from 09:00 up to but not including 20:00, local time. */
	assert_false(out_hours_open(&st, local_at(8, 59)));
	assert_true(out_hours_open(&st, local_at(9, 0)));
	assert_true(out_hours_open(&st, local_at(19, 59)));
	assert_false(out_hours_open(&st, local_at(20, 0)));
	assert_false(out_hours_open(&st, local_at(2, 30)));
	/* The next opening: now while open, today before it, tomorrow after it. */
	assert_int_equal(out_next_opening(&st, local_at(12, 0)), local_at(12, 0));
	assert_int_equal(out_next_opening(&st, local_at(7, 15)), local_at(9, 0));
	assert_int_equal(out_next_opening(&st, local_at(21, 0)), local_at(9, 0) + 1440 * MIN);
}

static void settings(void **state)
{
	struct out_settings st = defaults();
	struct err_info ei;

	(void)state;
	memset(&ei, 0, sizeof(ei));
	assert_int_equal(out_settings_check(&st, &ei), 0);
	/* No calls at night: an empty or reversed window is refused, with every broken field. */
	st.open_min = 1260;
	st.close_min = 480;
	st.max_attempts = 0;
	assert_int_equal(out_settings_check(&st, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "hours_to");
	assert_int_equal(ei.nmore, 1);
	assert_string_equal(ei.more[0].field, "max_attempts");
	st = defaults();
	st.close_min = st.open_min;
	memset(&ei, 0, sizeof(ei));
	assert_int_equal(out_settings_check(&st, &ei), ERR_UNPROCESSABLE);
}

static void outcomes(void **state)
{
	struct err_info ei;

	(void)state;
	memset(&ei, 0, sizeof(ei));
	assert_int_equal(out_outcome_parse("other_person"), OO_OTHER_PERSON);
	assert_int_equal(out_outcome_parse("hung_up"), -1);
	assert_string_equal(out_outcome_name(OO_DNC), "dnc");
	assert_int_equal(out_purpose_parse("campaign"), OP_CAMPAIGN);
	assert_int_equal(out_purpose_parse("test"), -1);
	/* CALL-10: spoken-to outcomes need an answered call, the others must not have one. */
	assert_int_equal(out_outcome_check(OP_CUSTOMER, OO_REACHED, "answered", &ei), 0);
	assert_int_equal(out_outcome_check(OP_CUSTOMER, OO_REACHED, "no_answer", &ei),
			 ERR_CONFLICT);
	assert_int_equal(out_outcome_check(OP_CUSTOMER, OO_WRONG_NUMBER, "busy", &ei),
			 ERR_CONFLICT);
	assert_int_equal(out_outcome_check(OP_TASK, OO_BUSY, "busy", &ei), 0);
	assert_int_equal(out_outcome_check(OP_TASK, OO_NO_ANSWER, "agent_offline", &ei), 0);
	assert_int_equal(out_outcome_check(OP_TASK, OO_NO_ANSWER, "answered", &ei), ERR_CONFLICT);
	/* CB-2's outcomes belong to callbacks, and a reached callback takes one of them. */
	assert_int_equal(out_outcome_check(OP_CALLBACK, OO_ACCEPTED, "answered", &ei), 0);
	assert_int_equal(out_outcome_check(OP_CALLBACK, OO_REACHED, "answered", &ei),
			 ERR_UNPROCESSABLE);
	assert_int_equal(out_outcome_check(OP_PROGRESS, OO_NOT_ACCEPTED, "answered", &ei),
			 ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "outcome");
	/* Into the order: not reached is "unreachable"; dnc is no attempt of the order's. */
	assert_int_equal(out_callback_outcome(OO_ACCEPTED), WOO_ACCEPTED);
	assert_int_equal(out_callback_outcome(OO_NOT_ACCEPTED), WOO_NOT_ACCEPTED);
	assert_int_equal(out_callback_outcome(OO_NEW_NEED), WOO_NEW_NEED);
	assert_int_equal(out_callback_outcome(OO_BUSY), WOO_UNREACHABLE);
	assert_int_equal(out_callback_outcome(OO_OTHER_PERSON), WOO_UNREACHABLE);
	assert_int_equal(out_callback_outcome(OO_DNC), -1);
	assert_true(out_outcome_reached(OO_ACCEPTED));
	assert_false(out_outcome_reached(OO_OTHER_PERSON));
}

static void task_retries(void **state)
{
	struct out_settings st = defaults();
	const int64_t now = local_at(10, 0);
	struct out_task_next n;

	(void)state;
	n = out_task_after(&st, OO_NO_ANSWER, 1, 0, now);
	assert_string_equal(n.state, "open");
	assert_int_equal(n.due_at, now + 30 * MIN);
	n = out_task_after(&st, OO_BUSY, 2, 0, now);
	assert_string_equal(n.state, "open");
	n = out_task_after(&st, OO_BUSY, 3, 0, now);
	assert_string_equal(n.state, "failed");
	assert_int_equal(n.due_at, 0);
	n = out_task_after(&st, OO_REACHED, 1, 0, now);
	assert_string_equal(n.state, "done");
	n = out_task_after(&st, OO_WRONG_NUMBER, 1, 0, now);
	assert_string_equal(n.state, "cancelled");
	n = out_task_after(&st, OO_DNC, 1, 0, now);
	assert_string_equal(n.state, "cancelled");
	/* Someone else answered and named a time: then, even at the last attempt. */
	n = out_task_after(&st, OO_OTHER_PERSON, 3, now + 120 * MIN, now);
	assert_string_equal(n.state, "open");
	assert_int_equal(n.due_at, now + 120 * MIN);
	n = out_task_after(&st, OO_OTHER_PERSON, 1, 0, now);
	assert_int_equal(n.due_at, now + 30 * MIN);
}

static void pacing(void **state)
{
	(void)state;
	/* Never more calls than idle agents, members due, or room on the trunk. */
	assert_int_equal(out_dial_now(3, 10, 30), 3);
	assert_int_equal(out_dial_now(3, 2, 30), 2);
	assert_int_equal(out_dial_now(3, 10, 1), 1);
	assert_int_equal(out_dial_now(0, 10, 30), 0);
	assert_int_equal(out_dial_now(3, 10, -2), 0);
}

static void campaigns(void **state)
{
	(void)state;
	assert_true(out_campaign_kind_valid("callback_yesterday"));
	assert_true(out_campaign_kind_valid("birthday"));
	assert_false(out_campaign_kind_valid("spam"));
	assert_false(out_campaign_kind_valid(NULL));
	assert_true(out_campaign_mode_valid("progressive"));
	assert_false(out_campaign_mode_valid("predictive"));
	assert_string_equal(out_campaign_next("draft", "start"), "running");
	assert_string_equal(out_campaign_next("paused", "start"), "running");
	assert_string_equal(out_campaign_next("running", "pause"), "paused");
	assert_string_equal(out_campaign_next("paused", "finish"), "done");
	assert_null(out_campaign_next("running", "start"));
	assert_null(out_campaign_next("draft", "pause"));
	assert_null(out_campaign_next("done", "start"));
	assert_null(out_campaign_next("done", "finish"));
	assert_int_equal(out_import_column("手机"), 1);
	assert_int_equal(out_import_column("phone"), 1);
	assert_int_equal(out_import_column("姓名"), 2);
	assert_int_equal(out_import_column("备注"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hours),    cmocka_unit_test(settings),
		cmocka_unit_test(outcomes), cmocka_unit_test(task_retries),
		cmocka_unit_test(pacing),   cmocka_unit_test(campaigns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
