"""Work-order rules as data a manager can change: classes and deadlines (ROUTE-1,
WO-2), complaint levels (WO-3), the complaint catalogue (WO-10), the routing table
(ROUTE-2) and the settings (CB-2, CALL-13/14, WO-7). Who may read and write them
(SEC-1), validation that writes nothing on error, the audit trail of every change
(SEC-2), and that a deadline change applies to new orders only."""
import itertools

from apihelp import MINUTE, db_rows, db_value, dept_id, person_id
from harness import KefuTestCase

# The demo accounts used for each role (ORG-1).
ACCOUNTS = {
    "admin": "admin",
    "manager": "8001",
    "supervisor": "8002",
    "agent": "8101",
    "staff": "2002",
}
WRITERS = {"admin", "manager"}

READS = ["/api/wo/classes", "/api/wo/levels", "/api/wo/complaints", "/api/wo/routes",
         "/api/wo/settings"]

SETTINGS = {
    "second_complaint_days": 30,
    "callback_due_min": 120,
    "callback_retry_min": 120,
    "promise_order_min": 240,
    "promise_complaint_min": 1440,
    "promise_answer_min": 180,
    "retention_years": 3,
}

_seq = itertools.count(1)


def uniq(prefix="t"):
    return f"{prefix}_{next(_seq)}"


def by_key(items, key):
    return {i[key]: i for i in items}


class ReadTest(KefuTestCase):
    """Everyone logged in reads the rules: agents need them to open an order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tokens = {role: cls.srv.login(w) for role, w in ACCOUNTS.items()}

    def get(self, path, role="agent"):
        st, body, _ = self.srv.call("GET", path, token=self.tokens[role])
        self.assertEqual(st, 200, body)
        return body

    def test_every_role_reads_every_table(self):
        for path, role in itertools.product(READS, ACCOUNTS):
            with self.subTest(path=path, role=role):
                self.get(path, role)

    def test_unauthenticated_is_401(self):
        for path in READS:
            with self.subTest(path=path):
                self.assertError(self.srv.call("GET", path), 401, "unauthenticated")

    def test_classes_follow_wo2(self):
        """ROUTE-1: seven classes; WO-2: their deadlines from dispatch."""
        body = self.get("/api/wo/classes")
        self.assertIsNone(body["next_cursor"])
        classes = by_key(body["items"], "code")
        self.assertEqual(sorted(classes), ["A1", "A2", "B", "C", "D", "E", "F"])
        a1 = classes["A1"]
        self.assertEqual((a1["callback_min"], a1["onsite_min"], a1["report_same_day"]),
                         (10, 60, True))
        self.assertEqual((classes["A2"]["callback_min"], classes["A2"]["onsite_min"]),
                         (30, 3 * 24 * 60))
        self.assertIsNone(classes["B"]["onsite_min"])
        self.assertEqual(classes["D"]["callback_min"], 10)
        self.assertIsNone(classes["F"]["resolve_min"])
        for c in classes.values():
            self.assertEqual(set(c), {"code", "name", "callback_min", "onsite_min",
                                      "report_same_day", "resolve_min", "warn_pct",
                                      "escalate_min", "updated_at"})
            self.assertTrue(1 <= c["warn_pct"] <= 99)

    def test_levels_follow_wo3(self):
        """WO-3: Ⅰ/Ⅱ need no visit, Ⅲ/Ⅳ do."""
        items = self.get("/api/wo/levels", "staff")["items"]
        self.assertEqual([(l["code"], l["onsite"], l["rank"]) for l in items],
                         [("Ⅰ", False, 1), ("Ⅱ", False, 2), ("Ⅲ", True, 3), ("Ⅳ", True, 4)])
        self.assertTrue(all(l["name"] for l in items))

    def test_catalogue_and_active_filter(self):
        """WO-10: the scripts per complaint type are there for the agent."""
        items = self.get("/api/wo/complaints")["items"]
        cat = by_key(items, "code")
        self.assertIn("refund_not_arrived", cat)
        self.assertIn("1-2个工作日", cat["refund_not_arrived"]["script"])
        self.assertEqual(cat["tech_app_crash"]["department_kind"], "tech")
        self.assertEqual(cat["merchant_complaint"]["class"], "A2")
        self.assertIsNone(cat["vpp_dispute"]["script"])
        active = self.get("/api/wo/complaints?active=true")["items"]
        self.assertTrue(all(c["active"] for c in active))
        self.assertEqual(self.get("/api/wo/complaints?active=false")["items"], [])
        self.assertError(self.srv.call("GET", "/api/wo/complaints?active=yes",
                                       token=self.tokens["agent"]), 400, "bad_request", "active")

    def test_routes_follow_route2(self):
        """ROUTE-2: A → on site: city service, else the center; B market; C media;
        D the superior; E the center; F closed."""
        items = self.get("/api/wo/routes")["items"]
        table = {(r["class"], r["onsite"]): r for r in items}
        self.assertEqual(table[("A1", True)]["target"], "department")
        self.assertEqual(table[("A1", True)]["department_kind"], "city_service")
        self.assertEqual(table[("A1", False)]["target"], "center")
        self.assertEqual(table[("B", None)]["department_kind"], "market_ops")
        self.assertEqual(table[("C", None)]["department_kind"], "media")
        self.assertEqual(table[("D", None)]["target"], "subject_superior")
        self.assertEqual(table[("E", None)]["target"], "center")
        self.assertEqual(table[("F", None)]["target"], "close")
        self.assertEqual([r["id"] for r in items], sorted(r["id"] for r in items))

    def test_settings(self):
        """CB-2 callbacks, CALL-13/14 promises, WO-7 three years."""
        self.assertEqual(self.get("/api/wo/settings"), SETTINGS)

    def test_classes_are_fixed_and_complaints_never_deleted(self):
        """The seven classes of ROUTE-1 cannot be created or deleted; orders refer to codes."""
        mgr = self.tokens["manager"]
        self.assertError(self.srv.call("POST", "/api/wo/classes", {"code": "G"}, token=mgr),
                         405)
        self.assertError(self.srv.call("DELETE", "/api/wo/classes/A1", token=mgr), 405)
        self.assertError(self.srv.call("DELETE", "/api/wo/complaints/pay_failed", token=mgr),
                         405)
        self.assertError(self.srv.call("PATCH", "/api/wo/levels", {}, token=mgr), 405)
        self.assertEqual(db_value(self.srv, "SELECT count(*) FROM wo_class"), 7)


class WritePermissionTest(KefuTestCase):
    """Every write x every role: admin and manager change the rules; the others are
    refused with 403 and one access.denied entry, and nothing changes (SEC-1, SEC-2)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tokens = {role: cls.srv.login(w) for role, w in ACCOUNTS.items()}
        cls.ids = {role: person_id(cls.srv, w) for role, w in ACCOUNTS.items()}

    def route_id(self, class_code):
        return db_value(self.srv, f"SELECT id FROM wo_route WHERE class = '{class_code}'"
                                  " ORDER BY id LIMIT 1")

    def clear_scratch_route(self):
        """Removes the scratch "on site" rule of C (C's own rule is for either case)."""
        rid = db_value(self.srv, "SELECT id FROM wo_route WHERE class = 'C' AND onsite = 1")
        if rid:
            st, body, _ = self.srv.call("DELETE", f"/api/wo/routes/{rid}",
                                        token=self.tokens["manager"])
            self.assertEqual(st, 204, body)

    def scratch_route(self):
        self.clear_scratch_route()
        st, body, _ = self.srv.call("POST", "/api/wo/routes",
                                    {"class": "C", "onsite": True, "target": "center"},
                                    token=self.tokens["manager"])
        self.assertEqual(st, 201, body)
        return body["id"]

    def cases(self):
        """(build(role) -> (method, path, body), status when allowed). Each build
        prepares what its request needs, so every role gets a request that would succeed."""
        media_head = person_id(self.srv, "5001")

        def patch_class(role):
            return "PATCH", "/api/wo/classes/B", {"warn_pct": 60 + next(_seq) % 30}

        def create_complaint(role):
            return "POST", "/api/wo/complaints", {"code": uniq("perm"), "name": "权限测试",
                                                  "class": "A1"}

        def patch_complaint(role):
            return "PATCH", "/api/wo/complaints/pay_failed", {"name": f"无法支付{next(_seq)}"}

        def create_route(role):
            self.clear_scratch_route()
            return "POST", "/api/wo/routes", {"class": "C", "onsite": True, "target": "center"}

        def patch_route(role):
            owner = media_head if next(_seq) % 2 else None
            return "PATCH", f"/api/wo/routes/{self.route_id('C')}", {"owner_id": owner}

        def delete_route(role):
            return "DELETE", f"/api/wo/routes/{self.scratch_route()}", None

        def patch_settings(role):
            return "PATCH", "/api/wo/settings", {"callback_retry_min": 100 + next(_seq)}

        return [(patch_class, 200), (create_complaint, 201), (patch_complaint, 200),
                (create_route, 201), (patch_route, 200), (delete_route, 204),
                (patch_settings, 200)]

    def denials_of(self, role):
        return len(db_rows(self.srv, "SELECT id FROM audit WHERE action = 'access.denied'"
                                     f" AND actor_id = {self.ids[role]}"))

    def rules_snapshot(self):
        return [db_rows(self.srv, f"SELECT * FROM {t} ORDER BY 1")
                for t in ("wo_class", "wo_complaint", "wo_route", "wo_setting")]

    def test_every_write_for_every_role(self):
        for (build, ok_status), role in itertools.product(self.cases(), ACCOUNTS):
            method, path, body = build(role)
            with self.subTest(method=method, path=path, role=role):
                before = self.rules_snapshot()
                denied = self.denials_of(role)
                resp = self.srv.call(method, path, body, token=self.tokens[role])
                if role in WRITERS:
                    self.assertEqual(resp[0], ok_status, resp[1])
                    self.assertEqual(self.denials_of(role), denied)
                else:
                    self.assertError(resp, 403, "forbidden")
                    self.assertEqual(self.denials_of(role), denied + 1)
                    self.assertEqual(self.rules_snapshot(), before, "nothing written")
                    entry = self.srv.audit(self.tokens["manager"], action="access.denied",
                                           actor_id=self.ids[role])[0]
                    self.assertEqual(entry["detail"]["permission"], "wo.config")
                    self.assertEqual(entry["detail"]["path"], path)

    def test_unauthenticated_writes_are_401(self):
        before = self.rules_snapshot()
        for method, path, body in [
                ("PATCH", "/api/wo/classes/A1", {"callback_min": 5}),
                ("POST", "/api/wo/complaints", {"code": "anon", "name": "x", "class": "A1"}),
                ("PATCH", "/api/wo/complaints/pay_failed", {"active": False}),
                ("POST", "/api/wo/routes", {"class": "C", "onsite": True, "target": "close"}),
                ("PATCH", f"/api/wo/routes/{self.route_id('C')}", {"target": "close"}),
                ("DELETE", f"/api/wo/routes/{self.route_id('C')}", None),
                ("PATCH", "/api/wo/settings", {"retention_years": 5})]:
            with self.subTest(method=method, path=path):
                self.assertError(self.srv.call(method, path, body), 401, "unauthenticated")
        self.assertEqual(self.rules_snapshot(), before)


class ClassTest(KefuTestCase):
    """WO-2: deadlines are data; a change is validated, audited and applies to new orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mgr = cls.srv.login("8001")
        cls.admin = cls.srv.login("admin")
        cls.agent = cls.srv.login("8101")

    def patch(self, code, body, token=None):
        return self.srv.call("PATCH", f"/api/wo/classes/{code}", body, token=token or self.mgr)

    def row(self, code):
        return db_rows(self.srv, f"SELECT * FROM wo_class WHERE code = '{code}'")[0]

    def test_change_is_audited_with_old_and_new(self):
        st, body, _ = self.patch("C", {"name": "媒体来电（含自媒体）", "callback_min": 20,
                                       "onsite_min": 240, "report_same_day": False,
                                       "warn_pct": 60, "escalate_min": 45})
        self.assertEqual(st, 200, body)
        self.assertEqual((body["code"], body["callback_min"], body["onsite_min"],
                          body["report_same_day"], body["warn_pct"], body["escalate_min"]),
                         ("C", 20, 240, False, 60, 45))
        entry = self.srv.audit(self.mgr, action="wo.class.update")[0]
        self.assertEqual(entry["outcome"], "ok")
        self.assertEqual(entry["entity"], "wo_class")
        self.assertEqual(entry["actor"], "8001")
        self.assertEqual(entry["detail"]["code"], "C")
        self.assertEqual(entry["detail"]["fields"], {
            "name": ["媒体来电", "媒体来电（含自媒体）"], "callback_min": [30, 20],
            "onsite_min": [None, 240], "report_same_day": [True, False],
            "warn_pct": [80, 60], "escalate_min": [30, 45]})
        # null takes a deadline away.
        st, body, _ = self.patch("C", {"onsite_min": None}, self.admin)
        self.assertEqual(st, 200, body)
        self.assertIsNone(body["onsite_min"])
        self.assertIsNone(self.row("C")["onsite_min"])
        entry = self.srv.audit(self.mgr, action="wo.class.update")[0]
        self.assertEqual(entry["actor"], "admin")
        self.assertEqual(entry["detail"]["fields"], {"onsite_min": [240, None]})

    def test_same_values_write_nothing(self):
        before = self.row("E")
        audits = len(self.srv.audit(self.mgr, action="wo.class.update"))
        st, body, _ = self.patch("E", {"resolve_min": before["resolve_min"]})
        self.assertEqual(st, 200, body)
        st, body, _ = self.patch("E", {})
        self.assertEqual(st, 200, body)
        self.assertEqual(self.row("E"), before)
        self.assertEqual(len(self.srv.audit(self.mgr, action="wo.class.update")), audits)

    def test_validation(self):
        before = self.row("A2")
        cases = [
            # (body, status, field)
            ({"callback_min": 0}, 422, "callback_min"),
            ({"callback_min": 525601}, 422, "callback_min"),
            ({"onsite_min": -5}, 422, "onsite_min"),
            ({"resolve_min": 10**12}, 422, "resolve_min"),
            ({"warn_pct": 0}, 422, "warn_pct"),
            ({"warn_pct": 100}, 422, "warn_pct"),
            ({"escalate_min": 0}, 422, "escalate_min"),
            ({"escalate_min": 10081}, 422, "escalate_min"),
            ({"name": ""}, 422, "name"),
            ({"name": "  "}, 422, "name"),
            ({"name": "投" * 33}, 422, "name"),
            ({"callback_min": "10"}, 400, "callback_min"),
            ({"callback_min": 10.5}, 400, "callback_min"),
            ({"callback_min": True}, 400, "callback_min"),
            ({"warn_pct": None}, 400, "warn_pct"),
            ({"escalate_min": None}, 400, "escalate_min"),
            ({"report_same_day": 1}, 400, "report_same_day"),
            ({"name": None}, 400, "name"),
            ({"name": 7}, 400, "name"),
            ({"deadline": 5}, 400, "deadline"),
            ({"code": "A3"}, 400, "code"),
            # One bad field refuses the whole change.
            ({"callback_min": 12, "warn_pct": 100}, 422, "warn_pct"),
        ]
        for body, status, field in cases:
            with self.subTest(body=body):
                self.assertError(self.patch("A2", body), status, None, field)
        self.assertEqual(self.row("A2"), before, "nothing written")
        st, body, _ = self.patch("A2", {"callback_min": 525600, "name": "投" * 32})
        self.assertEqual(st, 200, body)
        self.assertError(self.patch("G", {"callback_min": 10}), 404, "not_found")
        self.assertError(self.patch("a1", {"callback_min": 10}), 404, "not_found")
        self.assertEqual(db_value(self.srv, "SELECT count(*) FROM wo_class"), 7)

    def sla(self, order, metric):
        clocks = [c for c in order["sla"] if c["metric"] == metric]
        self.assertEqual(len(clocks), 1, order["sla"])
        return clocks[0]

    def new_order(self):
        st, body, _ = self.srv.call("POST", "/api/orders",
                                    {"class": "A1", "level": "Ⅲ", "summary": "洗车后车门有划痕",
                                     "phone": "13800138000"},
                                    token=self.agent)
        self.assertEqual(st, 201, body)
        return body

    def test_deadline_change_applies_to_new_orders_only(self):
        """WO-2: the class's deadlines are read at dispatch; running clocks keep theirs."""
        before = self.new_order()
        cb = self.sla(before, "callback")
        self.assertEqual(cb["due_at"] - cb["started_at"], 10 * MINUTE)
        visit = self.sla(before, "onsite")
        self.assertEqual(visit["due_at"] - visit["started_at"], 60 * MINUTE)

        st, body, _ = self.patch("A1", {"callback_min": 25, "onsite_min": 90})
        self.assertEqual(st, 200, body)
        self.srv.advance(MINUTE)

        after = self.new_order()
        cb = self.sla(after, "callback")
        self.assertEqual(cb["due_at"] - cb["started_at"], 25 * MINUTE)
        visit = self.sla(after, "onsite")
        self.assertEqual(visit["due_at"] - visit["started_at"], 90 * MINUTE)

        # The earlier order's clocks are stored with it and did not move.
        rows = db_rows(self.srv, "SELECT metric, due_at - started_at AS span FROM wo_sla"
                                 f" WHERE order_id = {before['id']}")
        spans = {r["metric"]: r["span"] for r in rows}
        self.assertEqual(spans["callback"], 10 * MINUTE)
        self.assertEqual(spans["onsite"], 60 * MINUTE)
        st, again, _ = self.srv.call("GET", f"/api/orders/{before['id']}", token=self.mgr)
        self.assertEqual(st, 200, again)
        self.assertEqual(self.sla(again, "callback")["due_at"],
                         self.sla(before, "callback")["due_at"])
        st, body, _ = self.patch("A1", {"callback_min": 10, "onsite_min": 60})
        self.assertEqual(st, 200, body)


class ComplaintTest(KefuTestCase):
    """WO-10: the complaint catalogue and its scripts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mgr = cls.srv.login("8001")
        cls.agent = cls.srv.login("8101")

    def create(self, body, token=None):
        return self.srv.call("POST", "/api/wo/complaints", body, token=token or self.mgr)

    def count(self):
        return self.srv.count("SELECT count(*) FROM wo_complaint")

    def test_create_and_audit(self):
        code = uniq("car_scratch")
        body = {"code": code, "name": "洗车后车漆划伤", "class": "A1", "level": "Ⅳ",
                "department_kind": "city_service",
                "script": "非常抱歉，我们将在10分钟内安排城市客服部与您联系。", "active": True}
        st, got, _ = self.create(body)
        self.assertEqual(st, 201, got)
        self.assertEqual({k: got[k] for k in body}, body)
        self.assertTrue(got["updated_at"])
        entry = self.srv.audit(self.mgr, action="wo.complaint.create")[0]
        self.assertEqual(entry["entity"], "wo_complaint")
        self.assertEqual(entry["detail"]["code"], code)
        self.assertEqual(entry["detail"]["fields"]["name"], [None, "洗车后车漆划伤"])
        self.assertEqual(entry["detail"]["fields"]["level"], [None, "Ⅳ"])
        # Minimal: level, kind and script null; active by default.
        st, got, _ = self.create({"code": uniq("other"), "name": "其他", "class": "E"})
        self.assertEqual(st, 201, got)
        self.assertEqual((got["level"], got["department_kind"], got["script"], got["active"]),
                         (None, None, None, True))
        st, items, _ = self.srv.call("GET", "/api/wo/complaints", token=self.agent)
        self.assertIn(code, [c["code"] for c in items["items"]])

    def test_code_is_generated_when_omitted(self):
        """Whoever adds a type names it in Chinese only: kefu picks type_<n> (issue 12)."""
        before = {c["code"] for c in self.srv.call("GET", "/api/wo/complaints",
                                                     token=self.mgr)[1]["items"]}
        codes = []
        for body in ({"name": "商品质量问题", "class": "A1"},
                     {"code": "", "name": "配送延误", "class": "A2"},
                     {"code": None, "name": "发票问题", "class": "E"}):
            st, got, _ = self.create(body)
            self.assertEqual(st, 201, got)
            self.assertEqual(got["name"], body["name"])
            codes.append(got["code"])
        n = max([int(c[5:]) for c in before if c.startswith("type_") and c[5:].isdigit()] + [0])
        self.assertEqual(codes, [f"type_{n + 1}", f"type_{n + 2}", f"type_{n + 3}"])
        entry = self.srv.audit(self.mgr, action="wo.complaint.create")[0]
        self.assertEqual(entry["detail"]["code"], codes[-1])
        # A code given by hand in the same pattern is skipped over, never reused.
        st, got, _ = self.create({"code": f"type_{n + 10}", "name": "手工代码", "class": "E"})
        self.assertEqual(st, 201, got)
        st, got, _ = self.create({"name": "下一个", "class": "E"})
        self.assertEqual(got["code"], f"type_{n + 11}")
        # The generated type opens orders like any other.
        st, order, _ = self.srv.call("POST", "/api/orders",
                                     {"complaint": codes[0], "level": "Ⅱ", "summary": "质量问题", "phone": "13800138000",
                                      "class": "A1"}, token=self.agent)
        self.assertEqual(st, 201, order)
        self.assertEqual(order["complaint"], codes[0])

    def test_duplicate_code_is_409(self):
        n = self.count()
        self.assertError(self.create({"code": "pay_failed", "name": "重复", "class": "A1"}),
                         409, "conflict", "code")
        self.assertEqual(self.count(), n)

    def test_validation(self):
        n = self.count()
        good = {"code": "valid_code", "name": "名称", "class": "A1"}
        cases = [
            ({"code": "Bad-Code"}, 422, "code"),
            ({"code": "a" * 33}, 422, "code"),
            ({"name": ""}, 422, "name"),
            ({"name": "名" * 65}, 422, "name"),
            ({"class": "G"}, 422, "class"),
            ({"level": "Ⅴ"}, 422, "level"),
            ({"department_kind": "space"}, 422, "department_kind"),
            ({"script": "话" * 2001}, 422, "script"),
            ({"code": 5}, 400, "code"),
            ({"class": None}, 400, "class"),
            ({"level": 3}, 400, "level"),
            ({"active": "yes"}, 400, "active"),
            ({"script": ["a"]}, 400, "script"),
            ({"colour": "red"}, 400, "colour"),
        ]
        for change, status, field in cases:
            with self.subTest(change=change):
                self.assertError(self.create(dict(good, **change)), status, None, field)
        for missing in ("name", "class"):
            with self.subTest(missing=missing):
                body = {k: v for k, v in good.items() if k != missing}
                self.assertError(self.create(body), 400, "bad_request", missing)
        self.assertEqual(self.count(), n, "nothing written")
        st, got, _ = self.create(dict(good, script="话" * 2000))
        self.assertEqual(st, 201, got)

    def test_update_and_deactivate(self):
        """No delete: a type is deactivated, and drops out of ?active=true."""
        st, got, _ = self.srv.call("PATCH", "/api/wo/complaints/svc_not_clean",
                                   {"level": "Ⅱ", "script": None, "active": False},
                                   token=self.mgr)
        self.assertEqual(st, 200, got)
        self.assertEqual((got["level"], got["script"], got["active"]), ("Ⅱ", None, False))
        entry = self.srv.audit(self.mgr, action="wo.complaint.update")[0]
        self.assertEqual(entry["detail"]["code"], "svc_not_clean")
        self.assertEqual(entry["detail"]["fields"]["level"], ["Ⅲ", "Ⅱ"])
        self.assertEqual(entry["detail"]["fields"]["active"], [True, False])
        self.assertIsNone(entry["detail"]["fields"]["script"][1])
        st, body, _ = self.srv.call("GET", "/api/wo/complaints?active=true", token=self.agent)
        self.assertNotIn("svc_not_clean", [c["code"] for c in body["items"]])
        st, body, _ = self.srv.call("GET", "/api/wo/complaints?active=false", token=self.agent)
        self.assertEqual([c["code"] for c in body["items"]], ["svc_not_clean"])
        self.assertEqual(self.srv.count(
            "SELECT count(*) FROM wo_complaint WHERE code = 'svc_not_clean'"), 1)
        st, got, _ = self.srv.call("PATCH", "/api/wo/complaints/svc_not_clean",
                                   {"active": True}, token=self.mgr)
        self.assertEqual(st, 200, got)

    def test_update_validation(self):
        row = "SELECT * FROM wo_complaint WHERE code = 'pay_no_order'"
        before = db_rows(self.srv, row)
        for body, status, field in [
                ({"code": "pay_missing"}, 400, "code"),
                ({"class": "Z"}, 422, "class"),
                ({"level": "Ⅵ"}, 422, "level"),
                ({"name": " "}, 422, "name"),
                ({"department_kind": "moon"}, 422, "department_kind"),
                ({"active": None}, 400, "active"),
                ({"name": "新名字", "level": "Ⅸ"}, 422, "level"),
                ({"updated_at": 1}, 400, "updated_at")]:
            with self.subTest(body=body):
                self.assertError(self.srv.call("PATCH", "/api/wo/complaints/pay_no_order", body,
                                               token=self.mgr), status, None, field)
        self.assertEqual(db_rows(self.srv, row), before, "nothing written")
        self.assertError(self.srv.call("PATCH", "/api/wo/complaints/no_such_type",
                                       {"active": False}, token=self.mgr), 404, "not_found")


class RouteTest(KefuTestCase):
    """ROUTE-2: the routing table; every class stays routable."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mgr = cls.srv.login("8001")
        cls.media = dept_id(cls.srv, "媒介部")
        cls.city = dept_id(cls.srv, "城市客服部")

    def routes(self):
        st, body, _ = self.srv.call("GET", "/api/wo/routes", token=self.mgr)
        self.assertEqual(st, 200, body)
        return body["items"]

    def find(self, class_code, onsite):
        return next((r for r in self.routes() if r["class"] == class_code
                     and r["onsite"] == onsite), None)

    def call(self, method, path, body=None):
        return self.srv.call(method, path, body, token=self.mgr)

    def snapshot(self):
        return db_rows(self.srv, "SELECT * FROM wo_route ORDER BY id")

    def test_create_update_delete_audited(self):
        owner = person_id(self.srv, "5002")
        st, r, _ = self.call("POST", "/api/wo/routes",
                             {"class": "C", "onsite": True, "target": "department",
                              "department_id": self.media, "owner_id": owner})
        self.assertEqual(st, 201, r)
        self.assertEqual((r["class"], r["onsite"], r["target"], r["department_kind"],
                          r["department_id"], r["owner_id"]),
                         ("C", True, "department", None, self.media, owner))
        entry = self.srv.audit(self.mgr, action="wo.route.create")[0]
        self.assertEqual((entry["entity"], entry["entity_id"]), ("wo_route", str(r["id"])))
        self.assertEqual(entry["detail"]["fields"]["owner_id"], [None, owner])
        self.assertEqual(entry["detail"]["fields"]["onsite"], [None, True])

        st, r2, _ = self.call("PATCH", f"/api/wo/routes/{r['id']}",
                              {"department_kind": "media", "owner_id": None})
        self.assertEqual(st, 200, r2)
        self.assertEqual((r2["department_kind"], r2["owner_id"]), ("media", None))
        entry = self.srv.audit(self.mgr, action="wo.route.update")[0]
        self.assertEqual(entry["entity_id"], str(r["id"]))
        self.assertEqual(entry["detail"]["fields"],
                         {"department_kind": [None, "media"], "owner_id": [owner, None]})

        st, body, _ = self.call("DELETE", f"/api/wo/routes/{r['id']}")
        self.assertEqual(st, 204, body)
        self.assertIsNone(self.find("C", True))
        entry = self.srv.audit(self.mgr, action="wo.route.delete")[0]
        self.assertEqual(entry["entity_id"], str(r["id"]))
        self.assertEqual(entry["detail"]["fields"]["class"], ["C", None])
        self.assertError(self.call("DELETE", f"/api/wo/routes/{r['id']}"), 404, "not_found")
        self.assertError(self.call("PATCH", "/api/wo/routes/abc", {}), 404, "not_found")

    def test_validation_writes_nothing(self):
        before = self.snapshot()
        inactive = person_id(self.srv, "6002")
        st, body, _ = self.srv.call("PATCH", f"/api/people/{inactive}", {"active": False},
                                    token=self.mgr)
        self.assertEqual(st, 200, body)
        base = {"class": "B", "onsite": True, "target": "department", "department_kind": "media"}
        cases = [
            ({"target": "moon"}, 422, "target"),
            ({"target": 1}, 400, "target"),
            ({"class": "G"}, 422, "class"),
            ({"class": 7}, 400, "class"),
            ({"onsite": "yes"}, 400, "onsite"),
            ({"department_kind": None}, 422, "department_kind"),
            ({"department_kind": "moon"}, 422, "department_kind"),
            ({"department_kind": None, "department_id": 99999}, 422, "department_id"),
            ({"department_kind": "city_service", "department_id": self.media}, 422,
             "department_id"),
            ({"department_id": "3"}, 400, "department_id"),
            ({"owner_id": 99999}, 422, "owner_id"),
            ({"owner_id": inactive}, 422, "owner_id"),
            ({"target": "center"}, 422, "department_kind"),
            ({"target": "close", "department_kind": None, "owner_id": self.city}, 422,
             "owner_id"),
            ({"id": 5}, 400, "id"),
            # B already has an "either" rule: a second one would never be picked.
            ({"onsite": None}, 409, "onsite"),
        ]
        for change, status, field in cases:
            with self.subTest(change=change):
                self.assertError(self.call("POST", "/api/wo/routes", dict(base, **change)),
                                 status, None, field)
        for missing in ("class", "target"):
            with self.subTest(missing=missing):
                body = {k: v for k, v in base.items() if k != missing}
                self.assertError(self.call("POST", "/api/wo/routes", body), 400, "bad_request",
                                 missing)
        b = self.find("B", None)
        for change, status, field in [({"target": "nowhere"}, 422, "target"),
                                      ({"target": "center"}, 422, "department_kind"),
                                      ({"department_kind": None}, 422, "department_kind")]:
            with self.subTest(patch=change):
                self.assertError(self.call("PATCH", f"/api/wo/routes/{b['id']}", change),
                                 status, None, field)
        self.assertEqual(self.snapshot(), before, "nothing written")
        st, body, _ = self.srv.call("PATCH", f"/api/people/{inactive}", {"active": True},
                                    token=self.mgr)
        self.assertEqual(st, 200, body)

    def test_every_class_stays_routable(self):
        """ROUTE-2: a class must keep a route when on-site is needed and when it is not."""
        before = self.snapshot()
        home, visit = self.find("A1", False), self.find("A1", True)
        for method, path, body in [
                ("DELETE", f"/api/wo/routes/{home['id']}", None),
                ("DELETE", f"/api/wo/routes/{visit['id']}", None),
                ("DELETE", f"/api/wo/routes/{self.find('F', None)['id']}", None),
                ("PATCH", f"/api/wo/routes/{visit['id']}", {"class": "C"}),
                ("PATCH", f"/api/wo/routes/{self.find('E', None)['id']}", {"onsite": True})]:
            with self.subTest(method=method, path=path, body=body):
                self.assertError(self.call(method, path, body), 422, "unprocessable", "class")
        self.assertEqual(self.snapshot(), before, "nothing written")
        # With an "either" rule for A1, the specific ones may go; then the either rule may not.
        st, either, _ = self.call("POST", "/api/wo/routes", {"class": "A1", "target": "center"})
        self.assertEqual(st, 201, either)
        self.assertIsNone(either["onsite"])
        st, body, _ = self.call("DELETE", f"/api/wo/routes/{home['id']}")
        self.assertEqual(st, 204, body)
        self.assertError(self.call("DELETE", f"/api/wo/routes/{either['id']}"), 422,
                         "unprocessable", "class")
        # Back to the rulebook's table.
        st, body, _ = self.call("PATCH", f"/api/wo/routes/{either['id']}", {"onsite": False})
        self.assertEqual(st, 200, body)
        self.assertEqual((self.find("A1", False)["target"], self.find("A1", True)["target"]),
                         ("center", "department"))


class SettingsTest(KefuTestCase):
    """CB-2, CALL-13/14, WO-7: numeric settings within sensible ranges."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mgr = cls.srv.login("8001")

    def patch(self, body):
        return self.srv.call("PATCH", "/api/wo/settings", body, token=self.mgr)

    def stored(self):
        rows = db_rows(self.srv, "SELECT key, value FROM wo_setting")
        return {r["key"]: r["value"] for r in rows}

    def test_change_and_audit(self):
        st, body, _ = self.patch({"promise_order_min": 180, "retention_years": 5,
                                  "second_complaint_days": 30})
        self.assertEqual(st, 200, body)
        self.assertEqual(body, dict(SETTINGS, promise_order_min=180, retention_years=5))
        self.assertEqual(self.stored(), body)
        entry = self.srv.audit(self.mgr, action="wo.setting.update")[0]
        self.assertEqual(entry["entity"], "wo_setting")
        # Only what changed is listed: second_complaint_days was already 30.
        self.assertEqual(entry["detail"]["fields"], {"promise_order_min": [240, 180],
                                                     "retention_years": [3, 5]})
        st, body, _ = self.patch({"promise_order_min": 240, "retention_years": 3})
        self.assertEqual(st, 200, body)
        self.assertEqual(body, SETTINGS)

    def test_validation_writes_nothing(self):
        before = self.stored()
        audits = len(self.srv.audit(self.mgr, action="wo.setting.update"))
        cases = [
            ({"shoe_size": 42}, 400, "shoe_size"),
            ({"retention_years": "5"}, 400, "retention_years"),
            ({"retention_years": 5.5}, 400, "retention_years"),
            ({"retention_years": None}, 400, "retention_years"),
            ({"retention_years": 0}, 422, "retention_years"),
            ({"retention_years": 31}, 422, "retention_years"),
            ({"second_complaint_days": 3651}, 422, "second_complaint_days"),
            ({"callback_due_min": 0}, 422, "callback_due_min"),
            ({"promise_answer_min": 100001}, 422, "promise_answer_min"),
            # One bad key refuses the lot.
            ({"callback_retry_min": 60, "retention_years": 99}, 422, "retention_years"),
            ({"callback_retry_min": 60, "typo_min": 1}, 400, "typo_min"),
        ]
        for body, status, field in cases:
            with self.subTest(body=body):
                self.assertError(self.patch(body), status, None, field)
        self.assertEqual(self.stored(), before, "nothing written")
        self.assertEqual(len(self.srv.audit(self.mgr, action="wo.setting.update")), audits)
        st, body, _ = self.patch({})
        self.assertEqual((st, body), (200, SETTINGS))
