"""The call log's filters (GET /api/calls, issue 12): the center's days
(from, to on started_at), queue, agent_id, outcome and number (the caller's
whole number, or the last 4 digits that masked numbers show, SEC-1), each
alone and together, with the cursor; bad values are 422 naming the field;
agents and staff still get 403. The calls are rows written straight into
the database, as the call engine writes them."""
import sqlite3

from apihelp import person_id
from harness import KefuTestCase

DAY = 86400000
T0 = 1795377600000  # 2026-11-22T20:00:00Z


class CallLogFilterTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.a1, cls.a2 = person_id(srv, "8101"), person_id(srv, "8102")
        db = sqlite3.connect(srv.db, timeout=10)
        rows = [
            # caller, started, queue, agent, outcome
            ("13900139000", T0, "tech_service", cls.a1, "answered"),
            ("13900131234", T0 + 1000, "tech_service", None, "abandoned"),
            ("13700137000", T0 + DAY, "market_consult", cls.a2, "answered"),
            ("02088881234", T0 + DAY + 1000, None, None, "ivr"),
            ("13900139000", T0 + 2 * DAY, "complaint", cls.a1, "callback"),
        ]
        cls.ids = []
        for caller, at, queue, agent, outcome in rows:
            cur = db.execute(
                "INSERT INTO call(sip_call_id, caller, called, started_at, ended_at, ended_by,"
                " queue, agent_id, outcome) VALUES (?, ?, '4000000000', ?, ?, 'caller', ?, ?, ?)",
                (f"log-{at}", caller, at, at + 60000, queue, agent, outcome))
            cls.ids.append(cur.lastrowid)
        db.commit()
        db.close()
        cls.t = {w: srv.login(w) for w in ("8001", "8002", "8101", "2001")}

    def ids_for(self, query, who="8001"):
        st, body, _ = self.srv.call("GET", "/api/calls?" + query, token=self.t[who])
        self.assertEqual(st, 200, body)
        return [c["id"] for c in body["items"]]

    def test_each_filter_alone(self):
        i = self.ids
        self.assertEqual(self.ids_for(""), i[::-1])
        self.assertEqual(self.ids_for(f"from={T0 + DAY}&to={T0 + 2 * DAY}"), [i[3], i[2]])
        self.assertEqual(self.ids_for(f"from={T0 + DAY}"), [i[4], i[3], i[2]])
        self.assertEqual(self.ids_for(f"to={T0 + 1000}"), [i[0]], "to is exclusive")
        self.assertEqual(self.ids_for("queue=tech_service"), [i[1], i[0]])
        self.assertEqual(self.ids_for(f"agent_id={self.a1}"), [i[4], i[0]])
        self.assertEqual(self.ids_for("outcome=answered"), [i[2], i[0]])
        self.assertEqual(self.ids_for("number=13900139000"), [i[4], i[0]])
        self.assertEqual(self.ids_for("number=1234"), [i[3], i[1]], "the last 4 digits")
        self.assertEqual(self.ids_for("number=139001"), [], "a partial number is no match")
        self.assertEqual(self.ids_for("queue=&outcome=&number="), i[::-1], "empty is no filter")

    def test_filters_together_and_with_the_cursor(self):
        i = self.ids
        self.assertEqual(self.ids_for(f"number=13900139000&outcome=callback&agent_id={self.a1}"),
                         [i[4]])
        self.assertEqual(self.ids_for("queue=tech_service&outcome=answered"), [i[0]])
        st, body, _ = self.srv.call("GET", f"/api/calls?agent_id={self.a1}&limit=1",
                                    token=self.t["8001"])
        self.assertEqual(([c["id"] for c in body["items"]], st), ([i[4]], 200))
        st, body, _ = self.srv.call(
            "GET", f"/api/calls?agent_id={self.a1}&limit=1&cursor={body['next_cursor']}",
            token=self.t["8001"])
        self.assertEqual([c["id"] for c in body["items"]], [i[0]])
        # The caller stays masked whatever the filter matched on (SEC-1).
        self.assertEqual(body["items"][0]["caller"], "139****9000")

    def test_supervisors_filter_too_agents_and_staff_are_refused(self):
        self.assertEqual(self.ids_for("outcome=ivr", who="8002"), [self.ids[3]])
        for who in ("8101", "2001"):
            st, body, _ = self.srv.call("GET", "/api/calls?outcome=ivr", token=self.t[who])
            self.assertEqual(st, 403, body)

    def test_bad_filters_are_422_naming_the_field(self):
        for query, status, field in (("outcome=lost", 422, "outcome"),
                                     ("number=12a4", 422, "number"),
                                     ("number=123", 422, "number"),
                                     ("number=123456789012345678901", 422, "number"),
                                     (f"from={T0}&to={T0}", 422, "to"),
                                     ("from=yesterday", 400, "from"),
                                     ("agent_id=0", 400, "agent_id")):
            with self.subTest(query=query):
                self.assertError(self.srv.call("GET", "/api/calls?" + query, token=self.t["8001"]),
                                 status, field=field)
