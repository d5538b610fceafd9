#!/usr/bin/env python3
"""make bench, part 6: web chat with many visitors at once (issue 18; see
docs/performance.md, "Web chat").

kefu with a temporary demo center and one web-chat account whose per-address
limits are raised (every visitor here comes from 127.0.0.1). BENCH_CHAT_VISITORS
(1000) visitors each make a session, open their event stream
(GET /api/public/chat/{account}/stream, held open for the whole run) and
write one message, which opens their conversation; the supervisor takes
every conversation (a supervisor takes over without the chat capacity). Then
the supervisor replies to the conversations one after another at
BENCH_CHAT_RATE (100) replies a second for BENCH_CHAT_SECS (20) seconds, each
reply carrying a unique mark, and one thread reads every stream with
selectors and notes when each mark arrives. Measured: the delivery time of a
reply from just before its POST to its arrival on the visitor's stream
(p50, p99, max), replies lost, kefu's CPU and RSS with the streams open.

Run by hand: python3 bench/chat.py (KEFU_BIN, default build/kefu).
"""
import http.client
import json
import os
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

BIN = os.environ.get("KEFU_BIN", "build/kefu")
VISITORS = int(os.environ.get("BENCH_CHAT_VISITORS", "1000"))
RATE = float(os.environ.get("BENCH_CHAT_RATE", "100"))
SECS = float(os.environ.get("BENCH_CHAT_SECS", "20"))


class Kefu:
    """kefu on a fresh demo database. limits: the HTTP server's connection
    limits as environment settings (by default raised far out of the way;
    bench/slow.py passes {} to measure the shipped ones)."""

    def __init__(self, limits=None):
        self.dir = tempfile.mkdtemp(prefix="kefu-bench-chat-")
        self.db = os.path.join(self.dir, "kefu.db")
        env = dict(os.environ, KEFU_PWHASH="min", KEFU_LOG_LEVEL="warn",
                   KEFU_ATTACHMENTS_DIR=os.path.join(self.dir, "att"))
        env.update({"KEFU_HTTP_MAX_PER_ADDRESS": "8192", "KEFU_HTTP_MAX_PENDING": "8192"}
                   if limits is None else limits)
        out = subprocess.run([BIN, "init", "--demo", "--db", self.db], env=env, check=True,
                             capture_output=True, text=True).stdout
        self.passwords = dict(re.findall(r"^  (\S+)\s+\S+\s+(\S{16})\s", out, re.M))
        self.log = open(os.path.join(self.dir, "log"), "w+")
        env["KEFU_LOG_LEVEL"] = "info"
        self.proc = subprocess.Popen([BIN, "serve", "--db", self.db, "--listen", "127.0.0.1:0"],
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.port = None
        for _ in range(300):
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/",
                          open(self.log.name).read())
            if m:
                self.port = int(m.group(1))
                break
            time.sleep(0.05)
        if not self.port:
            raise RuntimeError("kefu did not start:\n" + open(self.log.name).read())

    def call(self, method, path, body=None, token=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = {"Content-Type": "application/json"}
        if token:
            h["Authorization"] = "Bearer " + token
        h.update(headers or {})
        conn.request(method, path, json.dumps(body) if body is not None else None, h)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, (json.loads(data) if data else None)

    def login(self, work_no):
        """A token; the initial password is changed first (the server asks for that)."""
        st, b = self.call("POST", "/api/login", {"work_no": work_no,
                                                 "password": self.passwords[work_no]})
        assert st == 200, b
        if b["person"]["must_change_password"]:
            new = "Bench-" + work_no + "-chat-2026"
            st, c = self.call("POST", "/api/me/password", {
                "old_password": self.passwords[work_no], "new_password": new}, token=b["token"])
            assert st == 200, c
        return b["token"]

    def cpu_rss(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        ticks = int(parts[11]) + int(parts[12])
        with open(f"/proc/{self.proc.pid}/status") as f:
            rss = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
        return ticks / os.sysconf("SC_CLK_TCK"), rss

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


class Streams:
    """Every visitor's event stream on one selector; arrival times of the marks."""

    def __init__(self, port):
        self.port = port
        self.sel = selectors.DefaultSelector()
        self.seen = {}
        self.stop = False
        self.lock = threading.Lock()

    def open(self, account, token):
        s = socket.create_connection(("127.0.0.1", self.port))
        s.sendall((f"GET /api/public/chat/{account}/stream?token={token} HTTP/1.1\r\n"
                   f"Host: 127.0.0.1:{self.port}\r\nAccept: text/event-stream\r\n\r\n").encode())
        s.setblocking(False)
        self.sel.register(s, selectors.EVENT_READ, bytearray())

    def run(self):
        mark = re.compile(rb"bench-mark-(\d+)")
        while not self.stop:
            for key, _ in self.sel.select(timeout=0.2):
                try:
                    data = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                if not data:
                    self.sel.unregister(key.fileobj)
                    continue
                now = time.monotonic()
                buf = key.data
                buf += data
                for m in mark.finditer(buf):
                    with self.lock:
                        self.seen.setdefault(int(m.group(1)), now)
                # Keep only an unfinished tail: a mark is never split across it.
                del buf[:max(0, len(buf) - 64)]


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")


def main():
    k = Kefu()
    try:
        mgr, sup = k.login("8001"), k.login("8002")
        st, acc = k.call("POST", "/api/chan/accounts", {
            "channel": "web_chat", "name": "bench", "config": {
                "origins": ["*"], "per_address_min": 100000, "sessions_per_hour": 100000,
                "per_visitor_min": 1000, "queue_timeout_sec": 3600}}, token=mgr)
        assert st == 201, acc
        aid = acc["id"]
        streams = Streams(k.port)
        visitors = []
        t0 = time.monotonic()
        for i in range(VISITORS):
            st, v = k.call("POST", f"/api/public/chat/{aid}/session", {})
            assert st in (200, 201), v
            streams.open(aid, v["token"])
            st, m = k.call("POST", f"/api/public/chat/{aid}/messages", {"text": f"访客 {i} 你好"},
                           headers={"X-Visitor-Token": v["token"]})
            assert st in (200, 201), m
            visitors.append(v)
        reader = threading.Thread(target=streams.run, daemon=True)
        reader.start()
        print(f"chat: {VISITORS} visitors with their streams open in {time.monotonic() - t0:.1f} s")
        convs = []
        cursor = None
        while True:
            q = "/api/conversations?state=active&limit=200" + (f"&cursor={cursor}" if cursor else "")
            st, page = k.call("GET", q, token=sup)
            assert st == 200, page
            convs += [c["id"] for c in page["items"] if c["channel"] == "web_chat"]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        for c in convs:
            st, b = k.call("POST", f"/api/conversations/{c}/take", token=sup)
            assert st == 200, b
        print(f"chat: {len(convs)} conversations taken by the supervisor")
        cpu0, _ = k.cpu_rss()
        sent = {}
        n = 0
        start = time.monotonic()
        while time.monotonic() - start < SECS:
            due = start + n / RATE
            if time.monotonic() < due:
                time.sleep(due - time.monotonic())
            c = convs[n % len(convs)]
            sent[n] = time.monotonic()
            st, b = k.call("POST", f"/api/conversations/{c}/messages",
                           {"text": f"您好，这是回复 bench-mark-{n}"}, token=sup)
            assert st == 201, b
            n += 1
        time.sleep(2)
        streams.stop = True
        reader.join()
        cpu1, rss = k.cpu_rss()
        lat = [(streams.seen[i] - sent[i]) * 1000 for i in sent if i in streams.seen]
        lost = len(sent) - len(lat)
        print(f"chat: {len(sent)} replies at {RATE:g}/s to {len(convs)} visitors: delivered "
              f"p50 {pct(lat, 0.5):.1f} ms, p99 {pct(lat, 0.99):.1f} ms, max {max(lat):.1f} ms;"
              f" lost {lost}; kefu CPU {100 * (cpu1 - cpu0) / SECS:.0f} %, RSS {rss // 1024} MiB")
        return 1 if lost else 0
    finally:
        k.stop()


if __name__ == "__main__":
    sys.exit(main())
