/*
 * Rules of agent status: names, who may move an agent where, busy
 * reasons, and the CALL-15 and wrap-up clocks. No I/O; now is a parameter.
 */
#include <stdlib.h>
#include <string.h>

#include "acd/acd.h"
#include "core/utf8.h"
#include "org/org.h"

static const char *const names[ACD_STATUS_COUNT] = {
	[ACD_LOGGED_OUT] = "logged_out", [ACD_READY] = "ready",	    [ACD_BUSY] = "busy",
	[ACD_BREAK] = "break",		 [ACD_RINGING] = "ringing", [ACD_TALKING] = "talking",
	[ACD_WRAP_UP] = "wrap_up",
};

const char *acd_status_name(enum acd_status st)
{
	return (unsigned)st < ACD_STATUS_COUNT ? names[st] : "unknown";
}

int acd_status_parse(const char *name)
{
	for (int i = 0; name && i < ACD_STATUS_COUNT; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

int acd_status_system_only(enum acd_status st)
{
	return st == ACD_RINGING || st == ACD_TALKING || st == ACD_WRAP_UP;
}

/* ORG-2: agents hold a seat; managers and supervisors when they hold a seat type. */
int acd_is_seat(unsigned roles, int nskills)
{
	if (roles & ROLE_AGENT)
		return 1;
	return (roles & (ROLE_MANAGER | ROLE_SUPERVISOR)) && nskills > 0;
}

/* ORG-4: an agent goes on duty only after the exam and the manager's confirmation. */
int acd_on_duty_allowed(unsigned roles, int certified)
{
	return org_duty_allowed(roles, certified);
}

static int blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int acd_reason_clean(const char *in, char *out, size_t size, struct err_info *ei)
{
	size_t len;

	out[0] = '\0';
	if (!in)
		return 0;
	while (blank((unsigned char)*in))
		in++;
	len = strlen(in);
	while (len > 0 && blank((unsigned char)in[len - 1]))
		len--;
	if (!utf8_valid(in, len))
		return err_set(ei, ERR_INVALID, "reason", "reason: not valid text");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)in[i] < 0x20 || in[i] == 0x7f)
			return err_set(ei, ERR_UNPROCESSABLE, "reason",
				       "reason: no line breaks or control characters");
	if (len >= size)
		return err_set(ei, ERR_UNPROCESSABLE, "reason", "reason: at most %d characters",
			       ACD_REASON_MAX);
	memcpy(out, in, len);
	out[len] = '\0';
	if (utf8_len(out) > ACD_REASON_MAX) {
		out[0] = '\0';
		return err_set(ei, ERR_UNPROCESSABLE, "reason", "reason: at most %d characters",
			       ACD_REASON_MAX);
	}
	return 0;
}

/* The reasons the workbench offers, and the one the call engine gives. */
static const struct {
	const char *code, *label;
} reasons[] = {
	{"training", "培训"},
	{"meeting", "会议"},
	{"paperwork", "整理工单"},
	{"no_answer", "未接听"},
};

const char *acd_reason_label(const char *reason)
{
	if (!reason)
		return "";
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(reason, reasons[i].code) == 0)
			return reasons[i].label;
	return reason;
}

/* What the system may do from cur: it follows the calls, so it refuses only impossibilities. */
static int system_allows(enum acd_status from, enum acd_status to, struct err_info *ei)
{
	/* The offer is the queue's claim on a ready agent: never two at once. */
	if (to == ACD_RINGING && from != ACD_READY)
		return err_set(ei, ERR_CONFLICT, "status", "the agent is not ready (%s)",
			       acd_status_name(from));
	/* A call answered, or the agent's own call from their phone; not off the hotline. */
	if (to == ACD_TALKING && from == ACD_LOGGED_OUT)
		return err_set(ei, ERR_CONFLICT, "status", "the agent is logged out");
	if (to == ACD_WRAP_UP && from != ACD_TALKING)
		return err_set(ei, ERR_CONFLICT, "status", "the agent is not on a call (%s)",
			       acd_status_name(from));
	return 0;
}

static int person_allows(enum acd_status from, enum acd_status to, enum acd_by by,
			 struct err_info *ei)
{
	if (acd_status_system_only(to))
		return err_set(ei, ERR_UNPROCESSABLE, "status",
			       "status: %s is set by the system, not by people",
			       acd_status_name(to));
	/* The call in progress decides; a supervisor may still free a stuck seat. */
	if ((from == ACD_RINGING || from == ACD_TALKING) &&
	    !(by == ACD_BY_SUPERVISOR && to == ACD_LOGGED_OUT))
		return err_set(ei, ERR_CONFLICT, "status", "the agent is on a call (%s)",
			       acd_status_name(from));
	return 0;
}

int acd_next(const struct acd_state *cur, enum acd_status to, const char *reason, enum acd_by by,
	     int64_t now, int wrap_up_sec, struct acd_state *next, struct err_info *ei)
{
	int has_reason = reason && reason[0];
	int rc;

	if ((unsigned)to >= ACD_STATUS_COUNT)
		return err_set(ei, ERR_UNPROCESSABLE, "status", "status: unknown");
	rc = by == ACD_BY_SYSTEM ? system_allows(cur->status, to, ei)
				 : person_allows(cur->status, to, by, ei);
	if (rc < 0)
		return rc;
	/* CALL-15: a busy spell says why. */
	if (to == ACD_BUSY && !has_reason)
		return err_set(ei, ERR_UNPROCESSABLE, "reason", "reason: required when busy");
	if (to != ACD_BUSY && has_reason)
		return err_set(ei, ERR_UNPROCESSABLE, "reason", "reason: only busy takes a reason");
	if (to == cur->status && (to != ACD_BUSY || strcmp(cur->reason, reason) == 0))
		return ACD_UNCHANGED;

	*next = *cur;
	next->updated_at = now;
	next->reason[0] = '\0';
	next->wrap_until = 0;
	if (to == ACD_BUSY) {
		size_t len = strlen(reason);

		if (len >= sizeof(next->reason))
			return err_set(ei, ERR_UNPROCESSABLE, "reason", "reason: too long");
		memcpy(next->reason, reason, len + 1);
	}
	if (acd_status_away(to) && acd_status_away(cur->status)) {
		/*
		 * Another reason, or busy to break and back: the same spell away
		 * from the seat, so its start and its alert stay (CALL-15: switching
		 * between busy and break must not reset the clock).
		 */
		next->status = to;
		return 0;
	}
	next->status = to;
	next->since = now;
	next->busy_alerted = 0;
	if (to == ACD_WRAP_UP) {
		if (wrap_up_sec <= 0)
			next->status = ACD_READY; /* no after-call time configured */
		else
			next->wrap_until = now + (int64_t)wrap_up_sec * 1000;
	}
	return 0;
}

int64_t acd_busy_limit(int64_t now, int busy_max_min)
{
	return now - (int64_t)busy_max_min * 60000;
}

int acd_status_away(enum acd_status st)
{
	return st == ACD_BUSY || st == ACD_BREAK;
}

int acd_busy_overdue(const struct acd_state *st, int64_t now, int busy_max_min)
{
	return acd_status_away(st->status) && !st->busy_alerted &&
	       st->since <= acd_busy_limit(now, busy_max_min);
}

int acd_wrap_expired(const struct acd_state *st, int64_t now)
{
	return st->status == ACD_WRAP_UP && st->wrap_until <= now;
}

int acd_strategy_parse(const char *name)
{
	if (!name)
		return -1;
	if (!strcmp(name, "longest_idle"))
		return ACD_LONGEST_IDLE;
	if (!strcmp(name, "round_robin"))
		return ACD_ROUND_ROBIN;
	if (!strcmp(name, "ring_all"))
		return ACD_RING_ALL;
	return -1;
}

static int by_idle(const void *a, const void *b)
{
	const struct acd_candidate *x = a, *y = b;

	if (x->ready_since != y->ready_since)
		return x->ready_since < y->ready_since ? -1 : 1;
	return x->person_id < y->person_id ? -1 : x->person_id > y->person_id;
}

static int by_id(const void *a, const void *b)
{
	const struct acd_candidate *x = a, *y = b;

	return x->person_id < y->person_id ? -1 : x->person_id > y->person_id;
}

int acd_order(enum acd_strategy st, struct acd_candidate *c, int n, int64_t last_id)
{
	int first = 0;

	if (n <= 0)
		return 0;
	if (st != ACD_ROUND_ROBIN) {
		qsort(c, (size_t)n, sizeof(*c), by_idle);
		return st == ACD_RING_ALL ? n : 1;
	}
	/* Round robin: rotate the id order so the first one after last_id leads. */
	qsort(c, (size_t)n, sizeof(*c), by_id);
	while (first < n && c[first].person_id <= last_id)
		first++;
	if (first == n)
		first = 0;
	for (int k = 0; k < first; k++) {
		struct acd_candidate t = c[0];

		memmove(c, c + 1, (size_t)(n - 1) * sizeof(*c));
		c[n - 1] = t;
	}
	return 1;
}

int acd_expected_wait_sec(int pos, int agents, int aht_sec)
{
	long long w;

	if (pos <= 0 || aht_sec <= 0)
		return 0;
	w = (long long)pos * aht_sec / (agents > 0 ? agents : 1);
	return w > 86400 ? 86400 : (int)w;
}
