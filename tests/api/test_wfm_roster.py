"""The duty roster (issue 14; WFM-2, WFM-3, ORG-4) over HTTP: the month grid
with its need, coverage and broken rules, edits, the proposal, publication
and its immutable versions, the manager's changes after it, the publication
deadline's reminders and alert (test clock), and the refusal of working
outside one's shift without the manager's approval. Coverage is recomputed
here from the grid's rows and the shift types; nothing is written on a
refused request; every change has its audit entry."""
import datetime
import sqlite3
import unittest
from zoneinfo import ZoneInfo

from harness import KefuTestCase

TZ = ZoneInfo("Asia/Shanghai")
DAY = 86400000


def local_now(srv):
    """The server's now (ms) and its local datetime, from a zero advance of the test clock."""
    now = srv.advance(0)
    return now, datetime.datetime.fromtimestamp(now / 1000, TZ)


def month_after(d, k=1):
    y, m = d.year, d.month + k
    while m > 12:
        y, m = y + 1, m - 12
    return datetime.date(y, m, 1)


def ms_of(dt):
    return int(dt.timestamp() * 1000)


def covers(t, minute):
    """Whether shift type t covers local minute m of the day it starts (or, crossing, the next)."""
    on_day, next_day = False, False
    for s in t["segments"]:
        a, b = s["start"], s["end"]
        if b > a:
            on_day |= a <= minute < b
        else:  # crosses midnight
            on_day |= minute >= a
            next_day |= minute < b
    return on_day, next_day


def recompute_coverage(grid):
    """Agents on duty per day and half hour, from the grid's rows: a shift counts in a
    half hour when it covers the half hour's first minute; 行政班 counts nowhere."""
    types = {t["id"]: t for t in grid["shift_types"]}
    n = len(grid["days"])
    cov = [[0] * 48 for _ in range(n)]
    for a in grid["agents"]:
        for d, cell in enumerate(a["days"]):
            t = types.get(cell["shift_type_id"])
            if not t or t["office"]:
                continue
            for i in range(48):
                today, spill = covers(t, i * 30)
                if today:
                    cov[d][i] += 1
                if spill and d + 1 < n:
                    cov[d + 1][i] += 1
    return cov


class RosterTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.t = {w: srv.login(w) for w in ("8001", "8002", "8101", "8102", "2001")}
        _, today = local_now(srv)
        cls.month = month_after(today.date(), 2)  # a month nobody publishes by accident
        cls.m = f"{cls.month.year:04d}-{cls.month.month:02d}"
        st, grid, _ = srv.call("GET", f"/api/wfm/roster/{cls.m}", token=cls.t["8002"])
        assert st == 200, grid
        cls.ids = {a["work_no"]: a["id"] for a in grid["agents"]}
        cls.types = {t["code"]: t["id"] for t in grid["shift_types"]}

    def call(self, method, path, body=None, who="8002", **kw):
        return self.srv.call(method, path, body, token=self.t[who], **kw)

    def grid(self, month=None, who="8002"):
        st, body, _ = self.call("GET", f"/api/wfm/roster/{month or self.m}", who=who)
        self.assertEqual(st, 200, body)
        return body

    def day(self, k, month=None):
        d = (month or self.month) + datetime.timedelta(days=k - 1)
        return d.isoformat()

    def put(self, cells, month=None, who="8002", reason=None, base=None):
        month = month or self.m
        if base is None:
            base = self.grid(month)["updated_at"]
        body = {"updated_at": base, "cells": cells}
        if reason is not None:
            body["reason"] = reason
        return self.call("PUT", f"/api/wfm/roster/{month}/cells", body, who=who)

    def cell(self, work_no, k, code, skill=None, month=None):
        c = {"person_id": self.ids[work_no], "date": self.day(k, month),
             "shift_type_id": self.types[code] if code else None}
        if skill:
            c["skill"] = skill
        return c

    def entries(self, month):
        return self.srv.count(
            f"SELECT count(*) FROM wfm_roster_entry WHERE day LIKE '{month}-%'")

    # ---- who may ----

    def test_agents_and_staff_are_refused(self):
        for who in ("8101", "2001"):
            self.assertError(self.call("GET", f"/api/wfm/roster/{self.m}", who=who), 403)
            self.assertError(self.put([self.cell("8101", 1, "early")], who=who,
                                      base=0), 403)
            self.assertError(self.call("POST", f"/api/wfm/roster/{self.m}/publish",
                                       {"updated_at": 0}, who=who), 403)
            self.assertError(self.call("POST", f"/api/wfm/roster/{self.m}/propose",
                                       {"updated_at": 0}, who=who), 403)
            self.assertError(self.call("GET", f"/api/wfm/roster/{self.m}/versions",
                                       who=who), 403)
        self.assertError(self.call("GET", "/api/wfm/roster/2027-13"), 404)
        denied = self.srv.audit(self.t["8001"], action="access.denied")
        self.assertTrue(any(a["detail"]["permission"] == "wfm.plan" for a in denied))

    # ---- the grid ----

    def test_grid_lists_the_rostered_people_and_the_month(self):
        g = self.grid()
        want = self.srv.count(
            "SELECT count(*) FROM person WHERE active = 1 AND (roles & 14) != 0")
        self.assertEqual(len(g["agents"]), want)
        by = {a["work_no"]: a for a in g["agents"]}
        self.assertTrue(by["8001"]["office"])  # the manager works 行政班
        self.assertTrue(by["8002"]["office"])
        self.assertFalse(by["8101"]["office"])
        self.assertEqual(by["8102"]["skills"], ["callback_outbound", "tech_service"])
        self.assertTrue(by["8101"]["certified"])
        self.assertNotIn("2001", by)
        ndays = (month_after(self.month) - self.month).days
        self.assertEqual(len(g["days"]), ndays)
        for a in g["agents"]:
            self.assertEqual([d["date"] for d in a["days"]],
                             [self.day(k) for k in range(1, ndays + 1)])
        for d in g["days"]:
            self.assertEqual((len(d["need"]), len(d["coverage"])), (48, 48))
            self.assertEqual(sorted(d["seats"]), sorted(
                ["tech_service", "market_consult", "callback_outbound", "supervising"]))
        self.assertEqual((g["state"], g["version"]), ("draft", 0))
        self.assertEqual((g["sl_target_pct"], g["shrinkage_pct"]), (80, 30))

    def test_edit_shows_each_broken_rule_and_coverage(self):
        m = month_after(self.month, 1)
        mm = f"{m.year:04d}-{m.month:02d}"
        # 8104: a night the 3rd after a middle shift the 2nd ends at 24:00: no rest between.
        st, g, _ = self.put([self.cell("8104", 2, "middle", month=m),
                             self.cell("8104", 3, "night", month=m),
                             self.cell("8105", 2, "early", "callback_outbound", month=m)],
                            month=mm)
        self.assertEqual(st, 200, g)
        rb = [v for v in g["violations"] if v["rule"] == "rest_between"]
        self.assertEqual(len(rb), 1, g["violations"])
        self.assertEqual((rb[0]["person_id"], rb[0]["date"], rb[0]["severity"]),
                         (self.ids["8104"], self.day(3, m), "hard"))
        self.assertIn("赵磊", rb[0]["message"])
        self.assertEqual(g["hard"], sum(v["severity"] == "hard" for v in g["violations"]))
        # The changes are reported and stored, pinned (set by hand).
        self.assertEqual(len(g["changed"]), 3)
        self.assertEqual(self.srv.count(
            f"SELECT count(*) FROM wfm_roster_entry WHERE day LIKE '{mm}-%' AND pinned = 1"), 3)
        by = {a["work_no"]: a for a in g["agents"]}
        self.assertEqual(by["8105"]["days"][1]["skill"], "callback_outbound")
        self.assertEqual(by["8104"]["days"][2]["shift_code"], "night")
        # Coverage recomputed from the rows.
        cov = recompute_coverage(g)
        self.assertEqual([d["coverage"] for d in g["days"]], cov)
        self.assertEqual(cov[1][16], 1)  # 08:00 the 2nd: 8105's early shift
        self.assertEqual(cov[1][32], 1)  # 16:00: 8104's middle
        self.assertEqual(cov[2][0], 1)   # 00:00 the 3rd: 8104's night
        seat = g["days"][1]["seats"]["callback_outbound"]["coverage"]
        self.assertEqual(seat[16], 1)
        # Making it right removes the violation at once; a rest is null.
        st, g, _ = self.put([self.cell("8104", 3, None, month=m)], month=mm)
        self.assertEqual(st, 200, g)
        self.assertFalse([v for v in g["violations"] if v["rule"] == "rest_between"])
        self.assertEqual(self.srv.count(
            f"SELECT count(*) FROM wfm_roster_entry WHERE day = '{self.day(3, m)}'"), 0)
        edits = self.srv.audit(self.t["8001"], action="wfm.roster.edit")
        self.assertTrue(any(a["detail"]["month"] == mm and len(a["detail"]["changes"]) == 3
                            for a in edits))

    def test_leave_and_certification_are_hard_rules(self):
        m = month_after(self.month, 1)
        mm = f"{m.year:04d}-{m.month:02d}"
        db = sqlite3.connect(self.srv.db, timeout=10)
        db.execute("INSERT INTO wfm_leave(person_id, kind, first_day, last_day, state,"
                   " requested_at, updated_at) VALUES (?, 'annual', ?, ?, 'approved', 0, 0)",
                   (self.ids["8106"], self.day(10, m), self.day(11, m)))
        db.execute("UPDATE person SET certified = 0 WHERE work_no = '8103'")
        db.commit()
        db.close()
        try:
            st, g, _ = self.put([self.cell("8106", 10, "early", month=m),
                                 self.cell("8103", 12, "early", month=m)], month=mm)
            self.assertEqual(st, 200, g)
            by = {a["work_no"]: a for a in g["agents"]}
            self.assertEqual([d["leave"] for d in by["8106"]["days"][8:12]],
                             [None, "annual", "annual", None])
            self.assertFalse(by["8103"]["certified"])
            rules = {(v["rule"], v["person_id"], v["date"]) for v in g["violations"]
                     if v["severity"] == "hard"}
            self.assertIn(("leave", self.ids["8106"], self.day(10, m)), rules)
            self.assertIn(("certified", self.ids["8103"], self.day(12, m)), rules)
        finally:
            db = sqlite3.connect(self.srv.db, timeout=10)
            db.execute("UPDATE person SET certified = 1 WHERE work_no = '8103'")
            db.commit()
            db.close()
            self.put([self.cell("8106", 10, None, month=m), self.cell("8103", 12, None, month=m)],
                     month=mm)

    def test_bad_edits_write_nothing(self):
        m = month_after(self.month, 1)
        mm = f"{m.year:04d}-{m.month:02d}"
        before = self.entries(mm)
        g = self.grid(mm)
        cases = [
            ({"person_id": self.ids["8101"], "date": "2020-01-01",
              "shift_type_id": self.types["early"]}, 422),
            ({"person_id": 999999, "date": self.day(1, m),
              "shift_type_id": self.types["early"]}, 422),
            ({"person_id": self.ids["8101"], "date": self.day(1, m), "shift_type_id": 999}, 422),
            (self.cell("8101", 1, "early", "market_consult", month=m), 422),  # not their seat
            ({"person_id": self.ids["8101"], "date": self.day(1, m)}, 400),
            ({"person_id": "x", "date": self.day(1, m), "shift_type_id": None}, 400),
        ]
        for c, status in cases:
            self.assertError(self.put([c], month=mm, base=g["updated_at"]), status)
        self.assertError(self.put([self.cell("8101", 1, "early", month=m)] * 2, month=mm,
                                  base=g["updated_at"]), 422)
        self.assertError(self.put([], month=mm, base=g["updated_at"]), 422)
        self.assertError(self.call("PUT", f"/api/wfm/roster/{mm}/cells",
                                   {"cells": [self.cell("8101", 1, "early", month=m)]}), 400)
        self.assertEqual(self.entries(mm), before)

    def test_stale_edit_is_409(self):
        m = month_after(self.month, 1)
        mm = f"{m.year:04d}-{m.month:02d}"
        old = self.grid(mm)["updated_at"]
        st, g, _ = self.put([self.cell("8102", 20, "early", month=m)], month=mm, base=old)
        self.assertEqual(st, 200, g)
        self.assertGreater(g["updated_at"], old)
        before = self.entries(mm)
        r = self.put([self.cell("8102", 21, "early", month=m)], month=mm, base=old)
        self.assertError(r, 409, field="updated_at")
        self.assertEqual(self.entries(mm), before)
        self.assertError(self.call("POST", f"/api/wfm/roster/{mm}/publish",
                                   {"updated_at": old}), 409)
        self.put([self.cell("8102", 20, None, month=m)], month=mm)

    # ---- publication, versions, the manager's changes ----

    def test_publish_hard_soft_versions_and_manager_changes(self):
        m = self.m
        # A night shift the 2nd after a middle the 1st (no rest between), and a
        # block of one day (soft: the minimum continuous period) for 8102.
        st, g, _ = self.put([self.cell("8101", 1, "middle"), self.cell("8101", 2, "night"),
                             self.cell("8102", 1, "early"), self.cell("8102", 2, "early"),
                             self.cell("8102", 3, "middle"), self.cell("8102", 4, "middle")])
        self.assertEqual(st, 200, g)
        hard = [v for v in g["violations"] if v["severity"] == "hard"]
        self.assertTrue(hard)
        st, body, _ = self.call("POST", f"/api/wfm/roster/{m}/publish",
                                {"updated_at": g["updated_at"], "reason": "急需"})
        self.assertEqual(st, 422, body)
        errs = body["error"]["errors"]
        self.assertEqual(errs[0]["field"], "violations")
        listed = [e["message"] for e in errs[1:]]
        self.assertEqual(listed, [v["message"] for v in hard][:len(listed)])
        self.assertEqual(len(listed), min(len(hard), 7))
        # Chinese by default.
        st, zh, _ = self.srv.call("POST", f"/api/wfm/roster/{m}/publish",
                                  {"updated_at": g["updated_at"]}, token=self.t["8002"],
                                  headers={"Accept-Language": None})
        self.assertEqual(st, 422)
        self.assertIn("硬性规则", zh["error"]["message"])
        self.assertIn("刘洋", zh["error"]["errors"][1]["message"])
        self.assertEqual(self.grid()["state"], "draft")
        self.assertEqual(self.srv.count("SELECT count(*) FROM wfm_roster_version"), 0)
        # Fixed: only soft ones are left, and they need a reason.
        st, g, _ = self.put([self.cell("8101", 2, None)])
        self.assertEqual(st, 200, g)
        self.assertEqual(g["hard"], 0, g["violations"])
        soft = [v for v in g["violations"] if v["severity"] == "soft"]
        self.assertTrue(soft, "a block of two days is shorter than the minimum period")
        st, body, _ = self.call("POST", f"/api/wfm/roster/{m}/publish",
                                {"updated_at": g["updated_at"]})
        self.assertEqual(st, 422, body)
        self.assertIn("reason", body["error"]["message"])
        # Each soft rule listed; past seven lines the last one counts the rest.
        listed = [e["message"] for e in body["error"]["errors"][1:]]
        if len(soft) <= 7:
            self.assertEqual(listed, [v["message"] for v in soft])
        else:
            self.assertEqual(listed[:-1], [v["message"] for v in soft][:6])
            self.assertIn(str(len(soft) - 6), listed[-1])
        st, p, _ = self.call("POST", f"/api/wfm/roster/{m}/publish",
                             {"updated_at": g["updated_at"], "reason": "试运行月，人员不足"})
        self.assertEqual(st, 200, p)
        self.assertEqual((p["state"], p["version"]), ("published", 1))
        self.assertError(self.call("POST", f"/api/wfm/roster/{m}/publish",
                                   {"updated_at": p["updated_at"], "reason": "x"}), 409)
        self.assertError(self.call("POST", f"/api/wfm/roster/{m}/propose",
                                   {"updated_at": p["updated_at"]}), 409)
        # Filed: version 1 holds exactly the grid's cells.
        st, vs, _ = self.call("GET", f"/api/wfm/roster/{m}/versions")
        self.assertEqual(st, 200, vs)
        self.assertEqual([(v["version"], v["cells"], v["reason"]) for v in vs["items"]],
                         [(1, 5, "试运行月，人员不足")])
        st, v1, _ = self.call("GET", f"/api/wfm/roster/{m}/versions/1")
        self.assertEqual(st, 200, v1)
        grid_cells = sorted((d["date"], a["id"], d["shift_type_id"])
                            for a in p["agents"] for d in a["days"] if d["shift_type_id"])
        self.assertEqual(sorted((e["date"], e["person_id"], e["shift_type_id"])
                                for e in v1["entries"]), grid_cells)
        self.assertError(self.call("GET", f"/api/wfm/roster/{m}/versions/2"), 404)
        # The rostered people are told.
        for w in ("8101", "8102"):
            n = self.srv.count(
                "SELECT count(*) FROM notification WHERE kind = 'roster.published'"
                f" AND person_id = {self.ids[w]}")
            self.assertEqual(n, 1, w)
        pub = self.srv.audit(self.t["8001"], action="wfm.roster.publish")
        self.assertEqual([(a["detail"]["version"], a["detail"]["reason"]) for a in pub],
                         [(1, "试运行月，人员不足")])
        # WFM-3: after publication the supervisor cannot change it; the manager
        # only with a reason; each change audited; a new version filed.
        before = self.entries(m)
        self.assertError(self.put([self.cell("8101", 5, "early")], who="8002"), 403)
        self.assertError(self.put([self.cell("8101", 5, "early")], who="8001"), 422,
                         field="reason")
        self.assertEqual(self.entries(m), before)
        # Nor may the manager's change break a hard rule: a published roster keeps them.
        st, body, _ = self.put([self.cell("8101", 7, "middle"), self.cell("8101", 8, "night")],
                               who="8001", reason="加班")
        self.assertEqual(st, 422, body)
        self.assertEqual(body["error"]["errors"][0]["field"], "violations")
        self.assertTrue(any("刘洋" in e["message"] for e in body["error"]["errors"][1:]))
        self.assertEqual(self.entries(m), before)
        st, g2, _ = self.put([self.cell("8101", 5, "early"), self.cell("8102", 4, None)],
                             who="8001", reason="8102 调休")
        self.assertEqual(st, 200, g2)
        self.assertEqual((g2["state"], g2["version"]), ("published", 2))
        changes = self.srv.audit(self.t["8001"], action="wfm.roster.change")
        self.assertEqual(len(changes), 2)
        self.assertTrue(all(a["detail"]["reason"] == "8102 调休" for a in changes))
        self.assertEqual({(a["detail"]["change"]["date"], a["detail"]["change"]["after"]["shift"])
                          for a in changes},
                         {(self.day(5), "early"), (self.day(4), None)})
        # The people whose published shifts changed are told.
        for w in ("8101", "8102"):
            self.assertEqual(self.srv.count(
                "SELECT count(*) FROM notification WHERE kind = 'roster.changed'"
                f" AND person_id = {self.ids[w]} AND text LIKE '%8102 调休%'"), 1, w)
        # Versions are immutable: version 1 is as it was.
        st, v1b, _ = self.call("GET", f"/api/wfm/roster/{m}/versions/1")
        self.assertEqual(v1b["entries"], v1["entries"])
        st, v2, _ = self.call("GET", f"/api/wfm/roster/{m}/versions/2")
        self.assertEqual((v2["cells"], v2["reason"]), (5, "8102 调休"))

    def test_propose_fills_the_draft_and_keeps_pinned_cells(self):
        m = month_after(self.month, 3)
        mm = f"{m.year:04d}-{m.month:02d}"
        st, g, _ = self.put([self.cell("8103", 6, "middle", month=m)], month=mm)
        self.assertEqual(st, 200, g)
        st, p1, _ = self.call("POST", f"/api/wfm/roster/{mm}/propose",
                              {"updated_at": g["updated_at"]})
        self.assertEqual(st, 200, p1)
        by = {a["work_no"]: a for a in p1["agents"]}
        self.assertEqual((by["8103"]["days"][5]["shift_code"], by["8103"]["days"][5]["pinned"]),
                         ("middle", True))
        # 行政班 for the manager and supervisor on working days.
        office = self.types["office"]
        self.assertTrue(any(d["shift_type_id"] == office for d in by["8001"]["days"]))
        self.assertEqual([d["coverage"] for d in p1["days"]], recompute_coverage(p1))
        # The same input gives the same roster.
        st, p2, _ = self.call("POST", f"/api/wfm/roster/{mm}/propose",
                              {"updated_at": p1["updated_at"]})
        self.assertEqual(st, 200, p2)
        self.assertEqual([[d["shift_type_id"] for d in a["days"]] for a in p1["agents"]],
                         [[d["shift_type_id"] for d in a["days"]] for a in p2["agents"]])
        self.assertError(self.call("POST", f"/api/wfm/roster/{mm}/propose",
                                   {"updated_at": g["updated_at"]}), 409)
        au = self.srv.audit(self.t["8001"], action="wfm.roster.propose")
        self.assertTrue(any(a["detail"]["month"] == mm for a in au))


class RosterDeadlineTest(KefuTestCase):
    """WFM-2: reminders from publish_remind_days before publish_day, once a day, to the
    supervisors and the manager while next month is unpublished; one alert after."""

    def test_reminders_then_one_alert(self):
        srv = self.srv
        t = srv.login("8002")
        now, today = local_now(srv)
        start = today.date()
        if start.day > 24:  # room for the window in this month: begin with the next one
            start = month_after(start)
        pday = start.day + 4
        st, body, _ = srv.call("PATCH", "/api/wfm/settings",
                               {"publish_day": pday, "publish_remind_days": 2}, token=t)
        self.assertEqual(st, 200, body)
        nxt = month_after(start)
        label = f"{nxt.year:04d}-{nxt.month:02d}"

        def notes(kind):
            return srv.count(f"SELECT count(*) FROM notification WHERE kind = '{kind}'")

        planners = srv.count(
            "SELECT count(*) FROM person WHERE active = 1 AND (roles & 6) != 0")

        def go(day, hour):
            target = datetime.datetime(start.year, start.month, day, hour, tzinfo=TZ)
            cur = srv.advance(0)
            self.assertGreater(ms_of(target), cur)
            srv.advance(ms_of(target) - cur)

        go(pday - 3, 12)  # before the window
        self.assertEqual(notes("roster.reminder"), 0)
        go(pday - 2, 9)   # the window's first day
        self.assertEqual(notes("roster.reminder"), planners)
        go(pday - 2, 18)  # the same day again: nothing more
        self.assertEqual(notes("roster.reminder"), planners)
        go(pday - 1, 9)
        self.assertEqual(notes("roster.reminder"), 2 * planners)
        self.assertEqual(notes("roster.deadline_missed"), 0)
        go(pday, 9)       # the deadline passed unpublished
        self.assertEqual(notes("roster.deadline_missed"), planners)
        self.assertEqual(notes("roster.reminder"), 2 * planners)
        go(pday + 1, 9)   # one alert, not one a day
        self.assertEqual(notes("roster.deadline_missed"), planners)
        text = srv.count("SELECT count(*) FROM notification WHERE kind = 'roster.reminder'"
                         f" AND text LIKE '%{label}%'")
        self.assertEqual(text, 2 * planners)
        au = srv.audit(srv.login("8001"), action="wfm.roster.reminder")
        self.assertEqual({a["detail"]["month"] for a in au}, {label})
        self.assertEqual(len(au), 2)
        self.assertEqual(len(srv.audit(srv.login("8001"), action="wfm.roster.deadline_missed")), 1)


class RosterPublishedSilenceTest(KefuTestCase):
    """A published next month sends no reminder."""

    def test_no_reminder_once_published(self):
        srv = self.srv
        t = srv.login("8002")
        now, today = local_now(srv)
        start = today.date()
        if start.day > 24:
            start = month_after(start)
        nxt = month_after(start)
        label = f"{nxt.year:04d}-{nxt.month:02d}"
        st, g, _ = srv.call("GET", f"/api/wfm/roster/{label}", token=t)
        ids = {a["work_no"]: a["id"] for a in g["agents"]}
        types = {x["code"]: x["id"] for x in g["shift_types"]}
        st, g, _ = srv.call("PUT", f"/api/wfm/roster/{label}/cells",
                            {"updated_at": g["updated_at"],
                             "cells": [{"person_id": ids["8101"], "date": f"{label}-28",
                                        "shift_type_id": types["early"]}]}, token=t)
        self.assertEqual(st, 200, g)
        st, p, _ = srv.call("POST", f"/api/wfm/roster/{label}/publish",
                            {"updated_at": g["updated_at"], "reason": "ok"}, token=t)
        self.assertEqual(st, 200, p)
        srv.call("PATCH", "/api/wfm/settings",
                 {"publish_day": start.day + 3, "publish_remind_days": 2}, token=t)
        target = datetime.datetime(start.year, start.month, start.day + 2, 9, tzinfo=TZ)
        cur = srv.advance(0)
        srv.advance(ms_of(target) - cur)
        self.assertEqual(srv.count(
            "SELECT count(*) FROM notification WHERE kind LIKE 'roster.%'"
            " AND kind != 'roster.published'"), 0)


class OutsideShiftTest(KefuTestCase):
    """WFM-3: with a published roster, an agent may set ready only in their shift (from
    arrive_before_min before its start), else with an approval: asked and granted, or
    given by the supervisor directly."""

    def test_ready_outside_the_shift(self):
        srv = self.srv
        tok = {w: srv.login(w) for w in ("8001", "8002", "8101", "8102", "8103")}

        def ready(who):
            return srv.call("POST", "/api/acd/me/status", {"status": "ready"}, token=tok[who])

        def out(who):
            return srv.call("POST", "/api/acd/me/status", {"status": "logged_out"},
                            token=tok[who])

        # Without a published roster nothing changes.
        st, body, _ = ready("8102")
        self.assertEqual(st, 200, body)
        out("8102")
        now, local = local_now(srv)
        # A shift of two hours starting three hours from now (rounded to the half hour).
        minute = local.hour * 60 + local.minute + 180
        minute -= minute % 30
        start_day = local.date() + datetime.timedelta(days=minute // 1440)
        minute %= 1440
        st, ty, _ = srv.call("POST", "/api/wfm/shift-types",
                             {"code": "probe", "name": "测试班",
                              "segments": [{"start": minute, "end": (minute + 120) % 1440 or 1440}],
                              "paid_min": 120, "break_min": 0}, token=tok["8002"])
        self.assertEqual(st, 201, ty)
        months = sorted({f"{d.year:04d}-{d.month:02d}" for d in (local.date(), start_day)})
        for i, mm in enumerate(months):
            st, g, _ = srv.call("GET", f"/api/wfm/roster/{mm}", token=tok["8002"])
            ids = {a["work_no"]: a["id"] for a in g["agents"]}
            cells = []
            if start_day.strftime("%Y-%m") == mm:
                cells.append({"person_id": ids["8101"], "date": start_day.isoformat(),
                              "shift_type_id": ty["id"]})
            else:
                cells.append({"person_id": ids["8105"], "date": f"{mm}-01",
                              "shift_type_id": ty["id"]})
            st, g, _ = srv.call("PUT", f"/api/wfm/roster/{mm}/cells",
                                {"updated_at": g["updated_at"], "cells": cells},
                                token=tok["8002"])
            self.assertEqual(st, 200, g)
            st, p, _ = srv.call("POST", f"/api/wfm/roster/{mm}/publish",
                                {"updated_at": g["updated_at"], "reason": "测试"},
                                token=tok["8002"])
            self.assertEqual(st, 200, p)
        # Three hours early: refused, with the reason.
        st, body, _ = ready("8101")
        self.assertEqual(st, 409, body)
        self.assertEqual(body["error"]["field"], "outside_work")
        self.assertIn("approval", body["error"]["message"])
        st, zh, _ = srv.call("POST", "/api/acd/me/status", {"status": "ready"},
                             token=tok["8101"], headers={"Accept-Language": None})
        self.assertIn("客服经理批准", zh["error"]["message"])
        self.assertEqual(srv.count(
            f"SELECT count(*) FROM agent_state WHERE status = 'ready'"), 0)
        # The supervisor and manager are reachable round the clock (行政班): not asked.
        st, body, _ = ready("8002")
        self.assertEqual(st, 200, body)
        out("8002")
        # 8102 has no shift: asks; still refused until the supervisor approves.
        st, req, _ = srv.call("POST", "/api/wfm/outside-work",
                              {"reason": "话务高峰，自愿加班"}, token=tok["8102"])
        self.assertEqual(st, 201, req)
        self.assertEqual(req["state"], "requested")
        self.assertEqual(srv.count(
            "SELECT count(*) FROM notification WHERE kind = 'outside_work.requested'"), 2)
        self.assertError(ready("8102"), 409)
        self.assertError(srv.call("POST", f"/api/wfm/outside-work/{req['id']}/approve", {},
                                  token=tok["8101"]), 403)
        st, ok, _ = srv.call("POST", f"/api/wfm/outside-work/{req['id']}/approve",
                             {"note": "同意"}, token=tok["8002"])
        self.assertEqual((st, ok["state"]), (200, "approved"), ok)
        self.assertError(srv.call("POST", f"/api/wfm/outside-work/{req['id']}/reject", {},
                                  token=tok["8001"]), 409)
        st, body, _ = ready("8102")
        self.assertEqual(st, 200, body)
        # The supervisor grants 8103 directly.
        self.assertError(ready("8103"), 409)
        st, g, _ = srv.call("POST", "/api/wfm/outside-work",
                            {"person_id": srv.count("SELECT id FROM person WHERE work_no = '8103'"),
                             "reason": "临时顶岗"}, token=tok["8002"])
        self.assertEqual((st, g["state"]), (201, "approved"), g)
        self.assertEqual(ready("8103")[0], 200)
        # An agent cannot grant for another; sees only their own requests.
        self.assertError(srv.call("POST", "/api/wfm/outside-work",
                                  {"person_id": g["person_id"], "reason": "x"},
                                  token=tok["8101"]), 403)
        self.assertError(srv.call("GET", "/api/wfm/outside-work?state=maybe", token=tok["8001"]), 400)
        self.assertError(srv.call("POST", "/api/wfm/outside-work/999999/approve", {},
                                  token=tok["8001"]), 404)
        self.assertError(srv.call("POST", "/api/wfm/outside-work", {"reason": " "},
                                  token=tok["8102"]), 422, field="reason")
        st, mine, _ = srv.call("GET", "/api/wfm/outside-work", token=tok["8102"])
        self.assertEqual([x["id"] for x in mine["items"]], [req["id"]])
        st, every, _ = srv.call("GET", "/api/wfm/outside-work", token=tok["8001"])
        self.assertEqual(len(every["items"]), 2)
        for action in ("wfm.outside_work.request", "wfm.outside_work.approve",
                       "wfm.outside_work.grant"):
            self.assertEqual(len(srv.audit(tok["8001"], action=action)), 1, action)
        # In the shift's arrival window (10 minutes before its start) 8101 may.
        start_ms = ms_of(datetime.datetime(start_day.year, start_day.month, start_day.day,
                                           minute // 60, minute % 60, tzinfo=TZ))
        cur = srv.advance(0)
        srv.advance(start_ms - 10 * 60000 - cur)
        tok["8101"] = srv.login("8101")  # hours passed: the session expired
        st, body, _ = ready("8101")
        self.assertEqual(st, 200, body)


if __name__ == "__main__":
    unittest.main()
