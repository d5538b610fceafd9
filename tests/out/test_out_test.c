/* Unit tests of the daily answer-rate test (LED-2, src/out/out_test*.c): the
 * schedule's times, which are due at a fake now (the grace, midnight, off),
 * what a test came to and the day's rate; the store over a migrated
 * database (one slot once, the sheet's join, the outbound figures
 * recomputed from the rows written here); the paper form's workbook. */
#include "testutil.h"

#include "call/call.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "export/export.h"
#include "ivr/ivr.h"
#include "out/out.h"

#define MIN 60000LL
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define D0 1796054400000LL /* 2026-12-01 00:00 in Asia/Shanghai */

static void times_parse(void **state)
{
	struct out_test_schedule s;
	char text[200];

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(out_test_times_parse("14:30, 09:00,23:59", &s), 0);
	assert_int_equal(s.ntimes, 3);
	assert_int_equal(s.times[0], 9 * 60);
	assert_int_equal(s.times[1], 14 * 60 + 30);
	assert_int_equal(s.times[2], 23 * 60 + 59);
	out_test_times_text(&s, text, sizeof(text));
	assert_string_equal(text, "09:00,14:30,23:59");
	assert_int_equal(out_test_times_parse("", &s), 0);
	assert_int_equal(s.ntimes, 0);
	assert_int_equal(out_test_times_parse("24:00", &s), ERR_INVALID);
	assert_int_equal(out_test_times_parse("9:00", &s), ERR_INVALID);
	assert_int_equal(out_test_times_parse("09:60", &s), ERR_INVALID);
	assert_int_equal(out_test_times_parse("09:00,,10:00", &s), ERR_INVALID);
	assert_int_equal(out_test_times_parse("09:00,09:00", &s), ERR_CONFLICT);
	text[0] = '\0';
	for (int i = 0; i <= OUT_TEST_TIMES_MAX; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%02d:00", i ? "," : "",
			 i % 24);
	assert_int_equal(out_test_times_parse(text, &s), ERR_TOOBIG);
	assert_int_equal(out_test_time_parse("00:00"), 0);
	assert_int_equal(out_test_time_parse("23:59"), 1439);
	assert_int_equal(out_test_time_parse("ab:cd"), -1);
	assert_true(out_test_keys_valid(""));
	assert_true(out_test_keys_valid("1*2#"));
	assert_false(out_test_keys_valid("1a"));
	assert_false(out_test_keys_valid("12345678901234567"));
}

/* LED-2: each time fires within the grace after it, on its own local day. */
static void due_times(void **state)
{
	struct out_test_schedule s;
	struct out_test_slot due[8];
	int n;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(out_test_times_parse("09:00,14:30,23:55", &s), 0);
	/* Off: nothing is due, and there is no next. */
	assert_int_equal(out_test_due(&s, D0 + 9 * HOUR, due, 8), 0);
	assert_int_equal(out_test_next(&s, D0), 0);
	s.enabled = 1;
	assert_int_equal(out_test_due(&s, D0 + 9 * HOUR - 1, due, 8), 0);
	n = out_test_due(&s, D0 + 9 * HOUR, due, 8);
	assert_int_equal(n, 1);
	assert_int_equal(due[0].day, 20261201);
	assert_int_equal(due[0].minute, 540);
	assert_int_equal(due[0].at, D0 + 9 * HOUR);
	assert_int_equal(out_test_due(&s, D0 + 9 * HOUR + OUT_TEST_GRACE_MS - 1, due, 8), 1);
	/* Past the grace (kefu was down, or the time was added later): skipped. */
	assert_int_equal(out_test_due(&s, D0 + 9 * HOUR + OUT_TEST_GRACE_MS, due, 8), 0);
	assert_int_equal(out_test_due(&s, D0 + 12 * HOUR, due, 8), 0);
	/* Just after midnight, yesterday's 23:55 is still due, for yesterday. */
	n = out_test_due(&s, D0 + DAY + 5 * MIN, due, 8);
	assert_int_equal(n, 1);
	assert_int_equal(due[0].day, 20261201);
	assert_int_equal(due[0].minute, 23 * 60 + 55);
	assert_int_equal(due[0].at, D0 + 23 * HOUR + 55 * MIN);
	/* The next one: later today, else tomorrow's first. */
	assert_int_equal(out_test_next(&s, D0 + 10 * HOUR), D0 + 14 * HOUR + 30 * MIN);
	assert_int_equal(out_test_next(&s, D0 + 23 * HOUR + 56 * MIN), D0 + DAY + 9 * HOUR);
}

static void add_node(struct ivr_menu *m, int parent, char digit, enum ivr_node_action action,
		     const char *queue, const char *prompt)
{
	struct ivr_node *n = &m->nodes[m->n++];

	memset(n, 0, sizeof(*n));
	n->parent = parent;
	n->digit = digit;
	n->action = action;
	snprintf(n->label, sizeof(n->label), "x");
	snprintf(n->queue, sizeof(n->queue), "%s", queue);
	snprintf(n->prompt, sizeof(n->prompt), "%s", prompt);
}

/* Where the keys lead through the menu, walked as a caller walks it (CALL-1). */
static void keys_route(void **state)
{
	struct ivr_menu m;
	char q[IVR_KEY_SIZE];

	(void)state;
	ivr_menu_default(&m);
	add_node(&m, -1, '9', IVR_NODE_ANNOUNCE_HANGUP, "", "closed");
	add_node(&m, -1, '4', IVR_NODE_MENU, "", "menu");
	add_node(&m, 5, '1', IVR_NODE_QUEUE, "complaint", "transfer");
	assert_int_equal(out_test_route(&m, "1", q, sizeof(q)), 0);
	assert_string_equal(q, "market_consult");
	assert_int_equal(out_test_route(&m, "2", q, sizeof(q)), 0);
	assert_string_equal(q, "tech_service");
	/* A sub-menu, and back up with * first. */
	assert_int_equal(out_test_route(&m, "41", q, sizeof(q)), 0);
	assert_string_equal(q, "complaint");
	assert_int_equal(out_test_route(&m, "4*2", q, sizeof(q)), 0);
	assert_string_equal(q, "tech_service");
	/* No keys, or keys not on the menu: the misses end at the agent fall-back. */
	assert_int_equal(out_test_route(&m, "", q, sizeof(q)), 0);
	assert_string_equal(q, "agent");
	assert_int_equal(out_test_route(&m, "#", q, sizeof(q)), 0);
	assert_string_equal(q, "agent");
	/* Keys after the choice is made mean nothing. */
	assert_int_equal(out_test_route(&m, "3999", q, sizeof(q)), 0);
	assert_string_equal(q, "complaint");
	/* An announcement and a hang-up: no agent could answer. */
	assert_int_equal(out_test_route(&m, "9", q, sizeof(q)), ERR_UNPROCESSABLE);
	assert_int_equal(out_test_route(&m, "49", q, sizeof(q)), 0); /* 9 is a miss in 4's menu */
	assert_string_equal(q, "agent");
}

static struct out_test_row row(const char *state, const char *result, int64_t started,
			       int64_t connected)
{
	struct out_test_row r;

	memset(&r, 0, sizeof(r));
	snprintf(r.state, sizeof(r.state), "%s", state);
	snprintf(r.result, sizeof(r.result), "%s", result);
	r.started_at = started;
	r.connected_at = connected;
	return r;
}

static void verdicts_and_rate(void **state)
{
	struct out_test_tally t;
	struct out_test_row rows[6];

	(void)state;
	assert_int_equal(out_test_verdict("requested", ""), OUT_TEST_PENDING);
	assert_int_equal(out_test_verdict("talking", "answered"), OUT_TEST_ANSWERED);
	assert_int_equal(out_test_verdict("ended", "answered"), OUT_TEST_ANSWERED);
	assert_int_equal(out_test_verdict("ended", "no_answer"), OUT_TEST_NOT_ANSWERED);
	assert_int_equal(out_test_verdict("ended", "no_trunk"), OUT_TEST_FAILED);
	assert_int_equal(out_test_verdict("ended", "failed"), OUT_TEST_FAILED);
	assert_string_equal(out_test_verdict_name(OUT_TEST_NOT_ANSWERED), "not_answered");
	rows[0] = row("ended", "answered", D0, D0 + 12000);
	rows[1] = row("ended", "answered", D0, D0 + 7500);
	rows[2] = row("ended", "no_answer", D0, 0);
	rows[3] = row("ended", "failed", 0, 0);
	rows[4] = row("requested", "", 0, 0);
	rows[5] = row("ended", "answered", 0, 0); /* no call linked: answered, not timed */
	assert_int_equal(out_test_answer_ms(&rows[0]), 12000);
	assert_int_equal(out_test_answer_ms(&rows[2]), -1);
	assert_int_equal(out_test_answer_ms(&rows[5]), -1);
	memset(&t, 0, sizeof(t));
	assert_int_equal(out_test_rate_bp(&t), -1);
	assert_int_equal(out_test_mean_ms(&t), -1);
	for (int i = 0; i < 6; i++)
		out_test_tally_add(&t, &rows[i]);
	assert_int_equal(t.tests, 6);
	assert_int_equal(t.answered, 3);
	assert_int_equal(t.not_answered, 1);
	assert_int_equal(t.failed, 1);
	assert_int_equal(t.pending, 1);
	/* 3 of the 4 that reached the hotline; failed and pending are left out. */
	assert_int_equal(out_test_rate_bp(&t), 7500);
	assert_int_equal(t.timed, 2);
	assert_int_equal(out_test_mean_ms(&t), (12000 + 7500) / 2);
	/* 2 of 3: 6666.67 rounds half up to 6667. */
	memset(&t, 0, sizeof(t));
	out_test_tally_add(&t, &rows[0]);
	out_test_tally_add(&t, &rows[1]);
	out_test_tally_add(&t, &rows[2]);
	assert_int_equal(out_test_rate_bp(&t), 6667);
}

struct collect {
	struct out_test_row r[8];
	int n;
};

static int collect(void *ctx, const struct out_test_row *r)
{
	struct collect *c = ctx;

	if (c->n < 8)
		c->r[c->n++] = *r;
	return 0;
}

static void store_schedule_and_sheet(void **state)
{
	struct store *s = test_store_open();
	struct out_test_schedule sch, got;
	struct call_out_req q = {0, "4000000000", 0, "test", 0, 0};
	struct collect c;
	int64_t co1 = 0, co2 = 0, id1 = 0, id2 = 0, id = 0;

	(void)state;
	/* The migration's row: off, no times, a wait of 60 s. */
	assert_int_equal(out_test_schedule_get(s, &got), 0);
	assert_int_equal(got.enabled, 0);
	assert_int_equal(got.ntimes, 0);
	assert_int_equal(got.wait_sec, OUT_TEST_WAIT_DEFAULT);
	memset(&sch, 0, sizeof(sch));
	sch.enabled = 1;
	assert_int_equal(out_test_times_parse("10:00,08:15", &sch), 0);
	snprintf(sch.keys, sizeof(sch.keys), "2#");
	sch.wait_sec = 45;
	assert_int_equal(out_test_schedule_put(s, &sch, 0, D0), 0);
	assert_int_equal(out_test_schedule_get(s, &got), 0);
	assert_int_equal(got.enabled, 1);
	assert_int_equal(got.ntimes, 2);
	assert_int_equal(got.times[0], 8 * 60 + 15);
	assert_string_equal(got.keys, "2#");
	assert_int_equal(got.wait_sec, 45);
	assert_int_equal(got.updated_at, D0);

	/* Two tests; one slot is placed once. */
	assert_int_equal(call_out_request(s, &q, D0 + 8 * HOUR + 15 * MIN, &co1), 0);
	assert_int_equal(out_test_insert(s, co1, 20261201, 495, "2#", 45, 0,
					 D0 + 8 * HOUR + 15 * MIN, &id1),
			 0);
	assert_int_equal(out_test_slot_taken(s, 20261201, 495), 1);
	assert_int_equal(out_test_slot_taken(s, 20261202, 495), 0);
	assert_int_equal(out_test_insert(s, co1, 20261201, 495, "2#", 45, 0, D0, &id),
			 ERR_CONFLICT);
	assert_int_equal(call_out_request(s, &q, D0 + 11 * HOUR, &co2), 0);
	assert_int_equal(out_test_insert(s, co2, 20261201, -1, "", 60, 0, D0 + 11 * HOUR, &id2),
			 0);
	assert_int_equal(out_test_running(s), 1);
	/* The engine's part, as it writes it: the first answered by an agent 9.5 s after the
	 * inbound call arrived, the second not answered. */
	assert_int_equal(store_exec(s, "INSERT INTO person(id, work_no, name, created_at, updated_at)"
				       " VALUES (9, 'A009', '李四', 0, 0);"
				       "INSERT INTO call(id, sip_call_id, caller, called,"
				       " started_at, agent_id, connected_at)"
				       " VALUES (77, 'x', '4000000000', '4000000000', 1796083000000,"
				       " 9, 1796083009500)"),
			 0);
	assert_int_equal(store_run(s,
				   "UPDATE call_out SET state = 'ended', result = 'answered',"
				   " call_id = 77 WHERE id = ?",
				   NULL, "i", co1),
			 0);
	assert_int_equal(store_run(s,
				   "UPDATE call_out SET state = 'ended', result = 'no_answer'"
				   " WHERE id = ?",
				   NULL, "i", co2),
			 0);
	assert_int_equal(out_test_running(s), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(out_test_list(s, 20261201, 20261231, collect, &c), 2);
	assert_int_equal(c.r[0].id, id1);
	assert_int_equal(c.r[0].slot, 495);
	assert_string_equal(c.r[0].keys, "2#");
	assert_int_equal(c.r[0].call_id, 77);
	assert_int_equal(c.r[0].agent_id, 9);
	assert_string_equal(c.r[0].work_no, "A009");
	assert_string_equal(c.r[0].name, "李四");
	assert_int_equal(out_test_answer_ms(&c.r[0]), 9500);
	assert_int_equal(c.r[1].id, id2);
	assert_int_equal(c.r[1].slot, -1);
	assert_int_equal(out_test_verdict(c.r[1].state, c.r[1].result), OUT_TEST_NOT_ANSWERED);
	memset(&c, 0, sizeof(c));
	assert_int_equal(out_test_list(s, 20261202, 20261231, collect, &c), 0);
	test_store_close(s);
}

/* Calls out of a period, recomputed from the rows written here. */
static void outbound_figures(void **state)
{
	struct store *s = test_store_open();
	struct out_figures f;
	int64_t agent = 0, id = 0;
	struct call_out_req q = {0, "13800000000", 0, "customer", 0, 0};

	(void)state;
	assert_int_equal(store_exec(s, "INSERT INTO person(id, work_no, name, created_at, updated_at)"
				       " VALUES (3, 'A003', '王五', 0, 0)"),
			 0);
	agent = 3;
	q.agent_id = agent;
	q.requested_by = agent;
	/* Three attempts on the day: answered with 65 s of talk, not answered, still dialling;
	 * one the day before; one test. */
	assert_int_equal(store_exec(s, "INSERT INTO call(id, sip_call_id, caller, called, started_at,"
				       " connected_at, direction, metrics) VALUES (5, 'o', '13800000000',"
				       " '13800000000', 1796060000000, 1796060005000, 'out',"
				       " '{\"talk_ms\": 65000}')"),
			 0);
	assert_int_equal(call_out_request(s, &q, D0 + HOUR, &id), 0);
	assert_int_equal(store_run(s,
				   "UPDATE call_out SET state = 'ended', result = 'answered',"
				   " answered_at = ?, call_id = 5 WHERE id = ?",
				   NULL, "ii", D0 + HOUR + 5000, id),
			 0);
	assert_int_equal(call_out_request(s, &q, D0 + 2 * HOUR, &id), 0);
	assert_int_equal(store_run(s,
				   "UPDATE call_out SET state = 'ended', result = 'no_answer'"
				   " WHERE id = ?",
				   NULL, "i", id),
			 0);
	assert_int_equal(call_out_request(s, &q, D0 + 3 * HOUR, &id), 0);
	assert_int_equal(store_run(s, "UPDATE call_out SET state = 'dialing' WHERE id = ?", NULL,
				   "i", id),
			 0);
	assert_int_equal(call_out_request(s, &q, D0 - HOUR, &id), 0);
	q.agent_id = 0;
	q.purpose = "test";
	assert_int_equal(call_out_request(s, &q, D0 + 4 * HOUR, &id), 0);
	assert_int_equal(out_figures_load(s, D0, D0 + DAY, &f), 0);
	assert_int_equal(f.attempts, 3);
	assert_int_equal(f.answered, 1);
	assert_int_equal(f.talk_ms, 65000);
	assert_int_equal(f.tests, 1);
	assert_int_equal(f.tests_answered, 0);
	/* Live now: the day before's request and the dialling one (the test apart). */
	assert_int_equal(f.dialing, 2);
	assert_int_equal(f.talking, 0);
	assert_int_equal(out_figures_load(s, D0 + DAY, D0 + 2 * DAY, &f), 0);
	assert_int_equal(f.attempts, 0);
	assert_int_equal(f.talk_ms, 0);
	test_store_close(s);
}

static void paper_form(void **state)
{
	struct out_test_row rows[3];
	struct export_book *b = NULL;
	struct buf out = BUF_INIT;

	(void)state;
	rows[0] = row("ended", "answered", D0, D0 + 8000);
	rows[0].day = 20261201;
	rows[0].slot = 540;
	rows[0].at = D0 + 9 * HOUR;
	snprintf(rows[0].work_no, sizeof(rows[0].work_no), "A001");
	snprintf(rows[0].name, sizeof(rows[0].name), "张三");
	rows[1] = row("ended", "no_answer", 0, 0);
	rows[1].day = 20261201;
	rows[1].slot = -1;
	rows[1].at = D0 + 10 * HOUR;
	rows[2] = row("requested", "", 0, 0);
	rows[2].day = 20261202;
	rows[2].slot = 540;
	rows[2].at = D0 + DAY + 9 * HOUR;
	assert_int_equal(out_test_xlsx(rows, 3, 2026, 12, "测试中心", "经理", "2026-12-02", 0, &b), 0);
	assert_non_null(b);
	assert_int_equal(export_write(b, &out, NULL), 0);
	assert_true(out.len > 1000);
	assert_memory_equal(out.p, "PK", 2);
	export_book_free(b);
	buf_release(&out);
	/* An empty month is a sheet too (the totals row alone). */
	assert_int_equal(out_test_xlsx(NULL, 0, 2026, 11, "测试中心", "经理", "2026-12-02", 1, &b), 0);
	export_book_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(times_parse),	      cmocka_unit_test(due_times),
		cmocka_unit_test(verdicts_and_rate),  cmocka_unit_test(keys_route),
		cmocka_unit_test(store_schedule_and_sheet),
		cmocka_unit_test(outbound_figures),   cmocka_unit_test(paper_form),
	};

	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
