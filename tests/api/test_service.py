"""kefu as a systemd service (issue 22, docs/operations.md): the sd_notify
protocol (READY=1, WATCHDOG=1 while ready, RELOADING=1, STOPPING=1) read from
a datagram socket the test binds as NOTIFY_SOCKET, lines for the journal
under JOURNAL_STREAM ("<6>" priority prefixes), and SIGHUP's reload of the
configuration file: a reloadable key takes effect, a key that needs a
restart is named, a broken file keeps the running configuration.

One server for the whole class, with the watchdog at 0.4 s so it is fed
every 0.2 s."""
import os
import re
import shutil
import signal
import socket
import tempfile
import time

from harness import KefuTestCase, Server


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


class ServiceTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="kefu-service-")
        cls.addClassCleanup(shutil.rmtree, cls.work, True)
        cls.sock_path = os.path.join(cls.work, "notify")
        cls.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        cls.sock.bind(cls.sock_path)
        cls.addClassCleanup(cls.sock.close)
        cls.conf = os.path.join(cls.work, "kefu.conf")
        write(cls.conf, "access_log = no\nbusy_max_min = 15\n")
        cls.srv = Server({"NOTIFY_SOCKET": cls.sock_path, "WATCHDOG_USEC": "400000",
                          "KEFU_CONFIG": cls.conf})
        cls.addClassCleanup(cls.srv.kill_if_running)
        # systemd names the stream it gave standard error by device and inode;
        # the log file is that stream here (the restart keeps the same file).
        st = os.stat(cls.srv.log_path)
        cls.srv.env["JOURNAL_STREAM"] = f"{st.st_dev}:{st.st_ino}"
        cls.srv.restart()
        cls.agent = cls.srv.login("8101")

    @classmethod
    def tearDownClass(cls):
        cls.drain(0)
        cls.srv.proc.send_signal(signal.SIGTERM)
        # STOPPING=1 comes before the server lets requests in flight finish.
        msgs = cls.drain(10, until="STOPPING=1")
        super().tearDownClass()
        if not any("STOPPING=1" in m for m in msgs):
            raise AssertionError(f"no STOPPING=1 on SIGTERM: {msgs[-5:]}")

    @classmethod
    def drain(cls, timeout, until=None):
        """The datagrams received within timeout s (stops early at one containing until)."""
        msgs, deadline = [], time.time() + timeout
        while True:
            cls.sock.settimeout(max(0.0, deadline - time.time()) or 0.001)
            try:
                msgs.append(cls.sock.recv(4096).decode())
            except (socket.timeout, BlockingIOError):
                return msgs
            if until and until in msgs[-1]:
                return msgs

    def test_1_ready_then_watchdog_repeats(self):
        # READY=1 with a STATUS came at the restart; WATCHDOG=1 follows every 0.2 s.
        msgs = self.drain(1.5)
        self.assertTrue(any(m.startswith("WATCHDOG=1") for m in msgs), msgs)
        self.assertGreaterEqual(sum(m.startswith("WATCHDOG=1") for m in msgs), 4, msgs)
        # The restart's READY=1 was read or is in this batch; the first start's
        # READY=1 arrived too: at least one READY with its STATUS line.
        log = self.srv.read_log()
        self.assertRegex(log, r"(?m)^<6>\S+ INFO serve: listening on http://127\.0\.0\.1:\d+/")

    def test_2_journal_prefix_on_every_line(self):
        self.srv.call("GET", "/healthz")
        lines = [l for l in self.srv.read_log().splitlines() if l.strip()]
        self.assertTrue(lines)
        for line in lines:
            self.assertRegex(line, r"^<[3467]>\d{4}-\d\d-\d\dT\S+Z (DEBUG|INFO|WARN|ERROR) ")
            prio = {"DEBUG": "7", "INFO": "6", "WARN": "4", "ERROR": "3"}[line.split()[1]]
            self.assertTrue(line.startswith(f"<{prio}>"), line)
        # access_log = no: requests are not logged at INFO.
        self.assertNotIn("http: access", self.srv.read_log())

    def test_3_sighup_applies_reloadable_keys(self):
        st, body, _ = self.srv.call("GET", "/api/acd/me", token=self.agent)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["busy_max_min"], 15)
        self.drain(0)
        write(self.conf, "access_log = yes\nbusy_max_min = 25\nthreads = 2\n")
        self.srv.proc.send_signal(signal.SIGHUP)
        m = self.srv.wait_log(r'^<6>.* INFO serve: SIGHUP: configuration reloaded; applied="([^"]*)"')
        self.assertEqual(m.group(1).split(), ["busy_max_min", "access_log"])
        self.srv.wait_log(r'^<4>.* WARN serve: SIGHUP: changed but only applied at the next '
                          r'start: restart="threads"')
        msgs = self.drain(2, until="READY=1")
        self.assertTrue(any(m.startswith("RELOADING=1") for m in msgs), msgs)
        self.assertIn("READY=1", msgs[-1])
        st, body, _ = self.srv.call("GET", "/api/acd/me", token=self.agent)
        self.assertEqual(body["busy_max_min"], 25)
        # The access log is on: one INFO line with key=value fields, no query string.
        self.srv.call("GET", "/healthz?probe=secret")
        self.srv.wait_log(r"^<6>.* INFO http: access method=GET path=/healthz status=200 "
                          r"ms=\d+ addr=127\.0\.0\.1$")
        self.assertNotIn("probe=secret", self.srv.read_log())

    def test_4_broken_file_keeps_running_config(self):
        write(self.conf, "access_log = yes\nbusy_max_min = 9999\n")
        self.srv.proc.send_signal(signal.SIGHUP)
        m = self.srv.wait_log(r"^<3>.* ERROR serve: SIGHUP: the configuration was not reloaded, "
                              r"the running one is kept: (.*)$")
        self.assertIn("busy_max_min: expected a whole number from 1 to 1440", m.group(1))
        st, body, _ = self.srv.call("GET", "/api/acd/me", token=self.agent)
        self.assertEqual(body["busy_max_min"], 25)
        # Still serving, still fed.
        msgs = self.drain(1)
        self.assertTrue(any(m.startswith("WATCHDOG=1") for m in msgs), msgs)
        write(self.conf, "access_log = yes\nbusy_max_min = 25\nthreads = 2\n")


if __name__ == "__main__":
    import unittest
    unittest.main()
