"""Emergency announcements on the hotline (seed 002 §4.3: prepare for a mass SMS
campaign or an outage; seed 003 第十九条): a notice with a window, spoken from its
text with the prompts' voice (mk/say.sh) or uploaded as a WAV; the active one by
the overlap rule (the one that started last); who may edit and read (SEC-1);
validation that names the field and writes nothing; versions (409) and the audit
trail (SEC-2). Windows are checked with the test clock. The call that hears it is
in test_ivr.py (IvrNotice), the banner in tests/web/test_hotline.mjs."""
import base64
import io
import math
import os
import struct
import unittest
import wave

from harness import KefuTestCase

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SAY = os.path.abspath(os.path.join(ROOT, "mk", "say.sh"))
ACCOUNTS = {"admin": "admin", "manager": "8001", "supervisor": "8002", "agent": "8101",
            "staff": "2002"}
MIN = 60_000


def tone_wav(seconds=1.0, freq=1000, rate=8000, channels=1, fmt=1, amp=16000):
    """A WAV of a sine: 16-bit PCM (fmt 1), or the header of another format."""
    frames = int(rate * seconds)
    samples = [int(amp * math.sin(2 * math.pi * freq * i / rate)) for i in range(frames)]
    data = b"".join(struct.pack("<h", s) * channels for s in samples)
    align = 2 * channels
    hdr = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    hdr += b"fmt " + struct.pack("<IHHIIHH", 16, fmt, channels, rate, rate * align, align, 16)
    hdr += b"data" + struct.pack("<I", len(data))
    return hdr + data


def b64(data):
    return base64.b64encode(data).decode()


class NoticeCase(KefuTestCase):
    server_env = {"KEFU_NOTICE_SAY": SAY}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tokens = {role: cls.srv.login(w) for role, w in ACCOUNTS.items()}

    def setUp(self):
        # Each test starts without notices (the rows are the test's own).
        st, page, _ = self.call("GET", "/api/hotline/notices")
        self.assertEqual(st, 200, page)
        for n in page["items"]:
            self.ok("DELETE", f"/api/hotline/notices/{n['id']}")

    def call(self, method, path, body=None, role="manager"):
        return self.srv.call(method, path, body, token=self.tokens[role])

    def ok(self, method, path, body=None, role="manager", status=200):
        st, b, _ = self.call(method, path, body, role)
        self.assertEqual(st, status, b)
        return b

    def now(self):
        return self.srv.advance(0)

    def active(self, role="agent"):
        return self.ok("GET", "/api/hotline/notices/active", role=role)

    def rows(self):
        return self.srv.count("SELECT count(*) FROM hotline_notice")


class NoticeApi(NoticeCase):
    def test_text_notice_is_spoken_with_the_prompts_voice_and_audited(self):
        now = self.now()
        text = "因系统升级，今晚十点至十二点暂停业务办理，请您谅解。"
        n = self.ok("POST", "/api/hotline/notices", {
            "text": text, "source": "text", "starts_at": now - MIN, "ends_at": now + 30 * MIN},
            status=201)
        self.assertEqual((n["text"], n["source"], n["version"], n["in_window"]),
                         (text, "text", 1, True))
        # Speaking 27 characters takes seconds, not a blip nor a minute.
        self.assertGreater(n["audio_ms"], 3000)
        self.assertLess(n["audio_ms"], 20000)
        st, _, audio = self.srv.raw("GET", f"/api/hotline/notices/{n['id']}/audio",
                                          headers={"Authorization": "Bearer " + self.tokens["manager"]})
        self.assertEqual(st, 200)
        with wave.open(io.BytesIO(audio)) as w:
            self.assertEqual((w.getframerate(), w.getnchannels(), w.getsampwidth()), (8000, 1, 2))
            self.assertEqual(w.getnframes() * 1000 // 8000, n["audio_ms"])
            pcm = struct.unpack(f"<{w.getnframes()}h", w.readframes(w.getnframes()))
        # Speech, not silence: peaks at -3 dBFS as the prompts (mk/prompts.sh).
        self.assertGreater(max(abs(s) for s in pcm), 16000)

        # Everyone logged in sees the wording (口径) while it is in force.
        for role in ACCOUNTS:
            a = self.active(role)
            self.assertEqual((a["notice"]["id"], a["notice"]["text"]), (n["id"], text), role)
            self.assertEqual(a["next_change_at"], now + 30 * MIN)
        entry = self.srv.audit(self.tokens["admin"], action="hotline.notice.create")[0]
        self.assertEqual(str(entry["entity_id"]), str(n["id"]))
        self.assertEqual(entry["detail"]["text"], text)
        self.assertEqual(entry["detail"]["audio_ms"], n["audio_ms"])

    def test_recording_is_checked_and_kept_as_sent(self):
        now = self.now()
        tone = tone_wav(2.0)
        n = self.ok("POST", "/api/hotline/notices", {
            "text": "短信群发活动期间来电较多，请耐心等待。", "source": "recording",
            "starts_at": now, "ends_at": now + MIN, "audio": b64(tone)}, status=201)
        self.assertEqual(n["audio_ms"], 2000)
        st, _, audio = self.srv.raw("GET", f"/api/hotline/notices/{n['id']}/audio",
                                    headers={"Authorization": "Bearer " + self.tokens["supervisor"]})
        self.assertEqual((st, audio), (200, tone))
        # An agent does not read the list nor the audio, only the active notice.
        self.assertEqual(self.call("GET", "/api/hotline/notices", role="agent")[0], 403)
        self.assertEqual(self.call("GET", f"/api/hotline/notices/{n['id']}/audio",
                                   role="agent")[0], 403)

    def test_bad_input_names_the_field_and_writes_nothing(self):
        now = self.now()
        good = {"text": "系统维护", "source": "recording", "starts_at": now,
                "ends_at": now + MIN, "audio": b64(tone_wav(1.0))}
        cases = [
            ({"text": None}, 400, "text"),
            ({"text": ""}, 422, "text"),
            ({"text": "长" * 501}, 422, "text"),
            ({"source": "video"}, 422, "source"),
            ({"starts_at": "now"}, 400, "starts_at"),
            ({"ends_at": now}, 422, "ends_at"),
            ({"starts_at": now - 2 * MIN, "ends_at": now - MIN}, 422, "ends_at"),
            ({"ends_at": now + 32 * 24 * 60 * MIN}, 422, "ends_at"),
            ({"audio": None}, 400, "audio"),
            ({"audio": "not base64!"}, 400, "audio"),
            ({"audio": b64(b"RIFF....WAVEjunk")}, 400, "audio"),
            ({"audio": b64(tone_wav(1.0, rate=44100))}, 422, "audio"),
            ({"audio": b64(tone_wav(1.0, channels=2))}, 422, "audio"),
            ({"audio": b64(tone_wav(0.1))}, 422, "audio"),
            ({"audio": b64(tone_wav(61.0)[:700 * 1024])}, 413, "audio"),
            ({"source": "text", "audio": b64(tone_wav(1.0))}, 400, "audio"),
            ({"colour": "red"}, 400, None),
        ]
        for change, status, field in cases:
            body = {k: v for k, v in dict(good, **change).items() if v is not None}
            with self.subTest(change=str(change)[:60]):
                self.assertError(self.call("POST", "/api/hotline/notices", body), status,
                                 field=field)
        # The rate's problem says how to convert (docs/media.md).
        st, b, _ = self.call("POST", "/api/hotline/notices",
                             dict(good, audio=b64(tone_wav(1.0, rate=44100))))
        self.assertIn("sox", b["error"]["message"])
        # Too long to hear before the menu: 61 s of A-law fits the size limit.
        frames = 61 * 8000
        data = bytes(frames)
        hdr = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
        hdr += b"fmt " + struct.pack("<IHHIIHH", 16, 6, 1, 8000, 8000, 1, 8)
        alaw = hdr + b"data" + struct.pack("<I", len(data)) + data
        self.assertError(self.call("POST", "/api/hotline/notices", dict(good, audio=b64(alaw))),
                         422, field="audio")
        # Text that gives no speech at all.
        spoken = {k: v for k, v in good.items() if k != "audio"}
        self.assertError(self.call("POST", "/api/hotline/notices",
                                   dict(spoken, source="text", text="。。。")), 422, field="text")
        self.assertEqual(self.rows(), 0)

    def test_who_may_edit(self):
        now = self.now()
        body = {"text": "停电通知", "source": "recording", "starts_at": now,
                "ends_at": now + MIN, "audio": b64(tone_wav(1.0))}
        for role in ("supervisor", "agent", "staff"):
            self.assertError(self.call("POST", "/api/hotline/notices", body, role), 403)
        n = self.ok("POST", "/api/hotline/notices", body, role="admin", status=201)
        for role in ("supervisor", "agent"):
            self.assertError(self.call("PUT", f"/api/hotline/notices/{n['id']}",
                                       {"text": "x"}, role), 403)
            self.assertError(self.call("DELETE", f"/api/hotline/notices/{n['id']}",
                                       None, role), 403)
        self.assertEqual(self.call("GET", "/api/hotline/notices", role="supervisor")[0], 200)
        self.assertEqual(self.rows(), 1)

    def test_versions_edits_and_delete(self):
        now = self.now()
        n = self.ok("POST", "/api/hotline/notices", {
            "text": "系统维护中", "source": "text", "starts_at": now, "ends_at": now + 10 * MIN},
            status=201)
        # Ending it earlier keeps the audio (not spoken again).
        e = self.ok("PUT", f"/api/hotline/notices/{n['id']}",
                    {"version": 1, "ends_at": now + 5 * MIN})
        self.assertEqual((e["version"], e["ends_at"], e["audio_ms"]), (2, now + 5 * MIN,
                                                                     n["audio_ms"]))
        entry = self.srv.audit(self.tokens["admin"], action="hotline.notice.update")[0]
        self.assertEqual(entry["detail"], {"version": 2, "fields": {
            "ends_at": [now + 10 * MIN, now + 5 * MIN]}})
        # A stale version is refused and changes nothing.
        self.assertError(self.call("PUT", f"/api/hotline/notices/{n['id']}",
                                   {"version": 1, "text": "别的"}), 409, field="version")
        self.assertEqual(self.ok("GET", f"/api/hotline/notices/{n['id']}")["text"], "系统维护中")
        # New words are spoken again: the audio follows the text.
        e = self.ok("PUT", f"/api/hotline/notices/{n['id']}", {
            "version": 2, "text": "系统维护中，预计今晚十二点恢复，给您带来不便敬请谅解。"})
        self.assertEqual(e["version"], 3)
        self.assertGreater(e["audio_ms"], n["audio_ms"] + 1000)
        # Switching to a recording needs the recording.
        self.assertError(self.call("PUT", f"/api/hotline/notices/{n['id']}",
                                   {"source": "recording"}), 400, field="audio")
        e = self.ok("PUT", f"/api/hotline/notices/{n['id']}",
                    {"source": "recording", "audio": b64(tone_wav(1.5))})
        self.assertEqual((e["version"], e["audio_ms"]), (4, 1500))
        self.assertEqual(self.ok("DELETE", f"/api/hotline/notices/{n['id']}")["deleted"], True)
        self.assertEqual(self.call("GET", f"/api/hotline/notices/{n['id']}")[0], 404)
        self.assertEqual(self.active()["notice"], None)
        entry = self.srv.audit(self.tokens["admin"], action="hotline.notice.delete")[0]
        self.assertEqual(entry["detail"]["text"], e["text"])

    def test_window_boundaries_with_the_test_clock(self):
        now = self.now()
        start, end = now + MIN, now + 3 * MIN
        n = self.ok("POST", "/api/hotline/notices", {
            "text": "明日凌晨系统升级", "source": "recording", "starts_at": start,
            "ends_at": end, "audio": b64(tone_wav(1.0))}, status=201)
        self.assertFalse(n["in_window"])
        a = self.active()
        self.assertEqual((a["notice"], a["next_change_at"]), (None, start))
        # The test clock runs on with real time, so each step lands a few
        # seconds before a boundary or exactly on it (never before where it
        # is meant to be); the exact half-open window is tests/ivr/test_ivr.c's.
        self.srv.advance(start - 5000 - now)
        self.assertIsNone(self.active()["notice"])
        self.srv.advance(5000)
        a = self.active()
        self.assertEqual((a["notice"]["id"], a["next_change_at"]), (n["id"], end))
        self.srv.advance(end - 5000 - start)
        self.assertEqual(self.active()["notice"]["id"], n["id"])
        self.srv.advance(5000)
        a = self.active()
        self.assertEqual((a["notice"], a["next_change_at"]), (None, None))
        self.assertFalse(self.ok("GET", f"/api/hotline/notices/{n['id']}")["in_window"])

    def test_overlapping_windows_the_latest_start_wins(self):
        now = self.now()
        body = {"source": "recording", "audio": b64(tone_wav(1.0))}
        campaign = self.ok("POST", "/api/hotline/notices", dict(
            body, text="短信群发活动", starts_at=now, ends_at=now + 10 * MIN), status=201)
        outage = self.ok("POST", "/api/hotline/notices", dict(
            body, text="网络故障", starts_at=now + 2 * MIN, ends_at=now + 5 * MIN), status=201)
        self.assertEqual(self.active()["notice"]["id"], campaign["id"])
        self.assertEqual(self.active()["next_change_at"], now + 2 * MIN)
        self.srv.advance(3 * MIN)
        self.assertEqual(self.active()["notice"]["text"], "网络故障")
        page = self.ok("GET", "/api/hotline/notices")
        self.assertEqual(page["active_id"], outage["id"])
        self.assertEqual([x["id"] for x in page["items"]], [outage["id"], campaign["id"]])
        self.srv.advance(3 * MIN)  # the outage notice ended: the campaign's again
        self.assertEqual(self.active()["notice"]["id"], campaign["id"])


class NoticeWithoutSpeech(NoticeCase):
    """A server that cannot speak (no espeak-ng or sox, or no script) says so
    with 503 and writes nothing; recordings still work."""
    server_env = {"KEFU_NOTICE_SAY": "/nonexistent/say.sh"}

    def test_text_is_503_and_recordings_still_work(self):
        now = self.now()
        body = {"text": "系统维护", "source": "text", "starts_at": now, "ends_at": now + MIN}
        self.assertError(self.call("POST", "/api/hotline/notices", body), 503, field="text")
        self.assertEqual(self.rows(), 0)
        self.ok("POST", "/api/hotline/notices", dict(body, source="recording",
                                                     audio=b64(tone_wav(1.0))), status=201)
        self.assertEqual(self.rows(), 1)


if __name__ == "__main__":
    unittest.main()
