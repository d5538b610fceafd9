"""Training and exams (issue 19: TRN-1..3, ORG-4) against a real server: the
pre-job programme seeded, courses and their knowledge-base materials, the
month's plan (培训计划表) with its .xlsx, submission and the TRN-3 reminders,
sessions and attendance stamped when marked, the question bank, papers drawn
by seeded rules, a timed exam from start to marking (answers refused once the
time is up, the server's own submission), the practical panel's mean, the
manager's confirmation and the ORG-4 gate on chats and orders. Every illegal
step answers 4xx with a zh-CN message and writes nothing."""
import io
import unittest
import zipfile
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apihelp import MINUTE, db_rows, db_value, person_id
from harness import KefuTestCase

DAY = 24 * 60 * MINUTE
TZ = ZoneInfo("Asia/Shanghai")


class TrainingTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        cls.mgr = s.login("8001")
        cls.sup = s.login("8002")
        cls.agent = s.login("8106")  # the trainee, made uncertified for these tests
        cls.other = s.login("8105")
        cls.staff = s.login("4001")  # 市场运营部: on the practical's panel
        cls.trainee = person_id(s, "8106")
        cls.sup_id = person_id(s, "8002")
        cls.staff_id = person_id(s, "4001")
        s.cli("check")  # the database is sane before we touch it
        import sqlite3
        db = sqlite3.connect(s.db)
        db.execute("UPDATE person SET certified = 0 WHERE work_no = '8106'")
        db.commit()
        db.close()

    def call(self, method, path, body=None, token=None):
        # In zh-CN, as the workbench asks: errors must read in Chinese.
        return self.srv.call(method, path, body, token=token or self.sup,
                             headers={"Accept-Language": "zh-CN"})

    @classmethod
    def relogin(cls):
        """Sessions end when idle: after a long jump of the test clock, log in again."""
        for name, no in (("mgr", "8001"), ("sup", "8002"), ("agent", "8106"), ("other", "8105"),
                         ("staff", "4001")):
            setattr(cls, name, cls.srv.login(no))

    def ok(self, method, path, body=None, token=None, status=200):
        st, b, _ = self.call(method, path, body, token)
        self.assertEqual(st, status, b)
        return b

    def zh_error(self, resp, status):
        self.assertError(resp, status)
        msg = resp[1]["error"]["message"]
        self.assertTrue(any("\u4e00" <= ch <= "\u9fff" for ch in msg), msg)
        return msg

    # ---- Courses ----

    def test_courses_and_materials(self):
        items = self.ok("GET", "/api/trn/courses", token=self.agent)["items"]
        pre = [c for c in items if c["pre_job"]]
        # TRN-1: seed 000 §岗前培训's ten courses over three days.
        self.assertEqual(len(pre), 10)
        self.assertEqual(sorted({c["day"] for c in pre}), [1, 2, 3])
        self.assertIn("电话礼仪", [c["title"] for c in pre])
        self.assertIn("实操演习", [c["title"] for c in pre if c["day"] == 3])
        # Agents read; only supervisors and the manager change.
        self.assertError(self.call("POST", "/api/trn/courses", {"title": "x"}, self.agent), 403)
        n = self.srv.count("SELECT count(*) FROM trn_course")
        msg = self.zh_error(self.call("POST", "/api/trn/courses",
                                      {"title": "", "day": 7, "hours": 0, "pre_job": True}), 422)
        self.assertEqual(self.srv.count("SELECT count(*) FROM trn_course"), n, msg)
        c = self.ok("POST", "/api/trn/courses", {"title": "投诉升级处理", "trainer": "客服主管",
                                                 "hours": 3}, status=201)
        self.assertEqual((c["hours"], c["pre_job"], c["materials"]), (3, False, []))
        art = db_value(self.srv, "SELECT id FROM kb_article ORDER BY id LIMIT 1")
        title = db_value(self.srv, f"SELECT title FROM kb_article WHERE id = {art}")
        c = self.ok("POST", f"/api/trn/courses/{c['id']}/materials", {"article_id": art},
                    status=201)
        self.assertEqual(c["materials"], [{"article_id": art, "title": title}])
        self.assertError(self.call("POST", f"/api/trn/courses/{c['id']}/materials",
                                   {"article_id": art}), 409)
        self.assertError(self.call("POST", f"/api/trn/courses/{c['id']}/materials",
                                   {"article_id": 999999}), 422)
        c = self.ok("DELETE", f"/api/trn/courses/{c['id']}/materials/{art}")
        self.assertEqual(c["materials"], [])
        c = self.ok("PATCH", f"/api/trn/courses/{c['id']}", {"active": False})
        self.assertFalse(c["active"])
        self.assertTrue(self.srv.audit(self.mgr, action="trn.course.update"))

    # ---- Sessions and attendance ----

    def test_session_attendance(self):
        now = self.srv.advance(0)
        course = db_value(self.srv, "SELECT id FROM trn_course WHERE title = '电话礼仪'")
        body = {"course_id": course, "trainer_id": self.sup_id, "starts_at": now + 10 * MINUTE,
                "ends_at": now + 70 * MINUTE, "place": "培训室",
                "attendees": [self.trainee, person_id(self.srv, "8105"),
                              person_id(self.srv, "8104")]}
        self.assertError(self.call("POST", "/api/trn/sessions", body, self.agent), 403)
        bad = dict(body, ends_at=body["starts_at"], attendees=[])
        self.zh_error(self.call("POST", "/api/trn/sessions", bad), 422)
        x = self.ok("POST", "/api/trn/sessions", body, status=201)
        self.assertEqual(x["title"], "电话礼仪")
        self.assertEqual([a["status"] for a in x["attendance"]], ["expected"] * 3)
        # Nobody is late before the session began: 409, nothing written.
        self.zh_error(self.call("POST", f"/api/trn/sessions/{x['id']}/attendance",
                                {"person_id": self.trainee, "status": "late"}), 409)
        self.assertEqual(self.srv.count(f"SELECT count(*) FROM trn_attendance WHERE session_id ="
                                        f" {x['id']} AND marked_at IS NOT NULL"), 0)
        t = self.srv.advance(15 * MINUTE)
        marks = {self.trainee: "late", person_id(self.srv, "8105"): "absent",
                 person_id(self.srv, "8104"): "present"}
        for pid, status in marks.items():
            self.ok("POST", f"/api/trn/sessions/{x['id']}/attendance",
                    {"person_id": pid, "status": status})
        self.zh_error(self.call("POST", f"/api/trn/sessions/{x['id']}/attendance",
                                {"person_id": person_id(self.srv, "8101"),
                                 "status": "present"}), 422)
        self.assertError(self.call("POST", f"/api/trn/sessions/{x['id']}/attendance",
                                   {"person_id": self.trainee, "status": "asleep"}), 422)
        rows = db_rows(self.srv, f"SELECT person_id, status, marked_at, marked_by FROM"
                                 f" trn_attendance WHERE session_id = {x['id']}")
        self.assertEqual({r["person_id"]: r["status"] for r in rows}, marks)
        # Stamped with the time it was marked: PERF-5's proposals walk by it.
        # (The test clock moves on from where it was set.)
        self.assertTrue(all(t <= r["marked_at"] < t + MINUTE and r["marked_by"] == self.sup_id
                            for r in rows), (rows, t))
        got = self.ok("GET", f"/api/trn/sessions/{x['id']}", token=self.agent)
        self.assertEqual({a["person_id"]: a["status"] for a in got["attendance"]}, marks)
        listed = self.ok("GET", f"/api/trn/sessions?from={now}&to={now + DAY}")["items"]
        self.assertIn(x["id"], [i["id"] for i in listed])

    # ---- Exams ----

    def bank(self):
        """One question of each kind in the category 业务 (and a spare single choice)."""
        qs = {}
        for kind, extra in (("single", {"options": ["400", "800", "110"], "answer": "A"}),
                            ("multiple", {"options": ["礼貌", "推诿", "耐心", "争辩"],
                                          "answer": "AC"}),
                            ("truefalse", {"answer": "false"}),
                            ("fill", {"answer": "28日|28号"}),
                            ("short", {"answer": "先致歉，再记录，后跟进"})):
            q = self.ok("POST", "/api/trn/questions",
                        dict(extra, kind=kind, category="业务", stem=f"{kind} 题", points=10),
                        status=201)
            qs[kind] = q
        return qs

    def test_exam_flow_and_illegal_steps(self):
        """TRN-2: the bank, a paper drawn by rule, the timed exam, automatic and
        the trainer's marking; illegal steps write nothing."""
        s = self.srv
        # The bank refuses a key that does not fit its kind.
        self.zh_error(self.call("POST", "/api/trn/questions",
                                {"kind": "single", "stem": "x", "options": ["a", "b"],
                                 "answer": "AB"}), 422)
        self.assertError(self.call("POST", "/api/trn/questions",
                                   {"kind": "essay", "stem": "x"}), 422)
        qs = self.bank()
        rules = [{"kind": k, "category": "业务", "count": 1, "points": 10}
                 for k in ("single", "multiple", "truefalse", "fill", "short")]
        # More than the bank holds: 422, no paper.
        n = s.count("SELECT count(*) FROM trn_paper")
        self.zh_error(self.call("POST", "/api/trn/papers",
                                {"title": "x", "rules": [{"kind": "short", "category": "业务",
                                                          "count": 50, "points": 5}]}), 422)
        self.assertEqual(s.count("SELECT count(*) FROM trn_paper"), n)
        p = self.ok("POST", "/api/trn/papers", {"title": "上岗笔试", "duration_min": 30,
                                                "seed": 7, "rules": rules}, status=201)
        self.assertEqual(p["total"], 50)
        self.assertEqual(len(p["questions"]), 5)
        self.assertEqual({q["id"] for q in p["questions"]}, {q["id"] for q in qs.values()})
        # The same seed over the same bank draws the same paper.
        p2 = self.ok("POST", "/api/trn/papers", {"title": "重抽", "duration_min": 30, "seed": 7,
                                                 "rules": rules}, status=201)
        self.assertEqual([q["id"] for q in p2["questions"]], [q["id"] for q in p["questions"]])

        e = self.ok("POST", "/api/trn/exams", {"paper_id": p["id"], "person_id": self.trainee,
                                               "trainer_id": self.sup_id}, status=201)
        self.assertEqual(e["state"], "assigned")
        self.assertError(self.call("POST", "/api/trn/exams",
                                   {"paper_id": p["id"], "person_id": self.sup_id,
                                    "trainer_id": self.sup_id}), 422)
        # Another agent neither sees nor starts it; the trainer does not take it.
        self.assertError(self.call("GET", f"/api/trn/exams/{e['id']}", token=self.other), 404)
        self.assertError(self.call("POST", f"/api/trn/exams/{e['id']}/start"), 403)
        # Answering before the start: 409.
        self.assertError(self.call("PUT", f"/api/trn/exams/{e['id']}/answers/1",
                                   {"answer": "A"}, self.agent), 409)
        e = self.ok("POST", f"/api/trn/exams/{e['id']}/start", token=self.agent)
        self.assertEqual(e["deadline_at"] - e["started_at"], 30 * MINUTE)
        self.assertEqual(e["time_left_ms"], 30 * MINUTE)
        # The trainee sees the questions but no key.
        self.assertTrue(all("answer" not in q for q in e["questions"]))
        self.assertError(self.call("POST", f"/api/trn/exams/{e['id']}/start", token=self.agent),
                         409)
        by_kind = {q["kind"]: q["position"] for q in e["questions"]}
        answers = {"single": "A", "multiple": "CA", "truefalse": "true", "fill": " 28号 ",
                   "short": "先向客户致歉，记录问题并跟进到底"}
        for kind, a in answers.items():
            r = self.ok("PUT", f"/api/trn/exams/{e['id']}/answers/{by_kind[kind]}",
                        {"answer": a}, self.agent)
            self.assertEqual(r["answer"], a)
        self.assertError(self.call("PUT", f"/api/trn/exams/{e['id']}/answers/99",
                                   {"answer": "A"}, self.agent), 404)
        # Marking before submission: 409.
        self.assertError(self.call("POST", f"/api/trn/exams/{e['id']}/marks",
                                   {"marks": [{"position": by_kind["short"], "points": 5}]}), 409)
        e = self.ok("POST", f"/api/trn/exams/{e['id']}/submit", token=self.agent)
        self.assertEqual((e["state"], e["auto_submitted"]), ("submitted", False))
        # Objective marking: single, multiple and fill right; true/false wrong.
        got = {r["position"]: r["points"] for r in db_rows(
            s, f"SELECT position, points FROM trn_answer WHERE exam_id = {e['id']}")}
        self.assertEqual(got[by_kind["single"]], 10)
        self.assertEqual(got[by_kind["multiple"]], 10)
        self.assertEqual(got[by_kind["truefalse"]], 0)
        self.assertEqual(got[by_kind["fill"]], 10)
        self.assertIsNone(got[by_kind["short"]])
        self.assertError(self.call("PUT", f"/api/trn/exams/{e['id']}/answers/1",
                                   {"answer": "B"}, self.agent), 409)
        # Marking by anyone but the exam's trainer: 403, nothing written.
        mark = {"marks": [{"position": by_kind["short"], "points": 8}]}
        self.zh_error(self.call("POST", f"/api/trn/exams/{e['id']}/marks", mark, self.mgr), 403)
        self.assertError(self.call("POST", f"/api/trn/exams/{e['id']}/marks", mark, self.staff),
                         403)
        self.assertIsNone(db_value(s, f"SELECT points FROM trn_answer WHERE exam_id = {e['id']}"
                                      f" AND position = {by_kind['short']}"))
        self.assertError(self.call("POST", f"/api/trn/exams/{e['id']}/marks",
                                   {"marks": [{"position": by_kind["short"], "points": 11}]}),
                         422)
        self.assertError(self.call("POST", f"/api/trn/exams/{e['id']}/marks",
                                   {"marks": [{"position": by_kind["single"], "points": 1}]}),
                         422)
        e = self.ok("POST", f"/api/trn/exams/{e['id']}/marks", mark)
        self.assertEqual(e["state"], "marked")
        total = db_value(s, f"SELECT SUM(points) FROM trn_answer WHERE exam_id = {e['id']}")
        self.assertEqual(total, 38)
        self.assertAlmostEqual(e["score"], 100.0 * total / 50, places=3)
        mine = self.ok("GET", f"/api/trn/exams/{e['id']}", token=self.agent)
        self.assertEqual(mine["questions"][0]["got"] is not None, True)
        self.assertIn("answer", mine["questions"][0])  # keys shown once marked
        self.assertEqual([x["id"] for x in self.ok("GET", "/api/trn/exams",
                                                   token=self.agent)["items"]].count(e["id"]), 1)
        self.assertNotIn(e["id"], [x["id"] for x in self.ok("GET", "/api/trn/exams",
                                                             token=self.other)["items"]])

    def test_exam_time_up(self):
        """TRN-2: answers after the deadline are refused; the exam is submitted
        at the deadline."""
        s = self.srv
        q = self.ok("POST", "/api/trn/questions", {"kind": "truefalse", "category": "计时",
                                                   "stem": "限时题", "answer": "true",
                                                   "points": 4}, status=201)
        p = self.ok("POST", "/api/trn/papers",
                    {"title": "限时", "duration_min": 10,
                     "rules": [{"kind": "truefalse", "category": "计时", "count": 1,
                                "points": 4}]}, status=201)
        self.assertEqual(p["questions"][0]["id"], q["id"])
        e = self.ok("POST", "/api/trn/exams", {"paper_id": p["id"], "person_id": self.trainee,
                                               "trainer_id": self.sup_id}, status=201)
        self.ok("POST", f"/api/trn/exams/{e['id']}/start", token=self.agent)
        self.ok("PUT", f"/api/trn/exams/{e['id']}/answers/1", {"answer": "true"}, self.agent)
        # The time is up (the clock's move runs the scheduler's round too): the
        # answer is refused and nothing written.
        s.advance(10 * MINUTE)
        self.zh_error(self.call("PUT", f"/api/trn/exams/{e['id']}/answers/1",
                                {"answer": "false"}, self.agent), 409)
        self.assertEqual(db_value(s, f"SELECT answer FROM trn_answer WHERE exam_id = {e['id']}"),
                         "true")
        # The server submits it on its tick, at the deadline, and marks it.
        s.advance(0)
        got = self.ok("GET", f"/api/trn/exams/{e['id']}", token=self.agent)
        self.assertEqual((got["state"], got["auto_submitted"]), ("marked", True))
        self.assertEqual(got["submitted_at"], got["deadline_at"])
        self.assertAlmostEqual(got["score"], 100.0)
        self.assertError(self.call("POST", f"/api/trn/exams/{e['id']}/submit",
                                   token=self.agent), 409)

    # ---- Practicals and certification ----

    def test_practical_and_certification(self):
        """TRN-2's practical scored by a panel and averaged, then ORG-4's
        certification by the manager."""
        s = self.srv
        # Nothing passed yet: the manager's confirmation is 409 and writes nothing.
        st = self.ok("GET", f"/api/trn/certification/{self.trainee}", token=self.agent)
        self.assertFalse(st["certified"])
        self.assertError(self.call("GET", f"/api/trn/certification/{self.sup_id}",
                                   token=self.agent), 404)
        x = self.ok("POST", "/api/trn/practicals",
                    {"person_id": self.trainee, "panel": [self.sup_id, self.staff_id]},
                    status=201)
        self.assertEqual(len(x["panel"]), 2)
        self.assertError(self.call("POST", "/api/trn/practicals",
                                   {"person_id": self.trainee, "panel": [self.trainee]}), 422)
        score = {"voice": 18, "tone": 16, "speed": 15, "fluency": 17, "reactions": 14}
        # Not on the panel: 403; out of range: 422; nothing written.
        self.zh_error(self.call("PUT", f"/api/trn/practicals/{x['id']}/score", score,
                                self.other), 403)
        self.zh_error(self.call("PUT", f"/api/trn/practicals/{x['id']}/score",
                                dict(score, tone=21), self.staff), 422)
        self.assertEqual(s.count(f"SELECT count(*) FROM trn_panel WHERE practical_id = {x['id']}"
                                 " AND scored_at IS NOT NULL"), 0)
        self.ok("PUT", f"/api/trn/practicals/{x['id']}/score", score, self.staff)
        # Closing before every member scored: 409.
        self.assertError(self.call("POST", f"/api/trn/practicals/{x['id']}/close"), 409)
        self.ok("PUT", f"/api/trn/practicals/{x['id']}/score",
                {"voice": 12, "tone": 12, "speed": 12, "fluency": 12, "reactions": 12})
        self.assertError(self.call("POST", f"/api/trn/practicals/{x['id']}/close",
                                   token=self.staff), 403)
        x = self.ok("POST", f"/api/trn/practicals/{x['id']}/close")
        totals = [r["total"] for r in db_rows(s, f"SELECT total FROM trn_panel WHERE"
                                                 f" practical_id = {x['id']}")]
        self.assertEqual(sorted(totals), [60, 80])
        self.assertAlmostEqual(x["score"], sum(totals) / len(totals))
        self.assertError(self.call("PUT", f"/api/trn/practicals/{x['id']}/score", score,
                                   self.staff), 409)

        certs = s.count("SELECT count(*) FROM trn_cert")
        exams = s.count(f"SELECT count(*) FROM trn_exam WHERE person_id = {self.trainee}"
                        " AND state = 'marked'")
        if exams == 0:
            # Without a passed written exam the manager cannot confirm.
            msg = self.zh_error(self.call("POST", f"/api/trn/certification/{self.trainee}",
                                          token=self.mgr), 409)
            self.assertIn("笔试", msg)
            self.assertEqual(s.count("SELECT count(*) FROM trn_cert"), certs)
            self.test_exam_time_up()
        # Only the manager confirms (person.certify).
        self.assertError(self.call("POST", f"/api/trn/certification/{self.trainee}"), 403)
        self.assertEqual(db_value(s, f"SELECT certified FROM person WHERE id = {self.trainee}"),
                         0)

    def test_z_gates_then_certification(self):
        s = self.srv
        # ORG-4: an uncertified agent opens no order and takes no chat.
        n = s.count("SELECT count(*) FROM work_order")
        msg = self.zh_error(self.call("POST", "/api/orders", {"class": "E", "summary": "咨询"},
                                      self.agent), 422)
        self.assertIn("上岗", msg)
        self.assertEqual(s.count("SELECT count(*) FROM work_order"), n)
        acc = self.ok("POST", "/api/chan/accounts", {"channel": "web_chat", "name": "培训测试",
                                                     "queue": "", "config": {}}, self.mgr,
                      status=201)
        st, r, _ = s.call("POST", "/api/test/chan/inbound",
                          {"account_id": acc["id"], "peer": "trn-visitor", "text": "你好"})
        self.assertEqual(st, 201, r)
        cid = r["conv_id"]
        self.zh_error(self.call("POST", f"/api/conversations/{cid}/take", {}, self.agent), 422)
        self.zh_error(self.call("POST", f"/api/conversations/{cid}/assign",
                                {"agent_id": self.trainee}, self.sup), 422)
        self.assertIsNone(db_value(s, f"SELECT agent_id FROM conv WHERE id = {cid}"))
        # The written exam and the practical passed, the manager confirms.
        self.test_practical_and_certification()
        if s.count(f"SELECT count(*) FROM trn_exam WHERE person_id = {self.trainee}"
                   " AND state = 'marked' AND score >= 60") == 0:
            self.test_exam_time_up()
        st = self.ok("POST", f"/api/trn/certification/{self.trainee}", token=self.mgr)
        self.assertTrue(st["certified"])
        self.assertTrue(st["written"]["passed"] and st["practical"]["passed"])
        self.assertEqual(db_value(s, f"SELECT certified FROM person WHERE id = {self.trainee}"),
                         1)
        self.assertEqual(s.count(f"SELECT count(*) FROM trn_cert WHERE person_id ="
                                 f" {self.trainee}"), 1)
        self.assertError(self.call("POST", f"/api/trn/certification/{self.trainee}",
                                   token=self.mgr), 409)
        self.assertTrue(s.audit(self.mgr, action="trn.certify"))
        # Now the same steps go through.
        self.ok("POST", f"/api/conversations/{cid}/take", {}, self.agent)
        self.ok("POST", "/api/orders", {"class": "E", "summary": "咨询"}, self.agent,
                status=201)

    # ---- The month's plan (TRN-3, LED-2) ----

    def test_zz_plan_and_reminders(self):
        s = self.srv
        now = s.advance(0)
        local = datetime.fromtimestamp(now / 1000, TZ)
        # Go to the 24th of this month or the next, before the reminder starts.
        target = local.replace(day=24, hour=9, minute=0, second=0, microsecond=0)
        if target <= local:
            target = (target.replace(day=1) + timedelta(days=32)).replace(day=24)
        now = s.advance(int(target.timestamp() * 1000) - now)
        self.relogin()
        nxt = (target.replace(day=1) + timedelta(days=32)).replace(day=1)
        month = nxt.strftime("%Y-%m")
        course = db_value(s, "SELECT id FROM trn_course WHERE title = '投诉处理技巧'")
        plan = self.ok("GET", f"/api/trn/plans/{month}", token=self.agent)
        self.assertFalse(plan["exists"])
        due = datetime(target.year, target.month, 28, tzinfo=TZ)
        self.assertEqual(plan["due_at"], int(due.timestamp() * 1000))
        self.assertError(self.call("POST", f"/api/trn/plans/{month}/submit"), 409)
        self.assertError(self.call("GET", f"/api/trn/plans/{month}/export"), 404)
        bad = {"items": [{"day": f"{month}-40", "course_id": course}]}
        self.zh_error(self.call("PUT", f"/api/trn/plans/{month}", bad), 422)
        self.assertEqual(s.count(f"SELECT count(*) FROM trn_plan WHERE month = '{month}'"), 0)
        self.assertError(self.call("PUT", f"/api/trn/plans/{month}", {"items": []}, self.agent),
                         403)
        s.advance(0)
        self.assertEqual(s.count(f"SELECT count(*) FROM trn_plan_notice WHERE month = '{month}'"),
                         0, "no reminder before the 25th")
        s.advance(DAY + 15 * 60 * MINUTE)  # the 25th, 00:00
        s.advance(0)
        self.relogin()
        notes = db_rows(s, "SELECT person_id, text FROM notification WHERE kind = 'trn.plan'")
        told = {r["person_id"] for r in notes if month in r["text"]}
        self.assertEqual(told, {person_id(s, "8001"), person_id(s, "8002")})
        s.advance(0)
        self.assertEqual(len([r for r in db_rows(s, "SELECT text FROM notification WHERE kind ="
                                                    " 'trn.plan'") if month in r["text"]]), 2,
                         "told once")
        items = [{"day": f"{month}-03", "course_id": course, "trainer_id": self.sup_id,
                  "hours": 2, "audience": "全体客服专员"},
                 {"day": f"{month}-10", "course_id": course, "audience": "新员工"}]
        plan = self.ok("PUT", f"/api/trn/plans/{month}", {"notes": "每月培训", "items": items})
        self.assertEqual([(i["day"], i["trainer"], i["hours"]) for i in plan["items"]],
                         [(f"{month}-03", "张敏", 2), (f"{month}-10", "客服主管/客服经理", 2)])
        st, h, body = s.raw("GET", f"/api/trn/plans/{month}/export",
                            headers={"Authorization": "Bearer " + self.sup})
        self.assertEqual(st, 200)
        self.assertIn("spreadsheetml", h.get("content-type", ""))
        self.assertIn("training-plan-" + month, h.get("content-disposition", ""))
        z = zipfile.ZipFile(io.BytesIO(body))
        strings = z.read("xl/sharedStrings.xml").decode()
        for word in ("培训计划表", "投诉处理技巧", "张敏", "全体客服专员", "合计"):
            self.assertIn(word, strings)
        plan = self.ok("POST", f"/api/trn/plans/{month}/submit")
        self.assertFalse(plan["late"])
        self.assertTrue(plan["submitted_at"])
        self.assertError(self.call("POST", f"/api/trn/plans/{month}/submit"), 409)
        # Submitted: no late notice on the 28th.
        s.advance(3 * DAY)
        s.advance(0)
        self.relogin()
        self.assertEqual(s.count(f"SELECT count(*) FROM trn_plan_notice WHERE month = '{month}'"
                                 " AND kind = 'late'"), 0)
        listed = self.ok("GET", "/api/trn/plans")["items"]
        self.assertEqual([p["month"] for p in listed if p["month"] == month], [month])


if __name__ == "__main__":
    unittest.main()
