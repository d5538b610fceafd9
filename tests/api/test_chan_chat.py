"""The web chat channel (issue 18, CALL-12, CALL-10): a visitor's session, a
message that becomes a conversation an agent sees in /api/conversations, the
agent's reply arriving on the visitor's event stream (read with http.client),
typing both ways, the rating stored on the conversation, the web message made
when nobody is ready (due the same day), and the public endpoints' guards: 413
before the body is read, 429 per address and per visitor, a foreign Origin
refused, bad input answered in words, and in every refusal nothing written
(counted with the sqlite3 CLI)."""
import http.client
import json
import socket
import subprocess
import time
import unittest

from harness import KefuTestCase

ORIGIN = "https://shop.example.com"


def sql(srv, q):
    out = subprocess.run(["sqlite3", srv.db, q], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def add_account(srv, config, queue=""):
    """A web chat account, written as the channel settings page would store it."""
    now = int(time.time() * 1000)
    cfg = json.dumps(config).replace("'", "''")
    return int(sql(srv, "INSERT INTO chan_account(channel, name, enabled, config, queue, created_at,"
                        f" updated_at) VALUES ('web_chat', '官网咨询', 1, '{cfg}', '{queue}', {now}, {now})"
                        " RETURNING id"))


class Stream:
    """A visitor's event stream read line by line with http.client."""

    def __init__(self, srv, account, token, last_id=None, origin=ORIGIN):
        self.conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        h = {"Origin": origin}
        if last_id is not None:
            h["Last-Event-ID"] = str(last_id)
        self.conn.request("GET", f"/api/public/chat/{account}/stream?token={token}", headers=h)
        self.resp = self.conn.getresponse()
        self.headers = {k.lower(): v for k, v in self.resp.getheaders()}

    def events(self, want, timeout=10):
        """Events (name, data) until `want(events)` is true or the time is up."""
        got, name, data = [], None, None
        deadline = time.time() + timeout
        self.conn.sock.settimeout(timeout)
        while time.time() < deadline:
            try:
                line = self.resp.fp.readline()
            except socket.timeout:
                break
            if not line:
                break
            line = line.decode().rstrip("\n")
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
            elif line == "" and name:
                got.append((name, data))
                name, data = None, None
                if want(got):
                    break
        return got

    def close(self):
        self.conn.close()


class WebChatTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.acc = add_account(srv, {"origins": [ORIGIN], "title": "小蓝客服",
                                    "welcome": "您好，请问有什么可以帮您？"})
        cls.agent = srv.login("8101")
        cls.sup = srv.login("8001")
        st, body, _ = srv.call("POST", "/api/acd/me/status", {"status": "ready"}, token=cls.agent)
        assert st == 200, body
        cls.agent_id = int(sql(srv, "SELECT id FROM person WHERE work_no = '8101'"))

    def pub(self, path, body=None, token=None, origin=ORIGIN, account=None, method="POST",
            headers=None):
        h = {"Origin": origin}
        if token:
            h["X-Visitor-Token"] = token
        h.update(headers or {})
        return self.srv.call(method, f"/api/public/chat/{account or self.acc}/{path}", body,
                             headers=h)

    def session(self, **body):
        st, s, h = self.pub("session", body)
        self.assertIn(st, (200, 201), s)
        return s, h

    def state(self):
        return sql(self.srv, "SELECT (SELECT count(*) FROM chat_visitor), (SELECT count(*) FROM conv),"
                             " (SELECT count(*) FROM conv_msg), (SELECT coalesce(sum(rating), 0) FROM conv)")

    def conv_for(self, conv_id, token):
        st, body, _ = self.srv.call("GET", "/api/conversations?state=active", token=token)
        self.assertEqual(st, 200, body)
        return [c for c in body["items"] if c["id"] == conv_id]

    # The main path

    def test_chat_round_trip(self):
        srv = self.srv
        s, h = self.session(name="王女士")
        self.assertEqual(h.get("access-control-allow-origin"), ORIGIN)
        self.assertRegex(s["visitor_id"], r"^v[0-9a-f]{16}$")
        self.assertTrue(s["available"])
        self.assertEqual(s["title"], "小蓝客服")
        self.assertIsNone(s["conversation"])
        token = s["token"]
        # Only the token's hash is kept.
        self.assertEqual(sql(srv, f"SELECT count(*) FROM chat_visitor WHERE token_hash = '{token}'"), "0")

        # The same token resumes the same visitor, without a new token.
        st, again, _ = self.pub("session", {"token": token})
        self.assertEqual(st, 200)
        self.assertEqual(again["visitor_id"], s["visitor_id"])
        self.assertNotIn("token", again)

        stream = Stream(srv, self.acc, token)
        self.assertEqual(stream.resp.status, 200)
        self.assertEqual(stream.headers["content-type"], "text/event-stream")
        self.assertEqual(stream.headers.get("access-control-allow-origin"), ORIGIN)
        try:
            st, m, _ = self.pub("messages", {"text": "你好，我的订单还没到", "client_id": "a-1"}, token)
            self.assertEqual(st, 201, m)
            self.assertEqual(m["mode"], "chat")
            conv = m["conv_id"]
            row = sql(srv, f"SELECT channel, peer, peer_name, state FROM conv WHERE id = {conv}")
            self.assertEqual(row, f"web_chat|{s['visitor_id']}|王女士|new")
            # A retry with the same client_id is stored once.
            st, m2, _ = self.pub("messages", {"text": "你好，我的订单还没到", "client_id": "a-1"}, token)
            self.assertEqual((st, m2["id"]), (200, m["id"]))
            self.assertEqual(sql(srv, f"SELECT count(*) FROM conv_msg WHERE conv_id = {conv}"), "1")

            # The visitor's own message comes back on the stream (other tabs see it).
            ev = stream.events(lambda e: any(n == "message" for n, _ in e))
            self.assertIn(("message", {"id": m["id"], "conv_id": conv, "from": "visitor",
                                       "text": "你好，我的订单还没到", "at": ev[0][1]["at"],
                                       "files": []}), ev)

            # The router gives it to the ready agent, who sees it in the inbox.
            srv.advance(0)
            mine = self.conv_for(conv, self.agent)
            self.assertEqual(len(mine), 1, "the agent sees the chat")
            self.assertEqual(mine[0]["agent_id"], self.agent_id)
            # The visitor learns who has the chat: the work number, never the system line's text.
            ev = stream.events(lambda e: any(n == "agent" for n, _ in e))
            self.assertIn(("agent", {"conv_id": conv, "agent": "客服 8101"}), ev)
            self.assertNotIn("刘洋", json.dumps(ev, ensure_ascii=False))

            # Typing both ways.
            st, _, _ = self.pub("typing", {"typing": True}, token)
            self.assertEqual(st, 204)
            st, t, _ = srv.call("GET", f"/api/chat/{conv}/typing", token=self.agent)
            self.assertEqual((st, t), (200, {"visitor_typing": True}))
            st, t, _ = srv.call("POST", f"/api/chat/{conv}/typing", {"typing": True}, token=self.agent)
            self.assertEqual(st, 200, t)
            ev = stream.events(lambda e: ("typing", {"typing": True}) in e)
            self.assertIn(("typing", {"typing": True}), ev)
            # Another agent may not read this chat's typing.
            other = srv.login("8102")
            st, _, _ = srv.call("GET", f"/api/chat/{conv}/typing", token=other)
            self.assertEqual(st, 403)

            # The agent's reply reaches the visitor's stream.
            st, r, _ = srv.call("POST", f"/api/conversations/{conv}/messages",
                                {"text": "您好，我帮您查一下物流"}, token=self.agent)
            self.assertIn(st, (200, 201), r)
            ev = stream.events(lambda e: any(n == "message" and d["from"] == "agent" for n, d in e))
            replies = [d for n, d in ev if n == "message" and d["from"] == "agent"]
            self.assertEqual([d["text"] for d in replies], ["您好，我帮您查一下物流"])
            self.assertEqual(replies[0]["agent"], "客服 8101")
            # Internal notes never reach the visitor.
            st, _, _ = srv.call("POST", f"/api/conversations/{conv}/messages",
                                {"text": "内部：客户很着急", "note": True}, token=self.agent)
            self.assertIn(st, (200, 201))
            srv.advance(0)  # the send tick marks the reply sent through the adapter
            self.assertEqual(sql(srv, f"SELECT status FROM conv_msg WHERE conv_id = {conv}"
                                      " AND direction = 'out'"), "sent")

            # Resolving ends the chat on the visitor's side.
            st, r, _ = srv.call("POST", f"/api/conversations/{conv}/resolve",
                                {"class": "C", "summary": "查询物流"}, token=self.agent)
            self.assertEqual(st, 200, r)
            ev = stream.events(lambda e: any(n == "end" for n, _ in e))
            self.assertIn(("end", {"conv_id": conv}), ev)
            self.assertNotIn("内部：客户很着急", json.dumps(ev, ensure_ascii=False))
        finally:
            stream.close()

        # The rating is stored once.
        st, r, _ = self.pub("rating", {"rating": 5}, token)
        self.assertEqual((st, r), (200, {"conv_id": conv, "rating": 5}))
        self.assertEqual(sql(srv, f"SELECT rating FROM conv WHERE id = {conv}"), "5")
        st, _, _ = self.pub("rating", {"rating": 1}, token)
        self.assertEqual(st, 409)
        self.assertEqual(sql(srv, f"SELECT rating FROM conv WHERE id = {conv}"), "5")

        # A reconnecting stream resumes after Last-Event-ID: nothing is sent twice.
        stream = Stream(srv, self.acc, token, last_id=m["id"])
        try:
            ev = stream.events(lambda e: any(n == "message" for n, _ in e), timeout=3)
            self.assertEqual([d["text"] for n, d in ev if n == "message"], ["您好，我帮您查一下物流"])
        finally:
            stream.close()

    def test_nobody_ready_makes_a_web_message(self):
        srv = self.srv
        # The complaint queue needs the supervising skill, which no ready agent has.
        acc = add_account(srv, {"origins": [ORIGIN]}, queue="complaint")
        st, s, _ = self.pub("session", {}, account=acc)
        self.assertEqual(st, 201, s)
        self.assertFalse(s["available"])
        st, m, _ = self.pub("messages", {"text": "想投诉快递员", "name": "李先生", "phone": "13800138000"},
                            s["token"], account=acc)
        self.assertEqual(st, 201, m)
        self.assertEqual(m["mode"], "message")
        self.assertIn("留言", m["notice"])
        conv = m["conv_id"]
        now = int(sql(srv, f"SELECT at FROM conv_msg WHERE conv_id = {conv} AND direction = 'in'"))
        due = int(sql(srv, f"SELECT first_reply_due FROM conv WHERE id = {conv}"))
        # CALL-12: the same day (or the next day's end after the cutoff): within 48 h, after now.
        self.assertGreater(due, now)
        self.assertLessEqual(due - now, 48 * 3600 * 1000)
        self.assertEqual(sql(srv, f"SELECT subject FROM conv WHERE id = {conv}"), "网页留言")
        self.assertEqual(sql(srv, f"SELECT body FROM conv_msg WHERE conv_id = {conv} AND direction = 'event'"),
                         "暂无坐席在线，转为留言")
        self.assertEqual(sql(srv, f"SELECT name || '|' || phone FROM chat_visitor WHERE vid = '{s['visitor_id']}'"),
                         "李先生|13800138000")
        st, again, _ = self.pub("session", {"token": s["token"]}, account=acc)
        self.assertTrue(again["conversation"]["web_message"])

    def test_a_file_becomes_a_message(self):
        srv = self.srv
        s, _ = self.session()
        png = (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89"
               b"\0\0\0\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82")
        st, m, _ = self.pub("files", png, s["token"],
                            headers={"Content-Type": "image/png",
                                     "X-Filename": "%E5%8F%91%E7%A5%A8.png"})
        self.assertEqual(st, 201, m)
        self.assertEqual(sql(srv, f"SELECT direction || '|' || body FROM conv_msg WHERE id = {m['id']}"),
                         "in|[文件]")
        # Kept through att, owned by the message, its type sniffed from the bytes.
        self.assertEqual(sql(srv, "SELECT filename || '|' || mime || '|' || size FROM attachment"
                                  f" WHERE message_id = {m['id']}"), f"发票.png|image/png|{len(png)}")
        fid = int(sql(srv, f"SELECT id FROM attachment WHERE message_id = {m['id']}"))
        # The visitor reads it back with the token; another visitor cannot.
        st, h, data = srv.raw("GET", f"/api/public/chat/{self.acc}/files/{fid}?token={s['token']}",
                              headers={"Origin": ORIGIN})
        self.assertEqual((st, h["content-type"], data), (200, "image/png", png))
        other, _ = self.session()
        st, _, _ = srv.raw("GET", f"/api/public/chat/{self.acc}/files/{fid}?token={other['token']}")
        self.assertEqual(st, 404)
        # An agent's file reaches the visitor's stream with its name, and downloads.
        srv.advance(0)
        agent = srv.call("GET", f"/api/conversations/{m['conv_id']}", token=self.agent)[1]["agent_id"]
        self.assertEqual(agent, self.agent_id)
        stream = Stream(srv, self.acc, s["token"])
        try:
            pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
            st, body, _ = srv.call("POST", f"/api/conversations/{m['conv_id']}/attachments", pdf,
                                   token=self.agent,
                                   headers={"Content-Type": "application/pdf",
                                            "X-Filename": "%E8%AF%B4%E6%98%8E.pdf"})
            self.assertIn(st, (200, 201), body)
            ev = stream.events(lambda e: any(n == "message" and d["from"] == "agent" for n, d in e))
            sent = [d for n, d in ev if n == "message" and d["from"] == "agent"][0]
            self.assertEqual([(f["name"], f["type"], f["size"]) for f in sent["files"]],
                             [("说明.pdf", "application/pdf", len(pdf))])
            st, h, data = srv.raw("GET", f"/api/public/chat/{self.acc}/files/{sent['files'][0]['id']}",
                                  headers={"X-Visitor-Token": s["token"]})
            self.assertEqual((st, data), (200, pdf))
        finally:
            stream.close()
        # A file without a name is refused.
        st, err, _ = self.pub("files", png, s["token"], headers={"Content-Type": "image/png"})
        self.assertEqual(st, 400, err)

    def test_a_chat_nobody_takes_in_time_becomes_a_web_message(self):
        srv = self.srv
        acc = add_account(srv, {"origins": [ORIGIN], "queue_timeout_sec": 30}, queue="market_consult")
        seller = srv.login("8103")  # the one agent with the queue's skill (ORG-2)
        st, body, _ = srv.call("POST", "/api/acd/me/status", {"status": "ready"}, token=seller)
        self.assertEqual(st, 200, body)
        st, s, _ = self.pub("session", {}, account=acc)
        self.assertTrue(s["available"])
        stream = Stream(srv, acc, s["token"])
        try:
            st, m, _ = self.pub("messages", {"text": "有优惠吗"}, s["token"], account=acc)
            self.assertEqual((st, m["mode"]), (201, "chat"))
            conv = m["conv_id"]
            chat_due = int(sql(srv, f"SELECT first_reply_due FROM conv WHERE id = {conv}"))
            # The agent turns busy before the router gives them the chat.
            st, body, _ = srv.call("POST", "/api/acd/me/status", {"status": "busy", "reason": "meeting"},
                                   token=seller)
            self.assertEqual(st, 200, body)
            srv.advance(0)
            self.assertEqual(sql(srv, f"SELECT state FROM conv WHERE id = {conv}"), "new")
            srv.advance(20000)  # not yet: the account waits 30 s
            self.assertEqual(sql(srv, f"SELECT count(*) FROM chat_message_conv WHERE conv_id = {conv}"), "0")
            srv.advance(11000)
            self.assertEqual(sql(srv, f"SELECT count(*) FROM chat_message_conv WHERE conv_id = {conv}"), "1")
            due = int(sql(srv, f"SELECT first_reply_due FROM conv WHERE id = {conv}"))
            self.assertGreater(due, chat_due)  # CALL-12: the same day, not seconds
            self.assertEqual(sql(srv, f"SELECT body FROM conv_msg WHERE conv_id = {conv}"
                                      " AND direction = 'event'"), "暂无坐席在线，转为留言")
            ev = stream.events(lambda e: any(n == "notice" for n, _ in e))
            self.assertIn(("notice", {"conv_id": conv, "mode": "message",
                                      "text": "当前没有客服在线，您的留言已收到，我们会在今天内回复您。"}), ev)
            # Once a message, the next round leaves it alone.
            srv.advance(60000)
            self.assertEqual(sql(srv, f"SELECT count(*) FROM conv_msg WHERE conv_id = {conv}"
                                      " AND direction = 'event'"), "1")
        finally:
            stream.close()

    # The guards of the public endpoints

    def test_wrong_origin_unknown_account_and_bad_input_write_nothing(self):
        srv = self.srv
        s, _ = self.session()
        token = s["token"]
        before = self.state()
        st, body, h = self.pub("session", {}, origin="https://evil.example.net")
        self.assertEqual(st, 403)
        self.assertNotIn("access-control-allow-origin", h)
        st, body, _ = self.pub("messages", {"text": "x"}, token, origin="https://evil.example.net")
        self.assertEqual(st, 403)
        # A preflight from the allowed origin is answered with the CORS headers.
        st, _, h = self.pub("messages", None, method="OPTIONS")
        self.assertEqual(st, 204)
        self.assertEqual(h["access-control-allow-origin"], ORIGIN)
        self.assertIn("X-Visitor-Token", h["access-control-allow-headers"])
        st, _, _ = self.pub("session", {}, account=999)
        self.assertEqual(st, 404)
        st, _, _ = self.pub("session", {}, account="abc")
        self.assertEqual(st, 404)
        # No token, a wrong token.
        self.assertEqual(self.pub("messages", {"text": "你好"})[0], 401)
        self.assertEqual(self.pub("messages", {"text": "你好"}, "x" * 43)[0], 401)
        # Bad bodies: answered in words, zh-CN by default.
        for body, field in (({}, "text"), ({"text": ""}, "text"), ({"text": "   "}, "text"),
                            ({"text": 5}, "text"), ({"text": "a\u0001b"}, "text"),
                            ({"text": "长" * 2001}, "text"), ({"text": "好", "x": 1}, "x"),
                            ({"text": "好", "phone": "12ab"}, "phone"),
                            ({"text": "好", "client_id": "有空格 的"}, "client_id")):
            with self.subTest(body=body):
                st, err, _ = self.pub("messages", body, token)
                self.assertEqual(st, 400, err)
                self.assertEqual(err["error"]["field"], field)
        st, err, _ = self.pub("messages", b"{not json", token)
        self.assertEqual(st, 400)
        st, err, _ = self.pub("messages", {"text": ""}, token, headers={"Accept-Language": "zh-CN"})
        self.assertEqual(err["error"]["message"], "内容：1 至 2000 个字符，不能包含控制字符")
        for body in ({"rating": 0}, {"rating": 6}, {"rating": "5"}, {}):
            self.assertEqual(self.pub("rating", body, token)[0], 400, body)
        # Nothing to rate yet: the visitor never chatted.
        self.assertEqual(self.pub("rating", {"rating": 4}, token)[0], 409)
        # A file that is neither an image nor a PDF.
        st, err, _ = self.pub("files", b"MZ\x90\x00 not an image", token,
                              headers={"Content-Type": "application/octet-stream",
                                       "X-Filename": "virus.exe"})
        self.assertEqual(st, 422, err)
        self.assertEqual(self.state(), before)

    def test_oversize_bodies_are_413_before_reading(self):
        s, _ = self.session()
        before = self.state()
        # A JSON body over 64 KiB, and a file over 5 MiB: 413 from the Content-Length
        # alone, before any of the body is read.
        for path, size, ctype in (("messages", 65 * 1024, "application/json"),
                                  ("files", 5 * 1024 * 1024 + 1, "image/png")):
            with self.subTest(path=path):
                conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=10)
                try:
                    conn.putrequest("POST", f"/api/public/chat/{self.acc}/{path}")
                    conn.putheader("Content-Type", ctype)
                    conn.putheader("X-Visitor-Token", s["token"])
                    conn.putheader("X-Filename", "big.png")
                    conn.putheader("Content-Length", str(size))
                    conn.endheaders()
                    resp = conn.getresponse()
                    self.assertEqual(resp.status, 413)
                    self.assertEqual(json.loads(resp.read())["error"]["code"], "too_large")
                finally:
                    conn.close()
        # A body sent whole over the limit is refused the same way.
        st, err, _ = self.pub("messages", json.dumps({"text": "长" * 30000}).encode(), s["token"])
        self.assertEqual(st, 413, err)
        self.assertEqual(self.state(), before)

    def test_rate_limits_per_visitor_and_per_address(self):
        srv = self.srv
        acc = add_account(srv, {"origins": [ORIGIN], "per_visitor_min": 3, "per_address_min": 12,
                                "sessions_per_hour": 60})
        st, s, _ = self.pub("session", {}, account=acc)
        token = s["token"]
        codes = [self.pub("messages", {"text": f"第{i}条"}, token, account=acc)[0] for i in range(5)]
        self.assertEqual(codes, [201, 201, 201, 429, 429])
        self.assertEqual(sql(srv, f"SELECT count(*) FROM conv_msg m JOIN conv c ON c.id = m.conv_id"
                                  f" WHERE c.account_id = {acc}"), "3")
        st, err, _ = self.pub("messages", {"text": "再来"}, token, account=acc)
        self.assertEqual((st, err["error"]["code"]), (429, "too_many_requests"))
        # The address's share (12 a minute) runs out too, for every route.
        codes = [self.pub("session", {"token": token}, account=acc)[0] for _ in range(8)]
        self.assertIn(429, codes)
        self.assertEqual(codes[-1], 429)
        # Another account's share is its own.
        self.assertEqual(self.pub("session", {"token": "x"})[0], 201)


if __name__ == "__main__":
    unittest.main()
