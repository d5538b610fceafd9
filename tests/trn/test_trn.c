/*
 * trn: the rules of training and exams (TRN-1..3, ORG-4; TRN-2: marking,
 * the seeded draw of a paper, the practical's items) and the perf
 * source over real rows (PERF-5's late and absent marks by the time they
 * were recorded; TRN-3's sessions and exams per agent).
 */
#include "testutil.h"

#include "core/clock.h"
#include "core/err.h"
#include "perf/perf.h"
#include "trn/trn.h"

static void test_kinds_and_answers(void **state)
{
	(void)state;
	assert_int_equal(trn_kind_parse("single"), TRN_SINGLE);
	assert_int_equal(trn_kind_parse("short"), TRN_SHORT);
	assert_int_equal(trn_kind_parse("essay"), -1);
	assert_int_equal(trn_kind_parse(NULL), -1);
	assert_string_equal(trn_kind_name(TRN_TRUEFALSE), "truefalse");
	assert_false(trn_kind_objective(TRN_SHORT));
	assert_true(trn_kind_objective(TRN_FILL));

	assert_true(trn_answer_right(TRN_SINGLE, "B", "b"));
	assert_false(trn_answer_right(TRN_SINGLE, "B", "C"));
	assert_false(trn_answer_right(TRN_SINGLE, "B", "BC"));
	/* Multiple choice: all and only the right letters, in any order. */
	assert_true(trn_answer_right(TRN_MULTIPLE, "AC", "CA"));
	assert_true(trn_answer_right(TRN_MULTIPLE, "AC", "A,C"));
	assert_false(trn_answer_right(TRN_MULTIPLE, "AC", "A"));
	assert_false(trn_answer_right(TRN_MULTIPLE, "AC", "ACD"));
	assert_false(trn_answer_right(TRN_MULTIPLE, "AC", "A1"));
	assert_true(trn_answer_right(TRN_TRUEFALSE, "false", "false"));
	assert_false(trn_answer_right(TRN_TRUEFALSE, "false", "true"));
	assert_false(trn_answer_right(TRN_TRUEFALSE, "yes", "yes"));
	/* Fill-in: any alternative, blanks around it ignored. */
	assert_true(trn_answer_right(TRN_FILL, "28日|28号", " 28号 "));
	assert_true(trn_answer_right(TRN_FILL, "28日|28号", "28日"));
	assert_false(trn_answer_right(TRN_FILL, "28日|28号", "28"));
	assert_false(trn_answer_right(TRN_FILL, "28日", ""));
	assert_false(trn_answer_right(TRN_SHORT, "x", "x"));
}

static void test_draw(void **state)
{
	int64_t cand[10], a[10], b[10], c[10];

	(void)state;
	for (int i = 0; i < 10; i++)
		cand[i] = 100 + i;
	assert_int_equal(trn_draw(cand, 10, 4, 42, a), 0);
	assert_int_equal(trn_draw(cand, 10, 4, 42, b), 0);
	/* The same seed draws the same paper; the picks are distinct candidates. */
	assert_memory_equal(a, b, 4 * sizeof(int64_t));
	for (int i = 0; i < 4; i++) {
		assert_true(a[i] >= 100 && a[i] < 110);
		for (int j = 0; j < i; j++)
			assert_true(a[i] != a[j]);
	}
	assert_int_equal(trn_draw(cand, 10, 4, 43, c), 0);
	assert_memory_not_equal(a, c, 4 * sizeof(int64_t));
	assert_int_equal(trn_draw(cand, 10, 10, 7, c), 0);
	assert_int_equal(trn_draw(cand, 3, 4, 42, c), ERR_UNPROCESSABLE);
	assert_int_equal(trn_draw(cand, 0, 0, 42, c), 0);
}

static void test_items_and_cert(void **state)
{
	int ok[TRN_ITEMS] = {20, 15, 10, 5, 0}, bad[TRN_ITEMS] = {20, 21, 0, 0, 0};
	const char *why = NULL;

	(void)state;
	assert_int_equal(trn_items_check(ok), 0);
	assert_int_equal(trn_items_total(ok), 50);
	assert_int_equal(trn_items_check(bad), 2);
	bad[1] = -1;
	assert_int_equal(trn_items_check(bad), 2);
	assert_string_equal(trn_item_names[4], "reactions");
	assert_true(trn_percent(7, 10) > 69.99 && trn_percent(7, 10) < 70.01);
	assert_true(trn_percent(1, 0) == 0);
	assert_true(trn_exam_open(1000, 999));
	assert_false(trn_exam_open(1000, 1000));
	/* ORG-4: both passes, and only once. */
	assert_int_equal(trn_certify_check(1, 1, 0, &why), 0);
	assert_int_equal(trn_certify_check(0, 1, 0, &why), ERR_CONFLICT);
	assert_string_equal(why, "no passed written exam yet");
	assert_int_equal(trn_certify_check(1, 0, 0, &why), ERR_CONFLICT);
	assert_string_equal(why, "no passed practical exam yet");
	assert_int_equal(trn_certify_check(1, 1, 1, &why), ERR_CONFLICT);
	assert_string_equal(why, "already certified for duty");
}

static void test_plan_due(void **state)
{
	char m[8];

	(void)state;
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	/* January's plan is due at 2026-12-28 00:00 +08:00; reminded from the 25th. */
	assert_int_equal(trn_plan_due("2027-01"), 1798387200000LL);
	assert_int_equal(trn_plan_remind_from("2027-01"), 1798387200000LL - 3 * 86400000LL);
	assert_int_equal(trn_plan_due("2026-13"), 0);
	/* 2026-12-31 16:30 UTC is already January 2027 in Shanghai: next is February. */
	trn_next_month(1798734600000LL, m);
	assert_string_equal(m, "2027-02");
	trn_next_month(1798387200000LL, m);
	assert_string_equal(m, "2027-01");
}

struct seen {
	int n;
	int64_t person[8];
	int late[8];
	int sessions[8], attended[8], exams[8];
	double score[8];
	char title[8][64];
};

static int absence_cb(void *arg, const struct perf_absence *a)
{
	struct seen *s = arg;

	assert_string_equal(a->source, "trn_attendance");
	s->person[s->n] = a->person_id;
	s->late[s->n] = a->late;
	snprintf(s->title[s->n], sizeof(s->title[0]), "%s", a->title);
	return ++s->n;
}

static int training_cb(void *arg, const struct perf_training *t)
{
	struct seen *s = arg;

	s->person[s->n] = t->person_id;
	s->sessions[s->n] = t->sessions;
	s->attended[s->n] = t->attended;
	s->exams[s->n] = t->exams;
	s->score[s->n] = t->exam_score;
	return ++s->n;
}

static int64_t person(struct store *s, const char *no)
{
	int64_t id = 0;

	assert_int_equal(
		store_run(s,
			  "INSERT INTO person(work_no, name, roles, created_at, updated_at)"
			  " VALUES (?, ?, 8, 0, 0) RETURNING id",
			  &id, "tt", no, no),
		1);
	return id;
}

static void test_perf_source(void **state)
{
	struct store *s = test_store_open();
	struct trn_session x = {
		.course_id = 1, .title = "电话礼仪", .starts_at = 1000, .ends_at = 2000};
	struct trn_exam e = {0};
	struct trn_paper p = {
		.title = "卷", .rules = "[]", .seed = 1, .duration_min = 30, .total = 10};
	struct seen seen = {0};
	int64_t a, b, c;

	(void)state;
	a = person(s, "9001");
	b = person(s, "9002");
	c = person(s, "9003");
	x.trainer_id = c;
	assert_int_equal(trn_session_insert(s, &x, c, 500), 0);
	assert_int_equal(trn_attendee_add(s, x.id, a), 1);
	assert_int_equal(trn_attendee_add(s, x.id, a), 0);
	assert_int_equal(trn_attendee_add(s, x.id, b), 1);
	assert_int_equal(trn_attendee_add(s, x.id, c), 1);
	/* a late (marked at 1100), b absent (marked at 5000), c present. */
	assert_int_equal(trn_attendance_mark(s, x.id, a, "late", c, 1100), 0);
	assert_int_equal(trn_attendance_mark(s, x.id, b, "absent", c, 5000), 0);
	assert_int_equal(trn_attendance_mark(s, x.id, c, "present", c, 1000), 0);
	assert_int_equal(trn_attendance_mark(s, x.id, 9999, "present", c, 1000), ERR_NOTFOUND);

	/* Absences by the time they were recorded: [0, 2000) has a's only. */
	assert_int_equal(trn_perf_source.absences(s, 0, 2000, absence_cb, &seen), 1);
	assert_int_equal(seen.person[0], a);
	assert_int_equal(seen.late[0], 1);
	assert_string_equal(seen.title[0], "电话礼仪");
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(trn_perf_source.absences(s, 2000, 6000, absence_cb, &seen), 1);
	assert_int_equal(seen.person[0], b);
	assert_int_equal(seen.late[0], 0);

	/* Training: a's two marked exams (80 and 50) average 65; sessions by start. */
	assert_int_equal(trn_paper_insert(s, &p, c, 500), 0);
	e.paper_id = p.id;
	e.person_id = a;
	e.trainer_id = c;
	assert_int_equal(trn_exam_insert(s, &e, c, 500), 0);
	assert_int_equal(trn_exam_marked(s, e.id, 1500, c, 8, 80.0), 0);
	assert_int_equal(trn_exam_insert(s, &e, c, 500), 0);
	assert_int_equal(trn_exam_marked(s, e.id, 1600, c, 5, 50.0), 0);
	assert_int_equal(trn_exam_insert(s, &e, c, 500), 0);
	assert_int_equal(trn_exam_marked(s, e.id, 9000, c, 10, 100.0), 0); /* outside */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(trn_perf_source.training(s, 0, 2000, training_cb, &seen), 3);
	assert_int_equal(seen.person[0], a);
	assert_int_equal(seen.sessions[0], 1);
	assert_int_equal(seen.attended[0], 1); /* late counts as attended */
	assert_int_equal(seen.exams[0], 2);
	assert_true(seen.score[0] > 64.99 && seen.score[0] < 65.01);
	assert_int_equal(seen.person[1], b);
	assert_int_equal(seen.attended[1], 0);
	assert_int_equal(seen.exams[1], 0);
	assert_true(seen.score[1] == 0);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(trn_perf_source.training(s, 2000, 10000, training_cb, &seen), 1);
	assert_int_equal(seen.exams[0], 1);
	assert_int_equal(seen.sessions[0], 0);
	test_store_close(s);
}

static void test_seed_courses(void **state)
{
	struct store *s = test_store_open();
	int64_t n = 0, days = 0;

	(void)state;
	/* TRN-1: seed 000 §岗前培训's ten courses over three days. */
	assert_int_equal(store_run(s, "SELECT COUNT(*) FROM trn_course WHERE pre_job = 1", &n, ""),
			 1);
	assert_int_equal(n, 10);
	assert_int_equal(store_run(s,
				   "SELECT COUNT(DISTINCT day) FROM trn_course WHERE pre_job = 1"
				   " AND day BETWEEN 1 AND 3",
				   &days, ""),
			 1);
	assert_int_equal(days, 3);
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds_and_answers), cmocka_unit_test(test_draw),
		cmocka_unit_test(test_items_and_cert),	  cmocka_unit_test(test_plan_due),
		cmocka_unit_test(test_perf_source),	  cmocka_unit_test(test_seed_courses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
