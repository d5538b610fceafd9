/*
 * make bench: the work-order report over a period (issue 20, RPT-1,
 * docs/performance.md): 10^6 orders over 2025 with their SLA clocks and
 * events, and how long the report of a day, a month, a quarter and the
 * year takes from the facts (the summary off) and from the summary of
 * closed days (report kind "wo"), and how long building the whole year's
 * summary takes.
 *
 * A fresh database (migrated as kefu migrates it) gets ten departments and
 * N orders (argument 1, 1 000 000) spread evenly over 2025 in the center's
 * zone (Asia/Shanghai), classes A1 … F in turn with WO-3 levels where the
 * class has them. Each order but F has a resolve clock (1 day) and each of
 * A1, A2, B, C and D a callback clock (10 minutes), with their SLA events
 * as the engine writes them: started; met (16 in 20 callback clocks on
 * time at 5 minutes, the rest late at 15 minutes after a breach at 10);
 * breached clocks escalate the order (an "order.escalated" audit entry);
 * 1 order in 50 is cancelled an hour after it opened (its clocks stop);
 * 8 in 10 are archived two days after they opened; 1 callback clock in
 * 1000 and 1 resolve clock in 500 are still running. Every order has its
 * "order.create" wo_event. The rows are generated in SQL from a fixed
 * formula, so every run has the same data.
 *
 * Timed (wall clock, one connection, one thread, the report as
 * GET /api/reports/daily loads it, report_period_load, all departments):
 *   facts    a day (2025-06-15), a month (June), a quarter (Q2, by month)
 *            and the year (by month), the summary off;
 *   build    the year's summary: report_sum_tick rounds at 2026-01-01
 *            noon until the summary reaches 2025-12-31;
 *   summary  the same four periods from the summary (running read from
 *            the open clocks), best of three.
 * Each time is printed as wall clock and as this process's CPU time, the
 * figure that stays true on a machine others load.
 * Arguments: orders (1000000), database path (a temporary file).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "core/clock.h"
#include "report/report.h"
#include "store/store.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* This process's CPU time: what the figures cost on a machine others share. */
static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int exec(struct store *s, const char *sql)
{
	int rc = store_exec(s, sql);

	if (rc < 0)
		fprintf(stderr, "bench/report: %.200s\n", sql);
	return rc;
}

static int seed(struct store *s, int orders)
{
	int64_t t0 = report_day_start(20250101), len = report_day_start(20260101) - t0;
	char sql[4096];
	int rc = store_begin(s);

	if (rc < 0)
		return rc;
	rc = exec(s, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)"
		     " INSERT INTO department(id, name, kind, created_at, updated_at)"
		     " SELECT 900 + i, '部门' || i, 'other', 0, 0 FROM n;"
		     "INSERT INTO person(id, work_no, name, roles, active, created_at, updated_at)"
		     " VALUES (900, 'B900', '坐席', 8, 1, 0, 0);");
	/* One row per order: its number i, when it opened, its class. */
	snprintf(sql, sizeof(sql),
		 "CREATE TEMP TABLE bo AS WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL"
		 " SELECT i + 1 FROM n WHERE i < %d - 1)"
		 " SELECT i, %lld + i * %lld / %d AS at,"
		 " CASE i %% 7 WHEN 0 THEN 'A1' WHEN 1 THEN 'A2' WHEN 2 THEN 'B' WHEN 3 THEN 'C'"
		 " WHEN 4 THEN 'D' WHEN 5 THEN 'E' ELSE 'F' END AS class FROM n",
		 orders, (long long)t0, (long long)len, orders);
	if (rc >= 0)
		rc = exec(s, sql);
	if (rc >= 0)
		rc = exec(s,
			  "INSERT INTO work_order(id, number, class, level, state, department_id,"
			  " first_agent_id, summary, created_at, updated_at, dispatched_at,"
			  " archived_at, archive_month, escalation_level)"
			  " SELECT i + 1, 'B-' || i, class,"
			  " CASE WHEN class IN ('A1', 'A2', 'D') THEN"
			  "  CASE i / 7 % 4 WHEN 0 THEN 'Ⅰ' WHEN 1 THEN 'Ⅱ' WHEN 2 THEN 'Ⅲ' ELSE 'Ⅳ' END"
			  " END,"
			  " CASE WHEN i % 50 = 9 THEN 'cancelled' WHEN i % 10 < 8 THEN 'archived'"
			  " ELSE 'dispatched' END,"
			  " 901 + i % 10, 900, '投诉', at, at, at,"
			  " CASE WHEN i % 50 <> 9 AND i % 10 < 8 THEN at + 172800000 END,"
			  " CASE WHEN i % 50 <> 9 AND i % 10 < 8 THEN"
			  "  CAST(strftime('%Y%m', (at + 172800000) / 1000, 'unixepoch', '+8 hours')"
			  "  AS INTEGER) END,"
			  " CASE WHEN class IN ('A1', 'A2', 'B', 'C', 'D') AND i % 20 >= 16 THEN 1"
			  " ELSE 0 END FROM bo");
	/* Callback clocks (id 2i + 1) and resolve clocks (id 2i + 2). */
	if (rc >= 0)
		rc = exec(s,
			  "INSERT INTO wo_sla(id, order_id, metric, state, started_at, due_at, warn_at,"
			  " breached, met_at)"
			  " SELECT 2 * i + 1, i + 1, 'callback',"
			  " CASE WHEN i % 50 = 9 THEN 'cancelled' WHEN i % 1000 = 19 THEN 'running'"
			  " ELSE 'met' END, at, at + 600000, at + 480000, i % 20 >= 16,"
			  " CASE WHEN i % 50 = 9 OR i % 1000 = 19 THEN NULL"
			  " WHEN i % 20 >= 16 THEN at + 900000 ELSE at + 300000 END"
			  " FROM bo WHERE class IN ('A1', 'A2', 'B', 'C', 'D')"
			  " UNION ALL SELECT 2 * i + 2, i + 1, 'resolve',"
			  " CASE WHEN i % 50 = 9 THEN 'cancelled' WHEN i % 500 = 0 THEN 'running'"
			  " ELSE 'met' END, at, at + 86400000, at + 69120000, 0,"
			  " CASE WHEN i % 50 = 9 OR i % 500 = 0 THEN NULL ELSE at + 72000000 END"
			  " FROM bo WHERE class <> 'F'");
	if (rc >= 0)
		rc = exec(s, "INSERT INTO wo_sla_event(sla_id, order_id, metric, kind, at)"
			     " SELECT id, order_id, metric, 'started', started_at FROM wo_sla"
			     " UNION ALL SELECT id, order_id, metric, 'breached', due_at FROM wo_sla"
			     " WHERE breached = 1"
			     " UNION ALL SELECT id, order_id, metric, 'met', met_at FROM wo_sla"
			     " WHERE met_at IS NOT NULL ORDER BY 5");
	if (rc >= 0)
		rc = exec(s, "INSERT INTO wo_event(order_id, at, actor_id, kind)"
			     " SELECT i + 1, at, 900, 'order.create' FROM bo");
	if (rc >= 0)
		rc = exec(s, "INSERT INTO audit(at, actor_id, actor, action, entity, entity_id, outcome)"
			     " SELECT at, 900, 'B900', action, 'work_order', CAST(id AS TEXT), 'ok'"
			     " FROM (SELECT due_at AS at, 'order.escalated' AS action, order_id AS id"
			     "  FROM wo_sla WHERE breached = 1"
			     "  UNION ALL SELECT at + 3600000, 'order.cancel', i + 1 FROM bo"
			     "  WHERE i % 50 = 9) ORDER BY at");
	if (rc >= 0)
		rc = exec(s, "DROP TABLE bo");
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	rc = store_commit(s);
	return rc < 0 ? rc : exec(s, "ANALYZE");
}

/* One period's report; its time in ms, or a negative value on error. */
static double period(struct store *s, int from, int to, enum report_group g, int summary,
		     int64_t *opened, double *cpu)
{
	struct report_period p;
	struct report_periodic rep;
	double t0 = now_ms(), c0 = cpu_ms(), ms;
	int rc;

	report_period_make(from, to, g, &p);
	rc = report_period_load(s, &p, 0, summary, &rep);
	ms = now_ms() - t0;
	*cpu = cpu_ms() - c0;
	if (rc < 0) {
		fprintf(stderr, "bench/report: report_period_load failed (%d)\n", rc);
		return -1;
	}
	*opened = 0;
	for (int i = 0; i < rep.n; i++)
		for (int k = 0; k < rep.b[i].day.ncells; k++)
			*opened += rep.b[i].day.cells[k].opened;
	report_periodic_free(&rep);
	return ms;
}

static const struct {
	const char *name;
	int from, to;
	enum report_group g;
} periods[] = {
	{"day", 20250615, 20250615, RG_DAY},
	{"month", 20250601, 20250630, RG_DAY},
	{"quarter", 20250401, 20250630, RG_MONTH},
	{"year", 20250101, 20251231, RG_MONTH},
};

int main(int argc, char **argv)
{
	int orders = argc > 1 ? atoi(argv[1]) : 1000000;
	char path[64] = "/tmp/kefu-bench-report-XXXXXX";
	const char *db = argc > 2 ? argv[2] : NULL;
	struct store *s;
	double t0, c0, seeded, facts[4], sums[4], build, facts_cpu[4], sums_cpu[4], build_cpu;
	int64_t rows = 0, opened_facts[4], opened_sum[4];
	int rounds = 0;

	clock_tz_set("Asia/Shanghai");
	s = bench_db_open(db, path);
	if (!s)
		return 1;
	t0 = now_ms();
	if (seed(s, orders) < 0)
		return 1;
	seeded = now_ms() - t0;
	store_run(s,
		  "SELECT (SELECT count(*) FROM work_order) + (SELECT count(*) FROM wo_sla)"
		  " + (SELECT count(*) FROM wo_sla_event) + (SELECT count(*) FROM wo_event)"
		  " + (SELECT count(*) FROM audit)",
		  &rows, "");
	printf("report: %d orders over 2025 (%lld rows, seeded in %.1f s)\n", orders,
	       (long long)rows, seeded / 1000);
	for (int i = 0; i < 4; i++) {
		facts[i] = period(s, periods[i].from, periods[i].to, periods[i].g, 0,
				  &opened_facts[i], &facts_cpu[i]);
		if (facts[i] < 0)
			return 1;
	}

	report_wo_kind_add();
	t0 = now_ms();
	c0 = cpu_ms();
	while (report_sum_through(s, "wo") < 20251231 && rounds < 40) {
		if (report_sum_tick(s, report_day_start(20260101) + 12 * 3600000LL, NULL) < 0) {
			fprintf(stderr, "bench/report: report_sum_tick failed\n");
			return 1;
		}
		rounds++;
	}
	build = now_ms() - t0;
	build_cpu = cpu_ms() - c0;
	for (int i = 0; i < 4; i++) {
		sums[i] = 1e18;
		for (int k = 0; k < 3; k++) {
			double cpu, ms = period(s, periods[i].from, periods[i].to, periods[i].g, 1,
						&opened_sum[i], &cpu);

			if (ms < 0)
				return 1;
			if (ms < sums[i]) {
				sums[i] = ms;
				sums_cpu[i] = cpu;
			}
		}
		if (opened_sum[i] != opened_facts[i]) {
			fprintf(stderr, "bench/report: %s: %lld opened from the summary, %lld from the"
					" facts\n",
				periods[i].name, (long long)opened_sum[i], (long long)opened_facts[i]);
			return 1;
		}
	}
	printf("report: the year's summary built in %.1f s, %.1f s of CPU (%d rounds of the"
	       " tick)\n",
	       build / 1000, build_cpu / 1000, rounds);
	for (int i = 0; i < 4; i++)
		printf("report: %-7s %8lld orders opened: from the facts %8.0f ms (CPU %8.0f),"
		       " from the summary %6.1f ms (CPU %6.1f)\n",
		       periods[i].name, (long long)opened_facts[i], facts[i], facts_cpu[i], sums[i],
		       sums_cpu[i]);
	store_close(s);
	if (path[0])
		unlink(path);
	return 0;
}
