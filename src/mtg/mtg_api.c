/*
 * Meetings, work logs and inspections over HTTP (the routes under /api/mtg; MTG-1, LED-1).
 * Every field is checked (several at once with err_add) and the caller's
 * right to the record decided before the write transaction begins; each
 * change is one transaction with its audit entry; illegal steps (marking a
 * cancelled meeting, a second "done") answer 409 and write nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/utf8.h"
#include "http/http.h"
#include "mtg/mtg.h"
#include "notify/notify.h"
#include "store/store.h"

static json_t *id_or_null(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

/* Reading only one's own: the policy gives the caller no more than self. */
static int self_only(struct req *r, enum auth_action a)
{
	return auth_scope(&r->who, a) == SCOPE_SELF;
}

/* A text field of at most max characters; empty counts as absent when required. */
static int text_add(struct req *r, const char *key, int required, size_t max, const char **out,
		    int rc)
{
	json_t *v = r->body ? json_object_get(r->body, key) : NULL;

	if (!v || (json_is_string(v) && !json_string_value(v)[0] && required)) {
		if (required)
			return err_add(&r->ei, rc, ERR_INVALID, key, "%s: required", key);
		return rc;
	}
	if (!json_is_string(v))
		return err_add(&r->ei, rc, ERR_INVALID, key, "%s: expected a string", key);
	if (utf8_len(json_string_value(v)) > max)
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, key, "%s: at most %d characters", key,
			       (int)max);
	*out = json_string_value(v);
	return rc;
}

/* An instant in UTC milliseconds. */
static int time_add(struct req *r, const char *key, int required, int64_t *out, int rc)
{
	json_t *v = r->body ? json_object_get(r->body, key) : NULL;

	if (!v) {
		if (required)
			return err_add(&r->ei, rc, ERR_INVALID, key, "%s: required", key);
		return rc;
	}
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return err_add(&r->ei, rc, ERR_INVALID, key,
			       "%s: a time in milliseconds since 1970", key);
	*out = json_integer_value(v);
	return rc;
}

/* A person id that names an active person. */
static int person_add(struct req *r, const char *key, int required, int64_t *out, int rc)
{
	json_t *v = r->body ? json_object_get(r->body, key) : NULL;
	int found;

	if (!v || json_is_null(v)) {
		if (required)
			return err_add(&r->ei, rc, ERR_INVALID, key, "%s: required", key);
		return rc;
	}
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return err_add(&r->ei, rc, ERR_INVALID, key, "%s: expected an id or null", key);
	found = mtg_person_active(r->store, json_integer_value(v));
	if (found < 0)
		return found;
	if (!found)
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, key, "%s: no such active person",
			       key);
	*out = json_integer_value(v);
	return rc;
}

/* A time range from the query (from, to: UTC milliseconds). */
static int query_range(struct req *r, int64_t *from, int64_t *to)
{
	int rc = req_query_int(r, "from", 0, INT64_MAX / 2, from);

	if (rc == 0)
		rc = req_query_int(r, "to", 0, INT64_MAX / 2, to);
	return rc;
}

/* Meetings. */

static json_t *meeting_json(const struct mtg_meeting *m)
{
	return json_pack(
		"{s:I, s:s, s:s, s:I, s:I, s:s, s:s, s:o, s:o, s:s, s:s, s:o, s:o, s:I}", "id",
		(json_int_t)m->id, "type", mtg_type_name(m->type), "title", m->title, "starts_at",
		(json_int_t)m->starts_at, "ends_at", (json_int_t)m->ends_at, "location",
		m->location, "agenda", m->agenda, "host_id", id_or_null(m->host_id), "host_name",
		m->host_id ? json_string(m->host_name) : json_null(), "state", m->state, "minutes",
		m->minutes, "routine", json_boolean(mtg_type_routine(m->type)), "notified_at",
		id_or_null(m->notified_at), "created_at", (json_int_t)m->created_at);
}

static int meeting_row(void *arg, const struct mtg_meeting *m)
{
	return json_array_append_new(arg, meeting_json(m));
}

static json_t *attendee_json(const struct mtg_attendee *a)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:o, s:o}", "id", (json_int_t)a->id,
			 "person_id", (json_int_t)a->person_id, "name", a->name, "work_no",
			 a->work_no, "status", mtg_attend_name(a->status), "marked_at",
			 id_or_null(a->marked_at), "marked_by", id_or_null(a->marked_by));
}

static int attendee_row(void *arg, const struct mtg_attendee *a)
{
	return json_array_append_new(arg, attendee_json(a));
}

static json_t *action_json(const struct mtg_action *a, int64_t now)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:I, s:s, s:I, s:s, s:o, s:o, s:s, s:b, s:I}", "id",
			 (json_int_t)a->id, "meeting_id", (json_int_t)a->meeting_id,
			 "meeting_title", a->meeting_title, "title", a->title, "owner_id",
			 (json_int_t)a->owner_id, "owner_name", a->owner_name, "due_at",
			 (json_int_t)a->due_at, "state", a->state, "done_at",
			 id_or_null(a->done_at), "done_by", id_or_null(a->done_by), "note", a->note,
			 "overdue", strcmp(a->state, "open") == 0 && a->due_at <= now, "created_at",
			 (json_int_t)a->created_at);
}

struct actions_out {
	json_t *items;
	int64_t now;
};

static int action_row(void *arg, const struct mtg_action *a)
{
	struct actions_out *o = arg;

	return json_array_append_new(o->items, action_json(a, o->now));
}

static int load_meeting(struct req *r, struct mtg_meeting *m)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = mtg_meeting_get(r->store, id, m);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such meeting");
	return rc;
}

/* The meeting with its attendees and action items. */
static int reply_meeting(struct req *r, unsigned status, const struct mtg_meeting *m)
{
	struct mtg_action_filter f = {m->id, 0, NULL, 0, 0};
	struct actions_out acts = {json_array(), r->now};
	json_t *o = meeting_json(m), *att = json_array();
	int rc = mtg_attendees(r->store, m->id, attendee_row, att);

	if (rc >= 0)
		rc = mtg_actions(r->store, &f, action_row, &acts);
	if (rc < 0) {
		json_decref(o);
		json_decref(att);
		json_decref(acts.items);
		return rc;
	}
	json_object_set_new(o, "attendees", att);
	json_object_set_new(o, "actions", acts.items);
	return reply_json(r, status, o);
}

/* GET /api/mtg/meetings?from&to&type: agents see the meetings they attend. */
static int meetings_list(struct req *r)
{
	struct mtg_meeting_filter f = {0, 0, -1, 0};
	const char *type = NULL;
	json_t *items;
	int rc = query_range(r, &f.from, &f.to);

	if (rc == 0)
		rc = req_query(r, "type", &type);
	if (rc < 0)
		return rc;
	if (type && (f.type = mtg_type_parse(type)) < 0)
		return err_set(&r->ei, ERR_INVALID, "type",
			       "type: daily, weekly_summary, monthly_summary, coordination, hygiene"
			       " or training_review");
	if (self_only(r, ACT_MTG_READ))
		f.person_id = r->who.person_id;
	items = json_array();
	rc = mtg_meetings(r->store, &f, meeting_row, items);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* The attendees' ids of a new meeting's body; 0 of them: every active agent. */
static int body_attendees(struct req *r, int64_t *ids, int max, int *n, int rc)
{
	json_t *v = r->body ? json_object_get(r->body, "attendees") : NULL, *x;
	size_t i;

	*n = 0;
	if (!v)
		return rc;
	if (!json_is_array(v) || json_array_size(v) > (size_t)max)
		return err_add(&r->ei, rc, ERR_INVALID, "attendees",
			       "attendees: a list of at most %d person ids", max);
	json_array_foreach(v, i, x)
	{
		int found;

		if (!json_is_integer(x) || json_integer_value(x) <= 0)
			return err_add(&r->ei, rc, ERR_INVALID, "attendees",
				       "attendees: a list of at most %d person ids", max);
		found = mtg_person_active(r->store, json_integer_value(x));
		if (found < 0)
			return found;
		if (!found)
			return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "attendees",
				       "%s: no such active person", "attendees");
		ids[(*n)++] = json_integer_value(x);
	}
	return rc;
}

#define ATTENDEES_MAX 200

/* POST /api/mtg/meetings: a supervisor or the manager calls a meeting. */
static int meeting_create(struct req *r)
{
	static const char *const fields[] = {"type",	     "title",	  "starts_at",
					     "duration_min", "location",  "agenda",
					     "host_id",	     "attendees", NULL};
	struct mtg_meeting *m = calloc(1, sizeof(*m));
	int64_t ids[ATTENDEES_MAX];
	const char *type = NULL, *title = NULL, *location = "", *agenda = "", *why = NULL;
	int duration = 60, n = 0, rc;

	if (!m)
		return ERR_NOMEM;
	rc = body_only(r, fields);
	if (rc < 0)
		goto out;
	rc = text_add(r, "type", 1, 32, &type, 0);
	if (type && (m->type = mtg_type_parse(type)) < 0)
		rc = err_add(&r->ei, rc, ERR_INVALID, "type",
			     "type: daily, weekly_summary, monthly_summary, coordination, hygiene"
			     " or training_review");
	rc = text_add(r, "title", 1, MTG_TEXT_MAX, &title, rc);
	rc = time_add(r, "starts_at", 1, &m->starts_at, rc);
	rc = body_int_add(r, "duration_min", &duration, rc);
	if (duration < 5 || duration > 480)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "duration_min",
			     "duration_min: 5 to 480");
	rc = text_add(r, "location", 0, MTG_TEXT_MAX, &location, rc);
	rc = text_add(r, "agenda", 0, MTG_BODY_MAX, &agenda, rc);
	rc = person_add(r, "host_id", 0, &m->host_id, rc);
	rc = body_attendees(r, ids, ATTENDEES_MAX, &n, rc);
	if (rc < 0)
		goto out;
	rc = mtg_meeting_check(m->type, m->starts_at, r->now, &why);
	if (rc < 0) {
		rc = err_set(&r->ei, rc, "starts_at", "%s", why);
		goto out;
	}
	snprintf(m->title, sizeof(m->title), "%s", title);
	snprintf(m->location, sizeof(m->location), "%s", location);
	snprintf(m->agenda, sizeof(m->agenda), "%s", agenda);
	m->ends_at = m->starts_at + (int64_t)duration * 60000;
	if (!m->host_id)
		m->host_id = r->who.person_id;
	m->created_by = r->who.person_id;
	m->created_at = r->now;
	rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	rc = mtg_meeting_insert(r->store, m, ids, n);
	if (rc == 0)
		rc = req_audit(r, "mtg.meeting.create", "mtg_meeting", m->id, "ok",
			       json_pack("{s:s, s:s, s:I, s:I}", "type", type, "title", title,
					 "starts_at", (json_int_t)m->starts_at, "attendees",
					 (json_int_t)n));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = mtg_meeting_get(r->store, m->id, m);
	if (rc == 0)
		rc = reply_meeting(r, 201, m);
out:
	free(m);
	return rc;
}

/* May the caller see this meeting: all of them, or one they attend or host. */
static int may_see(struct req *r, const struct mtg_meeting *m)
{
	int rc;

	if (!self_only(r, ACT_MTG_READ))
		return 0;
	rc = mtg_attends(r->store, m->id, r->who.person_id);
	if (rc < 0)
		return rc;
	return rc ? 0 : err_set(&r->ei, ERR_FORBIDDEN, NULL, "only the meeting's attendees");
}

/* GET /api/mtg/meetings/{id} */
static int meeting_get(struct req *r)
{
	struct mtg_meeting *m = malloc(sizeof(*m));
	int rc = m ? load_meeting(r, m) : ERR_NOMEM;

	if (rc == 0)
		rc = may_see(r, m);
	if (rc == 0)
		rc = reply_meeting(r, 200, m);
	free(m);
	return rc;
}

struct tell {
	struct store *s;
	const char *kind;
	char text[NOTIFY_TEXT_SIZE];
	int64_t now;
};

static int tell_row(void *arg, const struct mtg_attendee *a)
{
	struct tell *t = arg;

	return notify_send(t->s, a->person_id, t->kind, 0, t->text, t->now);
}

/* POST /api/mtg/meetings/{id}/cancel: a meeting not yet begun; its attendees told. */
static int meeting_cancel(struct req *r)
{
	struct mtg_meeting *m = malloc(sizeof(*m));
	struct tell t = {r->store, "meeting.cancelled", "", r->now};
	int rc = m ? load_meeting(r, m) : ERR_NOMEM;

	if (rc == 0 && (strcmp(m->state, "scheduled") != 0 || r->now >= m->starts_at))
		rc = err_set(&r->ei, ERR_CONFLICT, NULL,
			     "only a scheduled meeting that has not begun can be cancelled");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	rc = mtg_meeting_set_state(r->store, m->id, "cancelled", r->now);
	snprintf(t.text, sizeof(t.text), "会议取消：%.300s", m->title);
	/* Those who had the notice (or a routine meeting's, who expect it) hear of it. */
	if (rc == 0)
		rc = mtg_attendees(r->store, m->id, tell_row, &t);
	if (rc >= 0)
		rc = req_audit(r, "mtg.meeting.cancel", "mtg_meeting", m->id, "ok",
			       json_pack("{s:s, s:I}", "title", m->title, "starts_at",
					 (json_int_t)m->starts_at));
	rc = req_finish(r, rc < 0 ? rc : 0);
	if (rc == 0) {
		notify_wake();
		rc = mtg_meeting_get(r->store, m->id, m);
	}
	if (rc == 0)
		rc = reply_meeting(r, 200, m);
out:
	free(m);
	return rc;
}

/* PUT /api/mtg/meetings/{id}/attendance: {person_id, status}; once begun; audited. */
static int meeting_attendance(struct req *r)
{
	static const char *const fields[] = {"person_id", "status", NULL};
	struct mtg_meeting *m = malloc(sizeof(*m));
	struct mtg_attendee a;
	const char *status = NULL, *why = NULL;
	int64_t person = 0;
	int st = -1, late_entry = 0, rc = m ? load_meeting(r, m) : ERR_NOMEM;

	if (rc == 0)
		rc = body_only(r, fields);
	if (rc < 0)
		goto out;
	rc = person_add(r, "person_id", 1, &person, 0);
	rc = text_add(r, "status", 1, 16, &status, rc);
	if (status && (st = mtg_attend_parse(status)) < 0)
		rc = err_add(&r->ei, rc, ERR_INVALID, "status", "status: present, late or absent");
	if (rc < 0)
		goto out;
	rc = mtg_attendee_get(r->store, m->id, person, &a);
	if (rc == ERR_NOTFOUND)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "person_id",
			     "person_id: not an attendee of this meeting");
	if (rc == 0 &&
	    mtg_mark_check(m->state, m->starts_at, m->ends_at, r->now, &late_entry, &why) < 0)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "%s", why);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	rc = mtg_attendee_mark(r->store, a.id, st, r->who.person_id, r->now);
	/* Marked after the meeting ended: said so in the audit (LED-1). */
	if (rc == 0)
		rc = req_audit(r, "mtg.attendance", "mtg_meeting", m->id, "ok",
			       json_pack("{s:I, s:s, s:s, s:b}", "person_id", (json_int_t)person,
					 "from", mtg_attend_name(a.status), "to", status,
					 "after_the_fact", late_entry));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = mtg_attendee_get(r->store, m->id, person, &a);
	if (rc == 0)
		rc = reply_json(r, 200, attendee_json(&a));
out:
	free(m);
	return rc;
}

/* PUT /api/mtg/meetings/{id}/minutes: {minutes}; the meeting is then held. */
static int meeting_minutes(struct req *r)
{
	static const char *const fields[] = {"minutes", NULL};
	struct mtg_meeting *m = malloc(sizeof(*m));
	const char *minutes = NULL;
	int rc = m ? load_meeting(r, m) : ERR_NOMEM;

	if (rc == 0)
		rc = body_only(r, fields);
	if (rc == 0)
		rc = text_add(r, "minutes", 1, MTG_BODY_MAX, &minutes, 0);
	if (rc == 0 && strcmp(m->state, "cancelled") == 0)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the meeting was cancelled");
	if (rc == 0 && r->now < m->starts_at)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL,
			     "minutes are written once the meeting has begun");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	rc = mtg_meeting_set_minutes(r->store, m->id, minutes, r->now);
	if (rc == 0)
		rc = req_audit(r, "mtg.minutes", "mtg_meeting", m->id, "ok",
			       json_pack("{s:s, s:I}", "from_state", m->state, "chars",
					 (json_int_t)utf8_len(minutes)));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = mtg_meeting_get(r->store, m->id, m);
	if (rc == 0)
		rc = reply_meeting(r, 200, m);
out:
	free(m);
	return rc;
}

/* POST /api/mtg/meetings/{id}/actions: {title, owner_id, due_at}; the owner told. */
static int action_create(struct req *r)
{
	static const char *const fields[] = {"title", "owner_id", "due_at", NULL};
	struct mtg_meeting *m = malloc(sizeof(*m));
	struct mtg_action a;
	const char *title = NULL;
	char text[NOTIFY_TEXT_SIZE];
	int rc = m ? load_meeting(r, m) : ERR_NOMEM;

	memset(&a, 0, sizeof(a));
	if (rc == 0)
		rc = body_only(r, fields);
	if (rc < 0)
		goto out;
	rc = text_add(r, "title", 1, MTG_TEXT_MAX, &title, 0);
	rc = person_add(r, "owner_id", 1, &a.owner_id, rc);
	rc = time_add(r, "due_at", 1, &a.due_at, rc);
	if (a.due_at && a.due_at <= r->now)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "due_at",
			     "due_at: the due date must be in the future");
	if (rc < 0)
		goto out;
	if (strcmp(m->state, "cancelled") == 0) {
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the meeting was cancelled");
		goto out;
	}
	a.meeting_id = m->id;
	snprintf(a.title, sizeof(a.title), "%s", title);
	a.done_by = r->who.person_id; /* created_by, in the insert */
	a.created_at = r->now;
	rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	rc = mtg_action_insert(r->store, &a);
	snprintf(text, sizeof(text), "会议待办：%.300s（%.200s）", a.title, m->title);
	if (rc == 0)
		rc = notify_send(r->store, a.owner_id, "meeting.action", 0, text, r->now);
	if (rc == 0)
		rc = req_audit(r, "mtg.action.create", "mtg_meeting", m->id, "ok",
			       json_pack("{s:I, s:s, s:I, s:I}", "action_id", (json_int_t)a.id,
					 "title", a.title, "owner_id", (json_int_t)a.owner_id,
					 "due_at", (json_int_t)a.due_at));
	rc = req_finish(r, rc);
	if (rc == 0) {
		notify_wake();
		rc = mtg_action_get(r->store, a.id, &a);
	}
	if (rc == 0)
		rc = reply_json(r, 201, action_json(&a, r->now));
out:
	free(m);
	return rc;
}

/* GET /api/mtg/actions?state&owner_id&overdue: one's own, or anyone's for supervisors. */
static int actions_list(struct req *r)
{
	struct mtg_action_filter f = {0, 0, NULL, 0, 0};
	struct actions_out o = {NULL, r->now};
	int64_t overdue = 0;
	int rc = req_query(r, "state", &f.state);

	if (rc == 0)
		rc = req_query_int(r, "owner_id", 1, INT64_MAX, &f.owner_id);
	if (rc == 0)
		rc = req_query_int(r, "overdue", 0, 1, &overdue);
	if (rc < 0)
		return rc;
	if (f.state && strcmp(f.state, "open") != 0 && strcmp(f.state, "done") != 0)
		return err_set(&r->ei, ERR_INVALID, "state", "state: open or done");
	/* Overdue: open and past due. */
	if (overdue) {
		f.state = "open";
		f.due_before = r->now + 1;
	}
	if (auth_scope(&r->who, ACT_MTG_MANAGE) < SCOPE_ALL)
		f.owner_id = r->who.person_id;
	o.items = json_array();
	rc = mtg_actions(r->store, &f, action_row, &o);
	if (rc < 0) {
		json_decref(o.items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", o.items));
}

/* POST /api/mtg/actions/{id}/done: {note?}; the owner, a supervisor or the manager. */
static int action_done(struct req *r)
{
	static const char *const fields[] = {"note", NULL};
	struct mtg_action a;
	struct auth_target t = {0, 0};
	const char *note = "";
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = mtg_action_get(r->store, id, &a);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such action item");
	if (rc < 0)
		return rc;
	t.person_id = a.owner_id;
	rc = req_authorize(r, ACT_MTG_ACTION_DONE, &t);
	if (rc == 0)
		rc = body_only(r, fields);
	if (rc == 0)
		rc = text_add(r, "note", 0, MTG_TEXT_MAX, &note, 0);
	if (rc == 0 && strcmp(a.state, "open") != 0)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the action item is already done");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = mtg_action_done(r->store, a.id, r->who.person_id, note, r->now);
	if (rc == ERR_CONFLICT)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the action item is already done");
	if (rc == 0)
		rc = req_audit(r, "mtg.action.done", "mtg_meeting", a.meeting_id, "ok",
			       json_pack("{s:I, s:s, s:b}", "action_id", (json_int_t)a.id, "note",
					 note, "overdue", a.due_at <= r->now));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = mtg_action_get(r->store, a.id, &a);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, action_json(&a, r->now));
}

/* Schedules (the center's settings). */

static json_t *schedule_json(const struct mtg_schedule *sc)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:s, s:o, s:b}", "id",
			 (json_int_t)sc->id, "type", mtg_type_name(sc->type), "title", sc->title,
			 "freq", sc->freq, "weekday", sc->weekday, "monthday", sc->monthday,
			 "minute", sc->minute, "duration_min", sc->duration_min, "location",
			 sc->location, "host_id", id_or_null(sc->host_id), "active", sc->active);
}

static int schedule_row(void *arg, const struct mtg_schedule *sc)
{
	return json_array_append_new(arg, schedule_json(sc));
}

/* GET /api/mtg/schedules */
static int schedules_list(struct req *r)
{
	json_t *items = json_array();
	int rc = mtg_schedules(r->store, schedule_row, items);

	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* The schedule's fields from the body over sc (a new one's defaults, or the stored one). */
static int schedule_body(struct req *r, struct mtg_schedule *sc, int is_new)
{
	static const char *const fields[] = {
		"type",		"title",    "freq",    "weekday", "monthday", "minute",
		"duration_min", "location", "host_id", "active",  NULL};
	const char *type = NULL, *title = NULL, *freq = NULL, *location = NULL, *why = NULL;
	int rc = body_only(r, fields);

	if (rc < 0)
		return rc;
	rc = text_add(r, "type", is_new, 32, &type, 0);
	if (type && (sc->type = mtg_type_parse(type)) < 0)
		rc = err_add(&r->ei, rc, ERR_INVALID, "type",
			     "type: daily, weekly_summary, monthly_summary, coordination, hygiene"
			     " or training_review");
	rc = text_add(r, "title", is_new, MTG_TEXT_MAX, &title, rc);
	rc = text_add(r, "freq", is_new, 8, &freq, rc);
	rc = body_int_add(r, "weekday", &sc->weekday, rc);
	rc = body_int_add(r, "monthday", &sc->monthday, rc);
	rc = body_int_add(r, "minute", &sc->minute, rc);
	rc = body_int_add(r, "duration_min", &sc->duration_min, rc);
	rc = text_add(r, "location", 0, MTG_TEXT_MAX, &location, rc);
	if (body_has(r, "host_id") && json_is_null(json_object_get(r->body, "host_id")))
		sc->host_id = 0;
	else
		rc = person_add(r, "host_id", 0, &sc->host_id, rc);
	rc = body_bool_add(r, "active", &sc->active, rc);
	if (rc < 0)
		return rc;
	if (title)
		snprintf(sc->title, sizeof(sc->title), "%s", title);
	if (freq)
		snprintf(sc->freq, sizeof(sc->freq), "%s", freq);
	if (location)
		snprintf(sc->location, sizeof(sc->location), "%s", location);
	/* A frequency that does not use them leaves the weekday and the day of the month out. */
	if (strcmp(sc->freq, "weekly") != 0)
		sc->weekday = 0;
	if (strcmp(sc->freq, "monthly") != 0)
		sc->monthday = 0;
	if (mtg_schedule_check(sc, &why) < 0)
		return err_set(&r->ei, ERR_UNPROCESSABLE, NULL, "%s", why);
	return 0;
}

/* POST /api/mtg/schedules, PUT /api/mtg/schedules/{id} */
static int schedule_save(struct req *r)
{
	struct mtg_schedule sc, old;
	int64_t id = 0;
	int is_new = strcmp(r->method, "POST") == 0, rc = 0;

	memset(&sc, 0, sizeof(sc));
	sc.active = 1;
	sc.duration_min = 30;
	sc.minute = 540;
	if (!is_new) {
		rc = req_param_id(r, 0, &id);
		if (rc == 0)
			rc = mtg_schedule_get(r->store, id, &sc);
		if (rc == ERR_NOTFOUND)
			return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such meeting schedule");
		if (rc < 0)
			return rc;
	}
	old = sc;
	rc = schedule_body(r, &sc, is_new);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = mtg_schedule_save(r->store, &sc, r->now);
	if (rc == 0)
		rc = req_audit(r, is_new ? "mtg.schedule.create" : "mtg.schedule.update",
			       "mtg_schedule", sc.id, "ok",
			       json_pack("{s:o, s:o}", "from",
					 is_new ? json_null() : schedule_json(&old), "to",
					 schedule_json(&sc)));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, is_new ? 201 : 200, schedule_json(&sc));
}

/* Work logs (LED-1). */

static json_t *log_json(const struct mtg_log *l)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:I}", "id",
			 (json_int_t)l->id, "person_id", (json_int_t)l->person_id, "name", l->name,
			 "work_no", l->work_no, "kind", l->kind, "period", l->period, "body",
			 l->body, "comments", l->comments, "created_at", (json_int_t)l->created_at,
			 "updated_at", (json_int_t)l->updated_at);
}

static int log_row(void *arg, const struct mtg_log *l)
{
	return json_array_append_new(arg, log_json(l));
}

static json_t *comment_json(const struct mtg_comment *c)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:I}", "id", (json_int_t)c->id, "author_id",
			 (json_int_t)c->author_id, "author_name", c->author_name, "body", c->body,
			 "created_at", (json_int_t)c->created_at);
}

static int comment_row(void *arg, const struct mtg_comment *c)
{
	return json_array_append_new(arg, comment_json(c));
}

static int reply_log(struct req *r, unsigned status, const struct mtg_log *l)
{
	json_t *o = log_json(l), *items = json_array();
	int rc = mtg_comments(r->store, l->id, comment_row, items);

	if (rc < 0) {
		json_decref(o);
		json_decref(items);
		return rc;
	}
	json_object_set_new(o, "comment_list", items);
	return reply_json(r, status, o);
}

/* PUT /api/mtg/logs: {kind, period, body}, the caller's own log; every write audited. */
static int log_put(struct req *r)
{
	static const char *const fields[] = {"kind", "period", "body", NULL};
	struct mtg_log *l = calloc(1, sizeof(*l));
	const char *kind = NULL, *period = NULL, *body = NULL, *why = NULL;
	int created = 0, rc;

	if (!l)
		return ERR_NOMEM;
	rc = body_only(r, fields);
	if (rc < 0)
		goto out;
	rc = text_add(r, "kind", 1, 8, &kind, 0);
	rc = text_add(r, "period", 1, 10, &period, rc);
	rc = text_add(r, "body", 1, MTG_BODY_MAX, &body, rc);
	if (rc < 0)
		goto out;
	rc = mtg_log_period_check(kind, period, r->now, &why);
	if (rc < 0) {
		rc = err_set(&r->ei, rc, strncmp(why, "kind", 4) == 0 ? "kind" : "period", "%s",
			     why);
		goto out;
	}
	l->person_id = r->who.person_id;
	snprintf(l->kind, sizeof(l->kind), "%s", kind);
	snprintf(l->period, sizeof(l->period), "%s", period);
	snprintf(l->body, sizeof(l->body), "%s", body);
	rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	rc = mtg_log_put(r->store, l, r->now, &created);
	if (rc == 0)
		rc = req_audit(r, "mtg.log.write", "mtg_log", l->id, "ok",
			       json_pack("{s:s, s:s, s:b, s:I}", "kind", kind, "period", period,
					 "created", created, "chars", (json_int_t)utf8_len(body)));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = mtg_log_get(r->store, l->id, l);
	if (rc == 0)
		rc = reply_log(r, created ? 201 : 200, l);
out:
	free(l);
	return rc;
}

/* GET /api/mtg/logs?person_id&kind&from&to: an agent only their own. */
static int logs_list(struct req *r)
{
	struct mtg_log_filter f = {0, NULL, NULL, NULL};
	json_t *items;
	int rc = req_query_int(r, "person_id", 1, INT64_MAX, &f.person_id);

	if (rc == 0)
		rc = req_query(r, "kind", &f.kind);
	if (rc == 0)
		rc = req_query(r, "from", &f.from);
	if (rc == 0)
		rc = req_query(r, "to", &f.to);
	if (rc < 0)
		return rc;
	if (f.kind && strcmp(f.kind, "day") != 0 && strcmp(f.kind, "month") != 0)
		return err_set(&r->ei, ERR_INVALID, "kind", "kind: day or month");
	if (self_only(r, ACT_MTG_LOG_READ)) {
		if (f.person_id && f.person_id != r->who.person_id)
			return err_set(&r->ei, ERR_FORBIDDEN, NULL,
				       "only one's own work logs; the supervisor reads everyone's");
		f.person_id = r->who.person_id;
	}
	items = json_array();
	rc = mtg_logs(r->store, &f, log_row, items);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int load_log(struct req *r, struct mtg_log *l)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = mtg_log_get(r->store, id, l);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such work log");
	if (rc == 0 && self_only(r, ACT_MTG_LOG_READ) && l->person_id != r->who.person_id)
		return err_set(&r->ei, ERR_FORBIDDEN, NULL,
			       "only one's own work logs; the supervisor reads everyone's");
	return rc;
}

/* GET /api/mtg/logs/{id}: the log with its comments. */
static int log_get(struct req *r)
{
	struct mtg_log *l = malloc(sizeof(*l));
	int rc = l ? load_log(r, l) : ERR_NOMEM;

	if (rc == 0)
		rc = reply_log(r, 200, l);
	free(l);
	return rc;
}

/* POST /api/mtg/logs/{id}/comments: {body}; supervisors and the manager; the author told. */
static int log_comment(struct req *r)
{
	static const char *const fields[] = {"body", NULL};
	struct mtg_log *l = malloc(sizeof(*l));
	struct mtg_comment *c = calloc(1, sizeof(*c));
	const char *body = NULL;
	char text[NOTIFY_TEXT_SIZE];
	int rc = l && c ? load_log(r, l) : ERR_NOMEM;

	if (rc == 0)
		rc = body_only(r, fields);
	if (rc == 0)
		rc = text_add(r, "body", 1, MTG_BODY_MAX, &body, 0);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	c->log_id = l->id;
	c->author_id = r->who.person_id;
	c->created_at = r->now;
	snprintf(c->body, sizeof(c->body), "%s", body);
	rc = mtg_comment_insert(r->store, c);
	snprintf(text, sizeof(text), "主管点评了您的%s（%s）",
		 strcmp(l->kind, "day") == 0 ? "工作日志" : "月度总结", l->period);
	if (rc == 0 && l->person_id != r->who.person_id)
		rc = notify_send(r->store, l->person_id, "worklog.comment", 0, text, r->now);
	if (rc == 0)
		rc = req_audit(r, "mtg.log.comment", "mtg_log", l->id, "ok",
			       json_pack("{s:I, s:I}", "comment_id", (json_int_t)c->id, "person_id",
					 (json_int_t)l->person_id));
	rc = req_finish(r, rc);
	if (rc == 0) {
		notify_wake();
		rc = mtg_log_get(r->store, l->id, l);
	}
	if (rc == 0)
		rc = reply_log(r, 201, l);
out:
	free(l);
	free(c);
	return rc;
}

static int missing_row(void *arg, int64_t id, const char *name, const char *work_no)
{
	return json_array_append_new(arg, json_pack("{s:I, s:s, s:s}", "person_id", (json_int_t)id,
						    "name", name, "work_no", work_no));
}

/* GET /api/mtg/logs/missing?day=YYYY-MM-DD: the active agents with no daily log that day. */
static int logs_missing(struct req *r)
{
	const char *day = NULL, *why = NULL;
	char today[11];
	json_t *items;
	int rc = req_query(r, "day", &day);

	if (rc < 0)
		return rc;
	mtg_day_text(r->now, today, sizeof(today));
	if (!day)
		day = today;
	/* Any well-formed day: yesterday's or today's check says only that it parses. */
	if (mtg_log_period_check("day", day, r->now, &why) == ERR_INVALID)
		return err_set(&r->ei, ERR_INVALID, "day", "day: a date YYYY-MM-DD");
	items = json_array();
	rc = mtg_logs_missing(r->store, day, missing_row, items);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:s, s:o}", "day", day, "items", items));
}

/* Inspections (日常工作检查). */

static json_t *inspection_json(const struct mtg_inspection *in)
{
	return json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:i, s:I}", "id", (json_int_t)in->id,
			 "inspector_id", (json_int_t)in->inspector_id, "inspector_name",
			 in->inspector_name, "at", (json_int_t)in->at, "area", in->area, "notes",
			 in->notes, "findings", in->findings, "created_at",
			 (json_int_t)in->created_at);
}

static int inspection_row(void *arg, const struct mtg_inspection *in)
{
	return json_array_append_new(arg, inspection_json(in));
}

static json_t *finding_json(const struct mtg_finding *f)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:o, s:I}", "id", (json_int_t)f->id,
			 "person_id", (json_int_t)f->person_id, "name", f->name, "item", f->item,
			 "note", f->note, "category",
			 f->category[0] ? json_string(f->category) : json_null(), "recorded_at",
			 (json_int_t)f->recorded_at);
}

static int finding_row(void *arg, const struct mtg_finding *f)
{
	return json_array_append_new(arg, finding_json(f));
}

/* GET /api/mtg/inspections?from&to (default: the last 31 days). */
static int inspections_list(struct req *r)
{
	int64_t from = 0, to = 0;
	json_t *items;
	int rc = query_range(r, &from, &to);

	if (rc < 0)
		return rc;
	if (!to)
		to = r->now + 1;
	if (!from)
		from = to - 31 * MTG_DAY_MS;
	items = json_array();
	rc = mtg_inspections(r->store, from, to, inspection_row, items);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int reply_inspection(struct req *r, unsigned status, int64_t id)
{
	struct mtg_inspection *in = malloc(sizeof(*in));
	json_t *o, *items;
	int rc = in ? mtg_inspection_get(r->store, id, in) : ERR_NOMEM;

	if (rc == ERR_NOTFOUND)
		rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "no such inspection");
	if (rc < 0) {
		free(in);
		return rc;
	}
	o = inspection_json(in);
	free(in);
	items = json_array();
	rc = mtg_inspection_findings(r->store, id, finding_row, items);
	if (rc < 0) {
		json_decref(o);
		json_decref(items);
		return rc;
	}
	json_object_set_new(o, "finding_list", items);
	return reply_json(r, status, o);
}

/* GET /api/mtg/inspections/{id} */
static int inspection_get(struct req *r)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc < 0)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such inspection");
	return reply_inspection(r, 200, id);
}

#define FINDINGS_MAX 50

/* One finding of the body's list into f; every field checked. */
/*
 * A finding may propose a penalty in any category the people ledger has
 * active (perf's data, which the manager edits), except those whose amount
 * is the loss itself: a proposal cannot know it, the supervisor records
 * such a penalty by hand.
 */
static int category_proposable(struct req *r, json_t *cat)
{
	struct perf_category c;

	return json_is_string(cat) &&
	       perf_category_by_code(r->store, json_string_value(cat), &c) == 0 && c.active &&
	       !c.entered;
}

static int finding_body(struct req *r, json_t *x, struct mtg_finding *f, int rc)
{
	json_t *p = json_object_get(x, "person_id"), *item = json_object_get(x, "item"),
	       *note = json_object_get(x, "note"), *cat = json_object_get(x, "category");
	const char *k;
	json_t *v;
	int found;

	json_object_foreach(x, k, v)
	{
		if (strcmp(k, "person_id") && strcmp(k, "item") && strcmp(k, "note") &&
		    strcmp(k, "category"))
			return err_add(&r->ei, rc, ERR_INVALID, "findings", "%s: unknown field", k);
	}
	if (!json_is_integer(p) || json_integer_value(p) <= 0)
		return err_add(&r->ei, rc, ERR_INVALID, "findings",
			       "findings: each names a person_id");
	found = mtg_person_active(r->store, json_integer_value(p));
	if (found < 0)
		return found;
	if (!found)
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, "findings",
			       "%s: no such active person", "findings");
	if (!json_is_string(item) || !mtg_item_valid(json_string_value(item)))
		return err_add(&r->ei, rc, ERR_INVALID, "findings",
			       "findings: item is appearance, duty, service, hygiene or records");
	if (!json_is_string(note) || !json_string_value(note)[0] ||
	    utf8_len(json_string_value(note)) > MTG_TEXT_MAX)
		return err_add(&r->ei, rc, ERR_INVALID, "findings",
			       "findings: each has a note of 1 to 300 characters");
	if (cat && !json_is_null(cat) && !category_proposable(r, cat))
		return err_add(&r->ei, rc, ERR_INVALID, "findings",
			       "findings: category is a penalty category or null");
	f->person_id = json_integer_value(p);
	snprintf(f->item, sizeof(f->item), "%s", json_string_value(item));
	snprintf(f->note, sizeof(f->note), "%s", json_string_value(note));
	snprintf(f->category, sizeof(f->category), "%s",
		 cat && json_is_string(cat) ? json_string_value(cat) : "");
	return rc;
}

/* POST /api/mtg/inspections: {at?, area, notes?, findings: [...]}, the round as recorded. */
static int inspection_create(struct req *r)
{
	static const char *const fields[] = {"at", "area", "notes", "findings", NULL};
	struct mtg_inspection *in = calloc(1, sizeof(*in));
	struct mtg_finding *fs = calloc(FINDINGS_MAX, sizeof(*fs));
	const char *area = NULL, *notes = "";
	json_t *list = r->body ? json_object_get(r->body, "findings") : NULL, *x, *cats;
	size_t i, n = 0;
	int rc;

	if (!in || !fs) {
		rc = ERR_NOMEM;
		goto out;
	}
	rc = body_only(r, fields);
	if (rc < 0)
		goto out;
	in->at = r->now;
	rc = time_add(r, "at", 0, &in->at, 0);
	if (in->at > r->now + 60000 || in->at < r->now - 7 * MTG_DAY_MS)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "at",
			     "at: an inspection is recorded within a week of it, not ahead");
	rc = text_add(r, "area", 1, MTG_TEXT_MAX, &area, rc);
	rc = text_add(r, "notes", 0, MTG_BODY_MAX, &notes, rc);
	if (list && (!json_is_array(list) || json_array_size(list) > FINDINGS_MAX))
		rc = err_add(&r->ei, rc, ERR_INVALID, "findings", "findings: a list of at most %d",
			     FINDINGS_MAX);
	else if (list)
		json_array_foreach(list, i, x)
		{
			if (!json_is_object(x)) {
				rc = err_add(&r->ei, rc, ERR_INVALID, "findings",
					     "findings: a list of at most %d", FINDINGS_MAX);
				break;
			}
			rc = finding_body(r, x, &fs[n++], rc);
			if (rc < 0)
				break;
		}
	if (rc < 0)
		goto out;
	in->inspector_id = r->who.person_id;
	snprintf(in->area, sizeof(in->area), "%s", area);
	snprintf(in->notes, sizeof(in->notes), "%s", notes);
	in->created_at = r->now;
	rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	rc = mtg_inspection_insert(r->store, in);
	cats = json_array();
	for (i = 0; rc == 0 && i < n; i++) {
		fs[i].inspection_id = in->id;
		fs[i].recorded_at = r->now;
		rc = mtg_finding_insert(r->store, &fs[i]);
		if (rc == 0)
			json_array_append_new(cats, json_pack("{s:I, s:s, s:o}", "person_id",
							      (json_int_t)fs[i].person_id, "item",
							      fs[i].item, "category",
							      fs[i].category[0]
								      ? json_string(fs[i].category)
								      : json_null()));
	}
	if (rc == 0)
		rc = req_audit(r, "mtg.inspection.create", "mtg_inspection", in->id, "ok",
			       json_pack("{s:I, s:s, s:o}", "at", (json_int_t)in->at, "area",
					 in->area, "findings", cats));
	else
		json_decref(cats);
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = reply_inspection(r, 201, in->id);
out:
	free(in);
	free(fs);
	return rc;
}

const struct route mtg_routes[] = {
	{"GET", "/api/mtg/meetings", meetings_list, ACT_MTG_READ},
	{"POST", "/api/mtg/meetings", meeting_create, ACT_MTG_MANAGE},
	{"GET", "/api/mtg/meetings/{id}", meeting_get, ACT_MTG_READ},
	{"POST", "/api/mtg/meetings/{id}/cancel", meeting_cancel, ACT_MTG_MANAGE},
	{"PUT", "/api/mtg/meetings/{id}/attendance", meeting_attendance, ACT_MTG_MANAGE},
	{"PUT", "/api/mtg/meetings/{id}/minutes", meeting_minutes, ACT_MTG_MANAGE},
	{"POST", "/api/mtg/meetings/{id}/actions", action_create, ACT_MTG_MANAGE},
	{"GET", "/api/mtg/actions", actions_list, ACT_MTG_ACTION_DONE},
	{"POST", "/api/mtg/actions/{id}/done", action_done, ACT_MTG_ACTION_DONE},
	{"GET", "/api/mtg/schedules", schedules_list, ACT_MTG_MANAGE},
	{"POST", "/api/mtg/schedules", schedule_save, ACT_MTG_MANAGE},
	{"PUT", "/api/mtg/schedules/{id}", schedule_save, ACT_MTG_MANAGE},
	{"GET", "/api/mtg/logs", logs_list, ACT_MTG_LOG_READ},
	{"PUT", "/api/mtg/logs", log_put, ACT_MTG_LOG_WRITE},
	{"GET", "/api/mtg/logs/missing", logs_missing, ACT_MTG_LOG_COMMENT},
	{"GET", "/api/mtg/logs/{id}", log_get, ACT_MTG_LOG_READ},
	{"POST", "/api/mtg/logs/{id}/comments", log_comment, ACT_MTG_LOG_COMMENT},
	{"GET", "/api/mtg/inspections", inspections_list, ACT_MTG_INSPECT},
	{"POST", "/api/mtg/inspections", inspection_create, ACT_MTG_INSPECT},
	{"GET", "/api/mtg/inspections/{id}", inspection_get, ACT_MTG_INSPECT},
	{NULL, NULL, NULL, 0},
};
