"""Work orders end to end over the API, with the fake clock (no sleeping).

Each test names the rules it proves (shared/spec/RULES.md).
"""
import threading
from urllib.parse import quote

from apihelp import MINUTE, HOUR, db_value, dept_id, person_id
from harness import KefuTestCase

# The number an order's owner calls the customer back on, when the test's order
# has no customer on record (an order with a callback deadline needs one).
PHONE = "13800138000"


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
        if not {"customer_id", "contact_id", "phone"} & body.keys():
            body = dict(body, phone=PHONE)
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
        self.assertError(s.call("POST", "/api/orders", {"class": "D", "summary": "x",
                                                        "phone": PHONE},
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
                                 ({"complaint": "nope", "summary": "x"}, 422, "complaint"),
                                 # WO-2 (issue 12): a callback deadline needs a way to call.
                                 ({"class": "A1", "level": "Ⅲ", "summary": "x"}, 422, "phone"),
                                 ({"complaint": "vehicle_damage", "summary": "x"}, 422, "phone"),
                                 ({"class": "B", "summary": "x", "phone": "电话"}, 422, "phone")]:
            with self.subTest(body=bad):
                self.assertError(s.call("POST", "/api/orders", bad, token=self.agent), code, field=field)
        self.assertEqual(db_value(s, "SELECT count(*) FROM work_order"), n)


class OrderPageTest(OrderCase):
    FIVEW = {"when": "昨天下午三点", "who": "王先生", "where": "朝阳区门店",
             "what": "洗车后车身有划痕", "why": "洗护师操作不当", "how": "要求上门查看"}

    def test_order_carries_its_contacts_5w1h(self):
        """CALL-10 (issue 12): the on-site staff read the 5W1H the agent took, on the order."""
        s = self.srv
        st, k, _ = s.call("POST", "/api/contacts", {"channel": "phone", "direction": "in",
                                                    "phone": "13912345678", "fivew": self.FIVEW,
                                                    "summary": "车身划痕"}, token=self.agent)
        self.assertEqual(st, 201, k)
        o = self.create({"class": "A1", "level": "Ⅲ", "summary": "洗车划痕", "contact_id": k["id"]})
        got = self.get(o["id"], token=self.staff)      # 城市客服部 staff
        self.assertEqual([(c["id"], c["role"]) for c in got["contacts"]], [(k["id"], "cause")])
        self.assertEqual(got["contacts"][0]["fivew"], self.FIVEW)
        self.assertEqual(got["contacts"][0]["phone"], "139****5678")
        self.assertEqual(got["contacts"][0]["agent_id"], person_id(s, "8101"))

    def test_people_are_named_for_staff(self):
        """Issue 12: staff cannot read the directory, but the order names its people."""
        s = self.srv
        o = self.create({"class": "A1", "level": "Ⅲ", "summary": "名字"})
        self.assertError(s.call("GET", f"/api/people/{person_id(s, '8101')}", token=self.staff), 403)
        got = self.get(o["id"], token=self.staff)
        named = {p["id"]: (p["name"], p["work_no"]) for p in got["people"]}
        self.assertEqual(named[person_id(s, "8101")], ("刘洋", "8101"))
        self.assertEqual(named[person_id(s, "2001")], ("孙强", "2001"))
        st, l, _ = s.call("GET", "/api/orders?view=department", token=self.staff)
        self.assertIn(o["id"], [x["id"] for x in l["items"]])
        named = {p["id"]: (p["name"], p["work_no"]) for p in l["people"]}
        self.assertEqual(named[person_id(s, "8101")], ("刘洋", "8101"))
        self.assertEqual(named[person_id(s, "2001")], ("孙强", "2001"))
        self.act(o["id"], "assign", {"person_id": person_id(s, "2002"), "reason": "改派"},
                 token=self.sup)
        st, ev, _ = s.call("GET", f"/api/orders/{o['id']}/events", token=self.staff)
        self.assertEqual(st, 200)
        named = {p["id"]: (p["name"], p["work_no"]) for p in ev["people"]}
        for who in ("8101", "8002", "2001", "2002"):
            self.assertIn(person_id(s, who), named, who)
        self.assertEqual(named[person_id(s, "8002")], ("张敏", "8002"))

    def test_allowed_actions_follow_state_and_role(self):
        """WO-1, WO-2, CB-2 (issue 12): the order offers what the server will accept."""
        s = self.srv
        o = self.create({"class": "A1", "level": "Ⅲ", "summary": "动作"})    # a visit is needed
        self.assertEqual(self.get(o["id"], token=self.head)["allowed_actions"],
                         ["accept", "help", "refer"])
        self.assertEqual(set(self.get(o["id"], token=self.agent)["allowed_actions"]),
                         {"progress", "promise"})
        self.assertEqual(set(self.get(o["id"], token=self.sup)["allowed_actions"]),
                         {"assign", "accept", "cancel", "help", "progress", "promise", "pause",
                          "refer"})
        self.act(o["id"], "accept")
        # Before the visit the report is not offered, and the server refuses it alike.
        allowed = self.get(o["id"], token=self.head)["allowed_actions"]
        self.assertEqual(allowed, ["call", "onsite", "finish", "help", "refer"])
        self.assertError(s.call("POST", f"/api/orders/{o['id']}/report", {"solution": "x"},
                                token=self.head), 422, field="onsite")
        self.act(o["id"], "onsite")
        self.assertIn("report", self.get(o["id"], token=self.head)["allowed_actions"])
        # No visit needed: none offered, and none accepted.
        b = self.create({"class": "B", "summary": "意向商家咨询"})
        self.act(b["id"], "accept", token=self.srv.login("4001"))
        self.assertNotIn("onsite", self.get(b["id"], token=self.mgr)["allowed_actions"])
        self.assertError(s.call("POST", f"/api/orders/{b['id']}/onsite", {}, token=self.mgr),
                         422, field="onsite")
        # Reported: the callback is offered to agents, not to the agent it excluded (CB-2).
        self.act(o["id"], "report", {"solution": "已处理"})
        self.assertIn("callback", self.get(o["id"], token=self.agent2)["allowed_actions"])
        self.act(o["id"], "callback", {"outcome": "not_accepted"}, token=self.agent2)
        self.assertNotIn("callback", self.get(o["id"], token=self.agent2)["allowed_actions"])
        self.assertIn("callback", self.get(o["id"], token=self.agent3)["allowed_actions"])

    def test_reassign_needs_a_reason_and_replaces_the_owner(self):
        """Issue 12: reassigning asks why, the old owner stops being responsible (kept on
        record), and only people who can own the order are offered or accepted."""
        s = self.srv
        o = self.create({"class": "A1", "level": "Ⅲ", "summary": "改派"})
        head, staff = person_id(s, "2001"), person_id(s, "2002")
        self.assertError(s.call("POST", f"/api/orders/{o['id']}/assign", {"person_id": staff},
                                token=self.sup), 422, field="reason")
        st, owners, _ = s.call("GET", f"/api/orders/{o['id']}/owners", token=self.sup)
        self.assertEqual(st, 200, owners)
        ids = {p["id"] for p in owners["items"]}
        self.assertEqual(ids, {staff, person_id(s, "2003")})   # 城市客服部, the owner left out
        st, owners, _ = s.call("GET", f"/api/orders/{o['id']}/owners?department_id="
                               f"{dept_id(s, '技术部')}", token=self.sup)
        self.assertEqual({p["id"] for p in owners["items"]},        # not the IT admin
                         {person_id(s, "6001"), person_id(s, "6002")})
        self.assertError(s.call("GET", f"/api/orders/{o['id']}/owners", token=self.agent), 403)
        self.assertError(s.call("POST", f"/api/orders/{o['id']}/assign",
                                {"person_id": person_id(s, "admin"), "reason": "x"},
                                token=self.sup), 422, field="person_id")
        o = self.act(o["id"], "assign", {"person_id": staff, "reason": "孙强出差"}, token=self.sup)
        self.assertEqual(o["owner_id"], staff)
        current = [r["person_id"] for r in o["responsible"] if r["ended_at"] is None]
        self.assertEqual(current, [staff])
        ended = [r for r in o["responsible"] if r["ended_at"] is not None]
        self.assertEqual([(r["person_id"], r["reason"]) for r in ended], [(head, "owner")])
        st, ev, _ = s.call("GET", f"/api/orders/{o['id']}/events", token=self.sup)
        a = [e for e in ev["events"] if e["kind"] == "order.assign"]
        self.assertEqual([e["detail"] for e in a],
                         [{"owner_id": staff, "previous_owner_id": head, "reason": "孙强出差"}])
        # The former owner no longer works it.
        self.assertError(s.call("POST", f"/api/orders/{o['id']}/accept", {}, token=self.head), 403)
        self.act(o["id"], "accept", token=self.staff)


class CallbackNumberTest(OrderCase):
    def test_an_order_without_customer_keeps_a_masked_number(self):
        """WO-2, CUST-2 (issue 12): the number to call back on is stored, masked in every
        answer, and shown whole only for a reason on record; a consultation needs none."""
        s = self.srv
        self.create({"class": "E", "summary": "咨询价格"})       # no callback deadline
        st, o, _ = s.call("POST", "/api/orders", {"class": "A1", "level": "Ⅲ", "summary": "划痕",
                                                  "phone": "139-1234-5678"}, token=self.agent)
        self.assertEqual(st, 201, o)
        self.assertEqual(o["phone"], "139****5678")
        self.assertEqual(self.get(o["id"], token=self.staff)["phone"], "139****5678")
        st, l, _ = s.call("GET", "/api/orders?view=department", token=self.staff)
        self.assertEqual(next(x for x in l["items"] if x["id"] == o["id"])["phone"], "139****5678")
        path = f"/api/orders/{o['id']}/reveal"
        self.assertError(s.call("POST", path, {}, token=self.staff), 422, field="reason")
        self.assertError(s.call("POST", path, {"reason": "  "}, token=self.staff), 422, field="reason")
        st, r, _ = s.call("POST", path, {"reason": "上门前联系客户"}, token=self.staff)
        self.assertEqual((st, r), (200, {"phone": "13912345678"}))
        logged = s.audit(self.mgr, action="order.reveal", entity="work_order", entity_id=o["id"])
        self.assertEqual([a["detail"] for a in logged], [{"reason": "上门前联系客户"}])
        # Another department's staff may not see it, and the refusal names the order.
        market = s.login("3002")
        self.assertError(s.call("POST", path, {"reason": "看看"}, token=market), 403)
        # An order from a contact takes the contact's number.
        st, k, _ = s.call("POST", "/api/contacts", {"channel": "phone", "direction": "in",
                                                    "phone": "13700001111"}, token=self.agent)
        self.assertEqual(st, 201, k)
        st, c, _ = s.call("POST", "/api/orders", {"class": "B", "summary": "意向商家",
                                                  "contact_id": k["id"]}, token=self.agent)
        self.assertEqual(st, 201, c)
        self.assertEqual(c["phone"], "137****1111")


class ThirdPartyTest(OrderCase):
    def third_party(self, name, kind="contractor", **more):
        st, tp, _ = self.srv.call("POST", "/api/wo/third-parties",
                                  dict({"name": name, "kind": kind}, **more), token=self.mgr)
        self.assertEqual(st, 201, tp)
        return tp

    def test_config_is_editable_and_audited(self):
        """Seed 002 §5: the outside companies responsible are config the manager edits."""
        s = self.srv
        tp = self.third_party("某某洗护外包公司", contact="010-12345678")
        self.assertEqual((tp["kind"], tp["contact"], tp["active"]), ("contractor", "010-12345678", True))
        self.assertError(s.call("POST", "/api/wo/third-parties", {"name": "x", "kind": "contractor"},
                                token=self.agent), 403)
        self.assertError(s.call("POST", "/api/wo/third-parties", {"name": "某某洗护外包公司",
                                                                  "kind": "merchant"},
                                token=self.mgr), 409, field="name")
        self.assertError(s.call("POST", "/api/wo/third-parties", {"name": "y", "kind": "bank"},
                                token=self.mgr), 422, field="kind")
        st, tp2, _ = s.call("PATCH", f"/api/wo/third-parties/{tp['id']}", {"active": False},
                            token=self.mgr)
        self.assertEqual((st, tp2["active"]), (200, False))
        st, l, _ = s.call("GET", "/api/wo/third-parties", token=self.agent)
        self.assertIn(tp["id"], [x["id"] for x in l["items"]])
        self.assertTrue(s.audit(self.mgr, action="wo.third_party.update", entity_id=tp["id"]))
        # An inactive company is not passed anything.
        o = self.create({"class": "A1", "level": "Ⅲ", "summary": "外包"})
        self.assertError(s.call("POST", f"/api/orders/{o['id']}/refer",
                                {"third_party_id": tp["id"]}, token=self.head), 422,
                         field="third_party_id")

    def test_routed_to_a_merchant_answer_relayed_before_callback(self):
        """Seed 002 §5: a class routed to a merchant is passed on at once; the order keeps
        who and when, the merchant's answer, and the center relays it before the callback."""
        s = self.srv
        tp = self.third_party("联盟商家·洁车坊", kind="merchant")
        st, routes, _ = s.call("GET", "/api/wo/routes", token=self.mgr)
        b = next(r for r in routes["items"] if r["class"] == "B")
        self.assertError(s.call("PATCH", f"/api/wo/routes/{b['id']}", {"target": "third_party"},
                                token=self.mgr), 422, field="third_party_id")
        st, r, _ = s.call("PATCH", f"/api/wo/routes/{b['id']}",
                          {"target": "third_party", "department_kind": None,
                           "third_party_id": tp["id"]}, token=self.mgr)
        self.assertEqual(st, 200, r)
        now = s.advance(0)
        o = self.create({"class": "B", "summary": "在联盟商家洗车被多收费"})
        self.assertEqual((o["state"], o["owner_id"]), ("accepted", person_id(s, "8101")))
        self.assertEqual(len(o["referrals"]), 1)
        ref = o["referrals"][0]
        self.assertEqual((ref["third_party"]["id"], ref["third_party"]["name"]),
                         (tp["id"], "联盟商家·洁车坊"))
        self.assertEqual((ref["referred_by"], ref["answer"], ref["relayed_at"]),
                         (person_id(s, "8101"), None, None))
        self.assertGreaterEqual(ref["referred_at"], now)
        # No report before the merchant answers; the answer goes on record.
        self.assertNotIn("report", o["allowed_actions"])
        self.assertIn("answer", o["allowed_actions"])
        self.assertError(s.call("POST", f"/api/orders/{o['id']}/report", {"solution": "x"},
                                token=self.agent), 409)
        o = self.act(o["id"], "answer", {"text": "商家核实后退还多收的 20 元"}, token=self.agent)
        self.assertEqual(o["referrals"][0]["answer"], "商家核实后退还多收的 20 元")
        o = self.act(o["id"], "report", {"solution": "商家退款 20 元"}, token=self.agent)
        # The callback waits for the relay of the answer to the customer.
        self.assertNotIn("callback", self.get(o["id"], token=self.agent2)["allowed_actions"])
        self.assertError(s.call("POST", f"/api/orders/{o['id']}/callback", {"outcome": "accepted"},
                                token=self.agent2), 409)
        o = self.act(o["id"], "relay", {"text": "已告知客户商家将退款 20 元"}, token=self.agent)
        self.assertEqual(o["referrals"][0]["relay_note"], "已告知客户商家将退款 20 元")
        self.assertIsNotNone(o["referrals"][0]["relayed_at"])
        o = self.act(o["id"], "callback", {"outcome": "accepted"}, token=self.agent2)
        self.assertEqual(o["state"], "archived")
        st, ev, _ = s.call("GET", f"/api/orders/{o['id']}/events", token=self.mgr)
        kinds = [e["kind"] for e in ev["events"]]
        for k in ("order.refer", "order.answer", "order.relay", "order.callback"):
            self.assertIn(k, kinds)

    def test_owner_passes_an_order_on_once_at_a_time(self):
        """Seed 002 §5: a department passes an order to a contractor by hand."""
        s = self.srv
        tp = self.third_party("管道维修承包商")
        o = self.create({"class": "A1", "level": "Ⅲ", "summary": "门店水管漏水"})
        self.assertError(s.call("POST", f"/api/orders/{o['id']}/refer", {}, token=self.head), 400,
                         field="third_party_id")
        o = self.act(o["id"], "refer", {"third_party_id": tp["id"], "note": "请两天内上门"})
        self.assertEqual(o["referrals"][0]["note"], "请两天内上门")
        self.assertError(s.call("POST", f"/api/orders/{o['id']}/refer",
                                {"third_party_id": tp["id"]}, token=self.head), 409)
        self.assertError(s.call("POST", f"/api/orders/{o['id']}/relay", {"text": "x"},
                                token=self.agent), 409)
        named = {p["id"] for p in o["people"]}
        self.assertIn(person_id(s, "2001"), named)


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
        self.act(o["id"], "assign", {"person_id": person_id(s, "2002"), "reason": "孙强出差"},
                 token=self.sup)
        self.act(o["id"], "accept", token=self.staff)
        self.assertTrue(s.audit(self.mgr, action="access.denied"))
        self.assertError(s.call("GET", "/api/orders"), 401)

    def test_denied_read_is_audited_against_the_order(self):
        """SEC-1 (issue 12): a refused read names the order asked for, with its department."""
        s = self.srv
        m = self.create({"class": "A2", "level": "Ⅲ", "summary": "他部门的工单"})   # 集团市场部
        self.assertError(s.call("GET", f"/api/orders/{m['id']}", token=self.staff), 403)
        denied = [a for a in s.audit(self.mgr, action="access.denied")
                  if a["detail"] and a["detail"].get("path") == f"/api/orders/{m['id']}"]
        self.assertEqual(len(denied), 1, denied)
        self.assertEqual(denied[0]["entity"], "work_order")
        self.assertEqual(denied[0]["entity_id"], str(m["id"]))
        self.assertEqual(denied[0]["detail"]["department_id"], dept_id(s, "集团市场部"))

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
        # The report's texts are indexed, not its JSON keys (issue 12).
        for key in ("solution", "effect", "remaining", "called_back_at"):
            with self.subTest(q=key):
                st, l, _ = s.call("GET", "/api/orders?q=" + key, token=self.mgr)
                self.assertEqual(l["items"], [])


class CrashTest(KefuTestCase):
    def test_acknowledged_writes_survive_a_crash(self):
        """Durability: every order answered 201 is there after kefu is killed with
        SIGKILL (no shutdown, no checkpoint), with its clocks."""
        s = self.srv
        agent = s.login("8101")
        made = []
        for i in range(20):
            st, o, _ = s.call("POST", "/api/orders", {"class": "A1", "level": "Ⅲ", "phone": PHONE,
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
        st, o, _ = s.call("POST", "/api/orders", {"class": "A1", "level": "Ⅲ", "summary": "重启",
                                                  "phone": PHONE}, token=agent)
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
