/*
 * out — calls out (外呼, issue 17): everything above the call engine that
 * makes the center call its customers: callbacks of orders (CB-1, CB-2),
 * progress calls (WO-5), a customer from their card, callers who left a
 * number, call-backs after a dropped call (CALL-6) and to callers who rang
 * after hours (CALL-10), and campaigns (CB-3, CUST-3, CUST-4).
 *
 * How a call goes out. The agent asks for a call with a purpose and the id
 * of what it is about (an order, a customer, a caller's request, a task);
 * never with a number. kefu looks the real number up itself (CUST-2: the
 * agent sees it masked only), checks that the agent may see that customer
 * or order, that the number is not on the do-not-call list, that it is
 * within the outbound hours in the center's time zone, that the agent is
 * under the daily cap and has no other attempt going nor a call, and then
 * inserts the engine's request (call_out_request, src/call/) in one
 * transaction with the audit entry, and wakes the engine after the commit
 * (call_out_kick). Inside that transaction a number someone is calling
 * already, or a task being called, is refused, so of two agents at once
 * one wins. The engine rings the agent's phone, then the customer,
 * bridges and records them and ends the attempt with a result.
 *
 * What follows an attempt is the agent's outcome, recorded once: for an
 * order's callback the CB-2 outcome through wo_apply (accepted, not
 * accepted → another agent at another time, a new need → a follow-up
 * order, not reached → unreachable); for a progress call the progress
 * note (WO-5); for a caller's request its being done (acd); for a task its
 * being done, retried after retry_gap_min or failed after max_attempts;
 * "dnc" adds the number to the do-not-call list. Outcomes that say the
 * customer was spoken to need the engine's result "answered", and those
 * that say nobody was need another one, so the record stays true (CALL-10).
 *
 * Tasks come from the scheduler's tick (out_tick.c): an inbound call that
 * dropped while connected becomes a task for its agent, due dropped_due_min
 * later, and the agent is told at once (CALL-6); a call that came while the hotline was closed
 * becomes a task for any agent, due afterhours_due_min after the next opening (CALL-10); campaigns'
 * members are tasks too. For a running campaign in progressive mode the tick places the next
 * member's call for each of its agents who is ready, has a registered phone and no attempt going:
 * never more calls than such agents (preview mode leaves the call to the agent). A campaign whose
 * deadline has come is finished by the tick: its members not yet reached are not called any more.
 *
 * Files: out.c the rules (no I/O: hours, outcomes and what follows them,
 * a task's retry, the pacing, campaigns' states, the import sheet's
 * columns), out_store.c the SQL (migration 26), out_engine.c the checks
 * and the placing of a call inside the caller's transaction (the API and
 * the tick share them), out_tick.c the scheduler's tick, out_api.c the HTTP
 * routes under /api/out and /api/me/out with what an outcome causes in the
 * order, the request or the task, out_campaign_api.c the campaigns'. The
 * daily answer-rate test (LED-2, out_test*.c) has its own section at the
 * end.
 */
#ifndef KEFU_OUT_OUT_H
#define KEFU_OUT_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "http/http.h"

struct store;
struct export_book;
struct ivr_menu;
struct audit_actor;

/* -- Rules (out.c) -- */

#define OUT_NOTE_MAX 500 /* characters of an outcome's note or a DNC reason */
#define OUT_NAME_MAX 64	 /* characters of a campaign's or member's name */
#define OUT_NUMBER_SIZE 32

struct out_settings {
	int open_min, close_min; /* calls allowed from open to close, local minutes */
	int daily_cap;		 /* attempts an agent may ask for in one local day */
	int dropped_due_min;	 /* CALL-6: a dropped call's call-back is due this soon */
	int afterhours_due_min;	 /* CALL-10: after the next opening */
	int max_attempts;	 /* of a task, then it fails */
	int retry_gap_min;	 /* between a task's attempts */
	int64_t updated_at, updated_by;
};

/* "HH:MM" (00:00-24:00) as minutes since midnight, or -1. */
int out_hhmm_parse(const char *s);
/* Minutes as "HH:MM"; out needs 6 bytes. */
void out_hhmm(int min, char *out, size_t size);
/* 1 when calls out are allowed at now (the center's wall clock). An empty
 * window (open == close) allows none. */
int out_hours_open(const struct out_settings *st, int64_t now);
/* The first instant at or after now when calls out are allowed (now while open). */
int64_t out_next_opening(const struct out_settings *st, int64_t now);
/* 0 when the settings hold together, else ERR_UNPROCESSABLE with the field. */
int out_settings_check(const struct out_settings *st, struct err_info *ei);

enum out_purpose {
	OP_CALLBACK,
	OP_PROGRESS,
	OP_CUSTOMER,
	OP_REQUEST,
	OP_TASK,
	OP_CAMPAIGN,
	OP_COUNT
};
const char *out_purpose_name(enum out_purpose p);
int out_purpose_parse(const char *name); /* -1 when unknown */

enum out_outcome {
	OO_REACHED,	 /* the customer was spoken to */
	OO_ACCEPTED,	 /* CB-2: the callback's result accepted */
	OO_NOT_ACCEPTED, /* CB-2: not accepted: another agent at another time */
	OO_NEW_NEED,	 /* CB-2: a new need, a follow-up order */
	OO_NO_ANSWER,
	OO_BUSY,
	OO_REJECTED,
	OO_WRONG_NUMBER,
	OO_OTHER_PERSON, /* someone else answered: another number or a time */
	OO_DNC,		 /* the customer asks not to be called again */
	OO_COUNT
};
const char *out_outcome_name(enum out_outcome o);
int out_outcome_parse(const char *name);
/* 1 for outcomes that need the customer's phone to have been answered. */
int out_outcome_answered(enum out_outcome o);
/* 1 when the outcome means the purpose is served (the customer was reached). */
int out_outcome_reached(enum out_outcome o);
/*
 * Whether outcome o may be recorded for an attempt of purpose p that the
 * engine ended with result: 0, or ERR_UNPROCESSABLE / ERR_CONFLICT with
 * the reason in ei (field "outcome").
 */
int out_outcome_check(enum out_purpose p, enum out_outcome o, const char *result,
		      struct err_info *ei);
/* The CB-2 outcome of an order's callback attempt, or -1 for none (enum wo_outcome values). */
int out_callback_outcome(enum out_outcome o);

/* A task after one recorded outcome: its new state ("open", "done",
 * "failed") and when it is due again. attempts counts this one. */
struct out_task_next {
	const char *state;
	int64_t due_at;
};
struct out_task_next out_task_after(const struct out_settings *st, enum out_outcome o, int attempts,
				    int64_t next_at, int64_t now);

/* Progressive dialling: how many calls to place now: one per idle agent
 * (ready, a phone registered, no attempt going), never more than the
 * members due nor the room left under the cap of the trunk. */
int out_dial_now(int idle_agents, int due_members, int trunk_room);

/* A campaign's kind (CB-3, CUST-3, CUST-4) and mode. */
int out_campaign_kind_valid(const char *kind);
int out_campaign_mode_valid(const char *mode);
/* The next state of a campaign for an action (start, pause, finish), or NULL. */
const char *out_campaign_next(const char *state, const char *action);

/* An import sheet's header cell: 1 phone, 2 name, 0 neither. */
int out_import_column(const char *header);

/* -- Storage (out_store.c). Nothing here begins or commits. -- */

int out_settings_get(struct store *s, struct out_settings *out);
int out_settings_put(struct store *s, const struct out_settings *st);

/* 1 when number is on the do-not-call list, 0 when not. */
int out_dnc_has(struct store *s, const char *number);
/* ERR_CONFLICT when it is there already. */
int out_dnc_add(struct store *s, const char *number, const char *reason, int64_t by, int64_t now);
/* ERR_NOTFOUND when it is not there. */
int out_dnc_delete(struct store *s, const char *number);
struct out_dnc {
	int64_t id;
	char number[OUT_NUMBER_SIZE];
	char reason[OUT_NOTE_MAX * 4 + 1];
	int64_t added_by, at;
};
/* Newest first, ids below before_id (0: from the newest). */
int out_dnc_list(struct store *s, int64_t before_id, int limit,
		 int (*row)(void *ctx, const struct out_dnc *d), void *ctx);

struct out_outcome_row {
	int64_t call_out_id;
	char outcome[20];
	char note[OUT_NOTE_MAX * 4 + 1];
	int64_t next_at, by_id, at;
};
/* ERR_NOTFOUND when none was recorded. */
int out_outcome_get(struct store *s, int64_t call_out_id, struct out_outcome_row *out);
/* The agent's latest attempt since `since` that ended without its outcome
 * (the workbench asks for it after a reload); ERR_NOTFOUND when none. */
struct call_out_row;
int out_pending_outcome(struct store *s, int64_t agent_id, int64_t since, struct call_out_row *out);
/* ERR_CONFLICT when one was recorded already. */
int out_outcome_insert(struct store *s, const struct out_outcome_row *o);

struct out_task {
	int64_t id;
	char kind[16];
	int64_t campaign_id, customer_id;
	char number[OUT_NUMBER_SIZE];
	char name[OUT_NAME_MAX * 4 + 1];
	int64_t agent_id; /* 0: any agent (of the campaign) */
	int64_t due_at;
	char state[16];
	int attempts;
	char last_result[20];
	int64_t last_call_out_id, call_id;
	char note[OUT_NOTE_MAX * 4 + 1];
	int64_t created_at, done_at;
};
int out_task_get(struct store *s, int64_t id, struct out_task *out);
/* Inserts t (its id set); ERR_CONFLICT when the call or campaign member has one. */
int out_task_insert(struct store *s, struct out_task *t);
int out_task_save(struct store *s, const struct out_task *t);
/* 1 when an attempt to this number is going (whoever makes it), 0 when not. */
int out_number_busy(struct store *s, const char *number);
/* 1 when the task's latest attempt is still going, 0 when not. */
int out_task_busy(struct store *s, int64_t id);
struct out_task_filter {
	int64_t agent_id;    /* open tasks for this agent or any agent; 0: all */
	int64_t campaign_id; /* 0: any */
	const char *state;   /* NULL: open */
	int64_t due_before;  /* 0: any */
	int64_t after_id;    /* cursor (by due_at, id) is kept simple: by id */
	int limit;
};
/* Due first. */
int out_task_list(struct store *s, const struct out_task_filter *f,
		  int (*row)(void *ctx, const struct out_task *t), void *ctx);

/* The attempts of the log, newest first. */
struct out_log_filter {
	int64_t agent_id;
	const char *purpose, *result;
	int64_t from, to;
	int64_t before_id;
	int limit;
};
struct call_out_row;
int out_log_list(struct store *s, const struct out_log_filter *f,
		 int (*row)(void *ctx, const struct call_out_row *c, const char *outcome),
		 void *ctx);
/* The agent's acd status name ("" for none) and whether a phone is registered at now. */
int out_agent_state(struct store *s, int64_t person_id, int64_t now, char *status, size_t size,
		    int *phone);
/* 1 when the person exists and is active, 0 when not. */
int out_person_active(struct store *s, int64_t id);
/* The person's work number ("" when there is none). */
int out_person_work_no(struct store *s, int64_t id, char *out, size_t size);
/* The customer's display name and primary number ("" none). */
int out_customer_number(struct store *s, int64_t customer_id, char *number, size_t size);

/* The ticks' reading (out_tick.c). */
struct out_call_src {
	int64_t call_id, agent_id, customer_id, started_at;
	char caller[OUT_NUMBER_SIZE * 2];
};
/* CALL-6: inbound calls since `since` that dropped while connected and have no task yet. */
int out_dropped_calls(struct store *s, int64_t since, struct out_call_src *out, int max);
/* CALL-10: calls that came while closed since `since` and have no task yet. */
int out_closed_calls(struct store *s, int64_t since, struct out_call_src *out, int max);
/* An open task of this kind for this number (0 none). */
int out_task_open_for(struct store *s, const char *kind, const char *number, int64_t *id);

/* Campaigns. */
struct out_campaign {
	int64_t id;
	char name[OUT_NAME_MAX * 4 + 1];
	char kind[24];
	int64_t script_id;
	char mode[16];
	int64_t deadline;
	char state[16];
	char note[OUT_NOTE_MAX * 4 + 1];
	int64_t created_by, created_at, updated_at;
};
struct out_campaign_counts {
	int64_t total, open, done, failed, cancelled, reached;
};
int out_campaign_get(struct store *s, int64_t id, struct out_campaign *out);
int out_campaign_insert(struct store *s, struct out_campaign *c);
int out_campaign_save(struct store *s, const struct out_campaign *c);
int out_campaign_list(struct store *s, int64_t agent_id,
		      int (*row)(void *ctx, const struct out_campaign *c), void *ctx);
int out_campaign_agents_set(struct store *s, int64_t id, const int64_t *ids, int n);
int out_campaign_agents(struct store *s, int64_t id, int64_t *out, int max);
int out_campaign_has_agent(struct store *s, int64_t id, int64_t person_id);
int out_campaign_counts(struct store *s, int64_t id, struct out_campaign_counts *out);
/* Members of a customer filter (CB-3, CUST-3, CUST-4); fields 0/NULL: any. */
struct out_member_filter {
	int vip_min;
	const char *kind;		/* customer kind */
	int birthday_month;		/* 1..12 */
	int64_t served_from, served_to; /* contacts or archived orders in [from, to) */
	int64_t inactive_since;		/* no contact since */
	int limit;
};
/* Adds each matching customer's primary number as an open member due at
 * due_at, skipping numbers the campaign holds already; *added set. */
int out_campaign_add_filter(struct store *s, int64_t id, const struct out_member_filter *f,
			    int64_t due_at, int64_t now, int *added);
/* A finished campaign's open members are cancelled. */
int out_campaign_cancel_open(struct store *s, int64_t id, int64_t now);
/* Running or paused campaigns whose deadline has come, at most max ids. */
int out_campaign_expired(struct store *s, int64_t now, int64_t *out, int max);
/* Running progressive campaigns, at most max ids. */
int out_campaign_running_progressive(struct store *s, int64_t *out, int max);
/* The campaign's agents who are ready with a phone registered and no attempt going. */
int out_campaign_idle_agents(struct store *s, int64_t id, int64_t now, int64_t *out, int max);
/* The next open member for agent at now not on the do-not-call list, not being called. */
int out_campaign_next_member(struct store *s, int64_t id, int64_t agent_id, int64_t now,
			     int max_attempts, struct out_task *out);
/* Members due at now (open, under max attempts, not being called). */
int out_campaign_due_count(struct store *s, int64_t id, int64_t now, int max_attempts, int *out);
/* Attempts being made through the trunk now. */
int out_live_count(struct store *s, int *out);

/* -- The engine (out_engine.c): in the caller's transaction -- */

/* What a call is about, resolved server side. */
struct out_target {
	enum out_purpose purpose;
	int64_t ref_id;	     /* order, acd_callback or task */
	int64_t customer_id; /* 0: unknown */
	char number[OUT_NUMBER_SIZE];
};
/*
 * The checks every call passes whoever places it (the API and the
 * progressive tick): the do-not-call list, the hours, the daily cap, no
 * other attempt going, not on a call. 0 or an error in ei.
 */
int out_check(struct store *s, const struct out_settings *st, int64_t agent_id,
	      const struct out_target *t, int64_t now, struct err_info *ei);
/* Inserts the request (and counts a task's attempt), audited as out.call.
 * A number someone is calling now, or a task no longer open or being
 * called (two agents at once), is ERR_CONFLICT with ei set: decided inside
 * the write transaction, so one of them wins. */
int out_place(struct store *s, const struct audit_actor *who, int64_t agent_id,
	      const struct out_target *t, const struct out_settings *st, int64_t now, int64_t *id,
	      struct err_info *ei);

/* -- The scheduler (out_tick.c) -- */

/* CALL-6 dropped calls, CALL-10 after-hours callers, campaigns past their
 * deadline, progressive campaigns; arg is the configuration (out_trunk_max). */
int out_tick(struct store *s, int64_t now, void *arg);

/* -- HTTP (out_api.c, out_campaign_api.c) -- */

extern const struct route out_routes[];
extern const struct route out_campaign_routes[];

/*
 * -- The daily answer-rate test (每日接通率测试表, LED-2; out_test*.c) --
 *
 * kefu calls its own hotline at set times of the day, as a customer would,
 * presses the configured keys through the IVR and waits; the sheet says
 * whether an agent answered, how fast and who. How it works:
 *
 * - The schedule (table out_test_settings, one row): on/off, up to
 *   OUT_TEST_TIMES_MAX times of day in the center's zone, the keys
 *   ("1", "2#"…: digits, * and #) and the wait before "not answered"
 *   (OUT_TEST_WAIT_MIN..MAX seconds, default 60).
 * - The tick (out_test_tick, every scheduler round): each scheduled time
 *   of today (or of yesterday, just after midnight) that has come within
 *   the last OUT_TEST_GRACE_MS and has no test yet gets one: a call_out
 *   request of purpose "test", agent 0, the keys in its number and the
 *   wait in its ref_id (call.h), and a row of out_test for (day, minute) —
 *   the unique index makes a slot fire once, on any number of nodes; a time
 *   that passed longer ago (kefu was down, or the time was added later that
 *   day) is skipped, since a test placed hours late measures nothing. A
 *   manager's test now (POST /api/out/tests/run) is a row without a slot.
 *   Neither places a test while the configuration has no hotline number.
 * - The engine (call/, on the SIP thread) calls the hotline, presses the
 *   keys, waits, and sets the request's result (answered, no_answer or
 *   failed …) and call_id to the inbound call the test became: that call's
 *   connected_at − started_at is the time to answer and its agent_id who
 *   answered.
 * - The sheet (GET /api/out/tests?month=, and as .xlsx): every test of the
 *   month, with each day's answer rate and the month's: answered over
 *   tests that reached the hotline (answered + not answered); tests the
 *   trunk could not place ("failed") and those still running are listed
 *   but left out of the rate.
 */
#define OUT_TEST_TIMES_MAX 24
#define OUT_TEST_KEYS_MAX 16
#define OUT_TEST_WAIT_MIN 10
#define OUT_TEST_WAIT_MAX 600
#define OUT_TEST_WAIT_DEFAULT 60
#define OUT_TEST_GRACE_MS (15 * 60000) /* a scheduled time is placed at most this late */

struct out_test_schedule {
	int enabled;
	int ntimes;
	int times[OUT_TEST_TIMES_MAX]; /* minutes of the local day, ascending, distinct */
	char keys[OUT_TEST_KEYS_MAX + 1];
	int wait_sec;
	int64_t updated_by, updated_at;
};

/* One scheduled time that is due: the local day (YYYYMMDD), the minute and its instant. */
struct out_test_slot {
	int day;
	int minute;
	int64_t at;
};

/* What a test came to (from the request's state and result). */
enum out_test_verdict {
	OUT_TEST_PENDING,      /* not ended yet */
	OUT_TEST_ANSWERED,     /* an agent answered */
	OUT_TEST_NOT_ANSWERED, /* the hotline was reached, nobody answered within the wait */
	OUT_TEST_FAILED	       /* the call could not be placed (trunk, number …) */
};

/* One row of the sheet. */
struct out_test_row {
	int64_t id, call_out_id;
	int day;    /* YYYYMMDD, local */
	int slot;   /* minute of the day scheduled; -1: a manager's test */
	int64_t at; /* when it was asked for */
	char keys[OUT_TEST_KEYS_MAX + 1];
	int wait_sec;
	int64_t requested_by; /* 0: the schedule */
	char state[16], result[20];
	int64_t call_id;		  /* the inbound call it became; 0: none */
	int64_t started_at, connected_at; /* of that call; 0: none */
	int64_t agent_id;		  /* who answered; 0: nobody */
	char work_no[33], name[257];
};

/* The tally of a day or the month. */
struct out_test_tally {
	int tests, answered, not_answered, failed, pending;
	int64_t answer_ms; /* summed over the answered tests with a time to answer */
	int timed;	   /* how many those are */
};

/* Rules (out_test.c; pure). */
/*
 * "09:00,14:30" (what the table stores; blanks allowed around items) into
 * minutes, sorted; ERR_INVALID for an item that is not HH:MM 00:00-23:59,
 * ERR_CONFLICT for a time given twice, ERR_TOOBIG past OUT_TEST_TIMES_MAX.
 */
int out_test_times_parse(const char *text, struct out_test_schedule *sch);
/* One time of day "HH:MM" into minutes; -1 when it is not one (00:00-23:59). */
int out_test_time_parse(const char *hhmm);
/* The schedule's times as "09:00,14:30" into out[size]. */
void out_test_times_text(const struct out_test_schedule *sch, char *out, size_t size);
/* 1 if keys is 0..OUT_TEST_KEYS_MAX of 0-9, * and #. */
int out_test_keys_valid(const char *keys);
/*
 * The scheduled times due at now (LED-2): each time of today or yesterday
 * whose instant t has t <= now < t + OUT_TEST_GRACE_MS, into out (at most
 * max), oldest first; none when the schedule is off. Returns how many.
 */
int out_test_due(const struct out_test_schedule *sch, int64_t now, struct out_test_slot *out,
		 int max);
/*
 * Where the keys lead through the hotline's menu m, walked as a caller
 * walks it (ivr.h, CALL-1): the queue's code into queue[size], or
 * ERR_UNPROCESSABLE when the path ends in an announcement and a hang-up
 * (no agent could ever answer such a test). Keys left after the choice
 * is made are ignored; no keys at all is the no-input path to the agent
 * fall-back.
 */
int out_test_route(const struct ivr_menu *m, const char *keys, char *queue, size_t size);
/* The next scheduled instant after now, or 0 when off or without times. */
int64_t out_test_next(const struct out_test_schedule *sch, int64_t now);
enum out_test_verdict out_test_verdict(const char *state, const char *result);
const char *out_test_verdict_name(enum out_test_verdict v);
/* Milliseconds from the test call's arrival to an agent's answer; -1 when not answered. */
int64_t out_test_answer_ms(const struct out_test_row *r);
/* Adds one row to a tally. */
void out_test_tally_add(struct out_test_tally *t, const struct out_test_row *r);
/* The answer rate in basis points (answered / (answered + not answered)), -1 when none. */
int out_test_rate_bp(const struct out_test_tally *t);
/* The mean time to answer in ms, -1 when none was timed. */
int64_t out_test_mean_ms(const struct out_test_tally *t);

/* Storage (out_test_store.c; nothing here begins or commits). */
int out_test_schedule_get(struct store *s, struct out_test_schedule *out);
int out_test_schedule_put(struct store *s, const struct out_test_schedule *sch, int64_t by,
			  int64_t now);
/* The test row of call_out_id's request (slot -1 for none); ERR_CONFLICT when the slot
 * (day, slot) has a test already. */
int out_test_insert(struct store *s, int64_t call_out_id, int day, int slot, const char *keys,
		    int wait_sec, int64_t by, int64_t at, int64_t *id);
/* 1 if (day, slot) has a test, 0 if not, or a negative err. */
int out_test_slot_taken(struct store *s, int day, int slot);
/* Tests of the local days [from_day, to_day] (YYYYMMDD) in time order. */
typedef int (*out_test_fn)(void *ctx, const struct out_test_row *r);
int out_test_list(struct store *s, int from_day, int to_day, out_test_fn row, void *ctx);
int out_test_get(struct store *s, int64_t id, struct out_test_row *out);
/* 1 when a test call is still running (not ended), 0 when none. */
int out_test_running(struct store *s);

/* The sheet as the center's paper form 每日接通率测试表 (out_test_xlsx.c). */
int out_test_xlsx(const struct out_test_row *rows, size_t n, int year, int month,
		  const char *center, const char *made_by, const char *made_on, int english,
		  struct export_book **out);
/* The same form in the center's registry (out_test_api.c; issue 20). */
struct export_form;
extern const struct export_form out_test_form;

/* The tick (out_test_api.c): arg is the configuration (its hotline). */
int out_test_tick(struct store *s, int64_t now, void *arg);

/*
 * -- Outbound figures (out_test_store.c SQL, out_test_api.c JSON) --
 *
 * Calls out of a period [from, to): attempts asked for in it (call_out
 * requested_at; the tests of LED-2 are counted apart, they are not calls to
 * customers), of those answered by the customer (answered_at set), the
 * talk time of their calls (the call's metrics talk_ms), and now: attempts
 * ringing an agent or dialling the customer, and those talking.
 */
struct out_figures {
	int64_t attempts, answered, talk_ms;
	int64_t dialing, talking;      /* live now, whenever asked for */
	int64_t tests, tests_answered; /* LED-2's test calls of the period */
};
int out_figures_load(struct store *s, int64_t from, int64_t to, struct out_figures *out);
/* The wallboard's part (acd's live-figures hook): a member "out" of o, for o's from and to. */
int out_live_extra(struct store *s, int64_t now, json_t *o);

/* The routes of the test sheet (out_test_api.c), ended by a route with method NULL. */
extern const struct route out_test_routes[];

#endif
