"""What the people on a bridged hotline call hear and what is kept of it
(issue 11): the recording holds the audio both sides sent, each on its own
channel and in time; kefu's RTP stays continuous across hold and resume;
a caller's own hold is answered as RFC 3264 asks and measured (CALL-4);
CALL-2's ring time runs from the first offer to the answer.

Callers and agents' phones are the Python phones of test_hotline.py. Here
they send real audio: 20 ms G.711 A-law packets paced in real time by a
thread per side, a 440 Hz tone from the caller and a 1000 Hz tone from the
agent in known spans, so every check is about the audio that was sent.
The ring test moves the test clock instead of letting phones ring."""
import io
import math
import os
import re
import socket
import struct
import sys
import threading
import time
import wave

import test_inband_pcap  # its A-law decoder; a module, so its tests do not run here
from test_hotline import HotlineCase, drain, rtp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sip"))
from mkpcap_inband import alaw  # noqa: E402  the encoder src/media/g711.c matches

CALLER_HZ = 440
AGENT_HZ = 1000
AMPLITUDE = 8000  # about -12 dBFS, ordinary speech level
FRAME = 160  # samples in 20 ms


def tone_frame(freq, index):
    """A-law payload of the 20 ms frame number `index` of a continuous tone."""
    return bytes(alaw(int(AMPLITUDE * math.sin(2 * math.pi * freq * (index * FRAME + i) / 8000)))
                 for i in range(FRAME))


SILENCE = bytes([alaw(0)]) * FRAME
# A silence this long in a stream is the hold (1.2 s in the tests), not a
# moment when kefu's threads were starved on a busy machine.
HOLD_GAP = 0.8


class Talker(threading.Thread):
    """Sends 20 ms PCMA packets from sock to addr in real time from t0 for
    `seconds`: the tone during each (start, end) span, silence between.
    A packet whose time has passed (the thread stalled) goes at once, so two
    talkers given one t0 stay aligned. t0 None starts when the thread runs,
    as a phone starts its stream: a thread that starts late on a busy
    machine then sends no backlog of packets at once, which kefu would relay
    as a burst ahead of the clock."""

    def __init__(self, sock, addr, freq, spans, seconds, t0, ssrc):
        super().__init__(daemon=True)
        self.sock, self.addr, self.freq, self.spans = sock, addr, freq, spans
        self.seconds, self.t0, self.ssrc = seconds, t0, ssrc
        self.tone = [tone_frame(freq, i) for i in range(50)]  # the tone repeats every second
        self.sent_at = []  # when each packet went (time.time())

    def run(self):
        if self.t0 is None:
            self.t0 = time.time()
        for i in range(int(self.seconds * 50)):
            at = self.t0 + i * 0.02
            delay = at - time.time()
            if delay > 0:
                time.sleep(delay)
            self.sent_at.append(time.time())
            t = i * 0.02
            on = any(s <= t < e for s, e in self.spans)
            payload = self.tone[i % 50] if on else SILENCE
            try:
                self.sock.sendto(rtp(8, 1000 + i, 50000 + i * FRAME, self.ssrc, payload), self.addr)
            except OSError:
                return


# Linux's SO_TIMESTAMP (asm-generic/socket.h), which Python does not name.
SO_TIMESTAMP = getattr(socket, "SO_TIMESTAMP", 29)


class Listener(threading.Thread):
    """Collects what arrives on an RTP socket: (arrival, seq, ts, ssrc, payload).

    The arrival is the kernel's receive time of each packet (SO_TIMESTAMP),
    not the moment this thread read it: on a loaded machine the test's own
    threads can stall for longer than kefu's pacing is allowed to drift,
    and it is kefu's timing that is measured."""

    def __init__(self, sock, seconds):
        super().__init__(daemon=True)
        self.sock, self.seconds, self.got = sock, seconds, []

    def run(self):
        end = time.time() + self.seconds
        self.sock.settimeout(0.05)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMP, 1)
        while time.time() < end:
            try:
                data, anc, _, _ = self.sock.recvmsg(2048, socket.CMSG_SPACE(16))
            except socket.timeout:
                continue
            except OSError:
                return
            at = time.time()
            for level, kind, value in anc:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMP and len(value) >= 16:
                    sec, usec = struct.unpack("qq", value[:16])
                    at = sec + usec / 1e6
            _, _, seq, ts, ssrc = struct.unpack("!BBHII", data[:12])
            self.got.append((at, seq, ts, ssrc, data[12:]))


def goertzel(x, freq):
    """The power of one frequency in x, per sample squared (a sine of peak A gives A²/4)."""
    w = 2 * math.pi * freq / 8000
    c = 2 * math.cos(w)
    s1 = s2 = 0.0
    for v in x:
        s1, s2 = v + c * s1 - s2, s1
    return (s1 * s1 + s2 * s2 - c * s1 * s2) / len(x) ** 2


def zero_crossing_hz(x):
    crossings = sum(1 for a, b in zip(x, x[1:]) if (a < 0) != (b < 0))
    return crossings * 8000 / (2 * len(x))


def rms(x):
    return math.sqrt(sum(v * v for v in x) / len(x)) if x else 0.0


def loud_spans(x):
    """The spans (start, end) in seconds of 20 ms frames louder than -40 dBFS;
    a pause shorter than the VAD's hangover (300 ms) does not end one."""
    spans, start = [], None
    for f in range(len(x) // FRAME):
        loud = rms(x[f * FRAME:(f + 1) * FRAME]) > 300
        if loud and start is None:
            start = f
        elif not loud and start is not None:
            spans.append([start * 0.02, f * 0.02])
            start = None
    if start is not None:
        spans.append([start * 0.02, len(x) // FRAME * 0.02])
    merged = []
    for s in spans:
        if merged and s[0] - merged[-1][1] < 0.3:
            merged[-1][1] = s[1]
        else:
            merged.append(s)
    return [tuple(s) for s in merged]


class CallMedia(HotlineCase):
    def connect(self, work_no, agent_ip, caller_ip, digit="0"):
        """A caller connected to the agent's phone (PCMA both ways)."""
        phone = self.agent(work_no, agent_ip)
        self.addCleanup(self.leave, work_no)
        c = self.caller(caller_ip)
        self.assertEqual(c.invite().code, 200)
        self.assertEqual(c.info(digit), 200)
        phone.ring()
        phone.answer(((8, "PCMA"),))
        self.call(c.call_id, "connected")
        return c, phone

    def leave(self, work_no):
        """Logs the agent out after the test (a failed test may leave them talking)."""
        self.srv.call("POST", "/api/acd/me/status", {"status": "logged_out"},
                      token=self.token(work_no))

    def reinvite(self, c, direction):
        """A re-INVITE from the caller's phone (its hold or resume): the final answer, ACKed."""
        c.cseq += 1
        body = "\r\n".join(["v=0", f"o=caller 1 {c.cseq} IN IP4 {c.ip}", "s=-",
                            f"c=IN IP4 {c.ip}", "t=0 0", f"m=audio {c.rtp_port} RTP/AVP 8 101",
                            "a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000",
                            f"a={direction}"]) + "\r\n"
        c.send(c.head("INVITE", c.contact, c.to, c.cseq, ["Content-Type: application/sdp"]), body)
        deadline = time.time() + 5
        while time.time() < deadline:
            m = c.recv()
            if m and m.is_response and m.get("cseq", "").endswith("INVITE") and m.code >= 200:
                c.send(c.head("ACK", c.contact, c.to, c.cseq))
                return m
        self.fail("no answer to the re-INVITE")

    # -- defect 1: the recording holds what was said --

    def test_recording_holds_each_sides_audio_in_time_and_the_metrics_match(self):
        c, phone = self.connect("8103", "127.0.3.3", "127.0.3.103")
        t0 = time.time() + 0.1
        # The caller speaks 0-1.5 s and 7.6-8.4 s; the agent 0.5-2.0 s, starting
        # while the caller speaks (talk-over); nobody speaks 2.0-7.6 s (dead air).
        caller = Talker(c.rtp, c.kefu_rtp(), CALLER_HZ, [(0.0, 1.5), (7.6, 8.4)], 8.6, t0,
                        0x11C411E7)
        agent = Talker(phone.rtp, phone.kefu_media, AGENT_HZ, [(0.5, 2.0)], 8.6, t0, 0xA6E47)
        caller.start()
        agent.start()
        caller.join()
        agent.join()
        self.assertEqual(c.bye(), 200)
        call = self.call(c.call_id, "recorded")
        st, _, data = self.srv.raw("GET", f"/api/calls/{call['id']}/recording", None,
                                   {"Authorization": "Bearer " + self.manager})
        self.assertEqual(st, 200)
        with wave.open(io.BytesIO(data)) as w:
            self.assertEqual((w.getnchannels(), w.getframerate(), w.getsampwidth()), (2, 8000, 2))
            raw = w.readframes(w.getnframes())
        both = struct.unpack(f"<{len(raw) // 2}h", raw)
        left, right = list(both[0::2]), list(both[1::2])
        # Each channel holds the speech of its side, in the spans it was sent,
        # on one timeline: every edge of a tone lies where the packet that
        # carried it was sent (sent_at), within the writer's bounds: a leg is
        # placed at most REC_GAP_MS (60) late and REC_AHEAD_MS (120) early,
        # which a stall of this test's sender on a busy machine can use up.
        ls, rs = loud_spans(left), loud_spans(right)
        self.assertEqual(len(ls), 2, ls)
        self.assertEqual(len(rs), 1, rs)
        offsets = []
        for talker, spans in ((caller, ls), (agent, rs)):
            for (start, end), (want_start, want_end) in zip(spans, talker.spans):
                for pos, want in ((start, want_start), (end, want_end)):
                    offsets.append(pos - (talker.sent_at[round(want / 0.02)] - t0))
        self.assertLess(max(offsets) - min(offsets), 0.18 + 0.02, offsets)
        # The tone on each channel is the one its side sent, and only that.
        for chan, spans, hz, other in ((left, ls, CALLER_HZ, AGENT_HZ),
                                       (right, rs, AGENT_HZ, CALLER_HZ)):
            s, e = spans[0]
            part = chan[int((s + 0.1) * 8000):int((e - 0.1) * 8000)]
            # 100 ms windows without a hole (a stall of the sender leaves one).
            frames = [part[i:i + 800] for i in range(0, len(part) - 799, 800)]
            loud = [f for f in frames
                    if all(rms(f[j:j + FRAME]) > 300 for j in range(0, 800, FRAME))]
            self.assertGreaterEqual(len(loud), len(frames) * 0.7)
            self.assertAlmostEqual(sorted(zero_crossing_hz(f) for f in loud)[len(loud) // 2], hz,
                                   delta=hz * 0.03)
            self.assertAlmostEqual(sorted(rms(f) for f in loud)[len(loud) // 2],
                                   AMPLITUDE / math.sqrt(2), delta=AMPLITUDE * 0.05)
            self.assertGreater(goertzel(part, hz), 1000 * goertzel(part, other))
        # Where one side was silent its channel is silent: nothing leaks across.
        for quiet in (left[int((ls[0][1] + 0.05) * 8000):int((ls[1][0] - 0.05) * 8000)],
                      left[int((ls[1][1] + 0.05) * 8000):],
                      right[:int((rs[0][0] - 0.05) * 8000)],
                      right[int((rs[0][1] + 0.05) * 8000):]):
            self.assertLess(rms(quiet), 30)
        # The voice-activity metrics measure what was sent, in ms of the file:
        # speech from the VAD's second loud frame (MEDIA_VAD_ONSET) to 300 ms
        # after the last one (MEDIA_VAD_HANGOVER), judged in 20 ms frames.
        m = call["metrics"]
        (c1, c2), (c3, c4), (a1, a2) = [(round(a * 1000), round(b * 1000)) for a, b in ls + rs]
        hang, onset = 300, 20
        last = len(left) * 1000 // 8000  # the caller's last hangover ends with the file
        self.assertAlmostEqual(m["speech_caller_ms"],
                               c2 + hang - (c1 + onset) + min(c4 + hang, last) - (c3 + onset),
                               delta=40)
        self.assertAlmostEqual(m["speech_agent_ms"], a2 + hang - (a1 + onset), delta=40)
        # Talk-over: the agent began while the caller spoke and both went on
        # for over 800 ms, until the caller's speech ended.
        self.assertEqual(m["talk_over_count"], 1, m)
        self.assertAlmostEqual(m["talk_over"][0]["at_ms"], a1 + onset, delta=40)
        self.assertAlmostEqual(m["talk_over"][0]["len_ms"], c2 + hang - (a1 + onset), delta=60)
        # Dead air: from the end of the agent's speech to the caller's next word.
        self.assertEqual(m["dead_air_count"], 1, m)
        self.assertAlmostEqual(m["dead_air"][0]["start_ms"], a2 + hang, delta=40)
        self.assertAlmostEqual(m["dead_air"][0]["len_ms"], c3 + onset - (a2 + hang), delta=60)
        self.assertGreater(m["dead_air"][0]["len_ms"], 5000)
        self.assertFalse(m["silent_call"])  # CALL-6: the caller spoke
        # The speech timeline of the review page (issue 15) finds the same
        # spans on each channel, from the first loud frame to the last.
        st, sp, _ = self.srv.call("GET", f"/api/calls/{call['id']}/speech", token=self.manager)
        self.assertEqual(st, 200, sp)
        for got, want in ((sp["caller"], ls), (sp["agent"], rs)):
            self.assertEqual(len(got), len(want), (got, want))
            for g, (s, e) in zip(got, want):
                self.assertAlmostEqual(g["start_ms"], s * 1000, delta=40)
                self.assertAlmostEqual(g["end_ms"], e * 1000, delta=40)
        # With them the call's own periods: the talk-over and the dead air
        # measured as the recording was written, no holds. The dead air
        # begins when the agent's last span and its hangover end.
        self.assertEqual((sp["talk_over"], sp["dead_air"], sp["holds"]),
                         (m["talk_over"], m["dead_air"], m.get("holds", [])))
        self.assertAlmostEqual(sp["dead_air"][0]["start_ms"], sp["agent"][0]["end_ms"] + hang,
                               delta=20)

    # -- defect 2: the agent still hears the caller after a resume --

    def test_rtp_stays_continuous_across_hold_and_resume(self):
        c, phone = self.connect("8104", "127.0.3.4", "127.0.3.104")
        drain(c.rtp)
        drain(phone.rtp)
        t0 = time.time() + 0.05
        caller = Talker(c.rtp, c.kefu_rtp(), CALLER_HZ, [(0.0, 4.0)], 4.0, t0, 0x11C411E7)
        agent = Talker(phone.rtp, phone.kefu_media, AGENT_HZ, [(0.0, 4.0)], 4.0, t0, 0xA6E47)
        at_agent = Listener(phone.rtp, 4.2)
        at_caller = Listener(c.rtp, 4.2)
        for t in (caller, agent, at_agent, at_caller):
            t.start()
        time.sleep(1.0)
        self.assertEqual(phone.hold(True).code, 200)
        time.sleep(1.2)
        self.assertEqual(phone.hold(False).code, 200)
        for t in (caller, agent, at_agent, at_caller):
            t.join()
        got = at_agent.got
        self.assertGreater(len(got), 60, "the agent heard the caller")
        # The agent hears nothing while holding; then the caller again.
        gaps = [i for i in range(1, len(got)) if got[i][0] - got[i - 1][0] > HOLD_GAP]
        self.assertEqual(len(gaps), 1, "one pause: the hold")
        after = got[gaps[0]:]
        self.assertGreater(len(after), 30, "the agent hears the caller after the resume")
        samples = [test_inband_pcap.alaw_decode(b) for p in after[5:30] for b in p[4]]
        self.assertAlmostEqual(zero_crossing_hz(samples), CALLER_HZ, delta=10)
        self.assertEqual(len({p[3] for p in got}), 1, "one SSRC for kefu's stream to the agent")
        self.continuous(got, "to the agent")
        # The caller heard the agent, music while held, then the agent again: one stream.
        self.continuous(at_caller.got, "to the caller")
        self.assertEqual(c.bye(), 200)

    def test_rtp_stays_continuous_across_a_transfer(self):
        """The caller hears the first agent, the queue's music after the blind
        transfer (CALL-8), then the colleague: one stream from kefu."""
        c, first = self.connect("8103", "127.0.3.23", "127.0.3.123")
        second = self.agent("8104", "127.0.3.24", ready=False)
        self.addCleanup(self.leave, "8104")
        self.set_status("8104", "ready")
        drain(c.rtp)
        at_caller = Listener(c.rtp, 4.0)
        at_caller.start()
        talk = Talker(first.rtp, first.kefu_media, AGENT_HZ, [(0.0, 1.0)], 1.0, None, 0xA6E47)
        talk.start()
        talk.join()
        r = first.request("REFER", ["Refer-To: <sip:8104@127.0.0.1>",
                                    "Referred-By: <sip:8103@127.0.0.1>"])
        self.assertEqual(r.code, 202)
        second.ring()
        second.answer(((8, "PCMA"),))
        # The colleague's phone starts its own stream, with other timestamps.
        talk = Talker(second.rtp, second.kefu_media, 0, [], 1.5, None, 0x5EC0)
        talk.start()
        talk.join()
        at_caller.join()
        self.continuous(at_caller.got, "to the caller")
        self.assertEqual(len({p[3] for p in at_caller.got}), 1, "one SSRC toward the caller")
        self.assertEqual(c.bye(), 200)

    def continuous(self, got, where):
        """Sequence numbers step by one and timestamps always forward; where
        kefu's stream paused (the hold) the timestamp moves on by the time
        that passed, and over the whole call the timestamps keep to the
        clock.

        Keeping to the clock is judged on the lag of each packet (when it
        arrived, by the kernel's receive time, minus where its timestamp puts
        it): no packet is ahead of the clock by more than the senders'
        jitter, and the smallest lag at the end of the call is the smallest
        at its start, so the stream never drifts behind. A packet sent late
        (kefu's threads starved for a moment on a busy machine, then the
        burst that catches up) is only late; a timestamp that failed to move
        on would leave every later packet behind."""
        self.assertGreater(len(got), 100, where)
        pause = max(range(1, len(got)), key=lambda i: got[i][0] - got[i - 1][0])
        for i, ((a0, s0, t0, _, _), (a1, s1, t1, _, _)) in enumerate(zip(got, got[1:]), 1):
            self.assertEqual((s1 - s0) % 65536, 1, f"{where}: sequence {s0} → {s1}")
            step = ((t1 - t0 + 2**31) % 2**32) - 2**31
            self.assertGreater(step, 0, f"{where}: timestamp {t0} → {t1} goes back")
            if i == pause and a1 - a0 > HOLD_GAP:
                self.assertAlmostEqual(step / 8000, a1 - a0, delta=0.1,
                                       msg=f"{where}: after a pause of {a1 - a0:.3f} s")
        first_at, first_ts = got[0][0], got[0][2]
        lag = [(at - first_at) - ((ts - first_ts) % 2**32) / 8000 for at, _, ts, _, _ in got]
        span = got[-1][0] - first_at
        start = min(x for (at, *_), x in zip(got, lag) if at - first_at <= 0.5)
        end = min(x for (at, *_), x in zip(got, lag) if at - first_at >= span - 0.5)
        for (at, seq, *_), x in zip(got, lag):
            self.assertGreater(x, start - 0.1,
                               f"{where}: seq {seq} is {start - x:.3f} s ahead of the clock")
        self.assertAlmostEqual(end, start, delta=0.1,
                               msg=f"{where}: the stream drifted {end - start:.3f} s off the clock")

    # -- defect 3: the caller's hold --

    def test_caller_hold_is_answered_recvonly_and_counted(self):
        c, phone = self.connect("8106", "127.0.3.6", "127.0.3.106")
        versions = [int(re.search(r"o=\S+ \S+ (\d+) ", c.answer).group(1))]
        ans = self.reinvite(c, "sendonly")
        self.assertEqual(ans.code, 200)
        self.assertIn("a=recvonly", ans.body)  # RFC 3264 section 6.1
        self.assertNotIn("a=sendrecv", ans.body)
        versions.append(int(re.search(r"o=\S+ \S+ (\d+) ", ans.body).group(1)))
        held = self.call(c.call_id, "hold")
        self.assertEqual(self.events(held, "hold")[-1], {"direction": "sendonly", "by": "caller"})
        # While the caller holds, kefu sends the caller nothing, but the agent
        # still hears what the caller's phone sends.
        drain(c.rtp)
        drain(phone.rtp)
        phone.send_audio(10, pt=8, byte=0xD5)
        self.assertEqual(self.caller_hears(c, 0.6), 0)
        ip, port = c.kefu_rtp()
        for i in range(5):
            c.rtp.sendto(rtp(8, i, i * 160, 0xC411E7, tone_frame(CALLER_HZ, i)), (ip, port))
        self.assertEqual(len(phone.packets(5)), 5)
        ans = self.reinvite(c, "inactive")
        self.assertIn("a=inactive", ans.body)
        versions.append(int(re.search(r"o=\S+ \S+ (\d+) ", ans.body).group(1)))
        ans = self.reinvite(c, "sendrecv")
        self.assertIn("a=sendrecv", ans.body)
        versions.append(int(re.search(r"o=\S+ \S+ (\d+) ", ans.body).group(1)))
        self.assertEqual(versions, sorted(versions))  # a changed answer has a new version
        self.assertEqual(len(set(versions)), 4)
        resumed = self.call(c.call_id, "resume")
        self.assertEqual(self.events(resumed, "resume")[-1]["by"], "caller")
        drain(c.rtp)
        phone.send_audio(10, pt=8, byte=0xD5)
        self.assertGreaterEqual(self.caller_hears(c, 2.0, want=8), 8)
        self.assertEqual(c.bye(), 200)
        m = self.call(c.call_id)["metrics"]
        self.assertEqual(m["hold_count"], 1, m)  # sendonly then inactive: one hold
        self.assertEqual(m["holds"][0]["by"], "caller")
        self.assertGreater(m["holds"][0]["len_ms"], 500)
        self.assertEqual(m["hold_total_ms"], m["holds"][0]["len_ms"])
        self.assertEqual(m["holds_over_15s"], 0)

    def caller_hears(self, c, seconds, want=None):
        n, end = 0, time.time() + seconds
        c.rtp.settimeout(0.05)
        while time.time() < end and (want is None or n < want):
            try:
                c.rtp.recvfrom(2048)
                n += 1
            except socket.timeout:
                pass
        return n

    # -- defect 4: CALL-2 from the first offer --

    def offers(self, c, n, timeout=10):
        """Waits until the call has n offers on record."""
        deadline = time.time() + timeout
        while True:
            call = self.call(c.call_id, "offered")
            if sum(e["kind"] == "offered" for e in call["events"]) >= n:
                return
            if time.time() > deadline:
                self.fail(f"fewer than {n} offers: {call['events']}")
            time.sleep(0.05)

    def test_ring_time_runs_from_the_first_offer_across_offers(self):
        first = self.agent("8101", "127.0.3.11")
        self.addCleanup(self.leave, "8101")
        time.sleep(0.05)  # longest idle: 8101, then 8102, then 8105
        second = self.agent("8102", "127.0.3.12")
        self.addCleanup(self.leave, "8102")
        time.sleep(0.05)
        third = self.agent("8105", "127.0.3.15")
        self.addCleanup(self.leave, "8105")
        c = self.caller("127.0.3.111")
        self.assertEqual(c.invite().code, 200)
        self.assertEqual(c.info("0"), 200)  # 人工服务: any seat
        # kefu logs an offer just after its INVITE leaves: the clock moves on
        # only once the offer is on record, or its time would be the moved one.
        first.ring()
        self.offers(c, 1)
        self.srv.advance(10000)  # the first phone rings 10 s, then refuses
        first.reply(first.invite, 486, "Busy Here")
        second.ring()
        self.offers(c, 2)
        self.srv.advance(10000)
        second.reply(second.invite, 603, "Decline")
        third.ring()
        self.offers(c, 3)
        self.srv.advance(3500)
        third.answer(((8, "PCMA"),))
        call = self.call(c.call_id, "connected")
        offered = [e for e in call["events"] if e["kind"] == "offered"]
        self.assertEqual([e["detail"]["work_no"] for e in offered], ["8101", "8102", "8105"])
        connected = [e for e in call["events"] if e["kind"] == "connected"][0]
        self.assertEqual(c.bye(), 200)
        m = self.call(c.call_id)["metrics"]
        self.assertAlmostEqual(m["ring_ms"], 23500, delta=1500)
        self.assertAlmostEqual(m["ring_ms"], connected["at"] - offered[0]["at"], delta=200)
        self.assertEqual(m["offers"], 3)
        self.assertEqual(m["rings"], 5)  # rings of 5 s (China's cadence) in 23.5 s
        self.assertFalse(m["call2_ok"])  # CALL-2: more than 3 rings
