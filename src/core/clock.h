/*
 * clock — the current time, and the center's calendar.
 *
 * kefu stores every instant as UTC milliseconds since the epoch (int64_t).
 * Rule logic never reads the clock itself: callers pass `now`, which they
 * take from clock_now_ms() once per request. Tests, and a server started
 * with --test-clock, move time with clock_set_offset() instead of sleeping.
 *
 * The center's time zone (default Asia/Shanghai) decides what "the same day"
 * means. clock_tz_set() installs it process-wide; call it once at start,
 * before any thread exists, because it sets TZ for localtime_r().
 */
#ifndef KEFU_CORE_CLOCK_H
#define KEFU_CORE_CLOCK_H

#include <stddef.h>
#include <stdint.h>

int64_t clock_now_ms(void);
/* Monotonic nanoseconds, for measuring durations only. */
int64_t clock_mono_ns(void);
/* Shifts clock_now_ms() by offset milliseconds (tests and --test-clock). */
void clock_set_offset(int64_t offset_ms);
int64_t clock_offset(void);

/* Validates a tz database name (it must exist under /usr/share/zoneinfo). */
int clock_tz_valid(const char *name);
int clock_tz_set(const char *name);
const char *clock_tz_name(void);

/* The first millisecond of the local calendar day that holds `ms`. */
int64_t clock_day_start(int64_t ms);
/* The first millisecond of the next local day: "the end of that day". */
int64_t clock_day_end(int64_t ms);
/* Local date as YYYYMMDD, e.g. 20261122, for readable numbers. */
int clock_local_ymd(int64_t ms);
/* Days since 1970-01-01 of a date of the proleptic Gregorian calendar, and
 * back: dates step by days without the C library's time zone. */
int64_t clock_days_from_civil(int year, int month, int day);
void clock_civil_from_days(int64_t days, int *year, int *month, int *day);
/* Minutes since local midnight on the wall clock, 0..1439 (the hotline's hours). */
int clock_local_minute(int64_t ms);
/* ISO 8601 UTC text "2026-11-22T02:00:00.000Z"; out needs 25 bytes. */
void clock_iso8601(int64_t ms, char *out, size_t size);

#endif
