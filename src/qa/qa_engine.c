/*
 * The automatic check (QA-3, QA-4, CALL-2..8, CALL-11): the scheduler's
 * tick that checks 100 % of the answered calls with the rule engine
 * (qa.c), and the engine's use by the API (validation, the test box).
 *
 * The active rules are compiled once into one engine and rebuilt when the
 * rules change: the API bumps a counter after each commit, and each tick
 * also compares the rule table's generation (qa_rule_generation), so a
 * change made through another node or the CLI is seen too. A call without
 * a transcript is judged on its metrics alone (qa_run leaves out the rules
 * on the words when there are none). Only the scheduler's thread uses the
 * engine; a lock keeps that true should another caller appear.
 *
 * A call is checked when it ended and its recording is linked (the
 * recording adds dead air and talk-over), or when it ended
 * recording_wait_min minutes ago without one (or recording is off). The
 * walk keeps its cursor in qa_setting (see qa.h), at most BATCH calls a
 * tick. A transcript posted for a call already checked redoes the check
 * (qa_recheck), with the rules in force then; checks already made are never
 * rescored by a rule's change.
 *
 * Text contacts (issue 18's conversations: chats, emails, messages) are
 * checked once each when resolved, their messages as the transcript
 * (walk_convs, its own cursor over the order they were resolved in).
 */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/utf8.h"
#include "qa/qa.h"
#include "store/store.h"

#define BATCH 100	 /* calls examined a tick */
#define RECHECK_BATCH 50 /* transcripts' rechecks a tick */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint changes = 1;

static struct {
	int built;
	unsigned changes;
	int64_t generation;
	struct qa_engine *all; /* every active rule */
} cache;

void qa_rules_changed(void)
{
	atomic_fetch_add(&changes, 1);
}

/* -- compiling the rule set -- */

struct rule_set {
	struct qa_rule_src *src;
	int n, cap;
};

static void rule_set_free(struct rule_set *rs)
{
	for (int i = 0; i < rs->n; i++) {
		free((char *)rs->src[i].code);
		free((char *)rs->src[i].body);
	}
	free(rs->src);
	memset(rs, 0, sizeof(*rs));
}

static int rule_collect(void *ctx, const struct qa_rule_row *r)
{
	struct rule_set *rs = ctx;

	if (rs->n == rs->cap) {
		int cap = rs->cap ? rs->cap * 2 : 64;
		struct qa_rule_src *src = realloc(rs->src, (size_t)cap * sizeof(*src));

		if (!src)
			return ERR_NOMEM;
		rs->src = src;
		rs->cap = cap;
	}
	rs->src[rs->n].id = r->id;
	rs->src[rs->n].version = r->version;
	rs->src[rs->n].code = strdup(r->code);
	rs->src[rs->n].body = strdup(buf_str(&r->body));
	if (!rs->src[rs->n].code || !rs->src[rs->n].body) {
		free((char *)rs->src[rs->n].code);
		free((char *)rs->src[rs->n].body);
		return ERR_NOMEM;
	}
	rs->n++;
	return 0;
}

/*
 * Compiles the rules of rs. A body the engine refuses (stored before a
 * stricter engine, say) is left out and logged, so one broken rule never
 * stops the check of every call.
 */
static int compile_all(const struct rule_set *rs, struct qa_engine **out)
{
	struct qa_rule_src *pick = malloc(((size_t)rs->n + 1) * sizeof(*pick));
	struct err_info ei;
	int n = 0, rc;

	if (!pick)
		return ERR_NOMEM;
	for (int i = 0; i < rs->n; i++) {
		struct qa_engine *one = NULL;

		memset(&ei, 0, sizeof(ei));
		if (qa_compile(&rs->src[i], 1, &one, &ei) < 0) {
			log_error("qa: rule %s version %d left out: %s", rs->src[i].code,
				  rs->src[i].version, ei.message);
			continue;
		}
		qa_free(one);
		pick[n++] = rs->src[i];
	}
	memset(&ei, 0, sizeof(ei));
	rc = qa_compile(pick, n, out, &ei);
	free(pick);
	if (rc < 0)
		log_error("qa: cannot compile the rules: %s", ei.message);
	return rc;
}

/* Rebuilds the engine when the rules changed; with the lock held. */
static int engine_ready(struct store *s)
{
	unsigned now_changes = atomic_load(&changes);
	struct rule_set rs = {0};
	struct qa_engine *all = NULL;
	int64_t gen = 0;
	int rc = qa_rule_generation(s, &gen);

	if (rc < 0)
		return rc;
	if (cache.built && cache.changes == now_changes && cache.generation == gen)
		return 0;
	rc = qa_rule_list(s, 1, rule_collect, &rs);
	if (rc >= 0)
		rc = compile_all(&rs, &all);
	if (rc >= 0) {
		qa_free(cache.all);
		cache.all = all;
		cache.changes = now_changes;
		cache.generation = gen;
		cache.built = 1;
		log_info("qa: %d of %d active rules compiled", qa_rule_count(all), rs.n);
	}
	rule_set_free(&rs);
	return rc < 0 ? rc : 0;
}

/* -- one call's facts -- */

struct events_ctx {
	json_t *list;
	int64_t t0;
};

/*
 * A step of the live guidance (CALL-2/4/6/7) as an event named by its
 * step: kefu's prompt ("apologize", "speak", "hold_over", "limit_over") or
 * the agent's answer ("apologized", "spoke"), at the moment it came due or
 * the agent acted (at_ms from the answer, which is the recording's clock).
 */
static int guide_event(struct events_ctx *ec, const struct qa_call_event *e)
{
	json_t *d = e->detail ? json_loads(e->detail, 0, NULL) : NULL;
	const char *step = json_string_value(json_object_get(d, "step"));
	json_t *at = json_object_get(d, "at_ms");
	int64_t at_ms = json_is_integer(at) ? json_integer_value(at) : e->at - ec->t0;
	int rc = 0;

	if (step && strlen(step) <= QA_EVENT_MAX && at_ms >= 0)
		rc = json_array_append_new(ec->list, json_pack("{s:s, s:I}", "kind", step, "at_ms",
							       (json_int_t)at_ms));
	json_decref(d);
	return rc;
}

static int event_add(void *ctx, const struct qa_call_event *e)
{
	struct events_ctx *ec = ctx;
	const char *kind = strcmp(e->kind, "hold") == 0		 ? "hold"
			   : strcmp(e->kind, "transferred") == 0 ? "transfer"
								 : NULL;

	if (strcmp(e->kind, "guide") == 0)
		return guide_event(ec, e);
	/* The events a rule asks about (CALL-8), on the recording's clock: it
	 * starts when the agent is connected. */
	if (!kind || e->at < ec->t0)
		return 0;
	return json_array_append_new(ec->list, json_pack("{s:s, s:I}", "kind", kind, "at_ms",
							 (json_int_t)(e->at - ec->t0)));
}

/*
 * The facts of a call as the engine reads them (qa_facts_parse): the
 * metrics the call engine and the recording stored, the contact's class,
 * when the conversation ended and its holds and transfers.
 */
static json_t *call_facts(struct store *s, const struct qa_call_row *c)
{
	json_t *f = c->metrics.len ? json_loads(buf_str(&c->metrics), 0, NULL) : NULL;
	struct events_ctx ec;

	if (!json_is_object(f)) {
		json_decref(f);
		f = json_object();
	}
	if (!f)
		return NULL;
	if (c->contact_class[0])
		json_object_set_new(f, "class", json_string(c->contact_class));
	if (c->ended_at && c->connected_at)
		json_object_set_new(f, "end_ms", json_integer(c->ended_at - c->connected_at));
	ec.list = json_array();
	ec.t0 = c->connected_at;
	if (!ec.list || qa_call_events(s, c->id, event_add, &ec) < 0) {
		json_decref(ec.list);
		json_decref(f);
		return NULL;
	}
	json_object_set_new(f, "events", ec.list);
	return f;
}

static const char *severity_name(int s)
{
	return s == QA_HIGH ? "high" : s == QA_MEDIUM ? "medium" : "low";
}

/* The result of a run as rows of qa_hit; *rows allocated. */
static int hit_rows(const struct qa_engine *e, const struct qa_result *res,
		    struct qa_hit_row **rows)
{
	struct qa_hit_row *h = calloc((size_t)res->nhits + 1, sizeof(*h));

	if (!h)
		return ERR_NOMEM;
	for (int i = 0; i < res->nhits; i++) {
		const struct qa_hit *x = &res->hits[i];
		struct qa_rule_info info;

		qa_rule_info(e, x->rule, &info);
		h[i].rule_id = info.id;
		h[i].rule_version = info.version;
		snprintf(h[i].severity, sizeof(h[i].severity), "%s", severity_name(info.severity));
		h[i].score = info.score;
		h[i].fatal = info.fatal;
		h[i].utterance = x->utterance;
		h[i].char_offset = x->utterance >= 0 ? x->offset : -1;
		h[i].char_len = x->len;
		h[i].at_ms = x->at_ms;
		h[i].missing = x->missing;
		snprintf(h[i].text, sizeof(h[i].text), "%s", x->text ? x->text : "");
		snprintf(h[i].better, sizeof(h[i].better), "%s", x->better ? x->better : "");
	}
	*rows = h;
	return 0;
}

/*
 * Stores a contact's check, made by the cached engine with result res, in
 * place of the one before, in one transaction; with transcript (not NULL)
 * the text it was checked on is kept beside it under source (a
 * conversation's messages, an agent's summary).
 */
static int save_check(struct store *s, const char *kind, int64_t ref_id, int64_t agent_id,
		      int64_t contact_at, int words, const struct qa_result *res,
		      const char *source, const char *transcript, int64_t now)
{
	struct qa_hit_row *rows = NULL;
	struct qa_check_row chk;
	int rc = hit_rows(cache.all, res, &rows);

	if (rc < 0)
		return rc;
	memset(&chk, 0, sizeof(chk));
	snprintf(chk.kind, sizeof(chk.kind), "%s", kind);
	chk.ref_id = ref_id;
	chk.agent_id = agent_id;
	chk.contact_at = contact_at;
	chk.checked_at = now;
	chk.transcript = words;
	chk.score = res->score;
	chk.fatal = res->fatal;
	chk.hits = res->nhits;
	chk.high = res->high;
	rc = store_begin(s);
	if (rc == 0 && transcript)
		rc = qa_transcript_save(s, kind, ref_id, source, transcript, now);
	if (rc == 0)
		rc = qa_check_replace(s, &chk, rows, (size_t)res->nhits);
	if (rc == 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	free(rows);
	return rc;
}

/* Checks call c (read with its metrics) and stores the result; lock held. */
static int check_one(struct store *s, const struct qa_call_row *c, int64_t now)
{
	struct qa_transcript_row t;
	struct qa_contact ct;
	struct qa_facts_store fs = {0};
	struct qa_result res;
	struct qa_utt *utts = NULL;
	struct err_info ei;
	json_t *tbody = NULL, *facts = NULL;
	int rc, words = 0;

	memset(&t, 0, sizeof(t));
	memset(&res, 0, sizeof(res));
	memset(&ei, 0, sizeof(ei));
	qa_contact_init(&ct, QA_CALL);
	rc = qa_transcript_get(s, "call", c->id, &t);
	if (rc == 0) {
		tbody = json_loads(buf_str(&t.body), 0, NULL);
		/* Validated when it was posted; a body the engine now refuses is
		 * checked as if there were none, and said so. */
		if (tbody && qa_transcript_parse(tbody, &ct, &utts, &ei) == 0) {
			words = 1;
		} else {
			log_error("qa: the transcript of call %lld is unreadable: %s",
				  (long long)c->id, ei.message);
			free(utts);
			utts = NULL;
			qa_contact_init(&ct, QA_CALL);
		}
	} else if (rc != ERR_NOTFOUND) {
		goto out;
	}
	rc = 0;
	facts = call_facts(s, c);
	if (!facts) {
		rc = ERR_NOMEM;
		goto out;
	}
	qa_facts_parse(facts, &ct, &fs);
	rc = qa_run(cache.all, &ct, &res);
	if (rc == 0)
		rc = save_check(s, "call", c->id, c->agent_id, c->started_at, words, &res, NULL,
				NULL, now);
out:
	qa_result_free(&res);
	qa_facts_free(&fs);
	free(utts);
	json_decref(facts);
	json_decref(tbody);
	buf_release(&t.body);
	return rc;
}

static int check_call_locked(struct store *s, int64_t call_id, int64_t now)
{
	struct qa_call_row c;
	int rc;

	memset(&c, 0, sizeof(c));
	rc = qa_call_get(s, call_id, &c);
	if (rc == 0 && (!c.connected_at || !c.agent_id || !c.ended_at))
		rc = ERR_CONFLICT; /* never answered, or still going */
	if (rc == 0)
		rc = check_one(s, &c, now);
	buf_release(&c.metrics);
	return rc;
}

int qa_check_call(struct store *s, int64_t call_id, int64_t now)
{
	int rc;

	pthread_mutex_lock(&lock);
	rc = engine_ready(s);
	if (rc == 0)
		rc = check_call_locked(s, call_id, now);
	pthread_mutex_unlock(&lock);
	return rc;
}

/* -- the walks' cursors (qa_setting) -- */

/* Saves a walk's cursor: key (and key2 when not NULL) in one transaction. */
static int cursor_save(struct store *s, const char *key, int64_t value, const char *key2,
		       int64_t value2)
{
	int rc = store_begin(s);

	if (rc == 0)
		rc = qa_setting_set(s, key, value);
	if (rc == 0 && key2)
		rc = qa_setting_set(s, key2, value2);
	if (rc == 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	return rc;
}

/* A row the walk could not finish (not ready, or failed) holds the cursor
 * just before it; the rows after it are still checked. */
static void cursor_hold(int64_t *next, int *stuck, int64_t id)
{
	if (!*stuck)
		*next = id - 1;
	*stuck = 1;
}

/* -- text conversations (issue 18's channels) -- */

/* A channel's conversations are checked as this kind of contact (qa_check.kind). */
static int conv_kind(const char *channel)
{
	if (strcmp(channel, "email") == 0)
		return QA_EMAIL;
	if (strcmp(channel, "sms") == 0)
		return QA_MESSAGE;
	return QA_CHAT; /* web chat, WeChat, Weibo: a dialogue in real time */
}

struct conv_utts {
	json_t *list;
	int64_t t0, prev;
};

/*
 * One message as an utterance: the agent's or the customer's, at its time
 * from the conversation's start (kept in order and within the week a
 * transcript may span), its text cut to what an utterance may hold. A
 * message with no text (a file alone) says nothing to check.
 */
static int conv_utt(void *ctx, const struct qa_conv_msg *m)
{
	struct conv_utts *cu = ctx;
	const int64_t week = 86400000LL * 7;
	int64_t at = m->at - cu->t0;
	size_t len = utf8_prefix(m->body, strlen(m->body), QA_UTT_CHARS_MAX, NULL);
	json_t *u;

	if (utf8_blank(m->body))
		return 0;
	at = at < cu->prev ? cu->prev : at > week ? week : at;
	cu->prev = at;
	u = json_pack("{s:s, s:I, s:I, s:s%}", "speaker", m->from_agent ? "agent" : "customer",
		      "start_ms", (json_int_t)at, "end_ms", (json_int_t)at, "text", m->body, len);
	return u && json_array_append_new(cu->list, u) == 0 ? 0 : ERR_NOMEM;
}

/* A written contact to check: its kind and row, who and when, and its
 * words as utterances (the list is the caller's). */
struct text_contact {
	int kind;
	int64_t ref_id, agent_id, contact_at;
	const char *contact_class; /* "" : none */
	int64_t talk_ms;	   /* -1: not known */
	const char *source;	   /* the transcript's source as kept */
	json_t *list;
};

/*
 * Checks a written contact: its utterances are its transcript, kept with
 * the check so the check reads like a call's. The rules whose kinds
 * include the contact's kind apply; those on a call's metrics find no
 * facts and do not match.
 */
static int check_text_locked(struct store *s, const struct text_contact *t, int64_t now)
{
	struct qa_contact ct;
	struct qa_result res;
	struct qa_utt *utts = NULL;
	struct err_info ei;
	json_t *body = json_pack("{s:O}", "utterances", t->list);
	char *text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	int rc;

	memset(&res, 0, sizeof(res));
	memset(&ei, 0, sizeof(ei));
	if (!text) {
		rc = ERR_NOMEM;
		goto out;
	}
	qa_contact_init(&ct, t->kind);
	rc = qa_transcript_parse(body, &ct, &utts, &ei);
	if (rc < 0) {
		log_error("qa: %s %lld's words are no transcript: %s", qa_kind_name(t->kind),
			  (long long)t->ref_id, ei.message);
		goto out;
	}
	/* A contact's class is one letter (ROUTE-1). */
	snprintf(ct.contact_class, sizeof(ct.contact_class), "%.3s", t->contact_class);
	ct.talk_ms = t->talk_ms;
	rc = qa_run(cache.all, &ct, &res);
	if (rc == 0)
		rc = save_check(s, qa_kind_name(t->kind), t->ref_id, t->agent_id, t->contact_at,
				ct.nutt > 0, &res, t->source, text, now);
out:
	qa_result_free(&res);
	free(utts);
	free(text);
	json_decref(body);
	return rc;
}

/*
 * Checks a resolved conversation: its messages (the customer's in, the
 * agent's out) are its transcript, and the contact's class is the one it
 * was resolved with.
 */
static int check_conv_locked(struct store *s, const struct qa_conv_row *v, int64_t now)
{
	struct conv_utts cu = {json_array(), v->created_at, 0};
	int rc = cu.list ? qa_conv_messages(s, v->id, QA_UTT_MAX, conv_utt, &cu) : ERR_NOMEM;

	if (rc >= 0)
		rc = check_text_locked(
			s,
			&(struct text_contact){conv_kind(v->channel), v->id, v->agent_id,
					       v->created_at, v->contact_class,
					       v->resolved_at - v->created_at, "messages", cu.list},
			now);
	json_decref(cu.list);
	return rc;
}

struct conv_cands {
	struct qa_conv_row c[BATCH];
	int n;
};

static int conv_cand_add(void *ctx, const struct qa_conv_row *c)
{
	struct conv_cands *cs = ctx;

	if (cs->n < BATCH)
		cs->c[cs->n++] = *c;
	return 0;
}

/*
 * The conversations resolved since the cursor (resolved_at, id), oldest
 * first: each is checked once, since a resolved conversation never
 * changes (the customer's next message opens a new one). The cursor stops
 * before one that could not be checked, which is tried again next tick.
 */
static int walk_convs(struct store *s, int64_t now, int *done)
{
	struct conv_cands *cs = calloc(1, sizeof(*cs));
	int64_t at = 0, id = 0, next_at, next_id;
	int rc;

	if (!cs)
		return ERR_NOMEM;
	rc = qa_setting_get(s, "conv_cursor_at", &at);
	if (rc == 0)
		rc = qa_setting_get(s, "conv_cursor_id", &id);
	if (rc == 0)
		rc = qa_conv_candidates(s, at, id, BATCH, conv_cand_add, cs);
	if (rc < 0)
		goto out;
	rc = 0;
	next_at = at;
	next_id = id;
	for (int i = 0; i < cs->n; i++) {
		int one = check_conv_locked(s, &cs->c[i], now);

		if (one < 0) {
			log_error("qa: cannot check conversation %lld (%d)", (long long)cs->c[i].id,
				  one);
			break;
		}
		next_at = cs->c[i].resolved_at;
		next_id = cs->c[i].id;
		(*done)++;
	}
	if (next_at != at || next_id != id)
		rc = cursor_save(s, "conv_cursor_at", next_at, "conv_cursor_id", next_id);
out:
	free(cs);
	return rc;
}

/* -- agents' summaries of contacts (kind summary) -- */

/* One written part of a summary as the agent's utterance, named by its field. */
static int summary_utt(void *ctx, const struct qa_summary_part *p)
{
	size_t len = utf8_prefix(p->text, strlen(p->text), QA_UTT_CHARS_MAX, NULL);
	json_t *u;

	if (utf8_blank(p->text))
		return 0;
	u = json_pack("{s:s, s:i, s:i, s:s%, s:s}", "speaker", "agent", "start_ms", 0, "end_ms", 0,
		      "text", p->text, len, "field", p->field);
	return u && json_array_append_new(ctx, u) == 0 ? 0 : ERR_NOMEM;
}

/* Checks the summary the agent wrote on contact c: its 5W1H and its summary,
 * each part one of the agent's utterances. */
static int check_summary_locked(struct store *s, const struct qa_summary_row *c, int64_t now)
{
	json_t *list = json_array();
	int rc = list ? qa_summary_parts(s, c->id, summary_utt, list) : ERR_NOMEM;

	if (rc >= 0)
		rc = check_text_locked(s,
				       &(struct text_contact){QA_SUMMARY, c->id, c->agent_id,
							      c->started_at, "", -1, "summary",
							      list},
				       now);
	json_decref(list);
	return rc;
}

#define DAY_MS 86400000LL

/*
 * Whether a contact's summary is final: the agent writes it while and
 * after the contact (the wrap-up), so it is read wait_ms after the contact
 * ended. A contact not ended is still going (a call: its end is written
 * when it hangs up), unless it is a record entered by hand (no call) or a
 * day old (an end that was lost).
 */
static int summary_ready(const struct qa_summary_row *c, int64_t now, int64_t wait_ms)
{
	if (c->ended_at)
		return c->ended_at <= now - wait_ms;
	if (!c->call_id)
		return c->created_at <= now - wait_ms;
	return c->started_at <= now - DAY_MS;
}

struct summary_cands {
	struct qa_summary_row c[BATCH];
	int n;
};

static int summary_cand_add(void *ctx, const struct qa_summary_row *c)
{
	struct summary_cands *cs = ctx;

	if (cs->n < BATCH)
		cs->c[cs->n++] = *c;
	return 0;
}

/*
 * The contacts after the cursor, by id: each ready one with words is
 * checked once; one without is passed over (nothing was written). The
 * cursor moves up to the first one not ready, so a tick costs the contacts
 * since the oldest one still open; those after it already checked are not
 * read again (the candidates leave out what has a check).
 */
static int walk_summaries(struct store *s, int64_t now, int64_t wait_ms, int *done)
{
	struct summary_cands *cs = calloc(1, sizeof(*cs));
	int64_t cursor = 0, max_id = 0, next;
	int rc, stuck = 0;

	if (!cs)
		return ERR_NOMEM;
	rc = qa_setting_get(s, "summary_cursor", &cursor);
	if (rc == 0)
		rc = qa_summary_candidates(s, cursor, BATCH, summary_cand_add, cs, &max_id);
	if (rc < 0 || max_id <= cursor)
		goto out;
	rc = 0;
	/* With every candidate read, what lies between them up to max_id was checked. */
	next = cs->n < BATCH ? max_id : cursor;
	for (int i = 0; i < cs->n; i++) {
		const struct qa_summary_row *c = &cs->c[i];
		int one = 0;

		if (!summary_ready(c, now, wait_ms)) {
			cursor_hold(&next, &stuck, c->id);
			continue;
		}
		if (c->has_text) {
			one = check_summary_locked(s, c, now);
			if (one < 0) {
				log_error("qa: cannot check the summary of contact %lld (%d)",
					  (long long)c->id, one);
				cursor_hold(&next, &stuck, c->id);
				continue;
			}
			(*done)++;
		}
		if (!stuck && c->id > next)
			next = c->id;
	}
	if (next > cursor)
		rc = cursor_save(s, "summary_cursor", next, NULL, 0);
out:
	free(cs);
	return rc;
}

/* -- the tick -- */

struct cand {
	int64_t id, ended_at;
	int has_recording;
};

struct cands {
	struct cand c[BATCH];
	int n;
};

static int cand_add(void *ctx, const struct qa_call_row *r)
{
	struct cands *cs = ctx;

	if (cs->n < BATCH)
		cs->c[cs->n++] = (struct cand){r->id, r->ended_at, r->has_recording};
	return 0;
}

struct rechecks {
	struct qa_recheck_row r[RECHECK_BATCH];
	int n;
};

static int recheck_add(void *ctx, const struct qa_recheck_row *r)
{
	struct rechecks *rs = ctx;

	if (rs->n < RECHECK_BATCH)
		rs->r[rs->n++] = *r;
	return 0;
}

/* The calls after the cursor: each one ready is checked; the cursor moves
 * up to the first one not ready. */
static int walk_calls(struct store *s, int64_t now, int64_t wait_ms, int *done)
{
	struct cands *cs = calloc(1, sizeof(*cs));
	int64_t cursor = 0, max_id = 0, next;
	int rc, stuck = 0;

	if (!cs)
		return ERR_NOMEM;
	rc = qa_setting_get(s, "call_cursor", &cursor);
	if (rc == 0)
		rc = qa_call_max_id(s, &max_id);
	if (rc == 0 && max_id > cursor)
		rc = qa_call_candidates(s, cursor, max_id, BATCH, cand_add, cs);
	if (rc < 0 || max_id <= cursor)
		goto out;
	rc = 0;
	next = cs->n == BATCH ? cs->c[BATCH - 1].id : max_id;
	for (int i = 0; i < cs->n; i++) {
		const struct cand *c = &cs->c[i];
		int ready = c->ended_at && (c->has_recording || c->ended_at <= now - wait_ms);

		if (!ready) {
			cursor_hold(&next, &stuck, c->id);
			continue;
		}
		rc = check_call_locked(s, c->id, now);
		if (rc < 0) {
			log_error("qa: cannot check call %lld (%d)", (long long)c->id, rc);
			/* It stays before the cursor's new place, to be tried again. */
			cursor_hold(&next, &stuck, c->id);
			rc = 0;
			continue;
		}
		(*done)++;
	}
	if (next > cursor)
		rc = cursor_save(s, "call_cursor", next, NULL, 0);
out:
	free(cs);
	return rc;
}

/* Contacts whose transcript came since their check: checked again. One not
 * checked yet is left to the walk, which reads its transcript then; one the
 * walk checked after the transcript came (this very tick, say) is done. */
static int rechecks(struct store *s, int64_t now, int *done)
{
	struct rechecks *rs = calloc(1, sizeof(*rs));
	struct qa_check_row c;
	int rc;

	if (!rs)
		return ERR_NOMEM;
	rc = qa_recheck_list(s, RECHECK_BATCH, recheck_add, rs);
	for (int i = 0; rc >= 0 && i < rs->n; i++) {
		const struct qa_recheck_row *r = &rs->r[i];
		int had = strcmp(r->kind, "call") == 0 &&
			  qa_check_get(s, "call", r->ref_id, &c) == 0 &&
			  c.checked_at <= r->queued_at;

		if (had) {
			int one = check_call_locked(s, r->ref_id, now);

			if (one < 0)
				log_error("qa: cannot check call %lld again (%d)",
					  (long long)r->ref_id, one);
			else
				(*done)++;
		}
		rc = store_begin(s);
		if (rc == 0)
			rc = qa_recheck_done(s, r->kind, r->ref_id, r->queued_at);
		if (rc == 0)
			rc = store_commit(s);
		else
			store_rollback(s);
	}
	free(rs);
	return rc < 0 ? rc : 0;
}

int qa_tick(struct store *s, int64_t now, void *arg)
{
	const struct config *cfg = arg;
	int64_t wait_min = 10, summary_min = 10;
	int rc, done = 0;

	pthread_mutex_lock(&lock);
	rc = engine_ready(s);
	if (rc == 0)
		rc = qa_setting_get(s, "recording_wait_min", &wait_min);
	/* Without recordings there is nothing to wait for. */
	if (cfg && !cfg->recordings_dir[0])
		wait_min = 0;
	if (rc == 0)
		rc = walk_calls(s, now, wait_min * 60000, &done);
	if (rc == 0)
		rc = walk_convs(s, now, &done);
	if (rc == 0 && qa_setting_get(s, "summary_wait_min", &summary_min) == 0)
		rc = walk_summaries(s, now, summary_min * 60000, &done);
	if (rc == 0)
		rc = rechecks(s, now, &done);
	pthread_mutex_unlock(&lock);
	return rc < 0 ? rc : done;
}

/* -- the API's use of the engine -- */

int qa_check_rule_valid(json_t *body, struct err_info *ei)
{
	return qa_rule_validate(body, ei);
}

int qa_check_transcript_valid(json_t *body, struct err_info *ei, int *n)
{
	struct qa_contact c;
	struct qa_utt *utts = NULL;
	int rc;

	qa_contact_init(&c, QA_CALL);
	rc = qa_transcript_parse(body, &c, &utts, ei);
	*n = rc == 0 ? c.nutt : 0;
	free(utts);
	return rc;
}

static int utf8_chars(const char *s, size_t len)
{
	int n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/*
 * The test box's pasted lines ("坐席: …", "客户: …", or agent:/customer:)
 * as a transcript: each line one utterance, timed as if spoken at 150
 * characters a minute (CALL-11's norm) with half a second between them.
 */
static int lines_transcript(const char *text, struct err_info *ei, json_t **out)
{
	static const struct {
		const char *prefix;
		const char *speaker;
	} who[] = {{"坐席", "agent"},	 {"客服", "agent"},    {"agent", "agent"},
		   {"客户", "customer"}, {"用户", "customer"}, {"customer", "customer"}};
	json_t *utts = json_array();
	int64_t at = 0;
	int line_no = 0;

	for (const char *p = text; utts && *p;) {
		const char *end = strchr(p, '\n'), *q = NULL, *sp = NULL;
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char line[8192];

		line_no++;
		snprintf(line, sizeof(line), "%.*s",
			 (int)(len < sizeof(line) ? len : sizeof(line) - 1), p);
		p = end ? end + 1 : p + len;
		line[strcspn(line, "\r")] = '\0';
		if (!line[strspn(line, " \t")])
			continue;
		for (size_t i = 0; !sp && i < sizeof(who) / sizeof(who[0]); i++) {
			size_t n = strlen(who[i].prefix);

			if (strncasecmp(line + strspn(line, " \t"), who[i].prefix, n) == 0) {
				q = line + strspn(line, " \t") + n;
				q += strspn(q, " \t");
				if (strncmp(q, ":", 1) == 0)
					q += 1;
				else if (strncmp(q, "：", 3) == 0)
					q += 3;
				else
					continue;
				sp = who[i].speaker;
			}
		}
		if (!sp) {
			json_decref(utts);
			return err_set(
				ei, ERR_UNPROCESSABLE, "transcript",
				"transcript: line %d does not begin with 坐席: or 客户:", line_no);
		}
		q += strspn(q, " \t");
		{
			int64_t ms = (int64_t)utf8_chars(q, strlen(q)) * 400;

			json_array_append_new(utts, json_pack("{s:s, s:I, s:I, s:s}", "speaker", sp,
							      "start_ms", (json_int_t)at, "end_ms",
							      (json_int_t)(at + ms), "text", q));
			at += ms + 500;
		}
	}
	*out = utts ? json_pack("{s:o}", "utterances", utts) : NULL;
	return *out ? 0 : ERR_NOMEM;
}

static int add_rule_body(struct rule_set *rs, int64_t id, const char *code, int version,
			 const char *body)
{
	struct qa_rule_row r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.id = id;
	r.version = version;
	snprintf(r.code, sizeof(r.code), "%s", code);
	rc = buf_puts(&r.body, body);
	if (rc == 0)
		rc = rule_collect(rs, &r);
	buf_release(&r.body);
	return rc;
}

int qa_check_test(struct store *s, json_t *rule, json_t *ids, json_t *transcript, json_t *facts,
		  struct err_info *ei, json_t **out)
{
	struct rule_set rs = {0};
	struct qa_engine *e = NULL;
	struct qa_contact c;
	struct qa_facts_store fs = {0};
	struct qa_result res;
	struct qa_utt *utts = NULL;
	json_t *tbody = NULL, *hits = NULL, *empty = NULL;
	size_t i;
	json_t *v;
	int rc = 0;

	memset(&res, 0, sizeof(res));
	qa_contact_init(&c, QA_CALL);
	if (rule) {
		char *text;

		rc = qa_rule_validate(rule, ei);
		if (rc < 0)
			goto out;
		text = json_dumps(rule, JSON_COMPACT);
		rc = text ? add_rule_body(&rs, 0, "test", 0, text) : ERR_NOMEM;
		free(text);
	}
	json_array_foreach(ids, i, v)
	{
		struct qa_rule_row r;

		if (rc < 0)
			break;
		if (!json_is_integer(v) || json_integer_value(v) < 1) {
			rc = err_set(ei, ERR_INVALID, "rule_ids", "rule_ids: a list of rule ids");
			break;
		}
		memset(&r, 0, sizeof(r));
		rc = qa_rule_get(s, json_integer_value(v), &r);
		if (rc == ERR_NOTFOUND)
			rc = err_set(ei, ERR_UNPROCESSABLE, "rule_ids", "rule_ids: no rule %lld",
				     (long long)json_integer_value(v));
		if (rc == 0)
			rc = rule_collect(&rs, &r);
		buf_release(&r.body);
	}
	if (rc < 0)
		goto out;
	if (json_is_string(transcript)) {
		rc = lines_transcript(json_string_value(transcript), ei, &tbody);
		if (rc < 0)
			goto out;
	} else {
		tbody = transcript ? json_incref(transcript) : json_pack("{s:[]}", "utterances");
	}
	rc = qa_transcript_parse(tbody, &c, &utts, ei);
	if (rc < 0)
		goto out;
	empty = facts ? json_incref(facts) : json_object();
	qa_facts_parse(empty, &c, &fs);
	rc = qa_compile(rs.src, rs.n, &e, ei);
	if (rc == 0)
		rc = qa_run(e, &c, &res);
	if (rc < 0)
		goto out;
	hits = json_array();
	for (int k = 0; hits && k < res.nhits; k++)
		json_array_append_new(hits, qa_hit_json(e, &res.hits[k]));
	*out = json_pack("{s:o, s:i, s:b, s:i, s:O}", "hits", hits, "score", res.score, "fatal",
			 res.fatal, "matched", res.matched, "utterances",
			 json_object_get(tbody, "utterances"));
	rc = *out ? 0 : ERR_NOMEM;
out:
	qa_result_free(&res);
	qa_free(e);
	qa_facts_free(&fs);
	free(utts);
	json_decref(tbody);
	json_decref(empty);
	rule_set_free(&rs);
	return rc;
}

/*
 * The agent's text before it is sent (QA-3 at the desk): each line an
 * agent's utterance (a line over an utterance's length in pieces), run
 * against the rules in force for the kind. Only the words found count:
 * one message cannot miss a closing or break a call's metric. Offsets are
 * counted in characters of the whole text, so the desk marks the words
 * where the agent wrote them.
 */
int qa_check_draft(struct store *s, const char *kind_name, const char *text, json_t **out)
{
	struct qa_utt *utts = NULL;
	struct qa_contact c;
	struct qa_result res;
	int *starts = NULL, n = 0, cap = 0, kind = qa_kind_parse(kind_name), rc, chars = 0;
	json_t *hits = NULL;

	memset(&res, 0, sizeof(res));
	for (const char *p = text; *p;) {
		size_t k, len = utf8_prefix(p, strcspn(p, "\n"), QA_UTT_CHARS_MAX, &k);

		if (n == cap) {
			struct qa_utt *nu;
			int *ns;

			cap = cap ? cap * 2 : 8;
			nu = realloc(utts, (size_t)cap * sizeof(*utts));
			if (nu)
				utts = nu;
			ns = realloc(starts, (size_t)cap * sizeof(*starts));
			if (ns)
				starts = ns;
			if (!nu || !ns) {
				rc = ERR_NOMEM;
				goto out;
			}
		}
		/* The engine reads each utterance to its NUL: a copy per line. */
		utts[n] = (struct qa_utt){QA_AGENT, 0, 0, strndup(p, len)};
		if (!utts[n].text) {
			rc = ERR_NOMEM;
			goto out;
		}
		starts[n++] = chars;
		chars += (int)k;
		p += len;
		if (*p == '\n') {
			p++;
			chars++;
		}
	}
	qa_contact_init(&c, kind);
	c.utt = utts;
	c.nutt = n;
	pthread_mutex_lock(&lock);
	rc = engine_ready(s);
	if (rc == 0)
		rc = qa_run(cache.all, &c, &res);
	hits = rc == 0 ? json_array() : NULL;
	for (int i = 0; hits && i < res.nhits; i++) {
		const struct qa_hit *h = &res.hits[i];
		json_t *o;

		if (h->utterance < 0)
			continue;
		o = qa_hit_json(cache.all, h);
		if (!o ||
		    json_object_set_new(o, "offset",
					json_integer(starts[h->utterance] + h->offset)) < 0 ||
		    json_object_del(o, "utterance") < 0 || json_object_del(o, "at_ms") < 0 ||
		    json_array_append_new(hits, o) < 0) {
			json_decref(o);
			json_decref(hits);
			hits = NULL;
		}
	}
	pthread_mutex_unlock(&lock);
	if (rc == 0)
		rc = hits ? 0 : ERR_NOMEM;
	if (rc == 0) {
		*out = json_pack("{s:o}", "hits", hits);
		rc = *out ? 0 : ERR_NOMEM;
	}
out:
	qa_result_free(&res);
	for (int i = 0; i < n; i++)
		free((char *)utts[i].text);
	free(utts);
	free(starts);
	return rc;
}
