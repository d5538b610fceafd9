/* That docs/openapi.json documents every route the program serves (cli/serve.c's list). */
#include <ctype.h>
#include <jansson.h>

#include "testutil.h"

#include "cli/cli.h"
#include "http/http.h"

extern const char kefu_openapi_json[];

/* The OpenAPI document served at /api/openapi.json lists every real route. */
static void openapi_documents_every_route(void **state)
{
	const struct route *const *all = cli_route_tables;
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
		cmocka_unit_test(openapi_documents_every_route),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
