"""Notifications (GET/POST /api/notifications…) and the live event stream
(GET /api/events, Server-Sent Events).

Nothing sends notifications through the API yet (the work-order engine
will, with notify_send), so the tests write rows with the sqlite3 command
line: another process on the same database, exactly what a second app node
is to the stream."""
import http.client
import json
import os
import queue
import signal
import socket
import subprocess
import threading
import time

from apihelp import MINUTE, cookie, login_full, person_id
from harness import KefuTestCase

AT = 1795344129000


def insert(srv, person, kind="order.new", text="新工单", read_at=None):
    """Adds a notification from outside the server; returns its id."""
    sql = ("INSERT INTO notification(person_id, at, kind, text, read_at) VALUES "
           f"({person}, {AT}, '{kind}', '{text}', {read_at if read_at else 'NULL'});"
           " SELECT last_insert_rowid();")
    out = subprocess.run(["sqlite3", "-cmd", ".timeout 5000", srv.db, sql], capture_output=True,
                         text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1])


class EventStream:
    """GET /api/events on a connection of its own; a thread parses events into a queue."""

    def __init__(self, srv, token=None, headers=None, path="/api/events"):
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        self.conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
        self.conn.request("GET", path, headers=h)
        self.sock = self.conn.sock
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.headers = {k.lower(): v for k, v in self.resp.getheaders()}
        self.events = queue.Queue()
        self.ended = threading.Event()
        self.clean_end = False
        self.body = None
        if self.status == 200:
            # The stream's body never ends: its status and Content-Type are checked.
            srv.check_contract("GET", path, self.status, self.headers, b"")
            threading.Thread(target=self._read, daemon=True).start()
        else:
            self.body = self.resp.read()
            self.conn.close()
            srv.check_contract("GET", path, self.status, self.headers, self.body)

    def _read(self):
        ev = {}
        try:
            while True:
                line = self.resp.readline()
                if not line:
                    self.clean_end = True  # the last chunk came: the server ended it
                    break
                line = line.decode("utf-8").rstrip("\n")
                if line == "":
                    if ev:
                        self.events.put(ev)
                    ev = {}
                elif line.startswith(":"):
                    self.events.put({"comment": line[1:].strip()})
                else:
                    key, _, value = line.partition(":")
                    ev[key] = value[1:] if value.startswith(" ") else value
        except Exception:  # noqa: BLE001 - closed under the reader by close(); an end all the same
            pass
        self.ended.set()
        self.events.put(None)

    def next(self, timeout=3.0):
        """The next event (a dict of its fields), or None when the stream ended;
        fails after timeout. The opening `retry:` and keep-alive comments are skipped."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no event within %.1f s" % timeout)
            try:
                ev = self.events.get(timeout=left)
            except queue.Empty:
                raise AssertionError("no event within %.1f s" % timeout) from None
            if ev is None:
                self.events.put(None)
                return None
            if "comment" in ev or set(ev) == {"retry"}:
                continue
            return ev

    def nothing_within(self, seconds):
        """True if no event (and no end) arrives within seconds."""
        try:
            self.next(seconds)
        except AssertionError:
            return True
        return False

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.close()
        self.ended.wait(5)


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


class NotificationsApiTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tokens = {}
        cls.ids = {}
        for w in ("8101", "8102", "8103", "8104", "8105", "8106", "8002"):
            cls.tokens[w] = cls.srv.login(w)
            cls.ids[w] = person_id(cls.srv, w)

    def get(self, who, query=""):
        st, body, _ = self.srv.call("GET", "/api/notifications" + query, token=self.tokens[who])
        self.assertEqual(st, 200, body)
        return body

    def test_list_is_ones_own_newest_first_with_unread_count(self):
        srv, a, b = self.srv, self.ids["8101"], self.ids["8102"]
        mine = [insert(srv, a, text=f"给刘洋 {i}") for i in range(3)]
        insert(srv, b, text="给别人")
        read = insert(srv, a, kind="sla.warning", text="已读", read_at=AT + 5)
        body = self.get("8101")
        self.assertEqual([n["id"] for n in body["items"]], [read] + mine[::-1])
        self.assertEqual(body["unread_count"], 3)
        self.assertIsNone(body["next_cursor"])
        first = body["items"][0]
        self.assertEqual(first, {"id": read, "at": AT, "kind": "sla.warning", "order_id": None,
                                 "text": "已读", "read_at": AT + 5})
        # Pages follow the cursor; every page carries the count.
        page1 = self.get("8101", "?limit=2")
        self.assertEqual([n["id"] for n in page1["items"]], [read, mine[2]])
        page2 = self.get("8101", "?limit=2&cursor=" + page1["next_cursor"])
        self.assertEqual([n["id"] for n in page2["items"]], [mine[1], mine[0]])
        self.assertEqual(page2["unread_count"], 3)
        # Unread only.
        unread = self.get("8101", "?unread=true")
        self.assertEqual([n["id"] for n in unread["items"]], mine[::-1])
        self.assertEqual(len(self.get("8101", "?unread=false")["items"]), 4)
        self.assertError(srv.call("GET", "/api/notifications?unread=yes",
                                  token=self.tokens["8101"]), 400, field="unread")
        self.assertError(srv.call("GET", "/api/notifications?cursor=x",
                                  token=self.tokens["8101"]), 400, field="cursor")

    def test_mark_read_only_ones_own(self):
        srv, a, b = self.srv, self.ids["8103"], self.ids["8104"]
        n1, n2 = insert(srv, a), insert(srv, a)
        theirs = insert(srv, b)
        st, body, _ = srv.call("POST", f"/api/notifications/{n1}/read", token=self.tokens["8103"])
        self.assertEqual(st, 200, body)
        self.assertEqual(body["id"], n1)
        self.assertIsInstance(body["read_at"], int)
        self.assertEqual(body["unread_count"], 1)
        # Again: still read, at the first time.
        st, again, _ = srv.call("POST", f"/api/notifications/{n1}/read", token=self.tokens["8103"])
        self.assertEqual(st, 200)
        self.assertEqual(again["read_at"], body["read_at"])
        # Someone else's is not found, exactly like one that does not exist.
        self.assertError(srv.call("POST", f"/api/notifications/{theirs}/read",
                                  token=self.tokens["8103"]), 404, "not_found")
        self.assertError(srv.call("POST", "/api/notifications/999999/read",
                                  token=self.tokens["8103"]), 404, "not_found")
        self.assertError(srv.call("POST", "/api/notifications/abc/read",
                                  token=self.tokens["8103"]), 404)
        self.assertEqual(srv.count(f"SELECT count(*) FROM notification WHERE id = {theirs}"
                                   " AND read_at IS NULL"), 1)
        self.assertEqual(self.get("8104")["unread_count"], 1)
        self.assertEqual(self.get("8103")["unread_count"], 1)
        self.assertError(srv.call("POST", f"/api/notifications/{n2}/read", {"x": 1},
                                  token=self.tokens["8103"]), 400, field="x")
        self.assertError(srv.call("GET", f"/api/notifications/{n2}/read",
                                  token=self.tokens["8103"]), 405)

    def test_read_all_up_to_what_was_seen(self):
        srv, a, b = self.srv, self.ids["8105"], self.ids["8106"]
        seen = [insert(srv, a) for _ in range(3)]
        later = insert(srv, a)
        insert(srv, b)
        st, body, _ = srv.call("POST", "/api/notifications/read-all", {"up_to": seen[-1]},
                               token=self.tokens["8105"])
        self.assertEqual(st, 200, body)
        self.assertEqual(body, {"marked": 3, "unread_count": 1})
        st, body, _ = srv.call("POST", "/api/notifications/read-all", token=self.tokens["8105"])
        self.assertEqual(body, {"marked": 1, "unread_count": 0})
        self.assertEqual(srv.count(f"SELECT count(*) FROM notification WHERE id = {later}"
                                   " AND read_at IS NOT NULL"), 1)
        self.assertEqual(self.get("8106")["unread_count"], 1)
        self.assertError(srv.call("POST", "/api/notifications/read-all", {"up_to": "x"},
                                  token=self.tokens["8105"]), 400, field="up_to")

    def test_cookie_writes_need_the_csrf_token(self):
        srv = self.srv
        n = insert(srv, self.ids["8002"])
        st, login, _ = login_full(srv, "8002")
        self.assertEqual(st, 200)
        self.assertError(srv.call("POST", f"/api/notifications/{n}/read",
                                  headers=cookie(login["token"])), 403)
        st, body, _ = srv.call("POST", f"/api/notifications/{n}/read",
                               headers=cookie(login["token"], login["csrf_token"]))
        self.assertEqual(st, 200, body)
        # Reading needs no CSRF token.
        st, body, _ = srv.call("GET", "/api/notifications", headers=cookie(login["token"]))
        self.assertEqual(st, 200)

    def test_logged_out_gets_401(self):
        for method, path in (("GET", "/api/notifications"), ("POST", "/api/notifications/1/read"),
                             ("POST", "/api/notifications/read-all"), ("GET", "/api/events")):
            with self.subTest(path=path):
                self.assertError(self.srv.call(method, path), 401, "unauthenticated")
                self.assertError(self.srv.call(method, path, token="x" * 43), 401)


class EventStreamTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.a = person_id(cls.srv, "8101")
        cls.b = person_id(cls.srv, "8102")
        cls.token = cls.srv.login("8101")

    def test_delivers_rows_another_process_writes_in_order_and_only_ones_own(self):
        srv = self.srv
        before = insert(srv, self.a, text="打开之前")
        s = EventStream(srv, self.token)
        try:
            self.assertEqual(s.status, 200)
            self.assertEqual(s.headers["content-type"], "text/event-stream")
            self.assertEqual(s.headers["cache-control"], "no-store")
            self.assertEqual(s.headers["x-content-type-options"], "nosniff")
            insert(srv, self.b, text="别人的")
            n1 = insert(srv, self.a, kind="order.new", text="新工单")
            ev = s.next(2.5)  # another process's row: seen at the next poll (about 1 s)
            self.assertEqual(ev["id"], str(n1))
            self.assertEqual(ev["event"], "order.new")
            self.assertEqual(json.loads(ev["data"]),
                             {"id": n1, "at": AT, "kind": "order.new", "order_id": None,
                              "text": "新工单", "read_at": None})
            n2 = insert(srv, self.a, kind="sla.warning", text="即将超时")
            n3 = insert(srv, self.a, kind="Not An SSE Name", text="别的写法")
            ev2, ev3 = s.next(3), s.next(3)
            self.assertEqual((ev2["id"], ev2["event"]), (str(n2), "sla.warning"))
            # A kind that could break the framing goes out under a neutral name.
            self.assertEqual((ev3["id"], ev3["event"]), (str(n3), "notification"))
            self.assertTrue(s.nothing_within(1.2), "rows from before, and others', never come")
            self.assertGreater(n1, before)
        finally:
            s.close()

    def test_last_event_id_and_after_resume(self):
        srv = self.srv
        ids = [insert(srv, self.a, text=f"错过的 {i}") for i in range(3)]
        s = EventStream(srv, self.token, headers={"Last-Event-ID": str(ids[0])})
        try:
            got = [s.next(3)["id"], s.next(3)["id"]]
            self.assertEqual(got, [str(ids[1]), str(ids[2])])
            self.assertTrue(s.nothing_within(0.5))
        finally:
            s.close()
        s = EventStream(srv, self.token, path=f"/api/events?after={ids[1]}")
        try:
            self.assertEqual(s.next(3)["id"], str(ids[2]))
        finally:
            s.close()
        # The header (what a reconnecting browser sends) wins over the URL's after=.
        s = EventStream(srv, self.token, headers={"Last-Event-ID": str(ids[1])},
                        path=f"/api/events?after={ids[0]}")
        try:
            self.assertEqual(s.next(3)["id"], str(ids[2]))
            self.assertTrue(s.nothing_within(0.5))
        finally:
            s.close()
        for bad in ("abc", "-1", "1x"):
            s = EventStream(srv, self.token, headers={"Last-Event-ID": bad})
            self.assertEqual(s.status, 400, bad)
        s = EventStream(srv, self.token, path="/api/events?after=x")
        self.assertEqual(s.status, 400)

    def test_cookie_stream_needs_no_csrf_token(self):
        st, login, _ = login_full(self.srv, "8101")
        self.assertEqual(st, 200)
        s = EventStream(self.srv, headers=cookie(login["token"]))
        try:
            self.assertEqual(s.status, 200)
            n = insert(self.srv, self.a, text="cookie")
            self.assertEqual(s.next(3)["id"], str(n))
        finally:
            s.close()

    def test_logged_out_stream_is_401(self):
        s = EventStream(self.srv)
        self.assertEqual(s.status, 401)
        self.assertIn(b"unauthenticated", s.body)

    def test_parked_streams_hold_no_worker_and_burn_no_cpu(self):
        """More open streams than worker threads: other requests are answered at once,
        an idle stream costs no CPU, and every stream of a person gets each event."""
        srv = self.srv
        streams = [EventStream(srv, self.token) for _ in range(6)]   # 4 workers
        try:
            for s in streams:
                self.assertEqual(s.status, 200)
            time.sleep(0.3)
            # A worker held by a stream would leave these hanging (the client times out).
            for _ in range(20):
                st, _, _ = srv.call("GET", "/api/notifications?limit=1", token=self.token)
                self.assertEqual(st, 200)
            ticks = cpu_ticks(srv.proc.pid)
            time.sleep(1.0)
            used = (cpu_ticks(srv.proc.pid) - ticks) / os.sysconf("SC_CLK_TCK")
            self.assertLess(used, 0.3, "idle streams must not spin")
            n = insert(srv, self.a, text="大家都收到")
            for s in streams:
                self.assertEqual(s.next(3)["id"], str(n))
        finally:
            for s in streams:
                s.close()

    def test_streams_per_person_are_capped(self):
        """One account cannot hold every connection: at eight streams, opening another
        ends that person's oldest one (a reload must never be refused)."""
        srv = self.srv
        token = srv.login("8104")
        streams = [EventStream(srv, token) for _ in range(8)]
        try:
            self.assertEqual([x.status for x in streams], [200] * 8)
            extra = EventStream(srv, token)
            try:
                self.assertEqual(extra.status, 200)
                self.assertTrue(streams[0].ended.wait(5), "the oldest stream ends")
                self.assertTrue(streams[0].clean_end)
                self.assertFalse(streams[-1].ended.is_set(), "the others stay open")
            finally:
                extra.close()
        finally:
            for x in streams:
                x.close()

    def test_logout_ends_the_stream(self):
        srv = self.srv
        token = srv.login("8101")
        s = EventStream(srv, token)
        try:
            self.assertEqual(s.status, 200)
            st, _, _ = srv.call("POST", "/api/logout", token=token)
            self.assertEqual(st, 200)
            # The session is re-checked every 30 s by the server's clock.
            srv.advance(31 * 1000)
            self.assertIsNone(s.next(3))
            self.assertTrue(s.clean_end)
        finally:
            s.close()


class EventStreamSessionExpiryTest(KefuTestCase):
    def test_expired_session_ends_the_stream(self):
        srv = self.srv
        token = srv.login("8103")
        s = EventStream(srv, token)
        try:
            self.assertEqual(s.status, 200)
            self.assertTrue(s.nothing_within(0.3))
            srv.advance(31 * MINUTE)  # past session_idle_min
            self.assertIsNone(s.next(2.5), "the stream ends at its next session check")
            self.assertTrue(s.clean_end)
        finally:
            s.close()
        again = EventStream(srv, token)
        self.assertEqual(again.status, 401)


class EventStreamShutdownTest(KefuTestCase):
    def test_open_streams_do_not_delay_sigterm(self):
        srv = self.srv
        token = srv.login("8104")
        streams = [EventStream(srv, token) for _ in range(3)]
        for s in streams:
            self.assertEqual(s.status, 200)
        time.sleep(0.3)  # all parked
        srv.proc.send_signal(signal.SIGTERM)
        # Ended at once, not waited for: http_stop would otherwise wait its 10 s.
        code = srv.proc.wait(timeout=3)
        self.assertEqual(code, 0, srv.read_log()[-2000:])
        for s in streams:
            self.assertTrue(s.ended.wait(5))
            self.assertTrue(s.clean_end, "each stream got its last chunk")
            s.close()
        self.assertIn("stopped", srv.read_log())
