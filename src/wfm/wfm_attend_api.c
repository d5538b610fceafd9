/*
 * Attendance over HTTP (WFM-5): the day's figures of every agent
 * (GET /api/wfm/attendance), the month's sheet (GET
 * /api/wfm/attendance/month) and the supervisor's excuses (POST and
 * DELETE /api/wfm/attendance/excuses). Supervisors and the manager see
 * everyone; an agent sees only their own days.
 *
 * Each agent's days are computed here from the rows the store reads: the
 * roster's entries and approved leave of the days around, the excuses, and
 * the agent's status log from the day before the first day to the day
 * after the last (a night shift runs into the next day; the day before's
 * runs into the first), one agent at a time, so a month of a large center
 * holds one agent's log in memory at once. The center's time zone decides
 * the days (core/clock.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/utf8.h"
#include "export/export.h"
#include "http/http.h"
#include "store/store.h"
#include "wfm/wfm.h"

#define DAY_MS 86400000LL
#define MIN_MS 60000LL
#define MONTH_DAYS_MAX 31

/* ---- days ---- */

static void date_text(int64_t d, char *out, size_t size)
{
	int y, m, dd;

	clock_civil_from_days(d, &y, &m, &dd);
	snprintf(out, size, "%04d-%02d-%02d", y, m, dd);
}

/* "YYYY-MM-DD" → days since the epoch; ERR_INVALID otherwise. */
static int date_parse(const char *s, int64_t *out)
{
	int y, m, d, n = 0, y2, m2, d2;

	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
	    y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return ERR_INVALID;
	*out = clock_days_from_civil(y, m, d);
	clock_civil_from_days(*out, &y2, &m2, &d2);
	return y2 == y && m2 == m && d2 == d ? 0 : ERR_INVALID;
}

/* The first millisecond of local day d (days since the epoch, the center's date). */
static int64_t local_start(int64_t d)
{
	return clock_day_start((d * 86400 + 43200) * 1000);
}

static int64_t today(int64_t now)
{
	int ymd = clock_local_ymd(now);

	return clock_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
}

/* ---- what one computation reads ---- */

struct types {
	struct wfm_shift_type *t;
	size_t n, cap;
};

static int type_row(void *ctx, const struct wfm_shift_type *t)
{
	struct types *ts = ctx;

	if (ts->n == ts->cap) {
		size_t cap = ts->cap ? ts->cap * 2 : 16;
		struct wfm_shift_type *p = realloc(ts->t, cap * sizeof(*p));

		if (!p)
			return ERR_NOMEM;
		ts->t = p;
		ts->cap = cap;
	}
	ts->t[ts->n++] = *t;
	return 0;
}

static const struct wfm_shift_type *type_find(const struct types *ts, int64_t id)
{
	for (size_t i = 0; i < ts->n; i++)
		if (ts->t[i].id == id)
			return &ts->t[i];
	return NULL;
}

struct excuses {
	struct wfm_excuse *e;
	size_t n, cap;
};

static int excuse_row(void *ctx, const struct wfm_excuse *e)
{
	struct excuses *xs = ctx;

	if (xs->n == xs->cap) {
		size_t cap = xs->cap ? xs->cap * 2 : 8;
		struct wfm_excuse *p = realloc(xs->e, cap * sizeof(*p));

		if (!p)
			return ERR_NOMEM;
		xs->e = p;
		xs->cap = cap;
	}
	xs->e[xs->n++] = *e;
	return 0;
}

static const struct wfm_excuse *excuse_find(const struct excuses *xs, int64_t person_id,
					    const char *day)
{
	for (size_t i = 0; i < xs->n; i++)
		if (xs->e[i].person_id == person_id && strcmp(xs->e[i].day, day) == 0)
			return &xs->e[i];
	return NULL;
}

/* The shared inputs of a computation over local days [d0, d0 + n). */
struct calc {
	struct types types;
	struct excuses excuses;
	struct wfm_settings w;
	int away_max_min;
	int64_t now, d0;
	int n;
};

/* One agent's days d0 − 1 .. d0 + n (index i is day d0 − 1 + i). */
#define SLOTS (MONTH_DAYS_MAX + 2)
struct agent {
	const struct wfm_shift_type *shift[SLOTS];
	int leave[SLOTS];      /* enum wfm_att_leave_state */
	int leave_kind[SLOTS]; /* -1: none */
	int leave_emergency[SLOTS];
	int initial;
	struct wfm_status_change *chg;
	size_t nchg, cap;
	int64_t slot0;
	struct calc *c;
};

static int entry_row(void *ctx, const struct wfm_att_entry *e)
{
	struct agent *a = ctx;
	int64_t d;

	if (date_parse(e->day, &d) < 0 || d < a->slot0 || d >= a->slot0 + a->c->n + 2)
		return 0;
	a->shift[d - a->slot0] = type_find(&a->c->types, e->shift_type_id);
	return 0;
}

static int leave_row(void *ctx, const struct wfm_att_leave *l)
{
	struct agent *a = ctx;
	int64_t first, last;
	int state = wfm_attend_leave_state(l->emergency, l->paperwork_due, l->paperwork_at,
					   a->c->now);

	if (date_parse(l->first_day, &first) < 0 || date_parse(l->last_day, &last) < 0)
		return 0;
	for (int i = 0; i < a->c->n + 2; i++) {
		int64_t d = a->slot0 + i;

		if (d < first || d > last)
			continue;
		/* Two leaves on a day: the excused one holds. */
		if (a->leave[i] == WFM_LEAVE_EXCUSED)
			continue;
		a->leave[i] = state;
		a->leave_kind[i] = l->kind;
		a->leave_emergency[i] = l->emergency;
	}
	return 0;
}

static int change_row(void *ctx, const struct wfm_status_change *c)
{
	struct agent *a = ctx;

	if (a->nchg == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		struct wfm_status_change *p = realloc(a->chg, cap * sizeof(*p));

		if (!p)
			return ERR_NOMEM;
		a->chg = p;
		a->cap = cap;
	}
	a->chg[a->nchg++] = *c;
	return 0;
}

/* Reads one agent's roster, leave and log around the computation's days. */
static int agent_load(struct store *s, struct calc *c, int64_t person_id, struct agent *a)
{
	char from[11], to[11];
	int rc;

	a->nchg = 0;
	a->c = c;
	a->slot0 = c->d0 - 1;
	for (int i = 0; i < SLOTS; i++) {
		a->shift[i] = NULL;
		a->leave[i] = WFM_LEAVE_NONE;
		a->leave_kind[i] = -1;
		a->leave_emergency[i] = 0;
	}
	date_text(a->slot0, from, sizeof(from));
	date_text(a->slot0 + c->n + 1, to, sizeof(to));
	rc = wfm_att_roster(s, person_id, from, to, entry_row, a);
	if (rc >= 0)
		rc = wfm_att_leaves(s, person_id, from, to, leave_row, a);
	if (rc >= 0)
		rc = wfm_att_log(s, person_id, local_start(a->slot0), local_start(a->slot0 + c->n + 2),
				 &a->initial, change_row, a);
	return rc < 0 ? rc : 0;
}

static void agent_free(struct agent *a)
{
	free(a->chg);
	a->chg = NULL;
	a->cap = a->nchg = 0;
}

/* The figures of day d (in [c->d0, c->d0 + c->n)) of a loaded agent. */
static void agent_day(const struct agent *a, int64_t d, int excused, struct wfm_attend_in *in,
		      struct wfm_attend_day *out)
{
	const struct calc *c = a->c;
	int i = (int)(d - a->slot0);
	const struct wfm_shift_type *t = a->shift[i], *prev = a->shift[i - 1],
				    *next = a->shift[i + 1];
	int64_t start = local_start(d), next_start = local_start(d + 1);

	memset(in, 0, sizeof(*in));
	if (t)
		in->nsched = wfm_attend_sched(t, start, next_start, in->sched);
	in->frame.from = start;
	in->frame.to = next_start;
	if (in->nsched && in->sched[in->nsched - 1].to > next_start)
		in->frame.to = in->sched[in->nsched - 1].to;
	/* The day before's shift that runs into this day is that day's time. */
	if (prev) {
		struct wfm_span p[WFM_SEGMENTS_MAX];
		int n = wfm_attend_sched(prev, local_start(d - 1), start, p);

		for (int k = 0; k < n; k++)
			if (p[k].to > start)
				in->other[in->nother++] = p[k];
	}
	/* So is the next day's shift, with its arrive-before window, where this frame reaches it. */
	if (next) {
		struct wfm_span p[WFM_SEGMENTS_MAX];
		int n = wfm_attend_sched(next, next_start, local_start(d + 2), p);

		in->other[in->nother].from = p[0].from - (int64_t)c->w.arrive_before_min * MIN_MS;
		in->other[in->nother++].to = p[n - 1].to;
	}
	in->initial = a->initial;
	in->chg = a->chg;
	in->nchg = a->nchg;
	in->now = c->now;
	in->absent_after_min = c->w.absent_after_min;
	in->arrive_before_min = c->w.arrive_before_min;
	in->away_max_min = c->away_max_min;
	in->break_allow_min = t ? t->break_min : 0;
	in->leave = a->leave[i];
	in->excused = excused;
	wfm_attend_day(in, out);
}

static int calc_init(struct store *s, int64_t now, int away_max_min, struct calc *c, int64_t d0,
		     int n, int64_t person_id)
{
	char from[11], to[11];
	int rc;

	memset(c, 0, sizeof(*c));
	c->d0 = d0;
	c->n = n;
	c->now = now;
	c->away_max_min = away_max_min;
	date_text(d0, from, sizeof(from));
	date_text(d0 + n - 1, to, sizeof(to));
	rc = wfm_settings_get(s, &c->w);
	if (rc >= 0)
		rc = wfm_shift_type_list(s, type_row, &c->types);
	if (rc >= 0)
		rc = wfm_excuse_list(s, person_id, from, to, excuse_row, &c->excuses);
	return rc < 0 ? rc : 0;
}

static void calc_free(struct calc *c)
{
	free(c->types.t);
	free(c->excuses.e);
}

/* ---- JSON ---- */

/*
 * Minutes, to the nearest: the log's instants carry the milliseconds a
 * request took, which must not turn a 5-minute lateness into 6. Whether a
 * day is late, early or absent is decided on the milliseconds (the marks).
 */
static json_int_t minutes(int64_t ms)
{
	return (json_int_t)((ms + MIN_MS / 2) / MIN_MS);
}

static json_t *pct_json(double x)
{
	return x < 0 ? json_null() : json_real(floor(x * 1000 + 0.5) / 10);
}

static json_t *ms_json(int64_t v)
{
	return v ? json_integer((json_int_t)v) : json_null();
}

static json_t *excuse_json(const struct wfm_excuse *e)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:o, s:s, s:I}", "id", (json_int_t)e->id,
			 "person_id", (json_int_t)e->person_id, "day", e->day, "reason", e->reason,
			 "by_id", e->by_id ? json_integer((json_int_t)e->by_id) : json_null(),
			 "by_name", e->by_name, "created_at", (json_int_t)e->created_at);
}

static json_t *shift_json(const struct wfm_shift_type *t, const struct wfm_attend_in *in)
{
	json_t *segs = json_array();

	for (int i = 0; i < t->nseg; i++)
		json_array_append_new(segs, json_pack("{s:i, s:i}", "start", t->seg[i].start, "end",
						      t->seg[i].end));
	return json_pack("{s:I, s:s, s:s, s:s, s:o, s:I, s:I, s:i}", "id", (json_int_t)t->id,
			 "code", t->code, "name", t->name, "colour", t->colour, "segments", segs,
			 "from", (json_int_t)in->sched[0].from, "to",
			 (json_int_t)in->sched[in->nsched - 1].to, "break_min", t->break_min);
}

static json_t *day_json(const struct wfm_att_person *p, const struct agent *a, int64_t d,
			const struct wfm_excuse *x, const struct wfm_attend_in *in,
			const struct wfm_attend_day *f)
{
	int i = (int)(d - a->slot0);
	const struct wfm_shift_type *t = a->shift[i];
	json_t *leave = json_null(), *o;
	char day[11];

	date_text(d, day, sizeof(day));
	if (a->leave[i] != WFM_LEAVE_NONE)
		leave = json_pack("{s:s, s:b, s:b}", "kind",
				  a->leave_kind[i] >= 0 ? wfm_leave_kinds[a->leave_kind[i]] : "",
				  "emergency", a->leave_emergency[i], "paperwork_overdue",
				  a->leave[i] == WFM_LEAVE_UNEXCUSED);
	o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "person_id", (json_int_t)p->id,
		      "work_no", p->work_no, "name", p->name, "day", day, "shift",
		      t ? shift_json(t, in) : json_null(), "leave", leave, "excuse",
		      x ? excuse_json(x) : json_null(), "first_in", ms_json(f->first_in));
	json_object_set_new(o, "last_out", ms_json(f->last_out));
	json_object_set_new(o, "scheduled_min", json_integer(minutes(f->scheduled)));
	json_object_set_new(o, "elapsed_min", json_integer(minutes(f->elapsed)));
	json_object_set_new(o, "worked_min", json_integer(minutes(f->worked)));
	json_object_set_new(o, "missing_min", json_integer(minutes(f->missing)));
	json_object_set_new(o, "late_min", json_integer(minutes(f->late)));
	json_object_set_new(o, "early_min", json_integer(minutes(f->early)));
	json_object_set_new(o, "overtime_min", json_integer(minutes(f->overtime)));
	json_object_set_new(o, "phone_min", json_integer(minutes(f->phone)));
	json_object_set_new(o, "busy_min", json_integer(minutes(f->busy)));
	json_object_set_new(o, "break_min", json_integer(minutes(f->brk)));
	json_object_set_new(o, "break_allow_min", json_integer(t ? t->break_min : 0));
	json_object_set_new(o, "away_longest_min", json_integer(minutes(f->away_longest)));
	json_object_set_new(o, "away_over", json_integer(f->away_over));
	json_object_set_new(o, "adherence", pct_json(f->adherence));
	json_object_set_new(o, "conformance", pct_json(f->conformance));
	json_object_set_new(o, "late", json_boolean(f->is_late));
	json_object_set_new(o, "early", json_boolean(f->is_early));
	json_object_set_new(o, "absent", json_boolean(f->is_absent));
	json_object_set_new(o, "on_leave", json_boolean(f->on_leave));
	json_object_set_new(o, "excused", json_boolean(f->excused));
	json_object_set_new(o, "ongoing", json_boolean(f->ongoing));
	return o;
}

/* ---- who may see whom ---- */

/* person_id asked for (0: everyone); an agent sees only themselves (403 otherwise). */
static int read_person(struct req *r, int64_t *person_id)
{
	int rc = req_query_int(r, "person_id", 1, INT64_MAX, person_id);

	if (rc < 0)
		return rc;
	if (auth_scope(&r->who, ACT_WFM_ATTEND_READ) < SCOPE_ALL) {
		const struct auth_target t = {0, *person_id ? *person_id : r->who.person_id};

		rc = req_authorize(r, ACT_WFM_ATTEND_READ, &t);
		if (rc < 0)
			return rc;
		*person_id = r->who.person_id;
	}
	return 0;
}

struct people {
	struct wfm_att_person *p;
	size_t n, cap;
};

static int person_row(void *ctx, const struct wfm_att_person *p)
{
	struct people *ps = ctx;

	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 32;
		struct wfm_att_person *q = realloc(ps->p, cap * sizeof(*q));

		if (!q)
			return ERR_NOMEM;
		ps->p = q;
		ps->cap = cap;
	}
	ps->p[ps->n++] = *p;
	return 0;
}

static int people_load(struct store *s, const struct calc *c, int64_t person_id, struct people *ps)
{
	char from[11], to[11];
	int rc;

	date_text(c->d0, from, sizeof(from));
	date_text(c->d0 + c->n - 1, to, sizeof(to));
	rc = wfm_att_people(s, person_id, from, to, local_start(c->d0), local_start(c->d0 + c->n),
			    person_row, ps);
	return rc < 0 ? rc : 0;
}

/* ---- GET /api/wfm/attendance?day=YYYY-MM-DD[&person_id=] ---- */

static int attendance_day(struct req *r)
{
	const char *day = NULL;
	int64_t d, person_id = 0;
	struct calc c;
	struct people ps = {0};
	struct agent a = {0};
	json_t *items = NULL;
	int rc = req_query(r, "day", &day);

	if (rc < 0)
		return rc;
	if (!day)
		return err_set(&r->ei, ERR_INVALID, "day", "%s: required (YYYY-MM-DD)", "day");
	if (date_parse(day, &d) < 0)
		return err_set(&r->ei, ERR_INVALID, "day", "%s: a date as YYYY-MM-DD", "day");
	rc = read_person(r, &person_id);
	if (rc < 0)
		return rc;
	rc = calc_init(r->store, r->now, r->app->cfg->busy_max_min, &c, d, 1, person_id);
	if (rc == 0)
		rc = people_load(r->store, &c, person_id, &ps);
	if (rc < 0)
		goto out;
	items = json_array();
	for (size_t k = 0; k < ps.n && rc == 0; k++) {
		const struct wfm_excuse *x = excuse_find(&c.excuses, ps.p[k].id, day);
		struct wfm_attend_in in;
		struct wfm_attend_day f;

		rc = agent_load(r->store, &c, ps.p[k].id, &a);
		if (rc < 0)
			break;
		agent_day(&a, d, x != NULL, &in, &f);
		json_array_append_new(items, day_json(&ps.p[k], &a, d, x, &in, &f));
	}
out:
	agent_free(&a);
	free(ps.p);
	calc_free(&c);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200,
			  json_pack("{s:s, s:o, s:i, s:i, s:i, s:I}", "day", day, "items", items,
				    "absent_after_min", c.w.absent_after_min, "arrive_before_min",
				    c.w.arrive_before_min, "away_max_min", c.away_max_min, "now",
				    (json_int_t)r->now));
}

/* ---- GET /api/wfm/attendance/month?month=YYYY-MM[&person_id=] ---- */

static json_t *sheet_json(const struct wfm_att_person *p, const struct wfm_attend_sheet *s)
{
	json_t *leave = json_object(), *o;

	for (int k = 0; k < WFM_LEAVE_KINDS; k++)
		json_object_set_new(leave, wfm_leave_kinds[k], json_integer(s->leave_days[k]));
	o = json_pack("{s:I, s:s, s:s, s:i, s:i, s:i, s:I, s:i, s:I, s:i, s:i, s:o}", "person_id",
		      (json_int_t)p->id, "work_no", p->work_no, "name", p->name, "days_scheduled",
		      s->days_scheduled, "days_worked", s->days_worked, "late_days", s->late_days,
		      "late_min", minutes(s->late), "early_days", s->early_days, "early_min",
		      minutes(s->early),
		      "absent_days", s->absent_days, "excused_days", s->excused_days,
		      "leave_days", leave);
	json_object_set_new(o, "overtime_min", json_integer(minutes(s->overtime)));
	json_object_set_new(o, "scheduled_min", json_integer(minutes(s->scheduled)));
	json_object_set_new(o, "worked_min", json_integer(minutes(s->worked)));
	json_object_set_new(o, "adherence",
			    pct_json(s->elapsed > 0 ? (double)s->adherent / (double)s->elapsed : -1));
	return o;
}

/*
 * The one walk over agents' days [d0, d0 + ndays) (every agent, or one,
 * person_id > 0), each computed as the month's sheet computes it: fn for
 * every person and day with its figures, slot the day's index in the
 * agent's month (1-based). The month's sheet and the walk for rewards and
 * penalties both read days through it.
 */
typedef int (*day_fn)(void *ctx, const struct people *ps, size_t k, const struct agent *a,
		      int slot, const char *day, const struct wfm_attend_day *f);

static int days_walk(struct store *st, int64_t now, int away_max_min, int64_t d0, int ndays,
		     int64_t person_id, day_fn fn, void *ctx)
{
	struct calc c;
	struct people ps = {0};
	struct agent a = {0};
	int rc = calc_init(st, now, away_max_min, &c, d0, ndays, person_id);

	if (rc == 0)
		rc = people_load(st, &c, person_id, &ps);
	for (size_t k = 0; k < ps.n && rc >= 0; k++) {
		rc = agent_load(st, &c, ps.p[k].id, &a);
		for (int i = 0; i < ndays && rc >= 0; i++) {
			char day[11];
			struct wfm_attend_in in;
			struct wfm_attend_day f;

			date_text(d0 + i, day, sizeof(day));
			agent_day(&a, d0 + i, excuse_find(&c.excuses, ps.p[k].id, day) != NULL, &in,
				  &f);
			rc = fn(ctx, &ps, k, &a, i + 1, day, &f);
		}
	}
	agent_free(&a);
	free(ps.p);
	calc_free(&c);
	return rc < 0 ? rc : 0;
}

/* A day with nothing in it (no shift, no leave, no time) adds nothing. */
static int day_counts(const struct agent *a, int slot, const struct wfm_attend_day *f)
{
	return a->shift[slot] || a->leave[slot] != WFM_LEAVE_NONE || f->overtime > 0;
}

struct month_walk {
	struct wfm_attend_line *lines;
	size_t n;
};

static int month_day(void *ctx, const struct people *ps, size_t k, const struct agent *a,
		     int slot, const char *day, const struct wfm_attend_day *f)
{
	struct month_walk *m = ctx;

	(void)day;
	if (!m->lines) {
		m->lines = calloc(ps->n, sizeof(*m->lines));
		if (!m->lines)
			return ERR_NOMEM;
		m->n = ps->n;
	}
	m->lines[k].p = ps->p[k];
	wfm_attend_sheet_add(&m->lines[k].s, day_counts(a, slot, f) ? f : NULL,
			     a->leave[slot] == WFM_LEAVE_EXCUSED ? a->leave_kind[slot] : -1);
	return 0;
}

int wfm_attend_month(struct store *st, int64_t now, int away_max_min, int year, int mon,
		     int64_t person_id, struct wfm_attend_line **out, size_t *n)
{
	struct month_walk m = {NULL, 0};
	int rc = days_walk(st, now, away_max_min, clock_days_from_civil(year, mon, 1),
			   wfm_month_days(year, mon), person_id, month_day, &m);

	if (rc < 0) {
		free(m.lines);
		*out = NULL;
		*n = 0;
		return rc;
	}
	*out = m.lines;
	*n = m.n;
	return 0;
}

struct walk_ctx {
	wfm_attend_walk_fn fn;
	void *ctx;
};

static int walk_day(void *ctx, const struct people *ps, size_t k, const struct agent *a, int slot,
		    const char *day, const struct wfm_attend_day *f)
{
	const struct walk_ctx *w = ctx;

	return day_counts(a, slot, f) ? w->fn(w->ctx, &ps->p[k], day, f) : 0;
}

/*
 * Every agent's days [d0, d0 + n) with a shift, leave or time logged, as
 * the month's sheet computes them (rewards and penalties above wfm read
 * them through this: src/perf's proposals of late arrivals and absences).
 */
int wfm_attend_walk(struct store *s, int64_t now, int away_max_min, int64_t d0, int n,
		    wfm_attend_walk_fn fn, void *ctx)
{
	struct walk_ctx w = {fn, ctx};

	if (n < 1 || n > MONTH_DAYS_MAX)
		return ERR_INVALID;
	return days_walk(s, now, away_max_min, d0, n, 0, walk_day, &w);
}

static int attendance_month(struct req *r)
{
	const char *month = NULL;
	int year, mon;
	int64_t person_id = 0;
	struct wfm_attend_line *lines;
	size_t n;
	json_t *items;
	int rc = req_query(r, "month", &month);

	if (rc < 0)
		return rc;
	if (wfm_month_parse(month, &year, &mon) < 0)
		return err_set(&r->ei, ERR_INVALID, "month", "month: a month as YYYY-MM");
	rc = read_person(r, &person_id);
	if (rc == 0)
		rc = wfm_attend_month(r->store, r->now, r->app->cfg->busy_max_min, year, mon,
				      person_id, &lines, &n);
	if (rc < 0)
		return rc;
	items = json_array();
	for (size_t k = 0; k < n; k++)
		json_array_append_new(items, sheet_json(&lines[k].p, &lines[k].s));
	free(lines);
	return reply_json(r, 200, json_pack("{s:s, s:o, s:I}", "month", month, "items", items, "now",
					    (json_int_t)r->now));
}

/*
 * GET /api/wfm/attendance/month/export?month=YYYY-MM: the sheet as the
 * center's 考勤表 in .xlsx, for supervisors and the manager; audited before
 * it goes out (SEC-2), as the roster's export is.
 */
static int attendance_export(struct req *r)
{
	const char *month = NULL;
	int year, mon, english, rc = req_query(r, "month", &month);
	struct wfm_attend_line *lines = NULL;
	struct export_book *b = NULL;
	char ascii[40], utf8[200], made_on[11];
	size_t n = 0;

	if (rc < 0)
		return rc;
	if (wfm_month_parse(month, &year, &mon) < 0)
		return err_set(&r->ei, ERR_INVALID, "month", "month: a month as YYYY-MM");
	english = err_lang_english(req_header(r, "Accept-Language"));
	rc = wfm_attend_month(r->store, r->now, r->app->cfg->busy_max_min, year, mon, 0, &lines,
			      &n);
	if (rc < 0)
		return rc;
	date_text(today(r->now), made_on, sizeof(made_on));
	rc = wfm_attend_xlsx(lines, n, year, mon, r->app->cfg->center_name, r->who.name, made_on,
			     english, &b);
	snprintf(ascii, sizeof(ascii), "attendance-%04d-%02d.xlsx", year, mon);
	snprintf(utf8, sizeof(utf8), "%s考勤表-%04d-%02d.xlsx", r->app->cfg->center_name, year,
		 mon);
	if (rc == 0)
		rc = export_reply(r, b, ascii, english ? NULL : utf8);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0) {
		char m[8];

		snprintf(m, sizeof(m), "%04d-%02d", year, mon);
		rc = req_audit(r, "wfm.attendance.export", "wfm_attendance",
			       (int64_t)year * 100 + mon, "ok",
			       json_pack("{s:s, s:i, s:s}", "month", m, "agents", (int)n,
					 "language", english ? "en" : "zh-CN"));
		rc = req_finish(r, rc);
	}
	export_book_free(b);
	free(lines);
	return rc;
}

/* ---- excuses ---- */

static const char *const excuse_fields[] = {"person_id", "day", "reason", NULL};

/* POST /api/wfm/attendance/excuses {person_id, day, reason} */
static int excuse_create(struct req *r)
{
	struct wfm_excuse e;
	struct wfm_att_person p;
	const char *day = NULL, *reason = NULL;
	json_t *pid = json_object_get(r->body, "person_id");
	int64_t d;
	size_t len;
	int rc = body_only(r, excuse_fields);

	memset(&e, 0, sizeof(e));
	if (rc == 0 && !pid)
		rc = err_set(&r->ei, ERR_INVALID, "person_id", "%s: required", "person_id");
	if (rc == 0 && (!json_is_integer(pid) || json_integer_value(pid) <= 0))
		rc = err_set(&r->ei, ERR_INVALID, "person_id", "%s: expected an id", "person_id");
	if (rc == 0)
		rc = body_str(r, "day", 1, &day);
	if (rc == 0 && date_parse(day, &d) < 0)
		rc = err_set(&r->ei, ERR_INVALID, "day", "%s: a date as YYYY-MM-DD", "day");
	if (rc == 0)
		rc = body_str(r, "reason", 1, &reason);
	if (rc < 0)
		return rc;
	e.person_id = (int64_t)json_integer_value(pid);
	rc = wfm_att_person_get(r->store, e.person_id, &p);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, "person_id", "no such person");
	if (rc < 0)
		return rc;
	/* The reason, trimmed: said in words, on one line. */
	while (*reason == ' ' || *reason == '\t')
		reason++;
	len = strlen(reason);
	while (len > 0 && (reason[len - 1] == ' ' || reason[len - 1] == '\t'))
		len--;
	if (len == 0)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "reason", "%s: required", "reason");
	else if (len >= sizeof(e.reason))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "reason", "reason: at most %d characters",
			     WFM_EXCUSE_REASON_MAX);
	else
		memcpy(e.reason, reason, len);
	if (e.reason[0] && utf8_len(e.reason) > WFM_EXCUSE_REASON_MAX)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "reason", "reason: at most %d characters",
			     WFM_EXCUSE_REASON_MAX);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)reason[i] < 0x20) {
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "reason",
				     "reason: no line breaks or control characters");
			break;
		}
	/* WFM-5: an excuse is for what happened: a day that has begun, with a mark on it. */
	if (d > today(r->now)) {
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "day", "day: not yet begun");
	} else {
		struct calc c;
		struct agent a = {0};
		struct wfm_attend_in in;
		struct wfm_attend_day f;
		int lc = calc_init(r->store, r->now, r->app->cfg->busy_max_min, &c, d, 1,
				   e.person_id);

		if (lc == 0)
			lc = agent_load(r->store, &c, e.person_id, &a);
		if (lc == 0) {
			agent_day(&a, d, 0, &in, &f);
			if (!f.is_late && !f.is_early && !f.is_absent)
				rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "day",
					     "day: no late arrival, early leaving or absence to excuse");
		}
		agent_free(&a);
		calc_free(&c);
		if (lc < 0)
			return lc;
	}
	if (rc < 0)
		return rc;
	date_text(d, e.day, sizeof(e.day));
	e.by_id = r->who.person_id;
	e.created_at = r->now;
	snprintf(e.by_name, sizeof(e.by_name), "%s", r->who.name);
	snprintf(e.by_work_no, sizeof(e.by_work_no), "%s", r->who.work_no);
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = wfm_excuse_add(r->store, &e);
	if (rc == ERR_CONFLICT)
		rc = err_set(&r->ei, ERR_CONFLICT, "day", "this day is excused already");
	if (rc == 0)
		rc = req_audit(r, "wfm.attendance.excuse", "wfm_attend_excuse", e.id, "ok",
			       json_pack("{s:I, s:s, s:s, s:s}", "person_id",
					 (json_int_t)e.person_id, "work_no", p.work_no, "day",
					 e.day, "reason", e.reason));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 201, excuse_json(&e));
}

/* DELETE /api/wfm/attendance/excuses/{id}: the day's marks count again. */
static int excuse_delete(struct req *r)
{
	struct wfm_excuse e;
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = wfm_excuse_get(r->store, id, &e);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such excuse");
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = wfm_excuse_delete(r->store, id);
	if (rc == ERR_NOTFOUND)
		rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "no such excuse");
	if (rc == 0)
		rc = req_audit(r, "wfm.attendance.unexcuse", "wfm_attend_excuse", id, "ok",
			       json_pack("{s:o}", "before", excuse_json(&e)));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "deleted", 1));
}

const struct route wfm_attend_routes[] = {
	{"GET", "/api/wfm/attendance", attendance_day, ACT_WFM_ATTEND_READ},
	{"GET", "/api/wfm/attendance/month", attendance_month, ACT_WFM_ATTEND_READ},
	{"GET", "/api/wfm/attendance/month/export", attendance_export, ACT_WFM_EXPORT},
	{"POST", "/api/wfm/attendance/excuses", excuse_create, ACT_WFM_ATTEND_EXCUSE},
	{"DELETE", "/api/wfm/attendance/excuses/{id}", excuse_delete, ACT_WFM_ATTEND_EXCUSE},
	{NULL, NULL, NULL, 0},
};
