#!/usr/bin/env python3
"""make crash-test: kill kefu with SIGKILL at random moments under a write load,
hundreds of times, and prove that nothing acknowledged is ever lost (issue 21).

Each cycle starts `kefu serve` on the same database, runs writers on several
threads for a random moment (orders with their routing, clocks and audit in one
transaction; contacts; progress notes on orders; the test clock moved on so
that the scheduler's round breaches and escalates clocks while the writers
work), and kills the process with SIGKILL while requests are in flight. Before
the next start it checks, on the database the dead process left:

  - every write the server acknowledged (a 201 or 200 answer received in full)
    is there: the order, the contact, the progress note with its unique text;
  - `kefu check` is clean (integrity, foreign keys, kefu's own invariants);
  - the scheduler fired nothing twice: no clock breached twice, no order
    escalated twice to the same level.

Figures (cycles, acknowledged writes, writes lost, check failures) go to
standard output; docs/performance.md records them. CRASH_CYCLES (default
1000), CRASH_SECONDS_MAX (the longest a cycle runs before its kill, default
2.0) and CRASH_DURABILITY (normal or full) tune it; KEFU_BIN names the binary.
"""
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

BIN = os.environ.get("KEFU_BIN", "build/kefu")
CYCLES = int(os.environ.get("CRASH_CYCLES", "1000"))
SECONDS_MAX = float(os.environ.get("CRASH_SECONDS_MAX", "2.0"))
DURABILITY = os.environ.get("CRASH_DURABILITY", "normal")
AGENTS = ["8101", "8102", "8103", "8104"]


def request(base, method, path, body=None, token=None, timeout=5):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.loads(e.read() or b"null")
        except ValueError:
            return e.code, None


def start(db, conf, log):
    proc = subprocess.Popen([BIN, "serve", "--db", db, "--listen", "127.0.0.1:0", "--test-clock",
                             "--config", conf],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 20
    while time.time() < deadline:
        with open(log.name, encoding="utf-8", errors="replace") as f:
            m = re.findall(r"listening on http://127\.0\.0\.1:(\d+)/", f.read())
        if m:
            return proc, f"http://127.0.0.1:{m[-1]}"
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    proc.kill()
    raise SystemExit("crash: kefu did not start; see " + log.name)


class Ledger:
    """What the server acknowledged, kept across cycles."""

    def __init__(self):
        self.lock = threading.Lock()
        self.orders, self.contacts, self.notes = set(), set(), []
        self.breaches = self.escalations = 0  # what the scheduler wrote, as last verified

    def add(self, kind, value):
        with self.lock:
            if kind == "note":
                self.notes.append(value)
            else:
                (self.orders if kind == "order" else self.contacts).add(value)

    def count(self):
        return len(self.orders) + len(self.contacts) + len(self.notes)


def writer(base, token, ledger, stop, seq):
    """Writes until stop is set or the server dies; records what was acknowledged."""
    rnd = random.Random()
    while not stop.is_set():
        try:
            kind = rnd.random()
            if kind < 0.5 or not ledger.orders:
                st, b = request(base, "POST", "/api/orders",
                                {"complaint": "vehicle_damage",
                                 "summary": "洗车过程中车辆损伤，左前门划痕",
                                 "phone": f"138{rnd.randrange(10**8):08d}"}, token)
                if st == 201:
                    ledger.add("order", b["id"])
            elif kind < 0.8:
                st, b = request(base, "POST", "/api/contacts",
                                {"channel": "phone", "direction": "in"}, token)
                if st == 201:
                    ledger.add("contact", b["id"])
            else:
                with ledger.lock:
                    oid = rnd.choice(sorted(ledger.orders))
                text = f"crash-note-{next(seq)}"
                st, _ = request(base, "POST", f"/api/orders/{oid}/progress", {"text": text}, token)
                if st == 200:
                    ledger.add("note", (oid, text))
        except (urllib.error.URLError, ConnectionError, OSError, ValueError):
            return


def clock_mover(base, stop):
    """Moves the test clock on by half an hour now and then: each move runs one
    round of the scheduler, which breaches and escalates the clocks due."""
    while not stop.wait(random.uniform(0.05, 0.4)):
        try:
            request(base, "POST", "/api/test/clock", {"advance_ms": 1800000})
        except (urllib.error.URLError, ConnectionError, OSError, ValueError):
            return


def verify(db, ledger):
    """Returns the problems found on the database a killed kefu left."""
    problems = []
    con = sqlite3.connect(db, timeout=30)
    try:
        have = {r[0] for r in con.execute("SELECT id FROM work_order")}
        lost = ledger.orders - have
        if lost:
            problems.append(f"{len(lost)} acknowledged orders lost: {sorted(lost)[:5]}")
        have = {r[0] for r in con.execute("SELECT id FROM contact")}
        lost = ledger.contacts - have
        if lost:
            problems.append(f"{len(lost)} acknowledged contacts lost: {sorted(lost)[:5]}")
        notes = {r[0] for r in con.execute(
            "SELECT detail FROM wo_event WHERE kind = 'order.progress'") if r[0]}
        text = "\n".join(notes)
        lost = [n for n in ledger.notes if n[1] not in text]
        if lost:
            problems.append(f"{len(lost)} acknowledged progress notes lost: {lost[:3]}")
        twice = con.execute("SELECT count(*) FROM (SELECT sla_id FROM wo_sla_event"
                            " WHERE kind = 'breached' GROUP BY sla_id HAVING count(*) > 1)"
                            ).fetchone()[0]
        if twice:
            problems.append(f"{twice} clocks breached twice")
        twice = con.execute("SELECT count(*) FROM (SELECT order_id, detail FROM wo_event"
                            " WHERE kind = 'order.escalated' GROUP BY order_id, detail"
                            " HAVING count(*) > 1)").fetchone()[0]
        if twice:
            problems.append(f"{twice} escalations written twice")
        ledger.breaches = con.execute("SELECT count(*) FROM wo_sla_event WHERE kind = 'breached'"
                                      ).fetchone()[0]
        ledger.escalations = con.execute("SELECT count(*) FROM wo_event"
                                         " WHERE kind = 'order.escalated'").fetchone()[0]
    finally:
        con.close()
    chk = subprocess.run([BIN, "check", "--db", db], capture_output=True, text=True)
    if chk.returncode != 0:
        problems.append("kefu check: " + (chk.stdout + chk.stderr).strip()[-400:])
    return problems


def main():
    d = tempfile.mkdtemp(prefix="kefu-crash-")
    db = os.path.join(d, "kefu.db")
    conf = os.path.join(d, "kefu.conf")
    with open(conf, "w") as f:
        f.write(f"durability = {DURABILITY}\n")
    out = subprocess.run([BIN, "init", "--demo", "--db", db], capture_output=True, text=True,
                         check=True).stdout
    passwords = {ln.split()[0]: ln.split()[2] for ln in out.splitlines() if len(ln.split()) >= 3}
    ledger, seq = Ledger(), iter(range(1, 1 << 62))
    tokens, failures, kills_in_flight = {}, 0, 0
    t0 = time.time()
    print(f"crash: {CYCLES} cycles, up to {SECONDS_MAX}s each, durability {DURABILITY}, "
          f"{os.cpu_count()} cores")
    for cycle in range(1, CYCLES + 1):
        with open(os.path.join(d, "serve.log"), "w") as log:
            proc, base = start(db, conf, log)
            # A fresh session each cycle: the test clock the last cycle moved on
            # may have ended the old ones.
            for w in AGENTS:
                st, b = request(base, "POST", "/api/login",
                                {"work_no": w, "password": passwords[w]})
                assert st == 200, (w, st, b)
                tokens[w] = b["token"]
                if b["person"]["must_change_password"]:
                    new = f"crash-test-{w}-password"
                    st, _ = request(base, "POST", "/api/me/password",
                                    {"old_password": passwords[w], "new_password": new},
                                    tokens[w])
                    assert st in (200, 204), (w, st)
                    passwords[w] = new
            stop = threading.Event()
            threads = [threading.Thread(target=writer, args=(base, tokens[w], ledger, stop, seq))
                       for w in AGENTS]
            threads.append(threading.Thread(target=clock_mover, args=(base, stop)))
            for t in threads:
                t.start()
            before = ledger.count()
            time.sleep(random.uniform(0.05, SECONDS_MAX))
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            stop.set()
            for t in threads:
                t.join()
            kills_in_flight += ledger.count() > before
        problems = verify(db, ledger)
        if problems:
            failures += 1
            print(f"cycle {cycle}: " + "; ".join(problems), flush=True)
        if cycle % 50 == 0 or cycle == CYCLES:
            print(f"  {cycle} cycles, {ledger.count()} acknowledged writes "
                  f"({len(ledger.orders)} orders, {len(ledger.contacts)} contacts, "
                  f"{len(ledger.notes)} notes), {ledger.breaches} clocks breached and "
                  f"{ledger.escalations} escalations by the scheduler, {failures} cycles with problems, "
                  f"{time.time() - t0:.0f}s", flush=True)
    print(f"crash: {CYCLES} cycles killed under load, {ledger.count()} acknowledged writes, "
          f"{failures} cycles with lost writes or failed checks")
    subprocess.run(["rm", "-rf", d])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
