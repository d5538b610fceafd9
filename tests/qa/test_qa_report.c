/*
 * Unit tests of the quality reports' rules (src/qa/qa_report.c, QA-2,
 * QA-5, CB-3): periods (weeks from Monday, biweekly periods from Monday
 * 2024-01-01, months) and their edges in the center's zone, Asia/Shanghai
 * (UTC+8: the local day 2026-12-07 runs from 2026-12-06T16:00Z); the day's
 * figures from fixed rows of checks and hits; the agents' rows; the
 * service star's formula and its eligibility.
 */
#include "testutil.h"

#include <math.h>

#include "core/clock.h"
#include "core/err.h"
#include "qa/qa.h"
#include "report/report.h"

#define DEC06_16Z 1796572800000LL /* 2026-12-06T16:00:00Z = 2026-12-07 00:00 in Shanghai */

static void periods(void **state)
{
	struct qa_period_days p;

	(void)state;
	/* 2026-12-07 is a Monday; 2026-12-13 a Sunday. */
	assert_int_equal(qa_ymd_weekday(20261207), 1);
	assert_int_equal(qa_ymd_weekday(20261213), 7);
	assert_int_equal(qa_ymd_weekday(20240101), 1);

	assert_int_equal(qa_period_of(QA_WEEK, 20261213, &p), 0);
	assert_int_equal(p.from, 20261207);
	assert_int_equal(p.to, 20261213);
	assert_int_equal(p.prev_from, 20261130);
	assert_int_equal(p.prev_to, 20261206);
	/* A week across the turn of the year. */
	assert_int_equal(qa_period_of(QA_WEEK, 20270101, &p), 0);
	assert_int_equal(p.from, 20261228);
	assert_int_equal(p.to, 20270103);

	/* Biweekly: 2024-01-01 + 14k. 2026-11-30 is 1064 days on, 76 × 14. */
	assert_int_equal(qa_period_of(QA_BIWEEK, 20261207, &p), 0);
	assert_int_equal(p.from, 20261130);
	assert_int_equal(p.to, 20261213);
	assert_int_equal(p.prev_from, 20261116);
	assert_int_equal(p.prev_to, 20261129);
	assert_int_equal(qa_period_of(QA_BIWEEK, 20261214, &p), 0);
	assert_int_equal(p.from, 20261214);
	/* Before the epoch the periods go on backwards. */
	assert_int_equal(qa_period_of(QA_BIWEEK, 20231231, &p), 0);
	assert_int_equal(p.from, 20231218);
	assert_int_equal(p.to, 20231231);

	/* Months, February of a leap year, December into January. */
	assert_int_equal(qa_period_of(QA_MONTH, 20240215, &p), 0);
	assert_int_equal(p.from, 20240201);
	assert_int_equal(p.to, 20240229);
	assert_int_equal(p.prev_from, 20240101);
	assert_int_equal(p.prev_to, 20240131);
	assert_int_equal(qa_period_of(QA_MONTH, 20261231, &p), 0);
	assert_int_equal(p.from, 20261201);
	assert_int_equal(p.to, 20261231);
	assert_int_equal(qa_period_of(QA_MONTH, 20270110, &p), 0);
	assert_int_equal(p.prev_from, 20261201);
	assert_int_equal(p.prev_to, 20261231);

	assert_int_equal(qa_period_of(QA_MONTH, 20260230, &p), ERR_INVALID);
	assert_int_equal(qa_period_of(QA_WEEK, 0, &p), ERR_INVALID);
	assert_int_equal(qa_period_parse("biweek"), QA_BIWEEK);
	assert_int_equal(qa_period_parse("fortnight"), -1);
	assert_int_equal(qa_period_parse(NULL), -1);
}

/* The week's edges in the center's zone, not UTC: Monday 00:00 in Shanghai. */
static void period_edges_in_shanghai(void **state)
{
	struct qa_period_days p;
	struct report_days d;

	(void)state;
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	assert_int_equal(qa_period_of(QA_WEEK, 20261209, &p), 0);
	assert_int_equal(report_days_make(p.from, p.to, &d), 0);
	assert_int_equal(d.n, 7);
	assert_true(d.start[0] == DEC06_16Z);
	assert_true(d.start[7] == DEC06_16Z + 7 * 86400000LL);
	/* Sunday 23:59:59.999 local (15:59:59.999Z) is still last week's. */
	assert_int_equal(clock_local_ymd(DEC06_16Z - 1), 20261206);
	assert_int_equal(clock_local_ymd(DEC06_16Z), 20261207);
}

/* The store reads exactly the local day's checks and their hits. */
static void checks_of_a_local_day(void **state)
{
	struct store *s = test_store_open();
	struct qa_rep_check *c = NULL;
	struct qa_rep_hit *h = NULL;
	size_t nc = 0, nh = 0;
	const int64_t at[] = {DEC06_16Z - 1, DEC06_16Z, DEC06_16Z + 86400000LL - 1,
			      DEC06_16Z + 86400000LL};

	(void)state;
	assert_int_equal(store_exec(s,
				    "INSERT INTO person(id, work_no, name, created_at, updated_at)"
				    " VALUES (7, '8101', '甲', 0, 0);"
				    "INSERT INTO qa_rule(id, code, name, version, created_at,"
				    " updated_at) VALUES (1, 'qa3.001', '禁语', 1, 0, 0);"),
			 0);
	for (int i = 0; i < 4; i++) {
		char sql[400];

		snprintf(sql, sizeof(sql),
			 "INSERT INTO qa_check(id, kind, ref_id, agent_id, contact_at, checked_at,"
			 " score, hits, high) VALUES (%d, 'call', %d, 7, %lld, 0, 90, 1, 1);"
			 "INSERT INTO qa_hit(check_id, rule_id, rule_version, severity, score)"
			 " VALUES (%d, 1, 1, 'high', -10);",
			 i + 1, i + 1, (long long)at[i], i + 1);
		assert_int_equal(store_exec(s, sql), 0);
	}
	assert_int_equal(qa_rep_checks_load(s, DEC06_16Z, DEC06_16Z + 86400000LL, 0, &c, &nc), 0);
	assert_int_equal(qa_rep_hits_load(s, DEC06_16Z, DEC06_16Z + 86400000LL, 0, &h, &nh), 0);
	assert_int_equal(nc, 2);
	assert_int_equal(nh, 2);
	for (size_t i = 0; i < nc; i++) {
		assert_true(c[i].id == 2 || c[i].id == 3);
		assert_true(c[i].agent_id == 7);
	}
	free(c);
	free(h);
	/* Another agent's filter gives nothing. */
	assert_int_equal(qa_rep_checks_load(s, DEC06_16Z, DEC06_16Z + 86400000LL, 8, &c, &nc), 0);
	assert_int_equal(nc, 0);
	free(c);
	test_store_close(s);
}

static struct qa_rep_check chk(int64_t id, int64_t agent, int score, int fatal, int hits, int high,
			       int64_t at)
{
	struct qa_rep_check c;

	memset(&c, 0, sizeof(c));
	c.id = id;
	c.ref_id = 100 + id;
	c.agent_id = agent;
	c.contact_at = at;
	strcpy(c.kind, "call");
	c.score = score;
	c.fatal = fatal;
	c.hits = hits;
	c.high = high;
	c.transcript = id % 2;
	return c;
}

static struct qa_rep_hit hit(int64_t check, int64_t rule, int64_t agent, int high, int fatal)
{
	struct qa_rep_hit h = {check, rule, agent, high, fatal};

	return h;
}

/* Agent 1: three checks (100, 80, 0 fatal); agent 2: one (95); agent 3: one (60). */
static void day_figures(void **state)
{
	struct qa_rep_check c[] = {
		chk(1, 1, 100, 0, 0, 0, 10), chk(2, 1, 80, 0, 3, 1, 20), chk(3, 1, 0, 1, 2, 2, 30),
		chk(4, 2, 95, 0, 1, 0, 40),  chk(5, 3, 60, 0, 4, 3, 5),
	};
	struct qa_rep_hit h[] = {
		hit(2, 11, 1, 1, 0), hit(2, 12, 1, 0, 0), hit(2, 12, 1, 0, 0), hit(3, 13, 1, 1, 1),
		hit(3, 11, 1, 1, 0), hit(4, 12, 2, 0, 0), hit(5, 11, 3, 1, 0), hit(5, 11, 3, 1, 0),
		hit(5, 11, 3, 1, 0), hit(5, 12, 3, 0, 0),
	};
	struct qa_day_figures f;

	(void)state;
	assert_int_equal(qa_day_figures_make(c, 5, h, 10, &f), 0);
	assert_int_equal(f.checks, 5);
	assert_int_equal(f.transcribed, 3); /* ids 1, 3, 5 */
	assert_int_equal(f.score_sum, 335);
	assert_int_equal(f.fatal, 1);
	assert_int_equal(f.with_hits, 4);
	assert_int_equal(f.hits, 10);
	assert_int_equal(f.high, 6);

	/* Rules: 11 has 5 hits in 3 contacts; 12 has 4 in 3; 13 has 1. */
	assert_int_equal(f.nrules, 3);
	assert_int_equal(f.rules[0].rule_id, 11);
	assert_int_equal(f.rules[0].hits, 5);
	assert_int_equal(f.rules[0].checks, 3);
	assert_int_equal(f.rules[0].high, 5);
	assert_int_equal(f.rules[1].rule_id, 12);
	assert_int_equal(f.rules[1].hits, 4);
	assert_int_equal(f.rules[1].checks, 3);
	assert_int_equal(f.rules[2].rule_id, 13);
	assert_int_equal(f.rules[2].fatal, 1);

	/* Agents by high-severity hits: 1 (3 high, 5 hits) and 3 (3 high, 4 hits), then 2. */
	assert_int_equal(f.nagents, 3);
	assert_int_equal(f.agents[0].agent_id, 1);
	assert_int_equal(f.agents[0].checks, 3);
	assert_int_equal(f.agents[0].score_sum, 180);
	assert_int_equal(f.agents[0].fatal, 1);
	assert_int_equal(f.agents[1].agent_id, 3);
	assert_int_equal(f.agents[2].agent_id, 2);

	/* Lowest first: the fatal 0, then 60, 80, 95, 100. */
	assert_int_equal(f.nlowest, 5);
	assert_int_equal(f.lowest[0].id, 3);
	assert_int_equal(f.lowest[1].id, 5);
	assert_int_equal(f.lowest[2].id, 2);
	assert_int_equal(f.lowest[4].id, 1);

	/* An empty day. */
	assert_int_equal(qa_day_figures_make(NULL, 0, NULL, 0, &f), 0);
	assert_int_equal(f.checks, 0);
	assert_int_equal(f.nrules, 0);
	assert_int_equal(f.nlowest, 0);
}

static void agent_rows(void **state)
{
	struct qa_agent_row rows[3];
	struct qa_rep_check c[] = {chk(1, 5, 90, 0, 1, 0, 1), chk(2, 5, 70, 0, 2, 1, 2),
				   chk(3, 9, 100, 0, 0, 0, 3), chk(4, 6, 50, 0, 1, 1, 4)};
	struct qa_rep_check prev[] = {chk(10, 5, 60, 0, 0, 0, 1), chk(11, 9, 40, 1, 0, 0, 1)};
	struct qa_rep_hit h[] = {hit(1, 21, 5, 0, 0), hit(2, 22, 5, 1, 0), hit(2, 21, 5, 0, 0),
				 hit(4, 23, 6, 1, 0)};

	(void)state;
	memset(rows, 0, sizeof(rows));
	rows[0].agent_id = 5;
	rows[1].agent_id = 6;
	rows[2].agent_id = 7; /* no checks at all */
	/* Agent 9 is not among the rows: ignored. */
	assert_int_equal(qa_agent_rows_fill(rows, 3, c, 4, h, 4, prev, 2), 0);
	assert_int_equal(rows[0].now.checks, 2);
	assert_int_equal(rows[0].now.score_sum, 160);
	assert_int_equal(rows[0].now.hits, 3);
	assert_int_equal(rows[0].prev.checks, 1);
	assert_int_equal(rows[0].prev.score_sum, 60);
	assert_int_equal(rows[0].ntop, 2);
	assert_int_equal(rows[0].top[0].rule_id, 21);
	assert_int_equal(rows[0].top[0].hits, 2);
	assert_int_equal(rows[0].top[0].checks, 2);
	assert_int_equal(rows[0].top[1].rule_id, 22);
	assert_int_equal(rows[1].now.checks, 1);
	assert_int_equal(rows[1].ntop, 1);
	assert_int_equal(rows[2].now.checks, 0);
	assert_int_equal(rows[2].ntop, 0);
}

static struct qa_agent_row star_row(int64_t id, int64_t checks, int64_t score_sum, int64_t fatal,
				    int64_t rated, int64_t rating_sum, int64_t acc, int64_t nacc)
{
	struct qa_agent_row r;

	memset(&r, 0, sizeof(r));
	r.agent_id = id;
	r.now.checks = checks;
	r.now.score_sum = score_sum;
	r.now.fatal = fatal;
	r.rated = rated;
	r.rating_sum = rating_sum;
	r.cb_accepted = acc;
	r.cb_not_accepted = nacc;
	return r;
}

static void star_formula(void **state)
{
	int ok;
	struct qa_agent_row r;
	struct qa_agent_row rows[5];

	(void)state;
	/* All three parts: (0.6·90 + 0.3·(4.5·20) + 0.1·75) / 1.0 = 54 + 27 + 7.5 = 88.5. */
	r = star_row(1, 10, 900, 0, 2, 9, 3, 1);
	assert_true(fabs(qa_star_score(&r, &ok) - 88.5) < 1e-9);
	assert_int_equal(ok, 1);
	/* No survey, no reached callback: the automatic score alone. */
	r = star_row(1, 10, 873, 0, 0, 0, 0, 0);
	assert_true(fabs(qa_star_score(&r, &ok) - 87.3) < 1e-9);
	/* Survey only: (0.6·80 + 0.3·100) / 0.9 = 78 / 0.9. */
	r = star_row(1, 10, 800, 0, 3, 15, 0, 0);
	assert_true(fabs(qa_star_score(&r, &ok) - 78.0 / 0.9) < 1e-9);
	/* No checks: no score. */
	r = star_row(1, 0, 0, 0, 3, 15, 1, 0);
	qa_star_score(&r, &ok);
	assert_int_equal(ok, 0);

	/* The star: agent 2 has the best score but too few checks; agent 3 a fatal
	 * check; agents 4 and 5 tie, 5 with more checks. */
	rows[0] = star_row(1, 12, 1080, 0, 0, 0, 0, 0);			   /* 90 */
	rows[1] = star_row(2, QA_STAR_MIN_CHECKS - 1, 891, 0, 0, 0, 0, 0); /* 99 */
	rows[2] = star_row(3, 20, 1960, 1, 0, 0, 0, 0);			   /* 98, fatal */
	rows[3] = star_row(4, 10, 950, 0, 0, 0, 0, 0);			   /* 95 */
	rows[4] = star_row(5, 20, 1900, 0, 0, 0, 0, 0);			   /* 95 */
	assert_int_equal(qa_star_pick(rows, 5), 4);
	assert_int_equal(rows[4].star, 1);
	assert_int_equal(rows[3].star, 0);
	assert_int_equal(rows[1].eligible, 0);
	assert_int_equal(rows[2].eligible, 0);
	assert_int_equal(rows[0].eligible, 1);
	/* Equal in checks too: the lower id. */
	rows[4].now.checks = 10;
	rows[4].now.score_sum = 950;
	assert_int_equal(qa_star_pick(rows, 5), 3);
	/* Nobody eligible. */
	assert_int_equal(qa_star_pick(rows + 1, 2), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(periods),
		cmocka_unit_test(period_edges_in_shanghai),
		cmocka_unit_test(checks_of_a_local_day),
		cmocka_unit_test(day_figures),
		cmocka_unit_test(agent_rows),
		cmocka_unit_test(star_formula),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
