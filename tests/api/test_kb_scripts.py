"""The knowledge base's scripts, cases, import and export (issue 16).

WO-10, CALL-3, CALL-9, CB-2, CUST-5: the scripts transcribed from the
rulebooks are there after init, each with its seed and section. WO-9: the
report back takes a cause; archived orders with a cause and a solution are
proposed as draft articles. Markdown import and export round-trip; the .xlsx
export holds the published articles.
"""
import io
import re
import zipfile
from urllib.parse import quote

from apihelp import db_rows, db_value
from harness import KefuTestCase

PHONE = "13800138000"


class KbScriptsCase(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        cls.agent = s.login("8101")
        cls.agent2 = s.login("8102")
        cls.mgr = s.login("8001")

    def archived_order(self, summary, cause, solution, effect=None, complaint="pay_failed"):
        """An A1 order the agent owns (the center handles it), reported with a cause
        and called back by another agent: archived (CB-1)."""
        s = self.srv
        st, o, _ = s.call("POST", "/api/orders", {"complaint": complaint, "summary": summary,
                                                  "phone": PHONE}, token=self.agent)
        self.assertEqual(st, 201, o)
        body = {"solution": solution, "cause": cause}
        if effect:
            body["effect"] = effect
        st, o, _ = s.call("POST", f"/api/orders/{o['id']}/report", body, token=self.agent)
        self.assertEqual(st, 200, o)
        st, o, _ = s.call("POST", f"/api/orders/{o['id']}/callback", {"outcome": "accepted"},
                          token=self.agent2)
        self.assertEqual(st, 200, o)
        self.assertEqual(o["state"], "archived")
        return o

    def test_scripts_are_seeded_from_the_rulebooks(self):
        """CALL-3, WO-10: after init the opening script is published with its source and
        placeholders; every complaint type of the catalogue has a published script."""
        self.assertEqual(self.srv.count(
            "SELECT count(*) FROM kb_article WHERE kind = 'script' AND slot = 'opening'"
            " AND state = 'published' AND published_version = 1"
            " AND source LIKE '000 %服务规范标准用语%开头语/结束语%'"), 1)
        body = db_value(self.srv,
                        "SELECT v.body FROM kb_version v JOIN kb_article a ON a.id = v.article_id"
                        " WHERE a.slot = 'opening'")
        self.assertIn("您好！{center}客户服务中心，工号{agent_no}为您服务", body)
        self.assertEqual(self.srv.count(
            "SELECT count(*) FROM wo_complaint c WHERE active = 1 AND NOT EXISTS"
            " (SELECT 1 FROM kb_applies p JOIN kb_article a ON a.id = p.article_id"
            "  WHERE p.kind = 'complaint' AND p.code = c.code AND a.slot = 'complaint')"), 0)
        # WO-10: the refund timings per payment method.
        body = db_value(self.srv,
                        "SELECT v.body FROM kb_version v JOIN kb_applies p"
                        " ON p.article_id = v.article_id"
                        " WHERE p.kind = 'complaint' AND p.code = 'refund_not_arrived'")
        for t in ("立即到账", "1-2个工作日", "2-7个工作日"):
            self.assertIn(t, body)
        # CB-2, CALL-9, CUST-5, the forbidden phrases.
        for slot in ("closing", "callback", "outbound", "addressing", "forbidden"):
            self.assertEqual(self.srv.count(
                f"SELECT count(*) FROM kb_article WHERE slot = '{slot}' AND source <> ''"), 1, slot)
        # Loaded once: a restart adds nothing.
        n = self.srv.count("SELECT count(*) FROM kb_article WHERE kind = 'script'")
        self.srv.restart()
        self.__class__.mgr = self.srv.login("8001")
        self.__class__.agent = self.srv.login("8101")
        self.__class__.agent2 = self.srv.login("8102")
        self.assertEqual(self.srv.count("SELECT count(*) FROM kb_article WHERE kind = 'script'"), n)

    def test_cause_in_the_report_back(self):
        """WO-9: the cause round-trips with the report and is refused when too long."""
        s = self.srv
        st, o, _ = s.call("POST", "/api/orders", {"complaint": "pay_failed", "summary": "无法支付",
                                                  "phone": PHONE}, token=self.agent)
        self.assertEqual(st, 201, o)
        self.assertError(s.call("POST", f"/api/orders/{o['id']}/report",
                                {"solution": "更换支付方式", "cause": "原" * 2001},
                                token=self.agent), 422, field="cause")
        st, zh, _ = s.call("POST", f"/api/orders/{o['id']}/report",
                           {"solution": "更换支付方式", "cause": "原" * 2001},
                           token=self.agent, headers={"Accept-Language": "zh-CN"})
        self.assertEqual(st, 422)
        self.assertIn("问题原因", zh["error"]["message"])
        st, o, _ = s.call("POST", f"/api/orders/{o['id']}/report",
                          {"solution": "建议更换支付方式", "cause": "银行卡单日限额已满"},
                          token=self.agent)
        self.assertEqual(st, 200, o)
        self.assertEqual(o["report"]["cause"], "银行卡单日限额已满")
        st, o, _ = s.call("GET", f"/api/orders/{o['id']}", token=self.mgr)
        self.assertEqual(o["report"]["cause"], "银行卡单日限额已满")
        # Searchable like the rest of the report.
        st, l, _ = s.call("GET", "/api/orders?q=" + quote("限额"), token=self.mgr)
        self.assertIn(o["id"], [x["id"] for x in l["items"]])

    def test_archived_cases_become_drafts(self):
        """WO-9: archived orders with cause and solution are listed until proposed; the
        draft carries the order's content, class and complaint type."""
        s = self.srv
        a = self.archived_order("客户支付时提示失败", "支付网关升级导致短时失败",
                                "指导客户稍后重试并更换支付方式", "客户支付成功")
        b = self.archived_order("退款未到账", "银行处理周期", "告知银行卡2-7个工作日到账",
                                complaint="refund_not_arrived")
        # Reported without a cause: never a case.
        c = self.archived_order("无法支付", "", "更换支付方式")
        st, l, _ = s.call("GET", "/api/kb/cases?limit=500", token=self.mgr)
        self.assertEqual(st, 200, l)
        ids = [x["order_id"] for x in l["items"]]
        self.assertIn(a["id"], ids)
        self.assertIn(b["id"], ids)
        self.assertNotIn(c["id"], ids)
        self.assertLess(ids.index(b["id"]), ids.index(a["id"]))  # newest first
        item = next(x for x in l["items"] if x["order_id"] == a["id"])
        self.assertEqual(item["cause"], "支付网关升级导致短时失败")
        self.assertEqual(item["complaint_name"], "无法支付")
        # Paged by cursor.
        st, p1, _ = s.call("GET", "/api/kb/cases?limit=1", token=self.mgr)
        self.assertEqual(len(p1["items"]), 1)
        self.assertIsNotNone(p1["next_cursor"])
        st, p2, _ = s.call("GET", f"/api/kb/cases?limit=1&cursor={p1['next_cursor']}",
                           token=self.mgr)
        self.assertLess(p2["items"][0]["order_id"], p1["items"][0]["order_id"])
        # Agents have no kb.edit.
        self.assertError(s.call("GET", "/api/kb/cases", token=self.agent), 403)

        st, d, _ = s.call("POST", f"/api/kb/cases/{a['id']}/draft", token=self.mgr)
        self.assertEqual(st, 201, d)
        self.assertEqual(d["state"], "draft")
        self.assertEqual(d["kind"], "article")
        self.assertEqual(d["source_order_id"], a["id"])
        self.assertEqual(d["title"], "无法支付：客户支付时提示失败")
        body = d["current"]["body"]
        self.assertRegex(body, r"## 原因\s+支付网关升级导致短时失败")
        self.assertRegex(body, r"## 处理方法\s+指导客户稍后重试并更换支付方式")
        self.assertRegex(body, r"## 效果\s+客户支付成功")
        self.assertIn(a["number"], body)
        self.assertEqual(d["current"]["applies"]["classes"], ["A1"])
        self.assertEqual(d["current"]["applies"]["complaints"], ["pay_failed"])
        self.assertEqual(self.srv.count(
            f"SELECT count(*) FROM kb_article WHERE id = {d['id']} AND state = 'draft'"
            f" AND source_order_id = {a['id']} AND published_version IS NULL"), 1)
        # Proposed once; no longer listed.
        self.assertError(s.call("POST", f"/api/kb/cases/{a['id']}/draft", token=self.mgr), 409)
        st, l, _ = s.call("GET", "/api/kb/cases?limit=500", token=self.mgr)
        self.assertNotIn(a["id"], [x["order_id"] for x in l["items"]])
        self.assertError(s.call("POST", f"/api/kb/cases/{c['id']}/draft", token=self.mgr), 422)
        self.assertError(s.call("POST", "/api/kb/cases/999999/draft", token=self.mgr), 404)
        self.assertEqual(len(s.audit(self.mgr, action="kb.case.draft")), 1)

    def upload(self, data, token=None, name="文章.md"):
        return self.srv.call("POST", "/api/kb/import", data.encode() if isinstance(data, str) else data,
                             token=token or self.mgr,
                             headers={"Content-Type": "text/markdown", "X-Filename": quote(name)})

    def test_who_may_import(self):
        """Import takes kb.edit: a quality inspector (who cannot attach files
        to orders) imports a draft; an agent may not."""
        qa = self.srv.login("8301")
        st, d, _ = self.upload("# 质检员导入的文章\n\n正文", token=qa)
        self.assertEqual(st, 201, d)
        self.assertEqual((d["title"], d["state"]), ("质检员导入的文章", "draft"))
        self.assertError(self.upload("# 坐席不能导入\n\n正文", token=self.agent), 403)
        self.assertEqual(db_value(self.srv, "SELECT count(*) FROM kb_article"
                                            " WHERE title = '坐席不能导入'"), 0)

    def test_markdown_import_and_export_round_trip(self):
        md = ("---\n"
              "title: 退款到账时间说明\n"
              "kind: script\n"
              "slot: complaint\n"
              "tags: [退款, 到账]\n"
              "complaints: refund_not_arrived\n"
              "classes: A1\n"
              "---\n\n"
              "## 到账时间\n\n- 支付宝、微信：1-2个工作日\n- 银行卡：2-7个工作日\n")
        st, d, _ = self.upload(md)
        self.assertEqual(st, 201, d)
        self.assertEqual((d["kind"], d["slot"], d["title"], d["state"]),
                         ("script", "complaint", "退款到账时间说明", "draft"))
        self.assertEqual(d["current"]["tags"], ["退款", "到账"])
        self.assertEqual(d["current"]["applies"]["complaints"], ["refund_not_arrived"])
        self.assertTrue(d["current"]["body"].startswith("## 到账时间"))
        self.assertIsNone(d["source"])

        st, h, raw = self.srv.raw("GET", f"/api/kb/articles/{d['id']}/export.md",
                                  headers={"Authorization": "Bearer " + self.mgr})
        self.assertEqual(st, 200)
        self.assertTrue(h["content-type"].startswith("text/markdown"))
        self.assertIn("attachment", h["content-disposition"])
        text = raw.decode()
        self.assertIn("title: 退款到账时间说明\n", text)
        self.assertIn("tags: 退款, 到账\n", text)
        # Re-imported, the same fields.
        st, d2, _ = self.upload(text)
        self.assertEqual(st, 201, d2)
        for k in ("kind", "slot", "title"):
            self.assertEqual(d2[k], d[k])
        self.assertEqual(d2["current"]["tags"], d["current"]["tags"])
        self.assertEqual(d2["current"]["applies"], d["current"]["applies"])
        self.assertEqual(d2["current"]["body"], d["current"]["body"])

        # Without front matter the first heading is the title.
        st, d3, _ = self.upload("# 洗车后划痕的处理\n\n先拍照留证。\n")
        self.assertEqual(st, 201, d3)
        self.assertEqual((d3["title"], d3["kind"]), ("洗车后划痕的处理", "article"))

        # What is refused names the field.
        self.assertError(self.upload("---\ntitle: x\ncolour: red\n---\nb"), 422, field="front_matter")
        self.assertError(self.upload("---\ntitle: x\nslot: lunch\n---\nb"), 422, field="slot")
        self.assertError(self.upload("---\ntitle: x\ncategory: 不存在\n---\nb"), 422, field="category")
        self.assertError(self.upload("---\ntitle: x\ncomplaints: nope\n---\nb"), 422, field="complaints")
        self.assertError(self.upload(b"PK\x03\x04rest of a zip", name="a.xlsx"), 422, field="file")
        self.assertError(self.upload(b"\xff\xfe bad", name="a.md"), 422, field="file")
        # Agents may not import (no kb.edit), nor export.
        self.assertError(self.upload("# x\n", token=self.agent), 403)
        self.assertError(self.srv.call("GET", f"/api/kb/articles/{d['id']}/export.md",
                                       token=self.agent), 403)
        self.assertError(self.srv.call("GET", "/api/kb/articles/999999/export.md",
                                       token=self.mgr), 404)

    def test_xlsx_export_holds_the_published_articles(self):
        st, h, raw = self.srv.raw("GET", "/api/kb/export.xlsx",
                                  headers={"Authorization": "Bearer " + self.mgr})
        self.assertEqual(st, 200)
        self.assertIn("kb-articles.xlsx", h["content-disposition"])
        z = zipfile.ZipFile(io.BytesIO(raw))
        shared = z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in z.namelist() else ""
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        texts = set(re.findall(r"<t[^>]*>([^<]*)</t>", shared + sheet))
        titles = [r["title"] for r in db_rows(
            self.srv, "SELECT title FROM kb_article WHERE published_version IS NOT NULL"
            " AND state <> 'retired'")]
        n = self.srv.count("SELECT count(*) FROM kb_article WHERE published_version IS NOT NULL"
                           " AND state <> 'retired'")
        self.assertGreaterEqual(n, 20)
        for t in ("开头语", "服务禁语", "退款不成功", "洗车过程中车辆损伤", "标题", "正文"):
            self.assertIn(t, texts)
        for t in titles:
            self.assertIn(t, texts)
        # Drafts are not exported.
        st, d, _ = self.upload("# 草稿不导出的标题\n\n正文")
        st, h, raw = self.srv.raw("GET", "/api/kb/export.xlsx",
                                  headers={"Authorization": "Bearer " + self.mgr})
        z = zipfile.ZipFile(io.BytesIO(raw))
        self.assertNotIn("草稿不导出的标题", z.read("xl/sharedStrings.xml").decode())

    def test_xlsx_import_takes_the_exported_workbook(self):
        """The export's workbook imported again: one draft per published article,
        with its kind, slot, title, tags and body; all or nothing."""
        st, h, raw = self.srv.raw("GET", "/api/kb/export.xlsx",
                                  headers={"Authorization": "Bearer " + self.mgr})
        self.assertEqual(st, 200)
        rows = db_rows(self.srv,
                       "SELECT a.kind, a.slot, v.title, v.body FROM kb_article a JOIN kb_version v"
                       " ON v.article_id = a.id AND v.version = a.published_version"
                       " WHERE a.state <> 'retired' ORDER BY a.id")
        before = self.srv.count("SELECT count(*) FROM kb_article WHERE state = 'draft'")
        st, r, _ = self.upload(raw, name="知识库.xlsx")
        self.assertEqual(st, 201, r)
        self.assertEqual(len(r["items"]), len(rows))
        for got, want in zip(r["items"], rows):
            self.assertEqual((got["kind"], got["slot"], got["title"], got["state"]),
                             (want["kind"], want["slot"], want["title"], "draft"))
            self.assertEqual(got["current"]["body"], want["body"])
        self.assertEqual(self.srv.count("SELECT count(*) FROM kb_article WHERE state = 'draft'"),
                         before + len(rows))
        # A broken workbook writes nothing.
        self.assertError(self.upload(raw[: len(raw) // 2], name="坏.xlsx"), 422, field="file")
        self.assertEqual(self.srv.count("SELECT count(*) FROM kb_article WHERE state = 'draft'"),
                         before + len(rows))
