"""The API's contract, enforced: every answer the API tests receive is checked
against docs/openapi.json for its route and status (harness.Server.raw calls
Contract.check), so the document and the server cannot drift apart.

The document is OpenAPI 3.0.3; its schemas are translated to JSON Schema
(draft 4, whose boolean exclusiveMinimum is OpenAPI 3.0's) and validated with
jsonschema (Debian's python3-jsonschema). `nullable: true` adds null to the
types only where `type` is given in the same schema object, as OpenAPI 3.0.3
says: a nullable reference is written as
`anyOf: [{$ref}, {type: object, nullable: true, enum: [null]}]`, and a
nullable enum lists null among its values. lint() finds the places where the
document breaks those rules or leaves a route's answers undocumented.
"""
import json
import os
import re
import urllib.parse

import jsonschema

DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "openapi.json")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
# Keys whose value is one schema, a list of schemas, or a map of names to schemas.
_ONE = ("items", "not", "additionalProperties")
_LIST = ("allOf", "anyOf", "oneOf")
_MAP = ("properties",)


class ContractError(AssertionError):
    """An answer the document does not allow (route, status, media type or body)."""


def to_json_schema(s):
    """One OpenAPI 3.0 schema object as JSON Schema (draft 4)."""
    if not isinstance(s, dict):
        return s
    out = {}
    for k, v in s.items():
        if k in _ONE:
            out[k] = to_json_schema(v)
        elif k in _LIST:
            out[k] = [to_json_schema(x) for x in v]
        elif k in _MAP:
            out[k] = {name: to_json_schema(x) for name, x in v.items()}
        elif k in ("nullable", "example", "readOnly", "writeOnly", "deprecated", "discriminator",
                   "xml", "externalDocs"):
            continue
        else:
            out[k] = v
    if s.get("nullable") is True and "type" in s:
        out["type"] = [s["type"], "null"]
    return out


def json_path(parts):
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


class Contract:
    def __init__(self, path=DOC):
        with open(path, encoding="utf-8") as f:
            self.doc = json.load(f)
        comps = self.doc.get("components", {})
        self.components = {"schemas": {k: to_json_schema(v)
                                       for k, v in comps.get("schemas", {}).items()}}
        self.routes = []
        for template, ops in self.doc["paths"].items():
            rx = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            params = template.count("{")
            for m, op in ops.items():
                if m in METHODS:
                    self.routes.append((params, template, re.compile(rx), m.upper(), op))
        # A literal segment wins over a parameter (/api/orders/second-complaint before
        # /api/orders/{id}), as in the server's router.
        self.routes.sort(key=lambda r: r[0])
        self._validators = {}

    def route(self, method, path):
        """(template, operation) of a request, (template, None) when only the method is
        unknown, (None, None) when the path is unknown."""
        path = path.split("?", 1)[0]
        seen = None
        for _, template, rx, m, op in self.routes:
            if rx.match(path):
                if m == method:
                    return template, op
                seen = seen or template
        return seen, None

    def response(self, op, status):
        rs = op.get("responses", {})
        r = rs.get(str(status)) or rs.get(f"{str(status)[0]}XX") or rs.get("default")
        while r is not None and "$ref" in r:
            r = self._deref(r["$ref"])
        return r

    def _deref(self, ref):
        node = self.doc
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return node

    def _validator(self, key, schema):
        v = self._validators.get(key)
        if v is None:
            # allOf keeps a top-level $ref from hiding "components" (draft 4 ignores a
            # $ref's siblings); the references resolve against this root.
            root = {"allOf": [to_json_schema(schema)], "components": self.components}
            v = jsonschema.Draft4Validator(root)
            self._validators[key] = v
        return v

    def check(self, method, path, status, headers, body):
        """Problems of one answer, as precise sentences (empty when it is as documented).
        headers: lower-cased names; body: bytes."""
        where = f"{method} {path.split('?', 1)[0]} → {status}"
        template, op = self.route(method, path)
        if not path.startswith("/api/") and template is None:
            return []  # the workbench's static files are not part of the API
        if op is None:
            # The server's own answers to a path or method no route has (docs/api.md):
            # 400 for a path that is not UTF-8 (checked before routing), else 404 or 405.
            want = 400 if not utf8_path(path) else 405 if template else 404
            if status != want:
                return [f"{where}: no documented route (expected the router's {want})"]
            return self._body(where, "router", {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}, headers, body)
        where = f"{method} {template} → {status}"
        resp = self.response(op, status)
        if resp is None:
            return [f"{where}: status {status} not documented for this route "
                    f"(documented: {', '.join(sorted(op.get('responses', {})))})"]
        return self._body(where, f"{method} {template} {status}", resp.get("content"),
                          headers, body)

    def _body(self, where, key, content, headers, body):
        ctype = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if not content:
            if body:
                return [f"{where}: documented without a body, got {len(body)} bytes "
                        f"({ctype or 'no Content-Type'})"]
            return []
        media = None
        for mt in content:
            if mt == ctype or (mt.endswith("/*") and ctype.startswith(mt[:-1])) or mt == "*/*":
                media = mt
                break
        if media is None:
            return [f"{where}: Content-Type {ctype or '(none)'} not documented "
                    f"(documented: {', '.join(content)})"]
        schema = content[media].get("schema")
        if media != "application/json" or schema is None:
            return []
        try:
            doc = json.loads(body)
        except ValueError as e:
            return [f"{where}: body is not JSON ({e})"]
        errs = sorted(self._validator(key + " " + media, schema).iter_errors(doc),
                      key=lambda e: list(e.absolute_path))
        out = []
        for e in errs[:8]:
            detail = e.message if len(e.message) < 300 else e.message[:300] + "…"
            if e.context:  # anyOf/oneOf: the alternatives' own complaints say more
                best = jsonschema.exceptions.best_match(e.context)
                detail += f" (closest: at {json_path(best.absolute_path)}: {best.message[:200]})"
            out.append(f"{where}: at {json_path(e.absolute_path)}: {detail}")
        if len(errs) > 8:
            out.append(f"{where}: … and {len(errs) - 8} more")
        return out


def utf8_path(path):
    try:
        urllib.parse.unquote(path.split("?", 1)[0], errors="strict")
        return True
    except UnicodeDecodeError:
        return False


def lint(doc, source_routes=None):
    """Problems of the document itself: an operation without a success answer or a
    description, an answer without a schema, nullable where OpenAPI 3.0.3 ignores it,
    a $ref that leads nowhere, and (given the server's route table) a route on one
    side only."""
    problems = []

    def walk(s, where):
        if isinstance(s, dict):
            if "$ref" in s:
                try:
                    node = doc
                    for part in s["$ref"].lstrip("#/").split("/"):
                        node = node[part]
                except (KeyError, TypeError):
                    problems.append(f"{where}: $ref {s['$ref']} leads nowhere")
            if s.get("nullable") is True:
                if "type" not in s:
                    problems.append(f"{where}: nullable without type allows no null in "
                                    "OpenAPI 3.0.3 (use anyOf with an enum [null] schema)")
                elif "enum" in s and None not in s["enum"]:
                    problems.append(f"{where}: nullable enum without null among its values")
            for k, v in s.items():
                walk(v, f"{where}/{k}")
        elif isinstance(s, list):
            for i, v in enumerate(s):
                walk(v, f"{where}/{i}")

    walk(doc, "#")
    responses = doc.get("components", {}).get("responses", {})
    for template, ops in doc["paths"].items():
        for m, op in ops.items():
            if m not in METHODS:
                continue
            where = f"{m.upper()} {template}"
            rs = op.get("responses", {})
            if not any(st.startswith("2") for st in rs):
                problems.append(f"{where}: no success answer documented")
            for st, r in rs.items():
                if "$ref" in r:
                    r = responses.get(r["$ref"].rsplit("/", 1)[-1], {})
                if not r.get("description"):
                    problems.append(f"{where} → {st}: no description")
                for mt, media in (r.get("content") or {}).items():
                    if "schema" not in media:
                        problems.append(f"{where} → {st} {mt}: no schema")
                    elif mt == "application/json" and st.startswith("2"):
                        s = media["schema"]
                        if s.get("type") == "object" and not ({"properties", "$ref", "allOf",
                                                               "additionalProperties"} & set(s)):
                            problems.append(f"{where} → {st}: documented only as an object")
            if st_has_params(template) and not params_documented(op, ops, template, doc):
                problems.append(f"{where}: path parameters not all documented")
    if source_routes is not None:
        documented = {(m.upper(), t) for t, ops in doc["paths"].items() for m in ops
                      if m in METHODS}
        for r in sorted(set(source_routes) - documented):
            problems.append(f"{r[0]} {r[1]}: served but not documented")
        for r in sorted(documented - set(source_routes)):
            problems.append(f"{r[0]} {r[1]}: documented but not served")
    return problems


def st_has_params(template):
    return "{" in template


def params_documented(op, ops, template, doc):
    names = set()
    for p in list(ops.get("parameters", [])) + list(op.get("parameters", [])):
        if "$ref" in p:
            p = doc["components"]["parameters"][p["$ref"].rsplit("/", 1)[-1]]
        if p.get("in") == "path":
            names.add(p["name"])
    return set(re.findall(r"\{([^}]+)\}", template)) <= names


def source_routes(src):
    """The (method, path) of every route table entry under src/."""
    out = set()
    rx = re.compile(r'\{\s*"(GET|POST|PUT|PATCH|DELETE|OPTIONS)",\s*"(/[^"]*)"')
    for dirpath, _, files in os.walk(src):
        for name in files:
            if name.endswith(".c"):
                with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                    out.update(rx.findall(f.read()))
    return out
