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
 * later, and the agent is told at once (CALL-6); a call that came while the hotline was closed becomes a
 * task for any agent, due afterhours_due_min after the next opening
 * (CALL-10); campaigns' members are tasks too. For a running campaign in
 * progressive mode the tick places the next member's call for each of its
 * agents who is ready, has a registered phone and no attempt going: never
 * more calls than such agents (preview mode leaves the call to the agent).
 * A campaign whose deadline has come is finished by the tick: its members
 * not yet reached are not called any more.
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

#endif
