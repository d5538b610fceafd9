"""The daily answer-rate test (每日接通率测试表, issue 17, LED-2) over HTTP:
the schedule (who may read and change it, every bad input refused with
nothing written, the change audited), the scheduler's tick placing a test
request at each scheduled time in the center's zone (moved with the test
clock: once per time, not before it, not past its grace, yesterday's last
time just after midnight), a manager's test now (409 while one runs), the
month's sheet with each day's and the month's figures recomputed here from
the raw rows of out_test and call_out, the sheet as .xlsx, and the calls
out on the wallboard's live figures recomputed from call_out.

The server runs without SIP: nothing claims the requests, so they stay
`requested` and the sheet shows them pending (the engine's results are
tested with SIP on in test_out_sip.py and below with SIP)."""
import datetime
import json
import os
import time
import unittest
from zoneinfo import ZoneInfo

from apihelp import db_rows, person_id
from harness import KefuTestCase
from test_hotline import HotlineCase
from test_wfm_sheet import Workbook

TZ = ZoneInfo("Asia/Shanghai")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def local(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, TZ)


def local_ms(d, hh, mm):
    return int(datetime.datetime(d.year, d.month, d.day, hh, mm, tzinfo=TZ).timestamp() * 1000)


class OutTestTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.t = {w: srv.login(w) for w in ("8001", "8002", "8101", "8301")}

    def now(self):
        return self.srv.call("GET", "/healthz")[1]["time"]

    def goto(self, ms):
        """Moves the test clock forward to ms (runs one scheduler round)."""
        now = self.now()
        self.assertGreaterEqual(ms, now, "the test clock only moves forward")
        t = self.srv.advance(ms - now)
        # Sessions idle past their limit ended with the jump: log in again.
        self.t.update({w: self.srv.login(w) for w in self.t})
        return t

    def schedule(self, body, who="8002"):
        return self.srv.call("PUT", "/api/out/tests/schedule", body, token=self.t[who])

    def rows_of_tests(self):
        return db_rows(self.srv, "SELECT t.id, t.day, t.slot, t.keys, t.wait_sec, t.at,"
                       " t.requested_by, o.id AS co, o.purpose, o.agent_id, o.number, o.ref_id,"
                       " o.state, o.result, o.requested_at FROM out_test t"
                       " JOIN call_out o ON o.id = t.call_out_id ORDER BY t.id")

    # -- the schedule --

    def test_1_schedule_default_and_who(self):
        denied = self.srv.count("SELECT count(*) FROM audit WHERE action = 'access.denied'")
        st, body, _ = self.srv.call("GET", "/api/out/tests/schedule", token=self.t["8301"])
        self.assertEqual(st, 200, body)
        self.assertEqual((body["enabled"], body["times"], body["keys"], body["wait_sec"]),
                         (False, [], "", 60))
        self.assertEqual(body["hotline"], "4000000000")
        # No keys: the caller's no-input path through the menu ends at the agent fall-back.
        self.assertEqual(body["route"], "agent")
        self.assertIsNone(body["next_at"])
        self.assertIsNone(body["updated_by"])
        # Agents read only their own outbound work: the center's test is not theirs.
        self.assertError(self.srv.call("GET", "/api/out/tests/schedule", token=self.t["8101"]),
                         403)
        self.assertError(self.schedule({"enabled": False}, who="8101"), 403)
        self.assertError(self.schedule({"enabled": False}, who="8301"), 403)
        self.assertEqual(self.srv.count(
            "SELECT count(*) FROM audit WHERE action = 'access.denied'"), denied + 3)

    def test_2_schedule_bad_input_writes_nothing(self):
        before = db_rows(self.srv, "SELECT * FROM out_test_settings")
        audits = self.srv.count("SELECT count(*) FROM audit WHERE action = 'out.test.schedule'")
        for body, status, field in (
                ({"times": "09:00"}, 400, "times"),
                ({"times": [900]}, 400, "times"),
                ({"times": ["25:00"]}, 422, "times"),
                ({"times": ["9:00"]}, 422, "times"),
                ({"times": ["09:00", "09:00"]}, 422, "times"),
                ({"times": [f"{h:02d}:00" for h in range(24)] + ["00:30"]}, 422, "times"),
                ({"keys": "1a"}, 422, "keys"),
                ({"keys": 1}, 400, "keys"),
                ({"keys": "1" * 17}, 422, "keys"),
                ({"wait_sec": 5}, 422, "wait_sec"),
                ({"wait_sec": 601}, 422, "wait_sec"),
                ({"wait_sec": "60"}, 400, "wait_sec"),
                ({"enabled": "yes"}, 400, "enabled"),
                ({"enabled": True}, 422, "times"),  # on without a time
                ({"enabled": True, "times": []}, 422, "times"),
                ({"colour": "red"}, 400, None)):
            with self.subTest(body=body):
                self.assertError(self.schedule(body), status, field=field)
        # A path that ends in an announcement and a hang-up: no agent could answer it.
        st, menu, _ = self.srv.call("GET", "/api/hotline/menu", token=self.t["8001"])
        self.assertEqual(st, 200, menu)
        nodes = menu["nodes"] + [{"digit": "9", "label": "通知", "action": "announce_hangup",
                                  "prompt": "out_of_hours"}]
        st, b, _ = self.srv.call("PUT", "/api/hotline/menu", {"nodes": nodes},
                                 token=self.t["8001"])
        self.assertEqual(st, 200, b)
        self.assertError(self.schedule({"keys": "9"}), 422, field="keys")
        # The Chinese message by default, without the rule's id.
        st, body, _ = self.srv.call("PUT", "/api/out/tests/schedule", {"wait_sec": 5},
                                    token=self.t["8002"], headers={"Accept-Language": None})
        self.assertEqual(st, 422)
        self.assertEqual(body["error"]["message"], "等待时间：10 至 600 秒")
        self.assertEqual(db_rows(self.srv, "SELECT * FROM out_test_settings"), before)
        self.assertEqual(
            self.srv.count("SELECT count(*) FROM audit WHERE action = 'out.test.schedule'"),
            audits)

    def test_3_schedule_put_and_tick(self):
        srv = self.srv
        now = self.now()
        # Start at the next local 08:00 (the server's clock is today's real time).
        day = local(now).date() + datetime.timedelta(days=1)
        self.goto(local_ms(day, 8, 0))
        st, body, _ = self.schedule({"enabled": True, "times": ["14:30", "09:00"], "keys": "1",
                                     "wait_sec": 45})
        self.assertEqual(st, 200, body)
        self.assertEqual(body["times"], ["09:00", "14:30"])
        self.assertEqual((body["enabled"], body["keys"], body["wait_sec"]), (True, "1", 45))
        self.assertEqual(body["route"], "market_consult")  # 1 业务咨询 in the menu (CALL-1)
        self.assertEqual(body["next_at"], local_ms(day, 9, 0))
        self.assertEqual(body["updated_by"], person_id(srv, "8002"))
        a = srv.audit(self.t["8001"], action="out.test.schedule")[0]
        detail = json.loads(a["detail"]) if isinstance(a["detail"], str) else a["detail"]
        self.assertEqual(detail["before"], {"enabled": False, "times": "", "keys": "",
                                            "wait_sec": 60})
        self.assertEqual(detail["after"], {"enabled": True, "times": "09:00,14:30", "keys": "1",
                                           "wait_sec": 45})
        # A PUT of one field keeps the others.
        st, body, _ = self.schedule({"wait_sec": 40})
        self.assertEqual((body["times"], body["keys"], body["wait_sec"]),
                         (["09:00", "14:30"], "1", 40))
        base = len(self.rows_of_tests())

        # LED-2: not before the time, once at it, not again within the grace.
        self.goto(local_ms(day, 8, 59) + 59000)
        self.assertEqual(len(self.rows_of_tests()), base)
        self.goto(local_ms(day, 9, 0) + 1000)
        rows = self.rows_of_tests()
        self.assertEqual(len(rows), base + 1)
        r = rows[-1]
        self.assertEqual((r["day"], r["slot"], r["keys"], r["wait_sec"], r["requested_by"]),
                         (int(day.strftime("%Y%m%d")), 540, "1", 40, None))
        # The request the engine claims: purpose test, no agent, the keys in number and
        # the wait in ref_id (call.h).
        self.assertEqual((r["purpose"], r["agent_id"], r["number"], r["ref_id"], r["state"]),
                         ("test", None, "1", 40, "requested"))
        self.goto(local_ms(day, 9, 5))
        self.goto(local_ms(day, 9, 14))
        self.assertEqual(len(self.rows_of_tests()), base + 1)
        req = srv.audit(self.t["8001"], action="out.test.request")
        self.assertEqual(len(req), 1)
        self.assertEqual(req[0]["actor"], "system")
        # Past the grace (15 min): 14:30 is skipped when the clock comes at 14:50.
        self.goto(local_ms(day, 14, 50))
        self.assertEqual(len(self.rows_of_tests()), base + 1)
        # A time added for later today fires at it; yesterday's 23:55 fires just after
        # midnight, for its own day.
        self.schedule({"times": ["09:00", "14:30", "15:00", "23:55"]})
        self.goto(local_ms(day, 15, 0))
        self.assertEqual(len(self.rows_of_tests()), base + 2)
        nxt = day + datetime.timedelta(days=1)
        self.goto(local_ms(nxt, 0, 5))
        rows = self.rows_of_tests()
        self.assertEqual(len(rows), base + 3)
        self.assertEqual((rows[-1]["day"], rows[-1]["slot"]),
                         (int(day.strftime("%Y%m%d")), 23 * 60 + 55))
        # Off: nothing more.
        self.schedule({"enabled": False})
        self.goto(local_ms(nxt, 9, 1))
        self.assertEqual(len(self.rows_of_tests()), base + 3)
        self.__class__.day = day

    def test_0_run_now_first(self):
        """Before any scheduled test runs: a manager's test now, then 409 while it runs."""
        srv = self.srv
        self.assertError(srv.call("POST", "/api/out/tests/run", {}, token=self.t["8101"]), 403)
        self.assertError(srv.call("POST", "/api/out/tests/run", {"keys": "x"},
                                  token=self.t["8001"]), 422, field="keys")
        self.assertError(srv.call("POST", "/api/out/tests/run", {"wait_sec": 9},
                                  token=self.t["8001"]), 422, field="wait_sec")
        self.assertError(srv.call("POST", "/api/out/tests/run", {"agent": 1},
                                  token=self.t["8001"]), 400)
        self.assertEqual(self.rows_of_tests(), [])
        st, body, _ = srv.call("POST", "/api/out/tests/run", {"keys": "2", "wait_sec": 30},
                               token=self.t["8001"])
        self.assertEqual(st, 201, body)
        self.assertEqual((body["slot"], body["keys"], body["wait_sec"], body["verdict"],
                          body["answered"], body["agent"]), (None, "2", 30, "pending", None, None))
        self.assertEqual(body["requested_by"], person_id(srv, "8001"))
        row = self.rows_of_tests()[-1]
        self.assertEqual((row["purpose"], row["number"], row["ref_id"], row["agent_id"]),
                         ("test", "2", 30, None))
        self.assertEqual(srv.audit(self.t["8001"], action="out.test.run")[0]["entity_id"],
                         str(body["id"]))
        self.assertError(srv.call("POST", "/api/out/tests/run", None, token=self.t["8002"]),
                         409)
        self.assertEqual(len(self.rows_of_tests()), 1)

    # -- the sheet --

    def expected(self, month):
        """The sheet recomputed from the raw rows: per day and the month."""
        rows = [r for r in self.rows_of_tests() if str(r["day"]).startswith(month.replace("-", ""))]
        days = {}
        for r in rows:
            v = ("answered" if r["result"] == "answered" else
                 "pending" if r["state"] != "ended" else
                 "not_answered" if r["result"] == "no_answer" else "failed")
            d = days.setdefault(r["day"], {"tests": 0, "answered": 0, "not_answered": 0,
                                           "failed": 0, "pending": 0})
            d["tests"] += 1
            d[v] += 1
        return rows, days

    def test_5_sheet(self):
        srv = self.srv
        day = self.day
        month = day.strftime("%Y-%m")
        self.assertError(srv.call("GET", "/api/out/tests?month=" + month, token=self.t["8101"]),
                         403)
        for bad in ("?month=", "?month=2026-13", "?month=2026-1", "?month=abc"):
            with self.subTest(q=bad):
                self.assertError(srv.call("GET", "/api/out/tests" + bad, token=self.t["8001"]),
                                 400, field="month")
        st, body, _ = srv.call("GET", "/api/out/tests?month=" + month, token=self.t["8301"])
        self.assertEqual(st, 200, body)
        rows, days = self.expected(month)
        self.assertEqual([i["id"] for i in body["items"]],
                         [r["id"] for r in sorted(rows, key=lambda r: (r["day"], r["at"], r["id"]))])
        for it in body["items"]:
            r = next(x for x in rows if x["id"] == it["id"])
            self.assertEqual(it["call_out_id"], r["co"])
            self.assertEqual(it["day"], f"{str(r['day'])[:4]}-{str(r['day'])[4:6]}-{str(r['day'])[6:]}")
            self.assertEqual(it["time"], local(r["at"]).strftime("%H:%M"))
            self.assertEqual(it["slot"], None if r["slot"] is None else
                             f"{r['slot'] // 60:02d}:{r['slot'] % 60:02d}")
            self.assertEqual((it["state"], it["verdict"], it["answered"], it["answer_ms"],
                              it["agent"]), ("requested", "pending", None, None, None))
        self.assertEqual([d["day"] for d in body["days"]],
                         [f"{str(k)[:4]}-{str(k)[4:6]}-{str(k)[6:]}" for k in sorted(days)])
        for d in body["days"]:
            e = days[int(d["day"].replace("-", ""))]
            for k in ("tests", "answered", "not_answered", "failed", "pending"):
                self.assertEqual(d[k], e[k], (d["day"], k))
            self.assertIsNone(d["answer_rate"])  # nothing reached the hotline yet
        self.assertEqual(body["total"]["tests"], len(rows))
        self.assertEqual(body["total"]["pending"], len(rows))
        self.assertIsNone(body["total"]["answer_rate"])
        # A month without tests.
        st, body, _ = srv.call("GET", "/api/out/tests?month=2020-01", token=self.t["8001"])
        self.assertEqual((body["items"], body["days"], body["total"]["tests"]), ([], [], 0))

    def test_6_export(self):
        srv = self.srv
        month = self.day.strftime("%Y-%m")
        self.assertError(srv.call("GET", "/api/out/tests/export?month=" + month,
                                  token=self.t["8101"]), 403)
        self.assertError(srv.call("GET", "/api/out/tests/export?month=" + month,
                                  token=self.t["8301"]), 403)
        self.assertError(srv.call("GET", "/api/out/tests/export?month=12-2026",
                                  token=self.t["8001"]), 400, field="month")
        st, hdr, data = srv.raw("GET", "/api/out/tests/export?month=" + month,
                                headers={"Authorization": "Bearer " + self.t["8002"]})
        self.assertEqual(st, 200)
        self.assertEqual(hdr["content-type"], XLSX)
        self.assertIn(f'filename="answer-rate-tests-{month}.xlsx"', hdr["content-disposition"])
        self.assertIn("filename*=UTF-8''", hdr["content-disposition"])
        wb = Workbook(data)
        self.assertTrue(wb.at(1, 0).endswith("每日接通率测试表"), wb.at(1, 0))
        y, m = month.split("-")
        self.assertEqual(wb.at(2, 0), f"{y}年{m}月")
        self.assertEqual([wb.at(3, c) for c in range(10)],
                         ["序号", "日期", "时间", "方式", "按键", "结果", "应答用时（秒）",
                          "接听工号", "接听人", "接通率（%）"])
        rows, days = self.expected(month)
        rows.sort(key=lambda r: (r["day"], r["at"], r["id"]))
        line, n = 4, 0
        for d in sorted(days):
            for r in (x for x in rows if x["day"] == d):
                n += 1
                self.assertEqual(wb.at(line, 0), float(n))
                self.assertEqual(wb.at(line, 2), local(r["at"]).strftime("%H:%M"))
                self.assertEqual(wb.at(line, 3), "手动" if r["slot"] is None else "定时")
                self.assertEqual(wb.at(line, 4), r["keys"])
                self.assertEqual(wb.at(line, 5), "进行中")
                line += 1
            self.assertEqual(wb.at(line, 0), f"{str(d)[4:6]}月{str(d)[6:]}日小计")
            self.assertEqual(wb.at(line, 5), "接通 0/0")
            line += 1
        self.assertEqual(wb.at(line, 0), "本月合计")
        a = srv.audit(self.t["8001"], action="out.test.export")[0]
        detail = json.loads(a["detail"]) if isinstance(a["detail"], str) else a["detail"]
        self.assertEqual(detail, {"month": month, "tests": len(rows), "language": "zh-CN"})

    # -- the wallboard --

    def test_7_live_figures(self):
        srv = self.srv
        st, body, _ = srv.call("GET", "/api/acd/live", token=self.t["8002"])
        self.assertEqual(st, 200, body)
        out = body["out"]
        frm, to = body["from"], body["to"]
        q = f"requested_at >= {frm} AND requested_at < {to}"
        self.assertEqual(out["tests"], srv.count(
            f"SELECT count(*) FROM call_out WHERE purpose = 'test' AND {q}"))
        self.assertEqual(out["attempts"], srv.count(
            f"SELECT count(*) FROM call_out WHERE purpose <> 'test' AND {q}"))
        self.assertEqual(out["answered"], srv.count(
            f"SELECT count(*) FROM call_out WHERE purpose <> 'test' AND answered_at IS NOT NULL"
            f" AND {q}"))
        self.assertEqual(out["dialing"], srv.count(
            "SELECT count(*) FROM call_out WHERE purpose <> 'test'"
            " AND state IN ('requested', 'agent', 'dialing')"))
        # A period with the tests of the schedule's first day.
        a, b = local_ms(self.day, 0, 0), local_ms(self.day + datetime.timedelta(days=1), 0, 0)
        st, body, _ = srv.call("GET", f"/api/acd/live?from={a}&to={b}", token=self.t["8002"])
        self.assertEqual(body["out"]["tests"], srv.count(
            f"SELECT count(*) FROM call_out WHERE purpose = 'test'"
            f" AND requested_at >= {a} AND requested_at < {b}"))
        self.assertGreaterEqual(body["out"]["tests"], 2)

    # -- the daily report (RPT-1) --

    def test_8_daily_report(self):
        srv = self.srv
        day = self.day.isoformat()
        st, body, _ = srv.call("GET", f"/api/reports/daily?from={day}&to={day}",
                               token=self.t["8001"])
        self.assertEqual(st, 200, body)
        d = body["days"][0]
        a, b = d["start"], d["end"]
        rows = db_rows(srv, "SELECT o.purpose, o.answered_at, c.metrics FROM call_out o"
                       " LEFT JOIN call c ON c.id = o.call_id"
                       f" WHERE o.requested_at >= {a} AND o.requested_at < {b}")
        calls = [r for r in rows if r["purpose"] != "test"]
        talk = sum(json.loads(r["metrics"] or "{}").get("talk_ms", 0) for r in calls)
        self.assertEqual(d["total"]["calls_out"], {
            "attempts": len(calls), "answered": sum(1 for r in calls if r["answered_at"]),
            "talk_ms": talk})
        # The day's answer-rate tests are on the sheet, not among the calls out.
        self.assertGreaterEqual(sum(1 for r in rows if r["purpose"] == "test"), 2)
        st, hdr, data = srv.raw("GET", f"/api/reports/daily.csv?from={day}&to={day}",
                                headers={"Authorization": "Bearer " + self.t["8001"]})
        self.assertEqual(st, 200)
        header = data.decode("utf-8-sig").splitlines()[0].split(",")
        self.assertEqual(header[-3:], ["外呼", "外呼接通", "外呼通话分钟"])


ENGINE = os.path.exists(os.path.join(os.path.dirname(__file__), "..", "..", "src", "call",
                                     "call_test.c"))


@unittest.skipUnless(ENGINE, "the engine's test calls (src/call/call_test.c) are not in this tree")
class OutTestEngineTest(KefuTestCase):
    """With SIP on and no agent's phone registered, the engine places the test call
    to the hotline and nobody answers it: after the wait the request ends
    `no_answer`, and the sheet shows the test not answered, the day's rate 0."""
    server_env = {"KEFU_SIP_LISTEN": "127.0.0.1:0"}

    def test_not_answered(self):
        srv = self.srv
        srv.sip_port()  # the SIP thread is up
        mgr = srv.login("8001")
        st, body, _ = srv.call("POST", "/api/out/tests/run", {"wait_sec": 10}, token=mgr)
        self.assertEqual(st, 201, body)
        tid, co = body["id"], body["call_out_id"]
        deadline, moved = time.time() + 40, False
        while time.time() < deadline:
            row = db_rows(srv, f"SELECT state, result FROM call_out WHERE id = {co}")[0]
            if row["state"] == "ended":
                break
            if not moved and time.time() > deadline - 37:
                srv.advance(11000)  # the engine's timers follow the test clock
                mgr = srv.login("8001")
                moved = True
            time.sleep(0.2)
        self.assertEqual((row["state"], row["result"]), ("ended", "no_answer"))
        month = local(body["at"]).strftime("%Y-%m")
        st, sheet, _ = srv.call("GET", "/api/out/tests?month=" + month, token=mgr)
        it = next(i for i in sheet["items"] if i["id"] == tid)
        self.assertEqual((it["verdict"], it["answered"], it["answer_ms"], it["agent"]),
                         ("not_answered", False, None, None))
        day = next(d for d in sheet["days"] if d["day"] == it["day"])
        self.assertEqual((day["not_answered"], day["answered"], day["answer_rate"]), (1, 0, 0.0))
        self.assertEqual(sheet["total"]["answer_rate"], 0.0)


@unittest.skipUnless(ENGINE, "the engine's test calls (src/call/call_test.c) are not in this tree")
class OutTestAnsweredTest(HotlineCase):
    """A ready agent's phone answers the test call: the sheet's time to answer is
    the inbound call's connected_at − started_at read from the call log, the agent
    is who the call log says answered, the day's and the month's rate are 1, the
    .xlsx row says 接通, and the wallboard counts the answered test."""

    def test_answered(self):
        srv = self.srv
        phone = self.agent("8103", "127.0.7.3")  # 杨帆, market_consult: key 1 (CALL-1)
        self.addCleanup(self.log_out, "8103")
        st, body, _ = srv.call("POST", "/api/out/tests/run", {"keys": "1", "wait_sec": 20},
                               token=self.manager)
        self.assertEqual(st, 201, body)
        tid, co = body["id"], body["call_out_id"]
        phone.ring(timeout=15)
        time.sleep(1.0)
        phone.answer(((8, "PCMA"),))
        deadline = time.time() + 20
        while True:
            row = db_rows(srv, f"SELECT state, result, call_id FROM call_out WHERE id = {co}")[0]
            if row["state"] == "ended":
                break
            self.assertLess(time.time(), deadline, row)
            time.sleep(0.2)
        self.assertEqual(row["result"], "answered")
        call = db_rows(srv, "SELECT c.started_at, c.connected_at, c.agent_id, p.work_no, p.name"
                       f" FROM call c JOIN person p ON p.id = c.agent_id WHERE c.id = {row['call_id']}")[0]
        want_ms = call["connected_at"] - call["started_at"]
        self.assertGreaterEqual(want_ms, 1000)  # the phone rang a second before it answered
        st, sheet, _ = srv.call("GET", "/api/out/tests", token=self.manager)  # this month
        self.assertEqual(st, 200, sheet)
        it = next(i for i in sheet["items"] if i["id"] == tid)
        self.assertEqual((it["verdict"], it["answered"], it["call_id"]),
                         ("answered", True, row["call_id"]))
        self.assertEqual(it["answer_ms"], want_ms)
        self.assertEqual(it["answer_seconds"], round(want_ms / 1000, 1))
        self.assertEqual(it["agent"], {"id": call["agent_id"], "work_no": "8103",
                                       "name": call["name"]})
        self.assertEqual(call["work_no"], "8103")
        day = next(d for d in sheet["days"] if d["day"] == it["day"])
        self.assertEqual((day["answered"], day["not_answered"], day["answer_rate"]), (1, 0, 1.0))
        self.assertEqual(day["answer_seconds_avg"], round(want_ms / 1000, 1))
        self.assertEqual(sheet["total"]["answer_rate"], 1.0)
        # The paper form.
        st, hdr, data = srv.raw("GET", "/api/out/tests/export",
                                headers={"Authorization": "Bearer " + self.manager})
        self.assertEqual(st, 200)
        wb = Workbook(data)
        self.assertEqual([wb.at(4, c) for c in (5, 7, 8)], ["接通", "8103", call["name"]])
        self.assertEqual(wb.at(4, 6), round(want_ms / 1000, 1))
        self.assertEqual(wb.at(5, 5), "接通 1/1")
        self.assertEqual(wb.at(5, 9), 100.0)
        # The wallboard: today's tests, one answered.
        st, live, _ = srv.call("GET", "/api/acd/live", token=self.manager)
        self.assertEqual((live["out"]["tests"], live["out"]["tests_answered"]), (1, 1))
        self.assertEqual(live["out"]["attempts"], 0)
