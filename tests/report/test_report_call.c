/*
 * Unit tests of the call report's rules (src/report/report_call.c; report.h,
 * "Calls"): how cells add up and the rates made from them (CALL-R9).
 */
#include "testutil.h"

#include "report/report.h"

static void cells_add_and_wait_max_is_a_max(void **state)
{
	struct report_call_figs a = {{0}}, b = {{0}};

	(void)state;
	a.v[RCF_INBOUND] = 3, a.v[RCF_WAIT_MS] = 1000, a.v[RCF_WAIT_MAX_MS] = 900;
	b.v[RCF_INBOUND] = 2, b.v[RCF_WAIT_MS] = 500, b.v[RCF_WAIT_MAX_MS] = 400;
	report_call_add(&a, &b);
	assert_int_equal(a.v[RCF_INBOUND], 5);
	assert_int_equal(a.v[RCF_WAIT_MS], 1500);
	assert_int_equal(a.v[RCF_WAIT_MAX_MS], 900);
	b.v[RCF_WAIT_MAX_MS] = 1200;
	report_call_add(&a, &b);
	assert_int_equal(a.v[RCF_WAIT_MAX_MS], 1200);
}

static void rates_round_half_up_and_are_null_without_a_denominator(void **state)
{
	struct report_call_figs f = {{0}};

	(void)state;
	assert_int_equal(report_call_ratio(2, 3), 6667);
	assert_int_equal(report_call_ratio(1, 8), 1250);
	assert_int_equal(report_call_ratio(1, 0), -1);
	assert_int_equal(report_call_rate(&f, RCR_ANSWER), -1);
	assert_int_equal(report_call_asa(&f), -1);
	f.v[RCF_QUEUED] = 10, f.v[RCF_ANSWERED] = 7, f.v[RCF_ANSWERED_SL] = 5;
	f.v[RCF_WAITING] = 2, f.v[RCF_AB_SHORT] = 1, f.v[RCF_AB_QUEUE] = 1;
	f.v[RCF_AB_RINGING] = 0, f.v[RCF_WAIT_MS] = 7003;
	assert_int_equal(report_call_rate(&f, RCR_ANSWER), 7000);
	/* A call still waiting has neither met the target nor missed it: 5 / 8. */
	assert_int_equal(report_call_rate(&f, RCR_SERVICE_LEVEL), 6250);
	assert_int_equal(report_call_rate(&f, RCR_ABANDON), 2000);
	assert_int_equal(report_call_abandoned(&f), 2);
	assert_int_equal(report_call_asa(&f), 1000); /* 1000.43 */
	f.v[RCF_WAIT_MS] = 7;
	f.v[RCF_ANSWERED] = 2;
	assert_int_equal(report_call_asa(&f), 4); /* 3.5 half up */
}

static void names_and_figures_of_the_drill_down(void **state)
{
	(void)state;
	assert_string_equal(report_call_fig_name(RCF_AB_RINGING), "abandoned_ringing");
	assert_string_equal(report_call_fig_name(RCF_CB_DONE), "cb_done");
	assert_string_equal(report_call_rate_name(RCR_SERVICE_LEVEL), "service_level");
	assert_int_equal(report_call_item_parse("not_sl"), RCI_NOT_SL);
	assert_int_equal(report_call_item_parse("callback"), RCI_CALLBACK);
	assert_int_equal(report_call_item_parse("talk_ms"), -1);
	assert_int_equal(report_call_item_parse(NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cells_add_and_wait_max_is_a_max),
		cmocka_unit_test(rates_round_half_up_and_are_null_without_a_denominator),
		cmocka_unit_test(names_and_figures_of_the_drill_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
