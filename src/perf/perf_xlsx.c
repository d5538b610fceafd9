/*
 * The month's payout sheet for HR (奖惩发放表): the layout only, described
 * through src/export/. No I/O, no SQL.
 *
 * One row per person with a line counting in the month: number, work
 * number, name, the sum of each rule's lines in yuan (praise, proposal,
 * rank, grievance, penalty), the total and an empty column for the
 * person's signature; a totals row (合计); under the table who made it and
 * when, and the reviewer's line.
 */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "export/export.h"
#include "perf/perf.h"

#define COLS 10

int perf_payout_xlsx(const struct perf_payout *rows, size_t n, const char *month,
		     const char *made_by, const char *made_on, int english,
		     struct export_book **out)
{
	static const struct export_style yuan = {NULL, 0, "0.00"};
	static const double widths[COLS] = {6, 10, 10, 10, 10, 10, 10, 10, 12, 12};
	static const char *const zh[COLS] = {"序号",	   "工号",     "姓名",	 "表扬奖",
					     "合理化建议", "考评奖惩", "委屈奖", "处罚",
					     "合计（元）", "签名"};
	static const char *const en[COLS] = {"No.",	  "Work no.",	"Name",	     "Praise",
					     "Proposal",  "Evaluation", "Grievance", "Penalty",
					     "Total (¥)", "Signature"};
	struct export_book *b = export_book_new();
	struct export_sheet *sh;
	int64_t total[6] = {0};
	char text[200];

	*out = NULL;
	if (!b)
		return ERR_NOMEM;
	sh = export_sheet_add(b, english ? "Payout" : "奖惩发放表");
	if (sh) {
		export_title(sh, english ? "Rewards and penalties" : "客服中心奖惩发放表");
		snprintf(text, sizeof(text), english ? "Month %s" : "%s 月", month);
		export_subtitle(sh, text);
		for (int c = 0; c < COLS; c++) {
			export_column(sh, c, widths[c]);
			export_header(sh, 0, c, 1, 1, english ? en[c] : zh[c], NULL);
		}
		for (size_t i = 0; i < n; i++) {
			int row = (int)i;

			export_int(sh, row, 0, (int64_t)i + 1, NULL);
			export_text(sh, row, 1, rows[i].work_no, NULL);
			export_text(sh, row, 2, rows[i].name, NULL);
			for (int k = 0; k < 5; k++) {
				export_number(sh, row, 3 + k, (double)rows[i].by_rule[k] / 100.0,
					      &yuan);
				total[k] += rows[i].by_rule[k];
			}
			export_number(sh, row, 8, (double)rows[i].total / 100.0, &yuan);
			export_text(sh, row, 9, "", NULL);
			total[5] += rows[i].total;
		}
		export_text(sh, (int)n, 0, english ? "Total" : "合计", NULL);
		export_merge(sh, (int)n, 0, 3);
		for (int k = 0; k < 5; k++)
			export_number(sh, (int)n, 3 + k, (double)total[k] / 100.0, &yuan);
		export_number(sh, (int)n, 8, (double)total[5] / 100.0, &yuan);
		export_text(sh, (int)n, 9, "", NULL);
		export_totals(sh, (int)n);
		export_freeze(sh, 3);
		export_signed(sh, 1, made_by, made_on, english);
	}
	return export_book_done(b, out);
}
