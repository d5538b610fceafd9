/*
 * Unit tests of the call report's rules (src/report/report_call.c; report.h,
 * "Calls"): how cells add up and the rates made from them (CALL-R9); and
 * its two forms built as the forms registry builds them.
 */
#include "testutil.h"

#include "core/buf.h"
#include "core/clock.h"
#include "export/export.h"
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

/* The two forms build for a range of days through the registry's entry
 * points, with a call of the range in both; a range that is none is refused. */
static void the_forms_build_for_a_range(void **state)
{
	struct store *s = test_store_open();
	const struct export_form *forms[] = {&report_call_sheet_form, &report_call_stats_form};
	struct export_form_args a = {.from_ymd = 20250301, .to_ymd = 20250331, .now = 1743465600000LL};
	int64_t t = report_day_start(20250310) + 10 * 3600000LL;

	(void)state;
	clock_tz_set("Asia/Shanghai");
	assert_true(store_run(s,
			      "INSERT INTO call(sip_call_id, caller, called, started_at, queue, queued_at,"
			      " connected_at, ended_at, outcome) VALUES ('u', '13812345678', '400', ?,"
			      " 'market_consult', ?, ?, ?, 'answered')",
			      NULL, "iiii", t, t + 10000, t + 15000, t + 60000) >= 0);
	for (int i = 0; i < 2; i++) {
		struct export_book *b = NULL;
		struct buf out = BUF_INIT;

		assert_string_equal(forms[i]->page, "/reports/calls");
		assert_int_equal(forms[i]->build(s, &a, &b), 0);
		assert_int_equal(export_write(b, &out, NULL), 0);
		assert_true(out.len > 1000);
		buf_release(&out);
		export_book_free(b);
	}
	a.to_ymd = 20250201;
	for (int i = 0; i < 2; i++) {
		struct export_book *b = NULL;

		assert_int_equal(forms[i]->build(s, &a, &b), ERR_INVALID);
		assert_null(b);
	}
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cells_add_and_wait_max_is_a_max),
		cmocka_unit_test(rates_round_half_up_and_are_null_without_a_denominator),
		cmocka_unit_test(names_and_figures_of_the_drill_down),
		cmocka_unit_test(the_forms_build_for_a_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
