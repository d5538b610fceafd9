/*
 * kb_seed — the knowledge base's scripts (话术) kefu ships, Markdown files
 * with front matter, and learning from closed cases (issue 16; helper
 * "kb-scripts"). The lead folds this header into kb.h at merge.
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
#ifndef KEFU_KB_KB_SEED_H
#define KEFU_KB_KB_SEED_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "http/http.h"

struct buf;
struct store;

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

/* 1 for the slots of scripts (opening, closing, complaint, outbound,
 * callback, addressing, forbidden, other). */
int kb_slot_valid(const char *slot);
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

/*
 * Owned by kb-search (kb.h at merge): writes the published version of the
 * article into kb_fts. Until the branches merge, kb_seed_shim.c has a
 * throw-away implementation; the lead deletes it.
 */
int kb_search_index(struct store *s, int64_t article_id);

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

/* ---- .xlsx (kb_xlsx.c, no I/O: zlib and expat over bytes) ---- */

/* Each non-empty cell of the first sheet, rows in order: cell() returning
 * a negative value stops. 0, or ERR_UNPROCESSABLE (ei: file) for what is
 * not a readable workbook. */
int kb_xlsx_read(const unsigned char *z, size_t len,
		 int (*cell)(void *ctx, int row, int col, const char *text), void *ctx,
		 struct err_info *ei);
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
