"""The authorization matrix (issue 21): every operation of docs/openapi.json ×
every role of the demo center × an object of department A and of department B
× no session, checked against the reviewed table tests/api/authz_matrix.tsv.

The table keeps, per route and caller, the class of answer: `ok` (neither 401
nor 403: the route's action let the caller through and the handler ran, so a
2xx, a validation error, a 404 for an id that does not exist or a 409 all
count), `404` (a real object the handler hides from the caller, as if it did
not exist), `401`, `403` or `5xx` (never wanted). A cell `x|y` gives the
answer for the object of department A (城市客服部, whose head 2001 and staff
2002 are columns) and of department B (集团市场部, whose staff 3002 is a
column); for the objects of one person (proposals, penalties, work logs, the
standing for duty, the status log) A is agent 8101's (a column) and B agent
8102's. A single value is the same for both, or the route takes no object
whose department or owner matters. Lists that filter by department_id,
person_id or agent_id are asked for A's and B's the same way. The `anon` column is the request without
a session: only public routes may answer it `ok`.

Every answer is also checked against docs/openapi.json, as harness.Server.raw
checks those of the other API tests. Every write of a route that is not public must
refuse a session cookie without its X-CSRF-Token. A route documented without a row, or a row of a route no longer documented,
fails the test (test_contract.py checks the server's route tables against the
document, so together every served route has a row).

Requests are built to be harmless. Reads get real objects (orders, contacts,
people, departments of A and B; the agents' objects above; a customer, an
article, a chat account, its conversation, a meeting). Writes get an empty
JSON body (BODIES: a minimal one) and, except for REAL_FOR_WRITES and the
routes of BODIES, ids that do not exist (the answer is then 404 or 400 when
the caller passes the route's action, 403 when not); POST /api/logout ends a
session made for it. All reads run before all writes, and writes run from the
least to the most privileged caller, so what an allowed write changes comes
after the refusals it could have masked.

To update the table after a change of routes or policy:
    KEFU_BIN=build/kefu python3 tests/api/test_authz_matrix.py --write
then review the diff of tests/api/authz_matrix.tsv (docs/api.md, "Authorization matrix").
"""
import http.client
import json
import os
import re
import sys
import unittest
import urllib.parse
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apihelp import db_value, dept_id, person_id
from harness import CONTRACT, KefuTestCase

TABLE = os.path.join(os.path.dirname(__file__), "authz_matrix.tsv")

# The callers, as columns: name → demo work number.
CALLERS = [
    ("admin", "admin"),
    ("manager:8001", "8001"),
    ("supervisor+agent:8002", "8002"),
    ("agent:8101", "8101"),
    ("qa:8301", "8301"),
    ("head-A:2001", "2001"),
    ("staff-A:2002", "2002"),
    ("staff-B:3002", "3002"),
    ("hr:7001", "7001"),
    ("office:1001", "1001"),
]
# Writes run from the least to the most privileged caller (see the module's doc).
WRITE_ORDER = ["staff-B:3002", "staff-A:2002", "head-A:2001", "agent:8101", "qa:8301",
               "hr:7001", "office:1001", "supervisor+agent:8002", "manager:8001", "admin"]
COLUMNS = ["anon"] + [c for c, _ in CALLERS]
MISSING = "999999"
WRITES = ("POST", "PUT", "PATCH", "DELETE")
# Required query parameters, filled with something well-formed.
# Dates are the server's today, filled in by setUpClass (a date the handler
# refuses could hide its authorization behind a 400 on some days only).
QUERY = {"from": "{month}-01", "to": "{today}", "month": "{month}", "day": "{today}",
         "phone": "13900000000", "reason": "授权矩阵", "outcome": "all", "echostr": "x",
         "token": "x"}
# Bodies for writes whose handler checks its fields before the record's
# department: with an empty body they would answer 400 to every caller and
# hide the authorization behind it.
BODIES = {
    ("POST", "/api/orders/{id}/report"): {"solution": "授权矩阵"},
    ("POST", "/api/orders/{id}/refer"): {"third_party_id": int(MISSING)},
    ("POST", "/api/orders/{id}/assign"): {"person_id": int(MISSING)},
    ("POST", "/api/orders/{id}/reveal"): {"reason": "授权矩阵"},
    ("POST", "/api/customers/{id}/reveal"): {"reason": "授权矩阵"},
    ("POST", "/api/perf/proposals/{id}/reject"): {"note": "授权矩阵"},
}
# Writes that get real objects (besides the routes of BODIES): the order,
# contact, proposal and penalty steps, which an empty body cannot turn into
# harm to later requests (their deletions take an attachment id that does
# not exist).
REAL_FOR_WRITES = ("/api/orders/", "/api/contacts/", "/api/perf/proposals/",
                   "/api/perf/penalties/")
# Filters of lists, asked with side A's and side B's value (the lists' own
# department or person scoping).
FILTERS = {"department_id": "/api/departments/", "person_id": "person", "agent_id": "person"}
# Other path parameters that are not ids.
PARAM = {"month": "{month}", "day": "{today}", "n": "1", "kind": "x", "code": "x",
         "account": "x", "phone": "13900000000", "number": "13900000000", "file": "x.xlsx",
         "position": "x", "item": MISSING}


def operations():
    """(method, template, operation) of every documented operation, sorted."""
    ops = []
    for template, methods in CONTRACT.doc["paths"].items():
        for m, op in methods.items():
            if m in ("get", "post", "put", "patch", "delete"):
                ops.append((m.upper(), template, op))
    return sorted(ops, key=lambda o: (o[1], o[0]))


def streams(op):
    """Whether the operation answers an event stream (read only its head)."""
    for r in op.get("responses", {}).values():
        if isinstance(r, dict) and "text/event-stream" in (r.get("content") or {}):
            return True
    return False


def classify(status, real):
    """The class of an answer; real: the request named a real object, whose 404
    means it is hidden from the caller (a missing id's 404 is the handler's)."""
    if status == 404 and real:
        return "404"
    if status == 401:
        return "401"
    if status == 403:
        return "403"
    if status >= 500:
        return "5xx"
    return "ok"


def read_table(path=TABLE):
    """{(method, template): {column: cell}} of the table file."""
    rows = {}
    with open(path, encoding="utf-8") as f:
        header = None
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cells = line.split("\t")
            if header is None:
                header = cells
                continue
            rows[(cells[0], cells[1])] = dict(zip(header[2:], cells[2:]))
    return rows


def write_table(rows, path=TABLE):
    with open(path, "w", encoding="utf-8") as f:
        f.write("# The authorization matrix: tests/api/test_authz_matrix.py checks it,\n"
                "# docs/api.md explains it. ok = passed the authorization (2xx, 400, 409,\n"
                "# 404 of a missing id), 404 = a real object hidden from the caller,\n"
                "# 401/403 = refused; x|y = side A's object | side B's (department\n"
                "# 城市客服部 | 集团市场部, or agent 8101's | 8102's). Regenerate with\n"
                "# `python3 tests/api/test_authz_matrix.py --write` and review the diff.\n")
        f.write("\t".join(["method", "path"] + COLUMNS) + "\n")
        for (m, t) in sorted(rows, key=lambda k: (k[1], k[0])):
            f.write("\t".join([m, t] + [rows[(m, t)][c] for c in COLUMNS]) + "\n")


class Caller:
    """One keep-alive connection with one session (or none)."""

    def __init__(self, srv, token):
        self.srv, self.token = srv, token
        self.conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)

    def send(self, method, path, stream=False, body=None):
        headers = {"Accept-Language": "en"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        if method in WRITES:
            body = json.dumps(body or {}).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (0, 1):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                if stream and resp.getheader("Content-Type", "").startswith("text/event-stream"):
                    self.conn.close()   # the stream never ends; its status is enough
                    return resp.status
                data = resp.read()
                # Every answer, refusals included, as docs/openapi.json documents it
                # (reported by the class's tearDownClass, as harness.Server.raw does).
                self.srv.contract_violations.extend(CONTRACT.check(
                    method, path, resp.status, {k.lower(): v for k, v in resp.getheaders()}, data))
                return resp.status
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                if attempt:
                    raise
        return None

    def close(self):
        self.conn.close()


class AuthzMatrixTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.tokens = {c: srv.login(w) for c, w in CALLERS}
        now = srv.advance(0)
        local = datetime.fromtimestamp(now / 1000, ZoneInfo("Asia/Shanghai"))
        cls.today, cls.month = local.strftime("%Y-%m-%d"), local.strftime("%Y-%m")
        agent = cls.tokens["agent:8101"]
        ids = {}
        for side, cls_code in (("A", "A1"), ("B", "A2")):   # A1 → 城市客服部, A2 → 集团市场部
            st, k, _ = srv.call("POST", "/api/contacts", {
                "channel": "phone", "direction": "in", "phone": "13912345678",
                "summary": "授权矩阵"}, token=agent)
            assert st == 201, k
            st, o, _ = srv.call("POST", "/api/orders", {
                "class": cls_code, "level": "Ⅲ", "summary": "授权矩阵", "contact_id": k["id"]},
                token=agent)
            assert st == 201, o
            ids[("/api/orders/", side)] = o["id"]
            ids[("/api/contacts/", side)] = k["id"]
        assert db_value(srv, f"SELECT department_id FROM work_order WHERE id = "
                             f"{ids[('/api/orders/', 'A')]}") == dept_id(srv, "城市客服部")
        st, c, _ = srv.call("POST", "/api/customers", {
            "name": "王五", "surname": "王", "title": "mr", "phones": [{"phone": "13912345679"}]},
            token=agent)
        assert st == 201, c
        ids[("/api/customers/", "A")] = ids[("/api/customers/", "B")] = c["id"]
        for side, w, d in (("A", "2002", "城市客服部"), ("B", "3002", "集团市场部")):
            ids[("/api/people/", side)] = person_id(srv, w)
            ids[("/api/departments/", side)] = dept_id(srv, d)
        # Objects of agents, whose scope is the agent's own: side A is agent
        # 8101's (a column), side B agent 8102's (another agent).
        sup = cls.tokens["supervisor+agent:8002"]
        st, cats, _ = srv.call("GET", "/api/perf/penalty-categories", token=sup)
        assert st == 200, cats
        for side, w in (("A", "8101"), ("B", "8102")):
            tok = agent if w == "8101" else srv.login(w)
            st, p, _ = srv.call("POST", "/api/perf/proposals", {
                "title": "授权矩阵", "content": "授权矩阵的建议"}, token=tok)
            assert st == 201, p
            st, pen, _ = srv.call("POST", "/api/perf/penalties", {
                "person_id": person_id(srv, w), "category_id": cats["items"][0]["id"],
                "evidence": "授权矩阵", "ref_kind": "contact",
                "ref_id": ids[("/api/contacts/", "A")]}, token=sup)
            assert st == 201, pen
            st, log, _ = srv.call("PUT", "/api/mtg/logs", {
                "kind": "month", "period": cls.month, "body": "授权矩阵"}, token=tok)
            assert st in (200, 201), log
            ids[("/api/perf/proposals/", side)] = p["id"]
            ids[("/api/perf/penalties/", side)] = pen["id"]
            ids[("/api/mtg/logs/", side)] = log["id"]
            # Routes about a person: their standing for duty, their status log.
            for prefix in ("person", "/api/trn/certification/", "/api/acd/agents/"):
                ids[(prefix, side)] = person_id(srv, w)
        # A web chat account with one visitor's conversation (unassigned, in the
        # default queue) and a coordination meeting the manager calls.
        mgr = cls.tokens["manager:8001"]
        st, acc, _ = srv.call("POST", "/api/chan/accounts", {
            "channel": "web_chat", "name": "授权矩阵", "queue": "", "config": {}}, token=mgr)
        assert st == 201, acc
        st, conv, _ = srv.call("POST", "/api/test/chan/inbound", {
            "account_id": acc["id"], "peer": "visitor-1", "text": "你好", "ext_id": "m-1"})
        assert st == 201, conv
        st, mtg, _ = srv.call("POST", "/api/mtg/meetings", {
            "type": "coordination", "title": "授权矩阵", "duration_min": 30,
            "location": "会议室",
            "starts_at": int((local + timedelta(days=3)).replace(
                hour=10, minute=0, second=0, microsecond=0).timestamp() * 1000)}, token=mgr)
        assert st == 201, mtg
        for prefix, oid in (("/api/chan/accounts/", acc["id"]),
                            ("/api/conversations/", conv["conv_id"]),
                            ("/api/mtg/meetings/", mtg["id"])):
            ids[(prefix, "A")] = ids[(prefix, "B")] = oid
        art = db_value(srv, "SELECT min(id) FROM kb_article")
        ids[("/api/kb/articles/", "A")] = ids[("/api/kb/articles/", "B")] = art
        cls.ids = ids

    def dated(self, value):
        return value.replace("{today}", self.today).replace("{month}", self.month)

    def path(self, method, template, side):
        """The request's path for the object of department side ("A" or "B"),
        whether the two sides differ and whether it names only real objects."""
        differs = real = False
        prefix = template.split("{", 1)[0]
        first = True

        def fill(m):
            nonlocal differs, first, real
            name = m.group(1)
            out = None
            if first and name == "id" and (method == "GET" or prefix in REAL_FOR_WRITES or
                                           (method, template) in BODIES):
                got = self.ids.get((prefix, side))
                if got is not None:
                    out, real = str(got), True
                    differs = differs or self.ids[(prefix, "A")] != self.ids[(prefix, "B")]
            first = False
            if out is None:
                out = self.dated(PARAM.get(name, MISSING))
            return out

        path = re.sub(r"\{(\w+)\}", fill, template)
        # A 404 tells something only when every parameter named a real object.
        real = real and template.count("{") == 1
        op = CONTRACT.doc["paths"][template][method.lower()]
        q = []
        for p in op.get("parameters", []):
            if "$ref" in p:
                p = CONTRACT._deref(p["$ref"])
            name = p["name"]
            if p.get("in") != "query":
                continue
            if p.get("required"):
                q.append(f"{name}={urllib.parse.quote(self.dated(QUERY.get(name, 'x')))}")
            elif method == "GET" and name in FILTERS:
                # A list asked for department A's or B's rows, agent 8101's or 8102's.
                q.append(f"{name}={self.ids[(FILTERS[name], side)]}")
                differs = True
        return path + ("?" + "&".join(q) if q else ""), differs, real

    def measure(self):
        """{(method, template): {column: cell}} as the server answers now."""
        srv = self.srv
        callers = {c: Caller(srv, t) for c, t in self.tokens.items()}
        callers["anon"] = Caller(srv, None)
        got = {}
        ops = operations()
        try:
            # Reads first, with real objects; then writes, least privileged first.
            for method, template, op in ops:
                if method in WRITES:
                    continue
                row = got[(method, template)] = {}
                pa, differs, real = self.path(method, template, "A")
                pb = self.path(method, template, "B")[0] if differs else None
                for c in COLUMNS:
                    a = classify(callers[c].send(method, pa, streams(op)), real)
                    if pb and c != "anon":
                        b = classify(callers[c].send(method, pb, streams(op)), real)
                        row[c] = a if a == b else f"{a}|{b}"
                    else:
                        row[c] = a
            for method, template, op in ops:
                if method not in WRITES:
                    continue
                row = got[(method, template)] = {}
                pa, differs, real = self.path(method, template, "A")
                pb = self.path(method, template, "B")[0] if differs else None
                for c in ["anon"] + WRITE_ORDER:
                    caller = callers[c]
                    if template == "/api/logout" and c != "anon":
                        caller = Caller(srv, srv.login(dict(CALLERS)[c]))
                    body = BODIES.get((method, template))
                    a = classify(caller.send(method, pa, body=body), real)
                    if pb and c != "anon":
                        b = classify(caller.send(method, pb, body=body), real)
                        row[c] = a if a == b else f"{a}|{b}"
                    else:
                        row[c] = a
                    if caller is not callers[c]:
                        caller.close()
        finally:
            for c in callers.values():
                c.close()
        return got

    def test_every_route_answers_every_caller_as_the_table_says(self):
        want = read_table()
        documented = {(m, t) for m, t, _ in operations()}
        problems = [f"{m} {t}: documented but has no row in authz_matrix.tsv"
                    for m, t in sorted(documented - set(want))]
        problems += [f"{m} {t}: row in authz_matrix.tsv for a route not documented"
                     for m, t in sorted(set(want) - documented)]
        got = self.measure()
        for key in sorted(documented & set(want), key=lambda k: (k[1], k[0])):
            for c in COLUMNS:
                if want[key].get(c) != got[key][c]:
                    problems.append(f"{key[0]} {key[1]} as {c}: table says "
                                    f"{want[key].get(c)}, the server answers {got[key][c]}")
        if problems:
            self.fail(f"{len(problems)} problems with authz_matrix.tsv (if the change is "
                      "meant, regenerate it with --write and review the diff):\n" +
                      "\n".join(problems))

    def test_a_cookie_write_needs_the_csrf_token(self):
        """Every write of a route that is not public refuses a session cookie
        without X-CSRF-Token (403) before its handler runs, whatever the caller
        may do: the manager's own session, made for this test, is used."""
        token = self.srv.login("8001")
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=30)
        public = {k for k, row in read_table().items() if row["anon"] != "401"}
        problems = []
        try:
            for method, template, _ in operations():
                if method not in WRITES or (method, template) in public:
                    continue
                path = re.sub(r"\{\w+\}", MISSING, template)
                conn.request(method, path, body=b"{}", headers={
                    "Cookie": f"kefu_session={token}", "Content-Type": "application/json",
                    "Accept-Language": "en"})
                resp = conn.getresponse()
                body = resp.read()
                if resp.status != 403 or b"X-CSRF-Token" not in body:
                    problems.append(f"{method} {template}: {resp.status} {body[:120]!r}")
        finally:
            conn.close()
        self.assertEqual(problems, [])

    def test_the_table_has_no_holes(self):
        """Every cell is one of the known classes (a 5xx is never expected)."""
        for key, row in read_table().items():
            for c in COLUMNS:
                for v in row.get(c, "").split("|"):
                    self.assertIn(v, ("ok", "401", "403", "404"), (key, c, row))


def main():
    """--write: measure the current server and rewrite the table (then review the diff)."""
    if "--write" not in sys.argv:
        unittest.main()
        return

    class Writer(AuthzMatrixTest):
        def runTest(self):
            write_table(self.measure())

    Writer.setUpClass()
    try:
        Writer().runTest()
    finally:
        Writer.tearDownClass()
        Writer.doClassCleanups()
    print(f"wrote {TABLE}: review its diff")


if __name__ == "__main__":
    main()
