"""Reports (WO-2, CB-3, RPT-1/2, SEC-2): the daily work-order report per day of the
center and per department, its CSV export, the overdue list and the drill-down to the
orders behind every figure.

Orders are made through the work-order API and the test clock, as the center makes
them: an A1-Ⅲ complaint goes to 城市客服部 (head 2001, superior 1001) with a 10-minute
callback clock; eleven minutes later it has breached and been escalated (WO-4).
"""
import csv
import datetime
import io
import unittest
from zoneinfo import ZoneInfo

from apihelp import HOUR, MINUTE, all_pages, dept_id, person_id
from harness import KefuTestCase

METRICS = ["callback", "onsite", "report", "resolve", "reply"]
# A figure of one metric, and the drill-down outcome that lists what it counted.
SLA_OUTCOMES = {"started": "started", "met_on_time": "met", "met_late": "met_late",
                "breached": "breached", "running": "running"}
ORDER_OUTCOMES = ["opened", "archived", "cancelled", "escalated"]
CALLBACK_OUTCOMES = ["accepted", "not_accepted", "unreachable", "new_need"]
BOM = b"\xef\xbb\xbf"


def center_zone(srv):
    st, body, _ = srv.call("GET", "/healthz")
    assert st == 200, body
    return ZoneInfo(body["timezone"]), body["time"]


def local_date(ms, tz):
    return datetime.datetime.fromtimestamp(ms / 1000, tz).date()


def advance_to_local(srv, tz, days_ahead, hour, minute):
    """Moves the test clock to hour:minute of the center's day `days_ahead` after today."""
    _, now = center_zone(srv)
    today = local_date(now, tz)
    day = today + datetime.timedelta(days=days_ahead)
    target = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    target_ms = int(target.timestamp() * 1000)
    assert target_ms > now, "the test clock only moves forward"
    return srv.advance(target_ms - now)


class Center:
    """Orders of one test, driven through the work-order API."""

    def __init__(self, srv):
        self.srv = srv
        self.tokens = {}

    def token(self, work_no):
        if work_no not in self.tokens:
            self.tokens[work_no] = self.srv.login(work_no)
        return self.tokens[work_no]

    def order(self, cls="A1", level="Ⅲ", summary="洗车过程中车辆划伤"):
        # No customer on record: the number the owner calls back on.
        body = {"class": cls, "summary": summary, "phone": "13800138000"}
        if level:
            body["level"] = level
        st, o, _ = self.srv.call("POST", "/api/orders", body, token=self.token("8101"))
        assert st == 201, (st, o)
        return o

    def act(self, order, action, who, body=None):
        st, o, _ = self.srv.call("POST", f"/api/orders/{order['id']}/{action}", body or {},
                                 token=self.token(who))
        assert st == 200, (action, st, o)
        return o


class DailyReportTest(KefuTestCase):
    """One morning of the center, then every figure and the rows behind it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.tz, _ = center_zone(srv)
        # 09:00 of the center's next day: everything below happens that morning.
        cls.t0 = advance_to_local(srv, cls.tz, 1, 9, 0)
        cls.day = local_date(cls.t0, cls.tz).isoformat()
        c = cls.c = Center(srv)
        cls.mgr = c.token("8001")
        cls.city = dept_id(srv, "城市客服部")
        cls.market = dept_id(srv, "市场运营部")
        cls.center = dept_id(srv, "客服中心")

        # A: nobody calls the customer back; at 09:11 its 10-minute clock has breached.
        cls.a = c.order()
        # B: the owner calls back after 4 minutes, visits, reports; the center calls the
        # customer back: not accepted by 8102, then accepted by 8101 and archived (CB-2).
        cls.b = c.order()
        # X: a prospective merchant (B) for 市场运营部, cancelled by the manager.
        cls.x = c.order("B", None, "想加盟洗车联盟")
        c.act(cls.x, "cancel", "8001", {"reason": "重复来电"})
        c.act(cls.b, "accept", "2001")
        srv.advance(4 * MINUTE)
        cls.b_called = c.act(cls.b, "call", "2001")
        c.act(cls.b, "onsite", "2001")
        c.act(cls.b, "report", "2001", {"solution": "已上门核实并赔付"})
        srv.advance(7 * MINUTE)
        c.act(cls.b, "callback", "8102", {"outcome": "not_accepted"})
        c.act(cls.b, "callback", "8101", {"outcome": "accepted"})
        # Two rated contacts of agent 8101 (CALL-3), and one the customer did not rate.
        for score in (4, 5, None):
            body = {"channel": "phone", "direction": "in", "phone": "13900001111"}
            if score:
                body["satisfaction"] = score
            st, d, _ = srv.call("POST", "/api/contacts", body, token=c.token("8101"))
            assert st == 201, d

    def daily(self, token=None, **params):
        q = "&".join(f"{k}={v}" for k, v in {"from": self.day, "to": self.day, **params}.items())
        st, body, _ = self.srv.call("GET", "/api/reports/daily?" + q, token=token or self.mgr)
        self.assertEqual(st, 200, body)
        return body

    def dept_block(self, report, dept):
        (day,) = report["days"]
        return next((d for d in day["departments"] if d["department_id"] == dept), None)

    def drill(self, outcome, token=None, **params):
        q = "&".join(f"{k}={v}" for k, v in {"day": self.day, "outcome": outcome,
                                            **params}.items())
        items, _ = all_pages(self.srv, "/api/reports/orders?" + q, token or self.mgr, 500)
        return items

    def test_day_is_the_centers(self):
        """A day runs from the center's midnight to the next one (Asia/Shanghai: 16:00 UTC)."""
        r = self.daily()
        self.assertEqual(r["timezone"], "Asia/Shanghai")
        (day,) = r["days"]
        self.assertEqual(day["date"], self.day)
        start = datetime.datetime.fromisoformat(self.day).replace(tzinfo=self.tz)
        self.assertEqual(day["start"], int(start.timestamp() * 1000))
        self.assertEqual(day["end"] - day["start"], 24 * HOUR)
        self.assertEqual(datetime.datetime.fromtimestamp(day["start"] / 1000,
                                                         datetime.timezone.utc).hour, 16)

    def test_orders_opened_archived_cancelled_escalated(self):
        """WO-2/WO-3/WO-4: orders by class and label; B archived, X cancelled, A escalated."""
        r = self.daily()
        total = r["days"][0]["total"]
        self.assertEqual(total["opened"], 3)
        self.assertEqual(total["opened_by_class"], {"A1": 2, "B": 1})
        self.assertEqual(total["opened_by_label"], {"A1-Ⅲ": 2, "B": 1})
        city = self.dept_block(r, self.city)
        self.assertEqual(city["department"], "城市客服部")
        self.assertEqual(city["opened"], 2)
        self.assertEqual(city["opened_by_label"], {"A1-Ⅲ": 2})
        self.assertEqual(city["archived"], 1)
        self.assertEqual(city["escalated"], 1)
        self.assertEqual(city["cancelled"], 0)
        (a1,) = city["classes"]
        self.assertEqual(a1["class"], "A1")
        self.assertEqual(a1["opened"], 2)
        market = self.dept_block(r, self.market)
        self.assertEqual(market["cancelled"], 1)
        self.assertEqual(market["classes"][0]["class"], "B")

    def test_sla_clocks(self):
        """WO-2: A's callback breached and still runs; B's was met on time after 4 minutes."""
        city = self.dept_block(self.daily(), self.city)
        self.assertEqual(city["sla"]["callback"], {"started": 2, "met_on_time": 1,
                                                   "met_late": 0, "breached": 1, "running": 1})
        # Ⅲ needs a visit: both got an on-site clock; B's was met at the visit.
        self.assertEqual(city["sla"]["onsite"]["started"], 2)
        self.assertEqual(city["sla"]["onsite"]["met_on_time"], 1)
        self.assertEqual(city["sla"]["onsite"]["running"], 1)
        # The report back (same day) started and was met at B's report.
        self.assertEqual(city["sla"]["report"]["met_on_time"], 1)
        self.assertEqual(city["callback_minutes_avg"], 4.0)
        market = self.dept_block(self.daily(), self.market)
        self.assertEqual(market["sla"]["callback"]["started"], 1)
        self.assertEqual(market["sla"]["callback"]["running"], 0, "cancelled with its order")

    def test_center_callbacks_and_satisfaction(self):
        """CB-3: the day's callbacks by outcome; CALL-3: the center's rated contacts."""
        r = self.daily()
        city = self.dept_block(r, self.city)
        self.assertEqual(city["center_callbacks"], {"accepted": 1, "not_accepted": 1,
                                                    "unreachable": 0, "new_need": 0})
        center = self.dept_block(r, self.center)
        self.assertEqual(center["satisfaction"], {"rated": 2, "average": 4.5})
        self.assertEqual(center["opened"], 0)
        self.assertEqual(r["days"][0]["total"]["satisfaction"], {"rated": 2, "average": 4.5})

    def test_every_figure_opens_onto_its_orders(self):
        """Traceability: each count equals the number of rows its drill-down lists."""
        r = self.daily()
        checked = 0
        for dept in r["days"][0]["departments"]:
            d = dept["department_id"] if dept["department_id"] is not None else 0
            for cls in dept["classes"]:
                scope = {"department_id": d, "class": cls["class"]}
                for outcome in ORDER_OUTCOMES:
                    with self.subTest(dept=d, cls=cls["class"], outcome=outcome):
                        self.assertEqual(len(self.drill(outcome, **scope)), cls[outcome])
                        checked += 1
                for metric in METRICS:
                    for figure, outcome in SLA_OUTCOMES.items():
                        with self.subTest(dept=d, cls=cls["class"], metric=metric,
                                          figure=figure):
                            items = self.drill(outcome, metric=metric, **scope)
                            self.assertEqual(len(items), cls["sla"][metric][figure])
                            self.assertTrue(all(i["sla"]["metric"] == metric for i in items))
                            checked += 1
                for outcome in CALLBACK_OUTCOMES:
                    with self.subTest(dept=d, cls=cls["class"], outcome=outcome):
                        items = self.drill(outcome, **scope)
                        self.assertEqual(len(items), cls["center_callbacks"][outcome])
                        self.assertTrue(all(i["attempt"]["outcome"] == outcome for i in items))
                        checked += 1
        self.assertGreater(checked, 60)

    def test_drill_down_names_the_orders(self):
        """The orders behind the figures, so the dashboard can open them."""
        ids = lambda items: [i["id"] for i in items]  # noqa: E731
        self.assertEqual(ids(self.drill("opened")), [self.a["id"], self.b["id"], self.x["id"]])
        self.assertEqual(ids(self.drill("opened", department_id=self.city)),
                         [self.a["id"], self.b["id"]])
        (breached,) = self.drill("breached", metric="callback")
        self.assertEqual(breached["id"], self.a["id"])
        self.assertEqual(breached["number"], self.a["number"])
        self.assertEqual(breached["label"], "A1-Ⅲ")
        self.assertIs(breached["sla"]["breached"], True)
        self.assertEqual(breached["sla"]["due_at"], self.a["created_at"] + 10 * MINUTE)
        self.assertEqual(ids(self.drill("met", metric="callback")), [self.b["id"]])
        self.assertEqual(ids(self.drill("running", metric="callback")), [self.a["id"]])
        self.assertEqual(ids(self.drill("archived")), [self.b["id"]])
        self.assertEqual(ids(self.drill("cancelled")), [self.x["id"]])
        self.assertEqual(ids(self.drill("escalated")), [self.a["id"]])
        (accepted,) = self.drill("accepted")
        self.assertEqual(accepted["attempt"]["agent_id"], person_id(self.srv, "8101"))
        # No customer data in a report row (CUST-2): no summary, no phone.
        self.assertNotIn("summary", accepted)
        # Cursor pages: one order a page.
        items, pages = all_pages(self.srv, f"/api/reports/orders?day={self.day}&outcome=opened",
                                 self.mgr, 1)
        self.assertEqual(len(pages), 4)  # three full pages, then an empty one
        self.assertEqual(ids(items), [self.a["id"], self.b["id"], self.x["id"]])

    def test_department_filter(self):
        """department_id keeps one department's orders."""
        r = self.daily(department_id=self.city)
        self.assertEqual(r["department_id"], self.city)
        (only,) = r["days"][0]["departments"]
        self.assertEqual(only["department_id"], self.city)
        self.assertEqual(r["days"][0]["total"]["opened"], 2)
        r = self.daily(department_id=dept_id(self.srv, "技术部"))
        self.assertEqual(r["days"][0]["departments"], [])
        self.assertEqual(r["days"][0]["total"]["opened"], 0)

    def test_days_without_orders_are_zero(self):
        """Each day of the range is there, zero or not."""
        before = (datetime.date.fromisoformat(self.day) - datetime.timedelta(days=2)).isoformat()
        r = self.daily(**{"from": before})
        self.assertEqual([d["date"] for d in r["days"]][-1], self.day)
        self.assertEqual(len(r["days"]), 3)
        self.assertEqual(r["days"][0]["total"]["opened"], 0)
        self.assertEqual(r["days"][0]["departments"], [])
        self.assertIsNone(r["days"][0]["total"]["callback_minutes_avg"])

    def test_overdue(self):
        """RPT-2: A's callback clock runs past its deadline; B's was met and is not listed."""
        st, body, _ = self.srv.call("GET", "/api/reports/overdue", token=self.mgr)
        self.assertEqual(st, 200, body)
        (row,) = [i for i in body["items"] if i["order_id"] == self.a["id"]]
        self.assertEqual(row["number"], self.a["number"])
        self.assertEqual(row["label"], "A1-Ⅲ")
        self.assertEqual(row["metric"], "callback")
        self.assertEqual(row["department"], "城市客服部")
        self.assertEqual(row["owner_work_no"], "2001")
        self.assertEqual(row["owner"], "孙强")
        self.assertEqual(row["due_at"], self.a["created_at"] + 10 * MINUTE)
        self.assertGreaterEqual(row["overdue_min"], 1)
        self.assertEqual(row["escalation_level"], 1)
        self.assertNotIn(self.b["id"], [i["order_id"] for i in body["items"]])
        st, body, _ = self.srv.call("GET", f"/api/reports/overdue?department_id={self.market}",
                                    token=self.mgr)
        self.assertEqual(body["items"], [])

    def test_readers(self):
        """Managers, supervisors and the general office read reports; nobody else."""
        for who in ("8001", "8002", "1001"):
            tok = self.c.token(who)
            for path in (f"/api/reports/daily?from={self.day}&to={self.day}",
                         "/api/reports/overdue",
                         f"/api/reports/orders?day={self.day}&outcome=opened"):
                with self.subTest(who=who, path=path):
                    st, body, _ = self.srv.call("GET", path, token=tok)
                    self.assertEqual(st, 200, body)
        for who in ("8101", "2001", "7002", "admin"):
            tok = self.c.token(who)
            with self.subTest(who=who):
                self.assertError(self.srv.call("GET", f"/api/reports/daily?from={self.day}"
                                               f"&to={self.day}", token=tok), 403, "forbidden")
                self.assertError(self.srv.call("GET", "/api/reports/overdue", token=tok),
                                 403, "forbidden")
        self.assertError(self.srv.call("GET", "/api/reports/overdue"), 401)

    def test_bad_parameters(self):
        """400 naming the parameter: dates, range, department, outcome, metric, class."""
        def bad(path, field):
            with self.subTest(path=path):
                self.assertError(self.srv.call("GET", path, token=self.mgr), 400,
                                 "bad_request", field)
        d = "/api/reports/daily"
        bad(f"{d}?to={self.day}", "from")
        bad(f"{d}?from={self.day}", "to")
        bad(f"{d}?from=2026-02-30&to=2026-03-01", "from")
        bad(f"{d}?from=2026-2-3&to=2026-03-01", "from")
        bad(f"{d}?from=20260203&to=2026-03-01", "from")
        bad(f"{d}?from=2026-02-03&to=2026-03-01x", "to")
        bad(f"{d}?from=2026-03-02&to=2026-03-01", "to")
        bad(f"{d}?from=2023-01-01&to=2026-01-05", "to")  # 1101 days (RPT-1: up to 1100)
        bad(f"{d}?from={self.day}&to={self.day}&group=fortnight", "group")
        bad(f"{d}?from={self.day}&to={self.day}&department_id=x", "department_id")
        bad(f"{d}?from={self.day}&to={self.day}&department_id=99999", "department_id")
        bad(f"{d}.csv?from=2026-13-01&to=2026-12-01", "from")
        o = f"/api/reports/orders?day={self.day}"
        bad("/api/reports/orders?outcome=opened", "day")
        bad(f"{o}", "outcome")
        bad(f"{o}&outcome=late", "outcome")
        bad(f"{o}&outcome=breached", "metric")
        bad(f"{o}&outcome=breached&metric=speed", "metric")
        bad(f"{o}&outcome=opened&metric=callback", "metric")
        bad(f"{o}&outcome=opened&class=Z9", "class")
        bad(f"{o}&outcome=opened&cursor=abc", "cursor")
        bad("/api/reports/overdue?limit=0", "limit")
        st, body, _ = self.srv.call("GET", f"{d}?from=2026-01-01&to=2026-04-02", token=self.mgr)
        self.assertEqual(st, 200, body)
        self.assertEqual(len(body["days"]), 92)


class ExportTest(KefuTestCase):
    """SEC-2: CSV exports are the manager's alone and each one is in the audit log."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.tz, _ = center_zone(srv)
        cls.t0 = advance_to_local(srv, cls.tz, 1, 10, 0)
        cls.day = local_date(cls.t0, cls.tz).isoformat()
        c = cls.c = Center(srv)
        cls.mgr = c.token("8001")
        cls.city = dept_id(srv, "城市客服部")
        cls.a = c.order()
        srv.advance(11 * MINUTE)

    def csv_get(self, path, token=None):
        st, headers, data = self.srv.raw("GET", path, headers={
            "Authorization": "Bearer " + (token or self.mgr)})
        return st, headers, data

    def test_daily_csv(self):
        """UTF-8 with a BOM for Excel, one row per day x department x class, plus 合计."""
        st, h, data = self.csv_get(f"/api/reports/daily.csv?from={self.day}&to={self.day}")
        self.assertEqual(st, 200, data[:300])
        self.assertEqual(h["content-type"], "text/csv; charset=utf-8")
        self.assertTrue(data.startswith(BOM))
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        header = rows[0]
        for col in ("日期", "部门ID", "部门", "类别", "新建", "新建-Ⅲ", "归档", "取消", "升级",
                    "联系客户-开始", "联系客户-超时", "联系客户-未完成", "平均联系客户分钟",
                    "回访-认可", "评价数", "平均满意度"):
            self.assertIn(col, header)
        body = [dict(zip(header, r)) for r in rows[1:]]
        a1 = [r for r in body if r["类别"] == "A1"]
        self.assertEqual(len(a1), 1)
        self.assertEqual(a1[0]["日期"], self.day)
        self.assertEqual(a1[0]["部门"], "城市客服部")
        self.assertEqual(a1[0]["部门ID"], str(self.city))
        self.assertEqual(a1[0]["新建"], "1")
        self.assertEqual(a1[0]["新建-Ⅲ"], "1")
        self.assertEqual(a1[0]["联系客户-超时"], "1")
        self.assertEqual(a1[0]["联系客户-未完成"], "1")
        self.assertEqual(a1[0]["升级"], "1")
        self.assertEqual(a1[0]["评价数"], "", "ratings are per department, not per class")
        total = [r for r in body if r["类别"] == "合计" and r["部门"] == "城市客服部"]
        self.assertEqual(len(total), 1)
        self.assertEqual(total[0]["新建"], "1")
        self.assertEqual(total[0]["评价数"], "0")
        # The same figures as the JSON report.
        st, js, _ = self.srv.call("GET", f"/api/reports/daily?from={self.day}&to={self.day}",
                                  token=self.mgr)
        city = next(d for d in js["days"][0]["departments"] if d["department_id"] == self.city)
        self.assertEqual(int(total[0]["联系客户-开始"]), city["sla"]["callback"]["started"])

    def test_export_is_audited(self):
        """SEC-2: who exported which report with which parameters."""
        path = f"/api/reports/daily.csv?from={self.day}&to={self.day}&department_id={self.city}"
        st, _, data = self.csv_get(path)
        self.assertEqual(st, 200, data[:300])
        entry = self.srv.audit(self.mgr, action="report.export")[0]
        self.assertEqual(entry["actor"], "8001")
        self.assertEqual(entry["outcome"], "ok")
        self.assertEqual(entry["detail"]["report"], "daily")
        self.assertEqual(entry["detail"]["from"], self.day)
        self.assertEqual(entry["detail"]["to"], self.day)
        self.assertEqual(entry["detail"]["department_id"], self.city)
        self.assertEqual(entry["detail"]["filename"], f"kefu-daily-{self.day}-{self.day}.csv")
        self.assertEqual(entry["detail"]["rows"], 2)  # A1 and 合计 of 城市客服部

        st, _, data = self.csv_get("/api/reports/overdue.csv")
        self.assertEqual(st, 200)
        entry = self.srv.audit(self.mgr, action="report.export")[0]
        self.assertEqual(entry["detail"]["report"], "overdue")
        self.assertIsNone(entry["detail"]["department_id"])
        self.assertEqual(entry["detail"]["rows"], 1)

    def test_only_the_manager_exports(self):
        """Supervisors and the general office read reports but may not export them;
        each refusal is audited and no export entry is written."""
        before = len(self.srv.audit(self.mgr, action="report.export", limit=500))
        for who in ("8002", "1001", "8101"):
            tok = self.c.token(who)
            for path in (f"/api/reports/daily.csv?from={self.day}&to={self.day}",
                         "/api/reports/overdue.csv"):
                with self.subTest(who=who, path=path):
                    st, h, data = self.csv_get(path, tok)
                    self.assertEqual(st, 403, data)
                    self.assertNotIn(b"\xef\xbb\xbf", data)
        denied = self.srv.audit(self.mgr, action="access.denied", limit=500)
        self.assertTrue(any(e["actor"] == "8002" and e["detail"]["permission"] == "export"
                            and e["detail"]["path"] == "/api/reports/overdue.csv"
                            for e in denied))
        self.assertEqual(len(self.srv.audit(self.mgr, action="report.export", limit=500)),
                         before)

    def test_bad_export_writes_nothing(self):
        """A refused export (bad dates) writes no export entry."""
        before = len(self.srv.audit(self.mgr, action="report.export", limit=500))
        st, _, _ = self.csv_get("/api/reports/daily.csv?from=2023-01-01&to=2026-12-31")
        self.assertEqual(st, 400)
        self.assertEqual(len(self.srv.audit(self.mgr, action="report.export", limit=500)),
                         before)

    def test_overdue_csv(self):
        """RPT-2: the overdue list as CSV: number, label, department, owner, deadline."""
        st, h, data = self.csv_get("/api/reports/overdue.csv")
        self.assertEqual(st, 200, data[:300])
        self.assertEqual(h["content-type"], "text/csv; charset=utf-8")
        self.assertTrue(data.startswith(BOM))
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        self.assertEqual(rows[0], ["工单号", "标签", "状态", "部门", "负责人", "工号", "时限",
                                   "截止时间", "超时分钟", "升级级别"])
        (row,) = rows[1:]
        due = datetime.datetime.fromtimestamp((self.a["created_at"] + 10 * MINUTE) / 1000,
                                              self.tz)
        self.assertEqual(row[:8], [self.a["number"], "A1-Ⅲ", "dispatched", "城市客服部", "孙强",
                                   "2001", "联系客户", due.strftime("%Y-%m-%d %H:%M")])
        self.assertGreaterEqual(int(row[8]), 1)
        self.assertEqual(row[9], "1")

    def test_csv_names_its_file(self):
        """Content-Disposition: attachment; filename="kefu-daily-<from>-<to>.csv"."""
        st, h, _ = self.csv_get(f"/api/reports/daily.csv?from={self.day}&to={self.day}")
        self.assertEqual(st, 200)
        self.assertEqual(h.get("content-disposition"),
                         f'attachment; filename="kefu-daily-{self.day}-{self.day}.csv"')


class DayBoundaryTest(KefuTestCase):
    """Days are the center's: an order at 23:58 and one at 00:01 fall on two days, and a
    breach at 00:10 belongs to the second (Asia/Shanghai midnight is 16:00 UTC)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.tz, _ = center_zone(srv)
        t = advance_to_local(srv, cls.tz, 1, 23, 58)
        cls.day1 = local_date(t, cls.tz)
        c = cls.c = Center(srv)
        cls.mgr = c.token("8001")
        cls.late = c.order()
        srv.advance(3 * MINUTE)
        cls.early = c.order()
        srv.advance(9 * MINUTE)  # 00:10: late's callback (due 00:08) has breached
        cls.day2 = cls.day1 + datetime.timedelta(days=1)

    def test_two_days(self):
        """Each order on its own day; the breach after midnight on the second."""
        self.assertEqual(local_date(self.late["created_at"], self.tz), self.day1)
        self.assertEqual(local_date(self.early["created_at"], self.tz), self.day2)
        st, r, _ = self.srv.call("GET", f"/api/reports/daily?from={self.day1}&to={self.day2}",
                                 token=self.mgr)
        self.assertEqual(st, 200, r)
        d1, d2 = r["days"]
        self.assertEqual(d1["end"], d2["start"])
        midnight = datetime.datetime.fromtimestamp(d2["start"] / 1000, datetime.timezone.utc)
        self.assertEqual((midnight.hour, midnight.minute), (16, 0))
        self.assertEqual(d1["total"]["opened"], 1)
        self.assertEqual(d1["total"]["sla"]["callback"]["started"], 1)
        self.assertEqual(d1["total"]["sla"]["callback"]["breached"], 0)
        self.assertEqual(d1["total"]["sla"]["callback"]["running"], 1)
        self.assertEqual(d2["total"]["opened"], 1)
        self.assertEqual(d2["total"]["sla"]["callback"]["breached"], 1)
        self.assertEqual(d2["total"]["escalated"], 1)

    def test_drill_down_by_day(self):
        """The drill-down splits at the same midnight."""
        def ids(day, outcome, extra=""):
            st, body, _ = self.srv.call(
                "GET", f"/api/reports/orders?day={day}&outcome={outcome}{extra}", token=self.mgr)
            self.assertEqual(st, 200, body)
            return [i["id"] for i in body["items"]]
        self.assertEqual(ids(self.day1, "opened"), [self.late["id"]])
        self.assertEqual(ids(self.day2, "opened"), [self.early["id"]])
        self.assertEqual(ids(self.day1, "breached", "&metric=callback"), [])
        self.assertEqual(ids(self.day2, "breached", "&metric=callback"), [self.late["id"]])
        self.assertEqual(ids(self.day2, "escalated"), [self.late["id"]])


class CsvCellsTest(KefuTestCase):
    """A department name a spreadsheet would run as a formula stays text, quoted as RFC 4180
    says: an export must not become a way to run something on the manager's machine."""

    NAME = '=SUM(1),"x"部'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.tz, _ = center_zone(srv)
        cls.day = local_date(advance_to_local(srv, cls.tz, 1, 11, 0), cls.tz).isoformat()
        c = Center(srv)
        cls.mgr = c.token("8001")
        st, d, _ = srv.call("POST", "/api/departments", {"name": cls.NAME, "kind": "other"},
                            token=cls.mgr)
        assert st == 201, d
        st, p, _ = srv.call("POST", "/api/people", {"work_no": "9901", "name": "测试员",
                                                    "roles": ["staff"], "department_id": d["id"]},
                            token=cls.mgr)
        assert st == 201, p
        cls.order = c.act(c.order(), "assign", "8001", {"person_id": p["id"], "reason": "转测试部门"})
        assert cls.order["department_id"] == d["id"], cls.order

    def test_formula_stays_text(self):
        """=SUM(1) arrives as the text '=SUM(1), the comma and quotes inside one cell."""
        st, _, data = self.srv.raw("GET", f"/api/reports/daily.csv?from={self.day}&to={self.day}",
                                   headers={"Authorization": "Bearer " + self.mgr})
        self.assertEqual(st, 200, data[:300])
        text = data.decode("utf-8-sig")
        self.assertIn('"\'=SUM(1),""x""部"', text)
        rows = list(csv.reader(io.StringIO(text)))
        self.assertIn("'" + self.NAME, [r[2] for r in rows[1:]])
        self.assertNotIn(self.NAME, [r[2] for r in rows[1:]])
