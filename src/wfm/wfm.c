/*
 * The rules of shifts: what a valid shift type is, how long it lasts and
 * what it covers (WFM-1), the calendar arithmetic of a month, and the
 * forecast's arithmetic over counts it is given, and the settings as
 * data. No I/O.
 */
#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/utf8.h"
#include "wfm/wfm.h"

/* ---- shift types ---- */

int wfm_segment_length(const struct wfm_segment *s)
{
	return s->end > s->start ? s->end - s->start : s->end + WFM_DAY_MIN - s->start;
}

int wfm_shift_length(const struct wfm_shift_type *t)
{
	int len = 0;

	for (int i = 0; i < t->nseg; i++)
		len += wfm_segment_length(&t->seg[i]);
	return len;
}

int wfm_shift_crosses_midnight(const struct wfm_shift_type *t)
{
	for (int i = 0; i < t->nseg; i++)
		if (t->seg[i].end <= t->seg[i].start)
			return 1;
	return 0;
}

static int code_valid(const char *c)
{
	size_t n = strlen(c);

	if (n == 0 || n > WFM_CODE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((c[i] >= 'a' && c[i] <= 'z') || (c[i] >= '0' && c[i] <= '9') || c[i] == '_'))
			return 0;
	return 1;
}

static int hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int colour_valid(const char *c)
{
	if (strlen(c) != 7 || c[0] != '#')
		return 0;
	for (int i = 1; i < 7; i++)
		if (!hex(c[i]))
			return 0;
	return 1;
}

static int segments_check(const struct wfm_shift_type *t)
{
	if (t->nseg < 1 || t->nseg > WFM_SEGMENTS_MAX)
		return 0;
	for (int i = 0; i < t->nseg; i++) {
		const struct wfm_segment *s = &t->seg[i];

		if (s->start < 0 || s->start >= WFM_DAY_MIN || s->end < 1 || s->end > WFM_DAY_MIN ||
		    s->end == s->start)
			return 0;
	}
	if (t->nseg == 2) {
		const struct wfm_segment *a = &t->seg[0], *b = &t->seg[1];

		/* Only the last segment may run past midnight, the second follows the
		 * first, and a crossing second segment ends before the first begins
		 * again the next day: the two never overlap. */
		if (a->end <= a->start || b->start < a->end)
			return 0;
		if (b->end <= b->start && b->end > a->start)
			return 0;
	}
	return 1;
}

int wfm_shift_type_check(const struct wfm_shift_type *t, struct err_info *ei)
{
	int rc = 0, len;

	if (!code_valid(t->code))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "code",
			     "code: 1 to 32 lower-case letters, digits or _");
	if (utf8_blank(t->name) || utf8_len(t->name) > WFM_NAME_MAX)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "name", "name: 1 to %d characters",
			     WFM_NAME_MAX);
	if (!segments_check(t)) {
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "segments",
			     "segments: one or two ranges of the day that do not overlap; only the"
			     " last may run past midnight");
		return rc;
	}
	len = wfm_shift_length(t);
	if (t->break_min < 0 || t->break_min >= len)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "break_min",
			     "break_min: 0 to %d minutes, shorter than the shift", len - 1);
	else if (t->paid_min < 1 || t->paid_min > len - t->break_min)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "paid_min",
			     "paid_min: 1 to %d minutes, the shift's length less its breaks",
			     len - t->break_min);
	if (!colour_valid(t->colour))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "colour", "colour: #rrggbb");
	return rc;
}

int wfm_shift_covers(const struct wfm_shift_type *t, int m)
{
	for (int i = 0; i < t->nseg; i++) {
		const struct wfm_segment *s = &t->seg[i];

		if (s->end > s->start) {
			if (m >= s->start && m < s->end)
				return 1;
		} else {
			if (m >= s->start)
				return 1;
			if (m < s->end)
				return 2;
		}
	}
	return 0;
}

int wfm_shift_at(const struct wfm_shift_type *types, size_t n, int minute, int with_office)
{
	for (size_t i = 0; i < n; i++)
		if (types[i].active && (with_office || !types[i].office) &&
		    wfm_shift_covers(&types[i], minute))
			return (int)i;
	return -1;
}

int wfm_shift_at_ms(const struct wfm_shift_type *types, size_t n, int64_t at, int with_office)
{
	return wfm_shift_at(types, n, clock_local_minute(at), with_office);
}

/* ---- calendar ---- */

int wfm_weekday(int year, int month, int day)
{
	/* 1970-01-01 was a Thursday (4). */
	int64_t d = clock_days_from_civil(year, month, day);
	int64_t w = ((d % 7) + 7 + 3) % 7; /* 0 Monday */

	return (int)w + 1;
}

int wfm_month_days(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 ? 28 + leap : days[month - 1];
}

int wfm_month_parse(const char *s, int *year, int *month)
{
	if (!s || strlen(s) != 7 || s[4] != '-')
		return ERR_INVALID;
	for (int i = 0; i < 7; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return ERR_INVALID;
	*year = atoi(s);
	*month = atoi(s + 5);
	if (*year < 1970 || *year > 9999 || *month < 1 || *month > 12)
		return ERR_INVALID;
	return 0;
}

/* ---- forecast ---- */

int wfm_day_kind(int weekday, int holiday, int makeup_weekday)
{
	if (holiday)
		return WFM_HOLIDAY;
	if (makeup_weekday >= 1 && makeup_weekday <= 7)
		return makeup_weekday - 1;
	return weekday - 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median_sorted(const double *v, size_t n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double wfm_robust_mean(double *v, size_t n, size_t *kept)
{
	double med, mad, sum = 0, dev[64], *d = dev;
	size_t k = 0;

	*kept = 0;
	if (n == 0)
		return 0;
	if (n > sizeof(dev) / sizeof(dev[0])) {
		d = malloc(n * sizeof(*d));
		if (!d)
			return 0;
	}
	qsort(v, n, sizeof(*v), cmp_double);
	med = median_sorted(v, n);
	for (size_t i = 0; i < n; i++)
		d[i] = v[i] > med ? v[i] - med : med - v[i];
	qsort(d, n, sizeof(*d), cmp_double);
	mad = median_sorted(d, n);
	if (d != dev)
		free(d);
	for (size_t i = 0; i < n; i++) {
		double dv = v[i] > med ? v[i] - med : med - v[i];

		/* With no spread at all there is nothing to call an outlier by. */
		if (mad > 0 && dv > 3 * mad)
			continue;
		sum += v[i];
		k++;
	}
	*kept = k;
	return sum / (double)k;
}

int wfm_forecast_profile(const struct wfm_hist_day *days, size_t n,
			 double out[WFM_KINDS][WFM_INTERVALS], int have[WFM_KINDS])
{
	double *vals = malloc((n ? n : 1) * sizeof(*vals));

	if (!vals)
		return ERR_NOMEM;
	for (int k = 0; k < WFM_KINDS; k++) {
		have[k] = 0;
		for (size_t d = 0; d < n; d++)
			have[k] += days[d].kind == k;
		for (int i = 0; i < WFM_INTERVALS; i++) {
			size_t m = 0, kept;

			for (size_t d = 0; d < n; d++)
				if (days[d].kind == k)
					vals[m++] = days[d].count[i];
			out[k][i] = wfm_robust_mean(vals, m, &kept);
		}
	}
	free(vals);
	/* A holiday the history never saw looks most like a Sunday. */
	if (have[WFM_HOLIDAY] == 0)
		memcpy(out[WFM_HOLIDAY], out[6], sizeof(out[6]));
	return 0;
}

/* ---- settings ---- */

#define SETTING(k, lo, hi, d) {#k, lo, hi, d, offsetof(struct wfm_settings, k)}

const struct wfm_setting_key wfm_setting_keys[] = {
	SETTING(sl_target_pct, 1, 99, 80),
	SETTING(sl_target_sec, 1, 600, 20),
	SETTING(shrinkage_pct, 0, 90, 30),
	SETTING(history_weeks, 1, 52, 8),
	SETTING(default_aht_sec, 10, 7200, 180),
	/* WFM-2: before the 28th; one seed says the 25th. */
	SETTING(publish_day, 2, 28, 28),
	SETTING(publish_remind_days, 0, 20, 3),
	/* WFM-3: a shift kind holds for at least a week. */
	SETTING(min_continuous_days, 1, 31, 7),
	/* The labour law: 8 hours a day, 44 a week on average, a rest day a week. */
	SETTING(max_day_min, 60, 720, 480),
	SETTING(max_week_min, 600, 4200, 2640),
	SETTING(min_rest_days_week, 0, 3, 1),
	/* WFM-5: more than an hour missing is absence. */
	SETTING(absent_after_min, 5, 480, 60),
	/* WFM-6: arrive 15 minutes early, meet in the first 10, sum up in the last 30. */
	SETTING(arrive_before_min, 0, 120, 15),
	SETTING(meeting_min, 0, 60, 10),
	SETTING(summary_min, 0, 120, 30),
	/* WFM-7: a handover unsigned 15 minutes after the change alerts the supervisor. */
	SETTING(handover_sign_min, 1, 240, 15),
};
const size_t wfm_setting_count = sizeof(wfm_setting_keys) / sizeof(wfm_setting_keys[0]);
_Static_assert(sizeof(wfm_setting_keys) / sizeof(wfm_setting_keys[0]) <= WFM_SETTINGS_MAX,
	       "WFM_SETTINGS_MAX holds every setting");

int *wfm_setting_field(struct wfm_settings *w, size_t i)
{
	assert(i < wfm_setting_count);
	return (int *)((char *)w + wfm_setting_keys[i].offset);
}

void wfm_settings_default(struct wfm_settings *w)
{
	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < wfm_setting_count; i++)
		*wfm_setting_field(w, i) = wfm_setting_keys[i].def;
}
