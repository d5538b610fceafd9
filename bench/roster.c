/*
 * make bench: kefu's roster proposal (wfm_roster_propose) for a large
 * center, 200 agents × a month of 31 days × 48 half hours, three shifts
 * (WFM-1) and 行政班, four seats, a requirement shaped like a day of calls
 * (Erlang C from a call curve, lower at weekends), a few leave weeks and
 * pinned cells. Reports the best and median of several runs in ms, and
 * what the proposal left: hard and soft violations by rule, intervals
 * short. Arguments: agents (200), runs (7); BENCH_ROSTER_AGENTS overrides
 * the agents, BENCH_ROSTER_MONTH=YYYY-MM the month (2027-03).
 * docs/performance.md records the figures.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "wfm/wfm.h"

static struct wfm_shift_type types[4];

static void type_set(int i, const char *code, int start, int end, int office)
{
	struct wfm_shift_type *t = &types[i];

	memset(t, 0, sizeof(*t));
	t->id = i + 1;
	snprintf(t->code, sizeof(t->code), "%s", code);
	t->nseg = 1;
	t->seg[0] = (struct wfm_segment){start, end};
	t->paid_min = 480;
	t->office = office;
	t->active = 1;
}

/* Calls per half hour of an ordinary weekday for 30 agents' worth of center. */
static double calls_at(int iv)
{
	static const double hour[24] = {6,  4,	3,  3,	3,  4,	6,  12, 30, 52, 60, 58,
					45, 44, 55, 56, 50, 42, 34, 30, 26, 20, 14, 9};

	return hour[iv / 2];
}

static int *requirement(const struct wfm_roster_plan *p, double scale)
{
	int *need = calloc((size_t)p->ndays * WFM_INTERVALS * WFM_COV_SLOTS, sizeof(int));

	for (int d = 0; need && d < p->ndays; d++)
		for (int iv = 0; iv < WFM_INTERVALS; iv++) {
			double f = scale * (p->weekday[d] >= 6 || p->holiday[d] ? 0.6 : 1.0);
			struct wfm_staffing tech, market;

			/* Two queues, two seats: 60 % technical, 40 % consulting. */
			wfm_erlang_c_staff(0.6 * f * calls_at(iv), 1800, 180, 0.8, 20, 0, &tech);
			wfm_erlang_c_staff(0.4 * f * calls_at(iv), 1800, 180, 0.8, 20, 0, &market);
			need[WFM_COV(d, iv, 1)] = tech.agents;
			need[WFM_COV(d, iv, 2)] = market.agents;
			need[WFM_COV(d, iv, 0)] = tech.agents + market.agents;
		}
	return need;
}

static struct wfm_roster_plan *center(int n)
{
	struct wfm_roster_plan *p = calloc(1, sizeof(*p));
	int year, month;

	type_set(0, "early", 480, 960, 0);
	type_set(1, "middle", 960, 1440, 0);
	type_set(2, "night", 0, 480, 0);
	type_set(3, "office", 540, 1080, 1);
	if (!getenv("BENCH_ROSTER_MONTH") ||
	    wfm_month_parse(getenv("BENCH_ROSTER_MONTH"), &year, &month) != 0) {
		year = 2027;
		month = 3;
	}
	wfm_roster_plan_init(p, year, month);
	p->holiday[4] = 1; /* the 5th a holiday (a Friday in March 2027) */
	p->types = types;
	p->ntypes = 4;
	p->agents = calloc((size_t)n, sizeof(*p->agents));
	p->nagents = (size_t)n;
	for (int i = 0; i < n; i++) {
		struct wfm_roster_agent *a = &p->agents[i];

		a->person_id = 1000 + i;
		a->certified = i % 50 != 49;
		a->office = i % 40 == 0;
		a->skills = i % 3 == 0 ? 3u : i % 3 == 1 ? 1u : 2u;
		if (i % 10 == 0)
			a->skills |= 1u << 3; /* supervising */
		for (int d = 0; d < WFM_TAIL_DAYS; d++)
			a->tail[d] = (struct wfm_roster_cell){
				(short)(d == 6 || i % 7 == d ? WFM_REST : i % 3), -1, 0};
		for (int d = 0; d < WFM_ROSTER_DAYS_MAX; d++)
			a->day[d] = (struct wfm_roster_cell){WFM_REST, -1, 0};
		if (i % 13 == 5) /* a week of annual leave */
			for (int d = 8 + i % 10; d < 15 + i % 10; d++)
				a->day[d].flags = WFM_CELL_LEAVE;
		if (i % 17 == 3) { /* the supervisor's choice */
			a->day[20].flags = WFM_CELL_PINNED;
			a->day[20].shift = WFM_REST;
		}
	}
	p->need = requirement(p, n / 30.0);
	return p;
}

/* CPU time of this process: the figure a busy machine disturbs least. */
static int64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200, runs = argc > 2 ? atoi(argv[2]) : 7, nv;
	double ms[64], cpu[64], check_ms;
	struct wfm_roster_plan *p;
	struct wfm_violation *v = malloc(100000 * sizeof(*v));
	int by_rule[WFM_R_COUNT] = {0}, *shortfall;
	long need_sum = 0, short_sum = 0;

	if (getenv("BENCH_ROSTER_AGENTS"))
		n = atoi(getenv("BENCH_ROSTER_AGENTS"));
	if (n < 1 || n > 5000 || runs < 1 || runs > 64 || !v)
		return 2;
	for (int r = 0; r < runs; r++) {
		int64_t t0, c0;

		p = center(n);
		t0 = clock_mono_ns();
		c0 = cpu_ns();
		if (wfm_roster_propose(p) != 0)
			return 1;
		ms[r] = (double)(clock_mono_ns() - t0) / 1e6;
		cpu[r] = (double)(cpu_ns() - c0) / 1e6;
		if (r < runs - 1) {
			free((void *)p->need);
			free(p->agents);
			free(p);
		}
	}
	qsort(ms, (size_t)runs, sizeof(ms[0]), cmp_double);
	qsort(cpu, (size_t)runs, sizeof(cpu[0]), cmp_double);
	{
		/* The check and the coverage, as the roster's page asks them on
		 * every request. */
		int64_t c0 = cpu_ns();

		nv = wfm_roster_check(p, v, 100000);
		check_ms = (double)(cpu_ns() - c0) / 1e6;
	}
	for (int i = 0; i < nv && i < 100000; i++)
		by_rule[v[i].rule]++;
	shortfall = calloc((size_t)p->ndays * WFM_INTERVALS * WFM_COV_SLOTS, sizeof(int));
	wfm_roster_coverage(p, NULL, shortfall);
	for (int d = 0; d < p->ndays; d++)
		for (int iv = 0; iv < WFM_INTERVALS; iv++) {
			need_sum += p->need[WFM_COV(d, iv, 0)];
			short_sum += shortfall[WFM_COV(d, iv, 0)];
		}
	printf("== roster proposal: %d agents x %d days x %d intervals, %d runs\n", n, p->ndays,
	       WFM_INTERVALS, runs);
	printf("propose: best %.1f ms, median %.1f ms (CPU: best %.1f ms, median %.1f ms)\n", ms[0],
	       ms[runs / 2], cpu[0], cpu[runs / 2]);
	printf("check: %.1f ms CPU; violations: %d;", check_ms, nv);
	for (int r = 1; r < WFM_R_COUNT; r++)
		if (by_rule[r])
			printf(" %s %d", wfm_rule_name(r), by_rule[r]);
	printf("\nagent-intervals short: %ld of %ld required\n", short_sum, need_sum);
	/* A digest of the grid: equal across runs and builds when deterministic. */
	{
		uint64_t h = 1469598103934665603ULL;

		for (size_t i = 0; i < p->nagents; i++)
			for (int d = 0; d < p->ndays; d++) {
				h = (h ^ (uint64_t)(p->agents[i].day[d].shift + 1)) *
				    1099511628211ULL;
				h = (h ^ (uint64_t)(p->agents[i].day[d].skill + 1)) *
				    1099511628211ULL;
			}
		printf("grid digest: %016llx\n", (unsigned long long)h);
	}
	free(shortfall);
	free(v);
	return 0;
}
