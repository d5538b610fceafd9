/*
 * The periods of reports: the groupings and the bucket a day falls in
 * (report.h). Calendar arithmetic on YYYYMMDD dates only, no clock and no
 * zone: a date is already a day of the center.
 */
#include <string.h>

#include "core/clock.h"
#include "report/report.h"

static const char *const group_names[RG_COUNT] = {"day",  "week", "month", "quarter",
						  "half", "year", "all"};

const char *report_group_name(enum report_group g)
{
	return g >= 0 && g < RG_COUNT ? group_names[g] : "";
}

int report_group_parse(const char *name)
{
	for (int i = 0; i < RG_COUNT; i++)
		if (strcmp(group_names[i], name) == 0)
			return i;
	return -1;
}

static int64_t days_of(int ymd)
{
	return clock_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
}

static int ymd_of(int64_t days)
{
	int y, m, d;

	clock_civil_from_days(days, &y, &m, &d);
	return y * 10000 + m * 100 + d;
}

int report_ymd_next(int ymd)
{
	return ymd_of(days_of(ymd) + 1);
}

int report_ymd_add(int ymd, int days)
{
	return ymd_of(days_of(ymd) + days);
}

int report_ymd_count(int from_ymd, int to_ymd)
{
	return (int)(days_of(to_ymd) - days_of(from_ymd) + 1);
}

int report_bucket(int ymd, enum report_group g)
{
	int y = ymd / 10000, m = ymd / 100 % 100;
	int64_t days;

	switch (g) {
	case RG_WEEK:
		/* 1970-01-01 was a Thursday: days + 3 counts from a Monday. */
		days = days_of(ymd);
		return ymd_of(days - ((days + 3) % 7 + 7) % 7);
	case RG_MONTH:
		return y * 10000 + m * 100 + 1;
	case RG_QUARTER:
		return y * 10000 + (m - (m - 1) % 3) * 100 + 1;
	case RG_HALF:
		return y * 10000 + (m <= 6 ? 1 : 7) * 100 + 1;
	case RG_YEAR:
		return y * 10000 + 101;
	case RG_ALL:
		return 0;
	default:
		return ymd;
	}
}
