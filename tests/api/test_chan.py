"""Conversations of every channel (issue 18, src/chan/ core): a customer's
message in (through the test-clock-only POST /api/test/chan/inbound, which
calls chan_inbound as a channel does), the inbox, replies and notes, routing
by the tick (acd status, the queue's skill, chat capacity), CALL-12's
deadlines recomputed here from the settings and the local day, breaches
marked once with notices, resolving into a CALL-10 contact read back from the
database, dedup of a channel's message id, email threading, sanitised HTML,
channel accounts with masked secrets, and bad input answered with nothing
written."""
import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apihelp import MINUTE, advance_to_local, db_rows, db_value, person_id
from harness import KefuTestCase

TZ = ZoneInfo("Asia/Shanghai")


# What an account of each channel needs at least for its adapter (docs/chan.md):
# these tests never reach the providers.
MIN_CONFIG = {
    # Nothing listens on port 9: a poll fails at once and backs off.
    "email": {"imap_url": "imap://127.0.0.1:9/INBOX", "smtp_url": "smtp://127.0.0.1:9",
              "address": "kf@example.com"},
    "wechat": {"appid": "wx-test", "secret": "s", "token": "tok123"},
    "weibo": {"app_secret": "s", "access_token": "t"},
    "sms": {"access_key_id": "k", "access_key_secret": "s", "sign_name": "客服",
            "hook_token": "0123456789abcdef"},
}


def db_exec(srv, sql):
    subprocess.run(["sqlite3", srv.db, sql], check=True, capture_output=True)


class ChanCase(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.to_local(10, 0)
        s = cls.srv
        cls.a1 = person_id(s, "8101")
        cls.a2 = person_id(s, "8102")
        cls.a3 = person_id(s, "8103")
        cls.sup_id = person_id(s, "8002")

    @classmethod
    def login_all(cls):
        s = cls.srv
        cls.agent = s.login("8101")
        cls.agent2 = s.login("8102")
        cls.agent3 = s.login("8103")
        cls.sup = s.login("8002")
        cls.mgr = s.login("8001")

    @classmethod
    def to_local(cls, hour, minute):
        """Moves the server's clock forward to the next hour:minute in the center's zone."""
        now = advance_to_local(cls.srv, hour, minute)
        cls.login_all()
        return now

    def account(self, channel="web_chat", queue="", name=None, config=None):
        st, a, _ = self.srv.call("POST", "/api/chan/accounts",
                                 {"channel": channel, "name": name or f"{channel} 测试",
                                  "queue": queue,
                                  "config": config or dict(MIN_CONFIG.get(channel, {}))},
                                 token=self.mgr)
        self.assertEqual(st, 201, a)
        return a

    def inbound(self, body, status=201):
        st, r, _ = self.srv.call("POST", "/api/test/chan/inbound", body)
        self.assertEqual(st, status, r)
        return r

    def conv(self, cid, token=None):
        st, c, _ = self.srv.call("GET", f"/api/conversations/{cid}", token=token or self.sup)
        self.assertEqual(st, 200, c)
        return c

    def ready(self, token):
        st, b, _ = self.srv.call("POST", "/api/acd/me/status", {"status": "ready"}, token=token)
        self.assertEqual(st, 200, b)

    def not_ready(self, token):
        st, b, _ = self.srv.call("POST", "/api/acd/me/status", {"status": "logged_out"},
                                 token=token)
        self.assertIn(st, (200,), b)


class FlowTest(ChanCase):
    def test_message_reply_resolve_contact(self):
        s = self.srv
        acc = self.account("web_chat")
        now = s.advance(0)
        r = self.inbound({"account_id": acc["id"], "peer": "visitor-1", "peer_name": "访客一",
                          "text": "你好，我的订单没到", "ext_id": "m-1"})
        self.assertTrue(r["is_new_conv"])
        self.assertFalse(r["duplicate"])
        cid = r["conv_id"]
        # The same channel id again: stored once, the same ids (a redelivered webhook).
        r2 = self.inbound({"account_id": acc["id"], "peer": "visitor-1", "text": "你好，我的订单没到",
                           "ext_id": "m-1"}, status=200)
        self.assertEqual((r2["conv_id"], r2["msg_id"], r2["duplicate"]), (cid, r["msg_id"], True))
        self.assertEqual(db_value(s, f"SELECT count(*) FROM conv_msg WHERE conv_id = {cid}"), 1)
        c = self.conv(cid)
        self.assertEqual((c["state"], c["channel"], c["peer"], c["unread"]),
                         ("new", "web_chat", "visitor-1", 1))
        # CALL-12: a chat's first reply is due chat_first_reply_sec (60) after it came.
        self.assertEqual(c["first_reply_due"], c["created_at"] + 60 * 1000)
        self.assertLessEqual(now, c["created_at"])
        self.assertEqual([m["body"] for m in c["messages"]], ["你好，我的订单没到"])
        # An agent of the queue sees the new one and takes it; to another agent it is gone then.
        st, page, _ = s.call("GET", "/api/conversations?state=new", token=self.agent)
        self.assertIn(cid, [x["id"] for x in page["items"]])
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/take", token=self.agent)
        self.assertEqual(st, 200, t)
        self.assertEqual((t["state"], t["agent_id"]), ("open", self.a1))
        self.assertError(s.call("POST", f"/api/conversations/{cid}/messages", {"text": "我来"},
                                token=self.agent2), 404)
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/messages", {"text": "您好，我来查一下"},
                          token=self.agent)
        self.assertEqual(st, 201, t)
        out = [m for m in t["messages"] if m["direction"] == "out"]
        self.assertEqual((out[0]["body"], out[0]["status"], out[0]["author_id"]),
                         ("您好，我来查一下", "queued", self.a1))
        self.assertIsNotNone(t["first_reply_at"])
        # The web chat's adapter (chan_webchat_api.c) delivers it through the visitor's
        # stream: the send queue marks it sent in one round.
        s.advance(0)
        row = db_rows(s, f"SELECT status, tries, error FROM conv_msg WHERE id = {out[0]['id']}")[0]
        self.assertEqual((row["status"], row["tries"]), ("sent", 1))
        # Resolve: the CALL-10 contact, read back from the database.
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/resolve",
                          {"class": "B", "summary": "查询订单物流"}, token=self.agent)
        self.assertEqual(st, 200, t)
        self.assertEqual(t["state"], "resolved")
        k = db_rows(s, f"SELECT channel, direction, agent_id, class, summary, started_at, ended_at"
                       f" FROM contact WHERE id = {t['contact_id']}")[0]
        self.assertEqual((k["channel"], k["direction"], k["agent_id"], k["class"], k["summary"]),
                         ("web_chat", "in", self.a1, "B", "查询订单物流"))
        self.assertEqual(k["started_at"], c["created_at"])
        # The visitor writes again: a new conversation.
        r3 = self.inbound({"account_id": acc["id"], "peer": "visitor-1", "text": "还有一个问题"})
        self.assertTrue(r3["is_new_conv"])
        self.assertNotEqual(r3["conv_id"], cid)


def local_day_end(ms, days=1):
    """The first millisecond of the local day `days` after the one holding ms."""
    d = datetime.fromtimestamp(ms / 1000, TZ).date() + timedelta(days=days)
    return int(datetime(d.year, d.month, d.day, tzinfo=TZ).timestamp() * 1000)


class RoutingTest(ChanCase):
    """The tick gives new conversations to ready agents with the queue's skill
    (market_consult: 8103, 8104 in the demo center), the least loaded first,
    then the longest idle, never past the chat capacity; email does not count."""

    def test_capacity_status_and_skill(self):
        s = self.srv
        st, g, _ = s.call("PUT", "/api/chan/settings", {"chat_capacity": 2}, token=self.mgr)
        self.assertEqual(st, 200, g)
        acc = self.account("web_chat", queue="market_consult")
        a4 = person_id(s, "8104")
        tok4 = s.login("8104")
        self.ready(self.agent3)          # 8103 first: idle the longest
        s.advance(1000)
        self.ready(tok4)
        self.ready(self.agent)           # 8101: ready, but without the skill
        convs = [self.inbound({"account_id": acc["id"], "peer": f"v-{i}", "text": f"问题{i}"})
                 ["conv_id"] for i in range(5)]
        s.advance(0)
        got = {c: self.conv(c)["agent_id"] for c in convs}
        # 1 → 8103, 2 → 8104 (fewest), 3 → 8103 (both one; 8103 idle longer), 4 → 8104,
        # 5 waits: both at capacity 2, 8101 has not the queue's skill.
        self.assertEqual([got[c] for c in convs], [self.a3, a4, self.a3, a4, None])
        self.assertEqual(self.conv(convs[4])["state"], "new")
        for c in convs[:4]:
            self.assertEqual(self.conv(c)["state"], "open")
        # The agent without the skill does not see it waiting; 8103 does (own ones too).
        st, page, _ = s.call("GET", "/api/conversations?state=active", token=self.agent)
        self.assertNotIn(convs[4], [x["id"] for x in page["items"]])
        st, page, _ = s.call("GET", "/api/conversations?state=active", token=self.agent3)
        self.assertEqual(sorted(x["id"] for x in page["items"]),
                         sorted([convs[0], convs[2], convs[4]]))
        # 8103 may not take it past the capacity; a supervisor gives it to 8101 anyway.
        self.assertError(s.call("POST", f"/api/conversations/{convs[4]}/take",
                                token=self.agent3), 409)
        # 8103 resolves one: room again, and the tick gives it the waiting one.
        st, r, _ = s.call("POST", f"/api/conversations/{convs[0]}/resolve", {"class": "A"},
                          token=self.agent3)
        self.assertEqual(st, 200, r)
        # Busy agents get nothing: 8104 goes busy first (it would be as loaded).
        st, b, _ = s.call("POST", "/api/acd/me/status", {"status": "busy", "reason": "training"},
                          token=tok4)
        self.assertEqual(st, 200, b)
        s.advance(0)
        self.assertEqual(self.conv(convs[4])["agent_id"], self.a3)
        # An event line tells the assignment, in the conversation itself.
        events = [m["body"] for m in self.conv(convs[4])["messages"] if m["direction"] == "event"]
        self.assertEqual(events, ["会话已分配给坐席 杨帆 8103"])
        # The agent was told.
        self.assertGreaterEqual(db_value(s, f"SELECT count(*) FROM notification WHERE person_id ="
                                            f" {self.a3} AND kind = 'chan.assign'"), 3)
        # Email does not count against the chat capacity: 8103 at 2 chats still gets one.
        mail = self.account("email", queue="market_consult")
        m = self.inbound({"account_id": mail["id"], "peer": "kehu@example.com",
                          "subject": "咨询", "text": "请问"})
        s.advance(0)
        self.assertEqual(self.conv(m["conv_id"])["agent_id"], self.a3)
        st, q, _ = s.call("GET", "/api/chan/queues", token=self.sup)
        self.assertEqual(st, 200, q)
        self.assertError(s.call("GET", "/api/chan/queues", token=self.agent), 403)


class DeadlineTest(ChanCase):
    """CALL-12's deadlines, recomputed here from the settings and the local day."""

    def test_email_sms_and_chat_deadlines(self):
        s = self.srv
        mail = self.account("email")
        sms = self.account("sms")
        # 10:00 local: email 8 h later; SMS before the 17:00 cutoff: the end of today.
        r = self.inbound({"account_id": mail["id"], "peer": "a@example.com", "subject": "退款",
                          "text": "什么时候退款"})
        c = self.conv(r["conv_id"])
        self.assertEqual(c["first_reply_due"], c["created_at"] + 480 * MINUTE)
        self.assertEqual(c["resolve_due"], local_day_end(c["first_reply_due"], 2))
        r = self.inbound({"account_id": sms["id"], "peer": "13900001111", "text": "在吗"})
        c = self.conv(r["conv_id"])
        self.assertEqual(c["first_reply_due"], local_day_end(c["created_at"]))
        self.assertEqual(c["peer"][:3], "139")
        self.assertNotEqual(c["peer"], "13900001111")  # masked (CUST-2)
        # After the cutoff (18:00): the end of the next local day.
        self.to_local(18, 0)
        r = self.inbound({"account_id": sms["id"], "peer": "13900002222", "text": "在吗"})
        c = self.conv(r["conv_id"])
        self.assertEqual(c["first_reply_due"], local_day_end(c["created_at"], 2))
        # Same-day off: always the next day's end; a later cutoff: today again.
        st, g, _ = s.call("PUT", "/api/chan/settings",
                          {"message_cutoff_min": 1200, "chat_first_reply_sec": 30},
                          token=self.mgr)
        self.assertEqual(st, 200, g)
        r = self.inbound({"account_id": sms["id"], "peer": "13900003333", "text": "在吗"})
        c = self.conv(r["conv_id"])
        self.assertEqual(c["first_reply_due"], local_day_end(c["created_at"]))
        st, g, _ = s.call("PUT", "/api/chan/settings", {"message_same_day": False},
                          token=self.mgr)
        r = self.inbound({"account_id": sms["id"], "peer": "13900004444", "text": "在吗"})
        c = self.conv(r["conv_id"])
        self.assertEqual(c["first_reply_due"], local_day_end(c["created_at"], 2))
        chat = self.account("web_chat")
        r = self.inbound({"account_id": chat["id"], "peer": "v-9", "text": "在吗"})
        c = self.conv(r["conv_id"])
        self.assertEqual(c["first_reply_due"], c["created_at"] + 30 * 1000)

    def test_breach_marked_once_and_told(self):
        s = self.srv
        chat = self.account("web_chat")
        r = self.inbound({"account_id": chat["id"], "peer": "late-1", "text": "有人吗"})
        cid = r["conv_id"]
        before = db_value(s, "SELECT count(*) FROM notification WHERE kind = 'chan.late'")
        s.advance(61 * 1000)
        c = self.conv(cid)
        self.assertEqual(c["breached"] & 1, 1)
        told = db_value(s, "SELECT count(*) FROM notification WHERE kind = 'chan.late'") - before
        # Nobody holds it yet: the manager and the supervisors hear of it (acd's watchers), once.
        self.assertGreaterEqual(told, 2)
        self.assertEqual(db_value(s, f"SELECT count(*) FROM notification WHERE kind = 'chan.late'"
                                     f" AND person_id = {self.sup_id}") , 1)
        s.advance(1000)
        self.assertEqual(db_value(s, "SELECT count(*) FROM notification WHERE kind = 'chan.late'")
                         - before, told)
        self.assertEqual(db_value(s, f"SELECT count(*) FROM audit WHERE action = 'chan.late'"
                                     f" AND entity_id = '{cid}'"), 1)


class MessageTest(ChanCase):
    def test_email_thread_html_and_customer(self):
        s = self.srv
        mail = self.account("email")
        st, cust, _ = s.call("POST", "/api/customers",
                             {"name": "王小明", "surname": "王", "title": "mr",
                              "email": "wang@example.com", "phones": [{"phone": "13811112222"}]},
                             token=self.agent)
        self.assertEqual(st, 201, cust)
        html = ('<html><head><style>p{color:red}</style></head><body>'
                '<script>alert(1)</script><p>您好 <b>客服</b> &amp; 谢谢</p>'
                '<img src="http://evil.example/t.png"><a href="javascript:x()">坏</a>'
                '<a href="https://ok.example/">好</a><p onclick="x()">再见</p></body></html>')
        r = self.inbound({"account_id": mail["id"], "peer": "wang@example.com",
                          "subject": "发票", "html": html, "ext_id": "<a1@example.com>"})
        cid = r["conv_id"]
        c = self.conv(cid)
        self.assertEqual(c["customer_id"], cust["id"])
        m = c["messages"][0]
        self.assertEqual(m["body"], "您好 客服 & 谢谢\n坏好\n再见")
        for bad in ("script", "style", "img", "src", "javascript", "onclick", "evil"):
            self.assertNotIn(bad, m["html"])
        self.assertIn('<a href="https://ok.example/"', m["html"])
        self.assertIn("<p>您好 <b>客服</b> &amp; 谢谢</p>", m["html"])
        # The agent answers; the customer's reply names the first mail: the same thread.
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/take", token=self.agent)
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/messages", {"text": "已开具"},
                          token=self.agent)
        self.assertEqual(st, 201, t)
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/state", {"state": "waiting"},
                          token=self.agent)
        self.assertEqual((st, t["state"]), (200, "waiting"), t)
        r2 = self.inbound({"account_id": mail["id"], "peer": "wang.other@example.com",
                           "subject": "Re: 发票", "text": "收到", "ext_id": "<a2@example.com>",
                           "references": "<zz@example.com> <a1@example.com>"})
        self.assertEqual((r2["conv_id"], r2["is_new_conv"]), (cid, False))
        self.assertEqual(self.conv(cid)["state"], "open")  # the customer answered
        # Resolved, then a reply to the thread: a new conversation that names the old one.
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/resolve", {"class": "C"},
                          token=self.agent)
        self.assertEqual(st, 200, t)
        k = db_rows(s, f"SELECT channel, customer_id FROM contact WHERE id = {t['contact_id']}")[0]
        self.assertEqual((k["channel"], k["customer_id"]), ("email", cust["id"]))
        r3 = self.inbound({"account_id": mail["id"], "peer": "wang@example.com",
                           "text": "还有问题", "in_reply_to": "<a2@example.com>"})
        self.assertTrue(r3["is_new_conv"])
        events = [x["body"] for x in self.conv(r3["conv_id"])["messages"]
                  if x["direction"] == "event"]
        self.assertEqual(events, [f"客户回复了已解决的会话 #{cid}"])
        # Full text search over messages (Chinese words).
        from urllib.parse import quote
        st, page, _ = s.call("GET", "/api/conversations?q=" + quote("谢谢"), token=self.sup)
        self.assertEqual([x["id"] for x in page["items"]], [cid])
        st, page, _ = s.call("GET", "/api/conversations?q=wang%40example", token=self.sup)
        self.assertEqual(sorted(x["id"] for x in page["items"]), sorted([cid, r3["conv_id"]]))

    def test_files_kept_and_refused(self):
        import base64
        s = self.srv
        chat = self.account("web_chat")
        png = (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40)
        r = self.inbound({"account_id": chat["id"], "peer": "v-files", "text": "看图",
                          "files": [{"name": "../照片.png", "type": "image/png",
                                     "data": base64.b64encode(png).decode()},
                                    {"name": "x.exe", "type": "image/png",
                                     "data": base64.b64encode(b"MZ\x90\x00").decode()}]})
        c = self.conv(r["conv_id"])
        m = c["messages"][0]
        self.assertEqual(m["body"], "看图\n[文件未接收（类型不支持）：x.exe]")
        self.assertEqual([(f["filename"], f["mime"], f["size"]) for f in m["files"]],
                         [("照片.png", "image/png", len(png))])
        st, h, body = s.raw("GET", f"/api/conversations/{c['id']}/files/{m['files'][0]['id']}",
                            headers={"Authorization": "Bearer " + self.sup})
        self.assertEqual(st, 200)
        self.assertEqual(body, png)
        self.assertEqual(h.get("Content-Type") or h.get("content-type"), "image/png")
        self.assertEqual(db_value(s, f"SELECT uploaded_by FROM attachment WHERE message_id ="
                                     f" {m['id']}"), None)
        # The agent sends a file back: a queued reply carrying it.
        st, t, _ = s.call("POST", f"/api/conversations/{c['id']}/take", token=self.agent)
        self.assertEqual(st, 200, t)
        st, h, raw = s.raw("POST", f"/api/conversations/{c['id']}/attachments", body=png,
                           headers={"Authorization": "Bearer " + self.agent,
                                    "X-Filename": "%E5%9B%9E%E5%A4%8D.png",
                                    "Content-Type": "image/png"})
        self.assertEqual(st, 201, raw)
        out = [x for x in __import__("json").loads(raw)["messages"] if x["direction"] == "out"]
        self.assertEqual((out[0]["body"], out[0]["status"]), ("[文件] 回复.png", "queued"))
        self.assertEqual([f["filename"] for f in out[0]["files"]], ["回复.png"])
        st, h, raw = s.raw("POST", f"/api/conversations/{c['id']}/attachments", body=b"MZ\x90",
                           headers={"Authorization": "Bearer " + self.agent,
                                    "X-Filename": "a.exe"})
        self.assertEqual(st, 422, raw)
        # Another conversation's id does not reach it.
        r2 = self.inbound({"account_id": chat["id"], "peer": "v-files-2", "text": "x"})
        self.assertError(s.call("GET", f"/api/conversations/{r2['conv_id']}/files/"
                                       f"{m['files'][0]['id']}", token=self.sup), 404)


class AccountTest(ChanCase):
    def test_secrets_masked_and_kept(self):
        s = self.srv
        base = dict(MIN_CONFIG["email"])
        a = self.account("email", config=dict(base, password="s3cret", smtp_user="kefu"))
        self.assertEqual(a["config"], dict(base, password="******", smtp_user="kefu"))
        self.assertNotIn("s3cret", str(self.srv.call("GET", "/api/chan/accounts",
                                                     token=self.mgr)[1]))
        st, b, _ = s.call("PUT", f"/api/chan/accounts/{a['id']}",
                          {"name": "客服邮箱", "config": dict(a["config"], smtp_user="kf")},
                          token=self.mgr)
        self.assertEqual(st, 200, b)
        cfg = db_value(s, f"SELECT config FROM chan_account WHERE id = {a['id']}")
        self.assertIn('"password":"s3cret"', cfg)
        self.assertIn('"smtp_user":"kf"', cfg)
        self.assertError(s.call("GET", "/api/chan/accounts", token=self.agent), 403)
        # A disabled account takes nothing in; one with conversations is not deleted.
        st, b, _ = s.call("PUT", f"/api/chan/accounts/{a['id']}", {"enabled": False},
                          token=self.mgr)
        self.assertError(s.call("POST", "/api/test/chan/inbound",
                                {"account_id": a["id"], "peer": "x@example.com", "text": "x"}),
                         404)
        b2 = self.account("sms")
        self.inbound({"account_id": b2["id"], "peer": "13900009999", "text": "x"})
        self.assertError(s.call("DELETE", f"/api/chan/accounts/{b2['id']}", token=self.mgr), 409)
        b3 = self.account("wechat")
        st, _, _ = s.call("DELETE", f"/api/chan/accounts/{b3['id']}", token=self.mgr)
        self.assertEqual(st, 204)


class BadInputTest(ChanCase):
    def counts(self):
        return tuple(db_value(self.srv, f"SELECT count(*) FROM {t}")
                     for t in ("conv", "conv_msg", "contact", "chan_account", "attachment"))

    def test_rejected_and_nothing_written(self):
        s = self.srv
        acc = self.account("web_chat")
        cid = self.inbound({"account_id": acc["id"], "peer": "v-bad", "text": "x"})["conv_id"]
        before = self.counts()
        for body, status, field in (
                ({"account_id": acc["id"], "text": "x"}, 400, "peer"),
                ({"account_id": acc["id"], "peer": "v", "text": "长" * 20001}, 422, "text"),
                ({"account_id": acc["id"], "peer": "v"}, 422, "text"),
                ({"account_id": acc["id"], "peer": "p" * 255, "text": "x"}, 422, "peer"),
                ({"account_id": 999999, "peer": "v", "text": "x"}, 404, None),
                ({"account_id": acc["id"], "peer": "v", "text": "x", "bogus": 1}, 400, "bogus"),
                ({"account_id": acc["id"], "peer": "v", "files": [{"name": "a"}]}, 400, "files")):
            self.assertError(s.call("POST", "/api/test/chan/inbound", body), status, field=field)
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/take", token=self.agent)
        self.assertEqual(st, 200, t)
        before = self.counts()
        for path, body, status, field in (
                ("messages", {"text": "  "}, 422, "text"),
                ("messages", {"text": "x", "extra": 1}, 400, "extra"),
                ("messages", {"text": 5}, 400, "text"),
                ("resolve", {"class": "Z"}, 422, "class"),
                ("resolve", {"class": "A", "summary": "长" * 2001}, 422, "summary"),
                ("state", {"state": "resolved"}, 422, "state"),
                ("assign", {"agent_id": 999999}, 403, None),
                ("assign", {"queue": "nope"}, 422, "queue"),
                ("customer", {"customer_id": 999999}, 422, "customer_id")):
            self.assertError(s.call("POST", f"/api/conversations/{cid}/{path}", body,
                                    token=self.agent), status, field=field)
        self.assertError(s.call("GET", "/api/conversations/999999", token=self.sup), 404)
        self.assertError(s.call("GET", "/api/conversations?state=bogus", token=self.sup), 400,
                         field="state")
        self.assertError(s.call("PUT", "/api/chan/settings", {"chat_capacity": 0},
                                token=self.mgr), 422, field="chat_capacity")
        self.assertError(s.call("PUT", "/api/chan/settings", {"capacity": 3}, token=self.mgr),
                         400)
        self.assertError(s.call("POST", "/api/chan/accounts", {"channel": "fax", "name": "x"},
                                token=self.mgr), 422, field="channel")
        self.assertError(s.call("POST", "/api/chan/accounts", {"channel": "sms"},
                                token=self.mgr), 400, field="name")
        self.assertEqual(self.counts(), before)
        # The agent reads Chinese.
        st, e, _ = s.call("POST", f"/api/conversations/{cid}/resolve", {"class": "Z"},
                          token=self.agent, headers={"Accept-Language": "zh-CN"})
        self.assertEqual(e["error"]["message"], "分类：应为 A、B、C、D、E、F 之一")
        # Another agent cannot read it at all.
        self.assertError(s.call("GET", f"/api/conversations/{cid}", token=self.agent2), 404)


class StreamTest(ChanCase):
    def test_inbox_stream_tells_the_agent(self):
        from test_notifications import EventStream
        s = self.srv
        acc = self.account("web_chat")
        own = EventStream(s, token=self.agent, path="/api/conversations/stream")
        other = EventStream(s, token=self.agent2, path="/api/conversations/stream")
        sup = EventStream(s, token=self.sup, path="/api/conversations/stream")
        try:
            self.assertEqual(own.status, 200)
            cid = self.inbound({"account_id": acc["id"], "peer": "v-s", "text": "x"})["conv_id"]
            ev = sup.next(5)
            self.assertEqual(ev["event"], "conv")
            self.assertEqual(__import__("json").loads(ev["data"])["id"], cid)
            st, t, _ = s.call("POST", f"/api/conversations/{cid}/assign",
                              {"agent_id": self.a1}, token=self.sup)
            self.assertEqual(st, 200, t)
            seen = own.next(5)
            while __import__("json").loads(seen["data"])["agent_id"] != self.a1:
                seen = own.next(5)
            self.assertEqual(__import__("json").loads(seen["data"])["state"], "open")
            # 8102 serves tech_service too, so it saw the new one; not the assignment to 8101.
            first = other.next(5)
            self.assertEqual(__import__("json").loads(first["data"])["state"], "new")
            self.assertTrue(other.nothing_within(1.5))
        finally:
            own.close()
            other.close()
            sup.close()


class ActionsTest(ChanCase):
    def test_note_read_takeover_and_audit(self):
        s = self.srv
        acc = self.account("wechat")
        cid = self.inbound({"account_id": acc["id"], "peer": "wx-1", "text": "退款"})["conv_id"]
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/take", token=self.agent)
        self.assertEqual(st, 200, t)
        self.assertEqual(t["unread"], 1)
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/read", token=self.agent)
        self.assertEqual((st, t["unread"]), (200, 0), t)
        # A note is internal: never queued for the channel, no first reply.
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/messages",
                          {"text": "客户情绪激动", "note": True}, token=self.agent)
        self.assertEqual(st, 201, t)
        note = t["messages"][-1]
        self.assertEqual((note["direction"], note["status"]), ("note", None))
        self.assertIsNone(t["first_reply_at"])
        # The supervisor takes it over; the agent can no longer answer it.
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/take", token=self.sup)
        self.assertEqual((st, t["agent_id"]), (200, self.sup_id), t)
        self.assertError(s.call("POST", f"/api/conversations/{cid}/messages", {"text": "x"},
                                token=self.agent), 404)
        # The supervisor hands it back to 8101, who is told.
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/assign", {"agent_id": self.a1},
                          token=self.sup)
        self.assertEqual((st, t["agent_id"], t["state"]), (200, self.a1, "open"), t)
        # An agent cannot give it to another agent, only back to a queue.
        self.assertError(s.call("POST", f"/api/conversations/{cid}/assign",
                                {"agent_id": self.a2}, token=self.agent), 403)
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/assign", {"queue": "tech_service"},
                          token=self.agent)
        self.assertEqual((st, t["agent_id"], t["state"], t["queue"]),
                         (200, None, "new", "tech_service"), t)
        # Link the customer from the card.
        st, cust, _ = s.call("POST", "/api/customers", {"name": "李四", "surname": "李",
                                                        "title": "mr",
                                                        "phones": [{"phone": "13855556666"}]},
                             token=self.agent)
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/customer",
                          {"customer_id": cust["id"]}, token=self.sup)
        self.assertEqual((st, t["customer_id"]), (200, cust["id"]), t)
        self.assertEqual(t["customer"]["id"], cust["id"])
        actions = [a["action"] for a in s.audit(self.mgr, entity="conv", entity_id=str(cid))]
        for a in ("chan.assign", "chan.note", "chan.customer"):
            self.assertIn(a, actions)
        st, g, _ = s.call("GET", "/api/chan/settings", token=self.agent)
        self.assertEqual((st, g["chat_capacity"], g["message_cutoff_min"]), (200, 5, 1020))
