/*
 * Leave and swaps as rules (WFM-3, WFM-4): which request may be asked and
 * who may take which step when. No I/O: the store gives the calendar's
 * working days and the roster's cells, the caller gives `now`.
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "wfm/wfm.h"

#define DAY_MS 86400000LL
#define YEAR_DAYS 366

/* ---- days ---- */

int wfm_day_parse(const char *s, int64_t *day)
{
	int y, m, d;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return ERR_INVALID;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return ERR_INVALID;
	if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || y < 1970 || y > 9999 || m < 1 || m > 12 ||
	    d < 1 || d > wfm_month_days(y, m))
		return ERR_INVALID;
	*day = clock_days_from_civil(y, m, d);
	return 0;
}

void wfm_day_format(int64_t day, char out[11])
{
	int y, m, d;

	clock_civil_from_days(day, &y, &m, &d);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)d % 100u);
}

int64_t wfm_day_of(int64_t ms)
{
	int ymd = clock_local_ymd(ms);

	return clock_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
}

/* Noon UTC of a date falls on that local date for every offset within ±12 h. */
int64_t wfm_day_start_ms(int64_t day)
{
	return clock_day_start(day * DAY_MS + DAY_MS / 2);
}

int wfm_working_day(int64_t day, int holiday, int makeup)
{
	int y, m, d;

	if (makeup)
		return 1;
	if (holiday)
		return 0;
	clock_civil_from_days(day, &y, &m, &d);
	return wfm_weekday(y, m, d) <= 5;
}

int wfm_workdays_is(const struct wfm_workdays *w, int64_t day)
{
	if (day < w->first || day >= w->first + w->n)
		return -1;
	return w->working[day - w->first];
}

/* ---- leave ---- */

static int kind_valid(const char *k)
{
	static const char *const kinds[] = {"annual", "sick", "personal", "compensatory"};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(k, kinds[i]))
			return 1;
	return 0;
}

int wfm_leave_ask_check(const struct wfm_leave *l, const struct wfm_workdays *w, int64_t now,
			struct err_info *ei)
{
	int64_t first, last, today = wfm_day_of(now);
	int rc = 0, ahead = 0;

	if (!kind_valid(l->kind))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "kind",
			     "kind: one of annual, sick, personal, compensatory");
	if (wfm_day_parse(l->first_day, &first) < 0)
		return err_add(ei, rc, ERR_UNPROCESSABLE, "first_day", "%s: a date as YYYY-MM-DD",
			       "first_day");
	if (wfm_day_parse(l->last_day, &last) < 0)
		return err_add(ei, rc, ERR_UNPROCESSABLE, "last_day", "%s: a date as YYYY-MM-DD",
			       "last_day");
	if (last < first)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "last_day",
			     "last_day: on or after first_day");
	else if (last - first + 1 > WFM_LEAVE_DAYS_MAX)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "last_day", "leave of at most %d days",
			     WFM_LEAVE_DAYS_MAX);
	if (first > today + YEAR_DAYS)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "first_day",
			     "first_day: at most a year ahead");
	if (l->emergency) {
		/* A phone call about today or later; the past is attendance's to excuse. */
		if (first < today)
			rc = err_add(ei, rc, ERR_UNPROCESSABLE, "first_day",
				     "first_day: emergency leave starts today or later");
		return rc;
	}
	/* WFM-4: a working day lies between today (inclusive) and the first day. A
	 * calendar with WFM_WINDOW_DAYS days on end without one is not a calendar. */
	for (int64_t d = today; d < first && !ahead; d++)
		if (wfm_workdays_is(w, d) != 0)
			ahead = 1;
	if (!ahead)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "first_day",
			     "first_day: leave is asked at least one working day ahead");
	return rc;
}

int64_t wfm_leave_paperwork_due(const struct wfm_workdays *w)
{
	for (int i = 0; i < w->n; i++)
		if (w->working[i])
			return wfm_day_start_ms(w->first + i + 1);
	return 0;
}

int wfm_leave_step_check(const struct wfm_leave *l, enum wfm_step step, int64_t who, int64_t now,
			 struct err_info *ei)
{
	int64_t first = 0;

	switch (step) {
	case WFM_STEP_APPROVE:
	case WFM_STEP_REJECT:
		if (who == l->person_id)
			return err_set(ei, ERR_CONFLICT, NULL,
				       "you cannot decide your own request");
		if (strcmp(l->state, "requested"))
			return err_set(ei, ERR_CONFLICT, "state",
				       "only a requested leave can be approved or rejected");
		return 0;
	case WFM_STEP_CANCEL:
		if (who != l->person_id)
			return err_set(ei, ERR_CONFLICT, NULL,
				       "only your own leave can be cancelled");
		if (strcmp(l->state, "requested") && strcmp(l->state, "approved"))
			return err_set(ei, ERR_CONFLICT, "state",
				       "only a requested or approved leave can be cancelled");
		if (wfm_day_parse(l->first_day, &first) == 0 && now >= wfm_day_start_ms(first))
			return err_set(ei, ERR_CONFLICT, "state",
				       "leave that has begun cannot be cancelled");
		return 0;
	case WFM_STEP_PAPERWORK:
		if (!l->emergency || strcmp(l->state, "approved"))
			return err_set(ei, ERR_CONFLICT, "state",
				       "paperwork is only due for an approved emergency leave");
		if (l->paperwork_at)
			return err_set(ei, ERR_CONFLICT, "state",
				       "the paperwork was already received");
		/* Received late would blur the rule attendance reads (wfm.h). */
		if (now >= l->paperwork_due)
			return err_set(
				ei, ERR_CONFLICT, "state",
				"the paperwork deadline has passed: the leave counts as absence");
		return 0;
	case WFM_STEP_SIGN:
	case WFM_STEP_DECLINE:
		break;
	}
	return err_set(ei, ERR_CONFLICT, NULL, "this step is not one of a leave");
}

/* ---- swaps ---- */

int wfm_swap_ask_check(const struct wfm_swap *w, int64_t first_start, int64_t now,
		       struct err_info *ei)
{
	int64_t a, b;
	int rc = 0, exchange = !strcmp(w->kind, "exchange");

	if (!exchange && strcmp(w->kind, "cover"))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "kind", "kind: exchange or cover");
	if (w->partner_id == w->requester_id)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "partner_id", "partner_id: another agent");
	if (wfm_day_parse(w->a_day, &a) < 0)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "a_day", "%s: a date as YYYY-MM-DD",
			     "a_day");
	if (exchange && wfm_day_parse(w->b_day, &b) < 0)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "b_day", "b_day: required for an exchange");
	if (!exchange && w->b_day[0])
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "b_day", "b_day: only for an exchange");
	/* WFM-3: the 调班申请单 is filled in a day before the shift. */
	if (rc == 0 && now > first_start - WFM_SWAP_AHEAD_MS)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "a_day",
			     "swaps are asked at least one day before the shift");
	return rc;
}

int wfm_swap_step_check(const struct wfm_swap *w, enum wfm_step step, int64_t who,
			int64_t first_start, int64_t now, struct err_info *ei)
{
	int open = !strcmp(w->state, "asked") || !strcmp(w->state, "signed");

	switch (step) {
	case WFM_STEP_SIGN:
	case WFM_STEP_DECLINE:
		if (who != w->partner_id)
			return err_set(ei, ERR_CONFLICT, NULL,
				       "only the agent asked can counter-sign this swap");
		if (strcmp(w->state, "asked"))
			return err_set(ei, ERR_CONFLICT, "state",
				       "this swap is not waiting for your signature");
		break;
	case WFM_STEP_APPROVE:
	case WFM_STEP_REJECT:
		if (who == w->requester_id || who == w->partner_id)
			return err_set(ei, ERR_CONFLICT, NULL,
				       "you cannot decide your own request");
		if (step == WFM_STEP_APPROVE && !strcmp(w->state, "asked"))
			return err_set(ei, ERR_CONFLICT, "state",
				       "the other agent has not counter-signed yet");
		if (!open)
			return err_set(ei, ERR_CONFLICT, "state", "this swap is already settled");
		break;
	case WFM_STEP_CANCEL:
		if (who != w->requester_id)
			return err_set(ei, ERR_CONFLICT, NULL,
				       "only the agent who asked can cancel this swap");
		if (!open)
			return err_set(ei, ERR_CONFLICT, "state", "this swap is already settled");
		return 0; /* withdrawing is always allowed while open */
	case WFM_STEP_PAPERWORK:
		return err_set(ei, ERR_CONFLICT, NULL, "this step is not one of a swap");
	}
	/* Once a shift has begun it is worked, or missed, as rostered. */
	if ((step == WFM_STEP_SIGN || step == WFM_STEP_APPROVE) && now >= first_start)
		return err_set(ei, ERR_CONFLICT, "state", "the shift has begun");
	return 0;
}

/* ---- the roster as a swap leaves it ---- */

static struct wfm_roster_cell *plan_cell(struct wfm_roster_plan *p, size_t agent, int64_t day)
{
	struct wfm_roster_agent *a = &p->agents[agent];

	if (day >= 0 && day < p->ndays)
		return &a->day[day];
	if (day < 0 && day >= -WFM_TAIL_DAYS)
		return &a->tail[WFM_TAIL_DAYS + day];
	return NULL;
}

void wfm_plan_set(struct wfm_roster_plan *p, size_t agent, int64_t day, int shift, int skill)
{
	struct wfm_roster_cell *c = plan_cell(p, agent, day);

	if (c) {
		c->shift = (short)(shift >= 0 ? shift : WFM_REST);
		c->skill = (signed char)(shift >= 0 ? skill : -1);
	}
}

void wfm_plan_leave(struct wfm_roster_plan *p, size_t agent, int64_t day)
{
	struct wfm_roster_cell *c = plan_cell(p, agent, day);

	if (c)
		c->flags |= WFM_CELL_LEAVE;
}

int wfm_swap_changes(const struct wfm_swap *w, struct wfm_cell_change out[4])
{
	int n = 0;

	if (!strcmp(w->kind, "cover")) {
		out[n++] = (struct wfm_cell_change){w->a_day, w->requester_id, 0, ""};
		out[n++] = (struct wfm_cell_change){w->a_day, w->partner_id, w->a_shift_type_id,
						    w->a_skill};
		return n;
	}
	if (!strcmp(w->a_day, w->b_day)) {
		out[n++] = (struct wfm_cell_change){w->a_day, w->requester_id, w->b_shift_type_id,
						    w->b_skill};
		out[n++] = (struct wfm_cell_change){w->a_day, w->partner_id, w->a_shift_type_id,
						    w->a_skill};
		return n;
	}
	out[n++] = (struct wfm_cell_change){w->a_day, w->requester_id, 0, ""};
	out[n++] =
		(struct wfm_cell_change){w->a_day, w->partner_id, w->a_shift_type_id, w->a_skill};
	out[n++] = (struct wfm_cell_change){w->b_day, w->partner_id, 0, ""};
	out[n++] =
		(struct wfm_cell_change){w->b_day, w->requester_id, w->b_shift_type_id, w->b_skill};
	return n;
}
