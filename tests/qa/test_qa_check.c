/*
 * The automatic check's store and tick (src/qa/qa_store.c, qa_engine.c,
 * qa_seed.c; issue 15, QA-3, QA-4, CALL-4): rules and their versions,
 * transcripts and the recheck queue, and the tick over a real migrated
 * database — which calls it checks and when (ended and recorded, or after
 * the wait for the recording), the cursor over the call log, hits with
 * their rule's version, a rule's change never rescoring a check, a
 * transcript's arrival redoing one.
 */
#include "testutil.h"

#include "core/err.h"
#include "qa/qa.h"

#define MIN 60000LL
#define T0 1796601600000LL /* 2026-12-07T00:00:00Z */

static const char *body_of(const char *word, int score)
{
	static char b[512];

	snprintf(b, sizeof(b),
		 "{\"name\":\"禁语%s\",\"dimension\":\"attitude\",\"severity\":\"high\","
		 "\"score\":%d,\"fatal\":false,\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
		 "\"speaker\":\"agent\",\"mode\":\"any\",\"words\":[\"%s\"]}]}",
		 word, score, word);
	return b;
}

static int64_t count(struct store *s, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(store_run(s, sql, &n, "") < 0, 0);
	return n;
}

/* Only the rules a test adds: the seeds would make every figure theirs. */
static struct store *bare_store(void)
{
	struct store *s = test_store_open();

	assert_int_equal(store_exec(s,
				    "INSERT INTO person(id, work_no, name, created_at, updated_at)"
				    " VALUES (7, '8101', '刘洋', 0, 0), (8, '8102', '王芳', 0, 0)"),
			 0);
	return s;
}

static int64_t add_rule(struct store *s, const char *code, const char *word, int score)
{
	int64_t id = 0;

	assert_int_equal(qa_rule_create(s, code, "x", body_of(word, score), 1, 0, 0, T0, &id), 0);
	qa_rules_changed();
	return id;
}

/* A call answered by agent at T0 + at, ended (end 0: still going). */
static int64_t add_call(struct store *s, int64_t agent, int64_t at, int64_t end, int recorded)
{
	int64_t id = 0;

	assert_int_equal(
		store_run(s,
			  "INSERT INTO call(sip_call_id, caller, called, started_at,"
			  " connected_at, ended_at, agent_id, recording, recording_ms)"
			  " VALUES ('t', '139', '400', ?, ?, nullif(?, 0), nullif(?, 0), ?, ?)"
			  " RETURNING id",
			  &id, "iiiitd", T0 + at, T0 + at + 1000, end ? T0 + end : 0, agent,
			  recorded ? "r.wav" : NULL, recorded ? (int64_t)60000 : (int64_t)0) < 0,
		0);
	return id;
}

static void put_transcript(struct store *s, int64_t call, const char *agent_text, int64_t now,
			   int want_replaced)
{
	char body[512];
	int replaced = -1;

	snprintf(body, sizeof(body),
		 "{\"utterances\":[{\"speaker\":\"agent\",\"start_ms\":1000,\"end_ms\":3000,"
		 "\"text\":\"%s\"}]}",
		 agent_text);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(qa_transcript_put(s, "call", call, "api:test", body, now, &replaced), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(replaced, want_replaced);
}

struct hits {
	int n;
	struct qa_hit_row h[8];
};

static int hit_take(void *ctx, const struct qa_hit_row *h)
{
	struct hits *hs = ctx;

	if (hs->n < 8)
		hs->h[hs->n] = *h;
	hs->n++;
	return 0;
}

static int checked(struct store *s, int64_t call, struct qa_check_row *c, struct hits *hs)
{
	int rc = qa_check_get(s, "call", call, c);

	if (rc == 0 && hs) {
		memset(hs, 0, sizeof(*hs));
		assert_int_equal(qa_hit_list(s, c->id, hit_take, hs) < 0, 0);
	}
	return rc;
}

/* -- rules -- */

struct versions {
	int n;
	int v[4];
	char body[4][512];
};

static int version_take(void *ctx, const struct qa_version_row *v)
{
	struct versions *vs = ctx;

	if (vs->n < 4) {
		vs->v[vs->n] = v->version;
		snprintf(vs->body[vs->n], sizeof(vs->body[0]), "%s", buf_str(&v->body));
	}
	vs->n++;
	return 0;
}

static void rule_versions(void **state)
{
	struct store *s = bare_store();
	struct qa_rule_row r;
	struct versions vs = {0};
	int64_t id, other = 0, g1 = 0, g2 = 0, g3 = 0;
	int version = 0;

	(void)state;
	id = add_rule(s, "t.one", "马上", -3);
	assert_int_equal(qa_rule_create(s, "t.one", "x", body_of("y", -1), 1, 0, 0, T0, &other),
			 ERR_CONFLICT);
	assert_int_equal(qa_rule_generation(s, &g1), 0);
	assert_int_equal(
		qa_rule_change(s, id, "禁语稍等", body_of("稍等", -2), 7, T0 + MIN, &version), 0);
	assert_int_equal(version, 2);
	assert_int_equal(qa_rule_generation(s, &g2), 0);
	assert_true(g2 != g1);
	assert_int_equal(qa_rule_set_active(s, id, 0, T0 + 2 * MIN), 0);
	assert_int_equal(qa_rule_generation(s, &g3), 0);
	assert_true(g3 != g2);

	memset(&r, 0, sizeof(r));
	assert_int_equal(qa_rule_get(s, id, &r), 0);
	assert_int_equal(r.version, 2);
	assert_int_equal(r.active, 0);
	assert_string_equal(r.name, "禁语稍等");
	assert_string_equal(buf_str(&r.body), body_of("稍等", -2));
	buf_release(&r.body);

	/* Newest first; version 1's body as it was written. */
	assert_int_equal(qa_rule_versions(s, id, version_take, &vs), 2);
	assert_int_equal(vs.n, 2);
	assert_int_equal(vs.v[0], 2);
	assert_int_equal(vs.v[1], 1);
	assert_string_equal(vs.body[1], body_of("马上", -3));
	{
		struct buf b = {0};

		assert_int_equal(qa_rule_version_body(s, id, 1, &b), 0);
		assert_string_equal(buf_str(&b), body_of("马上", -3));
		buf_release(&b);
		assert_int_equal(qa_rule_version_body(s, id, 3, &b), ERR_NOTFOUND);
		buf_release(&b);
	}
	assert_int_equal(qa_rule_get(s, id + 100, &r), ERR_NOTFOUND);
	test_store_close(s);
}

/* The seeds: every phrase of QA-3's list once, and never twice. */
static void seeds_once(void **state)
{
	struct store *s = test_store_open();
	int n;

	(void)state;
	n = qa_seed(s, T0);
	assert_true(n >= 70);
	assert_int_equal(count(s, "SELECT count(*) FROM qa_rule"), n);
	assert_int_equal(count(s, "SELECT count(*) FROM qa_rule WHERE code LIKE 'qa3.%' AND seeded"
				  " AND version = 1"),
			 count(s, "SELECT count(*) FROM qa_rule WHERE code LIKE 'qa3.%'"));
	assert_int_equal(count(s, "SELECT count(*) FROM qa_rule WHERE code IN ('qa4.nin',"
				  " 'call3.opening', 'call3.closing', 'call4.hold_total')"),
			 4);
	assert_int_equal(qa_seed(s, T0 + MIN), 0);
	assert_int_equal(count(s, "SELECT count(*) FROM qa_rule"), n);
	test_store_close(s);
}

/* -- transcripts -- */

static void transcript_queue(void **state)
{
	struct store *s = bare_store();
	struct qa_transcript_row t;
	int64_t call = add_call(s, 7, 0, 2 * MIN, 1);

	(void)state;
	put_transcript(s, call, "您好", T0 + 3 * MIN, 0);
	put_transcript(s, call, "您好，请讲", T0 + 4 * MIN, 1);
	assert_int_equal(count(s, "SELECT count(*) FROM qa_transcript"), 1);
	assert_int_equal(count(s, "SELECT count(*) FROM qa_recheck"), 1);
	memset(&t, 0, sizeof(t));
	assert_int_equal(qa_transcript_get(s, "call", call, &t), 0);
	assert_non_null(strstr(buf_str(&t.body), "请讲"));
	assert_int_equal(t.created_at, T0 + 4 * MIN);
	buf_release(&t.body);
	assert_int_equal(qa_transcript_get(s, "call", call + 1, &t), ERR_NOTFOUND);
	buf_release(&t.body);
	test_store_close(s);
}

/* -- the tick -- */

/* Which calls are checked when, and the cursor. */
static void tick_readiness(void **state)
{
	struct store *s = bare_store();
	struct qa_check_row c;
	int64_t recorded, waiting, going, never, cursor = -1;

	(void)state;
	add_rule(s, "t.wei", "喂", -5);
	recorded = add_call(s, 7, 0, 2 * MIN, 1);
	waiting = add_call(s, 7, MIN, 3 * MIN, 0);
	going = add_call(s, 8, 2 * MIN, 0, 0);
	never = 0;
	assert_int_equal(
		store_run(s,
			  "INSERT INTO call(sip_call_id, caller, called, started_at, ended_at)"
			  " VALUES ('n', '139', '400', ?, ?) RETURNING id",
			  &never, "ii", T0 + 3 * MIN, T0 + 4 * MIN) < 0,
		0);

	/* At 5 min: the recorded call; the other waits for its recording (10 min). */
	assert_int_equal(qa_tick(s, T0 + 5 * MIN, NULL), 1);
	assert_int_equal(checked(s, recorded, &c, NULL), 0);
	assert_int_equal(c.agent_id, 7);
	assert_int_equal(c.contact_at, T0);
	assert_int_equal(c.checked_at, T0 + 5 * MIN);
	assert_int_equal(c.transcript, 0);
	assert_int_equal(c.score, 100);
	assert_int_equal(checked(s, waiting, &c, NULL), ERR_NOTFOUND);
	assert_int_equal(qa_setting_get(s, "call_cursor", &cursor), 0);
	assert_int_equal(cursor, recorded);

	/* At 13 min the wait is over; the call still going holds the cursor. */
	assert_int_equal(qa_tick(s, T0 + 13 * MIN, NULL), 1);
	assert_int_equal(checked(s, waiting, &c, NULL), 0);
	assert_int_equal(qa_setting_get(s, "call_cursor", &cursor), 0);
	assert_int_equal(cursor, going - 1);
	assert_int_equal(qa_tick(s, T0 + 14 * MIN, NULL), 0);

	/* It ends: checked; the never-answered call is passed over. */
	assert_int_equal(store_run(s, "UPDATE call SET ended_at = ? WHERE id = ?", NULL, "ii",
				   T0 + 14 * MIN, going) < 0,
			 0);
	assert_int_equal(qa_tick(s, T0 + 25 * MIN, NULL), 1);
	assert_int_equal(checked(s, going, &c, NULL), 0);
	assert_int_equal(c.agent_id, 8);
	assert_int_equal(checked(s, never, &c, NULL), ERR_NOTFOUND);
	assert_int_equal(qa_setting_get(s, "call_cursor", &cursor), 0);
	assert_int_equal(cursor, never);
	assert_int_equal(count(s, "SELECT count(*) FROM qa_check"), 3);
	assert_int_equal(qa_tick(s, T0 + 26 * MIN, NULL), 0);
	test_store_close(s);
}

/* A transcript's hits; a rule's change never rescores; a new transcript does. */
static void tick_hits_and_versions(void **state)
{
	struct store *s = bare_store();
	struct qa_check_row c;
	struct hits hs;
	int64_t rule, call, call2, first_id;
	int version = 0;

	(void)state;
	rule = add_rule(s, "t.wei", "喂", -5);
	call = add_call(s, 7, 0, 2 * MIN, 1);
	/* 「ＯＫ，喂」: the hit's offset counts the text as posted (3, not 0). */
	put_transcript(s, call, "ＯＫ，喂", T0 + 2 * MIN, 0);
	assert_int_equal(qa_tick(s, T0 + 3 * MIN, NULL), 1);
	assert_int_equal(checked(s, call, &c, &hs), 0);
	first_id = c.id;
	assert_int_equal(c.transcript, 1);
	assert_int_equal(c.score, 95);
	assert_int_equal(c.hits, 1);
	assert_int_equal(c.high, 1);
	assert_int_equal(hs.n, 1);
	assert_int_equal(hs.h[0].rule_id, rule);
	assert_int_equal(hs.h[0].rule_version, 1);
	assert_int_equal(hs.h[0].utterance, 0);
	assert_int_equal(hs.h[0].char_offset, 3);
	assert_int_equal(hs.h[0].char_len, 1);
	assert_int_equal(hs.h[0].at_ms, 1000);
	assert_string_equal(hs.h[0].text, "喂");
	assert_string_equal(hs.h[0].severity, "high");
	/* The recheck queued by the transcript came before the first check: done, not redone. */
	assert_int_equal(count(s, "SELECT count(*) FROM qa_recheck"), 0);

	/* The rule changes: the check stays as it was made. */
	assert_int_equal(
		qa_rule_change(s, rule, "x", body_of("ＯＫ", -9), 7, T0 + 4 * MIN, &version), 0);
	qa_rules_changed();
	assert_int_equal(qa_tick(s, T0 + 5 * MIN, NULL), 0);
	assert_int_equal(checked(s, call, &c, &hs), 0);
	assert_int_equal(c.checked_at, T0 + 3 * MIN);
	assert_int_equal(c.score, 95);
	assert_int_equal(hs.h[0].rule_version, 1);

	/* A new call is checked with version 2 (ＯＫ matches ok after NFKC and case folding). */
	call2 = add_call(s, 8, 5 * MIN, 6 * MIN, 1);
	put_transcript(s, call2, "ok，喂", T0 + 6 * MIN, 0);
	assert_int_equal(qa_tick(s, T0 + 7 * MIN, NULL), 1);
	assert_int_equal(checked(s, call2, &c, &hs), 0);
	assert_int_equal(c.score, 91);
	assert_int_equal(hs.n, 1);
	assert_int_equal(hs.h[0].rule_version, 2);
	assert_int_equal(hs.h[0].char_offset, 0);
	assert_int_equal(hs.h[0].char_len, 2);

	/* A better transcript of the first call: checked again, in place, with the rules of now. */
	put_transcript(s, call, "您好", T0 + 8 * MIN, 1);
	assert_int_equal(count(s, "SELECT count(*) FROM qa_recheck"), 1);
	assert_int_equal(qa_tick(s, T0 + 9 * MIN, NULL), 1);
	assert_int_equal(checked(s, call, &c, &hs), 0);
	assert_int_equal(c.id, first_id);
	assert_int_equal(c.checked_at, T0 + 9 * MIN);
	assert_int_equal(c.score, 100);
	assert_int_equal(hs.n, 0);
	assert_int_equal(count(s, "SELECT count(*) FROM qa_recheck"), 0);
	assert_int_equal(count(s, "SELECT count(*) FROM qa_hit"), 1);

	/* A switched-off rule no longer checks. */
	assert_int_equal(qa_rule_set_active(s, rule, 0, T0 + 10 * MIN), 0);
	put_transcript(s, call, "ok", T0 + 10 * MIN, 1);
	assert_int_equal(qa_tick(s, T0 + 11 * MIN, NULL), 1);
	assert_int_equal(checked(s, call, &c, &hs), 0);
	assert_int_equal(hs.n, 0);
	test_store_close(s);
}

/* Without a transcript only the rules that need no words judge the call (CALL-4). */
static void tick_metrics_only(void **state)
{
	struct store *s = bare_store();
	struct qa_check_row c;
	struct hits hs;
	int64_t words, holds, call;

	(void)state;
	words = add_rule(s, "t.wei", "喂", -5);
	(void)words;
	holds = 0;
	assert_int_equal(
		qa_rule_create(s, "t.hold", "保持超时",
			       "{\"name\":\"保持超时\",\"dimension\":\"efficiency\","
			       "\"severity\":\"medium\",\"score\":-2,\"conditions\":[{\"id\":\"a\","
			       "\"type\":\"hold_total\",\"over_ms\":120000}]}",
			       1, 0, 0, T0, &holds),
		0);
	qa_rules_changed();
	call = add_call(s, 7, 0, 5 * MIN, 1);
	assert_int_equal(
		store_run(s, "UPDATE call SET metrics = ? WHERE id = ?", NULL, "ti",
			  "{\"holds\":[{\"start_ms\":10000,\"len_ms\":130000,\"by\":\"agent\"}]}",
			  call) < 0,
		0);
	assert_int_equal(qa_tick(s, T0 + 6 * MIN, NULL), 1);
	assert_int_equal(checked(s, call, &c, &hs), 0);
	assert_int_equal(c.transcript, 0);
	assert_int_equal(hs.n, 1);
	assert_int_equal(hs.h[0].rule_id, holds);
	assert_int_equal(hs.h[0].utterance, -1);
	assert_int_equal(c.score, 98);
	test_store_close(s);
}

/* -- the live guidance's seeded rules (CALL-2/4/6/7) -- */

static void add_guide(struct store *s, int64_t call, const char *rule, const char *step,
		      int64_t at_ms, const char *by)
{
	char detail[256];

	snprintf(detail, sizeof(detail),
		 "{\"rule\":\"%s\",\"step\":\"%s\",\"hold\":1,\"n\":1,\"at_ms\":%lld,"
		 "\"by\":\"%s\"}",
		 rule, step, (long long)at_ms, by);
	assert_int_equal(store_run(s,
				   "INSERT INTO call_event(call_id, at, kind, detail)"
				   " VALUES (?, ?, 'guide', ?)",
				   NULL, "iit", call, T0 + 1000 + at_ms, detail) < 0,
			 0);
}

/* The codes of the rules a call's check hit, in order, joined by ",". */
static const char *hit_codes(struct store *s, int64_t call)
{
	static char codes[512];
	struct qa_check_row c;
	struct hits hs;

	codes[0] = '\0';
	assert_int_equal(checked(s, call, &c, &hs), 0);
	for (int i = 0; i < hs.n && i < 8; i++)
		snprintf(codes + strlen(codes), sizeof(codes) - strlen(codes), "%s%s", i ? "," : "",
			 hs.h[i].rule_code);
	return codes;
}

/*
 * The seeded rules on the guidance stored with the call: a prompt the agent
 * did not answer, a warning followed by the limit broken. Fixed calls: one
 * where the agent followed every prompt, one where they ignored them.
 */
static void seeded_guide_rules(void **state)
{
	struct store *s = test_store_open();
	int64_t good, bad;

	(void)state;
	assert_int_equal(store_exec(s, "INSERT INTO person(id, work_no, name, created_at,"
				       " updated_at) VALUES (7, '8101', '刘洋', 0, 0)"),
			 0);
	assert_true(qa_seed(s, T0) > 0);
	assert_int_equal(count(s, "SELECT count(*) FROM qa_rule WHERE code LIKE '%.guide_%'"
				  " AND seeded"),
			 6);
	/* Only these rules, so the hits are theirs alone. */
	assert_int_equal(store_exec(s, "UPDATE qa_rule SET active = code LIKE '%.guide_%'"), 0);
	qa_rules_changed();

	good = add_call(s, 7, 0, 20 * MIN, 1);
	add_guide(s, good, "CALL-2", "apologize", 0, "kefu");
	add_guide(s, good, "CALL-2", "apologized", 3000, "agent");
	add_guide(s, good, "CALL-4", "speak", 45000, "kefu");
	add_guide(s, good, "CALL-4", "spoke", 47000, "agent");
	add_guide(s, good, "CALL-4", "callback", 90000, "kefu");
	add_guide(s, good, "CALL-4", "callback_declined", 95000, "agent");
	add_guide(s, good, "CALL-4", "hold_near", 100000, "kefu"); /* heeded: no hold_over */
	add_guide(s, good, "CALL-6", "start", 200000, "agent");
	add_guide(s, good, "CALL-6", "greet_again", 205000, "kefu");
	add_guide(s, good, "CALL-6", "caller_spoke", 206000, "agent");
	add_guide(s, good, "CALL-7", "limit", 300000, "kefu");
	add_guide(s, good, "CALL-7", "limit_near", 480000, "kefu"); /* ended before 10 min */

	bad = add_call(s, 7, 30 * MIN, 50 * MIN, 1);
	add_guide(s, bad, "CALL-2", "apologize", 0, "kefu");
	add_guide(s, bad, "CALL-4", "speak", 45000, "kefu");
	add_guide(s, bad, "CALL-4", "spoke", 47000, "agent");
	add_guide(s, bad, "CALL-4", "speak", 60000, "kefu"); /* not answered */
	add_guide(s, bad, "CALL-4", "callback", 90000, "kefu");
	add_guide(s, bad, "CALL-4", "hold_near", 100000, "kefu");
	add_guide(s, bad, "CALL-4", "hold_over", 120000, "kefu");
	add_guide(s, bad, "CALL-6", "goodbye", 210000, "kefu");
	add_guide(s, bad, "CALL-7", "limit_near", 480000, "kefu");
	add_guide(s, bad, "CALL-7", "limit_over", 600000, "kefu");

	assert_int_equal(qa_tick(s, T0 + 60 * MIN, NULL), 2);
	assert_string_equal(hit_codes(s, good), "");
	/* In order of time: apology 0 s, speak 60 s, callback 90 s, hold warning
	 * 100 s and 120 s, goodbye 210 s, class F 480 s and 600 s. */
	assert_string_equal(hit_codes(s, bad),
			    "call2.guide_apology,call4.guide_speak,call4.guide_callback,"
			    "call4.guide_hold_warning,call4.guide_hold_warning,call6.guide_silent,"
			    "call7.guide_limit,call7.guide_limit");
	/* 100 − 2 − 1 − 1 − 2 − 1 − 2: each rule once. */
	{
		struct qa_check_row c;

		assert_int_equal(checked(s, bad, &c, NULL), 0);
		assert_int_equal(c.score, 91);
		assert_int_equal(c.hits, 8);
	}
	test_store_close(s);
}

/* -- agents' summaries (kind summary) -- */

static int64_t add_contact(struct store *s, int64_t call, int64_t start, int64_t end,
			   const char *fivew, const char *summary)
{
	int64_t id = 0;

	assert_int_equal(
		store_run(s,
			  "INSERT INTO contact(channel, direction, agent_id, started_at, ended_at,"
			  " fivew, summary, created_at, call_id) VALUES ('phone', 'in', 7, ?,"
			  " nullif(?, 0), ?, ?, ?, nullif(?, 0)) RETURNING id",
			  &id, "iiTTii", T0 + start, end ? T0 + end : 0, fivew, summary, T0 + start,
			  call) < 0,
		0);
	return id;
}

/*
 * The summary an agent wrote on each contact is checked once, after the
 * wrap-up allowance (summary_wait_min, 10 min) from the contact's end; a
 * contact without words is passed over, one still going holds the cursor
 * (for a day at most) without holding back the ones after it.
 */
static void summaries_checked_once(void **state)
{
	struct store *s = bare_store();
	struct qa_check_row c;
	struct qa_transcript_row t;
	struct hits hs;
	int64_t wei = add_rule(s, "t.wei", "喂", -5), said, empty, going, clean, cursor = -1;
	int64_t call = add_call(s, 7, 0, 0, 0);

	(void)state;
	said = add_contact(s, 0, 0, MIN, "{\"what\":\"空调不制冷\"}", "客户来电，坐席说了喂");
	empty = add_contact(s, 0, 0, MIN, NULL, "");
	going = add_contact(s, call, 0, 0, NULL, NULL);
	clean = add_contact(s, 0, MIN, 2 * MIN, NULL, "已登记报修");

	/* Within the wrap-up allowance nothing is read. */
	assert_int_equal(qa_tick(s, T0 + 5 * MIN, NULL), 0);
	assert_int_equal(count(s, "SELECT count(*) FROM qa_check WHERE kind = 'summary'"), 0);

	assert_int_equal(qa_tick(s, T0 + 13 * MIN, NULL), 2);
	memset(&c, 0, sizeof(c));
	assert_int_equal(qa_check_get(s, "summary", said, &c), 0);
	assert_int_equal(c.agent_id, 7);
	assert_int_equal(c.contact_at, T0);
	assert_int_equal(c.transcript, 1);
	assert_int_equal(c.score, 95);
	memset(&hs, 0, sizeof(hs));
	assert_int_equal(qa_hit_list(s, c.id, hit_take, &hs), 1);
	assert_int_equal(hs.h[0].rule_id, wei);
	/* The 5W1H first, then the summary: 喂 is the summary's 10th character. */
	assert_int_equal(hs.h[0].utterance, 1);
	assert_int_equal(hs.h[0].char_offset, 9);
	assert_string_equal(hs.h[0].text, "喂");
	memset(&t, 0, sizeof(t));
	assert_int_equal(qa_transcript_get(s, "summary", said, &t), 0);
	assert_string_equal(t.source, "summary");
	assert_non_null(strstr(buf_str(&t.body), "\"field\":\"what\""));
	assert_non_null(strstr(buf_str(&t.body), "\"field\":\"summary\""));
	buf_release(&t.body);
	assert_int_equal(qa_check_get(s, "summary", clean, &c), 0);
	assert_int_equal(c.score, 100);
	assert_int_equal(qa_check_get(s, "summary", empty, &c), ERR_NOTFOUND);
	assert_int_equal(qa_check_get(s, "summary", going, &c), ERR_NOTFOUND);
	/* The contact still going holds the cursor after the one passed over. */
	assert_int_equal(qa_setting_get(s, "summary_cursor", &cursor), 0);
	assert_int_equal(cursor, empty);

	/* Once each: a later round checks nothing again. */
	assert_int_equal(qa_tick(s, T0 + 20 * MIN, NULL), 0);
	assert_int_equal(count(s, "SELECT count(*) FROM qa_check WHERE kind = 'summary'"), 2);
	/* A day on, the open contact (its end lost) is passed over. */
	assert_int_equal(qa_tick(s, T0 + 25 * 60 * MIN, NULL), 0);
	assert_int_equal(qa_setting_get(s, "summary_cursor", &cursor), 0);
	assert_int_equal(cursor, clean);
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rule_versions),	  cmocka_unit_test(seeds_once),
		cmocka_unit_test(transcript_queue),	  cmocka_unit_test(tick_readiness),
		cmocka_unit_test(tick_hits_and_versions), cmocka_unit_test(tick_metrics_only),
		cmocka_unit_test(seeded_guide_rules),	  cmocka_unit_test(summaries_checked_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
