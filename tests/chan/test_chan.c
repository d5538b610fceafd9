/* Unit tests of src/chan's core (issue 18): channels' and states' names and
 * the allowed moves, the settings' checks, CALL-12's deadlines in the
 * center's time zone (chat seconds, email minutes, messages the same local
 * day before the cutoff, else the next day's end), the router's choice
 * (capacity, load, longest idle), who may see and act, email HTML to text
 * and to safe HTML; and chan_inbound on a real database: a new conversation
 * with its customer, the same peer's next message, dedup by the channel's
 * id, email threading, a reply to a resolved thread, bad input with nothing
 * written; replies, resolving into the CALL-10 contact, the send queue
 * through an adapter with retries. */
#include "testutil.h"

#include "att/att.h"
#include "audit/audit.h"
#include "chan/chan.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"

#define MIN 60000LL

static struct chan_settings defaults(void)
{
	struct chan_settings st = {5, 60, 480, 1, 1020, 0, 30, 0, 0};

	return st;
}

/* 2026-12-08 local (Asia/Shanghai, UTC+8) at hh:mm, in UTC ms. */
static int64_t local_at(int day, int hh, int mm)
{
	return (clock_days_from_civil(2026, 12, day) * 1440 + hh * 60 + mm - 8 * 60) * MIN;
}

static void names_and_states(void **state)
{
	(void)state;
	for (int k = 0; k < CHAN_KIND_COUNT; k++)
		assert_int_equal(chan_kind_parse(chan_kind_name((enum chan_kind)k)), k);
	assert_string_equal(chan_kind_name(CHAN_WEB_CHAT), "web_chat");
	assert_int_equal(chan_kind_parse("fax"), -1);
	assert_int_equal(chan_kind_parse(NULL), -1);
	assert_int_equal(chan_state_parse("waiting"), CHAN_WAITING);
	assert_int_equal(chan_state_parse("closed"), -1);
	assert_true(chan_state_allowed(CHAN_NEW, CHAN_OPEN));
	assert_true(chan_state_allowed(CHAN_OPEN, CHAN_WAITING));
	assert_true(chan_state_allowed(CHAN_WAITING, CHAN_OPEN));
	assert_true(chan_state_allowed(CHAN_WAITING, CHAN_RESOLVED));
	assert_false(chan_state_allowed(CHAN_NEW, CHAN_WAITING));
	assert_false(chan_state_allowed(CHAN_RESOLVED, CHAN_OPEN));
	assert_false(chan_state_allowed(CHAN_OPEN, CHAN_OPEN));
	assert_true(chan_kind_live(CHAN_WECHAT));
	assert_false(chan_kind_live(CHAN_EMAIL));
	assert_false(chan_kind_live(CHAN_SMS));
}

static void settings(void **state)
{
	struct chan_settings st = defaults();
	struct err_info ei;

	(void)state;
	memset(&ei, 0, sizeof(ei));
	assert_int_equal(chan_settings_check(&st, &ei), 0);
	st.chat_capacity = 0;
	st.message_cutoff_min = 1440;
	assert_int_equal(chan_settings_check(&st, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "chat_capacity");
	assert_int_equal(ei.nmore, 1);
	assert_string_equal(ei.more[0].field, "message_cutoff_min");
}

static void deadlines(void **state)
{
	struct chan_settings st = defaults();
	struct chan_due d;
	int64_t now = local_at(8, 10, 0);

	(void)state;
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	/* CALL-12: a chat within 60 s, resolved within its local day. */
	chan_due_compute(CHAN_WEB_CHAT, &st, now, &d);
	assert_int_equal(d.first_reply_due, now + 60000);
	assert_int_equal(d.resolve_due, local_at(9, 0, 0));
	/* Email within 8 h; resolved by the end of the next day. */
	chan_due_compute(CHAN_EMAIL, &st, now, &d);
	assert_int_equal(d.first_reply_due, local_at(8, 18, 0));
	assert_int_equal(d.resolve_due, local_at(10, 0, 0));
	/* An email at 20:00 is due at 04:00 the next day: resolved the day after that. */
	chan_due_compute(CHAN_EMAIL, &st, local_at(8, 20, 0), &d);
	assert_int_equal(d.first_reply_due, local_at(9, 4, 0));
	assert_int_equal(d.resolve_due, local_at(11, 0, 0));
	/* Messages: the same day before 17:00, else the next day's end. */
	chan_due_compute(CHAN_SMS, &st, local_at(8, 16, 59), &d);
	assert_int_equal(d.first_reply_due, local_at(9, 0, 0));
	assert_int_equal(d.resolve_due, local_at(10, 0, 0));
	chan_due_compute(CHAN_WECHAT, &st, local_at(8, 17, 0), &d);
	assert_int_equal(d.first_reply_due, local_at(10, 0, 0));
	/* Just after local midnight (16:01 UTC the day before) it is the new day's. */
	chan_due_compute(CHAN_WEIBO, &st, local_at(9, 0, 1), &d);
	assert_int_equal(d.first_reply_due, local_at(10, 0, 0));
	st.message_same_day = 0;
	assert_int_equal(chan_same_day_due(&st, local_at(8, 9, 0)), local_at(10, 0, 0));
	st.message_same_day = 1;
	st.message_cutoff_min = 0; /* nothing is "before the cutoff" */
	assert_int_equal(chan_same_day_due(&st, local_at(8, 0, 0)), local_at(10, 0, 0));
}

static void routing(void **state)
{
	struct chan_candidate c[4] = {
		{10, 1000, 2, 0}, /* idle longest, two chats */
		{11, 2000, 1, 3},
		{12, 3000, 1, 1},
		{13, 3000, 5, 0}, /* at capacity */
	};

	(void)state;
	/* A chat: the fewest chats (11, 12), then the longest idle (11). */
	assert_int_equal(chan_route_pick(CHAN_WEB_CHAT, c, 4, 5), 1);
	/* Capacity 2: 10 is full too. */
	c[1].live = 2;
	c[2].live = 2;
	assert_int_equal(chan_route_pick(CHAN_WECHAT, c, 4, 2), -1);
	assert_int_equal(chan_route_pick(CHAN_WECHAT, c, 4, 3), 0);
	/* Email ignores the capacity: the fewest other ones (10 and 13 with 0), longest idle. */
	assert_int_equal(chan_route_pick(CHAN_EMAIL, c, 4, 1), 0);
	c[0].other = 1;
	assert_int_equal(chan_route_pick(CHAN_SMS, c, 4, 1), 3);
	assert_int_equal(chan_route_pick(CHAN_SMS, c, 0, 1), -1);
	/* Same load and idle time: by id. */
	c[0] = (struct chan_candidate){21, 5, 0, 0};
	c[1] = (struct chan_candidate){20, 5, 0, 0};
	assert_int_equal(chan_route_pick(CHAN_WEB_CHAT, c, 2, 5), 1);
}

static void who_may(void **state)
{
	(void)state;
	/* act, who, supervise, all, agent_id, new, in_queue */
	assert_true(chan_may(1, 3, 0, 0, 3, 0, 0));  /* one's own */
	assert_false(chan_may(0, 3, 0, 0, 4, 0, 1)); /* another agent's */
	assert_true(chan_may(1, 2, 1, 1, 4, 0, 0));  /* a supervisor: anyone's */
	assert_true(chan_may(0, 9, 0, 1, 4, 0, 0));  /* QA reads every one */
	assert_false(chan_may(1, 9, 0, 1, 4, 0, 0)); /* but does not act */
	assert_true(chan_may(1, 3, 0, 0, 0, 1, 1));  /* a new one of one's queue */
	assert_false(chan_may(1, 3, 0, 0, 0, 1, 0)); /* of another queue */
	assert_false(chan_may(1, 3, 0, 0, 0, 0, 1)); /* back in the queue but not new: no */
}

static void html(void **state)
{
	struct buf t = BUF_INIT, h = BUF_INIT;
	const char *in =
		"<!DOCTYPE html><html><head><title>x</title><style>a{}</style></head>"
		"<body><!-- note --><script type=\"text/javascript\">alert('<b>')</script>"
		"<div>第一行&nbsp;&lt;尖括号&gt; &#20320;&#x597D; &bogus;</div>"
		"<p style=\"color:red\" onclick=\"x()\">二 <img src=\"http://t/x.gif\"></p>"
		"<a href=\"https://ex.com/?a=1&amp;b=2\" onmouseover=\"x\">链接</a>"
		"<a href='javascript:alert(1)'>坏</a><a href=\"data:text/html,x\">坏2</a>"
		"<iframe src=\"https://evil\">框</iframe>3 < 4 > 2</body></html>";

	(void)state;
	assert_int_equal(chan_html_text(in, &t), 0);
	assert_string_equal(buf_str(&t), "第一行 <尖括号> 你好 &bogus;\n二 \n链接坏坏23 < 4 > 2");
	assert_int_equal(chan_html_clean(in, &h), 0);
	assert_string_equal(
		buf_str(&h),
		"<div>第一行\xc2\xa0&lt;尖括号&gt; 你好 &amp;bogus;</div>"
		"<p>二 </p>"
		"<a href=\"https://ex.com/?a=1&amp;b=2\" rel=\"noopener noreferrer nofollow\""
		" target=\"_blank\">链接</a><a>坏</a><a>坏2</a>3 &lt; 4 &gt; 2");
	buf_release(&t);
	buf_release(&h);
	/* Unclosed things end the text without reading past it. */
	assert_int_equal(chan_html_text("<script>never closed", &t), 0);
	assert_string_equal(buf_str(&t), "");
	assert_int_equal(chan_html_clean("<a href=\"https://x", &h), 0);
	buf_release(&t);
	buf_release(&h);
}

/* -- On a database -- */

static struct store *open_center(void)
{
	struct store *s = test_store_open();

	assert_int_equal(
		store_exec(
			s,
			"INSERT INTO person(id, work_no, name, roles, active, certified,"
			" created_at, updated_at) VALUES"
			" (2, '8002', '张敏', 12, 1, 1, 0, 0),"
			" (3, '8101', '刘洋', 8, 1, 1, 0, 0);"
			"INSERT INTO customer(id, name, email, wechat, created_at, updated_at)"
			" VALUES (1, '王小明', 'wang@example.com', 'wx-open-1', 0, 0);"
			"INSERT INTO customer_phone(phone, customer_id, created_at)"
			" VALUES ('13811112222', 1, 0);"
			"INSERT INTO chan_account(id, channel, name, created_at, updated_at) VALUES"
			" (1, 'email', '客服邮箱', 0, 0), (2, 'wechat', '公众号', 0, 0),"
			" (3, 'sms', '短信', 0, 0);"
			"INSERT INTO chan_account(id, channel, name, enabled, created_at,"
			" updated_at) VALUES (4, 'web_chat', '停用', 0, 0, 0);"),
		0);
	return s;
}

static int64_t count(struct store *s, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(store_run(s, sql, &n, ""), 1);
	return n;
}

static int in(struct store *s, const struct chan_inbound *m, int64_t now,
	      struct chan_inbound_result *r, struct err_info *ei)
{
	int rc;

	memset(ei, 0, sizeof(*ei));
	assert_int_equal(store_begin(s), 0);
	rc = chan_inbound(s, m, now, r, ei);
	if (rc == 0)
		assert_int_equal(store_commit(s), 0);
	else
		store_rollback(s);
	return rc;
}

static void inbound(void **state)
{
	struct store *s = open_center();
	struct chan_inbound m;
	struct chan_inbound_result r, r2;
	struct chan_conv c;
	struct err_info ei;
	int64_t now = local_at(8, 10, 0), first;

	(void)state;
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	memset(&m, 0, sizeof(m));
	m.account_id = 1;
	m.peer = "wang@example.com";
	m.subject = "发票";
	m.text = "请开发票";
	m.ext_id = "<m1@example.com>";
	assert_int_equal(in(s, &m, now, &r, &ei), 0);
	assert_true(r.is_new_conv);
	assert_false(r.duplicate);
	assert_int_equal(chan_conv_get(s, r.conv_id, &c), 0);
	assert_int_equal(c.customer_id, 1); /* matched by email */
	assert_string_equal(c.state, "new");
	assert_int_equal(c.first_reply_due, now + 480 * MIN);
	first = r.conv_id;
	/* The same Message-ID again: nothing written, the same ids. */
	assert_int_equal(in(s, &m, now + 1000, &r2, &ei), 0);
	assert_true(r2.duplicate);
	assert_int_equal(r2.conv_id, r.conv_id);
	assert_int_equal(r2.msg_id, r.msg_id);
	assert_int_equal(count(s, "SELECT count(*) FROM conv_msg"), 1);
	/* A reply from another address naming the first mail: the same thread. */
	m.peer = "wang2@example.com";
	m.ext_id = "<m2@example.com>";
	m.references = "<old@x> <m1@example.com>";
	m.text = "补充";
	assert_int_equal(in(s, &m, now + 2000, &r, &ei), 0);
	assert_int_equal(r.conv_id, first);
	assert_false(r.is_new_conv);
	assert_int_equal(chan_conv_get(s, first, &c), 0);
	assert_int_equal(c.unread, 2);
	/* WeChat: matched by the openid; the same peer's next message joins it. */
	memset(&m, 0, sizeof(m));
	m.account_id = 2;
	m.peer = "wx-open-1";
	m.text = "你好";
	assert_int_equal(in(s, &m, now, &r, &ei), 0);
	assert_int_equal(chan_conv_get(s, r.conv_id, &c), 0);
	assert_int_equal(c.customer_id, 1);
	assert_int_equal(c.first_reply_due, local_at(9, 0, 0));
	m.text = "在吗";
	assert_int_equal(in(s, &m, now + 5000, &r2, &ei), 0);
	assert_int_equal(r2.conv_id, r.conv_id);
	/* SMS: matched by the number, in any spelling cust normalises. */
	memset(&m, 0, sizeof(m));
	m.account_id = 3;
	m.peer = "+86 138-1111-2222";
	m.text = "TD";
	assert_int_equal(in(s, &m, now, &r, &ei), 0);
	assert_int_equal(chan_conv_get(s, r.conv_id, &c), 0);
	assert_int_equal(c.customer_id, 1);
	/* Bad input: nothing written. */
	int64_t msgs = count(s, "SELECT count(*) FROM conv_msg");
	m.text = NULL;
	assert_int_equal(in(s, &m, now, &r, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "text");
	m.text = "x";
	m.peer = "";
	assert_int_equal(in(s, &m, now, &r, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "peer");
	m.peer = "v";
	m.account_id = 4; /* disabled */
	assert_int_equal(in(s, &m, now, &r, &ei), ERR_NOTFOUND);
	m.account_id = 99;
	assert_int_equal(in(s, &m, now, &r, &ei), ERR_NOTFOUND);
	m.account_id = 3;
	m.text = "\xff\xfe";
	assert_int_equal(in(s, &m, now, &r, &ei), ERR_UNPROCESSABLE);
	assert_int_equal(count(s, "SELECT count(*) FROM conv_msg"), msgs);
	/* A chat nobody took, turned into a web message at 18:00: due the next day's end. */
	{
		struct chan_inbound_result rc1;

		assert_int_equal(
			store_exec(s, "INSERT INTO chan_account(id, channel, name,"
				      " created_at, updated_at) VALUES (5, 'web_chat', 'w', 0, 0)"),
			0);
		memset(&m, 0, sizeof(m));
		m.account_id = 5;
		m.peer = "visitor-7";
		m.text = "有人吗";
		assert_int_equal(in(s, &m, local_at(8, 18, 0), &rc1, &ei), 0);
		assert_int_equal(chan_conv_get(s, rc1.conv_id, &c), 0);
		assert_int_equal(c.first_reply_due, local_at(8, 18, 1));
		assert_int_equal(store_begin(s), 0);
		assert_int_equal(chan_conv_as_message(s, rc1.conv_id, local_at(8, 18, 2)), 0);
		assert_int_equal(store_commit(s), 0);
		assert_int_equal(chan_conv_get(s, rc1.conv_id, &c), 0);
		assert_int_equal(c.first_reply_due, local_at(10, 0, 0));
	}
	test_store_close(s);
}

static int sends, busy_left, last_nfiles;
static size_t last_file_size;
static char last_text[64], last_refs[128];

static int fake_send(const struct chan_outbound *m, char *ext_id, size_t ext_size, char *error,
		     size_t error_size)
{
	sends++;
	snprintf(last_text, sizeof(last_text), "%s", m->text);
	snprintf(last_refs, sizeof(last_refs), "%s", m->references ? m->references : "");
	last_nfiles = m->nfiles;
	last_file_size = m->nfiles ? m->files[0].size : 0;
	if (busy_left > 0) {
		busy_left--;
		snprintf(error, error_size, "timeout");
		return ERR_BUSY;
	}
	snprintf(ext_id, ext_size, "<sent-%d@kefu>", sends);
	return 0;
}

static void reply_send_resolve(void **state)
{
	static const struct chan_adapter mail = {CHAN_EMAIL, fake_send};
	struct store *s = open_center();
	struct audit_actor who = {3, "8101", NULL};
	struct chan_inbound m;
	struct chan_inbound_result r;
	struct chan_conv c;
	struct err_info ei;
	int64_t now = local_at(8, 10, 0), msg = 0, n = 0;
	char status[16], dir[] = "/tmp/kefu-chan-files-XXXXXX", sha[65] = "", path[700];

	(void)state;
	assert_int_equal(chan_adapter_add(&mail), 0);
	assert_int_equal(chan_adapter_add(&mail), ERR_CONFLICT);
	memset(&m, 0, sizeof(m));
	m.account_id = 1;
	m.peer = "li@example.com";
	m.subject = "退货";
	m.text = "怎么退";
	m.ext_id = "<q1@example.com>";
	assert_int_equal(in(s, &m, now, &r, &ei), 0);
	assert_int_equal(chan_conv_get(s, r.conv_id, &c), 0);
	/* The agent answers: queued in the request, first reply stamped, the agent holds it. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(chan_reply(s, &who, &c, "请寄回", 0, now + MIN, &msg, &ei), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(chan_conv_get(s, r.conv_id, &c), 0);
	assert_int_equal(c.first_reply_at, now + MIN);
	assert_int_equal(c.agent_id, 3);
	assert_string_equal(c.state, "open");
	/* The reply carries a file (as POST …/attachments stores it): the adapter gets its bytes.
	 */
	{
		static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
						    '\n', 0,   0,   0,	 13,   'I',  'H',
						    'D',  'R', 0,   0,	 0,    1};
		struct att_row a;

		assert_non_null(mkdtemp(dir));
		chan_send_files_dir(dir);
		memset(&a, 0, sizeof(a));
		assert_int_equal(att_file_put(dir, png, sizeof(png), a.sha256), 0);
		snprintf(a.kind, sizeof(a.kind), "photo");
		snprintf(a.filename, sizeof(a.filename), "图.png");
		snprintf(a.mime, sizeof(a.mime), "image/png");
		a.size = sizeof(png);
		a.uploaded_by = 3;
		a.message_id = msg;
		assert_int_equal(att_insert(s, &a), 0);
		memcpy(sha, a.sha256, sizeof(sha));
	}
	/* The channel is busy once: still queued with one try, then sent with its id. */
	busy_left = 1;
	assert_int_equal(chan_send_tick(s, now + 2 * MIN), 0);
	assert_int_equal(store_run(s, "SELECT tries FROM conv_msg WHERE id = ?", &n, "i", msg), 1);
	assert_int_equal(n, 1);
	assert_int_equal(chan_send_tick(s, now + 3 * MIN), 1);
	assert_string_equal(last_text, "请寄回");
	assert_string_equal(last_refs, "<q1@example.com>");
	assert_int_equal(last_nfiles, 1);
	assert_int_equal(last_file_size, 20);
	att_file_path(dir, sha, path, sizeof(path));
	assert_int_equal(unlink(path), 0);
	*strrchr(path, '/') = '\0';
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(rmdir(dir), 0);
	{
		struct store_stmt *st = store_query(
			s, "SELECT status, ext_id FROM conv_msg WHERE id = ?", "i", msg);

		assert_int_equal(store_next(st, NULL, NULL), 1);
		snprintf(status, sizeof(status), "%s", store_col_text(st, 0));
		assert_string_equal(store_col_text(st, 1), "<sent-2@kefu>");
		store_done(st);
	}
	assert_string_equal(status, "sent");
	/* Resolving writes the CALL-10 contact. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(chan_resolve(s, &who, &c, 3, "B", "退货咨询", NULL, now + 10 * MIN, &ei), 0);
	assert_int_equal(store_commit(s), 0);
	assert_true(c.contact_id > 0);
	assert_int_equal(count(s, "SELECT count(*) FROM contact WHERE channel = 'email' AND"
				  " class = 'B' AND agent_id = 3 AND summary = '退货咨询'"),
			 1);
	/* A reply to a resolved conversation refused; a new message opens a new one. */
	assert_int_equal(chan_reply(s, &who, &c, "x", 0, now, NULL, &ei), ERR_CONFLICT);
	m.ext_id = "<q2@example.com>";
	m.in_reply_to = "<sent-2@kefu>";
	assert_int_equal(in(s, &m, now + 20 * MIN, &r, &ei), 0);
	assert_true(r.is_new_conv);
	assert_int_equal(count(s, "SELECT count(*) FROM conv_msg WHERE direction = 'event' AND"
				  " body LIKE '客户回复了已解决的会话%'"),
			 1);
	/* A delivery report: the sent message failed after all (SMS, WeChat). */
	assert_int_equal(chan_msg_report(s, 1, "<sent-2@kefu>", 1, NULL), 0);
	assert_int_equal(chan_msg_report(s, 1, "<sent-2@kefu>", 0, "blocked"), 0);
	assert_int_equal(count(s, "SELECT count(*) FROM conv_msg WHERE status = 'failed' AND"
				  " error = 'blocked'"),
			 1);
	assert_int_equal(chan_msg_report(s, 2, "<sent-2@kefu>", 0, "x"), ERR_NOTFOUND);
	assert_int_equal(chan_msg_report(s, 1, "<q2@example.com>", 0, "x"), ERR_NOTFOUND);
	test_store_close(s);
}

/* The seat logs out: the live chat (WeChat) goes back to the queue, the email stays. */
static void logout_requeue(void **state)
{
	struct store *s = open_center();
	struct audit_actor who = {2, "8002", NULL};
	struct chan_inbound m;
	struct chan_inbound_result r;
	struct chan_conv chat, mail;
	struct err_info ei;
	int64_t now = local_at(9, 0, 0);

	(void)state;
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	memset(&m, 0, sizeof(m));
	m.account_id = 2;
	m.peer = "wx-open-9";
	m.text = "在吗";
	assert_int_equal(in(s, &m, now, &r, &ei), 0);
	assert_int_equal(chan_conv_get(s, r.conv_id, &chat), 0);
	m.account_id = 1;
	m.peer = "zhao@example.com";
	m.text = "发票";
	assert_int_equal(in(s, &m, now, &r, &ei), 0);
	assert_int_equal(chan_conv_get(s, r.conv_id, &mail), 0);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(chan_assign(s, &who, &chat, 3, NULL, now), 0);
	assert_int_equal(chan_assign(s, &who, &mail, 3, NULL, now), 0);
	assert_int_equal(chan_agent_logged_out(s, 3, now + MIN), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(chan_conv_get(s, chat.id, &chat), 0);
	assert_int_equal(chan_conv_get(s, mail.id, &mail), 0);
	assert_string_equal(chat.state, "new");
	assert_int_equal(chat.agent_id, 0);
	assert_string_equal(mail.state, "open");
	assert_int_equal(mail.agent_id, 3);
	assert_int_equal(count(s, "SELECT count(*) FROM conv_msg WHERE direction = 'event' AND"
				  " body = '坐席 刘洋 8101 已退出登录，会话转回队列'"),
			 1);
	assert_int_equal(count(s, "SELECT count(*) FROM audit WHERE action = 'chan.requeue'"), 1);
	/* Nothing left to return: nothing more written. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(chan_agent_logged_out(s, 3, now + 2 * MIN), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(count(s, "SELECT count(*) FROM audit WHERE action = 'chan.requeue'"), 1);
	/* An order from a contact no conversation has changes nothing. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(chan_order_made(s, 1, "X-1", 999, now), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(count(s, "SELECT count(*) FROM conv WHERE order_id IS NOT NULL"), 0);
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_and_states), cmocka_unit_test(settings),
		cmocka_unit_test(deadlines),	    cmocka_unit_test(routing),
		cmocka_unit_test(who_may),	    cmocka_unit_test(html),
		cmocka_unit_test(inbound),	    cmocka_unit_test(reply_send_resolve),
		cmocka_unit_test(logout_requeue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
