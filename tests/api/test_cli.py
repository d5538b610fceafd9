"""The command line (kefu init, user, check, migrate) against the database a
running server uses (SQLite WAL lets both work at once). CLI actions are
audited with actor `cli` (SEC-2)."""
import re
import subprocess

from apihelp import db_rows, db_value, dept_id, login_full, person_id
from harness import KefuTestCase, Server, kefu_bin

DEMO = {"admin": "系统管理员", "8001": "李静", "1001": "王建国", "1002": "林芳", "8002": "张敏",
        "8101": "刘洋", "8102": "陈晨", "8103": "杨帆", "8104": "赵磊", "8105": "黄丽", "8106": "周婷",
        "2001": "孙强", "2002": "吴刚", "2003": "郑涛", "3001": "冯博", "3002": "何静", "4001": "许诺",
        "4002": "邓超", "5001": "曹雪", "5002": "彭亮", "6001": "韩梅", "6002": "蒋伟", "7001": "朱丹",
        "7002": "秦月"}


def printed_password(out):
    """The 16-character password a CLI command printed."""
    m = re.search(r"(?<!\S)([A-Za-z0-9]{16})\s*$", out, re.M)
    assert m, f"no password in {out!r}"
    return m.group(1)


def snapshot(srv):
    return {t: srv.count(f"SELECT count(*) FROM {t}")
            for t in ("person", "department", "person_skill", "session", "audit")}


class CliTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mgr = cls.srv.login("8001")

    def cli_entries(self, action):
        return [e for e in self.srv.audit(self.mgr, action=action, limit=500) if e["actor"] == "cli"]

    def test_init_refuses_a_database_with_a_center(self):
        before = snapshot(self.srv)
        hashes = db_rows(self.srv, "SELECT work_no, password_hash FROM person ORDER BY id")
        for args in (("init", "--demo"), ("init",)):
            with self.subTest(args=args):
                proc = self.srv.cli(*args, check=False)
                self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
                self.assertIn("already", proc.stderr)
                self.assertEqual(snapshot(self.srv), before)
                self.assertEqual(db_rows(self.srv, "SELECT work_no, password_hash FROM person ORDER BY id"),
                                 hashes)
        self.assertEqual(self.srv.call("GET", "/api/me", token=self.mgr)[0], 200)

    def test_user_add_prints_a_password_that_logs_in(self):
        """ORG-3: the new person logs in with their own work number."""
        out = self.srv.cli("user", "add", "9001", "新人甲", "agent", "客服中心", "8002")
        password = printed_password(out)
        st, body, _ = login_full(self.srv, "9001", password)
        self.assertEqual(st, 200, body)
        self.assertIs(body["person"]["must_change_password"], True)
        pid = body["person"]["id"]
        st, p, _ = self.srv.call("GET", f"/api/people/{pid}", token=self.mgr)
        self.assertEqual(p["name"], "新人甲")
        self.assertEqual(p["roles"], ["agent"])
        self.assertEqual(p["department_id"], dept_id(self.srv, "客服中心"))
        self.assertEqual(p["superior_id"], person_id(self.srv, "8002"))
        self.assertIs(p["active"], True)
        self.assertIs(p["certified"], False, "ORG-4: only the manager certifies")
        e = [e for e in self.cli_entries("person.create") if e["entity_id"] == str(pid)]
        self.assertEqual(len(e), 1)
        self.assertIsNone(e[0]["actor_id"])
        self.assertEqual(e[0]["outcome"], "ok")
        self.assertNotIn(password, str(e[0]))

    def test_user_add_refusals_write_nothing(self):
        cases = [
            ("user", "add", "8101", "重复", "agent", "客服中心"),        # work number taken
            ("user", "add", "9101", "某人", "boss"),                    # unknown role
            ("user", "add", "9102", "某人", "agent", "没有这个部门"),     # unknown department
            ("user", "add", "9103", "某人", "staff"),                   # staff need a department
            ("user", "add", "9104", "某人", "agent", "客服中心", "0000"),  # unknown superior
            ("user", "add", "bad no", "某人", "agent"),                 # invalid work number
            ("user", "add", "9105", "", "agent"),                       # empty name
        ]
        for args in cases:
            with self.subTest(args=args):
                before = snapshot(self.srv)
                proc = self.srv.cli(*args, check=False)
                self.assertNotEqual(proc.returncode, 0, proc.stdout)
                self.assertGreater(proc.returncode, 0, "an error exit, not a crash")
                self.assertTrue(proc.stderr.strip())
                self.assertEqual(snapshot(self.srv), before)

    def test_user_passwd_prints_a_new_password_and_ends_sessions(self):
        old = self.srv.passwords["8104"]
        token = self.srv.login("8104")
        out = self.srv.cli("user", "passwd", "8104")
        new = printed_password(out)
        self.assertNotEqual(new, old)
        self.assertError(self.srv.call("GET", "/api/me", token=token), 401)
        self.assertError(login_full(self.srv, "8104", old), 401)
        st, body, _ = login_full(self.srv, "8104", new)
        self.assertEqual(st, 200, body)
        self.assertIs(body["person"]["must_change_password"], True)
        e = [e for e in self.cli_entries("person.password_reset")
             if e["entity_id"] == str(person_id(self.srv, "8104"))]
        self.assertEqual(len(e), 1)
        self.assertNotIn(new, str(e[0]))

    def test_user_passwd_stdin(self):
        pid = person_id(self.srv, "8106")
        token = self.srv.login("8106")
        hash0 = db_value(self.srv, f"SELECT password_hash FROM person WHERE id = {pid}")
        proc = self.srv.cli("user", "passwd", "8106", "--stdin", stdin="short\n", check=False)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertIn("10", proc.stderr)
        self.assertEqual(db_value(self.srv, f"SELECT password_hash FROM person WHERE id = {pid}"), hash0)
        self.assertEqual(self.srv.call("GET", "/api/me", token=token)[0], 200)

        long_pw = "a-long-enough-passphrase"
        proc = self.srv.cli("user", "passwd", "8106", "--stdin", stdin=long_pw + "\n", check=False)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertNotIn(long_pw, proc.stdout)
        self.assertError(self.srv.call("GET", "/api/me", token=token), 401)
        self.assertError(login_full(self.srv, "8106"), 401)
        st, body, _ = login_full(self.srv, "8106", long_pw)
        self.assertEqual(st, 200, body)
        self.assertIs(body["person"]["must_change_password"], False)

    def test_user_passwd_stdin_without_input_fails_cleanly(self):
        pid = person_id(self.srv, "8105")
        hash0 = db_value(self.srv, f"SELECT password_hash FROM person WHERE id = {pid}")
        # Bytes, not text: what it prints is checked to be readable below.
        proc = subprocess.run([kefu_bin(), "user", "--db", self.srv.db, "passwd", "8105", "--stdin"],
                              env=self.srv.env, input=b"", capture_output=True, timeout=60)
        self.assertEqual(proc.returncode, 1, f"exit {proc.returncode}: {proc.stderr!r}")
        try:
            message = proc.stderr.decode("utf-8")
        except UnicodeDecodeError:
            self.fail(f"the error message is garbage: {proc.stderr!r}")
        self.assertTrue(message.strip())
        self.assertEqual(db_value(self.srv, f"SELECT password_hash FROM person WHERE id = {pid}"), hash0)

    def test_user_passwd_unknown_person(self):
        before = snapshot(self.srv)
        proc = self.srv.cli("user", "passwd", "no-such", check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(snapshot(self.srv), before)

    def test_user_list_lists_the_demo_people(self):
        """ORG-1"""
        out = self.srv.cli("user", "list")
        lines = {line.split()[0]: line for line in out.splitlines()[1:] if line.strip()}
        for work_no, name in DEMO.items():
            with self.subTest(work_no=work_no):
                self.assertIn(work_no, lines)
                self.assertIn(name, lines[work_no])
        self.assertIn("supervisor", lines["8002"])
        self.assertIn("agent", lines["8002"])

    def test_user_disable(self):
        token = self.srv.login("8103")
        out = self.srv.cli("user", "disable", "8103")
        self.assertIn("8103", out)
        self.assertError(self.srv.call("GET", "/api/me", token=token), 401)
        self.assertError(login_full(self.srv, "8103"), 401)
        st, p, _ = self.srv.call("GET", f"/api/people/{person_id(self.srv, '8103')}", token=self.mgr)
        self.assertIs(p["active"], False)
        listed = [line for line in self.srv.cli("user", "list").splitlines() if line.startswith("8103 ")]
        self.assertEqual(len(listed), 1)
        self.assertIn("disabled", listed[0])
        e = [e for e in self.cli_entries("person.update")
             if e["entity_id"] == str(person_id(self.srv, "8103"))]
        self.assertEqual(len(e), 1)
        self.assertEqual(e[0]["detail"]["fields"]["active"], [True, False])
        before = snapshot(self.srv)
        self.assertEqual(self.srv.cli("user", "disable", "no-such", check=False).returncode, 1)
        self.assertEqual(snapshot(self.srv), before)

    def test_check_says_ok(self):
        proc = self.srv.cli("check", check=False)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("ok", proc.stdout)

    def test_migrate_prints_the_schema_version(self):
        schema = self.srv.call("GET", "/healthz")[1]["schema"]
        out = self.srv.cli("migrate")
        m = re.search(r"(\d+) -> (\d+)", out)
        self.assertTrue(m, out)
        self.assertEqual((int(m.group(1)), int(m.group(2))), (schema, schema))
        self.assertEqual(self.srv.call("GET", "/healthz")[0], 200)

    def test_usage_errors_exit_2(self):
        for args in (("user",), ("user", "frobnicate"), ("user", "passwd"), ("user", "add", "9200")):
            with self.subTest(args=args):
                self.assertEqual(self.srv.cli(*args, check=False).returncode, 2)


class FreshInitTest(KefuTestCase):
    """kefu init without --demo creates the admin account and nothing else."""

    @classmethod
    def setUpClass(cls):
        cls.srv = Server(cls.server_env, demo=False)

    def test_only_admin(self):
        self.assertEqual(list(self.srv.passwords), ["admin"])
        self.assertEqual(self.srv.count("SELECT count(*) FROM person"), 1)
        self.assertEqual(self.srv.count("SELECT count(*) FROM department"), 0)
        st, body, _ = login_full(self.srv, "admin")
        self.assertEqual(st, 200, body)
        self.assertEqual(body["person"]["roles"], ["admin"])
        self.assertIs(body["person"]["must_change_password"], True)
        self.srv.change_password("admin", body["token"], self.srv.passwords["admin"])
        entries = self.srv.audit(body["token"], action="person.create")
        self.assertEqual(len(entries), 1)
        self.assertEqual(entries[0]["actor"], "cli")

    def test_second_init_refused(self):
        proc = self.srv.cli("init", "--demo", check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(self.srv.count("SELECT count(*) FROM person"), 1)
        self.assertEqual(self.srv.count("SELECT count(*) FROM department"), 0)
