"""Calls out above the engine (issue 17, src/out/): placing a call for each
purpose with its checks (visibility, the do-not-call list, the outbound hours
with the test clock, the daily cap, one attempt at a time), the masked number
(CUST-2), the script (CALL-9, CB-2), the agent's hang-up, outcomes into orders
(CB-2's callback attempt, WO-5's progress), the tasks the tick makes of dropped
calls (CALL-6) and after-hours callers (CALL-10) with their retries, the
settings, and campaigns from a customer filter and from an .xlsx.

The SIP engine (src/call/call_out.c) ends one attempt itself in EngineTest
(no phone registered: agent_offline); test_out_sip.py drives it with SIPp.
Where a test here needs an attempt ended with another result (the customer
answered, was busy…), it writes that end into call_out as the engine would
(end()), since only SIPp can make a customer answer or not."""
import io
import subprocess
import time
import zipfile
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apihelp import HOUR, MINUTE, advance_to_local, db_rows, db_value, person_id
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
        now = advance_to_local(cls.srv, hour, minute)
        cls.login_all()
        return now

    def customer(self, name="王小明", surname="王", title="mr", phone=None, **more):
        type(self).phone_no += 1
        phone = phone or str(type(self).phone_no)
        st, c, _ = self.srv.call("POST", "/api/customers",
                                 dict({"name": name, "surname": surname, "title": title,
                                       "phones": [{"phone": phone}]}, **more),
                                 token=self.agent)
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
        # Newest first, page by page.
        for n in ("13900002221", "13900002222", "01088886666"):
            st, _, _ = s.call("POST", "/api/out/dnc", {"number": n}, token=self.sup)
            self.assertEqual(st, 201)
        st, p1, _ = s.call("GET", "/api/out/dnc?limit=2", token=self.sup)
        self.assertEqual([x["number"] for x in p1["items"]], ["010****6666", "139****2222"])
        st, p2, _ = s.call("GET", f"/api/out/dnc?limit=2&cursor={p1['next_cursor']}",
                           token=self.sup)
        self.assertEqual(([x["number"] for x in p2["items"]], p2["next_cursor"]),
                         (["139****2221"], None))


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


class BusyAgentTest(OutCase):
    def test_an_agent_on_a_call_places_none(self):
        s = self.srv
        cid, _ = self.customer()
        now = s.advance(0)
        db_exec(s, f"INSERT INTO agent_state(person_id, status, since, updated_at)"
                   f" VALUES ({self.a2}, 'talking', {now}, {now})")
        e = self.place({"purpose": "customer", "customer_id": cid}, token=self.agent2,
                       status=409)
        self.assertEqual(e["error"]["message"], "already on a call")
        self.assertEqual(db_value(s, "SELECT count(*) FROM call_out"), 0)
        db_exec(s, f"UPDATE agent_state SET status = 'ready' WHERE person_id = {self.a2}")
        self.place({"purpose": "customer", "customer_id": cid}, token=self.agent2)


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
        # Two agents at once: the second is told someone is calling.
        e = self.place({"purpose": "callback", "ref_id": o["id"]}, token=self.agent2,
                       status=409)
        self.assertEqual(e["error"]["message"], "someone is calling this number already")
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
        self.assertEqual(e["error"]["message"], "another agent makes this callback")
        c2 = self.place({"purpose": "callback", "ref_id": o["id"]}, token=self.agent2)
        self.end(c2["id"], "no_answer")
        self.outcome(c2["id"], {"outcome": "no_answer"}, token=self.agent2)
        st, g, _ = s.call("GET", f"/api/orders/{o['id']}", token=self.mgr)
        self.assertEqual((g["state"], g["callback"]["attempts"]), ("reported", 2))
        c3 = self.place({"purpose": "callback", "ref_id": o["id"]}, token=self.agent2)
        self.end(c3["id"], "answered")
        # A supervisor records it for the agent: the attempt stays the agent's.
        self.outcome(c3["id"], {"outcome": "accepted", "note": "客户认可"}, token=self.agent,
                     status=403)
        self.outcome(c3["id"], {"outcome": "accepted", "note": "客户认可"}, token=self.sup)
        st, a, _ = s.call("GET", "/api/audit?action=out.outcome", token=self.mgr)
        self.assertEqual((a["items"][0]["actor"], a["items"][0]["entity_id"]),
                         ("8002", str(c3["id"])))
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
        # The agent is told at once, the number masked.
        st, n, _ = s.call("GET", "/api/notifications", token=self.agent)
        told = [x for x in n["items"] if x["kind"] == "out.task"]
        self.assertEqual([x["text"] for x in told],
                         ["通话中断的来电 139****0001 需回拨，请在 5 分钟内回电"])
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
        self.assertEqual((t["state"], t["due_at"], t["note"]),
                         ("open", later, "家人接听，下午再打"))
        c = self.place({"purpose": "task", "task_id": tid}, token=self.agent2)
        self.end(c["id"], "answered")
        self.outcome(c["id"], {"outcome": "dnc", "note": "客户要求不再来电"},
                     token=self.agent2)
        self.assertEqual(db_value(s, f"SELECT state FROM out_task WHERE id = {tid}"), "cancelled")
        st, q, _ = s.call("GET", "/api/out/dnc?number=13955550002", token=self.sup)
        self.assertEqual(q, {"listed": True})

    def test_a_callers_request_is_done_when_reached(self):
        """A caller who left a number after the maximum wait is called back; reaching
        them marks the request done."""
        s = self.srv
        call = self.insert_call("13966667777", outcome="callback", queue="agent")
        now = s.advance(0)
        db_exec(s, "INSERT INTO acd_callback(call_id, queue, phone, requested_at)"
                   f" VALUES ({call}, 'agent', '13966667777', {now})")
        rid = db_value(s, f"SELECT id FROM acd_callback WHERE call_id = {call}")
        self.place({"purpose": "request", "ref_id": 999999}, status=404)
        c = self.place({"purpose": "request", "ref_id": rid})
        self.assertEqual((c["number"], c["ref_id"]), ("139****7777", rid))
        self.end(c["id"], "answered")
        self.outcome(c["id"], {"outcome": "reached", "note": "已回电解答"})
        st, l, _ = s.call("GET", "/api/acd/callbacks?state=done", token=self.sup)
        item = next(x for x in l["items"] if x["id"] == rid)
        self.assertEqual((item["handled_by"], item["note"]), (self.a1, "已回电解答"))
        e = self.place({"purpose": "request", "ref_id": rid}, status=409)
        self.assertEqual(e["error"]["message"], "the callback request is done already")

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
        opening = datetime.fromtimestamp(now / 1000, TZ).replace(
            hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
        self.assertEqual(rows[0]["due_at"], int(opening.timestamp() * 1000) + 30 * MINUTE)
        # Any agent sees it; it is assigned by a supervisor.
        st, l, _ = s.call("GET", "/api/out/tasks", token=self.agent3)
        tid = next(t["id"] for t in l["items"] if t["call_id"] == first)
        self.assertError(s.call("POST", f"/api/out/tasks/{tid}/assign", {"agent_id": self.a2},
                                token=self.agent), 403)
        # Two agents at once: one calls it, the other is told.
        self.to_local(10, 0)
        c = self.place({"purpose": "task", "task_id": tid}, token=self.agent3)
        e = self.place({"purpose": "task", "task_id": tid}, token=self.sup, status=409)
        self.assertEqual(e["error"]["message"], "someone is calling this task already")
        self.end(c["id"], "busy")
        self.outcome(c["id"], {"outcome": "busy"}, token=self.agent3)
        # The first caller keeps it; a supervisor gives it to another agent.
        self.assertEqual(db_value(s, f"SELECT agent_id FROM out_task WHERE id = {tid}"),
                         person_id(s, "8103"))
        st, t, _ = s.call("POST", f"/api/out/tasks/{tid}/assign", {"agent_id": self.a2},
                          token=self.sup)
        self.assertEqual((st, t["agent_id"]), (200, self.a2))
        st, l, _ = s.call("GET", "/api/out/tasks", token=self.agent3)
        self.assertNotIn(tid, [t["id"] for t in l["items"]])


def xlsx(rows):
    """A workbook of one sheet with inline strings, as a spreadsheet program may write it."""
    def cell(r, c, v):
        ref = chr(ord("A") + c) + str(r + 1)
        v = str(v).replace("&", "&amp;").replace("<", "&lt;")
        return f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>'
    body = "".join(f'<row r="{r + 1}">' + "".join(cell(r, c, v) for c, v in enumerate(row)
                                                   if v is not None) + "</row>"
                   for r, row in enumerate(rows))
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
             '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             f"{body}</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"/>')
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


class CampaignTest(OutCase):
    def create(self, **fields):
        body = {"name": "三月生日关怀", "kind": "birthday", "agents": [self.a1, self.a2]}
        body.update(fields)
        st, c, _ = self.srv.call("POST", "/api/out/campaigns", body, token=self.sup)
        self.assertEqual(st, 201, c)
        return c

    def test_members_from_a_filter_and_calls_from_tasks(self):
        """CUST-4: a birthday campaign's members are the customers born that month;
        an agent of the campaign calls them from the tasks (preview dialling)."""
        s = self.srv
        march, _ = self.customer(name="孙三月", surname="孙", birthday="1990-03-15")
        march2, _ = self.customer(name="周三月", surname="周", title="ms", birthday="03-20")
        april, _ = self.customer(name="吴四月", surname="吴", birthday="1991-04-02")
        # Bad input: nothing written.
        before = db_value(s, "SELECT count(*) FROM out_campaign")
        self.assertError(s.call("POST", "/api/out/campaigns", {"name": "x"}, token=self.agent),
                         403)
        st, e, _ = s.call("POST", "/api/out/campaigns", {"name": " ", "kind": "spam",
                                                         "mode": "predictive"}, token=self.sup)
        self.assertEqual(st, 422, e)
        self.assertEqual({e["error"]["field"]} | {m["field"] for m in e["error"]["errors"]},
                         {"name", "kind", "mode"})
        self.assertError(s.call("POST", "/api/out/campaigns", {"name": "x", "agents": [999999]},
                                token=self.sup), 422, field="agents")
        self.assertEqual(db_value(s, "SELECT count(*) FROM out_campaign"), before)
        c = self.create()
        self.assertEqual((c["state"], c["mode"], c["agents"], c["counts"]["total"]),
                         ("draft", "preview", sorted([self.a1, self.a2]), 0))
        self.assertError(s.call("POST", f"/api/out/campaigns/{c['id']}/start", {},
                                token=self.sup), 422)
        self.assertError(s.call("POST", f"/api/out/campaigns/{c['id']}/members",
                                {"filter": {"birthday_month": 13}}, token=self.sup),
                         422, field="filter")
        self.assertError(s.call("POST", f"/api/out/campaigns/{c['id']}/members",
                                {"filter": {"zodiac": "rat"}}, token=self.sup),
                         400, field="filter")
        st, m, _ = s.call("POST", f"/api/out/campaigns/{c['id']}/members",
                          {"filter": {"birthday_month": 3}}, token=self.sup)
        self.assertEqual(st, 200, m)
        members = {r["customer_id"] for r in db_rows(
            s, f"SELECT customer_id FROM out_task WHERE campaign_id = {c['id']}")}
        self.assertLessEqual({march, march2}, members)
        self.assertNotIn(april, members)
        born_in_march = {r["id"] for r in db_rows(
            s, "SELECT id FROM customer WHERE birthday LIKE '%-03-__' OR birthday LIKE '03-__'")}
        self.assertEqual(members, born_in_march)
        self.assertEqual(m["added"], len(members))
        self.assertEqual(m["campaign"]["counts"]["open"], len(members))
        # Once per campaign: the same filter adds nobody again.
        st, m, _ = s.call("POST", f"/api/out/campaigns/{c['id']}/members",
                          {"filter": {"birthday_month": 3}}, token=self.sup)
        self.assertEqual(m["added"], 0)
        # Preview mode: not yet running, so not yet callable.
        tid = db_value(s, f"SELECT id FROM out_task WHERE customer_id = {march}")
        self.place({"purpose": "task", "task_id": tid}, status=409)
        st, c, _ = s.call("POST", f"/api/out/campaigns/{c['id']}/start", {}, token=self.sup)
        self.assertEqual((st, c["state"]), (200, "running"))
        # Its agents see it and its members; another agent neither.
        st, l, _ = s.call("GET", "/api/out/campaigns", token=self.agent)
        self.assertIn(c["id"], [x["id"] for x in l["items"]])
        st, l, _ = s.call("GET", "/api/out/campaigns", token=self.agent3)
        self.assertEqual(l["items"], [])
        self.assertError(s.call("GET", f"/api/out/campaigns/{c['id']}", token=self.agent3), 403)
        st, l, _ = s.call("GET", f"/api/out/tasks?campaign_id={c['id']}", token=self.agent)
        self.assertIn(tid, [t["id"] for t in l["items"]])
        st, l, _ = s.call("GET", f"/api/out/tasks?campaign_id={c['id']}", token=self.agent3)
        self.assertEqual(l["items"], [])
        self.place({"purpose": "task", "task_id": tid}, token=self.agent3, status=403)
        call = self.place({"purpose": "task", "task_id": tid})
        self.assertEqual(call["purpose"], "campaign")
        self.end(call["id"], "answered")
        self.outcome(call["id"], {"outcome": "reached", "note": "已送上生日祝福"})
        st, c, _ = s.call("GET", f"/api/out/campaigns/{c['id']}", token=self.sup)
        self.assertEqual((c["counts"]["done"], c["counts"]["reached"], c["counts"]["open"]),
                         (1, 1, len(members) - 1))
        # Finished: the rest are not called any more.
        st, c, _ = s.call("POST", f"/api/out/campaigns/{c['id']}/finish", {}, token=self.sup)
        self.assertEqual((c["state"], c["counts"]["open"], c["counts"]["cancelled"]),
                         ("done", 0, len(members) - 1))
        self.assertError(s.call("POST", f"/api/out/campaigns/{c['id']}/start", {},
                                token=self.sup), 409)
        st, a, _ = s.call("GET", "/api/audit?action=out.campaign.finish", token=self.mgr)
        self.assertEqual(a["items"][0]["entity_id"], str(c["id"]))

    def test_served_yesterday_and_churn(self):
        """CB-3: the customers served yesterday are called today; CUST-3's churn
        wake-up: customers known for long with no contact for some days."""
        s = self.srv
        now = s.advance(0)
        local = datetime.fromtimestamp(now / 1000, TZ)
        y0 = int(local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp() * 1000) \
            - 24 * HOUR
        served, _ = self.customer(name="钱昨天", surname="钱")
        today, _ = self.customer(name="冯今天", surname="冯")
        old, _ = self.customer(name="陈很久", surname="陈")
        for cid, at in ((served, y0 + 15 * HOUR), (today, now - 30 * MINUTE),
                        (old, now - 72 * HOUR)):
            st, k, _ = s.call("POST", "/api/contacts", {"channel": "phone", "direction": "in",
                                                        "customer_id": cid, "started_at": at},
                              token=self.agent)
            self.assertEqual(st, 201, k)
        db_exec(s, f"UPDATE customer SET created_at = {now - 30 * 24 * HOUR} WHERE id = {old}")

        c = self.create(name="昨日回访", kind="callback_yesterday")
        yesterday = datetime.fromtimestamp(y0 / 1000 + 12 * 3600, TZ).strftime("%Y-%m-%d")
        self.assertError(s.call("POST", f"/api/out/campaigns/{c['id']}/members",
                                {"filter": {"served_on": "昨天"}}, token=self.sup), 422,
                         field="filter")
        st, m, _ = s.call("POST", f"/api/out/campaigns/{c['id']}/members",
                          {"filter": {"served_on": yesterday}}, token=self.sup)
        self.assertEqual(st, 200, m)
        members = {r["customer_id"] for r in db_rows(
            s, f"SELECT customer_id FROM out_task WHERE campaign_id = {c['id']}")}
        expected = {r["customer_id"] for r in db_rows(
            s, f"SELECT customer_id FROM contact WHERE started_at >= {y0}"
               f" AND started_at < {y0 + 24 * HOUR} AND customer_id IS NOT NULL"
               f" UNION SELECT customer_id FROM work_order WHERE archived_at >= {y0}"
               f" AND archived_at < {y0 + 24 * HOUR} AND customer_id IS NOT NULL")}
        self.assertIn(served, members)
        self.assertNotIn(today, members)
        self.assertNotIn(old, members)
        self.assertEqual(members, expected)

        c = self.create(name="流失客户唤醒", kind="churn")
        st, m, _ = s.call("POST", f"/api/out/campaigns/{c['id']}/members",
                          {"filter": {"inactive_days": 2}}, token=self.sup)
        members = {r["customer_id"] for r in db_rows(
            s, f"SELECT customer_id FROM out_task WHERE campaign_id = {c['id']}")}
        self.assertIn(old, members)
        self.assertNotIn(served, members)
        self.assertNotIn(today, members)

    def test_xlsx_import_and_progressive_dialling(self):
        """A list imported from an .xlsx; progressive dialling calls the next member
        for each agent who is ready with a registered phone, never more."""
        s = self.srv
        known, known_phone = self.customer(name="郑已知", surname="郑")
        c = self.create(name="流失唤醒", kind="churn", mode="progressive")
        bad = xlsx([["客户名单"], ["姓名", "手机"], ["甲", "13700000001"],
                    ["乙", "电话待补"]])
        st, e, _ = s.call("POST", f"/api/out/campaigns/{c['id']}/import", bad, token=self.sup,
                          headers={"Content-Type": "application/octet-stream"})
        self.assertEqual(st, 422, e)
        self.assertEqual(e["error"]["message"], "line 4: not a phone number")
        self.assertEqual(db_value(
            s, f"SELECT count(*) FROM out_task WHERE campaign_id = {c['id']}"), 0)
        self.assertError(s.call("POST", f"/api/out/campaigns/{c['id']}/import", b"PK not a zip",
                                token=self.sup,
                                headers={"Content-Type": "application/octet-stream"}), 422,
                         field="file")
        good = xlsx([["客户名单"], ["姓名", "手机"], ["甲", "137-0000-0001"],
                     ["乙", "13700000002"], ["郑已知", known_phone], ["重复", "13700000001"]])
        st, m, _ = s.call("POST", f"/api/out/campaigns/{c['id']}/import", good, token=self.sup,
                          headers={"Content-Type": "application/octet-stream"})
        self.assertEqual(st, 200, m)
        self.assertEqual((m["added"], m["skipped"]), (3, 1))
        rows = db_rows(s, f"SELECT number, name, customer_id FROM out_task"
                          f" WHERE campaign_id = {c['id']} ORDER BY id")
        self.assertEqual([(r["number"], r["name"], r["customer_id"]) for r in rows],
                         [("13700000001", "甲", None), ("13700000002", "乙", None),
                          (known_phone, "郑已知", known)])
        mine = (" purpose = 'campaign' AND ref_id IN (SELECT id FROM out_task"
                f" WHERE campaign_id = {c['id']})")
        st, c, _ = s.call("POST", f"/api/out/campaigns/{c['id']}/start", {}, token=self.sup)
        self.assertEqual(c["state"], "running")
        # Nobody ready with a phone: no call.
        s.advance(1000)
        self.assertEqual(db_value(s, "SELECT count(*) FROM call_out WHERE" + mine), 0)
        # Both agents ready, only 8101 with a registered phone: one call, to 8101.
        now = s.advance(0)
        for pid in (self.a1, self.a2):
            db_exec(s, f"INSERT INTO agent_state(person_id, status, since, updated_at)"
                       f" VALUES ({pid}, 'ready', {now}, {now}) ON CONFLICT(person_id) DO UPDATE"
                       f" SET status = 'ready'")
        db_exec(s, f"INSERT INTO sip_registration(person_id, contact, source, registered_at,"
                   f" expires_at) VALUES ({self.a1}, 'sip:8101@127.0.0.1:5099',"
                   f" 'udp:127.0.0.1:5099', {now}, {now + HOUR})")
        s.advance(1000)
        calls = db_rows(s, "SELECT agent_id, ref_id, number, state FROM call_out WHERE" + mine)
        self.assertEqual([(x["agent_id"], x["number"], x["state"]) for x in calls],
                         [(self.a1, "13700000001", "requested")])
        # The agent is busy with it: the next round places nothing more.
        s.advance(1000)
        self.assertEqual(db_value(s, "SELECT count(*) FROM call_out WHERE" + mine), 1)
        st, a, _ = s.call("GET", "/api/audit?action=out.call", token=self.mgr)
        self.assertEqual(a["items"][0]["actor"], "system")
        # Paused: no more calls when the attempt ends.
        st, c, _ = s.call("POST", f"/api/out/campaigns/{c['id']}/pause", {}, token=self.sup)
        self.assertEqual(c["state"], "paused")
        cid = db_value(s, "SELECT id FROM call_out WHERE" + mine)
        self.end(cid, "no_answer")
        s.advance(1000)
        self.assertEqual(db_value(s, "SELECT count(*) FROM call_out WHERE" + mine), 1)
        # Running again: the next member (the first waits for its retry gap).
        s.call("POST", f"/api/out/campaigns/{c['id']}/start", {}, token=self.sup)
        s.advance(1000)
        self.assertEqual([x["number"] for x in db_rows(
            s, "SELECT number FROM call_out WHERE" + mine + " ORDER BY id")],
            ["13700000001", "13700000002"])

    def test_a_campaign_ends_at_its_deadline(self):
        s = self.srv
        now = s.advance(0)
        c = self.create(name="VIP 关怀", kind="vip_care", deadline=now + HOUR)
        st, m, _ = s.call("POST", f"/api/out/campaigns/{c['id']}/import",
                          xlsx([["电话"], ["13600000009"]]), token=self.sup,
                          headers={"Content-Type": "application/octet-stream"})
        self.assertEqual((st, m["added"]), (200, 1))
        s.call("POST", f"/api/out/campaigns/{c['id']}/start", {}, token=self.sup)
        s.advance(HOUR - MINUTE)
        self.login_all()   # the sessions' idle time has passed
        st, g, _ = s.call("GET", f"/api/out/campaigns/{c['id']}", token=self.sup)
        self.assertEqual(g["state"], "running")
        s.advance(2 * MINUTE)
        st, g, _ = s.call("GET", f"/api/out/campaigns/{c['id']}", token=self.sup)
        self.assertEqual((g["state"], g["counts"]["open"], g["counts"]["cancelled"]),
                         ("done", 0, 1))
        st, a, _ = s.call("GET", "/api/audit?action=out.campaign.finish", token=self.mgr)
        entry = next(e for e in a["items"] if e["entity_id"] == str(c["id"]))
        self.assertEqual((entry["actor"], entry["detail"]), ("system", {"state": "done",
                                                                         "why": "deadline"}))


class EngineTest(OutCase):
    """With the SIP engine running and no phone registered, the engine itself ends
    the attempt (agent_offline) within about a second; its outcome follows."""
    server_env = {"KEFU_SIP_LISTEN": "127.0.0.1:0", "KEFU_OUT_TRUNK": "127.0.0.1:5999"}

    def test_the_engine_ends_an_attempt_without_a_phone(self):
        s = self.srv
        cid, _ = self.customer()
        c = self.place({"purpose": "customer", "customer_id": cid})
        deadline = time.time() + 10
        while c["state"] != "ended" and time.time() < deadline:
            time.sleep(0.1)
            st, c, _ = s.call("GET", f"/api/out/calls/{c['id']}", token=self.agent)
        self.assertEqual((c["state"], c["result"]), ("ended", "agent_offline"))
        # Nobody answered: the outcome says so, and a second call may follow at once.
        self.outcome(c["id"], {"outcome": "reached"}, status=409)
        self.outcome(c["id"], {"outcome": "no_answer"})
        st, me, _ = s.call("GET", "/api/me/out", token=self.agent)
        self.assertIsNone(me["live"])
        self.place({"purpose": "customer", "customer_id": cid})
