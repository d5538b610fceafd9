"""How many hotline calls kefu takes at once (calls_max), and that it can
hold more than 1024 of its own descriptors for them.

libre 1.1.0 watches only descriptors below FD_SETSIZE (1024) unless told
otherwise before its first socket; each call holds one RTP socket for the
caller (and one more for the agent once bridged), so without fds_reserve()
in src/sip/sip.c the call that got descriptor 1024 was answered 500 ("Too
many open files") whatever the process's open-file limit. Callers are the
Python phones of test_ivr.py, each on its own loopback address (the guard
counts per address); prompts are test_hotline.py's 60 ms tones, so an idle
call costs kefu almost nothing once the menu has played."""
import re
import resource
import shutil
import time
import unittest

from harness import KefuTestCase
from test_acd import sql
from test_hotline import short_prompts
from test_ivr import HOTLINE, Caller, offer

MANY = 1040  # RTP sockets past descriptor 1024, whatever kefu had open before


def final(c, method, request):
    """The final answer to the request c sent, which is sent again every 2 s
    without an answer, as a phone retransmits over UDP (RFC 3261 timer A): on a
    busy machine a burst of a thousand datagrams may lose a few. A thousand
    calls with their prompts keep a loaded server busy, so the answer is waited
    for up to a minute, past the 32 s a phone would give up after: the test is
    about how many calls fit, not how fast they are answered."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        m = c.recv(timeout=2)
        while m is not None and not (m.is_response and m.code >= 200 and
                                     m.get("cseq", "").endswith(method)):
            m = c.recv(timeout=2)
        if m is not None:
            return m
        c.send(*request)
    return None


class CapacityCase(KefuTestCase):
    server_env = {"KEFU_SIP_LISTEN": "127.0.0.1:0"}

    @classmethod
    def setUpClass(cls):
        cls.prompts = short_prompts()
        cls.server_env = dict(cls.server_env, KEFU_PROMPTS_DIR=cls.prompts)
        super().setUpClass()
        cls.sip_port = cls.srv.sip_port()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.prompts, ignore_errors=True)
        super().tearDownClass()

    def caller(self, ip):
        c = Caller(self.sip_port, ip)
        self.addCleanup(c.close)
        return c


class CallsMax(CapacityCase):
    server_env = dict(CapacityCase.server_env, KEFU_CALLS_MAX="2")

    def test_calls_beyond_calls_max_get_503(self):
        a, b, c = (self.caller(f"127.1.0.{i}") for i in (1, 2, 3))
        self.assertEqual(a.invite().code, 200)
        self.assertEqual(b.invite().code, 200)
        self.assertEqual(c.invite().code, 503)
        self.assertEqual(a.bye(), 200)
        # A call ended: room for the next.
        d = self.caller("127.1.0.4")
        self.assertEqual(d.invite().code, 200)
        self.assertEqual(b.bye(), 200)
        self.assertEqual(d.bye(), 200)


class ManyDescriptors(CapacityCase):
    # The calls must stay up until every one has been answered, however slow
    # the machine: no media timeout (these callers send no RTP) and no
    # queue's longest wait (callers who press nothing end up queued) may end
    # the first calls before the last is set up.
    server_env = dict(CapacityCase.server_env, KEFU_CALLS_MAX=str(MANY + 10),
                      KEFU_CALL_MEDIA_TIMEOUT_SEC="3600")

    def setUp(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = 2 * MANY + 256  # this test's own two sockets per caller
        if hard != resource.RLIM_INFINITY and hard < want:
            self.skipTest(f"the open-file limit {hard} is too low for {MANY} callers")
        if soft != resource.RLIM_INFINITY and soft < want:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
            self.addCleanup(resource.setrlimit, resource.RLIMIT_NOFILE, (soft, hard))

    def test_more_calls_than_1024_descriptors(self):
        sql(self.srv, "UPDATE acd_queue SET max_wait_sec = 3600")
        # INVITEs in batches (a burst of a thousand would overflow the SIP
        # socket's buffer, and these phones do not retransmit), the calls
        # kept up until all have been answered, then all the BYEs.
        callers = [Caller(self.sip_port, f"127.1.{1 + i // 250}.{1 + i % 250}")
                   for i in range(MANY)]
        codes = {}
        for start in range(0, MANY, 40):
            batch = callers[start:start + 40]
            invites = {}
            for c in batch:
                self.addCleanup(c.close)
                invites[c] = (c.head("INVITE", f"sip:{HOTLINE}@127.0.0.1:{self.sip_port}",
                                     f"<sip:{HOTLINE}@127.0.0.1>", 1,
                                     ["Content-Type: application/sdp"]),
                              offer(c.ip, c.rtp_port))
                c.send(*invites[c])
            for c in batch:
                m = final(c, "INVITE", invites[c])
                code = m.code if m else 0
                codes[code] = codes.get(code, 0) + 1
                if code == 200:
                    c.to = m.get("to")
                    c.contact = re.search(r"<([^>]+)>", m.get("contact")).group(1)
                    c.send(c.head("ACK", c.contact, c.to, 1))
        self.assertEqual(codes, {200: MANY}, [line for line in self.srv.read_log().splitlines()
                                               if "cannot" in line or "open files" in line][:5])
        with open(f"/proc/{self.srv.proc.pid}/limits") as f:
            soft = int(re.search(r"Max open files\s+(\d+)", f.read()).group(1))
        self.assertGreaterEqual(soft, 2 * (MANY + 10))
        ended = 0
        for start in range(0, MANY, 40):
            batch = callers[start:start + 40]
            byes = {}
            for c in batch:
                byes[c] = (c.head("BYE", c.contact, c.to, 2),)
                c.send(*byes[c])
            for c in batch:
                m = final(c, "BYE", byes[c])
                ended += m is not None and m.code == 200
        self.assertEqual(ended, MANY)

if __name__ == "__main__":
    unittest.main()
