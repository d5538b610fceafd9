/*
 * The rules of attendance (WFM-5): an agent's day measured against their
 * shift from the status log. No I/O; now is a parameter, and nothing after
 * it is counted, so a shift under way is computed up to now.
 *
 * The status log is a step function: from each change on the agent is in
 * its state until the next change. Logged in means any state but
 * logged_out. Per segment of the shift (a split shift, 天地班, has two):
 *
 *   late     logged out at the segment's start: the time until the first
 *            login in the segment (WFM-5: logging in after the start);
 *   early    logged out at an ended segment's end: the time from the last
 *            logout in it (WFM-5: leaving before the end);
 *   missing  the segment's time (up to now) not logged in.
 *
 * Absent: more than absent_after_min missing (WFM-5: over 1 h; exactly the
 * limit is not absence), or an ended shift never logged into, or an
 * emergency leave whose paperwork is overdue (WFM-4). An absent day is not
 * also late or early: it counts once. Approved leave excuses the day
 * (nothing counts against the agent); a supervisor's excuse (disaster, a
 * late shuttle bus) marks the day's late, early or absence excused.
 *
 * Overtime: logged-in time in the day's frame outside the shift, except
 * the arrive-before window before each segment (WFM-6: agents come early
 * for the handover; that is no overtime) and time the caller marks as
 * another day's. On a rest day all logged-in time is overtime (WFM-3:
 * working outside the roster).
 *
 * Adherence: of the scheduled time, the share in the state the shift
 * schedules. On the phones (ready, ringing, talking, wrap_up) counts; so do
 * breaks up to the shift type's break minutes, because the roster plans
 * that much 小休 in every shift without fixing when it is taken. Busy (示忙)
 * is away without a plan and never counts. Conformance: time worked (in
 * the shift and overtime) against the scheduled time; it may exceed 100 %.
 *
 * Away: busy and break together are one spell away from the seat (CALL-15;
 * the acd tick alerts on the same spells); the longest, and how many
 * reached away_max_min, are the day's figures.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "wfm/wfm.h"

#define MIN_MS 60000LL

const char *const wfm_leave_kinds[WFM_LEAVE_KINDS] = {"annual", "sick", "personal",
						      "compensatory"};

int wfm_leave_kind(const char *name)
{
	for (int i = 0; name && i < WFM_LEAVE_KINDS; i++)
		if (strcmp(name, wfm_leave_kinds[i]) == 0)
			return i;
	return -1;
}

int wfm_attend_leave_state(int emergency, int64_t paperwork_due, int64_t paperwork_at, int64_t now)
{
	/* WFM-4: leave asked by phone in an emergency holds only with its paperwork. */
	if (emergency && !paperwork_at && paperwork_due && paperwork_due <= now)
		return WFM_LEAVE_UNEXCUSED;
	return WFM_LEAVE_EXCUSED;
}

int wfm_att_state_of(const char *status)
{
	static const struct {
		const char *name;
		int state;
	} map[] = {
		{"ready", WFM_ATT_PHONE},   {"ringing", WFM_ATT_PHONE}, {"talking", WFM_ATT_PHONE},
		{"wrap_up", WFM_ATT_PHONE}, {"busy", WFM_ATT_BUSY},	{"break", WFM_ATT_BREAK},
	};

	for (size_t i = 0; status && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(status, map[i].name) == 0)
			return map[i].state;
	return WFM_ATT_OUT;
}

/* A minute of the local day that began at day_start (1440 and on: the next day's). */
static int64_t at_minute(int64_t day_start, int64_t next_start, int minute)
{
	if (minute >= WFM_DAY_MIN)
		return next_start + (int64_t)(minute - WFM_DAY_MIN) * MIN_MS;
	return day_start + (int64_t)minute * MIN_MS;
}

int wfm_attend_sched(const struct wfm_shift_type *t, int64_t day_start, int64_t next_start,
		     struct wfm_span out[WFM_SEGMENTS_MAX])
{
	for (int i = 0; i < t->nseg; i++) {
		int start = t->seg[i].start;
		int end = start + wfm_segment_length(&t->seg[i]);

		out[i].from = at_minute(day_start, next_start, start);
		out[i].to = at_minute(day_start, next_start, end);
	}
	return t->nseg;
}

/* ---- the status log as pieces of constant state ---- */

typedef void (*piece_fn)(void *ctx, int64_t from, int64_t to, int state);

/* Calls fn for each piece of constant state in [a, min(b, now)), in order. */
static void pieces(const struct wfm_attend_in *in, int64_t a, int64_t b, piece_fn fn, void *ctx)
{
	int st = in->initial;
	int64_t t = a;
	size_t i = 0;

	if (b > in->now)
		b = in->now;
	while (i < in->nchg && in->chg[i].at <= a)
		st = in->chg[i++].state;
	while (t < b) {
		int64_t next = i < in->nchg && in->chg[i].at < b ? in->chg[i].at : b;

		if (next > t)
			fn(ctx, t, next, st);
		t = next;
		while (i < in->nchg && in->chg[i].at <= t)
			st = in->chg[i++].state;
	}
}

static int state_at(const struct wfm_attend_in *in, int64_t t)
{
	int st = in->initial;

	for (size_t i = 0; i < in->nchg && in->chg[i].at <= t; i++)
		st = in->chg[i].state;
	return st;
}

struct sum {
	unsigned mask; /* 1 << state for the states counted */
	int64_t total;
	int64_t first, last_end; /* of the counted pieces; -1 none */
};

static void sum_piece(void *ctx, int64_t from, int64_t to, int state)
{
	struct sum *s = ctx;

	if (!(s->mask & (1u << state)))
		return;
	s->total += to - from;
	if (s->first < 0)
		s->first = from;
	s->last_end = to;
}

#define IN_MASK ((1u << WFM_ATT_PHONE) | (1u << WFM_ATT_BUSY) | (1u << WFM_ATT_BREAK))

static struct sum sum_in(const struct wfm_attend_in *in, int64_t a, int64_t b, unsigned mask)
{
	struct sum s = {mask, 0, -1, -1};

	pieces(in, a, b, sum_piece, &s);
	return s;
}

struct away {
	int64_t limit, run_start, run_end, longest;
	int over;
};

static void away_close(struct away *w)
{
	int64_t len = w->run_end - w->run_start;

	if (w->run_start < 0)
		return;
	if (len > w->longest)
		w->longest = len;
	if (len >= w->limit)
		w->over++;
	w->run_start = -1;
}

static void away_piece(void *ctx, int64_t from, int64_t to, int state)
{
	struct away *w = ctx;

	if (state != WFM_ATT_BUSY && state != WFM_ATT_BREAK) {
		away_close(w);
		return;
	}
	if (w->run_start < 0)
		w->run_start = from;
	w->run_end = to;
}

static int by_from(const void *a, const void *b)
{
	const struct wfm_span *x = a, *y = b;

	return x->from < y->from ? -1 : x->from > y->from;
}

/* Logged-in time in the frame outside the shift, its allowances and other days' time. */
static int64_t overtime(const struct wfm_attend_in *in)
{
	struct wfm_span ex[2 * WFM_SEGMENTS_MAX + 4];
	int n = 0, m = 0;
	int64_t total = sum_in(in, in->frame.from, in->frame.to, IN_MASK).total;

	for (int i = 0; i < in->nsched; i++) {
		ex[n++] = in->sched[i];
		ex[n].from = in->sched[i].from - (int64_t)in->arrive_before_min * MIN_MS;
		ex[n++].to = in->sched[i].from;
	}
	for (int i = 0; i < in->nother && i < 4; i++)
		ex[n++] = in->other[i];
	qsort(ex, (size_t)n, sizeof(ex[0]), by_from);
	/* Merged, so no time is taken off twice. */
	for (int i = 0; i < n; i++) {
		if (m > 0 && ex[i].from <= ex[m - 1].to) {
			if (ex[i].to > ex[m - 1].to)
				ex[m - 1].to = ex[i].to;
		} else {
			ex[m++] = ex[i];
		}
	}
	for (int i = 0; i < m; i++) {
		int64_t a = ex[i].from < in->frame.from ? in->frame.from : ex[i].from;
		int64_t b = ex[i].to > in->frame.to ? in->frame.to : ex[i].to;

		if (a < b)
			total -= sum_in(in, a, b, IN_MASK).total;
	}
	return total;
}

void wfm_attend_day(const struct wfm_attend_in *in, struct wfm_attend_day *out)
{
	struct away w = {(int64_t)in->away_max_min * MIN_MS, -1, -1, 0, 0};
	struct sum f;
	int64_t frame_end = in->frame.to < in->now ? in->frame.to : in->now;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < in->nsched; i++) {
		const struct wfm_span *g = &in->sched[i];
		int64_t end = g->to < in->now ? g->to : in->now;
		struct sum s;

		out->scheduled += g->to - g->from;
		if (end <= g->from)
			continue; /* not begun */
		out->elapsed += end - g->from;
		s = sum_in(in, g->from, g->to, IN_MASK);
		out->worked += s.total;
		out->phone += sum_in(in, g->from, g->to, 1u << WFM_ATT_PHONE).total;
		out->busy += sum_in(in, g->from, g->to, 1u << WFM_ATT_BUSY).total;
		out->brk += sum_in(in, g->from, g->to, 1u << WFM_ATT_BREAK).total;
		/* Late: out at the start, then in; never in is missing time, not lateness. */
		if (state_at(in, g->from) == WFM_ATT_OUT && s.first >= 0)
			out->late += s.first - g->from;
		/* Early: an ended segment left before its end, after having come. */
		if (g->to <= in->now && s.last_end >= 0 && s.last_end < g->to)
			out->early += g->to - s.last_end;
	}
	out->missing = out->elapsed - out->worked;
	out->ongoing = in->nsched > 0 && in->now < in->sched[in->nsched - 1].to;

	f = sum_in(in, in->frame.from, in->frame.to, IN_MASK);
	out->first_in = f.first >= 0 ? f.first : 0;
	out->last_out = f.last_end >= 0 && f.last_end < frame_end ? f.last_end : 0;
	out->overtime = overtime(in);
	pieces(in, in->frame.from, in->frame.to, away_piece, &w);
	away_close(&w);
	out->away_longest = w.longest;
	out->away_over = w.over;

	/* Breaks count as scheduled up to the shift's allowance (see above). */
	out->adherent = out->phone + (out->brk < (int64_t)in->break_allow_min * MIN_MS
					      ? out->brk
					      : (int64_t)in->break_allow_min * MIN_MS);
	out->adherence = out->elapsed > 0 ? (double)out->adherent / (double)out->elapsed : -1;
	out->conformance = out->elapsed > 0
				   ? (double)(out->worked + out->overtime) / (double)out->elapsed
				   : -1;

	if (in->leave == WFM_LEAVE_EXCUSED) {
		out->on_leave = 1;
		return;
	}
	if (in->leave == WFM_LEAVE_UNEXCUSED) {
		out->is_absent = 1; /* WFM-4: no paperwork, no leave */
	} else if (in->nsched > 0) {
		int ended = !out->ongoing;

		out->is_absent = out->missing > (int64_t)in->absent_after_min * MIN_MS ||
				 (ended && out->worked == 0);
	}
	out->is_late = !out->is_absent && out->late > 0;
	out->is_early = !out->is_absent && out->early > 0;
	out->excused = in->excused && (out->is_late || out->is_early || out->is_absent);
}

void wfm_attend_sheet_add(struct wfm_attend_sheet *s, const struct wfm_attend_day *d,
			  int leave_kind)
{
	if (leave_kind >= 0 && leave_kind < WFM_LEAVE_KINDS)
		s->leave_days[leave_kind]++;
	if (!d)
		return;
	if (d->scheduled > 0)
		s->days_scheduled++;
	if (d->worked + d->overtime > 0)
		s->days_worked++;
	s->overtime += d->overtime;
	s->worked += d->worked;
	s->scheduled += d->scheduled;
	/* Leave is not time the agent was asked to keep: adherence leaves it out. */
	if (d->on_leave)
		return;
	s->elapsed += d->elapsed;
	s->adherent += d->adherent;
	if (d->excused) {
		s->excused_days++;
		return;
	}
	if (d->is_absent)
		s->absent_days++;
	if (d->is_late) {
		s->late_days++;
		s->late += d->late;
	}
	if (d->is_early) {
		s->early_days++;
		s->early += d->early;
	}
}
