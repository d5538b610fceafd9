/* Unit tests of src/http/router.c, and that docs/openapi.json documents every route. */
#include <ctype.h>
#include <jansson.h>

#include "testutil.h"

#include "core/err.h"
#include "http/http.h"

extern const char kefu_openapi_json[];

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

/* The OpenAPI document served at /api/openapi.json lists every real route. */
static void openapi_documents_every_route(void **state)
{
	const struct route *const *all = http_route_tables;
	json_t *doc = json_loads(kefu_openapi_json, 0, NULL), *paths;
	char missing[256] = "";
	int checked = 0;

	(void)state;
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.0.3");
	paths = json_object_get(doc, "paths");
	assert_non_null(paths);
	for (int t = 0; all[t]; t++)
		for (const struct route *rt = all[t]; rt->method; rt++) {
			json_t *item = json_object_get(paths, rt->pattern);
			char method[8];
			size_t i;

			for (i = 0; rt->method[i] && i < sizeof(method) - 1; i++)
				method[i] = (char)tolower((unsigned char)rt->method[i]);
			method[i] = '\0';
			if ((!item || !json_object_get(item, method)) && !missing[0])
				snprintf(missing, sizeof(missing), "%s %s", rt->method,
					 rt->pattern);
			checked++;
		}
	json_decref(doc);
	if (missing[0])
		fail_msg("%s is not in docs/openapi.json", missing);
	assert_true(checked >= 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matches_literals_and_params),
		cmocka_unit_test(distinguishes_404_and_405),
		cmocka_unit_test(openapi_documents_every_route),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
