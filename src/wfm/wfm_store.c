/*
 * The SQL of shifts: shift types, settings, the forecast's overrides, and
 * what the forecast reads from other modules' tables (the call log of
 * src/call/call_store.c and the hotline calendar of src/ivr/ivr_store.c)
 * with its own statements, so wfm includes neither.
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "store/store.h"
#include "wfm/wfm.h"

#define HALF_HOUR_MS 1800000LL
#define DAY_MS 86400000LL

/* ---- shift types ---- */

#define COLS                                                                                       \
	"id, code, name, seg1_start, seg1_end, seg2_start, seg2_end, paid_min, break_min,"         \
	" colour, office, active, updated_at"

static int row_read(struct store_stmt *st, void *dst)
{
	struct wfm_shift_type *t = dst;

	memset(t, 0, sizeof(*t));
	t->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, t->code);
	STORE_COL_COPY(st, 2, t->name);
	t->seg[0].start = (int)store_col_int(st, 3);
	t->seg[0].end = (int)store_col_int(st, 4);
	t->nseg = 1;
	if (!store_col_null(st, 5)) {
		t->seg[1].start = (int)store_col_int(st, 5);
		t->seg[1].end = (int)store_col_int(st, 6);
		t->nseg = 2;
	}
	t->paid_min = (int)store_col_int(st, 7);
	t->break_min = (int)store_col_int(st, 8);
	STORE_COL_COPY(st, 9, t->colour);
	t->office = (int)store_col_int(st, 10);
	t->active = (int)store_col_int(st, 11);
	t->updated_at = store_col_int(st, 12);
	return 0;
}

int wfm_shift_type_list(struct store *s, wfm_shift_type_fn fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s, "SELECT " COLS " FROM wfm_shift_type ORDER BY office, seg1_start, id", "");
	struct wfm_shift_type t;
	int rc;

	while ((rc = store_next(st, row_read, &t)) == 1 && (rc = fn(ctx, &t)) >= 0)
		;
	return store_end(st, rc, 0);
}

int wfm_shift_type_get(struct store *s, int64_t id, struct wfm_shift_type *out)
{
	return store_one(
		store_query(s, "SELECT " COLS " FROM wfm_shift_type WHERE id = ?", "i", id),
		row_read, out);
}

int wfm_shift_type_put(struct store *s, struct wfm_shift_type *t, int64_t now)
{
	/* The second segment's columns are NULL for a shift of one segment. */
	int64_t s2 = t->nseg == 2 ? t->seg[1].start : -1, e2 = t->nseg == 2 ? t->seg[1].end : -1;
	int64_t id = 0;
	int rc;

	if (t->id)
		rc = store_run(
			s,
			"UPDATE wfm_shift_type SET name = ?, seg1_start = ?, seg1_end = ?,"
			" seg2_start = ?, seg2_end = ?, paid_min = ?, break_min = ?, colour = ?,"
			" office = ?, active = ?, updated_at = ? WHERE id = ? RETURNING id",
			&id, "tiinniitiiii", t->name, (int64_t)t->seg[0].start,
			(int64_t)t->seg[0].end, s2, e2, (int64_t)t->paid_min, (int64_t)t->break_min,
			t->colour, (int64_t)t->office, (int64_t)t->active, now, t->id);
	else
		rc = store_run(
			s,
			"INSERT INTO wfm_shift_type(code, name, seg1_start, seg1_end, seg2_start,"
			" seg2_end, paid_min, break_min, colour, office, active, created_at,"
			" updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			&id, "ttiinniitiiii", t->code, t->name, (int64_t)t->seg[0].start,
			(int64_t)t->seg[0].end, s2, e2, (int64_t)t->paid_min, (int64_t)t->break_min,
			t->colour, (int64_t)t->office, (int64_t)t->active, now, now);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_NOTFOUND;
	t->id = id;
	t->updated_at = now;
	return 0;
}

/* ---- settings ---- */

int wfm_settings_get(struct store *s, struct wfm_settings *out)
{
	struct store_stmt *st = store_query(s, "SELECT key, value FROM wfm_setting", "");
	int rc;

	/* The defaults stand for a row that is missing. */
	wfm_settings_default(out);
	while ((rc = store_next(st, NULL, NULL)) == 1)
		for (size_t i = 0; i < wfm_setting_count; i++)
			if (strcmp(store_col_text_or(st, 0, ""), wfm_setting_keys[i].key) == 0)
				*wfm_setting_field(out, i) = (int)store_col_int(st, 1);
	return store_end(st, rc, 0);
}

int wfm_settings_put(struct store *s, const struct wfm_settings *in, int64_t now)
{
	struct wfm_settings w = *in;

	for (size_t i = 0; i < wfm_setting_count; i++) {
		int rc = store_run(
			s,
			"INSERT INTO wfm_setting(key, value, updated_at) VALUES (?, ?, ?)"
			" ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
			" updated_at = excluded.updated_at",
			NULL, "tii", wfm_setting_keys[i].key, (int64_t)*wfm_setting_field(&w, i), now);

		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- what the forecast reads ---- */

int wfm_queue_exists(struct store *s, const char *queue)
{
	int rc = store_run(s, "SELECT 1 FROM acd_queue WHERE code = ?", NULL, "t", queue);

	return rc < 0 ? rc : rc == 1;
}

/* The local day (days since the epoch) that holds the instant ms. */
static int64_t local_day(int64_t ms)
{
	int ymd = clock_local_ymd(ms);

	return clock_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
}

/* The first millisecond of local day d: the start of the UTC day, moved by
 * the center's offset that day (found from the clock's own local day). */
static int64_t day_start_ms(int64_t d)
{
	return clock_day_start(d * DAY_MS + DAY_MS / 2);
}

int wfm_calls_count(struct store *s, const char *queue, int64_t day0, int ndays, double *counts)
{
	/* Counted per UTC half hour in one GROUP BY, each half hour then placed in
	 * the center's day and half hour: the database needs no time zone. */
	struct store_stmt *st =
		store_query(s,
			    "SELECT started_at / 1800000, count(*) FROM call"
			    " WHERE started_at >= ? AND started_at < ?"
			    " AND (queue = ? OR (? IS NULL AND queue IS NOT NULL)) GROUP BY 1",
			    "iitt", day_start_ms(day0), day_start_ms(day0 + ndays), queue, queue);
	int rc;

	memset(counts, 0, (size_t)ndays * WFM_INTERVALS * sizeof(*counts));
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		int64_t at = store_col_int(st, 0) * HALF_HOUR_MS;
		int64_t d = local_day(at) - day0;
		int i = clock_local_minute(at) / WFM_INTERVAL_MIN;

		if (d >= 0 && d < ndays)
			counts[d * WFM_INTERVALS + i] += (double)store_col_int(st, 1);
	}
	return store_end(st, rc, 0);
}

int wfm_first_call_day(struct store *s, const char *queue, int64_t *out)
{
	int64_t first = 0;
	int rc = store_run(s,
			   "SELECT min(started_at) FROM call"
			   " WHERE queue = ? OR (? IS NULL AND queue IS NOT NULL)",
			   &first, "tt", queue, queue);

	*out = 0;
	if (rc < 0)
		return rc;
	if (first > 0)
		*out = local_day(first);
	return 0;
}

int wfm_aht(struct store *s, const char *queue, int64_t from, int64_t to, double *out)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT count(*), sum(ended_at - connected_at) FROM call"
			    " WHERE started_at >= ? AND started_at < ? AND connected_at IS NOT NULL"
			    " AND ended_at > connected_at"
			    " AND (queue = ? OR (? IS NULL AND queue IS NOT NULL))",
			    "iitt", from, to, queue, queue);
	int rc = store_next(st, NULL, NULL);

	*out = 0;
	if (rc == 1 && store_col_int(st, 0) > 0)
		*out = (double)store_col_int(st, 1) / 1000.0 / (double)store_col_int(st, 0);
	return store_end(st, rc, 0);
}

int wfm_calendar(struct store *s, const char *from, const char *to, wfm_day_fn fn, void *ctx)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT day, 1, 0 FROM hotline_closed_day WHERE day BETWEEN ? AND ?"
			    " UNION ALL SELECT day, 0, as_weekday FROM hotline_open_day"
			    " WHERE day BETWEEN ? AND ? ORDER BY 1",
			    "tttt", from, to, from, to);
	char day[11];
	int rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		STORE_COL_COPY(st, 0, day);
		rc = fn(ctx, day, (int)store_col_int(st, 1), (int)store_col_int(st, 2));
		if (rc < 0)
			break;
	}
	return store_end(st, rc, 0);
}

/* ---- overrides ---- */

static int override_read(struct store_stmt *st, void *dst)
{
	struct wfm_override *o = dst;

	STORE_COL_COPY(st, 0, o->day);
	o->interval = (int)store_col_int(st, 1);
	o->contacts = (int)store_col_int(st, 2);
	return 0;
}

int wfm_override_list(struct store *s, const char *queue, const char *from, const char *to,
		      wfm_override_fn fn, void *ctx)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT day, interval, contacts FROM wfm_forecast_override"
			    " WHERE queue = ? AND day BETWEEN ? AND ? ORDER BY day, interval",
			    "ttt", queue, from, to);
	struct wfm_override o;
	int rc;

	while ((rc = store_next(st, override_read, &o)) == 1 && (rc = fn(ctx, &o)) >= 0)
		;
	return store_end(st, rc, 0);
}

int wfm_override_clear(struct store *s, const char *queue, const char *from, const char *to,
		       int *removed)
{
	int rc = store_run(
		s, "DELETE FROM wfm_forecast_override WHERE queue = ? AND day BETWEEN ? AND ?",
		NULL, "ttt", queue, from, to);

	*removed = rc < 0 ? 0 : store_changes(s);
	return rc < 0 ? rc : 0;
}

int wfm_override_put(struct store *s, const char *queue, const struct wfm_override *o, int64_t by,
		     int64_t now)
{
	int rc = store_run(s,
			   "INSERT INTO wfm_forecast_override(queue, day, interval, contacts,"
			   " updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
			   " ON CONFLICT (queue, day, interval) DO UPDATE SET"
			   " contacts = excluded.contacts, updated_by = excluded.updated_by,"
			   " updated_at = excluded.updated_at",
			   NULL, "ttiiii", queue, o->day, (int64_t)o->interval,
			   (int64_t)o->contacts, by, now);

	return rc < 0 ? rc : 0;
}
