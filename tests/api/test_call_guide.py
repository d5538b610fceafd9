"""Live guidance during the call (CALL-2, CALL-4, CALL-6, CALL-7): real calls
through the hotline to an agent's phone (test_hotline.py's phones), the
test clock moved past each rule's moment, and the guidance read where the
desk (GET /api/me/call) and the wallboard (GET /api/acd/live) read it. The
prompts kefu wrote and the agent's own steps are asserted as they are
stored with the call (call_event, kind "guide"), which is what QA scores.

The scheduler's round runs inside POST /api/test/clock, so the prompts due
at the new time are stored when it answers."""
import json

from apihelp import db_rows, person_id
from test_hotline import HotlineCase

S = 1000


class Guide(HotlineCase):
    def connect(self, work_no, agent_ip, caller_ip, ring_ms=0):
        """A call from caller_ip answered by work_no's phone after the test
        clock moved ring_ms while it rang; returns (phone, caller, call)."""
        phone = self.agent(work_no, agent_ip)
        self.addCleanup(self.leave, work_no)  # offered no later test's call
        c = self.caller(caller_ip)
        self.assertEqual(c.invite().code, 200)
        self.assertEqual(c.info("1"), 200)  # 业务咨询 → market_consult
        phone.ring()
        self.call(c.call_id, "offered")
        if ring_ms:
            self.srv.advance(ring_ms)
        phone.answer(((0, "PCMU"),))
        call = self.call(c.call_id, "connected")
        self.assertIsNotNone(self.my_call(work_no, connected=True))
        return phone, c, call

    def leave(self, work_no):
        try:
            self.log_out(work_no)
        except AssertionError:
            pass  # a test that failed mid-call: its own failure tells

    def guide(self, work_no):
        c = self.my_call(work_no, connected=True)
        self.assertIsNotNone(c)
        return c["guide"]

    def stored(self, call_id, by="kefu"):
        """The call's guide events by kefu or the agent: [(rule, step, hold, n)] in order."""
        rows = db_rows(self.srv, "SELECT detail FROM call_event WHERE kind = 'guide'"
                                 f" AND call_id = {int(call_id)} ORDER BY id")
        out = []
        for row in rows:
            d = json.loads(row["detail"])
            if d["by"] == by:
                out.append((d["rule"], d["step"], d.get("hold", 0), d.get("n", 0)))
        return out

    def step(self, work_no, rule, step, status=200):
        st, body, _ = self.srv.call("POST", "/api/me/call/guide", {"rule": rule, "step": step},
                                    token=self.token(work_no))
        self.assertEqual(st, status, body)
        return body

    def hang_up(self, phone, c):
        self.assertEqual(phone.request("BYE").code, 200)
        self.call(c.call_id, "agent_hangup")
        c.close()

    def test_late_answer_and_hold_prompts_are_stored(self):
        # CALL-2: the call rings 20 s (four rings of 5 s) before the answer.
        phone, c, call = self.connect("8104", "127.0.1.4", "127.0.1.104", ring_ms=20 * S)
        cid = call["id"]
        g = self.guide("8104")
        self.assertTrue(g["late"])
        self.assertGreaterEqual(g["rings"], 4)
        self.assertEqual(g["level"], "warn")
        self.srv.advance(0)
        self.assertEqual(self.stored(cid), [("CALL-2", "apologize", 0, 1)])
        # Not on hold: speaking during a hold, or a callback, is not the state's (409).
        self.step("8104", "CALL-4", "spoke", 409)
        self.step("8104", "CALL-4", "callback_accepted", 409)
        self.step("8104", "CALL-7", "limit", 422)  # kefu's, not the agent's
        self.step("8104", "CALL-2", "apologized")
        self.step("8104", "CALL-2", "apologized", 409)  # once
        self.assertEqual(self.guide("8104")["level"], "ok")

        # CALL-4: the agent's phone holds the call.
        self.assertEqual(phone.hold(True).code, 200)
        self.call(c.call_id, "hold")
        g = self.guide("8104")
        self.assertTrue(g["on_hold"])
        self.assertEqual(g["level"], "remind")
        self.srv.advance(15 * S)
        self.assertIn(("CALL-4", "speak", 1, 1), self.stored(cid))
        g = self.guide("8104")
        self.assertEqual(g["speak_n"], 1)
        self.assertEqual(g["level"], "warn")
        self.step("8104", "CALL-4", "spoke")
        # 65 s of hold: the look-up proposes a promised callback; the agent accepts.
        self.srv.advance(50 * S)
        self.assertIn(("CALL-4", "callback", 1, 1), self.stored(cid))
        self.assertTrue(self.guide("8104")["callback"])
        r = self.step("8104", "CALL-4", "callback_accepted")
        self.assertIsNotNone(r["callback_id"])
        self.assertEqual(r["guide"]["callback_answer"], "accepted")
        self.assertEqual(self.srv.count(
            f"SELECT count(*) FROM acd_callback WHERE id = {r['callback_id']}"
            f" AND call_id = {cid} AND phone = '13900139000' AND queue = 'market_consult'"), 1)
        self.step("8104", "CALL-4", "callback_declined", 409)  # answered already
        # 105 s: the warning before the 2 min limit, on the desk and the wallboard.
        self.srv.advance(40 * S)
        self.assertIn(("CALL-4", "hold_near", 0, 1), self.stored(cid))
        self.assertNotIn(("CALL-4", "hold_over", 0, 1), self.stored(cid))
        g = self.guide("8104")
        self.assertTrue(g["hold_near"])
        self.assertFalse(g["hold_over"])
        st, live, _ = self.srv.call("GET", "/api/acd/live", token=self.manager)
        self.assertEqual(st, 200, live)
        mine = [x for x in live["guide"] if x["call_id"] == cid]
        self.assertEqual(len(mine), 1, live["guide"])
        self.assertEqual(mine[0]["agent_id"], person_id(self.srv, "8104"))
        self.assertEqual(mine[0]["guide"]["level"], "warn")
        self.assertTrue(mine[0]["guide"]["hold_near"])
        # 120 s: the limit is broken.
        self.srv.advance(15 * S)
        self.assertIn(("CALL-4", "hold_over", 0, 1), self.stored(cid))
        self.assertEqual(self.guide("8104")["level"], "over")
        self.assertEqual(phone.hold(False).code, 200)
        self.call(c.call_id, "resume")
        self.srv.advance(60 * S)  # resumed: nothing more comes due

        kefu = self.stored(cid)
        # One reminder per 15 s of the 120 s hold, each once, in the order they came due.
        self.assertEqual([k for k in kefu if k[1] == "speak"],
                         [("CALL-4", "speak", 1, n) for n in range(1, 9)])
        self.assertEqual(len(kefu), len(set(kefu)))
        self.assertEqual(kefu[0], ("CALL-2", "apologize", 0, 1))
        self.assertEqual(self.stored(cid, by="agent"),
                         [("CALL-2", "apologized", 0, 0), ("CALL-4", "spoke", 0, 0),
                          ("CALL-4", "callback_accepted", 0, 0)])
        # The agent's steps are audited.
        audit = self.srv.audit(self.manager, action="call.guide")
        self.assertEqual(len([a for a in audit if a["entity_id"] == str(cid)]), 3, audit)
        self.hang_up(phone, c)
        self.assertTrue(self.no_call("8104") or self.my_call("8104", timeout=0)["guide"] is None)
        self.step("8104", "CALL-4", "spoke", 409)  # no call any more

    def test_class_f_limit_and_silent_call_steps(self):
        phone, c, call = self.connect("8103", "127.0.1.3", "127.0.1.103")
        cid = call["id"]
        self.assertFalse(self.guide("8103")["late"])
        # CALL-6: the caller is silent; greet, 5 s, greet again, 5 s, goodbye.
        self.step("8103", "CALL-6", "greeted_again", 409)  # not started
        self.step("8103", "CALL-6", "start")
        self.step("8103", "CALL-6", "start", 409)
        g = self.guide("8103")
        self.assertEqual(g["silent_step"], "greeted")
        self.srv.advance(5 * S)
        self.assertEqual(self.guide("8103")["silent_step"], "greet_again")
        self.step("8103", "CALL-6", "greeted_again")
        self.srv.advance(5 * S)
        self.assertEqual(self.guide("8103")["silent_step"], "goodbye")
        self.step("8103", "CALL-6", "goodbye_said")
        self.assertIsNone(self.guide("8103")["silent_step"])
        # CALL-7: the agent classes the contact F (harassment): 10 min at most.
        st, body, _ = self.srv.call("PATCH", f"/api/contacts/{call['contact_id']}",
                                    {"class": "F"}, token=self.token("8103"))
        self.assertEqual(st, 200, body)
        self.srv.advance(0)
        g = self.guide("8103")
        self.assertTrue(g["class_f"])
        self.assertEqual(g["f_limit_at"], g["connected_at"] + 600 * S)
        self.assertEqual(g["level"], "remind")
        # 9 min from the answer: the warning; 10 min: over.
        self.srv.advance(g["connected_at"] + 540 * S - g["now"])
        self.assertIn(("CALL-7", "limit_near", 0, 1), self.stored(cid))
        self.assertNotIn(("CALL-7", "limit_over", 0, 1), self.stored(cid))
        self.assertEqual(self.guide("8103")["level"], "warn")
        self.srv.advance(60 * S)
        g = self.guide("8103")
        self.assertTrue(g["f_over"])
        self.assertEqual(g["level"], "over")
        self.assertEqual(self.stored(cid), [
            ("CALL-6", "greet_again", 0, 1), ("CALL-6", "goodbye", 0, 2),
            ("CALL-7", "limit", 0, 1), ("CALL-7", "limit_near", 0, 1),
            ("CALL-7", "limit_over", 0, 1)])
        self.assertEqual([k[1] for k in self.stored(cid, by="agent")],
                         ["start", "greeted_again", "goodbye_said"])
        # The at_ms of each prompt is its moment from the answer.
        self.assertEqual(self.srv.count(
            "SELECT json_extract(detail, '$.at_ms') FROM call_event WHERE kind = 'guide'"
            f" AND call_id = {cid} AND json_extract(detail, '$.step') = 'limit_over'"), 600 * S)
        self.hang_up(phone, c)

    def test_bad_input(self):
        # Not talking on a call: 409; malformed: 400; unknown fields: 400.
        self.token("8106")
        self.step("8106", "CALL-2", "apologized", 409)
        st, body, _ = self.srv.call("POST", "/api/me/call/guide", {"rule": "CALL-2"},
                                    token=self.token("8106"))
        self.assertEqual(st, 400, body)
        st, body, _ = self.srv.call("POST", "/api/me/call/guide",
                                    {"rule": "CALL-2", "step": "apologized", "x": 1},
                                    token=self.token("8106"))
        self.assertEqual(st, 400, body)
        # The quality inspector has no seat: 403.
        st, body, _ = self.srv.call("POST", "/api/me/call/guide",
                                    {"rule": "CALL-2", "step": "apologized"},
                                    token=self.token("8301"))
        self.assertEqual(st, 403, body)
