/* Unit tests of src/http/router.c. */

#include "testutil.h"

#include "core/err.h"
#include "http/http.h"

static int fake(struct req *r)
{
	(void)r;
	return 0;
}

static const struct route routes[] = {
	{"GET", "/api/people", fake, ACT_ORG_READ},
	{"GET", "/api/people/{id}", fake, ACT_ORG_READ},
	{"PATCH", "/api/people/{id}", fake, ACT_PERSON_WRITE},
	{"POST", "/api/people/{id}/password", fake, ACT_PASSWORD_RESET},
	{NULL, NULL, NULL, ACT_PUBLIC},
};

static const struct route *const tables[] = {routes, NULL};

static void matches_literals_and_params(void **state)
{
	const struct route *rt = NULL;
	struct req r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(router_match(tables, "GET", "/api/people", &rt, &r), 0);
	assert_ptr_equal(rt, &routes[0]);
	assert_int_equal(r.nparams, 0);
	assert_int_equal(router_match(tables, "PATCH", "/api/people/17", &rt, &r), 0);
	assert_ptr_equal(rt, &routes[2]);
	assert_int_equal(r.nparams, 1);
	assert_string_equal(r.params[0], "17");
	assert_int_equal(router_match(tables, "POST", "/api/people/9/password", &rt, &r), 0);
	assert_string_equal(r.params[0], "9");
}

static void distinguishes_404_and_405(void **state)
{
	const struct route *rt = NULL;
	struct req r;
	char longseg[200];

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(router_match(tables, "DELETE", "/api/people/1", &rt, &r), ERR_METHOD);
	assert_int_equal(router_match(tables, "GET", "/api/peoples", &rt, &r), ERR_NOTFOUND);
	assert_int_equal(router_match(tables, "GET", "/api/people/", &rt, &r), ERR_NOTFOUND);
	assert_int_equal(router_match(tables, "GET", "/api/people/1/x", &rt, &r), ERR_NOTFOUND);
	assert_int_equal(router_match(tables, "GET", "/api", &rt, &r), ERR_NOTFOUND);
	assert_int_equal(router_match(tables, "GET", "", &rt, &r), ERR_NOTFOUND);
	memset(longseg, 'x', sizeof(longseg));
	memcpy(longseg, "/api/people/", 12);
	longseg[sizeof(longseg) - 1] = '\0';
	assert_int_equal(router_match(tables, "GET", longseg, &rt, &r), ERR_NOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matches_literals_and_params),
		cmocka_unit_test(distinguishes_404_and_405),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
