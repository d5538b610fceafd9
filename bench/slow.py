#!/usr/bin/env python3
"""make bench: slow clients and floods (issue 21). Does kefu keep serving
others while many clients hold connections open and send nothing useful?

One kefu with its shipped connection limits (http_max_connections 16384,
http_max_per_address 1024, http_max_pending 1024, http_request_timeout_sec
30; src/http/conns.h). A normal client (127.0.0.1) asks GET
/api/orders?limit=20 on a new connection every 50 ms throughout, and its
latency and failures are measured in each phase:

1. baseline: no one else;
2. slowloris: SLOW_CLIENTS (default 2000) connections from 20 loopback
   addresses (127.0.50.x, fewer than 1024 each), each sending its request
   head one byte a second;
3. slow body: SLOW_CLIENTS connections each sending a whole head of
   POST /api/orders with Content-Length 1000, then the body one byte a
   second;
4. one address: 1200 connections from 127.0.60.1 that send nothing
   (above http_max_per_address).

Phases 2 and 3 last SLOW_SECONDS (default 40, past the 30 s timeout). For
each: the slow connections still open at the end, those kefu closed and
after how long (shortest, median), and the normal client's p50, p99, max
and failures. Figures go to standard output; docs/performance.md records
them. Run by hand: python3 bench/slow.py (KEFU_BIN, default build/kefu).
"""
import http.client
import os
import resource
import select
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chat import Kefu  # noqa: E402  (kefu on a fresh demo database)

N = int(os.environ.get("SLOW_CLIENTS", "2000"))
SECONDS = int(os.environ.get("SLOW_SECONDS", "40"))
ONE_ADDRESS = 1200


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else 0.0


class Normal(threading.Thread):
    """The normal client: a new connection per request, every 50 ms."""

    def __init__(self, port, token):
        super().__init__(daemon=True)
        self.port, self.token = port, token
        self.lat, self.failed, self.stop = [], 0, False

    def run(self):
        while not self.stop:
            t = time.monotonic()
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                c.request("GET", "/api/orders?limit=20",
                          headers={"Authorization": "Bearer " + self.token})
                r = c.getresponse()
                r.read()
                c.close()
                if r.status == 200:
                    self.lat.append((time.monotonic() - t) * 1000)
                else:
                    self.failed += 1
            except OSError:
                self.failed += 1
            time.sleep(0.05)

    def take(self):
        lat, failed = self.lat, self.failed
        self.lat, self.failed = [], 0
        return (f"normal client: {len(lat)} answered, p50 {pct(lat, .5):.1f} ms, "
                f"p99 {pct(lat, .99):.1f} ms, max {max(lat, default=0):.1f} ms, {failed} failed")


def readable(socks):
    """The sockets with something to read (or closed): poll, as select()
    cannot watch descriptors above 1023."""
    p = select.poll()
    by_fd = {s.fileno(): s for s in socks}
    for fd in by_fd:
        p.register(fd, select.POLLIN)
    return [by_fd[fd] for fd, _ in p.poll(0)]


def connect(port, src):
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    s.setblocking(False)
    return s


def trickle(port, head, data, label, addrs=20):
    """N connections sending head at once and then data one byte a second."""
    socks, refused = {}, 0
    t0 = time.monotonic()
    for i in range(N):
        try:
            s = connect(port, f"127.0.50.{i % addrs + 1}")
            if head:
                s.send(head)
            socks[s] = [0, time.monotonic()]
        except OSError:
            refused += 1
    print(f"{label}: {len(socks)} connections open in {time.monotonic() - t0:.1f} s, "
          f"{refused} refused", flush=True)
    closed = []
    end = time.monotonic() + SECONDS
    while time.monotonic() < end:
        tick = time.monotonic()
        for s in readable(socks):
            try:
                got = s.recv(4096)
            except OSError:
                got = b""
            if not got or got.startswith(b"HTTP/"):
                closed.append(time.monotonic() - socks.pop(s)[1])
                s.close()
        for s, st in list(socks.items()):
            if st[0] < len(data):
                try:
                    s.send(data[st[0]:st[0] + 1])
                    st[0] += 1
                except OSError:
                    closed.append(time.monotonic() - socks.pop(s)[1])
                    s.close()
        time.sleep(max(0, 1 - (time.monotonic() - tick)))
    early = sum(1 for c in closed if c < 29)
    print(f"{label}: after {SECONDS} s {len(socks)} still open, {len(closed)} closed by kefu: "
          f"{early} before 29 s (the oldest waiting, past http_max_pending), "
          f"{len(closed) - early} later (http_request_timeout_sec; median of all "
          f"{pct(closed, .5):.1f} s, latest {max(closed, default=0):.1f} s)", flush=True)
    for s in socks:
        s.close()


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    k = Kefu(limits={})
    try:
        token = k.login("8001")
        normal = Normal(k.port, token)
        normal.start()
        time.sleep(5)
        print("baseline: " + normal.take(), flush=True)

        trickle(k.port, b"", b"GET /api/orders?limit=20 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"User-Agent: slowloris\r\nX-a: " + b"b" * 200 + b"\r\n\r\n", "slowloris")
        print("slowloris: " + normal.take(), flush=True)
        time.sleep(2)
        normal.take()

        trickle(k.port, b"POST /api/orders HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 1000\r\n"
                b"Authorization: Bearer " + token.encode() + b"\r\n\r\n", b" " * 1000, "slow body")
        print("slow body: " + normal.take(), flush=True)
        time.sleep(2)
        normal.take()

        socks, refused = [], 0
        for _ in range(ONE_ADDRESS):
            try:
                socks.append(connect(k.port, "127.0.60.1"))
            except OSError:
                refused += 1
        time.sleep(2)
        gone = 0
        for s in readable(socks):
            try:
                if not s.recv(4096):
                    gone += 1
            except OSError:
                gone += 1
        print(f"one address: {ONE_ADDRESS} connections from 127.0.60.1: {refused} refused at "
              f"connect, {gone} closed by kefu at once, {len(socks) - gone} held", flush=True)
        time.sleep(3)
        print("one address: " + normal.take(), flush=True)
        for s in socks:
            s.close()
        normal.stop = True
        normal.join(12)
        with open(k.log.name) as f:
            warn = [line for line in f if "http:" in line and "WARN" in line.upper()]
        print(f"kefu's log: {len(warn)} http warnings (rate-limited), first: "
              f"{warn[0].strip() if warn else '-'}")
    finally:
        k.stop()


if __name__ == "__main__":
    main()
