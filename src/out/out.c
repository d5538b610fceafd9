/*
 * The rules of calls out (out.h tells the whole): the outbound hours in the
 * center's time zone, outcomes and what follows them, a task's retries,
 * the progressive pacing, the import sheet's columns. No I/O: every
 * function that depends on time takes now.
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "out/out.h"
#include "wo/wo.h"

int out_hhmm_parse(const char *s)
{
	int h, m;

	if (!s || strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m))
		return -1;
	return h * 60 + m;
}

void out_hhmm(int min, char *out, size_t size)
{
	snprintf(out, size, "%02d:%02d", min / 60 % 25, min % 60);
}

int out_hours_open(const struct out_settings *st, int64_t now)
{
	int m = clock_local_minute(now);

	return m >= st->open_min && m < st->close_min;
}

int64_t out_next_opening(const struct out_settings *st, int64_t now)
{
	int64_t day = clock_day_start(now);

	if (st->open_min >= st->close_min)
		return clock_day_end(now) +
		       (int64_t)st->open_min * 60000; /* never opens: tomorrow */
	if (out_hours_open(st, now))
		return now;
	if (clock_local_minute(now) < st->open_min)
		return day + (int64_t)st->open_min * 60000;
	return clock_day_end(now) + (int64_t)st->open_min * 60000;
}

int out_settings_check(const struct out_settings *st, struct err_info *ei)
{
	int rc = 0;

	/* No calls at night: an empty or reversed window would be a mistake. */
	if (st->open_min < 0 || st->close_min < 0 || st->open_min >= st->close_min)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "hours_to", "hours_to: after hours_from");
	if (st->daily_cap < 1 || st->daily_cap > 10000)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "daily_cap", "%s: %d to %d", "daily_cap", 1,
			     10000);
	if (st->dropped_due_min < 0 || st->dropped_due_min > 1440)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "dropped_due_min", "%s: %d to %d",
			     "dropped_due_min", 0, 1440);
	if (st->afterhours_due_min < 0 || st->afterhours_due_min > 1440)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "afterhours_due_min", "%s: %d to %d",
			     "afterhours_due_min", 0, 1440);
	if (st->max_attempts < 1 || st->max_attempts > 20)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "max_attempts", "%s: %d to %d",
			     "max_attempts", 1, 20);
	if (st->retry_gap_min < 1 || st->retry_gap_min > 10080)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "retry_gap_min", "%s: %d to %d",
			     "retry_gap_min", 1, 10080);
	return rc;
}

static const char *const purposes[OP_COUNT] = {"callback", "progress", "customer",
					       "request",  "task",     "campaign"};

const char *out_purpose_name(enum out_purpose p)
{
	return p < OP_COUNT ? purposes[p] : "";
}

int out_purpose_parse(const char *name)
{
	for (int i = 0; name && i < OP_COUNT; i++)
		if (strcmp(name, purposes[i]) == 0)
			return i;
	return -1;
}

static const char *const outcomes[OO_COUNT] = {
	"reached", "accepted", "not_accepted", "new_need",     "no_answer",
	"busy",	   "rejected", "wrong_number", "other_person", "dnc"};

const char *out_outcome_name(enum out_outcome o)
{
	return o < OO_COUNT ? outcomes[o] : "";
}

int out_outcome_parse(const char *name)
{
	for (int i = 0; name && i < OO_COUNT; i++)
		if (strcmp(name, outcomes[i]) == 0)
			return i;
	return -1;
}

int out_outcome_answered(enum out_outcome o)
{
	return !(o == OO_NO_ANSWER || o == OO_BUSY || o == OO_REJECTED);
}

int out_outcome_reached(enum out_outcome o)
{
	return o == OO_REACHED || o == OO_ACCEPTED || o == OO_NOT_ACCEPTED || o == OO_NEW_NEED;
}

int out_outcome_check(enum out_purpose p, enum out_outcome o, const char *result,
		      struct err_info *ei)
{
	int cb = o == OO_ACCEPTED || o == OO_NOT_ACCEPTED || o == OO_NEW_NEED;
	int answered = result && strcmp(result, "answered") == 0;

	/* CB-2's three outcomes belong to an order's callback, and a callback
	 * that reached the customer ends in one of them, not in "reached". */
	if (p == OP_CALLBACK && o == OO_REACHED)
		return err_set(ei, ERR_UNPROCESSABLE, "outcome",
			       "outcome: a callback that reached the customer is accepted, "
			       "not_accepted or new_need");
	if (p != OP_CALLBACK && cb)
		return err_set(ei, ERR_UNPROCESSABLE, "outcome",
			       "outcome: accepted, not_accepted and new_need are for callbacks");
	/* CALL-10: the record stays true to what the engine saw. */
	if (out_outcome_answered(o) && !answered)
		return err_set(ei, ERR_CONFLICT, "outcome",
			       "outcome: the customer's phone was not answered on this attempt");
	if (!out_outcome_answered(o) && answered)
		return err_set(ei, ERR_CONFLICT, "outcome",
			       "outcome: the customer's phone was answered on this attempt");
	return 0;
}

int out_callback_outcome(enum out_outcome o)
{
	switch (o) {
	case OO_ACCEPTED:
		return WOO_ACCEPTED;
	case OO_NOT_ACCEPTED:
		return WOO_NOT_ACCEPTED;
	case OO_NEW_NEED:
		return WOO_NEW_NEED;
	case OO_DNC:
		return -1; /* the customer asked not to be called: no attempt of the order's */
	default:
		return WOO_UNREACHABLE;
	}
}

struct out_task_next out_task_after(const struct out_settings *st, enum out_outcome o, int attempts,
				    int64_t next_at, int64_t now)
{
	struct out_task_next n = {"open", now + (int64_t)st->retry_gap_min * 60000};

	if (out_outcome_reached(o)) {
		n.state = "done";
		n.due_at = 0;
	} else if (o == OO_WRONG_NUMBER || o == OO_DNC) {
		/* Nobody to call on this number: the task closes. */
		n.state = "cancelled";
		n.due_at = 0;
	} else if (o == OO_OTHER_PERSON && next_at > now) {
		/* Someone else answered and named a time: that time, whatever the count. */
		n.due_at = next_at;
	} else if (attempts >= st->max_attempts) {
		n.state = "failed";
		n.due_at = 0;
	}
	return n;
}

int out_dial_now(int idle_agents, int due_members, int trunk_room)
{
	int n = idle_agents;

	if (due_members < n)
		n = due_members;
	if (trunk_room < n)
		n = trunk_room;
	return n > 0 ? n : 0;
}

int out_campaign_kind_valid(const char *kind)
{
	static const char *const kinds[] = {"callback_yesterday", "vip_care", "churn", "birthday",
					    "custom"};

	for (size_t i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kind, kinds[i]) == 0)
			return 1;
	return 0;
}

int out_campaign_mode_valid(const char *mode)
{
	return mode && (strcmp(mode, "preview") == 0 || strcmp(mode, "progressive") == 0);
}

const char *out_campaign_next(const char *state, const char *action)
{
	if (strcmp(action, "start") == 0 &&
	    (strcmp(state, "draft") == 0 || strcmp(state, "paused") == 0))
		return "running";
	if (strcmp(action, "pause") == 0 && strcmp(state, "running") == 0)
		return "paused";
	if (strcmp(action, "finish") == 0 && strcmp(state, "done") != 0)
		return "done";
	return NULL;
}

int out_import_column(const char *h)
{
	static const char *const phone[] = {"电话",   "手机",  "号码",	 "电话号码",
					    "手机号", "phone", "mobile", "number"};
	static const char *const name[] = {"姓名", "名字", "客户", "客户姓名", "name"};

	for (size_t i = 0; i < sizeof(phone) / sizeof(phone[0]); i++)
		if (strcmp(h, phone[i]) == 0)
			return 1;
	for (size_t i = 0; i < sizeof(name) / sizeof(name[0]); i++)
		if (strcmp(h, name[i]) == 0)
			return 2;
	return 0;
}
