"""The screen-pop behind the agent desk (issue 5, CUST-5, CALL-10): GET /api/me/call while a
call rings on and is connected to the agent's phone, with the queue's name and the caller's
customer; an offer that ended unanswered is no longer the agent's call; the contact the
answered call became names its call and is completed (and attached to a customer) with
PATCH /api/contacts/{id}, so one call is one contact record.

Phones and callers are test_hotline.py's; prompts are its 60 ms tones."""
import time

from apihelp import person_id
from test_hotline import HotlineCase


class ScreenPop(HotlineCase):
    server_env = dict(HotlineCase.server_env, KEFU_NO_ANSWER_MAX="1")

    def me_call(self, work_no):
        st, body, _ = self.srv.call("GET", "/api/me/call", token=self.token(work_no))
        self.assertEqual(st, 200, body)
        return body

    def test_ringing_connected_then_completed_contact(self):
        phone = self.agent("8103", "127.0.5.3")
        self.assertEqual(self.me_call("8103"), {"call": None})
        c = self.caller("127.0.5.103")
        self.assertEqual(c.invite().code, 200)
        self.assertEqual(c.info("1"), 200)
        phone.ring()
        pop = self.me_call("8103")
        call = pop["call"]
        self.assertEqual((call["caller"], call["queue"], call["queue_name"]),
                         ("139****9000", "market_consult", "业务咨询"))
        self.assertIsNone(call["connected_at"])
        self.assertIsNone(call["contact_id"])
        self.assertIsNone(pop["customer"])  # an unknown number
        phone.answer()
        self.call(c.call_id, "connected")
        call = self.me_call("8103")["call"]
        self.assertIsNotNone(call["connected_at"])
        contact_id = call["contact_id"]
        st, k, _ = self.srv.call("GET", f"/api/contacts/{contact_id}", token=self.token("8103"))
        self.assertEqual(st, 200, k)
        self.assertEqual((k["call_id"], k["channel"], k["direction"], k["phone"], k["customer_id"]),
                         (call["id"], "phone", "in", "139****9000", None))
        # The agent creates the caller as a customer and completes the call's contact.
        st, cust, _ = self.srv.call("POST", "/api/customers",
                                    {"name": "张三", "vip_level": 2,
                                     "phones": [{"phone": "13900139000"}]},
                                    token=self.token("8103"))
        self.assertEqual(st, 201, cust)
        pop = self.me_call("8103")
        self.assertEqual(pop["customer"], {"id": cust["id"], "name": "张三", "vip_level": 2})
        st, k, _ = self.srv.call("PATCH", f"/api/contacts/{contact_id}",
                                 {"customer_id": cust["id"], "class": "E", "summary": "咨询开通",
                                  "fivew": {"what": "开通业务"}}, token=self.token("8103"))
        self.assertEqual(st, 200, k)
        self.assertEqual((k["customer_id"], k["class"], k["call_id"]),
                         (cust["id"], "E", call["id"]))
        self.assertEqual(c.bye(), 200)
        self.call(c.call_id)
        self.assertEqual(self.me_call("8103"), {"call": None})
        self.log_out("8103")

    def test_declined_offer_is_not_the_agents_call_any_more(self):
        phone = self.agent("8104", "127.0.5.4")
        c = self.caller("127.0.5.104")
        self.assertEqual(c.invite().code, 200)
        self.assertEqual(c.info("1"), 200)
        inv = phone.ring()
        self.assertEqual(self.me_call("8104")["call"]["caller"], "139****9000")
        phone.reply(inv, 486, "Busy Here")
        self.call(c.call_id, "no_answer")
        deadline = time.time() + 5
        while self.status("8104")["status"] != "busy" and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.status("8104")["reason"], "no_answer")  # no_answer_max 1
        # The call still waits in the queue with 8104 as its last agent, but it does not
        # ring there: no screen-pop.
        st, calls, _ = self.srv.call("GET", "/api/calls", token=self.manager)
        waiting = [x for x in calls["items"] if x["sip_call_id"] == c.call_id][0]
        self.assertIsNone(waiting["ended_at"])
        self.assertEqual(waiting["agent_id"], person_id(self.srv, "8104"))
        self.assertEqual(self.me_call("8104"), {"call": None})
        self.assertEqual(c.bye(), 200)
        self.call(c.call_id)
