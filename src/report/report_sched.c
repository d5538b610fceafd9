/*
 * The rules of the center's forms and scheduled reports (report.h): which
 * days a form covers, its file's names, when a schedule falls due and
 * which period it then delivers. No I/O; days are the center's (the zone
 * only through report_day_start).
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "export/export.h"
#include "report/report.h"

static const char *const cadence_names[RC_COUNT] = {"daily", "weekly", "monthly"};

const char *report_cadence_name(enum report_cadence c)
{
	return c >= 0 && c < RC_COUNT ? cadence_names[c] : "";
}

int report_cadence_parse(const char *name)
{
	for (int i = 0; i < RC_COUNT; i++)
		if (strcmp(cadence_names[i], name) == 0)
			return i;
	return -1;
}

static int month_last(int ymd)
{
	return report_ymd_add(
		report_bucket(report_ymd_add(report_bucket(ymd, RG_MONTH), 31), RG_MONTH), -1);
}

void report_form_days(int period, int *from, int *to)
{
	switch (period) {
	case EXPORT_PERIOD_DAY:
		*to = *from;
		break;
	case EXPORT_PERIOD_WEEK:
		*from = report_bucket(*from, RG_WEEK);
		*to = report_ymd_add(*from, 6);
		break;
	case EXPORT_PERIOD_MONTH:
		*to = month_last(*from);
		*from = report_bucket(*from, RG_MONTH);
		break;
	default:
		break;
	}
}

void report_form_names(const char *code, const char *title, int from, int to, char *ascii,
		       size_t ascii_size, char *utf8, size_t utf8_size)
{
	char f[16], t[16];

	snprintf(f, sizeof(f), "%04d-%02d-%02d", from / 10000, from / 100 % 100, from % 100);
	snprintf(t, sizeof(t), "%04d-%02d-%02d", to / 10000, to / 100 % 100, to % 100);
	snprintf(ascii, ascii_size, "%s_%s_%s.xlsx", code, f, t);
	snprintf(utf8, utf8_size, "%s_%s_%s.xlsx", title, f, t);
}

/*
 * The due day D is the day whose HH:MM delivers: every day (daily), each
 * Monday (weekly), each 1st (monthly). The latest D at or before now is
 * this one when its moment has come, else the one before; the period is
 * the day, week or month that ends the day before D.
 */
void report_sched_due(enum report_cadence c, int minute, int64_t now, int *from, int *to,
		      int64_t *due)
{
	int today = clock_local_ymd(now), d;

	switch (c) {
	case RC_WEEKLY:
		d = report_bucket(today, RG_WEEK);
		if (now < report_day_start(d) + (int64_t)minute * 60000)
			d = report_ymd_add(d, -7);
		*from = report_ymd_add(d, -7);
		break;
	case RC_MONTHLY:
		d = report_bucket(today, RG_MONTH);
		if (now < report_day_start(d) + (int64_t)minute * 60000)
			d = report_bucket(report_ymd_add(d, -1), RG_MONTH);
		*from = report_bucket(report_ymd_add(d, -1), RG_MONTH);
		break;
	default:
		d = today;
		if (now < report_day_start(d) + (int64_t)minute * 60000)
			d = report_ymd_add(d, -1);
		*from = report_ymd_add(d, -1);
		break;
	}
	*to = report_ymd_add(d, -1);
	*due = report_day_start(d) + (int64_t)minute * 60000;
}

int report_sched_minute(const char *t)
{
	if (!t || strlen(t) != 5 || t[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (t[i] < '0' || t[i] > '9'))
			return -1;
	int h = (t[0] - '0') * 10 + t[1] - '0', m = (t[3] - '0') * 10 + t[4] - '0';

	return h < 24 && m < 60 ? h * 60 + m : -1;
}

/* One address: a local part and a domain with a dot, no spaces, quotes or angle brackets. */
static int address_valid(const char *p, size_t n)
{
	const char *at = memchr(p, '@', n);

	if (!at || at == p || at == p + n - 1 || !memchr(at + 1, '.', (size_t)(p + n - at - 1)))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] <= ' ' || strchr("\"<>(),;:\\[]", p[i]) ||
		    (p[i] == '@' && p + i != at))
			return 0;
	return 1;
}

int report_sched_emails_valid(const char *text)
{
	const char *p = text;

	if (strlen(text) > REPORT_SCHED_EMAILS_MAX)
		return 0;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		while (n && *p == ' ') {
			p++;
			n--;
		}
		while (n && p[n - 1] == ' ')
			n--;
		if (!address_valid(p, n))
			return 0;
		if (!end)
			break;
		p = end + 1;
	}
	return 1;
}
