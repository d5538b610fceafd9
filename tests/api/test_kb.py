"""The knowledge base and scripts (issue 16; WO-10's unified reply wording,
CALL-3's opening and closing scripts): articles written, reviewed and
published, a re-edit that keeps agents on the published version, rejection
with a comment, retiring and restoring, visibility by role and department,
versions and their diff, the category tree, attachments (images and PDF
only), feedback, safe Markdown, bad input, and the audit log."""
import os
from urllib.parse import quote

from apihelp import PDF, all_pages, db_rows, db_value, dept_id, png
from harness import KefuTestCase

LIMIT = 64 * 1024  # attachment_max in these tests




HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


class KbCase(KefuTestCase):
    server_env = {"KEFU_ATTACHMENT_MAX": str(LIMIT)}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        cls.mgr = s.login("8001")
        cls.sup = s.login("8002")      # supervisor + agent: reviews
        cls.agent = s.login("8101")    # 客服中心 agent: a reader
        cls.agent2 = s.login("8102")
        cls.qa = s.login("8301")       # quality inspector: writes, cannot review
        cls.staff = s.login("2002")    # 城市客服部 staff: a reader of another department
        cls.center = dept_id(s, "客服中心")
        cls.city = dept_id(s, "城市客服部")

    # helpers

    def create(self, token=None, **fields):
        body = {"title": "退款到账时间", "body": "微信支付：1-3 个工作日到账。"}
        body.update(fields)
        st, a, _ = self.srv.call("POST", "/api/kb/articles", body, token=token or self.qa)
        self.assertEqual(st, 201, a)
        return a

    def move(self, aid, step, token, comment=None, expect=200):
        body = {} if comment is None else {"comment": comment}
        st, a, _ = self.srv.call("POST", f"/api/kb/articles/{aid}/{step}", body, token=token)
        self.assertEqual(st, expect, a)
        return a

    def publish(self, aid):
        self.move(aid, "submit", self.qa)
        return self.move(aid, "approve", self.sup)

    def get(self, aid, token):
        return self.srv.call("GET", f"/api/kb/articles/{aid}", token=token)

    def listed(self, token, query=""):
        st, page, _ = self.srv.call("GET", "/api/kb/articles?limit=500" + query, token=token)
        self.assertEqual(st, 200, page)
        return {a["id"]: a for a in page["items"]}

    # the workflow

    def test_draft_review_published(self):
        a = self.create(kind="article", tags=["退款", "微信"],
                        applies={"classes": ["B"], "complaints": ["refund_not_arrived"], "channels": ["phone"]})
        aid = a["id"]
        self.assertEqual((a["state"], a["version"], a["published_version"]), ("draft", 1, None))
        self.assertEqual(a["current"]["tags"], ["退款", "微信"])
        self.assertEqual(a["current"]["applies"],
                         {"classes": ["B"], "complaints": ["refund_not_arrived"], "channels": ["phone"]})
        self.assertIsNone(a["published"])
        # A draft is no agent's business: 404, and not in their list.
        self.assertError(self.get(aid, self.agent), 404, "not_found")
        self.assertNotIn(aid, self.listed(self.agent))
        self.assertEqual(self.listed(self.qa, "&state=draft")[aid]["state"], "draft")
        # The quality inspector sends it to review but may not approve it.
        self.assertEqual(self.move(aid, "submit", self.qa)["state"], "review")
        self.assertError(self.srv.call("POST", f"/api/kb/articles/{aid}/approve", {},
                                       token=self.qa), 403)
        self.assertError(self.srv.call("POST", f"/api/kb/articles/{aid}/submit", {},
                                       token=self.qa), 409, field="state")
        a = self.move(aid, "approve", self.sup)
        self.assertEqual((a["state"], a["published_version"]), ("published", 1))
        self.assertEqual([e["action"] for e in a["events"]], ["created", "submitted", "approved"])
        self.assertEqual(a["events"][2]["person"]["name"], "张敏")
        # The agent reads it now, with the HTML rendered, and the desk's lookup is filled.
        st, r, _ = self.get(aid, self.agent)
        self.assertEqual(st, 200, r)
        self.assertEqual(r["current"]["body"], "微信支付：1-3 个工作日到账。")
        self.assertEqual(r["current"]["body_html"], "<p>微信支付：1-3 个工作日到账。</p>\n")
        self.assertEqual(r["events"], [])
        self.assertEqual(self.listed(self.agent)[aid]["title"], "退款到账时间")
        self.assertEqual(sorted((x["kind"], x["code"]) for x in db_rows(
            self.srv, f"SELECT kind, code FROM kb_applies WHERE article_id = {aid}")),
            [("channel", "phone"), ("class", "B"), ("complaint", "refund_not_arrived")])
        self.assertEqual(db_value(self.srv, f"SELECT count(*) FROM kb_fts_content WHERE id = {aid}"), 1)
        # Each view is counted.
        views = db_value(self.srv, f"SELECT views FROM kb_article WHERE id = {aid}")
        self.get(aid, self.agent)
        self.assertEqual(db_value(self.srv, f"SELECT views FROM kb_article WHERE id = {aid}"),
                         views + 1)
        # Audited, each step with its states.
        entries = self.srv.audit(self.mgr, entity="kb_article", entity_id=aid)
        actions = [e["action"] for e in entries]
        for want in ("kb.article.create", "kb.article.submit", "kb.article.approve"):
            self.assertIn(want, actions)
        approve = next(e for e in entries if e["action"] == "kb.article.approve")
        self.assertEqual(approve["detail"]["from"], "review")
        self.assertEqual(approve["detail"]["to"], "published")

    def test_a_re_edit_keeps_agents_on_the_published_version(self):
        aid = self.create(title="开场白", body="您好，很高兴为您服务。")["id"]
        self.publish(aid)
        st, a, _ = self.srv.call("PUT", f"/api/kb/articles/{aid}",
                                 {"title": "开场白（新）", "body": "您好，请问有什么可以帮您？",
                                  "note": "更口语"}, token=self.qa)
        self.assertEqual(st, 200, a)
        self.assertEqual((a["state"], a["version"], a["published_version"]), ("draft", 2, 1))
        self.assertEqual(a["current"]["body"], "您好，请问有什么可以帮您？")
        self.assertEqual(a["current"]["note"], "更口语")
        self.assertEqual(a["published"]["body"], "您好，很高兴为您服务。")
        # The agent still reads version 1, title and all.
        st, r, _ = self.get(aid, self.agent)
        self.assertEqual((r["version"], r["state"], r["current"]["version"]), (1, "published", 1))
        self.assertEqual(r["current"]["body"], "您好，很高兴为您服务。")
        self.assertEqual(r["title"], "开场白")
        self.assertEqual(self.listed(self.agent)[aid]["title"], "开场白")
        self.assertNotIn(aid, self.listed(self.agent, "&q=" + quote("（新）")))
        # A change of the settings alone makes no version.
        st, a, _ = self.srv.call("PUT", f"/api/kb/articles/{aid}", {"review_due": "2099-01-31"},
                                 token=self.qa)
        self.assertEqual((st, a["version"], a["review_due"], a["stale"]), (200, 2, "2099-01-31", False))
        self.publish(aid)
        st, r, _ = self.get(aid, self.agent)
        self.assertEqual((r["current"]["version"], r["title"]), (2, "开场白（新）"))

    def test_reject_needs_a_comment_and_goes_back_to_draft(self):
        aid = self.create(title="退款规则", body="未使用：自助退款。")["id"]
        # The dialog's empty box is no comment: fine to submit, not to reject.
        a = self.move(aid, "submit", self.qa, comment="")
        self.assertIsNone(a["events"][-1]["comment"])
        r = self.srv.call("POST", f"/api/kb/articles/{aid}/reject", {}, token=self.sup)
        self.assertError(r, 422, field="comment")
        r = self.srv.call("POST", f"/api/kb/articles/{aid}/reject", {"comment": "  "}, token=self.sup)
        self.assertError(r, 422, field="comment")
        self.assertEqual(db_value(self.srv, f"SELECT state FROM kb_article WHERE id = {aid}"), "review")
        a = self.move(aid, "reject", self.sup, comment="请补充已使用订单的处理")
        self.assertEqual(a["state"], "draft")
        self.assertEqual(a["events"][-1], {"action": "rejected", "version": 1,
                                           "person": a["events"][-1]["person"],
                                           "at": a["events"][-1]["at"],
                                           "comment": "请补充已使用订单的处理"})
        entry = self.srv.audit(self.mgr, action="kb.article.reject")[0]
        self.assertEqual(entry["detail"]["comment"], "请补充已使用订单的处理")

    def test_retire_and_restore(self):
        aid = self.create(title="旧活动说明", body="活动已结束")["id"]
        self.publish(aid)
        self.assertEqual(self.get(aid, self.agent)[0], 200)
        a = self.move(aid, "retire", self.sup, comment="活动结束")
        self.assertEqual((a["state"], a["published_version"]), ("retired", None))
        self.assertError(self.get(aid, self.agent), 404)
        self.assertEqual(db_value(self.srv, f"SELECT count(*) FROM kb_fts_content WHERE id = {aid}"), 0)
        self.assertEqual(db_value(self.srv, f"SELECT count(*) FROM kb_applies WHERE article_id = {aid}"), 0)
        # Approve straight from retired: no.
        self.assertError(self.srv.call("POST", f"/api/kb/articles/{aid}/approve", {}, token=self.sup),
                         409)
        self.assertEqual(self.move(aid, "restore", self.sup)["state"], "draft")
        self.assertError(self.get(aid, self.agent), 404)
        a = self.publish(aid)
        self.assertEqual(a["published_version"], 1)
        self.assertEqual(self.get(aid, self.agent)[0], 200)

    # visibility

    def test_search_finds_what_is_published_and_only_that(self):
        """The workflow drives the search index: an approved article is found
        by an agent, a re-edit under review leaves the published text in the
        index, and retiring takes it out."""
        def found(q):
            st, res, _ = self.srv.call("GET", "/api/kb/search?q=" + quote(q), token=self.agent)
            self.assertEqual(st, 200, res)
            return [i["id"] for i in res["items"]]
        aid = self.create(title="蓝鲸洗车卡挂失", body="挂失后旧卡立即作废。")["id"]
        self.assertNotIn(aid, found("蓝鲸"))
        self.publish(aid)
        self.assertIn(aid, found("蓝鲸"))
        self.assertIn(aid, found("ljxc"))  # pinyin initials of 蓝鲸洗车
        st, a, _ = self.srv.call("PUT", f"/api/kb/articles/{aid}",
                                 {"title": "海豚洗车卡挂失", "note": "改名"}, token=self.qa)
        self.assertEqual(st, 200, a)
        self.move(aid, "submit", self.qa)
        self.assertIn(aid, found("蓝鲸"))
        self.assertNotIn(aid, found("海豚"))
        self.move(aid, "approve", self.sup)
        self.assertIn(aid, found("海豚"))
        self.assertNotIn(aid, found("蓝鲸"))
        self.move(aid, "retire", self.sup, comment="停售")
        self.assertNotIn(aid, found("海豚"))

    def test_visibility_by_role_and_department(self):
        center_only = self.create(title="中心内部口径", body="仅客服中心", departments=[self.center])["id"]
        staff_only = self.create(title="派单部门须知", body="仅部门员工", roles=["staff"])["id"]
        everyone = self.create(title="公司简介", body="人人可读")["id"]
        for aid in (center_only, staff_only, everyone):
            self.publish(aid)
        # The agent of 客服中心: the center's article, not the staff's.
        self.assertEqual(self.get(center_only, self.agent)[0], 200)
        self.assertError(self.get(staff_only, self.agent), 404)
        # Staff of 城市客服部: the staff's, not the other department's: 404, not 403.
        self.assertError(self.get(center_only, self.staff), 404, "not_found")
        self.assertEqual(self.get(staff_only, self.staff)[0], 200)
        ids = self.listed(self.staff)
        self.assertIn(staff_only, ids)
        self.assertIn(everyone, ids)
        self.assertNotIn(center_only, ids)
        ids = self.listed(self.agent)
        self.assertIn(center_only, ids)
        self.assertNotIn(staff_only, ids)
        # Editors see everything.
        self.assertEqual(self.get(staff_only, self.qa)[0], 200)
        st, a, _ = self.get(center_only, self.mgr)
        self.assertEqual((a["departments"], a["roles"]), ([self.center], []))
        # Staff may not write.
        self.assertError(self.srv.call("POST", "/api/kb/articles", {"title": "x", "body": "y"},
                                       token=self.staff), 403)

    def test_pages_skip_what_a_reader_may_not_see(self):
        made = []
        for i in range(7):
            aid = self.create(title=f"分页{i}", body="x",
                              departments=[self.city] if i % 2 else [])["id"]
            made.append(aid)
            if i != 3:
                self.publish(aid)
        # The agent of 客服中心: the even ones but 分页3 (a draft is nobody's yet).
        items, pages = all_pages(self.srv, "/api/kb/articles?q=" + quote("分页"), self.agent, 2)
        self.assertEqual([a["title"] for a in items], ["分页6", "分页4", "分页2", "分页0"])
        self.assertEqual([len(p) for p in pages], [2, 2])
        items, _ = all_pages(self.srv, "/api/kb/articles?q=" + quote("分页"), self.staff, 3)
        self.assertEqual([a["title"] for a in items], ["分页6", "分页5", "分页4", "分页2", "分页1", "分页0"])
        items, _ = all_pages(self.srv, "/api/kb/articles?q=" + quote("分页"), self.qa, 3)
        self.assertEqual([a["id"] for a in items], made[::-1])

    def test_a_script_is_filled_for_the_reader(self):
        a = self.create(kind="script", slot="opening", title="开场白（话术）",
                        body="您好，{center}{agent_no}号{agent_name}为您服务。")
        self.assertEqual(a["slot"], "opening")
        self.publish(a["id"])
        st, r, _ = self.get(a["id"], self.agent)
        self.assertEqual(r["current"]["body"], "您好，客服中心8101号刘洋为您服务。")
        # The editor sees the stored text with its placeholders.
        st, r, _ = self.get(a["id"], self.qa)
        self.assertEqual(r["current"]["body"], "您好，{center}{agent_no}号{agent_name}为您服务。")
        self.assertIn(a["id"], self.listed(self.agent, "&kind=script&slot=opening"))
        self.assertNotIn(a["id"], self.listed(self.agent, "&kind=article"))

    # versions and the diff

    def test_versions_and_diff(self):
        aid = self.create(title="退款", body="第一行\n第二行\n第三行")["id"]
        self.srv.call("PUT", f"/api/kb/articles/{aid}",
                      {"title": "退款（修订）", "body": "第一行\n第二行（改）\n第三行\n第四行",
                       "note": "改第二行"}, token=self.qa)
        st, v, _ = self.srv.call("GET", f"/api/kb/articles/{aid}/versions", token=self.qa)
        self.assertEqual(st, 200, v)
        self.assertEqual([(x["version"], x["title"], x["note"]) for x in v["items"]],
                         [(2, "退款（修订）", "改第二行"), (1, "退款", None)])
        self.assertEqual(v["items"][0]["author"]["name"], "钱雯")
        st, d, _ = self.srv.call("GET", f"/api/kb/articles/{aid}/diff?from=1&to=2", token=self.qa)
        self.assertEqual(st, 200, d)
        self.assertEqual(d["title"], {"from": "退款", "to": "退款（修订）"})
        self.assertEqual([(l["op"], l["text"]) for l in d["lines"]],
                         [(" ", "第一行"), ("-", "第二行"), ("+", "第二行（改）"), (" ", "第三行"),
                          ("+", "第四行")])
        self.assertError(self.srv.call("GET", f"/api/kb/articles/{aid}/diff?from=1&to=9",
                                       token=self.qa), 400)
        # Agents see no history.
        self.assertError(self.srv.call("GET", f"/api/kb/articles/{aid}/versions", token=self.agent), 403)

    # categories

    def test_category_tree_and_delete_only_when_empty(self):
        st, top, _ = self.srv.call("POST", "/api/kb/categories", {"name": "退款"}, token=self.sup)
        self.assertEqual(st, 201, top)
        st, sub, _ = self.srv.call("POST", "/api/kb/categories",
                                   {"name": "微信支付", "parent_id": top["id"], "position": 2},
                                   token=self.sup)
        self.assertEqual((st, sub["parent_id"], sub["position"]), (201, top["id"], 2))
        self.assertError(self.srv.call("POST", "/api/kb/categories",
                                       {"name": "微信支付", "parent_id": top["id"]}, token=self.sup),
                         409, field="name")
        # No loops: the top under its own child.
        self.assertError(self.srv.call("PUT", f"/api/kb/categories/{top['id']}",
                                       {"parent_id": sub["id"]}, token=self.sup), 422, field="parent_id")
        aid = self.create(title="微信退款", body="1-3 个工作日", category_id=sub["id"])["id"]
        st, cats, _ = self.srv.call("GET", "/api/kb/categories", token=self.agent)
        byid = {c["id"]: c for c in cats["items"]}
        self.assertEqual((byid[sub["id"]]["articles"], byid[top["id"]]["articles"]), (1, 0))
        self.assertIn(aid, self.listed(self.qa, f"&category={sub['id']}"))
        # Not empty: neither goes.
        self.assertError(self.srv.call("DELETE", f"/api/kb/categories/{top['id']}", token=self.sup), 409)
        self.assertError(self.srv.call("DELETE", f"/api/kb/categories/{sub['id']}", token=self.sup), 409)
        self.srv.call("PUT", f"/api/kb/articles/{aid}", {"category_id": None}, token=self.qa)
        self.assertEqual(self.srv.call("DELETE", f"/api/kb/categories/{sub['id']}", token=self.sup)[0], 204)
        self.assertEqual(self.srv.call("DELETE", f"/api/kb/categories/{top['id']}", token=self.sup)[0], 204)
        # The quality inspector edits articles but not the tree.
        self.assertError(self.srv.call("POST", "/api/kb/categories", {"name": "x"}, token=self.qa), 403)
        self.assertEqual(len(self.srv.audit(self.mgr, action="kb.category.delete")), 2)

    # attachments

    def upload(self, aid, data, name, token=None):
        return self.srv.call("POST", f"/api/kb/articles/{aid}/attachments", data, headers={
            "Authorization": "Bearer " + (token or self.qa), "Content-Type": "application/octet-stream",
            "X-Filename": quote(name)})

    def files(self):
        out = []
        for d, _, names in os.walk(os.path.join(self.srv.dir, "attachments")):
            out += [n for n in names if not n.startswith(".")]
        return sorted(out)

    def test_attachments_images_and_pdf_only(self):
        aid = self.create(title="退款流程图", body="见附件", departments=[self.center])["id"]
        image = png()
        st, a, _ = self.upload(aid, image, "流程图.png")
        self.assertEqual(st, 201, a)
        self.assertEqual((a["mime"], a["size"], a["filename"]), ("image/png", len(image), "流程图.png"))
        st, p, _ = self.upload(aid, PDF, "退款说明.pdf")
        self.assertEqual((st, p["mime"]), (201, "application/pdf"))
        before = (db_value(self.srv, "SELECT count(*) FROM kb_attachment"), self.files())
        # HTML renamed .png, and a file over the limit: refused, nothing written.
        self.assertError(self.upload(aid, HTML, "x.png"), 422, field="file")
        big = PDF + b"0" * LIMIT
        st, _, _ = self.upload(aid, big, "big.pdf")
        self.assertEqual(st, 413)
        self.assertEqual((db_value(self.srv, "SELECT count(*) FROM kb_attachment"), self.files()), before)
        # Agents may not attach.
        self.assertError(self.upload(aid, image, "a.png", token=self.agent), 403)
        self.publish(aid)
        st, r, _ = self.get(aid, self.agent)
        self.assertEqual([x["filename"] for x in r["attachments"]], ["流程图.png", "退款说明.pdf"])
        st, h, body = self.srv.raw("GET", f"/api/kb/attachments/{a['id']}",
                                   headers={"Authorization": "Bearer " + self.agent})
        self.assertEqual((st, h["content-type"], body), (200, "image/png", image))
        self.assertTrue(h["content-disposition"].startswith("inline"))
        st, h, _ = self.srv.raw("GET", f"/api/kb/attachments/{p['id']}",
                                headers={"Authorization": "Bearer " + self.agent})
        self.assertTrue(h["content-disposition"].startswith("attachment"))
        # Another department's staff: as if there were none.
        self.assertError(self.srv.call("GET", f"/api/kb/attachments/{a['id']}", token=self.staff), 404)
        self.assertError(self.srv.call("DELETE", f"/api/kb/attachments/{a['id']}", token=self.agent), 403)
        self.assertEqual(self.srv.call("DELETE", f"/api/kb/attachments/{a['id']}", token=self.qa)[0], 204)
        self.assertEqual(len(self.files()), len(before[1]) - 1)
        self.assertEqual(self.srv.audit(self.mgr, action="kb.attachment.add")[0]["detail"]["filename"],
                         "退款说明.pdf")

    # feedback

    def test_feedback_counts(self):
        aid = self.create(title="充值未到账", body="请核对订单号")["id"]
        self.assertError(self.srv.call("POST", f"/api/kb/articles/{aid}/feedback", {"helpful": True},
                                       token=self.qa), 409)
        self.publish(aid)
        st, f, _ = self.srv.call("POST", f"/api/kb/articles/{aid}/feedback", {"helpful": True},
                                 token=self.agent)
        self.assertEqual((st, f), (200, {"helpful": 1, "unhelpful": 0, "my_feedback": True}))
        # A second vote replaces the first.
        st, f, _ = self.srv.call("POST", f"/api/kb/articles/{aid}/feedback",
                                 {"helpful": False, "comment": "缺少支付宝"}, token=self.agent)
        self.assertEqual(f, {"helpful": 0, "unhelpful": 1, "my_feedback": False})
        st, f, _ = self.srv.call("POST", f"/api/kb/articles/{aid}/feedback", {"helpful": True},
                                 token=self.agent2)
        self.assertEqual(f, {"helpful": 1, "unhelpful": 1, "my_feedback": True})
        st, r, _ = self.get(aid, self.agent)
        self.assertEqual((r["helpful"], r["unhelpful"], r["my_feedback"]), (1, 1, False))
        st, r, _ = self.get(aid, self.sup)
        self.assertIsNone(r["my_feedback"])
        self.assertEqual(db_value(self.srv, f"SELECT comment FROM kb_feedback WHERE article_id = {aid}"
                                            " AND helpful = 0"), "缺少支付宝")
        self.assertError(self.srv.call("POST", f"/api/kb/articles/{aid}/feedback", {}, token=self.agent),
                         400, field="helpful")

    # safe Markdown and bad input

    def test_markdown_is_sanitised(self):
        body = ("# 标题\n\n<script>alert('x')</script>\n\n[点我](javascript:alert(1)) "
                "<img src=x onerror=alert(2)> **粗体**")
        a = self.create(title="不安全的正文", body=body)
        html = a["current"]["body_html"]
        self.assertIn("<h1>标题</h1>", html)
        self.assertIn("<strong>粗体</strong>", html)
        self.assertIn('<a href="">点我</a>', html)
        for bad in ("<script", "javascript:", "onerror", "<img"):
            self.assertNotIn(bad, html)
        self.assertEqual(a["current"]["body"], body)

    def test_bad_input_is_a_clear_error_and_writes_nothing(self):
        n = db_value(self.srv, "SELECT count(*) FROM kb_article")
        audits = db_value(self.srv, "SELECT count(*) FROM audit")
        self.assertError(self.srv.call("POST", "/api/kb/articles", {"body": "x"}, token=self.qa),
                         400, field="title")
        self.assertError(self.srv.call("POST", "/api/kb/articles", {"title": "x", "body": "y", "colour": 1},
                                       token=self.qa), 400, field="colour")
        self.assertError(self.srv.call("POST", "/api/kb/articles", {"title": "x", "body": "y", "tags": "a"},
                                       token=self.qa), 400, field="tags")
        st, e, _ = self.srv.call("POST", "/api/kb/articles", {
            "title": "", "body": "y", "kind": "memo", "applies": {"classes": ["Z9"]},
            "roles": ["boss"], "departments": [999999], "review_due": "2026-02-30",
            "category_id": 999999, "owner_id": 999999}, token=self.qa)
        self.assertEqual(st, 422, e)
        fields = {x["field"] for x in e["error"]["errors"]}
        self.assertEqual(fields, {"title", "kind", "applies", "roles", "departments", "review_due",
                                  "category_id", "owner_id"})
        self.assertIn("Z9", next(x["message"] for x in e["error"]["errors"] if x["field"] == "applies"))
        self.assertError(self.srv.call("POST", "/api/kb/articles",
                                       {"title": "x", "body": "y", "kind": "script"}, token=self.qa),
                         422, field="slot")
        self.assertError(self.srv.call("POST", "/api/kb/articles",
                                       {"title": "x", "body": "y", "slot": "opening"}, token=self.qa),
                         422, field="slot")
        self.assertError(self.srv.call("POST", "/api/kb/articles",
                                       {"title": "x", "body": "y",
                                        "applies": {"complaints": ["no_such_type"]}}, token=self.qa),
                         422, field="applies")
        # In Chinese by default.
        st, e, _ = self.srv.call("POST", "/api/kb/articles", {"title": "x", "body": "y", "kind": "memo"},
                                 token=self.qa, headers={"Accept-Language": None})
        self.assertEqual(e["error"]["message"], "类型：应为 article（知识）或 script（话术）")
        self.assertEqual(db_value(self.srv, "SELECT count(*) FROM kb_article"), n)
        self.assertEqual(db_value(self.srv, "SELECT count(*) FROM audit"), audits)
        self.assertError(self.get(999999, self.qa), 404)
        self.assertError(self.srv.call("GET", "/api/kb/articles?state=gone", token=self.qa), 400)

    # who may do what (docs/api.md's permission table)

    def test_permissions_by_role(self):
        accounts = {"admin": "admin", "manager": "8001", "supervisor+agent": "8002",
                    "agent": "8101", "staff": "2002", "hr+staff": "7002", "office": "1001",
                    "qa": "8301"}
        editors = {"manager", "supervisor+agent", "qa"}
        reviewers = {"manager", "supervisor+agent"}
        tokens = {role: self.srv.login(w) for role, w in accounts.items()}
        for role, token in tokens.items():
            with self.subTest(role=role):
                denied = self.srv.count("SELECT count(*) FROM audit WHERE action = 'access.denied'")
                st, a, _ = self.srv.call("POST", "/api/kb/articles",
                                         {"title": f"权限{role}", "body": "x"}, token=token)
                self.assertEqual(st, 201 if role in editors else 403, a)
                aid = a["id"] if st == 201 else self.create()["id"]
                self.move(aid, "submit", self.qa)
                st, _, _ = self.srv.call("POST", f"/api/kb/articles/{aid}/approve", {}, token=token)
                self.assertEqual(st, 200 if role in reviewers else 403)
                st, _, _ = self.srv.call("POST", "/api/kb/categories", {"name": f"权限{role}"},
                                         token=token)
                self.assertEqual(st, 201 if role in reviewers else 403)
                st, _, _ = self.srv.call("GET", "/api/kb/articles", token=token)
                self.assertEqual(st, 200)
                refusals = (role not in editors) + 2 * (role not in reviewers)
                self.assertEqual(self.srv.count(
                    "SELECT count(*) FROM audit WHERE action = 'access.denied'"), denied + refusals)
        self.assertError(self.srv.call("GET", "/api/kb/articles"), 401)
        self.assertError(self.srv.call("GET", "/api/kb/categories"), 401)
