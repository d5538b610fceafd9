"""Errors in the client's language, every field's error at once, phone numbers
(CUST-1), texts of blanks and report times (WO-6).

The harness asks for English (Accept-Language: en); these tests also send no
header (Chinese, the workbench's default) or other preferences.
"""
from apihelp import MINUTE, db_value
from harness import KefuTestCase

ZH = {"Accept-Language": None}          # no header: zh-CN
EN = {"Accept-Language": "en"}


class ErrorLanguageTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = cls.srv.login("8101")
        cls.admin = cls.srv.login("admin")

    def error(self, method, path, body=None, headers=None, token=None, status=422):
        st, b, _ = self.srv.call(method, path, body, token=token or self.agent, headers=headers)
        self.assertEqual(st, status, b)
        return b["error"]

    def test_the_same_bad_customer_in_chinese_by_default_and_in_english_on_request(self):
        """One request, three broken rules: each field's message, Chinese unless asked."""
        body = {"name": "\u3000 ", "email": "wang@", "vip_level": 12,
                "phones": [{"phone": "6234567"}]}
        before = db_value(self.srv, "SELECT count(*) FROM customer")
        zh = self.error("POST", "/api/customers", body, ZH)
        self.assertEqual(zh["code"], "unprocessable")
        self.assertEqual(zh["field"], "phones")
        self.assertEqual(zh["message"], "电话：固定电话需要加区号，例如 010 或 0571")
        self.assertEqual(zh["errors"], [
            {"field": "phones", "message": "电话：固定电话需要加区号，例如 010 或 0571"},
            {"field": "vip_level", "message": "VIP 等级：0 至 9"},
            {"field": "name", "message": "姓名：不能只有空白"},
            {"field": "email", "message": "邮箱：不是有效的邮箱地址"},
        ])
        en = self.error("POST", "/api/customers", body, EN)
        self.assertEqual(en["field"], "phones")
        self.assertEqual(en["message"],
                         "phones: a landline number needs its area code, e.g. 010 or 0571")
        self.assertEqual([e["field"] for e in en["errors"]],
                         ["phones", "vip_level", "name", "email"])
        self.assertEqual(en["errors"][3]["message"], "email: not an email address")
        for header, chinese in (("en-US,en;q=0.9,zh-CN;q=0.8", False), ("zh-CN,en;q=0.5", True),
                                ("fr", True), ("*", True), ("en;q=0.2, zh;q=0.1", False)):
            with self.subTest(header=header):
                e = self.error("POST", "/api/customers", body, {"Accept-Language": header})
                self.assertEqual(e["message"].startswith("电话"), chinese, e)
        self.assertEqual(db_value(self.srv, "SELECT count(*) FROM customer"), before)

    def test_server_made_messages_follow_the_language(self):
        """Router, authentication and body errors are in the catalogue too."""
        e = self.error("GET", "/api/no-such-thing", headers=ZH, status=404)
        self.assertEqual((e["code"], e["message"]), ("not_found", "没有这个资源"))
        self.assertNotIn("errors", e)   # no field, no list
        e = self.error("GET", "/api/no-such-thing", headers=EN, status=404)
        self.assertEqual(e["message"], "no such resource")
        e = self.error("DELETE", "/api/me", headers=ZH, status=405)
        self.assertEqual(e["message"], "此处不允许该请求方法")
        st, b, _ = self.srv.call("GET", "/api/me", headers=ZH)
        self.assertEqual((st, b["error"]["message"]), (401, "请先登录"))
        e = self.error("POST", "/api/customers", "{not json", ZH, status=400)
        self.assertTrue(e["message"].startswith("JSON 格式错误："), e)
        # A word passed into a message is translated with it.
        e = self.error("POST", "/api/customers", {"surname": 5}, ZH, status=400)
        self.assertEqual((e["field"], e["message"]), ("surname", "姓氏：应为文本或 null"))

    def test_a_person_form_gets_every_error(self):
        """People: work number, name, roles and password are all reported."""
        body = {"work_no": "bad no!", "name": "", "roles": [], "password": "short"}
        e = self.error("POST", "/api/people", body, ZH, token=self.admin)
        self.assertEqual({x["field"]: x["message"] for x in e["errors"]}, {
            "work_no": "工号：1 至 32 个字母、数字、'_'、'-' 或 '.'",
            "name": "姓名：1 至 64 个字符",
            "roles": "人员至少需要一个角色",
            "password": "密码：至少 10 个字符",
        })
        self.assertEqual(e["field"], "work_no")
        self.assertEqual(db_value(self.srv, "SELECT count(*) FROM person WHERE work_no = 'bad no!'"),
                         0)

    def test_a_contact_and_an_order_get_every_error(self):
        e = self.error("POST", "/api/contacts", {"channel": "fax", "direction": "up",
                                                 "phone": "12345", "class": "Z"}, EN)
        self.assertEqual({x["field"] for x in e["errors"]},
                         {"phone", "channel", "direction", "class"})
        self.assertEqual(e["field"], "phone")
        self.assertEqual(e["message"], "phone: a mobile number has 11 digits, not 5")
        e = self.error("POST", "/api/orders", {"class": "Q9", "level": "Ⅴ", "summary": "\u3000\u3000"},
                       ZH)
        self.assertEqual({x["field"]: x["message"] for x in e["errors"]}, {
            "class": "未知分类", "level": "未知级别", "summary": "摘要：不能只有空白"})

    def test_an_empty_login_asks_for_the_work_number(self):
        """An empty form is no login attempt: the fields are asked for, not called wrong."""
        st, b, _ = self.srv.call("POST", "/api/login", {"work_no": " ", "password": ""},
                                 headers=ZH)
        self.assertEqual(st, 422, b)
        self.assertEqual(b["error"]["errors"], [{"field": "work_no", "message": "请输入工号"},
                                                {"field": "password", "message": "请输入密码"}])
        st, b, _ = self.srv.call("POST", "/api/login", {"work_no": "8101", "password": "wrong pass"},
                                 headers=ZH)
        self.assertEqual((st, b["error"]["message"]), (401, "工号或密码错误"))


class PhoneNumberTest(KefuTestCase):
    """CUST-1: whole Chinese numbers, stored as their digits (extension after '-')."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = cls.srv.login("8101")

    def test_a_seven_digit_number_without_a_name_is_refused(self):
        st, b, _ = self.srv.call("POST", "/api/customers", {"phones": [{"phone": "6234567"}]},
                                 token=self.agent)
        self.assertEqual(st, 422, b)
        self.assertEqual(b["error"]["field"], "phones")
        self.assertIn("area code", b["error"]["message"])
        self.assertEqual(db_value(self.srv, "SELECT count(*) FROM customer_phone"
                                            " WHERE phone = '6234567'"), 0)

    def test_numbers_are_stored_normalised_and_masked_as_before(self):
        for typed, stored, masked in (("+86 139-1234-0001", "13912340001", "139****0001"),
                                      ("(010) 6234 5678 转 12", "01062345678-12", "010****8-12"),
                                      ("0571-8888888", "05718888888", "057****8888"),
                                      ("400-810-8888", "4008108888", "40****88")):
            with self.subTest(typed=typed):
                st, c, _ = self.srv.call("POST", "/api/customers",
                                         {"surname": "郑", "phones": [{"phone": typed}]},
                                         token=self.agent)
                self.assertEqual(st, 201, c)
                self.assertEqual(c["phones"][0]["phone"], masked)
                self.assertEqual(db_value(self.srv, "SELECT phone FROM customer_phone"
                                                    f" WHERE customer_id = {c['id']}"), stored)
        # The number of a call finds the customer whose number has an extension.
        st, c, _ = self.srv.call("GET", "/api/customers/lookup?phone=010-62345678",
                                 token=self.agent)
        self.assertEqual(st, 404, c)   # the extension is part of what was stored

    def test_a_partial_number_is_said_to_be_one(self):
        st, b, _ = self.srv.call("GET", "/api/customers/lookup?phone=12345", token=self.agent,
                                 headers=ZH)
        self.assertEqual(st, 422, b)
        self.assertEqual(b["error"]["message"], "电话：手机号码应为 11 位，现为 5 位")
        st, b, _ = self.srv.call("GET", "/api/customers/lookup?phone=0571888", token=self.agent)
        self.assertEqual(st, 422, b)
        self.assertEqual(b["error"]["message"],
                         "phone: after area code 0571 come 7 or 8 digits, not 3")

    def test_a_contact_phone_is_checked_too(self):
        st, b, _ = self.srv.call("POST", "/api/contacts", {"channel": "phone", "direction": "in",
                                                           "phone": "1380013800"},
                                 token=self.agent)
        self.assertEqual(st, 422, b)
        self.assertEqual(b["error"]["message"], "phone: a mobile number has 11 digits, not 10")
        st, b, _ = self.srv.call("POST", "/api/contacts", {"channel": "phone", "direction": "in",
                                                           "phone": "+86 138 0013 8000"},
                                 token=self.agent)
        self.assertEqual(st, 201, b)


class BlankAndTimeTest(KefuTestCase):
    """WO-6: a report says something and its call-back time is a real one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        cls.agent = s.login("8101")
        cls.head = s.login("4001")      # 市场运营部, the owner of class B orders

    def order(self):
        st, o, _ = self.srv.call("POST", "/api/orders", {"class": "B", "summary": "加盟咨询",
                                                           "phone": "13800138000"},
                                 token=self.agent)
        self.assertEqual(st, 201, o)
        for action in ("accept", "call"):
            st, o, _ = self.srv.call("POST", f"/api/orders/{o['id']}/{action}", {},
                                     token=self.head)
            self.assertEqual(st, 200, o)
        return o

    def test_a_summary_of_blanks_is_refused(self):
        for summary in (" ", "\u3000\u3000", " \t\n\u3000"):
            with self.subTest(summary=summary):
                st, b, _ = self.srv.call("POST", "/api/orders", {"class": "B", "summary": summary},
                                         token=self.agent)
                self.assertEqual(st, 422, b)
                self.assertEqual((b["error"]["field"], b["error"]["message"]),
                                 ("summary", "summary: only blanks"))
        st, b, _ = self.srv.call("POST", "/api/contacts", {"channel": "phone", "direction": "in",
                                                           "summary": "\u3000"}, token=self.agent)
        self.assertEqual((st, b["error"]["field"]), (422, "summary"), b)

    def test_a_report_of_blanks_or_at_an_impossible_time_is_refused(self):
        o = self.order()
        url = f"/api/orders/{o['id']}/report"
        now = self.srv.advance(0)
        for body, field in (({"solution": "\u3000 "}, "solution"),
                            ({"solution": "已解决", "called_back_at": now + 10 * MINUTE},
                             "called_back_at"),
                            ({"solution": "已解决", "called_back_at": 1000}, "called_back_at"),
                            ({"solution": "已解决",
                              "called_back_at": o["created_at"] - 24 * 60 * MINUTE},
                             "called_back_at")):
            with self.subTest(body=body):
                st, b, _ = self.srv.call("POST", url, body, token=self.head)
                self.assertEqual((st, b["error"]["field"]), (422, field), b)
        st, b, _ = self.srv.call("POST", url, {"solution": "\u3000", "called_back_at": now + MINUTE},
                                 token=self.head, headers=ZH)
        self.assertEqual(b["error"]["errors"], [
            {"field": "solution", "message": "处理结果：不能只有空白"},
            {"field": "called_back_at", "message": "联系客户时间：应在工单创建之后、现在之前"}])
        st, b, _ = self.srv.call("POST", url, {"solution": "已解决", "called_back_at": now - MINUTE},
                                 token=self.head)
        self.assertEqual(st, 200, b)
        self.assertEqual(b["report"]["called_back_at"], now - MINUTE)
