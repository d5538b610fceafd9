"""Attendance (issue 14, WFM-5, WFM-4, CALL-15) over HTTP. A roster day is
written into the roster's and leave's tables (migration 15, the shared
contract; their own API is another module's), agents log in and set their
statuses through the acd endpoints while the test clock moves through the
day, and the day's figures and the month's sheet are recomputed here from
the raw rows of agent_state_log. The CALL-15 bypass (busy → break → busy)
is caught by the tick. Every refused path answers its status and writes
nothing; excuses are audited."""
import datetime
import sqlite3
from zoneinfo import ZoneInfo

from apihelp import HOUR, MINUTE, db_rows, db_value, person_id
from harness import KefuTestCase
from test_wfm_sheet import Workbook

TZ = ZoneInfo("Asia/Shanghai")
PHONE = ("ready", "ringing", "talking", "wrap_up")


def local_ms(day, minute):
    t = datetime.datetime(day.year, day.month, day.day, tzinfo=TZ) + datetime.timedelta(
        minutes=minute)
    return int(t.timestamp() * 1000)


def pieces(rows, a, b):
    """(from, to, status) pieces of the log in [a, b): the rules' step function."""
    st, out = "logged_out", []
    for r in rows:
        if r["at"] <= a:
            st = r["to_status"]
    t = a
    for r in rows:
        if r["at"] <= a:
            continue
        if r["at"] >= b:
            break
        if r["at"] > t:
            out.append((t, r["at"], st))
        t, st = r["at"], r["to_status"]
    if b > t:
        out.append((t, b, st))
    return out


def time_in(rows, a, b, states):
    return sum(y - x for x, y, s in pieces(rows, a, b) if s in states)


LOGGED_IN = PHONE + ("busy", "break")


def expected_day(rows, seg, now, arrive_before, day_start, day_end, break_allow, away_max):
    """WFM-5 recomputed for a one-segment shift that ends before the next day's."""
    a, b = seg
    end = min(b, now)
    worked = time_in(rows, a, end, LOGGED_IN)
    ps = [p for p in pieces(rows, a, end) if p[2] in LOGGED_IN]
    late = ps[0][0] - a if ps and pieces(rows, a, a + 1)[0][2] == "logged_out" else 0
    early = b - ps[-1][1] if ps and b <= now and ps[-1][1] < b else 0
    frame_end = min(day_end, now)
    total = time_in(rows, day_start, frame_end, LOGGED_IN)
    inside = time_in(rows, a - arrive_before, min(b, frame_end), LOGGED_IN)
    brk = time_in(rows, a, end, ("break",))
    phone = time_in(rows, a, end, PHONE)
    run, longest, over = 0, 0, 0
    for x, y, s in pieces(rows, day_start, frame_end):
        if s in ("busy", "break"):
            run += y - x
        else:
            longest, over, run = max(longest, run), over + (run >= away_max), 0
    longest, over = max(longest, run), over + (run >= away_max)
    elapsed = end - a
    def m(ms):
        return (ms + MINUTE // 2) // MINUTE

    return {
        "late_min": m(late), "early_min": m(early),
        "worked_min": m(worked), "missing_min": m(elapsed - worked),
        "overtime_min": m(total - inside),
        "busy_min": m(time_in(rows, a, end, ("busy",))), "break_min": m(brk),
        "away_longest_min": m(longest), "away_over": over,
        "adherence": round((phone + min(brk, break_allow)) * 1000 / elapsed) / 10,
        "conformance": round((worked + total - inside) * 1000 / elapsed) / 10,
    }


class AttendanceTest(KefuTestCase):
    # Hours of test clock pass between requests: sessions must outlive them.
    server_env = {"KEFU_SESSION_IDLE_MIN": "1440", "KEFU_SESSION_MAX_HOURS": "720"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        who = ("8001", "8002", "8101", "8102", "8103", "8104", "8105", "2001")
        cls.t = {w: srv.login(w) for w in who}
        cls.id = {w: person_id(srv, w) for w in who}
        now = srv.advance(0)
        # Tomorrow in the center's time zone: every instant of it is still ahead.
        cls.day = (datetime.datetime.fromtimestamp(now / 1000, TZ) + datetime.timedelta(days=1)).date()
        cls.month = cls.day.strftime("%Y-%m")
        d = cls.day.isoformat()
        early = db_value(srv, "SELECT id FROM wfm_shift_type WHERE code = 'early'")
        db = sqlite3.connect(srv.db, timeout=10)
        # Only a published roster counts.
        db.execute("INSERT OR IGNORE INTO wfm_roster(month, state, version, updated_at)"
                   " VALUES (?, 'published', 1, 0)", (cls.month,))
        for w in ("8101", "8102", "8103", "8104"):
            db.execute("INSERT INTO wfm_roster_entry(day, person_id, shift_type_id, updated_at)"
                       " VALUES (?, ?, ?, 0)", (d, cls.id[w], early))
        # 8103 on approved annual leave; 8104 on emergency leave whose paperwork
        # was due an hour before the day and never came (WFM-4: absence).
        db.execute("INSERT INTO wfm_leave(person_id, kind, first_day, last_day, state,"
                   " requested_at, updated_at) VALUES (?, 'annual', ?, ?, 'approved', 0, 0)",
                   (cls.id["8103"], d, d))
        db.execute("INSERT INTO wfm_leave(person_id, kind, first_day, last_day, state, emergency,"
                   " paperwork_due, requested_at, updated_at)"
                   " VALUES (?, 'sick', ?, ?, 'approved', 1, ?, 0, 0)",
                   (cls.id["8104"], d, d, local_ms(cls.day, -60)))
        db.commit()
        db.close()

    def at(self, minute):
        """Moves the test clock to this minute of the day."""
        now = self.srv.advance(0)
        target = local_ms(self.day, minute)
        assert target >= now, (target, now)
        return self.srv.advance(target - now)

    def status(self, who, status, reason=None):
        body = {"status": status}
        if reason:
            body["reason"] = reason
        st, b, _ = self.srv.call("POST", "/api/acd/me/status", body, token=self.t[who])
        self.assertEqual(st, 200, b)

    def get(self, path, who="8002"):
        return self.srv.call("GET", path, token=self.t[who])

    def log(self, who):
        return db_rows(self.srv, "SELECT at, to_status FROM agent_state_log WHERE person_id ="
                                 f" {self.id[who]} ORDER BY at, id")

    def row(self, body, who):
        return next(i for i in body["items"] if i["work_no"] == who)

    def test_a_day_from_the_status_log(self):
        srv, d = self.srv, self.day.isoformat()
        # 8101: in at 08:05 (late 5), busy 10:00, break 10:10, busy again 10:14
        # (CALL-15: one spell away), ready 10:20, out 15:50 (early 10).
        # 8105 has no shift that day and works 30 minutes: overtime (WFM-3).
        # Logged in afresh at 07:00: a day of test clock outlasts an idle session.
        self.at(7 * 60)
        self.t.update({w: srv.login(w) for w in self.t})
        self.at(8 * 60 + 5)
        self.status("8101", "ready")
        self.at(10 * 60)
        self.status("8101", "busy", "training")
        self.at(10 * 60 + 10)
        self.status("8101", "break")
        self.at(10 * 60 + 14)
        self.status("8101", "busy", "meeting")
        alerts = ("SELECT count(*) FROM notification WHERE kind = 'agent.busy_long'"
                  f" AND person_id = {self.id['8001']}")
        self.assertEqual(srv.count(alerts), 0)
        self.srv.advance(local_ms(self.day, 10 * 60 + 15) + 1000 - self.srv.advance(0))
        # The bypass is caught: 15 minutes away in all, once.
        self.assertEqual(srv.count(alerts), 1)
        self.at(10 * 60 + 20)
        self.status("8101", "ready")
        self.assertEqual(srv.count(alerts), 1)

        # An ongoing day: figures up to now.
        self.at(12 * 60)
        st, body, _ = self.get(f"/api/wfm/attendance?day={d}")
        self.assertEqual(st, 200, body)
        r = self.row(body, "8101")
        self.assertTrue(r["ongoing"])
        self.assertEqual(r["elapsed_min"], 240)
        self.assertEqual(r["late_min"], 5)
        self.assertEqual(r["early_min"], 0)
        self.assertIsNone(r["last_out"])

        self.at(13 * 60)
        self.status("8105", "ready")
        self.at(13 * 60 + 30)
        self.status("8105", "logged_out")
        self.at(15 * 60 + 50)
        self.status("8101", "logged_out")
        now = self.at(17 * 60)

        st, body, _ = self.get(f"/api/wfm/attendance?day={d}")
        self.assertEqual(st, 200, body)
        self.assertEqual(body["absent_after_min"], 60)
        self.assertEqual({i["work_no"] for i in body["items"]},
                         {"8101", "8102", "8103", "8104", "8105"})
        r = self.row(body, "8101")
        seg = (local_ms(self.day, 480), local_ms(self.day, 960))
        want = expected_day(self.log("8101"), seg, now, 15 * MINUTE, local_ms(self.day, 0),
                            local_ms(self.day, 1440), 30 * MINUTE, 15 * MINUTE)
        self.assertEqual({k: r[k] for k in want}, want)
        # The same figures by hand: the log above.
        self.assertEqual((r["late_min"], r["early_min"], r["busy_min"], r["break_min"]),
                         (5, 10, 16, 4))
        self.assertEqual((r["away_longest_min"], r["away_over"]), (20, 1))
        self.assertEqual((r["late"], r["early"], r["absent"], r["excused"]),
                         (True, True, False, False))
        self.assertEqual(r["shift"]["code"], "early")
        self.assertEqual(r["shift"]["from"], seg[0])
        rows = self.log("8101")
        self.assertEqual((r["first_in"], r["last_out"]), (rows[0]["at"], rows[-1]["at"]))
        self.assertEqual([x["to_status"] for x in (rows[0], rows[-1])], ["ready", "logged_out"])
        self.assertEqual(r["first_in"] // MINUTE, local_ms(self.day, 485) // MINUTE)
        self.assertFalse(r["ongoing"])
        # 8102 never came: absent. 8103 on leave. 8104's paperwork is overdue: absent.
        r = self.row(body, "8102")
        self.assertTrue(r["absent"])
        self.assertEqual((r["worked_min"], r["missing_min"]), (0, 480))
        self.assertIsNone(r["first_in"])
        r = self.row(body, "8103")
        self.assertTrue(r["on_leave"])
        self.assertFalse(r["absent"])
        self.assertEqual(r["leave"], {"kind": "annual", "emergency": False,
                                      "paperwork_overdue": False})
        r = self.row(body, "8104")
        self.assertTrue(r["absent"])
        self.assertTrue(r["leave"]["paperwork_overdue"])
        r = self.row(body, "8105")
        self.assertIsNone(r["shift"])
        self.assertEqual(r["overtime_min"], 30)
        self.assertIsNone(r["adherence"])

        # An agent sees only their own day; asking for another's is refused (audited).
        st, mine, _ = self.get(f"/api/wfm/attendance?day={d}", who="8101")
        self.assertEqual(st, 200, mine)
        self.assertEqual([i["work_no"] for i in mine["items"]], ["8101"])
        self.assertError(self.get(f"/api/wfm/attendance?day={d}&person_id={self.id['8102']}",
                                  who="8101"), 403)
        self.assertError(self.get(f"/api/wfm/attendance?day={d}", who="2001"), 403)
        self.assertError(self.get("/api/wfm/attendance?day=2026-13-01"), 400, field="day")
        self.assertError(self.get("/api/wfm/attendance"), 400, field="day")

        # The supervisor excuses 8102's absence (the shuttle bus was late).
        excuses = "SELECT count(*) FROM wfm_attend_excuse"
        url = "/api/wfm/attendance/excuses"
        body = {"person_id": self.id["8102"], "day": d, "reason": "班车晚点"}
        self.assertError(srv.call("POST", url, body, token=self.t["8101"]), 403)
        bad = [
            ({"person_id": self.id["8102"], "day": d}, 400, "reason"),
            ({"person_id": "x", "day": d, "reason": "x"}, 400, "person_id"),
            ({"person_id": self.id["8102"], "day": "tomorrow", "reason": "x"}, 400, "day"),
            ({**body, "extra": 1}, 400, None),
            ({**body, "reason": "   "}, 422, "reason"),
            ({**body, "reason": "长" * 201}, 422, "reason"),
            ({**body, "day": (self.day + datetime.timedelta(days=1)).isoformat()}, 422, "day"),
            # 8101's day before: no shift, no mark, nothing to excuse.
            ({**body, "person_id": self.id["8101"],
              "day": (self.day - datetime.timedelta(days=1)).isoformat()}, 422, "day"),
            # 8103 was on leave: nothing to excuse.
            ({**body, "person_id": self.id["8103"]}, 422, "day"),
            ({**body, "person_id": 999999}, 404, None),
        ]
        for b, status, field in bad:
            self.assertError(srv.call("POST", url, b, token=self.t["8002"]), status,
                             field=field)
        self.assertEqual(srv.count(excuses), 0)
        st, ex, _ = srv.call("POST", url, body, token=self.t["8002"])
        self.assertEqual(st, 201, ex)
        self.assertEqual((ex["day"], ex["reason"], ex["by_id"]), (d, "班车晚点", self.id["8002"]))
        self.assertError(srv.call("POST", url, body, token=self.t["8001"]), 409)
        self.assertEqual(srv.count(excuses), 1)
        entries = srv.audit(self.t["8001"], action="wfm.attendance.excuse")
        self.assertEqual(len(entries), 1)
        self.assertEqual(entries[0]["actor"], "8002")
        self.assertEqual(entries[0]["detail"]["reason"], "班车晚点")
        r = self.row(self.get(f"/api/wfm/attendance?day={d}")[1], "8102")
        self.assertTrue(r["absent"] and r["excused"])
        self.assertEqual(r["excuse"]["reason"], "班车晚点")

        # The month's sheet, recomputed from the day's rows above.
        st, sheet, _ = self.get(f"/api/wfm/attendance/month?month={self.month}")
        self.assertEqual(st, 200, sheet)
        s = self.row(sheet, "8101")
        self.assertEqual((s["days_scheduled"], s["days_worked"], s["late_days"], s["late_min"],
                          s["early_days"], s["early_min"], s["absent_days"]),
                         (1, 1, 1, 5, 1, 10, 0))
        s = self.row(sheet, "8102")
        self.assertEqual((s["absent_days"], s["excused_days"], s["days_worked"]), (0, 1, 0))
        s = self.row(sheet, "8103")
        self.assertEqual(s["leave_days"], {"annual": 1, "sick": 0, "personal": 0,
                                           "compensatory": 0})
        self.assertEqual(s["absent_days"], 0)
        s = self.row(sheet, "8104")
        self.assertEqual((s["absent_days"], s["leave_days"]["sick"]), (1, 0))
        s = self.row(sheet, "8105")
        self.assertEqual((s["days_scheduled"], s["days_worked"], s["overtime_min"]), (0, 1, 30))
        st, own, _ = self.get(f"/api/wfm/attendance/month?month={self.month}", who="8101")
        self.assertEqual([i["work_no"] for i in own["items"]], ["8101"])
        self.assertError(self.get("/api/wfm/attendance/month?month=2026-1"), 400, field="month")

        # Taking the excuse back: the absence counts again; audited.
        self.assertError(srv.call("DELETE", f"{url}/999999", token=self.t["8002"]), 404)
        self.assertError(srv.call("DELETE", f"{url}/{ex['id']}", token=self.t["8101"]), 403)
        st, b, _ = srv.call("DELETE", f"{url}/{ex['id']}", token=self.t["8002"])
        self.assertEqual(st, 200, b)
        self.assertEqual(srv.count(excuses), 0)
        self.assertEqual(len(srv.audit(self.t["8001"], action="wfm.attendance.unexcuse")), 1)
        s = self.row(self.get(f"/api/wfm/attendance/month?month={self.month}")[1], "8102")
        self.assertEqual((s["absent_days"], s["excused_days"]), (1, 0))

        # The sheet as the center's 考勤表 (.xlsx): the same figures, cell by cell.
        url = f"/api/wfm/attendance/month/export?month={self.month}"
        self.assertError(self.get(url, who="8101"), 403)
        self.assertError(self.get("/api/wfm/attendance/month/export?month=13"), 400, field="month")
        st, h, data = srv.raw("GET", url, headers={"Authorization": "Bearer " + self.t["8002"]})
        self.assertEqual(st, 200)
        self.assertTrue(h["content-disposition"].startswith(
            f'attachment; filename="attendance-{self.month}.xlsx"; filename*=UTF-8\'\''))
        wb = Workbook(data)
        self.assertEqual(wb.cells["A1"], "客服中心考勤表")
        self.assertEqual(wb.cells["A2"], f"{self.day.year}年{self.day.month:02d}月")
        self.assertEqual((wb.cells["F3"], wb.cells["F4"], wb.cells["L4"]), ("迟到", "次数", "年假"))
        sheet = {i["work_no"]: i for i in self.get(f"/api/wfm/attendance/month?month={self.month}")[1]["items"]}
        self.assertEqual([wb.cells[f"B{5 + k}"] for k in range(5)], sorted(sheet))
        for k, w in enumerate(sorted(sheet)):
            s, row = sheet[w], 5 + k
            want = [s["days_scheduled"], s["days_worked"], s["late_days"], s["late_min"],
                    s["early_days"], s["early_min"], s["absent_days"], s["excused_days"],
                    s["leave_days"]["annual"], s["leave_days"]["sick"],
                    s["leave_days"]["personal"], s["leave_days"]["compensatory"]]
            self.assertEqual([wb.cells[f"{c}{row}"] for c in "DEFGHIJKLMNO"], want, w)
            self.assertAlmostEqual(wb.cells[f"P{row}"], s["overtime_min"] / 60)
        self.assertEqual((wb.cells["A10"], wb.cells["F10"], wb.cells["J10"]), ("合计", 1, 2))
        self.assertEqual(wb.cells["P10"], 0.5)
        entries = srv.audit(self.t["8001"], action="wfm.attendance.export")
        self.assertEqual(len(entries), 1)
        self.assertEqual(entries[0]["detail"], {"month": self.month, "agents": 5,
                                                "language": "zh-CN"})

    def test_z_only_a_published_roster_counts(self):
        """A draft roster is a plan still being made: its days are nobody's schedule."""
        srv = self.srv
        later = self.day.replace(year=self.day.year + 1)
        month = later.strftime("%Y-%m")
        early = db_value(srv, "SELECT id FROM wfm_shift_type WHERE code = 'early'")
        db = sqlite3.connect(srv.db, timeout=10)
        db.execute("INSERT INTO wfm_roster(month, state, version, updated_at)"
                   " VALUES (?, 'draft', 0, 0)", (month,))
        db.execute("INSERT INTO wfm_roster_entry(day, person_id, shift_type_id, updated_at)"
                   " VALUES (?, ?, ?, 0)", (later.isoformat(), self.id["8102"], early))
        db.commit()

        def shift_of_8102():
            st, body, _ = srv.call("GET", f"/api/wfm/attendance?day={later.isoformat()}",
                                   token=self.t["8002"])
            self.assertEqual(st, 200, body)
            rows = [i for i in body["items"] if i["work_no"] == "8102"]
            return rows[0]["shift"] if rows else None

        self.assertIsNone(shift_of_8102())
        db.execute("UPDATE wfm_roster SET state = 'published' WHERE month = ?", (month,))
        db.commit()
        db.close()
        self.assertIsNotNone(shift_of_8102())
