/*
 * The handover's rules (WFM-6, WFM-7): where shifts change, when each
 * reminder is due, which items belong in the log, the snapshot's merge and
 * the flags, the order of signing. No I/O; time comes as arguments.
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "handover/handover.h"
#include "wfm/wfm.h"

#define MIN_MS 60000LL
#define DAY_MS 86400000LL

int handover_changes(const struct wfm_shift_type *types, size_t n, struct handover_change *out,
		     int max)
{
	int count = 0;

	/* Every minute is a candidate; only boundaries of segments can be changes,
	 * and scanning the day keeps the order by minute without sorting. */
	for (int m = 0; m < WFM_DAY_MIN && count < max; m++) {
		int before = wfm_shift_at(types, n, (m + WFM_DAY_MIN - 1) % WFM_DAY_MIN, 0);
		int at = wfm_shift_at(types, n, m, 0);

		if (before >= 0 && at >= 0 && before != at) {
			out[count].minute = m;
			out[count].out_idx = before;
			out[count].in_idx = at;
			count++;
		}
	}
	return count;
}

/* The local day (YYYYMMDD) the shift covering the instant began. */
static int began_ymd(const struct wfm_shift_type *t, int64_t instant)
{
	if (wfm_shift_covers(t, clock_local_minute(instant)) == 2)
		return clock_local_ymd(clock_day_start(instant) - 1);
	return clock_local_ymd(instant);
}

/* The changes of the local days around t, in order; returns how many. */
static int changes_around(const struct wfm_shift_type *types, size_t n, int64_t t, int64_t *at,
			  int *idx, struct handover_change *ch, int max)
{
	struct handover_change day[HANDOVER_CHANGES_MAX];
	int nd = handover_changes(types, n, day, HANDOVER_CHANGES_MAX), count = 0;
	int64_t d0 = clock_day_start(t);

	for (int k = -2; k <= 2; k++) {
		/* Noon of the day, so a day of 23 or 25 hours still finds its own midnight. */
		int64_t start = clock_day_start(d0 + k * DAY_MS + DAY_MS / 2);

		for (int i = 0; i < nd && count < max; i++) {
			at[count] = start + day[i].minute * MIN_MS;
			idx[count] = i;
			count++;
		}
	}
	memcpy(ch, day, sizeof(day));
	return count;
}

static void slot_of(const struct wfm_shift_type *types, const int64_t *at, const int *idx,
		    const struct handover_change *ch, int i, struct handover_slot *out)
{
	const struct handover_change *c = &ch[idx[i]];

	out->at = at[i];
	out->prev_at = at[i - 1];
	out->next_at = at[i + 1];
	out->out_idx = c->out_idx;
	out->in_idx = c->in_idx;
	out->out_ymd = began_ymd(&types[c->out_idx], at[i] - 1);
	out->in_ymd = began_ymd(&types[c->in_idx], at[i]);
}

static int change_near(const struct wfm_shift_type *types, size_t n, int64_t t, int after,
		       struct handover_slot *out)
{
	int64_t at[5 * HANDOVER_CHANGES_MAX];
	int idx[5 * HANDOVER_CHANGES_MAX];
	struct handover_change ch[HANDOVER_CHANGES_MAX];
	int count = changes_around(types, n, t, at, idx, ch, 5 * HANDOVER_CHANGES_MAX);

	/* Days -2..+2 around t: the change before or after t is never at either end. */
	for (int i = 1; i + 1 < count; i++) {
		if (after ? at[i] > t && at[i - 1] <= t : at[i] <= t && at[i + 1] > t) {
			slot_of(types, at, idx, ch, i, out);
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

int handover_change_before(const struct wfm_shift_type *types, size_t n, int64_t t,
			   struct handover_slot *out)
{
	return change_near(types, n, t, 0, out);
}

int handover_change_after(const struct wfm_shift_type *types, size_t n, int64_t t,
			  struct handover_slot *out)
{
	return change_near(types, n, t, 1, out);
}

void handover_day_text(int ymd, char *out, size_t size)
{
	snprintf(out, size, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
}

static const char *const reminder_names[HR_COUNT] = {"arrive", "meeting", "summary", "alert"};

const char *handover_reminder_name(enum handover_reminder k)
{
	return k < HR_COUNT ? reminder_names[k] : "unknown";
}

int handover_reminder_due(enum handover_reminder k, int64_t at, int64_t now,
			  const struct wfm_settings *w)
{
	switch (k) {
	case HR_ARRIVE:
		return now >= at - w->arrive_before_min * MIN_MS && now < at;
	case HR_SUMMARY:
		return now >= at - w->summary_min * MIN_MS && now < at;
	case HR_MEETING:
		return now >= at && now < at + w->meeting_min * MIN_MS;
	case HR_ALERT:
		return now >= at + w->handover_sign_min * MIN_MS;
	case HR_COUNT:
		break;
	}
	return 0;
}

static const char *const kind_names[HK_COUNT] = {"order",   "escalation", "callback",
						 "request", "notice",	  "manual"};

const char *handover_kind_name(int kind)
{
	return kind >= 0 && kind < HK_COUNT ? kind_names[kind] : "unknown";
}

int handover_kind_parse(const char *name)
{
	for (int i = 0; name && i < HK_COUNT; i++)
		if (strcmp(name, kind_names[i]) == 0)
			return i;
	return -1;
}

int handover_due_by(int64_t due_at, int64_t next_at)
{
	return due_at > 0 && due_at < next_at;
}

int handover_order_kind(int escalation_level, int64_t earliest_due, int64_t next_at)
{
	if (escalation_level > 0)
		return HK_ESCALATION;
	if (handover_due_by(earliest_due, next_at))
		return HK_ORDER;
	return -1;
}

int handover_window_meets(int64_t starts, int64_t ends, int64_t at, int64_t next_at)
{
	return ends > at && starts < next_at;
}

static int same_item(const struct handover_item *a, const struct handover_item *b)
{
	return a->kind == b->kind && a->ref_id == b->ref_id && a->kind != HK_MANUAL;
}

int handover_merge(struct handover_item *items, size_t *n, size_t max,
		   const struct handover_item *snap, size_t ns, int locked, int64_t now)
{
	int added = 0;

	for (size_t j = 0; j < ns; j++) {
		size_t i;

		for (i = 0; i < *n && !same_item(&items[i], &snap[j]); i++)
			;
		if (i < *n) {
			items[i].at_change = 1;
			continue;
		}
		if (*n >= max)
			return ERR_TOOBIG;
		/* WFM-7: what appeared after the outgoing person locked the log was
		 * not handed over; while it is a draft, kefu still writes it. */
		items[*n] = snap[j];
		items[*n].id = 0;
		items[*n].at_change = 1;
		items[*n].included = !locked;
		items[*n].flagged = 0;
		items[*n].created_at = now;
		(*n)++;
		added++;
	}
	return added;
}

int handover_flag(struct handover_item *items, size_t n)
{
	int flagged = 0;

	for (size_t i = 0; i < n; i++) {
		items[i].flagged = items[i].at_change && !items[i].included;
		flagged += items[i].flagged;
	}
	return flagged;
}

int handover_sign_check(const char *state, enum handover_side side, int64_t out_by, int64_t who,
			const char **why)
{
	if (side == HS_OUT) {
		if (strcmp(state, "draft") != 0) {
			*why = "the outgoing duty person has already signed this handover";
			return ERR_CONFLICT;
		}
		return 0;
	}
	if (strcmp(state, "draft") == 0) {
		*why = "the outgoing duty person signs first";
		return ERR_CONFLICT;
	}
	if (strcmp(state, "signed") == 0) {
		*why = "the incoming duty person has already signed this handover";
		return ERR_CONFLICT;
	}
	if (who == out_by) {
		*why = "the incoming duty person must be someone other than the outgoing one";
		return ERR_CONFLICT;
	}
	return 0;
}
