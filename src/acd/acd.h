/*
 * acd — the hotline's agents and their status (ORG-2, ORG-3, CALL-15).
 *
 * Every person who holds a seat has one status. A seat holder is an active
 * person with the agent role, or a manager or supervisor who holds a seat
 * type (ORG-2: the manager's 班长席 is a seat too). Some statuses are set by
 * the person (or their supervisor), the rest only by the system:
 *
 *   set by people:  logged_out  (签出: not on the hotline; also "no row")
 *                   ready       (示闲: may be offered a call)
 *                   busy        (示忙: away, with a reason; CALL-15)
 *                   break       (小休)
 *   set by system:  ringing     (a call is being offered to the agent)
 *                   talking     (on a call)
 *                   wrap_up     (after-call work until wrap_until, then ready)
 *
 * While the system holds an agent (ringing, talking) nobody else moves
 * them: their own change is 409, and so is a supervisor's, except logging
 * the seat out (a stuck or forgotten seat must be recoverable). Wrap-up is
 * the agent's own time: they may go ready early, busy, on a break or out.
 * Busy needs a reason (one of the codes training, meeting, paperwork, or
 * free text of at most ACD_REASON_MAX characters); the other statuses take
 * none. Busy and break are both away from the seat and count against the
 * same allowance: a spell away runs from the first busy or break to the
 * next other status, so choosing busy again with another reason, or
 * switching between busy and break, keeps the spell's start (since) and
 * its alert, and the CALL-15 clock is reset by neither. An agent (the agent
 * role) goes on duty only once certified (ORG-4).
 *
 * CALL-15: an agent away (busy or on a break, together) for busy_max_min
 * minutes or longer alerts every manager and supervisor once per spell
 * (agent_state.busy_alerted,
 * set by a conditional UPDATE, so exactly once across restarts and
 * nodes). Wrap-up that has run out returns the agent to ready. Both happen
 * in acd_tick(), which the scheduler thread runs every second (and the
 * test clock on demand).
 *
 * Every status change is a row in agent_state_log (who made it: the
 * person, their supervisor, or NULL for the system). Changes made by
 * people are also audited ("agent.status") by the API; the system's own
 * (ringing, talking, wrap-up, its expiry) are in the log only, which would
 * otherwise bury the audit log under two entries per call.
 *
 * acd.c holds the rules (no I/O, now is a parameter), acd_store.c the SQL,
 * acd_engine.c the changes and the tick (rules applied to records with the
 * log and notifications, in the caller's transaction), acd_api.c the HTTP
 * routes under /api/acd. Callers own the structs; nothing here is freed.
 * The wallboard's live figures of the queues and the callback requests
 * callers leave have a section of their own below (acd_live.c,
 * acd_live_store.c, acd_callback.c, acd_live_api.c, acd_live_stream.c).
 */
#ifndef KEFU_ACD_ACD_H
#define KEFU_ACD_ACD_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "http/http.h"

struct store;

enum acd_status {
	ACD_LOGGED_OUT,
	ACD_READY,
	ACD_BUSY,
	ACD_BREAK,
	ACD_RINGING,
	ACD_TALKING,
	ACD_WRAP_UP,
	ACD_STATUS_COUNT
};

/* Who makes a change: the rules differ (see above). */
enum acd_by {
	ACD_BY_SELF,	   /* the agent, for themselves */
	ACD_BY_SUPERVISOR, /* a supervisor or manager, for someone (ACT_ACD_MANAGE) */
	ACD_BY_SYSTEM,	   /* the call engine and the tick */
};

#define ACD_REASON_MAX 64 /* characters */
#define ACD_REASON_SIZE (ACD_REASON_MAX * 4 + 1)
/* acd_next() and the changes: the request asks for what already is. */
#define ACD_UNCHANGED 1

struct acd_state {
	int64_t person_id;
	enum acd_status status;
	char reason[ACD_REASON_SIZE]; /* busy only; "" otherwise */
	int64_t since;		      /* start of this status (busy, break: of the spell away); 0: never */
	int64_t wrap_until;	      /* wrap_up only: when it turns ready; else 0 */
	int busy_alerted;	      /* CALL-15 alert sent for this busy spell */
	int64_t updated_at;
	int stored; /* a row exists (acd_save inserts the first one) */
};

/* Rules (acd.c). */
const char *acd_status_name(enum acd_status st);
/* The status of a name, or -1 when unknown. */
int acd_status_parse(const char *name);
/* 1 for ringing, talking and wrap_up: states only the system sets. */
int acd_status_system_only(enum acd_status st);
/* 1 if a person with these roles and this many seat types holds a seat. */
int acd_is_seat(unsigned roles, int nskills);
/*
 * ORG-4: may this person be anywhere but logged out? Agents (the agent
 * role) only once certified; managers and supervisors who take calls are
 * not examined as agents.
 */
int acd_on_duty_allowed(unsigned roles, int certified);
/*
 * A busy reason as given by a client: trimmed of surrounding blanks into
 * out[ACD_REASON_SIZE]. NULL or blank gives "". ERR_UNPROCESSABLE (field
 * "reason") when longer than ACD_REASON_MAX characters or holding control
 * characters; ERR_INVALID when not UTF-8.
 */
int acd_reason_clean(const char *in, char *out, size_t size, struct err_info *ei);
/* The zh-CN words for a reason: the label of a code (training → 培训), else the text. */
const char *acd_reason_label(const char *reason);
/*
 * The next state when `by` asks for `to` (with reason, already cleaned) at
 * now. Returns 0 with *next filled, ACD_UNCHANGED when nothing would
 * change, or: ERR_UNPROCESSABLE for a system-only status asked by a person,
 * busy without a reason or another status with one (field set); ERR_CONFLICT
 * when the system holds the agent (see above), for ringing unless ready
 * (the call engine must not offer a call to anyone else), and for wrap_up
 * unless talking. wrap_up_sec is the after-call time for ACD_WRAP_UP; with 0
 * the agent is ready at once.
 */
int acd_next(const struct acd_state *cur, enum acd_status to, const char *reason, enum acd_by by,
	     int64_t now, int wrap_up_sec, struct acd_state *next, struct err_info *ei);
/* 1 for busy and break: away from the seat, one CALL-15 allowance for both. */
int acd_status_away(enum acd_status st);
/* CALL-15: away (busy or break) for busy_max_min minutes or more at now, not yet alerted. */
int acd_busy_overdue(const struct acd_state *st, int64_t now, int busy_max_min);
/* Busy spells that started at or before this instant are overdue at now. */
int64_t acd_busy_limit(int64_t now, int busy_max_min);
/* Wrap-up that has run out at now. */
int acd_wrap_expired(const struct acd_state *st, int64_t now);

/*
 * Queues (ORG-2: one per skill). Which ready agent a waiting call is
 * offered to: longest_idle (default) the one ready the longest;
 * round_robin the next one after the agent this queue offered to last, in
 * person-id order; ring_all every ready agent at once, the first to answer
 * takes the call.
 */
enum acd_strategy { ACD_LONGEST_IDLE, ACD_ROUND_ROBIN, ACD_RING_ALL };

struct acd_candidate {
	int64_t person_id;
	int64_t ready_since; /* when the agent became ready (the idle time's start) */
};

/* The strategy of a name, or -1. */
int acd_strategy_parse(const char *name);
/*
 * Orders candidates in place by the strategy (last_id: the person the
 * queue offered to last, for round_robin; 0 for none) and returns how many
 * of the first ones to ring at once: n for ring_all, else 1 (0 when n is 0).
 */
int acd_order(enum acd_strategy st, struct acd_candidate *c, int n, int64_t last_id);
/*
 * The expected wait in seconds of a caller at position pos (1: next to be
 * served) when `agents` are taking this queue's calls and a call lasts
 * aht_sec on average (talk and wrap-up): each agent frees a seat every
 * aht_sec, so pos callers are served after about pos × aht / agents. With
 * no agent at all it is pos × aht. Never under 0.
 */
int acd_expected_wait_sec(int pos, int agents, int aht_sec);

/* Storage (acd_store.c). Nothing here begins or commits. */
/* The person's state; a person with no row is logged_out with since 0. */
int acd_get(struct store *s, int64_t person_id, struct acd_state *out);
/*
 * Writes next over cur (as acd_get read it) and a log row by by_id (0: the
 * system), at next->updated_at. ERR_CONFLICT when the row is no longer what
 * cur says (someone changed it in between, e.g. another node).
 */
int acd_save(struct store *s, const struct acd_state *cur, const struct acd_state *next,
	     int64_t by_id);

/* An agent as the wallboard lists them. Strings are valid during the callback only. */
#define ACD_SKILLS_MAX 8
struct acd_agent {
	int64_t person_id;
	const char *work_no;
	const char *name;
	unsigned roles;
	const char *skills[ACD_SKILLS_MAX];
	int nskills;
	struct acd_state state;
};
/* Every seat holder (see above), by work number; returns how many rows it gave. */
int acd_agents(struct store *s, int (*row)(void *ctx, const struct acd_agent *a), void *ctx);

struct acd_log_entry {
	int64_t id;
	int64_t person_id;
	int64_t at;
	const char *from_status; /* NULL: none before */
	const char *to_status;
	const char *reason; /* NULL: none */
	int64_t by_id;	    /* 0: the system */
};
struct acd_log_filter {
	int64_t person_id;
	int64_t from, to;  /* [from, to) in ms; 0: open */
	int64_t before_id; /* cursor: only entries older than this id; 0: newest */
	int limit;
};
/* Newest first; returns how many rows it gave. */
int acd_log_list(struct store *s, const struct acd_log_filter *f,
		 int (*row)(void *ctx, const struct acd_log_entry *e), void *ctx);

/* Spells away (busy, break) due for the CALL-15 alert (since <= limit), of active people, at most max. */
int acd_busy_due(struct store *s, int64_t limit, struct acd_state *out, int max);
/* Marks the spell away that began at since alerted: 1 if this call did, 0 if already. */
int acd_busy_mark_alerted(struct store *s, int64_t person_id, int64_t since);
/* Wrap-ups that ran out at now, at most max. */
int acd_wrap_due(struct store *s, int64_t now, struct acd_state *out, int max);
/* Who hears of CALL-15 overruns: active managers and supervisors, at most max ids. */
int acd_watchers(struct store *s, int64_t *out, int max);

/* Changes (acd_engine.c), in the caller's transaction. */
/*
 * A change asked by a person (the API): the rules of acd_next() and
 * acd_save(), with before and after filled for the audit entry the caller
 * writes. by_id is the person who asks. Returns 0, ACD_UNCHANGED (nothing
 * written) or a negative err with ei set.
 */
int acd_change(struct store *s, int64_t person_id, enum acd_status to, const char *reason,
	       enum acd_by by, int64_t by_id, int64_t now, struct acd_state *before,
	       struct acd_state *after, struct err_info *ei);
/*
 * WFM-3: whether a person may set ready at now is also decided above acd
 * (the duty roster, src/wfm/), through a hook the program registers at
 * start-up (cli/serve.c), so acd never includes the module that decides.
 * acd_change() calls it when an agent sets themselves ready from another
 * status; a negative err (ei set) refuses the change. A supervisor's or
 * manager's change for an agent is theirs to make and is not asked.
 */
typedef int (*acd_ready_hook)(struct store *s, int64_t person_id, int64_t now, struct err_info *ei);
void acd_on_ready(acd_ready_hook fn);
/*
 * What a seat's logging out causes above acd (issue 18: the agent's live
 * chats go back to their queue, src/chan/), registered at start-up
 * (cli/serve.c) like the ready hook. It runs in the transaction that logs
 * the seat out, after the status is saved, whoever asked (the agent, a
 * supervisor, the end of the last session, the system); a negative err
 * rolls the change back.
 */
typedef int (*acd_logout_hook)(struct store *s, int64_t person_id, int64_t now);
void acd_on_logged_out(acd_logout_hook fn);
/*
 * The person's last session ended (how: "logout" or "session_expired"):
 * a seat that is ready, busy, on a break or in wrap-up is logged out, in
 * the caller's transaction, audited as agent.status by who (NULL: the
 * system). 1 if it changed, 0 if there was nothing to do (no seat, logged
 * out already, or on a call, which the call ends). ORG-3: a seat is worked only by the person
 * logged in.
 */
struct audit_actor;
int acd_session_ended(struct store *s, int64_t person_id, const struct audit_actor *who,
		      const char *how, int64_t now);
/*
 * What the call engine tells: e.g. acd_set_system(s, agent, ACD_RINGING,
 * NULL, 0, now) when it offers a call (ERR_CONFLICT if the agent is no
 * longer ready: offer to the next one), ACD_TALKING on answer, ACD_WRAP_UP
 * with the configured wrap_up_sec when the call ends, ACD_READY after an
 * unanswered offer, ACD_BUSY with reason "no_answer" after repeated ones.
 * wrap_up_sec matters only for ACD_WRAP_UP. Logged with by_id NULL, not
 * audited. Returns 0, ACD_UNCHANGED or a negative err.
 */
int acd_set_system(struct store *s, int64_t person_id, enum acd_status to, const char *reason,
		   int wrap_up_sec, int64_t now);
/*
 * The scheduler's work at now: CALL-15 alerts (kind "agent.busy_long" to
 * every active manager and supervisor but the agent, and an audit entry by
 * "system") and wrap-ups that ran out (→ ready). Each agent in its own
 * transaction; notify_wake() after the commits. Returns how many fired, or
 * a negative err.
 */
int acd_tick(struct store *s, int64_t now, int busy_max_min);

/*
 * -- Live figures and callback requests (issue 5) --
 *
 * The wallboard's figures of the queues (acd_live.c rules, acd_live_store.c
 * SQL, acd_live_api.c JSON and routes, acd_live_stream.c the SSE stream),
 * all read from the call table (migration 5), so every app node shows the
 * same. The definitions (docs/sip.md, "Live figures"), over a period
 * [from, to) — by default today in the center's time zone:
 *
 *   offered         calls that entered a queue (queued_at) in the period
 *   answered        of those, connected to an agent (connected_at set)
 *   answered_in_sl  of those, connected_at - queued_at <= sl_sec
 *   abandoned       of those offered, outcome abandoned (hung up in the queue)
 *   callbacks       of those offered, outcome callback (left a number)
 *   waiting         calls in a queue now: queued, not connected, not ended,
 *                   whenever they entered (a live figure, not the period's)
 *   longest_wait_ms now - the oldest queued_at among those waiting
 *   service_level   answered_in_sl / (offered - those offered in the period
 *                   still waiting for less than sl_sec): a call still
 *                   inside its target has not yet passed or failed it
 *   asa_ms          mean connected_at - queued_at of those answered
 *   abandon_rate    abandoned / offered
 *   answer_rate     answered / offered (接通率)
 *
 * Ratios are kept in basis points (1/10000, rounded half up) and are -1
 * when their denominator is 0; the API shows them as fractions or null.
 */
#define ACD_LIVE_DAYS_MAX 31 /* the longest period asked for */
#define ACD_QUEUE_CODE_MAX 32
#define ACD_QUEUE_NAME_MAX 64 /* characters */
#define ACD_LIVE_QUEUES_MAX 64

/* What the database counts for one queue (or all of them). */
struct acd_live_counts {
	int64_t offered;
	int64_t answered;
	int64_t answered_in_sl;
	int64_t answer_ms; /* sum of connected_at - queued_at of those answered */
	int64_t abandoned;
	int64_t callbacks;
	int64_t waiting_young;	  /* offered in the period, waiting now for less than sl_sec */
	int64_t waiting;	  /* waiting now, whenever they entered */
	int64_t oldest_queued_at; /* of those waiting; 0 when nobody waits */
	int64_t callbacks_open;	  /* callback requests not yet done, whenever made */
};

struct acd_live_figures {
	struct acd_live_counts c;
	int64_t longest_wait_ms; /* 0 when nobody waits */
	int64_t asa_ms;		 /* -1: nobody answered */
	int service_level_bp;	 /* basis points; -1: nothing to measure */
	int abandon_rate_bp;
	int answer_rate_bp;
};

/* Rules (acd_live.c). */
/* num / den in basis points rounded half up; -1 when den <= 0. */
int acd_ratio_bp(int64_t num, int64_t den);
/* Adds c to sum (the oldest waiting call is the older of the two). */
void acd_live_add(struct acd_live_counts *sum, const struct acd_live_counts *c);
/* The figures of counts read at now (see above). */
void acd_live_figures(const struct acd_live_counts *c, int64_t now, struct acd_live_figures *out);
/*
 * The period asked for: from and to in ms ([from, to)), 0 when absent.
 * Neither gives today in the center's zone; both must be given together
 * (ERR_INVALID), to after from and at most ACD_LIVE_DAYS_MAX days later
 * (ERR_UNPROCESSABLE), each with the field named.
 */
int acd_live_period(int64_t now, int64_t from, int64_t to, int64_t *out_from, int64_t *out_to,
		    struct err_info *ei);

/* One queue's row of the figures: known is 0 for calls of a queue no longer in acd_queue. */
struct acd_live_queue {
	char code[ACD_QUEUE_CODE_MAX * 4 + 1];
	char name[ACD_QUEUE_NAME_MAX * 4 + 1];
	int known;
	struct acd_live_counts c;
};

/* Storage (acd_live_store.c). */
/*
 * The counts of [from, to) at now with the target sl_sec: every queue of
 * acd_queue (by code), then any other queue that has calls, into out[max]
 * (*n set); total gets all of them, also those past max. The period's
 * calls are found through the index call_queued and those waiting through
 * call_waiting, so the cost follows the period's calls, not the table.
 */
int acd_live_load(struct store *s, int64_t from, int64_t to, int64_t now, int sl_sec,
		  struct acd_live_queue *out, int max, int *n, struct acd_live_counts *total);
/* Active seat holders (ORG-2) by status: counts[ACD_STATUS_COUNT] (acd_store.c). */
int acd_agent_counts(struct store *s, int counts[ACD_STATUS_COUNT]);

/*
 * A callback request: a caller who waited the queue's maximum left a number
 * to be called back on (state open), until someone who handles callbacks
 * marks it done with a note. The number is shown masked; revealing it
 * takes a reason, which is audited.
 */
#define ACD_PHONE_MIN 5	 /* digits */
#define ACD_PHONE_MAX 20 /* digits */
#define ACD_NOTE_MAX 500 /* characters of a done note */
#define ACD_REVEAL_MIN 2 /* characters of a reveal reason */
#define ACD_REVEAL_MAX 200

struct acd_callback {
	int64_t id;
	int64_t call_id;
	char queue[ACD_QUEUE_CODE_MAX * 4 + 1];
	char queue_name[ACD_QUEUE_NAME_MAX * 4 + 1]; /* "" when the queue is gone */
	char phone[ACD_PHONE_MAX + 1];
	int64_t requested_at;
	int done;
	int64_t handled_by; /* 0: not yet */
	int64_t handled_at;
	char note[ACD_NOTE_MAX * 4 + 1];
};

/* Rules (acd_live.c). */
/* 1 if phone is ACD_PHONE_MIN..ACD_PHONE_MAX ASCII digits (what a caller keys in). */
int acd_phone_valid(const char *phone);
/*
 * Text from a client, trimmed of surrounding blanks into out[size]: a done
 * note (optional, NULL or blank gives "", at most ACD_NOTE_MAX characters,
 * line breaks allowed) or a reveal reason (ACD_REVEAL_MIN..ACD_REVEAL_MAX
 * characters on one line). ERR_UNPROCESSABLE with the field ("note",
 * "reason") for a wrong length or control characters; ERR_INVALID when not
 * UTF-8.
 */
int acd_note_clean(const char *in, char *out, size_t size, struct err_info *ei);
int acd_reveal_reason_clean(const char *in, char *out, size_t size, struct err_info *ei);

struct acd_callback_filter {
	int done;	   /* 0: open requests, 1: done ones */
	int64_t before_id; /* cursor: only ids below this; 0: newest */
	int limit;
};

/* Storage (acd_live_store.c). Nothing here begins or commits. */
/* Newest first; returns how many rows it gave. */
int acd_callback_list(struct store *s, const struct acd_callback_filter *f,
		      int (*row)(void *ctx, const struct acd_callback *c), void *ctx);
/* ERR_NOTFOUND when there is none. */
int acd_callback_get(struct store *s, int64_t id, struct acd_callback *out);
/* Marks an open request done by person by at now; ERR_CONFLICT when it is done already. */
int acd_callback_mark_done(struct store *s, int64_t id, int64_t by, int64_t now, const char *note);
/* The row of a request: ERR_NOTFOUND without the call, ERR_INVALID for a queue not in acd_queue. */
int acd_callback_insert(struct store *s, int64_t call_id, const char *queue, const char *phone,
			int64_t now, int64_t *id);

/*
 * For the call engine, in its transaction (acd_callback.c): records that
 * the caller of call_id, waiting in queue, left phone to be called back on
 * at now, and sets *id. It also tells every active manager and supervisor
 * (notification "acd.callback", the number masked) and writes the audit
 * entry "acd_callback.request" by system; call notify_wake() and
 * acd_live_wake() after the commit. The engine sets the call's outcome
 * (callback) and ends the call itself. ERR_INVALID when phone is not
 * ACD_PHONE_MIN..ACD_PHONE_MAX digits or queue is not in acd_queue;
 * ERR_NOTFOUND when there is no such call.
 */
int acd_callback_add(struct store *s, int64_t call_id, const char *queue, const char *phone,
		     int64_t now, int64_t *id);

/* JSON and the stream (acd_live_api.c, acd_live_stream.c). */
struct json_t;
struct config;
/*
 * The figures as GET /api/acd/live answers them, for [from, to) (already
 * checked by acd_live_period) at now: {now, day, timezone, from, to,
 * sl_sec, total, queues, agents} and the extra's members (below). *out is
 * the caller's to free.
 */
int acd_live_json(struct store *s, const struct config *cfg, int64_t now, int64_t from, int64_t to,
		  struct json_t **out);
/*
 * The higher modules' parts of the live figures, on the same answer and
 * stream: each fn adds its members to the figures' object o, in the order
 * they were added (the calls' live guidance, the calls out; registered by
 * cli/serve.c at start, before any thread). o's "from" and "to" are the
 * period asked for. ERR_TOOBIG past ACD_LIVE_EXTRA_MAX.
 */
#define ACD_LIVE_EXTRA_MAX 4
typedef int (*acd_live_extra_fn)(struct store *s, int64_t now, struct json_t *o);
int acd_live_add_extra(acd_live_extra_fn fn);
struct req;
/* GET /api/acd/live/stream: queues a streaming answer (like notify_events_open), a
 * kind of the http module's event stream hub (sse_open() in http.h). */
int acd_live_stream_open(struct req *r);
/*
 * Something the figures show changed in this process (a call entered a
 * queue, was answered or ended; an agent's status changed): the streams
 * send new figures soon (at most every ACD_LIVE_MIN_GAP_MS) instead of at
 * their next period. Changes on other nodes show at the next period.
 */
void acd_live_wake(void);
#define ACD_LIVE_PERIOD_MS 2000
#define ACD_LIVE_MIN_GAP_MS 250

/* The module's routes (acd_api.c, acd_live_api.c), ended by a route with method NULL. */
extern const struct route acd_routes[];
extern const struct route acd_live_routes[];

#endif
