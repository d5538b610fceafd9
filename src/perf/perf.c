/*
 * perf's rules: the center's months (no I/O).
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "perf/perf.h"

#define DAY_MS 86400000LL

void perf_month_of(int64_t ms, char out[8])
{
	int ymd = clock_local_ymd(ms);
	char tmp[24]; /* room for any int, so the compiler sees no truncation */

	snprintf(tmp, sizeof(tmp), "%04d-%02d", ymd / 10000 % 10000, ymd / 100 % 100);
	memcpy(out, tmp, 7);
	out[7] = '\0';
}

int perf_month_valid(const char *month)
{
	int y, m;

	if (!month || strlen(month) != 7 || month[4] != '-')
		return 0;
	for (int i = 0; i < 7; i++)
		if (i != 4 && (month[i] < '0' || month[i] > '9'))
			return 0;
	y = (month[0] - '0') * 1000 + (month[1] - '0') * 100 + (month[2] - '0') * 10 + month[3] -
	    '0';
	m = (month[5] - '0') * 10 + month[6] - '0';
	return y >= 2000 && y <= 2999 && m >= 1 && m <= 12;
}

/* Local midnight that begins a civil date: noon of the day in UTC lies inside
 * that local day for every zone within ±12 h, and clock_day_start takes it
 * back to the zone's midnight, daylight saving included. */
static int64_t local_midnight(int y, int m, int d)
{
	return clock_day_start(clock_days_from_civil(y, m, d) * DAY_MS + DAY_MS / 2);
}

void perf_month_range(const char *month, int64_t *from, int64_t *to)
{
	int y = 0, m = 0;

	/* The caller validated the month; an invalid one gives an empty range. */
	if (!perf_month_valid(month) || sscanf(month, "%4d-%2d", &y, &m) != 2) {
		*from = *to = 0;
		return;
	}
	*from = local_midnight(y, m, 1);
	*to = m == 12 ? local_midnight(y + 1, 1, 1) : local_midnight(y, m + 1, 1);
}
