/* Unit tests of the WeChat, Weibo and SMS rules (issue 18; CUST-4):
 * the push signature, the safe mode's AES-256-CBC envelope against bytes
 * computed independently (Python's cryptography package, AES-256-CBC with
 * IV = the key's first 16 bytes), the XML of a message with its dedup id
 * and what the agent reads, the SMS provider's signature (HMAC-SHA1 over
 * the sorted, percent-encoded parameters, recomputed by Python's hmac),
 * opt-out words, birthdays and templates. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "chan/chan_wx.h"
#include "core/err.h"

#define KEY43 "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
#define APPID "wx1234567890abcdef"
#define MSG "<xml><ToUserName><![CDATA[gh_1]]></ToUserName></xml>"
/* base64(AES-256-CBC(random 00..0f, len, MSG, APPID, PKCS#7 to 32)). */
#define CIPHER                                                                                     \
	"IG+0eOkLdhYW9kHtuT3HY7zjHQTEzqrSdNDNOZ4tfAIrsc0cvUEohSVc7QeYuW4PCJB7XuXjGPU+"             \
	"5LaO6iy6X3U2Mgr"                                                                          \
	"h6w/eWgjKshXLJrnfxgxOm4gUyq08IhHMX3BD"

static void signature(void **state)
{
	const char *parts[] = {"token123", "1409659813", "1372623149"};
	char out[41];

	(void)state;
	assert_int_equal(wx_sha1_sorted(parts, 3, out), 0);
	assert_string_equal(out, "fb6c2d012d0a326e7a2a160f1310ef65d962887f");
	assert_true(wx_signature_ok("token123", "1409659813", "1372623149", NULL,
				    "fb6c2d012d0a326e7a2a160f1310ef65d962887f"));
	assert_false(wx_signature_ok("token123", "1409659814", "1372623149", NULL,
				     "fb6c2d012d0a326e7a2a160f1310ef65d962887f"));
	assert_false(wx_signature_ok("", "1409659813", "1372623149", NULL,
				     "fb6c2d012d0a326e7a2a160f1310ef65d962887f"));
	assert_false(wx_signature_ok("token123", NULL, "1", NULL, "x"));
}

static void aes(void **state)
{
	unsigned char rnd[16];
	char *b64 = NULL, *plain = NULL;
	size_t len = 0;

	(void)state;
	for (int i = 0; i < 16; i++)
		rnd[i] = (unsigned char)i;
	assert_int_equal(wx_encrypt(KEY43, APPID, MSG, strlen(MSG), rnd, &b64), 0);
	assert_string_equal(b64, CIPHER);
	assert_int_equal(wx_decrypt(KEY43, APPID, CIPHER, &plain, &len), 0);
	assert_int_equal(len, strlen(MSG));
	assert_string_equal(plain, MSG);
	free(plain);
	/* Another account's appid, a wrong key, a cut text: refused. */
	assert_int_equal(wx_decrypt(KEY43, "wxother", CIPHER, &plain, &len), ERR_INVALID);
	assert_int_equal(wx_decrypt("bbcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", APPID, CIPHER,
				    &plain, &len),
			 ERR_INVALID);
	b64[20] = '\0';
	assert_int_equal(wx_decrypt(KEY43, APPID, b64, &plain, &len), ERR_INVALID);
	assert_int_equal(wx_decrypt("short", APPID, CIPHER, &plain, &len), ERR_INVALID);
	free(b64);
}

static void xml(void **state)
{
	static const char text[] =
		"<xml><ToUserName><![CDATA[gh_abc]]></ToUserName>"
		"<FromUserName><![CDATA[oUser1]]></FromUserName><CreateTime>1700000000</CreateTime>"
		"<MsgType><![CDATA[text]]></MsgType><Content>路灯坏了 &amp; 不亮</Content>"
		"<MsgId>1234567890123456</MsgId></xml>";
	static const char event[] =
		"<xml><ToUserName>gh</ToUserName><FromUserName>oUser2</FromUserName>"
		"<CreateTime>1700000001</CreateTime><MsgType>event</MsgType>"
		"<Event>subscribe</Event></xml>";
	static const char voice[] =
		"<xml><FromUserName>o3</FromUserName><MsgType>voice</MsgType><MediaId>m1</MediaId>"
		"<Recognition>我要投诉</Recognition><MsgId>9</MsgId></xml>";
	static const char bomb[] =
		"<!DOCTYPE x [<!ENTITY a \"aaaa\">]><xml><Content>&a;</Content></xml>";
	struct wx_msg *m = malloc(sizeof(*m));
	char out[256];

	(void)state;
	assert_int_equal(wx_parse(text, strlen(text), m), 0);
	assert_string_equal(m->from, "oUser1");
	assert_string_equal(m->type, "text");
	assert_string_equal(m->content, "路灯坏了 & 不亮");
	assert_int_equal(m->create_time, 1700000000);
	wx_ext_id(m, out, sizeof(out));
	assert_string_equal(out, "wx:1234567890123456");
	wx_text(m, out, sizeof(out));
	assert_string_equal(out, "路灯坏了 & 不亮");

	assert_int_equal(wx_parse(event, strlen(event), m), 0);
	wx_ext_id(m, out, sizeof(out));
	assert_string_equal(out, "wx:oUser2:1700000001:subscribe");
	wx_text(m, out, sizeof(out));
	assert_string_equal(out, "[关注公众号]");

	assert_int_equal(wx_parse(voice, strlen(voice), m), 0);
	wx_text(m, out, sizeof(out));
	assert_string_equal(out, "[语音] 我要投诉");

	assert_int_equal(wx_parse("<xml><a>", 8, m), ERR_INVALID);
	assert_int_equal(wx_parse("<html></html>", 13, m), ERR_INVALID);
	assert_int_equal(wx_parse(bomb, strlen(bomb), m), ERR_INVALID);
	free(m);
}

static void sms(void **state)
{
	const char *names[] = {"AccessKeyId",	  "Action",	    "Format",
			       "PhoneNumbers",	  "RegionId",	    "SignName",
			       "SignatureMethod", "SignatureNonce", "SignatureVersion",
			       "TemplateCode",	  "TemplateParam",  "Timestamp",
			       "Version",	  "OutId"};
	const char *values[] = {"testId",
				"SendSms",
				"JSON",
				"15300000001",
				"cn-hangzhou",
				"阿里云短信测试专用",
				"HMAC-SHA1",
				"45e25e9b-0a6f-4070-8c85-2956eda1b466",
				"1.0",
				"SMS_71390007",
				"{\"customer\":\"test\"}",
				"2017-07-12T02:42:19Z",
				"2017-05-25",
				"123"};
	const char *pn[] = {"name", "order"}, *pv[] = {"王先生", "WO-1"};
	char sig[64], out[128];

	(void)state;
	assert_int_equal(sms_sign(names, values, 14, "testSecret", sig, sizeof(sig)), 0);
	assert_string_equal(sig, "uXFmOZ+G8ZX3qPh4wK0RMGokzcw=");
	assert_int_equal(sms_pct("a b~*", out, sizeof(out)), 0);
	assert_string_equal(out, "a%20b~%2A");

	assert_true(sms_is_optout("TD"));
	assert_true(sms_is_optout(" td \n"));
	assert_true(sms_is_optout("退订"));
	assert_false(sms_is_optout("TD我还有问题"));
	assert_false(sms_is_optout(""));

	assert_true(sms_birthday_is("03-15", 2026, 3, 15));
	assert_true(sms_birthday_is("1990-03-15", 2026, 3, 15));
	assert_false(sms_birthday_is("1990-03-16", 2026, 3, 15));
	assert_true(sms_birthday_is("2000-02-29", 2027, 2, 28));
	assert_false(sms_birthday_is("2000-02-29", 2028, 2, 28));
	assert_false(sms_birthday_is("3-15", 2026, 3, 15));

	assert_int_equal(sms_render("${name}您好，${order}已办结${x}", pn, pv, 2, out, sizeof(out)),
			 0);
	assert_string_equal(out, "王先生您好，WO-1已办结${x}");
	assert_int_equal(sms_render("${name}${name}${name}", pn, pv, 2, out, 10), ERR_TOOBIG);
}

/* WO-5: which order events call for a notice, each exactly one; the mobile numbers SMS reaches. */
static void notices(void **state)
{
	(void)state;
	assert_int_equal(sms_notice_of("order.create", "", "dispatched", ""),
			 SMS_NOTICE_DISPATCHED);
	assert_int_equal(sms_notice_of("order.create", "", "new", ""), -1);	 /* nobody yet */
	assert_int_equal(sms_notice_of("order.create", "", "archived", ""), -1); /* F: closed */
	assert_int_equal(sms_notice_of("order.assign", "new", "dispatched", ""),
			 SMS_NOTICE_DISPATCHED);
	assert_int_equal(sms_notice_of("order.assign", "accepted", "dispatched", ""), -1);
	assert_int_equal(sms_notice_of("order.accept", "dispatched", "accepted", ""),
			 SMS_NOTICE_ACCEPTED);
	assert_int_equal(sms_notice_of("order.report", "accepted", "reported", ""),
			 SMS_NOTICE_DONE);
	/* A callback writes two events: the attempt (with its outcome) and the state's. */
	assert_int_equal(sms_notice_of("order.callback", "", "", "unreachable"),
			 SMS_NOTICE_CALLBACK);
	assert_int_equal(sms_notice_of("order.callback", "reported", "reported", ""), -1);
	assert_int_equal(sms_notice_of("order.callback", "", "", "accepted"), -1);
	assert_int_equal(sms_notice_of("order.callback", "reported", "archived", ""),
			 SMS_NOTICE_CLOSED);
	assert_int_equal(sms_notice_of("order.sms", "", "", ""), -1);
	assert_int_equal(sms_notice_of(NULL, NULL, NULL, NULL), -1);
	for (int i = 0; i < SMS_NOTICE_COUNT; i++)
		assert_int_equal(sms_notice_parse(sms_notice_name((enum sms_notice)i)), i);
	assert_int_equal(sms_notice_parse("birthday"), -1);
	assert_true(sms_events_has("dispatched,done", "done"));
	assert_false(sms_events_has("dispatched,done", "don"));
	assert_false(sms_events_has("", "done"));
	assert_true(sms_is_mobile("13900139001"));
	assert_false(sms_is_mobile("12900139001"));
	assert_false(sms_is_mobile("02088880000"));
	assert_false(sms_is_mobile("1390013900"));
	assert_false(sms_is_mobile(NULL));
}

static void configs(void **state)
{
	struct err_info ei;

	(void)state;
	memset(&ei, 0, sizeof(ei));
	assert_int_equal(
		chan_wx_config_check(CHAN_WECHAT,
				     "{\"appid\": \"wx1\", \"secret\": \"s\", \"token\": "
				     "\"tok123\", \"mode\": \"safe\", \"aes_key\": \"" KEY43
				     "\", \"api_base\": \"http://127.0.0.1:9\"}",
				     &ei),
		0);
	memset(&ei, 0, sizeof(ei));
	assert_int_equal(chan_wx_config_check(CHAN_WECHAT,
					      "{\"appid\": \"wx1\", \"token\": \"t\", \"mode\": "
					      "\"safe\", \"aes_key\": \"short\"}",
					      &ei),
			 ERR_UNPROCESSABLE);
	assert_string_equal(ei.message, "config.secret: 1 to 128 characters");
	assert_int_equal(ei.nmore, 2); /* the token, the key */
	memset(&ei, 0, sizeof(ei));
	assert_int_equal(chan_wx_config_check(CHAN_SMS,
					      "{\"access_key_id\": \"a\", "
					      "\"access_key_secret\": \"b\", \"sign_name\": "
					      "\"c\", \"hook_token\": \"short\", "
					      "\"api_base\": \"ftp://x\"}",
					      &ei),
			 ERR_UNPROCESSABLE);
	assert_int_equal(ei.nmore, 1);
	memset(&ei, 0, sizeof(ei));
	assert_int_equal(chan_wx_config_check(CHAN_WEIBO, "[]", &ei), ERR_INVALID);
	assert_int_equal(chan_wx_config_check(CHAN_EMAIL, "{}", &ei), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signature), cmocka_unit_test(aes),	cmocka_unit_test(xml),
		cmocka_unit_test(sms),	     cmocka_unit_test(notices), cmocka_unit_test(configs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
