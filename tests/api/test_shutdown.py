"""Graceful stop: SIGTERM lets requests in flight finish, exits 0 and leaves a
checkpointed, consistent database behind."""
import json
import os
import signal
import socket
import subprocess
import threading
import time

from apihelp import parse_raw_response
from harness import KefuTestCase, kefu_bin


class StopMixin:
    def stop_and_check(self):
        """Waits for the SIGTERM'd server to exit; checks exit code, WAL and `kefu check`."""
        srv = self.srv
        code = srv.proc.wait(timeout=30)
        self.assertEqual(code, 0, srv.read_log()[-2000:])
        log = srv.read_log()
        self.assertIn("stopped", log)
        wal = srv.db + "-wal"
        wal_size = os.path.getsize(wal) if os.path.exists(wal) else 0
        self.assertEqual(wal_size, 0, "the WAL is checkpointed into the database at stop")
        proc = srv.cli("check", check=False)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("ok", proc.stdout)


class SlowLoginDuringStopTest(StopMixin, KefuTestCase):
    def test_login_in_flight_during_sigterm_completes(self):
        srv = self.srv
        # A password hashed at a real cost makes the login slow (argon2id, hundreds of ms).
        env = dict(srv.env, KEFU_PWHASH="moderate")
        password = "slow-password-to-check"
        proc = subprocess.run([kefu_bin(), "user", "--db", srv.db, "passwd", "8101", "--stdin"], env=env,
                              input=password + "\n", capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        # Write something so the WAL holds pages to checkpoint at stop.
        admin = srv.login("admin")
        st, _, _ = srv.call("POST", "/api/departments", {"name": "停机前", "kind": "other"}, token=admin)
        self.assertEqual(st, 201)

        result = {}
        sent = threading.Event()

        def slow_login():
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
            body = json.dumps({"work_no": "8101", "password": password}).encode()
            s.sendall(b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            sent.set()
            data = b""
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except OSError as e:
                result["error"] = e
            result["at"] = time.monotonic()
            result["data"] = data
            s.close()

        t = threading.Thread(target=slow_login)
        t.start()
        self.assertTrue(sent.wait(10))
        time.sleep(0.05)  # let the server take the request off the socket
        sigterm_at = time.monotonic()
        srv.proc.send_signal(signal.SIGTERM)
        t.join(60)
        self.assertFalse(t.is_alive())
        self.assertTrue(result.get("data"), f"no answer: {result.get('error')}")
        status, _, body = parse_raw_response(result["data"])
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["person"]["work_no"], "8101")
        self.assertGreater(result["at"], sigterm_at, "the answer came after SIGTERM")
        self.stop_and_check()


class BodyInFlightDuringStopTest(StopMixin, KefuTestCase):
    def test_request_whose_body_arrives_after_sigterm_completes(self):
        srv = self.srv
        admin = srv.login("admin")
        body = json.dumps({"name": "信号后", "kind": "other"}).encode()
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
        s.sendall(b"POST /api/departments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Authorization: Bearer " + admin.encode() + b"\r\nConnection: close\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(body) + body[:5])
        time.sleep(0.2)  # the server has the headers and part of the body
        srv.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)  # it is stopping now, waiting for this request
        self.assertIsNone(srv.proc.poll(), "the server waits for the request in flight")
        s.sendall(body[5:])
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        status, _, answer = parse_raw_response(data)
        self.assertEqual(status, 201, answer)
        self.stop_and_check()
        self.assertEqual(srv.count("SELECT count(*) FROM department WHERE name = '信号后'"), 1)


class NoNewConnectionsAfterStopTest(StopMixin, KefuTestCase):
    def test_idle_server_stops_promptly_and_cleanly(self):
        srv = self.srv
        admin = srv.login("admin")
        for i in range(5):
            st, _, _ = srv.call("POST", "/api/departments", {"name": f"停{i}", "kind": "other"},
                                token=admin)
            self.assertEqual(st, 201)
        # An idle keep-alive connection must not hold the stop up.
        idle = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        srv.proc.send_signal(signal.SIGTERM)
        srv.proc.wait(timeout=5)  # not the 10 s a request in flight may take
        idle.close()
        self.stop_and_check()
        self.assertEqual(srv.count("SELECT count(*) FROM department WHERE name LIKE '停%'"), 5)


class NewConnectionsDuringStopTest(KefuTestCase):
    def test_new_connections_are_refused_while_finishing(self):
        """serve.c: on a signal the server stops taking connections. A client that connects
        while a slow request finishes is told so at once, not left hanging."""
        srv = self.srv
        admin = srv.login("admin")
        body = json.dumps({"name": "慢请求", "kind": "other"}).encode()
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
        s.sendall(b"POST /api/departments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Authorization: Bearer " + admin.encode() + b"\r\nConnection: close\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(body) + body[:5])
        time.sleep(0.2)
        srv.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        outcome = None
        try:
            late = socket.create_connection(("127.0.0.1", srv.port), timeout=2)
            late.settimeout(2)
            try:
                late.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                data = late.recv(1000)
                outcome = "answered" if data else "closed"
            except socket.timeout:
                outcome = "hung"
            except OSError:
                outcome = "reset"
            finally:
                late.close()
        except OSError:
            outcome = "refused"
        # Let the request in flight finish, so the server stops cleanly either way.
        s.sendall(body[5:])
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        self.assertEqual(parse_raw_response(data)[0], 201)
        self.assertEqual(srv.proc.wait(timeout=30), 0)
        self.assertIn(outcome, ("refused", "reset", "closed"),
                      "a connection made during the stop hung until the server exited")
