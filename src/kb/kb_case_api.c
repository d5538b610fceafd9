/*
 * HTTP of cases (WO-9), import and export (issue 16):
 *   GET  /api/kb/cases?cursor=&limit=          archived orders with a cause
 *        and a solution, no article proposed from them yet (kb.edit)
 *   POST /api/kb/cases/{order_id}/draft         a draft article from one
 *   POST /api/kb/import                         a Markdown file (the body,
 *        its name in X-Filename) → a draft (kb.edit)
 *   GET  /api/kb/articles/{id}/export.md        the newest version as a
 *        Markdown file with front matter (kb.edit)
 *   GET  /api/kb/export.xlsx                    every published article
 *        (kb.edit)
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/utf8.h"
#include "export/export.h"
#include "http/http.h"
#include "kb/kb.h"
#include "store/store.h"

static json_t *list_json(const struct kb_doc_list *l)
{
	json_t *a = json_array();

	for (int i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->item[i]));
	return a;
}

/* The draft just written, in the shape of the article API's answer. */
static json_t *draft_json(int64_t id, const struct kb_doc *d, int64_t source_order_id,
			  int64_t author, int64_t now)
{
	json_t *body = json_stringn(d->body, d->body_len);

	return json_pack(
		"{s:I, s:s, s:o, s:s, s:s, s:i, s:n, s:o, s:o, s:{s:i, s:s, s:o, s:o, s:{s:o, s:o, "
		"s:o},"
		" s:o, s:I}}",
		"id", (json_int_t)id, "kind", d->kind, "slot",
		d->slot[0] ? json_string(d->slot) : json_null(), "title", d->title, "state",
		"draft", "version", 1, "published_version", "source",
		d->source[0] ? json_string(d->source) : json_null(), "source_order_id",
		source_order_id ? json_integer(source_order_id) : json_null(), "current", "version",
		1, "title", d->title, "body", body ? body : json_string(""), "tags",
		list_json(&d->tags), "applies", "classes", list_json(&d->classes), "complaints",
		list_json(&d->complaints), "channels", list_json(&d->channels), "author",
		author ? json_integer(author) : json_null(), "created_at", (json_int_t)now);
}

static json_t *case_json(const struct kb_case *c)
{
	return json_pack("{s:I, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:o, s:I}", "order_id",
			 (json_int_t)c->order_id, "number", c->number, "class", c->class_code,
			 "complaint", c->complaint[0] ? json_string(c->complaint) : json_null(),
			 "complaint_name",
			 c->complaint_name[0] ? json_string(c->complaint_name) : json_null(),
			 "summary", c->summary, "cause", c->cause, "solution", c->solution,
			 "effect", c->effect[0] ? json_string(c->effect) : json_null(),
			 "archived_at", (json_int_t)c->archived_at);
}

struct cases_ctx {
	json_t *items;
	int64_t last;
};

static int case_row(void *ctx, const struct kb_case *c)
{
	struct cases_ctx *x = ctx;

	x->last = c->order_id;
	return json_array_append_new(x->items, case_json(c));
}

static int cases_list(struct req *r)
{
	struct cases_ctx x = {json_array(), 0};
	int64_t cursor;
	int limit, n = req_page(r, &limit, &cursor);

	if (n == 0)
		n = kb_case_list(r->store, cursor, limit, case_row, &x);
	if (n < 0) {
		json_decref(x.items);
		return n;
	}
	return reply_page(r, x.items, n == limit ? x.last : 0);
}

static int case_draft(struct req *r)
{
	struct kb_case *c = malloc(sizeof(*c));
	struct buf body = BUF_INIT;
	struct kb_doc *d = malloc(sizeof(*d));
	int64_t order_id = 0, id = 0;
	int rc = c && d ? req_param_id(r, 0, &order_id) : ERR_NOMEM;

	if (rc == 0)
		rc = kb_case_get(r->store, order_id, c);
	if (rc == ERR_NOTFOUND)
		rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "no such order");
	else if (rc == ERR_UNPROCESSABLE)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, NULL,
			     "the order is not archived with a cause and a solution");
	else if (rc == 0 && c->article_id)
		rc = err_set(&r->ei, ERR_CONFLICT, "source_order_id",
			     "an article was already proposed from this order");
	if (rc == 0)
		rc = kb_case_draft(c, d, &body);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0) {
		rc = kb_seed_insert(r->store, d, 0, 0, order_id, r->who.person_id, r->now, &id);
		if (rc == 0)
			rc = req_audit(r, "kb.case.draft", "kb_article", id, "ok",
				       json_pack("{s:I, s:s}", "order_id", (json_int_t)order_id,
						 "title", d->title));
		rc = req_finish(r, rc);
	}
	if (rc == 0)
		rc = reply_json(r, 201, draft_json(id, d, order_id, r->who.person_id, r->now));
	buf_release(&body);
	free(c);
	free(d);
	return rc;
}

#define KB_IMPORT_ROWS_MAX 1000

struct import_ctx {
	struct req *r;
	json_t *items;
};

/* One row of the workbook: checked like a Markdown file, written as a draft. */
static int import_row(void *ctx, struct kb_doc *d)
{
	struct import_ctx *x = ctx;
	struct req *r = x->r;
	int64_t category = 0, id = 0;
	int rc = 0;

	if (json_array_size(x->items) >= KB_IMPORT_ROWS_MAX)
		return err_set(&r->ei, ERR_TOOBIG, "file", "file: at most %d articles at once",
			       KB_IMPORT_ROWS_MAX);
	if (d->category[0] && kb_category_find(r->store, d->category, &category) < 0)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "category",
			     "line %d: category: no such category", d->line);
	if (rc == 0)
		rc = kb_doc_check_codes(r->store, d, &r->ei);
	if (rc == 0)
		rc = kb_seed_insert(r->store, d, 0, category, 0, r->who.person_id, r->now, &id);
	if (rc == 0)
		rc = json_array_append_new(x->items,
					   draft_json(id, d, 0, r->who.person_id, r->now));
	return rc;
}

/* A workbook laid out as GET /api/kb/export.xlsx writes it: one draft per row,
 * all or none. */
static int import_xlsx(struct req *r)
{
	struct import_ctx x = {r, json_array()};
	size_t n;
	int rc = store_begin(r->store);

	if (rc == 0) {
		rc = kb_xlsx_docs((const unsigned char *)r->raw, r->raw_len, import_row, &x,
				  &r->ei);
		n = json_array_size(x.items);
		if (rc == 0 && n == 0)
			rc = err_set(&r->ei, ERR_UNPROCESSABLE, "file",
				     "file: no article in the sheet");
		if (rc == 0)
			rc = req_audit(r, "kb.import", "kb_article", 0, "ok",
				       json_pack("{s:s, s:I, s:I}", "format", "xlsx", "articles",
						 (json_int_t)n, "bytes", (json_int_t)r->raw_len));
		rc = req_finish(r, rc);
	}
	if (rc < 0) {
		json_decref(x.items);
		return rc;
	}
	return reply_json(r, 201, json_pack("{s:o}", "items", x.items));
}

static int import_md(struct req *r)
{
	struct kb_doc *d = malloc(sizeof(*d));
	int64_t category = 0, id = 0;
	int rc = d ? 0 : ERR_NOMEM;

	if (rc == 0 && r->raw_len == 0)
		rc = err_set(&r->ei, ERR_INVALID, "file",
			     "file: send the file's bytes as the body, its name in X-Filename");
	/* An .xlsx is a zip. */
	if (rc == 0 && r->raw_len >= 4 && memcmp(r->raw, "PK\x03\x04", 4) == 0) {
		free(d);
		return import_xlsx(r);
	}
	if (rc == 0 && (r->raw_len > KB_DOC_BODY_MAX + 4096 || !utf8_valid(r->raw, r->raw_len)))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "file",
			     "file: a Markdown file in UTF-8 of at most 100 KB");
	if (rc == 0)
		rc = kb_doc_parse_one(r->raw, r->raw_len, d, &r->ei);
	if (rc == 0 && d->category[0] && kb_category_find(r->store, d->category, &category) < 0)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "category", "category: no such category");
	if (rc == 0)
		rc = kb_doc_check_codes(r->store, d, &r->ei);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0) {
		/* People's files carry no source of the rulebooks. */
		d->source[0] = '\0';
		rc = kb_seed_insert(r->store, d, 0, category, 0, r->who.person_id, r->now, &id);
		if (rc == 0)
			rc = req_audit(r, "kb.import", "kb_article", id, "ok",
				       json_pack("{s:s, s:s, s:I}", "title", d->title, "kind",
						 d->kind, "bytes", (json_int_t)r->raw_len));
		rc = req_finish(r, rc);
	}
	if (rc == 0)
		rc = reply_json(r, 201, draft_json(id, d, 0, r->who.person_id, r->now));
	free(d);
	return rc;
}

static int export_md(struct req *r)
{
	struct kb_doc *d = malloc(sizeof(*d));
	struct buf body = BUF_INIT;
	char ascii[48], name[KB_DOC_TITLE_MAX * 4 + 8];
	int64_t id = 0;
	int rc = d ? req_param_id(r, 0, &id) : ERR_NOMEM;

	if (rc == 0)
		rc = kb_doc_load(r->store, id, d, &body);
	if (rc == ERR_NOTFOUND)
		rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "no such article");
	if (rc == 0)
		rc = kb_doc_write(d, &r->text);
	if (rc == 0) {
		r->content_type = "text/markdown; charset=utf-8";
		snprintf(ascii, sizeof(ascii), "kb-%lld.md", (long long)id);
		snprintf(name, sizeof(name), "%s.md", d->title);
		if (export_disposition(ascii, name, r->disposition, sizeof(r->disposition)) < 0 &&
		    export_disposition(ascii, NULL, r->disposition, sizeof(r->disposition)) < 0)
			r->disposition[0] = '\0';
		r->status = 200;
	}
	buf_release(&body);
	free(d);
	return rc;
}

/* Excel takes at most EXPORT_TEXT_MAX characters in a cell. */
static void clip_cell(struct buf *out, const char *s)
{
	size_t n = 0, i = 0;

	buf_reset(out);
	for (; s[i]; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 && ++n > EXPORT_TEXT_MAX - 10)
			break;
	(void)buf_append(out, s, i);
}

struct xlsx_ctx {
	struct export_sheet *sh;
	int row;
	struct buf cell;
};

static const char *kind_name(const char *kind)
{
	return strcmp(kind, "script") == 0 ? "话术" : "文章";
}

static int xlsx_row(void *ctx, const struct kb_export_row *e)
{
	struct xlsx_ctx *x = ctx;
	static const struct export_style wrap = {NULL, EXPORT_WRAP, NULL};
	int row = x->row++, c = 0;

	export_int(x->sh, row, c++, e->id, NULL);
	export_text(x->sh, row, c++, kind_name(e->kind), NULL);
	export_text(x->sh, row, c++, e->slot, NULL);
	export_text(x->sh, row, c++, e->title, NULL);
	export_text(x->sh, row, c++, e->category, NULL);
	export_text(x->sh, row, c++, e->tags, NULL);
	export_text(x->sh, row, c++, e->state, NULL);
	export_int(x->sh, row, c++, e->version, NULL);
	export_text(x->sh, row, c++, e->owner, NULL);
	export_text(x->sh, row, c++, e->review_due, NULL);
	export_int(x->sh, row, c++, e->views, NULL);
	export_int(x->sh, row, c++, e->uses, NULL);
	export_int(x->sh, row, c++, e->helpful, NULL);
	export_int(x->sh, row, c++, e->unhelpful, NULL);
	clip_cell(&x->cell, e->body);
	export_text(x->sh, row, c, buf_str(&x->cell), &wrap);
	return 0;
}

static int export_xlsx(struct req *r)
{
	static const char *const heads[] = {"编号", "类型", "用途", "标题",   "分类",
					    "标签", "状态", "版本", "负责人", "复审日期",
					    "浏览", "使用", "有用", "没用",   "正文"};
	static const double widths[] = {8, 8, 12, 36, 14, 20, 10, 8, 12, 12, 8, 8, 8, 8, 80};
	struct export_book *b = export_book_new();
	struct xlsx_ctx x = {NULL, 0, BUF_INIT};
	int rc;

	if (!b)
		return ERR_NOMEM;
	x.sh = export_sheet_add(b, "知识库");
	if (x.sh) {
		export_title(x.sh, "知识库文章与话术");
		export_subtitle(x.sh, "已发布版本");
		for (int i = 0; i < (int)(sizeof(heads) / sizeof(heads[0])); i++) {
			export_column(x.sh, i, widths[i]);
			export_header(x.sh, 0, i, 1, 1, heads[i], NULL);
		}
		export_freeze(x.sh, 1);
	}
	rc = x.sh ? kb_export_list(r->store, xlsx_row, &x) : export_book_error(b);
	if (rc >= 0)
		rc = export_reply(r, b, "kb-articles.xlsx", "知识库.xlsx");
	buf_release(&x.cell);
	export_book_free(b);
	return rc < 0 ? rc : 0;
}

const struct route kb_scripts_routes[] = {
	{"GET", "/api/kb/cases", cases_list, ACT_KB_EDIT},
	{"POST", "/api/kb/cases/{id}/draft", case_draft, ACT_KB_EDIT},
	/* A file's bytes as the body: the upload's action lets the server take it,
	 * the handler then asks for kb.edit. */
	{"POST", "/api/kb/import", import_md, ACT_KB_EDIT},
	{"GET", "/api/kb/articles/{id}/export.md", export_md, ACT_KB_EDIT},
	{"GET", "/api/kb/export.xlsx", export_xlsx, ACT_KB_EDIT},
	{NULL, NULL, NULL, 0},
};
