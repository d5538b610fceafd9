/*
 * Leave and swaps over HTTP (WFM-3, WFM-4): /api/wfm/leave,
 * /api/wfm/swaps and the agent's own month, GET /api/me/roster. Each step
 * is one transaction: the rules' check (wfm_leave.c) on the row as read in
 * the transaction, the change guarded by the state it was read in, the
 * roster's cells it moves, the notifications to whoever must act or should
 * know, and the audit entry. Who may take a step is the policy's action
 * (ACT_WFM_REQUEST for the agents' own, ACT_WFM_DECIDE for supervisors and
 * the manager), then the rules: a step that is not the person's or not
 * legal in the request's state is 409 with its reason.
 */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/utf8.h"
#include "http/http.h"
#include "notify/notify.h"
#include "store/store.h"
#include "wfm/wfm.h"

#define DECIDERS_MAX 64
#define TYPES_MAX 64
#define VIOLATIONS_MAX 64

/* ---- JSON ---- */

static json_t *ms_or_null(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* excused: attendance's own rule (wfm_attend_leave_state, WFM-4), at now. */
static json_t *leave_json(const struct wfm_leave *l, int64_t now)
{
	return json_pack(
		"{s:I, s:{s:I, s:s, s:s}, s:s, s:s, s:s, s:o, s:s, s:b, s:o, s:o, s:I,"
		" s:o, s:o, s:o, s:o}",
		"id", (json_int_t)l->id, "person", "id", (json_int_t)l->person_id, "name",
		l->person_name, "work_no", l->person_work_no, "kind", l->kind, "first_day",
		l->first_day, "last_day", l->last_day, "reason", str_or_null(l->reason), "state",
		l->state, "emergency", l->emergency, "paperwork_due", ms_or_null(l->paperwork_due),
		"paperwork_at", ms_or_null(l->paperwork_at), "requested_at",
		(json_int_t)l->requested_at, "decided_by",
		l->decided_by ? json_pack("{s:I, s:s}", "id", (json_int_t)l->decided_by, "name",
					  l->decided_by_name)
			      : json_null(),
		"decided_at", ms_or_null(l->decided_at), "decision_note",
		str_or_null(l->decision_note), "excused",
		json_boolean(wfm_attend_leave_state(l->emergency, l->paperwork_due, l->paperwork_at,
						    now) == WFM_LEAVE_EXCUSED));
}

static json_t *swap_json(const struct wfm_swap *w)
{
	return json_pack(
		"{s:I, s:s, s:{s:I, s:s, s:s}, s:{s:I, s:s, s:s}, s:{s:s, s:I, s:s, s:o},"
		" s:o, s:o, s:s, s:I, s:o, s:o, s:o, s:o}",
		"id", (json_int_t)w->id, "kind", w->kind, "requester", "id",
		(json_int_t)w->requester_id, "name", w->requester_name, "work_no",
		w->requester_work_no, "partner", "id", (json_int_t)w->partner_id, "name",
		w->partner_name, "work_no", w->partner_work_no, "a", "day", w->a_day,
		"shift_type_id", (json_int_t)w->a_shift_type_id, "shift_name", w->a_shift_name,
		"skill", str_or_null(w->a_skill), "b",
		w->b_day[0] ? json_pack("{s:s, s:I, s:s, s:o}", "day", w->b_day, "shift_type_id",
					(json_int_t)w->b_shift_type_id, "shift_name",
					w->b_shift_name, "skill", str_or_null(w->b_skill))
			    : json_null(),
		"reason", str_or_null(w->reason), "state", w->state, "asked_at",
		(json_int_t)w->asked_at, "signed_at", ms_or_null(w->signed_at), "decided_by",
		w->decided_by ? json_pack("{s:I, s:s}", "id", (json_int_t)w->decided_by, "name",
					  w->decided_by_name)
			      : json_null(),
		"decided_at", ms_or_null(w->decided_at), "decision_note",
		str_or_null(w->decision_note));
}

/* ---- body fields ---- */

static int body_text(struct req *r, const char *key, int required, char *dst, size_t size,
		     int chars)
{
	const char *s = NULL;
	int rc = body_str(r, key, required, &s);

	if (rc == 0 && s) {
		if (strlen(s) >= size || utf8_len(s) > (size_t)chars)
			return err_set(&r->ei, ERR_UNPROCESSABLE, key, "%s: at most %d characters",
				       key, chars);
		snprintf(dst, size, "%s", s);
	}
	return rc;
}

static int body_id(struct req *r, const char *key, int64_t *out)
{
	json_t *v = json_object_get(r->body, key);

	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return err_set(&r->ei, ERR_INVALID, key, "%s: expected an id", key);
	*out = json_integer_value(v);
	return 0;
}

/* ---- notifications ---- */

static int tell(struct req *r, int64_t person, const char *kind, const char *text)
{
	return notify_send(r->store, person, kind, 0, text, r->now);
}

/* Every active supervisor and manager but the one acting and the ones named. */
static int tell_deciders(struct req *r, const char *kind, const char *text, int64_t skip1,
			 int64_t skip2)
{
	int64_t ids[DECIDERS_MAX];
	int n = wfm_deciders(r->store, ids, DECIDERS_MAX), rc = 0;

	if (n < 0)
		return n;
	for (int i = 0; i < n && rc == 0; i++)
		if (ids[i] != r->who.person_id && ids[i] != skip1 && ids[i] != skip2)
			rc = tell(r, ids[i], kind, text);
	return rc;
}

static const char *kind_zh(const char *k)
{
	return !strcmp(k, "annual")	    ? "年假"
	       : !strcmp(k, "sick")	    ? "病假"
	       : !strcmp(k, "personal")	    ? "事假"
	       : !strcmp(k, "compensatory") ? "调休"
					    : k;
}

/* ---- leave ---- */

struct list_ctx {
	json_t *items;
	int64_t now;
};

static int leave_row(void *ctx, const struct wfm_leave *l)
{
	return json_array_append_new(((struct list_ctx *)ctx)->items,
				     leave_json(l, ((struct list_ctx *)ctx)->now));
}

static int swap_row(void *ctx, const struct wfm_swap *w)
{
	return json_array_append_new(((struct list_ctx *)ctx)->items, swap_json(w));
}

/*
 * The filter of a list: an agent sees their own requests only; a
 * supervisor or the manager sees all, or their own with mine=1.
 */
static int list_filter(struct req *r, struct wfm_request_filter *f, int swaps, char from[11],
		       char to[11])
{
	static const char *const leave_states[] = {"requested", "approved", "rejected", "cancelled",
						   NULL};
	static const char *const swap_states[] = {"asked",    "signed",	   "approved", "rejected",
						  "declined", "cancelled", NULL};
	const char *const *states = swaps ? swap_states : leave_states;
	const char *state = NULL, *mine = NULL, *month = NULL, *pid = NULL;
	int64_t person = 0;
	int rc = req_query(r, "state", &state), y, m;

	memset(f, 0, sizeof(*f));
	if (rc == 0)
		rc = req_query(r, "mine", &mine);
	if (rc == 0)
		rc = req_query(r, "month", &month);
	if (rc == 0)
		rc = req_query(r, "person_id", &pid);
	if (rc == 0 && pid)
		rc = req_query_int(r, "person_id", 0, INT64_MAX, &person);
	if (rc < 0)
		return rc;
	if (state) {
		size_t i;

		for (i = 0; states[i] && strcmp(states[i], state); i++)
			;
		if (!states[i])
			return err_set(&r->ei, ERR_INVALID, "state", "state: no such state");
		f->state = state;
	}
	if (month) {
		if (wfm_month_parse(month, &y, &m) < 0)
			return err_set(&r->ei, ERR_INVALID, "month", "month: a month as YYYY-MM");
		snprintf(from, 11, "%04d-%02d-01", y, m);
		snprintf(to, 11, "%04d-%02d-%02d", y, m, wfm_month_days(y, m));
		f->from = from;
		f->to = to;
	}
	if (auth_scope(&r->who, ACT_WFM_DECIDE) != SCOPE_ALL || (mine && !strcmp(mine, "1")))
		f->person_id = r->who.person_id;
	else
		f->person_id = person;
	f->limit = 500;
	return 0;
}

/* GET /api/wfm/leave and /api/wfm/swaps: one list of either kind of request. */
static int request_list(struct req *r, int swaps)
{
	struct wfm_request_filter f;
	struct list_ctx c = {NULL, r->now};
	char from[11] = "", to[11] = "";
	int rc = list_filter(r, &f, swaps, from, to);

	if (rc < 0)
		return rc;
	c.items = json_array();
	rc = swaps ? wfm_swap_list(r->store, &f, swap_row, &c)
		   : wfm_leave_list(r->store, &f, leave_row, &c);
	if (rc < 0) {
		json_decref(c.items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", c.items));
}

static int leave_list(struct req *r)
{
	return request_list(r, 0);
}

/* Removes the agent's cells of the leave's days from published rosters, audited. */
struct cleared {
	json_t *cells;
};

static int cleared_cell(void *ctx, const char *day, int64_t shift_type, const char *skill)
{
	return json_array_append_new(((struct cleared *)ctx)->cells,
				     json_pack("{s:s, s:I, s:o}", "day", day, "shift_type_id",
					       (json_int_t)shift_type, "skill",
					       str_or_null(skill)));
}

/*
 * Files a new version of each published month the changed cells fall in
 * (WFM-2: the 排班表 history holds every state of a published roster).
 */
static int refile_months(struct req *r, json_t *cells, const char *reason)
{
	char done[4][8] = {{0}};
	size_t i, nd = 0;
	json_t *c;
	int rc = 0;

	json_array_foreach(cells, i, c) {
		const char *day = json_string_value(json_object_get(c, "day"));
		char month[8];
		size_t k;

		if (!day || strlen(day) < 7)
			continue;
		snprintf(month, sizeof(month), "%.7s", day);
		for (k = 0; k < nd && strcmp(done[k], month) != 0; k++)
			;
		if (k < nd || nd == 4)
			continue;
		memcpy(done[nd++], month, sizeof(month));
		rc = wfm_roster_refile(r->store, month, r->who.person_id, reason, r->now);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int leave_clear_roster(struct req *r, const struct wfm_leave *l, json_t **cells)
{
	struct cleared c = {json_array()};
	char reason[64];
	int rc = wfm_roster_clear_leave(r->store, l->person_id, l->first_day, l->last_day,
					cleared_cell, &c);

	*cells = c.cells;
	snprintf(reason, sizeof(reason), "请假 #%lld", (long long)l->id);
	return rc < 0 ? rc : refile_months(r, c.cells, reason);
}

static const char *const ask_fields[] = {"kind", "first_day", "last_day", "reason", NULL};
static const char *const emergency_fields[] = {"person_id", "kind",   "first_day",
					       "last_day",  "reason", NULL};

/* POST /api/wfm/leave (the agent's own) and POST /api/wfm/leave/emergency. */
static int leave_create(struct req *r, int emergency)
{
	struct wfm_leave l;
	struct wfm_workdays w;
	char name[WFM_NAME_MAX * 4 + 1], text[NOTIFY_TEXT_SIZE];
	json_t *cells = NULL;
	unsigned roles = 0;
	int64_t first, last, overlap = 0, today = wfm_day_of(r->now);
	int rc = body_only(r, emergency ? emergency_fields : ask_fields);

	memset(&l, 0, sizeof(l));
	l.person_id = r->who.person_id;
	l.emergency = emergency;
	if (rc == 0 && emergency)
		rc = body_id(r, "person_id", &l.person_id);
	if (rc == 0)
		rc = body_text(r, "kind", 1, l.kind, sizeof(l.kind), 15);
	if (rc == 0)
		rc = body_text(r, "first_day", 1, l.first_day, sizeof(l.first_day), 10);
	if (rc == 0)
		rc = body_text(r, "last_day", 1, l.last_day, sizeof(l.last_day), 10);
	if (rc == 0)
		rc = body_text(r, "reason", 0, l.reason, sizeof(l.reason), WFM_REASON_MAX);
	if (rc < 0)
		return rc;
	rc = wfm_person(r->store, l.person_id, name, &roles);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "person_id", "person_id: no such person");
	if (rc < 0)
		return rc;
	rc = wfm_workdays_load(r->store, today, WFM_WINDOW_DAYS, &w);
	if (rc < 0)
		return rc;
	rc = wfm_leave_ask_check(&l, &w, r->now, &r->ei);
	if (rc < 0)
		return rc;
	wfm_day_parse(l.first_day, &first);
	wfm_day_parse(l.last_day, &last);
	snprintf(l.state, sizeof(l.state), "%s", emergency ? "approved" : "requested");
	l.requested_by = r->who.person_id;
	l.requested_at = l.updated_at = r->now;
	if (emergency) {
		/* WFM-4: the paperwork is due by the end of the first working day after. */
		rc = wfm_workdays_load(r->store, last + 1, WFM_WINDOW_DAYS, &w);
		if (rc < 0)
			return rc;
		l.paperwork_due = wfm_leave_paperwork_due(&w);
		l.decided_by = r->who.person_id;
		l.decided_at = r->now;
	}
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = wfm_leave_overlap(r->store, l.person_id, l.first_day, l.last_day, 0, &overlap);
	if (rc == 0 && overlap)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "first_day",
			     "these days overlap leave #%lld of the same person",
			     (long long)overlap);
	if (rc == 0)
		rc = wfm_leave_insert(r->store, &l);
	if (rc == 0 && emergency)
		rc = leave_clear_roster(r, &l, &cells);
	if (rc == 0)
		rc = wfm_leave_get(r->store, l.id, &l);
	if (rc == 0 && !emergency) {
		snprintf(text, sizeof(text), "%s 申请%s %s 至 %s，请审批", l.person_name,
			 kind_zh(l.kind), l.first_day, l.last_day);
		rc = tell_deciders(r, "wfm.leave", text, l.person_id, 0);
	}
	if (rc == 0 && emergency) {
		char due[32];
		int64_t dd = wfm_day_of(l.paperwork_due - 1);

		wfm_day_format(dd, due);
		snprintf(text, sizeof(text),
			 "%s 已为您登记紧急%s %s 至 %s，请在 %s 前补交请假手续，否则按旷工处理",
			 r->who.name, kind_zh(l.kind), l.first_day, l.last_day, due);
		rc = tell(r, l.person_id, "wfm.leave", text);
		if (rc == 0) {
			snprintf(text, sizeof(text), "%s 登记了 %s 的紧急%s %s 至 %s", r->who.name,
				 l.person_name, kind_zh(l.kind), l.first_day, l.last_day);
			rc = tell_deciders(r, "wfm.leave", text, l.person_id, 0);
		}
	}
	if (rc == 0)
		rc = req_audit(r, emergency ? "wfm.leave.emergency" : "wfm.leave.request",
			       "wfm_leave", l.id, "ok",
			       json_pack("{s:o, s:o}", "after", leave_json(&l, r->now),
					 "roster_removed", cells ? cells : json_array()));
	else
		json_decref(cells);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	notify_wake();
	return reply_json(r, 201, leave_json(&l, r->now));
}

static int leave_ask(struct req *r)
{
	return leave_create(r, 0);
}

static int leave_emergency(struct req *r)
{
	return leave_create(r, 1);
}

static const char *const note_fields[] = {"note", NULL};

/* The start of a step on a request: its id, the optional note, the transaction. */
static int step_open(struct req *r, int swap, int64_t *id, char *note, size_t size)
{
	int rc = req_param_id(r, 0, id);

	if (rc < 0)
		return swap ? err_set(&r->ei, ERR_NOTFOUND, NULL, "no such swap")
			    : err_set(&r->ei, ERR_NOTFOUND, NULL, "no such leave");
	rc = body_only(r, note_fields);
	if (rc == 0)
		rc = body_text(r, "note", 0, note, size, WFM_REASON_MAX);
	if (rc == 0)
		rc = store_begin(r->store);
	return rc;
}

/*
 * The end of a step: the audit entry with the request before and after it
 * (and the roster's cells the step changed, under cells_key), the commit and
 * the answer, which is the request after. Takes the three JSON values.
 */
static int step_close(struct req *r, int rc, const char *action, const char *entity, int64_t id,
		      json_t *before, json_t *after, const char *cells_key, json_t *cells)
{
	if (rc == 0) {
		json_t *d = json_pack("{s:O, s:O}", "before", before, "after", after);

		if (cells)
			json_object_set(d, cells_key, cells);
		rc = req_audit(r, action, entity, id, "ok", d);
	}
	json_decref(before);
	json_decref(cells);
	rc = req_finish(r, rc);
	if (rc < 0) {
		json_decref(after);
		return rc;
	}
	notify_wake();
	return reply_json(r, 200, after);
}

/* A step on one leave: approve, reject, cancel, paperwork. */
static int leave_step(struct req *r, enum wfm_step step)
{
	static const char *const actions[] = {[WFM_STEP_APPROVE] = "wfm.leave.approve",
					      [WFM_STEP_REJECT] = "wfm.leave.reject",
					      [WFM_STEP_CANCEL] = "wfm.leave.cancel",
					      [WFM_STEP_PAPERWORK] = "wfm.leave.paperwork",
					      [WFM_STEP_SIGN] = "",
					      [WFM_STEP_DECLINE] = ""};
	struct wfm_leave l, before;
	char text[NOTIFY_TEXT_SIZE], from[12], note[WFM_REASON_MAX * 4 + 1] = "";
	json_t *cells = NULL;
	int64_t id;
	int rc = step_open(r, 0, &id, note, sizeof(note));

	if (rc < 0)
		return rc;
	memset(&l, 0, sizeof(l));
	memset(&before, 0, sizeof(before));
	rc = wfm_leave_get(r->store, id, &l);
	if (rc == ERR_NOTFOUND)
		rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "no such leave");
	/* A step on someone else's request is refused by the rules with its reason (409):
	 * the request's id tells nothing of its content. */
	if (rc == 0)
		rc = wfm_leave_step_check(&l, step, r->who.person_id, r->now, &r->ei);
	if (rc < 0)
		goto out;
	before = l;
	snprintf(from, sizeof(from), "%s", l.state);
	if (step != WFM_STEP_PAPERWORK && step != WFM_STEP_CANCEL) {
		snprintf(l.decision_note, sizeof(l.decision_note), "%s", note);
		l.decided_by = r->who.person_id;
		l.decided_at = r->now;
	}
	l.updated_at = r->now;
	switch (step) {
	case WFM_STEP_APPROVE:
		snprintf(l.state, sizeof(l.state), "approved");
		rc = wfm_leave_update(r->store, &l, from);
		if (rc == 0)
			rc = leave_clear_roster(r, &l, &cells);
		snprintf(text, sizeof(text), "您的%s %s 至 %s 已获 %s 批准", kind_zh(l.kind),
			 l.first_day, l.last_day, r->who.name);
		if (rc == 0)
			rc = tell(r, l.person_id, "wfm.leave", text);
		break;
	case WFM_STEP_REJECT:
		snprintf(l.state, sizeof(l.state), "rejected");
		rc = wfm_leave_update(r->store, &l, from);
		snprintf(text, sizeof(text), "您的%s %s 至 %s 未获批准（%s）", kind_zh(l.kind),
			 l.first_day, l.last_day, r->who.name);
		if (rc == 0)
			rc = tell(r, l.person_id, "wfm.leave", text);
		break;
	case WFM_STEP_CANCEL:
		snprintf(l.state, sizeof(l.state), "cancelled");
		rc = wfm_leave_update(r->store, &l, from);
		/* Who decided (or must decide) should know; approved leave left a gap in the
		 * roster that the supervisor fills again. */
		snprintf(text, sizeof(text), "%s 撤销了%s %s 至 %s%s", l.person_name,
			 kind_zh(l.kind), l.first_day, l.last_day,
			 strcmp(from, "approved") ? "" : "，已批准的请假所空出的班次请重新安排");
		if (rc == 0)
			rc = tell_deciders(r, "wfm.leave", text, l.person_id, 0);
		break;
	case WFM_STEP_PAPERWORK:
		l.paperwork_at = r->now;
		rc = wfm_leave_update(r->store, &l, from);
		snprintf(text, sizeof(text), "您 %s 至 %s 紧急请假的手续已由 %s 确认收到",
			 l.first_day, l.last_day, r->who.name);
		if (rc == 0)
			rc = tell(r, l.person_id, "wfm.leave", text);
		break;
	case WFM_STEP_SIGN:
	case WFM_STEP_DECLINE:
		rc = ERR_INVALID;
		break;
	}
	if (rc == ERR_CONFLICT)
		rc = err_set(&r->ei, ERR_CONFLICT, "state", "the request was changed meanwhile");
	if (rc == 0)
		rc = wfm_leave_get(r->store, id, &l);
out:
	return step_close(r, rc, actions[step], "wfm_leave", id, leave_json(&before, r->now),
			  leave_json(&l, r->now), "roster_removed", cells);
}

static int leave_approve(struct req *r)
{
	return leave_step(r, WFM_STEP_APPROVE);
}

static int leave_reject(struct req *r)
{
	return leave_step(r, WFM_STEP_REJECT);
}

static int leave_cancel(struct req *r)
{
	return leave_step(r, WFM_STEP_CANCEL);
}

static int leave_paperwork(struct req *r)
{
	return leave_step(r, WFM_STEP_PAPERWORK);
}

/* ---- swaps ---- */

/* The start of a swap's earliest shift (UTC ms). */
static int64_t swap_first_start(struct req *r, const struct wfm_swap *w)
{
	int64_t start = INT64_MAX;
	const char *days[2] = {w->a_day, w->b_day};
	int64_t types[2] = {w->a_shift_type_id, w->b_shift_type_id};

	for (int i = 0; i < 2; i++) {
		struct wfm_shift_type t;
		int64_t d;

		if (!days[i][0] || wfm_day_parse(days[i], &d) < 0 ||
		    wfm_shift_type_get(r->store, types[i], &t) < 0)
			continue;
		if (wfm_day_start_ms(d) + (int64_t)t.seg[0].start * 60000 < start)
			start = wfm_day_start_ms(d) + (int64_t)t.seg[0].start * 60000;
	}
	return start;
}

/* The month of each day a swap touches must be published ("only on a published roster"). */
static int swap_published(struct req *r, const struct wfm_swap *w, int code)
{
	const char *days[2] = {w->a_day, w->b_day};

	for (int i = 0; i < 2; i++) {
		char month[8], state[12];
		int rc;

		if (!days[i][0])
			continue;
		snprintf(month, sizeof(month), "%.7s", days[i]);
		rc = wfm_roster_state(r->store, month, state);
		if (rc < 0)
			return rc;
		if (strcmp(state, "published"))
			return err_set(&r->ei, code, i ? "b_day" : "a_day",
				       "the roster of %s is not published", month);
	}
	return 0;
}

/*
 * The roster as the swap found it: A works a_shift on a_day, B works
 * b_shift on b_day (exchange), and the cells the swap fills are free. At
 * asking each failure is the asker's (422); later, the roster changed
 * since (409).
 */
static int swap_cells_hold(struct req *r, const struct wfm_swap *w, int asking)
{
	int64_t t;
	char skill[33];
	int rc, same = !strcmp(w->a_day, w->b_day);

	rc = wfm_roster_cell(r->store, w->a_day, w->requester_id, &t, skill);
	if (rc >= 0 && (t == 0 || t != w->a_shift_type_id || strcmp(skill, w->a_skill)))
		return asking ? err_set(&r->ei, ERR_UNPROCESSABLE, "a_day", "%s has no shift on %s",
					w->requester_name, w->a_day)
			      : err_set(&r->ei, ERR_CONFLICT, "state",
					"the roster changed since the swap was asked");
	if (rc >= 0 && w->b_day[0]) {
		rc = wfm_roster_cell(r->store, w->b_day, w->partner_id, &t, skill);
		if (rc >= 0 && (t == 0 || t != w->b_shift_type_id || strcmp(skill, w->b_skill)))
			return asking ? err_set(&r->ei, ERR_UNPROCESSABLE, "b_day",
						"%s has no shift on %s", w->partner_name, w->b_day)
				      : err_set(&r->ei, ERR_CONFLICT, "state",
						"the roster changed since the swap was asked");
	}
	/* The cells the swap fills must be rest days (one shift a day per agent). */
	if (rc >= 0 && !same) {
		rc = wfm_roster_cell(r->store, w->a_day, w->partner_id, &t, skill);
		if (rc >= 0 && t)
			return asking ? err_set(&r->ei, ERR_UNPROCESSABLE, "a_day",
						"%s already has a shift on %s", w->partner_name,
						w->a_day)
				      : err_set(&r->ei, ERR_CONFLICT, "state",
						"the roster changed since the swap was asked");
	}
	if (rc >= 0 && !same && w->b_day[0]) {
		rc = wfm_roster_cell(r->store, w->b_day, w->requester_id, &t, skill);
		if (rc >= 0 && t)
			return asking ? err_set(&r->ei, ERR_UNPROCESSABLE, "b_day",
						"%s already has a shift on %s", w->requester_name,
						w->b_day)
				      : err_set(&r->ei, ERR_CONFLICT, "state",
						"the roster changed since the swap was asked");
	}
	return rc < 0 ? rc : 0;
}

/* One hard violation as the agents read it, added to ei. */
static int violation_add(struct req *r, int rc, const struct wfm_roster_plan *p,
			 const struct wfm_violation *v, const char *name)
{
	char day[11] = "";

	if (v->day >= 0)
		wfm_day_format(clock_days_from_civil(p->year, p->month, 1) + v->day, day);
	switch (v->rule) {
	case WFM_R_DAY_MAX:
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "roster",
			       "%s on %s: more than %d paid minutes in a day", name, day, v->n[1]);
	case WFM_R_LEAVE:
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "roster",
			       "%s on %s: a shift on a day of approved leave", name, day);
	case WFM_R_CERTIFIED:
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "roster",
			       "%s on %s: not certified for duty", name, day);
	case WFM_R_SKILL:
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "roster",
			       "%s on %s: does not hold the seat of the shift", name, day);
	case WFM_R_INACTIVE:
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "roster",
			       "%s on %s: the shift type is no longer in use", name, day);
	case WFM_R_REST_WEEK:
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "roster",
			       "%s in the week of %s: fewer than %d days off", name, day, v->n[1]);
	case WFM_R_WEEK_AVG:
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "roster",
			       "%s: more than %d paid minutes a week on average", name, v->n[1]);
	case WFM_R_REST_BETWEEN:
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "roster",
			       "%s on %s: less than %d minutes off between two shifts", name, day,
			       v->n[1]);
	case WFM_R_OVERLAP:
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "roster",
			       "%s on %s: two shifts overlap", name, day);
	default:
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "roster", "%s: %s", name,
			       wfm_rule_name(v->rule));
	}
}

static int same_violation(const struct wfm_violation *a, const struct wfm_violation *b)
{
	return a->rule == b->rule && a->person_id == b->person_id && a->day == b->day;
}

/*
 * WFM-3, ORG-2, ORG-4 and the labour law: the roster as the swap would
 * leave it, re-checked for both agents with the roster rules, in each month
 * it touches and the month after (whose first week looks back). A hard
 * violation the swap brings (one the roster did not already have) refuses
 * the step: 422 listing each.
 */
static int swap_recheck(struct req *r, const struct wfm_swap *w)
{
	struct wfm_cell_change ch[4];
	struct wfm_shift_type types[TYPES_MAX];
	struct wfm_roster_agent agents[2];
	struct wfm_roster_plan p;
	struct wfm_violation before[VIOLATIONS_MAX], after[VIOLATIONS_MAX];
	int64_t persons[2] = {w->requester_id, w->partner_id};
	char months[4][32];
	int nch = wfm_swap_changes(w, ch), nm = 0, rc = 0, broke = 0;

	for (int i = 0; i < nch; i++) {
		int y, m;
		char mo[16], next[32];

		snprintf(mo, sizeof(mo), "%.7s", ch[i].day);
		if (wfm_month_parse(mo, &y, &m) < 0)
			continue;
		snprintf(next, sizeof(next), "%04d-%02d", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
		for (int k = 0; k < 2; k++) {
			const char *x = k ? next : mo;
			int seen = 0;

			for (int j = 0; j < nm; j++)
				seen |= !strcmp(months[j], x);
			if (!seen && nm < 4)
				snprintf(months[nm++], sizeof(months[0]), "%s", x);
		}
	}
	for (int mi = 0; mi < nm && rc >= 0; mi++) {
		char state[12];
		int y, m, nb, na;
		int64_t first;

		rc = wfm_roster_state(r->store, months[mi], state);
		if (rc < 0 || !state[0])
			continue;
		wfm_month_parse(months[mi], &y, &m);
		first = clock_days_from_civil(y, m, 1);
		rc = wfm_plan_load(r->store, y, m, persons, 2, types, TYPES_MAX, agents, &p);
		if (rc < 0)
			break;
		nb = wfm_roster_check(&p, before, VIOLATIONS_MAX);
		for (int i = 0; i < nch; i++) {
			int64_t d;
			size_t ag = ch[i].person_id == w->requester_id ? 0 : 1;
			int t = -1;

			if (wfm_day_parse(ch[i].day, &d) < 0)
				continue;
			for (size_t k = 0; k < p.ntypes && ch[i].shift_type_id; k++)
				if (p.types[k].id == ch[i].shift_type_id)
					t = (int)k;
			wfm_plan_set(&p, ag, d - first, t, wfm_skill_index(ch[i].skill));
		}
		na = wfm_roster_check(&p, after, VIOLATIONS_MAX);
		if (nb < 0 || na < 0) {
			rc = nb < 0 ? nb : na;
			break;
		}
		for (int i = 0; i < na && i < VIOLATIONS_MAX; i++) {
			int old = 0;

			if (!after[i].hard || !after[i].person_id)
				continue;
			for (int j = 0; j < nb && j < VIOLATIONS_MAX && !old; j++)
				old = same_violation(&after[i], &before[j]);
			if (old)
				continue;
			rc = violation_add(r, rc, &p, &after[i],
					   after[i].person_id == w->requester_id ? w->requester_name
										 : w->partner_name);
			broke = 1;
		}
	}
	if (rc >= 0 && broke)
		rc = ERR_UNPROCESSABLE;
	return rc;
}

/* Writes the swap's cells into the roster (after approval), each audited in the detail. */
static int swap_apply(struct req *r, const struct wfm_swap *w, json_t *cells)
{
	struct wfm_cell_change ch[4];
	int n = wfm_swap_changes(w, ch), rc = 0;

	char reason[64];

	for (int i = 0; i < n && rc == 0; i++) {
		rc = wfm_roster_cell_put(r->store, ch[i].day, ch[i].person_id, ch[i].shift_type_id,
					 ch[i].skill, r->who.person_id, r->now);
		if (rc == 0)
			json_array_append_new(
				cells,
				json_pack("{s:s, s:I, s:o}", "day", ch[i].day, "person_id",
					  (json_int_t)ch[i].person_id, "shift_type_id",
					  ch[i].shift_type_id ? json_integer(ch[i].shift_type_id)
							      : json_null()));
	}
	snprintf(reason, sizeof(reason), "调班 #%lld", (long long)w->id);
	return rc < 0 ? rc : refile_months(r, cells, reason);
}

static int swaps_list(struct req *r)
{
	return request_list(r, 1);
}

static const char *const swap_fields[] = {"kind", "partner_id", "a_day", "b_day", "reason", NULL};

/* POST /api/wfm/swaps: the agent's 调班申请单. */
static int swap_create(struct req *r)
{
	struct wfm_swap w;
	char text[NOTIFY_TEXT_SIZE];
	unsigned roles = 0;
	int rc = body_only(r, swap_fields);

	memset(&w, 0, sizeof(w));
	w.requester_id = r->who.person_id;
	if (rc == 0)
		rc = body_text(r, "kind", 1, w.kind, sizeof(w.kind), 9);
	if (rc == 0)
		rc = body_id(r, "partner_id", &w.partner_id);
	if (rc == 0)
		rc = body_text(r, "a_day", 1, w.a_day, sizeof(w.a_day), 10);
	if (rc == 0)
		rc = body_text(r, "b_day", 0, w.b_day, sizeof(w.b_day), 10);
	if (rc == 0)
		rc = body_text(r, "reason", 0, w.reason, sizeof(w.reason), WFM_REASON_MAX);
	if (rc < 0)
		return rc;
	rc = wfm_person(r->store, w.partner_id, w.partner_name, &roles);
	if (rc == ERR_NOTFOUND || (rc == 0 && !(roles & ROLE_AGENT)))
		return err_set(&r->ei, ERR_UNPROCESSABLE, "partner_id",
			       "partner_id: another agent");
	if (rc < 0)
		return rc;
	snprintf(w.requester_name, sizeof(w.requester_name), "%.*s",
		 (int)sizeof(w.requester_name) - 1, r->who.name);
	rc = wfm_swap_ask_check(&w, INT64_MAX, r->now, &r->ei);
	if (rc < 0)
		return rc;
	rc = swap_published(r, &w, ERR_UNPROCESSABLE);
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	/* The shifts as they are now, kept on the request. */
	rc = wfm_roster_cell(r->store, w.a_day, w.requester_id, &w.a_shift_type_id, w.a_skill);
	if (rc >= 0 && w.b_day[0])
		rc = wfm_roster_cell(r->store, w.b_day, w.partner_id, &w.b_shift_type_id,
				     w.b_skill);
	if (rc >= 0)
		rc = swap_cells_hold(r, &w, 1);
	if (rc == 0)
		rc = wfm_swap_ask_check(&w, swap_first_start(r, &w), r->now, &r->ei);
	snprintf(w.state, sizeof(w.state), "asked");
	w.asked_at = w.updated_at = r->now;
	if (rc == 0)
		rc = wfm_swap_insert(r->store, &w);
	if (rc == 0)
		rc = wfm_swap_get(r->store, w.id, &w);
	if (rc == 0) {
		if (w.b_day[0])
			snprintf(text, sizeof(text),
				 "%s 申请与您调班：其 %s %s 换您的 %s %s，请签字确认",
				 w.requester_name, w.a_day, w.a_shift_name, w.b_day,
				 w.b_shift_name);
		else
			snprintf(text, sizeof(text), "%s 申请由您代其 %s 的%s，请签字确认",
				 w.requester_name, w.a_day, w.a_shift_name);
		rc = tell(r, w.partner_id, "wfm.swap", text);
	}
	if (rc == 0)
		rc = req_audit(r, "wfm.swap.request", "wfm_swap", w.id, "ok",
			       json_pack("{s:o}", "after", swap_json(&w)));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	notify_wake();
	return reply_json(r, 201, swap_json(&w));
}

static int swap_step(struct req *r, enum wfm_step step)
{
	static const char *const actions[] = {
		[WFM_STEP_APPROVE] = "wfm.swap.approve", [WFM_STEP_REJECT] = "wfm.swap.reject",
		[WFM_STEP_CANCEL] = "wfm.swap.cancel",	 [WFM_STEP_PAPERWORK] = "",
		[WFM_STEP_SIGN] = "wfm.swap.sign",	 [WFM_STEP_DECLINE] = "wfm.swap.decline"};
	struct wfm_swap w, before;
	char text[NOTIFY_TEXT_SIZE], from[12], note[WFM_REASON_MAX * 4 + 1] = "";
	json_t *cells = NULL;
	int64_t id;
	int rc = step_open(r, 1, &id, note, sizeof(note));

	if (rc < 0)
		return rc;
	memset(&w, 0, sizeof(w));
	memset(&before, 0, sizeof(before));
	rc = wfm_swap_get(r->store, id, &w);
	if (rc == ERR_NOTFOUND)
		rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "no such swap");
	if (rc == 0)
		rc = wfm_swap_step_check(&w, step, r->who.person_id, swap_first_start(r, &w),
					 r->now, &r->ei);
	if (rc == 0 && (step == WFM_STEP_SIGN || step == WFM_STEP_APPROVE))
		rc = swap_published(r, &w, ERR_CONFLICT);
	if (rc == 0 && (step == WFM_STEP_SIGN || step == WFM_STEP_APPROVE))
		rc = swap_cells_hold(r, &w, 0);
	if (rc == 0 && (step == WFM_STEP_SIGN || step == WFM_STEP_APPROVE))
		rc = swap_recheck(r, &w);
	if (rc < 0)
		goto out;
	before = w;
	snprintf(from, sizeof(from), "%s", w.state);
	w.updated_at = r->now;
	switch (step) {
	case WFM_STEP_SIGN:
		snprintf(w.state, sizeof(w.state), "signed");
		w.signed_at = r->now;
		rc = wfm_swap_update(r->store, &w, from);
		snprintf(text, sizeof(text), "%s 已签字同意调班（%s %s），请审批", w.partner_name,
			 w.requester_name, w.a_day);
		if (rc == 0)
			rc = tell_deciders(r, "wfm.swap", text, w.requester_id, w.partner_id);
		snprintf(text, sizeof(text), "%s 已签字同意您的调班申请，等待主管审批",
			 w.partner_name);
		if (rc == 0)
			rc = tell(r, w.requester_id, "wfm.swap", text);
		break;
	case WFM_STEP_DECLINE:
		snprintf(w.state, sizeof(w.state), "declined");
		rc = wfm_swap_update(r->store, &w, from);
		snprintf(text, sizeof(text), "%s 没有同意您 %s 的调班申请", w.partner_name,
			 w.a_day);
		if (rc == 0)
			rc = tell(r, w.requester_id, "wfm.swap", text);
		break;
	case WFM_STEP_APPROVE:
	case WFM_STEP_REJECT:
		snprintf(w.state, sizeof(w.state),
			 step == WFM_STEP_APPROVE ? "approved" : "rejected");
		snprintf(w.decision_note, sizeof(w.decision_note), "%s", note);
		w.decided_by = r->who.person_id;
		w.decided_at = r->now;
		rc = wfm_swap_update(r->store, &w, from);
		if (rc == 0 && step == WFM_STEP_APPROVE) {
			cells = json_array();
			rc = swap_apply(r, &w, cells);
		}
		snprintf(text, sizeof(text), "%s 与 %s 的调班申请（%s）%s", w.requester_name,
			 w.partner_name, w.a_day,
			 step == WFM_STEP_APPROVE ? "已获批准，排班表已更新" : "未获批准");
		if (rc == 0)
			rc = tell(r, w.requester_id, "wfm.swap", text);
		if (rc == 0)
			rc = tell(r, w.partner_id, "wfm.swap", text);
		break;
	case WFM_STEP_CANCEL:
		snprintf(w.state, sizeof(w.state), "cancelled");
		rc = wfm_swap_update(r->store, &w, from);
		snprintf(text, sizeof(text), "%s 撤回了 %s 的调班申请", w.requester_name, w.a_day);
		if (rc == 0)
			rc = tell(r, w.partner_id, "wfm.swap", text);
		if (rc == 0 && !strcmp(from, "signed"))
			rc = tell_deciders(r, "wfm.swap", text, w.requester_id, w.partner_id);
		break;
	case WFM_STEP_PAPERWORK:
		rc = ERR_INVALID;
		break;
	}
	if (rc == ERR_CONFLICT)
		rc = err_set(&r->ei, ERR_CONFLICT, "state", "the request was changed meanwhile");
	if (rc == 0)
		rc = wfm_swap_get(r->store, id, &w);
out:
	return step_close(r, rc, actions[step], "wfm_swap", id, swap_json(&before), swap_json(&w),
			  "roster_changed", cells);
}

static int swap_sign(struct req *r)
{
	return swap_step(r, WFM_STEP_SIGN);
}

static int swap_decline(struct req *r)
{
	return swap_step(r, WFM_STEP_DECLINE);
}

static int swap_approve(struct req *r)
{
	return swap_step(r, WFM_STEP_APPROVE);
}

static int swap_reject(struct req *r)
{
	return swap_step(r, WFM_STEP_REJECT);
}

static int swap_cancel(struct req *r)
{
	return swap_step(r, WFM_STEP_CANCEL);
}

/* ---- GET /api/me/roster ---- */

static int cell_row(void *ctx, const struct wfm_cell *c)
{
	return json_array_append_new(
		ctx, json_pack("{s:s, s:I, s:s, s:s, s:s, s:o}", "day", c->day, "shift_type_id",
			       (json_int_t)c->shift_type_id, "shift_code", c->code, "shift_name",
			       c->name, "colour", c->colour, "skill", str_or_null(c->skill)));
}

static int calendar_row(void *ctx, const char *day, int holiday, int as_weekday)
{
	return json_array_append_new(((struct list_ctx *)ctx)->items,
				     json_pack("{s:s, s:b, s:b}", "day", day, "holiday", holiday,
					       "makeup", as_weekday > 0));
}

/*
 * The agent's own month: the shifts of a published roster (a draft is the
 * supervisor's work in progress), the shift types, the calendar's
 * holidays and make-up days, their leave and swaps touching the month.
 */
static int me_roster(struct req *r)
{
	const char *month = NULL;
	char first[11], last[11], state[12], mo[8];
	struct wfm_request_filter f = {0};
	struct list_ctx lc = {NULL, r->now}, sc = {NULL, r->now}, cc = {NULL, r->now};
	json_t *entries, *out;
	int y, m, rc = req_query(r, "month", &month);

	if (rc < 0)
		return rc;
	if (!month) {
		int ymd = clock_local_ymd(r->now);

		y = ymd / 10000;
		m = ymd / 100 % 100;
	} else if (wfm_month_parse(month, &y, &m) < 0) {
		return err_set(&r->ei, ERR_INVALID, "month", "month: a month as YYYY-MM");
	}
	snprintf(first, sizeof(first), "%04d-%02d-01", y, m);
	snprintf(last, sizeof(last), "%04d-%02d-%02d", y, m, wfm_month_days(y, m));
	snprintf(mo, sizeof(mo), "%04d-%02d", y, m);
	rc = wfm_roster_state(r->store, mo, state);
	if (rc < 0)
		return rc;
	entries = json_array();
	if (!strcmp(state, "published")) {
		rc = wfm_person_cells(r->store, r->who.person_id, first, last, cell_row, entries);
	}
	lc.items = json_array();
	sc.items = json_array();
	f.person_id = r->who.person_id;
	f.from = first;
	f.to = last;
	f.limit = 500;
	if (rc >= 0)
		rc = wfm_leave_list(r->store, &f, leave_row, &lc);
	if (rc >= 0)
		rc = wfm_swap_list(r->store, &f, swap_row, &sc);
	cc.items = json_array();
	if (rc >= 0)
		rc = wfm_calendar(r->store, first, last, calendar_row, &cc);
	out = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "month", mo, "state", str_or_null(state),
			"entries", entries, "leave", lc.items, "swaps", sc.items, "calendar",
			cc.items);
	if (rc < 0) {
		json_decref(out);
		return rc;
	}
	return reply_json(r, 200, out);
}

const struct route wfm_leave_routes[] = {
	{"GET", "/api/me/roster", me_roster, ACT_WFM_REQUEST},
	{"GET", "/api/wfm/leave", leave_list, ACT_WFM_REQUEST},
	{"POST", "/api/wfm/leave", leave_ask, ACT_WFM_REQUEST},
	{"POST", "/api/wfm/leave/emergency", leave_emergency, ACT_WFM_DECIDE},
	{"POST", "/api/wfm/leave/{id}/approve", leave_approve, ACT_WFM_DECIDE},
	{"POST", "/api/wfm/leave/{id}/reject", leave_reject, ACT_WFM_DECIDE},
	{"POST", "/api/wfm/leave/{id}/cancel", leave_cancel, ACT_WFM_REQUEST},
	{"POST", "/api/wfm/leave/{id}/paperwork", leave_paperwork, ACT_WFM_DECIDE},
	{"GET", "/api/wfm/swaps", swaps_list, ACT_WFM_REQUEST},
	{"POST", "/api/wfm/swaps", swap_create, ACT_WFM_REQUEST},
	{"POST", "/api/wfm/swaps/{id}/sign", swap_sign, ACT_WFM_REQUEST},
	{"POST", "/api/wfm/swaps/{id}/decline", swap_decline, ACT_WFM_REQUEST},
	{"POST", "/api/wfm/swaps/{id}/approve", swap_approve, ACT_WFM_DECIDE},
	{"POST", "/api/wfm/swaps/{id}/reject", swap_reject, ACT_WFM_DECIDE},
	{"POST", "/api/wfm/swaps/{id}/cancel", swap_cancel, ACT_WFM_REQUEST},
	{NULL, NULL, NULL, 0},
};
