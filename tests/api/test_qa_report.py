"""Quality reports (issue 15; QA-2, QA-5, CB-3): the daily quality-anomaly report
(质量异常分析日报表) drafted by kefu from the day's automatic checks, edited and sent by
the supervisor to the manager, then kept read-only; the agents' weekly, biweekly and
monthly figures with the survey (CALL-3) and the center's callbacks (CB-3); the month's
service star; the .xlsx export.

The automatic checks are rows of migration 20 (qa_check, qa_hit, qa_rule), the contract
the check engine writes to; this file writes them with SQL in one helper
(insert_checks). Callbacks and rated contacts go through the real API. Every figure
is recomputed here from the raw rows with SQL."""
import datetime
import io
import json
import sqlite3
import unittest
import xml.etree.ElementTree as ET
import zipfile

from apihelp import MINUTE, person_id
from harness import KefuTestCase
from test_reports import Center, advance_to_local, center_zone, local_date

DAY_MS = 24 * 3600 * 1000
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def r2(x):
    return None if x is None else round(x + 1e-9, 2)


def insert_checks(srv, rules, checks):
    """Writes rules and automatic checks as the check engine would (migration 20).
    rules: [(code, name)]; checks: [(agent_id, contact_at, score, fatal, [(rule_code,
    severity, fatal)])]; hits/high of each check are its hit rows' counts. Returns the
    check ids."""
    db = sqlite3.connect(srv.db, timeout=10)
    ids = []
    with db:
        for code, name in rules:
            db.execute("INSERT OR IGNORE INTO qa_rule(code, name, version, created_at, updated_at)"
                       " VALUES (?, ?, 1, 0, 0)", (code, name))
            rid = db.execute("SELECT id FROM qa_rule WHERE code = ?", (code,)).fetchone()[0]
            db.execute("INSERT OR IGNORE INTO qa_rule_version(rule_id, version, body, created_at)"
                       " VALUES (?, 1, '{}', 0)", (rid,))
        ref = db.execute("SELECT COALESCE(MAX(ref_id), 0) FROM qa_check").fetchone()[0]
        for agent, at, score, fatal, hits in checks:
            ref += 1
            high = sum(1 for h in hits if h[1] == "high")
            cur = db.execute(
                "INSERT INTO qa_check(kind, ref_id, agent_id, contact_at, checked_at, transcript,"
                " score, fatal, hits, high) VALUES ('call', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (ref, agent, at, at, ref % 2, score, fatal, len(hits), high))
            cid = cur.lastrowid
            ids.append(cid)
            for k, (code, severity, hfatal) in enumerate(hits):
                rid = db.execute("SELECT id FROM qa_rule WHERE code = ?", (code,)).fetchone()[0]
                db.execute("INSERT INTO qa_hit(check_id, rule_id, rule_version, severity, score,"
                           " fatal, utterance, text) VALUES (?, ?, 1, ?, -5, ?, ?, '喂')",
                           (cid, rid, severity, hfatal, k))
    db.close()
    return ids


def insert_reviews(srv, reviews):
    """Writes the supervisors' reviews as the review writes them (qa_assessment, the
    review's migration 21): the reports' one reader of that table is tested here.
    reviews: [(agent_id, contact_at, state, total, final_score)]."""
    db = sqlite3.connect(srv.db, timeout=10)
    with db:
        for k, (agent, at, state, total, final) in enumerate(reviews):
            db.execute(
                "INSERT INTO qa_assessment(kind, ref_id, agent_id, scorecard_id, scorecard_version,"
                " reason, contact_at, state, total, final_score, created_at, updated_at)"
                " VALUES ('call', ?, ?, 1, 1, 'sample', ?, ?, ?, ?, 0, 0)",
                (900000 + k, agent, at, state, total, final))
    db.close()


class QaReportTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.tz, _ = center_zone(srv)
        # 10:00 of the center's next day; the day's checks are before it.
        cls.t0 = advance_to_local(srv, cls.tz, 1, 10, 0)
        d = local_date(cls.t0, cls.tz)
        cls.day = d.isoformat()
        cls.start = int(datetime.datetime(d.year, d.month, d.day, tzinfo=cls.tz).timestamp() * 1000)
        cls.end = cls.start + DAY_MS
        c = cls.c = Center(srv)
        cls.tok = {w: c.token(w) for w in ("8001", "8002", "8101", "8102", "8301")}
        cls.ids = {w: person_id(srv, w) for w in ("8001", "8002", "8101", "8102", "8103", "8104")}

        # CB-3: the center calls a customer back: 8102 not accepted, 8101 accepted.
        o = c.order()
        c.act(o, "accept", "2001")
        c.act(o, "call", "2001")
        c.act(o, "onsite", "2001")
        c.act(o, "report", "2001", {"solution": "已上门处理"})
        c.act(o, "callback", "8102", {"outcome": "not_accepted"})
        c.act(o, "callback", "8101", {"outcome": "accepted"})
        # CALL-3: rated contacts of the day.
        for who, score in (("8101", 5), ("8101", 4), ("8102", 2), ("8101", None)):
            body = {"channel": "phone", "direction": "in", "phone": "13900001111"}
            if score:
                body["satisfaction"] = score
            st, b, _ = srv.call("POST", "/api/contacts", body, token=cls.tok[who])
            assert st == 201, b

        a1, a2, a3 = cls.ids["8101"], cls.ids["8102"], cls.ids["8103"]
        rules = [("qa3.001", "服务禁语：喂"), ("qa4.001", "称呼用您"), ("call5.001", "先挂机"),
                 ("qa3.fatal", "辱骂客户")]
        s = cls.start
        checks = []
        # 8101: eleven clean-ish checks today (the star's minimum is 10).
        for k in range(11):
            hits = [("qa4.001", "low", 0)] if k % 3 == 0 else []
            checks.append((a1, s + (k + 1) * MINUTE, 100 - 5 * len(hits), 0, hits))
        # 8102: ten checks, one fatal, several high-severity hits.
        for k in range(10):
            hits = [("qa3.001", "high", 0)] * (1 + k % 2)
            if k == 4:
                hits.append(("qa3.fatal", "high", 1))
            score = 0 if k == 4 else 100 - 5 * len(hits)
            checks.append((a2, s + (k + 20) * MINUTE, score, int(k == 4), hits))
        # 8103: three checks with medium hits.
        for k in range(3):
            checks.append((a3, s + (k + 40) * MINUTE, 70 + k, 0,
                           [("call5.001", "medium", 0), ("qa4.001", "low", 0)]))
        # The edges: the last millisecond of yesterday and the first of tomorrow are
        # not the day's; yesterday's check counts in the previous week only when the
        # day is a Monday.
        checks.append((a1, s - 1, 10, 0, [("qa3.001", "high", 0)]))
        checks.append((a3, s + DAY_MS, 5, 0, [("qa3.001", "high", 0)]))
        # Last week's checks, for the trend.
        checks.append((a1, s - 7 * DAY_MS + MINUTE, 80, 0, []))
        checks.append((a2, s - 7 * DAY_MS + 2 * MINUTE, 60, 0, []))
        cls.check_ids = insert_checks(srv, rules, checks)
        # QA-1 reviews: closed ones count (an appeal's final score over the total); one
        # still under appeal and one still a draft do not.
        insert_reviews(srv, [(a1, s + MINUTE, "closed", 90, None),
                             (a1, s + 2 * MINUTE, "closed", 60, 80),
                             (a2, s + 20 * MINUTE, "appealed", 50, None),
                             (a3, s + 40 * MINUTE, "draft", 70, None),
                             (a3, s + 41 * MINUTE, "closed", 75, None)])
        cls.db = sqlite3.connect(srv.db, timeout=10)

    @classmethod
    def tearDownClass(cls):
        cls.db.close()
        super().tearDownClass()

    def q(self, sql, *args):
        return self.db.execute(sql, args).fetchall()

    def get(self, path, who="8002", status=200):
        st, body, _ = self.srv.call("GET", path, token=self.tok[who])
        self.assertEqual(st, status, body)
        return body

    # -- the figures, recomputed from the rows --

    def expected_figures(self, start, end):
        (n, total, fatal, with_hits, transcribed), = self.q(
            "SELECT COUNT(*), SUM(score), SUM(fatal), SUM(hits > 0), SUM(transcript)"
            " FROM qa_check WHERE contact_at >= ? AND contact_at < ?", start, end)
        (hits, high), = self.q(
            "SELECT COUNT(*), SUM(h.severity = 'high') FROM qa_hit h JOIN qa_check c"
            " ON c.id = h.check_id WHERE c.contact_at >= ? AND c.contact_at < ?", start, end)
        rules = [dict(zip(("rule_id", "code", "name", "hits", "checks", "high", "fatal"), r))
                 for r in self.q(
            "SELECT r.id, r.code, r.name, COUNT(*), COUNT(DISTINCT h.check_id),"
            " SUM(h.severity = 'high'), SUM(h.fatal) FROM qa_hit h JOIN qa_check c ON"
            " c.id = h.check_id JOIN qa_rule r ON r.id = h.rule_id WHERE c.contact_at >= ?"
            " AND c.contact_at < ? GROUP BY r.id ORDER BY COUNT(*) DESC,"
            " COUNT(DISTINCT h.check_id) DESC, r.id LIMIT 10", start, end)]
        agents = self.q(
            "SELECT agent_id, COUNT(*), SUM(score), SUM(hits), SUM(high), SUM(fatal)"
            " FROM qa_check WHERE contact_at >= ? AND contact_at < ? GROUP BY agent_id"
            " HAVING SUM(hits) > 0 OR SUM(fatal) > 0"
            " ORDER BY SUM(high) DESC, SUM(hits) DESC, SUM(fatal) DESC, agent_id LIMIT 10",
            start, end)
        lowest = self.q(
            "SELECT id, ref_id, agent_id, score, fatal FROM qa_check WHERE contact_at >= ?"
            " AND contact_at < ? ORDER BY score, fatal DESC, contact_at, id LIMIT 10", start, end)
        (rated, rsum), = self.q(
            "SELECT COUNT(*), SUM(satisfaction) FROM contact WHERE started_at >= ?"
            " AND started_at < ? AND satisfaction BETWEEN 1 AND 5", start, end)
        outcomes = dict(self.q(
            "SELECT outcome, COUNT(*) FROM wo_callback_attempt WHERE at >= ? AND at < ?"
            " GROUP BY outcome", start, end))
        return dict(n=n, total=total, fatal=fatal, with_hits=with_hits, transcribed=transcribed,
                    hits=hits, high=high, rules=rules, agents=agents, lowest=lowest,
                    rated=rated, rsum=rsum, outcomes=outcomes)

    def assertFigures(self, f, start, end):
        e = self.expected_figures(start, end)
        self.assertEqual(f["checks"], e["n"])
        self.assertEqual(f["checks"], 24, "11 + 10 + 3: the edges are other days'")
        self.assertEqual(f["average_score"], r2(e["total"] / e["n"]))
        self.assertEqual(f["fatal"], e["fatal"])
        self.assertEqual(f["with_hits"], e["with_hits"])
        self.assertEqual(f["transcribed"], e["transcribed"])
        self.assertEqual(f["hits"], e["hits"])
        self.assertEqual(f["high"], e["high"])
        self.assertEqual(f["rules"], e["rules"])
        self.assertEqual(f["rules"][0]["code"], "qa3.001")
        self.assertEqual([(a["agent"]["id"], a["checks"], a["average_score"], a["hits"],
                           a["high"], a["fatal"]) for a in f["agents"]],
                         [(a, n, r2(t / n), h, hi, fa) for a, n, t, h, hi, fa in e["agents"]])
        self.assertEqual(f["agents"][0]["agent"]["work_no"], "8102")
        self.assertEqual([(x["check_id"], x["ref_id"], x["agent"]["id"], x["score"], x["fatal"])
                          for x in f["lowest"]],
                         [(i, ref, a, s, bool(fa)) for i, ref, a, s, fa in e["lowest"]])
        self.assertTrue(f["lowest"][0]["fatal"])
        self.assertIn(f"agent_id={f['lowest'][0]['agent']['id']}", f["lowest"][0]["link"])
        self.assertEqual(f["survey"], {"rated": e["rated"], "average": r2(e["rsum"] / e["rated"])})
        self.assertEqual(f["survey"]["rated"], 3)
        cb = f["callbacks"]
        self.assertEqual(cb["accepted"], e["outcomes"].get("accepted", 0))
        self.assertEqual(cb["not_accepted"], e["outcomes"].get("not_accepted", 0))
        self.assertEqual(cb["attempts"], sum(e["outcomes"].values()))
        self.assertEqual(cb["satisfaction"], 50.0)

    def test_1_draft_edit_send_kept(self):
        """QA-2: kefu drafts the day; the supervisor writes the analysis and sends it to the
        manager, who is notified; the report is then read-only and its figures frozen."""
        srv, day = self.srv, self.day
        draft = self.get(f"/api/qa/daily/{day}")
        self.assertEqual(draft["state"], "draft")
        self.assertIsNone(draft["author"])
        self.assertFigures(draft["figures"], self.start, self.end)
        self.assertEqual(self.q("SELECT COUNT(*) FROM qa_daily")[0][0], 0, "reading writes nothing")

        texts = {"anomaly": "8102 服务禁语集中，1 通致命项", "causes": "新员工话术不熟",
                 "measures": "明日班前会复训禁语"}
        st, body, _ = srv.call("PUT", f"/api/qa/daily/{day}", texts, token=self.tok["8002"])
        self.assertEqual(st, 200, body)
        self.assertEqual({k: body[k] for k in texts}, texts)
        self.assertEqual(body["author"]["work_no"], "8002")
        # A field left out keeps its text.
        st, body, _ = srv.call("PUT", f"/api/qa/daily/{day}", {"measures": "复训并抽查"},
                               token=self.tok["8002"])
        self.assertEqual(st, 200, body)
        self.assertEqual(body["anomaly"], texts["anomaly"])
        self.assertEqual(body["measures"], "复训并抽查")

        st, sent, _ = srv.call("POST", f"/api/qa/daily/{day}/send", {}, token=self.tok["8002"])
        self.assertEqual(st, 200, sent)
        self.assertEqual(sent["state"], "sent")
        managers = [r[0] for r in self.q(
            "SELECT id FROM person WHERE active = 1 AND (roles & 2) != 0 ORDER BY id")]
        self.assertEqual(sent["sent_to"], managers)
        self.assertIn(self.ids["8001"], managers)
        self.assertIsNotNone(sent["sent_at"])
        self.assertFigures(sent["figures"], self.start, self.end)
        (snap,), = self.q("SELECT figures FROM qa_daily WHERE day = ?", day)
        self.assertEqual(json.loads(snap), sent["figures"])

        # The manager is told, and reads it.
        st, notes, _ = srv.call("GET", "/api/notifications", token=self.tok["8001"])
        self.assertEqual(st, 200, notes)
        mine = [n for n in notes["items"] if n["kind"] == "qa.daily"]
        self.assertEqual(len(mine), 1)
        self.assertIn(day, mine[0]["text"])
        self.assertEqual(self.get(f"/api/qa/daily/{day}", who="8001")["measures"], "复训并抽查")
        listed = self.get(f"/api/qa/daily?from={day}&to={day}&state=sent", who="8001")
        self.assertEqual([(i["day"], i["state"], i["checks"]) for i in listed["items"]],
                         [(day, "sent", 24)])

        # Read-only: 409 for edits and a second send, nothing changed.
        st, body, _ = srv.call("PUT", f"/api/qa/daily/{day}", {"anomaly": "改"},
                               token=self.tok["8002"])
        self.assertError((st, body, None), 409, "conflict")
        st, body, _ = srv.call("POST", f"/api/qa/daily/{day}/send", {}, token=self.tok["8002"])
        self.assertError((st, body, None), 409, "conflict")
        self.assertEqual(self.q("SELECT anomaly FROM qa_daily WHERE day = ?", day)[0][0],
                         texts["anomaly"])
        # A check that arrives later leaves the sent figures as they were.
        insert_checks(srv, [], [(self.ids["8104"], self.start + 5 * 3600 * 1000, 50, 0, [])])
        again = self.get(f"/api/qa/daily/{day}", who="8001")
        self.assertEqual(again["figures"], sent["figures"])
        self.assertEqual(again["figures"]["checks"], 24)
        with self.db:
            self.db.execute("DELETE FROM qa_check WHERE agent_id = ? AND score = 50",
                            (self.ids["8104"],))

        # All of it audited.
        actions = [e["action"] for e in srv.audit(self.tok["8001"], entity="qa_daily")]
        self.assertEqual(sorted(actions), ["qa.daily.edit", "qa.daily.edit", "qa.daily.send"])

    def test_2_permissions(self):
        """Supervisors draft and send; the manager and QA read; agents do neither."""
        srv, day = self.srv, "2020-01-02"
        self.get(f"/api/qa/daily/{day}", who="8301")
        self.get(f"/api/qa/daily/{day}", who="8001")
        self.get(f"/api/qa/daily/{day}", who="8101", status=403)
        for who in ("8001", "8301", "8101"):
            st, body, _ = srv.call("PUT", f"/api/qa/daily/{day}", {"anomaly": "x"},
                                   token=self.tok[who])
            self.assertEqual(st, 403, (who, body))
            st, body, _ = srv.call("POST", f"/api/qa/daily/{day}/send", {}, token=self.tok[who])
            self.assertEqual(st, 403, (who, body))
        self.assertEqual(self.q("SELECT COUNT(*) FROM qa_daily WHERE day = ?", day)[0][0], 0)
        st, _, _ = srv.call("GET", f"/api/qa/agents/export?period=week&date={self.day}",
                            token=self.tok["8101"])
        self.assertEqual(st, 403)
        # An agent reads their own figures only, and the star without the ranking.
        mine = self.get(f"/api/qa/agents?period=month&date={self.day}", who="8101")
        self.assertEqual([r["agent_id"] for r in mine["items"]], [self.ids["8101"]])
        star = self.get(f"/api/qa/star/{self.day[:7]}", who="8101")
        self.assertEqual(star["ranking"], [])

    def test_3_bad_input_writes_nothing(self):
        srv = self.srv
        before = self.q("SELECT COUNT(*) FROM qa_daily")[0][0]
        for path in ("/api/qa/daily/2026-13-01", "/api/qa/daily/20261201",
                     "/api/qa/daily/2026-02-30"):
            st, body, _ = srv.call("GET", path, token=self.tok["8002"])
            self.assertError((st, body, None), 400, field="day")
        st, body, _ = srv.call("PUT", "/api/qa/daily/2026-12-01", {"anomaly": 5},
                               token=self.tok["8002"])
        self.assertError((st, body, None), 400, field="anomaly")
        st, body, _ = srv.call("PUT", "/api/qa/daily/2026-12-01", {"other": "x"},
                               token=self.tok["8002"])
        self.assertEqual(st, 400, body)
        st, body, _ = srv.call("PUT", "/api/qa/daily/2026-12-01", {"anomaly": "长" * 4001},
                               token=self.tok["8002"])
        self.assertError((st, body, None), 400, field="anomaly")
        future = (local_date(self.t0, self.tz) + datetime.timedelta(days=2)).isoformat()
        st, body, _ = srv.call("PUT", f"/api/qa/daily/{future}", {"anomaly": "x"},
                               token=self.tok["8002"])
        self.assertError((st, body, None), 422)
        st, body, _ = srv.call("POST", f"/api/qa/daily/{future}/send", {}, token=self.tok["8002"])
        self.assertError((st, body, None), 422)
        for path, field in (("/api/qa/agents?period=year", "period"),
                            ("/api/qa/agents?date=2026-1-1", "date"),
                            ("/api/qa/daily?from=2020-01-01&to=2026-01-01", "to"),
                            ("/api/qa/daily?state=open", "state"),
                            ("/api/qa/star/2026-13", "month")):
            st, body, _ = srv.call("GET", path, token=self.tok["8002"])
            self.assertError((st, body, None), 400, field=field)
        self.assertEqual(self.q("SELECT COUNT(*) FROM qa_daily")[0][0], before)

    # -- the agents (QA-5) --

    def expected_rows(self, start, end, pstart, pend):
        people = {r[0]: r for r in self.q(
            "SELECT id, work_no, name FROM person WHERE (active = 1 AND (roles & 8) != 0)"
            " OR id IN (SELECT agent_id FROM qa_check WHERE contact_at >= ? AND contact_at < ?)"
            " OR id IN (SELECT agent_id FROM contact WHERE started_at >= ? AND started_at < ?"
            " AND satisfaction BETWEEN 1 AND 5) ORDER BY id", start, end, start, end)}
        rows = {}
        for pid, work_no, name in people.values():
            (n, total, fatal, hits, high), = self.q(
                "SELECT COUNT(*), COALESCE(SUM(score), 0), COALESCE(SUM(fatal), 0),"
                " COALESCE(SUM(hits), 0), COALESCE(SUM(high), 0) FROM qa_check"
                " WHERE agent_id = ? AND contact_at >= ? AND contact_at < ?", pid, start, end)
            (pn, ptotal), = self.q(
                "SELECT COUNT(*), SUM(score) FROM qa_check WHERE agent_id = ?"
                " AND contact_at >= ? AND contact_at < ?", pid, pstart, pend)
            top = [tuple(r) for r in self.q(
                "SELECT h.rule_id, COUNT(*), COUNT(DISTINCT h.check_id) FROM qa_hit h JOIN qa_check c"
                " ON c.id = h.check_id WHERE c.agent_id = ? AND c.contact_at >= ?"
                " AND c.contact_at < ? GROUP BY h.rule_id ORDER BY COUNT(*) DESC,"
                " COUNT(DISTINCT h.check_id) DESC, h.rule_id LIMIT 3", pid, start, end)]
            (rated, rsum), = self.q(
                "SELECT COUNT(*), SUM(satisfaction) FROM contact WHERE agent_id = ?"
                " AND started_at >= ? AND started_at < ? AND satisfaction BETWEEN 1 AND 5",
                pid, start, end)
            cb = dict(self.q("SELECT outcome, COUNT(*) FROM wo_callback_attempt WHERE agent_id = ?"
                             " AND at >= ? AND at < ? GROUP BY outcome", pid, start, end))
            acc, nacc = cb.get("accepted", 0), cb.get("not_accepted", 0)
            (reviews, rtotal), = self.q(
                "SELECT COUNT(*), SUM(COALESCE(final_score, total)) FROM qa_assessment"
                " WHERE agent_id = ? AND state = 'closed' AND contact_at >= ? AND contact_at < ?",
                pid, start, end)
            avg = total / n if n else None
            combined = None
            if n:
                s, w = 0.6 * avg, 0.6
                if rated:
                    s, w = s + 0.3 * 20 * rsum / rated, w + 0.3
                if acc + nacc:
                    s, w = s + 0.1 * 100 * acc / (acc + nacc), w + 0.1
                combined = s / w
            rows[pid] = dict(work_no=work_no, checks=n, average_score=r2(avg), fatal=fatal,
                             hits=hits, high=high, top=top,
                             survey={"rated": rated, "average": r2(rsum / rated) if rated else None},
                             accepted=acc, not_accepted=nacc, attempts=sum(cb.values()),
                             previous={"checks": pn, "average_score": r2(ptotal / pn) if pn else None},
                             trend=r2(avg - ptotal / pn) if n and pn else None,
                             combined=combined,
                             eligible=n >= 10 and fatal == 0,
                             reviews={"count": reviews,
                                      "average_score": r2(rtotal / reviews) if reviews else None})
        return rows

    def period_bounds(self, body):
        def ms(day):
            d = datetime.date.fromisoformat(day)
            return int(datetime.datetime(d.year, d.month, d.day, tzinfo=self.tz).timestamp() * 1000)
        return (ms(body["from"]), ms(body["to"]) + DAY_MS,
                ms(body["previous"]["from"]), ms(body["previous"]["to"]) + DAY_MS)

    def check_rows(self, body):
        rows = self.expected_rows(*self.period_bounds(body))
        self.assertEqual(sorted(rows), [r["agent_id"] for r in body["items"]])
        for r in body["items"]:
            e = rows[r["agent_id"]]
            self.assertEqual(r["work_no"], e["work_no"])
            for k in ("checks", "average_score", "fatal", "hits", "high", "survey", "previous",
                      "trend", "eligible", "reviews"):
                self.assertEqual(r[k], e[k], (r["work_no"], k))
            self.assertEqual([(t["rule_id"], t["hits"], t["checks"]) for t in r["top_rules"]],
                             e["top"], r["work_no"])
            self.assertEqual((r["callbacks"]["accepted"], r["callbacks"]["not_accepted"],
                              r["callbacks"]["attempts"]),
                             (e["accepted"], e["not_accepted"], e["attempts"]))
            if e["combined"] is None:
                self.assertIsNone(r["combined"])
            else:
                self.assertAlmostEqual(r["combined"], e["combined"], delta=0.006)
        return rows

    def test_4_periods(self):
        """QA-5: the week (Monday to Sunday), the biweekly period and the month of the day."""
        d = local_date(self.t0, self.tz)
        for period in ("week", "biweek", "month"):
            body = self.get(f"/api/qa/agents?period={period}&date={self.day}", who="8301")
            self.assertEqual(body["period"], period)
            start = datetime.date.fromisoformat(body["from"])
            end = datetime.date.fromisoformat(body["to"])
            self.assertTrue(start <= d <= end)
            if period == "week":
                self.assertEqual(start.isoweekday(), 1)
                self.assertEqual((end - start).days, 6)
            elif period == "biweek":
                self.assertEqual((start - datetime.date(2024, 1, 1)).days % 14, 0)
                self.assertEqual((end - start).days, 13)
            else:
                self.assertEqual((start.day, start.month), (1, d.month))
            rows = self.check_rows(body)
            if period != "month":
                self.assertFalse(any(r["star"] for r in body["items"]), "a star is monthly")
            a1 = next(r for r in body["items"] if r["work_no"] == "8101")
            self.assertGreaterEqual(a1["checks"], 11)
            self.assertEqual(a1["reviews"], {"count": 2, "average_score": 85.0})
            self.assertEqual(a1["survey"]["rated"], rows[self.ids["8101"]]["survey"]["rated"])
        week = self.get(f"/api/qa/agents?period=week&date={self.day}")
        a2 = next(r for r in week["items"] if r["work_no"] == "8102")
        self.assertEqual(a2["callbacks"]["satisfaction"], 0.0)
        self.assertFalse(a2["eligible"], "a fatal check")

    def test_5_star(self):
        """QA-5: the month's service star is the eligible agent with the best combined score."""
        month = self.day[:7]
        body = self.get(f"/api/qa/star/{month}", who="8001")
        agents = self.get(f"/api/qa/agents?period=month&date={self.day}")
        self.assertEqual((agents["from"], agents["to"]), (body["from"], body["to"]))
        rows = self.check_rows(agents)
        eligible = [(e["combined"], e["checks"], -pid) for pid, e in rows.items() if e["eligible"]]
        best = max(eligible)
        self.assertEqual(body["star"]["agent_id"], -best[2])
        self.assertEqual(body["star"]["work_no"], "8101")
        self.assertTrue(body["star"]["star"])
        self.assertEqual([r["agent_id"] for r in body["ranking"]],
                         [-x[2] for x in sorted(eligible, key=lambda x: -x[0])])
        month_rows = self.get(f"/api/qa/agents?period=month&date={self.day}")["items"]
        self.assertEqual([r["work_no"] for r in month_rows if r["star"]], ["8101"])

    def test_6_export(self):
        """The per-agent table as .xlsx: one row per agent with the figures of the API."""
        srv = self.srv
        status, headers, data = srv.raw(
            "GET", f"/api/qa/agents/export?period=month&date={self.day}",
            headers={"Authorization": "Bearer " + self.tok["8001"]})
        self.assertEqual(status, 200)
        self.assertIn("spreadsheetml", headers["content-type"])
        self.assertIn("attachment", headers["content-disposition"])
        z = zipfile.ZipFile(io.BytesIO(data))
        strings = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t"))
                   for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS)]
        cells = {}
        for c in ET.fromstring(z.read("xl/worksheets/sheet1.xml")).iter(f"{{{NS['m']}}}c"):
            v = c.find("m:v", NS)
            if v is not None:
                cells[c.get("r")] = strings[int(v.text)] if c.get("t") == "s" else float(v.text)
        self.assertIn("月度质检考评", cells["A1"])
        self.assertEqual(cells["B3"], "工号")
        rows = self.get(f"/api/qa/agents?period=month&date={self.day}")["items"]
        for i, r in enumerate(rows):
            n = 4 + i
            self.assertEqual(cells[f"B{n}"], r["work_no"])
            self.assertEqual(cells[f"D{n}"], r["checks"])
            if r["average_score"] is not None:
                self.assertAlmostEqual(cells[f"E{n}"], r["average_score"], delta=0.006)
            self.assertEqual(cells[f"F{n}"], r["fatal"])
            self.assertEqual(cells[f"G{n}"], r["hits"])
            self.assertEqual(cells[f"J{n}"], r["survey"]["rated"])
            self.assertEqual(cells[f"Q{n}"], r["reviews"]["count"])
            if r["reviews"]["average_score"] is not None:
                self.assertAlmostEqual(cells[f"R{n}"], r["reviews"]["average_score"], delta=0.006)
            self.assertEqual(cells.get(f"S{n}", "") == "★", r["star"])
        self.assertEqual([e["action"] for e in srv.audit(self.tok["8001"], action="qa.agents.export")],
                         ["qa.agents.export"])


if __name__ == "__main__":
    unittest.main()
