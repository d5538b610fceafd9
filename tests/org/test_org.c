/* Unit tests of src/org: rules (ORG-1..4), storage, and the demo center. */
#include "testutil.h"

#include "audit/audit.h"
#include "core/err.h"
#include "org/org.h"

static struct org_person person(const char *work_no, const char *name, unsigned roles)
{
	struct org_person p;

	memset(&p, 0, sizeof(p));
	snprintf(p.work_no, sizeof(p.work_no), "%s", work_no);
	snprintf(p.name, sizeof(p.name), "%s", name);
	p.roles = roles;
	p.active = 1;
	return p;
}

static struct org_department department(const char *name, const char *kind)
{
	struct org_department d;

	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "%s", name);
	snprintf(d.kind, sizeof(d.kind), "%s", kind);
	return d;
}

static void roles_parse_and_print(void **state)
{
	char text[64];

	(void)state;
	assert_int_equal(org_role_parse("agent"), ROLE_AGENT);
	assert_int_equal(org_role_parse("office"), ROLE_OFFICE);
	assert_int_equal(org_role_parse("root"), 0);
	assert_string_equal(org_role_name(ROLE_SUPERVISOR), "supervisor");
	assert_null(org_role_name(ROLE_AGENT | ROLE_STAFF));
	org_roles_text(ROLE_SUPERVISOR | ROLE_AGENT, text, sizeof(text));
	assert_string_equal(text, "supervisor,agent");
	org_roles_text(0, text, sizeof(text));
	assert_string_equal(text, "");
}

static void person_rules(void **state)
{
	struct err_info ei;
	struct org_person p = person("8101", "刘洋", ROLE_AGENT);
	char long_name[300] = "";

	(void)state;
	assert_int_equal(org_person_validate(&p, &ei), 0);
	/* ORG-3: a work number is plain, typed on keypads. */
	snprintf(p.work_no, sizeof(p.work_no), "81 01");
	assert_int_equal(org_person_validate(&p, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "work_no");
	snprintf(p.work_no, sizeof(p.work_no), "8101");
	snprintf(p.name, sizeof(p.name), "   ");
	assert_int_equal(org_person_validate(&p, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "name");
	/* 64 Chinese characters fit, 65 do not: limits count characters, not bytes. */
	for (int i = 0; i < 64; i++)
		strcat(long_name, "客");
	snprintf(p.name, sizeof(p.name), "%s", long_name);
	assert_int_equal(org_person_validate(&p, &ei), 0);
	strcat(long_name, "服");
	snprintf(p.name, sizeof(p.name), "%s", long_name);
	assert_int_equal(org_person_validate(&p, &ei), ERR_UNPROCESSABLE);
	snprintf(p.name, sizeof(p.name), "刘洋");
	snprintf(p.phone, sizeof(p.phone), "138-0000 8101");
	assert_int_equal(org_person_validate(&p, &ei), 0);
	snprintf(p.phone, sizeof(p.phone), "call me");
	assert_int_equal(org_person_validate(&p, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "phone");
	p.phone[0] = '\0';
	p.roles = 0;
	assert_int_equal(org_person_validate(&p, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "roles");
	/* Staff receive their department's work orders, so they need one. */
	p.roles = ROLE_STAFF;
	assert_int_equal(org_person_validate(&p, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "department_id");
	p.department_id = 3;
	assert_int_equal(org_person_validate(&p, &ei), 0);
}

static void department_rules(void **state)
{
	struct err_info ei;
	struct org_department d = department("城市客服部", "city_service");

	(void)state;
	assert_int_equal(org_department_validate(&d, &ei), 0);
	snprintf(d.kind, sizeof(d.kind), "space");
	assert_int_equal(org_department_validate(&d, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "kind");
}

static void store_people_and_departments(void **state)
{
	struct store *s = test_store_open();
	struct org_department d = department("客服中心", "center"), got_d;
	struct org_person a = person("8001", "李静", ROLE_MANAGER);
	struct org_person b = person("8002", "张敏", ROLE_SUPERVISOR), got;
	struct err_info ei;

	(void)state;
	assert_int_equal(org_department_insert(s, &d, 100, &ei), 0);
	assert_true(d.id > 0);
	a.department_id = d.id;
	snprintf(a.skills[0], sizeof(a.skills[0]), "supervising");
	a.nskills = 1;
	assert_int_equal(org_person_insert(s, &a, 100, &ei), 0);
	b.department_id = d.id;
	b.superior_id = a.id;
	assert_int_equal(org_person_insert(s, &b, 100, &ei), 0);

	assert_int_equal(org_person_by_work_no(s, "8002", &got), 0);
	assert_string_equal(got.name, "张敏");
	assert_int_equal(got.superior_id, a.id);
	assert_int_equal(org_person_get(s, a.id, &got), 0);
	assert_int_equal(got.nskills, 1);
	assert_string_equal(got.skills[0], "supervising");
	assert_int_equal(org_person_get(s, 999, &got), ERR_NOTFOUND);

	/* The work number is unique. */
	b.id = 0;
	assert_int_equal(org_person_insert(s, &b, 100, &ei), ERR_CONFLICT);
	assert_string_equal(ei.field, "work_no");
	/* References must exist. */
	b = person("8003", "杨帆", ROLE_AGENT);
	b.department_id = 42;
	assert_int_equal(org_person_insert(s, &b, 100, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "department_id");
	b.department_id = 0;
	snprintf(b.skills[0], sizeof(b.skills[0]), "juggling");
	b.nskills = 1;
	assert_int_equal(org_person_insert(s, &b, 100, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "skills");

	/* ORG-1: a circle of superiors would leave nobody at the top. */
	assert_int_equal(org_person_get(s, a.id, &got), 0);
	assert_int_equal(org_person_by_work_no(s, "8002", &b), 0);
	got.superior_id = b.id;
	assert_int_equal(org_person_update(s, &got, 200, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "superior_id");

	/* A department with people cannot go. */
	assert_int_equal(org_department_delete(s, d.id, &ei), ERR_CONFLICT);
	got_d = department("客服中心", "other");
	assert_int_equal(org_department_insert(s, &got_d, 100, &ei), ERR_CONFLICT);
	assert_string_equal(ei.field, "name");
	test_store_close(s);
}

static void department_parent_circle_refused(void **state)
{
	struct store *s = test_store_open();
	struct org_department a = department("甲", "other"), b = department("乙", "other");
	struct err_info ei;

	(void)state;
	assert_int_equal(org_department_insert(s, &a, 1, &ei), 0);
	b.parent_id = a.id;
	assert_int_equal(org_department_insert(s, &b, 1, &ei), 0);
	a.parent_id = b.id;
	assert_int_equal(org_department_update(s, &a, 2, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "parent_id");
	assert_int_equal(org_department_delete(s, a.id, &ei), ERR_CONFLICT);
	assert_int_equal(org_department_delete(s, b.id, &ei), 0);
	assert_int_equal(org_department_delete(s, b.id, &ei), ERR_NOTFOUND);
	test_store_close(s);
}

struct tally {
	int people, agents, managers, supervisors, inspectors, no_superior;
	int64_t last_id;
};

static int count_person(void *ctx, const struct org_person *p)
{
	struct tally *t = ctx;

	t->people++;
	t->agents += (p->roles & ROLE_AGENT) && !(p->roles & ROLE_SUPERVISOR);
	t->managers += (p->roles & ROLE_MANAGER) != 0;
	t->supervisors += (p->roles & ROLE_SUPERVISOR) != 0;
	t->inspectors += (p->roles & ROLE_QA) != 0;
	t->no_superior += p->superior_id == 0;
	t->last_id = p->id;
	return 0;
}

static int count_dept(void *ctx, const struct org_department *d)
{
	int *n = ctx;

	assert_true(d->head_id > 0); /* every department has a responsible person */
	(*n)++;
	return 0;
}

static void show_nothing(void *ctx, const struct org_person *p, const char *password)
{
	int *n = ctx;

	assert_int_equal(strlen(password), 16);
	(void)p;
	(*n)++;
}

/* ORG-1: the demo center has the rulebook's roles and departments, and a chain of superiors. */
static void demo_center_matches_rulebook(void **state)
{
	struct store *s = test_store_open();
	struct audit_actor cli = {0, "cli", NULL};
	struct org_person_filter f = {.active = -1, .limit = 500};
	struct tally t = {0};
	struct org_department d;
	int shown = 0, depts = 0;

	(void)state;
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(org_demo_create(s, &cli, 1000, "min", show_nothing, &shown), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(org_person_list(s, &f, count_person, &t), 25);
	assert_int_equal(t.people, 25);
	assert_int_equal(shown, 25);
	assert_int_equal(t.managers, 1);
	assert_int_equal(t.supervisors, 1);
	assert_int_equal(t.agents, 6);
	assert_int_equal(t.inspectors, 1);
	assert_int_equal(t.no_superior, 1); /* only the general manager tops the chain */
	assert_int_equal(org_department_list(s, 0, 0, 100, count_dept, &depts), 8);
	assert_int_equal(depts, 8);
	assert_int_equal(org_department_by_name(s, "城市客服部", &d), 0);
	assert_string_equal(d.kind, "city_service");
	/* Paging by the last id returns the rest and then nothing. */
	f.limit = 10;
	f.after_id = 0;
	memset(&t, 0, sizeof(t));
	assert_int_equal(org_person_list(s, &f, count_person, &t), 10);
	f.after_id = t.last_id;
	assert_int_equal(org_person_list(s, &f, count_person, &t), 10);
	f.role = ROLE_STAFF;
	f.q = "孙";
	f.after_id = 0;
	memset(&t, 0, sizeof(t));
	assert_int_equal(org_person_list(s, &f, count_person, &t), 1);
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roles_parse_and_print),
		cmocka_unit_test(person_rules),
		cmocka_unit_test(department_rules),
		cmocka_unit_test(store_people_and_departments),
		cmocka_unit_test(department_parent_circle_refused),
		cmocka_unit_test(demo_center_matches_rulebook),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
