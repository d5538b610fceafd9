/*
 * The agents' quality figures of a period as a spreadsheet (QA-5: the
 * weekly summary, the biweekly assessment, the monthly review), described
 * through src/export/: one row per agent, the service star's row filled.
 * The layout only: no I/O, no SQL.
 */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "export/export.h"
#include "qa/qa.h"

#define COLS 19
#define STAR_FILL "#ffe699"

static void header(struct export_sheet *sh, int english)
{
	static const double widths[COLS] = {6, 10, 10, 8, 9, 7, 7, 7, 30, 9,
					    9, 9,  9,  9, 9, 9, 8, 9, 8};
	static const char *const zh[COLS] = {"序号",	   "工号",	  "姓名",	"质检数",
					     "平均分",	   "致命项",	  "命中",	"高风险",
					     "主要问题",   "评价数",	  "满意度均分", "回访满意",
					     "回访不满意", "回访满意率%", "上期平均分", "综合分",
					     "评审数",	   "评审均分",	  "服务之星"};
	static const char *const en[COLS] = {
		"No.",	      "Work no.",    "Name",	    "Checked",	 "Avg score",
		"Fatal",      "Hits",	     "High",	    "Top rules", "Rated",
		"Survey avg", "CB accepted", "CB not acc.", "CB sat. %", "Prev. avg",
		"Combined",   "Reviewed",    "Review avg",  "Star"};

	for (int c = 0; c < COLS; c++) {
		export_column(sh, c, widths[c]);
		export_header(sh, 0, c, 1, 1, english ? en[c] : zh[c], NULL);
	}
}

int qa_agents_xlsx(const struct qa_agent_row *rows, size_t n, const char *title,
		   const char *subtitle, const char *made_by, const char *made_on, int english,
		   struct export_book **out)
{
	static const struct export_style two = {NULL, 0, "0.00"};
	static const struct export_style star_text = {STAR_FILL, EXPORT_BOLD, NULL};
	struct export_book *b = export_book_new();
	struct export_sheet *sh;

	*out = NULL;
	if (!b)
		return ERR_NOMEM;
	sh = export_sheet_add(b, english ? "Quality" : "质检汇总");
	if (sh) {
		export_title(sh, title);
		export_subtitle(sh, subtitle);
		header(sh, english);
		for (size_t i = 0; i < n; i++) {
			const struct qa_agent_row *r = &rows[i];
			int row = (int)i;

			export_int(sh, row, 0, (int64_t)i + 1, NULL);
			export_text(sh, row, 1, r->work_no, r->star ? &star_text : NULL);
			export_text(sh, row, 2, r->name, r->star ? &star_text : NULL);
			export_int(sh, row, 3, r->now.checks, NULL);
			if (r->now.checks)
				export_number(sh, row, 4,
					      (double)r->now.score_sum / (double)r->now.checks,
					      &two);
			else
				export_text(sh, row, 4, "", NULL);
			export_int(sh, row, 5, r->now.fatal, NULL);
			export_int(sh, row, 6, r->now.hits, NULL);
			export_int(sh, row, 7, r->now.high, NULL);
			export_text(sh, row, 8, r->top_text, NULL);
			export_int(sh, row, 9, r->rated, NULL);
			if (r->rated)
				export_number(sh, row, 10, (double)r->rating_sum / (double)r->rated,
					      &two);
			else
				export_text(sh, row, 10, "", NULL);
			export_int(sh, row, 11, r->cb_accepted, NULL);
			export_int(sh, row, 12, r->cb_not_accepted, NULL);
			if (r->cb_accepted + r->cb_not_accepted)
				export_number(sh, row, 13,
					      100.0 * (double)r->cb_accepted /
						      (double)(r->cb_accepted + r->cb_not_accepted),
					      &two);
			else
				export_text(sh, row, 13, "", NULL);
			if (r->prev.checks)
				export_number(sh, row, 14,
					      (double)r->prev.score_sum / (double)r->prev.checks,
					      &two);
			else
				export_text(sh, row, 14, "", NULL);
			if (r->has_combined)
				export_number(sh, row, 15, r->combined, &two);
			else
				export_text(sh, row, 15, "", NULL);
			export_int(sh, row, 16, r->reviews, NULL);
			if (r->reviews)
				export_number(sh, row, 17,
					      (double)r->review_sum / (double)r->reviews, &two);
			else
				export_text(sh, row, 17, "", NULL);
			export_text(sh, row, 18, r->star ? "★" : "", r->star ? &star_text : NULL);
		}
		export_freeze(sh, 3);
		export_signed(sh, 1, made_by, made_on, english);
	}
	return export_book_done(b, out);
}
