/*
 * mtg: the meetings' rules (MTG-1: the schedules' days, a day's notice but
 * for the routine meeting, the weekly summary on Monday, the monthly one
 * before the 5th), the work logs' periods (LED-1), and the store's two
 * feeds of the people ledger: late and absent attendances by the time they
 * were marked (the perf source) and the inspections' proposed penalties.
 */
#include "testutil.h"

#include "core/clock.h"
#include "core/err.h"
#include "mtg/mtg.h"
#include "store/store.h"

#define MIN 60000LL
#define DAY 86400000LL
/* 2026-12-07 00:00 +08:00, a Monday. */
#define MON 1796572800000LL

static void test_types(void **state)
{
	(void)state;
	assert_int_equal(mtg_type_parse("daily"), MTG_DAILY);
	assert_int_equal(mtg_type_parse("training_review"), MTG_TRAINING_REVIEW);
	assert_int_equal(mtg_type_parse("weekly"), -1);
	assert_int_equal(mtg_type_parse(NULL), -1);
	assert_string_equal(mtg_type_name(MTG_HYGIENE), "hygiene");
	assert_true(mtg_type_routine(MTG_DAILY));
	assert_false(mtg_type_routine(MTG_WEEKLY_SUMMARY));
	assert_int_equal(mtg_attend_parse("late"), MTG_LATE);
	assert_int_equal(mtg_attend_parse("expected"), -1); /* not something one marks */
	assert_true(mtg_item_valid("hygiene"));
	assert_false(mtg_item_valid("mood"));
}

static int collect(void *arg, int64_t at)
{
	int64_t *out = arg;

	out[++out[0]] = at;
	return 0;
}

static void test_schedules(void **state)
{
	struct mtg_schedule sc = {.type = MTG_WEEKLY_SUMMARY,
				  .freq = "weekly",
				  .weekday = 1,
				  .minute = 960,
				  .duration_min = 60};
	const char *why = NULL;
	int64_t got[16] = {0};

	(void)state;
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	assert_int_equal(mtg_schedule_check(&sc, &why), 0);
	/* The weekly summary is on Mondays only. */
	sc.weekday = 2;
	assert_int_equal(mtg_schedule_check(&sc, &why), ERR_UNPROCESSABLE);
	assert_string_equal(why, "the weekly summary is held every Monday");
	/* The monthly summary before the 5th: the 4th is fine, the 5th is not. */
	sc = (struct mtg_schedule){.type = MTG_MONTHLY_SUMMARY,
				   .freq = "monthly",
				   .monthday = 4,
				   .minute = 900,
				   .duration_min = 90};
	assert_int_equal(mtg_schedule_check(&sc, &why), 0);
	sc.monthday = 5;
	assert_int_equal(mtg_schedule_check(&sc, &why), ERR_UNPROCESSABLE);
	assert_string_equal(why, "the monthly summary is held before the 5th");
	/* The daily meeting is daily; other types any frequency. */
	sc = (struct mtg_schedule){.type = MTG_DAILY,
				   .freq = "weekly",
				   .weekday = 3,
				   .minute = 540,
				   .duration_min = 30};
	assert_int_equal(mtg_schedule_check(&sc, &why), ERR_UNPROCESSABLE);
	sc.type = MTG_HYGIENE;
	assert_int_equal(mtg_schedule_check(&sc, &why), 0);
	sc.weekday = 8;
	assert_int_equal(mtg_schedule_check(&sc, &why), ERR_UNPROCESSABLE);
	sc.weekday = 3;
	sc.minute = 1440;
	assert_int_equal(mtg_schedule_check(&sc, &why), ERR_UNPROCESSABLE);

	/* Wednesdays at 09:00 over two weeks from Monday: the 9th and the 16th. */
	sc.minute = 540;
	assert_int_equal(mtg_schedule_starts(&sc, MON, MON + 14 * DAY, collect, got), 0);
	assert_int_equal(got[0], 2);
	assert_int_equal(got[1], MON + 2 * DAY + 540 * MIN);
	assert_int_equal(got[2], MON + 9 * DAY + 540 * MIN);
	/* Daily, from 10:00 on Monday to Wednesday 09:00: Tuesday's alone (Monday's had begun,
	 * Wednesday's is at the bound, which is left out). */
	sc = (struct mtg_schedule){
		.type = MTG_DAILY, .freq = "daily", .minute = 540, .duration_min = 30};
	memset(got, 0, sizeof(got));
	assert_int_equal(
		mtg_schedule_starts(&sc, MON + 600 * MIN, MON + 2 * DAY + 540 * MIN, collect, got),
		0);
	assert_int_equal(got[0], 1);
	assert_int_equal(got[1], MON + DAY + 540 * MIN);
	/* Monthly on the 3rd: 2027-01-03 is 27 days after 2026-12-07. */
	sc = (struct mtg_schedule){.type = MTG_MONTHLY_SUMMARY,
				   .freq = "monthly",
				   .monthday = 3,
				   .minute = 900,
				   .duration_min = 90};
	memset(got, 0, sizeof(got));
	assert_int_equal(mtg_schedule_starts(&sc, MON, MON + 40 * DAY, collect, got), 0);
	assert_int_equal(got[0], 1);
	assert_int_equal(got[1], MON + 27 * DAY + 900 * MIN);
}

static void test_meetings(void **state)
{
	const char *why = NULL;
	int after = 0;
	int64_t now = MON - 3 * DAY; /* the Friday before */

	(void)state;
	/* A day's notice: a weekly summary on Monday 16:00 may be called until Sunday 16:00. */
	assert_int_equal(mtg_meeting_check(MTG_WEEKLY_SUMMARY, MON + 960 * MIN, now, &why), 0);
	assert_int_equal(
		mtg_meeting_check(MTG_WEEKLY_SUMMARY, MON + 960 * MIN, MON + 960 * MIN - DAY, &why),
		0);
	assert_int_equal(mtg_meeting_check(MTG_WEEKLY_SUMMARY, MON + 960 * MIN,
					   MON + 960 * MIN - DAY + 1, &why),
			 ERR_UNPROCESSABLE);
	assert_string_equal(why, "starts_at: a meeting is announced at least a day ahead");
	/* ... but not on a Tuesday. */
	assert_int_equal(mtg_meeting_check(MTG_WEEKLY_SUMMARY, MON + DAY + 960 * MIN, now, &why),
			 ERR_UNPROCESSABLE);
	/* The routine meeting needs no notice, but is not called in the past. */
	assert_int_equal(mtg_meeting_check(MTG_DAILY, now + MIN, now, &why), 0);
	assert_int_equal(mtg_meeting_check(MTG_DAILY, now - MIN, now, &why), ERR_UNPROCESSABLE);
	/* The monthly summary on 2027-01-04 yes, 2027-01-05 no. */
	assert_int_equal(mtg_meeting_check(MTG_MONTHLY_SUMMARY, MON + 28 * DAY, now, &why), 0);
	assert_int_equal(mtg_meeting_check(MTG_MONTHLY_SUMMARY, MON + 29 * DAY, now, &why),
			 ERR_UNPROCESSABLE);

	/* The notice: within a day of the start, once, never for the routine meeting. */
	assert_false(mtg_notice_due(MTG_COORDINATION, MON, 0, MON - DAY - 1));
	assert_true(mtg_notice_due(MTG_COORDINATION, MON, 0, MON - DAY));
	assert_false(mtg_notice_due(MTG_COORDINATION, MON, MON - DAY, MON - 1));
	assert_false(mtg_notice_due(MTG_DAILY, MON, 0, MON - 1));
	assert_false(mtg_notice_due(MTG_COORDINATION, MON, 0, MON));

	/* Attendance: once begun; after the end it is after the fact; never when cancelled. */
	assert_int_equal(mtg_mark_check("scheduled", MON, MON + 30 * MIN, MON - 1, &after, &why),
			 ERR_CONFLICT);
	assert_int_equal(mtg_mark_check("scheduled", MON, MON + 30 * MIN, MON, &after, &why), 0);
	assert_false(after);
	assert_int_equal(mtg_mark_check("held", MON, MON + 30 * MIN, MON + 30 * MIN, &after, &why),
			 0);
	assert_true(after);
	assert_int_equal(mtg_mark_check("cancelled", MON, MON + 30 * MIN, MON + MIN, &after, &why),
			 ERR_CONFLICT);
	assert_string_equal(why, "the meeting was cancelled");
}

static void test_log_periods(void **state)
{
	const char *why = NULL;
	int64_t now = MON + 600 * MIN; /* 2026-12-07 10:00 */

	(void)state;
	assert_int_equal(mtg_log_period_check("day", "2026-12-07", now, &why), 0);
	assert_int_equal(mtg_log_period_check("day", "2026-12-06", now, &why), 0);
	assert_int_equal(mtg_log_period_check("day", "2026-12-05", now, &why), ERR_UNPROCESSABLE);
	assert_int_equal(mtg_log_period_check("day", "2026-12-08", now, &why), ERR_UNPROCESSABLE);
	assert_int_equal(mtg_log_period_check("day", "2026-02-30", now, &why), ERR_INVALID);
	assert_int_equal(mtg_log_period_check("day", "2026-12-7", now, &why), ERR_INVALID);
	assert_int_equal(mtg_log_period_check("month", "2026-12", now, &why), 0);
	assert_int_equal(mtg_log_period_check("month", "2026-11", now, &why), 0);
	assert_int_equal(mtg_log_period_check("month", "2026-10", now, &why), ERR_UNPROCESSABLE);
	assert_int_equal(mtg_log_period_check("month", "2027-01", now, &why), ERR_UNPROCESSABLE);
	assert_int_equal(mtg_log_period_check("week", "2026-12", now, &why), ERR_INVALID);
	/* January's last month is December of the year before. */
	assert_int_equal(mtg_log_period_check("month", "2026-12", MON + 30 * DAY, &why), 0);
}

static int64_t person(struct store *s, const char *work_no, int64_t roles)
{
	int64_t id = 0;

	assert_int_equal(
		store_run(s,
			  "INSERT INTO person(work_no, name, roles, created_at, updated_at)"
			  " VALUES (?, ?, ?, 0, 0) RETURNING id",
			  &id, "tti", work_no, work_no, roles),
		1);
	return id;
}

struct seen {
	int n;
	int64_t person[8], source_id[8], at[8];
	int late[8];
	char title[8][64];
	char category[8][16];
};

static int absence_cb(void *arg, const struct perf_absence *a)
{
	struct seen *s = arg;

	assert_string_equal(a->source, "mtg_attendance");
	s->person[s->n] = a->person_id;
	s->source_id[s->n] = a->source_id;
	s->at[s->n] = a->at;
	s->late[s->n] = a->late;
	snprintf(s->title[s->n], sizeof(s->title[0]), "%s", a->title);
	s->n++;
	return 0;
}

static int finding_cb(void *arg, const struct mtg_finding *f)
{
	struct seen *s = arg;

	s->person[s->n] = f->person_id;
	snprintf(s->category[s->n], sizeof(s->category[0]), "%s", f->category);
	s->n++;
	return 0;
}

static void test_perf_source_and_findings(void **state)
{
	struct store *s = test_store_open();
	int64_t a1 = person(s, "9101", 8), a2 = person(s, "9102", 8), a3 = person(s, "9103", 8);
	int64_t sup = person(s, "9001", 4);
	struct mtg_meeting m = {.type = MTG_COORDINATION,
				.title = "协调会",
				.starts_at = MON,
				.ends_at = MON + 45 * MIN,
				.created_at = MON - 2 * DAY};
	struct mtg_attendee at;
	struct mtg_inspection in = {
		.inspector_id = sup, .at = MON, .area = "座席区", .created_at = MON};
	struct mtg_finding f = {.item = "duty", .note = "玩手机", .category = "unrelated"};
	struct seen seen = {0};
	int64_t ids[3] = {a1, a2, a3};

	(void)state;
	assert_int_equal(mtg_meeting_insert(s, &m, ids, 3), 0);
	/* a1 late marked at +5 min, a2 absent marked at +2 h (after the fact), a3 present. */
	assert_int_equal(mtg_attendee_get(s, m.id, a1, &at), 0);
	assert_int_equal(mtg_attendee_mark(s, at.id, MTG_LATE, sup, MON + 5 * MIN), 0);
	assert_int_equal(mtg_attendee_get(s, m.id, a2, &at), 0);
	assert_int_equal(mtg_attendee_mark(s, at.id, MTG_ABSENT, sup, MON + 120 * MIN), 0);
	assert_int_equal(mtg_attendee_get(s, m.id, a3, &at), 0);
	assert_int_equal(mtg_attendee_mark(s, at.id, MTG_PRESENT, sup, MON + 6 * MIN), 0);

	/* The window is over the marking time: [0, +1 h) has a1 alone. */
	assert_int_equal(mtg_perf_source.absences(s, 0, MON + 60 * MIN, absence_cb, &seen), 1);
	assert_int_equal(seen.person[0], a1);
	assert_true(seen.late[0]);
	assert_int_equal(seen.at[0], MON);
	assert_string_equal(seen.title[0], "协调会");
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(mtg_perf_source.absences(s, MON + 60 * MIN, MON + DAY, absence_cb, &seen),
			 1);
	assert_int_equal(seen.person[0], a2);
	assert_false(seen.late[0]);
	assert_int_equal(mtg_attendee_get(s, m.id, a2, &at), 0);
	assert_int_equal(seen.source_id[0], at.id);
	assert_null(mtg_perf_source.training);
	/* A cancelled meeting's marks count for nothing. */
	assert_int_equal(mtg_meeting_set_state(s, m.id, "cancelled", MON + DAY), 0);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(mtg_perf_source.absences(s, 0, MON + DAY, absence_cb, &seen), 0);

	/* Findings: only those proposing a category, by the time they were recorded. */
	assert_int_equal(mtg_inspection_insert(s, &in), 0);
	f.inspection_id = in.id;
	f.person_id = a1;
	f.recorded_at = MON;
	assert_int_equal(mtg_finding_insert(s, &f), 0);
	f.person_id = a2;
	f.category[0] = '\0'; /* a remark, no penalty */
	assert_int_equal(mtg_finding_insert(s, &f), 0);
	f.person_id = a3;
	strcpy(f.category, "uncivil");
	f.recorded_at = MON + DAY;
	assert_int_equal(mtg_finding_insert(s, &f), 0);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(mtg_findings(s, MON, MON + DAY, finding_cb, &seen), 1);
	assert_int_equal(seen.person[0], a1);
	assert_string_equal(seen.category[0], "unrelated");
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(mtg_findings(s, 0, MON + 2 * DAY, finding_cb, &seen), 2);
	assert_string_equal(seen.category[1], "uncivil");
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_schedules),
		cmocka_unit_test(test_meetings),
		cmocka_unit_test(test_log_periods),
		cmocka_unit_test(test_perf_source_and_findings),
	};
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
