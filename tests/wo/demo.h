/*
 * The fixture both work-order test files use: a database holding the demo
 * center (ORG-1) at a fixed instant in the center's time zone, and lookups
 * of its people and departments by the names the rulebook uses.
 */
#ifndef KEFU_TESTS_WO_DEMO_H
#define KEFU_TESTS_WO_DEMO_H

#include "testutil.h"

#include "audit/audit.h"
#include "core/clock.h"
#include "org/org.h"

#define MIN 60000LL
/* 2026-11-22 10:00 in Shanghai. */
#define T0 1795312800000LL

static struct store *s;

static int setup(void **state)
{
	struct audit_actor cli = {0, "cli", NULL};
	int rc;

	(void)state;
	clock_tz_set("Asia/Shanghai");
	s = test_store_open();
	rc = store_begin(s);
	if (rc == 0)
		rc = org_demo_create(s, &cli, T0 - 86400000, "min", NULL, NULL);
	if (rc == 0)
		rc = store_commit(s);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	test_store_close(s);
	return 0;
}

static inline int64_t person(const char *work_no)
{
	struct org_person p;

	assert_int_equal(org_person_by_work_no(s, work_no, &p), 0);
	return p.id;
}

static inline int64_t dept(const char *name)
{
	struct org_department d;

	assert_int_equal(org_department_by_name(s, name, &d), 0);
	return d.id;
}

#endif
