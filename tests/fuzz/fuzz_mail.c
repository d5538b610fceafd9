/*
 * Email (src/chan/chan_mail.c, chan.c): the input as a raw RFC 5322 message
 * parsed with GMime into text, safe HTML and attachments (encoded words,
 * charsets, multiparts, auto-reply markers) and turned into what the
 * channel stores; and the input as an HTML body reduced to plain text and
 * to the allowlist kefu shows. Mail accounts' JSON config is parsed too.
 */
#include "chan/chan.h"
#include "chan/chan_mail.h"
#include "core/buf.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	chan_mail_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chan_mail_limits lim;
	struct chan_mail m;
	struct chan_mail_config cfg;
	char error[256];
	char *s = fuzz_str(data, size), *text;
	struct buf b;

	if (!s)
		return 0;
	chan_mail_init();
	chan_mail_limits_default(&lim);
	lim.max_file_size = 4096;
	lim.max_total = 8192;
	if (chan_mail_parse(data, size, &lim, &m, error, sizeof(error)) == 0) {
		struct chan_inbound in;

		chan_mail_inbound(&m, 1, &in);
		chan_mail_free(&m);
	}
	buf_init(&b);
	(void)chan_html_text(s, &b);
	buf_reset(&b);
	(void)chan_html_clean(s, &b);
	buf_release(&b);
	text = chan_mail_html_text(s);
	free(text);
	(void)chan_mail_config_parse(s, &cfg, error, sizeof(error));
	free(s);
	return 0;
}
