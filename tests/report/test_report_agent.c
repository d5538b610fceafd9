/*
 * Unit tests of the agents' work statistics (report_agent*.c, issue 20,
 * RPT-1): a status spell cut at the center's midnights, occupancy, the
 * channels against cust's list; and over a fresh database, a spell across
 * midnight counted in each day, the summary kind's day equal to the facts,
 * and a period read from the summary equal to the same period from the facts.
 *
 * The center is in Asia/Shanghai (UTC+8).
 */
#include "testutil.h"

#include "core/clock.h"
#include "cust/cust.h"
#include "report/report.h"

#define MIN 60000LL
#define HOUR (60 * MIN)
#define NOV22 1795276800000LL /* 2026-11-22 00:00 in Shanghai */
#define NOV23 1795363200000LL
#define NOV24 1795449600000LL
#define DEC3 1796227200000LL

static void spell_is_cut_at_the_day(void **state)
{
	struct report_agent_fig f;

	(void)state;
	memset(&f, 0, sizeof(f));
	/* 23:00 → 01:00 the next day: one hour in each. */
	report_agent_span(&f, RAS_AWAY, NOV23 - HOUR, NOV23 + HOUR, NOV22, NOV23);
	assert_int_equal(f.status_ms[RAS_AWAY], HOUR);
	report_agent_span(&f, RAS_AWAY, NOV23 - HOUR, NOV23 + HOUR, NOV23, NOV24);
	assert_int_equal(f.status_ms[RAS_AWAY], 2 * HOUR);
	/* Still running (to <= 0): to the end of the range. */
	report_agent_span(&f, RAS_READY, NOV23 + 2 * HOUR, 0, NOV23, NOV23 + 3 * HOUR);
	assert_int_equal(f.status_ms[RAS_READY], HOUR);
	/* Wholly outside: nothing; logged out (-1): nothing. */
	report_agent_span(&f, RAS_BREAK, NOV22 - HOUR, NOV22, NOV22, NOV23);
	report_agent_span(&f, -1, NOV22, NOV23, NOV22, NOV23);
	assert_int_equal(f.status_ms[RAS_BREAK], 0);
	assert_int_equal(report_agent_logged_in(&f), 3 * HOUR);
}

static void statuses_and_occupancy(void **state)
{
	struct report_agent_fig f, g;

	(void)state;
	assert_int_equal(report_agent_status("ready"), RAS_READY);
	assert_int_equal(report_agent_status("busy"), RAS_AWAY);
	assert_int_equal(report_agent_status("ringing"), RAS_CALL);
	assert_int_equal(report_agent_status("talking"), RAS_CALL);
	assert_int_equal(report_agent_status("wrap_up"), RAS_WRAP);
	assert_int_equal(report_agent_status("logged_out"), -1);
	assert_int_equal(report_agent_status(NULL), -1);
	memset(&f, 0, sizeof(f));
	assert_true(report_agent_occupancy(&f) < 0);
	/* Away and breaks are not available time: 30 + 10 of 40 + 60 + 10 busy-with-calls. */
	f.status_ms[RAS_READY] = 60 * MIN;
	f.status_ms[RAS_CALL] = 30 * MIN;
	f.status_ms[RAS_WRAP] = 10 * MIN;
	f.status_ms[RAS_AWAY] = 500 * MIN;
	f.status_ms[RAS_BREAK] = 500 * MIN;
	assert_float_equal(report_agent_occupancy(&f), 40.0, 1e-9);
	g = f;
	g.calls_in = 3;
	g.rating_sum = 9;
	report_agent_fig_add(&g, &f);
	assert_int_equal(g.status_ms[RAS_READY], 120 * MIN);
	assert_int_equal(g.calls_in, 3);
	assert_int_equal(g.rating_sum, 9);
}

static void channels_are_custs(void **state)
{
	(void)state;
	for (int i = 0; i < REPORT_CHANNELS; i++) {
		assert_true(cust_channel_valid(report_channels[i]));
		assert_int_equal(report_channel_index(report_channels[i]), i);
	}
	assert_int_equal(report_channel_index("fax"), -1);
}

static int64_t person(struct store *s, const char *work_no)
{
	int64_t id = 0;

	assert_true(store_run(s,
			      "INSERT INTO person(work_no, name, created_at, updated_at)"
			      " VALUES (?, ?, 0, 0) RETURNING id",
			      &id, "tt", work_no, work_no) == 1);
	return id;
}

static void status(struct store *s, int64_t who, int64_t at, const char *st)
{
	assert_true(
		store_run(s,
			  "INSERT INTO agent_state_log(person_id, at, to_status) VALUES (?, ?, ?)",
			  NULL, "iit", who, at, st) >= 0);
}

static void call(struct store *s, int64_t who, int64_t start, int64_t talk)
{
	assert_true(store_run(s,
			      "INSERT INTO call(sip_call_id, caller, called, started_at, ended_at,"
			      " agent_id, connected_at, metrics) VALUES ('x', '1', '2', ?, ?, ?, ?,"
			      " '{\"hold_total_ms\": 1000}')",
			      NULL, "iiii", start, start + 5000 + talk, who, start + 5000) >= 0);
}

struct day_rows {
	int64_t agent[4];
	struct report_agent_fig f[4];
	int n;
};

static int keep(void *ctx, int64_t agent, const struct report_agent_fig *f)
{
	struct day_rows *d = ctx;

	assert_true(d->n < 4);
	d->agent[d->n] = agent;
	d->f[d->n++] = *f;
	return 0;
}

static void summary_equals_facts(void **state)
{
	struct store *s;
	struct day_rows d = {0};
	struct report_period p;
	struct report_agent_row *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	int64_t x, y, na_ms = 0;

	(void)state;
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	s = test_store_open();
	x = person(s, "8101");
	y = person(s, "8102");
	status(s, x, NOV22 + 8 * HOUR, "ready");
	status(s, x, NOV22 + 9 * HOUR, "talking");
	status(s, x, NOV22 + 9 * HOUR + 5 * MIN, "wrap_up");
	status(s, x, NOV22 + 9 * HOUR + 7 * MIN, "ready");
	status(s, x, NOV23 - HOUR, "busy");
	status(s, x, NOV23 + HOUR, "logged_out");
	status(s, y, NOV22 + 10 * HOUR, "break");
	call(s, x, NOV22 + 9 * HOUR, 300000);
	call(s, x, NOV23 - 10 * MIN, 20 * MIN); /* ends after midnight: counted on the 22nd */

	assert_int_equal(report_agent_day_facts(s, NOV22, NOV23, keep, &d), 0);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.agent[0], x);
	assert_int_equal(d.f[0].calls_in, 2);
	assert_int_equal(d.f[0].talk_ms, 300000 + 20 * MIN);
	assert_int_equal(d.f[0].hold_ms, 2000);
	assert_int_equal(d.f[0].status_ms[RAS_CALL], 5 * MIN);
	assert_int_equal(d.f[0].status_ms[RAS_WRAP], 2 * MIN);
	assert_int_equal(d.f[0].status_ms[RAS_READY], HOUR + 14 * HOUR - 7 * MIN);
	assert_int_equal(d.f[0].status_ms[RAS_AWAY], HOUR);
	assert_int_equal(d.f[1].status_ms[RAS_BREAK], 14 * HOUR);
	/* The 23rd: the away spell's second hour, the break all day. */
	memset(&d, 0, sizeof(d));
	assert_int_equal(report_agent_day_facts(s, NOV23, NOV24, keep, &d), 0);
	assert_int_equal(d.f[0].status_ms[RAS_AWAY], HOUR);
	assert_int_equal(d.f[0].calls_in, 0);
	assert_int_equal(d.f[1].status_ms[RAS_BREAK], 24 * HOUR);

	/* The kind builds the 22nd and the 23rd; the period from the summary is the facts'. */
	report_kinds_reset();
	report_kind_add(&report_agent_kind);
	assert_int_equal(report_sum_tick(s, NOV24 + HOUR, NULL), 0);
	assert_int_equal(report_sum_through(s, "agents"), 20261123);
	report_agent_period(20261122, 20261124, &p);
	assert_int_equal(report_agent_load(s, &p, 0, 0, NOV24 + HOUR, &a, &na), 0);
	assert_int_equal(report_agent_load_facts(s, &p, 0, 0, NOV24 + HOUR, &b, &nb), 0);
	assert_int_equal(na, 2);
	assert_int_equal(nb, 2);
	for (size_t i = 0; i < na; i++) {
		assert_int_equal(a[i].agent_id, b[i].agent_id);
		assert_memory_equal(&a[i].f, &b[i].f, sizeof(a[i].f));
	}
	assert_string_equal(a[0].work_no, "8101");
	assert_int_equal(a[0].f.status_ms[RAS_AWAY], 2 * HOUR);
	assert_int_equal(a[1].f.status_ms[RAS_BREAK], 14 * HOUR + 24 * HOUR + HOUR);
	free(a);
	free(b);

	/* Through December 2nd: November is read from its monthly rows, December's
	 * two days from the daily ones; grouped or not, the same as the facts. */
	assert_int_equal(report_sum_tick(s, DEC3 + HOUR, NULL), 0);
	assert_int_equal(report_sum_through(s, "agents"), 20261202);
	for (int g = RG_DAY; g < RG_COUNT; g++) {
		report_agent_period(20261101, 20261202, &p);
		p.group = (enum report_group)g;
		assert_int_equal(report_agent_load(s, &p, 0, 0, DEC3 + HOUR, &a, &na), 0);
		assert_int_equal(report_agent_load_facts(s, &p, 0, 0, DEC3 + HOUR, &b, &nb), 0);
		assert_int_equal(na, nb);
		for (size_t i = 0; i < na; i++) {
			assert_int_equal(a[i].bucket, b[i].bucket);
			assert_int_equal(a[i].agent_id, b[i].agent_id);
			assert_memory_equal(&a[i].f, &b[i].f, sizeof(a[i].f));
		}
		free(a);
		free(b);
	}
	assert_int_equal(store_run(s,
				   "SELECT break_ms FROM report_agent_month WHERE ymd = 20261101"
				   " AND agent_id = ?",
				   &na_ms, "i", y),
			 1);
	assert_int_equal(na_ms, 14 * HOUR + 8 * 24 * HOUR);
	report_kinds_reset();
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spell_is_cut_at_the_day),
		cmocka_unit_test(statuses_and_occupancy),
		cmocka_unit_test(channels_are_custs),
		cmocka_unit_test(summary_equals_facts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
