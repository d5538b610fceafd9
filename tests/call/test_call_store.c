/* Unit tests of the SQL of the call log (src/call/call_store.c). */
#include "testutil.h"

#include "call/call.h"
#include "core/err.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

struct seen {
	int n;
	int64_t ids[8];
	char last_route[32];
	char last_by[16];
	char kinds[64];
};

static int seen_call(void *ctx, const struct call_row *c)
{
	struct seen *v = ctx;

	v->ids[v->n++] = c->id;
	snprintf(v->last_route, sizeof(v->last_route), "%s", c->route ? c->route : "-");
	snprintf(v->last_by, sizeof(v->last_by), "%s", c->ended_by ? c->ended_by : "-");
	return 0;
}

static int seen_event(void *ctx, const struct call_event_row *e)
{
	struct seen *v = ctx;

	strncat(v->kinds, e->kind, sizeof(v->kinds) - strlen(v->kinds) - 2);
	strcat(v->kinds, " ");
	return 0;
}

static void call_log_store(void **state)
{
	struct store *s = test_store_open();
	struct seen v = {0};
	int64_t a, b, c;

	(void)state;
	assert_int_equal(call_insert(s, "cid-a", "139", "4000000000", 100, &a), 0);
	assert_int_equal(call_insert(s, "cid-b", "138", "4000000000", 200, &b), 0);
	assert_int_equal(call_insert(s, "cid-c", "137", "4000000000", 300, &c), 0);
	assert_true(a < b && b < c);
	assert_int_equal(call_set_answered(s, b, 201), 0);
	assert_int_equal(call_event_add(s, b, 201, "answered", "{\"codec\":\"PCMA\"}"), 0);
	assert_int_equal(call_event_add(s, b, 202, "digit", NULL), 0);
	assert_int_equal(call_set_progress(s, b, "complaint", "3"), 0);
	assert_int_equal(call_set_ended(s, b, 300, "caller", "ivr"), 0);
	/* Newest first, in pages. */
	assert_int_equal(call_list(s, NULL, 2, seen_call, &v), 2);
	assert_true(v.ids[0] == c && v.ids[1] == b);
	assert_string_equal(v.last_route, "complaint");
	assert_string_equal(v.last_by, "caller");
	assert_int_equal(call_list(s, &(struct call_filter){.before_id = b}, 2, seen_call, &v), 1);
	assert_true(v.ids[2] == a);
	assert_int_equal(call_get(s, c + 100, seen_call, &v), ERR_NOTFOUND);
	assert_int_equal(call_event_list(s, b, seen_event, &v), 0);
	assert_string_equal(v.kinds, "answered digit ");
	/* ended_by is caller or kefu, nothing else. */
	assert_true(call_set_ended(s, a, 300, "nobody", NULL) < 0);
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(call_log_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
