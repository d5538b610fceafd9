"""The agents' work statistics (工作统计一览表, issue 20, RPT-1, LED-2): per agent and
day from the status log, the call log, calls out, contacts, orders, callbacks, ratings
and the QA checks; closed days from the summary kind "agents" (migration 47), today
from the facts; a status spell across midnight split there; a closed day rebuilt when a
call that started on it ends later or status rows arrive late; who sees which rows; the
form as .xlsx.

Orders, callbacks and rated contacts go through the API; the status log, calls, calls
out and QA checks are written with SQL as their engines write them. Every figure is
recomputed here from the raw rows (expected())."""
import io
import json
import re
import sqlite3
import unittest
import zipfile
from datetime import datetime, timedelta

from apihelp import HOUR, MINUTE, dept_id, person_id
from harness import KefuTestCase
from test_reports import Center, advance_to_local, center_zone, local_date

DAY_MS = 24 * HOUR
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
STATUS = {"ready": "ready_ms", "busy": "away_ms", "break": "break_ms", "ringing": "call_ms",
          "talking": "call_ms", "wrap_up": "acw_ms"}
CHANNELS = ["phone", "wechat", "weibo", "web_chat", "email", "sms", "visit"]


def r2(x):
    return None if x is None else round(x + 1e-9, 2)


class ReportAgentsTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.tz, _ = center_zone(srv)
        # Day 1, 10:00: orders, callbacks and contacts through the API.
        t1 = advance_to_local(srv, cls.tz, 1, 10, 0)
        cls.d1 = local_date(t1, cls.tz)
        cls.s1 = int(datetime(cls.d1.year, cls.d1.month, cls.d1.day, tzinfo=cls.tz)
                     .timestamp() * 1000)
        c = cls.c = Center(srv)
        cls.ids = {w: person_id(srv, w) for w in ("8101", "8102", "8103", "8106")}
        o = c.order()
        c.act(o, "accept", "2001")
        c.act(o, "call", "2001")
        c.act(o, "onsite", "2001")
        c.act(o, "report", "2001", {"solution": "已上门处理"})
        c.act(o, "callback", "8102", {"outcome": "not_accepted"})
        c.act(o, "callback", "8101", {"outcome": "accepted"})
        for who, channel, score in (("8101", "phone", 5), ("8101", "wechat", 3),
                                    ("8102", "email", None)):
            body = {"channel": channel, "direction": "in", "phone": "13900001111"}
            if score:
                body["satisfaction"] = score
            st, b, _ = srv.call("POST", "/api/contacts", body, token=c.token(who))
            assert st == 201, b
        s1, a, b2 = cls.s1, cls.ids["8101"], cls.ids["8102"]
        db = sqlite3.connect(srv.db, timeout=10)
        with db:
            cls.log(db, a, [(8 * HOUR, "ready"), (9 * HOUR, "talking"),
                            (9 * HOUR + 5 * MINUTE, "wrap_up"), (9 * HOUR + 7 * MINUTE, "ready")],
                    s1)
            cls.log(db, b2, [(8 * HOUR + 30 * MINUTE, "ready"), (9 * HOUR + 40 * MINUTE, "break")],
                    s1)
            # 8101 answers at 09:00: 5 s ringing, 300 s of talk, 20 s on hold.
            cls.call(db, a, s1 + 9 * HOUR, 5000, 300000, 20000)
            # 8102 calls out twice: one answered (60 s), one not.
            cid = cls.call(db, b2, s1 + 9 * HOUR + 30 * MINUTE, 8000, 60000, 0, "out")
            for k, (call_id, answered) in enumerate([(cid, 1), (None, 0)]):
                at = s1 + 9 * HOUR + 30 * MINUTE + k * MINUTE
                db.execute(
                    "INSERT INTO call_out(agent_id, number, purpose, state, call_id,"
                    " requested_at, answered_at, ended_at) VALUES (?, '13900002222', 'manual',"
                    " 'ended', ?, ?, ?, ?)", (b2, call_id, at, at + 8000 if answered else None,
                                             at + 70000))
            # QA: two automatic checks of 8101's calls of day 1, 80 and 90.
            for k, score in enumerate((80, 90)):
                db.execute(
                    "INSERT INTO qa_check(kind, ref_id, agent_id, contact_at, checked_at,"
                    " transcript, score, fatal, hits, high) VALUES ('call', ?, ?, ?, ?, 1, ?,"
                    " 0, 0, 0)", (810000 + k, a, s1 + 9 * HOUR + k, s1 + 9 * HOUR + k, score))
        db.close()
        # Day 2, 10:00: day 1 is closed and its summary built by the round.
        cls.t2 = advance_to_local(srv, cls.tz, 1, 10, 0)
        c.tokens = {}  # yesterday's sessions have lapsed
        cls.d2 = local_date(cls.t2, cls.tz)
        cls.s2 = cls.s1 + DAY_MS
        cls.through_before = srv.count("SELECT through_ymd FROM report_built WHERE kind = 'agents'")
        cls.sum_before = cls.summary_row(cls.d1, a)

    # ---- raw rows ----

    @staticmethod
    def log(db, who, rows, base):
        prev = None
        for at, status in rows:
            db.execute("INSERT INTO agent_state_log(person_id, at, from_status, to_status)"
                       " VALUES (?, ?, ?, ?)", (who, base + at, prev, status))
            prev = status

    @staticmethod
    def call(db, who, start, ring, talk, hold, direction="in"):
        cur = db.execute(
            "INSERT INTO call(sip_call_id, caller, called, started_at, answered_at, ended_at,"
            " agent_id, connected_at, direction, metrics) VALUES (?, '13800000000', '400', ?,"
            " ?, ?, ?, ?, ?, ?)",
            (f"ra-{who}-{start}", start, start, start + ring + talk, who, start + ring,
             direction, json.dumps({"talk_ms": talk, "hold_total_ms": hold})))
        db.execute("INSERT INTO call_event(call_id, at, kind) VALUES (?, ?, 'ended')",
                   (cur.lastrowid, start + ring + talk))
        return cur.lastrowid

    @classmethod
    def summary_row(cls, day, agent):
        db = sqlite3.connect(cls.srv.db, timeout=10)
        db.row_factory = sqlite3.Row
        r = db.execute("SELECT * FROM report_agent_day WHERE ymd = ? AND agent_id = ?",
                       (int(day.strftime("%Y%m%d")), agent)).fetchone()
        db.close()
        return dict(r) if r else None

    def q(self, sql, *args):
        db = sqlite3.connect(self.srv.db, timeout=10)
        rows = db.execute(sql, args).fetchall()
        db.close()
        return rows

    def expected(self, agent, start, end):
        """The figures of agent over [start, end) from the raw rows."""
        f = {k: 0 for k in ("calls_in", "talk_ms", "hold_ms", "ready_ms", "away_ms", "break_ms",
                            "call_ms", "acw_ms", "orders", "callbacks", "rated")}
        n, talk, hold = self.q(
            "SELECT COUNT(*), COALESCE(SUM(ended_at - connected_at), 0),"
            " COALESCE(SUM(json_extract(metrics, '$.hold_total_ms')), 0) FROM call"
            " WHERE agent_id = ? AND direction = 'in' AND connected_at IS NOT NULL"
            " AND started_at >= ? AND started_at < ?", agent, start, end)[0]
        f.update(calls_in=n, talk_ms=talk, hold_ms=hold)
        att, ans, otalk = self.q(
            "SELECT COUNT(*), COUNT(o.answered_at), COALESCE(SUM(json_extract(c.metrics,"
            " '$.talk_ms')), 0) FROM call_out o LEFT JOIN call c ON c.id = o.call_id"
            " WHERE o.agent_id = ? AND o.requested_at >= ? AND o.requested_at < ?",
            agent, start, end)[0]
        f["out"] = {"attempts": att, "answered": ans, "talk_ms": otalk}
        # Status: each row to the next, clipped to [start, end).
        rows = self.q("SELECT at, to_status FROM agent_state_log WHERE person_id = ?"
                      " ORDER BY at, id", agent)
        for i, (at, status) in enumerate(rows):
            nxt = rows[i + 1][0] if i + 1 < len(rows) else end
            lo, hi = max(at, start), min(nxt, end)
            if status in STATUS and hi > lo:
                f[STATUS[status]] += hi - lo
        f["logged_in_ms"] = sum(f[k] for k in ("ready_ms", "away_ms", "break_ms", "call_ms",
                                                "acw_ms"))
        used = f["call_ms"] + f["acw_ms"]
        f["occupancy"] = (round(1000 * used / (used + f["ready_ms"])) / 10
                          if used + f["ready_ms"] else None)
        f["contacts"] = {ch: 0 for ch in CHANNELS}
        for ch, k in self.q("SELECT channel, COUNT(*) FROM contact WHERE agent_id = ?"
                            " AND started_at >= ? AND started_at < ? GROUP BY channel",
                            agent, start, end):
            f["contacts"][ch] = k
        f["orders"] = self.q("SELECT COUNT(*) FROM work_order WHERE first_agent_id = ?"
                             " AND created_at >= ? AND created_at < ?", agent, start, end)[0][0]
        f["callbacks"] = self.q("SELECT COUNT(*) FROM wo_callback_attempt WHERE agent_id = ?"
                                " AND at >= ? AND at < ?", agent, start, end)[0][0]
        rated, total = self.q("SELECT COUNT(*), SUM(satisfaction) FROM contact"
                              " WHERE agent_id = ? AND satisfaction BETWEEN 1 AND 5"
                              " AND started_at >= ? AND started_at < ?", agent, start, end)[0]
        f["rated"] = rated
        f["satisfaction"] = r2(total / rated) if rated else None
        checks, score = self.q("SELECT COUNT(*), SUM(score) FROM qa_check WHERE agent_id = ?"
                               " AND contact_at >= ? AND contact_at < ?", agent, start, end)[0]
        f["qa_checks"] = checks
        f["qa_score"] = r2(score / checks) if checks else None
        return f

    def assertFigures(self, row, agent, start, end, slack=0):
        """slack: for today, the ms the clock ran on between end and the answer."""
        want = self.expected(agent, start, end)
        for k, v in want.items():
            if slack and k.endswith("_ms") or k == "occupancy":
                self.assertAlmostEqual(row[k], v, delta=slack or 0.1, msg=k)
                continue
            self.assertEqual(row[k], v, f"{k} of {agent} in [{start}, {end})")
        self.assertEqual(row["avg_talk_ms"],
                         want["talk_ms"] // want["calls_in"] if want["calls_in"] else None)

    def get(self, query, who="8001", status=200):
        st, body, _ = self.srv.call("GET", "/api/reports/agents?" + query,
                                    token=self.c.token(who))
        self.assertEqual(st, status, body)
        return body

    def period(self, d_from, d_to, group="day", extra=""):
        return f"from={d_from.isoformat()}&to={d_to.isoformat()}&group={group}{extra}"

    # ---- tests ----

    def test_1_closed_day_from_summary_and_today_from_facts(self):
        a = self.ids["8101"]
        self.assertEqual(self.through_before, int(self.d1.strftime("%Y%m%d")))
        self.assertIsNotNone(self.sum_before)
        body = self.get(self.period(self.d1, self.d2))
        self.assertTrue(body["qa"])
        rows = {(r["bucket"], r["work_no"]): r for r in body["items"]}
        for w in ("8101", "8102"):
            self.assertFigures(rows[(self.d1.isoformat(), w)], self.ids[w], self.s1, self.s2)
        # 8101's day 1 in detail: 7 min 55 s... ready from 08:00 to 09:00 and 09:07 on.
        r = rows[(self.d1.isoformat(), "8101")]
        self.assertEqual((r["calls_in"], r["talk_ms"], r["hold_ms"], r["acw_ms"]),
                         (1, 300000, 20000, 2 * MINUTE))
        self.assertEqual(r["call_ms"], 5 * MINUTE)
        self.assertEqual(r["contacts"]["phone"], 1)
        self.assertEqual(r["contacts"]["wechat"], 1)
        self.assertEqual((r["orders"], r["callbacks"], r["rated"], r["satisfaction"]),
                         (1, 1, 2, 4.0))
        self.assertGreaterEqual(r["qa_checks"], 2)  # ours, and the checker's of the call
        r2_ = rows[(self.d1.isoformat(), "8102")]
        self.assertEqual(r2_["out"], {"attempts": 2, "answered": 1, "talk_ms": 60000})
        # Today, from the facts up to now: 8101 still ready since 09:07 yesterday.
        today = rows[(self.d2.isoformat(), "8101")]
        self.assertAlmostEqual(today["ready_ms"], self.t2 - self.s2, delta=5000)
        self.assertFigures(today, a, self.s2, self.t2, slack=5000)
        # The totals are the rows' sums.
        for k in ("calls_in", "talk_ms", "ready_ms", "callbacks", "contacts_total"):
            self.assertEqual(body["totals"][k], sum(x[k] for x in body["items"]), k)

    def test_2_late_rows_rebuild_the_closed_day(self):
        """A call that began before midnight and ended after it, and status rows written
        late, mark day 1; the round rebuilds it. A spell across midnight is split."""
        a, s1, s2 = self.ids["8101"], self.s1, self.s2
        db = sqlite3.connect(self.srv.db, timeout=10)
        with db:
            # Written late, in order: 12:00 break, 12:30 ready, 23:00 away, 01:00 out.
            db.execute("DELETE FROM agent_state_log WHERE person_id = ? AND at > ?",
                       (a, s1 + 9 * HOUR + 7 * MINUTE))
            self.log(db, a, [(12 * HOUR, "break"), (12 * HOUR + 30 * MINUTE, "ready"),
                             (23 * HOUR, "busy"), (25 * HOUR, "logged_out")], s1)
            # 23:50 → 00:10: counted on day 1, where it started.
            self.call(db, a, s1 + 23 * HOUR + 50 * MINUTE, 5000, 20 * MINUTE - 5000, 0)
        db.close()
        self.srv.advance(0)
        row = self.summary_row(self.d1, a)
        self.assertEqual(row["calls_in"], 2)
        self.assertEqual(row["away_ms"], HOUR)  # 23:00 to midnight; the rest is day 2's
        self.assertEqual(row["break_ms"], 30 * MINUTE)
        body = self.get(self.period(self.d1, self.d2))
        rows = {(r["bucket"], r["work_no"]): r for r in body["items"]}
        self.assertFigures(rows[(self.d1.isoformat(), "8101")], a, s1, s2)
        today = rows[(self.d2.isoformat(), "8101")]
        self.assertEqual(today["away_ms"], HOUR)
        self.assertEqual(today["ready_ms"], 0)
        self.assertFigures(today, a, s2, self.t2)
        # All in one: the sum of both days.
        body = self.get(self.period(self.d1, self.d2, "all"))
        r = [x for x in body["items"] if x["work_no"] == "8101"][0]
        self.assertIsNone(r["bucket"])
        self.assertFigures(r, a, s1, self.t2)
        self.assertEqual(r["away_ms"], 2 * HOUR)

    def test_3_who_sees_what(self):
        other = dept_id(self.srv, "城市客服部")
        db = sqlite3.connect(self.srv.db, timeout=10)
        with db:
            db.execute("UPDATE person SET department_id = ? WHERE id = ?",
                       (other, self.ids["8106"]))
            self.call(db, self.ids["8106"], self.s2 + 9 * HOUR, 4000, 100000, 0)
        db.close()
        q = self.period(self.d1, self.d2, "all")
        everyone = {r["work_no"] for r in self.get(q)["items"]}
        self.assertIn("8106", everyone)
        # The supervisor: their department only, whatever they ask for.
        sup = {r["work_no"] for r in self.get(q, "8002")["items"]}
        self.assertNotIn("8106", sup)
        self.assertIn("8101", sup)
        self.get(q + f"&department_id={other}", "8002", 403)
        only = self.get(q + f"&department_id={other}")["items"]
        self.assertEqual({r["work_no"] for r in only}, {"8106"})
        # An agent: their own row only.
        mine = self.get(q + f"&department_id={other}", "8102")["items"]
        self.assertEqual([r["work_no"] for r in mine], ["8102"])
        self.get(q, "2001", 403)

    def test_4_bad_input(self):
        st, body, _ = self.srv.call("GET", "/api/reports/agents?from=2026-13-01&to=2026-12-01",
                                    token=self.c.token("8001"),
                                    headers={"Accept-Language": "zh-CN"})
        self.assertEqual(st, 400, body)
        self.assertRegex(json.dumps(body, ensure_ascii=False), r"[\u4e00-\u9fff]")
        self.assertError(self.srv.call("GET", "/api/reports/agents?from=2026-12-01&to=2026-12-01"
                                       "&group=decade", token=self.c.token("8001")), 400,
                         field="group")
        self.assertError(self.srv.call("GET", "/api/reports/agents?from=2026-12-02&to=2026-12-01",
                                       token=self.c.token("8001")), 400, field="to")

    def test_5_xlsx(self):
        q = self.period(self.d1, self.d1)
        st, _, _ = self.srv.call("GET", "/api/reports/agents.xlsx?" + q,
                                 token=self.c.token("8102"))
        self.assertEqual(st, 403)
        st, h, data = self.srv.raw("GET", "/api/reports/agents.xlsx?" + q, headers={
            "Authorization": "Bearer " + self.c.token("8001")})
        self.assertEqual(st, 200)
        self.assertIn("filename*=UTF-8''", h["content-disposition"])
        z = zipfile.ZipFile(io.BytesIO(data))
        import xml.etree.ElementTree as ET
        strings = ["".join(t.text or "" for t in si.iter(NS + "t"))
                   for si in ET.fromstring(z.read("xl/sharedStrings.xml")).iter(NS + "si")]
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
        cells = {}
        for c in sheet.iter(NS + "c"):
            v = c.find(NS + "v")
            if v is None:
                continue
            cells[c.get("r")] = (strings[int(v.text)] if c.get("t") == "s" else float(v.text),
                                 int(c.get("s") or 0))
        texts = {v for v, _ in cells.values() if isinstance(v, str)}
        for h_ in ("工作统计一览表", "工号", "姓名", "接听量", "通话时长", "话后处理", "示闲时长",
                   "占用率%", "呼入", "状态时长", "建单数", "回访数", "满意度", "质检均分", "合计"):
            self.assertIn(h_, texts)
        # Find 8101's row and check its figures: calls, talk as a fraction of a day.
        row = [k for k, (v, _) in cells.items() if v == "8101" and k.startswith("B")][0][1:]
        head = {v: re.sub(r"\d+", "", k) for k, (v, _) in cells.items() if isinstance(v, str)}
        want = self.expected(self.ids["8101"], self.s1, self.s2)
        self.assertEqual(cells[head["接听量"] + row][0], want["calls_in"])
        talk, style = cells[head["通话时长"] + row]
        self.assertAlmostEqual(talk, want["talk_ms"] / DAY_MS, places=9)
        styles = z.read("xl/styles.xml").decode()
        self.assertIn('formatCode="[h]:mm:ss"', styles)
        self.assertIn("pane", z.read("xl/worksheets/sheet1.xml").decode())
        # SEC-2: the export is audited.
        self.assertGreaterEqual(self.srv.count(
            "SELECT COUNT(*) FROM audit WHERE action = 'report.agents.export'"), 1)


if __name__ == "__main__":
    unittest.main()
