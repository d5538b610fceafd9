#!/usr/bin/env python3
"""make soak (and make bench): kefu under a steady mixed load for a long time
(issue 21, "Soak"), to show that nothing leaks and nothing slows down.

One kefu with its hotline on (started as bench/calls.py starts it: the
agents' phones are SIPp, bench/sip/agent.xml, and the RTP sink is
bench/rtpsink.c) runs for SOAK_SECONDS (default 3600) with, all at once:

- API writers and readers (SOAK_WORKERS threads, default 2, each pausing
  SOAK_PAUSE_MS, default 20 ms, between requests): orders created, contacts
  created, progress notes, the working list, search (one- and
  two-character words), the contacts list, the daily report and the live
  figures;
- event streams kept open (the notifications' /api/events, the
  wallboard's /api/acd/live/stream and the inbox's
  /api/conversations/stream, SOAK_STREAMS of each, default 2), each closed
  and reopened after 20 to 60 s as a browser reconnects;
- hotline calls: every SOAK_CALL_EVERY seconds (default 15) two callers
  (SIPp, bench/sip/caller.xml) dial, press 0, are answered by a ready agent
  and talk 5 s.

Every 10 s a sample: kefu's RSS (VmRSS), open descriptors (/proc/PID/fd),
threads, and the latency of a fixed probe (GET /api/orders?limit=20, ten
times one after another). Twice the load is paused for a quiet count of
descriptors and threads (no request, no stream, no call in flight): once
warm (after SOAK_WARM seconds, default 120) and at the end.

Checks at the end (exit status 1 when one fails):
- RSS: the last sample at most 5 % above the first warm sample;
- descriptors and threads: the quiet count at the end not above the warm one;
- latency flat: the probe's p99 over the last tenth of the run at most
  3 times that over the first warm tenth (plus 5 ms, so that a p99 of
  2 ms against 1 ms on a shared machine is not a failure);
- the load itself worked: no request answered 5xx or failed, no 4xx
  (every request is one the manager may make), every call answered.

Figures go to standard output; docs/performance.md records them.
"""
import http.client
import json
import os
import random
import re
import selectors
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import calls  # noqa: E402  (bench/calls.py: kefu with its hotline, SIPp, the sink)

SECONDS = int(os.environ.get("SOAK_SECONDS", "3600"))
WARM = int(os.environ.get("SOAK_WARM", str(min(120, SECONDS // 5))))
WORKERS = int(os.environ.get("SOAK_WORKERS", "2"))
PAUSE = int(os.environ.get("SOAK_PAUSE_MS", "20")) / 1000
STREAMS = int(os.environ.get("SOAK_STREAMS", "2"))
CALL_EVERY = int(os.environ.get("SOAK_CALL_EVERY", "15"))
SAMPLE = 10
RSS_GROWTH = 0.05
LATENCY_FACTOR, LATENCY_SLACK_MS = 3.0, 5.0
# The daily report over the last week (the center's dates; UTC is close enough).
REPORT = "/api/reports/daily?from={}&to={}".format(
    time.strftime("%Y-%m-%d", time.gmtime(time.time() - 6 * 86400)),
    time.strftime("%Y-%m-%d", time.gmtime()))
STREAM_PATHS = ["/api/events", "/api/acd/live/stream", "/api/conversations/stream"]


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else 0.0


class Load:
    """The API workers; counts answers by class."""

    def __init__(self, port, token):
        self.port, self.token = port, token
        self.stop = threading.Event()
        self.run_ok = threading.Event()  # cleared to pause the load
        self.run_ok.set()
        self.lock = threading.Lock()
        self.counts = {"requests": 0, "2xx": 0, "4xx": 0, "5xx": 0, "failed": 0}
        self.orders = []
        self.busy = 0
        self.refusals = {}  # "status path": count, for 4xx answers

    def call(self, conn, method, path, body=None):
        headers = {"Content-Type": "application/json", "Authorization": "Bearer " + self.token}
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers=headers)
        r = conn.getresponse()
        data = r.read()
        return r.status, (json.loads(data) if data else None)

    def one(self, conn, rnd):
        k = rnd.random()
        path = None
        if k < 0.25 or not self.orders:
            st, b = self.call(conn, "POST", "/api/orders",
                              {"complaint": "vehicle_damage", "summary": "洗车过程中车辆损伤，左前门划痕",
                               "phone": f"138{rnd.randrange(10**8):08d}"})
            if st == 201:
                with self.lock:
                    self.orders.append(b["id"])
        elif k < 0.35:
            st, _ = self.call(conn, "POST", "/api/contacts", {"channel": "phone", "direction": "in"})
        elif k < 0.45:
            oid = rnd.choice(self.orders[-500:])
            st, _ = self.call(conn, "POST", f"/api/orders/{oid}/progress",
                              {"text": f"soak {rnd.randrange(10**9)}"})
        else:
            path = rnd.choice(["/api/orders?limit=20", "/api/orders?view=overdue&limit=20",
                               "/api/orders?q=%E5%88%92%E7%97%95&limit=20",
                               "/api/orders?q=%E8%BD%A6&limit=20", "/api/contacts?limit=20",
                               REPORT, "/api/acd/live", "/api/notifications"])
            st, _ = self.call(conn, "GET", path)
        if 400 <= st < 500:
            with self.lock:
                self.refusals[f"{st} {path if k >= 0.45 else 'write'}"] = \
                    self.refusals.get(f"{st} {path if k >= 0.45 else 'write'}", 0) + 1
        return st

    def worker(self):
        rnd = random.Random()
        conn = None
        while not self.stop.is_set():
            if not self.run_ok.is_set():
                if conn:
                    conn.close()
                    conn = None
                self.run_ok.wait(1)
                continue
            with self.lock:
                self.busy += 1
            try:
                conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                st = self.one(conn, rnd)
                cls = f"{st // 100}xx"
            except (OSError, http.client.HTTPException, ValueError) as e:
                cls = "failed"
                if conn:
                    conn.close()
                conn = None
                print(f"soak: request failed: {e!r}", file=sys.stderr)
            with self.lock:
                self.busy -= 1
                self.counts["requests"] += 1
                self.counts[cls] = self.counts.get(cls, 0) + 1
            time.sleep(PAUSE)
        if conn:
            conn.close()


class Streams:
    """STREAMS of each event stream on one selector, each reopened after 20
    to 60 s; counts opens, events and streams the server refused or ended."""

    def __init__(self, port, token):
        self.port, self.token = port, token
        self.sel = selectors.DefaultSelector()
        self.stop = threading.Event()
        self.quiet = threading.Event()  # set: all closed and none opened
        self.opens = self.events = self.refused = self.ended = 0
        self.lock = threading.Lock()

    def open(self, path):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        s.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                   f"Authorization: Bearer {self.token}\r\n\r\n").encode())
        s.setblocking(False)
        self.sel.register(s, selectors.EVENT_READ,
                          {"path": path, "until": time.monotonic() + random.uniform(20, 60),
                           "head": b"", "ok": None})
        self.opens += 1

    def close(self, key):
        self.sel.unregister(key.fileobj)
        key.fileobj.close()

    def run(self):
        while not self.stop.is_set():
            if self.quiet.is_set():
                for key in list(self.sel.get_map().values()):
                    self.close(key)
                time.sleep(0.2)
                continue
            have = [k.data["path"] for k in self.sel.get_map().values()]
            for path in STREAM_PATHS:
                for _ in range(STREAMS - have.count(path)):
                    try:
                        self.open(path)
                    except OSError as e:
                        self.refused += 1
                        print(f"soak: stream {path}: {e!r}", file=sys.stderr)
            now = time.monotonic()
            for key in list(self.sel.get_map().values()):
                if now > key.data["until"]:
                    self.close(key)
            for key, _ in self.sel.select(timeout=0.5):
                try:
                    data = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                d = key.data
                if d["ok"] is None:
                    d["head"] += data
                    if b"\r\n" in d["head"]:
                        d["ok"] = d["head"].startswith(b"HTTP/1.1 200")
                        if not d["ok"]:
                            self.refused += 1
                            print(f"soak: stream {d['path']}: {d['head'][:80]!r}", file=sys.stderr)
                self.events += data.count(b"\ndata:") + data.startswith(b"data:")
                if not data or d["ok"] is False:
                    if not data and d["ok"]:
                        self.ended += 1
                    self.close(key)
        for key in list(self.sel.get_map().values()):
            self.close(key)


def fd_targets(pid):
    out = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            t = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        t = re.sub(r"\[\d+\]", "[]", t)  # socket:[inode] -> socket:[]
        out[t] = out.get(t, 0) + 1
    return out


def status(pid):
    with open(f"/proc/{pid}/status") as f:
        text = f.read()
    rss = int(re.search(r"VmRSS:\s+(\d+)", text).group(1))
    threads = int(re.search(r"Threads:\s+(\d+)", text).group(1))
    return rss, len(os.listdir(f"/proc/{pid}/fd")), threads


def probe(port, token, n=10):
    out = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(n):
        t = time.monotonic()
        conn.request("GET", "/api/orders?limit=20", headers={"Authorization": "Bearer " + token})
        r = conn.getresponse()
        r.read()
        out.append((time.monotonic() - t) * 1000)
        if r.status != 200:
            raise RuntimeError(f"probe: {r.status}")
    conn.close()
    return out


def main():
    b = calls.Bench()
    ok = True
    try:
        b.start()
        b.add_agents(4)
        pid, port, token = b.kefu.pid, b.api.port, b.api.token
        load, streams = Load(port, token), Streams(port, token)
        threads = [threading.Thread(target=load.worker, daemon=True) for _ in range(WORKERS)]
        threads.append(threading.Thread(target=streams.run, daemon=True))
        for t in threads:
            t.start()
        uacs, placed, ncalls = [], 0, 0

        def quiet_count(label):
            """Pauses the load (no request, stream or call in flight) for a count."""
            load.run_ok.clear()
            streams.quiet.set()
            deadline = time.time() + 60
            while time.time() < deadline and (load.busy or any(p.poll() is None for p in uacs)
                                              or b.ready().get("talking", 0)):
                time.sleep(0.5)
            time.sleep(3)
            rss, fds, th = status(pid)
            quiet_fds[label] = fd_targets(pid)
            print(f"soak: quiet count {label}: fds {fds}, threads {th}, rss {rss / 1024:.1f} MB",
                  flush=True)
            load.run_ok.set()
            streams.quiet.clear()
            return fds, th

        quiet_fds = {}
        samples = []  # (t, rss kB, fds, threads, [probe ms])
        t0 = time.monotonic()
        warm_quiet = None
        next_sample = next_call = t0
        while time.monotonic() - t0 < SECONDS:
            now = time.monotonic()
            if warm_quiet is None and now - t0 >= WARM:
                warm_quiet = quiet_count("warm")
                next_call = time.monotonic()
            if now >= next_call:
                uacs = [p for p in uacs if p.poll() is None]
                uacs += b.callers(2, 1, 5000, 90, f"soak{placed}")
                placed += 1
                ncalls += 2
                next_call = now + CALL_EVERY
            if now >= next_sample:
                rss, fds, th = status(pid)
                lat = probe(port, token)
                samples.append((now - t0, rss, fds, th, lat))
                print(f"soak: t={now - t0:5.0f}s rss {rss / 1024:.1f} MB fds {fds} threads {th} "
                      f"probe p50 {pct(lat, .5):.1f} ms p99 {pct(lat, .99):.1f} ms "
                      f"requests {load.counts['requests']} streams {streams.opens} "
                      f"events {streams.events} calls {ncalls}", flush=True)
                next_sample = now + SAMPLE
            time.sleep(0.2)
        end_quiet = quiet_count("end")
        load.stop.set()
        streams.stop.set()
        for t in threads:
            t.join(10)
        failed_calls = sum(b.failed(f"soak{i}") for i in range(placed))

        warm = [s for s in samples if s[0] >= WARM]
        if len(warm) < 10:
            print("soak: FAIL: too short to judge (fewer than 10 warm samples)")
            return 1
        tenth = max(1, len(warm) // 10)
        first = [x for s in warm[:tenth] for x in s[4]]
        last = [x for s in warm[-tenth:] for x in s[4]]
        rss0, rss1 = warm[0][1], samples[-1][1]
        growth = (rss1 - rss0) / rss0
        p99a, p99b = pct(first, .99), pct(last, .99)
        allp = [x for s in warm for x in s[4]]
        print(f"soak: {SECONDS} s, {load.counts['requests']} requests "
              f"({load.counts['requests'] / SECONDS:.0f}/s; {load.counts}), {len(load.orders)} orders "
              f"created, {streams.opens} stream opens, {streams.events} events, "
              f"{streams.refused} refused, {streams.ended} ended by the server, "
              f"{ncalls} calls, {failed_calls} failed")
        print(f"soak: RSS {rss0 / 1024:.1f} MB warm (t={warm[0][0]:.0f}s) -> {rss1 / 1024:.1f} MB "
              f"end ({growth * 100:+.1f} %; max {max(s[1] for s in samples) / 1024:.1f} MB)")
        # The trend over the warm samples (least squares), which tells a
        # step (caches filling once) from a leak (a steady climb).
        n, mt = len(warm), sum(s[0] for s in warm) / len(warm)
        mr = sum(s[1] for s in warm) / n
        slope = sum((s[0] - mt) * (s[1] - mr) for s in warm) / \
            max(1e-9, sum((s[0] - mt) ** 2 for s in warm))
        half = warm[n // 2:]
        print(f"soak: RSS trend {slope * 3600 / 1024:+.1f} MB/hour over the warm samples, "
              f"{(half[-1][1] - half[0][1]) / 1024:+.1f} MB over the second half")
        print(f"soak: descriptors quiet {warm_quiet[0]} warm -> {end_quiet[0]} end (under load "
              f"{min(s[2] for s in warm)}..{max(s[2] for s in warm)}); threads {warm_quiet[1]} -> "
              f"{end_quiet[1]}")
        print(f"soak: probe p50 {pct(allp, .5):.1f} ms p99 {pct(allp, .99):.1f} ms over the run; "
              f"p99 first tenth {p99a:.1f} ms, last tenth {p99b:.1f} ms "
              f"(p50 {pct(first, .5):.1f} -> {pct(last, .5):.1f} ms)")
        if load.refusals:
            print(f"soak: 4xx answers: {load.refusals}")
        a, z = quiet_fds["warm"], quiet_fds["end"]
        for t in sorted(set(a) | set(z)):
            if a.get(t, 0) != z.get(t, 0):
                print(f"soak: descriptors to {t}: {a.get(t, 0)} warm, {z.get(t, 0)} end")
        if growth > RSS_GROWTH:
            print(f"soak: FAIL: RSS grew {growth * 100:.1f} % (at most {RSS_GROWTH * 100:.0f} %)")
            ok = False
        if end_quiet[0] > warm_quiet[0]:
            print("soak: FAIL: descriptors grew")
            ok = False
        if end_quiet[1] > warm_quiet[1]:
            print("soak: FAIL: threads grew")
            ok = False
        if p99b > p99a * LATENCY_FACTOR + LATENCY_SLACK_MS:
            print(f"soak: FAIL: probe p99 {p99a:.1f} -> {p99b:.1f} ms (at most "
                  f"{LATENCY_FACTOR:g}x + {LATENCY_SLACK_MS:g} ms)")
            ok = False
        if load.counts.get("5xx") or load.counts.get("4xx") or load.counts.get("failed") \
                or failed_calls or streams.refused:
            print("soak: FAIL: requests, calls or streams failed")
            ok = False
        print("soak: " + ("ok" if ok else "FAIL"))
        return 0 if ok else 1
    finally:
        b.stop()


if __name__ == "__main__":
    sys.exit(main())
