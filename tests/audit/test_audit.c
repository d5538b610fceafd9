/* Unit tests of src/audit: appending, filtering and paging (SEC-2), and the detail builder. */
#include <jansson.h>
#include <stdlib.h>

#include "testutil.h"

#include "audit/audit.h"
#include "core/err.h"

struct seen {
	int n;
	int64_t ids[64];
	char actions[64][32];
};

static int collect(void *ctx, const struct audit_entry *e)
{
	struct seen *s = ctx;

	s->ids[s->n] = e->id;
	snprintf(s->actions[s->n], sizeof(s->actions[0]), "%s", e->action);
	s->n++;
	return 0;
}

static void list_filters_and_pages_newest_first(void **state)
{
	struct store *s = test_store_open();
	struct audit_actor alice = {7, "8101", "10.0.0.1"}, cli = {0, "cli", NULL};
	struct audit_filter f;
	struct seen seen;

	(void)state;
	for (int i = 0; i < 10; i++)
		assert_int_equal(audit_append(s, i % 2 ? &alice : &cli, 1000 + i,
					      i % 3 ? "person.update" : "login", "person", i + 1,
					      "ok", "{\"n\":1}"),
				 0);
	memset(&f, 0, sizeof(f));
	memset(&seen, 0, sizeof(seen));
	f.limit = 4;
	assert_int_equal(audit_list(s, &f, collect, &seen), 4);
	assert_true(seen.ids[0] > seen.ids[1]);
	/* The next page starts before the last id seen, without overlap. */
	f.before_id = seen.ids[3];
	assert_int_equal(audit_list(s, &f, collect, &seen), 4);
	assert_true(seen.ids[4] < seen.ids[3]);
	f.before_id = seen.ids[7];
	assert_int_equal(audit_list(s, &f, collect, &seen), 2);

	memset(&f, 0, sizeof(f));
	memset(&seen, 0, sizeof(seen));
	f.limit = 50;
	f.actor_id = 7;
	f.action = "person.update";
	assert_int_equal(audit_list(s, &f, collect, &seen), 3); /* i = 1, 5, 7 */
	f.actor_id = 0;
	f.action = NULL;
	f.from = 1003;
	f.to = 1005;
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(audit_list(s, &f, collect, &seen), 2);
	test_store_close(s);
}

/* The builder writes what jansson's compact dump of the same object wrote before it. */
static void detail_matches_jansson(void **state)
{
	struct audit_detail d;
	json_t *o =
		json_pack("{s:s, s:I, s:n, s:b, s:n, s:s, s:{s:[bb]}}", "reason",
			  "说明 \"quoted\" \\ tab\t line\n", "id", (json_int_t)-9007199254740993LL,
			  "previous", "late", 1, "note", "empty", "", "fields", "active", 1, 0);
	char *want = json_dumps(o, JSON_COMPACT);

	audit_detail_init(&d);
	audit_detail_str(&d, "reason", "说明 \"quoted\" \\ tab\t line\n");
	audit_detail_int(&d, "id", -9007199254740993LL);
	audit_detail_id(&d, "previous", 0);
	audit_detail_bool(&d, "late", 1);
	audit_detail_str(&d, "note", NULL);
	audit_detail_str(&d, "empty", "");
	audit_detail_raw(&d, "fields", "{\"active\":[true,false]}");
	assert_string_equal(audit_detail_text(&d), want);
	/* Asking twice gives the same text; the object is closed once. */
	assert_string_equal(audit_detail_text(&d), want);
	audit_detail_release(&d);
	free(want);
	json_decref(o);

	audit_detail_init(&d);
	assert_string_equal(audit_detail_text(&d), "{}");
	audit_detail_release(&d);
}

static int collect_detail(void *ctx, const struct audit_entry *e)
{
	char(*details)[32] = ctx;

	snprintf(details[e->id - 1], sizeof(details[0]), "%s", e->detail ? e->detail : "(none)");
	return 0;
}

/* audit_append_detail stores the text and releases the builder (ASan sees a leak otherwise). */
static void append_detail_stores_the_text(void **state)
{
	struct store *s = test_store_open();
	struct audit_actor sys = {0, "system", NULL};
	struct audit_filter f = {.limit = 10};
	struct audit_detail d;
	char details[2][32];

	audit_detail_init(&d);
	audit_detail_int(&d, "due_at", 42);
	assert_int_equal(audit_append_detail(s, &sys, 1000, "x.y", "thing", 1, "ok", &d), 0);
	assert_int_equal(audit_append_detail(s, &sys, 1001, "x.z", "thing", 1, "ok", NULL), 0);
	assert_int_equal(audit_list(s, &f, collect_detail, details), 2);
	assert_string_equal(details[0], "{\"due_at\":42}");
	assert_string_equal(details[1], "(none)");
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(list_filters_and_pages_newest_first),
		cmocka_unit_test(detail_matches_jansson),
		cmocka_unit_test(append_detail_stores_the_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
