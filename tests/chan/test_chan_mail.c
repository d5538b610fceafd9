/* Unit tests of the email channel's pure half (src/chan/chan_mail.c,
 * issue 18): real mails as Chinese mailers send them, in tests/chan/mail/
 * (GBK under a "gb2312" label with characters only GBK has, Big5 in
 * quoted-printable, multipart/alternative with threading headers, an
 * attachment with an RFC 2231 Chinese name, a message that is not one),
 * decoded to the exact UTF-8 text; the limits on attachments; HTML as
 * text; and a reply built and parsed back (CALL-12: the reply the customer
 * receives threads under their mail). */
#include "testutil.h"

#include "chan/chan_mail.h"
#include "core/err.h"
#include "core/utf8.h"

static char *slurp(const char *name, size_t *len)
{
	char path[256];
	const char *here = __FILE__;
	const char *slash = strrchr(here, '/');
	FILE *f;
	char *p;
	long n;

	snprintf(path, sizeof(path), "%.*s/mail/%s", (int)(slash ? slash - here : 1),
		 slash ? here : ".", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	p[n] = 0;
	*len = (size_t)n;
	return p;
}

static void parse_file(const char *name, const struct chan_mail_limits *lim, struct chan_mail *m)
{
	size_t len;
	char *raw = slurp(name, &len);
	char error[128] = "";

	assert_int_equal(chan_mail_parse(raw, len, lim, m, error, sizeof(error)), 0);
	free(raw);
}

static void gbk(void **state)
{
	struct chan_mail m;
	struct chan_inbound in;

	(void)state;
	parse_file("gbk.eml", NULL, &m);
	assert_string_equal(m.from, "zhangzhe@example.cn");
	/* 喆 and 堃 are GBK, not GB2312: the label lies, the text survives. */
	assert_string_equal(m.from_name, "张喆");
	assert_string_equal(m.subject, "订单未发货（堃）");
	assert_string_equal(m.message_id, "gbk-1@example.cn");
	assert_null(m.in_reply_to);
	assert_null(m.html);
	assert_string_equal(
		m.text,
		"张喆您好：\r\n\r\n我的订单 20261207001 还没有发货，请尽快处理。\r\n谢谢！");
	/* Mon, 07 Dec 2026 10:00:00 +0800 */
	assert_int_equal(m.date, 1796608800000LL);
	chan_mail_inbound(&m, 7, &in);
	assert_int_equal(in.account_id, 7);
	assert_ptr_equal(in.peer, m.from);
	assert_ptr_equal(in.ext_id, m.message_id);
	assert_int_equal(in.at, m.date);
	assert_int_equal(in.nfiles, 0);
	chan_mail_free(&m);
}

static void big5(void **state)
{
	struct chan_mail m;

	(void)state;
	parse_file("big5.eml", NULL, &m);
	assert_string_equal(m.from, "chen@example.tw");
	assert_string_equal(m.from_name, "陳先生");
	assert_string_equal(m.subject, "查詢退款進度");
	assert_string_equal(m.text, "您好，我想查詢退款進度。");
	chan_mail_free(&m);
}

static void alternative(void **state)
{
	struct chan_mail m;

	(void)state;
	parse_file("alternative.eml", NULL, &m);
	/* The address is kept in lower case, so the customer card matches however they typed it. */
	assert_string_equal(m.from, "lisi@example.com");
	assert_string_equal(m.from_name, "Li Si");
	assert_string_equal(m.subject, "回复：发票问题");
	/* The plain part is preferred; the HTML part is kept as received for chan to sanitise. */
	assert_string_equal(m.text, "这是纯文本部分。\n第二行。");
	assert_non_null(m.html);
	assert_non_null(strstr(m.html, "<b>HTML</b>部分 &amp; 更多"));
	assert_string_equal(m.message_id, "alt-1@example.com");
	assert_string_equal(m.in_reply_to, "reply-0@kefu.test");
	assert_string_equal(m.references, "root@example.com reply-0@kefu.test");
	assert_int_equal(m.nfiles, 0);
	chan_mail_free(&m);
}

static void attachment(void **state)
{
	struct chan_mail m;
	struct chan_mail_limits lim;
	static const unsigned char png_head[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

	(void)state;
	parse_file("attachment.eml", NULL, &m);
	/* No plain part: the HTML part as text, one line a block. */
	assert_string_equal(m.text, "见附件截图\n王五");
	assert_int_equal(m.nfiles, 1);
	assert_string_equal(m.files[0].name, "截图.png");
	assert_string_equal(m.files[0].type, "image/png");
	assert_int_equal(m.files[0].size, 69);
	assert_memory_equal(m.files[0].data, png_head, sizeof(png_head));
	assert_int_equal(m.dropped, 0);
	chan_mail_free(&m);
	/* Over the size limit the file is dropped and counted, the mail still taken. */
	chan_mail_limits_default(&lim);
	lim.max_file_size = 68;
	parse_file("attachment.eml", &lim, &m);
	assert_int_equal(m.nfiles, 0);
	assert_int_equal(m.dropped, 1);
	assert_string_equal(m.text, "见附件截图\n王五");
	chan_mail_free(&m);
	chan_mail_limits_default(&lim);
	lim.max_files = 0;
	parse_file("attachment.eml", &lim, &m);
	assert_int_equal(m.nfiles, 0);
	assert_int_equal(m.dropped, 1);
	chan_mail_free(&m);
}

static void malformed(void **state)
{
	struct chan_mail m;
	size_t len;
	char *raw = slurp("malformed.eml", &len);
	char error[128] = "";
	static const char no_at[] = "From: nobody\r\nSubject: x\r\n\r\nhi\r\n";

	(void)state;
	assert_int_equal(chan_mail_parse(raw, len, NULL, &m, error, sizeof(error)), ERR_INVALID);
	assert_string_equal(error, "not a mail message");
	assert_null(m.from);
	free(raw);
	assert_int_equal(chan_mail_parse(no_at, strlen(no_at), NULL, &m, error, sizeof(error)),
			 ERR_INVALID);
	assert_string_equal(error, "no sender address");
	assert_int_equal(chan_mail_parse("", 0, NULL, &m, error, sizeof(error)), ERR_INVALID);
	assert_string_equal(error, "the mail is empty");
}

/* An attachment with no bytes is kept as an empty file (its empty buffer
 * once reached memcpy as NULL: tests/fuzz/corpus/mail/ub-empty-attachment.eml). */
static void empty_attachment(void **state)
{
	static const char raw[] = "From: a@b.cn\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
				  "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
				  "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
				  "--b\r\nContent-Type: image/png; name=\"e.png\"\r\n"
				  "Content-Disposition: attachment; filename=\"e.png\"\r\n"
				  "Content-Transfer-Encoding: base64\r\n\r\n"
				  "--b--\r\n";
	struct chan_mail m;
	char error[128];

	(void)state;
	assert_int_equal(chan_mail_parse(raw, strlen(raw), NULL, &m, error, sizeof(error)), 0);
	assert_string_equal(m.text, "hi");
	assert_int_equal(m.nfiles, 1);
	assert_int_equal(m.files[0].size, 0);
	assert_string_equal(m.files[0].name, "e.png");
	chan_mail_free(&m);
}

static void undeclared(void **state)
{
	/* No Message-ID, no charset, 8-bit GBK body and a raw 8-bit GBK subject:
	 * GB18030 is guessed, and the id is a digest, the same on every fetch. */
	static const char raw[] = "From: a@b.cn\r\nSubject: \xb2\xe2\xca\xd4\r\n\r\n"
				  "\xc4\xe3\xba\xc3\r\n";
	static const char utf8[] = "From: a@b.cn\r\nSubject: t\r\nMessage-ID: <x@y>\r\n\r\n"
				   "\xe4\xbd\xa0\xe5\xa5\xbd\xff!\r\n";
	struct chan_mail m, m2;
	char error[128];

	(void)state;
	assert_int_equal(chan_mail_parse(raw, strlen(raw), NULL, &m, error, sizeof(error)), 0);
	assert_string_equal(m.subject, "测试");
	assert_string_equal(m.text, "你好");
	assert_non_null(strstr(m.message_id, "@no-message-id.kefu"));
	assert_int_equal(chan_mail_parse(raw, strlen(raw), NULL, &m2, error, sizeof(error)), 0);
	assert_string_equal(m.message_id, m2.message_id);
	chan_mail_free(&m);
	chan_mail_free(&m2);
	/* UTF-8 with one stray byte: the text is kept, the byte becomes U+FFFD. */
	assert_int_equal(chan_mail_parse(utf8, strlen(utf8), NULL, &m, error, sizeof(error)), 0);
	assert_string_equal(m.text, "你\xe5\xa5\xbd\xef\xbf\xbd!");
	chan_mail_free(&m);
}

static void html_text(void **state)
{
	char *t;

	(void)state;
	t = chan_mail_html_text("<html><head><title>T</title><style>x{}</style></head><body>"
				"<script>alert(1)</script><p>第一段&nbsp;文字</p>\n\n<p>  a "
				"&lt;b&gt; &#x4e2d;&#25991;"
				"</p><!-- hidden --><br><br><br>end</body></html>");
	assert_string_equal(t, "第一段 文字\n\na <b> 中文\n\nend");
	free(t);
	t = chan_mail_html_text("plain &unknown; & <unclosed");
	assert_string_equal(t, "plain &unknown; &");
	free(t);
}

static void build_reply(void **state)
{
	static const unsigned char pdf[] = "%PDF-1.4 kefu";
	struct chan_file f = {"回执.pdf", "application/pdf", pdf, sizeof(pdf) - 1};
	struct chan_mail_out o = {.from = "service@kefu.test",
				  .from_name = "客服中心",
				  .to = "zhangzhe@example.cn",
				  .to_name = "张喆",
				  .subject = "订单未发货",
				  .text = "张先生您好：\n已为您加急发货。",
				  .in_reply_to = "<gbk-1@example.cn>",
				  .references = "root@example.cn",
				  .now = 1796608800000LL,
				  .files = &f,
				  .nfiles = 1};
	char msgid[256], error[64];
	char *raw;
	size_t len;
	struct chan_mail m;

	(void)state;
	assert_int_equal(chan_mail_build(&o, &raw, &len, msgid, sizeof(msgid)), 0);
	assert_int_equal(strlen(raw), len);
	/* SMTP wants CRLF: no bare LF anywhere. */
	for (size_t i = 0; i < len; i++)
		if (raw[i] == '\n')
			assert_int_equal(raw[i - 1], '\r');
	assert_non_null(strstr(raw, "In-Reply-To: <gbk-1@example.cn>\r\n"));
	assert_non_null(strstr(raw, "References: <root@example.cn> <gbk-1@example.cn>\r\n"));
	assert_non_null(strstr(msgid, "@kefu.test"));
	assert_null(strchr(msgid, '<'));
	/* Read back as a customer's mailer would. */
	assert_int_equal(chan_mail_parse(raw, len, NULL, &m, error, sizeof(error)), 0);
	assert_string_equal(m.from, "service@kefu.test");
	assert_string_equal(m.from_name, "客服中心");
	assert_string_equal(m.subject, "Re: 订单未发货");
	assert_string_equal(m.text, "张先生您好：\n已为您加急发货。");
	assert_string_equal(m.message_id, msgid);
	assert_string_equal(m.in_reply_to, "gbk-1@example.cn");
	assert_string_equal(m.references, "root@example.cn gbk-1@example.cn");
	assert_int_equal(m.date, 1796608800000LL);
	assert_int_equal(m.nfiles, 1);
	assert_string_equal(m.files[0].name, "回执.pdf");
	assert_string_equal(m.files[0].type, "application/pdf");
	assert_int_equal(m.files[0].size, sizeof(pdf) - 1);
	assert_memory_equal(m.files[0].data, pdf, sizeof(pdf) - 1);
	chan_mail_free(&m);
	free(raw);
	/* "Re:" is not doubled, and an address that is not one is refused. */
	o.subject = "Re: 订单未发货";
	o.nfiles = 0;
	o.in_reply_to = NULL;
	o.references = NULL;
	assert_int_equal(chan_mail_build(&o, &raw, &len, msgid, sizeof(msgid)), 0);
	assert_int_equal(chan_mail_parse(raw, len, NULL, &m, error, sizeof(error)), 0);
	assert_string_equal(m.subject, "Re: 订单未发货");
	assert_null(m.in_reply_to);
	chan_mail_free(&m);
	free(raw);
	o.to = "no-address";
	assert_int_equal(chan_mail_build(&o, &raw, &len, msgid, sizeof(msgid)), ERR_INVALID);
	assert_null(raw);
}

static void long_text(void **state)
{
	struct buf_s {
		char *p;
	} b;
	size_t n = 64 + (size_t)CHAN_TEXT_MAX * 3 + 100;
	struct chan_mail m;
	char error[64];
	int off;

	(void)state;
	b.p = malloc(n + 64);
	off = snprintf(b.p, n, "From: a@b.cn\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
	for (int i = 0; i < CHAN_TEXT_MAX + 10; i++, off += 3)
		memcpy(b.p + off, "字", 3);
	assert_int_equal(chan_mail_parse(b.p, (size_t)off, NULL, &m, error, sizeof(error)), 0);
	/* Cut to CHAN_TEXT_MAX characters with a mark, so chan_inbound takes it. */
	assert_int_equal(utf8_len(m.text), CHAN_TEXT_MAX);
	chan_mail_free(&m);
	free(b.p);
}

static void config(void **state)
{
	struct chan_mail_config c;
	char error[160];

	(void)state;
	assert_int_equal(
		chan_mail_config_parse("{\"imap_url\": \"imaps://mail.example.cn/INBOX\","
				       " \"smtp_url\": \"smtps://mail.example.cn:465\","
				       " \"address\": \"kefu@example.cn\","
				       " \"password\": \"pw\", \"from_name\": \"客服中心\"}",
				       &c, error, sizeof(error)),
		0);
	assert_string_equal(c.imap_url, "imaps://mail.example.cn/INBOX");
	assert_string_equal(c.address, "kefu@example.cn");
	assert_string_equal(c.from_name, "客服中心");
	assert_string_equal(c.username, "");
	assert_int_equal(c.poll_sec, CHAN_MAIL_POLL_DEFAULT);
	assert_int_equal(c.tls, CHAN_MAIL_TLS_TRY);
	/* Each broken field named. */
	assert_int_equal(
		chan_mail_config_parse("{\"imap_url\": \"http://x/\"}", &c, error, sizeof(error)),
		ERR_INVALID);
	assert_string_equal(error, "imap_url must be imap://host[:port]/MAILBOX or imaps://");
	assert_int_equal(
		chan_mail_config_parse("{\"imap_url\": \"imap://h/INBOX\", \"smtp_url\":"
				       " \"smtp://h\", \"address\": \"a@b\", \"poll_sec\": 1}",
				       &c, error, sizeof(error)),
		ERR_INVALID);
	assert_string_equal(error, "poll_sec must be between 5 and 3600");
	assert_int_equal(
		chan_mail_config_parse("{\"imap_url\": \"imap://h/INBOX\", \"smtp_url\":"
				       " \"smtp://h\", \"address\": \"a@b\", \"tls\": \"ssl\"}",
				       &c, error, sizeof(error)),
		ERR_INVALID);
	assert_string_equal(error, "tls must be try, require or none");
	assert_int_equal(chan_mail_config_parse("{\"imap_url\": \"imap://h/INBOX\", \"smtp_url\":"
						" \"smtp://h\", \"address\": \"not an address\"}",
						&c, error, sizeof(error)),
			 ERR_INVALID);
	assert_string_equal(error, "address must be an email address");
	assert_int_equal(chan_mail_config_parse("[1]", &c, error, sizeof(error)), ERR_INVALID);
	assert_string_equal(error, "config is not a JSON object");
}

/* The fetch state of migration 29 (and 35's Sent copy): zeros before the first poll, counts
 * added, the error kept or cleared. */
static void fetch_state(void **state)
{
	struct store *s = test_store_open();
	struct chan_mail_state ms;
	struct chan_mail_account acc[4];
	int64_t id = 0;
	int n;

	(void)state;
	assert_int_equal(store_begin(s), 0);
	assert_true(
		store_run(s,
			  "INSERT INTO chan_account(channel, name, config, created_at, updated_at)"
			  " VALUES ('email', 'm', '{\"x\": 1}', 0, 0) RETURNING id",
			  &id, "") >= 0);
	assert_true(
		store_run(s,
			  "INSERT INTO chan_account(channel, name, enabled, created_at, updated_at)"
			  " VALUES ('email', 'off', 0, 0, 0)",
			  NULL, "") >= 0);
	assert_true(store_run(s,
			      "INSERT INTO chan_account(channel, name, created_at, updated_at)"
			      " VALUES ('sms', 's', 0, 0)",
			      NULL, "") >= 0);
	assert_int_equal(store_commit(s), 0);
	/* Only enabled email accounts are polled. */
	n = chan_mail_accounts(s, acc, 4);
	assert_int_equal(n, 1);
	assert_int_equal(acc[0].id, id);
	assert_string_equal(acc[0].config_json, "{\"x\": 1}");
	free(acc[0].config_json);
	assert_int_equal(chan_mail_state_get(s, id, &ms), 0);
	assert_int_equal(ms.last_uid, 0);
	ms.uidvalidity = 77;
	ms.last_uid = 5;
	ms.next_poll_at = 1000;
	ms.failures = 2;
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(chan_mail_state_put(s, id, &ms, "imap: down", 3, 1, 10), 0);
	ms.last_uid = 9;
	assert_int_equal(chan_mail_state_put(s, id, &ms, NULL, 2, 0, 20), 0);
	assert_int_equal(store_commit(s), 0);
	memset(&ms, 0, sizeof(ms));
	assert_int_equal(chan_mail_state_get(s, id, &ms), 0);
	assert_int_equal(ms.uidvalidity, 77);
	assert_int_equal(ms.last_uid, 9);
	assert_int_equal(ms.next_poll_at, 1000);
	assert_int_equal(ms.failures, 2);
	/* What the accounts page shows: the counts added, the error kept, the last poll's time. */
	assert_int_equal(ms.fetched, 5);
	assert_int_equal(ms.skipped, 1);
	assert_int_equal(ms.updated_at, 20);
	assert_string_equal(ms.last_error, "imap: down");
	assert_int_equal(ms.sent_at, 0);
	/* A Sent copy's outcome changes only its own columns (migration 34). */
	assert_int_equal(chan_mail_sent_put(s, id, "sent copy: NO", 30), 0);
	memset(&ms, 0, sizeof(ms));
	assert_int_equal(chan_mail_state_get(s, id, &ms), 0);
	assert_int_equal(ms.sent_at, 30);
	assert_string_equal(ms.sent_error, "sent copy: NO");
	assert_int_equal(ms.last_uid, 9);
	assert_string_equal(ms.last_error, "imap: down");
	{
		struct store_stmt *st = store_query(s,
						    "SELECT fetched, skipped, last_error FROM "
						    "chan_mail_state WHERE account_id = ?",
						    "i", id);

		assert_int_equal(store_next(st, NULL, NULL), 1);
		assert_int_equal(store_col_int(st, 0), 5);
		assert_int_equal(store_col_int(st, 1), 1);
		assert_string_equal(store_col_text(st, 2), "imap: down");
		store_done(st);
	}
	test_store_close(s);
}

/* RFC 3834: out-of-office answers are flagged, so the fetch passes over them. */
static void automatic(void **state)
{
	static const char *const raws[] = {
		"From: a@b.cn\r\nAuto-Submitted: auto-replied\r\n\r\nx\r\n",
		"From: a@b.cn\r\nX-Autoreply: yes\r\n\r\nx\r\n",
		"From: a@b.cn\r\nPrecedence: auto_reply\r\n\r\nx\r\n",
		"From: a@b.cn\r\nAuto-Submitted: no\r\n\r\nx\r\n",
		"From: a@b.cn\r\n\r\nx\r\n",
	};
	static const int want[] = {1, 1, 1, 0, 0};
	struct chan_mail m;
	char error[64];

	(void)state;
	for (size_t i = 0; i < sizeof(raws) / sizeof(raws[0]); i++) {
		assert_int_equal(
			chan_mail_parse(raws[i], strlen(raws[i]), NULL, &m, error, sizeof(error)),
			0);
		assert_int_equal(m.automatic, want[i]);
		chan_mail_free(&m);
	}
}

static void next_poll(void **state)
{
	(void)state;
	assert_int_equal(chan_mail_next_poll(60, 0, 0), 60000);
	assert_int_equal(chan_mail_next_poll(60, 0, 1), 0);
	assert_int_equal(chan_mail_next_poll(60, 1, 1), 120000);
	assert_int_equal(chan_mail_next_poll(60, 3, 0), 480000);
	assert_int_equal(chan_mail_next_poll(60, 5, 0), 900000);
	assert_int_equal(chan_mail_next_poll(60, 1000, 0), 900000);
	/* A poll_sec over the cap is never shortened. */
	assert_int_equal(chan_mail_next_poll(3600, 2, 0), 3600000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gbk),	       cmocka_unit_test(big5),
		cmocka_unit_test(alternative), cmocka_unit_test(attachment),
		cmocka_unit_test(malformed),   cmocka_unit_test(undeclared),
		cmocka_unit_test(html_text),   cmocka_unit_test(build_reply),
		cmocka_unit_test(long_text),   cmocka_unit_test(config),
		cmocka_unit_test(automatic),   cmocka_unit_test(next_poll),
		cmocka_unit_test(fetch_state), cmocka_unit_test(empty_attachment),
	};
	int rc;

	chan_mail_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	chan_mail_shutdown();
	return rc;
}
