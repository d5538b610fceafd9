/*
 * qa — quality inspection (质检, issue 15): every contact checked against
 * the center's rules (QA-1..5, CALL-2..8, CALL-11), docs/qa.md.
 *
 * This header is shared by the parts of the module; each part keeps its
 * declarations together in its own section below.
 */
#ifndef KEFU_QA_QA_H
#define KEFU_QA_QA_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

struct err_info;
struct json_t;
struct req;
struct route;
struct store;

/* ==== The automatic check: rules as data, transcripts, checks (qa_store.c,
 * qa_engine.c, qa_api.c, qa_seed.c) ====
 *
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
 * agent: their own), ACT_QA_RULE_WRITE (qa, manager: rules, the test box),
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
