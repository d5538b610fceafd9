"""SIP (issue 5): the registrar for agents' phones, its HTTP side, and the
guard against scanners and floods.

Each class starts its own kefu with SIP on a free loopback port
(KEFU_SIP_LISTEN=127.0.0.1:0) and reads the port from the log line
"sip: listening on udp:127.0.0.1:PORT". Every test speaks from its own
loopback address (127.0.0.x: Linux routes all of 127/8 to lo), because the
guard counts per address and a ban must not spill into the next test.

Raw-UDP tests (Python sockets) cover the exact answers, malformed input and
scanners; the SIPp scenarios in tests/sip/ (Debian's sip-tester) register,
fail, unregister and flood like real phones and tools do. Results are
checked through kefu's API (GET /api/sip/registrations, the audit log) and
its log lines (the fail2ban filter of docs/sip.md)."""
import hashlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import unittest

from apihelp import MINUTE, db_rows, person_id
from harness import KefuTestCase

SIPP = shutil.which("sipp")
SCENARIOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sip")
REALM = "kefu"

# The fail2ban filter shipped in etc/fail2ban/filter.d/ (docs/sip.md).
F2B_FILTER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "etc",
                          "fail2ban", "filter.d", "kefu-sip.conf")
F2B_DATE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
F2B_HOST = r"(?P<host>[0-9a-fA-F.:]+)"  # what fail2ban puts for <HOST>, for IP addresses


def f2b_failregex():
    """The failregex lines of the filter file (a value continued on indented lines)."""
    rules, inside = [], False
    with open(F2B_FILTER) as f:
        for line in f:
            if line.startswith("failregex"):
                inside = True
                rules.append(line.split("=", 1)[1].strip())
            elif inside and line[:1].isspace() and line.strip():
                rules.append(line.strip())
            else:
                inside = False
    return rules


def f2b_hosts(log):
    """The addresses fail2ban would count in the log, one per matching line: like
    fail2ban, the date is taken off the line before failregex is applied."""
    hosts = []
    rules = [re.compile(r.replace("<HOST>", F2B_HOST)) for r in f2b_failregex()]
    for line in log.splitlines():
        if not re.match(F2B_DATE, line):
            continue
        rest = re.sub(F2B_DATE, "", line, count=1)
        for rx in rules:
            m = rx.search(rest)
            if m:
                hosts.append(m.group("host"))
                break
    return hosts


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


class Response:
    def __init__(self, data):
        text = data.decode("utf-8", "replace")
        head = text.split("\r\n\r\n", 1)[0]
        lines = head.split("\r\n")
        self.status_line = lines[0]
        parts = lines[0].split(" ", 2)
        self.code = int(parts[1])
        self.reason = parts[2] if len(parts) > 2 else ""
        self.headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers.append((name.strip().lower(), value.strip()))

    def get(self, name):
        for n, v in self.headers:
            if n == name:
                return v
        return None

    def all(self, name):
        return [v for n, v in self.headers if n == name]

    def challenge(self):
        value = self.get("www-authenticate")
        assert value and value.startswith("Digest "), value
        return dict(re.findall(r'(\w+)="?([^",]*)"?', value[7:]))


class Phone:
    """A SIP client on its own loopback address, one UDP socket."""

    def __init__(self, server_port, ip):
        self.server = ("127.0.0.1", server_port)
        self.ip = ip
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((ip, 0))
        self.port = self.sock.getsockname()[1]
        self.call_id = secrets.token_hex(8)
        self.cseq = 0

    def close(self):
        self.sock.close()

    def message(self, method, user, extra=(), uri=None, via_params=";rport", ua="kefu-test/1",
                call_id=None):
        self.cseq += 1
        lines = [
            f"{method} {uri or 'sip:127.0.0.1'} SIP/2.0",
            f"Via: SIP/2.0/UDP {self.ip}:{self.port};branch=z9hG4bK{secrets.token_hex(6)}{via_params}",
            f"From: <sip:{user}@{REALM}>;tag={secrets.token_hex(4)}",
            f"To: <sip:{user}@{REALM}>",
            f"Call-ID: {call_id or self.call_id}",
            f"CSeq: {self.cseq} {method}",
            "Max-Forwards: 70",
        ]
        if ua is not None:
            lines.append(f"User-Agent: {ua}")
        lines += list(extra)
        lines.append("Content-Length: 0")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def send(self, data):
        self.sock.sendto(data, self.server)

    def recv(self, timeout=5.0):
        """The next answer, or None when nothing comes within timeout."""
        self.sock.settimeout(timeout)
        try:
            data, _ = self.sock.recvfrom(65536)
        except socket.timeout:
            return None
        return Response(data)

    def ask(self, data, timeout=5.0):
        self.send(data)
        return self.recv(timeout)

    def silent(self, data):
        """True when the server does not answer (a drop); waits one second for it."""
        self.send(data)
        return self.recv(timeout=1.0) is None

    def authorization(self, challenge, user, password, method="REGISTER", uri="sip:127.0.0.1",
                      realm=None, nonce=None):
        realm = realm or challenge["realm"]
        nonce = nonce or challenge["nonce"]
        ha1 = md5(f"{user}:{realm}:{password}")
        ha2 = md5(f"{method}:{uri}")
        cnonce, nc = secrets.token_hex(4), "00000001"
        response = md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        return (f'Authorization: Digest username="{user}", realm="{realm}", nonce="{nonce}", '
                f'uri="{uri}", response="{response}", algorithm=MD5, qop=auth, nc={nc}, '
                f'cnonce="{cnonce}"')

    def register(self, user, password, expires=3600, contact=None, extra=(), **auth):
        """REGISTER, the 401, REGISTER with credentials: the second answer."""
        contact = contact if contact is not None else f"<sip:{user}@{self.ip}:{self.port}>"
        headers = [f"Contact: {contact}"] if contact else []
        if expires is not None:
            headers.append(f"Expires: {expires}")
        first = self.ask(self.message("REGISTER", user, headers + list(extra)))
        assert first is not None and first.code == 401, first and first.status_line
        creds = self.authorization(first.challenge(), user, password, **auth)
        return self.ask(self.message("REGISTER", user, headers + list(extra) + [creds]))


class SipCase(KefuTestCase):
    server_env = {"KEFU_SIP_LISTEN": "127.0.0.1:0"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sip_port = cls.srv.sip_port()
        cls.manager = cls.srv.login("8001")

    @classmethod
    def wait_log(cls, pattern, timeout=15):
        return cls.srv.wait_log(pattern, timeout)

    def phone(self, ip):
        p = Phone(self.sip_port, ip)
        self.addCleanup(p.close)
        return p

    def set_password(self, work_no, password):
        token = self.srv.login(work_no)
        st, body, _ = self.srv.call("POST", "/api/me/sip-password", {"password": password},
                                    token=token)
        self.assertEqual(st, 200, body)
        return body

    def registrations(self, token=None):
        st, body, _ = self.srv.call("GET", "/api/sip/registrations", token=token or self.manager)
        self.assertEqual(st, 200, body)
        return body["items"]


class SipPasswordApi(SipCase):
    """POST /api/me/sip-password, POST /api/people/{id}/sip-password."""

    def test_agent_sets_own_password_stored_as_ha1_only(self):
        body = self.set_password("8103", "phone-8103-pw")
        self.assertEqual(body, {"ok": True, "user": "8103", "realm": REALM})
        rows = db_rows(self.srv, "SELECT c.realm, c.ha1 FROM sip_credential c JOIN person p"
                                 " ON p.id = c.person_id WHERE p.work_no = '8103'")
        self.assertEqual(rows, [{"realm": REALM, "ha1": md5(f"8103:{REALM}:phone-8103-pw")}])
        entries = self.srv.audit(self.manager, action="sip.password")
        self.assertTrue(any(e["entity_id"] == str(person_id(self.srv, "8103")) for e in entries))
        # The password is in neither the audit log nor the server's log.
        for e in entries:
            self.assertNotIn("phone-8103-pw", str(e))
        self.assertNotIn("phone-8103-pw", self.srv.read_log())

    def test_password_rules(self):
        token = self.srv.login("8104")
        for bad in ["short12", "with space1", "密码密码密码密码密码", "x" * 65]:
            self.assertError(self.srv.call("POST", "/api/me/sip-password", {"password": bad},
                                           token=token), 422, field="password")
        self.assertError(self.srv.call("POST", "/api/me/sip-password", {}, token=token), 400,
                         field="password")
        self.assertError(self.srv.call("POST", "/api/me/sip-password", {"password": 12345678},
                                       token=token), 400, field="password")
        self.assertError(self.srv.call("POST", "/api/me/sip-password",
                                       {"password": "goodpass1", "user": "8101"}, token=token),
                         400)
        self.assertEqual(self.srv.count("SELECT count(*) FROM sip_credential c JOIN person p"
                                        " ON p.id = c.person_id WHERE p.work_no = '8104'"), 0)

    def test_only_agents_and_supervisors_have_a_phone(self):
        # A manager may set an agent status (agent.state) but registers no phone (ORG-3).
        self.assertError(self.srv.call("POST", "/api/me/sip-password", {"password": "goodpass1"},
                                       token=self.manager), 422)
        # Staff have no agent status at all.
        staff = self.srv.login("2001")
        self.assertError(self.srv.call("POST", "/api/me/sip-password", {"password": "goodpass1"},
                                       token=staff), 403)
        self.set_password("8002", "supervisor-pw1")  # a supervisor may

    def test_admin_generates_a_password_once(self):
        admin = self.srv.login("admin")
        pid = person_id(self.srv, "8105")
        st, body, _ = self.srv.call("POST", f"/api/people/{pid}/sip-password", token=admin)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["user"], "8105")
        self.assertEqual(body["realm"], REALM)
        self.assertEqual(len(body["password"]), 16)
        ha1 = db_rows(self.srv, f"SELECT ha1 FROM sip_credential WHERE person_id = {pid}")
        self.assertEqual(ha1, [{"ha1": md5(f"8105:{REALM}:{body['password']}")}])
        entries = self.srv.audit(self.manager, action="sip.password_reset")
        self.assertEqual(entries[0]["entity_id"], str(pid))
        self.assertNotIn(body["password"], str(entries[0]))
        self.assertNotIn(body["password"], self.srv.read_log())
        # Not for people without a phone, not for unknown ids, not for agents.
        self.assertError(self.srv.call("POST", f"/api/people/{person_id(self.srv, '2001')}"
                                       "/sip-password", token=admin), 422)
        self.assertError(self.srv.call("POST", "/api/people/99999/sip-password", token=admin),
                         404)
        agent = self.srv.login("8106")
        self.assertError(self.srv.call("POST", f"/api/people/{pid}/sip-password", token=agent),
                         403)
        denied = self.srv.audit(self.manager, action="access.denied")
        self.assertTrue(any("sip.admin" in str(e) for e in denied), denied[:3])

    def test_registrations_list_permissions(self):
        for who in ["8001", "8002", "admin", "1001"]:  # manager, supervisor, admin, office
            st, body, _ = self.srv.call("GET", "/api/sip/registrations",
                                        token=self.srv.login(who))
            self.assertEqual(st, 200, (who, body))
            self.assertIn("items", body)
            self.assertIn("next_cursor", body)
        for who in ["8101", "2001"]:  # an agent, staff
            self.assertError(self.srv.call("GET", "/api/sip/registrations",
                                           token=self.srv.login(who)), 403)
        self.assertError(self.srv.call("GET", "/api/sip/registrations"), 401)
        self.assertError(self.srv.call("GET", "/api/sip/registrations?limit=0",
                                       token=self.manager), 400, field="limit")


class SipRegistrar(SipCase):
    """The registrar over raw UDP: exact answers, no user enumeration."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for work_no in ["8101", "8102", "8106"]:
            token = cls.srv.login(work_no)
            st, body, _ = cls.srv.call("POST", "/api/me/sip-password",
                                       {"password": f"pw-{work_no}-phone"}, token=token)
            assert st == 200, body

    def test_options_keepalive(self):
        p = self.phone("127.0.0.11")
        r = p.ask(p.message("OPTIONS", "4000000000", uri="sip:4000000000@127.0.0.1"))
        self.assertEqual(r.code, 200)
        self.assertIn("REGISTER", r.get("allow"))
        self.assertIsNone(r.get("server"), "no Server header tells a scanner what runs here")

    def test_register_and_refresh_and_unregister(self):
        p = self.phone("127.0.0.12")
        contact = f"sip:8101@127.0.0.12:{p.port}"
        r = p.register("8101", "pw-8101-phone", expires=600)
        self.assertEqual(r.code, 200, r.status_line)
        # The 200 lists all the person's phones (other tests may have left one).
        self.assertIn(f"<{contact}>;expires=600", r.all("contact"))
        mine = [x for x in self.registrations() if x["contact"] == contact]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["work_no"], "8101")
        self.assertEqual(mine[0]["source"], f"udp:127.0.0.12:{p.port}")
        self.assertEqual(mine[0]["user_agent"], "kefu-test/1")
        self.assertEqual(mine[0]["expires_in"], 600)
        self.assertEqual(mine[0]["expires_at"] - mine[0]["registered_at"], 600 * 1000)
        registered = [e for e in self.srv.audit(self.manager, action="sip.register")
                      if contact in str(e.get("detail"))]
        self.assertEqual(len(registered), 1)
        self.assertEqual(registered[0]["actor"], "8101")
        self.assertEqual(registered[0]["address"], "127.0.0.12")
        # Over the maximum is cut to an hour; a refresh is not audited again.
        r = p.register("8101", "pw-8101-phone", expires=86400)
        self.assertIn(f"<{contact}>;expires=3600", r.all("contact"))
        self.assertEqual(len([e for e in self.srv.audit(self.manager, action="sip.register")
                              if contact in str(e.get("detail"))]), 1)
        # Expires: 0 unregisters.
        r = p.register("8101", "pw-8101-phone", expires=0)
        self.assertEqual(r.code, 200)
        self.assertFalse([c for c in r.all("contact") if contact in c])
        self.assertFalse([x for x in self.registrations() if x["contact"] == contact])
        self.assertTrue([e for e in self.srv.audit(self.manager, action="sip.unregister")
                         if contact in str(e.get("detail"))])

    def test_contact_expires_parameter_and_wildcard(self):
        p = self.phone("127.0.0.13")
        a, b = f"sip:8102@127.0.0.13:{p.port}", "sip:8102@127.0.0.13:5999"
        r = p.register("8102", "pw-8102-phone", expires=None,
                       contact=f"<{a}>;expires=120, <{b}>")
        self.assertEqual(r.code, 200, r.status_line)
        self.assertEqual(sorted(r.all("contact")), sorted([f"<{a}>;expires=120",
                                                           f"<{b}>;expires=3600"]))
        # Contact: * with Expires: 0 removes them all; with another Expires it is malformed.
        self.assertEqual(p.register("8102", "pw-8102-phone", expires=60, contact="*").code, 400)
        r = p.register("8102", "pw-8102-phone", expires=0, contact="*")
        self.assertEqual(r.code, 200)
        self.assertFalse([x for x in self.registrations() if x["work_no"] == "8102"])

    def test_at_most_five_phones(self):
        p = self.phone("127.0.0.22")
        contacts = [f"<sip:8106@127.0.0.22:{6000 + i}>" for i in range(6)]
        r = p.register("8106", "pw-8106-phone", contact=", ".join(contacts[:5]))
        self.assertEqual(r.code, 200)
        self.assertEqual(len(r.all("contact")), 5)
        r = p.register("8106", "pw-8106-phone", contact=contacts[5])
        self.assertEqual(r.status_line, "SIP/2.0 403 Too Many Registrations")
        self.assertEqual(len([x for x in self.registrations() if x["work_no"] == "8106"]), 5)
        # Refreshing one of the five is fine.
        self.assertEqual(p.register("8106", "pw-8106-phone", contact=contacts[0]).code, 200)

    def test_interval_too_brief_and_malformed_expires(self):
        p = self.phone("127.0.0.14")
        r = p.register("8101", "pw-8101-phone", expires=30)
        self.assertEqual(r.code, 423)
        self.assertEqual(r.get("min-expires"), "60")
        self.assertEqual(p.register("8101", "pw-8101-phone", expires="soon").code, 400)
        self.assertEqual(p.register("8101", "pw-8101-phone", contact="<http://x>").code, 400)
        self.assertFalse([x for x in self.registrations() if x["source"].startswith(
            "udp:127.0.0.14:")])

    def test_same_challenge_for_everyone(self):
        """A REGISTER without credentials gets the same 401 whether the user exists or not."""
        p = self.phone("127.0.0.15")
        answers = [p.ask(p.message("REGISTER", user, ["Contact: <sip:x@127.0.0.15>"]))
                   for user in ["8101", "9999", "8001", "admin"]]

        def shape(r):
            chall = r.challenge()
            chall.pop("nonce")
            return (r.status_line, [n for n, _ in r.headers], chall)

        self.assertEqual(answers[0].code, 401)
        self.assertEqual(shape(answers[0]), shape(answers[1]))
        self.assertEqual(shape(answers[0]), shape(answers[2]))
        self.assertEqual(shape(answers[0]), shape(answers[3]))
        self.assertEqual(answers[0].challenge(), {"realm": REALM,
                                                  "nonce": answers[0].challenge()["nonce"],
                                                  "algorithm": "MD5", "qop": "auth"})

    def test_same_refusal_for_unknown_user_and_wrong_password(self):
        p = self.phone("127.0.0.16")
        cases = [("8101", "not-the-password"),  # wrong password
                 ("9999", "pw-8101-phone"),  # nobody
                 ("8001", "pw-8101-phone"),  # a manager: may not register
                 ("8103", "pw-8103-phone")]  # an agent without a SIP password
        answers = [p.register(user, pw) for user, pw in cases]
        for r in answers:
            self.assertEqual(r.status_line, "SIP/2.0 403 Forbidden")
            self.assertEqual([n for n, _ in r.headers], [n for n, _ in answers[0].headers])
        log = self.srv.read_log()
        for user, _ in cases:
            self.assertIn(f"WARN sip: auth failed from 127.0.0.16 user={user}", log)
        failed = [e for e in self.srv.audit(self.manager, action="sip.auth", outcome="failed")
                  if e["address"] == "127.0.0.16"]
        self.assertEqual(len(failed), 4)
        self.assertEqual(f2b_hosts(log).count("127.0.0.16"), 4)

    def test_user_must_be_the_to_user(self):
        p = self.phone("127.0.0.17")
        first = p.ask(p.message("REGISTER", "8102", ["Contact: <sip:8102@127.0.0.17>"]))
        creds = p.authorization(first.challenge(), "8101", "pw-8101-phone")
        r = p.ask(p.message("REGISTER", "8102", ["Contact: <sip:8102@127.0.0.17>", creds]))
        self.assertEqual(r.code, 403)

    def test_nonce_rules(self):
        p = self.phone("127.0.0.18")
        other = self.phone("127.0.0.19")
        first = p.ask(p.message("REGISTER", "8101", ["Contact: <sip:8101@127.0.0.18>"]))
        chall = first.challenge()
        # A nonce given to another address is not good here: a fresh challenge, not stale.
        creds = other.authorization(chall, "8101", "pw-8101-phone")
        r = other.ask(other.message("REGISTER", "8101", ["Contact: <sip:8101@127.0.0.19>", creds]))
        self.assertEqual(r.code, 401)
        self.assertNotIn("stale", r.get("www-authenticate"))
        # A forged one (another time stamp with the same MAC) likewise.
        nonce = chall["nonce"]
        forged = ("f" if nonce[0] != "f" else "e") + nonce[1:]
        creds = p.authorization(chall, "8101", "pw-8101-phone", nonce=forged)
        r = p.ask(p.message("REGISTER", "8101", ["Contact: <sip:8101@127.0.0.18>", creds]))
        self.assertEqual(r.code, 401)
        self.assertNotIn("stale", r.get("www-authenticate"))
        # A realm that is not ours: challenged again.
        creds = p.authorization(chall, "8101", "pw-8101-phone", realm="elsewhere")
        r = p.ask(p.message("REGISTER", "8101", ["Contact: <sip:8101@127.0.0.18>", creds]))
        self.assertEqual(r.code, 401)
        # None of these is an authentication failure (nothing was tried against a password).
        self.assertNotIn("auth failed from 127.0.0.18", self.srv.read_log())
        self.assertNotIn("auth failed from 127.0.0.19", self.srv.read_log())
        # The right one still works.
        creds = p.authorization(chall, "8101", "pw-8101-phone")
        r = p.ask(p.message("REGISTER", "8101", ["Contact: <sip:8101@127.0.0.18>", creds]))
        self.assertEqual(r.code, 200)

    def test_other_methods(self):
        p = self.phone("127.0.0.20")
        r = p.ask(p.message("INVITE", "4000000000", uri="sip:4000000000@127.0.0.1"))
        self.assertEqual(r.code, 488)  # the hotline, but no SDP offer (test_ivr.py: calls)
        r = p.ask(p.message("INVITE", "8101", uri="sip:8101@127.0.0.1"))
        self.assertEqual(r.code, 404)  # an agent's number, answered like any other (SipNumbers)
        self.assertEqual(p.ask(p.message("BYE", "8101")).code, 481)  # no such dialog
        self.assertEqual(p.ask(p.message("SUBSCRIBE", "8101")).code, 501)
        self.assertEqual(p.ask(p.message("CANCEL", "8101")).code, 481)
        self.assertTrue(p.silent(p.message("ACK", "8101")))

    def test_setting_a_password_ends_registrations(self):
        p = self.phone("127.0.0.21")
        self.assertEqual(p.register("8102", "pw-8102-phone").code, 200)
        self.assertTrue([x for x in self.registrations() if x["work_no"] == "8102"])
        admin = self.srv.login("admin")
        st, body, _ = self.srv.call("POST", f"/api/people/{person_id(self.srv, '8102')}"
                                    "/sip-password", token=admin)
        self.assertEqual(st, 200)
        self.assertFalse([x for x in self.registrations() if x["work_no"] == "8102"])
        self.assertEqual(p.register("8102", "pw-8102-phone").code, 403)
        self.assertEqual(p.register("8102", body["password"]).code, 200)


class SipGuard(SipCase):
    """Malformed input, scanners, floods and repeated failures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        token = cls.srv.login("8101")
        st, body, _ = cls.srv.call("POST", "/api/me/sip-password", {"password": "pw-8101-phone"},
                                   token=token)
        assert st == 200, body

    def options(self, p, **kw):
        return p.message("OPTIONS", "4000000000", uri="sip:4000000000@127.0.0.1", **kw)

    def test_malformed_input_never_crashes(self):
        p = self.phone("127.0.0.31")
        good = self.options(p).decode()
        junk = [
            b"", b"\r\n\r\n", b"\x00" * 64, secrets.token_bytes(1200), b"SIP/2.0\r\n",
            b"OPTIONS\r\n\r\n", b"OPTIONS sip:x SIP/2.0\r\n",  # no end of headers
            good[:len(good) // 2].encode(),  # cut in the middle
            good.replace("Via:", "Vai:").encode(),  # no Via: nowhere to answer
            good.replace("CSeq: 1 OPTIONS", "CSeq: x").encode(),
            good.replace("To: <sip:4000000000@kefu>", "To: <<<>").encode(),
            good.replace("From:", "From: \"unterminated <sip:x").encode(),
            good.replace("OPTIONS sip:", "OPTIONS \xff\xfe:").encode("latin-1"),
            ("OPTIONS sip:x SIP/2.0\r\n" + "X: " + "a" * 60000 + "\r\n\r\n").encode(),
            good.replace("Content-Length: 0", "Content-Length: 99999").encode(),
            good.replace("Content-Length: 0", "Content-Length: -5").encode(),
            b"\x00\x01\x00\x00\x21\x12\xa4\x42" + secrets.token_bytes(12),  # STUN-like
            ("REGISTER sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.31:5;branch=z9hG4bKx\r\n"
             "From: <sip:8101@kefu>;tag=1\r\nTo: <sip:8101@kefu>\r\nCall-ID: j\r\n"
             "CSeq: 1 REGISTER\r\nAuthorization: Digest username=\r\n\r\n").encode(),
            ("REGISTER sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.31:5;branch=z9hG4bKx\r\n"
             "From: <sip:8101@kefu>;tag=1\r\nTo: <sip:8101@kefu>\r\nCall-ID: j\r\n"
             "CSeq: 1 REGISTER\r\nAuthorization: Digest " + "a=b," * 4000 + "\r\n\r\n").encode(),
        ]
        self.assertLess(len(junk), 40, "stay under the burst, so nothing here is a flood")
        for data in junk:
            p.send(data)
        # The server is alive and still answers this very address.
        r = p.ask(self.options(p))
        while r is not None and r.code != 200:  # answers to the junk that had one
            r = p.recv()
        self.assertIsNotNone(r)
        self.assertEqual(r.code, 200)
        st, _, _ = self.srv.call("GET", "/healthz")
        self.assertEqual(st, 200)
        # The junk was dropped ahead of libre's parser, which would print a line for each.
        self.assertNotIn("msg decode err", self.srv.read_log())

    def test_maddr_is_dropped(self):
        p = self.phone("127.0.0.32")
        self.assertTrue(p.silent(self.options(p, via_params=";rport;maddr=192.0.2.1")))
        self.assertEqual(p.ask(self.options(p)).code, 200)

    def test_scanner_is_dropped_and_banned(self):
        p = self.phone("127.0.0.33")
        self.assertTrue(p.silent(self.options(p, ua="friendly-scanner")))
        self.wait_log(r"WARN sip: banned 127\.0\.0\.33 for 600 s: scanner user agent$")
        # From now on this address gets nothing, whatever it sends.
        self.assertTrue(p.silent(self.options(p)))
        bans = [e for e in self.srv.audit(self.manager, action="sip.ban")
                if e["address"] == "127.0.0.33"]
        self.assertEqual(len(bans), 1)
        self.assertEqual(bans[0]["actor"], "system")
        # Another address is not affected.
        self.assertEqual(self.phone("127.0.0.34").ask(self.options(p)).code, 200)

    def test_repeated_auth_failures_ban(self):
        p = self.phone("127.0.0.35")
        for _ in range(9):
            self.assertEqual(p.register("8101", "guess-guess").code, 403)
        self.assertEqual(p.ask(self.options(p)).code, 200)  # nine are not yet a ban
        self.assertEqual(p.register("8101", "guess-guess").code, 403)
        self.wait_log(r"WARN sip: banned 127\.0\.0\.35 for 600 s: authentication failures$")
        # Banned: not even the right password is answered now.
        self.assertTrue(p.silent(p.message("REGISTER", "8101", ["Contact: <sip:8101@x>"])))
        log = self.srv.read_log()
        self.assertEqual(f2b_hosts(log).count("127.0.0.35"), 11)  # ten failures and the ban
        self.assertEqual(len([e for e in self.srv.audit(self.manager, action="sip.auth")
                              if e["address"] == "127.0.0.35"]), 10)

    def test_fail2ban_counts_only_real_sources(self):
        """Text a client chooses never makes the filter blame another address."""
        p = self.phone("127.0.0.38")
        forged = "x from 192.0.2.78 user=y"
        first = p.ask(p.message("REGISTER", "8101", ["Contact: <sip:8101@127.0.0.38>"]))
        creds = p.authorization(first.challenge(), "8101", "guess-guess")
        creds = creds.replace('username="8101"', f'username="{forged}"')
        self.assertEqual(p.ask(p.message("REGISTER", "8101", [creds])).code, 403)
        self.srv.call("POST", "/api/login", {
            "work_no": "a WARN sip: auth failed from 192.0.2.77 user=b", "password": "x"})
        log = self.srv.read_log()
        self.assertIn("WARN sip: auth failed from 127.0.0.38 user=x?from?192.0.2.78?user?y", log)
        hosts = f2b_hosts(log)
        self.assertIn("127.0.0.38", hosts)
        self.assertNotIn("192.0.2.77", hosts)
        self.assertNotIn("192.0.2.78", hosts)
        if shutil.which("fail2ban-regex"):  # fail2ban itself, where it is installed
            out = subprocess.run(["fail2ban-regex", "-r", "-o", "ip", self.srv.log_path,
                                  F2B_FILTER], capture_output=True, text=True, timeout=60)
            self.assertEqual(sorted(out.stdout.split()), sorted(hosts), out.stderr)

    def test_flood_is_dropped_then_banned(self):
        p = self.phone("127.0.0.36")
        banned = r"WARN sip: banned 127\.0\.0\.36 for 600 s: flood$"
        sent = answered = 0
        # Batches, reading the answers in between, until the ban: the kernel may
        # drop datagrams of a burst, and that must not make the test flaky.
        while sent < 3000 and not re.search(banned, self.srv.read_log(), re.M):
            for _ in range(50):
                p.send(self.options(p))
            sent += 50
            while p.recv(timeout=0.05) is not None:
                answered += 1
        self.wait_log(banned)
        while p.recv(timeout=1.0) is not None:
            answered += 1
        # The burst was answered, most of the rest dropped.
        self.assertGreaterEqual(answered, 40)
        self.assertLessEqual(answered, sent - 100)  # a ban takes 100 drops
        self.assertTrue(p.silent(self.options(p)))
        self.assertEqual(self.phone("127.0.0.37").ask(self.options(p)).code, 200)
        bans = [e for e in self.srv.audit(self.manager, action="sip.ban")
                if e["address"] == "127.0.0.36"]
        self.assertEqual([e["detail"]["reason"] for e in bans], ["flood"])


class SipTrunk(SipCase):
    """A carrier's trunk (sip_trunks) brings every caller from one address:
    it is outside the per-address limits; every other address is not."""
    server_env = dict(SipCase.server_env, KEFU_SIP_TRUNKS="127.0.0.38, ::1")

    def options(self, p):
        return p.message("OPTIONS", "4000000000", uri="sip:4000000000@127.0.0.1")

    def test_a_trunk_is_not_limited(self):
        trunk = self.phone("127.0.0.38")
        sent = answered = 0
        # Ten times the burst at several times the rate: all answered, no ban.
        for _ in range(8):
            for _ in range(50):
                trunk.send(self.options(trunk))
            sent += 50
            while trunk.recv(timeout=0.2) is not None:
                answered += 1
        while trunk.recv(timeout=0.5) is not None:
            answered += 1
        self.assertEqual(answered, sent)
        self.assertNotIn("banned 127.0.0.38", self.srv.read_log())
        # Another address sending the same is limited as ever.
        other = self.phone("127.0.0.39")
        for _ in range(100):
            other.send(self.options(other))
        got = 0
        while other.recv(timeout=0.2) is not None:
            got += 1
        self.assertLess(got, 100)


class SipNumbers(SipCase):
    """INVITEs to numbers other than the hotline (issue 11): svwar found every agent
    because agents' work numbers got 480 and others 404. Every such INVITE now gets the
    same answer, and trying number after number bans the address like failed
    authentications do."""
    server_env = dict(SipCase.server_env, KEFU_SIP_TRUNKS="127.0.0.58")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        token = cls.srv.login("8101")  # an agent whose phone may register now
        st, body, _ = cls.srv.call("POST", "/api/me/sip-password", {"password": "pw-8101-phone"},
                                   token=token)
        assert st == 200, body

    def invite(self, p, number):
        return p.ask(p.message("INVITE", number, uri=f"sip:{number}@127.0.0.1:{self.sip_port}",
                               extra=[f"Contact: <sip:{number}@{p.ip}:{p.port}>"],
                               ua="friendly-phone"))

    @staticmethod
    def shape(r, number):
        """The answer with what differs between any two requests (the number they
        echo in SIP addresses, their tags, branch and sequence number) taken out. Only
        the addresses: the phone's Call-ID is random hex, which may hold the number's
        digits too."""
        def clean(value):
            value = re.sub(r"(tag|branch)=[^;>\s]+", r"\1=*",
                           value.replace(f"sip:{number}@", "sip:N@"))
            return re.sub(r"^\d+ ", "* ", value)
        return r.status_line, [(n, clean(v)) for n, v in r.headers]

    def test_agents_and_unknown_numbers_get_the_same_answer(self):
        p = self.phone("127.0.0.51")
        # An agent with a phone password, one without, the supervisor (who may
        # register), the manager (who may not), and numbers nobody has.
        answers = {n: self.invite(p, n) for n in ["8101", "8102", "8002", "8001", "99999",
                                                   "4000000001"]}
        for number, r in answers.items():
            self.assertIsNotNone(r, number)
            self.assertEqual(r.code, 404, (number, r.status_line))
        shapes = {n: self.shape(r, n) for n, r in answers.items()}
        for number in answers:
            self.assertEqual(shapes[number], shapes["99999"], number)
        # Five probes are not a ban: the address is still answered.
        self.assertEqual(p.ask(p.message("OPTIONS", "x")).code, 200)

    def test_probing_numbers_bans_the_address(self):
        p = self.phone("127.0.0.52")
        for i in range(9):
            self.assertEqual(self.invite(p, f"81{i:02d}").code, 404)
        self.assertEqual(p.ask(p.message("OPTIONS", "x")).code, 200)  # nine are not yet a ban
        self.assertEqual(self.invite(p, "8109").code, 404)
        self.wait_log(r"WARN sip: banned 127\.0\.0\.52 for 600 s: number probing$")
        # Banned: not even an OPTIONS, nor the hotline, is answered now.
        self.assertTrue(p.silent(p.message("OPTIONS", "x")))
        self.assertTrue(p.silent(p.message("INVITE", "4000000000",
                                           uri=f"sip:4000000000@127.0.0.1:{self.sip_port}")))
        bans = [e for e in self.srv.audit(self.manager, action="sip.ban")
                if e["address"] == "127.0.0.52"]
        self.assertEqual([e["detail"]["reason"] for e in bans], ["number probing"])
        self.assertIn("127.0.0.52", f2b_hosts(self.srv.read_log()))
        # Another address is not affected.
        q = self.phone("127.0.0.53")
        self.assertEqual(self.invite(q, "8101").code, 404)

    def test_a_trunk_is_not_banned_for_its_callers_wrong_numbers(self):
        trunk = self.phone("127.0.0.58")
        for i in range(15):
            self.assertEqual(self.invite(trunk, f"8{i:03d}").code, 404)
        self.assertEqual(trunk.ask(trunk.message("OPTIONS", "x")).code, 200)
        self.assertNotIn("banned 127.0.0.58", self.srv.read_log())


class SipClock(SipCase):
    """What time does: nonces go stale, registrations expire, bans end."""

    def test_stale_nonce_expiry_and_ban_end(self):
        token = self.srv.login("8101")
        st, _, _ = self.srv.call("POST", "/api/me/sip-password", {"password": "pw-8101-phone"},
                                 token=token)
        self.assertEqual(st, 200)
        p = self.phone("127.0.0.41")
        first = p.ask(p.message("REGISTER", "8101", ["Contact: <sip:8101@127.0.0.41>"]))
        chall = first.challenge()
        self.assertEqual(p.register("8101", "pw-8101-phone", expires=120).code, 200)
        self.assertEqual(len(self.registrations()), 1)
        # Six minutes later the first nonce is stale: challenged again with stale=true, and
        # that is not a failure. The registration (120 s) has expired and is not listed.
        self.srv.advance(6 * MINUTE)
        creds = p.authorization(chall, "8101", "pw-8101-phone")
        r = p.ask(p.message("REGISTER", "8101", ["Contact: <sip:8101@127.0.0.41>", creds]))
        self.assertEqual(r.code, 401)
        self.assertIn("stale=true", r.get("www-authenticate"))
        self.assertNotIn("auth failed from 127.0.0.41", self.srv.read_log())
        self.assertEqual(self.registrations(), [])
        # A ban ends after ten minutes.
        b = self.phone("127.0.0.42")
        self.assertTrue(b.silent(b.message("OPTIONS", "x", ua="sipvicious")))
        self.assertTrue(b.silent(b.message("OPTIONS", "x")))
        self.srv.advance(10 * MINUTE + 1000)
        self.assertEqual(b.ask(b.message("OPTIONS", "x")).code, 200)


@unittest.skipUnless(SIPP, "sipp (Debian package sip-tester) is not installed")
class SipSipp(SipCase):
    """The SIPp scenarios of tests/sip/, like real phones and tools."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.workdir = tempfile.mkdtemp(prefix="kefu-sipp-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.workdir, ignore_errors=True)
        super().tearDownClass()

    def sipp(self, scenario, ip, *args, calls=1, port=None):
        """Runs a scenario from ip (and port, else a free one); returns
        (exit code, successful calls, failed calls)."""
        if port is None:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((ip, 0))
            port = s.getsockname()[1]
            s.close()
        cmd = [SIPP, f"127.0.0.1:{self.sip_port}", "-sf", os.path.join(SCENARIOS, scenario),
               "-i", ip, "-bind_local", "-p", str(port), "-m", str(calls), "-nostdin",
               "-timeout", "30s", "-max_retrans", "2", *args]
        proc = subprocess.run(cmd, cwd=self.workdir, capture_output=True, text=True, timeout=60)
        ok = re.search(r"Successful call\s*\|\s*\d+\s*\|\s*(\d+)", proc.stdout)
        bad = re.search(r"Failed call\s*\|\s*\d+\s*\|\s*(\d+)", proc.stdout)
        if not ok or not bad:
            raise AssertionError(f"sipp said:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return proc.returncode, int(ok.group(1)), int(bad.group(1))

    def test_register_refuse_unregister(self):
        self.set_password("8104", "pw-8104-phone")
        user = ["-s", "8104", "-au", "8104"]
        rc, ok, _ = self.sipp("register.xml", "127.0.0.51", *user, "-ap", "pw-8104-phone",
                              "-key", "expires", "3600")
        self.assertEqual((rc, ok), (0, 1))
        mine = [x for x in self.registrations() if x["work_no"] == "8104"]
        self.assertEqual(len(mine), 1)
        self.assertTrue(mine[0]["contact"].startswith("sip:8104@127.0.0.51:"))
        self.assertEqual(mine[0]["user_agent"], "SIPp kefu-test")
        self.assertEqual(mine[0]["expires_in"], 3600)
        # A wrong password and a user nobody has run the same scenario: 401, then 403.
        rc, ok, _ = self.sipp("register_denied.xml", "127.0.0.52", *user, "-ap", "wrong-pass",
                              "-key", "expires", "3600")
        self.assertEqual((rc, ok), (0, 1))
        rc, ok, _ = self.sipp("register_denied.xml", "127.0.0.52", "-s", "7777", "-au", "7777",
                              "-ap", "wrong-pass", "-key", "expires", "3600")
        self.assertEqual((rc, ok), (0, 1))
        failed = sorted(e["detail"]["user"] for e in self.srv.audit(self.manager,
                                                                   action="sip.auth")
                        if e["address"] == "127.0.0.52")
        self.assertEqual(failed, ["7777", "8104"])
        self.assertEqual(f2b_hosts(self.srv.read_log()).count("127.0.0.52"), 2)
        # Too brief an interval: 423 with Min-Expires.
        rc, ok, _ = self.sipp("register_brief.xml", "127.0.0.53", *user, "-ap", "pw-8104-phone",
                              "-key", "expires", "30")
        self.assertEqual((rc, ok), (0, 1))
        # Expires: 0 from the same phone (address and port: the contact) unregisters.
        contact = mine[0]["contact"]
        rc, ok, _ = self.sipp("register.xml", "127.0.0.51", *user, "-ap", "pw-8104-phone",
                              "-key", "expires", "0", port=int(contact.rsplit(":", 1)[1]))
        self.assertEqual((rc, ok), (0, 1))
        self.assertFalse([x for x in self.registrations() if x["work_no"] == "8104"])
        self.assertTrue([e for e in self.srv.audit(self.manager, action="sip.unregister")
                         if contact in str(e["detail"])])

    def test_flood_then_silence(self):
        rc, ok, bad = self.sipp("options.xml", "127.0.0.54", "-s", "4000000000", "-r", "2000",
                                "-l", "400", calls=400)
        self.assertNotEqual(rc, 0)
        self.assertGreaterEqual(ok, 40)  # the burst
        self.assertGreaterEqual(bad, 100)  # the rest timed out: dropped
        self.wait_log(r"WARN sip: banned 127\.0\.0\.54 for 600 s: flood$")
        rc, ok, bad = self.sipp("options.xml", "127.0.0.54", "-s", "4000000000")
        self.assertEqual((ok, bad), (0, 1), "a banned address gets no answer")
        rc, ok, bad = self.sipp("options.xml", "127.0.0.55", "-s", "4000000000")
        self.assertEqual((rc, ok, bad), (0, 1, 0))
        self.assertTrue([e for e in self.srv.audit(self.manager, action="sip.ban")
                         if e["address"] == "127.0.0.54"])


if __name__ == "__main__":
    unittest.main()
