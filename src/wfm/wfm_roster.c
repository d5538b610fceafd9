/*
 * The duty roster's rules and kefu's proposal (WFM-1, WFM-3, ORG-2, ORG-4
 * and the labour law): what a month's grid breaks, what it covers, and a
 * grid that covers the requirement within the rules. No I/O; the plan is
 * described in wfm.h.
 */
#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "wfm/wfm.h"

const char *const wfm_skill_codes[WFM_SKILL_COUNT] = {"tech_service", "market_consult",
						      "callback_outbound", "supervising"};

int wfm_skill_index(const char *code)
{
	for (int k = 0; k < WFM_SKILL_COUNT; k++)
		if (code && strcmp(code, wfm_skill_codes[k]) == 0)
			return k;
	return -1;
}

int wfm_roster_plan_init(struct wfm_roster_plan *p, int year, int month)
{
	memset(p, 0, sizeof(*p));
	if (year < 1970 || year > 9999 || month < 1 || month > 12)
		return ERR_INVALID;
	p->year = year;
	p->month = month;
	p->ndays = wfm_month_days(year, month);
	for (int d = 0; d < p->ndays; d++)
		p->weekday[d] = wfm_weekday(year, month, d + 1);
	wfm_settings_default(&p->settings);
	return 0;
}

int wfm_roster_workday(const struct wfm_roster_plan *p, int day)
{
	if (p->makeup[day])
		return 1;
	return p->weekday[day] <= 5 && !p->holiday[day];
}

int wfm_roster_weekend(const struct wfm_roster_plan *p, int day)
{
	return p->weekday[day] >= 6 && !p->makeup[day];
}

int wfm_shift_is_night(const struct wfm_shift_type *t)
{
	for (int i = 0; i < t->nseg; i++) {
		const struct wfm_segment *s = &t->seg[i];

		/* A segment crossing midnight works from 00:00 the next day. */
		if (s->end <= s->start || s->start < WFM_NIGHT_END_MIN)
			return 1;
	}
	return 0;
}

static const struct {
	const char *name;
	int hard;
} rules[WFM_R_COUNT] = {
	[WFM_R_DAY_MAX] = {"day_max", 1},	    [WFM_R_LEAVE] = {"leave", 1},
	[WFM_R_CERTIFIED] = {"certified", 1},	    [WFM_R_SKILL] = {"skill", 1},
	[WFM_R_INACTIVE] = {"inactive", 1},	    [WFM_R_REST_WEEK] = {"rest_week", 1},
	[WFM_R_WEEK_AVG] = {"week_avg", 1},	    [WFM_R_REST_BETWEEN] = {"rest_between", 1},
	[WFM_R_OVERLAP] = {"overlap", 1},	    [WFM_R_CONTINUOUS] = {"continuous", 0},
	[WFM_R_FAIR_NIGHT] = {"fair_night", 0},	    [WFM_R_FAIR_WEEKEND] = {"fair_weekend", 0},
	[WFM_R_FAIR_HOLIDAY] = {"fair_holiday", 0}, [WFM_R_COVERAGE] = {"coverage", 0},
};

const char *wfm_rule_name(int rule)
{
	return rule > 0 && rule < WFM_R_COUNT ? rules[rule].name : "";
}

int wfm_rule_hard(int rule)
{
	return rule > 0 && rule < WFM_R_COUNT ? rules[rule].hard : 0;
}

/* ---- the grid as minutes ---- */

/*
 * Days are indexed from -WFM_TAIL_DAYS (the tail's first) to ndays - 1;
 * arrays over them are offset by WFM_TAIL_DAYS and keep one day more at the
 * end, where a crossing shift of the last day spills.
 */
#define SPAN (WFM_TAIL_DAYS + WFM_ROSTER_DAYS_MAX + 1)

static const struct wfm_roster_cell *cell_at(const struct wfm_roster_agent *a, int d)
{
	return d < 0 ? &a->tail[WFM_TAIL_DAYS + d] : &a->day[d];
}

/* What a shift type does to the days it touches, computed once per type. */
struct type_info {
	int len;	/* minutes of work */
	int start, end; /* of the whole shift, minutes from the start of its day */
	int min_next;	/* minutes of work on the next day */
	int paid_first; /* paid minutes counted on its own day; the rest on the next */
	int night;	/* wfm_shift_is_night */
	int nint;	/* intervals it covers */
	unsigned char iv[2 * WFM_INTERVALS]; /* each: 0..47 its day, 48..95 the next */
};

static void type_info_fill(const struct wfm_shift_type *t, struct type_info *ti)
{
	int first_day = 0;

	memset(ti, 0, sizeof(*ti));
	ti->len = wfm_shift_length(t);
	ti->start = t->seg[0].start;
	for (int i = 0; i < t->nseg; i++) {
		const struct wfm_segment *s = &t->seg[i];

		if (s->end > s->start) {
			first_day += s->end - s->start;
			ti->end = s->end;
		} else {
			first_day += WFM_DAY_MIN - s->start;
			ti->end = WFM_DAY_MIN + s->end;
		}
	}
	ti->min_next = ti->len - first_day;
	/* The paid minutes follow the worked ones: the labour law's day is the
	 * local day, and a 跨夜班 works in two. */
	ti->paid_first = ti->len ? (int)((long)t->paid_min * first_day / ti->len) : 0;
	ti->night = wfm_shift_is_night(t);
	for (int i = 0; i < WFM_INTERVALS; i++) {
		int c = wfm_shift_covers(t, i * WFM_INTERVAL_MIN);

		if (c == 1)
			ti->iv[ti->nint++] = (unsigned char)i;
		else if (c == 2)
			ti->iv[ti->nint++] = (unsigned char)(WFM_INTERVALS + i);
	}
}

static int plan_valid(const struct wfm_roster_plan *p)
{
	if (p->ndays < 1 || p->ndays > WFM_ROSTER_DAYS_MAX || p->ntypes > 32767 ||
	    (p->ntypes && !p->types) || (p->nagents && !p->agents))
		return 0;
	for (size_t t = 0; t < p->ntypes; t++)
		if (p->types[t].nseg < 1 || p->types[t].nseg > WFM_SEGMENTS_MAX)
			return 0;
	for (size_t i = 0; i < p->nagents; i++)
		for (int d = -WFM_TAIL_DAYS; d < p->ndays; d++) {
			const struct wfm_roster_cell *c = cell_at(&p->agents[i], d);

			if (c->shift < WFM_REST || c->shift >= (int)p->ntypes || c->skill < -1 ||
			    c->skill >= WFM_SKILL_COUNT)
				return 0;
		}
	return 1;
}

static struct type_info *types_info(const struct wfm_roster_plan *p)
{
	struct type_info *ti = malloc((p->ntypes ? p->ntypes : 1) * sizeof(*ti));

	if (ti)
		for (size_t t = 0; t < p->ntypes; t++)
			type_info_fill(&p->types[t], &ti[t]);
	return ti;
}

/* ---- coverage ---- */

/* Adds delta to the coverage of agent a's shift type t on day d (seat
 * skill, -1 any of theirs), into on[] over the month. */
static void cover_add(const struct wfm_roster_plan *p, const struct type_info *ti,
		      const struct wfm_roster_agent *a, int d, int t, int skill, int delta, int *on)
{
	unsigned seats = skill >= 0 ? 1u << skill : a->skills;

	if (p->types[t].office)
		return;
	for (int k = 0; k < ti[t].nint; k++) {
		int iv = ti[t].iv[k], day = d + iv / WFM_INTERVALS;

		if (day < 0 || day >= p->ndays)
			continue;
		iv %= WFM_INTERVALS;
		on[WFM_COV(day, iv, 0)] += delta;
		for (int s = 0; s < WFM_SKILL_COUNT; s++)
			if (seats & (1u << s))
				on[WFM_COV(day, iv, 1 + s)] += delta;
	}
}

static size_t cov_size(const struct wfm_roster_plan *p)
{
	return (size_t)p->ndays * WFM_INTERVALS * WFM_COV_SLOTS;
}

static void coverage_fill(const struct wfm_roster_plan *p, const struct type_info *ti, int *on)
{
	memset(on, 0, cov_size(p) * sizeof(*on));
	for (size_t i = 0; i < p->nagents; i++)
		/* The tail's last day may spill a crossing shift into the 1st. */
		for (int d = -1; d < p->ndays; d++) {
			const struct wfm_roster_cell *c = cell_at(&p->agents[i], d);

			if (c->shift != WFM_REST)
				cover_add(p, ti, &p->agents[i], d, c->shift, c->skill, 1, on);
		}
}

int wfm_roster_coverage(const struct wfm_roster_plan *p, int *on, int *short_)
{
	struct type_info *ti;
	int *cov = on;
	size_t n = cov_size(p);

	if (!plan_valid(p))
		return ERR_INVALID;
	ti = types_info(p);
	if (!cov)
		cov = malloc(n * sizeof(*cov));
	if (!ti || !cov) {
		free(ti);
		if (cov != on)
			free(cov);
		return ERR_NOMEM;
	}
	coverage_fill(p, ti, cov);
	if (short_)
		for (size_t k = 0; k < n; k++) {
			int need = p->need ? p->need[k] : 0;

			short_[k] = need > cov[k] ? need - cov[k] : 0;
		}
	free(ti);
	if (cov != on)
		free(cov);
	return 0;
}

/* ---- the check ---- */

struct vlist {
	struct wfm_violation *v;
	size_t n, cap;
	int nomem;
	int count_only; /* the proposal only counts: hard in n, soft in nsoft */
	size_t nsoft;
};

static void emit(struct vlist *l, const struct wfm_roster_plan *p, int rule, int agent, int day,
		 int n0, int n1, int n2, int n3)
{
	struct wfm_violation *v;

	if (l->count_only) {
		if (rules[rule].hard)
			l->n++;
		else
			l->nsoft++;
		return;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct wfm_violation *nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv) {
			l->nomem = 1;
			return;
		}
		l->v = nv;
		l->cap = cap;
	}
	v = &l->v[l->n++];
	v->rule = rule;
	v->hard = rules[rule].hard;
	v->agent = agent;
	v->person_id = agent >= 0 ? p->agents[agent].person_id : 0;
	v->day = day;
	v->n[0] = n0;
	v->n[1] = n1;
	v->n[2] = n2;
	v->n[3] = n3;
}

/* Work and paid minutes of each local day of an agent, tail included. */
static void agent_days(const struct wfm_roster_plan *p, const struct type_info *ti,
		       const struct wfm_roster_agent *a, int work[SPAN], int paid[SPAN])
{
	memset(work, 0, SPAN * sizeof(*work));
	memset(paid, 0, SPAN * sizeof(*paid));
	for (int d = -WFM_TAIL_DAYS; d < p->ndays; d++) {
		int t = cell_at(a, d)->shift, x = d + WFM_TAIL_DAYS;

		if (t == WFM_REST)
			continue;
		work[x] += ti[t].len - ti[t].min_next;
		work[x + 1] += ti[t].min_next;
		paid[x] += ti[t].paid_first;
		paid[x + 1] += p->types[t].paid_min - ti[t].paid_first;
	}
}

/* The cell rules, the daily limit and rest in a week (hard). */
static void check_days(const struct wfm_roster_plan *p, const struct type_info *ti, int i,
		       struct vlist *l)
{
	const struct wfm_roster_agent *a = &p->agents[i];
	const struct wfm_settings *w = &p->settings;
	int work[SPAN], paid[SPAN];
	long total = 0;

	agent_days(p, ti, a, work, paid);
	for (int d = 0; d < p->ndays; d++) {
		const struct wfm_roster_cell *c = &a->day[d];
		int x = d + WFM_TAIL_DAYS;

		if (paid[x] > w->max_day_min)
			emit(l, p, WFM_R_DAY_MAX, i, d, paid[x], w->max_day_min, 0, 0);
		if (c->shift == WFM_REST)
			continue;
		total += p->types[c->shift].paid_min;
		if (c->flags & WFM_CELL_LEAVE)
			emit(l, p, WFM_R_LEAVE, i, d, c->shift, 0, 0, 0);
		/* ORG-4: duty on the phones needs the qualification; 行政班 is
		 * office work. */
		if (!a->certified && !p->types[c->shift].office)
			emit(l, p, WFM_R_CERTIFIED, i, d, c->shift, 0, 0, 0);
		if (c->skill >= 0 && !(a->skills & (1u << c->skill)))
			emit(l, p, WFM_R_SKILL, i, d, c->skill, 0, 0, 0);
		if (!p->types[c->shift].active)
			emit(l, p, WFM_R_INACTIVE, i, d, c->shift, 0, 0, 0);
	}
	/* Calendar weeks from the Monday on or before the 1st, which the tail
	 * always holds. */
	for (int start = 1 - p->weekday[0]; start < p->ndays; start += 7) {
		int off = 0, unknown = 0, needed = w->min_rest_days_week;

		for (int d = start; d < start + 7; d++) {
			/* The next month's 1st is known to be worked when the
			 * last day's shift runs into it. */
			if (d > p->ndays || (d == p->ndays && work[d + WFM_TAIL_DAYS] == 0))
				unknown++;
			else
				off += work[d + WFM_TAIL_DAYS] == 0;
		}
		/* A week running on into the next month is broken only when the
		 * days it has here leave too few for its rest days. */
		if (off + unknown < needed)
			emit(l, p, WFM_R_REST_WEEK, i, start < 0 ? 0 : start, off, needed, 0, 0);
	}
	/* The labour law's 44 hours a week, on average over the month. */
	if (total * 7 > (long)w->max_week_min * p->ndays)
		emit(l, p, WFM_R_WEEK_AVG, i, -1, (int)((total * 7 + p->ndays / 2) / p->ndays),
		     w->max_week_min, 0, 0);
}

/*
 * Rest between shifts and overlaps (hard). WFM_REST_BETWEEN_MIN is 8 hours:
 * it forbids 夜班 followed by 早班 without rest (and 中班 followed straight
 * by 夜班), and any pair of shifts closer than a shift's length, yet keeps
 * 中班 (to 24:00) followed by 早班 (from 08:00), the ordinary sequence of a
 * three-shift center; the 11 hours of some laws would forbid it.
 */
static void check_between(const struct wfm_roster_plan *p, const struct type_info *ti, int i,
			  struct vlist *l)
{
	const struct wfm_roster_agent *a = &p->agents[i];
	long prev_end = 0;
	int prev_day = 0, have = 0;

	for (int d = -WFM_TAIL_DAYS; d < p->ndays; d++) {
		int t = cell_at(a, d)->shift;
		long start, end, base = (long)d * WFM_DAY_MIN;

		if (t == WFM_REST)
			continue;
		start = base + ti[t].start;
		end = base + ti[t].end;
		if (have && d >= 0) {
			long gap = start - prev_end;

			if (gap < 0)
				emit(l, p, WFM_R_OVERLAP, i, d, (int)-gap, prev_day, 0, 0);
			else if (gap < WFM_REST_BETWEEN_MIN)
				emit(l, p, WFM_R_REST_BETWEEN, i, d, (int)gap, WFM_REST_BETWEEN_MIN,
				     prev_day, 0);
		}
		/* The latest end so far: a short shift inside a long one does not
		 * hide the long one's end. */
		if (!have || end > prev_end) {
			prev_end = end;
			prev_day = d;
		}
		have = 1;
	}
}

/* WFM-3: the minimum continuous service period (soft). */
static void check_continuous(const struct wfm_roster_plan *p, int i, struct vlist *l)
{
	const struct wfm_roster_agent *a = &p->agents[i];
	int min = p->settings.min_continuous_days;
	int cur = WFM_REST, first = 0, nblock = 0;

	for (int d = -WFM_TAIL_DAYS; d < p->ndays; d++) {
		int t = cell_at(a, d)->shift;

		if (t == WFM_REST || t == cur)
			continue;
		/* A block ends where the next kind starts. The first block seen
		 * may have begun before the tail: its length is unknown, unless
		 * it begins in the month itself. */
		if (cur != WFM_REST && d >= 0 && (nblock > 1 || first >= 0) && d - first < min)
			emit(l, p, WFM_R_CONTINUOUS, i, first, d - first, min, cur, 0);
		cur = t;
		first = d;
		nblock++;
	}
}

enum { FAIR_NIGHT, FAIR_WEEKEND, FAIR_HOLIDAY, FAIR_KINDS };

/* Counts an agent's nights, weekend and holiday shifts in the month. */
static void fair_counts(const struct wfm_roster_plan *p, const struct type_info *ti,
			const struct wfm_roster_agent *a, int count[FAIR_KINDS], int *avail)
{
	memset(count, 0, FAIR_KINDS * sizeof(*count));
	*avail = 0;
	for (int d = 0; d < p->ndays; d++) {
		int t = a->day[d].shift;

		*avail += !(a->day[d].flags & WFM_CELL_LEAVE);
		if (t == WFM_REST)
			continue;
		count[FAIR_NIGHT] += ti[t].night;
		count[FAIR_WEEKEND] += wfm_roster_weekend(p, d);
		count[FAIR_HOLIDAY] += p->holiday[d] != 0;
	}
}

static int fair_eligible(const struct wfm_roster_agent *a)
{
	return a->certified && !a->office;
}

/* Fair shares of nights, weekends and holidays (soft). */
static void check_fair(const struct wfm_roster_plan *p, const struct type_info *ti, struct vlist *l)
{
	static const int rule[FAIR_KINDS] = {WFM_R_FAIR_NIGHT, WFM_R_FAIR_WEEKEND,
					     WFM_R_FAIR_HOLIDAY};
	long total[FAIR_KINDS] = {0}, sum_avail = 0;
	int tol[FAIR_KINDS] = {p->settings.min_continuous_days, 1, 1};

	if (tol[FAIR_NIGHT] < 1)
		tol[FAIR_NIGHT] = 1;
	for (size_t i = 0; i < p->nagents; i++) {
		int count[FAIR_KINDS], avail;

		if (!fair_eligible(&p->agents[i]))
			continue;
		fair_counts(p, ti, &p->agents[i], count, &avail);
		for (int k = 0; k < FAIR_KINDS; k++)
			total[k] += count[k];
		sum_avail += avail;
	}
	if (sum_avail == 0)
		return;
	for (size_t i = 0; i < p->nagents; i++) {
		int count[FAIR_KINDS], avail;

		if (!fair_eligible(&p->agents[i]))
			continue;
		fair_counts(p, ti, &p->agents[i], count, &avail);
		for (int k = 0; k < FAIR_KINDS; k++) {
			/* The share in whole shifts, rounded up: shifts do not
			 * divide, and a mean of 5.9 is a fair 6. */
			long share = (total[k] * avail + sum_avail - 1) / sum_avail;

			if (count[k] > share + tol[k])
				emit(l, p, rule[k], (int)i, -1, count[k], (int)share, tol[k], 0);
		}
	}
}

/* Coverage against the requirement (soft): one violation per day and slot. */
static void check_coverage(const struct wfm_roster_plan *p, const int *on, struct vlist *l)
{
	if (!p->need)
		return;
	for (int d = 0; d < p->ndays; d++)
		for (int s = 0; s < WFM_COV_SLOTS; s++) {
			int first = -1, nshort = 0, worst = 0;

			for (int iv = 0; iv < WFM_INTERVALS; iv++) {
				size_t k = WFM_COV(d, iv, s);
				int gap = p->need[k] - on[k];

				if (gap <= 0)
					continue;
				if (first < 0)
					first = iv;
				nshort++;
				if (gap > worst)
					worst = gap;
			}
			if (nshort)
				emit(l, p, WFM_R_COVERAGE, -1, d, s, first, nshort, worst);
		}
}

static int violation_cmp(const void *x, const void *y)
{
	const struct wfm_violation *a = x, *b = y;
	unsigned aa = (unsigned)a->agent, ba = (unsigned)b->agent; /* -1 sorts last */

	if (a->hard != b->hard)
		return b->hard - a->hard;
	if (aa != ba)
		return aa < ba ? -1 : 1;
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	if (a->rule != b->rule)
		return a->rule - b->rule;
	/* Equal keys (coverage of one day) keep their slot order. */
	return a->n[0] - b->n[0];
}

int wfm_roster_check(const struct wfm_roster_plan *p, struct wfm_violation *out, size_t cap)
{
	struct vlist l = {0};
	struct type_info *ti;
	int *on = NULL, rc;
	size_t n = 0;

	if (!plan_valid(p))
		return ERR_INVALID;
	ti = types_info(p);
	if (p->need)
		on = malloc(cov_size(p) * sizeof(*on));
	if (!ti || (p->need && !on)) {
		rc = ERR_NOMEM;
		goto done;
	}
	for (size_t i = 0; i < p->nagents; i++) {
		check_days(p, ti, (int)i, &l);
		check_between(p, ti, (int)i, &l);
	}
	for (size_t i = 0; i < p->nagents; i++)
		check_continuous(p, (int)i, &l);
	check_fair(p, ti, &l);
	if (on) {
		coverage_fill(p, ti, on);
		check_coverage(p, on, &l);
	}
	if (l.nomem) {
		rc = ERR_NOMEM;
		goto done;
	}
	/* Hard ones first, then by agent (the requirement's last) and day. */
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), violation_cmp);
	for (size_t k = 0; k < l.n; k++) {
		if (n < cap)
			out[n] = l.v[k];
		n++;
	}
	rc = n > (size_t)0x7fffffff ? 0x7fffffff : (int)n;
done:
	free(l.v);
	free(on);
	free(ti);
	return rc;
}

/* ---- the proposal ---- */

/*
 * How kefu proposes a month.
 *
 * 1. Every cell that is not pinned is cleared; leave cells stay rest. The
 *    coverage starts from the pinned cells and the tail's last night.
 * 2. Office staff get 行政班 on each working day they can take it.
 * 3. The phone agents (certified, ORG-4) are planned calendar week by
 *    calendar week, Monday to Sunday. Each agent works a target of W
 *    shifts a week: max_week_min over the longest candidate shift's paid
 *    minutes (5 with 44 h and 8 h shifts), never more than 7 less
 *    min_rest_days_week; less the days of leave, the pinned shifts and the
 *    tail's shifts of the same week; pro rata in the month's last partial
 *    week. Within a week an agent holds one shift type (WFM-3), except
 *    that a block begun less than min_continuous_days ago runs on until
 *    it has lasted that long, and a week with a pinned shift holds its type.
 *    The week is filled greedily: of every (agent, type) pair still open,
 *    the one whose best target days cover the most of what is still short
 *    wins, and those days are placed, updating the coverage at once. An
 *    interval still short is worth 16 to 64, the more the larger the share
 *    of its need still missing (a night with nobody before a morning with
 *    nine of ten); one already met is worth 16 × need / (on + need) ≤ 8, so
 *    agents beyond the requirement spread in proportion to it. With seats
 *    asked for (need[] per skill), each day also takes the agent's seat
 *    worth most that day, and the seat is written in the cell. A night
 *    costs the agent 256 for each night they already have, so nights go
 *    round; keeping last week's type earns 32. Ties go to the lower person
 *    id, then the lower type index: the same plan always gives the same
 *    grid. Agents the greedy cannot tell apart (same skills, target,
 *    block, nights and days open) form a class valued once.
 *    A day is placed only when every hard rule still holds with it: leave,
 *    the daily paid limit on both days it touches, 8 hours off from the
 *    neighbouring shifts, the week's rest days, the month's budget of
 *    max_week_min × ndays / 7 paid minutes.
 * 3b. What is still short, day by day and type by type: first a shift of
 *    that type moved from a day of the same week where it is not needed,
 *    then an extra shift from the agent with the fewest paid minutes whose
 *    rules still hold (the month's average allows 44 h, the week's target
 *    is 40).
 * 4. Fairness is then repaired without touching the coverage: an agent
 *    above the fair share of weekends or holidays hands such a shift to an
 *    agent below it in exchange for one of theirs on an ordinary day of
 *    the same week, or two agents trade whole weeks; nights move by
 *    trading whole weeks. Each exchange is kept only when both agents
 *    still break no hard rule and no more continuity than before.
 * Every step changes the coverage by what it places or removes: it is
 * never recomputed from the grid.
 */

/* Interval values of the greedy fill. */
#define V_SHORT 64
#define V_SPREAD 16
#define NIGHT_COST 256
#define KEEP_BONUS 32

struct prop {
	struct wfm_roster_plan *p;
	const struct type_info *ti;
	int *on;       /* coverage, WFM_COV */
	int seats;     /* need[] asks per seat: cells get one */
	int *order;    /* agents by person id */
	int kinds[64]; /* candidate shift types for the phones */
	int nkinds;
	int budget;	 /* paid minutes in the month, at most */
	int week_shifts; /* W */
	int *paid;	 /* the month's paid minutes of each agent */
	int *nights;	 /* nights of each agent so far */
	int *weekends;
	int *holidays;
	unsigned char *mark; /* scratch, per agent */
};

static int need_at(const struct prop *x, size_t k)
{
	if (!x->p->need)
		return k % WFM_COV_SLOTS == 0; /* no requirement: spread evenly */
	return x->p->need[k];
}

static int interval_value(const struct prop *x, size_t k)
{
	int need = need_at(x, k), on = x->on[k];

	if (need > on)
		return V_SHORT / 4 + (V_SHORT - V_SHORT / 4) * (need - on) / need;
	return need > 0 ? V_SPREAD * need / (on + need) : 0;
}

/* What type t on day d is worth in slot (0 total, 1 + seat). */
static int day_value(const struct prop *x, int d, int t, int slot)
{
	const struct type_info *ti = &x->ti[t];
	int v = 0;

	for (int k = 0; k < ti->nint; k++) {
		int iv = ti->iv[k], day = d + iv / WFM_INTERVALS;

		if (day >= x->p->ndays)
			break;
		v += interval_value(x, WFM_COV(day, iv % WFM_INTERVALS, slot));
	}
	return v;
}

static int worked_day(const struct prop *x, const struct wfm_roster_agent *a, int d)
{
	int t, prev;

	if (d < -WFM_TAIL_DAYS || d > x->p->ndays)
		return 0;
	if (d == x->p->ndays) {
		/* The next month's 1st: worked when the last day's shift runs on. */
		prev = a->day[d - 1].shift;
		return prev != WFM_REST && x->ti[prev].min_next > 0;
	}
	t = cell_at(a, d)->shift;
	if (t != WFM_REST)
		return 1;
	prev = d > -WFM_TAIL_DAYS ? cell_at(a, d - 1)->shift : WFM_REST;
	return prev != WFM_REST && x->ti[prev].min_next > 0;
}

/* The rest days of the calendar week starting at start still suffice. */
static int week_rest_ok(const struct prop *x, const struct wfm_roster_agent *a, int start)
{
	int off = 0;

	for (int d = start; d < start + 7; d++)
		off += d > x->p->ndays || !worked_day(x, a, d);
	return off >= x->p->settings.min_rest_days_week;
}

/* The Monday on or before day d. */
static int week_start(const struct wfm_roster_plan *p, int d)
{
	int wd = p->weekday[0] - 1 + d; /* days since a Monday, may be negative */

	wd %= 7;
	if (wd < 0)
		wd += 7;
	return d - wd;
}

/*
 * Whether agent a can take type t on day d with every hard rule kept: the
 * cell is free, the agent may work it, the daily limit on the two days it
 * touches, 8 hours from the neighbouring shifts, the week's rest days and
 * the month's budget. The cell is tried in place and put back.
 */
static int can_work(struct prop *x, int a, int d, int t)
{
	struct wfm_roster_plan *p = x->p;
	struct wfm_roster_agent *ag = &p->agents[a];
	const struct type_info *ti = x->ti;
	const struct wfm_shift_type *ty = &p->types[t];
	int max = p->settings.max_day_min, prev, ok = 1;
	long s, e;

	if (ag->day[d].shift != WFM_REST || (ag->day[d].flags & (WFM_CELL_LEAVE | WFM_CELL_PINNED)))
		return 0;
	if (!ty->active || (!ag->certified && !ty->office))
		return 0;
	if (x->paid[a] + ty->paid_min > x->budget)
		return 0;
	prev = cell_at(ag, d - 1)->shift;
	if ((prev != WFM_REST ? p->types[prev].paid_min - ti[prev].paid_first : 0) +
		    ti[t].paid_first >
	    max)
		return 0;
	if (ty->paid_min - ti[t].paid_first +
		    (d + 1 < p->ndays && ag->day[d + 1].shift != WFM_REST
			     ? ti[ag->day[d + 1].shift].paid_first
			     : 0) >
	    max)
		return 0;
	s = (long)d * WFM_DAY_MIN + ti[t].start;
	e = (long)d * WFM_DAY_MIN + ti[t].end;
	for (int k = d - 2; k <= d + 2; k++) {
		int u;
		long us, ue;

		if (k == d || k < -WFM_TAIL_DAYS || k >= p->ndays)
			continue;
		u = cell_at(ag, k)->shift;
		if (u == WFM_REST)
			continue;
		us = (long)k * WFM_DAY_MIN + ti[u].start;
		ue = (long)k * WFM_DAY_MIN + ti[u].end;
		if (k < d ? s - ue < WFM_REST_BETWEEN_MIN : us - e < WFM_REST_BETWEEN_MIN)
			return 0;
	}
	ag->day[d].shift = (short)t;
	if (!week_rest_ok(x, ag, week_start(p, d)))
		ok = 0;
	else if (ti[t].min_next > 0 && d + 1 <= p->ndays &&
		 week_start(p, d + 1) != week_start(p, d) && !week_rest_ok(x, ag, d + 1))
		ok = 0;
	ag->day[d].shift = WFM_REST;
	return ok;
}

static void place(struct prop *x, int a, int d, int t, int seat)
{
	struct wfm_roster_agent *ag = &x->p->agents[a];

	ag->day[d].shift = (short)t;
	ag->day[d].skill = (signed char)seat;
	x->paid[a] += x->p->types[t].paid_min;
	x->nights[a] += x->ti[t].night;
	x->weekends[a] += wfm_roster_weekend(x->p, d);
	x->holidays[a] += x->p->holiday[d] != 0;
	cover_add(x->p, x->ti, ag, d, t, seat, 1, x->on);
}

static void unplace(struct prop *x, int a, int d)
{
	struct wfm_roster_agent *ag = &x->p->agents[a];
	int t = ag->day[d].shift;

	cover_add(x->p, x->ti, ag, d, t, ag->day[d].skill, -1, x->on);
	x->paid[a] -= x->p->types[t].paid_min;
	x->nights[a] -= x->ti[t].night;
	x->weekends[a] -= wfm_roster_weekend(x->p, d);
	x->holidays[a] -= x->p->holiday[d] != 0;
	ag->day[d].shift = WFM_REST;
	ag->day[d].skill = -1;
}

/*
 * The block agent a is in before day upto, as wfm_roster_check sees it:
 * its type (WFM_REST for none), its first day, and whether its length is
 * judged (not the first block of a tail that may hide its start).
 */
static void block_before(const struct wfm_roster_agent *a, int upto, int *kind, int *first,
			 int *judged)
{
	int nblock = 0;

	*kind = WFM_REST;
	*first = 0;
	for (int d = -WFM_TAIL_DAYS; d < upto; d++) {
		int t = cell_at(a, d)->shift;

		if (t == WFM_REST || t == *kind)
			continue;
		*kind = t;
		*first = d;
		nblock++;
	}
	*judged = nblock > 1 || *first >= 0;
}

static int is_kind(const struct prop *x, int t)
{
	for (int k = 0; k < x->nkinds; k++)
		if (x->kinds[k] == t)
			return 1;
	return 0;
}

static int eligible_phone(const struct wfm_roster_agent *a)
{
	return a->certified && !a->office;
}

/* The shifts agent a should work in the week [start, start + 7). */
static int week_target(struct prop *x, int a, int start)
{
	const struct wfm_roster_plan *p = x->p;
	const struct wfm_roster_agent *ag = &p->agents[a];
	int target = x->week_shifts, in_month = 0;

	for (int d = start; d < start + 7; d++) {
		if (d >= p->ndays)
			continue;
		if (d < 0) {
			target -= cell_at(ag, d)->shift != WFM_REST;
			continue;
		}
		in_month++;
		if (ag->day[d].flags & WFM_CELL_LEAVE)
			target--;
		else if ((ag->day[d].flags & WFM_CELL_PINNED) && ag->day[d].shift != WFM_REST)
			target--;
	}
	/* The month's last week runs on into the next: its share here. */
	if (start + 7 > p->ndays && start >= 0)
		target -= x->week_shifts - (x->week_shifts * in_month + 3) / 7;
	return target < 0 ? 0 : target;
}

static void means16(const struct prop *x, long out[2])
{
	long n = 0, w = 0, h = 0;

	for (size_t i = 0; i < x->p->nagents; i++)
		if (eligible_phone(&x->p->agents[i])) {
			n++;
			w += x->weekends[i];
			h += x->holidays[i];
		}
	out[0] = n ? 16 * w / n : 0;
	out[1] = n ? 16 * h / n : 0;
}

/* The weekend and holiday leaning of a day for agent a: above the running
 * mean, such days rank lower; below it, higher. Only breaks near-ties. */
static int day_lean(const struct prop *x, int a, int d, const long mean16[2])
{
	int lean = 0;

	if (wfm_roster_weekend(x->p, d))
		lean += (int)((mean16[0] - 16L * x->weekends[a]) / 4);
	if (x->p->holiday[d])
		lean += (int)((mean16[1] - 16L * x->holidays[a]) / 4);
	return lean < -32 ? -32 : lean > 32 ? 32 : lean;
}

/*
 * A week's working state: for each open agent and candidate type, the type
 * each day would work (a block too young to end keeps its own type, WFM-3)
 * and whether the day can be worked, fixed when the week starts (only the
 * agent's own cells change it, once); and what each type covers on each
 * day, recomputed after each placement.
 */
struct week {
	int first, n;			 /* the week's days in the month */
	int *target;			 /* per agent */
	short *type;			 /* [agent][kind][day] */
	unsigned char *ok;		 /* [agent][kind]: bit j, day first + j can be worked */
	int value[64][7][WFM_COV_SLOTS]; /* [kind][day][slot] */
	int *kind_of;			 /* type index → kind index, -1 */
	int *cur;			 /* per agent: the type of the block it is in */
	/* Classes of agents alike (week_classes), per agent or per class. */
	int nclass;
	int *pos_of;		     /* agent → its place in x->order */
	int *class_of;		     /* agent → class, -1 */
	int *class_rep;		     /* class → its first agent */
	int *class_size;	     /* class → agents */
	int *class_next, *class_end; /* class → its open members in members[] */
	int *members;		     /* places in x->order, class by class */
};

static void week_values(struct prop *x, struct week *w)
{
	int slots = x->seats ? WFM_COV_SLOTS : 1;

	for (int k = 0; k < x->nkinds; k++)
		for (int j = 0; j < w->n; j++)
			for (int s = 0; s < slots; s++)
				w->value[k][j][s] = day_value(x, w->first + j, x->kinds[k], s);
}

/* What day j is worth to agent a working type t, with the seat it takes. */
static int agent_day_value(const struct prop *x, const struct week *w, int a, int t, int j,
			   int *seat)
{
	const int *v = w->value[w->kind_of[t]][j];
	unsigned skills = x->p->agents[a].skills;
	int best = -1;

	*seat = -1;
	if (x->seats)
		for (int s = 0; s < WFM_SKILL_COUNT; s++)
			if ((skills & (1u << s)) && (best < 0 || v[1 + s] > v[1 + best]))
				best = s;
	*seat = best;
	return v[0] + (best >= 0 ? v[1 + best] : 0);
}

/* The sum of agent a's best target days with kind k; -1 when none. */
static long week_choice_value(const struct prop *x, const struct week *w, int a, int k)
{
	size_t base = ((size_t)a * (size_t)x->nkinds + (size_t)k);
	const short *ty = &w->type[base * 7];
	int score[7], seat, any = 0;
	long sum = 0;

	for (int j = 0; j < w->n; j++)
		score[j] = (w->ok[base] >> j) & 1 ? agent_day_value(x, w, a, ty[j], j, &seat) : -1;
	for (int n = 0; n < w->target[a]; n++) {
		int best = -1;

		for (int j = 0; j < w->n; j++)
			if (score[j] >= 0 && (best < 0 || score[j] > score[best]))
				best = j;
		if (best < 0)
			break;
		sum += score[best];
		score[best] = -1;
		any = 1;
	}
	return any ? sum : -1;
}

/*
 * After a shift of type t with seat on week day j, the values that
 * changed: of the types working that day's intervals (those of day j, a
 * crossing type of the day before, of the day after when t crosses), in
 * the total and the seat's slot only.
 */
static void week_revalue(struct prop *x, struct week *w, int j, int t, int seat)
{
	int crosses = x->ti[t].min_next > 0;

	for (int jj = j - 1; jj <= j + 1; jj++) {
		if (jj < 0 || jj >= w->n || (jj > j && !crosses))
			continue;
		for (int k = 0; k < x->nkinds; k++) {
			if (jj < j && x->ti[x->kinds[k]].min_next == 0)
				continue;
			w->value[k][jj][0] = day_value(x, w->first + jj, x->kinds[k], 0);
			if (x->seats && seat >= 0)
				w->value[k][jj][1 + seat] =
					day_value(x, w->first + jj, x->kinds[k], 1 + seat);
		}
	}
}

/* Places agent a's best target days with kind k, each checked again as the
 * week fills and valued afresh; returns how many. */
static int week_place(struct prop *x, struct week *w, int a, int k, const long mean16[2])
{
	size_t base = ((size_t)a * (size_t)x->nkinds + (size_t)k);
	const short *ty = &w->type[base * 7];
	unsigned left = w->ok[base];
	int placed = 0;

	while (placed < w->target[a] && left) {
		int best = -1, bs = 0, seat;

		for (int j = 0; j < w->n; j++) {
			int sc;

			if (!((left >> j) & 1))
				continue;
			sc = agent_day_value(x, w, a, ty[j], j, &seat) * 4 +
			     day_lean(x, a, w->first + j, mean16);
			if (best < 0 || sc > bs) {
				best = j;
				bs = sc;
			}
		}
		left &= ~(1u << best);
		if (!can_work(x, a, w->first + best, ty[best]))
			continue;
		agent_day_value(x, w, a, ty[best], best, &seat);
		place(x, a, w->first + best, ty[best], seat);
		placed++;
		week_revalue(x, w, best, ty[best], seat);
	}
	return placed;
}

/* What makes two agents worth the same to the greedy this week. */
static int agent_same(const struct prop *x, const struct week *w, int a, int b)
{
	size_t k = (size_t)x->nkinds;

	return x->p->agents[a].skills == x->p->agents[b].skills && w->target[a] == w->target[b] &&
	       w->cur[a] == w->cur[b] && x->nights[a] == x->nights[b] &&
	       memcmp(&w->ok[(size_t)a * k], &w->ok[(size_t)b * k], k) == 0 &&
	       memcmp(&w->type[(size_t)a * k * 7], &w->type[(size_t)b * k * 7],
		      k * 7 * sizeof(*w->type)) == 0;
}

/*
 * Groups the open agents into classes of agents the greedy cannot tell
 * apart, each in person-id order. A center's agents mostly share skills,
 * hours and last week's type, so there are far fewer classes than agents.
 */
static void week_classes(const struct prop *x, struct week *w)
{
	size_t na = x->p->nagents;
	int n = 0;

	w->nclass = 0;
	for (size_t o = 0; o < na; o++)
		w->pos_of[x->order[o]] = (int)o;
	memset(w->class_of, 0xff, na * sizeof(*w->class_of));
	for (size_t o = 0; o < na; o++) {
		int a = x->order[o], c;

		if (w->target[a] <= 0)
			continue;
		for (c = 0; c < w->nclass; c++)
			if (agent_same(x, w, w->class_rep[c], a))
				break;
		if (c == w->nclass) {
			w->class_rep[c] = a;
			w->class_size[c] = 0;
			w->nclass++;
		}
		w->class_of[a] = c;
		w->class_size[c]++;
	}
	for (int c = 0; c < w->nclass; c++) {
		w->class_next[c] = w->class_end[c] = n;
		n += w->class_size[c];
	}
	for (size_t o = 0; o < na; o++) {
		int a = x->order[o];

		if (w->class_of[a] >= 0)
			w->members[w->class_end[w->class_of[a]]++] = (int)o;
	}
}

/* Fills one calendar week for the phone agents (step 3). */
static void propose_week(struct prop *x, struct week *w, int start)
{
	struct wfm_roster_plan *p = x->p;
	int last = start + 6;
	size_t na = p->nagents;
	long mean16[2];

	w->first = start < 0 ? 0 : start;
	if (last >= p->ndays)
		last = p->ndays - 1;
	w->n = last - w->first + 1;
	for (size_t a = 0; a < na; a++) {
		struct wfm_roster_agent *ag = &p->agents[a];
		int cur, bfirst, judged, gate, pinned;

		w->target[a] = eligible_phone(ag) ? week_target(x, (int)a, start) : 0;
		if (!w->target[a])
			continue;
		block_before(ag, w->first, &cur, &bfirst, &judged);
		w->cur[a] = cur;
		pinned = WFM_REST;
		for (int j = 0; j < w->n; j++)
			if ((ag->day[w->first + j].flags & WFM_CELL_PINNED) &&
			    is_kind(x, ag->day[w->first + j].shift))
				pinned = ag->day[w->first + j].shift;
		for (int k = 0; k < x->nkinds; k++) {
			size_t base = a * (size_t)x->nkinds + (size_t)k;
			int t = x->kinds[k];

			/* A week with a pinned shift holds that shift's type. */
			if (pinned != WFM_REST && t != pinned) {
				w->ok[base] = 0;
				continue;
			}

			/* WFM-3: a new type starts only when the running block has
			 * lasted min_continuous_days; until then the block goes on. */
			gate = w->first;
			if (t != cur && cur != WFM_REST && judged && is_kind(x, cur))
				gate = bfirst + p->settings.min_continuous_days;
			w->ok[base] = 0;
			for (int j = 0; j < w->n; j++) {
				int ty = w->first + j < gate ? cur : t;

				w->type[base * 7 + (size_t)j] = (short)ty;
				if (can_work(x, (int)a, w->first + j, ty))
					w->ok[base] |= (unsigned char)(1u << j);
			}
		}
	}
	week_values(x, w);
	means16(x, mean16);
	week_classes(x, w);
	/*
	 * The greedy: of every open (agent, type) pair, the one worth most,
	 * ties to the lower person id, then the lower type index. Agents of a
	 * class are worth the same, so each class is valued once, through its
	 * first open agent: the same choice as valuing every agent.
	 */
	for (;;) {
		long best = 0;
		int ba = -1, bk = -1, bc = -1;

		for (int c = 0; c < w->nclass; c++) {
			int a, pos;

			if (w->class_next[c] >= w->class_end[c])
				continue;
			pos = w->members[w->class_next[c]];
			a = x->order[pos];
			for (int k = 0; k < x->nkinds; k++) {
				int t = x->kinds[k];
				long v = week_choice_value(x, w, a, k);

				if (v < 0)
					continue;
				/* Nights go round; a type kept saves a change. */
				if (x->ti[t].night)
					v -= (long)NIGHT_COST * x->nights[a];
				if (t == w->cur[a])
					v += KEEP_BONUS;
				if (ba < 0 || v > best ||
				    (v == best &&
				     (pos < w->pos_of[ba] || (pos == w->pos_of[ba] && k < bk)))) {
					best = v;
					ba = a;
					bk = k;
					bc = c;
				}
			}
		}
		if (ba < 0)
			break;
		w->class_next[bc]++;
		week_place(x, w, ba, bk, mean16);
		w->target[ba] = 0;
	}
}

struct by_person {
	int64_t person_id;
	int index;
};

static int by_person_cmp(const void *x, const void *y)
{
	const struct by_person *a = x, *b = y;

	if (a->person_id != b->person_id)
		return a->person_id < b->person_id ? -1 : 1;
	return a->index - b->index;
}

/* Agent a's own hard violations, and soft ones of continuity (WFM-3). */
static void agent_breaks(const struct prop *x, int a, size_t *hard, size_t *soft)
{
	struct vlist l = {0};

	l.count_only = 1;
	check_days(x->p, x->ti, a, &l);
	check_between(x->p, x->ti, a, &l);
	check_continuous(x->p, a, &l);
	*hard = l.n;
	*soft = l.nsoft;
}

/* ---- step 3b: what is still short ---- */

/* Short intervals that type t on day d covers in slot, or (lose) the
 * intervals that would fall short without it. */
static int slot_short(const struct prop *x, int d, int t, int slot, int lose)
{
	const struct type_info *ti = &x->ti[t];
	int g = 0;

	for (int k = 0; k < ti->nint; k++) {
		int iv = ti->iv[k], day = d + iv / WFM_INTERVALS;
		size_t c;

		if (day >= x->p->ndays)
			break;
		c = WFM_COV(day, iv % WFM_INTERVALS, slot);
		g += lose ? x->on[c] <= need_at(x, c) : need_at(x, c) > x->on[c];
	}
	return g;
}

/* What agent a on type t on day d would make good, and the seat for it. */
static int short_gain(const struct prop *x, int a, int d, int t, int *seat)
{
	int best = 0;

	*seat = -1;
	if (x->seats)
		for (int s = 0; s < WFM_SKILL_COUNT; s++) {
			int g;

			if (!(x->p->agents[a].skills & (1u << s)))
				continue;
			g = slot_short(x, d, t, 1 + s, 0);
			if (*seat < 0 || g > best) {
				best = g;
				*seat = s;
			}
		}
	return slot_short(x, d, t, 0, 0) + best;
}

/* What removing agent a's shift on day d would make short. */
static int short_loss(const struct prop *x, int a, int d)
{
	const struct wfm_roster_cell *c = &x->p->agents[a].day[d];
	int loss = slot_short(x, d, c->shift, 0, 1);

	if (c->skill >= 0)
		loss += slot_short(x, d, c->shift, 1 + c->skill, 1);
	return loss;
}

/* Places type t on day d for agent a when no rule of theirs gets worse. */
static int try_place(struct prop *x, int a, int d, int t, int seat, size_t h, size_t s)
{
	size_t h2, s2;

	if (!can_work(x, a, d, t))
		return 0;
	place(x, a, d, t, seat);
	agent_breaks(x, a, &h2, &s2);
	if (h2 <= h && s2 <= s)
		return 1;
	unplace(x, a, d);
	return 0;
}

/* Moves one of agent a's shifts of type t in day d's week, where it is not
 * needed, to day d, where it is short; the agent's rules are judged
 * against the grid before the move. */
static int try_move(struct prop *x, int a, int d, int t)
{
	struct wfm_roster_agent *ag = &x->p->agents[a];
	int ws = week_start(x->p, d), seat;
	size_t h, s;

	agent_breaks(x, a, &h, &s);
	for (int e = ws < 0 ? 0 : ws; e < ws + 7 && e < x->p->ndays; e++) {
		struct wfm_roster_cell c = ag->day[e];

		if (e == d || c.shift != t || (c.flags & WFM_CELL_PINNED) || short_loss(x, a, e))
			continue;
		unplace(x, a, e);
		if (short_gain(x, a, d, t, &seat) > 0 && try_place(x, a, d, t, seat, h, s))
			return 1;
		place(x, a, e, c.shift, c.skill);
	}
	return 0;
}

/* The extra shift of step 3b: the agent with the fewest paid minutes. */
static int fill_extra(struct prop *x, int d, int t)
{
	struct wfm_roster_plan *p = x->p;

	memset(x->mark, 0, p->nagents);
	for (;;) {
		int best = -1, bseat = -1;
		size_t h, sb;

		for (size_t o = 0; o < p->nagents; o++) {
			int a = x->order[o], seat;

			if (x->mark[a] || !eligible_phone(&p->agents[a]) ||
			    p->agents[a].day[d].shift != WFM_REST ||
			    (best >= 0 && x->paid[a] >= x->paid[best]) ||
			    short_gain(x, a, d, t, &seat) == 0 || !can_work(x, a, d, t))
				continue;
			best = a;
			bseat = seat;
		}
		if (best < 0)
			return 0;
		agent_breaks(x, best, &h, &sb);
		if (try_place(x, best, d, t, bseat, h, sb))
			return 1;
		x->mark[best] = 1;
	}
}

/*
 * Step 3b: each day and type still short gets, first, a shift moved from a
 * day of the same week that does not need it; then an extra shift from the
 * agent with the fewest paid minutes whose rules allow it (the month's
 * average, rest days and the continuous period still hold).
 */
static void propose_fill(struct prop *x)
{
	struct wfm_roster_plan *p = x->p;

	for (int pass = 0; pass < 2; pass++)
		for (int d = 0; d < p->ndays; d++)
			for (int k = 0; k < x->nkinds; k++) {
				int t = x->kinds[k], progress = 1;

				while (progress) {
					progress = 0;
					for (size_t o = 0; o < p->nagents && !progress; o++) {
						int a = x->order[o], seat;

						if (!eligible_phone(&p->agents[a]) ||
						    p->agents[a].day[d].shift != WFM_REST ||
						    short_gain(x, a, d, t, &seat) == 0)
							continue;
						if (pass == 0)
							progress = try_move(x, a, d, t);
					}
					if (pass == 1 && !progress)
						progress = fill_extra(x, d, t);
				}
			}
}

/* ---- step 4: fairness repaired by exchanges ---- */

enum { F_NIGHT, F_WEEKEND, F_HOLIDAY };

static int *fair_count(struct prop *x, int f)
{
	return f == F_NIGHT ? x->nights : f == F_WEEKEND ? x->weekends : x->holidays;
}

static int fair_day(const struct prop *x, int f, int d)
{
	return f == F_WEEKEND ? wfm_roster_weekend(x->p, d) : x->p->holiday[d] != 0;
}

struct share {
	long total, sum_avail;
	int tol;
	int *avail;
};

/* Whether count c of an agent with avail days exceeds the share by more
 * than the tolerance, as check_fair judges. */
static int over_share(const struct share *s, long c, int avail)
{
	return c > (s->total * avail + s->sum_avail - 1) / s->sum_avail + s->tol;
}

static void share_fill(struct prop *x, int f, struct share *s)
{
	const struct wfm_roster_plan *p = x->p;
	int *count = fair_count(x, f);

	s->total = 0;
	s->sum_avail = 0;
	s->tol = f == F_NIGHT ? p->settings.min_continuous_days : 1;
	if (s->tol < 1)
		s->tol = 1;
	for (size_t i = 0; i < p->nagents; i++) {
		s->avail[i] = 0;
		if (!eligible_phone(&p->agents[i]))
			continue;
		for (int d = 0; d < p->ndays; d++)
			s->avail[i] += !(p->agents[i].day[d].flags & WFM_CELL_LEAVE);
		s->total += count[i];
		s->sum_avail += s->avail[i];
	}
}

static int cell_free(const struct wfm_roster_cell *c)
{
	return !(c->flags & (WFM_CELL_LEAVE | WFM_CELL_PINNED));
}

static int holds(const struct wfm_roster_agent *a, int seat)
{
	return seat < 0 || (a->skills & (1u << seat));
}

/*
 * Agent X hands its shift on day d1 (a weekend or holiday) to Y, and Y
 * hands X its shift on d2, an ordinary day of the same week: the coverage
 * stays as it was. Kept only when both still break no hard rule and no
 * more continuity than before.
 */
static int exchange_days(struct prop *x, int X, int Y, int d1, int d2)
{
	struct wfm_roster_agent *ax = &x->p->agents[X], *ay = &x->p->agents[Y];
	int t1 = ax->day[d1].shift, s1 = ax->day[d1].skill;
	int t2 = ay->day[d2].shift, s2 = ay->day[d2].skill;
	size_t hx, sx, hy, sy, hx2, sx2, hy2, sy2;

	if (!holds(ay, s1) || !holds(ax, s2))
		return 0;
	agent_breaks(x, X, &hx, &sx);
	agent_breaks(x, Y, &hy, &sy);
	unplace(x, X, d1);
	unplace(x, Y, d2);
	if (can_work(x, Y, d1, t1)) {
		place(x, Y, d1, t1, s1);
		if (can_work(x, X, d2, t2)) {
			place(x, X, d2, t2, s2);
			agent_breaks(x, X, &hx2, &sx2);
			agent_breaks(x, Y, &hy2, &sy2);
			if (hx2 <= hx && hy2 <= hy && sx2 <= sx && sy2 <= sy)
				return 1;
			unplace(x, X, d2);
		}
		unplace(x, Y, d1);
	}
	place(x, X, d1, t1, s1);
	place(x, Y, d2, t2, s2);
	return 0;
}

/* Weekends or holidays: exchanges until nobody is above the share. */
static void repair_days(struct prop *x, int f, struct share *s)
{
	struct wfm_roster_plan *p = x->p;
	int *count = fair_count(x, f);

	share_fill(x, f, s);
	if (s->sum_avail == 0)
		return;
	for (size_t ox = 0; ox < p->nagents; ox++) {
		int X = x->order[ox];
		struct wfm_roster_agent *ax = &p->agents[X];

		if (!eligible_phone(ax))
			continue;
		for (int d1 = 0; d1 < p->ndays && over_share(s, count[X], s->avail[X]); d1++) {
			int ws = week_start(p, d1), done = 0;

			if (!fair_day(x, f, d1) || ax->day[d1].shift == WFM_REST ||
			    !cell_free(&ax->day[d1]))
				continue;
			for (size_t oy = 0; oy < p->nagents && !done; oy++) {
				int Y = x->order[oy];
				struct wfm_roster_agent *ay = &p->agents[Y];

				if (Y == X || !eligible_phone(ay) || count[Y] + 1 >= count[X] ||
				    over_share(s, count[Y] + 1, s->avail[Y]) ||
				    ay->day[d1].shift != WFM_REST || !cell_free(&ay->day[d1]))
					continue;
				for (int d2 = ws < 0 ? 0 : ws;
				     d2 < ws + 7 && d2 < p->ndays && !done; d2++)
					if (!fair_day(x, F_WEEKEND, d2) &&
					    !fair_day(x, F_HOLIDAY, d2) &&
					    ay->day[d2].shift != WFM_REST &&
					    cell_free(&ay->day[d2]) &&
					    ax->day[d2].shift == WFM_REST &&
					    cell_free(&ax->day[d2]))
						done = exchange_days(x, X, Y, d1, d2);
			}
		}
	}
}

/* Swaps agents X's and Y's cells of the week at start (both free there). */
static void swap_week(struct prop *x, int X, int Y, int start)
{
	struct wfm_roster_agent *ax = &x->p->agents[X], *ay = &x->p->agents[Y];

	for (int d = start < 0 ? 0 : start; d < start + 7 && d < x->p->ndays; d++) {
		struct wfm_roster_cell cx = ax->day[d], cy = ay->day[d];

		if (cx.shift != WFM_REST)
			unplace(x, X, d);
		if (cy.shift != WFM_REST)
			unplace(x, Y, d);
		if (cy.shift != WFM_REST)
			place(x, X, d, cy.shift, cy.skill);
		if (cx.shift != WFM_REST)
			place(x, Y, d, cx.shift, cx.skill);
	}
}

/* Whether X and Y may trade the week at start: no leave or pinned cell and
 * each holds the other's seats; cx and cy count their shifts of kind f. */
static int week_tradable(struct prop *x, int f, int X, int Y, int start, int *cx, int *cy)
{
	struct wfm_roster_agent *ax = &x->p->agents[X], *ay = &x->p->agents[Y];

	*cx = *cy = 0;
	for (int d = start < 0 ? 0 : start; d < start + 7 && d < x->p->ndays; d++) {
		int tx = ax->day[d].shift, ty = ay->day[d].shift;

		if (!cell_free(&ax->day[d]) || !cell_free(&ay->day[d]) ||
		    !holds(ay, ax->day[d].skill) || !holds(ax, ay->day[d].skill))
			return 0;
		if (f == F_NIGHT) {
			*cx += tx != WFM_REST && x->ti[tx].night;
			*cy += ty != WFM_REST && x->ti[ty].night;
		} else if (fair_day(x, f, d)) {
			*cx += tx != WFM_REST;
			*cy += ty != WFM_REST;
		}
	}
	return 1;
}

/* Whole weeks traded between an agent above the share of kind f and one
 * who has fewer such shifts that week, until nobody is above it. */
static void repair_weeks(struct prop *x, int f, struct share *s)
{
	struct wfm_roster_plan *p = x->p;
	int *count = fair_count(x, f);

	share_fill(x, f, s);
	if (s->sum_avail == 0)
		return;
	for (size_t ox = 0; ox < p->nagents; ox++) {
		int X = x->order[ox];

		if (!eligible_phone(&p->agents[X]))
			continue;
		for (int start = 1 - p->weekday[0];
		     start < p->ndays && over_share(s, count[X], s->avail[X]); start += 7) {
			int done = 0;

			for (size_t oy = 0; oy < p->nagents && !done; oy++) {
				int Y = x->order[oy], cx, cy, ny;
				size_t hx, sx, hy, sy, hx2, sx2, hy2, sy2;

				if (Y == X || !eligible_phone(&p->agents[Y]) ||
				    !week_tradable(x, f, X, Y, start, &cx, &cy) || cx <= cy)
					continue;
				ny = count[Y] - cy + cx;
				if (ny >= count[X] || over_share(s, ny, s->avail[Y]))
					continue;
				agent_breaks(x, X, &hx, &sx);
				agent_breaks(x, Y, &hy, &sy);
				swap_week(x, X, Y, start);
				agent_breaks(x, X, &hx2, &sx2);
				agent_breaks(x, Y, &hy2, &sy2);
				if (hx2 <= hx && hy2 <= hy && sx2 <= sx && sy2 <= sy)
					done = 1;
				else
					swap_week(x, X, Y, start);
			}
		}
	}
}

static void propose_repair(struct prop *x, int *avail)
{
	struct share s = {.avail = avail};

	repair_weeks(x, F_NIGHT, &s);
	repair_days(x, F_WEEKEND, &s);
	repair_weeks(x, F_WEEKEND, &s);
	repair_days(x, F_HOLIDAY, &s);
	repair_weeks(x, F_HOLIDAY, &s);
}

/* Step 2: 行政班 on each working day the office staff can take it. */
static void propose_office(struct prop *x)
{
	struct wfm_roster_plan *p = x->p;
	int office = -1;

	for (size_t t = 0; t < p->ntypes && office < 0; t++)
		if (p->types[t].office && p->types[t].active)
			office = (int)t;
	if (office < 0)
		return;
	for (size_t o = 0; o < p->nagents; o++) {
		int a = x->order[o];

		if (!p->agents[a].office)
			continue;
		for (int d = 0; d < p->ndays; d++)
			if (wfm_roster_workday(p, d) && can_work(x, a, d, office))
				place(x, a, d, office, -1);
	}
}

static void prop_free(struct prop *x)
{
	free(x->on);
	free(x->order);
	free(x->paid);
	free(x->nights);
	free(x->weekends);
	free(x->holidays);
	free(x->mark);
}

int wfm_roster_propose(struct wfm_roster_plan *p)
{
	struct prop x = {0};
	struct week w = {0};
	struct type_info *ti;
	struct by_person *bp = NULL;
	size_t na = p->nagents ? p->nagents : 1;
	int rc = ERR_NOMEM, maxpaid = 1;

	if (!plan_valid(p))
		return ERR_INVALID;
	ti = types_info(p);
	x.p = p;
	x.ti = ti;
	x.on = malloc(cov_size(p) * sizeof(*x.on));
	x.order = malloc(na * sizeof(*x.order));
	x.paid = calloc(na, sizeof(*x.paid));
	x.nights = calloc(na, sizeof(*x.nights));
	x.weekends = calloc(na, sizeof(*x.weekends));
	x.holidays = calloc(na, sizeof(*x.holidays));
	x.mark = calloc(na, 1);
	bp = malloc(na * sizeof(*bp));
	w.kind_of = malloc((p->ntypes ? p->ntypes : 1) * sizeof(*w.kind_of));
	w.target = malloc(na * sizeof(*w.target));
	w.type = malloc(na * 64 * 7 * sizeof(*w.type));
	w.ok = malloc(na * 64 * sizeof(*w.ok));
	w.cur = malloc(na * sizeof(int));
	w.pos_of = malloc(na * sizeof(int));
	w.class_of = malloc(na * sizeof(int));
	w.class_rep = malloc(na * sizeof(int));
	w.class_size = malloc(na * sizeof(int));
	w.class_next = malloc(na * sizeof(int));
	w.class_end = malloc(na * sizeof(int));
	w.members = malloc(na * sizeof(int));
	if (!ti || !x.on || !x.order || !x.paid || !x.nights || !x.weekends || !x.holidays ||
	    !x.mark || !bp || !w.kind_of || !w.target || !w.type || !w.ok || !w.cur || !w.pos_of ||
	    !w.class_of || !w.class_rep || !w.class_size || !w.class_next || !w.class_end ||
	    !w.members)
		goto done;

	/* The same plan in any order of agents gives the same grid. */
	for (size_t i = 0; i < p->nagents; i++)
		bp[i] = (struct by_person){p->agents[i].person_id, (int)i};
	qsort(bp, p->nagents, sizeof(*bp), by_person_cmp);
	for (size_t i = 0; i < p->nagents; i++)
		x.order[i] = bp[i].index;

	for (size_t t = 0; t < p->ntypes; t++) {
		w.kind_of[t] = -1;
		if (p->types[t].active && !p->types[t].office && x.nkinds < 64) {
			w.kind_of[t] = x.nkinds;
			x.kinds[x.nkinds++] = (int)t;
			if (p->types[t].paid_min > maxpaid)
				maxpaid = p->types[t].paid_min;
		}
	}
	x.budget = (int)((long)p->settings.max_week_min * p->ndays / 7);
	x.week_shifts = p->settings.max_week_min / maxpaid;
	if (x.week_shifts > 7 - p->settings.min_rest_days_week)
		x.week_shifts = 7 - p->settings.min_rest_days_week;
	if (p->need)
		for (size_t k = 0; k < cov_size(p) && !x.seats; k++)
			x.seats = k % WFM_COV_SLOTS != 0 && p->need[k] > 0;

	/* Step 1: a clean grid around the pinned cells. */
	for (size_t i = 0; i < p->nagents; i++)
		for (int d = 0; d < p->ndays; d++) {
			struct wfm_roster_cell *c = &p->agents[i].day[d];

			if (!(c->flags & WFM_CELL_PINNED)) {
				c->shift = WFM_REST;
				c->skill = -1;
			} else if (c->shift != WFM_REST) {
				x.paid[i] += p->types[c->shift].paid_min;
				x.nights[i] += ti[c->shift].night;
				x.weekends[i] += wfm_roster_weekend(p, d);
				x.holidays[i] += p->holiday[d] != 0;
			}
		}
	coverage_fill(p, ti, x.on);

	propose_office(&x);
	for (int start = 1 - p->weekday[0]; start < p->ndays; start += 7)
		propose_week(&x, &w, start);
	propose_fill(&x);
	propose_repair(&x, w.target);
	rc = 0;
done:
	prop_free(&x);
	free(bp);
	free(w.kind_of);
	free(w.target);
	free(w.type);
	free(w.ok);
	free(w.cur);
	free(w.pos_of);
	free(w.class_of);
	free(w.class_rep);
	free(w.class_size);
	free(w.class_next);
	free(w.class_end);
	free(w.members);
	free(ti);
	return rc;
}
