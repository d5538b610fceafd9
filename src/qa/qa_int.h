/*
 * qa_int — what the rule engine's files share and nothing else includes:
 * the normalised text with its map back to the original, the Aho–Corasick
 * automaton, and the compiled rules.
 */
#ifndef KEFU_QA_QA_INT_H
#define KEFU_QA_QA_INT_H

#include <stdint.h>

#include "qa/qa.h"

/* ---- normalised text (qa_text.c) ---- */

/*
 * One text normalised: n code points (cp), each with the original
 * characters it came from [ostart, oend) (NFKC may turn one character into
 * several, or a letter and its combining marks into one), the UTF-8 of the
 * normalised text (u8, boff[i] the byte offset of code point i, boff[n] the
 * length) for PCRE2, and the byte offset of each original character
 * (obyte[0..olen]) to cut the original words out.
 */
struct qa_text {
	const char *orig;
	int n, cap;
	uint32_t *cp;
	int *ostart, *oend;
	int *boff;
	char *u8;
	int u8cap;
	int olen, ocap;
	int *obyte;
	int trad; /* while normalising: a character has a simplified form */
};

/* Normalises s into t (reusing t's buffers); 0, ERR_INVALID, ERR_NOMEM. */
int qa_text_norm(struct qa_text *t, const char *s);
void qa_text_free(struct qa_text *t);
/* The index of the normalised code point at byte b of t->u8. */
int qa_text_cp_at(const struct qa_text *t, int b);

/* ---- Aho–Corasick (qa_text.c) ---- */

struct qa_ac;

/* An automaton being built: add patterns (normalised code points), then
 * qa_ac_build. Each distinct pattern gets one id, returned by qa_ac_add
 * (the same string twice gives the same id). */
struct qa_ac *qa_ac_new(void);
int qa_ac_add(struct qa_ac *a, const uint32_t *cp, int n);
int qa_ac_build(struct qa_ac *a);
void qa_ac_free(struct qa_ac *a);
int qa_ac_npatterns(const struct qa_ac *a);
int qa_ac_pattern_len(const struct qa_ac *a, int id);

/* Calls fn for every occurrence of every pattern in cp[0..n): its id and
 * [start, end) in code points. Returns fn's first non-zero answer. */
int qa_ac_scan(const struct qa_ac *a, const uint32_t *cp, int n,
	       int (*fn)(void *arg, int id, int start, int end), void *arg);

/* ---- compiled rules (qa.c, built by qa_json.c) ---- */

enum qa_ctype {
	QA_C_KEYWORDS,
	QA_C_REGEX,
	QA_C_ORDER,
	QA_C_SILENCE,
	QA_C_SPEECH_RATE,
	QA_C_TALK_OVER,
	QA_C_HOLD_SILENT,
	QA_C_HOLD_TOTAL,
	QA_C_HANGUP,
	QA_C_RINGS,
	QA_C_CLASS_F,
	QA_C_CONSENT,
	QA_C_GUIDE,
};

enum qa_mode { QA_M_ANY, QA_M_ALL, QA_M_NONE, QA_M_N_OF };
enum qa_pos { QA_P_ALL, QA_P_FIRST, QA_P_LAST };
enum qa_rel { QA_R_BEFORE, QA_R_AFTER, QA_R_WITHIN };

/* A pattern of the automaton as one condition uses it. */
enum qa_role { QA_W_WORD, QA_W_EXCLUDE, QA_W_PHRASE };
struct qa_ref {
	int cond; /* global index into the engine's conditions */
	int role;
	int word; /* index in the condition's list */
};

struct qa_cond {
	char id[QA_ID_MAX + 1];
	int type;
	int rule;
	int speaker;
	int pos_from; /* enum qa_pos */
	int pos_utts;
	int64_t pos_ms;
	int mode, n;
	int nwords;
	char **words; /* as written, for absence hits; guide: the answers */
	char *better;
	void *re, *re_ex;     /* pcre2_code */
	int order_x, order_y; /* global condition indexes */
	int relation, order_utts;
	int64_t over_ms, allow_ms, min_speech_ms;
	int over, minutes;
	double rate_min, rate_max;    /* 0: no bound */
	char event[QA_EVENT_MAX + 1]; /* consent's event, guide's prompt */
	int nphrases;
	int64_t within_ms; /* guide: the answer's time limit, 0: until the next prompt */
};

/* The expression of a rule: a tree in an array, the root at index root. */
enum qa_op { QA_OP_COND, QA_OP_NOT, QA_OP_AND, QA_OP_OR };
struct qa_node {
	int op;
	int a, b; /* children, or for QA_OP_COND a = the global condition */
};

struct qa_rule {
	int64_t id;
	char *code;
	int version;
	char *name;
	char *dimension;
	int severity, score, fatal, kinds;
	int needs_text;	  /* a condition reads the words: not judged without a transcript */
	int cond0, ncond; /* its conditions: engine conds[cond0 .. cond0+ncond) */
	int node0, nnode, root;
};

struct qa_engine {
	int nrules;
	struct qa_rule *rules;
	int nconds;
	struct qa_cond *conds;
	int nnodes;
	struct qa_node *nodes;
	struct qa_ac *ac;
	int nrefs;
	struct qa_ref *refs; /* sorted by pattern: refs of pattern p are ref0[p] .. ref0[p+1] */
	int *ref0;
};

/* qa.c: frees what a condition owns. */
void qa_cond_free(struct qa_cond *c);

/* Grows the array *p of size-byte elements, capacity *cap, to hold need
 * (qa_text.c): 0 or ERR_NOMEM, *p unchanged then. */
int qa_grow(void **p, int *cap, int need, size_t size);

#endif
