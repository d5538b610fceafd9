/*
 * SMS rules, pure (issue 18; CUST-4 birthday greetings, WO-5 notices;
 * docs/chan.md "WeChat, Weibo and SMS"): the provider's request signature
 * in the shape of Alibaba Cloud SMS, opt-out words, birthdays, templates.
 * No I/O, no SQL, no clock.
 */
#include <ctype.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "chan/chan_wx.h"
#include "core/err.h"

int sms_pct(const char *in, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			if (o + 1 >= size)
				return ERR_TOOBIG;
			out[o++] = (char)*p;
		} else {
			if (o + 3 >= size)
				return ERR_TOOBIG;
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	if (o >= size)
		return ERR_TOOBIG;
	out[o] = '\0';
	return 0;
}

#define SMS_PARAMS_MAX 24

int sms_sign(const char *const *names, const char *const *values, int n, const char *secret,
	     char *out, size_t size)
{
	int idx[SMS_PARAMS_MAX];
	size_t cap = 256, len = 0;
	char *q, *sts, *key;
	unsigned char mac[20];
	int rc = ERR_NOMEM;

	if (n < 1 || n > SMS_PARAMS_MAX || !secret || size < 29)
		return ERR_INVALID;
	for (int i = 0; i < n; i++) {
		idx[i] = i;
		cap += 3 * (strlen(names[i]) + strlen(values[i])) + 2;
	}
	/* Sorted by name, bytes compared (few parameters: insertion sort). */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && strcmp(names[idx[j - 1]], names[idx[j]]) > 0; j--) {
			int t = idx[j];

			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	q = malloc(cap);
	sts = malloc(3 * cap + 16);
	key = malloc(strlen(secret) + 2);
	if (!q || !sts || !key)
		goto out;
	rc = ERR_TOOBIG;
	for (int i = 0; i < n; i++) {
		if (i)
			q[len++] = '&';
		if (sms_pct(names[idx[i]], q + len, cap - len) < 0)
			goto out;
		len += strlen(q + len);
		q[len++] = '=';
		if (sms_pct(values[idx[i]], q + len, cap - len) < 0)
			goto out;
		len += strlen(q + len);
	}
	q[len] = '\0';
	strcpy(sts, "POST&%2F&");
	if (sms_pct(q, sts + 9, 3 * cap + 7) < 0)
		goto out;
	strcpy(key, secret);
	strcat(key, "&");
	if (gnutls_hmac_fast(GNUTLS_MAC_SHA1, key, strlen(key), sts, strlen(sts), mac) < 0) {
		rc = ERR_IO;
		goto out;
	}
	sodium_bin2base64(out, size, mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
	rc = 0;
out:
	free(q);
	free(sts);
	free(key);
	return rc;
}

int sms_is_optout(const char *text)
{
	static const char *const words[] = {"TD",   "T",	"退订",	      "N",
					    "取消", "退订短信", "UNSUBSCRIBE"};
	char buf[32];
	size_t len;

	if (!text)
		return 0;
	while (*text == ' ' || *text == '\t' || *text == '\r' || *text == '\n')
		text++;
	len = strlen(text);
	while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r' ||
		       text[len - 1] == '\n' || text[len - 1] == '.' || text[len - 1] == '!'))
		len--;
	if (len == 0 || len >= sizeof(buf))
		return 0;
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)toupper((unsigned char)text[i]);
	buf[len] = '\0';
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(buf, words[i]) == 0)
			return 1;
	return 0;
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int sms_birthday_is(const char *b, int year, int month, int day)
{
	int m, d;

	if (!b)
		return 0;
	if (strlen(b) == 10 && b[4] == '-' && b[7] == '-')
		b += 5;
	if (strlen(b) != 5 || b[2] != '-' || !isdigit((unsigned char)b[0]) ||
	    !isdigit((unsigned char)b[1]) || !isdigit((unsigned char)b[3]) ||
	    !isdigit((unsigned char)b[4]))
		return 0;
	m = (b[0] - '0') * 10 + (b[1] - '0');
	d = (b[3] - '0') * 10 + (b[4] - '0');
	if (m == month && d == day)
		return 1;
	/* Born on 29 February: greeted on the 28th in a common year. */
	return m == 2 && d == 29 && month == 2 && day == 28 && !leap(year);
}

int sms_render(const char *tmpl, const char *const *names, const char *const *values, int n,
	       char *out, size_t size)
{
	size_t o = 0;

	for (const char *p = tmpl; *p;) {
		const char *val = NULL, *end;
		size_t vl;

		if (p[0] == '$' && p[1] == '{' && (end = strchr(p + 2, '}')) != NULL) {
			size_t nl = (size_t)(end - (p + 2));

			for (int i = 0; i < n; i++)
				if (strlen(names[i]) == nl && memcmp(names[i], p + 2, nl) == 0)
					val = values[i];
			if (val) {
				vl = strlen(val);
				if (o + vl >= size)
					return ERR_TOOBIG;
				memcpy(out + o, val, vl);
				o += vl;
				p = end + 1;
				continue;
			}
		}
		if (o + 1 >= size)
			return ERR_TOOBIG;
		out[o++] = *p++;
	}
	out[o] = '\0';
	return 0;
}

/* -- WO-5's notices -- */

static const char *const notice_names[SMS_NOTICE_COUNT] = {"dispatched", "accepted", "done",
							   "callback", "closed"};

const char *sms_notice_name(enum sms_notice n)
{
	return n < SMS_NOTICE_COUNT ? notice_names[n] : "unknown";
}

int sms_notice_parse(const char *name)
{
	for (int i = 0; name && i < SMS_NOTICE_COUNT; i++)
		if (strcmp(name, notice_names[i]) == 0)
			return i;
	return -1;
}

static int is(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

int sms_notice_of(const char *kind, const char *from, const char *to, const char *outcome)
{
	/* Taken in: at creation when an owner was found, or when a supervisor
	 * gives an order nobody could be found for its first owner. */
	if ((is(kind, "order.create") && is(to, "dispatched")) ||
	    (is(kind, "order.assign") && is(from, "new")))
		return SMS_NOTICE_DISPATCHED;
	if (is(kind, "order.accept"))
		return SMS_NOTICE_ACCEPTED;
	/* The owner reported the work done (WO-6): the center's callback is due next. */
	if (is(kind, "order.report"))
		return SMS_NOTICE_DONE;
	/* A callback that did not reach the customer or was not accepted: another is due. */
	if (is(kind, "order.callback") &&
	    (is(outcome, "unreachable") || is(outcome, "not_accepted")))
		return SMS_NOTICE_CALLBACK;
	if (is(kind, "order.callback") && is(to, "archived"))
		return SMS_NOTICE_CLOSED;
	return -1;
}

const char *sms_notice_progress(enum sms_notice n)
{
	static const char *const texts[SMS_NOTICE_COUNT] = {
		"已受理并派单处理", "负责人已接单，正在处理", "已处理完毕，我们将回访您",
		"我们将再次回访您", "已办结，感谢您的支持"};

	return n < SMS_NOTICE_COUNT ? texts[n] : "";
}

int sms_events_has(const char *list, const char *event)
{
	size_t n = strlen(event);

	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, event, n) == 0)
			return 1;
		p = end ? end + 1 : p + len;
	}
	return 0;
}

int sms_is_mobile(const char *digits)
{
	if (!digits || strlen(digits) != 11 || digits[0] != '1' || digits[1] < '3')
		return 0;
	for (const char *p = digits; *p; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	return 1;
}
