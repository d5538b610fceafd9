/*
 * The knowledge base's SQL (migration 24): articles and their versions, the
 * workflow's log, what the published version applies to, feedback,
 * categories and attachments. The owner's, author's and person's names are
 * read from the person table, a complaint type's code from the work
 * orders' catalogue (wo_complaint), with statements of its own. The JSON
 * kept as text (applies) is read here to fill kb_applies.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "att/att.h"
#include "kb/kb.h"
#include "org/org.h"
#include "store/store.h"

void kb_version_release(struct kb_version *v)
{
	buf_release(&v->body);
	buf_release(&v->tags);
	buf_release(&v->applies);
}

/* -- articles -- */

#define ART_COLS                                                                                   \
	"a.id, a.kind, coalesce(a.slot, ''), a.title, coalesce(pv.title, ''), a.category_id,"      \
	" a.state, a.version, a.published_version, a.owner_id, coalesce(p.name, ''),"              \
	" coalesce(a.review_due, ''), a.roles, a.departments, a.public, coalesce(a.source, ''),"   \
	" a.source_order_id, a.views, a.uses, a.helpful, a.unhelpful, a.created_by,"               \
	" a.created_at, a.updated_at, a.published_at"
#define ART_FROM                                                                                   \
	" FROM kb_article a LEFT JOIN kb_version pv ON pv.article_id = a.id"                       \
	" AND pv.version = a.published_version LEFT JOIN person p ON p.id = a.owner_id"

static int article_read(struct store_stmt *st, void *dst)
{
	struct kb_article *a = dst;

	memset(a, 0, sizeof(*a));
	a->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, a->kind);
	STORE_COL_COPY(st, 2, a->slot);
	STORE_COL_COPY(st, 3, a->title);
	STORE_COL_COPY(st, 4, a->pub_title);
	a->category_id = store_col_int(st, 5);
	STORE_COL_COPY(st, 6, a->state);
	a->version = store_col_int(st, 7);
	a->published_version = store_col_int(st, 8);
	a->owner_id = store_col_int(st, 9);
	STORE_COL_COPY(st, 10, a->owner_name);
	STORE_COL_COPY(st, 11, a->review_due);
	STORE_COL_COPY(st, 12, a->roles);
	STORE_COL_COPY(st, 13, a->departments);
	a->public_ = (int)store_col_int(st, 14);
	STORE_COL_COPY(st, 15, a->source);
	a->source_order_id = store_col_int(st, 16);
	a->views = store_col_int(st, 17);
	a->uses = store_col_int(st, 18);
	a->helpful = store_col_int(st, 19);
	a->unhelpful = store_col_int(st, 20);
	a->created_by = store_col_int(st, 21);
	a->created_at = store_col_int(st, 22);
	a->updated_at = store_col_int(st, 23);
	a->published_at = store_col_int(st, 24);
	return 0;
}

int kb_article_get(struct store *s, int64_t id, struct kb_article *out)
{
	return store_one(store_query(s, "SELECT " ART_COLS ART_FROM " WHERE a.id = ?", "i", id),
			 article_read, out);
}

int kb_article_list(struct store *s, const struct kb_filter *f,
		    int (*fn)(void *ctx, const struct kb_article *a), void *ctx)
{
	struct store_sql q = STORE_SQL_INIT;
	struct store_stmt *st;
	struct kb_article a;
	int rc, n = 0;

	store_sql_add(&q, "SELECT " ART_COLS ART_FROM " WHERE 1 = 1", "");
	if (f->readers)
		store_sql_add(&q, " AND a.published_version IS NOT NULL", "");
	if (f->state && *f->state)
		store_sql_add(&q, " AND a.state = ?", "t", f->state);
	if (f->kind && *f->kind)
		store_sql_add(&q, " AND a.kind = ?", "t", f->kind);
	if (f->slot && *f->slot)
		store_sql_add(&q, " AND a.slot = ?", "t", f->slot);
	if (f->category_id)
		store_sql_add(&q, " AND a.category_id = ?", "i", f->category_id);
	if (f->stale)
		store_sql_add(&q, " AND a.review_due IS NOT NULL AND a.review_due < ?", "t",
			      f->today);
	if (f->q && *f->q)
		store_sql_add(&q,
			      f->readers ? " AND instr(lower(pv.title), lower(?)) > 0"
					 : " AND instr(lower(a.title), lower(?)) > 0",
			      "t", f->q);
	if (f->before)
		store_sql_add(&q, " AND a.id < ?", "i", f->before);
	store_sql_add(&q, " ORDER BY a.id DESC", "");
	st = store_sql_prepare(s, &q);
	while ((rc = store_next(st, article_read, &a)) == 1) {
		rc = fn(ctx, &a);
		if (rc != 0)
			break;
		n++;
	}
	return store_end(st, rc < 0 ? rc : 0, n);
}

int kb_article_insert(struct store *s, struct kb_article *a, struct kb_version *v)
{
	int rc = store_run(
		s,
		"INSERT INTO kb_article(kind, slot, title, category_id, state, version, owner_id,"
		" review_due, roles, departments, public, source, source_order_id, created_by,"
		" created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" RETURNING id",
		&a->id, "tTtdtdTttiTddii", a->kind, a->slot, a->title, a->category_id, a->state,
		a->owner_id, a->review_due, a->roles, a->departments, (int64_t)a->public_,
		a->source, a->source_order_id, a->created_by, a->created_at, a->updated_at);

	if (rc == 0)
		return ERR_IO;
	if (rc < 0)
		return rc;
	a->version = 1;
	v->article_id = a->id;
	v->version = 1;
	return kb_version_insert(s, v);
}

int kb_article_update(struct store *s, const struct kb_article *a)
{
	int rc = store_run(s,
			   "UPDATE kb_article SET kind = ?, slot = ?, title = ?, category_id = ?,"
			   " state = ?, version = ?, published_version = ?, owner_id = ?,"
			   " review_due = ?, roles = ?, departments = ?, public = ?,"
			   " updated_at = ?, published_at = ? WHERE id = ?",
			   NULL, "tTtdtiddTttiidi", a->kind, a->slot, a->title, a->category_id,
			   a->state, a->version, a->published_version, a->owner_id, a->review_due,
			   a->roles, a->departments, (int64_t)a->public_, a->updated_at,
			   a->published_at, a->id);

	return rc < 0 ? rc : 0;
}

void kb_article_audience(const struct kb_article *a, struct kb_audience *out)
{
	json_t *roles = json_loads(a->roles, 0, NULL), *depts = json_loads(a->departments, 0, NULL);
	json_t *v;
	size_t i;

	memset(out, 0, sizeof(*out));
	json_array_foreach(roles, i, v)
	{
		if (json_is_string(v))
			out->roles |= org_role_parse(json_string_value(v));
	}
	json_array_foreach(depts, i, v)
	{
		if (out->n_departments < KB_DEPTS_MAX && json_is_integer(v))
			out->departments[out->n_departments++] = json_integer_value(v);
	}
	json_decref(roles);
	json_decref(depts);
}

/* -- versions -- */

#define VER_COLS                                                                                   \
	"v.article_id, v.version, v.title, v.body, v.tags, v.applies, coalesce(v.note, ''),"       \
	" v.author_id, coalesce(p.name, ''), v.created_at"

static int version_read(struct store_stmt *st, void *dst)
{
	struct kb_version *v = dst;

	v->article_id = store_col_int(st, 0);
	v->version = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, v->title);
	buf_reset(&v->body);
	buf_reset(&v->tags);
	buf_reset(&v->applies);
	if (buf_puts(&v->body, store_col_text_or(st, 3, "")) < 0 ||
	    buf_puts(&v->tags, store_col_text_or(st, 4, "[]")) < 0 ||
	    buf_puts(&v->applies, store_col_text_or(st, 5, "{}")) < 0)
		return ERR_NOMEM;
	STORE_COL_COPY(st, 6, v->note);
	v->author_id = store_col_int(st, 7);
	STORE_COL_COPY(st, 8, v->author_name);
	v->created_at = store_col_int(st, 9);
	return 0;
}

int kb_version_insert(struct store *s, const struct kb_version *v)
{
	int rc = store_run(s,
			   "INSERT INTO kb_version(article_id, version, title, body, tags, applies,"
			   " note, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			   NULL, "iitttTTdi", v->article_id, v->version, v->title,
			   buf_str(&v->body), buf_str(&v->tags), buf_str(&v->applies), v->note,
			   v->author_id, v->created_at);

	return rc < 0 ? rc : 0;
}

int kb_version_get(struct store *s, int64_t article_id, int64_t version, struct kb_version *out)
{
	return store_one(
		store_query(s,
			    "SELECT " VER_COLS " FROM kb_version v LEFT JOIN person p"
			    " ON p.id = v.author_id WHERE v.article_id = ? AND v.version = ?",
			    "ii", article_id, version),
		version_read, out);
}

int kb_version_list(struct store *s, int64_t article_id,
		    int (*fn)(void *ctx, const struct kb_version *v), void *ctx)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT " VER_COLS " FROM kb_version v LEFT JOIN person p"
			    " ON p.id = v.author_id WHERE v.article_id = ?"
			    " ORDER BY v.version DESC",
			    "i", article_id);
	struct kb_version v;
	int rc, n = 0;

	memset(&v, 0, sizeof(v));
	while ((rc = store_next(st, version_read, &v)) == 1 && (rc = fn(ctx, &v)) >= 0)
		n++;
	kb_version_release(&v);
	return store_end(st, rc, n);
}

/* -- the workflow's log -- */

int kb_event_add(struct store *s, int64_t article_id, int64_t version, const char *action,
		 int64_t person_id, int64_t at, const char *comment)
{
	int rc = store_run(
		s,
		"INSERT INTO kb_event(article_id, version, action, person_id, at, comment)"
		" VALUES (?, ?, ?, ?, ?, ?)",
		NULL, "iitdiT", article_id, version, action, person_id, at, comment);

	return rc < 0 ? rc : 0;
}

static int event_read(struct store_stmt *st, void *dst)
{
	struct kb_event *e = dst;

	memset(e, 0, sizeof(*e));
	STORE_COL_COPY(st, 0, e->action);
	e->version = store_col_int(st, 1);
	e->person_id = store_col_int(st, 2);
	STORE_COL_COPY(st, 3, e->person_name);
	e->at = store_col_int(st, 4);
	STORE_COL_COPY(st, 5, e->comment);
	return 0;
}

int kb_event_list(struct store *s, int64_t article_id,
		  int (*fn)(void *ctx, const struct kb_event *e), void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT e.action, e.version, e.person_id, coalesce(p.name, ''), e.at,"
		" coalesce(e.comment, '') FROM kb_event e LEFT JOIN person p ON p.id = e.person_id"
		" WHERE e.article_id = ? ORDER BY e.id",
		"i", article_id);
	struct kb_event e;
	int rc, n = 0;

	while ((rc = store_next(st, event_read, &e)) == 1 && (rc = fn(ctx, &e)) >= 0)
		n++;
	return store_end(st, rc, n);
}

/* -- what the published version applies to -- */

int kb_applies_set(struct store *s, int64_t article_id, const char *applies)
{
	static const struct {
		const char *key, *kind;
	} kinds[] = {{"classes", "class"}, {"complaints", "complaint"}, {"channels", "channel"}};
	json_t *o = NULL;
	int rc = store_run(s, "DELETE FROM kb_applies WHERE article_id = ?", NULL, "i", article_id);

	if (rc < 0 || !applies)
		return rc < 0 ? rc : 0;
	o = json_loads(applies, 0, NULL);
	for (size_t k = 0; o && rc >= 0 && k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		json_t *list = json_object_get(o, kinds[k].key), *code;
		size_t i;

		json_array_foreach(list, i, code)
		{
			if (!json_is_string(code))
				continue;
			rc = store_run(s,
				       "INSERT OR IGNORE INTO kb_applies(article_id, kind, code)"
				       " VALUES (?, ?, ?)",
				       NULL, "itt", article_id, kinds[k].kind,
				       json_string_value(code));
			if (rc < 0)
				break;
		}
	}
	json_decref(o);
	return rc < 0 ? rc : 0;
}

/* -- readers' use -- */

int kb_view_add(struct store *s, int64_t article_id)
{
	int rc = store_run(s, "UPDATE kb_article SET views = views + 1 WHERE id = ?", NULL, "i",
			   article_id);

	return rc < 0 ? rc : 0;
}

int kb_feedback_set(struct store *s, int64_t article_id, int64_t person_id, int helpful,
		    const char *comment, int64_t now)
{
	int rc = store_run(s,
			   "INSERT INTO kb_feedback(article_id, person_id, helpful, comment, at)"
			   " VALUES (?, ?, ?, ?, ?) ON CONFLICT (article_id, person_id) DO UPDATE"
			   " SET helpful = excluded.helpful, comment = excluded.comment,"
			   " at = excluded.at",
			   NULL, "iiiTi", article_id, person_id, (int64_t)(helpful != 0), comment,
			   now);

	if (rc >= 0)
		rc = store_run(s,
			       "UPDATE kb_article SET"
			       " helpful = (SELECT count(*) FROM kb_feedback"
			       "  WHERE article_id = ?1 AND helpful = 1),"
			       " unhelpful = (SELECT count(*) FROM kb_feedback"
			       "  WHERE article_id = ?1 AND helpful = 0) WHERE id = ?1",
			       NULL, "i", article_id);
	return rc < 0 ? rc : 0;
}

int kb_feedback_mine(struct store *s, int64_t article_id, int64_t person_id)
{
	int64_t v = -1;
	int rc = store_run(s,
			   "SELECT helpful FROM kb_feedback WHERE article_id = ? AND person_id = ?",
			   &v, "ii", article_id, person_id);

	if (rc < 0)
		return rc;
	return rc == 1 ? (int)v : -1;
}

int kb_complaint_exists(struct store *s, const char *code)
{
	int rc = store_run(s, "SELECT 1 FROM wo_complaint WHERE code = ?", NULL, "t", code);

	return rc < 0 ? rc : rc == 1;
}

int kb_person_exists(struct store *s, int64_t id)
{
	int rc = store_run(s, "SELECT 1 FROM person WHERE id = ?", NULL, "i", id);

	return rc < 0 ? rc : rc == 1;
}

/* -- categories -- */

#define CAT_COLS                                                                                   \
	"c.id, c.parent_id, c.name, c.position,"                                                   \
	" (SELECT count(*) FROM kb_article a WHERE a.category_id = c.id),"                         \
	" (SELECT count(*) FROM kb_category k WHERE k.parent_id = c.id)"

static int category_read(struct store_stmt *st, void *dst)
{
	struct kb_category *c = dst;

	memset(c, 0, sizeof(*c));
	c->id = store_col_int(st, 0);
	c->parent_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, c->name);
	c->position = store_col_int(st, 3);
	c->articles = store_col_int(st, 4);
	c->children = store_col_int(st, 5);
	return 0;
}

int kb_category_list(struct store *s, int (*fn)(void *ctx, const struct kb_category *c), void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT " CAT_COLS " FROM kb_category c"
					    " ORDER BY coalesce(c.parent_id, 0), c.position, c.id",
					    "");
	struct kb_category c;
	int rc, n = 0;

	while ((rc = store_next(st, category_read, &c)) == 1 && (rc = fn(ctx, &c)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int kb_category_get(struct store *s, int64_t id, struct kb_category *out)
{
	return store_one(
		store_query(s, "SELECT " CAT_COLS " FROM kb_category c WHERE c.id = ?", "i", id),
		category_read, out);
}

/* The same name under the same parent (NULL parents compare equal here). */
static int name_taken(struct store *s, const struct kb_category *c)
{
	int rc = store_run(s,
			   "SELECT 1 FROM kb_category WHERE coalesce(parent_id, 0) = ?"
			   " AND name = ? AND id != ?",
			   NULL, "iti", c->parent_id, c->name, c->id);

	return rc < 0 ? rc : rc == 1 ? ERR_CONFLICT : 0;
}

int kb_category_insert(struct store *s, struct kb_category *c, int64_t now)
{
	int rc = name_taken(s, c);

	if (rc < 0)
		return rc;
	rc = store_run(s,
		       "INSERT INTO kb_category(parent_id, name, position, created_at)"
		       " VALUES (?, ?, ?, ?) RETURNING id",
		       &c->id, "dtii", c->parent_id, c->name, c->position, now);
	if (rc == 0)
		return ERR_IO;
	return rc < 0 ? rc : 0;
}

int kb_category_update(struct store *s, const struct kb_category *c)
{
	int rc = name_taken(s, c);

	if (rc < 0)
		return rc;
	rc = store_run(s,
		       "UPDATE kb_category SET parent_id = ?, name = ?, position = ? WHERE id = ?",
		       NULL, "dtii", c->parent_id, c->name, c->position, c->id);
	return rc < 0 ? rc : 0;
}

int kb_category_delete(struct store *s, int64_t id)
{
	int rc = store_run(s, "DELETE FROM kb_category WHERE id = ?", NULL, "i", id);

	return rc < 0 ? rc : 0;
}

/* -- attachments -- */

#define ATT_COLS "id, article_id, filename, mime, size, sha256, uploaded_by, created_at"

static int attachment_read(struct store_stmt *st, void *dst)
{
	struct kb_attachment *a = dst;

	memset(a, 0, sizeof(*a));
	a->id = store_col_int(st, 0);
	a->article_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, a->filename);
	STORE_COL_COPY(st, 3, a->mime);
	a->size = store_col_int(st, 4);
	STORE_COL_COPY(st, 5, a->sha256);
	a->uploaded_by = store_col_int(st, 6);
	a->created_at = store_col_int(st, 7);
	return 0;
}

int kb_attachment_insert(struct store *s, struct kb_attachment *a)
{
	int rc = store_run(s,
			   "INSERT INTO kb_attachment(article_id, filename, mime, size, sha256,"
			   " uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			   &a->id, "ittitii", a->article_id, a->filename, a->mime, a->size,
			   a->sha256, a->uploaded_by, a->created_at);

	if (rc == 0)
		return ERR_IO;
	return rc < 0 ? rc : 0;
}

int kb_attachment_get(struct store *s, int64_t id, struct kb_attachment *out)
{
	return store_one(
		store_query(s, "SELECT " ATT_COLS " FROM kb_attachment WHERE id = ?", "i", id),
		attachment_read, out);
}

int kb_attachment_list(struct store *s, int64_t article_id,
		       int (*fn)(void *ctx, const struct kb_attachment *a), void *ctx)
{
	struct store_stmt *st = store_query(
		s, "SELECT " ATT_COLS " FROM kb_attachment WHERE article_id = ? ORDER BY id", "i",
		article_id);
	struct kb_attachment a;
	int rc, n = 0;

	while ((rc = store_next(st, attachment_read, &a)) == 1 && (rc = fn(ctx, &a)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int kb_attachment_delete(struct store *s, const struct kb_attachment *a, int *last)
{
	int64_t refs = 0;
	int rc = store_run(s, "DELETE FROM kb_attachment WHERE id = ?", NULL, "i", a->id);

	if (rc >= 0)
		rc = att_file_refs(s, a->sha256, &refs);
	*last = rc >= 0 && refs == 0;
	return rc < 0 ? rc : 0;
}
