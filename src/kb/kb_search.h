/*
 * kb_search — the knowledge base's search (issue 16): what an agent types
 * on the desk finds the published articles and scripts they may read.
 *
 * The index: kb_fts (migration 24, tokenizer kefu_cjk, rowid = article id)
 * holds each article's published version only: title, body as plain text,
 * tags joined by spaces, and initials: the pinyin initials of the title's
 * and tags' Chinese characters as every run of 2 to KB_INITIALS_MAX letters
 * (退款申请 gives tk ks sq tks ksq tksq), so "tk" finds 退款 anywhere in a
 * title or tag with one exact term lookup. The initials come from the
 * Unihan database's first Mandarin reading (mk/pinyin.sh, build/gen/).
 *
 * A query is split into terms at spaces, punctuation and where Chinese
 * meets Latin ("app闪退" is app, 闪退). Every term must match (AND); a term
 * matches through any of its synonyms (the center's groups, kb_synonym:
 * 退钱 → 退款 返款, also inside a longer term), and a term of 2 to
 * KB_INITIALS_MAX Latin letters also as pinyin initials. One- and
 * two-character Chinese words are found by kefu_cjk's character and pair
 * tokens. Ranking: bm25 (title weighted above tags above body), raised
 * when the title itself matches, by use and by helpful votes.
 *
 * Who sees what: agents only published articles (state not retired) whose
 * roles and departments include theirs; editors (kb.edit) every published
 * one. Filters: the class, complaint type and channel an article applies
 * to (kb_applies), and its kind. Every search is logged (kb_search_log),
 * search-as-you-type refinements folded into one row; the report lists
 * the searches that found nothing.
 *
 * The lead folds this header into kb.h at merge.
 */
#ifndef KEFU_KB_KB_SEARCH_H
#define KEFU_KB_KB_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "http/http.h" /* struct route, for the route table */

struct store;

/* --- Rules (kb_search.c): pure, no I/O. --- */

#define KB_QUERY_TERMS 8   /* terms of a query beyond these are ignored */
#define KB_TERM_MAX 96	   /* bytes of one term, with its NUL */
#define KB_VARIANTS 8	   /* a term and its synonyms */
#define KB_INITIALS_MAX 8  /* longest run of pinyin initials indexed and matched */
#define KB_QUERY_BYTES 256 /* longest query taken */

/* The first letter of the first Mandarin reading of a Chinese character
 * ('a'..'z'), or 0 (not in U+3400..U+9FFF, or no reading). */
int kb_pinyin_initial(unsigned cp);

/* The index's initials column for text: each run of Chinese characters
 * with readings gives every run of 2..KB_INITIALS_MAX consecutive
 * initials, space-separated, appended to out. */
int kb_initials_material(const char *text, struct buf *out);

struct kb_term {
	char text[KB_TERM_MAX]; /* lower-cased Latin, or Chinese */
	int cjk;		/* has Chinese characters */
	int initials;		/* 2..KB_INITIALS_MAX Latin letters: may be pinyin initials */
	int nvariants;		/* the term itself first, then its synonyms */
	char variants[KB_VARIANTS][KB_TERM_MAX];
};

struct kb_query {
	struct kb_term terms[KB_QUERY_TERMS];
	int n;
};

/* Splits a typed query into terms (variants: the term alone). 0, or
 * ERR_NOTFOUND when nothing searchable is left. */
int kb_query_parse(const char *typed, struct kb_query *q);

/* The center's synonyms: words and the group each belongs to. */
struct kb_synonym {
	char word[64];
	int64_t group;
};

/* Adds each term's synonyms as variants: the longest word of a group found
 * in the term is replaced by each other word of its group. */
void kb_query_expand(struct kb_query *q, const struct kb_synonym *syn, size_t n);

/* The FTS5 MATCH expression of a query: every term (AND), each an OR of its
 * variants as phrases and, for initials, the initials term. */
int kb_query_match(const struct kb_query *q, struct buf *out);

/* Appends text HTML-escaped with <mark>…</mark> around every match of the
 * query's variants (ASCII case-insensitive) and initials runs. Returns the
 * number of marks. */
int kb_highlight(const char *text, size_t len, const struct kb_query *q, struct buf *out);

/* A piece of about max characters of text around its first match (or its
 * start), highlighted, with … where it was cut. */
int kb_snippet(const char *text, const struct kb_query *q, size_t max, struct buf *out);

/* The combined score: bm25 (FTS5's, negative: better is lower) turned
 * into relevance, raised by a match in the title, by uses and by helpful
 * votes (Laplace-smoothed share). Higher is better. */
double kb_rank(double bm25, int title_hit, int64_t helpful, int64_t unhelpful, int64_t uses);

/* Replaces {center}, {agent_no} and {agent_name} in text. */
int kb_search_fill(const char *text, const char *center, const char *agent_no,
		   const char *agent_name, struct buf *out);

/* Markdown to plain text (the index) and to safe HTML (cmark's safe mode:
 * raw HTML and javascript: links dropped). */
int kb_search_plain(const char *md, struct buf *out);
int kb_search_html(const char *md, struct buf *out);

/* Synonym groups as sent: validates words (1..32 characters, no word
 * twice); 0 or ERR_INVALID with why. */
int kb_synonym_word_ok(const char *w, const char **why);

/* --- Store (kb_search_store.c). --- */

/* Writes the article's published version into kb_fts, or removes it when
 * it has none or is retired. Inside the caller's transaction. */
int kb_search_index(struct store *s, int64_t article_id);
int kb_search_unindex(struct store *s, int64_t article_id);
/* Indexes every published article when kb_fts is empty and some exist
 * (first start after the upgrade, a restore); the number indexed. */
int kb_search_reindex_all(struct store *s);

/* Who is searching: visibility applies unless all is set (editors). */
struct kb_viewer {
	int all;
	int64_t person_id;
	int64_t department_id;
	const char *roles[8]; /* role names, NULL-ended */
};

struct kb_search_filter {
	const char *class_code, *complaint, *channel, *kind; /* NULL: any */
};

struct kb_hit {
	int64_t id;
	char kind[16];
	char slot[24];
	double bm25, score;
	int64_t helpful, unhelpful, uses;
	int head;	 /* every term in the title, tags or initials, or the title matched */
	char title[512]; /* the published title */
};

/* The synonyms, by group, each in the order it was given; n set. Caller frees *out. */
int kb_synonyms_load(struct store *s, struct kb_synonym **out, size_t *n);
/* Replaces every group by these words (inside the caller's transaction). */
int kb_synonyms_replace(struct store *s, const struct kb_synonym *syn, size_t n);

/* Searches bounded whatever the number of matches: up to max matches of
 * match (or, with match NULL, visible articles the filter fits, most used
 * first). The newest max / 2 matches; when there are more, also the newest
 * whose title, tags or initials hold every term. *total counts the
 * visible matches, up to KB_SEARCH_COUNT_MAX. */
#define KB_SEARCH_COUNT_MAX 200
int kb_search_run(struct store *s, const char *match, const struct kb_viewer *v,
		  const struct kb_search_filter *f, struct kb_hit *hits, int max, int *n,
		  int *total);
/* The indexed title and body (body NULL: the title alone) of an article. */
int kb_search_text(struct store *s, int64_t id, struct buf *title, struct buf *body);
/* Logs a search; a refinement of the same person's search within a minute
 * (its query a prefix of this one) replaces it. */
int kb_search_log(struct store *s, int64_t person_id, const char *query, int results, int64_t now);
/* One use: the counter, and the person's last search in 10 minutes gets
 * the article. ERR_NOTFOUND when the viewer may not see it. */
int kb_search_use(struct store *s, int64_t id, const struct kb_viewer *v, int64_t now,
		  int64_t *uses);

/* The desk's suggestions (json_t arrays appended to): the opening and
 * closing scripts (those for the channel, or for any), the scripts and
 * articles of the complaint type and the class, placeholders untouched. */
int kb_suggest_scripts(struct store *s, const struct kb_viewer *v, const char *class_code,
		       const char *complaint, const char *channel, void *items,
		       int (*row)(void *items, int64_t id, const char *slot, const char *title,
				  const char *body));
int kb_suggest_articles(struct store *s, const struct kb_viewer *v, const char *class_code,
			const char *complaint, void *items,
			int (*row)(void *items, int64_t id, const char *title, const char *body));

/* The report (GET /api/kb/report) over [from, to) in UTC ms, today the
 * local day YYYY-MM-DD for staleness: a JSON object, new reference. */
int kb_search_report(struct store *s, int64_t from, int64_t to, const char *today, json_t **out);

/* --- HTTP (kb_search_api.c). --- */

/* GET /api/kb/search's answer without the request (also bench/kb.c): the
 * best matches (at most limit) as JSON items, re-ranked from the best 100
 * by bm25, and the number of visible matches. typed NULL or blank: what
 * the filter fits. */
int kb_search_answer(struct store *s, const char *typed, const struct kb_viewer *v,
		     const struct kb_search_filter *f, int limit, json_t **items, int *total);

extern const struct route kb_search_routes[];

#endif
