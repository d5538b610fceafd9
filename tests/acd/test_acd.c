/* Unit tests of src/acd: who may move an agent where, busy reasons, the
 * system's transitions (acd_set_system), storage with its log, the
 * CALL-15 alert and wrap-up expiry in acd_tick with a fake now. */
#include "testutil.h"

#include "acd/acd.h"
#include "core/err.h"
#include "org/org.h"

#define MIN 60000LL
#define T0 1795344000000LL /* a fixed instant; nothing here reads the clock */

static struct acd_state st(enum acd_status s, const char *reason, int64_t since)
{
	struct acd_state a;

	memset(&a, 0, sizeof(a));
	a.person_id = 1;
	a.status = s;
	snprintf(a.reason, sizeof(a.reason), "%s", reason ? reason : "");
	a.since = since;
	a.updated_at = since;
	a.stored = 1;
	return a;
}

/* acd_next for one request; returns its code and fills *next. */
static int next_of(enum acd_status from, enum acd_status to, const char *reason, enum acd_by by,
		   struct acd_state *next, struct err_info *ei)
{
	struct acd_state cur = st(from, from == ACD_BUSY ? "meeting" : NULL, T0);

	memset(ei, 0, sizeof(*ei));
	return acd_next(&cur, to, reason, by, T0 + MIN, 30, next, ei);
}

static void names_round_trip(void **state)
{
	(void)state;
	for (int i = 0; i < ACD_STATUS_COUNT; i++)
		assert_int_equal(acd_status_parse(acd_status_name((enum acd_status)i)), i);
	assert_int_equal(acd_status_parse("idle"), -1);
	assert_int_equal(acd_status_parse(""), -1);
	assert_int_equal(acd_status_parse(NULL), -1);
	assert_string_equal(acd_status_name(ACD_WRAP_UP), "wrap_up");
	assert_true(acd_status_system_only(ACD_RINGING));
	assert_true(acd_status_system_only(ACD_TALKING));
	assert_true(acd_status_system_only(ACD_WRAP_UP));
	assert_false(acd_status_system_only(ACD_BUSY));
}

/* ORG-2 seats and ORG-4 duty. */
static void seats_and_duty(void **state)
{
	(void)state;
	assert_true(acd_is_seat(ROLE_AGENT, 0));
	assert_true(acd_is_seat(ROLE_MANAGER, 1));
	assert_true(acd_is_seat(ROLE_SUPERVISOR | ROLE_AGENT, 0));
	assert_false(acd_is_seat(ROLE_MANAGER, 0));
	assert_false(acd_is_seat(ROLE_STAFF, 2));
	assert_false(acd_is_seat(ROLE_OFFICE | ROLE_ADMIN, 1));
	assert_true(acd_on_duty_allowed(ROLE_AGENT, 1));
	assert_false(acd_on_duty_allowed(ROLE_AGENT, 0));
	assert_false(acd_on_duty_allowed(ROLE_SUPERVISOR | ROLE_AGENT, 0));
	assert_true(acd_on_duty_allowed(ROLE_MANAGER, 0));
}

static void reasons(void **state)
{
	char out[ACD_REASON_SIZE], long_text[ACD_REASON_SIZE * 2] = "";
	struct err_info ei;

	(void)state;
	assert_int_equal(acd_reason_clean(NULL, out, sizeof(out), &ei), 0);
	assert_string_equal(out, "");
	assert_int_equal(acd_reason_clean("  \t ", out, sizeof(out), &ei), 0);
	assert_string_equal(out, "");
	assert_int_equal(acd_reason_clean("  去银行办事 ", out, sizeof(out), &ei), 0);
	assert_string_equal(out, "去银行办事");
	/* 64 characters fit (192 bytes of Chinese), 65 do not. */
	for (int i = 0; i < 64; i++)
		strcat(long_text, "事");
	assert_int_equal(acd_reason_clean(long_text, out, sizeof(out), &ei), 0);
	assert_string_equal(out, long_text);
	strcat(long_text, "x");
	assert_int_equal(acd_reason_clean(long_text, out, sizeof(out), &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "reason");
	memset(long_text, 'a', 300);
	long_text[300] = '\0';
	assert_int_equal(acd_reason_clean(long_text, out, sizeof(out), &ei), ERR_UNPROCESSABLE);
	assert_int_equal(acd_reason_clean("a\nb", out, sizeof(out), &ei), ERR_UNPROCESSABLE);
	assert_int_equal(acd_reason_clean("bad \xff", out, sizeof(out), &ei), ERR_INVALID);

	assert_string_equal(acd_reason_label("training"), "培训");
	assert_string_equal(acd_reason_label("meeting"), "会议");
	assert_string_equal(acd_reason_label("paperwork"), "整理工单");
	assert_string_equal(acd_reason_label("去银行"), "去银行");
}

static void people_choose_their_status(void **state)
{
	struct acd_state n;
	struct err_info ei;

	(void)state;
	assert_int_equal(next_of(ACD_LOGGED_OUT, ACD_READY, "", ACD_BY_SELF, &n, &ei), 0);
	assert_int_equal(n.status, ACD_READY);
	assert_int_equal(n.since, T0 + MIN);
	assert_int_equal(next_of(ACD_READY, ACD_BREAK, "", ACD_BY_SELF, &n, &ei), 0);
	assert_int_equal(next_of(ACD_BREAK, ACD_LOGGED_OUT, "", ACD_BY_SELF, &n, &ei), 0);
	assert_int_equal(next_of(ACD_READY, ACD_BUSY, "training", ACD_BY_SELF, &n, &ei), 0);
	assert_int_equal(n.status, ACD_BUSY);
	assert_string_equal(n.reason, "training");
	assert_int_equal(n.busy_alerted, 0);

	/* CALL-15: busy says why; nothing else takes a reason. */
	assert_int_equal(next_of(ACD_READY, ACD_BUSY, "", ACD_BY_SELF, &n, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "reason");
	assert_int_equal(next_of(ACD_READY, ACD_BUSY, NULL, ACD_BY_SELF, &n, &ei),
			 ERR_UNPROCESSABLE);
	assert_int_equal(next_of(ACD_BUSY, ACD_READY, "training", ACD_BY_SELF, &n, &ei),
			 ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "reason");

	/* The system's statuses are not for people, supervisors included. */
	for (int by = ACD_BY_SELF; by <= ACD_BY_SUPERVISOR; by++) {
		assert_int_equal(next_of(ACD_READY, ACD_TALKING, "", by, &n, &ei),
				 ERR_UNPROCESSABLE);
		assert_string_equal(ei.field, "status");
		assert_int_equal(next_of(ACD_READY, ACD_RINGING, "", by, &n, &ei),
				 ERR_UNPROCESSABLE);
		assert_int_equal(next_of(ACD_TALKING, ACD_WRAP_UP, "", by, &n, &ei),
				 ERR_UNPROCESSABLE);
	}
	assert_int_equal(next_of(ACD_READY, (enum acd_status)99, "", ACD_BY_SELF, &n, &ei),
			 ERR_UNPROCESSABLE);
}

/* While the system holds the agent the call decides; a supervisor may free the seat. */
static void a_call_holds_the_agent(void **state)
{
	static const enum acd_status held[] = {ACD_RINGING, ACD_TALKING};
	static const enum acd_status wanted[] = {ACD_READY, ACD_BUSY, ACD_BREAK, ACD_LOGGED_OUT};
	struct acd_state n;
	struct err_info ei;

	(void)state;
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 4; j++) {
			const char *why = wanted[j] == ACD_BUSY ? "training" : "";

			assert_int_equal(next_of(held[i], wanted[j], why, ACD_BY_SELF, &n, &ei),
					 ERR_CONFLICT);
			assert_int_equal(
				next_of(held[i], wanted[j], why, ACD_BY_SUPERVISOR, &n, &ei),
				wanted[j] == ACD_LOGGED_OUT ? 0 : ERR_CONFLICT);
		}
	/* Wrap-up is the agent's own time: they may finish it early or choose otherwise. */
	assert_int_equal(next_of(ACD_WRAP_UP, ACD_READY, "", ACD_BY_SELF, &n, &ei), 0);
	assert_int_equal(n.wrap_until, 0);
	assert_int_equal(next_of(ACD_WRAP_UP, ACD_BUSY, "paperwork", ACD_BY_SELF, &n, &ei), 0);
}

static void unchanged_and_reason_edits(void **state)
{
	struct acd_state cur = st(ACD_BUSY, "meeting", T0), n;
	struct err_info ei;

	(void)state;
	assert_int_equal(next_of(ACD_READY, ACD_READY, "", ACD_BY_SELF, &n, &ei), ACD_UNCHANGED);
	assert_int_equal(acd_next(&cur, ACD_BUSY, "meeting", ACD_BY_SELF, T0 + MIN, 30, &n, &ei),
			 ACD_UNCHANGED);
	/* Another reason, the same spell: the CALL-15 clock and its alert stay. */
	cur.busy_alerted = 1;
	assert_int_equal(
		acd_next(&cur, ACD_BUSY, "training", ACD_BY_SELF, T0 + 20 * MIN, 30, &n, &ei), 0);
	assert_string_equal(n.reason, "training");
	assert_int_equal(n.since, T0);
	assert_int_equal(n.busy_alerted, 1);
	assert_int_equal(n.updated_at, T0 + 20 * MIN);
	/* A new spell starts the clock again. */
	cur = st(ACD_READY, NULL, T0);
	cur.busy_alerted = 1;
	assert_int_equal(
		acd_next(&cur, ACD_BUSY, "training", ACD_BY_SELF, T0 + 20 * MIN, 30, &n, &ei), 0);
	assert_int_equal(n.since, T0 + 20 * MIN);
	assert_int_equal(n.busy_alerted, 0);
}

static void the_systems_transitions(void **state)
{
	struct acd_state n;
	struct err_info ei;

	(void)state;
	/* An offer claims a ready agent and nobody else. */
	assert_int_equal(next_of(ACD_READY, ACD_RINGING, "", ACD_BY_SYSTEM, &n, &ei), 0);
	assert_int_equal(n.status, ACD_RINGING);
	for (int s = 0; s < ACD_STATUS_COUNT; s++)
		if (s != ACD_READY)
			assert_int_equal(next_of((enum acd_status)s, ACD_RINGING, "", ACD_BY_SYSTEM,
						 &n, &ei),
					 ERR_CONFLICT);
	assert_int_equal(next_of(ACD_RINGING, ACD_TALKING, "", ACD_BY_SYSTEM, &n, &ei), 0);
	assert_int_equal(next_of(ACD_BUSY, ACD_TALKING, "", ACD_BY_SYSTEM, &n, &ei), 0);
	assert_int_equal(n.reason[0], '\0');
	assert_int_equal(next_of(ACD_LOGGED_OUT, ACD_TALKING, "", ACD_BY_SYSTEM, &n, &ei),
			 ERR_CONFLICT);
	assert_int_equal(next_of(ACD_TALKING, ACD_TALKING, "", ACD_BY_SYSTEM, &n, &ei),
			 ACD_UNCHANGED);
	/* The call ends: after-call work for wrap_up_sec (30 here). */
	assert_int_equal(next_of(ACD_TALKING, ACD_WRAP_UP, "", ACD_BY_SYSTEM, &n, &ei), 0);
	assert_int_equal(n.status, ACD_WRAP_UP);
	assert_int_equal(n.since, T0 + MIN);
	assert_int_equal(n.wrap_until, T0 + MIN + 30000);
	assert_int_equal(next_of(ACD_READY, ACD_WRAP_UP, "", ACD_BY_SYSTEM, &n, &ei), ERR_CONFLICT);
	/* An unanswered offer: back to ready, or busy after repeated ones. */
	assert_int_equal(next_of(ACD_RINGING, ACD_READY, "", ACD_BY_SYSTEM, &n, &ei), 0);
	assert_int_equal(next_of(ACD_RINGING, ACD_BUSY, "no_answer", ACD_BY_SYSTEM, &n, &ei), 0);
	assert_int_equal(next_of(ACD_RINGING, ACD_BUSY, "", ACD_BY_SYSTEM, &n, &ei),
			 ERR_UNPROCESSABLE);
	/* No after-call time configured: ready at once. */
	{
		struct acd_state cur = st(ACD_TALKING, NULL, T0);

		assert_int_equal(acd_next(&cur, ACD_WRAP_UP, "", ACD_BY_SYSTEM, T0 + 5, 0, &n, &ei),
				 0);
		assert_int_equal(n.status, ACD_READY);
		assert_int_equal(n.wrap_until, 0);
	}
}

/* CALL-15 and wrap-up clocks, at the millisecond. */
static void clocks(void **state)
{
	struct acd_state b = st(ACD_BUSY, "training", T0), w = st(ACD_WRAP_UP, NULL, T0);

	(void)state;
	assert_false(acd_busy_overdue(&b, T0 + 15 * MIN - 1, 15));
	assert_true(acd_busy_overdue(&b, T0 + 15 * MIN, 15));
	assert_true(acd_busy_overdue(&b, T0 + 5 * MIN, 5)); /* the 5-minute seed (003) */
	b.busy_alerted = 1;
	assert_false(acd_busy_overdue(&b, T0 + 60 * MIN, 15));
	/* A break is away from the seat as busy is: the same allowance (CALL-15). */
	b = st(ACD_BREAK, NULL, T0);
	assert_true(acd_busy_overdue(&b, T0 + 60 * MIN, 15));
	b = st(ACD_READY, NULL, T0);
	assert_false(acd_busy_overdue(&b, T0 + 60 * MIN, 15));
	assert_int_equal(acd_busy_limit(T0, 15), T0 - 15 * MIN);

	w.wrap_until = T0 + 30000;
	assert_false(acd_wrap_expired(&w, T0 + 29999));
	assert_true(acd_wrap_expired(&w, T0 + 30000));
	w.status = ACD_READY;
	assert_false(acd_wrap_expired(&w, T0 + 60000));
}

/*
 * The demo's shape in small: 1 manager with a seat, 2 supervisor+agent,
 * 3 agent (certified), 4 agent (not certified), 5 staff, 6 manager without
 * a seat, 7 a disabled agent.
 */
static struct store *open_center(void)
{
	struct store *s = test_store_open();

	assert_int_equal(
		store_exec(s, "INSERT INTO person(id, work_no, name, roles, active, certified,"
			      " created_at, updated_at) VALUES"
			      " (1, '8001', '李静', 2, 1, 0, 0, 0),"
			      " (2, '8002', '张敏', 12, 1, 1, 0, 0),"
			      " (3, '8101', '刘洋', 8, 1, 1, 0, 0),"
			      " (4, '8109', '新人', 8, 1, 0, 0, 0),"
			      " (5, '2001', '孙强', 16, 1, 0, 0, 0),"
			      " (6, '8003', '王经理', 2, 1, 0, 0, 0),"
			      " (7, '8110', '离职', 8, 0, 1, 0, 0);"
			      "INSERT INTO person_skill(person_id, skill) VALUES"
			      " (1, 'supervising'), (2, 'supervising'), (2, 'tech_service'),"
			      " (3, 'tech_service'), (3, 'market_consult'), (5, 'tech_service');"),
		0);
	return s;
}

static int64_t count(struct store *s, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(store_run(s, sql, &n, ""), 1);
	return n;
}

static int change(struct store *s, int64_t person, enum acd_status to, const char *reason,
		  enum acd_by by, int64_t by_id, int64_t now)
{
	struct acd_state before, after;
	struct err_info ei;
	int rc;

	assert_int_equal(store_begin(s), 0);
	rc = acd_change(s, person, to, reason, by, by_id, now, &before, &after, &ei);
	if (rc < 0)
		store_rollback(s);
	else
		assert_int_equal(store_commit(s), 0);
	return rc;
}

static int sys(struct store *s, int64_t person, enum acd_status to, const char *reason, int64_t now)
{
	int rc;

	assert_int_equal(store_begin(s), 0);
	rc = acd_set_system(s, person, to, reason, 30, now);
	if (rc < 0)
		store_rollback(s);
	else
		assert_int_equal(store_commit(s), 0);
	return rc;
}

static enum acd_status status_of(struct store *s, int64_t person)
{
	struct acd_state a;

	assert_int_equal(acd_get(s, person, &a), 0);
	return a.status;
}

static void storage_and_log(void **state)
{
	struct store *s = open_center();
	struct acd_state a, b;
	struct err_info ei;

	(void)state;
	/* No row: logged out, never on the hotline. */
	assert_int_equal(acd_get(s, 3, &a), 0);
	assert_int_equal(a.status, ACD_LOGGED_OUT);
	assert_int_equal(a.since, 0);
	assert_false(a.stored);

	assert_int_equal(change(s, 3, ACD_READY, "", ACD_BY_SELF, 3, T0), 0);
	assert_int_equal(change(s, 3, ACD_BUSY, "training", ACD_BY_SELF, 3, T0 + MIN), 0);
	assert_int_equal(acd_get(s, 3, &a), 0);
	assert_int_equal(a.status, ACD_BUSY);
	assert_string_equal(a.reason, "training");
	assert_int_equal(a.since, T0 + MIN);
	assert_true(a.stored);
	/* Asking again for what is writes nothing. */
	assert_int_equal(change(s, 3, ACD_BUSY, "training", ACD_BY_SELF, 3, T0 + 2 * MIN),
			 ACD_UNCHANGED);
	assert_int_equal(count(s, "SELECT count(*) FROM agent_state_log WHERE person_id = 3"), 2);
	assert_int_equal(count(s, "SELECT count(*) FROM agent_state_log WHERE person_id = 3"
				  " AND from_status = 'ready' AND to_status = 'busy'"
				  " AND reason = 'training' AND by_id = 3"),
			 1);
	/* A supervisor logs the seat out; the log says who. */
	assert_int_equal(change(s, 3, ACD_LOGGED_OUT, "", ACD_BY_SUPERVISOR, 2, T0 + 3 * MIN), 0);
	assert_int_equal(count(s, "SELECT by_id FROM agent_state_log WHERE person_id = 3"
				  " ORDER BY id DESC LIMIT 1"),
			 2);

	/* Compare and set: a write based on a stale read is a conflict, not a lost update. */
	assert_int_equal(acd_get(s, 3, &a), 0);
	assert_int_equal(change(s, 3, ACD_READY, "", ACD_BY_SELF, 3, T0 + 4 * MIN), 0);
	assert_int_equal(acd_next(&a, ACD_BREAK, "", ACD_BY_SELF, T0 + 5 * MIN, 0, &b, &ei), 0);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(acd_save(s, &a, &b, 3), ERR_CONFLICT);
	store_rollback(s);
	assert_int_equal(status_of(s, 3), ACD_READY);

	/* ORG-2 / ORG-4: who may be on the hotline at all. */
	assert_int_equal(change(s, 4, ACD_READY, "", ACD_BY_SELF, 4, T0), ERR_UNPROCESSABLE);
	assert_int_equal(change(s, 4, ACD_LOGGED_OUT, "", ACD_BY_SELF, 4, T0), ACD_UNCHANGED);
	assert_int_equal(change(s, 5, ACD_READY, "", ACD_BY_SUPERVISOR, 2, T0), ERR_NOTFOUND);
	assert_int_equal(change(s, 6, ACD_READY, "", ACD_BY_SELF, 6, T0), ERR_NOTFOUND);
	assert_int_equal(change(s, 99, ACD_READY, "", ACD_BY_SELF, 99, T0), ERR_NOTFOUND);
	assert_int_equal(change(s, 7, ACD_READY, "", ACD_BY_SUPERVISOR, 2, T0), ERR_UNPROCESSABLE);
	assert_int_equal(change(s, 1, ACD_READY, "", ACD_BY_SELF, 1, T0), 0);
	assert_int_equal(count(s, "SELECT count(*) FROM agent_state WHERE person_id IN (4,5,6,7)"),
			 0);
	test_store_close(s);
}

/* What the call engine will call: the offer is a claim, the call holds the agent. */
static void system_changes(void **state)
{
	struct store *s = open_center();
	struct acd_state a;

	(void)state;
	assert_int_equal(sys(s, 3, ACD_RINGING, NULL, T0), ERR_CONFLICT); /* logged out */
	assert_int_equal(change(s, 3, ACD_READY, "", ACD_BY_SELF, 3, T0), 0);
	assert_int_equal(sys(s, 3, ACD_RINGING, NULL, T0 + 1000), 0);
	assert_int_equal(sys(s, 3, ACD_RINGING, NULL, T0 + 1001), ERR_CONFLICT);
	/* The agent cannot slip away while it rings; the supervisor's logout still works below. */
	assert_int_equal(change(s, 3, ACD_BUSY, "meeting", ACD_BY_SELF, 3, T0 + 1500),
			 ERR_CONFLICT);
	assert_int_equal(sys(s, 3, ACD_TALKING, NULL, T0 + 3000), 0);
	assert_int_equal(status_of(s, 3), ACD_TALKING);
	assert_int_equal(sys(s, 3, ACD_WRAP_UP, NULL, T0 + 60000), 0);
	assert_int_equal(acd_get(s, 3, &a), 0);
	assert_int_equal(a.status, ACD_WRAP_UP);
	assert_int_equal(a.wrap_until, T0 + 90000);
	/* The system's changes are logged without a person. */
	assert_int_equal(count(s, "SELECT count(*) FROM agent_state_log WHERE person_id = 3"
				  " AND by_id IS NULL"),
			 3);
	assert_int_equal(count(s, "SELECT count(*) FROM audit"), 0);

	/* A forgotten seat that rings: the supervisor logs it out. */
	assert_int_equal(change(s, 2, ACD_READY, "", ACD_BY_SELF, 2, T0), 0);
	assert_int_equal(sys(s, 2, ACD_RINGING, NULL, T0 + 1000), 0);
	assert_int_equal(change(s, 2, ACD_LOGGED_OUT, "", ACD_BY_SUPERVISOR, 1, T0 + 2000), 0);
	assert_int_equal(status_of(s, 2), ACD_LOGGED_OUT);
	test_store_close(s);
}

static int64_t alerts_to(struct store *s, int64_t person)
{
	char sql[160];
	struct store_stmt *st;
	int64_t n;

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM notification WHERE kind = 'agent.busy_long'"
		 " AND person_id = %lld",
		 (long long)person);
	st = store_prepare_dynamic(s, sql);
	assert_non_null(st);
	assert_int_equal(store_step(st), 1);
	n = store_col_int(st, 0);
	store_done(st);
	return n;
}

static void call15_alerts_once_per_busy_spell(void **state)
{
	struct store *s = open_center();
	char text[400] = "";
	struct store_stmt *st;

	(void)state;
	assert_int_equal(change(s, 3, ACD_BUSY, "training", ACD_BY_SELF, 3, T0), 0);
	assert_int_equal(acd_tick(s, T0 + 15 * MIN - 1, 15), 0);
	assert_int_equal(alerts_to(s, 1), 0);
	/* 15 minutes: every manager and supervisor hears it, once. */
	assert_int_equal(acd_tick(s, T0 + 15 * MIN, 15), 1);
	assert_int_equal(alerts_to(s, 1), 1); /* manager */
	assert_int_equal(alerts_to(s, 2), 1); /* supervisor */
	assert_int_equal(alerts_to(s, 6), 1); /* manager without a seat */
	assert_int_equal(alerts_to(s, 3), 0); /* not the agent */
	assert_int_equal(alerts_to(s, 5), 0); /* nor staff */
	st = store_prepare(s, "SELECT text FROM notification WHERE person_id = 1");
	assert_int_equal(store_step(st), 1);
	store_col_copy(st, 0, text, sizeof(text));
	store_done(st);
	assert_string_equal(text, "坐席 刘洋（8101）示忙已超过 15 分钟（原因：培训）");
	assert_int_equal(count(s, "SELECT count(*) FROM audit WHERE action = 'agent.busy_long'"
				  " AND actor = 'system' AND entity_id = '3'"),
			 1);
	/* Another node that read the same due row finds it taken. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(acd_busy_mark_alerted(s, 3, T0), 0);
	store_rollback(s);
	assert_int_equal(acd_tick(s, T0 + 16 * MIN, 15), 0);
	assert_int_equal(acd_tick(s, T0 + 90 * MIN, 15), 0);
	assert_int_equal(alerts_to(s, 1), 1);

	/* Another reason in the same spell is not a new spell. */
	assert_int_equal(change(s, 3, ACD_BUSY, "会见客户", ACD_BY_SELF, 3, T0 + 91 * MIN), 0);
	assert_int_equal(acd_tick(s, T0 + 120 * MIN, 15), 0);
	assert_int_equal(alerts_to(s, 1), 1);

	/* Ready, then busy again: a new spell, a new alert after 15 more minutes. */
	assert_int_equal(change(s, 3, ACD_READY, "", ACD_BY_SELF, 3, T0 + 121 * MIN), 0);
	assert_int_equal(change(s, 3, ACD_BUSY, "会见客户", ACD_BY_SELF, 3, T0 + 122 * MIN), 0);
	assert_int_equal(acd_tick(s, T0 + 136 * MIN, 15), 0);
	assert_int_equal(acd_tick(s, T0 + 137 * MIN, 15), 1);
	assert_int_equal(alerts_to(s, 1), 2);
	st = store_prepare(s, "SELECT text FROM notification WHERE person_id = 1 ORDER BY id DESC");
	assert_int_equal(store_step(st), 1);
	store_col_copy(st, 0, text, sizeof(text));
	store_done(st);
	assert_string_equal(text, "坐席 刘洋（8101）示忙已超过 15 分钟（原因：会见客户）");

	/* The supervisor who is busy is not told about themselves; the setting is honoured. */
	assert_int_equal(change(s, 2, ACD_BUSY, "meeting", ACD_BY_SELF, 2, T0 + 200 * MIN), 0);
	assert_int_equal(acd_tick(s, T0 + 204 * MIN, 5), 0);
	assert_int_equal(acd_tick(s, T0 + 205 * MIN, 5), 1);
	assert_int_equal(alerts_to(s, 2), 2); /* both of 8101's spells, none of their own */
	assert_int_equal(alerts_to(s, 1), 3);
	test_store_close(s);
}

/* CALL-15: busy and break are one spell away; switching between them resets nothing. */
static void busy_and_break_are_one_spell(void **state)
{
	struct acd_state cur = st(ACD_BUSY, "meeting", T0), n;
	struct err_info ei;

	(void)state;
	cur.busy_alerted = 1;
	assert_int_equal(acd_next(&cur, ACD_BREAK, "", ACD_BY_SELF, T0 + 14 * MIN, 30, &n, &ei), 0);
	assert_int_equal(n.status, ACD_BREAK);
	assert_string_equal(n.reason, "");
	assert_int_equal(n.since, T0);
	assert_int_equal(n.busy_alerted, 1);
	cur = n;
	assert_int_equal(
		acd_next(&cur, ACD_BUSY, "training", ACD_BY_SELF, T0 + 15 * MIN, 30, &n, &ei), 0);
	assert_int_equal(n.status, ACD_BUSY);
	assert_int_equal(n.since, T0);
	assert_int_equal(n.busy_alerted, 1);
	/* A break alone counts against the allowance too. */
	cur = st(ACD_BREAK, NULL, T0);
	assert_false(acd_busy_overdue(&cur, T0 + 15 * MIN - 1, 15));
	assert_true(acd_busy_overdue(&cur, T0 + 15 * MIN, 15));
	assert_true(acd_status_away(ACD_BUSY) && acd_status_away(ACD_BREAK));
	assert_false(acd_status_away(ACD_READY) || acd_status_away(ACD_WRAP_UP));
	/* Back to ready ends the spell: the next one starts its own clock. */
	cur = st(ACD_BREAK, NULL, T0);
	cur.busy_alerted = 1;
	assert_int_equal(acd_next(&cur, ACD_READY, "", ACD_BY_SELF, T0 + 5 * MIN, 30, &n, &ei), 0);
	cur = n;
	assert_int_equal(acd_next(&cur, ACD_BREAK, "", ACD_BY_SELF, T0 + 6 * MIN, 30, &n, &ei), 0);
	assert_int_equal(n.since, T0 + 6 * MIN);
	assert_int_equal(n.busy_alerted, 0);
}

/* The bypass: busy 10 min, break 4 min, busy again: the tick still alerts at 15 min. */
static void call15_busy_break_busy_is_caught(void **state)
{
	struct store *s = open_center();
	char text[400] = "";
	struct store_stmt *st;

	(void)state;
	assert_int_equal(change(s, 3, ACD_BUSY, "training", ACD_BY_SELF, 3, T0), 0);
	assert_int_equal(change(s, 3, ACD_BREAK, "", ACD_BY_SELF, 3, T0 + 10 * MIN), 0);
	assert_int_equal(change(s, 3, ACD_BUSY, "meeting", ACD_BY_SELF, 3, T0 + 14 * MIN), 0);
	assert_int_equal(acd_tick(s, T0 + 15 * MIN - 1, 15), 0);
	assert_int_equal(acd_tick(s, T0 + 15 * MIN, 15), 1);
	assert_int_equal(alerts_to(s, 1), 1);
	/* Switching once more neither repeats the alert nor starts a new clock. */
	assert_int_equal(change(s, 3, ACD_BREAK, "", ACD_BY_SELF, 3, T0 + 16 * MIN), 0);
	assert_int_equal(acd_tick(s, T0 + 40 * MIN, 15), 0);
	assert_int_equal(alerts_to(s, 1), 1);

	/* A spell that is on a break when the limit comes says so. */
	assert_int_equal(change(s, 2, ACD_BUSY, "meeting", ACD_BY_SELF, 2, T0 + 50 * MIN), 0);
	assert_int_equal(change(s, 2, ACD_BREAK, "", ACD_BY_SELF, 2, T0 + 51 * MIN), 0);
	assert_int_equal(acd_tick(s, T0 + 65 * MIN, 15), 1);
	assert_int_equal(alerts_to(s, 1), 2);
	st = store_prepare(s, "SELECT text FROM notification WHERE person_id = 1 ORDER BY id DESC");
	assert_int_equal(store_step(st), 1);
	store_col_copy(st, 0, text, sizeof(text));
	store_done(st);
	assert_non_null(strstr(text, "示忙、小休合计已超过 15 分钟"));
	test_store_close(s);
}

static void a_disabled_agent_alerts_nobody(void **state)
{
	struct store *s = open_center();

	(void)state;
	assert_int_equal(change(s, 3, ACD_BUSY, "training", ACD_BY_SELF, 3, T0), 0);
	assert_int_equal(store_exec(s, "UPDATE person SET active = 0 WHERE id = 3"), 0);
	assert_int_equal(acd_tick(s, T0 + 60 * MIN, 15), 0);
	assert_int_equal(count(s, "SELECT count(*) FROM notification"), 0);
	test_store_close(s);
}

static void wrap_up_runs_out(void **state)
{
	struct store *s = open_center();
	struct acd_state a;

	(void)state;
	assert_int_equal(change(s, 3, ACD_READY, "", ACD_BY_SELF, 3, T0), 0);
	assert_int_equal(sys(s, 3, ACD_RINGING, NULL, T0 + 1000), 0);
	assert_int_equal(sys(s, 3, ACD_TALKING, NULL, T0 + 2000), 0);
	assert_int_equal(sys(s, 3, ACD_WRAP_UP, NULL, T0 + 10000), 0);
	assert_int_equal(acd_tick(s, T0 + 39999, 15), 0);
	assert_int_equal(status_of(s, 3), ACD_WRAP_UP);
	assert_int_equal(acd_tick(s, T0 + 40000, 15), 1);
	assert_int_equal(acd_get(s, 3, &a), 0);
	assert_int_equal(a.status, ACD_READY);
	assert_int_equal(a.since, T0 + 40000);
	assert_int_equal(a.wrap_until, 0);
	assert_int_equal(count(s, "SELECT count(*) FROM agent_state_log WHERE person_id = 3"
				  " AND from_status = 'wrap_up' AND to_status = 'ready'"
				  " AND by_id IS NULL AND at = 1795344040000"),
			 1);
	assert_int_equal(acd_tick(s, T0 + 50000, 15), 0);

	/* An agent who ended wrap-up early is left alone by the tick. */
	assert_int_equal(sys(s, 3, ACD_RINGING, NULL, T0 + 60000), 0);
	assert_int_equal(sys(s, 3, ACD_TALKING, NULL, T0 + 61000), 0);
	assert_int_equal(sys(s, 3, ACD_WRAP_UP, NULL, T0 + 70000), 0);
	assert_int_equal(change(s, 3, ACD_BUSY, "paperwork", ACD_BY_SELF, 3, T0 + 75000), 0);
	assert_int_equal(acd_tick(s, T0 + 200000, 15), 0);
	assert_int_equal(status_of(s, 3), ACD_BUSY);
	test_store_close(s);
}

struct seen {
	int n;
	int64_t ids[16];
	char skills[16][64];
	enum acd_status status[16];
};

static int collect(void *ctx, const struct acd_agent *a)
{
	struct seen *sn = ctx;

	assert_true(sn->n < 16);
	sn->ids[sn->n] = a->person_id;
	sn->status[sn->n] = a->state.status;
	sn->skills[sn->n][0] = '\0';
	for (int i = 0; i < a->nskills; i++) {
		strcat(sn->skills[sn->n], a->skills[i]);
		strcat(sn->skills[sn->n], ";");
	}
	sn->n++;
	return 0;
}

static void the_wallboard_list(void **state)
{
	struct store *s = open_center();
	struct seen sn = {0};

	(void)state;
	assert_int_equal(change(s, 3, ACD_BUSY, "training", ACD_BY_SELF, 3, T0), 0);
	/* Seats only, by work number: 8001 (manager with a seat), 8002, 8101, 8109. */
	assert_int_equal(acd_agents(s, collect, &sn), 4);
	assert_int_equal(sn.ids[0], 1);
	assert_int_equal(sn.ids[1], 2);
	assert_int_equal(sn.ids[2], 3);
	assert_int_equal(sn.ids[3], 4);
	assert_string_equal(sn.skills[0], "supervising;");
	assert_string_equal(sn.skills[1], "supervising;tech_service;");
	assert_string_equal(sn.skills[2], "market_consult;tech_service;");
	assert_string_equal(sn.skills[3], "");
	assert_int_equal(sn.status[2], ACD_BUSY);
	assert_int_equal(sn.status[3], ACD_LOGGED_OUT);
	test_store_close(s);
}

/* ORG-2 queues: who a waiting call is offered to. */
static void strategies_order_candidates(void **state)
{
	struct acd_candidate c[3];

	(void)state;
	/* Longest idle: ready the earliest first, ties by id. */
	c[0] = (struct acd_candidate){7, 3000};
	c[1] = (struct acd_candidate){5, 1000};
	c[2] = (struct acd_candidate){6, 1000};
	assert_int_equal(acd_order(ACD_LONGEST_IDLE, c, 3, 0), 1);
	assert_int_equal(c[0].person_id, 5);
	assert_int_equal(c[1].person_id, 6);
	assert_int_equal(c[2].person_id, 7);
	/* Round robin: the next id after the last one offered, wrapping. */
	assert_int_equal(acd_order(ACD_ROUND_ROBIN, c, 3, 5), 1);
	assert_int_equal(c[0].person_id, 6);
	assert_int_equal(c[1].person_id, 7);
	assert_int_equal(c[2].person_id, 5);
	assert_int_equal(acd_order(ACD_ROUND_ROBIN, c, 3, 7), 1);
	assert_int_equal(c[0].person_id, 5);
	assert_int_equal(acd_order(ACD_ROUND_ROBIN, c, 3, 0), 1);
	assert_int_equal(c[0].person_id, 5);
	/* Ring all: everyone at once. */
	assert_int_equal(acd_order(ACD_RING_ALL, c, 3, 0), 3);
	assert_int_equal(acd_order(ACD_LONGEST_IDLE, c, 0, 0), 0);
	assert_int_equal(acd_strategy_parse("ring_all"), ACD_RING_ALL);
	assert_int_equal(acd_strategy_parse("round_robin"), ACD_ROUND_ROBIN);
	assert_int_equal(acd_strategy_parse("longest_idle"), ACD_LONGEST_IDLE);
	assert_int_equal(acd_strategy_parse("random"), -1);
	assert_int_equal(acd_strategy_parse(NULL), -1);
}

static void expected_wait(void **state)
{
	(void)state;
	assert_int_equal(acd_expected_wait_sec(1, 1, 180), 180);
	assert_int_equal(acd_expected_wait_sec(3, 2, 180), 270);
	assert_int_equal(acd_expected_wait_sec(2, 0, 100), 200);
	assert_int_equal(acd_expected_wait_sec(0, 2, 100), 0);
	assert_int_equal(acd_expected_wait_sec(1000000, 1, 1000), 86400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_round_trip),
		cmocka_unit_test(seats_and_duty),
		cmocka_unit_test(reasons),
		cmocka_unit_test(people_choose_their_status),
		cmocka_unit_test(a_call_holds_the_agent),
		cmocka_unit_test(unchanged_and_reason_edits),
		cmocka_unit_test(the_systems_transitions),
		cmocka_unit_test(clocks),
		cmocka_unit_test(storage_and_log),
		cmocka_unit_test(system_changes),
		cmocka_unit_test(call15_alerts_once_per_busy_spell),
		cmocka_unit_test(busy_and_break_are_one_spell),
		cmocka_unit_test(call15_busy_break_busy_is_caught),
		cmocka_unit_test(a_disabled_agent_alerts_nobody),
		cmocka_unit_test(wrap_up_runs_out),
		cmocka_unit_test(the_wallboard_list),
		cmocka_unit_test(strategies_order_candidates),
		cmocka_unit_test(expected_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
