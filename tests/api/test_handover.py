"""The handover (交接班, issue 14, WFM-6, WFM-7) over HTTP, with the test clock.

One change of shift N, more than a day ahead, is walked through: work orders
and a center callback made through the orders API at chosen moments,
callers' callback requests and hotline notices written as their engines
write them, the roster's rows as the roster writes them. At summary time the
draft must hold exactly the items the rule picks from the rows (recomputed
here from the database); the reminders and the alert come once each; the
outgoing person signs, then the incoming one; illegal orders are 409 with a
message; what was open at the change and left out of the signed log is
flagged (WFM-7). Then the history and its search."""
import datetime
import subprocess
from zoneinfo import ZoneInfo

from apihelp import HOUR, MINUTE, db_rows, db_value, person_id
from harness import KefuTestCase

TZ = ZoneInfo("Asia/Shanghai")
PHONE = "13800138000"


def sql(srv, text):
    out = subprocess.run(["sqlite3", "-cmd", ".timeout 5000", srv.db, text], check=True,
                         capture_output=True, text=True)
    return out.stdout.strip()


def local(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, TZ)


def first_change_after(ms):
    """The first of 00:00, 08:00, 16:00 (WFM-1) in Shanghai after ms."""
    t = local(ms).replace(minute=0, second=0, microsecond=0)
    while True:
        t += datetime.timedelta(hours=1)
        if t.hour % 8 == 0:
            return int(t.timestamp() * 1000)


def expected_items(srv, at, next_at):
    """The draft's rule, recomputed from the rows: open orders escalated (one
    item each) or with a running deadline before the end of the next shift;
    pending callbacks due by then; open callback requests; notices whose
    window reaches into the next shift."""
    out = set()
    for o in db_rows(srv, "SELECT id, escalation_level AS lvl, (SELECT min(due_at) FROM wo_sla"
                          " WHERE order_id = w.id AND state = 'running') AS due FROM work_order w"
                          " WHERE state NOT IN ('archived', 'cancelled')"):
        if o["lvl"] > 0:
            out.add(("escalation", o["id"]))
        elif o["due"] is not None and o["due"] < next_at:
            out.add(("order", o["id"]))
    for c in db_rows(srv, f"SELECT id FROM wo_callback WHERE state = 'pending' AND due_at < {next_at}"):
        out.add(("callback", c["id"]))
    for c in db_rows(srv, "SELECT id FROM acd_callback WHERE state = 'open'"):
        out.add(("request", c["id"]))
    for n in db_rows(srv, f"SELECT id FROM hotline_notice WHERE ends_at > {at}"
                          f" AND starts_at < {next_at}"):
        out.add(("notice", n["id"]))
    return out


class HandoverTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        cls.t = {w: s.login(w) for w in ("8001", "8002", "8101", "8102", "8103", "2001")}
        cls.pid = {w: person_id(s, w) for w in cls.t}
        now = s.advance(0)
        # N: a change more than 27 h ahead, so orders can be made a day before it.
        cls.N = first_change_after(now + 27 * HOUR)
        cls.NEXT = cls.N + 8 * HOUR
        hour = local(cls.N).hour
        out_code, in_code = {0: ("middle", "night"), 8: ("night", "early"),
                             16: ("early", "middle")}[hour]
        out_day = local(cls.N - 1).date().isoformat()
        in_day = local(cls.N).date().isoformat()
        cls.out_type = db_value(s, f"SELECT id FROM wfm_shift_type WHERE code = '{out_code}'")
        cls.in_type = db_value(s, f"SELECT id FROM wfm_shift_type WHERE code = '{in_code}'")
        # The roster, published (the tick reminds only where the center runs its shifts
        # in kefu): 8101 on the outgoing shift, 8102 on the incoming one.
        for m in sorted({local(t).strftime("%Y-%m") for t in (cls.N - 1, cls.N, cls.NEXT)}):
            sql(s, "INSERT OR IGNORE INTO wfm_roster(month, state, version, updated_at)"
                   f" VALUES ('{m}', 'published', 1, 0)")
        sql(s, "INSERT INTO wfm_roster_entry(day, person_id, shift_type_id, updated_at) VALUES"
               f" ('{out_day}', {cls.pid['8101']}, {cls.out_type}, 0),"
               f" ('{in_day}', {cls.pid['8102']}, {cls.in_type}, 0)")

    def order(self, summary, token=None):
        st, o, _ = self.srv.call("POST", "/api/orders", {"class": "E", "summary": summary,
                                                        "phone": PHONE},
                                 token=token or self.t["8101"])
        self.assertEqual(st, 201, o)
        return o

    def to(self, at):
        """Moves the clock to at; sessions idle that long have ended, so everyone logs
        in again."""
        now = self.srv.advance(0)
        self.assertLessEqual(now, at)
        now = self.srv.advance(at - now)
        self.t.update({w: self.srv.login(w) for w in self.t})
        return now

    def notes_of(self, kind, work_no, since):
        return self.srv.count(f"SELECT count(*) FROM notification WHERE kind = '{kind}'"
                              f" AND person_id = {self.pid[work_no]} AND at >= {since}")

    def current(self, work_no="8002", status=200):
        st, h, _ = self.srv.call("GET", "/api/handover/current", token=self.t[work_no])
        self.assertEqual(st, status, h)
        return h

    def test_a_change_of_shift_from_draft_to_flag(self):
        s, N = self.srv, self.N
        # WO-2: an E order is resolved within 24 h. Made 26 h before N it is overdue at
        # the change; 20 h before, due in the next shift; 12 h before, after it.
        self.to(N - 26 * HOUR)
        overdue = self.order("夜间噪音投诉，已超期")
        self.to(N - 20 * HOUR)
        due_next = self.order("咨询会员卡退费")
        self.to(N - 12 * HOUR)
        later = self.order("咨询洗车价格")
        reported = self.order("咨询发票开具")
        # The owner reports it (WO-6): the center's callback (CB-1) is due 2 h later,
        # 10 h before N; another reported 1 h before N is due in the next shift.
        st, o, _ = s.call("POST", f"/api/orders/{reported['id']}/report",
                          {"solution": "已开具"}, token=self.t["8101"])
        self.assertEqual(st, 200, o)
        self.to(N - 1 * HOUR)
        reported2 = self.order("咨询停车收费")
        st, o, _ = s.call("POST", f"/api/orders/{reported2['id']}/report",
                          {"solution": "已答复"}, token=self.t["8101"])
        self.assertEqual(st, 200, o)
        # A caller left a number (open) and one was called back (done); notices: one
        # running into the next shift, one over before it.
        call = sql(s, "INSERT INTO call(sip_call_id, caller, called, started_at, outcome)"
                      f" VALUES ('h1', '13912345678', '4000000000', {N - 2 * HOUR}, 'callback')"
                      " RETURNING id")
        open_req = int(sql(s, "INSERT INTO acd_callback(call_id, queue, phone, requested_at)"
                              f" VALUES ({call}, 'market_consult', '13912345678', {N - 2 * HOUR})"
                              " RETURNING id"))
        done_req = int(sql(s, "INSERT INTO acd_callback(call_id, queue, phone, requested_at,"
                              f" state) VALUES ({call}, 'market_consult', '13912340000',"
                              f" {N - 3 * HOUR}, 'done') RETURNING id"))
        notice = int(sql(s, "INSERT INTO hotline_notice(text, source, starts_at, ends_at, audio,"
                            " audio_ms, created_at, updated_at) VALUES ('系统升级，部分业务暂停',"
                            f" 'text', {N - 3 * HOUR}, {N + 2 * HOUR}, x'00', 1000, 0, 0)"
                            " RETURNING id"))
        old_notice = int(sql(s, "INSERT INTO hotline_notice(text, source, starts_at, ends_at,"
                                " audio, audio_ms, created_at, updated_at) VALUES ('旧通知',"
                                f" 'text', {N - 5 * HOUR}, {N - 4 * HOUR}, x'00', 1000, 0, 0)"
                                " RETURNING id"))

        # Before summary time nothing is drafted for N.
        self.to(N - 31 * MINUTE)
        self.assertEqual(s.count(f"SELECT count(*) FROM handover WHERE change_at = {N}"), 0)
        # WFM-6: summary time. kefu drafts the log and tells the outgoing shift, once.
        self.to(N - 30 * MINUTE)
        self.assertEqual(s.count(f"SELECT count(*) FROM handover WHERE change_at = {N}"), 1)
        self.assertEqual(self.notes_of("handover.summary", "8101", N - 30 * MINUTE), 1)
        self.assertEqual(self.notes_of("handover.summary", "8102", N - 30 * MINUTE), 0)
        s.advance(MINUTE)
        self.assertEqual(self.notes_of("handover.summary", "8101", N - 30 * MINUTE), 1)

        h = self.current("8101")
        self.assertEqual(h["change_at"], N)
        self.assertEqual(h["next_at"], self.NEXT)
        self.assertEqual(h["state"], "draft")
        self.assertEqual(h["out_shift"]["type_id"], self.out_type)
        self.assertEqual(h["in_shift"]["type_id"], self.in_type)
        got = {(i["kind"], i["ref_id"]) for i in h["items"]}
        self.assertEqual(got, expected_items(s, N, self.NEXT))
        kinds = {ref: kind for kind, ref in got if kind in ("order", "escalation")}
        self.assertIn(overdue["id"], kinds)
        self.assertEqual(kinds.get(due_next["id"]), "order")
        self.assertNotIn(later["id"], kinds)
        cb = {r["order_id"]: r["id"] for r in db_rows(s, "SELECT id, order_id FROM wo_callback")}
        self.assertIn(("callback", cb[reported["id"]]), got)
        self.assertIn(("callback", cb[reported2["id"]]), got)
        self.assertIn(("request", open_req), got)
        self.assertNotIn(("request", done_req), got)
        self.assertIn(("notice", notice), got)
        self.assertNotIn(("notice", old_notice), got)
        item = next(i for i in h["items"] if i["ref_id"] == due_next["id"])
        self.assertEqual(item["link"], f"/orders/{due_next['id']}")
        self.assertTrue(item["title"].startswith(due_next["number"]))
        due = db_value(s, f"SELECT min(due_at) FROM wo_sla WHERE order_id = {due_next['id']}"
                          " AND state = 'running'")
        self.assertEqual(item["due_at"], due)
        req = next(i for i in h["items"] if i["kind"] == "request")
        self.assertIn("139****5678", req["title"])  # the caller's number masked
        self.assertTrue(h["may"]["sign_out"])
        self.assertFalse(h["may"]["sign_in"])

        # Who: 8103 is on neither shift, 2001 is staff.
        self.current("8103", 403)
        self.assertError(s.call("GET", f"/api/handover/{h['id']}", token=self.t["8103"]), 403)
        self.current("2001", 403)
        # 8102 is incoming: may read, may not write the outgoing side.
        self.assertEqual(self.current("8102")["id"], h["id"])
        self.assertError(s.call("PATCH", f"/api/handover/{h['id']}", {"notes": "x"},
                                token=self.t["8102"]), 403)

        # The outgoing person writes the notes, adds an item, leaves one out.
        hid = h["id"]
        st, h2, _ = s.call("PATCH", f"/api/handover/{hid}",
                           {"notes": "今晚系统升级，注意安抚来电客户"}, token=self.t["8101"])
        self.assertEqual(st, 200, h2)
        self.assertError(s.call("PATCH", f"/api/handover/{hid}", {"notes": 5},
                                token=self.t["8101"]), 400)
        self.assertError(s.call("PATCH", f"/api/handover/{hid}", {"notes": "长" * 2001},
                                token=self.t["8101"]), 422, field="notes")
        st, manual, _ = s.call("POST", f"/api/handover/{hid}/items",
                               {"title": "打印机缺纸，已报修"}, token=self.t["8101"])
        self.assertEqual(st, 201, manual)
        self.assertEqual(manual["kind"], "manual")
        self.assertError(s.call("POST", f"/api/handover/{hid}/items", {"title": "  "},
                                token=self.t["8101"]), 422, field="title")
        left = next(i for i in h["items"] if i["ref_id"] == due_next["id"])
        st, it, _ = s.call("PATCH", f"/api/handover/{hid}/items/{left['id']}",
                           {"included": False}, token=self.t["8101"])
        self.assertEqual(st, 200, it)
        self.assertFalse(it["included"])
        self.assertError(s.call("PATCH", f"/api/handover/{hid}/items/999999",
                                {"included": False}, token=self.t["8101"]), 404)
        # Drafting again from the live state keeps the manual item and the mark; a
        # request called back meanwhile goes, a new one comes in.
        self.to(N - 25 * MINUTE)
        sql(s, f"UPDATE acd_callback SET state = 'done' WHERE id = {open_req}")
        new_req = int(sql(s, "INSERT INTO acd_callback(call_id, queue, phone, requested_at)"
                             f" VALUES ({call}, 'tech_service', '13700002222', {N - 25 * MINUTE})"
                             " RETURNING id"))
        st, h2, _ = s.call("POST", f"/api/handover/{hid}/refresh", token=self.t["8101"])
        self.assertEqual(st, 200, h2)
        auto = {(i["kind"], i["ref_id"]) for i in h2["items"] if i["kind"] != "manual"}
        self.assertEqual(auto, expected_items(s, N, self.NEXT))
        self.assertEqual([i["title"] for i in h2["items"] if i["kind"] == "manual"],
                         ["打印机缺纸，已报修"])
        self.assertFalse(next(i for i in h2["items"] if i["id"] == left["id"])["included"])
        self.assertIn(("request", new_req), auto)
        self.assertNotIn(("request", open_req), auto)

        # WFM-6: 15 min before, the incoming shift is told to arrive, once.
        self.to(N - 15 * MINUTE)
        self.assertEqual(self.notes_of("handover.arrive", "8102", N - 15 * MINUTE), 1)
        self.assertEqual(self.notes_of("handover.arrive", "8101", N - 15 * MINUTE), 0)
        s.advance(MINUTE)
        self.assertEqual(self.notes_of("handover.arrive", "8102", N - 15 * MINUTE), 1)

        # Illegal orders: the incoming person cannot sign first.
        r = s.call("POST", f"/api/handover/{hid}/sign-in", {}, token=self.t["8102"])
        self.assertError(r, 409)
        self.assertEqual(r[1]["error"]["message"], "the outgoing duty person signs first")
        st, zh, _ = s.call("POST", f"/api/handover/{hid}/sign-in", {}, token=self.t["8102"],
                           headers={"Accept-Language": None})
        self.assertEqual(zh["error"]["message"], "须由交班人先签字")
        # Only the outgoing shift's duty person signs out.
        self.assertError(s.call("POST", f"/api/handover/{hid}/sign-out", {},
                                token=self.t["8102"]), 403)
        st, h3, _ = s.call("POST", f"/api/handover/{hid}/sign-out", {}, token=self.t["8101"])
        self.assertEqual(st, 200, h3)
        self.assertEqual(h3["state"], "out_signed")
        self.assertEqual(h3["out_signer"], {"id": self.pid["8101"], "name": "刘洋"})
        self.assertEqual(self.notes_of("handover.out_signed", "8102", N - 15 * MINUTE), 1)
        r = s.call("POST", f"/api/handover/{hid}/sign-out", {}, token=self.t["8101"])
        self.assertError(r, 409)
        # Locked: no more notes or items.
        r = s.call("PATCH", f"/api/handover/{hid}", {"notes": "再改"}, token=self.t["8101"])
        self.assertError(r, 409)
        self.assertEqual(r[1]["error"]["message"],
                         "the outgoing duty person has signed: the log is locked")
        self.assertError(s.call("POST", f"/api/handover/{hid}/items", {"title": "x"},
                                token=self.t["8101"]), 409)

        # A caller leaves a number after the log was locked: open at the change.
        late_req = int(sql(s, "INSERT INTO acd_callback(call_id, queue, phone, requested_at)"
                              f" VALUES ({call}, 'complaint', '13700001111', {N - 10 * MINUTE})"
                              " RETURNING id"))

        # The change: the meeting (supervisors and the incoming shift), the snapshot.
        self.to(N)
        self.assertEqual(self.notes_of("handover.meeting", "8002", N), 1)
        self.assertEqual(self.notes_of("handover.meeting", "8102", N), 1)
        self.assertEqual(self.notes_of("handover.meeting", "8101", N), 0)
        snap = db_rows(s, f"SELECT kind, ref_id, included, at_change FROM handover_item"
                          f" WHERE handover_id = {hid}")
        self.assertTrue(db_value(s, f"SELECT snapshot_at FROM handover WHERE id = {hid}"))
        late = [r for r in snap if r["kind"] == "request" and r["ref_id"] == late_req]
        self.assertEqual(len(late), 1)
        self.assertEqual((late[0]["included"], late[0]["at_change"]), (0, 1))

        # WFM-6: not signed 15 min after the change: the supervisors and the manager, once.
        # (The test clock runs on with real time, so a minute's margin either side.)
        self.to(N + 14 * MINUTE)
        self.assertEqual(self.notes_of("handover.unsigned", "8002", N), 0)
        s.advance(MINUTE)
        self.assertEqual(self.notes_of("handover.unsigned", "8002", N), 1)
        self.assertEqual(self.notes_of("handover.unsigned", "8001", N), 1)
        self.assertEqual(self.notes_of("handover.unsigned", "8101", N), 0)
        s.advance(5 * MINUTE)
        self.assertEqual(self.notes_of("handover.unsigned", "8002", N), 1)
        self.assertEqual(s.count("SELECT count(*) FROM audit WHERE action = 'handover.alert'"
                                 f" AND json_extract(detail, '$.change_at') = {N}"), 1)

        # The incoming person signs with a remark; WFM-7 flags what was left out.
        st, h4, _ = s.call("POST", f"/api/handover/{hid}/sign-in", {"remark": "已核对"},
                           token=self.t["8102"])
        self.assertEqual(st, 200, h4)
        self.assertEqual(h4["state"], "signed")
        self.assertEqual(h4["in_remark"], "已核对")
        rows = db_rows(s, f"SELECT kind, ref_id, included, at_change, flagged FROM handover_item"
                          f" WHERE handover_id = {hid}")
        want = {(r["kind"], r["ref_id"]) for r in rows if r["at_change"] and not r["included"]}
        flagged = {(i["kind"], i["ref_id"]) for i in h4["items"] if i["flagged"]}
        self.assertEqual(flagged, want)
        self.assertEqual(flagged, {("order", due_next["id"]), ("request", late_req)})
        self.assertEqual(h4["flagged"], 2)
        self.assertEqual(self.notes_of("handover.signed", "8101", N), 1)
        self.assertEqual(self.notes_of("handover.signed", "8102", N), 1)
        self.assertError(s.call("POST", f"/api/handover/{hid}/sign-in", {},
                                token=self.t["8002"]), 409)
        # Audited.
        for action in ("handover.notes", "handover.item.add", "handover.item.update",
                       "handover.sign_out", "handover.sign_in"):
            self.assertEqual(s.count(f"SELECT count(*) FROM audit WHERE action = '{action}'"
                                     f" AND entity_id = {hid}"), 1, action)

        # History: by text (one and two Chinese characters), person, dates; agents
        # see only their shifts'.
        def search(token, **q):
            qs = "&".join(f"{k}={v}" for k, v in q.items())
            st, page, _ = s.call("GET", "/api/handover?" + qs, token=self.t[token])
            self.assertEqual(st, 200, page)
            return [x["id"] for x in page["items"]]

        from urllib.parse import quote
        self.assertIn(hid, search("8002", q=quote("升级")))
        self.assertIn(hid, search("8002", q=quote("抚")))
        self.assertIn(hid, search("8002", q=quote("缺纸")))   # a manual item's title
        self.assertIn(hid, search("8002", q=quote("已核对")))  # the remark
        self.assertNotIn(hid, search("8002", q=quote("无关")))
        self.assertNotIn(hid, search("8002", q=quote("100%")))
        self.assertEqual(search("8002", person=self.pid["8102"]), [hid])
        self.assertEqual(search("8002", **{"from": N, "to": N + 1}), [hid])
        self.assertEqual(search("8002", **{"from": N + 1}), [])
        self.assertIn(hid, search("8102"))
        self.assertNotIn(hid, search("8103"))
        self.assertError(s.call("GET", "/api/handover?from=x", token=self.t["8002"]), 400)
        self.assertError(s.call("GET", "/api/handover", token=self.t["2001"]), 403)

    def test_b_no_reminders_before_the_roster_is_published(self):
        """The tick tells nobody anything at a change whose month has no published
        roster: a new center, or a month not yet planned."""
        s, NEXT = self.srv, self.NEXT
        month = local(NEXT).strftime("%Y-%m")
        sql(s, f"UPDATE wfm_roster SET state = 'draft' WHERE month = '{month}'")
        try:
            self.to(NEXT + 16 * MINUTE)
            for kind in ("handover.arrive", "handover.summary", "handover.meeting",
                         "handover.unsigned"):
                self.assertEqual(self.notes_of(kind, "8002", NEXT - 30 * MINUTE), 0, kind)
                self.assertEqual(self.notes_of(kind, "8001", NEXT - 30 * MINUTE), 0, kind)
            self.assertEqual(s.count("SELECT count(*) FROM handover WHERE change_at = "
                                     f"{NEXT}"), 0)
            # Once published, the late alert comes.
            sql(s, f"UPDATE wfm_roster SET state = 'published' WHERE month = '{month}'")
            s.advance(MINUTE)
            self.assertEqual(self.notes_of("handover.unsigned", "8002", NEXT), 1)
        finally:
            sql(s, f"UPDATE wfm_roster SET state = 'published' WHERE month = '{month}'")
