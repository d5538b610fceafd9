/*
 * make bench: the email channel (src/chan/chan_mail*.c, issue 18) at 10⁴
 * mails, the figure: "10⁴ emails fetched, parsed and threaded".
 * This program times the parse and the threading; bench/mail.py times the
 * whole path through Dovecot's IMAP.
 *
 * The mails are made from a fixed seed like a Chinese service mailbox:
 * 1,000 customers, each writing a first mail and then answers to the
 * previous one (In-Reply-To and References), so the 10⁴ mails fall into
 * about 1,000 threads; bodies of 200 to 2,000 characters in GBK (labelled
 * gb2312, as Foxmail and Outlook in China do), in UTF-8 base64, in Big5
 * quoted-printable, or multipart/alternative with an HTML part, one in ten
 * with a 20 kB attachment; subjects as RFC 2047 encoded words.
 *
 * Timed: chan_mail_parse of each mail's bytes (the GMime parse, charset
 * conversion, the text part, attachments), then chan_inbound of each in
 * its own transaction (the conversation found by thread or peer, the
 * message stored, the FTS index), as the fetch tick does; wall time per
 * mail, p50/p99, and mails a second. One thread, the database in a
 * temporary file (STORE_NORMAL).
 *
 * Arguments: mails (10000). docs/performance.md records the figures.
 */
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "chan/chan.h"
#include "chan/chan_mail.h"
#include "rand.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "store/store.h"

static const char *const words[] = {
	"退款", "支付", "订单", "发货", "物流", "快递", "发票", "会员", "优惠券", "积分", "投诉",
	"售后", "维修", "上门", "取消", "地址", "电话", "账户", "密码", "余额",	  "充值", "价格",
	"套餐", "保修", "换货", "质量", "包装", "破损", "延迟", "客服", "处理",	  "查询", "进度",
	"您好", "谢谢", "麻烦", "尽快", "回复", "问题", "商品", "型号", "颜色",	  "尺寸", "门店"};

/* Big5 has no simplified characters: a Taiwanese or Hong Kong customer's words. */
static const char *const trad[] = {"退款", "支付", "訂單", "發貨", "物流", "快遞", "發票", "會員",
				   "積分", "投訴", "售後", "維修", "取消", "地址", "電話", "帳戶",
				   "密碼", "餘額", "價格", "保修", "換貨", "品質", "包裝", "破損",
				   "您好", "謝謝", "麻煩", "儘快", "回覆", "問題", "商品", "查詢"};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void conv_to(const char *to, const char *in, struct buf *out)
{
	iconv_t cd = iconv_open(to, "UTF-8");
	char *ip = (char *)in, tmp[65536], *op = tmp;
	size_t il = strlen(in), ol = sizeof(tmp);

	/* Every word of the list is in GBK and Big5; the bench's text never fails here. */
	iconv(cd, &ip, &il, &op, &ol);
	iconv_close(cd);
	buf_append(out, tmp, sizeof(tmp) - ol);
}

static void sentence(struct buf *b, int chars, int traditional)
{
	while (chars > 0) {
		const char *w = traditional ? trad[rnd(sizeof(trad) / sizeof(trad[0]))]
					    : words[rnd(sizeof(words) / sizeof(words[0]))];

		buf_puts(b, w);
		chars -= 2;
		if (rnd(8) == 0)
			buf_puts(b, rnd(2) ? "，" : "。\n");
	}
	buf_puts(b, "。\n");
}

static void b64_lines(struct buf *out, const void *data, size_t len)
{
	gchar *e = g_base64_encode(data, len);

	for (size_t i = 0, n = strlen(e); i < n; i += 76) {
		buf_append(out, e + i, n - i < 76 ? n - i : 76);
		buf_puts(out, "\r\n");
	}
	g_free(e);
}

/* One mail of customer c, the k-th of its thread. */
static void make_mail(struct buf *m, int c, int k, int i)
{
	struct buf text = BUF_INIT, subj = BUF_INIT, enc = BUF_INIT;
	int kind = rnd(4), attach = rnd(10) == 0;
	gchar *e;

	buf_reset(m);
	sentence(&subj, 4 + (int)rnd(8), 0);
	subj.p[strcspn(subj.p, "。，\n")] = 0;
	subj.len = strlen(subj.p);
	sentence(&text, 200 + (int)rnd(1800), kind == 2);
	buf_printf(m, "From: =?UTF-8?B?");
	e = g_base64_encode((const guchar *)"客户", strlen("客户"));
	buf_printf(m, "%s?= <customer%d@example.cn>\r\nTo: service@kefu.test\r\n", e, c);
	g_free(e);
	if (kind == 0) {
		conv_to("GB18030", buf_str(&subj), &enc);
		e = g_base64_encode((const guchar *)enc.p, enc.len);
		buf_printf(m, "Subject: =?gb2312?B?%s?=\r\n", e);
	} else {
		e = g_base64_encode((const guchar *)subj.p, subj.len);
		buf_printf(m, "Subject: =?UTF-8?B?%s?=\r\n", e);
	}
	g_free(e);
	buf_printf(m,
		   "Message-ID: <m%d.%d@example.cn>\r\nDate: Mon, 07 Dec 2026 10:00:00 +0800\r\n",
		   c, k);
	if (k > 0) {
		buf_printf(m, "In-Reply-To: <m%d.%d@example.cn>\r\nReferences:", c, k - 1);
		for (int j = 0; j < k; j++)
			buf_printf(m, " <m%d.%d@example.cn>", c, j);
		buf_puts(m, "\r\n");
	}
	buf_puts(m, "MIME-Version: 1.0\r\n");
	if (attach)
		buf_puts(m, "Content-Type: multipart/mixed; boundary=\"MIX\"\r\n\r\n--MIX\r\n");
	buf_reset(&enc);
	switch (kind) {
	case 0:
		buf_puts(m, "Content-Type: text/plain; "
			    "charset=gb2312\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
		conv_to("GB18030", buf_str(&text), m);
		break;
	case 1:
		buf_puts(m, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: "
			    "base64\r\n\r\n");
		b64_lines(m, text.p, text.len);
		break;
	case 2: {
		/* Big5 in quoted-printable. */
		buf_puts(m, "Content-Type: text/plain; charset=big5\r\n"
			    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
		conv_to("BIG5", buf_str(&text), &enc);
		for (size_t j = 0, col = 0; j < enc.len; j++) {
			unsigned char ch = (unsigned char)enc.p[j];

			if (ch == '\n') {
				buf_puts(m, "\r\n");
				col = 0;
				continue;
			}
			if (col > 70) {
				buf_puts(m, "=\r\n");
				col = 0;
			}
			if (ch >= 128 || ch == '=')
				col += (size_t)buf_printf(m, "=%02X", ch) >= 0 ? 3 : 0;
			else {
				buf_append(m, &enc.p[j], 1);
				col++;
			}
		}
		buf_puts(m, "\r\n");
		break;
	}
	default:
		buf_puts(m, "Content-Type: multipart/alternative; boundary=\"ALT\"\r\n\r\n--ALT\r\n"
			    "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: "
			    "base64\r\n\r\n");
		b64_lines(m, text.p, text.len);
		buf_puts(m, "--ALT\r\nContent-Type: text/html; charset=utf-8\r\n"
			    "Content-Transfer-Encoding: base64\r\n\r\n");
		buf_reset(&enc);
		buf_puts(&enc, "<html><body><div style=\"font-size:14px\"><p>");
		buf_puts(&enc, text.p);
		buf_puts(&enc, "</p></div></body></html>");
		b64_lines(m, enc.p, enc.len);
		buf_puts(m, "--ALT--\r\n");
	}
	if (attach) {
		unsigned char blob[20000];

		for (size_t j = 0; j < sizeof(blob); j++)
			blob[j] = (unsigned char)rnd(256);
		buf_printf(m,
			   "\r\n--MIX\r\nContent-Type: application/pdf; name=\"r%d.pdf\"\r\n"
			   "Content-Disposition: attachment; filename=\"r%d.pdf\"\r\n"
			   "Content-Transfer-Encoding: base64\r\n\r\n",
			   i, i);
		b64_lines(m, blob, sizeof(blob));
		buf_puts(m, "--MIX--\r\n");
	}
	buf_release(&text);
	buf_release(&subj);
	buf_release(&enc);
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, int64_t *ns, int n, int64_t total)
{
	qsort(ns, (size_t)n, sizeof(ns[0]), cmp64);
	printf("%-28s %6d mails  %6.0f mails/s  p50 %6.3f ms  p99 %6.3f ms  max %6.3f ms\n", what,
	       n, n / (total / 1e9), ns[n / 2] / 1e6, ns[(int)(n * 0.99)] / 1e6, ns[n - 1] / 1e6);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000;
	int customers = n / 10 > 0 ? n / 10 : 1;
	char path[] = "/tmp/kefu-bench-mail-XXXXXX";
	struct store_opts o = {path, 5000, STORE_NORMAL};
	struct store *s = NULL;
	struct buf *raw = calloc((size_t)n, sizeof(*raw));
	int *thread_k = calloc((size_t)customers, sizeof(int));
	struct chan_mail *mails = calloc((size_t)n, sizeof(*mails));
	int64_t *ns = calloc((size_t)n, sizeof(int64_t)), t0, total = 0, bytes = 0, account = 0;
	int fd, threads = 0, files = 0;

	if (!raw || !thread_k || !mails || !ns || n <= 0)
		return 1;
	log_set_level(LOG_WARN);
	for (int i = 0; i < n; i++) {
		int c = (int)rnd((uint32_t)customers);

		make_mail(&raw[i], c, thread_k[c]++, i);
		bytes += (int64_t)raw[i].len;
	}
	printf("%d mails, %d customers, %.1f MB, %.1f kB a mail on average\n", n, customers,
	       bytes / 1e6, bytes / 1e3 / n);
	chan_mail_init();
	for (int i = 0; i < n; i++) {
		char error[128];

		t0 = now_ns();
		if (chan_mail_parse(raw[i].p, raw[i].len, NULL, &mails[i], error, sizeof(error))) {
			fprintf(stderr, "mail %d: %s\n", i, error);
			return 1;
		}
		ns[i] = now_ns() - t0;
		total += ns[i];
		files += mails[i].nfiles;
	}
	report("parse (chan_mail_parse)", ns, n, total);
	fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	if (store_open(&s, &o) || store_migrate(s, NULL, NULL))
		return 1;
	store_begin(s);
	store_run(s,
		  "INSERT INTO chan_account(channel, name, config, created_at, updated_at)"
		  " VALUES ('email', 'bench', '{}', 0, 0)",
		  &account, "");
	store_run(s, "SELECT id FROM chan_account WHERE name = 'bench'", &account, "");
	store_commit(s);
	total = 0;
	for (int i = 0; i < n; i++) {
		struct chan_inbound in;
		struct chan_inbound_result res;
		struct err_info ei;
		int rc;

		memset(&ei, 0, sizeof(ei));
		chan_mail_inbound(&mails[i], account, &in);
		in.at = 0;
		t0 = now_ns();
		rc = store_begin(s);
		if (rc == 0)
			rc = chan_inbound(s, &in, 1796608800000LL + i * 1000LL, &res, &ei);
		if (rc == 0)
			rc = store_commit(s);
		ns[i] = now_ns() - t0;
		if (rc) {
			fprintf(stderr, "mail %d: %d %s\n", i, rc, ei.message);
			return 1;
		}
		total += ns[i];
		threads += res.is_new_conv;
	}
	report("thread+store (chan_inbound)", ns, n, total);
	printf("%d conversations for %d customers; %d attachments parsed\n", threads, customers,
	       files);
	for (int i = 0; i < n; i++) {
		chan_mail_free(&mails[i]);
		buf_release(&raw[i]);
	}
	store_close(s);
	unlink(path);
	{
		char p2[64];

		snprintf(p2, sizeof(p2), "%s-wal", path);
		unlink(p2);
		snprintf(p2, sizeof(p2), "%s-shm", path);
		unlink(p2);
	}
	free(raw);
	free(thread_k);
	free(mails);
	free(ns);
	chan_mail_shutdown();
	return 0;
}
