/* Unit tests of src/audit: appending, filtering and paging (SEC-2). */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(list_filters_and_pages_newest_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
