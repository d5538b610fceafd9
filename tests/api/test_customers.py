"""Customers: the customer database (CUST-1), masking and audited reveal of phone
numbers (CUST-2, SEC-1), VIP levels and their history (CUST-3), birthdays (CUST-4),
address by surname and the screen pop of a ringing call (CUST-5), merging duplicates,
and who may do what (SEC-1 least privilege, SEC-2 every denial audited)."""
import itertools
import json
import sqlite3
from urllib.parse import quote

from apihelp import all_pages, db_rows, db_value, dept_id, person_id
from harness import KefuTestCase

# The demo accounts used for each role (ORG-1).
ACCOUNTS = {
    "admin": "admin",
    "manager": "8001",
    "supervisor+agent": "8002",
    "agent": "8101",
    "staff": "2002",      # 城市客服部
    "hr+staff": "7002",   # 人事部
    "office": "1001",
}
SERVE = {"manager", "supervisor+agent", "agent"}   # read, write, reveal (CUST-2)
MERGE = {"manager", "supervisor+agent"}

_seq = itertools.count(1)


def new_phone():
    return f"139{next(_seq):08d}"


def masked(phone):
    return phone[:3] + "****" + phone[-4:]


def add_order(srv, customer_id, department, state="dispatched"):
    """A work order of the customer, written straight to the database (the work-order
    module has its own tests); returns its id."""
    n = next(_seq)
    agent = person_id(srv, "8101")
    with sqlite3.connect(srv.db, timeout=10) as db:
        cur = db.execute(
            "INSERT INTO work_order(number, class, state, customer_id, department_id,"
            " first_agent_id, summary, created_at, updated_at)"
            " VALUES (?, 'A1', ?, ?, ?, ?, '无法支付', ?, ?)",
            (f"A1-T{n:05d}", state, customer_id, department, agent, 1000 + n, 1000 + n))
        return cur.lastrowid


class CustomerTestCase(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = cls.srv.login("8101")
        cls.sup = cls.srv.login("8002")
        cls.mgr = cls.srv.login("8001")

    def create(self, token=None, **body):
        st, c, _ = self.srv.call("POST", "/api/customers", body, token=token or self.agent)
        self.assertEqual(st, 201, c)
        return c

    def get(self, cid, token=None):
        st, c, _ = self.srv.call("GET", f"/api/customers/{cid}", token=token or self.agent)
        self.assertEqual(st, 200, c)
        return c

    def customers(self):
        return self.srv.count("SELECT count(*) FROM customer")

    def audits(self, action):
        return self.srv.count(f"SELECT count(*) FROM audit WHERE action = '{action}'")

    def state(self):
        """Everything a refused customer request could have written."""
        return (db_rows(self.srv, "SELECT * FROM customer ORDER BY id"),
                db_rows(self.srv, "SELECT * FROM customer_phone ORDER BY phone"),
                db_rows(self.srv, "SELECT * FROM customer_vip ORDER BY id"),
                db_rows(self.srv, "SELECT id, customer_id FROM contact ORDER BY id"),
                db_rows(self.srv, "SELECT id, customer_id FROM work_order ORDER BY id"),
                self.srv.count("SELECT count(*) FROM audit WHERE action LIKE 'customer.%'"))


class CustomerRecordTest(CustomerTestCase):
    """CUST-1..5: creating, reading and changing a customer."""

    def test_create_and_read_back(self):
        """CUST-1 identity and contacts, CUST-2 masked phones, CUST-4 birthday,
        CUST-5 address_as."""
        phone = new_phone()
        c = self.create(surname="王", title="mr", name="王小明", kind="merchant",
                        phones=[{"phone": f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}",
                                 "label": "手机"}],
                        wechat="wx_wang", weibo="@wang", email="wang@example.com",
                        birthday="1990-05-17", vip_level=2, vip_reason="首次消费",
                        tags=["洗车", "洗车", "投诉多"], notes="喜欢上午来电")
        self.assertEqual(c["address_as"], "王先生")
        self.assertEqual(c["phones"], [{"phone": masked(phone), "label": "手机"}])
        self.assertEqual(c["tags"], ["洗车", "投诉多"])  # a set
        self.assertEqual(c["kind"], "merchant")
        self.assertEqual(c["birthday"], "1990-05-17")
        # Stored as digits only: the +86 and the dashes are gone (CUST-1).
        self.assertEqual(db_value(self.srv, f"SELECT phone FROM customer_phone WHERE"
                                            f" customer_id = {c['id']}"), phone)
        got = self.get(c["id"])
        for k in ("name", "surname", "title", "address_as", "wechat", "weibo", "email", "tags",
                  "notes", "vip_level", "phones"):
            self.assertEqual(got[k], c[k], k)
        self.assertEqual(got["contacts_count"], 0)
        self.assertEqual(got["orders_count"], 0)
        self.assertEqual(got["recent_contacts"], [])
        # CUST-3: the first level is the first history entry, with who and why.
        self.assertEqual(len(got["vip_history"]), 1)
        self.assertEqual(got["vip_history"][0]["level"], 2)
        self.assertEqual(got["vip_history"][0]["by_id"], person_id(self.srv, "8101"))
        self.assertEqual(got["vip_history"][0]["reason"], "首次消费")
        # SEC-1: the audit entry names the fields, never the customer's data.
        entry = self.srv.audit(self.mgr, action="customer.create", entity_id=c["id"])[0]
        self.assertEqual(entry["actor"], "8101")
        self.assertIn("phones", entry["detail"]["fields"])
        text = json.dumps(entry, ensure_ascii=False)
        for secret in (phone, "王小明", "wang@example.com", "wx_wang", "1990-05-17"):
            self.assertNotIn(secret, text)

    def test_minimal_customers_and_address(self):
        """CUST-5: 王先生 / 李女士, or the name, or 先生/女士 alone; CUST-1: a record needs
        a name or a way to reach the customer."""
        self.assertEqual(self.create(surname="李", title="ms")["address_as"], "李女士")
        self.assertEqual(self.create(name="Tom Lee")["address_as"], "Tom Lee")
        c = self.create(title="mr", phones=[{"phone": new_phone()}])
        self.assertEqual(c["address_as"], "先生")
        self.assertEqual(c["kind"], "app_user")
        self.assertIsNone(c["name"])
        self.assertEqual(c["phones"][0]["label"], None)
        c = self.create(email="someone@example.com")
        self.assertIsNone(c["address_as"])
        self.assertEqual(c["vip_level"], 0)
        self.assertEqual(self.get(c["id"])["vip_history"], [])

    def test_patch_and_vip_history(self):
        """CUST-3: every VIP level change is appended with who, when and why."""
        c = self.create(surname="赵", title="mr", email="zhao@example.com")
        now = self.srv.advance(1000)
        st, body, _ = self.srv.call("PATCH", f"/api/customers/{c['id']}",
                                    {"vip_level": 3, "vip_reason": "年消费满一万"}, token=self.agent)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["vip_level"], 3)
        self.srv.advance(1000)
        st, body, _ = self.srv.call("PATCH", f"/api/customers/{c['id']}",
                                    {"vip_level": 5, "email": None, "title": "ms"}, token=self.sup)
        self.assertEqual(st, 200, body)
        self.assertIsNone(body["email"])
        self.assertEqual(body["address_as"], "赵女士")
        hist = self.get(c["id"])["vip_history"]
        self.assertEqual([h["level"] for h in hist], [5, 3])  # newest first
        self.assertEqual(hist[0]["by_id"], person_id(self.srv, "8002"))
        self.assertIsNone(hist[0]["reason"])
        self.assertEqual(hist[1]["by_id"], person_id(self.srv, "8101"))
        self.assertEqual(hist[1]["reason"], "年消费满一万")
        self.assertGreaterEqual(hist[1]["at"], now)
        self.assertGreater(hist[0]["at"], hist[1]["at"])
        entry = self.srv.audit(self.mgr, action="customer.update", entity_id=c["id"])[0]
        self.assertEqual(entry["detail"]["vip_level"], [3, 5])
        self.assertEqual(sorted(entry["detail"]["fields"]), ["email", "title", "vip_level"])
        self.assertNotIn("zhao@example.com", json.dumps(entry))
        # The same values again change nothing and write nothing.
        before = self.state()
        st, body, _ = self.srv.call("PATCH", f"/api/customers/{c['id']}",
                                    {"vip_level": 5, "title": "ms"}, token=self.agent)
        self.assertEqual(st, 200, body)
        self.assertEqual(self.state(), before)

    def test_patch_phones_replaces_the_list(self):
        """CUST-1: numbers added, relabelled and removed; the one removed is free again."""
        p1, p2, p3 = new_phone(), new_phone(), new_phone()
        c = self.create(surname="钱", phones=[{"phone": p1, "label": "手机"},
                                              {"phone": p2, "label": "家"}])
        st, body, _ = self.srv.call("PATCH", f"/api/customers/{c['id']}",
                                    {"phones": [{"phone": p1, "label": "工作"},
                                                {"phone": p3}]}, token=self.agent)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["phones"], [{"phone": masked(p1), "label": "工作"},
                                          {"phone": masked(p3), "label": None}])
        self.assertEqual(self.srv.count(f"SELECT count(*) FROM customer_phone"
                                        f" WHERE customer_id = {c['id']}"), 2)
        other = self.create(surname="孙", phones=[{"phone": p2}])
        self.assertEqual(other["phones"][0]["phone"], masked(p2))

    def test_a_number_belongs_to_one_customer(self):
        """CUST-1: adding a number another customer holds is 409 naming phones."""
        phone = new_phone()
        a = self.create(surname="周", phones=[{"phone": phone}])
        b = self.create(surname="吴", phones=[{"phone": new_phone()}])
        before = self.state()
        for fmt in (phone, "+86" + phone, "0086 " + phone, f"{phone[:3]} {phone[3:7]} {phone[7:]}"):
            with self.subTest(fmt=fmt):
                resp = self.srv.call("POST", "/api/customers",
                                     {"surname": "郑", "phones": [{"phone": fmt}]}, token=self.agent)
                self.assertError(resp, 409, "conflict", "phones")
                self.assertIn(masked(phone), resp[1]["error"]["message"])
                self.assertNotIn(phone, resp[1]["error"]["message"])  # masked, CUST-2
                self.assertError(self.srv.call("PATCH", f"/api/customers/{b['id']}",
                                               {"phones": [{"phone": fmt}]}, token=self.agent),
                                 409, "conflict", "phones")
        self.assertEqual(self.state(), before)
        # Giving a customer its own number again is no conflict.
        st, body, _ = self.srv.call("PATCH", f"/api/customers/{a['id']}",
                                    {"phones": [{"phone": "+86" + phone, "label": "手机"}]},
                                    token=self.agent)
        self.assertEqual(st, 200, body)

    def test_bad_input_writes_nothing(self):
        """CUST-1..4 validation: 422 naming the field for broken rules, 400 for wrong types."""
        c = self.create(surname="冯", phones=[{"phone": new_phone()}])
        bad = [
            ({}, 422, "name"),
            ({"name": "  "}, 422, "name"),
            ({"name": "客" * 65}, 422, "name"),
            ({"surname": "王", "title": "dr"}, 422, "title"),
            ({"surname": "王", "kind": "vip"}, 422, "kind"),
            ({"surname": "王", "vip_level": 10}, 422, "vip_level"),
            ({"surname": "王", "vip_level": -1}, 422, "vip_level"),
            ({"surname": "王", "birthday": "02-30"}, 422, "birthday"),
            ({"surname": "王", "birthday": "1999-02-29"}, 422, "birthday"),
            ({"surname": "王", "birthday": "2999-01-01"}, 422, "birthday"),
            ({"surname": "王", "birthday": "1990/05/17"}, 422, "birthday"),
            ({"surname": "王", "email": "wang@"}, 422, "email"),
            ({"surname": "王", "phones": [{"phone": "call me"}]}, 422, "phones"),
            ({"surname": "王", "phones": [{"phone": "12"}]}, 422, "phones"),
            ({"surname": "王", "phones": [{"phone": "13800000001"}, {"phone": "+8613800000001"}]},
             422, "phones"),
            ({"surname": "王", "phones": [{"phone": "1380000%04d" % i} for i in range(17)]},
             422, "phones"),
            ({"surname": "王", "phones": [{"phone": "13800000001", "label": "标" * 17}]},
             422, "phones"),
            ({"surname": "王", "tags": ["标" * 33]}, 422, "tags"),
            ({"surname": "王", "tags": [""]}, 422, "tags"),
            ({"surname": "王", "notes": "注" * 1001}, 422, "notes"),
            ({"surname": "王", "vip_level": 1, "vip_reason": "因" * 201}, 422, "vip_reason"),
            ({"surname": "王", "nickname": "x"}, 400, "nickname"),
            ({"surname": 5}, 400, "surname"),
            ({"surname": "王", "kind": None}, 400, "kind"),
            ({"surname": "王", "vip_level": "3"}, 400, "vip_level"),
            ({"surname": "王", "vip_level": 2.5}, 400, "vip_level"),
            ({"surname": "王", "tags": "vip"}, 400, "tags"),
            ({"surname": "王", "tags": [1]}, 400, "tags"),
            ({"surname": "王", "phones": "13800000001"}, 400, "phones"),
            ({"surname": "王", "phones": ["13800000001"]}, 400, "phones"),
            ({"surname": "王", "phones": [{"phone": 13800000001}]}, 400, "phones"),
            ({"surname": "王", "phones": [{"label": "手机"}]}, 400, "phones"),
            ({"surname": "王", "phones": [{"phone": "13800000001", "type": "m"}]}, 400, "phones"),
            ({"surname": "王", "vip_reason": 3}, 400, "vip_reason"),
        ]
        before = self.state()
        for body, status, field in bad:
            with self.subTest(body=body):
                code = "unprocessable" if status == 422 else "bad_request"
                self.assertError(self.srv.call("POST", "/api/customers", body, token=self.agent),
                                 status, code, field)
                if body and field != "name":
                    self.assertError(self.srv.call("PATCH", f"/api/customers/{c['id']}", body,
                                                   token=self.agent), status, code, field)
        self.assertError(self.srv.call("POST", "/api/customers", "[1]", token=self.agent), 400)
        self.assertError(self.srv.call("POST", "/api/customers", "{", token=self.agent), 400)
        # Clearing the only name of a record nobody can reach otherwise is refused too.
        d = self.create(name="只有名字")
        before = self.state()
        self.assertError(self.srv.call("PATCH", f"/api/customers/{d['id']}", {"name": None},
                                       token=self.agent), 422, "unprocessable", "name")
        self.assertEqual(self.state(), before)
        self.assertError(self.srv.call("GET", "/api/customers/999999", token=self.agent), 404)
        self.assertError(self.srv.call("PATCH", "/api/customers/999999", {"name": "x"},
                                       token=self.agent), 404)
        self.assertError(self.srv.call("GET", "/api/customers/abc", token=self.agent), 404)
        self.assertEqual(self.state(), before)


class CustomerListTest(CustomerTestCase):
    """CUST-1: finding customers; merged duplicates are left out."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.made = []
        for i in range(7):
            st, c, _ = cls.srv.call("POST", "/api/customers", {
                "surname": "列", "name": f"列表客户{i}", "title": "mr",
                "kind": "merchant" if i % 2 else "app_user", "vip_level": i,
                "wechat": f"wx_list_{i}", "email": f"List{i}@Example.com"}, token=cls.agent)
            assert st == 201, c
            cls.made.append(c)

    def ids(self, query):
        st, body, _ = self.srv.call("GET", "/api/customers?" + query, token=self.agent)
        self.assertEqual(st, 200, body)
        return [c["id"] for c in body["items"]]

    def test_filters(self):
        """CUST-1: customers found by part of name, surname, WeChat or email, by kind and
        by VIP level (CUST-3)."""
        ids = [c["id"] for c in self.made]
        self.assertEqual(self.ids("q=" + quote("列表客户3")), [ids[3]])
        self.assertEqual(self.ids("q=wx_list_5"), [ids[5]])
        self.assertEqual(self.ids("q=list6%40example"), [ids[6]])  # email, any case
        self.assertEqual(self.ids("q=" + quote("列表") + "&kind=merchant"), [ids[1], ids[3], ids[5]])
        self.assertEqual(self.ids("q=" + quote("列表") + "&vip_min=5"), [ids[5], ids[6]])
        self.assertEqual(self.ids("q=" + quote("列表") + "&kind=merchant&vip_min=4"), [ids[5]])
        self.assertEqual(self.ids("q=" + quote("没有这个人")), [])
        for bad in ("kind=vip", "vip_min=10", "vip_min=x", "limit=0", "limit=501", "cursor=abc"):
            with self.subTest(query=bad):
                self.assertError(self.srv.call("GET", "/api/customers?" + bad, token=self.agent), 400)

    def test_pagination_sees_every_customer_once(self):
        """CUST-1: cursor pages list every customer once; CUST-5 address_as in lists."""
        items, pages = all_pages(self.srv, "/api/customers?q=" + quote("列表"), self.agent, 2)
        self.assertEqual([c["id"] for c in items], [c["id"] for c in self.made])
        self.assertEqual([len(p) for p in pages], [2, 2, 2, 1])
        for c in items:
            self.assertEqual(c["address_as"], "列先生")


class LookupTest(CustomerTestCase):
    """CUST-5: the screen pop of a ringing call recognises a returning caller."""

    def test_lookup_hit_with_history(self):
        """CUST-5 recognise a returning caller: the number in any usual form finds them, with
        the CUST-1 history of contacts and orders; CUST-2: phones masked."""
        phone = new_phone()
        c = self.create(surname="陈", title="ms", vip_level=3,
                        phones=[{"phone": phone, "label": "手机"}])
        for i in range(7):
            st, k, _ = self.srv.call("POST", "/api/contacts", {
                "channel": "phone", "direction": "in", "customer_id": c["id"], "class": "E",
                "summary": f"第{i}次来电" + "很长" * 100}, token=self.agent)
            self.assertEqual(st, 201, k)
        orders = [add_order(self.srv, c["id"], dept_id(self.srv, "城市客服部")) for _ in range(6)]
        for q in (phone, quote("+86" + phone), quote("+86 " + phone), "0086" + phone,
                  f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", "86" + phone):
            with self.subTest(phone=q):
                st, body, _ = self.srv.call("GET", "/api/customers/lookup?phone=" + q,
                                            token=self.agent)
                self.assertEqual(st, 200, body)
                self.assertEqual(body["id"], c["id"])
        self.assertEqual(body["address_as"], "陈女士")
        self.assertEqual(body["vip_level"], 3)
        self.assertEqual(body["phones"], [{"phone": masked(phone), "label": "手机"}])
        self.assertNotIn(phone, json.dumps(body))  # CUST-2
        self.assertEqual(body["contacts_count"], 7)
        self.assertEqual(body["orders_count"], 6)
        self.assertEqual(len(body["recent_contacts"]), 5)
        self.assertEqual(len(body["recent_orders"]), 5)
        self.assertEqual([o["id"] for o in body["recent_orders"]], orders[:0:-1])  # newest first
        o = body["recent_orders"][0]
        self.assertEqual(set(o), {"id", "number", "class", "state", "created_at"})
        self.assertEqual((o["class"], o["state"]), ("A1", "dispatched"))
        k = body["recent_contacts"][0]
        self.assertTrue(k["summary"].startswith("第6次来电"))
        self.assertEqual(len(k["summary"]), 60)  # the beginning of it
        self.assertEqual(k["agent_id"], person_id(self.srv, "8101"))
        self.assertEqual(k["class"], "E")
        self.assertGreater(k["id"], body["recent_contacts"][1]["id"])
        # GET by id shows the same history.
        got = self.get(c["id"])
        self.assertEqual(got["recent_orders"], body["recent_orders"])
        self.assertEqual(got["recent_contacts"], body["recent_contacts"])

    def test_lookup_unknown_and_bad(self):
        """CUST-5: an unknown number is 404 (no customer invented), no number 400, and
        what is not a whole number (CUST-1) 422 saying what is wrong with it."""
        self.assertError(self.srv.call("GET", "/api/customers/lookup?phone=13000000000",
                                       token=self.agent), 404, "not_found")
        for q in ("", "?phone="):
            with self.subTest(query=q):
                self.assertError(self.srv.call("GET", "/api/customers/lookup" + q,
                                               token=self.agent), 400, "bad_request", "phone")
        for q, message in (("abc", "phone: only digits, spaces, '-', '(' and ')', a leading '+'"
                                   " and an extension after 转, ext or #"),
                           ("12", "phone: a mobile number has 11 digits, not 2"),
                           ("12345", "phone: a mobile number has 11 digits, not 5"),
                           ("1" * 21, "phone: a mobile number has 11 digits, not 21")):
            with self.subTest(query=q):
                resp = self.srv.call("GET", "/api/customers/lookup?phone=" + q, token=self.agent)
                self.assertError(resp, 422, "unprocessable", "phone")
                self.assertEqual(resp[1]["error"]["message"], message)
        self.assertError(self.srv.call("POST", "/api/customers/lookup", {}, token=self.agent), 405)

    def test_lookup_follows_a_merge(self):
        """CUST-1, CUST-5: the duplicate's number leads to the survivor."""
        p1, p2 = new_phone(), new_phone()
        a = self.create(surname="韩", phones=[{"phone": p1}])
        b = self.create(name="韩先生?", phones=[{"phone": p2}])
        st, body, _ = self.srv.call("POST", f"/api/customers/{a['id']}/merge",
                                    {"from_id": b["id"]}, token=self.sup)
        self.assertEqual(st, 200, body)
        st, body, _ = self.srv.call("GET", "/api/customers/lookup?phone=" + p2, token=self.agent)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["id"], a["id"])
        self.assertEqual(sorted(p["phone"] for p in body["phones"]),
                         sorted([masked(p1), masked(p2)]))


class MaskingAndRevealTest(CustomerTestCase):
    """CUST-2, SEC-1: phones masked for everyone; unmasked only by an audited reveal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tokens = {role: cls.srv.login(w) for role, w in ACCOUNTS.items()}
        cls.ids = {role: person_id(cls.srv, w) for role, w in ACCOUNTS.items()}

    def denials(self, role):
        return self.srv.count("SELECT count(*) FROM audit WHERE action = 'access.denied'"
                              f" AND actor_id = {self.ids[role]}")

    def test_every_answer_is_masked_for_every_role(self):
        """CUST-2, SEC-1: no answer of any endpoint shows a whole number to any role."""
        phone = new_phone()
        c = self.create(surname="蒋", phones=[{"phone": phone, "label": "手机"}])
        for role in ACCOUNTS:
            tok = self.tokens[role]
            calls = [("GET", f"/api/customers/{c['id']}", None),
                     ("GET", "/api/customers?q=" + quote("蒋"), None),
                     ("GET", "/api/customers/lookup?phone=" + phone, None),
                     ("PATCH", f"/api/customers/{c['id']}", {"notes": f"by {role}"}),
                     ("POST", "/api/customers", {"surname": "蒋", "phones": [{"phone": new_phone()}]})]
            for method, path, body in calls:
                with self.subTest(role=role, call=f"{method} {path}"):
                    st, out, _ = self.srv.call(method, path, body, token=tok)
                    if role in SERVE:
                        self.assertIn(st, (200, 201), out)
                        self.assertNotIn(phone, json.dumps(out))
                        self.assertIn("****", json.dumps(out))
                    else:
                        self.assertError((st, out, None), 403, "forbidden")

    def test_reveal_shows_numbers_and_is_audited(self):
        """CUST-2, SEC-1: a reveal shows the numbers and is audited with its reason (SEC-2)."""
        phone = new_phone()
        c = self.create(surname="沈", title="mr", phones=[{"phone": phone, "label": "手机"}])
        for role in SERVE:
            with self.subTest(role=role):
                before = self.audits("customer.reveal")
                st, body, _ = self.srv.call("POST", f"/api/customers/{c['id']}/reveal",
                                            {"reason": f"客户要求回电 {role}"},
                                            token=self.tokens[role])
                self.assertEqual(st, 200, body)
                self.assertEqual(body, {"id": c["id"], "address_as": "沈先生",
                                        "phones": [{"phone": phone, "label": "手机"}]})
                self.assertEqual(self.audits("customer.reveal"), before + 1)
                entry = self.srv.audit(self.mgr, action="customer.reveal")[0]
                self.assertEqual(entry["actor"], ACCOUNTS[role])
                self.assertEqual(entry["entity"], "customer")
                self.assertEqual(entry["entity_id"], str(c["id"]))
                self.assertEqual(entry["detail"], {"reason": f"客户要求回电 {role}"})
                self.assertNotIn(phone, json.dumps(entry))
        # Revealing does not unmask anything else.
        self.assertEqual(self.get(c["id"])["phones"][0]["phone"], masked(phone))

    def test_reveal_needs_a_reason(self):
        """CUST-2: no reveal without a reason of 2 to 200 characters; a refusal writes nothing."""
        c = self.create(surname="曹", phones=[{"phone": new_phone()}])
        before = self.state()
        for body, status in (({}, 422), (None, 422), ({"reason": "查"}, 422),
                             ({"reason": "  "}, 422), ({"reason": "因" * 201}, 422),
                             ({"reason": 12}, 400), ({"reason": "回电", "why": "x"}, 400)):
            with self.subTest(body=body):
                resp = self.srv.call("POST", f"/api/customers/{c['id']}/reveal", body,
                                     token=self.agent)
                self.assertError(resp, status)
                if status == 422:
                    self.assertEqual(resp[1]["error"]["field"], "reason")
        self.assertEqual(self.state(), before)
        st, body, _ = self.srv.call("POST", f"/api/customers/{c['id']}/reveal",
                                    {"reason": "回电"}, token=self.agent)
        self.assertEqual(st, 200, body)
        st, body, _ = self.srv.call("POST", f"/api/customers/{c['id']}/reveal",
                                    {"reason": "因" * 200}, token=self.agent)
        self.assertEqual(st, 200, body)
        self.assertError(self.srv.call("POST", "/api/customers/999999/reveal", {"reason": "回电"},
                                       token=self.agent), 404)

    def test_staff_reveal_only_for_their_departments_orders(self):
        """CUST-2 least privilege: staff of 城市客服部 see the numbers of a customer whose
        work order their department handles, no one else's; each refusal is audited."""
        phone = new_phone()
        c = self.create(surname="许", phones=[{"phone": phone}])
        staff = self.tokens["staff"]
        url = f"/api/customers/{c['id']}/reveal"
        denied = self.denials("staff")
        self.assertError(self.srv.call("POST", url, {"reason": "上门服务"}, token=staff), 403)
        self.assertEqual(self.denials("staff"), denied + 1)
        add_order(self.srv, c["id"], dept_id(self.srv, "技术部"))
        self.assertError(self.srv.call("POST", url, {"reason": "上门服务"}, token=staff), 403)
        self.assertEqual(self.denials("staff"), denied + 2)
        entry = self.srv.audit(self.mgr, action="access.denied", actor_id=self.ids["staff"])[0]
        self.assertEqual(entry["detail"]["permission"], "customer.reveal")
        self.assertEqual(entry["detail"]["path"], url)
        self.assertEqual(self.srv.count("SELECT count(*) FROM audit WHERE action ="
                                        f" 'customer.reveal' AND actor_id = {self.ids['staff']}"), 0)
        add_order(self.srv, c["id"], dept_id(self.srv, "城市客服部"))
        before = self.audits("customer.reveal")
        st, body, _ = self.srv.call("POST", url, {"reason": "上门服务"}, token=staff)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["phones"][0]["phone"], phone)
        self.assertEqual(self.audits("customer.reveal"), before + 1)
        # Staff of another department (人事部) still may not; nor can staff read the record.
        self.assertError(self.srv.call("POST", url, {"reason": "上门服务"},
                                       token=self.tokens["hr+staff"]), 403)
        self.assertError(self.srv.call("GET", f"/api/customers/{c['id']}", token=staff), 403)

    def test_roles_without_the_permission_are_refused_and_audited(self):
        """CUST-2, SEC-1: IT, HR and the office never see customer numbers; SEC-2: audited."""
        c = self.create(surname="尤", phones=[{"phone": new_phone()}])
        for role in ("admin", "office", "hr+staff"):
            with self.subTest(role=role):
                before = self.denials(role)
                n = self.audits("customer.reveal")
                self.assertError(self.srv.call("POST", f"/api/customers/{c['id']}/reveal",
                                               {"reason": "想看看"}, token=self.tokens[role]),
                                 403, "forbidden")
                self.assertEqual(self.denials(role), before + 1)
                self.assertEqual(self.audits("customer.reveal"), n)


class MergeTest(CustomerTestCase):
    """CUST-1: duplicates merged into one record; nothing is lost (CUST-3 history too)."""

    def contact(self, cid, token=None, **extra):
        st, k, _ = self.srv.call("POST", "/api/contacts", dict(
            {"channel": "phone", "direction": "in", "customer_id": cid}, **extra),
            token=token or self.agent)
        self.assertEqual(st, 201, k)
        return k["id"]

    def test_merge_keeps_all_history(self):
        """CUST-1: after a merge all contacts, orders and phones are under the survivor;
        CUST-3: VIP history of both kept; SEC-1: one audit entry without personal data."""
        pa, pb = new_phone(), new_phone()
        a = self.create(surname="杨", title="mr", phones=[{"phone": pa, "label": "手机"}],
                        vip_level=1, vip_reason="注册", tags=["洗车"])
        b = self.create(name="杨先生", phones=[{"phone": pb, "label": "家"}], wechat="wx_yang",
                        email="yang@example.com", birthday="1985-03-08", vip_level=4,
                        vip_reason="老客户", tags=["洗车", "商家"], kind="merchant")
        ka = [self.contact(a["id"]) for _ in range(2)]
        kb = [self.contact(b["id"], token=self.sup) for _ in range(3)]
        ob = add_order(self.srv, b["id"], dept_id(self.srv, "城市客服部"))
        merges = self.audits("customer.merge")
        st, body, _ = self.srv.call("POST", f"/api/customers/{a['id']}/merge",
                                    {"from_id": b["id"]}, token=self.sup)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["id"], a["id"])
        self.assertEqual(body["moved"], {"phones": 1, "contacts": 3, "orders": 1,
                                         "vip_history": 1})
        # Empty fields filled from the duplicate, tags united, the higher VIP level kept.
        self.assertEqual(body["surname"], "杨")
        self.assertEqual(body["name"], "杨先生")
        self.assertEqual(body["wechat"], "wx_yang")
        self.assertEqual(body["email"], "yang@example.com")
        self.assertEqual(body["birthday"], "1985-03-08")
        self.assertEqual(body["kind"], "app_user")  # the survivor's
        self.assertEqual(body["tags"], ["洗车", "商家"])
        self.assertEqual(body["vip_level"], 4)
        self.assertEqual(body["phones"], [{"phone": masked(pa), "label": "手机"},
                                          {"phone": masked(pb), "label": "家"}])
        # Every contact is now under the survivor.
        items, _ = all_pages(self.srv, f"/api/contacts?customer_id={a['id']}", self.agent, 50)
        self.assertEqual(sorted(k["id"] for k in items), sorted(ka + kb))
        self.assertEqual(self.srv.count(f"SELECT count(*) FROM contact WHERE customer_id = {b['id']}"), 0)
        self.assertEqual(db_value(self.srv, f"SELECT customer_id FROM work_order WHERE id = {ob}"),
                         a["id"])
        # The duplicate's contacts, asked for by its old id, are the survivor's.
        items, _ = all_pages(self.srv, f"/api/contacts?customer_id={b['id']}", self.agent, 50)
        self.assertEqual(len(items), 5)
        # VIP history of both, plus the merge's own entry (CUST-3).
        got = self.get(a["id"])
        self.assertEqual([h["level"] for h in got["vip_history"]], [4, 4, 1])
        self.assertEqual(got["vip_history"][0]["by_id"], person_id(self.srv, "8002"))
        self.assertEqual(got["contacts_count"], 5)
        self.assertEqual(got["orders_count"], 1)
        # The duplicate stays, pointing at the survivor; its id answers the survivor.
        self.assertEqual(db_value(self.srv, f"SELECT merged_into FROM customer WHERE id = {b['id']}"),
                         a["id"])
        self.assertEqual(self.get(b["id"])["id"], a["id"])
        ids = [c["id"] for c in all_pages(self.srv, "/api/customers?q=" + quote("杨"),
                                          self.agent, 50)[0]]
        self.assertIn(a["id"], ids)
        self.assertNotIn(b["id"], ids)
        # One audit entry with what moved, no personal data.
        self.assertEqual(self.audits("customer.merge"), merges + 1)
        entry = self.srv.audit(self.mgr, action="customer.merge")[0]
        self.assertEqual(entry["entity_id"], str(a["id"]))
        self.assertEqual(entry["detail"]["from_id"], b["id"])
        self.assertEqual(entry["detail"]["moved"], body["moved"])
        self.assertEqual(entry["detail"]["vip_level"], [1, 4])
        self.assertEqual(sorted(entry["detail"]["filled"]),
                         ["birthday", "email", "name", "wechat"])
        self.assertNotIn("wx_yang", json.dumps(entry))
        # A change through the old id changes the survivor.
        st, body, _ = self.srv.call("PATCH", f"/api/customers/{b['id']}", {"notes": "合并后"},
                                    token=self.agent)
        self.assertEqual((st, body["id"], body["notes"]), (200, a["id"], "合并后"))

    def test_merge_refusals_write_nothing(self):
        """CUST-1: a merge into itself, into a merged record or of a merged one is 422, and
        writes nothing."""
        a = self.create(surname="金", phones=[{"phone": new_phone()}])
        b = self.create(surname="金", phones=[{"phone": new_phone()}])
        c = self.create(surname="魏")
        st, body, _ = self.srv.call("POST", f"/api/customers/{a['id']}/merge",
                                    {"from_id": b["id"]}, token=self.mgr)
        self.assertEqual(st, 200, body)
        before = self.state()
        cases = [
            (a["id"], {"from_id": a["id"]}, 422, "from_id"),   # into itself
            (a["id"], {"from_id": b["id"]}, 422, "from_id"),   # already merged
            (b["id"], {"from_id": c["id"]}, 422, None),        # into a merged one
            (a["id"], {"from_id": 999999}, 422, "from_id"),
            (999999, {"from_id": c["id"]}, 404, None),
            (a["id"], {}, 400, "from_id"),
            (a["id"], None, 400, "from_id"),
            (a["id"], {"from_id": "2"}, 400, "from_id"),
            (a["id"], {"from_id": 0}, 400, "from_id"),
            (a["id"], {"from_id": c["id"], "x": 1}, 400, "x"),
        ]
        for into, body, status, field in cases:
            with self.subTest(into=into, body=body):
                self.assertError(self.srv.call("POST", f"/api/customers/{into}/merge", body,
                                               token=self.mgr), status, None, field)
        self.assertEqual(self.state(), before)

    def test_only_supervisor_and_manager_merge(self):
        """CUST-2, SEC-1: merging is for supervisors and the manager; SEC-2: refusals audited."""
        a = self.create(surname="陶")
        b = self.create(surname="陶")
        before = self.state()
        for work_no in ("8101", "admin", "2002", "7002", "1001"):
            with self.subTest(who=work_no):
                denied = self.srv.count("SELECT count(*) FROM audit WHERE action = 'access.denied'"
                                        f" AND actor_id = {person_id(self.srv, work_no)}")
                self.assertError(self.srv.call("POST", f"/api/customers/{a['id']}/merge",
                                               {"from_id": b["id"]},
                                               token=self.srv.login(work_no)), 403)
                self.assertEqual(self.srv.count("SELECT count(*) FROM audit WHERE action ="
                                                " 'access.denied' AND actor_id ="
                                                f" {person_id(self.srv, work_no)}"), denied + 1)
        self.assertEqual(self.state(), before)


class CustomerPermissionTest(CustomerTestCase):
    """Every customer endpoint x every role (SEC-1); denials are 403 and audited (SEC-2)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tokens = {role: cls.srv.login(w) for role, w in ACCOUNTS.items()}
        cls.ids = {role: person_id(cls.srv, w) for role, w in ACCOUNTS.items()}
        cls.phone = new_phone()
        st, c, _ = cls.srv.call("POST", "/api/customers",
                                {"surname": "矩", "phones": [{"phone": cls.phone}]}, token=cls.mgr)
        assert st == 201, c
        cls.target = c["id"]

    def cases(self):
        def create(role):
            name = f"矩阵{next(_seq)}"

            def check(ok, resp):
                n = self.srv.count(f"SELECT count(*) FROM customer WHERE name = '{name}'")
                self.assertEqual(n, 1 if ok else 0)
            return "POST", "/api/customers", {"name": name}, check

        def patch(role):
            notes = f"备注{next(_seq)}"

            def check(ok, resp):
                now = db_value(self.srv, f"SELECT notes FROM customer WHERE id = {self.target}")
                self.assertEqual(now == notes, ok)
            return "PATCH", f"/api/customers/{self.target}", {"notes": notes}, check

        def reveal(role):
            n = self.audits("customer.reveal")

            def check(ok, resp):
                self.assertEqual(self.audits("customer.reveal"), n + (1 if ok else 0))
            return "POST", f"/api/customers/{self.target}/reveal", {"reason": "回电"}, check

        def merge(role):
            st, d, _ = self.srv.call("POST", "/api/customers", {"name": f"重复{next(_seq)}"},
                                     token=self.mgr)
            self.assertEqual(st, 201, d)

            def check(ok, resp):
                m = db_value(self.srv, f"SELECT merged_into FROM customer WHERE id = {d['id']}")
                self.assertEqual(m, self.target if ok else None)
            return "POST", f"/api/customers/{self.target}/merge", {"from_id": d["id"]}, check

        def simple(method, path):
            return lambda role: (method, path, None, None)

        return [
            ("GET /api/customers", SERVE, 200, simple("GET", "/api/customers")),
            ("POST /api/customers", SERVE, 201, create),
            ("GET /api/customers/{id}", SERVE, 200, simple("GET", f"/api/customers/{self.target}")),
            ("PATCH /api/customers/{id}", SERVE, 200, patch),
            ("GET /api/customers/lookup", SERVE, 200,
             simple("GET", f"/api/customers/lookup?phone={self.phone}")),
            # Staff have no work order of theirs for this customer: refused too.
            ("POST /api/customers/{id}/reveal", SERVE, 200, reveal),
            ("POST /api/customers/{id}/merge", MERGE, 200, merge),
        ]

    def denials_of(self, role):
        return self.srv.count("SELECT count(*) FROM audit WHERE action = 'access.denied'"
                              f" AND actor_id = {self.ids[role]}")

    def test_every_endpoint_for_every_role(self):
        """CUST-2, SEC-1 least privilege; SEC-2 every denial audited exactly once."""
        for (name, allowed, ok_status, build), role in itertools.product(self.cases(), ACCOUNTS):
            with self.subTest(endpoint=name, role=role):
                method, path, body, check = build(role)
                denied = self.denials_of(role)
                resp = self.srv.call(method, path, body, token=self.tokens[role])
                ok = role in allowed
                if ok:
                    self.assertEqual(resp[0], ok_status, resp[1])
                    self.assertEqual(self.denials_of(role), denied)
                else:
                    self.assertError(resp, 403, "forbidden")
                    self.assertEqual(self.denials_of(role), denied + 1,
                                     "exactly one access.denied entry")
                    entry = self.srv.audit(self.mgr, action="access.denied",
                                           actor_id=self.ids[role])[0]
                    self.assertEqual(entry["detail"]["method"], method)
                    self.assertEqual(entry["detail"]["path"], path.split("?")[0])
                if check:
                    check(ok, resp)

    def test_unauthenticated_gets_401(self):
        """CUST-2, SEC-1: nothing about customers without a login; nothing written."""
        before = self.state()
        for method, path, body in (
                ("GET", "/api/customers", None), ("POST", "/api/customers", {"name": "匿名"}),
                ("GET", f"/api/customers/{self.target}", None),
                ("PATCH", f"/api/customers/{self.target}", {"name": "匿名"}),
                ("GET", f"/api/customers/lookup?phone={self.phone}", None),
                ("POST", f"/api/customers/{self.target}/reveal", {"reason": "回电"}),
                ("POST", f"/api/customers/{self.target}/merge", {"from_id": 1})):
            with self.subTest(method=method, path=path):
                self.assertError(self.srv.call(method, path, body), 401, "unauthenticated")
        self.assertEqual(self.state(), before)
