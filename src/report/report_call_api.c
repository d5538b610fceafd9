/*
 * /api/reports/calls: the hotline's call report over any period (issue 20,
 * RPT-1; report.h, "Calls", defines every figure), the calls behind a
 * figure, the report as an .xlsx, and the two paper forms of LED-2 it
 * registers: 电话接听记录表 (call_sheet: the call log of the period, one
 * row per inbound call, the caller's number masked, CUST-2) and 话务统计表
 * (call_stats: the figures per bucket and per hour, each with its chart).
 *
 * Reading the report is ACT_REPORT_READ; the calls behind a figure are the
 * call log, ACT_CALL_READ as GET /api/calls; the .xlsx is ACT_EXPORT, and
 * each file writes a "report.export" audit entry, committed before the
 * file goes out (SEC-2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/mask.h"
#include "export/export.h"
#include "http/http.h"
#include "org/org.h"
#include "report/report.h"
#include "store/store.h"

#define QUEUES_MAX 64
#define DAY_MS 86400000.0

/* ---- Putting the cells together ---- */

struct bucket {
	int ymd; /* the bucket's first day; 0 for the whole period */
	struct report_call_figs f;
};

struct agg {
	enum report_group group;
	struct bucket *b;
	int nb, capb;
	struct report_call_figs hours[24];
	struct {
		char code[REPORT_CALL_QUEUE_MAX];
		char name[64];
		struct report_call_figs f;
	} q[QUEUES_MAX];
	int nq;
	struct report_call_figs total;
};

static int queue_slot(struct agg *a, const char *code)
{
	for (int i = 0; i < a->nq; i++)
		if (strcmp(a->q[i].code, code) == 0)
			return i;
	if (a->nq == QUEUES_MAX)
		return ERR_TOOBIG;
	memset(&a->q[a->nq], 0, sizeof(a->q[a->nq]));
	snprintf(a->q[a->nq].code, sizeof(a->q[a->nq].code), "%s", code);
	return a->nq++;
}

static int queue_named(void *ctx, const char *code, const char *name)
{
	struct agg *a = ctx;
	int i = queue_slot(a, code);

	if (i >= 0)
		snprintf(a->q[i].name, sizeof(a->q[i].name), "%s", name);
	return i < 0 ? i : 0;
}

static int agg_cell(void *ctx, int ymd, int hour, const char *queue,
		    const struct report_call_figs *f)
{
	struct agg *a = ctx;
	int bucket = report_bucket(ymd, a->group), qi;

	if (!a->nb || a->b[a->nb - 1].ymd != bucket) {
		if (a->nb == a->capb) {
			int cap = a->capb ? a->capb * 2 : 32;
			struct bucket *b = realloc(a->b, (size_t)cap * sizeof(*b));

			if (!b)
				return ERR_NOMEM;
			a->b = b;
			a->capb = cap;
		}
		memset(&a->b[a->nb], 0, sizeof(a->b[a->nb]));
		a->b[a->nb++].ymd = bucket;
	}
	report_call_add(&a->b[a->nb - 1].f, f);
	if (hour >= 0 && hour < 24)
		report_call_add(&a->hours[hour], f);
	qi = queue_slot(a, queue);
	if (qi >= 0)
		report_call_add(&a->q[qi].f, f);
	report_call_add(&a->total, f);
	return 0;
}

/* The period's figures: every queue of the hotline listed, even without calls. */
static int agg_load(struct store *s, const struct report_period *p, const char *queue,
		    int64_t now, struct agg *a)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->group = p->group;
	rc = queue ? 0 : report_call_queues(s, queue_named, a);
	if (rc >= 0)
		rc = report_call_cells(s, p, queue, now, agg_cell, a);
	if (rc < 0) {
		free(a->b);
		a->b = NULL;
	}
	return rc < 0 ? rc : 0;
}

static void ymd_text(int ymd, char *out, size_t size)
{
	snprintf(out, size, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
}

static json_t *ratio_json(int64_t v)
{
	return v < 0 ? json_null() : json_real((double)v / 10000.0);
}

/* The figures of a cell as JSON, with the rates made from them (CALL-R9). */
static json_t *figs_json(const struct report_call_figs *f)
{
	json_t *o = json_object();
	int64_t asa = report_call_asa(f);

	for (int i = 0; o && i < RCF_COUNT; i++)
		json_object_set_new(o, report_call_fig_name((enum report_call_fig)i),
				    json_integer(f->v[i]));
	for (int i = 0; o && i < RCR_COUNT; i++)
		json_object_set_new(o, report_call_rate_name((enum report_call_rate)i),
				    ratio_json(report_call_rate(f, (enum report_call_rate)i)));
	if (o) {
		json_object_set_new(o, "abandoned", json_integer(report_call_abandoned(f)));
		json_object_set_new(o, "asa_ms", asa < 0 ? json_null() : json_integer(asa));
	}
	return o;
}

static const char *const reason_keys[] = {"ivr", "queue_short", "queue", "ringing", "callback"};
static const enum report_call_fig reason_figs[] = {RCF_IVR, RCF_AB_SHORT, RCF_AB_QUEUE,
						   RCF_AB_RINGING, RCF_CALLBACK};
#define NREASONS 5

static json_t *report_json(const struct report_period *p, const char *queue, int sl_sec,
			   int through, const struct agg *a)
{
	json_t *buckets = json_array(), *hours = json_array(), *queues = json_array(),
	       *reasons = json_array();
	char day[16], th[16];

	for (int i = 0; i < a->nb; i++) {
		json_t *o = figs_json(&a->b[i].f);

		ymd_text(a->b[i].ymd ? a->b[i].ymd : p->from_ymd, day, sizeof(day));
		json_object_set_new(o, "bucket", json_string(day));
		json_array_append_new(buckets, o);
	}
	for (int h = 0; h < 24; h++) {
		json_t *o = figs_json(&a->hours[h]);

		json_object_set_new(o, "hour", json_integer(h));
		json_array_append_new(hours, o);
	}
	for (int i = 0; i < a->nq; i++) {
		json_t *o = figs_json(&a->q[i].f);

		json_object_set_new(o, "queue", json_string(a->q[i].code));
		json_object_set_new(o, "name", json_string(a->q[i].name[0] ? a->q[i].name
									   : a->q[i].code));
		json_array_append_new(queues, o);
	}
	for (int i = 0; i < NREASONS; i++)
		json_array_append_new(reasons,
				      json_pack("{s:s, s:I}", "reason", reason_keys[i], "count",
						(json_int_t)a->total.v[reason_figs[i]]));
	ymd_text(through, th, sizeof(th));
	return json_pack("{s:s, s:s, s:s, s:o, s:i, s:o, s:o, s:o, s:o, s:o, s:o}", "from",
			 p->from_text, "to", p->to_text, "group", report_group_name(p->group),
			 "queue", queue ? json_string(queue) : json_null(), "sl_sec", sl_sec,
			 "summary_through", through > 0 ? json_string(th) : json_null(), "total",
			 figs_json(&a->total), "buckets", buckets, "hours", hours, "queues", queues,
			 "reasons", reasons);
}

/* The queue asked for (NULL: all); one the hotline does not have is ERR_INVALID. */
static int query_queue(struct req *r, const char **queue)
{
	int64_t n = 0;
	int rc = req_query(r, "queue", queue);

	if (rc < 0 || !*queue || !(*queue)[0])
		return rc;
	rc = store_run(r->store, "SELECT COUNT(*) FROM acd_queue WHERE code = ?", &n, "t", *queue);
	if (rc < 0)
		return rc;
	return n ? 0 : err_set(&r->ei, ERR_INVALID, "queue", "queue: no such queue");
}

/* GET /api/reports/calls */
static int calls(struct req *r)
{
	struct report_period p;
	const char *queue = NULL;
	struct agg a;
	int through, sl, rc = report_period_query(r, &p);

	if (rc == 0)
		rc = query_queue(r, &queue);
	if (rc < 0)
		return rc;
	rc = store_snapshot(r->store);
	if (rc < 0)
		return rc;
	through = report_sum_through(r->store, REPORT_CALL_KIND);
	sl = report_call_sl_sec(r->store);
	rc = through < 0 ? through : sl < 0 ? sl : agg_load(r->store, &p, queue, r->now, &a);
	store_rollback(r->store);
	if (rc < 0)
		return rc;
	rc = reply_json(r, 200, report_json(&p, queue, sl, through, &a));
	free(a.b);
	return rc;
}

/* ---- The calls behind a figure ---- */

static json_t *ref(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

static json_t *text_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

struct items_ctx {
	json_t *items;
	int64_t last;
};

static int item_row(void *ctx, const struct report_call_row *c)
{
	struct items_ctx *ic = ctx;
	char masked[32];

	ic->last = c->id;
	mask_phone(c->caller, masked, sizeof(masked));
	return json_array_append_new(
		ic->items,
		json_pack("{s:I, s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
			  " s:o, s:o, s:o}",
			  "id", (json_int_t)c->id, "started_at", (json_int_t)c->started_at,
			  "caller", masked, "queue", text_or_null(c->queue), "queue_name",
			  text_or_null(c->queue_name), "queued_at", ref(c->queued_at),
			  "connected_at", ref(c->connected_at), "ended_at", ref(c->ended_at),
			  "wait_ms",
			  c->queued_at && (c->connected_at || c->ended_at)
				  ? json_integer((c->connected_at ? c->connected_at : c->ended_at) -
						 c->queued_at)
				  : json_null(),
			  "outcome", text_or_null(c->outcome), "reason", text_or_null(c->reason),
			  "hangup_first", text_or_null(c->hangup_first), "agent_id",
			  ref(c->agent_id), "work_no", text_or_null(c->work_no), "agent_name",
			  text_or_null(c->agent_name), "talk_ms",
			  c->talk_ms >= 0 ? json_integer(c->talk_ms) : json_null(), "survey",
			  c->survey ? json_integer(c->survey) : json_null()));
}

/* GET /api/reports/calls/items: the inbound calls behind one figure, oldest first. */
static int items(struct req *r)
{
	struct report_period p;
	struct report_call_filter f;
	struct items_ctx ic = {NULL, 0};
	const char *figure = NULL;
	int64_t hour = -1;
	int item, n, rc;

	memset(&f, 0, sizeof(f));
	rc = report_period_query(r, &p);
	if (rc == 0)
		rc = req_page(r, &f.limit, &f.after);
	if (rc == 0)
		rc = query_queue(r, &f.queue);
	if (rc == 0)
		rc = req_query(r, "figure", &figure);
	if (rc == 0)
		rc = req_query_int(r, "hour", 0, 23, &hour);
	if (rc < 0)
		return rc;
	item = figure ? report_call_item_parse(figure) : RCI_INBOUND;
	if (item < 0)
		return err_set(&r->ei, ERR_INVALID, "figure",
			       "figure: inbound, ivr, closed, queued, answered, answered_sl, not_sl,"
			       " waiting, abandoned_short, abandoned_queue, abandoned_ringing or"
			       " callback");
	if (hour >= 0 && p.from_ymd != p.to_ymd)
		return err_set(&r->ei, ERR_INVALID, "hour", "hour: only for one day (from = to)");
	if (f.queue && !f.queue[0])
		f.queue = NULL;
	f.start = p.start;
	f.end = p.end;
	f.hour = (int)hour;
	f.item = item;
	f.now = r->now;
	f.sl_sec = report_call_sl_sec(r->store);
	if (f.sl_sec < 0)
		return f.sl_sec;
	ic.items = json_array();
	n = report_call_rows(r->store, &f, item_row, &ic);
	if (n < 0) {
		json_decref(ic.items);
		return n;
	}
	return reply_page(r, ic.items, n == f.limit ? ic.last : 0);
}

/* ---- The workbooks ---- */

static const struct export_style pct = {NULL, 0, "0.0%"};
static const struct export_style tenths = {NULL, 0, "0.0"};
static const struct export_style dur = {NULL, 0, "[h]:mm:ss"};

/* A ratio cell: the fraction, or empty when it has no denominator. */
static void ratio_cell(struct export_sheet *sh, int row, int col, int64_t v)
{
	if (v < 0)
		export_text(sh, row, col, "", NULL);
	else
		export_number(sh, row, col, (double)v / 10000.0, &pct);
}

#define STATS_COLS 16
static const char *const stats_zh[STATS_COLS] = {
	"时段",	    "来电",	    "菜单中结束", "非工作时间", "转人工", "接听",
	"服务水平内接听", "放弃",	    "留言回电",	"接通率",	"服务水平", "平均应答（秒）",
	"平均通话",	    "呼出",	    "呼出接通",	"回电请求"};
static const char *const stats_en[STATS_COLS] = {
	"Period",	"Inbound",   "Ended in IVR",	 "After hours",	 "Queued",
	"Answered",	"Within SL", "Abandoned",	 "Callback left", "Answer rate",
	"Service level", "ASA (s)",  "Average talk",	 "Calls out",	 "Out answered",
	"Callback requests"};

static void stats_row(struct export_sheet *sh, int row, const char *label,
		      const struct report_call_figs *f)
{
	const int64_t *v = f->v;
	int64_t asa = report_call_asa(f);

	export_text(sh, row, 0, label, NULL);
	export_int(sh, row, 1, v[RCF_INBOUND], NULL);
	export_int(sh, row, 2, v[RCF_IVR], NULL);
	export_int(sh, row, 3, v[RCF_CLOSED], NULL);
	export_int(sh, row, 4, v[RCF_QUEUED], NULL);
	export_int(sh, row, 5, v[RCF_ANSWERED], NULL);
	export_int(sh, row, 6, v[RCF_ANSWERED_SL], NULL);
	export_int(sh, row, 7, report_call_abandoned(f), NULL);
	export_int(sh, row, 8, v[RCF_CALLBACK], NULL);
	ratio_cell(sh, row, 9, report_call_rate(f, RCR_ANSWER));
	ratio_cell(sh, row, 10, report_call_rate(f, RCR_SERVICE_LEVEL));
	if (asa < 0)
		export_text(sh, row, 11, "", NULL);
	else
		export_number(sh, row, 11, (double)asa / 1000.0, &tenths);
	if (v[RCF_ANSWERED])
		export_number(sh, row, 12, (double)v[RCF_TALK_MS] / (double)v[RCF_ANSWERED] / DAY_MS,
			      &dur);
	else
		export_text(sh, row, 12, "", NULL);
	export_int(sh, row, 13, v[RCF_OUT], NULL);
	export_int(sh, row, 14, v[RCF_OUT_ANSWERED], NULL);
	export_int(sh, row, 15, v[RCF_CB_REQUESTED], NULL);
}

static void stats_head(struct export_sheet *sh, const char *title, const char *sub, int english)
{
	export_title(sh, title);
	export_subtitle(sh, sub);
	for (int c = 0; c < STATS_COLS; c++) {
		export_column(sh, c, c == 0 ? 12 : 10);
		export_header(sh, 0, c, 1, 1, english ? stats_en[c] : stats_zh[c], NULL);
	}
	export_freeze(sh, 1);
}

/* 话务统计表: the buckets with the period's total and a chart, then the hours. */
static int stats_book(const struct report_period *p, const struct agg *a, int sl_sec,
		      const char *made_by, const char *made_on, int english,
		      struct export_book **out)
{
	struct export_book *b = export_book_new();
	struct export_sheet *sh;
	static const int calls_cols[] = {1, 5, 7};
	char title[64], sub[160], label[32];
	int row = 0;

	if (!b)
		return ERR_NOMEM;
	snprintf(title, sizeof(title), "%s", english ? "Call statistics" : "话务统计表");
	snprintf(sub, sizeof(sub),
		 english ? "%s to %s, by %s; service level: answered within %d s"
			 : "%s 至 %s（%s）；服务水平：%d 秒内接听",
		 p->from_text, p->to_text, report_group_name(p->group), sl_sec);
	sh = export_sheet_add(b, english ? "Calls" : "话务统计");
	stats_head(sh, title, sub, english);
	for (int i = 0; i < a->nb; i++, row++) {
		ymd_text(a->b[i].ymd ? a->b[i].ymd : p->from_ymd, label, sizeof(label));
		stats_row(sh, row, label, &a->b[i].f);
	}
	stats_row(sh, row, english ? "Total" : "合计", &a->total);
	export_totals(sh, row);
	if (a->nb > 0)
		export_chart(sh, EXPORT_CHART_COLUMN, english ? "Calls per period" : "各时段话务量",
			     0, a->nb - 1, 0, calls_cols, 3, row + 2, 0);
	export_note(sh, english ? "Answer rate = answered / queued; service level = answered "
				  "within the threshold / (queued - still waiting)."
				: "接通率 = 接听 ÷ 转人工；服务水平 = 服务水平内接听 ÷（转人工 − 仍在等待）。");
	export_signed(sh, 1, made_by, made_on, english);

	sh = export_sheet_add(b, english ? "Hours" : "按小时");
	stats_head(sh, english ? "Calls by hour of the day" : "话务量时段分布", sub, english);
	for (int h = 0; h < 24; h++) {
		snprintf(label, sizeof(label), "%02d:00", h);
		stats_row(sh, h, label, &a->hours[h]);
	}
	export_chart(sh, EXPORT_CHART_LINE, english ? "Calls by hour" : "各小时话务量", 0, 23, 0,
		     calls_cols, 2, 26, 0);
	return export_book_done(b, out);
}

static const char *outcome_text(const char *o, int english)
{
	static const char *const map[][3] = {
		{"answered", "已接听", "Answered"}, {"abandoned", "放弃", "Abandoned"},
		{"callback", "留言回电", "Callback left"}, {"ivr", "菜单中结束", "Ended in IVR"},
		{"closed", "非工作时间", "After hours"}, {"rejected", "未接通", "Rejected"}};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], o) == 0)
			return map[i][english ? 2 : 1];
	return o;
}

static const char *hangup_text(const char *h, int english)
{
	if (!strcmp(h, "caller"))
		return english ? "caller" : "客户挂断";
	if (!strcmp(h, "agent"))
		return english ? "agent" : "坐席挂断";
	if (!strcmp(h, "kefu"))
		return english ? "system" : "系统挂断";
	return "";
}

#define SHEET_COLS 12
struct sheet_ctx {
	struct export_sheet *sh;
	int row, english;
};

static int sheet_row(void *ctx, const struct report_call_row *c)
{
	struct sheet_ctx *x = ctx;
	struct export_sheet *sh = x->sh;
	int ymd = clock_local_ymd(c->started_at), row = x->row++;
	int64_t secs = (c->started_at - clock_day_start(c->started_at)) / 1000;
	char t[16], masked[32], result[64];
	const char *h = hangup_text(c->hangup_first, x->english);

	snprintf(t, sizeof(t), "%02d:%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60),
		 (int)(secs % 60));
	mask_phone(c->caller, masked, sizeof(masked));
	export_int(sh, row, 0, row + 1, NULL);
	export_date(sh, row, 1, ymd / 10000, ymd / 100 % 100, ymd % 100, NULL);
	export_text(sh, row, 2, t, NULL);
	export_text(sh, row, 3, masked, NULL);
	export_text(sh, row, 4, c->queue_name, NULL);
	if (c->queued_at && (c->connected_at || c->ended_at))
		export_number(sh, row, 5,
			      (double)((c->connected_at ? c->connected_at : c->ended_at) -
				       c->queued_at) /
				      DAY_MS,
			      &dur);
	else
		export_text(sh, row, 5, "", NULL);
	export_text(sh, row, 6, c->work_no, NULL);
	export_text(sh, row, 7, c->agent_name, NULL);
	if (c->talk_ms >= 0)
		export_number(sh, row, 8, (double)c->talk_ms / DAY_MS, &dur);
	else
		export_text(sh, row, 8, "", NULL);
	snprintf(result, sizeof(result), "%s%s%s", outcome_text(c->outcome, x->english),
		 h[0] ? " / " : "", h);
	export_text(sh, row, 9, result, NULL);
	if (c->survey)
		export_int(sh, row, 10, c->survey, NULL);
	else
		export_text(sh, row, 10, "", NULL);
	export_text(sh, row, 11, c->orders, NULL);
	return 0;
}

/* 电话接听记录表: every inbound call of the period, oldest first. */
static int sheet_book(struct store *s, const struct report_period *p, const char *queue,
		      const char *made_by, const char *made_on, int english,
		      struct export_book **out)
{
	static const char *const zh[] = {"序号", "日期", "时间", "来电号码", "队列", "等待",
					 "接听工号", "接听坐席", "通话时长", "结果/挂断方",
					 "满意度", "关联工单"};
	static const char *const en[] = {"No.",	  "Date",     "Time",	       "Caller",
					 "Queue", "Wait",     "Work no.",      "Agent",
					 "Talk",  "Result / hung up first", "Satisfaction",
					 "Orders"};
	static const double widths[] = {6, 11, 9, 14, 10, 9, 9, 10, 9, 18, 7, 18};
	struct export_book *b = export_book_new();
	struct report_call_filter f;
	struct sheet_ctx x = {NULL, 0, english};
	char sub[96];
	int n;

	if (!b)
		return ERR_NOMEM;
	x.sh = export_sheet_add(b, english ? "Calls" : "电话接听记录");
	export_title(x.sh, english ? "Call log" : "电话接听记录表");
	snprintf(sub, sizeof(sub), english ? "%s to %s" : "%s 至 %s", p->from_text, p->to_text);
	export_subtitle(x.sh, sub);
	for (int c = 0; c < SHEET_COLS; c++) {
		export_column(x.sh, c, widths[c]);
		export_header(x.sh, 0, c, 1, 1, english ? en[c] : zh[c], NULL);
	}
	memset(&f, 0, sizeof(f));
	f.start = p->start;
	f.end = p->end;
	f.queue = queue;
	f.hour = -1;
	f.item = RCI_INBOUND;
	n = report_call_rows(s, &f, sheet_row, &x);
	if (n < 0) {
		export_book_free(b);
		return n;
	}
	export_freeze(x.sh, 0);
	export_signed(x.sh, 1, made_by, made_on, english);
	return export_book_done(b, out);
}

/* A form's period from its arguments: by day up to a month, by month up to a year. */
static int form_period(const struct export_form_args *a, struct report_period *p)
{
	int days;

	memset(p, 0, sizeof(*p));
	p->from_ymd = a->from_ymd;
	p->to_ymd = a->to_ymd;
	days = report_ymd_count(a->from_ymd, a->to_ymd);
	if (days < 1 || days > REPORT_PERIOD_DAYS_MAX)
		return ERR_INVALID;
	p->group = days <= 31 ? RG_DAY : days <= 366 ? RG_MONTH : RG_QUARTER;
	p->start = report_day_start(a->from_ymd);
	p->end = clock_day_end(report_day_start(a->to_ymd));
	ymd_text(a->from_ymd, p->from_text, sizeof(p->from_text));
	ymd_text(a->to_ymd, p->to_text, sizeof(p->to_text));
	return 0;
}

/* Who the form is made for (制表): the person's name, "" for none or one gone. */
static int made_by(struct store *s, int64_t person_id, char *out, size_t size)
{
	struct org_person who;
	int rc = person_id ? org_person_get(s, person_id, &who) : ERR_NOTFOUND;

	snprintf(out, size, "%s", rc == 0 ? who.name : "");
	return rc == ERR_NOTFOUND ? 0 : rc;
}

static int form_sheet(struct store *s, const struct export_form_args *a, struct export_book **out)
{
	struct report_period p;
	char by[sizeof(((struct org_person *)0)->name)], on[16];
	int rc = form_period(a, &p);

	if (rc == 0)
		rc = made_by(s, a->person_id, by, sizeof(by));
	if (rc < 0)
		return rc;
	ymd_text(clock_local_ymd(a->now), on, sizeof(on));
	return sheet_book(s, &p, NULL, by, on, a->english, out);
}

static int form_stats(struct store *s, const struct export_form_args *a, struct export_book **out)
{
	struct report_period p;
	struct agg g;
	char by[sizeof(((struct org_person *)0)->name)], on[16];
	int sl = report_call_sl_sec(s), rc = form_period(a, &p);

	if (rc == 0)
		rc = made_by(s, a->person_id, by, sizeof(by));
	if (rc == 0)
		rc = sl < 0 ? sl : agg_load(s, &p, NULL, a->now, &g);
	if (rc < 0)
		return rc;
	ymd_text(clock_local_ymd(a->now), on, sizeof(on));
	rc = stats_book(&p, &g, sl, by, on, a->english, out);
	free(g.b);
	return rc;
}

const struct export_form report_call_sheet_form = {
	"call_sheet", "电话接听记录表", "Call log", "/reports/calls", ACT_CALL_READ,
	EXPORT_PERIOD_RANGE, form_sheet};
const struct export_form report_call_stats_form = {
	"call_stats", "话务统计表", "Call statistics", "/reports/calls", ACT_REPORT_READ,
	EXPORT_PERIOD_RANGE, form_stats};

/* GET /api/reports/calls.xlsx?form=call_stats|call_sheet: audited before it goes out (SEC-2). */
static int calls_xlsx(struct req *r)
{
	struct report_period p;
	const char *queue = NULL, *form = NULL;
	struct export_book *b = NULL;
	struct agg a = {0};
	char ascii[80], utf8[256], on[16];
	int english, sheet, sl = 0, rc = report_period_query(r, &p);

	if (rc == 0)
		rc = query_queue(r, &queue);
	if (rc == 0)
		rc = req_query(r, "form", &form);
	if (rc < 0)
		return rc;
	if (form && strcmp(form, "call_stats") && strcmp(form, "call_sheet"))
		return err_set(&r->ei, ERR_INVALID, "form", "form: call_stats or call_sheet");
	sheet = form && !strcmp(form, "call_sheet");
	/* The file is an export (the route's ACT_EXPORT) of what one may read. */
	rc = req_authorize(r, sheet ? ACT_CALL_READ : ACT_REPORT_READ, NULL);
	if (rc < 0)
		return rc;
	if (queue && !queue[0])
		queue = NULL;
	english = err_lang_english(req_header(r, "Accept-Language"));
	ymd_text(clock_local_ymd(r->now), on, sizeof(on));
	rc = store_snapshot(r->store);
	if (rc < 0)
		return rc;
	if (sheet) {
		rc = sheet_book(r->store, &p, queue, r->who.name, on, english, &b);
	} else {
		sl = report_call_sl_sec(r->store);
		rc = sl < 0 ? sl : agg_load(r->store, &p, queue, r->now, &a);
		if (rc == 0)
			rc = stats_book(&p, &a, sl, r->who.name, on, english, &b);
	}
	store_rollback(r->store);
	free(a.b);
	snprintf(ascii, sizeof(ascii), "%s-%s-%s.xlsx", sheet ? "call-sheet" : "call-stats",
		 p.from_text, p.to_text);
	snprintf(utf8, sizeof(utf8), "%s-%s-%s.xlsx", sheet ? "电话接听记录表" : "话务统计表",
		 p.from_text, p.to_text);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0) {
		rc = req_audit(r, "report.export", "report", 0, "ok",
			       json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "report",
					 sheet ? "call_sheet" : "call_stats", "from", p.from_text,
					 "to", p.to_text, "group", report_group_name(p.group),
					 "queue", queue ? json_string(queue) : json_null(),
					 "filename", ascii));
		rc = req_finish(r, rc);
	}
	if (rc == 0)
		rc = export_reply(r, b, ascii, english ? NULL : utf8);
	export_book_free(b);
	return rc;
}

const struct route report_call_routes[] = {
	{"GET", "/api/reports/calls", calls, ACT_REPORT_READ},
	{"GET", "/api/reports/calls/items", items, ACT_CALL_READ},
	{"GET", "/api/reports/calls.xlsx", calls_xlsx, ACT_EXPORT},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
