"""kefu serves HTTPS itself (issue 22): with tls_cert and tls_key it answers
over TLS with the center's certificate and HSTS, the session cookie is
Secure, plain HTTP on the same port gets no answer, and the plain listener
of http_redirect_listen answers 308 to the same path and query on HTTPS."""
import http.client
import json
import os
import re
import socket
import ssl
import subprocess
import tempfile
import time
import unittest
import shutil

from harness import kefu_bin, taken_over_password


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="kefu-tls-")
        cls.addClassCleanup(shutil.rmtree, cls.dir, True)
        cls.cert = os.path.join(cls.dir, "cert.pem")
        key = os.path.join(cls.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                        "-keyout", key, "-out", cls.cert], check=True, capture_output=True)
        db = os.path.join(cls.dir, "kefu.db")
        env = dict(os.environ, KEFU_PWHASH="min", KEFU_TLS_CERT=cls.cert, KEFU_TLS_KEY=key,
                   KEFU_HTTP_REDIRECT_LISTEN="127.0.0.1:0",
                   KEFU_RECORDINGS_DIR=os.path.join(cls.dir, "rec"),
                   KEFU_ATTACHMENTS_DIR=os.path.join(cls.dir, "att"))
        out = subprocess.run([kefu_bin(), "init", "--demo", "--db", db], env=env,
                             capture_output=True, text=True, check=True).stdout
        cls.password = re.search(r"^  8101\s+\S+\s+(\S{16})", out, re.M).group(1)
        cls.log_path = os.path.join(cls.dir, "server.log")
        cls.log = open(cls.log_path, "w+")
        cls.proc = subprocess.Popen([kefu_bin(), "serve", "--db", db, "--listen", "127.0.0.1:0"],
                                    env=env, stdout=cls.log, stderr=subprocess.STDOUT)
        cls.addClassCleanup(cls.stop)
        deadline = time.time() + 30
        cls.port = cls.plain = None
        while time.time() < deadline and not (cls.port and cls.plain):
            with open(cls.log_path) as f:
                text = f.read()
            m = re.search(r"listening on https://127\.0\.0\.1:(\d+)/", text)
            p = re.search(r"plain HTTP on port (\d+) answers with a redirect", text)
            cls.port = int(m.group(1)) if m else None
            cls.plain = int(p.group(1)) if p else None
            if cls.proc.poll() is not None:
                break
            time.sleep(0.05)
        assert cls.port and cls.plain, open(cls.log_path).read()
        cls.ctx = ssl.create_default_context(cafile=cls.cert)

    @classmethod
    def stop(cls):
        cls.proc.terminate()
        cls.proc.wait(timeout=30)
        cls.log.close()

    def https(self, method, path, body=None, headers=None):
        c = http.client.HTTPSConnection("localhost", self.port, context=self.ctx, timeout=10)
        c.request(method, path, body=json.dumps(body) if body is not None else None,
                  headers=dict({"Content-Type": "application/json"} if body else {},
                               **(headers or {})))
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, r, data

    def test_https_with_hsts_and_a_secure_cookie(self):
        st, r, data = self.https("GET", "/healthz")
        self.assertEqual(st, 200, data)
        # A server on the real clock runs its scheduler's thread: ready.
        self.assertEqual(json.loads(data)["checks"], {"database": "ok", "scheduler": "ok"})
        self.assertEqual(r.getheader("Strict-Transport-Security"), "max-age=31536000")
        # The certificate is the center's: a client that does not trust it refuses.
        with self.assertRaises(ssl.SSLError):
            c = http.client.HTTPSConnection("localhost", self.port,
                                            context=ssl.create_default_context(), timeout=10)
            c.request("GET", "/healthz")
        st, r, data = self.https("POST", "/api/login", {"work_no": "8101",
                                                        "password": self.password})
        self.assertEqual(st, 200, data)
        cookie = r.getheader("Set-Cookie")
        self.assertIn("kefu_session=", cookie)
        self.assertIn("; Secure", cookie)
        self.assertIn("HttpOnly", cookie)

    def test_plain_http_on_the_tls_port_gets_no_page(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        try:
            data = s.recv(4096)
        except (ConnectionResetError, socket.timeout):
            data = b""
        s.close()
        self.assertNotIn(b"HTTP/1.1 200", data)

    def test_plain_listener_redirects_to_https(self):
        c = http.client.HTTPConnection("127.0.0.1", self.plain, timeout=10)
        c.request("GET", "/kb/search?q=%E9%80%80%E6%AC%BE%20%E5%8F%91%E7%A5%A8&x=1",
                  headers={"Host": "kefu.example.cn:8080"})
        r = c.getresponse()
        r.read()
        self.assertEqual(r.status, 308)
        self.assertEqual(r.getheader("Location"),
                         f"https://kefu.example.cn:{self.port}/kb/search?"
                         "q=%E9%80%80%E6%AC%BE%20%E5%8F%91%E7%A5%A8&x=1")
        c.close()
        # A POST is redirected too (308 keeps the method), its body dropped.
        c = http.client.HTTPConnection("127.0.0.1", self.plain, timeout=10)
        c.request("POST", "/api/login", body=b'{"work_no":"8101"}',
                  headers={"Host": "10.0.0.5", "Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        self.assertEqual(r.status, 308)
        self.assertEqual(r.getheader("Location"), f"https://10.0.0.5:{self.port}/api/login")
        c.close()


if __name__ == "__main__":
    unittest.main()
