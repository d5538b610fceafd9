/*
 * Calls out on the SIP thread (issue 17; call.h tells the flow, call_int.h
 * the phases). A request is a row of call_out that the HTTP side inserted;
 * the dispatcher's round (call_queue.c) and call_out_kick() make the
 * engine look for new ones here.
 *
 * kefu first rings the agent's own registered phone, so the agent is on
 * the line before the customer's phone rings: a customer never answers
 * into silence (the 呼叫中心's 预览外呼, click to call). The phone shows
 * "外呼" and the masked number, never the real one (CUST-2). When the agent
 * answers, the customer is called through the carrier's trunk (out_trunk,
 * with its digest credentials and the caller id the customer sees; the
 * number gets the carrier's prefix for mobiles or landlines), the agent
 * hears China's ring-back tone meanwhile, and the customer's answer
 * connects the two through call_bridge.c: relayed, recorded in stereo,
 * held and transferred as an inbound call, with a contact of direction
 * "out" (CALL-10) and the compliance metrics. Whoever hangs up ends the
 * call; there is no survey (the customer did not call the hotline).
 *
 * What the attempt came to is the engine's result on the request
 * (CALL_OUT_RESULTS): the customer's SIP answer says busy, no answer,
 * rejected or a wrong number; the agent's phone may not answer; the
 * trunk may be full (out_trunk_max calls at once) or missing. What the
 * conversation came to is the agent's to record (src/out).
 */
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "call/call_int.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mask.h"
#include "store/store.h"

#define OUT_BATCH 16
#define RINGBACK_ON 50	   /* frames of tone: 1 s */
#define RINGBACK_CYCLE 250 /* then 4 s of silence (China's ring-back cadence) */

/* The SIP thread's mqueue while the engine runs; the lock keeps a kick
 * from another thread off a queue being freed. */
static pthread_mutex_t mq_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mqueue *out_mq;
static struct sip_server *out_srv;
/* One 20 ms frame of 450 Hz: exactly nine periods, so frames join without a click. */
static int16_t ringback_tone[MEDIA_FRAME];

void call_out_kick(void)
{
	pthread_mutex_lock(&mq_lock);
	if (out_mq)
		(void)mqueue_push(out_mq, 0, NULL);
	pthread_mutex_unlock(&mq_lock);
}

/*
 * What the trunk is sent for a number: the carrier's prefix for a mobile
 * (11 digits from 1) or for anything else (a landline with its area
 * code), then the digits. ERR_INVALID for a number that is not digits.
 */
int call_out_dial_string(const char *prefix_mobile, const char *prefix_landline, const char *number,
			 char *out, size_t size)
{
	size_t n = strlen(number);
	int mobile = n == 11 && number[0] == '1';
	int len;

	if (n < 3 || n > 20 || strspn(number, "0123456789") != n)
		return ERR_INVALID;
	len = snprintf(out, size, "%s%s", mobile ? prefix_mobile : prefix_landline, number);
	return len < 0 || (size_t)len >= size ? ERR_INVALID : 0;
}

/* -- helpers -- */

static int live_count(void)
{
	int n = 0;

	for (struct le *le = list_head(&call_list_all); le; le = le->next) {
		const struct call *c = le->data;

		n += c->out && !c->ended;
	}
	return n;
}

static struct call *find_out(int64_t out_id)
{
	for (struct le *le = list_head(&call_list_all); le; le = le->next) {
		struct call *c = le->data;

		if (c->out && c->out_id == out_id)
			return c;
	}
	return NULL;
}

/* The local address kefu's media uses toward dst: the SIP listener's, or,
 * when that is the wildcard, the one the kernel would route from. */
static void near_to(const struct sip_server *srv, const struct sa *dst, struct sa *out)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	*out = srv->laddr;
	if (!sa_is_any(out) || !dst || !sa_isset(dst, SA_ADDR))
		return;
	fd = socket(sa_af(dst), SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (connect(fd, &dst->u.sa, dst->len) == 0 &&
	    getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		(void)sa_set_sa(out, (struct sockaddr *)&ss);
	close(fd);
	sa_set_port(out, 0);
}

/* The address in a phone's registered contact ("sip:1001@192.0.2.7:5062;…"). */
static int contact_addr(const char *contact, struct sa *out)
{
	struct uri u;
	struct pl pl;

	pl_set_str(&pl, contact);
	if (uri_decode(&u, &pl) != 0)
		return EINVAL;
	return sa_set(out, &u.host, u.port ? u.port : 5060);
}

/* The trunk's address (out_trunk: host or host:port, an IP address). */
static int trunk_addr(const char *trunk, struct sa *out)
{
	if (sa_decode(out, trunk, strlen(trunk)) == 0)
		return 0;
	return sa_set_str(out, trunk, 5060);
}

static const char *caller_id(const struct config *cfg)
{
	return cfg->out_caller_id[0] ? cfg->out_caller_id : cfg->hotline;
}

/* Ends a request that never became a call. */
static void end_request(struct store *s, int64_t id, const char *result)
{
	int rc = store_begin(s);

	if (rc == 0)
		rc = call_out_end(s, id, result, clock_now_ms());
	if (rc == 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	if (rc < 0)
		log_error("sip: call out request %lld: cannot end it (%s)", (long long)id,
			  err_name(rc));
	else
		log_info("sip: call out request %lld: %s", (long long)id, result);
}

/* Sets the agent's status and the request's state in one transaction. */
static int agent_and_state(struct call *c, enum acd_status to, const char *state)
{
	struct store *s = store_pool_get(c->srv->pool);
	int64_t now = clock_now_ms();
	int rc = store_begin(s);

	if (rc == 0) {
		rc = acd_set_system(s, c->agent->person_id, to, NULL, c->srv->cfg->wrap_up_sec,
				    now);
		if (rc == ACD_UNCHANGED)
			rc = 0;
	}
	if (rc == 0)
		rc = call_out_set_state(s, c->out_id, state, now);
	if (rc == 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	store_pool_put(c->srv->pool, s);
	if (rc < 0)
		log_warn("sip: call out %lld: cannot record %s (%s)", (long long)c->id, state,
			 err_name(rc));
	return rc;
}

/* -- the customer's leg (the trunk) -- */

static const char *result_of(int err, const struct sip_msg *msg)
{
	(void)err; /* without an answer (timeout, transport): the trunk failed */
	if (!msg)
		return "failed";
	switch (msg->scode) {
	case 486:
	case 600:
		return "busy";
	case 408:
	case 480:
	case 487:
		return "no_answer";
	case 603:
		return "rejected";
	case 404:
	case 410:
	case 484:
	case 485:
	case 604:
		return "invalid_number";
	default:
		return "failed";
	}
}

static int out_auth(char **user, char **password, const char *realm, void *arg)
{
	struct call *c = arg;
	int rc;

	(void)realm;
	rc = str_dup(user, c->srv->cfg->out_trunk_user);
	if (rc == 0)
		rc = str_dup(password, c->srv->cfg->out_trunk_password);
	return rc;
}

/* The customer's SDP answer (the 200 OK): the law and where media goes. */
static int out_answer(const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;
	struct sip_sdp sdp;
	struct sa media;
	struct mbuf *mb = NULL;

	if (!mbuf_get_left(msg->mb) ||
	    sip_sdp_parse((const char *)mbuf_buf(msg->mb), mbuf_get_left(msg->mb), &sdp) < 0 ||
	    sdp.pref_pt < 0 || sa_set_str(&media, sdp.addr, (uint16_t)sdp.port) != 0)
		return EPROTO;
	call_leg_remote(c->srv, &c->leg, &media, &msg->src);
	c->leg.codec = sdp.pref_pt == sdp.pcma_pt ? MEDIA_PCMA : MEDIA_PCMU;
	c->leg.pt = sdp.pref_pt;
	c->leg.event_pt = sdp.event_pt;
	media_rtp_rx_init(&c->leg.rx, MEDIA_RATE, 60, c->leg.event_pt);
	/* From now on kefu's description names the chosen law: a re-INVITE
	 * (the customer's hold) is answered with it (call_on_offer). */
	c->answer_version = 2;
	if (call_leg_sdp(&c->leg, c->id, c->answer_version, 1, SIP_SDP_SENDRECV, &mb) == 0) {
		mem_deref(c->answer);
		c->answer = mb;
	}
	return 0;
}

static void out_progress(const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;

	if ((msg->scode == 180 || msg->scode == 183) && !c->out_ringing) {
		c->out_ringing = 1;
		call_log_int(c, "ringing", "status", msg->scode);
	}
}

static void out_estab(const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;

	(void)msg;
	tmr_cancel(&c->out_ring);
	tmr_cancel(&c->prompt_tmr); /* the ring-back */
	if (!c->agent) {
		call_end_later(c, "agent_gone");
		return;
	}
	c->out_result = "answered";
	call_bridge_connect_out(c, call_clock_ms() - c->first_offer);
	call_pace_start(c);
	call_media_check_start(c);
}

static void out_close(int err, const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;

	if (c->connected) {
		/* libre 1.1.0 reports the customer's BYE as ECONNRESET. */
		if (err == ECONNRESET)
			call_finish(c, "caller", "bye");
		else
			call_finish(c, "kefu", err == ETIMEDOUT ? "sip_timeout" : "sip_error");
	} else {
		struct audit_detail d;

		c->out_result = result_of(err, msg);
		audit_detail_init(&d);
		audit_detail_int(&d, "status", msg ? msg->scode : 0);
		audit_detail_str(&d, "result", c->out_result);
		call_log(c, "not_answered", &d);
		if (msg && (msg->scode == 401 || msg->scode == 407))
			log_error("sip: call out %lld: the trunk refused out_trunk_user's "
				  "credentials",
				  (long long)c->id);
		call_finish(c, "kefu", c->out_result);
	}
	mem_deref(c);
}

static void out_ring_timeout(void *arg)
{
	struct call *c = arg;
	struct audit_detail d;

	c->out_result = "no_answer";
	audit_detail_init(&d);
	audit_detail_str(&d, "result", c->out_result);
	audit_detail_int(&d, "ring_sec", c->srv->cfg->out_ring_sec);
	call_log(c, "not_answered", &d);
	call_end_later(c, "no_answer"); /* freeing the session sends the CANCEL */
}

/* China's ring-back tone to the agent while the customer's phone rings. */
static void ringback(void *arg)
{
	static const int16_t quiet[MEDIA_FRAME];
	struct call *c = arg;
	uint64_t k = c->ringback_tick++ % RINGBACK_CYCLE;

	if (c->agent) {
		call_leg_send_pcm(&c->agent->leg, k < RINGBACK_ON ? ringback_tone : quiet, k == 0);
		c->agent->leg.ts += MEDIA_FRAME;
	}
	tmr_start(&c->prompt_tmr, CALL_PTIME_MS, ringback, c);
}

void call_out_agent_answered(struct call *c)
{
	const struct config *cfg = c->srv->cfg;
	char to_uri[256], from_uri[256], host[128];
	struct audit_detail d;
	struct sa trunk, near;
	char *colon;
	int rc;

	c->phase = PH_OUT_DIALING;
	if (agent_and_state(c, ACD_TALKING, "dialing") < 0) {
		c->out_result = "failed";
		call_end_later(c, "error");
		return;
	}
	snprintf(host, sizeof(host), "%s", cfg->out_trunk);
	colon = strrchr(host, ':');
	if (colon && host[0] != '[')
		*colon = 0;
	rc = trunk_addr(cfg->out_trunk, &trunk);
	near_to(c->srv, rc == 0 ? &trunk : NULL, &near);
	randombytes_buf(&c->leg.ssrc, sizeof(c->leg.ssrc));
	randombytes_buf(&c->leg.seq, sizeof(c->leg.seq));
	randombytes_buf(&c->leg.ts, sizeof(c->leg.ts));
	media_dtmf_rx_init(&c->dtmf);
	rc = call_rtp_open(c->srv, &near, &c->leg.rtp, &c->leg.local, call_rtp_recv, c);
	if (rc == 0)
		rc = call_leg_sdp(&c->leg, c->id, 1, 1, SIP_SDP_SENDRECV, &c->answer);
	snprintf(to_uri, sizeof(to_uri), "sip:%s@%s", c->dial, cfg->out_trunk);
	snprintf(from_uri, sizeof(from_uri), "sip:%s@%s", caller_id(cfg), host);
	if (rc == 0)
		rc = sipsess_connect(
			&c->sess, call_sock, to_uri, NULL, from_uri, caller_id(cfg), NULL, 0,
			"application/sdp", c->answer, cfg->out_trunk_user[0] ? out_auth : NULL, c,
			false, call_on_offer, out_answer, out_progress, out_estab, NULL, NULL,
			out_close, c, "Allow: INVITE, ACK, BYE, CANCEL, INFO, OPTIONS\r\n");
	if (rc) {
		log_error("sip: call out %lld: cannot call through the trunk %s (%s)",
			  (long long)c->id, cfg->out_trunk, strerror(rc));
		c->out_result = "failed";
		call_end_later(c, "error");
		return;
	}
	c->first_offer = call_clock_ms();
	tmr_start(&c->out_ring, (uint64_t)cfg->out_ring_sec * 1000, out_ring_timeout, c);
	c->ringback_tick = 0;
	tmr_start(&c->prompt_tmr, 0, ringback, c);
	audit_detail_init(&d);
	audit_detail_str(&d, "trunk", cfg->out_trunk);
	audit_detail_str(&d, "caller_id", caller_id(cfg));
	call_log(c, "dialing", &d);
}

void call_out_agent_missed(struct call *c, const char *why)
{
	c->out_result =
		!strcmp(why, "busy") || !strcmp(why, "declined") ? "agent_busy" : "agent_no_answer";
	call_end_later(c, "agent_no_answer");
}

void call_out_finished(struct call *c)
{
	const char *result = c->connected ? "answered" : c->out_result ? c->out_result : "failed";
	struct store *s = store_pool_get(c->srv->pool);

	end_request(s, c->out_id, result);
	store_pool_put(c->srv->pool, s);
}

/* -- requests -- */

static void start_one(const struct call_out_row *r)
{
	struct sip_server *srv = out_srv;
	const struct config *cfg = srv->cfg;
	struct call_candidate phone;
	struct acd_state st;
	struct agent_leg *a;
	struct call_ring ring;
	struct audit_detail d;
	struct call *c;
	struct store *s;
	struct sa dst;
	const char *fail = NULL;
	char callid[64], masked[40], display[64];
	int64_t now = clock_now_ms();
	int rang = 0, rc;

	if (!strcmp(r->purpose, "test")) {
		call_test_start_request(srv, r->id);
		return;
	}
	s = store_pool_get(srv->pool);
	if (!cfg->out_trunk[0])
		fail = "no_trunk";
	else if (live_count() >= cfg->out_trunk_max ||
		 list_count(&call_list_all) >= (uint32_t)cfg->calls_max)
		fail = "trunk_busy"; /* the carrier's channels, or kefu's own limit */
	if (!fail) {
		rc = call_out_phone(s, r->agent_id, now, &phone);
		if (rc == ERR_NOTFOUND)
			fail = "agent_offline";
		else if (rc < 0)
			fail = "failed";
	}
	if (!fail) {
		rc = acd_get(s, r->agent_id, &st);
		if (rc < 0)
			fail = "failed";
		else if (st.status == ACD_RINGING || st.status == ACD_TALKING)
			fail = "agent_busy";
		else if (st.status == ACD_LOGGED_OUT)
			fail = "agent_offline";
	}
	c = fail ? NULL : call_alloc(srv);
	if (!fail && !c)
		fail = "failed";
	if (!fail) {
		c->out = 1;
		c->out_id = r->id;
		c->out_customer_id = r->customer_id;
		snprintf(c->caller, sizeof(c->caller), "%s", r->number);
		if (call_out_dial_string(cfg->out_prefix_mobile, cfg->out_prefix_landline,
					 r->number, c->dial, sizeof(c->dial)) < 0)
			fail = "invalid_number";
	}
	if (fail) {
		end_request(s, r->id, fail);
		store_pool_put(srv->pool, s);
		mem_deref(c);
		return;
	}
	snprintf(callid, sizeof(callid), "out-%lld-%08x", (long long)r->id, randombytes_random());
	rc = store_begin(s);
	if (rc == 0)
		rc = call_insert(s, callid, c->caller, caller_id(cfg), now, &c->id);
	if (rc == 0)
		rc = call_set_direction_out(s, c->id);
	if (rc == 0)
		rc = call_out_claim(s, r->id, c->id, c->dial);
	if (rc == ERR_CONFLICT) {
		/* Claimed meanwhile: not this round's to start. */
		store_rollback(s);
		store_pool_put(srv->pool, s);
		mem_deref(c);
		return;
	}
	/* A ready agent is claimed from the queues as an offer would; one who
	 * set themselves busy to call customers back stays out of them. */
	if (rc == 0 && st.status == ACD_READY) {
		rc = acd_set_system(s, r->agent_id, ACD_RINGING, NULL, 0, now);
		if (rc == ERR_CONFLICT)
			fail = "agent_busy"; /* a queue's offer got there first */
		rang = rc == 0;
	}
	if (rc == 0)
		rc = call_set_agent(s, c->id, r->agent_id);
	if (rc == 0)
		rc = call_set_offer(s, r->agent_id, c->id);
	if (rc == 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	if (rc < 0) {
		c->id = 0;
		end_request(s, r->id, fail ? fail : "failed");
		store_pool_put(srv->pool, s);
		mem_deref(c);
		return;
	}
	store_pool_put(srv->pool, s);
	c->ended = 0;
	c->phase = PH_OUT_AGENT;
	audit_detail_init(&d);
	audit_detail_int(&d, "out_id", r->id);
	audit_detail_str(&d, "purpose", r->purpose);
	audit_detail_int(&d, "agent_id", r->agent_id);
	audit_detail_str(&d, "work_no", phone.work_no);
	call_log(c, "out_requested", &d);
	/* The agent's phone: kefu's media near the address that reaches it. */
	if (contact_addr(phone.contact, &dst) != 0)
		sa_init(&dst, AF_UNSPEC);
	near_to(srv, &dst, &c->leg.local);
	mask_phone(r->number, masked, sizeof(masked));
	snprintf(display, sizeof(display), "外呼 %s", masked);
	ring.person_id = r->agent_id;
	ring.work_no = phone.work_no;
	ring.name = phone.name;
	ring.contact = phone.contact;
	ring.from_user = masked;
	ring.display = display;
	rc = call_bridge_ring(c, &ring, &a);
	if (rc < 0) {
		c->out_result = "failed";
		if (rang) {
			s = store_pool_get(srv->pool);
			if (store_begin(s) == 0 &&
			    acd_set_system(s, r->agent_id, ACD_READY, NULL, 0, now) >= 0)
				(void)store_commit(s);
			else
				store_rollback(s);
			store_pool_put(srv->pool, s);
		}
		call_end_later(c, "error");
		return;
	}
	a->rang = rang;
	acd_live_wake();
	log_info("sip: call out %lld: ringing %s first", (long long)c->id, phone.work_no);
}

void call_out_poll(void)
{
	struct call_out_row rows[OUT_BATCH];
	int64_t ids[OUT_BATCH];
	struct store *s;
	int n, m;

	if (!out_srv)
		return;
	s = store_pool_get(out_srv->pool);
	m = call_out_cancels(s, ids, OUT_BATCH);
	n = call_out_pending(s, rows, OUT_BATCH);
	store_pool_put(out_srv->pool, s);
	for (int i = 0; i < m; i++) {
		struct call *c = find_out(ids[i]);

		if (!c || c->ended || tmr_isrunning(&c->end))
			continue;
		/* The agent's hang-up from the workbench. */
		if (c->connected && !c->hangup_first)
			c->hangup_first = "agent";
		if (!c->connected)
			c->out_result = "cancelled";
		call_end_later(c, "cancelled");
	}
	for (int i = 0; i < n; i++)
		start_one(&rows[i]);
}

static void on_kick(int id, void *data, void *arg)
{
	(void)id;
	(void)data;
	(void)arg;
	call_out_poll();
}

void call_out_start(struct sip_server *srv)
{
	struct store *s = store_pool_get(srv->pool);
	struct mqueue *mq = NULL;
	int rc = store_begin(s), n = 0;

	for (int i = 0; i < MEDIA_FRAME; i++)
		ringback_tone[i] = (int16_t)(8000.0 * sin(2.0 * M_PI * 450.0 * i / MEDIA_RATE));
	/* Attempts a stopped process left going can never go on. */
	if (rc == 0)
		n = rc = call_out_close_open(s, clock_now_ms());
	if (rc >= 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	store_pool_put(srv->pool, s);
	if (rc < 0)
		log_error("sip: cannot close the calls out a previous run left open");
	else if (n > 0)
		log_warn("call: ended %d call(s) out left by a previous run", n);
	out_srv = srv;
	if (mqueue_alloc(&mq, on_kick, NULL) != 0) {
		log_error("sip: calls out are not woken at once (no mqueue); once a second");
		return;
	}
	pthread_mutex_lock(&mq_lock);
	out_mq = mq;
	pthread_mutex_unlock(&mq_lock);
	if (srv->cfg->out_trunk[0])
		log_info("sip: calls out through the trunk %s (%d at once)", srv->cfg->out_trunk,
			 srv->cfg->out_trunk_max);
}

void call_out_stop(void)
{
	struct mqueue *mq;

	pthread_mutex_lock(&mq_lock);
	mq = out_mq;
	out_mq = NULL;
	pthread_mutex_unlock(&mq_lock);
	mem_deref(mq);
	out_srv = NULL;
}
