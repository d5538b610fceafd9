/*
 * Matches "METHOD /path" against the modules' route tables. Patterns are
 * literal segments and {name} segments; a path that matches some pattern
 * with another method is ERR_METHOD (405), so clients learn the difference.
 * Tables are small (tens of routes), so a linear scan beats any index.
 */
#include <string.h>

#include "http/http.h"

static int match(const char *pattern, const char *path, struct req *r)
{
	int n = 0;

	while (*pattern && *path) {
		if (*pattern != '/' || *path != '/')
			return 0;
		pattern++;
		path++;
		if (*pattern == '{') {
			const char *end = strchr(path, '/');
			size_t len = end ? (size_t)(end - path) : strlen(path);

			if (len == 0 || n == HTTP_MAX_PARAMS || len >= sizeof(r->params[0]))
				return 0;
			memcpy(r->params[n], path, len);
			r->params[n][len] = '\0';
			n++;
			path += len;
			pattern = strchr(pattern, '}') + 1;
		} else {
			const char *end = strchr(pattern, '/');
			size_t len = end ? (size_t)(end - pattern) : strlen(pattern);

			if (strncmp(pattern, path, len) != 0 || (path[len] && path[len] != '/'))
				return 0;
			pattern += len;
			path += len;
		}
	}
	if (*pattern || *path)
		return 0;
	r->nparams = n;
	return 1;
}

int router_match(const struct route *const *tables, const char *method, const char *path,
		 const struct route **out, struct req *r)
{
	int path_known = 0;

	for (; *tables; tables++)
		for (const struct route *rt = *tables; rt->method; rt++) {
			if (!match(rt->pattern, path, r))
				continue;
			if (strcmp(rt->method, method) == 0) {
				*out = rt;
				return 0;
			}
			path_known = 1;
		}
	r->nparams = 0;
	return path_known ? ERR_METHOD : ERR_NOTFOUND;
}

int route_takes_file(const struct route *rt)
{
	static const char *const tails[] = {"/attachments", "/import"};
	static const char pub_tail[] = "/files";

	if (!rt)
		return 0;
	if (rt->action == ACT_ATTACHMENT_ADD)
		return 1;
	/* Uploads under other actions (the knowledge base's take ACT_KB_EDIT):
	 * a POST to a route ending in /attachments or /import is a file. */
	if (strcmp(rt->method, "POST") != 0)
		return 0;
	/* A public upload: the web chat's visitors send files (chan_webchat_api.c). */
	if (rt->action == ACT_PUBLIC) {
		size_t n = strlen(rt->pattern), t = sizeof(pub_tail) - 1;

		return n >= t && strcmp(rt->pattern + n - t, pub_tail) == 0;
	}
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		size_t n = strlen(rt->pattern), t = strlen(tails[i]);

		if (n >= t && strcmp(rt->pattern + n - t, tails[i]) == 0)
			return 1;
	}
	return 0;
}
