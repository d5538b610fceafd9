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

from apihelp import MINUTE, db_rows, db_value, person_id
from harness import KefuTestCase

TZ = ZoneInfo("Asia/Shanghai")


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
        now = cls.srv.advance(0)
        local = datetime.fromtimestamp(now / 1000, TZ)
        target = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if target <= local:
            target += timedelta(days=1)
        now = cls.srv.advance(int((target - local).total_seconds() * 1000))
        cls.login_all()
        return now

    def account(self, channel="web_chat", queue="", name=None, config=None):
        st, a, _ = self.srv.call("POST", "/api/chan/accounts",
                                 {"channel": channel, "name": name or f"{channel} 测试",
                                  "queue": queue, "config": config or {}}, token=self.mgr)
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
        # An agent of the queue sees the new one and takes it; another agent cannot answer it then.
        st, page, _ = s.call("GET", "/api/conversations?state=new", token=self.agent)
        self.assertIn(cid, [x["id"] for x in page["items"]])
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/take", token=self.agent)
        self.assertEqual(st, 200, t)
        self.assertEqual((t["state"], t["agent_id"]), ("open", self.a1))
        self.assertError(s.call("POST", f"/api/conversations/{cid}/messages", {"text": "我来"},
                                token=self.agent2), 403)
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/messages", {"text": "您好，我来查一下"},
                          token=self.agent)
        self.assertEqual(st, 201, t)
        out = [m for m in t["messages"] if m["direction"] == "out"]
        self.assertEqual((out[0]["body"], out[0]["status"], out[0]["author_id"]),
                         ("您好，我来查一下", "queued", self.a1))
        self.assertIsNotNone(t["first_reply_at"])
        # No web-chat adapter in this build: after three rounds the message failed.
        for _ in range(3):
            s.advance(0)
        row = db_rows(s, f"SELECT status, tries, error FROM conv_msg WHERE id = {out[0]['id']}")[0]
        self.assertEqual((row["status"], row["tries"]), ("failed", 3))
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
