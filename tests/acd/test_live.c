/* Unit tests of the wallboard's live figures and of callback requests
 * (src/acd/acd_live.c, acd_live_store.c, acd_callback.c): ratios and their
 * rounding, the service level's denominator, the period, what the SQL
 * counts per queue from call rows, agents by status, and a callback
 * request with its notification, audit entry, list and done. */
#include "testutil.h"

#include "acd/acd.h"
#include "core/clock.h"
#include "core/err.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define DAY (24 * 60 * MIN)
/* 2026-11-22 12:00 in Shanghai (04:00 UTC); nothing here reads the clock. */
#define NOON 1795320000000LL

static void ratios(void **state)
{
	(void)state;
	assert_int_equal(acd_ratio_bp(0, 0), -1);
	assert_int_equal(acd_ratio_bp(3, -1), -1);
	assert_int_equal(acd_ratio_bp(0, 7), 0);
	assert_int_equal(acd_ratio_bp(7, 7), 10000);
	assert_int_equal(acd_ratio_bp(1, 8), 1250);
	/* Half up: 2/3 = 0.66666… → 6667, 1/3 → 3333, 1/16 = 625.0, 1/20000 = 0.5 → 1. */
	assert_int_equal(acd_ratio_bp(2, 3), 6667);
	assert_int_equal(acd_ratio_bp(1, 3), 3333);
	assert_int_equal(acd_ratio_bp(1, 16), 625);
	assert_int_equal(acd_ratio_bp(1, 20000), 1);
	assert_int_equal(acd_ratio_bp(1, 20001), 0);
}

static void figures(void **state)
{
	struct acd_live_counts c;
	struct acd_live_figures f;

	(void)state;
	memset(&c, 0, sizeof(c));
	acd_live_figures(&c, NOON, &f);
	assert_int_equal(f.longest_wait_ms, 0);
	assert_int_equal(f.asa_ms, -1);
	assert_int_equal(f.service_level_bp, -1);
	assert_int_equal(f.abandon_rate_bp, -1);
	assert_int_equal(f.answer_rate_bp, -1);

	/* 7 offered: 3 answered (2 within the target), 1 abandoned, 1 callback, 2 waiting
	 * of which 1 for less than the target. */
	c.offered = 7;
	c.answered = 3;
	c.answered_in_sl = 2;
	c.answer_ms = 10 * SEC + 20 * SEC + 21 * SEC;
	c.abandoned = 1;
	c.callbacks = 1;
	c.waiting = 2;
	c.waiting_young = 1;
	c.oldest_queued_at = NOON - 45 * SEC;
	acd_live_figures(&c, NOON, &f);
	assert_int_equal(f.longest_wait_ms, 45 * SEC);
	assert_int_equal(f.asa_ms, 17 * SEC);
	/* 2 / (7 - 1): the young waiting call has not had its 20 s yet. */
	assert_int_equal(f.service_level_bp, 3333);
	assert_int_equal(f.abandon_rate_bp, 1429);
	assert_int_equal(f.answer_rate_bp, 4286);
	assert_int_equal(f.c.offered, 7);

	/* ASA rounds half up to the millisecond: (1 + 2) / 2 = 1.5 → 2. */
	c.answered = 2;
	c.answer_ms = 3;
	acd_live_figures(&c, NOON, &f);
	assert_int_equal(f.asa_ms, 2);

	/* Every offered call still young: nothing has passed or failed yet. */
	memset(&c, 0, sizeof(c));
	c.offered = 2;
	c.waiting = 2;
	c.waiting_young = 2;
	c.oldest_queued_at = NOON + 500; /* another node's clock ahead of ours */
	acd_live_figures(&c, NOON, &f);
	assert_int_equal(f.service_level_bp, -1);
	assert_int_equal(f.longest_wait_ms, 0);
	assert_int_equal(f.answer_rate_bp, 0);
}

static void sums(void **state)
{
	struct acd_live_counts a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	b.offered = 2;
	b.waiting = 1;
	b.oldest_queued_at = NOON - 10 * SEC;
	b.callbacks_open = 3;
	acd_live_add(&a, &b);
	assert_int_equal(a.oldest_queued_at, NOON - 10 * SEC);
	b.oldest_queued_at = NOON - 30 * SEC;
	acd_live_add(&a, &b);
	assert_int_equal(a.oldest_queued_at, NOON - 30 * SEC);
	b.oldest_queued_at = 0; /* nobody waits there */
	b.waiting = 0;
	acd_live_add(&a, &b);
	assert_int_equal(a.oldest_queued_at, NOON - 30 * SEC);
	assert_int_equal(a.offered, 6);
	assert_int_equal(a.waiting, 2);
	assert_int_equal(a.callbacks_open, 9);
}

static void periods(void **state)
{
	struct err_info ei;
	int64_t from = -1, to = -1;

	(void)state;
	memset(&ei, 0, sizeof(ei));
	/* Today in Shanghai: 2026-11-22 00:00 +08:00 to 2026-11-23 00:00 +08:00. */
	assert_int_equal(acd_live_period(NOON, 0, 0, &from, &to, &ei), 0);
	assert_int_equal(from, NOON - 12 * 60 * MIN);
	assert_int_equal(to, from + DAY);
	/* Just before midnight is still today; midnight is tomorrow. */
	assert_int_equal(acd_live_period(to - 1, 0, 0, &from, &to, &ei), 0);
	assert_int_equal(from, NOON - 12 * 60 * MIN);
	assert_int_equal(acd_live_period(to, 0, 0, &from, &to, &ei), 0);
	assert_int_equal(from, NOON + 12 * 60 * MIN);

	assert_int_equal(acd_live_period(NOON, 5, 10, &from, &to, &ei), 0);
	assert_int_equal(from, 5);
	assert_int_equal(to, 10);
	assert_int_equal(acd_live_period(NOON, 5, 0, &from, &to, &ei), ERR_INVALID);
	assert_string_equal(ei.field, "to");
	assert_int_equal(acd_live_period(NOON, 0, 5, &from, &to, &ei), ERR_INVALID);
	assert_string_equal(ei.field, "from");
	assert_int_equal(acd_live_period(NOON, 10, 10, &from, &to, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "to");
	assert_int_equal(acd_live_period(NOON, 1, 1 + ACD_LIVE_DAYS_MAX * DAY, &from, &to, &ei), 0);
	assert_int_equal(acd_live_period(NOON, 1, 2 + ACD_LIVE_DAYS_MAX * DAY, &from, &to, &ei),
			 ERR_UNPROCESSABLE);
}

static void phones_and_texts(void **state)
{
	char note[ACD_NOTE_MAX * 4 + 1], reason[ACD_REVEAL_MAX * 4 + 1], big[ACD_NOTE_MAX * 4 + 8];
	struct err_info ei;

	(void)state;
	assert_true(acd_phone_valid("13812345678"));
	assert_true(acd_phone_valid("12345"));
	assert_true(acd_phone_valid("12345678901234567890"));
	assert_false(acd_phone_valid("1234"));
	assert_false(acd_phone_valid("123456789012345678901"));
	assert_false(acd_phone_valid("138 1234 5678"));
	assert_false(acd_phone_valid("13812345678#"));
	assert_false(acd_phone_valid(""));
	assert_false(acd_phone_valid(NULL));

	memset(&ei, 0, sizeof(ei));
	assert_int_equal(acd_note_clean(NULL, note, sizeof(note), &ei), 0);
	assert_string_equal(note, "");
	assert_int_equal(acd_note_clean("  已回电，\n客户问题已解决 ", note, sizeof(note), &ei), 0);
	assert_string_equal(note, "已回电，\n客户问题已解决");
	assert_int_equal(acd_note_clean("bell\a", note, sizeof(note), &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "note");
	assert_int_equal(acd_note_clean("\xff", note, sizeof(note), &ei), ERR_INVALID);
	/* 500 characters fit, 501 do not. */
	big[0] = '\0';
	for (int i = 0; i < ACD_NOTE_MAX; i++)
		strcat(big, "回");
	assert_int_equal(acd_note_clean(big, note, sizeof(note), &ei), 0);
	memset(big, 'a', ACD_NOTE_MAX + 1);
	big[ACD_NOTE_MAX + 1] = '\0';
	assert_int_equal(acd_note_clean(big, note, sizeof(note), &ei), ERR_UNPROCESSABLE);

	assert_int_equal(acd_reveal_reason_clean(" 回电 ", reason, sizeof(reason), &ei), 0);
	assert_string_equal(reason, "回电");
	assert_int_equal(acd_reveal_reason_clean("回", reason, sizeof(reason), &ei),
			 ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "reason");
	assert_int_equal(acd_reveal_reason_clean(NULL, reason, sizeof(reason), &ei),
			 ERR_UNPROCESSABLE);
	assert_int_equal(acd_reveal_reason_clean("two\nlines", reason, sizeof(reason), &ei),
			 ERR_UNPROCESSABLE);
}

static struct store *open_center(void)
{
	struct store *s = test_store_open();

	/* A manager, a supervisor with a seat, two agents, a manager without a seat,
	 * staff, and a disabled agent. */
	assert_int_equal(
		store_exec(s, "INSERT INTO person(id, work_no, name, roles, active, certified,"
			      " created_at, updated_at) VALUES"
			      " (1, '8001', '李静', 2, 1, 0, 0, 0),"
			      " (2, '8002', '张敏', 4, 1, 1, 0, 0),"
			      " (3, '8101', '刘洋', 8, 1, 1, 0, 0),"
			      " (4, '8102', '陈晨', 8, 1, 1, 0, 0),"
			      " (5, '2001', '孙强', 16, 1, 0, 0, 0),"
			      " (6, '8110', '离职', 8, 0, 1, 0, 0);"
			      "INSERT INTO person_skill(person_id, skill) VALUES"
			      " (1, 'supervising'), (2, 'supervising');"
			      "INSERT INTO agent_state(person_id, status, since, updated_at) VALUES"
			      " (2, 'talking', 0, 0), (3, 'ready', 0, 0), (6, 'ready', 0, 0);"),
		0);
	return s;
}

static int64_t count(struct store *s, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(store_run(s, sql, &n, ""), 1);
	return n;
}

/* A queued call: connected and ended are 0 when not (yet). */
static int64_t call(struct store *s, const char *queue, int64_t queued, int64_t connected,
		    int64_t ended, const char *outcome)
{
	int64_t id = 0;

	assert_int_equal(
		store_run(s,
			  "INSERT INTO call(sip_call_id, caller, called, started_at,"
			  " answered_at, queue, queued_at, connected_at, ended_at, outcome)"
			  " VALUES ('x', '13812345678', '4000000000', ?, ?, ?, ?,"
			  " nullif(?, 0), nullif(?, 0), ?) RETURNING id",
			  &id, "iitiiit", queued - 30 * SEC, queued - 30 * SEC, queue, queued,
			  connected, ended, outcome),
		1);
	return id;
}

static const struct acd_live_queue *find(const struct acd_live_queue *qs, int n, const char *code)
{
	for (int i = 0; i < n; i++)
		if (strcmp(qs[i].code, code) == 0)
			return &qs[i];
	fail_msg("no queue %s", code);
	return NULL;
}

static void counts_per_queue(void **state)
{
	struct store *s = open_center();
	struct acd_live_queue qs[ACD_LIVE_QUEUES_MAX];
	struct acd_live_counts total;
	const struct acd_live_queue *mc, *ts, *gone;
	int64_t from = NOON - 12 * 60 * MIN, to = from + DAY, cb;
	int n = 0, agents[ACD_STATUS_COUNT];

	(void)state;
	/* market_consult: answered in 10 s, in exactly 20 s, in 21 s; abandoned; a
	 * callback; waiting 5 s and 45 s. */
	call(s, "market_consult", NOON - 600 * SEC, NOON - 590 * SEC, NOON - 300 * SEC, "answered");
	call(s, "market_consult", NOON - 500 * SEC, NOON - 480 * SEC, NOON - 300 * SEC, "answered");
	call(s, "market_consult", NOON - 400 * SEC, NOON - 379 * SEC, NOON - 100 * SEC, "answered");
	call(s, "market_consult", NOON - 300 * SEC, 0, NOON - 250 * SEC, "abandoned");
	cb = call(s, "market_consult", NOON - 200 * SEC, 0, NOON - 80 * SEC, "callback");
	call(s, "market_consult", NOON - 5 * SEC, 0, 0, NULL);
	call(s, "market_consult", NOON - 45 * SEC, 0, 0, NULL);
	/* tech_service: answered in 5 s, still talking. */
	call(s, "tech_service", NOON - 100 * SEC, NOON - 95 * SEC, 0, NULL);
	/* A queue since removed: answered in 30 s. */
	call(s, "old_queue", NOON - 900 * SEC, NOON - 870 * SEC, NOON - 600 * SEC, "answered");
	/* Yesterday: not offered today. One caller from before midnight still waits. */
	call(s, "market_consult", from - 600 * SEC, from - 590 * SEC, from - 10 * SEC, "answered");
	call(s, "complaint", from - 2 * SEC, 0, 0, NULL);
	/* A call that never reached a queue (the IVR only). */
	assert_int_equal(store_exec(s, "INSERT INTO call(sip_call_id, caller, called, started_at,"
				       " outcome) VALUES ('y', '1', '2', 1795319000000, 'ivr')"),
			 0);
	assert_int_equal(store_run(s,
				   "INSERT INTO acd_callback(call_id, queue, phone, requested_at)"
				   " VALUES (?, 'market_consult', '13912345678', ?)",
				   NULL, "ii", cb, NOON - 80 * SEC),
			 0);

	assert_int_equal(acd_live_load(s, from, to, NOON, 20, qs, ACD_LIVE_QUEUES_MAX, &n, &total),
			 0);
	/* The four queues of acd_queue by code, then the one that is gone. */
	assert_int_equal(n, 5);
	assert_string_equal(qs[0].code, "agent");
	assert_string_equal(qs[1].code, "complaint");
	assert_string_equal(qs[2].code, "market_consult");
	assert_string_equal(qs[2].name, "业务咨询");
	assert_string_equal(qs[3].code, "tech_service");
	assert_string_equal(qs[4].code, "old_queue");
	assert_false(qs[4].known);
	assert_true(qs[2].known);

	mc = find(qs, n, "market_consult");
	assert_int_equal(mc->c.offered, 7);
	assert_int_equal(mc->c.answered, 3);
	assert_int_equal(mc->c.answered_in_sl, 2);
	assert_int_equal(mc->c.answer_ms, 51 * SEC);
	assert_int_equal(mc->c.abandoned, 1);
	assert_int_equal(mc->c.callbacks, 1);
	assert_int_equal(mc->c.waiting, 2);
	assert_int_equal(mc->c.waiting_young, 1);
	assert_int_equal(mc->c.oldest_queued_at, NOON - 45 * SEC);
	assert_int_equal(mc->c.callbacks_open, 1);
	ts = find(qs, n, "tech_service");
	assert_int_equal(ts->c.offered, 1);
	assert_int_equal(ts->c.answered_in_sl, 1);
	assert_int_equal(ts->c.waiting, 0);
	gone = find(qs, n, "old_queue");
	assert_int_equal(gone->c.answered, 1);
	assert_int_equal(gone->c.answered_in_sl, 0);
	/* The complaint caller from yesterday waits now, but was not offered today. */
	assert_int_equal(find(qs, n, "complaint")->c.offered, 0);
	assert_int_equal(find(qs, n, "complaint")->c.waiting, 1);
	assert_int_equal(find(qs, n, "agent")->c.offered, 0);

	assert_int_equal(total.offered, 9);
	assert_int_equal(total.answered, 5);
	assert_int_equal(total.answered_in_sl, 3);
	assert_int_equal(total.answer_ms, 86 * SEC);
	assert_int_equal(total.waiting, 3);
	assert_int_equal(total.waiting_young, 1);
	assert_int_equal(total.oldest_queued_at, from - 2 * SEC);

	/* With a target of 21 s the 21 s answer is within it too. */
	assert_int_equal(acd_live_load(s, from, to, NOON, 21, qs, ACD_LIVE_QUEUES_MAX, &n, &total),
			 0);
	assert_int_equal(find(qs, n, "market_consult")->c.answered_in_sl, 3);
	/* Yesterday's period: its one answered call, and the same callers waiting now. */
	assert_int_equal(
		acd_live_load(s, from - DAY, from, NOON, 20, qs, ACD_LIVE_QUEUES_MAX, &n, &total),
		0);
	assert_int_equal(total.offered, 2);
	assert_int_equal(total.answered, 1);
	assert_int_equal(total.waiting, 3);
	/* Room for two queues only: the total still counts every queue. */
	assert_int_equal(acd_live_load(s, from, to, NOON, 20, qs, 2, &n, &total), 0);
	assert_int_equal(n, 2);
	assert_int_equal(total.offered, 9);

	/* Seat holders: the manager and supervisor with a seat type, two agents; the
	 * disabled agent and staff are not seats. */
	assert_int_equal(acd_agent_counts(s, agents), 0);
	assert_int_equal(agents[ACD_READY], 1);
	assert_int_equal(agents[ACD_TALKING], 1);
	assert_int_equal(agents[ACD_LOGGED_OUT], 2);
	assert_int_equal(agents[ACD_BUSY], 0);
	test_store_close(s);
}

static int collect(void *ctx, const struct acd_callback *c)
{
	int64_t *ids = ctx;

	for (int i = 0; i < 8; i++)
		if (!ids[i]) {
			ids[i] = c->id;
			break;
		}
	return 0;
}

static void callback_requests(void **state)
{
	struct store *s = open_center();
	struct acd_callback c;
	struct acd_callback_filter f = {0, 0, 50};
	int64_t call1 = call(s, "market_consult", NOON - 200 * SEC, 0, 0, NULL);
	int64_t call2 = call(s, "complaint", NOON - 100 * SEC, 0, 0, NULL);
	int64_t id1 = 0, id2 = 0, ids[8] = {0};

	(void)state;
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(acd_callback_add(s, call1, "market_consult", "13912345678", NOON, &id1),
			 0);
	assert_int_equal(store_commit(s), 0);
	assert_true(id1 > 0);
	/* The manager and the supervisor are told, with the number masked; nobody else. */
	assert_int_equal(count(s, "SELECT count(*) FROM notification WHERE kind = 'acd.callback'"),
			 2);
	assert_int_equal(
		count(s, "SELECT count(*) FROM notification WHERE kind = 'acd.callback'"
			 " AND person_id IN (1, 2) AND text = '来电客户在「业务咨询」排队超时，"
			 "留下回电号码 139****5678，请安排回电'"),
		2);
	assert_int_equal(
		count(s, "SELECT count(*) FROM audit WHERE action ="
			 " 'acd_callback.request' AND actor = 'system'"
			 " AND detail LIKE '%139****5678%' AND detail NOT LIKE '%13912345678%'"),
		1);

	/* What the engine must not send: nothing is written. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(acd_callback_add(s, call1, "market_consult", "139-1234", NOON, &id2),
			 ERR_INVALID);
	assert_int_equal(acd_callback_add(s, call1, "no_such_queue", "13912345678", NOON, &id2),
			 ERR_INVALID);
	assert_int_equal(acd_callback_add(s, 99999, "market_consult", "13912345678", NOON, &id2),
			 ERR_NOTFOUND);
	assert_int_equal(acd_callback_add(s, call2, "complaint", "01087654321", NOON + SEC, &id2),
			 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(count(s, "SELECT count(*) FROM acd_callback"), 2);

	/* Newest first, one page at a time. */
	f.limit = 1;
	assert_int_equal(acd_callback_list(s, &f, collect, ids), 1);
	f.before_id = ids[0];
	assert_int_equal(acd_callback_list(s, &f, collect, ids), 1);
	assert_int_equal(ids[0], id2);
	assert_int_equal(ids[1], id1);

	assert_int_equal(acd_callback_get(s, id2, &c), 0);
	assert_string_equal(c.queue, "complaint");
	assert_string_equal(c.queue_name, "投诉");
	assert_string_equal(c.phone, "01087654321");
	assert_int_equal(c.requested_at, NOON + SEC);
	assert_false(c.done);
	assert_int_equal(acd_callback_get(s, 99999, &c), ERR_NOTFOUND);

	/* Done once; the second time is a conflict, an unknown one not found. */
	assert_int_equal(acd_callback_mark_done(s, id1, 3, NOON + MIN, "已回电"), 0);
	assert_int_equal(acd_callback_mark_done(s, id1, 4, NOON + 2 * MIN, "again"), ERR_CONFLICT);
	assert_int_equal(acd_callback_mark_done(s, 99999, 4, NOON, NULL), ERR_NOTFOUND);
	assert_int_equal(acd_callback_get(s, id1, &c), 0);
	assert_true(c.done);
	assert_int_equal(c.handled_by, 3);
	assert_int_equal(c.handled_at, NOON + MIN);
	assert_string_equal(c.note, "已回电");

	memset(ids, 0, sizeof(ids));
	f.before_id = 0;
	f.limit = 50;
	assert_int_equal(acd_callback_list(s, &f, collect, ids), 1);
	assert_int_equal(ids[0], id2);
	f.done = 1;
	memset(ids, 0, sizeof(ids));
	assert_int_equal(acd_callback_list(s, &f, collect, ids), 1);
	assert_int_equal(ids[0], id1);
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ratios),
		cmocka_unit_test(figures),
		cmocka_unit_test(sums),
		cmocka_unit_test(periods),
		cmocka_unit_test(phones_and_texts),
		cmocka_unit_test(counts_per_queue),
		cmocka_unit_test(callback_requests),
	};

	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
