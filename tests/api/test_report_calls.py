"""The call report (issue 20, RPT-1): GET /api/reports/calls, its drill-down
/api/reports/calls/items, its .xlsx and the forms call_sheet and call_stats
(src/report/report_call*.c; report.h, "Calls", defines every figure).

The call engine is another part of kefu: these tests write the rows it would
write (call, call_event, call_out, acd_callback) straight into the database
while kefu runs, as test_live.py does, then recompute every figure here from
those raw rows by the definitions and compare: yesterday's from the summary
the scheduler keeps (srv.advance(0) runs a round), today's from the call log."""
import io
import json
import sqlite3
import xml.etree.ElementTree as ET
import zipfile

from apihelp import person_id
from harness import KefuTestCase

SEC = 1000
HOUR = 3600 * SEC
DAY = 24 * HOUR
SHANGHAI = 8 * HOUR
SL_MS = 20 * SEC
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
FIGS = ("inbound", "ivr", "closed", "queued", "answered", "answered_sl", "waiting",
        "abandoned_short", "abandoned_queue", "abandoned_ringing", "callback", "wait_ms",
        "wait_max_ms", "talk_ms", "out_attempts", "out_answered", "out_talk_ms", "cb_requested",
        "cb_done")


def ymd(ms):
    return int(((ms + SHANGHAI) // DAY) * DAY - SHANGHAI)


def date_text(ms):
    import datetime
    return (datetime.datetime.utcfromtimestamp((ms + SHANGHAI) / 1000)).strftime("%Y-%m-%d")


def ratio(n, d):
    return None if d <= 0 else round((n * 20000 + d) // (2 * d) / 10000, 4)


class Facts:
    """The figures recomputed from the raw rows, by report.h's definitions."""

    def __init__(self, db):
        self.db = db

    def calls(self, start, end, queue=None):
        rows = self.db.execute(
            "SELECT id, started_at, queue, queued_at, connected_at, ended_at, outcome, metrics"
            " FROM call WHERE direction = 'in' AND started_at >= ? AND started_at < ?"
            " ORDER BY started_at, id", (start, end)).fetchall()
        tests = {i for (i,) in self.db.execute(
            "SELECT call_id FROM call_out WHERE purpose = 'test' AND call_id IS NOT NULL")}
        out = []
        for r in rows:
            c = dict(zip(("id", "started_at", "queue", "queued_at", "connected_at", "ended_at",
                          "outcome", "metrics"), r))
            c["queue"] = c["queue"] or ""
            if c["id"] in tests or (queue is not None and c["queue"] != queue):
                continue
            ringing = self.db.execute(
                "SELECT COUNT(*) FROM call_event WHERE call_id = ? AND kind = 'offer_cancelled'"
                " AND json_extract(detail, '$.reason') = 'caller_gone'", (c["id"],)).fetchone()[0]
            reason = None
            if c["outcome"] == "abandoned":
                reason = ("ringing" if ringing else
                          "queue_short" if c["ended_at"] - c["queued_at"] < 5 * SEC else "queue")
            elif c["outcome"] in ("ivr", "callback"):
                reason = c["outcome"]
            c["reason"] = reason
            out.append(c)
        return out

    def item(self, c, figure):
        q, a = c["queued_at"] is not None, c["connected_at"] is not None
        return {
            "inbound": True, "ivr": c["outcome"] == "ivr", "closed": c["outcome"] == "closed",
            "queued": q, "answered": q and a,
            "answered_sl": q and a and c["connected_at"] - c["queued_at"] <= SL_MS,
            "not_sl": q and a and c["connected_at"] - c["queued_at"] > SL_MS,
            "waiting": q and not a and c["ended_at"] is None,
            "abandoned_short": c["reason"] == "queue_short",
            "abandoned_queue": c["reason"] == "queue",
            "abandoned_ringing": c["reason"] == "ringing",
            "callback": c["outcome"] == "callback"}[figure]

    def figures(self, start, end, queue=None):
        f = dict.fromkeys(FIGS, 0)
        for c in self.calls(start, end, queue):
            for k in ("inbound", "ivr", "closed", "queued", "answered", "answered_sl", "waiting",
                      "abandoned_short", "abandoned_queue", "abandoned_ringing", "callback"):
                f[k] += self.item(c, k)
            if self.item(c, "answered"):
                f["wait_ms"] += c["connected_at"] - c["queued_at"]
                f["talk_ms"] += json.loads(c["metrics"] or "{}").get("talk_ms", 0)
            if c["queued_at"] is not None and (c["connected_at"] or c["ended_at"]):
                f["wait_max_ms"] = max(f["wait_max_ms"],
                                       (c["connected_at"] or c["ended_at"]) - c["queued_at"])
        if not queue:
            for req, ans, talk in self.db.execute(
                    "SELECT o.requested_at, o.answered_at, json_extract(c.metrics, '$.talk_ms')"
                    " FROM call_out o LEFT JOIN call c ON c.id = o.call_id"
                    " WHERE o.purpose <> 'test' AND o.requested_at >= ? AND o.requested_at < ?",
                    (start, end)):
                f["out_attempts"] += 1
                f["out_answered"] += ans is not None
                f["out_talk_ms"] += talk or 0
        for (state,) in self.db.execute(
                "SELECT state FROM acd_callback WHERE requested_at >= ? AND requested_at < ?"
                " AND (? IS NULL OR queue = ?)", (start, end, queue, queue)):
            f["cb_requested"] += 1
            f["cb_done"] += state == "done"
        f["abandoned"] = f["abandoned_short"] + f["abandoned_queue"] + f["abandoned_ringing"]
        f["answer_rate"] = ratio(f["answered"], f["queued"])
        f["service_level"] = ratio(f["answered_sl"], f["queued"] - f["waiting"])
        f["abandon_rate"] = ratio(f["abandoned"], f["queued"])
        f["out_answer_rate"] = ratio(f["out_answered"], f["out_attempts"])
        f["asa_ms"] = (None if not f["answered"] else
                       (2 * f["wait_ms"] + f["answered"]) // (2 * f["answered"]))
        return f


class CallReportTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        now = srv.advance(0)
        local = now + SHANGHAI
        noon = local - local % DAY + 12 * HOUR + (DAY if local % DAY >= 12 * HOUR else 0)
        T = cls.T = srv.advance(noon - local)
        cls.today = ymd(T)
        cls.yday = cls.today - DAY
        cls.t = {w: srv.login(w) for w in ("8001", "8002", "8101")}
        agent = person_id(srv, "8101")
        db = cls.db = sqlite3.connect(srv.db, timeout=10, isolation_level=None)
        Y = T - DAY

        def call(start, queue=None, wait=None, answer=None, end=None, outcome=None, talk=None,
                 survey=None, ringing=False, direction="in", caller="13812345678"):
            q = start + 10 * SEC if queue else None
            conn = (q or start) + answer if answer is not None else None
            ended = (q or start) + end if end is not None else None
            cur = db.execute(
                "INSERT INTO call(sip_call_id, caller, called, started_at, answered_at, ended_at,"
                " queue, queued_at, agent_id, connected_at, outcome, hangup_first, survey,"
                " metrics, direction) VALUES (?, ?, '4000000000', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                " ?, ?)",
                (f"t-{start}-{queue}", caller, start, start, ended, queue, q,
                 agent if conn else None, conn, outcome, "caller" if ended else None, survey,
                 json.dumps({"talk_ms": talk}) if talk is not None else None, direction))
            cid = cur.lastrowid
            db.execute("INSERT INTO call_event(call_id, at, kind) VALUES (?, ?, 'invite')",
                       (cid, start))
            if ringing:
                db.execute("INSERT INTO call_event(call_id, at, kind, detail) VALUES"
                           " (?, ?, 'offer_cancelled', '{\"reason\": \"caller_gone\"}')",
                           (cid, ended))
            if ended:
                db.execute("INSERT INTO call_event(call_id, at, kind) VALUES (?, ?, 'ended')",
                           (cid, ended))
            return cid

        mc, ts = "market_consult", "tech_service"
        cls.calls = {
            "y_ans": call(Y - 40 * SEC, mc, answer=10 * SEC, end=310 * SEC, outcome="answered",
                          talk=300000, survey=5),
            "y_late": call(Y + 1000 * SEC, mc, answer=25 * SEC, end=90 * SEC,
                           outcome="answered", talk=60000),
            "y_short": call(Y + 2000 * SEC, mc, end=3 * SEC, outcome="abandoned"),
            "y_queue": call(Y + 3000 * SEC, mc, end=40 * SEC, outcome="abandoned"),
            "y_ring": call(Y + 4000 * SEC, ts, end=12 * SEC, outcome="abandoned", ringing=True),
            "y_cb": call(Y + 5000 * SEC, ts, end=130 * SEC, outcome="callback"),
            "y_ivr": call(Y + 2 * HOUR, end=30 * SEC, outcome="ivr"),
            "y_closed": call(Y - 3 * HOUR, end=8 * SEC, outcome="closed"),
            # Waits across midnight: counted on the day it started.
            "y_midnight": call(cls.today - 20 * SEC, mc),
            "t_ans": call(T - 3 * HOUR, mc, answer=20 * SEC, end=200 * SEC, outcome="answered",
                          talk=120000, survey=3),
            "t_short": call(T - 2 * HOUR, ts, end=4 * SEC, outcome="abandoned"),
            "t_out": call(T - HOUR, answer=0, end=60 * SEC, outcome="answered", talk=50000,
                          direction="out"),
            # The daily answer-rate test's own call to the hotline is no caller.
            "t_test": call(T - HOUR + 21 * SEC, mc, answer=3 * SEC, end=5 * SEC,
                           outcome="answered", talk=2000),
        }
        db.execute("UPDATE call SET connected_at = started_at + 5000 WHERE id = ?",
                   (cls.calls["t_out"],))
        for req, ans, cid, purpose in ((T - HOUR, T - HOUR + 5 * SEC, cls.calls["t_out"], "customer"),
                                       (T - HOUR + 10 * SEC, None, None, "callback"),
                                       (T - HOUR + 20 * SEC, T, cls.calls["t_test"], "test"),
                                       (Y + 3 * HOUR, None, None, "customer")):
            db.execute("INSERT INTO call_out(agent_id, number, purpose, state, requested_at,"
                       " answered_at, call_id) VALUES (?, '13900001111', ?, 'ended', ?, ?, ?)",
                       (None if purpose == "test" else agent, purpose, req, ans, cid))
        db.execute("INSERT INTO acd_callback(call_id, queue, phone, requested_at, state,"
                   " handled_by, handled_at) VALUES (?, 'tech_service', '13912345678', ?,"
                   " 'done', ?, ?)", (cls.calls["y_cb"], Y + 5140 * SEC, agent, T - HOUR))
        db.execute("INSERT INTO acd_callback(call_id, queue, phone, requested_at) VALUES"
                   " (?, 'tech_service', '13912345678', ?)", (cls.calls["t_short"], T - 2 * HOUR))
        cls.facts = Facts(db)
        # Two rounds: the first may only start the kind's change feed.
        srv.advance(0)
        srv.advance(0)

    @classmethod
    def tearDownClass(cls):
        cls.db.close()
        super().tearDownClass()

    def get(self, path, who="8002", status=200, headers=None):
        st, body, h = self.srv.call("GET", path, token=self.t[who], headers=headers)
        self.assertEqual(st, status, body)
        return body

    def period(self, frm=None, to=None, extra=""):
        return (f"from={date_text(frm or self.yday)}&to={date_text(to or self.today)}" + extra)

    def assert_figs(self, got, want, where):
        for k, v in want.items():
            self.assertEqual(got[k], v, f"{where}: {k}")

    def test_every_figure_from_the_raw_rows(self):
        body = self.get("/api/reports/calls?" + self.period())
        self.assertEqual(body["summary_through"], date_text(self.yday))
        self.assertEqual(body["sl_sec"], 20)
        self.assert_figs(body["total"], self.facts.figures(self.yday, self.today + DAY), "total")
        self.assertEqual([b["bucket"] for b in body["buckets"]],
                         [date_text(self.yday), date_text(self.today)])
        for b, start in zip(body["buckets"], (self.yday, self.today)):
            self.assert_figs(b, self.facts.figures(start, start + DAY), b["bucket"])
        self.assertEqual([h["hour"] for h in body["hours"]], list(range(24)))
        for h in body["hours"]:
            want = dict.fromkeys(("inbound", "answered", "talk_ms", "out_attempts"), 0)
            for day in (self.yday, self.today):
                f = self.facts.figures(day + h["hour"] * HOUR, day + (h["hour"] + 1) * HOUR)
                for k in want:
                    want[k] += f[k]
            self.assert_figs(h, want, f"hour {h['hour']}")
        queues = {q["queue"]: q for q in body["queues"]}
        self.assertEqual(queues["market_consult"]["name"], "业务咨询")
        for code in ("market_consult", "tech_service", "complaint"):
            self.assert_figs(queues[code], self.facts.figures(self.yday, self.today + DAY, code),
                             code)
        reasons = {r["reason"]: r["count"] for r in body["reasons"]}
        self.assertEqual(reasons, {"ivr": 1, "queue_short": 2, "queue": 1, "ringing": 1,
                                   "callback": 1})
        # One queue only, by month: the same figures as that queue's row.
        one = self.get("/api/reports/calls?" + self.period(extra="&group=all&queue=tech_service"))
        self.assert_figs(one["total"],
                         self.facts.figures(self.yday, self.today + DAY, "tech_service"), "one")
        self.assertEqual(len(one["buckets"]), 1)

    def test_summary_equals_facts_and_is_idempotent(self):
        q = "SELECT * FROM report_call_hour ORDER BY ymd, hour, queue"
        before = self.db.execute(q).fetchall()
        self.assertTrue(before)
        self.srv.advance(0)
        self.db.execute("INSERT OR IGNORE INTO report_dirty(kind, ymd) SELECT 'calls', ymd"
                        " FROM report_call_hour")
        self.srv.advance(0)
        self.assertEqual(self.db.execute(q).fetchall(), before)

    def test_a_call_that_ends_after_midnight_rebuilds_its_day(self):
        cid = self.calls["y_midnight"]
        y = self.get("/api/reports/calls?" + self.period(to=self.yday))["total"]
        self.assertEqual(y["waiting"], 1)
        conn = self.today + 5 * SEC
        self.db.execute("UPDATE call SET connected_at = ?, agent_id = ?, ended_at = ?,"
                        " outcome = 'answered', metrics = '{\"talk_ms\": 7000}' WHERE id = ?",
                        (conn, person_id(self.srv, "8101"), conn + 7 * SEC, cid))
        self.db.execute("INSERT INTO call_event(call_id, at, kind) VALUES (?, ?, 'ended')",
                        (cid, conn + 7 * SEC))
        self.srv.advance(0)
        y = self.get("/api/reports/calls?" + self.period(to=self.yday))["total"]
        self.assert_figs(y, self.facts.figures(self.yday, self.today), "rebuilt")
        self.assertEqual(y["waiting"], 0)

    def test_a_callback_done_later_rebuilds_the_day_it_was_left(self):
        day = self.get("/api/reports/calls?" + self.period(to=self.yday))["total"]
        cur = self.db.execute(
            "INSERT INTO acd_callback(call_id, queue, phone, requested_at) VALUES"
            " (?, 'market_consult', '13912345678', ?)", (self.calls["y_queue"], self.yday + HOUR))
        # A request of a closed day appears once its day is rebuilt; the
        # engine's call events mark it, as here the call's end.
        self.db.execute("INSERT INTO call_event(call_id, at, kind) VALUES (?, ?, 'recorded')",
                        (self.calls["y_queue"], self.T))
        self.srv.advance(0)
        after = self.get("/api/reports/calls?" + self.period(to=self.yday))["total"]
        self.assertEqual(after["cb_requested"], day["cb_requested"] + 1)
        self.assertEqual(after["cb_done"], day["cb_done"])
        self.db.execute("UPDATE acd_callback SET state = 'done', handled_at = ? WHERE id = ?",
                        (self.srv.advance(0), cur.lastrowid))
        self.srv.advance(0)
        done = self.get("/api/reports/calls?" + self.period(to=self.yday))["total"]
        self.assertEqual(done["cb_done"], day["cb_done"] + 1)
        self.assert_figs(done, self.facts.figures(self.yday, self.today), "callbacks")

    def test_the_calls_behind_each_figure(self):
        calls = self.facts.calls(self.yday, self.today + DAY)
        for fig in ("inbound", "ivr", "closed", "queued", "answered", "answered_sl", "not_sl",
                    "waiting", "abandoned_short", "abandoned_queue", "abandoned_ringing",
                    "callback"):
            with self.subTest(figure=fig):
                body = self.get("/api/reports/calls/items?" + self.period(
                    extra=f"&figure={fig}&limit=500"))
                self.assertEqual([i["id"] for i in body["items"]],
                                 [c["id"] for c in calls if self.facts.item(c, fig)])
        # Pages in order with the cursor; the number masked (CUST-2).
        ids, cursor = [], ""
        while True:
            body = self.get("/api/reports/calls/items?" + self.period(extra="&limit=3" + cursor))
            ids += [i["id"] for i in body["items"]]
            self.assertTrue(all(i["caller"] == "138****5678" for i in body["items"]))
            if not body["next_cursor"]:
                break
            cursor = "&cursor=" + body["next_cursor"]
        self.assertEqual(ids, [c["id"] for c in calls])
        ring = self.get("/api/reports/calls/items?" + self.period(
            extra="&figure=abandoned_ringing"))["items"][0]
        self.assertEqual((ring["reason"], ring["queue"], ring["wait_ms"]),
                         ("ringing", "tech_service", 12000))
        # One hour of one day.
        h = (self.T - 3 * HOUR - self.today) // HOUR
        body = self.get(f"/api/reports/calls/items?from={date_text(self.today)}"
                        f"&to={date_text(self.today)}&hour={h}")
        self.assertEqual([i["id"] for i in body["items"]], [self.calls["t_ans"]])

    def test_bad_input_and_who_may(self):
        for path, field in (("/api/reports/calls?to=2026-01-01", "from"),
                            ("/api/reports/calls?" + self.period(extra="&group=decade"), "group"),
                            ("/api/reports/calls?" + self.period(extra="&queue=nope"), "queue"),
                            ("/api/reports/calls/items?" + self.period(extra="&figure=x"),
                             "figure"),
                            ("/api/reports/calls/items?" + self.period(extra="&hour=3"), "hour"),
                            ("/api/reports/calls.xlsx?" + self.period(extra="&form=x"), "form")):
            with self.subTest(path=path):
                st, body, _ = self.srv.call("GET", path, token=self.t["8001"],
                                            headers={"Accept-Language": "zh-CN"})
                self.assertEqual(st, 400, body)
                self.assertEqual(body["error"]["field"], field)
                self.assertTrue(any("\u4e00" <= ch <= "\u9fff"
                                    for ch in body["error"]["message"]), body)
        self.get("/api/reports/calls?" + self.period(), who="8101", status=403)
        self.get("/api/reports/calls.xlsx?" + self.period(), who="8002", status=403)

    def xlsx(self, query):
        st, h, data = self.srv.raw("GET", "/api/reports/calls.xlsx?" + query,
                                   headers={"Authorization": "Bearer " + self.t["8001"]})
        self.assertEqual(st, 200, data[:200])
        self.assertIn("attachment", h["content-disposition"])
        z = zipfile.ZipFile(io.BytesIO(data))
        strings = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t"))
                   for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS)]
        styles = ET.fromstring(z.read("xl/styles.xml"))
        fmts = {f.get("numFmtId"): f.get("formatCode") for f in styles.iter(f"{{{NS['m']}}}numFmt")}
        xfs = list(styles.find("m:cellXfs", NS))

        def sheet(n):
            cells = {}
            for c in ET.fromstring(z.read(f"xl/worksheets/sheet{n}.xml")).iter(f"{{{NS['m']}}}c"):
                v = c.find("m:v", NS)
                fmt = fmts.get(xfs[int(c.get("s", 0))].get("numFmtId"))
                if v is not None:
                    cells[c.get("r")] = (strings[int(v.text)] if c.get("t") == "s"
                                         else float(v.text), fmt)
            return cells
        return z, sheet

    def test_the_statistics_workbook_with_its_charts(self):
        z, sheet = self.xlsx(self.period())
        s1 = sheet(1)
        self.assertEqual(s1["A1"][0], "话务统计表")
        self.assertEqual([s1[f"{c}3"][0] for c in "ABFJK"],
                         ["时段", "来电", "接听", "接通率", "服务水平"])
        for row, start in ((4, self.yday), (5, self.today)):
            f = self.facts.figures(start, start + DAY)
            self.assertEqual(s1[f"A{row}"][0], date_text(start))
            self.assertEqual(s1[f"B{row}"][0], f["inbound"])
            self.assertEqual(s1[f"F{row}"][0], f["answered"])
            self.assertEqual(s1[f"H{row}"][0], f["abandoned"])
            self.assertAlmostEqual(s1[f"J{row}"][0], f["answer_rate"], places=4)
            self.assertEqual(s1[f"J{row}"][1], "0.0%")
            self.assertAlmostEqual(s1[f"M{row}"][0] * DAY, f["talk_ms"] / f["answered"], places=0)
            self.assertEqual(s1[f"M{row}"][1], "[h]:mm:ss")
        total = self.facts.figures(self.yday, self.today + DAY)
        self.assertEqual(s1["A6"][0], "合计")
        self.assertEqual(s1["B6"][0], total["inbound"])
        names = z.namelist()
        self.assertIn("xl/charts/chart1.xml", names)
        self.assertIn("xl/charts/chart2.xml", names)
        chart = z.read("xl/charts/chart1.xml").decode()
        self.assertIn("<c:barChart>", chart)
        self.assertIn("$A$4:$A$5", chart)
        self.assertIn("<c:lineChart>", z.read("xl/charts/chart2.xml").decode())
        self.assertEqual(sheet(2)["A5"][0], "01:00")
        audit = self.srv.audit(self.t["8001"], action="report.export")
        self.assertTrue(any(json.dumps(a).find("call_stats") >= 0 for a in audit))

    def test_the_call_sheet(self):
        z, sheet = self.xlsx(self.period(extra="&form=call_sheet"))
        s = sheet(1)
        self.assertEqual(s["A1"][0], "电话接听记录表")
        self.assertEqual([s[f"{c}3"][0] for c in "ABCDEFGHIJKL"],
                         ["序号", "日期", "时间", "来电号码", "队列", "等待", "接听工号",
                          "接听坐席", "通话时长", "结果/挂断方", "满意度", "关联工单"])
        calls = self.facts.calls(self.yday, self.today + DAY)
        self.assertEqual(s[f"A{3 + len(calls)}"][0], len(calls))
        self.assertNotIn(f"A{4 + len(calls)}", {k for k, v in s.items() if v[1] is None and
                                                 isinstance(v[0], float)})
        first = calls[0]
        self.assertEqual(first["id"], self.calls["y_closed"])
        self.assertEqual(s["D4"][0], "138****5678")
        self.assertEqual(s["B4"][1], "yyyy-mm-dd")
        self.assertEqual(s["J4"][0], "非工作时间 / 客户挂断")
        row = 4 + [c["id"] for c in calls].index(self.calls["y_ans"])
        self.assertEqual(s[f"G{row}"][0], "8101")
        self.assertAlmostEqual(s[f"I{row}"][0] * DAY, 300000, places=0)
        self.assertEqual(s[f"I{row}"][1], "[h]:mm:ss")
        self.assertAlmostEqual(s[f"F{row}"][0] * DAY, 10000, places=0)
        self.assertEqual(s[f"K{row}"][0], 5)
