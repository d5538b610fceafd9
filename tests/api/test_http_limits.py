"""Connection exhaustion (issue 12, item 17): slow clients are cut off after
http_request_timeout_sec, half-open connections cannot take the room new
clients need, one address holds at most http_max_per_address connections,
and behind a trusted proxy the client X-Forwarded-For names is the one
counted (and logged in, throttled, audited).

Loopback has a whole /8, so the "addresses" here are 127.0.0.2 and up:
each test socket binds its source address before connecting."""
import json
import select
import socket
import time

from apihelp import db_value, parse_raw_response, raw_socket
from harness import KefuTestCase


def connect(srv, source, timeout=10):
    return socket.create_connection(("127.0.0.1", srv.port), timeout=timeout,
                                    source_address=(source, 0))


def closed_by_server(s, timeout):
    """True when the server closes s (end of stream or reset) within timeout seconds."""
    r, _, _ = select.select([s], [], [], timeout)
    if not r:
        return False
    try:
        return s.recv(4096) == b""
    except (ConnectionResetError, socket.timeout):
        return True


def trickle_until_cut(socks, byte, seconds=30):
    """Sends byte on each socket about every 0.3 s until the server closes it; returns the
    sockets still open after seconds (none, when the server cuts slow clients off)."""
    open_ = list(socks)
    start = time.monotonic()
    while open_ and time.monotonic() - start < seconds:
        for s in list(open_):
            try:
                s.sendall(byte)
            except (BrokenPipeError, ConnectionResetError):
                open_.remove(s)
                continue
            if closed_by_server(s, 0.3 / len(open_)):
                open_.remove(s)
    return open_


def get(srv, source, path, headers=b""):
    """One GET with Connection: close from source; (status, headers, body)."""
    return parse_raw_response(raw_socket(
        srv, b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
        headers + b"\r\n", source=source))


def open_stream(test, srv, source, headers):
    """An event stream (GET /api/events) from source, its 200 read; (socket, what followed)."""
    s = connect(srv, source, timeout=40)
    s.sendall(b"GET /api/events HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        test.assertNotEqual(chunk, b"")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    test.assertIn(b" 200 ", head.split(b"\r\n")[0])
    return s, rest


class SlowClientsTest(KefuTestCase):
    """The issue's attack: 2,080 connections holding partial headers, 520 from each of
    four addresses, where the old fixed limits (2,000 in all, 512 an address) refused
    everyone else."""
    server_env = {"KEFU_HTTP_REQUEST_TIMEOUT_SEC": "2", "KEFU_HTTP_MAX_PENDING": "300",
                  "KEFU_HTTP_MAX_PER_ADDRESS": "600", "KEFU_HTTP_MAX_CONNECTIONS": "4000"}

    def test_a_new_client_is_served_while_four_addresses_hold_partial_headers(self):
        held = []
        try:
            for a in range(2, 6):
                for _ in range(520):
                    s = connect(self.srv, f"127.0.0.{a}")
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                    held.append(s)
            st, _, body = get(self.srv, "127.0.0.6", "/healthz")
            self.assertEqual(st, 200, body)
            self.assertEqual(json.loads(body)["status"], "ok")
            self.srv.wait_log(r"more than http_max_pending \(300\) connections were waiting for "
                              r"a request: closed the oldest, from 127\.0\.0\.[2-5]")
        finally:
            for s in held:
                s.close()

    def test_a_client_sending_its_headers_a_byte_at_a_time_is_cut_off(self):
        """Every byte resets libmicrohttpd's idle timeout; the request deadline does not
        move. Each of these sends a byte every 0.3 s for as long as it is open."""
        socks = [connect(self.srv, "127.0.0.7") for _ in range(10)]
        try:
            for s in socks:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            self.assertEqual(trickle_until_cut(socks, b"X"), [], "every slow client was cut off")
            self.srv.wait_log(r"that sent no whole request within http_request_timeout_sec "
                              r"\(2 s\)")
        finally:
            for s in socks:
                s.close()

    def test_a_slow_body_is_cut_off(self):
        with connect(self.srv, "127.0.0.8") as s:
            s.sendall(b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 200\r\n\r\n{")
            self.assertEqual(trickle_until_cut([s], b" "), [], "a body that never ends is cut off")

    def test_an_established_request_outlives_the_deadline(self):
        """Only connections waiting for a request are cut: an event stream that was
        answered stays open past http_request_timeout_sec."""
        token = self.srv.login("8101")
        s, rest = open_stream(self, self.srv, "127.0.0.9",
                              b"Authorization: Bearer " + token.encode() + b"\r\n")
        with s:
            # The stream's keep-alive comment comes after 15 s of silence: by then the
            # 2 s deadline has passed many times over.
            while b": keepalive" not in rest:
                chunk = s.recv(4096)
                self.assertNotEqual(chunk, b"", "the stream was not closed")
                rest += chunk


class TrustedProxyTest(KefuTestCase):
    """127.0.0.1 (the harness's own address) is the trusted proxy; 127.0.0.2 and up are
    clients that reach kefu directly."""
    server_env = {"KEFU_TRUSTED_PROXIES": "127.0.0.1", "KEFU_HTTP_MAX_PER_ADDRESS": "3"}

    def login_from(self, source, xff):
        body = json.dumps({"work_no": "8101", "password": "wrong-password-1"}).encode()
        st, _, _ = parse_raw_response(raw_socket(
            self.srv, b"POST /api/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nX-Forwarded-For: " + xff.encode() +
            b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body,
            source=source))
        self.assertEqual(st, 401)
        return db_value(self.srv, "SELECT address FROM audit WHERE action = 'login'"
                        " ORDER BY id DESC LIMIT 1")

    def test_the_client_is_the_one_the_proxy_names(self):
        cases = [
            ("127.0.0.1", "203.0.113.9", "203.0.113.9"),
            # Read from the right: what the client wrote itself further left is not trusted.
            ("127.0.0.1", "198.51.100.77, 203.0.113.10", "203.0.113.10"),
            # Proxies in a chain are skipped.
            ("127.0.0.1", "203.0.113.11, 127.0.0.1", "203.0.113.11"),
            # Garbage leaves the proxy's own address.
            ("127.0.0.1", "not-an-address", "127.0.0.1"),
            # From anyone else X-Forwarded-For is ignored.
            ("127.0.0.2", "203.0.113.12", "127.0.0.2"),
        ]
        for source, xff, want in cases:
            with self.subTest(source=source, xff=xff):
                self.assertEqual(self.login_from(source, xff), want)

    def test_per_address_limit_counts_the_forwarded_client(self):
        token = self.srv.login("8101")
        auth = b"Authorization: Bearer " + token.encode() + b"\r\n"
        streams = [open_stream(self, self.srv, "127.0.0.1",
                               auth + b"X-Forwarded-For: 198.51.100.1\r\n")[0]
                   for _ in range(3)]
        try:
            st, _, body = get(self.srv, "127.0.0.1", "/api/me",
                              auth + b"X-Forwarded-For: 198.51.100.1\r\n")
            self.assertEqual(st, 429, body)
            self.assertEqual(json.loads(body)["error"]["code"], "too_many_requests")
            st, _, body = get(self.srv, "127.0.0.1", "/api/me",
                              auth + b"X-Forwarded-For: 198.51.100.2\r\n")
            self.assertEqual(st, 200, body)
        finally:
            for s in streams:
                s.close()
        # A request counts only while it lasts: one after the other, more than three.
        for _ in range(5):
            st, _, body = get(self.srv, "127.0.0.1", "/api/me",
                              auth + b"X-Forwarded-For: 198.51.100.3\r\n")
            self.assertEqual(st, 200, body)

    def test_a_direct_client_over_its_limit_is_closed_and_others_served(self):
        held = [connect(self.srv, "127.0.0.3") for _ in range(3)]
        try:
            # Each held connection is first answered once (kept alive), so kefu has
            # surely accepted and counted all three before the fourth arrives.
            for s in held:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                s.settimeout(30)
                self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 200"))
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            with connect(self.srv, "127.0.0.3") as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                self.assertTrue(closed_by_server(s, 10), "the fourth connection is closed")
            st, _, _ = get(self.srv, "127.0.0.4", "/healthz")
            self.assertEqual(st, 200)
            self.srv.wait_log(r"closed a new connection from 127\.0\.0\.3: it has more than "
                              r"http_max_per_address \(3\) open")
        finally:
            for s in held:
                s.close()
