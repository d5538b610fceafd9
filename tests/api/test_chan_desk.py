"""Conversations at the agent's desk (issue 18, docs/chan.md "Logging out",
"Orders from a conversation", "Resolving"): an agent's live chats go back to
their queue when the seat logs out (by POST /api/logout or by the agent's own
status), with the event line and the audit entry, while emails and web
messages stay theirs, and the tick gives the chat to an agent who is there;
resolving stores the 5W1H in the CALL-10 contact (bad 5W1H refused with
nothing written); an order made from the conversation's contact sets the
conversation's order link, shown in its answer, with its event line."""
import json

from apihelp import db_rows, db_value, person_id
from test_chan import ChanCase, db_exec


class DeskTest(ChanCase):
    def events(self, cid):
        return [m["body"] for m in self.conv(cid)["messages"] if m["direction"] == "event"]

    def test_logout_returns_live_chats_only(self):
        s = self.srv
        chat = self.account("web_chat")
        wx = self.account("wechat")
        mail = self.account("email")
        tok = self.agent  # 8101's only session: logging it out ends the last one
        self.ready(tok)
        c_chat = self.inbound({"account_id": chat["id"], "peer": "v-out-1", "text": "在吗"})["conv_id"]
        c_wx = self.inbound({"account_id": wx["id"], "peer": "openid-out-1", "text": "你好"})["conv_id"]
        c_mail = self.inbound({"account_id": mail["id"], "peer": "out@example.com",
                               "subject": "发票", "text": "请开发票"})["conv_id"]
        c_msg = self.inbound({"account_id": chat["id"], "peer": "v-out-2", "text": "留言"})["conv_id"]
        # A web chat that became a web message (chan_webchat's chat_message_conv).
        db_exec(s, f"INSERT INTO chat_message_conv(conv_id, at) VALUES ({c_msg}, 0)")
        s.advance(0)
        for c in (c_chat, c_wx, c_mail, c_msg):
            self.assertEqual(self.conv(c)["agent_id"], self.a1, c)
        # The agent answers the chat from the desk.
        st, t, _ = s.call("POST", f"/api/conversations/{c_chat}/messages", {"text": "在的，请讲"},
                          token=tok)
        self.assertEqual(st, 201, t)
        st, b, _ = s.call("POST", "/api/logout", token=tok)
        self.assertEqual(st, 200, b)
        # The live ones (web chat, WeChat) are back in the queue, new and nobody's.
        for c in (c_chat, c_wx):
            x = self.conv(c)
            self.assertEqual((x["state"], x["agent_id"]), ("new", None), c)
            self.assertEqual(self.events(c)[-1], "坐席 刘洋 8101 已退出登录，会话转回队列")
        # Email and the web message stay the agent's, as they were.
        for c in (c_mail, c_msg):
            x = self.conv(c)
            self.assertEqual((x["state"], x["agent_id"]), ("open", self.a1), c)
        rows = db_rows(s, "SELECT entity_id, actor, detail FROM audit WHERE action = 'chan.requeue'"
                          " ORDER BY entity_id")
        self.assertEqual([int(r["entity_id"]) for r in rows], [c_chat, c_wx])
        self.assertEqual(json.loads(rows[0]["detail"])["from_agent_id"], self.a1)
        self.assertEqual(rows[0]["actor"], "system")
        # Another agent who is there gets them from the tick.
        self.ready(self.agent2)
        s.advance(0)
        self.assertEqual(self.conv(c_chat)["agent_id"], self.a2)
        self.assertEqual(self.conv(c_wx)["agent_id"], self.a2)
        # Logging out by the status (not the session) does the same; logging out again nothing.
        before = db_value(s, "SELECT count(*) FROM audit WHERE action = 'chan.requeue'")
        self.not_ready(self.agent2)
        self.assertEqual(self.conv(c_chat)["state"], "new")
        self.assertEqual(db_value(s, "SELECT count(*) FROM audit WHERE action = 'chan.requeue'"),
                         before + 2)
        st, b, _ = s.call("POST", "/api/acd/me/status", {"status": "logged_out"},
                          token=self.agent2)
        self.assertEqual(db_value(s, "SELECT count(*) FROM audit WHERE action = 'chan.requeue'"),
                         before + 2)

    def test_resolve_with_fivew_and_order_link(self):
        s = self.srv
        chat = self.account("web_chat")
        cid = self.inbound({"account_id": chat["id"], "peer": "v-5w", "text": "车被刮了"})["conv_id"]
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/take", token=self.agent3)
        self.assertEqual(st, 200, t)
        # Bad 5W1H: refused, nothing written.
        contacts = db_value(s, "SELECT count(*) FROM contact")
        self.assertError(s.call("POST", f"/api/conversations/{cid}/resolve",
                                {"class": "A", "fivew": {"whom": "x"}}, token=self.agent3), 400)
        self.assertError(s.call("POST", f"/api/conversations/{cid}/resolve",
                                {"class": "Z", "fivew": {"what": "划痕"}}, token=self.agent3),
                         422, field="class")
        # Over 500 characters: the contact's own rule (CALL-10), rolled back.
        bad = s.call("POST", f"/api/conversations/{cid}/resolve",
                     {"class": "A", "fivew": {"what": "长" * 501}}, token=self.agent3)
        self.assertError(bad, 422, field="fivew")
        self.assertEqual(db_value(s, "SELECT count(*) FROM contact"), contacts)
        self.assertEqual(self.conv(cid)["state"], "open")
        fivew = {"when": "今天上午", "who": "王先生", "where": "洗车店", "what": "车身划痕",
                 "why": "洗车刷", "how": "要求赔偿"}
        st, t, _ = s.call("POST", f"/api/conversations/{cid}/resolve",
                          {"class": "A", "summary": "洗车划痕投诉", "fivew": fivew},
                          token=self.agent3)
        self.assertEqual(st, 200, t)
        k = db_rows(s, f"SELECT channel, agent_id, class, fivew, summary FROM contact"
                       f" WHERE id = {t['contact_id']}")[0]
        self.assertEqual((k["channel"], k["agent_id"], k["class"], k["summary"]),
                         ("web_chat", self.a3, "A", "洗车划痕投诉"))
        self.assertEqual(json.loads(k["fivew"]), fivew)
        st, kc, _ = s.call("GET", f"/api/contacts/{t['contact_id']}", token=self.sup)
        self.assertEqual((st, kc["fivew"]), (200, fivew))
        self.assertIsNone(t["order_id"])
        self.assertNotIn("order", t)
        # Resolving again: 409.
        self.assertError(s.call("POST", f"/api/conversations/{cid}/resolve", {"class": "A"},
                                token=self.agent3), 409)
        # The order made from the conversation's contact links back to it.
        st, o, _ = s.call("POST", "/api/orders", {"class": "E", "summary": "洗车划痕",
                                                 "phone": "13800138000",
                                                 "contact_id": t["contact_id"]},
                          token=self.agent3)
        self.assertEqual(st, 201, o)
        c = self.conv(cid, token=self.agent3)
        self.assertEqual(c["order_id"], o["id"])
        self.assertEqual(c["order"], {"id": o["id"], "number": o["number"], "class": "E",
                                      "state": o["state"]})
        self.assertEqual(self.events(cid)[-1], f"已建工单 {o['number']}")
        self.assertEqual(db_value(s, f"SELECT count(*) FROM order_contact WHERE order_id ="
                                     f" {o['id']} AND contact_id = {t['contact_id']}"), 1)
        self.assertEqual(db_value(s, f"SELECT count(*) FROM audit WHERE action = 'chan.order'"
                                     f" AND entity_id = {cid}"), 1)
        # The order tells where it came from: its contact, of the web chat.
        st, od, _ = s.call("GET", f"/api/orders/{o['id']}", token=self.sup)
        self.assertEqual(st, 200, od)
        self.assertEqual([(k["id"], k["channel"], k["role"]) for k in od["contacts"]],
                         [(t["contact_id"], "web_chat", "cause")])
        # A second order from the same contact keeps the first link.
        st, o2, _ = s.call("POST", "/api/orders", {"class": "E", "summary": "再次",
                                                  "phone": "13800138000",
                                                  "contact_id": t["contact_id"]},
                           token=self.agent3)
        self.assertEqual(st, 201, o2)
        self.assertEqual(self.conv(cid)["order_id"], o["id"])
