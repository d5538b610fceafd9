/*
 * The tick of live guidance (see call.h), every round of the scheduler:
 * for each call an agent is talking on, the prompts the rules say have come
 * due by now and are not yet in the call log are written as "guide" events
 * by kefu, all in one transaction. The scheduler's clock is the test
 * clock's, so tests choose the moment; nothing here runs on the SIP thread.
 */
#include <stdlib.h>
#include <string.h>

#include "acd/acd.h"
#include "audit/audit.h"
#include "call/call.h"
#include "core/err.h"
#include "store/store.h"

#define GUIDE_CALLS_MAX 512

struct live_calls {
	int64_t ids[GUIDE_CALLS_MAX];
	int n;
};

static int live_row(void *ctx, int64_t call_id, int64_t agent_id)
{
	struct live_calls *l = ctx;

	(void)agent_id;
	if (l->n < GUIDE_CALLS_MAX)
		l->ids[l->n++] = call_id;
	return 0;
}

static int stored_has(const struct call_guide_key *k, int n, const struct call_guide_prompt *p)
{
	for (int i = 0; i < n; i++)
		if (k[i].hold == p->hold && k[i].n == p->n && !strcmp(k[i].rule, p->rule) &&
		    !strcmp(k[i].step, p->step))
			return 1;
	return 0;
}

/* Room for every prompt a call can have, stored and due: a prompt left
 * out of either list would be written again, or never. */
struct guide_room {
	struct call_guide_key stored[CALL_GUIDE_STORED_MAX];
	struct call_guide_prompt due[CALL_GUIDE_PROMPTS_MAX];
};

/* Writes the new prompts of one call; returns how many. */
static int guide_call(struct store *s, struct guide_room *room, int64_t call_id, int64_t now)
{
	struct call_guide_key *stored = room->stored;
	struct call_guide_prompt *due = room->due;
	struct call_guide_input in;
	int nstored = 0, ndue, added = 0;
	int rc = call_guide_read(s, call_id, now, &in, stored, &nstored);

	if (rc < 0)
		return rc == ERR_NOTFOUND ? 0 : rc;
	ndue = call_guide_due(&in, now, due, CALL_GUIDE_PROMPTS_MAX);
	for (int i = 0; i < ndue; i++) {
		struct audit_detail d;

		if (stored_has(stored, nstored, &due[i]))
			continue;
		audit_detail_init(&d);
		audit_detail_str(&d, "rule", due[i].rule);
		audit_detail_str(&d, "step", due[i].step);
		audit_detail_int(&d, "hold", due[i].hold);
		audit_detail_int(&d, "n", due[i].n);
		audit_detail_int(&d, "at_ms", due[i].due - in.connected_at);
		audit_detail_str(&d, "by", "kefu");
		rc = call_event_add(s, call_id, now, "guide", audit_detail_text(&d));
		audit_detail_release(&d);
		if (rc < 0)
			return rc;
		added++;
	}
	return added;
}

int call_guide_tick(struct store *s, int64_t now)
{
	struct live_calls live = {.n = 0};
	struct guide_room *room;
	int rc, total = 0;

	/* Without calls the write lock is not taken at all. Two rounds may run
	 * at once (the scheduler's and a test clock's): each call's stored
	 * prompts are read inside the write transaction (BEGIN IMMEDIATE), so
	 * a prompt is written once. */
	rc = call_guide_calls(s, live_row, &live);
	if (rc <= 0)
		return rc;
	room = malloc(sizeof(*room));
	if (!room)
		return ERR_NOMEM;
	rc = store_begin(s);
	if (rc < 0) {
		free(room);
		return rc;
	}
	for (int i = 0; i < live.n && rc >= 0; i++) {
		rc = guide_call(s, room, live.ids[i], now);
		if (rc > 0)
			total += rc;
	}
	free(room);
	if (rc >= 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	if (rc >= 0 && total)
		acd_live_wake(); /* the wallboard shows the new prompts soon */
	return rc < 0 ? rc : total;
}
