/*
 * The daily callback report (每日回访报表, CB-3) over any period:
 *   GET /api/reports/callbacks?from&to&group&department_id
 *     the center's callback attempts (CB-1/CB-2) by outcome, per bucket,
 *     per agent and per department (the agent's); satisfaction per agent
 *     and department two ways: the callbacks' verdicts (accepted against
 *     not accepted, CB-2) and the customers' ratings of the contacts the
 *     agent handled (1–5, CALL-3); and the orders served on site the day
 *     before `to`, which are due for their callback on `to` (003: customers
 *     installed yesterday are called today).
 * Its forms, registered with export/: "callback_log" 客户回访记录 (a row
 * per attempt) and "callback_sheet" 用户回访表 (a row per order called
 * back), each also at GET /api/reports/callbacks/{log|sheet}.xlsx.
 *
 * The attempts are read by time on wo_callback_attempt_at (migration 46):
 * a day of them is an index range, so no summary table is kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/mask.h"
#include "export/export.h"
#include "org/org.h"
#include "report/report.h"
#include "store/store.h"

static const char *const outcome_zh[WOO_COUNT] = {"认可", "不认可", "未接通", "新需求"};
static const char *const outcome_en[WOO_COUNT] = {"Accepted", "Not accepted", "Unreachable",
						  "New need"};

struct cb_group {
	int64_t id; /* agent or department; 0 none */
	int64_t outcome[WOO_COUNT];
	int64_t rated, rating_total;
};

struct cb_groups {
	struct cb_group *v;
	int n, cap;
};

struct cb_stat {
	struct store *s;
	int from, to;
	enum report_group group;
	int64_t department_id;
	int *buckets;
	int nbuckets;
	int64_t (*trend)[WOO_COUNT];
	int64_t total[WOO_COUNT];
	struct cb_groups agents, depts;
	/* person id → department, names: a small cache */
	struct org_person *people;
	int npeople, cap_people;
};

static struct cb_group *group_of(struct cb_groups *g, int64_t id)
{
	for (int i = 0; i < g->n; i++)
		if (g->v[i].id == id)
			return &g->v[i];
	if (report_grow((void **)&g->v, &g->cap, g->n, sizeof(g->v[0])) < 0)
		return NULL;
	memset(&g->v[g->n], 0, sizeof(g->v[0]));
	g->v[g->n].id = id;
	return &g->v[g->n++];
}

/* The person (from the cache, else the store); NULL when unknown or out of memory. */
static const struct org_person *person_of(struct cb_stat *c, int64_t id)
{
	for (int i = 0; i < c->npeople; i++)
		if (c->people[i].id == id)
			return &c->people[i];
	if (report_grow((void **)&c->people, &c->cap_people, c->npeople, sizeof(c->people[0])) < 0)
		return NULL;
	if (org_person_get(c->s, id, &c->people[c->npeople]) != 0)
		return NULL;
	return &c->people[c->npeople++];
}

static void cb_free(struct cb_stat *c)
{
	free(c->buckets);
	free(c->trend);
	free(c->agents.v);
	free(c->depts.v);
	free(c->people);
}

static int cb_attempt(void *ctx, const struct report_cb_attempt *a)
{
	struct cb_stat *c = ctx;
	int ymd = clock_local_ymd(a->at), b = report_bucket(ymd, c->group);
	struct cb_group *ag = group_of(&c->agents, a->agent_id);
	struct cb_group *dg = group_of(&c->depts, a->agent_department_id);

	if (!ag || !dg)
		return ERR_NOMEM;
	for (int i = c->nbuckets - 1; i >= 0; i--)
		if (c->buckets[i] == b) {
			c->trend[i][a->outcome]++;
			break;
		}
	c->total[a->outcome]++;
	ag->outcome[a->outcome]++;
	dg->outcome[a->outcome]++;
	return 0;
}

static int cb_rating(void *ctx, const struct report_agent_rating *g)
{
	struct cb_stat *c = ctx;
	const struct org_person *p = person_of(c, g->agent_id);
	int64_t dept = p ? p->department_id : 0;
	struct cb_group *ag, *dg;

	if (c->department_id && dept != c->department_id)
		return 0;
	ag = group_of(&c->agents, g->agent_id);
	dg = group_of(&c->depts, dept);
	if (!ag || !dg)
		return ERR_NOMEM;
	ag->rated += g->rated;
	ag->rating_total += g->total;
	dg->rated += g->rated;
	dg->rating_total += g->total;
	return 0;
}

static int cb_load(struct store *s, int from, int to, enum report_group g, int64_t dept,
		   struct cb_stat *c)
{
	int days = report_ymd_count(from, to), rc;
	int64_t start = report_day_start(from), end = report_day_start(report_ymd_next(to));

	memset(c, 0, sizeof(*c));
	c->s = s;
	c->from = from;
	c->to = to;
	c->group = g;
	c->department_id = dept;
	c->nbuckets = report_buckets(from, to, g, &c->buckets);
	c->trend = calloc((size_t)days, sizeof(*c->trend));
	if (c->nbuckets < 0 || !c->trend) {
		cb_free(c);
		return ERR_NOMEM;
	}
	rc = report_cb_attempts(s, start, end, dept, 0, 0, cb_attempt, c);
	if (rc >= 0)
		rc = report_agent_ratings(s, start, end, cb_rating, c);
	if (rc < 0)
		cb_free(c);
	return rc < 0 ? rc : 0;
}

static json_t *outcomes_json(const int64_t *o)
{
	json_t *j = json_object();
	int64_t all = 0;

	for (int i = 0; i < WOO_COUNT; i++) {
		json_object_set_new(j, wo_outcome_name((enum wo_outcome)i), json_integer(o[i]));
		all += o[i];
	}
	json_object_set_new(j, "total", json_integer(all));
	return j;
}

static json_t *group_json(struct cb_stat *c, const struct cb_group *g, int agent)
{
	json_t *o = json_pack("{s:o, s:o, s:I, s:I}", "outcomes", outcomes_json(g->outcome),
			      agent ? "agent_id" : "department_id",
			      g->id ? json_integer(g->id) : json_null(), "rated",
			      (json_int_t)g->rated, "rating_total", (json_int_t)g->rating_total);

	if (agent) {
		const struct org_person *p = person_of(c, g->id);

		json_object_set_new(o, "name", json_string(p ? p->name : ""));
		json_object_set_new(o, "work_no", json_string(p ? p->work_no : ""));
		json_object_set_new(o, "department_id",
				    p && p->department_id ? json_integer(p->department_id)
							  : json_null());
	} else {
		struct org_department d;

		json_object_set_new(o, "name",
				    g->id && org_department_get(c->s, g->id, &d) == 0
					    ? json_string(d.name)
					    : json_null());
	}
	return o;
}

struct due_ctx {
	json_t *items;
	int64_t day_start;
};

static int due_row(void *ctx, const struct report_cb_due *d)
{
	struct due_ctx *dc = ctx;
	char masked[32] = "";

	if (d->phone[0])
		mask_phone(d->phone, masked, sizeof(masked));
	return json_array_append_new(
		dc->items,
		json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:i, s:o}",
			  "order_id", (json_int_t)d->order_id, "number", d->number, "label",
			  d->label, "state", d->state, "customer_id",
			  d->customer_id ? json_integer(d->customer_id) : json_null(), "customer",
			  d->customer[0] ? json_string(d->customer) : json_null(), "phone",
			  masked[0] ? json_string(masked) : json_null(), "region",
			  d->region[0] ? json_string(d->region) : json_null(), "department_id",
			  d->department_id ? json_integer(d->department_id) : json_null(),
			  "owner_id", d->owner_id ? json_integer(d->owner_id) : json_null(),
			  "served_at", (json_int_t)d->served_at, "callback_state",
			  d->callback_state[0] ? json_string(d->callback_state) : json_null(),
			  "attempts", d->attempts, "last_outcome",
			  d->last_outcome[0] ? json_string(d->last_outcome) : json_null()));
}

static int callbacks(struct req *r)
{
	struct report_period p;
	struct cb_stat c;
	struct due_ctx dc;
	int64_t dept = 0;
	int served, rc;
	char b[16], sd[16];
	json_t *trend, *agents, *depts, *o;

	rc = report_period_query(r, &p);
	if (rc == 0)
		rc = report_department(r, ACT_REPORT_READ, 0, &dept);
	if (rc < 0)
		return rc;
	rc = cb_load(r->store, p.from_ymd, p.to_ymd, p.group, dept, &c);
	if (rc < 0)
		return rc;
	trend = json_array();
	for (int i = 0; i < c.nbuckets; i++) {
		report_ymd_text(c.buckets[i] ? c.buckets[i] : c.from, b, sizeof(b));
		json_array_append_new(trend, json_pack("{s:s, s:o}", "bucket", b, "outcomes",
						       outcomes_json(c.trend[i])));
	}
	agents = json_array();
	for (int i = 0; i < c.agents.n; i++)
		json_array_append_new(agents, group_json(&c, &c.agents.v[i], 1));
	depts = json_array();
	for (int i = 0; i < c.depts.n; i++)
		json_array_append_new(depts, group_json(&c, &c.depts.v[i], 0));
	served = report_ymd_add(p.to_ymd, -1);
	report_ymd_text(served, sd, sizeof(sd));
	dc.items = json_array();
	rc = report_cb_served(r->store, report_day_start(served), report_day_start(p.to_ymd), dept,
			      due_row, &dc);
	o = json_pack("{s:s, s:s, s:s, s:o, s:I, s:o, s:o, s:o, s:o, s:{s:s, s:s, s:o}}", "from",
		      p.from_text, "to", p.to_text, "group", report_group_name(p.group),
		      "department_id", dept ? json_integer(dept) : json_null(), "generated_at",
		      (json_int_t)r->now, "total", outcomes_json(c.total), "trend", trend, "agents",
		      agents, "departments", depts, "due", "day", p.to_text, "served_on", sd,
		      "items", dc.items);
	cb_free(&c);
	if (rc < 0) {
		json_decref(o);
		return rc;
	}
	return reply_json(r, 200, o);
}

/* ---- The live view of 客户回访记录: the attempts, a page at a time ---- */

struct log_ctx {
	json_t *items;
	int64_t last;
};

static int log_item(void *ctx, const struct report_cb_attempt *a)
{
	struct log_ctx *lc = ctx;
	char masked[32] = "";

	lc->last = a->id;
	if (a->phone[0])
		mask_phone(a->phone, masked, sizeof(masked));
	return json_array_append_new(
		lc->items,
		json_pack("{s:I, s:I, s:I, s:s, s:s, s:o, s:o, s:s, s:I, s:s, s:o, s:o}", "id",
			  (json_int_t)a->id, "at", (json_int_t)a->at, "order_id",
			  (json_int_t)a->order_id, "number", a->number, "class", a->class_code,
			  "customer", a->customer[0] ? json_string(a->customer) : json_null(),
			  "phone", masked[0] ? json_string(masked) : json_null(), "summary",
			  a->summary, "agent_id", (json_int_t)a->agent_id, "outcome",
			  wo_outcome_name((enum wo_outcome)a->outcome), "note",
			  a->note[0] ? json_string(a->note) : json_null(), "follow_up_id",
			  a->follow_up_id ? json_integer(a->follow_up_id) : json_null()));
}

/* GET /api/reports/callbacks/log: the attempts of the period, oldest first. */
static int callbacks_log(struct req *r)
{
	struct report_period p;
	struct log_ctx lc = {NULL, 0};
	int64_t dept = 0, after = 0;
	int limit = 0, n, rc;

	rc = req_page(r, &limit, &after);
	if (rc == 0)
		rc = report_period_query(r, &p);
	if (rc == 0)
		rc = report_department(r, ACT_REPORT_READ, 0, &dept);
	if (rc < 0)
		return rc;
	lc.items = json_array();
	n = report_cb_attempts(r->store, p.start, p.end, dept, after, limit, log_item, &lc);
	if (n < 0) {
		json_decref(lc.items);
		return n;
	}
	return reply_page(r, lc.items, n == limit ? lc.last : 0);
}

/* ---- The forms 客户回访记录 and 用户回访表 ---- */

struct form_ctx {
	struct cb_stat c; /* the people cache only */
	struct export_sheet *sh;
	int row, english;
	/* the sheet: one order's attempts folded into one row */
	struct report_cb_attempt last;
	int64_t order_attempts;
	int sheet;
};

/* "YYYY-MM-DD HH:MM" on the center's clock. */
static void time_text(int64_t ms, char *out, size_t size)
{
	int ymd = clock_local_ymd(ms), min = clock_local_minute(ms);

	snprintf(out, size, "%04d-%02d-%02d %02d:%02d", ymd / 10000, ymd / 100 % 100, ymd % 100,
		 min / 60, min % 60);
}

/*
 * One row of a form: an attempt (the log) or, with f->sheet, the last
 * attempt of an order and how many it had (the sheet). The phone is masked
 * as everywhere a form may go (CUST-2).
 */
static void write_row(struct form_ctx *f, const struct report_cb_attempt *a, int64_t attempts)
{
	char t[40], masked[32] = "";
	const struct org_person *p = person_of(&f->c, a->agent_id);
	const char *name = p ? p->name : "", *work_no = p ? p->work_no : "";
	const char *outcome = f->english ? outcome_en[a->outcome] : outcome_zh[a->outcome];
	const char *log[9] = {t,    a->number, a->customer, masked, a->summary,
			      name, work_no,   outcome,	    a->note};
	const char *sheet[9] = {a->number, a->customer, masked,	 a->summary, "",
				t,	   name,	outcome, a->note};
	int row = f->row++;

	if (a->phone[0])
		mask_phone(a->phone, masked, sizeof(masked));
	time_text(a->at, t, sizeof(t));
	export_int(f->sh, row, 0, row + 1, NULL);
	for (int i = 0; i < 9; i++)
		if (f->sheet && i == 4)
			export_int(f->sh, row, 1 + i, attempts, NULL);
		else
			export_text(f->sh, row, 1 + i, (f->sheet ? sheet : log)[i], NULL);
}

static int log_row(void *ctx, const struct report_cb_attempt *a)
{
	write_row(ctx, a, 1);
	return 0;
}

/* Attempts come by id; one order's attempts are gathered by a sort first. */
struct cb_list {
	struct report_cb_attempt *v;
	int n, cap;
};

static int list_row(void *ctx, const struct report_cb_attempt *a)
{
	struct cb_list *l = ctx;

	if (report_grow((void **)&l->v, &l->cap, l->n, sizeof(l->v[0])) < 0)
		return ERR_NOMEM;
	l->v[l->n++] = *a;
	return 0;
}

static int by_order(const void *x, const void *y)
{
	const struct report_cb_attempt *a = x, *b = y;

	if (a->order_id != b->order_id)
		return a->order_id < b->order_id ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int cb_form(struct store *s, const struct export_form_args *a, struct export_book **out,
		   int sheet)
{
	static const char *const log_zh[] = {"序号",	 "回访时间", "工单号", "客户",
					     "联系电话", "问题摘要", "回访人", "工号",
					     "回访结果", "客户意见"};
	static const char *const log_en[] = {"No.",   "Time",  "Order",	   "Customer", "Phone",
					     "Issue", "Agent", "Work no.", "Outcome",  "Remarks"};
	static const char *const sheet_zh[] = {"序号",	   "工单号",   "客户",	   "联系电话",
					       "问题描述", "回访次数", "最后回访", "回访人",
					       "回访结果", "客户意见"};
	static const char *const sheet_en[] = {"No.",	  "Order",    "Customer",  "Phone",
					       "Issue",	  "Attempts", "Last call", "Agent",
					       "Outcome", "Remarks"};
	static const double widths[2][10] = {{6, 17, 20, 12, 14, 36, 10, 8, 10, 30},
					     {6, 20, 12, 14, 36, 8, 17, 10, 10, 30}};
	const char *const *heads =
		sheet ? (a->english ? sheet_en : sheet_zh) : (a->english ? log_en : log_zh);
	struct form_ctx f;
	struct cb_list l = {NULL, 0, 0};
	struct export_book *b = export_book_new();
	char sub[120], from[16], to[16], made_on[16];
	const char *title = sheet ? (a->english ? "Customer callback sheet" : "用户回访表")
				  : (a->english ? "Customer callback log" : "客户回访记录");
	const struct org_person *maker;
	int rc;

	*out = NULL;
	if (!b)
		return ERR_NOMEM;
	memset(&f, 0, sizeof(f));
	f.c.s = s;
	f.sheet = sheet;
	f.english = a->english;
	f.sh = export_sheet_add(b, a->english ? (sheet ? "Sheet" : "Log") : title);
	report_ymd_text(a->from_ymd, from, sizeof(from));
	report_ymd_text(a->to_ymd, to, sizeof(to));
	report_ymd_text(clock_local_ymd(a->now), made_on, sizeof(made_on));
	snprintf(sub, sizeof(sub), "%s – %s", from, to);
	if (f.sh) {
		export_title(f.sh, title);
		export_subtitle(f.sh, sub);
		for (int i = 0; i < 10; i++) {
			export_column(f.sh, i, widths[sheet][i]);
			export_header(f.sh, 0, i, 1, 1, heads[i], NULL);
		}
	}
	rc = report_cb_attempts(s, report_day_start(a->from_ymd),
				report_day_start(report_ymd_next(a->to_ymd)), a->department_id, 0,
				0, sheet ? list_row : log_row, sheet ? (void *)&l : (void *)&f);
	if (rc >= 0 && sheet && f.sh) {
		/* No attempts leaves l.v NULL, which qsort may not be given. */
		if (l.n)
			qsort(l.v, (size_t)l.n, sizeof(l.v[0]), by_order);
		for (int i = 0; i < l.n; i++) {
			f.order_attempts++;
			f.last = l.v[i];
			if (i + 1 == l.n || l.v[i + 1].order_id != l.v[i].order_id) {
				write_row(&f, &f.last, f.order_attempts);
				f.order_attempts = 0;
			}
		}
	}
	free(l.v);
	if (rc >= 0 && f.sh) {
		maker = a->person_id ? person_of(&f.c, a->person_id) : NULL;
		export_freeze(f.sh, 0);
		export_signed(f.sh, 1, maker ? maker->name : "", made_on, a->english);
	}
	free(f.c.people);
	if (rc < 0) {
		export_book_free(b);
		return rc;
	}
	return export_book_done(b, out);
}

static int log_form(struct store *s, const struct export_form_args *a, struct export_book **out)
{
	return cb_form(s, a, out, 0);
}

static int sheet_form(struct store *s, const struct export_form_args *a, struct export_book **out)
{
	return cb_form(s, a, out, 1);
}

static const struct export_form callback_log = {
	"callback_log",
	"客户回访记录",
	"Customer callback log",
	"/reports/callbacks",
	ACT_REPORT_READ,
	EXPORT_PERIOD_DAY,
	log_form,
};
static const struct export_form callback_sheet = {
	"callback_sheet",     "用户回访表",    "Customer callback sheet",
	"/reports/callbacks", ACT_REPORT_READ, EXPORT_PERIOD_RANGE,
	sheet_form,
};

/* GET /api/reports/callbacks/{log|sheet}.xlsx: a form for the period, audited (SEC-2). */
static int log_xlsx(struct req *r)
{
	return report_form_xlsx(r, &callback_log);
}

static int sheet_xlsx(struct req *r)
{
	return report_form_xlsx(r, &callback_sheet);
}

int report_callback_wire(void)
{
	int rc = export_form_add(&callback_log);

	if (rc == 0)
		rc = export_form_add(&callback_sheet);
	return rc;
}

const struct route report_callback_routes[] = {
	{"GET", "/api/reports/callbacks", callbacks, ACT_REPORT_READ},
	{"GET", "/api/reports/callbacks/log", callbacks_log, ACT_REPORT_READ},
	{"GET", "/api/reports/callbacks/log.xlsx", log_xlsx, ACT_EXPORT},
	{"GET", "/api/reports/callbacks/sheet.xlsx", sheet_xlsx, ACT_EXPORT},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
