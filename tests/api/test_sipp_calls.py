"""Whole hotline calls with SIPp on both sides (issue 5): callers and agents'
phones are Debian's SIPp (sip-tester) running the scenarios of tests/sip/,
each in the background on its own loopback address (the guard counts per
address), and what kefu did is read back through GET /api/calls/{id}.

- agent_register.xml registers agents' phones with digest auth (the work
  number and the phone password set by POST /api/me/sip-password);
- agent_answer.xml answers kefu's offer (180, 200 with PCMA), plays
  g711a.pcap and hangs up after -d ms; agent_answer_wait.xml waits for
  kefu's BYE; agent_busy.xml refuses with 486;
- caller_queue.xml presses a key by RFC 4733 (dtmf_2833_N.pcap), talks
  (g711a.pcap), and rates the call 5 by SIP INFO once the agent has hung
  up; caller_hangup.xml presses 2 by SIP INFO and hangs up first.

Prompts are the 60 ms tones of test_hotline.py, so a call takes seconds."""
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from apihelp import log_out_agent
from harness import KefuTestCase
from test_hotline import short_prompts
from test_ivr import HOTLINE

SIPP = shutil.which("sipp")
SCENARIOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sip")
PCAPS = "/usr/share/sip-tester"
PASSWORD = "Phone-pass-2026"


def free_port(ip):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Sipp:
    """One SIPp process in the background, in a folder of its own (its logs)."""

    def __init__(self, case, scenario, ip, *args):
        self.dir = tempfile.mkdtemp(prefix="sipp-", dir=case.workdir)
        self.scenario = scenario
        self.port = free_port(ip)
        cmd = [SIPP, f"127.0.0.1:{case.sip_port}", "-sf", scenario, "-i", ip, "-mi", ip,
               "-bind_local", "-p", str(self.port), "-m", "1", "-nostdin", "-timeout", "60s",
               "-max_retrans", "3", "-trace_msg", "-trace_err", *args]
        self.proc = subprocess.Popen(cmd, cwd=self.dir, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        case.addCleanup(self.kill)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()

    def wait(self, timeout=60, calls=1):
        """Waits for SIPp's verdict: the Call-IDs it used (its calls succeeded)."""
        out, err = self.proc.communicate(timeout=timeout)
        logs = msgs = ""
        for name in sorted(os.listdir(self.dir)):
            if name.endswith(".log"):
                with open(os.path.join(self.dir, name), errors="replace") as f:
                    text = f.read()
                logs += f"--- {name}\n" + text
                if name.endswith("_messages.log"):
                    msgs += text
        ok = re.search(r"Successful call\s*\|\s*\d+\s*\|\s*(\d+)", out)
        if self.proc.returncode != 0 or not ok or int(ok.group(1)) != calls:
            raise AssertionError(f"sipp {os.path.basename(self.scenario)} failed "
                                 f"({self.proc.returncode}):\n{out[-2500:]}\n{err[-1500:]}\n"
                                 f"{logs[-6000:]}")
        return re.findall(r"^Call-I[Dd]: *(\S+)", msgs, re.M)


@unittest.skipUnless(SIPP, "sipp (Debian package sip-tester) is not installed")
class SippCalls(KefuTestCase):
    server_env = {"KEFU_SIP_LISTEN": "127.0.0.1:0", "KEFU_RING_TIMEOUT_SEC": "3",
                  "KEFU_WRAP_UP_SEC": "0"}

    @classmethod
    def setUpClass(cls):
        cls.prompts = short_prompts()
        cls.server_env = dict(cls.server_env, KEFU_PROMPTS_DIR=cls.prompts)
        super().setUpClass()
        cls.sip_port = cls.srv.sip_port()
        cls.manager = cls.srv.login("8001")
        cls.tokens = {}
        cls.workdir = tempfile.mkdtemp(prefix="kefu-sipp-calls-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.workdir, ignore_errors=True)
        shutil.rmtree(cls.prompts, ignore_errors=True)
        super().tearDownClass()

    def token(self, work_no):
        if work_no not in self.tokens:
            self.tokens[work_no] = self.srv.login(work_no)
        return self.tokens[work_no]

    def set_status(self, work_no, status):
        st, body, _ = self.srv.call("POST", "/api/acd/me/status", {"status": status},
                                    token=self.token(work_no))
        self.assertEqual(st, 200, body)
        return body

    def agent(self, work_no, ip, scenario, *args):
        """The agent's phone: a SIPp answering on ip (scenario), registered
        by agent_register.xml with digest auth; then the agent is ready."""
        st, body, _ = self.srv.call("POST", "/api/me/sip-password", {"password": PASSWORD},
                                    token=self.token(work_no))
        self.assertEqual(st, 200, body)
        uas = Sipp(self, os.path.join(SCENARIOS, scenario), ip, *args)
        csv = os.path.join(self.workdir, f"agent-{work_no}.csv")
        with open(csv, "w") as f:
            f.write(f"SEQUENTIAL\n{work_no};[authentication username={work_no} "
                    f"password={PASSWORD}]\n")
        reg = Sipp(self, os.path.join(SCENARIOS, "agent_register.xml"), ip, "-inf", csv,
                   "-key", "uas_port", str(uas.port), "-key", "expires", "3600")
        reg.wait()
        st, regs, _ = self.srv.call("GET", "/api/sip/registrations", token=self.manager)
        self.assertEqual(st, 200, regs)
        self.assertIn(f"sip:{work_no}@{ip}:{uas.port}", [r["contact"] for r in regs["items"]])
        self.addCleanup(log_out_agent, self.srv, self.token(work_no))
        self.set_status(work_no, "ready")
        return uas

    def caller(self, ip, digit=None, scenario="caller_queue.xml", *args):
        """A caller's SIPp; caller_queue.xml with the key `digit` (its pcap)."""
        path = os.path.join(SCENARIOS, scenario)
        if digit is not None:
            with open(path) as f:
                text = f.read()
            path = os.path.join(self.workdir, f"caller_queue_{digit}.xml")
            with open(path, "w") as f:
                f.write(text.replace(f"{PCAPS}/dtmf_2833_1.pcap",
                                     f"{PCAPS}/dtmf_2833_{digit}.pcap"))
        return Sipp(self, path, ip, "-s", HOTLINE, *args)

    def call_of(self, sip_call_id, timeout=15):
        """The call with that Call-ID and its events, once it has ended."""
        deadline = time.time() + timeout
        while True:
            st, body, _ = self.srv.call("GET", "/api/calls", token=self.manager)
            self.assertEqual(st, 200, body)
            found = [c for c in body["items"] if c["sip_call_id"] == sip_call_id]
            if found and found[0]["ended_at"]:
                st, one, _ = self.srv.call("GET", f"/api/calls/{found[0]['id']}",
                                           token=self.manager)
                self.assertEqual(st, 200, one)
                return one
            if time.time() > deadline:
                self.fail(f"call {sip_call_id} has not ended: {found}")
            time.sleep(0.1)

    def person(self, work_no):
        st, me, _ = self.srv.call("GET", "/api/acd/me", token=self.token(work_no))
        self.assertEqual(st, 200, me)
        return me["person_id"]

    def events(self, call, kind):
        return [e["detail"] for e in call["events"] if e["kind"] == kind]

    def kinds(self, call):
        return [e["kind"] for e in call["events"] if e["kind"] != "announce"]

    def assert_rated_call(self, call, work_no, queue, digit):
        """A call routed by an RFC 4733 key to queue, answered by work_no,
        whose agent hung up first, rated 5 in the survey (CALL-1, CALL-3)."""
        self.assertEqual(call["digits"], digit)
        self.assertEqual(call["route"], queue)
        self.assertEqual(call["queue"], queue)
        self.assertEqual(self.events(call, "digit"), [{"digit": digit, "via": "rtp"}])
        self.assertEqual(call["outcome"], "answered")
        self.assertEqual(call["agent_id"], self.person(work_no))
        self.assertIsNotNone(call["connected_at"])
        self.assertEqual(call["hangup_first"], "agent")
        self.assertEqual(call["ended_by"], "kefu")
        self.assertEqual(call["survey"], 5)
        self.assertEqual(self.events(call, "survey"), [{"digit": 5}])
        kinds = self.kinds(call)
        order = ["queued", "offered", "connected", "agent_hangup", "survey", "ended"]
        for k in order:
            self.assertIn(k, kinds)
        firsts = [kinds.index(k) for k in order]
        self.assertEqual(firsts, sorted(firsts), kinds)
        self.assertEqual(self.events(call, "connected")[0]["work_no"], work_no)
        self.assertEqual(self.events(call, "connected")[0]["codec"], "PCMA")
        self.assertEqual(self.events(call, "offered")[0]["queue"], queue)
        m = call["metrics"]
        self.assertTrue(m["agent_hung_up_first"])  # CALL-5
        # The caller's speech (g711a.pcap) reached kefu while connected (CALL-6).
        self.assertFalse(m["silent_call"], m)
        ended = self.events(call, "ended")[0]
        self.assertEqual(ended["outcome"], "answered")
        # The key's 10 events and the pcap's 30 ms packets up to the end of
        # the call, none lost on loopback.
        self.assertGreaterEqual(ended["rtp_received"], 40, ended)
        self.assertEqual(ended["rtp_lost"], 0, ended)
        self.assertGreater(ended["rtp_sent"], 50, ended)
        # The contact the call became is rated 5 too.
        st, contact, _ = self.srv.call("GET", f"/api/contacts/{call['contact_id']}",
                                       token=self.manager)
        self.assertEqual(st, 200, contact)
        self.assertEqual(contact["satisfaction"], 5)
        self.assertEqual(contact["channel"], "phone")

    def test_keys_route_to_their_queues_answered_and_rated(self):
        # Three calls at once (ORG-2): 1 业务咨询 → market_consult (8103),
        # 2 业务办理 → tech_service (8101), 3 投诉 → complaint, the supervising
        # seat (8002). 8002 has tech_service too, but 8101 has been ready
        # longer, so the tech_service call goes to 8101 (longest idle first)
        # whichever call is dispatched first.
        agents = {"1": ("8103", "127.0.7.3", "market_consult"),
                  "2": ("8101", "127.0.7.1", "tech_service"),
                  "3": ("8002", "127.0.7.12", "complaint")}
        phones = {d: self.agent(w, ip, "agent_answer.xml", "-d", "3000")
                  for d, (w, ip, _) in agents.items()}
        callers = {d: self.caller(f"127.0.7.{100 + int(d)}", d) for d in agents}
        ids = {d: callers[d].wait() for d in agents}
        for d in agents:
            phones[d].wait()
        for d, (work_no, _, queue) in agents.items():
            with self.subTest(digit=d):
                call = self.call_of(ids[d][0])
                self.assert_rated_call(call, work_no, queue, d)
                self.assertEqual(self.events(call, "no_answer"), [])

    def test_busy_agent_hands_the_call_to_the_next(self):
        # 0 人工服务 → the queue of any agent; 8104 has been ready longest
        # (longest idle first) but its phone answers 486 Busy Here.
        busy = self.agent("8104", "127.0.7.4", "agent_busy.xml")
        time.sleep(0.1)
        answers = self.agent("8106", "127.0.7.6", "agent_answer.xml", "-d", "2000")
        ids = self.caller("127.0.7.110", "0").wait()
        busy.wait()
        answers.wait()
        call = self.call_of(ids[0])
        self.assert_rated_call(call, "8106", "agent", "0")
        offered = [e["work_no"] for e in self.events(call, "offered")]
        self.assertEqual(offered, ["8104", "8106"])
        na = self.events(call, "no_answer")
        self.assertEqual(len(na), 1, na)
        self.assertEqual((na[0]["work_no"], na[0]["reason"], na[0]["agent_now"]),
                         ("8104", "busy", "ready"))
        kinds = self.kinds(call)
        self.assertLess(kinds.index("no_answer"), kinds.index("connected"))

    def test_caller_hangs_up_first(self):
        phone = self.agent("8102", "127.0.7.2", "agent_answer_wait.xml")
        ids = self.caller("127.0.7.120", None, "caller_hangup.xml", "-d", "3000").wait()
        phone.wait()
        call = self.call_of(ids[0])
        self.assertEqual(call["route"], "tech_service")
        self.assertEqual(self.events(call, "digit"), [{"digit": "2", "via": "info"}])
        self.assertEqual(call["agent_id"], self.person("8102"))
        self.assertEqual(call["hangup_first"], "caller")
        self.assertEqual(call["ended_by"], "caller")
        self.assertIsNone(call["survey"])
        self.assertNotIn("agent_hangup", self.kinds(call))
        self.assertFalse(call["metrics"]["agent_hung_up_first"])


if __name__ == "__main__":
    unittest.main()
