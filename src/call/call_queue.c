/*
 * The hotline's queues (ORG-2): a caller who chose from the menu waits
 * here, hearing music on hold and, every announce_sec, their position and
 * expected wait, until an agent answers (call_bridge.c), they hang up
 * (abandoned), or the queue's maximum wait passes: then they are offered
 * to leave a number (1) or go on waiting (2, or no key); a number typed and
 * ended with # (just #, or fewer than 5 digits, for the number they call
 * from) becomes a callback
 * request (acd_callback) and kefu says goodbye.
 *
 * Waiting calls are kept in one list in the order they entered (a call
 * transferred back keeps its place by its original time). The dispatcher
 * runs when something may have changed — a call entered, an offer ended —
 * and once a second, since agents become ready through the API on other
 * threads and other nodes: for each waiting call without a ringing phone,
 * oldest first, it reads the ready agents with the queue's skill and a
 * registered phone and offers the call by the queue's strategy
 * (acd_order()). An agent who did not answer this call is not offered it
 * again until everyone else has been tried.
 */
#include <stdio.h>
#include <string.h>

#include "call/call_int.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "notify/notify.h"
#include "store/store.h"

#define DISPATCH_MS 1000
#define CANDIDATES_MAX 32
#define FIRST_ANNOUNCE_MS 3000
#define CALLBACK_KEY_MS 8000   /* for 1 or 2 after the offer */
#define CALLBACK_TYPE_MS 15000 /* for the number's next digit */
#define AHT_DEFAULT_SEC 180
#define RR_MAX 32

static struct list waiting;
static struct tmr dispatch_tmr;
static struct sip_server *server;

/* Round robin: the agent each queue offered a call to last. */
static struct {
	char queue[32];
	int64_t last;
} rr[RR_MAX];

static int64_t *rr_last(const char *queue)
{
	int free_slot = -1;

	for (int i = 0; i < RR_MAX; i++) {
		if (!strcmp(rr[i].queue, queue))
			return &rr[i].last;
		if (!rr[i].queue[0] && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		free_slot = 0;
	snprintf(rr[free_slot].queue, sizeof(rr[free_slot].queue), "%s", queue);
	rr[free_slot].last = 0;
	return &rr[free_slot].last;
}

static int tried(const struct call *c, int64_t person_id)
{
	for (int i = 0; i < c->ntried; i++)
		if (c->tried[i] == person_id)
			return 1;
	return 0;
}

/* Offers one waiting call; returns how many phones now ring for it. */
static int dispatch_call(struct call *c, struct store *s)
{
	struct call_candidate cand[CANDIDATES_MAX];
	struct acd_candidate order[CANDIDATES_MAX];
	int n, m = 0, ring, rung = 0;

	n = call_candidates(s, c->q.skill, clock_now_ms(), cand, CANDIDATES_MAX);
	if (n <= 0)
		return 0;
	for (int pass = 0; pass < 2 && !m; pass++) {
		for (int i = 0; i < n; i++)
			if (pass || !tried(c, cand[i].person_id))
				order[m++] = (struct acd_candidate){cand[i].person_id,
								    cand[i].ready_since};
		if (!m)
			c->ntried = 0; /* everyone was tried: start over */
	}
	/* A call transferred to a person goes to them first when they are ready. */
	if (c->prefer_id) {
		for (int i = 0; i < m; i++)
			if (order[i].person_id == c->prefer_id) {
				order[0] = order[i];
				m = 1;
				break;
			}
		c->prefer_id = 0;
	}
	ring = m == 1 ? 1 : acd_order(c->strategy, order, m, *rr_last(c->q.code));
	for (int i = 0; i < m && rung < ring; i++) {
		const struct call_candidate *k = NULL;

		for (int j = 0; j < n; j++)
			if (cand[j].person_id == order[i].person_id)
				k = &cand[j];
		if (k && call_bridge_offer(c, k) == 0) {
			rung++;
			*rr_last(c->q.code) = k->person_id;
		}
	}
	return rung;
}

static void dispatch(void *arg)
{
	struct store *s;
	char empty[RR_MAX][32];
	int nempty = 0;

	(void)arg;
	tmr_start(&dispatch_tmr, DISPATCH_MS, dispatch, NULL);
	/* Calls out asked for since the last round (a kick is missed only if
	 * the mqueue could not be made; this round is the floor). */
	call_out_poll();
	if (!list_head(&waiting))
		return;
	s = store_pool_get(server->pool);
	for (struct le *le = list_head(&waiting); le; le = le->next) {
		struct call *c = le->data;
		int skip = 0;

		if (c->phase != PH_QUEUED && c->phase != PH_CALLBACK)
			continue;
		if (list_head(&c->offers) || c->cb_stage == 2)
			continue;
		/* A queue with nobody to offer to stays so for this pass. */
		for (int i = 0; i < nempty; i++)
			if (!strcmp(empty[i], c->q.code))
				skip = 1;
		if (skip)
			continue;
		if (dispatch_call(c, s) == 0 && nempty < RR_MAX)
			snprintf(empty[nempty++], sizeof(empty[0]), "%s", c->q.code);
	}
	store_pool_put(server->pool, s);
}

/* Something changed: dispatch soon (from a timer: never re-entered). */
void call_queue_kick(void)
{
	tmr_start(&dispatch_tmr, 0, dispatch, NULL);
}

/* -- announcements -- */

static const char *num_key(int n, char buf[16])
{
	if (n > 20)
		return "num_many";
	snprintf(buf, 16, "num_%d", n < 1 ? 1 : n);
	return buf;
}

static int position(const struct call *c)
{
	int pos = 1;

	for (struct le *le = list_head(&waiting); le && le->data != c; le = le->next) {
		const struct call *o = le->data;

		if (!strcmp(o->q.code, c->q.code))
			pos++;
	}
	return pos;
}

static void announce(void *arg)
{
	struct call *c = arg;
	const char *keys[CALL_PLAYLIST_MAX];
	char num1[16], num2[16];
	struct store *s;
	struct audit_detail detail;
	int pos = position(c), agents = 0, n = 0, wait_sec, minutes;
	int64_t talk_ms = 0;

	if (c->phase != PH_QUEUED)
		return;
	if (c->q.announce_sec > 0)
		tmr_start(&c->announce, (uint64_t)c->q.announce_sec * 1000, announce, c);
	if (list_head(&c->offers))
		return; /* a phone is ringing: no need to talk over the music */
	s = store_pool_get(c->srv->pool);
	(void)call_queue_agents(s, c->q.skill, &agents);
	(void)call_queue_talk_ms(s, c->q.code, clock_now_ms() - 3600 * 1000, &talk_ms);
	store_pool_put(c->srv->pool, s);
	wait_sec = acd_expected_wait_sec(
		pos, agents,
		talk_ms > 0 ? (int)(talk_ms / 1000) + c->srv->cfg->wrap_up_sec : AHT_DEFAULT_SEC);
	if (pos <= 1) {
		keys[n++] = "queue_busy";
	} else {
		keys[n++] = "queue_ahead";
		keys[n++] = num_key(pos - 1, num1);
		keys[n++] = "queue_people";
	}
	keys[n++] = "wait_expected";
	minutes = (wait_sec + 59) / 60;
	if (wait_sec < 60)
		keys[n++] = "wait_under";
	keys[n++] = num_key(minutes < 1 ? 1 : minutes, num2);
	keys[n++] = "wait_minutes";
	c->announces++;
	audit_detail_init(&detail);
	audit_detail_int(&detail, "position", pos);
	audit_detail_int(&detail, "expected_wait_sec", wait_sec);
	audit_detail_int(&detail, "agents", agents);
	call_log(c, "announce", &detail);
	call_play(c, keys, n, 1);
}

/* -- the maximum wait and callbacks -- */

static void callback_timeout(void *arg);

static void max_wait(void *arg)
{
	struct call *c = arg;
	static const char *const offer[] = {"callback_offer"};

	if (c->phase != PH_QUEUED)
		return;
	c->phase = PH_CALLBACK;
	c->cb_stage = 1;
	call_log_int(c, "max_wait", "max_wait_sec", c->q.max_wait_sec);
	call_play(c, offer, 1, 1);
}

static void keep_waiting(struct call *c)
{
	c->phase = PH_QUEUED;
	c->cb_stage = 0;
	tmr_cancel(&c->prompt_tmr);
	call_play(c, NULL, 0, 1);
	tmr_start(&c->wait, (uint64_t)c->q.max_wait_sec * 1000, max_wait, c);
}

static void leave_number(struct call *c)
{
	static const char *const done[] = {"callback_done"};
	/* Too short to be a number (5 to 20 digits): the one they call from. */
	const char *phone = strlen(c->cb_digits) >= 5 ? c->cb_digits : c->caller;
	struct store *s = store_pool_get(c->srv->pool);
	struct audit_detail detail;
	int64_t id = 0;
	int rc = store_begin(s);

	if (rc == 0)
		rc = acd_callback_add(s, c->id, c->q.code, phone, clock_now_ms(), &id);
	if (rc == 0)
		rc = call_set_outcome(s, c->id, "callback");
	if (rc == 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	store_pool_put(c->srv->pool, s);
	if (rc < 0)
		log_error("sip: call %lld: cannot store the callback request (%s)",
			  (long long)c->id, err_name(rc));
	else
		notify_wake(); /* the supervisors hear of it */
	audit_detail_init(&detail);
	audit_detail_int(&detail, "callback_id", id);
	audit_detail_bool(&detail, "own_number", !c->cb_digits[0]);
	audit_detail_int(&detail, "digits", (int64_t)strlen(c->cb_digits));
	call_log(c, "callback", &detail);
	call_queue_leave(c);
	call_bridge_cancel_offers(c, "callback");
	c->phase = PH_DONE;
	c->cb_stage = 9;
	call_play(c, done, 1, 0);
}

static void callback_timeout(void *arg)
{
	struct call *c = arg;

	if (c->phase != PH_CALLBACK)
		return;
	if (c->cb_stage == 1)
		keep_waiting(c); /* no key: go on waiting */
	else if (c->cb_stage == 2)
		leave_number(c); /* what was typed so far, or the caller's own */
}

void call_queue_digit(struct call *c, char digit)
{
	static const char *const ask[] = {"callback_number"};
	size_t len = strlen(c->cb_digits);

	if (c->phase != PH_CALLBACK)
		return; /* keys while waiting are ignored */
	if (!digit) {
		/* A prompt ended: wait for the key or the next digit. */
		tmr_start(&c->prompt_tmr, c->cb_stage == 1 ? CALLBACK_KEY_MS : CALLBACK_TYPE_MS,
			  callback_timeout, c);
		return;
	}
	tmr_cancel(&c->prompt_tmr);
	if (c->cb_stage == 1) {
		if (digit == '1') {
			c->cb_stage = 2;
			c->cb_digits[0] = 0;
			call_play(c, ask, 1, 0);
		} else {
			keep_waiting(c);
		}
		return;
	}
	if (digit == '#') {
		leave_number(c);
		return;
	}
	if (digit >= '0' && digit <= '9' && len < CALL_DIGITS_MAX) {
		c->cb_digits[len] = digit;
		c->cb_digits[len + 1] = 0;
	}
	call_play(c, NULL, 0, 0); /* typing cuts the prompt short */
	tmr_start(&c->prompt_tmr, CALLBACK_TYPE_MS, callback_timeout, c);
}

/* -- entering and leaving -- */

static void insert_in_order(struct call *c)
{
	struct le *le = list_head(&waiting);

	while (le && ((struct call *)le->data)->queued <= c->queued)
		le = le->next;
	if (le)
		list_insert_before(&waiting, le, &c->wle, c);
	else
		list_append(&waiting, &c->wle, c);
	c->waiting = 1;
}

void call_queue_enter(struct call *c, const char *queue, int64_t prefer_id)
{
	struct store *s = store_pool_get(c->srv->pool);
	struct audit_detail detail;
	int requeue = c->queued != 0;
	int rc = call_queue_get(s, queue, &c->q);

	if (rc == ERR_NOTFOUND) {
		/* A menu naming a queue that was removed: any agent rather than nobody. */
		log_warn("sip: call %lld: no queue %s, using agent", (long long)c->id, queue);
		rc = call_queue_get(s, "agent", &c->q);
	}
	if (rc == 0) {
		int st = acd_strategy_parse(c->q.strategy);

		c->strategy = st < 0 ? ACD_LONGEST_IDLE : (enum acd_strategy)st;
		if (!requeue)
			c->queued = tmr_jiffies();
		rc = store_begin(s);
		if (rc == 0)
			rc = call_set_queued(s, c->id, c->q.code, clock_now_ms());
		if (rc == 0)
			rc = store_commit(s);
		else
			store_rollback(s);
	}
	store_pool_put(c->srv->pool, s);
	if (rc < 0) {
		log_error("sip: call %lld: cannot queue (%s)", (long long)c->id, err_name(rc));
		call_end_later(c, "error");
		return;
	}
	c->phase = PH_QUEUED;
	c->cb_stage = 0;
	c->prefer_id = prefer_id;
	c->ntried = 0;
	audit_detail_init(&detail);
	audit_detail_str(&detail, "queue", c->q.code);
	audit_detail_str(&detail, "strategy", c->q.strategy);
	call_log(c, "queued", &detail);
	if (!c->waiting)
		insert_in_order(c);
	call_play(c, NULL, 0, 1);
	tmr_start(&c->announce, FIRST_ANNOUNCE_MS, announce, c);
	tmr_start(&c->wait, (uint64_t)c->q.max_wait_sec * 1000, max_wait, c);
	call_queue_kick();
}

void call_queue_leave(struct call *c)
{
	if (c->waiting) {
		list_unlink(&c->wle);
		c->waiting = 0;
	}
	tmr_cancel(&c->announce);
	tmr_cancel(&c->wait);
}

/* An offer ended without an answer: offer the call again soon. */
int call_queue_offer_ended(struct call *c)
{
	if (c->phase == PH_QUEUED || c->phase == PH_CALLBACK)
		call_queue_kick();
	return 0;
}

void call_queue_start(struct sip_server *srv)
{
	server = srv;
	list_init(&waiting);
	tmr_init(&dispatch_tmr);
	memset(rr, 0, sizeof(rr));
	tmr_start(&dispatch_tmr, DISPATCH_MS, dispatch, NULL);
}

void call_queue_stop(void)
{
	tmr_cancel(&dispatch_tmr);
	list_clear(&waiting);
}
