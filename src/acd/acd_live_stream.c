/*
 * GET /api/acd/live/stream: the wallboard's figures as Server-Sent Events
 * (event "acd.live", the JSON of GET /api/acd/live for today) every
 * ACD_LIVE_PERIOD_MS, and sooner after acd_live_wake(), for as long as the
 * session lives and its person may read them.
 *
 * A kind of the http module's event-stream hub (sse.c, http.h), like the
 * notification stream: the hub parks the connections (a stream holds
 * neither a worker thread nor a database connection), runs the kind's one
 * thread (started with the first stream, idle while there is none) and
 * ends every stream when the server stops. Each tick this file computes
 * the figures once and formats the event once, and the hub appends that
 * text to every stream; so a tick costs the same with one viewer or a
 * hundred, and nothing is computed while nobody watches. Reading the
 * tables (not a queue in this process) is what shows every app node's
 * calls and agents.
 *
 * Figures are only worth their latest value: a client that has not read
 * the previous events (STREAM_BEHIND bytes still waiting) skips the next,
 * so a slow reader costs at most that much memory and never a backlog.
 *
 * Every 30 s the hub asks still_allowed() about each stream: its session
 * (the test of notify_session_live: it exists, is not past its expiry, its
 * person is active) and the person's right to the figures now
 * (ACT_ACD_READ, so taking a supervisor's role away ends their stream).
 * A stream that fails either ends.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "acd/acd.h"
#include "core/clock.h"
#include "http/http.h"
#include "notify/notify.h"
#include "org/org.h"

#define STREAM_BEHIND (32 * 1024) /* a client with this much unread skips new figures */

static int produce(struct sse_tick *t);
static int still_allowed(struct sse_tick *t, const struct sse_slot *sl);

static const int period_ms = ACD_LIVE_PERIOD_MS;

static struct sse_kind kind = {
	.name = "acd",
	.period_ms = &period_ms,
	.min_gap_ms = ACD_LIVE_MIN_GAP_MS,
	.skip_unread = STREAM_BEHIND,
	.produce = produce,
	.allowed = still_allowed,
};

/* 1 while the stream's session lives and its person may read the figures, 0 when not. */
static int still_allowed(struct sse_tick *t, const struct sse_slot *sl)
{
	struct principal who;
	struct org_person p;
	int rc = notify_session_live(t->store, sl->session_id, t->now, t->idle_ms);

	if (rc <= 0)
		return rc;
	rc = org_person_get(t->store, sl->person_id, &p);
	if (rc == ERR_NOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	memset(&who, 0, sizeof(who));
	who.person_id = p.id;
	who.roles = p.roles;
	who.department_id = p.department_id;
	return auth_authorize(&who, ACT_ACD_READ, NULL) == 0;
}

/* The event every stream gets this tick, into t->all: the figures computed once. */
static int produce(struct sse_tick *t)
{
	const struct config *cfg = t->app->cfg;
	json_t *o = NULL;
	char *data;
	int rc = acd_live_json(t->store, cfg, t->now, clock_day_start(t->now),
			       clock_day_end(t->now), &o);

	if (rc < 0)
		return rc; /* the hub logs it; the streams get the next tick's figures */
	data = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	/* The JSON has no line breaks (jansson escapes them), so it is one data line. */
	if (data && buf_printf(&t->all, "event: acd.live\ndata: %s\n\n", data) < 0)
		buf_reset(&t->all); /* a part of an event must not go out */
	free(data);
	return 0;
}

void acd_live_wake(void)
{
	sse_wake(&kind);
}

int acd_live_stream_open(struct req *r)
{
	return sse_open(&kind, r, NULL);
}
