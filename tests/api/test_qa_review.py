"""The review of quality inspection (质检, QA-1, QA-5) over HTTP: the must-review
picks and the weekly sample filling the reviewer's queue (recomputed from the
call rows), scoring a call on the seeded scorecard and closing it (the total
recomputed from the scorecard's items), a closed assessment never rescored,
agents seeing only their own, the appeal to the supervisor and the second
appeal to the quality inspector or the manager, the windows, scorecard
versions, and bad input writing nothing. Calls, contacts and automatic checks
are written straight into the database as the call engine and the rule engine
would; the clock is moved to a Monday in Asia/Shanghai first."""
import datetime
import json
import math
import sqlite3
from zoneinfo import ZoneInfo

from harness import KefuTestCase

TZ = ZoneInfo("Asia/Shanghai")
MIN = 60000
HOUR = 60 * MIN
DAY = 24 * HOUR


def next_monday_ms(now_ms):
    """The first local Monday 00:00 after now."""
    t = datetime.datetime.fromtimestamp(now_ms / 1000, TZ)
    d = t.date() + datetime.timedelta(days=7 - t.weekday())
    return int(datetime.datetime(d.year, d.month, d.day, tzinfo=TZ).timestamp() * 1000)


def weighted_total(items, scores):
    """QA-5: 100 · Σ weight·score/max ÷ Σ weight, half up; a failed fatal item is 0."""
    if any(it["fatal"] and s == 0 for it, s in zip(items, scores)):
        return 0
    num = sum(it["weight"] * s / it["max_points"] for it, s in zip(items, scores))
    return math.floor(100 * num / sum(it["weight"] for it in items) + 0.5)


class QaReviewTest(KefuTestCase):
    """One story in order: the methods are numbered and share the server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        cls.W0 = next_monday_ms(s.advance(0))
        # The tick samples the week before W0 (no calls) when the clock gets there.
        s.advance(cls.W0 + 3 * DAY - s.advance(0))
        cls.pid = {w: cls.q1(f"SELECT id FROM person WHERE work_no = '{w}'")
                   for w in ("8001", "8002", "8101", "8102", "8103", "8301")}

    @classmethod
    def db(cls):
        return sqlite3.connect(cls.srv.db, timeout=10)

    @classmethod
    def q1(cls, sql, *args):
        with cls.db() as db:
            row = db.execute(sql, args).fetchone()
        return row[0] if row else None

    @classmethod
    def rows(cls, sql, *args):
        with cls.db() as db:
            return db.execute(sql, args).fetchall()

    def tok(self, work_no):
        return self.srv.login(work_no)

    def call_row(self, agent, at, survey=5, answered=True, ended=True, sip="c"):
        with self.db() as db:
            cur = db.execute(
                "INSERT INTO call(sip_call_id, caller, called, started_at, ended_at, queue,"
                " agent_id, connected_at, outcome, hangup_first, survey)"
                " VALUES (?, '13800000000', '4000000000', ?, ?, 'market_consult', ?, ?, ?,"
                " 'caller', ?)",
                (f"{sip}{at}", at, at + 5 * MIN if ended else None,
                 self.pid[agent] if answered else None, at + 20000 if answered else None,
                 "answered" if answered else "abandoned", survey))
            return cur.lastrowid

    def api(self, method, path, body=None, who="8301", status=200):
        st, b, _ = self.srv.call(method, path, body, token=self.t[who])
        self.assertEqual(st, status, b)
        return b

    def relogin(self):
        self.__class__.t = {w: self.tok(w) for w in self.pid}

    def notes(self, work_no, kind):
        return self.srv.count(f"SELECT count(*) FROM notification WHERE person_id ="
                              f" {self.pid[work_no]} AND kind = '{kind}'")

    def audits(self, action):
        return self.srv.count(f"SELECT count(*) FROM audit WHERE action = '{action}'")

    # ---- sampling and must-review (QA-1) ----

    def test_1_settings_plans_and_the_queue(self):
        s, W0 = self.srv, self.W0
        self.relogin()
        self.assertEqual(self.api("GET", "/api/qa/settings")["appeal_days"], 3)
        self.api("PATCH", "/api/qa/settings", {"new_hire_days": 30, "low_survey": 2})
        # Regular agents: half their calls; new hires: three calls a week.
        p = self.api("PUT", "/api/qa/plans", {"regular": {"mode": "ratio", "ratio_pct": 50},
                                              "new_hire": {"mode": "count", "count": 3}})
        self.assertEqual(p["regular"], {"mode": "ratio", "ratio_pct": 50, "count": 0})
        self.assertEqual(p["new_hire"]["mode"], "count")
        self.assertEqual(self.audits("qa.plans.update"), 1)
        self.assertEqual(self.audits("qa.settings.update"), 1)
        # An agent reads nothing of it; a supervisor reads but does not change plans.
        self.api("GET", "/api/qa/plans", who="8101", status=403)
        self.api("GET", "/api/qa/plans", who="8002")
        self.api("PUT", "/api/qa/plans", {"regular": {"count": 1}}, who="8002", status=403)
        # 8101's account is days old (a new hire); the others' a year old.
        with self.db() as db:
            db.execute("UPDATE person SET created_at = ? WHERE id IN (?, ?, ?)",
                       (W0 - 365 * DAY, self.pid["8102"], self.pid["8103"], self.pid["8002"]))

        # The week [W0, W0 + 7 d): calls of the day before yesterday.
        at = W0 + 1 * DAY
        c = {}
        c["8101"] = [self.call_row("8101", at + i * HOUR) for i in range(6)]
        c["low"] = self.call_row("8101", at + 7 * HOUR, survey=1)           # CALL-3: low
        c["8102"] = [self.call_row("8102", at + i * HOUR + MIN) for i in range(4)]
        c["high"] = self.call_row("8102", at + 5 * HOUR + MIN)
        c["f"] = self.call_row("8102", at + 6 * HOUR + MIN)
        c["fatal"] = self.call_row("8103", at + 2 * MIN)
        c["lost"] = self.call_row("8101", at + 9 * HOUR, answered=False, survey=None)
        c["live"] = self.call_row("8101", at + 2 * DAY, survey=1, ended=False)
        c["own"] = self.call_row("8002", at + 3 * MIN)
        c["complaint"] = self.call_row("8103", at + 10 * HOUR)
        c["esc"] = self.call_row("8103", at + 11 * HOUR)
        with self.db() as db:
            for ref, high, fatal in ((c["high"], 2, 0), (c["fatal"], 0, 1)):
                db.execute("INSERT INTO qa_check(kind, ref_id, agent_id, contact_at, checked_at,"
                           " score, fatal, hits, high) VALUES ('call', ?, NULL, ?, ?, 60, ?, 2,"
                           " ?)", (ref, at, at, fatal, high))
            # Class F (harassment, CALL-7): the contact the call became.
            cid = db.execute("INSERT INTO contact(channel, direction, agent_id, started_at,"
                             " class, created_at) VALUES ('phone', 'in', ?, ?, 'F', ?)",
                             (self.pid["8102"], at, at)).lastrowid
            db.execute("UPDATE call SET contact_id = ? WHERE id = ?", (cid, c["f"]))
            # A complaint order (class A1) and an escalated one (WO-4) from two calls.
            for key, cls, level, hour in (("complaint", "A1", 0, 10), ("esc", "B", 1, 11)):
                cid = db.execute("INSERT INTO contact(channel, direction, agent_id, started_at,"
                                 " call_id, created_at) VALUES ('phone', 'in', ?, ?, ?, ?)",
                                 (self.pid["8103"], at, c[key], at)).lastrowid
                oid = db.execute("INSERT INTO work_order(number, class, state, first_agent_id,"
                                 " summary, escalation_level, created_at, updated_at)"
                                 " VALUES (?, ?, 'dispatched', ?, '投诉', ?, ?, ?)",
                                 (f"QA{key}", cls, self.pid["8103"], level, at, at)).lastrowid
                db.execute("INSERT INTO order_contact(order_id, contact_id, role)"
                           " VALUES (?, ?, 'origin')", (oid, cid))
        self.__class__.c = c

        # Must-review calls are picked within a minute, the first reason that applies.
        s.advance(MIN)
        self.relogin()
        q = self.api("GET", "/api/qa/queue")["items"]
        got = {a["ref_id"]: a["reason"] for a in q}
        self.assertEqual(got, {c["low"]: "low_survey", c["high"]: "high_hits",
                               c["f"]: "class_f", c["fatal"]: "fatal_check",
                               c["complaint"]: "complaint", c["esc"]: "escalation"})
        self.assertTrue(all(a["must"] and a["state"] == "open" for a in q))
        self.assertEqual([a["contact_at"] for a in q], sorted(a["contact_at"] for a in q))
        self.assertEqual(q[0]["agent"]["work_no"], "8103")

        # Monday W0 + 7 d: the week's sample, once, counting the picks already made.
        s.advance(W0 + 7 * DAY + MIN - s.advance(0))
        s.advance(MIN)
        self.relogin()
        plans = {"new_hire": lambda n: min(3, n), "regular": lambda n: math.ceil(n * 50 / 100)}
        picked = 0
        for w, plan in (("8101", "new_hire"), ("8102", "regular"), ("8103", "regular"),
                        ("8002", "regular")):
            week = self.rows("SELECT id FROM call WHERE agent_id = ? AND started_at >= ? AND"
                             " started_at < ? AND connected_at IS NOT NULL AND ended_at IS NOT"
                             " NULL", self.pid[w], W0, W0 + 7 * DAY)
            reasons = [r[0] for r in self.rows(
                "SELECT a.reason FROM qa_assessment a JOIN call c ON c.id = a.ref_id"
                " WHERE a.agent_id = ? AND c.started_at >= ? AND c.started_at < ?",
                self.pid[w], W0, W0 + 7 * DAY)]
            must = sum(r not in ("sample", "new_hire") for r in reasons)
            want = max(plans[plan](len(week)), must)
            self.assertEqual(len(reasons), want, (w, reasons))
            sampled = [r for r in reasons if r in ("sample", "new_hire")]
            self.assertTrue(all(r == ("new_hire" if plan == "new_hire" else "sample")
                                for r in sampled), (w, reasons))
            picked += len(sampled)
        self.assertEqual(picked, 2 + 1 + 0 + 1)
        self.assertEqual(self.q1("SELECT picked FROM qa_sample_run WHERE week_start = ?", W0),
                         picked)
        # Never the unanswered call or the one still going.
        self.assertEqual(self.srv.count(f"SELECT count(*) FROM qa_assessment WHERE ref_id IN"
                                        f" ({c['lost']}, {c['live']})"), 0)
        q = self.api("GET", "/api/qa/queue")["items"]
        self.assertEqual(len(q), 6 + picked)
        self.assertEqual([a["must"] for a in q], [True] * 6 + [False] * picked)
        # Each pick of the tick is audited as kefu's own.
        self.assertEqual(self.srv.count("SELECT count(*) FROM audit WHERE action ="
                                        " 'qa.assessment.pick' AND actor = 'system'"),
                         self.srv.count("SELECT count(*) FROM qa_assessment"))
        # The next ticks pick nothing more.
        n = self.srv.count("SELECT count(*) FROM qa_assessment")
        s.advance(2 * MIN)
        self.assertEqual(self.srv.count("SELECT count(*) FROM qa_assessment"), n)

    # ---- review: score while listening, comments, close (QA-1, QA-5) ----

    def test_2_review_to_assessment(self):
        self.relogin()
        c = self.c
        aid = self.q1("SELECT id FROM qa_assessment WHERE ref_id = ?", c["low"])
        self.__class__.aid = aid
        # The words of the call, as the rule engine's transcript API stores them.
        utts = [{"speaker": "agent", "start_ms": 0, "end_ms": 4200,
                 "text": "您好！客户服务中心，工号8101为您服务"},
                {"speaker": "customer", "start_ms": 4800, "end_ms": 7900,
                 "text": "我家空调不制冷了"}]
        with self.db() as db:
            db.execute("INSERT INTO qa_transcript(kind, ref_id, source, body, created_at)"
                       " VALUES ('call', ?, 'api:test', ?, 0)",
                       (c["low"], json.dumps({"utterances": utts}, ensure_ascii=False)))
        a = self.api("GET", f"/api/qa/assessments/{aid}")
        self.assertEqual(a["transcript"], {"source": "api:test", "utterances": utts})
        items = a["scorecard"]["items"]
        self.assertEqual(a["scorecard"]["name"], "通话质检评分表")
        self.assertEqual(len(items), 11)
        self.assertEqual(a["call"]["id"], c["low"])
        self.assertEqual(a["call"]["survey"], 1)
        # The checker (qa_tick) has checked the call by now: the assessment carries
        # that check, as stored.
        chk = self.rows("SELECT id, score, fatal, hits, high FROM qa_check"
                        " WHERE kind = 'call' AND ref_id = ?", c["low"])
        self.assertEqual(len(chk), 1)
        self.assertEqual([a["check"][k] for k in ("id", "score", "fatal", "hits", "high")],
                         [chk[0][0], chk[0][1], bool(chk[0][2]), chk[0][3], chk[0][4]])
        self.assertEqual(a["may"], {"review": True, "appeal": False, "decide": False})

        # A wrong number of scores or a score over the item's points: nothing written.
        before = self.rows("SELECT state, scores, updated_at FROM qa_assessment WHERE id = ?",
                           aid)
        st, b, _ = self.srv.call("PATCH", f"/api/qa/assessments/{aid}", {"scores": [1, 2]},
                                 token=self.t["8301"])
        self.assertEqual(st, 422, b)
        bad = [None] * 11
        bad[0], bad[7] = 11, 21
        st, b, _ = self.srv.call("PATCH", f"/api/qa/assessments/{aid}", {"scores": bad},
                                 token=self.t["8301"])
        self.assertEqual(st, 422, b)
        self.assertEqual([e["field"] for e in b["error"]["errors"]], ["scores[0]", "scores[7]"])
        self.assertEqual(self.rows("SELECT state, scores, updated_at FROM qa_assessment"
                                   " WHERE id = ?", aid), before)

        # The draft: half the items, a comment at 0:12 into the call.
        part = [it["max_points"] for it in items[:5]] + [None] * 6
        a = self.api("PATCH", f"/api/qa/assessments/{aid}", {"scores": part, "comment": "开场规范"})
        self.assertEqual(a["state"], "draft")
        self.assertEqual(a["scores"], part)
        self.assertEqual(a["reviewer"]["id"], self.pid["8301"])
        cm = self.api("POST", f"/api/qa/assessments/{aid}/comments",
                      {"at_ms": 12000, "text": "此处未确认客户需求"}, status=201)
        self.assertEqual(cm["at_ms"], 12000)
        self.api("POST", f"/api/qa/assessments/{aid}/comments", {"at_ms": -1, "text": "x"},
                 status=400)
        # Closing needs every item scored: the first unscored is named.
        st, b, _ = self.srv.call("POST", f"/api/qa/assessments/{aid}/close", {},
                                 token=self.t["8301"])
        self.assertEqual(st, 422, b)
        self.assertEqual(b["error"]["field"], "scores[5]")
        self.assertEqual(self.q1("SELECT state FROM qa_assessment WHERE id = ?", aid), "draft")
        # An agent neither scores nor sees the draft.
        self.api("PATCH", f"/api/qa/assessments/{aid}", {"comment": "x"}, who="8101",
                 status=403)
        self.api("GET", f"/api/qa/assessments/{aid}", who="8101", status=403)

        full = [it["max_points"] for it in items]
        full[7] = 12  # 准确理解问题: 12 of 20
        full[10] = 4  # 客户满意度: 4 of 10
        a = self.api("POST", f"/api/qa/assessments/{aid}/close", {"scores": full})
        want = weighted_total(items, full)
        self.assertEqual(want, 86)
        self.assertEqual((a["state"], a["total"], a["final_score"], a["fatal"]),
                         ("closed", want, want, False))
        self.assertLessEqual(a["closed_at"], self.srv.advance(0))
        self.assertEqual(a["appeal_until"], a["closed_at"] + 3 * DAY)
        self.assertEqual([x["text"] for x in a["comments"]], ["此处未确认客户需求"])
        self.assertEqual(self.notes("8101", "qa.closed"), 1)
        self.assertEqual(self.audits("qa.assessment.update"), 1)
        self.assertEqual(self.audits("qa.comment.add"), 1)
        self.assertEqual(self.audits("qa.assessment.close"), 1)
        detail = json.loads(self.q1("SELECT detail FROM audit WHERE action ="
                                    " 'qa.assessment.close'"))
        self.assertEqual(detail["total"], want)

        # A closed assessment is never rescored, closed again or commented on.
        self.api("PATCH", f"/api/qa/assessments/{aid}", {"scores": full}, status=409)
        self.api("POST", f"/api/qa/assessments/{aid}/close", {"scores": full}, status=409)
        self.api("POST", f"/api/qa/assessments/{aid}/comments", {"at_ms": 1, "text": "x"},
                 status=409)
        self.assertEqual(self.q1("SELECT total FROM qa_assessment WHERE id = ?", aid), want)

        # A fatal item failed (服务禁语): 0 whatever the rest.
        fid = self.q1("SELECT id FROM qa_assessment WHERE ref_id = ?", c["f"])
        fatal = [it["max_points"] for it in items]
        fatal[2] = 0
        a = self.api("POST", f"/api/qa/assessments/{fid}/close", {"scores": fatal})
        self.assertEqual((a["total"], a["fatal"]), (0, True))
        self.assertIsNone(a["transcript"])

    def test_3_pick_by_hand_and_not_ones_own(self):
        c = self.c
        # The supervisor's own call of the week was sampled; another one by hand.
        self.assertEqual(self.q1("SELECT reason FROM qa_assessment WHERE ref_id = ?", c["own"]),
                         "sample")
        c["own"] = self.call_row("8002", self.srv.advance(0) - HOUR, sip="o")
        a = self.api("POST", "/api/qa/assessments", {"kind": "call", "ref_id": c["own"]},
                     status=201)
        self.assertEqual((a["reason"], a["must"], a["agent"]["work_no"]),
                         ("manual", False, "8002"))
        self.assertEqual(self.srv.count("SELECT count(*) FROM audit WHERE action ="
                                        f" 'qa.assessment.pick' AND actor_id = {self.pid['8301']}"),
                         1)
        self.api("POST", "/api/qa/assessments", {"kind": "call", "ref_id": c["own"]},
                 status=409)
        self.api("POST", "/api/qa/assessments", {"kind": "call", "ref_id": 999999},
                 status=404)
        self.api("POST", "/api/qa/assessments", {"kind": "call", "ref_id": c["lost"]},
                 status=422)
        # The automatic check behind a must-review pick comes with the assessment.
        hid = self.q1("SELECT id FROM qa_assessment WHERE ref_id = ?", c["high"])
        chk = self.api("GET", f"/api/qa/assessments/{hid}")["check"]
        self.assertEqual((chk["score"], chk["high"], chk["hits"], chk["items"]), (60, 2, 2, []))
        # The supervisor reviews calls, never their own, nor sees that review's draft.
        self.api("PATCH", f"/api/qa/assessments/{a['id']}", {"comment": "x"}, who="8002",
                 status=403)
        self.api("GET", f"/api/qa/assessments/{a['id']}", who="8002", status=403)
        # Nor finds it in the queue, where the others do.
        self.assertNotIn(a["id"], [x["id"] for x in self.api("GET", "/api/qa/queue",
                                                             who="8002")["items"]])
        self.assertIn(a["id"], [x["id"] for x in self.api("GET", "/api/qa/queue")["items"]])
        self.api("GET", f"/api/qa/assessments/{a['id']}", who="8001")
        self.assertEqual(self.srv.count("SELECT count(*) FROM qa_assessment WHERE ref_id IN"
                                        f" ({c['lost']}, 999999)"), 0)

    # ---- agents see their own (QA-1) ----

    def test_4_agent_sees_own_only(self):
        aid = self.aid
        mine = self.api("GET", "/api/me/qa", who="8101")
        self.assertEqual([a["id"] for a in mine["items"]], [aid])
        self.assertTrue(mine["items"][0]["may_appeal"])
        self.assertIsNone(mine["next_cursor"])
        # 8102's fatal one is closed too, but not 8101's.
        self.assertEqual([a["agent"]["work_no"] for a in
                          self.api("GET", "/api/me/qa", who="8102")["items"]], ["8102"])
        a = self.api("GET", f"/api/qa/assessments/{aid}", who="8101")
        self.assertEqual(a["may"], {"review": False, "appeal": True, "decide": False})
        self.api("GET", f"/api/qa/assessments/{aid}", who="8102", status=403)
        self.api("GET", "/api/qa/queue", who="8101", status=403)
        self.api("GET", "/api/qa/appeals", who="8101", status=403)

    # ---- appeals: the supervisor, then the QA inspector or the manager (QA-1) ----

    def test_5_appeal_twice(self):
        aid, s = self.aid, self.srv
        total = self.q1("SELECT total FROM qa_assessment WHERE id = ?", aid)
        self.api("POST", f"/api/qa/assessments/{aid}/appeal", {"reason": "x"}, who="8102",
                 status=403)
        self.api("POST", f"/api/qa/assessments/{aid}/appeal", {"reason": " "}, who="8101",
                 status=422)
        self.assertEqual(s.count("SELECT count(*) FROM qa_appeal"), 0)
        p = self.api("POST", f"/api/qa/assessments/{aid}/appeal",
                     {"reason": "客户当时信号不好，并非未确认需求"}, who="8101", status=201)
        self.assertEqual((p["level"], p["state"], p["old_score"]), (1, "pending", total))
        self.assertEqual(self.q1("SELECT state FROM qa_assessment WHERE id = ?", aid),
                         "appealed")
        # The supervisors are told; not the manager nor the inspector yet.
        self.assertEqual((self.notes("8002", "qa.appeal"), self.notes("8001", "qa.appeal"),
                          self.notes("8301", "qa.appeal")), (1, 0, 0))
        self.api("POST", f"/api/qa/assessments/{aid}/appeal", {"reason": "再申诉"},
                 who="8101", status=409)
        # The queue of appeals by level: the supervisor sees it, the inspector not.
        self.assertEqual([x["id"] for x in self.api("GET", "/api/qa/appeals", who="8002")
                          ["items"]], [p["id"]])
        self.assertEqual(self.api("GET", "/api/qa/appeals")["items"], [])
        self.assertTrue(self.api("GET", "/api/qa/appeals", who="8002")["items"][0]
                        ["may_decide"])
        dec = f"/api/qa/appeals/{p['id']}/decide"
        self.api("POST", dec, {"decision": "upheld", "reason": "x"}, who="8001", status=403)
        self.api("POST", dec, {"decision": "upheld", "reason": "x"}, who="8301", status=403)
        self.api("POST", dec, {"decision": "changed", "reason": "复听确认"}, who="8002",
                 status=422)
        self.api("POST", dec, {"decision": "upheld", "score": 90, "reason": "x"}, who="8002",
                 status=422)
        self.api("POST", dec, {"decision": "maybe", "reason": "x"}, who="8002", status=422)
        self.assertEqual(self.q1("SELECT state FROM qa_appeal WHERE id = ?", p["id"]),
                         "pending")
        d = self.api("POST", dec, {"decision": "changed", "score": 90, "reason": "复听确认信号问题"},
                     who="8002")
        self.assertEqual((d["state"], d["decision"], d["new_score"], d["decided_by"]["id"]),
                         ("decided", "changed", 90, self.pid["8002"]))
        a = self.api("GET", f"/api/qa/assessments/{aid}", who="8101")
        self.assertEqual((a["state"], a["total"], a["final_score"], a["appeal_count"]),
                         ("closed", total, 90, 1))
        self.assertEqual(a["appeal_until"], d["decided_at"] + 3 * DAY)
        self.assertTrue(a["may"]["appeal"])
        self.assertEqual(self.notes("8101", "qa.decided"), 1)
        self.api("POST", dec, {"decision": "upheld", "reason": "x"}, who="8002", status=409)

        # The second appeal goes to the quality inspector and the manager.
        p2 = self.api("POST", f"/api/qa/assessments/{aid}/appeal", {"reason": "仍有异议"},
                      who="8101", status=201)
        self.assertEqual((p2["level"], p2["old_score"]), (2, 90))
        self.assertEqual((self.notes("8002", "qa.appeal"), self.notes("8001", "qa.appeal"),
                          self.notes("8301", "qa.appeal")), (1, 1, 1))
        dec2 = f"/api/qa/appeals/{p2['id']}/decide"
        self.api("POST", dec2, {"decision": "rejected", "reason": "x"}, who="8002", status=403)
        self.assertEqual([x["id"] for x in self.api("GET", "/api/qa/appeals")["items"]],
                         [p2["id"]])
        self.api("POST", dec2, {"decision": "upheld", "reason": "维持主管改判"}, who="8001")
        a = self.api("GET", f"/api/qa/assessments/{aid}", who="8101")
        self.assertEqual((a["state"], a["final_score"], a["appeal_count"]), ("closed", 90, 2))
        self.assertEqual([(x["level"], x["decision"]) for x in a["appeals"]],
                         [(1, "changed"), (2, "upheld")])
        self.assertFalse(a["may"]["appeal"])
        self.api("POST", f"/api/qa/assessments/{aid}/appeal", {"reason": "第三次"}, who="8101",
                 status=409)
        self.assertEqual(s.count("SELECT count(*) FROM qa_appeal"), 2)
        self.assertEqual(self.audits("qa.appeal.create"), 2)
        self.assertEqual(self.audits("qa.appeal.decide"), 2)
        self.assertEqual(self.notes("8101", "qa.decided"), 2)
        self.assertEqual(len(self.api("GET", "/api/qa/appeals?state=all")["items"]), 2)
        self.api("GET", "/api/qa/appeals?state=old", status=400)

    def test_6_window_closed(self):
        s = self.srv
        # 8102's fatal one closed in test 2: three days later, no appeal.
        fid = self.q1("SELECT id FROM qa_assessment WHERE ref_id = ?", self.c["f"])
        until = self.q1("SELECT appeal_until FROM qa_assessment WHERE id = ?", fid)
        s.advance(until - s.advance(0))
        self.relogin()
        self.api("POST", f"/api/qa/assessments/{fid}/appeal", {"reason": "迟到的申诉"},
                 who="8102", status=409)
        self.assertEqual(s.count(f"SELECT count(*) FROM qa_appeal WHERE assessment_id = {fid}"),
                         0)
        self.assertFalse(self.api("GET", "/api/me/qa", who="8102")["items"][0]["may_appeal"])

    # ---- scorecards as data, versions (QA-5) ----

    def test_7_scorecards_and_bad_input(self):
        s = self.srv
        n = s.count("SELECT count(*) FROM qa_scorecard_item")
        st, b, _ = s.call("POST", "/api/qa/scorecards", {"name": "短信质检", "items": [
            {"dimension": "mood", "label": "x", "max_points": 10, "weight": 10},
            {"dimension": "quality", "label": "y", "max_points": 0, "weight": 200}]},
            token=self.t["8301"])
        self.assertEqual(st, 422, b)
        self.assertEqual([e["field"] for e in b["error"]["errors"]],
                         ["items[0].dimension", "items[1].max_points", "items[1].weight"])
        self.api("POST", "/api/qa/scorecards", {"name": "x", "items": [
            {"dimension": "quality", "label": "y", "max_points": 5, "weight": 0}]}, status=422)
        self.api("POST", "/api/qa/scorecards", {"name": "x", "items": []}, status=422)
        self.api("POST", "/api/qa/scorecards", {"name": "x", "items": [], "owner": 1},
                 status=400)
        self.api("POST", "/api/qa/scorecards", {"name": "x", "items": [
            {"dimension": "quality", "label": "y", "max_points": 5, "weight": 5}]},
            who="8002", status=403)
        self.api("PUT", "/api/qa/plans", {"regular": {"mode": "weekly"}}, status=422)
        self.api("PATCH", "/api/qa/settings", {"appeal_days": 0, "low_survey": 9}, status=422)
        self.api("PATCH", "/api/qa/settings", {"colour": 1}, status=400)
        self.assertEqual(s.count("SELECT count(*) FROM qa_scorecard"), 1)
        self.assertEqual(s.count("SELECT count(*) FROM qa_scorecard_item"), n)
        self.assertEqual(self.api("GET", "/api/qa/plans")["regular"]["mode"], "ratio")
        self.assertEqual(self.api("GET", "/api/qa/settings")["appeal_days"], 3)
        self.api("PATCH", "/api/qa/scorecards/1", {"is_default": False}, status=422)

        sc = self.api("POST", "/api/qa/scorecards", {"name": "投诉专项评分表", "is_default": True,
                                                    "items": [
            {"dimension": "attitude", "label": "安抚情绪", "max_points": 10, "weight": 40},
            {"dimension": "skill", "label": "按投诉流程处理", "max_points": 10, "weight": 60,
             "fatal": True}]}, status=201)
        self.assertEqual((sc["version"], sc["is_default"]), (1, True))
        sc2 = self.api("PATCH", f"/api/qa/scorecards/{sc['id']}", {"items": [
            {"dimension": "attitude", "label": "安抚情绪", "max_points": 10, "weight": 30},
            {"dimension": "skill", "label": "按投诉流程处理", "max_points": 10, "weight": 50},
            {"dimension": "satisfaction", "label": "客户满意", "max_points": 5, "weight": 20}]})
        self.assertEqual((sc2["version"], len(sc2["items"])), (2, 3))
        v1 = self.api("GET", f"/api/qa/scorecards/{sc['id']}?version=1")
        self.assertEqual([it["weight"] for it in v1["items"]], [40, 60])
        lst = self.api("GET", "/api/qa/scorecards")["items"]
        self.assertEqual([x["is_default"] for x in lst if x["id"] == 1], [False])
        # New assessments use the default's current version; old ones keep theirs.
        ref = self.call_row("8103", s.advance(0) - HOUR, sip="m")
        a = self.api("POST", "/api/qa/assessments", {"kind": "call", "ref_id": ref}, status=201)
        self.assertEqual((a["scorecard_id"], a["scorecard_version"], len(a["scores"])),
                         (sc["id"], 2, 3))
        old = self.api("GET", f"/api/qa/assessments/{self.aid}")
        self.assertEqual((old["scorecard_id"], old["scorecard_version"],
                          len(old["scorecard"]["items"])), (1, 1, 11))
        self.assertEqual(self.audits("qa.scorecard.create"), 1)
        self.assertEqual(self.audits("qa.scorecard.update"), 1)
