/*
 * The SQL of cases (WO-9: archived orders with a cause and a solution, not
 * yet proposed as articles) and of import and export. The order's report
 * back is JSON (wo_engine.c writes it); its keys are read here with
 * json_extract, the article's tags and applies with jansson.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "kb/kb.h"
#include "store/store.h"

#define CASE_COLS                                                                                  \
	"o.id, o.number, o.class, ifnull(o.complaint, ''), ifnull(c.name, ''), o.summary,"         \
	" ifnull(json_extract(o.report, '$.cause'), ''),"                                          \
	" ifnull(json_extract(o.report, '$.solution'), ''),"                                       \
	" ifnull(json_extract(o.report, '$.effect'), ''), ifnull(o.archived_at, 0),"               \
	" ifnull((SELECT a.id FROM kb_article a WHERE a.source_order_id = o.id), 0), o.state"

/* An archived order, not anonymised, whose report has a cause and a solution. */
#define CASE_WHERE                                                                                 \
	" o.state = 'archived' AND o.anonymised = 0"                                               \
	" AND ifnull(json_extract(o.report, '$.cause'), '') <> ''"                                 \
	" AND ifnull(json_extract(o.report, '$.solution'), '') <> ''"

static int case_read(struct store_stmt *st, void *dst)
{
	struct kb_case *c = dst;

	c->order_id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, c->number);
	STORE_COL_COPY(st, 2, c->class_code);
	STORE_COL_COPY(st, 3, c->complaint);
	STORE_COL_COPY(st, 4, c->complaint_name);
	STORE_COL_COPY(st, 5, c->summary);
	STORE_COL_COPY(st, 6, c->cause);
	STORE_COL_COPY(st, 7, c->solution);
	STORE_COL_COPY(st, 8, c->effect);
	c->archived_at = store_col_int(st, 9);
	c->article_id = store_col_int(st, 10);
	return 0;
}

int kb_case_list(struct store *s, int64_t cursor, int limit,
		 int (*row)(void *ctx, const struct kb_case *c), void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT " CASE_COLS
		" FROM work_order o LEFT JOIN wo_complaint c ON c.code = o.complaint"
		" WHERE" CASE_WHERE " AND (?1 = 0 OR o.id < ?1)"
		" AND NOT EXISTS (SELECT 1 FROM kb_article a WHERE a.source_order_id = o.id)"
		" ORDER BY o.id DESC LIMIT ?2",
		"ii", cursor, (int64_t)limit);
	struct kb_case *c = malloc(sizeof(*c));
	int rc, n = 0;

	if (!c) {
		(void)store_end(st, 0, 0);
		return ERR_NOMEM;
	}
	while ((rc = store_next(st, case_read, c)) == 1 && (rc = row(ctx, c)) >= 0)
		n++;
	free(c);
	return store_end(st, rc, n);
}

int kb_case_get(struct store *s, int64_t order_id, struct kb_case *out)
{
	int rc = store_one(store_query(s,
				       "SELECT " CASE_COLS " FROM work_order o"
				       " LEFT JOIN wo_complaint c ON c.code = o.complaint"
				       " WHERE o.id = ?",
				       "i", order_id),
			   case_read, out);

	if (rc < 0)
		return rc;
	rc = store_run(s, "SELECT 1 FROM work_order o WHERE o.id = ? AND" CASE_WHERE, NULL, "i",
		       order_id);
	if (rc < 0)
		return rc;
	return rc == 1 ? 0 : ERR_UNPROCESSABLE;
}

int kb_category_find(struct store *s, const char *name, int64_t *id)
{
	int rc = store_run(s, "SELECT id FROM kb_category WHERE name = ? ORDER BY id LIMIT 1", id,
			   "t", name);

	return rc < 0 ? rc : rc == 1 ? 0 : ERR_NOTFOUND;
}

static int codes_known(struct store *s, const char *sql, const struct kb_doc_list *l,
		       const char *field, struct err_info *ei)
{
	for (int i = 0; i < l->n; i++) {
		int rc = store_run(s, sql, NULL, "t", l->item[i]);

		if (rc < 0)
			return rc;
		if (rc == 0)
			return err_set(ei, ERR_UNPROCESSABLE, field, "%s: unknown code %s", field,
				       l->item[i]);
	}
	return 0;
}

int kb_doc_check_codes(struct store *s, const struct kb_doc *d, struct err_info *ei)
{
	int rc =
		codes_known(s, "SELECT 1 FROM wo_class WHERE code = ?", &d->classes, "classes", ei);

	if (rc == 0)
		rc = codes_known(s, "SELECT 1 FROM wo_complaint WHERE code = ?", &d->complaints,
				 "complaints", ei);
	return rc;
}

/* A JSON array of strings (stored text) into a list; what does not fit is left out. */
static void list_from_json(json_t *a, struct kb_doc_list *l)
{
	size_t i;
	json_t *v;

	l->n = 0;
	json_array_foreach(a, i, v)
	{
		const char *s = json_string_value(v);

		if (s && l->n < KB_DOC_LIST_MAX && strlen(s) < KB_DOC_ITEM_MAX)
			snprintf(l->item[l->n++], KB_DOC_ITEM_MAX, "%s", s);
	}
}

struct doc_row {
	struct kb_doc *d;
	struct buf *body;
	int rc;
};

static int doc_read(struct store_stmt *st, void *dst)
{
	struct doc_row *x = dst;
	struct kb_doc *d = x->d;
	json_t *tags, *applies;

	STORE_COL_COPY(st, 0, d->kind);
	STORE_COL_COPY(st, 1, d->slot);
	STORE_COL_COPY(st, 2, d->title);
	STORE_COL_COPY(st, 3, d->category);
	STORE_COL_COPY(st, 4, d->source);
	if (buf_puts(x->body, store_col_text_or(st, 5, "")) < 0)
		return ERR_NOMEM;
	tags = json_loads(store_col_text_or(st, 6, "[]"), 0, NULL);
	applies = json_loads(store_col_text_or(st, 7, "{}"), 0, NULL);
	list_from_json(tags, &d->tags);
	list_from_json(json_object_get(applies, "classes"), &d->classes);
	list_from_json(json_object_get(applies, "complaints"), &d->complaints);
	list_from_json(json_object_get(applies, "channels"), &d->channels);
	json_decref(tags);
	json_decref(applies);
	return 0;
}

int kb_doc_load(struct store *s, int64_t id, struct kb_doc *d, struct buf *body)
{
	struct doc_row x = {d, body, 0};
	int rc;

	memset(d, 0, sizeof(*d));
	rc = store_one(
		store_query(s,
			    "SELECT a.kind, ifnull(a.slot, ''), v.title, ifnull(c.name, ''),"
			    " ifnull(a.source, ''), v.body, v.tags, v.applies"
			    " FROM kb_article a JOIN kb_version v ON v.article_id = a.id"
			    " AND v.version = a.version"
			    " LEFT JOIN kb_category c ON c.id = a.category_id WHERE a.id = ?",
			    "i", id),
		doc_read, &x);
	if (rc < 0)
		return rc;
	d->body = buf_str(body);
	d->body_len = body->len;
	return 0;
}

static int export_read(struct store_stmt *st, void *dst)
{
	struct kb_export_row *e = dst;
	json_t *tags;
	size_t i, o = 0;
	json_t *v;

	e->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, e->kind);
	STORE_COL_COPY(st, 2, e->slot);
	STORE_COL_COPY(st, 3, e->title);
	STORE_COL_COPY(st, 4, e->category);
	STORE_COL_COPY(st, 5, e->state);
	e->version = store_col_int(st, 6);
	STORE_COL_COPY(st, 7, e->owner);
	STORE_COL_COPY(st, 8, e->review_due);
	e->views = store_col_int(st, 9);
	e->uses = store_col_int(st, 10);
	e->helpful = store_col_int(st, 11);
	e->unhelpful = store_col_int(st, 12);
	e->body = store_col_text_or(st, 13, "");
	e->tags[0] = '\0';
	tags = json_loads(store_col_text_or(st, 14, "[]"), 0, NULL);
	json_array_foreach(tags, i, v)
	{
		const char *t = json_string_value(v);
		int w;

		if (!t)
			continue;
		w = snprintf(e->tags + o, sizeof(e->tags) - o, "%s%s", o ? "、" : "", t);
		if (w < 0 || (size_t)w >= sizeof(e->tags) - o) {
			e->tags[o] = '\0';
			break;
		}
		o += (size_t)w;
	}
	json_decref(tags);
	return 0;
}

int kb_export_list(struct store *s, int (*row)(void *ctx, const struct kb_export_row *e), void *ctx)
{
	/* The published version of every published article, as agents read it. */
	struct store_stmt *st = store_query(
		s,
		"SELECT a.id, a.kind, ifnull(a.slot, ''), v.title, ifnull(c.name, ''), a.state,"
		" a.published_version, ifnull(p.name, ''), ifnull(a.review_due, ''), a.views, "
		"a.uses,"
		" a.helpful, a.unhelpful, v.body, v.tags"
		" FROM kb_article a JOIN kb_version v ON v.article_id = a.id"
		" AND v.version = a.published_version"
		" LEFT JOIN kb_category c ON c.id = a.category_id"
		" LEFT JOIN person p ON p.id = a.owner_id"
		" WHERE a.published_version IS NOT NULL AND a.state <> 'retired' ORDER BY a.id",
		"");
	struct kb_export_row *e = malloc(sizeof(*e));
	int rc, n = 0;

	if (!e) {
		(void)store_end(st, 0, 0);
		return ERR_NOMEM;
	}
	while ((rc = store_next(st, export_read, e)) == 1 && (rc = row(ctx, e)) >= 0)
		n++;
	free(e);
	return store_end(st, rc, n);
}
