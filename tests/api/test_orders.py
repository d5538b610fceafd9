"""Work orders end to end over the API, with the fake clock (no sleeping).

Each test names the rules it proves (shared/spec/RULES.md).
"""
import threading
from urllib.parse import quote

from apihelp import MINUTE, HOUR, db_value, dept_id, person_id
from harness import KefuTestCase


class OrderCase(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        cls.agent = s.login("8101")
        cls.agent2 = s.login("8102")
        cls.agent3 = s.login("8103")
        cls.sup = s.login("8002")
        cls.mgr = s.login("8001")
        cls.head = s.login("2001")      # 城市客服部's responsible person
        cls.staff = s.login("2002")     # 城市客服部 staff
        cls.market = s.login("3001")    # 集团市场部's responsible person

    def create(self, body, token=None, status=201):
        st, o, _ = self.srv.call("POST", "/api/orders", body, token=token or self.agent)
        self.assertEqual(st, status, o)
        return o

    def act(self, oid, action, body=None, token=None, status=200):
        st, o, _ = self.srv.call("POST", f"/api/orders/{oid}/{action}", body or {},
                                 token=token or self.head)
        self.assertEqual(st, status, o)
        return o

    def sla(self, order, metric):
        return next(c for c in order["sla"] if c["metric"] == metric)

    def get(self, oid, token=None):
        st, o, _ = self.srv.call("GET", f"/api/orders/{oid}", token=token or self.mgr)
        self.assertEqual(st, 200, o)
        return o


class VehicleDamageScenarioTest(OrderCase):
    def test_a1_vehicle_damage_from_dispatch_to_archive(self):
        """ROUTE-2, WO-2, WO-3, WO-4, WO-6, WO-8, CB-1, CB-2, ROUTE-3, WO-7: an A1-Ⅳ
        vehicle-damage complaint goes to 城市客服部 with 10 min / 1 h deadlines, misses
        the callback and escalates to the superior, is reported, called back "not
        accepted", re-called by another agent, and archived."""
        s = self.srv
        o = self.create({"complaint": "vehicle_damage", "summary": "洗车过程中车辆损伤，左前门划痕"})
        self.assertEqual(o["label"], "A1-Ⅳ")
        self.assertTrue(o["onsite"])
        self.assertRegex(o["number"], r"^A1-\d{8}-\d{4}$")
        self.assertEqual(o["department_id"], dept_id(s, "城市客服部"))
        self.assertEqual(o["owner_id"], person_id(s, "2001"))
        self.assertEqual(o["state"], "dispatched")
        self.assertEqual(self.sla(o, "callback")["due_at"] - o["created_at"], 10 * MINUTE)
        self.assertEqual(self.sla(o, "onsite")["due_at"] - o["created_at"], HOUR)
        self.assertEqual(self.sla(o, "resolve")["due_at"] - o["created_at"], 24 * HOUR)

        # A queue shows each order's deadline clocks, as the order itself does (WO-2).
        st, l, _ = s.call("GET", "/api/orders?view=department", token=self.head)
        item = next(x for x in l["items"] if x["id"] == o["id"])
        self.assertEqual([(c["metric"], c["due_at"], c["state"]) for c in item["sla"]],
                         [(c["metric"], c["due_at"], c["state"]) for c in o["sla"]])

        # The owner is told at once; the first-contact agent follows it (WO-8).
        st, n, _ = s.call("GET", "/api/notifications", token=self.head)
        self.assertTrue(any(x["kind"] == "order.new" and x["order_id"] == o["id"] for x in n["items"]))
        st, l, _ = s.call("GET", "/api/orders?view=followups", token=self.agent)
        self.assertIn(o["id"], [x["id"] for x in l["items"]])

        # 8 minutes: the warning; 11 minutes: the breach and one level of escalation.
        s.advance(8 * MINUTE)
        self.assertTrue(self.sla(self.get(o["id"]), "callback")["warned"])
        self.assertFalse(self.sla(self.get(o["id"]), "callback")["breached"])
        s.advance(3 * MINUTE)
        o = self.get(o["id"])
        self.assertTrue(self.sla(o, "callback")["breached"])
        self.assertEqual(o["escalation_level"], 1)
        gm = person_id(s, "1001")   # 2001's direct superior
        self.assertIn({"person_id": gm, "reason": "breach", "level": 1},
                      [{k: r[k] for k in ("person_id", "reason", "level")} for r in o["responsible"]])
        st, l, _ = s.call("GET", "/api/orders?view=overdue", token=self.sup)
        self.assertIn(o["id"], [x["id"] for x in l["items"]])
        st, l, _ = s.call("GET", "/api/orders?view=escalated", token=self.sup)
        self.assertIn(o["id"], [x["id"] for x in l["items"]])
        gm_token = s.login("1001")
        st, n, _ = s.call("GET", "/api/notifications", token=gm_token)
        self.assertTrue(any(x["kind"] == "order.escalated" for x in n["items"]))
        # The breach fired once however often the scheduler runs.
        s.advance(0)
        st, ev, _ = s.call("GET", f"/api/orders/{o['id']}/events", token=self.mgr)
        kinds = [(e["metric"], e["kind"]) for e in ev["sla_events"]]
        self.assertEqual(kinds.count(("callback", "breached")), 1)
        self.assertEqual(kinds.count(("callback", "warned")), 1)

        # The owner works it: accept, call back (late), visit, report (WO-6).
        self.act(o["id"], "accept")
        o = self.act(o["id"], "call")
        self.assertEqual(self.sla(o, "callback")["state"], "met")
        self.assertError(s.call("POST", f"/api/orders/{o['id']}/report", {"solution": "已赔偿"},
                                token=self.head), 422, field="onsite")
        self.act(o["id"], "onsite")
        o = self.act(o["id"], "report", {"solution": "协商赔偿补漆", "effect": "客户接受",
                                         "remaining": "无"})
        self.assertEqual(o["state"], "reported")
        self.assertEqual(o["report"]["solution"], "协商赔偿补漆")
        self.assertIsNotNone(o["callback"])

        # CB-1: the callback queue holds it, with the CB-2 script.
        st, q, _ = s.call("GET", "/api/callbacks", token=self.agent2)
        item = next(x for x in q["items"] if x["order_id"] == o["id"])
        self.assertIn("工号8102", item["script"])
        self.assertIn("协商赔偿补漆", item["script"])

        # CB-2: not accepted; the same agent may not call again; another agent does.
        o = self.act(o["id"], "callback", {"outcome": "not_accepted", "note": "客户对补漆不满意"},
                     token=self.agent2)
        self.assertEqual(o["state"], "reported")
        self.assertEqual(o["callback"]["excluded_id"], person_id(s, "8102"))
        self.assertError(s.call("POST", f"/api/orders/{o['id']}/callback", {"outcome": "accepted"},
                                token=self.agent2), 409, "conflict")
        o = self.act(o["id"], "callback", {"outcome": "accepted"}, token=self.agent3)
        self.assertEqual(o["state"], "archived")
        self.assertIsNotNone(o["archive_month"])
        st, l, _ = s.call("GET", "/api/orders?view=followups", token=self.agent)
        self.assertNotIn(o["id"], [x["id"] for x in l["items"]])
        # Every step is in the order's history and the audit log.
        st, ev, _ = s.call("GET", f"/api/orders/{o['id']}/events", token=self.mgr)
        kinds = [e["kind"] for e in ev["events"]]
        for k in ["order.create", "order.escalated", "order.accept", "order.call", "order.onsite",
                  "order.report", "order.callback"]:
            self.assertIn(k, kinds)
        self.assertTrue(s.audit(self.mgr, entity="work_order", entity_id=o["id"]))


class RoutingTest(OrderCase):
    def test_center_handles_e_and_a1_levels_one_and_two(self):
        """ROUTE-2, WO-3, WO-8: E and A1-Ⅰ/Ⅱ stay with the center: the agent owns them."""
        me = person_id(self.srv, "8101")
        for body in [{"class": "E", "summary": "咨询洗车价格"},
                     {"complaint": "pay_failed", "summary": "无法支付"},
                     {"class": "A1", "level": "Ⅱ", "summary": "客户情绪激动，退款问题"}]:
            o = self.create(body)
            self.assertEqual(o["owner_id"], me, body)
            self.assertEqual(o["state"], "accepted")
            self.assertEqual(o["department_id"], dept_id(self.srv, "客服中心"))

    def test_f_closes_at_once_and_keeps_the_contact(self):
        """ROUTE-2, CALL-7: harassment is closed at once, with no deadlines."""
        o = self.create({"class": "F", "summary": "骚扰电话"})
        self.assertEqual(o["state"], "archived")
        self.assertEqual(o["close_reason"], "harassment")
        self.assertEqual(o["sla"], [])

    def test_departments_by_class(self):
        """ROUTE-2, WO-2: A2 → 集团市场部 (30 min / 3 days), B → 市场运营部, C → 媒介部."""
        for cls, dept, head, callback in [("A2", "集团市场部", "3001", 30), ("B", "市场运营部", "4001", 30),
                                          ("C", "媒介部", "5001", 30)]:
            o = self.create({"class": cls, "level": "Ⅲ" if cls == "A2" else None,
                             "summary": f"{cls}类来电"} if cls == "A2" else
                            {"class": cls, "summary": f"{cls}类来电"})
            self.assertEqual(o["department_id"], dept_id(self.srv, dept))
            self.assertEqual(o["owner_id"], person_id(self.srv, head))
            self.assertEqual(self.sla(o, "callback")["due_at"] - o["created_at"], callback * MINUTE)
            if cls == "A2":
                self.assertEqual(self.sla(o, "onsite")["due_at"] - o["created_at"], 3 * 24 * HOUR)

    def test_catalogue_names_its_department(self):
        """WO-10: an app crash is recorded and sent to 技术部."""
        o = self.create({"complaint": "tech_app_crash", "summary": "APP闪退"})
        self.assertEqual(o["department_id"], dept_id(self.srv, "技术部"))

    def test_second_complaint_goes_to_the_superior_of_the_person(self):
        """ROUTE-2, WO-2: D goes to the superior of the person complained about, 10 min / 1 h;
        the earlier complaint of the same customer is proposed."""
        s = self.srv
        st, c, _ = s.call("POST", "/api/customers", {"name": "王五", "surname": "王", "title": "mr",
                                                    "phones": [{"phone": "13912345678"}]},
                          token=self.agent)
        self.assertEqual(st, 201, c)
        first = self.create({"complaint": "svc_attitude", "summary": "洗护师态度差",
                             "customer_id": c["id"]})
        st, p, _ = s.call("GET", f"/api/orders/second-complaint?customer_id={c['id']}"
                                 "&complaint=svc_attitude", token=self.agent)
        self.assertEqual(st, 200, p)
        self.assertEqual(p["proposed_class"], "D")
        self.assertEqual(p["related"]["id"], first["id"])
        d = self.create({"class": "D", "onsite": True, "summary": "再次投诉洗护师态度",
                         "customer_id": c["id"], "related_id": first["id"],
                         "subject_id": person_id(s, "2002")})
        self.assertEqual(d["owner_id"], person_id(s, "2001"))
        self.assertEqual(self.sla(d, "callback")["due_at"] - d["created_at"], 10 * MINUTE)
        self.assertEqual(self.sla(d, "onsite")["due_at"] - d["created_at"], HOUR)
        self.assertError(s.call("POST", "/api/orders", {"class": "D", "summary": "x"},
                                token=self.agent), 422, field="subject_id")
        st, p, _ = s.call("GET", "/api/orders/second-complaint?customer_id=999999", token=self.agent)
        self.assertIsNone(p["proposed_class"])


class TransitionTest(OrderCase):
    def test_every_illegal_transition_is_409_and_changes_nothing(self):
        """WO-1, ROUTE-3: an action outside its states is refused with 409."""
        s = self.srv
        o = self.create({"class": "A1", "level": "Ⅲ", "summary": "纠纷"})
        legal = {
            "dispatched": {"assign", "accept", "cancel", "help", "progress", "promise", "pause", "resume"},
        }
        bodies = {"assign": {"person_id": person_id(s, "2003")}, "report": {"solution": "x"},
                  "callback": {"outcome": "accepted"}, "reopen": {"reason": "x"},
                  "cancel": {"reason": "x"}, "progress": {"text": "x"}, "promise": {"kind": "order"},
                  "pause": {"reason": "x"}}
        version = self.get(o["id"])["version"]
        for action in ["accept", "call", "onsite", "finish", "report", "callback", "reopen"]:
            if action in legal["dispatched"]:
                continue
            with self.subTest(action=action):
                token = self.agent if action == "callback" else self.sup
                self.assertError(s.call("POST", f"/api/orders/{o['id']}/{action}",
                                        bodies.get(action, {}), token=token), 409, "conflict")
        self.assertEqual(self.get(o["id"])["version"], version)
        # Archived and cancelled orders accept nothing but reopen (archived only).
        f = self.create({"class": "F", "summary": "骚扰"})
        for action in ["accept", "call", "report", "cancel", "help", "assign"]:
            with self.subTest(state="archived", action=action):
                self.assertError(s.call("POST", f"/api/orders/{f['id']}/{action}",
                                        bodies.get(action, {}), token=self.sup), 409)
        c = self.create({"class": "B", "summary": "意向商家"})
        self.act(c["id"], "cancel", {"reason": "客户撤回"}, token=self.sup)
        for action in ["accept", "reopen", "cancel", "report"]:
            with self.subTest(state="cancelled", action=action):
                self.assertError(s.call("POST", f"/api/orders/{c['id']}/{action}",
                                        bodies.get(action, {}), token=self.sup), 409)
        # Cancelling cancels the clocks.
        self.assertTrue(all(x["state"] == "cancelled" for x in self.get(c["id"])["sla"]))

    def test_stale_version_is_409(self):
        o = self.create({"class": "A1", "level": "Ⅲ", "summary": "纠纷"})
        self.act(o["id"], "accept", {"version": o["version"]})
        self.assertError(self.srv.call("POST", f"/api/orders/{o['id']}/call", {"version": o["version"]},
                                       token=self.head), 409, field="version")

    def test_help_by_hand_adds_the_superior_and_keeps_the_reason(self):
        """WO-4: the owner asks the level up; the superior becomes responsible and the
        order's history says why."""
        s = self.srv
        o = self.create({"class": "A1", "level": "Ⅲ", "summary": "纠纷"})
        o = self.act(o["id"], "help", {"reason": "客户要求经理出面"})
        self.assertIn((person_id(s, "1001"), "help", 1),
                      [(r["person_id"], r["reason"], r["level"]) for r in o["responsible"]])
        st, ev, _ = s.call("GET", f"/api/orders/{o['id']}/events", token=self.head)
        self.assertEqual(st, 200)
        help_ev = [e for e in ev["events"] if e["kind"] == "order.help"]
        self.assertEqual([e["detail"] for e in help_ev], [{"reason": "客户要求经理出面"}])

    def test_call_and_onsite_keep_an_optional_note(self):
        """已联系客户 / 已到场 meet a clock for good: the workbench confirms them, and what
        was said or found may go with them into the history (issue 12)."""
        s = self.srv
        o = self.create({"class": "A1", "level": "Ⅲ", "summary": "纠纷"})
        self.act(o["id"], "accept")
        version = self.get(o["id"])["version"]
        self.assertError(s.call("POST", f"/api/orders/{o['id']}/call", {"note": "话" * 2001},
                                token=self.head), 422, field="note")
        self.assertEqual(self.get(o["id"])["version"], version, "nothing written")
        self.assertEqual(self.sla(self.get(o["id"]), "callback")["state"], "running")
        self.act(o["id"], "call", {"note": "已联系，约明早上门"})
        self.act(o["id"], "onsite")
        st, ev, _ = s.call("GET", f"/api/orders/{o['id']}/events", token=self.head)
        self.assertEqual(st, 200)
        got = {e["kind"]: e["detail"] for e in ev["events"]
               if e["kind"] in ("order.call", "order.onsite")}
        self.assertEqual(got, {"order.call": {"note": "已联系，约明早上门"}, "order.onsite": None})

    def test_reasons_and_fields_are_checked(self):
        s = self.srv
        o = self.create({"class": "A1", "level": "Ⅲ", "summary": "纠纷"})
        self.assertError(s.call("POST", f"/api/orders/{o['id']}/cancel", {}, token=self.sup), 422,
                         field="reason")
        self.assertError(s.call("POST", f"/api/orders/{o['id']}/promise", {"kind": "soon"},
                                token=self.agent), 422, field="kind")
        self.assertError(s.call("POST", f"/api/orders/{o['id']}/assign", {}, token=self.sup), 400,
                         field="person_id")
        self.assertError(s.call("POST", f"/api/orders/{o['id']}/accept", {"bogus": 1},
                                token=self.head), 400, field="bogus")
        n = db_value(s, "SELECT count(*) FROM work_order")
        for bad, code, field in [({"summary": "x"}, 400, "class"),
                                 ({"class": "Z9", "summary": "x"}, 422, "class"),
                                 ({"class": "A1", "level": "Ⅴ", "summary": "x"}, 422, "level"),
                                 ({"class": "A1"}, 400, "summary"),
                                 ({"class": "A1", "summary": "x" * 1001}, 422, "summary"),
                                 ({"class": "A1", "summary": 5}, 400, "summary"),
                                 ({"class": "E", "summary": "x", "customer_id": 999999}, 422, "customer_id"),
                                 ({"complaint": "nope", "summary": "x"}, 422, "complaint")]:
            with self.subTest(body=bad):
                self.assertError(s.call("POST", "/api/orders", bad, token=self.agent), code, field=field)
        self.assertEqual(db_value(s, "SELECT count(*) FROM work_order"), n)


class CallbackScriptTest(OrderCase):
    def test_script_greets_the_customer_by_form_of_address(self):
        """CB-2, CUST-5: the callback script asks for the customer by their form of
        address, and the queue item carries the customer's summary (phones masked)."""
        s = self.srv
        st, c, _ = s.call("POST", "/api/customers", {"name": "王小明", "surname": "王", "title": "mr",
                                                      "phones": [{"phone": "13811112222"}]},
                          token=self.agent)
        self.assertEqual(st, 201, c)
        o = self.create({"complaint": "merchant_dispute", "customer_id": c["id"], "summary": "纠纷"})
        for action, body in (("accept", None), ("call", None), ("onsite", None),
                             ("report", {"solution": "已协商解决"})):
            o = self.act(o["id"], action, body)
        st, q, _ = s.call("GET", "/api/callbacks", token=self.agent2)
        item = next(x for x in q["items"] if x["order_id"] == o["id"])
        self.assertTrue(item["script"].startswith("您好，请问是王先生吗？"), item["script"])
        self.assertEqual(item["customer"]["address_as"], "王先生")
        self.assertEqual(item["customer"]["phones"][0]["phone"], "138****2222")


class ArchiveTest(OrderCase):
    def test_archiving_ends_every_clock(self):
        """ROUTE-3, CALL-14: once archived, nothing of the order can still breach — a
        promise quoted to the customer ends with it."""
        s = self.srv
        o = self.create({"class": "B", "summary": "加盟咨询", "promise": "complaint"})
        mkt = s.login("4001")
        self.act(o["id"], "accept", token=mkt)
        self.act(o["id"], "report", {"solution": "已约见"}, token=mkt)
        o = self.act(o["id"], "callback", {"outcome": "accepted"}, token=self.agent2)
        self.assertEqual(o["state"], "archived")
        self.assertEqual([c["metric"] for c in o["sla"] if c["state"] in ("running", "paused")], [])
        s.advance(25 * HOUR)   # every session has expired by now
        st, got, _ = s.call("GET", f"/api/orders/{o['id']}", token=s.login("8001"))
        self.assertEqual(got["escalation_level"], 0)
        self.assertEqual([c["breached"] for c in got["sla"]], [False] * len(got["sla"]))


class ConcurrencyTest(OrderCase):
    def test_concurrent_accepts_one_wins(self):
        """Concurrent updates to one order: exactly one accept succeeds, the rest are 409."""
        o = self.create({"class": "A1", "level": "Ⅲ", "summary": "并发"})
        out = []

        def go():
            st, _, _ = self.srv.call("POST", f"/api/orders/{o['id']}/accept", {}, token=self.head)
            out.append(st)
        threads = [threading.Thread(target=go) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(out), [200] + [409] * 7)
        self.assertEqual(db_value(self.srv, f"SELECT count(*) FROM wo_event WHERE order_id = {o['id']}"
                                            " AND kind = 'order.accept'"), 1)

    def test_concurrent_creation_numbers_are_unique(self):
        out = []

        def go():
            st, b, _ = self.srv.call("POST", "/api/orders", {"class": "E", "summary": "并发咨询"},
                                     token=self.agent)
            out.append((st, b.get("number")))
        threads = [threading.Thread(target=go) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertTrue(all(st == 201 for st, _ in out), out)
        self.assertEqual(len({n for _, n in out}), 10)


class PermissionTest(OrderCase):
    def test_who_may_do_what(self):
        """SEC-1, least privilege: staff see their department's orders; only the owner
        or responsible people work an order; only supervisors and managers assign."""
        s = self.srv
        o = self.create({"class": "A1", "level": "Ⅲ", "summary": "权限"})
        m = self.create({"class": "A2", "level": "Ⅲ", "summary": "商家投诉"})   # 集团市场部
        st, l, _ = s.call("GET", "/api/orders", token=self.staff)
        ids = [x["id"] for x in l["items"]]
        self.assertIn(o["id"], ids)
        self.assertNotIn(m["id"], ids)
        self.assertError(s.call("GET", f"/api/orders/{m['id']}", token=self.staff), 403)
        self.assertError(s.call("GET", f"/api/orders?department_id={dept_id(s, '集团市场部')}",
                                token=self.staff), 403)
        self.assertError(s.call("POST", f"/api/orders/{o['id']}/accept", {}, token=self.staff), 403)
        self.assertError(s.call("POST", f"/api/orders/{o['id']}/assign",
                                {"person_id": person_id(s, "2002")}, token=self.agent), 403)
        self.assertError(s.call("POST", "/api/orders", {"class": "E", "summary": "x"},
                                token=self.staff), 403)
        hr = s.login("7002")
        self.assertError(s.call("GET", f"/api/orders/{o['id']}", token=hr), 403)
        admin = s.login("admin")
        self.assertError(s.call("GET", "/api/orders", token=admin), 403)
        # Assigned to the staff member, they may work it.
        self.act(o["id"], "assign", {"person_id": person_id(s, "2002")}, token=self.sup)
        self.act(o["id"], "accept", token=self.staff)
        self.assertTrue(s.audit(self.mgr, action="access.denied"))
        self.assertError(s.call("GET", "/api/orders"), 401)

    def test_search_finds_one_and_two_character_words(self):
        """Search over summaries and reports finds one- and two-character Chinese words."""
        s = self.srv
        a = self.create({"class": "E", "summary": "咨询会员积分规则"})
        b = self.create({"class": "A1", "level": "Ⅲ", "summary": "车辆划痕，客户要求赔偿"})
        for q, expect, absent in [("积", a, b), ("积分", a, b), ("划痕", b, a), ("赔", b, a),
                                  ("车辆 赔偿", b, a), ("会员积分规则", a, b)]:
            with self.subTest(q=q):
                st, l, _ = s.call("GET", "/api/orders?q=" + quote(q), token=self.mgr)
                ids = [x["id"] for x in l["items"]]
                self.assertIn(expect["id"], ids)
                self.assertNotIn(absent["id"], ids)
        self.act(b["id"], "accept")
        self.act(b["id"], "call")
        self.act(b["id"], "onsite")
        self.act(b["id"], "report", {"solution": "补漆完毕"})
        st, l, _ = s.call("GET", "/api/orders?q=" + quote("补漆"), token=self.mgr)
        self.assertEqual([x["id"] for x in l["items"]], [b["id"]])


class CrashTest(KefuTestCase):
    def test_acknowledged_writes_survive_a_crash(self):
        """Durability: every order answered 201 is there after kefu is killed with
        SIGKILL (no shutdown, no checkpoint), with its clocks."""
        s = self.srv
        agent = s.login("8101")
        made = []
        for i in range(20):
            st, o, _ = s.call("POST", "/api/orders", {"class": "A1", "level": "Ⅲ",
                                                      "summary": f"崩溃测试{i}"}, token=agent)
            self.assertEqual(st, 201, o)
            made.append(o["id"])
        s.restart(crash=True)
        mgr = s.login("8001")
        for oid in made:
            st, o, _ = s.call("GET", f"/api/orders/{oid}", token=mgr)
            self.assertEqual(st, 200, o)
            self.assertEqual(len(o["sla"]), 3)


class RestartTest(KefuTestCase):
    def test_deadline_that_passed_while_down_fires_once_at_start(self):
        """A deadline that passes while kefu is down fires when it runs again, once."""
        s = self.srv
        agent = s.login("8101")
        st, o, _ = s.call("POST", "/api/orders", {"class": "A1", "level": "Ⅲ", "summary": "重启"},
                          token=agent)
        self.assertEqual(st, 201, o)
        s.restart()
        mgr = s.login("8001")
        # The new process's clock is past the deadline: its first tick fires it, once.
        s.advance(11 * MINUTE)
        s.advance(0)
        st, ev, _ = s.call("GET", f"/api/orders/{o['id']}/events", token=mgr)
        kinds = [(e["metric"], e["kind"]) for e in ev["sla_events"]]
        self.assertEqual(kinds.count(("callback", "breached")), 1)
        st, got, _ = s.call("GET", f"/api/orders/{o['id']}", token=mgr)
        self.assertEqual(got["escalation_level"], 1)
