"""The knowledge base's search against a real server (issue 16): one- and
two-character Chinese words, pinyin initials (tk → 退款), the center's
synonyms, highlights, visibility by department, drafts never found, the
report of searches that found nothing (WO-9), uses, and the desk's
suggestions for a complaint type with the caller's work number filled in
(CALL-3, WO-10).

The articles are written straight into the database (the editing API is
kb-core's), then the server restarts: it indexes every published article
when its index is empty (kb_search_reindex_all), as after an upgrade."""
import json
import subprocess
import unittest
import urllib.parse

from apihelp import db_rows, db_value, dept_id
from harness import KefuTestCase

CENTER = "测试客服中心"


def sql_text(s):
    return "'" + s.replace("'", "''") + "'"


class KbSearch(KefuTestCase):
    server_env = {"KEFU_CENTER_NAME": CENTER}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        tech = dept_id(srv, "技术部")
        cls.ids = {}
        rows = [
            # key, kind, slot, state, published, title, body, tags, applies, departments
            ("refund", "article", None, "published", True, "退款申请流程",
             "用户在App内申请**退款**，款项三个工作日内原路退回。<script>alert(1)</script>",
             ["退款", "售后"], {}, []),
            ("clean", "article", None, "published", True, "车辆清洁标准",
             "洗车完成后检查车内是否干净。", ["清洁"], {}, [tech]),
            ("draft", "article", None, "draft", False, "退款草稿",
             "尚未发布的机密说明", [], {}, []),
            ("opening", "script", "opening", "published", True, "开场白",
             "您好，{center}，{agent_no}号客服{agent_name}为您服务。", [], {}, []),
            ("closing", "script", "closing", "published", True, "结束语",
             "感谢您的来电，{agent_no}号祝您生活愉快。", [], {}, []),
            ("crash", "script", "complaint", "published", True, "软件闪退应答",
             "您遇到的问题我们已经记录，我是{agent_no}号，会尽快电话通知您。", [],
             {"complaints": ["tech_app_crash"], "classes": ["A1"]}, []),
            ("pay", "script", "complaint", "published", True, "无法支付应答",
             "请问您使用什么支付方式呢？", [], {"complaints": ["pay_failed"], "classes": ["A1"]}, []),
            ("a1_any", "script", "other", "published", True, "用户投诉安抚",
             "非常理解您的心情。", [], {"classes": ["A1"]}, []),
            ("crash_howto", "article", None, "published", True, "闪退排查步骤",
             "请客户先升级App再重启手机。", [], {"complaints": ["tech_app_crash"], "classes": ["A1"]},
             []),
        ]
        # The scripts kefu seeds at init are cleared so the search sees only
        # these rows; at the restart the index no longer matches the
        # articles and is rebuilt, and nothing is seeded again (the
        # knowledge base holds scripts).
        sql = ["DELETE FROM kb_applies; DELETE FROM kb_event;"
               " DELETE FROM kb_version; DELETE FROM kb_article;"]
        for i, (key, kind, slot, state, published, title, body, tags, applies,
                depts) in enumerate(rows, start=1):
            cls.ids[key] = i
            sql.append(
                "INSERT INTO kb_article(id, kind, slot, title, state, version,"
                " published_version, departments, created_at, updated_at) VALUES"
                f" ({i}, '{kind}', {sql_text(slot) if slot else 'NULL'}, {sql_text(title)},"
                f" '{state}', 1, {1 if published else 'NULL'}, {sql_text(json.dumps(depts))},"
                " 0, 0);")
            sql.append(
                "INSERT INTO kb_version(article_id, version, title, body, tags, applies,"
                f" created_at) VALUES ({i}, 1, {sql_text(title)}, {sql_text(body)},"
                f" {sql_text(json.dumps(tags, ensure_ascii=False))},"
                f" {sql_text(json.dumps(applies, ensure_ascii=False))}, 0);")
            if published:
                for k, plural in (("class", "classes"), ("complaint", "complaints"),
                                  ("channel", "channels")):
                    for code in applies.get(plural, []):
                        sql.append("INSERT INTO kb_applies(article_id, kind, code) VALUES"
                                   f" ({i}, '{k}', {sql_text(code)});")
        subprocess.run(["sqlite3", srv.db], input="BEGIN;" + "".join(sql) + "COMMIT;",
                       text=True, check=True)
        srv.restart()
        srv.wait_log(r"indexed 8 knowledge base articles")
        cls.agent = srv.login("8101")      # 客服中心
        cls.tech = srv.login("6001")       # 技术部
        cls.manager = srv.login("8001")

    def search(self, q, token=None, status=200, **params):
        params["q"] = q
        st, body, _ = self.srv.call("GET", "/api/kb/search?" + urllib.parse.urlencode(params),
                                    token=token or self.agent)
        self.assertEqual(st, status, body)
        return body

    def ids_of(self, body):
        return [it["id"] for it in body["items"]]

    def test_one_and_two_character_words(self):
        body = self.search("款")
        self.assertEqual(self.ids_of(body), [self.ids["refund"]])
        self.assertEqual(body["total"], 1)
        hit = body["items"][0]
        self.assertEqual(hit["title"], "退款申请流程")
        self.assertEqual(hit["title_hl"], "退<mark>款</mark>申请流程")
        self.assertEqual(hit["kind"], "article")
        self.assertIsNone(hit["slot"])
        body = self.search("退款")
        self.assertEqual(self.ids_of(body), [self.ids["refund"]])
        hit = body["items"][0]
        self.assertEqual(hit["title_hl"], "<mark>退款</mark>申请流程")
        # The body's text, Markdown gone, the tag it held escaped (never raw HTML).
        self.assertIn("申请<mark>退款</mark>", hit["snippet_hl"])
        self.assertNotIn("<script>", hit["snippet_hl"])
        self.assertNotIn("**", hit["snippet_hl"])
        # Mixed Chinese and Latin: both must match.
        self.assertEqual(self.ids_of(self.search("app退款")), [self.ids["refund"]])
        self.assertEqual(self.ids_of(self.search("iphone退款")), [])

    def test_pinyin_initials(self):
        body = self.search("tk")
        self.assertEqual(self.ids_of(body), [self.ids["refund"]])
        self.assertEqual(body["items"][0]["title_hl"], "<mark>退款</mark>申请流程")
        # Anywhere in the title: 申请 is sq; and a tag's: 售后 is sh.
        self.assertEqual(self.ids_of(self.search("sq")), [self.ids["refund"]])
        self.assertEqual(self.ids_of(self.search("SH")), [self.ids["refund"]])
        # 闪退 is st: the script and the article titled with it.
        self.assertEqual(sorted(self.ids_of(self.search("st"))),
                         [self.ids["crash"], self.ids["crash_howto"]])

    def test_synonyms(self):
        self.assertEqual(self.search("退钱")["items"], [])
        groups = {"groups": [["退款", "退钱", "返款"], ["App", "客户端"]]}
        st, body, _ = self.srv.call("PUT", "/api/kb/synonyms", groups, token=self.agent)
        self.assertEqual(st, 403, body)
        st, body, _ = self.srv.call("PUT", "/api/kb/synonyms", groups, token=self.manager)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["groups"], [["退款", "退钱", "返款"], ["app", "客户端"]])
        st, body, _ = self.srv.call("GET", "/api/kb/synonyms", token=self.agent)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["groups"], [["退款", "退钱", "返款"], ["app", "客户端"]])
        body = self.search("退钱")
        self.assertEqual(self.ids_of(body), [self.ids["refund"]])
        # The synonym found is what is marked.
        self.assertEqual(body["items"][0]["title_hl"], "<mark>退款</mark>申请流程")
        # 客户端 finds both articles that say App.
        self.assertEqual(sorted(self.ids_of(self.search("客户端"))),
                         [self.ids["refund"], self.ids["crash_howto"]])
        audit = self.srv.audit(self.manager, action="kb.synonyms.update")
        self.assertEqual(len(audit), 1)
        # A word in two groups, a group of one, a word of punctuation: 400.
        for bad in ({"groups": [["退款", "退钱"], ["退钱", "返款"]]},
                    {"groups": [["退款"]]},
                    {"groups": [["退款", "？？"]]},
                    {"groups": "退款"}):
            self.assertError(self.srv.call("PUT", "/api/kb/synonyms", bad, token=self.manager),
                             400, "bad_request", "groups")

    def test_department_restricted_article(self):
        # 客服中心's agent does not see 技术部's article; 技术部's staff and editors do.
        self.assertEqual(self.search("清洁")["items"], [])
        self.assertEqual(self.search("清洁")["total"], 0)
        self.assertEqual(self.ids_of(self.search("清洁", token=self.tech)), [self.ids["clean"]])
        self.assertEqual(self.ids_of(self.search("qj", token=self.manager)),
                         [self.ids["clean"]])
        st, body, _ = self.srv.call("POST", f"/api/kb/articles/{self.ids['clean']}/use",
                                    token=self.agent)
        self.assertEqual(st, 404, body)

    def test_drafts_are_never_found(self):
        for token in (self.agent, self.manager):
            self.assertEqual(self.search("机密", token=token)["items"], [])
            self.assertEqual(self.search("退款", token=token)["total"], 1)
        st, body, _ = self.srv.call("POST", f"/api/kb/articles/{self.ids['draft']}/use",
                                    token=self.manager)
        self.assertEqual(st, 404, body)

    def test_zero_result_searches_in_the_report(self):
        agent2 = self.srv.login("8102")
        # Typed on: "发" then "发票" within the minute are one search.
        self.search("发", token=agent2)
        self.search("发票", token=agent2)
        self.search("发票", token=self.tech)
        self.srv.advance(61 * 1000)
        self.search("发票", token=agent2)
        self.search("款", token=agent2)  # found something: not in zero_result
        st, body, _ = self.srv.call("GET", "/api/kb/report", token=agent2)
        self.assertEqual(st, 403, body)
        st, body, _ = self.srv.call("GET", "/api/kb/report", token=self.manager)
        self.assertEqual(st, 200, body)
        zero = {z["query"]: z["count"] for z in body["zero_result"]}
        expected = {r["query"]: r["n"] for r in db_rows(
            self.srv, "SELECT query, count(*) AS n FROM kb_search_log WHERE results = 0"
                      " GROUP BY query")}
        self.assertEqual(zero, expected)
        self.assertEqual(zero["发票"], 3)
        self.assertNotIn("发", zero)
        self.assertNotIn("款", zero)
        self.assertEqual(db_value(self.srv, "SELECT count(*) FROM kb_search_log"
                                            " WHERE query = '发'"), 0)
        # A period before any search has none.
        st, body, _ = self.srv.call("GET", "/api/kb/report?from=2000-01-01&to=2000-01-31",
                                    token=self.manager)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["zero_result"], [])
        self.assertError(self.srv.call("GET", "/api/kb/report?from=2026-13-01",
                                       token=self.manager), 400, "bad_request", "from")

    def test_uses_count_and_rank(self):
        id_ = self.ids["refund"]
        self.search("退款")
        st, body, _ = self.srv.call("POST", f"/api/kb/articles/{id_}/use", token=self.agent)
        self.assertEqual(st, 200, body)
        before = body["uses"]
        st, body, _ = self.srv.call("POST", f"/api/kb/articles/{id_}/use", token=self.agent)
        self.assertEqual(body["uses"], before + 1)
        self.assertEqual(db_value(self.srv, f"SELECT uses FROM kb_article WHERE id = {id_}"),
                         before + 1)
        hit = self.search("退款")["items"][0]
        self.assertEqual(hit["uses"], before + 1)
        # The search that led to the use is linked to it.
        self.assertGreaterEqual(db_value(
            self.srv, f"SELECT count(*) FROM kb_search_log WHERE article_id = {id_}"), 1)
        st, body, _ = self.srv.call("GET", "/api/kb/report", token=self.manager)
        self.assertIn(id_, [m["id"] for m in body["most_used"]])

    def test_suggest_fills_the_callers_work_number(self):
        st, body, _ = self.srv.call("GET", "/api/kb/suggest?complaint=tech_app_crash&class=A1",
                                    token=self.agent)
        self.assertEqual(st, 200, body)
        slots = [(s["slot"], s["title"]) for s in body["scripts"]]
        # The type's answer, then the class's own script; not the answer of
        # another type of the same class (无法支付应答 names A1 too).
        self.assertEqual(slots, [("opening", "开场白"), ("complaint", "软件闪退应答"),
                                 ("other", "用户投诉安抚"), ("closing", "结束语")])
        opening = body["scripts"][0]
        self.assertEqual(opening["body"], f"您好，{CENTER}，8101号客服刘洋为您服务。")
        self.assertEqual(opening["body_html"], f"<p>您好，{CENTER}，8101号客服刘洋为您服务。</p>\n")
        self.assertEqual(body["scripts"][1]["body"],
                         "您遇到的问题我们已经记录，我是8101号，会尽快电话通知您。")
        self.assertEqual([a["id"] for a in body["articles"]], [self.ids["crash_howto"]])
        self.assertEqual(body["articles"][0]["snippet"], "请客户先升级App再重启手机。")
        # Another caller, another number; another complaint type, its own script.
        tech = self.srv.login("8102")
        st, body, _ = self.srv.call("GET", "/api/kb/suggest?complaint=pay_failed", token=tech)
        self.assertEqual([s["title"] for s in body["scripts"]], ["开场白", "无法支付应答", "结束语"])
        self.assertIn("8102号", body["scripts"][0]["body"])
        self.assertEqual(body["articles"], [])
        # The class alone: every script of the class, the types' answers too.
        st, body, _ = self.srv.call("GET", "/api/kb/suggest?class=A1", token=tech)
        self.assertEqual(sorted(s["title"] for s in body["scripts"]),
                         sorted(["开场白", "软件闪退应答", "无法支付应答", "用户投诉安抚", "结束语"]))
        # Another type of the class: the articles naming 闪退 are not its.
        st, body, _ = self.srv.call("GET", "/api/kb/suggest?class=A1&complaint=pay_failed",
                                    token=tech)
        self.assertEqual([s["title"] for s in body["scripts"]],
                         ["开场白", "无法支付应答", "用户投诉安抚", "结束语"])
        self.assertEqual(body["articles"], [])
        # The stored text keeps its placeholders.
        self.assertIn("{agent_no}", db_value(
            self.srv, f"SELECT body FROM kb_version WHERE article_id = {self.ids['opening']}"))

    def test_filters_and_bad_input(self):
        body = self.search("", complaint="tech_app_crash")
        self.assertEqual(sorted(self.ids_of(body)), [self.ids["crash"], self.ids["crash_howto"]])
        body = self.search("st", kind="script")
        self.assertEqual(self.ids_of(body), [self.ids["crash"]])
        self.assertError(self.srv.call("GET", "/api/kb/search", token=self.agent),
                         400, "bad_request", "q")
        self.assertError(self.srv.call("GET", "/api/kb/search?q=x&kind=faq", token=self.agent),
                         400, "bad_request", "kind")
        self.assertError(self.srv.call("GET", "/api/kb/search?q=x&limit=0", token=self.agent),
                         400, "bad_request", "limit")
        # Only punctuation: nothing to look for, nothing logged.
        body = self.search("？！")
        self.assertEqual(body, {"items": [], "total": 0})
        st, body, _ = self.srv.call("GET", "/api/kb/search?q=%E6%AC%BE")
        self.assertEqual(st, 401, body)


if __name__ == "__main__":
    unittest.main()
