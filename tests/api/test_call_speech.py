"""Who spoke when in a call's recording (issue 15): GET /api/calls/{id}/speech.

The recordings are stereo WAVs written here into the server's
recordings_dir, as the recording writer lays them out (the real call
engine's recordings are checked against this route in
test_call_media.py): tones on each channel in known spans over a faint
line noise, with a pause shorter than the VAD's hangover (joined), one
longer (split) and a 10 ms click (not speech). The spans answered are
those sent, each edge within one 20 ms frame; the holds, talk-over and
dead air are the call's metrics' lists. Also: who may ask (as for
the recording: the manager, supervisors, the quality inspector, the
call's own agent; 403 otherwise), 404 without a recording, 422 for a file
that is not the writer's stereo WAV."""
import json
import math
import os
import random
import shutil
import sqlite3
import struct
import tempfile
import wave

from apihelp import person_id
from harness import KefuTestCase

WALL = 1795377600000  # 2026-11-22T20:00:00Z
RATE = 8000

# Spans in ms. The caller's first pause (1800-2000) is shorter than the
# 300 ms hangover and joins; the click at 3300 lasts 10 ms and is no speech.
CALLER = [(500, 1800), (2000, 2600), (4000, 4500)]
CALLER_CLICK = (3300, 3310)
AGENT = [(1200, 3000), (5000, 5300), (5700, 6420)]
SECONDS = 7.0

# The call's metrics as the writer and the call engine store them (a hold
# by the agent while both were silent; the agent starting over the caller
# at 1200 until the caller's speech and hangover end at 2900; no dead air):
# the route answers their lists as they are, and empty ones where the
# metrics have none.
METRICS = {"hold_count": 1, "hold_total_ms": 800,
           "holds": [{"start_ms": 3100, "len_ms": 800, "by": "agent"}],
           "talk_over_count": 1, "talk_over_ms": 1680,
           "talk_over": [{"at_ms": 1220, "len_ms": 1680}],
           "dead_air_count": 0, "dead_air_ms": 0}

# What the VAD should find: the caller's first two spans joined; the
# agent's last two 400 ms apart stay two.
WANT_CALLER = [(500, 2600), (4000, 4500)]
WANT_AGENT = [(1200, 3000), (5000, 5300), (5700, 6420)]


def channel(spans, freq, seconds, seed):
    rnd = random.Random(seed)
    out = []
    for i in range(int(seconds * RATE)):
        ms = i * 1000 / RATE
        v = rnd.randint(-20, 20)  # line noise, about -64 dBFS
        if any(s <= ms < e for s, e in spans):
            v += int(8000 * math.sin(2 * math.pi * freq * i / RATE))
        out.append(v)
    return out


def write_wav(path, left, right=None, channels=2):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with wave.open(path, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(RATE)
        if channels == 2:
            w.writeframes(b"".join(struct.pack("<hh", a, b) for a, b in zip(left, right)))
        else:
            w.writeframes(b"".join(struct.pack("<h", a) for a in left))


class CallSpeechTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        cls.rec_dir = tempfile.mkdtemp(prefix="kefu-speech-")
        cls.server_env = {"KEFU_RECORDINGS_DIR": cls.rec_dir}
        super().setUpClass()
        srv = cls.srv
        cls.agent = person_id(srv, "8101")
        db = sqlite3.connect(srv.db, timeout=10)

        def call(recording, metrics=None):
            cur = db.execute(
                "INSERT INTO call(sip_call_id, caller, called, started_at, answered_at, ended_at,"
                " ended_by, agent_id, connected_at, outcome, recording, recording_ms, metrics)"
                " VALUES (?, '13900139000', '4000000000', ?, ?, ?, 'caller', ?, ?, 'answered', ?, ?,"
                " ?)",
                (f"speech-{os.urandom(4).hex()}", WALL, WALL + 100, WALL + 60000, cls.agent,
                 WALL + 5000, "pending" if recording else None, 7000 if recording else None,
                 json.dumps(metrics) if metrics is not None else None))
            call_id = cur.lastrowid
            if recording:
                db.execute("UPDATE call SET recording = ? WHERE id = ?",
                           (f"2026/11/23/{call_id}.wav", call_id))
            return call_id

        cls.spoken = call(True, METRICS)
        cls.mono = call(True)
        cls.silent = call(True)
        cls.none = call(False)
        db.commit()
        db.close()
        day = os.path.join(cls.rec_dir, "2026", "11", "23")
        write_wav(os.path.join(day, f"{cls.spoken}.wav"),
                  channel(CALLER + [CALLER_CLICK], 440, SECONDS, 1),
                  channel(AGENT, 1000, SECONDS, 2))
        write_wav(os.path.join(day, f"{cls.mono}.wav"), channel(CALLER, 440, 1.0, 3), channels=1)
        write_wav(os.path.join(day, f"{cls.silent}.wav"), channel([], 440, 2.0, 4),
                  channel([], 440, 2.0, 5))
        cls.tokens = {w: srv.login(w) for w in ("8001", "8002", "8301", "8101", "8102", "2002",
                                                "admin")}

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.rec_dir, ignore_errors=True)

    def speech(self, who, call_id):
        return self.srv.call("GET", f"/api/calls/{call_id}/speech", token=self.tokens[who])

    def assertSpans(self, got, want, side):
        spans = [(s["start_ms"], s["end_ms"]) for s in got]
        self.assertEqual(len(spans), len(want), f"{side}: {spans}")
        for (s, e), (ws, we) in zip(spans, want):
            # One 20 ms frame either way: the VAD judges whole frames.
            self.assertLessEqual(abs(s - ws), 20, f"{side} start {spans} vs {want}")
            self.assertLessEqual(abs(e - we), 20, f"{side} end {spans} vs {want}")

    def test_the_spans_sent_on_each_channel(self):
        status, body, _ = self.speech("8001", self.spoken)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["call_id"], self.spoken)
        self.assertEqual(body["duration_ms"], int(SECONDS * 1000))
        self.assertSpans(body["caller"], WANT_CALLER, "caller")
        self.assertSpans(body["agent"], WANT_AGENT, "agent")
        self.assertEqual((body["holds"], body["talk_over"], body["dead_air"]),
                         (METRICS["holds"], METRICS["talk_over"], []))
        # Asking is not a playback: nothing is audited as one.
        self.assertEqual(self.srv.count("SELECT count(*) FROM audit WHERE action ="
                                        " 'call.recording.play'"), 0)

    def test_silence_has_no_speech(self):
        status, body, _ = self.speech("8001", self.silent)
        self.assertEqual(status, 200, body)
        self.assertEqual((body["caller"], body["agent"], body["duration_ms"]), ([], [], 2000))
        # A call without metrics has no periods either.
        self.assertEqual((body["holds"], body["talk_over"], body["dead_air"]), ([], [], []))

    def test_who_may_ask(self):
        for who in ("8001", "8002", "8301", "8101"):
            with self.subTest(who=who):
                status, body, _ = self.speech(who, self.spoken)
                self.assertEqual(status, 200, body)
                self.assertSpans(body["agent"], WANT_AGENT, "agent")
        for who in ("8102", "2002", "admin"):
            with self.subTest(who=who):
                uid = person_id(self.srv, who)
                denied = self.srv.count("SELECT count(*) FROM audit WHERE action ="
                                        f" 'access.denied' AND actor_id = {uid}")
                resp = self.speech(who, self.spoken)
                self.assertError(resp, 403)
                self.assertEqual(self.srv.count("SELECT count(*) FROM audit WHERE action ="
                                                f" 'access.denied' AND actor_id = {uid}"),
                                 denied + 1)
        status, _, _ = self.srv.call("GET", f"/api/calls/{self.spoken}/speech")
        self.assertEqual(status, 401)

    def test_not_found_and_not_a_recording(self):
        for call_id, why in ((999999, "no such call"), (self.none, "no recording")):
            with self.subTest(call=call_id):
                resp = self.speech("8001", call_id)
                self.assertError(resp, 404, "not_found")
                self.assertIn(why, resp[1]["error"]["message"])
        resp = self.speech("8001", self.mono)
        self.assertError(resp, 422)
