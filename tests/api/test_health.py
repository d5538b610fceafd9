"""Server basics: health, metrics, OpenAPI, unknown routes, graceful stop."""
from harness import KefuTestCase


class HealthTest(KefuTestCase):
    def test_healthz_reports_schema_and_zone(self):
        st, body, h = self.srv.call("GET", "/healthz")
        self.assertEqual(st, 200)
        self.assertEqual(body["status"], "ok")
        self.assertGreaterEqual(body["schema"], 1)
        self.assertEqual(body["timezone"], "Asia/Shanghai")
        self.assertEqual(body["center"], "客服中心")
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

    def test_wrong_method_is_405(self):
        self.assertError(self.srv.call("DELETE", "/api/login"), 405, "method_not_allowed")
