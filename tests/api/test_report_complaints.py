"""Complaint statistics (用户投诉统计表, RPT-2) and the daily callback report (每日回访报表,
CB-3) over any period, with their forms (LED-2) as .xlsx.

Three days of the center are made through the work-order API and the test clock:
complaints of several types, levels, departments and regions (migration 46's
work_order.region), one referred to a merchant (seed 002 §5), one served on site and
called back (CB-1/CB-2), rated contacts (CALL-3) and an order of a class that is not a
complaint. Every figure is then recomputed from the raw rows of the database and
compared, for days read from the summary of closed days and for today read from the
orders; a complaint changed after its day was summarised moves that day's figures.
"""
import datetime
import io
import re
import unittest
from urllib.parse import quote
import xml.etree.ElementTree as ET
import zipfile

from apihelp import MINUTE, all_pages, db_rows, dept_id, person_id
from harness import KefuTestCase
from test_reports import center_zone, local_date

COMPLAINT_CLASSES = ("A1", "A2", "D")
OUTCOMES = ["accepted", "not_accepted", "unreachable", "new_need"]
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def advance_to_local(srv, tz, day, hour, minute):
    _, now = center_zone(srv)
    target = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    target_ms = int(target.timestamp() * 1000)
    assert target_ms > now, "the test clock only moves forward"
    return srv.advance(target_ms - now)


def xlsx_sheets(data):
    """{sheet name: [[cell text, ...] per row]} of a workbook, read with zip + XML."""
    z = zipfile.ZipFile(io.BytesIO(data))
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
            shared.append("".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")))
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    names = [s.get("name") for s in wb.find("m:sheets", NS)]
    out = {}
    for i, name in enumerate(names, 1):
        root = ET.fromstring(z.read(f"xl/worksheets/sheet{i}.xml"))
        rows = []
        for row in root.iter(f"{{{NS['m']}}}row"):
            cells = {}
            for c in row.findall("m:c", NS):
                col = re.match(r"[A-Z]+", c.get("r")).group(0)
                idx = 0
                for ch in col:
                    idx = idx * 26 + ord(ch) - 64
                v = c.find("m:v", NS)
                text = v.text if v is not None else ""
                if c.get("t") == "s":
                    text = shared[int(text)]
                cells[idx - 1] = text
            rows.append([cells.get(k, "") for k in range(max(cells) + 1)] if cells else [])
        out[name] = rows
    return out


class ComplaintReportTest(KefuTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.tz, now = center_zone(srv)
        today = local_date(now, cls.tz)
        cls.d1 = today + datetime.timedelta(days=1)
        cls.d2 = today + datetime.timedelta(days=2)
        cls.d3 = today + datetime.timedelta(days=3)
        cls.tokens = {}
        cls.mgr = cls.token("8001")
        st, tp, _ = srv.call("POST", "/api/wo/third-parties",
                             {"name": "星光洗车行", "kind": "merchant"}, token=cls.mgr)
        assert st == 201, (st, tp)
        cls.merchant = tp["id"]

        advance_to_local(srv, cls.tz, cls.d1, 9, 0)
        o1 = cls.order("svc_not_clean", "广东省深圳市")
        o2 = cls.order("svc_not_clean", "广东省广州市")
        cls.order("pay_failed", "广东省深圳市")
        cls.order(None, "广东省深圳市", cls_code="E", summary="咨询洗车价格")
        cls.next_day(cls.d2, 9)
        o5 = cls.order("svc_not_clean", "广东省深圳市")
        cls.order("svc_not_clean", "广东省深圳市")
        cls.order("svc_not_clean", "广东省深圳市")
        cls.order("vehicle_damage", "北京市")
        cls.order("merchant_complaint", "广东省深圳市")
        # o1 is served on site on D2 and called back the same day: not accepted by
        # 8102, then accepted by 8101, and archived (CB-2).
        cls.act(o1, "accept", "2001")
        cls.act(o1, "call", "2001")
        cls.act(o1, "onsite", "2001")
        cls.act(o1, "report", "2001", {"solution": "已重新清洗"})
        srv.advance(5 * MINUTE)
        cls.act(o1, "callback", "8102", {"outcome": "not_accepted"})
        cls.act(o1, "callback", "8101", {"outcome": "accepted"})
        cls.act(o5, "accept", "2001")
        cls.act(o5, "refer", "2001", {"third_party_id": cls.merchant})
        for score in (3, 5):
            st, d, _ = srv.call("POST", "/api/contacts", {
                "channel": "phone", "direction": "in", "phone": "13900001111",
                "satisfaction": score}, token=cls.token("8101"))
            assert st == 201, d
        cls.next_day(cls.d3, 10)
        cls.order("pay_failed", "上海市")
        srv.advance(0)  # the scheduler's round: D1 and D2 summarised
        cls.o1, cls.o2 = o1, o2

    @classmethod
    def next_day(cls, day, hour):
        """Moves to hour:00 of day; the sessions of the day before have expired."""
        advance_to_local(cls.srv, cls.tz, day, hour, 0)
        cls.tokens = {}
        cls.mgr = cls.token("8001")

    @classmethod
    def token(cls, work_no):
        if work_no not in cls.tokens:
            cls.tokens[work_no] = cls.srv.login(work_no)
        return cls.tokens[work_no]

    @classmethod
    def order(cls, complaint, region, cls_code=None, summary="洗车投诉"):
        body = {"summary": summary, "phone": "13800138000", "region": region}
        if complaint:
            body["complaint"] = complaint
        if cls_code:
            body["class"] = cls_code
        st, o, _ = cls.srv.call("POST", "/api/orders", body, token=cls.token("8101"))
        assert st == 201, (st, o)
        return o

    @classmethod
    def act(cls, order, action, who, body=None):
        st, o, _ = cls.srv.call("POST", f"/api/orders/{order['id']}/{action}", body or {},
                                token=cls.token(who))
        assert st == 200, (action, st, o)
        return o

    def get(self, path, **params):
        q = "&".join(f"{k}={v}" for k, v in params.items())
        st, body, _ = self.srv.call("GET", f"{path}?{q}", token=self.mgr)
        self.assertEqual(st, 200, body)
        return body

    # ---- The raw rows, and the figures recomputed from them ----

    def raw_complaints(self):
        rows = db_rows(self.srv, """
            SELECT w.id, w.created_at, ifnull(w.complaint, '') AS complaint,
                   ifnull(w.level, '') AS level, ifnull(w.department_id, 0) AS dept,
                   ifnull(w.region, '') AS region, w.state,
                   ifnull((SELECT f.third_party_id FROM wo_referral f JOIN wo_third_party t
                           ON t.id = f.third_party_id WHERE f.order_id = w.id
                           AND t.kind = 'merchant' ORDER BY f.id DESC LIMIT 1), 0) AS merchant,
                   EXISTS (SELECT 1 FROM wo_sla k WHERE k.order_id = w.id
                           AND k.metric = 'resolve' AND k.state = 'met'
                           AND k.breached = 0) AS on_time
            FROM work_order w WHERE w.class IN ('A1', 'A2', 'D')""")
        for r in rows:
            r["day"] = local_date(r["created_at"], self.tz)
        return rows

    def expected(self, frm, to):
        rows = [r for r in self.raw_complaints() if frm <= r["day"] <= to]
        days = (to - frm).days + 1
        pfrom, pto = frm - datetime.timedelta(days=days), frm - datetime.timedelta(days=1)
        prev = [r for r in self.raw_complaints() if pfrom <= r["day"] <= pto]

        def tally(field, key=lambda v: v):
            out = {}
            for r in rows:
                t = out.setdefault(key(r[field]), {"opened": 0, "closed": 0, "on_time": 0,
                                                   "previous": 0})
                t["opened"] += 1
                t["closed"] += r["state"] == "archived"
                t["on_time"] += r["on_time"]
            for r in prev:
                t = out.setdefault(key(r[field]), {"opened": 0, "closed": 0, "on_time": 0,
                                                   "previous": 0})
                t["previous"] += 1
            return out
        return rows, prev, tally

    @staticmethod
    def as_map(items):
        return {i["key"]: {k: i[k] for k in ("opened", "closed", "on_time", "previous")}
                for i in items}

    # ---- Tests ----

    def test_figures_match_the_raw_rows(self):
        """Every count of D1..D3 (D1 and D2 from the summary, D3 from the orders)."""
        r = self.get("/api/reports/complaints", **{"from": self.d1, "to": self.d3})
        self.assertEqual(r["summary_through"], int(self.d2.strftime("%Y%m%d")))
        rows, prev, tally = self.expected(self.d1, self.d3)
        self.assertEqual(len(rows), 9)  # the E order is no complaint
        self.assertEqual(r["total"]["opened"], len(rows))
        self.assertEqual(r["total"]["closed"], sum(x["state"] == "archived" for x in rows))
        self.assertEqual(r["total"]["closed"], 1)
        self.assertEqual(r["total"]["on_time"], sum(x["on_time"] for x in rows))
        none = lambda v: v or None  # noqa: E731
        self.assertEqual(self.as_map(r["by_type"]), tally("complaint", none))
        self.assertEqual(self.as_map(r["by_level"]), tally("level", none))
        self.assertEqual(self.as_map(r["by_region"]), tally("region", none))
        self.assertEqual(self.as_map(r["by_department"]), tally("dept", none))
        self.assertEqual(self.as_map(r["by_merchant"]), tally("merchant", none))
        self.assertIn(self.merchant, self.as_map(r["by_merchant"]))
        names = {i["key"]: i["name"] for i in r["by_type"]}
        self.assertEqual(names["svc_not_clean"], "车没洗干净")
        lv = next(i for i in r["by_type"] if i["key"] == "svc_not_clean")["levels"]
        self.assertEqual(lv, {"Ⅰ": 0, "Ⅱ": 0, "Ⅲ": 5, "Ⅳ": 0})
        trend = {t["bucket"]: t["opened"] for t in r["trend"]}
        self.assertEqual(trend, {d.isoformat(): sum(x["day"] == d for x in rows)
                                 for d in (self.d1, self.d2, self.d3)})
        # The whole period in one bucket.
        r = self.get("/api/reports/complaints", **{"from": self.d1, "to": self.d3,
                                                   "group": "all"})
        self.assertEqual([t["opened"] for t in r["trend"]], [len(rows)])

    def test_hot_spots_and_top_issues(self):
        """D2 against D1: types and regions that rose, most first; the week's and month's top."""
        r = self.get("/api/reports/complaints", **{"from": self.d2, "to": self.d2})
        self.assertEqual(r["previous"], {"from": self.d1.isoformat(), "to": self.d1.isoformat()})
        rows, prev, _ = self.expected(self.d2, self.d2)
        cand = []
        for dim, field in (("complaint", "complaint"), ("region", "region")):
            keys = {x[field] for x in rows} | {x[field] for x in prev}
            for k in keys:
                cur = sum(x[field] == k for x in rows)
                old = sum(x[field] == k for x in prev)
                if cur > old and not (dim == "region" and not k):
                    cand.append((-(cur - old), -cur, k.encode(), dim, k, cur, old))
        cand.sort()
        want = [(c[3], c[4], c[5], c[6]) for c in cand[:10]]
        got = [(h["dimension"], h["key"], h["count"], h["previous"]) for h in r["hot_spots"]]
        self.assertEqual(got, want)
        self.assertEqual(got[0], ("region", "广东省深圳市", 4, 2))
        self.assertIn(("complaint", "svc_not_clean", 3, 2), got)
        for h in r["hot_spots"]:
            self.assertEqual(h["change"], h["count"] - h["previous"])
            self.assertEqual(sum(h["trend"]), h["count"])
        # The week and month to D3: every complaint is in them, none in the 7 / 30 before.
        r = self.get("/api/reports/complaints", **{"from": self.d3, "to": self.d3})
        allrows = self.raw_complaints()
        counts = {}
        for x in allrows:
            counts[x["complaint"]] = counts.get(x["complaint"], 0) + 1
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].encode()))[:5]
        for w in ("top_week", "top_month"):
            self.assertEqual([(i["key"] or "", i["count"], i["previous"], i["change"])
                              for i in r[w]["items"]],
                             [(k, n, 0, n) for k, n in top])
            self.assertEqual(r[w]["total"], len(allrows))
        self.assertEqual(r["top_week"]["from"], (self.d3 - datetime.timedelta(days=6)).isoformat())

    def test_change_after_the_day_closed(self):
        """o2 (D1) referred to a merchant on D3: the scheduler rebuilds D1 from the orders."""
        before = self.get("/api/reports/complaints", **{"from": self.d1, "to": self.d1})
        self.assertNotIn(self.merchant, [m["key"] for m in before["by_merchant"]])
        self.act(self.o2, "accept", "2001")
        self.act(self.o2, "refer", "2001", {"third_party_id": self.merchant})
        self.srv.advance(0)
        self.srv.advance(0)
        after = self.get("/api/reports/complaints", **{"from": self.d1, "to": self.d1})
        _, _, tally = self.expected(self.d1, self.d1)
        self.assertEqual(self.as_map(after["by_merchant"]),
                         tally("merchant", lambda v: v or None))
        self.assertEqual(self.as_map(after["by_merchant"])[self.merchant]["opened"], 1)
        summary = db_rows(self.srv, "SELECT SUM(opened) AS n FROM report_complaint_day"
                          f" WHERE ymd = {self.d1.strftime('%Y%m%d')}"
                          f" AND merchant_id = {self.merchant}")
        self.assertEqual(summary[0]["n"], 1)

    def test_drill_down(self):
        r = self.get("/api/reports/complaints", **{"from": self.d1, "to": self.d3})
        rows, _, _ = self.expected(self.d1, self.d3)
        items, _ = all_pages(self.srv, f"/api/reports/complaints/orders?from={self.d1}&to={self.d3}"
                             "&complaint=svc_not_clean&region=" + quote("广东省深圳市"), self.mgr, 2)
        want = sorted(x["id"] for x in rows
                      if x["complaint"] == "svc_not_clean" and x["region"] == "广东省深圳市")
        self.assertEqual([i["id"] for i in items], want)
        self.assertEqual(len(items), 4)
        self.assertTrue(all(i["region"] == "广东省深圳市" for i in items))
        self.assertTrue(r["by_type"])

    def test_region_is_checked_and_inherited(self):
        st, err, _ = self.srv.call("POST", "/api/orders", {
            "complaint": "pay_failed", "summary": "x", "phone": "13800138000",
            "region": "区" * 33}, token=self.token("8101"))
        self.assertEqual(st, 422, err)
        self.assertEqual(err["error"]["field"], "region")
        st, o, _ = self.srv.call("GET", f"/api/orders/{self.o1['id']}", token=self.mgr)
        self.assertEqual(o["region"], "广东省深圳市")
        # A customer's next order takes the region of their last one, unless it says another.
        st, c, _ = self.srv.call("POST", "/api/customers", {
            "name": "王小明", "surname": "王", "phones": [{"phone": "13811112222"}]},
            token=self.token("8101"))
        self.assertEqual(st, 201, c)
        made = []
        for region in ("浙江省杭州市", None, ""):
            # Consultations (E), so the complaint figures of the other tests stay.
            body = {"class": "E", "summary": "咨询价格", "customer_id": c["id"]}
            if region is not None:
                body["region"] = region
            st, o, _ = self.srv.call("POST", "/api/orders", body, token=self.token("8101"))
            self.assertEqual(st, 201, o)
            made.append(o["region"])
        self.assertEqual(made, ["浙江省杭州市", "浙江省杭州市", None])

    def test_bad_period_in_chinese(self):
        st, err, _ = self.srv.call("GET", "/api/reports/complaints?from=2026-02-30&to=2026-03-01",
                                   token=self.mgr, headers={"Accept-Language": "zh-CN"})
        self.assertEqual(st, 400, err)
        self.assertEqual(err["error"]["field"], "from")
        self.assertRegex(err["error"]["message"], "[\u4e00-\u9fff]")
        st, err, _ = self.srv.call("GET", f"/api/reports/callbacks?from={self.d2}&to={self.d1}",
                                   token=self.mgr, headers={"Accept-Language": "zh-CN"})
        self.assertEqual(st, 400, err)
        self.assertRegex(err["error"]["message"], "[\u4e00-\u9fff]")
        # An agent may not read reports; the xlsx is the manager's export (SEC-2).
        st, _, _ = self.srv.call("GET", f"/api/reports/complaints?from={self.d1}&to={self.d1}",
                                 token=self.token("8101"))
        self.assertEqual(st, 403)

    def test_complaint_form_xlsx(self):
        st, h, data = self.srv.raw("GET", f"/api/reports/complaints.xlsx?from={self.d1}&to={self.d3}",
                                   headers={"Authorization": "Bearer " + self.mgr})
        self.assertEqual(st, 200)
        self.assertIn("spreadsheetml", h["content-type"])
        sheets = xlsx_sheets(data)
        self.assertEqual(list(sheets), ["按类型", "按部门", "按商家", "按地区", "趋势"])
        by_type = sheets["按类型"]
        self.assertEqual(by_type[0][0], "用户投诉统计表")
        self.assertEqual(by_type[2][:7], ["序号", "投诉类型", "Ⅰ级", "Ⅱ级", "Ⅲ级", "Ⅳ级", "投诉量"])
        row = next(x for x in by_type if len(x) > 1 and x[1] == "车没洗干净")
        self.assertEqual(row[4], "5")
        self.assertEqual(row[6], "5")
        total = next(x for x in by_type if len(x) > 1 and x[1] == "合计")
        self.assertEqual(total[6], "9")
        region = next(x for x in sheets["按地区"] if len(x) > 1 and x[1] == "广东省深圳市")
        self.assertEqual(region[2], "6")
        audits = self.srv.audit(self.mgr, action="form.export")
        self.assertTrue(any("complaint_stats" in str(a.get("detail")) for a in audits))

    # ---- Callbacks (CB-3) ----

    def test_callback_report(self):
        r = self.get("/api/reports/callbacks", **{"from": self.d1, "to": self.d3})
        start = int(datetime.datetime(self.d1.year, self.d1.month, self.d1.day,
                                      tzinfo=self.tz).timestamp() * 1000)
        attempts = db_rows(self.srv, "SELECT t.agent_id, t.outcome FROM wo_callback_attempt t"
                           f" WHERE t.at >= {start}")
        self.assertEqual(len(attempts), 2)
        for o in OUTCOMES:
            self.assertEqual(r["total"][o], sum(a["outcome"] == o for a in attempts))
        self.assertEqual(r["total"]["total"], len(attempts))
        by_agent = {a["agent_id"]: a for a in r["agents"]}
        for pid in {a["agent_id"] for a in attempts}:
            for o in OUTCOMES:
                self.assertEqual(by_agent[pid]["outcomes"][o],
                                 sum(a["outcome"] == o and a["agent_id"] == pid
                                     for a in attempts))
        rated = db_rows(self.srv, "SELECT agent_id, COUNT(*) AS n, SUM(satisfaction) AS s"
                        f" FROM contact WHERE started_at >= {start}"
                        " AND satisfaction BETWEEN 1 AND 5 GROUP BY agent_id")
        for g in rated:
            self.assertEqual((by_agent[g["agent_id"]]["rated"],
                              by_agent[g["agent_id"]]["rating_total"]), (g["n"], g["s"]))
        a8101 = by_agent[person_id(self.srv, "8101")]
        self.assertEqual((a8101["outcomes"]["accepted"], a8101["rated"], a8101["rating_total"]),
                         (1, 2, 8))
        center = dept_id(self.srv, "客服中心")
        dep = {d["department_id"]: d for d in r["departments"]}
        self.assertEqual(sum(d["outcomes"]["total"] for d in r["departments"]), 2)
        self.assertIn(center, dep)
        trend = {t["bucket"]: t["outcomes"]["total"] for t in r["trend"]}
        self.assertEqual(trend[self.d2.isoformat()], 2)
        # Due on D3: the orders served on site on D2 (003), with their callback state.
        self.assertEqual(r["due"]["served_on"], self.d2.isoformat())
        served = db_rows(self.srv, "SELECT DISTINCT e.order_id FROM wo_sla_event e"
                         " WHERE e.metric = 'onsite' AND e.kind = 'met'")
        self.assertEqual([i["order_id"] for i in r["due"]["items"]],
                         [s["order_id"] for s in served])
        (due,) = r["due"]["items"]
        self.assertEqual((due["order_id"], due["callback_state"], due["attempts"],
                          due["last_outcome"]), (self.o1["id"], "done", 2, "accepted"))
        self.assertNotIn("13800138000", due["phone"])
        r = self.get("/api/reports/callbacks", **{"from": self.d1, "to": self.d2})
        self.assertEqual(r["due"]["items"], [])
        # The live view of 客户回访记录: the attempts themselves, a page at a time.
        items, pages = all_pages(self.srv, f"/api/reports/callbacks/log?from={self.d1}&to={self.d3}",
                                 self.mgr, 1)
        self.assertEqual([len(p) for p in pages], [1, 1, 0])
        raw = db_rows(self.srv, "SELECT id, agent_id, outcome FROM wo_callback_attempt"
                      f" WHERE at >= {start} ORDER BY id")
        self.assertEqual([(i["id"], i["agent_id"], i["outcome"]) for i in items],
                         [(x["id"], x["agent_id"], x["outcome"]) for x in raw])
        self.assertTrue(all(i["number"] == self.o1["number"] and "13800138000" != i["phone"]
                            for i in items))

    def test_callback_forms_xlsx(self):
        auth = {"Authorization": "Bearer " + self.mgr}
        st, _, data = self.srv.raw("GET", f"/api/reports/callbacks/log.xlsx?from={self.d2}&to={self.d2}",
                                   headers=auth)
        self.assertEqual(st, 200)
        (rows,) = xlsx_sheets(data).values()
        self.assertEqual(rows[0][0], "客户回访记录")
        self.assertEqual(rows[2][:4], ["序号", "回访时间", "工单号", "客户"])
        body = [x for x in rows[3:] if x and x[0].isdigit()]
        self.assertEqual(len(body), 2)
        self.assertEqual([x[8] for x in body], ["不认可", "认可"])
        self.assertTrue(all(x[2] == self.o1["number"] for x in body))
        self.assertTrue(all("13800138000" not in "".join(x) for x in rows))
        st, _, data = self.srv.raw("GET", f"/api/reports/callbacks/sheet.xlsx?from={self.d1}&to={self.d3}",
                                   headers=auth)
        self.assertEqual(st, 200)
        (rows,) = xlsx_sheets(data).values()
        self.assertEqual(rows[0][0], "用户回访表")
        body = [x for x in rows[3:] if x and x[0].isdigit()]
        self.assertEqual([(x[1], x[5], x[8]) for x in body], [(self.o1["number"], "2", "认可")])
        # A period without attempts: the sheet is its heading only (the empty
        # list once reached qsort as NULL, which the sanitizers' build aborts on).
        empty = self.d1 - datetime.timedelta(days=10)
        st, _, data = self.srv.raw("GET", f"/api/reports/callbacks/sheet.xlsx?from={empty}&to={empty}",
                                   headers=auth)
        self.assertEqual(st, 200)
        (rows,) = xlsx_sheets(data).values()
        self.assertEqual(rows[0][0], "用户回访表")
        self.assertEqual([x for x in rows[3:] if x and x[0].isdigit()], [])
        st, _, _ = self.srv.raw("GET", f"/api/reports/callbacks/log.xlsx?from={self.d2}&to={self.d2}",
                                headers={"Authorization": "Bearer " + self.token("2001")})
        self.assertEqual(st, 403)


if __name__ == "__main__":
    unittest.main()
