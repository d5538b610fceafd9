/*
 * The call engine's first part: the hotline answers and runs the IVR menu
 * (CALL-1). Everything here runs on the SIP thread (see sip.h).
 *
 * An INVITE to the hotline number is answered at once with 200 OK and an
 * SDP answer that picks PCMA (China's G.711) when offered, else PCMU, and
 * telephone-event when offered; an offer without G.711 gets 488. libre's
 * sipsess keeps the dialog (ACK, BYE both ways, INFO, re-INVITE). Each call
 * has one UDP socket for RTP on the SIP listener's address (an ephemeral
 * port). A libre timer sends one 20 ms packet of the current prompt at a
 * time, paced against the start of the call so timer lateness does not
 * add up; the RTP timestamp advances with time even between prompts, and
 * the first packet of each prompt has the marker bit (a new talkspurt).
 *
 * Digits arrive as RFC 4733 telephone-events (src/media's detector) or as
 * SIP INFO with application/dtmf-relay; either goes to the IVR rules
 * (ivr.c), whose actions this file carries out and writes to the call log
 * (call_store.c), each change in its own short transaction.
 *
 * Interim until the queue slice: once the caller has chosen, the transfer
 * notice is played and kefu hangs up, the call's route being the queue the
 * caller would be put in (call.route, event "route").
 *
 * A caller that vanishes (no BYE) is noticed by call_media_timeout_sec
 * without RTP or SIP from it; kefu then ends the call (ended_by kefu,
 * reason media_timeout). IVR times use libre's monotonic clock, stored
 * times the wall clock (clock_now_ms, which --test-clock shifts).
 */
#include <assert.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "media/media.h"
#include "sip/sip_server.h"
#include "store/store.h"

#include <re_sipsess.h>

#define CALL_MAX 200 /* calls at once; more get 503 */
#define PROMPT_MAX_BYTES (4 << 20)
#define CHECK_MS 1000 /* how often the media timeout is checked */

struct prompt {
	const char *key;
	int16_t *pcm;
	size_t n;
};

/* The prompts the menu plays (etc/prompts.txt), loaded once at start. */
static struct prompt prompts[] = {
	{"welcome", NULL, 0},  {"menu", NULL, 0},     {"invalid", NULL, 0},
	{"no_input", NULL, 0}, {"transfer", NULL, 0}, {"to_agent", NULL, 0},
};

/* Other prompts the manager's menu and hours name (a sub-menu's menu,
 * out_of_hours, a center's own recording): loaded from prompts_dir when
 * first played, kept until the engine stops. */
#define EXTRA_MAX 64
static struct prompt extra[EXTRA_MAX];
static char extra_keys[EXTRA_MAX][IVR_KEY_SIZE];
static int nextra;
static const char *prompts_dir;

struct call {
	struct le le;
	struct sip_server *srv;
	struct sipsess *sess;
	struct udp_sock *rtp;
	struct sa raddr;
	struct sa local;   /* our RTP address */
	struct sa sip_src; /* where the INVITE came from */
	int64_t id;
	enum media_codec codec;
	int pt, event_pt;
	struct tmr pace, ivr_tmr, check, end;
	struct ivr ivr;
	struct ivr_menu menu; /* the manager's menu as it was when the call came */
	const struct prompt *playing;
	size_t pos;
	int marker;
	uint16_t seq;
	uint32_t ts, ssrc;
	uint64_t start_jiffies, ticks;
	uint64_t last_heard;
	struct media_dtmf_rx dtmf;
	struct media_rtp_rx rx; /* what the caller sends: loss and jitter for the log */
	struct mbuf *answer;	/* our SDP, for a re-INVITE */
	const char *end_reason;
	int ended;
	uint64_t sent;
};

static struct sipsess_sock *sock;

/* Arrival times for the receiver statistics: a monotonic clock in µs. */
static int64_t clock_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
static struct list calls;

/* -- the call log -- */

/* Writes one event (detail: a new reference, may be NULL) and the call's
 * progress in one transaction; a failure is logged, the call goes on. */
static void log_event(struct call *c, const char *kind, json_t *detail)
{
	struct store *s = store_pool_get(c->srv->pool);
	char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	int rc = store_begin(s);

	if (rc == 0)
		rc = call_event_add(s, c->id, clock_now_ms(), kind, text);
	if (rc == 0 && (strcmp(kind, "digit") == 0 || strcmp(kind, "route") == 0))
		rc = call_set_progress(s, c->id, c->ivr.route, c->ivr.digits);
	if (rc == 0 && strcmp(kind, "answered") == 0)
		rc = call_set_answered(s, c->id, clock_now_ms());
	if (rc == 0 && strcmp(kind, "closed") == 0)
		rc = call_set_outcome(s, c->id, "closed");
	if (rc == 0 && strcmp(kind, "ended") == 0)
		rc = call_set_ended(s, c->id, clock_now_ms(),
				    json_string_value(json_object_get(detail, "by")));
	if (rc == 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	if (rc < 0)
		log_error("sip: call %lld: cannot log %s (%s)", (long long)c->id, kind,
			  err_name(rc));
	store_pool_put(c->srv->pool, s);
	free(text);
	json_decref(detail);
}

/* -- ending -- */

static void call_destroy(void *arg)
{
	struct call *c = arg;

	tmr_cancel(&c->pace);
	tmr_cancel(&c->ivr_tmr);
	tmr_cancel(&c->check);
	tmr_cancel(&c->end);
	list_unlink(&c->le);
	/* Releasing an established session sends the BYE (libre keeps the
	 * transaction until the caller answers it). */
	mem_deref(c->sess);
	mem_deref(c->rtp);
	mem_deref(c->answer);
}

static void finish(struct call *c, const char *by, const char *reason)
{
	struct media_rtp_stats st;

	if (c->ended)
		return;
	c->ended = 1;
	media_rtp_rx_stats(&c->rx, &st);
	log_event(c, "ended",
		  json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "by", by, "reason", reason,
			    "rtp_sent", (json_int_t)c->sent, "rtp_received",
			    (json_int_t)st.received, "rtp_lost", (json_int_t)st.lost, "jitter_us",
			    (json_int_t)st.jitter_us));
	log_info("sip: call %lld ended by %s (%s)", (long long)c->id, by, reason);
}

static void end_now(void *arg)
{
	struct call *c = arg;

	finish(c, "kefu", c->end_reason ? c->end_reason : "ivr");
	mem_deref(c);
}

/* Kefu ends the call; from a timer, never inside a socket's own callback. */
static void end_later(struct call *c, const char *reason)
{
	if (c->ended || tmr_isrunning(&c->end))
		return;
	c->end_reason = reason;
	tmr_start(&c->end, 0, end_now, c);
}

/* -- prompts and the IVR -- */

static int load_prompt(const char *dir, struct prompt *p);

static const struct prompt *prompt_find(const char *key)
{
	for (size_t i = 0; i < sizeof(prompts) / sizeof(prompts[0]); i++)
		if (strcmp(prompts[i].key, key) == 0)
			return &prompts[i];
	for (int i = 0; i < nextra; i++)
		if (strcmp(extra[i].key, key) == 0)
			return &extra[i];
	if (nextra >= EXTRA_MAX || !ivr_key_valid(key))
		return NULL;
	snprintf(extra_keys[nextra], sizeof(extra_keys[nextra]), "%s", key);
	extra[nextra].key = extra_keys[nextra];
	/* A missing file is remembered as empty (apply() warns at each play). */
	(void)load_prompt(prompts_dir, &extra[nextra]);
	return &extra[nextra++];
}

static void ivr_timer(void *arg);

static void arm_ivr(struct call *c)
{
	int64_t deadline = ivr_deadline(&c->ivr);
	int64_t now = (int64_t)tmr_jiffies();

	if (!deadline) {
		tmr_cancel(&c->ivr_tmr);
		return;
	}
	tmr_start(&c->ivr_tmr, deadline > now ? (uint64_t)(deadline - now) : 0, ivr_timer, c);
}

static void apply(struct call *c, const struct ivr_action *a)
{
	if (a->miss)
		log_event(c, a->miss, json_pack("{s:i}", "misses", c->ivr.misses));
	if (a->route)
		log_event(c, "route", json_pack("{s:s}", "route", a->route));
	if (a->play) {
		c->playing = prompt_find(a->play);
		c->pos = 0;
		c->marker = 1;
		log_event(c, "prompt", json_pack("{s:s}", "prompt", a->play));
		if (!c->playing || !c->playing->n)
			log_warn("sip: prompt %s is missing; see prompts_dir", a->play);
	} else if (a->route || a->miss) {
		c->playing = NULL;
	}
	if (c->ivr.state == IVR_WAIT)
		c->playing = NULL; /* the menu ended: silence while waiting */
	if (a->hangup)
		end_later(c, "ivr");
	arm_ivr(c);
}

/* The call came: the menu and the hours as they are now (one read); when
 * the center is closed, the closed notice and hang up (outcome closed). */
static void hotline_begin(struct call *c, struct ivr_action *a)
{
	struct store *s = store_pool_get(c->srv->pool);
	char closed_prompt[IVR_KEY_SIZE];
	int open = 1, rc = hotline_call_setup(s, clock_now_ms(), &c->menu, &open, closed_prompt);

	store_pool_put(c->srv->pool, s);
	if (rc < 0)
		log_error("sip: call %lld: cannot read the opening hours (%s); taking the call",
			  (long long)c->id, err_name(rc));
	if (open) {
		ivr_start(&c->ivr, &c->menu, (int64_t)tmr_jiffies(), a);
		return;
	}
	log_event(c, "closed", json_pack("{s:s}", "prompt", closed_prompt));
	ivr_closed(&c->ivr, closed_prompt, (int64_t)tmr_jiffies(), a);
}

static void ivr_timer(void *arg)
{
	struct call *c = arg;
	struct ivr_action a;

	ivr_tick(&c->ivr, (int64_t)tmr_jiffies(), &a);
	apply(c, &a);
}

static void on_digit(struct call *c, char digit, const char *via)
{
	struct ivr_action a;
	char d[2] = {digit, 0};
	enum ivr_state before = c->ivr.state;

	ivr_digit(&c->ivr, digit, (int64_t)tmr_jiffies(), &a);
	if (before == IVR_LEAVING || before == IVR_DONE)
		return;
	log_event(c, "digit", json_pack("{s:s, s:s}", "digit", d, "via", via));
	apply(c, &a);
}

/* -- RTP -- */

static void send_frame(struct call *c)
{
	int16_t pcm[MEDIA_FRAME];
	uint8_t pkt[MEDIA_RTP_HDR_MIN + MEDIA_FRAME];
	struct media_rtp_hdr h;
	struct mbuf *mb;
	size_t n = 0;
	int len;

	if (c->playing && c->pos < c->playing->n) {
		n = c->playing->n - c->pos;
		if (n > MEDIA_FRAME)
			n = MEDIA_FRAME;
		memcpy(pcm, c->playing->pcm + c->pos, n * sizeof(int16_t));
	}
	memset(pcm + n, 0, (MEDIA_FRAME - n) * sizeof(int16_t));
	c->pos += n;
	memset(&h, 0, sizeof(h));
	h.version = 2;
	h.marker = c->marker;
	h.pt = (unsigned)c->pt;
	h.seq = c->seq++;
	h.ts = c->ts;
	h.ssrc = c->ssrc;
	len = media_rtp_build(&h, pkt, sizeof(pkt));
	assert(len == MEDIA_RTP_HDR_MIN);
	media_g711_encode(c->codec, pcm, MEDIA_FRAME, pkt + len);
	c->marker = 0;
	mb = mbuf_alloc(sizeof(pkt));
	if (!mb)
		return;
	(void)mbuf_write_mem(mb, pkt, sizeof(pkt));
	mb->pos = 0;
	if (udp_send(c->rtp, &c->raddr, mb) == 0)
		c->sent++;
	mem_deref(mb);
}

static void pace(void *arg)
{
	struct call *c = arg;
	uint64_t next;

	if (c->playing) {
		send_frame(c);
		if (c->pos >= c->playing->n) {
			struct ivr_action a;

			c->playing = NULL;
			ivr_prompt_done(&c->ivr, (int64_t)tmr_jiffies(), &a);
			apply(c, &a);
		}
	}
	/* The timestamp is the sampling clock: it runs on between prompts. */
	c->ts += MEDIA_FRAME;
	c->ticks++;
	next = c->start_jiffies + c->ticks * CALL_PTIME_MS;
	{
		uint64_t now = tmr_jiffies();

		tmr_start(&c->pace, next > now ? next - now : 0, pace, c);
	}
}

/* Packets only count from where the caller said its media would come from
 * (its SDP address or its SIP address), so nobody else can press keys. */
static int from_caller(const struct call *c, const struct sa *src)
{
	return sa_cmp(src, &c->raddr, SA_ADDR) || sa_cmp(src, &c->sip_src, SA_ADDR);
}

static void rtp_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct call *c = arg;
	struct media_rtp_hdr h;
	char digit;

	if (c->ended || !from_caller(c, src))
		return;
	if (media_rtp_parse(mbuf_buf(mb), mbuf_get_left(mb), &h) < 0)
		return;
	c->last_heard = tmr_jiffies();
	(void)media_rtp_rx_update(&c->rx, &h, clock_mono_us());
	if (c->event_pt < 0 || (int)h.pt != c->event_pt)
		return;
	if (media_dtmf_rx_packet(&c->dtmf, h.ssrc, h.ts, mbuf_buf(mb) + h.hdr_len, h.payload_len,
				 &digit) == 1)
		on_digit(c, digit, "rtp");
}

static void check(void *arg)
{
	struct call *c = arg;
	uint64_t limit = (uint64_t)c->srv->cfg->call_media_timeout_sec * 1000;

	if (tmr_jiffies() - c->last_heard >= limit) {
		end_later(c, "media_timeout");
		return;
	}
	tmr_start(&c->check, CHECK_MS, check, c);
}

/* -- SIP -- */

static int sdp_answer(struct call *c, struct mbuf **out)
{
	char ip[SIP_ADDRESS_MAX];
	struct mbuf *mb = mbuf_alloc(512);
	const char *ipv = sa_af(&c->local) == AF_INET6 ? "IP6" : "IP4";
	int rc;

	if (!mb)
		return ENOMEM;
	sip_server_source(&c->local, ip);
	rc = mbuf_printf(mb,
			 "v=0\r\n"
			 "o=kefu %lld 1 IN %s %s\r\n"
			 "s=kefu\r\n"
			 "c=IN %s %s\r\n"
			 "t=0 0\r\n"
			 "m=audio %u RTP/AVP %d",
			 (long long)c->id, ipv, ip, ipv, ip, sa_port(&c->local), c->pt);
	if (rc == 0 && c->event_pt >= 0)
		rc = mbuf_printf(mb, " %d", c->event_pt);
	if (rc == 0)
		rc = mbuf_printf(mb, "\r\na=rtpmap:%d %s/8000\r\n", c->pt,
				 c->codec == MEDIA_PCMA ? "PCMA" : "PCMU");
	if (rc == 0 && c->event_pt >= 0)
		rc = mbuf_printf(mb, "a=rtpmap:%d telephone-event/8000\r\na=fmtp:%d 0-15\r\n",
				 c->event_pt, c->event_pt);
	if (rc == 0)
		rc = mbuf_printf(mb, "a=ptime:%d\r\na=sendrecv\r\n", CALL_PTIME_MS);
	if (rc) {
		mem_deref(mb);
		return rc;
	}
	mb->pos = 0;
	*out = mb;
	return 0;
}

static int on_offer(struct mbuf **descp, const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;

	/* A re-INVITE (a refresh or a hold) gets the same answer. */
	(void)msg;
	c->last_heard = tmr_jiffies();
	c->answer->pos = 0;
	*descp = mem_ref(c->answer);
	return 0;
}

static int on_answer(const struct sip_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return 0;
}

static void on_estab(const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;
	struct ivr_action a;

	(void)msg;
	c->last_heard = tmr_jiffies();
	if (c->ivr.state != IVR_WELCOME || c->playing)
		return;
	hotline_begin(c, &a);
	apply(c, &a);
}

static void on_info(struct sip *sip, const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;
	char digit;

	c->last_heard = tmr_jiffies();
	if (!msg_ctype_cmp(&msg->ctyp, "application", "dtmf-relay")) {
		(void)sip_reply(sip, msg, 415, "Unsupported Media Type");
		return;
	}
	(void)sip_reply(sip, msg, 200, "OK");
	digit = ivr_info_digit((const char *)mbuf_buf(msg->mb), mbuf_get_left(msg->mb));
	if (digit && !c->ended)
		on_digit(c, digit, "info");
}

static void on_close(int err, const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;

	/* libre 1.1.0 reports the caller's BYE as ECONNRESET without a message. */
	if (err == ECONNRESET)
		finish(c, "caller", "bye");
	else if (err == ETIMEDOUT)
		finish(c, "kefu", "sip_timeout");
	else
		finish(c, "kefu", err ? "sip_error" : "closed");
	mem_deref(c);
}

/* Creates the call's row and its invite event; c->id is set. */
static int call_record(struct call *c, const struct sip_msg *msg)
{
	char caller[64], called[64], callid[128];
	struct store *s = store_pool_get(c->srv->pool);
	int rc;

	sip_log_safe(msg->from.uri.user.p, msg->from.uri.user.l, caller, sizeof(caller));
	sip_log_safe(msg->uri.user.p, msg->uri.user.l, called, sizeof(called));
	sip_log_safe(msg->callid.p, msg->callid.l, callid, sizeof(callid));
	rc = store_begin(s);
	if (rc == 0)
		rc = call_insert(s, callid, caller, called, clock_now_ms(), &c->id);
	if (rc == 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	store_pool_put(c->srv->pool, s);
	return rc;
}

static void reject(struct sip_server *srv, const struct sip_msg *msg, uint16_t code,
		   const char *reason)
{
	(void)sip_reply(srv->sip, msg, code, reason);
}

/* A number that is not the hotline: the work number of someone who may
 * register a phone (ORG-3) gets 480 (calls to agents come with the queue
 * slice), anything else 404. */
static void not_hotline(struct sip_server *srv, const struct sip_msg *msg)
{
	char user[33];
	struct sip_account acc;
	struct store *s;
	int rc;

	sip_log_safe(msg->uri.user.p, msg->uri.user.l, user, sizeof(user));
	s = store_pool_get(srv->pool);
	rc = sip_account_get(s, user, &acc);
	store_pool_put(srv->pool, s);
	if (rc == 0 && sip_may_register(acc.roles, acc.active))
		reject(srv, msg, 480, "Temporarily Unavailable");
	else
		reject(srv, msg, 404, "Not Found");
}

static void on_connect(const struct sip_msg *msg, void *arg)
{
	struct sip_server *srv = arg;
	struct ivr_sdp offer;
	struct call *c;
	struct sa rtp_addr;
	int rc;

	if (pl_strcmp(&msg->uri.user, srv->cfg->hotline) != 0) {
		not_hotline(srv, msg);
		return;
	}
	if (list_count(&calls) >= CALL_MAX) {
		reject(srv, msg, 503, "Service Unavailable");
		return;
	}
	c = mem_zalloc(sizeof(*c), call_destroy);
	if (!c) {
		reject(srv, msg, 500, "Server Internal Error");
		return;
	}
	c->srv = srv;
	c->sip_src = msg->src;
	media_rtp_rx_init(&c->rx, MEDIA_RATE, 60, -1);
	c->event_pt = -1;
	tmr_init(&c->pace);
	tmr_init(&c->ivr_tmr);
	tmr_init(&c->check);
	tmr_init(&c->end);
	list_append(&calls, &c->le, c);
	c->ended = 1; /* nothing to log as ended until the row exists */
	if (call_record(c, msg) < 0) {
		reject(srv, msg, 500, "Server Internal Error");
		goto out;
	}
	c->ended = 0;
	{
		char source[SIP_ADDRESS_MAX + 16];

		sip_server_source_full(&msg->src, source, sizeof(source));
		log_event(c, "invite", json_pack("{s:s}", "source", source));
	}
	if (!mbuf_get_left(msg->mb) ||
	    ivr_sdp_parse((const char *)mbuf_buf(msg->mb), mbuf_get_left(msg->mb), &offer) < 0 ||
	    offer.pref_pt < 0 || sa_set_str(&c->raddr, offer.addr, (uint16_t)offer.port) != 0) {
		reject(srv, msg, 488, "Not Acceptable Here");
		log_event(c, "rejected",
			  json_pack("{s:i, s:s}", "status", 488, "reason",
				    "no G.711 audio in the offer"));
		finish(c, "kefu", "rejected");
		goto out;
	}
	/* PCMA first: A-law is China's G.711 (and Europe's). */
	c->codec = offer.pcma_pt >= 0 ? MEDIA_PCMA : MEDIA_PCMU;
	c->pt = offer.pcma_pt >= 0 ? offer.pcma_pt : offer.pcmu_pt;
	c->event_pt = offer.event_pt;
	/* RTP on the address the INVITE came to. */
	rtp_addr = srv->laddr;
	if (sa_is_any(&rtp_addr))
		rtp_addr = msg->dst;
	sa_set_port(&rtp_addr, 0);
	rc = udp_listen(&c->rtp, &rtp_addr, rtp_recv, c);
	if (rc == 0)
		rc = udp_local_get(c->rtp, &c->local);
	if (rc == 0)
		rc = sdp_answer(c, &c->answer);
	if (rc == 0)
		rc = sipsess_accept(&c->sess, sock, msg, 200, "OK", srv->cfg->hotline,
				    "application/sdp", c->answer, NULL, NULL, false, on_offer,
				    on_answer, on_estab, on_info, NULL, on_close, c,
				    "Allow: INVITE, ACK, BYE, CANCEL, INFO, OPTIONS\r\n");
	if (rc) {
		log_error("sip: call %lld: cannot answer (%s)", (long long)c->id, strerror(rc));
		reject(srv, msg, 500, "Server Internal Error");
		finish(c, "kefu", "error");
		goto out;
	}
	media_dtmf_rx_init(&c->dtmf);
	media_rtp_rx_init(&c->rx, MEDIA_RATE, 60, c->event_pt);
	randombytes_buf(&c->ssrc, sizeof(c->ssrc));
	randombytes_buf(&c->seq, sizeof(c->seq));
	randombytes_buf(&c->ts, sizeof(c->ts));
	c->ivr.state = IVR_WELCOME;
	c->start_jiffies = c->last_heard = tmr_jiffies();
	log_event(c, "answered",
		  json_pack("{s:s, s:i, s:i}", "codec", c->codec == MEDIA_PCMA ? "PCMA" : "PCMU",
			    "pt", c->pt, "event_pt", c->event_pt));
	log_info("sip: call %lld answered (%s)", (long long)c->id,
		 c->codec == MEDIA_PCMA ? "PCMA" : "PCMU");
	tmr_start(&c->pace, CALL_PTIME_MS, pace, c);
	tmr_start(&c->check, CHECK_MS, check, c);
	return;
out:
	mem_deref(c);
}

/* -- start and stop -- */

static int load_prompt(const char *dir, struct prompt *p)
{
	char path[512];
	struct media_wav w;
	uint8_t *buf = NULL;
	long len;
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s.wav", dir, p->key);
	f = fopen(path, "rb");
	if (!f)
		return ERR_NOTFOUND;
	len = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
	if (len < 0 || len > PROMPT_MAX_BYTES || fseek(f, 0, SEEK_SET) != 0) {
		rc = ERR_INVALID;
		goto out;
	}
	buf = malloc((size_t)len + 1);
	if (!buf) {
		rc = ERR_NOMEM;
		goto out;
	}
	if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
		rc = ERR_IO;
		goto out;
	}
	rc = media_wav_parse(buf, (size_t)len, 1, &w, NULL);
	if (rc < 0)
		goto out;
	p->pcm = malloc(w.frames * sizeof(int16_t) + 1);
	if (!p->pcm) {
		rc = ERR_NOMEM;
		goto out;
	}
	media_wav_decode(&w, p->pcm);
	p->n = w.frames;
out:
	free(buf);
	fclose(f);
	return rc;
}

int call_engine_start(struct sip_server *srv)
{
	int rc, missing = 0;

	prompts_dir = srv->cfg->prompts_dir;
	for (size_t i = 0; i < sizeof(prompts) / sizeof(prompts[0]); i++) {
		rc = load_prompt(srv->cfg->prompts_dir, &prompts[i]);
		if (rc < 0) {
			log_warn("sip: prompt %s/%s.wav not loaded (%s)", srv->cfg->prompts_dir,
				 prompts[i].key, err_name(rc));
			missing++;
		}
	}
	if (!missing)
		log_info("sip: IVR prompts loaded from %s", srv->cfg->prompts_dir);
	list_init(&calls);
	rc = sipsess_listen(&sock, srv->sip, 32, on_connect, srv);
	if (rc) {
		log_error("sip: cannot take calls (%s)", strerror(rc));
		return ERR_IO;
	}
	return 0;
}

void call_engine_stop(void)
{
	struct le *le = list_head(&calls);

	while (le) {
		struct call *c = le->data;

		le = le->next;
		finish(c, "kefu", "shutdown");
		mem_deref(c);
	}
	sock = mem_deref(sock);
	for (size_t i = 0; i < sizeof(prompts) / sizeof(prompts[0]); i++) {
		free(prompts[i].pcm);
		prompts[i].pcm = NULL;
		prompts[i].n = 0;
	}
	for (int i = 0; i < nextra; i++) {
		free(extra[i].pcm);
		extra[i].pcm = NULL;
		extra[i].n = 0;
	}
	nextra = 0;
}
