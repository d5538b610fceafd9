/*
 * The daily answer-rate test (每日接通率测试表, LED-2) on the SIP thread:
 * kefu calls its own hotline as a caller would, presses the keys of the
 * test's path through the IVR (SIP INFO, as a phone may), and waits for an
 * agent to answer. The inbound call it becomes is an ordinary hotline
 * call — queued, offered, answered by whoever is ready — so the test
 * measures what a customer would have met. The request (purpose "test")
 * carries the keys in its number and the wait in seconds in ref_id.
 *
 * The test caller's INVITE names its request in X-Kefu-Test; the inbound
 * side (call.c) links the call it answers to the test only when such a
 * test is waiting for its call in this process, so nobody outside can
 * mark a call as a test. The result: "answered" (an agent answered;
 * call_out.answered_at is when, call_out.call_id the inbound call, whose
 * agent_id is who), "no_answer" (nobody within the wait) or "failed" (the
 * hotline did not take the call). The test caller hangs up two seconds
 * after an agent answered, so the agent hears that it was a test.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call/call_int.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "store/store.h"

#define TEST_HEADER "X-Kefu-Test"
#define TEST_KEYS_MAX 16
#define TEST_WAIT_DEFAULT_SEC 60
#define TEST_FIRST_KEY_MS 1500 /* the welcome has begun: keys may interrupt it */
#define TEST_KEY_GAP_MS 1000
#define TEST_POLL_MS 200
#define TEST_LINGER_MS 2000

struct test_call {
	struct le le;
	struct sip_server *srv;
	int64_t out_id;
	int64_t inbound_id; /* the hotline call it became; 0 until linked */
	struct sipsess *sess;
	struct leg leg;
	struct mbuf *sdp;
	struct tmr key, poll, pace, done;
	char keys[TEST_KEYS_MAX + 1];
	int nsent;
	uint64_t started; /* jiffies */
	int wait_sec;
	const char *result;
	int ended;
};

static struct list tests;

static void test_destroy(void *arg)
{
	struct test_call *t = arg;

	tmr_cancel(&t->key);
	tmr_cancel(&t->poll);
	tmr_cancel(&t->pace);
	tmr_cancel(&t->done);
	list_unlink(&t->le);
	mem_deref(t->sess); /* a CANCEL or a BYE */
	mem_deref(t->leg.rtp);
	mem_deref(t->sdp);
}

/* Writes the result (and when an agent answered); the caller frees t. */
static void test_end(struct test_call *t, const char *result, int64_t answered_at)
{
	struct store *s;
	int rc;

	if (t->ended)
		return;
	t->ended = 1;
	t->result = result;
	s = store_pool_get(t->srv->pool);
	rc = store_begin(s);
	if (rc == 0 && answered_at)
		rc = call_out_set_test(s, t->out_id, 0, answered_at);
	if (rc == 0)
		rc = call_out_end(s, t->out_id, result, clock_now_ms());
	if (rc == 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	store_pool_put(t->srv->pool, s);
	if (rc < 0)
		log_error("sip: test call %lld: cannot store its result (%s)", (long long)t->out_id,
			  err_name(rc));
	else
		log_info("sip: test call %lld: %s", (long long)t->out_id, result);
}

static void free_now(void *arg)
{
	mem_deref(arg);
}

static void finish_later(struct test_call *t, const char *result, int64_t answered_at,
			 uint64_t delay_ms)
{
	test_end(t, result, answered_at);
	tmr_cancel(&t->key);
	tmr_cancel(&t->poll);
	tmr_start(&t->done, delay_ms, free_now, t);
}

static void send_key(void *arg)
{
	struct test_call *t = arg;
	struct mbuf *mb;

	if (t->nsent >= (int)strlen(t->keys) || !t->sess)
		return;
	mb = mbuf_alloc(64);
	if (mb) {
		(void)mbuf_printf(mb, "Signal=%c\r\nDuration=160\r\n", t->keys[t->nsent]);
		mb->pos = 0;
		(void)sipsess_info(t->sess, "application/dtmf-relay", mb, NULL, NULL);
		mem_deref(mb);
	}
	t->nsent++;
	tmr_start(&t->key, TEST_KEY_GAP_MS, send_key, t);
}

static void rtp_ignore(const struct sa *src, struct mbuf *mb, void *arg)
{
	(void)src;
	(void)mb;
	(void)arg; /* the prompts and the agent: nobody listens */
}

/* Silence, so the hotline hears a caller that is there (its media timeout). */
static void pace(void *arg)
{
	static const int16_t quiet[MEDIA_FRAME];
	struct test_call *t = arg;

	call_leg_send_pcm(&t->leg, quiet, 0);
	t->leg.ts += MEDIA_FRAME;
	tmr_start(&t->pace, CALL_PTIME_MS, pace, t);
}

/* Looks at the hotline call the test became: answered by an agent, gone, or still waiting. */
static void poll(void *arg)
{
	struct test_call *t = arg;
	const struct call *in = NULL;

	for (struct le *le = list_head(&call_list_all); le && t->inbound_id; le = le->next) {
		const struct call *c = le->data;

		if (c->id == t->inbound_id && !c->out)
			in = c;
	}
	if (t->inbound_id && in && in->connected) {
		finish_later(t, "answered", clock_now_ms(), TEST_LINGER_MS);
		return;
	}
	if (t->inbound_id && (!in || in->ended)) {
		finish_later(t, "failed", 0, 0);
		return;
	}
	if (tmr_jiffies() - t->started >= (uint64_t)t->wait_sec * 1000) {
		finish_later(t, "no_answer", 0, 0);
		return;
	}
	tmr_start(&t->poll, TEST_POLL_MS, poll, t);
}

static int test_answer(const struct sip_msg *msg, void *arg)
{
	struct test_call *t = arg;
	struct sip_sdp sdp;
	struct sa media;

	if (!mbuf_get_left(msg->mb) ||
	    sip_sdp_parse((const char *)mbuf_buf(msg->mb), mbuf_get_left(msg->mb), &sdp) < 0 ||
	    sa_set_str(&media, sdp.addr, (uint16_t)sdp.port) != 0)
		return EPROTO;
	call_leg_remote(t->srv, &t->leg, &media, &msg->src);
	return 0;
}

static void test_estab(const struct sip_msg *msg, void *arg)
{
	struct test_call *t = arg;

	(void)msg;
	tmr_start(&t->key, TEST_FIRST_KEY_MS, send_key, t);
	tmr_start(&t->pace, CALL_PTIME_MS, pace, t);
}

static void test_close(int err, const struct sip_msg *msg, void *arg)
{
	struct test_call *t = arg;

	(void)err;
	(void)msg;
	/* The hotline hung up (closed hours, the end of the menu) or refused. */
	if (!t->ended)
		test_end(t, "failed", 0);
	t->sess = mem_deref(t->sess);
	tmr_cancel(&t->pace);
	if (!tmr_isrunning(&t->done))
		tmr_start(&t->done, 0, free_now, t);
}

void call_test_start_request(struct sip_server *srv, int64_t out_id)
{
	struct call_out_row r;
	struct test_call *t;
	struct store *s = store_pool_get(srv->pool);
	char ip[SIP_ADDRESS_MAX], to_uri[160], from_uri[160];
	int rc = call_out_get(s, out_id, &r);

	if (rc == 0) {
		rc = store_begin(s);
		if (rc == 0)
			rc = call_out_claim(s, out_id, 0, NULL);
		if (rc == 0)
			rc = call_out_set_state(s, out_id, "dialing", clock_now_ms());
		if (rc == 0)
			rc = store_commit(s);
		else
			store_rollback(s);
	}
	store_pool_put(srv->pool, s);
	if (rc < 0)
		return; /* claimed meanwhile, or unreadable: nothing to do */
	t = mem_zalloc(sizeof(*t), test_destroy);
	if (!t)
		goto fail;
	t->srv = srv;
	t->out_id = out_id;
	t->wait_sec = r.ref_id > 0 && r.ref_id <= 600 ? (int)r.ref_id : TEST_WAIT_DEFAULT_SEC;
	snprintf(t->keys, sizeof(t->keys), "%.*s", (int)strspn(r.number, "0123456789*#"), r.number);
	tmr_init(&t->key);
	tmr_init(&t->poll);
	tmr_init(&t->pace);
	tmr_init(&t->done);
	list_append(&tests, &t->le, t);
	t->leg.pt = 8;
	t->leg.codec = MEDIA_PCMA;
	t->leg.event_pt = -1;
	randombytes_buf(&t->leg.ssrc, sizeof(t->leg.ssrc));
	randombytes_buf(&t->leg.ts, sizeof(t->leg.ts));
	sip_server_source(&srv->laddr, ip);
	if (sa_is_any(&srv->laddr))
		snprintf(ip, sizeof(ip), "%s",
			 sa_af(&srv->laddr) == AF_INET6 ? "::1" : "127.0.0.1");
	{
		struct sa near;

		if (sa_set_str(&near, ip, 0) != 0)
			near = srv->laddr;
		rc = call_rtp_open(srv, &near, &t->leg.rtp, &t->leg.local, rtp_ignore, t);
	}
	if (rc == 0)
		rc = call_leg_sdp(&t->leg, out_id, 1, 0, SIP_SDP_SENDRECV, &t->sdp);
	snprintf(to_uri, sizeof(to_uri), strchr(ip, ':') ? "sip:%s@[%s]:%u" : "sip:%s@%s:%u",
		 srv->cfg->hotline, ip, sa_port(&srv->laddr));
	snprintf(from_uri, sizeof(from_uri),
		 strchr(ip, ':') ? "sip:kefu-test@[%s]" : "sip:kefu-test@%s", ip);
	if (rc == 0)
		rc = sipsess_connect(&t->sess, call_sock, to_uri, "接通率测试", from_uri,
				     "kefu-test", NULL, 0, "application/sdp", t->sdp, NULL, NULL,
				     false, NULL, test_answer, NULL, test_estab, NULL, NULL,
				     test_close, t, TEST_HEADER ": %lld\r\n", (long long)out_id);
	if (rc) {
		log_error("sip: test call %lld: cannot call the hotline (%s)", (long long)out_id,
			  strerror(rc));
		test_end(t, "failed", 0);
		mem_deref(t);
		return;
	}
	t->started = tmr_jiffies();
	tmr_start(&t->poll, TEST_POLL_MS, poll, t);
	log_info("sip: test call %lld: calling the hotline, keys \"%s\", waiting %d s",
		 (long long)out_id, t->keys, t->wait_sec);
	return;
fail:
	s = store_pool_get(srv->pool);
	if (store_begin(s) == 0 && call_out_end(s, out_id, "failed", clock_now_ms()) == 0)
		(void)store_commit(s);
	else
		store_rollback(s);
	store_pool_put(srv->pool, s);
}

void call_test_inbound(struct call *c, const struct sip_msg *msg)
{
	const struct sip_hdr *h = sip_msg_xhdr(msg, TEST_HEADER);
	struct store *s;
	int64_t id;

	if (!h)
		return;
	id = (int64_t)pl_u64(&h->val);
	for (struct le *le = list_head(&tests); le; le = le->next) {
		struct test_call *t = le->data;

		if (t->out_id != id || t->inbound_id || t->ended)
			continue;
		t->inbound_id = c->id;
		s = store_pool_get(c->srv->pool);
		if (store_begin(s) == 0 && call_out_set_test(s, id, c->id, 0) == 0)
			(void)store_commit(s);
		else
			store_rollback(s);
		store_pool_put(c->srv->pool, s);
		call_log_int(c, "test_call", "out_id", id);
		return;
	}
}

void call_test_stop(void)
{
	struct le *le = list_head(&tests);

	while (le) {
		struct test_call *t = le->data;

		le = le->next;
		test_end(t, "failed", 0);
		mem_deref(t);
	}
}
