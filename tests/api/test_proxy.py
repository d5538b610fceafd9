"""kefu behind nginx and HAProxy terminating TLS (issue 22): the shipped
etc/nginx/kefu.conf and etc/haproxy/kefu.cfg, run as they are but for their
ports and paths, each on loopback in a temporary directory (never the
system's service), in front of a kefu with cookie_secure and the proxy in
trusted_proxies. Through each: login over HTTPS with a Secure cookie and the
client's address (not one it wrote in X-Forwarded-For) in kefu's access log,
an event of the notifications' stream delivered at once, /healthz, plain
HTTP redirected with 308; HAProxy's health check on /healthz takes kefu out
while it is not ready and back when it is.

The client talks from 127.0.0.2, so kefu's trusted proxy (127.0.0.1) and the
client differ as they would on a network."""
import http.client
import json
import os
import shutil
import socket
import sqlite3
import ssl
import subprocess
import tempfile
import time

from harness import KefuTestCase, taken_over_password

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLIENT = ("127.0.0.2", 0)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def substitute(text, pairs):
    """text with each (old, new) replaced; every old must be there (the shipped file
    changed under the test otherwise)."""
    for old, new in pairs:
        assert old in text, f"{old!r} not in the shipped configuration"
        text = text.replace(old, new)
    return text


class ProxyCase:
    """A kefu and one proxy in front of it; subclasses write the proxy's config."""
    server_env = {"KEFU_COOKIE_SECURE": "true", "KEFU_TRUSTED_PROXIES": "127.0.0.1",
                  "KEFU_ACCESS_LOG": "yes", "KEFU_BUSY_TIMEOUT_MS": "200"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.work = tempfile.mkdtemp(prefix="kefu-proxy-")
        cls.addClassCleanup(shutil.rmtree, cls.work, True)
        cls.cert = os.path.join(cls.work, "cert.pem")
        cls.key = os.path.join(cls.work, "key.pem")
        # The same kind of certificate as test_tls.py's, for the proxy's address too.
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", cls.key, "-out", cls.cert], check=True, capture_output=True)
        cls.ctx = ssl.create_default_context(cafile=cls.cert)
        cls.https, cls.http = free_port(), free_port()
        cls.proxy_log = open(os.path.join(cls.work, "proxy.log"), "w+")
        cls.proxy = subprocess.Popen(cls.proxy_command(), stdout=cls.proxy_log,
                                     stderr=subprocess.STDOUT, cwd=cls.work)
        cls.addClassCleanup(cls.stop_proxy)
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", cls.https), 0.2).close()
                break
            except OSError:
                if cls.proxy.poll() is not None:
                    break
                time.sleep(0.05)
        else:
            pass
        cls.proxy_log.seek(0)
        assert cls.proxy.poll() is None, "the proxy did not start:\n" + cls.proxy_log.read()
        # The account taken over directly, so it may use everything once logged in.
        cls.srv.login("8101")

    @classmethod
    def stop_proxy(cls):
        if cls.proxy.poll() is None:
            cls.proxy.terminate()
            try:
                cls.proxy.wait(10)
            except subprocess.TimeoutExpired:
                cls.proxy.kill()
                cls.proxy.wait()
        cls.proxy_log.close()

    def conn(self, timeout=10):
        return http.client.HTTPSConnection("127.0.0.1", self.https, context=self.ctx,
                                           timeout=timeout, source_address=CLIENT)

    def request(self, method, path, body=None, headers=None):
        c = self.conn()
        try:
            h = {"Accept-Language": "en"}
            h.update(headers or {})
            data = json.dumps(body).encode() if body is not None else None
            if data:
                h["Content-Type"] = "application/json"
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            raw = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, raw
        finally:
            c.close()

    def login(self):
        st, h, raw = self.request("POST", "/api/login", {
            "work_no": "8101", "password": taken_over_password("8101")},
            headers={"X-Forwarded-For": "203.0.113.9"})
        self.assertEqual(st, 200, raw)
        return json.loads(raw)["token"], h

    def test_login_secure_cookie_and_client_address(self):
        _, h = self.login()
        cookie = h["set-cookie"]
        self.assertIn("; Secure", cookie)
        self.assertIn("HttpOnly", cookie)
        self.assertEqual(h["strict-transport-security"], "max-age=31536000")
        # The address the proxy saw, not the one the client wrote.
        self.srv.wait_log(r"http: access method=POST path=/api/login status=200 ms=\d+ "
                          r"addr=127\.0\.0\.2$")
        self.assertNotIn("addr=203.0.113.9", self.srv.read_log())

    def test_event_stream_delivers_at_once(self):
        token, _ = self.login()
        c = self.conn(timeout=10)
        try:
            c.request("GET", "/api/events", headers={"Authorization": "Bearer " + token})
            r = c.getresponse()
            self.assertEqual(r.status, 200)
            self.assertEqual(r.getheader("Content-Type"), "text/event-stream")
            person = self.person_id("8101")
            db = sqlite3.connect(self.srv.db, timeout=5)
            cur = db.execute("INSERT INTO notification(person_id, at, kind, text) "
                             "VALUES (?, ?, 'order.new', '经代理送达')",
                             (person, 1795344129000))
            nid = cur.lastrowid
            db.commit()
            db.close()
            t0 = time.monotonic()
            event = {}
            while "data" not in event:
                line = r.fp.readline().decode().rstrip("\n")
                if line.startswith("id:"):
                    event["id"] = line[3:].strip()
                elif line.startswith("data:"):
                    event["data"] = json.loads(line[5:])
            # kefu polls the table about every second; the proxy adds no buffering delay.
            self.assertLess(time.monotonic() - t0, 4)
            self.assertEqual(event["id"], str(nid))
            self.assertEqual(event["data"]["text"], "经代理送达")
        finally:
            c.close()

    def person_id(self, work_no):
        db = sqlite3.connect(self.srv.db, timeout=5)
        try:
            return db.execute("SELECT id FROM person WHERE work_no = ?", (work_no,)).fetchone()[0]
        finally:
            db.close()

    def test_healthz_through_the_proxy(self):
        st, _, raw = self.request("GET", "/healthz")
        self.assertEqual(st, 200, raw)
        self.assertEqual(json.loads(raw)["checks"]["database"], "ok")

    def test_plain_http_is_redirected(self):
        c = http.client.HTTPConnection("127.0.0.1", self.http, timeout=10, source_address=CLIENT)
        try:
            c.request("GET", "/wo/orders?x=1", headers={"Host": "localhost"})
            r = c.getresponse()
            r.read()
            self.assertEqual(r.status, 308)
            self.assertEqual(r.getheader("Location"), "https://localhost/wo/orders?x=1")
        finally:
            c.close()

    def test_oversized_body_refused_by_the_proxy(self):
        c = self.conn()
        try:
            c.putrequest("POST", "/api/login")
            c.putheader("Content-Type", "application/json")
            c.putheader("Content-Length", str(12 * 1024 * 1024))
            c.endheaders()
            r = c.getresponse()
            r.read()
            self.assertEqual(r.status, 413)
        finally:
            c.close()
        self.assertNotIn("path=/api/login status=413", self.srv.read_log())


class NginxTest(ProxyCase, KefuTestCase):
    @classmethod
    def proxy_command(cls):
        with open(os.path.join(ROOT, "etc/nginx/kefu.conf")) as f:
            site = f.read()
        site = substitute(site, [
            ("\tlisten [::]:80;\n", ""), ("\tlisten [::]:443 ssl http2;\n", ""),
            ("listen 80;", f"listen 127.0.0.1:{cls.http};"),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{cls.https} ssl http2;"),
            ("/etc/ssl/certs/kefu.pem", cls.cert), ("/etc/ssl/private/kefu.key", cls.key),
            ("server 127.0.0.1:8080;", f"server 127.0.0.1:{cls.srv.port};")])
        with open(os.path.join(cls.work, "kefu.conf"), "w") as f:
            f.write(site)
        w = cls.work
        with open(os.path.join(w, "nginx.conf"), "w") as f:
            f.write(f"""daemon off;
master_process off;
pid {w}/nginx.pid;
error_log {w}/error.log;
events {{ worker_connections 256; }}
http {{
	access_log off;
	client_body_temp_path {w}/body;
	proxy_temp_path {w}/proxy;
	fastcgi_temp_path {w}/fastcgi;
	uwsgi_temp_path {w}/uwsgi;
	scgi_temp_path {w}/scgi;
	include {w}/kefu.conf;
}}
""")
        return [shutil.which("nginx") or "/usr/sbin/nginx", "-p", w, "-e", w + "/error.log",
                "-c", w + "/nginx.conf"]


class HaproxyTest(ProxyCase, KefuTestCase):
    @classmethod
    def proxy_command(cls):
        with open(os.path.join(ROOT, "etc/haproxy/kefu.cfg")) as f:
            cfg = f.read()
        pem = os.path.join(cls.work, "kefu.pem")
        with open(pem, "w") as f, open(cls.cert) as c, open(cls.key) as k:
            f.write(c.read() + k.read())
        cfg = substitute(cfg, [
            ("bind :80\n", f"bind 127.0.0.1:{cls.http}\n"),
            ("bind :443 ssl crt /etc/haproxy/kefu.pem",
             f"bind 127.0.0.1:{cls.https} ssl crt {pem}"),
            ("127.0.0.1:8080", f"127.0.0.1:{cls.srv.port}"),
            # Checks every 0.2 s instead of 2 s, so the test waits less.
            ("check inter 2s", "check inter 200ms")])
        path = os.path.join(cls.work, "haproxy.cfg")
        with open(path, "w") as f:
            f.write(cfg)
        return [shutil.which("haproxy") or "/usr/sbin/haproxy", "-db", "-f", path]

    def test_health_check_takes_kefu_out_and_back(self):
        # HAProxy's own checks reach kefu's /healthz.
        self.srv.wait_log(r"http: access method=GET path=/healthz status=200 ms=\d+ "
                          r"addr=127\.0\.0\.1$")
        other = sqlite3.connect(self.srv.db, timeout=5, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # the database takes no write: not ready
            self.assertEqual(self.wait_status(503), 503,
                             "HAProxy kept sending work to a kefu that is not ready")
        finally:
            other.execute("ROLLBACK")
            other.close()
        self.assertEqual(self.wait_status(200), 200,
                         "kefu ready again but still out of HAProxy's rotation")

    def wait_status(self, want, timeout=8):
        """The status of GET /api/openapi.json through HAProxy once it is want, or the
        last one when timeout s passed first."""
        deadline, st = time.time() + timeout, None
        while time.time() < deadline:
            st, _, _ = self.request("GET", "/api/openapi.json")
            if st == want:
                break
            time.sleep(0.1)
        return st


if __name__ == "__main__":
    import unittest
    unittest.main()
