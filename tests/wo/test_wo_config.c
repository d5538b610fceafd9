/*
 * Unit tests of src/wo/wo_config_store.c: the rules and storage of the
 * work-order rule tables (ROUTE-1/2, WO-2, WO-3, WO-10, CB-2, CALL-13/14,
 * WO-7), on a demo center with a fake `now`.
 */
#include "demo.h"

#include "audit/audit.h"
#include "core/clock.h"
#include "org/org.h"
#include "wo/wo.h"
#include "wo/wo_config.h"

static struct wo_config_route route(const char *class_code, int onsite, enum wo_target t,
				    const char *kind)
{
	struct wo_config_route r;

	memset(&r, 0, sizeof(r));
	snprintf(r.rule.class_code, sizeof(r.rule.class_code), "%s", class_code);
	r.rule.onsite = onsite;
	r.rule.target = t;
	snprintf(r.rule.department_kind, sizeof(r.rule.department_kind), "%s", kind);
	return r;
}

static struct wo_config_complaint complaint(const char *code, const char *class_code)
{
	struct wo_config_complaint c;

	memset(&c, 0, sizeof(c));
	snprintf(c.code, sizeof(c.code), "%s", code);
	snprintf(c.name, sizeof(c.name), "测试类型");
	snprintf(c.class_code, sizeof(c.class_code), "%s", class_code);
	c.active = 1;
	return c;
}

/* WO-2: deadlines are null or 1 minute to a year; warnings strictly inside the clock. */
static void class_rules(void **state)
{
	struct wo_config_class c;
	struct err_info ei;

	(void)state;
	assert_int_equal(wo_config_class_get(s, "A1", &c), 0);
	assert_int_equal(wo_config_class_validate(&c, &ei), 0);
	c.rule.callback_min = 0;
	assert_int_equal(wo_config_class_validate(&c, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "callback_min");
	c.rule.callback_min = WO_CONFIG_MINUTES_MAX;
	assert_int_equal(wo_config_class_validate(&c, &ei), 0);
	c.rule.onsite_min = WO_CONFIG_MINUTES_MAX + 1;
	assert_int_equal(wo_config_class_validate(&c, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "onsite_min");
	c.rule.onsite_min = -1; /* no on-site deadline */
	assert_int_equal(wo_config_class_validate(&c, &ei), 0);
	c.rule.warn_pct = 100;
	assert_int_equal(wo_config_class_validate(&c, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "warn_pct");
	c.rule.warn_pct = 99;
	c.rule.escalate_min = 10081;
	assert_int_equal(wo_config_class_validate(&c, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "escalate_min");
	c.rule.escalate_min = 30;
	snprintf(c.rule.name, sizeof(c.rule.name), "  ");
	assert_int_equal(wo_config_class_validate(&c, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "name");
}

/* WO-10: codes are plain, names and scripts are counted in characters, not bytes. */
static void complaint_rules(void **state)
{
	struct wo_config_complaint c = complaint("app_slow", "A1");
	struct err_info ei;

	(void)state;
	assert_true(wo_config_code_valid("tech_app_crash"));
	assert_true(wo_config_code_valid("a"));
	assert_false(wo_config_code_valid(""));
	assert_false(wo_config_code_valid("App"));
	assert_false(wo_config_code_valid("app-crash"));
	assert_false(wo_config_code_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")); /* 33 */
	assert_int_equal(wo_config_complaint_validate(&c, &ei), 0);
	snprintf(c.department_kind, sizeof(c.department_kind), "space");
	assert_int_equal(wo_config_complaint_validate(&c, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "department_kind");
	snprintf(c.department_kind, sizeof(c.department_kind), "tech");
	c.script[0] = '\0';
	for (int i = 0; i < WO_CONFIG_SCRIPT_MAX; i++)
		strcat(c.script, "您");
	assert_int_equal(wo_config_complaint_validate(&c, &ei), 0);
	strcat(c.script, "好");
	assert_int_equal(wo_config_complaint_validate(&c, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "script");
}

/* ROUTE-2: what each target needs, and that every class keeps a route for both cases. */
static void route_rules(void **state)
{
	struct wo_config_route r = route("A1", 1, WOT_DEPARTMENT, "city_service");
	struct wo_route_rule rules[3];
	struct err_info ei;

	(void)state;
	assert_int_equal(wo_config_route_validate(&r, &ei), 0);
	r.rule.department_kind[0] = '\0';
	assert_int_equal(wo_config_route_validate(&r, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "department_kind");
	r.rule.department_id = 3;
	assert_int_equal(wo_config_route_validate(&r, &ei), 0);
	r.rule.target = WOT_CENTER;
	assert_int_equal(wo_config_route_validate(&r, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "department_id");
	r = route("A1", 0, WOT_CENTER, "");
	r.rule.owner_id = 5;
	assert_int_equal(wo_config_route_validate(&r, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "owner_id");

	rules[0] = route("A1", 1, WOT_DEPARTMENT, "city_service").rule;
	rules[1] = route("A1", 0, WOT_CENTER, "").rule;
	rules[2] = route("B", -1, WOT_DEPARTMENT, "market_ops").rule;
	assert_int_equal(wo_config_routable(rules, 3, "A1", &ei), 0);
	assert_int_equal(wo_config_routable(rules, 3, "B", &ei), 0);
	assert_int_equal(wo_config_routable(rules, 1, "A1", &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "class");
	assert_int_equal(wo_config_routable(rules, 3, "C", &ei), ERR_UNPROCESSABLE);
}

static void setting_ranges(void **state)
{
	int64_t min, max;

	(void)state;
	assert_int_equal(wo_config_setting_range("retention_years", &min, &max), 0);
	assert_int_equal(min, 1);
	assert_int_equal(max, 30);
	assert_int_equal(wo_config_setting_range("second_complaint_days", &min, &max), 0);
	assert_int_equal(max, 3650);
	assert_int_equal(wo_config_setting_range("callback_due_min", &min, &max), 0);
	assert_int_equal(wo_config_setting_range("retention", &min, &max), ERR_NOTFOUND);
}

static int count_class(void *ctx, const struct wo_config_class *c)
{
	(void)c;
	++*(int *)ctx;
	return 0;
}

static int collect_level(void *ctx, const struct wo_config_level *l)
{
	char *codes = ctx;

	strcat(codes, l->code);
	strcat(codes, l->onsite ? "+" : "-");
	return 0;
}

/* ROUTE-1/WO-2: the seven classes, changed in place; WO-3: the four levels. */
static void store_classes_and_levels(void **state)
{
	struct wo_config_class c, got;
	struct err_info ei;
	char levels[64] = "";
	int n = 0;

	(void)state;
	assert_int_equal(wo_config_class_list(s, count_class, &n), 7);
	assert_int_equal(n, 7);
	assert_int_equal(wo_config_class_get(s, "B", &c), 0);
	assert_int_equal(c.rule.callback_min, 30);
	assert_int_equal(c.rule.onsite_min, -1);
	assert_int_equal(c.rule.report_same_day, 1);
	c.rule.onsite_min = 120;
	c.rule.warn_pct = 75;
	assert_int_equal(wo_config_class_update(s, &c, T0, &ei), 0);
	assert_int_equal(wo_config_class_get(s, "B", &got), 0);
	assert_int_equal(got.rule.onsite_min, 120);
	assert_int_equal(got.rule.warn_pct, 75);
	assert_int_equal(got.updated_at, T0);
	got.rule.onsite_min = -1;
	assert_int_equal(wo_config_class_update(s, &got, T0, &ei), 0);
	assert_int_equal(wo_config_class_get(s, "B", &c), 0);
	assert_int_equal(c.rule.onsite_min, -1);
	/* Invalid values are refused before any SQL; unknown classes are not created. */
	c.rule.warn_pct = 0;
	assert_int_equal(wo_config_class_update(s, &c, T0, &ei), ERR_UNPROCESSABLE);
	c.rule.warn_pct = 80;
	snprintf(c.rule.code, sizeof(c.rule.code), "G");
	assert_int_equal(wo_config_class_update(s, &c, T0, &ei), ERR_NOTFOUND);
	assert_int_equal(wo_config_class_get(s, "G", &c), ERR_NOTFOUND);

	assert_int_equal(wo_config_level_list(s, collect_level, levels), 4);
	assert_string_equal(levels, "Ⅰ-Ⅱ-Ⅲ+Ⅳ+");
}

static int count_complaint(void *ctx, const struct wo_config_complaint *c)
{
	(void)c;
	++*(int *)ctx;
	return 0;
}

/* WO-10: the catalogue grows and changes; codes are unique; types are deactivated. */
static void store_complaints(void **state)
{
	struct wo_config_complaint c = complaint("app_slow", "A1"), got;
	struct err_info ei;
	int all = 0, active = 0, inactive = 0;

	(void)state;
	snprintf(c.level, sizeof(c.level), "Ⅰ");
	snprintf(c.department_kind, sizeof(c.department_kind), "tech");
	snprintf(c.script, sizeof(c.script), "您好，我们已经记录并报备技术部门。");
	assert_int_equal(wo_config_complaint_insert(s, &c, T0, &ei), 0);
	assert_int_equal(wo_config_complaint_get(s, "app_slow", &got), 0);
	assert_string_equal(got.name, "测试类型");
	assert_string_equal(got.level, "Ⅰ");
	assert_string_equal(got.department_kind, "tech");
	assert_true(got.active);
	assert_int_equal(got.updated_at, T0);
	/* 409 for a code in use, the seeded ones included. */
	assert_int_equal(wo_config_complaint_insert(s, &c, T0, &ei), ERR_CONFLICT);
	assert_string_equal(ei.field, "code");
	c = complaint("tech_app_crash", "A1");
	assert_int_equal(wo_config_complaint_insert(s, &c, T0, &ei), ERR_CONFLICT);
	/* References must exist. */
	c = complaint("no_class", "G");
	assert_int_equal(wo_config_complaint_insert(s, &c, T0, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "class");
	c = complaint("no_level", "A1");
	snprintf(c.level, sizeof(c.level), "Ⅴ");
	assert_int_equal(wo_config_complaint_insert(s, &c, T0, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "level");
	assert_int_equal(wo_config_complaint_get(s, "no_level", &got), ERR_NOTFOUND);

	/* Deactivating keeps the row (orders refer to it) and drops it from the active list. */
	assert_int_equal(wo_config_complaint_get(s, "app_slow", &got), 0);
	got.active = 0;
	got.level[0] = '\0';
	assert_int_equal(wo_config_complaint_update(s, &got, T0 + 1, &ei), 0);
	assert_int_equal(wo_config_complaint_get(s, "app_slow", &c), 0);
	assert_false(c.active);
	assert_string_equal(c.level, "");
	assert_true(wo_config_complaint_list(s, -1, count_complaint, &all) > 0);
	wo_config_complaint_list(s, 1, count_complaint, &active);
	wo_config_complaint_list(s, 0, count_complaint, &inactive);
	assert_int_equal(inactive, 1);
	assert_int_equal(active + inactive, all);
	c = complaint("missing_code", "A1");
	assert_int_equal(wo_config_complaint_update(s, &c, T0, &ei), ERR_NOTFOUND);
}

static int find_route(void *ctx, const struct wo_config_route *r)
{
	struct wo_config_route *want = ctx;

	if (strcmp(r->rule.class_code, want->rule.class_code) == 0 &&
	    r->rule.onsite == want->rule.onsite)
		*want = *r;
	return 0;
}

static struct wo_config_route stored_route(const char *class_code, int onsite)
{
	struct wo_config_route r = route(class_code, onsite, WOT_COUNT, "");

	assert_true(wo_config_route_list(s, find_route, &r) >= 8);
	assert_true(r.rule.id > 0);
	return r;
}

/* ROUTE-2: one rule per class and on-site case, valid references, every class routable. */
static void store_routes(void **state)
{
	struct wo_config_route r, a1_home = stored_route("A1", 0), a1_visit = stored_route("A1", 1);
	struct err_info ei;

	(void)state;
	assert_int_equal(a1_home.rule.target, WOT_CENTER);
	assert_int_equal(a1_visit.rule.target, WOT_DEPARTMENT);
	assert_string_equal(a1_visit.rule.department_kind, "city_service");

	/* Taking the only "not on site" rule of A1 away leaves A1 unroutable: refused. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(wo_config_route_delete(s, &a1_home, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "class");
	store_rollback(s);
	r = stored_route("A1", 0);
	assert_int_equal(r.rule.id, a1_home.rule.id);

	/* Moving it to class C leaves A1 without it too (both classes are checked). */
	assert_int_equal(store_begin(s), 0);
	r = a1_home;
	snprintf(r.rule.class_code, sizeof(r.rule.class_code), "C");
	assert_int_equal(wo_config_route_update(s, &r, "A1", T0, &ei), ERR_UNPROCESSABLE);
	store_rollback(s);

	/* A second rule for the same case would never be picked: 409. */
	r = route("A1", 1, WOT_CENTER, "");
	assert_int_equal(wo_config_route_insert(s, &r, T0, &ei), ERR_CONFLICT);
	assert_string_equal(ei.field, "onsite");

	/* An "either" rule for A1, then the "not on site" one may go: A1 stays routable. */
	r = route("A1", -1, WOT_DEPARTMENT, "");
	r.rule.department_id = dept("城市客服部");
	r.rule.owner_id = person("2002");
	assert_int_equal(wo_config_route_insert(s, &r, T0, &ei), 0);
	assert_true(r.rule.id > 0);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(wo_config_route_delete(s, &a1_home, &ei), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(wo_config_route_get(s, a1_home.rule.id, &a1_home), ERR_NOTFOUND);

	/* References: the department must exist and match the kind; the owner must be active. */
	r = stored_route("A1", -1);
	r.rule.department_id = 9999;
	assert_int_equal(wo_config_route_update(s, &r, "A1", T0, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "department_id");
	r.rule.department_id = dept("媒介部");
	snprintf(r.rule.department_kind, sizeof(r.rule.department_kind), "city_service");
	assert_int_equal(wo_config_route_update(s, &r, "A1", T0, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "department_id");
	r = stored_route("A1", -1);
	r.rule.owner_id = 9999;
	assert_int_equal(wo_config_route_update(s, &r, "A1", T0, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "owner_id");
	r = route("G", -1, WOT_CENTER, "");
	assert_int_equal(wo_config_route_insert(s, &r, T0, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "class");

	/* Back as the rulebook has it (ROUTE-2: not on site, the center handles A1). */
	r = route("A1", 0, WOT_CENTER, "");
	assert_int_equal(wo_config_route_insert(s, &r, T0, &ei), 0);
	r = stored_route("A1", -1);
	assert_int_equal(wo_config_route_delete(s, &r, &ei), 0);
}

static int find_setting(void *ctx, const char *key, int64_t value)
{
	int64_t *want = ctx;

	if (strcmp(key, "retention_years") == 0)
		*want = value;
	return 0;
}

/* WO-7 and friends: known keys within their ranges. */
static void store_settings(void **state)
{
	struct err_info ei;
	int64_t years = 0;

	(void)state;
	assert_int_equal(wo_config_setting_list(s, find_setting, &years), 7);
	assert_int_equal(years, 3);
	assert_int_equal(wo_config_setting_set(s, "retention_years", 5, T0, &ei), 0);
	assert_int_equal(wo_setting(s, "retention_years", 0), 5);
	assert_int_equal(wo_config_setting_set(s, "retention_years", 31, T0, &ei),
			 ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "retention_years");
	assert_int_equal(wo_config_setting_set(s, "retention_years", 0, T0, &ei),
			 ERR_UNPROCESSABLE);
	assert_int_equal(wo_config_setting_set(s, "shoe_size", 42, T0, &ei), ERR_INVALID);
	assert_string_equal(ei.field, "shoe_size");
	assert_int_equal(wo_setting(s, "retention_years", 0), 5);
	assert_int_equal(wo_config_setting_set(s, "retention_years", 3, T0, &ei), 0);
}

static int64_t due_minutes(int64_t order_id, enum wo_metric m)
{
	struct wo_sla c;

	assert_int_equal(wo_sla_find(s, order_id, m, &c), 0);
	return (c.due_at - c.started_at) / MIN;
}

/* WO-2: a deadline change applies to orders created afterwards; running clocks keep theirs. */
static void deadline_change_applies_to_new_orders(void **state)
{
	struct audit_actor agent = {person("8101"), "8101", NULL};
	struct err_info ei;
	struct wo_ctx c = {s, T0, &agent, &ei};
	struct wo_new in = {.class_code = "A1",
			    .level = "Ⅲ",
			    .onsite = -1,
			    .summary = "洗车后车门有划痕",
			    .phone = "13800138000",
			    .promise = -1};
	struct wo_order before, after;
	struct wo_config_class a1;

	(void)state;
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(wo_create(&c, &in, &before), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(due_minutes(before.id, WOM_CALLBACK), 10);
	assert_int_equal(due_minutes(before.id, WOM_ONSITE), 60);

	assert_int_equal(wo_config_class_get(s, "A1", &a1), 0);
	a1.rule.callback_min = 15;
	a1.rule.onsite_min = 90;
	assert_int_equal(wo_config_class_update(s, &a1, T0 + MIN, &ei), 0);

	c.now = T0 + 2 * MIN;
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(wo_create(&c, &in, &after), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(due_minutes(after.id, WOM_CALLBACK), 15);
	assert_int_equal(due_minutes(after.id, WOM_ONSITE), 90);
	/* The earlier order's clocks are stored with it and did not move. */
	assert_int_equal(due_minutes(before.id, WOM_CALLBACK), 10);
	assert_int_equal(due_minutes(before.id, WOM_ONSITE), 60);

	a1.rule.callback_min = 10;
	a1.rule.onsite_min = 60;
	assert_int_equal(wo_config_class_update(s, &a1, T0 + 3 * MIN, &ei), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(class_rules),
		cmocka_unit_test(complaint_rules),
		cmocka_unit_test(route_rules),
		cmocka_unit_test(setting_ranges),
		cmocka_unit_test(store_classes_and_levels),
		cmocka_unit_test(store_complaints),
		cmocka_unit_test(store_routes),
		cmocka_unit_test(store_settings),
		cmocka_unit_test(deadline_change_applies_to_new_orders),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
