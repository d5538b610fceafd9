/*
 * make bench: the month's evaluation (src/perf/, docs/perf.md) over a
 * center of 500 agents with a year of data, the figure: how long
 * the manager waits for "compute" of one month, and for all twelve.
 *
 * A fresh database (migrated as kefu migrates it) gets 500 active agents
 * and, for each of them and each month of 2025 in the center's zone: 100
 * contacts (30 of them rated 1–5), 100 answered calls of 2–7 minutes, 100
 * wrap-up spells in the status log (200 rows: wrap-up, then ready), 100
 * automatic checks, and 0–59 praises with a criticism in one of ten
 * agent-months. The rows are generated in SQL from a fixed formula, so
 * every run has the same data. About 3.6 million rows in all.
 *
 * Timed (wall clock, one connection, one thread, durability normal):
 *   figures   perf_eval_figures of December alone: every source read
 *             (praise, contacts, calls, the status log, qa's agents' rows,
 *             wfm's month sheet over the status log);
 *   compute   perf_eval_compute of December in one transaction: figures,
 *             scores, ranking, rewards written to the ledger; run three
 *             times, each recomputation voiding and rewriting the month's
 *             rewards (best and median);
 *   year      compute of all twelve months, one transaction each;
 *   read      the month's 500 rows read back (GET /api/perf/months/…).
 * Arguments: agents (500), items per agent and month (100), database path
 * (a temporary file). docs/performance.md records the figures.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "rand.h"
#include "core/clock.h"
#include "perf/perf.h"
#include "store/store.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int exec(struct store *s, const char *sql)
{
	int rc = store_exec(s, sql);

	if (rc < 0)
		fprintf(stderr, "bench/perf: %s\n", sql);
	return rc;
}

static int count_row(void *ctx, const struct perf_eval_row *r)
{
	(void)r;
	++*(int *)ctx;
	return 0;
}

static int seed(struct store *s, int agents, int items)
{
	char sql[4096];
	int rc = store_begin(s);

	if (rc < 0)
		return rc;
	/* The months of 2025 in the center's zone. */
	rc = exec(s, "CREATE TEMP TABLE bm (m INTEGER PRIMARY KEY, name TEXT, t0 INTEGER,"
		     " len INTEGER)");
	for (int m = 1; rc >= 0 && m <= 12; m++) {
		char name[8];
		int64_t from, to;

		snprintf(name, sizeof(name), "2025-%02d", m);
		perf_month_range(name, &from, &to);
		rc = store_run(s, "INSERT INTO bm VALUES (?, ?, ?, ?)", NULL, "itii", (int64_t)m,
			       name, from, to - from);
		rc = rc < 0 ? rc : 0;
	}
	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
		 " INSERT INTO person(id, work_no, name, roles, active, created_at, updated_at)"
		 " SELECT 100000 + i, 'B' || i, '坐席' || i, 8, 1, 0, 0 FROM n",
		 agents);
	if (rc >= 0)
		rc = exec(s, sql);
	/* One row per agent, month and item k: at = the month's start plus a
	 * spread over the month that never reaches its end. */
	snprintf(sql, sizeof(sql),
		 "CREATE TEMP TABLE bi AS WITH RECURSIVE"
		 " a(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM a WHERE i < %d),"
		 " k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < %d - 1)"
		 " SELECT 100000 + a.i AS agent, bm.m AS m, k.j AS j,"
		 " bm.t0 + ((k.j * 86400000 / 4 + a.i * 997) %% (bm.len - 3600000)) AS at"
		 " FROM a, k, bm",
		 agents, items);
	if (rc >= 0)
		rc = exec(s, sql);
	if (rc >= 0)
		rc = exec(s,
			  "INSERT INTO contact(channel, direction, agent_id, started_at, ended_at,"
			  " satisfaction, created_at) SELECT 'phone', 'in', agent, at, at + 300000,"
			  " CASE WHEN j % 10 < 3 THEN 1 + (agent + j) % 5 END, at FROM bi");
	if (rc >= 0)
		rc = exec(
			s,
			"INSERT INTO call(sip_call_id, caller, called, started_at, answered_at,"
			" ended_at, agent_id, connected_at) SELECT 'b' || rowid, '13800000000',"
			" '400', at, at, at + 5000 + 120000 + ((agent * 31 + j * 17) % 300) * 1000,"
			" agent, at + 5000 FROM bi");
	if (rc >= 0)
		rc = exec(
			s,
			"INSERT INTO agent_state_log(person_id, at, from_status, to_status)"
			" SELECT agent, at + 600000, 'talking', 'wrap_up' FROM bi"
			" UNION ALL SELECT agent, at + 600000 + 20000 + ((agent + j) % 60) * 1000,"
			" 'wrap_up', 'ready' FROM bi");
	if (rc >= 0)
		rc = exec(s,
			  "INSERT INTO qa_check(kind, ref_id, agent_id, contact_at, checked_at,"
			  " transcript, score, fatal, hits, high) SELECT 'call', rowid, agent, at,"
			  " at, 1, 60 + (agent * 7 + j * 3) % 41, 0, 0, 0 FROM bi");
	/* Praise: (agent + month) % 60 a month, so every tier and its edges occur. */
	if (rc >= 0)
		rc = exec(s,
			  "INSERT INTO perf_praise(person_id, kind, origin, note, at, month,"
			  " created_by, created_at) SELECT agent, 'praise', 'supervisor', '', at,"
			  " bm.name, agent, at FROM bi JOIN bm USING (m)"
			  " WHERE j < (agent + m) % 60"
			  " UNION ALL SELECT agent, 'criticism', 'supervisor', '', at, bm.name,"
			  " agent, at FROM bi JOIN bm USING (m) WHERE j = 0 AND (agent + m) % 10 = "
			  "0");
	if (rc >= 0)
		rc = exec(s, "DROP TABLE bi");
	return rc < 0 ? (store_rollback(s), rc) : store_commit(s);
}

static int compute(struct store *s, const char *month, double *ms)
{
	double t0 = bench_ms();
	int rc = store_begin(s);

	if (rc < 0)
		return rc;
	rc = perf_eval_compute(s, month, 15, 100001,
			       1767225600000LL); /* by the first agent: a person */
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	rc = store_commit(s);
	*ms = bench_ms() - t0;
	return rc;
}

int main(int argc, char **argv)
{
	int agents = argc > 1 ? atoi(argv[1]) : 500;
	int items = argc > 2 ? atoi(argv[2]) : 100;
	char path[64] = "/tmp/kefu-bench-perf-XXXXXX";
	const char *db = argc > 3 ? argv[3] : NULL;
	struct store *s = NULL;
	struct perf_figures *f = NULL;
	size_t nf = 0;
	double t0, seeded, figures, runs[3], year = 0, read;
	int64_t rows = 0, lines = 0;
	int n = 0, rc;

	clock_tz_set("Asia/Shanghai");
	if (!(s = bench_db_open(db, path)))
		return 1;
	t0 = bench_ms();
	if (seed(s, agents, items) < 0)
		return 1;
	seeded = bench_ms() - t0;
	store_run(s,
		  "SELECT (SELECT count(*) FROM contact) + (SELECT count(*) FROM call)"
		  " + (SELECT count(*) FROM agent_state_log) + (SELECT count(*) FROM qa_check)"
		  " + (SELECT count(*) FROM perf_praise)",
		  &rows, "");

	t0 = bench_ms();
	rc = perf_eval_figures(s, "2025-12", 1767225600000LL, 15, &f, &nf);
	figures = bench_ms() - t0;
	free(f);
	for (int i = 0; rc >= 0 && i < 3; i++)
		rc = compute(s, "2025-12", &runs[i]);
	for (int m = 1; rc >= 0 && m <= 12; m++) {
		char month[8];
		double ms;

		snprintf(month, sizeof(month), "2025-%02d", m);
		rc = compute(s, month, &ms);
		year += ms;
	}
	if (rc < 0) {
		fprintf(stderr, "bench/perf: compute failed (%d)\n", rc);
		return 1;
	}
	t0 = bench_ms();
	perf_eval_rows(s, "2025-12", 0, count_row, &n);
	read = bench_ms() - t0;
	store_run(s, "SELECT count(*) FROM perf_ledger", &lines, "");
	qsort(runs, 3, sizeof(runs[0]), cmp_double);
	printf("perf: %d agents, a year of data (%lld rows, seeded in %.1f s)\n", agents,
	       (long long)rows, seeded / 1000);
	printf("perf: figures of one month %.0f ms; compute one month best %.0f ms, median %.0f ms;"
	       " all 12 months %.1f s; the month's %d rows read in %.0f ms; %lld ledger lines\n",
	       figures, runs[0], runs[1], year / 1000, n, read, (long long)lines);
	store_close(s);
	if (path[0])
		unlink(path);
	return 0;
}
