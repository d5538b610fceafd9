/*
 * Unit tests of quality inspection's rule engine (src/qa/, docs/qa.md) on
 * fixed transcripts: every kind of condition (keywords in each mode with
 * exclusions, regular expressions with an exclusion, speaker, positions,
 * order, silence, speech rate CALL-11, talk-over, holds CALL-4, who hung
 * up CALL-5, rings CALL-2, class F CALL-7, consent CALL-8), boolean
 * expressions, traditional characters and compatibility forms in the
 * input with hits pointing at the text as posted, the score (each rule
 * once, 0..100, fatal items), and the JSON of rules, transcripts and hits
 * with every broken field listed.
 */
#include "testutil.h"

#include <jansson.h>
#include <pthread.h>

#include "core/err.h"
#include "qa/qa.h"

/* ---- helpers ---- */

/* Compiles the rule bodies (NULL-ended) into an engine; ids 1, 2, ... and
 * codes "r1", "r2", .... */
static struct qa_engine *compile_rules(const char *const *bodies)
{
	struct qa_rule_src src[16];
	static char codes[16][8];
	struct err_info ei = {0};
	struct qa_engine *e = NULL;
	int n = 0;

	for (; bodies[n]; n++) {
		snprintf(codes[n], sizeof(codes[n]), "r%d", n + 1);
		src[n] = (struct qa_rule_src){n + 1, codes[n], 1, bodies[n]};
	}
	if (qa_compile(src, n, &e, &ei) != 0)
		fail_msg("rules do not compile: %s: %s", ei.field, ei.message);
	return e;
}

static struct qa_engine *compile1(const char *body)
{
	const char *bodies[] = {body, NULL};

	return compile_rules(bodies);
}

/* Runs a contact of kind made of a transcript (JSON, may be NULL) and a
 * call's metrics (JSON, may be NULL) against e. */
static void run_kind(const struct qa_engine *e, int kind, const char *transcript,
		     const char *metrics, struct qa_result *r)
{
	struct qa_contact c;
	struct qa_utt *utts = NULL;
	struct qa_facts_store fs = {0};
	struct err_info ei = {0};
	json_t *tj = NULL, *mj = NULL;

	qa_contact_init(&c, kind);
	if (transcript) {
		tj = json_loads(transcript, 0, NULL);
		assert_non_null(tj);
		if (qa_transcript_parse(tj, &c, &utts, &ei) != 0)
			fail_msg("transcript: %s: %s", ei.field, ei.message);
	}
	if (metrics) {
		mj = json_loads(metrics, 0, NULL);
		assert_non_null(mj);
		assert_int_equal(qa_facts_parse(mj, &c, &fs), 0);
	}
	assert_int_equal(qa_run(e, &c, r), 0);
	qa_facts_free(&fs);
	free(utts);
	json_decref(tj);
	json_decref(mj);
}

static void run(const struct qa_engine *e, const char *transcript, const char *metrics,
		struct qa_result *r)
{
	run_kind(e, QA_CALL, transcript, metrics, r);
}

/* Does rule body match the contact? (and, with hits, how many) */
static int matches(const char *body, const char *transcript, const char *metrics)
{
	struct qa_engine *e = compile1(body);
	struct qa_result r;
	int m;

	run(e, transcript, metrics, &r);
	m = r.matched;
	qa_result_free(&r);
	qa_free(e);
	return m;
}

static void assert_hit(const struct qa_hit *h, int utterance, int offset, int len, int64_t at_ms,
		       const char *text)
{
	assert_int_equal(h->utterance, utterance);
	if (utterance >= 0) {
		assert_int_equal(h->offset, offset);
		assert_int_equal(h->len, len);
	}
	assert_int_equal(h->at_ms, at_ms);
	assert_string_equal(h->text, text);
}

/* Whether a field is among the errors reported. */
static int has_field(const struct err_info *ei, const char *field)
{
	if (strcmp(ei->field, field) == 0)
		return 1;
	for (int i = 0; i < ei->nmore; i++)
		if (strcmp(ei->more[i].field, field) == 0)
			return 1;
	return 0;
}

static int validate(const char *body, struct err_info *ei)
{
	json_t *j = json_loads(body, 0, NULL);
	int rc;

	assert_non_null(j);
	memset(ei, 0, sizeof(*ei));
	rc = qa_rule_validate(j, ei);
	json_decref(j);
	return rc;
}

/* The agent says one line at each of the given times (s). */
#define U(sp, s, e, t)                                                                             \
	"{\"speaker\":\"" sp "\",\"start_ms\":" #s ",\"end_ms\":" #e ",\"text\":\"" t "\"}"

/* ---- normalisation ---- */

static void normalises_text(void **state)
{
	char out[128];

	/* libopencc-data is one of kefu's packages (mk/deps.sh). */
	assert_true(qa_t2s_ready());
	assert_int_equal(qa_normalise("請稍等，謝謝您的耐心等候", out, sizeof(out)), 0);
	assert_string_equal(out, "请稍等,谢谢您的耐心等候");
	/* Full-width letters and digits, case, a ligature, a letter with a
	 * combining accent composed. */
	assert_int_equal(qa_normalise("ＶＩＰ客户１２３ ﬁne Cafe\xcc\x81", out, sizeof(out)), 0);
	assert_string_equal(out, "vip客户123 fine caf\xc3\xa9");
	/* Phrases by OpenCC's t2s table (TSPhrases), where the characters
	 * alone would give another word: 計畫 is 计划 (计画 alone), 答覆 答复
	 * (覆 alone stays), 瞭解 了解, 一目瞭然 一目了然, 藉口 借口; 乾隆 and
	 * 乾坤 keep 乾 (干 alone), while 乾淨 is 干净. */
	assert_int_equal(qa_normalise("這個計畫，答覆您", out, sizeof(out)), 0);
	assert_string_equal(out, "这个计划,答复您");
	assert_int_equal(qa_normalise("請您瞭解，這不是藉口", out, sizeof(out)), 0);
	assert_string_equal(out, "请您了解,这不是借口");
	assert_int_equal(qa_normalise("乾隆年間，乾淨", out, sizeof(out)), 0);
	assert_string_equal(out, "乾隆年间,干净");
	assert_int_equal(qa_normalise("一目瞭然的說明", out, sizeof(out)), 0);
	assert_string_equal(out, "一目了然的说明");
	/* Simplified text is left alone, even 瞭 (no traditional character). */
	assert_int_equal(qa_normalise("计划了解瞭望", out, sizeof(out)), 0);
	assert_string_equal(out, "计划了解瞭望");
	/* Truncated on a character boundary. */
	assert_int_equal(qa_normalise("您好您好", out, 8), 0);
	assert_string_equal(out, "您好");
	assert_int_equal(qa_normalise("\xff\xfe", out, sizeof(out)), ERR_INVALID);
}

/* ---- keywords ---- */

static const char *wei_rule =
	"{\"name\":\"服务禁语：喂\",\"severity\":\"high\",\"score\":-5,"
	"\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\",\"speaker\":\"agent\","
	"\"words\":[\"喂\"],\"exclude\":[\"喂养\"],\"better\":\"您好！\"}]}";

/* QA-3: a forbidden phrase, with its replacement; 喂 inside 喂养 is no hit. */
static void keywords_any_with_exclusion(void **state)
{
	struct qa_engine *e = compile1(wei_rule);
	struct qa_result r;

	run(e,
	    "{\"utterances\":[" U("agent", 0, 2000, "喂，哪位？") "," U(
		    "customer", 2500, 4000, "喂，是我") "," U("agent", 5000, 9000,
							      "您家喂养宠物吗？喂？") "]}",
	    NULL, &r);
	assert_int_equal(r.matched, 1);
	assert_int_equal(r.nhits, 2); /* not the customer's 喂, not 喂养 */
	assert_hit(&r.hits[0], 0, 0, 1, 0, "喂");
	assert_hit(&r.hits[1], 2, 8, 1, 5000, "喂");
	assert_string_equal(r.hits[0].better, "您好！");
	assert_int_equal(r.hits[0].rule, 0);
	assert_int_equal(r.high, 2);
	assert_int_equal(r.score, 95);
	qa_result_free(&r);

	/* Only inside the excluded word, and the customer's: nothing. */
	run(e,
	    "{\"utterances\":[" U("agent", 0, 2000, "您家喂养宠物吗？") "," U("customer", 2500,
									      4000, "喂？") "]}",
	    NULL, &r);
	assert_int_equal(r.matched, 0);
	assert_int_equal(r.nhits, 0);
	assert_int_equal(r.score, 100);
	qa_result_free(&r);
	qa_free(e);
}

static void keywords_modes(void **state)
{
	const char *t = "{\"utterances\":[" U("agent", 0, 3000, "您好，请问有什么可以帮您？") "," U(
		"customer", 3500, 5000, "空调不制冷") "," U("agent", 6000, 8000,
							    "好的，请稍等") "]}";
	struct qa_engine *e;
	struct qa_result r;

	/* all: every word somewhere (the customer's words count with speaker any). */
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
			"\"mode\":\"all\",\"words\":[\"您好\",\"请稍等\",\"制冷\"]}]}",
			t, NULL),
		1);
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
			"\"mode\":\"all\",\"speaker\":\"agent\",\"words\":[\"您好\",\"请稍等\","
			"\"制冷\"]}]}",
			t, NULL),
		0);
	/* n_of: two distinct words of the list, however often each is said. */
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
			"\"mode\":\"n_of\",\"n\":2,\"words\":[\"您好\",\"请\",\"谢谢\"]}]}",
			t, NULL),
		1);
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
			"\"mode\":\"n_of\",\"n\":2,\"words\":[\"请\",\"谢谢\",\"对不起\"]}]}",
			t, NULL),
		0);
	/* none: matches when no word is said, and the hit names the words. */
	e = compile1("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
		     "\"mode\":\"none\",\"speaker\":\"agent\",\"words\":[\"谢谢\",\"感谢\"]}]}");
	run(e, t, NULL, &r);
	assert_int_equal(r.matched, 1);
	assert_int_equal(r.nhits, 1);
	assert_hit(&r.hits[0], -1, 0, 0, 0, "谢谢、感谢");
	assert_int_equal(r.hits[0].utterance, -1);
	qa_result_free(&r);
	qa_free(e);
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
			"\"mode\":\"none\",\"words\":[\"谢谢\",\"好的\"]}]}",
			t, NULL),
		0);
	/* A call without a transcript is not judged on its words: nothing
	 * said is not "谢谢 not said"; its metrics still count. */
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
			"\"mode\":\"none\",\"words\":[\"谢谢\"]}]}",
			NULL, "{\"rings\":5}"),
		0);
	assert_int_equal(
		matches("{\"name\":\"x\",\"when\":\"r || !a\",\"conditions\":[{\"id\":\"a\","
			"\"type\":\"keywords\",\"words\":[\"谢谢\"]},{\"id\":\"r\",\"type\":"
			"\"rings\"}]}",
			NULL, "{\"rings\":5}"),
		0);
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"r\",\"type\":\"rings\"}]}", NULL,
			"{\"rings\":5}"),
		1);
}

/* ---- where a text condition looks ---- */

static void speaker_and_positions(void **state)
{
	const char *t = "{\"utterances\":[" U("agent", 0, 3000, "您好，客户服务中心") "," U(
		"customer", 3500, 5000,
		"你好，我要报修") "," U("agent", 6000, 8000,
					"好的您好") "," U("customer", 40000, 42000,
							  "谢谢，再见") "," U("agent", 60000, 62000,
									      "感谢您的来电，"
									      "再见") "]}";

	/* The agent's first utterance has 您好; the agent's second is not
	 * "first 1", the customer's 你好 is not the agent's. */
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
			"\"speaker\":\"agent\",\"position\":{\"from\":\"first\",\"utterances\":1},"
			"\"words\":[\"您好\"]}]}",
			t, NULL),
		1);
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
			"\"speaker\":\"agent\",\"position\":{\"from\":\"first\",\"utterances\":1},"
			"\"words\":[\"好的\"]}]}",
			t, NULL),
		0);
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
			"\"speaker\":\"agent\",\"words\":[\"你好\",\"报修\"]}]}",
			t, NULL),
		0);
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
			"\"speaker\":\"customer\",\"words\":[\"你好\"]}]}",
			t, NULL),
		1);
	/* Speaker any: the first 2 utterances of the call are the agent's
	 * first and the customer's first. */
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
			"\"position\":{\"from\":\"first\",\"utterances\":2},\"words\":[\"报修\"]}]"
			"}",
			t, NULL),
		1);
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
			"\"position\":{\"from\":\"first\",\"utterances\":2},\"words\":[\"好的\"]}]"
			"}",
			t, NULL),
		0);
	/* Last utterances: the agent's last has 再见; the customer's 再见 is
	 * the customer's last but not the last of the call. */
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
			"\"speaker\":\"agent\",\"position\":{\"from\":\"last\",\"utterances\":1},"
			"\"words\":[\"再见\"]}]}",
			t, NULL),
		1);
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
			"\"position\":{\"from\":\"last\",\"utterances\":1},\"words\":[\"谢谢\"]}]}",
			t, NULL),
		0);
	/* Seconds: the first 5 s hold 客户服务中心 (from 0 s) but not 好的
	 * (from 6 s); the last 25 s of the call (it ends at 62 s) hold the
	 * utterance that ends at 42 s, not the one that ends at 8 s. */
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
			"\"position\":{\"from\":\"first\",\"seconds\":5},\"words\":[\"服务中心\"]}]"
			"}",
			t, NULL),
		1);
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
			"\"position\":{\"from\":\"first\",\"seconds\":5},\"words\":[\"好的\"]}]}",
			t, NULL),
		0);
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
			"\"position\":{\"from\":\"last\",\"seconds\":25},\"words\":[\"谢谢\"]}]}",
			t, NULL),
		1);
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
			"\"position\":{\"from\":\"last\",\"seconds\":25},\"words\":[\"好的\"]}]}",
			t, NULL),
		0);
}

/* ---- normalised matching, offsets in the original ---- */

static void traditional_and_offsets(void **state)
{
	struct qa_engine *e;
	struct qa_result r;

	/* Traditional characters said match a simplified rule, and the hit
	 * shows the words as posted. */
	e = compile1("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
		     "\"words\":[\"请稍等\"]}]}");
	run(e, "{\"utterances\":[" U("agent", 1200, 3000, "先生，請稍等一下") "]}", NULL, &r);
	assert_int_equal(r.nhits, 1);
	assert_hit(&r.hits[0], 0, 3, 3, 1200, "請稍等");
	qa_result_free(&r);
	qa_free(e);

	/* A phrase whose characters alone give another word: 計畫 said, 计划
	 * required, the hit on the words as posted; 答覆 for 答复. */
	e = compile1("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
		     "\"words\":[\"计划\",\"答复\",\"干隆\"]}]}");
	run(e,
	    "{\"utterances\":[" U("agent", 0, 1000, "ＯＫ，您的還款計畫") "," U(
		    "agent", 2000, 3000, "稍後答覆您，乾隆年間") "]}",
	    NULL, &r);
	assert_int_equal(r.nhits, 2);
	assert_hit(&r.hits[0], 0, 7, 2, 0, "計畫");
	assert_hit(&r.hits[1], 1, 2, 2, 2000, "答覆");
	qa_result_free(&r);
	qa_free(e);

	/* A rule written in traditional characters matches simplified text. */
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
			"\"words\":[\"請稍等\"]}]}",
			"{\"utterances\":[" U("agent", 0, 1000, "请稍等") "]}", NULL),
		1);

	/* Offsets count the characters of the original text: a full-width
	 * comma, a letter with a combining accent (two characters, one after
	 * normalising), a ligature (one character, two after). */
	e = compile1("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\","
		     "\"words\":[\"喂\",\"find\",\"vip\"]}]}");
	run(e,
	    "{\"utterances\":[" U("agent", 0, 1000, "ＯＫ，e\\u0301喂") "," U(
		    "agent", 2000, 3000, "请\\ufb01nd订单") "," U("agent", 4000, 5000,
								  "尊敬的ＶＩＰ客户") "]}",
	    NULL, &r);
	assert_int_equal(r.nhits, 3);
	assert_hit(&r.hits[0], 0, 5, 1, 0, "喂");
	assert_hit(&r.hits[1], 1, 1, 3, 2000, "\xef\xac\x81nd");
	assert_hit(&r.hits[2], 2, 3, 3, 4000, "ＶＩＰ");
	qa_result_free(&r);
	qa_free(e);
}

/* ---- regular expressions ---- */

static void regex_with_exclusion(void **state)
{
	struct qa_engine *e;
	struct qa_result r;

	/* QA-4: uncertain answers, but 一般来说 is allowed. */
	e = compile1("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"regex\","
		     "\"speaker\":\"agent\",\"pattern\":\"(一般|应该)(是|来说)\","
		     "\"exclude\":\"一般来说\"}]}");
	run(e,
	    "{\"utterances\":[" U("agent", 0, 3000, "一般来说不会坏") "," U(
		    "agent", 4000, 6000,
		    "这個應該是滤网的问题，一般是") "," U("customer", 7000, 8000, "应该是吧") "]}",
	    NULL, &r);
	assert_int_equal(r.matched, 1);
	assert_int_equal(r.nhits, 2);
	/* 應該是 in traditional characters, matched by the simplified pattern. */
	assert_hit(&r.hits[0], 1, 2, 3, 4000, "應該是");
	assert_hit(&r.hits[1], 1, 11, 3, 4000, "一般是");
	qa_result_free(&r);
	qa_free(e);

	/* Only the excluded form: no match. Caseless, Unicode classes. */
	assert_int_equal(matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"regex\","
				 "\"pattern\":\"一般(是|来说)\",\"exclude\":\"一般来说\"}]}",
				 "{\"utterances\":[" U("agent", 0, 3000, "一般来说不会坏") "]}",
				 NULL),
			 0);
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"regex\","
			"\"pattern\":\"工号\\\\d{4}\"}]}",
			"{\"utterances\":[" U("agent", 0, 3000, "工号１００１为您服务") "]}", NULL),
		1);
	assert_int_equal(matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"regex\","
				 "\"pattern\":\"\\\\bok\\\\b\"}]}",
				 "{\"utterances\":[" U("agent", 0, 3000, "OK，没问题") "]}", NULL),
			 1);
}

/* ---- order and boolean expressions ---- */

static void order_of_conditions(void **state)
{
	const char *conds = "{\"id\":\"w\",\"type\":\"keywords\",\"speaker\":\"agent\","
			    "\"words\":[\"请稍等\"]},{\"id\":\"t\",\"type\":\"keywords\","
			    "\"speaker\":\"agent\",\"words\":[\"感谢您的耐心等待\"]}";
	const char *thanked = "{\"utterances\":[" U("agent", 0, 1000, "请稍等") "," U(
		"customer", 2000, 3000, "好") "," U("agent", 30000, 31000, "感谢您的耐心等待") "]}";
	const char *reversed = "{\"utterances\":[" U("agent", 0, 1000, "感谢您的耐心等待") "," U(
		"agent", 2000, 3000, "请稍等") "]}";
	char body[1024];

	snprintf(body, sizeof(body),
		 "{\"name\":\"x\",\"when\":\"o\",\"conditions\":[%s,{\"id\":\"o\",\"type\":"
		 "\"order\","
		 "\"cond\":\"w\",\"relation\":\"before\",\"other\":\"t\"}]}",
		 conds);
	assert_int_equal(matches(body, thanked, NULL), 1);
	assert_int_equal(matches(body, reversed, NULL), 0);
	snprintf(body, sizeof(body),
		 "{\"name\":\"x\",\"when\":\"o\",\"conditions\":[%s,{\"id\":\"o\",\"type\":"
		 "\"order\","
		 "\"cond\":\"w\",\"relation\":\"after\",\"other\":\"t\"}]}",
		 conds);
	assert_int_equal(matches(body, thanked, NULL), 0);
	assert_int_equal(matches(body, reversed, NULL), 1);
	/* within N utterances: two apart. */
	snprintf(body, sizeof(body),
		 "{\"name\":\"x\",\"when\":\"o\",\"conditions\":[%s,{\"id\":\"o\",\"type\":"
		 "\"order\","
		 "\"cond\":\"w\",\"relation\":\"within\",\"other\":\"t\",\"utterances\":2}]}",
		 conds);
	assert_int_equal(matches(body, thanked, NULL), 1);
	snprintf(body, sizeof(body),
		 "{\"name\":\"x\",\"when\":\"o\",\"conditions\":[%s,{\"id\":\"o\",\"type\":"
		 "\"order\","
		 "\"cond\":\"w\",\"relation\":\"within\",\"other\":\"t\",\"utterances\":1}]}",
		 conds);
	assert_int_equal(matches(body, thanked, NULL), 0);
	/* A wait not followed by thanks: w && !o. */
	snprintf(body, sizeof(body),
		 "{\"name\":\"x\",\"when\":\"w && !o\",\"conditions\":[%s,{\"id\":\"o\",\"type\":"
		 "\"order\",\"cond\":\"w\",\"relation\":\"before\",\"other\":\"t\"}]}",
		 conds);
	assert_int_equal(matches(body, thanked, NULL), 0);
	assert_int_equal(matches(body, reversed, NULL), 1);
}

static void boolean_expressions(void **state)
{
	const char *conds = "{\"id\":\"a\",\"type\":\"keywords\",\"words\":[\"投诉\"]},"
			    "{\"id\":\"b\",\"type\":\"keywords\",\"words\":[\"12315\"]},"
			    "{\"id\":\"c\",\"type\":\"keywords\",\"words\":[\"对不起\"]}";
	const char *only_a = "{\"utterances\":[" U("customer", 0, 1000, "我要投诉") "]}";
	const char *a_and_c = "{\"utterances\":[" U("customer", 0, 1000, "我要投诉") "," U(
		"agent", 2000, 3000, "对不起，给您添麻烦了") "]}";
	const char *only_b = "{\"utterances\":[" U("customer", 0, 1000, "我打12315") "]}";
	struct {
		const char *when;
		int a, ac, b;
	} cases[] = {
		{"(a || b) && !c", 1, 0, 1},
		{"a && c", 0, 1, 0},
		{"!a", 0, 0, 1},
		{"a || b || c", 1, 1, 1},
		{"!(a || b)", 0, 0, 0},
		{"a && !c || b", 1, 0, 1},
		{"", 0, 0, 0}, /* default: every condition */
	};
	char body[1024];
	struct qa_engine *e;
	struct qa_result r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), "{\"name\":\"x\",\"when\":\"%s\",\"conditions\":[%s]}",
			 cases[i].when, conds);
		assert_int_equal(matches(body, only_a, NULL), cases[i].a);
		assert_int_equal(matches(body, a_and_c, NULL), cases[i].ac);
		assert_int_equal(matches(body, only_b, NULL), cases[i].b);
	}
	/* A rule's hits are those of the conditions that made it true: the
	 * complaint and the number (both sides of the "||", though one was
	 * enough), not the apology under the negation. */
	snprintf(body, sizeof(body),
		 "{\"name\":\"x\",\"when\":\"(a || b) && !c\",\"conditions\":[%s]}", conds);
	e = compile1(body);
	run(e, "{\"utterances\":[" U("customer", 0, 1000, "我要投诉，打12315") "]}", NULL, &r);
	assert_int_equal(r.nhits, 2);
	assert_hit(&r.hits[0], 0, 2, 2, 0, "投诉");
	assert_hit(&r.hits[1], 0, 6, 5, 0, "12315");
	qa_result_free(&r);
	qa_free(e);
	/* In "(a && c) || b" without c, the complaint is no reason. */
	snprintf(body, sizeof(body),
		 "{\"name\":\"x\",\"when\":\"(a && c) || b\",\"conditions\":[%s]}", conds);
	e = compile1(body);
	run(e, "{\"utterances\":[" U("customer", 0, 1000, "我要投诉，打12315") "]}", NULL, &r);
	assert_int_equal(r.matched, 1);
	assert_int_equal(r.nhits, 1);
	assert_hit(&r.hits[0], 0, 6, 5, 0, "12315");
	qa_result_free(&r);
	qa_free(e);
}

/* ---- the call's metrics ---- */

static void silence_and_talk_over(void **state)
{
	const char *sil = "{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"silence\","
			  "\"over_ms\":5000}]}";
	const char *gap = "{\"utterances\":[" U("agent", 0, 2000, "请稍等") "," U(
		"customer", 9000, 10000, "好") "," U("agent", 12000, 13000, "好的") "]}";
	const char *over = "{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"talk_over\","
			   "\"over_ms\":1500}]}";
	const char *talk =
		"{\"utterances\":[" U("customer", 0, 5000, "我家空调不制冷了已经三天") "," U(
			"agent", 3000, 6000, "您是说空调吗") "]}";
	struct qa_engine *e;
	struct qa_result r;

	/* From the utterances' times: 7 s between 2 s and 9 s. */
	e = compile1(sil);
	run(e, gap, NULL, &r);
	assert_int_equal(r.nhits, 1);
	assert_hit(&r.hits[0], -1, 0, 0, 2000, "7.0s");
	qa_result_free(&r);
	/* The agent's hold covers it (the customer hears music, CALL-4). */
	run(e, gap, "{\"holds\":[{\"start_ms\":1500,\"len_ms\":8000,\"by\":\"agent\"}]}", &r);
	assert_int_equal(r.matched, 0);
	qa_result_free(&r);
	/* The recording's dead air, when measured, decides. */
	run(e, gap,
	    "{\"dead_air\":[{\"start_ms\":20000,\"len_ms\":6220},{\"start_ms\":40000,\"len_ms\":"
	    "4000}]}",
	    &r);
	assert_int_equal(r.nhits, 1);
	assert_hit(&r.hits[0], -1, 0, 0, 20000, "6.2s");
	qa_result_free(&r);
	run(e, gap, "{\"dead_air\":[]}", &r);
	assert_int_equal(r.matched, 0);
	qa_result_free(&r);
	qa_free(e);

	/* The agent starts at 3 s while the customer speaks until 5 s. */
	e = compile1(over);
	run(e, talk, NULL, &r);
	assert_int_equal(r.nhits, 1);
	assert_hit(&r.hits[0], -1, 0, 0, 3000, "2.0s");
	qa_result_free(&r);
	run(e, talk,
	    "{\"talk_over\":[{\"at_ms\":10520,\"len_ms\":1780},{\"at_ms\":20000,\"len_ms\":900}]}",
	    &r);
	assert_int_equal(r.nhits, 1);
	assert_hit(&r.hits[0], -1, 0, 0, 10520, "1.8s");
	qa_result_free(&r);
	qa_free(e);
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"talk_over\","
			"\"over_ms\":2500}]}",
			talk, NULL),
		0);
}

/* CALL-11: Han characters one each, a word or number one, punctuation and
 * spaces nothing: "请稍等，我查一下 order 12345！" is 9. */
static void speech_rate(void **state)
{
	const char *rule = "{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"speech_rate\","
			   "\"speaker\":\"agent\",\"min\":100,\"max\":200,\"min_speech_ms\":0}]}";
	struct qa_engine *e = compile1(rule);
	struct qa_result r;

	/* 9 in 3.6 s: 150 a minute. */
	run(e,
	    "{\"utterances\":[" U("agent", 1000, 4600, "请稍等，我查一下 order 12345！") "," U(
		    "customer", 5000, 5500, "好的好的好的好的好的好的好的好的") "]}",
	    NULL, &r);
	assert_int_equal(r.matched, 0);
	qa_result_free(&r);
	/* 9 in 2 s: 270. */
	run(e, "{\"utterances\":[" U("agent", 1000, 3000, "请稍等，我查一下 order 12345！") "]}",
	    NULL, &r);
	assert_int_equal(r.nhits, 1);
	assert_hit(&r.hits[0], -1, 0, 0, 1000, "270/min");
	qa_result_free(&r);
	/* 9 + 1 (full-width digits are one number) in 6 s: 100, not under. */
	run(e,
	    "{\"utterances\":[" U("agent", 0, 3000, "请稍等，我查一下 order 12345！") "," U(
		    "agent", 4000, 7000, "１２３") "]}",
	    NULL, &r);
	assert_int_equal(r.matched, 0);
	qa_result_free(&r);
	/* 9 in 6 s: 90, slow. */
	run(e, "{\"utterances\":[" U("agent", 0, 6000, "请稍等，我查一下 order 12345！") "]}", NULL,
	    &r);
	assert_int_equal(r.nhits, 1);
	assert_hit(&r.hits[0], -1, 0, 0, 0, "90/min");
	qa_result_free(&r);
	qa_free(e);
	/* Too little speech says nothing (default: 10 s of it). */
	assert_int_equal(
		matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"speech_rate\","
			"\"min\":100}]}",
			"{\"utterances\":[" U("agent", 0, 6000, "请稍等") "]}", NULL),
		0);
}

/* CALL-4: a hold without a word over 15 s; holds over 2 min in all. */
static void holds(void **state)
{
	const char *silent =
		"{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"hold_silent\"}]}";
	const char *total =
		"{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"hold_total\"}]}";
	const char *hold = "{\"holds\":[{\"start_ms\":10000,\"len_ms\":40000,\"by\":\"agent\"}]}";
	struct qa_engine *e;
	struct qa_result r;

	/* Spoken to at 20 s and 35 s: the longest stretch is 14 s (36 → 50). */
	assert_int_equal(
		matches(silent,
			"{\"utterances\":[" U("agent", 20000, 22000, "还在查，请稍等") "," U(
				"agent", 35000, 36000, "马上就好") "]}",
			hold),
		0);
	/* Spoken to at 20 s only: 28 s without a word. */
	e = compile1(silent);
	run(e, "{\"utterances\":[" U("agent", 20000, 22000, "还在查，请稍等") "]}", hold, &r);
	assert_int_equal(r.nhits, 1);
	assert_hit(&r.hits[0], -1, 0, 0, 10000, "40.0s");
	qa_result_free(&r);
	/* The caller's own hold is not the agent's to fill. */
	run(e, NULL, "{\"holds\":[{\"start_ms\":10000,\"len_ms\":40000,\"by\":\"caller\"}]}", &r);
	assert_int_equal(r.matched, 0);
	qa_result_free(&r);
	qa_free(e);

	/* 60 s + 70 s of the agent's holds: over 2 min from the second; the
	 * caller's 100 s do not count. */
	e = compile1(total);
	run(e, NULL,
	    "{\"holds\":[{\"start_ms\":10000,\"len_ms\":60000,\"by\":\"agent\"},"
	    "{\"start_ms\":90000,\"len_ms\":100000,\"by\":\"caller\"},"
	    "{\"start_ms\":200000,\"len_ms\":70000,\"by\":\"agent\"}]}",
	    &r);
	assert_int_equal(r.nhits, 1);
	assert_hit(&r.hits[0], -1, 0, 0, 200000, "130.0s");
	qa_result_free(&r);
	run(e, NULL,
	    "{\"holds\":[{\"start_ms\":10000,\"len_ms\":60000,\"by\":\"agent\"},"
	    "{\"start_ms\":90000,\"len_ms\":100000,\"by\":\"caller\"}]}",
	    &r);
	assert_int_equal(r.matched, 0);
	qa_result_free(&r);
	qa_free(e);
}

/* CALL-5, CALL-2, CALL-7. */
static void hangup_rings_class_f(void **state)
{
	const char *hang =
		"{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"agent_hung_up_first\"}]}";
	const char *t = "{\"utterances\":[" U("agent", 0, 2000, "还有其他问题吗") "," U(
		"customer", 3000, 58000, "没有了") "]}";
	const char *rings = "{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"rings\"}]}";
	const char *cf =
		"{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"class_f_over\"}]}";
	struct qa_engine *e;
	struct qa_result r;

	/* The customer spoke until 58 s, the agent hung up at 60 s: 2 s of
	 * silence, under the 5 s allowance. */
	e = compile1(hang);
	run(e, t, "{\"hangup_first\":\"agent\",\"end_ms\":60000}", &r);
	assert_int_equal(r.nhits, 1);
	assert_hit(&r.hits[0], -1, 0, 0, 60000, "2.0s");
	qa_result_free(&r);
	qa_free(e);
	assert_int_equal(matches(hang, t, "{\"hangup_first\":\"agent\",\"end_ms\":64000}"), 0);
	assert_int_equal(matches(hang, t, "{\"hangup_first\":\"caller\",\"end_ms\":60000}"), 0);
	assert_int_equal(matches(hang, t, NULL), 0);

	e = compile1(rings);
	run(e, NULL, "{\"rings\":4}", &r);
	assert_int_equal(r.nhits, 1);
	assert_hit(&r.hits[0], -1, 0, 0, 0, "4");
	qa_result_free(&r);
	qa_free(e);
	assert_int_equal(matches(rings, NULL, "{\"rings\":3}"), 0);
	assert_int_equal(matches(rings, NULL, NULL), 0);
	assert_int_equal(matches("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"rings\","
				 "\"over\":2}]}",
				 NULL, "{\"rings\":3}"),
			 1);

	e = compile1(cf);
	run(e, NULL, "{\"class\":\"F\",\"talk_ms\":660000}", &r);
	assert_int_equal(r.nhits, 1);
	assert_hit(&r.hits[0], -1, 0, 0, 600000, "11.0min");
	qa_result_free(&r);
	qa_free(e);
	assert_int_equal(matches(cf, NULL, "{\"class\":\"F\",\"talk_ms\":540000}"), 0);
	assert_int_equal(matches(cf, NULL, "{\"class\":\"A\",\"talk_ms\":660000}"), 0);
}

/* CALL-8: a transfer or a hold without asking first. */
static void consent_before_transfer_and_hold(void **state)
{
	const char *tr =
		"{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"consent\","
		"\"event\":\"transfer\",\"phrases\":[\"帮您转接\",\"可以吗\"],\"utterances\":2}]}";
	const char *hold = "{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"consent\","
			   "\"event\":\"hold\",\"phrases\":[\"请您稍等\",\"稍等一下可以吗\"],"
			   "\"utterances\":1}]}";
	const char *asked = "{\"utterances\":[" U(
		"agent", 0, 2000, "这个需要售后处理，我帮您转接，可以吗？") "," U("customer", 2500,
										  3000, "好") "]}";
	const char *asked_early = "{\"utterances\":[" U("agent", 0, 2000, "我帮您转接") "," U(
		"customer", 2500, 3000,
		"嗯") "," U("agent", 3500, 4000, "稍等") "," U("customer", 4500, 5000, "好") "]}";
	const char *by_customer = "{\"utterances\":[" U("customer", 0, 2000, "帮您转接可以吗") "]}";
	struct qa_engine *e;
	struct qa_result r;

	e = compile1(tr);
	run(e, asked, "{\"events\":[{\"kind\":\"transfer\",\"at_ms\":30000}]}", &r);
	assert_int_equal(r.matched, 0);
	qa_result_free(&r);
	/* Asked, but more than 2 utterances before the transfer. */
	run(e, asked_early, "{\"events\":[{\"kind\":\"transfer\",\"at_ms\":30000}]}", &r);
	assert_int_equal(r.nhits, 1);
	assert_hit(&r.hits[0], -1, 0, 0, 30000, "transfer");
	qa_result_free(&r);
	/* The customer's words are not the agent's asking. */
	run(e, by_customer, "{\"events\":[{\"kind\":\"transfer\",\"at_ms\":30000}]}", &r);
	assert_int_equal(r.matched, 1);
	qa_result_free(&r);
	/* No transfer, nothing to ask. */
	run(e, by_customer, "{\"events\":[{\"kind\":\"hold\",\"at_ms\":30000}]}", &r);
	assert_int_equal(r.matched, 0);
	qa_result_free(&r);
	qa_free(e);

	/* The agent's holds are hold events; the first asked, the second not. */
	e = compile1(hold);
	run(e,
	    "{\"utterances\":[" U("agent", 0, 2000, "请您稍等，我查一下") "," U(
		    "agent", 70000, 72000, "还有一个问题") "]}",
	    "{\"holds\":[{\"start_ms\":3000,\"len_ms\":60000,\"by\":\"agent\"},"
	    "{\"start_ms\":80000,\"len_ms\":10000,\"by\":\"agent\"}]}",
	    &r);
	assert_int_equal(r.nhits, 1);
	assert_hit(&r.hits[0], -1, 0, 0, 80000, "hold");
	qa_result_free(&r);
	qa_free(e);
}

/* ---- scores ---- */

static void scoring(void **state)
{
	const char *rules[] = {
		wei_rule,
		"{\"name\":\"你\",\"score\":-10,\"conditions\":[{\"id\":\"a\",\"type\":"
		"\"keywords\","
		"\"speaker\":\"agent\",\"words\":[\"你\"],\"exclude\":[\"你们\"]}]}",
		"{\"name\":\"致谢\",\"score\":3,\"severity\":\"low\",\"conditions\":[{\"id\":\"a\","
		"\"type\":\"keywords\",\"words\":[\"谢谢\"]}]}",
		"{\"name\":\"chat "
		"only\",\"score\":-50,\"kinds\":[\"chat\"],\"conditions\":[{\"id\":"
		"\"a\",\"type\":\"keywords\",\"words\":[\"喂\"]}]}",
		NULL};
	const char *t = "{\"utterances\":[" U("agent", 0, 1000, "喂，喂，喂？") "," U(
		"agent", 2000, 3000, "你说什么") "," U("agent", 4000, 5000, "谢谢") "]}";
	struct qa_engine *e = compile_rules(rules);
	struct qa_result r;
	struct qa_rule_info info;

	assert_int_equal(qa_rule_count(e), 4);
	qa_rule_info(e, 3, &info);
	assert_int_equal(info.kinds, QA_CHAT);
	assert_string_equal(info.code, "r4");
	/* 喂 three times counts once: 100 - 5 - 10 + 3; the chat rule is not
	 * a call's. */
	run(e, t, NULL, &r);
	assert_int_equal(r.matched, 3);
	assert_int_equal(r.nhits, 5);
	assert_int_equal(r.high, 3);
	assert_int_equal(r.score, 88);
	assert_int_equal(r.fatal, 0);
	qa_result_free(&r);
	/* As a chat: -50 more. */
	run_kind(e, QA_CHAT, t, NULL, &r);
	assert_int_equal(r.matched, 4);
	assert_int_equal(r.score, 38);
	qa_result_free(&r);
	/* Additions never take it over 100. */
	run(e, "{\"utterances\":[" U("agent", 0, 1000, "谢谢") "]}", NULL, &r);
	assert_int_equal(r.matched, 1);
	assert_int_equal(r.score, 100);
	qa_result_free(&r);
	qa_free(e);

	/* Nor deductions under 0. */
	{
		const char *big[] = {"{\"name\":\"a\",\"score\":-60,\"conditions\":[{\"id\":\"a\","
				     "\"type\":\"keywords\",\"words\":[\"喂\"]}]}",
				     "{\"name\":\"b\",\"score\":-60,\"conditions\":[{\"id\":\"a\","
				     "\"type\":\"keywords\",\"words\":[\"你\"]}]}",
				     NULL};

		e = compile_rules(big);
		run(e, t, NULL, &r);
		assert_int_equal(r.matched, 2);
		assert_int_equal(r.score, 0);
		qa_result_free(&r);
		qa_free(e);
	}
	/* A fatal item (致命项) makes the contact 0, whatever else. */
	{
		const char *fatal[] = {
			"{\"name\":\"bonus\",\"score\":20,\"conditions\":[{\"id\":\"a\",\"type\":"
			"\"keywords\",\"words\":[\"谢谢\"]}]}",
			"{\"name\":\"f\",\"score\":0,\"fatal\":true,\"conditions\":[{\"id\":\"a\","
			"\"type\":\"keywords\",\"words\":[\"你说什么\"]}]}",
			NULL};

		e = compile_rules(fatal);
		run(e, t, NULL, &r);
		assert_int_equal(r.matched, 2);
		assert_int_equal(r.fatal, 1);
		assert_int_equal(r.score, 0);
		qa_result_free(&r);
		run(e, "{\"utterances\":[" U("agent", 0, 1000, "谢谢") "]}", NULL, &r);
		assert_int_equal(r.fatal, 0);
		assert_int_equal(r.score, 100);
		qa_result_free(&r);
		qa_free(e);
	}
}

/* One engine, several threads at once (qa.h): each run has its own
 * scratch and PCRE2 match data, so every thread finds what one finds. */
struct worker {
	const struct qa_engine *e;
	const struct qa_contact *c;
	int runs, nhits, score, failed;
};

static void *work(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < w->runs; i++) {
		struct qa_result r;

		if (qa_run(w->e, w->c, &r) != 0 || r.nhits != w->nhits || r.score != w->score)
			w->failed++;
		qa_result_free(&r);
	}
	return NULL;
}

static void concurrent_runs(void **state)
{
	const char *rules[] = {wei_rule,
			       "{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"regex\","
			       "\"pattern\":\"(一般|应该)是\"}]}",
			       NULL};
	struct qa_engine *e = compile_rules(rules);
	json_t *j = json_loads("{\"utterances\":[" U("agent", 0, 1000, "喂，應該是，一般是") "," U(
				       "agent", 2000, 3000, "喂") "]}",
			       0, NULL);
	struct qa_contact c;
	struct qa_utt *utts;
	struct err_info ei = {0};
	struct qa_result r;
	struct worker w[4];
	pthread_t t[4];

	qa_contact_init(&c, QA_CALL);
	assert_int_equal(qa_transcript_parse(j, &c, &utts, &ei), 0);
	assert_int_equal(qa_run(e, &c, &r), 0);
	assert_int_equal(r.nhits, 4);
	assert_int_equal(r.score, 95);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){e, &c, 200, r.nhits, r.score, 0};
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].failed, 0);
	}
	qa_result_free(&r);
	free(utts);
	json_decref(j);
	qa_free(e);
}

/* No rules: every contact scores 100. */
static void no_rules(void **state)
{
	struct qa_engine *e = NULL;
	struct err_info ei = {0};
	struct qa_result r;

	assert_int_equal(qa_compile(NULL, 0, &e, &ei), 0);
	assert_int_equal(qa_rule_count(e), 0);
	run(e, "{\"utterances\":[" U("agent", 0, 1000, "喂") "]}", "{\"rings\":9}", &r);
	assert_int_equal(r.nhits, 0);
	assert_int_equal(r.matched, 0);
	assert_int_equal(r.score, 100);
	qa_result_free(&r);
	qa_free(e);
}

/* Many rules share one automaton: each still sees only its own words. */
static void shared_automaton(void **state)
{
	const char *rules[] = {
		"{\"name\":\"a\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\",\"speaker\":"
		"\"agent\",\"words\":[\"稍等\",\"请稍等\"]}]}",
		"{\"name\":\"b\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\",\"speaker\":"
		"\"customer\",\"words\":[\"稍等\"]}]}",
		"{\"name\":\"c\",\"conditions\":[{\"id\":\"a\",\"type\":\"keywords\",\"words\":["
		"\"等一下\"],\"exclude\":[\"稍等一下\"]}]}",
		NULL};
	struct qa_engine *e = compile_rules(rules);
	struct qa_result r;

	run(e, "{\"utterances\":[" U("agent", 0, 1000, "请稍等一下") "]}", NULL, &r);
	/* Rule a: 请稍等 and 稍等 inside it, overlapping; b: not the
	 * customer; c: excluded. */
	assert_int_equal(r.matched, 1);
	assert_int_equal(r.nhits, 2);
	assert_int_equal(r.hits[0].rule, 0);
	assert_hit(&r.hits[0], 0, 0, 3, 0, "请稍等");
	assert_hit(&r.hits[1], 0, 1, 2, 0, "稍等");
	qa_result_free(&r);
	qa_free(e);
}

/* ---- JSON ---- */

static void rule_json_errors(void **state)
{
	struct err_info ei;
	struct qa_engine *e = NULL;
	struct qa_rule_src src[2];

	assert_int_equal(validate(wei_rule, &ei), 0);
	/* Every broken field at once, each with its path. */
	assert_int_equal(
		validate("{\"severity\":\"severe\",\"score\":-500,\"colour\":1,"
			 "\"conditions\":[{\"id\":\"1a\",\"type\":\"keywords\",\"words\":[]},"
			 "{\"id\":\"b\",\"type\":\"regex\",\"pattern\":\"(\"},"
			 "{\"id\":\"c\",\"type\":\"teleport\"}]}",
			 &ei),
		ERR_UNPROCESSABLE);
	assert_true(has_field(&ei, "colour"));
	assert_true(has_field(&ei, "name"));
	assert_true(has_field(&ei, "severity"));
	assert_true(has_field(&ei, "score"));
	assert_true(has_field(&ei, "conditions[0].id"));
	assert_true(has_field(&ei, "conditions[0].words"));
	assert_true(has_field(&ei, "conditions[1].pattern"));
	assert_true(has_field(&ei, "conditions[2].type"));
	assert_int_equal(ei.nmore, 7);
	/* The Chinese message is there too. */
	assert_true(ei.message_zh[0] != '\0');

	/* A bad pattern says where. */
	assert_int_equal(
		validate("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"regex\","
			 "\"pattern\":\"ab(c\"}]}",
			 &ei),
		ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "conditions[0].pattern");
	assert_non_null(strstr(ei.message, "at offset 4"));

	/* Expressions. */
	assert_int_equal(validate("{\"name\":\"x\",\"when\":\"a &&\",\"conditions\":[{\"id\":\"a\","
				  "\"type\":\"rings\"}]}",
				  &ei),
			 ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "when");
	assert_int_equal(
		validate("{\"name\":\"x\",\"when\":\"a || z\",\"conditions\":[{\"id\":\"a\","
			 "\"type\":\"rings\"}]}",
			 &ei),
		ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "when");
	assert_non_null(strstr(ei.message, "unknown condition z"));
	assert_int_equal(validate("{\"name\":\"x\",\"when\":\"(a\",\"conditions\":[{\"id\":\"a\","
				  "\"type\":\"rings\"}]}",
				  &ei),
			 ERR_UNPROCESSABLE);
	/* An error inside parentheses never closed stops there: each level once
	 * stepped over its missing ')' and read past the end of the text
	 * (tests/fuzz/corpus/qa/overflow-open-parens.json; ASan build). */
	assert_int_equal(validate("{\"name\":\"x\",\"when\":\"((((((((((z\",\"conditions\":["
				  "{\"id\":\"a\",\"type\":\"rings\"}]}",
				  &ei),
			 ERR_UNPROCESSABLE);
	assert_non_null(strstr(ei.message, "unknown condition z"));

	/* Conditions' own rules. */
	assert_int_equal(
		validate("{\"name\":\"x\",\"conditions\":["
			 "{\"id\":\"a\",\"type\":\"keywords\",\"words\":[\"x\"],\"n\":2},"
			 "{\"id\":\"a\",\"type\":\"rings\"},"
			 "{\"id\":\"c\",\"type\":\"keywords\",\"words\":[\"x\"],"
			 "\"position\":{\"from\":\"middle\"}},"
			 "{\"id\":\"d\",\"type\":\"speech_rate\",\"min\":200,\"max\":100},"
			 "{\"id\":\"e\",\"type\":\"order\",\"cond\":\"a\",\"relation\":\"before\","
			 "\"other\":\"nope\"},"
			 "{\"id\":\"f\",\"type\":\"keywords\",\"mode\":\"n_of\",\"n\":3,\"words\":["
			 "\"x\",\"y\"]}]}",
			 &ei),
		ERR_UNPROCESSABLE);
	assert_true(has_field(&ei, "conditions[0].n"));
	assert_true(has_field(&ei, "conditions[1].id"));
	assert_true(has_field(&ei, "conditions[2].position.from"));
	assert_true(has_field(&ei, "conditions[2].position"));
	assert_true(has_field(&ei, "conditions[3].max"));
	assert_true(has_field(&ei, "conditions[4].other"));
	assert_true(has_field(&ei, "conditions[5].n"));

	/* Not an object. */
	{
		json_t *a = json_array();

		memset(&ei, 0, sizeof(ei));
		assert_int_equal(qa_rule_validate(a, &ei), ERR_INVALID);
		json_decref(a);
	}

	/* A set of rules: the broken one is named, nothing is compiled. */
	src[0] = (struct qa_rule_src){1, "a", 1, wei_rule};
	src[1] = (struct qa_rule_src){2, "b", 1,
				      "{\"name\":\"x\",\"severity\":\"severe\","
				      "\"conditions\":[{\"id\":\"a\",\"type\":\"rings\"}]}"};
	memset(&ei, 0, sizeof(ei));
	assert_int_equal(qa_compile(src, 2, &e, &ei), ERR_UNPROCESSABLE);
	assert_null(e);
	assert_string_equal(ei.field, "rules[1].severity");
	src[1].body = "not json";
	memset(&ei, 0, sizeof(ei));
	assert_int_equal(qa_compile(src, 2, &e, &ei), ERR_UNPROCESSABLE);
	assert_null(e);
	assert_string_equal(ei.field, "rules[1]");
}

static void transcript_json_errors(void **state)
{
	struct qa_contact c;
	struct qa_utt *utts = NULL;
	struct err_info ei = {0};
	json_t *j;

	qa_contact_init(&c, QA_CALL);
	j = json_loads(
		"{\"utterances\":[" U("robot", 0, 1000,
				      "x") ",{\"speaker\":\"agent\","
					   "\"start_ms\":5000,\"end_ms\":4000,\"text\":\"x\"},"
					   "{\"speaker\":\"agent\",\"start_ms\":3000,\"end_ms\":"
					   "3500,\"text\":7,\"mood\":1}]}",
		0, NULL);
	assert_non_null(j);
	assert_int_equal(qa_transcript_parse(j, &c, &utts, &ei), ERR_UNPROCESSABLE);
	assert_null(utts);
	assert_int_equal(c.nutt, 0);
	assert_true(has_field(&ei, "utterances[0].speaker"));
	assert_true(has_field(&ei, "utterances[1].end_ms"));
	assert_true(has_field(&ei, "utterances[2].start_ms")); /* before the one above */
	assert_true(has_field(&ei, "utterances[2].text"));
	assert_true(has_field(&ei, "utterances[2].mood"));
	json_decref(j);

	memset(&ei, 0, sizeof(ei));
	j = json_loads("{\"words\":[]}", 0, NULL);
	assert_int_equal(qa_transcript_parse(j, &c, &utts, &ei), ERR_INVALID);
	assert_string_equal(ei.field, "utterances");
	json_decref(j);

	memset(&ei, 0, sizeof(ei));
	j = json_loads("{\"utterances\":[" U("agent", 0, 1000, "您好") "," U("customer", 0, 800,
									     "喂") "]}",
		       0, NULL);
	assert_int_equal(qa_transcript_parse(j, &c, &utts, &ei), 0);
	assert_int_equal(c.nutt, 2);
	assert_int_equal(c.utt[1].speaker, QA_CUSTOMER);
	assert_int_equal(c.utt[1].end_ms, 800);
	assert_string_equal(c.utt[0].text, "您好");
	free(utts);
	json_decref(j);
}

/* A hit on the wire (docs/qa.md). */
static void hit_json(void **state)
{
	struct qa_engine *e = compile1(wei_rule);
	struct qa_result r;
	json_t *j;

	run(e,
	    "{\"utterances\":[" U("agent", 0, 1000, "您好") "," U("agent", 15200, 16000,
								  "喂？") "]}",
	    NULL, &r);
	assert_int_equal(r.nhits, 1);
	j = qa_hit_json(e, &r.hits[0]);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "rule"), "id")), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "rule"), "code")),
			    "r1");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "rule"), "version")),
			 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "rule"), "name")),
			    "服务禁语：喂");
	assert_string_equal(json_string_value(json_object_get(j, "severity")), "high");
	assert_int_equal(json_integer_value(json_object_get(j, "score")), -5);
	assert_true(json_is_false(json_object_get(j, "fatal")));
	assert_int_equal(json_integer_value(json_object_get(j, "utterance")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "offset")), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "len")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "at_ms")), 15200);
	assert_string_equal(json_string_value(json_object_get(j, "text")), "喂");
	assert_string_equal(json_string_value(json_object_get(j, "better")), "您好！");
	json_decref(j);
	qa_result_free(&r);
	qa_free(e);

	/* A metric's hit has no place in the text. */
	e = compile1("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"rings\"}]}");
	run(e, NULL, "{\"rings\":5}", &r);
	j = qa_hit_json(e, &r.hits[0]);
	assert_true(json_is_null(json_object_get(j, "utterance")));
	assert_true(json_is_null(json_object_get(j, "offset")));
	assert_true(json_is_null(json_object_get(j, "better")));
	assert_string_equal(json_string_value(json_object_get(j, "text")), "5");
	json_decref(j);
	qa_result_free(&r);
	qa_free(e);
}

/* A required phrase not said is a missing hit: no place, the words due. */
static void missing_hit_json(void **state)
{
	struct qa_engine *e = compile1(
		"{\"name\":\"开头语\",\"when\":\"!a\",\"conditions\":[{\"id\":\"a\","
		"\"type\":\"keywords\",\"speaker\":\"agent\",\"position\":{\"from\":\"first\","
		"\"utterances\":1},\"words\":[\"您好\",\"为您服务\"]}]}");
	struct qa_result r;
	json_t *j;

	run(e, "{\"utterances\":[" U("agent", 300, 1000, "喂，说吧") "]}", NULL, &r);
	assert_int_equal(r.nhits, 1);
	assert_int_equal(r.hits[0].missing, 1);
	assert_int_equal(r.hits[0].utterance, -1);
	j = qa_hit_json(e, &r.hits[0]);
	assert_true(json_is_true(json_object_get(j, "missing")));
	assert_true(json_is_null(json_object_get(j, "utterance")));
	assert_true(json_is_null(json_object_get(j, "offset")));
	assert_true(json_is_null(json_object_get(j, "len")));
	assert_string_equal(json_string_value(json_object_get(j, "text")), "您好、为您服务");
	json_decref(j);
	qa_result_free(&r);

	/* Said: no hit; and a said word's hit is not missing. */
	run(e, "{\"utterances\":[" U("agent", 300, 1000, "您好") "]}", NULL, &r);
	assert_int_equal(r.nhits, 0);
	qa_result_free(&r);
	qa_free(e);
	e = compile1(wei_rule);
	run(e, "{\"utterances\":[" U("agent", 0, 1000, "喂") "]}", NULL, &r);
	j = qa_hit_json(e, &r.hits[0]);
	assert_true(json_is_false(json_object_get(j, "missing")));
	json_decref(j);
	qa_result_free(&r);
	qa_free(e);
}

/* ---- the live guidance (CALL-2/4/6/7) ---- */

/* A prompt kefu showed that no answer followed before the same prompt came
 * again (or within within_ms); without answers, the prompt at all. */
static void guide_prompts(void **state)
{
	static const char *speak =
		"{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"guide\","
		"\"prompt\":\"speak\",\"answers\":[\"spoke\"]}]}";
	struct qa_engine *e = compile1(speak);
	struct qa_result r;

	/* Two reminders, the first answered before the second, the second never. */
	run(e, NULL,
	    "{\"events\":[{\"kind\":\"hold\",\"at_ms\":10000},"
	    "{\"kind\":\"speak\",\"at_ms\":25000},{\"kind\":\"spoke\",\"at_ms\":27000},"
	    "{\"kind\":\"speak\",\"at_ms\":40000}]}",
	    &r);
	assert_int_equal(r.nhits, 1);
	assert_hit(&r.hits[0], -1, 0, 0, 40000, "speak");
	qa_result_free(&r);
	/* Every reminder answered. */
	run(e, NULL,
	    "{\"events\":[{\"kind\":\"speak\",\"at_ms\":25000},"
	    "{\"kind\":\"spoke\",\"at_ms\":26000},{\"kind\":\"speak\",\"at_ms\":40000},"
	    "{\"kind\":\"spoke\",\"at_ms\":41000}]}",
	    &r);
	assert_int_equal(r.nhits, 0);
	qa_result_free(&r);
	/* An answer before the prompt does not answer it; no events, no hit. */
	run(e, NULL,
	    "{\"events\":[{\"kind\":\"spoke\",\"at_ms\":1000},"
	    "{\"kind\":\"speak\",\"at_ms\":25000}]}",
	    &r);
	assert_int_equal(r.nhits, 1);
	qa_result_free(&r);
	run(e, NULL, NULL, &r);
	assert_int_equal(r.nhits, 0);
	qa_result_free(&r);
	qa_free(e);

	/* within_ms: the apology 20 s after the prompt is too late for 10 s. */
	e = compile1(
		"{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"guide\","
		"\"prompt\":\"apologize\",\"answers\":[\"apologized\"],\"within_ms\":10000}]}");
	run(e, NULL,
	    "{\"events\":[{\"kind\":\"apologize\",\"at_ms\":0},"
	    "{\"kind\":\"apologized\",\"at_ms\":20000}]}",
	    &r);
	assert_int_equal(r.nhits, 1);
	qa_result_free(&r);
	run(e, NULL,
	    "{\"events\":[{\"kind\":\"apologize\",\"at_ms\":0},"
	    "{\"kind\":\"apologized\",\"at_ms\":10000}]}",
	    &r);
	assert_int_equal(r.nhits, 0);
	qa_result_free(&r);
	qa_free(e);

	/* A warning ignored: the near prompt and the over prompt both came. */
	e = compile1("{\"name\":\"x\",\"when\":\"a && b\",\"conditions\":["
		     "{\"id\":\"a\",\"type\":\"guide\",\"prompt\":\"hold_near\"},"
		     "{\"id\":\"b\",\"type\":\"guide\",\"prompt\":\"hold_over\"}]}");
	run(e, NULL,
	    "{\"events\":[{\"kind\":\"hold_near\",\"at_ms\":100000},"
	    "{\"kind\":\"hold_over\",\"at_ms\":120000}]}",
	    &r);
	assert_int_equal(r.nhits, 2);
	assert_hit(&r.hits[0], -1, 0, 0, 100000, "hold_near");
	assert_hit(&r.hits[1], -1, 0, 0, 120000, "hold_over");
	qa_result_free(&r);
	run(e, NULL, "{\"events\":[{\"kind\":\"hold_near\",\"at_ms\":100000}]}", &r);
	assert_int_equal(r.nhits, 0);
	qa_result_free(&r);
	qa_free(e);

	/* A guide condition needs no words: judged without a transcript. */
	assert_int_equal(matches(speak, NULL, "{\"events\":[{\"kind\":\"speak\",\"at_ms\":1}]}"),
			 1);
}

static void guide_json_errors(void **state)
{
	struct err_info ei = {0};
	json_t *b = json_loads("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"guide\","
			       "\"prompt\":\"Hold "
			       "over\",\"answers\":[\"spoke\",3],\"within_ms\":0,\"words\":[]}]}",
			       0, NULL);

	assert_int_equal(qa_rule_validate(b, &ei), ERR_UNPROCESSABLE);
	assert_true(has_field(&ei, "conditions[0].prompt"));
	assert_true(has_field(&ei, "conditions[0].answers[1]"));
	assert_true(has_field(&ei, "conditions[0].within_ms"));
	assert_true(has_field(&ei, "conditions[0].words"));
	assert_false(has_field(&ei, "conditions[0].answers[0]"));
	json_decref(b);
	memset(&ei, 0, sizeof(ei));
	b = json_loads("{\"name\":\"x\",\"conditions\":[{\"id\":\"a\",\"type\":\"guide\"}]}", 0,
		       NULL);
	assert_int_equal(qa_rule_validate(b, &ei), ERR_UNPROCESSABLE);
	assert_true(has_field(&ei, "conditions[0].prompt"));
	json_decref(b);
}

/* Text that is not UTF-8 reaching the engine directly is refused. */
static void invalid_text(void **state)
{
	struct qa_engine *e = compile1(wei_rule);
	struct qa_utt u = {QA_AGENT, 0, 1000, "\xc3\x28"};
	struct qa_contact c;
	struct qa_result r;

	qa_contact_init(&c, QA_CALL);
	c.nutt = 1;
	c.utt = &u;
	assert_int_equal(qa_run(e, &c, &r), ERR_INVALID);
	assert_int_equal(r.nhits, 0);
	qa_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalises_text),
		cmocka_unit_test(keywords_any_with_exclusion),
		cmocka_unit_test(keywords_modes),
		cmocka_unit_test(speaker_and_positions),
		cmocka_unit_test(traditional_and_offsets),
		cmocka_unit_test(regex_with_exclusion),
		cmocka_unit_test(order_of_conditions),
		cmocka_unit_test(boolean_expressions),
		cmocka_unit_test(silence_and_talk_over),
		cmocka_unit_test(speech_rate),
		cmocka_unit_test(holds),
		cmocka_unit_test(hangup_rings_class_f),
		cmocka_unit_test(consent_before_transfer_and_hold),
		cmocka_unit_test(scoring),
		cmocka_unit_test(no_rules),
		cmocka_unit_test(concurrent_runs),
		cmocka_unit_test(shared_automaton),
		cmocka_unit_test(rule_json_errors),
		cmocka_unit_test(transcript_json_errors),
		cmocka_unit_test(hit_json),
		cmocka_unit_test(invalid_text),
		cmocka_unit_test(missing_hit_json),
		cmocka_unit_test(guide_prompts),
		cmocka_unit_test(guide_json_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
