/*
 * The form 工作统计一览表 (LED-2, RPT-1): the agents' work statistics of a
 * period as the center's paper form, one row per agent with the totals
 * row, durations as [h]:mm:ss, described through src/export/ and
 * registered in the forms registry (report_agent_form).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "export/export.h"
#include "http/http.h"
#include "report/report.h"
#include "store/store.h"

#define COLS 29
#define DAY_MS 86400000.0

static const char *const zh[COLS] = {"序号",	 "工号",     "姓名",	 "部门",     "接听量",
				     "通话时长", "平均通话", "保持时长", "话后处理", "呼出次数",
				     "呼出接通", "呼出通话", "示闲时长", "示忙时长", "小休时长",
				     "登录时长", "占用率%",  "电话",	 "微信",     "微博",
				     "网上客服", "邮件",     "短信",	 "来访",     "建单数",
				     "回访数",	 "评价数",   "满意度",	 "质检均分"};
static const char *const en[COLS] = {
	"No.",	    "Work no.",	 "Name",       "Department",   "Answered",     "Talk",
	"Avg talk", "Hold",	 "After-call", "Out calls",    "Out answered", "Out talk",
	"Ready",    "Away",	 "Break",      "Logged in",    "Occupancy %",  "Phone",
	"WeChat",   "Weibo",	 "Web chat",   "Email",	       "SMS",	       "Visit",
	"Orders",   "Callbacks", "Rated",      "Satisfaction", "QA score"};

static void header(struct export_sheet *sh, int english)
{
	static const double widths[COLS] = {5,	9, 9, 12, 7, 10, 9, 9, 9, 7, 7, 9, 10, 10, 10,
					    10, 8, 6, 6,  6, 7,	 6, 6, 6, 7, 7, 7, 7,  8};
	static const struct {
		int col, cols;
		const char *zh, *en;
	} groups[] = {{4, 5, "呼入", "Inbound"},
		      {9, 3, "呼出", "Outbound"},
		      {12, 5, "状态时长", "Status time"},
		      {17, 7, "接触量（按渠道）", "Contacts by channel"}};
	int g = 0;

	for (int c = 0; c < COLS; c++) {
		export_column(sh, c, widths[c]);
		if (g < (int)(sizeof(groups) / sizeof(groups[0])) && c == groups[g].col) {
			export_header(sh, 0, c, 1, groups[g].cols,
				      english ? groups[g].en : groups[g].zh, NULL);
			g++;
		}
		if ((c >= 4 && c <= 23))
			export_header(sh, 1, c, 1, 1, english ? en[c] : zh[c], NULL);
		else
			export_header(sh, 0, c, 2, 1, english ? en[c] : zh[c], NULL);
	}
}

static void duration(struct export_sheet *sh, int row, int col, int64_t ms,
		     const struct export_style *st)
{
	export_number(sh, row, col, (double)ms / DAY_MS, st);
}

/* One row's figures from column 4 on. */
static void figures(struct export_sheet *sh, int row, const struct report_agent_fig *f,
		    int64_t qa_checks, double qa_sum)
{
	static const struct export_style hms = {NULL, 0, "[h]:mm:ss"};
	static const struct export_style two = {NULL, 0, "0.00"};
	static const struct export_style one = {NULL, 0, "0.0"};
	double occ = report_agent_occupancy(f);
	int c = 4;

	export_int(sh, row, c++, f->calls_in, NULL);
	duration(sh, row, c++, f->talk_ms, &hms);
	if (f->calls_in)
		duration(sh, row, c++, f->talk_ms / f->calls_in, &hms);
	else
		export_text(sh, row, c++, "", NULL);
	duration(sh, row, c++, f->hold_ms, &hms);
	duration(sh, row, c++, f->status_ms[RAS_WRAP], &hms);
	export_int(sh, row, c++, f->out_attempts, NULL);
	export_int(sh, row, c++, f->out_answered, NULL);
	duration(sh, row, c++, f->out_talk_ms, &hms);
	duration(sh, row, c++, f->status_ms[RAS_READY], &hms);
	duration(sh, row, c++, f->status_ms[RAS_AWAY], &hms);
	duration(sh, row, c++, f->status_ms[RAS_BREAK], &hms);
	duration(sh, row, c++, report_agent_logged_in(f), &hms);
	if (occ >= 0)
		export_number(sh, row, c++, occ, &one);
	else
		export_text(sh, row, c++, "", NULL);
	for (int k = 0; k < REPORT_CHANNELS; k++)
		export_int(sh, row, c++, f->contacts[k], NULL);
	export_int(sh, row, c++, f->orders, NULL);
	export_int(sh, row, c++, f->callbacks, NULL);
	export_int(sh, row, c++, f->rated, NULL);
	if (f->rated)
		export_number(sh, row, c++, (double)f->rating_sum / (double)f->rated, &two);
	else
		export_text(sh, row, c++, "", NULL);
	if (qa_checks)
		export_number(sh, row, c, qa_sum / (double)qa_checks, &two);
	else
		export_text(sh, row, c, "", NULL);
}

int report_agent_xlsx(const struct report_agent_row *rows, size_t n, const char *title,
		      const char *subtitle, const char *made_by, const char *made_on, int english,
		      struct export_book **out)
{
	struct export_book *b = export_book_new();
	struct export_sheet *sh;
	struct report_agent_fig total;
	int64_t qa_checks = 0;
	double qa_sum = 0;

	*out = NULL;
	if (!b)
		return ERR_NOMEM;
	memset(&total, 0, sizeof(total));
	sh = export_sheet_add(b, english ? "Agents" : "工作统计");
	if (sh) {
		export_title(sh, title);
		export_subtitle(sh, subtitle);
		header(sh, english);
		for (size_t i = 0; i < n; i++) {
			int row = (int)i;

			export_int(sh, row, 0, (int64_t)i + 1, NULL);
			export_text(sh, row, 1, rows[i].work_no, NULL);
			export_text(sh, row, 2, rows[i].name, NULL);
			export_text(sh, row, 3, rows[i].department, NULL);
			figures(sh, row, &rows[i].f, rows[i].qa_checks, rows[i].qa_sum);
			report_agent_fig_add(&total, &rows[i].f);
			qa_checks += rows[i].qa_checks;
			qa_sum += rows[i].qa_sum;
		}
		export_text(sh, (int)n, 0, english ? "Total" : "合计", NULL);
		export_merge(sh, (int)n, 0, 4);
		figures(sh, (int)n, &total, qa_checks, qa_sum);
		export_totals(sh, (int)n);
		export_freeze(sh, 3);
		export_signed(sh, 1, made_by, made_on, english);
	}
	return export_book_done(b, out);
}

static int name_of(struct store_stmt *st, void *dst)
{
	store_col_copy(st, 0, dst, 129);
	return 0;
}

/* The period of a form's arguments, all in one total. */
void report_agent_period(int from_ymd, int to_ymd, struct report_period *p)
{
	memset(p, 0, sizeof(*p));
	p->from_ymd = from_ymd;
	p->to_ymd = to_ymd;
	p->group = RG_ALL;
	p->start = report_day_start(from_ymd);
	p->end = report_day_start(report_ymd_next(to_ymd));
	snprintf(p->from_text, sizeof(p->from_text), "%04d-%02d-%02d", from_ymd / 10000,
		 from_ymd / 100 % 100, from_ymd % 100);
	snprintf(p->to_text, sizeof(p->to_text), "%04d-%02d-%02d", to_ymd / 10000,
		 to_ymd / 100 % 100, to_ymd % 100);
}

int report_agent_book(struct store *s, const struct report_period *p, int64_t department_id,
		      int64_t agent_id, int64_t now, const char *made_by, int english,
		      struct export_book **out)
{
	struct report_agent_row *rows = NULL;
	char title[160], subtitle[200], made_on[16];
	size_t n = 0;
	int today = clock_local_ymd(now);
	int rc = report_agent_load(s, p, department_id, agent_id, now, &rows, &n);

	if (rc < 0)
		return rc;
	snprintf(title, sizeof(title), "%s",
		 english ? "Agents' work statistics" : "工作统计一览表");
	if (department_id > 0 && n)
		snprintf(subtitle, sizeof(subtitle), "%s – %s  %s", p->from_text, p->to_text,
			 rows[0].department);
	else
		snprintf(subtitle, sizeof(subtitle), "%s – %s", p->from_text, p->to_text);
	snprintf(made_on, sizeof(made_on), "%04d-%02d-%02d", today / 10000, today / 100 % 100,
		 today % 100);
	rc = report_agent_xlsx(rows, n, title, subtitle, made_by, made_on, english, out);
	free(rows);
	return rc;
}

static int form_build(struct store *s, const struct export_form_args *a, struct export_book **out)
{
	struct report_period p;
	char made_by[129] = "";

	report_agent_period(a->from_ymd, a->to_ymd, &p);
	if (a->person_id &&
	    store_one(store_query(s, "SELECT name FROM person WHERE id = ?", "i", a->person_id),
		      name_of, made_by) < 0)
		made_by[0] = '\0';
	return report_agent_book(s, &p, a->department_id, 0, clock_now_ms(), made_by, a->english,
				 out);
}

const struct export_form report_agent_form = {
	"agent_stats",	   "工作统计一览表",  "Agents' work statistics",
	"/reports/agents", ACT_REPORT_AGENTS, EXPORT_PERIOD_RANGE,
	form_build};
