"""Shifts (issue 14, WFM-1): the shift types, the staffing settings and the
forecast with its overrides, over HTTP. Every path, the refused ones with
their status and Chinese message, nothing written on bad input, an audit
entry for every change. The forecast's figures are recomputed here from the
call rows the test writes straight into the database (as the call engine
writes them) and from the hotline calendar's rows, in Asia/Shanghai days."""
import datetime
import math
import sqlite3
import time
from zoneinfo import ZoneInfo

from harness import KefuTestCase

TZ = ZoneInfo("Asia/Shanghai")
DAY = 86400000
QUEUE = "tech_service"


def local_midnight_ms(date):
    return int(datetime.datetime(date.year, date.month, date.day, tzinfo=TZ).timestamp() * 1000)


def robust_mean(values):
    """The forecast's rule: drop values beyond median ± 3 MAD (none when MAD is 0)."""
    if not values:
        return 0.0
    v = sorted(values)

    def median(x):
        n = len(x)
        return x[n // 2] if n % 2 else (x[n // 2 - 1] + x[n // 2]) / 2

    med = median(v)
    mad = median(sorted(abs(x - med) for x in v))
    kept = [x for x in v if not (mad > 0 and abs(x - med) > 3 * mad)]
    return sum(kept) / len(kept)


def erlang_c_agents(calls, aht, pct, sec, shrink):
    """Agents for the target by the textbook formula (terms a^k / k! summed
    in floating point, independent of the server's recursion)."""
    if calls == 0:
        return 0, 0
    a = calls * aht / 1800
    n = math.floor(a) + 1
    while True:
        term, s = 1.0, 0.0
        for k in range(n):
            s += term
            term = term * a / (k + 1)
        top = term * n / (n - a)
        c = top / (s + top)
        if 1 - c * math.exp(-(n - a) * sec / aht) >= pct / 100 - 1e-12:
            return n, math.ceil(n / (1 - shrink / 100) - 1e-9)
        n += 1


class WfmTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.t = {w: srv.login(w) for w in ("8001", "8002", "8101", "2001")}
        # The next month in the center's time zone, and the history before today.
        now = datetime.datetime.now(TZ)
        cls.today = now.date()
        first = (cls.today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        cls.month = f"{first.year:04d}-{first.month:02d}"
        cls.first = first
        # Calls of the 20 days before today: at 09:00-09:30 (interval 18) 3 + the
        # weekday's number + the weeks back, at 14:00-14:30 (interval 28) 2; a storm of 40 at 09:00
        # ten days ago (an outlier among its weekday's); answered calls of 100 s
        # and 300 s of talk (AHT 200 s), unanswered ones in between.
        db = sqlite3.connect(srv.db, timeout=10)
        cls.holiday_hist = cls.today - datetime.timedelta(days=5)
        for back in range(1, 21):
            day = cls.today - datetime.timedelta(days=back)
            m0 = local_midnight_ms(day)
            n18 = 3 + day.isoweekday() + back // 7 if back != 10 else 40
            if day == cls.holiday_hist:
                n18 = 11
            for i in range(n18):
                at = m0 + 18 * 1800000 + i * 1000
                talk = (100, 300, None)[i % 3]
                db.execute(
                    "INSERT INTO call(sip_call_id, caller, called, started_at, queue,"
                    " queued_at, connected_at, ended_at, outcome)"
                    " VALUES (?, '13900139000', '4000000000', ?, ?, ?, ?, ?, ?)",
                    (f"wfm-{at}", at, QUEUE, at, at + 2000 if talk else None,
                     at + 2000 + (talk or 30) * 1000, "answered" if talk else "abandoned"))
            for i in range(2):
                at = m0 + 28 * 1800000 + i * 1000
                db.execute(
                    "INSERT INTO call(sip_call_id, caller, called, started_at, queue,"
                    " ended_at, outcome) VALUES (?, '1', '2', ?, ?, ?, 'abandoned')",
                    (f"wfm-b{at}", at, "market_consult", at + 1000))
        # The hotline calendar: a holiday in the history and on the month's 1st,
        # the month's first Saturday a make-up working day kept as a Monday.
        cls.makeup = next(first + datetime.timedelta(days=k) for k in range(1, 8)
                          if (first + datetime.timedelta(days=k)).isoweekday() == 6)
        db.execute("INSERT INTO hotline_closed_day(day, name) VALUES (?, '测试假日'), (?, '元旦')",
                   (cls.holiday_hist.isoformat(), first.isoformat()))
        db.execute("INSERT INTO hotline_open_day(day, name, as_weekday) VALUES (?, '调休', 1)",
                   (cls.makeup.isoformat(),))
        db.commit()
        db.close()

    def call(self, method, path, body=None, who="8002", **kw):
        return self.srv.call(method, path, body, token=self.t[who], **kw)

    def zh(self, method, path, body=None, who="8002"):
        return self.srv.call(method, path, body, token=self.t[who],
                             headers={"Accept-Language": "zh-CN"})

    def types_count(self):
        return self.srv.count("SELECT count(*) FROM wfm_shift_type")

    def audits(self, action):
        return self.srv.audit(self.t["8001"], action=action)

    # ---- shift types ----

    def test_shift_types_seeded_and_read_by_agents(self):
        for who in ("8001", "8002", "8101"):
            st, body, _ = self.call("GET", "/api/wfm/shift-types", who=who)
            self.assertEqual(st, 200, body)
        by = {t["code"]: t for t in body["items"]}
        self.assertEqual((by["early"]["name"], by["early"]["segments"]),
                         ("早班", [{"start": 480, "end": 960}]))
        self.assertEqual((by["middle"]["name"], by["middle"]["segments"]),
                         ("中班", [{"start": 960, "end": 1440}]))
        self.assertEqual((by["night"]["name"], by["night"]["segments"]),
                         ("夜班", [{"start": 0, "end": 480}]))
        self.assertEqual((by["office"]["name"], by["office"]["office"]), ("行政班", True))
        self.assertFalse(by["middle"]["crosses_midnight"])
        self.assertEqual(by["early"]["length_min"], 480)
        self.assertError(self.call("GET", "/api/wfm/shift-types", who="2001"), 403)

    def test_create_crossing_and_split_shifts(self):
        st, body, _ = self.call("POST", "/api/wfm/shift-types", {
            "code": "cross_night", "name": "跨夜班", "segments": [{"start": 1320, "end": 360}],
            "paid_min": 450, "break_min": 30, "colour": "#123abc"})
        self.assertEqual(st, 201, body)
        self.assertEqual((body["crosses_midnight"], body["length_min"], body["active"]),
                         (True, 480, True))
        a = self.audits("wfm.shift_type.create")[0]
        self.assertEqual((a["entity"], str(a["entity_id"])), ("wfm_shift_type", str(body["id"])))
        self.assertEqual(a["detail"]["after"]["code"], "cross_night")
        st, body, _ = self.call("POST", "/api/wfm/shift-types", {
            "code": "split", "name": "天地班",
            "segments": [{"start": 420, "end": 660}, {"start": 1020, "end": 1260}],
            "paid_min": 480})
        self.assertEqual(st, 201, body)
        self.assertEqual((body["length_min"], body["break_min"], body["colour"]),
                         (480, 0, "#909399"))
        self.assertEqual(self.srv.count(
            "SELECT seg2_start * 10000 + seg2_end FROM wfm_shift_type WHERE code = 'split'"),
            10201260)

    def test_create_refused_writes_nothing(self):
        before = self.types_count()
        audits = len(self.audits("wfm.shift_type.create"))
        # Every broken rule at once, in Chinese by default.
        st, body, _ = self.zh("POST", "/api/wfm/shift-types", {
            "code": "Bad Code", "name": "x", "segments": [{"start": 480, "end": 960}],
            "paid_min": 500, "colour": "red"})
        self.assertEqual(st, 422, body)
        self.assertEqual(body["error"]["field"], "code")
        self.assertIn("编码", body["error"]["message"])
        self.assertEqual([e["field"] for e in body["error"]["errors"]][-2:],
                         ["paid_min", "colour"])
        self.assertTrue(any("计薪时长" in e["message"] for e in body["error"]["errors"]))
        # Overlapping segments of a split shift.
        st, body, _ = self.zh("POST", "/api/wfm/shift-types", {
            "code": "overlap", "name": "重叠",
            "segments": [{"start": 420, "end": 700}, {"start": 660, "end": 900}],
            "paid_min": 60})
        self.assertEqual((st, body["error"]["field"]), (422, "segments"), body)
        self.assertIn("不重叠", body["error"]["message"])
        # Wrong types and unknown fields are 400.
        for bad in ({"code": "x1", "name": "x", "segments": "08:00-16:00", "paid_min": 60},
                    {"code": "x2", "name": "x", "segments": [{"start": 1}], "paid_min": 60},
                    {"code": "x3", "name": "x", "segments": [{"start": 0, "end": 60}],
                     "paid_min": "60"},
                    {"code": "x4", "name": "x", "segments": [{"start": 0, "end": 60}]},
                    {"code": "x5", "name": "x", "segments": [{"start": 0, "end": 60}],
                     "paid_min": 60, "colour_name": "red"}):
            self.assertError(self.call("POST", "/api/wfm/shift-types", bad), 400)
        # A code in use.
        st, body, _ = self.zh("POST", "/api/wfm/shift-types", {
            "code": "early", "name": "早班二", "segments": [{"start": 480, "end": 960}],
            "paid_min": 450})
        self.assertEqual((st, body["error"]["field"]), (409, "code"), body)
        self.assertEqual(body["error"]["message"], "编码：已被使用")
        # Agents read, never write.
        self.assertError(self.call("POST", "/api/wfm/shift-types", {
            "code": "agent", "name": "x", "segments": [{"start": 0, "end": 60}],
            "paid_min": 60}, who="8101"), 403)
        self.assertEqual(self.types_count(), before)
        self.assertEqual(len(self.audits("wfm.shift_type.create")), audits)
        denied = self.audits("access.denied")[0]
        self.assertEqual((denied["detail"]["permission"], denied["detail"]["path"]),
                         ("wfm.config", "/api/wfm/shift-types"))

    def test_update_and_deactivate(self):
        st, body, _ = self.call("POST", "/api/wfm/shift-types", {
            "code": "short", "name": "短班", "segments": [{"start": 600, "end": 840}],
            "paid_min": 240})
        self.assertEqual(st, 201, body)
        sid = body["id"]
        st, body, _ = self.call("PATCH", f"/api/wfm/shift-types/{sid}",
                                {"name": "短班（午）", "segments": [{"start": 660, "end": 900}]})
        self.assertEqual(st, 200, body)
        self.assertEqual((body["name"], body["segments"]),
                         ("短班（午）", [{"start": 660, "end": 900}]))
        a = self.audits("wfm.shift_type.update")[0]
        self.assertEqual(a["detail"]["before"]["name"], "短班")
        self.assertEqual(a["detail"]["after"]["segments"][0]["start"], 660)
        # Paid over the length less breaks: 422 with the limit, nothing changed.
        st, body, _ = self.zh("PATCH", f"/api/wfm/shift-types/{sid}",
                              {"paid_min": 200, "break_min": 60})
        self.assertEqual((st, body["error"]["field"]), (422, "paid_min"), body)
        self.assertIn("180", body["error"]["message"])
        self.assertEqual(self.srv.count(f"SELECT paid_min FROM wfm_shift_type WHERE id = {sid}"),
                         240)
        self.assertError(self.call("PATCH", f"/api/wfm/shift-types/{sid}", {"code": "x"}), 400)
        st, body, _ = self.zh("PATCH", "/api/wfm/shift-types/9999", {"name": "x"})
        self.assertEqual((st, body["error"]["message"]), (404, "没有这个班次类型"), body)
        self.assertError(self.call("PATCH", f"/api/wfm/shift-types/{sid}", {"name": "x"},
                                   who="8101"), 403)
        # Deactivated, never deleted; twice is 409.
        st, body, _ = self.call("POST", f"/api/wfm/shift-types/{sid}/deactivate")
        self.assertEqual((st, body["active"]), (200, False), body)
        self.assertEqual(self.audits("wfm.shift_type.deactivate")[0]["detail"]["code"], "short")
        st, body, _ = self.zh("POST", f"/api/wfm/shift-types/{sid}/deactivate")
        self.assertEqual((st, body["error"]["message"]), (409, "这个班次类型已经停用"), body)
        self.assertError(self.call("POST", "/api/wfm/shift-types/9999/deactivate"), 404)
        self.assertError(self.call("POST", f"/api/wfm/shift-types/{sid}/deactivate",
                                   who="8101"), 403)
        self.assertEqual(self.srv.count(f"SELECT count(*) FROM wfm_shift_type WHERE id = {sid}"),
                         1)
        st, body, _ = self.call("PATCH", f"/api/wfm/shift-types/{sid}", {"active": True})
        self.assertEqual((st, body["active"]), (200, True), body)

    # ---- settings ----

    def test_settings(self):
        st, body, _ = self.call("GET", "/api/wfm/settings")
        self.assertEqual((st, body), (200, {
            "sl_target_pct": 80, "sl_target_sec": 20, "shrinkage_pct": 30, "history_weeks": 8,
            "default_aht_sec": 180,
            # WFM-2, WFM-3 and the labour law.
            "publish_day": 28, "publish_remind_days": 3, "min_continuous_days": 7,
            "max_day_min": 480, "max_week_min": 2640, "min_rest_days_week": 1,
            # WFM-5, WFM-6, WFM-7.
            "absent_after_min": 60, "arrive_before_min": 15, "meeting_min": 10,
            "summary_min": 30, "handover_sign_min": 15}))
        self.assertError(self.call("GET", "/api/wfm/settings", who="8101"), 403)
        st, body, _ = self.zh("PATCH", "/api/wfm/settings",
                              {"sl_target_pct": 100, "shrinkage_pct": 95, "publish_day": 29})
        self.assertEqual((st, body["error"]["field"]), (422, "sl_target_pct"), body)
        self.assertEqual([e["field"] for e in body["error"]["errors"]],
                         ["sl_target_pct", "shrinkage_pct", "publish_day"])
        self.assertIn("至", body["error"]["message"])
        self.assertError(self.call("PATCH", "/api/wfm/settings", {"sl_target_pct": "90"}), 400)
        self.assertError(self.call("PATCH", "/api/wfm/settings", {"shrinkage_pct": 20},
                                   who="8101"), 403)
        self.assertEqual(self.srv.count(
            "SELECT value FROM wfm_setting WHERE key = 'sl_target_pct'"), 80)
        st, body, _ = self.call("PATCH", "/api/wfm/settings",
                                {"sl_target_sec": 15, "publish_day": 25})
        self.assertEqual((st, body["sl_target_sec"], body["sl_target_pct"], body["publish_day"]),
                         (200, 15, 80, 25))
        self.assertEqual(self.srv.count(
            "SELECT value FROM wfm_setting WHERE key = 'publish_day'"), 25)
        a = self.audits("wfm.settings.update")[0]
        self.assertEqual((a["detail"]["before"]["sl_target_sec"],
                          a["detail"]["after"]["sl_target_sec"]), (20, 15))
        st, body, _ = self.call("PATCH", "/api/wfm/settings",
                                {"sl_target_sec": 20, "publish_day": 28})
        self.assertEqual(st, 200, body)

    # ---- forecast ----

    def history(self, end=None):
        """The counts per (local day, interval) of the queue, from the raw rows,
        in the 8 weeks before end (today by default)."""
        weeks = 8
        end = end or self.today
        start = end - datetime.timedelta(days=7 * weeks)
        db = sqlite3.connect(self.srv.db, timeout=10)
        rows = db.execute("SELECT started_at, connected_at, ended_at FROM call WHERE queue = ?",
                          (QUEUE,)).fetchall()
        cal = dict(db.execute("SELECT day, 1 FROM hotline_closed_day").fetchall())
        makeup = dict(db.execute("SELECT day, as_weekday FROM hotline_open_day").fetchall())
        db.close()
        first_day = min(datetime.datetime.fromtimestamp(r[0] / 1000, TZ).date() for r in rows)
        start = max(start, first_day)
        counts, talk = {}, []
        for started, connected, ended in rows:
            t = datetime.datetime.fromtimestamp(started / 1000, TZ)
            if not (start <= t.date() < end):
                continue
            key = (t.date(), (t.hour * 60 + t.minute) // 30)
            counts[key] = counts.get(key, 0) + 1
            if connected is not None and ended > connected:
                talk.append((ended - connected) / 1000)

        def kind(d):
            if d.isoformat() in cal:
                return 7
            if d.isoformat() in makeup:
                return makeup[d.isoformat()] - 1
            return d.isoweekday() - 1

        days = [start + datetime.timedelta(days=k) for k in range((end - start).days)]
        return days, counts, kind, sum(talk) / len(talk)

    def test_forecast_recomputed_from_the_call_rows(self):
        st, body, _ = self.call("GET", f"/api/wfm/forecast?month={self.month}&queue={QUEUE}")
        self.assertEqual(st, 200, body)
        days, counts, kind, aht = self.history()
        self.assertEqual(body["aht_source"], "call_log")
        self.assertAlmostEqual(body["aht_sec"], round(aht, 2), places=2)
        self.assertEqual(body["history"]["days"], len(days))
        self.assertEqual(body["history"]["from"], days[0].isoformat())
        self.assertEqual(body["history"]["to"], days[-1].isoformat())
        self.assertEqual(body["history"]["days_by_kind"]["holiday"], 1)
        self.assertEqual(len(body["days"]), len({d["date"] for d in body["days"]}))
        self.assertEqual(body["days"][0]["date"], self.first.isoformat())
        checked = 0
        for day in body["days"]:
            d = datetime.date.fromisoformat(day["date"])
            k = kind(d)
            self.assertEqual(day["kind"], ["monday", "tuesday", "wednesday", "thursday", "friday",
                                           "saturday", "sunday", "holiday"][k])
            self.assertEqual(len(day["intervals"]), 48)
            for iv in day["intervals"]:
                vals = [counts.get((h, iv["interval"]), 0) for h in days if kind(h) == k]
                if k == 7 and not vals:
                    vals = [counts.get((h, iv["interval"]), 0) for h in days if kind(h) == 6]
                want = round(robust_mean(vals), 2)
                self.assertAlmostEqual(iv["contacts"], want, places=6, msg=(day["date"], iv))
                self.assertFalse(iv["override"])
                req, sched = erlang_c_agents(iv["contacts"], body["aht_sec"], 80, 20, 30)
                # aht_sec is rounded in the answer; the server uses the exact mean.
                if abs(body["aht_sec"] - aht) < 1e-9 or iv["contacts"] == 0:
                    self.assertEqual((iv["required"], iv["scheduled"]), (req, sched), iv)
                checked += 1
        self.assertEqual(checked, 48 * len(body["days"]))
        # The holiday on the 1st takes the history's holiday (11 at 09:00); the
        # make-up Saturday takes Monday's profile.
        self.assertEqual(body["days"][0]["kind"], "holiday")
        self.assertEqual(body["days"][0]["intervals"][18]["contacts"], 11)
        mk = next(x for x in body["days"] if x["date"] == self.makeup.isoformat())
        self.assertEqual((mk["kind"], mk["makeup_workday"], mk["makeup_as"]),
                         ("monday", True, 1))
        # The storm ten days ago is dropped: its weekday's 09:00 is the mean of
        # the other weeks' (3 + weekday + weeks back), whatever weekday it was.
        storm = self.today - datetime.timedelta(days=10)
        same = next(x for x in body["days"]
                    if datetime.date.fromisoformat(x["date"]).isoweekday() == storm.isoweekday()
                    and x["kind"] != "holiday" and not x["makeup_workday"])
        vals = [counts.get((h, 18), 0) for h in days if kind(h) == storm.isoweekday() - 1]
        self.assertIn(40, vals)
        rest = [v for v in vals if v != 40]
        self.assertTrue(rest)
        self.assertAlmostEqual(same["intervals"][18]["contacts"], round(sum(rest) / len(rest), 2),
                               places=6)
        self.assertLess(same["intervals"][18]["contacts"], 20)

    def test_forecast_of_this_month_learns_from_the_weeks_before_it(self):
        first = self.today.replace(day=1)
        st, body, _ = self.call(
            "GET", f"/api/wfm/forecast?month={first.year:04d}-{first.month:02d}&queue={QUEUE}")
        self.assertEqual(st, 200, body)
        db = sqlite3.connect(self.srv.db, timeout=10)
        earliest = db.execute("SELECT min(started_at) FROM call WHERE queue = ?",
                              (QUEUE,)).fetchone()[0]
        db.close()
        if datetime.datetime.fromtimestamp(earliest / 1000, TZ).date() >= first:
            # Early in a month every seeded call is in it: no history at all.
            self.assertEqual(body["history"]["days"], 0)
            return
        days, counts, kind, _ = self.history(end=first)
        self.assertEqual((body["history"]["from"], body["history"]["to"]),
                         (days[0].isoformat(), days[-1].isoformat()))
        for day in body["days"]:
            k = kind(datetime.date.fromisoformat(day["date"]))
            vals = [counts.get((h, 18), 0) for h in days if kind(h) == k]
            if k == 7 and not vals:
                vals = [counts.get((h, 18), 0) for h in days if kind(h) == 6]
            self.assertAlmostEqual(day["intervals"][18]["contacts"], round(robust_mean(vals), 2),
                                   places=6, msg=day["date"])

    def test_forecast_staffing_with_an_aht_parameter(self):
        st, body, _ = self.call("GET", f"/api/wfm/forecast?month={self.month}&queue={QUEUE}"
                                       "&aht=180")
        self.assertEqual((st, body["aht_source"], body["aht_sec"]), (200, "parameter", 180),
                         body)
        for day in body["days"]:
            for iv in day["intervals"]:
                self.assertEqual((iv["required"], iv["scheduled"]),
                                 erlang_c_agents(iv["contacts"], 180, 80, 20, 30), iv)
        # All queues: the market_consult calls at 14:00 count too.
        st, body, _ = self.call("GET", f"/api/wfm/forecast?month={self.month}")
        self.assertEqual((st, body["queue"]), (200, None), body)
        monday = next(x for x in body["days"] if x["kind"] == "monday")
        self.assertEqual(monday["intervals"][28]["contacts"], 2)
        # A queue with no calls: nothing forecast, no agents, the default AHT.
        st, body, _ = self.call("GET", f"/api/wfm/forecast?month={self.month}&queue=complaint")
        self.assertEqual((st, body["aht_source"], body["history"]["days"]), (200, "setting", 0))
        self.assertEqual(sum(d["contacts"] for d in body["days"]), 0)

    def test_forecast_refused(self):
        for q in ("", "month=2026-13", "month=2026-1", "month=abc"):
            st, body, _ = self.zh("GET", "/api/wfm/forecast?" + q)
            self.assertEqual((st, body["error"]["field"]), (400, "month"), body)
            self.assertEqual(body["error"]["message"], "月份：格式为 YYYY-MM")
        st, body, _ = self.zh("GET", f"/api/wfm/forecast?month={self.today.year + 2}-01")
        self.assertEqual((st, body["error"]["message"]), (422, "月份：最多提前一年"), body)
        st, body, _ = self.zh("GET", f"/api/wfm/forecast?month={self.month}&queue=nope")
        self.assertEqual((st, body["error"]["message"]), (422, "队列：没有这个队列"), body)
        self.assertError(self.call("GET", f"/api/wfm/forecast?month={self.month}&aht=0"), 400)
        for who in ("8101", "2001"):
            self.assertError(self.call("GET", f"/api/wfm/forecast?month={self.month}", who=who),
                             403)

    def test_overrides(self):
        d1 = f"{self.month}-02"
        path = f"/api/wfm/forecast/{self.month}"
        st, body, _ = self.call("PUT", path, {"queue": QUEUE, "overrides": [
            {"date": d1, "interval": 18, "contacts": 30},
            {"date": d1, "interval": 19, "contacts": 0}]}, who="8001")
        self.assertEqual(st, 200, body)
        self.assertEqual(body["overrides"], [{"date": d1, "interval": 18, "contacts": 30},
                                             {"date": d1, "interval": 19, "contacts": 0}])
        a = self.audits("wfm.forecast.override")[0]
        self.assertEqual((a["detail"]["month"], a["detail"]["queue"], a["detail"]["overrides"]),
                         (self.month, QUEUE, 2))
        st, body, _ = self.call("GET", f"/api/wfm/forecast?month={self.month}&queue={QUEUE}"
                                       "&aht=180")
        iv = body["days"][1]["intervals"]
        self.assertEqual((iv[18]["contacts"], iv[18]["override"]), (30, True))
        self.assertEqual((iv[19]["contacts"], iv[19]["override"], iv[19]["required"]),
                         (0, True, 0))
        self.assertEqual((iv[18]["required"], iv[18]["scheduled"]),
                         erlang_c_agents(30, 180, 80, 20, 30))
        self.assertFalse(iv[17]["override"])
        # Another queue's forecast is not touched.
        st, body, _ = self.call("GET", f"/api/wfm/forecast?month={self.month}")
        self.assertFalse(body["days"][1]["intervals"][18]["override"])
        # Refused, nothing written.
        rows = self.srv.count("SELECT count(*) FROM wfm_forecast_override")
        for bad, status, field in (
                ({"overrides": [{"date": "1999-01-01", "interval": 1, "contacts": 1}]}, 422,
                 "overrides"),
                ({"overrides": [{"date": d1, "interval": 48, "contacts": 1}]}, 422, "overrides"),
                ({"overrides": [{"date": d1, "interval": 1, "contacts": -1}]}, 422,
                 "overrides"),
                ({"overrides": [{"date": d1, "interval": 1, "contacts": 1},
                                {"date": d1, "interval": 1, "contacts": 2}]}, 422, "overrides"),
                ({"overrides": [{"date": d1, "interval": 1}]}, 400, "overrides"),
                ({"overrides": {}}, 400, "overrides"),
                ({}, 400, "overrides"),
                ({"queue": "nope", "overrides": []}, 422, "queue"),
                ({"queue": 5, "overrides": []}, 400, "queue")):
            st, body, _ = self.zh("PUT", path, bad)
            self.assertEqual((st, body["error"]["field"]), (status, field), (bad, body))
        st, body, _ = self.zh("PUT", path, {"overrides": [
            {"date": "1999-01-01", "interval": 1, "contacts": 1}]})
        self.assertEqual(body["error"]["message"], f"overrides[0].date：应为 {self.month} 中的一天")
        st, body, _ = self.zh("PUT", "/api/wfm/forecast/2026-13", {"overrides": []})
        self.assertEqual((st, body["error"]["message"]), (404, "没有这个月份（YYYY-MM）"), body)
        self.assertError(self.call("PUT", path, {"overrides": []}, who="8101"), 403)
        self.assertEqual(self.srv.count("SELECT count(*) FROM wfm_forecast_override"), rows)
        # An empty list removes them.
        st, body, _ = self.call("PUT", path, {"queue": QUEUE, "overrides": []})
        self.assertEqual((st, body["overrides"]), (200, []), body)
        self.assertEqual(self.audits("wfm.forecast.override")[0]["detail"]["removed"], 2)
        self.assertEqual(self.srv.count("SELECT count(*) FROM wfm_forecast_override"), 0)


if __name__ == "__main__":
    import unittest
    unittest.main()
