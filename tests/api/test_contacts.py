"""Contacts: every call, chat, message and visit recorded truthfully with its class and
5W1H (CALL-10, ROUTE-1), through every channel of the center (CALL-12), attached to the
customer when the caller is known (CUST-1, CUST-5), phones masked (CUST-2, SEC-1), and
who may record and correct them (SEC-1; denials audited, SEC-2)."""
import itertools
import json

from apihelp import MINUTE, all_pages, db_rows, person_id
from harness import KefuTestCase

ACCOUNTS = {
    "admin": "admin",
    "manager": "8001",
    "supervisor+agent": "8002",
    "agent": "8101",
    "staff": "2002",
    "hr+staff": "7002",
    "office": "1001",
}
SERVE = {"manager", "supervisor+agent", "agent"}
CHANNELS = ["phone", "wechat", "weibo", "web_chat", "email", "sms", "visit"]
FIVEW = {"when": "昨天下午三点", "who": "王先生", "where": "朝阳区门店",
         "what": "洗车后车身有划痕", "why": "洗护师操作不当", "how": "要求上门查看"}

_seq = itertools.count(1)


def new_phone():
    return f"137{next(_seq):08d}"


class ContactTestCase(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = cls.srv.login("8101")
        cls.other = cls.srv.login("8102")
        cls.sup = cls.srv.login("8002")
        cls.mgr = cls.srv.login("8001")

    def customer(self, **body):
        st, c, _ = self.srv.call("POST", "/api/customers", body, token=self.mgr)
        self.assertEqual(st, 201, c)
        return c

    def record(self, token=None, **body):
        body = dict({"channel": "phone", "direction": "in"}, **body)
        st, k, _ = self.srv.call("POST", "/api/contacts", body, token=token or self.agent)
        self.assertEqual(st, 201, k)
        return k

    def state(self):
        """Everything a refused contact request could have written."""
        return (db_rows(self.srv, "SELECT * FROM contact ORDER BY id"),
                self.srv.count("SELECT count(*) FROM customer"),
                self.srv.count("SELECT count(*) FROM audit WHERE action LIKE 'contact.%'"))


class RecordContactTest(ContactTestCase):
    def test_minimal_contact(self):
        """CALL-10: the recording agent is the caller, started now; not yet classified."""
        now = self.srv.advance(0)
        k = self.record()
        self.assertEqual(k["agent_id"], person_id(self.srv, "8101"))
        self.assertGreaterEqual(k["started_at"], now)
        self.assertLess(k["started_at"], now + MINUTE)
        self.assertEqual(k["created_at"], k["started_at"])
        for key in ("customer_id", "phone", "ended_at", "class", "summary", "satisfaction"):
            self.assertIsNone(k[key], key)
        self.assertEqual(k["fivew"], {})
        st, got, _ = self.srv.call("GET", f"/api/contacts/{k['id']}", token=self.agent)
        self.assertEqual((st, got), (200, k))

    def test_full_contact_with_5w1h(self):
        """CALL-10: service type (ROUTE-1 class) and the 5W1H; SEC-1: the audit entry
        holds no customer data."""
        c = self.customer(surname="王", title="mr")
        now = self.srv.advance(0)
        k = self.record(customer_id=c["id"], direction="out", started_at=now - 10 * MINUTE,
                        ended_at=now - 2 * MINUTE, **{"class": "A"}, fivew=FIVEW,
                        summary="客户投诉洗车划痕，已建工单", satisfaction=4)
        self.assertEqual(k["customer_id"], c["id"])
        self.assertEqual(k["class"], "A")
        self.assertEqual(k["fivew"], FIVEW)
        self.assertEqual(k["satisfaction"], 4)
        self.assertEqual(k["ended_at"] - k["started_at"], 8 * MINUTE)
        st, got, _ = self.srv.call("GET", f"/api/contacts/{k['id']}", token=self.sup)
        self.assertEqual((st, got), (200, k))
        entry = self.srv.audit(self.mgr, action="contact.create", entity_id=k["id"])[0]
        self.assertEqual(entry["actor"], "8101")
        self.assertEqual(entry["detail"], {"channel": "phone", "direction": "out",
                                           "customer_id": c["id"], "class": "A"})
        self.assertNotIn("划痕", json.dumps(entry, ensure_ascii=False))

    def test_every_channel(self):
        """CALL-12: 400 phone, WeChat, Weibo, web chat, email, SMS, visits."""
        for ch in CHANNELS:
            with self.subTest(channel=ch):
                self.assertEqual(self.record(channel=ch)["channel"], ch)
        before = self.state()
        self.assertError(self.srv.call("POST", "/api/contacts",
                                       {"channel": "fax", "direction": "in"}, token=self.agent),
                         422, "unprocessable", "channel")
        self.assertEqual(self.state(), before)

    def test_every_class_letter(self):
        """ROUTE-1: A complaint … F harassment; sub-classes (A1) belong to work orders."""
        for cls in "ABCDEF":
            with self.subTest(cls=cls):
                self.assertEqual(self.record(**{"class": cls})["class"], cls)

    def test_attach_by_phone_creates_nothing(self):
        """CUST-5: a known number attaches the contact to its customer; an unknown one
        is kept on the contact, and no customer is invented."""
        phone = new_phone()
        c = self.customer(surname="李", phones=[{"phone": phone}])
        k = self.record(phone="+86 " + phone)
        self.assertEqual(k["customer_id"], c["id"])
        self.assertEqual(k["phone"], phone[:3] + "****" + phone[-4:])  # CUST-2
        customers = self.srv.count("SELECT count(*) FROM customer")
        unknown = new_phone()
        k = self.record(phone=unknown)
        self.assertIsNone(k["customer_id"])
        self.assertEqual(k["phone"], unknown[:3] + "****" + unknown[-4:])
        self.assertEqual(self.srv.count("SELECT count(*) FROM customer"), customers)
        self.assertEqual(self.srv.count(f"SELECT count(*) FROM contact WHERE phone = '{unknown}'"), 1)
        # customer_id wins over the number.
        other = self.customer(surname="周")
        k = self.record(customer_id=other["id"], phone=phone)
        self.assertEqual(k["customer_id"], other["id"])
        self.assertNotIn(phone, json.dumps(k))

    def test_merged_customer_resolves_to_the_survivor(self):
        """CUST-1: a contact recorded under a merged-away id lands on the survivor."""
        a = self.customer(surname="吴")
        b = self.customer(surname="吴")
        st, body, _ = self.srv.call("POST", f"/api/customers/{a['id']}/merge",
                                    {"from_id": b["id"]}, token=self.sup)
        self.assertEqual(st, 200, body)
        self.assertEqual(self.record(customer_id=b["id"])["customer_id"], a["id"])

    def test_bad_input_writes_nothing(self):
        """CALL-10 truthful records, CALL-12 channels, ROUTE-1 classes: 422 names the
        broken rule's field, 400 a wrong type or unknown field."""
        now = self.srv.advance(0)
        base = {"channel": "phone", "direction": "in"}
        bad = [
            ({"direction": "in"}, 400, "channel"),
            ({"channel": "phone"}, 400, "direction"),
            ({"channel": 1, "direction": "in"}, 400, "channel"),
            (dict(base, direction="up"), 422, "direction"),
            (dict(base, channel="carrier_pigeon_post"), 422, "channel"),
            (dict(base, **{"class": "A1"}), 422, "class"),
            (dict(base, **{"class": "G"}), 422, "class"),
            (dict(base, **{"class": 1}), 400, "class"),
            (dict(base, satisfaction=0), 422, "satisfaction"),
            (dict(base, satisfaction=6), 422, "satisfaction"),
            (dict(base, satisfaction="5"), 400, "satisfaction"),
            (dict(base, satisfaction=4.5), 400, "satisfaction"),
            (dict(base, fivew={"whom": "x"}), 400, "fivew"),
            (dict(base, fivew={"who": 1}), 400, "fivew"),
            (dict(base, fivew="5W1H"), 400, "fivew"),
            (dict(base, fivew={"what": "事" * 501}), 422, "fivew"),
            (dict(base, summary="记" * 2001), 422, "summary"),
            (dict(base, summary=["x"]), 400, "summary"),
            (dict(base, started_at=now + 60 * MINUTE), 422, "started_at"),
            (dict(base, started_at=0), 422, "started_at"),
            (dict(base, started_at=None), 400, "started_at"),
            (dict(base, started_at="now"), 400, "started_at"),
            (dict(base, started_at=now - MINUTE, ended_at=now - 2 * MINUTE), 422, "ended_at"),
            (dict(base, customer_id=999999), 422, "customer_id"),
            (dict(base, customer_id="1"), 400, "customer_id"),
            (dict(base, customer_id=0), 400, "customer_id"),
            (dict(base, phone="call me"), 422, "phone"),
            (dict(base, phone=13800000000), 400, "phone"),
            (dict(base, agent_id=1), 400, "agent_id"),   # the agent is always the caller
            (dict(base, id=5), 400, "id"),
        ]
        before = self.state()
        for body, status, field in bad:
            with self.subTest(body=body):
                code = "unprocessable" if status == 422 else "bad_request"
                self.assertError(self.srv.call("POST", "/api/contacts", body, token=self.agent),
                                 status, code, field)
        self.assertError(self.srv.call("POST", "/api/contacts", None, token=self.agent), 400)
        self.assertEqual(self.state(), before)
        for path in ("/api/contacts/999999", "/api/contacts/x"):
            self.assertError(self.srv.call("GET", path, token=self.agent), 404)


class CorrectContactTest(ContactTestCase):
    """CALL-10: a record is corrected by the agent who made it, a supervisor or the manager."""

    def test_owner_completes_the_record(self):
        """CALL-10: the agent completes the record (end, class, 5W1H, summary, rating);
        SEC-1: the audit entry names the fields, not their text."""
        k = self.record(fivew={"who": "王先生", "what": "咨询"})
        now = self.srv.advance(5 * MINUTE)
        st, body, _ = self.srv.call("PATCH", f"/api/contacts/{k['id']}", {
            "ended_at": now, "class": "E", "summary": "咨询退款流程",
            "fivew": {"what": "咨询退款", "how": "电话解答", "who": None},
            "satisfaction": 5}, token=self.agent)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["ended_at"], now)
        self.assertEqual(body["class"], "E")
        # 5W1H keys sent replace theirs, null clears one, the rest stay.
        self.assertEqual(body["fivew"], {"what": "咨询退款", "how": "电话解答"})
        self.assertEqual(body["satisfaction"], 5)
        st, got, _ = self.srv.call("GET", f"/api/contacts/{k['id']}", token=self.agent)
        self.assertEqual(got, body)
        entry = self.srv.audit(self.mgr, action="contact.update", entity_id=k["id"])[0]
        self.assertEqual(sorted(entry["detail"]["fields"]),
                         ["class", "ended_at", "fivew", "satisfaction", "summary"])
        self.assertEqual(entry["detail"]["class"], [None, "E"])
        self.assertEqual(entry["detail"]["satisfaction"], [None, 5])
        self.assertNotIn("退款", json.dumps(entry, ensure_ascii=False))
        # Clearing: satisfaction and fivew to null.
        st, body, _ = self.srv.call("PATCH", f"/api/contacts/{k['id']}",
                                    {"satisfaction": None, "fivew": None}, token=self.agent)
        self.assertEqual(st, 200, body)
        self.assertIsNone(body["satisfaction"])
        self.assertEqual(body["fivew"], {})
        # The same values again write nothing.
        before = self.state()
        st, body, _ = self.srv.call("PATCH", f"/api/contacts/{k['id']}",
                                    {"class": "E", "summary": "咨询退款流程"}, token=self.agent)
        self.assertEqual(st, 200, body)
        self.assertEqual(self.state(), before)

    def test_who_may_correct(self):
        """CALL-10: another agent may not rewrite a colleague's record (403, audited: SEC-2);
        supervisors and the manager may."""
        k = self.record(summary="原记录")
        url = f"/api/contacts/{k['id']}"
        other_id = person_id(self.srv, "8102")
        denied = self.srv.count("SELECT count(*) FROM audit WHERE action = 'access.denied'"
                                f" AND actor_id = {other_id}")
        before = self.state()
        self.assertError(self.srv.call("PATCH", url, {"summary": "别人改的"}, token=self.other),
                         403, "forbidden")
        self.assertEqual(self.state(), before)
        self.assertEqual(self.srv.count("SELECT count(*) FROM audit WHERE action ="
                                        f" 'access.denied' AND actor_id = {other_id}"), denied + 1)
        entry = self.srv.audit(self.mgr, action="access.denied", actor_id=other_id)[0]
        self.assertEqual((entry["entity"], entry["entity_id"]), ("contact", str(k["id"])))
        self.assertEqual(entry["detail"], {"permission": "contact.write", "method": "PATCH",
                                           "path": url})
        for token, text in ((self.sup, "主管更正"), (self.mgr, "经理更正"),
                            (self.agent, "本人更正")):
            st, body, _ = self.srv.call("PATCH", url, {"summary": text}, token=token)
            self.assertEqual((st, body["summary"]), (200, text))
        # The agent stays the one who recorded it.
        self.assertEqual(body["agent_id"], person_id(self.srv, "8101"))

    def test_bad_corrections_write_nothing(self):
        """CALL-10: a record keeps its channel, customer and start; broken rules are 422
        (ROUTE-1 class, truthful times) and write nothing."""
        now = self.srv.advance(0)
        k = self.record(started_at=now - MINUTE)
        url = f"/api/contacts/{k['id']}"
        before = self.state()
        for body, status, field in (
                ({"channel": "sms"}, 400, "channel"),
                ({"customer_id": "1"}, 400, "customer_id"),
                ({"customer_id": None}, 400, "customer_id"),
                ({"customer_id": 999999}, 422, "customer_id"),
                ({"started_at": now}, 400, "started_at"),
                ({"ended_at": now - 2 * MINUTE}, 422, "ended_at"),
                ({"ended_at": "later"}, 400, "ended_at"),
                ({"class": "A2"}, 422, "class"),
                ({"satisfaction": 9}, 422, "satisfaction"),
                ({"fivew": {"who": ["王"]}}, 400, "fivew")):
            with self.subTest(body=body):
                code = "unprocessable" if status == 422 else "bad_request"
                self.assertError(self.srv.call("PATCH", url, body, token=self.agent),
                                 status, code, field)
        self.assertError(self.srv.call("PATCH", "/api/contacts/999999", {"class": "E"},
                                       token=self.agent), 404)
        self.assertEqual(self.state(), before)

    def test_attach_once_then_keep_the_customer(self):
        """CUST-5, CALL-10: a contact written before the caller was known (the hotline's,
        or an unknown number's) is attached to the customer found or created during the
        contact; once attached it keeps its customer (422), and a merged id is its
        survivor."""
        phone = new_phone()
        k = self.record(phone=phone)
        self.assertIsNone(k["customer_id"])
        self.assertIsNone(k["call_id"])
        c = self.customer(name="后来建档", phones=[{"phone": phone}])
        other = self.customer(name="另一位")
        url = f"/api/contacts/{k['id']}"
        st, body, _ = self.srv.call("PATCH", url, {"customer_id": c["id"], "class": "E"},
                                    token=self.agent)
        self.assertEqual((st, body["customer_id"], body["class"]), (200, c["id"], "E"), body)
        entry = self.srv.audit(self.mgr, action="contact.update", entity_id=k["id"])[0]
        self.assertEqual(sorted(entry["detail"]["fields"]), ["class", "customer_id"])
        self.assertEqual(entry["detail"]["customer_id"], [None, c["id"]])
        # The same customer again writes nothing; another one is refused.
        before = self.state()
        st, body, _ = self.srv.call("PATCH", url, {"customer_id": c["id"]}, token=self.agent)
        self.assertEqual((st, body["customer_id"]), (200, c["id"]))
        self.assertError(self.srv.call("PATCH", url, {"customer_id": other["id"], "summary": "x"},
                                       token=self.agent), 422, "unprocessable", "customer_id")
        self.assertEqual(self.state(), before)
        # Another agent may not attach a colleague's contact either.
        k2 = self.record(phone=new_phone())
        self.assertError(self.srv.call("PATCH", f"/api/contacts/{k2['id']}",
                                       {"customer_id": c["id"]}, token=self.other), 403)
        # A merged-away customer's id attaches to the survivor.
        st, merged, _ = self.srv.call("POST", f"/api/customers/{c['id']}/merge",
                                      {"from_id": other["id"]}, token=self.mgr)
        self.assertEqual(st, 200, merged)
        st, body, _ = self.srv.call("PATCH", f"/api/contacts/{k2['id']}",
                                    {"customer_id": other["id"]}, token=self.agent)
        self.assertEqual((st, body["customer_id"]), (200, c["id"]), body)


class ListContactsTest(ContactTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t0 = cls.srv.advance(0)
        st, c, _ = cls.srv.call("POST", "/api/customers", {"surname": "列"}, token=cls.mgr)
        assert st == 201, c
        cls.cust = c["id"]
        cls.made = []
        for i in range(6):
            body = {"channel": "wechat", "direction": "in", "started_at": cls.t0 - (6 - i) * MINUTE}
            if i % 2 == 0:
                body["customer_id"] = cls.cust
            st, k, _ = cls.srv.call("POST", "/api/contacts", body,
                                    token=cls.agent if i < 4 else cls.other)
            assert st == 201, k
            cls.made.append(k)

    def ids(self, query):
        items, _ = all_pages(self.srv, "/api/contacts?" + query, self.agent, 50)
        return [k["id"] for k in items]

    def test_filters_newest_first(self):
        """CALL-10, CUST-1: a customer's or an agent's contacts, by time, newest first."""
        ids = [k["id"] for k in self.made]
        self.assertEqual(self.ids(f"customer_id={self.cust}"), [ids[4], ids[2], ids[0]])
        agent = person_id(self.srv, "8102")
        self.assertEqual(self.ids(f"agent_id={agent}"), [ids[5], ids[4]])
        frm, to = self.t0 - 4 * MINUTE, self.t0 - 2 * MINUTE
        self.assertEqual(self.ids(f"from={frm}&to={to}"), [ids[3], ids[2]])
        self.assertEqual(self.ids(f"customer_id={self.cust}&from={frm}"), [ids[4], ids[2]])
        self.assertEqual(self.ids("customer_id=999999"), [])
        for bad in ("customer_id=x", "customer_id=0", "agent_id=-1", "from=yesterday",
                    "limit=0", "cursor=x"):
            with self.subTest(query=bad):
                self.assertError(self.srv.call("GET", "/api/contacts?" + bad, token=self.agent), 400)

    def test_pagination_sees_every_contact_once(self):
        """CALL-10: cursor pages list every contact once."""
        frm = self.t0 - 7 * MINUTE
        items, pages = all_pages(self.srv, f"/api/contacts?from={frm}&to={self.t0}", self.agent, 4)
        self.assertEqual([k["id"] for k in items], [k["id"] for k in reversed(self.made)])
        self.assertEqual([len(p) for p in pages], [4, 2])


class ContactPermissionTest(ContactTestCase):
    """SEC-1: contacts are for those who serve customers; staff, HR, IT and the office
    have no access; every denial is audited (SEC-2)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tokens = {role: cls.srv.login(w) for role, w in ACCOUNTS.items()}
        cls.ids = {role: person_id(cls.srv, w) for role, w in ACCOUNTS.items()}
        st, k, _ = cls.srv.call("POST", "/api/contacts", {"channel": "phone", "direction": "in"},
                                token=cls.mgr)
        assert st == 201, k
        cls.target = k["id"]

    def test_every_endpoint_for_every_role(self):
        """CUST-2, SEC-1 least privilege: contacts are for those who serve customers;
        SEC-2 every denial audited."""
        cases = [
            ("GET", "/api/contacts", None, 200),
            ("POST", "/api/contacts", {"channel": "sms", "direction": "out"}, 201),
            ("GET", f"/api/contacts/{self.target}", None, 200),
            # The manager recorded it: supervisors and the manager may correct it, agents not.
            ("PATCH", f"/api/contacts/{self.target}", {"summary": "更正"}, 200),
        ]
        for (method, path, body, ok_status), role in itertools.product(cases, ACCOUNTS):
            with self.subTest(call=f"{method} {path}", role=role):
                allowed = role in SERVE and not (method == "PATCH" and role == "agent")
                denied = self.srv.count("SELECT count(*) FROM audit WHERE action ="
                                        f" 'access.denied' AND actor_id = {self.ids[role]}")
                contacts = self.srv.count("SELECT count(*) FROM contact")
                resp = self.srv.call(method, path, body, token=self.tokens[role])
                if allowed:
                    self.assertEqual(resp[0], ok_status, resp[1])
                else:
                    self.assertError(resp, 403, "forbidden")
                    self.assertEqual(self.srv.count("SELECT count(*) FROM audit WHERE action ="
                                                    " 'access.denied' AND actor_id ="
                                                    f" {self.ids[role]}"), denied + 1)
                    self.assertEqual(self.srv.count("SELECT count(*) FROM contact"), contacts)

    def test_unauthenticated_gets_401(self):
        """CUST-2, SEC-1: nothing about contacts without a login; nothing written."""
        before = self.state()
        for method, path, body in (("GET", "/api/contacts", None),
                                   ("POST", "/api/contacts", {"channel": "sms", "direction": "out"}),
                                   ("GET", f"/api/contacts/{self.target}", None),
                                   ("PATCH", f"/api/contacts/{self.target}", {"summary": "x"})):
            with self.subTest(method=method, path=path):
                self.assertError(self.srv.call(method, path, body), 401, "unauthenticated")
        self.assertEqual(self.state(), before)
