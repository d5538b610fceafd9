/* Unit tests of src/sched: the order ticks run in, their periods, errors and the thread. */
#include <stdatomic.h>
#include <time.h>

#include "testutil.h"

#include "core/err.h"
#include "sched/sched.h"

/* What the fake ticks did, in order: one letter each. */
static char trace[64];
static int fail_b, busy_c;
static _Atomic int calls;

static void note(char c)
{
	size_t n = strlen(trace);

	if (n + 1 < sizeof(trace)) {
		trace[n] = c;
		trace[n + 1] = '\0';
	}
}

static int tick(struct store *s, int64_t now, void *arg)
{
	char c = *(const char *)arg;

	(void)s;
	(void)now;
	note(c);
	atomic_fetch_add(&calls, 1);
	if (c == 'b' && fail_b)
		return ERR_IO;
	if (c == 'c' && busy_c)
		return busy_c;
	return 1;
}

/* Waits up to ms for the ticks to have run n times in all; whether they did. */
static int wait_calls(int n, int ms)
{
	struct timespec step = {0, 5 * 1000 * 1000};

	for (int waited = 0; atomic_load(&calls) < n && waited < ms; waited += 5)
		nanosleep(&step, NULL);
	return atomic_load(&calls) >= n;
}

/*
 * One test, since the ticks are registered for the life of the process:
 * a, b and c every round, h hourly, in the order they were added.
 */
static void rounds_run_ticks_in_order_and_by_period(void **state)
{
	static char a = 'a', b = 'b', c = 'c', h = 'h';
	const int64_t t0 = 1000000, hour = 3600000;
	struct store_pool *pool = NULL;
	struct store_opts so = {test_db_path, 2000, 0};
	struct store *s = test_store_open();

	(void)state;
	assert_int_equal(sched_add("a", tick, &a, 0), 0);
	assert_int_equal(sched_add("b", tick, &b, 0), 0);
	assert_int_equal(sched_add("c", tick, &c, 0), 0);
	assert_int_equal(sched_add("h", tick, &h, hour), 0);

	/* The first round runs everything, the hourly tick too; the count is the sum. */
	assert_int_equal(sched_run(NULL, t0), 4);
	assert_string_equal(trace, "abch");
	/* Within the hour only the ticks of every round. */
	trace[0] = '\0';
	assert_int_equal(sched_run(NULL, t0 + hour - 1), 3);
	assert_string_equal(trace, "abc");
	trace[0] = '\0';
	assert_int_equal(sched_run(NULL, t0 + hour), 4);
	assert_string_equal(trace, "abch");
	/* A failing tick does not stop the ones after it; the round reports its error. */
	fail_b = 1;
	trace[0] = '\0';
	assert_int_equal(sched_run(NULL, t0 + hour + 1), ERR_IO);
	assert_string_equal(trace, "abc");
	fail_b = 0;

	/* The thread runs rounds a second apart (the hourly tick is due by the real clock)... */
	store_close(s);
	assert_int_equal(store_pool_open(&pool, &so, 1), 0);
	trace[0] = '\0';
	atomic_store(&calls, 0);
	assert_int_equal(sched_start(pool), 0);
	assert_true(wait_calls(4, 5000));
	sched_stop();
	assert_string_equal(trace, "abch");
	/* ...or back to back while a tick has a backlog: three rounds in well under a second. */
	busy_c = SCHED_BUDGET;
	trace[0] = '\0';
	atomic_store(&calls, 0);
	assert_int_equal(sched_start(pool), 0);
	assert_true(wait_calls(9, 900));
	sched_stop();
	assert_memory_equal(trace, "abcabcabc", 9);
	store_pool_close(pool);
	unlink(test_db_path);
}

static void too_many_ticks_are_refused(void **state)
{
	static char x = 'x';
	int rc = 0, added = 0;

	(void)state;
	while (rc == 0 && added <= SCHED_MAX)
		if ((rc = sched_add("x", tick, &x, 0)) == 0)
			added++;
	assert_int_equal(rc, ERR_TOOBIG);
	assert_true(added < SCHED_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rounds_run_ticks_in_order_and_by_period),
		cmocka_unit_test(too_many_ticks_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
