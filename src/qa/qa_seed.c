/*
 * The rules kefu ships (docs/qa.md, "Seeded rules"), written at migrate
 * and init, each once by its code, so a center's edits and switches are
 * never overwritten and a later kefu adds only the rules it newly ships.
 *
 * QA-3: one keywords rule on the agent's words for every line of
 * forbidden-phrases.tsv (the spec's list, copied beside this file and
 * compiled into the program by mk/embed.sh as kefu_qa_phrases_tsv), in the
 * file's order as qa3.001, qa3.002, …, with the line's better wording.
 * QA-4: 您 not 你. CALL-2..8, CALL-11 and the recording's dead air and
 * talk-over: the metric and wording rules below.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "qa/qa.h"
#include "store/store.h"

extern const char kefu_qa_phrases_tsv[];
extern const unsigned long kefu_qa_phrases_tsv_len;

/*
 * The phrases that insult or defy the customer outright: a fatal item
 * (致命项), the call scores 0. The others deduct.
 */
static const char *const fatal_phrases[] = {
	"长耳朵干嘛使", "有本事你去告我", "我就是这种态度",
	"别烦我",	"烦死人",	  "有意见，找领导提去",
};

/*
 * Words that contain a phrase without being it (a hit inside one does not
 * count): 喂 in 喂养, 行吗 in 银行吗, a polite 不知道您…, 如有不明白的地方.
 */
static const struct {
	const char *phrase;
	const char *exclude[6];
} excludes[] = {
	{"喂", {"喂养", "喂食"}},
	{"成吗", {"完成吗", "变成吗", "造成吗", "赞成吗"}},
	{"行吗", {"银行吗", "进行吗", "执行吗", "可行吗", "运行吗", "办理行吗"}},
	{"不知道", {"不知道您", "您不知道"}},
	{"不清楚", {"不清楚的地方", "有不清楚"}},
	{"不明白", {"不明白的地方", "有不明白"}},
	{"无聊", {"无聊天"}},
};

/* QA-4 wording: 一般是 and 应该是 are uncertain answers, in the list too. */
static int uncertain(const char *phrase)
{
	return strcmp(phrase, "一般是") == 0 || strcmp(phrase, "应该是") == 0;
}

static int is_fatal(const char *phrase)
{
	for (size_t i = 0; i < sizeof(fatal_phrases) / sizeof(fatal_phrases[0]); i++)
		if (strcmp(phrase, fatal_phrases[i]) == 0)
			return 1;
	return 0;
}

static json_t *exclude_list(const char *phrase)
{
	json_t *a = json_array();

	for (size_t i = 0; i < sizeof(excludes) / sizeof(excludes[0]); i++)
		if (strcmp(excludes[i].phrase, phrase) == 0)
			for (size_t j = 0; j < 6 && excludes[i].exclude[j]; j++)
				json_array_append_new(a, json_string(excludes[i].exclude[j]));
	return a;
}

/* Writes one rule unless its code is there; 1 when added. Steals body. */
static int add(struct store *s, const char *code, json_t *body, int64_t now)
{
	int64_t id;
	char *text;
	int rc = store_run(s, "SELECT 1 FROM qa_rule WHERE code = ?", NULL, "t", code);

	if (rc != 0) {
		json_decref(body);
		return rc < 0 ? rc : 0;
	}
	text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (!text) {
		json_decref(body);
		return ERR_NOMEM;
	}
	rc = qa_rule_create(s, code, json_string_value(json_object_get(body, "name")), text, 1, 1,
			    0, now, &id);
	free(text);
	json_decref(body);
	return rc < 0 ? rc : 1;
}

/* One line of the TSV: phrase, kind (forbidden | discouraged), better, source. */
static int phrase_rule(struct store *s, int n, char *line, int64_t now)
{
	char *f[4] = {0};
	char code[32], name[QA_ROW_NAME_MAX + 1];
	int i = 0, fatal;
	json_t *cond, *body;
	const char *better;

	for (char *p = line; i < 4 && p; i++) {
		f[i] = p;
		p = strchr(p, '\t');
		if (p)
			*p++ = '\0';
	}
	if (i < 3 || !*f[0])
		return 0;
	fatal = is_fatal(f[0]);
	snprintf(code, sizeof(code), "qa3.%03d", n);
	snprintf(name, sizeof(name), "%s：%s",
		 uncertain(f[0])		    ? "不确定答复"
		 : strcmp(f[1], "discouraged") == 0 ? "服务忌语"
						    : "服务禁语",
		 f[0]);
	/* "(give a definite answer)" and "(omit)" are advice, not wording. */
	better = f[2][0] == '(' ? "" : f[2];
	cond = json_pack("{s:s, s:s, s:s, s:s, s:[s], s:o}", "id", "a", "type", "keywords",
			 "speaker", "agent", "mode", "any", "words", f[0], "exclude",
			 exclude_list(f[0]));
	if (cond && *better)
		json_object_set_new(cond, "better", json_string(better));
	body = json_pack("{s:s, s:s, s:s, s:i, s:b, s:s, s:[o]}", "name", name, "dimension",
			 uncertain(f[0]) ? "quality" : "attitude", "severity",
			 fatal				    ? "high"
			 : strcmp(f[1], "discouraged") == 0 ? "low"
							    : "high",
			 "score",
			 fatal				    ? -10
			 : strcmp(f[1], "discouraged") == 0 ? -1
							    : -5,
			 "fatal", fatal, "when", "a", "conditions", cond);
	return body ? add(s, code, body, now) : ERR_NOMEM;
}

static int phrases(struct store *s, int64_t now, int *added)
{
	char *copy = strndup(kefu_qa_phrases_tsv, kefu_qa_phrases_tsv_len), *save = NULL;
	int n = 0, rc = 0, first = 1;

	if (!copy)
		return ERR_NOMEM;
	for (char *line = strtok_r(copy, "\n", &save); line && rc >= 0;
	     line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, "\r")] = '\0';
		if (first) { /* the header line */
			first = 0;
			continue;
		}
		if (!*line)
			continue;
		rc = phrase_rule(s, ++n, line, now);
		if (rc > 0)
			*added += rc;
	}
	free(copy);
	return rc < 0 ? rc : 0;
}

/* A rule body from its parts; conditions is stolen. */
static json_t *rule(const char *name, const char *dimension, const char *severity, int score,
		    const char *when, json_t *conditions)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:b, s:s, s:o}", "name", name, "dimension",
			 dimension, "severity", severity, "score", score, "fatal", 0, "when", when,
			 "conditions", conditions);
}

static json_t *first_agent(const char *id, int n, json_t *words)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:i}, s:o}", "id", id, "type", "keywords",
			 "speaker", "agent", "mode", "any", "position", "from", "first",
			 "utterances", n, "words", words);
}

static json_t *last_agent(const char *id, int n, json_t *words)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:i}, s:o}", "id", id, "type", "keywords",
			 "speaker", "agent", "mode", "any", "position", "from", "last",
			 "utterances", n, "words", words);
}

/*
 * A condition on the live guidance: a prompt kefu showed (step) that none
 * of the answers followed; answers NULL: the prompt at all.
 */
static json_t *guide(const char *id, const char *prompt, json_t *answers)
{
	json_t *c = json_pack("{s:s, s:s, s:s}", "id", id, "type", "guide", "prompt", prompt);

	if (c && answers)
		json_object_set_new(c, "answers", answers);
	return c;
}

static int others(struct store *s, int64_t now, int *added)
{
	struct {
		const char *code;
		json_t *body;
	} r[] = {
		/* QA-4: 您 not 你; 你们 (several people) and 迷你 are other words. */
		{"qa4.nin",
		 rule("称呼用“您”", "attitude", "medium", -2, "a",
		      json_pack("[{s:s, s:s, s:s, s:s, s:[s], s:[s, s], s:s}]", "id", "a", "type",
				"keywords", "speaker", "agent", "mode", "any", "words", "你",
				"exclude", "你们", "迷你", "better", "您"))},
		/* CALL-3: the opening in the agent's first words, the closing in their last. */
		{"call3.opening",
		 rule("开头语不规范", "quality", "medium", -3, "!(a && b)",
		      json_pack("[o, o]", first_agent("a", 1, json_pack("[s]", "您好")),
				first_agent("b", 1, json_pack("[s]", "为您服务"))))},
		{"call3.closing",
		 rule("结束语不规范", "quality", "medium", -3, "!(a && b && c)",
		      json_pack("[o, o, o]",
				last_agent("a", 3, json_pack("[s, s]", "还有什么", "其他")),
				last_agent("b", 3, json_pack("[s, s]", "感谢", "谢谢")),
				last_agent("c", 3, json_pack("[s]", "评价"))))},
		/* CALL-2: answered after more than 3 rings, and no apology in the first words. */
		{"call2.late_apology",
		 rule("接听超时未致歉", "attitude", "medium", -2, "a && !b",
		      json_pack("[{s:s, s:s, s:i}, o]", "id", "a", "type", "rings", "over", 3,
				first_agent("b", 2,
					    json_pack("[s, s, s]", "抱歉", "对不起", "久等"))))},
		/* CALL-4: speak to the customer every 15 s of a hold; 2 min in all at most. */
		{"call4.hold_silent", rule("保持超过15秒未与客户沟通", "skill", "medium", -2, "a",
					   json_pack("[{s:s, s:s, s:i}]", "id", "a", "type",
						     "hold_silent", "over_ms", 15000))},
		{"call4.hold_total", rule("保持总时长超过2分钟", "efficiency", "medium", -2, "a",
					  json_pack("[{s:s, s:s, s:i}]", "id", "a", "type",
						    "hold_total", "over_ms", 120000))},
		/* CALL-5: the customer hangs up first; the agent after 5 s of silence. */
		{"call5.hangup_first", rule("坐席先于客户挂机", "attitude", "high", -5, "a",
					    json_pack("[{s:s, s:s, s:i}]", "id", "a", "type",
						      "agent_hung_up_first", "allow_ms", 5000))},
		/* CALL-7: a harassment call (class F) ends within 10 minutes. */
		{"call7.class_f", rule("骚扰电话超过10分钟", "efficiency", "low", -1, "a",
				       json_pack("[{s:s, s:s, s:i}]", "id", "a", "type",
						 "class_f_over", "minutes", 10))},
		/* CALL-8: hold and transfer only after asking the customer. */
		{"call8.hold_consent",
		 rule("保持前未征得客户同意", "skill", "medium", -2, "a",
		      json_pack("[{s:s, s:s, s:s, s:i, s:[s, s, s, s]}]", "id", "a", "type",
				"consent", "event", "hold", "utterances", 2, "phrases", "稍等",
				"稍候", "可以吗", "好吗"))},
		{"call8.transfer_consent",
		 rule("转接前未征得客户同意", "skill", "medium", -2, "a",
		      json_pack("[{s:s, s:s, s:s, s:i, s:[s, s, s]}]", "id", "a", "type", "consent",
				"event", "transfer", "utterances", 2, "phrases", "转接", "可以吗",
				"好吗"))},
		/* The live guidance stored with the call (call_guide*.c): whether the
		 * agent followed the prompts. CALL-2: the apology prompt of a late
		 * answer, not answered. */
		{"call2.guide_apology",
		 rule("迟接提示后未致歉", "attitude", "medium", -2, "a",
		      json_pack("[o]", guide("a", "apologize", json_pack("[s]", "apologized"))))},
		/* CALL-4: a reminder to speak during a hold not followed before the next one. */
		{"call4.guide_speak",
		 rule("保持中未按提示与客户说话", "attitude", "low", -1, "a",
		      json_pack("[o]", guide("a", "speak", json_pack("[s]", "spoke"))))},
		/* CALL-4: warned at 100 s of hold, and the holds still passed 2 min. */
		{"call4.guide_hold_warning",
		 rule("保持超时提醒后仍超过2分钟", "efficiency", "medium", -2, "a && b",
		      json_pack("[o, o]", guide("a", "hold_near", NULL),
				guide("b", "hold_over", NULL)))},
		/* CALL-4: a look-up past 60 s: the promised callback never proposed. */
		{"call4.guide_callback",
		 rule("查询超时未处理回呼建议", "skill", "low", -1, "a",
		      json_pack("[o]", guide("a", "callback",
					     json_pack("[s, s]", "callback_accepted",
						       "callback_declined"))))},
		/* CALL-6: the silent-call steps not followed (greet again, say goodbye). */
		{"call6.guide_silent",
		 rule("静音来电未按步骤处理", "skill", "low", -1, "a || b",
		      json_pack("[o, o]",
				guide("a", "greet_again",
				      json_pack("[s, s, s]", "greeted_again", "goodbye_said",
						"caller_spoke")),
				guide("b", "goodbye",
				      json_pack("[s, s]", "goodbye_said", "caller_spoke"))))},
		/* CALL-7: warned at 8 min of a class-F call, and it passed 10 min. */
		{"call7.guide_limit",
		 rule("F类来电限时提醒后仍超过10分钟", "efficiency", "medium", -2, "a && b",
		      json_pack("[o, o]", guide("a", "limit_near", NULL),
				guide("b", "limit_over", NULL)))},
		/* CALL-11: about 150 characters a minute; under 100 slow, over 200 fast. */
		{"call11.speech_rate",
		 rule("语速过快或过慢", "skill", "low", -1, "a",
		      json_pack("[{s:s, s:s, s:s, s:i, s:i}]", "id", "a", "type", "speech_rate",
				"speaker", "agent", "min", 100, "max", 200))},
		/* The recording's measures (recording.md): interrupting the customer,
		 * and both sides silent over 5 s. */
		{"call.talk_over", rule("抢话（打断客户）", "attitude", "low", -1, "a",
					json_pack("[{s:s, s:s, s:i}]", "id", "a", "type",
						  "talk_over", "over_ms", 800))},
		{"call.dead_air", rule("通话静默超过5秒", "efficiency", "low", -1, "a",
				       json_pack("[{s:s, s:s, s:i}]", "id", "a", "type", "silence",
						 "over_ms", 5000))},
	};
	size_t n = sizeof(r) / sizeof(r[0]), i;
	int rc = 0;

	for (i = 0; i < n && rc >= 0; i++) {
		if (!r[i].body) {
			rc = ERR_NOMEM;
			break;
		}
		/* The calls (kinds) a metric rule applies to: every rule here is a call's. */
		json_object_set_new(r[i].body, "kinds", json_pack("[s]", "call"));
		rc = add(s, r[i].code, r[i].body, now);
		r[i].body = NULL;
		if (rc > 0)
			*added += rc;
	}
	for (; i < n; i++)
		json_decref(r[i].body);
	return rc < 0 ? rc : 0;
}

int qa_seed(struct store *s, int64_t now)
{
	int added = 0, rc = store_begin(s);

	if (rc < 0)
		return rc;
	rc = phrases(s, now, &added);
	if (rc == 0)
		rc = others(s, now, &added);
	if (rc < 0) {
		store_rollback(s);
		log_error("qa: cannot seed the rules (%d)", rc);
		return rc;
	}
	rc = store_commit(s);
	return rc < 0 ? rc : added;
}
