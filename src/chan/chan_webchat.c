/*
 * The web chat's rules (chan_webchat.h): which origins may use an account,
 * the visitor's id, the token buckets of the rate limits and a web
 * message's deadline. No I/O.
 */
#include <string.h>

#include "chan/chan_webchat.h"

void webchat_config_default(struct webchat_config *c)
{
	memset(c, 0, sizeof(*c));
	/* A person types a message every few seconds at most; a page reload is a
	 * handful of requests. Shared addresses (an office's NAT) get room. */
	c->per_address_min = 300;
	c->per_visitor_min = 30;
	c->sessions_per_hour = 60;
	/* As long as a caller waits in the hotline's queue by default (acd's max_wait_sec). */
	c->queue_timeout_sec = 120;
}

/* "http://" or "https://" and the host exactly as the request named it. */
static int is_own(const char *origin, const char *host)
{
	const char *rest;

	if (!host || !*host)
		return 0;
	if (strncmp(origin, "https://", 8) == 0)
		rest = origin + 8;
	else if (strncmp(origin, "http://", 7) == 0)
		rest = origin + 7;
	else
		return 0;
	return strcmp(rest, host) == 0;
}

int webchat_origin_ok(const struct webchat_config *c, const char *origin, const char *host)
{
	if (!origin)
		return 1;
	for (int i = 0; i < c->norigins; i++)
		if (strcmp(c->origins[i], origin) == 0 || strcmp(c->origins[i], "*") == 0)
			return 1;
	return is_own(origin, host);
}

int webchat_vid_valid(const char *vid)
{
	if (!vid || strlen(vid) != WEBCHAT_VID_LEN || vid[0] != 'v')
		return 0;
	for (int i = 1; i < WEBCHAT_VID_LEN; i++)
		if (!((vid[i] >= '0' && vid[i] <= '9') || (vid[i] >= 'a' && vid[i] <= 'f')))
			return 0;
	return 1;
}

int webchat_bucket_take(double *tokens, int64_t *at, int per, int64_t window_ms, int64_t now_ms)
{
	if (per <= 0 || window_ms <= 0)
		return 1;
	if (*at == 0) {
		*tokens = per;
	} else if (now_ms > *at) {
		*tokens += (double)(now_ms - *at) * per / (double)window_ms;
		if (*tokens > per)
			*tokens = per;
	}
	*at = now_ms;
	if (*tokens < 1.0)
		return 0;
	*tokens -= 1.0;
	return 1;
}
