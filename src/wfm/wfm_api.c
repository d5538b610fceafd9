/*
 * Shifts over HTTP: the shift types (/api/wfm/shift-types), the settings
 * (/api/wfm/settings) and the forecast with its staffing
 * (/api/wfm/forecast). Every field is checked before the write transaction
 * begins; each change is one transaction with its audit entry.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "http/http.h"
#include "store/store.h"
#include "wfm/wfm.h"

#define CONTACTS_MAX 100000 /* an override's contacts in one half hour */

/* ---- shift types ---- */

static json_t *shift_type_json(const struct wfm_shift_type *t)
{
	json_t *segs = json_array();

	for (int i = 0; i < t->nseg; i++)
		json_array_append_new(segs, json_pack("{s:i, s:i}", "start", t->seg[i].start, "end",
						      t->seg[i].end));
	return json_pack("{s:I, s:s, s:s, s:o, s:b, s:i, s:i, s:i, s:s, s:b, s:b, s:I}", "id",
			 (json_int_t)t->id, "code", t->code, "name", t->name, "segments", segs,
			 "crosses_midnight", wfm_shift_crosses_midnight(t), "length_min",
			 wfm_shift_length(t), "paid_min", t->paid_min, "break_min", t->break_min,
			 "colour", t->colour, "office", t->office, "active", t->active,
			 "updated_at", (json_int_t)t->updated_at);
}

static int shift_type_row(void *ctx, const struct wfm_shift_type *t)
{
	return json_array_append_new(ctx, shift_type_json(t));
}

static int shift_types_list(struct req *r)
{
	json_t *items = json_array();
	int rc = wfm_shift_type_list(r->store, shift_type_row, items);

	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* An integer field, when present; wrong type is 400. Range is the rules'. */
static int body_int(struct req *r, const char *key, int *out)
{
	json_t *v = json_object_get(r->body, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < -1000000 ||
	    json_integer_value(v) > 1000000)
		return err_set(&r->ei, ERR_INVALID, key, "%s: expected a whole number", key);
	*out = (int)json_integer_value(v);
	return 0;
}

/* A text field copied into dst, when present. */
static int body_text(struct req *r, const char *key, int required, char *dst, size_t size)
{
	const char *s = NULL;
	int rc = body_str(r, key, required, &s);

	if (rc == 0 && s) {
		if (strlen(s) >= size)
			return err_set(&r->ei, ERR_UNPROCESSABLE, key, "%s: at most %zu characters",
				       key, size - 1);
		snprintf(dst, size, "%s", s);
	}
	return rc;
}

/* segments: [{"start": m, "end": m}, ...], one or two. */
static int body_segments(struct req *r, struct wfm_shift_type *t)
{
	json_t *v = json_object_get(r->body, "segments"), *seg;
	size_t i;

	if (!v)
		return 0;
	if (!json_is_array(v))
		return err_set(&r->ei, ERR_INVALID, "segments", "%s: expected an array",
			       "segments");
	if (json_array_size(v) < 1 || json_array_size(v) > WFM_SEGMENTS_MAX)
		return err_set(
			&r->ei, ERR_UNPROCESSABLE, "segments",
			"segments: one or two ranges of the day that do not overlap; only the"
			" last may run past midnight");
	json_array_foreach(v, i, seg)
	{
		json_t *s = json_object_get(seg, "start"), *e = json_object_get(seg, "end");

		if (!json_is_object(seg) || json_object_size(seg) != 2 || !json_is_integer(s) ||
		    !json_is_integer(e))
			return err_set(&r->ei, ERR_INVALID, "segments",
				       "segments: each {\"start\": minute, \"end\": minute}");
		if (json_integer_value(s) < 0 || json_integer_value(s) > WFM_DAY_MIN ||
		    json_integer_value(e) < 0 || json_integer_value(e) > WFM_DAY_MIN)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "segments",
				       "segments: minutes of the day, 0 to 1440");
		t->seg[i].start = (int)json_integer_value(s);
		t->seg[i].end = (int)json_integer_value(e);
	}
	t->nseg = (int)json_array_size(v);
	return 0;
}

static const char *const create_fields[] = {"code",   "name",	"segments", "paid_min", "break_min",
					    "colour", "office", "active",   NULL};
/* The code stays what it was created as: rosters and exports name it. */
static const char *const update_fields[] = {"name",   "segments", "paid_min", "break_min",
					    "colour", "office",	  "active",   NULL};

/* Reads the body's fields over t: 400 for a wrong type, then every rule at once (422). */
static int shift_type_read(struct req *r, struct wfm_shift_type *t, int create)
{
	int rc = body_only(r, create ? create_fields : update_fields);

	if (rc == 0 && create)
		rc = body_text(r, "code", 1, t->code, sizeof(t->code));
	if (rc == 0)
		rc = body_text(r, "name", create, t->name, sizeof(t->name));
	if (rc == 0 && create && !body_has(r, "segments"))
		rc = err_set(&r->ei, ERR_INVALID, "segments", "%s: required", "segments");
	if (rc == 0 && create && !body_has(r, "paid_min"))
		rc = err_set(&r->ei, ERR_INVALID, "paid_min", "%s: required", "paid_min");
	if (rc == 0)
		rc = body_segments(r, t);
	if (rc == 0)
		rc = body_int(r, "paid_min", &t->paid_min);
	if (rc == 0)
		rc = body_int(r, "break_min", &t->break_min);
	if (rc == 0)
		rc = body_text(r, "colour", 0, t->colour, sizeof(t->colour));
	if (rc == 0)
		rc = body_bool(r, "office", &t->office);
	if (rc == 0)
		rc = body_bool(r, "active", &t->active);
	if (rc == 0)
		rc = wfm_shift_type_check(t, &r->ei);
	return rc;
}

/* POST /api/wfm/shift-types and PATCH /api/wfm/shift-types/{id}. */
static int shift_type_write(struct req *r, int create)
{
	struct wfm_shift_type t, before;
	json_t *detail;
	int64_t id = 0;
	int rc = 0;

	memset(&t, 0, sizeof(t));
	t.active = 1;
	snprintf(t.colour, sizeof(t.colour), "#909399");
	if (!create) {
		rc = req_param_id(r, 0, &id);
		if (rc == 0)
			rc = wfm_shift_type_get(r->store, id, &t);
		if (rc == ERR_NOTFOUND)
			return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such shift type");
		if (rc < 0)
			return rc;
	}
	before = t;
	rc = shift_type_read(r, &t, create);
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = wfm_shift_type_put(r->store, &t, r->now);
	if (rc == ERR_CONFLICT)
		rc = err_set(&r->ei, ERR_CONFLICT, "code", "code: already in use");
	if (rc == 0) {
		detail = create ? json_pack("{s:o}", "after", shift_type_json(&t))
				: json_pack("{s:o, s:o}", "before", shift_type_json(&before),
					    "after", shift_type_json(&t));
		rc = req_audit(r, create ? "wfm.shift_type.create" : "wfm.shift_type.update",
			       "wfm_shift_type", t.id, "ok", detail);
	}
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, create ? 201 : 200, shift_type_json(&t));
}

static int shift_type_create(struct req *r)
{
	return shift_type_write(r, 1);
}

static int shift_type_update(struct req *r)
{
	return shift_type_write(r, 0);
}

/* POST /api/wfm/shift-types/{id}/deactivate: a type is never deleted (rosters
 * keep pointing at it), only taken out of use. */
static int shift_type_deactivate(struct req *r)
{
	struct wfm_shift_type t;
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = wfm_shift_type_get(r->store, id, &t);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such shift type");
	if (rc < 0)
		return rc;
	if (!t.active)
		return err_set(&r->ei, ERR_CONFLICT, NULL, "this shift type is already inactive");
	t.active = 0;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = wfm_shift_type_put(r->store, &t, r->now);
	if (rc == 0)
		rc = req_audit(r, "wfm.shift_type.deactivate", "wfm_shift_type", t.id, "ok",
			       json_pack("{s:s}", "code", t.code));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, shift_type_json(&t));
}

/* ---- settings ---- */

static json_t *settings_json(const struct wfm_settings *w)
{
	struct wfm_settings c = *w;
	json_t *o = json_object();

	for (size_t i = 0; i < wfm_setting_count; i++)
		json_object_set_new(o, wfm_setting_keys[i].key,
				    json_integer(*wfm_setting_field(&c, i)));
	return o;
}

static int settings_get(struct req *r)
{
	struct wfm_settings w;
	int rc = wfm_settings_get(r->store, &w);

	if (rc < 0)
		return rc;
	return reply_json(r, 200, settings_json(&w));
}

static int settings_update(struct req *r)
{
	const char *fields[WFM_SETTINGS_MAX + 1];
	struct wfm_settings w, before;
	int rc;

	for (size_t i = 0; i < wfm_setting_count; i++)
		fields[i] = wfm_setting_keys[i].key;
	fields[wfm_setting_count] = NULL;
	rc = body_only(r, fields);
	if (rc == 0)
		rc = wfm_settings_get(r->store, &w);
	if (rc < 0)
		return rc;
	before = w;
	for (size_t i = 0; i < wfm_setting_count && rc == 0; i++)
		rc = body_int(r, wfm_setting_keys[i].key, wfm_setting_field(&w, i));
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < wfm_setting_count; i++) {
		const struct wfm_setting_key *k = &wfm_setting_keys[i];
		int v = *wfm_setting_field(&w, i);

		if (v < k->min || v > k->max)
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, k->key, "%s: %lld to %lld",
				     k->key, (long long)k->min, (long long)k->max);
	}
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = wfm_settings_put(r->store, &w, r->now);
	if (rc == 0)
		rc = req_audit(r, "wfm.settings.update", "wfm_setting", 0, "ok",
			       json_pack("{s:o, s:o}", "before", settings_json(&before), "after",
					 settings_json(&w)));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, settings_json(&w));
}

/* ---- forecast ---- */

static double round2(double x)
{
	return floor(x * 100 + 0.5) / 100;
}

static int read_queue(struct req *r, const char **queue)
{
	int rc = req_query(r, "queue", queue);

	if (rc < 0)
		return rc;
	if (*queue && !**queue)
		*queue = NULL;
	if (*queue) {
		rc = wfm_queue_exists(r->store, *queue);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "queue", "queue: no such queue");
	}
	return 0;
}

static const char *const kind_names[] = {"monday", "tuesday",  "wednesday", "thursday",
					 "friday", "saturday", "sunday",    "holiday"};

/* GET /api/wfm/forecast?month=YYYY-MM[&queue=code][&aht=seconds] */
static int forecast_get(struct req *r)
{
	const char *month = NULL, *queue = NULL;
	struct wfm_forecast f;
	int year, mon;
	int64_t aht_param = 0;
	char from[11], to[11];
	json_t *days, *by_kind;
	int rc = req_query(r, "month", &month);

	if (rc == 0 && wfm_month_parse(month, &year, &mon) < 0)
		rc = err_set(&r->ei, ERR_INVALID, "month", "month: a month as YYYY-MM");
	if (rc == 0)
		rc = req_query_int(r, "aht", 1, 7200, &aht_param);
	if (rc == 0)
		rc = read_queue(r, &queue);
	if (rc == 0)
		rc = wfm_forecast_build(r->store, queue, year, mon, (int)aht_param, r->now, &f,
					&r->ei);
	if (rc < 0)
		return rc;
	days = json_array();
	for (int d = 0; d < f.ndays; d++) {
		const struct wfm_forecast_day *fd = &f.days[d];
		int64_t day = f.month0 + d;
		int y, m, dd;
		json_t *ivs = json_array();
		double total = 0;
		char date[11];

		clock_civil_from_days(day, &y, &m, &dd);
		for (int i = 0; i < WFM_INTERVALS; i++) {
			total += fd->contacts[i];
			json_array_append_new(
				ivs,
				json_pack("{s:i, s:f, s:f, s:b, s:i, s:i}", "interval", i,
					  "contacts", fd->contacts[i], "computed", fd->computed[i],
					  "override", fd->override[i], "required", fd->required[i],
					  "scheduled", fd->scheduled[i]));
		}
		wfm_date_text(day, date, sizeof(date));
		json_array_append_new(
			days,
			json_pack("{s:s, s:i, s:s, s:b, s:o, s:f, s:o}", "date", date, "weekday",
				  wfm_weekday(y, m, dd), "kind", kind_names[fd->kind],
				  "makeup_workday", fd->makeup > 0, "makeup_as",
				  fd->makeup > 0 ? json_integer(fd->makeup) : json_null(),
				  "contacts", round2(total), "intervals", ivs));
	}
	by_kind = json_object();
	for (int k = 0; k < WFM_KINDS; k++)
		json_object_set_new(by_kind, kind_names[k], json_integer(f.have[k]));
	wfm_date_text(f.hist0, from, sizeof(from));
	wfm_date_text(f.hist_end - 1, to, sizeof(to));
	rc = reply_json(
		r, 200,
		json_pack("{s:s, s:o, s:f, s:s, s:i, s:i, s:i, s:{s:i, s:o, s:o, s:o}, s:o}",
			  "month", month, "queue", queue ? json_string(queue) : json_null(),
			  "aht_sec", round2(f.aht), "aht_source", f.aht_source, "sl_target_pct",
			  f.settings.sl_target_pct, "sl_target_sec", f.settings.sl_target_sec,
			  "shrinkage_pct", f.settings.shrinkage_pct, "history", "days", f.hist_days,
			  "from", f.hist_days ? json_string(from) : json_null(), "to",
			  f.hist_days ? json_string(to) : json_null(), "days_by_kind", by_kind,
			  "days", days));
	wfm_forecast_free(&f);
	return rc;
}

static int override_json_row(void *ctx, const struct wfm_override *o)
{
	return json_array_append_new(ctx, json_pack("{s:s, s:i, s:i}", "date", o->day, "interval",
						    o->interval, "contacts", o->contacts));
}

/* PUT /api/wfm/forecast/{month}: the month's overrides for a queue (null: all
 * queues) become the list sent; an empty list removes them all. */
static int forecast_put(struct req *r)
{
	static const char *const fields[] = {"queue", "overrides", NULL};
	const char *queue = NULL;
	json_t *list, *it, *items = NULL;
	struct wfm_override *ov = NULL;
	char first[11], last[11];
	int year, mon, rc, removed = 0;
	size_t n = 0, i;

	if (wfm_month_parse(r->params[0], &year, &mon) < 0)
		return err_set(&r->ei, ERR_NOTFOUND, "month", "no such month (YYYY-MM)");
	rc = body_only(r, fields);
	if (rc == 0 && json_is_null(json_object_get(r->body, "queue")))
		json_object_del(r->body, "queue");
	if (rc == 0)
		rc = body_str(r, "queue", 0, &queue);
	if (rc < 0)
		return rc;
	list = json_object_get(r->body, "overrides");
	if (!list)
		return err_set(&r->ei, ERR_INVALID, "overrides", "%s: required", "overrides");
	if (!json_is_array(list))
		return err_set(&r->ei, ERR_INVALID, "overrides", "%s: expected an array",
			       "overrides");
	if (queue && *queue) {
		rc = wfm_queue_exists(r->store, queue);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "queue", "queue: no such queue");
	} else {
		queue = "";
	}
	snprintf(first, sizeof(first), "%04d-%02d-01", year, mon);
	snprintf(last, sizeof(last), "%04d-%02d-%02d", year, mon, wfm_month_days(year, mon));
	n = json_array_size(list);
	ov = calloc(n ? n : 1, sizeof(*ov));
	if (!ov)
		return ERR_NOMEM;
	json_array_foreach(list, i, it)
	{
		json_t *d = json_object_get(it, "date"), *iv = json_object_get(it, "interval"),
		       *c = json_object_get(it, "contacts");
		int y, m, dd;
		char tail;

		if (!json_is_object(it) || json_object_size(it) != 3 || !json_is_string(d) ||
		    !json_is_integer(iv) || !json_is_integer(c)) {
			rc = err_set(
				&r->ei, ERR_INVALID, "overrides",
				"overrides[%zu]: expected {\"date\", \"interval\", \"contacts\"}",
				i);
			goto out;
		}
		if (sscanf(json_string_value(d), "%4d-%2d-%2d%c", &y, &m, &dd, &tail) != 3 ||
		    strlen(json_string_value(d)) != 10 || y != year || m != mon || dd < 1 ||
		    dd > wfm_month_days(year, mon)) {
			rc = err_set(&r->ei, ERR_UNPROCESSABLE, "overrides",
				     "overrides[%zu].date: a day of %s", i, r->params[0]);
			goto out;
		}
		if (json_integer_value(iv) < 0 || json_integer_value(iv) >= WFM_INTERVALS) {
			rc = err_set(&r->ei, ERR_UNPROCESSABLE, "overrides",
				     "overrides[%zu].interval: 0 to 47", i);
			goto out;
		}
		if (json_integer_value(c) < 0 || json_integer_value(c) > CONTACTS_MAX) {
			rc = err_set(&r->ei, ERR_UNPROCESSABLE, "overrides",
				     "overrides[%zu].contacts: 0 to %d", i, CONTACTS_MAX);
			goto out;
		}
		snprintf(ov[i].day, sizeof(ov[i].day), "%s", json_string_value(d));
		ov[i].interval = (int)json_integer_value(iv);
		ov[i].contacts = (int)json_integer_value(c);
		for (size_t j = 0; j < i; j++)
			if (ov[j].interval == ov[i].interval && !strcmp(ov[j].day, ov[i].day)) {
				rc = err_set(
					&r->ei, ERR_UNPROCESSABLE, "overrides",
					"overrides[%zu]: this date and interval are listed twice",
					i);
				goto out;
			}
	}
	rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	rc = wfm_override_clear(r->store, queue, first, last, &removed);
	for (i = 0; i < n && rc == 0; i++)
		rc = wfm_override_put(r->store, queue, &ov[i], r->who.person_id, r->now);
	if (rc == 0)
		rc = req_audit(r, "wfm.forecast.override", "wfm_forecast_override",
			       (int64_t)year * 100 + mon, "ok",
			       json_pack("{s:s, s:o, s:i, s:i}", "month", r->params[0], "queue",
					 *queue ? json_string(queue) : json_null(), "overrides",
					 (int)n, "removed", removed));
	rc = req_finish(r, rc);
	if (rc < 0)
		goto out;
	items = json_array();
	rc = wfm_override_list(r->store, queue, first, last, override_json_row, items);
	if (rc == 0) {
		rc = reply_json(r, 200,
				json_pack("{s:s, s:o, s:o}", "month", r->params[0], "queue",
					  *queue ? json_string(queue) : json_null(), "overrides",
					  items));
		items = NULL;
	}
out:
	json_decref(items);
	free(ov);
	return rc;
}

const struct route wfm_routes[] = {
	{"GET", "/api/wfm/shift-types", shift_types_list, ACT_WFM_READ},
	{"POST", "/api/wfm/shift-types", shift_type_create, ACT_WFM_CONFIG},
	{"PATCH", "/api/wfm/shift-types/{id}", shift_type_update, ACT_WFM_CONFIG},
	{"POST", "/api/wfm/shift-types/{id}/deactivate", shift_type_deactivate, ACT_WFM_CONFIG},
	{"GET", "/api/wfm/settings", settings_get, ACT_WFM_PLAN},
	{"PATCH", "/api/wfm/settings", settings_update, ACT_WFM_CONFIG},
	{"GET", "/api/wfm/forecast", forecast_get, ACT_WFM_PLAN},
	{"PUT", "/api/wfm/forecast/{month}", forecast_put, ACT_WFM_PLAN},
	{NULL, NULL, NULL, 0},
};
