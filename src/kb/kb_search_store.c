/*
 * The knowledge base's search in SQL (kb_search.h): the index kb_fts, the
 * visible matches, synonyms, the search log, uses, the desk's suggestions
 * and the report.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "kb/kb.h"
#include "store/store.h"

/* What an agent may read: published, not retired. */
#define LIVE "a.published_version IS NOT NULL AND a.state <> 'retired'"
/*
 * Visibility: everything for editors (the first value); else the article's
 * roles (empty: everyone) include one of the viewer's (8 values, NULL for
 * none) and its departments (empty: everyone) include the viewer's. The
 * text comparison with '[]' first: most articles are for everyone, and it
 * is cheaper than parsing the JSON.
 */
#define VISIBLE                                                                                    \
	"(? OR ((a.roles = '[]' OR json_array_length(a.roles) = 0 OR EXISTS (SELECT 1 FROM"        \
	" json_each(a.roles) WHERE value IN (?, ?, ?, ?, ?, ?, ?, ?))) AND (a.departments = '[]'"  \
	" OR json_array_length(a.departments) = 0 OR EXISTS (SELECT 1 FROM"                        \
	" json_each(a.departments) WHERE value = ?))))"
#define VISIBLE_TYPES "itttttttti"
#define VISIBLE_ARGS(v)                                                                            \
	(int64_t)(v)->all, (v)->roles[0], (v)->roles[1], (v)->roles[2], (v)->roles[3],             \
		(v)->roles[4], (v)->roles[5], (v)->roles[6], (v)->roles[7], (v)->department_id

int kb_search_unindex(struct store *s, int64_t article_id)
{
	int rc = store_run(s, "DELETE FROM kb_fts WHERE rowid = ?", NULL, "i", article_id);

	return rc < 0 ? rc : 0;
}

struct indexed {
	struct buf title, body, tags;
};

static int indexed_read(struct store_stmt *st, void *dst)
{
	struct indexed *x = dst;
	const char *t = store_col_text_or(st, 0, ""), *b = store_col_text_or(st, 1, "");

	if (buf_puts(&x->title, t) < 0 || kb_md_text(b, &x->body) < 0 ||
	    buf_puts(&x->tags, store_col_text_or(st, 2, "")) < 0)
		return ERR_NOMEM;
	return 0;
}

int kb_search_index(struct store *s, int64_t article_id)
{
	struct indexed x = {BUF_INIT, BUF_INIT, BUF_INIT};
	struct buf initials = BUF_INIT;
	int rc =
		store_one(store_query(s,
				      "SELECT v.title, v.body, (SELECT group_concat(value, ' ')"
				      " FROM json_each(v.tags)) FROM kb_article a JOIN kb_version v"
				      " ON v.article_id = a.id AND v.version = a.published_version"
				      " WHERE a.id = ? AND " LIVE,
				      "i", article_id),
			  indexed_read, &x);

	if (rc == ERR_NOTFOUND) {
		rc = kb_search_unindex(s, article_id);
		goto out;
	}
	/* The initials of the title's and the tags' Chinese words (tk → 退款). */
	if (rc == 0)
		rc = kb_initials_material(buf_str(&x.title), &initials);
	if (rc == 0 && buf_puts(&initials, " ") < 0)
		rc = ERR_NOMEM;
	if (rc == 0)
		rc = kb_initials_material(buf_str(&x.tags), &initials);
	if (rc == 0)
		rc = kb_search_unindex(s, article_id);
	if (rc == 0)
		rc = store_run(s,
			       "INSERT INTO kb_fts(rowid, title, body, tags, initials)"
			       " VALUES (?, ?, ?, ?, ?)",
			       NULL, "itttt", article_id, buf_str(&x.title), buf_str(&x.body),
			       buf_str(&x.tags), buf_str(&initials));
	rc = rc < 0 ? rc : 0;
out:
	buf_release(&x.title);
	buf_release(&x.body);
	buf_release(&x.tags);
	buf_release(&initials);
	return rc;
}

static int id_read(struct store_stmt *st, void *dst)
{
	*(int64_t *)dst = store_col_int(st, 0);
	return 0;
}

int kb_search_reindex_all(struct store *s)
{
	struct store_stmt *st;
	int64_t *ids = NULL, id;
	size_t n = 0, cap = 0;
	int rc;

	/* The index holds one row per live article; when the counts agree it is
	 * taken as sound (a start costs two counts), else it is rebuilt. */
	rc = store_run(s,
		       "SELECT 1 WHERE (SELECT count(*) FROM kb_fts) ="
		       " (SELECT count(*) FROM kb_article a WHERE " LIVE ")",
		       NULL, "");
	if (rc != 0)
		return rc < 0 ? rc : 0;
	st = store_query(s, "SELECT a.id FROM kb_article a WHERE " LIVE " ORDER BY a.id", "");
	while ((rc = store_next(st, id_read, &id)) == 1) {
		if (n == cap) {
			int64_t *more = realloc(ids, (cap ? cap * 2 : 64) * sizeof(*ids));

			if (!more) {
				rc = ERR_NOMEM;
				break;
			}
			ids = more;
			cap = cap ? cap * 2 : 64;
		}
		ids[n++] = id;
	}
	rc = store_end(st, rc, 0);
	if (rc == 0)
		rc = store_begin(s);
	if (rc == 0)
		rc = store_run(s, "DELETE FROM kb_fts", NULL, "");
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = kb_search_index(s, ids[i]);
	if (rc >= 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	free(ids);
	return rc < 0 ? rc : (int)n;
}

/* --- Synonyms. --- */

struct syn_list {
	struct kb_synonym *v;
	size_t n, cap;
};

static int syn_read(struct store_stmt *st, void *dst)
{
	struct syn_list *l = dst;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		struct kb_synonym *more = realloc(l->v, cap * sizeof(*more));

		if (!more)
			return ERR_NOMEM;
		l->v = more;
		l->cap = cap;
	}
	STORE_COL_COPY(st, 0, l->v[l->n].word);
	l->v[l->n].group = store_col_int(st, 1);
	l->n++;
	return 0;
}

int kb_synonyms_load(struct store *s, struct kb_synonym **out, size_t *n)
{
	struct syn_list l = {NULL, 0, 0};
	struct store_stmt *st = store_query(
		s, "SELECT word, group_id FROM kb_synonym ORDER BY group_id, rowid", "");
	int rc;

	while ((rc = store_next(st, syn_read, &l)) == 1)
		;
	rc = store_end(st, rc, 0);
	if (rc < 0) {
		free(l.v);
		return rc;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

int kb_synonyms_replace(struct store *s, const struct kb_synonym *syn, size_t n)
{
	int rc = store_run(s, "DELETE FROM kb_synonym", NULL, "");

	for (size_t i = 0; rc >= 0 && i < n; i++)
		rc = store_run(s, "INSERT INTO kb_synonym(word, group_id) VALUES (?, ?)", NULL,
			       "ti", syn[i].word, syn[i].group);
	return rc < 0 ? rc : 0;
}

/* --- Searching. --- */

static int hit_read(struct store_stmt *st, void *dst)
{
	struct kb_hit *h = dst;

	h->id = store_col_int(st, 0);
	h->bm25 = (double)store_col_int(st, 1) / 1e6;
	STORE_COL_COPY(st, 2, h->kind);
	STORE_COL_COPY(st, 3, h->slot);
	h->helpful = store_col_int(st, 4);
	h->unhelpful = store_col_int(st, 5);
	h->uses = store_col_int(st, 6);
	STORE_COL_COPY(st, 7, h->title);
	h->head = 0;
	h->score = 0;
	return 0;
}

/* The conditions every pass shares: live, visible, the filters. */
static void add_conditions(struct store_sql *q, const struct kb_viewer *v,
			   const struct kb_search_filter *f)
{
	store_sql_add(q, " AND " LIVE " AND " VISIBLE, VISIBLE_TYPES, VISIBLE_ARGS(v));
	if (f->kind)
		store_sql_add(q, " AND a.kind = ?", "t", f->kind);
	if (f->class_code)
		store_sql_add(q,
			      " AND EXISTS (SELECT 1 FROM kb_applies p WHERE p.article_id = a.id"
			      " AND p.kind = 'class' AND p.code = ?)",
			      "t", f->class_code);
	if (f->complaint)
		store_sql_add(q,
			      " AND EXISTS (SELECT 1 FROM kb_applies p WHERE p.article_id = a.id"
			      " AND p.kind = 'complaint' AND p.code = ?)",
			      "t", f->complaint);
	if (f->channel)
		store_sql_add(q,
			      " AND EXISTS (SELECT 1 FROM kb_applies p WHERE p.article_id = a.id"
			      " AND p.kind = 'channel' AND p.code = ?)",
			      "t", f->channel);
}

/* One pass: up to max - *n more hits not already in hits[0, *n); *rows
 * counts the rows the pass read. */
static int pass(struct store *s, const char *match, int head, const struct kb_viewer *v,
		const struct kb_search_filter *f, struct kb_hit *hits, int max, int *n, int *rows)
{
	struct store_sql q = STORE_SQL_INIT;
	struct store_stmt *st;
	struct kb_hit row;
	int rc = 0, before = *n;

	/*
	 * bm25 weights: title 8, body 1, tags 4, initials 3. It comes back as
	 * a whole number (millionths): the store reads integers only. Matches
	 * come newest first from the index and the pass stops after max: a
	 * common character costs one page, not every match's bm25.
	 */
	if (match)
		store_sql_add(
			&q,
			"SELECT a.id, CAST(bm25(kb_fts, 8.0, 1.0, 4.0, 3.0) * 1000000 AS INTEGER),"
			" a.kind, ifnull(a.slot, ''), a.helpful, a.unhelpful, a.uses, kb_fts.title"
			" FROM kb_fts JOIN kb_article a ON a.id = kb_fts.rowid"
			" WHERE kb_fts MATCH ?",
			"t", match);
	else
		store_sql_add(
			&q,
			"SELECT a.id, 0, a.kind, ifnull(a.slot, ''), a.helpful, a.unhelpful,"
			" a.uses, ifnull((SELECT title FROM kb_fts WHERE rowid = a.id), a.title)"
			" FROM kb_article a WHERE 1 = 1",
			"");
	add_conditions(&q, v, f);
	store_sql_add(&q,
		      match ? " ORDER BY kb_fts.rowid DESC LIMIT ?"
			    : " ORDER BY a.uses DESC, a.id LIMIT ?",
		      "i", (int64_t)max);
	st = store_sql_prepare(s, &q);
	*rows = 0;
	while (*n < max && (rc = store_next(st, hit_read, &row)) == 1) {
		int seen = 0;

		(*rows)++;
		for (int i = 0; i < before && !seen; i++)
			seen = hits[i].id == row.id;
		if (!seen) {
			row.head = head;
			hits[(*n)++] = row;
		}
	}
	if (*n >= max)
		rc = 0;
	return store_end(st, rc, 0);
}

int kb_search_run(struct store *s, const char *match, const struct kb_viewer *v,
		  const struct kb_search_filter *f, struct kb_hit *hits, int max, int *n,
		  int *total)
{
	struct store_sql q = STORE_SQL_INIT;
	struct buf heads = BUF_INIT;
	int64_t count = 0;
	int rc, rows = 0, half = max / 2;

	*n = 0;
	/*
	 * The newest matches first, in one scan of the index. Fewer than asked
	 * for: those are all, counted. Else the query is broad: the newest
	 * matches in titles, tags and initials join them (older than those,
	 * they would be missed), and the count is a count, up to
	 * KB_SEARCH_COUNT_MAX. The cost stays that of a page, however many match.
	 */
	rc = pass(s, match, 0, v, f, hits, match ? half : max, n, &rows);
	if (rc < 0)
		return rc;
	if (rows < (match ? half : max)) {
		*total = *n;
		return 0;
	}
	if (match) {
		if (buf_printf(&heads, "{title tags initials} : (%s)", match) < 0)
			return ERR_NOMEM;
		rc = pass(s, buf_str(&heads), 1, v, f, hits, max, n, &rows);
		buf_release(&heads);
		if (rc < 0)
			return rc;
		store_sql_add(&q,
			      "SELECT count(*) FROM (SELECT 1 FROM kb_fts JOIN kb_article a"
			      " ON a.id = kb_fts.rowid WHERE kb_fts MATCH ?",
			      "t", match);
	} else {
		store_sql_add(&q, "SELECT count(*) FROM (SELECT 1 FROM kb_article a WHERE 1 = 1",
			      "");
	}
	add_conditions(&q, v, f);
	store_sql_add(&q, " LIMIT ?)", "i", (int64_t)KB_SEARCH_COUNT_MAX);
	rc = store_once(store_sql_prepare(s, &q), 0, &count);
	if (rc < 0)
		return rc;
	*total = (int)count;
	return 0;
}

static int text_read(struct store_stmt *st, void *dst)
{
	struct buf *b = dst;

	if (buf_puts(&b[0], store_col_text_or(st, 0, "")) < 0 ||
	    buf_puts(&b[1], store_col_text_or(st, 1, "")) < 0)
		return ERR_NOMEM;
	return 0;
}

int kb_search_text(struct store *s, int64_t id, struct buf *title, struct buf *body)
{
	struct buf two[2] = {BUF_INIT, BUF_INIT};
	int rc = store_one(
		body ? store_query(s, "SELECT title, body FROM kb_fts WHERE rowid = ?", "i", id)
		     : store_query(s, "SELECT title, '' FROM kb_fts WHERE rowid = ?", "i", id),
		text_read, two);

	*title = two[0];
	if (body)
		*body = two[1];
	else
		buf_release(&two[1]);
	return rc;
}

struct last_search {
	int64_t id;
	char query[KB_QUERY_BYTES + 8];
};

static int last_read(struct store_stmt *st, void *dst)
{
	struct last_search *l = dst;

	l->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, l->query);
	return 0;
}

int kb_search_log(struct store *s, int64_t person_id, const char *query, int results, int64_t now)
{
	struct last_search l;
	int rc = store_one(
		store_query(s,
			    "SELECT id, query FROM kb_search_log WHERE person_id = ?"
			    " AND at >= ? AND article_id IS NULL ORDER BY id DESC LIMIT 1",
			    "di", person_id, now - 60000),
		last_read, &l);
	size_t a, b;

	if (rc < 0 && rc != ERR_NOTFOUND)
		return rc;
	a = rc == 0 ? strlen(l.query) : 0;
	b = strlen(query);
	/* Typing on (or back) refines the same search: one row, the last query. */
	if (rc == 0 && strncmp(l.query, query, a < b ? a : b) == 0)
		rc = store_run(
			s, "UPDATE kb_search_log SET query = ?, results = ?, at = ? WHERE id = ?",
			NULL, "tiii", query, (int64_t)results, now, l.id);
	else
		rc = store_run(s,
			       "INSERT INTO kb_search_log(at, person_id, query, results)"
			       " VALUES (?, ?, ?, ?)",
			       NULL, "idti", now, person_id, query, (int64_t)results);
	return rc < 0 ? rc : 0;
}

int kb_search_use(struct store *s, int64_t id, const struct kb_viewer *v, int64_t now,
		  int64_t *uses)
{
	int rc = store_run(s,
			   "UPDATE kb_article AS a SET uses = uses + 1 WHERE a.id = ? AND " LIVE
			   " AND " VISIBLE " RETURNING uses",
			   uses, "i" VISIBLE_TYPES, id, VISIBLE_ARGS(v));

	if (rc == 0)
		return ERR_NOTFOUND;
	if (rc < 0)
		return rc;
	/* The search that led to it, if there was one in the last 10 minutes. */
	rc = store_run(s,
		       "UPDATE kb_search_log SET article_id = ? WHERE id = (SELECT id FROM"
		       " kb_search_log WHERE person_id = ? AND at >= ? AND article_id IS NULL"
		       " AND results > 0 ORDER BY id DESC LIMIT 1)",
		       NULL, "idi", id, v->person_id, now - 600000);
	return rc < 0 ? rc : 0;
}

/* --- The desk's suggestions. --- */

struct script_row {
	int64_t id;
	char slot[24];
	struct buf title, body;
};

static int script_read(struct store_stmt *st, void *dst)
{
	struct script_row *r = dst;

	r->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, r->slot);
	buf_reset(&r->title);
	buf_reset(&r->body);
	if (buf_puts(&r->title, store_col_text_or(st, 2, "")) < 0 ||
	    buf_puts(&r->body, store_col_text_or(st, 3, "")) < 0)
		return ERR_NOMEM;
	return 0;
}

int kb_suggest_scripts(struct store *s, const struct kb_viewer *v, const char *class_code,
		       const char *complaint, const char *channel, void *items,
		       int (*row)(void *items, int64_t id, const char *slot, const char *title,
				  const char *body))
{
	struct script_row r = {0, "", BUF_INIT, BUF_INIT};
	/*
	 * CALL-3: the opening and the closing always (those for the channel
	 * asked, or for every channel); then the complaint type's answer
	 * scripts (WO-10), then the class's. A script that names complaint
	 * types answers those: once a type is chosen, the class brings only
	 * the scripts of the class as a whole, not the other types' answers
	 * (the seeded answers all name class A1).
	 */
	struct store_stmt *st = store_query(
		s,
		"SELECT a.id, ifnull(a.slot, ''), v.title, v.body FROM kb_article a"
		" JOIN kb_version v ON v.article_id = a.id AND v.version = a.published_version"
		" WHERE a.kind = 'script' AND " LIVE " AND " VISIBLE
		" AND ((a.slot IN ('opening', 'closing') AND (NOT EXISTS (SELECT 1 FROM kb_applies "
		"p"
		"  WHERE p.article_id = a.id AND p.kind = 'channel') OR EXISTS (SELECT 1 FROM"
		"  kb_applies p WHERE p.article_id = a.id AND p.kind = 'channel' AND p.code = ?)))"
		" OR EXISTS (SELECT 1 FROM kb_applies p WHERE p.article_id = a.id"
		"  AND p.kind = 'complaint' AND p.code = ?)"
		" OR (EXISTS (SELECT 1 FROM kb_applies p WHERE p.article_id = a.id"
		"  AND p.kind = 'class' AND p.code = ?) AND (? IS NULL OR NOT EXISTS (SELECT 1"
		"  FROM kb_applies p WHERE p.article_id = a.id AND p.kind = 'complaint'))))"
		" ORDER BY CASE WHEN a.slot = 'opening' THEN 0 WHEN a.slot = 'closing' THEN 3"
		" WHEN EXISTS (SELECT 1 FROM kb_applies p WHERE p.article_id = a.id"
		"  AND p.kind = 'complaint' AND p.code = ?) THEN 1 ELSE 2 END, a.uses DESC, a.id"
		" LIMIT 20",
		VISIBLE_TYPES "ttttt", VISIBLE_ARGS(v), channel, complaint, class_code, complaint,
		complaint);
	int rc, n = 0;

	while ((rc = store_next(st, script_read, &r)) == 1 &&
	       (rc = row(items, r.id, r.slot, buf_str(&r.title), buf_str(&r.body))) >= 0)
		n++;
	buf_release(&r.title);
	buf_release(&r.body);
	return store_end(st, rc, n);
}

int kb_suggest_articles(struct store *s, const struct kb_viewer *v, const char *class_code,
			const char *complaint, void *items,
			int (*row)(void *items, int64_t id, const char *title, const char *body))
{
	struct script_row r = {0, "", BUF_INIT, BUF_INIT};
	struct store_stmt *st;
	int rc, n = 0;

	if (!class_code && !complaint)
		return 0;
	/* The body as indexed (plain text) for the snippet. As for scripts,
	 * an article that names complaint types comes for those only once a
	 * type is chosen. */
	st = store_query(
		s,
		"SELECT a.id, '', f.title, f.body FROM kb_article a"
		" JOIN kb_fts f ON f.rowid = a.id"
		" WHERE a.kind = 'article' AND " LIVE " AND " VISIBLE
		" AND (EXISTS (SELECT 1 FROM kb_applies p WHERE p.article_id = a.id"
		"  AND p.kind = 'complaint' AND p.code = ?)"
		" OR (EXISTS (SELECT 1 FROM kb_applies p WHERE p.article_id = a.id"
		"  AND p.kind = 'class' AND p.code = ?) AND (? IS NULL OR NOT EXISTS (SELECT 1"
		"  FROM kb_applies p WHERE p.article_id = a.id AND p.kind = 'complaint'))))"
		" ORDER BY EXISTS (SELECT 1 FROM kb_applies p WHERE p.article_id = a.id"
		"  AND p.kind = 'complaint' AND p.code = ?) DESC, a.uses DESC, a.id LIMIT 10",
		VISIBLE_TYPES "tttt", VISIBLE_ARGS(v), complaint, class_code, complaint, complaint);
	while ((rc = store_next(st, script_read, &r)) == 1 &&
	       (rc = row(items, r.id, buf_str(&r.title), buf_str(&r.body))) >= 0)
		n++;
	buf_release(&r.title);
	buf_release(&r.body);
	return store_end(st, rc, n);
}

/* --- The report. --- */

static int zero_read(struct store_stmt *st, void *dst)
{
	return json_array_append_new(dst, json_pack("{s:s, s:I, s:I}", "query",
						    store_col_text_or(st, 0, ""), "count",
						    (json_int_t)store_col_int(st, 1), "last_at",
						    (json_int_t)store_col_int(st, 2)))
		       ? ERR_NOMEM
		       : 0;
}

static int used_read(struct store_stmt *st, void *dst)
{
	return json_array_append_new(dst, json_pack("{s:I, s:s, s:I, s:I}", "id",
						    (json_int_t)store_col_int(st, 0), "title",
						    store_col_text_or(st, 1, ""), "uses",
						    (json_int_t)store_col_int(st, 2), "views",
						    (json_int_t)store_col_int(st, 3)))
		       ? ERR_NOMEM
		       : 0;
}

static int helpful_read(struct store_stmt *st, void *dst)
{
	return json_array_append_new(dst, json_pack("{s:I, s:s, s:I, s:I}", "id",
						    (json_int_t)store_col_int(st, 0), "title",
						    store_col_text_or(st, 1, ""), "helpful",
						    (json_int_t)store_col_int(st, 2), "unhelpful",
						    (json_int_t)store_col_int(st, 3)))
		       ? ERR_NOMEM
		       : 0;
}

static int stale_read(struct store_stmt *st, void *dst)
{
	json_t *owner = store_col_null(st, 3)
				? json_null()
				: json_pack("{s:I, s:s}", "id", (json_int_t)store_col_int(st, 3),
					    "name", store_col_text_or(st, 4, ""));

	return json_array_append_new(dst, json_pack("{s:I, s:s, s:s, s:o}", "id",
						    (json_int_t)store_col_int(st, 0), "title",
						    store_col_text_or(st, 1, ""), "review_due",
						    store_col_text_or(st, 2, ""), "owner", owner))
		       ? ERR_NOMEM
		       : 0;
}

static int walk(struct store_stmt *st, store_read_fn *read, json_t *arr)
{
	int rc;

	while ((rc = store_next(st, read, arr)) == 1)
		;
	return store_end(st, rc, 0);
}

int kb_search_report(struct store *s, int64_t from, int64_t to, const char *today, json_t **out)
{
	json_t *zero = json_array(), *used = json_array(), *least = json_array(),
	       *stale = json_array();
	int rc;

	/* WO-9: what agents looked for and did not find, most asked first. */
	rc = walk(store_query(s,
			      "SELECT query, count(*), max(at) FROM kb_search_log"
			      " WHERE results = 0 AND at >= ? AND at < ?"
			      " GROUP BY query ORDER BY count(*) DESC, max(at) DESC LIMIT 50",
			      "ii", from, to),
		  zero_read, zero);
	if (rc >= 0)
		rc = walk(store_query(s,
				      "SELECT a.id, a.title, a.uses, a.views FROM kb_article a"
				      " WHERE " LIVE " AND a.uses > 0"
				      " ORDER BY a.uses DESC, a.id LIMIT 20",
				      ""),
			  used_read, used);
	if (rc >= 0)
		rc = walk(
			store_query(s,
				    "SELECT a.id, a.title, a.helpful, a.unhelpful FROM kb_article a"
				    " WHERE " LIVE " AND a.unhelpful > 0"
				    " ORDER BY (a.helpful + 1.0) / (a.helpful + a.unhelpful + 2),"
				    " a.unhelpful DESC, a.id LIMIT 20",
				    ""),
			helpful_read, least);
	if (rc >= 0)
		rc = walk(store_query(s,
				      "SELECT a.id, a.title, a.review_due, a.owner_id, p.name"
				      " FROM kb_article a LEFT JOIN person p ON p.id = a.owner_id"
				      " WHERE " LIVE " AND a.review_due IS NOT NULL"
				      " AND a.review_due < ? ORDER BY a.review_due, a.id LIMIT 100",
				      "t", today),
			  stale_read, stale);
	if (rc < 0) {
		json_decref(zero);
		json_decref(used);
		json_decref(least);
		json_decref(stale);
		return rc;
	}
	*out = json_pack("{s:o, s:o, s:o, s:o}", "zero_result", zero, "most_used", used,
			 "least_helpful", least, "stale", stale);
	return *out ? 0 : ERR_NOMEM;
}
