/* Unit tests of the duty roster's rules and proposal (src/wfm/wfm_roster.c):
 * each hard and soft rule broken and kept, across midnight, with split
 * shifts and at the month's edges; coverage; and the proposal on a
 * realistic center. */
#include "testutil.h"

#include "core/err.h"
#include "wfm/wfm.h"

enum { EARLY, MIDDLE, NIGHT, OFFICE, CROSS, SPLIT, OLD, LONG, SPLIT10, NTYPES };

static struct wfm_shift_type types[NTYPES];

static void type_set(int i, const char *code, int s1, int e1, int s2, int e2, int paid)
{
	struct wfm_shift_type *t = &types[i];

	memset(t, 0, sizeof(*t));
	t->id = i + 1;
	snprintf(t->code, sizeof(t->code), "%s", code);
	snprintf(t->name, sizeof(t->name), "%s", code);
	snprintf(t->colour, sizeof(t->colour), "#4a90e2");
	t->nseg = s2 < 0 ? 1 : 2;
	t->seg[0] = (struct wfm_segment){s1, e1};
	if (s2 >= 0)
		t->seg[1] = (struct wfm_segment){s2, e2};
	t->paid_min = paid;
	t->active = 1;
}

/* WFM-1's shifts, 行政班, a 跨夜班 20:00–04:00, a 天地班 07–11 + 17–21, an
 * inactive type, a 12-hour crossing one and a 10-hour split one. */
static void types_init(void)
{
	type_set(EARLY, "early", 480, 960, -1, 0, 480);
	type_set(MIDDLE, "middle", 960, 1440, -1, 0, 480);
	type_set(NIGHT, "night", 0, 480, -1, 0, 480);
	type_set(OFFICE, "office", 540, 1080, -1, 0, 480);
	types[OFFICE].office = 1;
	types[OFFICE].break_min = 60;
	type_set(CROSS, "cross", 1200, 240, -1, 0, 480);
	type_set(SPLIT, "split", 420, 660, 1020, 1260, 480);
	type_set(OLD, "old", 600, 1080, -1, 0, 480);
	types[OLD].active = 0;
	type_set(LONG, "long", 1320, 600, -1, 0, 660);
	type_set(SPLIT10, "split10", 360, 660, 960, 1260, 600);
}

static const int TECH = 1u << 0, MARKET = 1u << 1;

/* A month with n certified tech_service agents resting every day. */
static struct wfm_roster_plan *plan_new(int year, int month, size_t n)
{
	struct wfm_roster_plan *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	types_init();
	assert_int_equal(wfm_roster_plan_init(p, year, month), 0);
	p->types = types;
	p->ntypes = NTYPES;
	p->agents = calloc(n ? n : 1, sizeof(*p->agents));
	assert_non_null(p->agents);
	p->nagents = n;
	for (size_t i = 0; i < n; i++) {
		struct wfm_roster_agent *a = &p->agents[i];

		a->person_id = 100 + (int64_t)i;
		a->skills = TECH;
		a->certified = 1;
		for (int d = 0; d < WFM_TAIL_DAYS; d++)
			a->tail[d] = (struct wfm_roster_cell){WFM_REST, -1, 0};
		for (int d = 0; d < WFM_ROSTER_DAYS_MAX; d++)
			a->day[d] = (struct wfm_roster_cell){WFM_REST, -1, 0};
	}
	return p;
}

static void plan_free(struct wfm_roster_plan *p)
{
	free(p->agents);
	free((void *)p->need);
	free(p);
}

/* Sets agent i's shift on days [from, to] (negative: the tail). */
static void put(struct wfm_roster_plan *p, int i, int from, int to, int shift)
{
	for (int d = from; d <= to; d++) {
		struct wfm_roster_cell *c =
			d < 0 ? &p->agents[i].tail[WFM_TAIL_DAYS + d] : &p->agents[i].day[d];

		c->shift = (short)shift;
	}
}

static struct wfm_violation found[4096];
static int nfound;

static void check(const struct wfm_roster_plan *p)
{
	nfound = wfm_roster_check(p, found, sizeof(found) / sizeof(found[0]));
	if (getenv("ROSTER_DEBUG"))
		for (int i = 0; i < nfound; i++)
			fprintf(stderr, "%s agent %d day %d n %d %d %d %d\n",
				wfm_rule_name(found[i].rule), found[i].agent, found[i].day,
				found[i].n[0], found[i].n[1], found[i].n[2], found[i].n[3]);
	assert_true(nfound >= 0 && nfound <= (int)(sizeof(found) / sizeof(found[0])));
}

static void dump(const struct wfm_roster_plan *p)
{
	if (!getenv("ROSTER_DEBUG"))
		return;
	for (size_t i = 0; i < p->nagents; i++) {
		fprintf(stderr, "%3zu ", i);
		for (int d = -WFM_TAIL_DAYS; d < p->ndays; d++) {
			int t = d < 0 ? p->agents[i].tail[WFM_TAIL_DAYS + d].shift
				      : p->agents[i].day[d].shift;

			fputc(d == 0 ? '|' : ' ', stderr);
			fputc(t == WFM_REST ? '.' : "EMNOCSLXY"[t], stderr);
		}
		fputc('\n', stderr);
	}
}

/* The violations of rule for agent (-2 any) on day (-2 any). */
static int count(int rule, int agent, int day)
{
	int k = 0;

	for (int i = 0; i < nfound; i++)
		if (found[i].rule == rule && (agent == -2 || found[i].agent == agent) &&
		    (day == -2 || found[i].day == day))
			k++;
	return k;
}

static const struct wfm_violation *first(int rule)
{
	for (int i = 0; i < nfound; i++)
		if (found[i].rule == rule)
			return &found[i];
	return NULL;
}

/* Labour law, 8 hours a day: a 跨夜班 counts 4 hours on the next day, a
 * split shift both its segments on its own day, the tail's last day spills
 * into the 1st. */
static void rule_day_max(void **state)
{
	/* March 2027 begins on a Monday. */
	struct wfm_roster_plan *p = plan_new(2027, 3, 3);

	put(p, 0, 4, 4, CROSS);
	put(p, 0, 5, 5, EARLY);	  /* 4 h + 8 h on the 6th */
	put(p, 1, 4, 5, CROSS);	  /* 4 h + 4 h: fine */
	put(p, 1, 10, 10, SPLIT); /* 4 h + 4 h the same day: fine */
	put(p, 2, 10, 10, SPLIT10);
	check(p);
	assert_int_equal(count(WFM_R_DAY_MAX, -2, -2), 2);
	assert_int_equal(count(WFM_R_DAY_MAX, 0, 5), 1);
	assert_int_equal(first(WFM_R_DAY_MAX)->n[0], 720);
	assert_int_equal(first(WFM_R_DAY_MAX)->n[1], 480);
	assert_true(first(WFM_R_DAY_MAX)->hard);
	assert_int_equal(first(WFM_R_DAY_MAX)->person_id, 100);
	assert_int_equal(count(WFM_R_DAY_MAX, 2, 10), 1);
	assert_int_equal(found[0].hard, 1);

	/* The month's edge: the previous month's last 跨夜班 and an early 1st. */
	put(p, 0, 0, 30, WFM_REST);
	put(p, 2, 0, 30, WFM_REST);
	put(p, 0, -1, -1, CROSS);
	put(p, 0, 0, 0, EARLY);
	check(p);
	assert_int_equal(count(WFM_R_DAY_MAX, -2, -2), 1);
	assert_int_equal(count(WFM_R_DAY_MAX, 0, 0), 1);
	/* The setting decides: 12 hours allowed. */
	p->settings.max_day_min = 720;
	check(p);
	assert_int_equal(count(WFM_R_DAY_MAX, -2, -2), 0);
	plan_free(p);
}

/* Approved leave blocks rostering; ORG-4 certification; ORG-2 seats;
 * inactive types (the tail may keep one). */
static void rule_cells(void **state)
{
	struct wfm_roster_plan *p = plan_new(2027, 3, 3);

	p->agents[0].day[2].flags = WFM_CELL_LEAVE;
	p->agents[0].day[3].flags = WFM_CELL_LEAVE;
	put(p, 0, 2, 2, EARLY);
	p->agents[1].certified = 0;
	put(p, 1, 0, 0, EARLY);
	put(p, 1, 1, 1, OFFICE); /* office work needs no qualification */
	put(p, 2, 0, 1, EARLY);
	p->agents[2].day[0].skill = 1; /* market_consult, not held */
	p->agents[2].day[1].skill = 0; /* tech_service, held */
	put(p, 2, -2, -2, OLD);
	put(p, 2, 8, 8, OLD);
	check(p);
	assert_int_equal(count(WFM_R_LEAVE, -2, -2), 1);
	assert_int_equal(count(WFM_R_LEAVE, 0, 2), 1);
	assert_int_equal(first(WFM_R_LEAVE)->n[0], EARLY);
	assert_int_equal(count(WFM_R_CERTIFIED, -2, -2), 1);
	assert_int_equal(count(WFM_R_CERTIFIED, 1, 0), 1);
	assert_int_equal(count(WFM_R_SKILL, -2, -2), 1);
	assert_int_equal(count(WFM_R_SKILL, 2, 0), 1);
	assert_int_equal(first(WFM_R_SKILL)->n[0], 1);
	assert_int_equal(count(WFM_R_INACTIVE, -2, -2), 1);
	assert_int_equal(count(WFM_R_INACTIVE, 2, 8), 1);
	for (int i = 0; i < nfound; i++)
		assert_true(found[i].hard == wfm_rule_hard(found[i].rule));
	/* A cell out of range is the caller's mistake, not a rule. */
	p->agents[2].day[9].shift = NTYPES;
	assert_int_equal(wfm_roster_check(p, found, 10), ERR_INVALID);
	plan_free(p);
}

/* A rest day every calendar week, Monday to Sunday, across both edges. */
static void rule_rest_week(void **state)
{
	struct wfm_roster_plan *p = plan_new(2027, 3, 4);

	put(p, 0, 0, 6, EARLY); /* the whole first week */
	put(p, 1, 0, 5, EARLY); /* Sunday off */
	put(p, 2, 0, 6, EARLY); /* Tuesday on leave, not worked */
	put(p, 2, 1, 1, WFM_REST);
	p->agents[2].day[1].flags = WFM_CELL_LEAVE;
	/* 跨夜班 Monday to Saturday: Saturday's runs into Sunday, which is no
	 * day off. */
	put(p, 3, 7, 12, CROSS);
	check(p);
	assert_int_equal(count(WFM_R_REST_WEEK, -2, -2), 2);
	assert_int_equal(count(WFM_R_REST_WEEK, 0, 0), 1);
	assert_int_equal(first(WFM_R_REST_WEEK)->n[0], 0);
	assert_int_equal(first(WFM_R_REST_WEEK)->n[1], 1);
	assert_int_equal(count(WFM_R_REST_WEEK, 3, 7), 1);
	plan_free(p);

	/* December 2026 begins on a Tuesday: its first week holds the tail's
	 * Monday, 30 November. */
	p = plan_new(2026, 12, 2);
	put(p, 0, -1, 5, MIDDLE);
	put(p, 1, -2, -2, MIDDLE);
	put(p, 1, 0, 5, MIDDLE); /* Monday in the tail off */
	check(p);
	assert_int_equal(count(WFM_R_REST_WEEK, -2, -2), 1);
	assert_int_equal(count(WFM_R_REST_WEEK, 0, 0), 1);
	plan_free(p);

	/* July 2027 ends on a Saturday: the last week has six days here and
	 * one in August. Two rest days a week: working all six leaves one
	 * day, too few; five leave two. */
	p = plan_new(2027, 7, 2);
	p->settings.min_rest_days_week = 2;
	put(p, 0, 25, 30, EARLY);
	put(p, 1, 26, 30, EARLY);
	check(p);
	assert_int_equal(count(WFM_R_REST_WEEK, -2, -2), 1);
	assert_int_equal(count(WFM_R_REST_WEEK, 0, 25), 1);
	assert_int_equal(first(WFM_R_REST_WEEK)->n[1], 2);
	plan_free(p);

	/* A 跨夜班 on the month's last day works into the next month's 1st,
	 * which is no longer a day that may be off. */
	p = plan_new(2027, 7, 2);
	put(p, 0, 25, 30, CROSS);
	put(p, 1, 25, 30, EARLY);
	check(p);
	assert_int_equal(count(WFM_R_REST_WEEK, -2, -2), 1);
	assert_int_equal(count(WFM_R_REST_WEEK, 0, 25), 1);
	plan_free(p);
}

/* 44 hours a week on average over the month. */
static void rule_week_avg(void **state)
{
	struct wfm_roster_plan *p = plan_new(2027, 3, 2);

	/* Six days a week: 27 shifts of 8 h in 31 days, 2927 minutes a week. */
	for (int d = 0; d < 31; d++)
		if (p->weekday[d] != 7) {
			put(p, 0, d, d, EARLY);
			if (p->weekday[d] <= 5)
				put(p, 1, d, d, EARLY); /* 23 shifts: 2492 */
		}
	check(p);
	assert_int_equal(count(WFM_R_WEEK_AVG, -2, -2), 1);
	assert_int_equal(count(WFM_R_WEEK_AVG, 0, -1), 1);
	assert_int_equal(first(WFM_R_WEEK_AVG)->n[0], (27 * 480 * 7 + 15) / 31);
	assert_int_equal(first(WFM_R_WEEK_AVG)->n[1], 2640);
	assert_int_equal(count(WFM_R_REST_WEEK, -2, -2), 0);
	plan_free(p);
}

/* Rest between shifts: no 夜班 followed by 早班 without rest, no 中班
 * followed by 夜班, and overlaps. */
static void rule_between(void **state)
{
	struct wfm_roster_plan *p = plan_new(2027, 3, 5);

	put(p, 0, 2, 2, CROSS); /* ends 04:00 on the 4th */
	put(p, 0, 3, 3, EARLY); /* 08:00: four hours off */
	put(p, 1, 2, 2, MIDDLE);
	put(p, 1, 3, 3, NIGHT); /* 24:00 then 00:00 */
	put(p, 2, 2, 2, MIDDLE);
	put(p, 2, 3, 3, EARLY); /* 8 hours off: allowed */
	put(p, 2, 4, 4, NIGHT); /* the night after an early: 8 hours */
	put(p, 3, 2, 2, LONG);	/* 22:00 to 10:00 */
	put(p, 3, 3, 3, EARLY); /* overlaps two hours */
	put(p, 4, -1, -1, MIDDLE);
	put(p, 4, 0, 0, NIGHT); /* across the month's edge */
	check(p);
	assert_int_equal(count(WFM_R_REST_BETWEEN, -2, -2), 3);
	assert_int_equal(count(WFM_R_REST_BETWEEN, 0, 3), 1);
	assert_int_equal(count(WFM_R_REST_BETWEEN, 1, 3), 1);
	assert_int_equal(count(WFM_R_REST_BETWEEN, 4, 0), 1);
	for (int i = 0; i < nfound; i++)
		if (found[i].rule == WFM_R_REST_BETWEEN && found[i].agent == 0) {
			assert_int_equal(found[i].n[0], 240);
			assert_int_equal(found[i].n[1], WFM_REST_BETWEEN_MIN);
			assert_int_equal(found[i].n[2], 2);
		} else if (found[i].rule == WFM_R_REST_BETWEEN && found[i].agent == 4) {
			assert_int_equal(found[i].n[0], 0);
			assert_int_equal(found[i].n[2], -1);
		}
	assert_int_equal(count(WFM_R_OVERLAP, -2, -2), 1);
	assert_int_equal(count(WFM_R_OVERLAP, 3, 3), 1);
	assert_int_equal(first(WFM_R_OVERLAP)->n[0], 120);
	plan_free(p);
}

/* WFM-3: the minimum continuous service period, a week. */
static void rule_continuous(void **state)
{
	struct wfm_roster_plan *p = plan_new(2027, 3, 4);

	put(p, 0, 0, 2, EARLY); /* three days, then middle */
	put(p, 0, 3, 9, MIDDLE);
	put(p, 0, 11, 30, EARLY);
	put(p, 1, 0, 4, EARLY); /* five days and two rest: a week */
	put(p, 1, 7, 11, MIDDLE);
	put(p, 1, 13, 14, NIGHT); /* the month's last block: the next month goes on */
	/* Nights in the tail after a middle block, early from the 2nd: the
	 * night block lasted four days. */
	put(p, 2, -7, -5, MIDDLE);
	put(p, 2, -3, -1, NIGHT);
	put(p, 2, 1, 10, EARLY);
	/* A whole tail of nights: the block may have begun long before. */
	put(p, 3, -7, -1, NIGHT);
	put(p, 3, 1, 10, EARLY);
	check(p);
	assert_int_equal(count(WFM_R_CONTINUOUS, -2, -2), 3);
	assert_int_equal(count(WFM_R_CONTINUOUS, 0, 0), 1);
	assert_int_equal(count(WFM_R_CONTINUOUS, 0, 3), 0); /* 3..10: eight days */
	assert_int_equal(count(WFM_R_CONTINUOUS, 2, -3), 1);
	assert_int_equal(count(WFM_R_CONTINUOUS, 1, 7), 1); /* 7..12: six days */
	assert_int_equal(count(WFM_R_CONTINUOUS, 1, 0), 0); /* 0..6: a week */
	assert_false(first(WFM_R_CONTINUOUS)->hard);
	for (int i = 0; i < nfound; i++)
		if (found[i].rule == WFM_R_CONTINUOUS && found[i].agent == 0) {
			assert_int_equal(found[i].n[0], 3);
			assert_int_equal(found[i].n[1], 7);
			assert_int_equal(found[i].n[2], EARLY);
		} else if (found[i].rule == WFM_R_CONTINUOUS && found[i].agent == 2) {
			assert_int_equal(found[i].n[0], 4);
			assert_int_equal(found[i].n[2], NIGHT);
		}
	plan_free(p);
}

/* Fair shares of nights (within a block), weekends and holidays (within 1),
 * in proportion to the days not on leave; office staff apart. */
static void rule_fair(void **state)
{
	struct wfm_roster_plan *p = plan_new(2027, 3, 11);

	p->agents[10].office = 1;
	put(p, 10, 0, 30, NIGHT); /* not judged */
	put(p, 0, 0, 9, NIGHT);	  /* 10 of 17 nights: share 1.7, 2 in whole nights, tolerance 7 */
	put(p, 1, 14, 20, NIGHT); /* 7: within */
	check(p);
	assert_int_equal(count(WFM_R_FAIR_NIGHT, -2, -2), 1);
	assert_int_equal(count(WFM_R_FAIR_NIGHT, 0, -1), 1);
	assert_int_equal(first(WFM_R_FAIR_NIGHT)->n[0], 10);
	assert_int_equal(first(WFM_R_FAIR_NIGHT)->n[1], 2);
	assert_int_equal(first(WFM_R_FAIR_NIGHT)->n[2], 7);
	plan_free(p);

	/* Weekends of March 2027: 6, 7, 13, 14, 20, 21, 27, 28 (0-based 5, 6,
	 * 12, 13, 19, 20, 26, 27). Each of ten agents works two; agent 0 three:
	 * the share is 2.1, a whole 3, and three is within one. Agent 1 five:
	 * beyond (2.4, a whole 3, plus one). */
	p = plan_new(2027, 3, 10);
	for (int i = 0; i < 10; i++)
		put(p, i, 5, 6, EARLY);
	put(p, 0, 12, 12, EARLY);
	check(p);
	assert_int_equal(count(WFM_R_FAIR_WEEKEND, -2, -2), 0);
	put(p, 1, 12, 13, EARLY);
	put(p, 1, 19, 19, EARLY);
	check(p);
	assert_int_equal(count(WFM_R_FAIR_WEEKEND, -2, -2), 1);
	assert_int_equal(count(WFM_R_FAIR_WEEKEND, 1, -1), 1);
	/* A make-up working day is no weekend. */
	p->makeup[13] = 1;
	check(p);
	assert_int_equal(count(WFM_R_FAIR_WEEKEND, -2, -2), 0);
	/* Holidays: one each for agents 0 and 1 is fair; three for agent 2 is
	 * not, unless the others are away: on leave the whole month but a day. */
	p->holiday[2] = p->holiday[3] = p->holiday[4] = 1;
	put(p, 0, 3, 3, EARLY);
	put(p, 1, 4, 4, EARLY);
	check(p);
	assert_int_equal(count(WFM_R_FAIR_HOLIDAY, -2, -2), 0);
	put(p, 2, 2, 4, EARLY);
	check(p);
	assert_int_equal(count(WFM_R_FAIR_HOLIDAY, -2, -2), 1);
	assert_int_equal(count(WFM_R_FAIR_HOLIDAY, 2, -1), 1);
	for (int i = 3; i < 10; i++)
		for (int d = 0; d < 31; d++)
			if (d != 20) {
				p->agents[i].day[d].flags = WFM_CELL_LEAVE;
				p->agents[i].day[d].shift = WFM_REST;
			}
	check(p);
	assert_int_equal(count(WFM_R_FAIR_HOLIDAY, -2, -2), 0);
	plan_free(p);
}

static int *need_new(const struct wfm_roster_plan *p)
{
	int *need = calloc((size_t)p->ndays * WFM_INTERVALS * WFM_COV_SLOTS, sizeof(int));

	assert_non_null(need);
	return need;
}

/* Coverage: each agent once in the total and in the cell's seat, or in
 * every seat they hold; office hours count nowhere; the tail's 跨夜班 covers
 * the 1st's first hours. */
static void rule_coverage(void **state)
{
	struct wfm_roster_plan *p = plan_new(2027, 3, 4);
	int *need = need_new(p);
	size_t n = (size_t)p->ndays * WFM_INTERVALS * WFM_COV_SLOTS;
	int *on = calloc(n, sizeof(int)), *gap = calloc(n, sizeof(int));

	p->need = need;
	for (int iv = 16; iv < 32; iv++) {
		need[WFM_COV(0, iv, 0)] = 2;
		need[WFM_COV(0, iv, 1 + 1)] = 1; /* one market_consult seat */
	}
	need[WFM_COV(0, 0, 0)] = 1;
	put(p, 0, -1, -1, CROSS);
	put(p, 0, 0, 0, WFM_REST);
	put(p, 1, 0, 0, EARLY);
	p->agents[2].skills = TECH | MARKET;
	put(p, 2, 0, 0, EARLY);
	p->agents[2].day[0].skill = 0; /* sits tech_service today */
	p->agents[3].office = 1;
	put(p, 3, 0, 0, OFFICE);
	assert_int_equal(wfm_roster_coverage(p, on, gap), 0);
	assert_int_equal(on[WFM_COV(0, 0, 0)], 1);
	assert_int_equal(on[WFM_COV(0, 7, 0)], 1);
	assert_int_equal(on[WFM_COV(0, 8, 0)], 0);
	assert_int_equal(on[WFM_COV(0, 16, 0)], 2);
	assert_int_equal(on[WFM_COV(0, 16, 1)], 2);
	assert_int_equal(on[WFM_COV(0, 16, 2)], 0);
	assert_int_equal(on[WFM_COV(0, 20, 0)], 2); /* 10:00: the office does not count */
	assert_int_equal(gap[WFM_COV(0, 16, 0)], 0);
	assert_int_equal(gap[WFM_COV(0, 16, 2)], 1);
	assert_int_equal(gap[WFM_COV(0, 0, 0)], 0);
	check(p);
	assert_int_equal(count(WFM_R_COVERAGE, -2, -2), 1);
	assert_int_equal(first(WFM_R_COVERAGE)->agent, -1);
	assert_int_equal(first(WFM_R_COVERAGE)->day, 0);
	assert_int_equal(first(WFM_R_COVERAGE)->n[0], 2);
	assert_int_equal(first(WFM_R_COVERAGE)->n[1], 16);
	assert_int_equal(first(WFM_R_COVERAGE)->n[2], 16);
	assert_int_equal(first(WFM_R_COVERAGE)->n[3], 1);
	/* Without a seat the agent answers either queue: covered. */
	p->agents[2].day[0].skill = -1;
	check(p);
	assert_int_equal(count(WFM_R_COVERAGE, -2, -2), 0);
	/* Nobody on the 1st's night: short in the first interval. */
	put(p, 0, -1, -1, WFM_REST);
	check(p);
	assert_int_equal(count(WFM_R_COVERAGE, -2, -2), 1);
	assert_int_equal(first(WFM_R_COVERAGE)->n[1], 0);
	assert_int_equal(first(WFM_R_COVERAGE)->n[2], 1);
	free(on);
	free(gap);
	plan_free(p);
}

/* The list is cut at cap but counted whole; hard ones come first. */
static void check_order(void **state)
{
	struct wfm_roster_plan *p = plan_new(2027, 3, 2);
	struct wfm_violation few[2];
	int n;

	put(p, 0, 0, 1, EARLY);
	put(p, 0, 3, 9, MIDDLE); /* soft: early for three days */
	put(p, 1, 0, 6, EARLY);	 /* hard: no rest day */
	check(p);
	assert_int_equal(nfound, 2);
	assert_int_equal(found[0].rule, WFM_R_REST_WEEK);
	assert_int_equal(found[1].rule, WFM_R_CONTINUOUS);
	n = wfm_roster_check(p, few, 1);
	assert_int_equal(n, 2);
	assert_int_equal(few[0].rule, WFM_R_REST_WEEK);
	assert_int_equal(wfm_roster_check(p, NULL, 0), 2);
	assert_string_equal(wfm_rule_name(WFM_R_REST_WEEK), "rest_week");
	assert_int_equal(wfm_skill_index("callback_outbound"), 2);
	assert_int_equal(wfm_skill_index("nope"), -1);
	plan_free(p);
}

/* ---- the proposal ---- */

/* A day of calls in agents: few at night, a morning peak, a busy evening;
 * weekends and holidays lighter. Per seat when seats: 60 % technical. */
static int *day_of_calls(const struct wfm_roster_plan *p, int scale, int seats)
{
	static const int hour[24] = {2, 2, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8,
				     6, 6, 7, 7, 6, 5, 5, 4, 4, 3, 3, 2};
	int *need = need_new(p);

	for (int d = 0; d < p->ndays; d++)
		for (int iv = 0; iv < WFM_INTERVALS; iv++) {
			int n = hour[iv / 2] * scale;

			if (p->weekday[d] >= 6 || p->holiday[d])
				n = (n * 2 + 2) / 3;
			need[WFM_COV(d, iv, 0)] = n;
			if (seats) {
				need[WFM_COV(d, iv, 1)] = (n * 3 + 4) / 5;
				need[WFM_COV(d, iv, 2)] = n - (n * 3 + 4) / 5;
			}
		}
	return need;
}

/* December 2026 (Tuesday the 1st, a holiday on Friday the 25th, Saturday
 * the 26th worked instead), 30 agents: a manager and a supervisor on
 * 行政班, one agent not yet certified, a week of leave, a pinned night and
 * a pinned rest, and a tail of weekly blocks. */
static struct wfm_roster_plan *center(int seats)
{
	struct wfm_roster_plan *p = plan_new(2026, 12, 30);

	p->holiday[24] = 1;
	p->makeup[25] = 1;
	for (int i = 0; i < 30; i++) {
		struct wfm_roster_agent *a = &p->agents[i];

		/* Person ids out of order: the proposal goes by id, not index. */
		a->person_id = 500 - 7 * i + (i % 2) * 300;
		a->skills = i % 3 == 0 ? TECH | MARKET : i % 3 == 1 ? TECH : MARKET;
		put(p, i, -7, -3, i % 3 == 0 ? EARLY : i % 3 == 1 ? MIDDLE : NIGHT);
	}
	p->agents[0].office = p->agents[1].office = 1;
	p->agents[1].skills |= 1u << 3;
	p->agents[29].certified = 0;
	for (int d = 7; d <= 13; d++)
		p->agents[5].day[d].flags = WFM_CELL_LEAVE;
	p->agents[7].day[16].flags = WFM_CELL_PINNED;
	p->agents[7].day[16].shift = NIGHT;
	p->agents[9].day[10].flags = WFM_CELL_PINNED;
	p->need = day_of_calls(p, 1, seats);
	return p;
}

/* Only the shift types of WFM-1 and 行政班 for the proposal. */
static void center_types(struct wfm_roster_plan *p)
{
	p->ntypes = OFFICE + 1;
}

static int short_total(const struct wfm_roster_plan *p, int slot)
{
	size_t n = (size_t)p->ndays * WFM_INTERVALS * WFM_COV_SLOTS;
	int *gap = calloc(n, sizeof(int)), sum = 0;

	assert_int_equal(wfm_roster_coverage(p, NULL, gap), 0);
	for (int d = 0; d < p->ndays; d++)
		for (int iv = 0; iv < WFM_INTERVALS; iv++)
			sum += gap[WFM_COV(d, iv, slot)];
	free(gap);
	return sum;
}

/* On a realistic center the proposal breaks no hard rule, covers the
 * requirement, shares nights, weekends and holidays fairly, holds each
 * shift for a week (WFM-3), keeps leave and pinned cells, puts office staff
 * on 行政班 on working days and nobody uncertified on duty (ORG-4). */
static void propose_center(void **state)
{
	struct wfm_roster_plan *p = center(0);
	int hard = 0, worked = 0, need_sum = 0;

	center_types(p);
	assert_int_equal(wfm_roster_propose(p), 0);
	dump(p);
	check(p);
	for (int i = 0; i < nfound; i++)
		hard += found[i].hard;
	assert_int_equal(hard, 0);
	assert_int_equal(count(WFM_R_COVERAGE, -2, -2), 0);
	assert_int_equal(count(WFM_R_FAIR_NIGHT, -2, -2), 0);
	assert_int_equal(count(WFM_R_FAIR_WEEKEND, -2, -2), 0);
	assert_int_equal(count(WFM_R_FAIR_HOLIDAY, -2, -2), 0);
	assert_int_equal(count(WFM_R_CONTINUOUS, -2, -2), 0);
	assert_int_equal(nfound, 0);
	assert_int_equal(short_total(p, 0), 0);
	/* The requirement was real: the nights alone need someone each day. */
	for (int d = 0; d < p->ndays; d++)
		need_sum += p->need[WFM_COV(d, 0, 0)];
	assert_true(need_sum >= p->ndays);

	for (int d = 7; d <= 13; d++)
		assert_int_equal(p->agents[5].day[d].shift, WFM_REST);
	assert_int_equal(p->agents[7].day[16].shift, NIGHT);
	assert_int_equal(p->agents[9].day[10].shift, WFM_REST);
	for (int d = 0; d < p->ndays; d++) {
		assert_int_equal(p->agents[29].day[d].shift, WFM_REST);
		for (int i = 0; i < 2; i++)
			assert_int_equal(p->agents[i].day[d].shift,
					 wfm_roster_workday(p, d) ? OFFICE : WFM_REST);
		for (int i = 2; i < 30; i++) {
			assert_true(p->agents[i].day[d].shift != OFFICE);
			worked += p->agents[i].day[d].shift != WFM_REST;
		}
	}
	/* The 26th is a make-up working day, the 25th a holiday. */
	assert_int_equal(p->agents[0].day[25].shift, OFFICE);
	assert_int_equal(p->agents[0].day[24].shift, WFM_REST);
	/* 27 agents at five shifts a week, less a week of leave and the last
	 * days' share: everybody works their hours, not just the requirement. */
	assert_true(worked >= 27 * 20);
	plan_free(p);
}

/* The same plan gives the same grid, whatever the order of the agents. */
static void propose_deterministic(void **state)
{
	struct wfm_roster_plan *p = center(1), *q = center(1);
	struct wfm_roster_agent *rev = calloc(30, sizeof(*rev));

	center_types(p);
	center_types(q);
	assert_int_equal(wfm_roster_propose(p), 0);
	assert_int_equal(wfm_roster_propose(q), 0);
	assert_memory_equal(p->agents, q->agents, 30 * sizeof(*p->agents));
	for (int i = 0; i < 30; i++)
		rev[i] = q->agents[29 - i];
	for (int i = 0; i < 30; i++)
		for (int d = 0; d < q->ndays; d++) {
			rev[i].day[d].shift = WFM_REST;
			rev[i].day[d].skill = -1;
		}
	/* Agent 7's pinned night sits at index 22 now. */
	rev[22].day[16].shift = NIGHT;
	memcpy(q->agents, rev, 30 * sizeof(*rev));
	assert_int_equal(wfm_roster_propose(q), 0);
	for (int i = 0; i < 30; i++)
		assert_memory_equal(&p->agents[i], &q->agents[29 - i], sizeof(*rev));
	free(rev);
	plan_free(p);
	plan_free(q);
}

/* Seats (ORG-2): each shift sits a seat the agent holds, and both queues
 * are covered. */
static void propose_seats(void **state)
{
	struct wfm_roster_plan *p = center(1);
	int hard = 0;

	center_types(p);
	assert_int_equal(wfm_roster_propose(p), 0);
	for (int i = 2; i < 30; i++)
		for (int d = 0; d < p->ndays; d++) {
			const struct wfm_roster_cell *c = &p->agents[i].day[d];

			if (c->shift == WFM_REST || (c->flags & WFM_CELL_PINNED))
				continue;
			assert_true(c->skill == 0 || c->skill == 1);
			assert_true(p->agents[i].skills & (1u << c->skill));
		}
	check(p);
	for (int i = 0; i < nfound; i++)
		hard += found[i].hard;
	assert_int_equal(hard, 0);
	assert_int_equal(short_total(p, 1), 0);
	assert_int_equal(short_total(p, 2), 0);
	assert_int_equal(short_total(p, 0), 0);
	plan_free(p);
}

/* Too few agents: still no hard rule broken, the shortfall is listed, and
 * what there is goes where it is short. */
static void propose_short(void **state)
{
	struct wfm_roster_plan *p = center(0);
	int hard = 0, nights = 0;

	center_types(p);
	free((void *)p->need);
	p->need = day_of_calls(p, 3, 0);
	assert_int_equal(wfm_roster_propose(p), 0);
	check(p);
	for (int i = 0; i < nfound; i++)
		hard += found[i].hard;
	assert_int_equal(hard, 0);
	assert_true(count(WFM_R_COVERAGE, -2, -2) > 0);
	assert_true(short_total(p, 0) > 0);
	/* Every night has its three-plus agents' worth of need met before the
	 * days take everybody: at least one agent each night. */
	for (int d = 0; d < p->ndays; d++) {
		int on = 0;

		for (int i = 0; i < 30; i++)
			on += p->agents[i].day[d].shift == NIGHT;
		nights += on > 0;
	}
	assert_int_equal(nights, p->ndays);
	plan_free(p);
}

/* The continuous period (WFM-3) holds across the month's edge: an agent
 * who began nights three days before the 1st after a block of early shifts
 * keeps nights until a week has passed. */
static void propose_continues_tail(void **state)
{
	struct wfm_roster_plan *p = plan_new(2027, 3, 1);
	int *need = need_new(p);

	p->ntypes = OFFICE + 1;
	p->need = need;
	for (int d = 0; d < p->ndays; d++)
		for (int iv = 16; iv < 32; iv++)
			need[WFM_COV(d, iv, 0)] = 1; /* only early shifts wanted */
	put(p, 0, -7, -5, EARLY);
	put(p, 0, -3, -1, NIGHT);
	assert_int_equal(wfm_roster_propose(p), 0);
	for (int d = 0; d < 4; d++)
		assert_true(p->agents[0].day[d].shift == NIGHT ||
			    p->agents[0].day[d].shift == WFM_REST);
	assert_int_equal(p->agents[0].day[4].shift != WFM_REST, 1);
	check(p);
	assert_int_equal(count(WFM_R_CONTINUOUS, -2, -2), 0);
	assert_int_equal(count(WFM_R_REST_BETWEEN, -2, -2), 0);
	plan_free(p);
}

/* Every month of a year, each with other settings and shift types: a
 * 跨夜班 and a 天地班 among the types, types too long for a day and an
 * inactive one (never proposed), a week of two rest days, a period of ten
 * days, holidays at the month's start, a 天地班 pinned. The proposal never
 * breaks a hard rule, nor the continuous period but where the pinned cell
 * cuts a block. */
static void propose_variants(void **state)
{
	for (int month = 1; month <= 12; month++) {
		struct wfm_roster_plan *p = plan_new(2027, month, 24);
		int hard = 0, used[NTYPES] = {0};

		p->need = day_of_calls(p, 1, month % 2);
		switch (month % 4) {
		case 0:
			p->settings.min_rest_days_week = 2;
			break;
		case 1:
			p->settings.min_continuous_days = 10;
			break;
		case 2:
			p->holiday[0] = p->holiday[1] = p->holiday[2] = 1;
			p->makeup[5] = 1;
			break;
		default:
			p->settings.max_week_min = 2400;
			break;
		}
		for (int i = 0; i < 24; i++) {
			p->agents[i].skills = i % 2 ? TECH : TECH | MARKET;
			put(p, i, -7, -3, i % 4 == 3 ? CROSS : i % 3);
		}
		p->agents[0].office = 1;
		p->agents[5].day[9].flags = WFM_CELL_PINNED;
		p->agents[5].day[9].shift = SPLIT;
		assert_int_equal(wfm_roster_propose(p), 0);
		check(p);
		for (int i = 0; i < nfound; i++)
			hard += found[i].hard;
		if (hard)
			dump(p);
		assert_int_equal(hard, 0);
		assert_int_equal(count(WFM_R_CONTINUOUS, -2, -2), count(WFM_R_CONTINUOUS, 5, -2));
		assert_int_equal(p->agents[5].day[9].shift, SPLIT);
		for (int i = 0; i < 24; i++)
			for (int d = 0; d < p->ndays; d++)
				if (p->agents[i].day[d].shift != WFM_REST)
					used[p->agents[i].day[d].shift]++;
		assert_int_equal(used[OLD] + used[LONG] + used[SPLIT10], 0);
		assert_true(used[EARLY] > 0 && used[NIGHT] > 0 && used[OFFICE] > 0);
		plan_free(p);
	}
}

/* Without a requirement the agents spread over the whole day: every half
 * hour of the month has someone. */
static void propose_no_requirement(void **state)
{
	struct wfm_roster_plan *p = plan_new(2027, 2, 12);
	size_t n = (size_t)p->ndays * WFM_INTERVALS * WFM_COV_SLOTS;
	int *on = calloc(n, sizeof(int)), hard = 0;

	p->ntypes = OFFICE + 1;
	assert_int_equal(wfm_roster_propose(p), 0);
	assert_int_equal(wfm_roster_coverage(p, on, NULL), 0);
	for (int d = 0; d < p->ndays; d++)
		for (int iv = 0; iv < WFM_INTERVALS; iv++)
			assert_true(on[WFM_COV(d, iv, 0)] >= 1);
	check(p);
	for (int i = 0; i < nfound; i++)
		hard += found[i].hard;
	assert_int_equal(hard, 0);
	free(on);
	plan_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rule_day_max),
		cmocka_unit_test(rule_cells),
		cmocka_unit_test(rule_rest_week),
		cmocka_unit_test(rule_week_avg),
		cmocka_unit_test(rule_between),
		cmocka_unit_test(rule_continuous),
		cmocka_unit_test(rule_fair),
		cmocka_unit_test(rule_coverage),
		cmocka_unit_test(check_order),
		cmocka_unit_test(propose_center),
		cmocka_unit_test(propose_deterministic),
		cmocka_unit_test(propose_seats),
		cmocka_unit_test(propose_short),
		cmocka_unit_test(propose_continues_tail),
		cmocka_unit_test(propose_variants),
		cmocka_unit_test(propose_no_requirement),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
