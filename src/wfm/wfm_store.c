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

static void row_read(struct store_stmt *st, struct wfm_shift_type *t)
{
	memset(t, 0, sizeof(*t));
	t->id = store_col_int(st, 0);
	store_col_copy(st, 1, t->code, sizeof(t->code));
	store_col_copy(st, 2, t->name, sizeof(t->name));
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
	store_col_copy(st, 9, t->colour, sizeof(t->colour));
	t->office = (int)store_col_int(st, 10);
	t->active = (int)store_col_int(st, 11);
	t->updated_at = store_col_int(st, 12);
}

int wfm_shift_type_list(struct store *s, wfm_shift_type_fn fn, void *ctx)
{
	struct store_stmt *st = store_prepare(
		s, "SELECT " COLS " FROM wfm_shift_type ORDER BY office, seg1_start, id");
	struct wfm_shift_type t;
	int rc;

	if (!st)
		return ERR_IO;
	while ((rc = store_step(st)) == 1) {
		row_read(st, &t);
		rc = fn(ctx, &t);
		if (rc < 0)
			break;
	}
	store_done(st);
	return rc;
}

int wfm_shift_type_get(struct store *s, int64_t id, struct wfm_shift_type *out)
{
	struct store_stmt *st =
		store_prepare(s, "SELECT " COLS " FROM wfm_shift_type WHERE id = ?");
	int rc;

	if (!st)
		return ERR_IO;
	store_bind_int(st, 1, id);
	rc = store_step(st);
	if (rc == 1) {
		row_read(st, out);
		rc = 0;
	} else if (rc == 0) {
		rc = ERR_NOTFOUND;
	}
	store_done(st);
	return rc;
}

int wfm_shift_type_put(struct store *s, struct wfm_shift_type *t, int64_t now)
{
	struct store_stmt *st =
		t->id ? store_prepare(s,
				      "UPDATE wfm_shift_type SET code = ?, name = ?,"
				      " seg1_start = ?, seg1_end = ?, seg2_start = ?, seg2_end = ?,"
				      " paid_min = ?, break_min = ?, colour = ?, office = ?,"
				      " active = ?, updated_at = ? WHERE id = ? RETURNING id")
		      : store_prepare(
				s, "INSERT INTO wfm_shift_type(code, name, seg1_start,"
				   " seg1_end, seg2_start, seg2_end, paid_min, break_min, colour,"
				   " office, active, updated_at, created_at)"
				   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
	int rc;

	if (!st)
		return ERR_IO;
	store_bind_text(st, 1, t->code);
	store_bind_text(st, 2, t->name);
	store_bind_int(st, 3, t->seg[0].start);
	store_bind_int(st, 4, t->seg[0].end);
	if (t->nseg == 2) {
		store_bind_int(st, 5, t->seg[1].start);
		store_bind_int(st, 6, t->seg[1].end);
	} else {
		store_bind_null(st, 5);
		store_bind_null(st, 6);
	}
	store_bind_int(st, 7, t->paid_min);
	store_bind_int(st, 8, t->break_min);
	store_bind_text(st, 9, t->colour);
	store_bind_int(st, 10, t->office);
	store_bind_int(st, 11, t->active);
	store_bind_int(st, 12, now);
	store_bind_int(st, 13, t->id ? t->id : now);
	rc = store_step(st);
	if (rc == 1) {
		t->id = store_col_int(st, 0);
		t->updated_at = now;
		rc = 0;
	} else if (rc == 0) {
		rc = ERR_NOTFOUND;
	}
	store_done(st);
	return rc;
}

/* ---- settings ---- */

static const char *const setting_keys[] = {"sl_target_pct", "sl_target_sec", "shrinkage_pct",
					   "history_weeks", "default_aht_sec"};

static int *setting_field(struct wfm_settings *w, int i)
{
	int *f[] = {&w->sl_target_pct, &w->sl_target_sec, &w->shrinkage_pct, &w->history_weeks,
		    &w->default_aht_sec};

	return f[i];
}

int wfm_settings_get(struct store *s, struct wfm_settings *out)
{
	/* The migration's defaults stand for a row that is missing. */
	*out = (struct wfm_settings){80, 20, 30, 8, 180};
	for (int i = 0; i < 5; i++) {
		int64_t v;
		int rc = store_run(s, "SELECT value FROM wfm_setting WHERE key = ?", &v, "t",
				   setting_keys[i]);

		if (rc < 0)
			return rc;
		if (rc == 1)
			*setting_field(out, i) = (int)v;
	}
	return 0;
}

int wfm_settings_put(struct store *s, const struct wfm_settings *in, int64_t now)
{
	struct wfm_settings w = *in;

	for (int i = 0; i < 5; i++) {
		int rc = store_run(
			s,
			"INSERT INTO wfm_setting(key, value, updated_at) VALUES (?, ?, ?)"
			" ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
			" updated_at = excluded.updated_at",
			NULL, "tii", setting_keys[i], (int64_t)*setting_field(&w, i), now);

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

	return wfm_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
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
	struct store_stmt *st = store_prepare(
		s, "SELECT started_at / 1800000, count(*) FROM call"
		   " WHERE started_at >= ? AND started_at < ?"
		   " AND (queue = ? OR (? IS NULL AND queue IS NOT NULL)) GROUP BY 1");
	int64_t from = day_start_ms(day0), to = day_start_ms(day0 + ndays);
	int rc;

	memset(counts, 0, (size_t)ndays * WFM_INTERVALS * sizeof(*counts));
	if (!st)
		return ERR_IO;
	store_bind_int(st, 1, from);
	store_bind_int(st, 2, to);
	store_bind_text(st, 3, queue);
	store_bind_text(st, 4, queue);
	while ((rc = store_step(st)) == 1) {
		int64_t at = store_col_int(st, 0) * HALF_HOUR_MS;
		int64_t d = local_day(at) - day0;
		int i = clock_local_minute(at) / WFM_INTERVAL_MIN;

		if (d >= 0 && d < ndays)
			counts[d * WFM_INTERVALS + i] += (double)store_col_int(st, 1);
	}
	store_done(st);
	return rc;
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
	struct store_stmt *st = store_prepare(
		s, "SELECT count(*), sum(ended_at - connected_at) FROM call"
		   " WHERE started_at >= ? AND started_at < ? AND connected_at IS NOT NULL"
		   " AND ended_at > connected_at"
		   " AND (queue = ? OR (? IS NULL AND queue IS NOT NULL))");
	int rc;

	*out = 0;
	if (!st)
		return ERR_IO;
	store_bind_int(st, 1, from);
	store_bind_int(st, 2, to);
	store_bind_text(st, 3, queue);
	store_bind_text(st, 4, queue);
	rc = store_step(st);
	if (rc == 1) {
		int64_t n = store_col_int(st, 0);

		if (n > 0)
			*out = (double)store_col_int(st, 1) / 1000.0 / (double)n;
		rc = 0;
	}
	store_done(st);
	return rc;
}

int wfm_calendar(struct store *s, const char *from, const char *to, wfm_day_fn fn, void *ctx)
{
	struct store_stmt *st = store_prepare(
		s, "SELECT day, 1, 0 FROM hotline_closed_day WHERE day BETWEEN ? AND ?"
		   " UNION ALL SELECT day, 0, as_weekday FROM hotline_open_day"
		   " WHERE day BETWEEN ? AND ? ORDER BY 1");
	char day[11];
	int rc;

	if (!st)
		return ERR_IO;
	store_bind_text(st, 1, from);
	store_bind_text(st, 2, to);
	store_bind_text(st, 3, from);
	store_bind_text(st, 4, to);
	while ((rc = store_step(st)) == 1) {
		store_col_copy(st, 0, day, sizeof(day));
		rc = fn(ctx, day, (int)store_col_int(st, 1), (int)store_col_int(st, 2));
		if (rc < 0)
			break;
	}
	store_done(st);
	return rc;
}

/* ---- overrides ---- */

int wfm_override_list(struct store *s, const char *queue, const char *from, const char *to,
		      wfm_override_fn fn, void *ctx)
{
	struct store_stmt *st =
		store_prepare(s, "SELECT day, interval, contacts FROM wfm_forecast_override"
				 " WHERE queue = ? AND day BETWEEN ? AND ? ORDER BY day, interval");
	struct wfm_override o;
	int rc;

	if (!st)
		return ERR_IO;
	store_bind_text(st, 1, queue);
	store_bind_text(st, 2, from);
	store_bind_text(st, 3, to);
	while ((rc = store_step(st)) == 1) {
		store_col_copy(st, 0, o.day, sizeof(o.day));
		o.interval = (int)store_col_int(st, 1);
		o.contacts = (int)store_col_int(st, 2);
		rc = fn(ctx, &o);
		if (rc < 0)
			break;
	}
	store_done(st);
	return rc;
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
