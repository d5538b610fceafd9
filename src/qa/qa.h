/*
 * qa — quality inspection (质检, issue 15; docs/qa.md): every contact — each
 * call with its transcript and compliance metrics, each chat, email,
 * message and agent's summary — checked automatically against the center's
 * rules (QA-3, QA-4, CALL-2..8, CALL-11), scored, sampled for review with a
 * scorecard, appealed and reported (QA-1, QA-2, QA-5). This one header is
 * the folder's; each part has its own section below, the rule engine's
 * first.
 *
 * The rule engine (qa.c, qa_text.c, qa_json.c). Rules are data: a rule's
 * JSON (docs/qa.md) names conditions — keywords, regular expressions, the
 * order of two conditions, and the call's metrics (rings, holds, who hung
 * up, dead air, talk-over, speech rate, class F, consent before a hold or
 * transfer) — and a boolean expression over them. qa_compile turns the
 * current versions of a set of rules into one immutable engine: each rule
 * parsed and validated, its expression compiled once into a small tree,
 * its regular expressions compiled by PCRE2 (UTF mode, JIT when the
 * machine has it), and every keyword, exclusion and consent phrase of
 * every rule in one Aho–Corasick automaton (qa_text.c: our own, over
 * Unicode code points). qa_run checks one contact (struct qa_contact: its
 * kind, its utterances, the call's facts) against the engine: each
 * utterance's text is normalised once — NFKC and case folding (utf8proc),
 * traditional characters to simplified (OpenCC's t2s data, character by
 * character) — with a map from each normalised character back to the
 * original ones, so every hit points into the text as it was posted; the
 * automaton walks each utterance once and its matches are handed to the
 * conditions that asked for them; then each rule whose kinds include the
 * contact's kind is evaluated, conditions on demand (short-circuit), and a
 * rule that matches reports the hits of the conditions that made it true.
 * The score is 100 plus the score of every rule that matched, each rule
 * once per contact, kept within 0..100; a fatal rule that matched makes it
 * 0.
 *
 * Threads: a compiled engine is never changed, so any number of threads
 * may run contacts against one engine at once (each qa_run has its own
 * scratch, and PCRE2's match data is per run). The traditional →
 * simplified table is built once per process (pthread_once) from OpenCC's
 * t2s.json, then only read; OpenCC itself is not used after that. Without
 * OpenCC's data files (package libopencc-data) text is matched without
 * that step and qa_t2s_ready() says so.
 *
 * No I/O, no SQL, no HTTP here; the JSON of rules, transcripts and hits is
 * in qa_json.c (jansson), the only file of the engine that knows JSON.
 */
#ifndef KEFU_QA_QA_H
#define KEFU_QA_QA_H

#include <stdint.h>

#include "core/err.h"

/* ---- The rule engine (qa.c, qa_text.c, qa_json.c) ---- */

struct json_t;

/* Limits of what is checked (docs/qa.md). */
#define QA_UTT_MAX 5000	      /* utterances of one transcript */
#define QA_UTT_CHARS_MAX 2000 /* characters of one utterance */
#define QA_RULE_CONDS_MAX 32  /* conditions of one rule */
#define QA_WORDS_MAX 500      /* words of one keyword list */
#define QA_WORD_CHARS_MAX 100 /* characters of one word or phrase */
#define QA_PATTERN_MAX 500    /* bytes of a regular expression */
#define QA_WHEN_MAX 500	      /* bytes of a rule's expression */
#define QA_NAME_MAX 100	      /* characters of a rule's name */
#define QA_BETTER_MAX 500     /* characters of the better wording */
#define QA_ID_MAX 31	      /* bytes of a condition's id */

enum qa_speaker { QA_ANY = 0, QA_AGENT = 1, QA_CUSTOMER = 2 };

/* A contact's kinds, as in the tables (qa_check.kind). */
enum qa_kind { QA_CALL = 1, QA_CHAT = 2, QA_EMAIL = 4, QA_MESSAGE = 8, QA_SUMMARY = 16 };
#define QA_KINDS_ALL 31

enum qa_severity { QA_LOW = 0, QA_MEDIUM = 1, QA_HIGH = 2 };

/* One utterance: who spoke, when (ms from the start of the recording or
 * of the conversation), and the text as posted (UTF-8). */
struct qa_utt {
	int speaker; /* QA_AGENT or QA_CUSTOMER */
	int64_t start_ms, end_ms;
	const char *text;
};

/* A span of the call: a hold (by QA_AGENT or QA_CUSTOMER: whose phone
 * held), a stretch of dead air or of talk-over (by is not used). */
struct qa_span {
	int64_t start_ms, len_ms;
	int by;
};

/* Something that happened during the contact, e.g. "transfer" or "hold". */
struct qa_event {
	char kind[16];
	int64_t at_ms;
};

enum qa_hangup {
	QA_HANGUP_UNKNOWN = 0,
	QA_HANGUP_AGENT = 1,
	QA_HANGUP_CUSTOMER = 2,
	QA_HANGUP_SYSTEM = 3
};

/*
 * What is checked of one contact. The caller owns every array and string;
 * qa_run only reads them. Times are ms on the recording's clock (a text
 * channel's: from the conversation's start). The facts are the call's
 * compliance metrics (docs/sip.md, docs/recording.md); -1 (rings, talk_ms,
 * end_ms) or a NULL list with its count -1 (dead_air, talk_over) means not
 * known, and conditions needing it then do not match (dead air and
 * talk-over fall back to what the utterances' times show).
 */
struct qa_contact {
	int kind; /* enum qa_kind */
	int nutt;
	const struct qa_utt *utt; /* in order of start_ms */
	int rings;		  /* CALL-2, -1 unknown */
	int nholds;
	const struct qa_span *holds; /* CALL-4 */
	int hangup;		     /* enum qa_hangup, CALL-5 */
	int64_t end_ms;		     /* when the conversation ended, -1 unknown */
	int ntalk_over;		     /* -1: not measured */
	const struct qa_span *talk_over;
	int ndead_air; /* -1: not measured */
	const struct qa_span *dead_air;
	int64_t talk_ms;       /* the conversation's length, -1 unknown */
	char contact_class[4]; /* the contact's class ("F": harassment, CALL-7), "" unknown */
	int nevents;
	const struct qa_event *events;
};

/* An empty contact of a kind: every fact unknown, no utterances. */
void qa_contact_init(struct qa_contact *c, int kind);

/* One rule of a set to compile: its row and the body of its current
 * version (JSON text, docs/qa.md). */
struct qa_rule_src {
	int64_t id;
	const char *code;
	int version;
	const char *body;
};

/* What a compiled rule tells about itself (qa_rule_info). */
struct qa_rule_info {
	int64_t id;
	const char *code;
	int version;
	const char *name;
	const char *dimension; /* attitude, quality, skill, efficiency, satisfaction */
	int severity;	       /* enum qa_severity */
	int score;
	int fatal;
	int kinds; /* enum qa_kind bits */
};

struct qa_engine;

/* One hit: the rule (index into the engine's rules), where (utterance
 * index and character offset and length in its original text; -1 and 0
 * for a metric or an absence), when in the recording (-1: not tied to a
 * time), the words matched or what a metric measured, the better wording
 * (the rule's, owned by the engine; NULL when none). */
struct qa_hit {
	int rule;
	int utterance;
	int offset, len;
	int64_t at_ms;
	char *text;
	const char *better;
};

/* A contact's result. score 0..100; fatal when a fatal rule matched;
 * high is the number of hits of high severity; matched the rules that
 * matched. */
struct qa_result {
	int nhits, cap;
	struct qa_hit *hits;
	int score;
	int fatal;
	int high;
	int matched;
};

/*
 * Compiles n rules into one engine (*out; qa_free it). A broken body is
 * reported in ei with the rule's position and path ("rules[2].conditions[0]
 * .pattern") and nothing is compiled: ERR_UNPROCESSABLE, ERR_NOMEM.
 */
int qa_compile(const struct qa_rule_src *rules, int n, struct qa_engine **out, struct err_info *ei);
void qa_free(struct qa_engine *e);
int qa_rule_count(const struct qa_engine *e);
/* The rule at index i, 0 <= i < qa_rule_count. */
void qa_rule_info(const struct qa_engine *e, int i, struct qa_rule_info *info);

/*
 * Checks one contact: fills r (qa_result_free it; r is overwritten) with
 * the hits in order of rule, then time in the recording, utterance and
 * offset (the same place twice is one hit), the score, fatal and counts.
 * Rules whose kinds do not include the contact's are skipped, and so are
 * rules with a condition on the words (keywords, regex, order, consent)
 * when the contact has no utterances: a call without a transcript is
 * judged on its metrics alone.
 * 0, ERR_NOMEM, ERR_INVALID (an utterance's text not valid UTF-8).
 */
int qa_run(const struct qa_engine *e, const struct qa_contact *c, struct qa_result *r);
void qa_result_free(struct qa_result *r);

/*
 * Validates a rule's body (JSON, docs/qa.md) as the API receives it: every
 * broken field is reported with err_add and its path ("conditions[1]
 * .pattern", "when"); 0 or ERR_UNPROCESSABLE (ERR_INVALID when it is not
 * an object). The same checks qa_compile makes.
 */
int qa_rule_validate(const struct json_t *body, struct err_info *ei);

/*
 * A transcript's body ({"utterances": [...]}, docs/qa.md) into c's
 * utterances: speaker, times (end_ms >= start_ms, in order of start_ms),
 * text (UTF-8, no more than QA_UTT_CHARS_MAX characters), at most
 * QA_UTT_MAX utterances. The texts point into body, so body must outlive
 * c's use; *utts is allocated (free it). Broken fields are reported with
 * err_add ("utterances[3].end_ms"): ERR_UNPROCESSABLE, ERR_INVALID when
 * the body is not an object with an array of utterances.
 */
int qa_transcript_parse(const struct json_t *body, struct qa_contact *c, struct qa_utt **utts,
			struct err_info *ei);

/*
 * A call's compliance metrics (the keys of docs/sip.md and
 * docs/recording.md: rings, holds, hangup_first, talk_ms, dead_air,
 * talk_over, plus class, end_ms and events [{kind, at_ms}]) into c's facts.
 * The lists are allocated in *store (free it with qa_facts_free); absent
 * keys stay unknown. Never fails on odd values: they are skipped.
 */
struct qa_facts_store {
	struct qa_span *spans;
	struct qa_event *events;
};
int qa_facts_parse(const struct json_t *metrics, struct qa_contact *c,
		   struct qa_facts_store *store);
void qa_facts_free(struct qa_facts_store *store);

/* One hit as on the wire (docs/qa.md, "A hit, on the wire"); NULL when out of memory. */
struct json_t *qa_hit_json(const struct qa_engine *e, const struct qa_hit *h);

/* 1 when traditional characters are turned into simplified ones (OpenCC's
 * data was found), 0 when not. */
int qa_t2s_ready(void);

/*
 * The engine's normalisation of a text, for tests and the rule editor's
 * preview: NFKC, case folded, traditional to simplified, as UTF-8 in out
 * (truncated to size). 0 or ERR_INVALID (not UTF-8).
 */
int qa_normalise(const char *text, char *out, int size);

#endif
