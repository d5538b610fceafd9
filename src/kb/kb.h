/*
 * kb — the knowledge base and scripts (知识库, 话术; issue 16): the center's
 * one answer (WO-10's unified reply wording), at the agent's hand during the
 * call (CALL-3, CALL-9, CB-2, CUST-5), kept current by the center and fed by
 * closed cases (WO-9).
 *
 * What is stored (migration 24). An article (kind "article") or a script
 * (kind "script", with a slot: opening, closing, complaint, outbound,
 * callback, addressing, forbidden, other) is one kb_article row; every save
 * of its content is a new kb_version row (title, Markdown body, tags, what
 * it applies to: classes, complaint types, channels, a note, the author).
 * kb_article.version is the newest version, kb_article.title its title (for
 * editors' lists), published_version the one agents read.
 *
 * The workflow of the working copy (kb.c, kb_transition):
 *
 *	draft --submit--> review --approve--> published --retire--> retired
 *	  ^                 |                                          |
 *	  +-----reject------+        restore (back to draft)  <--------+
 *
 * submit takes ACT_KB_EDIT, approve, reject (with a comment), retire and
 * restore take ACT_KB_REVIEW. A save that changes the content (title, body,
 * tags, applies) of a published, retired or in-review article makes a new
 * version in state draft: agents keep reading published_version until the
 * new one is approved. A save of the article's settings alone (category,
 * owner, review date, visibility) makes no version and keeps the state.
 * Retiring takes the article from agents (published_version becomes null,
 * its versions stay); restoring puts it back in draft, to be approved
 * again. Every transition is a kb_event and an audit entry.
 *
 * Visibility (kb_visible): editors (ACT_KB_EDIT) see every article in every
 * state; readers (ACT_KB_READ only: agents, staff ...) see an article only
 * while it has a published version, and only when its roles (names; none =
 * everyone) include one of theirs and its departments (ids; none =
 * everyone) include theirs. Anything else is 404 to them, never 403, so a
 * reader cannot learn what exists. A reader always gets the published
 * version, never a draft.
 *
 * The body is Markdown, rendered on the server by libcmark in its safe mode
 * (kb_md.c): raw HTML is dropped and javascript:, vbscript:, file: and data:
 * (but images) links are emptied; that is the sanitising. Answers carry
 * body (Markdown) and body_html. Scripts hold placeholders ({center},
 * {agent_no}, {agent_name}) filled for the reader (kb_fill); the stored text
 * keeps them.
 *
 * kb_applies holds the published version's classes, complaint types and
 * channels (rewritten on approve, cleared on retire): the desk's lookup.
 * The full-text index kb_fts holds the published version only:
 * kb_search_index on approve, kb_search_unindex on retire (owned by the
 * search part, kb_search_store.c).
 *
 * Attachments (images, PDF) of an article go to att's content-addressed
 * file store (att/att.h: the type sniffed from the content, never the
 * name), their rows in kb_attachment; a file's bytes are removed when no
 * row of attachment or kb_attachment keeps them.
 *
 * Files: kb.c (rules, no I/O), kb_md.c (Markdown), kb_store.c (SQL),
 * kb_api.c (HTTP: /api/kb/articles*, /api/kb/categories*,
 * /api/kb/attachments/{id}); the search (kb_search.c rules,
 * kb_search_store.c, kb_search_api.c: /api/kb/search, /suggest, /synonyms,
 * /report, /articles/{id}/use); the scripts kefu ships, documents and cases
 * (kb-scripts.md, kb_seed.c, kb_seed_store.c, kb_case.c, kb_case_store.c,
 * kb_case_api.c: /api/kb/cases*, /import, /export.xlsx,
 * /articles/{id}/export.md; kb_xlsx.c reads an imported workbook). Each
 * part's declarations follow below under its own heading.
 */
#ifndef KEFU_KB_KB_H
#define KEFU_KB_KB_H

#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/buf.h"
#include "core/err.h"
#include "http/http.h" /* struct route, for the route table */

struct store;

#define KB_TITLE_MAX 200       /* characters */
#define KB_BODY_MAX 200000     /* bytes of Markdown */
#define KB_TAGS_MAX 20	       /* tags of a version */
#define KB_TAG_MAX 32	       /* characters of a tag */
#define KB_NOTE_MAX 500	       /* characters of a version's note */
#define KB_COMMENT_MAX 1000    /* characters of a workflow comment or feedback */
#define KB_CATEGORY_MAX 64     /* characters of a category's name */
#define KB_DEPTS_MAX 32	       /* departments an article may be limited to */
#define KB_APPLIES_MAX 64      /* codes of each kind in applies */
#define KB_SOURCE_MAX 256      /* bytes of source */
#define KB_DIFF_LINES_MAX 4000 /* lines of each side the line diff compares */

/* Rules (kb.c, no I/O). */

/* "article" or "script": 1 if known. */
int kb_kind_valid(const char *kind);
/* A script's slot (opening, closing, complaint, outbound, callback,
 * addressing, forbidden, other): 1 if known. */
int kb_slot_valid(const char *slot);
/* A work order's class (A1 A2 B C D E F, ROUTE-1): 1 if known. */
int kb_class_valid(const char *code);
/* draft, review, published, retired: 1 if known. */
int kb_state_valid(const char *state);
/* YYYY-MM-DD of the calendar: 1 if so; *ymd = YYYYMMDD. */
int kb_date_parse(const char *s, int *ymd);
/* 1 when review_due (YYYY-MM-DD, may be NULL or "") lies before today
 * (the center's local day holding now). */
int kb_stale(const char *review_due, int64_t now);
/* A line of text of 1..max characters, valid UTF-8, no control characters
 * (newlines only when multiline): 0, or ERR_INVALID with *why. */
int kb_text_valid(const char *s, size_t max, int multiline, const char **why);

enum kb_op { KB_SUBMIT, KB_APPROVE, KB_REJECT, KB_RETIRE, KB_RESTORE };

/* "submit", "approve", ... into op: 0, or ERR_NOTFOUND. */
int kb_op_parse(const char *name, enum kb_op *op);
const char *kb_op_name(enum kb_op op);
/* The kb_event action of an op: "submitted", "approved", ... */
const char *kb_op_event(enum kb_op op);
/* The permission an op takes. */
enum auth_action kb_op_action(enum kb_op op);
/* The state op leads to from state, or NULL when op cannot be made there. */
const char *kb_transition(const char *state, enum kb_op op);
/* The state after a save of new content in state (always "draft"). */
const char *kb_state_after_edit(const char *state);

/* Who may read what. roles: bits of enum auth_role (0: everyone);
 * departments: ids (n 0: everyone). */
struct kb_audience {
	unsigned roles;
	int64_t departments[KB_DEPTS_MAX];
	int n_departments;
};
/* 1 when a reader (not an editor) with roles and department may see an
 * article with this audience and published_version (0: none). */
int kb_visible(const struct kb_audience *a, int64_t published_version, unsigned reader_roles,
	       int64_t reader_department);

/* The line diff of two texts, as the longest common subsequence of their
 * lines: each line once, kept (' '), removed ('-') or added ('+'), in the
 * order of the new text. Beyond KB_DIFF_LINES_MAX lines in the part that
 * differs, that part is shown as all removed then all added. */
struct kb_diff_line {
	char op;
	const char *text; /* into the text given, not NUL-ended */
	size_t len;
};
/* Calls fn for each line; 0, ERR_NOMEM, or fn's negative return. */
int kb_diff(const char *from, const char *to, int (*fn)(void *ctx, const struct kb_diff_line *l),
	    void *ctx);

/* The placeholders of scripts filled for a reader. */
struct kb_fill_values {
	const char *center;
	const char *agent_no;
	const char *agent_name;
};
/* Appends text to out with {center}, {agent_no} and {agent_name} replaced
 * (NULL values leave the placeholder). 0 or ERR_NOMEM. */
int kb_fill(const char *text, const struct kb_fill_values *v, struct buf *out);

/* Markdown (kb_md.c). */

/* The HTML of Markdown md, rendered in libcmark's safe mode (raw HTML
 * dropped, dangerous links emptied); the caller frees *out. 0 or ERR_NOMEM. */
int kb_md_html(const char *md, char **out);
/* The plain text of Markdown md (for the full-text index): text, code and
 * link texts, blocks on lines of their own, no markup, no raw HTML.
 * Appended to out. 0 or ERR_NOMEM. */
int kb_md_text(const char *md, struct buf *out);

/* Storage (kb_store.c). */

struct kb_article {
	int64_t id;
	char kind[16];
	char slot[16];			      /* "" for an article */
	char title[KB_TITLE_MAX * 4 + 1];     /* the newest version's */
	char pub_title[KB_TITLE_MAX * 4 + 1]; /* the published version's, "" when none */
	int64_t category_id;
	char state[16];
	int64_t version;
	int64_t published_version; /* 0: none */
	int64_t owner_id;
	char owner_name[257];
	char review_due[16];			 /* "" when none */
	char roles[256];			 /* JSON array of role names */
	char departments[KB_DEPTS_MAX * 21 + 8]; /* JSON array of ids */
	int public_;
	char source[KB_SOURCE_MAX + 1];
	int64_t source_order_id;
	int64_t views, uses, helpful, unhelpful;
	int64_t created_by;
	int64_t created_at, updated_at, published_at;
};

struct kb_version {
	int64_t article_id;
	int64_t version;
	char title[KB_TITLE_MAX * 4 + 1];
	struct buf body;
	struct buf tags;    /* JSON array */
	struct buf applies; /* JSON object {classes, complaints, channels} */
	char note[KB_NOTE_MAX * 4 + 1];
	int64_t author_id;
	char author_name[257];
	int64_t created_at;
};
void kb_version_release(struct kb_version *v);

struct kb_event {
	char action[16];
	int64_t version;
	int64_t person_id;
	char person_name[257];
	int64_t at;
	char comment[KB_COMMENT_MAX * 4 + 1];
};

struct kb_category {
	int64_t id;
	int64_t parent_id; /* 0: top level */
	char name[KB_CATEGORY_MAX * 4 + 1];
	int64_t position;
	int64_t articles;
	int64_t children;
};

struct kb_attachment {
	int64_t id;
	int64_t article_id;
	char filename[256 * 4];
	char mime[32];
	int64_t size;
	char sha256[65];
	int64_t uploaded_by;
	int64_t created_at;
};

/* What the list asks for; "" / 0 leave a filter out. */
struct kb_filter {
	const char *state, *kind, *slot, *q;
	int64_t category_id;
	int stale;	   /* only articles whose review date has passed */
	const char *today; /* YYYY-MM-DD, for stale */
	int readers;	   /* only articles with a published version, q on its title */
	int64_t before;	   /* cursor: ids below this (0: from the newest) */
};
/* Walks the articles newest first; fn returns 0 to go on, 1 to stop, < 0 on error. */
int kb_article_list(struct store *s, const struct kb_filter *f,
		    int (*fn)(void *ctx, const struct kb_article *a), void *ctx);
int kb_article_get(struct store *s, int64_t id, struct kb_article *out);
/* Who may read a (its stored roles and departments), for kb_visible. */
void kb_article_audience(const struct kb_article *a, struct kb_audience *out);
/* Inserts a (its id set) with its version 1 v. */
int kb_article_insert(struct store *s, struct kb_article *a, struct kb_version *v);
/* Writes a's settings, state, version, published_version and title. */
int kb_article_update(struct store *s, const struct kb_article *a);
int kb_version_insert(struct store *s, const struct kb_version *v);
int kb_version_get(struct store *s, int64_t article_id, int64_t version, struct kb_version *out);
int kb_version_list(struct store *s, int64_t article_id,
		    int (*fn)(void *ctx, const struct kb_version *v), void *ctx);
int kb_event_add(struct store *s, int64_t article_id, int64_t version, const char *action,
		 int64_t person_id, int64_t at, const char *comment);
int kb_event_list(struct store *s, int64_t article_id,
		  int (*fn)(void *ctx, const struct kb_event *e), void *ctx);
/* Replaces kb_applies of the article by what applies (JSON text) names;
 * NULL clears it. */
int kb_applies_set(struct store *s, int64_t article_id, const char *applies);
/* Counts a view. */
int kb_view_add(struct store *s, int64_t article_id);
/* One vote per person (a new one replaces the old); the counts recomputed. */
int kb_feedback_set(struct store *s, int64_t article_id, int64_t person_id, int helpful,
		    const char *comment, int64_t now);
/* The person's vote: 1 helpful, 0 not, -1 none (or a negative err). */
int kb_feedback_mine(struct store *s, int64_t article_id, int64_t person_id);
/* 1 when a complaint type of the work orders' catalogue has this code. */
int kb_complaint_exists(struct store *s, const char *code);
/* 1 when the person exists. */
int kb_person_exists(struct store *s, int64_t id);

int kb_category_list(struct store *s, int (*fn)(void *ctx, const struct kb_category *c), void *ctx);
int kb_category_get(struct store *s, int64_t id, struct kb_category *out);
/* ERR_CONFLICT when the parent already has a category of that name. */
int kb_category_insert(struct store *s, struct kb_category *c, int64_t now);
int kb_category_update(struct store *s, const struct kb_category *c);
int kb_category_delete(struct store *s, int64_t id);

int kb_attachment_insert(struct store *s, struct kb_attachment *a);
int kb_attachment_get(struct store *s, int64_t id, struct kb_attachment *out);
int kb_attachment_list(struct store *s, int64_t article_id,
		       int (*fn)(void *ctx, const struct kb_attachment *a), void *ctx);
/* Deletes the row; *last is 1 when no row of any owner keeps its file. */
int kb_attachment_delete(struct store *s, const struct kb_attachment *a, int *last);

/* HTTP (kb_api.c). */
extern const struct route kb_routes[];
/* 1 when the caller may read a: an editor (kb.edit) always, a reader by
 * kb_visible. Search and suggestions filter with it. */
int kb_api_readable(struct req *r, const struct kb_article *a);

/*
 * Search — the knowledge base's search (issue 16): what an agent types
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
 */

/* Search index (kb_search_store.c): writes the article's published version
 * into kb_fts, or removes it when it has none or is retired, inside the
 * caller's transaction. */
int kb_search_index(struct store *s, int64_t article_id);
int kb_search_unindex(struct store *s, int64_t article_id);

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

/* Synonym groups as sent: validates words (1..32 characters, no word
 * twice); 0 or ERR_INVALID with why. */
int kb_synonym_word_ok(const char *w, const char **why);

/* --- Store (kb_search_store.c). --- */

/* Rebuilds kb_fts from the published articles when its number of rows is
 * not the number of live articles (the first start after the upgrade, a
 * restored or hand-edited database); the number indexed, 0 when it was
 * sound. Run at start. */
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

/*
 * Scripts, documents and cases: the knowledge base's scripts (话术) kefu
 * ships, Markdown files with front matter, and learning from closed cases.
 *
 * Scripts (WO-10, CALL-3, CALL-9, CB-2, CUST-5): src/kb/kb-scripts.md
 * holds every script transcribed from the rulebooks, each with its slot,
 * the complaint types and classes it applies to and its source (seed and
 * section). mk/embed.sh compiles it in as kefu_kb_scripts_md; kb_seed()
 * loads it as published version 1 of one script each when the knowledge
 * base holds no script yet (a new center, or an existing database once),
 * so a center's edits are never overwritten.
 *
 * Documents: one Markdown file per article, "---" front matter first
 * (title, kind, slot, tags, category, complaints, classes, channels,
 * source; lists separated by commas) then the body. kb_doc_next() parses
 * them (pure C, no I/O), kb_doc_write() writes one back (export.md), so an
 * exported article imports as the same fields.
 *
 * Cases (WO-9): an archived order whose report back has a cause and a
 * solution, with no article proposed from it yet, may become a draft
 * article (kb_case.c, kb_case_store.c, kb_case_api.c).
 */

#define KB_DOC_LIST_MAX 16   /* items of a list in front matter */
#define KB_DOC_ITEM_MAX 64   /* bytes of one item */
#define KB_DOC_TITLE_MAX 200 /* characters of a title */
#define KB_DOC_SOURCE_MAX 500
#define KB_DOC_BODY_MAX 100000 /* bytes of a body */

struct kb_doc_list {
	int n;
	char item[KB_DOC_LIST_MAX][KB_DOC_ITEM_MAX];
};

/* One document: its front matter's fields ("" when absent) and its body. */
struct kb_doc {
	char kind[16];
	char slot[16];
	char title[KB_DOC_TITLE_MAX * 4 + 1];
	char source[KB_DOC_SOURCE_MAX * 4 + 1];
	char category[KB_DOC_ITEM_MAX * 4];
	struct kb_doc_list tags, complaints, classes, channels;
	const char *body; /* into the text parsed, body_len bytes, not NUL-ended */
	size_t body_len;
	int line; /* the line of its opening "---" (1-based) */
};

/* ---- Rules (kb_seed.c, no I/O) ---- */

/*
 * The next document of text[0..len) from *pos: text before the first "---"
 * line is skipped (a preamble), then front matter up to the next "---",
 * then the body up to the next "---" line or the end, trimmed of blank
 * lines around it. Returns 1 with d filled and *pos moved past it, 0 at the
 * end, or ERR_UNPROCESSABLE with ei naming the line and field (an unknown
 * key, a line without ':', a front matter never closed, an item too long,
 * too many items, a title missing or too long, an unknown slot or kind).
 */
int kb_doc_next(const char *text, size_t len, size_t *pos, struct kb_doc *d, struct err_info *ei);
/*
 * One imported file: front matter optional (without it the title is the
 * first "# " heading); kind defaults to article; a script needs a slot.
 * 0, or ERR_UNPROCESSABLE with ei set.
 */
int kb_doc_parse_one(const char *text, size_t len, struct kb_doc *d, struct err_info *ei);
/* Fills in the kind (script when a slot is given) and checks kind, slot,
 * title and body's size; ERR_UNPROCESSABLE (or ERR_TOOBIG) naming line. */
int kb_doc_check(struct kb_doc *d, struct err_info *ei);
/* A list as in front matter ("a, b", "a、b", "[a, b]") into l. */
int kb_doc_list_parse(const char *s, struct kb_doc_list *l, int line, const char *key,
		      struct err_info *ei);
/* Appends d as a Markdown file (front matter, blank line, body) to out. */
int kb_doc_write(const struct kb_doc *d, struct buf *out);
/* Appends a list's items to a JSON array text: ["a","b"] (for tags and applies). */
int kb_doc_list_json(const struct kb_doc_list *l, struct buf *out);

/* The scripts file compiled in (mk/embed.sh). */
extern const char kefu_kb_scripts_md[];
extern const unsigned long kefu_kb_scripts_md_len;

/* ---- Storage (kb_seed_store.c) ---- */

/*
 * Loads the scripts of kefu_kb_scripts_md as published version 1 unless
 * kb_article already holds a script; in its own transaction. Returns how
 * many were added, or a negative err (the file does not parse: a build
 * error, caught by tests/kb/test_kb_seed.c).
 */
int kb_seed(struct store *s, int64_t now);
/*
 * Writes one document as a new article in the caller's transaction: state
 * draft (published 0) or published version 1 (published 1, kb_applies
 * written and the index updated), created by author (0: kefu itself).
 * category_id 0 is none, source_order_id 0 none. Sets *id.
 */
int kb_seed_insert(struct store *s, const struct kb_doc *d, int published, int64_t category_id,
		   int64_t source_order_id, int64_t author, int64_t now, int64_t *id);


/* ---- Cases (WO-9) ---- */

#define KB_CASE_TEXT (2000 * 4 + 1) /* WO_TEXT_MAX characters of UTF-8 */

/* An archived order whose report back has a cause and a solution. */
struct kb_case {
	int64_t order_id;
	char number[32];
	char class_code[8];
	char complaint[33];	  /* "" none */
	char complaint_name[257]; /* the catalogue's name, "" none */
	char summary[KB_CASE_TEXT];
	char cause[KB_CASE_TEXT];
	char solution[KB_CASE_TEXT];
	char effect[KB_CASE_TEXT]; /* "" not given */
	int64_t archived_at;
	int64_t article_id; /* kb_case_get: the article proposed from it, 0 none */
};

/*
 * The draft article of a case (kb_case.c, no I/O): kind article, the title
 * from the complaint type (or the class) and the summary, the body's
 * sections 原因 / 处理方法 / 效果 written into body (d->body points into it,
 * so body outlives d), applying to the order's class and complaint type.
 */
int kb_case_draft(const struct kb_case *c, struct kb_doc *d, struct buf *body);

/* Storage (kb_case_store.c). Newest first, order ids below cursor (0: from
 * the newest); only those with no article proposed yet. Returns how many
 * rows went to row(), or a negative err. */
int kb_case_list(struct store *s, int64_t cursor, int limit,
		 int (*row)(void *ctx, const struct kb_case *c), void *ctx);
/* The case of one order: 0, ERR_NOTFOUND (no such order) or
 * ERR_UNPROCESSABLE (not archived with a cause and a solution). */
int kb_case_get(struct store *s, int64_t order_id, struct kb_case *out);

/* ---- Import and export (kb_case_store.c, kb_case_api.c) ---- */

/* The category's id by its name: 0, or ERR_NOTFOUND. */
int kb_category_find(struct store *s, const char *name, int64_t *id);
/* ERR_NOTFOUND naming the first class or complaint type of d that kefu does not know. */
int kb_doc_check_codes(struct store *s, const struct kb_doc *d, struct err_info *ei);
/*
 * An article's newest version as a document (category by name); d's body
 * points into body. 0 or ERR_NOTFOUND.
 */
int kb_doc_load(struct store *s, int64_t id, struct kb_doc *d, struct buf *body);

/* One published article's row of the workbook (GET /api/kb/export.xlsx). */
struct kb_export_row {
	int64_t id;
	char kind[16], slot[16], state[16];
	char title[KB_DOC_TITLE_MAX * 4 + 1];
	char category[256];
	char tags[1024]; /* joined by "、" */
	int64_t version;
	char owner[128];
	char review_due[16];
	int64_t views, uses, helpful, unhelpful;
	const char *body; /* valid during row() only */
};
int kb_export_list(struct store *s, int (*row)(void *ctx, const struct kb_export_row *e),
		   void *ctx);

/* ---- .xlsx (kb_xlsx.c, no I/O: read through export_xlsx_read) ---- */

/*
 * The articles of a sheet laid out as GET /api/kb/export.xlsx writes it:
 * the first row with a cell 标题 (or title) is the header; the columns
 * 标题, 类型 (文章 / 话术, or article / script), 用途 (slot), 分类, 标签 and
 * 正文 (or their English names) are found by name; every later row with a
 * title is one document (d->line its row, 1-based), given to doc() with its
 * body valid during the call. ERR_UNPROCESSABLE when there is no header or
 * a row is malformed (ei names the row); doc()'s own error stops.
 */
int kb_xlsx_docs(const unsigned char *z, size_t len, int (*doc)(void *ctx, struct kb_doc *d),
		 void *ctx, struct err_info *ei);

/* The routes (kb_case_api.c): /api/kb/cases*, /api/kb/import,
 * /api/kb/articles/{id}/export.md, /api/kb/export.xlsx. */
extern const struct route kb_scripts_routes[];

#endif
