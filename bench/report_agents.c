/*
 * make bench: the agents' work statistics (工作统计一览表, issue 20, RPT-1;
 * src/report/report_agent*.c) over a center of 500 agents and a year of
 * data at the volume, 10⁷ answered calls: how long the summary
 * takes to build, and how long a period's report takes read from the
 * summary against the same report computed from the facts.
 *
 * A fresh database (migrated as kefu migrates it) gets the agents and, for
 * each agent and each day of 2025 in the center's zone: calls answered
 * (55 by default: 500 × 365 × 55 ≈ 10⁷) of 2–7 minutes with their hold
 * time in the metrics, a day of the status log (ready from 08:00, a call,
 * its wrap-up, breaks, away, logged out at 18:00: 12 rows), 10 contacts
 * over the seven channels (3 rated) and 3 calls out (2 answered). The rows
 * come from fixed formulas in SQL, as bench/perf.c makes its year, so every
 * run has the same data.
 *
 * Timed (wall clock, one connection, one thread, durability normal):
 *   build    report_sum_tick until the summary covers the year (31 days a
 *            round), as the scheduler catches up an upgraded database;
 *   summary  report_agent_load of a day, a month, a quarter and the year,
 *            all in one row per agent, and the year by month (best of 3);
 *   facts    report_agent_load_facts of a month and the year: the same rows
 *            with no summary, what each report would cost without it.
 * Arguments: agents (500), calls per agent and day (55), days (365),
 * database path (a temporary file). docs/performance.md records the figures.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "rand.h"
#include "core/clock.h"
#include "report/report.h"
#include "store/store.h"

#define JAN1_2025 1735660800000LL /* 2025-01-01 00:00 in Shanghai */
#define HOUR_MS 3600000LL

static int exec(struct store *s, const char *sql)
{
	int rc = store_exec(s, sql);

	if (rc < 0)
		fprintf(stderr, "bench/report_agents: %s\n", sql);
	return rc;
}

static int seed(struct store *s, int agents, int calls, int days)
{
	char sql[4096];
	int rc = store_begin(s);

	if (rc < 0)
		return rc;
	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
		 " INSERT INTO person(id, work_no, name, roles, active, created_at, updated_at)"
		 " SELECT 100000 + i, 'B' || i, '坐席' || i, 8, 1, 0, 0 FROM n",
		 agents);
	rc = exec(s, sql);
	/* Agent × day: the day's midnight. */
	snprintf(sql, sizeof(sql),
		 "CREATE TEMP TABLE bd AS WITH RECURSIVE"
		 " a(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM a WHERE i < %d),"
		 " d(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM d WHERE j < %d - 1)"
		 " SELECT 100000 + a.i AS agent, d.j AS day, %lld + d.j * 86400000 AS t0"
		 " FROM a, d",
		 agents, days, JAN1_2025);
	if (rc >= 0)
		rc = exec(s, sql);
	/* Calls answered between 08:00 and 18:00, spread evenly. */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO call(sip_call_id, caller, called, started_at, answered_at, ended_at,"
		 " agent_id, connected_at, metrics) SELECT 'b', '13800000000', '400', at, at,"
		 " at + 5000 + 120000 + ((agent * 31 + k) %% 300) * 1000, agent, at + 5000,"
		 " '{\"hold_total_ms\":' || ((agent + k) %% 5) * 10000 || '}'"
		 " FROM (WITH RECURSIVE c(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM c"
		 " WHERE k < %d - 1) SELECT agent, k, t0 + 8 * 3600000 + k * (36000000 / %d)"
		 " + (agent %% 60) * 1000 AS at FROM bd, c)",
		 calls, calls);
	if (rc >= 0)
		rc = exec(s, sql);
	if (rc >= 0)
		rc = exec(s, "WITH v(off, st) AS (VALUES (480, 'ready'), (540, 'talking'),"
			     " (545, 'wrap_up'), (546, 'ready'), (600, 'break'), (615, 'ready'),"
			     " (720, 'busy'), (780, 'ready'), (900, 'break'), (915, 'ready'),"
			     " (1000, 'wrap_up'), (1080, 'logged_out'))"
			     " INSERT INTO agent_state_log(person_id, at, to_status)"
			     " SELECT agent, t0 + off * 60000, st FROM bd, v");
	if (rc >= 0)
		rc = exec(
			s,
			"INSERT INTO contact(channel, direction, agent_id, started_at, ended_at,"
			" satisfaction, created_at) SELECT CASE (agent + k) % 7 WHEN 0 THEN 'phone'"
			" WHEN 1 THEN 'wechat' WHEN 2 THEN 'weibo' WHEN 3 THEN 'web_chat'"
			" WHEN 4 THEN 'email' WHEN 5 THEN 'sms' ELSE 'visit' END, 'in', agent,"
			" t0 + 8 * 3600000 + k * 3600000, t0 + 8 * 3600000 + k * 3600000 + 60000,"
			" CASE WHEN k < 3 THEN 1 + (agent + k) % 5 END, t0"
			" FROM bd, (WITH RECURSIVE c(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM c"
			" WHERE k < 9) SELECT k FROM c)");
	if (rc >= 0)
		rc = exec(s,
			  "INSERT INTO call_out(agent_id, number, purpose, state, requested_at,"
			  " answered_at, ended_at) SELECT agent, '13900000000', 'manual', 'ended',"
			  " t0 + 14 * 3600000 + k * 600000, CASE WHEN k < 2 THEN t0 + 14 * 3600000"
			  " + k * 600000 + 8000 END, t0 + 14 * 3600000 + k * 600000 + 90000"
			  " FROM bd, (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2)");
	if (rc >= 0)
		rc = exec(s, "DROP TABLE bd");
	return rc < 0 ? (store_rollback(s), rc) : store_commit(s);
}

/* Best of three loads of one period (summary or facts). */
static double timed(struct store *s, int from, int to, enum report_group g, int facts, int runs,
		    size_t *rows)
{
	struct report_period p;
	double best = 0;

	report_agent_period(from, to, &p);
	p.group = g;
	for (int i = 0; i < runs; i++) {
		struct report_agent_row *r = NULL;
		double t0 = bench_ms(), ms;
		int rc = facts ? report_agent_load_facts(s, &p, 0, 0,
							 JAN1_2025 + 400 * 24 * HOUR_MS, &r, rows)
			       : report_agent_load(s, &p, 0, 0, JAN1_2025 + 400 * 24 * HOUR_MS, &r,
						   rows);

		ms = bench_ms() - t0;
		free(r);
		if (rc < 0) {
			fprintf(stderr, "bench/report_agents: load failed (%d)\n", rc);
			exit(1);
		}
		if (i == 0 || ms < best)
			best = ms;
	}
	return best;
}

int main(int argc, char **argv)
{
	int agents = argc > 1 ? atoi(argv[1]) : 500;
	int calls = argc > 2 ? atoi(argv[2]) : 55;
	int days = argc > 3 ? atoi(argv[3]) : 365;
	char path[64] = "/tmp/kefu-bench-ragent-XXXXXX";
	const char *db = argc > 4 ? argv[4] : NULL;
	struct store *s = NULL;
	double t0, seeded, built, day, month, quarter, year, by_month, f_month, f_year;
	int64_t ncalls = 0, rows = 0;
	size_t n = 0, nm = 0;
	int rounds = 0, last, rc = 0;

	clock_tz_set("Asia/Shanghai");
	if (!(s = bench_db_open(db, path)))
		return 1;
	t0 = bench_ms();
	if (seed(s, agents, calls, days) < 0)
		return 1;
	seeded = bench_ms() - t0;
	store_run(s, "SELECT count(*) FROM call", &ncalls, "");
	store_run(s,
		  "SELECT (SELECT count(*) FROM call) + (SELECT count(*) FROM agent_state_log)"
		  " + (SELECT count(*) FROM contact) + (SELECT count(*) FROM call_out)",
		  &rows, "");

	/* The scheduler's rounds until the summary reaches the last day. */
	report_kind_add(&report_agent_kind);
	last = clock_local_ymd(JAN1_2025 + (int64_t)(days - 1) * 24 * HOUR_MS);
	t0 = bench_ms();
	while (rc >= 0 && report_sum_through(s, "agents") < last && rounds++ < 1000)
		rc = report_sum_tick(s, JAN1_2025 + (int64_t)days * 24 * HOUR_MS + HOUR_MS, NULL);
	built = bench_ms() - t0;
	if (rc < 0) {
		fprintf(stderr, "bench/report_agents: build failed (%d)\n", rc);
		return 1;
	}

	day = timed(s, 20250615, 20250615, RG_ALL, 0, 3, &n);
	month = timed(s, 20250601, 20250630, RG_ALL, 0, 3, &n);
	quarter = timed(s, 20250401, 20250630, RG_ALL, 0, 3, &n);
	year = timed(s, 20250101, 20251231, RG_ALL, 0, 3, &n);
	by_month = timed(s, 20250101, 20251231, RG_MONTH, 0, 3, &nm);
	f_month = timed(s, 20250601, 20250630, RG_ALL, 1, 1, &n);
	f_year = timed(s, 20250101, 20251231, RG_ALL, 1, 1, &n);

	printf("report_agents: %d agents, %d days, %lld calls (%lld rows, seeded in %.1f s)\n",
	       agents, days, (long long)ncalls, (long long)rows, seeded / 1000);
	printf("report_agents: summary built in %.1f s (%d rounds, %.0f ms a day)\n", built / 1000,
	       rounds, built / days);
	printf("report_agents: from the summary: a day %.0f ms, a month %.0f ms, a quarter %.0f ms,"
	       " the year %.0f ms (%zu rows), the year by month %.0f ms (%zu rows)\n",
	       day, month, quarter, year, n, by_month, nm);
	printf("report_agents: from the facts: a month %.0f ms, the year %.0f ms\n", f_month,
	       f_year);
	store_close(s);
	if (path[0])
		unlink(path);
	return 0;
}
