"""The automatic quality check (issue 15; QA-1, QA-3, QA-4, docs/qa.md): the
rules as data with their versions (a change writes the next version and
never rescores a check already made), the test box (nothing written), a
call's transcript posted by a center's recogniser, checked by the next
scheduler round with hits whose offsets point into the text as posted, bad
input (400, 404, 409, 422, nothing written) and who may do what (quality
inspectors, supervisors and the manager edit rules; agents see their own
checks only). Calls are rows written straight into the database, as the
call engine writes them."""
import json
import sqlite3

from apihelp import MINUTE, db_rows, db_value, person_id
from harness import KefuTestCase

# A check waits for the call's recording up to recording_wait_min (10 min,
# migration 22); these calls have none, so the round after that checks them.
WAIT = 11 * MINUTE


def rule_body(word, score=-4, better=None, severity="high", fatal=False):
    cond = {"id": "a", "type": "keywords", "speaker": "agent", "mode": "any", "words": [word]}
    if better:
        cond["better"] = better
    return {"name": "测试禁语：" + word, "dimension": "attitude", "severity": severity,
            "score": score, "fatal": fatal, "conditions": [cond]}


def expected_score(hits):
    """docs/qa.md: 100 plus each matched rule's score once, within 0..100; fatal is 0."""
    if any(h["fatal"] for h in hits):
        return 0
    by_rule = {h["rule"]["id"]: h["score"] for h in hits}
    return max(0, min(100, 100 + sum(by_rule.values())))


class QaCheckTest(KefuTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.a1, cls.a2 = person_id(srv, "8101"), person_id(srv, "8102")

    def setUp(self):
        # The tests move the clock past sessions' idle limit: fresh ones each test.
        self.t = {w: self.srv.login(w) for w in ("8001", "8002", "8101", "8102", "8301", "2001")}

    # -- helpers --

    def add_call(self, agent, answered=True):
        """An ended call answered by agent (None: never answered), ended now."""
        now = self.srv.advance(0)
        db = sqlite3.connect(self.srv.db, timeout=10)
        cur = db.execute(
            "INSERT INTO call(sip_call_id, caller, called, started_at, connected_at, ended_at,"
            " ended_by, queue, agent_id, outcome) VALUES (?, '13900139000', '4000000000', ?, ?, ?,"
            " 'caller', 'tech_service', ?, ?)",
            (f"qa-{now}-{agent}", now - 5 * MINUTE, now - 4 * MINUTE if answered else None, now,
             agent if answered else None, "answered" if answered else "abandoned"))
        db.commit()
        cid = cur.lastrowid
        db.close()
        return cid

    def put_transcript(self, cid, utterances, who="8301", source="api:test"):
        return self.srv.call("PUT", f"/api/calls/{cid}/transcript",
                             {"source": source, "utterances": utterances}, token=self.t[who])

    def check_of(self, cid, who="8301"):
        st, body, _ = self.srv.call("GET", f"/api/qa/checks/call/{cid}", token=self.t[who])
        self.assertEqual(st, 200, body)
        return body

    def create_rule(self, body, code=None, who="8301"):
        req = {"body": body}
        if code:
            req["code"] = code
        st, r, _ = self.srv.call("POST", "/api/qa/rules", req, token=self.t[who])
        self.assertEqual(st, 201, r)
        return r

    def written(self):
        """What bad input must leave as it was."""
        return tuple(self.srv.count(f"SELECT count(*) FROM {t}") for t in
                     ("qa_rule", "qa_rule_version", "qa_transcript", "qa_recheck", "qa_check",
                      "qa_hit", "audit"))

    # -- rules and versions --

    def test_rules_seeded(self):
        st, body, _ = self.srv.call("GET", "/api/qa/rules", token=self.t["8101"])
        self.assertEqual(st, 200, body)
        codes = {r["code"]: r for r in body["items"]}
        # QA-3: one rule per forbidden phrase of the spec's list, with its replacement.
        phrases = self.srv.count("SELECT count(*) FROM qa_rule WHERE code LIKE 'qa3.%'")
        self.assertGreaterEqual(phrases, 60)
        wei = next(r for r in body["items"] if r["code"].startswith("qa3.")
                   and r["body"]["conditions"][0]["words"] == ["喂"])
        self.assertEqual(wei["body"]["conditions"][0]["better"], "您好！")
        for code in ("qa4.nin", "call3.opening", "call3.closing", "call2.late_apology",
                     "call4.hold_silent", "call4.hold_total", "call5.hangup_first",
                     "call11.speech_rate"):
            self.assertIn(code, codes)
            self.assertTrue(codes[code]["seeded"])
            self.assertEqual(codes[code]["version"], 1)

    def test_rule_versions(self):
        r = self.create_rule(rule_body("马上给您查"), code="test.versions")
        self.assertEqual((r["version"], r["active"], r["seeded"]), (1, True, False))
        st, r2, _ = self.srv.call("PATCH", f"/api/qa/rules/{r['id']}",
                                  {"body": rule_body("稍等", score=-2)}, token=self.t["8301"])
        self.assertEqual(st, 200, r2)
        self.assertEqual(r2["version"], 2)
        self.assertEqual(r2["body"]["score"], -2)
        # The same body again is no new version; a switch alone writes none either.
        st, same, _ = self.srv.call("PATCH", f"/api/qa/rules/{r['id']}",
                                    {"body": rule_body("稍等", score=-2)}, token=self.t["8301"])
        self.assertEqual((st, same["version"]), (200, 2))
        st, r3, _ = self.srv.call("PATCH", f"/api/qa/rules/{r['id']}", {"active": False},
                                  token=self.t["8002"])
        self.assertEqual(st, 200, r3)
        self.assertEqual((r3["version"], r3["active"]), (2, False))
        st, vs, _ = self.srv.call("GET", f"/api/qa/rules/{r['id']}/versions", token=self.t["8101"])
        self.assertEqual(st, 200, vs)
        self.assertEqual([v["version"] for v in vs["items"]], [2, 1])
        self.assertEqual(vs["items"][1]["body"]["conditions"][0]["words"], ["马上给您查"])
        self.assertEqual(vs["items"][0]["body"]["conditions"][0]["words"], ["稍等"])
        self.assertEqual(vs["items"][0]["created_by"], person_id(self.srv, "8301"))
        st, one, _ = self.srv.call("GET", f"/api/qa/rules/{r['id']}", token=self.t["8301"])
        self.assertEqual((st, one["version"], one["active"]), (200, 2, False))
        acts = [a["action"] for a in db_rows(
            self.srv, f"SELECT action FROM audit WHERE entity = 'qa_rule' AND entity_id = '{r['id']}'"
            " ORDER BY id")]
        self.assertEqual(acts, ["qa.rule.create"] + ["qa.rule.update"] * 3)
        # Without a code, the rule is named by its id.
        r4 = self.create_rule(rule_body("再说一遍"))
        self.assertEqual(r4["code"], f"custom.{r4['id']}")

    def test_change_never_rescores_a_check(self):
        r = self.create_rule(rule_body("没办法", score=-7), code="test.rescore")
        cid = self.add_call(self.a1)
        st, _, _ = self.put_transcript(cid, [
            {"speaker": "agent", "start_ms": 0, "end_ms": 2000, "text": "这个没办法处理"}])
        self.assertEqual(st, 201)
        self.srv.advance(WAIT)
        before = self.check_of(cid)
        mine = [h for h in before["hits"] if h["rule"]["id"] == r["id"]]
        self.assertEqual(len(mine), 1, before["hits"])
        self.assertEqual((mine[0]["rule"]["version"], mine[0]["score"]), (1, -7))
        st, _, _ = self.srv.call("PATCH", f"/api/qa/rules/{r['id']}",
                                 {"body": rule_body("处理不了", score=-9)}, token=self.t["8301"])
        self.assertEqual(st, 200)
        self.srv.advance(MINUTE)
        after = self.check_of(cid)
        self.assertEqual(after, before)
        # A call checked after the change uses version 2.
        cid2 = self.add_call(self.a1)
        self.put_transcript(cid2, [
            {"speaker": "agent", "start_ms": 0, "end_ms": 2000, "text": "这个没办法，处理不了"}])
        self.srv.advance(WAIT)
        mine2 = [h for h in self.check_of(cid2)["hits"] if h["rule"]["id"] == r["id"]]
        self.assertEqual([(h["rule"]["version"], h["text"], h["score"]) for h in mine2],
                         [(2, "处理不了", -9)])

    # -- the test box --

    def test_test_box(self):
        before = self.written()
        text = "坐席：喂，你好，请问有什么事？\n客户: 我家空调坏了\n坐席: 这个一般是压缩机的问题"
        st, body, _ = self.srv.call("POST", "/api/qa/rules/test", {
            "rule": rule_body("压缩机", score=-3, better="我们安排师傅检测"), "transcript": text},
            token=self.t["8002"])
        self.assertEqual(st, 200, body)
        self.assertEqual([u["speaker"] for u in body["utterances"]], ["agent", "customer", "agent"])
        self.assertEqual(body["utterances"][2]["text"], "这个一般是压缩机的问题")
        self.assertEqual(len(body["hits"]), 1)
        h = body["hits"][0]
        self.assertEqual((h["utterance"], h["offset"], h["len"], h["text"], h["better"]),
                         (2, "这个一般是压缩机的问题".index("压缩机"), 3, "压缩机", "我们安排师傅检测"))
        self.assertEqual(body["score"], 97)
        # The saved rules by id: the seeded forbidden phrase 喂 and QA-4's 您.
        ids = [r["id"] for r in self.srv.call("GET", "/api/qa/rules", token=self.t["8301"])[1]["items"]
               if r["code"] == "qa4.nin" or (r["code"].startswith("qa3.")
                                             and r["body"]["conditions"][0]["words"] == ["喂"])]
        st, body, _ = self.srv.call("POST", "/api/qa/rules/test", {"rule_ids": ids, "transcript": text},
                                    token=self.t["8301"])
        self.assertEqual(st, 200, body)
        got = sorted((h["text"], h["utterance"], h["offset"], h["better"]) for h in body["hits"])
        self.assertEqual(got, [("你", 0, 2, "您"), ("喂", 0, 0, "您好！")])
        self.assertEqual(body["score"], expected_score(body["hits"]))
        self.assertEqual(self.written(), before)

    def test_test_box_bad_input(self):
        before = self.written()
        bad = rule_body("x")
        bad["conditions"] = [{"id": "a", "type": "regex", "pattern": "(未闭合"}]
        st, body, _ = self.srv.call("POST", "/api/qa/rules/test", {"rule": bad, "transcript": "坐席: 你好"},
                                    token=self.t["8301"])
        self.assertEqual(st, 422, body)
        self.assertIn("pattern", body["error"]["field"])
        self.assertError(self.srv.call("POST", "/api/qa/rules/test",
                                       {"rule": rule_body("x"), "transcript": "某人: 你好"},
                                       token=self.t["8301"]), 422, field="transcript")
        self.assertError(self.srv.call("POST", "/api/qa/rules/test", {"transcript": "坐席: 你好"},
                                       token=self.t["8301"]), 400)
        self.assertError(self.srv.call("POST", "/api/qa/rules/test", {"rule_ids": [999999]},
                                       token=self.t["8301"]), 422, field="rule_ids")
        self.assertError(self.srv.call("POST", "/api/qa/rules/test", b"{not json",
                                       token=self.t["8301"]), 400)
        self.assertEqual(self.written(), before)
        # A refusal is audited (as every 403), nothing else.
        self.assertError(self.srv.call("POST", "/api/qa/rules/test", {"rule": rule_body("x")},
                                       token=self.t["8101"]), 403)
        self.assertEqual(self.written()[:-1], before[:-1])

    # -- transcripts and the check --

    def test_transcript_checked_with_offsets_of_posted_text(self):
        cid = self.add_call(self.a2)
        # Full-width letters and traditional characters before the hits: the
        # engine matches on normalised text, the offsets count the text as posted.
        utts = [
            {"speaker": "agent", "start_ms": 0, "end_ms": 3000,
             "text": "您好！ＡＢＣ客服中心，工号8102為您服務"},
            {"speaker": "customer", "start_ms": 3500, "end_ms": 6000, "text": "空调不制冷"},
            {"speaker": "agent", "start_ms": 6500, "end_ms": 11000,
             "text": "ＯＫ，這個應該是壞了，你等一下"},
        ]
        st, body, _ = self.put_transcript(cid, utts)
        self.assertEqual(st, 201, body)
        self.assertEqual((body["call_id"], body["utterances"], body["replaced"]), (cid, 3, False))
        # Not ready yet: the call waits for its recording.
        self.srv.advance(MINUTE)
        self.assertEqual(self.srv.count(f"SELECT count(*) FROM qa_check WHERE ref_id = {cid}"), 0)
        self.srv.advance(WAIT)
        got = self.check_of(cid)
        c = got["check"]
        self.assertEqual((c["kind"], c["ref_id"], c["agent_id"], c["agent_work_no"], c["transcript"]),
                         ("call", cid, self.a2, "8102", True))
        self.assertEqual(got["transcript"]["utterances"], utts)
        # 應該是 matches QA-4's 应该是 after traditional → simplified; the hit
        # shows the words as posted, at their place in the posted text.
        by_text = {h["text"]: h for h in got["hits"] if h["utterance"] is not None}
        self.assertEqual(set(by_text), {"應該是", "你"}, got["hits"])
        self.assertIn("应该是", by_text["應該是"]["rule"]["name"])
        self.assertEqual(by_text["你"]["better"], "您")
        for words, h in by_text.items():
            posted = utts[h["utterance"]]["text"]
            self.assertEqual(h["utterance"], 2)
            self.assertEqual((h["offset"], h["len"]), (posted.index(words), len(words)))
            self.assertEqual(h["at_ms"], utts[h["utterance"]]["start_ms"])
        self.assertEqual(c["hits"], len(got["hits"]))
        self.assertEqual(c["high"], sum(1 for h in got["hits"] if h["severity"] == "high"))
        self.assertEqual(c["score"], expected_score(got["hits"]))
        rows = db_rows(self.srv, f"SELECT h.char_offset, h.char_len, h.rule_version FROM qa_hit h"
                                 f" JOIN qa_check q ON q.id = h.check_id WHERE q.ref_id = {cid}"
                                 " AND h.utterance IS NOT NULL AND h.utterance >= 0")
        self.assertEqual(sorted((r["char_offset"], r["char_len"]) for r in rows),
                         sorted((h["offset"], h["len"]) for h in got["hits"] if h["utterance"] is not None))
        # A better transcript replaces it and the call is checked again.
        check_id = c["id"]
        utts2 = [dict(utts[0]), dict(utts[1]), dict(utts[2], text="好的，马上为您处理")]
        st, body, _ = self.put_transcript(cid, utts2, source="asr:other")
        self.assertEqual((st, body["replaced"]), (200, True))
        self.assertEqual(self.srv.count(f"SELECT count(*) FROM qa_recheck WHERE ref_id = {cid}"), 1)
        self.srv.advance(1000)
        again = self.check_of(cid)
        self.assertEqual(again["check"]["id"], check_id)
        self.assertEqual(again["transcript"]["source"], "asr:other")
        texts = [h["text"] for h in again["hits"]]
        self.assertNotIn("應該是", texts)
        self.assertNotIn("你", texts)
        self.assertEqual(again["check"]["score"], expected_score(again["hits"]))
        self.assertEqual(self.srv.count(f"SELECT count(*) FROM qa_recheck WHERE ref_id = {cid}"), 0)
        audit = db_rows(self.srv, "SELECT detail FROM audit WHERE action = 'qa.transcript.put'"
                                  f" AND entity_id = '{cid}' ORDER BY id")
        self.assertEqual([json.loads(a["detail"])["replaced"] for a in audit], [False, True])

    def test_call_without_transcript_checked_by_metrics(self):
        cid = self.add_call(self.a1)
        db = sqlite3.connect(self.srv.db, timeout=10)
        db.execute("UPDATE call SET metrics = ? WHERE id = ?",
                   (json.dumps({"rings": 5, "ring_ms": 25000, "talk_ms": 200000, "holds": [
                       {"start_ms": 10000, "len_ms": 130000, "by": "agent"}]}), cid))
        db.commit()
        db.close()
        self.srv.advance(WAIT)
        got = self.check_of(cid)
        self.assertFalse(got["check"]["transcript"])
        self.assertIsNone(got["transcript"])
        codes = {h["rule"]["code"] for h in got["hits"]}
        # CALL-4: one hold of 130 s; the wording rules (and CALL-2's apology
        # after five rings) are not judged without words.
        self.assertIn("call4.hold_total", codes)
        self.assertNotIn("call2.late_apology", codes)
        self.assertFalse(any(c.startswith(("qa3.", "qa4.", "call3.")) for c in codes), codes)
        self.assertEqual(got["check"]["score"], expected_score(got["hits"]))

    def test_transcript_bad_input(self):
        cid = self.add_call(self.a1)
        never = self.add_call(None, answered=False)
        before = self.written()
        good = [{"speaker": "agent", "start_ms": 0, "end_ms": 1000, "text": "您好"}]
        cases = [
            ([{"speaker": "agent", "start_ms": 2000, "end_ms": 1000, "text": "您好"}], 422,
             "utterances[0].end_ms"),
            ([{"speaker": "robot", "start_ms": 0, "end_ms": 1000, "text": "您好"}], 422,
             "utterances[0].speaker"),
            ([good[0], {"speaker": "customer", "start_ms": -5, "end_ms": 0, "text": "嗯"}], 422, None),
        ]
        for utts, status, field in cases:
            st, body, _ = self.put_transcript(cid, utts)
            self.assertEqual(st, status, (utts, body))
            if field:
                self.assertEqual(body["error"]["field"], field, body)
        self.assertError(self.put_transcript(cid, good, source="whisper"), 422, field="source")
        self.assertError(self.srv.call("PUT", f"/api/calls/{cid}/transcript", b"{\"source\":",
                                       token=self.t["8301"]), 400)
        self.assertError(self.srv.call("PUT", f"/api/calls/{cid}/transcript",
                                       {"source": "api:x", "utterances": good, "extra": 1},
                                       token=self.t["8301"]), 400)
        self.assertError(self.put_transcript(999999, good), 404)
        self.assertError(self.put_transcript(never, good), 409)
        self.assertEqual(self.written(), before)

    def test_rule_bad_input(self):
        before = self.written()
        bad = rule_body("x")
        bad["when"] = "a && zz"
        self.assertError(self.srv.call("POST", "/api/qa/rules", {"body": bad}, token=self.t["8301"]), 422)
        bad = rule_body("x")
        bad["severity"] = "extreme"
        st, body, _ = self.srv.call("POST", "/api/qa/rules", {"body": bad}, token=self.t["8301"])
        self.assertEqual(st, 422, body)
        self.assertIn("severity", body["error"]["field"])
        self.assertError(self.srv.call("POST", "/api/qa/rules", {"code": "Bad Code!", "body": rule_body("x")},
                                       token=self.t["8301"]), 422, field="code")
        self.assertError(self.srv.call("POST", "/api/qa/rules", {"body": "not an object"},
                                       token=self.t["8301"]), 400, field="body")
        self.assertError(self.srv.call("PATCH", "/api/qa/rules/999999", {"active": False},
                                       token=self.t["8301"]), 404)
        seeded = db_value(self.srv, "SELECT id FROM qa_rule WHERE code = 'qa4.nin'")
        self.assertError(self.srv.call("PATCH", f"/api/qa/rules/{seeded}", {},
                                       token=self.t["8301"]), 400)
        self.assertEqual(self.written(), before)
        self.create_rule(rule_body("x"), code="test.taken")
        before = self.written()
        self.assertError(self.srv.call("POST", "/api/qa/rules", {"code": "test.taken", "body": rule_body("y")},
                                       token=self.t["8301"]), 409, field="code")
        self.assertEqual(self.written(), before)

    # -- who may --

    def test_authorization(self):
        r = self.create_rule(rule_body("知不道"), code="test.auth")
        mine = self.add_call(self.a1)
        other = self.add_call(self.a2)
        self.srv.advance(WAIT)
        # Rules: the supervisor and the manager edit too; agents and staff do not.
        for who in ("8002", "8001"):
            st, _, _ = self.srv.call("PATCH", f"/api/qa/rules/{r['id']}", {"active": True}, token=self.t[who])
            self.assertEqual(st, 200, who)
        for who in ("8101", "2001"):
            self.assertError(self.srv.call("PATCH", f"/api/qa/rules/{r['id']}", {"active": False},
                                           token=self.t[who]), 403)
            self.assertError(self.srv.call("POST", "/api/qa/rules", {"body": rule_body("z")},
                                           token=self.t[who]), 403)
        self.assertError(self.srv.call("GET", "/api/qa/rules", token=self.t["2001"]), 403)
        # Transcripts: the recogniser's account (qa or admin), never an agent.
        good = [{"speaker": "agent", "start_ms": 0, "end_ms": 1000, "text": "您好"}]
        self.assertError(self.put_transcript(mine, good, who="8101"), 403)
        self.assertError(self.put_transcript(mine, good, who="8002"), 403)
        # Checks: an agent sees only their own (QA-1), whatever they ask for.
        st, body, _ = self.srv.call("GET", f"/api/qa/checks?agent_id={self.a2}&limit=500",
                                    token=self.t["8101"])
        self.assertEqual(st, 200, body)
        self.assertTrue(body["items"])
        self.assertEqual({c["agent_id"] for c in body["items"]}, {self.a1})
        self.assertEqual(len(body["items"]), self.srv.count(
            f"SELECT count(*) FROM qa_check WHERE agent_id = {self.a1}"))
        self.check_of(mine, who="8101")
        self.assertError(self.srv.call("GET", f"/api/qa/checks/call/{other}", token=self.t["8101"]), 403)
        self.assertError(self.srv.call("GET", "/api/qa/checks", token=self.t["2001"]), 403)
        for who in ("8301", "8002", "8001"):
            st, body, _ = self.srv.call("GET", f"/api/qa/checks?agent_id={self.a2}&limit=500", token=self.t[who])
            self.assertEqual(st, 200, body)
            self.assertIn(other, [c["ref_id"] for c in body["items"]])
            self.assertEqual({c["agent_id"] for c in body["items"]}, {self.a2})
        st, body, _ = self.srv.call("GET", "/api/qa/checks?limit=500", token=self.t["8301"])
        self.assertEqual(len(body["items"]), self.srv.count("SELECT count(*) FROM qa_check"))

    def test_checks_filters(self):
        self.assertError(self.srv.call("GET", "/api/qa/checks?from=2026-13-01", token=self.t["8301"]), 422,
                         field="from")
        self.assertError(self.srv.call("GET", "/api/qa/checks?fatal=maybe", token=self.t["8301"]), 422,
                         field="fatal")
        cid = self.add_call(self.a2)
        self.put_transcript(cid, [{"speaker": "agent", "start_ms": 0, "end_ms": 1000, "text": "喂"}])
        self.srv.advance(WAIT)
        score = db_value(self.srv, f"SELECT score FROM qa_check WHERE ref_id = {cid}")
        st, body, _ = self.srv.call("GET", f"/api/qa/checks?max_score={score}&limit=500", token=self.t["8301"])
        self.assertEqual(st, 200)
        self.assertIn(cid, [c["ref_id"] for c in body["items"]])
        self.assertTrue(all(c["score"] <= score for c in body["items"]))
        wei = db_value(self.srv, "SELECT r.id FROM qa_rule r JOIN qa_hit h ON h.rule_id = r.id"
                                 f" JOIN qa_check q ON q.id = h.check_id WHERE q.ref_id = {cid}"
                                 " AND h.text = '喂'")
        st, body, _ = self.srv.call("GET", f"/api/qa/checks?rule_id={wei}&limit=500", token=self.t["8301"])
        self.assertEqual([c["ref_id"] for c in body["items"]], [r["ref_id"] for r in db_rows(
            self.srv, "SELECT DISTINCT q.ref_id FROM qa_check q JOIN qa_hit h ON h.check_id = q.id"
                      f" WHERE h.rule_id = {wei} ORDER BY q.id DESC")])

    def test_missing_phrase_is_marked_missing(self):
        """A required phrase not said is a hit without a place, marked missing, never
        shown as words said; the words said are not missing."""
        cid = self.add_call(self.a1)
        self.put_transcript(cid, [{"speaker": "agent", "start_ms": 500, "end_ms": 2000, "text": "喂，说吧"}])
        self.srv.advance(WAIT)
        hits = self.check_of(cid)["hits"]
        # The opening's two required phrases, each missing.
        opening = [h for h in hits if h["rule"]["code"] == "call3.opening"]
        self.assertEqual(sorted(h["text"] for h in opening), ["为您服务", "您好"], hits)
        for h in opening:
            self.assertEqual((h["missing"], h["utterance"], h["offset"], h["len"]), (True, None, None, None))
        said = [h for h in hits if h["text"] == "喂"]
        self.assertEqual([(x["missing"], x["utterance"], x["offset"]) for x in said], [(False, 0, 0)])
        self.assertEqual(
            db_rows(self.srv, "SELECT h.missing FROM qa_hit h JOIN qa_check q ON q.id = h.check_id"
                              f" JOIN qa_rule r ON r.id = h.rule_id WHERE q.ref_id = {cid}"
                              " AND q.kind = 'call' AND r.code = 'call3.opening'"),
            [{"missing": 1}, {"missing": 1}])

    def test_summary_checked_once(self):
        """An agent's summary of a contact (its 5W1H and summary) is checked once, after
        the wrap-up allowance from the contact's end, by the rules of every kind; the
        hits point into the part written."""
        now = self.srv.advance(0)
        summary = "客户问进度，答复应该是明天到"
        st, k, _ = self.srv.call("POST", "/api/contacts", {
            "channel": "phone", "direction": "in", "started_at": now - 6 * MINUTE,
            "ended_at": now - MINUTE, "fivew": {"what": "空调不制冷", "how": "喂，已派单"},
            "summary": summary}, token=self.t["8102"])
        self.assertEqual(st, 201, k)
        self.srv.advance(5 * MINUTE)
        self.assertEqual(self.srv.count(
            f"SELECT count(*) FROM qa_check WHERE kind = 'summary' AND ref_id = {k['id']}"), 0)
        self.srv.advance(WAIT)
        st, page, _ = self.srv.call("GET", "/api/qa/checks?kind=summary&limit=500", token=self.t["8301"])
        self.assertEqual(st, 200, page)
        self.assertIn(k["id"], [c["ref_id"] for c in page["items"]])
        self.assertEqual({c["kind"] for c in page["items"]}, {"summary"})
        st, got, _ = self.srv.call("GET", f"/api/qa/checks/summary/{k['id']}", token=self.t["8301"])
        self.assertEqual(st, 200, got)
        c = got["check"]
        self.assertEqual((c["kind"], c["agent_id"], c["contact_at"], c["transcript"]),
                         ("summary", self.a2, k["started_at"], True))
        self.assertEqual(got["transcript"]["source"], "summary")
        utts = got["transcript"]["utterances"]
        self.assertEqual([(u["field"], u["speaker"], u["text"]) for u in utts],
                         [("what", "agent", "空调不制冷"), ("how", "agent", "喂，已派单"),
                          ("summary", "agent", summary)])
        by_text = {h["text"]: h for h in got["hits"]}
        # QA-3's phrases apply to every kind (喂 in the 5W1H, QA-4's 应该是 in the
        # summary); the rules on a call's words and metrics do not.
        self.assertEqual(set(by_text), {"喂", "应该是"}, got["hits"])
        self.assertEqual((by_text["喂"]["utterance"], by_text["喂"]["offset"]), (1, 0))
        self.assertEqual((by_text["应该是"]["utterance"], by_text["应该是"]["offset"]),
                         (2, summary.index("应该是")))
        self.assertFalse(any(h["missing"] for h in got["hits"]))
        self.assertEqual(c["score"], expected_score(got["hits"]))
        # Once: later rounds do not check it again.
        checked_at = c["checked_at"]
        self.srv.advance(WAIT)
        self.assertEqual(db_value(self.srv, "SELECT checked_at FROM qa_check WHERE kind = 'summary'"
                                            f" AND ref_id = {k['id']}"), checked_at)
        # Another agent may not read it; a kind that is none is 422.
        self.assertError(self.srv.call("GET", f"/api/qa/checks/summary/{k['id']}", token=self.t["8101"]), 403)
        self.assertError(self.srv.call("GET", "/api/qa/checks?kind=note", token=self.t["8301"]), 422,
                         field="kind")

    def test_quality_inspector_reads_the_call_log_not_the_wallboard(self):
        """Least privilege: quality inspectors read the calls they inspect (call.read)
        and play them, but not the seats' live state."""
        cid = self.add_call(self.a1)
        for who in ("8301", "8002", "8001"):
            st, body, _ = self.srv.call("GET", "/api/calls?limit=5", token=self.t[who])
            self.assertEqual(st, 200, (who, body))
            st, body, _ = self.srv.call("GET", f"/api/calls/{cid}", token=self.t[who])
            self.assertEqual((st, body.get("id")), (200, cid), who)
        for path in ("/api/acd/agents", "/api/acd/live"):
            self.assertError(self.srv.call("GET", path, token=self.t["8301"]), 403)
        self.assertError(self.srv.call("GET", f"/api/calls/{cid}", token=self.t["8101"]), 403)


if __name__ == "__main__":
    import unittest
    unittest.main()
