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

/* ---- The automatic check: rules as data, transcripts, checks (qa_store.c,
 * qa_engine.c, qa_api.c, qa_seed.c) ---- */

#include <stddef.h>

#include "core/buf.h"
#include "http/http.h"

struct store;

/*
 * The rules live in qa_rule and qa_rule_version (migration 20): a change of
 * a rule's body writes a new version and bumps qa_rule.version; a check
 * names the versions it used, so a change never rescores what was checked
 * (QA-3, QA-4). The seeded rules (qa_seed.c: the forbidden phrases of QA-3
 * from forbidden-phrases.tsv, QA-4's wording, CALL-2..8 and CALL-11's
 * metrics) are written at migrate and init, each once by its code.
 *
 * The checker (qa_tick, every round of the scheduler) checks 100 % of the
 * answered calls: a call is ready when it ended and its recording is linked
 * (or it ended recording_wait_min minutes ago without one). It walks the
 * call log from a cursor (qa_setting.call_cursor: every call up to it is
 * checked or was never answered), a bounded batch per tick, so its cost
 * follows the calls since the oldest call not yet ready, never the size of
 * the table. A transcript posted or replaced queues its contact in
 * qa_recheck, redone by the next tick with the rules in force then. The
 * compiled rule set of the active rules is built once and rebuilt when a
 * rule changes (a generation read from the rule table, plus a counter the
 * API bumps). A call without transcript is still checked by its metric
 * rules.
 *
 * Who may: ACT_QA_CHECK_READ (manager, supervisor, qa: every check; an
 * agent: their own), ACT_QA_RULE_WRITE (qa, supervisor, manager: rules, the test box),
 * ACT_QA_TRANSCRIPT (qa, admin: a center's own ASR posts transcripts).
 */

#define QA_ROW_CODE_MAX 64
#define QA_ROW_NAME_MAX 256

struct qa_rule_row {
	int64_t id;
	char code[QA_ROW_CODE_MAX + 1];
	char name[QA_ROW_NAME_MAX + 1];
	int active;
	int version;
	int seeded;
	int64_t created_at;
	int64_t updated_at;
	struct buf body; /* the current version's JSON; the caller releases it */
};

struct qa_version_row {
	int version;
	int64_t created_by; /* 0: kefu (a seed) */
	char created_by_name[QA_ROW_NAME_MAX + 1];
	int64_t created_at;
	struct buf body; /* the caller releases it */
};

typedef int (*qa_rule_fn)(void *ctx, const struct qa_rule_row *r);
typedef int (*qa_version_fn)(void *ctx, const struct qa_version_row *v);

/* Every rule with its current body, by id; active_only for the checker. */
int qa_rule_list(struct store *s, int active_only, qa_rule_fn fn, void *ctx);
/* One rule with its current body; ERR_NOTFOUND. */
int qa_rule_get(struct store *s, int64_t id, struct qa_rule_row *out);
/* A version's body into out (appended); ERR_NOTFOUND. */
int qa_rule_version_body(struct store *s, int64_t id, int version, struct buf *out);
/* A new rule at version 1; ERR_CONFLICT when the code is taken. by 0: kefu. */
int qa_rule_create(struct store *s, const char *code, const char *name, const char *body,
		   int active, int seeded, int64_t by, int64_t now, int64_t *id);
/* A new version of rule id with body; its number into *version. */
int qa_rule_change(struct store *s, int64_t id, const char *name, const char *body, int64_t by,
		   int64_t now, int *version);
int qa_rule_set_active(struct store *s, int64_t id, int active, int64_t now);
/* The versions of a rule, newest first. */
int qa_rule_versions(struct store *s, int64_t id, qa_version_fn fn, void *ctx);
/* What changes when any rule changes: its count, versions, switches and last change. */
int qa_rule_generation(struct store *s, int64_t *out);

struct qa_transcript_row {
	int64_t id;
	char kind[16];
	int64_t ref_id;
	char source[129];
	int64_t created_at;
	struct buf body; /* the caller releases it */
};

/* Puts (or replaces) a contact's transcript and queues its recheck; *replaced 1 when
 * one was there. */
int qa_transcript_put(struct store *s, const char *kind, int64_t ref_id, const char *source,
		      const char *body, int64_t now, int *replaced);
/* ERR_NOTFOUND when the contact has none. */
int qa_transcript_get(struct store *s, const char *kind, int64_t ref_id,
		      struct qa_transcript_row *out);

struct qa_check_row {
	int64_t id;
	char kind[16];
	int64_t ref_id;
	int64_t agent_id; /* 0: none */
	char agent_work_no[33];
	char agent_name[QA_ROW_NAME_MAX + 1];
	int64_t contact_at;
	int64_t checked_at;
	int transcript;
	int score;
	int fatal;
	int hits;
	int high;
};

struct qa_hit_row {
	int64_t id;
	int64_t rule_id;
	char rule_code[QA_ROW_CODE_MAX + 1];
	char rule_name[QA_ROW_NAME_MAX + 1];
	int rule_version;
	char severity[8];
	int score;
	int fatal;
	int utterance;	 /* -1: not about an utterance (a metric) */
	int char_offset; /* -1 with utterance */
	int char_len;
	int64_t at_ms; /* -1: no time in the recording */
	char text[512];
	char better[512]; /* "" : none */
};

struct qa_check_filter {
	int64_t agent_id; /* 0: everyone */
	int64_t from, to; /* contact_at in [from, to); 0: open */
	int max_score;	  /* -1: any */
	int fatal;	  /* -1: any, 0, 1 */
	int64_t rule_id;  /* 0: any; else checks with a hit of this rule */
	int64_t cursor;	  /* ids below it; 0: from the newest */
	int limit;
};

typedef int (*qa_check_fn)(void *ctx, const struct qa_check_row *c);
typedef int (*qa_hit_fn)(void *ctx, const struct qa_hit_row *h);

/*
 * Puts a contact's check (c->kind, c->ref_id) with its hits in place of the
 * one before, keeping its id (reviews point at it); the hits' rule_id,
 * rule_version, severity, score, fatal, position, text and better are
 * written. In the caller's transaction. Sets c->id.
 */
int qa_check_replace(struct store *s, struct qa_check_row *c, const struct qa_hit_row *hits,
		     size_t n);
/* Newest first; returns how many rows fn saw. */
int qa_check_list(struct store *s, const struct qa_check_filter *f, qa_check_fn fn, void *ctx);
int qa_check_get(struct store *s, const char *kind, int64_t ref_id, struct qa_check_row *out);
/* The hits of a check with their rules' code and name, in order of time. */
int qa_hit_list(struct store *s, int64_t check_id, qa_hit_fn fn, void *ctx);

/* The call's facts the checker reads from the call log (migration 5). */
struct qa_call_row {
	int64_t id;
	int64_t agent_id;
	int64_t started_at;
	int64_t connected_at; /* 0: never answered */
	int64_t ended_at;     /* 0: still going */
	int64_t contact_id;
	int has_recording;
	int64_t recording_ms;
	char contact_class[16]; /* the contact's class, "" when none */
	struct buf metrics;	/* the call's metrics JSON, "" when none; caller releases */
};

struct qa_call_event {
	int64_t at;
	char kind[32];
	const char *detail; /* valid during the callback only */
};

typedef int (*qa_event_fn)(void *ctx, const struct qa_call_event *e);

int qa_call_get(struct store *s, int64_t id, struct qa_call_row *out);
/* The call's events (holds, transfers, …) in order. */
int qa_call_events(struct store *s, int64_t call_id, qa_event_fn fn, void *ctx);
/*
 * The calls after cursor and up to max_id that may need a check, by id: those
 * still going (they hold the cursor) and the answered ones not checked yet.
 * At most limit. fn sees each row (metrics not read).
 */
typedef int (*qa_call_fn)(void *ctx, const struct qa_call_row *c);
int qa_call_candidates(struct store *s, int64_t cursor, int64_t max_id, int limit,
		       qa_call_fn fn, void *ctx);
int qa_call_max_id(struct store *s, int64_t *out);

/* qa_setting (migration 22): ERR_NOTFOUND for an unknown key. */
int qa_setting_get(struct store *s, const char *key, int64_t *out);
int qa_setting_set(struct store *s, const char *key, int64_t value);

/* The queue of contacts to check again (a transcript came). */
struct qa_recheck_row {
	char kind[16];
	int64_t ref_id;
	int64_t queued_at;
};
typedef int (*qa_recheck_fn)(void *ctx, const struct qa_recheck_row *r);
int qa_recheck_list(struct store *s, int limit, qa_recheck_fn fn, void *ctx);
int qa_recheck_done(struct store *s, const char *kind, int64_t ref_id, int64_t queued_at);

/* Seeds (qa_seed.c): the rules kefu ships, each once by its code; how many were added. */
int qa_seed(struct store *s, int64_t now);

/* The checker (qa_engine.c). */
/* The scheduler's tick: checks what is ready at now; how many contacts it checked. */
int qa_tick(struct store *s, int64_t now, void *arg);
/* Tells the checker that a rule changed (the API, after its commit). */
void qa_rules_changed(void);
/* Checks one call now with the rules in force; in its own transaction. */
int qa_check_call(struct store *s, int64_t call_id, int64_t now);
/* The API's use of the engine (qa_engine.c): a rule's body and a
 * transcript validated (each broken field with err_add, named body.<path>
 * and utterances[i].<field>), and the test box: the rule sent or the rules
 * named, run on the transcript (utterances, or lines "坐席: …" / "客户: …")
 * and the facts given; *out is {"hits": [...], "score", "fatal"}. */
int qa_check_rule_valid(struct json_t *body, struct err_info *ei);
int qa_check_transcript_valid(struct json_t *body, struct err_info *ei, int *n);
int qa_check_test(struct store *s, struct json_t *rule, struct json_t *ids,
		  struct json_t *transcript, struct json_t *facts, struct err_info *ei,
		  struct json_t **out);

extern const struct route qa_routes[];

#endif
