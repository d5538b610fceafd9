/*
 * out — calls out (外呼, issue 17): everything above the call engine's
 * requests (src/call/call.h, "Calls out"). A caller of this module asks
 * for a call by inserting a call_out request in its transaction and waking
 * the engine after the commit (call_out_request, call_out_kick); the SIP
 * thread places it and writes the result back into call_out and the call
 * log. (helper A writes the module's main part: click to call, outcomes,
 * tasks, campaigns; the lead joins the two parts of this header.)
 *
 * Layers: core, store, audit, auth, http, export, ivr, call.
 */
#ifndef KEFU_OUT_OUT_H
#define KEFU_OUT_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "http/http.h" /* struct route, for the route tables */

struct store;
struct export_book;
struct ivr_menu;

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
	OUT_TEST_PENDING,     /* not ended yet */
	OUT_TEST_ANSWERED,    /* an agent answered */
	OUT_TEST_NOT_ANSWERED, /* the hotline was reached, nobody answered within the wait */
	OUT_TEST_FAILED	      /* the call could not be placed (trunk, number …) */
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
	int64_t call_id;		/* the inbound call it became; 0: none */
	int64_t started_at, connected_at; /* of that call; 0: none */
	int64_t agent_id;		/* who answered; 0: nobody */
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
	int64_t dialing, talking;     /* live now, whenever asked for */
	int64_t tests, tests_answered; /* LED-2's test calls of the period */
};
int out_figures_load(struct store *s, int64_t from, int64_t to, struct out_figures *out);
/* The wallboard's part (acd's live-figures hook): a member "out" of o, for o's from and to. */
int out_live_extra(struct store *s, int64_t now, json_t *o);

/* The routes of the test sheet (out_test_api.c), ended by a route with method NULL. */
extern const struct route out_test_routes[];

#endif
