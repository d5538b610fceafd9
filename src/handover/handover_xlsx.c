/*
 * The change of shift's paper forms in the center's registry (LED-2, issue
 * 20; export.h, "The center's forms"):
 *
 *   交接班记录表 — one row per shift change of the period: when, the shifts
 *   handed over and taken, who signed out and in and when, the state, the
 *   items handed over and those flagged (WFM-7), the shift's notes and the
 *   incoming person's remark;
 *   值班日志 — the duty log itself: every item of every handover of the
 *   period under its change, with its kind, deadline, whether it was in
 *   the log, open at the change, and flagged.
 *
 * Built on the handovers' storage (handover_list, handover_items); the
 * layout goes through src/export/. cli's wire() registers both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "export/export.h"
#include "handover/handover.h"
#include "store/store.h"

#define MAX_HANDOVERS 2000 /* three changes a day for a year and more */

struct list {
	struct handover *v;
	size_t n, cap;
};

static int list_add(void *ctx, const struct handover *h)
{
	struct list *l = ctx;

	if (l->n == MAX_HANDOVERS)
		return ERR_TOOBIG;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		void *p = realloc(l->v, cap * sizeof(*l->v));

		if (!p)
			return ERR_NOMEM;
		l->v = p;
		l->cap = cap;
	}
	l->v[l->n++] = *h;
	return 0;
}

/* The period's handovers, oldest first. */
static int period_handovers(struct store *s, const struct export_form_args *a, struct list *l)
{
	struct handover_filter f = {a->start, a->end, 0, NULL, 0, 0, MAX_HANDOVERS};
	int rc = handover_list(s, &f, list_add, l);

	for (size_t i = 0; rc >= 0 && i < l->n / 2; i++) {
		struct handover t = l->v[i];

		l->v[i] = l->v[l->n - 1 - i];
		l->v[l->n - 1 - i] = t;
	}
	return rc < 0 ? rc : 0;
}

/* Local "YYYY-MM-DD HH:MM" of a moment; "" for none. */
static void when_text(int64_t ms, char *out, size_t size)
{
	unsigned ymd = (unsigned)clock_local_ymd(ms), min = (unsigned)clock_local_minute(ms);

	if (!ms)
		out[0] = '\0';
	else
		snprintf(out, size, "%04u-%02u-%02u %02u:%02u", ymd / 10000 % 10000,
			 ymd / 100 % 100, ymd % 100, min / 60 % 100, min % 60);
}

static const char *state_text(const char *state, int english)
{
	if (english)
		return state;
	if (strcmp(state, "signed") == 0)
		return "已交接";
	if (strcmp(state, "out_signed") == 0)
		return "待接班签字";
	return "草稿";
}

/* The sheet's frame: title, subtitle (the period), header row and widths. */
static struct export_sheet *frame(struct export_book *b, const struct export_form_args *a,
				  const char *tab, const char *title_zh, const char *title_en,
				  const char *const *heads, const double *widths, int ncols)
{
	struct export_sheet *sh = export_sheet_add(b, tab);
	char title[300], sub[64];
	unsigned f = (unsigned)a->from_ymd, t = (unsigned)a->to_ymd;

	snprintf(title, sizeof(title), "%s%s", a->english ? "" : a->cfg->center_name,
		 a->english ? title_en : title_zh);
	snprintf(sub, sizeof(sub), "%04u-%02u-%02u – %04u-%02u-%02u", f / 10000 % 10000,
		 f / 100 % 100, f % 100, t / 10000 % 10000, t / 100 % 100, t % 100);
	export_title(sh, title);
	export_subtitle(sh, sub);
	for (int c = 0; c < ncols; c++) {
		export_column(sh, c, widths[c]);
		export_header(sh, 0, c, 1, 1, heads[c], NULL);
	}
	export_freeze(sh, 0);
	return sh;
}

static void sign_foot(struct export_sheet *sh, const struct export_form_args *a)
{
	char made_on[16];
	unsigned d = (unsigned)clock_local_ymd(a->now);

	snprintf(made_on, sizeof(made_on), "%04u-%02u-%02u", d / 10000 % 10000, d / 100 % 100,
		 d % 100);
	export_signed(sh, 1, a->made_by, made_on, a->english);
}

/* Counts of a handover's items: in the log, and flagged. */
struct counts {
	int included, flagged;
};

static int count_item(void *ctx, const struct handover_item *it)
{
	struct counts *c = ctx;

	c->included += it->included;
	c->flagged += it->flagged;
	return 0;
}

static int records_build(struct store *s, const struct export_form_args *a,
			 struct export_book **out)
{
	static const char *const zh[] = {"序号",     "交接时间", "交班班次", "接班班次", "交班人",
					 "交班时间", "接班人",	 "接班时间", "状态",	 "交接事项",
					 "漏交事项", "值班情况", "接班意见"};
	static const char *const en[] = {"No.",	       "Change", "Shift out", "Shift in", "Out",
					 "Signed out", "In",	 "Signed in", "State",	  "Items",
					 "Flagged",    "Notes",	 "Remark"};
	static const double widths[] = {6, 17, 10, 10, 10, 17, 10, 17, 11, 9, 9, 40, 24};
	static const struct export_style wrap = {NULL, EXPORT_WRAP, NULL};
	struct export_book *b = export_book_new();
	struct list l = {NULL, 0, 0};
	struct export_sheet *sh;
	char t[40];
	int rc = b ? period_handovers(s, a, &l) : ERR_NOMEM;

	if (rc < 0)
		goto out;
	sh = frame(b, a, a->english ? "Handover records" : "交接班记录表", "交接班记录表",
		   "Shift handover records", a->english ? en : zh, widths, 13);
	for (size_t i = 0; rc >= 0 && i < l.n; i++) {
		const struct handover *h = &l.v[i];
		struct counts c = {0, 0};
		int row = (int)i, col = 0;

		rc = handover_items(s, h->id, count_item, &c);
		export_int(sh, row, col++, row + 1, NULL);
		when_text(h->change_at, t, sizeof(t));
		export_text(sh, row, col++, t, NULL);
		export_text(sh, row, col++, h->out_type_name, NULL);
		export_text(sh, row, col++, h->in_type_name, NULL);
		export_text(sh, row, col++, h->out_name, NULL);
		when_text(h->out_at, t, sizeof(t));
		export_text(sh, row, col++, t, NULL);
		export_text(sh, row, col++, h->in_name, NULL);
		when_text(h->in_at, t, sizeof(t));
		export_text(sh, row, col++, t, NULL);
		export_text(sh, row, col++, state_text(h->state, a->english), NULL);
		export_int(sh, row, col++, c.included, NULL);
		export_int(sh, row, col++, c.flagged, NULL);
		export_text(sh, row, col++, h->notes, &wrap);
		export_text(sh, row, col++, h->in_remark, &wrap);
	}
	sign_foot(sh, a);
out:
	free(l.v);
	if (rc < 0) {
		export_book_free(b);
		return rc;
	}
	return export_book_done(b, out);
}

/* 值班日志: the items of each handover, under its change. */
struct log_fill {
	struct export_sheet *sh;
	const struct handover *h;
	int row, english;
};

static const char *kind_text(int kind, int english)
{
	static const char *const zh[] = {"工单", "升级", "回访", "回电请求", "热线公告", "手工"};
	const char *name = handover_kind_name(kind);

	return english || kind < 0 || kind >= HK_COUNT ? name : zh[kind];
}

static int log_item(void *ctx, const struct handover_item *it)
{
	struct log_fill *f = ctx;
	const char *yes = f->english ? "yes" : "是";
	char t[40];
	int col = 0;

	when_text(f->h->change_at, t, sizeof(t));
	export_text(f->sh, f->row, col++, t, NULL);
	export_text(f->sh, f->row, col++, f->h->out_type_name, NULL);
	export_text(f->sh, f->row, col++, f->h->out_name, NULL);
	export_text(f->sh, f->row, col++, kind_text(it->kind, f->english), NULL);
	export_text(f->sh, f->row, col++, it->title, NULL);
	when_text(it->due_at, t, sizeof(t));
	export_text(f->sh, f->row, col++, t, NULL);
	export_text(f->sh, f->row, col++, it->included ? yes : "", NULL);
	export_text(f->sh, f->row, col++, it->at_change ? yes : "", NULL);
	export_text(f->sh, f->row, col++, it->flagged ? yes : "", NULL);
	export_text(f->sh, f->row, col++, f->h->in_name, NULL);
	f->row++;
	return 0;
}

static int log_build(struct store *s, const struct export_form_args *a, struct export_book **out)
{
	static const char *const zh[] = {"交接时间", "班次",   "值班人",       "类型", "事项",
					 "期限",     "已交接", "交接时未完成", "漏交", "接班人"};
	static const char *const en[] = {"Change",  "Shift",   "On duty",     "Kind",
					 "Item",    "Due",     "Handed over", "Open at change",
					 "Flagged", "Taken by"};
	static const double widths[] = {17, 10, 10, 10, 40, 17, 8, 12, 6, 10};
	struct export_book *b = export_book_new();
	struct list l = {NULL, 0, 0};
	struct log_fill f = {NULL, NULL, 0, a->english};
	int rc = b ? period_handovers(s, a, &l) : ERR_NOMEM;

	if (rc < 0)
		goto out;
	f.sh = frame(b, a, a->english ? "Duty log" : "值班日志", "值班日志", "Duty log",
		     a->english ? en : zh, widths, 10);
	for (size_t i = 0; rc >= 0 && i < l.n; i++) {
		f.h = &l.v[i];
		rc = handover_items(s, f.h->id, log_item, &f);
	}
	sign_foot(f.sh, a);
out:
	free(l.v);
	if (rc < 0) {
		export_book_free(b);
		return rc;
	}
	return export_book_done(b, out);
}

const struct export_form handover_records_form = {
	"handover_records", "交接班记录表", "Shift handover records",
	"/wfm/handover",    ACT_HANDOVER,   EXPORT_PERIOD_RANGE,
	records_build};
const struct export_form handover_log_form = {"duty_log",      "值班日志",   "Duty log",
					      "/wfm/handover", ACT_HANDOVER, EXPORT_PERIOD_RANGE,
					      log_build};
