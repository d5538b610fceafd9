"""The email channel (issue 18) end to end through real Postfix and Dovecot
on loopback (tests/mail/mailservers.py): an email account configured over
POST /api/chan/accounts with the test servers' IMAP and SMTP URLs; a
customer's GBK mail sent to the service mailbox through Postfix, fetched by
the tick by IMAP as the test clock passes the account's poll_sec, and read
in the inbox decoded to UTF-8; the agent's reply sent by SMTP and found in
the customer's Dovecot mailbox with its text, "Re: " subject and
In-Reply-To (CALL-12: answered, threaded in the customer's mailer); the
customer's answer to the reply threading into the same conversation; a mail
fetched again stored once; a mail with no sender skipped while the next one
is stored; a multipart/alternative mail read from its plain part with
its HTML sanitised; an HTML-only mail read as text with its attachment
stored; the account's servers tried over POST /api/chan/accounts/{id}/test;
the reply copied to the mailbox's Sent folder by IMAP APPEND with the same
Message-ID, and a copy that fails (no such folder) leaving the reply sent
and its reason in the account's fetch state (mail_state)."""
import email
import email.policy
import os
import smtplib
import sys
import time

from apihelp import db_rows, db_value, person_id
from harness import KefuTestCase

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "mail"))
from mailservers import MailServers  # noqa: E402

FIXTURES = os.path.join(HERE, "..", "chan", "mail")
SERVICE = "service@kefu.test"
POLL_SEC = 30
USERS = {SERVICE: "svc-pw", "zhangzhe@example.cn": "zz-pw", "lisi@example.com": "ls-pw",
         "chen@example.cn": "chen-pw", "wangwu@example.cn": "ww-pw"}


def fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


class ChanMailTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        # The mail servers first, stopped after the class even when what follows fails.
        cls.ms = MailServers(users=USERS)
        cls.ms.start()
        cls.addClassCleanup(cls.ms.stop)
        # The service mailbox's Sent folder, where kefu copies its replies.
        cls.ms.doveadm("mailbox", "create", "-u", SERVICE, "Sent")
        super().setUpClass()
        s = cls.srv
        cls.mgr = s.login("8001")
        cls.sup = s.login("8002")
        cls.sup_id = person_id(s, "8002")
        st, acc, _ = s.call("POST", "/api/chan/accounts", {
            "channel": "email", "name": "客服邮箱", "queue": "",
            "config": {"imap_url": cls.ms.imap_url(), "smtp_url": cls.ms.smtp_url(),
                       "username": SERVICE, "password": USERS[SERVICE], "address": SERVICE,
                       "from_name": "客服中心", "poll_sec": POLL_SEC, "tls": "none",
                       "sent_folder": "Sent"}},
            token=cls.mgr)
        assert st == 201, acc
        cls.acc = acc
        # The password is a secret: never answered.
        assert acc["config"]["password"] == "******", acc

    # -- helpers --

    def smtp(self, sender, raw, to=SERVICE):
        with smtplib.SMTP("127.0.0.1", self.ms.smtp_port, timeout=10) as c:
            c.sendmail(sender, [to], raw)

    def delivered(self, count):
        """Waits until the service mailbox holds count mails (Postfix delivers on its own time)."""
        got = self.ms.wait_mail(SERVICE, USERS[SERVICE], count)
        self.assertGreaterEqual(len(got), count, self.ms.logs())

    def poll(self):
        """Moves the test clock past the account's poll_sec: one fetch."""
        return self.srv.advance(POLL_SEC * 1000)

    def convs(self, peer):
        st, page, _ = self.srv.call("GET", "/api/conversations?channel=email", token=self.sup)
        self.assertEqual(st, 200, page)
        return [c for c in page["items"] if c["peer"] == peer]

    def conv(self, cid):
        st, c, _ = self.srv.call("GET", f"/api/conversations/{cid}", token=self.sup)
        self.assertEqual(st, 200, c)
        return c

    def state(self):
        return db_rows(self.srv, "SELECT * FROM chan_mail_state WHERE account_id = %d"
                       % self.acc["id"])[0]

    # -- tests (named in the order they build on each other) --

    def test_1_round_trip(self):
        s = self.srv
        n_before = len(self.ms.wait_mail(SERVICE, USERS[SERVICE], 0, timeout=0))
        self.smtp("zhangzhe@example.cn", fixture("gbk.eml"))
        self.delivered(n_before + 1)
        # Not before its poll: the account was polled at start; nothing until poll_sec passed.
        self.poll()
        found = self.convs("zhangzhe@example.cn")
        self.assertEqual(len(found), 1, self.srv.read_log()[-3000:])
        c = self.conv(found[0]["id"])
        # GBK under a "gb2312" label, 喆 and 堃 included, decoded to UTF-8.
        self.assertEqual(c["subject"], "订单未发货（堃）")
        self.assertEqual(c["peer_name"], "张喆")
        ins = [m for m in c["messages"] if m["direction"] == "in"]
        self.assertEqual(len(ins), 1)
        self.assertEqual(ins[0]["body"].replace("\r\n", "\n"),
                         "张喆您好：\n\n我的订单 20261207001 还没有发货，请尽快处理。\n谢谢！")
        self.assertEqual(db_value(s, "SELECT ext_id FROM conv_msg WHERE id = %d" % ins[0]["id"]),
                         "gbk-1@example.cn")
        cid = c["id"]

        # The supervisor takes it and replies; the next round sends it by SMTP.
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/take", token=self.sup)
        self.assertEqual(st, 200, t)
        reply = "张先生您好：\n已为您加急发货，单号 SF1234567890。"
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/messages", {"text": reply},
                          token=self.sup)
        self.assertEqual(st, 201, t)
        s.advance(0)
        out = db_rows(s, "SELECT status, ext_id, error FROM conv_msg WHERE conv_id = %d"
                         " AND direction = 'out'" % cid)
        self.assertEqual(out[0]["status"], "sent", out)
        got = self.ms.wait_mail("zhangzhe@example.cn", USERS["zhangzhe@example.cn"], 1)
        self.assertEqual(len(got), 1, self.ms.logs())
        m = email.message_from_bytes(got[0], policy=email.policy.default)
        self.assertEqual(str(m["Subject"]), "Re: 订单未发货（堃）")
        self.assertEqual(str(m["In-Reply-To"]), "<gbk-1@example.cn>")
        self.assertIn("<gbk-1@example.cn>", str(m["References"]))
        self.assertEqual(m["From"].addresses[0].addr_spec, SERVICE)
        self.assertEqual(m["From"].addresses[0].display_name, "客服中心")
        self.assertEqual(m["To"].addresses[0].addr_spec, "zhangzhe@example.cn")
        self.assertEqual(m.get_content_type(), "text/plain")
        self.assertEqual(m.get_content().replace("\r\n", "\n").rstrip("\n"), reply)
        # kefu said EHLO with the address's domain (libcurl's default, "localhost", is refused by strict servers).
        self.assertIn("from kefu.test (", str(m["Received"]))
        # The sent message's id is the reply's Message-ID, so the answer to it threads.
        msgid = str(m["Message-ID"]).strip("<>")
        self.assertEqual(out[0]["ext_id"], msgid)
        self.assertTrue(msgid.endswith("@kefu.test"), msgid)
        # A copy went to the service mailbox's Sent folder: the same mail, the same Message-ID.
        sent = self.ms.wait_mail(SERVICE, USERS[SERVICE], 1, mailbox="Sent")
        self.assertEqual(len(sent), 1, self.ms.logs())
        copy = email.message_from_bytes(sent[0], policy=email.policy.default)
        self.assertEqual(str(copy["Message-ID"]).strip("<>"), msgid)
        self.assertEqual(copy.get_content().replace("\r\n", "\n").rstrip("\n"), reply)

        # The customer answers the reply (a new subject, the same thread): same conversation.
        answer = ("From: =?UTF-8?B?5byg5Zac?= <zhangzhe@example.cn>\r\nTo: service@kefu.test\r\n"
                  "Subject: =?UTF-8?B?6L+Y5pyJ5LiA5Lu25LqL?=\r\n"
                  "Message-ID: <answer-1@example.cn>\r\n"
                  f"In-Reply-To: <{msgid}>\r\nReferences: <gbk-1@example.cn> <{msgid}>\r\n"
                  "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                  "Content-Transfer-Encoding: 8bit\r\n\r\n收到，谢谢！还有一件事。\r\n").encode()
        self.smtp("zhangzhe@example.cn", answer)
        self.delivered(n_before + 2)
        self.poll()
        self.assertEqual(len(self.convs("zhangzhe@example.cn")), 1)
        c = self.conv(cid)
        self.assertEqual([m["direction"] for m in c["messages"] if m["direction"] in ("in", "out")],
                         ["in", "out", "in"])
        self.assertEqual(c["messages"][-1]["body"], "收到，谢谢！还有一件事。")

        # Fetched again from UID 1 (as after a lost state): nothing is stored twice.
        count = db_value(s, "SELECT count(*) FROM conv_msg")
        fetched = self.state()["fetched"]
        subprocess_sql(s, "UPDATE chan_mail_state SET last_uid = 0 WHERE account_id = %d"
                       % self.acc["id"])
        self.poll()
        self.assertEqual(db_value(s, "SELECT count(*) FROM conv_msg"), count)
        st = self.state()
        self.assertEqual(st["fetched"], fetched)
        self.assertGreaterEqual(st["last_uid"], 2)

    def test_2_malformed_does_not_stop_the_others(self):
        s = self.srv
        n_before = len(self.ms.wait_mail(SERVICE, USERS[SERVICE], 0, timeout=0))
        skipped = self.state()["skipped"]
        self.smtp("nobody@example.cn", fixture("malformed.eml"))
        self.delivered(n_before + 1)
        # An out-of-office answer (RFC 3834) is not a customer writing: passed over too.
        self.smtp("away@example.cn", b"From: away@example.cn\r\nTo: service@kefu.test\r\n"
                  b"Subject: =?UTF-8?B?6Ieq5Yqo5Zue5aSN?=\r\nAuto-Submitted: auto-replied\r\n"
                  b"Message-ID: <ooo-1@example.cn>\r\n\r\nI am away.\r\n")
        self.delivered(n_before + 2)
        self.smtp("chen@example.cn", fixture("big5.eml"))
        self.delivered(n_before + 3)
        self.poll()
        st = self.state()
        self.assertEqual(st["skipped"], skipped + 2)
        self.assertEqual(self.convs("away@example.cn"), [])
        self.assertIn("skipped: an automatic reply", s.read_log())
        found = self.convs("chen@example.tw")
        self.assertEqual(len(found), 1, self.srv.read_log()[-3000:])
        c = self.conv(found[0]["id"])
        self.assertEqual(c["subject"], "查詢退款進度")
        self.assertEqual(c["messages"][0]["body"], "您好，我想查詢退款進度。")
        # The skipped mail is not fetched again at the next poll.
        self.poll()
        self.assertEqual(self.state()["skipped"], skipped + 2)
        self.assertIn("skipped: no sender address", s.read_log())

    def test_3_alternative_and_attachment(self):
        s = self.srv
        n_before = len(self.ms.wait_mail(SERVICE, USERS[SERVICE], 0, timeout=0))
        self.smtp("lisi@example.com", fixture("alternative.eml"))
        self.smtp("wangwu@example.net", fixture("attachment.eml"))
        self.delivered(n_before + 2)
        self.poll()
        alt = self.conv(self.convs("lisi@example.com")[0]["id"])
        self.assertEqual(alt["messages"][0]["body"], "这是纯文本部分。\n第二行。")
        # The HTML part is kept sanitised: no script of the page, no remote image.
        html = alt["messages"][0].get("html") or ""
        self.assertIn("HTML", html)
        self.assertNotIn("evil.test", html)
        att = self.conv(self.convs("wangwu@example.net")[0]["id"])
        # No plain part: the HTML part as text, one line a block.
        self.assertEqual(att["messages"][0]["body"], "见附件截图\n王五")
        # The attachment, with its RFC 2231 Chinese name, stored through att (owner "message").
        files = att["messages"][0]["files"]
        self.assertEqual([(f["filename"], f["mime"], f["size"]) for f in files],
                         [("截图.png", "image/png", 69)])
        rows = db_rows(s, "SELECT filename, size FROM attachment WHERE message_id = %d"
                       % att["messages"][0]["id"])
        self.assertEqual([(r["filename"], r["size"]) for r in rows], [("截图.png", 69)])

    def test_4_try_the_account(self):
        s = self.srv
        path = f"/api/chan/accounts/{self.acc['id']}/test"
        st, r, _ = s.call("POST", path, token=self.mgr)
        self.assertEqual(st, 200, r)
        self.assertEqual(r, {"ok": True, "error": ""})
        # A wrong password: the IMAP login fails, said in the answer, not as an HTTP error.
        st, bad, _ = s.call("POST", "/api/chan/accounts", {
            "channel": "email", "name": "错密码", "enabled": False,
            "config": {"imap_url": self.ms.imap_url(), "smtp_url": self.ms.smtp_url(),
                       "username": SERVICE, "password": "wrong", "address": SERVICE,
                       "tls": "none"}}, token=self.mgr)
        self.assertEqual(st, 201, bad)
        st, r, _ = s.call("POST", f"/api/chan/accounts/{bad['id']}/test", token=self.mgr)
        self.assertEqual(st, 200, r)
        self.assertFalse(r["ok"])
        self.assertTrue(r["error"].startswith("imap: "), r)
        # Nothing listening on the SMTP port: the IMAP half passes, the SMTP half fails.
        st, r, _ = s.call("PUT", f"/api/chan/accounts/{bad['id']}", {"config": {
            "imap_url": self.ms.imap_url(), "smtp_url": "smtp://127.0.0.1:9", "username": SERVICE,
            "password": USERS[SERVICE], "address": SERVICE, "tls": "none"}}, token=self.mgr)
        self.assertEqual(st, 200, r)
        st, r, _ = s.call("POST", f"/api/chan/accounts/{bad['id']}/test", token=self.mgr)
        self.assertEqual((st, r["ok"]), (200, False), r)
        self.assertTrue(r["error"].startswith("smtp: "), r)
        # A config that is not one is refused when saved, the field named, in
        # Chinese by default, and the one before is kept.
        before = db_value(s, f"SELECT config FROM chan_account WHERE id = {bad['id']}")
        bad_cfg = {"config": {"imap_url": "http://x", "smtp_url": "smtp://127.0.0.1:9",
                              "address": SERVICE}}
        self.assertError(s.call("PUT", f"/api/chan/accounts/{bad['id']}", bad_cfg,
                                token=self.mgr), 422, field="config.imap_url")
        st, r, _ = s.call("PUT", f"/api/chan/accounts/{bad['id']}", bad_cfg, token=self.mgr,
                          headers={"Accept-Language": None})
        self.assertEqual(r["error"]["message"], "imap_url 应为 imap://主机[:端口]/邮箱文件夹 或 imaps://")
        self.assertEqual(db_value(s, f"SELECT config FROM chan_account WHERE id = {bad['id']}"),
                         before)
        self.assertError(s.call("POST", "/api/chan/accounts",
                                {"channel": "email", "name": "坏邮箱", "config": {
                                    "imap_url": "imap://127.0.0.1:9/INBOX",
                                    "smtp_url": "ftp://x", "address": SERVICE}},
                                token=self.mgr), 422, field="config.smtp_url")
        # Not an email account, no such account, not a manager.
        st, chat, _ = s.call("POST", "/api/chan/accounts", {"channel": "web_chat", "name": "网页"},
                             token=self.mgr)
        self.assertEqual(st, 201, chat)
        self.assertError(s.call("POST", f"/api/chan/accounts/{chat['id']}/test", token=self.mgr),
                         422, field="channel")
        self.assertError(s.call("POST", "/api/chan/accounts/99999/test", token=self.mgr), 404)
        self.assertError(s.call("POST", path, token=s.login("8101")), 403)

    def test_5_reply_with_a_file(self):
        s = self.srv
        cid = self.convs("zhangzhe@example.cn")[0]["id"]
        pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
        before = len(self.ms.wait_mail("zhangzhe@example.cn", USERS["zhangzhe@example.cn"], 0,
                                       timeout=0))
        st, _, rh = s.raw("POST", f"/api/conversations/{cid}/attachments", pdf, {
            "Authorization": "Bearer " + self.sup, "Content-Type": "application/pdf",
            "X-Filename": "receipt.pdf", "Accept-Language": "en"})
        self.assertEqual(st, 201)
        s.advance(0)
        got = self.ms.wait_mail("zhangzhe@example.cn", USERS["zhangzhe@example.cn"], before + 1)
        self.assertEqual(len(got), before + 1, self.ms.logs())
        m = email.message_from_bytes(got[-1], policy=email.policy.default)
        self.assertEqual(m.get_content_type(), "multipart/mixed")
        self.assertEqual(str(m["Subject"]), "Re: 订单未发货（堃）")
        parts = [p for p in m.iter_attachments()]
        self.assertEqual([(p.get_filename(), p.get_content_type()) for p in parts],
                         [("receipt.pdf", "application/pdf")])
        self.assertEqual(parts[0].get_content(), pdf)

    def test_7_fetch_state_and_failed_sent_copy(self):
        """The account's JSON tells how fetching goes (chan_mail_state); a reply whose copy to
        the Sent folder fails (no such folder) is sent all the same, and the reason shows."""
        s = self.srv
        self.poll()
        row = self.state()
        st, acc, _ = s.call("GET", f"/api/chan/accounts/{self.acc['id']}", token=self.mgr)
        self.assertEqual(st, 200, acc)
        ms = acc["mail_state"]
        self.assertEqual((ms["last_uid"], ms["uidvalidity"], ms["fetched"], ms["skipped"]),
                         (row["last_uid"], row["uidvalidity"], row["fetched"], row["skipped"]))
        self.assertEqual(ms["last_fetch_at"], row["updated_at"])
        self.assertEqual(ms["next_poll_at"], row["next_poll_at"])
        self.assertGreater(ms["last_uid"], 0)
        self.assertEqual(ms["last_error"], row["last_error"])
        self.assertEqual(ms["sent_error"], "")
        self.assertIsNotNone(ms["sent_at"])
        # The list shows it too; other channels have none.
        st, page, _ = s.call("GET", "/api/chan/accounts", token=self.mgr)
        self.assertEqual([a["mail_state"] for a in page["items"] if a["id"] == self.acc["id"]],
                         [ms])
        self.assertTrue(all("mail_state" not in a for a in page["items"]
                            if a["channel"] != "email"))
        # A Sent folder that is no mailbox: checked as a name when saved...
        cfg = dict(acc["config"], sent_folder="Sent*")
        r = s.call("PUT", f"/api/chan/accounts/{self.acc['id']}", {"config": cfg}, token=self.mgr,
                   headers={"Accept-Language": "zh-CN"})
        self.assertError(r, 422, field="config.sent_folder")
        self.assertEqual(r[1]["error"]["message"], "sent_folder 应为邮箱文件夹名称，不超过 200 字节")
        self.assertIn('"sent_folder":"Sent"', db_value(
            s, "SELECT config FROM chan_account WHERE id = %d" % self.acc["id"]))
        # ...and one the server does not have: the copy fails, the reply still goes.
        cfg["sent_folder"] = "Missing"
        st, b, _ = s.call("PUT", f"/api/chan/accounts/{self.acc['id']}", {"config": cfg},
                          token=self.mgr)
        self.assertEqual(st, 200, b)
        self.assertEqual(b["config"]["sent_folder"], "Missing")
        self.assertEqual(b["config"]["password"], "******")
        n_before = len(self.ms.wait_mail("wangwu@example.cn", USERS["wangwu@example.cn"], 0,
                                         timeout=0))
        sent_before = len(self.ms.wait_mail(SERVICE, USERS[SERVICE], 0, timeout=0, mailbox="Sent"))
        r = s.call("POST", "/api/test/chan/inbound", {
            "account_id": self.acc["id"], "peer": "wangwu@example.cn", "subject": "发票",
            "text": "请开发票", "ext_id": "state-1@example.cn"})
        self.assertEqual(r[0], 201, r)
        cid = r[1]["conv_id"]
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/messages", {"text": "已开具"},
                          token=self.sup)
        self.assertEqual(st, 201, t)
        s.advance(0)
        s.advance(0)  # the next round writes the copy's outcome
        self.assertEqual(db_rows(s, "SELECT status FROM conv_msg WHERE conv_id = %d AND"
                                    " direction = 'out'" % cid), [{"status": "sent"}])
        self.assertEqual(len(self.ms.wait_mail("wangwu@example.cn", USERS["wangwu@example.cn"],
                                               n_before + 1)), n_before + 1)
        self.assertEqual(len(self.ms.wait_mail(SERVICE, USERS[SERVICE], 0, timeout=0,
                                               mailbox="Sent")), sent_before)
        st, acc, _ = s.call("GET", f"/api/chan/accounts/{self.acc['id']}", token=self.mgr)
        self.assertIn("sent copy", acc["mail_state"]["sent_error"])
        self.assertIn("Missing", s.read_log())

    def test_6_mailbox_recreated(self):
        """A new UIDVALIDITY (the mailbox rebuilt on the server): read again from UID 1,
        nothing stored twice, and new mail after it still arrives."""
        s = self.srv
        self.poll()
        count = db_value(s, "SELECT count(*) FROM conv_msg")
        old = self.state()["uidvalidity"]
        self.ms.doveadm("mailbox", "update", "-u", SERVICE, "--uid-validity", str(old + 1000),
                        "INBOX")
        n_before = len(self.ms.wait_mail(SERVICE, USERS[SERVICE], 0, timeout=0))
        self.smtp("lisi@example.com", b"From: lisi@example.com\r\nTo: service@kefu.test\r\n"
                  b"Subject: again\r\nMessage-ID: <after-rebuild@example.com>\r\n"
                  b"Content-Type: text/plain; charset=utf-8\r\n\r\n\xe9\x87\x8d\xe5\xbb\xba\xe5\x90\x8e\r\n")
        self.delivered(n_before + 1)
        self.poll()
        # The whole mailbox was 50 or fewer mails: one round read it all again.
        self.assertEqual(self.state()["uidvalidity"], old + 1000)
        self.assertIn("UIDVALIDITY", s.read_log())
        self.assertEqual(db_value(s, "SELECT count(*) FROM conv_msg"), count + 1)
        self.assertEqual(db_value(s, "SELECT body FROM conv_msg WHERE ext_id = 'after-rebuild@example.com'"),
                         "重建后")


def subprocess_sql(srv, sql):
    import subprocess
    subprocess.run(["sqlite3", srv.db, sql], check=True, capture_output=True)


if __name__ == "__main__":
    import unittest
    unittest.main()
