/*
 * The SQL of a customer's export and erasure (pipl.h). Every statement
 * takes the customer's id as ?1; the sets of rows that are the customer's
 * are the macros below, used by the export and the erasure alike, so both
 * always mean the same rows.
 */
#include "pipl/pipl.h"

#include <string.h>

#include "core/err.h"
#include "store/store.h"

#define PHONES "(SELECT phone FROM customer_phone WHERE customer_id = ?1)"
#define CONTACTS "(SELECT id FROM contact WHERE customer_id = ?1)"
#define ORDERS "(SELECT id FROM work_order WHERE customer_id = ?1 OR phone IN " PHONES ")"
#define CALLS                                                                                   \
	"(SELECT id FROM call WHERE contact_id IN " CONTACTS " OR caller IN " PHONES           \
	" OR called IN " PHONES " OR id IN (SELECT call_id FROM call_out WHERE customer_id = ?1))"
#define CONVS "(SELECT id FROM conv WHERE customer_id = ?1)"
#define MSGS "(SELECT id FROM conv_msg WHERE conv_id IN " CONVS ")"
#define ATTS                                                                                    \
	"(SELECT id FROM attachment WHERE order_id IN " ORDERS " OR contact_id IN " CONTACTS   \
	" OR message_id IN " MSGS ")"
/* A column that holds JSON text is exported as JSON, anything else as it is. */
#define J(c) "CASE WHEN json_valid(" c ") THEN json(" c ") ELSE " c " END"
#define PSEUDO "'erased-' || ?1"
#define GONE "'（已匿名）'"

const char *const pipl_sections[] = {
	"customer",    "phones",	"vip_history", "duplicates",  "contacts",
	"orders",      "calls",		"conversations", "sms",	      "calls_out",
	"out_tasks",   "callback_requests", "attachments", NULL,
};

#define PROFILE                                                                                 \
	"json_object('id', id, 'name', name, 'surname', surname, 'title', title, 'kind', kind,"   \
	" 'wechat', wechat, 'weibo', weibo, 'email', email, 'birthday', birthday, 'vip_level',"   \
	" vip_level, 'tags', " J("tags") ", 'notes', notes, 'merged_into', merged_into,"          \
	" 'created_at', created_at, 'updated_at', updated_at)"

static const char *const section_sql[] = {
	"SELECT " PROFILE " FROM customer WHERE id = ?1",
	"SELECT json_group_array(json_object('phone', phone, 'label', label, 'created_at',"
	" created_at)) FROM (SELECT * FROM customer_phone WHERE customer_id = ?1 ORDER BY created_at)",
	"SELECT json_group_array(json_object('level', level, 'at', at, 'by_id', by_id, 'reason',"
	" reason)) FROM (SELECT * FROM customer_vip WHERE customer_id = ?1 ORDER BY id)",
	"SELECT json_group_array(" PROFILE ") FROM (SELECT * FROM customer WHERE merged_into = ?1"
	" ORDER BY id)",
	"SELECT json_group_array(json_object('id', id, 'channel', channel, 'direction', direction,"
	" 'phone', phone, 'agent_id', agent_id, 'started_at', started_at, 'ended_at', ended_at,"
	" 'class', class, 'fivew', " J("fivew") ", 'summary', summary, 'satisfaction', satisfaction,"
	" 'call_id', call_id)) FROM (SELECT * FROM contact WHERE customer_id = ?1 ORDER BY id)",
	"SELECT json_group_array(json_object('id', w.id, 'number', w.number, 'class', w.class,"
	" 'level', w.level, 'complaint', w.complaint, 'state', w.state, 'summary', w.summary,"
	" 'report', " J("w.report") ", 'phone', w.phone, 'close_reason', w.close_reason,"
	" 'anonymised', w.anonymised, 'created_at', w.created_at, 'updated_at', w.updated_at,"
	" 'archived_at', w.archived_at,"
	" 'events', (SELECT json_group_array(json_object('at', e.at, 'kind', e.kind, 'from_state',"
	" e.from_state, 'to_state', e.to_state, 'detail', " J("e.detail") ")) FROM (SELECT * FROM"
	" wo_event WHERE order_id = w.id ORDER BY id) e),"
	" 'callbacks', (SELECT json_group_array(json_object('state', c.state, 'due_at', c.due_at,"
	" 'attempts', (SELECT json_group_array(json_object('at', a.at, 'agent_id', a.agent_id,"
	" 'outcome', a.outcome, 'note', a.note)) FROM wo_callback_attempt a WHERE a.callback_id ="
	" c.id))) FROM wo_callback c WHERE c.order_id = w.id),"
	" 'referrals', (SELECT json_group_array(json_object('note', f.note, 'referred_at',"
	" f.referred_at, 'answer', f.answer, 'answered_at', f.answered_at, 'relay_note',"
	" f.relay_note)) FROM wo_referral f WHERE f.order_id = w.id)"
	")) FROM (SELECT * FROM work_order WHERE id IN " ORDERS " ORDER BY id) w",
	"SELECT json_group_array(json_object('id', c.id, 'direction', c.direction, 'caller',"
	" c.caller, 'called', c.called, 'started_at', c.started_at, 'answered_at', c.answered_at,"
	" 'ended_at', c.ended_at, 'queue', c.queue, 'agent_id', c.agent_id, 'outcome', c.outcome,"
	" 'survey', c.survey, 'recorded', c.recording IS NOT NULL, 'recording_ms', c.recording_ms,"
	" 'contact_id', c.contact_id, 'transcript', (SELECT " J("t.body") " FROM qa_transcript t"
	" WHERE t.kind = 'call' AND t.ref_id = c.id))) FROM (SELECT * FROM call WHERE id IN " CALLS
	" ORDER BY id) c",
	"SELECT json_group_array(json_object('id', v.id, 'channel', v.channel, 'peer', v.peer,"
	" 'peer_name', v.peer_name, 'subject', v.subject, 'state', v.state, 'created_at',"
	" v.created_at, 'resolved_at', v.resolved_at, 'rating', v.rating, 'contact_id',"
	" v.contact_id, 'order_id', v.order_id,"
	" 'messages', (SELECT json_group_array(json_object('id', m.id, 'direction', m.direction,"
	" 'author_id', m.author_id, 'body', m.body, 'status', m.status, 'at', m.at)) FROM (SELECT *"
	" FROM conv_msg WHERE conv_id = v.id ORDER BY id) m))) FROM (SELECT * FROM conv WHERE id IN "
	CONVS " ORDER BY id) v",
	"SELECT json_group_array(json_object('id', id, 'phone', phone, 'kind', kind, 'text', text,"
	" 'status', status, 'at', at)) FROM (SELECT * FROM sms_sent WHERE customer_id = ?1 OR phone"
	" IN " PHONES " ORDER BY id)",
	"SELECT json_group_array(json_object('id', id, 'number', number, 'purpose', purpose,"
	" 'state', state, 'result', result, 'requested_at', requested_at, 'answered_at',"
	" answered_at, 'ended_at', ended_at, 'call_id', call_id)) FROM (SELECT * FROM call_out"
	" WHERE customer_id = ?1 OR number IN " PHONES " ORDER BY id)",
	"SELECT json_group_array(json_object('id', id, 'kind', kind, 'number', number, 'name', name,"
	" 'state', state, 'due_at', due_at, 'note', note, 'created_at', created_at)) FROM (SELECT *"
	" FROM out_task WHERE customer_id = ?1 OR number IN " PHONES " ORDER BY id)",
	"SELECT json_group_array(json_object('id', id, 'call_id', call_id, 'phone', phone,"
	" 'requested_at', requested_at, 'state', state, 'note', note)) FROM (SELECT * FROM"
	" acd_callback WHERE phone IN " PHONES " ORDER BY id)",
	"SELECT json_group_array(json_object('id', id, 'order_id', order_id, 'contact_id',"
	" contact_id, 'message_id', message_id, 'kind', kind, 'filename', filename, 'mime', mime,"
	" 'size', size, 'created_at', created_at)) FROM (SELECT * FROM attachment WHERE id IN " ATTS
	" ORDER BY id)",
};

_Static_assert(sizeof(section_sql) / sizeof(section_sql[0]) ==
		       sizeof(pipl_sections) / sizeof(pipl_sections[0]) - 1,
	       "one statement per section");

int64_t pipl_customer(struct store *s, int64_t id)
{
	int64_t out = 0;
	int rc = store_run(s, "SELECT coalesce(merged_into, id) FROM customer WHERE id = ?", &out,
			   "i", id);

	return rc < 0 ? rc : rc == 1 ? out : 0;
}

int pipl_export_section(struct store *s, int i, int64_t id, struct buf *out)
{
	struct store_stmt *st = store_query(s, section_sql[i], "i", id);
	int rc = store_step(st);

	if (rc == 1)
		rc = buf_puts(out, store_col_null(st, 0) ? "null" : store_col_text(st, 0));
	store_done(st);
	return rc < 0 ? rc : 0;
}

int pipl_secure_delete(struct store *s, int on)
{
	return store_exec(s, on ? "PRAGMA secure_delete=ON;" : "PRAGMA secure_delete=OFF;");
}

/* Appends column 0 of every row, NUL-separated, to out. */
static int collect(struct store *s, const char *sql, int64_t id, struct buf *out, int *n)
{
	struct store_stmt *st = store_query(s, sql, "i", id);
	int rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		const char *v = store_col_text(st, 0);

		if (v && buf_append(out, v, strlen(v) + 1) < 0)
			rc = ERR_NOMEM;
		if (rc < 0)
			break;
		if (n)
			(*n)++;
	}
	return store_end(st, rc, 0);
}

static int count(struct store *s, const char *sql, int64_t id, int *out)
{
	int64_t n = 0;
	int rc = store_run(s, sql, &n, "i", id);

	*out = (int)n;
	return rc < 0 ? rc : 0;
}

/*
 * The order matters: the sets are found through the customer's numbers and
 * contacts, so the rows that hold the numbers are anonymised from the
 * furthest (transcripts of the calls, found through the call's caller)
 * towards the customer, whose numbers go last.
 */
static const char *const erase_sql[] = {
	/* What was said in the customer's calls: the transcript and the words
	 * each quality hit quotes (the hits, scores and counts stay). */
	"UPDATE qa_transcript SET body = '[]' WHERE kind = 'call' AND ref_id IN " CALLS,
	"UPDATE qa_hit SET text = '' WHERE check_id IN (SELECT id FROM qa_check WHERE kind = 'call'"
	" AND ref_id IN " CALLS ")",
	"UPDATE acd_callback SET phone = " PSEUDO ", note = NULL WHERE phone IN " PHONES,
	"UPDATE call SET caller = CASE WHEN caller IN " PHONES " THEN " PSEUDO " ELSE caller END,"
	" called = CASE WHEN called IN " PHONES " THEN " PSEUDO " ELSE called END,"
	" digits = '', recording = NULL WHERE id IN " CALLS,
	"UPDATE call_out SET number = " PSEUDO ", dial = NULL WHERE customer_id = ?1 OR number IN "
	PHONES,
	"UPDATE out_task SET number = " PSEUDO ", name = NULL, note = NULL WHERE customer_id = ?1"
	" OR number IN " PHONES,
	"UPDATE sms_sent SET phone = " PSEUDO ", text = '' WHERE customer_id = ?1 OR phone IN "
	PHONES,
	"DELETE FROM sms_optout WHERE phone IN " PHONES,
	/* WO-7's anonymisation, for this customer's orders whatever their state. */
	"UPDATE wo_event SET detail = NULL WHERE kind = 'order.progress' AND order_id IN " ORDERS,
	"UPDATE wo_callback_attempt SET note = NULL WHERE order_id IN " ORDERS,
	"UPDATE wo_referral SET note = NULL, answer = NULL, relay_note = NULL WHERE order_id IN "
	ORDERS,
	"UPDATE notification SET text = " GONE " WHERE order_id IN " ORDERS,
	"DELETE FROM wo_search WHERE rowid IN " ORDERS,
	"UPDATE work_order SET summary = " GONE ", report = NULL, phone = NULL, anonymised = 1"
	" WHERE id IN " ORDERS,
	"DELETE FROM conv_fts WHERE rowid IN " MSGS,
	"UPDATE conv_msg SET body = " GONE ", html = NULL, error = NULL WHERE id IN " MSGS,
	"UPDATE chat_visitor SET name = '', phone = '', address = '' WHERE vid IN (SELECT peer FROM"
	" conv WHERE id IN " CONVS " AND channel = 'web_chat') OR phone IN " PHONES,
	"UPDATE conv SET peer = 'erased-' || id, peer_name = '', subject = '' WHERE id IN " CONVS,
	"UPDATE contact SET phone = NULL, fivew = NULL, summary = " GONE " WHERE customer_id = ?1",
	"DELETE FROM attachment WHERE id IN " ATTS,
	"UPDATE customer_vip SET reason = NULL WHERE customer_id = ?1",
	"UPDATE customer SET name = " GONE ", surname = NULL, title = NULL, wechat = NULL,"
	" weibo = NULL, email = NULL, birthday = NULL, notes = NULL, tags = '[]'"
	" WHERE id = ?1 OR merged_into = ?1",
	"DELETE FROM customer_phone WHERE customer_id = ?1",
	NULL,
};

/* The search indexes keep a deleted row's words in their older segments
 * until they are merged: merged now. */
static const char *const optimize_sql[] = {
	"INSERT INTO wo_search(wo_search) VALUES ('optimize')",
	"INSERT INTO conv_fts(conv_fts) VALUES ('optimize')",
	NULL,
};

int pipl_erase(struct store *s, int64_t id, int64_t now, struct pipl_erased *res)
{
	struct store_stmt *st;
	int rc;

	(void)now;
	memset(res, 0, sizeof(*res));
	buf_init(&res->recordings);
	buf_init(&res->shas);
	st = store_query(s, "SELECT phone FROM customer_phone WHERE customer_id = ? ORDER BY phone",
			 "i", id);
	while ((rc = store_next(st, NULL, NULL)) == 1)
		if (res->phones < PIPL_PHONES_MAX)
			STORE_COL_COPY(st, 0, res->phone[res->phones++]);
	rc = store_end(st, rc, 0);
	if (rc >= 0)
		rc = collect(s, "SELECT recording FROM call WHERE recording IS NOT NULL AND id IN " CALLS,
			     id, &res->recordings, NULL);
	if (rc >= 0)
		rc = collect(s, "SELECT sha256 FROM attachment WHERE id IN " ATTS, id, &res->shas,
			     &res->attachments);
	if (rc >= 0)
		rc = count(s, "SELECT count(*) FROM contact WHERE customer_id = ?1", id, &res->contacts);
	if (rc >= 0)
		rc = count(s, "SELECT count(*) FROM work_order WHERE id IN " ORDERS, id, &res->orders);
	if (rc >= 0)
		rc = count(s, "SELECT count(*) FROM call WHERE id IN " CALLS, id, &res->calls);
	if (rc >= 0)
		rc = count(s, "SELECT count(*) FROM conv WHERE customer_id = ?1", id,
			   &res->conversations);
	if (rc >= 0)
		rc = count(s, "SELECT count(*) FROM conv_msg WHERE id IN " MSGS, id, &res->messages);
	if (rc >= 0)
		rc = count(s,
			   "SELECT count(*) FROM sms_sent WHERE customer_id = ?1 OR phone IN " PHONES,
			   id, &res->sms);
	for (int i = 0; rc >= 0 && erase_sql[i]; i++)
		rc = store_run(s, erase_sql[i], NULL, "i", id);
	for (int i = 0; rc >= 0 && optimize_sql[i]; i++)
		rc = store_run(s, optimize_sql[i], NULL, "");
	return rc < 0 ? rc : 0;
}
