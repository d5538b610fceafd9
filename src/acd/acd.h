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
 * none. Choosing busy again with another reason keeps the busy spell's
 * start, so the CALL-15 clock is not reset by editing the reason. An agent
 * (the agent role) goes on duty only once certified (ORG-4).
 *
 * CALL-15: an agent busy for busy_max_min minutes or longer alerts every
 * manager and supervisor once per busy spell (agent_state.busy_alerted,
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
 */
#ifndef KEFU_ACD_ACD_H
#define KEFU_ACD_ACD_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

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
	int64_t since;		      /* start of this status (of the busy spell); 0: never */
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
/* CALL-15: busy for busy_max_min minutes or more at now, and not yet alerted. */
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

/* Busy spells due for the CALL-15 alert (since <= limit), of active people, at most max. */
int acd_busy_due(struct store *s, int64_t limit, struct acd_state *out, int max);
/* Marks the busy spell that began at since alerted: 1 if this call did, 0 if already. */
int acd_busy_mark_alerted(struct store *s, int64_t person_id, int64_t since);
/* Wrap-ups that ran out at now, at most max. */
int acd_wrap_due(struct store *s, int64_t now, struct acd_state *out, int max);
/* Who hears of CALL-15 overruns: active managers and supervisors, at most max ids. */
int acd_watchers(struct store *s, int64_t *out, int max);

/* A caller's request to be called back, left after the queue's maximum
 * wait (the call engine, in its transaction); *id is the new request's. */
int acd_callback_add(struct store *s, int64_t call_id, const char *queue, const char *phone,
		     int64_t now, int64_t *id);

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

#endif
