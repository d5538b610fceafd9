/*
 * 工单统计表 (work-order statistics, LED-2, RPT-1): the figures of a period
 * per department and SLA metric as a workbook through src/export/, and the
 * form "wo_stats" of the center's forms registry. One row per department
 * (未分派 last) and a totals row; per metric (WO-2) the clocks started, met
 * on time, met late, breached and still open, with the on-time rate. The
 * figures are those of report_period_load, so the sheet and GET
 * /api/reports/daily?group=all agree to the unit.
 */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/clock.h"
#include "core/err.h"
#include "export/export.h"
#include "org/org.h"
#include "report/report.h"

#define HEAD_COLS 7 /* department, opened, archived, cancelled, escalated, completion, callbacks */
#define METRIC_COLS 6
#define COLS (HEAD_COLS + WOM_COUNT * METRIC_COLS)

static const char *const metric_zh[WOM_COUNT] = {"联系客户", "到场", "反馈", "办结", "答复"};
static const char *const metric_en[WOM_COUNT] = {"Callback", "On site", "Report", "Resolve",
						 "Reply"};

static void header(struct export_sheet *sh, int english)
{
	static const char *const head_zh[HEAD_COLS] = {"部门", "新建", "归档",	"取消",
						       "升级", "完成率", "联系客户平均分钟"};
	static const char *const head_en[HEAD_COLS] = {"Department", "Opened",	   "Archived",
						       "Cancelled",  "Escalated", "Completion",
						       "Callback min"};
	static const char *const fig_zh[METRIC_COLS] = {"开始",	  "按时完成", "超时完成",
							"超时",	  "未完成",	"按时率"};
	static const char *const fig_en[METRIC_COLS] = {"Started", "On time", "Late",
							"Breached", "Open",	"On-time rate"};

	for (int c = 0; c < HEAD_COLS; c++) {
		export_column(sh, c, c == 0 ? 16 : c == 6 ? 10 : 8);
		export_header(sh, 0, c, 2, 1, english ? head_en[c] : head_zh[c], NULL);
	}
	for (int m = 0; m < WOM_COUNT; m++) {
		int col = HEAD_COLS + m * METRIC_COLS;

		export_header(sh, 0, col, 1, METRIC_COLS, english ? metric_en[m] : metric_zh[m], NULL);
		for (int f = 0; f < METRIC_COLS; f++) {
			export_column(sh, col + f, f == METRIC_COLS - 1 ? 9 : 8);
			export_header(sh, 1, col + f, 1, 1, english ? fig_en[f] : fig_zh[f], NULL);
		}
	}
}

/* A share as a percentage cell, or an empty cell when there is nothing to divide. */
static void rate(struct export_sheet *sh, int row, int col, int64_t part, int64_t whole)
{
	static const struct export_style pct = {NULL, 0, "0.0%"};

	if (whole)
		export_number(sh, row, col, (double)part / (double)whole, &pct);
	else
		export_text(sh, row, col, "", NULL);
}

static void figures_row(struct export_sheet *sh, int row, const char *name,
			const struct report_cell *c)
{
	static const struct export_style one = {NULL, 0, "0.0"};
	int64_t cb_met = c->sla[WOM_CALLBACK][RSF_MET_ON_TIME] + c->sla[WOM_CALLBACK][RSF_MET_LATE];

	export_text(sh, row, 0, name, NULL);
	export_int(sh, row, 1, c->opened, NULL);
	export_int(sh, row, 2, c->archived, NULL);
	export_int(sh, row, 3, c->cancelled, NULL);
	export_int(sh, row, 4, c->escalated, NULL);
	rate(sh, row, 5, c->sla[WOM_RESOLVE][RSF_STARTED] - c->sla[WOM_RESOLVE][RSF_RUNNING],
	     c->sla[WOM_RESOLVE][RSF_STARTED]);
	if (cb_met)
		export_number(sh, row, 6, (double)c->callback_ms / (double)cb_met / 60000.0, &one);
	else
		export_text(sh, row, 6, "", NULL);
	for (int m = 0; m < WOM_COUNT; m++) {
		int col = HEAD_COLS + m * METRIC_COLS;

		for (int f = 0; f < RSF_COUNT; f++)
			export_int(sh, row, col + f, c->sla[m][f], NULL);
		rate(sh, row, col + RSF_COUNT, c->sla[m][RSF_MET_ON_TIME],
		     c->sla[m][RSF_MET_ON_TIME] + c->sla[m][RSF_MET_LATE]);
	}
}

/* The form's build (export.h): the period's figures, one row per department. */
static int wo_stats_build(struct store *s, const struct export_form_args *a,
			  struct export_book **out)
{
	struct report_period p;
	struct report_periodic rep;
	struct report_cell dept_sum, total;
	struct export_book *b;
	struct export_sheet *sh;
	struct org_person who;
	char subtitle[80], made_on[16];
	int rc, row = 0;

	*out = NULL;
	report_period_make(a->from_ymd, a->to_ymd, RG_ALL, &p);
	rc = report_period_load(s, &p, a->department_id, 1, &rep);
	if (rc < 0)
		return rc;
	b = export_book_new();
	if (!b) {
		report_periodic_free(&rep);
		return ERR_NOMEM;
	}
	sh = export_sheet_add(b, a->english ? "Work orders" : "工单统计");
	if (sh) {
		const struct report_day *d = &rep.b[0].day;

		export_title(sh, a->english ? "Work-order statistics" : "工单统计表");
		snprintf(subtitle, sizeof(subtitle), "%s – %s", p.from_text, p.to_text);
		export_subtitle(sh, subtitle);
		header(sh, a->english);
		memset(&total, 0, sizeof(total));
		/* Cells are sorted by department (none last): one row each. */
		for (int i = 0; i < d->ncells;) {
			int64_t dept = d->cells[i].department_id;
			struct org_department od;
			const char *name = a->english ? "(none)" : "未分派";

			memset(&dept_sum, 0, sizeof(dept_sum));
			for (; i < d->ncells && d->cells[i].department_id == dept; i++)
				report_cell_add(&dept_sum, &d->cells[i]);
			report_cell_add(&total, &dept_sum);
			if (dept && org_department_get(s, dept, &od) == 0)
				name = od.name;
			figures_row(sh, row++, name, &dept_sum);
		}
		figures_row(sh, row, a->english ? "Total" : "合计", &total);
		export_totals(sh, row);
		export_freeze(sh, 1);
		snprintf(made_on, sizeof(made_on), "%04d-%02d-%02d",
			 clock_local_ymd(a->now) / 10000,
			 clock_local_ymd(a->now) / 100 % 100,
			 clock_local_ymd(a->now) % 100);
		if (a->person_id <= 0 || org_person_get(s, a->person_id, &who) < 0)
			who.name[0] = '\0';
		export_signed(sh, 1, who.name, made_on, a->english);
	}
	report_periodic_free(&rep);
	return export_book_done(b, out);
}

static const struct export_form wo_stats = {
	"wo_stats",   "工单统计表",	 "Work-order statistics", "/dashboard",
	ACT_REPORT_READ, EXPORT_PERIOD_RANGE, wo_stats_build,
};

int report_forms_add(void)
{
	return export_form_add(&wo_stats);
}

int report_wo_stats_xlsx(struct store *s, const struct export_form_args *a,
			 struct export_book **out)
{
	return wo_stats_build(s, a, out);
}
