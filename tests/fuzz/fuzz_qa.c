/*
 * Quality-check rules and transcripts (src/qa/qa_json.c, qa.c, qa_engine.c):
 * the input as a JSON request body {"rule": {...}, "utterances": [...],
 * "metrics": {...}} (a body without "rule" is the rule itself), as the rule
 * editor and the test box send it. The rule is validated as the API does
 * and compiled (keywords, regular expressions through PCRE2, order,
 * silence and the other conditions); the transcript and the call's metrics
 * are parsed, and the compiled rule is run on them with each hit written
 * as on the wire.
 */
#include <jansson.h>

#include "core/err.h"
#include "fuzz/fuzz.h"
#include "qa/qa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	json_t *rule;
	struct err_info ei = {0};
	struct qa_contact c;
	struct qa_utt *utts = NULL;
	struct qa_facts_store facts = {0};
	struct qa_engine *e = NULL;
	char *text = NULL;
	int n;

	if (!body)
		return 0;
	rule = json_object_get(body, "rule");
	if (!rule)
		rule = body;
	(void)qa_rule_validate(rule, &ei);
	memset(&ei, 0, sizeof(ei));
	(void)qa_check_rule_valid(rule, &ei);
	memset(&ei, 0, sizeof(ei));
	(void)qa_check_transcript_valid(body, &ei, &n);
	text = json_dumps(rule, JSON_COMPACT);
	if (text) {
		const struct qa_rule_src src = {.id = 1, .code = "R1", .version = 1, .body = text};

		memset(&ei, 0, sizeof(ei));
		(void)qa_compile(&src, 1, &e, &ei);
	}
	qa_contact_init(&c, QA_CALL);
	memset(&ei, 0, sizeof(ei));
	if (qa_transcript_parse(body, &c, &utts, &ei) == 0) {
		json_t *metrics = json_object_get(body, "metrics");

		if (metrics)
			(void)qa_facts_parse(metrics, &c, &facts);
		if (e) {
			struct qa_result r = {0};

			if (qa_run(e, &c, &r) == 0)
				for (int i = 0; i < r.nhits; i++)
					json_decref(qa_hit_json(e, &r.hits[i]));
			qa_result_free(&r);
		}
	}
	qa_facts_free(&facts);
	free(utts);
	qa_free(e);
	free(text);
	json_decref(body);
	return 0;
}
