/*
 * make bench: the call report (issue 20, RPT-1; src/report/report_call*.c)
 * over a year of 10⁷ calls, the figure: a report for a day, a
 * month, a quarter and a year answered from the summary of closed days,
 * and, for comparison, a day and a month from the call log itself; and
 * how long the summary takes to build.
 *
 * A fresh database (migrated as kefu migrates it) gets N calls (10⁷) over
 * 2025 in the center's zone, N / 365 a day, their start times drawn by
 * bench/rand.h with the day's shape of a hotline (few at night, most from
 * 09:00 to 18:00), in four queues: 5 % left in the menu, 2 % after hours,
 * the rest queued — 85 % of those answered after 0–60 s with 1–10 min of
 * talk (metrics talk_ms), 11 % abandoned after 0–120 s (a quarter of them
 * while ringing an agent: an offer_cancelled event), 2 % leaving a number
 * (an acd_callback row), the rest answered late — plus 1,000 calls out a
 * day, one in fifty the answer-rate test.
 *
 * Timed (wall clock, one connection, one thread, durability normal):
 *   build   report_sum_tick, round after round, until the summary covers
 *           the year (what an upgraded database's scheduler does once);
 *   reads   report_call_cells for the day 2025-06-15, June, the second
 *           quarter and the year from the summary; the day and June again
 *           from the call log (report_call_cells_facts); each run five
 *           times, the median. GET /api/reports/calls adds only its JSON.
 * Arguments: calls (10000000), database path (a temporary file).
 * docs/performance.md records the figures.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rand.h"
#include "core/clock.h"
#include "report/report.h"
#include "store/store.h"

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The hotline's day: weights of the hours 00..23. */
static const int hour_weight[24] = {1, 1, 1, 1, 1, 1, 2, 4, 8, 12, 13, 12,
				    9, 11, 12, 12, 11, 10, 7, 5, 4, 3, 2, 1};

static int64_t hour_pick(void)
{
	int total = 0, r;

	for (int h = 0; h < 24; h++)
		total += hour_weight[h];
	r = (int)rnd((uint32_t)total);
	for (int h = 0; h < 24; h++) {
		if (r < hour_weight[h])
			return h;
		r -= hour_weight[h];
	}
	return 23;
}

static const char *const queues[4] = {"market_consult", "tech_service", "complaint", "agent"};

static int seed_day(struct store *s, int64_t day, int n, int64_t *times, int64_t agent)
{
	for (int i = 0; i < n; i++)
		times[i] = day + hour_pick() * 3600000 + rnd(3600000);
	qsort(times, (size_t)n, sizeof(*times), cmp_i64);
	for (int i = 0; i < n; i++) {
		int64_t t = times[i], q = t + 20000, conn = 0, end, talk = 0, id = 0;
		uint32_t r = rnd(100), wait;
		const char *outcome, *queue = queues[rnd(4)];
		char metrics[40] = "";
		int ringing = 0, rc;

		if (r < 5) {
			outcome = "ivr", queue = NULL, q = 0, end = t + 15000;
		} else if (r < 7) {
			outcome = "closed", queue = NULL, q = 0, end = t + 8000;
		} else {
			uint32_t k = rnd(100);

			if (k < 85 || k >= 98) {
				wait = k < 85 ? rnd(60000) : 60000 + rnd(60000);
				conn = q + wait;
				talk = 60000 + rnd(540000);
				end = conn + talk;
				outcome = "answered";
				snprintf(metrics, sizeof(metrics), "{\"talk_ms\":%lld}", (long long)talk);
			} else if (k < 96) {
				end = q + rnd(120000);
				outcome = "abandoned";
				ringing = rnd(4) == 0;
			} else {
				end = q + 120000 + rnd(10000);
				outcome = "callback";
			}
		}
		rc = store_run(s,
			       "INSERT INTO call(sip_call_id, caller, called, started_at, answered_at,"
			       " ended_at, queue, queued_at, agent_id, connected_at, outcome, metrics)"
			       " VALUES ('b', '13800000000', '400', ?, ?, ?, ?, ?, ?, ?, ?, ?)"
			       " RETURNING id",
			       &id, "iiiTddddT", t, t, end, queue, q, conn ? agent : 0, conn,
			       outcome, metrics);
		if (rc >= 0 && ringing)
			rc = store_run(s,
				       "INSERT INTO call_event(call_id, at, kind, detail) VALUES (?, ?,"
				       " 'offer_cancelled', '{\"reason\":\"caller_gone\"}')",
				       NULL, "ii", id, end);
		if (rc >= 0 && !strcmp(outcome, "callback"))
			rc = store_run(s,
				       "INSERT INTO acd_callback(call_id, queue, phone, requested_at,"
				       " state) VALUES (?, ?, '13800000000', ?, ?)",
				       NULL, "itit", id, queue, end, rnd(2) ? "done" : "open");
		if (rc < 0)
			return rc;
	}
	for (int i = 0; i < 1000; i++) {
		int64_t t = day + 9 * 3600000 + rnd(9 * 3600000);
		int answered = rnd(10) < 6;
		int rc = store_run(s,
				   "INSERT INTO call_out(agent_id, number, purpose, state,"
				   " requested_at, answered_at) VALUES (?, '13900000000', ?, 'ended',"
				   " ?, ?)",
				   NULL, "dtid", i % 50 ? agent : 0, i % 50 ? "customer" : "test", t,
				   answered ? t + 15000 : 0);

		if (rc < 0)
			return rc;
	}
	return 0;
}

struct tally {
	int cells;
	int64_t inbound;
};

static int count_cell(void *ctx, int ymd, int hour, const char *queue,
		      const struct report_call_figs *f)
{
	struct tally *t = ctx;

	(void)ymd, (void)hour, (void)queue;
	t->cells++;
	t->inbound += f->v[RCF_INBOUND];
	return 0;
}

static void period(struct report_period *p, int from, int to, enum report_group g)
{
	memset(p, 0, sizeof(*p));
	p->from_ymd = from;
	p->to_ymd = to;
	p->group = g;
	p->start = report_day_start(from);
	p->end = clock_day_end(report_day_start(to));
}

/* The median of five reads of p; the tally of the last. */
static double timed(struct store *s, const struct report_period *p, int facts, struct tally *t)
{
	double runs[5];
	int64_t now = report_day_start(20260101) + 12 * 3600000LL;

	for (int i = 0; i < 5; i++) {
		double t0 = bench_ms();

		memset(t, 0, sizeof(*t));
		if ((facts ? report_call_cells_facts : report_call_cells)(s, p, NULL, now, count_cell,
									  t) < 0) {
			fprintf(stderr, "bench/report_calls: read failed\n");
			exit(1);
		}
		runs[i] = bench_ms() - t0;
		if (facts && runs[i] > 2000)
			return runs[i]; /* once is enough to tell */
	}
	qsort(runs, 5, sizeof(runs[0]), bench_cmp_double);
	return runs[2];
}

int main(int argc, char **argv)
{
	int64_t calls = argc > 1 ? atoll(argv[1]) : 10000000;
	char path[64] = "/tmp/kefu-bench-rcalls-XXXXXX";
	const char *db = argc > 2 ? argv[2] : NULL;
	struct store *s = NULL;
	struct store_opts o = {NULL, 5000, STORE_NORMAL};
	int per_day = (int)(calls / 365), rounds = 0, through = 0;
	int64_t *times = malloc((size_t)per_day * sizeof(*times)), agent = 0, rows = 0;
	int64_t noon = 0;
	double t0, seeded, built;
	struct report_period p;
	struct tally t;
	static const struct {
		const char *name;
		int from, to, facts;
		enum report_group g;
	} reads[] = {
		{"day 2025-06-15, summary", 20250615, 20250615, 0, RG_DAY},
		{"month 2025-06, summary", 20250601, 20250630, 0, RG_DAY},
		{"quarter 2025-Q2, summary", 20250401, 20250630, 0, RG_MONTH},
		{"year 2025, summary", 20250101, 20251231, 0, RG_MONTH},
		{"day 2025-06-15, call log", 20250615, 20250615, 1, RG_DAY},
		{"month 2025-06, call log", 20250601, 20250630, 1, RG_DAY},
	};

	clock_tz_set("Asia/Shanghai");
	if (!times)
		return 1;
	if (!db) {
		int fd = mkstemp(path);

		if (fd < 0)
			return 1;
		close(fd);
		db = path;
	}
	o.path = db;
	if (store_open(&s, &o) < 0 || store_migrate(s, NULL, NULL) < 0)
		return 1;
	store_run(s, "SELECT id FROM person ORDER BY id LIMIT 1", &agent, "");
	t0 = bench_ms();
	for (int ymd = 20250101; ymd <= 20251231; ymd = report_ymd_next(ymd)) {
		if (store_begin(s) < 0 || seed_day(s, report_day_start(ymd), per_day, times, agent) < 0 ||
		    store_commit(s) < 0) {
			fprintf(stderr, "bench/report_calls: seeding failed\n");
			return 1;
		}
	}
	seeded = bench_ms() - t0;
	free(times);
	store_run(s, "SELECT count(*) FROM call", &rows, "");

	/* The scheduler on 2026-01-01: the summary catches up the year. */
	report_kind_add(&report_call_kind);
	noon = report_day_start(20260101) + 12 * 3600000LL;
	t0 = bench_ms();
	while (through < 20251231 && rounds < 100) {
		if (report_sum_tick(s, noon, NULL) < 0) {
			fprintf(stderr, "bench/report_calls: summary failed\n");
			return 1;
		}
		through = report_sum_through(s, REPORT_CALL_KIND);
		rounds++;
	}
	built = bench_ms() - t0;
	store_run(s, "SELECT count(*) FROM report_call_hour", &agent, "");
	printf("report_calls: %lld calls over 2025 (seeded in %.0f s); summary of 365 days built in"
	       " %.1f s (%d rounds of the tick, %lld rows, %.0f ms a day)\n",
	       (long long)rows, seeded / 1000, built / 1000, rounds, (long long)agent,
	       built / 365);
	for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		double ms;

		period(&p, reads[i].from, reads[i].to, reads[i].g);
		ms = timed(s, &p, reads[i].facts, &t);
		printf("report_calls: %-26s %8.1f ms (%d cells, %lld inbound calls)\n", reads[i].name,
		       ms, t.cells, (long long)t.inbound);
	}
	store_close(s);
	if (db == path)
		unlink(path);
	return 0;
}
