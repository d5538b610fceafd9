"""Calls out through the carrier's trunk (issue 17), end to end: SIPp plays
the carrier (tests/sip/trunk_*.xml: it challenges with digest auth and
answers, or says busy, or lets the phone ring until kefu cancels), the
agent's phone is the Python phone of test_hotline.py or SIPp
(tests/sip/agent_answer_wait.xml), and the attempt is asked for through
POST /api/out/calls as the workbench does.

What is checked is what the people and the carrier got: the agent's phone
rings first and never sees the real number (CUST-2), hears China's 450 Hz
ring-back while the customer's phone rings, then the customer's speech;
the trunk gets the carrier's prefix and the caller id and the right
credentials; the recording holds the customer's speech on the left and
the agent's tone on the right; each attempt's result is the one its SIP
answer says. The daily answer-rate test (LED-2) calls kefu's own hotline
through its IVR and is answered by a ready agent. A caller who vanishes
mid-conversation is a dropped call (CALL-6) and its agent's call-back task."""
import io
import os
import re
import shutil
import struct
import subprocess
import tempfile
import time
import unittest
import wave

import test_inband_pcap  # its A-law decoder
from test_call_media import AGENT_HZ, Talker, goertzel, rms
from test_hotline import HotlineCase
import test_sipp_calls  # its SIPp phones; a module, so its tests do not run here

SIPP = shutil.which("sipp")
SCENARIOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sip")
TRUNK_IP = "127.0.7.1"
TRUNK_USER = "trunk-user"
TRUNK_PASSWORD = "Trunk-pass-2026"
CALLER_ID = "4008001234"
MOBILE = "13812345678"


def alaw_pcm(payload):
    return [test_inband_pcap.alaw_decode(b) for b in payload]


@unittest.skipUnless(SIPP, "sipp (Debian package sip-tester) is not installed")
class OutSip(HotlineCase):
    @classmethod
    def setUpClass(cls):
        cls.trunk_port = test_sipp_calls.free_port(TRUNK_IP)
        cls.server_env = dict(HotlineCase.server_env,
                              KEFU_OUT_TRUNK=f"{TRUNK_IP}:{cls.trunk_port}",
                              KEFU_OUT_TRUNK_USER=TRUNK_USER,
                              KEFU_OUT_TRUNK_PASSWORD=TRUNK_PASSWORD,
                              KEFU_OUT_CALLER_ID=CALLER_ID, KEFU_OUT_PREFIX_MOBILE="9",
                              KEFU_OUT_PREFIX_LANDLINE="0", KEFU_OUT_RING_SEC="5",
                              KEFU_SIP_TRUNKS=TRUNK_IP,
                              # A caller silent this long has gone (CALL-6's drop).
                              KEFU_CALL_MEDIA_TIMEOUT_SEC="4")
        super().setUpClass()
        # The outbound hours (src/out/, default 09:00-20:00 in the center's zone)
        # would refuse calls when the suite runs at night: all day for the engine's tests.
        st, body, _ = cls.srv.call("PUT", "/api/out/settings",
                                   {"hours_from": "00:00", "hours_to": "24:00"},
                                   token=cls.manager)
        assert st == 200, body
        cls.workdir = cls.class_temp_dir("kefu-out-sip-")
        cls.customer = cls.make_customer("外呼测试客户", MOBILE)

    @classmethod
    def make_customer(cls, name, phone):
        st, body, _ = cls.srv.call("POST", "/api/customers",
                                   {"name": name, "phones": [{"phone": phone, "label": "手机"}]},
                                   token=cls.manager)
        assert st == 201, body
        return body["id"]

    def carrier(self, scenario):
        """SIPp as the carrier's trunk on its fixed address, in the background."""
        d = tempfile.mkdtemp(prefix="sipp-", dir=self.workdir)
        cmd = [SIPP, "-sf", os.path.join(SCENARIOS, scenario), "-i", TRUNK_IP, "-mi", TRUNK_IP,
               "-p", str(self.trunk_port), "-m", "1", "-nostdin", "-timeout", "60s",
               "-max_retrans", "3", "-trace_msg", "-trace_err", "-bind_local"]
        proc = subprocess.Popen(cmd, cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

        def kill():
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.addCleanup(kill)
        time.sleep(0.3)  # listening before kefu dials
        return proc, d

    def carrier_done(self, sipp):
        """SIPp's verdict and the messages it saw (the INVITEs kefu sent)."""
        proc, d = sipp
        out, err = proc.communicate(timeout=60)
        msgs = ""
        for name in sorted(os.listdir(d)):
            if name.endswith("_messages.log"):
                with open(os.path.join(d, name), errors="replace") as f:
                    msgs += f.read()
        ok = re.search(r"Successful call\s*\|\s*\d+\s*\|\s*(\d+)", out)
        self.assertTrue(proc.returncode == 0 and ok and int(ok.group(1)) == 1,
                        f"sipp failed ({proc.returncode}):\n{out[-2000:]}\n{err[-1000:]}\n"
                        f"{msgs[-4000:]}")
        return msgs

    def place(self, work_no, purpose="customer", **ref):
        body = {"purpose": purpose}
        body.update(ref or {"customer_id": self.customer})
        st, out, _ = self.srv.call("POST", "/api/out/calls", body, token=self.token(work_no))
        self.assertEqual(st, 201, out)
        self.assertNotIn(MOBILE, str(out))  # CUST-2: the number stays on the server
        return out["id"]

    def attempt(self, out_id, work_no, until=("ended",), timeout=20):
        deadline = time.time() + timeout
        while True:
            st, body, _ = self.srv.call("GET", f"/api/out/calls/{out_id}",
                                        token=self.token(work_no))
            self.assertEqual(st, 200, body)
            if body["state"] in until:
                return body
            if time.time() > deadline:
                self.fail(f"attempt {out_id} never reached {until}: {body}")
            time.sleep(0.1)

    def call_row(self, call_id):
        st, one, _ = self.srv.call("GET", f"/api/calls/{call_id}", token=self.manager)
        self.assertEqual(st, 200, one)
        return one

    def kinds(self, call):
        return [e["kind"] for e in call["events"]]

    def test_answered_call_is_relayed_recorded_and_measured(self):
        phone = self.agent("8103", "127.0.7.3")
        self.addCleanup(self.log_out, "8103")
        sipp = self.carrier("trunk_answer.xml")
        out_id = self.place("8103")
        invite = phone.ring()
        # The agent's phone rings first and shows the masked number, never the real one.
        self.assertIn("138****5678", invite.get("from"))
        self.assertIn("外呼", invite.get("from"))
        self.assertNotIn(MOBILE, invite.body + str(invite.headers))
        self.assertEqual(self.attempt(out_id, "8103", ("agent",))["state"], "agent")
        self.assertEqual(self.status("8103")["status"], "ringing")
        phone.answer(((8, "PCMA"),))
        self.assertEqual(self.attempt(out_id, "8103", ("dialing",))["state"], "dialing")
        # While the customer's phone rings the agent hears 450 Hz, 1 s on, 4 s off.
        got = phone.packets(40, timeout=3)
        self.assertGreaterEqual(len(got), 20)
        pcm = [s for p in got for s in alaw_pcm(p[12:])]
        loud = [pcm[i:i + 160] for i in range(0, len(pcm) - 159, 160) if rms(pcm[i:i + 160]) > 1000]
        self.assertGreaterEqual(len(loud), 10, "no ring-back")
        frame = loud[len(loud) // 2]
        self.assertGreater(goertzel(frame, 450), 20 * goertzel(frame, 1000))
        # The customer answers: the two are bridged; the agent speaks 1000 Hz for 3 s.
        self.attempt(out_id, "8103", ("talking",))
        talker = Talker(phone.rtp, phone.kefu_media, AGENT_HZ, [(0.2, 2.8)], 3.0, None, 0xA6E47)
        talker.start()
        heard = phone.packets(100, timeout=4)
        talker.join()
        speech = [s for p in heard for s in alaw_pcm(p[12:])]
        self.assertGreater(rms(speech), 300, "the customer's speech did not reach the agent")
        self.assertEqual(phone.request("BYE").code, 200)
        msgs = self.carrier_done(sipp)
        done = self.attempt(out_id, "8103")
        self.assertEqual(done["result"], "answered")
        # The agent records what the conversation came to, once (CALL-10).
        st, body, _ = self.srv.call("POST", f"/api/out/calls/{out_id}/outcome",
                                    {"outcome": "reached", "note": "客户确认已收到退款"},
                                    token=self.token("8103"))
        self.assertEqual(st, 200, body)
        self.assertError(self.srv.call("POST", f"/api/out/calls/{out_id}/outcome",
                                       {"outcome": "no_answer"}, token=self.token("8103")), 409)
        # The trunk got the mobile prefix, the caller id and the credentials.
        self.assertRegex(msgs, rf"INVITE sip:9{MOBILE}@{re.escape(TRUNK_IP)}")
        self.assertRegex(msgs, rf"From: <sip:{CALLER_ID}@")
        self.assertRegex(msgs, rf'Authorization: Digest username="{TRUNK_USER}"')
        call = self.call_row(done["call_id"])
        deadline = time.time() + 10
        while "recorded" not in self.kinds(call) and time.time() < deadline:
            time.sleep(0.1)
            call = self.call_row(done["call_id"])
        self.assertEqual(call["direction"], "out")
        # The call log by direction: this call is among the calls out, not the calls in.
        for direction, present in (("out", True), ("in", False)):
            st, page, _ = self.srv.call("GET", f"/api/calls?direction={direction}",
                                        token=self.manager)
            self.assertEqual(st, 200, page)
            self.assertEqual(call["id"] in [c["id"] for c in page["items"]], present)
            self.assertEqual({c["direction"] for c in page["items"]} - {direction}, set())
        self.assertError(self.srv.call("GET", "/api/calls?direction=sideways",
                                       token=self.manager), 422, field="direction")
        self.assertEqual(call["outcome"], "answered")
        self.assertEqual(call["hangup_first"], "agent")
        self.assertEqual(call["caller"], "138****5678")
        self.assertEqual(call["called"], CALLER_ID)
        self.assertNotIn("survey", self.kinds(call))
        for k in ("out_requested", "agent_answered", "dialing", "ringing", "connected",
                  "agent_hangup", "ended", "recorded"):
            self.assertIn(k, self.kinds(call))
        self.assertGreater(call["metrics"]["talk_ms"], 2000)
        # The contact is an outbound one of this customer (CALL-10).
        st, contact, _ = self.srv.call("GET", f"/api/contacts/{call['contact_id']}",
                                       token=self.manager)
        self.assertEqual(st, 200, contact)
        self.assertEqual((contact["direction"], contact["customer_id"]), ("out", self.customer))
        # The recording: the customer's speech on the left, the agent's tone on the right.
        st, _, data = self.srv.raw("GET", f"/api/calls/{call['id']}/recording", None,
                                   {"Authorization": "Bearer " + self.manager})
        self.assertEqual(st, 200)
        with wave.open(io.BytesIO(data)) as w:
            self.assertEqual(w.getnchannels(), 2)
            raw = w.readframes(w.getnframes())
        both = struct.unpack(f"<{len(raw) // 2}h", raw)
        left, right = list(both[0::2]), list(both[1::2])
        self.assertGreater(rms(left), 300, "no customer speech in the recording")
        loud = [right[i:i + 800] for i in range(0, len(right) - 799, 800)
                if rms(right[i:i + 800]) > 1000]
        self.assertGreaterEqual(len(loud), 10, "no agent tone in the recording")
        f = loud[len(loud) // 2]
        self.assertGreater(goertzel(f, AGENT_HZ), 20 * goertzel(f, 440))
        # After the call the agent is in wrap-up (0 s here), then ready.
        deadline = time.time() + 5
        while self.status("8103")["status"] != "ready" and time.time() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.status("8103")["status"], "ready")

    def test_busy_and_unanswered_customers(self):
        # The agent's phone is SIPp here: it answers kefu's two calls and waits
        # for kefu's BYE each time (tests/sip/agent_answer_wait.xml).
        phone = test_sipp_calls.SippCalls.agent(self, "8104", "127.0.7.4", "agent_answer_wait.xml", "-m", "2")
        self.addCleanup(self.log_out, "8104")
        for scenario, result, detail in (("trunk_busy.xml", "busy", {"status": 486}),
                                         ("trunk_noanswer.xml", "no_answer", {"ring_sec": 5})):
            sipp = self.carrier(scenario)
            out_id = self.place("8104")
            msgs = self.carrier_done(sipp)
            done = self.attempt(out_id, "8104")
            self.assertEqual(done["result"], result)
            self.assertIsNotNone(done["agent_at"])  # the agent's phone answered first
            call = self.call_row(done["call_id"])
            self.assertEqual(call["outcome"], result)
            self.assertIsNone(call["connected_at"])
            self.assertFalse(call["recording"])
            # The carrier's final answer, as kefu logged it on the call.
            self.assertEqual([e["detail"] for e in call["events"] if e["kind"] == "not_answered"],
                             [dict(detail, result=result)])
            if result == "no_answer":
                self.assertIn("CANCEL sip:", msgs)  # kefu gave up after out_ring_sec
            deadline = time.time() + 5
            while self.status("8104")["status"] != "ready" and time.time() < deadline:
                time.sleep(0.1)
            self.assertEqual(self.status("8104")["status"], "ready")
        # Both calls ended on the phone with kefu's BYE.
        phone.wait(calls=2)

    def test_agent_phone_unanswered_or_missing(self):
        # No phone registered: the attempt ends at once.
        self.set_status("8105", "ready")
        self.addCleanup(self.log_out, "8105")
        out_id = self.place("8105")
        self.assertEqual(self.attempt(out_id, "8105")["result"], "agent_offline")
        self.assertEqual(self.status("8105")["status"], "ready")
        # It waits for its outcome (the workbench asks after a reload), until recorded.
        st, me, _ = self.srv.call("GET", "/api/me/out", token=self.token("8105"))
        self.assertEqual(st, 200, me)
        self.assertIsNone(me["live"])
        self.assertEqual(me["pending"]["id"], out_id)
        st, body, _ = self.srv.call("POST", f"/api/out/calls/{out_id}/outcome",
                                    {"outcome": "no_answer"}, token=self.token("8105"))
        self.assertEqual(st, 200, body)
        st, me, _ = self.srv.call("GET", "/api/me/out", token=self.token("8105"))
        self.assertIsNone(me["pending"])
        # A phone that lets it ring (ring_timeout_sec 3): agent_no_answer, back to ready.
        phone = self.agent("8106", "127.0.7.6")
        self.addCleanup(self.log_out, "8106")
        out_id = self.place("8106")
        phone.ring()
        done = self.attempt(out_id, "8106", timeout=10)
        self.assertEqual(done["result"], "agent_no_answer")
        self.assertEqual(self.status("8106")["status"], "ready")

    def test_dropped_call_becomes_the_agents_call_back_task(self):
        """CALL-6: a caller who vanishes mid-conversation (no BYE, no media)
        is a dropped call, and the agent who talked gets the call-back."""
        phone = self.agent("8101", "127.0.7.8")
        self.addCleanup(self.log_out, "8101")
        c = self.caller("127.0.7.108")
        self.assertEqual(c.invite().code, 200)
        self.assertEqual(c.info("0"), 200)
        phone.ring()
        phone.answer(((8, "PCMA"),))
        call = self.call(c.call_id, "connected")
        # The caller's phone is gone: nothing more from it, kefu ends the call.
        ended = self.call(c.call_id, timeout=15)
        self.assertEqual(self.events(ended, "ended")[0]["reason"], "media_timeout")
        self.assertTrue(ended["dropped"])
        self.assertEqual(ended["agent_id"], self.status("8101")["person_id"])
        self.srv.advance(0)  # one round of the scheduler (the test clock drives it)
        st, tasks, _ = self.srv.call("GET", "/api/out/tasks", token=self.token("8101"))
        self.assertEqual(st, 200, tasks)
        mine = [k for k in tasks["items"] if k["kind"] == "dropped"
                and k.get("call_id") == call["id"]]
        self.assertEqual(len(mine), 1, tasks)
        self.assertEqual(mine[0]["agent_id"], ended["agent_id"])
        self.assertNotIn(c.ip, str(mine[0]))

    def test_daily_answer_rate_test_call(self):
        """LED-2: kefu calls its own hotline, presses 0 (人工服务), a ready agent answers."""
        phone = self.agent("8102", "127.0.7.2")
        self.addCleanup(self.log_out, "8102")
        st, body, _ = self.srv.call("POST", "/api/out/tests/run", {"keys": "0", "wait_sec": 20},
                                    token=self.manager)
        self.assertEqual(st, 201, body)
        invite = phone.ring(timeout=15)
        self.assertIn("kefu-test", invite.get("from"))
        phone.answer(((8, "PCMA"),))
        deadline = time.time() + 15
        while True:
            st, sheet, _ = self.srv.call("GET", "/api/out/tests", token=self.manager)
            self.assertEqual(st, 200, sheet)
            rows = [r for r in sheet["items"] if r["id"] == body["id"]]
            if rows and rows[0]["result"] not in (None, ""):
                break
            self.assertLess(time.time(), deadline, sheet)
            time.sleep(0.2)
        row = rows[0]
        self.assertEqual((row["result"], row["verdict"]), ("answered", "answered"))
        self.assertEqual(row["agent"]["work_no"], "8102")
        # The time to answer is the inbound call's: from its INVITE to the agent's answer.
        st, calls, _ = self.srv.call("GET", "/api/calls?limit=5", token=self.manager)
        self.assertEqual(st, 200, calls)
        linked = [c for c in (self.call_row(c["id"]) for c in calls["items"])
                  if {"out_id": row["call_out_id"]} in
                  [e["detail"] for e in c["events"] if e["kind"] == "test_call"]]
        self.assertEqual(len(linked), 1, calls)
        inbound = linked[0]
        self.assertEqual((inbound["direction"], inbound["outcome"]), ("in", "answered"))
        self.assertEqual(inbound["digits"], "0")
        self.assertEqual(row["answer_ms"], inbound["connected_at"] - inbound["started_at"])


if __name__ == "__main__":
    unittest.main()
