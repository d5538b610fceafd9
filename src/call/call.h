/*
 * call — the hotline's call engine: it answers callers, runs the IVR menu
 * over RTP, queues them, offers them to agents' phones, bridges the
 * conversation, and keeps the call log (GET /api/calls, the screen-pop's
 * GET /api/me/call). It sits above sip (signalling), ivr (the hotline's
 * settings) and rec (recordings), and uses acd (agents' states), cust
 * (the contact a call becomes) and notify (the screen-pop).
 *
 * How a call flows.
 * - INVITE. The SIP thread (src/sip) passes INVITEs, ACKs, BYEs, INFOs and
 *   REFERs to libre's sipsess, which the engine set up at start
 *   (call_engine, given to sip_start by cli/serve.c). An INVITE to the
 *   hotline number is a call (call.c); one from a supervisor's phone to *1
 *   and a work number is a listen-in (call_listen.c); anything else is
 *   refused and counted by sip's guard as a probe.
 * - Answer. The call gets its row in the call log (beyond calls_max: 503;
 *   an offer without G.711: 488), then 200 OK at once with an SDP answer
 *   (PCMA when offered, else PCMU; telephone-event when offered) and one
 *   RTP socket per call.
 * - IVR. The engine reads the menu, whether the hotline is open and the
 *   emergency announcement in force (src/ivr: ivr_call_setup,
 *   ivr_notice_active) and walks the caller through the menu (struct ivr),
 *   playing prompts paced by a 20 ms timer and taking keys as RFC 4733
 *   events, in-band tones or SIP INFO. Closed: the closed notice, then
 *   hang-up.
 * - Queue. The choice's queue (call_queue.c): music on hold and, every
 *   announce_sec, the position and the expected wait; after max_wait_sec,
 *   the offer to leave a number (a callback request).
 * - Offer. Once a second, and whenever something changed, the dispatcher
 *   offers each waiting call to ready agents with the queue's skill and a
 *   registered phone, by the queue's strategy (acd): an INVITE to the
 *   agent's phone, the agent set ringing and notified (the screen-pop).
 * - Bridge. The first phone to answer is connected (call_bridge.c): the
 *   agent set talking, a contact written (cust), RTP relayed both ways and
 *   each leg's audio pushed to the recording (rec_begin, rec_push).
 * - Hold, transfer, listen. A re-INVITE with sendonly or inactive from
 *   either phone holds the call (the caller hears music, the recording is
 *   told); a REFER from the agent's phone sends the call back to a queue
 *   or to a colleague first; a supervisor may listen in (call_listen.c:
 *   both legs mixed, nothing passed on).
 * - Survey. When the agent hangs up, the caller rates the call 1..5
 *   (CALL-3), stored on the call and its contact.
 * - Hang-up. Either side's BYE, a caller whose media stopped
 *   (call_media_timeout_sec) or kefu's shutdown ends the call: its legs end,
 *   the agent's seat goes on (wrap-up or ready), the recording ends
 *   (rec_end), the compliance metrics are merged into the call.
 * - Call log. Every step above is an event of the call (call_event) and a
 *   column of its row (call_store.c), each written in its own short
 *   transaction on a pooled connection; the recording writer links the
 *   file and its figures through call_rec_link, given to rec_start.
 *
 * Which thread owns what. Calls, their legs, RTP sockets and timers are
 * libre objects of the SIP thread and are touched by nothing else; so
 * nothing in the engine is locked. The recording's files belong to rec's
 * writer thread, which calls call_rec_link on its own pooled connection.
 * The HTTP workers only read the call log (call_api.c) and change agents'
 * states through acd, which the dispatcher reads once a second. Other
 * nodes never run calls: one node runs the hotline (call_close_open at
 * start closes what a stopped process left open).
 *
 * Files: call.c (answer, IVR, prompts, survey, hang-up), call_queue.c
 * (queues, dispatcher, callback), call_bridge.c (offers, bridge, hold,
 * transfer, metrics, the recording's feed), call_listen.c (listen-in),
 * call_store.c (the call log's SQL), call_api.c (HTTP), call_int.h (the
 * engine's own structures, internal); calls out (issue 17, their section
 * below): call_out.c (the agent's phone, then the customer through the
 * trunk), call_out_store.c (SQL), call_test.c (the LED-2 test call); live guidance during the call
 * (CALL-2/4/6/7, off the SIP thread, see its section below):
 * call_guide.c (rules), call_guide_store.c (SQL), call_guide_tick.c (the
 * scheduler's tick writing the prompts), call_guide_api.c (HTTP, and the
 * wallboard's part of acd's live figures).
 */
#ifndef KEFU_CALL_CALL_H
#define KEFU_CALL_CALL_H

#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

struct rec_result;
struct sip_calls;
struct store;

/* -- The engine (call.c), on the SIP thread -- */

/* What sip_start() is given so the SIP thread runs calls: the engine's
 * start (prompts, recovery of a previous run's calls, the dispatcher,
 * libre's sipsess) and stop (ends every call). */
extern const struct sip_calls call_engine;

/*
 * Links a finished recording to its call (rec_link_fn, given to
 * rec_start): the file and its length on the call and the metrics merged
 * into call.metrics, then the event "recorded" — or, when the recording
 * failed, only the event "recording_failed". Runs on rec's writer thread
 * inside its transaction on s.
 */
int call_rec_link(struct store *s, const struct rec_result *res, int64_t now);

/* -- The call log (call_store.c): SQL; each function is one statement,
 * the caller holds the transaction -- */

/* A call as stored; strings are valid during the row callback only. */
struct call_row {
	int64_t id;
	const char *sip_call_id;
	const char *caller;
	const char *called;
	int64_t started_at;
	int64_t answered_at;  /* 0: not answered */
	int64_t ended_at;     /* 0: still going */
	const char *ended_by; /* "caller", "kefu"; NULL while going */
	const char *route;    /* the queue chosen; NULL: none */
	const char *digits;
	/* Queue and agent (migration 5); 0 / NULL while not reached. */
	const char *queue;	  /* the queue the call waited in */
	int64_t queued_at;	  /* when it entered the queue */
	int64_t agent_id;	  /* the agent who answered (or was last offered) */
	int64_t connected_at;	  /* when the agent answered */
	const char *outcome;	  /* answered, abandoned, callback, ivr, rejected, closed */
	const char *hangup_first; /* CALL-5: caller, agent or kefu */
	int64_t contact_id;	  /* the contact the answered call became */
	int survey;		  /* CALL-3: 1..5, 0 none */
	const char *recording;	  /* file name under recordings_dir; NULL: none */
	int64_t recording_ms;
	const char *metrics;   /* JSON object text (compliance metrics); NULL: none */
	const char *direction; /* "in", or "out": kefu called the customer (issue 17) */
	int dropped;	       /* CALL-6: the customer's leg dropped while the agent talked */
	/* call_current_of only: the person's part, "ringing" or "talking". */
	const char *agent_status;
};

struct call_event_row {
	int64_t id;
	int64_t at;
	const char *kind;
	const char *detail; /* JSON text or NULL */
};

typedef int (*call_row_fn)(void *ctx, const struct call_row *c);
typedef int (*call_event_fn)(void *ctx, const struct call_event_row *e);

int call_insert(struct store *s, const char *sip_call_id, const char *caller, const char *called,
		int64_t now, int64_t *id);
int call_set_answered(struct store *s, int64_t id, int64_t now);
int call_set_progress(struct store *s, int64_t id, const char *route, const char *digits);
/* outcome: kept when one was set before (answered, callback). */
int call_set_ended(struct store *s, int64_t id, int64_t now, const char *ended_by,
		   const char *outcome);
int call_set_queued(struct store *s, int64_t id, const char *queue, int64_t now);
/* The agent the call is offered to (connected_at stays NULL until answered). */
int call_set_agent(struct store *s, int64_t id, int64_t agent_id);
int call_set_connected(struct store *s, int64_t id, int64_t agent_id, int64_t now);
int call_set_outcome(struct store *s, int64_t id, const char *outcome);
/* CALL-5: only the first one counts (a later call changes nothing). */
int call_set_hangup_first(struct store *s, int64_t id, const char *who);
int call_set_contact(struct store *s, int64_t id, int64_t contact_id);
/* The call offered to a person (agent_state.call_id), for the screen-pop. */
int call_set_offer(struct store *s, int64_t person_id, int64_t call_id);
/* CALL-10: the end of the conversation on the contact the call became. */
int call_set_contact_ended(struct store *s, int64_t contact_id, int64_t ended_at);
/* CALL-3: the digit on the call and on its contact (contact.satisfaction). */
int call_set_survey(struct store *s, int64_t id, int digit);
int call_set_recording(struct store *s, int64_t id, const char *file, int64_t ms);
/* Merges a JSON object (text) into the call's metrics (json_patch), so
 * the engine and the recording writer each add their own keys. */
int call_merge_metrics(struct store *s, int64_t id, const char *json_object);
/* A queue's settings (acd_queue, ORG-2). */
struct call_queue {
	char code[32];
	char name[64];
	char skill[32]; /* "": any seat */
	char strategy[16];
	int max_wait_sec;
	int announce_sec;
};
/* ERR_NOTFOUND for an unknown code. */
int call_queue_get(struct store *s, const char *code, struct call_queue *out);

/* A ready agent with a live phone: who a waiting call may be offered to. */
struct call_candidate {
	int64_t person_id;
	int64_t ready_since;
	char work_no[33];
	char name[64];
	char contact[256]; /* the phone's most recent registration */
};
/* Ready, active agents with the skill ("" or NULL: any) and a phone
 * registered at now, longest ready first; returns how many (≤ max). */
int call_candidates(struct store *s, const char *skill, int64_t now, struct call_candidate *out,
		    int max);
/* Seat holders with the skill (any when ""/NULL) who are not logged out. */
int call_queue_agents(struct store *s, const char *skill, int *out);
/* Mean talk time of the queue's calls answered since `since`, in ms; 0 when none. */
int call_queue_talk_ms(struct store *s, const char *queue, int64_t since, int64_t *out);
/* The call a person talks on, or rings for (by its offer: ring-all offers one
 * call to several); ERR_NOTFOUND. */
int call_current_of(struct store *s, int64_t person_id, call_row_fn row, void *ctx);
/*
 * At start: calls left open by a process that stopped without ending them
 * (killed, power lost) are closed at now (ended_by kefu, outcome by how
 * far they got, an "ended" event with reason "restart"); returns how many.
 * The SIP node owns the calls: one node runs the hotline.
 */
int call_close_open(struct store *s, int64_t now);
/* Agents the system holds (ringing, talking) when no call can be theirs:
 * their ids, at most max. */
int call_held_agents(struct store *s, int64_t *ids, int max);
/* detail: JSON text or NULL. */
int call_event_add(struct store *s, int64_t call_id, int64_t now, const char *kind,
		   const char *detail);
/* Which calls a list gives; zero and NULL fields do not filter. */
struct call_filter {
	int64_t before_id;     /* ids below it (the page cursor) */
	int64_t from, to;      /* started_at >= from, < to */
	const char *queue;     /* the queue the caller waited in */
	const char *outcome;   /* answered, abandoned, … */
	int64_t agent_id;      /* the agent offered the call last */
	const char *number;    /* the caller's whole number, or its last 4 digits */
	const char *direction; /* "in", "out" (calls out, issue 17); NULL: both */
};
/* Calls newest first that pass f (NULL: all); returns how many rows were
 * given, or a negative err. */
int call_list(struct store *s, const struct call_filter *f, int limit, call_row_fn row, void *ctx);
/* One call (ERR_NOTFOUND) and its events, oldest first. */
int call_get(struct store *s, int64_t id, call_row_fn row, void *ctx);
int call_event_list(struct store *s, int64_t call_id, call_event_fn row, void *ctx);

/*
 * -- Live guidance during the call (CALL-2, CALL-4, CALL-6, CALL-7) --
 *
 * The compliance metrics judge a call after it ended; guidance gives the
 * agent the rule while it matters, on the desk's call banner and on the
 * supervisors' wallboard. Everything is computed from the call log on the
 * wall clock (clock_now_ms, which the test clock moves), never on the SIP
 * thread: the engine already logs the offers, the connection and each hold
 * and resume of the agent's phone (call_event), the desk's contact form
 * sets the contact's class, and the desk posts what the agent did.
 *
 * - Rules (call_guide.c, no I/O): from a call's inputs at now, the prompts
 *   that are due (call_guide_due) and the live state the desk and the
 *   wallboard show (call_guide_state).
 * - The tick (call_guide_tick.c, every round of the scheduler): for every
 *   call an agent is talking on, each prompt that has come due and is not
 *   yet stored becomes an event kind "guide" with detail {rule, step, hold,
 *   n, at_ms, by: "kefu"} (at_ms: from the connection; the event's own at:
 *   when it was recorded), so QA can score whether the agent followed it.
 * - The agent's own steps (POST /api/me/call/guide, call_guide_api.c):
 *   "guide" events with by "agent" (apologised, spoke during a hold,
 *   accepted or declined the promised callback, the silent-call steps);
 *   an accepted callback also opens a callback request (acd).
 * - The live state: on GET /api/me/call (the banner, polled while the call
 *   lasts) and in the wallboard's live figures (GET /api/acd/live and its
 *   event stream, per agent: acd calls call_guide_live, a hook
 *   cli/serve.c registers).
 */
#define CALL_GUIDE_HOLDS_MAX 32
#define CALL_GUIDE_RING_CYCLE_MS 5000  /* China's ring-back cadence: one ring per 5 s */
#define CALL_GUIDE_RINGS_MAX 3	       /* CALL-2: answered after more rings: apologise */
#define CALL_GUIDE_SPEAK_MS 15000      /* CALL-4: speak to the customer every 15 s of hold */
#define CALL_GUIDE_CALLBACK_MS 60000   /* CALL-4: a look-up over 60 s: promise a callback */
#define CALL_GUIDE_HOLD_WARN_MS 100000 /* CALL-4: the warning, 20 s before the limit */
#define CALL_GUIDE_HOLD_MAX_MS 120000  /* CALL-4: at most 2 min of hold in all */
#define CALL_GUIDE_SILENT_STEP_MS 5000 /* CALL-6: greet, 5 s, greet again, 5 s, goodbye */
#define CALL_GUIDE_F_WARN_MS 480000    /* CALL-7: two minutes before the limit */
#define CALL_GUIDE_F_MAX_MS 600000     /* CALL-7: a class-F call never over 10 min */

/* One hold by the agent's phone, on the wall clock; end 0: still on hold. */
struct call_guide_hold {
	int64_t start, end;
};

/* What the rules know of a call: the call log's events and the agent's steps. */
struct call_guide_input {
	int64_t connected_at; /* the first answer */
	int64_t ring_ms;      /* CALL-2: from the first offer to the first answer */
	struct call_guide_hold holds[CALL_GUIDE_HOLDS_MAX];
	int nholds;
	int class_f;	     /* CALL-7: the contact's class is F */
	int64_t class_f_at;  /* when kefu first saw it (its first prompt), else now */
	int apologized;	     /* CALL-2: the agent said so */
	int64_t silent_at;   /* CALL-6: the agent started the steps; 0: not */
	int64_t silent_end;  /* the caller spoke, or the goodbye was said; 0: running */
	int callback_answer; /* CALL-4: 1 accepted, -1 declined, 0 none */
};

/* A prompt: the rule, its step, the hold it belongs to (1-based; 0: none),
 * its number within that (the 15 s reminders count 1, 2, …) and when it came due. */
struct call_guide_prompt {
	const char *rule;
	const char *step;
	int hold;
	int n;
	int64_t due;
};

/* The prompts due at now (due <= now), oldest first; returns how many (<= max). */
int call_guide_due(const struct call_guide_input *in, int64_t now, struct call_guide_prompt *out,
		   int max);

enum call_guide_level { CALL_GUIDE_OK, CALL_GUIDE_REMIND, CALL_GUIDE_WARN, CALL_GUIDE_OVER };

/* What the banner and the wallboard show at now. */
struct call_guide_state {
	int late; /* CALL-2 */
	int rings;
	int on_hold; /* CALL-4: the agent's phone holds the call */
	int64_t hold_since, hold_ms, hold_total_ms;
	int speak_n;		  /* 15 s reminders due in this hold */
	int64_t next_speak_at;	  /* the next one */
	int callback;		  /* this hold passed 60 s: propose a callback */
	int hold_near, hold_over; /* the total passed 100 s, 2 min */
	int silent_step;	  /* CALL-6: 0 none, 1 greeted, 2 greet again, 3 goodbye */
	int64_t silent_next_at;	  /* 0: no further step */
	int class_f;		  /* CALL-7 */
	int64_t f_limit_at;
	int f_near, f_over;
	enum call_guide_level level;
};
void call_guide_state(const struct call_guide_input *in, int64_t now, struct call_guide_state *out);
const char *call_guide_level_name(enum call_guide_level l);
/* CALL-4: 1 when a hold of the call has lasted 60 s by now (a callback was proposed). */
int call_guide_callback_proposed(const struct call_guide_input *in, int64_t now);
/* 1 when rule and step name a step the agent may post (call_guide_api.c). */
int call_guide_agent_step(const char *rule, const char *step);

/* The calls agents are talking on now (call_guide_store.c). */
typedef int (*call_guide_call_fn)(void *ctx, int64_t call_id, int64_t agent_id);
int call_guide_calls(struct store *s, call_guide_call_fn row, void *ctx);
/* A prompt already recorded, by its key. */
struct call_guide_key {
	char rule[8];
	char step[24];
	int hold, n;
};
/* Every prompt one call can have: a reminder per 15 s of each hold for
 * up to CALL_GUIDE_SPEAK_MAX, its callback, and the few others. */
#define CALL_GUIDE_SPEAK_MAX 40
#define CALL_GUIDE_PROMPTS_MAX (CALL_GUIDE_HOLDS_MAX * (CALL_GUIDE_SPEAK_MAX + 1) + 8)
#define CALL_GUIDE_STORED_MAX CALL_GUIDE_PROMPTS_MAX
/* A call's inputs from the call log at now (class_f_at defaults to now)
 * and, when stored is not NULL, kefu's prompts already recorded (at most
 * CALL_GUIDE_STORED_MAX); ERR_NOTFOUND without the call. */
int call_guide_read(struct store *s, int64_t call_id, int64_t now, struct call_guide_input *in,
		    struct call_guide_key *stored, int *nstored);
/* The caller's number and queue of a call, for the callback it may promise. */
int call_guide_caller(struct store *s, int64_t call_id, char *phone, size_t phone_size, char *queue,
		      size_t queue_size);
/* The tick: records the prompts that came due (call_guide_tick.c). */
int call_guide_tick(struct store *s, int64_t now);
/* The JSON of the live state (call_guide_api.c), for /api/me/call. */
json_t *call_guide_json(const struct call_guide_input *in, int64_t now);
/* The wallboard's part of the live figures (an acd_live_extra_fn): sets
 * o's "guide" to [{agent_id, call_id, guide}] of the calls agents talk on. */
int call_guide_live(struct store *s, int64_t now, json_t *o);

/*
 * -- Calls out (call_out.c on the SIP thread, call_out_store.c SQL;
 * issue 17) --
 *
 * A call out is asked for by inserting a request (call_out_request, in
 * the caller's transaction) and waking the engine (call_out_kick, after
 * the commit). The SIP thread claims requests every dispatcher round and
 * when woken: it rings the agent's registered phone (state "agent"); when
 * the agent answers it calls the customer through the trunk (out_trunk,
 * with digest credentials, the caller id and the prefixes; "dialing");
 * when the customer answers the two are bridged, recorded and measured as
 * an inbound call ("talking"), with a contact of direction "out"; either
 * side's hang-up ends it ("ended"). The engine's result is one of
 * CALL_OUT_RESULTS. A purpose "test" (LED-2) has no agent: kefu calls its
 * own hotline and measures how fast an agent answers (call_test.c).
 */
#define CALL_OUT_RESULTS                                                                           \
	"answered", "no_answer", "busy", "rejected", "invalid_number", "failed", "trunk_busy",     \
		"agent_no_answer", "agent_busy", "agent_offline", "cancelled", "no_trunk"
/* For purpose "test" the number holds the keys the test presses through
 * the IVR ("" none) and ref_id the seconds it waits for an agent (0: 60). */
struct call_out_req {
	int64_t agent_id;    /* who talks; 0 only for purpose "test" */
	const char *number;  /* the customer's number, digits as stored (cust_phone_normalize) */
	int64_t customer_id; /* 0: unknown */
	const char *purpose; /* callback, progress, customer, request, task, campaign, test */
	int64_t ref_id;	     /* the order, acd_callback, task … the purpose names; 0: none */
	int64_t requested_by;
};
int call_out_request(struct store *s, const struct call_out_req *r, int64_t now, int64_t *id);
/* What goes to the trunk for number: the mobile or the landline prefix,
 * then the digits; ERR_INVALID for anything but 3..20 digits. Pure. */
int call_out_dial_string(const char *prefix_mobile, const char *prefix_landline, const char *number,
			 char *out, size_t size);
/* Wakes the SIP thread to look for requests and cancellations now; from any
 * thread, after the commit; does nothing when the hotline is not running. */
void call_out_kick(void);
/* The agent's own hang-up from the workbench: the engine ends the attempt. */
int call_out_cancel(struct store *s, int64_t id);

struct call_out_row {
	int64_t id, agent_id, customer_id, ref_id, call_id, requested_by;
	char number[32], dial[48], purpose[16], state[16], result[20];
	int cancel;
	int64_t requested_at, agent_at, answered_at, ended_at;
	int64_t talk_ms;    /* from the call's metrics, 0 while none */
	char recording[96]; /* the call's recording file; "" none */
};
/*
 * A row of call_out with its call's talk time and recording, for lists of
 * other modules that join more (their own columns after these): select
 * CALL_OUT_COLUMNS CALL_OUT_FROM (call_out as o, call as c) and read each
 * row with call_out_read, a store_read_fn into a struct call_out_row.
 */
#define CALL_OUT_COLUMNS                                                                           \
	"o.id, o.agent_id, o.customer_id, o.ref_id, o.call_id, o.requested_by, o.number, o.dial,"  \
	" o.purpose, o.state, o.result, o.cancel, o.requested_at, o.agent_at, o.answered_at,"      \
	" o.ended_at, COALESCE(json_extract(c.metrics, '$.talk_ms'), 0), c.recording"
#define CALL_OUT_FROM " FROM call_out o LEFT JOIN call c ON c.id = o.call_id"
#define CALL_OUT_NCOLUMNS 18
struct store_stmt;
int call_out_read(struct store_stmt *st, void *dst);
int call_out_get(struct store *s, int64_t id, struct call_out_row *out);
/* The attempt an agent has going (state other than ended); ERR_NOTFOUND. */
int call_out_live_of(struct store *s, int64_t agent_id, struct call_out_row *out);
/* Attempts an agent asked for from `since` on (the daily cap). */
int call_out_count_since(struct store *s, int64_t agent_id, int64_t since, int *out);
/* Attempts by purpose and reference, newest first (an order's calls). */
typedef int (*call_out_fn)(void *ctx, const struct call_out_row *r);
int call_out_list(struct store *s, const char *purpose, int64_t ref_id, int64_t agent_id, int limit,
		  call_out_fn row, void *ctx);

/* The module's routes (call_api.c, call_guide_api.c), ended by a route with method NULL. */
extern const struct route call_routes[];
extern const struct route call_guide_routes[];

#endif
