/*
 * The complaint statistics (用户投诉统计表, RPT-2) over any period:
 *   GET /api/reports/complaints?from&to&group&department_id
 *     counts by complaint type (with its levels), level, department,
 *     merchant and region; the trend per bucket of the period; the hot
 *     spots (types and regions whose count rose most against the previous
 *     period of equal length, with both counts and each one's trend); the
 *     week's and the month's top issues (the 7 and the 30 days ending on
 *     `to`, against the 7 and 30 before).
 *   GET /api/reports/complaints/orders?from&to&...: the orders behind a cell.
 *   GET /api/reports/complaints.xlsx: the form as a workbook (export, audited).
 * The form "complaint_stats" is registered with export/'s forms.
 *
 * Everything is computed from report_complaint_rows (the summary for
 * closed days, the orders for today) in one pass over the rows of the
 * period, the previous period and the two windows together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "export/export.h"
#include "org/org.h"
#include "report/report.h"
#include "store/store.h"

#define TOP_N 5
#define HOT_N 10

/* The windows a row's day may fall in. */
enum win { W_CUR, W_PREV, W_WEEK, W_PWEEK, W_MONTH, W_PMONTH, W_COUNT };
enum dim { D_TYPE, D_LEVEL, D_DEPT, D_MERCHANT, D_REGION, D_COUNT };
static const char *const dim_names[D_COUNT] = {"complaint", "level", "department", "merchant",
					       "region"};
#define LEVELS 4
static const char *const level_codes[LEVELS] = {"Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ"};

struct tally {
	char key[WO_REGION_MAX * 4 + 1];
	int64_t n[W_COUNT];
	int64_t closed, on_time;
	int64_t level[LEVELS]; /* types: this period's by level */
	int64_t *trend;	       /* hot spots: per bucket */
};

struct tallies {
	struct tally *v;
	int n, cap;
};

struct cstat {
	int from, to, wfrom[W_COUNT], wto[W_COUNT];
	enum report_group group;
	int64_t department_id;
	int *buckets; /* first days of the period's buckets, in order */
	int nbuckets;
	int64_t (*trend)[3]; /* per bucket: opened, closed, on time */
	struct tallies dim[D_COUNT];
	struct tally total;
};

static void cstat_free(struct cstat *c)
{
	for (int d = 0; d < D_COUNT; d++) {
		for (int i = 0; i < c->dim[d].n; i++)
			free(c->dim[d].v[i].trend);
		free(c->dim[d].v);
	}
	free(c->buckets);
	free(c->trend);
}

static struct tally *tally_of(struct tallies *t, const char *key)
{
	for (int i = 0; i < t->n; i++)
		if (strcmp(t->v[i].key, key) == 0)
			return &t->v[i];
	if (report_grow((void **)&t->v, &t->cap, t->n, sizeof(t->v[0])) < 0)
		return NULL;
	memset(&t->v[t->n], 0, sizeof(t->v[0]));
	{
		size_t len = strlen(key);

		/* Keys come from row_keys, each shorter than key: nothing is cut. */
		if (len >= sizeof(t->v[0].key))
			len = sizeof(t->v[0].key) - 1;
		memcpy(t->v[t->n].key, key, len);
	}
	return &t->v[t->n++];
}

static int bucket_index(const struct cstat *c, int ymd)
{
	int b = report_bucket(ymd, c->group);

	for (int i = c->nbuckets - 1; i >= 0; i--)
		if (c->buckets[i] == b)
			return i;
	return -1;
}

static void row_keys(const struct report_complaint_row *r,
		     char keys[D_COUNT][WO_REGION_MAX * 4 + 1])
{
	snprintf(keys[D_TYPE], sizeof(keys[0]), "%s", r->complaint);
	snprintf(keys[D_LEVEL], sizeof(keys[0]), "%s", r->level);
	snprintf(keys[D_DEPT], sizeof(keys[0]), "%lld", (long long)r->department_id);
	snprintf(keys[D_MERCHANT], sizeof(keys[0]), "%lld", (long long)r->merchant_id);
	snprintf(keys[D_REGION], sizeof(keys[0]), "%s", r->region);
}

static int add_row(void *ctx, const struct report_complaint_row *r)
{
	struct cstat *c = ctx;
	char keys[D_COUNT][WO_REGION_MAX * 4 + 1];
	int in[W_COUNT];

	for (int w = 0; w < W_COUNT; w++)
		in[w] = r->ymd >= c->wfrom[w] && r->ymd <= c->wto[w];
	row_keys(r, keys);
	if (in[W_CUR]) {
		int b = bucket_index(c, r->ymd);

		if (b >= 0) {
			c->trend[b][0] += r->opened;
			c->trend[b][1] += r->closed;
			c->trend[b][2] += r->on_time;
		}
		c->total.closed += r->closed;
		c->total.on_time += r->on_time;
	}
	for (int w = 0; w < W_COUNT; w++)
		c->total.n[w] += in[w] ? r->opened : 0;
	for (int d = 0; d < D_COUNT; d++) {
		struct tally *t = tally_of(&c->dim[d], keys[d]);

		if (!t)
			return ERR_NOMEM;
		for (int w = 0; w < W_COUNT; w++)
			t->n[w] += in[w] ? r->opened : 0;
		if (in[W_CUR]) {
			t->closed += r->closed;
			t->on_time += r->on_time;
			if (d == D_TYPE)
				for (int l = 0; l < LEVELS; l++)
					if (strcmp(r->level, level_codes[l]) == 0)
						t->level[l] += r->opened;
		}
	}
	return 0;
}

/* The trend of the hot spots: a second pass over the period's rows. */
struct hot_pass {
	struct cstat *c;
	struct tally *hot[2 * HOT_N];
	int dim[2 * HOT_N], n;
};

static int add_hot(void *ctx, const struct report_complaint_row *r)
{
	struct hot_pass *h = ctx;
	char keys[D_COUNT][WO_REGION_MAX * 4 + 1];
	int b = bucket_index(h->c, r->ymd);

	if (b < 0)
		return 0;
	row_keys(r, keys);
	for (int i = 0; i < h->n; i++)
		if (strcmp(h->hot[i]->key, keys[h->dim[i]]) == 0)
			h->hot[i]->trend[b] += r->opened;
	return 0;
}

static int by_rise(const void *a, const void *b)
{
	const struct tally *x = *(struct tally *const *)a, *y = *(struct tally *const *)b;
	int64_t rx = x->n[W_CUR] - x->n[W_PREV], ry = y->n[W_CUR] - y->n[W_PREV];

	if (rx != ry)
		return rx > ry ? -1 : 1;
	if (x->n[W_CUR] != y->n[W_CUR])
		return x->n[W_CUR] > y->n[W_CUR] ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* The hot spots: types and regions that rose, most first (at most HOT_N). */
static int hot_spots(struct cstat *c, struct tally **out, int *dims)
{
	struct tally *cand[512];
	int dimof[512], n = 0, k = 0;

	for (int d = D_TYPE; d <= D_REGION; d += D_REGION - D_TYPE)
		for (int i = 0; i < c->dim[d].n && n < 512; i++) {
			struct tally *t = &c->dim[d].v[i];

			if (t->n[W_CUR] > t->n[W_PREV] && !(d == D_REGION && !t->key[0])) {
				dimof[n] = d;
				cand[n++] = t;
			}
		}
	/* Sort the pointers and keep their dimensions beside them. */
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++) {
			const struct tally *a = cand[i], *b = cand[j];

			if (by_rise(&b, &a) < 0) {
				struct tally *t = cand[i];
				int dd = dimof[i];

				cand[i] = cand[j];
				cand[j] = t;
				dimof[i] = dimof[j];
				dimof[j] = dd;
			}
		}
	for (int i = 0; i < n && k < HOT_N; i++) {
		out[k] = cand[i];
		dims[k++] = dimof[i];
	}
	return k;
}

static int cstat_load(struct store *s, int from, int to, enum report_group g, int64_t dept,
		      struct cstat *c)
{
	int days = report_ymd_count(from, to), lo, rc;

	memset(c, 0, sizeof(*c));
	c->from = from;
	c->to = to;
	c->group = g;
	c->department_id = dept;
	c->wfrom[W_CUR] = from;
	c->wto[W_CUR] = to;
	c->wto[W_PREV] = report_ymd_add(from, -1);
	c->wfrom[W_PREV] = report_ymd_add(from, -days);
	c->wto[W_WEEK] = c->wto[W_MONTH] = to;
	c->wfrom[W_WEEK] = report_ymd_add(to, -6);
	c->wto[W_PWEEK] = report_ymd_add(to, -7);
	c->wfrom[W_PWEEK] = report_ymd_add(to, -13);
	c->wfrom[W_MONTH] = report_ymd_add(to, -29);
	c->wto[W_PMONTH] = report_ymd_add(to, -30);
	c->wfrom[W_PMONTH] = report_ymd_add(to, -59);
	c->nbuckets = report_buckets(from, to, g, &c->buckets);
	c->trend = calloc((size_t)days, sizeof(*c->trend));
	if (c->nbuckets < 0 || !c->trend) {
		cstat_free(c);
		return ERR_NOMEM;
	}
	lo = c->wfrom[W_PREV] < c->wfrom[W_PMONTH] ? c->wfrom[W_PREV] : c->wfrom[W_PMONTH];
	rc = report_complaint_rows(s, lo, to, dept, add_row, c);
	if (rc < 0)
		cstat_free(c);
	return rc < 0 ? rc : 0;
}

/* Computes the hot spots and their trend: hot[] point into c. */
static int cstat_hot(struct store *s, struct cstat *c, struct tally **hot, int *dims, int *nhot)
{
	struct hot_pass h;
	int n = hot_spots(c, hot, dims);

	h.c = c;
	h.n = n;
	for (int i = 0; i < n; i++) {
		hot[i]->trend = calloc((size_t)c->nbuckets, sizeof(int64_t));
		if (!hot[i]->trend)
			return ERR_NOMEM;
		h.hot[i] = hot[i];
		h.dim[i] = dims[i];
	}
	*nhot = n;
	if (!n)
		return 0;
	n = report_complaint_rows(s, c->from, c->to, c->department_id, add_hot, &h);
	return n < 0 ? n : 0;
}

/* ---- Names ---- */

struct name {
	char kind[12];
	char key[24];
	char name[400];
};

struct name_list {
	struct name *v;
	int n, cap;
};

static int name_row(void *ctx, const char *kind, const char *key, const char *name)
{
	struct name_list *l = ctx;

	if (report_grow((void **)&l->v, &l->cap, l->n, sizeof(l->v[0])) < 0)
		return ERR_NOMEM;
	snprintf(l->v[l->n].kind, sizeof(l->v[0].kind), "%s", kind);
	snprintf(l->v[l->n].key, sizeof(l->v[0].key), "%s", key ? key : "");
	snprintf(l->v[l->n].name, sizeof(l->v[0].name), "%s", name ? name : "");
	l->n++;
	return 0;
}

static const char *name_of(const struct name_list *l, const char *kind, const char *key)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->v[i].kind, kind) == 0 && strcmp(l->v[i].key, key) == 0)
			return l->v[i].name;
	return NULL;
}

/* The name people read for a key of a dimension ("" none: NULL). */
static const char *dim_label(const struct name_list *l, int d, const char *key)
{
	switch (d) {
	case D_TYPE:
		return key[0] ? name_of(l, "complaint", key) : NULL;
	case D_DEPT:
		return strcmp(key, "0") ? name_of(l, "department", key) : NULL;
	case D_MERCHANT:
		return strcmp(key, "0") ? name_of(l, "merchant", key) : NULL;
	default:
		return key[0] ? key : NULL;
	}
}

/* ---- JSON ---- */

static json_t *key_json(int d, const char *key)
{
	if (d == D_DEPT || d == D_MERCHANT) {
		long long id = atoll(key);

		return id ? json_integer(id) : json_null();
	}
	return key[0] ? json_string(key) : json_null();
}

static int by_count(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;

	if (x->n[W_CUR] != y->n[W_CUR])
		return x->n[W_CUR] > y->n[W_CUR] ? -1 : 1;
	return strcmp(x->key, y->key);
}

static json_t *dim_json(struct cstat *c, const struct name_list *nl, int d)
{
	json_t *a = json_array();

	/* An empty tally has no array, which qsort may not be given. */
	if (c->dim[d].n > 1)
		qsort(c->dim[d].v, (size_t)c->dim[d].n, sizeof(struct tally), by_count);
	for (int i = 0; i < c->dim[d].n; i++) {
		const struct tally *t = &c->dim[d].v[i];
		const char *nm = dim_label(nl, d, t->key);
		json_t *o;

		if (!t->n[W_CUR] && !t->n[W_PREV])
			continue;
		o = json_pack("{s:o, s:o, s:I, s:I, s:I, s:I, s:I}", "key", key_json(d, t->key),
			      "name", nm ? json_string(nm) : json_null(), "opened",
			      (json_int_t)t->n[W_CUR], "closed", (json_int_t)t->closed, "on_time",
			      (json_int_t)t->on_time, "previous", (json_int_t)t->n[W_PREV],
			      "change", (json_int_t)(t->n[W_CUR] - t->n[W_PREV]));
		if (d == D_TYPE) {
			json_t *lv = json_object();

			for (int l = 0; l < LEVELS; l++)
				json_object_set_new(lv, level_codes[l], json_integer(t->level[l]));
			json_object_set_new(o, "levels", lv);
		}
		json_array_append_new(a, o);
	}
	return a;
}

static int by_window(const struct tally *x, const struct tally *y, int w)
{
	if (x->n[w] != y->n[w])
		return x->n[w] > y->n[w] ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* The top TOP_N types of a window (W_WEEK or W_MONTH) against the one before. */
static int top_of(struct cstat *c, int w, const struct tally **out)
{
	int n = 0;

	for (int i = 0; i < c->dim[D_TYPE].n; i++) {
		const struct tally *t = &c->dim[D_TYPE].v[i];
		int at;

		if (!t->n[w])
			continue;
		for (at = n; at > 0 && by_window(t, out[at - 1], w) < 0; at--)
			if (at < TOP_N)
				out[at] = out[at - 1];
		if (at < TOP_N) {
			out[at] = t;
			if (n < TOP_N)
				n++;
		}
	}
	return n;
}

static json_t *top_json(struct cstat *c, const struct name_list *nl, int w)
{
	const struct tally *top[TOP_N];
	char from[16], to[16];
	int n = top_of(c, w, top);
	json_t *items = json_array();

	for (int i = 0; i < n; i++) {
		const char *nm = dim_label(nl, D_TYPE, top[i]->key);

		json_array_append_new(items,
				      json_pack("{s:o, s:o, s:I, s:I, s:I}", "key",
						key_json(D_TYPE, top[i]->key), "name",
						nm ? json_string(nm) : json_null(), "count",
						(json_int_t)top[i]->n[w], "previous",
						(json_int_t)top[i]->n[w + 1], "change",
						(json_int_t)(top[i]->n[w] - top[i]->n[w + 1])));
	}
	report_ymd_text(c->wfrom[w], from, sizeof(from));
	report_ymd_text(c->wto[w], to, sizeof(to));
	return json_pack("{s:s, s:s, s:I, s:I, s:o}", "from", from, "to", to, "total",
			 (json_int_t)c->total.n[w], "previous", (json_int_t)c->total.n[w + 1],
			 "items", items);
}

static int load_names(struct store *s, struct name_list *nl)
{
	int rc = report_complaint_names(s, name_row, nl);

	if (rc < 0) {
		free(nl->v);
		nl->v = NULL;
	}
	return rc < 0 ? rc : 0;
}

static int complaints(struct req *r)
{
	struct report_period p;
	struct cstat c;
	struct name_list nl = {NULL, 0, 0};
	struct tally *hot[HOT_N];
	int dims[HOT_N], nhot = 0, rc;
	int64_t dept = 0;
	char pf[16], pt[16], b[16];
	json_t *trend, *hots, *o;

	rc = report_period_query(r, &p);
	if (rc == 0)
		rc = report_department(r, ACT_REPORT_READ, 0, &dept);
	if (rc < 0)
		return rc;
	rc = cstat_load(r->store, p.from_ymd, p.to_ymd, p.group, dept, &c);
	if (rc < 0)
		return rc;
	rc = cstat_hot(r->store, &c, hot, dims, &nhot);
	if (rc == 0)
		rc = load_names(r->store, &nl);
	if (rc < 0) {
		cstat_free(&c);
		return rc;
	}
	trend = json_array();
	for (int i = 0; i < c.nbuckets; i++) {
		report_ymd_text(c.buckets[i] ? c.buckets[i] : c.from, b, sizeof(b));
		json_array_append_new(trend, json_pack("{s:s, s:I, s:I, s:I}", "bucket", b,
						       "opened", (json_int_t)c.trend[i][0],
						       "closed", (json_int_t)c.trend[i][1],
						       "on_time", (json_int_t)c.trend[i][2]));
	}
	hots = json_array();
	for (int i = 0; i < nhot; i++) {
		const char *nm = dim_label(&nl, dims[i], hot[i]->key);
		json_t *tr = json_array();

		for (int k = 0; k < c.nbuckets; k++)
			json_array_append_new(tr, json_integer(hot[i]->trend[k]));
		json_array_append_new(
			hots,
			json_pack("{s:s, s:o, s:o, s:I, s:I, s:I, s:o}", "dimension",
				  dim_names[dims[i]], "key", key_json(dims[i], hot[i]->key), "name",
				  nm ? json_string(nm) : json_null(), "count",
				  (json_int_t)hot[i]->n[W_CUR], "previous",
				  (json_int_t)hot[i]->n[W_PREV], "change",
				  (json_int_t)(hot[i]->n[W_CUR] - hot[i]->n[W_PREV]), "trend", tr));
	}
	report_ymd_text(c.wfrom[W_PREV], pf, sizeof(pf));
	report_ymd_text(c.wto[W_PREV], pt, sizeof(pt));
	o = json_pack("{s:s, s:s, s:s, s:o, s:I, s:i, s:{s:s, s:s}, s:{s:I, s:I, s:I, s:I}}",
		      "from", p.from_text, "to", p.to_text, "group", report_group_name(p.group),
		      "department_id", dept ? json_integer(dept) : json_null(), "generated_at",
		      (json_int_t)r->now, "summary_through",
		      report_sum_through(r->store, "complaints"), "previous", "from", pf, "to", pt,
		      "total", "opened", (json_int_t)c.total.n[W_CUR], "closed",
		      (json_int_t)c.total.closed, "on_time", (json_int_t)c.total.on_time,
		      "previous", (json_int_t)c.total.n[W_PREV]);
	json_object_set_new(o, "by_type", dim_json(&c, &nl, D_TYPE));
	json_object_set_new(o, "by_level", dim_json(&c, &nl, D_LEVEL));
	json_object_set_new(o, "by_department", dim_json(&c, &nl, D_DEPT));
	json_object_set_new(o, "by_merchant", dim_json(&c, &nl, D_MERCHANT));
	json_object_set_new(o, "by_region", dim_json(&c, &nl, D_REGION));
	json_object_set_new(o, "trend", trend);
	json_object_set_new(o, "hot_spots", hots);
	json_object_set_new(o, "top_week", top_json(&c, &nl, W_WEEK));
	json_object_set_new(o, "top_month", top_json(&c, &nl, W_MONTH));
	cstat_free(&c);
	free(nl.v);
	return reply_json(r, 200, o);
}

/* ---- The drill-down ---- */

struct items_ctx {
	json_t *items;
	int64_t last;
};

static int order_row(void *ctx, const struct report_item *it, const char *region)
{
	struct items_ctx *ic = ctx;
	char label[24];

	ic->last = it->key;
	wo_label(label, sizeof(label), it->class_code, it->level);
	return json_array_append_new(
		ic->items,
		json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:I, s:o}", "id",
			  (json_int_t)it->order_id, "number", it->number, "label", label, "class",
			  it->class_code, "level",
			  it->level[0] ? json_string(it->level) : json_null(), "state", it->state,
			  "department_id",
			  it->department_id ? json_integer(it->department_id) : json_null(),
			  "owner_id", it->owner_id ? json_integer(it->owner_id) : json_null(),
			  "region", region && *region ? json_string(region) : json_null(),
			  "created_at", (json_int_t)it->created_at, "archived_at",
			  it->archived_at ? json_integer(it->archived_at) : json_null()));
}

static int complaint_orders(struct req *r)
{
	struct report_period p;
	struct report_complaint_filter f;
	struct items_ctx ic = {NULL, 0};
	int n, rc;

	memset(&f, 0, sizeof(f));
	f.merchant_id = -1;
	rc = req_page(r, &f.limit, &f.after);
	if (rc == 0)
		rc = report_period_query(r, &p);
	if (rc == 0)
		rc = req_query(r, "complaint", &f.complaint);
	if (rc == 0)
		rc = req_query(r, "level", &f.level);
	if (rc == 0)
		rc = req_query(r, "region", &f.region);
	/* Left out: any merchant (-1); 0: orders referred to none. */
	if (rc == 0)
		rc = req_query_int(r, "merchant_id", 0, INT64_MAX, &f.merchant_id);
	if (rc == 0)
		rc = report_department(r, ACT_REPORT_READ, 0, &f.department_id);
	if (rc < 0)
		return rc;
	f.start = p.start;
	f.end = p.end;
	ic.items = json_array();
	n = report_complaint_orders(r->store, &f, order_row, &ic);
	if (n < 0) {
		json_decref(ic.items);
		return n;
	}
	return reply_page(r, ic.items, n == f.limit ? ic.last : 0);
}

/* ---- The form 用户投诉统计表 ---- */

/* One sheet of counts by a dimension: name, opened, closed, on time, previous, change. */
static void dim_sheet(struct export_book *b, struct cstat *c, const struct name_list *nl, int d,
		      const char *sheet, const char *col, const char *title, const char *sub,
		      const char *made_by, const char *made_on, int english)
{
	static const char *const zh[] = {"投诉量", "已办结", "按时办结", "上期", "环比增减"};
	static const char *const en[] = {"Complaints", "Closed", "On time", "Previous", "Change"};
	static const char *const none_zh[D_COUNT] = {"未分类", "未定级", "未分派", "无", "未知"};
	static const char *const none_en[D_COUNT] = {"Unclassified", "No level", "Unassigned",
						     "None", "Unknown"};
	struct export_sheet *sh = export_sheet_add(b, sheet);
	int row = 0, lv = d == D_TYPE ? LEVELS : 0;
	int64_t sum[5 + LEVELS] = {0};

	if (!sh)
		return;
	export_title(sh, title);
	export_subtitle(sh, sub);
	export_column(sh, 0, 6);
	export_column(sh, 1, 30);
	export_header(sh, 0, 0, 1, 1, english ? "No." : "序号", NULL);
	export_header(sh, 0, 1, 1, 1, col, NULL);
	for (int l = 0; l < lv; l++) {
		char h[32];

		snprintf(h, sizeof(h), english ? "Level %s" : "%s级", level_codes[l]);
		export_header(sh, 0, 2 + l, 1, 1, h, NULL);
		export_column(sh, 2 + l, 8);
	}
	for (int k = 0; k < 5; k++) {
		export_header(sh, 0, 2 + lv + k, 1, 1, english ? en[k] : zh[k], NULL);
		export_column(sh, 2 + lv + k, 11);
	}
	/* An empty tally has no array, which qsort may not be given. */
	if (c->dim[d].n > 1)
		qsort(c->dim[d].v, (size_t)c->dim[d].n, sizeof(struct tally), by_count);
	for (int i = 0; i < c->dim[d].n; i++) {
		const struct tally *t = &c->dim[d].v[i];
		const char *nm = dim_label(nl, d, t->key);
		int64_t v[5] = {t->n[W_CUR], t->closed, t->on_time, t->n[W_PREV],
				t->n[W_CUR] - t->n[W_PREV]};

		if (!t->n[W_CUR] && !t->n[W_PREV])
			continue;
		export_int(sh, row, 0, row + 1, NULL);
		export_text(sh, row, 1, nm ? nm : english ? none_en[d] : none_zh[d], NULL);
		for (int l = 0; l < lv; l++) {
			export_int(sh, row, 2 + l, t->level[l], NULL);
			sum[5 + l] += t->level[l];
		}
		for (int k = 0; k < 5; k++) {
			export_int(sh, row, 2 + lv + k, v[k], NULL);
			sum[k] += v[k];
		}
		row++;
	}
	export_text(sh, row, 1, english ? "Total" : "合计", NULL);
	for (int l = 0; l < lv; l++)
		export_int(sh, row, 2 + l, sum[5 + l], NULL);
	for (int k = 0; k < 5; k++)
		export_int(sh, row, 2 + lv + k, sum[k], NULL);
	export_totals(sh, row);
	export_freeze(sh, 2);
	export_signed(sh, 1, made_by, made_on, english);
}

static int complaint_form(struct store *s, const struct export_form_args *a,
			  struct export_book **out)
{
	struct cstat c;
	struct name_list nl = {NULL, 0, 0};
	struct org_person *who = calloc(1, sizeof(*who));
	struct export_book *b = NULL;
	struct export_sheet *sh;
	char sub[960], from[16], to[16], made_on[16];
	const char *made_by = "";
	int english = a->english, days = report_ymd_count(a->from_ymd, a->to_ymd), rc;
	const char *title = english ? "Complaint statistics" : "用户投诉统计表";

	*out = NULL;
	if (!who)
		return ERR_NOMEM;
	if (a->person_id && org_person_get(s, a->person_id, who) == 0)
		made_by = who->name;
	rc = cstat_load(s, a->from_ymd, a->to_ymd, days > 62 ? RG_MONTH : RG_DAY, a->department_id,
			&c);
	if (rc == 0) {
		rc = load_names(s, &nl);
		if (rc < 0)
			cstat_free(&c);
	}
	if (rc < 0) {
		free(who);
		return rc;
	}
	b = export_book_new();
	if (!b) {
		rc = ERR_NOMEM;
		goto done;
	}
	report_ymd_text(a->from_ymd, from, sizeof(from));
	report_ymd_text(a->to_ymd, to, sizeof(to));
	report_ymd_text(clock_local_ymd(a->now), made_on, sizeof(made_on));
	if (a->department_id) {
		char key[24];
		const char *dn;

		snprintf(key, sizeof(key), "%lld", (long long)a->department_id);
		dn = name_of(&nl, "department", key);
		snprintf(sub, sizeof(sub), "%s – %s　%s", from, to, dn ? dn : "");
	} else {
		snprintf(sub, sizeof(sub), "%s – %s", from, to);
	}
	dim_sheet(b, &c, &nl, D_TYPE, english ? "By type" : "按类型",
		  english ? "Complaint type" : "投诉类型", title, sub, made_by, made_on, english);
	dim_sheet(b, &c, &nl, D_DEPT, english ? "By department" : "按部门",
		  english ? "Department" : "责任部门", title, sub, made_by, made_on, english);
	dim_sheet(b, &c, &nl, D_MERCHANT, english ? "By merchant" : "按商家",
		  english ? "Merchant" : "商家", title, sub, made_by, made_on, english);
	dim_sheet(b, &c, &nl, D_REGION, english ? "By region" : "按地区",
		  english ? "Region" : "地区", title, sub, made_by, made_on, english);
	sh = export_sheet_add(b, english ? "Trend" : "趋势");
	if (sh) {
		export_title(sh, title);
		export_subtitle(sh, sub);
		export_column(sh, 0, 14);
		export_header(sh, 0, 0, 1, 1, english ? "From" : "起始日期", NULL);
		export_header(sh, 0, 1, 1, 1, english ? "Complaints" : "投诉量", NULL);
		export_header(sh, 0, 2, 1, 1, english ? "Closed" : "已办结", NULL);
		export_header(sh, 0, 3, 1, 1, english ? "On time" : "按时办结", NULL);
		for (int i = 0; i < c.nbuckets; i++) {
			int ymd = c.buckets[i];

			export_date(sh, i, 0, ymd / 10000, ymd / 100 % 100, ymd % 100, NULL);
			for (int k = 0; k < 3; k++)
				export_int(sh, i, 1 + k, c.trend[i][k], NULL);
		}
		export_freeze(sh, 1);
	}
	rc = export_book_done(b, out);
done:
	cstat_free(&c);
	free(nl.v);
	free(who);
	return rc;
}

static const struct export_form complaint_stats = {
	"complaint_stats", "用户投诉统计表",	"Complaint statistics", "/reports/complaints",
	ACT_REPORT_READ,   EXPORT_PERIOD_RANGE, complaint_form,
};

/* GET /api/reports/complaints.xlsx: the form for the period, audited (SEC-2). */
static int complaints_xlsx(struct req *r)
{
	return report_form_xlsx(r, &complaint_stats);
}

int report_complaint_wire(void)
{
	int rc = report_complaint_kind_add();

	if (rc == 0)
		rc = export_form_add(&complaint_stats);
	return rc;
}

const struct route report_complaint_routes[] = {
	{"GET", "/api/reports/complaints", complaints, ACT_REPORT_READ},
	{"GET", "/api/reports/complaints.xlsx", complaints_xlsx, ACT_EXPORT},
	{"GET", "/api/reports/complaints/orders", complaint_orders, ACT_REPORT_READ},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
