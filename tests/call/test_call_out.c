/* Unit tests of calls out (issue 17): the number the trunk is sent
 * (call_out_dial_string) and the request's life in SQL (call_out_store.c). */
#include "testutil.h"

#include "call/call.h"
#include "core/err.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static void dial_string(void **state)
{
	char out[48];

	(void)state;
	/* A mobile gets the mobile prefix, anything else the landline one. */
	assert_int_equal(call_out_dial_string("9", "0", "13812345678", out, sizeof(out)), 0);
	assert_string_equal(out, "913812345678");
	assert_int_equal(call_out_dial_string("9", "0", "02188886666", out, sizeof(out)), 0);
	assert_string_equal(out, "002188886666");
	assert_int_equal(call_out_dial_string("", "", "88886666", out, sizeof(out)), 0);
	assert_string_equal(out, "88886666");
	/* 11 digits not from 1 are a landline with its area code. */
	assert_int_equal(call_out_dial_string("9", "", "07558888666", out, sizeof(out)), 0);
	assert_string_equal(out, "07558888666");
	/* Only digits, 3 to 20 of them: nothing else reaches the trunk. */
	assert_int_equal(call_out_dial_string("", "", "138 1234 5678", out, sizeof(out)),
			 ERR_INVALID);
	assert_int_equal(call_out_dial_string("", "", "+8613812345678", out, sizeof(out)),
			 ERR_INVALID);
	assert_int_equal(call_out_dial_string("", "", "12", out, sizeof(out)), ERR_INVALID);
	assert_int_equal(call_out_dial_string("", "", "", out, sizeof(out)), ERR_INVALID);
	assert_int_equal(call_out_dial_string("", "", "123456789012345678901", out, sizeof(out)),
			 ERR_INVALID);
	/* A prefix that does not fit is refused, not cut. */
	assert_int_equal(call_out_dial_string("99999", "", "13812345678", out, 12), ERR_INVALID);
}

static void request_store(void **state)
{
	struct store *s = test_store_open();
	struct call_out_req r = {.agent_id = 0, .number = "13812345678", .purpose = "customer"};
	struct call_out_row row;
	int64_t person, a, b;
	int n;

	(void)state;
	assert_int_equal(
		store_run(s,
			  "INSERT INTO person(work_no, name, roles, active, created_at, updated_at)"
			  " VALUES ('8101', '坐席一', 8, 1, 0, 0) RETURNING id",
			  &person, ""),
		1);
	r.agent_id = person;
	assert_int_equal(call_out_request(s, &r, 1000, &a), 0);
	r.purpose = "callback";
	r.ref_id = 42;
	assert_int_equal(call_out_request(s, &r, 2000, &b), 0);
	assert_int_equal(call_out_get(s, a, &row), 0);
	assert_string_equal(row.state, "requested");
	assert_string_equal(row.purpose, "customer");
	assert_string_equal(row.number, "13812345678");
	assert_string_equal(row.result, "");
	/* The live attempt is the newest one not ended. */
	assert_int_equal(call_out_live_of(s, person, &row), 0);
	assert_int_equal(row.id, b);
	assert_int_equal(call_out_count_since(s, person, 1500, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(call_out_count_since(s, person, 0, &n), 0);
	assert_int_equal(n, 2);
	/* A cancel marks it; an ended attempt is never marked again. */
	assert_int_equal(call_out_cancel(s, a), 0);
	assert_int_equal(call_out_get(s, a, &row), 0);
	assert_int_equal(row.cancel, 1);
	assert_int_equal(
		store_run(s, "UPDATE call_out SET state = 'ended', result = 'busy' WHERE id = ?",
			  NULL, "i", b),
		0);
	assert_int_equal(call_out_cancel(s, b), 0);
	assert_int_equal(call_out_get(s, b, &row), 0);
	assert_int_equal(row.cancel, 0);
	assert_string_equal(row.result, "busy");
	assert_int_equal(call_out_live_of(s, person, &row), 0);
	assert_int_equal(row.id, a);
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dial_string),
		cmocka_unit_test(request_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
