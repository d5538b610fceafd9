"""Leave and swaps (issue 14, WFM-3, WFM-4) over HTTP: every path, the
refused ones with their status and message, the roster's cells really
changed (and not before approval), the notifications to the right people and
the audit entries. The published roster is written straight into the
database (wfm_roster, wfm_roster_entry) as the roster's own API would,
around today's real date in Asia/Shanghai; the calendar's rules are tested
in a class of their own whose clock is moved to a Saturday."""
import datetime
import json
import sqlite3
from zoneinfo import ZoneInfo

from harness import KefuTestCase

TZ = ZoneInfo("Asia/Shanghai")
DAY = 86400000


def local_midnight_ms(date):
    return int(datetime.datetime(date.year, date.month, date.day, tzinfo=TZ).timestamp() * 1000)


class Roster:
    """Direct access to the test server's database for setup and checks."""

    def __init__(self, srv):
        self.srv = srv

    def db(self):
        return sqlite3.connect(self.srv.db, timeout=10)

    def person(self, work_no):
        with self.db() as db:
            return db.execute("SELECT id FROM person WHERE work_no = ?", (work_no,)).fetchone()[0]

    def shift(self, code):
        with self.db() as db:
            return db.execute("SELECT id FROM wfm_shift_type WHERE code = ?", (code,)).fetchone()[0]

    def publish(self, *months):
        with self.db() as db:
            for m in months:
                db.execute("INSERT OR REPLACE INTO wfm_roster(month, state, version, updated_at)"
                           " VALUES (?, 'published', 1, 0)", (m,))

    def draft(self, month):
        with self.db() as db:
            db.execute("INSERT OR REPLACE INTO wfm_roster(month, state, version, updated_at)"
                       " VALUES (?, 'draft', 0, 0)", (month,))

    def put(self, day, person, shift, skill=None):
        with self.db() as db:
            db.execute("INSERT OR REPLACE INTO wfm_roster_entry(day, person_id, shift_type_id,"
                       " skill, updated_at) VALUES (?, ?, ?, ?, 0)",
                       (day.isoformat(), person, shift, skill))

    def cell(self, day, person):
        with self.db() as db:
            row = db.execute("SELECT shift_type_id, skill FROM wfm_roster_entry"
                             " WHERE day = ? AND person_id = ?",
                             (day.isoformat(), person)).fetchone()
        return tuple(row) if row else None

    def notes(self, person, kind):
        with self.db() as db:
            return [r[0] for r in db.execute(
                "SELECT text FROM notification WHERE person_id = ? AND kind = ? ORDER BY id",
                (person, kind)).fetchall()]

    def exec(self, sql, args=()):
        with self.db() as db:
            db.execute(sql, args)


def month_of(d):
    return f"{d.year:04d}-{d.month:02d}"


class WfmLeaveTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.t = {w: srv.login(w) for w in ("8001", "8002", "8101", "8102", "8103", "8104",
                                           "8105", "8106", "2001")}
        cls.r = Roster(srv)
        cls.id = {w: cls.r.person(w) for w in cls.t}
        cls.early, cls.middle, cls.night = (cls.r.shift(c) for c in ("early", "middle", "night"))
        cls.today = datetime.datetime.now(TZ).date()
        # Every month from this one to three months on is published but the last, a draft.
        months = []
        d = cls.today.replace(day=1)
        for _ in range(3):
            months.append(month_of(d))
            d = (d + datetime.timedelta(days=32)).replace(day=1)
        cls.r.publish(*months)
        cls.draft_month = d
        cls.r.draft(month_of(d))

    def call(self, method, path, body=None, who="8002", **kw):
        return self.srv.call(method, path, body, token=self.t[who], **kw)

    def zh(self, method, path, body=None, who="8002"):
        return self.srv.call(method, path, body, token=self.t[who],
                             headers={"Accept-Language": "zh-CN"})

    def day(self, n):
        return self.today + datetime.timedelta(days=n)

    def audits(self, action, entity_id=None):
        items = self.srv.audit(self.t["8001"], action=action)
        return [a for a in items if entity_id is None or str(a["entity_id"]) == str(entity_id)]

    # ---- swaps ----

    def test_exchange_from_request_through_signature_to_approval(self):
        a, b = self.id["8101"], self.id["8102"]
        x, y = self.day(10), self.day(12)
        self.r.put(x, a, self.early, "tech_service")
        self.r.put(y, b, self.middle, "tech_service")
        st, w, _ = self.call("POST", "/api/wfm/swaps", {
            "kind": "exchange", "partner_id": b, "a_day": x.isoformat(), "b_day": y.isoformat(),
            "reason": "家里有事"}, who="8101")
        self.assertEqual(st, 201, w)
        self.assertEqual(w["state"], "asked")
        self.assertEqual(w["a"], {"day": x.isoformat(), "shift_type_id": self.early,
                                  "shift_name": "早班", "skill": "tech_service"})
        self.assertEqual(w["b"]["shift_type_id"], self.middle)
        # The partner is asked to counter-sign; nothing in the roster moved.
        self.assertIn("请签字确认", self.r.notes(b, "wfm.swap")[-1])
        self.assertEqual(self.r.cell(x, a), (self.early, "tech_service"))
        # WFM-3: the supervisor cannot approve before the counter-signature.
        resp = self.call("POST", f"/api/wfm/swaps/{w['id']}/approve")
        self.assertError(resp, 409)
        self.assertEqual(resp[1]["error"]["message"], "the other agent has not counter-signed yet")
        st, body, _ = self.zh("POST", f"/api/wfm/swaps/{w['id']}/approve")
        self.assertEqual(body["error"]["message"], "对方尚未签字，不能审批")
        # Only the agent asked signs: not the asker, not a third agent.
        for who in ("8101", "8103"):
            resp = self.call("POST", f"/api/wfm/swaps/{w['id']}/sign", who=who)
            self.assertError(resp, 409)
            self.assertEqual(resp[1]["error"]["message"],
                             "only the agent asked can counter-sign this swap")
        # An agent cannot approve at all (the policy).
        self.assertError(self.call("POST", f"/api/wfm/swaps/{w['id']}/approve", who="8102"), 403)
        before = len(self.r.notes(self.id["8001"], "wfm.swap"))
        st, w2, _ = self.call("POST", f"/api/wfm/swaps/{w['id']}/sign", who="8102")
        self.assertEqual(st, 200, w2)
        self.assertEqual(w2["state"], "signed")
        self.assertIsNotNone(w2["signed_at"])
        # The supervisor and the manager must approve; the asker should know.
        self.assertEqual(len(self.r.notes(self.id["8001"], "wfm.swap")), before + 1)
        self.assertIn("请审批", self.r.notes(self.id["8002"], "wfm.swap")[-1])
        self.assertIn("已签字同意您的调班申请", self.r.notes(a, "wfm.swap")[-1])
        # Signed is not approved: the roster is still as it was.
        self.assertEqual(self.r.cell(x, a), (self.early, "tech_service"))
        self.assertIsNone(self.r.cell(x, b))
        self.assertEqual(self.r.cell(y, b), (self.middle, "tech_service"))
        st, w3, _ = self.call("POST", f"/api/wfm/swaps/{w['id']}/approve", {"note": "同意"})
        self.assertEqual(st, 200, w3)
        self.assertEqual(w3["state"], "approved")
        self.assertEqual(w3["decided_by"]["id"], self.id["8002"])
        self.assertEqual(w3["decision_note"], "同意")
        # Both cells exchanged, seats with them.
        self.assertIsNone(self.r.cell(x, a))
        self.assertEqual(self.r.cell(x, b), (self.early, "tech_service"))
        self.assertIsNone(self.r.cell(y, b))
        self.assertEqual(self.r.cell(y, a), (self.middle, "tech_service"))
        for p in (a, b):
            self.assertIn("已获批准", self.r.notes(p, "wfm.swap")[-1])
        # Audited at every step; the approval lists the cells it changed.
        for action in ("wfm.swap.request", "wfm.swap.sign", "wfm.swap.approve"):
            self.assertEqual(len(self.audits(action, w["id"])), 1, action)
        detail = self.audits("wfm.swap.approve", w["id"])[0]["detail"]
        detail = json.loads(detail) if isinstance(detail, str) else detail
        self.assertEqual(sorted((c["day"], c["person_id"], c["shift_type_id"])
                                for c in detail["roster_changed"]),
                         sorted([(x.isoformat(), a, None), (x.isoformat(), b, self.early),
                                 (y.isoformat(), b, None), (y.isoformat(), a, self.middle)]))
        # WFM-2: the changed roster is filed as a new version of its month, with the
        # swap as the reason, holding the exchanged cells.
        with self.r.db() as db:
            filed = db.execute("SELECT v.id, v.month, v.version, r.version FROM wfm_roster_version v"
                               " JOIN wfm_roster r ON r.month = v.month WHERE v.reason = ?",
                               (f"调班 #{w['id']}",)).fetchall()
            self.assertEqual(sorted(f[1] for f in filed), sorted({month_of(x), month_of(y)}))
            for vid, m, version, now_version in filed:
                self.assertEqual(version, now_version)
            cells = {(d, p): t for d, p, t in db.execute(
                "SELECT day, person_id, shift_type_id FROM wfm_roster_version_entry"
                f" WHERE version_id IN ({','.join(str(f[0]) for f in filed)})")}
        self.assertEqual(cells.get((x.isoformat(), b)), self.early)
        self.assertEqual(cells.get((y.isoformat(), a)), self.middle)
        self.assertNotIn((x.isoformat(), a), cells)
        # Settled: no second approval, no cancel.
        self.assertError(self.call("POST", f"/api/wfm/swaps/{w['id']}/approve", who="8001"), 409)
        self.assertError(self.call("POST", f"/api/wfm/swaps/{w['id']}/cancel", who="8101"), 409)
        # Each side sees it in their own list and month.
        st, mine, _ = self.call("GET", "/api/wfm/swaps", who="8102")
        self.assertIn(w["id"], [s["id"] for s in mine["items"]])
        st, month, _ = self.call("GET", f"/api/me/roster?month={month_of(y)}", who="8101")
        self.assertEqual(st, 200, month)
        self.assertIn({"day": y.isoformat(), "shift_type_id": self.middle, "shift_code": "middle",
                       "shift_name": "中班", "colour": "#4a90e2", "skill": "tech_service"},
                      month["entries"])

    def test_same_day_exchange_swaps_the_shift_types(self):
        a, b = self.id["8104"], self.id["8105"]
        x = self.day(14)
        self.r.put(x, a, self.early, None)
        self.r.put(x, b, self.middle, None)
        st, w, _ = self.call("POST", "/api/wfm/swaps", {
            "kind": "exchange", "partner_id": b, "a_day": x.isoformat(),
            "b_day": x.isoformat()}, who="8104")
        self.assertEqual(st, 201, w)
        self.assertEqual(self.call("POST", f"/api/wfm/swaps/{w['id']}/sign", who="8105")[0], 200)
        self.assertEqual(self.call("POST", f"/api/wfm/swaps/{w['id']}/approve", who="8001")[0],
                         200)
        self.assertEqual(self.r.cell(x, a), (self.middle, None))
        self.assertEqual(self.r.cell(x, b), (self.early, None))

    def test_cover_breaking_a_labour_rule_is_refused_with_the_rule(self):
        a, b = self.id["8103"], self.id["8104"]
        z = self.day(20)
        # B works 中班 until midnight the day before A's 夜班 from midnight: covering it
        # would leave B no rest between two shifts.
        self.r.put(z, a, self.night, None)
        self.r.put(z - datetime.timedelta(days=1), b, self.middle, None)
        st, w, _ = self.call("POST", "/api/wfm/swaps", {
            "kind": "cover", "partner_id": b, "a_day": z.isoformat()}, who="8103")
        self.assertEqual(st, 201, w)
        self.assertIsNone(w["b"])
        resp = self.call("POST", f"/api/wfm/swaps/{w['id']}/sign", who="8104")
        self.assertError(resp, 422)
        msgs = [resp[1]["error"]["message"]] + [e["message"] for e in
                                                resp[1]["error"].get("errors", [])]
        self.assertIn(f"赵磊 on {z.isoformat()}: less than 480 minutes off between two shifts",
                      msgs)
        st, body, _ = self.zh("POST", f"/api/wfm/swaps/{w['id']}/sign", who="8104")
        self.assertEqual(st, 422)
        self.assertIn("两个班次之间休息不足 480 分钟", body["error"]["message"])
        # Nothing written: still asked, the roster as it was.
        self.assertEqual(self.srv.count(f"SELECT count(*) FROM wfm_swap WHERE id = {w['id']}"
                                        " AND state = 'asked'"), 1)
        self.assertEqual(self.r.cell(z, a), (self.night, None))
        self.assertIsNone(self.r.cell(z, b))
        self.assertEqual(len(self.audits("wfm.swap.sign", w["id"])), 0)

    def test_cover_by_an_agent_without_the_seat_is_refused(self):
        a, c = self.id["8101"], self.id["8105"]
        z = self.day(22)
        self.r.put(z, a, self.early, "tech_service")
        st, w, _ = self.call("POST", "/api/wfm/swaps", {
            "kind": "cover", "partner_id": c, "a_day": z.isoformat()}, who="8101")
        self.assertEqual(st, 201, w)
        resp = self.call("POST", f"/api/wfm/swaps/{w['id']}/sign", who="8105")
        self.assertError(resp, 422)
        self.assertEqual(resp[1]["error"]["message"],
                         f"黄丽 on {z.isoformat()}: does not hold the seat of the shift")
        self.assertEqual(self.r.cell(z, a), (self.early, "tech_service"))

    def test_swap_asked_too_late_or_off_the_roster(self):
        a, b = self.id["8102"], self.id["8103"]
        asked = self.srv.count(f"SELECT count(*) FROM wfm_swap WHERE requester_id = {a}")
        # A 夜班 beginning at tomorrow's midnight is less than a day away.
        tomorrow = self.day(1)
        self.r.put(tomorrow, a, self.night, None)
        resp = self.call("POST", "/api/wfm/swaps", {
            "kind": "cover", "partner_id": b, "a_day": tomorrow.isoformat()}, who="8102")
        self.assertError(resp, 422)
        self.assertEqual(resp[1]["error"]["message"],
                         "swaps are asked at least one day before the shift")
        st, body, _ = self.zh("POST", "/api/wfm/swaps", {
            "kind": "cover", "partner_id": b, "a_day": tomorrow.isoformat()}, who="8102")
        self.assertEqual(body["error"]["message"], "调班须至少在班次开始前一天申请")
        # A day without a shift of the asker, a partner already working that day.
        far = self.day(25)
        resp = self.call("POST", "/api/wfm/swaps", {
            "kind": "cover", "partner_id": b, "a_day": far.isoformat()}, who="8102")
        self.assertError(resp, 422)
        self.assertEqual(resp[1]["error"]["message"], f"陈晨 has no shift on {far.isoformat()}")
        self.r.put(far, a, self.early, None)
        self.r.put(far, b, self.middle, None)
        resp = self.call("POST", "/api/wfm/swaps", {
            "kind": "cover", "partner_id": b, "a_day": far.isoformat()}, who="8102")
        self.assertError(resp, 422)
        self.assertEqual(resp[1]["error"]["message"],
                         f"杨帆 already has a shift on {far.isoformat()}")
        # Only on a published roster.
        d = self.draft_month + datetime.timedelta(days=3)
        resp = self.call("POST", "/api/wfm/swaps", {
            "kind": "cover", "partner_id": b, "a_day": d.isoformat()}, who="8102")
        self.assertError(resp, 422)
        self.assertEqual(resp[1]["error"]["message"],
                         f"the roster of {month_of(d)} is not published")
        # With oneself, with someone who is not an agent, malformed.
        self.assertError(self.call("POST", "/api/wfm/swaps", {
            "kind": "cover", "partner_id": a, "a_day": far.isoformat()}, who="8102"), 422)
        self.assertError(self.call("POST", "/api/wfm/swaps", {
            "kind": "cover", "partner_id": self.id["2001"], "a_day": far.isoformat()},
            who="8102"), 422)
        self.assertError(self.call("POST", "/api/wfm/swaps", {
            "kind": "cover", "partner_id": b, "a_day": far.isoformat(), "x": 1}, who="8102"), 400)
        self.assertError(self.call("POST", "/api/wfm/swaps", {
            "kind": "exchange", "partner_id": b, "a_day": far.isoformat()}, who="8102"), 422)
        self.assertEqual(self.srv.count(f"SELECT count(*) FROM wfm_swap WHERE requester_id = {a}"),
                         asked)
        # Staff outside the center have no part in it.
        self.assertError(self.call("GET", "/api/wfm/swaps", who="2001"), 403)

    def test_approval_rechecks_the_roster(self):
        a, b = self.id["8106"], self.id["8101"]
        d = self.day(36)
        self.r.put(d, a, self.night, None)
        st, w, _ = self.call("POST", "/api/wfm/swaps", {
            "kind": "cover", "partner_id": b, "a_day": d.isoformat()}, who="8106")
        self.assertEqual(st, 201, w)
        self.assertEqual(self.call("POST", f"/api/wfm/swaps/{w['id']}/sign", who="8101")[0], 200)
        # After the signature the manager gives B a 中班 the evening before: covering the
        # night now leaves B no rest, and the approval sees it.
        self.r.put(d - datetime.timedelta(days=1), b, self.middle, None)
        resp = self.call("POST", f"/api/wfm/swaps/{w['id']}/approve", who="8001")
        self.assertError(resp, 422)
        self.assertEqual(resp[1]["error"]["message"],
                         f"刘洋 on {d.isoformat()}: less than 480 minutes off between two shifts")
        self.assertEqual(self.r.cell(d, a), (self.night, None))
        self.assertIsNone(self.r.cell(d, b))
        self.assertEqual(self.srv.count(f"SELECT count(*) FROM wfm_swap WHERE id = {w['id']}"
                                        " AND state = 'signed'"), 1)
        # The month filter finds it in its month only.
        st, body, _ = self.call("GET", f"/api/wfm/swaps?month={month_of(d)}&state=signed",
                                who="8001")
        self.assertIn(w["id"], [x["id"] for x in body["items"]])
        other = (d.replace(day=1) - datetime.timedelta(days=1))
        st, body, _ = self.call("GET", f"/api/wfm/swaps?month={month_of(other)}", who="8001")
        self.assertNotIn(w["id"], [x["id"] for x in body["items"]])

    def test_decline_and_withdraw(self):
        a, b = self.id["8105"], self.id["8101"]
        x = self.day(18)
        self.r.put(x, a, self.middle, None)
        st, w, _ = self.call("POST", "/api/wfm/swaps", {
            "kind": "cover", "partner_id": b, "a_day": x.isoformat()}, who="8105")
        self.assertEqual(st, 201, w)
        # The partner cannot withdraw it; the asker cannot sign it.
        resp = self.call("POST", f"/api/wfm/swaps/{w['id']}/cancel", who="8101")
        self.assertError(resp, 409)
        self.assertEqual(resp[1]["error"]["message"],
                         "only the agent who asked can cancel this swap")
        st, w2, _ = self.call("POST", f"/api/wfm/swaps/{w['id']}/decline", who="8101")
        self.assertEqual((st, w2["state"]), (200, "declined"))
        self.assertIn("没有同意", self.r.notes(a, "wfm.swap")[-1])
        self.assertError(self.call("POST", f"/api/wfm/swaps/{w['id']}/sign", who="8101"), 409)
        self.assertError(self.call("POST", f"/api/wfm/swaps/{w['id']}/cancel", who="8105"), 409)
        # A second one, withdrawn by the asker after the signature: the supervisors hear.
        st, w, _ = self.call("POST", "/api/wfm/swaps", {
            "kind": "cover", "partner_id": b, "a_day": x.isoformat()}, who="8105")
        self.assertEqual(self.call("POST", f"/api/wfm/swaps/{w['id']}/sign", who="8101")[0], 200)
        n = len(self.r.notes(self.id["8002"], "wfm.swap"))
        st, w3, _ = self.call("POST", f"/api/wfm/swaps/{w['id']}/cancel", who="8105")
        self.assertEqual((st, w3["state"]), (200, "cancelled"))
        self.assertEqual(len(self.r.notes(self.id["8002"], "wfm.swap")), n + 1)
        self.assertIn("撤回", self.r.notes(b, "wfm.swap")[-1])
        self.assertEqual(self.r.cell(x, a), (self.middle, None))
        self.assertEqual(len(self.audits("wfm.swap.cancel", w["id"])), 1)
        self.assertError(self.call("POST", "/api/wfm/swaps/999999/sign", who="8101"), 404)

    def test_reject_a_signed_swap_and_the_roster_changed_meanwhile(self):
        a, b = self.id["8102"], self.id["8104"]
        x = self.day(16)
        self.r.put(x, a, self.early, None)
        st, w, _ = self.call("POST", "/api/wfm/swaps", {
            "kind": "cover", "partner_id": b, "a_day": x.isoformat()}, who="8102")
        self.assertEqual(self.call("POST", f"/api/wfm/swaps/{w['id']}/sign", who="8104")[0], 200)
        st, w2, _ = self.call("POST", f"/api/wfm/swaps/{w['id']}/reject", {"note": "人手不足"},
                              who="8001")
        self.assertEqual((st, w2["state"], w2["decision_note"]), (200, "rejected", "人手不足"))
        self.assertIn("未获批准", self.r.notes(b, "wfm.swap")[-1])
        self.assertEqual(self.r.cell(x, a), (self.early, None))
        # Asked again, then the manager moved the shift: approval is refused.
        st, w, _ = self.call("POST", "/api/wfm/swaps", {
            "kind": "cover", "partner_id": b, "a_day": x.isoformat()}, who="8102")
        self.assertEqual(self.call("POST", f"/api/wfm/swaps/{w['id']}/sign", who="8104")[0], 200)
        self.r.put(x, a, self.middle, None)
        resp = self.call("POST", f"/api/wfm/swaps/{w['id']}/approve", who="8001")
        self.assertError(resp, 409)
        self.assertEqual(resp[1]["error"]["message"], "the roster changed since the swap was asked")
        self.assertEqual(self.r.cell(x, a), (self.middle, None))
        self.assertIsNone(self.r.cell(x, b))

    # ---- leave ----

    def test_leave_approved_removes_the_roster_entries(self):
        a = self.id["8103"]
        first, last = self.day(30), self.day(31)
        self.r.put(first, a, self.early, None)
        self.r.put(last, a, self.early, None)
        outside = self.day(32)
        self.r.put(outside, a, self.early, None)
        n_mgr = len(self.r.notes(self.id["8001"], "wfm.leave"))
        st, l, _ = self.call("POST", "/api/wfm/leave", {
            "kind": "annual", "first_day": first.isoformat(), "last_day": last.isoformat(),
            "reason": "探亲"}, who="8103")
        self.assertEqual(st, 201, l)
        self.assertEqual((l["state"], l["emergency"], l["person"]["id"]), ("requested", False, a))
        # The supervisor and the manager are asked to decide; nothing removed yet.
        self.assertEqual(len(self.r.notes(self.id["8001"], "wfm.leave")), n_mgr + 1)
        self.assertIn("申请年假", self.r.notes(self.id["8002"], "wfm.leave")[-1])
        self.assertEqual(self.r.cell(first, a), (self.early, None))
        # Overlapping one's own leave; an agent deciding; someone else cancelling.
        resp = self.call("POST", "/api/wfm/leave", {
            "kind": "personal", "first_day": last.isoformat(), "last_day": last.isoformat()},
            who="8103")
        self.assertError(resp, 422)
        self.assertEqual(resp[1]["error"]["message"],
                         f"these days overlap leave #{l['id']} of the same person")
        self.assertError(self.call("POST", f"/api/wfm/leave/{l['id']}/approve", who="8103"), 403)
        resp = self.call("POST", f"/api/wfm/leave/{l['id']}/cancel", who="8101")
        self.assertError(resp, 409)
        self.assertEqual(resp[1]["error"]["message"], "only your own leave can be cancelled")
        st, l2, _ = self.call("POST", f"/api/wfm/leave/{l['id']}/approve")
        self.assertEqual((st, l2["state"]), (200, "approved"))
        self.assertIsNone(self.r.cell(first, a))
        self.assertIsNone(self.r.cell(last, a))
        self.assertEqual(self.r.cell(outside, a), (self.early, None))
        self.assertIn("已获", self.r.notes(a, "wfm.leave")[-1])
        entry = self.audits("wfm.leave.approve", l["id"])[0]
        detail = json.loads(entry["detail"]) if isinstance(entry["detail"], str) else entry["detail"]
        self.assertEqual([c["day"] for c in detail["roster_removed"]],
                         [first.isoformat(), last.isoformat()])
        # WFM-2: the month's new state is filed as a version, the leave its reason.
        with self.r.db() as db:
            rows = db.execute("SELECT count(*) FROM wfm_roster_version_entry e JOIN"
                              " wfm_roster_version v ON v.id = e.version_id WHERE v.reason = ?"
                              " AND e.person_id = ? AND e.day IN (?, ?)",
                              (f"请假 #{l['id']}", a, first.isoformat(), last.isoformat())).fetchone()
            filed = db.execute("SELECT count(*) FROM wfm_roster_version WHERE reason = ?",
                               (f"请假 #{l['id']}",)).fetchone()
        self.assertEqual((filed[0] >= 1, rows[0]), (True, 0))
        self.assertError(self.call("POST", f"/api/wfm/leave/{l['id']}/reject", who="8001"), 409)
        # The agent's month shows it; an approved leave may still be cancelled before it begins.
        st, month, _ = self.call("GET", f"/api/me/roster?month={month_of(first)}", who="8103")
        self.assertIn(l["id"], [x["id"] for x in month["leave"]])
        self.assertNotIn(first.isoformat(), [e["day"] for e in month["entries"]])
        st, l3, _ = self.call("POST", f"/api/wfm/leave/{l['id']}/cancel", who="8103")
        self.assertEqual((st, l3["state"]), (200, "cancelled"))
        self.assertIn("重新安排", self.r.notes(self.id["8002"], "wfm.leave")[-1])

    def test_leave_refused_and_rejected(self):
        # The supervisor who is also an agent cannot decide their own leave.
        st, l, _ = self.call("POST", "/api/wfm/leave", {
            "kind": "compensatory", "first_day": self.day(40).isoformat(),
            "last_day": self.day(40).isoformat()}, who="8002")
        self.assertEqual(st, 201, l)
        resp = self.call("POST", f"/api/wfm/leave/{l['id']}/approve", who="8002")
        self.assertError(resp, 409)
        self.assertEqual(resp[1]["error"]["message"], "you cannot decide your own request")
        st, l2, _ = self.call("POST", f"/api/wfm/leave/{l['id']}/reject", {"note": "月底人手紧"},
                              who="8001")
        self.assertEqual((st, l2["state"], l2["decided_by"]["id"]),
                         (200, "rejected", self.id["8001"]))
        self.assertIn("未获批准", self.r.notes(self.id["8002"], "wfm.leave")[-1])
        # Bad input writes nothing.
        n = self.srv.count("SELECT count(*) FROM wfm_leave")
        for body, status in (
                ({"kind": "holiday", "first_day": self.day(41).isoformat(),
                  "last_day": self.day(41).isoformat()}, 422),
                ({"kind": "sick", "first_day": self.day(42).isoformat(),
                  "last_day": self.day(41).isoformat()}, 422),
                ({"kind": "sick", "first_day": "2026-02-30", "last_day": "2026-03-01"}, 422),
                ({"kind": "sick", "first_day": self.day(41).isoformat()}, 400),
                ({"kind": "sick", "first_day": self.day(41).isoformat(),
                  "last_day": self.day(141).isoformat()}, 422),
                ({"kind": "sick", "first_day": self.today.isoformat(),
                  "last_day": self.today.isoformat()}, 422)):
            self.assertError(self.call("POST", "/api/wfm/leave", body, who="8104"), status)
        self.assertEqual(self.srv.count("SELECT count(*) FROM wfm_leave"), n)
        st, body, _ = self.zh("POST", "/api/wfm/leave", {
            "kind": "sick", "first_day": self.today.isoformat(),
            "last_day": self.today.isoformat()}, who="8104")
        self.assertEqual(body["error"]["message"], "开始日期：请假须至少提前一个工作日申请")
        # Agents list only their own, supervisors everyone's.
        st, mine, _ = self.call("GET", "/api/wfm/leave", who="8104")
        self.assertTrue(all(x["person"]["id"] == self.id["8104"] for x in mine["items"]))
        st, all_, _ = self.call("GET", "/api/wfm/leave?state=rejected", who="8001")
        self.assertIn(l["id"], [x["id"] for x in all_["items"]])
        self.assertError(self.call("GET", "/api/wfm/leave?state=lost", who="8001"), 400)

    def test_emergency_leave_and_its_paperwork(self):
        b = self.id["8102"]
        self.r.put(self.today, b, self.night, None)
        tomorrow = self.day(1)
        self.r.put(tomorrow, b, self.night, None)
        # Only supervisors and the manager record it.
        body = {"person_id": b, "kind": "sick", "first_day": self.today.isoformat(),
                "last_day": self.today.isoformat(), "reason": "电话请假：发烧"}
        self.assertError(self.call("POST", "/api/wfm/leave/emergency", body, who="8101"), 403)
        st, l, _ = self.call("POST", "/api/wfm/leave/emergency", body)
        self.assertEqual(st, 201, l)
        self.assertEqual((l["state"], l["emergency"], l["paperwork_at"], l["excused"]),
                         ("approved", True, None, True))
        # Due by the end of the first working day after (no holidays in this test's calendar).
        d = self.today + datetime.timedelta(days=1)
        while d.isoweekday() > 5:
            d += datetime.timedelta(days=1)
        self.assertEqual(l["paperwork_due"], local_midnight_ms(d + datetime.timedelta(days=1)))
        self.assertIsNone(self.r.cell(self.today, b))
        self.assertEqual(self.r.cell(tomorrow, b), (self.night, None))
        self.assertIn(f"请在 {d.isoformat()} 前补交", self.r.notes(b, "wfm.leave")[-1])
        self.assertIn("紧急病假", self.r.notes(self.id["8001"], "wfm.leave")[-1])
        self.assertEqual(len(self.audits("wfm.leave.emergency", l["id"])), 1)
        # Begun: the agent cannot cancel it.
        resp = self.call("POST", f"/api/wfm/leave/{l['id']}/cancel", who="8102")
        self.assertError(resp, 409)
        self.assertEqual(resp[1]["error"]["message"], "leave that has begun cannot be cancelled")
        st, l2, _ = self.call("POST", f"/api/wfm/leave/{l['id']}/paperwork", who="8001")
        self.assertEqual(st, 200, l2)
        self.assertIsNotNone(l2["paperwork_at"])
        self.assertIn("手续", self.r.notes(b, "wfm.leave")[-1])
        resp = self.call("POST", f"/api/wfm/leave/{l['id']}/paperwork", who="8001")
        self.assertError(resp, 409)
        self.assertEqual(resp[1]["error"]["message"], "the paperwork was already received")
        # Not an emergency: no paperwork to mark.
        st, plain, _ = self.call("POST", "/api/wfm/leave", {
            "kind": "personal", "first_day": self.day(45).isoformat(),
            "last_day": self.day(45).isoformat()}, who="8102")
        self.assertError(self.call("POST", f"/api/wfm/leave/{plain['id']}/paperwork"), 409)
        # A past first day is not a phone call's.
        self.assertError(self.call("POST", "/api/wfm/leave/emergency", dict(
            body, first_day=self.day(-1).isoformat(), last_day=self.day(-1).isoformat(),
            person_id=self.id["8105"])), 422)

    def test_my_roster(self):
        a = self.id["8104"]
        d = self.day(26)
        self.r.put(d, a, self.middle, "market_consult")
        st, m, _ = self.call("GET", f"/api/me/roster?month={month_of(d)}", who="8104")
        self.assertEqual(st, 200, m)
        self.assertEqual(m["state"], "published")
        with self.r.db() as db:
            rows = db.execute("SELECT e.day, e.shift_type_id, t.code, t.name, t.colour, e.skill"
                              " FROM wfm_roster_entry e JOIN wfm_shift_type t"
                              " ON t.id = e.shift_type_id WHERE e.person_id = ?"
                              " AND substr(e.day, 1, 7) = ? ORDER BY e.day",
                              (a, month_of(d))).fetchall()
        self.assertTrue(rows)
        self.assertEqual([(e["day"], e["shift_type_id"], e["shift_code"], e["shift_name"],
                           e["colour"], e["skill"]) for e in m["entries"]],
                         [tuple(r) for r in rows])
        # A draft month shows no shifts.
        self.r.put(self.draft_month, a, self.early, None)
        st, m, _ = self.call("GET", f"/api/me/roster?month={month_of(self.draft_month)}",
                             who="8104")
        self.assertEqual((m["state"], m["entries"]), ("draft", []))
        self.assertError(self.call("GET", "/api/me/roster?month=2026-13", who="8104"), 400)
        self.assertError(self.call("GET", "/api/me/roster", who="2001"), 403)


class WfmLeaveCalendarTest(KefuTestCase):
    """WFM-4's working days, on a Saturday: the clock is moved there."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.t = {w: srv.login(w) for w in ("8001", "8002", "8101", "8102", "8103", "8104")}
        cls.r = Roster(srv)
        cls.id = {w: cls.r.person(w) for w in cls.t}
        now = datetime.datetime.now(TZ)
        sat = now.date() + datetime.timedelta(days=1)
        while sat.isoweekday() != 6:
            sat += datetime.timedelta(days=1)
        target = datetime.datetime(sat.year, sat.month, sat.day, 10, 0, tzinfo=TZ)
        srv.advance(int((target - now).total_seconds() * 1000))
        cls.sat = sat
        # Sessions idle past their limit over the move: log in again.
        cls.t = {w: srv.login(w) for w in cls.t}

    def call(self, method, path, body=None, who="8002"):
        return self.srv.call(method, path, body, token=self.t[who])

    def d(self, n):
        return (self.sat + datetime.timedelta(days=n)).isoformat()

    def ask(self, who, first, last=None):
        return self.call("POST", "/api/wfm/leave", {
            "kind": "personal", "first_day": first, "last_day": last or first}, who=who)

    def test_a_weekend_a_make_up_day_and_holidays(self):
        # Saturday for Monday: no working day between.
        resp = self.ask("8101", self.d(2))
        self.assertError(resp, 422)
        self.assertEqual(resp[1]["error"]["message"],
                         "first_day: leave is asked at least one working day ahead")
        # Saturday for Tuesday: Monday is one.
        self.assertEqual(self.ask("8101", self.d(3))[0], 201)
        # Sunday a make-up working day (调休): Monday is far enough.
        self.r.exec("INSERT INTO hotline_open_day(day, name, as_weekday) VALUES (?, '调休', 1)",
                    (self.d(1),))
        self.assertEqual(self.ask("8102", self.d(2))[0], 201)
        self.r.exec("DELETE FROM hotline_open_day")
        # Monday and Tuesday holidays: from Saturday, Wednesday is not far enough; Thursday
        # is (Wednesday lies between).
        self.r.exec("INSERT INTO hotline_closed_day(day, name) VALUES (?, '节'), (?, '节')",
                    (self.d(2), self.d(3)))
        resp = self.ask("8103", self.d(4))
        self.assertError(resp, 422)
        self.assertEqual(self.ask("8103", self.d(5))[0], 201)

    def test_zz_paperwork_overdue_counts_as_absence(self):
        # Runs last in the class: it moves the clock on by days.
        self.r.exec("DELETE FROM hotline_closed_day")
        self.r.exec("DELETE FROM hotline_open_day")
        b = self.id["8104"]
        st, l, _ = self.call("POST", "/api/wfm/leave/emergency", {
            "person_id": b, "kind": "sick", "first_day": self.d(0), "last_day": self.d(0)})
        self.assertEqual(st, 201, l)
        # Saturday's leave: due by the end of Monday.
        monday = self.sat + datetime.timedelta(days=2)
        self.assertEqual(l["paperwork_due"], local_midnight_ms(monday + datetime.timedelta(days=1)))
        before = {p: len(self.r.notes(self.id[p], "wfm.leave")) for p in ("8104", "8001", "8002")}
        self.srv.advance(l["paperwork_due"] - self.srv.advance(0) - 60000)
        self.assertEqual(len(self.r.notes(b, "wfm.leave")), before["8104"])
        self.srv.advance(120000)
        for p in ("8104", "8001", "8002"):
            notes = self.r.notes(self.id[p], "wfm.leave")
            self.assertEqual(len(notes), before[p] + 1, p)
            self.assertIn("按旷工处理", notes[-1])
        self.assertEqual(self.srv.count(
            f"SELECT count(*) FROM audit WHERE action = 'wfm.leave.paperwork_overdue'"
            f" AND entity_id = {l['id']}"), 1)
        # Told once; receipt now refused; the leave no longer excuses.
        self.srv.advance(3600000)
        self.assertEqual(len(self.r.notes(b, "wfm.leave")), before["8104"] + 1)
        t = {w: self.srv.login(w) for w in ("8001",)}
        resp = self.srv.call("POST", f"/api/wfm/leave/{l['id']}/paperwork", token=t["8001"])
        self.assertError(resp, 409)
        self.assertEqual(resp[1]["error"]["message"],
                         "the paperwork deadline has passed: the leave counts as absence")
        st, items, _ = self.srv.call("GET", f"/api/wfm/leave?person_id={b}", token=t["8001"])
        self.assertFalse(next(x for x in items["items"] if x["id"] == l["id"])["excused"])
