/* Unit tests of attendance (src/wfm/wfm_attend.c, WFM-5, WFM-4, CALL-15): each
 * figure of an agent's day from a made-up status log against a shift, with
 * a fake now; the month's sheet. */
#include "testutil.h"

#include <math.h>

#include "wfm/wfm.h"

#define MIN 60000LL
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define D0 1796054400000LL /* a local midnight; nothing here reads the clock */

static struct wfm_shift_type shift(int s1, int e1, int s2, int e2, int brk)
{
	struct wfm_shift_type t;

	memset(&t, 0, sizeof(t));
	t.nseg = s2 < 0 ? 1 : 2;
	t.seg[0] = (struct wfm_segment){s1, e1};
	if (s2 >= 0)
		t.seg[1] = (struct wfm_segment){s2, e2};
	t.break_min = brk;
	t.paid_min = 1;
	t.active = 1;
	return t;
}

/* A day of shift t on D0 with the given log (pairs of minute from D0 and state). */
struct day {
	struct wfm_attend_in in;
	struct wfm_status_change chg[32];
};

static void day_init(struct day *d, const struct wfm_shift_type *t, int64_t now)
{
	memset(d, 0, sizeof(*d));
	if (t)
		d->in.nsched = wfm_attend_sched(t, D0, D0 + DAY, d->in.sched);
	d->in.frame.from = D0;
	d->in.frame.to = D0 + DAY;
	if (d->in.nsched && d->in.sched[d->in.nsched - 1].to > d->in.frame.to)
		d->in.frame.to = d->in.sched[d->in.nsched - 1].to;
	d->in.initial = WFM_ATT_OUT;
	d->in.chg = d->chg;
	d->in.now = now;
	d->in.absent_after_min = 60;
	d->in.arrive_before_min = 15;
	d->in.away_max_min = 15;
	d->in.break_allow_min = t ? t->break_min : 0;
}

static void at(struct day *d, int64_t minute, int state)
{
	d->chg[d->in.nchg].at = D0 + minute * MIN;
	d->chg[d->in.nchg].state = state;
	d->in.nchg++;
}

static struct wfm_attend_day figures(struct day *d)
{
	struct wfm_attend_day out;

	wfm_attend_day(&d->in, &out);
	return out;
}

static const struct wfm_shift_type *early_shift(void)
{
	static struct wfm_shift_type t;

	t = shift(480, 960, -1, -1, 30); /* 早班 08:00–16:00 */
	return &t;
}

static void states_and_schedule(void **state)
{
	struct wfm_shift_type night = shift(1320, 360, -1, -1, 30), split = shift(420, 660, 1020, 1260, 0);
	struct wfm_span s[2];

	(void)state;
	assert_int_equal(wfm_att_state_of("ready"), WFM_ATT_PHONE);
	assert_int_equal(wfm_att_state_of("wrap_up"), WFM_ATT_PHONE);
	assert_int_equal(wfm_att_state_of("talking"), WFM_ATT_PHONE);
	assert_int_equal(wfm_att_state_of("busy"), WFM_ATT_BUSY);
	assert_int_equal(wfm_att_state_of("break"), WFM_ATT_BREAK);
	assert_int_equal(wfm_att_state_of("logged_out"), WFM_ATT_OUT);
	assert_int_equal(wfm_att_state_of(NULL), WFM_ATT_OUT);
	/* 跨夜班 22:00–06:00 ends the next morning. */
	assert_int_equal(wfm_attend_sched(&night, D0, D0 + DAY, s), 1);
	assert_int_equal(s[0].from, D0 + 22 * HOUR);
	assert_int_equal(s[0].to, D0 + DAY + 6 * HOUR);
	/* 天地班 07:00–11:00 and 17:00–21:00. */
	assert_int_equal(wfm_attend_sched(&split, D0, D0 + DAY, s), 2);
	assert_int_equal(s[1].from, D0 + 17 * HOUR);
	assert_int_equal(s[1].to, D0 + 21 * HOUR);
	assert_int_equal(wfm_leave_kind("sick"), 1);
	assert_int_equal(wfm_leave_kind("holiday"), -1);
}

/* WFM-5: logging in 5 minutes after the start is late by 5 minutes. */
static void late_by_five_minutes(void **state)
{
	struct day d;
	struct wfm_attend_day f;

	(void)state;
	day_init(&d, early_shift(), D0 + DAY);
	at(&d, 485, WFM_ATT_PHONE);
	at(&d, 960, WFM_ATT_OUT);
	f = figures(&d);
	assert_int_equal(f.late, 5 * MIN);
	assert_true(f.is_late);
	assert_false(f.is_early);
	assert_false(f.is_absent);
	assert_int_equal(f.first_in, D0 + 485 * MIN);
	assert_int_equal(f.last_out, D0 + 960 * MIN);
	assert_int_equal(f.missing, 5 * MIN);
	assert_int_equal(f.worked, 475 * MIN);
	assert_int_equal(f.overtime, 0);
	/* On time (logged in at the start, or before it) is not late. */
	day_init(&d, early_shift(), D0 + DAY);
	at(&d, 480, WFM_ATT_PHONE);
	assert_false(figures(&d).is_late);
	day_init(&d, early_shift(), D0 + DAY);
	at(&d, 470, WFM_ATT_PHONE);
	assert_int_equal(figures(&d).late, 0);
	/* Logged in earlier than the arrive-before window: that part is overtime. */
	day_init(&d, early_shift(), D0 + DAY);
	at(&d, 450, WFM_ATT_PHONE);
	at(&d, 960, WFM_ATT_OUT);
	assert_int_equal(figures(&d).overtime, 15 * MIN);
}

/* WFM-5: logging out before the end is leaving early; back later is missing time. */
static void left_early(void **state)
{
	struct day d;
	struct wfm_attend_day f;

	(void)state;
	day_init(&d, early_shift(), D0 + DAY);
	at(&d, 475, WFM_ATT_PHONE);
	at(&d, 940, WFM_ATT_OUT);
	f = figures(&d);
	assert_int_equal(f.early, 20 * MIN);
	assert_true(f.is_early);
	assert_false(f.is_late);
	assert_int_equal(f.last_out, D0 + 940 * MIN);
	/* Out for a while and back before the end: not early. */
	day_init(&d, early_shift(), D0 + DAY);
	at(&d, 475, WFM_ATT_PHONE);
	at(&d, 700, WFM_ATT_OUT);
	at(&d, 730, WFM_ATT_PHONE);
	at(&d, 965, WFM_ATT_OUT);
	f = figures(&d);
	assert_int_equal(f.early, 0);
	assert_int_equal(f.missing, 30 * MIN);
	assert_int_equal(f.overtime, 5 * MIN); /* 16:00–16:05 */
}

/* WFM-5: over 1 h missing is absence; exactly 60 minutes is not. */
static void absent_over_an_hour(void **state)
{
	struct day d;
	struct wfm_attend_day f;

	(void)state;
	day_init(&d, early_shift(), D0 + DAY);
	at(&d, 540, WFM_ATT_PHONE); /* 60 minutes late */
	f = figures(&d);
	assert_int_equal(f.missing, 60 * MIN);
	assert_false(f.is_absent);
	assert_true(f.is_late);
	day_init(&d, early_shift(), D0 + DAY);
	at(&d, 541, WFM_ATT_PHONE);
	f = figures(&d);
	assert_int_equal(f.missing, 61 * MIN);
	assert_true(f.is_absent);
	assert_false(f.is_late); /* the day counts once, as absence */
	assert_int_equal(f.late, 61 * MIN);
	/* Missing time adds up across the shift. */
	day_init(&d, early_shift(), D0 + DAY);
	at(&d, 480, WFM_ATT_PHONE);
	at(&d, 600, WFM_ATT_OUT);
	at(&d, 640, WFM_ATT_PHONE);
	at(&d, 900, WFM_ATT_OUT);
	at(&d, 921, WFM_ATT_PHONE);
	assert_true(figures(&d).is_absent); /* 40 + 21 */
	/* Never came: absent, whatever the limit. */
	day_init(&d, early_shift(), D0 + DAY);
	d.in.absent_after_min = 600;
	f = figures(&d);
	assert_true(f.is_absent);
	assert_int_equal(f.first_in, 0);
	assert_int_equal(f.worked, 0);
}

/* A night shift crossing midnight: its morning part belongs to the day it began. */
static void night_shift_crossing_midnight(void **state)
{
	struct wfm_shift_type night = shift(1320, 360, -1, -1, 30);
	struct day d;
	struct wfm_attend_day f;

	(void)state;
	day_init(&d, &night, D0 + 2 * DAY);
	assert_int_equal(d.in.frame.to, D0 + DAY + 6 * HOUR);
	at(&d, 1325, WFM_ATT_PHONE);	    /* 22:05 */
	at(&d, 1440 + 350, WFM_ATT_OUT);    /* 05:50 the next day */
	f = figures(&d);
	assert_int_equal(f.scheduled, 8 * HOUR);
	assert_int_equal(f.late, 5 * MIN);
	assert_int_equal(f.early, 10 * MIN);
	assert_int_equal(f.worked, 8 * HOUR - 15 * MIN);
	assert_false(f.ongoing);
	/* At 02:00 the shift is under way: figures up to now, nothing early yet. */
	d.in.now = D0 + DAY + 2 * HOUR;
	f = figures(&d);
	assert_true(f.ongoing);
	assert_int_equal(f.elapsed, 4 * HOUR);
	assert_int_equal(f.worked, 4 * HOUR - 5 * MIN);
	assert_int_equal(f.early, 0);
	assert_int_equal(f.last_out, 0);
}

/* A split shift (天地班): each segment has its own start and end. */
static void split_shift(void **state)
{
	struct wfm_shift_type split = shift(420, 660, 1020, 1260, 0);
	struct day d;
	struct wfm_attend_day f;

	(void)state;
	day_init(&d, &split, D0 + DAY);
	at(&d, 420, WFM_ATT_PHONE);
	at(&d, 650, WFM_ATT_OUT); /* 10 minutes early */
	at(&d, 1030, WFM_ATT_PHONE); /* 10 minutes late */
	at(&d, 1260, WFM_ATT_OUT);
	f = figures(&d);
	assert_int_equal(f.scheduled, 8 * HOUR);
	assert_int_equal(f.late, 10 * MIN);
	assert_int_equal(f.early, 10 * MIN);
	assert_int_equal(f.missing, 20 * MIN);
	assert_int_equal(f.overtime, 0);
	assert_true(f.is_late && f.is_early);
	/* The gap between the segments is neither missing nor overtime for a seat logged out. */
	assert_int_equal(f.worked, 8 * HOUR - 20 * MIN);
	/* Staying logged in through the gap: the gap is overtime (less the window before 17:00). */
	day_init(&d, &split, D0 + DAY);
	at(&d, 420, WFM_ATT_PHONE);
	at(&d, 1260, WFM_ATT_OUT);
	assert_int_equal(figures(&d).overtime, 6 * HOUR - 15 * MIN);
}

/* An ongoing shift is computed up to now; nothing after now exists yet. */
static void ongoing_up_to_now(void **state)
{
	struct day d;
	struct wfm_attend_day f;

	(void)state;
	day_init(&d, early_shift(), D0 + 10 * HOUR);
	at(&d, 490, WFM_ATT_PHONE);
	f = figures(&d);
	assert_true(f.ongoing);
	assert_int_equal(f.elapsed, 2 * HOUR);
	assert_int_equal(f.worked, 2 * HOUR - 10 * MIN);
	assert_int_equal(f.late, 10 * MIN);
	assert_false(f.is_absent);
	assert_int_equal(f.last_out, 0);
	/* Not yet come 30 minutes into the shift: not absent yet; over an hour: absent. */
	day_init(&d, early_shift(), D0 + 8 * HOUR + 30 * MIN);
	f = figures(&d);
	assert_false(f.is_absent);
	assert_int_equal(f.missing, 30 * MIN);
	d.in.now = D0 + 9 * HOUR + MIN;
	assert_true(figures(&d).is_absent);
	/* Before the shift: nothing scheduled has passed. */
	day_init(&d, early_shift(), D0 + 7 * HOUR);
	f = figures(&d);
	assert_int_equal(f.elapsed, 0);
	assert_true(f.adherence < 0);
	assert_false(f.is_absent);
}

/* WFM-4: approved leave is not absence; emergency leave with overdue paperwork is. */
static void leave_days(void **state)
{
	struct day d;
	struct wfm_attend_day f;

	(void)state;
	day_init(&d, early_shift(), D0 + DAY);
	d.in.leave = WFM_LEAVE_EXCUSED;
	f = figures(&d);
	assert_true(f.on_leave);
	assert_false(f.is_absent);
	d.in.leave = WFM_LEAVE_UNEXCUSED;
	f = figures(&d);
	assert_false(f.on_leave);
	assert_true(f.is_absent);
	/* Emergency leave: excused until its paperwork is overdue, and again once it came. */
	assert_int_equal(wfm_attend_leave_state(0, 0, 0, D0), WFM_LEAVE_EXCUSED);
	assert_int_equal(wfm_attend_leave_state(1, 0, 0, D0), WFM_LEAVE_EXCUSED);
	assert_int_equal(wfm_attend_leave_state(1, D0 + 1, 0, D0), WFM_LEAVE_EXCUSED);
	assert_int_equal(wfm_attend_leave_state(1, D0, 0, D0), WFM_LEAVE_UNEXCUSED);
	assert_int_equal(wfm_attend_leave_state(1, D0 - DAY, D0 - HOUR, D0), WFM_LEAVE_EXCUSED);
	assert_int_equal(wfm_attend_leave_state(0, D0 - DAY, 0, D0), WFM_LEAVE_EXCUSED);
	/* Even on a day without a shift (leave blocks rostering). */
	day_init(&d, NULL, D0 + DAY);
	d.in.leave = WFM_LEAVE_UNEXCUSED;
	assert_true(figures(&d).is_absent);
}

/* WFM-5: the supervisor's excuse marks the day's late, early or absence excused. */
static void excused(void **state)
{
	struct day d;
	struct wfm_attend_day f;

	(void)state;
	day_init(&d, early_shift(), D0 + DAY);
	at(&d, 500, WFM_ATT_PHONE); /* the shuttle bus was late */
	d.in.excused = 1;
	f = figures(&d);
	assert_true(f.is_late);
	assert_true(f.excused);
	day_init(&d, early_shift(), D0 + DAY);
	d.in.excused = 1;
	f = figures(&d);
	assert_true(f.is_absent && f.excused);
	/* Nothing to excuse: the excuse marks nothing. */
	day_init(&d, early_shift(), D0 + DAY);
	at(&d, 470, WFM_ATT_PHONE);
	at(&d, 960, WFM_ATT_OUT);
	d.in.excused = 1;
	assert_false(figures(&d).excused);
}

/* Overtime: outside the shift beyond the arrive-before window; on a rest day, all of it. */
static void overtime(void **state)
{
	struct day d;
	struct wfm_attend_day f;

	(void)state;
	day_init(&d, early_shift(), D0 + DAY);
	at(&d, 460, WFM_ATT_PHONE); /* 07:40: 5 minutes before the 15-minute window */
	at(&d, 1030, WFM_ATT_OUT);  /* 17:10 */
	f = figures(&d);
	assert_int_equal(f.overtime, 5 * MIN + 70 * MIN);
	assert_true(f.conformance > 1.0);
	/* Time marked as another day's (the night shift before, running into this day) is not. */
	day_init(&d, early_shift(), D0 + DAY);
	d.in.initial = WFM_ATT_PHONE; /* still in from yesterday's night */
	d.in.other[0] = (struct wfm_span){D0 - 2 * HOUR, D0 + 6 * HOUR};
	d.in.nother = 1;
	at(&d, 6 * 60 + 30, WFM_ATT_OUT);
	at(&d, 480, WFM_ATT_PHONE);
	at(&d, 960, WFM_ATT_OUT);
	assert_int_equal(figures(&d).overtime, 30 * MIN);
	/* A rest day: all logged-in time is overtime (WFM-3). */
	day_init(&d, NULL, D0 + DAY);
	at(&d, 600, WFM_ATT_PHONE);
	at(&d, 700, WFM_ATT_OUT);
	f = figures(&d);
	assert_int_equal(f.overtime, 100 * MIN);
	assert_false(f.is_absent);
	assert_true(f.adherence < 0);
}

/* Adherence: on the phones plus breaks up to the allowance; conformance: worked / scheduled. */
static void adherence_and_conformance(void **state)
{
	struct day d;
	struct wfm_attend_day f;

	(void)state;
	day_init(&d, early_shift(), D0 + DAY); /* 30 minutes of break allowed */
	at(&d, 480, WFM_ATT_PHONE);
	at(&d, 600, WFM_ATT_BREAK); /* 40 minutes of break: 10 over */
	at(&d, 640, WFM_ATT_PHONE);
	at(&d, 700, WFM_ATT_BUSY); /* 20 minutes busy */
	at(&d, 720, WFM_ATT_PHONE);
	at(&d, 900, WFM_ATT_OUT); /* 60 minutes early: not absent (exactly 60) */
	f = figures(&d);
	assert_int_equal(f.elapsed, 480 * MIN);
	assert_int_equal(f.phone, 120 * MIN + 60 * MIN + 180 * MIN);
	assert_int_equal(f.brk, 40 * MIN);
	assert_int_equal(f.busy, 20 * MIN);
	assert_int_equal(f.adherent, 360 * MIN + 30 * MIN);
	assert_true(fabs(f.adherence - 390.0 / 480.0) < 1e-9);
	assert_int_equal(f.worked, 420 * MIN);
	assert_true(fabs(f.conformance - 420.0 / 480.0) < 1e-9);
	assert_int_equal(f.early, 60 * MIN);
	assert_false(f.is_absent);
	/* CALL-15: two spells away, 40 and 20 minutes, both at or over the 15-minute limit. */
	assert_int_equal(f.away_longest, 40 * MIN);
	assert_int_equal(f.away_over, 2);
	d.in.away_max_min = 21;
	assert_int_equal(figures(&d).away_over, 1);
}

/* CALL-15: busy and break back to back are one spell away. */
static void busy_and_break_one_spell(void **state)
{
	struct day d;
	struct wfm_attend_day f;

	(void)state;
	day_init(&d, early_shift(), D0 + DAY);
	at(&d, 480, WFM_ATT_PHONE);
	at(&d, 600, WFM_ATT_BUSY);
	at(&d, 610, WFM_ATT_BREAK);
	at(&d, 614, WFM_ATT_BUSY);
	at(&d, 620, WFM_ATT_PHONE);
	at(&d, 960, WFM_ATT_OUT);
	f = figures(&d);
	assert_int_equal(f.away_longest, 20 * MIN);
	assert_int_equal(f.away_over, 1);
	assert_int_equal(f.busy + f.brk, 20 * MIN);
}

/* The month's sheet adds the days up; excused days and leave count apart. */
static void monthly_sheet(void **state)
{
	struct wfm_attend_sheet s;
	struct wfm_attend_day late = {0}, absent = {0}, leave = {0}, rest = {0}, excused_day = {0};

	(void)state;
	memset(&s, 0, sizeof(s));
	late.scheduled = late.elapsed = 480 * MIN;
	late.worked = 470 * MIN;
	late.adherent = 400 * MIN;
	late.late = 10 * MIN;
	late.is_late = 1;
	late.overtime = 5 * MIN;
	absent.scheduled = absent.elapsed = 480 * MIN;
	absent.is_absent = 1;
	leave.scheduled = leave.elapsed = 480 * MIN;
	leave.on_leave = 1;
	rest.overtime = 60 * MIN;
	excused_day = absent;
	excused_day.excused = 1;
	wfm_attend_sheet_add(&s, &late, -1);
	wfm_attend_sheet_add(&s, &absent, -1);
	wfm_attend_sheet_add(&s, &leave, wfm_leave_kind("annual"));
	wfm_attend_sheet_add(&s, &rest, -1);
	wfm_attend_sheet_add(&s, &excused_day, -1);
	wfm_attend_sheet_add(&s, NULL, wfm_leave_kind("sick"));
	assert_int_equal(s.days_scheduled, 4);
	assert_int_equal(s.days_worked, 2);
	assert_int_equal(s.late_days, 1);
	assert_int_equal(s.late, 10 * MIN);
	assert_int_equal(s.absent_days, 1);
	assert_int_equal(s.excused_days, 1);
	assert_int_equal(s.leave_days[0], 1);
	assert_int_equal(s.leave_days[1], 1);
	assert_int_equal(s.overtime, 65 * MIN);
	/* Adherence leaves the leave day out: 400 of 3 × 480 minutes. */
	assert_int_equal(s.elapsed, 3 * 480 * MIN);
	assert_int_equal(s.adherent, 400 * MIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(states_and_schedule),
		cmocka_unit_test(late_by_five_minutes),
		cmocka_unit_test(left_early),
		cmocka_unit_test(absent_over_an_hour),
		cmocka_unit_test(night_shift_crossing_midnight),
		cmocka_unit_test(split_shift),
		cmocka_unit_test(ongoing_up_to_now),
		cmocka_unit_test(leave_days),
		cmocka_unit_test(excused),
		cmocka_unit_test(overtime),
		cmocka_unit_test(adherence_and_conformance),
		cmocka_unit_test(busy_and_break_one_spell),
		cmocka_unit_test(monthly_sheet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
