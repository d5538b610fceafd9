"""Meetings, work logs and inspections (issue 19, MTG-1, LED-1) over HTTP, with the
test clock and one server.

Meetings: the schedules' meetings made by the tick two days ahead (recomputed here
from the schedules), the MTG-1 rules for calling one (a day's notice but for the
routine meeting, the weekly summary on Monday, the monthly summary before the 5th),
the notice a day ahead sent once to each attendee, attendance marked only once the
meeting has begun (409 before and when cancelled, nothing written; a marking after
the end audited as after the fact), minutes, action items tracked to done with one
reminder when due and the overdue list. Work logs (LED-1): written by their author
for today or yesterday, read by their author and the supervisor only, commented by
the supervisor only, the missing ones listed. Inspections with findings that
propose a penalty category. Role checks throughout."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apihelp import HOUR, MINUTE, db_rows, db_value, person_id
from harness import KefuTestCase

TZ = ZoneInfo("Asia/Shanghai")
DAY = 24 * HOUR


def local(ms):
    return datetime.fromtimestamp(ms / 1000, TZ)


def ms(dt):
    return int(dt.timestamp() * 1000)


def day_start(ms_):
    return ms(local(ms_).replace(hour=0, minute=0, second=0, microsecond=0))


def schedule_starts(sc, frm, to):
    """The starts of a schedule's meetings in [frm, to), as MTG-1's schedules say."""
    out = []
    d = local(day_start(frm))
    while ms(d) < to:
        at = ms(d) + sc["minute"] * MINUTE
        ok = (sc["freq"] == "daily" or
              (sc["freq"] == "weekly" and d.isoweekday() == sc["weekday"]) or
              (sc["freq"] == "monthly" and d.day == sc["monthday"]))
        if ok and frm <= at < to:
            out.append(at)
        d = (d + timedelta(days=1)).replace(hour=0)
    return out


class MeetingsTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.relogin()
        cls.ids = {w: person_id(srv, w) for w in ("8001", "8002", "8101", "8102", "8103")}

    @classmethod
    def relogin(cls):
        """Sessions end when the clock jumps past their idle time: fresh ones."""
        cls.mgr = cls.srv.login("8001")
        cls.sup = cls.srv.login("8002")
        cls.a1 = cls.srv.login("8101")
        cls.a2 = cls.srv.login("8102")

    def jump(self, ms_):
        now = self.srv.advance(ms_)
        self.relogin()
        return now

    def call(self, method, path, body=None, token=None, zh=False):
        headers = {"Accept-Language": "zh-CN"} if zh else None
        return self.srv.call(method, path, body, token=token or self.sup, headers=headers)

    def ok(self, resp, status=200):
        st, body, _ = resp
        self.assertEqual(st, status, body)
        return body

    def create(self, **kw):
        body = {"type": "coordination", "title": "协调会议", "duration_min": 30,
                "location": "会议室"}
        body.update(kw)
        return self.call("POST", "/api/mtg/meetings", body)

    def test_1_schedules_make_meetings_once(self):
        srv = self.srv
        now = srv.advance(0)  # one round of the scheduler: the tick runs
        scheds = self.ok(self.call("GET", "/api/mtg/schedules"))["items"]
        self.assertEqual({s["type"] for s in scheds if s["active"]},
                         {"daily", "weekly_summary", "monthly_summary"})
        expect = set()
        for sc in scheds:
            if sc["active"]:
                for at in schedule_starts(sc, day_start(now), now + 2 * DAY):
                    expect.add((sc["id"], at))
        rows = db_rows(srv, "SELECT schedule_id, starts_at FROM mtg_meeting"
                            " WHERE schedule_id IS NOT NULL")
        self.assertEqual({(r["schedule_id"], r["starts_at"]) for r in rows}, expect)
        # Every active agent attends each of them.
        agents = db_value(srv, "SELECT count(*) FROM person WHERE active = 1 AND roles & 8")
        for r in db_rows(srv, "SELECT id FROM mtg_meeting WHERE schedule_id IS NOT NULL"):
            self.assertEqual(db_value(srv, "SELECT count(*) FROM mtg_attendee WHERE"
                                           f" meeting_id = {r['id']}"), agents)
        # Another round a minute later makes none twice.
        self.jump(61 * 1000)
        again = srv.count("SELECT count(*) FROM mtg_meeting WHERE schedule_id IS NOT NULL")
        self.assertGreaterEqual(again, len(expect))
        self.assertEqual(srv.count("SELECT count(*) FROM (SELECT schedule_id, starts_at FROM"
                                   " mtg_meeting WHERE schedule_id IS NOT NULL GROUP BY 1, 2"
                                   " HAVING count(*) > 1)"), 0)
        # A schedule against MTG-1 is refused: the weekly summary on a Tuesday.
        st, body, _ = self.call("POST", "/api/mtg/schedules", {
            "type": "weekly_summary", "title": "周总结", "freq": "weekly", "weekday": 2,
            "minute": 600, "duration_min": 60}, zh=True)
        self.assertEqual(st, 422, body)
        self.assertEqual(body["error"]["message"], "周总结会每周一召开")
        # Agents do not edit the center's schedules.
        self.assertError(self.call("GET", "/api/mtg/schedules", token=self.a1), 403)
        changed = self.ok(self.call("PUT", f"/api/mtg/schedules/{scheds[3]['id']}",
                                    {"active": True, "minute": 1000}))
        self.assertTrue(changed["active"])
        self.assertEqual(changed["minute"], 1000)
        self.ok(self.call("PUT", f"/api/mtg/schedules/{scheds[3]['id']}", {"active": False}))

    def test_2_rules_for_calling_a_meeting(self):
        srv = self.srv
        now = srv.advance(0)
        before = srv.count("SELECT count(*) FROM mtg_meeting")
        # Less than a day ahead: no notice possible.
        st, body, _ = self.call("POST", "/api/mtg/meetings", {
            "type": "coordination", "title": "急会", "starts_at": now + 23 * HOUR}, zh=True)
        self.assertEqual(st, 422, body)
        self.assertEqual(body["error"]["message"], "会议须至少提前一天通知")
        # The weekly summary on a day that is not Monday; the monthly one on the 5th.
        d = local(now + 2 * DAY).replace(hour=10, minute=0, second=0, microsecond=0)
        while d.isoweekday() == 1:
            d += timedelta(days=1)
        self.assertError(self.create(type="weekly_summary", starts_at=ms(d)), 422)
        monday = d + timedelta(days=(8 - d.isoweekday()) % 7 or 7)
        fifth = (local(now) + timedelta(days=40)).replace(day=5, hour=10, minute=0, second=0,
                                                          microsecond=0)
        self.assertError(self.create(type="monthly_summary", starts_at=ms(fifth)), 422)
        # Bad fields, several at once, in Chinese.
        st, body, _ = self.call("POST", "/api/mtg/meetings", {"type": "party", "title": "",
                                                              "duration_min": 2}, zh=True)
        self.assertEqual(st, 400, body)
        self.assertEqual({e["field"] for e in body["error"]["errors"]} | {body["error"]["field"]},
                         {"type", "title", "starts_at", "duration_min"})
        self.assertIn("会议类型", body["error"]["message"])
        # Agents do not call meetings.
        self.assertError(self.call("POST", "/api/mtg/meetings", {
            "type": "coordination", "title": "x", "starts_at": now + 3 * DAY}, token=self.a1), 403)
        self.assertEqual(srv.count("SELECT count(*) FROM mtg_meeting"), before)
        # A weekly summary on Monday is called, with the agents as attendees.
        m = self.ok(self.create(type="weekly_summary", title="每周总结会", starts_at=ms(monday)),
                    201)
        self.assertEqual(m["state"], "scheduled")
        self.assertEqual(m["host_id"], self.ids["8002"])
        self.assertFalse(m["routine"])
        agents = db_value(srv, "SELECT count(*) FROM person WHERE active = 1 AND roles & 8")
        self.assertEqual(len(m["attendees"]), agents)

    def test_3_notice_a_day_ahead_once(self):
        srv = self.srv
        now = srv.advance(0)
        start = now + 2 * DAY + HOUR
        attendees = [self.ids["8101"], self.ids["8102"]]
        m = self.ok(self.create(title="卫生会议", type="hygiene", starts_at=start,
                                attendees=attendees), 201)
        self.assertEqual(sorted(a["person_id"] for a in m["attendees"]), sorted(attendees))
        notices = f"SELECT count(*) FROM notification WHERE kind = 'meeting.notice' AND text LIKE '%卫生会议%'"
        self.jump(61 * 1000)
        self.assertEqual(srv.count(notices), 0)  # not yet a day ahead
        now = self.jump(start - DAY - srv.advance(0) + MINUTE)
        self.assertGreaterEqual(now, start - DAY)
        self.assertEqual(srv.count(notices), 2)
        for pid in attendees:
            self.assertEqual(srv.count(notices + f" AND person_id = {pid}"), 1)
        self.jump(61 * 1000)
        self.assertEqual(srv.count(notices), 2)  # once
        got = self.ok(self.call("GET", f"/api/mtg/meetings/{m['id']}"))
        self.assertIsNotNone(got["notified_at"])
        # An attendee sees it; an agent who does not attend does not.
        self.ok(self.call("GET", f"/api/mtg/meetings/{m['id']}", token=self.a1))
        a3 = srv.login("8103")
        self.assertError(self.call("GET", f"/api/mtg/meetings/{m['id']}", token=a3), 403)
        listed = self.ok(self.call("GET", "/api/mtg/meetings?type=hygiene", token=a3))["items"]
        self.assertEqual(listed, [])
        # Cancelled before it begins: the attendees told; then nothing more may happen to it.
        got = self.ok(self.call("POST", f"/api/mtg/meetings/{m['id']}/cancel"))
        self.assertEqual(got["state"], "cancelled")
        self.assertEqual(srv.count("SELECT count(*) FROM notification WHERE kind ="
                                   " 'meeting.cancelled' AND text LIKE '%卫生会议%'"), 2)
        self.assertError(self.call("POST", f"/api/mtg/meetings/{m['id']}/cancel"), 409)
        self.jump(start - srv.advance(0) + MINUTE)
        st, body, _ = self.call("PUT", f"/api/mtg/meetings/{m['id']}/attendance",
                                {"person_id": self.ids["8101"], "status": "absent"}, zh=True)
        self.assertEqual(st, 409, body)
        self.assertEqual(body["error"]["message"], "会议已取消")
        self.assertEqual(srv.count(f"SELECT count(*) FROM mtg_attendee WHERE meeting_id ="
                                   f" {m['id']} AND marked_at IS NOT NULL"), 0)

    def test_4_attendance_minutes_and_actions(self):
        srv = self.srv
        now = srv.advance(0)
        three = [self.ids[w] for w in ("8101", "8102", "8103")]
        m = self.ok(self.call("POST", "/api/mtg/meetings", {
            "type": "daily", "title": "每日例会（加开）", "starts_at": now + 10 * MINUTE,
            "duration_min": 30, "attendees": three}), 201)
        self.assertTrue(m["routine"])
        path = f"/api/mtg/meetings/{m['id']}"
        # Before it begins: 409, nothing written.
        self.assertError(self.call("PUT", path + "/attendance",
                                   {"person_id": three[0], "status": "present"}), 409)
        self.assertError(self.call("PUT", path + "/minutes", {"minutes": "x"}), 409)
        self.assertEqual(srv.count(f"SELECT count(*) FROM mtg_attendee WHERE meeting_id ="
                                   f" {m['id']} AND marked_at IS NOT NULL"), 0)
        now = self.jump(15 * MINUTE)
        a = self.ok(self.call("PUT", path + "/attendance",
                              {"person_id": three[0], "status": "present"}))
        self.assertEqual((a["status"], a["marked_at"] >= now), ("present", True))
        self.ok(self.call("PUT", path + "/attendance", {"person_id": three[1], "status": "late"}))
        # An agent does not mark; someone not invited is not an attendee; a bad status is 400.
        self.assertError(self.call("PUT", path + "/attendance",
                                   {"person_id": three[2], "status": "absent"}, token=self.a1), 403)
        self.assertError(self.call("PUT", path + "/attendance",
                                   {"person_id": self.ids["8001"], "status": "absent"}), 422)
        self.assertError(self.call("PUT", path + "/attendance",
                                   {"person_id": three[2], "status": "asleep"}), 400)
        # After the meeting ended: marked, and audited as after the fact.
        self.jump(30 * MINUTE)
        self.ok(self.call("PUT", path + "/attendance", {"person_id": three[2], "status": "absent"}))
        entries = [e for e in srv.audit(self.mgr, entity="mtg_meeting", entity_id=m["id"])
                   if e["action"] == "mtg.attendance"]
        self.assertEqual(len(entries), 3)
        facts = sorted((e["detail"]["person_id"], e["detail"]["to"], e["detail"]["after_the_fact"])
                       for e in entries)
        self.assertEqual(facts, sorted([(three[0], "present", False), (three[1], "late", False),
                                        (three[2], "absent", True)]))
        # What perf reads: the late and absent marks with their times.
        rows = db_rows(srv, f"SELECT person_id, status FROM mtg_attendee WHERE meeting_id ="
                            f" {m['id']} AND status IN ('late', 'absent') ORDER BY marked_at")
        self.assertEqual([(r["person_id"], r["status"]) for r in rows],
                         [(three[1], "late"), (three[2], "absent")])
        # Minutes: the meeting is held.
        got = self.ok(self.call("PUT", path + "/minutes", {"minutes": "1. 通报昨日投诉情况"}))
        self.assertEqual((got["state"], got["minutes"]), ("held", "1. 通报昨日投诉情况"))

        # Action items: the owner is told; only the owner or a supervisor marks done, once.
        now = srv.advance(0)
        act = self.ok(self.call("POST", path + "/actions", {
            "title": "整理投诉口径", "owner_id": three[0], "due_at": now + HOUR}), 201)
        self.assertEqual((act["state"], act["overdue"]), ("open", False))
        self.assertEqual(srv.count(f"SELECT count(*) FROM notification WHERE person_id ="
                                   f" {three[0]} AND kind = 'meeting.action'"), 1)
        self.assertError(self.call("POST", path + "/actions", {
            "title": "x", "owner_id": three[0], "due_at": now - 1}), 422)
        self.assertError(self.call("POST", f"/api/mtg/actions/{act['id']}/done", {},
                                   token=self.a2), 403)
        done = self.ok(self.call("POST", f"/api/mtg/actions/{act['id']}/done",
                                 {"note": "已发群"}, token=self.a1))
        self.assertEqual((done["state"], done["note"], done["done_by"]),
                         ("done", "已发群", three[0]))
        self.assertError(self.call("POST", f"/api/mtg/actions/{act['id']}/done", {}), 409)
        # Another falls due: one reminder, and it is on the overdue list.
        act2 = self.ok(self.call("POST", path + "/actions", {
            "title": "更新排班说明", "owner_id": three[1], "due_at": now + 2 * HOUR}), 201)
        reminders = (f"SELECT count(*) FROM notification WHERE person_id = {three[1]}"
                     " AND kind = 'meeting.action' AND text LIKE '%已到期%'")
        self.jump(2 * HOUR + MINUTE)
        self.assertEqual(srv.count(reminders), 1)
        self.jump(2 * MINUTE)
        self.assertEqual(srv.count(reminders), 1)
        overdue = self.ok(self.call("GET", "/api/mtg/actions?overdue=1"))["items"]
        self.assertIn(act2["id"], [x["id"] for x in overdue])
        self.assertNotIn(act["id"], [x["id"] for x in overdue])
        self.assertTrue(all(x["overdue"] and x["state"] == "open" for x in overdue))
        # An agent's list is their own.
        mine = self.ok(self.call("GET", "/api/mtg/actions", token=self.a1))["items"]
        self.assertEqual({x["owner_id"] for x in mine}, {three[0]})

    def test_5_work_logs(self):
        srv = self.srv
        now = srv.advance(0)
        today = local(now).strftime("%Y-%m-%d")
        yesterday = (local(now) - timedelta(days=1)).strftime("%Y-%m-%d")
        old = (local(now) - timedelta(days=3)).strftime("%Y-%m-%d")
        log = self.ok(self.call("PUT", "/api/mtg/logs", {"kind": "day", "period": today,
                                                        "body": "接听 52 通"}, token=self.a1), 201)
        again = self.ok(self.call("PUT", "/api/mtg/logs", {"kind": "day", "period": today,
                                                          "body": "接听 53 通，回访 4 位"},
                                  token=self.a1))
        self.assertEqual((again["id"], again["body"]), (log["id"], "接听 53 通，回访 4 位"))
        self.ok(self.call("PUT", "/api/mtg/logs", {"kind": "day", "period": yesterday,
                                                  "body": "昨日补记"}, token=self.a1), 201)
        month = local(now).strftime("%Y-%m")
        self.ok(self.call("PUT", "/api/mtg/logs", {"kind": "month", "period": month,
                                                  "body": "本月总结"}, token=self.a1), 201)
        # Too old, malformed, in Chinese; nothing written.
        count = srv.count("SELECT count(*) FROM mtg_log")
        st, body, _ = self.call("PUT", "/api/mtg/logs", {"kind": "day", "period": old,
                                                        "body": "补写"}, token=self.a1, zh=True)
        self.assertEqual(st, 422, body)
        self.assertEqual(body["error"]["message"], "工作日志只能填写今天或昨天的")
        self.assertError(self.call("PUT", "/api/mtg/logs", {"kind": "day", "period": "2026-13-01",
                                                           "body": "x"}, token=self.a1), 400)
        self.assertEqual(srv.count("SELECT count(*) FROM mtg_log"), count)
        # Every write audited.
        writes = [e for e in srv.audit(self.mgr, entity="mtg_log", entity_id=log["id"])
                  if e["action"] == "mtg.log.write"]
        self.assertEqual(sorted(w["detail"]["created"] for w in writes), [False, True])
        # Another agent reads neither the log nor the author's list.
        self.assertError(self.call("GET", f"/api/mtg/logs/{log['id']}", token=self.a2), 403)
        self.assertError(self.call("GET", f"/api/mtg/logs?person_id={self.ids['8101']}",
                                   token=self.a2), 403)
        own = self.ok(self.call("GET", "/api/mtg/logs", token=self.a2))["items"]
        self.assertTrue(all(x["person_id"] == self.ids["8102"] for x in own))
        # Only the supervisor comments; the author is told and reads it.
        self.assertError(self.call("POST", f"/api/mtg/logs/{log['id']}/comments",
                                   {"body": "好"}, token=self.a1), 403)
        got = self.ok(self.call("POST", f"/api/mtg/logs/{log['id']}/comments",
                                {"body": "回访记录再细一些"}), 201)
        self.assertEqual([c["body"] for c in got["comment_list"]], ["回访记录再细一些"])
        self.assertEqual(srv.count(f"SELECT count(*) FROM notification WHERE person_id ="
                                   f" {self.ids['8101']} AND kind = 'worklog.comment'"), 1)
        mine = self.ok(self.call("GET", f"/api/mtg/logs/{log['id']}", token=self.a1))
        self.assertEqual(mine["comments"], 1)
        # The supervisor sees every day log of today and who has none.
        everyone = self.ok(self.call("GET", f"/api/mtg/logs?kind=day&from={today}&to={today}"))
        self.assertEqual([x["person_id"] for x in everyone["items"]], [self.ids["8101"]])
        missing = self.ok(self.call("GET", f"/api/mtg/logs/missing?day={today}"))
        expect = [r["id"] for r in db_rows(srv, "SELECT id FROM person WHERE active = 1 AND"
                                                " roles & 8 ORDER BY work_no")]
        expect.remove(self.ids["8101"])
        self.assertEqual([x["person_id"] for x in missing["items"]], expect)
        self.assertError(self.call("GET", "/api/mtg/logs/missing", token=self.a1), 403)

    def test_6_inspections(self):
        srv = self.srv
        now = srv.advance(0)
        before = srv.count("SELECT count(*) FROM mtg_finding")
        bad = {"area": "座席区", "findings": [
            {"person_id": self.ids["8101"], "item": "duty", "note": "玩游戏", "category": "bonus"}]}
        self.assertError(self.call("POST", "/api/mtg/inspections", bad), 400)
        self.assertError(self.call("POST", "/api/mtg/inspections", {"area": "座席区"},
                                   token=self.a1), 403)
        self.assertEqual(srv.count("SELECT count(*) FROM mtg_finding"), before)
        got = self.ok(self.call("POST", "/api/mtg/inspections", {
            "area": "座席区", "notes": "不定时抽查", "at": now - 10 * MINUTE, "findings": [
                {"person_id": self.ids["8101"], "item": "duty", "note": "上班时间玩手机游戏",
                 "category": "unrelated"},
                {"person_id": self.ids["8102"], "item": "hygiene", "note": "桌面杂乱"}]}), 201)
        self.assertEqual(got["findings"], 2)
        self.assertEqual([(f["person_id"], f["item"], f["category"]) for f in got["finding_list"]],
                         [(self.ids["8101"], "duty", "unrelated"), (self.ids["8102"], "hygiene", None)])
        listed = self.ok(self.call("GET", "/api/mtg/inspections"))["items"]
        self.assertEqual(listed[0]["id"], got["id"])
        self.assertEqual(self.ok(self.call("GET", f"/api/mtg/inspections/{got['id']}"))["area"],
                         "座席区")
        audit = srv.audit(self.mgr, entity="mtg_inspection", entity_id=got["id"])
        self.assertEqual(audit[0]["action"], "mtg.inspection.create")
        self.assertEqual(audit[0]["detail"]["findings"][0]["category"], "unrelated")
        # A loss's amount is entered by hand: no finding proposes it.
        loss = {"area": "座席区", "findings": [
            {"person_id": self.ids["8101"], "item": "records", "note": "备注错误", "category": "wrong_note"}]}
        self.assertError(self.call("POST", "/api/mtg/inspections", loss), 400)
        # The finding that proposes a penalty becomes a proposal in the ledger's
        # category (perf's tick, every minute), once however often it runs.
        fid = got["finding_list"][0]["id"]
        srv.advance(61000)
        srv.advance(61000)
        rows = db_rows(srv, "SELECT p.person_id, c.code, p.amount_fen, p.state, p.evidence"
                            " FROM perf_penalty p JOIN perf_penalty_category c ON c.id = p.category_id"
                            f" WHERE p.source = 'mtg_finding' AND p.source_id = {fid}")
        self.assertEqual(len(rows), 1, rows)
        self.assertEqual((rows[0]["person_id"], rows[0]["code"], rows[0]["amount_fen"],
                          rows[0]["state"]), (self.ids["8101"], "unrelated", 500, "proposed"))
        self.assertIn("上班时间玩手机游戏", rows[0]["evidence"])
        self.assertEqual(srv.count("SELECT count(*) FROM perf_penalty WHERE source = 'mtg_finding'"), 1)
