/*
 * Unit tests of live guidance's rules (src/call/call_guide.c): a call's
 * inputs and a moment in, the prompts due and the live state out. Times
 * are wall-clock milliseconds from an arbitrary connection at T0.
 */
#include "testutil.h"

#include "call/call.h"
#include "core/err.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#define T0 1000000000LL
#define S 1000LL

static struct call_guide_input base(void)
{
	struct call_guide_input in;

	memset(&in, 0, sizeof(in));
	in.connected_at = T0;
	in.ring_ms = 4 * S;
	in.class_f_at = T0;
	return in;
}

/* How many prompts of rule/step are due, and the due time of the last one. */
static int count(const struct call_guide_prompt *p, int n, const char *rule, const char *step,
		 int64_t *last)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		if (!strcmp(p[i].rule, rule) && !strcmp(p[i].step, step)) {
			k++;
			if (last)
				*last = p[i].due;
		}
	return k;
}

/* CALL-2: three rings (15 s) are allowed; the 4th asks for an apology at the answer. */
static void call2_apology_after_three_rings(void **state)
{
	struct call_guide_input in = base();
	struct call_guide_prompt p[16];
	struct call_guide_state g;
	int64_t at = 0;
	int n;

	(void)state;
	in.ring_ms = 15 * S;
	assert_int_equal(call_guide_due(&in, T0 + 60 * S, p, 16), 0);
	call_guide_state(&in, T0, &g);
	assert_false(g.late);
	assert_int_equal(g.rings, 3);
	assert_int_equal(g.level, CALL_GUIDE_OK);

	in.ring_ms = 15 * S + 1;
	n = call_guide_due(&in, T0, p, 16);
	assert_int_equal(count(p, n, "CALL-2", "apologize", &at), 1);
	assert_int_equal(at, T0);
	call_guide_state(&in, T0, &g);
	assert_true(g.late);
	assert_int_equal(g.rings, 4);
	assert_int_equal(g.level, CALL_GUIDE_WARN);
	in.apologized = 1;
	call_guide_state(&in, T0, &g);
	assert_int_equal(g.level, CALL_GUIDE_OK);
}

/* CALL-4: a reminder at every 15 s of a hold, none after it ended. */
static void call4_reminders_every_15s(void **state)
{
	struct call_guide_input in = base();
	struct call_guide_prompt p[64];
	struct call_guide_state g;
	int64_t at = 0;
	int n;

	(void)state;
	in.holds[0] = (struct call_guide_hold){T0 + 10 * S, 0};
	in.nholds = 1;
	n = call_guide_due(&in, T0 + 24 * S, p, 64);
	assert_int_equal(count(p, n, "CALL-4", "speak", NULL), 0);
	call_guide_state(&in, T0 + 24 * S, &g);
	assert_true(g.on_hold);
	assert_int_equal(g.hold_ms, 14 * S);
	assert_int_equal(g.speak_n, 0);
	assert_int_equal(g.next_speak_at, T0 + 25 * S);
	assert_int_equal(g.level, CALL_GUIDE_REMIND);

	n = call_guide_due(&in, T0 + 25 * S, p, 64);
	assert_int_equal(count(p, n, "CALL-4", "speak", &at), 1);
	assert_int_equal(at, T0 + 25 * S);
	assert_int_equal(p[0].hold, 1);
	assert_int_equal(p[0].n, 1);
	call_guide_state(&in, T0 + 41 * S, &g);
	assert_int_equal(g.speak_n, 2);
	assert_int_equal(g.next_speak_at, T0 + 55 * S);
	assert_int_equal(g.level, CALL_GUIDE_WARN);

	/* Resumed at 44 s: two reminders (25 s, 40 s) and never a third. */
	in.holds[0].end = T0 + 44 * S;
	n = call_guide_due(&in, T0 + 300 * S, p, 64);
	assert_int_equal(count(p, n, "CALL-4", "speak", &at), 2);
	assert_int_equal(at, T0 + 40 * S);
	call_guide_state(&in, T0 + 300 * S, &g);
	assert_false(g.on_hold);
	assert_int_equal(g.hold_total_ms, 34 * S);
	assert_int_equal(g.level, CALL_GUIDE_OK);
}

/* CALL-4: one hold over 60 s proposes a callback; the total warns at 100 s and is over at 2 min. */
static void call4_callback_and_total(void **state)
{
	struct call_guide_input in = base();
	struct call_guide_prompt p[64];
	struct call_guide_state g;
	int64_t at = 0;
	int n;

	(void)state;
	/* 50 s, then a second hold from 100 s: 100 s in all at 150 s, 120 s at 170 s. */
	in.holds[0] = (struct call_guide_hold){T0, T0 + 50 * S};
	in.holds[1] = (struct call_guide_hold){T0 + 100 * S, 0};
	in.nholds = 2;
	n = call_guide_due(&in, T0 + 149 * S, p, 64);
	assert_int_equal(count(p, n, "CALL-4", "callback", NULL), 0);
	assert_int_equal(count(p, n, "CALL-4", "hold_near", NULL), 0);
	n = call_guide_due(&in, T0 + 150 * S, p, 64);
	assert_int_equal(count(p, n, "CALL-4", "hold_near", &at), 1);
	assert_int_equal(at, T0 + 150 * S);
	call_guide_state(&in, T0 + 150 * S, &g);
	assert_true(g.hold_near);
	assert_false(g.hold_over);
	assert_int_equal(g.level, CALL_GUIDE_WARN);

	n = call_guide_due(&in, T0 + 170 * S, p, 64);
	assert_int_equal(count(p, n, "CALL-4", "hold_over", &at), 1);
	assert_int_equal(at, T0 + 170 * S);
	assert_int_equal(count(p, n, "CALL-4", "callback", &at), 1); /* the 2nd hold's 60 s */
	assert_int_equal(at, T0 + 160 * S);
	/* Oldest first: the stored order is the order they came due. */
	for (int i = 1; i < n; i++)
		assert_true(p[i - 1].due <= p[i].due);
	call_guide_state(&in, T0 + 170 * S, &g);
	assert_true(g.callback);
	assert_true(g.hold_over);
	assert_int_equal(g.level, CALL_GUIDE_OVER);
}

/* CALL-6: greet again 5 s after the start, goodbye 5 s later; the caller speaking stops them. */
static void call6_silent_steps(void **state)
{
	struct call_guide_input in = base();
	struct call_guide_prompt p[16];
	struct call_guide_state g;
	int64_t at = 0;
	int n;

	(void)state;
	in.silent_at = T0 + 3 * S;
	call_guide_state(&in, T0 + 4 * S, &g);
	assert_int_equal(g.silent_step, 1);
	assert_int_equal(g.silent_next_at, T0 + 8 * S);
	assert_int_equal(call_guide_due(&in, T0 + 7 * S, p, 16), 0);
	n = call_guide_due(&in, T0 + 8 * S, p, 16);
	assert_int_equal(count(p, n, "CALL-6", "greet_again", &at), 1);
	assert_int_equal(at, T0 + 8 * S);
	call_guide_state(&in, T0 + 9 * S, &g);
	assert_int_equal(g.silent_step, 2);
	assert_int_equal(g.silent_next_at, T0 + 13 * S);
	n = call_guide_due(&in, T0 + 13 * S, p, 16);
	assert_int_equal(count(p, n, "CALL-6", "goodbye", &at), 1);
	assert_int_equal(at, T0 + 13 * S);
	call_guide_state(&in, T0 + 13 * S, &g);
	assert_int_equal(g.silent_step, 3);
	assert_int_equal(g.silent_next_at, 0);

	in.silent_end = T0 + 10 * S; /* the caller spoke after the second greeting */
	n = call_guide_due(&in, T0 + 60 * S, p, 16);
	assert_int_equal(count(p, n, "CALL-6", "greet_again", NULL), 1);
	assert_int_equal(count(p, n, "CALL-6", "goodbye", NULL), 0);
	call_guide_state(&in, T0 + 60 * S, &g);
	assert_int_equal(g.silent_step, 0);
}

/* CALL-7: a class-F call: the limit from when it is known, 2 min before and at 10 min. */
static void call7_class_f(void **state)
{
	struct call_guide_input in = base();
	struct call_guide_prompt p[16];
	struct call_guide_state g;
	int64_t at = 0;
	int n;

	(void)state;
	in.class_f = 1;
	in.class_f_at = T0 + 30 * S;
	n = call_guide_due(&in, T0 + 30 * S, p, 16);
	assert_int_equal(n, 1);
	assert_string_equal(p[0].step, "limit");
	assert_int_equal(p[0].due, T0 + 30 * S);
	n = call_guide_due(&in, T0 + 480 * S, p, 16);
	assert_int_equal(count(p, n, "CALL-7", "limit_near", &at), 1);
	assert_int_equal(at, T0 + 480 * S);
	assert_int_equal(count(p, n, "CALL-7", "limit_over", NULL), 0);
	call_guide_state(&in, T0 + 480 * S, &g);
	assert_true(g.f_near);
	assert_int_equal(g.f_limit_at, T0 + 600 * S);
	assert_int_equal(g.level, CALL_GUIDE_WARN);
	n = call_guide_due(&in, T0 + 600 * S, p, 16);
	assert_int_equal(count(p, n, "CALL-7", "limit_over", &at), 1);
	assert_int_equal(at, T0 + 600 * S);
	call_guide_state(&in, T0 + 600 * S, &g);
	assert_int_equal(g.level, CALL_GUIDE_OVER);

	/* Marked F only at 11 min: every prompt is due at once, when it is known. */
	in.class_f_at = T0 + 660 * S;
	n = call_guide_due(&in, T0 + 660 * S, p, 16);
	assert_int_equal(n, 3);
	for (int i = 0; i < n; i++)
		assert_int_equal(p[i].due, T0 + 660 * S);
}

static void agent_steps(void **state)
{
	struct call_guide_input in = base();

	(void)state;
	/* CALL-4: a callback may be answered once a hold has lasted 60 s. */
	in.holds[0] = (struct call_guide_hold){T0, T0 + 59 * S};
	in.holds[1] = (struct call_guide_hold){T0 + 100 * S, 0};
	in.nholds = 2;
	assert_false(call_guide_callback_proposed(&in, T0 + 159 * S));
	assert_true(call_guide_callback_proposed(&in, T0 + 160 * S));
	assert_true(call_guide_agent_step("CALL-2", "apologized"));
	assert_true(call_guide_agent_step("CALL-4", "callback_accepted"));
	assert_true(call_guide_agent_step("CALL-6", "start"));
	assert_false(call_guide_agent_step("CALL-6", "apologized"));
	assert_false(call_guide_agent_step("CALL-7", "limit"));
	assert_false(call_guide_agent_step("", ""));
}

/* -- the store and the tick, on a real database and a chosen clock -- */

static int64_t count_sql(struct store *s, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(store_run(s, sql, &n, ""), 1);
	return n;
}

/* Guide events by kefu of a step (NULL: every step). The SQL is one
 * constant string: store_run caches statements by their text's address. */
static int64_t guides(struct store *s, int64_t call, const char *step)
{
	int64_t n = -1;

	assert_int_equal(
		store_run(s,
			  "SELECT count(*) FROM call_event WHERE call_id = ? AND kind = 'guide'"
			  " AND json_extract(detail, '$.by') = 'kefu'"
			  " AND (?2 = '' OR json_extract(detail, '$.step') = ?2)",
			  &n, "it", call, step ? step : ""),
		1);
	return n;
}

/* One agent (id 3) talking on a call offered at T0 - 20 s, answered at T0
 * (four rings: late), with a contact of class cls. */
static int64_t talking_call(struct store *s, const char *cls)
{
	char sql[640];
	int64_t call;

	assert_int_equal(
		store_exec(s, "INSERT INTO person(id, work_no, name, roles, active, certified,"
			      " created_at, updated_at) VALUES (3, '8101', '刘洋', 8, 1, 1, 0, 0)"),
		0);
	assert_int_equal(call_insert(s, "cid-g", "13912345678", "4000000000", T0 - 30 * S, &call),
			 0);
	assert_int_equal(call_event_add(s, call, T0 - 20 * S, "offered", "{\"agent_id\":3}"), 0);
	assert_int_equal(call_set_connected(s, call, 3, T0), 0);
	assert_int_equal(call_event_add(s, call, T0, "connected", "{\"agent_id\":3}"), 0);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO contact(id, channel, direction, phone, agent_id, started_at, class,"
		 " created_at) VALUES (1, 'phone', 'in', '13912345678', 3, %lld, %s%s%s, %lld);"
		 "UPDATE call SET contact_id = 1 WHERE id = %lld;"
		 "INSERT INTO agent_state(person_id, status, since, updated_at, call_id)"
		 " VALUES (3, 'talking', %lld, %lld, %lld)",
		 (long long)T0, cls ? "'" : "", cls ? cls : "NULL", cls ? "'" : "", (long long)T0,
		 (long long)call, (long long)T0, (long long)T0, (long long)call);
	assert_int_equal(store_exec(s, sql), 0);
	return call;
}

/* CALL-2 and CALL-4 through the tick: each prompt written once, when it came due. */
static void tick_writes_hold_prompts(void **state)
{
	struct store *s = test_store_open();
	int64_t call = talking_call(s, NULL);
	struct call_guide_input in;

	(void)state;
	/* Late answer: the apology at once, and only once. */
	assert_int_equal(call_guide_tick(s, T0), 1);
	assert_int_equal(call_guide_tick(s, T0 + S), 0);
	assert_int_equal(guides(s, call, "apologize"), 1);
	/* The agent holds at 10 s; the caller's own hold is not the agent's. */
	assert_int_equal(call_event_add(s, call, T0 + 10 * S, "hold", "{\"by\":\"agent\"}"), 0);
	assert_int_equal(call_event_add(s, call, T0 + 11 * S, "hold", "{\"by\":\"caller\"}"), 0);
	assert_int_equal(call_guide_tick(s, T0 + 24 * S), 0);
	assert_int_equal(call_guide_tick(s, T0 + 25 * S), 1); /* 15 s of hold: speak */
	assert_int_equal(guides(s, call, "speak"), 1);
	assert_int_equal(count_sql(s, "SELECT json_extract(detail, '$.at_ms') FROM call_event"
				      " WHERE json_extract(detail, '$.step') = 'speak'"),
			 25 * S);
	/* 105 s of hold: six more reminders, the callback at 60 s, the warning at 100 s. */
	assert_int_equal(call_guide_tick(s, T0 + 115 * S), 8);
	assert_int_equal(guides(s, call, "speak"), 7);
	assert_int_equal(guides(s, call, "callback"), 1);
	assert_int_equal(guides(s, call, "hold_near"), 1);
	assert_int_equal(guides(s, call, "hold_over"), 0);
	/* 120 s: the limit is broken. */
	assert_int_equal(call_guide_tick(s, T0 + 130 * S), 2);
	assert_int_equal(guides(s, call, "hold_over"), 1);
	assert_int_equal(guides(s, call, "speak"), 8);
	/* Resumed: no more reminders, whatever the clock says. */
	assert_int_equal(call_event_add(s, call, T0 + 131 * S, "resume", "{\"by\":\"agent\"}"), 0);
	assert_int_equal(call_guide_tick(s, T0 + 400 * S), 0);
	/* The read gives the rules what the log holds. */
	assert_int_equal(call_guide_read(s, call, T0 + 400 * S, &in, NULL, NULL), 0);
	assert_int_equal(in.ring_ms, 20 * S);
	assert_int_equal(in.nholds, 1);
	assert_int_equal(in.holds[0].start, T0 + 10 * S);
	assert_int_equal(in.holds[0].end, T0 + 131 * S);
	assert_false(in.class_f);
	/* An agent's apology is read back as such. */
	assert_int_equal(call_event_add(s, call, T0 + 401 * S, "guide",
					"{\"rule\":\"CALL-2\",\"step\":\"apologized\","
					"\"by\":\"agent\"}"),
			 0);
	assert_int_equal(call_guide_read(s, call, T0 + 402 * S, &in, NULL, NULL), 0);
	assert_true(in.apologized);
	/* A call that ended is not guided any more. */
	assert_int_equal(call_set_ended(s, call, T0 + 410 * S, "caller", NULL), 0);
	assert_int_equal(call_event_add(s, call, T0 + 410 * S, "hold", "{\"by\":\"agent\"}"), 0);
	assert_int_equal(call_guide_tick(s, T0 + 600 * S), 0);
	assert_int_equal(call_guide_read(s, call + 1, T0, &in, NULL, NULL), ERR_NOTFOUND);
	test_store_close(s);
}

/* CALL-7 through the tick: the limit when the contact is class F, 9 min a warning, 10 min over. */
static void tick_writes_class_f_limit(void **state)
{
	struct store *s = test_store_open();
	int64_t call = talking_call(s, "F");

	(void)state;
	assert_int_equal(call_guide_tick(s, T0 + 60 * S), 2); /* the apology and the limit */
	assert_int_equal(guides(s, call, "limit"), 1);
	assert_int_equal(call_guide_tick(s, T0 + 479 * S), 0);
	assert_int_equal(call_guide_tick(s, T0 + 540 * S), 1);
	assert_int_equal(guides(s, call, "limit_near"), 1);
	assert_int_equal(call_guide_tick(s, T0 + 599 * S), 0);
	assert_int_equal(call_guide_tick(s, T0 + 600 * S), 1);
	assert_int_equal(guides(s, call, "limit_over"), 1);
	assert_int_equal(call_guide_tick(s, T0 + 900 * S), 0);
	assert_int_equal(guides(s, call, NULL), 4);
	test_store_close(s);
}

/* Many long holds: every prompt is written once, however many there are. */
static void tick_many_holds_written_once(void **state)
{
	struct store *s = test_store_open();
	int64_t call = talking_call(s, NULL);
	int64_t t = T0;
	int first;

	(void)state;
	/* 20 holds of 3 min each (12 reminders and a callback each), 10 s apart. */
	for (int i = 0; i < 20; i++) {
		assert_int_equal(call_event_add(s, call, t, "hold", "{\"by\":\"agent\"}"), 0);
		t += 180 * S;
		assert_int_equal(call_event_add(s, call, t, "resume", "{\"by\":\"agent\"}"), 0);
		t += 10 * S;
	}
	first = call_guide_tick(s, t);
	/* The apology, 20 × (12 + 1), the warning and the breach. */
	assert_int_equal(first, 1 + 20 * 13 + 2);
	assert_int_equal(guides(s, call, NULL), first);
	assert_int_equal(call_guide_tick(s, t + S), 0);
	assert_int_equal(guides(s, call, "speak"), 20 * 12);
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(call2_apology_after_three_rings),
		cmocka_unit_test(call4_reminders_every_15s),
		cmocka_unit_test(call4_callback_and_total),
		cmocka_unit_test(call6_silent_steps),
		cmocka_unit_test(call7_class_f),
		cmocka_unit_test(agent_steps),
		cmocka_unit_test(tick_writes_hold_prompts),
		cmocka_unit_test(tick_writes_class_f_limit),
		cmocka_unit_test(tick_many_holds_written_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
