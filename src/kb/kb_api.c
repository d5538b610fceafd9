/*
 * The knowledge base over HTTP (docs/api.md, "Knowledge base"): articles and
 * scripts with their versions, diff and workflow (/api/kb/articles*), the
 * readers' feedback, the category tree (/api/kb/categories*) and
 * attachments (/api/kb/articles/{id}/attachments, /api/kb/attachments/{id}).
 *
 * Every route takes at least kb.read; what a reader who is no editor may see
 * is decided here (kb_visible): anything else answers 404. Writes run in
 * one transaction with their kb_event and audit entry (entity kb_article or
 * kb_category).
 */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "att/att.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/utf8.h"
#include "cust/cust.h"
#include "http/http.h"
#include "kb/kb.h"
#include "org/org.h"
#include "store/store.h"

static int is_editor(struct req *r)
{
	return auth_scope(&r->who, ACT_KB_EDIT) != SCOPE_NONE;
}

int kb_api_readable(struct req *r, const struct kb_article *a)
{
	struct kb_audience au;

	if (is_editor(r))
		return 1;
	kb_article_audience(a, &au);
	return kb_visible(&au, a->published_version, r->who.roles, r->who.department_id);
}

/* The article of route parameter 0 as the caller may see it; 404 otherwise. */
static int article_load(struct req *r, struct kb_article *a)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = kb_article_get(r->store, id, a);
	if (rc == 0 && !kb_api_readable(r, a))
		rc = ERR_NOTFOUND;
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such article");
	return rc;
}

static json_t *id_or_null(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *person_or_null(int64_t id, const char *name)
{
	return id ? json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", name) : json_null();
}

static json_t *parsed(const char *text, json_t *fallback)
{
	json_t *v = json_loads(text, 0, NULL);

	if (!v)
		return fallback;
	json_decref(fallback);
	return v;
}

/* The list's row: a reader sees the published version's title and number. */
static json_t *summary_json(struct req *r, const struct kb_article *a, int editor)
{
	return json_pack("{s:I, s:s, s:o, s:s, s:o, s:s, s:I, s:o, s:o, s:o, s:b, s:I, s:I, s:I,"
			 " s:I, s:I}",
			 "id", (json_int_t)a->id, "kind", a->kind, "slot", str_or_null(a->slot),
			 "title", editor ? a->title : a->pub_title, "category_id",
			 id_or_null(a->category_id), "state", editor ? a->state : "published",
			 "version", (json_int_t)(editor ? a->version : a->published_version),
			 "published_version", id_or_null(a->published_version), "owner",
			 person_or_null(a->owner_id, a->owner_name), "review_due",
			 str_or_null(a->review_due), "stale", kb_stale(a->review_due, r->now),
			 "updated_at", (json_int_t)a->updated_at, "views", (json_int_t)a->views,
			 "uses", (json_int_t)a->uses, "helpful", (json_int_t)a->helpful,
			 "unhelpful", (json_int_t)a->unhelpful);
}

/* A version's content; a reader's script with its placeholders filled. */
static json_t *version_json(struct req *r, const struct kb_version *v, int fill)
{
	struct buf body = BUF_INIT;
	struct kb_fill_values fv = {r->app->cfg->center_name, r->who.work_no, r->who.name};
	char *html = NULL;
	json_t *o;

	if (fill ? kb_fill(buf_str(&v->body), &fv, &body) : buf_puts(&body, buf_str(&v->body)))
		return NULL;
	if (kb_md_html(buf_str(&body), &html) < 0) {
		buf_release(&body);
		return NULL;
	}
	o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:I, s:o}", "version",
		      (json_int_t)v->version, "title", v->title, "body", buf_str(&body),
		      "body_html", html, "tags", parsed(buf_str(&v->tags), json_array()), "applies",
		      parsed(buf_str(&v->applies), json_object()), "author",
		      person_or_null(v->author_id, v->author_name), "created_at",
		      (json_int_t)v->created_at, "note", str_or_null(v->note));
	free(html);
	buf_release(&body);
	return o;
}

static int event_row(void *ctx, const struct kb_event *e)
{
	return json_array_append_new(
		ctx, json_pack("{s:s, s:I, s:o, s:I, s:o}", "action", e->action, "version",
			       (json_int_t)e->version, "person",
			       person_or_null(e->person_id, e->person_name), "at",
			       (json_int_t)e->at, "comment", str_or_null(e->comment)));
}

static int attachment_row(void *ctx, const struct kb_attachment *a)
{
	return json_array_append_new(ctx, json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)a->id,
						    "filename", a->filename, "mime", a->mime,
						    "size", (json_int_t)a->size));
}

/* The whole article as the caller may see it. */
static int article_json(struct req *r, const struct kb_article *a, json_t **out)
{
	int editor = is_editor(r), fill = !editor && strcmp(a->kind, "script") == 0;
	struct kb_version cur, pub;
	json_t *o = NULL, *events = json_array(), *atts = json_array(), *jc = NULL, *jp = NULL;
	int mine, rc = 0;

	memset(&cur, 0, sizeof(cur));
	memset(&pub, 0, sizeof(pub));
	if (a->published_version)
		rc = kb_version_get(r->store, a->id, a->published_version, &pub);
	if (rc == 0 && editor)
		rc = kb_version_get(r->store, a->id, a->version, &cur);
	if (rc == 0 && editor)
		rc = kb_event_list(r->store, a->id, event_row, events);
	if (rc >= 0)
		rc = kb_attachment_list(r->store, a->id, attachment_row, atts);
	mine = rc >= 0 ? kb_feedback_mine(r->store, a->id, r->who.person_id) : -1;
	if (mine < -1)
		rc = mine;
	if (rc >= 0) {
		jp = a->published_version ? version_json(r, &pub, fill) : json_null();
		jc = editor ? version_json(r, &cur, 0) : json_incref(jp);
		o = summary_json(r, a, editor);
	}
	if (rc >= 0 && (!o || !jc || !jp))
		rc = ERR_NOMEM;
	if (rc >= 0 &&
	    json_object_update_new(
		    o, json_pack("{s:o, s:o, s:b, s:o, s:o, s:o, s:O, s:O, s:O, s:O}", "roles",
				 parsed(a->roles, json_array()), "departments",
				 parsed(a->departments, json_array()), "public", a->public_,
				 "source", str_or_null(a->source), "source_order_id",
				 id_or_null(a->source_order_id), "my_feedback",
				 mine < 0 ? json_null() : json_boolean(mine), "current", jc,
				 "published", jp, "attachments", atts, "events", events)) < 0)
		rc = ERR_NOMEM;
	json_decref(jc);
	json_decref(jp);
	json_decref(atts);
	json_decref(events);
	kb_version_release(&cur);
	kb_version_release(&pub);
	if (rc < 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}

static int reply_article(struct req *r, unsigned status, int64_t id)
{
	struct kb_article a;
	json_t *o;
	int rc = kb_article_get(r->store, id, &a);

	if (rc == 0)
		rc = article_json(r, &a, &o);
	if (rc < 0)
		return rc;
	return reply_json(r, status, o);
}

/* -- the list -- */

struct list_ctx {
	struct req *r;
	json_t *items;
	int editor, limit;
	int64_t next;
};

static int list_row(void *p, const struct kb_article *a)
{
	struct list_ctx *c = p;

	if (!c->editor && !kb_api_readable(c->r, a))
		return 0;
	if ((int)json_array_size(c->items) == c->limit) {
		c->next = a->id + 1; /* the cursor: ids below it */
		return 1;
	}
	return json_array_append_new(c->items, summary_json(c->r, a, c->editor)) < 0 ? ERR_NOMEM
										     : 0;
}

static int articles_list(struct req *r)
{
	struct list_ctx c = {r, json_array(), is_editor(r), 50, 0};
	struct kb_filter f;
	const char *stale = NULL;
	char today[16];
	int64_t cat = 0;
	int rc, ymd = clock_local_ymd(r->now);

	memset(&f, 0, sizeof(f));
	rc = req_page(r, &c.limit, &f.before);
	if (rc == 0)
		rc = req_query(r, "state", &f.state);
	if (rc == 0)
		rc = req_query(r, "kind", &f.kind);
	if (rc == 0)
		rc = req_query(r, "slot", &f.slot);
	if (rc == 0)
		rc = req_query(r, "q", &f.q);
	if (rc == 0)
		rc = req_query(r, "stale", &stale);
	if (rc == 0)
		rc = req_query_int(r, "category", 1, INT64_MAX, &cat);
	if (rc == 0 && f.state && *f.state && !kb_state_valid(f.state))
		rc = err_set(&r->ei, ERR_INVALID, "state",
			     "state: draft, review, published or retired");
	if (rc == 0 && f.kind && *f.kind && !kb_kind_valid(f.kind))
		rc = err_set(&r->ei, ERR_INVALID, "kind", "kind: article or script");
	if (rc == 0 && f.slot && *f.slot && !kb_slot_valid(f.slot))
		rc = err_set(&r->ei, ERR_INVALID, "slot",
			     "slot: opening, closing, complaint, outbound, callback, addressing,"
			     " forbidden or other");
	if (rc < 0) {
		json_decref(c.items);
		return rc;
	}
	snprintf(today, sizeof(today), "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
	f.category_id = cat;
	f.stale = stale && strcmp(stale, "1") == 0;
	f.today = today;
	/* Readers: published articles only, whatever state they asked for. */
	f.readers = !c.editor;
	if (f.readers)
		f.state = NULL;
	rc = kb_article_list(r->store, &f, list_row, &c);
	if (rc < 0) {
		json_decref(c.items);
		return rc;
	}
	return reply_page(r, c.items, c.next);
}

/* -- the fields of an article -- */

/* What a create or update sends, checked. */
struct fields {
	struct kb_article a;
	struct kb_version v;
	int content; /* title, body, tags or applies changed */
};

static int text_field(struct req *r, int rc, const char *field, const char *s, size_t max,
		      int multiline)
{
	const char *why;

	if (kb_text_valid(s, max, multiline, &why) < 0)
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, field,
			       "%s: 1 to %d characters, no control characters", field, (int)max);
	return rc;
}

/* A JSON array of unique strings into compact text. */
static int tags_read(struct req *r, int rc, json_t *tags, struct buf *out)
{
	json_t *list = json_array(), *t;
	size_t i;
	char *text;

	json_array_foreach(tags, i, t)
	{
		const char *s = json_string_value(t), *why;
		size_t j;
		json_t *u;
		int dup = 0;

		if (!s || json_array_size(tags) > KB_TAGS_MAX ||
		    kb_text_valid(s, KB_TAG_MAX, 0, &why) < 0) {
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "tags",
				     "tags: at most %d tags of 1 to %d characters each",
				     KB_TAGS_MAX, KB_TAG_MAX);
			break;
		}
		json_array_foreach(list, j, u) dup |= strcmp(json_string_value(u), s) == 0;
		if (!dup)
			json_array_append_new(list, json_string(s));
	}
	text = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	if (!text)
		return rc ? rc : ERR_NOMEM;
	buf_reset(out);
	buf_puts(out, text);
	free(text);
	return rc;
}

/* applies: {classes, complaints, channels}, each a list of known codes. */
static int applies_read(struct req *r, int rc, json_t *in, struct buf *out)
{
	static const char *const keys[] = {"classes", "complaints", "channels"};
	json_t *norm = json_object(), *v;
	const char *key;
	char *text;

	json_object_foreach(in, key, v)
	{
		int known = 0;

		for (size_t k = 0; k < 3; k++)
			known |= strcmp(key, keys[k]) == 0;
		if (!known || !json_is_array(v) || json_array_size(v) > KB_APPLIES_MAX) {
			json_decref(norm);
			return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "applies",
				       "applies: an object of classes, complaints and channels,"
				       " each a list of codes");
		}
	}
	for (size_t k = 0; k < 3; k++) {
		json_t *list = json_array(), *c;
		size_t i;

		json_array_foreach(json_object_get(in, keys[k]), i, c)
		{
			const char *s = json_string_value(c);
			int ok = s != NULL, e;

			if (ok && k == 0)
				ok = kb_class_valid(s);
			else if (ok && k == 1) {
				e = kb_complaint_exists(r->store, s);
				if (e < 0) {
					json_decref(list);
					json_decref(norm);
					return e;
				}
				ok = e;
			} else if (ok)
				ok = cust_channel_valid(s);
			if (!ok) {
				rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "applies",
					     "applies.%s: no such code %s", keys[k],
					     s ? s : "(not a string)");
				break;
			}
			json_array_append_new(list, json_string(s));
		}
		json_object_set_new(norm, keys[k], list);
	}
	text = json_dumps(norm, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(norm);
	if (!text)
		return rc ? rc : ERR_NOMEM;
	buf_reset(out);
	buf_puts(out, text);
	free(text);
	return rc;
}

static int roles_read(struct req *r, int rc, json_t *in, char *out, size_t size)
{
	json_t *list = json_array(), *v;
	size_t i;
	char *text;

	json_array_foreach(in, i, v)
	{
		const char *s = json_string_value(v);

		if (!s || !org_role_parse(s)) {
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "roles", "roles: no role %s",
				     s ? s : "(not a string)");
			break;
		}
		json_array_append_new(list, json_string(org_role_name(org_role_parse(s))));
	}
	text = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	if (text)
		snprintf(out, size, "%s", text);
	free(text);
	return rc;
}

static int departments_read(struct req *r, int rc, json_t *in, char *out, size_t size)
{
	json_t *list = json_array(), *v;
	struct org_department d;
	size_t i;
	char *text;

	if (json_array_size(in) > KB_DEPTS_MAX)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "departments",
			     "departments: at most %d departments", KB_DEPTS_MAX);
	json_array_foreach(in, i, v)
	{
		int e = json_is_integer(v) ? org_department_get(r->store, json_integer_value(v), &d)
					   : ERR_NOTFOUND;

		if (e == ERR_NOTFOUND) {
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "departments",
				     "departments: no department %lld",
				     (long long)json_integer_value(v));
			break;
		}
		if (e < 0) {
			json_decref(list);
			return e;
		}
		json_array_append_new(list, json_integer(json_integer_value(v)));
	}
	text = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	if (text && rc >= 0)
		snprintf(out, size, "%s", text);
	free(text);
	return rc;
}

/* Type errors (400) first, one at a time; then each broken field (422) at once. */
static int fields_read(struct req *r, struct fields *f, int creating)
{
	static const char *const allowed[] = {
		"kind",	    "slot",	  "title", "body",	  "category_id", "tags", "applies",
		"owner_id", "review_due", "roles", "departments", "public",	 "note", NULL};
	const char *kind = NULL, *slot = NULL, *title = NULL, *body = NULL, *due = NULL,
		   *note = NULL;
	json_t *b = r->body, *tags, *applies, *roles, *depts;
	int64_t cat = -1, owner = -1;
	int pub = -1, rc = body_only(r, allowed), ymd, e;
	struct kb_category c;
	char *before_tags = NULL, *before_applies = NULL;

	if (rc == 0)
		rc = body_str(r, "kind", 0, &kind);
	if (rc == 0 && !(json_is_null(json_object_get(b, "slot"))))
		rc = body_str(r, "slot", 0, &slot);
	if (rc == 0)
		rc = body_str(r, "title", creating, &title);
	if (rc == 0)
		rc = body_str(r, "body", creating, &body);
	if (rc == 0 && body_has(r, "category_id"))
		rc = body_ref(r, "category_id", &cat);
	if (rc == 0 && body_has(r, "owner_id"))
		rc = body_ref(r, "owner_id", &owner);
	if (rc == 0 && !json_is_null(json_object_get(b, "review_due")))
		rc = body_str(r, "review_due", 0, &due);
	if (rc == 0 && !json_is_null(json_object_get(b, "note")))
		rc = body_str(r, "note", 0, &note);
	if (rc == 0)
		rc = body_bool(r, "public", &pub);
	tags = json_object_get(b, "tags");
	applies = json_object_get(b, "applies");
	roles = json_object_get(b, "roles");
	depts = json_object_get(b, "departments");
	if (rc == 0 && tags && !json_is_array(tags))
		rc = err_set(&r->ei, ERR_INVALID, "tags", "%s: expected an array", "tags");
	if (rc == 0 && roles && !json_is_array(roles))
		rc = err_set(&r->ei, ERR_INVALID, "roles", "%s: expected an array", "roles");
	if (rc == 0 && depts && !json_is_array(depts))
		rc = err_set(&r->ei, ERR_INVALID, "departments", "%s: expected an array",
			     "departments");
	if (rc == 0 && applies && !json_is_object(applies))
		rc = err_set(&r->ei, ERR_INVALID, "applies", "%s: expected an object", "applies");
	if (rc < 0)
		return rc;

	/* The content before, to tell whether it changed. */
	before_tags = strdup(buf_str(&f->v.tags));
	before_applies = strdup(buf_str(&f->v.applies));
	if (!before_tags || !before_applies) {
		free(before_tags);
		free(before_applies);
		return ERR_NOMEM;
	}
	if (kind) {
		if (!kb_kind_valid(kind))
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "kind",
				     "kind: article or script");
		else
			snprintf(f->a.kind, sizeof(f->a.kind), "%s", kind);
	}
	if (body_has(r, "slot"))
		snprintf(f->a.slot, sizeof(f->a.slot), "%s", slot ? slot : "");
	if (strcmp(f->a.kind, "script") == 0 && !kb_slot_valid(f->a.slot))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "slot",
			     "slot: opening, closing, complaint, outbound, callback, addressing,"
			     " forbidden or other");
	if (strcmp(f->a.kind, "article") == 0 && f->a.slot[0])
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "slot", "slot: only scripts have one");
	if (title) {
		rc = text_field(r, rc, "title", title, KB_TITLE_MAX, 0);
		if (strcmp(title, f->v.title) != 0)
			f->content = 1;
		snprintf(f->v.title, sizeof(f->v.title), "%s", title);
	}
	if (body) {
		if (strlen(body) > KB_BODY_MAX)
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "body",
				     "body: at most %d bytes", KB_BODY_MAX);
		else
			rc = text_field(r, rc, "body", body, KB_BODY_MAX, 1);
		if (strcmp(body, buf_str(&f->v.body)) != 0)
			f->content = 1;
		buf_reset(&f->v.body);
		buf_puts(&f->v.body, body);
	}
	if (tags)
		rc = tags_read(r, rc, tags, &f->v.tags);
	if (applies) {
		e = applies_read(r, rc, applies, &f->v.applies);
		if (e < 0 && e != ERR_UNPROCESSABLE && e != ERR_INVALID) {
			free(before_tags);
			free(before_applies);
			return e;
		}
		rc = e;
	}
	if (strcmp(before_tags, buf_str(&f->v.tags)) != 0 ||
	    strcmp(before_applies, buf_str(&f->v.applies)) != 0)
		f->content = 1;
	free(before_tags);
	free(before_applies);
	if (roles)
		rc = roles_read(r, rc, roles, f->a.roles, sizeof(f->a.roles));
	if (depts) {
		e = departments_read(r, rc, depts, f->a.departments, sizeof(f->a.departments));
		if (e < 0 && e != ERR_UNPROCESSABLE)
			return e;
		rc = e;
	}
	if (cat > 0) {
		e = kb_category_get(r->store, cat, &c);
		if (e == ERR_NOTFOUND)
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "category_id",
				     "category_id: no such category");
		else if (e < 0)
			return e;
	}
	if (cat >= 0)
		f->a.category_id = cat;
	if (owner > 0) {
		e = kb_person_exists(r->store, owner);
		if (e < 0)
			return e;
		if (!e)
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "owner_id",
				     "owner_id: no such person");
	}
	if (owner >= 0)
		f->a.owner_id = owner;
	if (due && !kb_date_parse(due, &ymd))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "review_due", "%s: a date YYYY-MM-DD",
			     "review_due");
	if (body_has(r, "review_due"))
		snprintf(f->a.review_due, sizeof(f->a.review_due), "%s", due ? due : "");
	if (note)
		rc = text_field(r, rc, "note", note, KB_NOTE_MAX, 1);
	snprintf(f->v.note, sizeof(f->v.note), "%s", note ? note : "");
	if (pub >= 0)
		f->a.public_ = pub;
	return rc;
}

/* The audit detail of a save: the fields sent, never their values. */
static json_t *fields_sent(struct req *r)
{
	json_t *names = json_array(), *v;
	const char *k;

	json_object_foreach(r->body, k, v) json_array_append_new(names, json_string(k));
	return names;
}

static int article_create(struct req *r)
{
	struct fields f;
	int rc;

	memset(&f, 0, sizeof(f));
	snprintf(f.a.kind, sizeof(f.a.kind), "article");
	snprintf(f.a.roles, sizeof(f.a.roles), "[]");
	snprintf(f.a.departments, sizeof(f.a.departments), "[]");
	buf_puts(&f.v.tags, "[]");
	buf_puts(&f.v.applies, "{\"classes\":[],\"complaints\":[],\"channels\":[]}");
	rc = fields_read(r, &f, 1);
	if (rc < 0)
		goto out;
	snprintf(f.a.state, sizeof(f.a.state), "draft");
	snprintf(f.a.title, sizeof(f.a.title), "%s", f.v.title);
	f.a.created_by = r->who.person_id;
	f.a.created_at = f.a.updated_at = r->now;
	f.v.author_id = r->who.person_id;
	f.v.created_at = r->now;
	rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	rc = kb_article_insert(r->store, &f.a, &f.v);
	if (rc == 0)
		rc = kb_event_add(r->store, f.a.id, 1, "created", r->who.person_id, r->now, NULL);
	if (rc == 0)
		rc = req_audit(r, "kb.article.create", "kb_article", f.a.id, "ok",
			       json_pack("{s:s, s:o, s:o}", "kind", f.a.kind, "slot",
					 str_or_null(f.a.slot), "fields", fields_sent(r)));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = reply_article(r, 201, f.a.id);
out:
	kb_version_release(&f.v);
	return rc;
}

static int article_one(struct req *r)
{
	struct kb_article a;
	json_t *o;
	int rc = article_load(r, &a);

	if (rc < 0)
		return rc;
	/* Reading counts a view (the usage report), outside any other write. */
	rc = store_begin(r->store);
	if (rc == 0)
		rc = req_finish(r, kb_view_add(r->store, a.id));
	if (rc == 0)
		rc = kb_article_get(r->store, a.id, &a);
	if (rc == 0)
		rc = article_json(r, &a, &o);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, o);
}

static int article_update(struct req *r)
{
	struct fields f;
	char state_before[16] = "";
	int rc;

	memset(&f, 0, sizeof(f));
	/* Read and written in one transaction: two saves at once make two versions. */
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = article_load(r, &f.a);
	if (rc == 0)
		rc = kb_version_get(r->store, f.a.id, f.a.version, &f.v);
	if (rc == 0) {
		snprintf(state_before, sizeof(state_before), "%s", f.a.state);
		f.v.note[0] = '\0';
		rc = fields_read(r, &f, 0);
	}
	f.a.updated_at = r->now;
	if (rc == 0 && f.content) {
		/* A new version, in draft: readers keep the published one. */
		f.a.version++;
		f.v.version = f.a.version;
		f.v.author_id = r->who.person_id;
		f.v.created_at = r->now;
		snprintf(f.a.title, sizeof(f.a.title), "%s", f.v.title);
		snprintf(f.a.state, sizeof(f.a.state), "%s", kb_state_after_edit(f.a.state));
		rc = kb_version_insert(r->store, &f.v);
		if (rc == 0)
			rc = kb_event_add(r->store, f.a.id, f.a.version, "edited", r->who.person_id,
					  r->now, NULL);
	}
	if (rc == 0)
		rc = kb_article_update(r->store, &f.a);
	if (rc == 0)
		rc = req_audit(r, "kb.article.update", "kb_article", f.a.id, "ok",
			       json_pack("{s:o, s:b, s:I, s:s, s:s}", "fields", fields_sent(r),
					 "new_version", f.content, "version",
					 (json_int_t)f.a.version, "state_before", state_before,
					 "state", f.a.state));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = reply_article(r, 200, f.a.id);
	kb_version_release(&f.v);
	return rc;
}

/* -- the workflow -- */

static int article_move(struct req *r, enum kb_op op)
{
	static const char *const allowed[] = {"comment", NULL};
	const char *comment = NULL, *next, *why;
	struct kb_article a;
	struct kb_version v;
	char from[16], action[40];
	int rc = 0;

	/* The route took kb_op_action(op) already. */
	memset(&v, 0, sizeof(v));
	if (r->body)
		rc = body_only(r, allowed);
	if (rc == 0 && r->body && !json_is_null(json_object_get(r->body, "comment")))
		rc = body_str(r, "comment", 0, &comment);
	if (rc < 0)
		return rc;
	/* The dialog's empty box: no comment (KbComment has no minimum). */
	if (comment && utf8_blank(comment))
		comment = NULL;
	if (comment && kb_text_valid(comment, KB_COMMENT_MAX, 1, &why) < 0)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "comment",
			       "%s: 1 to %d characters, no control characters", "comment",
			       KB_COMMENT_MAX);
	if (op == KB_REJECT && !comment)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "comment",
			       "comment: say what must change");
	/* The state is read in the transaction that changes it: two approvals
	 * at once make one. */
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = article_load(r, &a);
	next = rc == 0 ? kb_transition(a.state, op) : NULL;
	if (rc == 0 && !next)
		rc = err_set(&r->ei, ERR_CONFLICT, "state", "cannot %s an article that is %s",
			     kb_op_name(op), a.state);
	if (rc == 0) {
		snprintf(from, sizeof(from), "%s", a.state);
		snprintf(a.state, sizeof(a.state), "%s", next);
		a.updated_at = r->now;
	}
	if (rc == 0 && op == KB_APPROVE) {
		a.published_version = a.version;
		a.published_at = r->now;
		rc = kb_version_get(r->store, a.id, a.version, &v);
		if (rc == 0)
			rc = kb_applies_set(r->store, a.id, buf_str(&v.applies));
	} else if (rc == 0 && op == KB_RETIRE) {
		/* Out of the readers' reach: restored, it is approved again. */
		a.published_version = 0;
		rc = kb_applies_set(r->store, a.id, NULL);
	}
	if (rc == 0)
		rc = kb_article_update(r->store, &a);
	if (rc == 0 && op == KB_APPROVE)
		rc = kb_search_index(r->store, a.id);
	if (rc == 0 && op == KB_RETIRE)
		rc = kb_search_unindex(r->store, a.id);
	if (rc == 0)
		rc = kb_event_add(r->store, a.id, a.version, kb_op_event(op), r->who.person_id,
				  r->now, comment);
	snprintf(action, sizeof(action), "kb.article.%s", kb_op_name(op));
	if (rc == 0)
		rc = req_audit(r, action, "kb_article", a.id, "ok",
			       json_pack("{s:I, s:s, s:s, s:o}", "version", (json_int_t)a.version,
					 "from", from, "to", a.state, "comment",
					 str_or_null(comment)));
	kb_version_release(&v);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_article(r, 200, a.id);
}

static int article_submit(struct req *r)
{
	return article_move(r, KB_SUBMIT);
}

static int article_approve(struct req *r)
{
	return article_move(r, KB_APPROVE);
}

static int article_reject(struct req *r)
{
	return article_move(r, KB_REJECT);
}

static int article_retire(struct req *r)
{
	return article_move(r, KB_RETIRE);
}

static int article_restore(struct req *r)
{
	return article_move(r, KB_RESTORE);
}

/* -- versions and the diff -- */

static int version_row(void *ctx, const struct kb_version *v)
{
	return json_array_append_new(
		ctx,
		json_pack("{s:I, s:s, s:o, s:I, s:o}", "version", (json_int_t)v->version, "title",
			  v->title, "author", person_or_null(v->author_id, v->author_name),
			  "created_at", (json_int_t)v->created_at, "note", str_or_null(v->note)));
}

static int article_versions(struct req *r)
{
	struct kb_article a;
	json_t *items;
	int rc = article_load(r, &a);

	if (rc < 0)
		return rc;
	items = json_array();
	rc = kb_version_list(r->store, a.id, version_row, items);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int diff_row(void *ctx, const struct kb_diff_line *l)
{
	char op[2] = {l->op, '\0'};

	return json_array_append_new(ctx,
				     json_pack("{s:s, s:s%}", "op", op, "text", l->text, l->len));
}

static int article_diff(struct req *r)
{
	struct kb_article a;
	struct kb_version from, to;
	int64_t nf = 0, nt = 0;
	json_t *lines;
	int rc = article_load(r, &a);

	memset(&from, 0, sizeof(from));
	memset(&to, 0, sizeof(to));
	if (rc == 0)
		rc = req_query_int(r, "from", 1, a.version, &nf);
	if (rc == 0)
		rc = req_query_int(r, "to", 1, a.version, &nt);
	if (rc < 0)
		return rc;
	/* By default the published version against the newest, or the one before it. */
	if (!nt)
		nt = a.version;
	if (!nf)
		nf = a.published_version && a.published_version != nt ? a.published_version
		     : nt > 1					      ? nt - 1
								      : nt;
	rc = kb_version_get(r->store, a.id, nf, &from);
	if (rc == 0)
		rc = kb_version_get(r->store, a.id, nt, &to);
	if (rc == ERR_NOTFOUND)
		rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "no such version");
	lines = json_array();
	if (rc == 0)
		rc = kb_diff(buf_str(&from.body), buf_str(&to.body), diff_row, lines);
	if (rc == 0)
		rc = reply_json(r, 200,
				json_pack("{s:I, s:I, s:{s:s, s:s}, s:o}", "from", (json_int_t)nf,
					  "to", (json_int_t)nt, "title", "from", from.title, "to",
					  to.title, "lines", json_incref(lines)));
	json_decref(lines);
	kb_version_release(&from);
	kb_version_release(&to);
	return rc;
}

/* -- feedback -- */

static int article_feedback(struct req *r)
{
	static const char *const allowed[] = {"helpful", "comment", NULL};
	const char *comment = NULL, *why;
	struct kb_article a;
	int helpful = -1, rc = article_load(r, &a);

	if (rc == 0)
		rc = body_only(r, allowed);
	if (rc == 0)
		rc = body_bool(r, "helpful", &helpful);
	if (rc == 0 && helpful < 0)
		rc = err_set(&r->ei, ERR_INVALID, "helpful", "%s: required", "helpful");
	if (rc == 0 && !json_is_null(json_object_get(r->body, "comment")))
		rc = body_str(r, "comment", 0, &comment);
	if (rc == 0 && comment && utf8_blank(comment))
		comment = NULL;
	if (rc == 0 && comment && kb_text_valid(comment, KB_COMMENT_MAX, 1, &why) < 0)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "comment",
			     "%s: 1 to %d characters, no control characters", "comment",
			     KB_COMMENT_MAX);
	if (rc == 0 && !a.published_version)
		rc = err_set(&r->ei, ERR_CONFLICT, "state",
			     "only a published article takes feedback");
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc == 0)
		rc = kb_feedback_set(r->store, a.id, r->who.person_id, helpful, comment, r->now);
	if (rc == 0)
		rc = req_audit(r, "kb.article.feedback", "kb_article", a.id, "ok",
			       json_pack("{s:b}", "helpful", helpful));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = kb_article_get(r->store, a.id, &a);
	if (rc < 0)
		return rc;
	return reply_json(r, 200,
			  json_pack("{s:I, s:I, s:b}", "helpful", (json_int_t)a.helpful,
				    "unhelpful", (json_int_t)a.unhelpful, "my_feedback", helpful));
}

/* -- categories -- */

static json_t *category_json(const struct kb_category *c)
{
	return json_pack("{s:I, s:o, s:s, s:I, s:I}", "id", (json_int_t)c->id, "parent_id",
			 id_or_null(c->parent_id), "name", c->name, "position",
			 (json_int_t)c->position, "articles", (json_int_t)c->articles);
}

static int category_row(void *ctx, const struct kb_category *c)
{
	return json_array_append_new(ctx, category_json(c));
}

static int categories_list(struct req *r)
{
	json_t *items = json_array();
	int rc = kb_category_list(r->store, category_row, items);

	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* The sent fields onto c; a parent must exist and not be c or below it. */
static int category_read(struct req *r, struct kb_category *c, int creating)
{
	static const char *const allowed[] = {"parent_id", "name", "position", NULL};
	const char *name = NULL;
	int64_t parent = -1, pos = c->position;
	json_t *jp = json_object_get(r->body, "position");
	int rc = body_only(r, allowed);

	if (rc == 0)
		rc = body_str(r, "name", creating, &name);
	if (rc == 0 && body_has(r, "parent_id"))
		rc = body_ref(r, "parent_id", &parent);
	if (rc == 0 && jp) {
		if (!json_is_integer(jp) || json_integer_value(jp) < 0 ||
		    json_integer_value(jp) > 1000000)
			rc = err_set(&r->ei, ERR_INVALID, "position",
				     "%s: expected a whole number from %lld to %lld", "position",
				     0LL, 1000000LL);
		else
			pos = json_integer_value(jp);
	}
	if (rc < 0)
		return rc;
	if (name) {
		rc = text_field(r, rc, "name", name, KB_CATEGORY_MAX, 0);
		snprintf(c->name, sizeof(c->name), "%s", name);
	}
	c->position = pos;
	if (parent >= 0)
		c->parent_id = parent;
	/* Walk up from the parent: c itself among its ancestors would be a loop. */
	for (int64_t p = c->parent_id, hops = 0; p && rc >= 0; hops++) {
		struct kb_category up;
		int e = kb_category_get(r->store, p, &up);

		if (e == ERR_NOTFOUND || (c->id && p == c->id) || hops > 1000) {
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "parent_id",
				     "parent_id: no such category, or one below this one");
			break;
		}
		if (e < 0)
			return e;
		p = up.parent_id;
	}
	return rc;
}

static int category_create(struct req *r)
{
	struct kb_category c;
	int rc;

	memset(&c, 0, sizeof(c));
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = category_read(r, &c, 1);
	if (rc == 0)
		rc = kb_category_insert(r->store, &c, r->now);
	if (rc == ERR_CONFLICT)
		rc = err_set(&r->ei, ERR_CONFLICT, "name",
			     "name: this category already has one of that name");
	if (rc == 0)
		rc = req_audit(r, "kb.category.create", "kb_category", c.id, "ok",
			       json_pack("{s:s, s:o}", "name", c.name, "parent_id",
					 id_or_null(c.parent_id)));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 201, category_json(&c));
}

static int category_load(struct req *r, struct kb_category *c)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = kb_category_get(r->store, id, c);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such category");
	return rc;
}

static int category_update(struct req *r)
{
	struct kb_category c;
	int rc = store_begin(r->store);

	if (rc < 0)
		return rc;
	/* The tree is walked in the transaction that moves c: no loop slips in. */
	rc = category_load(r, &c);
	if (rc == 0)
		rc = category_read(r, &c, 0);
	if (rc == 0)
		rc = kb_category_update(r->store, &c);
	if (rc == ERR_CONFLICT)
		rc = err_set(&r->ei, ERR_CONFLICT, "name",
			     "name: this category already has one of that name");
	if (rc == 0)
		rc = req_audit(r, "kb.category.update", "kb_category", c.id, "ok",
			       json_pack("{s:s, s:o, s:I}", "name", c.name, "parent_id",
					 id_or_null(c.parent_id), "position",
					 (json_int_t)c.position));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, category_json(&c));
}

static int category_delete(struct req *r)
{
	struct kb_category c;
	int rc = store_begin(r->store);

	if (rc < 0)
		return rc;
	/* Empty, as seen in the transaction that deletes it. */
	rc = category_load(r, &c);
	if (rc == 0 && (c.articles || c.children))
		rc = err_set(&r->ei, ERR_CONFLICT, NULL,
			     "the category still holds %lld articles and %lld categories",
			     (long long)c.articles, (long long)c.children);
	if (rc == 0)
		rc = kb_category_delete(r->store, c.id);
	if (rc == 0)
		rc = req_audit(r, "kb.category.delete", "kb_category", c.id, "ok",
			       json_pack("{s:s}", "name", c.name));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	r->status = 204;
	return 0;
}

/* -- attachments -- */

static json_t *attachment_json(const struct kb_attachment *a)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:I, s:I}", "id", (json_int_t)a->id, "article_id",
			 (json_int_t)a->article_id, "filename", a->filename, "mime", a->mime,
			 "size", (json_int_t)a->size, "created_at", (json_int_t)a->created_at);
}

static int attachment_upload(struct req *r)
{
	struct kb_article art;
	struct kb_attachment a;
	const char *why = NULL, *mime;
	char name[ATT_NAME_MAX + 1];
	int rc = article_load(r, &art);

	memset(&a, 0, sizeof(a));
	if (rc < 0)
		return rc;
	if (r->raw_len == 0)
		return err_set(&r->ei, ERR_INVALID, "file",
			       "file: send the file's bytes as the body, its name in X-Filename");
	if ((int64_t)r->raw_len > r->app->cfg->attachment_max)
		return err_set(&r->ei, ERR_TOOBIG, "file", "file: larger than %lld bytes",
			       (long long)r->app->cfg->attachment_max);
	if (att_filename(req_header(r, "X-Filename"), name, sizeof(name), &why) < 0)
		return err_set(&r->ei, ERR_INVALID, "filename", "%s", why);
	/* The content decides (att_sniff), never the name or the Content-Type. */
	mime = att_sniff((const unsigned char *)r->raw, r->raw_len);
	if (!mime)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "file",
			       "file: only JPEG, PNG or WebP images and PDF documents are taken");
	snprintf(a.filename, sizeof(a.filename), "%s", name);
	snprintf(a.mime, sizeof(a.mime), "%s", mime);
	a.article_id = art.id;
	a.size = (int64_t)r->raw_len;
	a.uploaded_by = r->who.person_id;
	a.created_at = r->now;
	rc = att_file_put_begin(r->store, r->app->cfg->attachments_dir, r->raw, r->raw_len,
				a.sha256);
	if (rc < 0)
		return rc;
	rc = kb_attachment_insert(r->store, &a);
	if (rc == 0)
		rc = req_audit(r, "kb.attachment.add", "kb_article", art.id, "ok",
			       json_pack("{s:I, s:s, s:s, s:I, s:s}", "attachment_id",
					 (json_int_t)a.id, "filename", a.filename, "mime", a.mime,
					 "size", (json_int_t)a.size, "sha256", a.sha256));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 201, attachment_json(&a));
}

/* The attachment of route parameter 0, if the caller may see its article. */
static int attachment_load(struct req *r, struct kb_attachment *a)
{
	struct kb_article art;
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = kb_attachment_get(r->store, id, a);
	if (rc == 0)
		rc = kb_article_get(r->store, a->article_id, &art);
	if (rc == 0 && !kb_api_readable(r, &art))
		rc = ERR_NOTFOUND;
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such attachment");
	return rc;
}

static int attachment_download(struct req *r)
{
	struct kb_attachment a;
	char path[700], disposition[3 * ATT_NAME_MAX + 128];
	int fd, rc = attachment_load(r, &a);

	if (rc < 0)
		return rc;
	att_file_path(r->app->cfg->attachments_dir, a.sha256, path, sizeof(path));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		log_warn("kb: attachment %lld: the file %s is missing", (long long)a.id, path);
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "the attachment's file is missing");
	}
	att_disposition(a.id, a.filename, a.mime, disposition, sizeof(disposition));
	return reply_file(r, fd, a.mime, disposition);
}

static int attachment_delete(struct req *r)
{
	struct kb_attachment a;
	int last = 0, rc = attachment_load(r, &a);

	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = kb_attachment_delete(r->store, &a, &last);
	if (rc == 0)
		rc = req_audit(r, "kb.attachment.delete", "kb_article", a.article_id, "ok",
			       json_pack("{s:I, s:s, s:s}", "attachment_id", (json_int_t)a.id,
					 "filename", a.filename, "sha256", a.sha256));
	/* Inside the transaction, as att_api.c does: an upload of the same bytes
	 * checks for the file inside its own. */
	if (rc == 0 && last)
		att_file_remove(r->app->cfg->attachments_dir, a.sha256);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	r->status = 204;
	return 0;
}

const struct route kb_routes[] = {
	{"GET", "/api/kb/articles", articles_list, ACT_KB_READ},
	{"POST", "/api/kb/articles", article_create, ACT_KB_EDIT},
	{"GET", "/api/kb/articles/{id}", article_one, ACT_KB_READ},
	{"PUT", "/api/kb/articles/{id}", article_update, ACT_KB_EDIT},
	{"POST", "/api/kb/articles/{id}/submit", article_submit, ACT_KB_EDIT},
	{"POST", "/api/kb/articles/{id}/approve", article_approve, ACT_KB_REVIEW},
	{"POST", "/api/kb/articles/{id}/reject", article_reject, ACT_KB_REVIEW},
	{"POST", "/api/kb/articles/{id}/retire", article_retire, ACT_KB_REVIEW},
	{"POST", "/api/kb/articles/{id}/restore", article_restore, ACT_KB_REVIEW},
	{"GET", "/api/kb/articles/{id}/versions", article_versions, ACT_KB_EDIT},
	{"GET", "/api/kb/articles/{id}/diff", article_diff, ACT_KB_EDIT},
	{"POST", "/api/kb/articles/{id}/feedback", article_feedback, ACT_KB_READ},
	{"POST", "/api/kb/articles/{id}/attachments", attachment_upload, ACT_KB_EDIT},
	{"GET", "/api/kb/attachments/{id}", attachment_download, ACT_KB_READ},
	{"DELETE", "/api/kb/attachments/{id}", attachment_delete, ACT_KB_EDIT},
	{"GET", "/api/kb/categories", categories_list, ACT_KB_READ},
	{"POST", "/api/kb/categories", category_create, ACT_KB_SETUP},
	{"PUT", "/api/kb/categories/{id}", category_update, ACT_KB_SETUP},
	{"DELETE", "/api/kb/categories/{id}", category_delete, ACT_KB_SETUP},
	{NULL, NULL, NULL, 0},
};
