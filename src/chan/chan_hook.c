/*
 * The guard every public webhook of WeChat, Weibo and SMS passes before
 * its body is parsed (issue 18: "size limits, rate limits and abuse
 * protection on the public endpoints"): a body over the route's limit is
 * 413, and a client address or an account sending faster than its bucket
 * allows is 429. The buckets live in memory (a restart forgets them) and
 * run on the monotonic clock, not the test clock, since they measure how
 * fast requests really come.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "chan/chan_wx.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "http/http.h"

#define HOOK_SLOTS 1024		 /* buckets kept; a full table reuses the stalest */
#define HOOK_BURST 30.0		 /* requests at once */
#define HOOK_RATE 10.0		 /* requests a second after that */
#define HOOK_ACCOUNT_BURST 120.0 /* an account's pushes come from many servers */
#define HOOK_ACCOUNT_RATE 40.0

struct bucket {
	char key[80];
	double tokens;
	int64_t at; /* monotonic ns of the last refill */
};

static struct bucket buckets[HOOK_SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* 1 when the key may go on (a token taken), 0 when it is over its rate. */
static int take(const char *key, double burst, double rate, int64_t now)
{
	unsigned h = hash(key) % HOOK_SLOTS;
	struct bucket *b = NULL, *stalest = NULL;
	int ok;

	pthread_mutex_lock(&lock);
	/* Open addressing over 8 neighbours; past them the stalest is reused. */
	for (unsigned i = 0; i < 8; i++) {
		struct bucket *c = &buckets[(h + i) % HOOK_SLOTS];

		if (strcmp(c->key, key) == 0) {
			b = c;
			break;
		}
		if (!stalest || c->at < stalest->at)
			stalest = c;
	}
	if (!b) {
		b = stalest;
		snprintf(b->key, sizeof(b->key), "%s", key);
		b->tokens = burst;
		b->at = now;
	}
	b->tokens += (double)(now - b->at) / 1e9 * rate;
	if (b->tokens > burst)
		b->tokens = burst;
	b->at = now;
	ok = b->tokens >= 1.0;
	if (ok)
		b->tokens -= 1.0;
	pthread_mutex_unlock(&lock);
	return ok;
}

int chan_hook_guard(struct req *r, int64_t account_id, size_t max)
{
	int64_t now = clock_mono_ns();
	char key[80];

	if (r->raw_len > max)
		return err_set(&r->ei, ERR_TOOBIG, NULL, "the message is over %d bytes", (int)max);
	snprintf(key, sizeof(key), "a:%s", r->address);
	if (!take(key, HOOK_BURST, HOOK_RATE, now))
		return err_set(&r->ei, ERR_THROTTLED, NULL, "too many requests; try again shortly");
	snprintf(key, sizeof(key), "c:%lld", (long long)account_id);
	if (!take(key, HOOK_ACCOUNT_BURST, HOOK_ACCOUNT_RATE, now))
		return err_set(&r->ei, ERR_THROTTLED, NULL,
			       "too many messages for this account; try again shortly");
	return 0;
}

/* -- Providers' HTTP APIs by libcurl -- */

#define HTTP_RESP_MAX (1 << 20)
#define HTTP_TIMEOUT_SEC 10L

void chan_wx_http_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct sink {
	struct buf *b;
	size_t max;
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	struct sink *k = ud;

	/* Past the limit the transfer is cut (curl reports a write error). */
	if (k->b->len + size * n > k->max || buf_append(k->b, p, size * n) < 0)
		return 0;
	return size * n;
}

static int perform(const char *url, const char *body, const char *content_type, long timeout,
		   size_t max, long *status, struct buf *resp, char *ctype, size_t ctype_size,
		   char *error, size_t error_size)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct sink k = {resp, max};
	char ct[128];
	CURLcode cc;

	*status = 0;
	if (!c) {
		snprintf(error, error_size, "libcurl could not start");
		return ERR_NOMEM;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout < 5L ? timeout : 5L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &k);
	if (body) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", content_type);
		h = curl_slist_append(h, ct);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK) {
		char *t = NULL;

		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
		if (ctype && curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &t) == CURLE_OK)
			snprintf(ctype, ctype_size, "%s", t ? t : "");
	} else {
		snprintf(error, error_size, "%s", curl_easy_strerror(cc));
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return cc == CURLE_OK ? 0 : ERR_BUSY;
}

int chan_wx_http(const char *url, const char *body, const char *content_type, long *status,
		 struct buf *resp, char *error, size_t error_size)
{
	return perform(url, body, content_type, HTTP_TIMEOUT_SEC, HTTP_RESP_MAX, status, resp, NULL,
		       0, error, error_size);
}

int chan_wx_fetch(const char *url, size_t max, long timeout_sec, struct buf *out, char *ctype,
		  size_t ctype_size, char *error, size_t error_size)
{
	long status = 0;
	int rc = perform(url, NULL, NULL, timeout_sec, max, &status, out, ctype, ctype_size, error,
			 error_size);

	if (rc == 0 && status != 200) {
		snprintf(error, error_size, "HTTP %ld", status);
		rc = ERR_NOTFOUND;
	}
	return rc;
}
