/*
 * wfm's paper forms in the center's registry (LED-2, issue 20; export.h,
 * "The center's forms"): 客服中心排班表 and 考勤表 wrap the builders the
 * roster's and the attendance sheet's downloads use, and 调班申请单 lists
 * the period's swap requests in the paper form's columns. cli's wire()
 * registers them; the forms API and the scheduled reports build them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "export/export.h"
#include "store/store.h"
#include "wfm/wfm.h"

static void ymd_text(int ymd, char *out, size_t size)
{
	snprintf(out, size, "%04u-%02u-%02u", (unsigned)ymd / 10000 % 10000,
		 (unsigned)ymd / 100 % 100, (unsigned)ymd % 100);
}

/* The month of a month form is the month of its first day. */
static int roster_build(struct store *s, const struct export_form_args *a, struct export_book **out)
{
	struct wfm_roster_sheet sh;
	int rc = wfm_sheet_load(s, a->from_ymd / 10000, a->from_ymd / 100 % 100, a->made_by, &sh);

	if (rc < 0)
		return rc;
	rc = wfm_sheet_build(&sh, a->cfg->center_name, a->english, out);
	wfm_sheet_free(&sh);
	return rc;
}

static int attend_build(struct store *s, const struct export_form_args *a, struct export_book **out)
{
	struct wfm_attend_line *lines = NULL;
	size_t n = 0;
	char made_on[16];
	int year = a->from_ymd / 10000, mon = a->from_ymd / 100 % 100;
	int rc = wfm_attend_month(s, a->now, a->cfg->busy_max_min, year, mon, 0, &lines, &n);

	if (rc < 0)
		return rc;
	ymd_text(clock_local_ymd(a->now), made_on, sizeof(made_on));
	rc = wfm_attend_xlsx(lines, n, year, mon, a->cfg->center_name, a->made_by, made_on,
			     a->english, out);
	free(lines);
	return rc;
}

/* 调班申请单: one row per swap request of the period, as the paper form has them. */
struct swap_fill {
	struct export_sheet *sh;
	int row, english;
};

static const char *swap_state(const char *state, int english)
{
	static const char *const codes[] = {"asked",	"signed",   "approved",
					    "rejected", "declined", "cancelled"};
	static const char *const zh[] = {"待对方签字", "待审批",   "已批准",
					 "已驳回",     "对方拒绝", "已撤回"};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(codes[i], state) == 0)
			return english ? codes[i] : zh[i];
	return state;
}

static int swap_row(void *ctx, const struct wfm_swap *w)
{
	struct swap_fill *f = ctx;
	int cover = strcmp(w->kind, "cover") == 0, c = 0;

	export_int(f->sh, f->row, c++, f->row + 1, NULL);
	export_text(f->sh, f->row, c++, w->requester_name, NULL);
	export_text(f->sh, f->row, c++, w->requester_work_no, NULL);
	export_text(f->sh, f->row, c++,
		    cover ? (f->english ? "Cover" : "代班") : (f->english ? "Exchange" : "互换"),
		    NULL);
	export_text(f->sh, f->row, c++, w->a_day, NULL);
	export_text(f->sh, f->row, c++, w->a_shift_name, NULL);
	export_text(f->sh, f->row, c++, w->partner_name, NULL);
	export_text(f->sh, f->row, c++, w->b_day, NULL);
	export_text(f->sh, f->row, c++, w->b_shift_name, NULL);
	export_text(f->sh, f->row, c++, w->reason, NULL);
	export_text(f->sh, f->row, c++, swap_state(w->state, f->english), NULL);
	export_text(f->sh, f->row, c++, w->decided_by_name, NULL);
	f->row++;
	return 0;
}

static int swaps_build(struct store *s, const struct export_form_args *a, struct export_book **out)
{
	static const char *const zh[] = {"序号",     "申请人",	 "工号",     "类型",
					 "原班日期", "原班次",	 "对方",     "对方班日期",
					 "对方班次", "调班原因", "审批结果", "审批人"};
	static const char *const en[] = {
		"No.",	   "Requester",	    "Work no.",	       "Kind",	 "Day",	     "Shift",
		"Partner", "Partner's day", "Partner's shift", "Reason", "Decision", "Decided by"};
	static const double widths[] = {6, 12, 10, 8, 12, 12, 12, 12, 12, 30, 12, 12};
	struct export_book *b = export_book_new();
	struct swap_fill f = {NULL, 0, a->english};
	char from[16], to[16], title[200], sub[64], made_on[16];
	struct wfm_request_filter q = {0, NULL, from, to, 10000};
	int rc;

	if (!b)
		return ERR_NOMEM;
	ymd_text(a->from_ymd, from, sizeof(from));
	ymd_text(a->to_ymd, to, sizeof(to));
	f.sh = export_sheet_add(b, a->english ? "Shift swaps" : "调班申请单");
	snprintf(title, sizeof(title), a->english ? "%s shift swap requests" : "%s调班申请单",
		 a->cfg->center_name);
	snprintf(sub, sizeof(sub), "%s – %s", from, to);
	export_title(f.sh, title);
	export_subtitle(f.sh, sub);
	for (int i = 0; i < 12; i++) {
		export_column(f.sh, i, widths[i]);
		export_header(f.sh, 0, i, 1, 1, a->english ? en[i] : zh[i], NULL);
	}
	export_freeze(f.sh, 0);
	rc = wfm_swap_list(s, &q, swap_row, &f);
	ymd_text(clock_local_ymd(a->now), made_on, sizeof(made_on));
	export_signed(f.sh, 1, a->made_by, made_on, a->english);
	if (rc < 0) {
		export_book_free(b);
		return rc;
	}
	return export_book_done(b, out);
}

const struct export_form wfm_roster_form = {"roster",	   "客服中心排班表", "Duty roster",
					    "/wfm/roster", ACT_WFM_EXPORT,   EXPORT_PERIOD_MONTH,
					    roster_build};
const struct export_form wfm_attend_form = {"attendance",      "考勤表",       "Attendance sheet",
					    "/wfm/attendance", ACT_WFM_EXPORT, EXPORT_PERIOD_MONTH,
					    attend_build};
const struct export_form wfm_swap_form = {"swap_requests", "调班申请单",   "Shift swap requests",
					  "/wfm/roster",   ACT_WFM_DECIDE, EXPORT_PERIOD_MONTH,
					  swaps_build};
