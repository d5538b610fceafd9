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
	[WFM_R_DAY_MAX] = {"day_max", 1},
	[WFM_R_LEAVE] = {"leave", 1},
	[WFM_R_CERTIFIED] = {"certified", 1},
	[WFM_R_SKILL] = {"skill", 1},
	[WFM_R_INACTIVE] = {"inactive", 1},
	[WFM_R_REST_WEEK] = {"rest_week", 1},
	[WFM_R_WEEK_AVG] = {"week_avg", 1},
	[WFM_R_REST_BETWEEN] = {"rest_between", 1},
	[WFM_R_OVERLAP] = {"overlap", 1},
	[WFM_R_CONTINUOUS] = {"continuous", 0},
	[WFM_R_FAIR_NIGHT] = {"fair_night", 0},
	[WFM_R_FAIR_WEEKEND] = {"fair_weekend", 0},
	[WFM_R_FAIR_HOLIDAY] = {"fair_holiday", 0},
	[WFM_R_COVERAGE] = {"coverage", 0},
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
	int len;	     /* minutes of work */
	int start, end;	     /* of the whole shift, minutes from the start of its day */
	int min_next;	     /* minutes of work on the next day */
	int paid_first;	     /* paid minutes counted on its own day; the rest on the next */
	int night;	     /* wfm_shift_is_night */
	int nint;	     /* intervals it covers */
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
};

static void emit(struct vlist *l, const struct wfm_roster_plan *p, int rule, int agent, int day,
		 int n0, int n1, int n2, int n3)
{
	struct wfm_violation *v;

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
			if (d >= p->ndays)
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
static void check_fair(const struct wfm_roster_plan *p, const struct type_info *ti,
		       struct vlist *l)
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
			long share = total[k] * avail; /* × sum_avail */

			if ((long)count[k] * sum_avail > share + (long)tol[k] * sum_avail)
				emit(l, p, rule[k], (int)i, -1, count[k],
				     (int)((share + sum_avail - 1) / sum_avail), tol[k], 0);
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

int wfm_roster_propose(struct wfm_roster_plan *p)
{
	int office = -1;

	if (!plan_valid(p))
		return ERR_INVALID;
	for (size_t t = 0; t < p->ntypes; t++)
		if (p->types[t].office && p->types[t].active) {
			office = (int)t;
			break;
		}
	for (size_t i = 0; i < p->nagents; i++) {
		struct wfm_roster_agent *a = &p->agents[i];

		for (int d = 0; d < p->ndays; d++) {
			struct wfm_roster_cell *c = &a->day[d];

			if (c->flags & WFM_CELL_PINNED)
				continue;
			c->shift = WFM_REST;
			c->skill = -1;
			if (a->office && office >= 0 && !(c->flags & WFM_CELL_LEAVE) &&
			    wfm_roster_workday(p, d))
				c->shift = (short)office;
		}
	}
	return 0;
}
