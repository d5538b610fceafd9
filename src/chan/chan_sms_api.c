/*
 * SMS over HTTP (issue 18; CUST-4, WO-5; docs/chan.md "WeChat, Weibo and
 * SMS"): the provider's inbound webhook, the adapter that sends agents'
 * replies and templated messages through a provider in the shape of
 * Alibaba Cloud SMS (SendSms, HMAC-SHA1 signed), the birthday tick, and
 * /api/chan/sms/templates, /optout and /settings.
 *
 * The account's config: api_base, access_key_id, access_key_secret,
 * sign_name, reply_template (the provider's template code whose text is
 * "${content}", for agents' replies), hook_token (the secret the
 * provider's push carries in ?token=).
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chan/chan.h"
#include "chan/chan_wx.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/utf8.h"
#include "cust/cust.h"
#include "http/http.h"
#include "store/store.h"

#define SMS_API_BASE "https://dysmsapi.aliyuncs.com"

static const char *cfg_str(json_t *cfg, const char *key, const char *dflt)
{
	const char *v = json_string_value(json_object_get(cfg, key));

	return v && *v ? v : dflt;
}

/*
 * One SendSms request: 0 with the provider's BizId in ext_id; ERR_BUSY
 * for a timeout, the provider busy or its flow control; another error
 * with the provider's code in error.
 */
static int sms_provider_send(json_t *cfg, const char *phone, const char *tmpl_code,
			     const char *params_json, char *ext_id, size_t ext_size, char *error,
			     size_t error_size)
{
	const char *key_id = cfg_str(cfg, "access_key_id", NULL);
	const char *secret = cfg_str(cfg, "access_key_secret", NULL);
	const char *sign_name = cfg_str(cfg, "sign_name", "");
	const char *base = cfg_str(cfg, "api_base", SMS_API_BASE);
	char ts[32], nonce[33], sig[64], iso[32];
	unsigned char rnd[16];
	const char *names[] = {"AccessKeyId",	  "Action",	    "Format",
			       "PhoneNumbers",	  "RegionId",	    "SignName",
			       "SignatureMethod", "SignatureNonce", "SignatureVersion",
			       "TemplateCode",	  "TemplateParam",  "Timestamp",
			       "Version"};
	const char *values[13];
	struct buf form = BUF_INIT, resp = BUF_INIT;
	json_t *j = NULL;
	long status = 0;
	int rc, n = 13;

	ext_id[0] = '\0';
	if (!key_id || !secret) {
		snprintf(error, error_size, "the account has no access key");
		return ERR_UNPROCESSABLE;
	}
	clock_iso8601(clock_now_ms(), iso, sizeof(iso));
	/* "2026-12-07T21:00:00.000Z" → "2026-12-07T21:00:00Z", the API's form. */
	snprintf(ts, sizeof(ts), "%.19sZ", iso);
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(nonce, sizeof(nonce), rnd, sizeof(rnd));
	values[0] = key_id, values[1] = "SendSms", values[2] = "JSON", values[3] = phone,
	values[4] = "cn-hangzhou", values[5] = sign_name, values[6] = "HMAC-SHA1",
	values[7] = nonce, values[8] = "1.0", values[9] = tmpl_code, values[10] = params_json,
	values[11] = ts, values[12] = "2017-05-25";
	rc = sms_sign(names, values, n, secret, sig, sizeof(sig));
	for (int i = 0; rc == 0 && i <= n; i++) {
		const char *name = i < n ? names[i] : "Signature", *v = i < n ? values[i] : sig;
		size_t cap = strlen(v) * 3 + 1;
		char *enc = malloc(cap);

		if (!enc || sms_pct(v, enc, cap) < 0)
			rc = ERR_NOMEM;
		else
			buf_printf(&form, "%s%s=%s", i ? "&" : "", name, enc);
		free(enc);
	}
	if (rc < 0) {
		snprintf(error, error_size, "the request could not be signed");
		buf_release(&form);
		return rc;
	}
	rc = chan_wx_http(base, form.p, "application/x-www-form-urlencoded", &status, &resp, error,
			  error_size);
	if (rc == 0) {
		const char *code;

		j = resp.len ? json_loadb(resp.p, resp.len, 0, NULL) : NULL;
		code = json_string_value(json_object_get(j, "Code"));
		if (status == 200 && code && strcmp(code, "OK") == 0) {
			snprintf(ext_id, ext_size, "%s", cfg_str(j, "BizId", ""));
		} else {
			snprintf(error, error_size, "SMS %ld: %.60s %.140s", status,
				 code ? code : "", cfg_str(j, "Message", ""));
			rc = status >= 500 || (code && (strstr(code, "LIMIT_CONTROL") ||
							strstr(code, "Throttling")))
				     ? ERR_BUSY
				     : ERR_UNPROCESSABLE;
		}
	}
	json_decref(j);
	buf_release(&form);
	buf_release(&resp);
	return rc;
}

/* The adapter: an agent's reply goes by the account's reply template. */
static int sms_send(const struct chan_outbound *m, char *ext_id, size_t ext_size, char *error,
		    size_t error_size)
{
	json_t *cfg = json_loads(m->config ? m->config : "{}", 0, NULL);
	json_t *p = json_pack("{s:s}", "content", m->text ? m->text : "");
	char *params = p ? json_dumps(p, JSON_COMPACT) : NULL;
	int rc = params ? sms_provider_send(cfg, m->peer,
					    cfg_str(cfg, "reply_template", "SMS_REPLY"), params,
					    ext_id, ext_size, error, error_size)
			: ERR_NOMEM;

	free(params);
	json_decref(p);
	json_decref(cfg);
	return rc;
}

static const struct chan_adapter sms_adapter = {CHAN_SMS, sms_send};

int chan_sms_adapter_add(void)
{
	return chan_adapter_add(&sms_adapter);
}

int sms_template_send(struct store *s, int64_t account_id, const char *phone, const char *tmpl_code,
		      const char *params_json, const char *kind, const char *key, int64_t now,
		      struct err_info *ei, struct sms_sent_text *out)
{
	struct sms_settings set;
	struct sms_tmpl t;
	char *cfg_text = NULL;
	const char *names[8], *values[8];
	json_t *cfg = NULL, *params = json_loads(params_json ? params_json : "{}", 0, NULL);
	int64_t sent = 0;
	int enabled = 0, n = 0, rc;
	const char *k;
	json_t *v;

	out->asked = 0;
	out->ext[0] = out->error[0] = '\0';
	rc = sms_settings_get(s, &set);
	if (rc == 0)
		rc = sms_tmpl_get(s, tmpl_code, &t);
	if (rc == 0 && !t.enabled)
		rc = err_set(ei, ERR_UNPROCESSABLE, "template", "the template is turned off");
	if (rc == 0 && sms_optout_has(s, phone) > 0)
		rc = err_set(ei, ERR_UNPROCESSABLE, "phone", "the number has opted out of SMS");
	if (rc == 0 && key && sms_sent_has(s, kind, key) > 0)
		rc = err_set(ei, ERR_CONFLICT, NULL, "this message was sent already");
	if (rc == 0)
		rc = sms_sent_count(s, clock_day_start(now), &sent);
	if (rc == 0 && sent >= set.daily_cap)
		rc = err_set(ei, ERR_THROTTLED, NULL, "the daily SMS cap of %d is reached",
			     set.daily_cap);
	if (rc == 0)
		rc = wx_account_get(s, account_id, CHAN_SMS, &enabled, &cfg_text);
	if (rc == 0 && !enabled)
		rc = ERR_NOTFOUND;
	if (rc < 0)
		goto out;
	cfg = json_loads(cfg_text, 0, NULL);
	json_object_foreach(params, k, v)
	{
		if (n < 8 && json_is_string(v)) {
			names[n] = k;
			values[n++] = json_string_value(v);
		}
	}
	if (sms_render(t.text, names, values, n, out->text, sizeof(out->text)) < 0)
		snprintf(out->text, sizeof(out->text), "%s", t.text);
	out->asked = 1;
	rc = sms_provider_send(cfg, phone, t.provider_code, params_json ? params_json : "{}",
			       out->ext, sizeof(out->ext), out->error, sizeof(out->error));
out:
	free(cfg_text);
	json_decref(cfg);
	json_decref(params);
	return rc;
}

int chan_sms_send_template(struct store *s, int64_t account_id, const char *phone,
			   const char *tmpl_code, const char *params_json, const char *kind,
			   const char *key, int64_t customer_id, int64_t now, struct err_info *ei)
{
	struct sms_sent_text *st = malloc(sizeof(*st));
	int rc;

	if (!st)
		return ERR_NOMEM;
	rc = sms_template_send(s, account_id, phone, tmpl_code, params_json, kind, key, now, ei,
			       st);
	if (rc == 0)
		rc = sms_sent_add(s, account_id, phone, kind, key, customer_id, st->text, "sent",
				  NULL, now);
	else if (st->asked) {
		log_info("chan: SMS %s to a customer failed: %s", kind, st->error);
		sms_sent_add(s, account_id, phone, kind, NULL, customer_id, st->text, "failed",
			     st->error, now);
		rc = err_set(ei, ERR_BUSY, NULL, "the SMS provider failed: %s", st->error);
	}
	free(st);
	return rc;
}

/* -- The birthday tick (CUST-4) -- */

#define BDAY_BATCH 200

struct bday_batch {
	struct sms_bday b[BDAY_BATCH];
	int n;
	int year, month, day;
};

static int bday_collect(const struct sms_bday *b, void *arg)
{
	struct bday_batch *bb = arg;

	if (bb->n >= BDAY_BATCH)
		return 0;
	if (b->phone[0] && sms_birthday_is(b->birthday, bb->year, bb->month, bb->day))
		bb->b[bb->n++] = *b;
	return 0;
}

/* The local day whose greetings are all handled; a restart looks again
 * (the sent log keeps each greeting to once a year). */
static int bday_done_ymd;

int chan_sms_birthday_tick(struct store *s, int64_t now, void *arg)
{
	struct sms_settings set;
	struct bday_batch *bb;
	int64_t account_id = 0;
	int ymd = clock_local_ymd(now), rc, sent = 0, pending = 0;

	(void)arg;
	if (bday_done_ymd == ymd)
		return 0;
	rc = sms_settings_get(s, &set);
	if (rc < 0 || clock_local_minute(now) < set.birthday_minute)
		return rc < 0 ? rc : 0;
	account_id = set.account_id;
	if (!account_id && wx_account_first(s, CHAN_SMS, &account_id) < 0)
		return 0; /* no SMS account: nothing to greet with */
	bb = calloc(1, sizeof(*bb));
	if (!bb)
		return ERR_NOMEM;
	bb->year = ymd / 10000, bb->month = ymd / 100 % 100, bb->day = ymd % 100;
	rc = sms_bday_each(s, bb->year, bb->month, bb->day, BDAY_BATCH, bday_collect, bb);
	for (int i = 0; rc >= 0 && i < bb->n; i++) {
		struct sms_bday *b = &bb->b[i];
		struct err_info ei = {0};
		char key[48], *params;
		json_t *p = json_pack("{s:s}", "name", b->name);
		int r;

		snprintf(key, sizeof(key), "c%lld:%d", (long long)b->customer_id, bb->year);
		params = p ? json_dumps(p, JSON_COMPACT) : NULL;
		json_decref(p);
		r = params ? chan_sms_send_template(s, account_id, b->phone, "birthday", params,
						    "birthday", key, b->customer_id, now, &ei)
			   : ERR_NOMEM;
		free(params);
		if (r == 0)
			sent++;
		else if (r == ERR_THROTTLED) {
			/* The cap is the day's: the rest wait for tomorrow's. */
			log_info("chan: birthday greetings stopped at the daily SMS cap");
			break;
		} else if (r == ERR_BUSY) {
			/* The provider down or slow: the scheduler's thread is not held
			 * 10 s a customer; the next round (a minute on) tries again. */
			pending++;
			break;
		}
	}
	if (rc >= 0 && !pending && bb->n < BDAY_BATCH)
		bday_done_ymd = ymd;
	free(bb);
	if (sent)
		log_info("chan: %d birthday greetings sent (CUST-4)", sent);
	return rc < 0 ? rc : sent;
}

/* -- The inbound webhook -- */

/*
 * POST /api/hooks/sms/{account}?token=…: the provider's push (Alibaba
 * Cloud's SmsUp shape): a JSON array (or one object) of messages
 * {phone_number, content, send_time, sequence_id}; delivery reports
 * (SmsReport: {phone_number, success, biz_id, …}) are acknowledged and
 * not stored. "TD", "退订"… put the number on the opt-out list and are
 * also shown to the agent.
 */
static int sms_hook_one(struct req *r, int64_t account_id, json_t *it)
{
	const char *content = json_string_value(json_object_get(it, "content"));
	const char *phone = json_string_value(json_object_get(it, "phone_number"));
	json_t *seq = json_object_get(it, "sequence_id");
	char digits[32], ext[CHAN_EXT_ID_MAX];
	struct chan_inbound_result res;
	struct chan_inbound in = {.account_id = account_id};
	int rc;

	if (!json_is_object(it))
		return err_set(&r->ei, ERR_INVALID, NULL, "the message must be a JSON object");
	if (!content && json_object_get(it, "success")) {
		/* A delivery report: a reply that never reached the phone is
		 * shown failed with the operator's code, so the agent calls. */
		const char *biz = json_string_value(json_object_get(it, "biz_id"));
		char why[200];

		int delivered = json_is_true(json_object_get(it, "success"));

		if (!biz || strlen(biz) > 64)
			return 0;
		snprintf(why, sizeof(why), "短信未送达：%.60s %.100s", cfg_str(it, "err_code", ""),
			 cfg_str(it, "err_msg", ""));
		/* A report on a templated message (not in the inbox) finds no
		 * message: acknowledged all the same. */
		rc = chan_msg_report(r->store, account_id, biz, delivered, why);
		return rc == ERR_NOTFOUND ? 0 : rc;
	}
	if (!phone || cust_phone_normalize(phone, digits, sizeof(digits)) < 0)
		return err_set(&r->ei, ERR_INVALID, "phone_number",
			       "phone_number: not a phone number");
	if (!content || !utf8_valid(content, strlen(content)))
		return err_set(&r->ei, ERR_INVALID, "content", "%s: required", "content");
	if (json_is_integer(seq))
		snprintf(ext, sizeof(ext), "sms:%lld", (long long)json_integer_value(seq));
	else if (json_is_string(seq))
		snprintf(ext, sizeof(ext), "sms:%.200s", json_string_value(seq));
	else
		snprintf(ext, sizeof(ext), "sms:%s:%.60s", digits, cfg_str(it, "send_time", ""));
	in.peer = digits;
	in.text = content;
	in.ext_id = ext;
	rc = chan_inbound(r->store, &in, r->now, &res, &r->ei);
	if (rc == 0 && !res.duplicate && sms_is_optout(content))
		rc = sms_optout_add(r->store, digits, "reply", 0, r->now) < 0 ? ERR_IO : 0;
	return rc;
}

static int sms_hook(struct req *r)
{
	const char *token = NULL, *want;
	char *cfg_text = NULL;
	json_t *cfg = NULL, *body = NULL;
	int64_t id;
	int enabled = 0, rc = req_param_id(r, 0, &id);

	if (rc < 0)
		return rc;
	rc = chan_hook_guard(r, id, WX_BODY_MAX);
	if (rc < 0)
		return rc;
	rc = wx_account_get(r->store, id, CHAN_SMS, &enabled, &cfg_text);
	if (rc == 0 && !enabled)
		rc = ERR_NOTFOUND;
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such channel account");
	if (rc < 0)
		return rc;
	cfg = json_loads(cfg_text, 0, NULL);
	free(cfg_text);
	want = cfg_str(cfg, "hook_token", NULL);
	req_query(r, "token", &token);
	if (!want || !token || strlen(token) != strlen(want) ||
	    sodium_memcmp(token, want, strlen(want)) != 0) {
		rc = err_set(&r->ei, ERR_FORBIDDEN, "token", "wrong signature");
		goto out;
	}
	body = json_loadb(r->raw ? r->raw : "", r->raw_len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_array(body) && !json_is_object(body)) {
		rc = err_set(&r->ei, ERR_INVALID, NULL, "the body must be a JSON array or object");
		goto out;
	}
	rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	if (json_is_object(body))
		rc = sms_hook_one(r, id, body);
	else {
		size_t i;
		json_t *it;

		json_array_foreach(body, i, it)
		{
			rc = sms_hook_one(r, id, it);
			if (rc < 0)
				break;
		}
	}
	rc = req_finish(r, rc);
	if (rc == 0) {
		chan_wake();
		rc = reply_json(r, 200, json_pack("{s:i, s:s}", "code", 0, "msg", "成功"));
	}
out:
	json_decref(cfg);
	json_decref(body);
	return rc;
}

/* -- /api/chan/sms/templates -- */

static json_t *tmpl_json(const struct sms_tmpl *t)
{
	json_t *events = json_array();

	for (int i = 0; i < SMS_NOTICE_COUNT; i++)
		if (sms_events_has(t->events, sms_notice_name((enum sms_notice)i)))
			json_array_append_new(events,
					      json_string(sms_notice_name((enum sms_notice)i)));
	return json_pack("{s:s, s:s, s:s, s:b, s:o, s:I}", "code", t->code, "provider_code",
			 t->provider_code, "text", t->text, "enabled", t->enabled, "events", events,
			 "updated_at", (json_int_t)t->updated_at);
}

/*
 * The order events (WO-5) a template is sent on, from the body's "events":
 * a list of sms_notice names, each once; not for the birthday template.
 * events gets them comma-separated in enum order; *given 0 when absent.
 */
static int tmpl_events(struct req *r, const char *code, char *events, size_t size, int *given)
{
	json_t *v = json_object_get(r->body, "events"), *it;
	unsigned seen = 0;
	size_t i, n = 0;

	*given = v != NULL;
	if (!v)
		return 0;
	if (!json_is_array(v))
		return err_set(&r->ei, ERR_INVALID, "events", "events: a list of order events");
	json_array_foreach(v, i, it)
	{
		int k = sms_notice_parse(json_string_value(it));

		if (k < 0)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "events",
				       "events: dispatched, accepted, done, callback or closed");
		seen |= 1u << k;
	}
	if (seen && strcmp(code, "birthday") == 0)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "events",
			       "the birthday greeting is not sent on order events");
	events[0] = '\0';
	for (int k = 0; k < SMS_NOTICE_COUNT; k++)
		if (seen & (1u << k))
			n += (size_t)snprintf(events + n, size - n, "%s%s", n ? "," : "",
					      sms_notice_name((enum sms_notice)k));
	return 0;
}

/* An event is sent by one template at most: naming it here takes it from the others. */
static int tmpl_events_take(struct req *r, const struct sms_tmpl *t)
{
	struct sms_tmpl all[8];
	int n = sms_tmpl_list(r->store, all, 8), rc = n < 0 ? n : 0;

	for (int i = 0; rc == 0 && i < n; i++) {
		char kept[sizeof(all[i].events)] = "";
		size_t len = 0;

		if (strcmp(all[i].code, t->code) == 0)
			continue;
		for (int k = 0; k < SMS_NOTICE_COUNT; k++) {
			const char *name = sms_notice_name((enum sms_notice)k);

			if (sms_events_has(all[i].events, name) && !sms_events_has(t->events, name))
				len += (size_t)snprintf(kept + len, sizeof(kept) - len, "%s%s",
							len ? "," : "", name);
		}
		if (strcmp(kept, all[i].events) != 0) {
			snprintf(all[i].events, sizeof(all[i].events), "%s", kept);
			rc = sms_tmpl_put(r->store, &all[i], r->who.person_id, r->now);
		}
	}
	return rc;
}

static int tmpl_list(struct req *r)
{
	struct sms_tmpl t[8];
	json_t *items = json_array();
	int n = sms_tmpl_list(r->store, t, 8);

	if (n < 0) {
		json_decref(items);
		return n;
	}
	for (int i = 0; i < n; i++)
		json_array_append_new(items, tmpl_json(&t[i]));
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int tmpl_put(struct req *r)
{
	static const char *const fields[] = {"text", "provider_code", "enabled", "events", NULL};
	const char *text = NULL, *pcode = NULL;
	struct sms_tmpl t;
	char events[sizeof(t.events)];
	int rc, enabled, events_given = 0;

	if (strlen(r->params[0]) >= sizeof(t.code) || sms_tmpl_get(r->store, r->params[0], &t) < 0)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such SMS template");
	enabled = t.enabled;
	rc = body_only(r, fields);
	if (rc == 0)
		rc = body_str(r, "text", 0, &text);
	if (rc == 0)
		rc = body_str(r, "provider_code", 0, &pcode);
	if (rc == 0)
		rc = body_bool(r, "enabled", &enabled);
	if (rc == 0)
		rc = tmpl_events(r, t.code, events, sizeof(events), &events_given);
	if (rc < 0)
		return rc;
	if (text && (utf8_blank(text) || utf8_len(text) > SMS_TEXT_MAX))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "text", "%s: %d to %d characters",
			     "text", 1, SMS_TEXT_MAX);
	if (pcode && (strlen(pcode) == 0 || strlen(pcode) >= sizeof(t.provider_code)))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "provider_code",
			     "%s: %d to %d characters", "provider_code", 1,
			     (int)sizeof(t.provider_code) - 1);
	if (rc < 0)
		return rc;
	if (text)
		snprintf(t.text, sizeof(t.text), "%s", text);
	if (pcode)
		snprintf(t.provider_code, sizeof(t.provider_code), "%s", pcode);
	t.enabled = enabled;
	if (events_given)
		snprintf(t.events, sizeof(t.events), "%s", events);
	t.updated_at = r->now;
	rc = store_begin(r->store);
	if (rc == 0)
		rc = sms_tmpl_put(r->store, &t, r->who.person_id, r->now);
	if (rc == 0 && events_given)
		rc = tmpl_events_take(r, &t);
	if (rc == 0)
		rc = req_audit(r, "chan.sms.template", "sms_template", 0, "ok",
			       json_pack("{s:s, s:s, s:s}", "code", t.code, "text", t.text,
					 "events", t.events));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, tmpl_json(&t));
}

/* -- /api/chan/sms/optout -- */

static int optout_list(struct req *r)
{
	struct sms_optout o[100];
	const char *q = NULL;
	int64_t cursor = 0, next = 0;
	int limit = 50, n, rc = req_page(r, &limit, &cursor);
	json_t *items;

	if (rc == 0)
		rc = req_query(r, "q", &q);
	if (rc < 0)
		return rc;
	if (limit > 100)
		limit = 100;
	n = sms_optout_list(r->store, q && *q ? q : NULL, cursor, limit, o, &next);
	if (n < 0)
		return n;
	items = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(items,
				      json_pack("{s:s, s:s, s:I}", "phone", o[i].phone, "source",
						o[i].source, "at", (json_int_t)o[i].at));
	return reply_page(r, items, next);
}

static int optout_phone(struct req *r, const char *in, char *out, size_t size)
{
	if (!in || cust_phone_normalize(in, out, size) < 0)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "phone", "phone: not a phone number");
	return 0;
}

static int optout_add(struct req *r)
{
	static const char *const fields[] = {"phone", NULL};
	const char *phone = NULL;
	char digits[32];
	int rc = body_only(r, fields);

	if (rc == 0)
		rc = body_str(r, "phone", 1, &phone);
	if (rc == 0)
		rc = optout_phone(r, phone, digits, sizeof(digits));
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc == 0) {
		rc = sms_optout_add(r->store, digits, "manual", r->who.person_id, r->now);
		if (rc == 0)
			rc = err_set(&r->ei, ERR_CONFLICT, "phone",
				     "the number is on the opt-out list already");
		else if (rc > 0)
			rc = req_audit(r, "chan.sms.optout.add", "sms_optout", 0, "ok",
				       json_pack("{s:s}", "phone", digits));
	}
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 201,
			  json_pack("{s:s, s:s, s:I}", "phone", digits, "source", "manual", "at",
				    (json_int_t)r->now));
}

static int optout_del(struct req *r)
{
	char digits[32];
	int rc = optout_phone(r, r->params[0], digits, sizeof(digits));

	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc == 0) {
		rc = sms_optout_del(r->store, digits);
		if (rc == ERR_NOTFOUND)
			rc = err_set(&r->ei, ERR_NOTFOUND, NULL,
				     "the number is not on the opt-out list");
		if (rc == 0)
			rc = req_audit(r, "chan.sms.optout.delete", "sms_optout", 0, "ok",
				       json_pack("{s:s}", "phone", digits));
	}
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	r->status = 204;
	return 0;
}

/* -- /api/chan/sms/settings -- */

static json_t *settings_json(const struct sms_settings *s)
{
	return json_pack("{s:i, s:i, s:o}", "daily_cap", s->daily_cap, "birthday_minute",
			 s->birthday_minute, "account_id",
			 s->account_id ? json_integer(s->account_id) : json_null());
}

static int settings_get(struct req *r)
{
	struct sms_settings s;
	int rc = sms_settings_get(r->store, &s);

	return rc < 0 ? rc : reply_json(r, 200, settings_json(&s));
}

static int settings_put(struct req *r)
{
	static const char *const fields[] = {"daily_cap", "birthday_minute", "account_id", NULL};
	struct sms_settings s;
	int64_t cap, minute;
	json_t *v;
	int rc = sms_settings_get(r->store, &s);

	if (rc == 0)
		rc = body_only(r, fields);
	if (rc < 0)
		return rc;
	cap = s.daily_cap, minute = s.birthday_minute;
	if ((v = json_object_get(r->body, "daily_cap")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 1000000)
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "daily_cap",
				     "%s: expected a whole number from %lld to %lld", "daily_cap",
				     0LL, 1000000LL);
		else
			cap = json_integer_value(v);
	}
	if ((v = json_object_get(r->body, "birthday_minute")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 1439)
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "birthday_minute",
				     "%s: expected a whole number from %lld to %lld",
				     "birthday_minute", 0LL, 1439LL);
		else
			minute = json_integer_value(v);
	}
	if (body_has(r, "account_id")) {
		int64_t aid = 0;
		int en = 0;
		char *cfg = NULL;

		if (body_ref(r, "account_id", &aid) < 0 ||
		    (aid && (wx_account_get(r->store, aid, CHAN_SMS, &en, &cfg) < 0)))
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "account_id",
				     "account_id: no such SMS account");
		free(cfg);
		s.account_id = aid;
	}
	if (rc < 0)
		return rc;
	s.daily_cap = (int)cap, s.birthday_minute = (int)minute;
	rc = store_begin(r->store);
	if (rc == 0)
		rc = sms_settings_put(r->store, &s, r->who.person_id, r->now);
	if (rc == 0)
		rc = req_audit(r, "chan.sms.settings", "sms_settings", 1, "ok", settings_json(&s));
	rc = req_finish(r, rc);
	return rc < 0 ? rc : reply_json(r, 200, settings_json(&s));
}

/* -- POST /api/chan/sms/send: a WO-5 notice from the order's page -- */

/*
 * An agent sends the callback or progress notice (WO-5) to a customer's
 * number with the template's parameters (order, time, progress…). The
 * provider is asked outside any transaction (up to 10 s); the sent log's
 * row is its own write, the audit entry follows.
 */
static int sms_send_notice(struct req *r)
{
	static const char *const fields[] = {"template", "phone", "params", "customer_id", NULL};
	const char *tmpl = NULL, *phone = NULL;
	char digits[32], *params = NULL;
	struct sms_settings set;
	int64_t customer_id = 0, account_id = 0;
	json_t *pj;
	int rc = body_only(r, fields);

	if (rc == 0)
		rc = body_str(r, "template", 1, &tmpl);
	if (rc == 0)
		rc = body_str(r, "phone", 1, &phone);
	if (rc == 0)
		rc = body_ref(r, "customer_id", &customer_id);
	if (rc < 0)
		return rc;
	if (strcmp(tmpl, "callback") != 0 && strcmp(tmpl, "progress") != 0)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "template",
			     "template: callback or progress");
	if (cust_phone_normalize(phone, digits, sizeof(digits)) < 0)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "phone", "phone: not a phone number");
	pj = json_object_get(r->body, "params");
	if (pj) {
		const char *k;
		json_t *v;

		if (!json_is_object(pj) || json_object_size(pj) > 8)
			rc = err_add(&r->ei, rc, ERR_INVALID, "params",
				     "params: an object of up to 8 texts");
		else
			json_object_foreach(pj, k, v)
			{
				if (!json_is_string(v) || utf8_len(json_string_value(v)) > 100)
					rc = err_add(&r->ei, rc, ERR_INVALID, "params",
						     "params: an object of up to 8 texts");
			}
	}
	if (rc < 0)
		return rc;
	rc = sms_settings_get(r->store, &set);
	if (rc < 0)
		return rc;
	account_id = set.account_id;
	if (!account_id && wx_account_first(r->store, CHAN_SMS, &account_id) < 0)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "account_id",
			       "account_id: no such SMS account");
	params = pj ? json_dumps(pj, JSON_COMPACT) : strdup("{}");
	if (!params)
		return ERR_NOMEM;
	rc = chan_sms_send_template(r->store, account_id, digits, tmpl, params, tmpl, NULL,
				    customer_id, r->now, &r->ei);
	free(params);
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc == 0)
		rc = req_audit(r, "chan.sms.send", "sms_sent", 0, "ok",
			       json_pack("{s:s, s:s}", "template", tmpl, "phone", digits));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(
		r, 201,
		json_pack("{s:s, s:s, s:s}", "template", tmpl, "phone", digits, "status", "sent"));
}

const struct route chan_sms_routes[] = {
	{"POST", "/api/hooks/sms/{account}", sms_hook, ACT_PUBLIC},
	{"GET", "/api/chan/sms/templates", tmpl_list, ACT_CHAN_MANAGE},
	{"PUT", "/api/chan/sms/templates/{code}", tmpl_put, ACT_CHAN_MANAGE},
	{"GET", "/api/chan/sms/optout", optout_list, ACT_CHAN_MANAGE},
	{"POST", "/api/chan/sms/optout", optout_add, ACT_CHAN_MANAGE},
	{"DELETE", "/api/chan/sms/optout/{phone}", optout_del, ACT_CHAN_MANAGE},
	{"POST", "/api/chan/sms/send", sms_send_notice, ACT_CHAN_REPLY},
	{"GET", "/api/chan/sms/settings", settings_get, ACT_CHAN_MANAGE},
	{"PUT", "/api/chan/sms/settings", settings_put, ACT_CHAN_MANAGE},
	{NULL, NULL, NULL, 0},
};
