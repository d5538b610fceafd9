"""A real kefu server for API tests: a temporary database with the demo
center, a free loopback port, the test clock, and helpers to talk to it.

Each test class starts its own server in setUpClass (see KefuTestCase), so
classes never share state. The binary comes from $KEFU_BIN.
"""
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from contract import Contract, ContractError

DEFAULT_BIN = os.path.join(os.path.dirname(__file__), "..", "..", "build", "kefu")
CONTRACT = Contract()


def taken_over_password(work_no):
    """The password the harness gives an account it takes over."""
    return f"Kefu-test-{work_no}-pw"


def kefu_bin():
    """The binary under test, read at each start: tests/run.py switches builds between passes."""
    return os.environ.get("KEFU_BIN", DEFAULT_BIN)


class Server:
    def __init__(self, extra_env=None, demo=True):
        self.dir = tempfile.mkdtemp(prefix="kefu-test-")
        self.db = os.path.join(self.dir, "kefu.db")
        # Recordings and attachments go to the server's own directory, removed with
        # it; by default kefu writes them under var/ of its working directory.
        self.env = dict(os.environ, KEFU_PWHASH="min", KEFU_LOG_LEVEL="info",
                        KEFU_RECORDINGS_DIR=os.path.join(self.dir, "recordings"),
                        KEFU_ATTACHMENTS_DIR=os.path.join(self.dir, "attachments"))
        self.env.update(extra_env or {})
        self.passwords = {}
        # Answers that broke the contract; a test that caught the ContractError raised
        # at the time still fails its class in tearDownClass.
        self.contract_violations = []
        out = self.cli("init", *(["--demo"] if demo else []))
        for line in out.splitlines():
            m = re.match(r"^  (\S+)\s+(\S+)\s+(\S{16})\s+(.+)$", line)
            if m:
                self.passwords[m.group(1)] = m.group(3)
        self.log_path = os.path.join(self.dir, "server.log")
        self.log = open(self.log_path, "w+")
        self._start()

    def _start(self):
        self.proc = subprocess.Popen(
            [kefu_bin(), "serve", "--db", self.db, "--listen", "127.0.0.1:0", "--test-clock"],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        self.port = None
        deadline = time.time() + 30
        while time.time() < deadline and self.port is None:
            with open(self.log_path) as f:
                m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", f.read())
            if m:
                self.port = int(m.group(1))
            elif self.proc.poll() is not None:
                break
            else:
                time.sleep(0.05)
        if self.port is None:
            raise RuntimeError("kefu did not start:\n" + self.read_log())

    def restart(self, crash=False):
        """Stops the server (SIGTERM, or SIGKILL with crash=True: no shutdown at all)
        and starts a new one on the same database."""
        self.proc.send_signal(signal.SIGKILL if crash else signal.SIGTERM)
        self.proc.wait(timeout=30)
        self.log.truncate(0)
        self.log.seek(0)
        self._start()

    def cli(self, *args, stdin=None, check=True):
        proc = subprocess.run([kefu_bin(), args[0], "--db", self.db, *args[1:]], env=self.env,
                              input=stdin, capture_output=True, text=True, timeout=120)
        if check and proc.returncode != 0:
            raise RuntimeError(f"kefu {' '.join(args)} failed: {proc.stderr}")
        return proc.stdout if check else proc

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()

    def wait_log(self, pattern, timeout=15):
        """The first match of pattern (a regex, multi-line) in the log, waited for."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = re.search(pattern, self.read_log(), re.M)
            if m:
                return m
            time.sleep(0.05)
        raise AssertionError(f"no log line {pattern!r}:\n" + self.read_log()[-3000:])

    def sip_port(self):
        """The UDP port the SIP thread listens on (sip_listen 127.0.0.1:0)."""
        return int(self.wait_log(r"sip: listening on udp:127\.0\.0\.1:(\d+)").group(1))

    def kill_if_running(self):
        """Ends a server that stop() never ended (its class failed to set up)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            self.log.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    def stop(self):
        """Stops the server; returns its exit code. Sanitizer reports fail the test run."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        log = self.read_log()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        if "AddressSanitizer" in log or "runtime error:" in log or "LeakSanitizer" in log:
            raise AssertionError("sanitizer report in server log:\n" + log[-6000:])
        self.last_log = log
        return self.proc.returncode

    # HTTP

    def raw(self, method, path, body=None, headers=None):
        """Sends bytes as they are; returns (status, headers dict, body bytes). Every
        answer is checked against docs/openapi.json (check_contract)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            rh = {k.lower(): v for k, v in resp.getheaders()}
        finally:
            conn.close()
        self.check_contract(method, path, resp.status, rh, data)
        return resp.status, rh, data

    def check_contract(self, method, path, status, headers, body):
        """Raises ContractError when the answer is not what docs/openapi.json documents
        for its route and status. For tests that talk HTTP without raw()."""
        problems = CONTRACT.check(method, path, status, headers, body)
        if problems:
            self.contract_violations.extend(problems)
            raise ContractError("the answer departs from docs/openapi.json:\n  " +
                                "\n  ".join(problems))

    def call(self, method, path, body=None, token=None, headers=None):
        """JSON in, JSON out: returns (status, parsed body or None, headers)."""
        # The server answers errors in Chinese unless asked otherwise; the
        # tests read the English messages. A header given as None is left out.
        h = {"Accept-Language": "en"}
        h.update(headers or {})
        h = {k: v for k, v in h.items() if v is not None}
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) else json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        if token:
            h["Authorization"] = "Bearer " + token
        status, rh, raw = self.raw(method, path, data, h)
        parsed = None
        if raw and rh.get("content-type", "").startswith("application/json"):
            parsed = json.loads(raw)
        return status, parsed, rh

    def login(self, work_no, password=None):
        """A bearer token for work_no. An account still on its initial password is taken
        over first: the server serves nothing else until it is changed (issue 12 item 22),
        so its password becomes taken_over_password(work_no), kept in self.passwords."""
        password = password or self.passwords[work_no]
        status, body, _ = self.call("POST", "/api/login", {
            "work_no": work_no, "password": password})
        if status != 200:
            raise AssertionError(f"login {work_no}: {status} {body}")
        if body["person"]["must_change_password"]:
            self.change_password(work_no, body["token"], password)
        return body["token"]

    def change_password(self, work_no, token, old):
        """Replaces work_no's password by taken_over_password(work_no); the session stays."""
        new = taken_over_password(work_no)
        status, body, _ = self.call("POST", "/api/me/password",
                                    {"old_password": old, "new_password": new}, token=token)
        if status != 200:
            raise AssertionError(f"password change of {work_no}: {status} {body}")
        self.passwords[work_no] = new
        return new

    def advance(self, ms):
        status, body, _ = self.call("POST", "/api/test/clock", {"advance_ms": ms})
        assert status == 200, body
        return body["now"]

    def audit(self, token, **filters):
        q = "&".join(f"{k}={v}" for k, v in filters.items())
        status, body, _ = self.call("GET", "/api/audit?" + q, token=token)
        assert status == 200, body
        return body["items"]

    def count(self, sql):
        """Reads the database directly (sqlite3 CLI), to prove nothing was written."""
        out = subprocess.run(["sqlite3", self.db, sql], capture_output=True, text=True, check=True)
        return int(out.stdout.strip() or 0)


class KefuTestCase(unittest.TestCase):
    """A test class with its own server in self.srv (demo center loaded)."""

    server_env = None

    @classmethod
    def class_temp_dir(cls, prefix):
        """A new directory under the temporary directory, removed when the class ends
        (also when its setUpClass fails): prompts, recordings, work files of a class."""
        d = tempfile.mkdtemp(prefix=prefix)
        cls.addClassCleanup(shutil.rmtree, d, True)
        return d

    @classmethod
    def setUpClass(cls):
        cls.srv = Server(cls.server_env)
        # When a subclass's setUpClass fails after this, tearDownClass never
        # runs, but class cleanups do: the server must not outlive its class.
        cls.addClassCleanup(cls.srv.kill_if_running)

    @classmethod
    def tearDownClass(cls):
        code = cls.srv.stop()
        if code != 0:
            # The log's end says why (an abort's message, the last requests).
            raise AssertionError(f"kefu exited with {code} on SIGTERM; its log ends:\n" +
                                 cls.srv.last_log[-4000:])
        if cls.srv.contract_violations:
            raise ContractError("answers departed from docs/openapi.json:\n  " +
                                "\n  ".join(cls.srv.contract_violations))

    def assertError(self, resp, status, code=None, field=None):
        st, body, _ = resp
        self.assertEqual(st, status, body)
        self.assertIsInstance(body, dict, "error answers are JSON")
        self.assertIn("error", body)
        if code:
            self.assertEqual(body["error"]["code"], code)
        if field:
            self.assertEqual(body["error"].get("field"), field)
        self.assertTrue(body["error"]["message"])
