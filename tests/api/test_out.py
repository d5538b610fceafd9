"""Calls out above the engine (issue 17, src/out/): placing a call for each
purpose with its checks (visibility, the do-not-call list, the outbound hours
with the test clock, the daily cap, one attempt at a time), the masked number
(CUST-2), the script (CALL-9, CB-2), the agent's hang-up, outcomes into orders
(CB-2's callback attempt, WO-5's progress), the tasks the tick makes of dropped
calls (CALL-6) and after-hours callers (CALL-10) with their retries, the
settings, and campaigns from a customer filter and from an .xlsx.

The SIP engine is the lead's (src/call/call_out.c); where a test needs an
attempt the engine has ended with a given result, it writes that end into
call_out itself, as the engine would (end()), since only SIPp can make a
customer answer or not."""
import io
import subprocess
import zipfile
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apihelp import HOUR, MINUTE, db_rows, db_value, person_id
from harness import KefuTestCase

TZ = ZoneInfo("Asia/Shanghai")


def db_exec(srv, sql):
    subprocess.run(["sqlite3", srv.db, sql], check=True, capture_output=True)


class OutCase(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        cls.to_local(10, 0)
        cls.a1 = person_id(s, "8101")
        cls.a2 = person_id(s, "8102")
        cls.phone_no = 13811110000

    @classmethod
    def login_all(cls):
        """Tokens again: a jump of the clock outlasts the sessions' idle time."""
        s = cls.srv
        cls.agent = s.login("8101")
        cls.agent2 = s.login("8102")
        cls.agent3 = s.login("8103")
        cls.sup = s.login("8002")
        cls.mgr = s.login("8001")
        cls.head = s.login("2001")   # 城市客服部's responsible person: no out.call

    # helpers

    @classmethod
    def to_local(cls, hour, minute):
        """Moves the server's clock forward to the next hour:minute in the center's zone."""
        now = cls.srv.advance(0)
        local = datetime.fromtimestamp(now / 1000, TZ)
        target = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if target <= local:
            target += timedelta(days=1)
        now = cls.srv.advance(int((target - local).total_seconds() * 1000))
        cls.login_all()
        return now

    def customer(self, name="王小明", surname="王", title="mr", phone=None):
        type(self).phone_no += 1
        phone = phone or str(type(self).phone_no)
        st, c, _ = self.srv.call("POST", "/api/customers",
                                 {"name": name, "surname": surname, "title": title,
                                  "phones": [{"phone": phone}]}, token=self.agent)
        self.assertEqual(st, 201, c)
        return c["id"], phone

    def place(self, body, token=None, status=201):
        st, c, _ = self.srv.call("POST", "/api/out/calls", body, token=token or self.agent)
        self.assertEqual(st, status, c)
        return c

    def end(self, cid, result):
        """The engine's part: the attempt ends with result (answered when talked)."""
        now = self.srv.advance(0)
        db_exec(self.srv, f"UPDATE call_out SET state = 'ended', result = '{result}',"
                          f" ended_at = {now}, answered_at = CASE WHEN '{result}' = 'answered'"
                          f" THEN {now} END WHERE id = {cid}")

    def outcome(self, cid, body, token=None, status=200):
        st, c, _ = self.srv.call("POST", f"/api/out/calls/{cid}/outcome", body,
                                 token=token or self.agent)
        self.assertEqual(st, status, c)
        return c

    def order_reported(self, customer_id):
        s = self.srv
        st, o, _ = s.call("POST", "/api/orders", {"complaint": "merchant_dispute",
                                                  "customer_id": customer_id,
                                                  "summary": "商家纠纷"}, token=self.agent)
        self.assertEqual(st, 201, o)
        for action, body in (("accept", None), ("call", None), ("onsite", None),
                             ("report", {"solution": "已协商解决"})):
            st, o, _ = s.call("POST", f"/api/orders/{o['id']}/{action}", body or {},
                              token=self.head)
            self.assertEqual(st, 200, o)
        return o


class SettingsTest(OutCase):
    def test_defaults_validation_and_audit(self):
        s = self.srv
        st, g, _ = s.call("GET", "/api/out/settings", token=self.agent)
        self.assertEqual(st, 200, g)
        self.assertEqual((g["hours_from"], g["hours_to"], g["daily_cap"], g["dropped_due_min"],
                          g["max_attempts"]), ("09:00", "20:00", 200, 5, 3))
        # Agents may read them, not change them.
        self.assertError(s.call("PUT", "/api/out/settings", {"daily_cap": 5}, token=self.agent),
                         403)
        # Every broken field at once; nothing written.
        st, e, _ = s.call("PUT", "/api/out/settings",
                          {"hours_from": "21:00", "hours_to": "08:00", "daily_cap": 0},
                          token=self.sup)
        self.assertEqual(st, 422, e)
        fields = {e["error"]["field"]} | {m["field"] for m in e["error"].get("errors", [])}
        self.assertEqual(fields, {"hours_to", "daily_cap"})
        self.assertError(s.call("PUT", "/api/out/settings", {"hours_from": "9:00"},
                                token=self.sup), 422, field="hours_from")
        self.assertError(s.call("PUT", "/api/out/settings", {"cap": 1}, token=self.sup), 400)
        st, g, _ = s.call("GET", "/api/out/settings", token=self.sup)
        self.assertEqual(g["daily_cap"], 200)
        st, g, _ = s.call("PUT", "/api/out/settings", {"hours_from": "08:30", "retry_gap_min": 10},
                          token=self.sup)
        self.assertEqual(st, 200, g)
        self.assertEqual((g["hours_from"], g["hours_to"], g["retry_gap_min"]),
                         ("08:30", "20:00", 10))
        self.assertEqual(g["updated_by"], person_id(s, "8002"))
        st, a, _ = s.call("GET", "/api/audit?action=out.settings", token=self.mgr)
        self.assertEqual(a["items"][0]["detail"], {"hours_from": "08:30", "retry_gap_min": 10})
        # Chinese for the workbench.
        st, e, _ = s.call("PUT", "/api/out/settings", {"daily_cap": 0}, token=self.sup,
                          headers={"Accept-Language": "zh-CN"})
        self.assertEqual(e["error"]["message"], "每日外呼上限：1 至 10000")


class DncTest(OutCase):
    def test_list_add_and_delete(self):
        s = self.srv
        self.assertError(s.call("GET", "/api/out/dnc", token=self.agent), 403)
        self.assertError(s.call("POST", "/api/out/dnc", {"number": "abc"}, token=self.sup),
                         422, field="number")
        st, d, _ = s.call("POST", "/api/out/dnc", {"number": "+86 139-0000-1111",
                                                   "reason": "客户要求"}, token=self.sup)
        self.assertEqual(st, 201, d)
        self.assertEqual(d["number"], "139****1111")
        self.assertError(s.call("POST", "/api/out/dnc", {"number": "13900001111"},
                                token=self.sup), 409, field="number")
        st, l, _ = s.call("GET", "/api/out/dnc", token=self.sup)
        self.assertEqual([(x["number"], x["reason"]) for x in l["items"]],
                         [("139****1111", "客户要求")])
        st, q, _ = s.call("GET", "/api/out/dnc?number=13900001111", token=self.sup)
        self.assertEqual(q, {"listed": True})
        # The audit log keeps the number masked too (CUST-2).
        st, a, _ = s.call("GET", "/api/audit?action=out.dnc.add", token=self.mgr)
        self.assertEqual(a["items"][0]["detail"]["number"], "139****1111")
        st, _, _ = s.call("DELETE", "/api/out/dnc/13900001111", token=self.sup)
        self.assertEqual(st, 200)
        self.assertError(s.call("DELETE", "/api/out/dnc/13900001111", token=self.sup), 404)
        st, q, _ = s.call("GET", "/api/out/dnc?number=13900001111", token=self.sup)
        self.assertEqual(q, {"listed": False})


class CustomerCallTest(OutCase):
    def test_a_call_to_a_customer_and_its_checks(self):
        s = self.srv
        cid, phone = self.customer()
        # Bad input: nothing written.
        self.assertError(s.call("POST", "/api/out/calls", {"purpose": "fax", "ref_id": 1},
                                token=self.agent), 422, field="purpose")
        self.assertError(s.call("POST", "/api/out/calls", {"purpose": "customer"},
                                token=self.agent), 400, field="customer_id")
        self.assertError(s.call("POST", "/api/out/calls", {"purpose": "customer",
                                                          "customer_id": 999999},
                                token=self.agent), 404)
        # A client never sends the number (CUST-2).
        self.assertError(s.call("POST", "/api/out/calls", {"purpose": "customer",
                                                          "number": phone},
                                token=self.agent), 400)
        # Department staff place no calls out.
        self.assertError(s.call("POST", "/api/out/calls", {"purpose": "customer",
                                                          "customer_id": cid},
                                token=self.head), 403)
        self.assertEqual(db_value(s, "SELECT count(*) FROM call_out"), 0)

        c = self.place({"purpose": "customer", "customer_id": cid})
        self.assertEqual((c["purpose"], c["state"], c["result"], c["ref_id"], c["agent_id"]),
                         ("customer", "requested", None, cid, self.a1))
        self.assertEqual(c["number"], phone[:3] + "****" + phone[-4:])
        self.assertEqual(c["customer"]["address_as"], "王先生")
        self.assertNotIn(phone, str(c))
        # The engine gets the real number; the audit log a masked one.
        self.assertEqual(db_value(s, f"SELECT number FROM call_out WHERE id = {c['id']}"), phone)
        st, a, _ = s.call("GET", "/api/audit?action=out.call", token=self.mgr)
        self.assertEqual(a["items"][0]["detail"]["number"], c["number"])
        self.assertEqual(a["items"][0]["entity_id"], str(c["id"]))
        # CALL-9: the script says who is calling.
        st, me, _ = s.call("GET", "/api/me", token=self.agent)
        self.assertIn("客服人员" + me["name"], c["script"])

        # One attempt at a time.
        self.assertError(s.call("POST", "/api/out/calls", {"purpose": "customer",
                                                          "customer_id": cid},
                                token=self.agent), 409)
        # Another agent may not read it; a supervisor and the log may.
        self.assertError(s.call("GET", f"/api/out/calls/{c['id']}", token=self.agent2), 403)
        st, g, _ = s.call("GET", f"/api/out/calls/{c['id']}", token=self.sup)
        self.assertEqual(st, 200, g)
        st, me, _ = s.call("GET", "/api/me/out", token=self.agent)
        self.assertEqual(me["live"]["id"], c["id"])
        self.assertEqual((me["open"], me["used_today"], me["daily_cap"]), (True, 1, 200))
        # No outcome while it goes on; the agent hangs up.
        self.assertError(s.call("POST", f"/api/out/calls/{c['id']}/outcome",
                                {"outcome": "no_answer"}, token=self.agent), 409)
        self.assertError(s.call("POST", f"/api/out/calls/{c['id']}/cancel", {},
                                token=self.agent2), 403)
        st, x, _ = s.call("POST", f"/api/out/calls/{c['id']}/cancel", {}, token=self.agent)
        self.assertEqual((st, x["cancelled"]), (200, True))
        self.end(c["id"], "cancelled")
        self.assertError(s.call("POST", f"/api/out/calls/{c['id']}/cancel", {},
                                token=self.agent), 409)
        # The outcome must match what the engine saw (CALL-10: a true record).
        self.assertError(s.call("POST", f"/api/out/calls/{c['id']}/outcome",
                                {"outcome": "reached"}, token=self.agent), 409, field="outcome")
        self.assertError(s.call("POST", f"/api/out/calls/{c['id']}/outcome",
                                {"outcome": "accepted"}, token=self.agent), 422, field="outcome")
        x = self.outcome(c["id"], {"outcome": "no_answer", "note": "无人接听"})
        self.assertEqual(x["outcome"], "no_answer")
        self.assertError(s.call("POST", f"/api/out/calls/{c['id']}/outcome",
                                {"outcome": "busy"}, token=self.agent), 409)

        # The log: agents see their own, supervisors all, filtered.
        c2 = self.place({"purpose": "customer", "customer_id": cid}, token=self.agent2)
        st, l, _ = s.call("GET", "/api/out/calls", token=self.agent)
        self.assertEqual([x["id"] for x in l["items"]], [c["id"]])
        st, l, _ = s.call("GET", f"/api/out/calls?agent_id={self.a2}", token=self.sup)
        self.assertEqual([x["id"] for x in l["items"]], [c2["id"]])
        st, l, _ = s.call("GET", "/api/out/calls?result=cancelled", token=self.sup)
        self.assertEqual([(x["id"], x["outcome"]) for x in l["items"]], [(c["id"], "no_answer")])
        self.end(c2["id"], "agent_offline")

        # The do-not-call list stops the next call.
        st, _, _ = s.call("POST", "/api/out/dnc", {"number": phone}, token=self.sup)
        self.assertEqual(st, 201)
        e = self.place({"purpose": "customer", "customer_id": cid}, status=409)
        self.assertEqual(e["error"]["message"], "the number is on the do-not-call list")
        s.call("DELETE", f"/api/out/dnc/{phone}", token=self.sup)

        # The daily cap.
        st, _, _ = s.call("PUT", "/api/out/settings", {"daily_cap": 2}, token=self.sup)
        c3 = self.place({"purpose": "customer", "customer_id": cid})
        self.end(c3["id"], "busy")
        e = self.place({"purpose": "customer", "customer_id": cid}, status=429)
        self.assertIn("daily limit of 2", e["error"]["message"])
        s.call("PUT", "/api/out/settings", {"daily_cap": 200}, token=self.sup)

        # No calls at night: 21:00 local is outside 09:00-20:00.
        self.to_local(21, 0)
        e = self.place({"purpose": "customer", "customer_id": cid}, status=409)
        self.assertEqual(e["error"]["message"], "calls out only from 09:00 to 20:00")
        st, me, _ = s.call("GET", "/api/me/out", token=self.agent)
        self.assertFalse(me["open"])
        self.to_local(10, 0)
        self.place({"purpose": "customer", "customer_id": cid})


class OrderCallTest(OutCase):
    def test_callback_outcomes_become_the_orders_attempts(self):
        """CB-1, CB-2: a callback call's outcome is the order's callback attempt;
        not accepted → another agent; accepted archives the order."""
        s = self.srv
        cid, phone = self.customer(name="李丽", surname="李", title="ms")
        other, _ = self.customer(name="赵强", surname="赵")
        o = self.order_reported(cid)
        # Progress calls are for open orders; a callback for one whose callback is due.
        e = self.place({"purpose": "callback", "ref_id": 999999}, status=404)
        c = self.place({"purpose": "callback", "ref_id": o["id"]})
        self.assertEqual(c["number"], phone[:3] + "****" + phone[-4:])
        self.assertTrue(c["script"].startswith("您好，请问是李女士吗？"), c["script"])
        self.assertIn("已协商解决", c["script"])
        self.end(c["id"], "answered")
        # A callback that reached the customer ends in CB-2's outcome, not "reached".
        self.outcome(c["id"], {"outcome": "reached"}, status=422)
        self.outcome(c["id"], {"outcome": "new_need"}, status=422)
        x = self.outcome(c["id"], {"outcome": "not_accepted", "note": "对处理不满意"})
        self.assertEqual(x["outcome"], "not_accepted")
        st, g, _ = s.call("GET", f"/api/orders/{o['id']}", token=self.mgr)
        self.assertEqual(g["state"], "reported")
        self.assertEqual(g["callback"]["excluded_id"], self.a1)
        self.assertEqual(g["callback"]["attempts"], 1)
        # CB-2: the same agent may not make the next call.
        e = self.place({"purpose": "callback", "ref_id": o["id"]}, status=409)
        self.assertEqual(e["error"]["message"], "another agent must make this callback (CB-2)")
        c2 = self.place({"purpose": "callback", "ref_id": o["id"]}, token=self.agent2)
        self.end(c2["id"], "no_answer")
        self.outcome(c2["id"], {"outcome": "no_answer"}, token=self.agent2)
        st, g, _ = s.call("GET", f"/api/orders/{o['id']}", token=self.mgr)
        self.assertEqual((g["state"], g["callback"]["attempts"]), ("reported", 2))
        c3 = self.place({"purpose": "callback", "ref_id": o["id"]}, token=self.agent2)
        self.end(c3["id"], "answered")
        self.outcome(c3["id"], {"outcome": "accepted", "note": "客户认可"}, token=self.agent2)
        st, g, _ = s.call("GET", f"/api/orders/{o['id']}", token=self.mgr)
        self.assertEqual(g["state"], "archived")
        st, ev, _ = s.call("GET", f"/api/orders/{o['id']}/events", token=self.mgr)
        outcomes = [(e["actor_id"], e["detail"]["outcome"]) for e in ev["events"]
                    if e["kind"] == "order.callback" and e["detail"]]
        self.assertEqual(outcomes, [(self.a1, "not_accepted"), (self.a2, "unreachable"),
                                    (self.a2, "accepted")])
        # No callback is due any more.
        e = self.place({"purpose": "callback", "ref_id": o["id"]}, token=self.agent3,
                       status=409)
        self.assertEqual(e["error"]["message"], "no callback is due for this order")
        # A progress call on an archived order is refused; on an open one it is WO-5's update.
        self.place({"purpose": "progress", "ref_id": o["id"]}, token=self.agent3, status=409)
        st, o2, _ = s.call("POST", "/api/orders", {"complaint": "merchant_dispute",
                                                   "customer_id": other, "summary": "进度"},
                           token=self.agent)
        p = self.place({"purpose": "progress", "ref_id": o2["id"]}, token=self.agent3)
        self.end(p["id"], "answered")
        self.outcome(p["id"], {"outcome": "reached"}, token=self.agent3, status=422)
        self.outcome(p["id"], {"outcome": "reached", "note": "已告知客户处理进度"},
                     token=self.agent3)
        st, ev, _ = s.call("GET", f"/api/orders/{o2['id']}/events", token=self.mgr)
        self.assertIn("已告知客户处理进度",
                      [e["detail"].get("text") for e in ev["events"] if e["detail"]])


class TaskTickTest(OutCase):
    def insert_call(self, caller, **cols):
        now = self.srv.advance(0)
        names = ", ".join(["sip_call_id", "caller", "called", "started_at"] + list(cols))
        vals = ", ".join([f"'t{now}{caller}'", f"'{caller}'", "'4001234567'", str(now)] +
                         [str(v) if not isinstance(v, str) else f"'{v}'" for v in cols.values()])
        db_exec(self.srv, f"INSERT INTO call({names}) VALUES ({vals})")
        return db_value(self.srv, "SELECT max(id) FROM call")

    def test_dropped_call_becomes_a_task_retried_then_failed(self):
        """CALL-6: a call dropped mid-service becomes a call-back task for its agent,
        due in dropped_due_min; each unanswered attempt retries after the gap until
        max_attempts."""
        s = self.srv
        call = self.insert_call("13955550001", agent_id=self.a1, connected_at=1, dropped=1)
        now = s.advance(0)
        rows = db_rows(s, f"SELECT kind, agent_id, due_at, state, number FROM out_task"
                          f" WHERE call_id = {call}")
        self.assertEqual(len(rows), 1)
        self.assertEqual((rows[0]["kind"], rows[0]["agent_id"], rows[0]["state"]),
                         ("dropped", self.a1, "open"))
        self.assertAlmostEqual(rows[0]["due_at"] - now, 5 * MINUTE, delta=2000)
        # Once only, however often the tick runs.
        s.advance(1000)
        self.assertEqual(db_value(s, f"SELECT count(*) FROM out_task WHERE call_id = {call}"), 1)
        st, l, _ = s.call("GET", "/api/out/tasks", token=self.agent)
        task = next(t for t in l["items"] if t["call_id"] == call)
        self.assertEqual(task["number"], "139****0001")
        st, l, _ = s.call("GET", "/api/out/tasks", token=self.agent2)
        self.assertNotIn(call, [t["call_id"] for t in l["items"]])
        self.assertError(s.call("POST", "/api/out/calls", {"purpose": "task",
                                                          "task_id": task["id"]},
                                token=self.agent2), 403)
        # Due in 5 minutes: it shows in /api/me/out once due.
        st, me, _ = s.call("GET", "/api/me/out", token=self.agent)
        self.assertNotIn(task["id"], [t["id"] for t in me["tasks"]])
        s.advance(5 * MINUTE)
        st, me, _ = s.call("GET", "/api/me/out", token=self.agent)
        self.assertIn(task["id"], [t["id"] for t in me["tasks"]])
        for attempt in (1, 2, 3):
            c = self.place({"purpose": "task", "task_id": task["id"]})
            self.assertEqual(c["purpose"], "task")
            self.end(c["id"], "no_answer")
            self.outcome(c["id"], {"outcome": "no_answer"})
            t = db_rows(s, f"SELECT state, attempts, due_at, last_result FROM out_task"
                           f" WHERE id = {task['id']}")[0]
            self.assertEqual(t["attempts"], attempt)
            self.assertEqual(t["last_result"], "no_answer")
            if attempt < 3:
                self.assertEqual(t["state"], "open")
                self.assertAlmostEqual(t["due_at"] - s.advance(0), 30 * MINUTE, delta=2000)
            else:
                self.assertEqual(t["state"], "failed")
        self.assertError(s.call("POST", "/api/out/calls", {"purpose": "task",
                                                          "task_id": task["id"]},
                                token=self.agent), 409)

    def test_someone_else_answers_and_names_a_time(self):
        s = self.srv
        call = self.insert_call("13955550002", agent_id=self.a2, connected_at=1, dropped=1)
        s.advance(6 * MINUTE)
        tid = db_value(s, f"SELECT id FROM out_task WHERE call_id = {call}")
        c = self.place({"purpose": "task", "task_id": tid}, token=self.agent2)
        self.end(c["id"], "answered")
        later = s.advance(0) + 2 * HOUR
        self.outcome(c["id"], {"outcome": "other_person", "next_at": s.advance(0) - 1},
                     token=self.agent2, status=422)
        self.outcome(c["id"], {"outcome": "other_person", "note": "家人接听，下午再打",
                               "next_at": later}, token=self.agent2)
        t = db_rows(s, f"SELECT state, due_at, note FROM out_task WHERE id = {tid}")[0]
        self.assertEqual((t["state"], t["due_at"], t["note"]), ("open", later, "家人接听，下午再打"))
        c = self.place({"purpose": "task", "task_id": tid}, token=self.agent2)
        self.end(c["id"], "answered")
        self.outcome(c["id"], {"outcome": "dnc", "note": "客户要求不再来电"}, token=self.agent2)
        self.assertEqual(db_value(s, f"SELECT state FROM out_task WHERE id = {tid}"), "cancelled")
        st, q, _ = s.call("GET", "/api/out/dnc?number=13955550002", token=self.sup)
        self.assertEqual(q, {"listed": True})

    def test_after_hours_callers_are_called_back_after_the_opening(self):
        """CALL-10: a call that came while closed becomes a task for the pool, due
        afterhours_due_min after the next opening; a second call of the same number
        does not make a second task."""
        s = self.srv
        self.to_local(22, 0)
        first = self.insert_call("02155556666", outcome="closed")
        second = self.insert_call("02155556666", outcome="closed")
        now = s.advance(0)
        rows = db_rows(s, "SELECT call_id, kind, agent_id, state, due_at FROM out_task"
                          f" WHERE call_id IN ({first}, {second}) ORDER BY call_id")
        self.assertEqual([(r["call_id"], r["kind"], r["agent_id"], r["state"]) for r in rows],
                         [(first, "afterhours", None, "open"),
                          (second, "afterhours", None, "cancelled")])
        opening = datetime.fromtimestamp(now / 1000, TZ).replace(hour=9, minute=0, second=0, microsecond=0) + \
            timedelta(days=1)
        self.assertEqual(rows[0]["due_at"], int(opening.timestamp() * 1000) + 30 * MINUTE)
        # Any agent sees it; it is assigned by a supervisor.
        st, l, _ = s.call("GET", "/api/out/tasks", token=self.agent3)
        tid = next(t["id"] for t in l["items"] if t["call_id"] == first)
        self.assertError(s.call("POST", f"/api/out/tasks/{tid}/assign", {"agent_id": self.a2},
                                token=self.agent), 403)
        st, t, _ = s.call("POST", f"/api/out/tasks/{tid}/assign", {"agent_id": self.a2},
                          token=self.sup)
        self.assertEqual((st, t["agent_id"]), (200, self.a2))
        st, l, _ = s.call("GET", "/api/out/tasks", token=self.agent3)
        self.assertNotIn(tid, [t["id"] for t in l["items"]])
        self.to_local(10, 0)
