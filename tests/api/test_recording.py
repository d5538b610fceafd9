"""Call recordings (issue 5): GET /api/calls/{id}/recording.

The server's recordings_dir is a temporary folder; the calls are rows
written straight into the database (the call engine that records real
calls is tested in tests/rec/ and with the hotline), each pointing to a
stereo WAV written here. Checked: who may listen (the manager and
supervisors every call, an agent only the calls they answered; everybody
else 403, audited as access.denied), the bytes and headers, Range requests
(206, 416), 404 for an unknown call, a call without a recording and a
missing file, and one call.recording.play audit entry per playback."""
import os
import re
import shutil
import sqlite3
import struct
import tempfile
import wave

from apihelp import person_id
from harness import KefuTestCase

WALL = 1795377600000  # 2026-11-22T20:00:00Z, the 23rd in Shanghai


def stereo_wav(path, seconds=1.0):
    """A 16-bit 8 kHz stereo WAV: a square wave on the left (caller), silence on the right."""
    frames = int(8000 * seconds)
    data = b"".join(struct.pack("<hh", 8000 if (i // 10) % 2 else -8000, 0) for i in range(frames))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with wave.open(path, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(data)
    with open(path, "rb") as f:
        return f.read()


class RecordingPlaybackTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        cls.rec_dir = tempfile.mkdtemp(prefix="kefu-recordings-")
        cls.server_env = {"KEFU_RECORDINGS_DIR": cls.rec_dir}
        super().setUpClass()
        srv = cls.srv
        cls.agent = person_id(srv, "8101")
        db = sqlite3.connect(srv.db, timeout=10)

        def call(agent, recording, ms=1000):
            cur = db.execute(
                "INSERT INTO call(sip_call_id, caller, called, started_at, answered_at, ended_at,"
                " ended_by, agent_id, connected_at, outcome, recording, recording_ms)"
                " VALUES (?, '13900139000', '4000000000', ?, ?, ?, 'caller', ?, ?, 'answered', ?, ?)",
                (f"rec-{os.urandom(4).hex()}", WALL, WALL + 100, WALL + 60000, agent, WALL + 5000,
                 recording, ms if recording else None))
            return cur.lastrowid

        cls.played = call(cls.agent, "pending")
        cls.name = f"2026/11/23/{cls.played}.wav"
        db.execute("UPDATE call SET recording = ? WHERE id = ?", (cls.name, cls.played))
        cls.no_recording = call(cls.agent, None)
        cls.missing = call(cls.agent, "2026/11/23/999999.wav")
        cls.no_agent = call(None, "pending")
        db.execute("UPDATE call SET recording = ? WHERE id = ?",
                   (f"2026/11/23/{cls.no_agent}.wav", cls.no_agent))
        db.commit()
        db.close()
        cls.wav = stereo_wav(os.path.join(cls.rec_dir, cls.name))
        stereo_wav(os.path.join(cls.rec_dir, f"2026/11/23/{cls.no_agent}.wav"), 0.5)
        cls.tokens = {w: srv.login(w) for w in ("8001", "8002", "8101", "8102", "2002", "1001",
                                                "7002", "admin")}

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.rec_dir, ignore_errors=True)

    def get(self, who, call_id, headers=None):
        h = dict(headers or {})
        if who:
            h["Authorization"] = "Bearer " + self.tokens[who]
        return self.srv.raw("GET", f"/api/calls/{call_id}/recording", headers=h)

    def plays(self, call_id):
        return self.srv.audit(self.tokens["8001"], action="call.recording.play",
                              entity="call", entity_id=call_id)

    def test_manager_supervisor_and_the_calls_agent_listen(self):
        for who in ("8001", "8002", "8101"):
            with self.subTest(who=who):
                before = len(self.plays(self.played))
                status, headers, body = self.get(who, self.played)
                self.assertEqual(status, 200)
                self.assertEqual(headers["content-type"], "audio/wav")
                self.assertEqual(int(headers["content-length"]), len(self.wav))
                self.assertEqual(headers["accept-ranges"], "bytes")
                self.assertEqual(headers["cache-control"], "no-store")
                self.assertEqual(body, self.wav)
                with wave.open(os.path.join(self.rec_dir, self.name), "rb") as w:
                    self.assertEqual((w.getnchannels(), w.getframerate()), (2, 8000))
                plays = self.plays(self.played)
                self.assertEqual(len(plays), before + 1, "one audit entry per playback")
                self.assertEqual(plays[0]["actor"], who)
                self.assertEqual(plays[0]["entity"], "call")
                self.assertEqual(str(plays[0]["entity_id"]), str(self.played))
                self.assertEqual(plays[0]["outcome"], "ok")
                self.assertEqual(plays[0]["detail"]["file"], self.name)

    def test_others_are_refused_and_audited(self):
        """An agent of another call, staff, office, HR and IT: 403, access.denied, no play."""
        for who in ("8102", "2002", "1001", "7002", "admin"):
            with self.subTest(who=who):
                uid = person_id(self.srv, who)
                plays = len(self.plays(self.played))
                denied = self.srv.count("SELECT count(*) FROM audit WHERE action = "
                                        f"'access.denied' AND actor_id = {uid}")
                status, headers, body = self.get(who, self.played)
                self.assertEqual(status, 403, body)
                self.assertTrue(headers["content-type"].startswith("application/json"))
                self.assertNotEqual(body, self.wav)
                self.assertEqual(self.srv.count("SELECT count(*) FROM audit WHERE action = "
                                                f"'access.denied' AND actor_id = {uid}"),
                                 denied + 1)
                entry = self.srv.audit(self.tokens["8001"], action="access.denied",
                                       actor_id=uid)[0]
                self.assertEqual(entry["detail"]["permission"], "call.recording")
                self.assertEqual(entry["detail"]["path"], f"/api/calls/{self.played}/recording")
                self.assertEqual(len(self.plays(self.played)), plays)
        # A call nobody answered is the manager's and supervisors' only.
        self.assertEqual(self.get("8101", self.no_agent)[0], 403)
        self.assertEqual(self.get("8001", self.no_agent)[0], 200)

    def test_not_found(self):
        for call_id, why in ((999999, "no such call"), ("abc", "no such"),
                             (self.no_recording, "no recording"),
                             (self.missing, "missing")):
            with self.subTest(call=call_id):
                before = self.srv.count("SELECT count(*) FROM audit WHERE action ="
                                        " 'call.recording.play'")
                resp = self.srv.call("GET", f"/api/calls/{call_id}/recording",
                                     token=self.tokens["8001"])
                self.assertError(resp, 404, "not_found")
                self.assertIn(why, resp[1]["error"]["message"])
                self.assertEqual(self.srv.count("SELECT count(*) FROM audit WHERE action ="
                                                " 'call.recording.play'"), before)
        # Whether another agent's call has a recording is not told either.
        self.assertEqual(self.get("8102", self.no_recording)[0], 403)

    def test_login_needed(self):
        status, _, _ = self.get(None, self.played)
        self.assertEqual(status, 401)

    def test_ranges_let_a_player_seek(self):
        size = len(self.wav)
        cases = [
            ("bytes=0-99", 206, 0, 99),
            ("bytes=44-", 206, 44, size - 1),
            ("bytes=-10", 206, size - 10, size - 1),
            ("bytes=100-999999999", 206, 100, size - 1),
        ]
        for rng, want, first, last in cases:
            with self.subTest(range=rng):
                before = len(self.plays(self.played))
                status, headers, body = self.get("8001", self.played, {"Range": rng})
                self.assertEqual(status, want)
                self.assertEqual(headers["content-range"], f"bytes {first}-{last}/{size}")
                self.assertEqual(int(headers["content-length"]), last - first + 1)
                self.assertEqual(body, self.wav[first:last + 1])
                plays = self.plays(self.played)
                self.assertEqual(len(plays), before + 1)
                self.assertEqual(plays[0]["detail"]["range"], rng)
        # Past the end: 416 with the size.
        status, headers, _ = self.get("8001", self.played, {"Range": f"bytes={size}-"})
        self.assertEqual(status, 416)
        self.assertEqual(headers["content-range"], f"bytes */{size}")
        # Several ranges, another unit, nonsense: the whole file.
        for rng in ("bytes=0-1,5-6", "items=0-1", "bytes=5-2", "bytes=x-"):
            with self.subTest(range=rng):
                status, headers, body = self.get("8001", self.played, {"Range": rng})
                self.assertEqual(status, 200)
                self.assertEqual(body, self.wav)


class RecordingWriterStartsWithSipTest(KefuTestCase):
    """With SIP on, the writer runs beside the SIP thread and stops cleanly after it."""

    @classmethod
    def setUpClass(cls):
        cls.rec_dir = tempfile.mkdtemp(prefix="kefu-recordings-")
        cls.server_env = {"KEFU_SIP_LISTEN": "127.0.0.1:0",
                          "KEFU_RECORDINGS_DIR": os.path.join(cls.rec_dir, "rec")}
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.rec_dir, ignore_errors=True)

    def test_writer_started_and_nothing_created_before_a_call(self):
        # The writer starts after HTTP listens: its line is waited for, not read at once.
        self.srv.wait_log(re.escape("rec: recording answered calls into "
                                    + os.path.join(self.rec_dir, "rec")))
        self.assertFalse(os.path.exists(os.path.join(self.rec_dir, "rec")))
