/*
 * Unit tests of src/wo: the rules (wo.c) and the engine's scenarios from
 * the rulebook, run against a demo center with a fake `now` — no sleeping.
 */
#include <sodium.h>

#include "demo.h"

#include "audit/audit.h"
#include "core/clock.h"
#include "org/org.h"
#include "wo/wo.h"

/* ROUTE-3, WO-1: only the transitions of an order's life are allowed. */
static void transitions_follow_the_loop(void **state)
{
	(void)state;
	assert_int_equal(wo_next_state(WO_DISPATCHED, WOA_ACCEPT), WO_ACCEPTED);
	assert_int_equal(wo_next_state(WO_ACCEPTED, WOA_CALL), WO_IN_PROGRESS);
	assert_int_equal(wo_next_state(WO_IN_PROGRESS, WOA_REPORT), WO_REPORTED);
	assert_int_equal(wo_next_state(WO_REPORTED, WOA_CALLBACK), WO_REPORTED);
	assert_int_equal(wo_next_state(WO_ARCHIVED, WOA_REOPEN), WO_REOPENED);
	assert_int_equal(wo_next_state(WO_REOPENED, WOA_ACCEPT), WO_ACCEPTED);
	/* Illegal ones. */
	assert_int_equal(wo_next_state(WO_DISPATCHED, WOA_REPORT), -1);
	assert_int_equal(wo_next_state(WO_NEW, WOA_ACCEPT), -1);
	assert_int_equal(wo_next_state(WO_ARCHIVED, WOA_ACCEPT), -1);
	assert_int_equal(wo_next_state(WO_CANCELLED, WOA_REOPEN), -1);
	assert_int_equal(wo_next_state(WO_REPORTED, WOA_CANCEL), -1);
	assert_int_equal(wo_next_state(WO_ACCEPTED, WOA_CALLBACK), -1);
	assert_int_equal(wo_next_state(WO_ARCHIVED, WOA_CALLBACK), -1);
	/* Every action from every state is either allowed or -1, never anything else. */
	for (int st = 0; st < WO_STATE_COUNT; st++)
		for (int a = 0; a < WOA_COUNT; a++) {
			int to = wo_next_state((enum wo_state)st, (enum wo_action)a);

			assert_true(to >= -1 && to < WO_STATE_COUNT);
			if (!wo_state_open((enum wo_state)st) && a != WOA_REOPEN)
				assert_int_equal(to, -1);
		}
}

/* WO-2: the deadlines of each class, and "same day" in the center's zone. */
static void deadlines_by_class(void **state)
{
	struct wo_class_rule a1, a2, e, f;
	struct wo_deadline d[4];
	struct wo_deadline rep;

	(void)state;
	assert_int_equal(wo_class_get(s, "A1", &a1), 0);
	assert_int_equal(wo_class_get(s, "A2", &a2), 0);
	assert_int_equal(wo_class_get(s, "E", &e), 0);
	assert_int_equal(wo_class_get(s, "F", &f), 0);
	assert_int_equal(wo_deadlines_at_dispatch(&a1, 1, T0, d, 4), 3);
	assert_int_equal(d[0].metric, WOM_CALLBACK);
	assert_int_equal(d[0].due_at, T0 + 10 * MIN);
	assert_int_equal(d[0].warn_at, T0 + 8 * MIN); /* 80% of the allowed time */
	assert_int_equal(d[1].metric, WOM_ONSITE);
	assert_int_equal(d[1].due_at, T0 + 60 * MIN);
	assert_int_equal(d[2].metric, WOM_RESOLVE);
	assert_int_equal(d[2].due_at, T0 + 24 * 60 * MIN);
	/* Without a visit there is no on-site clock. */
	assert_int_equal(wo_deadlines_at_dispatch(&a1, 0, T0, d, 4), 2);
	assert_int_equal(wo_deadlines_at_dispatch(&a2, 1, T0, d, 4), 3);
	assert_int_equal(d[0].due_at, T0 + 30 * MIN);
	assert_int_equal(d[1].due_at, T0 + 3 * 24 * 60 * MIN);
	/* CALL-13: a consultation is solved within 24 hours; harassment has no clock. */
	assert_int_equal(wo_deadlines_at_dispatch(&e, 0, T0, d, 4), 1);
	assert_int_equal(d[0].metric, WOM_RESOLVE);
	assert_int_equal(wo_deadlines_at_dispatch(&f, 0, T0, d, 4), 0);
	/* Work finished at 23:30 in Shanghai is reported by midnight Shanghai time. */
	rep = wo_report_deadline(&a1, T0 + 13 * 60 * MIN + 30 * MIN);
	assert_int_equal(rep.due_at, T0 + 14 * 60 * MIN);
}

static void routes_numbers_and_labels(void **state)
{
	struct wo_route_rule rules[16];
	const struct wo_route_rule *r;
	char out[64];
	int n = wo_routes_load(s, rules, 16);

	(void)state;
	/* ROUTE-2: A with a visit goes to the city service department, without one it stays. */
	r = wo_route_pick(rules, n, "A1", 1);
	assert_int_equal(r->target, WOT_DEPARTMENT);
	assert_string_equal(r->department_kind, "city_service");
	assert_int_equal(wo_route_pick(rules, n, "A1", 0)->target, WOT_CENTER);
	assert_int_equal(wo_route_pick(rules, n, "D", 1)->target, WOT_SUBJECT_SUPERIOR);
	assert_int_equal(wo_route_pick(rules, n, "F", 0)->target, WOT_CLOSE);
	assert_null(wo_route_pick(rules, n, "Z", 0));
	wo_number(out, sizeof(out), "A1", 20261122, 7);
	assert_string_equal(out, "A1-20261122-0007");
	wo_label(out, sizeof(out), "A1", "Ⅲ");
	assert_string_equal(out, "A1-Ⅲ"); /* WO-3 */
	/* WO-7: filed by the center's month: 23:30 on 30 Nov in Shanghai is still November. */
	assert_int_equal(wo_archive_month(1796052600000LL), 202611);
	assert_int_equal(wo_match_query("车辆  \"损坏\"", out, sizeof(out)), 0);
	assert_string_equal(out, "\"车辆\" \"\"\"损坏\"\"\"");
	assert_int_equal(wo_match_query("   ", out, sizeof(out)), ERR_NOTFOUND);
}

static void callback_script_follows_cb2(void **state)
{
	char out[1024];

	(void)state;
	wo_callback_script(out, sizeof(out), "客服中心", "8102", "王先生", T0, "车辆损坏",
			   "已赔偿");
	assert_non_null(strstr(out, "请问是王先生吗"));     /* confirm identity */
	assert_non_null(strstr(out, "工号8102"));           /* work number */
	assert_non_null(strstr(out, "方便接听"));           /* convenient? */
	assert_non_null(strstr(out, "11月22日"));           /* the date */
	assert_non_null(strstr(out, "处理结果是：已赔偿")); /* the result */
}

struct fired {
	int warned, breached;
};

static int count_sla_events(void *ctx, const struct wo_event_row *e)
{
	struct fired *f = ctx;

	f->warned += strcmp(e->kind, "warned") == 0;
	f->breached += strcmp(e->kind, "breached") == 0;
	return 0;
}

static int apply(int64_t actor, const char *work_no, int64_t now, int64_t id, struct wo_act *a,
		 struct wo_order *o)
{
	struct audit_actor who = {actor, work_no, NULL};
	struct err_info ei;
	struct wo_ctx c = {s, now, &who, &ei};
	int rc = store_begin(s);

	if (rc == 0)
		rc = wo_apply(&c, id, a, o);
	if (rc == 0)
		return store_commit(s);
	store_rollback(s);
	return rc;
}

/* How the owner reaches a customer not on record (an order with a callback deadline needs it). */
#define PHONE "13800138000"

static int create(int64_t actor, int64_t now, const struct wo_new *in, struct wo_order *o)
{
	struct audit_actor who = {actor, "agent", NULL};
	struct err_info ei;
	struct wo_ctx c = {s, now, &who, &ei};
	int rc = store_begin(s);

	if (rc == 0)
		rc = wo_create(&c, in, o);
	if (rc == 0)
		return store_commit(s);
	store_rollback(s);
	return rc;
}

/*
 * The rulebook's A1-Ⅳ vehicle-damage complaint (WO-2, WO-3, WO-4, WO-6,
 * CB-1, CB-2, ROUTE-2, ROUTE-3): to 城市客服部 with 10 min / 1 h clocks;
 * the callback is missed and escalates to the head's superior; reported;
 * the center's callback is not accepted, another agent calls, archived.
 */
static void vehicle_damage_scenario(void **state)
{
	static struct wo_order o;
	struct wo_new in = {.phone = PHONE,
			    .complaint = "vehicle_damage",
			    .onsite = -1,
			    .summary = "洗车过程中车辆损伤，左前门划痕",
			    .promise = -1};
	struct wo_act a;
	struct wo_sla clock;
	struct fired f = {0, 0};
	int64_t agent = person("8101"), head = person("2001"), gm = person("1001");

	(void)state;
	assert_int_equal(create(agent, T0, &in, &o), 0);
	assert_string_equal(o.class_code, "A1");
	assert_string_equal(o.level, "Ⅳ");
	assert_int_equal(o.onsite, 1);
	assert_int_equal(o.state, WO_DISPATCHED);
	assert_int_equal(o.department_id, dept("城市客服部"));
	assert_int_equal(o.owner_id, head);
	assert_int_equal(o.first_agent_id, agent);
	assert_int_equal(wo_sla_find(s, o.id, WOM_CALLBACK, &clock), 0);
	assert_int_equal(clock.due_at, T0 + 10 * MIN);
	assert_int_equal(wo_sla_find(s, o.id, WOM_ONSITE, &clock), 0);
	assert_int_equal(clock.due_at, T0 + 60 * MIN);

	/* Warned at 8 minutes, once however often the scheduler runs. */
	assert_int_equal(wo_tick(s, T0 + 7 * MIN), 0);
	assert_int_equal(wo_tick(s, T0 + 8 * MIN), 1);
	assert_int_equal(wo_tick(s, T0 + 9 * MIN), 0);
	/* Breached at 10 minutes and escalated to the owner's superior (WO-4). */
	assert_int_equal(wo_tick(s, T0 + 11 * MIN), 1);
	assert_int_equal(wo_tick(s, T0 + 11 * MIN), 0);
	assert_int_equal(wo_order_get(s, o.id, &o), 0);
	assert_int_equal(o.escalation_level, 1);
	assert_int_equal(wo_is_responsible(s, o.id, gm), 1);
	assert_int_equal(wo_sla_event_list(s, o.id, count_sla_events, &f), 5);
	assert_int_equal(f.warned, 1);
	assert_int_equal(f.breached, 1);
	/* Still unmet 30 minutes later: there is no level above the general manager. */
	assert_int_equal(wo_tick(s, T0 + 41 * MIN), 1);
	assert_int_equal(wo_order_get(s, o.id, &o), 0);
	assert_int_equal(o.escalation_level, 1);
	assert_int_equal(wo_tick(s, T0 + 80 * MIN), 1); /* the on-site clock breaches too */

	memset(&a, 0, sizeof(a));
	a.action = WOA_ACCEPT;
	assert_int_equal(apply(head, "2001", T0 + 12 * MIN, o.id, &a, &o), 0);
	a.action = WOA_CALL;
	assert_int_equal(apply(head, "2001", T0 + 13 * MIN, o.id, &a, &o), 0);
	assert_int_equal(wo_sla_find(s, o.id, WOM_CALLBACK, &clock), 0);
	assert_string_equal(clock.state, "met");
	assert_int_equal(clock.breached, 1); /* met late: the breach stays on record */
	/* WO-2: an order that needs a visit cannot be reported before it. */
	a.action = WOA_REPORT;
	a.solution = "已协商赔偿";
	assert_int_equal(apply(head, "2001", T0 + 14 * MIN, o.id, &a, &o), ERR_UNPROCESSABLE);
	a.action = WOA_ONSITE;
	assert_int_equal(apply(head, "2001", T0 + 50 * MIN, o.id, &a, &o), 0);
	a.action = WOA_REPORT;
	assert_int_equal(apply(head, "2001", T0 + 90 * MIN, o.id, &a, &o), 0);
	assert_int_equal(o.state, WO_REPORTED);

	/* CB-2: not accepted; the same agent may not call again, another does. */
	memset(&a, 0, sizeof(a));
	a.action = WOA_CALLBACK;
	a.outcome = WOO_NOT_ACCEPTED;
	assert_int_equal(apply(person("8102"), "8102", T0 + 100 * MIN, o.id, &a, &o), 0);
	assert_int_equal(o.state, WO_REPORTED);
	a.outcome = WOO_ACCEPTED;
	assert_int_equal(apply(person("8102"), "8102", T0 + 300 * MIN, o.id, &a, &o),
			 ERR_CONFLICT);
	assert_int_equal(apply(person("8103"), "8103", T0 + 300 * MIN, o.id, &a, &o), 0);
	assert_int_equal(o.state, WO_ARCHIVED);
	assert_int_equal(o.archive_month, 202611);
	/* Archived: nothing more fires for it. */
	assert_int_equal(wo_tick(s, T0 + 3 * 86400000LL), 0);
}

/* ROUTE-2, WO-3: E and A1-Ⅰ stay with the center; F is closed at once. */
static void center_and_harassment(void **state)
{
	static struct wo_order o;
	struct wo_new e = {.class_code = "E", .onsite = -1, .summary = "咨询洗车价格", .promise = -1};
	struct wo_new a1 = {.phone = PHONE,
			    .complaint = "pay_failed",
			    .onsite = -1,
			    .summary = "无法支付",
			    .promise = -1};
	struct wo_new f = {.class_code = "F", .onsite = -1, .summary = "骚扰", .promise = -1};
	struct wo_sla clock;
	int64_t agent = person("8104");

	(void)state;
	assert_int_equal(create(agent, T0, &e, &o), 0);
	assert_int_equal(o.owner_id, agent);
	assert_int_equal(o.state, WO_ACCEPTED);
	assert_int_equal(o.department_id, dept("客服中心"));
	assert_int_equal(wo_sla_find(s, o.id, WOM_RESOLVE, &clock), 0);
	assert_int_equal(clock.due_at, T0 + 24 * 60 * MIN);
	assert_int_equal(create(agent, T0, &a1, &o), 0);
	assert_string_equal(o.level, "Ⅰ");
	assert_int_equal(o.owner_id, agent);
	assert_int_equal(create(agent, T0, &f, &o), 0);
	assert_int_equal(o.state, WO_ARCHIVED);
	assert_string_equal(o.close_reason, "harassment");
	assert_int_equal(wo_sla_find(s, o.id, WOM_RESOLVE, &clock), ERR_NOTFOUND);
}

/* ROUTE-2, WO-2: a second complaint goes to the superior of the person complained about. */
static void second_complaint_goes_up(void **state)
{
	static struct wo_order o;
	struct wo_new d = {.phone = PHONE,
			   .class_code = "D",
			   .onsite = 1,
			   .summary = "第二次投诉",
			   .subject_id = 0,
			   .promise = -1};
	struct wo_sla clock;

	(void)state;
	assert_int_equal(create(person("8105"), T0, &d, &o), ERR_UNPROCESSABLE);
	d.subject_id = person("2002"); /* staff of 城市客服部, whose superior is 2001 */
	assert_int_equal(create(person("8105"), T0, &d, &o), 0);
	assert_int_equal(o.owner_id, person("2001"));
	assert_int_equal(o.department_id, dept("城市客服部"));
	assert_int_equal(wo_sla_find(s, o.id, WOM_CALLBACK, &clock), 0);
	assert_int_equal(clock.due_at, T0 + 10 * MIN);
}

/* CALL-14: a promise quoted to the customer is a clock; telling them keeps it (WO-5). */
static void promises_and_progress(void **state)
{
	static struct wo_order o;
	struct wo_new in = {.phone = PHONE,
			    .class_code = "B",
			    .onsite = -1,
			    .summary = "加盟咨询",
			    .promise = WOP_ORDER};
	struct wo_act a;
	struct wo_sla clock;
	int64_t agent = person("8106");

	(void)state;
	assert_int_equal(create(agent, T0, &in, &o), 0);
	assert_int_equal(o.department_id, dept("市场运营部"));
	assert_int_equal(wo_sla_find(s, o.id, WOM_REPLY, &clock), 0);
	assert_int_equal(clock.due_at, T0 + 4 * 60 * MIN);
	memset(&a, 0, sizeof(a));
	a.action = WOA_PROGRESS;
	a.text = "已告知客户市场部正在核实";
	assert_int_equal(apply(agent, "8106", T0 + 60 * MIN, o.id, &a, &o), 0);
	assert_int_equal(wo_sla_find(s, o.id, WOM_REPLY, &clock), 0);
	assert_string_equal(clock.state, "met");
	/* Paused clocks keep the time they had left. */
	a.action = WOA_PAUSE;
	a.text = "等待客户提供资料";
	assert_int_equal(apply(person("8002"), "8002", T0 + 10 * MIN, o.id, &a, &o), 0);
	/* Other tests' orders share this database: look at this order's clock only. */
	assert_true(wo_tick(s, T0 + 5 * 60 * MIN) >= 0);
	assert_int_equal(wo_sla_find(s, o.id, WOM_CALLBACK, &clock), 0);
	assert_string_equal(clock.state, "paused");
	assert_int_equal(clock.warned, 0);
	assert_int_equal(clock.breached, 0);
	a.action = WOA_RESUME;
	assert_int_equal(apply(person("8002"), "8002", T0 + 5 * 60 * MIN, o.id, &a, &o), 0);
	assert_int_equal(wo_sla_find(s, o.id, WOM_CALLBACK, &clock), 0);
	assert_int_equal(clock.due_at, T0 + 30 * MIN + (5 * 60 - 10) * MIN);
}

/* WO-7: archived orders are kept three years, then anonymised; open ones never. */
static void retention_anonymises_old_archives(void **state)
{
	static struct wo_order o, open;
	struct wo_new f = {.class_code = "F", .onsite = -1, .summary = "王先生 13800000000 骚扰",
			   .promise = -1};
	struct wo_new e = {.class_code = "E", .onsite = -1, .summary = "仍在处理的咨询",
			   .promise = -1};
	char match[64];
	int64_t agent = person("8101"), years3 = 3 * 365 * 86400000LL;
	int n;

	(void)state;
	assert_int_equal(create(agent, T0, &f, &o), 0);
	assert_int_equal(create(agent, T0, &e, &open), 0);
	/* Not yet: a day short of three years. */
	assert_int_equal(wo_retention(s, T0 + years3 - 86400000LL), 0);
	n = wo_retention(s, T0 + years3 + 86400000LL);
	assert_true(n >= 1);
	assert_int_equal(wo_order_get(s, o.id, &o), 0);
	assert_string_equal(o.summary, "（已匿名）");
	assert_int_equal(o.customer_id, 0);
	assert_int_equal(o.archive_month, 202611); /* still filed, still counted */
	assert_int_equal(wo_order_get(s, open.id, &open), 0);
	assert_string_equal(open.summary, "仍在处理的咨询");
	/* Gone from search too. */
	assert_int_equal(wo_match_query("骚扰", match, sizeof(match)), 0);
	{
		int64_t hits = -1;

		store_run(s, "SELECT count(*) FROM wo_search WHERE wo_search MATCH ? AND rowid = ?",
			  &hits, "ti", match, o.id);
		assert_int_equal(hits, 0);
	}
	/* Nothing left to do: the job is idempotent. */
	assert_int_equal(wo_retention(s, T0 + years3 + 86400000LL), 0);
}

static int64_t told(int64_t person_id, int64_t order_id, const char *kind)
{
	int64_t n = 0;

	assert_int_equal(store_run(s,
				   "SELECT count(*) FROM notification"
				   " WHERE person_id = ? AND order_id = ? AND kind = ?",
				   &n, "iit", person_id, order_id, kind),
			 1);
	return n;
}

/*
 * WO-4 (issue 12): the on-site clock breaches after the callback clock has
 * already taken the order to the top of the chain (the general manager has
 * no superior). The breach still tells the first-contact agent and the
 * owner's superior, and the supervisors hear "top of the chain" once per
 * clock, however long it stays unmet.
 */
static void breach_at_the_top_tells_everyone_once(void **state)
{
	static struct wo_order o;
	struct wo_new in = {.phone = PHONE,
			    .complaint = "vehicle_damage",
			    .onsite = -1,
			    .summary = "车辆损伤，到场时限也超时",
			    .promise = -1};
	int64_t agent = person("8101"), head = person("2001"), gm = person("1001");
	int64_t sup = person("8002"), agent_before, gm_before, sup_before;

	(void)state;
	assert_int_equal(create(agent, T0, &in, &o), 0);
	assert_int_equal(wo_tick(s, T0 + 8 * MIN), 1);	/* callback: warning */
	assert_int_equal(wo_tick(s, T0 + 11 * MIN), 1); /* callback: breach, up to 1001 */
	assert_int_equal(wo_tick(s, T0 + 41 * MIN), 1); /* callback: the top, the center told */
	assert_int_equal(told(sup, o.id, "order.escalated"), 2);
	agent_before = told(agent, o.id, "order.changed");
	gm_before = told(gm, o.id, "order.escalated");
	sup_before = told(sup, o.id, "order.escalated");
	assert_int_equal(wo_tick(s, T0 + 48 * MIN), 1); /* on site: warning */
	assert_int_equal(wo_tick(s, T0 + 61 * MIN), 1); /* on site: breach, already at the top */
	assert_int_equal(told(head, o.id, "sla.breach"), 2);
	assert_int_equal(told(agent, o.id, "order.changed"), agent_before + 1);
	assert_int_equal(told(gm, o.id, "order.escalated"), gm_before + 1);
	assert_int_equal(told(sup, o.id, "order.escalated"), sup_before + 1);
	/* Unmet for hours more: no clock tells the supervisors again. */
	assert_int_equal(wo_tick(s, T0 + 91 * MIN), 0);
	assert_int_equal(wo_tick(s, T0 + 300 * MIN), 0);
	assert_int_equal(told(sup, o.id, "order.escalated"), sup_before + 1);
	assert_int_equal(wo_order_get(s, o.id, &o), 0);
	assert_int_equal(o.escalation_level, 1);
}

/* WO-4: asking for help tells the level up with its own kind, order.help (issue 13). */
static void help_is_its_own_notice(void **state)
{
	static struct wo_order o;
	struct wo_new in = {.phone = PHONE,
			    .class_code = "B",
			    .onsite = 0,
			    .summary = "活动规则不清楚",
			    .promise = -1};
	struct wo_act a;
	int64_t agent = person("8101"), owner, boss;

	(void)state;
	assert_int_equal(create(agent, T0, &in, &o), 0);
	owner = o.owner_id;
	assert_true(owner != 0);
	{
		struct org_person p;

		assert_int_equal(org_person_get(s, owner, &p), 0);
		boss = p.superior_id;
	}
	assert_true(boss != 0);
	memset(&a, 0, sizeof(a));
	a.action = WOA_HELP;
	a.text = "需要上级协调";
	assert_int_equal(apply(owner, "4001", T0 + MIN, o.id, &a, &o), 0);
	assert_int_equal(told(boss, o.id, "order.help"), 1);
	assert_int_equal(told(boss, o.id, "order.escalated"), 0);
}

/* WO-2 (issue 12): calling the customer back needs a customer or a number. */
static void callback_deadline_needs_a_number(void **state)
{
	static struct wo_order o;
	struct audit_actor who = {person("8101"), "8101", NULL};
	struct err_info ei = {0};
	struct wo_ctx c = {s, T0, &who, &ei};
	struct wo_new in = {
		.class_code = "A2", .onsite = -1, .summary = "商家结算有误", .promise = -1};
	struct wo_new e = {.class_code = "E", .onsite = -1, .summary = "咨询", .promise = -1};

	(void)state;
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(wo_create(&c, &in, &o), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "phone");
	store_rollback(s);
	assert_int_equal(create(who.id, T0, &e, &o), 0); /* a consultation has no callback */
	snprintf(in.phone, sizeof(in.phone), "%s", PHONE);
	assert_int_equal(create(who.id, T0, &in, &o), 0);
	assert_string_equal(o.phone, PHONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(transitions_follow_the_loop),
		cmocka_unit_test(deadlines_by_class),
		cmocka_unit_test(routes_numbers_and_labels),
		cmocka_unit_test(callback_script_follows_cb2),
		cmocka_unit_test(vehicle_damage_scenario),
		cmocka_unit_test(center_and_harassment),
		cmocka_unit_test(second_complaint_goes_up),
		cmocka_unit_test(promises_and_progress),
		cmocka_unit_test(retention_anonymises_old_archives),
		cmocka_unit_test(breach_at_the_top_tells_everyone_once),
		cmocka_unit_test(help_is_its_own_notice),
		cmocka_unit_test(callback_deadline_needs_a_number),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
