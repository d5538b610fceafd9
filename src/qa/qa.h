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
 * from the review's table, when it exists.
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

#include <stddef.h>

#include "http/http.h"

struct store;
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
	int64_t rated, rating_sum;	     /* the survey (CALL-3) */
	int64_t cb_accepted, cb_not_accepted; /* reached callbacks (CB-3) */
	int64_t cb_attempts;
	int64_t reviews, review_sum; /* the supervisors' closed reviews (QA-1), when kept */
	int eligible;	 /* may be the month's star */
	double combined; /* the star's score, when there are checks */
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
int qa_daily_mark_sent(struct store *s, const char *day, const char *figures,
		       const char *sent_to, int64_t author_id, int64_t now);
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

#endif
