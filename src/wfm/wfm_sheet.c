/*
 * The roster as the center's paper form, 客服中心排班表 (see wfm.h, "The
 * roster as a spreadsheet"): the layout only, described through
 * src/export/. No I/O, no SQL, no clock beyond the time zone of the
 * publication date.
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "export/export.h"
#include "wfm/wfm.h"

#define NIGHT_BEFORE_MIN 360 /* a shift starting before 06:00 is a night shift */
#define FIRST_DAY_COL 3	     /* 工号, 姓名, skills, then the days */
#define TOTAL_COLS 4	     /* shifts, paid hours, nights, weekend days */

/* The colours of the form: holidays and weekends in the header, leave in the grid. */
#define HOLIDAY_FILL "#f8cbad"
#define WEEKEND_FILL "#e2efda"
#define LEAVE_FILL "#d9d9d9"

static const char *const leave_codes[WFM_SHEET_LEAVE_KINDS] = {"annual", "sick", "personal",
							       "compensatory"};
static const char *const leave_zh[WFM_SHEET_LEAVE_KINDS] = {"年假", "病假", "事假", "调休"};
static const char *const leave_en[WFM_SHEET_LEAVE_KINDS] = {"Annual", "Sick", "Personal", "Comp."};
static const char *const weekday_zh[7] = {"周一", "周二", "周三", "周四", "周五", "周六", "周日"};
static const char *const weekday_en[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const month_en[12] = {"January",   "February", "March",    "April",
					 "May",	      "June",	  "July",     "August",
					 "September", "October",  "November", "December"};

int wfm_sheet_leave_kind(const char *code)
{
	for (int k = 0; k < WFM_SHEET_LEAVE_KINDS; k++)
		if (!strcmp(code, leave_codes[k]))
			return k;
	return -1;
}

int wfm_sheet_is_night(const struct wfm_shift_type *t)
{
	return wfm_shift_crosses_midnight(t) || (t->nseg > 0 && t->seg[0].start < NIGHT_BEFORE_MIN);
}

static int is_weekend(const struct wfm_roster_sheet *s, int day)
{
	return wfm_weekday(s->year, s->month, day) >= 6;
}

void wfm_sheet_agent_totals(const struct wfm_roster_sheet *s, size_t agent,
			    struct wfm_sheet_totals *out)
{
	const int *row = s->grid + agent * (size_t)s->ndays;

	memset(out, 0, sizeof(*out));
	for (int d = 0; d < s->ndays; d++) {
		const struct wfm_shift_type *t;

		if (WFM_SHEET_IS_LEAVE(row[d]))
			out->leave++;
		if (row[d] < 0)
			continue;
		t = &s->types[row[d]];
		out->shifts++;
		out->paid_min += t->paid_min;
		out->nights += wfm_sheet_is_night(t);
		out->weekends += is_weekend(s, d + 1);
	}
}

/* Whether type i has a count row: active and not office hours, or used this month. */
static int type_listed(const struct wfm_roster_sheet *s, size_t i)
{
	if (s->types[i].active && !s->types[i].office)
		return 1;
	for (size_t k = 0; k < s->nagents * (size_t)s->ndays; k++)
		if (s->grid[k] == (int)i)
			return 1;
	return 0;
}

static void header(struct export_sheet *sh, const struct wfm_roster_sheet *s, int english)
{
	int tc = FIRST_DAY_COL + s->ndays;

	export_header(sh, 0, 0, 2, 1, english ? "No." : "工号", NULL);
	export_header(sh, 0, 1, 2, 1, english ? "Name" : "姓名", NULL);
	export_header(sh, 0, 2, 2, 1, english ? "Skills" : "席位/技能", NULL);
	for (int d = 1; d <= s->ndays; d++) {
		struct export_style st = {NULL, 0, NULL};
		int wd = wfm_weekday(s->year, s->month, d);
		char num[8];

		/* Holidays first; a make-up working day is a working day even on a weekend. */
		if (s->holiday[d - 1])
			st.fill = HOLIDAY_FILL;
		else if (wd >= 6 && !s->makeup[d - 1])
			st.fill = WEEKEND_FILL;
		snprintf(num, sizeof(num), "%d", d);
		export_header(sh, 0, FIRST_DAY_COL + d - 1, 1, 1, num, &st);
		export_header(sh, 1, FIRST_DAY_COL + d - 1, 1, 1,
			      english ? weekday_en[wd - 1] : weekday_zh[wd - 1], &st);
		export_column(sh, FIRST_DAY_COL + d - 1, 5.5);
	}
	export_header(sh, 0, tc, 1, TOTAL_COLS, english ? "Totals" : "合计", NULL);
	export_header(sh, 1, tc, 1, 1, english ? "Shifts" : "班次", NULL);
	export_header(sh, 1, tc + 1, 1, 1, english ? "Paid h" : "工时", NULL);
	export_header(sh, 1, tc + 2, 1, 1, english ? "Nights" : "夜班", NULL);
	export_header(sh, 1, tc + 3, 1, 1, english ? "Weekends" : "周末", NULL);
	export_column(sh, 0, 8);
	export_column(sh, 1, 10);
	export_column(sh, 2, 16);
	for (int c = 0; c < TOTAL_COLS; c++)
		export_column(sh, tc + c, c == 3 && english ? 9 : 7);
}

/* One agent's row: who, each day, and what it adds up to. */
static void agent_row(struct export_sheet *sh, const struct wfm_roster_sheet *s, size_t a,
		      int english)
{
	static const struct export_style centred = {NULL, EXPORT_CENTER, NULL};
	static const struct export_style leave = {LEAVE_FILL, EXPORT_CENTER, NULL};
	static const struct export_style hours = {NULL, 0, "0.0"};
	const struct wfm_sheet_agent *ag = &s->agents[a];
	const int *row = s->grid + a * (size_t)s->ndays;
	struct wfm_sheet_totals t;
	int r = (int)a, tc = FIRST_DAY_COL + s->ndays;

	export_text(sh, r, 0, ag->work_no, NULL);
	export_text(sh, r, 1, ag->name, NULL);
	export_text(sh, r, 2, ag->skills, NULL);
	for (int d = 0; d < s->ndays; d++) {
		int v = row[d];

		if (v >= 0) {
			struct export_style st = {s->types[v].colour, EXPORT_CENTER, NULL};

			export_text(sh, r, FIRST_DAY_COL + d, s->types[v].name, &st);
		} else if (WFM_SHEET_IS_LEAVE(v)) {
			int k = WFM_SHEET_LEAVE_KIND(v);

			export_text(sh, r, FIRST_DAY_COL + d, english ? leave_en[k] : leave_zh[k],
				    &leave);
		} else {
			export_text(sh, r, FIRST_DAY_COL + d, english ? "Off" : "休", &centred);
		}
	}
	wfm_sheet_agent_totals(s, a, &t);
	export_int(sh, r, tc, t.shifts, NULL);
	export_number(sh, r, tc + 1, t.paid_min / 60.0, &hours);
	export_int(sh, r, tc + 2, t.nights, NULL);
	export_int(sh, r, tc + 3, t.weekends, NULL);
}

/* Under the agents: how many work each shift type each day, how many are on
 * leave, and the totals row (on duty per day, the columns summed). */
static void count_rows(struct export_sheet *sh, const struct wfm_roster_sheet *s, int english)
{
	static const struct export_style label = {NULL, EXPORT_BOLD, NULL};
	static const struct export_style centred = {NULL, EXPORT_CENTER, NULL};
	static const struct export_style hours = {NULL, EXPORT_BOLD, "0.0"};
	int r = (int)s->nagents, tc = FIRST_DAY_COL + s->ndays;
	int sum_shifts = 0, sum_min = 0, sum_nights = 0, sum_weekends = 0;
	char text[160];

	for (size_t i = 0; i < s->ntypes; i++) {
		int month_total = 0;

		if (!type_listed(s, i))
			continue;
		if (english)
			snprintf(text, sizeof(text), "%s on duty", s->types[i].name);
		else
			snprintf(text, sizeof(text), "%s人数", s->types[i].name);
		export_text(sh, r, 0, text, &label);
		export_merge(sh, r, 0, FIRST_DAY_COL);
		for (int d = 0; d < s->ndays; d++) {
			int n = 0;

			for (size_t a = 0; a < s->nagents; a++)
				n += s->grid[a * (size_t)s->ndays + (size_t)d] == (int)i;
			export_int(sh, r, FIRST_DAY_COL + d, n, &centred);
			month_total += n;
		}
		export_int(sh, r, tc, month_total, NULL);
		r++;
	}
	export_text(sh, r, 0, english ? "On leave" : "请假人数", &label);
	export_merge(sh, r, 0, FIRST_DAY_COL);
	for (int d = 0; d < s->ndays; d++) {
		int n = 0;

		for (size_t a = 0; a < s->nagents; a++)
			n += WFM_SHEET_IS_LEAVE(s->grid[a * (size_t)s->ndays + (size_t)d]);
		export_int(sh, r, FIRST_DAY_COL + d, n, &centred);
	}
	r++;

	export_totals(sh, r);
	export_text(sh, r, 0, english ? "Total on duty" : "合计（在岗人数）", &label);
	export_merge(sh, r, 0, FIRST_DAY_COL);
	for (int d = 0; d < s->ndays; d++) {
		int n = 0;

		for (size_t a = 0; a < s->nagents; a++)
			n += s->grid[a * (size_t)s->ndays + (size_t)d] >= 0;
		export_int(sh, r, FIRST_DAY_COL + d, n, &centred);
	}
	for (size_t a = 0; a < s->nagents; a++) {
		struct wfm_sheet_totals t;

		wfm_sheet_agent_totals(s, a, &t);
		sum_shifts += t.shifts;
		sum_min += t.paid_min;
		sum_nights += t.nights;
		sum_weekends += t.weekends;
	}
	export_int(sh, r, tc, sum_shifts, NULL);
	export_number(sh, r, tc + 1, sum_min / 60.0, &hours);
	export_int(sh, r, tc + 2, sum_nights, NULL);
	export_int(sh, r, tc + 3, sum_weekends, NULL);
}

int wfm_sheet_build(const struct wfm_roster_sheet *s, const char *center, int english,
		    struct export_book **out)
{
	struct export_book *b = export_book_new();
	struct export_sheet *sh;
	char text[512], date[16] = "", version[64];

	*out = NULL;
	if (!b)
		return ERR_NOMEM;
	sh = export_sheet_add(b, english ? "Roster" : "排班表");
	if (!sh)
		goto done;
	if (s->published_at) {
		int ymd = clock_local_ymd(s->published_at);

		snprintf(date, sizeof(date), "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100,
			 ymd % 100);
	}
	if (english) {
		snprintf(text, sizeof(text), "%s Roster, %s %d", center, month_en[s->month - 1],
			 s->year);
		if (s->published)
			snprintf(version, sizeof(version), "Version %d", s->version);
		else
			snprintf(version, sizeof(version), "Draft (not published)");
	} else {
		snprintf(text, sizeof(text), "%s排班表 %d年%d月", center, s->year, s->month);
		if (s->published)
			snprintf(version, sizeof(version), "第 %d 版", s->version);
		else
			snprintf(version, sizeof(version), "草稿（未发布）");
	}
	export_title(sh, text);
	if (english)
		snprintf(text, sizeof(text), "%s%s%s", version, date[0] ? ", published " : "",
			 date);
	else
		snprintf(text, sizeof(text), "%s%s%s", version, date[0] ? " · 发布日期 " : "",
			 date);
	export_subtitle(sh, text);
	header(sh, s, english);
	for (size_t a = 0; a < s->nagents; a++)
		agent_row(sh, s, a, english);
	count_rows(sh, s, english);

	if (english) {
		snprintf(text, sizeof(text),
			 "Prepared by: %s        Checked by: ____________        Published: %s",
			 s->publisher, date[0] ? date : "not yet");
		export_note(sh, text);
		snprintf(text, sizeof(text), "Version: %s", version);
		export_note(sh, text);
		export_note(sh, "Off: rest day. Annual, Sick, Personal, Comp.: approved leave. "
				"Orange days are holidays, green days weekends. Paid h: paid "
				"hours.");
	} else {
		snprintf(text, sizeof(text),
			 "制表：%s        审核：____________        发布日期：%s", s->publisher,
			 date[0] ? date : "未发布");
		export_note(sh, text);
		snprintf(text, sizeof(text), "版本：%s", version);
		export_note(sh, text);
		export_note(sh, "说明：休＝休息；年假、病假、事假、调休＝已批准的假期；"
				"橙色日期为节假日，绿色为周末；工时为计薪小时。");
	}
	export_freeze(sh, FIRST_DAY_COL);
	/* The footer has room for a name of up to about 40 characters (Excel's
	 * limit is 255 bytes); a longer one stays on the note above. */
	snprintf(text, sizeof(text), "%s%s", english ? "Prepared by: " : "制表人：",
		 strlen(s->publisher) <= 120 ? s->publisher : "");
	export_print(sh, 1, text, english ? "Checked by:" : "审核：", english);
done:
	return export_book_done(b, out);
}
