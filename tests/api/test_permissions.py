"""Who may do what: every endpoint x every role of the demo center, field-level
permissions, department scoping and phone masking (SEC-1 least privilege,
CUST-2 masking, ORG-4 certification, SEC-2 every denial audited).

The tables below mirror the permissions table of docs/api.md.
"""
import itertools

from apihelp import db_rows, db_value, dept_id, login_full, person_id
from harness import KefuTestCase

# The demo accounts used for each role (ORG-1).
ACCOUNTS = {
    "admin": "admin",
    "manager": "8001",
    "supervisor+agent": "8002",
    "agent": "8101",
    "staff": "2002",      # 城市客服部
    "hr+staff": "7002",
    "office": "1001",
    "office+staff": "1002",
    "qa": "8301",         # 质检员
}
ROLE_ORDER = list(ACCOUNTS)

# Columns of docs/api.md, per account above: who gets each permission.
READ_ALL = {"admin", "manager", "supervisor+agent", "agent", "hr+staff", "office", "office+staff", "qa"}
PERSON_WRITE = {"admin", "manager", "hr+staff"}
SET_ROLES = {"admin", "manager"}            # needed to create a person
PASSWORD_RESET = {"admin"}
DEPT_WRITE = {"admin", "manager"}
AUDIT_READ = {"admin", "manager"}
EVERYONE = set(ACCOUNTS)

_seq = itertools.count(1)


class PermissionMatrixTest(KefuTestCase):
    """Every endpoint x every role: allowed answers succeed, the rest are 403 and audited."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.tokens = {role: srv.login(w) for role, w in ACCOUNTS.items()}
        cls.ids = {role: person_id(srv, w) for role, w in ACCOUNTS.items()}
        cls.center = dept_id(srv, "客服中心")
        cls.target = person_id(srv, "8106")       # read and patched
        cls.reset_target = person_id(srv, "8105")  # password reset
        st, d, _ = srv.call("POST", "/api/departments", {"name": "矩阵部", "kind": "other"},
                            token=cls.tokens["manager"])
        assert st == 201, d
        cls.scratch_dept = d["id"]

    def fresh_dept(self):
        st, d, _ = self.srv.call("POST", "/api/departments",
                                 {"name": f"待删部{next(_seq)}", "kind": "other"},
                                 token=self.tokens["manager"])
        self.assertEqual(st, 201, d)
        return d["id"]

    def cases(self):
        """(name, allowed roles, ok status, builder) — builder(role) -> (method, path, body, check)."""
        def new_person(role):
            n = next(_seq)
            body = {"work_no": f"m{n}", "name": f"矩阵{n}", "roles": ["agent"],
                    "department_id": self.center, "password": "matrix-password-1"}

            def check(ok, resp):
                exists = self.srv.count(f"SELECT count(*) FROM person WHERE work_no = 'm{n}'")
                self.assertEqual(exists, 1 if ok else 0)
            return "POST", "/api/people", body, check

        def patch_person(role):
            phone = f"1390000{next(_seq):04d}"

            def check(ok, resp):
                now = db_value(self.srv, f"SELECT phone FROM person WHERE id = {self.target}")
                self.assertEqual(now == phone, ok)
            return "PATCH", f"/api/people/{self.target}", {"phone": phone}, check

        def reset_password(role):
            before = db_value(self.srv, f"SELECT password_hash FROM person WHERE id = {self.reset_target}")

            def check(ok, resp):
                after = db_value(self.srv,
                                 f"SELECT password_hash FROM person WHERE id = {self.reset_target}")
                self.assertEqual(after != before, ok)
                if ok:
                    self.assertEqual(len(resp[1]["password"]), 16)
            return "POST", f"/api/people/{self.reset_target}/password", None, check

        def new_dept(role):
            name = f"新部门{next(_seq)}"

            def check(ok, resp):
                exists = self.srv.count(f"SELECT count(*) FROM department WHERE name = '{name}'")
                self.assertEqual(exists, 1 if ok else 0)
            return "POST", "/api/departments", {"name": name, "kind": "other"}, check

        def patch_dept(role):
            name = f"改名部{next(_seq)}"

            def check(ok, resp):
                now = db_value(self.srv, f"SELECT name FROM department WHERE id = {self.scratch_dept}")
                self.assertEqual(now == name, ok)
            return "PATCH", f"/api/departments/{self.scratch_dept}", {"name": name}, check

        def delete_dept(role):
            did = self.fresh_dept()

            def check(ok, resp):
                exists = self.srv.count(f"SELECT count(*) FROM department WHERE id = {did}")
                self.assertEqual(exists, 0 if ok else 1)
            return "DELETE", f"/api/departments/{did}", None, check

        def simple(method, path):
            return lambda role: (method, path, None, None)

        return [
            ("GET /api/people", EVERYONE, 200, simple("GET", "/api/people")),
            ("POST /api/people", SET_ROLES, 201, new_person),
            ("GET /api/people/{id}", READ_ALL, 200, simple("GET", f"/api/people/{self.target}")),
            ("PATCH /api/people/{id}", PERSON_WRITE, 200, patch_person),
            ("POST /api/people/{id}/password", PASSWORD_RESET, 200, reset_password),
            ("GET /api/departments", EVERYONE, 200, simple("GET", "/api/departments")),
            ("POST /api/departments", DEPT_WRITE, 201, new_dept),
            ("GET /api/departments/{id}", READ_ALL, 200,
             simple("GET", f"/api/departments/{self.center}")),
            ("PATCH /api/departments/{id}", DEPT_WRITE, 200, patch_dept),
            ("DELETE /api/departments/{id}", DEPT_WRITE, 204, delete_dept),
            ("GET /api/audit", AUDIT_READ, 200, simple("GET", "/api/audit")),
            ("GET /api/roles", EVERYONE, 200, simple("GET", "/api/roles")),
            ("GET /api/me", EVERYONE, 200, simple("GET", "/api/me")),
        ]

    def denials_of(self, role):
        return db_rows(self.srv, "SELECT id FROM audit WHERE action = 'access.denied'"
                                 f" AND actor_id = {self.ids[role]} ORDER BY id")

    def test_every_endpoint_for_every_role(self):
        """SEC-1 least privilege, SEC-2 every denial audited."""
        mgr = self.tokens["manager"]
        for (name, allowed, ok_status, build), role in itertools.product(self.cases(), ROLE_ORDER):
            with self.subTest(endpoint=name, role=role):
                method, path, body, check = build(role)
                denied_before = len(self.denials_of(role))
                resp = self.srv.call(method, path, body, token=self.tokens[role])
                ok = role in allowed
                if ok:
                    self.assertEqual(resp[0], ok_status, resp[1])
                    self.assertEqual(len(self.denials_of(role)), denied_before)
                else:
                    self.assertError(resp, 403, "forbidden")
                    self.assertEqual(len(self.denials_of(role)), denied_before + 1,
                                     "exactly one access.denied entry")
                    entry = self.srv.audit(mgr, action="access.denied",
                                           actor_id=self.ids[role])[0]
                    self.assertEqual(entry["outcome"], "denied")
                    self.assertEqual(entry["actor"], ACCOUNTS[role])
                    self.assertEqual(entry["detail"]["method"], method)
                    self.assertEqual(entry["detail"]["path"], path)
                    self.assertTrue(entry["detail"]["permission"])
                if check:
                    check(ok, resp)

    def test_unauthenticated_gets_401_everywhere(self):
        routes = [
            ("GET", "/api/people", None), ("POST", "/api/people",
                                            {"work_no": "anon1", "name": "x", "roles": ["agent"]}),
            ("GET", f"/api/people/{self.target}", None),
            ("PATCH", f"/api/people/{self.target}", {"name": "x"}),
            ("POST", f"/api/people/{self.target}/password", None),
            ("GET", "/api/departments", None),
            ("POST", "/api/departments", {"name": "匿名部", "kind": "other"}),
            ("GET", f"/api/departments/{self.center}", None),
            ("PATCH", f"/api/departments/{self.scratch_dept}", {"name": "匿名"}),
            ("DELETE", f"/api/departments/{self.scratch_dept}", None),
            ("GET", "/api/audit", None), ("GET", "/api/roles", None), ("GET", "/api/me", None),
            ("POST", "/api/me/password", {"old_password": "a" * 12, "new_password": "b" * 12}),
            ("POST", "/api/logout", None),
        ]
        people = self.srv.count("SELECT count(*) FROM person")
        depts = self.srv.count("SELECT count(*) FROM department")
        for method, path, body in routes:
            with self.subTest(method=method, path=path):
                resp = self.srv.call(method, path, body)
                self.assertError(resp, 401, "unauthenticated")
                self.assertIn("www-authenticate", resp[2])
        self.assertEqual(self.srv.count("SELECT count(*) FROM person"), people)
        self.assertEqual(self.srv.count("SELECT count(*) FROM department"), depts)

    def test_public_routes_need_no_login(self):
        for path in ("/healthz", "/metrics", "/api/openapi.json"):
            with self.subTest(path=path):
                self.assertEqual(self.srv.call("GET", path)[0], 200)


class FieldPermissionTest(KefuTestCase):
    """Each changed field needs its own permission; a refusal writes nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.admin = srv.login("admin")
        cls.mgr = srv.login("8001")
        cls.hr = srv.login("7002")

    def person(self, work_no):
        return db_rows(self.srv, "SELECT * FROM person WHERE work_no = '%s'" % work_no)[0]

    def patch(self, work_no, body, token):
        return self.srv.call("PATCH", f"/api/people/{person_id(self.srv, work_no)}", body,
                             token=token)

    def test_hr_changes_basic_fields_but_not_roles(self):
        """SEC-1: HR keeps the records, only the manager and admin set roles and skills."""
        st, body, _ = self.patch("8104", {"name": "赵磊磊", "phone": "13811112222"}, self.hr)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["name"], "赵磊磊")
        self.assertEqual(body["phone"], "13811112222")
        before = self.person("8104")
        self.assertError(self.patch("8104", {"roles": ["agent", "supervisor"]}, self.hr), 403)
        self.assertError(self.patch("8104", {"skills": ["tech_service"]}, self.hr), 403)
        # A mixed change is refused as a whole.
        self.assertError(self.patch("8104", {"name": "改不了", "roles": ["staff"]}, self.hr), 403)
        self.assertEqual(self.person("8104"), before)
        skills = db_rows(self.srv, "SELECT skill FROM person_skill WHERE person_id = %d ORDER BY skill"
                         % before["id"])
        self.assertEqual([s["skill"] for s in skills], ["callback_outbound", "market_consult"])
        entry = self.srv.audit(self.mgr, action="access.denied",
                               actor_id=person_id(self.srv, "7002"))[0]
        self.assertEqual(entry["detail"]["permission"], "person.roles")

    def test_hr_can_disable_and_enable_but_not_certify(self):
        st, body, _ = self.patch("3002", {"active": False}, self.hr)
        self.assertEqual(st, 200, body)
        self.assertIs(body["active"], False)
        st, body, _ = self.patch("3002", {"active": True}, self.hr)
        self.assertEqual(st, 200, body)
        self.assertError(self.patch("3002", {"certified": True}, self.hr), 403)
        self.assertEqual(self.person("3002")["certified"], 0)

    def test_hr_cannot_create_people(self):
        """Creating a person sets roles, which HR may not do."""
        n = self.srv.count("SELECT count(*) FROM person")
        self.assertError(self.srv.call("POST", "/api/people",
                                       {"work_no": "hr1", "name": "新人", "roles": ["staff"],
                                        "department_id": dept_id(self.srv, "人事部")},
                                       token=self.hr), 403)
        self.assertEqual(self.srv.count("SELECT count(*) FROM person"), n)

    def test_only_admin_grants_or_removes_admin(self):
        before = self.person("8103")
        self.assertError(self.patch("8103", {"roles": ["agent", "admin"]}, self.mgr), 403)
        self.assertEqual(self.person("8103"), before)
        admin_before = self.person("admin")
        self.assertError(self.patch("admin", {"roles": ["manager"]}, self.mgr), 403)
        self.assertEqual(self.person("admin"), admin_before)
        n = self.srv.count("SELECT count(*) FROM person")
        self.assertError(self.srv.call("POST", "/api/people",
                                       {"work_no": "adm2", "name": "另一个管理员", "roles": ["admin"]},
                                       token=self.mgr), 403)
        self.assertEqual(self.srv.count("SELECT count(*) FROM person"), n)
        # The manager may set other roles.
        st, body, _ = self.patch("8103", {"roles": ["agent", "supervisor"]}, self.mgr)
        self.assertEqual(st, 200, body)
        self.assertEqual(sorted(body["roles"]), ["agent", "supervisor"])
        # Admin grants and removes admin.
        st, body, _ = self.patch("8103", {"roles": ["agent", "admin"]}, self.admin)
        self.assertEqual(st, 200, body)
        self.assertEqual(sorted(body["roles"]), ["admin", "agent"])
        st, body, _ = self.patch("8103", {"roles": ["agent"]}, self.admin)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["roles"], ["agent"])

    def test_only_manager_certifies(self):
        """ORG-4: only the manager confirms a person qualified for duty; admin cannot."""
        self.assertEqual(self.person("2003")["certified"], 0)
        self.assertError(self.patch("2003", {"certified": True}, self.admin), 403)
        self.assertEqual(self.person("2003")["certified"], 0)
        entry = self.srv.audit(self.mgr, action="access.denied",
                               actor_id=person_id(self.srv, "admin"))[0]
        self.assertEqual(entry["detail"]["permission"], "person.certify")
        st, body, _ = self.patch("2003", {"certified": True}, self.mgr)
        self.assertEqual(st, 200, body)
        self.assertIs(body["certified"], True)
        st, body, _ = self.patch("2003", {"certified": False}, self.mgr)
        self.assertEqual(st, 200, body)
        self.assertIs(body["certified"], False)

    def test_admin_cannot_create_a_certified_person(self):
        """ORG-4"""
        n = self.srv.count("SELECT count(*) FROM person")
        self.assertError(self.srv.call("POST", "/api/people",
                                       {"work_no": "cert1", "name": "考核", "roles": ["agent"],
                                        "certified": True}, token=self.admin), 403)
        self.assertEqual(self.srv.count("SELECT count(*) FROM person"), n)
        st, body, _ = self.srv.call("POST", "/api/people",
                                    {"work_no": "cert2", "name": "考核二", "roles": ["agent"],
                                     "certified": True}, token=self.mgr)
        self.assertEqual(st, 201, body)
        self.assertIs(body["certified"], True)

    def test_admin_resets_passwords(self):
        old_token = self.srv.login("8102")
        st, body, _ = self.srv.call("POST", f"/api/people/{person_id(self.srv, '8102')}/password",
                                    token=self.admin)
        self.assertEqual(st, 200, body)
        self.assertIs(body["must_change_password"], True)
        self.assertEqual(len(body["password"]), 16)
        self.assertError(self.srv.call("GET", "/api/me", token=old_token), 401)
        self.assertError(login_full(self.srv, "8102"), 401)
        st, login, _ = login_full(self.srv, "8102", body["password"])
        self.assertEqual(st, 200, login)
        self.assertIs(login["person"]["must_change_password"], True)
        entry = self.srv.audit(self.mgr, action="person.password_reset")[0]
        self.assertEqual(entry["actor"], "admin")
        self.assertEqual(entry["entity_id"], str(person_id(self.srv, "8102")))
        self.assertNotIn(body["password"], str(entry))

    def test_nobody_disables_themselves(self):
        for work_no, token in (("admin", self.admin), ("8001", self.mgr), ("7002", self.hr)):
            with self.subTest(who=work_no):
                before = self.person(work_no)
                self.assertError(self.patch(work_no, {"active": False}, token), 422,
                                 "unprocessable", "active")
                self.assertEqual(self.person(work_no), before)
                self.assertEqual(self.srv.call("GET", "/api/me", token=token)[0], 200)

    def test_admin_cannot_drop_own_admin_role(self):
        before = self.person("admin")
        self.assertError(self.patch("admin", {"roles": ["office"]}, self.admin), 422,
                         "unprocessable", "roles")
        self.assertEqual(self.person("admin"), before)


class DepartmentScopeTest(KefuTestCase):
    """SEC-1 least privilege: staff see only their own department and its people."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.staff = cls.srv.login("2002")
        cls.mgr = cls.srv.login("8001")
        cls.city = dept_id(cls.srv, "城市客服部")
        cls.center = dept_id(cls.srv, "客服中心")

    def test_staff_list_only_their_department(self):
        st, body, _ = self.srv.call("GET", "/api/people?limit=500", token=self.staff)
        self.assertEqual(st, 200, body)
        self.assertEqual(sorted(p["work_no"] for p in body["items"]), ["2001", "2002", "2003"])
        self.assertTrue(all(p["department_id"] == self.city for p in body["items"]))
        st, body, _ = self.srv.call("GET", f"/api/people?department_id={self.city}", token=self.staff)
        self.assertEqual(st, 200, body)
        self.assertEqual(len(body["items"]), 3)
        st, body, _ = self.srv.call("GET", "/api/people?role=agent", token=self.staff)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["items"], [])
        st, body, _ = self.srv.call("GET", "/api/people?q=%E5%88%98", token=self.staff)  # 刘
        self.assertEqual(st, 200, body)
        self.assertEqual(body["items"], [], "刘洋 of 客服中心 stays hidden")

    def test_staff_paging_stays_in_department(self):
        seen, cursor = [], None
        for _ in range(10):
            st, body, _ = self.srv.call("GET", "/api/people?limit=1" +
                                        (f"&cursor={cursor}" if cursor else ""), token=self.staff)
            self.assertEqual(st, 200, body)
            seen += [p["work_no"] for p in body["items"]]
            cursor = body["next_cursor"]
            if not cursor:
                break
        self.assertEqual(sorted(seen), ["2001", "2002", "2003"])

    def test_staff_list_only_their_department_record(self):
        st, body, _ = self.srv.call("GET", "/api/departments", token=self.staff)
        self.assertEqual(st, 200, body)
        self.assertEqual([d["id"] for d in body["items"]], [self.city])
        self.assertEqual(body["items"][0]["name"], "城市客服部")
        self.assertEqual(self.srv.call("GET", f"/api/departments/{self.city}",
                                       token=self.staff)[0], 200)
        self.assertError(self.srv.call("GET", f"/api/departments/{self.center}", token=self.staff),
                         403, "forbidden")

    def test_staff_cannot_read_people_of_other_departments(self):
        n = self.srv.count("SELECT count(*) FROM audit WHERE action = 'access.denied'")
        other = person_id(self.srv, "8101")
        self.assertError(self.srv.call("GET", f"/api/people/{other}", token=self.staff), 403)
        self.assertError(self.srv.call("GET", f"/api/people?department_id={self.center}",
                                       token=self.staff), 403, "forbidden")
        self.assertEqual(self.srv.count("SELECT count(*) FROM audit WHERE action = 'access.denied'"),
                         n + 2)
        entries = self.srv.audit(self.mgr, action="access.denied",
                                 actor_id=person_id(self.srv, "2002"))
        self.assertEqual(entries[1]["detail"]["path"], f"/api/people/{other}")
        self.assertEqual(entries[1]["entity"], "person")
        self.assertEqual(entries[1]["entity_id"], str(other))

    def test_staff_read_themselves_and_colleagues(self):
        me = person_id(self.srv, "2002")
        st, body, _ = self.srv.call("GET", f"/api/people/{me}", token=self.staff)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["work_no"], "2002")
        self.assertEqual(body["phone"], "13800002002")
        st, body, _ = self.srv.call("GET", f"/api/people/{person_id(self.srv, '2001')}",
                                    token=self.staff)
        self.assertEqual(st, 200, body)
        self.assertEqual(self.srv.call("GET", "/api/me", token=self.staff)[0], 200)

    def test_staff_with_other_roles_see_everything(self):
        """office+staff and hr+staff get the widest permission of their roles."""
        total = self.srv.count("SELECT count(*) FROM person")
        for w in ("1002", "7002"):
            with self.subTest(who=w):
                tok = self.srv.login(w)
                st, body, _ = self.srv.call("GET", "/api/people?limit=500", token=tok)
                self.assertEqual(st, 200)
                self.assertEqual(len(body["items"]), total)
                st, body, _ = self.srv.call("GET", "/api/departments", token=tok)
                self.assertEqual(len(body["items"]), 8)


def masked(phone):
    return phone[:3] + "****" + phone[-4:]


class PhoneMaskingTest(KefuTestCase):
    """CUST-2/SEC-1: colleagues see 138****8102; HR, the manager and admin see it all;
    a person always sees their own number."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.real = {r["id"]: r["phone"] for r in db_rows(cls.srv, "SELECT id, phone FROM person")}

    def check_list(self, work_no, full):
        tok = self.srv.login(work_no)
        me = person_id(self.srv, work_no)
        st, body, _ = self.srv.call("GET", "/api/people?limit=500", token=tok)
        self.assertEqual(st, 200, body)
        self.assertGreater(len(body["items"]), 2)
        for p in body["items"]:
            real = self.real[p["id"]]
            if real is None:
                self.assertIsNone(p["phone"])
            elif full or p["id"] == me:
                self.assertEqual(p["phone"], real, p["work_no"])
            else:
                self.assertEqual(p["phone"], masked(real), p["work_no"])
                self.assertNotIn(real[3:7], p["phone"])
        return tok

    def test_agent_sees_colleagues_masked_and_own_number(self):
        tok = self.check_list("8101", full=False)
        st, body, _ = self.srv.call("GET", f"/api/people/{person_id(self.srv, '8102')}", token=tok)
        self.assertEqual(body["phone"], "138****8102")
        st, body, _ = self.srv.call("GET", f"/api/people/{person_id(self.srv, '8101')}", token=tok)
        self.assertEqual(body["phone"], "13800008101")
        st, body, _ = self.srv.call("GET", "/api/me", token=tok)
        self.assertEqual(body["phone"], "13800008101")

    def test_roles_without_phone_view_see_masked(self):
        for w in ("8002", "2002", "1001", "1002"):
            with self.subTest(who=w):
                self.check_list(w, full=False)

    def test_manager_hr_admin_see_full_numbers(self):
        for w in ("8001", "7002", "admin"):
            with self.subTest(who=w):
                tok = self.check_list(w, full=True)
                st, body, _ = self.srv.call("GET", f"/api/people/{person_id(self.srv, '8102')}",
                                            token=tok)
                self.assertEqual(body["phone"], "13800008102")

    def test_masked_after_a_change_too(self):
        mgr = self.srv.login("8001")
        pid = person_id(self.srv, "8103")
        st, body, _ = self.srv.call("PATCH", f"/api/people/{pid}", {"phone": "13712345678"}, token=mgr)
        self.assertEqual(body["phone"], "13712345678")
        self.real[pid] = "13712345678"
        agent = self.srv.login("8104")
        st, body, _ = self.srv.call("GET", f"/api/people/{pid}", token=agent)
        self.assertEqual(body["phone"], "137****5678")


class RoleChangeTakesEffectTest(KefuTestCase):
    def test_a_removed_role_stops_working_at_once(self):
        """SEC-1: permissions come from the person's current roles, not from login time."""
        admin = self.srv.login("admin")
        st, p, _ = self.srv.call("POST", "/api/people", {
            "work_no": "mgr2", "name": "副经理", "roles": ["manager"],
            "department_id": dept_id(self.srv, "客服中心"), "password": "deputy-password"}, token=admin)
        self.assertEqual(st, 201, p)
        token = self.srv.login("mgr2", "deputy-password")
        self.assertEqual(self.srv.call("GET", "/api/audit", token=token)[0], 200)
        st, body, _ = self.srv.call("PATCH", f"/api/people/{p['id']}", {"roles": ["agent"]}, token=admin)
        self.assertEqual(st, 200, body)
        self.assertError(self.srv.call("GET", "/api/audit", token=token), 403)
        st, body, _ = self.srv.call("GET", f"/api/people/{person_id(self.srv, '8101')}", token=token)
        self.assertEqual(body["phone"], "138****8101")
