/*
 * WeChat and Weibo over HTTP (issue 18; docs/chan.md "WeChat, Weibo and
 * SMS"): the public webhooks each platform pushes messages to, and the
 * adapters that send agents' replies through their APIs.
 *
 * WeChat (Official Account / WeCom customer service):
 *   GET  /api/hooks/wechat/{account}  URL verification: echostr back when
 *        signature = sha1(sorted token, timestamp, nonce) is right.
 *   POST /api/hooks/wechat/{account}  one message as XML; in safe mode
 *        (encrypt_type=aes) the XML's <Encrypt> is checked with
 *        msg_signature over (token, timestamp, nonce, Encrypt) and
 *        decrypted. Answered "success" at once; the message goes to
 *        chan_inbound with peer = the openid.
 * Weibo (粉丝服务 push):
 *   GET  /api/hooks/weibo/{account}   verification as WeChat's, with the
 *        app secret in place of the token.
 *   POST /api/hooks/weibo/{account}   one message as JSON, signature in the
 *        query as for GET; peer = the sender's uid.
 * Every hook: 413 over WX_BODY_MAX before parsing, 429 past the rate of a
 * client address or an account (chan_hook.c), 403 on a wrong signature,
 * 400 on a malformed body; nothing is written unless all is right.
 *
 * Nothing is fetched while a platform waits: a picture's or a voice's media
 * id and a WeChat openid whose unionid is unknown are stored with the
 * message, and chan_wx_tick fetches the file (WeChat's media API, Weibo's
 * msget) into att and asks WeChat's user-info API for the unionid, a few
 * each round, tried again later when the platform is busy.
 */
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "att/att.h"
#include "chan/chan.h"
#include "chan/chan_wx.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "http/http.h"
#include "store/store.h"

#define WX_API_BASE "https://api.weixin.qq.com"
#define WEIBO_API_BASE "https://m.api.weibo.com"
#define WX_PICTURE_MAX (10 << 20) /* WeChat's own limit of a picture */

static const char *cfg_str(json_t *cfg, const char *key, const char *dflt)
{
	const char *v = json_string_value(json_object_get(cfg, key));

	return v && *v ? v : dflt;
}

/* The account's config, when the account exists, is enabled and is of kind. */
static int hook_account(struct req *r, enum chan_kind kind, int64_t *id, json_t **cfg)
{
	char *text = NULL;
	int enabled = 0, rc = req_param_id(r, 0, id);

	if (rc < 0)
		return rc;
	rc = chan_hook_guard(r, *id, WX_BODY_MAX);
	if (rc < 0)
		return rc;
	rc = wx_account_get(r->store, *id, kind, &enabled, &text);
	if (rc == 0 && !enabled)
		rc = ERR_NOTFOUND;
	if (rc == 0) {
		*cfg = json_loads(text, 0, NULL);
		if (!json_is_object(*cfg)) {
			json_decref(*cfg);
			*cfg = NULL;
			rc = ERR_NOTFOUND;
		}
	}
	free(text);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such channel account");
	return rc;
}

static int reply_text(struct req *r, const char *text)
{
	r->status = 200;
	r->content_type = "text/plain; charset=utf-8";
	return buf_puts(&r->text, text) < 0 ? ERR_NOMEM : 0;
}

static int bad_signature(struct req *r)
{
	return err_set(&r->ei, ERR_FORBIDDEN, "signature", "wrong signature");
}

/* What a push leaves for the tick besides the message: the WeChat user to
 * look up, the media to fetch (kind NULL: none). */
struct hook_extra {
	int wechat_user; /* record the openid (the peer) with in->peer_union */
	const char *media_kind, *media_id, *format;
};

/* Stores one received message, and with it what the tick does later, in one
 * transaction; a message seen before is success too. */
static int hook_store(struct req *r, struct chan_inbound *in, const struct hook_extra *x)
{
	struct chan_inbound_result res;
	int rc = store_begin(r->store);

	if (rc < 0)
		return rc;
	rc = chan_inbound(r->store, in, r->now, &res, &r->ei);
	if (rc == 0 && x && x->wechat_user)
		rc = wx_user_seen(r->store, in->account_id, in->peer, in->peer_union, r->now);
	if (rc == 0 && x && !res.duplicate && x->media_kind && x->media_id && x->media_id[0])
		rc = wx_media_add(r->store, res.msg_id, in->account_id, x->media_kind, x->media_id,
				  x->format, r->now);
	rc = req_finish(r, rc);
	if (rc == 0)
		chan_wake();
	return rc;
}

/* -- WeChat -- */

static int wechat_verify(struct req *r)
{
	const char *sig = NULL, *ts = NULL, *nonce = NULL, *echo = NULL, *msig = NULL;
	json_t *cfg = NULL;
	int64_t id;
	int rc = hook_account(r, CHAN_WECHAT, &id, &cfg);

	if (rc < 0)
		return rc;
	req_query(r, "signature", &sig);
	req_query(r, "msg_signature", &msig);
	req_query(r, "timestamp", &ts);
	req_query(r, "nonce", &nonce);
	req_query(r, "echostr", &echo);
	if (!echo) {
		rc = err_set(&r->ei, ERR_INVALID, "echostr", "%s: required", "echostr");
	} else if (msig) {
		/* WeCom verifies with an encrypted echostr and msg_signature. */
		char *plain = NULL;
		size_t len;

		if (!wx_signature_ok(cfg_str(cfg, "token", NULL), ts, nonce, echo, msig))
			rc = bad_signature(r);
		else if (wx_decrypt(cfg_str(cfg, "aes_key", NULL), NULL, echo, &plain, &len) < 0)
			rc = err_set(&r->ei, ERR_INVALID, "echostr",
				     "the encrypted message is not valid");
		else
			rc = reply_text(r, plain);
		free(plain);
	} else if (!wx_signature_ok(cfg_str(cfg, "token", NULL), ts, nonce, NULL, sig)) {
		rc = bad_signature(r);
	} else {
		rc = reply_text(r, echo);
	}
	json_decref(cfg);
	return rc;
}

static int wechat_push(struct req *r)
{
	const char *sig = NULL, *ts = NULL, *nonce = NULL, *msig = NULL, *enc_type = NULL;
	struct wx_msg *m = NULL;
	char *plain = NULL, ext[CHAN_EXT_ID_MAX], *text = NULL;
	size_t plain_len = 0;
	json_t *cfg = NULL;
	int64_t id;
	int safe, rc = hook_account(r, CHAN_WECHAT, &id, &cfg);

	if (rc < 0)
		return rc;
	req_query(r, "signature", &sig);
	req_query(r, "msg_signature", &msig);
	req_query(r, "timestamp", &ts);
	req_query(r, "nonce", &nonce);
	req_query(r, "encrypt_type", &enc_type);
	safe = strcmp(cfg_str(cfg, "mode", "plain"), "safe") == 0;
	m = malloc(sizeof(*m));
	text = malloc(CHAN_TEXT_MAX * 3 + 64);
	if (!m || !text) {
		rc = ERR_NOMEM;
		goto out;
	}
	/* The plain signature is checked first in both modes, so a stranger's
	 * body is never parsed (WeChat signs every push with it). */
	if (!safe && !wx_signature_ok(cfg_str(cfg, "token", NULL), ts, nonce, NULL, sig)) {
		rc = bad_signature(r);
		goto out;
	}
	if (safe && (!msig || !enc_type || strcmp(enc_type, "aes") != 0)) {
		rc = err_set(&r->ei, ERR_FORBIDDEN, "msg_signature",
			     "this account takes encrypted messages only");
		goto out;
	}
	if (wx_parse(r->raw, r->raw_len, m) < 0) {
		rc = err_set(&r->ei, ERR_INVALID, NULL, "malformed XML");
		goto out;
	}
	if (safe) {
		if (!m->encrypt[0] ||
		    !wx_signature_ok(cfg_str(cfg, "token", NULL), ts, nonce, m->encrypt, msig)) {
			rc = bad_signature(r);
			goto out;
		}
		if (wx_decrypt(cfg_str(cfg, "aes_key", NULL), cfg_str(cfg, "appid", NULL),
			       m->encrypt, &plain, &plain_len) < 0) {
			rc = err_set(&r->ei, ERR_INVALID, NULL,
				     "the encrypted message is not valid");
			goto out;
		}
		if (wx_parse(plain, plain_len, m) < 0) {
			rc = err_set(&r->ei, ERR_INVALID, NULL, "malformed XML");
			goto out;
		}
	}
	if (!m->from[0] || !m->type[0]) {
		rc = err_set(&r->ei, ERR_INVALID, "FromUserName", "%s: required", "FromUserName");
		goto out;
	}
	wx_text(m, text, CHAN_TEXT_MAX * 3 + 64);
	if (text[0]) {
		struct chan_inbound in = {.account_id = id, .peer = m->from, .text = text};
		struct hook_extra x = {.wechat_user = 1};

		wx_ext_id(m, ext, sizeof(ext));
		in.ext_id = ext;
		in.at = m->create_time > 0 ? m->create_time * 1000 : 0;
		in.peer_union = m->union_id[0] ? m->union_id : NULL;
		/*
		 * A picture or a voice is fetched by its MediaId through the media
		 * API by the tick (chan_wx_tick), never while WeChat waits for its
		 * "success": the message is stored now and the file follows.
		 */
		if (strcmp(m->type, "image") == 0 || strcmp(m->type, "voice") == 0) {
			x.media_kind = m->type;
			x.media_id = m->media_id;
			x.format = m->format;
		}
		rc = hook_store(r, &in, &x);
		if (rc < 0)
			goto out;
	}
	/* WeChat waits 5 s for "success" and pushes again three times; the
	 * reply goes later through the customer-service API. */
	rc = reply_text(r, "success");
out:
	free(plain);
	free(text);
	free(m);
	json_decref(cfg);
	return rc;
}

/* -- Weibo -- */

static int weibo_signed(struct req *r, json_t *cfg)
{
	const char *sig = NULL, *ts = NULL, *nonce = NULL;

	req_query(r, "signature", &sig);
	req_query(r, "timestamp", &ts);
	req_query(r, "nonce", &nonce);
	return wx_signature_ok(cfg_str(cfg, "app_secret", NULL), ts, nonce, NULL, sig);
}

static int weibo_verify(struct req *r)
{
	const char *echo = NULL;
	json_t *cfg = NULL;
	int64_t id;
	int rc = hook_account(r, CHAN_WEIBO, &id, &cfg);

	if (rc < 0)
		return rc;
	req_query(r, "echostr", &echo);
	if (!weibo_signed(r, cfg))
		rc = bad_signature(r);
	else if (!echo)
		rc = err_set(&r->ei, ERR_INVALID, "echostr", "%s: required", "echostr");
	else
		rc = reply_text(r, echo);
	json_decref(cfg);
	return rc;
}

static int weibo_push(struct req *r)
{
	json_t *cfg = NULL, *msg = NULL;
	int64_t id;
	int rc = hook_account(r, CHAN_WEIBO, &id, &cfg);

	if (rc < 0)
		return rc;
	if (!weibo_signed(r, cfg)) {
		rc = bad_signature(r);
		goto out;
	}
	msg = json_loadb(r->raw ? r->raw : "", r->raw_len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(msg)) {
		rc = err_set(&r->ei, ERR_INVALID, NULL, "the message must be a JSON object");
		goto out;
	}
	{
		const char *type = json_string_value(json_object_get(msg, "type"));
		const char *text = json_string_value(json_object_get(msg, "text"));
		const char *created = json_string_value(json_object_get(msg, "created_at"));
		json_t *sender = json_object_get(msg, "sender_id"),
		       *mid = json_object_get(msg, "id");
		char peer[32], ext[CHAN_EXT_ID_MAX], line[128], media[128] = "";

		if (json_is_integer(sender))
			snprintf(peer, sizeof(peer), "%lld", (long long)json_integer_value(sender));
		else if (json_is_string(sender) && strlen(json_string_value(sender)) < sizeof(peer))
			snprintf(peer, sizeof(peer), "%s", json_string_value(sender));
		else
			peer[0] = '\0';
		if (!peer[0] || !type) {
			rc = err_set(&r->ei, ERR_INVALID, "sender_id", "%s: required", "sender_id");
			goto out;
		}
		if (json_is_integer(mid))
			snprintf(ext, sizeof(ext), "wb:%lld", (long long)json_integer_value(mid));
		else if (json_is_string(mid))
			snprintf(ext, sizeof(ext), "wb:%.200s", json_string_value(mid));
		else
			snprintf(ext, sizeof(ext), "wb:%s:%.100s", peer, created ? created : "");
		if (strcmp(type, "image") == 0) {
			/* The picture's fid (the receiver's, else the sender's) is
			 * fetched through the fans API by the tick. */
			json_t *d = json_object_get(msg, "data");
			json_t *fid = json_object_get(d, "tovfid");

			if (!fid || json_is_null(fid))
				fid = json_object_get(d, "vfid");
			if (json_is_integer(fid))
				snprintf(media, sizeof(media), "%lld",
					 (long long)json_integer_value(fid));
			else if (json_is_string(fid) && strlen(json_string_value(fid)) < 100)
				snprintf(media, sizeof(media), "%s", json_string_value(fid));
		}
		if (strcmp(type, "text") != 0) {
			/* Voice and positions: the agent sees what came and asks for it
			 * in words. */
			snprintf(line, sizeof(line), "[%s]",
				 strcmp(type, "image") == 0	 ? "图片"
				 : strcmp(type, "voice") == 0	 ? "语音"
				 : strcmp(type, "position") == 0 ? "位置"
								 : type);
			text = strcmp(type, "event") == 0 ? NULL : line;
		}
		if (text && *text) {
			struct chan_inbound in = {
				.account_id = id, .peer = peer, .text = text, .ext_id = ext};
			struct hook_extra x = {.media_kind = media[0] ? "image" : NULL,
					       .media_id = media};

			rc = hook_store(r, &in, &x);
			if (rc < 0)
				goto out;
		}
	}
	rc = reply_text(r, "success");
out:
	json_decref(msg);
	json_decref(cfg);
	return rc;
}

/* -- The adapters: replies through the platforms' APIs -- */

/* access_token of one appid, cached until 5 minutes before it expires. */
struct wx_token {
	char appid[64];
	char token[600];
	int64_t until; /* clock_now_ms */
};

#define WX_TOKENS 16
static struct wx_token tokens[WX_TOKENS];
static pthread_mutex_t tokens_lock = PTHREAD_MUTEX_INITIALIZER;

static int wx_token_get(const char *base, const char *appid, const char *secret, int fresh,
			char *out, size_t size, char *error, size_t esize)
{
	struct buf resp = BUF_INIT, url = BUF_INIT;
	int64_t now = clock_now_ms();
	json_t *j = NULL;
	struct wx_token *slot = NULL;
	long status;
	int rc = 0;

	pthread_mutex_lock(&tokens_lock);
	for (int i = 0; i < WX_TOKENS; i++)
		if (strcmp(tokens[i].appid, appid) == 0) {
			slot = &tokens[i];
			break;
		}
	if (slot && !fresh && slot->until > now) {
		snprintf(out, size, "%s", slot->token);
		pthread_mutex_unlock(&tokens_lock);
		return 0;
	}
	pthread_mutex_unlock(&tokens_lock);

	buf_printf(&url, "%s/cgi-bin/token?grant_type=client_credential&appid=%s&secret=%s", base,
		   appid, secret);
	rc = chan_wx_http(url.p, NULL, NULL, &status, &resp, error, esize);
	if (rc == 0) {
		const char *t;

		j = resp.len ? json_loadb(resp.p, resp.len, 0, NULL) : NULL;
		t = json_string_value(json_object_get(j, "access_token"));
		if (status != 200 || !t || strlen(t) >= sizeof(slot->token)) {
			snprintf(error, esize, "access_token: %.200s",
				 json_string_value(json_object_get(j, "errmsg"))
					 ? json_string_value(json_object_get(j, "errmsg"))
					 : "no token");
			rc = status >= 500 ? ERR_BUSY : ERR_FORBIDDEN;
		} else {
			int64_t exp = json_integer_value(json_object_get(j, "expires_in"));

			snprintf(out, size, "%s", t);
			pthread_mutex_lock(&tokens_lock);
			if (!slot) {
				slot = &tokens[0];
				for (int i = 0; i < WX_TOKENS; i++)
					if (tokens[i].until < slot->until)
						slot = &tokens[i];
			}
			snprintf(slot->appid, sizeof(slot->appid), "%s", appid);
			snprintf(slot->token, sizeof(slot->token), "%s", t);
			slot->until = now + (exp > 600 ? exp - 300 : 60) * 1000;
			pthread_mutex_unlock(&tokens_lock);
		}
	}
	json_decref(j);
	buf_release(&resp);
	buf_release(&url);
	return rc;
}

static int wechat_send(const struct chan_outbound *m, char *ext_id, size_t ext_size, char *error,
		       size_t error_size)
{
	json_t *cfg = json_loads(m->config ? m->config : "{}", 0, NULL), *body = NULL, *j = NULL;
	const char *base = cfg_str(cfg, "api_base", WX_API_BASE);
	const char *appid = cfg_str(cfg, "appid", NULL), *secret = cfg_str(cfg, "secret", NULL);
	char token[600], *text = NULL;
	struct buf url = BUF_INIT, resp = BUF_INIT;
	long status = 0;
	int rc;

	ext_id[0] = '\0';
	if (!appid || !secret) {
		snprintf(error, error_size, "the account has no appid or secret");
		json_decref(cfg);
		return ERR_UNPROCESSABLE;
	}
	body = json_pack("{s:s, s:s, s:{s:s}}", "touser", m->peer, "msgtype", "text", "text",
			 "content", m->text ? m->text : "");
	text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	for (int attempt = 0; attempt < 2; attempt++) {
		int64_t code;

		rc = wx_token_get(base, appid, secret, attempt > 0, token, sizeof(token), error,
				  error_size);
		if (rc < 0)
			break;
		buf_release(&url);
		buf_release(&resp);
		buf_printf(&url, "%s/cgi-bin/message/custom/send?access_token=%s", base, token);
		rc = chan_wx_http(url.p, text ? text : "{}", "application/json", &status, &resp,
				  error, error_size);
		if (rc < 0)
			break;
		json_decref(j);
		j = resp.len ? json_loadb(resp.p, resp.len, 0, NULL) : NULL;
		code = json_integer_value(json_object_get(j, "errcode"));
		if (status == 200 && j && code == 0) {
			rc = 0;
			snprintf(ext_id, ext_size, "%s",
				 json_string_value(json_object_get(j, "msgid"))
					 ? json_string_value(json_object_get(j, "msgid"))
					 : "");
			break;
		}
		snprintf(error, error_size, "WeChat %ld: %lld %.160s", status, (long long)code,
			 json_string_value(json_object_get(j, "errmsg"))
				 ? json_string_value(json_object_get(j, "errmsg"))
				 : "");
		/* 40001/42001: the token was revoked or expired early: once more, fresh. */
		if (code == 40001 || code == 42001 || code == 40014)
			continue;
		/* -1 system busy, 45009 the API's daily limit: later. 45015 (the
		 * customer wrote more than 48 h ago) and the rest: failed now. */
		rc = (code == -1 || code == 45009 || status >= 500) ? ERR_BUSY : ERR_UNPROCESSABLE;
		break;
	}
	free(text);
	json_decref(body);
	json_decref(j);
	json_decref(cfg);
	buf_release(&url);
	buf_release(&resp);
	return rc;
}

/* A text reply by Weibo's fans-service API: form fields access_token,
 * type=text, data={"text": …} (URL-encoded JSON) and receiver_id. */
static int weibo_send(const struct chan_outbound *m, char *ext_id, size_t ext_size, char *error,
		      size_t error_size)
{
	json_t *cfg = json_loads(m->config ? m->config : "{}", 0, NULL), *data, *j = NULL;
	const char *base = cfg_str(cfg, "api_base", WEIBO_API_BASE);
	const char *token = cfg_str(cfg, "access_token", NULL);
	struct buf url = BUF_INIT, form = BUF_INIT, resp = BUF_INIT;
	char *djson = NULL, *enc = NULL, *tenc = NULL;
	long status = 0;
	int rc;

	ext_id[0] = '\0';
	if (!token) {
		snprintf(error, error_size, "the account has no access_token");
		json_decref(cfg);
		return ERR_UNPROCESSABLE;
	}
	data = json_pack("{s:s}", "text", m->text ? m->text : "");
	djson = data ? json_dumps(data, JSON_COMPACT) : NULL;
	enc = djson ? malloc(strlen(djson) * 3 + 1) : NULL;
	tenc = malloc(strlen(token) * 3 + 1);
	if (!enc || !tenc || sms_pct(djson, enc, strlen(djson) * 3 + 1) < 0 ||
	    sms_pct(token, tenc, strlen(token) * 3 + 1) < 0) {
		rc = ERR_NOMEM;
		snprintf(error, error_size, "out of memory");
		goto out;
	}
	buf_printf(&url, "%s/2/messages/reply.json", base);
	buf_printf(&form, "access_token=%s&type=text&data=%s&receiver_id=%s&save_sender_box=1",
		   tenc, enc, m->peer);
	rc = chan_wx_http(url.p, form.p, "application/x-www-form-urlencoded", &status, &resp, error,
			  error_size);
	if (rc == 0) {
		j = resp.len ? json_loadb(resp.p, resp.len, 0, NULL) : NULL;
		if (status == 200 && j && !json_object_get(j, "error_code")) {
			json_t *mid = json_object_get(j, "id");

			if (json_is_integer(mid))
				snprintf(ext_id, ext_size, "%lld",
					 (long long)json_integer_value(mid));
			else if (json_is_string(mid))
				snprintf(ext_id, ext_size, "%s", json_string_value(mid));
		} else {
			snprintf(error, error_size, "Weibo %ld: %.200s", status,
				 json_string_value(json_object_get(j, "error"))
					 ? json_string_value(json_object_get(j, "error"))
					 : "no answer");
			rc = status >= 500 || status == 429 ? ERR_BUSY : ERR_UNPROCESSABLE;
		}
	}
out:
	free(djson);
	free(enc);
	free(tenc);
	json_decref(data);
	json_decref(j);
	json_decref(cfg);
	buf_release(&url);
	buf_release(&form);
	buf_release(&resp);
	return rc;
}

/* -- The tick: unionids looked up and media fetched, off the webhooks -- */

#define WX_VOICE_MAX (2 << 20) /* WeChat's own limit of a voice (60 s) */
#define WX_TICK_ITEMS 4	       /* lookups and downloads a round: the scheduler's thread is shared */
#define WX_LOOKUP_TRIES 3
#define WX_MEDIA_TRIES 5
#define WX_DAY_MS (24 * 3600 * 1000LL)

/* "base/path?access_token=T&name=value" with the value percent-encoded, into url. */
static int wx_api_url(struct buf *url, const char *base, const char *path, const char *token,
		      const char *name, const char *value)
{
	size_t cap = strlen(value) * 3 + 1;
	char *enc = malloc(cap);
	int rc = enc && sms_pct(value, enc, cap) == 0 ? 0 : ERR_NOMEM;

	buf_release(url);
	if (rc == 0)
		rc = buf_printf(url, "%s%s?access_token=%s&%s=%s", base, path, token, name, enc) < 0
			     ? ERR_NOMEM
			     : 0;
	free(enc);
	return rc;
}

/* WeChat's errcode in an answer that is JSON (an error where bytes were expected), else 0. */
static int64_t wx_errcode(const struct buf *b, char *error, size_t esize)
{
	json_t *j = b->len && b->p[0] == '{' ? json_loadb(b->p, b->len, 0, NULL) : NULL;
	int64_t code = json_integer_value(json_object_get(j, "errcode"));

	if (code)
		snprintf(error, esize, "WeChat %lld %.160s", (long long)code,
			 cfg_str(j, "errmsg", ""));
	json_decref(j);
	return code;
}

/*
 * A GET of WeChat's API with the account's access_token (a fresh one once
 * when WeChat says it expired): the user-info API (JSON) or the media API
 * (bytes, or JSON with an errcode). ERR_BUSY to try again later.
 */
static int wx_api_get(json_t *cfg, const char *path, const char *name, const char *value,
		      size_t max, struct buf *out, char *ctype, size_t csize, char *error,
		      size_t esize)
{
	const char *base = cfg_str(cfg, "api_base", WX_API_BASE);
	const char *appid = cfg_str(cfg, "appid", NULL), *secret = cfg_str(cfg, "secret", NULL);
	struct buf url = BUF_INIT;
	char token[600];
	int rc = ERR_UNPROCESSABLE;

	if (!appid || !secret) {
		snprintf(error, esize, "the account has no appid or secret");
		return rc;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		int64_t code;

		rc = wx_token_get(base, appid, secret, attempt > 0, token, sizeof(token), error,
				  esize);
		if (rc == 0)
			rc = wx_api_url(&url, base, path, token, name, value);
		if (rc < 0)
			break;
		buf_release(out);
		rc = chan_wx_fetch(url.p, max, 10L, out, ctype, csize, error, esize);
		if (rc < 0)
			break;
		code = wx_errcode(out, error, esize);
		if (code == 40001 || code == 42001 || code == 40014)
			continue;
		rc = code == 0 ? 0 : code == -1 || code == 45009 ? ERR_BUSY : ERR_UNPROCESSABLE;
		break;
	}
	buf_release(&url);
	return rc == ERR_NOTFOUND ? ERR_BUSY : rc;
}

/* One openid's unionid by the user-info API (cgi-bin/user/info). */
static int wx_lookup_one(struct store *s, struct wx_user *u, int64_t now)
{
	struct buf resp = BUF_INIT;
	char *text = NULL, error[256] = "", unionid[128] = "";
	json_t *cfg = NULL, *j = NULL;
	int64_t next = now + WX_DAY_MS, customer = 0;
	int enabled = 0, rc = wx_account_get(s, u->account_id, CHAN_WECHAT, &enabled, &text);

	u->tries++;
	if (rc == 0 && enabled) {
		cfg = json_loads(text, 0, NULL);
		rc = wx_api_get(cfg, "/cgi-bin/user/info", "openid", u->openid, 65536, &resp, NULL,
				0, error, sizeof(error));
		j = rc == 0 ? json_loadb(resp.p, resp.len, 0, NULL) : NULL;
		if (json_string_value(json_object_get(j, "unionid")) &&
		    strlen(json_string_value(json_object_get(j, "unionid"))) < sizeof(unionid))
			snprintf(unionid, sizeof(unionid), "%s",
				 json_string_value(json_object_get(j, "unionid")));
		/* No unionid: the account is bound to no open platform; asked again a day on. */
		if (rc == ERR_BUSY)
			next = now + 60000LL * u->tries;
		else if (rc < 0)
			log_info("chan: WeChat user info of an openid: %s", error);
	}
	rc = store_begin(s);
	if (rc == 0)
		rc = wx_user_looked_up(s, u, unionid[0] ? unionid : NULL, next, now);
	/* The person's customer, known through another of the center's accounts. */
	if (rc == 0 && unionid[0] && chan_customer_match_union(s, unionid, &customer) == 0)
		rc = wx_conv_customer_fill(s, u->account_id, u->openid, customer);
	if (rc < 0)
		store_rollback(s);
	else
		rc = store_commit(s);
	free(text);
	json_decref(cfg);
	json_decref(j);
	buf_release(&resp);
	return rc;
}

/* One message's picture or voice, by WeChat's media API or Weibo's fans service. */
static int wx_media_one(struct store *s, struct wx_media *md, int64_t now)
{
	struct buf data = BUF_INIT;
	char *text = NULL, error[256] = "", ctype[128] = "", name[32], line[320];
	const char *refused = NULL, *what = strcmp(md->kind, "voice") == 0 ? "语音" : "图片";
	size_t max = strcmp(md->kind, "voice") == 0 ? WX_VOICE_MAX : WX_PICTURE_MAX;
	json_t *cfg = NULL;
	int enabled = 0, weibo = 0,
	    rc = wx_account_get(s, md->account_id, CHAN_WECHAT, &enabled, &text);

	if (rc == ERR_NOTFOUND) {
		weibo = 1;
		rc = wx_account_get(s, md->account_id, CHAN_WEIBO, &enabled, &text);
	}
	md->tries++;
	if (rc == 0 && !enabled) {
		snprintf(error, sizeof(error), "the account is disabled");
		rc = ERR_UNPROCESSABLE;
	} else if (rc == 0) {
		cfg = json_loads(text, 0, NULL);
		if (!weibo) {
			rc = wx_api_get(cfg, "/cgi-bin/media/get", "media_id", md->media_id, max,
					&data, ctype, sizeof(ctype), error, sizeof(error));
		} else {
			struct buf url = BUF_INIT;
			const char *token = cfg_str(cfg, "access_token", "");

			rc = wx_api_url(&url, cfg_str(cfg, "api_base", WEIBO_API_BASE),
					"/2/mss/msget", token, "fid", md->media_id);
			if (rc == 0)
				rc = chan_wx_fetch(url.p, max, 10L, &data, ctype, sizeof(ctype),
						   error, sizeof(error));
			if (rc == ERR_NOTFOUND)
				rc = ERR_BUSY;
			buf_release(&url);
		}
	}
	if (rc == 0 && !data.len) {
		snprintf(error, sizeof(error), "empty");
		rc = ERR_UNPROCESSABLE;
	}
	if (rc == ERR_TOOBIG)
		snprintf(error, sizeof(error), "over %zu bytes", max);
	rc = rc == ERR_BUSY && md->tries < WX_MEDIA_TRIES ? ERR_BUSY : rc;
	if (rc == 0) {
		const char *mime = att_sniff((const unsigned char *)data.p, data.len);

		if (!mime)
			mime = att_sniff_audio((const unsigned char *)data.p, data.len);

		snprintf(name, sizeof(name), "%s.%s",
			 strcmp(md->kind, "voice") == 0 ? "voice" : "image",
			 mime ? att_extension(mime) : "bin");
	}
	if (rc < 0 && rc != ERR_BUSY && !error[0])
		snprintf(error, sizeof(error), "the account is gone");
	{
		struct chan_file f = {name, ctype, data.p, data.len};
		const char *state = rc == ERR_BUSY ? "pending" : rc == 0 ? "done" : "failed";
		int wrc = store_begin(s);

		/* The try is recorded first: of two app nodes that fetched the same
		 * media, the one that comes second writes nothing. */
		if (wrc == 0)
			wrc = wx_media_set(s, md->id, state, md->tries,
					   rc == ERR_BUSY ? now + 30000LL * md->tries : now,
					   rc == 0 ? NULL : error);
		wrc = wrc == 0 ? ERR_CONFLICT : wrc > 0 ? 0 : wrc;
		if (wrc == 0 && rc == 0) {
			wrc = chan_msg_file_add(s, md->message_id, &f, now, &refused);
			if (wrc == 0 && refused)
				wrc = wx_media_fail(s, md->id, refused);
		}
		/* The agent is told in the conversation why the file is missing. */
		if (wrc == 0 && (refused || (rc < 0 && rc != ERR_BUSY))) {
			snprintf(line, sizeof(line), "%s未能保存：%.200s", what,
				 refused ? refused : error);
			wrc = chan_event(s, md->conv_id, md->account_id, line, now);
		}
		if (wrc < 0)
			store_rollback(s);
		else
			wrc = store_commit(s);
		if (wrc == 0 && rc != ERR_BUSY)
			chan_wake();
		rc = wrc == ERR_CONFLICT ? 0 : wrc;
	}
	free(text);
	json_decref(cfg);
	buf_release(&data);
	return rc;
}

int chan_wx_tick(struct store *s, int64_t now, void *arg)
{
	struct wx_user users[WX_TICK_ITEMS];
	struct wx_media media[WX_TICK_ITEMS];
	int n, done = 0, rc = 0;

	(void)arg;
	n = wx_user_due(s, now, WX_LOOKUP_TRIES, users, WX_TICK_ITEMS);
	for (int i = 0; i < n && rc == 0; i++, done++)
		rc = wx_lookup_one(s, &users[i], now);
	if (n < 0 || rc < 0)
		return n < 0 ? n : rc;
	n = wx_media_due(s, now, media, WX_TICK_ITEMS);
	for (int i = 0; i < n && rc == 0; i++, done++)
		rc = wx_media_one(s, &media[i], now);
	if (n < 0 || rc < 0)
		return n < 0 ? n : rc;
	/* A full batch: the scheduler runs the next round at once. */
	return done;
}

/* -- Accounts' configs -- */

static int need_str(json_t *cfg, const char *key, size_t min, size_t max, int rc,
		    struct err_info *ei)
{
	json_t *v = json_object_get(cfg, key);
	size_t n = json_is_string(v) ? strlen(json_string_value(v)) : 0;
	char field[64];

	/* Each key its own field, so that every wrong one is listed. */
	snprintf(field, sizeof(field), "config.%s", key);
	if (!json_is_string(v) || n < min || n > max)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, field, "config.%s: %zu to %zu characters",
			     key, min, max);
	return rc;
}

static int url_ok(json_t *cfg, const char *key, int rc, struct err_info *ei)
{
	const char *v = json_string_value(json_object_get(cfg, key));
	char field[64];

	snprintf(field, sizeof(field), "config.%s", key);
	if (json_object_get(cfg, key) &&
	    (!v || (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) ||
	     strlen(v) > 200))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, field, "config.%s: an http or https URL",
			     key);
	return rc;
}

int chan_wx_config_check(enum chan_kind kind, const char *config, struct err_info *ei)
{
	json_t *cfg;
	int rc = 0;

	if (kind != CHAN_WECHAT && kind != CHAN_WEIBO && kind != CHAN_SMS)
		return 0;
	cfg = json_loads(config ? config : "{}", 0, NULL);
	if (!json_is_object(cfg)) {
		json_decref(cfg);
		return err_set(ei, ERR_INVALID, "config", "%s: expected an object", "config");
	}
	rc = url_ok(cfg, "api_base", rc, ei);
	if (kind == CHAN_WECHAT) {
		const char *mode = cfg_str(cfg, "mode", "plain");

		rc = need_str(cfg, "appid", 1, 64, rc, ei);
		rc = need_str(cfg, "secret", 1, 128, rc, ei);
		/* WeChat's rule for the token: 3 to 32 letters and digits. */
		rc = need_str(cfg, "token", 3, 32, rc, ei);
		if (strcmp(mode, "plain") != 0 && strcmp(mode, "safe") != 0)
			rc = err_add(ei, rc, ERR_UNPROCESSABLE, "config.mode",
				     "config.mode: plain or safe");
		if (strcmp(mode, "safe") == 0 || json_object_get(cfg, "aes_key")) {
			unsigned char rnd[16] = {0};
			char *probe = NULL;

			/* A key that cannot encrypt is refused now, not at the first push. */
			if (wx_encrypt(cfg_str(cfg, "aes_key", ""), "x", "x", 1, rnd, &probe) < 0)
				rc = err_add(
					ei, rc, ERR_UNPROCESSABLE, "config.aes_key",
					"config.aes_key: the 43 characters of the EncodingAESKey");
			free(probe);
		}
	} else if (kind == CHAN_WEIBO) {
		rc = need_str(cfg, "app_secret", 1, 128, rc, ei);
		rc = need_str(cfg, "access_token", 1, 512, rc, ei);
	} else {
		rc = need_str(cfg, "access_key_id", 1, 128, rc, ei);
		rc = need_str(cfg, "access_key_secret", 1, 128, rc, ei);
		rc = need_str(cfg, "sign_name", 1, 64, rc, ei);
		/* The provider's push carries it: long enough not to be guessed. */
		rc = need_str(cfg, "hook_token", 16, 128, rc, ei);
	}
	json_decref(cfg);
	return rc;
}

static const struct chan_adapter wechat_adapter = {CHAN_WECHAT, wechat_send};
static const struct chan_adapter weibo_adapter = {CHAN_WEIBO, weibo_send};

int chan_wx_adapters_add(void)
{
	int rc;

	chan_wx_http_init();
	rc = chan_adapter_add(&wechat_adapter);
	if (rc == 0)
		rc = chan_adapter_add(&weibo_adapter);
	if (rc == 0)
		rc = chan_sms_adapter_add();
	return rc;
}

const struct route chan_wx_routes[] = {
	{"GET", "/api/hooks/wechat/{account}", wechat_verify, ACT_PUBLIC},
	{"POST", "/api/hooks/wechat/{account}", wechat_push, ACT_PUBLIC},
	{"GET", "/api/hooks/weibo/{account}", weibo_verify, ACT_PUBLIC},
	{"POST", "/api/hooks/weibo/{account}", weibo_push, ACT_PUBLIC},
	{NULL, NULL, NULL, 0},
};
