/*
 * sched — the one scheduler: every module's periodic work, on one thread.
 *
 * Modules register ticks at start-up (sched_add, in cli/serve.c or in a
 * module's own start-up, before sched_start). The thread runs rounds:
 * each round borrows one pooled connection, reads the clock once and runs
 * the ticks in the order they were added — a tick of period 0 every round,
 * one with a period at the first round and then whenever at least that
 * long has passed since it last ran. Rounds are a second apart, or back to
 * back while a tick reports a backlog (it did SCHED_BUDGET things or more,
 * after an outage, say). A tick owns its transactions (usually one for
 * each thing it does, so one failure loses nothing else); a tick that
 * fails is logged and runs again next round, and the ticks after it still
 * run. Everything the ticks work from is in the database, so a restart
 * loses nothing, and what fell due while kefu was down happens at the
 * first round.
 *
 * sched sits just above store: it knows no module, only the functions it
 * was given. With --test-clock no thread runs: POST /api/test/clock moves
 * the clock and calls sched_run, one round of the same list, in the
 * request, so a test sees what fired when it is answered.
 */
#ifndef KEFU_SCHED_SCHED_H
#define KEFU_SCHED_SCHED_H

#include <stdint.h>

struct store;
struct store_pool;

/* How much a tick should do in one round, so a backlog never holds up a
 * stop; a tick that returns this many or more has more to do. */
#define SCHED_BUDGET 1024
/* How many ticks may be registered (16 are, with every channel's). */
#define SCHED_MAX 32

/* A tick: does what is due at now with s; returns how many things it did
 * (>= 0) or a negative err. arg is what sched_add was given. */
typedef int (*sched_fn)(struct store *s, int64_t now, void *arg);

/* Registers a tick under name (for the log), run every round (period_ms
 * 0) or every period_ms. Before sched_start or sched_run; ERR_TOOBIG past
 * SCHED_MAX. */
int sched_add(const char *name, sched_fn fn, void *arg, int64_t period_ms);
/* One round at now with s: every tick that is due, in order. Returns how
 * many things they did in all, or the first tick's error. */
int sched_run(struct store *s, int64_t now);

/*
 * How long ago the thread last finished a round, in milliseconds (a round
 * runs about every second), or -1 when no thread runs (the test clock runs
 * rounds on demand). The readiness check (/healthz) reads it.
 */
int64_t sched_idle_ms(void);
/* Starts the thread, which takes a connection from pool for each round. */
int sched_start(struct store_pool *pool);
/* Lets the round in progress finish and stops the thread; nothing if it
 * never started. */
void sched_stop(void);

#endif
