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
 * traditional characters to simplified (OpenCC's t2s with its phrases,
 * when the text has a traditional character) — with a map from each
 * normalised character back to the
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
 * t2s.json, then only read; OpenCC itself converts, under a lock, only the
 * utterances that have a traditional character (their phrases). Without
 * OpenCC's data files (package libopencc-data) text is matched without
 * that step and qa_t2s_ready() says so.
 *
 * No I/O, no SQL, no HTTP here; the JSON of rules, transcripts and hits is
 * in qa_json.c (jansson), the only file of the engine that knows JSON.
 */
#ifndef KEFU_QA_QA_H
#define KEFU_QA_QA_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "http/http.h" /* struct route, for the route tables */

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
#define QA_DRAFT_MAX                                                                               \
	20000 /* characters of an agent's text checked before sending (a channel's message) */

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

/* Something that happened during the contact, e.g. "transfer" or "hold",
 * or a step of the live guidance (docs/qa.md): kefu's prompt ("apologize",
 * "hold_over") or the agent's answer ("apologized", "spoke"). */
#define QA_EVENT_MAX 23 /* bytes of an event's kind */
struct qa_event {
	char kind[QA_EVENT_MAX + 1];
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

/* A kind's name as in the tables and rules ("call", "chat", "email",
 * "message", "summary") to its enum qa_kind bit, 0 for none; and back
 * (NULL for what is not one kind). */
int qa_kind_parse(const char *name);
const char *qa_kind_name(int kind);

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
	int missing; /* 1: words that should have been said and were not (text: the words) */
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
 * rules. The agents' summaries of contacts (kind summary: the 5W1H and the
 * summary of cust's contact rows) are checked once each by a walk of their
 * own (qa_setting.summary_cursor, migration 38), summary_wait_min after
 * the contact ended (the wrap-up); a guide condition scores the live
 * guidance stored with a call (its "guide" events).
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

/* Puts (or replaces) a contact's transcript, nothing more (the checker's own,
 * written with the check it made from it). */
int qa_transcript_save(struct store *s, const char *kind, int64_t ref_id, const char *source,
		       const char *body, int64_t now);
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
	int missing;	  /* 1: required words not said (text: the words; no place) */
};

struct qa_check_filter {
	int64_t agent_id; /* 0: everyone */
	const char *kind; /* "call", "chat", "email", "message", or NULL: any */
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
/* A stored hit as on the wire (docs/qa.md, "A hit, on the wire"; qa_api.c). */
struct json_t *qa_hit_row_json(const struct qa_hit_row *h);

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
int qa_call_candidates(struct store *s, int64_t cursor, int64_t max_id, int limit, qa_call_fn fn,
		       void *ctx);
int qa_call_max_id(struct store *s, int64_t *out);

/*
 * A resolved conversation of the channels (issue 18: conv and conv_msg,
 * migration 28), read with the checker's own statements as a text
 * contact: the channel decides its kind (chat, email, message).
 */
struct qa_conv_row {
	int64_t id;
	char channel[16];
	int64_t agent_id; /* 0: resolved with no agent (an idle chat closed) */
	int64_t created_at;
	int64_t resolved_at;
	char contact_class[16]; /* the contact it became, its class; "" when none */
};

/* One message of a conversation: the customer's (in) or the agent's (out). */
struct qa_conv_msg {
	int from_agent;
	int64_t at;
	const char *body; /* valid during the callback only */
};

typedef int (*qa_conv_fn)(void *ctx, const struct qa_conv_row *c);
typedef int (*qa_conv_msg_fn)(void *ctx, const struct qa_conv_msg *m);
/* Resolved conversations after (after_at, after_id), in the order they
 * were resolved; at most limit. */
int qa_conv_candidates(struct store *s, int64_t after_at, int64_t after_id, int limit,
		       qa_conv_fn fn, void *ctx);
int qa_conv_get(struct store *s, int64_t id, struct qa_conv_row *out);
/* Its messages in and out (not notes or event lines), in order, at most limit. */
int qa_conv_messages(struct store *s, int64_t conv_id, int limit, qa_conv_msg_fn fn, void *ctx);

/*
 * A contact of the customer record (cust's contact, CALL-10) read with the
 * checker's own statements for its agent's summary (kind summary): the
 * 5W1H fields and the free summary the agent wrote. has_text: any of them
 * is written.
 */
struct qa_summary_row {
	int64_t id;
	int64_t agent_id;
	int64_t started_at;
	int64_t ended_at; /* 0: not ended */
	int64_t call_id;  /* the hotline call it records, 0: none */
	int64_t created_at;
	int has_text;
};

/* One written part of a summary: its field ("when" … "how" of the 5W1H, or
 * "summary") and text. */
struct qa_summary_part {
	const char *field;
	const char *text; /* valid during the callback only */
};

typedef int (*qa_summary_fn)(void *ctx, const struct qa_summary_row *c);
typedef int (*qa_summary_part_fn)(void *ctx, const struct qa_summary_part *p);
/* The contacts after cursor not checked yet, by id; at most limit. *max_id:
 * the newest contact's id before they were read (0: none). */
int qa_summary_candidates(struct store *s, int64_t cursor, int limit, qa_summary_fn fn, void *ctx,
			  int64_t *max_id);
/* The written parts of contact id's summary: the 5W1H in their order, then the summary. */
int qa_summary_parts(struct store *s, int64_t id, qa_summary_part_fn fn, void *ctx);

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
/*
 * An agent's text before it is sent, against the rules in force for a
 * kind of contact ("chat", "email", "message"): *out is {"hits": [...]},
 * each hit's offset and len in characters of the whole text (QA-3).
 */
int qa_check_draft(struct store *s, const char *kind, const char *text, struct json_t **out);
int qa_check_transcript_valid(struct json_t *body, struct err_info *ei, int *n);
int qa_check_test(struct store *s, struct json_t *rule, struct json_t *ids,
		  struct json_t *transcript, struct json_t *facts, struct err_info *ei,
		  struct json_t **out);

extern const struct route qa_routes[];

/* ---- Review (qa_review*.c): scorecards, sampling, assessments, appeals ---- */

/*
 * ==== Review: scorecards, sampling, review, appeals (QA-1, QA-5) ====
 *
 * Scorecards (qa_review_store.c, migration 21). A scorecard template is
 * data: items, each in one of the QA-5 dimensions (attitude 服务态度,
 * quality 服务质量, skill 业务水平, efficiency 工作效率, satisfaction 客户满意度,
 * seed 004 第十条) with a label, max points, a weight and a fatal flag
 * (致命项). Every edit files a new version; an assessment names the version
 * it is scored on, so editing a template never changes an assessment. One
 * template is the default that new assessments use (seeded: 通话质检评分表,
 * from the call rules CALL-3/4/5/10/11 and QA-3/4).
 *
 * Totals (qa_review.c). total = 100 · Σ weight·score/max ÷ Σ weight,
 * rounded half up; a fatal item scored 0 (failed) makes the assessment
 * fatal and its total 0. Every item must be scored before closing.
 *
 * Sampling (qa_review.c pure; qa_review_engine.c the tick). Each local week
 * (Monday 00:00 in the center's time zone) the tick samples the week
 * before, once (qa_sample_run): for each agent, their answered calls of
 * that week, a quota by the plan (regular, or new_hire for agents whose
 * person record was created within new_hire_days before the week's end —
 * kefu has no hire date, the account's creation stands for it): ratio
 * (ceil(n·pct/100)) or count (min(count, n)); calls already assessed that
 * week count towards it; the rest are chosen in an order that depends only
 * on the sampling seed, the week and the call ids (deterministic given now
 * and the seed). Must-review calls are picked as they come (the tick, every
 * minute, over the last 8 days' ended calls): the automatic check was fatal
 * (qa_check.fatal), the contact's order is a complaint (class A1, A2, D or
 * a complaint type) or was escalated, class F (harassment, CALL-7),
 * high-severity automatic hits (qa_check.high > 0), the survey at or under
 * low_survey (CALL-3); the first that applies in that order is the reason.
 * A qa_check row may exist for a call or not.
 *
 * States. An assessment is open (picked), draft (scores saved), closed
 * (the agent sees it, QA-1; appeal_until = closed + appeal_days) or
 * appealed (an appeal pending). An agent appeals a closed assessment
 * within the window (level 1, decided by a supervisor); after that
 * decision again within appeal2_days (level 2, decided by the QA
 * inspector or the manager); the decision upholds the score, changes it
 * (final_score) or rejects the appeal; it returns to closed. Other steps
 * are 409. Everything is audited; the agent is told when an assessment
 * closes and when an appeal is decided, the deciders when an appeal
 * arrives (notify).
 *
 * Who (auth): ACT_QA_REVIEW (the queue, picking, scoring, comments, the
 * scorecards, plans and settings read) for qa, supervisors and the
 * manager; ACT_QA_CONFIG (edit scorecards, plans, settings) for qa and the
 * manager; ACT_QA_READ an assessment (agents: their own closed ones);
 * ACT_QA_APPEAL for agents about themselves (GET /api/me/qa too);
 * ACT_QA_DECIDE (appeals) for supervisors (level 1), qa and the manager
 * (level 2), the level decided by the handler; nobody decides their own.
 */

enum qa_dimension { QD_ATTITUDE, QD_QUALITY, QD_SKILL, QD_EFFICIENCY, QD_SATISFACTION, QD_COUNT };
const char *qa_dimension_name(int d);
int qa_dimension_parse(const char *name); /* -1 if unknown */

#define QA_ITEMS_MAX 40
#define QA_LABEL_MAX 100    /* characters */
#define QA_COMMENT_MAX 2000 /* characters */
#define QA_CARD_NAME_MAX 60 /* characters of a scorecard's name */

struct qa_item {
	int pos; /* 1-based, the order on the form */
	int dimension;
	char label[QA_LABEL_MAX * 4 + 1];
	int max_points; /* 1..100 */
	int weight;	/* 0..100 */
	int fatal;	/* 致命项: scored 0 makes the assessment 0 */
};

/*
 * The total of scores[0..n) (points; -1 unscored) on items[0..n): 0 with
 * *total and *fatal, or ERR_UNPROCESSABLE with *bad the index of the first
 * item unscored or out of 0..max_points.
 */
int qa_total(const struct qa_item *items, size_t n, const int *scores, int *total, int *fatal,
	     size_t *bad);

enum qa_reason {
	QR_NONE = -1,
	QR_SAMPLE,
	QR_NEW_HIRE,
	QR_COMPLAINT,
	QR_ESCALATION,
	QR_CLASS_F,
	QR_LOW_SURVEY,
	QR_HIGH_HITS,
	QR_FATAL_CHECK,
	QR_MANUAL,
	QR_COUNT
};
const char *qa_reason_name(int r);
int qa_reason_parse(const char *name);
/* Must-review reasons come first in the queue. */
int qa_reason_must(int r);

/* What is known about one contact for must-review. */
struct qa_signals {
	int complaint, escalation, class_f;
	int survey; /* 1..5, 0 none */
	int has_check, check_high, check_fatal;
};
/* The must-review reason of a contact, QR_NONE if none; low_survey: survey ≤ it is low. */
int qa_must_reason(const struct qa_signals *sg, int low_survey);

enum qa_plan_mode { QP_RATIO, QP_COUNT };
struct qa_plan {
	int mode;
	int ratio_pct; /* 0..100 */
	int count;     /* 0..1000 */
};
/* How many of n contacts the plan samples: ceil(n·pct/100) or min(count, n). */
size_t qa_sample_quota(const struct qa_plan *p, size_t n);
/*
 * The sample of one agent's week: ids[0..n) the candidates (not assessed),
 * taken the week's contacts already assessed (they count towards the
 * quota of total = n + taken contacts), seed the sampling seed and the
 * week's start. Writes the chosen ids into out (room for n), in the order
 * chosen; returns how many. Deterministic: the same arguments, the same
 * choice, whatever the order of ids.
 */
size_t qa_sample_pick(const int64_t *ids, size_t n, size_t taken, const struct qa_plan *p,
		      uint64_t seed, int64_t week_start, int64_t *out);
/* The start of the local week (Monday 00:00 in the center's time zone) holding t. */
int64_t qa_week_start(int64_t t);
/* 1 when a person created at created_at is a new hire in the week ending week_end. */
int qa_new_hire(int64_t created_at, int64_t week_end, int new_hire_days);

enum qa_step { QS_EDIT, QS_CLOSE, QS_APPEAL, QS_DECIDE };
/*
 * Whether step may be taken on an assessment in state (open, draft,
 * closed, appealed) with `appeals` made and its window appeal_until at
 * now: 0, or ERR_CONFLICT with *why (an English message with a zh-CN
 * entry).
 */
int qa_step_check(const char *state, enum qa_step step, int appeals, int64_t appeal_until,
		  int64_t now, const char **why);
enum qa_decision { QDEC_UPHELD, QDEC_CHANGED, QDEC_REJECTED };
const char *qa_decision_name(int d);
int qa_decision_parse(const char *name);
/* The score after a decision: the new one when changed, else the old one. */
int qa_decided_score(int decision, int old_score, int new_score);

/* ---- Storage (qa_review_store.c) ---- */

struct qa_scorecard {
	int64_t id;
	char name[QA_CARD_NAME_MAX * 4 + 1];
	int version;
	int is_default, active;
	int64_t created_at, updated_at;
	size_t n;
	struct qa_item items[QA_ITEMS_MAX];
};
/* The scorecard with the items of `version` (0: its current one). */
int qa_scorecard_get(struct store *s, int64_t id, int version, struct qa_scorecard *out);
int qa_scorecard_default(struct store *s, struct qa_scorecard *out);
typedef int (*qa_scorecard_fn)(void *ctx, const struct qa_scorecard *c);
int qa_scorecard_list(struct store *s, qa_scorecard_fn fn, void *ctx);
/* Inserts a new scorecard (version 1) or files c's next version; c->version is set. */
int qa_scorecard_insert(struct store *s, struct qa_scorecard *c, int64_t by, int64_t now);
int qa_scorecard_new_version(struct store *s, struct qa_scorecard *c, int64_t by, int64_t now);

int qa_plan_get(struct store *s, const char *code, struct qa_plan *out);
int qa_plan_set(struct store *s, const char *code, const struct qa_plan *p, int64_t now);

struct qa_settings {
	int appeal_days, appeal2_days, new_hire_days, low_survey, must_review;
	int64_t sample_seed;
};
int qa_settings_get(struct store *s, struct qa_settings *out);
int qa_review_setting_set(struct store *s, const char *key, int64_t value, int64_t now);

struct qa_assessment {
	int64_t id;
	char kind[12];
	int64_t ref_id, agent_id, reviewer_id;
	char agent_name[257], agent_work_no[33], reviewer_name[257];
	int64_t scorecard_id;
	int scorecard_version;
	int reason, must;
	int64_t contact_at;
	char state[12];
	int scores[QA_ITEMS_MAX];
	size_t nscores;
	int total; /* -1 none */
	int fatal;
	char comment[QA_COMMENT_MAX * 4 + 1];
	int final_score; /* -1 none */
	int appeals;
	int64_t appeal_until;
	int64_t created_at, updated_at, closed_at;
};
int qa_assessment_get(struct store *s, int64_t id, struct qa_assessment *out);
/* ERR_CONFLICT when the contact has one. */
int qa_assessment_insert(struct store *s, struct qa_assessment *a);
/* Writes reviewer, state, scores, total, fatal, comment, final score, appeals, window, times. */
int qa_assessment_save(struct store *s, const struct qa_assessment *a);
struct qa_assessment_filter {
	int open;	   /* 1: open and draft, must-review first */
	int64_t agent_id;  /* 0: all */
	int64_t not_agent; /* 0: all; else not this agent's (a reviewer's own calls) */
	int closed;	   /* 1: closed and appealed */
	int64_t before;	   /* cursor: id below this; 0: from the newest */
	int limit;
};
typedef int (*qa_assessment_fn)(void *ctx, const struct qa_assessment *a);
int qa_assessment_list(struct store *s, const struct qa_assessment_filter *f, qa_assessment_fn fn,
		       void *ctx);

struct qa_comment {
	int64_t id, assessment_id, at_ms, author_id;
	char author_name[257];
	char text[QA_COMMENT_MAX * 4 + 1];
	int64_t created_at;
};
int qa_comment_insert(struct store *s, struct qa_comment *c);
typedef int (*qa_comment_fn)(void *ctx, const struct qa_comment *c);
int qa_comments(struct store *s, int64_t assessment_id, qa_comment_fn fn, void *ctx);

struct qa_appeal {
	int64_t id, assessment_id;
	int level;
	int64_t agent_id;
	char agent_name[257];
	char reason[QA_COMMENT_MAX * 4 + 1];
	char state[12];
	int old_score;
	int decision;  /* -1 none */
	int new_score; /* -1 none */
	char decision_reason[QA_COMMENT_MAX * 4 + 1];
	int64_t decided_by;
	char decided_name[257];
	int64_t decided_at, created_at;
};
int qa_appeal_get(struct store *s, int64_t id, struct qa_appeal *out);
int qa_appeal_insert(struct store *s, struct qa_appeal *a);
int qa_appeal_save(struct store *s, const struct qa_appeal *a);
typedef int (*qa_appeal_fn)(void *ctx, const struct qa_appeal *a);
/* assessment_id 0: all; pending 1: only pending ones; level 0: any. */
int qa_appeals(struct store *s, int64_t assessment_id, int pending, int level, qa_appeal_fn fn,
	       void *ctx);

/* The call behind a call assessment, for the review page. */
struct qa_review_call {
	int64_t id, started_at, connected_at, ended_at;
	char queue[64], outcome[32], hangup_first[12];
	int survey;
	int64_t recording_ms;
	int has_recording;
	int64_t agent_id, contact_id;
	char contact_class[16];
};
int qa_review_call_get(struct store *s, int64_t id, struct qa_review_call *out);
/* The automatic check, its hits and the transcript of a contact are read
 * with the check's own qa_check_get, qa_hit_list and qa_transcript_get. */

/* Must-review candidates: ended calls with an agent since `since`, not assessed. */
struct qa_candidate {
	int64_t call_id, agent_id, contact_at;
	struct qa_signals sg;
};
typedef int (*qa_candidate_fn)(void *ctx, const struct qa_candidate *c);
int qa_must_candidates(struct store *s, int64_t since, int low_survey, qa_candidate_fn fn,
		       void *ctx);
/* The agents with answered calls in [from, to), and each one's calls. */
typedef int (*qa_id_fn)(void *ctx, int64_t id);
int qa_week_agents(struct store *s, int64_t from, int64_t to, qa_id_fn fn, void *ctx);
/* An agent's calls of the week: *assessed 1 for the ones already assessed. */
typedef int (*qa_week_call_fn)(void *ctx, int64_t call_id, int64_t started_at, int assessed);
int qa_week_calls(struct store *s, int64_t agent_id, int64_t from, int64_t to, qa_week_call_fn fn,
		  void *ctx);
int qa_person_created(struct store *s, int64_t person_id, int64_t *created_at);
/* 1 if the week was sampled; else records it (picked) and returns 0. */
int qa_sample_run_take(struct store *s, int64_t week_start, int64_t now);
int qa_sample_run_picked(struct store *s, int64_t week_start, int picked);
/* Active people holding any of roles, except `except`. */
int qa_people_in_roles(struct store *s, unsigned roles, int64_t except, qa_id_fn fn, void *ctx);

/* ---- The engine (qa_review_engine.c) ---- */

/*
 * Picks one contact for review (the sampling, a must-review reason, or a
 * person by hand) on the default scorecard, in the caller's transaction:
 * 0 with *out, ERR_CONFLICT if assessed, ERR_NOTFOUND without such a call
 * (or no agent on it: ERR_UNPROCESSABLE).
 */
int qa_pick(struct store *s, const char *kind, int64_t ref_id, int reason, int64_t now,
	    struct qa_assessment *out);
/* Tells the agent their assessment closed or their appeal was decided. */
int qa_notify_agent(struct store *s, const struct qa_assessment *a, const char *kind,
		    const char *text, int64_t now);
/* Tells the deciders of an appeal of level that it arrived (not the agent). */
int qa_notify_deciders(struct store *s, const struct qa_assessment *a, int level, int64_t now);
/* The weekly sample of the week before now's, once; returns how many it picked. */
int qa_sample_week(struct store *s, int64_t now);
/* Must-review picks of the last 8 days; returns how many. */
int qa_must_scan(struct store *s, int64_t now);
/* The scheduler's tick (cli/serve.c, every minute): both, each in its own transaction. */
int qa_review_tick(struct store *s, int64_t now, void *arg);

/* ---- HTTP (qa_review_api.c) ---- */

extern const struct route qa_review_routes[];

/* ==== Reports (qa_report.c, qa_report_store.c, qa_report_api.c, qa_report_xlsx.c) ====
 *
 * The daily quality-anomaly report (质量异常分析日报表, QA-2) and the
 * agents' weekly, biweekly and monthly figures with the month's service
 * star (QA-5, CB-3). docs/qa.md, "Reports", defines every figure.
 *
 * How it works. The figures are computed from rows, never stored while
 * they can still change: qa_report_store.c reads the automatic checks
 * (qa_check) of a range of the center's days and their hits (qa_hit), and
 * qa_report.c (pure: no I/O, no JSON, no clock) turns them into the day's
 * figures (checks, average score, fatal checks, hits by rule, the agents
 * with the most high-severity hits, the lowest-scoring contacts) or into
 * one row per agent. The survey (CALL-3) and the center's callbacks (CB-3)
 * are read through src/report/, the daily callback report's own queries;
 * the supervisors' closed reviews (QA-1) by one function of the store file
 * from the review's table (migration 21).
 * A day's report is a draft (its figures computed each time it is read)
 * until the supervisor sends it: then the figures are frozen as JSON in
 * qa_daily (migration 23), the texts become read-only and the managers are
 * notified. Days and periods are the center's (clock.h's zone).
 *
 * Periods (QA-5): a week is Monday to Sunday; a biweekly period is two
 * such weeks counted from Monday 2024-01-01 (so every other Monday starts
 * one); a month is the calendar month. Each has a previous period of the
 * same kind for the trend.
 *
 * The month's service star: among agents with at least QA_STAR_MIN_CHECKS
 * checked contacts and no fatal check in the month, the highest combined
 * score = (0.6·Q + 0.3·S + 0.1·C) / (the weights of the parts present),
 * Q the average automatic score, S the survey average × 20, C the share of
 * reached callbacks accepted × 100 (S and C absent when there is no rating
 * or no reached callback); ties go to more checks, then the lower id.
 */

struct export_book;

#define QA_REPORT_TOP 10      /* rules, agents and contacts listed in a day's report */
#define QA_AGENT_TOP_RULES 3  /* rules listed per agent */
#define QA_STAR_MIN_CHECKS 10 /* checked contacts in the month to be the star */
#define QA_TEXT_MAX 4000      /* characters of each text of the daily report */

enum qa_period { QA_WEEK, QA_BIWEEK, QA_MONTH };

/* "week", "biweek", "month" → the period; -1 if unknown. */
int qa_period_parse(const char *name);
const char *qa_period_name(enum qa_period p);

/* A period as the center's local days, inclusive (YYYYMMDD). */
struct qa_period_days {
	int from, to;
	int prev_from, prev_to;
};
/* The period of kind p that holds the date ymd; ERR_INVALID for no date. */
int qa_period_of(enum qa_period p, int ymd, struct qa_period_days *out);
/* Date arithmetic on YYYYMMDD: the date n days later (n may be negative),
 * and the weekday (1 Monday .. 7 Sunday). */
int qa_ymd_add(int ymd, int n);
int qa_ymd_weekday(int ymd);

/* One automatic check as the reports read it. */
struct qa_rep_check {
	int64_t id, ref_id, agent_id, contact_at;
	char kind[12];
	int score, fatal, hits, high, transcript;
};

/* One hit as the reports read it, with the agent of its check. */
struct qa_rep_hit {
	int64_t check_id, rule_id, agent_id;
	int high, fatal;
};

/* A rule's hits in a range. */
struct qa_rule_tally {
	int64_t rule_id;
	int64_t hits, checks, high, fatal; /* checks: contacts it hit */
};

/* An agent's checks in a range. */
struct qa_agent_count {
	int64_t agent_id;
	int64_t checks, score_sum, fatal, hits, high;
};

/* The figures of one day drawn from its checks and hits. */
struct qa_day_figures {
	int64_t checks, transcribed, score_sum, fatal, with_hits, hits, high;
	struct qa_rule_tally rules[QA_REPORT_TOP];
	int nrules;
	struct qa_agent_count agents[QA_REPORT_TOP]; /* with hits, most high first */
	int nagents;
	struct qa_rep_check lowest[QA_REPORT_TOP];
	int nlowest;
};

/*
 * The day's figures from all its checks and all their hits (any order;
 * the arrays are sorted in place). ERR_NOMEM, or 0.
 */
int qa_day_figures_make(struct qa_rep_check *checks, size_t nchecks, struct qa_rep_hit *hits,
			size_t nhits, struct qa_day_figures *out);

/* One agent's row of a period (QA-5). */
struct qa_agent_row {
	int64_t agent_id;
	char work_no[33];
	char name[257];
	struct qa_agent_count now, prev; /* this period and the previous one */
	struct qa_rule_tally top[QA_AGENT_TOP_RULES];
	int ntop;
	char top_text[400]; /* the top rules in words, for the spreadsheet (filled by the caller) */
	int64_t rated, rating_sum;	      /* the survey (CALL-3) */
	int64_t cb_accepted, cb_not_accepted; /* reached callbacks (CB-3) */
	int64_t cb_attempts;
	int64_t reviews, review_sum; /* the supervisors' closed reviews (QA-1), when kept */
	int eligible;		     /* may be the month's star */
	double combined;	     /* the star's score, when there are checks */
	int has_combined;
	int star;
};

/*
 * Fills rows' QA figures (now, prev, top) from the period's checks and hits
 * and the previous period's checks; rows must be sorted by agent_id and
 * hold every agent the checks name (others are ignored). Sorts the arrays
 * in place. ERR_NOMEM, or 0.
 */
int qa_agent_rows_fill(struct qa_agent_row *rows, size_t nrows, struct qa_rep_check *checks,
		       size_t nchecks, struct qa_rep_hit *hits, size_t nhits,
		       struct qa_rep_check *prev, size_t nprev);
/* The combined score of a row (see above); 0 and *ok = 0 without checks. */
double qa_star_score(const struct qa_agent_row *r, int *ok);
/* Scores every row, marks the eligible ones and the star; returns the
 * star's index, or -1 when nobody is eligible. */
int qa_star_pick(struct qa_agent_row *rows, size_t n);

/* qa_report_store.c */
/* Per agent over [start, end) by the contact's time: the automatic checks and
 * the sum of their scores, in agent id order (the agents' work statistics of
 * report/, issue 20, through the hook cli registers); returns how many rows. */
int qa_agent_scores(struct store *s, int64_t start, int64_t end,
		    int (*row)(void *ctx, int64_t agent_id, int64_t checks, double score_sum),
		    void *ctx);
int qa_rep_checks_load(struct store *s, int64_t start, int64_t end, int64_t agent_id,
		       struct qa_rep_check **out, size_t *n);
int qa_rep_hits_load(struct store *s, int64_t start, int64_t end, int64_t agent_id,
		     struct qa_rep_hit **out, size_t *n);

struct qa_rule_name {
	int64_t id;
	char code[65];
	char name[257];
};
/* The rules' codes and names, by id. */
int qa_rule_name_get(struct store *s, int64_t id, struct qa_rule_name *out);

/* The daily report's row (migration 23). */
struct qa_daily {
	int64_t id;
	char day[11];
	char state[8]; /* "draft" or "sent" */
	char *figures; /* sent: the snapshot (JSON); NULL for a draft */
	char *anomaly, *causes, *measures;
	int64_t author_id;
	char author_name[257];
	char *sent_to; /* JSON array of ids, or NULL */
	int64_t sent_at, created_at, updated_at;
};
void qa_daily_free(struct qa_daily *d);
/* The row of a day; ERR_NOTFOUND when none was written. */
int qa_daily_get(struct store *s, const char *day, struct qa_daily *out);
/* Writes the texts of a draft (creating it); in the caller's transaction. */
int qa_daily_save(struct store *s, const char *day, const char *anomaly, const char *causes,
		  const char *measures, int64_t author_id, int64_t now);
/* Marks the day's draft sent with the figures and recipients. */
int qa_daily_mark_sent(struct store *s, const char *day, const char *figures, const char *sent_to,
		       int64_t author_id, int64_t now);
/* The rows of days from..to (YYYY-MM-DD), newest first; state NULL: any. */
int qa_daily_list(struct store *s, const char *from, const char *to, const char *state,
		  int (*row)(void *ctx, const struct qa_daily *d), void *ctx);
/* The active people with role bits, by id, into ids (at most max). */
int qa_people_with_role(struct store *s, unsigned roles, int64_t *ids, int max);
/* The period's agent rows (active agents and whoever the checks name),
 * sorted by id, with the survey, callbacks and reviews filled; agent_id >
 * 0: only that agent. */
int qa_agent_rows_load(struct store *s, int64_t start, int64_t end, int64_t agent_id,
		       struct qa_agent_row **out, size_t *n);

/* qa_report_xlsx.c: the per-agent table as a spreadsheet. */
int qa_agents_xlsx(const struct qa_agent_row *rows, size_t n, const char *title,
		   const char *subtitle, const char *made_by, const char *made_on, int english,
		   struct export_book **out);

/* qa_report_api.c */
extern const struct route qa_report_routes[];

/* ==== end of Reports ==== */

/* 质量异常分析日报表 in the center's registry (qa_report_api.c; issue 20): one day. */
struct export_form;
extern const struct export_form qa_daily_form;

#endif
