/*
 * The forecast of a month assembled from the store: the history read from
 * the call log and the calendar, the profile of each kind of day, the
 * supervisor's overrides, the handling time and the agents each half hour
 * needs (Erlang C with the settings' target and shrinkage). The forecast's
 * endpoint shows it and the roster measures its coverage against it, so
 * both read the same figures from this one place.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "store/store.h"
#include "wfm/wfm.h"

void wfm_date_text(int64_t d, char *out, size_t size)
{
	int y, m, dd;

	clock_civil_from_days(d, &y, &m, &dd);
	snprintf(out, size, "%04d-%02d-%02d", y, m, dd);
}

int64_t wfm_today(int64_t now)
{
	int ymd = clock_local_ymd(now);

	return clock_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
}

/* The calendar's days in [cal0, cal0 + n): holiday flags and make-up weekdays. */
struct calendar {
	int64_t cal0;
	int n;
	char *holiday;
	char *makeup;
};

static int calendar_day(void *ctx, const char *day, int holiday, int as_weekday)
{
	struct calendar *c = ctx;
	int y, m, d;

	if (sscanf(day, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return 0;
	int64_t i = clock_days_from_civil(y, m, d) - c->cal0;

	if (i < 0 || i >= c->n)
		return 0;
	if (holiday)
		c->holiday[i] = 1;
	else
		c->makeup[i] = (char)as_weekday;
	return 0;
}

static int day_kind(const struct calendar *c, int64_t d)
{
	int y, m, dd;

	clock_civil_from_days(d, &y, &m, &dd);
	return wfm_day_kind(wfm_weekday(y, m, dd), c->holiday[d - c->cal0], c->makeup[d - c->cal0]);
}

struct overrides {
	int64_t day0;
	int ndays;
	int *v; /* [ndays * 48], -1 where none */
};

static int override_row(void *ctx, const struct wfm_override *o)
{
	struct overrides *ov = ctx;
	int y, m, d;

	if (sscanf(o->day, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return 0;
	int64_t i = clock_days_from_civil(y, m, d) - ov->day0;

	if (i >= 0 && i < ov->ndays && o->interval >= 0 && o->interval < WFM_INTERVALS)
		ov->v[i * WFM_INTERVALS + o->interval] = o->contacts;
	return 0;
}

static double round2(double x)
{
	return floor(x * 100 + 0.5) / 100;
}

void wfm_forecast_free(struct wfm_forecast *f)
{
	free(f->days);
	f->days = NULL;
}

int wfm_forecast_build(struct store *s, const char *queue, int year, int mon, int aht_param,
		       int64_t now, struct wfm_forecast *f, struct err_info *ei)
{
	struct calendar cal = {0};
	struct overrides ov = {0};
	struct wfm_hist_day *hist = NULL;
	double(*profile)[WFM_INTERVALS] = NULL, *counts = NULL;
	int64_t first, today = wfm_today(now);
	char from[11], to[11];
	int rc, nh;

	memset(f, 0, sizeof(*f));
	rc = wfm_settings_get(s, &f->settings);
	if (rc < 0)
		return rc;
	f->year = year;
	f->month = mon;
	f->ndays = wfm_month_days(year, mon);
	f->month0 = clock_days_from_civil(year, mon, 1);
	/* The calendar is read from the history to the month's end: a month far
	 * ahead would make that years long for nothing a plan needs. */
	if (f->month0 > today + 366)
		return err_set(ei, ERR_UNPROCESSABLE, "month", "month: at most a year ahead");
	/* The history: the weeks before the month, or before today when the month
	 * has begun or is past, from the first call on record. */
	f->hist_end = f->month0 < today ? f->month0 : today;
	f->hist0 = f->hist_end - 7 * (int64_t)f->settings.history_weeks;
	rc = wfm_first_call_day(s, queue, &first);
	if (rc < 0)
		return rc;
	if (first == 0 || first > f->hist_end)
		first = f->hist_end;
	if (first > f->hist0)
		f->hist0 = first;
	nh = f->hist_days = (int)(f->hist_end - f->hist0);
	cal.cal0 = f->hist0;
	cal.n = (int)(f->month0 + f->ndays - f->hist0);
	cal.holiday = calloc((size_t)cal.n, 1);
	cal.makeup = calloc((size_t)cal.n, 1);
	ov.day0 = f->month0;
	ov.ndays = f->ndays;
	ov.v = malloc((size_t)f->ndays * WFM_INTERVALS * sizeof(*ov.v));
	hist = calloc(nh ? (size_t)nh : 1, sizeof(*hist));
	counts = calloc(nh ? (size_t)nh * WFM_INTERVALS : 1, sizeof(*counts));
	profile = calloc(WFM_KINDS, sizeof(*profile));
	f->days = calloc((size_t)f->ndays, sizeof(*f->days));
	if (!cal.holiday || !cal.makeup || !ov.v || !hist || !counts || !profile || !f->days) {
		rc = ERR_NOMEM;
		goto out;
	}
	for (int i = 0; i < f->ndays * WFM_INTERVALS; i++)
		ov.v[i] = -1;
	wfm_date_text(f->hist0, from, sizeof(from));
	wfm_date_text(f->month0 + f->ndays - 1, to, sizeof(to));
	rc = wfm_calendar(s, from, to, calendar_day, &cal);
	if (rc == 0 && nh > 0)
		rc = wfm_calls_count(s, queue, f->hist0, nh, counts);
	wfm_date_text(f->month0, from, sizeof(from));
	if (rc == 0)
		rc = wfm_override_list(s, queue ? queue : "", from, to, override_row, &ov);
	if (rc < 0)
		goto out;
	for (int d = 0; d < nh; d++) {
		hist[d].kind = day_kind(&cal, f->hist0 + d);
		memcpy(hist[d].count, counts + (size_t)d * WFM_INTERVALS, sizeof(hist[d].count));
	}
	rc = wfm_forecast_profile(hist, (size_t)nh, profile, f->have);
	if (rc < 0)
		goto out;
	/* The handling time: asked for, else the history's answered calls, else the setting. */
	if (aht_param > 0) {
		f->aht = (double)aht_param;
		f->aht_source = "parameter";
	} else {
		rc = wfm_aht(s, queue, clock_day_start((f->hist0 * 86400 + 43200) * 1000LL),
			     clock_day_start((f->hist_end * 86400 + 43200) * 1000LL), &f->aht);
		if (rc < 0)
			goto out;
		f->aht_source = "call_log";
		if (f->aht <= 0) {
			f->aht = f->settings.default_aht_sec;
			f->aht_source = "setting";
		}
	}
	for (int d = 0; d < f->ndays; d++) {
		struct wfm_forecast_day *fd = &f->days[d];
		int64_t day = f->month0 + d;

		fd->kind = day_kind(&cal, day);
		fd->makeup = cal.makeup[day - cal.cal0];
		for (int i = 0; i < WFM_INTERVALS; i++) {
			struct wfm_staffing st;
			int o = ov.v[d * WFM_INTERVALS + i];

			fd->computed[i] = round2(profile[fd->kind][i]);
			fd->contacts[i] = o >= 0 ? o : fd->computed[i];
			fd->override[i] = o >= 0;
			rc = wfm_erlang_c_staff(
				fd->contacts[i], 1800, f->aht, f->settings.sl_target_pct / 100.0,
				f->settings.sl_target_sec, f->settings.shrinkage_pct / 100.0, &st);
			if (rc < 0) {
				rc = err_set(ei, ERR_UNPROCESSABLE, "month",
					     "the forecast needs more agents than kefu can plan");
				goto out;
			}
			fd->required[i] = st.agents;
			fd->scheduled[i] = st.scheduled;
		}
	}
out:
	if (rc < 0)
		wfm_forecast_free(f);
	free(cal.holiday);
	free(cal.makeup);
	free(ov.v);
	free(hist);
	free(counts);
	free(profile);
	return rc;
}
