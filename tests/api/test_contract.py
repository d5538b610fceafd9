"""The API contract (issue 12 item 24): docs/openapi.json documents every route the
server has and every answer of each, in schemas that allow exactly what the server
sends. harness.Server.raw checks every answer the API tests receive against it
(contract.Contract.check); these tests check the document itself and the checker."""
import json
import os
import unittest

import contract
from harness import CONTRACT, KefuTestCase

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
JSON = {"content-type": "application/json; charset=utf-8"}


class DocumentTest(unittest.TestCase):
    def test_every_route_and_answer_is_documented(self):
        """Every route of the server's route tables is in the document and back;
        every operation has a success answer, every answer a description and a
        schema, no JSON success answer is only "an object", and nullable is used
        the way OpenAPI 3.0.3 reads it."""
        problems = contract.lint(CONTRACT.doc, contract.source_routes(os.path.join(ROOT, "src")))
        self.assertEqual(problems, [])

    def test_lint_finds_what_it_looks_for(self):
        doc = json.loads(json.dumps(CONTRACT.doc))
        doc["paths"]["/api/me"]["get"]["responses"] = {"401": {"description": "x"}}
        doc["components"]["schemas"]["Order"]["properties"]["customer"] = {
            "nullable": True, "allOf": [{"$ref": "#/components/schemas/Nope"}]}
        doc["paths"]["/api/people"]["get"]["responses"]["200"]["content"]["application/json"][
            "schema"] = {"type": "object"}
        problems = contract.lint(doc, contract.source_routes(os.path.join(ROOT, "src")) |
                                 {("GET", "/api/nowhere")})
        text = "\n".join(problems)
        self.assertIn("GET /api/me: no success answer documented", text)
        self.assertIn("#/components/schemas/Order/properties/customer: nullable without type", text)
        self.assertIn("$ref #/components/schemas/Nope leads nowhere", text)
        self.assertIn("GET /api/people → 200: documented only as an object", text)
        self.assertIn("GET /api/nowhere: served but not documented", text)


class CheckerTest(unittest.TestCase):
    """The checker names the route, the status and the JSON path of what is wrong."""

    def check(self, method, path, status, body, headers=JSON):
        return CONTRACT.check(method, path, status, headers,
                              body if isinstance(body, bytes) else json.dumps(body).encode())

    def test_an_undocumented_field_status_or_value_is_found(self):
        self.assertEqual(self.check("POST", "/api/test/clock", 200, {"now": 5, "fired": 0}), [])
        self.assertEqual(self.check("POST", "/api/test/clock", 200, {"now": 5}),
                         ["POST /api/test/clock → 200: at $: 'fired' is a required property"])
        self.assertEqual(self.check("POST", "/api/test/clock", 418, {}),
                         ["POST /api/test/clock → 418: status 418 not documented for this route "
                          "(documented: 200, 400, 404, 413, 429)"])
        err = {"error": {"code": "teapot", "message": "x"}}
        self.assertEqual(len(self.check("GET", "/api/orders/7", 404, err)), 1)
        self.assertIn("GET /api/orders/{id} → 404: at $.error.code: 'teapot' is not one of",
                      self.check("GET", "/api/orders/7", 404, err)[0])

    def test_nullable_follows_openapi_3_0_3(self):
        """null passes where the document says nullable with a type, or offers null in
        an anyOf; a nullable reference (MyCall.call) takes null and a call alike."""
        self.assertEqual(self.check("GET", "/api/me/call", 200, {"call": None}), [])
        problems = self.check("GET", "/api/me/call", 200, {"call": {"id": "x"}})
        self.assertTrue(problems and problems[0].startswith("GET /api/me/call → 200: at $.call:"),
                        problems)

    def test_media_types_routes_and_the_router(self):
        self.assertEqual(self.check("GET", "/api/reports/daily.csv", 200, b"a,b\n",
                                    {"content-type": "text/csv; charset=utf-8"}), [])
        self.assertEqual(self.check("GET", "/api/me", 200, b"<html>", {"content-type": "text/html"}),
                         ["GET /api/me → 200: Content-Type text/html not documented "
                          "(documented: application/json)"])
        nf = {"error": {"code": "not_found", "message": "no such resource"}}
        self.assertEqual(self.check("GET", "/api/nowhere", 404, nf), [])
        self.assertEqual(self.check("GET", "/api/nowhere", 200, {}),
                         ["GET /api/nowhere → 200: no documented route (expected the router's 404)"])
        ma = {"error": {"code": "method_not_allowed", "message": "method not allowed here"}}
        self.assertEqual(self.check("PUT", "/api/me", 405, ma), [])
        # A literal segment wins over a parameter, as in the router.
        self.assertEqual(CONTRACT.route("GET", "/api/orders/second-complaint?customer_id=1")[0],
                         "/api/orders/second-complaint")
        self.assertEqual(CONTRACT.route("GET", "/api/orders/12/attachments/3")[0],
                         "/api/orders/{id}/attachments/{aid}")


class ServedDocumentTest(KefuTestCase):
    def test_the_server_serves_this_document(self):
        """The document is embedded at build time: the binary serves the file as it is."""
        st, body, _ = self.srv.call("GET", "/api/openapi.json")
        self.assertEqual(st, 200)
        self.assertEqual(body, CONTRACT.doc)
