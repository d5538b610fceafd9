"""Small helpers shared by the API tests (not a test module itself)."""
import json
import socket
import struct
import subprocess
import time
import zlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

MINUTE = 60 * 1000
HOUR = 60 * MINUTE


def db_rows(srv, sql):
    """Rows of a query read straight from the database, as dicts (sqlite3 -json)."""
    out = subprocess.run(["sqlite3", "-json", srv.db, sql], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout) if out.stdout.strip() else []


def db_value(srv, sql):
    rows = db_rows(srv, sql)
    if not rows:
        return None
    return next(iter(rows[0].values()))


def person_id(srv, work_no):
    return db_value(srv, f"SELECT id FROM person WHERE work_no = '{work_no}'")


def dept_id(srv, name):
    return db_value(srv, f"SELECT id FROM department WHERE name = '{name}'")


def cookie(token, csrf=None):
    h = {"Cookie": f"kefu_session={token}"}
    if csrf is not None:
        h["X-CSRF-Token"] = csrf
    return h


def login_full(srv, work_no, password=None):
    """Logs in; returns (status, body, headers) of POST /api/login."""
    return srv.call("POST", "/api/login", {
        "work_no": work_no, "password": password if password is not None else srv.passwords[work_no]})


def log_out_agent(srv, token, timeout=10):
    """Sets the agent logged out once kefu has let go of them. The SIP stack
    answers a BYE before the call is torn down, and an offer that ended may
    be made again at once, so right after a hang-up the agent can still be
    ringing or talking for a moment: wait for that to pass rather than
    change the status while the old state still holds."""
    deadline = time.time() + timeout
    while True:
        st, me, _ = srv.call("GET", "/api/acd/me", token=token)
        if st != 200:
            raise AssertionError(f"GET /api/acd/me: {st} {me}")
        if me["status"] not in ("ringing", "talking"):
            break
        if time.time() > deadline:
            raise AssertionError(f"the agent is still on a call: {me}")
        time.sleep(0.05)
    st, body, _ = srv.call("POST", "/api/acd/me/status", {"status": "logged_out"}, token=token)
    if st != 200:
        raise AssertionError(f"logging out: {st} {body}")


def raw_socket(srv, data, timeout=10, source=None):
    """Sends bytes on a fresh connection (from the loopback address source, e.g.
    "127.0.0.2", when given); returns everything read until the server closes
    (b"" if it closed or reset without an answer)."""
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=timeout,
                                 source_address=(source, 0) if source else None)
    out = b""
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    finally:
        s.close()
    return out


def parse_raw_response(data):
    """(status, headers dict lower-cased, body bytes) of a raw HTTP/1.1 answer."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body


def all_pages(srv, path, token, limit):
    """Follows next_cursor; returns (items, pages)."""
    sep = "&" if "?" in path else "?"
    items, pages, cursor = [], [], None
    for _ in range(1000):
        url = f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        st, body, _ = srv.call("GET", url, token=token)
        assert st == 200, (url, st, body)
        pages.append(body["items"])
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages
    raise AssertionError("pagination never ended")


def png(w=4, h=3, rgb=(200, 30, 30)):
    """A real PNG image (what a phone's photo of the damage would be, only
    smaller): the attachment tests of orders, contacts and articles."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    raw = b"".join(b"\x00" + bytes(list(rgb) * w) for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def advance_to_local(srv, hour, minute, tz="Asia/Shanghai"):
    """Moves the server's test clock forward to the next hour:minute in the
    center's zone; returns the new now (UTC ms)."""
    now = srv.advance(0)
    local = datetime.fromtimestamp(now / 1000, ZoneInfo(tz))
    target = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if target <= local:
        target += timedelta(days=1)
    return srv.advance(int((target - local).total_seconds() * 1000))
