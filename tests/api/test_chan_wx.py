"""WeChat, Weibo and SMS into the one inbox (issue 18; CUST-4, WO-5), against
the local fakes of their documented APIs (fake_providers.py):

- WeChat: URL verification; a plain and an encrypted (safe mode, AES-256-CBC
  computed here with the cryptography package) text message becomes a
  conversation with peer = the openid; an agent's reply reaches the fake's
  customer-service API with the openid and the text; a wrong signature (403),
  malformed XML (400), an oversize body (413) and a flood (429) write nothing;
  a MsgId pushed twice is stored once.
- Weibo: a signed push becomes a conversation with peer = the uid; the reply
  reaches the fans-service API.
- SMS: an inbound SMS becomes a conversation with peer = the phone digits; the
  reply reaches the fake provider signed (the fake recomputes the HMAC-SHA1);
  "退订" puts the number on the opt-out list; the morning's birthday tick
  (test clock) greets exactly today's birthdays, once, skipping the opted out.
"""
import base64
import hashlib
import json
import os
import subprocess
import time
import urllib.parse
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

import fake_providers as fp
from harness import KefuTestCase

TZ = ZoneInfo("Asia/Shanghai")
WX_TOKEN = "kefuwxtoken"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"  # 43 characters, as WeChat gives
WEIBO_SECRET = "weibo-app-secret"
SMS_HOOK_TOKEN = "sms-hook-token-1"


def sql(srv, q):
    out = subprocess.run(["sqlite3", srv.db, q], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def add_account(srv, channel, name, config):
    """A channel account as the administrator configures it (written directly: the
    accounts' API is the core's)."""
    cfg = json.dumps(config).replace("'", "''")
    return int(sql(srv, "INSERT INTO chan_account(channel, name, config, created_at, updated_at)"
                        f" VALUES ('{channel}', '{name}', '{cfg}', 0, 0); SELECT last_insert_rowid();"))


def sha1_sorted(*parts):
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def wx_encrypt(xml, appid, key43=AES_KEY):
    key = base64.b64decode(key43 + "=")
    body = xml.encode()
    plain = os.urandom(16) + len(body).to_bytes(4, "big") + body + appid.encode()
    pad = 32 - len(plain) % 32
    plain += bytes([pad]) * pad
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(plain) + enc.finalize()).decode()


def wx_decrypt(b64, key43=AES_KEY):
    key = base64.b64decode(key43 + "=")
    dec = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = dec.update(base64.b64decode(b64)) + dec.finalize()
    plain = plain[:-plain[-1]]
    n = int.from_bytes(plain[16:20], "big")
    return plain[20:20 + n].decode(), plain[20 + n:].decode()


def text_xml(openid, text, msg_id, to="gh_kefu", at=1765000000):
    return (f"<xml><ToUserName><![CDATA[{to}]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{at}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>")


class ChanCase(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = fp.FakeProviders()
        cls.addClassCleanup(cls.fake.stop)
        cls.nonce = 0

    def login_agent(self):
        return self.srv.login("8002")  # a supervisor who is also an agent

    def wx_post(self, account, body, ts="1765000000", signed=True, query=None,
                token=WX_TOKEN):
        type(self).nonce += 1
        nonce = str(1000 + type(self).nonce)
        sig = sha1_sorted(token, ts, nonce) if signed else "0" * 40
        q = f"signature={sig}&timestamp={ts}&nonce={nonce}&openid=x"
        if query:
            q += "&" + query
        data = body if isinstance(body, bytes) else body.encode()
        return self.srv.raw("POST", f"/api/hooks/wechat/{account}?{q}", data,
                            {"Content-Type": "text/xml", "Accept-Language": "en"})

    def conversations(self, token, **filters):
        q = "&".join(f"{k}={v}" for k, v in filters.items())
        st, body, _ = self.srv.call("GET", "/api/conversations?" + q, token=token)
        self.assertEqual(st, 200, body)
        return body["items"]

    def conv_of(self, account, peer):
        v = sql(self.srv, f"SELECT id FROM conv WHERE account_id = {account} AND peer = '{peer}'"
                          " ORDER BY id DESC LIMIT 1")
        return int(v) if v else None

    def reply(self, conv_id, text):
        """An agent takes the conversation and answers; the send tick runs."""
        tok = self.login_agent()
        self.srv.call("POST", f"/api/conversations/{conv_id}/take", {}, token=tok)
        st, body, _ = self.srv.call("POST", f"/api/conversations/{conv_id}/messages",
                                    {"text": text}, token=tok)
        self.assertIn(st, (200, 201), body)
        for _ in range(3):
            self.srv.advance(0)
            status = sql(self.srv, f"SELECT status FROM conv_msg WHERE conv_id = {conv_id}"
                                   " AND direction = 'out' ORDER BY id DESC LIMIT 1")
            if status != "queued":
                break
            time.sleep(0.2)
        return status


class WeChatUnion:
    """The same person writing to two of the center's WeChat accounts is one customer:
    by the UnionId a message carries, or the one the user-info API gives (looked up by
    the tick, off the webhook); else by the openid."""

    def test_unionid(self):
        srv = self.srv
        cfg = {"appid": fp.WX_APPID, "secret": fp.WX_SECRET, "token": WX_TOKEN, "mode": "plain",
               "api_base": self.fake.base}
        a = add_account(srv, "wechat", "服务号", cfg)
        b = add_account(srv, "wechat", "订阅号", cfg)
        mgr = srv.login("8001")
        ids = {}
        for name, wechat in (("王一", "oUnionA"), ("王二", "oInfoA")):
            st, c, _ = srv.call("POST", "/api/customers", {"name": name, "wechat": wechat},
                                token=mgr)
            self.assertEqual(st, 201, c)
            ids[wechat] = c["id"]

        def push(acc, openid, text, msg_id, union=None):
            u = f"<UnionId>{union}</UnionId>" if union else ""
            x = (f"<xml><ToUserName>gh</ToUserName><FromUserName>{openid}</FromUserName>{u}"
                 f"<CreateTime>1765000500</CreateTime><MsgType>text</MsgType>"
                 f"<Content>{text}</Content><MsgId>{msg_id}</MsgId></xml>")
            self.assertEqual(self.wx_post(acc, x)[0], 200)
            return sql(srv, f"SELECT customer_id FROM conv WHERE id = {self.conv_of(acc, openid)}")

        # The UnionId in the message: the openid on the other account finds the customer.
        self.assertEqual(push(a, "oUnionA", "你好", 9301, "uUnion1"), str(ids["oUnionA"]))
        self.assertEqual(push(b, "oUnionB", "还是我", 9302, "uUnion1"), str(ids["oUnionA"]))
        # A stranger on b: no customer, by unionid or openid.
        self.assertEqual(push(b, "oStranger", "你好", 9303, "uUnion9"), "")

        # No UnionId in the push: the tick asks the user-info API.
        self.fake.unionids.update({"oInfoA": "uInfo2", "oInfoB": "uInfo2"})
        self.assertEqual(push(a, "oInfoA", "在吗", 9304), str(ids["oInfoA"]))
        self.assertEqual(push(b, "oInfoB", "在吗", 9305), "")
        srv.advance(0)
        srv.advance(0)
        asked = [r for r in self.fake.of("wx_user_info") if r["query"]["openid"] in
                 ("oInfoA", "oInfoB", "oUnionA", "oUnionB")]
        # Those whose unionid came with the push are not asked.
        self.assertEqual(sorted(r["query"]["openid"] for r in asked), ["oInfoA", "oInfoB"])
        self.assertTrue(all(r["ok"] for r in asked))
        self.assertEqual(sql(srv, f"SELECT customer_id FROM conv WHERE id = {self.conv_of(b, 'oInfoB')}"),
                         str(ids["oInfoA"]))
        self.assertEqual(sql(srv, "SELECT unionid FROM wx_user WHERE openid = 'oInfoB'"), "uInfo2")
        # A later conversation of that openid matches at once.
        srv.call("POST", f"/api/conversations/{self.conv_of(b, 'oInfoB')}/resolve", {},
                 token=self.login_agent())


class WeiboMedia:
    def test_picture(self):
        acc = add_account(self.srv, "weibo", "官方微博", {
            "app_secret": WEIBO_SECRET, "access_token": fp.WEIBO_TOKEN,
            "api_base": self.fake.base})
        ts, nonce = "1765000600", "4322"
        sig = sha1_sorted(WEIBO_SECRET, ts, nonce)
        msg = {"type": "image", "receiver_id": 5000001, "sender_id": 1900000002,
               "created_at": "Mon Dec 07 18:10:00 +0800 2026", "text": "",
               "data": {"vfid": 111, "tovfid": "fid123"}, "id": 77002}
        st, _, body = self.srv.raw("POST", f"/api/hooks/weibo/{acc}?signature={sig}"
                                           f"&timestamp={ts}&nonce={nonce}",
                                   json.dumps(msg).encode(), {"Content-Type": "application/json"})
        self.assertEqual((st, body), (200, b"success"))
        self.srv.advance(0)
        row = sql(self.srv, "SELECT m.body, a.mime, a.sha256 FROM attachment a JOIN conv_msg m"
                            " ON m.id = a.message_id WHERE m.ext_id = 'wb:77002'")
        self.assertEqual(row, f"[图片]|image/png|{hashlib.sha256(fp.PNG).hexdigest()}")
        got = [r for r in self.fake.of("media_get") if r["query"].get("fid")]
        self.assertEqual([(r["ok"], r["query"]["fid"]) for r in got], [(True, "fid123")])


class SmsNotice:
    """WO-5: kefu texts the customer by itself on the order events a template names
    (taken in with the callback's time, accepted, done…), exactly once per event across
    rounds and restarts, skipping opted-out numbers; each notice is in the order's
    history and is a message out of the customer's SMS conversation."""

    def notices(self, phone):
        return [r for r in self.fake.of("sms_send") if r["form"]["PhoneNumbers"] == phone]

    def order_sms(self, oid):
        rows = sql(self.srv, "SELECT detail FROM wo_event WHERE kind = 'order.sms'"
                             f" AND order_id = {oid} ORDER BY id")
        return [json.loads(x) for x in rows.split("\n") if x]

    def test_notices(self):
        srv = self.srv
        acc = self.acc
        mgr = srv.login("8001")
        # Which events send which template: bad names and the birthday greeting refused.
        st, body, _ = srv.call("PUT", "/api/chan/sms/templates/progress",
                               {"events": ["accepted", "nope"]}, token=mgr,
                               headers={"Accept-Language": None})
        self.assertEqual((st, body["error"]["field"]), (422, "events"), body)
        self.assertIn("只能是 dispatched（已派单）", body["error"]["message"])
        self.assertError(srv.call("PUT", "/api/chan/sms/templates/birthday",
                                  {"events": ["done"]}, token=mgr), 422, field="events")
        st, body, _ = srv.call("PUT", "/api/chan/sms/templates/progress",
                               {"events": ["dispatched", "accepted", "done"]}, token=mgr)
        self.assertEqual((st, body["events"]), (200, ["dispatched", "accepted", "done"]), body)
        # Naming "dispatched" on the callback template takes it from progress.
        st, body, _ = srv.call("PUT", "/api/chan/sms/templates/callback",
                               {"events": ["dispatched"]}, token=mgr)
        self.assertEqual((st, body["events"]), (200, ["dispatched"]), body)
        st, body, _ = srv.call("GET", "/api/chan/sms/templates", token=mgr)
        self.assertEqual({t["code"]: t["events"] for t in body["items"]},
                         {"birthday": [], "callback": ["dispatched"],
                          "progress": ["accepted", "done"]})

        phone = "13900139001"
        agent = srv.login("8101")
        st, o, _ = srv.call("POST", "/api/orders",
                            {"complaint": "vehicle_damage", "summary": "洗车划伤车门",
                             "phone": phone}, token=agent)
        self.assertEqual(st, 201, o)
        due = next(c["due_at"] for c in o["sla"] if c["metric"] == "callback")
        when = datetime.fromtimestamp(due / 1000, TZ)
        time_text = f"{when.month}月{when.day}日 {when.hour:02d}:{when.minute:02d}"
        srv.advance(0)
        srv.advance(0)
        got = self.notices(phone)
        self.assertEqual(len(got), 1, self.fake.received)
        self.assertEqual(got[0]["signature"], got[0]["recomputed"])
        self.assertEqual(got[0]["form"]["TemplateCode"], "SMS_CALLBACK")
        self.assertEqual(json.loads(got[0]["form"]["TemplateParam"]),
                         {"order": o["number"], "progress": "已受理并派单处理", "time": time_text})
        text = f"您好，您的工单{o['number']}已受理，我们将于{time_text}前回电，请保持电话畅通。"
        self.assertEqual(sql(srv, f"SELECT kind, status, text FROM sms_sent WHERE phone = '{phone}'"),
                         f"callback|sent|{text}")
        hist = self.order_sms(o["id"])
        self.assertEqual([(h["notice"], h["status"], h["text"]) for h in hist],
                         [("dispatched", "sent", text)])
        conv = self.conv_of(acc, phone)
        self.assertEqual(sql(srv, f"SELECT direction, status, body FROM conv_msg WHERE conv_id = {conv}"),
                         f"out|sent|{text}")
        self.assertEqual(sql(srv, f"SELECT state, order_id FROM conv WHERE id = {conv}"),
                         f"resolved|{o['id']}")

        # A restart sends nothing again.
        srv.restart()
        srv.advance(0)
        self.assertEqual(len(self.notices(phone)), 1)

        # Accepted: the progress template, once.
        head = srv.login("2001")
        st, _, _ = srv.call("POST", f"/api/orders/{o['id']}/accept", {}, token=head)
        self.assertEqual(st, 200)
        srv.advance(0)
        srv.advance(0)
        got = self.notices(phone)
        self.assertEqual(len(got), 2)
        self.assertEqual(got[1]["form"]["TemplateCode"], "SMS_PROGRESS")
        self.assertEqual(json.loads(got[1]["form"]["TemplateParam"]),
                         {"order": o["number"], "progress": "负责人已接单，正在处理"})
        # The same conversation holds both (still resolved: nobody has to answer).
        self.assertEqual(sql(srv, f"SELECT count(*), min(state) FROM conv WHERE account_id = {acc}"
                                  f" AND peer = '{phone}'"), "1|resolved")
        self.assertEqual(sql(srv, f"SELECT count(*) FROM conv_msg WHERE conv_id = {conv}"
                                  " AND direction = 'out' AND status = 'sent'"), "2")

        # A process that stopped while the provider was asked: not sent again, noted.
        st, _, _ = srv.call("POST", f"/api/orders/{o['id']}/onsite", {}, token=head)
        self.assertEqual(st, 200)
        mgr = srv.login("8001")
        srv.call("POST", "/api/chan/sms/optout", {"phone": phone}, token=mgr)
        st, _, _ = srv.call("POST", f"/api/orders/{o['id']}/report", {"solution": "已补漆"},
                            token=head)
        self.assertEqual(st, 200)
        srv.advance(0)
        self.assertEqual(len(self.notices(phone)), 2)
        hist = self.order_sms(o["id"])
        self.assertEqual([(h["notice"], h["status"]) for h in hist],
                         [("dispatched", "sent"), ("accepted", "sent"), ("done", "skipped")])
        self.assertEqual(hist[2]["reason"], "号码已退订短信")
        srv.call("DELETE", f"/api/chan/sms/optout/{phone}", token=mgr)
        ev = int(sql(srv, "SELECT max(id) FROM wo_event"))
        st, _, _ = srv.call("POST", f"/api/orders/{o['id']}/callback",
                            {"outcome": "unreachable"}, token=agent)
        self.assertEqual(st, 200)
        claim = int(sql(srv, f"SELECT min(id) FROM wo_event WHERE id > {ev}"
                             " AND kind = 'order.callback' AND from_state IS NULL"))
        sql(srv, f"UPDATE sms_settings SET notice_claim = {claim}, notice_claim_at = 1,"
                 f" notice_cursor = {claim - 1}")
        st, _, _ = srv.call("PUT", "/api/chan/sms/templates/callback",
                            {"events": ["dispatched", "callback"]}, token=mgr)
        srv.advance(0)
        srv.advance(0)
        self.assertEqual(len(self.notices(phone)), 2)
        hist = self.order_sms(o["id"])
        self.assertEqual((hist[-1]["notice"], hist[-1]["status"]), ("callback", "unknown"))
        self.assertEqual(sql(srv, "SELECT notice_claim FROM sms_settings"), "0")

        # At the day's cap the closing notice fails with the reason, nothing sent.
        st, _, _ = srv.call("PUT", "/api/chan/sms/settings", {"daily_cap": 0}, token=mgr)
        st, _, _ = srv.call("PUT", "/api/chan/sms/templates/progress",
                            {"events": ["accepted", "done", "closed"]}, token=mgr)
        st, _, _ = srv.call("POST", f"/api/orders/{o['id']}/callback", {"outcome": "accepted"},
                            token=agent)
        self.assertEqual(st, 200)
        srv.advance(0)
        srv.call("PUT", "/api/chan/sms/settings", {"daily_cap": 500}, token=mgr)
        self.assertEqual(len(self.notices(phone)), 2)
        hist = self.order_sms(o["id"])
        self.assertEqual((hist[-1]["notice"], hist[-1]["status"], hist[-1]["reason"]),
                         ("closed", "failed", "已达到每日短信上限 0 条"))


class WeChatTest(WeChatUnion, ChanCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        base = cls.fake.base
        cls.plain = add_account(cls.srv, "wechat", "公众号", {
            "appid": fp.WX_APPID, "secret": fp.WX_SECRET, "token": WX_TOKEN,
            "mode": "plain", "api_base": base})
        cls.safe = add_account(cls.srv, "wechat", "公众号安全模式", {
            "appid": fp.WX_APPID, "secret": fp.WX_SECRET, "token": WX_TOKEN,
            "aes_key": AES_KEY, "mode": "safe", "api_base": base})

    def test_url_verification(self):
        ts, nonce = "1765000000", "778899"
        sig = sha1_sorted(WX_TOKEN, ts, nonce)
        st, h, body = self.srv.raw(
            "GET", f"/api/hooks/wechat/{self.plain}?signature={sig}&timestamp={ts}"
                   f"&nonce={nonce}&echostr=5838479218127813673")
        self.assertEqual(st, 200)
        self.assertEqual(body, b"5838479218127813673")
        st, h, body = self.srv.raw(
            "GET", f"/api/hooks/wechat/{self.plain}?signature={'1' * 40}&timestamp={ts}"
                   f"&nonce={nonce}&echostr=5838479218127813673")
        self.assertEqual(st, 403)
        self.assertNotIn(b"5838479218127813673", body)

    def test_plain_text_becomes_conversation_and_reply_reaches_wechat(self):
        openid = "oWxPlainUser0001"
        st, _, body = self.wx_post(self.plain, text_xml(openid, "你好，路灯不亮了", 9001))
        self.assertEqual((st, body), (200, b"success"))
        conv = self.conv_of(self.plain, openid)
        self.assertIsNotNone(conv)
        items = self.conversations(self.login_agent(), channel="wechat")
        mine = [c for c in items if c["id"] == conv]
        self.assertEqual(len(mine), 1, items)
        self.assertEqual(mine[0]["peer"], openid)
        st, detail, _ = self.srv.call("GET", f"/api/conversations/{conv}",
                                      token=self.login_agent())
        self.assertEqual(st, 200, detail)
        self.assertIn("你好，路灯不亮了", json.dumps(detail, ensure_ascii=False))

        # The same MsgId again (WeChat retries when "success" is late): stored once.
        st, _, body = self.wx_post(self.plain, text_xml(openid, "你好，路灯不亮了", 9001))
        self.assertEqual((st, body), (200, b"success"))
        self.assertEqual(sql(self.srv, "SELECT count(*) FROM conv_msg WHERE ext_id = 'wx:9001'"),
                         "1")

        status = self.reply(conv, "您好，已为您登记报修。")
        self.assertEqual(status, "sent")
        sends = [r for r in self.fake.of("wx_send") if r["body"]["touser"] == openid]
        self.assertEqual(len(sends), 1, self.fake.received)
        self.assertTrue(sends[0]["ok"])
        self.assertEqual(sends[0]["body"]["msgtype"], "text")
        self.assertEqual(sends[0]["body"]["text"]["content"], "您好，已为您登记报修。")
        tok = [r for r in self.fake.of("wx_token") if r["ok"]]
        self.assertTrue(tok)
        self.assertEqual(tok[0]["query"]["appid"], fp.WX_APPID)

    def test_encrypted_message(self):
        openid = "oWxSafeUser0002"
        inner = text_xml(openid, "安全模式的消息：水管漏水", 9002)
        enc = wx_encrypt(inner, fp.WX_APPID)
        self.assertEqual(wx_decrypt(enc), (inner, fp.WX_APPID))
        ts, nonce = "1765000100", "5566"
        outer = f"<xml><ToUserName><![CDATA[gh_kefu]]></ToUserName><Encrypt><![CDATA[{enc}]]></Encrypt></xml>"
        msig = sha1_sorted(WX_TOKEN, ts, nonce, enc)
        before = sql(self.srv, "SELECT count(*) FROM conv_msg")
        # A wrong msg_signature: refused, nothing written.
        st, _, _ = self.srv.raw(
            "POST", f"/api/hooks/wechat/{self.safe}?signature={sha1_sorted(WX_TOKEN, ts, nonce)}"
                    f"&timestamp={ts}&nonce={nonce}&encrypt_type=aes&msg_signature={'2' * 40}",
            outer.encode(), {"Content-Type": "text/xml"})
        self.assertEqual(st, 403)
        # Sent in the clear to a safe-mode account: refused.
        st, _, _ = self.wx_post(self.safe, inner)
        self.assertEqual(st, 403)
        self.assertEqual(sql(self.srv, "SELECT count(*) FROM conv_msg"), before)
        st, _, body = self.srv.raw(
            "POST", f"/api/hooks/wechat/{self.safe}?signature={sha1_sorted(WX_TOKEN, ts, nonce)}"
                    f"&timestamp={ts}&nonce={nonce}&encrypt_type=aes&msg_signature={msig}",
            outer.encode(), {"Content-Type": "text/xml"})
        self.assertEqual((st, body), (200, b"success"))
        conv = self.conv_of(self.safe, openid)
        self.assertIsNotNone(conv)
        self.assertEqual(sql(self.srv, f"SELECT body FROM conv_msg WHERE conv_id = {conv}"
                                       " AND direction = 'in'"), "安全模式的消息：水管漏水")

        # Encrypted for another appid with the same key: not this account's.
        enc2 = wx_encrypt(text_xml(openid, "别人的", 9003), "wxotherappid")
        outer2 = f"<xml><Encrypt><![CDATA[{enc2}]]></Encrypt></xml>"
        st, _, _ = self.srv.raw(
            "POST", f"/api/hooks/wechat/{self.safe}?timestamp={ts}&nonce={nonce}"
                    f"&encrypt_type=aes&msg_signature={sha1_sorted(WX_TOKEN, ts, nonce, enc2)}",
            outer2.encode(), {"Content-Type": "text/xml"})
        self.assertEqual(st, 400)
        self.assertEqual(sql(self.srv, "SELECT count(*) FROM conv_msg WHERE ext_id = 'wx:9003'"),
                         "0")

    def test_events_and_media(self):
        openid = "oWxEventUser0003"
        sub = (f"<xml><ToUserName>gh_kefu</ToUserName><FromUserName>{openid}</FromUserName>"
               "<CreateTime>1765000200</CreateTime><MsgType>event</MsgType>"
               "<Event>subscribe</Event></xml>")
        st, _, _ = self.wx_post(self.plain, sub)
        self.assertEqual(st, 200)
        self.wx_post(self.plain, sub)  # pushed again: the same event, stored once
        self.assertEqual(sql(self.srv, "SELECT count(*) FROM conv_msg WHERE ext_id ="
                                       f" 'wx:{openid}:1765000200:subscribe'"), "1")
        img = (f"<xml><FromUserName>{openid}</FromUserName><CreateTime>1765000201</CreateTime>"
               f"<MsgType>image</MsgType><PicUrl>{self.fake.base}/media/p.png</PicUrl>"
               "<MediaId>media1</MediaId><MsgId>9010</MsgId></xml>")
        # A media id WeChat no longer knows: the agent is told, nothing kept.
        lost = (f"<xml><FromUserName>{openid}</FromUserName><CreateTime>1765000203</CreateTime>"
                "<MsgType>image</MsgType><PicUrl>http://127.0.0.1:9/gone.jpg</PicUrl>"
                "<MediaId>media3</MediaId><MsgId>9012</MsgId></xml>")
        voice = (f"<xml><FromUserName>{openid}</FromUserName><CreateTime>1765000202</CreateTime>"
                 "<MsgType>voice</MsgType><MediaId>media2</MediaId><Format>amr</Format>"
                 "<Recognition>我要投诉噪音</Recognition><MsgId>9011</MsgId></xml>")
        # A "voice" that is markup behind AMR's magic: fetched, and refused by att.
        self.fake.media["media4"] = ("audio/amr", b"#!AMR\n<script>alert(1)</script>")
        fake_voice = voice.replace("media2", "media4").replace("9011", "9013")
        gets = len(self.fake.of("media_get"))
        self.fake.media_fail = 1  # the media API busy once: tried again later
        for x in (img, voice, lost, fake_voice):
            self.assertEqual(self.wx_post(self.plain, x)[0], 200)
        # The webhook answered without fetching anything.
        self.assertEqual(len(self.fake.of("media_get")), gets)
        conv = self.conv_of(self.plain, openid)
        bodies = sql(self.srv, f"SELECT body FROM conv_msg WHERE conv_id = {conv}"
                               " AND direction = 'in' ORDER BY id").split("\n")
        self.assertEqual(bodies, ["[关注公众号]", "[图片]", "[语音] 我要投诉噪音", "[图片]",
                                  "[语音] 我要投诉噪音"])
        self.srv.advance(0)
        self.srv.advance(31000)
        self.srv.advance(0)
        # Kept as the messages' files, byte for byte, through the media API.
        for ext, mime, data in (("9010", "image/png", fp.PNG), ("9011", "audio/amr", fp.AMR)):
            row = sql(self.srv, "SELECT a.mime, a.size, a.sha256 FROM attachment a JOIN conv_msg m"
                                f" ON m.id = a.message_id WHERE m.ext_id = 'wx:{ext}'")
            self.assertEqual(row, f"{mime}|{len(data)}|{hashlib.sha256(data).hexdigest()}")
        asked = [r["query"]["media_id"] for r in self.fake.of("media_get")[gets:]]
        self.assertEqual(sorted(set(asked)), ["media1", "media2", "media3", "media4"])
        self.assertEqual(sql(self.srv, "SELECT count(*) FROM attachment a JOIN conv_msg m"
                                       " ON m.id = a.message_id WHERE m.ext_id IN"
                                       " ('wx:9012', 'wx:9013')"), "0")
        events = sql(self.srv, f"SELECT body FROM conv_msg WHERE conv_id = {conv}"
                               " AND direction = 'event' ORDER BY id").split("\n")
        self.assertEqual(sorted(events), ["图片未能保存：WeChat 40007 invalid media_id",
                                          "语音未能保存：类型不支持"])
        self.assertEqual(sql(self.srv, "SELECT state, count(*) FROM chan_media GROUP BY state"
                                       " ORDER BY state"), "done|2\nfailed|2")
        # The agent downloads the voice as it came.
        att = sql(self.srv, "SELECT a.id FROM attachment a JOIN conv_msg m ON m.id = a.message_id"
                            " WHERE m.ext_id = 'wx:9011'")
        tok = self.login_agent()
        self.srv.call("POST", f"/api/conversations/{conv}/take", {}, token=tok)
        st, h, body = self.srv.raw("GET", f"/api/conversations/{conv}/files/{att}",
                                   headers={"Authorization": f"Bearer {tok}"})
        self.assertEqual((st, body), (200, fp.AMR))
        self.assertEqual(h.get("content-type"), "audio/amr")
        self.assertTrue(h.get("content-disposition", "").startswith("attachment"))

    def test_wecom_encrypted_echostr(self):
        ts, nonce = "1765000400", "9988"
        echo = wx_encrypt("1616140317555161061", "")
        sig = sha1_sorted(WX_TOKEN, ts, nonce, echo)
        q = urllib.parse.urlencode({"msg_signature": sig, "timestamp": ts, "nonce": nonce,
                                    "echostr": echo})
        st, _, body = self.srv.raw("GET", f"/api/hooks/wechat/{self.safe}?{q}")
        self.assertEqual((st, body), (200, b"1616140317555161061"))
        q = urllib.parse.urlencode({"msg_signature": "4" * 40, "timestamp": ts, "nonce": nonce,
                                    "echostr": echo})
        self.assertEqual(self.srv.raw("GET", f"/api/hooks/wechat/{self.safe}?{q}")[0], 403)

    def test_reply_failures(self):
        """An expired token is fetched again once; WeChat's refusal (45015: the customer
        wrote more than 48 hours ago) fails the message with WeChat's words."""
        openid = "oWxFailUser0004"
        self.wx_post(self.plain, text_xml(openid, "在吗", 9201))
        conv = self.conv_of(self.plain, openid)
        tokens = self.fake.tokens_issued
        self.fake.fail_next = (200, {"errcode": 42001, "errmsg": "access_token expired"})
        self.assertEqual(self.reply(conv, "在的，请讲。"), "sent")
        self.assertGreater(self.fake.tokens_issued, tokens)
        self.assertEqual([r["body"]["text"]["content"] for r in self.fake.of("wx_send")
                          if r["body"]["touser"] == openid], ["在的，请讲。"])
        self.fake.fail_next = (200, {"errcode": 45015, "errmsg": "response out of time limit"})
        self.assertEqual(self.reply(conv, "还在吗？"), "failed")
        err = sql(self.srv, f"SELECT error FROM conv_msg WHERE conv_id = {conv}"
                            " AND direction = 'out' ORDER BY id DESC LIMIT 1")
        self.assertIn("45015", err)

    def test_bad_input_writes_nothing(self):
        before = sql(self.srv, "SELECT count(*) FROM conv_msg")
        convs = sql(self.srv, "SELECT count(*) FROM conv")
        st, _, body = self.wx_post(self.plain, text_xml("oBad1", "x", 9100), signed=False)
        self.assertEqual(st, 403)
        self.assertEqual(json.loads(body)["error"]["message"], "wrong signature")
        st, _, body = self.wx_post(self.plain, "<xml><FromUserName>oBad2</From")
        self.assertEqual(st, 400)
        st, _, _ = self.wx_post(self.plain, "<!DOCTYPE x [<!ENTITY a \"b\">]><xml>&a;</xml>")
        self.assertEqual(st, 400)
        big = text_xml("oBad3", "长" * 30000, 9101)
        st, _, _ = self.wx_post(self.plain, big)
        self.assertEqual(st, 413)
        st, _, _ = self.wx_post(999999, text_xml("oBad4", "x", 9102))
        self.assertEqual(st, 404)
        self.assertEqual(sql(self.srv, "SELECT count(*) FROM conv_msg"), before)
        self.assertEqual(sql(self.srv, "SELECT count(*) FROM conv"), convs)
        # In Chinese unless asked otherwise.
        st, _, body = self.srv.raw("POST", f"/api/hooks/wechat/{self.plain}?signature=x",
                                   b"<xml/>", {"Content-Type": "text/xml"})
        self.assertEqual(st, 403)
        self.assertIn("签名错误", json.loads(body)["error"]["message"])


class WeChatFloodTest(ChanCase):
    def test_rate_limit(self):
        acc = add_account(self.srv, "wechat", "公众号", {
            "appid": fp.WX_APPID, "secret": fp.WX_SECRET, "token": WX_TOKEN, "mode": "plain",
            "api_base": self.fake.base})
        codes = [self.wx_post(acc, text_xml("oFlood", "刷屏", 20000 + i))[0] for i in range(60)]
        self.assertIn(429, codes)
        self.assertEqual(codes[0], 200)
        stored = int(sql(self.srv, "SELECT count(*) FROM conv_msg WHERE ext_id LIKE 'wx:2%'"))
        self.assertEqual(stored, codes.count(200))
        st, _, body = self.wx_post(acc, text_xml("oFlood", "刷屏", 30000))
        if st == 429:
            self.assertEqual(json.loads(body)["error"]["code"], "too_many_requests")


class WeiboTest(WeiboMedia, ChanCase):
    def test_push_and_reply(self):
        acc = add_account(self.srv, "weibo", "官方微博", {
            "app_secret": WEIBO_SECRET, "access_token": fp.WEIBO_TOKEN,
            "api_base": self.fake.base})
        ts, nonce = "1765000300", "4321"
        sig = sha1_sorted(WEIBO_SECRET, ts, nonce)
        st, _, body = self.srv.raw(
            "GET", f"/api/hooks/weibo/{acc}?signature={sig}&timestamp={ts}&nonce={nonce}"
                   "&echostr=weiboecho")
        self.assertEqual((st, body), (200, b"weiboecho"))
        msg = {"type": "text", "receiver_id": 5000001, "sender_id": 1900000001,
               "created_at": "Mon Dec 07 18:09:20 +0800 2026", "text": "私信：快递丢了", "id": 77001}
        st, _, _ = self.srv.raw("POST", f"/api/hooks/weibo/{acc}?signature={'3' * 40}"
                                        f"&timestamp={ts}&nonce={nonce}",
                                json.dumps(msg).encode(), {"Content-Type": "application/json"})
        self.assertEqual(st, 403)
        self.assertIsNone(self.conv_of(acc, "1900000001"))
        st, _, body = self.srv.raw("POST", f"/api/hooks/weibo/{acc}?signature={sig}"
                                           f"&timestamp={ts}&nonce={nonce}",
                                   json.dumps(msg, ensure_ascii=False).encode(),
                                   {"Content-Type": "application/json"})
        self.assertEqual((st, body), (200, b"success"))
        conv = self.conv_of(acc, "1900000001")
        self.assertIsNotNone(conv)
        self.assertEqual(self.reply(conv, "您好，请提供快递单号。"), "sent")
        sent = self.fake.of("weibo_send")
        self.assertEqual(len(sent), 1)
        self.assertTrue(sent[0]["ok"])
        self.assertEqual(sent[0]["form"]["receiver_id"], "1900000001")
        self.assertEqual(sent[0]["data"]["text"], "您好，请提供快递单号。")
        # Pushed again: stored once; malformed JSON: 400, nothing written.
        self.srv.raw("POST", f"/api/hooks/weibo/{acc}?signature={sig}&timestamp={ts}&nonce={nonce}",
                     json.dumps(msg).encode(), {"Content-Type": "application/json"})
        self.assertEqual(sql(self.srv, "SELECT count(*) FROM conv_msg WHERE ext_id = 'wb:77001'"),
                         "1")
        n = sql(self.srv, "SELECT count(*) FROM conv_msg")
        st, _, _ = self.srv.raw("POST", f"/api/hooks/weibo/{acc}?signature={sig}"
                                        f"&timestamp={ts}&nonce={nonce}", b"{\"type\": ",
                                {"Content-Type": "application/json"})
        self.assertEqual(st, 400)
        st, _, _ = self.srv.raw("POST", f"/api/hooks/weibo/{acc}?signature={sig}"
                                        f"&timestamp={ts}&nonce={nonce}",
                                json.dumps({"type": "text", "text": "无发送者"}).encode(),
                                {"Content-Type": "application/json"})
        self.assertEqual(st, 400)
        self.assertEqual(sql(self.srv, "SELECT count(*) FROM conv_msg"), n)


class SmsTest(SmsNotice, ChanCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acc = add_account(cls.srv, "sms", "短信", {
            "api_base": cls.fake.base + "/", "access_key_id": fp.SMS_KEY_ID,
            "access_key_secret": fp.SMS_SECRET, "sign_name": "客服中心",
            "reply_template": "SMS_REPLY_1", "hook_token": SMS_HOOK_TOKEN})

    def sms_in(self, phone, text, seq, token=SMS_HOOK_TOKEN):
        items = [{"phone_number": phone, "content": text, "send_time": "2026-12-07 10:00:00",
                  "dest_code": "1", "sequence_id": seq}]
        return self.srv.raw("POST", f"/api/hooks/sms/{self.acc}?token={token}",
                            json.dumps(items, ensure_ascii=False).encode(),
                            {"Content-Type": "application/json"})

    def test_inbound_reply_and_optout(self):
        st, _, body = self.sms_in("13800138000", "你好，我的工单怎么样了", 501)
        self.assertEqual(st, 200, body)
        self.assertEqual(json.loads(body)["code"], 0)
        conv = self.conv_of(self.acc, "13800138000")
        self.assertIsNotNone(conv)
        self.assertEqual(self.reply(conv, "您好，工单已派给维修班组。"), "sent")
        sent = [r for r in self.fake.of("sms_send") if r["form"]["PhoneNumbers"] == "13800138000"]
        self.assertEqual(len(sent), 1, self.fake.received)
        self.assertTrue(sent[0]["ok"], sent[0])
        self.assertEqual(sent[0]["signature"], sent[0]["recomputed"])
        self.assertEqual(sent[0]["form"]["TemplateCode"], "SMS_REPLY_1")
        self.assertEqual(sent[0]["form"]["SignName"], "客服中心")
        self.assertEqual(json.loads(sent[0]["form"]["TemplateParam"]),
                         {"content": "您好，工单已派给维修班组。"})

        # The operator's report: that reply never reached the phone after all.
        biz = sql(self.srv, f"SELECT ext_id FROM conv_msg WHERE conv_id = {conv}"
                            " AND direction = 'out'")
        self.assertTrue(biz.startswith("biz"), biz)
        rep = [{"phone_number": "13800138000", "success": False, "biz_id": biz,
                "err_code": "MOBILE_NOT_ON_SERVICE", "err_msg": "停机",
                "report_time": "2026-12-07 10:00:02"}]
        st, _, _ = self.srv.raw("POST", f"/api/hooks/sms/{self.acc}?token={SMS_HOOK_TOKEN}",
                                json.dumps(rep, ensure_ascii=False).encode(),
                                {"Content-Type": "application/json"})
        self.assertEqual(st, 200)
        self.assertEqual(sql(self.srv, f"SELECT status, error FROM conv_msg WHERE conv_id = {conv}"
                                       " AND direction = 'out'"),
                         "failed|短信未送达：MOBILE_NOT_ON_SERVICE 停机")

        # A wrong hook token: nothing stored.
        st, _, _ = self.sms_in("13800138001", "伪造", 502, token="nope")
        self.assertEqual(st, 403)
        self.assertIsNone(self.conv_of(self.acc, "13800138001"))

        st, _, _ = self.sms_in("13800138000", "退订", 503)
        self.assertEqual(st, 200)
        mgr = self.srv.login("8001")
        st, page, _ = self.srv.call("GET", "/api/chan/sms/optout", token=mgr)
        self.assertEqual(st, 200, page)
        self.assertEqual([(i["phone"], i["source"]) for i in page["items"]],
                         [("13800138000", "reply")])
        # An agent may not edit the list (chan.manage).
        st, _, _ = self.srv.call("GET", "/api/chan/sms/optout", token=self.srv.login("8101"))
        self.assertEqual(st, 403)
        st, body, _ = self.srv.call("POST", "/api/chan/sms/optout", {"phone": "139-0000-1111"},
                                    token=mgr)
        self.assertEqual(st, 201, body)
        self.assertEqual(body["phone"], "13900001111")
        self.assertError(self.srv.call("POST", "/api/chan/sms/optout", {"phone": "13900001111"},
                                       token=mgr), 409)
        st, _, _ = self.srv.call("DELETE", "/api/chan/sms/optout/13900001111", token=mgr)
        self.assertEqual(st, 204)

    def test_hook_bad_input_and_reports(self):
        n = sql(self.srv, "SELECT count(*) FROM conv_msg")
        url = f"/api/hooks/sms/{self.acc}?token={SMS_HOOK_TOKEN}"
        for body, status in ((b"[{", 400), (b"\"text\"", 400),
                             (json.dumps([{"phone_number": "abc", "content": "x"}]).encode(), 400),
                             (b"[" + b"1," * 40000 + b"1]", 413)):
            st, _, _ = self.srv.raw("POST", url, body, {"Content-Type": "application/json"})
            self.assertEqual(st, status, body[:40])
        # One bad item in a push: the whole push is refused, nothing of it stored.
        push = [{"phone_number": "13800138100", "content": "好的", "sequence_id": 901},
                {"phone_number": "13800138101", "sequence_id": 902}]
        st, _, _ = self.srv.raw("POST", url, json.dumps(push, ensure_ascii=False).encode(),
                                {"Content-Type": "application/json"})
        self.assertEqual(st, 400)
        self.assertEqual(sql(self.srv, "SELECT count(*) FROM conv_msg"), n)
        # Delivery reports are acknowledged, not stored.
        rep = [{"phone_number": "13800138000", "success": True, "biz_id": "biz1",
                "err_code": "DELIVERED", "report_time": "2026-12-07 10:00:02"}]
        st, _, body = self.srv.raw("POST", url, json.dumps(rep).encode(),
                                   {"Content-Type": "application/json"})
        self.assertEqual((st, json.loads(body)["code"]), (200, 0))
        self.assertEqual(sql(self.srv, "SELECT count(*) FROM conv_msg"), n)

    def test_daily_cap(self):
        mgr = self.srv.login("8001")
        st, body, _ = self.srv.call("PUT", "/api/chan/sms/settings", {"daily_cap": 0}, token=mgr)
        self.assertEqual((st, body["daily_cap"]), (200, 0))
        sends = len(self.fake.of("sms_send"))
        self.assertError(self.srv.call("POST", "/api/chan/sms/send",
                                       {"template": "callback", "phone": "13600000020",
                                        "params": {"order": "GD1", "time": "18:00"}},
                                       token=mgr), 429)
        self.assertEqual(len(self.fake.of("sms_send")), sends)
        self.assertError(self.srv.call("PUT", "/api/chan/sms/settings", {"birthday_minute": 1440},
                                       token=mgr), 422, field="birthday_minute")
        st, body, _ = self.srv.call("PUT", "/api/chan/sms/settings", {"daily_cap": 500}, token=mgr)
        self.assertEqual(st, 200, body)

    def test_templates(self):
        mgr = self.srv.login("8001")
        st, body, _ = self.srv.call("GET", "/api/chan/sms/templates", token=mgr)
        self.assertEqual(st, 200, body)
        self.assertEqual(sorted(t["code"] for t in body["items"]),
                         ["birthday", "callback", "progress"])
        st, body, _ = self.srv.call("PUT", "/api/chan/sms/templates/progress",
                                    {"text": "工单${order}进展：${progress}", "provider_code": "SMS_9"},
                                    token=mgr)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["text"], "工单${order}进展：${progress}")
        self.assertEqual(sql(self.srv, "SELECT provider_code FROM sms_template"
                                       " WHERE code = 'progress'"), "SMS_9")
        self.assertError(self.srv.call("PUT", "/api/chan/sms/templates/progress", {"text": ""},
                                       token=mgr), 422, field="text")
        self.assertError(self.srv.call("PUT", "/api/chan/sms/templates/nope", {"text": "x"},
                                       token=mgr), 404)

        # WO-5: the progress notice from the order's page, rendered into the sent log.
        agent = self.srv.login("8101")
        st, body, _ = self.srv.call("POST", "/api/chan/sms/send",
                                    {"template": "progress", "phone": "13600000009",
                                     "params": {"order": "GD20261207001", "progress": "已派单"}},
                                    token=agent)
        self.assertEqual(st, 201, body)
        got = [r for r in self.fake.of("sms_send") if r["form"]["PhoneNumbers"] == "13600000009"]
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["signature"], got[0]["recomputed"])
        self.assertEqual(got[0]["form"]["TemplateCode"], "SMS_9")
        self.assertEqual(json.loads(got[0]["form"]["TemplateParam"]),
                         {"order": "GD20261207001", "progress": "已派单"})
        self.assertEqual(sql(self.srv, "SELECT text FROM sms_sent WHERE phone = '13600000009'"),
                         "工单GD20261207001进展：已派单")
        self.assertError(self.srv.call("POST", "/api/chan/sms/send",
                                       {"template": "birthday", "phone": "13600000009"},
                                       token=agent), 422, field="template")
        mgr = self.srv.login("8001")
        self.srv.call("POST", "/api/chan/sms/optout", {"phone": "13600000010"}, token=mgr)
        self.assertError(self.srv.call("POST", "/api/chan/sms/send",
                                       {"template": "progress", "phone": "13600000010"},
                                       token=agent), 422, field="phone")
        self.assertEqual(len(self.fake.of("sms_send")), 1 + len([
            r for r in self.fake.of("sms_send") if r["form"]["PhoneNumbers"] != "13600000009"]))


class SmsBirthdayTest(ChanCase):
    """CUST-4: each morning after the setting's minute, a greeting to the customers
    whose birthday is today, once per customer per year, skipping opted-out numbers."""

    def test_birthday_tick(self):
        srv = self.srv
        acc = add_account(srv, "sms", "短信", {
            "api_base": self.fake.base + "/", "access_key_id": fp.SMS_KEY_ID,
            "access_key_secret": fp.SMS_SECRET, "sign_name": "客服中心",
            "hook_token": SMS_HOOK_TOKEN})
        mgr = srv.login("8001")
        st, body, _ = srv.call("PUT", "/api/chan/sms/settings",
                               {"birthday_minute": 9 * 60, "daily_cap": 100, "account_id": acc},
                               token=mgr)
        self.assertEqual(st, 200, body)
        # Tomorrow 07:00 local: before the greeting's minute.
        now = srv.advance(0)
        local = datetime.fromtimestamp(now / 1000, TZ)
        day = (local + timedelta(days=1)).replace(hour=7, minute=0, second=0, microsecond=0)
        srv.advance(int((day - local).total_seconds() * 1000))
        mgr = srv.login("8001")
        md = day.strftime("%m-%d")
        other = (day + timedelta(days=3)).strftime("%m-%d")
        made = {}
        for name, phone, bday in (("李一", "13700000001", md),
                                  ("李二", "13700000002", f"1990-{md}"),
                                  ("李三", "13700000003", other),
                                  ("李四", "13700000004", md)):
            st, c, _ = srv.call("POST", "/api/customers",
                                {"name": name, "phones": [{"phone": phone}], "birthday": bday},
                                token=mgr)
            self.assertEqual(st, 201, c)
            made[phone] = c["id"]
        st, _, _ = srv.call("POST", "/api/chan/sms/optout", {"phone": "13700000004"}, token=mgr)
        self.assertEqual(st, 201)
        # 李五 has a landline first: the greeting goes to the mobile.
        st, c, _ = srv.call("POST", "/api/customers",
                            {"name": "李五", "phones": [{"phone": "02088880000"},
                                                         {"phone": "13700000005"}],
                             "birthday": md}, token=mgr)
        self.assertEqual(st, 201, c)
        made["13700000005"] = c["id"]
        srv.advance(0)
        self.assertEqual(self.fake.of("sms_send"), [])
        # 09:01: the provider fails the first one; the round ends, the next minute sends all.
        self.fake.fail_next = (500, {"Code": "InternalError", "Message": "busy"})
        srv.advance(2 * 3600 * 1000 + 60000)
        srv.advance(0)
        self.assertEqual(self.fake.of("sms_send"), [])
        self.assertEqual(sql(srv, "SELECT count(*) FROM sms_sent WHERE status = 'failed'"), "1")
        srv.advance(60000)
        sent = self.fake.of("sms_send")
        self.assertEqual(sorted(r["form"]["PhoneNumbers"] for r in sent),
                         ["13700000001", "13700000002", "13700000005"])
        for r in sent:
            self.assertEqual(r["signature"], r["recomputed"])
            self.assertEqual(r["form"]["TemplateCode"], "SMS_BIRTHDAY")
            self.assertTrue(r["ok"])
        self.assertEqual(json.loads(sent[0]["form"]["TemplateParam"]), {"name": "李一"})
        srv.advance(60000)
        srv.advance(3600 * 1000)
        # A restart the same day greets nobody again.
        # (The test clock starts again from the real time: back to that morning.)
        srv.restart()
        now = srv.advance(0)
        local = datetime.fromtimestamp(now / 1000, TZ)
        again = day.replace(hour=9, minute=30)
        self.assertGreater(again, local)
        srv.advance(int((again - local).total_seconds() * 1000))
        srv.advance(60000)
        self.assertEqual(datetime.fromtimestamp(srv.advance(0) / 1000, TZ).date(), day.date())
        self.assertEqual(len(self.fake.of("sms_send")), 3)
        rows = sql(srv, "SELECT customer_id, key FROM sms_sent WHERE kind = 'birthday'"
                        " AND status = 'sent' ORDER BY customer_id").split("\n")
        self.assertEqual(rows, [f"{made[p]}|c{made[p]}:{day.year}"
                                for p in ("13700000001", "13700000002", "13700000005")])
        self.assertIn("尊敬的李一，今天是您的生日", sql(srv, "SELECT text FROM sms_sent"
                                                       " WHERE status = 'sent' ORDER BY id LIMIT 1"))
