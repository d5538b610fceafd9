/*
 * The knowledge base's search over HTTP (kb_search.h): GET /api/kb/search,
 * GET /api/kb/suggest (the desk's scripts and articles for the chosen class
 * and complaint type, placeholders filled for the caller), POST
 * /api/kb/articles/{id}/use, GET/PUT /api/kb/synonyms, GET /api/kb/report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/utf8.h"
#include "http/http.h"
#include "kb/kb.h"
#include "org/org.h"
#include "store/store.h"

#define SEARCH_POOL 60 /* matches that ranking re-orders (kb_search_run) */
#define SNIPPET_CHARS 80

static void viewer_of(struct req *r, struct kb_viewer *v)
{
	int n = 0;

	memset(v, 0, sizeof(*v));
	v->all = auth_scope(&r->who, ACT_KB_EDIT) != SCOPE_NONE;
	v->person_id = r->who.person_id;
	v->department_id = r->who.department_id;
	for (int i = 0; i < AUTH_ROLE_COUNT && n < 8; i++)
		if (r->who.roles & (1u << i))
			v->roles[n++] = org_role_name(1u << i);
}

/* An optional code argument: NULL when absent or empty. */
static int code_arg(struct req *r, const char *name, const char **out)
{
	int rc = req_query(r, name, out);

	if (rc < 0)
		return rc;
	if (*out && !**out)
		*out = NULL;
	if (*out && strlen(*out) > 64)
		return err_set(&r->ei, ERR_INVALID, name, "%s: at most %d characters", name, 64);
	return 0;
}

static int filter_args(struct req *r, struct kb_search_filter *f)
{
	int rc = code_arg(r, "class", &f->class_code);

	if (rc == 0)
		rc = code_arg(r, "complaint", &f->complaint);
	if (rc == 0)
		rc = code_arg(r, "channel", &f->channel);
	return rc;
}

struct ranked {
	struct kb_hit hit;
	struct buf title, title_hl, snippet_hl;
};

static int by_score(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->hit.head != y->hit.head)
		return y->hit.head - x->hit.head;
	if (x->hit.score != y->hit.score)
		return x->hit.score < y->hit.score ? 1 : -1;
	return x->hit.id < y->hit.id ? -1 : x->hit.id > y->hit.id;
}

int kb_search_answer(struct store *s, const char *typed, const struct kb_viewer *v,
		     const struct kb_search_filter *f, int limit, json_t **items, int *total)
{
	struct kb_query *q = calloc(1, sizeof(*q));
	struct kb_hit *hits = calloc(SEARCH_POOL, sizeof(*hits));
	struct ranked *rk = calloc(SEARCH_POOL, sizeof(*rk));
	struct kb_synonym *syn = NULL;
	struct buf match = BUF_INIT;
	size_t nsyn = 0;
	int rc = 0, n = 0;

	*items = NULL;
	*total = 0;
	if (!q || !hits || !rk) {
		rc = ERR_NOMEM;
		goto out;
	}
	if (typed && kb_query_parse(typed, q) == 0) {
		rc = kb_synonyms_load(s, &syn, &nsyn);
		if (rc == 0) {
			kb_query_expand(q, syn, nsyn);
			rc = kb_query_match(q, &match);
		}
		if (rc == 0)
			rc = kb_search_run(s, buf_str(&match), v, f, hits, SEARCH_POOL, &n, total);
	} else if (!typed || utf8_blank(typed)) {
		rc = kb_search_run(s, NULL, v, f, hits, SEARCH_POOL, &n, total);
	} /* else only punctuation: nothing to look for */
	/* Ranked on the titles; the bodies read for the answered ones only. */
	for (int i = 0; i < n && rc == 0; i++) {
		int title_hit;

		rk[i].hit = hits[i];
		if (buf_puts(&rk[i].title, hits[i].title) < 0) {
			rc = ERR_NOMEM;
			break;
		}
		title_hit =
			kb_highlight(buf_str(&rk[i].title), rk[i].title.len, q, &rk[i].title_hl);
		rk[i].hit.score = kb_rank(hits[i].bm25, title_hit > 0, hits[i].helpful,
					  hits[i].unhelpful, hits[i].uses);
		if (title_hit > 0)
			rk[i].hit.head = 1;
		rc = title_hit < 0 ? title_hit : 0;
	}
	if (rc < 0)
		goto out;
	qsort(rk, (size_t)n, sizeof(*rk), by_score);
	for (int i = 0; i < n && i < limit && rc == 0; i++) {
		struct buf title = BUF_INIT, body = BUF_INIT;

		rc = kb_search_text(s, rk[i].hit.id, &title, &body);
		if (rc == 0)
			rc = kb_snippet(buf_str(&body), q, SNIPPET_CHARS, &rk[i].snippet_hl);
		else if (rc == ERR_NOTFOUND)
			rc = 0;
		rc = rc < 0 ? rc : 0;
		buf_release(&title);
		buf_release(&body);
	}
	if (rc < 0)
		goto out;
	*items = json_array();
	for (int i = 0; i < n && i < limit; i++) {
		const struct kb_hit *h = &rk[i].hit;

		if (json_array_append_new(
			    *items,
			    json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:f, s:I, s:I, s:I}", "id",
				      (json_int_t)h->id, "kind", h->kind, "slot",
				      h->slot[0] ? json_string(h->slot) : json_null(), "title",
				      buf_str(&rk[i].title), "title_hl", buf_str(&rk[i].title_hl),
				      "snippet_hl", buf_str(&rk[i].snippet_hl), "score", h->score,
				      "helpful", (json_int_t)h->helpful, "unhelpful",
				      (json_int_t)h->unhelpful, "uses", (json_int_t)h->uses)) < 0) {
			rc = ERR_NOMEM;
			json_decref(*items);
			*items = NULL;
			break;
		}
	}
out:
	for (int i = 0; rk && i < SEARCH_POOL; i++) {
		buf_release(&rk[i].title);
		buf_release(&rk[i].title_hl);
		buf_release(&rk[i].snippet_hl);
	}
	buf_release(&match);
	free(syn);
	free(rk);
	free(hits);
	free(q);
	return rc;
}

static int search(struct req *r)
{
	struct kb_search_filter f = {0};
	struct kb_viewer v;
	struct kb_query q;
	const char *typed = NULL;
	json_t *items = NULL;
	int64_t limit = 20;
	int rc, total = 0;

	rc = req_query(r, "q", &typed);
	if (rc == 0)
		rc = filter_args(r, &f);
	if (rc == 0)
		rc = code_arg(r, "kind", &f.kind);
	if (rc == 0 && f.kind && strcmp(f.kind, "article") != 0 && strcmp(f.kind, "script") != 0)
		rc = err_set(&r->ei, ERR_INVALID, "kind", "kind: article or script");
	if (rc == 0)
		rc = req_query_int(r, "limit", 1, 50, &limit);
	if (rc < 0)
		return rc;
	if (typed && strlen(typed) > KB_QUERY_BYTES)
		return err_set(&r->ei, ERR_INVALID, "q", "q: at most %d bytes", KB_QUERY_BYTES);
	if ((!typed || utf8_blank(typed)) && !f.class_code && !f.complaint && !f.channel)
		return err_set(&r->ei, ERR_INVALID, "q",
			       "q: type a word, or choose a class, complaint type or channel");
	viewer_of(r, &v);
	rc = kb_search_answer(r->store, typed, &v, &f, (int)limit, &items, &total);
	if (rc < 0)
		return rc;
	/* WO-9: every search is logged; those that found nothing make the report. */
	if (typed && r->who.person_id && kb_query_parse(typed, &q) == 0) {
		rc = store_begin(r->store);
		if (rc == 0)
			rc = kb_search_log(r->store, r->who.person_id, typed, total, r->now);
		rc = req_finish(r, rc);
		if (rc < 0) {
			json_decref(items);
			return rc;
		}
	}
	return reply_json(r, 200, json_pack("{s:o, s:i}", "items", items, "total", total));
}

struct suggest_ctx {
	struct req *r;
	json_t *items;
};

static int script_row(void *ctx, int64_t id, const char *slot, const char *title, const char *body)
{
	struct suggest_ctx *c = ctx;
	const char *center = c->r->app->cfg->center_name;
	const struct kb_fill_values fv = {center, c->r->who.work_no, c->r->who.name};
	struct buf t = BUF_INIT, b = BUF_INIT;
	char *html = NULL;
	int rc = kb_fill(title, &fv, &t);

	if (rc == 0)
		rc = kb_fill(body, &fv, &b);
	if (rc == 0)
		rc = kb_md_html(buf_str(&b), &html);
	if (rc == 0 &&
	    json_array_append_new(c->items,
				  json_pack("{s:I, s:o, s:s, s:s, s:s}", "id", (json_int_t)id,
					    "slot", slot[0] ? json_string(slot) : json_null(),
					    "title", buf_str(&t), "body", buf_str(&b), "body_html",
					    html)) < 0)
		rc = ERR_NOMEM;
	buf_release(&t);
	buf_release(&b);
	free(html);
	return rc;
}

static int article_row(void *ctx, int64_t id, const char *title, const char *body)
{
	struct suggest_ctx *c = ctx;
	struct buf snip = BUF_INIT;
	size_t len = strlen(body), i = 0, count = 0;
	int rc = 0;

	while (len > 0 && (body[len - 1] == '\n' || body[len - 1] == ' '))
		len--;

	/* The body's first characters as plain text (the desk escapes it). */
	while (i < len && count < SNIPPET_CHARS) {
		i++;
		while (i < len && ((unsigned char)body[i] & 0xC0) == 0x80)
			i++;
		count++;
	}
	if (buf_append(&snip, body, i) < 0 || (i < len && buf_puts(&snip, "…") < 0))
		rc = ERR_NOMEM;
	for (size_t k = 0; rc == 0 && k < snip.len; k++)
		if (snip.p[k] == '\n' || snip.p[k] == '\r' || snip.p[k] == '\t')
			snip.p[k] = ' ';
	if (rc == 0 && json_array_append_new(c->items, json_pack("{s:I, s:s, s:s}", "id",
								 (json_int_t)id, "title", title,
								 "snippet", buf_str(&snip))) < 0)
		rc = ERR_NOMEM;
	buf_release(&snip);
	return rc;
}

static int suggest(struct req *r)
{
	struct kb_search_filter f = {0};
	struct kb_viewer v;
	struct suggest_ctx sc = {r, json_array()}, ac = {r, json_array()};
	int rc = filter_args(r, &f);

	viewer_of(r, &v);
	if (rc == 0)
		rc = kb_suggest_scripts(r->store, &v, f.class_code, f.complaint, f.channel, &sc,
					script_row);
	if (rc >= 0)
		rc = kb_suggest_articles(r->store, &v, f.class_code, f.complaint, &ac, article_row);
	if (rc < 0) {
		json_decref(sc.items);
		json_decref(ac.items);
		return rc;
	}
	return reply_json(r, 200,
			  json_pack("{s:o, s:o}", "scripts", sc.items, "articles", ac.items));
}

static int use(struct req *r)
{
	struct kb_viewer v;
	int64_t id, uses = 0;
	int rc = req_param_id(r, 0, &id);

	if (rc < 0)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such article");
	viewer_of(r, &v);
	rc = store_begin(r->store);
	if (rc == 0)
		rc = kb_search_use(r->store, id, &v, r->now, &uses);
	rc = req_finish(r, rc);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such article");
	if (rc < 0)
		return rc;
	return reply_json(r, 200,
			  json_pack("{s:I, s:I}", "id", (json_int_t)id, "uses", (json_int_t)uses));
}

static json_t *groups_json(const struct kb_synonym *syn, size_t n)
{
	json_t *groups = json_array(), *cur = NULL;

	for (size_t i = 0; i < n; i++) {
		if (i == 0 || syn[i].group != syn[i - 1].group) {
			cur = json_array();
			json_array_append_new(groups, cur);
		}
		json_array_append_new(cur, json_string(syn[i].word));
	}
	return groups;
}

static int synonyms_get(struct req *r)
{
	struct kb_synonym *syn = NULL;
	size_t n = 0;
	int rc = kb_synonyms_load(r->store, &syn, &n);

	if (rc < 0)
		return rc;
	rc = reply_json(r, 200, json_pack("{s:o}", "groups", groups_json(syn, n)));
	free(syn);
	return rc;
}

#define SYN_GROUPS 500
#define SYN_WORDS 20

static int synonyms_put(struct req *r)
{
	static const char *const allowed[] = {"groups", NULL};
	json_t *groups = r->body ? json_object_get(r->body, "groups") : NULL, *g;
	struct kb_synonym *syn = NULL;
	size_t n = 0, gi;
	int rc = body_only(r, allowed);

	if (rc < 0)
		return rc;
	if (!json_is_array(groups) || json_array_size(groups) > SYN_GROUPS)
		return err_set(&r->ei, ERR_INVALID, "groups",
			       "groups: a list of at most %d groups, each a list of words",
			       SYN_GROUPS);
	syn = calloc(SYN_GROUPS * SYN_WORDS + 1, sizeof(*syn));
	if (!syn)
		return ERR_NOMEM;
	json_array_foreach(groups, gi, g)
	{
		size_t wi;
		json_t *w;

		if (!json_is_array(g) || json_array_size(g) < 2 || json_array_size(g) > SYN_WORDS) {
			rc = err_set(&r->ei, ERR_INVALID, "groups",
				     "groups: each group 2 to %d words", SYN_WORDS);
			goto out;
		}
		json_array_foreach(g, wi, w)
		{
			const char *word = json_string_value(w), *why = NULL;
			char *c;

			if (!word) {
				rc = err_set(&r->ei, ERR_INVALID, "groups", "%s: expected a string",
					     "groups");
				goto out;
			}
			if (kb_synonym_word_ok(word, &why) < 0) {
				rc = err_set(&r->ei, ERR_INVALID, "groups", "%s", why);
				goto out;
			}
			snprintf(syn[n].word, sizeof(syn[n].word), "%s", word);
			for (c = syn[n].word; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c + 32);
			syn[n].group = (int64_t)gi + 1;
			for (size_t k = 0; k < n; k++)
				if (strcmp(syn[k].word, syn[n].word) == 0) {
					rc = err_set(&r->ei, ERR_INVALID, "groups",
						     "groups: %s is in more than one place",
						     syn[n].word);
					goto out;
				}
			n++;
		}
	}
	rc = store_begin(r->store);
	if (rc == 0)
		rc = kb_synonyms_replace(r->store, syn, n);
	if (rc == 0)
		rc = req_audit(r, "kb.synonyms.update", "kb_synonym", 0, "ok",
			       json_pack("{s:I, s:I}", "groups",
					 (json_int_t)json_array_size(groups), "words",
					 (json_int_t)n));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = reply_json(r, 200, json_pack("{s:o}", "groups", groups_json(syn, n)));
out:
	free(syn);
	return rc;
}

/* A local day YYYY-MM-DD as days since the epoch; -1 when it is not one. */
static int64_t parse_day(const char *s)
{
	int y, m, d, yy, mm, dd;
	char tail;

	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return -1;
	if (y < 2000 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	clock_civil_from_days(clock_days_from_civil(y, m, d), &yy, &mm, &dd);
	return yy == y && mm == m && dd == d ? clock_days_from_civil(y, m, d) : -1;
}

/* The first millisecond of a local day (days since the epoch). */
static int64_t day_start(int64_t days)
{
	return clock_day_start(days * 86400000 + 43200000);
}

static int report(struct req *r)
{
	const char *from_s = NULL, *to_s = NULL;
	int64_t today, from, to;
	int ymd = clock_local_ymd(r->now), rc;
	char today_s[32];
	json_t *out = NULL;

	today = clock_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
	snprintf(today_s, sizeof(today_s), "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100,
		 ymd % 100);
	rc = req_query(r, "from", &from_s);
	if (rc == 0)
		rc = req_query(r, "to", &to_s);
	if (rc < 0)
		return rc;
	to = to_s ? parse_day(to_s) : today;
	if (to < 0)
		return err_set(&r->ei, ERR_INVALID, "to", "%s: a date YYYY-MM-DD", "to");
	from = from_s ? parse_day(from_s) : to - 29;
	if (from < 0)
		return err_set(&r->ei, ERR_INVALID, "from", "%s: a date YYYY-MM-DD", "from");
	if (from > to)
		return err_set(&r->ei, ERR_INVALID, "from", "from: not after to");
	rc = kb_search_report(r->store, day_start(from), day_start(to + 1), today_s, &out);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, out);
}

const struct route kb_search_routes[] = {
	{"GET", "/api/kb/search", search, ACT_KB_READ},
	{"GET", "/api/kb/suggest", suggest, ACT_KB_READ},
	{"POST", "/api/kb/articles/{id}/use", use, ACT_KB_READ},
	{"GET", "/api/kb/synonyms", synonyms_get, ACT_KB_READ},
	{"PUT", "/api/kb/synonyms", synonyms_put, ACT_KB_SETUP},
	{"GET", "/api/kb/report", report, ACT_KB_REPORT},
	{NULL, NULL, NULL, 0},
};
