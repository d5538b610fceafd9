/*
 * The SQL of work orders. Callers hold the transaction; nothing here
 * begins or commits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "store/store.h"
#include "wo/wo.h"
#include "wo/wo_config.h"

/* The engine's view of a class: the rule wo_config_class_get reads, without its time. */
int wo_class_get(struct store *s, const char *code, struct wo_class_rule *out)
{
	struct wo_config_class c;
	int rc = wo_config_class_get(s, code, &c);

	if (rc == 0)
		*out = c.rule;
	return rc;
}

int wo_level_onsite(struct store *s, const char *code)
{
	int64_t onsite = 0;
	int rc = store_run(s, "SELECT onsite FROM wo_level WHERE code = ?", &onsite, "t", code);

	if (rc < 0)
		return rc;
	return rc ? (int)onsite : ERR_NOTFOUND;
}

/* ---- third parties and referrals (seed 002 §5) ---- */

#define THIRD_PARTY_COLS "id, name, kind, contact, active, updated_at"

static int third_party_read(struct store_stmt *st, void *dst)
{
	struct wo_third_party *tp = dst;

	tp->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, tp->name);
	STORE_COL_COPY(st, 2, tp->kind);
	STORE_COL_COPY(st, 3, tp->contact);
	tp->active = (int)store_col_int(st, 4);
	tp->updated_at = store_col_int(st, 5);
	return 0;
}

int wo_third_party_get(struct store *s, int64_t id, struct wo_third_party *out)
{
	return store_one(store_query(s,
				     "SELECT " THIRD_PARTY_COLS " FROM wo_third_party WHERE id = ?",
				     "i", id),
			 third_party_read, out);
}

int wo_third_party_list(struct store *s, int (*row)(void *, const struct wo_third_party *),
			void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT " THIRD_PARTY_COLS " FROM wo_third_party"
					    " ORDER BY active DESC, name",
					    "");
	struct wo_third_party tp;
	int rc, n = 0;

	while ((rc = store_next(st, third_party_read, &tp)) == 1 && (rc = row(ctx, &tp)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int wo_third_party_put(struct store *s, struct wo_third_party *tp, int64_t now)
{
	int64_t id = 0;
	int rc;

	if (store_run(s, "SELECT id FROM wo_third_party WHERE name = ? AND id <> ?", &id, "ti",
		      tp->name, tp->id) == 1)
		return ERR_CONFLICT;
	if (tp->id)
		rc = store_run(
			s,
			"UPDATE wo_third_party SET name = ?, kind = ?, contact = ?, active = ?,"
			" updated_at = ? WHERE id = ?",
			NULL, "tttiii", tp->name, tp->kind, tp->contact, (int64_t)tp->active, now,
			tp->id);
	else
		rc = store_run(s,
			       "INSERT INTO wo_third_party(name, kind, contact, active, updated_at)"
			       " VALUES (?, ?, ?, ?, ?) RETURNING id",
			       &tp->id, "tttii", tp->name, tp->kind, tp->contact,
			       (int64_t)tp->active, now);
	if (rc >= 0)
		tp->updated_at = now;
	return rc < 0 ? rc : 0;
}

int wo_referral_add(struct store *s, int64_t order_id, int64_t third_party_id, int64_t by,
		    const char *note, int64_t now)
{
	int rc = store_run(
		s,
		"INSERT INTO wo_referral(order_id, third_party_id, note, referred_at, referred_by)"
		" VALUES (?, ?, ?, ?, ?)",
		NULL, "iiTid", order_id, third_party_id, note, now, by);

	return rc < 0 ? rc : 0;
}

int wo_referral_close(struct store *s, int64_t order_id, const char *what, const char *text,
		      int64_t by, int64_t now)
{
	int answer = strcmp(what, "answer") == 0;
	int rc = store_run(
		s,
		answer ? "UPDATE wo_referral SET answer = ?, answered_by = ?, answered_at = ?"
			 " WHERE id = (SELECT max(id) FROM wo_referral WHERE order_id = ?)"
		       : "UPDATE wo_referral SET relay_note = ?, relayed_by = ?, relayed_at = ?"
			 " WHERE id = (SELECT max(id) FROM wo_referral WHERE order_id = ?)",
		NULL, "tdii", text, by, now, order_id);

	return rc < 0 ? rc : 0;
}

int wo_referral_state(struct store *s, int64_t order_id)
{
	int64_t state = WOR_NONE;
	int rc = store_run(s,
			   "SELECT CASE WHEN relayed_at IS NOT NULL THEN 3"
			   " WHEN answered_at IS NOT NULL THEN 2 ELSE 1 END"
			   " FROM wo_referral WHERE order_id = ? ORDER BY id DESC LIMIT 1",
			   &state, "i", order_id);

	return rc < 0 ? rc : (int)state;
}

/* Every field but order_id, which the caller set. */
static int referral_read(struct store_stmt *st, void *dst)
{
	struct wo_referral *x = dst;

	x->id = store_col_int(st, 0);
	x->third_party_id = store_col_int(st, 1);
	x->third_party_name = store_col_text(st, 2);
	x->note = store_col_text(st, 3);
	x->answer = store_col_text(st, 4);
	x->relay_note = store_col_text(st, 5);
	x->referred_at = store_col_int(st, 6);
	x->referred_by = store_col_int(st, 7);
	x->answered_at = store_col_int(st, 8);
	x->answered_by = store_col_int(st, 9);
	x->relayed_at = store_col_int(st, 10);
	x->relayed_by = store_col_int(st, 11);
	return 0;
}

int wo_referral_list(struct store *s, int64_t order_id,
		     int (*row)(void *, const struct wo_referral *), void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT r.id, r.third_party_id, t.name, r.note, r.answer, r.relay_note,"
		" r.referred_at, r.referred_by, r.answered_at, r.answered_by, r.relayed_at,"
		" r.relayed_by FROM wo_referral r JOIN wo_third_party t ON t.id = r.third_party_id"
		" WHERE r.order_id = ? ORDER BY r.id",
		"i", order_id);
	struct wo_referral x = {.order_id = order_id};
	int rc, n = 0;

	while ((rc = store_next(st, referral_read, &x)) == 1 && (rc = row(ctx, &x)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int64_t wo_setting(struct store *s, const char *key, int64_t fallback)
{
	int64_t v = fallback;

	if (store_run(s, "SELECT value FROM wo_setting WHERE key = ?", &v, "t", key) != 1)
		return fallback;
	return v;
}

#define ORDER_COLS                                                                                 \
	"id, number, class, level, complaint, onsite, state, customer_id, subject_id,"             \
	" department_id, owner_id, first_agent_id, parent_id, related_id, summary, report,"        \
	" close_reason, escalation_level, created_at, updated_at, dispatched_at, reported_at,"     \
	" archived_at, archive_month, version, phone, region"

/* Assigns every field of o (no memset: an order is 45 KB and lists read many). */
static int order_read(struct store_stmt *st, void *dst)
{
	struct wo_order *o = dst;
	int state = wo_state_parse(store_col_text(st, 6));

	o->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, o->number);
	STORE_COL_COPY(st, 2, o->class_code);
	STORE_COL_COPY(st, 3, o->level);
	STORE_COL_COPY(st, 4, o->complaint);
	o->onsite = (int)store_col_int(st, 5);
	o->state = state < 0 ? WO_NEW : (enum wo_state)state;
	o->customer_id = store_col_int(st, 7);
	o->subject_id = store_col_int(st, 8);
	o->department_id = store_col_int(st, 9);
	o->owner_id = store_col_int(st, 10);
	o->first_agent_id = store_col_int(st, 11);
	o->parent_id = store_col_int(st, 12);
	o->related_id = store_col_int(st, 13);
	STORE_COL_COPY(st, 14, o->summary);
	STORE_COL_COPY(st, 15, o->report);
	STORE_COL_COPY(st, 16, o->close_reason);
	o->escalation_level = (int)store_col_int(st, 17);
	o->created_at = store_col_int(st, 18);
	o->updated_at = store_col_int(st, 19);
	o->dispatched_at = store_col_int(st, 20);
	o->reported_at = store_col_int(st, 21);
	o->archived_at = store_col_int(st, 22);
	o->archive_month = (int)store_col_int(st, 23);
	o->version = store_col_int(st, 24);
	STORE_COL_COPY(st, 25, o->phone);
	STORE_COL_COPY(st, 26, o->region);
	return 0;
}

int wo_order_get(struct store *s, int64_t id, struct wo_order *o)
{
	return store_one(
		store_query(s, "SELECT " ORDER_COLS " FROM work_order WHERE id = ?", "i", id),
		order_read, o);
}

/* Binds the columns both insert and update write, from index 1; "" and 0 as NULL. */
static int bind_order(struct store_stmt *st, const struct wo_order *o)
{
	return store_bindf(st, 1, "tTTitddddddtTTiddddTT", o->class_code, o->level, o->complaint,
			   (int64_t)o->onsite, wo_state_name(o->state), o->customer_id,
			   o->subject_id, o->department_id, o->owner_id, o->parent_id,
			   o->related_id, o->summary, o->report, o->close_reason,
			   (int64_t)o->escalation_level, o->dispatched_at, o->reported_at,
			   o->archived_at, (int64_t)o->archive_month, o->phone, o->region);
}

int wo_order_insert(struct store *s, struct wo_order *o)
{
	struct store_stmt *st = store_prepare(
		s, "INSERT INTO work_order(class, level, complaint, onsite, state, customer_id,"
		   " subject_id, department_id, owner_id, parent_id, related_id, summary, report,"
		   " close_reason, escalation_level, dispatched_at, reported_at, archived_at,"
		   " archive_month, phone, region, number, first_agent_id, created_at, updated_at,"
		   " version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1) RETURNING id");
	int rc = bind_order(st, o);

	if (rc == 0)
		rc = store_bindf(st, 22, "tiii", o->number, o->first_agent_id, o->created_at,
				 o->updated_at);
	rc = store_once(st, rc, &o->id);
	o->version = 1;
	return rc < 0 ? rc : 0;
}

int wo_order_save(struct store *s, struct wo_order *o, int64_t now)
{
	struct store_stmt *st = store_prepare(
		s,
		"UPDATE work_order SET class = ?, level = ?, complaint = ?, onsite = ?, state = ?,"
		" customer_id = ?, subject_id = ?, department_id = ?, owner_id = ?, parent_id = ?,"
		" related_id = ?, summary = ?, report = ?, close_reason = ?, escalation_level = ?,"
		" dispatched_at = ?, reported_at = ?, archived_at = ?, archive_month = ?,"
		" phone = ?, region = ?, updated_at = ?, version = version + 1"
		" WHERE id = ? AND version = ?");
	int rc = bind_order(st, o);

	if (rc == 0)
		rc = store_bindf(st, 22, "iii", now, o->id, o->version);
	rc = store_once(st, rc, NULL);
	if (rc < 0)
		return rc;
	if (store_changes(s) == 0)
		return ERR_CONFLICT;
	o->version++;
	o->updated_at = now;
	return 0;
}

int wo_next_seq(struct store *s, int ymd, const char *class_code, int *seq)
{
	int64_t n = 0;
	int rc = store_run(s,
			   "INSERT INTO wo_counter(day, class, n) VALUES (?, ?, 1)"
			   " ON CONFLICT(day, class) DO UPDATE SET n = wo_counter.n + 1 RETURNING n",
			   &n, "it", (int64_t)ymd, class_code);

	*seq = (int)n;
	return rc < 0 ? rc : 0;
}

/*
 * The search index holds the words people look for: number, summary, the
 * report's texts and reasons. Only the report's values are indexed, never
 * its JSON: its keys ("solution") would otherwise match every reported
 * order. Migration 8 rebuilt the index the same way.
 */
int wo_search_put(struct store *s, const struct wo_order *o)
{
	int rc = store_run(s, "DELETE FROM wo_search WHERE rowid = ?", NULL, "i", o->id);

	if (rc >= 0)
		rc = store_run(s,
			       "INSERT INTO wo_search(rowid, body) VALUES (?1, ?2 || ' ' || ?3"
			       " || ' ' || ifnull(json_extract(nullif(?4, ''), '$.solution'), '')"
			       " || ' ' || ifnull(json_extract(nullif(?4, ''), '$.effect'), '')"
			       " || ' ' || ifnull(json_extract(nullif(?4, ''), '$.remaining'), '')"
			       " || ' ' || ifnull(json_extract(nullif(?4, ''), '$.cause'), '')"
			       " || ' ' || ?5)",
			       NULL, "itttt", o->id, o->number, o->summary, o->report,
			       o->close_reason);
	return rc < 0 ? rc : 0;
}

int wo_contact_exists(struct store *s, int64_t id)
{
	return store_run(s, "SELECT 1 FROM contact WHERE id = ?", NULL, "i", id);
}

int wo_contact_link(struct store *s, int64_t order_id, int64_t contact_id, const char *role)
{
	int rc = store_run(s,
			   "INSERT INTO order_contact(order_id, contact_id, role) VALUES (?, ?, ?)"
			   " ON CONFLICT DO NOTHING",
			   NULL, "iit", order_id, contact_id, role);

	return rc < 0 ? rc : 0;
}

struct contact_role {
	int64_t contact_id;
	char role[16];
};

static int contact_role_read(struct store_stmt *st, void *dst)
{
	struct contact_role *c = dst;

	c->contact_id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, c->role);
	return 0;
}

int wo_contact_list(struct store *s, int64_t order_id,
		    int (*row)(void *, int64_t contact_id, const char *role), void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT contact_id, role FROM order_contact"
					    " WHERE order_id = ?"
					    " ORDER BY role = 'cause' DESC, contact_id",
					    "i", order_id);
	struct contact_role c;
	int rc, n = 0;

	while ((rc = store_next(st, contact_role_read, &c)) == 1 &&
	       (rc = row(ctx, c.contact_id, c.role)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int wo_responsible_add(struct store *s, int64_t order_id, int64_t person_id, const char *reason,
		       int level, int64_t now)
{
	/* Someone whose responsibility ended and who is given the order again takes it up anew. */
	int rc = store_run(
		s,
		"INSERT INTO wo_responsible(order_id, person_id, reason, level, added_at)"
		" VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET reason = excluded.reason,"
		" level = excluded.level, added_at = excluded.added_at, ended_at = NULL"
		" WHERE wo_responsible.ended_at IS NOT NULL",
		NULL, "iitii", order_id, person_id, reason, (int64_t)level, now);

	return rc < 0 ? rc : 0;
}

int wo_responsible_end(struct store *s, int64_t order_id, int64_t person_id, int64_t now)
{
	int rc = store_run(
		s,
		"UPDATE wo_responsible SET ended_at = ? WHERE order_id = ? AND person_id = ?"
		" AND ended_at IS NULL",
		NULL, "iii", now, order_id, person_id);

	return rc < 0 ? rc : 0;
}

int wo_is_responsible(struct store *s, int64_t order_id, int64_t person_id)
{
	return store_run(s,
			 "SELECT 1 FROM wo_responsible WHERE order_id = ? AND person_id = ?"
			 " AND ended_at IS NULL",
			 NULL, "ii", order_id, person_id);
}

int wo_event_add(struct store *s, int64_t order_id, int64_t now, int64_t actor_id,
		 const char *kind, int from, int to, const char *detail)
{
	int rc = store_run(
		s,
		"INSERT INTO wo_event(order_id, at, actor_id, kind, from_state, to_state, detail)"
		" VALUES (?,?,?,?,?,?,?)",
		NULL, "iidtttt", order_id, now, actor_id, kind,
		from >= 0 ? wo_state_name((enum wo_state)from) : NULL,
		to >= 0 ? wo_state_name((enum wo_state)to) : NULL, detail);

	return rc < 0 ? rc : 0;
}

#define SLA_COLS                                                                                   \
	"id, order_id, metric, state, started_at, due_at, warn_at, met_at, paused_at,"            \
	" next_escalation_at, warned, breached"

static int sla_read(struct store_stmt *st, void *dst)
{
	struct wo_sla *c = dst;
	int m = wo_metric_parse(store_col_text(st, 2));

	memset(c, 0, sizeof(*c));
	c->id = store_col_int(st, 0);
	c->order_id = store_col_int(st, 1);
	c->metric = m < 0 ? WOM_RESOLVE : (enum wo_metric)m;
	STORE_COL_COPY(st, 3, c->state);
	c->started_at = store_col_int(st, 4);
	c->due_at = store_col_int(st, 5);
	c->warn_at = store_col_int(st, 6);
	c->met_at = store_col_int(st, 7);
	c->paused_at = store_col_int(st, 8);
	c->next_escalation_at = store_col_int(st, 9);
	c->warned = (int)store_col_int(st, 10);
	c->breached = (int)store_col_int(st, 11);
	return 0;
}

int wo_sla_event(struct store *s, const struct wo_sla *c, const char *kind, int64_t at,
		 const char *detail)
{
	int rc = store_run(s,
			   "INSERT INTO wo_sla_event(sla_id, order_id, metric, kind, at, detail)"
			   " VALUES (?, ?, ?, ?, ?, ?)",
			   NULL, "iittit", c->id, c->order_id, wo_metric_name(c->metric), kind, at,
			   detail);

	return rc < 0 ? rc : 0;
}

int wo_sla_start(struct store *s, int64_t order_id, const struct wo_deadline *d)
{
	struct wo_sla c;
	struct audit_detail detail;
	int rc;

	memset(&c, 0, sizeof(c));
	c.order_id = order_id;
	c.metric = d->metric;
	rc = store_run(s,
		       "INSERT INTO wo_sla(order_id, metric, state, started_at, due_at, warn_at)"
		       " VALUES (?, ?, 'running', ?, ?, ?) RETURNING id",
		       &c.id, "itiii", order_id, wo_metric_name(d->metric), d->started_at, d->due_at,
		       d->warn_at);
	if (rc < 0)
		return rc;
	audit_detail_init(&detail);
	audit_detail_int(&detail, "due_at", d->due_at);
	rc = wo_sla_event(s, &c, "started", d->started_at, audit_detail_text(&detail));
	audit_detail_release(&detail);
	return rc;
}

int wo_sla_find(struct store *s, int64_t order_id, enum wo_metric m, struct wo_sla *out)
{
	return store_one(store_query(s,
				     "SELECT " SLA_COLS " FROM wo_sla"
				     " WHERE order_id = ? AND metric = ?"
				     " ORDER BY id DESC LIMIT 1",
				     "it", order_id, wo_metric_name(m)),
			 sla_read, out);
}

/* Loads the live (running or paused) clocks of an order, optionally of one metric. */
static int live_clocks(struct store *s, int64_t order_id, int metric, struct wo_sla *out, int max)
{
	const char *name = metric >= 0 ? wo_metric_name((enum wo_metric)metric) : "";
	struct store_stmt *st = store_query(
		s,
		"SELECT " SLA_COLS " FROM wo_sla WHERE order_id = ?"
		" AND state IN ('running', 'paused') AND (? = '' OR metric = ?) ORDER BY id",
		"itt", order_id, name, name);
	int rc = 0, n = 0;

	while (n < max && (rc = store_next(st, sla_read, &out[n])) == 1)
		n++;
	return store_end(st, rc, n);
}

int wo_sla_meet(struct store *s, int64_t order_id, enum wo_metric m, int64_t now)
{
	struct wo_sla live[8];
	int n = live_clocks(s, order_id, (int)m, live, 8), rc = 0;

	for (int i = 0; rc >= 0 && i < n; i++) {
		rc = store_run(s,
			       "UPDATE wo_sla SET state = 'met', met_at = ?, next_escalation_at = NULL"
			       " WHERE id = ?",
			       NULL, "ii", now, live[i].id);
		if (rc >= 0)
			rc = wo_sla_event(s, &live[i], "met", now,
					  live[i].breached ? "{\"late\":true}" : "{\"late\":false}");
	}
	if (n < 0)
		return n;
	return rc < 0 ? rc : n > 0;
}

int wo_sla_cancel_all(struct store *s, int64_t order_id, int64_t now, const char *why)
{
	struct wo_sla live[8];
	int n = live_clocks(s, order_id, -1, live, 8), rc = 0;

	for (int i = 0; rc >= 0 && i < n; i++) {
		rc = store_run(s,
			       "UPDATE wo_sla SET state = 'cancelled', next_escalation_at = NULL"
			       " WHERE id = ?",
			       NULL, "i", live[i].id);
		if (rc >= 0)
			rc = wo_sla_event(s, &live[i], "cancelled", now, why);
	}
	return n < 0 ? n : (rc < 0 ? rc : 0);
}

int wo_sla_pause_all(struct store *s, int64_t order_id, int64_t now)
{
	struct wo_sla live[8];
	int n = live_clocks(s, order_id, -1, live, 8), rc = 0;

	for (int i = 0; rc >= 0 && i < n; i++) {
		if (strcmp(live[i].state, "running") != 0)
			continue;
		rc = store_run(s, "UPDATE wo_sla SET state = 'paused', paused_at = ? WHERE id = ?",
			       NULL, "ii", now, live[i].id);
		if (rc >= 0)
			rc = wo_sla_event(s, &live[i], "paused", now, NULL);
	}
	return n < 0 ? n : (rc < 0 ? rc : 0);
}

/* A resumed clock keeps the time it had left: its deadlines move by the pause. */
int wo_sla_resume_all(struct store *s, int64_t order_id, int64_t now)
{
	struct wo_sla live[8];
	int n = live_clocks(s, order_id, -1, live, 8), rc = 0;

	for (int i = 0; rc >= 0 && i < n; i++) {
		int64_t shift = now - live[i].paused_at;

		if (strcmp(live[i].state, "paused") != 0)
			continue;
		rc = store_run(s,
			       "UPDATE wo_sla SET state = 'running', paused_at = NULL,"
			       " due_at = due_at + ?, warn_at = warn_at + ?,"
			       " next_escalation_at = next_escalation_at + ? WHERE id = ?",
			       NULL, "iiii", shift, shift, shift, live[i].id);
		if (rc >= 0)
			rc = wo_sla_event(s, &live[i], "resumed", now, NULL);
	}
	return n < 0 ? n : (rc < 0 ? rc : 0);
}

int wo_sla_due(struct store *s, int64_t now, struct wo_sla *out, int max)
{
	/*
	 * Three partial indexes make each part a short range scan however many
	 * orders there are: unwarned running clocks by warn_at, unbreached
	 * running clocks by due_at, and breached ones by next escalation.
	 */
	struct store_stmt *st = store_query(
		s,
		"SELECT " SLA_COLS " FROM wo_sla WHERE id IN ("
		" SELECT id FROM wo_sla WHERE state = 'running' AND warned = 0 AND warn_at <= ?"
		" UNION SELECT id FROM wo_sla WHERE state = 'running' AND breached = 0"
		"  AND due_at <= ?"
		" UNION SELECT id FROM wo_sla WHERE next_escalation_at IS NOT NULL"
		"  AND next_escalation_at <= ? AND state = 'running')"
		" ORDER BY id LIMIT ?",
		"iiii", now, now, now, (int64_t)max);
	int rc = 0, n = 0;

	while (n < max && (rc = store_next(st, sla_read, &out[n])) == 1)
		n++;
	return store_end(st, rc, n);
}

int wo_sla_fire_warning(struct store *s, int64_t sla_id)
{
	int rc = store_run(s,
			   "UPDATE wo_sla SET warned = 1 WHERE id = ? AND warned = 0"
			   " AND state = 'running'",
			   NULL, "i", sla_id);

	return rc < 0 ? rc : store_changes(s);
}

int wo_sla_fire_breach(struct store *s, int64_t sla_id, int64_t next_escalation_at)
{
	int rc = store_run(s,
			   "UPDATE wo_sla SET breached = 1, warned = 1, next_escalation_at = ?"
			   " WHERE id = ? AND breached = 0 AND state = 'running'",
			   NULL, "ii", next_escalation_at, sla_id);

	return rc < 0 ? rc : store_changes(s);
}

int wo_sla_next_escalation(struct store *s, int64_t sla_id, int64_t expected, int64_t next)
{
	int rc = store_run(s,
			   "UPDATE wo_sla SET next_escalation_at = ?"
			   " WHERE id = ? AND next_escalation_at = ? AND state = 'running'",
			   NULL, "dii", next, sla_id, expected);

	return rc < 0 ? rc : store_changes(s);
}

int wo_callback_open(struct store *s, int64_t order_id, int64_t due_at, int64_t now)
{
	int rc = store_run(s,
			   "INSERT INTO wo_callback(order_id, state, due_at, created_at)"
			   " VALUES (?, 'pending', ?, ?)",
			   NULL, "iii", order_id, due_at, now);

	return rc < 0 ? rc : 0;
}

#define CALLBACK_COLS "id, order_id, state, due_at, attempts, excluded_id, created_at, closed_at"

static int callback_read(struct store_stmt *st, void *dst)
{
	struct wo_callback *c = dst;

	memset(c, 0, sizeof(*c));
	c->id = store_col_int(st, 0);
	c->order_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, c->state);
	c->due_at = store_col_int(st, 3);
	c->attempts = (int)store_col_int(st, 4);
	c->excluded_id = store_col_int(st, 5);
	c->created_at = store_col_int(st, 6);
	c->closed_at = store_col_int(st, 7);
	return 0;
}

int wo_callback_pending(struct store *s, int64_t order_id, struct wo_callback *c)
{
	return store_one(store_query(s,
				     "SELECT " CALLBACK_COLS " FROM wo_callback"
				     " WHERE order_id = ? AND state = 'pending'"
				     " ORDER BY id DESC LIMIT 1",
				     "i", order_id),
			 callback_read, c);
}

int wo_callback_save(struct store *s, const struct wo_callback *c)
{
	int rc = store_run(s,
			   "UPDATE wo_callback SET state = ?, due_at = ?, attempts = ?,"
			   " excluded_id = ?, closed_at = ? WHERE id = ?",
			   NULL, "tiiddi", c->state, c->due_at, (int64_t)c->attempts,
			   c->excluded_id, c->closed_at, c->id);

	return rc < 0 ? rc : 0;
}

int wo_callback_attempt_add(struct store *s, const struct wo_callback *c, int64_t agent_id,
			    int64_t now, enum wo_outcome o, const char *note, int64_t follow_up)
{
	int rc = store_run(
		s,
		"INSERT INTO wo_callback_attempt(callback_id, order_id, agent_id, at, outcome,"
		" note, follow_up_id) VALUES (?,?,?,?,?,?,?)",
		NULL, "iiiittd", c->id, c->order_id, agent_id, now, wo_outcome_name(o), note,
		follow_up);

	return rc < 0 ? rc : 0;
}

int wo_second_complaint(struct store *s, int64_t customer_id, const char *complaint, int64_t now,
			struct wo_order *out)
{
	int64_t days = wo_setting(s, "second_complaint_days", 30), id = 0;
	int rc = store_run(
		s,
		"SELECT id FROM work_order WHERE customer_id = ?"
		" AND (class LIKE 'A%' OR class = 'D')"
		" AND (? = '' OR complaint = ?)"
		" AND (state NOT IN ('archived', 'cancelled') OR archived_at >= ?)"
		" ORDER BY id DESC LIMIT 1",
		&id, "itti", customer_id, complaint ? complaint : "", complaint ? complaint : "",
		now - days * 86400000);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_NOTFOUND;
	return wo_order_get(s, id, out);
}

int wo_anonymise_archived(struct store *s, int64_t before, int max)
{
	/* The same batch three times: what was said, the search index, then the order. */
	int rc = store_run(s,
			   "UPDATE wo_event SET detail = NULL WHERE kind = 'order.progress'"
			   " AND order_id IN (SELECT id FROM work_order WHERE state = 'archived'"
			   " AND anonymised = 0 AND archived_at < ? ORDER BY id LIMIT ?)",
			   NULL, "ii", before, (int64_t)max);

	if (rc >= 0)
		rc = store_run(s,
			       "DELETE FROM wo_search WHERE rowid IN (SELECT id FROM work_order"
			       " WHERE state = 'archived' AND anonymised = 0 AND archived_at < ?"
			       " ORDER BY id LIMIT ?)",
			       NULL, "ii", before, (int64_t)max);
	if (rc >= 0)
		rc = store_run(s,
			       "UPDATE work_order SET summary = '（已匿名）', report = NULL,"
			       " customer_id = NULL, phone = NULL, anonymised = 1 WHERE id IN "
			       "(SELECT id FROM"
			       " work_order WHERE state = 'archived' AND anonymised = 0"
			       " AND archived_at < ? ORDER BY id LIMIT ?)",
			       NULL, "ii", before, (int64_t)max);
	return rc < 0 ? rc : store_changes(s);
}


int wo_sla_list(struct store *s, int64_t order_id, int (*row)(void *, const struct wo_sla *),
		void *ctx)
{
	struct store_stmt *st = store_query(
		s, "SELECT " SLA_COLS " FROM wo_sla WHERE order_id = ? ORDER BY id", "i", order_id);
	struct wo_sla c;
	int rc, n = 0;

	while ((rc = store_next(st, sla_read, &c)) == 1 && (rc = row(ctx, &c)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int wo_responsible_list(struct store *s, int64_t order_id,
			int (*row)(void *, int64_t person_id, const char *reason, int level,
				   int64_t added_at, int64_t ended_at),
			void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT person_id, reason, level, added_at,"
					    " ifnull(ended_at, 0)"
					    " FROM wo_responsible WHERE order_id = ?"
					    " ORDER BY level, added_at",
					    "i", order_id);
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1 &&
	       (rc = row(ctx, store_col_int(st, 0), store_col_text(st, 1),
			 (int)store_col_int(st, 2), store_col_int(st, 3), store_col_int(st, 4))) >=
		       0)
		n++;
	return store_end(st, rc, n);
}

static int event_read(struct store_stmt *st, void *dst)
{
	struct wo_event_row *e = dst;

	e->id = store_col_int(st, 0);
	e->at = store_col_int(st, 1);
	e->actor_id = store_col_int(st, 2);
	e->kind = store_col_text(st, 3);
	e->from_state = store_col_text(st, 4);
	e->to_state = store_col_text(st, 5);
	e->detail = store_col_text(st, 6);
	return 0;
}

static int event_rows(struct store_stmt *st, int (*row)(void *, const struct wo_event_row *),
		      void *ctx)
{
	struct wo_event_row e;
	int rc, n = 0;

	while ((rc = store_next(st, event_read, &e)) == 1 && (rc = row(ctx, &e)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int wo_event_list(struct store *s, int64_t order_id,
		  int (*row)(void *, const struct wo_event_row *), void *ctx)
{
	return event_rows(store_query(s,
				      "SELECT id, at, actor_id, kind, from_state, to_state,"
				      " detail FROM wo_event WHERE order_id = ? ORDER BY id",
				      "i", order_id),
			  row, ctx);
}

/* SLA events carry their metric where order events carry states. */
int wo_sla_event_list(struct store *s, int64_t order_id,
		      int (*row)(void *, const struct wo_event_row *), void *ctx)
{
	return event_rows(store_query(s,
				      "SELECT id, at, NULL, kind, metric, NULL, detail"
				      " FROM wo_sla_event WHERE order_id = ? ORDER BY id",
				      "i", order_id),
			  row, ctx);
}

#define OPEN_STATES "('new', 'dispatched', 'accepted', 'in_progress', 'reported', 'reopened')"

int wo_order_list(struct store *s, const struct wo_filter *f,
		  int (*row)(void *, const struct wo_order *), void *ctx)
{
	struct store_sql q = STORE_SQL_INIT;
	struct store_stmt *st;
	struct wo_order *o = malloc(sizeof(*o));
	int rc, n = 0;

	if (!o)
		return ERR_NOMEM;
	/*
	 * Only the conditions asked for go into the query, each with bound
	 * values, so SQLite can pick the index that fits the view. A search
	 * drives the query from the FTS index newest first, so a common
	 * character stops after one page instead of collecting every match.
	 */
	if (f->match)
		store_sql_add(&q,
			      "SELECT " ORDER_COLS " FROM wo_search JOIN work_order"
			      " ON work_order.id = wo_search.rowid WHERE wo_search MATCH ?",
			      "t", f->match);
	else
		store_sql_add(&q, "SELECT " ORDER_COLS " FROM work_order WHERE 1 = 1", "");
	switch (f->view) {
	case WOV_DEPARTMENT:
		store_sql_add(&q, " AND department_id = ? AND state IN " OPEN_STATES, "i",
			      f->department_id);
		break;
	case WOV_MINE:
		store_sql_add(
			&q,
			" AND work_order.id IN (SELECT order_id FROM wo_responsible"
			" WHERE person_id = ? AND ended_at IS NULL) AND state IN " OPEN_STATES,
			"i", f->me);
		break;
	case WOV_FOLLOWUPS:
		/* WO-8: the first-contact agent follows each order until it is archived. */
		store_sql_add(&q, " AND first_agent_id = ? AND state IN " OPEN_STATES, "i", f->me);
		break;
	case WOV_DUE_SOON:
		store_sql_add(&q,
			      " AND work_order.id IN (SELECT order_id FROM wo_sla WHERE"
			      " state = 'running' AND breached = 0 AND due_at <= ?)",
			      "i", f->due_before);
		break;
	case WOV_OVERDUE:
		store_sql_add(&q,
			      " AND work_order.id IN (SELECT order_id FROM wo_sla WHERE"
			      " state = 'running' AND breached = 1)",
			      "");
		break;
	case WOV_ESCALATED:
		store_sql_add(&q, " AND escalation_level > 0 AND state IN " OPEN_STATES, "");
		break;
	case WOV_ALL:
	case WOV_COUNT:
		break;
	}
	if (f->class_code)
		store_sql_add(&q, " AND class = ?", "t", f->class_code);
	if (f->level)
		store_sql_add(&q, " AND level = ?", "t", f->level);
	if (f->state)
		store_sql_add(&q, " AND state = ?", "t", f->state);
	if (f->owner_id)
		store_sql_add(&q, " AND owner_id = ?", "i", f->owner_id);
	if (f->department_id && f->view != WOV_DEPARTMENT)
		store_sql_add(&q, " AND department_id = ?", "i", f->department_id);
	if (f->from)
		store_sql_add(&q, " AND created_at >= ?", "i", f->from);
	if (f->to)
		store_sql_add(&q, " AND created_at < ?", "i", f->to);
	if (f->scope_department)
		store_sql_add(&q,
			      " AND (department_id = ? OR work_order.id IN (SELECT order_id FROM"
			      " wo_responsible WHERE person_id = ? AND ended_at IS NULL))",
			      "ii", f->scope_department, f->me);
	/*
	 * With a search, order and page by the index's own rowid (the order id):
	 * FTS5 then yields matches newest first and stops after one page; by
	 * work_order.id SQLite would sort every match first.
	 */
	if (f->before_id)
		store_sql_add(&q, f->match ? " AND wo_search.rowid < ?" : " AND work_order.id < ?",
			      "i", f->before_id);
	store_sql_add(&q,
		      f->match ? " ORDER BY wo_search.rowid DESC LIMIT ?"
			       : " ORDER BY work_order.id DESC LIMIT ?",
		      "i", (int64_t)f->limit);
	st = store_sql_prepare(s, &q);
	while ((rc = store_next(st, order_read, o)) == 1 && (rc = row(ctx, o)) >= 0)
		n++;
	free(o);
	return store_end(st, rc, n);
}

int wo_callback_queue(struct store *s, int64_t due_before, int64_t after_id, int limit,
		      int (*row)(void *, const struct wo_callback_item *), void *ctx)
{
	struct wo_callback *cbs = calloc((size_t)limit, sizeof(*cbs));
	struct wo_callback_item *item = malloc(sizeof(*item));
	struct store_stmt *st;
	int rc = 0, n = 0;

	if (!cbs || !item) {
		rc = ERR_NOMEM;
		goto out;
	}
	/* Callbacks first, then each one's order: a second statement cannot run mid-step. */
	st = store_query(s,
			 "SELECT " CALLBACK_COLS " FROM wo_callback WHERE state = 'pending'"
			 " AND (? = 0 OR due_at <= ?) AND id > ? ORDER BY id LIMIT ?",
			 "iiii", due_before, due_before, after_id, (int64_t)limit);
	while (n < limit && (rc = store_next(st, callback_read, &cbs[n])) == 1)
		n++;
	rc = store_end(st, rc, n);
	for (int i = 0; rc >= 0 && i < n; i++) {
		item->cb = cbs[i];
		rc = wo_order_get(s, cbs[i].order_id, &item->order);
		if (rc == 0)
			rc = row(ctx, item);
	}
out:
	free(cbs);
	free(item);
	return rc < 0 ? rc : n;
}

int wo_customer_region(struct store *s, int64_t customer_id, char *out, size_t size)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT region FROM work_order WHERE customer_id = ? AND region IS NOT NULL"
		" ORDER BY id DESC LIMIT 1",
		"i", customer_id);
	int rc = store_next(st, NULL, NULL);

	out[0] = '\0';
	if (rc == 1)
		store_col_copy(st, 0, out, size);
	return store_end(st, rc, 0);
}
