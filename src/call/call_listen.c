/*
 * Supervisor listen-in (监听): a supervisor or manager dials the feature
 * code *1 followed by an agent's work number from their own registered
 * phone (e.g. *18103) and hears that agent's live call: the caller and the
 * agent mixed into one stream. Nothing they say is passed on — kefu's
 * answer is sendonly and their packets are ignored — so neither party
 * hears them.
 *
 * The INVITE is digest-authenticated like a REGISTER (the From user must
 * be the credential's), and the person must be allowed to manage agents
 * (ACT_ACD_MANAGE, the same policy the API applies). Each listen-in is in
 * the call's event log ("listen") and in the audit log ("call.listen").
 * A call has at most one listener; it ends when the agent leaves the call.
 *
 * Mixing: the bridge hands each leg's decoded audio to a small FIFO per
 * side (call_listen_feed); a 20 ms timer takes one frame from each (what
 * has not arrived is silence), adds them with clipping and sends the frame
 * as G.711 in the law the supervisor's phone chose.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "call/call_int.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "store/store.h"

#define FIFO 1600 /* samples per side: 200 ms */

struct listener {
	struct call *call;
	struct sipsess *sess;
	struct leg leg;
	struct mbuf *sdp;
	struct tmr pace;
	uint64_t start, ticks;
	int64_t person_id;
	char work_no[33];
	int16_t fifo[2][FIFO];
	size_t r[2], n[2];
};

void call_listen_feed(struct call *c, int side, const int16_t *pcm, size_t n)
{
	struct listener *l = c->listener;

	if (!l)
		return;
	for (size_t i = 0; i < n; i++) {
		if (l->n[side] == FIFO) {
			l->r[side] = (l->r[side] + 1) % FIFO; /* overrun: the oldest goes */
			l->n[side]--;
		}
		l->fifo[side][(l->r[side] + l->n[side]) % FIFO] = pcm[i];
		l->n[side]++;
	}
}

static void send_mix(struct listener *l)
{
	int16_t pcm[MEDIA_FRAME];
	uint8_t pkt[MEDIA_RTP_HDR_MIN + MEDIA_FRAME];
	struct media_rtp_hdr h;
	static struct mbuf *mb;
	int len;

	for (int i = 0; i < MEDIA_FRAME; i++) {
		int32_t sum = 0;

		for (int side = 0; side < 2; side++)
			if (l->n[side]) {
				sum += l->fifo[side][l->r[side]];
				l->r[side] = (l->r[side] + 1) % FIFO;
				l->n[side]--;
			}
		pcm[i] = (int16_t)(sum > 32767 ? 32767 : sum < -32768 ? -32768 : sum);
	}
	memset(&h, 0, sizeof(h));
	h.version = 2;
	h.marker = l->ticks == 1;
	h.pt = (unsigned)l->leg.pt;
	h.seq = l->leg.seq++;
	h.ts = l->leg.ts;
	h.ssrc = l->leg.ssrc;
	len = media_rtp_build(&h, pkt, sizeof(pkt));
	if (len < 0)
		return;
	media_g711_encode(l->leg.codec, pcm, MEDIA_FRAME, pkt + len);
	if (!mb)
		mb = mbuf_alloc(sizeof(pkt));
	if (!mb)
		return;
	mbuf_rewind(mb);
	(void)mbuf_write_mem(mb, pkt, sizeof(pkt));
	mb->pos = 0;
	if (udp_send(l->leg.rtp, &l->leg.raddr, mb) == 0)
		l->leg.sent++;
}

static void pace(void *arg)
{
	struct listener *l = arg;
	uint64_t next, now;

	l->ticks++;
	send_mix(l);
	l->leg.ts += MEDIA_FRAME;
	next = l->start + l->ticks * CALL_PTIME_MS;
	now = tmr_jiffies();
	tmr_start(&l->pace, next > now ? next - now : 0, pace, l);
}

/* Nothing the supervisor's phone sends is passed on; a packet from it
 * only shows where the mix should go (symmetric RTP, call.c). */
static void listener_rtp(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct listener *l = arg;
	struct media_rtp_hdr h;

	if (media_rtp_parse(mbuf_buf(mb), mbuf_get_left(mb), &h) == 0)
		(void)call_leg_latch(&l->leg, src, h.pt);
}

static void listener_destroy(void *arg)
{
	struct listener *l = arg;

	tmr_cancel(&l->pace);
	if (l->call && l->call->listener == l)
		l->call->listener = NULL;
	mem_deref(l->sess); /* the BYE */
	mem_deref(l->leg.rtp);
	mem_deref(l->sdp);
}

void call_listen_end(struct call *c)
{
	struct listener *l = c->listener;

	if (!l)
		return;
	c->listener = NULL;
	l->call = NULL;
	call_log_str(c, "listen_end", "work_no", l->work_no);
	mem_deref(l);
}

static void on_close(int err, const struct sip_msg *msg, void *arg)
{
	struct listener *l = arg;
	struct call *c = l->call;

	(void)err;
	(void)msg;
	if (c)
		call_listen_end(c);
	else
		mem_deref(l);
}

static int on_offer(struct mbuf **descp, const struct sip_msg *msg, void *arg)
{
	struct listener *l = arg;

	(void)msg;
	l->sdp->pos = 0;
	*descp = mem_ref(l->sdp);
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
	(void)msg;
	(void)arg;
}

static int answer_sdp(struct listener *l, int64_t call_id)
{
	char ip[SIP_ADDRESS_MAX];
	const char *ipv = sa_af(&l->leg.local) == AF_INET6 ? "IP6" : "IP4";

	l->sdp = mbuf_alloc(384);
	if (!l->sdp)
		return ENOMEM;
	sip_server_source(&l->leg.local, ip);
	if (mbuf_printf(l->sdp,
			"v=0\r\no=kefu %lld 1 IN %s %s\r\ns=kefu\r\nc=IN %s %s\r\nt=0 0\r\n"
			"m=audio %u RTP/AVP %d\r\na=rtpmap:%d %s/8000\r\na=ptime:%d\r\n"
			"a=sendonly\r\n",
			(long long)call_id, ipv, ip, ipv, ip, sa_port(&l->leg.local), l->leg.pt,
			l->leg.pt, l->leg.codec == MEDIA_PCMA ? "PCMA" : "PCMU", CALL_PTIME_MS))
		return ENOMEM;
	l->sdp->pos = 0;
	return 0;
}

static struct call *call_of_agent(const char *work_no)
{
	for (struct le *le = list_head(&call_list_all); le; le = le->next) {
		struct call *c = le->data;

		if (c->phase == PH_CONNECTED && c->agent && !strcmp(c->agent->work_no, work_no))
			return c;
	}
	return NULL;
}

int call_listen_is_code(const struct pl *user)
{
	return user->l > 2 && user->p[0] == '*' && user->p[1] == '1';
}

void call_listen_connect(struct sip_server *srv, const struct sip_msg *msg)
{
	struct sip_account acct;
	struct principal who;
	struct sip_sdp offer;
	struct listener *l;
	struct call *c;
	struct store *s;
	struct sa near, media;
	struct audit_detail detail;
	char target[33], address[SIP_ADDRESS_MAX];
	int rc;

	if (sip_reg_authenticate(srv, msg, &msg->from.uri.user, &acct) != 0)
		return;
	memset(&who, 0, sizeof(who));
	who.person_id = acct.person_id;
	who.roles = acct.roles;
	snprintf(who.work_no, sizeof(who.work_no), "%s", acct.work_no);
	sip_server_source(&msg->src, address);
	if (auth_scope(&who, ACT_ACD_MANAGE) != SCOPE_ALL) {
		const struct audit_actor actor = {acct.person_id, acct.work_no, address};

		s = store_pool_get(srv->pool);
		sip_server_audit(s, &actor, clock_now_ms(), "call.listen", "call", 0, "denied",
				 NULL);
		store_pool_put(srv->pool, s);
		(void)sip_reply(srv->sip, msg, 403, "Forbidden");
		return;
	}
	sip_log_safe(msg->uri.user.p + 2, msg->uri.user.l - 2, target, sizeof(target));
	c = call_of_agent(target);
	if (!c) {
		(void)sip_reply(srv->sip, msg, 404, "Not Found");
		return;
	}
	if (c->listener) {
		(void)sip_reply(srv->sip, msg, 486, "Busy Here");
		return;
	}
	if (!mbuf_get_left(msg->mb) ||
	    sip_sdp_parse((const char *)mbuf_buf(msg->mb), mbuf_get_left(msg->mb), &offer) < 0 ||
	    offer.pref_pt < 0) {
		(void)sip_reply(srv->sip, msg, 488, "Not Acceptable Here");
		return;
	}
	l = mem_zalloc(sizeof(*l), listener_destroy);
	if (!l) {
		(void)sip_reply(srv->sip, msg, 500, "Server Internal Error");
		return;
	}
	tmr_init(&l->pace);
	l->person_id = acct.person_id;
	snprintf(l->work_no, sizeof(l->work_no), "%s", acct.work_no);
	l->leg.codec = offer.pref_pt == offer.pcma_pt ? MEDIA_PCMA : MEDIA_PCMU;
	l->leg.pt = offer.pref_pt;
	l->leg.event_pt = -1;
	randombytes_buf(&l->leg.ssrc, sizeof(l->leg.ssrc));
	randombytes_buf(&l->leg.seq, sizeof(l->leg.seq));
	randombytes_buf(&l->leg.ts, sizeof(l->leg.ts));
	near = c->leg.local;
	rc = sa_set_str(&media, offer.addr, (uint16_t)offer.port);
	if (rc == 0) {
		call_leg_remote(srv, &l->leg, &media, &msg->src);
		rc = call_rtp_open(srv, &near, &l->leg.rtp, &l->leg.local, listener_rtp, l);
	}
	if (rc == 0)
		rc = answer_sdp(l, c->id);
	if (rc == 0)
		rc = sipsess_accept(&l->sess, call_sock, msg, 200, "OK", acct.work_no,
				    "application/sdp", l->sdp, NULL, NULL, false, on_offer,
				    on_answer, on_estab, NULL, NULL, on_close, l,
				    "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS\r\n");
	if (rc) {
		(void)sip_reply(srv->sip, msg, 500, "Server Internal Error");
		mem_deref(l);
		return;
	}
	l->call = c;
	c->listener = l;
	l->start = tmr_jiffies();
	tmr_start(&l->pace, CALL_PTIME_MS, pace, l);
	audit_detail_init(&detail);
	audit_detail_int(&detail, "person_id", acct.person_id);
	audit_detail_str(&detail, "work_no", acct.work_no);
	audit_detail_str(&detail, "agent", target);
	call_log(c, "listen", &detail);
	{
		const struct audit_actor actor = {acct.person_id, acct.work_no, address};

		s = store_pool_get(srv->pool);
		audit_detail_init(&detail);
		audit_detail_str(&detail, "agent", target);
		sip_server_audit(s, &actor, clock_now_ms(), "call.listen", "call", c->id, "ok",
				 &detail);
		store_pool_put(srv->pool, s);
	}
	log_info("sip: %s listens to call %lld (agent %s)", acct.work_no, (long long)c->id, target);
}
