"""Server basics: health, metrics, OpenAPI, unknown routes, graceful stop."""
import sqlite3
import time

from harness import KefuTestCase


class HealthTest(KefuTestCase):
    def test_healthz_reports_schema_and_zone(self):
        st, body, h = self.srv.call("GET", "/healthz")
        self.assertEqual(st, 200)
        self.assertEqual(body["status"], "ok")
        self.assertGreaterEqual(body["schema"], 1)
        self.assertEqual(body["timezone"], "Asia/Shanghai")
        self.assertEqual(body["center"], "客服中心")
        # Readiness: the database takes a write; the test clock runs the scheduler.
        self.assertEqual(body["checks"], {"database": "ok", "scheduler": "manual"})
        self.assertEqual(h["x-content-type-options"], "nosniff")
        self.assertEqual(h["cache-control"], "no-store")

    def test_metrics_count_requests(self):
        self.srv.call("GET", "/healthz")
        self.srv.call("GET", "/api/nope")
        st, _, h = self.srv.call("GET", "/metrics")
        self.assertEqual(st, 200)
        status, _, raw = self.srv.raw("GET", "/metrics")
        text = raw.decode()
        self.assertIn('kefu_http_requests_total{code="200"}', text)
        self.assertIn('kefu_http_requests_total{code="404"}', text)
        self.assertIn("kefu_http_request_duration_seconds_bucket{le=\"+Inf\"}", text)
        self.assertIn("kefu_db_seconds_total", text)
        self.assertTrue(h["content-type"].startswith("text/plain"))

    def test_unknown_api_route_is_json_404(self):
        self.assertError(self.srv.call("GET", "/api/nothing-here"), 404, "not_found")

    def test_sip_stall_hook_without_sip_is_409(self):
        # The stall hook is for tests only (404 without the test clock); no SIP, nothing to stall.
        self.assertError(self.srv.call("POST", "/api/test/sip/stall", {"ms": 10}), 409)

    def test_wrong_method_is_405(self):
        self.assertError(self.srv.call("DELETE", "/api/login"), 405, "method_not_allowed")


class ReadinessTest(KefuTestCase):
    """/healthz is 503 while the database takes no write (issue 22): a load
    balancer stops sending work, and 200 again once it does."""
    server_env = {"KEFU_BUSY_TIMEOUT_MS": "200"}

    def test_database_that_takes_no_write_is_not_ready(self):
        other = sqlite3.connect(self.srv.db, timeout=5, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            st, body, _ = self.srv.call("GET", "/healthz")
            self.assertEqual(st, 503, body)
            self.assertEqual(body["status"], "unavailable")
            self.assertEqual(body["checks"]["database"], "read-only")
        finally:
            other.execute("ROLLBACK")
            other.close()
        st, body, _ = self.srv.call("GET", "/healthz")
        self.assertEqual(st, 200, body)
        self.assertEqual(body["checks"]["database"], "ok")


class SipReadinessTest(KefuTestCase):
    """With SIP on, /healthz carries checks.sip: the SIP thread's loop beats
    every 250 ms; a loop that has not turned for 3 s is stalled (503), and
    ready again once it turns. Without SIP the check is absent (above)."""
    server_env = {"KEFU_SIP_LISTEN": "127.0.0.1:0"}

    def test_stalled_sip_thread_is_not_ready(self):
        self.srv.sip_port()
        st, body, _ = self.srv.call("GET", "/healthz")
        self.assertEqual(st, 200, body)
        self.assertEqual(body["checks"], {"database": "ok", "scheduler": "manual", "sip": "ok"})
        self.assertError(self.srv.call("POST", "/api/test/sip/stall", {"ms": 60001}), 400,
                         field="ms")
        st, body, _ = self.srv.call("POST", "/api/test/sip/stall", {"ms": 4000})
        self.assertEqual(st, 202, body)
        deadline, seen = time.time() + 6, None
        while time.time() < deadline:
            st, body, _ = self.srv.call("GET", "/healthz")
            if st == 503:
                seen = body
                break
            time.sleep(0.2)
        self.assertIsNotNone(seen, "the stalled SIP thread was never reported")
        self.assertEqual(seen["status"], "unavailable")
        self.assertEqual(seen["checks"]["sip"], "stalled")
        self.assertEqual(seen["checks"]["database"], "ok")
        deadline = time.time() + 5
        while time.time() < deadline:
            st, body, _ = self.srv.call("GET", "/healthz")
            if st == 200:
                break
            time.sleep(0.2)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["checks"]["sip"], "ok")

