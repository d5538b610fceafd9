/*
 * Meetings, work logs and inspections: the rules (MTG-1, LED-1), no I/O.
 * Every function that depends on time takes now; local dates come from the
 * center's time zone (core/clock.h). The center's zone (Asia/Shanghai) has
 * no daylight saving, so a local time of day is the day's start plus its
 * minutes.
 */
#include "mtg/mtg.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"

static const char *const type_names[MTG_TYPE_COUNT] = {
	"daily", "weekly_summary", "monthly_summary", "coordination", "hygiene", "training_review",
};

int mtg_type_parse(const char *name)
{
	for (int i = 0; name && i < MTG_TYPE_COUNT; i++)
		if (strcmp(name, type_names[i]) == 0)
			return i;
	return -1;
}

const char *mtg_type_name(int type)
{
	return type >= 0 && type < MTG_TYPE_COUNT ? type_names[type] : "";
}

int mtg_type_routine(int type)
{
	return type == MTG_DAILY;
}

/* ISO weekday of a local date as days since the epoch: 1 Monday .. 7 Sunday. */
static int iso_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday (4). */
	int64_t w = (days + 3) % 7;

	return (int)(w < 0 ? w + 7 : w) + 1;
}

/* The local date of ms as days since the epoch, and its day of the month. */
static int64_t local_days(int64_t ms, int *mday)
{
	int ymd = clock_local_ymd(ms);

	if (mday)
		*mday = ymd % 100;
	return clock_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
}

int mtg_schedule_check(const struct mtg_schedule *sc, const char **why)
{
	int weekly = strcmp(sc->freq, "weekly") == 0, monthly = strcmp(sc->freq, "monthly") == 0;

	if (!weekly && !monthly && strcmp(sc->freq, "daily") != 0)
		*why = "freq: daily, weekly or monthly";
	else if (sc->type < 0 || sc->type >= MTG_TYPE_COUNT)
		*why = "type: not a meeting type";
	else if (sc->minute < 0 || sc->minute > 1439)
		*why = "minute: 0 to 1439";
	else if (sc->duration_min < 5 || sc->duration_min > 480)
		*why = "duration_min: 5 to 480";
	else if (weekly && (sc->weekday < 1 || sc->weekday > 7))
		*why = "weekday: 1 (Monday) to 7 (Sunday) for a weekly meeting";
	else if (monthly && (sc->monthday < 1 || sc->monthday > 28))
		*why = "monthday: 1 to 28 for a monthly meeting";
	else if (sc->type == MTG_DAILY && strcmp(sc->freq, "daily") != 0)
		*why = "the daily meeting is held every day";
	else if (sc->type == MTG_WEEKLY_SUMMARY && !(weekly && sc->weekday == 1))
		*why = "the weekly summary is held every Monday";
	else if (sc->type == MTG_MONTHLY_SUMMARY && !(monthly && sc->monthday <= 4))
		*why = "the monthly summary is held before the 5th";
	else
		return 0;
	return ERR_UNPROCESSABLE;
}

int mtg_schedule_starts(const struct mtg_schedule *sc, int64_t from, int64_t to,
			int (*fn)(void *arg, int64_t starts_at), void *arg)
{
	int64_t day = clock_day_start(from);

	for (; day < to; day = clock_day_end(day)) {
		int mday;
		int64_t days = local_days(day, &mday), at = day + (int64_t)sc->minute * 60000;
		int rc;

		if (strcmp(sc->freq, "weekly") == 0 && iso_weekday(days) != sc->weekday)
			continue;
		if (strcmp(sc->freq, "monthly") == 0 && mday != sc->monthday)
			continue;
		if (at < from || at >= to)
			continue;
		rc = fn(arg, at);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int mtg_meeting_check(int type, int64_t starts_at, int64_t now, const char **why)
{
	int mday;
	int64_t days = local_days(starts_at, &mday);

	if (type < 0 || type >= MTG_TYPE_COUNT)
		*why = "type: not a meeting type";
	else if (starts_at < now)
		*why = "starts_at: the meeting would begin in the past";
	else if (!mtg_type_routine(type) && starts_at < now + MTG_DAY_MS)
		*why = "starts_at: a meeting is announced at least a day ahead";
	else if (type == MTG_WEEKLY_SUMMARY && iso_weekday(days) != 1)
		*why = "the weekly summary is held every Monday";
	else if (type == MTG_MONTHLY_SUMMARY && mday > 4)
		*why = "the monthly summary is held before the 5th";
	else
		return 0;
	return ERR_UNPROCESSABLE;
}

int mtg_notice_due(int type, int64_t starts_at, int64_t notified_at, int64_t now)
{
	return !mtg_type_routine(type) && !notified_at && now < starts_at &&
	       now >= starts_at - MTG_DAY_MS;
}

static const char *const attend_names[] = {"expected", "present", "late", "absent"};

int mtg_attend_parse(const char *name)
{
	for (int i = MTG_PRESENT; name && i <= MTG_ABSENT; i++)
		if (strcmp(name, attend_names[i]) == 0)
			return i;
	return -1;
}

const char *mtg_attend_name(int status)
{
	return status >= MTG_EXPECTED && status <= MTG_ABSENT ? attend_names[status] : "";
}

int mtg_mark_check(const char *state, int64_t starts_at, int64_t ends_at, int64_t now,
		   int *after_the_fact, const char **why)
{
	*after_the_fact = now >= ends_at;
	if (strcmp(state, "cancelled") == 0)
		*why = "the meeting was cancelled";
	else if (now < starts_at)
		*why = "attendance is marked once the meeting has begun";
	else
		return 0;
	return ERR_CONFLICT;
}

void mtg_day_text(int64_t ms, char *out, size_t size)
{
	int ymd = clock_local_ymd(ms);

	snprintf(out, size, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
}

/* Parses "YYYY-MM-DD" (with_day) or "YYYY-MM" into a checked date; 0 or -1. */
static int parse_period(const char *p, int with_day, int *y, int *m, int *d)
{
	char tail;
	size_t len = p ? strlen(p) : 0;
	int n;

	*d = 1;
	if (with_day)
		n = len == 10 && sscanf(p, "%4d-%2d-%2d%c", y, m, d, &tail) == 3;
	else
		n = len == 7 && sscanf(p, "%4d-%2d%c", y, m, &tail) == 2;
	if (!n || p[4] != '-' || (with_day && p[7] != '-'))
		return -1;
	if (*y < 2000 || *y > 2999 || *m < 1 || *m > 12 || *d < 1 || *d > 31)
		return -1;
	/* A day that does not exist (2026-02-30) comes back as another date. */
	if (with_day) {
		int y2, m2, d2;

		clock_civil_from_days(clock_days_from_civil(*y, *m, *d), &y2, &m2, &d2);
		if (y2 != *y || m2 != *m || d2 != *d)
			return -1;
	}
	return 0;
}

int mtg_log_period_check(const char *kind, const char *period, int64_t now, const char **why)
{
	int day = kind && strcmp(kind, "day") == 0, month = kind && strcmp(kind, "month") == 0;
	int y, m, d, ty, tm, td, today = clock_local_ymd(now);

	if (!day && !month) {
		*why = "kind: day or month";
		return ERR_INVALID;
	}
	if (parse_period(period, day, &y, &m, &d) < 0) {
		*why = day ? "period: a date YYYY-MM-DD" : "period: a month YYYY-MM";
		return ERR_INVALID;
	}
	ty = today / 10000;
	tm = today / 100 % 100;
	td = today % 100;
	if (day) {
		int64_t diff = clock_days_from_civil(ty, tm, td) - clock_days_from_civil(y, m, d);

		if (diff == 0 || diff == 1)
			return 0;
		*why = "a daily log is written for today or yesterday";
	} else {
		int diff = (ty * 12 + tm - 1) - (y * 12 + m - 1);

		if (diff == 0 || diff == 1)
			return 0;
		*why = "a monthly summary is written for this month or the last";
	}
	return ERR_UNPROCESSABLE;
}

int mtg_item_valid(const char *item)
{
	static const char *const items[] = {"appearance", "duty", "service", "hygiene", "records"};

	for (size_t i = 0; item && i < sizeof(items) / sizeof(items[0]); i++)
		if (strcmp(item, items[i]) == 0)
			return 1;
	return 0;
}
