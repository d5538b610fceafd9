/*
 * The month's attendance as the center's paper form, 考勤表 (see wfm.h,
 * "The attendance sheet as a spreadsheet"): the layout only, described
 * through src/export/. No I/O, no SQL.
 *
 * One row per agent: number, work number, name, days scheduled and worked,
 * late and early (times and minutes), absent and excused days, leave days
 * by kind, overtime in hours, adherence, and an empty column for the
 * agent's signature (the paper form is signed); a totals row (合计) sums
 * the columns, adherence over the whole center's scheduled time. Under the
 * table who made it and when, and the line for the reviewer.
 */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "export/export.h"
#include "wfm/wfm.h"

#define COLS 18

static const char *const leave_zh[WFM_LEAVE_KINDS] = {"年假", "病假", "事假", "调休"};
static const char *const leave_en[WFM_LEAVE_KINDS] = {"Annual", "Sick", "Personal", "Compensatory"};

static void header(struct export_sheet *sh, int english)
{
	static const double widths[COLS] = {6, 10, 10, 8, 8, 7, 8, 7, 8,
					    8, 8,  7,  7, 7, 7, 9, 9, 12};
	/* Single headers spanning both rows: column, Chinese, English. */
	static const struct {
		int col;
		const char *zh, *en;
	} single[] = {
		{0, "序号", "No."},
		{1, "工号", "Work no."},
		{2, "姓名", "Name"},
		{3, "应出勤（天）", "Scheduled (days)"},
		{4, "实出勤（天）", "Worked (days)"},
		{9, "旷工（天）", "Absent (days)"},
		{10, "有事由（天）", "Excused (days)"},
		{15, "加班（小时）", "Overtime (h)"},
		{16, "遵从度（%）", "Adherence (%)"},
		{17, "签名", "Signature"},
	};

	for (int c = 0; c < COLS; c++)
		export_column(sh, c, widths[c]);
	for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++)
		export_header(sh, 0, single[i].col, 2, 1, english ? single[i].en : single[i].zh,
			      NULL);
	export_header(sh, 0, 5, 1, 2, english ? "Late" : "迟到", NULL);
	export_header(sh, 1, 5, 1, 1, english ? "Times" : "次数", NULL);
	export_header(sh, 1, 6, 1, 1, english ? "Minutes" : "分钟", NULL);
	export_header(sh, 0, 7, 1, 2, english ? "Left early" : "早退", NULL);
	export_header(sh, 1, 7, 1, 1, english ? "Times" : "次数", NULL);
	export_header(sh, 1, 8, 1, 1, english ? "Minutes" : "分钟", NULL);
	export_header(sh, 0, 11, 1, WFM_LEAVE_KINDS, english ? "Leave (days)" : "请假（天）", NULL);
	for (int k = 0; k < WFM_LEAVE_KINDS; k++)
		export_header(sh, 1, 11 + k, 1, 1, english ? leave_en[k] : leave_zh[k], NULL);
}

/* The figures of one row: the sheet's, minutes to the nearest as on the page. */
static void figures(struct export_sheet *sh, int row, const struct wfm_attend_sheet *s,
		    const struct export_style *one)
{
	export_int(sh, row, 3, s->days_scheduled, NULL);
	export_int(sh, row, 4, s->days_worked, NULL);
	export_int(sh, row, 5, s->late_days, NULL);
	export_int(sh, row, 6, (s->late + 30000) / 60000, NULL);
	export_int(sh, row, 7, s->early_days, NULL);
	export_int(sh, row, 8, (s->early + 30000) / 60000, NULL);
	export_int(sh, row, 9, s->absent_days, NULL);
	export_int(sh, row, 10, s->excused_days, NULL);
	for (int k = 0; k < WFM_LEAVE_KINDS; k++)
		export_int(sh, row, 11 + k, s->leave_days[k], NULL);
	export_number(sh, row, 15, (double)((s->overtime + 30000) / 60000) / 60.0, one);
	if (s->elapsed > 0)
		export_number(sh, row, 16, 100.0 * (double)s->adherent / (double)s->elapsed, one);
	else
		export_text(sh, row, 16, "", NULL);
}

int wfm_attend_xlsx(const struct wfm_attend_line *lines, size_t n, int year, int month,
		    const char *center, const char *made_by, const char *made_on, int english,
		    struct export_book **out)
{
	static const struct export_style one = {NULL, 0, "0.0"};
	struct wfm_attend_sheet total;
	struct export_book *b = export_book_new();
	struct export_sheet *sh;
	char text[400];

	*out = NULL;
	if (!b)
		return ERR_NOMEM;
	sh = export_sheet_add(b, english ? "Attendance" : "考勤表");
	if (sh) {
		snprintf(text, sizeof(text), english ? "%s attendance sheet" : "%s考勤表", center);
		export_title(sh, text);
		snprintf(text, sizeof(text), english ? "%04d-%02d" : "%04d年%02d月", year, month);
		export_subtitle(sh, text);
		header(sh, english);
		memset(&total, 0, sizeof(total));
		for (size_t i = 0; i < n; i++) {
			const struct wfm_attend_sheet *s = &lines[i].s;

			export_int(sh, (int)i, 0, (int64_t)i + 1, NULL);
			export_text(sh, (int)i, 1, lines[i].p.work_no, NULL);
			export_text(sh, (int)i, 2, lines[i].p.name, NULL);
			figures(sh, (int)i, s, &one);
			export_text(sh, (int)i, 17, "", NULL);
			total.days_scheduled += s->days_scheduled;
			total.days_worked += s->days_worked;
			total.late_days += s->late_days;
			total.early_days += s->early_days;
			total.absent_days += s->absent_days;
			total.excused_days += s->excused_days;
			for (int k = 0; k < WFM_LEAVE_KINDS; k++)
				total.leave_days[k] += s->leave_days[k];
			total.late += s->late;
			total.early += s->early;
			total.overtime += s->overtime;
			total.elapsed += s->elapsed;
			total.adherent += s->adherent;
		}
		export_text(sh, (int)n, 0, english ? "Total" : "合计", NULL);
		export_merge(sh, (int)n, 0, 3);
		figures(sh, (int)n, &total, &one);
		export_totals(sh, (int)n);
		export_freeze(sh, 3);
		export_signed(sh, 1, made_by, made_on, english);
	}
	return export_book_done(b, out);
}
