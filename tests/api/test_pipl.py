"""A customer's data on request (PIPL, CUST-2, WO-7; issue 22): the export
holds everything kefu keeps on that customer and nothing of another's; the
erasure anonymises the customer everywhere — afterwards neither the database
file, its write-ahead log nor the recordings folder holds the customer's
number or name (the audit entry keeps the number masked) — while the rows
and the report's figures stay as they were; both are the manager's alone,
take a reason, and are audited; errors are in zh-CN."""
import datetime
import json
import os
import sqlite3
import time
from urllib.parse import quote

from apihelp import db_value, png
from harness import KefuTestCase

PHONE_A, PHONE_A2, PHONE_B = "13912340001", "13912340002", "13987650009"
NAME_A, NAME_B = "司马删除", "诸葛保留"


def sql(srv, q, args=()):
    with sqlite3.connect(srv.db, timeout=10) as db:
        cur = db.execute(q, args)
        return cur.lastrowid


class PiplTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        cls.mgr = s.login("8001")
        cls.agent = s.login("8101")
        cls.a = cls.seed(NAME_A, "司马", [PHONE_A, PHONE_A2], "wx_sima", "a")
        cls.b = cls.seed(NAME_B, "诸葛", [PHONE_B], "wx_zhuge", "b")

    @classmethod
    def seed(cls, name, surname, phones, wechat, tag):
        """One customer with something in every place kefu keeps a customer's data."""
        s = cls.srv
        st, c, _ = s.call("POST", "/api/customers", {
            "name": name, "surname": surname, "title": "mr", "wechat": wechat,
            "email": f"{wechat}@example.com", "birthday": "1988-03-04", "notes": f"{name}的备注",
            "phones": [{"phone": p, "label": "手机"} for p in phones]}, token=cls.agent)
        assert st == 201, c
        cid = c["id"]
        st, k, _ = s.call("POST", "/api/contacts", {
            "channel": "phone", "direction": "in", "customer_id": cid, "phone": phones[0],
            "class": "A", "summary": f"{name}反映车门划痕，回电{phones[0]}",
            "fivew": {"who": name, "what": "车门划痕"}}, token=cls.agent)
        assert st == 201, k
        st, o, _ = s.call("POST", "/api/orders", {
            "complaint": "vehicle_damage", "summary": f"{name}的车门划痕 {phones[0]}",
            "customer_id": cid, "phone": phones[0]}, token=cls.agent)
        assert st == 201, o
        # The file's name is not the customer's: the audit log, append-only
        # (SEC-2), keeps the names staff give attachments, and an erasure does
        # not rewrite it (docs/operations.md says so).
        h = {"Authorization": "Bearer " + cls.agent, "Content-Type": "application/octet-stream",
             "X-Filename": quote(f"车门照片{tag}.png")}
        st, att, _ = s.call("POST", f"/api/contacts/{k['id']}/attachments",
                            png(5, 4, (1, 2, 3) if tag == "a" else (4, 5, 6)), headers=h)
        assert st == 201, att
        agent = db_value(s, "SELECT id FROM person WHERE work_no = '8101'")
        now = o["created_at"]
        rec = f"2026/12/{tag}-call.wav"
        os.makedirs(os.path.join(s.dir, "recordings", "2026", "12"), exist_ok=True)
        with open(os.path.join(s.dir, "recordings", rec), "wb") as f:
            f.write(b"RIFF" + phones[0].encode() + name.encode())
        call = sql(s, "INSERT INTO call(sip_call_id, caller, called, started_at, answered_at,"
                      " ended_at, agent_id, contact_id, outcome, survey, recording, recording_ms)"
                      " VALUES (?, ?, '95000', ?, ?, ?, ?, ?, 'answered', 4, ?, 60000)",
                   (f"sip-{tag}", phones[0], now, now + 1000, now + 61000, agent, k["id"], rec))
        sql(s, "INSERT INTO qa_transcript(kind, ref_id, source, body, created_at)"
               " VALUES ('call', ?, 'asr', ?, ?)",
            (call, json.dumps([{"speaker": "customer", "text": f"我是{name}，电话{phones[0]}"}],
                              ensure_ascii=False), now))
        account = sql(s, "INSERT INTO chan_account(channel, name, config, created_at, updated_at)"
                         f" VALUES ('wechat', '公众号{tag}', '{{}}', ?, ?)", (now, now))
        conv = sql(s, "INSERT INTO conv(channel, account_id, customer_id, peer, peer_name, state,"
                      " created_at, rating) VALUES ('wechat', ?, ?, ?, ?, 'resolved', ?, 5)",
                   (account, cid, f"openid-{wechat}", name, now))
        sql(s, "INSERT INTO conv_msg(conv_id, account_id, direction, body, at)"
               " VALUES (?, ?, 'in', ?, ?)", (conv, account, f"我叫{name}，号码{phones[1 % len(phones)]}", now))
        sql(s, "INSERT INTO sms_sent(phone, kind, customer_id, text, status, at)"
               " VALUES (?, 'reply', ?, ?, 'sent', ?)", (phones[0], cid, f"{name}您好", now))
        return {"id": cid, "contact": k["id"], "order": o["id"], "call": call, "conv": conv,
                "day": datetime.datetime.fromtimestamp(now / 1000, datetime.timezone(
                    datetime.timedelta(hours=8))).strftime("%Y-%m-%d")}

    def export(self, cid, token=None, reason="客户本人书面申请查阅", extra="", headers=None):
        q = f"/api/customers/{cid}/export?reason={quote(reason)}{extra}" if reason is not None \
            else f"/api/customers/{cid}/export"
        return self.srv.call("GET", q, token=token or self.mgr, headers=headers)

    def test_1_export_holds_the_customer_and_nothing_of_another(self):
        audits = self.srv.count("SELECT count(*) FROM audit WHERE action = 'customer.export'")
        st, doc, _ = self.export(self.a["id"])
        self.assertEqual(st, 200, doc)
        self.assertEqual(doc["customer"]["name"], NAME_A)
        self.assertEqual(doc["customer"]["wechat"], "wx_sima")
        self.assertEqual(sorted(p["phone"] for p in doc["phones"]), [PHONE_A, PHONE_A2])
        self.assertEqual([c["id"] for c in doc["contacts"]], [self.a["contact"]])
        self.assertEqual(doc["contacts"][0]["fivew"], {"who": NAME_A, "what": "车门划痕"})
        self.assertEqual([o["id"] for o in doc["orders"]], [self.a["order"]])
        self.assertTrue(doc["orders"][0]["events"])
        self.assertEqual([c["id"] for c in doc["calls"]], [self.a["call"]])
        self.assertEqual(doc["calls"][0]["survey"], 4)
        self.assertIn(NAME_A, doc["calls"][0]["transcript"][0]["text"])
        self.assertEqual([c["id"] for c in doc["conversations"]], [self.a["conv"]])
        self.assertIn(NAME_A, doc["conversations"][0]["messages"][0]["body"])
        self.assertEqual([m["text"] for m in doc["sms"]], [f"{NAME_A}您好"])
        self.assertEqual([a["filename"] for a in doc["attachments"]], ["车门照片a.png"])
        text = json.dumps(doc, ensure_ascii=False)
        for other in (NAME_B, PHONE_B, "wx_zhuge"):
            self.assertNotIn(other, text)
        # B's order is in no list of the document (ids, not text: "2," is in timestamps).
        self.assertNotIn(self.b["order"], [o["id"] for o in doc["orders"]])
        self.assertEqual(self.srv.count(
            "SELECT count(*) FROM audit WHERE action = 'customer.export'"), audits + 1)
        entry = self.srv.audit(self.mgr, action="customer.export")[0]
        self.assertEqual(entry["detail"]["reason"], "客户本人书面申请查阅")
        # The same document as a file to save.
        st, doc2, h = self.export(self.a["id"], extra="&download=1")
        self.assertEqual(st, 200)
        self.assertIn(f'kefu-customer-{self.a["id"]}.json', h.get("content-disposition", ""))
        self.assertEqual(doc2["orders"], doc["orders"])

    def test_2_refusals(self):
        """403 for an agent (audited); reason and confirmation required, zh-CN errors;
        a refusal writes nothing."""
        denied = self.srv.count("SELECT count(*) FROM audit WHERE action = 'access.denied'")
        self.assertError(self.export(self.a["id"], token=self.agent), 403)
        st, r, _ = self.srv.call("POST", f"/api/customers/{self.a['id']}/erase",
                                 {"reason": "客户申请", "confirm": self.a["id"]}, token=self.agent)
        self.assertEqual(st, 403)
        self.assertEqual(self.srv.count(
            "SELECT count(*) FROM audit WHERE action = 'access.denied'"), denied + 2)
        st, r, _ = self.export(self.a["id"], reason=None, headers={"Accept-Language": "zh-CN"})
        self.assertError((st, r, None), 422, field="reason")
        self.assertIn("原因", r["error"]["message"])
        st, r, _ = self.srv.call("POST", f"/api/customers/{self.a['id']}/erase",
                                 {"reason": "x", "confirm": self.a["id"] + 1}, token=self.mgr,
                                 headers={"Accept-Language": "zh-CN"})
        self.assertEqual(st, 422)
        self.assertEqual(sorted(e["field"] for e in r["error"]["errors"]), ["confirm", "reason"])
        self.assertIn(f"请再次输入客户编号 {self.a['id']}", json.dumps(r, ensure_ascii=False))
        self.assertError(self.export(999999), 404)
        self.assertEqual(db_value(self.srv, f"SELECT name FROM customer WHERE id = {self.a['id']}"),
                         NAME_A)

    def where(self, secret):
        """The tables whose rows hold secret (to say what an erasure missed)."""
        found = []
        with sqlite3.connect(self.srv.db, timeout=10) as db:
            for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                   " AND sql NOT LIKE 'CREATE VIRTUAL%'").fetchall():
                for row in db.execute(f'SELECT * FROM "{t}"'):
                    if any(secret in (v.decode("utf-8", "replace") if isinstance(v, bytes)
                                      else str(v)) for v in row):
                        found.append(t)
                        break
        return found or "no table: free pages or an old page"

    def figures(self):
        st, rep, _ = self.srv.call(
            "GET", f"/api/reports/daily?from={self.a['day']}&to={self.a['day']}", token=self.mgr)
        self.assertEqual(st, 200, rep)
        rep.pop("generated_at")
        self.assertTrue(rep["days"])
        counts = {t: self.srv.count(f"SELECT count(*) FROM {t}") for t in (
            "customer", "contact", "work_order", "wo_event", "call", "conv", "conv_msg",
            "sms_sent", "qa_transcript")}
        survey = db_value(self.srv, "SELECT sum(survey) FROM call")
        return rep, counts, survey

    def test_3_erase(self):
        before = self.figures()
        st, r, _ = self.srv.call("POST", f"/api/customers/{self.a['id']}/erase",
                                 {"reason": "客户本人申请删除个人信息", "confirm": self.a["id"]},
                                 token=self.mgr)
        self.assertEqual(st, 200, self.srv.read_log()[-3000:])
        self.assertEqual(r["erased"]["phones"], 2)
        self.assertEqual(r["erased"]["orders"], 1)
        self.assertEqual(r["erased"]["calls"], 1)
        self.assertEqual(r["erased"]["attachments"], 1)
        self.assertEqual(r["erased"]["files"], 2)  # the recording and the photo
        self.assertEqual(self.figures(), before)
        entry = self.srv.audit(self.mgr, action="customer.erase")[0]
        self.assertEqual(entry["detail"]["phones"], ["139****0001", "139****0002"])
        self.assertEqual(entry["detail"]["reason"], "客户本人申请删除个人信息")
        # Nothing of the customer is left in the files kefu writes.
        time.sleep(0.2)
        for path in (self.srv.db, self.srv.db + "-wal"):
            if os.path.exists(path):
                with open(path, "rb") as f:
                    data = f.read()
                for secret in (PHONE_A, PHONE_A2, NAME_A, "wx_sima"):
                    self.assertFalse(secret.encode() in data,
                                     f"{secret} in {path}: {self.where(secret)}")
                if path == self.srv.db:  # the other customer is untouched
                    self.assertTrue(PHONE_B.encode() in data)
        recs = os.listdir(os.path.join(self.srv.dir, "recordings", "2026", "12"))
        self.assertEqual(recs, ["b-call.wav"])
        # The rows are still there, anonymised; the other customer's are not touched.
        st, doc, _ = self.export(self.a["id"])
        self.assertEqual(doc["customer"]["name"], "（已匿名）")
        self.assertEqual(doc["phones"], [])
        self.assertEqual([o["summary"] for o in doc["orders"]], ["（已匿名）"])
        self.assertIsNone(doc["orders"][0]["phone"])
        self.assertEqual(len(doc["contacts"]), 1)
        self.assertEqual(doc["contacts"][0]["summary"], "（已匿名）")
        self.assertEqual(len(doc["conversations"]), 1)
        self.assertEqual(doc["conversations"][0]["rating"], 5)
        self.assertEqual(db_value(self.srv, f"SELECT anonymised FROM work_order"
                                            f" WHERE id = {self.a['order']}"), 1)
        self.assertEqual(db_value(self.srv, f"SELECT caller FROM call WHERE id = {self.a['call']}"),
                         f"erased-{self.a['id']}")
        st, docb, _ = self.export(self.b["id"])
        self.assertEqual(docb["customer"]["name"], NAME_B)
        self.assertEqual([p["phone"] for p in docb["phones"]], [PHONE_B])
        self.assertIn(NAME_B, docb["calls"][0]["transcript"][0]["text"])
