"""People and departments: the demo center (ORG-1), creating and changing
people (ORG-3 work numbers, ORG-4 certification), departments, pagination,
filters and the audit trail of every change (SEC-2)."""
import itertools
from urllib.parse import quote

from apihelp import all_pages, db_rows, db_value, dept_id, login_full, person_id
from harness import KefuTestCase

DEMO_DEPARTMENTS = ["总经办", "客服中心", "城市客服部", "集团市场部", "市场运营部", "媒介部", "技术部", "人事部"]
SKILLS = {"tech_service", "market_consult", "callback_outbound", "supervising"}

_seq = itertools.count(1)


def uniq(prefix="t"):
    return f"{prefix}{next(_seq)}"


class DemoCenterTest(KefuTestCase):
    """ORG-1: the demo center of the rulebooks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mgr = cls.srv.login("8001")
        cls.people, _ = all_pages(cls.srv, "/api/people", cls.mgr, 500)
        cls.depts, _ = all_pages(cls.srv, "/api/departments", cls.mgr, 500)
        cls.by_no = {p["work_no"]: p for p in cls.people}
        cls.by_id = {p["id"]: p for p in cls.people}

    def test_eight_departments(self):
        """ORG-1: 总经办 客服中心 城市客服部 集团市场部 市场运营部 媒介部 技术部 人事部."""
        self.assertEqual(sorted(d["name"] for d in self.depts), sorted(DEMO_DEPARTMENTS))
        kinds = {d["name"]: d["kind"] for d in self.depts}
        self.assertEqual(kinds["客服中心"], "center")
        self.assertEqual(kinds["城市客服部"], "city_service")
        self.assertEqual(kinds["总经办"], "office")
        self.assertEqual(kinds["人事部"], "hr")
        self.assertEqual(kinds["技术部"], "tech")

    def test_every_department_has_an_active_head_of_its_own(self):
        """ORG-1: each department has a responsible person who receives its work orders."""
        for d in self.depts:
            with self.subTest(dept=d["name"]):
                self.assertIsNotNone(d["head_id"])
                head = self.by_id[d["head_id"]]
                self.assertTrue(head["active"])
                self.assertEqual(head["department_id"], d["id"])
        center = next(d for d in self.depts if d["name"] == "客服中心")
        self.assertEqual(self.by_id[center["head_id"]]["work_no"], "8001")

    def test_one_manager_and_one_supervisor(self):
        """ORG-1: one 客服经理, one 客服主管."""
        st, body, _ = self.srv.call("GET", "/api/people?role=manager", token=self.mgr)
        self.assertEqual([p["work_no"] for p in body["items"]], ["8001"])
        st, body, _ = self.srv.call("GET", "/api/people?role=supervisor", token=self.mgr)
        self.assertEqual([p["work_no"] for p in body["items"]], ["8002"])

    def test_agents_of_the_center(self):
        """ORG-1: six agents, plus the supervisor 8002 who also takes calls as an agent;
        ORG-4: the demo agents are certified; ORG-2: each has seat skills."""
        center = dept_id(self.srv, "客服中心")
        st, body, _ = self.srv.call("GET", f"/api/people?role=agent&department_id={center}",
                                    token=self.mgr)
        self.assertEqual(st, 200, body)
        nos = sorted(p["work_no"] for p in body["items"])
        self.assertEqual(nos, ["8002", "8101", "8102", "8103", "8104", "8105", "8106"])
        only_agents = [p for p in body["items"] if p["roles"] == ["agent"]]
        self.assertEqual(len(only_agents), 6)
        self.assertEqual(sorted(self.by_no["8002"]["roles"]), ["agent", "supervisor"])
        for p in body["items"]:
            self.assertIs(p["certified"], True, p["work_no"])
            self.assertTrue(p["skills"], p["work_no"])
            self.assertTrue(set(p["skills"]) <= SKILLS)
        # Nobody outside the center holds the agent role.
        st, body, _ = self.srv.call("GET", "/api/people?role=agent", token=self.mgr)
        self.assertEqual(len(body["items"]), 7)

    def test_everyone_but_the_top_has_a_superior(self):
        """ORG-1: a direct superior for everyone except the general manager 1001."""
        self.assertEqual(len(self.people), 25)
        for p in self.people:
            with self.subTest(who=p["work_no"]):
                if p["work_no"] == "1001":
                    self.assertIsNone(p["superior_id"])
                else:
                    self.assertIsNotNone(p["superior_id"])
                    self.assertIn(p["superior_id"], self.by_id)
                # The chain ends at 1001 without a circle.
                seen, cur = set(), p
                while cur["superior_id"] is not None:
                    self.assertNotIn(cur["id"], seen)
                    seen.add(cur["id"])
                    cur = self.by_id[cur["superior_id"]]
                self.assertEqual(cur["work_no"], "1001")
        self.assertEqual(self.by_id[self.by_no["8101"]["superior_id"]]["work_no"], "8002")
        self.assertEqual(self.by_id[self.by_no["8002"]["superior_id"]]["work_no"], "8001")

    def test_roles_endpoint_lists_roles_and_skills(self):
        """ORG-2: the seat types."""
        st, body, _ = self.srv.call("GET", "/api/roles", token=self.mgr)
        self.assertEqual(st, 200)
        self.assertEqual(body["roles"], ["admin", "manager", "supervisor", "agent", "staff", "hr",
                                         "office", "qa"])
        self.assertEqual({s["code"] for s in body["skills"]}, SKILLS)
        self.assertEqual({s["code"]: s["name"] for s in body["skills"]}["tech_service"], "技术服务")


class PersonCreateTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mgr = cls.srv.login("8001")
        cls.center = dept_id(cls.srv, "客服中心")

    def people(self):
        return self.srv.count("SELECT count(*) FROM person")

    def create(self, **body):
        return self.srv.call("POST", "/api/people", body, token=self.mgr)

    def test_create_without_password_returns_initial_password(self):
        """ORG-3: the new person logs in with their own work number."""
        w = uniq("n")
        st, body, h = self.create(work_no=w, name="新同事", roles=["agent"],
                                  department_id=self.center, superior_id=person_id(self.srv, "8002"),
                                  skills=["tech_service"], phone="138 0000-1234")
        self.assertEqual(st, 201, body)
        self.assertEqual(body["work_no"], w)
        self.assertEqual(body["name"], "新同事")
        self.assertEqual(body["roles"], ["agent"])
        self.assertEqual(body["skills"], ["tech_service"])
        self.assertEqual(body["department_id"], self.center)
        self.assertEqual(body["phone"], "138 0000-1234")
        self.assertIs(body["active"], True)
        self.assertIs(body["certified"], False)
        self.assertEqual(body["id"], person_id(self.srv, w))
        pw = body["initial_password"]
        self.assertEqual(len(pw), 16)
        st, login, _ = login_full(self.srv, w, pw)
        self.assertEqual(st, 200, login)
        self.assertIs(login["person"]["must_change_password"], True)
        st, got, _ = self.srv.call("GET", f"/api/people/{body['id']}", token=self.mgr)
        self.assertEqual(got, {k: v for k, v in body.items() if k != "initial_password"})

    def test_create_with_password(self):
        w = uniq("p")
        st, body, _ = self.create(work_no=w, name="带密码", roles=["staff"],
                                  department_id=dept_id(self.srv, "技术部"),
                                  password="given-password-1")
        self.assertEqual(st, 201, body)
        self.assertNotIn("initial_password", body)
        self.assertNotIn("password", body)
        st, login, _ = login_full(self.srv, w, "given-password-1")
        self.assertEqual(st, 200, login)
        self.assertIs(login["person"]["must_change_password"], False)

    def test_create_is_audited(self):
        """SEC-2"""
        w = uniq("a")
        st, body, _ = self.create(work_no=w, name="审计", roles=["agent"], department_id=self.center)
        self.assertEqual(st, 201, body)
        e = self.srv.audit(self.mgr, action="person.create", entity_id=body["id"])[0]
        self.assertEqual(e["actor"], "8001")
        self.assertEqual(e["actor_id"], person_id(self.srv, "8001"))
        self.assertEqual(e["entity"], "person")
        self.assertEqual(e["outcome"], "ok")
        self.assertEqual(e["detail"]["work_no"], w)
        self.assertNotIn(body["initial_password"], str(e))

    def test_duplicate_work_number_is_409(self):
        n = self.people()
        self.assertError(self.create(work_no="8101", name="重复", roles=["agent"]), 409, "conflict",
                         "work_no")
        self.assertEqual(self.people(), n)

    def test_invalid_input_is_422_with_field(self):
        bad_dept = 99999
        cases = [
            ({"work_no": "a b"}, "work_no"),
            ({"work_no": "工号1"}, "work_no"),
            ({"work_no": ""}, "work_no"),
            ({"work_no": "x" * 33}, "work_no"),
            ({"work_no": "a/b"}, "work_no"),
            ({"name": ""}, "name"),
            ({"name": "   "}, "name"),
            ({"name": "名" * 65}, "name"),
            ({"name": "a" * 65}, "name"),
            ({"name": "名" * 100}, "name"),
            ({"phone": "abc"}, "phone"),
            ({"phone": "138-abc-0000"}, "phone"),
            ({"roles": ["boss"]}, "roles"),
            ({"roles": []}, "roles"),
            ({"roles": ["staff"], "department_id": None}, "department_id"),
            ({"skills": ["flying"]}, "skills"),
            ({"department_id": bad_dept}, "department_id"),
            ({"superior_id": 99999}, "superior_id"),
            ({"password": "short"}, "password"),
            ({"password": "p" * 129}, "password"),
        ]
        for change, field in cases:
            with self.subTest(change=str(change)[:60]):
                body = {"work_no": uniq("v"), "name": "某人", "roles": ["agent"],
                        "department_id": self.center}
                body.update(change)
                n = self.people()
                skills = self.srv.count("SELECT count(*) FROM person_skill")
                self.assertError(self.srv.call("POST", "/api/people", body, token=self.mgr), 422,
                                 "unprocessable", field)
                self.assertEqual(self.people(), n)
                self.assertEqual(self.srv.count("SELECT count(*) FROM person_skill"), skills)

    def test_boundaries_that_are_allowed(self):
        for change in ({"name": "名" * 64}, {"work_no": "A-z_0." + "9" * 26}, {"phone": "+86 138-0000-0000"}):
            with self.subTest(change=str(change)[:40]):
                body = {"work_no": uniq("b"), "name": "某人", "roles": ["agent"],
                        "department_id": self.center}
                body.update(change)
                st, out, _ = self.srv.call("POST", "/api/people", body, token=self.mgr)
                self.assertEqual(st, 201, out)
                self.assertEqual(out["work_no"], body["work_no"])

    def test_missing_required_fields_are_400(self):
        for missing in ("work_no", "name", "roles"):
            with self.subTest(missing=missing):
                body = {"work_no": uniq("m"), "name": "某人", "roles": ["agent"]}
                del body[missing]
                n = self.people()
                self.assertError(self.create(**body), 400, "bad_request", missing)
                self.assertEqual(self.people(), n)


class PersonUpdateTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mgr = cls.srv.login("8001")
        cls.center = dept_id(cls.srv, "客服中心")

    def new_person(self, **extra):
        body = {"work_no": uniq("u"), "name": "改动", "roles": ["agent"], "department_id": self.center,
                "password": "update-password-1"}
        body.update(extra)
        st, p, _ = self.srv.call("POST", "/api/people", body, token=self.mgr)
        self.assertEqual(st, 201, p)
        return p

    def patch(self, pid, body, token=None):
        return self.srv.call("PATCH", f"/api/people/{pid}", body, token=token or self.mgr)

    def last_update(self, pid):
        return self.srv.audit(self.mgr, action="person.update", entity_id=pid)[0]

    def test_patch_each_field(self):
        """SEC-2: the audit entry lists each changed field as [old, new]."""
        p = self.new_person(phone="13800000000")
        pid = p["id"]
        sup = person_id(self.srv, "8002")
        market = dept_id(self.srv, "集团市场部")
        changes = [
            ("name", "新名字"),
            ("phone", "13911112222"),
            ("department_id", market),
            ("superior_id", sup),
            ("superior_id", None),
            ("roles", ["agent", "supervisor"]),
            ("skills", ["market_consult", "tech_service"]),
            ("active", False),
            ("active", True),
            ("certified", True),
        ]
        for field, value in changes:
            with self.subTest(field=field, value=value):
                st, before, _ = self.srv.call("GET", f"/api/people/{pid}", token=self.mgr)
                st, body, _ = self.patch(pid, {field: value})
                self.assertEqual(st, 200, body)
                got = body[field]
                if isinstance(value, list):
                    got, value = sorted(got), sorted(value)
                self.assertEqual(got, value)
                st, again, _ = self.srv.call("GET", f"/api/people/{pid}", token=self.mgr)
                self.assertEqual(again[field], body[field])
                self.assertGreaterEqual(again["updated_at"], before["updated_at"])
                e = self.last_update(pid)
                self.assertEqual(e["actor"], "8001")
                self.assertEqual(list(e["detail"]["fields"]), [field])
                old, new = e["detail"]["fields"][field]
                if isinstance(value, list):
                    old, new = sorted(old), sorted(new)
                    self.assertEqual(old, sorted(before[field]))
                else:
                    self.assertEqual(old, before[field])
                self.assertEqual(new, value)

    def test_unchanged_patch_writes_no_audit_entry(self):
        p = self.new_person()
        n = self.srv.count("SELECT count(*) FROM audit WHERE action = 'person.update'")
        st, body, _ = self.patch(p["id"], {"name": p["name"], "work_no": p["work_no"]})
        self.assertEqual(st, 200, body)
        self.assertEqual(self.srv.count("SELECT count(*) FROM audit WHERE action = 'person.update'"), n)

    def test_work_number_never_changes(self):
        """ORG-3: the work number is the login and the SIP user."""
        p = self.new_person()
        self.assertError(self.patch(p["id"], {"work_no": uniq("x")}), 422, "unprocessable", "work_no")
        self.assertEqual(db_value(self.srv, f"SELECT work_no FROM person WHERE id = {p['id']}"),
                         p["work_no"])

    def test_invalid_patch_values_are_422(self):
        p = self.new_person()
        row = db_rows(self.srv, f"SELECT * FROM person WHERE id = {p['id']}")
        for change, field in (({"name": ""}, "name"), ({"phone": "x1"}, "phone"),
                              ({"roles": []}, "roles"), ({"roles": ["god"]}, "roles"),
                              ({"skills": ["nope"]}, "skills"),
                              ({"department_id": 99999}, "department_id"),
                              ({"superior_id": 99999}, "superior_id"),
                              ({"superior_id": p["id"]}, "superior_id"),
                              ({"roles": ["staff"], "department_id": None}, "department_id")):
            with self.subTest(change=change):
                self.assertError(self.patch(p["id"], change), 422, "unprocessable", field)
                self.assertEqual(db_rows(self.srv, f"SELECT * FROM person WHERE id = {p['id']}"), row)

    def test_superior_circle_is_422(self):
        a, b, c = self.new_person(), self.new_person(), self.new_person()
        self.assertEqual(self.patch(a["id"], {"superior_id": b["id"]})[0], 200)
        self.assertError(self.patch(b["id"], {"superior_id": a["id"]}), 422, "unprocessable",
                         "superior_id")
        self.assertEqual(self.patch(c["id"], {"superior_id": a["id"]})[0], 200)
        self.assertError(self.patch(b["id"], {"superior_id": c["id"]}), 422, "unprocessable",
                         "superior_id")
        self.assertIsNone(db_value(self.srv, f"SELECT superior_id FROM person WHERE id = {b['id']}"))

    def test_disabling_ends_sessions_and_blocks_login(self):
        p = self.new_person()
        token = self.srv.login(p["work_no"], "update-password-1")
        token2 = self.srv.login(p["work_no"], "update-password-1")
        self.assertEqual(self.srv.call("GET", "/api/me", token=token)[0], 200)
        st, body, _ = self.patch(p["id"], {"active": False})
        self.assertEqual(st, 200, body)
        self.assertIs(body["active"], False)
        self.assertError(self.srv.call("GET", "/api/me", token=token), 401)
        self.assertError(self.srv.call("GET", "/api/me", token=token2), 401)
        self.assertEqual(self.srv.count(f"SELECT count(*) FROM session WHERE person_id = {p['id']}"), 0)
        self.assertError(login_full(self.srv, p["work_no"], "update-password-1"), 401)
        # Enabled again, the same password works.
        self.assertEqual(self.patch(p["id"], {"active": True})[0], 200)
        self.assertEqual(login_full(self.srv, p["work_no"], "update-password-1")[0], 200)

    def test_missing_person_is_404(self):
        self.assertError(self.patch(99999, {"name": "x"}), 404, "not_found")
        self.assertError(self.srv.call("GET", "/api/people/99999", token=self.mgr), 404, "not_found")
        admin = self.srv.login("admin")
        self.assertError(self.srv.call("POST", "/api/people/99999/password", token=admin), 404)


class DepartmentTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mgr = cls.srv.login("8001")

    def depts(self):
        return self.srv.count("SELECT count(*) FROM department")

    def create(self, **body):
        return self.srv.call("POST", "/api/departments", body, token=self.mgr)

    def test_create_get_update_delete(self):
        """SEC-2: create, update and delete are audited with their fields."""
        head = person_id(self.srv, "6002")
        parent = dept_id(self.srv, "技术部")
        st, d, _ = self.create(name="运维部", kind="tech", parent_id=parent, head_id=head)
        self.assertEqual(st, 201, d)
        self.assertEqual((d["name"], d["kind"], d["parent_id"], d["head_id"]),
                         ("运维部", "tech", parent, head))
        st, got, _ = self.srv.call("GET", f"/api/departments/{d['id']}", token=self.mgr)
        self.assertEqual(got, d)
        e = self.srv.audit(self.mgr, action="department.create", entity_id=d["id"])[0]
        self.assertEqual(e["actor"], "8001")
        self.assertEqual(e["outcome"], "ok")

        st, u, _ = self.srv.call("PATCH", f"/api/departments/{d['id']}",
                                 {"name": "运维保障部", "kind": "other", "parent_id": None,
                                  "head_id": None}, token=self.mgr)
        self.assertEqual(st, 200, u)
        self.assertEqual((u["name"], u["kind"], u["parent_id"], u["head_id"]),
                         ("运维保障部", "other", None, None))
        e = self.srv.audit(self.mgr, action="department.update", entity_id=d["id"])[0]
        self.assertEqual(e["detail"]["fields"], {"name": ["运维部", "运维保障部"],
                                                 "kind": ["tech", "other"],
                                                 "parent_id": [parent, None],
                                                 "head_id": [head, None]})

        st, _, _ = self.srv.call("DELETE", f"/api/departments/{d['id']}", token=self.mgr)
        self.assertEqual(st, 204)
        self.assertError(self.srv.call("GET", f"/api/departments/{d['id']}", token=self.mgr), 404,
                         "not_found")
        self.assertError(self.srv.call("DELETE", f"/api/departments/{d['id']}", token=self.mgr), 404)
        self.assertError(self.srv.call("PATCH", f"/api/departments/{d['id']}", {"name": "x"},
                                       token=self.mgr), 404)
        e = self.srv.audit(self.mgr, action="department.delete", entity_id=d["id"])[0]
        self.assertEqual((e["actor"], e["entity"], e["outcome"]), ("8001", "department", "ok"))
        self.assertEqual(self.srv.count(f"SELECT count(*) FROM department WHERE id = {d['id']}"), 0)

    def test_duplicate_name_is_409(self):
        n = self.depts()
        self.assertError(self.create(name="技术部", kind="tech"), 409, "conflict", "name")
        self.assertEqual(self.depts(), n)
        st, d, _ = self.create(name="重名测试部", kind="other")
        self.assertEqual(st, 201)
        self.assertError(self.srv.call("PATCH", f"/api/departments/{d['id']}", {"name": "技术部"},
                                       token=self.mgr), 409, "conflict", "name")
        self.assertEqual(db_value(self.srv, f"SELECT name FROM department WHERE id = {d['id']}"),
                         "重名测试部")

    def test_invalid_departments_are_422(self):
        disabled = person_id(self.srv, "5002")
        st, _, _ = self.srv.call("PATCH", f"/api/people/{disabled}", {"active": False}, token=self.mgr)
        self.assertEqual(st, 200)
        for body, field in (({"name": "怪部", "kind": "castle"}, "kind"),
                            ({"name": "", "kind": "other"}, "name"),
                            ({"name": "部" * 65, "kind": "other"}, "name"),
                            ({"name": "孤部", "kind": "other", "parent_id": 99999}, "parent_id"),
                            ({"name": "孤部", "kind": "other", "head_id": 99999}, "head_id"),
                            ({"name": "孤部", "kind": "other", "head_id": disabled}, "head_id")):
            with self.subTest(body=str(body)[:50]):
                n = self.depts()
                self.assertError(self.create(**body), 422, "unprocessable", field)
                self.assertEqual(self.depts(), n)

    def test_missing_required_fields_are_400(self):
        n = self.depts()
        self.assertError(self.create(name="缺类型部"), 400, "bad_request", "kind")
        self.assertError(self.create(kind="other"), 400, "bad_request", "name")
        self.assertEqual(self.depts(), n)

    def test_parent_circle_is_422(self):
        st, a, _ = self.create(name="甲部", kind="other")
        st, b, _ = self.create(name="乙部", kind="other", parent_id=a["id"])
        st, c, _ = self.create(name="丙部", kind="other", parent_id=b["id"])
        self.assertEqual(st, 201, c)
        for target, parent in ((a, c), (a, b), (a, a)):
            with self.subTest(dept=target["name"], parent=parent["name"]):
                self.assertError(self.srv.call("PATCH", f"/api/departments/{target['id']}",
                                               {"parent_id": parent["id"]}, token=self.mgr),
                                 422, "unprocessable", "parent_id")
        self.assertIsNone(db_value(self.srv, f"SELECT parent_id FROM department WHERE id = {a['id']}"))

    def test_delete_in_use_is_409(self):
        center = dept_id(self.srv, "客服中心")
        self.assertError(self.srv.call("DELETE", f"/api/departments/{center}", token=self.mgr), 409,
                         "conflict")
        self.assertEqual(self.srv.count(f"SELECT count(*) FROM department WHERE id = {center}"), 1)
        st, parent, _ = self.create(name="有子部门", kind="other")
        st, child, _ = self.create(name="子部门", kind="other", parent_id=parent["id"])
        self.assertError(self.srv.call("DELETE", f"/api/departments/{parent['id']}", token=self.mgr),
                         409, "conflict")
        self.assertEqual(self.srv.call("DELETE", f"/api/departments/{child['id']}",
                                       token=self.mgr)[0], 204)
        self.assertEqual(self.srv.call("DELETE", f"/api/departments/{parent['id']}",
                                       token=self.mgr)[0], 204)


class PaginationTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mgr = cls.srv.login("8001")
        center = dept_id(cls.srv, "客服中心")
        for i in range(13):
            st, body, _ = cls.srv.call("POST", "/api/people", {
                "work_no": f"pg{i:02d}", "name": f"分页{i}", "roles": ["agent"],
                "department_id": center, "password": "paging-password"}, token=cls.mgr)
            assert st == 201, body

    def test_people_pages_have_no_gaps_or_duplicates(self):
        items, pages = all_pages(self.srv, "/api/people", self.mgr, 5)
        ids = [p["id"] for p in items]
        db_ids = [r["id"] for r in db_rows(self.srv, "SELECT id FROM person ORDER BY id")]
        self.assertEqual(len(db_ids), 38)
        self.assertEqual(ids, db_ids)
        self.assertTrue(all(len(p) <= 5 for p in pages))
        self.assertGreaterEqual(len(pages), 8)
        self.assertEqual(len(pages[0]), 5)

    def test_default_and_maximum_limit(self):
        st, body, _ = self.srv.call("GET", "/api/people", token=self.mgr)
        self.assertEqual(len(body["items"]), 38)
        self.assertIsNone(body["next_cursor"])
        st, body, _ = self.srv.call("GET", "/api/people?limit=500", token=self.mgr)
        self.assertEqual(st, 200)
        st, body, _ = self.srv.call("GET", "/api/people?limit=1", token=self.mgr)
        self.assertEqual(len(body["items"]), 1)
        self.assertIsInstance(body["next_cursor"], str)

    def test_filtered_pages(self):
        items, _ = all_pages(self.srv, "/api/people?q=pg", self.mgr, 4)
        self.assertEqual([p["work_no"] for p in items], [f"pg{i:02d}" for i in range(13)])

    def test_department_pages(self):
        items, pages = all_pages(self.srv, "/api/departments", self.mgr, 3)
        self.assertEqual([d["id"] for d in items],
                         [r["id"] for r in db_rows(self.srv, "SELECT id FROM department ORDER BY id")])
        self.assertEqual(len(pages[0]), 3)

    def test_audit_pages_newest_first(self):
        items, pages = all_pages(self.srv, "/api/audit", self.mgr, 7)
        ids = [e["id"] for e in items]
        db_ids = [r["id"] for r in db_rows(self.srv, "SELECT id FROM audit ORDER BY id DESC")]
        # Reading the audit log writes nothing, so the snapshots agree.
        self.assertEqual(ids, db_ids)
        self.assertEqual(len(set(ids)), len(ids))


class FilterTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mgr = cls.srv.login("8001")
        st, _, _ = cls.srv.call("PATCH", f"/api/people/{person_id(cls.srv, '3002')}",
                                {"active": False}, token=cls.mgr)
        assert st == 200

    def nos(self, query):
        items, _ = all_pages(self.srv, "/api/people?" + query, self.mgr, 500)
        return sorted(p["work_no"] for p in items)

    def db_nos(self, where):
        return sorted(r["work_no"] for r in db_rows(self.srv, f"SELECT work_no FROM person WHERE {where}"))

    def test_role_filter(self):
        for role, bit in (("agent", 8), ("staff", 16), ("hr", 32), ("office", 64), ("admin", 1)):
            with self.subTest(role=role):
                self.assertEqual(self.nos(f"role={role}"), self.db_nos(f"roles & {bit}"))
        self.assertEqual(self.nos("role=hr"), ["7001", "7002"])

    def test_department_filter(self):
        city = dept_id(self.srv, "城市客服部")
        self.assertEqual(self.nos(f"department_id={city}"), ["2001", "2002", "2003"])
        office = dept_id(self.srv, "总经办")
        self.assertEqual(self.nos(f"department_id={office}&role=staff"), ["1002"])

    def test_active_filter(self):
        self.assertEqual(self.nos("active=false"), ["3002"])
        self.assertEqual(len(self.nos("active=true")), 24)

    def test_q_filter_name_and_work_number(self):
        self.assertEqual(self.nos("q=" + quote("李")), ["8001"])
        self.assertEqual(self.nos("q=" + quote("静")), ["3002", "8001"])  # 何静, 李静
        self.assertEqual(self.nos("q=810"), ["8101", "8102", "8103", "8104", "8105", "8106"])
        self.assertEqual(self.nos("q=" + quote("刘洋")), ["8101"])
        self.assertEqual(self.nos("q=" + quote("不存在的人")), [])
        self.assertEqual(self.nos("q=" + quote("%")), [], "q is literal, not a LIKE pattern")
        self.assertEqual(len(self.nos("q=")), 25)

    def test_bad_filter_values_are_400(self):
        for q, field in (("role=boss", "role"), ("active=yes", "active"),
                         ("department_id=abc", "department_id"), ("department_id=0", "department_id")):
            with self.subTest(q=q):
                self.assertError(self.srv.call("GET", "/api/people?" + q, token=self.mgr), 400,
                                 "bad_request", field)


class SkillsTest(KefuTestCase):
    """ORG-2: skills are a set of seat types; what the API answers is what is stored."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mgr = cls.srv.login("8001")

    def test_duplicate_skills_answer_what_is_stored(self):
        st, body, _ = self.srv.call("POST", "/api/people", {
            "work_no": "sk1", "name": "技能", "roles": ["agent"],
            "skills": ["tech_service", "tech_service"]}, token=self.mgr)
        self.assertEqual(st, 201, body)
        st, got, _ = self.srv.call("GET", f"/api/people/{body['id']}", token=self.mgr)
        self.assertEqual(body["skills"], got["skills"])

    def test_same_skills_in_another_order_are_no_change(self):
        st, p, _ = self.srv.call("POST", "/api/people", {
            "work_no": "sk2", "name": "技能二", "roles": ["agent"],
            "skills": ["market_consult", "tech_service"]}, token=self.mgr)
        self.assertEqual(st, 201, p)
        n = self.srv.count("SELECT count(*) FROM audit WHERE action = 'person.update'")
        st, body, _ = self.srv.call("PATCH", f"/api/people/{p['id']}",
                                    {"skills": ["tech_service", "market_consult"]}, token=self.mgr)
        self.assertEqual(st, 200, body)
        self.assertEqual(self.srv.count("SELECT count(*) FROM audit WHERE action = 'person.update'"), n,
                         "a PATCH that changes nothing is not audited as a change")
        st, got, _ = self.srv.call("GET", f"/api/people/{p['id']}", token=self.mgr)
        self.assertEqual(body["skills"], got["skills"])
        # HR may send the record back as it is (skills unchanged) when changing a basic field.
        hr = self.srv.login("7002")
        st, body, _ = self.srv.call("PATCH", f"/api/people/{p['id']}",
                                    {"name": "技能三", "skills": ["tech_service", "market_consult"]},
                                    token=hr)
        self.assertEqual(st, 200, body)

    def test_too_many_skills_is_422(self):
        n = self.srv.count("SELECT count(*) FROM person")
        self.assertError(self.srv.call("POST", "/api/people", {
            "work_no": "sk3", "name": "技能", "roles": ["agent"], "skills": ["tech_service"] * 9},
            token=self.mgr), 422, "unprocessable", "skills")
        self.assertEqual(self.srv.count("SELECT count(*) FROM person"), n)


class ConcurrencyTest(KefuTestCase):
    """Parallel writes are serialised: no lost updates, no 5xx, uniqueness holds."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mgr = cls.srv.login("8001")

    def parallel(self, fn, n):
        import threading
        out = [None] * n

        def run(i):
            out[i] = fn(i)
        threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        return out

    def create(self, work_no):
        return self.srv.call("POST", "/api/people", {"work_no": work_no, "name": "并发", "roles": ["agent"],
                                                     "password": "parallel-password"}, token=self.mgr)[0]

    def test_parallel_creates_of_one_work_number(self):
        n = self.srv.count("SELECT count(*) FROM person")
        statuses = self.parallel(lambda i: self.create("same"), 12)
        self.assertEqual(sorted(statuses), [201] + [409] * 11)
        self.assertEqual(self.srv.count("SELECT count(*) FROM person"), n + 1)

    def test_parallel_creates_of_many(self):
        audited = "SELECT count(*) FROM audit WHERE action = 'person.create' AND actor = '8001'"
        n, a = self.srv.count("SELECT count(*) FROM person"), self.srv.count(audited)
        statuses = self.parallel(lambda i: self.create(f"par{i}"), 12)
        self.assertEqual(statuses, [201] * 12)
        self.assertEqual(self.srv.count("SELECT count(*) FROM person"), n + 12)
        self.assertEqual(self.srv.count(audited), a + 12)

    def test_parallel_failed_logins_lock_at_exactly_five(self):
        statuses = self.parallel(lambda i: login_full(self.srv, "8102", f"wrong-{i}")[0], 10)
        self.assertEqual(sorted(statuses), [401] * 5 + [429] * 5)


class AuditLogTest(KefuTestCase):
    """SEC-2: the audit log, its filters, and that it cannot be changed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mgr = cls.srv.login("8001")
        cls.t0 = cls.srv.call("GET", "/healthz")[1]["time"]
        cls.srv.advance(1000)
        cls.pid = person_id(cls.srv, "8101")
        st, _, _ = cls.srv.call("PATCH", f"/api/people/{cls.pid}", {"phone": "13900008101"}, token=cls.mgr)
        assert st == 200
        cls.srv.advance(1000)
        cls.t1 = cls.srv.call("GET", "/healthz")[1]["time"]
        agent = cls.srv.login("8102")
        cls.srv.call("GET", "/api/audit", token=agent)  # denied

    def test_entry_shape(self):
        e = self.srv.audit(self.mgr, action="person.update", entity_id=self.pid)[0]
        self.assertEqual(set(e), {"id", "at", "actor_id", "actor", "address", "action", "entity",
                                  "entity_id", "outcome", "detail"})
        self.assertEqual(e["entity"], "person")
        self.assertEqual(e["entity_id"], str(self.pid))
        self.assertEqual(e["address"], "127.0.0.1")
        self.assertEqual(e["detail"], {"fields": {"phone": ["13800008101", "13900008101"]}})
        self.assertGreaterEqual(e["at"], self.t0)
        self.assertLess(e["at"], self.t1)

    def test_filters(self):
        mgr_id = person_id(self.srv, "8001")
        for f, check in ((dict(actor_id=mgr_id), lambda e: e["actor_id"] == mgr_id),
                         (dict(action="login"), lambda e: e["action"] == "login"),
                         (dict(entity="person"), lambda e: e["entity"] == "person"),
                         (dict(outcome="denied"), lambda e: e["outcome"] == "denied"),
                         (dict(outcome="failed"), lambda e: e["outcome"] == "failed")):
            with self.subTest(filter=f):
                items = self.srv.audit(self.mgr, limit=500, **f)
                self.assertTrue(items or f.get("outcome") == "failed")
                self.assertTrue(all(check(e) for e in items), items[:3])
        window = self.srv.audit(self.mgr, limit=500, **{"from": self.t0, "to": self.t1})
        self.assertTrue(window)
        self.assertTrue(all(self.t0 <= e["at"] < self.t1 for e in window))
        self.assertIn("person.update", [e["action"] for e in window])
        denied = self.srv.audit(self.mgr, outcome="denied", actor_id=person_id(self.srv, "8102"))
        self.assertEqual(len(denied), 1)
        self.assertEqual(denied[0]["action"], "access.denied")

    def test_newest_first(self):
        ids = [e["id"] for e in self.srv.audit(self.mgr, limit=500)]
        self.assertEqual(ids, sorted(ids, reverse=True))

    def test_append_only(self):
        import subprocess
        n = self.srv.count("SELECT count(*) FROM audit")
        for sql in ("UPDATE audit SET outcome = 'ok'", "DELETE FROM audit"):
            with self.subTest(sql=sql):
                proc = subprocess.run(["sqlite3", self.srv.db, sql], capture_output=True, text=True)
                self.assertNotEqual(proc.returncode, 0)
                self.assertIn("append-only", proc.stderr)
        self.assertEqual(self.srv.count("SELECT count(*) FROM audit"), n)
