"""The wallboard's live figures (GET /api/acd/live and its Server-Sent Events
stream /api/acd/live/stream) and the callback requests callers leave
(/api/acd/callbacks).

The call engine is another part of the hotline: these tests write the call
rows it would write (queue, queued_at, connected_at, outcome, ended_at) with
the sqlite3 command line while kefu runs, as another process — or another
app node — would, and check every figure and its definition
(docs/sip.md, "Live figures") exactly."""
import json
import signal
import subprocess
import time

from apihelp import MINUTE, db_rows, db_value, person_id
from harness import KefuTestCase
from test_notifications import EventStream

SEC = 1000
HOUR = 60 * MINUTE
DAY = 24 * HOUR
SHANGHAI = 8 * HOUR


def sql(srv, text):
    subprocess.run(["sqlite3", "-cmd", ".timeout 5000", srv.db, text], check=True,
                   capture_output=True, text=True)


def to_noon(srv):
    """Moves the server's clock forward to the next noon in Shanghai, so that calls
    a few minutes old are today's; returns the server's time then."""
    now = srv.advance(0)
    local = now + SHANGHAI
    noon = local - local % DAY + 12 * HOUR
    if noon <= local:
        noon += DAY
    return srv.advance(noon - local)


def call(srv, queue, queued, connected=None, ended=None, outcome=None, caller="13812345678"):
    """Inserts a call that entered queue at queued (ms); returns its id."""
    def v(x):
        return "NULL" if x is None else (f"'{x}'" if isinstance(x, str) else str(x))
    out = subprocess.run(
        ["sqlite3", "-cmd", ".timeout 5000", srv.db,
         "INSERT INTO call(sip_call_id, caller, called, started_at, answered_at, queue,"
         " queued_at, connected_at, ended_at, outcome) VALUES"
         f" ('t-{queued}', '{caller}', '4000000000', {queued - 30 * SEC}, {queued - 30 * SEC},"
         f" {v(queue)}, {queued}, {v(connected)}, {v(ended)}, {v(outcome)}) RETURNING id;"],
        check=True, capture_output=True, text=True)
    return int(out.stdout.strip())


FIGURES = ("waiting", "longest_wait_ms", "offered", "answered", "answered_in_sl", "abandoned",
           "callbacks", "callbacks_open", "waiting_within_sl", "service_level", "asa_ms",
           "abandon_rate", "answer_rate")


class LiveFiguresTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        T = cls.T = to_noon(srv)
        cls.day_start = (T + SHANGHAI) // DAY * DAY - SHANGHAI
        # After moving the clock: sessions idle that long would have ended.
        cls.t = {w: srv.login(w) for w in ("8001", "8002", "1001", "8101", "2001", "7002",
                                           "admin")}
        # market_consult (业务咨询): answered after 10 s, exactly 20 s and 21 s; a
        # caller who hung up in the queue; one who left a number; two waiting, for
        # 5 s (still inside the 20 s target) and 45 s (past it).
        call(srv, "market_consult", T - 600 * SEC, T - 590 * SEC, T - 300 * SEC, "answered")
        call(srv, "market_consult", T - 500 * SEC, T - 480 * SEC, T - 300 * SEC, "answered")
        call(srv, "market_consult", T - 400 * SEC, T - 379 * SEC, T - 100 * SEC, "answered")
        call(srv, "market_consult", T - 300 * SEC, None, T - 250 * SEC, "abandoned")
        cls.cb_call = call(srv, "market_consult", T - 200 * SEC, None, T - 80 * SEC, "callback")
        call(srv, "market_consult", T - 5 * SEC, None, None, None)
        call(srv, "market_consult", T - 45 * SEC, None, None, None)
        # tech_service (业务办理): answered after 5 s, still talking.
        call(srv, "tech_service", T - 100 * SEC, T - 95 * SEC)
        # A queue since removed from acd_queue: answered after 30 s.
        call(srv, "old_queue", T - 900 * SEC, T - 870 * SEC, T - 600 * SEC, "answered")
        # Yesterday's call is not offered today.
        call(srv, "market_consult", T - DAY, T - DAY + 3 * SEC, T - DAY + 60 * SEC, "answered")
        # A caller who only used the menu never entered a queue.
        sql(srv, "INSERT INTO call(sip_call_id, caller, called, started_at, outcome)"
                 f" VALUES ('ivr', '13900000000', '4000000000', {T - 50 * SEC}, 'ivr')")
        sql(srv, "INSERT INTO acd_callback(call_id, queue, phone, requested_at) VALUES"
                 f" ({cls.cb_call}, 'market_consult', '13912345678', {T - 80 * SEC})")
        # Agents: one ready, one talking (the engine's), the rest logged out.
        st, body, _ = srv.call("POST", "/api/acd/me/status", {"status": "ready"},
                               token=cls.t["8101"])
        assert st == 200, body
        sql(srv, "INSERT INTO agent_state(person_id, status, since, updated_at) VALUES"
                 f" ({person_id(srv, '8102')}, 'talking', {T}, {T})")

    def live(self, who="8002", query=""):
        st, body, _ = self.srv.call("GET", "/api/acd/live" + query, token=self.t[who])
        self.assertEqual(st, 200, body)
        return body

    def queue(self, body, code):
        return next(q for q in body["queues"] if q["code"] == code)

    def test_every_figure_by_its_definition(self):
        T = self.T
        body = self.live()
        now = body["now"]
        self.assertGreaterEqual(now, T)
        self.assertLess(now - T, 15 * SEC, "the young caller is still inside the target")
        self.assertEqual(body["day"], time.strftime("%Y-%m-%d", time.gmtime((T + SHANGHAI) / 1000)))
        self.assertEqual(body["timezone"], "Asia/Shanghai")
        self.assertEqual(body["from"], self.day_start)
        self.assertEqual(body["to"], self.day_start + DAY)
        self.assertEqual(body["sl_sec"], 20)
        # The queues of acd_queue by code, with their names; then one that is gone.
        self.assertEqual([(q["code"], q["name"]) for q in body["queues"]],
                         [("agent", "人工服务"), ("complaint", "投诉"),
                          ("market_consult", "业务咨询"), ("tech_service", "业务办理"),
                          ("old_queue", None)])
        for q in body["queues"] + [body["total"]]:
            self.assertEqual(set(q) - {"code", "name"}, set(FIGURES))

        mc = self.queue(body, "market_consult")
        self.assertEqual(mc["offered"], 7)
        self.assertEqual(mc["answered"], 3)
        self.assertEqual(mc["answered_in_sl"], 2, "10 s and exactly 20 s; not 21 s")
        self.assertEqual(mc["abandoned"], 1)
        self.assertEqual(mc["callbacks"], 1)
        self.assertEqual(mc["callbacks_open"], 1)
        self.assertEqual(mc["waiting"], 2)
        self.assertEqual(mc["waiting_within_sl"], 1)
        self.assertEqual(mc["longest_wait_ms"], now - (T - 45 * SEC))
        # Service level: answered within 20 s / (offered - still waiting under 20 s) = 2 / 6.
        self.assertEqual(mc["service_level"], 0.3333)
        self.assertEqual(mc["asa_ms"], (10 + 20 + 21) * SEC // 3)
        self.assertEqual(mc["abandon_rate"], 0.1429)   # 1 / 7
        self.assertEqual(mc["answer_rate"], 0.4286)    # 接通率 3 / 7

        ts = self.queue(body, "tech_service")
        self.assertEqual((ts["offered"], ts["answered"], ts["answered_in_sl"]), (1, 1, 1))
        self.assertEqual((ts["service_level"], ts["asa_ms"], ts["answer_rate"]), (1.0, 5000, 1.0))
        self.assertEqual((ts["waiting"], ts["longest_wait_ms"]), (0, 0))

        gone = self.queue(body, "old_queue")
        self.assertEqual((gone["offered"], gone["answered"], gone["answered_in_sl"]), (1, 1, 0))
        self.assertEqual(gone["service_level"], 0.0)

        # Nothing offered: ratios are null, not 0.
        ag = self.queue(body, "agent")
        self.assertEqual(ag["offered"], 0)
        for k in ("service_level", "asa_ms", "abandon_rate", "answer_rate"):
            self.assertIsNone(ag[k], k)

        total = body["total"]
        self.assertEqual(total["offered"], 9)
        self.assertEqual(total["answered"], 5)
        self.assertEqual(total["answered_in_sl"], 3)
        self.assertEqual(total["abandoned"], 1)
        self.assertEqual(total["callbacks"], 1)
        self.assertEqual(total["callbacks_open"], 1)
        self.assertEqual(total["waiting"], 2)
        self.assertEqual(total["waiting_within_sl"], 1)
        self.assertEqual(total["longest_wait_ms"], now - (T - 45 * SEC))
        self.assertEqual(total["service_level"], 0.375)   # 3 / (9 - 1)
        self.assertEqual(total["asa_ms"], (10 + 20 + 21 + 5 + 30) * SEC // 5)
        self.assertEqual(total["abandon_rate"], 0.1111)
        self.assertEqual(total["answer_rate"], 0.5556)

        seats = db_value(self.srv, "SELECT count(*) FROM person p WHERE active = 1 AND"
                                   " ((roles & 8) <> 0 OR ((roles & 6) <> 0 AND EXISTS"
                                   " (SELECT 1 FROM person_skill k WHERE k.person_id = p.id)))")
        self.assertEqual(body["agents"], {
            "ready": 1, "talking": 1, "busy": 0, "break": 0, "ringing": 0, "wrap_up": 0,
            "logged_out": seats - 2, "seats": seats})

    def test_the_young_caller_counts_once_past_the_target(self):
        """A caller waiting past 20 s has missed the target: back in the denominator."""
        srv = self.srv
        before = self.live()["total"]
        srv.advance(20 * SEC)
        after = self.live()
        self.assertEqual(after["total"]["waiting_within_sl"], 0)
        self.assertEqual(after["total"]["service_level"], 0.3333)   # 3 / 9
        self.assertEqual(before["offered"], after["total"]["offered"])
        self.assertEqual(after["total"]["longest_wait_ms"], after["now"] - (self.T - 45 * SEC))

    def test_a_period_of_ones_choice(self):
        T = self.T
        # Yesterday: its one call; those waiting now are waiting whatever the period.
        day = self.day_start
        y = self.live(query=f"?from={day - DAY}&to={day}")
        self.assertEqual((y["from"], y["to"]), (day - DAY, day))
        self.assertEqual(y["total"]["offered"], 1)
        self.assertEqual(y["total"]["answered_in_sl"], 1)
        self.assertEqual(y["total"]["asa_ms"], 3000)
        self.assertEqual(y["total"]["waiting"], 2)
        self.assertEqual(y["total"]["waiting_within_sl"], 0)
        # The last ten minutes: 10 s, 20 s and 21 s answers, the abandoned, the callback,
        # the waiting callers, tech_service's 5 s (old_queue's was fifteen minutes ago).
        m = self.live(query=f"?from={T - 10 * MINUTE}&to={T + MINUTE}")
        self.assertEqual(m["total"]["offered"], 8)

        srv, tok = self.srv, self.t["8002"]
        self.assertError(srv.call("GET", f"/api/acd/live?from={T}", token=tok), 400,
                         "bad_request", "to")
        self.assertError(srv.call("GET", f"/api/acd/live?to={T}", token=tok), 400,
                         "bad_request", "from")
        self.assertError(srv.call("GET", f"/api/acd/live?from={T}&to={T}", token=tok), 422,
                         field="to")
        self.assertError(srv.call("GET", f"/api/acd/live?from={T}&to={T + 31 * DAY + 1}",
                                  token=tok), 422, field="to")
        self.assertError(srv.call("GET", "/api/acd/live?from=abc&to=5", token=tok), 400,
                         field="from")

    def test_who_may_watch(self):
        srv = self.srv
        for who in ("8001", "8002", "1001"):
            self.live(who)
        # Agents, department staff, HR and IT do not watch the wallboard.
        for who in ("8101", "2001", "7002", "admin"):
            self.assertError(srv.call("GET", "/api/acd/live", token=self.t[who]), 403)
            s = EventStream(srv, self.t[who], path="/api/acd/live/stream")
            self.assertEqual(s.status, 403)
            self.assertEqual(json.loads(s.body)["error"]["code"], "forbidden")
        self.assertError(srv.call("GET", "/api/acd/live"), 401)
        denied = [e for e in srv.audit(self.t["8001"], action="access.denied")
                  if e.get("detail", {}).get("path", "").startswith("/api/acd/live")]
        self.assertGreaterEqual(len(denied), 8)

    def test_the_stream_sends_the_figures_to_every_viewer(self):
        srv = self.srv
        a = EventStream(srv, self.t["8002"], path="/api/acd/live/stream")
        b = None
        try:
            self.assertEqual(a.status, 200)
            self.assertEqual(a.headers["content-type"], "text/event-stream")
            self.assertEqual(a.headers["cache-control"], "no-store")
            ev = a.next(3)
            self.assertEqual(ev["event"], "acd.live")
            first = json.loads(ev["data"])
            self.assertEqual(first["total"]["offered"], self.live()["total"]["offered"])
            self.assertEqual(set(first), {"now", "day", "timezone", "from", "to", "sl_sec",
                                          "total", "queues", "agents", "guide", "out"})
            self.assertEqual(first["guide"], [])  # no agent is talking on a call (CALL-4 etc.)
            self.assertEqual(first["out"]["attempts"], 0)  # nobody called out (issue 17)
            # Every ~2 s without being asked.
            t0 = time.monotonic()
            nxt = json.loads(a.next(3)["data"])
            self.assertLess(time.monotonic() - t0, 2.8)
            self.assertGreater(nxt["now"], first["now"])

            # A second viewer: its first figures are computed once and sent to both.
            b = EventStream(srv, self.t["8001"], path="/api/acd/live/stream")
            self.assertEqual(b.status, 200)
            b_first = json.loads(b.next(3)["data"])
            seen = set()
            for _ in range(3):
                seen.add(json.loads(a.next(3)["data"])["now"])
                if b_first["now"] in seen:
                    break
            self.assertIn(b_first["now"], seen, "one computation per tick for every viewer")

            # Another process puts a caller in the complaint queue: it shows.
            call(srv, "complaint", srv.advance(0), caller="13700000000")
            for _ in range(3):
                got = json.loads(a.next(3)["data"])
                if self.queue(got, "complaint")["waiting"] == 1:
                    break
            self.assertEqual(self.queue(got, "complaint")["waiting"], 1)
            self.assertEqual(got["total"]["waiting"], 3)

            # A status change in this process wakes the stream.
            st, _, _ = srv.call("POST", "/api/acd/me/status", {"status": "break"},
                                token=self.t["8101"])
            self.assertEqual(st, 200)
            for _ in range(3):
                got = json.loads(a.next(3)["data"])
                if got["agents"]["break"] == 1:
                    break
            self.assertEqual((got["agents"]["break"], got["agents"]["ready"]), (1, 0))
        finally:
            sql(srv, "DELETE FROM call WHERE caller = '13700000000'")
            srv.call("POST", "/api/acd/me/status", {"status": "ready"}, token=self.t["8101"])
            a.close()
            if b:
                b.close()


class LiveStreamEndTest(KefuTestCase):
    def test_logout_and_a_lost_right_end_the_stream(self):
        srv = self.srv
        token = srv.login("8002")
        s = EventStream(srv, token, path="/api/acd/live/stream")
        office = srv.login("1001")
        o = EventStream(srv, office, path="/api/acd/live/stream")
        try:
            self.assertEqual((s.status, o.status), (200, 200))
            self.assertEqual(s.next(3)["event"], "acd.live")
            self.assertEqual(o.next(3)["event"], "acd.live")
            st, _, _ = srv.call("POST", "/api/logout", token=token)
            self.assertEqual(st, 200)
            # The office loses the role that may watch (as the admin would change it).
            sql(srv, "UPDATE person SET roles = 16 WHERE work_no = '1001'")
            # Sessions and rights are re-checked every 30 s by the server's clock.
            srv.advance(31 * SEC)
            for x in (s, o):
                while True:
                    ev = x.next(4)
                    if ev is None:
                        break
                self.assertTrue(x.clean_end)
        finally:
            s.close()
            o.close()



class LiveStreamShutdownTest(KefuTestCase):
    def test_open_streams_do_not_delay_sigterm(self):
        srv = self.srv
        token = srv.login("8001")
        streams = [EventStream(srv, token, path="/api/acd/live/stream") for _ in range(3)]
        for s in streams:
            self.assertEqual(s.status, 200)
            self.assertEqual(s.next(3)["event"], "acd.live")
        time.sleep(0.3)  # all parked
        srv.proc.send_signal(signal.SIGTERM)
        code = srv.proc.wait(timeout=3)
        self.assertEqual(code, 0, srv.read_log()[-2000:])
        for s in streams:
            self.assertTrue(s.ended.wait(5))
            self.assertTrue(s.clean_end, "each stream got its last chunk")
            s.close()
        self.assertIn("stopped", srv.read_log())


class CallbackRequestsTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.t = {w: srv.login(w) for w in ("8001", "8002", "8101", "8102", "1001", "2001",
                                           "7002", "admin")}
        T = cls.T = srv.advance(0)
        cls.ids = []
        for i, (queue, phone) in enumerate((("market_consult", "13912345678"),
                                            ("complaint", "01087654321"),
                                            ("tech_service", "13700001111"))):
            c = call(srv, queue, T - (300 - i) * SEC, None, T - (200 - i) * SEC, "callback")
            out = subprocess.run(
                ["sqlite3", "-cmd", ".timeout 5000", srv.db,
                 "INSERT INTO acd_callback(call_id, queue, phone, requested_at) VALUES"
                 f" ({c}, '{queue}', '{phone}', {T - (200 - i) * SEC}) RETURNING id;"],
                check=True, capture_output=True, text=True)
            cls.ids.append(int(out.stdout.strip()))

    def get(self, who, query=""):
        st, body, _ = self.srv.call("GET", "/api/acd/callbacks" + query, token=self.t[who])
        self.assertEqual(st, 200, body)
        return body

    def test_list_reveal_and_done(self):
        srv, ids = self.srv, self.ids
        page = self.get("8101")
        self.assertEqual([x["id"] for x in page["items"]], ids[::-1], "newest first")
        self.assertIsNone(page["next_cursor"])
        first = page["items"][-1]
        self.assertEqual(first, {
            "id": ids[0], "call_id": first["call_id"], "queue": "market_consult",
            "queue_name": "业务咨询", "phone": "139****5678", "requested_at": self.T - 200 * SEC,
            "state": "open", "handled_by": None, "handled_at": None, "note": None})
        # Pages of one, by cursor.
        p1 = self.get("8101", "?limit=1")
        self.assertEqual([x["id"] for x in p1["items"]], [ids[2]])
        p2 = self.get("8101", f"?limit=1&cursor={p1['next_cursor']}")
        self.assertEqual([x["id"] for x in p2["items"]], [ids[1]])
        self.assertNotIn(b"13912345678", srv.raw("GET", "/api/acd/callbacks", headers={
            "Authorization": "Bearer " + self.t["8101"]})[2])

        # The number, for a reason on record.
        url = f"/api/acd/callbacks/{ids[0]}/reveal"
        self.assertError(srv.call("POST", url, {}, token=self.t["8101"]), 422, field="reason")
        self.assertError(srv.call("POST", url, {"reason": " 回 "}, token=self.t["8101"]), 422,
                         field="reason")
        self.assertError(srv.call("POST", url, {"reason": 5}, token=self.t["8101"]), 400)
        self.assertError(srv.call("POST", url, {"reason": "回电", "x": 1}, token=self.t["8101"]),
                         400)
        self.assertEqual(srv.count("SELECT count(*) FROM audit WHERE action ="
                                   " 'acd_callback.reveal'"), 0)
        st, body, _ = srv.call("POST", url, {"reason": "客户要求回电"}, token=self.t["8101"])
        self.assertEqual(st, 200, body)
        self.assertEqual(body, {"id": ids[0], "phone": "13912345678"})
        entry = srv.audit(self.t["8001"], action="acd_callback.reveal")[0]
        self.assertEqual((entry["actor"], entry["entity"], str(entry["entity_id"])),
                         ("8101", "acd_callback", str(ids[0])))
        self.assertEqual(entry["detail"], {"reason": "客户要求回电"})

        # Done, with a note; a second time is 409 and writes nothing.
        done = f"/api/acd/callbacks/{ids[0]}/done"
        self.assertError(srv.call("POST", done, {"note": "x" * 501}, token=self.t["8101"]), 422,
                         field="note")
        self.assertEqual(db_value(srv, f"SELECT state FROM acd_callback WHERE id = {ids[0]}"),
                         "open")
        before = self.srv.advance(0)
        st, body, _ = srv.call("POST", done, {"note": "已回电，客户问题已解决"},
                               token=self.t["8101"])
        self.assertEqual(st, 200, body)
        self.assertEqual(body["state"], "done")
        self.assertEqual(body["handled_by"], person_id(srv, "8101"))
        self.assertGreaterEqual(body["handled_at"], before)
        self.assertEqual(body["note"], "已回电，客户问题已解决")
        self.assertEqual(body["phone"], "139****5678")
        self.assertError(srv.call("POST", done, {"note": "again"}, token=self.t["8102"]), 409,
                         "conflict")
        rows = db_rows(srv, "SELECT actor, detail FROM audit WHERE action = 'acd_callback.done'")
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["actor"], "8101")
        self.assertEqual(json.loads(rows[0]["detail"]), {"note": "已回电，客户问题已解决"})
        # Without a note; an explicit null is no note either.
        st, body, _ = srv.call("POST", f"/api/acd/callbacks/{ids[1]}/done", {"note": None},
                               token=self.t["8002"])
        self.assertEqual((st, body["note"]), (200, None))

        # Open and done lists.
        self.assertEqual([x["id"] for x in self.get("8101")["items"]], [ids[2]])
        self.assertEqual([x["id"] for x in self.get("8001", "?state=done")["items"]],
                         [ids[1], ids[0]])
        live = srv.call("GET", "/api/acd/live", token=self.t["8002"])[1]
        self.assertEqual(live["total"]["callbacks_open"], 1)

    def test_bad_input_and_who_may(self):
        srv, ids = self.srv, self.ids
        tok = self.t["8102"]
        self.assertError(srv.call("GET", "/api/acd/callbacks?state=closed", token=tok), 400,
                         field="state")
        self.assertError(srv.call("GET", "/api/acd/callbacks?limit=0", token=tok), 400)
        self.assertError(srv.call("POST", "/api/acd/callbacks/999999/reveal", {"reason": "回电"},
                                  token=tok), 404)
        self.assertError(srv.call("POST", "/api/acd/callbacks/999999/done", {}, token=tok), 404)
        self.assertError(srv.call("POST", "/api/acd/callbacks/abc/done", {}, token=tok), 404)
        self.assertError(srv.call("POST", f"/api/acd/callbacks/{ids[2]}/done", {"note": 3},
                                  token=tok), 400)
        # The office, department staff, HR and IT handle no callbacks.
        for who in ("1001", "2001", "7002", "admin"):
            self.assertError(srv.call("GET", "/api/acd/callbacks", token=self.t[who]), 403)
            self.assertError(srv.call("POST", f"/api/acd/callbacks/{ids[2]}/reveal",
                                      {"reason": "看看"}, token=self.t[who]), 403)
            self.assertError(srv.call("POST", f"/api/acd/callbacks/{ids[2]}/done", {},
                                      token=self.t[who]), 403)
        self.assertEqual(db_value(srv, f"SELECT state FROM acd_callback WHERE id = {ids[2]}"),
                         "open")
        self.assertEqual(srv.count("SELECT count(*) FROM audit WHERE action LIKE 'acd_callback.%'"
                                   f" AND entity_id = '{ids[2]}'"), 0)
