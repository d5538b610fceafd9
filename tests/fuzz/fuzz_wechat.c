/*
 * WeChat official-account pushes (src/chan/chan_wechat.c): the input as the
 * XML of a pushed message (expat, no DTD, no entities beyond the five),
 * read into what an agent sees and the id kept for dedup; as the safe
 * mode's <Encrypt> base64 opened with an account's EncodingAESKey and
 * AppID (AES-256-CBC, PKCS#7, the length and AppID inside checked), whose
 * XML is parsed in turn; and as the query's signature checked.
 */
#include "chan/chan_wx.h"
#include "fuzz/fuzz.h"

static const char key[] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
static const char appid[] = "wx1234567890abcdef";

static void read_msg(const char *xml, size_t len)
{
	static struct wx_msg m; /* 70 KB: kept out of the stack */
	char out[CHAN_TEXT_MAX * 3];

	if (wx_parse(xml, len, &m) != 0)
		return;
	wx_ext_id(&m, out, sizeof(out));
	wx_text(&m, out, sizeof(out));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *f[4];
	char *all = fuzz_fields(data, size, f, 4);
	char *s = fuzz_str(data, size), *msg = NULL;
	size_t msg_len;

	if (!all || !s)
		goto done;
	read_msg((const char *)data, size);
	if (wx_decrypt(key, appid, s, &msg, &msg_len) == 0) {
		read_msg(msg, msg_len);
		free(msg);
	}
	/* The message sealed as WeChat would, then opened: the same bytes come back. */
	{
		static const unsigned char random16[16] = "0123456789abcdef";
		char *b64 = NULL;

		if (wx_encrypt(key, appid, (const char *)data, size, random16, &b64) == 0) {
			if (wx_decrypt(key, appid, b64, &msg, &msg_len) == 0) {
				if (msg_len != size || (size && memcmp(msg, data, size) != 0))
					abort();
				free(msg);
			}
			free(b64);
		}
	}
	(void)wx_signature_ok("token", f[0], f[1], *f[3] ? f[3] : NULL, f[2]);
done:
	free(s);
	free(all);
	return 0;
}
