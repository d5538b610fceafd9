"""Calls through the queue to agents' phones (issue 5): offering, bridging,
hold, transfer, who hung up, the satisfaction survey (CALL-3), compliance
metrics (CALL-2/4/5/6), no-answer hand-over, abandoned calls and callback
requests after the maximum wait.

Callers are the Python phones of test_ivr.py; agents' phones are Python
SIP user agents that register with digest auth (test_sip.py's Phone) and
answer INVITEs from kefu. Prompts are 60 ms tones written by this test
(a real prompt lasts seconds), so calls move quickly; music on hold is a
longer tone, so it can be told apart."""
import math
import os
import re
import secrets
import socket
import sqlite3
import struct
import subprocess
import tempfile
import time
import wave

from apihelp import log_out_agent
from harness import KefuTestCase
from test_ivr import Caller, HOTLINE, Msg
from test_acd import sql
from test_sip import Phone

PROMPT_KEYS = """welcome menu invalid no_input transfer to_agent out_of_hours queue_busy queue_ahead
queue_people wait_expected wait_minutes wait_under num_many callback_offer callback_number
callback_done hold survey survey_thanks goodbye""".split() + [f"num_{i}" for i in range(1, 21)]


def short_prompts(d=None):
    """Short prompts in d (a new temporary directory when None: the caller removes it)."""
    d = d or tempfile.mkdtemp(prefix="kefu-hotline-prompts-")
    for key in PROMPT_KEYS + ["moh"]:
        n = 8000 if key == "moh" else 480  # music 1 s, prompts 60 ms
        freq = 300 if key == "moh" else 1000
        with wave.open(os.path.join(d, f"{key}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * freq * i / 8000)))
                                   for i in range(n)))
    return d


def sdp(ip, port, fmts, direction="sendrecv"):
    pts = " ".join(str(pt) for pt, _ in fmts)
    lines = ["v=0", f"o=agent 1 1 IN IP4 {ip}", "s=-", f"c=IN IP4 {ip}", "t=0 0",
             f"m=audio {port} RTP/AVP {pts}"]
    lines += [f"a=rtpmap:{pt} {name}/8000" for pt, name in fmts]
    lines.append(f"a={direction}")
    return "\r\n".join(lines) + "\r\n"


def rtp(pt, seq, ts, ssrc, payload, marker=0):
    return struct.pack("!BBHII", 0x80, (marker << 7) | pt, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + payload


class AgentPhone(Phone):
    """An agent's phone: registers, then answers (or not) kefu's INVITEs."""

    def __init__(self, server_port, ip, work_no, password):
        super().__init__(server_port, ip)
        self.work_no = work_no
        self.password = password
        self.rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rtp.bind((ip, 0))
        self.rtp_port = self.rtp.getsockname()[1]
        self.invite = None
        self.local_tag = secrets.token_hex(4)
        self.kefu_media = None
        self.cseq_out = 100

    def close(self):
        super().close()
        self.rtp.close()

    def start(self):
        r = self.register(self.work_no, self.password)
        assert r is not None and r.code == 200, r and r.status_line

    def recv_msg(self, timeout=5.0):
        self.sock.settimeout(timeout)
        try:
            data, _ = self.sock.recvfrom(65536)
        except socket.timeout:
            return None
        return Msg(data)

    def wait_request(self, method, timeout=10.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self.recv_msg(max(0.05, deadline - time.time()))
            if m and m.method == method:
                return m
            if m and m.method in ("BYE", "CANCEL", "NOTIFY") and method != m.method:
                self.reply(m, 200)
        return None

    def reply(self, req, code, reason="OK", body="", extra=()):
        lines = [f"SIP/2.0 {code} {reason}"]
        for n, v in req.headers:
            if n in ("via", "from", "call-id", "cseq"):
                lines.append(f"{n.title()}: {v}")
            elif n == "to":
                lines.append(f"To: {v}" + ("" if "tag=" in v or code == 100 else f";tag={self.local_tag}"))
        lines.append(f"Contact: <sip:{self.work_no}@{self.ip}:{self.port}>")
        lines += list(extra)
        if body:
            lines.append("Content-Type: application/sdp")
        lines.append(f"Content-Length: {len(body.encode())}")
        self.sock.sendto(("\r\n".join(lines) + "\r\n\r\n" + body).encode(),
                         self.server)

    def ring(self, timeout=10.0):
        self.invite = self.wait_request("INVITE", timeout)
        assert self.invite is not None, f"{self.work_no}: no INVITE"
        self.reply(self.invite, 180, "Ringing")
        body = self.invite.body
        ip = re.search(r"c=IN IP4 (\S+)", body).group(1)
        port = int(re.search(r"m=audio (\d+) ", body).group(1))
        self.kefu_media = (ip, port)
        return self.invite

    def answer(self, fmts=((0, "PCMU"),)):
        self.fmts = fmts
        self.reply(self.invite, 200, "OK", sdp(self.ip, self.rtp_port, fmts))
        ack = self.wait_request("ACK")
        assert ack is not None, "no ACK"
        self.remote_tag = re.search(r"tag=([^;>\s]+)", self.invite.get("from")).group(1)
        self.kefu_contact = re.search(r"<([^>]+)>", self.invite.get("contact")).group(1)

    def request(self, method, extra=(), body=""):
        """A request inside the dialog kefu opened (to kefu, from the phone)."""
        self.cseq_out += 1
        lines = [f"{method} {self.kefu_contact} SIP/2.0",
                 f"Via: SIP/2.0/UDP {self.ip}:{self.port};branch=z9hG4bK{secrets.token_hex(6)};rport",
                 f"From: {self.invite.get('to')};tag={self.local_tag}"
                 if "tag=" not in self.invite.get("to") else f"From: {self.invite.get('to')}",
                 f"To: {self.invite.get('from')}",
                 f"Call-ID: {self.invite.get('call-id')}",
                 f"CSeq: {self.cseq_out} {method}",
                 f"Contact: <sip:{self.work_no}@{self.ip}:{self.port}>",
                 "Max-Forwards: 70", *extra]
        if body:
            lines.append("Content-Type: application/sdp")
        lines.append(f"Content-Length: {len(body.encode())}")
        self.sock.sendto(("\r\n".join(lines) + "\r\n\r\n" + body).encode(), self.server)
        deadline = time.time() + 5
        while time.time() < deadline:
            m = self.recv_msg(1.0)
            if m and m.is_response and m.get("cseq", "").endswith(method) and m.code >= 200:
                if method == "INVITE":
                    self.request_ack(m)
                return m
            if m and m.method == "NOTIFY":
                self.reply(m, 200)
        raise AssertionError(f"no answer to {method}")

    def request_ack(self, resp):
        lines = [f"ACK {self.kefu_contact} SIP/2.0",
                 f"Via: SIP/2.0/UDP {self.ip}:{self.port};branch=z9hG4bK{secrets.token_hex(6)};rport",
                 f"From: {resp.get('from')}", f"To: {resp.get('to')}",
                 f"Call-ID: {resp.get('call-id')}", f"CSeq: {self.cseq_out} ACK",
                 "Max-Forwards: 70", "Content-Length: 0"]
        self.sock.sendto(("\r\n".join(lines) + "\r\n\r\n").encode(), self.server)

    def hold(self, on):
        d = "sendonly" if on else "sendrecv"
        return self.request("INVITE", body=sdp(self.ip, self.rtp_port, self.fmts, d))

    def send_audio(self, count, pt=0, byte=0x55, ptime=20):
        ssrc = 0xA6E47
        for i in range(count):
            self.rtp.sendto(rtp(pt, i, i * 8 * ptime, ssrc, bytes([byte]) * (8 * ptime)), self.kefu_media)

    def packets(self, count, timeout=3.0):
        out = []
        self.rtp.settimeout(timeout)
        try:
            while len(out) < count:
                data, _ = self.rtp.recvfrom(2048)
                out.append(data)
        except socket.timeout:
            pass
        return out


def caller_packets(c, count, timeout=3.0):
    out = []
    c.rtp.settimeout(timeout)
    try:
        while len(out) < count:
            data, _ = c.rtp.recvfrom(2048)
            out.append(data)
    except socket.timeout:
        pass
    return out


def drain(sock, seconds=0.1):
    """Discards what has arrived; a stream that goes on is read for `seconds`."""
    sock.settimeout(0.05)
    end = time.time() + seconds
    try:
        while time.time() < end:
            sock.recvfrom(2048)
    except socket.timeout:
        pass


class HotlineCase(KefuTestCase):
    server_env = {"KEFU_SIP_LISTEN": "127.0.0.1:0", "KEFU_RING_TIMEOUT_SEC": "3",
                  "KEFU_WRAP_UP_SEC": "0"}
    password = "Phone-pass-2026"

    @classmethod
    def setUpClass(cls):
        # Issue 12 item 27: both are removed when the class ends.
        cls.prompts = short_prompts(cls.class_temp_dir("kefu-hotline-prompts-"))
        cls.recordings = cls.class_temp_dir("kefu-hotline-rec-")
        cls.server_env = dict(cls.server_env, KEFU_PROMPTS_DIR=cls.prompts,
                              KEFU_RECORDINGS_DIR=cls.recordings)
        super().setUpClass()
        cls.sip_port = cls.srv.sip_port()
        cls.manager = cls.srv.login("8001")
        cls.tokens = {}

    def token(self, work_no):
        if work_no not in self.tokens:
            self.tokens[work_no] = self.srv.login(work_no)
        return self.tokens[work_no]

    def agent(self, work_no, ip, ready=True):
        st, body, _ = self.srv.call("POST", "/api/me/sip-password", {"password": self.password},
                                    token=self.token(work_no))
        self.assertEqual(st, 200, body)
        p = AgentPhone(self.sip_port, ip, work_no, self.password)
        self.addCleanup(p.close)
        p.start()
        if ready:
            self.set_status(work_no, "ready")
        return p

    def set_status(self, work_no, status, reason=None):
        body = {"status": status}
        if reason:
            body["reason"] = reason
        st, b, _ = self.srv.call("POST", "/api/acd/me/status", body, token=self.token(work_no))
        self.assertIn(st, (200,), b)

    def log_out(self, work_no):
        log_out_agent(self.srv, self.token(work_no))

    def status(self, work_no):
        st, body, _ = self.srv.call("GET", "/api/acd/me", token=self.token(work_no))
        self.assertEqual(st, 200, body)
        return body

    def caller(self, ip):
        c = Caller(self.sip_port, ip)
        self.addCleanup(c.close)
        return c

    def call(self, sip_call_id, until=None, timeout=10):
        """The call with that Call-ID once it has the event `until` (or has ended)."""
        deadline = time.time() + timeout
        while True:
            st, body, _ = self.srv.call("GET", "/api/calls", token=self.manager)
            found = [c for c in body["items"] if c["sip_call_id"] == sip_call_id]
            if found:
                st, one, _ = self.srv.call("GET", f"/api/calls/{found[0]['id']}", token=self.manager)
                kinds = [e["kind"] for e in one["events"]]
                if (until in kinds) if until else one["ended_at"]:
                    return one
            if time.time() > deadline:
                self.fail(f"call {sip_call_id}: no {until or 'end'}: {found}")
            time.sleep(0.05)

    def events(self, call, kind):
        return [e["detail"] for e in call["events"] if e["kind"] == kind]

    def no_call(self, work_no, timeout=5):
        """Whether the person's screen-pop becomes empty within timeout."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.my_call(work_no, timeout=0) is None:
                return True
            time.sleep(0.05)
        return False

    def my_call(self, work_no, connected=None, timeout=5):
        """GET /api/me/call for the person (the screen-pop): the call, once
        it is there (connected or not, when asked), or None."""
        deadline = time.time() + timeout
        while True:
            st, body, _ = self.srv.call("GET", "/api/me/call", token=self.token(work_no))
            self.assertEqual(st, 200, body)
            c = body["call"]
            if c and (connected is None or (c["mine"] == "talking") == connected):
                return c
            if time.time() > deadline:
                return c
            time.sleep(0.05)


class Bridge(HotlineCase):
    def test_answered_call_relayed_held_rated_and_measured(self):
        phone = self.agent("8103", "127.0.1.3")
        c = self.caller("127.0.1.103")
        self.assertEqual(c.invite().code, 200)
        self.assertEqual(c.info("1"), 200)  # 业务咨询 → market_consult (ORG-2)
        inv = phone.ring()
        self.assertIn("13900139000", inv.get("from"))
        self.assertIn("PCMA", inv.body)
        self.assertIn("PCMU", inv.body)
        # Ringing: the agent's status and the screen-pop.
        self.assertEqual(self.status("8103")["status"], "ringing")
        st, pop, _ = self.srv.call("GET", "/api/me/call", token=self.token("8103"))
        self.assertEqual(st, 200, pop)
        self.assertEqual(pop["call"]["caller"], "139****9000")
        self.assertEqual(pop["call"]["queue"], "market_consult")
        st, notes, _ = self.srv.call("GET", "/api/notifications", token=self.token("8103"))
        self.assertTrue(any(n["kind"] == "call.offer" and "139****9000" in n["text"]
                            for n in notes["items"]), notes)
        time.sleep(0.3)
        phone.answer(((0, "PCMU"),))
        call = self.call(c.call_id, "connected")
        self.assertEqual(self.status("8103")["status"], "talking")
        self.assertEqual(call["outcome"], "answered")
        self.assertEqual(call["queue"], "market_consult")
        self.assertIsNotNone(call["connected_at"])
        self.assertGreaterEqual(call["connected_at"] - call["queued_at"], 0)
        contact_id = call["contact_id"]
        self.assertIsNotNone(contact_id)
        # Relay: the caller's PCMA reaches the agent as PCMU, and back.
        drain(c.rtp)
        drain(phone.rtp)
        ip, port = c.kefu_rtp()
        for i in range(10):
            c.rtp.sendto(rtp(8, i, i * 160, 0xC411E7, bytes([0xD5]) * 160), (ip, port))
        got = phone.packets(10)
        self.assertEqual(len(got), 10)
        self.assertEqual({p[1] & 0x7F for p in got}, {0})
        self.assertEqual({len(p) for p in got}, {172})
        # A-law 0xD5 (+8) is μ-law 0xFF (0) after transcoding: near silence either way.
        self.assertTrue(all(b in (0xFF, 0x7F, 0xFE) for b in got[0][12:]), got[0][12:20])
        seqs = [struct.unpack("!H", p[2:4])[0] for p in got]
        self.assertEqual([(b - a) % 65536 for a, b in zip(seqs, seqs[1:])], [1] * 9)
        phone.send_audio(10, pt=0, byte=0xFF, ptime=30)  # 30 ms packets pass as they are
        back = [p for p in caller_packets(c, 10) if len(p) == 12 + 240]
        self.assertGreaterEqual(len(back), 8)
        self.assertEqual({p[1] & 0x7F for p in back}, {8})
        # Hold (CALL-4): music to the caller, then resume.
        self.assertEqual(phone.hold(True).code, 200)
        drain(c.rtp)
        moh = caller_packets(c, 5)
        self.assertEqual(len(moh), 5)
        time.sleep(0.5)
        self.assertEqual(phone.hold(False).code, 200)
        # The agent hangs up: the survey, the caller presses 4 (CALL-3).
        self.assertEqual(phone.request("BYE").code, 200)
        self.call(c.call_id, "agent_hangup")
        time.sleep(0.2)
        self.assertEqual(c.info("4"), 200)
        self.assertTrue(c.wait_bye(timeout=10), "kefu did not hang up after the survey")
        call = self.call(c.call_id)
        self.assertEqual(call["survey"], 4)
        self.assertEqual(call["hangup_first"], "agent")
        m = call["metrics"]
        self.assertEqual(m["hold_count"], 1)
        self.assertGreaterEqual(m["hold_total_ms"], 400)
        self.assertEqual(m["holds_over_15s"], 0)
        self.assertFalse(m["hold_over_2min"])
        self.assertTrue(m["agent_hung_up_first"])  # CALL-5 flagged
        self.assertEqual(m["rings"], 1)
        self.assertTrue(m["call2_ok"])
        self.assertTrue(m["silent_call"])  # the caller sent only silence (CALL-6)
        kinds = [e["kind"] for e in call["events"] if e["kind"] != "announce"]
        for k in ("queued", "offered", "connected", "hold", "resume", "agent_hangup", "survey",
                  "ended"):
            self.assertIn(k, kinds)
        self.assertLess(kinds.index("queued"), kinds.index("offered"))
        self.assertLess(kinds.index("offered"), kinds.index("connected"))
        self.assertEqual(self.events(call, "survey"), [{"digit": 4}])
        # The contact the call became: the agent's, the caller's number, rated 4.
        st, contact, _ = self.srv.call("GET", f"/api/contacts/{contact_id}", token=self.manager)
        self.assertEqual(st, 200, contact)
        self.assertEqual(contact["satisfaction"], 4)
        self.assertEqual(contact["channel"], "phone")
        self.assertEqual(contact["phone"], "139****9000")
        self.assertEqual(contact["call_id"], call["id"])
        # CALL-10: the conversation's end, from the connection plus the talk time.
        self.assertAlmostEqual(contact["ended_at"] - contact["started_at"], m["talk_ms"],
                               delta=1000)
        # The compliance metrics are read with the contact (CALL-2/4/5/6).
        self.assertEqual(contact["call_metrics"]["hold_count"], 1)
        self.assertTrue(contact["call_metrics"]["agent_hung_up_first"])
        self.assertEqual(self.status("8103")["status"], "ready")  # wrap-up 0 s
        # The recording: stereo, 8 kHz, as long as the conversation, linked to the call.
        call = self.call(c.call_id, "recorded")
        self.assertTrue(call["recording"])
        st, headers, wav = self.srv.raw("GET", f"/api/calls/{call['id']}/recording", None,
                                        {"Authorization": "Bearer " + self.manager})
        self.assertEqual(st, 200)
        import io
        with wave.open(io.BytesIO(wav)) as w:
            self.assertEqual((w.getnchannels(), w.getframerate(), w.getsampwidth()), (2, 8000, 2))
            secs = w.getnframes() / 8000
        self.assertAlmostEqual(secs * 1000, call["recording_ms"], delta=50)
        self.assertGreater(secs, 0.8)  # relay, hold of 0.5 s, ...
        self.assertLess(secs, m["talk_ms"] / 1000 + 1.0)
        self.assertIn("dead_air_count", call["metrics"])
        self.assertIn("talk_over_count", call["metrics"])
        # Another agent may not play it (ACT_CALL_RECORDING: own calls only).
        st, _, _ = self.srv.call("GET", f"/api/calls/{call['id']}/recording",
                                 token=self.token("8101"))
        self.assertEqual(st, 403)

    def test_caller_hangs_up_first(self):
        phone = self.agent("8104", "127.0.1.4")
        c = self.caller("127.0.1.104")
        self.assertEqual(c.invite().code, 200)
        self.assertEqual(c.info("1"), 200)
        phone.ring()
        phone.answer(((8, "PCMA"),))
        self.call(c.call_id, "connected")
        self.assertEqual(c.bye(), 200)
        self.assertIsNotNone(phone.wait_request("BYE"), "kefu did not hang up the agent")
        call = self.call(c.call_id)
        self.assertEqual(call["hangup_first"], "caller")
        self.assertFalse(call["metrics"]["agent_hung_up_first"])
        self.assertIsNone(call["survey"])
        self.log_out("8104")


class NoAnswer(HotlineCase):
    def test_unanswered_offer_moves_on_and_repeats_set_busy(self):
        slow = self.agent("8106", "127.0.2.6")
        # 8106 has been ready longer: longest-idle offers to them first.
        time.sleep(0.05)
        quick = self.agent("8104", "127.0.2.4")
        c = self.caller("127.0.2.106")
        self.assertEqual(c.invite().code, 200)
        self.assertEqual(c.info("1"), 200)
        slow.ring()
        # No answer within ring_timeout_sec (3 s): CANCEL, then the next agent.
        self.assertIsNotNone(slow.wait_request("CANCEL", timeout=6))
        quick.ring(timeout=6)
        quick.answer()
        call = self.call(c.call_id, "connected")
        na = self.events(call, "no_answer")
        self.assertEqual(na[0]["work_no"], "8106")
        self.assertEqual(na[0]["reason"], "ring_timeout")
        self.assertEqual(self.events(call, "connected")[0]["work_no"], "8104")
        self.assertEqual(self.status("8106")["status"], "ready")  # one miss: still ready
        self.assertEqual(c.bye(), 200)
        self.call(c.call_id)
        # A second miss in a row: 8106 is set busy with reason no_answer.
        self.log_out("8104")
        d = self.caller("127.0.2.107")
        self.assertEqual(d.invite().code, 200)
        self.assertEqual(d.info("1"), 200)
        slow.ring()
        self.assertIsNotNone(slow.wait_request("CANCEL", timeout=6))
        deadline = time.time() + 5
        while self.status("8106")["status"] != "busy" and time.time() < deadline:
            time.sleep(0.1)
        st = self.status("8106")
        self.assertEqual((st["status"], st["reason"]), ("busy", "no_answer"))
        self.assertEqual(d.bye(), 200)
        call = self.call(d.call_id)
        self.assertEqual(call["outcome"], "abandoned")
        ab = self.events(call, "abandoned")
        self.assertEqual(ab[0]["reason"], "caller_hangup")
        self.assertEqual(ab[0]["queue"], "market_consult")

    def test_declined_offer(self):
        phone = self.agent("8101", "127.0.2.1")
        c = self.caller("127.0.2.101")
        self.assertEqual(c.invite().code, 200)
        self.assertEqual(c.info("2"), 200)  # tech_service
        inv = phone.ring()
        phone.reply(inv, 486, "Busy Here")
        call = self.call(c.call_id, "no_answer")
        self.assertEqual(self.events(call, "no_answer")[0]["reason"], "busy")
        self.assertEqual(c.bye(), 200)
        self.log_out("8101")


class Queue(HotlineCase):
    def test_waiting_caller_hears_position_and_music(self):
        c = self.caller("127.0.3.101")
        self.assertEqual(c.invite().code, 200)
        self.assertEqual(c.info("2"), 200)
        call = self.call(c.call_id, "announce", timeout=8)
        ann = self.events(call, "announce")[0]
        self.assertEqual(ann["position"], 1)
        self.assertGreater(ann["expected_wait_sec"], 0)
        self.assertEqual(call["outcome"], None)
        self.assertIsNone(call["connected_at"])
        self.assertEqual(c.bye(), 200)
        call = self.call(c.call_id)
        self.assertEqual(call["outcome"], "abandoned")


class Transfer(HotlineCase):
    def test_blind_transfer_to_a_colleague(self):
        first = self.agent("8103", "127.0.4.3")
        second = self.agent("8102", "127.0.4.2", ready=False)
        c = self.caller("127.0.4.103")
        self.assertEqual(c.invite().code, 200)
        self.assertEqual(c.info("1"), 200)
        first.ring()
        first.answer()
        self.call(c.call_id, "connected")
        self.set_status("8102", "ready")
        r = first.request("REFER", [f"Refer-To: <sip:8102@127.0.0.1>",
                                    "Referred-By: <sip:8103@127.0.0.1>"])
        self.assertEqual(r.code, 202)
        self.assertIsNotNone(first.wait_request("BYE"), "the transferring leg was not ended")
        # The call goes on, still naming the first agent until it is offered
        # again, but it is not on their desk any more: their part has ended.
        self.assertTrue(self.no_call("8103"), self.my_call("8103", timeout=0))
        second.ring()
        # Ringing for the second agent, though answered once already.
        pop = self.my_call("8102", connected=False)
        self.assertEqual((pop["mine"], pop["sip_call_id"]), ("ringing", c.call_id))
        self.assertIsNotNone(pop["connected_at"])
        second.answer()
        self.assertEqual(self.my_call("8102", connected=True)["mine"], "talking")
        call = self.call(c.call_id, "transferred")
        call = self.call(c.call_id, "connected")
        conn = self.events(call, "connected")
        deadline = time.time() + 5
        while len(conn) < 2 and time.time() < deadline:
            time.sleep(0.1)
            call = self.call(c.call_id, "connected")
            conn = self.events(call, "connected")
        self.assertEqual([x["work_no"] for x in conn], ["8103", "8102"])
        self.assertEqual(self.events(call, "transferred")[0]["to"], "8102")
        self.assertEqual(call["agent_id"], self.status("8102")["person_id"])
        self.assertEqual(c.bye(), 200)
        self.call(c.call_id)


class Strategies(HotlineCase):
    """ORG-2 queues: ring_all and round_robin (longest_idle is NoAnswer's)."""

    def test_ring_all_rings_everyone_and_the_first_answer_wins(self):
        sql(self.srv, "UPDATE acd_queue SET strategy = 'ring_all' WHERE code = 'tech_service'")
        one = self.agent("8101", "127.0.5.1")
        two = self.agent("8102", "127.0.5.2")
        c = self.caller("127.0.5.101")
        self.assertEqual(c.invite().code, 200)
        self.assertEqual(c.info("2"), 200)
        one.ring()
        two.ring()
        # The screen-pop on both desks while both ring, though the call names one.
        pops = [self.my_call(w, connected=False) for w in ("8101", "8102")]
        self.assertTrue(all(pops), pops)
        self.assertEqual(pops[0]["id"], pops[1]["id"])
        self.assertEqual(pops[0]["sip_call_id"], c.call_id)
        two.answer()
        self.assertIsNotNone(one.wait_request("CANCEL"), "the other phone kept ringing")
        call = self.call(c.call_id, "connected")  # logged after the other offers end
        self.assertEqual(self.events(call, "connected")[0]["work_no"], "8102")
        cancelled = self.events(call, "offer_cancelled")
        self.assertEqual((cancelled[0]["work_no"], cancelled[0]["reason"]),
                         ("8101", "answered_elsewhere"))
        self.assertEqual(self.status("8101")["status"], "ready")
        self.assertEqual(self.status("8102")["status"], "talking")
        self.assertTrue(self.no_call("8101"), self.my_call("8101", timeout=0))
        self.assertEqual(self.my_call("8102", connected=True)["mine"], "talking")
        self.assertEqual(c.bye(), 200)
        self.call(c.call_id)
        for w in ("8101", "8102"):
            self.log_out(w)

    def test_round_robin_takes_turns(self):
        sql(self.srv, "UPDATE acd_queue SET strategy = 'round_robin' WHERE code = 'market_consult'")
        phones = {w: self.agent(w, f"127.0.6.{i}") for i, w in enumerate(("8103", "8104", "8106"), 1)}
        ids = {w: self.status(w)["person_id"] for w in phones}
        order = sorted(phones, key=lambda w: ids[w])
        got = []
        for n in range(4):
            c = self.caller(f"127.0.6.{101 + n}")
            self.assertEqual(c.invite().code, 200)
            self.assertEqual(c.info("1"), 200)
            call = self.call(c.call_id, "offered")
            w = self.events(call, "offered")[0]["work_no"]
            got.append(w)
            phones[w].ring()
            phones[w].answer()
            self.call(c.call_id, "connected")
            self.assertEqual(c.bye(), 200)
            self.assertIsNotNone(phones[w].wait_request("BYE"))
            self.call(c.call_id)
            deadline = time.time() + 3
            while self.status(w)["status"] != "ready" and time.time() < deadline:
                time.sleep(0.05)
        self.assertEqual(got, order + order[:1], got)


class ListenIn(HotlineCase):
    """A supervisor dials *1 + an agent's work number and hears the call."""

    def invite_listen(self, phone, work_no, agent_no):
        def msg(cseq, extra=()):
            lines = [f"INVITE sip:*1{agent_no}@127.0.0.1 SIP/2.0",
                     f"Via: SIP/2.0/UDP {phone.ip}:{phone.port};branch=z9hG4bK{secrets.token_hex(6)};rport",
                     f"From: <sip:{work_no}@127.0.0.1>;tag={tag}", f"To: <sip:*1{agent_no}@127.0.0.1>",
                     f"Call-ID: {call_id}", f"CSeq: {cseq} INVITE",
                     f"Contact: <sip:{work_no}@{phone.ip}:{phone.port}>", "Max-Forwards: 70",
                     *extra, "Content-Type: application/sdp"]
            body = sdp(phone.ip, phone.rtp_port, ((8, "PCMA"),))
            lines.append(f"Content-Length: {len(body)}")
            return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()

        tag, call_id = secrets.token_hex(4), secrets.token_hex(8)
        phone.sock.sendto(msg(1), phone.server)
        first = None
        while first is None or first.code < 200 or not first.get("cseq", "").startswith("1 "):
            first = phone.recv_msg()
            assert first is not None
        if first.code != 401:
            return first
        challenge = dict(re.findall(r'(\w+)="?([^",]*)"?', first.get("www-authenticate")[7:]))
        auth = phone.authorization(challenge, work_no, self.password, method="INVITE",
                                   uri=f"sip:*1{agent_no}@127.0.0.1")
        phone.sock.sendto(msg(2, [auth]), phone.server)
        while True:
            m = phone.recv_msg()
            assert m is not None
            if m.is_response and m.code >= 200 and m.get("cseq", "").startswith("2 "):
                break
        if m.code < 300:
            contact = re.search(r"<([^>]+)>", m.get("contact")).group(1)
            ack = [f"ACK {contact} SIP/2.0",
                   f"Via: SIP/2.0/UDP {phone.ip}:{phone.port};branch=z9hG4bK{secrets.token_hex(6)};rport",
                   f"From: <sip:{work_no}@127.0.0.1>;tag={tag}", f"To: {m.get('to')}",
                   f"Call-ID: {call_id}", "CSeq: 2 ACK", "Max-Forwards: 70", "Content-Length: 0"]
            phone.sock.sendto(("\r\n".join(ack) + "\r\n\r\n").encode(), phone.server)
        return m

    def test_supervisor_hears_both_sides_and_others_may_not(self):
        agent = self.agent("8103", "127.0.7.3")
        c = self.caller("127.0.7.103")
        self.assertEqual(c.invite().code, 200)
        self.assertEqual(c.info("1"), 200)
        agent.ring()
        agent.answer(((8, "PCMA"),))
        self.call(c.call_id, "connected")
        sup = self.agent("8002", "127.0.7.2", ready=False)
        r = self.invite_listen(sup, "8002", "8103")
        self.assertEqual(r.code, 200, r.first)
        self.assertIn("a=sendonly", r.body)
        media = (re.search(r"c=IN IP4 (\S+)", r.body).group(1),
                 int(re.search(r"m=audio (\d+) ", r.body).group(1)))
        self.assertTrue(media[1] > 0)
        # The caller speaks (a loud A-law byte): the supervisor hears it.
        ip, port = c.kefu_rtp()
        for i in range(25):
            c.rtp.sendto(rtp(8, i, i * 160, 0xC411E7, bytes([0xAA]) * 160), (ip, port))
            time.sleep(0.02)
        heard = sup.packets(40)
        self.assertGreater(len(heard), 10)
        self.assertTrue(any(set(p[12:]) - {0xD5, 0x55} for p in heard), "only silence heard")
        call = self.call(c.call_id, "listen")
        self.assertEqual(self.events(call, "listen")[0]["work_no"], "8002")
        st, audit, _ = self.srv.call("GET", "/api/audit?action=call.listen", token=self.manager)
        self.assertEqual(st, 200, audit)
        self.assertTrue(any(e["outcome"] == "ok" for e in audit["items"]), audit)
        # An agent may not listen in (ACT_ACD_MANAGE): 403, audited.
        other = self.agent("8101", "127.0.7.1", ready=False)
        self.assertEqual(self.invite_listen(other, "8101", "8103").code, 403)
        # Nobody on a call: 404.
        self.assertEqual(self.invite_listen(sup, "8002", "8104").code, 404)
        self.assertEqual(c.bye(), 200)
        self.assertIsNotNone(sup.wait_request("BYE"), "the listener was not hung up")
        self.call(c.call_id)


class MaxWait(HotlineCase):
    def test_caller_leaves_a_number_after_the_maximum_wait(self):
        sql(self.srv, "UPDATE acd_queue SET max_wait_sec = 10 WHERE code = 'tech_service'")
        c = self.caller("127.0.8.101")
        self.assertEqual(c.invite().code, 200)
        self.assertEqual(c.info("2"), 200)
        self.call(c.call_id, "max_wait", timeout=20)
        self.assertEqual(c.info("1"), 200)
        for d in "13812345678#":
            self.assertEqual(c.info(d), 200)
        self.assertTrue(c.wait_bye(timeout=10), "no goodbye after the number")
        call = self.call(c.call_id)
        self.assertEqual(call["outcome"], "callback")
        cb = self.events(call, "callback")[0]
        self.assertEqual((cb["digits"], cb["own_number"]), (11, False))
        out = subprocess.run(["sqlite3", self.srv.db,
                              f"SELECT phone, queue, state FROM acd_callback WHERE id = {cb['callback_id']}"],
                             capture_output=True, text=True, check=True).stdout.strip()
        self.assertEqual(out, "13812345678|tech_service|open")

    def test_pressing_2_keeps_waiting(self):
        sql(self.srv, "UPDATE acd_queue SET max_wait_sec = 10 WHERE code = 'market_consult'")
        c = self.caller("127.0.8.102")
        self.assertEqual(c.invite().code, 200)
        self.assertEqual(c.info("1"), 200)
        self.call(c.call_id, "max_wait", timeout=20)
        self.assertEqual(c.info("2"), 200)
        # Still in the queue: an agent who becomes ready gets the call.
        phone = self.agent("8104", "127.0.8.4")
        phone.ring()
        phone.answer()
        call = self.call(c.call_id, "connected")
        self.assertEqual(call["outcome"], "answered")
        self.assertEqual(c.bye(), 200)
        self.call(c.call_id)


class InBand(HotlineCase):
    def test_keys_as_tones_when_the_phone_has_no_telephone_event(self):
        import audioop  # Debian 12's Python 3.11 has it (deprecated, still there)

        from test_ivr import offer
        c = self.caller("127.0.9.101")
        self.assertEqual(c.invite(sdp=offer(c.ip, c.rtp_port, ((8, "PCMA"),))).code, 200)
        self.assertNotIn("telephone-event", c.answer)
        ip, port = c.kefu_rtp()
        amp = 7000  # about -10 dBm0 per tone
        pcm = b"".join(struct.pack("<h", int(amp * math.sin(2 * math.pi * 697 * i / 8000) +
                                             amp * math.sin(2 * math.pi * 1336 * i / 8000)))
                       for i in range(800))  # key 2 for 100 ms
        audio = audioop.lin2alaw(b"\0\0" * 800 + pcm + b"\0\0" * 1600, 2)
        for i in range(len(audio) // 160):
            c.rtp.sendto(rtp(8, i, i * 160, 0x1B0D, audio[i * 160:(i + 1) * 160]), (ip, port))
            time.sleep(0.02)
        call = self.call(c.call_id, "queued")
        self.assertEqual(self.events(call, "digit"), [{"digit": "2", "via": "inband"}])
        self.assertEqual(call["queue"], "tech_service")
        self.assertEqual(c.bye(), 200)
        self.call(c.call_id)


class Recovery(HotlineCase):
    def test_calls_and_agents_left_by_a_killed_process_are_closed(self):
        phone = self.agent("8103", "127.0.10.3")
        c = self.caller("127.0.10.103")
        self.assertEqual(c.invite().code, 200)
        self.assertEqual(c.info("1"), 200)
        phone.ring()
        phone.answer()
        call_id = self.call(c.call_id, "connected")["id"]
        self.srv.restart(crash=True)
        # The new process closes what the old one left when its call engine
        # starts on the SIP thread, which is after HTTP is listening: the test
        # reads the call once kefu says it has done so.
        self.srv.wait_log(r"closed 1 call\(s\) and freed 1 agent\(s\) left by a previous run")
        self.tokens = {}
        self.manager = self.srv.login("8001")
        st, call, _ = self.srv.call("GET", f"/api/calls/{call_id}", token=self.manager)
        self.assertEqual(st, 200, call)
        self.assertIsNotNone(call["ended_at"])
        self.assertEqual(call["outcome"], "answered")
        self.assertEqual(call["events"][-1]["detail"], {"by": "kefu", "reason": "restart"})
        self.assertEqual(self.status("8103")["status"], "ready")
