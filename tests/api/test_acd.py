"""Agent status (GET/POST /api/acd/…): ready (示闲), busy (示忙) with a reason,
break and logged out set by agents and supervisors; the system's statuses
refused to people; who may do what (ORG-2 seats, ORG-4 certification);
audit entries and the status log; CALL-15: an agent busy longer than
busy_max_min alerts every manager and supervisor exactly once per busy
spell, also across restarts; wrap-up that runs out turns ready.

The call engine is not in this slice: the tests put an agent into ringing,
talking or wrap-up by writing agent_state with the sqlite3 command line,
as another process (the engine) would through acd_set_system()."""
import json
import subprocess

from apihelp import MINUTE, db_rows, db_value, person_id
from harness import KefuTestCase

SEC = 1000


def sql(srv, text):
    subprocess.run(["sqlite3", "-cmd", ".timeout 5000", srv.db, text], check=True,
                   capture_output=True, text=True)


def restart(srv, crash=False):
    """Restarts kefu on the same database and moves its test clock back to where it was
    (a new process starts at the real time)."""
    before = srv.advance(0)
    srv.restart(crash=crash)
    srv.advance(max(0, before - srv.advance(0)))


def alerts(srv, work_no_of_agent, to_work_no):
    """CALL-15 notifications about one agent received by one person."""
    return db_rows(srv, "SELECT n.text FROM notification n JOIN person p ON p.id = n.person_id"
                        f" WHERE n.kind = 'agent.busy_long' AND p.work_no = '{to_work_no}'"
                        f" AND n.text LIKE '%（{work_no_of_agent}）%' ORDER BY n.id")


class AgentStatusTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.t = {w: srv.login(w) for w in
                 ("8001", "8002", "8101", "8102", "8103", "8104", "8105", "8106", "2001",
                  "1001", "admin")}

    def me(self, who):
        st, body, _ = self.srv.call("GET", "/api/acd/me", token=self.t[who])
        self.assertEqual(st, 200, body)
        return body

    def set_me(self, who, body):
        return self.srv.call("POST", "/api/acd/me/status", body, token=self.t[who])

    def log_count(self, work_no):
        return db_value(self.srv, "SELECT count(*) FROM agent_state_log WHERE person_id ="
                                  f" {person_id(self.srv, work_no)}")

    def test_an_agent_goes_ready_busy_on_break_and_out(self):
        srv = self.srv
        me = self.me("8101")
        self.assertEqual(me["status"], "logged_out", "no row yet: logged out")
        self.assertIsNone(me["since"])
        self.assertEqual(me["person_id"], person_id(srv, "8101"))

        now = srv.advance(0)
        st, body, _ = self.set_me("8101", {"status": "ready"})
        self.assertEqual(st, 200, body)
        self.assertEqual(body["status"], "ready")
        self.assertIsNone(body["reason"])
        self.assertGreaterEqual(body["since"], now)
        st, body, _ = self.set_me("8101", {"status": "busy", "reason": "  training  "})
        self.assertEqual(st, 200, body)
        self.assertEqual((body["status"], body["reason"]), ("busy", "training"))
        busy_since = body["since"]
        self.assertEqual(self.me("8101")["status"], "busy")

        # Another reason is the same busy spell: its start stays (CALL-15 counts from it).
        srv.advance(MINUTE)
        st, body, _ = self.set_me("8101", {"status": "busy", "reason": "去银行办事"})
        self.assertEqual(st, 200, body)
        self.assertEqual(body["reason"], "去银行办事")
        self.assertEqual(body["since"], busy_since)

        # Asking for what already is writes nothing, not even an audit entry.
        n = self.log_count("8101")
        audits = len(srv.audit(self.t["8001"], action="agent.status", entity_id=person_id(srv, "8101")))
        st, body, _ = self.set_me("8101", {"status": "busy", "reason": "去银行办事"})
        self.assertEqual(st, 200, body)
        self.assertEqual(self.log_count("8101"), n)
        self.assertEqual(len(srv.audit(self.t["8001"], action="agent.status",
                                       entity_id=person_id(srv, "8101"))), audits)

        for s in ("break", "logged_out"):
            st, body, _ = self.set_me("8101", {"status": s, "reason": None})
            self.assertEqual(st, 200, body)
            self.assertEqual(body["status"], s)

        # Every change is audited with from, to and reason, and is in the log.
        entries = srv.audit(self.t["8001"], action="agent.status", entity_id=person_id(srv, "8101"))
        self.assertEqual(len(entries), 5)
        self.assertTrue(all(e["actor"] == "8101" and e["outcome"] == "ok" for e in entries))
        self.assertEqual(entries[-2]["detail"], {"from": "ready", "to": "busy",
                                                 "reason": "training", "by": "self"})
        log = db_rows(srv, "SELECT from_status, to_status, reason, by_id FROM agent_state_log"
                           f" WHERE person_id = {person_id(srv, '8101')} ORDER BY id")
        self.assertEqual([(r["from_status"], r["to_status"]) for r in log],
                         [("logged_out", "ready"), ("ready", "busy"), ("busy", "busy"),
                          ("busy", "break"), ("break", "logged_out")])
        self.assertTrue(all(r["by_id"] == person_id(srv, "8101") for r in log))

    def test_bad_requests_write_nothing(self):
        srv = self.srv
        self.assertEqual(self.set_me("8102", {"status": "ready"})[0], 200)
        before = self.log_count("8102")
        cases = [
            ({"status": "busy"}, 422, "reason"),
            ({"status": "busy", "reason": "   "}, 422, "reason"),
            ({"status": "busy", "reason": None}, 422, "reason"),
            ({"status": "busy", "reason": "事" * 65}, 422, "reason"),
            ({"status": "busy", "reason": "第一行\n第二行"}, 422, "reason"),
            ({"status": "break", "reason": "training"}, 422, "reason"),
            ({"status": "idle"}, 422, "status"),
            ({"status": "talking"}, 422, "status"),
            ({"status": "ringing"}, 422, "status"),
            ({"status": "wrap_up"}, 422, "status"),
            ({}, 400, "status"),
            ({"status": 1}, 400, "status"),
            ({"status": "busy", "reason": 5}, 400, "reason"),
            ({"status": "ready", "since": 0}, 400, "since"),
        ]
        for body, status, field in cases:
            with self.subTest(body=body):
                self.assertError(self.set_me("8102", body), status, field=field)
        self.assertError(srv.call("POST", "/api/acd/me/status", b"[1]", token=self.t["8102"]),
                         400)
        self.assertEqual(self.log_count("8102"), before)
        self.assertEqual(self.me("8102")["status"], "ready")
        # 64 characters are fine.
        st, body, _ = self.set_me("8102", {"status": "busy", "reason": "事" * 64})
        self.assertEqual(st, 200, body)

    def test_who_may_do_what(self):
        srv = self.srv
        agent = person_id(srv, "8103")
        before = self.log_count("8103")
        # ORG-2: the manager holds the supervising seat; staff, office and admin hold none.
        self.assertEqual(self.me("8001")["status"], "logged_out")
        self.assertEqual(self.me("8002")["status"], "logged_out")
        for who in ("2001", "1001", "admin"):
            with self.subTest(who=who):
                self.assertError(srv.call("GET", "/api/acd/me", token=self.t[who]), 403)
                self.assertError(self.set_me(who, {"status": "ready"}), 403)
        self.assertError(srv.call("GET", "/api/acd/me"), 401)
        self.assertError(srv.call("POST", "/api/acd/me/status", {"status": "ready"}), 401)

        # The wallboard: supervisors, the manager and the office read it; agents and staff do not.
        for who, status in (("8001", 200), ("8002", 200), ("1001", 200), ("8101", 403),
                            ("2001", 403), ("admin", 403)):
            with self.subTest(who=who):
                st, body, _ = srv.call("GET", "/api/acd/agents", token=self.t[who])
                self.assertEqual(st, status, body)
                st, body, _ = srv.call("GET", f"/api/acd/agents/{agent}/log", token=self.t[who])
                self.assertEqual(st, status, body)
        # Setting someone else's status: supervisors and the manager only.
        for who in ("8101", "1001", "2001", "admin"):
            with self.subTest(who=who):
                self.assertError(srv.call("POST", f"/api/acd/agents/{agent}/status",
                                          {"status": "ready"}, token=self.t[who]), 403)
        self.assertEqual(self.log_count("8103"), before)
        denied = srv.audit(self.t["8001"], action="access.denied", outcome="denied")
        self.assertTrue(any(e["detail"]["permission"] == "acd.manage" and e["actor"] == "8101"
                            for e in denied))
        self.assertTrue(any(e["detail"]["permission"] == "agent.state" and e["actor"] == "2001"
                            for e in denied))

    def test_the_wallboard_lists_every_seat(self):
        srv = self.srv
        self.assertEqual(self.set_me("8104", {"status": "busy", "reason": "meeting"})[0], 200)
        st, body, _ = srv.call("GET", "/api/acd/agents", token=self.t["8002"])
        self.assertEqual(st, 200, body)
        by_no = {a["work_no"]: a for a in body["items"]}
        self.assertEqual(sorted(by_no), ["8001", "8002", "8101", "8102", "8103", "8104",
                                         "8105", "8106"])
        a = by_no["8104"]
        self.assertEqual((a["status"], a["reason"], a["name"]), ("busy", "meeting", "赵磊"))
        self.assertEqual(a["id"], person_id(srv, "8104"))
        self.assertEqual(sorted(a["skills"]), ["callback_outbound", "market_consult"])
        self.assertEqual(by_no["8001"]["skills"], ["supervising"])
        self.assertEqual(by_no["8002"]["roles"], ["supervisor", "agent"])
        self.assertFalse(a["busy_over"])
        self.assertEqual(body["busy_max_min"], 15)
        self.assertEqual(sum(body["counts"].values()), len(body["items"]))
        self.assertEqual(set(body["counts"]), {"logged_out", "ready", "busy", "break",
                                                "ringing", "talking", "wrap_up"})
        self.assertEqual(body["counts"]["busy"],
                         sum(1 for x in body["items"] if x["status"] == "busy"))

    def test_a_supervisor_logs_out_a_forgotten_seat(self):
        srv = self.srv
        agent = person_id(srv, "8105")
        sup = person_id(srv, "8002")
        self.assertEqual(self.set_me("8105", {"status": "ready"})[0], 200)
        st, body, _ = srv.call("POST", f"/api/acd/agents/{agent}/status", {"status": "logged_out"},
                               token=self.t["8002"])
        self.assertEqual(st, 200, body)
        self.assertEqual(body["status"], "logged_out")
        self.assertEqual(self.me("8105")["status"], "logged_out")
        e = srv.audit(self.t["8001"], action="agent.status", entity_id=agent)[0]
        self.assertEqual(e["actor_id"], sup)
        self.assertEqual(e["detail"], {"from": "ready", "to": "logged_out", "reason": None,
                                       "by": "supervisor"})
        # The log (newest first) names the supervisor; the agent's own change names the agent.
        st, page, _ = srv.call("GET", f"/api/acd/agents/{agent}/log", token=self.t["8001"])
        self.assertEqual(st, 200, page)
        self.assertEqual([(x["to_status"], x["by_id"]) for x in page["items"]],
                         [("logged_out", sup), ("ready", agent)])
        # A supervisor may put someone on busy too, with a reason.
        st, body, _ = srv.call("POST", f"/api/acd/agents/{agent}/status",
                               {"status": "busy", "reason": "training"}, token=self.t["8001"])
        self.assertEqual((st, body["reason"]), (200, "training"))
        # Nobody without a seat, and nobody who does not exist.
        for target in (person_id(srv, "2001"), 999999, "x"):
            with self.subTest(target=target):
                self.assertError(srv.call("POST", f"/api/acd/agents/{target}/status",
                                          {"status": "ready"}, token=self.t["8002"]), 404)
        self.assertError(srv.call("GET", "/api/acd/agents/999999/log", token=self.t["8002"]), 404)

    def test_a_call_holds_the_agent(self):
        """While the system holds the agent (ringing, talking) their own change is 409;
        the supervisor may still log the seat out; wrap-up is the agent's to end early."""
        srv = self.srv
        agent = person_id(srv, "8106")
        self.assertEqual(self.set_me("8106", {"status": "ready"})[0], 200)
        now = srv.advance(0)
        for held in ("ringing", "talking"):
            sql(srv, f"UPDATE agent_state SET status = '{held}', since = {now}, updated_at = {now}"
                     f" WHERE person_id = {agent}")
            for body in ({"status": "ready"}, {"status": "busy", "reason": "meeting"},
                         {"status": "break"}, {"status": "logged_out"}):
                with self.subTest(held=held, body=body):
                    self.assertError(self.set_me("8106", body), 409)
            self.assertError(srv.call("POST", f"/api/acd/agents/{agent}/status",
                                      {"status": "ready"}, token=self.t["8002"]), 409)
            self.assertEqual(self.me("8106")["status"], held)
        st, body, _ = srv.call("POST", f"/api/acd/agents/{agent}/status", {"status": "logged_out"},
                               token=self.t["8002"])
        self.assertEqual((st, body["status"]), (200, "logged_out"))

        sql(srv, f"UPDATE agent_state SET status = 'wrap_up', since = {now},"
                 f" wrap_until = {now + 30 * SEC}, updated_at = {now + 1} WHERE person_id = {agent}")
        st, body, _ = self.set_me("8106", {"status": "ready"})
        self.assertEqual((st, body["status"], body["wrap_until"]), (200, "ready", None))

    def test_org4_uncertified_agents_stay_logged_out(self):
        srv = self.srv
        sql(srv, "UPDATE person SET certified = 0 WHERE work_no = '8103'")
        try:
            self.assertError(self.set_me("8103", {"status": "ready"}), 422, field="status")
            st, body, _ = self.set_me("8103", {"status": "logged_out"})
            self.assertEqual((st, body["status"]), (200, "logged_out"))
        finally:
            sql(srv, "UPDATE person SET certified = 1 WHERE work_no = '8103'")
        self.assertEqual(self.set_me("8103", {"status": "ready"})[0], 200)

    def test_log_pages_and_time_range(self):
        srv = self.srv
        agent = person_id(srv, "8002")
        t0 = srv.advance(0)
        for s in ("ready", "break", "ready", "logged_out"):
            self.assertEqual(self.set_me("8002", {"status": s})[0], 200)
            srv.advance(MINUTE)
        url = f"/api/acd/agents/{agent}/log"
        seen, cursor = [], None
        for _ in range(10):
            st, page, _ = srv.call("GET", url + "?limit=3" + (f"&cursor={cursor}" if cursor else ""),
                                   token=self.t["8001"])
            self.assertEqual(st, 200, page)
            seen += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                break
        self.assertEqual([x["to_status"] for x in seen], ["logged_out", "ready", "break", "ready"])
        self.assertEqual(len({x["id"] for x in seen}), 4)
        st, page, _ = srv.call("GET", f"{url}?from={t0 + MINUTE}&to={t0 + 3 * MINUTE}",
                               token=self.t["8001"])
        self.assertEqual([x["to_status"] for x in page["items"]], ["ready", "break"])
        self.assertError(srv.call("GET", f"{url}?from=yesterday", token=self.t["8001"]), 400,
                         field="from")
        self.assertError(srv.call("GET", f"{url}?cursor=abc", token=self.t["8001"]), 400)


class Call15Test(KefuTestCase):
    """CALL-15: busy over 15 minutes alerts managers and supervisors once per busy spell."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = cls.srv.login("8101")

    def test_alert_exactly_once_and_across_restarts(self):
        srv = self.srv
        st, body, _ = srv.call("POST", "/api/acd/me/status", {"status": "busy", "reason": "training"},
                               token=self.agent)
        self.assertEqual(st, 200, body)
        srv.advance(14 * MINUTE)
        self.assertEqual(alerts(srv, "8101", "8001"), [])
        # A restart before the limit loses nothing: the spell is in the database.
        restart(srv)
        srv.advance(MINUTE + SEC)
        for who in ("8001", "8002"):
            got = alerts(srv, "8101", who)
            self.assertEqual([r["text"] for r in got],
                             ["坐席 刘洋（8101）示忙已超过 15 分钟（原因：培训）"], who)
        self.assertEqual(alerts(srv, "8101", "8101"), [])
        self.assertEqual(db_value(srv, "SELECT count(*) FROM notification WHERE kind ="
                                       " 'agent.busy_long' AND person_id IN (SELECT id FROM person"
                                       " WHERE work_no NOT IN ('8001', '8002'))"), 0)
        # The wallboard marks the overrun.
        mgr = srv.login("8001")
        st, board, _ = srv.call("GET", "/api/acd/agents", token=mgr)
        row = next(a for a in board["items"] if a["work_no"] == "8101")
        self.assertTrue(row["busy_over"])
        # Later ticks, and ticks after restarts (also a crash), do not repeat it.
        srv.advance(10 * MINUTE)
        restart(srv)
        srv.advance(SEC)
        restart(srv, crash=True)
        srv.advance(30 * MINUTE)
        self.assertEqual(len(alerts(srv, "8101", "8001")), 1)
        self.assertEqual(len(alerts(srv, "8101", "8002")), 1)
        mgr = srv.login("8001")
        st, inbox, _ = srv.call("GET", "/api/notifications", token=mgr)
        self.assertEqual([n["kind"] for n in inbox["items"]].count("agent.busy_long"), 1)
        sysaudit = srv.audit(mgr, action="agent.busy_long")
        self.assertEqual(len(sysaudit), 1)
        self.assertEqual(sysaudit[0]["actor"], "system")

        # Ready and busy again: a new spell, one new alert.
        agent = srv.login("8101")
        for body in ({"status": "ready"}, {"status": "busy", "reason": "会见客户"}):
            self.assertEqual(srv.call("POST", "/api/acd/me/status", body, token=agent)[0], 200)
        srv.advance(15 * MINUTE)
        got = alerts(srv, "8101", "8001")
        self.assertEqual(len(got), 2)
        self.assertEqual(got[1]["text"], "坐席 刘洋（8101）示忙已超过 15 分钟（原因：会见客户）")

    def test_wrap_up_runs_out_into_ready(self):
        srv = self.srv
        agent = person_id(srv, "8102")
        now = srv.advance(0)
        sql(srv, "INSERT INTO agent_state(person_id, status, since, wrap_until, updated_at)"
                 f" VALUES ({agent}, 'wrap_up', {now}, {now + 30 * SEC}, {now})")
        tok = srv.login("8102")
        st, me, _ = srv.call("GET", "/api/acd/me", token=tok)
        self.assertEqual((me["status"], me["wrap_until"]), ("wrap_up", now + 30 * SEC))
        srv.advance(29 * SEC)
        self.assertEqual(srv.call("GET", "/api/acd/me", token=tok)[1]["status"], "wrap_up")
        srv.advance(2 * SEC)
        st, me, _ = srv.call("GET", "/api/acd/me", token=tok)
        self.assertEqual((me["status"], me["wrap_until"]), ("ready", None))
        log = db_rows(srv, "SELECT from_status, to_status, by_id FROM agent_state_log"
                           f" WHERE person_id = {agent}")
        self.assertEqual(log, [{"from_status": "wrap_up", "to_status": "ready", "by_id": None}])


class BusyLimitSettingTest(KefuTestCase):
    """The other seed allows 5 minutes (003 座席工作规范): busy_max_min is a setting."""

    server_env = {"KEFU_BUSY_MAX_MIN": "5"}

    def test_five_minutes(self):
        srv = self.srv
        agent = srv.login("8103")
        st, body, _ = srv.call("POST", "/api/acd/me/status", {"status": "busy", "reason": "meeting"},
                               token=agent)
        self.assertEqual(st, 200, body)
        srv.advance(4 * MINUTE)
        self.assertEqual(alerts(srv, "8103", "8001"), [])
        srv.advance(MINUTE)
        self.assertEqual([r["text"] for r in alerts(srv, "8103", "8001")],
                         ["坐席 杨帆（8103）示忙已超过 5 分钟（原因：会议）"])
        st, board, _ = srv.call("GET", "/api/acd/agents", token=srv.login("8002"))
        self.assertEqual(board["busy_max_min"], 5)


if __name__ == "__main__":
    import unittest
    unittest.main()


class SessionEndLogsOutTest(KefuTestCase):
    """ORG-3: a seat is worked only by the person logged in, so the end of the person's
    last session — POST /api/logout, or a session that expires (idle or past its
    lifetime) — logs a ready, busy or on-break seat out, audited as agent.status and
    written to the status log; the wallboard stops counting it."""

    def status(self, work_no):
        return db_value(self.srv, "SELECT status FROM agent_state WHERE person_id ="
                                  f" {person_id(self.srv, work_no)}")

    def ready(self, token):
        st, body, _ = self.srv.call("POST", "/api/acd/me/status", {"status": "ready"},
                                    token=token)
        self.assertEqual((st, body["status"]), (200, "ready"), body)

    def wallboard(self, work_no):
        sup = self.srv.login("8001")
        st, body, _ = self.srv.call("GET", "/api/acd/agents", token=sup)
        self.assertEqual(st, 200, body)
        return next(a["status"] for a in body["items"] if a["work_no"] == work_no)

    def test_logout_logs_the_seat_out_and_audits_it(self):
        srv = self.srv
        token = srv.login("8101")
        self.ready(token)
        self.assertEqual(self.wallboard("8101"), "ready")
        st, body, _ = srv.call("POST", "/api/logout", token=token)
        self.assertEqual(st, 200, body)
        self.assertEqual(self.status("8101"), "logged_out")
        self.assertEqual(self.wallboard("8101"), "logged_out")
        rows = db_rows(srv, "SELECT actor, detail FROM audit WHERE action = 'agent.status'"
                            f" AND entity_id = {person_id(srv, '8101')} ORDER BY id DESC LIMIT 1")
        self.assertEqual(rows[0]["actor"], "8101", "the person logged themselves out")
        self.assertEqual(json.loads(rows[0]["detail"]),
                         {"by": "logout", "from": "ready", "to": "logged_out"})
        log = db_rows(srv, "SELECT from_status, to_status FROM agent_state_log WHERE person_id ="
                           f" {person_id(srv, '8101')} ORDER BY id DESC LIMIT 1")
        self.assertEqual(log, [{"from_status": "ready", "to_status": "logged_out"}])

    def test_logout_of_one_device_keeps_the_seat_of_another(self):
        srv = self.srv
        desk, laptop = srv.login("8102"), srv.login("8102")
        self.ready(desk)
        st, _, _ = srv.call("POST", "/api/logout", token=laptop)
        self.assertEqual(st, 200)
        self.assertEqual(self.status("8102"), "ready", "still at work on the desk")
        st, _, _ = srv.call("POST", "/api/logout", token=desk)
        self.assertEqual(st, 200)
        self.assertEqual(self.status("8102"), "logged_out")

    def test_an_agent_on_a_call_stays_on_it(self):
        srv = self.srv
        token = srv.login("8103")
        self.ready(token)
        sql(srv, "UPDATE agent_state SET status = 'talking' WHERE person_id ="
                 f" {person_id(srv, '8103')}")
        st, _, _ = srv.call("POST", "/api/logout", token=token)
        self.assertEqual(st, 200)
        self.assertEqual(self.status("8103"), "talking", "the call decides, not the browser")

    def test_an_idle_session_expires_by_the_tick_and_logs_the_seat_out(self):
        srv = self.srv
        token = srv.login("8104")
        st, _, _ = srv.call("POST", "/api/acd/me/status", {"status": "busy", "reason": "training"},
                            token=token)
        self.assertEqual(st, 200)
        # No request of the agent's afterwards: the tick itself ends the session (30 min idle).
        srv.advance(29 * MINUTE)
        self.assertEqual(self.status("8104"), "busy")
        srv.advance(2 * MINUTE)
        self.assertEqual(self.status("8104"), "logged_out")
        self.assertEqual(db_value(srv, "SELECT count(*) FROM session WHERE person_id ="
                                       f" {person_id(srv, '8104')}"), 0)
        rows = db_rows(srv, "SELECT actor, detail FROM audit WHERE action = 'agent.status'"
                            f" AND entity_id = {person_id(srv, '8104')} ORDER BY id DESC LIMIT 1")
        self.assertEqual(rows[0]["actor"], "system")
        self.assertEqual(json.loads(rows[0]["detail"]),
                         {"by": "session_expired", "from": "busy", "to": "logged_out"})
        st, _, _ = srv.call("GET", "/api/me", token=token)
        self.assertEqual(st, 401)

    def test_a_session_in_use_ends_at_its_lifetime(self):
        srv = self.srv
        token = srv.login("8105")
        self.ready(token)
        # Kept in use, so never idle, until the session's lifetime (12 h) runs out.
        for _ in range(25):
            srv.advance(29 * MINUTE + 59 * SEC)
            st, _, _ = srv.call("GET", "/api/acd/me", token=token)
            if st == 401:
                break
        self.assertEqual(st, 401)
        self.assertEqual(self.status("8105"), "logged_out")
