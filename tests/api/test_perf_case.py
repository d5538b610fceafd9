"""perf's cases (issue 19): penalties with the rulebook's categories as data, the agent's
acknowledgement or objection and the manager's decision, repeat offences proposed to HR
(seed 000 第十一节三), proposals (PERF-2: submitted, reviewed, adopted ¥10–100, paid) and
the grievance award (PERF-4: supervisor → manager → HR → general office → announcement).
Each step only by its role; an illegal step is 409 and writes nothing; money only through
the ledger, recomputed here from its rows."""
from apihelp import db_rows, db_value, person_id
from harness import KefuTestCase


class PerfCaseTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.mgr = srv.login("8001")
        cls.sup = srv.login("8002")
        cls.agent = srv.login("8101")
        cls.other = srv.login("8102")
        cls.hr = srv.login("7001")
        cls.office = srv.login("1001")
        cls.staff = srv.login("2002")
        cls.agent_id = person_id(srv, "8101")
        cls.other_id = person_id(srv, "8102")
        cls.ids = {w: person_id(srv, w) for w in ("8103", "8104", "8105", "8106")}
        st, k, _ = srv.call("POST", "/api/contacts", {"channel": "phone", "direction": "in"},
                            token=cls.agent)
        assert st == 201, k
        cls.contact_id = k["id"]
        cats = cls.get(cls, "/api/perf/penalty-categories", cls.sup)["items"]
        cls.cat = {c["code"]: c for c in cats}

    def get(self, path, token):
        st, body, _ = self.srv.call("GET", path, token=token)
        assert st == 200, (path, st, body)
        return body

    def post(self, path, body, token, status=200):
        st, out, _ = self.srv.call("POST", path, body, token=token)
        self.assertEqual(st, status, (path, out))
        return out

    def ledger(self, source, sid):
        return db_rows(self.srv, "SELECT person_id, rule, category, amount_fen, voided_at,"
                       f" month FROM perf_ledger WHERE source = '{source}' AND source_id = {sid}")

    def written(self):
        """Everything a refused step could have written."""
        return (db_rows(self.srv, "SELECT * FROM perf_penalty ORDER BY id"),
                db_rows(self.srv, "SELECT * FROM perf_ledger ORDER BY id"),
                db_rows(self.srv, "SELECT * FROM perf_proposal ORDER BY id"),
                db_rows(self.srv, "SELECT * FROM perf_grievance ORDER BY id"),
                db_rows(self.srv, "SELECT * FROM perf_escalation ORDER BY id"),
                self.srv.count("SELECT count(*) FROM notification"),
                self.srv.count("SELECT count(*) FROM audit WHERE action LIKE 'perf.%'"))

    def refused(self, method, path, body, token, status):
        before = self.written()
        st, out, _ = self.srv.call(method, path, body, token=token)
        self.assertEqual(st, status, (path, out))
        self.assertIn("error", out)
        self.assertEqual(self.written(), before, f"{path} wrote something")
        return out

    def penalty(self, who_id, code, token=None, **extra):
        body = dict({"person_id": who_id, "category_id": self.cat[code]["id"],
                     "evidence": "主管巡查发现", "ref_kind": "contact",
                     "ref_id": self.contact_id}, **extra)
        return self.post("/api/perf/penalties", body, token or self.sup, 201)

    # ---- PERF-5 penalties ----

    def test_default_categories_are_the_rulebooks(self):
        want = {"games": 500, "unrelated": 500, "file_handling": 500, "outsider": 500,
                "uncivil": 500, "no_reply": 1000, "handover": 1000, "late_meeting": 1000,
                "absent_meeting": 3000, "complaint": 5000}
        for code, fen in want.items():
            self.assertEqual(self.cat[code]["amount_fen"], fen, code)
            self.assertFalse(self.cat[code]["entered"])
        self.assertTrue(self.cat["wrong_note"]["entered"])

    def test_record_acknowledge(self):
        told = self.srv.count("SELECT count(*) FROM notification WHERE kind = 'perf.penalty'"
                              f" AND person_id = {self.ids['8103']}")
        p = self.penalty(self.ids["8103"], "complaint", amount_fen=1)
        self.assertEqual(p["state"], "open")
        self.assertEqual(p["amount_fen"], 5000, "a fixed category's amount, whatever is sent")
        self.assertEqual(self.ledger("penalty", p["id"]),
                         [{"person_id": self.ids["8103"], "rule": "penalty",
                           "category": "complaint", "amount_fen": -5000, "voided_at": None,
                           "month": self.ledger("penalty", p["id"])[0]["month"]}])
        self.assertEqual(self.srv.count(
            "SELECT count(*) FROM notification WHERE kind = 'perf.penalty'"
            f" AND person_id = {self.ids['8103']}"), told + 1)
        tok = self.srv.login("8103")
        # Only the agent answers their own; others see no such penalty.
        self.refused("POST", f"/api/perf/penalties/{p['id']}/acknowledge", {}, self.other, 404)
        self.refused("POST", f"/api/perf/penalties/{p['id']}/acknowledge", {}, self.mgr, 403)
        a = self.post(f"/api/perf/penalties/{p['id']}/acknowledge", {"note": "知道了"}, tok)
        self.assertEqual((a["state"], a["answer"]), ("acknowledged", "知道了"))
        self.refused("POST", f"/api/perf/penalties/{p['id']}/acknowledge", {}, tok, 409)
        self.refused("POST", f"/api/perf/penalties/{p['id']}/object", {"note": "不服"}, tok,
                     409)
        # The agent sees their own penalties only.
        mine = self.get("/api/perf/penalties", tok)["items"]
        self.assertEqual({x["person"]["id"] for x in mine}, {self.ids["8103"]})
        self.assertEqual(self.get(f"/api/perf/penalties/{p['id']}", tok)["state"],
                         "acknowledged")
        self.refused("GET", f"/api/perf/penalties/{p['id']}", None, self.other, 404)

    def test_objection_upheld_voids_the_line(self):
        p = self.penalty(self.ids["8104"], "no_reply")
        tok = self.srv.login("8104")
        self.refused("POST", f"/api/perf/penalties/{p['id']}/object", {}, tok, 400)
        o = self.post(f"/api/perf/penalties/{p['id']}/object", {"note": "客户未接电话"}, tok)
        self.assertEqual(o["state"], "objected")
        self.refused("POST", f"/api/perf/penalties/{p['id']}/decide",
                     {"uphold": True, "note": "核实"}, self.sup, 403)
        self.refused("POST", f"/api/perf/penalties/{p['id']}/decide", {"note": "x"},
                     self.mgr, 400)
        d = self.post(f"/api/perf/penalties/{p['id']}/decide",
                      {"uphold": True, "note": "通话记录证实已回复"}, self.mgr)
        self.assertEqual(d["state"], "cancelled")
        line = self.ledger("penalty", p["id"])[0]
        self.assertIsNotNone(line["voided_at"])
        self.assertEqual(line["amount_fen"], -1000)
        self.refused("POST", f"/api/perf/penalties/{p['id']}/decide",
                     {"uphold": False, "note": "再议"}, self.mgr, 409)
        # Counted penalties of the agent: the voided line no longer counts.
        self.assertEqual(db_value(self.srv, "SELECT coalesce(sum(amount_fen), 0) FROM perf_ledger"
                                  f" WHERE person_id = {self.ids['8104']}"
                                  " AND voided_at IS NULL AND rule = 'penalty'"), 0)

    def test_objection_overruled_keeps_the_line(self):
        p = self.penalty(self.ids["8105"], "handover")
        tok = self.srv.login("8105")
        self.post(f"/api/perf/penalties/{p['id']}/object", {"note": "交接本已写明"}, tok)
        d = self.post(f"/api/perf/penalties/{p['id']}/decide",
                      {"uphold": False, "note": "交接记录不完整"}, self.mgr)
        self.assertEqual((d["state"], d["decision_note"]), ("confirmed", "交接记录不完整"))
        self.assertIsNone(self.ledger("penalty", p["id"])[0]["voided_at"])

    def test_the_loss_itself_is_entered(self):
        self.refused("POST", "/api/perf/penalties",
                     {"person_id": self.ids["8106"], "category_id": self.cat["wrong_note"]["id"],
                      "evidence": "备注写错地址"}, self.sup, 422)
        p = self.penalty(self.ids["8106"], "wrong_note", amount_fen=12345, ref_kind=None,
                         ref_id=None)
        self.assertEqual(self.ledger("penalty", p["id"])[0]["amount_fen"], -12345)

    def test_bad_input_and_roles_write_nothing(self):
        good = {"person_id": self.agent_id, "category_id": self.cat["games"]["id"],
                "evidence": "玩游戏"}
        self.refused("POST", "/api/perf/penalties", {"person_id": self.agent_id}, self.sup, 400)
        st, out, _ = self.srv.call("POST", "/api/perf/penalties", {"person_id": self.agent_id},
                                   token=self.sup, headers={"Accept-Language": "zh-CN"})
        self.assertEqual(st, 400)
        self.assertRegex(out["error"]["message"], "[\u4e00-\u9fff]")
        self.assertEqual({e["field"] for e in out["error"]["errors"]},
                         {"category_id", "evidence"})
        self.refused("POST", "/api/perf/penalties", dict(good, ref_kind="ticket", ref_id=1),
                     self.sup, 400)
        self.refused("POST", "/api/perf/penalties", dict(good, ref_kind="contact",
                                                         ref_id=999999), self.sup, 422)
        self.refused("POST", "/api/perf/penalties", dict(good, category_id=999999), self.sup,
                     422)
        self.refused("POST", "/api/perf/penalties", dict(good, person_id=999999), self.sup, 422)
        self.refused("POST", "/api/perf/penalties", dict(good, extra=1), self.sup, 400)
        for tok in (self.agent, self.hr, self.office, self.staff):
            self.refused("POST", "/api/perf/penalties", good, tok, 403)
        self.refused("POST", "/api/perf/penalties/999999/confirm", {}, self.sup, 404)

    def test_repeat_offences_escalate_to_hr(self):
        who = self.other_id
        first = self.penalty(who, "games")
        self.assertEqual(self.get(f"/api/perf/escalations?person_id={who}", self.hr)["items"],
                         [])
        second = self.penalty(who, "games")
        third = self.penalty(who, "games")
        self.penalty(who, "unrelated")  # another category counts on its own
        items = self.get(f"/api/perf/escalations?person_id={who}", self.hr)["items"]
        self.assertEqual([(e["level"], e["offences"], e["penalty_id"]) for e in items],
                         [("persuade", 3, third["id"]), ("warning", 2, second["id"])])
        self.assertNotIn(first["id"], [e["penalty_id"] for e in items])
        self.refused("GET", "/api/perf/escalations", None, self.other, 403)
        self.assertGreaterEqual(self.srv.count(
            "SELECT count(*) FROM notification WHERE kind = 'perf.escalation'"), 2)
        e = items[0]
        self.refused("POST", f"/api/perf/escalations/{e['id']}/decide", {"accept": True},
                     self.mgr, 403)
        self.refused("POST", f"/api/perf/escalations/{e['id']}/decide", {}, self.hr, 400)
        d = self.post(f"/api/perf/escalations/{e['id']}/decide",
                      {"accept": True, "note": "约谈后劝离"}, self.hr)
        self.assertEqual((d["state"], d["decided_by"]), ("accepted", person_id(self.srv, "7001")))
        self.refused("POST", f"/api/perf/escalations/{e['id']}/decide", {"accept": False},
                     self.hr, 409)
        # The escalation is a record: the agent's penalties and lines are untouched.
        self.assertEqual(db_value(self.srv, "SELECT sum(amount_fen) FROM perf_ledger WHERE"
                                  f" person_id = {who} AND rule = 'penalty'"
                                  " AND voided_at IS NULL"), -2000)

    def test_proposed_penalties_confirm_or_dismiss(self):
        # Proposals come from the sources' absences (the tick, unit-tested); here one
        # stands in for them as the tick writes it.
        now = self.srv.advance(0)
        cat = self.cat["absent_meeting"]["id"]
        for sid in (1, 2):
            db_rows(self.srv, "INSERT INTO perf_penalty(person_id, category_id, amount_fen,"
                    f" occurred_at, evidence, state, source, source_id, created_at) VALUES"
                    f" ({self.ids['8103']}, {cat}, 3000, {now}, '周例会（缺席）', 'proposed',"
                    f" 'mtg_attendance', {sid}, {now})")
        ids = [r["id"] for r in db_rows(self.srv, "SELECT id FROM perf_penalty WHERE source ="
                                        " 'mtg_attendance' ORDER BY source_id")]
        listed = self.get("/api/perf/penalties?state=proposed", self.sup)["items"]
        self.assertEqual(sorted(x["id"] for x in listed), sorted(ids))
        tok = self.srv.login("8103")
        self.refused("POST", f"/api/perf/penalties/{ids[0]}/acknowledge", {}, tok, 409)
        self.refused("POST", f"/api/perf/penalties/{ids[0]}/confirm", {}, self.agent, 403)
        self.assertEqual(self.ledger("penalty", ids[0]), [])
        c = self.post(f"/api/perf/penalties/{ids[0]}/confirm", {}, self.sup)
        self.assertEqual(c["state"], "open")
        self.assertEqual(self.ledger("penalty", ids[0])[0]["amount_fen"], -3000)
        d = self.post(f"/api/perf/penalties/{ids[1]}/dismiss", {"note": "已请假"}, self.sup)
        self.assertEqual(d["state"], "dismissed")
        self.assertEqual(self.ledger("penalty", ids[1]), [])
        self.refused("POST", f"/api/perf/penalties/{ids[1]}/confirm", {}, self.sup, 409)

    def test_closed_month_is_409(self):
        p = self.penalty(self.ids["8105"], "uncivil")
        tok = self.srv.login("8105")
        self.post(f"/api/perf/penalties/{p['id']}/object", {"note": "没有摔鼠标"}, tok)
        month = self.ledger("penalty", p["id"])[0]["month"]
        db_rows(self.srv, f"INSERT INTO perf_month(month, state) VALUES ('{month}', 'closed')")
        try:
            out = self.refused("POST", f"/api/perf/penalties/{p['id']}/decide",
                               {"uphold": True, "note": "撤销"}, self.mgr, 409)
            self.assertIn(month, out["error"]["message"])
            self.refused("POST", "/api/perf/penalties",
                         {"person_id": self.agent_id, "category_id": self.cat["games"]["id"],
                          "evidence": "x"}, self.sup, 409)
        finally:
            db_rows(self.srv, f"DELETE FROM perf_month WHERE month = '{month}'")

    def test_categories_and_settings_are_data(self):
        self.refused("POST", "/api/perf/penalty-categories",
                     {"code": "sleep", "name": "上班睡觉", "amount_fen": 500}, self.sup, 403)
        c = self.post("/api/perf/penalty-categories",
                      {"code": "sleep", "name": "上班睡觉", "amount_fen": 500}, self.mgr, 201)
        self.refused("POST", "/api/perf/penalty-categories",
                     {"code": "sleep", "name": "重复", "amount_fen": 500}, self.mgr, 409)
        self.refused("POST", "/api/perf/penalty-categories",
                     {"code": "Bad Code", "name": "x", "amount_fen": 500}, self.mgr, 400)
        st, u, _ = self.srv.call("PUT", f"/api/perf/penalty-categories/{c['id']}",
                                 {"amount_fen": 800, "active": False}, token=self.mgr)
        self.assertEqual((st, u["amount_fen"], u["active"]), (200, 800, False))
        self.refused("POST", "/api/perf/penalties",
                     {"person_id": self.agent_id, "category_id": c["id"], "evidence": "x"},
                     self.sup, 422)
        s = self.get("/api/perf/case-settings", self.sup)
        self.assertEqual((s["warn_at"], s["persuade_at"], s["dismiss_at"], s["grievance_fen"],
                          s["proposal_min_fen"], s["proposal_max_fen"]),
                         (2, 3, 5, [50000, 30000, 20000], 1000, 10000))
        self.refused("PUT", "/api/perf/case-settings", {"warn_at": 3}, self.mgr, 422)
        self.refused("PUT", "/api/perf/case-settings", {"escalate_window_days": 60}, self.sup,
                     403)
        st, s2, _ = self.srv.call("PUT", "/api/perf/case-settings", {"escalate_window_days": 60},
                                  token=self.mgr)
        self.assertEqual((st, s2["escalate_window_days"]), (200, 60))
        self.srv.call("PUT", "/api/perf/case-settings", {"escalate_window_days": 90},
                      token=self.mgr)

    # ---- PERF-2 proposals ----

    def test_proposal_workflow(self):
        body = {"title": "交接班模板", "content": "交接班记录增加未结工单栏"}
        p = self.post("/api/perf/proposals", body, self.agent, 201)
        self.assertEqual(p["state"], "submitted")
        pid = p["id"]
        self.refused("GET", f"/api/perf/proposals/{pid}", None, self.other, 404)
        self.refused("POST", f"/api/perf/proposals/{pid}/adopt", {"amount_fen": 5000},
                     self.mgr, 409)
        self.refused("POST", f"/api/perf/proposals/{pid}/review", {}, self.mgr, 403)
        self.refused("POST", f"/api/perf/proposals/{pid}/review", {}, self.agent, 403)
        self.refused("POST", f"/api/perf/proposals/{pid}/reject", {"note": "x"}, self.mgr, 403)
        self.post(f"/api/perf/proposals/{pid}/review", {"note": "可行"}, self.sup)
        self.refused("POST", f"/api/perf/proposals/{pid}/adopt", {"amount_fen": 5000},
                     self.sup, 403)
        self.refused("POST", f"/api/perf/proposals/{pid}/adopt", {"amount_fen": 999},
                     self.mgr, 422)
        self.refused("POST", f"/api/perf/proposals/{pid}/adopt", {"amount_fen": 10001},
                     self.mgr, 422)
        self.refused("POST", f"/api/perf/proposals/{pid}/pay", {}, self.hr, 409)
        a = self.post(f"/api/perf/proposals/{pid}/adopt", {"amount_fen": 10000}, self.mgr)
        self.assertEqual((a["state"], a["amount_fen"]), ("adopted", 10000))
        self.assertEqual([(x["person_id"], x["rule"], x["amount_fen"])
                          for x in self.ledger("proposal", pid)],
                         [(self.agent_id, "proposal", 10000)])
        self.refused("POST", f"/api/perf/proposals/{pid}/pay", {}, self.mgr, 403)
        paid = self.post(f"/api/perf/proposals/{pid}/pay", {}, self.hr)
        self.assertEqual(paid["state"], "paid")
        self.refused("POST", f"/api/perf/proposals/{pid}/pay", {}, self.hr, 409)
        self.refused("POST", f"/api/perf/proposals/{pid}/reject", {"note": "x"}, self.sup, 409)
        mine = self.get("/api/perf/proposals", self.agent)["items"]
        self.assertEqual({x["author"]["id"] for x in mine}, {self.agent_id})
        # Anyone proposes, staff too; rejected by the supervisor at review.
        q = self.post("/api/perf/proposals", {"title": "工单", "content": "减少转派"},
                      self.staff, 201)
        r = self.post(f"/api/perf/proposals/{q['id']}/reject", {"note": "已有流程"}, self.sup)
        self.assertEqual((r["state"], r["reject_note"]), ("rejected", "已有流程"))
        self.assertEqual(self.ledger("proposal", q["id"]), [])
        self.refused("POST", "/api/perf/proposals", {"title": "x"}, self.agent, 400)

    # ---- PERF-4 grievance award ----

    def grievance(self, token=None, **extra):
        body = dict({"person_id": self.agent_id, "summary": "客户辱骂，坐席耐心解释",
                     "evidence": "通话录音 00:03:10 起", "ref_kind": "contact",
                     "ref_id": self.contact_id,
                     "witnesses": [self.other_id, self.ids["8103"]]}, **extra)
        return self.post("/api/perf/grievances", body, token or self.sup, 201)

    def test_grievance_five_steps_each_by_its_role(self):
        for tok in (self.agent, self.mgr, self.hr, self.office):
            self.refused("POST", "/api/perf/grievances",
                         {"person_id": self.agent_id, "summary": "x", "ref_kind": "contact",
                          "ref_id": self.contact_id,
                          "witnesses": [self.other_id, self.ids["8103"]]}, tok, 403)
        g = self.grievance()
        gid = g["id"]
        self.assertEqual(g["state"], "submitted")
        path = f"/api/perf/grievances/{gid}"
        # Steps out of order are 409; steps by another role 403.
        self.refused("POST", path + "/verify", {"method": "interview", "note": "x"}, self.hr, 409)
        self.refused("POST", path + "/decide", {"level": 1}, self.office, 409)
        self.refused("POST", path + "/announce", {}, self.office, 409)
        for tok in (self.sup, self.hr, self.office, self.agent):
            self.refused("POST", path + "/review", {}, tok, 403)
        self.post(path + "/review", {"note": "情况属实"}, self.mgr)
        for tok in (self.mgr, self.sup, self.office):
            self.refused("POST", path + "/verify", {"method": "interview", "note": "x"}, tok, 403)
        self.refused("POST", path + "/verify", {"method": "phone", "note": "x"}, self.hr, 400)
        v = self.post(path + "/verify", {"method": "recording", "note": "调阅录音核实"}, self.hr)
        self.assertEqual(v["verify_method"], "recording")
        for tok in (self.mgr, self.hr, self.sup):
            self.refused("POST", path + "/decide", {"level": 2}, tok, 403)
        self.refused("POST", path + "/decide", {"level": 4}, self.office, 400)
        self.assertEqual(self.ledger("grievance", gid), [])
        d = self.post(path + "/decide", {"level": 2, "note": "二等奖"}, self.office)
        self.assertEqual((d["state"], d["level"], d["amount_fen"]), ("decided", 2, 30000))
        self.assertEqual([(x["person_id"], x["rule"], x["category"], x["amount_fen"])
                          for x in self.ledger("grievance", gid)],
                         [(self.agent_id, "grievance", "level2", 30000)])
        self.refused("POST", path + "/decide", {"level": 1}, self.office, 409)
        self.refused("POST", path + "/reject", {"note": "x"}, self.office, 409)
        self.refused("POST", path + "/announce", {}, self.mgr, 403)
        before = self.srv.count("SELECT count(*) FROM notification WHERE kind = 'perf.grievance'"
                                f" AND person_id = {self.ids['8104']}")
        a = self.post(path + "/announce", {}, self.office)
        self.assertEqual(a["state"], "announced")
        self.assertEqual(self.srv.count("SELECT count(*) FROM notification WHERE"
                                        " kind = 'perf.grievance'"
                                        f" AND person_id = {self.ids['8104']}"), before + 1)
        text = db_value(self.srv, "SELECT text FROM notification WHERE kind = 'perf.grievance'"
                        f" AND person_id = {self.ids['8104']} ORDER BY id DESC LIMIT 1")
        self.assertIn("委屈奖二等奖", text)
        self.refused("POST", path + "/announce", {}, self.office, 409)
        steps = [e["action"] for e in self.srv.audit(self.mgr, entity="perf_grievance",
                                                     entity_id=gid)]
        for s in ("submit", "review", "verify", "decide", "announce"):
            self.assertIn("perf.grievance." + s, steps)
        # The agent sees their own case; another agent does not.
        self.assertEqual(self.get(path, self.agent)["state"], "announced")
        self.refused("GET", path, None, self.other, 404)

    def test_grievance_rejected_by_the_step_it_waits_for(self):
        g = self.grievance()
        path = f"/api/perf/grievances/{g['id']}"
        self.post(path + "/review", {}, self.mgr)
        self.refused("POST", path + "/reject", {"note": "x"}, self.mgr, 403)
        self.refused("POST", path + "/reject", {}, self.hr, 400)
        r = self.post(path + "/reject", {"note": "座谈后认定非客户原因"}, self.hr)
        self.assertEqual((r["state"], r["rejected_step"]), ("rejected", "verify"))
        self.refused("POST", path + "/verify", {"method": "interview", "note": "x"}, self.hr, 409)
        self.assertEqual(self.ledger("grievance", g["id"]), [])

    def test_grievance_needs_two_witnesses_and_evidence(self):
        base = {"person_id": self.agent_id, "summary": "x", "ref_kind": "contact",
                "ref_id": self.contact_id}
        for w in ([self.other_id], [self.other_id, self.other_id],
                  [self.agent_id, self.other_id], [self.other_id, 999999]):
            out = self.refused("POST", "/api/perf/grievances", dict(base, witnesses=w), self.sup,
                               400 if len(w) != 2 else 422)
            self.assertEqual(out["error"]["field"], "witnesses")
        self.refused("POST", "/api/perf/grievances",
                     dict(base, witnesses=[self.other_id, self.ids["8103"]], ref_id=999999),
                     self.sup, 422)
        self.refused("POST", "/api/perf/grievances",
                     dict(base, witnesses=[self.other_id, self.ids["8103"]], ref_kind="order"),
                     self.sup, 400)


class AttendanceProposalTest(KefuTestCase):
    """wfm's attendance (WFM-5) becomes penalty proposals once a day is over: an absent
    agent (旷工, absent_shift ¥30), a late one (上班迟到, late_shift ¥10), none for one on
    approved leave; once each, however often the tick runs."""
    server_env = {"KEFU_SESSION_IDLE_MIN": "1440", "KEFU_SESSION_MAX_HOURS": "720"}

    def test_late_and_absent_days_become_proposals(self):
        import datetime
        import sqlite3
        from zoneinfo import ZoneInfo
        tz = ZoneInfo("Asia/Shanghai")
        srv = self.srv
        ids = {w: person_id(srv, w) for w in ("8101", "8102", "8103")}
        now = srv.advance(0)
        day = (datetime.datetime.fromtimestamp(now / 1000, tz) + datetime.timedelta(days=1)).date()

        def local(minute, d=day):
            t = datetime.datetime(d.year, d.month, d.day, tzinfo=tz)
            return int((t + datetime.timedelta(minutes=minute)).timestamp() * 1000)

        early = db_value(srv, "SELECT id FROM wfm_shift_type WHERE code = 'early'")
        db = sqlite3.connect(srv.db, timeout=10)
        db.execute("INSERT OR IGNORE INTO wfm_roster(month, state, version, updated_at)"
                   " VALUES (?, 'published', 1, 0)", (day.strftime("%Y-%m"),))
        for w in ids:
            db.execute("INSERT INTO wfm_roster_entry(day, person_id, shift_type_id, updated_at)"
                       " VALUES (?, ?, ?, 0)", (day.isoformat(), ids[w], early))
        db.execute("INSERT INTO wfm_leave(person_id, kind, first_day, last_day, state,"
                   " requested_at, updated_at) VALUES (?, 'annual', ?, ?, 'approved', 0, 0)",
                   (ids["8103"], day.isoformat(), day.isoformat()))
        db.commit()
        db.close()
        # 8102 comes 20 minutes late to the 08:00 shift; 8101 never comes.
        srv.advance(local(8 * 60 + 20) - srv.advance(0))
        late = srv.login("8102")
        st, b, _ = srv.call("POST", "/api/acd/me/status", {"status": "ready"}, token=late)
        self.assertEqual(st, 200, b)
        srv.advance(local(15 * 60 + 59) - srv.advance(0))
        srv.call("POST", "/api/acd/me/status", {"status": "logged_out"}, token=late)
        # Nothing while the day is not over.
        self.assertEqual(srv.count("SELECT count(*) FROM perf_penalty"), 0)
        srv.advance(local(25 * 60) - srv.advance(0))
        srv.advance(61000)
        rows = db_rows(srv, "SELECT p.person_id, c.code, p.amount_fen, p.state, p.evidence,"
                       " p.occurred_at FROM perf_penalty p JOIN perf_penalty_category c"
                       " ON c.id = p.category_id WHERE p.source = 'wfm_attendance'"
                       " ORDER BY p.person_id")
        self.assertEqual([(r["person_id"], r["code"], r["amount_fen"], r["state"]) for r in rows],
                         sorted([(ids["8101"], "absent_shift", 3000, "proposed"),
                                 (ids["8102"], "late_shift", 1000, "proposed")]))
        self.assertIn("迟到 20 分钟", [r for r in rows if r["person_id"] == ids["8102"]][0]["evidence"])
        self.assertEqual({r["occurred_at"] for r in rows}, {local(0)})
        self.assertIn("处罚建议待确认", db_value(srv, "SELECT text FROM notification WHERE"
                                               " kind = 'perf.penalty' AND person_id ="
                                               f" {person_id(srv, '8002')}"))
        # Again: nothing twice; and nothing in the ledger until a supervisor confirms.
        srv.advance(61000)
        srv.advance(24 * 3600 * 1000)
        self.assertEqual(srv.count("SELECT count(*) FROM perf_penalty"), 2)
        self.assertEqual(srv.count("SELECT count(*) FROM perf_ledger"), 0)
