"""The work-order report over any period (issue 20, RPT-1, WO-2): closed days are read
from the summary the scheduler keeps (report kind "wo", migration 43), today from the
facts, and the answer equals the figures recomputed here from the raw rows — also after
old orders were changed once their days had closed (reassigned to another department,
reopened after archiving, cancelled with clocks still running, finished and archived, a
deadline breached).
"""
import datetime
import io
import unittest
import xml.etree.ElementTree as ET
import zipfile

from apihelp import MINUTE, db_rows, db_value, dept_id, person_id
from harness import KefuTestCase
from test_reports import Center, advance_to_local, center_zone, local_date

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
METRICS = ["callback", "onsite", "report", "resolve", "reply"]
FIGURES = ["started", "met_on_time", "met_late", "breached", "running"]


def day_bounds(day, tz):
    start = datetime.datetime(day.year, day.month, day.day, tzinfo=tz)
    nxt = day + datetime.timedelta(days=1)
    end = datetime.datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz)
    return int(start.timestamp() * 1000), int(end.timestamp() * 1000)


def raw_day(srv, start, end):
    """Every department's figures of one day, counted from the raw rows (WO-2)."""
    out = {}

    def fig(dept):
        return out.setdefault(dept or 0, {
            "opened": 0, "archived": 0, "cancelled": 0, "escalated": 0,
            "sla": {m: {f: 0 for f in FIGURES} for m in METRICS}})

    for r in db_rows(srv, f"SELECT department_id d FROM work_order"
                          f" WHERE created_at >= {start} AND created_at < {end}"):
        fig(r["d"])["opened"] += 1
    for r in db_rows(srv, f"SELECT department_id d FROM work_order"
                          f" WHERE archived_at >= {start} AND archived_at < {end}"):
        fig(r["d"])["archived"] += 1
    for action, key in (("order.cancel", "cancelled"), ("order.escalated", "escalated")):
        for r in db_rows(srv, f"SELECT DISTINCT o.id, o.department_id d FROM audit a"
                              f" JOIN work_order o ON o.id = CAST(a.entity_id AS INTEGER)"
                              f" WHERE a.entity = 'work_order' AND a.action = '{action}'"
                              f" AND a.at >= {start} AND a.at < {end}"):
            fig(r["d"])[key] += 1
    for r in db_rows(srv, f"SELECT o.department_id d, e.metric m, e.kind k, c.breached b,"
                          f" c.state s FROM wo_sla_event e JOIN wo_sla c ON c.id = e.sla_id"
                          f" JOIN work_order o ON o.id = e.order_id"
                          f" WHERE e.at >= {start} AND e.at < {end}"):
        s = fig(r["d"])["sla"][r["m"]]
        if r["k"] == "started":
            s["started"] += 1
            s["running"] += r["s"] in ("running", "paused")
        elif r["k"] == "met":
            s["met_late" if r["b"] else "met_on_time"] += 1
        elif r["k"] == "breached":
            s["breached"] += 1
    return out


def add(a, b):
    for k in ("opened", "archived", "cancelled", "escalated"):
        a[k] += b[k]
    for m in METRICS:
        for f in FIGURES:
            a["sla"][m][f] += b["sla"][m][f]


def zero():
    return {"opened": 0, "archived": 0, "cancelled": 0, "escalated": 0,
            "sla": {m: {f: 0 for f in FIGURES} for m in METRICS}}


def is_zero(f):
    return f == zero()


def report_figures(block):
    return {"opened": block["opened"], "archived": block["archived"],
            "cancelled": block["cancelled"], "escalated": block["escalated"],
            "sla": {m: {f: block["sla"][m][f] for f in FIGURES} for m in METRICS}}


class PeriodReportTest(KefuTestCase):
    """Three days of the center; the first two closed and summarised, then changed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.tz, _ = center_zone(srv)
        c = cls.c = Center(srv)
        cls.city = dept_id(srv, "城市客服部")
        cls.market = dept_id(srv, "市场运营部")
        t1 = advance_to_local(srv, cls.tz, 1, 9, 0)
        cls.d1 = local_date(t1, cls.tz)
        cls.d2 = cls.d1 + datetime.timedelta(days=1)
        cls.d3 = cls.d2 + datetime.timedelta(days=1)
        # Day 1: A breaches its callback clock and is escalated; B is called back in time;
        # F is archived at once; X (a prospective merchant) stays open.
        cls.a = c.order()
        cls.b = c.order()
        cls.f = c.order("F", None, "骚扰电话")
        cls.x = c.order("B", None, "想加盟洗车联盟")
        c.act(cls.b, "accept", "2001")
        srv.advance(4 * MINUTE)
        c.act(cls.b, "call", "2001")
        srv.advance(8 * MINUTE)
        # Day 2: C is called back late; G archived at once; D opens at 23:55 and its
        # callback clock breaches after midnight.
        advance_to_local(srv, cls.tz, 1, 9, 0)
        c.tokens.clear()  # sessions end overnight
        cls.cc = c.order()
        cls.g = c.order("F", None, "骚扰电话")
        srv.advance(12 * MINUTE)
        c.act(cls.cc, "accept", "2001")
        c.act(cls.cc, "call", "2001")
        advance_to_local(srv, cls.tz, 0, 23, 55)
        c.tokens.clear()
        cls.d = c.order()
        # Day 3, 09:00: days 1 and 2 are closed; a round of the scheduler summarises them.
        advance_to_local(srv, cls.tz, 1, 9, 0)
        c.tokens.clear()
        srv.advance(0)
        cls.through_before = db_value(srv, "SELECT through_ymd FROM report_built"
                                           " WHERE kind = 'wo'")
        cls.before = cls.report(cls, cls.d1, cls.d1)
        # Then old orders change: A goes to 市场运营部 (4001), F is reopened, X and C are
        # cancelled with their clocks running; D breached at 00:05 already (RPT-1).
        c.act(cls.a, "assign", "8001", {"person_id": person_id(srv, "4001"), "reason": "属市场运营部"})
        c.act(cls.f, "reopen", "8001", {"reason": "客户再次来电"})
        c.act(cls.x, "cancel", "8001", {"reason": "重复来电"})
        c.act(cls.cc, "cancel", "8001", {"reason": "客户撤回"})
        # B of day 1 is finished and archived today: its clocks of day 1 stop running.
        c.act(cls.b, "onsite", "2001")
        c.act(cls.b, "report", "2001", {"solution": "已上门核实并赔付"})
        c.act(cls.b, "callback", "8101", {"outcome": "accepted"})
        srv.advance(0)

    def report(self, frm, to, **params):
        q = {"from": frm.isoformat(), "to": to.isoformat(), **params}
        st, body, _ = self.srv.call("GET", "/api/reports/daily?" +
                                    "&".join(f"{k}={v}" for k, v in q.items()), token=self.c.token("8001"))
        assert st == 200, body
        return body

    def by_dept(self, bucket):
        return {d["department_id"] or 0: report_figures(d) for d in bucket["departments"]
                if not is_zero(report_figures(d))}

    def raw(self, first, last):
        total = {}
        day = first
        while day <= last:
            for dept, f in raw_day(self.srv, *day_bounds(day, self.tz)).items():
                add(total.setdefault(dept, zero()), f)
            day += datetime.timedelta(days=1)
        return {k: v for k, v in total.items() if not is_zero(v)}

    def test_summary_covers_the_closed_days(self):
        """The scheduler's round summarised days 1 and 2 (through = yesterday)."""
        ymd = lambda d: int(d.strftime("%Y%m%d"))
        self.assertEqual(self.through_before, ymd(self.d2))
        self.assertGreater(self.srv.count(f"SELECT COUNT(*) FROM report_wo_cell"
                                          f" WHERE ymd = {ymd(self.d1)}"), 0)
        self.assertEqual(self.srv.count("SELECT COUNT(*) FROM report_dirty"), 0)

    def test_every_day_equals_the_raw_rows_after_changes(self):
        """RPT-1: each day of the period, summarised or not, equals the raw rows' counts."""
        body = self.report(self.d1, self.d3)
        self.assertEqual(body["group"], "day")
        self.assertEqual([d["date"] for d in body["days"]],
                         [self.d1.isoformat(), self.d2.isoformat(), self.d3.isoformat()])
        for bucket in body["days"]:
            day = datetime.date.fromisoformat(bucket["date"])
            with self.subTest(day=bucket["date"]):
                self.assertEqual(self.by_dept(bucket), self.raw(day, day))

    def test_changes_moved_the_closed_days(self):
        """A reassigned order moves its day's figures; a reopened one is no longer archived."""
        before = self.by_dept(self.before["days"][0])
        after = self.by_dept(self.report(self.d1, self.d1)["days"][0])
        self.assertEqual(before[self.city]["opened"] - 1, after[self.city]["opened"])
        self.assertEqual(after[self.market]["opened"], before.get(self.market, zero())["opened"] + 1)
        self.assertEqual(after[self.market]["escalated"], 1)
        total = self.report(self.d1, self.d1, group="all")["days"][0]["total"]
        self.assertEqual(total["archived"], 0)  # F was reopened
        self.assertEqual(self.before["days"][0]["total"]["archived"], 1)

    def test_groups_equal_the_sum_of_their_days(self):
        """A period grouped by week, month, year or all: each bucket sums its days' raw rows."""
        first = self.d1 - datetime.timedelta(days=400)
        for group in ("week", "month", "quarter", "half", "year", "all"):
            body = self.report(first, self.d3, group=group)
            self.assertEqual(body["group"], group)
            with self.subTest(group=group):
                self.assertEqual(body["days"][0]["date"], first.isoformat())
                self.assertEqual(body["days"][-1]["last"], self.d3.isoformat())
                for bucket in body["days"]:
                    got = self.by_dept(bucket)
                    want = self.raw(max(first, datetime.date.fromisoformat(bucket["date"]),
                                        self.d1 - datetime.timedelta(days=1)),
                                    datetime.date.fromisoformat(bucket["last"]))
                    self.assertEqual(got, want, bucket["date"])

    def test_rates(self):
        """WO-2: on-time rate per metric and completion over the period, from the counts."""
        t = self.report(self.d1, self.d3, group="all")["days"][0]["total"]
        for m in METRICS:
            s = t["sla"][m]
            met = s["met_on_time"] + s["met_late"]
            self.assertEqual(t["on_time_rate"][m], round(s["met_on_time"] / met, 3) if met
                             else None, m)
        self.assertGreater(t["sla"]["callback"]["met_late"], 0)
        self.assertIsNone(t["on_time_rate"]["reply"])
        rs = t["sla"]["resolve"]
        self.assertEqual(t["completion_rate"],
                         round((rs["started"] - rs["running"]) / rs["started"], 3))

    def test_period_limits(self):
        """Up to REPORT_PERIOD_DAYS_MAX (1100) days; an unknown group is refused."""
        frm = self.d3 - datetime.timedelta(days=1099)
        self.assertEqual(len(self.report(frm, self.d3, group="year")["days"]), 4)
        self.assertError(self.srv.call("GET", f"/api/reports/daily?from={self.d1}&to={self.d3}"
                                       f"&group=decade", token=self.c.token("8001")), 400, "bad_request",
                         "group")

    def test_wo_stats_xlsx(self):
        """LED-2: 工单统计表 as .xlsx equals the period's figures, per department and metric."""
        srv, tok = self.srv, self.c.token("8001")
        q = f"from={self.d1}&to={self.d3}"
        status, headers, data = srv.raw("GET", f"/api/reports/wo_stats.xlsx?{q}",
                                        headers={"Authorization": "Bearer " + tok})
        self.assertEqual(status, 200)
        self.assertIn("spreadsheetml", headers["content-type"])
        self.assertIn("wo_stats_", headers["content-disposition"])
        z = zipfile.ZipFile(io.BytesIO(data))
        strings = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t"))
                   for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS)]
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
        cells = {}
        for c in sheet.iter(f"{{{NS['m']}}}c"):
            v = c.find("m:v", NS)
            if v is not None:
                cells[c.get("r")] = strings[int(v.text)] if c.get("t") == "s" else float(v.text)
        self.assertEqual(cells["A1"], "工单统计表")
        self.assertEqual(cells["A3"], "部门")
        self.assertEqual(cells["H3"], "联系客户")
        self.assertEqual([cells[f"{c}4"] for c in "HIJKLM"],
                         ["开始", "按时完成", "超时完成", "超时", "未完成", "按时率"])
        # Frozen under the header rows and beside the department; widths; percentages.
        pane = sheet.find("m:sheetViews/m:sheetView/m:pane", NS)
        self.assertEqual((pane.get("xSplit"), pane.get("ySplit"), pane.get("state")),
                         ("1", "4", "frozen"))
        self.assertIsNotNone(sheet.find("m:cols/m:col[@width]", NS))
        self.assertIn('formatCode="0.0%"', z.read("xl/styles.xml").decode())
        body = self.report(self.d1, self.d3, group="all")["days"][0]
        names = {d["department_id"]: d["department"] or "未分派" for d in body["departments"]}
        rows = [d for d in body["departments"] if d["opened"] or d["archived"] or d["cancelled"]
                or d["escalated"] or any(any(v.values()) for v in d["sla"].values())]
        for i, d in enumerate(rows + [dict(body["total"], department_id="total")]):
            n = 5 + i
            with self.subTest(row=n):
                name = "合计" if d["department_id"] == "total" else names[d["department_id"]]
                self.assertEqual(cells[f"A{n}"], name)
                self.assertEqual([cells[f"{c}{n}"] for c in "BCDE"],
                                 [d["opened"], d["archived"], d["cancelled"], d["escalated"]])
                self.assertEqual([cells[f"{c}{n}"] for c in "HIJKL"],
                                 [d["sla"]["callback"][f] for f in FIGURES])
                self.assertEqual([cells[f"{c}{n}"] for c in ("Z", "AA", "AB", "AC", "AD")],
                                 [d["sla"]["resolve"][f] for f in FIGURES])
                if d["completion_rate"] is not None:
                    self.assertAlmostEqual(cells[f"F{n}"], d["completion_rate"], delta=0.0006)
        audit = srv.audit(tok, action="form.export", limit=50)
        self.assertEqual(audit[0]["detail"]["form"], "wo_stats")
        # Exporting is the manager's (SEC-2): a supervisor reads the report, not the file.
        self.assertError(srv.call("GET", f"/api/reports/wo_stats.xlsx?{q}",
                                  token=self.c.token("1001")), 403, "forbidden")


if __name__ == "__main__":
    unittest.main()
