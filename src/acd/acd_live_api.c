/*
 * /api/acd/live: the wallboard's figures of the queues (ACT_ACD_READ), as
 * one answer or as a Server-Sent Events stream (acd_live_stream.c); and
 * /api/acd/callbacks: the callback requests callers left (ACT_CALLBACK),
 * listed with the number masked, revealed for a reason that is audited,
 * marked done with a note.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acd/acd.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/mask.h"
#include "http/http.h"
#include "store/store.h"

static json_t *ref_json(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

/* Basis points as a fraction with four decimals, or null. */
static json_t *bp_json(int bp)
{
	return bp < 0 ? json_null() : json_real(bp / 10000.0);
}

static json_t *figures_json(const struct acd_live_counts *c, int64_t now)
{
	struct acd_live_figures f;

	acd_live_figures(c, now, &f);
	return json_pack(
		"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o}", "waiting",
		(json_int_t)c->waiting, "longest_wait_ms", (json_int_t)f.longest_wait_ms, "offered",
		(json_int_t)c->offered, "answered", (json_int_t)c->answered, "answered_in_sl",
		(json_int_t)c->answered_in_sl, "abandoned", (json_int_t)c->abandoned, "callbacks",
		(json_int_t)c->callbacks, "callbacks_open", (json_int_t)c->callbacks_open,
		"waiting_within_sl", (json_int_t)c->waiting_young, "service_level",
		bp_json(f.service_level_bp), "asa_ms",
		f.asa_ms < 0 ? json_null() : json_integer(f.asa_ms), "abandon_rate",
		bp_json(f.abandon_rate_bp), "answer_rate", bp_json(f.answer_rate_bp));
}

static json_t *agents_json(const int counts[ACD_STATUS_COUNT])
{
	json_t *o = json_object();
	int seats = 0;

	if (!o)
		return NULL;
	for (int i = 0; i < ACD_STATUS_COUNT; i++) {
		json_object_set_new(o, acd_status_name((enum acd_status)i),
				    json_integer(counts[i]));
		seats += counts[i];
	}
	json_object_set_new(o, "seats", json_integer(seats));
	return o;
}

/* The higher modules' parts, in the order they were added (at start, before any thread). */
static acd_live_extra_fn live_extra[ACD_LIVE_EXTRA_MAX];
static int live_extras;

int acd_live_add_extra(acd_live_extra_fn fn)
{
	if (live_extras == ACD_LIVE_EXTRA_MAX)
		return ERR_TOOBIG;
	live_extra[live_extras++] = fn;
	return 0;
}

int acd_live_json(struct store *s, const struct config *cfg, int64_t now, int64_t from, int64_t to,
		  json_t **out)
{
	static const int max = ACD_LIVE_QUEUES_MAX;
	struct acd_live_queue *qs = calloc((size_t)max, sizeof(*qs));
	struct acd_live_counts total;
	int counts[ACD_STATUS_COUNT];
	json_t *queues = NULL, *o = NULL;
	char day[16];
	int ymd = clock_local_ymd(now), n = 0, rc;

	*out = NULL;
	if (!qs)
		return ERR_NOMEM;
	rc = acd_live_load(s, from, to, now, cfg->service_level_sec, qs, max, &n, &total);
	if (rc == 0)
		rc = acd_agent_counts(s, counts);
	if (rc < 0)
		goto out;
	queues = json_array();
	rc = ERR_NOMEM;
	if (!queues)
		goto out;
	for (int i = 0; i < n; i++) {
		/* The queue's code and name first, for people reading the JSON. */
		json_t *q = json_pack("{s:s, s:o}", "code", qs[i].code, "name",
				      qs[i].known ? json_string(qs[i].name) : json_null());
		json_t *f = figures_json(&qs[i].c, now);
		int bad = !q || !f || json_object_update(q, f) < 0;

		json_decref(f);
		if (bad || json_array_append_new(queues, q) < 0) {
			if (bad)
				json_decref(q);
			goto out;
		}
	}
	snprintf(day, sizeof(day), "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
	o = json_pack("{s:I, s:s, s:s, s:I, s:I, s:i, s:o, s:O, s:o}", "now", (json_int_t)now,
		      "day", day, "timezone", clock_tz_name(), "from", (json_int_t)from, "to",
		      (json_int_t)to, "sl_sec", cfg->service_level_sec, "total",
		      figures_json(&total, now), "queues", queues, "agents", agents_json(counts));
	if (!o)
		goto out;
	rc = 0;
	for (int i = 0; rc == 0 && i < live_extras; i++)
		rc = live_extra[i](s, now, o);
	if (rc < 0) {
		json_decref(o);
		goto out;
	}
	*out = o;
	rc = 0;
out:
	json_decref(queues);
	free(qs);
	return rc;
}

/* GET /api/acd/live[?from=&to=]: today's figures, or those of [from, to). */
static int live_get(struct req *r)
{
	int64_t from = 0, to = 0;
	json_t *o;
	int rc = req_query_int(r, "from", 1, INT64_MAX, &from);

	if (rc == 0)
		rc = req_query_int(r, "to", 1, INT64_MAX, &to);
	if (rc == 0)
		rc = acd_live_period(r->now, from, to, &from, &to, &r->ei);
	if (rc == 0)
		rc = acd_live_json(r->store, r->app->cfg, r->now, from, to, &o);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, o);
}

/* -- Callback requests -- */

static json_t *callback_json(const struct acd_callback *c)
{
	char masked[ACD_PHONE_MAX + 1];

	mask_phone(c->phone, masked, sizeof(masked));
	return json_pack("{s:I, s:I, s:s, s:o, s:s, s:I, s:s, s:o, s:o, s:o}", "id",
			 (json_int_t)c->id, "call_id", (json_int_t)c->call_id, "queue", c->queue,
			 "queue_name", c->queue_name[0] ? json_string(c->queue_name) : json_null(),
			 "phone", masked, "requested_at", (json_int_t)c->requested_at, "state",
			 c->done ? "done" : "open", "handled_by", ref_json(c->handled_by),
			 "handled_at", ref_json(c->handled_at), "note",
			 c->note[0] ? json_string(c->note) : json_null());
}

struct list_ctx {
	json_t *items;
	int64_t last_id;
};

static int list_row(void *ctx, const struct acd_callback *c)
{
	struct list_ctx *lc = ctx;
	json_t *o = callback_json(c);

	if (!o || json_array_append_new(lc->items, o) < 0)
		return ERR_NOMEM;
	lc->last_id = c->id;
	return 0;
}

/* GET /api/acd/callbacks?state=open|done: newest first, by cursor. */
static int callbacks_list(struct req *r)
{
	struct acd_callback_filter f;
	struct list_ctx lc = {NULL, 0};
	const char *state = NULL;
	int rc, n;

	memset(&f, 0, sizeof(f));
	rc = req_query(r, "state", &state);
	if (rc == 0)
		rc = req_page(r, &f.limit, &f.before_id);
	if (rc < 0)
		return rc;
	if (state && strcmp(state, "done") == 0)
		f.done = 1;
	else if (state && strcmp(state, "open") != 0)
		return err_set(&r->ei, ERR_INVALID, "state", "state: open or done");
	lc.items = json_array();
	if (!lc.items)
		return ERR_NOMEM;
	n = acd_callback_list(r->store, &f, list_row, &lc);
	if (n < 0) {
		json_decref(lc.items);
		return n;
	}
	return reply_page(r, lc.items, n == f.limit ? lc.last_id : 0);
}

static int load_callback(struct req *r, struct acd_callback *c)
{
	int64_t id = 0;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = acd_callback_get(r->store, id, c);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, rc, NULL, "no such callback request");
	return rc;
}

/* POST /api/acd/callbacks/{id}/reveal {"reason"}: the number, on record before it is shown. */
static int callback_reveal(struct req *r)
{
	static const char *const fields[] = {"reason", NULL};
	char reason[ACD_REVEAL_MAX * 4 + 1];
	struct acd_callback c;
	const char *text = NULL;
	int rc = body_only(r, fields);

	if (rc == 0)
		rc = load_callback(r, &c);
	if (rc == 0)
		rc = body_str(r, "reason", 0, &text);
	if (rc == 0)
		rc = acd_reveal_reason_clean(text, reason, sizeof(reason), &r->ei);
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = req_audit(r, "acd_callback.reveal", "acd_callback", c.id, "ok",
		       json_pack("{s:s}", "reason", reason));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200,
			  json_pack("{s:I, s:s}", "id", (json_int_t)c.id, "phone", c.phone));
}

/* POST /api/acd/callbacks/{id}/done {"note"}: handled; 409 when it was already. */
static int callback_done(struct req *r)
{
	static const char *const fields[] = {"note", NULL};
	char note[ACD_NOTE_MAX * 4 + 1];
	struct acd_callback c;
	const char *text = NULL;
	json_t *v = r->body ? json_object_get(r->body, "note") : NULL;
	int rc = body_only(r, fields);

	if (rc == 0)
		rc = load_callback(r, &c);
	if (rc == 0 && v && !json_is_null(v))
		rc = body_str(r, "note", 0, &text);
	if (rc == 0)
		rc = acd_note_clean(text, note, sizeof(note), &r->ei);
	if (rc < 0)
		return rc;
	if (c.done)
		return err_set(&r->ei, ERR_CONFLICT, NULL, "the callback request is done already");
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = acd_callback_mark_done(r->store, c.id, r->who.person_id, r->now, note);
	if (rc == ERR_CONFLICT)
		err_set(&r->ei, rc, NULL, "the callback request is done already");
	if (rc == 0)
		rc = req_audit(r, "acd_callback.done", "acd_callback", c.id, "ok",
			       json_pack("{s:s?}", "note", note[0] ? note : NULL));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = acd_callback_get(r->store, c.id, &c);
	if (rc < 0)
		return rc;
	acd_live_wake();
	return reply_json(r, 200, callback_json(&c));
}

const struct route acd_live_routes[] = {
	{"GET", "/api/acd/live", live_get, ACT_ACD_READ},
	{"GET", "/api/acd/live/stream", acd_live_stream_open, ACT_ACD_READ},
	{"GET", "/api/acd/callbacks", callbacks_list, ACT_CALLBACK},
	{"POST", "/api/acd/callbacks/{id}/reveal", callback_reveal, ACT_CALLBACK},
	{"POST", "/api/acd/callbacks/{id}/done", callback_done, ACT_CALLBACK},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
