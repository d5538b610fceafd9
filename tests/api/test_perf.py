"""The month's evaluation (issue 19, PERF-1, PERF-3): praise and criticism recorded by the
supervisor, every agent's figures read from kefu's data, the weighted total, the ranking
with ties, the praise tiers and rank rewards written to the people ledger, the manager's
change of a reward, recomputation voiding and rewriting, the month closed and locked, the
ledger per person with an agent seeing only their own, and the payout sheet for HR.

The automatic checks, rated contacts, calls and the status log are written with SQL as
their engines write them; every figure, dimension, total, rank and amount is recomputed
here from those raw rows with the formulas of docs/perf.md."""
import io
import sqlite3
import unittest
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

from apihelp import MINUTE, advance_to_local, person_id
from harness import KefuTestCase

TZ = ZoneInfo("Asia/Shanghai")
DIMS = ["praise", "quality", "satisfaction", "attendance", "efficiency", "training"]
WEIGHTS = {"praise": 15, "quality": 30, "satisfaction": 20, "attendance": 15,
           "efficiency": 10, "training": 10}


def r2(x):
    return int(x * 100 + 0.5) / 100


def clamp(x):
    return max(0.0, min(100.0, x))


def mean(parts):
    parts = [p for p in parts if p is not None]
    return sum(parts) / len(parts) if parts else None


class PerfMonthTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        # 10:00 in the center: everything below happens in the hour before, the same month.
        cls.now = advance_to_local(srv, 10, 0)
        cls.month = datetime.fromtimestamp(cls.now / 1000, TZ).strftime("%Y-%m")
        cls.mgr = srv.login("8001")
        cls.sup = srv.login("8002")
        cls.hr = srv.login("7001")
        cls.a1 = srv.login("8101")
        cls.ids = {w: person_id(srv, w) for w in ("8101", "8102", "8103", "8104", "8105")}
        t0 = cls.now - 60 * MINUTE
        db = sqlite3.connect(srv.db, timeout=10)
        with db:
            # Automatic checks of 8101 (mean 90) and 8104 (mean 70).
            for k, (agent, score) in enumerate([("8101", 95), ("8101", 85), ("8104", 70)]):
                db.execute(
                    "INSERT INTO qa_check(kind, ref_id, agent_id, contact_at, checked_at,"
                    " transcript, score, fatal, hits, high) VALUES ('call', ?, ?, ?, ?, 1, ?,"
                    " 0, 0, 0)", (700000 + k, cls.ids[agent], t0 + k, t0 + k, score))
            # Contacts handled: 8102 four (two rated 4 and 5), 8103 two.
            for k, (agent, sat) in enumerate([("8102", 4), ("8102", 5), ("8102", None),
                                              ("8102", None), ("8103", None), ("8103", None)]):
                db.execute(
                    "INSERT INTO contact(channel, direction, agent_id, started_at, ended_at,"
                    " satisfaction, created_at) VALUES ('phone', 'in', ?, ?, ?, ?, ?)",
                    (cls.ids[agent], t0 + k * MINUTE, t0 + k * MINUTE + 1000, sat, t0))
            # Answered calls: 8102 two of 200 s, 8103 one of 500 s.
            for k, (agent, talk) in enumerate([("8102", 200), ("8102", 200), ("8103", 500)]):
                start = t0 + k * MINUTE
                db.execute(
                    "INSERT INTO call(sip_call_id, caller, called, started_at, answered_at,"
                    " ended_at, agent_id, connected_at) VALUES (?, '13800000000', '400',"
                    " ?, ?, ?, ?, ?)", (f"perf-{k}", start, start, start + 5000 + talk * 1000,
                                        cls.ids[agent], start + 5000))
            # After-call work: 8103 one wrap-up of 100 s, then ready.
            db.execute("INSERT INTO agent_state_log(person_id, at, from_status, to_status)"
                       " VALUES (?, ?, 'talking', 'wrap_up')", (cls.ids["8103"], t0))
            db.execute("INSERT INTO agent_state_log(person_id, at, from_status, to_status)"
                       " VALUES (?, ?, 'wrap_up', 'ready')", (cls.ids["8103"], t0 + 100000))
        db.close()
        # Praise: 8101 ten (the first tier exactly), 8102 nine and a criticism, 8105 thirty.
        for who, n, kind in [("8101", 10, "praise"), ("8102", 9, "praise"),
                             ("8102", 1, "criticism"), ("8105", 30, "praise")]:
            for _ in range(n):
                cls.praise(who, kind)

    @classmethod
    def praise(cls, who, kind="praise", token=None, **extra):
        body = {"person_id": cls.ids[who], "kind": kind, "origin": "supervisor",
                "note": "客户来电表扬"}
        body.update(extra)
        st, b, _ = cls.srv.call("POST", "/api/perf/praise", body, token=token or cls.sup)
        assert st == 201, (st, b)
        return b

    def get_month(self, token, query=""):
        st, b, _ = self.srv.call("GET", f"/api/perf/months/{self.month}{query}", token=token)
        self.assertEqual(st, 200, b)
        return b

    def ledger(self, token, query=""):
        st, b, _ = self.srv.call("GET", f"/api/perf/ledger?month={self.month}{query}",
                                 token=token)
        self.assertEqual(st, 200, b)
        return b

    def expected(self):
        """Every agent's figures, dimensions, total, rank and rewards from the raw rows."""
        db = sqlite3.connect(self.srv.db, timeout=10)
        t_from = int(datetime.strptime(self.month + "-01", "%Y-%m-%d")
                     .replace(tzinfo=TZ).timestamp() * 1000)
        y, m = map(int, self.month.split("-"))
        t_to = int(datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=TZ).timestamp() * 1000)
        agents = [r[0] for r in db.execute(
            "SELECT id FROM person WHERE active = 1 AND (roles & 8) <> 0 ORDER BY id")]
        rows = {}
        for a in agents:
            one = lambda sql, *args: db.execute(sql, args).fetchone()
            praise, crit = one("SELECT COALESCE(SUM(kind = 'praise'), 0),"
                               " COALESCE(SUM(kind = 'criticism'), 0) FROM perf_praise"
                               " WHERE person_id = ? AND month = ? AND voided_at IS NULL",
                               a, self.month)
            qn, qs = one("SELECT COUNT(*), COALESCE(SUM(score), 0) FROM qa_check WHERE"
                         " agent_id = ? AND contact_at >= ? AND contact_at < ?", a, t_from, t_to)
            rn, rs = one("SELECT COUNT(*), COALESCE(SUM(satisfaction), 0) FROM contact WHERE"
                         " agent_id = ? AND started_at >= ? AND started_at < ?"
                         " AND satisfaction BETWEEN 1 AND 5", a, t_from, t_to)
            contacts, = one("SELECT COUNT(*) FROM contact WHERE agent_id = ? AND"
                            " started_at >= ? AND started_at < ?", a, t_from, t_to)
            calls, talk = one("SELECT COUNT(*), COALESCE(SUM(ended_at - connected_at), 0)"
                              " FROM call WHERE agent_id = ? AND started_at >= ? AND"
                              " started_at < ? AND connected_at IS NOT NULL AND"
                              " ended_at > connected_at", a, t_from, t_to)
            log = db.execute("SELECT at, to_status FROM agent_state_log WHERE person_id = ?"
                             " AND at >= ? AND at < ? ORDER BY at, id", (a, t_from, t_to)).fetchall()
            acw = sum(log[i + 1][0] - log[i][0] for i in range(len(log) - 1)
                      if log[i][1] == "wrap_up")
            rows[a] = dict(praise=praise, criticism=crit, qa_checks=qn, qa_score_sum=qs,
                           rated=rn, rating_sum=rs, contacts=contacts, calls=calls,
                           talk_ms=talk, acw_ms=acw)
        db.close()
        max_contacts = max(r["contacts"] for r in rows.values())
        all_calls = sum(r["calls"] for r in rows.values())
        aht = (sum(r["talk_ms"] + r["acw_ms"] for r in rows.values()) / all_calls
               if all_calls else 0)
        for a, r in rows.items():
            d = {"praise": clamp(80 + 2 * r["praise"] - 10 * r["criticism"]),
                 "quality": mean([r["qa_score_sum"] / r["qa_checks"] if r["qa_checks"] else None]),
                 "satisfaction": mean([20 * r["rating_sum"] / r["rated"] if r["rated"] else None]),
                 "attendance": None, "training": None, "efficiency": None}
            if r["contacts"] or r["calls"]:
                own = (r["talk_ms"] + r["acw_ms"]) / r["calls"] if r["calls"] else 0
                d["efficiency"] = clamp(mean([
                    100 * r["contacts"] / max_contacts if max_contacts else None,
                    (clamp(100 * aht / own) if own else 100) if r["calls"] else None]))
            d = {k: (None if v is None else r2(clamp(v))) for k, v in d.items()}
            w = sum(WEIGHTS[k] for k in DIMS if d[k] is not None)
            r["dims"] = d
            r["total"] = r2(sum(WEIGHTS[k] * d[k] for k in DIMS if d[k] is not None) / w)
            r["praise_fen"] = (5000 if r["praise"] >= 50 else 3000 if r["praise"] >= 30
                               else 1000 if r["praise"] >= 10 else 0)
        totals = [r["total"] for r in rows.values()]
        last = max(1 + sum(t > r["total"] for t in totals) for r in rows.values())
        for r in rows.values():
            r["rank"] = 1 + sum(t > r["total"] for t in totals)
            if r["total"] >= 60 and r["rank"] <= 3:
                r["rank_fen"] = [10000, 5000, 3000][r["rank"] - 1]
            elif r["total"] < 60 and r["rank"] == last:
                r["rank_fen"] = -5000
            else:
                r["rank_fen"] = 0
        return rows

    def check_against_raw(self, month):
        want = self.expected()
        got = {row["person_id"]: row for row in month["items"]}
        self.assertEqual(set(got), set(want))
        for pid, w in want.items():
            g = got[pid]
            for k in ("praise", "criticism", "qa_checks", "qa_score_sum", "rated",
                      "rating_sum", "contacts", "calls", "talk_ms", "acw_ms"):
                self.assertEqual(g["figures"][k], w[k], (pid, k))
            for k in DIMS:
                if w["dims"][k] is None:
                    self.assertIsNone(g["dims"][k], (pid, k))
                else:
                    self.assertAlmostEqual(g["dims"][k], w["dims"][k], places=2, msg=(pid, k))
            self.assertAlmostEqual(g["total"], w["total"], places=2)
            self.assertEqual(g["rank"], w["rank"], pid)
            self.assertEqual(g["praise_reward"]["amount_fen"] if g["praise_reward"] else 0,
                             w["praise_fen"], pid)
            self.assertEqual(g["rank_reward"]["amount_fen"] if g["rank_reward"] else 0,
                             w["rank_fen"], pid)
        return want

    def test_1_compute_from_raw_rows(self):
        srv = self.srv
        # Nothing computed yet: the month is open and empty; closing it is refused.
        m = self.get_month(self.mgr)
        self.assertEqual(m["month"]["state"], "open")
        self.assertEqual(m["items"], [])
        st, b, _ = srv.call("POST", f"/api/perf/months/{self.month}/close", {}, token=self.mgr)
        self.assertError((st, b, None), 409, "conflict")
        st, m, _ = srv.call("POST", f"/api/perf/months/{self.month}/compute", {}, token=self.sup)
        self.assertEqual(st, 200, m)
        want = self.check_against_raw(m)
        # The edges: 10 praises ¥10, 9 none, 30 ¥30.
        self.assertEqual(want[self.ids["8101"]]["praise_fen"], 1000)
        self.assertEqual(want[self.ids["8102"]]["praise_fen"], 0)
        self.assertEqual(want[self.ids["8105"]]["praise_fen"], 3000)
        # The ledger holds exactly the non-zero rewards, source eval.
        lines = self.ledger(self.hr)["items"]
        counting = sorted((l["person_id"], l["rule"], l["amount_fen"]) for l in lines
                          if not l["voided_at"] and l["source"] == "eval")
        expect = sorted([(p, "praise", w["praise_fen"]) for p, w in want.items() if w["praise_fen"]]
                        + [(p, "rank", w["rank_fen"]) for p, w in want.items() if w["rank_fen"]])
        self.assertEqual(counting, expect)
        self.assertTrue(any(a["action"] == "perf.month.compute"
                            for a in srv.audit(self.mgr, action="perf.month.compute")))

    def test_2_agent_sees_only_their_own(self):
        srv = self.srv
        me = self.ids["8101"]
        m = self.get_month(self.a1)
        self.assertEqual([r["person_id"] for r in m["items"]], [me])
        st, b, _ = srv.call("GET", f"/api/perf/months/{self.month}?person_id={self.ids['8102']}",
                            token=self.a1)
        self.assertError((st, b, None), 403)
        lines = self.ledger(self.a1)["items"]
        self.assertTrue(lines)
        self.assertTrue(all(l["person_id"] == me for l in lines))
        st, b, _ = srv.call("GET", f"/api/perf/ledger?month={self.month}&person_id={self.ids['8102']}",
                            token=self.a1)
        self.assertError((st, b, None), 403)
        st, b, _ = srv.call("GET", f"/api/perf/praise?month={self.month}", token=self.a1)
        self.assertEqual(st, 200)
        self.assertEqual({p["person_id"] for p in b["items"]}, {me})
        # An agent neither computes, records praise, changes settings nor exports.
        for method, path, body in [
                ("POST", f"/api/perf/months/{self.month}/compute", {}),
                ("POST", "/api/perf/praise", {"person_id": me, "kind": "praise",
                                              "origin": "supervisor"}),
                ("PUT", "/api/perf/settings", {"threshold": 10}),
                ("GET", f"/api/perf/months/{self.month}/export", None)]:
            st, b, _ = srv.call(method, path, body, token=self.a1)
            self.assertError((st, b, None), 403)
        # HR reads everyone's but computes nothing; the supervisor does not close.
        self.assertEqual(len(self.get_month(self.hr)["items"]), len(self.expected()))
        st, b, _ = srv.call("POST", f"/api/perf/months/{self.month}/compute", {}, token=self.hr)
        self.assertError((st, b, None), 403)
        st, b, _ = srv.call("POST", f"/api/perf/months/{self.month}/close", {}, token=self.sup)
        self.assertError((st, b, None), 403)

    def test_3_bad_input(self):
        srv = self.srv
        before = srv.count("SELECT COUNT(*) FROM perf_praise")
        st, b, _ = srv.call("POST", "/api/perf/praise",
                            {"person_id": self.ids["8101"], "kind": "cheer", "origin": "phone"},
                            token=self.sup, headers={"Accept-Language": "zh-CN"})
        self.assertEqual(st, 400, b)
        self.assertEqual({e["field"] for e in b["error"]["errors"]}, {"kind", "origin"})
        self.assertIn("表扬", b["error"]["message"])
        st, b, _ = srv.call("POST", "/api/perf/praise",
                            {"person_id": self.ids["8101"], "kind": "praise", "origin": "contact"},
                            token=self.sup)
        self.assertError((st, b, None), 422, field="ref_id")
        # A contact the agent did not handle, a callback that does not exist.
        other = srv.count(f"SELECT id FROM contact WHERE agent_id = {self.ids['8102']} LIMIT 1")
        for origin, ref in [("contact", other), ("callback", 999999)]:
            st, b, _ = srv.call("POST", "/api/perf/praise",
                                {"person_id": self.ids["8101"], "kind": "praise",
                                 "origin": origin, "ref_id": ref}, token=self.sup)
            self.assertError((st, b, None), 422, field="ref_id")
        # Not an agent: the manager.
        st, b, _ = srv.call("POST", "/api/perf/praise",
                            {"person_id": person_id(srv, "8001"), "kind": "praise",
                             "origin": "supervisor"}, token=self.sup)
        self.assertError((st, b, None), 422, field="person_id")
        st, b, _ = srv.call("PUT", "/api/perf/settings",
                            {"weights": {k: 0 for k in DIMS}}, token=self.mgr)
        self.assertError((st, b, None), 422, field="weight")
        st, b, _ = srv.call("PUT", "/api/perf/settings", {"praise_count": [10, 5, 50]},
                            token=self.mgr)
        self.assertError((st, b, None), 422, field="praise_count")
        st, b, _ = srv.call("GET", "/api/perf/months/2026-13", token=self.mgr)
        self.assertError((st, b, None), 400, field="month")
        self.assertEqual(srv.count("SELECT COUNT(*) FROM perf_praise"), before)
        # From the agent's own rated contact: recorded with its id.
        own = srv.count(f"SELECT id FROM contact WHERE agent_id = {self.ids['8103']} LIMIT 1")
        b = self.praise("8103", origin="contact", ref_id=own)
        self.assertEqual((b["origin"], b["ref_id"]), ("contact", own))

    def test_4_change_and_recompute(self):
        srv = self.srv
        row = next(r for r in self.get_month(self.mgr)["items"]
                   if r["person_id"] == self.ids["8101"])
        old = row["praise_reward"]
        self.assertEqual(old["amount_fen"], 1000)
        st, b, _ = srv.call("PUT", f"/api/perf/rewards/{old['id']}",
                            {"amount_fen": 1500, "reason": "表扬信另加"}, token=self.mgr)
        self.assertEqual(st, 200, b)
        self.assertEqual((b["amount_fen"], b["computed_fen"]), (1500, 1000))
        # The old one is replaced: changing it again is refused and writes nothing.
        n = srv.count("SELECT COUNT(*) FROM perf_reward")
        st, e, _ = srv.call("PUT", f"/api/perf/rewards/{old['id']}",
                            {"amount_fen": 1, "reason": "x"}, token=self.mgr)
        self.assertError((st, e, None), 409)
        self.assertEqual(srv.count("SELECT COUNT(*) FROM perf_reward"), n)
        lines = [l for l in self.ledger(self.mgr, f"&person_id={self.ids['8101']}")["items"]
                 if l["rule"] == "praise"]
        self.assertEqual(sorted((l["amount_fen"], bool(l["voided_at"])) for l in lines),
                         [(1000, True), (1500, False)])
        row = next(r for r in self.get_month(self.mgr)["items"]
                   if r["person_id"] == self.ids["8101"])
        self.assertTrue(row["edited"])
        # One more praise brings 8102 to 10 (a criticism is no praise: it does not count
        # against the tier); withdrawing the criticism changes the total; recomputing
        # rewrites everything.
        self.praise("8102")
        crit = [p for p in srv.call("GET", f"/api/perf/praise?month={self.month}&person_id="
                                    f"{self.ids['8102']}", token=self.sup)[1]["items"]
                if p["kind"] == "criticism"][0]
        st, b, _ = srv.call("DELETE", f"/api/perf/praise/{crit['id']}", token=self.sup)
        self.assertEqual(st, 200, b)
        st, b, _ = srv.call("DELETE", f"/api/perf/praise/{crit['id']}", token=self.sup)
        self.assertError((st, b, None), 409)
        st, m, _ = srv.call("POST", f"/api/perf/months/{self.month}/compute", {}, token=self.mgr)
        self.assertEqual(st, 200, m)
        want = self.check_against_raw(m)
        self.assertEqual(want[self.ids["8102"]]["praise_fen"], 1000)
        # Every earlier eval line is voided; the counting ones are the new computation's.
        lines = self.ledger(self.mgr)["items"]
        counting = [l for l in lines if not l["voided_at"] and l["source"] == "eval"]
        ids = {r["praise_reward"]["id"] for r in m["items"] if r["praise_reward"]} | \
              {r["rank_reward"]["id"] for r in m["items"] if r["rank_reward"]}
        self.assertEqual({l["source_id"] for l in counting}, ids)
        self.assertEqual(len(counting), len(ids))
        self.assertFalse(any(r["edited"] for r in m["items"]))

    def test_5_export_then_close(self):
        srv = self.srv
        st, h, body = srv.raw("GET", f"/api/perf/months/{self.month}/export", None,
                              {"Authorization": "Bearer " + self.hr})
        self.assertEqual(st, 200)
        self.assertIn("payout-", h["content-disposition"])
        z = zipfile.ZipFile(io.BytesIO(body))
        shared = z.read("xl/sharedStrings.xml").decode()
        self.assertIn("奖惩发放表", shared)
        self.assertIn("刘洋", shared)
        self.assertTrue(srv.audit(self.mgr, action="perf.export"))
        # Close: everything about the month is then refused, and nothing is written.
        st, b, _ = srv.call("POST", f"/api/perf/months/{self.month}/close", {}, token=self.mgr)
        self.assertEqual(st, 200, b)
        self.assertEqual(b["state"], "closed")
        counts = lambda: [srv.count(f"SELECT COUNT(*) FROM {t}") for t in
                          ("perf_praise", "perf_reward", "perf_ledger", "perf_eval")] + \
            [srv.count("SELECT COUNT(*) FROM perf_ledger WHERE voided_at IS NOT NULL")]
        before = counts()
        reward = next(r["rank_reward"] for r in self.get_month(self.mgr)["items"]
                      if r["rank_reward"])
        praise = srv.call("GET", f"/api/perf/praise?month={self.month}", token=self.sup)[1]["items"][0]
        for method, path, body in [
                ("POST", f"/api/perf/months/{self.month}/compute", {}),
                ("POST", f"/api/perf/months/{self.month}/close", {}),
                ("PUT", f"/api/perf/rewards/{reward['id']}", {"amount_fen": 0, "reason": "x"}),
                ("DELETE", f"/api/perf/praise/{praise['id']}", None),
                ("POST", "/api/perf/praise", {"person_id": self.ids["8103"], "kind": "praise",
                                              "origin": "supervisor"})]:
            st, b, _ = srv.call(method, path, body, token=self.mgr)
            self.assertError((st, b, None), 409)
        self.assertEqual(counts(), before)
        self.assertEqual(self.get_month(self.a1)["month"]["state"], "closed")


if __name__ == "__main__":
    unittest.main()
