/*
 * The duty roster over HTTP (WFM-2, WFM-3, ORG-4): the month grid with its
 * requirement, coverage and broken rules (GET /api/wfm/roster/{month}),
 * edits of cells, the proposal, publication and the filed versions; and
 * the approvals of working outside one's shift (/api/wfm/outside-work).
 *
 * Every handler loads the month whole (people, shift types, cells, leave,
 * the forecast), lets the rules of wfm_roster.c judge it and answers with
 * what they found, so the page shows each broken rule as it happens. Each
 * change is one transaction with its audit entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/utf8.h"
#include "http/http.h"
#include "ivr/ivr.h"
#include "notify/notify.h"
#include "store/store.h"
#include "wfm/wfm.h"

#define CELLS_MAX 2000 /* cells in one edit: a month of 60 people */
#define STAFF_MAX 1000 /* people told of a publication */
#define OUTSIDE_SPAN_MAX (24 * 3600000LL)

/* ---- the month, loaded whole ---- */

struct month {
	char month[8];
	int year, mon, ndays;
	int64_t month0;
	struct wfm_roster roster;
	struct wfm_shift_type *types;
	size_t ntypes, captypes;
	struct wfm_roster_person *people;
	size_t npeople, cappeople;
	struct wfm_roster_entry *cells;
	size_t ncells, capcells;
	struct wfm_leave_span *leave;
	size_t nleave, capleave;
	struct wfm_forecast fc;
	int have_fc;
};

/* Appends one item to a growing array. */
static int grow(void **arr, size_t *n, size_t *cap, size_t size, const void *item)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		void *p = realloc(*arr, c * size);

		if (!p)
			return ERR_NOMEM;
		*arr = p;
		*cap = c;
	}
	memcpy((char *)*arr + *n * size, item, size);
	(*n)++;
	return 0;
}

static int type_add(void *ctx, const struct wfm_shift_type *t)
{
	struct month *m = ctx;

	return grow((void **)&m->types, &m->ntypes, &m->captypes, sizeof(*t), t);
}

static int person_add(void *ctx, const struct wfm_roster_person *p)
{
	struct month *m = ctx;

	return grow((void **)&m->people, &m->npeople, &m->cappeople, sizeof(*p), p);
}

static int cell_add(void *ctx, const struct wfm_roster_entry *c)
{
	struct month *m = ctx;

	return grow((void **)&m->cells, &m->ncells, &m->capcells, sizeof(*c), c);
}

static int leave_add(void *ctx, const struct wfm_leave_span *l)
{
	struct month *m = ctx;

	return grow((void **)&m->leave, &m->nleave, &m->capleave, sizeof(*l), l);
}

static void month_free(struct month *m)
{
	free(m->types);
	free(m->people);
	free(m->cells);
	free(m->leave);
	if (m->have_fc)
		wfm_forecast_free(&m->fc);
	memset(m, 0, sizeof(*m));
}

/* The month of the route ({month}); 404 for anything but YYYY-MM. */
static int month_param(struct req *r, struct month *m)
{
	memset(m, 0, sizeof(*m));
	if (wfm_month_parse(r->params[0], &m->year, &m->mon) < 0)
		return err_set(&r->ei, ERR_NOTFOUND, "month", "no such month (YYYY-MM)");
	snprintf(m->month, sizeof(m->month), "%04d-%02d", m->year, m->mon);
	m->ndays = wfm_month_days(m->year, m->mon);
	m->month0 = clock_days_from_civil(m->year, m->mon, 1);
	return 0;
}

/* Reads the grid (the roster, people, types, cells, leave); the forecast when with_fc. */
static int month_load(struct req *r, struct month *m, int with_fc)
{
	char from[11], to[11];
	int rc = wfm_roster_get(r->store, m->month, &m->roster);

	m->ntypes = m->npeople = m->ncells = m->nleave = 0;
	if (rc == 0)
		rc = wfm_shift_type_list(r->store, type_add, m);
	if (rc >= 0)
		rc = wfm_roster_people(r->store, person_add, m);
	/* The week before the month too: the rules look back across its edge. */
	wfm_date_text(m->month0 - WFM_TAIL_DAYS, from, sizeof(from));
	wfm_date_text(m->month0 + m->ndays - 1, to, sizeof(to));
	if (rc >= 0)
		rc = wfm_roster_entries_between(r->store, from, to, cell_add, m);
	wfm_date_text(m->month0, from, sizeof(from));
	if (rc >= 0)
		rc = wfm_leave_approved(r->store, from, to, leave_add, m);
	if (rc >= 0 && with_fc && !m->have_fc) {
		rc = wfm_forecast_build(r->store, NULL, m->year, m->mon, 0, r->now, &m->fc, &r->ei);
		m->have_fc = rc == 0;
	}
	return rc < 0 ? rc : 0;
}

/* The cells of the month itself (the loaded ones include the week before). */
static int month_cells(const struct month *m)
{
	int n = 0;

	for (size_t i = 0; i < m->ncells; i++)
		n += strncmp(m->cells[i].day, m->month, 7) == 0;
	return n;
}

static const struct wfm_shift_type *type_by_id(const struct month *m, int64_t id)
{
	for (size_t i = 0; i < m->ntypes; i++)
		if (m->types[i].id == id)
			return &m->types[i];
	return NULL;
}

static const struct wfm_roster_person *person_by_id(const struct month *m, int64_t id)
{
	for (size_t i = 0; i < m->npeople; i++)
		if (m->people[i].id == id)
			return &m->people[i];
	return NULL;
}

/* The day index in the month of "YYYY-MM-DD", or -1. */
static int day_index(const struct month *m, const char *day)
{
	int y, mo, d;
	char tail;

	if (!day || strlen(day) != 10 || sscanf(day, "%4d-%2d-%2d%c", &y, &mo, &d, &tail) != 3 ||
	    y != m->year || mo != m->mon || d < 1 || d > m->ndays)
		return -1;
	return d - 1;
}

/* The leave kind of a person on day index d, or NULL. */
static const char *leave_on(const struct month *m, int64_t person_id, int d)
{
	char day[11];

	wfm_date_text(m->month0 + d, day, sizeof(day));
	for (size_t i = 0; i < m->nleave; i++)
		if (m->leave[i].person_id == person_id && strcmp(m->leave[i].first_day, day) <= 0 &&
		    strcmp(m->leave[i].last_day, day) >= 0)
			return m->leave[i].kind;
	return NULL;
}

static const char *const role_names[] = {"admin", "manager", "supervisor", "agent",
					 "staff", "hr",	     "office", "qa"};

static json_t *roles_json(unsigned roles)
{
	json_t *a = json_array();

	for (int i = 0; i < AUTH_ROLE_COUNT; i++)
		if (roles & (1u << i))
			json_array_append_new(a, json_string(role_names[i]));
	return a;
}

/* ---- the rules' verdict (wfm_roster.c) ---- */

/*
 * The month as the rules see it (struct wfm_roster_plan): the calendar from
 * the forecast, the shift types by index, each person an agent with their
 * seats, certification and office hours, the grid with the week before it
 * and approved leave, and the requirement: agents to schedule (with
 * shrinkage) per half hour in all, and per seat from the forecast of the
 * queue that takes the seat's calls.
 */
struct verdict {
	int hard, soft;
	struct wfm_roster_plan plan;
	struct wfm_violation *viol;
	size_t nviol;
	int *need; /* WFM_COV(day, interval, slot) */
	int *on;
	char seat_queue[WFM_SKILL_COUNT][64];
};

static void verdict_free(struct verdict *v)
{
	free(v->plan.agents);
	free(v->viol);
	free(v->need);
	free(v->on);
	memset(v, 0, sizeof(*v));
}

static int type_index(const struct month *m, int64_t id)
{
	for (size_t i = 0; i < m->ntypes; i++)
		if (m->types[i].id == id)
			return (int)i;
	return WFM_REST;
}

/* The requirement of slot (0: all queues; 1 + k: seat k's queue) from its forecast. */
static int need_fill(struct req *r, struct month *m, struct verdict *v, int slot)
{
	struct wfm_forecast f, *fc = &m->fc;
	int rc = 0;

	if (slot > 0) {
		rc = wfm_skill_queue(r->store, wfm_skill_codes[slot - 1], v->seat_queue[slot - 1],
				     sizeof(v->seat_queue[slot - 1]));
		if (rc < 0 || !v->seat_queue[slot - 1][0])
			return rc;
		rc = wfm_forecast_build(r->store, v->seat_queue[slot - 1], m->year, m->mon, 0,
					r->now, &f, &r->ei);
		if (rc < 0)
			return rc;
		fc = &f;
	}
	for (int d = 0; d < m->ndays; d++)
		for (int i = 0; i < WFM_INTERVALS; i++)
			v->need[WFM_COV(d, i, slot)] = fc->days[d].scheduled[i];
	if (slot > 0)
		wfm_forecast_free(&f);
	return 0;
}

/*
 * WFM-1: a 24-hour center answers whenever the hotline is open, so the
 * need of all queues is at least one agent in every half hour the hotline
 * takes calls (ivr's hours: 7×24 unless the center set others), even where
 * the forecast expects no call (a new center, a quiet night).
 */
static int need_floor(struct req *r, const struct month *m, struct verdict *v)
{
	struct ivr_hours *h = malloc(sizeof(*h));
	int rc;

	if (!h)
		return ERR_NOMEM;
	rc = ivr_hours_load(r->store, h);
	for (int d = 0; d < m->ndays && rc >= 0; d++) {
		int ymd = m->year * 10000 + m->mon * 100 + d + 1;

		for (int i = 0; i < WFM_INTERVALS; i++) {
			int *n = &v->need[WFM_COV(d, i, 0)];

			if (*n < 1 && (ivr_open_at(h, ymd, i * WFM_INTERVAL_MIN) ||
				       ivr_open_at(h, ymd, i * WFM_INTERVAL_MIN + WFM_INTERVAL_MIN - 1)))
				*n = 1;
		}
	}
	free(h);
	return rc < 0 ? rc : 0;
}

static void cell_set(const struct month *m, const struct wfm_roster_entry *e,
		     struct wfm_roster_cell *c)
{
	c->shift = (short)type_index(m, e->shift_type_id);
	c->skill = (signed char)wfm_skill_index(e->skill[0] ? e->skill : NULL);
	c->flags = e->pinned ? WFM_CELL_PINNED : 0;
}

/* The plan of the loaded month (v->plan, v->need). */
static int plan_build(struct req *r, struct month *m, struct verdict *v)
{
	struct wfm_roster_plan *p = &v->plan;
	size_t ncov = (size_t)m->ndays * WFM_INTERVALS * WFM_COV_SLOTS;
	int rc;

	memset(v, 0, sizeof(*v));
	if (!m->have_fc) {
		rc = wfm_forecast_build(r->store, NULL, m->year, m->mon, 0, r->now, &m->fc, &r->ei);
		if (rc < 0)
			return rc;
		m->have_fc = 1;
	}
	rc = wfm_roster_plan_init(p, m->year, m->mon);
	if (rc < 0)
		return rc;
	p->settings = m->fc.settings;
	p->types = m->types;
	p->ntypes = m->ntypes;
	for (int d = 0; d < m->ndays; d++) {
		p->holiday[d] = m->fc.days[d].kind == WFM_HOLIDAY;
		p->makeup[d] = m->fc.days[d].makeup > 0;
	}
	p->agents = calloc(m->npeople ? m->npeople : 1, sizeof(*p->agents));
	v->need = calloc(ncov, sizeof(*v->need));
	v->on = calloc(ncov, sizeof(*v->on));
	if (!p->agents || !v->need || !v->on)
		return ERR_NOMEM;
	p->nagents = m->npeople;
	for (size_t i = 0; i < m->npeople; i++) {
		const struct wfm_roster_person *pe = &m->people[i];
		struct wfm_roster_agent *a = &p->agents[i];

		a->person_id = pe->id;
		a->certified = pe->certified;
		a->office = (pe->roles & (ROLE_MANAGER | ROLE_SUPERVISOR)) != 0;
		for (int k = 0; k < pe->nskills; k++)
			if (wfm_skill_index(pe->skills[k]) >= 0)
				a->skills |= 1u << wfm_skill_index(pe->skills[k]);
		for (int d = -WFM_TAIL_DAYS; d < m->ndays; d++) {
			struct wfm_roster_cell *c =
				d < 0 ? &a->tail[WFM_TAIL_DAYS + d] : &a->day[d];

			c->shift = WFM_REST;
			c->skill = -1;
			if (d >= 0 && leave_on(m, pe->id, d))
				c->flags = WFM_CELL_LEAVE;
		}
	}
	for (size_t j = 0; j < m->ncells; j++) {
		const struct wfm_roster_entry *e = &m->cells[j];
		int y, mo, dd, i = -1;
		int64_t d;

		for (size_t k = 0; k < m->npeople && i < 0; k++)
			if (m->people[k].id == e->person_id)
				i = (int)k;
		if (i < 0 || sscanf(e->day, "%4d-%2d-%2d", &y, &mo, &dd) != 3)
			continue;
		d = clock_days_from_civil(y, mo, dd) - m->month0;
		if (d >= -WFM_TAIL_DAYS && d < 0)
			cell_set(m, e, &p->agents[i].tail[WFM_TAIL_DAYS + d]);
		else if (d >= 0 && d < m->ndays) {
			unsigned char leave = p->agents[i].day[d].flags & WFM_CELL_LEAVE;

			cell_set(m, e, &p->agents[i].day[d]);
			p->agents[i].day[d].flags |= leave;
		}
	}
	for (int slot = 0; slot < WFM_COV_SLOTS; slot++) {
		rc = need_fill(r, m, v, slot);
		if (rc < 0)
			return rc;
	}
	rc = need_floor(r, m, v);
	if (rc < 0)
		return rc;
	p->need = v->need;
	return 0;
}

/* The rules' judgement of the loaded month: violations and coverage. */
static int verdict_make(struct req *r, struct month *m, struct verdict *v)
{
	int rc = plan_build(r, m, v), n = 0;

	if (rc == 0)
		rc = n = wfm_roster_check(&v->plan, NULL, 0);
	if (rc >= 0) {
		v->viol = calloc(n ? (size_t)n : 1, sizeof(*v->viol));
		rc = v->viol ? wfm_roster_check(&v->plan, v->viol, (size_t)n) : ERR_NOMEM;
	}
	if (rc >= 0) {
		v->nviol = (size_t)n;
		rc = wfm_roster_coverage(&v->plan, v->on, NULL);
	}
	if (rc < 0) {
		verdict_free(v);
		return rc;
	}
	for (size_t i = 0; i < v->nviol; i++) {
		if (v->viol[i].hard)
			v->hard++;
		else
			v->soft++;
	}
	return 0;
}

static void hhmm(int interval, char *out, size_t size)
{
	snprintf(out, size, "%02d:%02d", interval / 2 % 24, interval % 2 * 30);
}

/*
 * The words of a violation, into ei (err_add with field "violations[i]"),
 * English and zh-CN from the catalogue. rc as err_add's.
 */
static int violation_words(const struct month *m, const struct verdict *v, size_t i, int rc,
			   struct err_info *ei)
{
	const struct wfm_violation *x = &v->viol[i];
	const struct wfm_roster_person *p = x->agent >= 0 ? &m->people[x->agent] : NULL;
	const char *who = p ? p->name : "";
	const char *tname = "";
	char field[32], day[11] = "", t[8];

	snprintf(field, sizeof(field), "violations[%zu]", i);
	if (x->day >= 0)
		wfm_date_text(m->month0 + x->day, day, sizeof(day));
	else if (x->day < -1)
		wfm_date_text(m->month0 + x->day, day, sizeof(day));
	switch (x->rule) {
	case WFM_R_DAY_MAX:
		return err_add(ei, rc, ERR_UNPROCESSABLE, field,
			       "%s, %s: %d paid minutes in the day, more than %d", who, day,
			       x->n[0], x->n[1]);
	case WFM_R_LEAVE:
		return err_add(ei, rc, ERR_UNPROCESSABLE, field,
			       "%s, %s: a shift on a day of approved leave", who, day);
	case WFM_R_CERTIFIED:
		return err_add(ei, rc, ERR_UNPROCESSABLE, field,
			       "%s, %s: not certified for duty yet, so no phone shift", who, day);
	case WFM_R_SKILL:
		return err_add(ei, rc, ERR_UNPROCESSABLE, field,
			       "%s, %s: a seat the agent does not hold", who, day);
	case WFM_R_INACTIVE:
		return err_add(ei, rc, ERR_UNPROCESSABLE, field,
			       "%s, %s: a shift type no longer in use", who, day);
	case WFM_R_REST_WEEK:
		return err_add(ei, rc, ERR_UNPROCESSABLE, field,
			       "%s, the week of %s: %d days off, at least %d needed", who, day,
			       x->n[0], x->n[1]);
	case WFM_R_WEEK_AVG:
		return err_add(ei, rc, ERR_UNPROCESSABLE, field,
			       "%s: %d paid minutes a week on average, more than %d", who, x->n[0],
			       x->n[1]);
	case WFM_R_REST_BETWEEN:
		return err_add(ei, rc, ERR_UNPROCESSABLE, field,
			       "%s, %s: %d minutes off between two shifts, at least %d needed", who,
			       day, x->n[0], x->n[1]);
	case WFM_R_OVERLAP:
		return err_add(ei, rc, ERR_UNPROCESSABLE, field,
			       "%s, %s: two shifts overlap by %d minutes", who, day, x->n[0]);
	case WFM_R_CONTINUOUS:
		if (x->n[2] >= 0 && x->n[2] < (int)m->ntypes)
			tname = m->types[x->n[2]].name;
		return err_add(ei, rc, ERR_UNPROCESSABLE, field,
			       "%s, from %s: %s held %d days, at least %d", who, day, tname,
			       x->n[0], x->n[1]);
	case WFM_R_FAIR_NIGHT:
		return err_add(ei, rc, ERR_UNPROCESSABLE, field,
			       "%s: %d night shifts, more than the fair share of %d", who, x->n[0],
			       x->n[1]);
	case WFM_R_FAIR_WEEKEND:
		return err_add(ei, rc, ERR_UNPROCESSABLE, field,
			       "%s: %d weekend shifts, more than the fair share of %d", who,
			       x->n[0], x->n[1]);
	case WFM_R_FAIR_HOLIDAY:
		return err_add(ei, rc, ERR_UNPROCESSABLE, field,
			       "%s: %d holiday shifts, more than the fair share of %d", who,
			       x->n[0], x->n[1]);
	case WFM_R_COVERAGE:
		hhmm(x->n[1], t, sizeof(t));
		if (x->n[0] == 0)
			return err_add(
				ei, rc, ERR_UNPROCESSABLE, field,
				"%s: too few agents in %d half hours from %s, up to %d short", day,
				x->n[2], t, x->n[3]);
		return err_add(ei, rc, ERR_UNPROCESSABLE, field,
			       "%s, seat %s: too few agents in %d half hours from %s, up to %d"
			       " short",
			       day, wfm_skill_codes[(x->n[0] - 1) % WFM_SKILL_COUNT], x->n[2], t,
			       x->n[3]);
	default:
		return err_add(ei, rc, ERR_UNPROCESSABLE, field, "%s", wfm_rule_name(x->rule));
	}
}

/* The violations (hard 1 or 0, -1 every one) as JSON, each with its message. */
static json_t *verdict_violations_json(struct req *r, const struct month *m,
				       const struct verdict *v, int hard)
{
	int en = err_lang_english(req_header(r, "Accept-Language"));
	json_t *out = json_array();

	for (size_t i = 0; i < v->nviol; i++) {
		const struct wfm_violation *x = &v->viol[i];
		const struct wfm_roster_person *p = x->agent >= 0 ? &m->people[x->agent] : NULL;
		struct err_info ei;
		json_t *n = json_array();
		char day[11];

		if (hard >= 0 && x->hard != hard)
			continue;
		memset(&ei, 0, sizeof(ei));
		violation_words(m, v, i, 0, &ei);
		for (int k = 0; k < 4; k++)
			json_array_append_new(n, json_integer(x->n[k]));
		if (x->day >= 0)
			wfm_date_text(m->month0 + x->day, day, sizeof(day));
		json_array_append_new(
			out,
			json_pack(
				"{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s}", "rule",
				wfm_rule_name(x->rule), "severity", x->hard ? "hard" : "soft",
				"person_id", p ? json_integer(p->id) : json_null(), "name",
				p ? json_string(p->name) : json_null(), "date",
				x->day >= 0 ? json_string(day) : json_null(), "seat",
				x->rule == WFM_R_COVERAGE && x->n[0] > 0
					? json_string(
						  wfm_skill_codes[(x->n[0] - 1) % WFM_SKILL_COUNT])
					: json_null(),
				"n", n, "message", en ? ei.message : ei.message_zh));
	}
	return out;
}

/* Each day's requirement and coverage per half hour: in all, and per seat. */
static json_t *verdict_days_json(const struct month *m, const struct verdict *v)
{
	json_t *days = json_array();

	for (int d = 0; d < m->ndays; d++) {
		json_t *need = json_array(), *cov = json_array(), *seats = json_object();
		int y, mo, dd;
		char day[11];

		for (int i = 0; i < WFM_INTERVALS; i++) {
			json_array_append_new(need, json_integer(v->need[WFM_COV(d, i, 0)]));
			json_array_append_new(cov, json_integer(v->on[WFM_COV(d, i, 0)]));
		}
		for (int k = 0; k < WFM_SKILL_COUNT; k++) {
			json_t *sn = json_array(), *sc = json_array();

			for (int i = 0; i < WFM_INTERVALS; i++) {
				json_array_append_new(sn,
						      json_integer(v->need[WFM_COV(d, i, k + 1)]));
				json_array_append_new(sc,
						      json_integer(v->on[WFM_COV(d, i, k + 1)]));
			}
			json_object_set_new(seats, wfm_skill_codes[k],
					    json_pack("{s:o, s:o}", "need", sn, "coverage", sc));
		}
		clock_civil_from_days(m->month0 + d, &y, &mo, &dd);
		wfm_date_text(m->month0 + d, day, sizeof(day));
		json_array_append_new(days,
				      json_pack("{s:s, s:i, s:b, s:b, s:o, s:o, s:o}", "date", day,
						"weekday", wfm_weekday(y, mo, dd), "holiday",
						v->plan.holiday[d], "makeup", v->plan.makeup[d],
						"need", need, "coverage", cov, "seats", seats));
	}
	return days;
}

/*
 * The 422 of a publication: each broken rule of that severity (hard 1: they
 * stop it; 0: the soft ones, which need a reason), err_add one by one, the
 * last line counting those the answer has no room for.
 */
static int verdict_errors(struct req *r, const struct month *m, const struct verdict *v, int hard)
{
	/* The first line says what is wrong, each one after it names a broken rule. */
	int rc = err_set(&r->ei, ERR_UNPROCESSABLE, "violations",
			 hard ? "the roster breaks hard rules; fix them before publishing"
			      : "the roster breaks soft rules; publishing it needs a reason");
	int listed = 0, total = hard ? v->hard : v->soft;

	for (size_t i = 0; i < v->nviol; i++) {
		if (v->viol[i].hard != hard)
			continue;
		if (listed == ERR_MORE_MAX - 1 && total > ERR_MORE_MAX) {
			err_add(&r->ei, rc, ERR_UNPROCESSABLE, "violations[more]",
				"%d more broken rules; the roster lists them all", total - listed);
			break;
		}
		violation_words(m, v, i, rc, &r->ei);
		listed++;
	}
	return rc;
}

static int same_violation(const struct wfm_violation *a, const struct wfm_violation *b)
{
	return a->rule == b->rule && a->person_id == b->person_id && a->day == b->day;
}

/* 422 listing each hard violation of after that before did not have; 0 when none. */
static int verdict_new_hard(struct req *r, const struct month *m, const struct verdict *before,
			    const struct verdict *after)
{
	int rc = 0, listed = 0;

	for (size_t i = 0; i < after->nviol; i++) {
		int old = 0;

		if (!after->viol[i].hard)
			continue;
		for (size_t j = 0; j < before->nviol && !old; j++)
			old = same_violation(&after->viol[i], &before->viol[j]);
		if (old)
			continue;
		if (rc == 0)
			rc = err_set(
				&r->ei, ERR_UNPROCESSABLE, "violations",
				"the change breaks hard rules; a published roster must keep them");
		if (listed++ < ERR_MORE_MAX)
			violation_words(m, after, i, rc, &r->ei);
	}
	return rc;
}

/* The rules' proposal for the month: every cell but the pinned ones, as entries. */
static int propose_run(struct req *r, struct month *m, struct wfm_roster_entry **out, size_t *n)
{
	struct verdict v;
	int rc = plan_build(r, m, &v);

	*out = NULL;
	*n = 0;
	if (rc == 0)
		rc = wfm_roster_propose(&v.plan);
	if (rc == 0) {
		*out = calloc(m->npeople * (size_t)m->ndays + 1, sizeof(**out));
		if (!*out)
			rc = ERR_NOMEM;
	}
	for (size_t i = 0; rc == 0 && i < v.plan.nagents; i++)
		for (int d = 0; d < m->ndays; d++) {
			const struct wfm_roster_cell *c = &v.plan.agents[i].day[d];
			struct wfm_roster_entry *e = &(*out)[*n];

			if (c->shift == WFM_REST || c->shift >= (int)m->ntypes)
				continue;
			wfm_date_text(m->month0 + d, e->day, sizeof(e->day));
			e->person_id = v.plan.agents[i].person_id;
			e->shift_type_id = m->types[c->shift].id;
			if (c->skill >= 0 && c->skill < WFM_SKILL_COUNT)
				snprintf(e->skill, sizeof(e->skill), "%s",
					 wfm_skill_codes[c->skill]);
			e->pinned = (c->flags & WFM_CELL_PINNED) != 0;
			(*n)++;
		}
	verdict_free(&v);
	return rc;
}

/* ---- the grid ---- */

static json_t *type_json(const struct wfm_shift_type *t)
{
	json_t *segs = json_array();

	for (int i = 0; i < t->nseg; i++)
		json_array_append_new(segs, json_pack("{s:i, s:i}", "start", t->seg[i].start, "end",
						      t->seg[i].end));
	return json_pack("{s:I, s:s, s:s, s:s, s:b, s:b, s:i, s:o}", "id", (json_int_t)t->id,
			 "code", t->code, "name", t->name, "colour", t->colour, "office", t->office,
			 "active", t->active, "paid_min", t->paid_min, "segments", segs);
}

static json_t *cell_json(const struct month *m, const struct wfm_roster_entry *c)
{
	const struct wfm_shift_type *t = type_by_id(m, c->shift_type_id);

	return json_pack("{s:s, s:I, s:I, s:s, s:o, s:b}", "date", c->day, "person_id",
			 (json_int_t)c->person_id, "shift_type_id", (json_int_t)c->shift_type_id,
			 "shift_code", t ? t->code : "", "skill",
			 c->skill[0] ? json_string(c->skill) : json_null(), "pinned", c->pinned);
}

static json_t *roster_json(const struct wfm_roster *ro)
{
	return json_pack("{s:s, s:s, s:i, s:I, s:o, s:o}", "month", ro->month, "state",
			 ro->published ? "published" : "draft", "version", ro->version,
			 "updated_at", (json_int_t)ro->updated_at, "published_at",
			 ro->published_at ? json_integer(ro->published_at) : json_null(),
			 "published_by",
			 ro->published_by ? json_integer(ro->published_by) : json_null());
}

/* The grid's agents, each with a row of days: shift, skill, leave. */
static json_t *agents_json(const struct month *m)
{
	json_t *agents = json_array();

	for (size_t i = 0; i < m->npeople; i++) {
		const struct wfm_roster_person *p = &m->people[i];
		json_t *skills = json_array(), *days = json_array();

		for (int k = 0; k < p->nskills; k++)
			json_array_append_new(skills, json_string(p->skills[k]));
		for (int d = 0; d < m->ndays; d++) {
			const struct wfm_roster_entry *c = NULL;
			const char *lv = leave_on(m, p->id, d);
			char day[11];

			wfm_date_text(m->month0 + d, day, sizeof(day));
			for (size_t j = 0; j < m->ncells && !c; j++)
				if (m->cells[j].person_id == p->id && !strcmp(m->cells[j].day, day))
					c = &m->cells[j];
			json_array_append_new(
				days,
				json_pack(
					"{s:s, s:o, s:o, s:o, s:b, s:o}", "date", day,
					"shift_type_id",
					c ? json_integer(c->shift_type_id) : json_null(), "skill",
					c && c->skill[0] ? json_string(c->skill) : json_null(),
					"shift_code",
					c && type_by_id(m, c->shift_type_id)
						? json_string(type_by_id(m, c->shift_type_id)->code)
						: json_null(),
					"pinned", c ? c->pinned : 0, "leave",
					lv ? json_string(lv) : json_null()));
		}
		json_array_append_new(agents,
				      json_pack("{s:I, s:s, s:s, s:o, s:b, s:b, s:o, s:o}", "id",
						(json_int_t)p->id, "work_no", p->work_no, "name",
						p->name, "roles", roles_json(p->roles), "office",
						(p->roles & (ROLE_MANAGER | ROLE_SUPERVISOR)) != 0,
						"certified", p->certified, "skills", skills, "days",
						days));
	}
	return agents;
}

/* The whole month as the page shows it. */
static int grid_reply(struct req *r, struct month *m, unsigned status, json_t *extra)
{
	struct verdict v;
	json_t *types = json_array(), *days, *o;
	int rc = verdict_make(r, m, &v);

	if (rc < 0) {
		json_decref(types);
		json_decref(extra);
		return rc;
	}
	for (size_t i = 0; i < m->ntypes; i++)
		json_array_append_new(types, type_json(&m->types[i]));
	days = verdict_days_json(m, &v);
	o = roster_json(&m->roster);
	json_object_set_new(o, "sl_target_pct", json_integer(m->fc.settings.sl_target_pct));
	json_object_set_new(o, "sl_target_sec", json_integer(m->fc.settings.sl_target_sec));
	json_object_set_new(o, "shrinkage_pct", json_integer(m->fc.settings.shrinkage_pct));
	json_object_set_new(o, "shift_types", types);
	json_object_set_new(o, "agents", agents_json(m));
	json_object_set_new(o, "days", days);
	json_object_set_new(o, "violations", verdict_violations_json(r, m, &v, -1));
	json_object_set_new(o, "hard", json_integer(v.hard));
	json_object_set_new(o, "soft", json_integer(v.soft));
	if (extra) {
		json_object_update(o, extra);
		json_decref(extra);
	}
	verdict_free(&v);
	return reply_json(r, status, o);
}

/* GET /api/wfm/roster/{month} */
static int roster_get(struct req *r)
{
	struct month m;
	int rc = month_param(r, &m);

	if (rc == 0)
		rc = month_load(r, &m, 1);
	if (rc == 0)
		rc = grid_reply(r, &m, 200, NULL);
	month_free(&m);
	return rc;
}

/* ---- edits ---- */

/* A reason from the body: trimmed text, at most WFM_REASON_MAX characters. */
static int body_reason(struct req *r, const char *key, int required, char *out, size_t size)
{
	const char *s = NULL;
	int rc = body_str(r, key, 0, &s);

	out[0] = 0;
	if (rc < 0)
		return rc;
	while (s && (*s == ' ' || *s == '\t' || *s == '\n'))
		s++;
	if (s && *s) {
		size_t n = strlen(s);

		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
			n--;
		if (utf8_len(s) > WFM_REASON_MAX || n >= size)
			return err_set(&r->ei, ERR_UNPROCESSABLE, key, "%s: at most %d characters",
				       key, WFM_REASON_MAX);
		memcpy(out, s, n);
		out[n] = 0;
	}
	if (required && !out[0])
		return err_set(&r->ei, ERR_UNPROCESSABLE, key, "%s: required", key);
	return 0;
}

/* The stale-edit check: the client names the grid it saw by its updated_at. */
static int body_base(struct req *r, const struct month *m)
{
	json_t *v = r->body ? json_object_get(r->body, "updated_at") : NULL;

	if (!v)
		return err_set(&r->ei, ERR_INVALID, "updated_at", "%s: required", "updated_at");
	if (!json_is_integer(v))
		return err_set(&r->ei, ERR_INVALID, "updated_at", "%s: expected a whole number",
			       "updated_at");
	if (json_integer_value(v) != m->roster.updated_at)
		return err_set(&r->ei, ERR_CONFLICT, "updated_at",
			       "the roster was changed meanwhile; reload it and edit again");
	return 0;
}

/* The grid's next updated_at: later than the last one even within one millisecond. */
static int64_t next_stamp(const struct month *m, int64_t now)
{
	return now > m->roster.updated_at ? now : m->roster.updated_at + 1;
}

static struct wfm_roster_entry *cell_find(struct month *m, int64_t person_id, const char *day)
{
	for (size_t j = 0; j < m->ncells; j++)
		if (m->cells[j].person_id == person_id && !strcmp(m->cells[j].day, day))
			return &m->cells[j];
	return NULL;
}

static json_t *change_json(const struct month *m, const struct wfm_roster_entry *c, int present)
{
	const struct wfm_shift_type *t = present ? type_by_id(m, c->shift_type_id) : NULL;

	return json_pack("{s:o, s:o}", "shift", t ? json_string(t->code) : json_null(), "skill",
			 present && c->skill[0] ? json_string(c->skill) : json_null());
}

/* One cell of an edit, checked against the month: the person, the day, the type, the skill. */
static int edit_read(struct req *r, const struct month *m, size_t i, json_t *it,
		     struct wfm_roster_entry *c)
{
	json_t *pid = json_object_get(it, "person_id"), *day = json_object_get(it, "date"),
	       *type = json_object_get(it, "shift_type_id"), *skill = json_object_get(it, "skill");
	const struct wfm_roster_person *p;
	const struct wfm_shift_type *t;
	const char *k;
	json_t *v;
	int ok = 1;

	if (!json_is_object(it))
		return err_set(&r->ei, ERR_INVALID, "cells", "cells[%zu]: expected an object", i);
	json_object_foreach(it, k, v)
	{
		if (strcmp(k, "person_id") && strcmp(k, "date") && strcmp(k, "shift_type_id") &&
		    strcmp(k, "skill"))
			ok = 0;
	}
	if (!ok || !json_is_integer(pid) || !json_is_string(day) || !type ||
	    !(json_is_integer(type) || json_is_null(type)) ||
	    (skill && !json_is_null(skill) && !json_is_string(skill)))
		return err_set(&r->ei, ERR_INVALID, "cells",
			       "cells[%zu]: expected {\"person_id\", \"date\", \"shift_type_id\","
			       " \"skill\"}",
			       i);
	memset(c, 0, sizeof(*c));
	p = person_by_id(m, json_integer_value(pid));
	if (!p)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "cells",
			       "cells[%zu].person_id: not a person this roster plans", i);
	c->person_id = p->id;
	if (day_index(m, json_string_value(day)) < 0)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "cells", "cells[%zu].date: a day of %s",
			       i, m->month);
	snprintf(c->day, sizeof(c->day), "%s", json_string_value(day));
	if (json_is_integer(type)) {
		t = type_by_id(m, json_integer_value(type));
		if (!t || !t->active)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "cells",
				       "cells[%zu].shift_type_id: no such shift type in use", i);
		c->shift_type_id = t->id;
	}
	if (skill && json_is_string(skill) && json_string_value(skill)[0]) {
		int held = 0;

		for (int k2 = 0; k2 < p->nskills; k2++)
			held |= !strcmp(p->skills[k2], json_string_value(skill));
		if (!held)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "cells",
				       "cells[%zu].skill: a skill the person holds", i);
		if (!c->shift_type_id)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "cells",
				       "cells[%zu].skill: a rest day has no seat", i);
		snprintf(c->skill, sizeof(c->skill), "%s", json_string_value(skill));
	}
	c->pinned = c->shift_type_id != 0;
	return 0;
}

/* Applies cell c to the loaded month (so the verdict sees the edit). */
static int month_apply(struct month *m, const struct wfm_roster_entry *c)
{
	struct wfm_roster_entry *cur = cell_find(m, c->person_id, c->day);

	if (cur && c->shift_type_id)
		*cur = *c;
	else if (cur)
		*cur = m->cells[--m->ncells];
	else if (c->shift_type_id)
		return cell_add(m, c);
	return 0;
}

/*
 * PUT /api/wfm/roster/{month}/cells {updated_at, cells: [{person_id, date,
 * shift_type_id (null: rest), skill}], reason}. A draft: supervisors and the
 * manager. A published roster (WFM-3): only the manager, with a reason; each
 * change audited and the result filed as a new version.
 */
static int roster_cells(struct req *r)
{
	static const char *const fields[] = {"updated_at", "cells", "reason", NULL};
	struct month m;
	struct wfm_roster_entry *edits = NULL;
	struct verdict before = {0};
	char reason[WFM_REASON_SIZE];
	json_t *list, *it, *changes = NULL;
	size_t n = 0, i;
	int64_t stamp, vid = 0;
	int rc = month_param(r, &m);

	if (rc == 0)
		rc = body_only(r, fields);
	if (rc == 0)
		rc = month_load(r, &m, 0);
	if (rc == 0 && m.roster.published)
		rc = req_authorize(r, ACT_WFM_ROSTER_AMEND, NULL);
	if (rc == 0)
		rc = body_base(r, &m);
	if (rc == 0)
		rc = body_reason(r, "reason", m.roster.published, reason, sizeof(reason));
	if (rc < 0)
		goto out;
	list = json_object_get(r->body, "cells");
	if (!json_is_array(list)) {
		rc = err_set(&r->ei, ERR_INVALID, "cells", "%s: expected an array", "cells");
		goto out;
	}
	n = json_array_size(list);
	if (n == 0 || n > CELLS_MAX) {
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "cells", "cells: 1 to %d cells", CELLS_MAX);
		goto out;
	}
	edits = calloc(n, sizeof(*edits));
	if (!edits) {
		rc = ERR_NOMEM;
		goto out;
	}
	json_array_foreach(list, i, it)
	{
		rc = edit_read(r, &m, i, it, &edits[i]);
		for (size_t j = 0; rc == 0 && j < i; j++)
			if (edits[j].person_id == edits[i].person_id &&
			    !strcmp(edits[j].day, edits[i].day))
				rc = err_set(&r->ei, ERR_UNPROCESSABLE, "cells",
					     "cells[%zu]: this person and day are listed twice", i);
		if (rc < 0)
			goto out;
	}
	/* A published roster must stay free of hard violations: the manager's
	 * change may not add one (those already there, from leave approved
	 * later say, are the ones it may be repairing). */
	if (m.roster.published) {
		rc = verdict_make(r, &m, &before);
		if (rc < 0)
			goto out;
	}
	stamp = next_stamp(&m, r->now);
	rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	changes = json_array();
	for (i = 0; i < n && rc == 0; i++) {
		struct wfm_roster_entry *cur = cell_find(&m, edits[i].person_id, edits[i].day);
		json_t *ch = json_pack("{s:I, s:s, s:o, s:o}", "person_id",
				       (json_int_t)edits[i].person_id, "date", edits[i].day,
				       "before", change_json(&m, cur, cur != NULL), "after",
				       change_json(&m, &edits[i], edits[i].shift_type_id != 0));

		rc = wfm_roster_entry_put(r->store, &edits[i], r->who.person_id, stamp);
		if (rc == 0)
			rc = month_apply(&m, &edits[i]);
		/* WFM-3: after publication each change is the manager's, audited on its own. */
		if (rc == 0 && m.roster.published)
			rc = req_audit(r, "wfm.roster.change", "wfm_roster", m.year * 100 + m.mon,
				       "ok",
				       json_pack("{s:s, s:O, s:s}", "month", m.month, "change", ch,
						 "reason", reason));
		/* The person whose published shift changed hears of it. */
		if (rc == 0 && m.roster.published) {
			char text[NOTIFY_TEXT_SIZE + WFM_REASON_SIZE + 64];
			const struct wfm_shift_type *t =
				edits[i].shift_type_id ? type_by_id(&m, edits[i].shift_type_id)
						       : NULL;

			snprintf(text, sizeof(text), "你 %s 的班次已由客服经理调整为%s：%s",
				 edits[i].day, t ? t->name : "休息", reason);
			rc = notify_send(r->store, edits[i].person_id, "roster.changed", 0, text,
					 r->now);
		}
		json_array_append_new(changes, ch);
	}
	m.roster.updated_at = stamp;
	if (rc == 0 && m.roster.published) {
		struct verdict after;

		rc = verdict_make(r, &m, &after);
		if (rc == 0) {
			rc = verdict_new_hard(r, &m, &before, &after);
			verdict_free(&after);
		}
	}
	if (rc == 0 && m.roster.published) {
		/* The published roster changed: the new state is filed as a version. */
		m.roster.version++;
		rc = wfm_roster_version_file(r->store, m.month, m.roster.version, r->who.person_id,
					     reason, r->now, &vid);
	}
	if (rc == 0)
		rc = wfm_roster_save(r->store, &m.roster);
	if (rc == 0 && !m.roster.published)
		rc = req_audit(r, "wfm.roster.edit", "wfm_roster", m.year * 100 + m.mon, "ok",
			       json_pack("{s:s, s:O}", "month", m.month, "changes", changes));
	rc = req_finish(r, rc);
	if (rc == 0 && m.roster.published)
		notify_wake();
	if (rc == 0)
		rc = month_load(r, &m, 1);
	if (rc == 0) {
		rc = grid_reply(r, &m, 200, json_pack("{s:o}", "changed", changes));
		changes = NULL;
	}
out:
	verdict_free(&before);
	json_decref(changes);
	free(edits);
	month_free(&m);
	return rc;
}

/* POST /api/wfm/roster/{month}/propose {updated_at}: the draft filled by the
 * rules, keeping the cells set by hand. */
static int roster_propose(struct req *r)
{
	static const char *const fields[] = {"updated_at", NULL};
	struct month m;
	struct wfm_roster_entry *out = NULL;
	size_t nout = 0;
	int removed = 0, rc = month_param(r, &m);
	int64_t stamp;

	if (rc == 0)
		rc = body_only(r, fields);
	if (rc == 0)
		rc = month_load(r, &m, 1);
	if (rc == 0 && m.roster.published)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL,
			     "the roster is published; it changes only by the manager's edits,"
			     " approved swaps and leave");
	if (rc == 0)
		rc = body_base(r, &m);
	if (rc == 0)
		rc = propose_run(r, &m, &out, &nout);
	if (rc < 0)
		goto out;
	stamp = next_stamp(&m, r->now);
	rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	rc = wfm_roster_clear_unpinned(r->store, m.month, &removed);
	for (size_t i = 0; i < nout && rc == 0; i++)
		if (!out[i].pinned)
			rc = wfm_roster_entry_put(r->store, &out[i], r->who.person_id, stamp);
	m.roster.updated_at = stamp;
	if (rc == 0)
		rc = wfm_roster_save(r->store, &m.roster);
	if (rc == 0)
		rc = req_audit(r, "wfm.roster.propose", "wfm_roster", m.year * 100 + m.mon, "ok",
			       json_pack("{s:s, s:i, s:i}", "month", m.month, "removed", removed,
					 "cells", (int)nout));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = month_load(r, &m, 1);
	if (rc == 0)
		rc = grid_reply(r, &m, 200, NULL);
out:
	free(out);
	month_free(&m);
	return rc;
}

/*
 * POST /api/wfm/roster/{month}/publish {updated_at, reason}: hard rules
 * broken → 422 listing each; soft ones need a reason (else 422 listing
 * them). Files the grid as an immutable version, tells the rostered people.
 */
static int roster_publish(struct req *r)
{
	static const char *const fields[] = {"updated_at", "reason", NULL};
	struct month m;
	struct verdict v = {0};
	char reason[WFM_REASON_SIZE], text[NOTIFY_TEXT_SIZE];
	int64_t vid = 0, *staff = NULL;
	int nstaff = 0, rc = month_param(r, &m);

	if (rc == 0)
		rc = body_only(r, fields);
	if (rc == 0)
		rc = month_load(r, &m, 1);
	if (rc == 0 && m.roster.published)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the roster is already published");
	if (rc == 0)
		rc = body_base(r, &m);
	if (rc == 0)
		rc = body_reason(r, "reason", 0, reason, sizeof(reason));
	if (rc == 0)
		rc = verdict_make(r, &m, &v);
	if (rc < 0)
		goto out;
	if (month_cells(&m) == 0) {
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, NULL, "the roster is empty");
		goto out;
	}
	if (v.hard > 0) {
		rc = verdict_errors(r, &m, &v, 1);
		goto out;
	}
	if (v.soft > 0 && !reason[0]) {
		rc = verdict_errors(r, &m, &v, 0);
		goto out;
	}
	staff = calloc(STAFF_MAX, sizeof(*staff));
	if (!staff) {
		rc = ERR_NOMEM;
		goto out;
	}
	rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	m.roster.version++;
	m.roster.published = 1;
	m.roster.published_at = r->now;
	m.roster.published_by = r->who.person_id;
	m.roster.updated_at = next_stamp(&m, r->now);
	rc = wfm_roster_version_file(r->store, m.month, m.roster.version, r->who.person_id, reason,
				     r->now, &vid);
	if (rc == 0)
		rc = wfm_roster_save(r->store, &m.roster);
	if (rc == 0)
		rc = nstaff = wfm_roster_staff(r->store, m.month, staff, STAFF_MAX);
	snprintf(text, sizeof(text), "%s 排班表已发布（第 %d 版），请查看我的班表。", m.month,
		 m.roster.version);
	for (int i = 0; i < nstaff && rc >= 0; i++)
		rc = notify_send(r->store, staff[i], "roster.published", 0, text, r->now);
	if (rc >= 0)
		rc = req_audit(r, "wfm.roster.publish", "wfm_roster", m.year * 100 + m.mon, "ok",
			       json_pack("{s:s, s:i, s:i, s:i, s:s?, s:i}", "month", m.month,
					 "version", m.roster.version, "cells", month_cells(&m),
					 "soft", v.soft, "reason", reason[0] ? reason : NULL,
					 "notified", nstaff));
	rc = req_finish(r, rc < 0 ? rc : 0);
	if (rc < 0)
		goto out;
	notify_wake();
	rc = grid_reply(r, &m, 200, NULL);
out:
	free(staff);
	verdict_free(&v);
	month_free(&m);
	return rc;
}

/* ---- versions ---- */

static json_t *version_json(const struct wfm_roster_version *v)
{
	return json_pack("{s:s, s:i, s:I, s:o, s:o, s:o, s:i}", "month", v->month, "version",
			 v->version, "filed_at", (json_int_t)v->filed_at, "filed_by",
			 v->filed_by ? json_integer(v->filed_by) : json_null(), "filed_by_name",
			 v->filed_by_name[0] ? json_string(v->filed_by_name) : json_null(),
			 "reason", v->reason[0] ? json_string(v->reason) : json_null(), "cells",
			 v->cells);
}

static int version_row(void *ctx, const struct wfm_roster_version *v)
{
	return json_array_append_new(ctx, version_json(v));
}

/* GET /api/wfm/roster/{month}/versions */
static int roster_versions(struct req *r)
{
	struct month m;
	json_t *items;
	int rc = month_param(r, &m);

	if (rc < 0)
		return rc;
	items = json_array();
	rc = wfm_roster_versions(r->store, m.month, version_row, items);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:s, s:o}", "month", m.month, "items", items));
}

struct version_cells {
	const struct month *m;
	json_t *items;
};

static int version_cell_row(void *ctx, const struct wfm_roster_entry *c)
{
	struct version_cells *vc = ctx;

	return json_array_append_new(vc->items, cell_json(vc->m, c));
}

/* GET /api/wfm/roster/{month}/versions/{n} */
static int roster_version_get(struct req *r)
{
	struct month m;
	struct wfm_roster_version v;
	struct version_cells vc = {&m, NULL};
	json_t *o;
	char *end = NULL;
	long n;
	int rc = month_param(r, &m);

	if (rc < 0)
		return rc;
	n = strtol(r->params[1], &end, 10);
	if (!end || *end || n < 1 || n > 1000000)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such version");
	rc = wfm_roster_version_get(r->store, m.month, (int)n, &v);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such version");
	if (rc == 0)
		rc = wfm_shift_type_list(r->store, type_add, &m);
	if (rc < 0)
		goto out;
	vc.items = json_array();
	rc = wfm_roster_version_cells(r->store, v.id, version_cell_row, &vc);
	if (rc < 0) {
		json_decref(vc.items);
		goto out;
	}
	o = version_json(&v);
	json_object_set_new(o, "entries", vc.items);
	rc = reply_json(r, 200, o);
out:
	month_free(&m);
	return rc;
}

/* ---- working outside one's shift (WFM-3) ---- */

static json_t *outside_json(const struct wfm_outside *o)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:I, s:o, s:o, s:o}", "id",
			 (json_int_t)o->id, "person_id", (json_int_t)o->person_id, "from",
			 (json_int_t)o->from_at, "to", (json_int_t)o->to_at, "reason", o->reason,
			 "state", o->state, "requested_by", (json_int_t)o->requested_by,
			 "requested_at", (json_int_t)o->requested_at, "decided_by",
			 o->decided_by ? json_integer(o->decided_by) : json_null(), "decided_at",
			 o->decided_at ? json_integer(o->decided_at) : json_null(), "note",
			 o->note[0] ? json_string(o->note) : json_null());
}

static int body_ms(struct req *r, const char *key, int64_t *out)
{
	json_t *v = json_object_get(r->body, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return err_set(&r->ei, ERR_INVALID, key, "%s: expected a whole number", key);
	*out = json_integer_value(v);
	return 0;
}

/*
 * POST /api/wfm/outside-work {person_id, from, to, reason}: an agent asks
 * for themselves (requested); a supervisor or the manager naming another
 * person grants it at once (approved). from defaults to now, to to 8 hours
 * later; the span is at most a day and must not have ended.
 */
static int outside_create(struct req *r)
{
	static const char *const fields[] = {"person_id", "from", "to", "reason", NULL};
	struct wfm_outside o;
	struct wfm_roster_person p;
	int64_t ids[64];
	char text[NOTIFY_TEXT_SIZE + WFM_REASON_SIZE + 512];
	int grant = 0, n = 0, rc = body_only(r, fields);

	memset(&o, 0, sizeof(o));
	o.person_id = r->who.person_id;
	o.from_at = r->now;
	if (rc == 0)
		rc = body_ref(r, "person_id", &o.person_id);
	if (rc == 0 && !o.person_id)
		o.person_id = r->who.person_id;
	if (rc == 0)
		rc = body_ms(r, "from", &o.from_at);
	o.to_at = o.from_at + 8 * 3600000LL;
	if (rc == 0)
		rc = body_ms(r, "to", &o.to_at);
	if (rc == 0)
		rc = body_reason(r, "reason", 1, o.reason, sizeof(o.reason));
	if (rc < 0)
		return rc;
	grant = o.person_id != r->who.person_id;
	if (grant) {
		struct auth_target t = {0, o.person_id};

		rc = req_authorize(r, ACT_WFM_OUTSIDE_DECIDE, &t);
		if (rc < 0)
			return rc;
	}
	rc = wfm_roster_person_get(r->store, o.person_id, &p);
	if (rc == ERR_NOTFOUND || (rc == 0 && !(p.roles & ROLE_AGENT)))
		return err_set(&r->ei, ERR_UNPROCESSABLE, "person_id",
			       "person_id: an active agent");
	if (rc < 0)
		return rc;
	if (o.to_at <= o.from_at || o.to_at - o.from_at > OUTSIDE_SPAN_MAX)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "to",
			       "to: after from, and at most a day later");
	if (o.to_at <= r->now)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "to", "to: the span has already ended");
	snprintf(o.state, sizeof(o.state), "%s", grant ? "approved" : "requested");
	o.requested_by = r->who.person_id;
	o.requested_at = r->now;
	if (grant) {
		o.decided_by = r->who.person_id;
		o.decided_at = r->now;
	}
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = wfm_outside_add(r->store, &o);
	if (rc == 0 && grant) {
		snprintf(text, sizeof(text), "%s 已批准你在排班以外上岗。", r->who.name);
		rc = notify_send(r->store, o.person_id, "outside_work.decided", 0, text, r->now);
	} else if (rc == 0) {
		rc = n = wfm_roster_planners(r->store, ids, 64);
		snprintf(text, sizeof(text), "%s（%s）申请在排班以外上岗：%s", p.name, p.work_no,
			 o.reason);
		for (int i = 0; i < n && rc >= 0; i++)
			rc = notify_send(r->store, ids[i], "outside_work.requested", 0, text,
					 r->now);
	}
	if (rc >= 0)
		rc = req_audit(r, grant ? "wfm.outside_work.grant" : "wfm.outside_work.request",
			       "wfm_outside_work", o.id, "ok", outside_json(&o));
	rc = req_finish(r, rc < 0 ? rc : 0);
	if (rc < 0)
		return rc;
	notify_wake();
	return reply_json(r, 201, outside_json(&o));
}

static int outside_row(void *ctx, const struct wfm_outside *o)
{
	return json_array_append_new(ctx, outside_json(o));
}

/* GET /api/wfm/outside-work[?state=][&person_id=]: agents see their own. */
static int outside_list(struct req *r)
{
	const char *state = NULL;
	int64_t person = 0;
	json_t *items;
	int rc = req_query(r, "state", &state);

	if (rc == 0)
		rc = req_query_int(r, "person_id", 1, INT64_MAX, &person);
	if (rc < 0)
		return rc;
	if (state && strcmp(state, "requested") && strcmp(state, "approved") &&
	    strcmp(state, "rejected"))
		return err_set(&r->ei, ERR_INVALID, "state",
			       "state: one of requested, approved, rejected");
	if (auth_scope(&r->who, ACT_WFM_OUTSIDE_DECIDE) != SCOPE_ALL)
		person = r->who.person_id;
	items = json_array();
	rc = wfm_outside_list(r->store, person, state, 200, outside_row, items);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* POST /api/wfm/outside-work/{id}/approve and /reject {note}. */
static int outside_decide(struct req *r, int approve)
{
	static const char *const fields[] = {"note", NULL};
	struct wfm_outside o, before;
	char text[NOTIFY_TEXT_SIZE];
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = body_only(r, fields);
	if (rc == 0)
		rc = wfm_outside_get(r->store, id, &o);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such request");
	if (rc == 0)
		rc = body_reason(r, "note", 0, o.note, sizeof(o.note));
	if (rc < 0)
		return rc;
	if (strcmp(o.state, "requested"))
		return err_set(&r->ei, ERR_CONFLICT, NULL, "this request was already decided");
	before = o;
	snprintf(o.state, sizeof(o.state), "%s", approve ? "approved" : "rejected");
	o.decided_by = r->who.person_id;
	o.decided_at = r->now;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = wfm_outside_decide(r->store, &o);
	if (rc == ERR_CONFLICT)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "this request was already decided");
	snprintf(text, sizeof(text), "你在排班以外上岗的申请%s。", approve ? "已批准" : "未获批准");
	if (rc == 0)
		rc = notify_send(r->store, o.person_id, "outside_work.decided", 0, text, r->now);
	if (rc == 0)
		rc = req_audit(r, approve ? "wfm.outside_work.approve" : "wfm.outside_work.reject",
			       "wfm_outside_work", o.id, "ok",
			       json_pack("{s:s, s:s, s:s?}", "from", before.state, "to", o.state,
					 "note", o.note[0] ? o.note : NULL));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	notify_wake();
	return reply_json(r, 200, outside_json(&o));
}

static int outside_approve(struct req *r)
{
	return outside_decide(r, 1);
}

static int outside_reject(struct req *r)
{
	return outside_decide(r, 0);
}

const struct route wfm_roster_routes[] = {
	{"GET", "/api/wfm/roster/{month}", roster_get, ACT_WFM_PLAN},
	{"PUT", "/api/wfm/roster/{month}/cells", roster_cells, ACT_WFM_PLAN},
	{"POST", "/api/wfm/roster/{month}/propose", roster_propose, ACT_WFM_PLAN},
	{"POST", "/api/wfm/roster/{month}/publish", roster_publish, ACT_WFM_PLAN},
	{"GET", "/api/wfm/roster/{month}/versions", roster_versions, ACT_WFM_PLAN},
	{"GET", "/api/wfm/roster/{month}/versions/{n}", roster_version_get, ACT_WFM_PLAN},
	{"GET", "/api/wfm/outside-work", outside_list, ACT_WFM_OUTSIDE_ASK},
	{"POST", "/api/wfm/outside-work", outside_create, ACT_WFM_OUTSIDE_ASK},
	{"POST", "/api/wfm/outside-work/{id}/approve", outside_approve, ACT_WFM_OUTSIDE_DECIDE},
	{"POST", "/api/wfm/outside-work/{id}/reject", outside_reject, ACT_WFM_OUTSIDE_DECIDE},
	{NULL, NULL, NULL, 0},
};
