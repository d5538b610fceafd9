/*
 * The month's answer-rate tests as the center's paper form, 每日接通率测试表
 * (LED-2; out.h): the layout only, described through src/export/. No I/O,
 * no SQL.
 *
 * One row per test call in time order: number, date, time, scheduled or a
 * manager's, the keys pressed, the result, seconds to answer, the work
 * number and name of who answered; after each day its subtotal (tests
 * answered of those that reached the hotline, the mean seconds to answer
 * and the day's answer rate), and at the end the month's (the totals row).
 * Under the table how the rate is counted, who made the sheet and when,
 * and the reviewer's line.
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "export/export.h"
#include "out/out.h"

#define COLS 10
#define SUB_FILL "#F2F2F2"

static void header(struct export_sheet *sh, int english)
{
	static const double widths[COLS] = {6, 12, 8, 8, 8, 10, 12, 10, 10, 11};
	static const char *const zh[COLS] = {"序号",   "日期",	     "时间",	       "方式",
					     "按键",   "结果",	     "应答用时（秒）", "接听工号",
					     "接听人", "接通率（%）"};
	static const char *const en[COLS] = {
		"No.",	  "Date",	"Time",	    "Kind",	   "Keys",
		"Result", "Answer (s)", "Work no.", "Answered by", "Answer rate (%)"};

	for (int c = 0; c < COLS; c++) {
		export_column(sh, c, widths[c]);
		export_header(sh, 0, c, 1, 1, english ? en[c] : zh[c], NULL);
	}
}

static const char *result_text(enum out_test_verdict v, int english)
{
	static const char *const zh[] = {"进行中", "接通", "未接通", "呼叫失败"};
	static const char *const en[] = {"Running", "Answered", "Not answered", "Failed"};

	return english ? en[v] : zh[v];
}

/* A subtotal or the totals: label over columns 0..4, then the figures. */
static void tally_row(struct export_sheet *sh, int row, const char *label,
		      const struct out_test_tally *t, const struct export_style *st,
		      const struct export_style *one, int english)
{
	char text[64];
	int bp = out_test_rate_bp(t);
	int64_t mean = out_test_mean_ms(t);

	export_text(sh, row, 0, label, st);
	for (int c = 1; c < 5; c++)
		export_text(sh, row, c, "", st);
	export_merge(sh, row, 0, 5);
	snprintf(text, sizeof(text), english ? "%d of %d" : "接通 %d/%d", t->answered,
		 t->answered + t->not_answered);
	export_text(sh, row, 5, text, st);
	if (mean >= 0)
		export_number(sh, row, 6, (double)((mean + 50) / 100) / 10.0, one);
	else
		export_text(sh, row, 6, "", st);
	export_text(sh, row, 7, "", st);
	export_text(sh, row, 8, "", st);
	if (bp >= 0)
		export_number(sh, row, 9, bp / 100.0, one);
	else
		export_text(sh, row, 9, "", st);
}

int out_test_xlsx(const struct out_test_row *rows, size_t n, int year, int month,
		  const char *center, const char *made_by, const char *made_on, int english,
		  struct export_book **out)
{
	static const struct export_style one = {NULL, 0, "0.0"};
	static const struct export_style sub = {SUB_FILL, EXPORT_BOLD, NULL};
	static const struct export_style sub_one = {SUB_FILL, EXPORT_BOLD, "0.0"};
	struct out_test_tally day, total;
	struct export_book *b = export_book_new();
	struct export_sheet *sh;
	char text[400];
	int row = 0;

	*out = NULL;
	if (!b)
		return ERR_NOMEM;
	sh = export_sheet_add(b, english ? "Answer-rate tests" : "接通率测试");
	if (sh) {
		snprintf(text, sizeof(text),
			 english ? "%s daily answer-rate tests" : "%s每日接通率测试表", center);
		export_title(sh, text);
		snprintf(text, sizeof(text), english ? "%04d-%02d" : "%04d年%02d月", year, month);
		export_subtitle(sh, text);
		header(sh, english);
		memset(&day, 0, sizeof(day));
		memset(&total, 0, sizeof(total));
		for (size_t i = 0; i < n; i++) {
			const struct out_test_row *t = &rows[i];
			enum out_test_verdict v = out_test_verdict(t->state, t->result);
			int64_t ms = out_test_answer_ms(t);
			int m = clock_local_minute(t->at);

			export_int(sh, row, 0, (int64_t)i + 1, NULL);
			export_date(sh, row, 1, t->day / 10000, t->day / 100 % 100, t->day % 100,
				    NULL);
			snprintf(text, sizeof(text), "%02d:%02d", m / 60, m % 60);
			export_text(sh, row, 2, text, NULL);
			export_text(sh, row, 3,
				    t->slot >= 0 ? (english ? "Scheduled" : "定时")
						 : (english ? "Manual" : "手动"),
				    NULL);
			export_text(sh, row, 4, t->keys, NULL);
			export_text(sh, row, 5, result_text(v, english), NULL);
			if (ms >= 0)
				export_number(sh, row, 6, (double)((ms + 50) / 100) / 10.0, &one);
			else
				export_text(sh, row, 6, "", NULL);
			export_text(sh, row, 7, t->work_no, NULL);
			export_text(sh, row, 8, t->name, NULL);
			export_text(sh, row, 9, "", NULL);
			row++;
			out_test_tally_add(&day, t);
			out_test_tally_add(&total, t);
			if (i + 1 == n || rows[i + 1].day != t->day) {
				if (english)
					snprintf(text, sizeof(text), "%04d-%02d-%02d subtotal",
						 t->day / 10000, t->day / 100 % 100, t->day % 100);
				else
					snprintf(text, sizeof(text), "%02d月%02d日小计",
						 t->day / 100 % 100, t->day % 100);
				tally_row(sh, row++, text, &day, &sub, &sub_one, english);
				memset(&day, 0, sizeof(day));
			}
		}
		tally_row(sh, row, english ? "Month total" : "本月合计", &total, NULL, &one,
			  english);
		export_totals(sh, row);
		export_note(sh, english ? "Answer rate = answered / (answered + not answered); "
					  "failed and running tests are not counted."
					: "接通率 = 接通次数 ÷（接通 + "
					  "未接通）；呼叫失败和进行中的测试不计入。");
		export_freeze(sh, 2);
		export_signed(sh, 0, made_by, made_on, english);
	}
	return export_book_done(b, out);
}
