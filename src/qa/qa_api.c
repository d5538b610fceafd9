/*
 * The automatic check over HTTP (docs/api.md, "Quality inspection"): the
 * rules and their versions (/api/qa/rules), the workbench's test box
 * (/api/qa/rules/test, nothing written), a call's transcript from a
 * center's own speech recogniser (PUT /api/calls/{id}/transcript) and the
 * checks (/api/qa/checks). A rule's body and a transcript are validated by
 * the rule engine's parser (qa_engine.c): 422 lists each broken field.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/utf8.h"
#include "http/http.h"
#include "qa/qa.h"
#include "store/store.h"

/* -- rules -- */

static json_t *rule_json(const struct qa_rule_row *r)
{
	json_t *body = json_loads(buf_str(&r->body), 0, NULL);

	return json_pack("{s:I, s:s, s:s, s:b, s:i, s:b, s:I, s:I, s:o}", "id", (json_int_t)r->id,
			 "code", r->code, "name", r->name, "active", r->active, "version",
			 r->version, "seeded", r->seeded, "created_at", (json_int_t)r->created_at,
			 "updated_at", (json_int_t)r->updated_at, "body",
			 body ? body : json_object());
}

static int rule_row(void *ctx, const struct qa_rule_row *r)
{
	json_t *o = rule_json(r);

	return o && json_array_append_new(ctx, o) == 0 ? 0 : ERR_NOMEM;
}

static int rules_list(struct req *r)
{
	json_t *items = json_array();
	int rc = items ? qa_rule_list(r->store, 0, rule_row, items) : ERR_NOMEM;

	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int rule_load(struct req *r, int64_t id, struct qa_rule_row *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = qa_rule_get(r->store, id, out);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such rule");
	return rc;
}

static int rule_one(struct req *r)
{
	struct qa_rule_row q;
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = rule_load(r, id, &q);
	if (rc < 0) {
		buf_release(&q.body);
		return rc == ERR_NOTFOUND ? err_set(&r->ei, ERR_NOTFOUND, NULL, "no such rule")
					  : rc;
	}
	rc = reply_json(r, 200, rule_json(&q));
	buf_release(&q.body);
	return rc;
}

static int code_valid(const char *code)
{
	size_t n = strlen(code);

	return n >= 1 && n <= QA_ROW_CODE_MAX &&
	       strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/*
 * The rule body sent as "body": validated by the engine (422 with each
 * broken field, named body.<field>), then written as compact JSON; its
 * name into name.
 */
static int body_read(struct req *r, char **text, char name[QA_ROW_NAME_MAX + 1])
{
	json_t *b = json_object_get(r->body, "body");
	int rc;

	if (!json_is_object(b))
		return err_set(&r->ei, ERR_INVALID, "body", "body: the rule, a JSON object");
	rc = qa_check_rule_valid(b, &r->ei);
	if (rc < 0)
		return rc;
	snprintf(name, QA_ROW_NAME_MAX + 1, "%s", json_string_value(json_object_get(b, "name")));
	*text = json_dumps(b, JSON_COMPACT | JSON_PRESERVE_ORDER);
	return *text ? 0 : ERR_NOMEM;
}

static int rule_create(struct req *r)
{
	static const char *const allowed[] = {"code", "active", "body", NULL};
	char name[QA_ROW_NAME_MAX + 1], code[QA_ROW_CODE_MAX + 1] = "";
	const char *given = NULL;
	char *text = NULL;
	int active = 1, rc = body_only(r, allowed);
	struct qa_rule_row q;
	int64_t id = 0, next = 0;

	memset(&q, 0, sizeof(q));
	if (rc == 0)
		rc = body_str(r, "code", 0, &given);
	if (rc == 0)
		rc = body_bool(r, "active", &active);
	if (rc == 0 && given && !code_valid(given))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "code",
			     "code: 1 to 64 of a-z, 0-9, dot, dash and underscore");
	if (rc == 0)
		rc = body_read(r, &text, name);
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc == 0 && given)
		snprintf(code, sizeof(code), "%s", given);
	else if (rc == 0) {
		/* A rule made here without a code of its own is named by its id. */
		rc = store_run(r->store, "SELECT coalesce(max(id), 0) + 1 FROM qa_rule", &next, "");
		snprintf(code, sizeof(code), "custom.%lld", (long long)next);
		rc = rc < 0 ? rc : 0;
	}
	if (rc == 0)
		rc = qa_rule_create(r->store, code, name, text, active, 0, r->who.person_id, r->now,
				    &id);
	if (rc == ERR_CONFLICT)
		err_set(&r->ei, ERR_CONFLICT, "code", "code: another rule has it");
	if (rc == 0)
		rc = qa_rule_get(r->store, id, &q);
	if (rc == 0)
		rc = req_audit(r, "qa.rule.create", "qa_rule", id, "ok",
			       json_pack("{s:s, s:b, s:o}", "code", code, "active", active, "body",
					 json_loads(text, 0, NULL)));
	free(text);
	rc = req_finish(r, rc);
	if (rc < 0) {
		buf_release(&q.body);
		return rc;
	}
	qa_rules_changed();
	rc = reply_json(r, 201, rule_json(&q));
	buf_release(&q.body);
	return rc;
}

static int rule_patch(struct req *r)
{
	static const char *const allowed[] = {"active", "body", NULL};
	char name[QA_ROW_NAME_MAX + 1];
	char *text = NULL;
	struct qa_rule_row q;
	int64_t id;
	int active = -1, version = 0, before_active = 0, before_version = 0;
	int rc = req_param_id(r, 0, &id);

	memset(&q, 0, sizeof(q));
	if (rc == 0)
		rc = body_only(r, allowed);
	if (rc == 0)
		rc = body_bool(r, "active", &active);
	if (rc == 0 && !body_has(r, "body") && active < 0)
		rc = err_set(&r->ei, ERR_INVALID, "body", "body: send the rule, or active");
	if (rc == 0 && body_has(r, "body"))
		rc = body_read(r, &text, name);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0)
		rc = rule_load(r, id, &q);
	if (rc == 0) {
		before_active = q.active;
		before_version = q.version;
	}
	/* A new body is a new version; the one before stays as it was (QA-3).
	 * The same body sent again (a save without a change) is no new version. */
	if (rc == 0 && text && strcmp(text, buf_str(&q.body)) != 0)
		rc = qa_rule_change(r->store, id, name, text, r->who.person_id, r->now, &version);
	if (rc == 0 && active >= 0 && active != q.active)
		rc = qa_rule_set_active(r->store, id, active, r->now);
	if (rc == 0)
		rc = qa_rule_get(r->store, id, &q);
	if (rc == 0) {
		json_t *d = json_pack("{s:s, s:b, s:b, s:i, s:i}", "code", q.code, "active_before",
				      before_active, "active", q.active, "version_before",
				      before_version, "version", q.version);

		if (d && text)
			json_object_set_new(d, "body", json_loads(text, 0, NULL));
		rc = req_audit(r, "qa.rule.update", "qa_rule", id, "ok", d);
	}
	free(text);
	rc = req_finish(r, rc);
	if (rc < 0) {
		buf_release(&q.body);
		return rc;
	}
	qa_rules_changed();
	rc = reply_json(r, 200, rule_json(&q));
	buf_release(&q.body);
	return rc;
}

static int version_row(void *ctx, const struct qa_version_row *v)
{
	json_t *body = json_loads(buf_str(&v->body), 0, NULL);
	json_t *o = json_pack(
		"{s:i, s:o, s:o, s:I, s:o}", "version", v->version, "created_by",
		v->created_by ? json_integer(v->created_by) : json_null(), "created_by_name",
		v->created_by ? json_string(v->created_by_name) : json_null(), "created_at",
		(json_int_t)v->created_at, "body", body ? body : json_object());

	return o && json_array_append_new(ctx, o) == 0 ? 0 : ERR_NOMEM;
}

static int rule_versions(struct req *r)
{
	struct qa_rule_row q;
	json_t *items;
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	memset(&q, 0, sizeof(q));
	if (rc == 0)
		rc = rule_load(r, id, &q);
	buf_release(&q.body);
	if (rc < 0)
		return rc;
	items = json_array();
	rc = items ? qa_rule_versions(r->store, id, version_row, items) : ERR_NOMEM;
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* -- the test box -- */

static int rule_test(struct req *r)
{
	static const char *const allowed[] = {"rule", "rule_ids", "transcript", "facts", NULL};
	json_t *rule = json_object_get(r->body, "rule");
	json_t *ids = json_object_get(r->body, "rule_ids");
	json_t *transcript = json_object_get(r->body, "transcript");
	json_t *facts = json_object_get(r->body, "facts");
	json_t *out = NULL;
	int rc = body_only(r, allowed);

	if (rc < 0)
		return rc;
	if (!rule && !ids)
		return err_set(&r->ei, ERR_INVALID, "rule", "rule: send a rule, or rule_ids");
	if (rule && !json_is_object(rule))
		return err_set(&r->ei, ERR_INVALID, "rule", "rule: a JSON object");
	if (ids && (!json_is_array(ids) || json_array_size(ids) > 1000))
		return err_set(&r->ei, ERR_INVALID, "rule_ids", "rule_ids: a list of rule ids");
	if (transcript && !json_is_object(transcript) && !json_is_string(transcript))
		return err_set(&r->ei, ERR_INVALID, "transcript",
			       "transcript: the utterances, or lines of text");
	if (facts && !json_is_object(facts))
		return err_set(&r->ei, ERR_INVALID, "facts", "facts: a JSON object");
	rc = qa_check_test(r->store, rule, ids, transcript, facts, &r->ei, &out);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, out);
}

/* -- transcripts -- */

static int source_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 5 && n <= 128 && (strncmp(s, "api:", 4) == 0 || strncmp(s, "asr:", 4) == 0);
}

static int transcript_put(struct req *r)
{
	static const char *const allowed[] = {"source", "utterances", NULL};
	const char *source = NULL;
	struct qa_call_row c;
	json_t *body = NULL;
	char *text = NULL;
	int64_t id;
	int replaced = 0, n = 0;
	int rc = req_param_id(r, 0, &id);

	memset(&c, 0, sizeof(c));
	if (rc == 0) {
		rc = qa_call_get(r->store, id, &c);
		if (rc == ERR_NOTFOUND)
			rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "no such call");
	}
	buf_release(&c.metrics);
	if (rc == 0)
		rc = body_only(r, allowed);
	if (rc == 0)
		rc = body_str(r, "source", 1, &source);
	if (rc == 0 && !source_valid(source))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "source",
			     "source: asr:<engine> or api:<system>, at most 128 bytes");
	if (rc == 0 && !c.connected_at)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the call was never answered");
	if (rc < 0)
		return rc;
	body = json_pack("{s:O}", "utterances",
			 json_object_get(r->body, "utterances")
				 ? json_object_get(r->body, "utterances")
				 : json_null());
	if (!body)
		return ERR_NOMEM;
	rc = qa_check_transcript_valid(body, &r->ei, &n);
	if (rc == 0) {
		text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
		rc = text ? 0 : ERR_NOMEM;
	}
	json_decref(body);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0)
		rc = qa_transcript_put(r->store, "call", id, source, text, r->now, &replaced);
	if (rc == 0)
		rc = req_audit(r, "qa.transcript.put", "call", id, "ok",
			       json_pack("{s:s, s:i, s:b}", "source", source, "utterances", n,
					 "replaced", replaced));
	free(text);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, replaced ? 200 : 201,
			  json_pack("{s:I, s:s, s:i, s:b, s:I}", "call_id", (json_int_t)id,
				    "source", source, "utterances", n, "replaced", replaced,
				    "created_at", (json_int_t)r->now));
}

/* -- checks -- */

static json_t *check_json(const struct qa_check_row *c)
{
	return json_pack("{s:I, s:s, s:I, s:o, s:o, s:o, s:I, s:I, s:b, s:i, s:b, s:i, s:i}", "id",
			 (json_int_t)c->id, "kind", c->kind, "ref_id", (json_int_t)c->ref_id,
			 "agent_id", c->agent_id ? json_integer(c->agent_id) : json_null(),
			 "agent_work_no", c->agent_id ? json_string(c->agent_work_no) : json_null(),
			 "agent_name", c->agent_id ? json_string(c->agent_name) : json_null(),
			 "contact_at", (json_int_t)c->contact_at, "checked_at",
			 (json_int_t)c->checked_at, "transcript", c->transcript, "score", c->score,
			 "fatal", c->fatal, "hits", c->hits, "high", c->high);
}

struct checks_ctx {
	json_t *items;
	int64_t last;
};

static int check_row(void *ctx, const struct qa_check_row *c)
{
	struct checks_ctx *cc = ctx;
	json_t *o = check_json(c);

	cc->last = c->id;
	return o && json_array_append_new(cc->items, o) == 0 ? 0 : ERR_NOMEM;
}

/* The contacts the checker checks: calls, and the channels' conversations (issue 18). */
static int contact_kind_valid(const char *kind)
{
	return qa_kind_parse(kind) != 0;
}

/* A day of the center (YYYY-MM-DD) to its first millisecond; ERR_INVALID. */
static int day_start(const char *s, int64_t *out)
{
	struct tm tm;
	int y, m, d;
	char tail;

	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
	    y < 2000 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31)
		return ERR_INVALID;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_isdst = -1;
	*out = (int64_t)mktime(&tm) * 1000;
	/* 2026-02-30 is not a day, whatever mktime makes of it. */
	return tm.tm_mday == d && tm.tm_mon == m - 1 ? 0 : ERR_INVALID;
}

static int checks_filter(struct req *r, struct qa_check_filter *f)
{
	const char *from = NULL, *to = NULL, *fatal = NULL, *kind = NULL;
	int64_t v = -1;
	int rc = req_query_int(r, "agent_id", 1, INT64_MAX, &f->agent_id);

	f->max_score = -1;
	f->fatal = -1;
	if (rc == 0)
		rc = req_query_int(r, "max_score", 0, 100, &v);
	if (rc == 0 && v >= 0)
		f->max_score = (int)v;
	if (rc == 0)
		rc = req_query_int(r, "rule_id", 1, INT64_MAX, &f->rule_id);
	if (rc == 0)
		rc = req_query(r, "from", &from);
	if (rc == 0)
		rc = req_query(r, "to", &to);
	if (rc == 0)
		rc = req_query(r, "fatal", &fatal);
	if (rc == 0)
		rc = req_query(r, "kind", &kind);
	if (rc < 0)
		return rc;
	if (kind && *kind) {
		if (contact_kind_valid(kind))
			f->kind = kind;
		else
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "kind",
				     "kind: call, chat, email, message or summary");
	}
	if (from && *from && day_start(from, &f->from) < 0)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "from", "from: a day, YYYY-MM-DD");
	if (to && *to) {
		if (day_start(to, &f->to) < 0)
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "to", "to: a day, YYYY-MM-DD");
		else /* the last day counts whole */
			f->to = clock_day_end(f->to);
	}
	if (fatal && *fatal) {
		if (strcmp(fatal, "true") == 0)
			f->fatal = 1;
		else if (strcmp(fatal, "false") == 0)
			f->fatal = 0;
		else
			rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "fatal",
				     "fatal: true or false");
	}
	if (rc == 0 && f->from && f->to && f->to <= f->from)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "to", "to: must not be before from");
	return rc;
}

static int checks_list(struct req *r)
{
	struct qa_check_filter f;
	struct checks_ctx cc = {NULL, 0};
	int n, rc;

	memset(&f, 0, sizeof(f));
	rc = req_page(r, &f.limit, &f.cursor);
	if (rc == 0)
		rc = checks_filter(r, &f);
	if (rc < 0)
		return rc;
	/* QA-1: an agent sees their own checks, whatever they ask for. */
	if (auth_scope(&r->who, ACT_QA_CHECK_READ) == SCOPE_SELF)
		f.agent_id = r->who.person_id;
	cc.items = json_array();
	if (!cc.items)
		return ERR_NOMEM;
	n = qa_check_list(r->store, &f, check_row, &cc);
	if (n < 0) {
		json_decref(cc.items);
		return n;
	}
	return reply_page(r, cc.items, n == f.limit ? cc.last : 0);
}

json_t *qa_hit_row_json(const struct qa_hit_row *h)
{
	/* A missing phrase is not in the words: no place, only what was due. */
	int pos = h->utterance >= 0 && !h->missing;

	return json_pack(
		"{s:{s:I, s:s, s:i, s:s}, s:s, s:i, s:b, s:b, s:o, s:o, s:o, s:o, s:s, s:o}",
		"rule", "id", (json_int_t)h->rule_id, "code", h->rule_code, "version",
		h->rule_version, "name", h->rule_name, "severity", h->severity, "score", h->score,
		"fatal", h->fatal, "missing", h->missing, "utterance",
		pos ? json_integer(h->utterance) : json_null(), "offset",
		pos && h->char_offset >= 0 ? json_integer(h->char_offset) : json_null(), "len",
		pos ? json_integer(h->char_len) : json_null(), "at_ms",
		h->at_ms >= 0 ? json_integer(h->at_ms) : json_null(), "text", h->text, "better",
		h->better[0] ? json_string(h->better) : json_null());
}

static int hit_row(void *ctx, const struct qa_hit_row *h)
{
	json_t *o = qa_hit_row_json(h);

	return o && json_array_append_new(ctx, o) == 0 ? 0 : ERR_NOMEM;
}

/* GET /api/qa/checks/{kind}/{id}: a call's or a conversation's check with its hits and
 * the transcript it was checked on (a conversation's: its messages). */
static int check_contact(struct req *r)
{
	struct qa_check_row c;
	struct qa_transcript_row t;
	json_t *hits = NULL, *tr = json_null();
	const char *kind = r->params[0];
	int64_t id;
	int rc = contact_kind_valid(kind) ? req_param_id(r, 1, &id) : ERR_NOTFOUND;

	memset(&t, 0, sizeof(t));
	if (rc == 0) {
		rc = qa_check_get(r->store, kind, id, &c);
		if (rc == ERR_NOTFOUND)
			return err_set(&r->ei, ERR_NOTFOUND, NULL,
				       "the contact has not been checked");
	}
	if (rc < 0)
		return rc;
	/* An agent reads their own contacts' checks (QA-1); whether another's was
	 * checked is not told either. */
	rc = req_authorize_on(r, ACT_QA_CHECK_READ, &(struct auth_target){0, c.agent_id}, kind, id);
	if (rc < 0)
		return rc;
	hits = json_array();
	rc = hits ? qa_hit_list(r->store, c.id, hit_row, hits) : ERR_NOMEM;
	if (rc >= 0) {
		rc = qa_transcript_get(r->store, kind, id, &t);
		if (rc == 0) {
			json_t *b = json_loads(buf_str(&t.body), 0, NULL);

			tr = json_pack("{s:s, s:I, s:o}", "source", t.source, "created_at",
				       (json_int_t)t.created_at, "utterances",
				       b && json_object_get(b, "utterances")
					       ? json_incref(json_object_get(b, "utterances"))
					       : json_array());
			json_decref(b);
		}
		rc = rc == ERR_NOTFOUND ? 0 : rc;
	}
	buf_release(&t.body);
	if (rc < 0) {
		json_decref(hits);
		json_decref(tr);
		return rc;
	}
	return reply_json(r, 200,
			  json_pack("{s:o, s:o, s:o}", "check", check_json(&c), "hits", hits,
				    "transcript", tr));
}

/*
 * POST /api/qa/check-text {text, kind}: the forbidden phrases and other
 * wording rules found in what an agent is about to send (QA-3), with the
 * better wording, before it goes; nothing is stored.
 */
static int check_text(struct req *r)
{
	const char *text = NULL, *kind = NULL;
	json_t *out = NULL;
	int rc = body_str(r, "text", 1, &text);

	if (rc == 0)
		rc = body_str(r, "kind", 0, &kind);
	if (rc < 0)
		return rc;
	if (!kind)
		kind = "chat";
	if (!(qa_kind_parse(kind) & (QA_CHAT | QA_EMAIL | QA_MESSAGE)))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "kind", "kind: chat, email or message");
	if (utf8_len(text) > QA_DRAFT_MAX)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "text", "text: at most %d characters",
			     QA_DRAFT_MAX);
	if (rc < 0)
		return rc;
	rc = qa_check_draft(r->store, kind, text, &out);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, out);
}

const struct route qa_routes[] = {
	{"GET", "/api/qa/rules", rules_list, ACT_QA_RULE_READ},
	{"POST", "/api/qa/rules", rule_create, ACT_QA_RULE_WRITE},
	{"POST", "/api/qa/rules/test", rule_test, ACT_QA_RULE_WRITE},
	{"GET", "/api/qa/rules/{id}", rule_one, ACT_QA_RULE_READ},
	{"PATCH", "/api/qa/rules/{id}", rule_patch, ACT_QA_RULE_WRITE},
	{"GET", "/api/qa/rules/{id}/versions", rule_versions, ACT_QA_RULE_READ},
	{"PUT", "/api/calls/{id}/transcript", transcript_put, ACT_QA_TRANSCRIPT},
	{"GET", "/api/qa/checks", checks_list, ACT_QA_CHECK_READ},
	{"GET", "/api/qa/checks/{kind}/{id}", check_contact, ACT_QA_CHECK_READ},
	{"POST", "/api/qa/check-text", check_text, ACT_CHAN_REPLY},
	{NULL, NULL, NULL, 0},
};
