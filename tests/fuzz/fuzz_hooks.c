/*
 * Chat and webhook payloads (src/chan/chan_sms.c, chan_webchat.c,
 * chan_wechat_api.c): the input as a provider's push — JSON parsed as the
 * hooks parse it (duplicates refused), each SMS item's phone number
 * normalised and its text checked and tested for an opt-out word, a Weibo
 * message's sender and id — and as the accounts' JSON config of each kind
 * checked. The input's first line is also taken as an SMS template
 * rendered with values, a percent-encoding, a birthday, an event list, a
 * web chat visitor id and an Origin against a widget's allowed origins.
 */
#include <jansson.h>

#include "chan/chan_webchat.h"
#include "chan/chan_wx.h"
#include "core/err.h"
#include "core/utf8.h"
#include "cust/cust.h"
#include "fuzz/fuzz.h"

static void sms_item(json_t *it)
{
	const char *content = json_string_value(json_object_get(it, "content"));
	const char *phone = json_string_value(json_object_get(it, "phone_number"));
	char digits[32];

	if (phone)
		(void)cust_phone_normalize(phone, digits, sizeof(digits));
	if (content && utf8_valid(content, strlen(content)))
		(void)sms_is_optout(content);
}

static void weibo(json_t *msg)
{
	json_t *sender = json_object_get(msg, "sender_id");
	const char *text = json_string_value(json_object_get(msg, "text"));

	if (json_is_string(sender))
		(void)utf8_valid(json_string_value(sender), strlen(json_string_value(sender)));
	if (text)
		(void)utf8_len(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"name", "number", "phone"};
	static const char *const values[] = {"王先生", "GD20260101-0001", "13800138000"};
	char *s = fuzz_str(data, size), *nl;
	char out[1024];
	json_t *j;
	struct err_info ei;
	struct webchat_config cfg;

	if (!s)
		return 0;
	j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (json_is_array(j)) {
		size_t i;
		json_t *it;

		json_array_foreach(j, i, it) sms_item(it);
	} else if (json_is_object(j)) {
		sms_item(j);
		weibo(j);
	}
	json_decref(j);
	for (int k = 0; k < CHAN_KIND_COUNT; k++) {
		memset(&ei, 0, sizeof(ei));
		(void)chan_wx_config_check((enum chan_kind)k, s, &ei);
	}
	nl = strchr(s, '\n');
	if (nl)
		*nl = '\0';
	(void)sms_render(s, names, values, 3, out, sizeof(out));
	(void)sms_pct(s, out, sizeof(out));
	(void)sms_birthday_is(s, 2026, 2, 28);
	(void)sms_events_has(s, "order.done");
	(void)sms_is_mobile(s);
	(void)webchat_vid_valid(s);
	webchat_config_default(&cfg);
	snprintf(cfg.origins[0], sizeof(cfg.origins[0]), "https://shop.example.com");
	cfg.norigins = 1;
	(void)webchat_origin_ok(&cfg, s, "kefu.example.com");
	free(s);
	return 0;
}
