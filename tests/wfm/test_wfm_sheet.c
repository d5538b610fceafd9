/*
 * Unit tests of the roster's spreadsheet rules (src/wfm/wfm_sheet.c): what a
 * night shift is, what an agent's row adds up to, the kinds of leave, and a
 * sheet that builds for a month of 200 agents. The file itself is checked
 * cell by cell in tests/api/test_wfm_sheet.py.
 */
#include "testutil.h"

#include "core/buf.h"
#include "core/err.h"
#include "export/export.h"
#include "wfm/wfm.h"

static const struct wfm_shift_type types[] = {
	{.id = 1,
	 .name = "早班",
	 .nseg = 1,
	 .seg = {{480, 960}},
	 .paid_min = 450,
	 .colour = "#f5a623",
	 .active = 1},
	{.id = 2,
	 .name = "中班",
	 .nseg = 1,
	 .seg = {{960, 1440}},
	 .paid_min = 450,
	 .colour = "#4a90e2",
	 .active = 1},
	{.id = 3,
	 .name = "夜班",
	 .nseg = 1,
	 .seg = {{0, 480}},
	 .paid_min = 450,
	 .colour = "#7b61ff",
	 .active = 1},
	{.id = 4,
	 .name = "跨夜班",
	 .nseg = 1,
	 .seg = {{1320, 360}},
	 .paid_min = 420,
	 .colour = "#203864",
	 .active = 1},
	{.id = 5,
	 .name = "天地班",
	 .nseg = 2,
	 .seg = {{420, 660}, {1020, 1260}},
	 .paid_min = 420,
	 .colour = "#00aa00",
	 .active = 1},
};

static void night_shifts(void **state)
{
	(void)state;
	assert_false(wfm_sheet_is_night(&types[0]));
	assert_false(wfm_sheet_is_night(&types[1])); /* ends at midnight, does not cross it */
	assert_true(wfm_sheet_is_night(&types[2]));  /* starts before 06:00 */
	assert_true(wfm_sheet_is_night(&types[3]));  /* runs past midnight */
	assert_false(wfm_sheet_is_night(&types[4]));
}

static void leave_kinds(void **state)
{
	(void)state;
	assert_int_equal(wfm_sheet_leave_kind("annual"), 0);
	assert_int_equal(wfm_sheet_leave_kind("sick"), 1);
	assert_int_equal(wfm_sheet_leave_kind("personal"), 2);
	assert_int_equal(wfm_sheet_leave_kind("compensatory"), 3);
	assert_int_equal(wfm_sheet_leave_kind("holiday"), -1);
}

/* December 2026 begins on a Tuesday: the 5th and 6th are a weekend. */
static void an_agents_totals(void **state)
{
	struct wfm_sheet_agent agent = {1, "8101", "刘洋", ""};
	int grid[31];
	struct wfm_roster_sheet s = {.year = 2026, .month = 12, .ndays = 31};
	struct wfm_sheet_totals t;

	(void)state;
	for (int d = 0; d < 31; d++)
		grid[d] = WFM_SHEET_REST;
	grid[0] = 0;		      /* Tue 1st, 早班 */
	grid[4] = 3;		      /* Sat 5th, 跨夜班: a night on a weekend */
	grid[5] = 2;		      /* Sun 6th, 夜班 */
	grid[6] = 4;		      /* Mon 7th, 天地班 */
	grid[9] = WFM_SHEET_LEAVE(0); /* leave counts as no shift */
	grid[10] = WFM_SHEET_LEAVE(1);
	s.types = (struct wfm_shift_type *)types;
	s.ntypes = sizeof(types) / sizeof(types[0]);
	s.agents = &agent;
	s.nagents = 1;
	s.grid = grid;
	wfm_sheet_agent_totals(&s, 0, &t);
	assert_int_equal(t.shifts, 4);
	assert_int_equal(t.paid_min, 450 + 420 + 450 + 420);
	assert_int_equal(t.nights, 2);
	assert_int_equal(t.weekends, 2);
	assert_int_equal(t.leave, 2);
}

/* A month of 200 agents builds and writes (its time is measured by hand,
 * never asserted). */
static void a_large_month_builds(void **state)
{
	struct wfm_roster_sheet s = {
		.year = 2026, .month = 12, .ndays = 31, .published = 1, .version = 1};
	struct export_book *b = NULL;
	struct buf out = BUF_INIT;

	(void)state;
	s.types = (struct wfm_shift_type *)types;
	s.ntypes = sizeof(types) / sizeof(types[0]);
	s.nagents = 200;
	s.agents = calloc(s.nagents, sizeof(*s.agents));
	s.grid = malloc(s.nagents * 31 * sizeof(int));
	assert_non_null(s.agents);
	assert_non_null(s.grid);
	for (size_t a = 0; a < s.nagents; a++) {
		snprintf(s.agents[a].work_no, sizeof(s.agents[a].work_no), "%zu", 9000 + a);
		snprintf(s.agents[a].name, sizeof(s.agents[a].name), "坐席%zu", a);
		for (int d = 0; d < 31; d++)
			s.grid[a * 31 + (size_t)d] = (int)((a + (size_t)d) % 6) - 1;
	}
	assert_int_equal(wfm_sheet_build(&s, "客服中心", 0, &b), 0);
	assert_int_equal(export_write(b, &out, NULL), 0);
	assert_memory_equal(out.p, "PK\x03\x04", 4);
	buf_release(&out);
	export_book_free(b);
	free(s.agents);
	free(s.grid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(night_shifts),
		cmocka_unit_test(leave_kinds),
		cmocka_unit_test(an_agents_totals),
		cmocka_unit_test(a_large_month_builds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
