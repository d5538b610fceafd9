"""The speech timeline's cost (issue 15): GET /api/calls/{id}/speech over a
one-hour stereo recording (115 MB), timed three times.

    python3 bench/speech.py            # build/kefu; KEFU_BIN to choose

The recording is made here: 8 s turns of a tone over faint line noise, the
caller 3 s, a pause, the agent 3 s, so the answer holds 450 spans a side."""
import array
import math
import os
import random
import shutil
import sqlite3
import struct
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "tests", "api"))
os.environ.setdefault("KEFU_BIN", os.path.join(ROOT, "build", "kefu"))
from harness import Server  # noqa: E402

RATE = 8000


def turns():
    rnd = random.Random(1)
    block = array.array("h")
    for i in range(8 * RATE):
        t = i / RATE
        left = rnd.randint(-20, 20) + (int(6000 * math.sin(2 * math.pi * 300 * t)) if t < 3 else 0)
        right = rnd.randint(-20, 20) + (int(6000 * math.sin(2 * math.pi * 500 * t))
                                        if 3.5 <= t < 6.5 else 0)
        block.extend((left, right))
    return block.tobytes()


def main():
    rec = tempfile.mkdtemp(prefix="kefu-speech-bench-")
    srv = Server({"KEFU_RECORDINGS_DIR": rec})
    try:
        db = sqlite3.connect(srv.db, timeout=10)
        cid = db.execute("INSERT INTO call(sip_call_id, caller, called, started_at, ended_at,"
                         " ended_by, outcome, recording, recording_ms) VALUES ('bench', '139',"
                         " '400', 0, 3600000, 'caller', 'answered', 'x', 3600000)").lastrowid
        db.execute("UPDATE call SET recording = ? WHERE id = ?", (f"{cid}.wav", cid))
        db.commit()
        db.close()
        data = turns() * 450
        with open(os.path.join(rec, f"{cid}.wav"), "wb") as f:
            f.write(b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt "
                    + struct.pack("<IHHIIHH", 16, 1, 2, RATE, RATE * 4, 4, 16)
                    + b"data" + struct.pack("<I", len(data)) + data)
        token = srv.login("8001")
        for _ in range(3):
            t0 = time.monotonic()
            status, body, _ = srv.call("GET", f"/api/calls/{cid}/speech", token=token)
            took = time.monotonic() - t0
            assert status == 200, body
            print(f"speech of {len(data) / 1e6:.1f} MB: {took:.3f} s,"
                  f" {len(body['caller'])} caller and {len(body['agent'])} agent spans")
    finally:
        srv.stop()
        shutil.rmtree(rec, ignore_errors=True)


if __name__ == "__main__":
    main()
