/* Unit tests of leave and swaps as rules (WFM-3, WFM-4): working days with
 * the calendar's holidays and make-up days, a leave asked at least one
 * working day ahead, the paperwork deadline of emergency leave, who may take
 * which step in which state, a swap asked a day before its shift, and the
 * cells a swap writes. The clock is a fake `now` in Asia/Shanghai. */
#include "testutil.h"

#include "core/clock.h"
#include "core/err.h"
#include "wfm/wfm.h"

#define HOUR 3600000LL

/* Local time in Beijing (UTC+8, no daylight saving) as UTC ms. */
static int64_t at(int y, int m, int d, int hh, int mm)
{
	return clock_days_from_civil(y, m, d) * 86400000LL - 8 * HOUR + hh * HOUR + mm * 60000LL;
}

static int64_t day(int y, int m, int d)
{
	return clock_days_from_civil(y, m, d);
}

/* A window from first with the given holidays and make-up days (day numbers, 0-ended). */
static struct wfm_workdays window(int64_t first, const int64_t *holidays, const int64_t *makeups)
{
	struct wfm_workdays w;

	w.first = first;
	w.n = WFM_WINDOW_DAYS;
	for (int i = 0; i < w.n; i++) {
		int h = 0, m = 0;

		for (const int64_t *p = holidays; p && *p; p++)
			h |= *p == first + i;
		for (const int64_t *p = makeups; p && *p; p++)
			m |= *p == first + i;
		w.working[i] = (unsigned char)wfm_working_day(first + i, h, m);
	}
	return w;
}

static struct wfm_leave leave(const char *kind, const char *first, const char *last)
{
	struct wfm_leave l;

	memset(&l, 0, sizeof(l));
	snprintf(l.kind, sizeof(l.kind), "%s", kind);
	snprintf(l.first_day, sizeof(l.first_day), "%s", first);
	snprintf(l.last_day, sizeof(l.last_day), "%s", last);
	snprintf(l.state, sizeof(l.state), "requested");
	l.person_id = 7;
	return l;
}

static int ask(const struct wfm_leave *l, const struct wfm_workdays *w, int64_t now,
	       struct err_info *ei)
{
	memset(ei, 0, sizeof(*ei));
	return wfm_leave_ask_check(l, w, now, ei);
}

static void days_and_working_days(void **state)
{
	int64_t d;
	char s[11];

	(void)state;
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	assert_int_equal(wfm_day_parse("2026-12-12", &d), 0);
	assert_int_equal(d, day(2026, 12, 12));
	wfm_day_format(d, s);
	assert_string_equal(s, "2026-12-12");
	assert_int_equal(wfm_day_parse("2026-02-29", &d), ERR_INVALID);
	assert_int_equal(wfm_day_parse("2026-1-01", &d), ERR_INVALID);
	assert_int_equal(wfm_day_parse("2026-13-01", &d), ERR_INVALID);
	/* 23:30 on the 12th in Beijing is 15:30 UTC: still the 12th locally. */
	assert_int_equal(wfm_day_of(at(2026, 12, 12, 23, 30)), day(2026, 12, 12));
	assert_int_equal(wfm_day_of(at(2026, 12, 13, 0, 0)), day(2026, 12, 13));
	assert_int_equal(wfm_day_start_ms(day(2026, 12, 13)), at(2026, 12, 13, 0, 0));
	/* 2026-12-12 is a Saturday. */
	assert_int_equal(wfm_working_day(day(2026, 12, 11), 0, 0), 1);
	assert_int_equal(wfm_working_day(day(2026, 12, 12), 0, 0), 0);
	assert_int_equal(wfm_working_day(day(2026, 12, 13), 0, 1), 1); /* 调休 */
	assert_int_equal(wfm_working_day(day(2026, 12, 14), 1, 0), 0); /* holiday */
}

/* WFM-4: a working day lies between today and the leave's first day. */
static void leave_one_working_day_ahead(void **state)
{
	int64_t sat = at(2026, 12, 12, 10, 0), fri = at(2026, 12, 11, 23, 0);
	int64_t sun = day(2026, 12, 13), mon = day(2026, 12, 14), tue = day(2026, 12, 15);
	int64_t makeup[] = {sun, 0}, holidays[] = {mon, tue, 0};
	struct wfm_workdays w = window(day(2026, 12, 12), NULL, NULL);
	struct wfm_leave l = leave("annual", "2026-12-14", "2026-12-15");
	struct err_info ei;

	(void)state;
	/* Saturday for Monday: across the weekend, no. */
	assert_int_equal(ask(&l, &w, sat, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "first_day");
	assert_string_equal(ei.message, "first_day: leave is asked at least one working day ahead");
	/* Friday night for Monday: Friday itself is the working day. */
	w = window(day(2026, 12, 11), NULL, NULL);
	assert_int_equal(ask(&l, &w, fri, &ei), 0);
	/* Saturday for Tuesday: Monday is. */
	w = window(day(2026, 12, 12), NULL, NULL);
	snprintf(l.first_day, sizeof(l.first_day), "2026-12-15");
	assert_int_equal(ask(&l, &w, sat, &ei), 0);
	/* Monday and Tuesday holidays: Saturday for Wednesday, no; for Thursday, yes. */
	w = window(day(2026, 12, 12), holidays, NULL);
	snprintf(l.first_day, sizeof(l.first_day), "2026-12-16");
	snprintf(l.last_day, sizeof(l.last_day), "2026-12-16");
	assert_int_equal(ask(&l, &w, sat, &ei), ERR_UNPROCESSABLE);
	snprintf(l.first_day, sizeof(l.first_day), "2026-12-17");
	snprintf(l.last_day, sizeof(l.last_day), "2026-12-17");
	assert_int_equal(ask(&l, &w, sat, &ei), 0);
	/* Sunday a make-up working day: Saturday for Monday is fine. */
	w = window(day(2026, 12, 12), NULL, makeup);
	snprintf(l.first_day, sizeof(l.first_day), "2026-12-14");
	assert_int_equal(ask(&l, &w, sat, &ei), 0);
	/* Emergency leave skips the rule, from today on. */
	w = window(day(2026, 12, 12), NULL, NULL);
	l = leave("sick", "2026-12-12", "2026-12-12");
	l.emergency = 1;
	assert_int_equal(ask(&l, &w, sat, &ei), 0);
	snprintf(l.first_day, sizeof(l.first_day), "2026-12-11");
	assert_int_equal(ask(&l, &w, sat, &ei), ERR_UNPROCESSABLE);
}

static void leave_refused_fields(void **state)
{
	struct wfm_workdays w = window(day(2026, 12, 7), NULL, NULL);
	struct wfm_leave l = leave("holiday", "2026-12-20", "2026-12-19");
	struct err_info ei;

	(void)state;
	/* Every broken rule at once. */
	assert_int_equal(ask(&l, &w, at(2026, 12, 7, 9, 0), &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "kind");
	assert_int_equal(ei.nmore, 1);
	assert_string_equal(ei.more[0].field, "last_day");
	l = leave("sick", "2026-12-20", "2027-03-01");
	assert_int_equal(ask(&l, &w, at(2026, 12, 7, 9, 0), &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.message, "leave of at most 62 days");
	l = leave("sick", "2028-01-01", "2028-01-01");
	assert_int_equal(ask(&l, &w, at(2026, 12, 7, 9, 0), &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.message, "first_day: at most a year ahead");
}

/* The paperwork is due by the end of the first working day after the leave. */
static void paperwork_deadline(void **state)
{
	int64_t mon = day(2026, 12, 14);
	int64_t holidays[] = {mon, 0};
	struct wfm_workdays w = window(day(2026, 12, 12), NULL, NULL);

	(void)state;
	/* A Friday's leave (window from Saturday): due at the end of Monday. */
	assert_int_equal(wfm_leave_paperwork_due(&w), at(2026, 12, 15, 0, 0));
	w = window(day(2026, 12, 12), holidays, NULL);
	assert_int_equal(wfm_leave_paperwork_due(&w), at(2026, 12, 16, 0, 0));
	/* A Wednesday's: the end of Thursday. */
	w = window(day(2026, 12, 10), NULL, NULL);
	assert_int_equal(wfm_leave_paperwork_due(&w), at(2026, 12, 11, 0, 0));
}

static int leave_step(const struct wfm_leave *l, enum wfm_step step, int64_t who, int64_t now,
		      struct err_info *ei)
{
	memset(ei, 0, sizeof(*ei));
	return wfm_leave_step_check(l, step, who, now, ei);
}

static void leave_steps(void **state)
{
	struct wfm_leave l = leave("annual", "2026-12-14", "2026-12-15");
	int64_t before = at(2026, 12, 13, 23, 59), begun = at(2026, 12, 14, 0, 0);
	struct err_info ei;

	(void)state;
	assert_int_equal(leave_step(&l, WFM_STEP_APPROVE, 2, before, &ei), 0);
	assert_int_equal(leave_step(&l, WFM_STEP_APPROVE, 7, before, &ei), ERR_CONFLICT);
	assert_string_equal(ei.message, "you cannot decide your own request");
	assert_int_equal(leave_step(&l, WFM_STEP_CANCEL, 7, before, &ei), 0);
	assert_int_equal(leave_step(&l, WFM_STEP_CANCEL, 8, before, &ei), ERR_CONFLICT);
	assert_string_equal(ei.message, "only your own leave can be cancelled");
	assert_int_equal(leave_step(&l, WFM_STEP_CANCEL, 7, begun, &ei), ERR_CONFLICT);
	assert_string_equal(ei.message, "leave that has begun cannot be cancelled");
	assert_int_equal(leave_step(&l, WFM_STEP_PAPERWORK, 2, before, &ei), ERR_CONFLICT);
	snprintf(l.state, sizeof(l.state), "approved");
	assert_int_equal(leave_step(&l, WFM_STEP_REJECT, 2, before, &ei), ERR_CONFLICT);
	assert_string_equal(ei.message, "only a requested leave can be approved or rejected");
	assert_int_equal(leave_step(&l, WFM_STEP_CANCEL, 7, before, &ei), 0);
	snprintf(l.state, sizeof(l.state), "rejected");
	assert_int_equal(leave_step(&l, WFM_STEP_CANCEL, 7, before, &ei), ERR_CONFLICT);
	/* Emergency: received before the deadline, once; after it, it counts as absence. */
	l = leave("sick", "2026-12-12", "2026-12-12");
	snprintf(l.state, sizeof(l.state), "approved");
	l.emergency = 1;
	l.paperwork_due = at(2026, 12, 15, 0, 0);
	assert_int_equal(leave_step(&l, WFM_STEP_PAPERWORK, 2, l.paperwork_due - 1, &ei), 0);
	assert_int_equal(leave_step(&l, WFM_STEP_PAPERWORK, 2, l.paperwork_due, &ei), ERR_CONFLICT);
	assert_string_equal(ei.message,
			    "the paperwork deadline has passed: the leave counts as absence");
	l.paperwork_at = at(2026, 12, 14, 9, 0);
	assert_int_equal(leave_step(&l, WFM_STEP_PAPERWORK, 2, at(2026, 12, 14, 10, 0), &ei),
			 ERR_CONFLICT);
	assert_int_equal(leave_step(&l, WFM_STEP_SIGN, 2, before, &ei), ERR_CONFLICT);
}

static struct wfm_swap swap(const char *kind, const char *a_day, const char *b_day)
{
	struct wfm_swap w;

	memset(&w, 0, sizeof(w));
	snprintf(w.kind, sizeof(w.kind), "%s", kind);
	snprintf(w.a_day, sizeof(w.a_day), "%s", a_day);
	snprintf(w.b_day, sizeof(w.b_day), "%s", b_day);
	snprintf(w.state, sizeof(w.state), "asked");
	w.requester_id = 10;
	w.partner_id = 11;
	w.a_shift_type_id = 1;
	w.b_shift_type_id = b_day[0] ? 2 : 0;
	snprintf(w.a_skill, sizeof(w.a_skill), "tech_service");
	return w;
}

/* WFM-3: asked at least a day before the shift. */
static void swap_a_day_ahead(void **state)
{
	struct wfm_swap w = swap("exchange", "2026-12-14", "2026-12-16");
	int64_t start = at(2026, 12, 14, 8, 0);
	struct err_info ei;

	(void)state;
	memset(&ei, 0, sizeof(ei));
	assert_int_equal(wfm_swap_ask_check(&w, start, start - 24 * HOUR, &ei), 0);
	memset(&ei, 0, sizeof(ei));
	assert_int_equal(wfm_swap_ask_check(&w, start, start - 24 * HOUR + 1, &ei),
			 ERR_UNPROCESSABLE);
	assert_string_equal(ei.message, "swaps are asked at least one day before the shift");
	w = swap("cover", "2026-12-14", "2026-12-16");
	memset(&ei, 0, sizeof(ei));
	assert_int_equal(wfm_swap_ask_check(&w, start, 0, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.message, "b_day: only for an exchange");
	w = swap("exchange", "2026-12-14", "");
	w.partner_id = w.requester_id;
	memset(&ei, 0, sizeof(ei));
	assert_int_equal(wfm_swap_ask_check(&w, start, 0, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "partner_id");
	assert_int_equal(ei.nmore, 1);
}

static int swap_step(const struct wfm_swap *w, enum wfm_step step, int64_t who, int64_t now,
		     struct err_info *ei)
{
	memset(ei, 0, sizeof(*ei));
	return wfm_swap_step_check(w, step, who, at(2026, 12, 14, 8, 0), now, ei);
}

static void swap_steps(void **state)
{
	struct wfm_swap w = swap("exchange", "2026-12-14", "2026-12-16");
	int64_t now = at(2026, 12, 12, 9, 0), late = at(2026, 12, 14, 8, 0);
	struct err_info ei;

	(void)state;
	/* Approving before the counter-signature; signing someone else's request. */
	assert_int_equal(swap_step(&w, WFM_STEP_APPROVE, 2, now, &ei), ERR_CONFLICT);
	assert_string_equal(ei.message, "the other agent has not counter-signed yet");
	assert_int_equal(swap_step(&w, WFM_STEP_SIGN, 10, now, &ei), ERR_CONFLICT);
	assert_string_equal(ei.message, "only the agent asked can counter-sign this swap");
	assert_int_equal(swap_step(&w, WFM_STEP_SIGN, 12, now, &ei), ERR_CONFLICT);
	assert_int_equal(swap_step(&w, WFM_STEP_SIGN, 11, late, &ei), ERR_CONFLICT);
	assert_string_equal(ei.message, "the shift has begun");
	assert_int_equal(swap_step(&w, WFM_STEP_SIGN, 11, now, &ei), 0);
	assert_int_equal(swap_step(&w, WFM_STEP_REJECT, 2, now, &ei), 0);
	assert_int_equal(swap_step(&w, WFM_STEP_CANCEL, 11, now, &ei), ERR_CONFLICT);
	assert_int_equal(swap_step(&w, WFM_STEP_CANCEL, 10, late, &ei), 0);
	snprintf(w.state, sizeof(w.state), "signed");
	assert_int_equal(swap_step(&w, WFM_STEP_SIGN, 11, now, &ei), ERR_CONFLICT);
	assert_int_equal(swap_step(&w, WFM_STEP_APPROVE, 11, now, &ei), ERR_CONFLICT);
	assert_string_equal(ei.message, "you cannot decide your own request");
	assert_int_equal(swap_step(&w, WFM_STEP_APPROVE, 2, late, &ei), ERR_CONFLICT);
	assert_int_equal(swap_step(&w, WFM_STEP_APPROVE, 2, now, &ei), 0);
	snprintf(w.state, sizeof(w.state), "approved");
	assert_int_equal(swap_step(&w, WFM_STEP_APPROVE, 2, now, &ei), ERR_CONFLICT);
	assert_string_equal(ei.message, "this swap is already settled");
	assert_int_equal(swap_step(&w, WFM_STEP_CANCEL, 10, now, &ei), ERR_CONFLICT);
	assert_int_equal(swap_step(&w, WFM_STEP_PAPERWORK, 2, now, &ei), ERR_CONFLICT);
}

/* The cells a swap writes. */
static void swap_changes(void **state)
{
	struct wfm_cell_change ch[4];
	struct wfm_swap w = swap("cover", "2026-12-14", "");

	(void)state;
	assert_int_equal(wfm_swap_changes(&w, ch), 2);
	assert_int_equal(ch[0].person_id, 10);
	assert_int_equal(ch[0].shift_type_id, 0);
	assert_int_equal(ch[1].person_id, 11);
	assert_int_equal(ch[1].shift_type_id, 1);
	assert_string_equal(ch[1].skill, "tech_service");
	w = swap("exchange", "2026-12-14", "2026-12-14");
	assert_int_equal(wfm_swap_changes(&w, ch), 2);
	assert_int_equal(ch[0].shift_type_id, 2); /* A takes B's type */
	assert_int_equal(ch[1].shift_type_id, 1);
	w = swap("exchange", "2026-12-14", "2026-12-16");
	assert_int_equal(wfm_swap_changes(&w, ch), 4);
	assert_string_equal(ch[2].day, "2026-12-16");
	assert_int_equal(ch[2].person_id, 11);
	assert_int_equal(ch[2].shift_type_id, 0);
	assert_int_equal(ch[3].person_id, 10);
	assert_int_equal(ch[3].shift_type_id, 2);
}

/* The roster rules see the swap: a cover that leaves no rest between shifts. */
static void swap_rechecked_by_the_roster_rules(void **state)
{
	struct wfm_shift_type types[2];
	struct wfm_roster_agent agents[2];
	struct wfm_roster_plan p;
	struct wfm_violation v[16];
	int n, found = 0;

	(void)state;
	memset(types, 0, sizeof(types));
	types[0] = (struct wfm_shift_type){.id = 1,
					   .nseg = 1,
					   .seg = {{0, 480}},
					   .paid_min = 450,
					   .break_min = 30,
					   .active = 1};
	types[1] = (struct wfm_shift_type){.id = 2,
					   .nseg = 1,
					   .seg = {{960, 1440}},
					   .paid_min = 450,
					   .break_min = 30,
					   .active = 1};
	assert_int_equal(wfm_roster_plan_init(&p, 2026, 12), 0);
	p.types = types;
	p.ntypes = 2;
	p.agents = agents;
	p.nagents = 2;
	memset(agents, 0, sizeof(agents));
	for (int a = 0; a < 2; a++) {
		agents[a].person_id = 10 + a;
		agents[a].certified = 1;
		agents[a].skills = 1;
		for (int d = 0; d < WFM_TAIL_DAYS; d++)
			agents[a].tail[d] = (struct wfm_roster_cell){WFM_REST, -1, 0};
		for (int d = 0; d < WFM_ROSTER_DAYS_MAX; d++)
			agents[a].day[d] = (struct wfm_roster_cell){WFM_REST, -1, 0};
	}
	wfm_plan_set(&p, 0, 13, 0, -1); /* A: 夜班 on the 14th */
	wfm_plan_set(&p, 1, 12, 1, -1); /* B: 中班 on the 13th */
	n = wfm_roster_check(&p, v, 16);
	for (int i = 0; i < n; i++)
		assert_false(v[i].hard);
	/* B covers A's night: no rest between B's two shifts. */
	wfm_plan_set(&p, 0, 13, -1, -1);
	wfm_plan_set(&p, 1, 13, 0, -1);
	n = wfm_roster_check(&p, v, 16);
	for (int i = 0; i < n; i++)
		if (v[i].hard && v[i].rule == WFM_R_REST_BETWEEN && v[i].person_id == 11 &&
		    v[i].day == 13)
			found = 1;
	assert_true(found);
	/* The tail: day −1 is the previous month's last. */
	wfm_plan_set(&p, 0, -1, 1, -1);
	assert_int_equal(agents[0].tail[WFM_TAIL_DAYS - 1].shift, 1);
	wfm_plan_leave(&p, 0, 40); /* outside: ignored */
	wfm_plan_leave(&p, 0, 2);
	assert_int_equal(agents[0].day[2].flags, WFM_CELL_LEAVE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(days_and_working_days),
		cmocka_unit_test(leave_one_working_day_ahead),
		cmocka_unit_test(leave_refused_fields),
		cmocka_unit_test(paperwork_deadline),
		cmocka_unit_test(leave_steps),
		cmocka_unit_test(swap_a_day_ahead),
		cmocka_unit_test(swap_steps),
		cmocka_unit_test(swap_changes),
		cmocka_unit_test(swap_rechecked_by_the_roster_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
