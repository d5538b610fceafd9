/*
 * What kefu reads of an HTTP request itself (src/http/, and the body
 * readers of the routes): libmicrohttpd splits the request, kefu then
 * matches the method and path against the route tables (router.c), checks
 * the path and query arguments are UTF-8, picks the language of errors
 * from Accept-Language, takes a session token from "Authorization: Bearer"
 * or the cookie, and parses the JSON body (jansson, duplicates refused) that
 * the handlers read. The input is the fields method, path, query value,
 * Accept-Language, token and body, separated by NUL bytes. The body goes
 * through the body helpers of api.c and, as representative handlers do,
 * through the readers of a new order and of each action on one (wo_api.c)
 * and of a customer (cust_api.c), with the customer rules after them.
 */
#include <jansson.h>

#include "auth/auth.h"
#include "core/err.h"
#include "core/utf8.h"
#include "cust/cust.h"
#include "fuzz/fuzz.h"
#include "http/http.h"
#include "kb/kb.h"
#include "qa/qa.h"
#include "sip/sip.h"
#include "wo/wo.h"
#include "wo/wo_config.h"

static const struct route *const tables[] = {
	wo_routes, wo_config_routes, cust_routes,      kb_routes, kb_search_routes,
	qa_routes, sip_routes,	     http_misc_routes, NULL,
};

static void helpers(struct req *r)
{
	static const char *const allowed[] = {"name", "note", "id", "count", "active", NULL};
	const char *s;
	int b, n;
	int64_t id;

	(void)body_only(r, allowed);
	(void)body_has(r, "name");
	(void)body_str(r, "name", 1, &s);
	(void)body_str(r, "note", 0, &s);
	(void)body_bool(r, "active", &b);
	(void)body_ref(r, "id", &id);
	(void)body_int_add(r, "count", &n, 0);
	(void)body_bool_add(r, "active", &b, 0);
}

static void readers(struct req *r)
{
	static struct customer c; /* large: kept out of the stack */
	struct wo_new in, follow;
	struct wo_act a;
	const char *vip_reason = "";
	char addr[256];

	memset(&r->ei, 0, sizeof(r->ei));
	(void)wo_api_read_new(r, r->body, &in);
	for (int act = 0; act < WOA_COUNT; act++) {
		memset(&r->ei, 0, sizeof(r->ei));
		memset(&a, 0, sizeof(a));
		(void)wo_api_read_act(r, (enum wo_action)act, &a, &follow);
	}
	memset(&r->ei, 0, sizeof(r->ei));
	memset(&c, 0, sizeof(c));
	snprintf(c.kind, sizeof(c.kind), "person");
	if (cust_api_read(r, &c, &vip_reason) == 0) {
		(void)cust_validate_more(&c, 1767225600000, 0, &r->ei);
		cust_address_as(&c, addr, sizeof(addr));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct req r; /* large: kept out of the stack, zeroed per input */
	const char *f[6];
	char *all = fuzz_fields(data, size, f, 6);
	const struct route *rt;
	char hash[65], disposition[256];
	const char *body;
	size_t body_len;

	if (!all)
		return 0;
	memset(&r, 0, sizeof(r));
	r.method = f[0];
	r.path = f[1];
	if (utf8_valid(f[1], strlen(f[1])))
		(void)router_match(tables, f[0], f[1], &rt, &r);
	(void)utf8_valid(f[2], strlen(f[2]));
	(void)utf8_len(f[2]);
	(void)utf8_rfc5987(f[2], disposition, sizeof(disposition));
	(void)err_lang_english(f[3]);
	if (strncmp(f[4], "Bearer ", 7) == 0 && strlen(f[4] + 7) == AUTH_TOKEN_LEN)
		auth_token_hash(f[4] + 7, hash);
	/* The body is the rest of the input, NULs and all. */
	body = "";
	body_len = 0;
	for (size_t off = 0, k = 0; k < 5 && off < size; k++) {
		const uint8_t *z = memchr(data + off, 0, size - off);

		if (!z)
			break;
		off = (size_t)(z - data) + 1;
		if (k == 4) {
			body = all + off;
			body_len = size - off;
		}
	}
	r.body = json_loadb(body, body_len, JSON_REJECT_DUPLICATES, NULL);
	if (json_is_object(r.body)) {
		helpers(&r);
		readers(&r);
	}
	json_decref(r.body);
	free(all);
	return 0;
}
