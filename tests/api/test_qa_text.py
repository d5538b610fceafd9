"""Quality inspection of text (issue 15's text contacts, issue 18's
channels; QA-1, QA-3): the agent's text checked before it is sent, with
the better wording and offsets into the text as typed; and every resolved
conversation checked once by the scheduler's round, its messages as the
transcript (the customer's in, the agent's out), readable by kind like a
call's check, an agent seeing only their own."""
import csv
import os

from apihelp import person_id
from harness import KefuTestCase

TSV = os.path.join(os.path.dirname(__file__), "..", "..", "src", "qa", "forbidden-phrases.tsv")


def phrases():
    """QA-3's seeded phrases: {phrase: (kind, better)} as kefu ships them."""
    with open(TSV, encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return {r["phrase"]: (r["kind"], "" if r["better"].startswith("(") else r["better"])
            for r in rows}


class DraftTextTest(KefuTestCase):
    """POST /api/qa/check-text: nothing stored, only words found."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = cls.srv.login("8101")
        cls.table = phrases()

    def check(self, body, token=None, status=200):
        st, b, _ = self.srv.call("POST", "/api/qa/check-text", body, token=token or self.agent)
        self.assertEqual(st, status, b)
        return b

    def test_a_forbidden_phrase_is_found_where_it_was_typed(self):
        word = "我管不了"
        kind, better = self.table[word]
        text = "您好，请稍等。\n这个问题" + word + "，您去找别人吧"
        b = self.check({"text": text})
        hits = [h for h in b["hits"] if h["text"] == word]
        self.assertEqual(len(hits), 1, b)
        h = hits[0]
        # Offsets count characters of the whole text, across its lines.
        self.assertEqual(text[h["offset"]:h["offset"] + h["len"]], word)
        self.assertEqual(h["better"], better or None)
        self.assertEqual(h["severity"], "low" if kind == "discouraged" else "high")
        self.assertTrue(h["rule"]["code"].startswith("qa3."), h)

    def test_traditional_characters_are_found_too(self):
        # 「我管不了」 written in traditional characters still matches (OpenCC t2s).
        b = self.check({"text": "這個我管不了", "kind": "email"})
        self.assertEqual([h["text"] for h in b["hits"] if h["rule"]["code"].startswith("qa3.")],
                         ["我管不了"])

    def test_clean_text_and_missing_words_give_no_hits(self):
        # A closing not said is an absence: one message cannot miss it.
        b = self.check({"text": "您好，您的订单已经安排配送，请留意电话。"})
        self.assertEqual(b["hits"], [])
        self.assertEqual(self.check({"text": ""})["hits"], [])

    def test_bad_input_and_who_may(self):
        e = self.check({"text": "喂", "kind": "call"}, status=422)
        self.assertEqual(e["error"]["field"], "kind")
        e = self.check({"text": "您" * 20001}, status=422)
        self.assertEqual(e["error"]["field"], "text")
        self.check({"kind": "chat"}, status=400)
        self.check({"text": 5}, status=400)
        # Department staff answer no customers here (chan.reply).
        self.check({"text": "喂"}, token=self.srv.login("2001"), status=403)
