/*
 * Connecting a waiting caller to an agent's phone, and the conversation.
 *
 * An offer is an INVITE from kefu to the agent's registered phone (its
 * most recent binding), From the caller's number, with an SDP offer of
 * PCMA, PCMU and telephone-event on an RTP socket of its own. Before it
 * is sent the agent is set ringing (acd_set_system: if the agent is no
 * longer ready, someone else got them first and the offer is not made)
 * and their workbench gets a "call.offer" notification with the caller
 * and the customer the number belongs to (the screen-pop); GET
 * /api/me/call then gives the details.
 *
 * An offer ends unanswered when the phone refuses it, when ring_timeout_sec
 * passes (kefu sends CANCEL), or when the call no longer needs it (another
 * phone answered first under ring_all, the caller hung up). An agent who
 * let it ring or refused goes back to ready, or to busy with reason
 * "no_answer" after no_answer_max such offers in a row — a seat that does
 * not answer must not keep taking calls from the queue.
 *
 * The first phone to answer is bridged: the agent is set talking, the call
 * is connected (call.connected_at, the agent), and a contact record is
 * written for the agent (CALL-10) with the caller's number, which the
 * workbench completes. RTP is relayed both ways packet by packet: the
 * payload is copied, or transcoded when the two phones chose different
 * G.711 laws, and the headers are kefu's own (SSRC, sequence, and the
 * sender's timestamps moved to kefu's clock), so 20 ms and 30 ms packets
 * pass as they are. Each leg is one stream of kefu's whatever it carries:
 * a new stream relayed onto it (a new SSRC, after a hold, a sender's
 * jump) continues from kefu's last packet plus the time that passed, so
 * timestamps never go back (call_leg_forward). Telephone-events are not
 * passed on. Every packet either phone sends is also decoded and handed
 * to the recording (rec_push) with its arrival time.
 *
 * Hold (CALL-4): a re-INVITE from the agent's phone with sendonly or
 * inactive holds the call; the caller hears music until sendrecv again.
 * The caller's phone may hold too (call.c answers it recvonly or
 * inactive; call_bridge_caller_hold). Each hold, by either phone, is
 * logged and measured, and marked for the recording's analysis while
 * any lasts. Blind transfer (CALL-8): a REFER from
 * the agent's phone to a queue code or a colleague's work number sends the
 * call back to that queue (to the front, by its original time) or to the
 * colleague first; the transferring agent's leg is hung up.
 *
 * When the agent hangs up, the caller hears the satisfaction survey
 * (call.c). When the call ends, the compliance metrics are written to the
 * call (call_bridge_metrics): ring time from the first offer to the
 * first answer (CALL-2), holds (CALL-4), who hung
 * up first (CALL-5), a silent caller (CALL-6) and a class-F call over ten
 * minutes (CALL-7).
 */
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call/call_int.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mask.h"
#include "cust/cust.h"
#include "notify/notify.h"
#include "store/store.h"

#define RING_CYCLE_MS 5000 /* China's ring-back cadence: 1 s on, 4 s off */
#define CALL2_MAX_RINGS 3
#define CALL4_HOLD_MS 15000
#define CALL4_TOTAL_MS 120000
#define CALL6_MAX_MS 30000 /* greet, 5 s, greet, 5 s, goodbye */
#define CALL6_VOICE_MS 1000
#define CALL7_MAX_MS 600000
#define NOANSWER_MAX 64
#define PAYLOAD_MAX 480		 /* 60 ms of G.711 */
#define TS_JUMP (MEDIA_RATE * 1) /* 1 s, in samples */

/* Unanswered offers in a row, per agent. */
static struct {
	int64_t person_id;
	int count;
} noanswer[NOANSWER_MAX];

static int *noanswer_of(int64_t person_id)
{
	int free_slot = 0;

	for (int i = 0; i < NOANSWER_MAX; i++) {
		if (noanswer[i].person_id == person_id)
			return &noanswer[i].count;
		if (!noanswer[i].person_id)
			free_slot = i;
	}
	noanswer[free_slot].person_id = person_id;
	noanswer[free_slot].count = 0;
	return &noanswer[free_slot].count;
}

/* Runs one change to an agent's status (and an event) in its own transaction. */
static void agent_status(struct call *c, int64_t person_id, enum acd_status to, const char *reason)
{
	struct store *s = store_pool_get(c->srv->pool);
	int rc = store_begin(s);

	if (rc == 0)
		rc = acd_set_system(s, person_id, to, reason, c->srv->cfg->wrap_up_sec,
				    clock_now_ms());
	if (rc >= 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	store_pool_put(c->srv->pool, s);
	if (rc < 0)
		log_warn("sip: call %lld: agent %lld not set %s (%s)", (long long)c->id,
			 (long long)person_id, acd_status_name(to), err_name(rc));
}

/* -- SDP -- */

/* Kefu's SDP toward an agent's phone: the offer lists both laws and
 * telephone-event; once the phone chose (pt >= 0) only its choice. */
static int sdp_agent(struct agent_leg *a, enum sip_sdp_dir dir, struct mbuf **out)
{
	return call_leg_sdp(&a->leg, a->call->id, a->answered ? 2u : 1u, 0, dir, out);
}

/* -- relay -- */

/* The stream's clock at now_us: where its timestamps stand by the packet
 * sent furthest ahead of its time (see struct leg). */
static uint32_t leg_clock(const struct leg *l, int64_t now_us)
{
	return l->clock_ts + (uint32_t)((now_us - l->clock_us) * MEDIA_RATE / 1000000);
}

/* Where kefu's timeline for the leg is now: the stream's clock, and at
 * least the last packet's timestamp plus its own length; the leg's first
 * timestamp when nothing was sent yet. */
static uint32_t leg_ts_now(const struct leg *l, int64_t now_us)
{
	uint32_t clk, next;

	if (!l->any_sent)
		return l->ts;
	clk = leg_clock(l, now_us);
	next = l->last_ts + l->last_n;
	return (int32_t)(clk - next) > 0 ? clk : next;
}

void call_leg_sent(struct leg *l, uint32_t ts, size_t n, int64_t now_us)
{
	if (!l->any_sent || (int32_t)(ts - leg_clock(l, now_us)) > 0) {
		l->clock_ts = ts;
		l->clock_us = now_us;
	}
	l->last_ts = ts;
	l->last_n = (uint32_t)n;
	l->any_sent = 1;
}

void call_leg_forward(struct leg *to, enum media_codec from, const struct media_rtp_hdr *h,
		      const uint8_t *payload, size_t n)
{
	uint8_t pkt[MEDIA_RTP_HDR_MIN + PAYLOAD_MAX];
	struct media_rtp_hdr o;
	static struct mbuf *mb;
	int64_t now = call_mono_us();
	uint32_t expect = leg_ts_now(to, now);
	int32_t off;
	int len;

	if (!to->rtp || n == 0 || n > PAYLOAD_MAX || to->pt < 0 || to->quiet)
		return;
	memset(&o, 0, sizeof(o));
	/* A sender whose timestamps jump (a phone that restarts its clock
	 * after its own hold) would move kefu's stream by as much: a jump of
	 * more than TS_JUMP_MS from where the time since the last packet puts
	 * it starts a new mapping, as a new stream does. Jitter moves packets
	 * by far less. */
	off = (int32_t)(h->ts + to->map_off - expect);
	if (!to->mapped || h->ssrc != to->map_ssrc || off > TS_JUMP || off < -TS_JUMP) {
		/* A new stream: continue kefu's timeline where it is now, as a new talkspurt. */
		to->map_off = expect - h->ts;
		to->map_ssrc = h->ssrc;
		to->mapped = 1;
		o.marker = 1;
	}
	o.version = 2;
	o.marker |= h->marker;
	o.pt = (unsigned)to->pt;
	o.seq = to->seq++;
	o.ts = h->ts + to->map_off;
	o.ssrc = to->ssrc;
	len = media_rtp_build(&o, pkt, sizeof(pkt));
	if (len < 0)
		return;
	if (from == to->codec)
		memcpy(pkt + len, payload, n);
	else
		media_g711_transcode(from, to->codec, payload, n, pkt + len);
	if (!mb)
		mb = mbuf_alloc(sizeof(pkt));
	if (!mb)
		return;
	mbuf_rewind(mb);
	(void)mbuf_write_mem(mb, pkt, (size_t)len + n);
	mb->pos = 0;
	if (udp_send(to->rtp, &to->raddr, mb) == 0)
		to->sent++;
	/* Reordered packets keep their place in time but never pull the
	 * leg's timeline back. */
	if (!to->any_sent || (int32_t)(o.ts + (uint32_t)n - (to->last_ts + to->last_n)) > 0)
		call_leg_sent(to, o.ts, n, now);
}

/* Voice activity of the caller while connected (CALL-6). */
static void caller_voice(struct call *c, const int16_t *pcm, size_t n)
{
	while (n) {
		size_t take = MEDIA_FRAME - c->vad_fill;

		if (take > n)
			take = n;
		memcpy(c->vad_buf + c->vad_fill, pcm, take * sizeof(*pcm));
		c->vad_fill += take;
		pcm += take;
		n -= take;
		if (c->vad_fill == MEDIA_FRAME) {
			if (media_vad_frame(&c->vad, c->vad_buf, 1))
				c->caller_voice_ms += CALL_PTIME_MS;
			c->vad_fill = 0;
		}
	}
}

void call_bridge_caller_audio(struct call *c, const struct media_rtp_hdr *h, const uint8_t *payload,
			      size_t n)
{
	int16_t pcm[PAYLOAD_MAX];

	if (c->phase != PH_CONNECTED || !c->agent || n > PAYLOAD_MAX)
		return;
	media_g711_decode(c->leg.codec, payload, n, pcm);
	caller_voice(c, pcm, n);
	if (c->listener)
		call_listen_feed(c, 0, pcm, n);
	/* What the caller says is recorded also while the agent holds (the
	 * analysis leaves holds out); while the caller's own phone holds the
	 * call it sends its music, not the caller's words. */
	if (!c->caller_held)
		rec_push(c->rec, 0, pcm, n, call_mono_us());
	if (!c->agent->held)
		call_leg_forward(&c->agent->leg, c->leg.codec, h, payload, n);
}

static void agent_rtp(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct agent_leg *a = arg;
	struct call *c = a->call;
	struct media_rtp_hdr h;
	int16_t pcm[PAYLOAD_MAX];
	int64_t now = call_mono_us();

	if (!a->answered || c->agent != a || c->phase != PH_CONNECTED)
		return;
	if (!call_leg_from(&a->leg, src))
		return;
	if (media_rtp_parse(mbuf_buf(mb), mbuf_get_left(mb), &h) < 0)
		return;
	(void)call_leg_latch(&a->leg, src, h.pt); /* symmetric RTP (call.c) */
	(void)media_rtp_rx_update(&a->leg.rx, &h, now);
	if ((int)h.pt != a->leg.pt || a->held || h.payload_len > PAYLOAD_MAX)
		return;
	media_g711_decode(a->leg.codec, mbuf_buf(mb) + h.hdr_len, h.payload_len, pcm);
	if (c->listener)
		call_listen_feed(c, 1, pcm, h.payload_len);
	rec_push(c->rec, 1, pcm, h.payload_len, now);
	call_leg_forward(&c->leg, a->leg.codec, &h, mbuf_buf(mb) + h.hdr_len, h.payload_len);
}

/* -- legs -- */

static void agent_destroy(void *arg)
{
	struct agent_leg *a = arg;

	tmr_cancel(&a->ring);
	tmr_cancel(&a->later);
	list_unlink(&a->le);
	/* An unanswered INVITE is cancelled, an answered one gets a BYE. */
	mem_deref(a->sess);
	mem_deref(a->leg.rtp);
	mem_deref(a->sdp);
}

static void free_later(void *arg)
{
	mem_deref(arg);
}

void call_bridge_agent_free(struct agent_leg *a)
{
	mem_deref(a);
}

/* An offer that ended unanswered; a is freed. */
static void offer_end(struct agent_leg *a, const char *why, int unanswered)
{
	struct call *c = a->call;
	int *count = noanswer_of(a->person_id);
	enum acd_status to = ACD_READY;
	const char *reason = NULL;
	struct audit_detail detail;

	list_unlink(&a->le);
	tmr_cancel(&a->ring);
	if (c->phase == PH_OUT_AGENT) {
		/* The agent's own call out: their phone's silence is no queue's
		 * business (no count toward busy); the seat goes back to ready
		 * only if kefu had set it ringing. */
		if (a->rang)
			agent_status(c, a->person_id, ACD_READY, NULL);
		audit_detail_init(&detail);
		audit_detail_int(&detail, "agent_id", a->person_id);
		audit_detail_str(&detail, "work_no", a->work_no);
		audit_detail_str(&detail, "reason", why);
		call_log(c, unanswered ? "no_answer" : "offer_cancelled", &detail);
		mem_deref(a);
		if (unanswered)
			call_out_agent_missed(c, why);
		return;
	}
	if (unanswered) {
		if (++*count >= c->srv->cfg->no_answer_max) {
			to = ACD_BUSY;
			reason = "no_answer";
			*count = 0;
		}
		if (c->ntried < CALL_TRIED_MAX)
			c->tried[c->ntried++] = a->person_id;
	}
	agent_status(c, a->person_id, to, reason);
	audit_detail_init(&detail);
	audit_detail_int(&detail, "agent_id", a->person_id);
	audit_detail_str(&detail, "work_no", a->work_no);
	audit_detail_str(&detail, "reason", why);
	audit_detail_str(&detail, "agent_now", acd_status_name(to));
	call_log(c, unanswered ? "no_answer" : "offer_cancelled", &detail);
	mem_deref(a);
	call_queue_offer_ended(c);
}

static void ring_timeout(void *arg)
{
	offer_end(arg, "ring_timeout", 1);
}

void call_bridge_cancel_offers(struct call *c, const char *why)
{
	struct le *le = list_head(&c->offers);

	while (le) {
		struct agent_leg *a = le->data;

		le = le->next;
		offer_end(a, why, 0);
	}
}

/* The recording's analysis leaves out the time either phone held the
 * call: it is told when the first hold begins and when the last ends. */
static void call_rec_hold_sync(struct call *c)
{
	int on = c->caller_held || (c->agent && c->agent->held);

	if (on == c->rec_held)
		return;
	c->rec_held = on;
	rec_hold(c->rec, on, call_mono_us());
}

/* A hold of either phone ended: its place and length go to the metrics (CALL-4). */
static void hold_measure(struct call *c, uint64_t since, const char *by)
{
	int64_t len = (int64_t)(tmr_jiffies() - since);
	struct audit_detail detail;

	if (c->nholds < CALL_HOLDS_MAX) {
		c->holds[c->nholds].start_ms = (int64_t)(since - c->connected);
		c->holds[c->nholds].len_ms = len;
		c->holds[c->nholds].by = by;
	}
	c->nholds++;
	c->hold_total_ms += len;
	call_rec_hold_sync(c);
	audit_detail_init(&detail);
	audit_detail_int(&detail, "hold_ms", len);
	audit_detail_str(&detail, "by", by);
	call_log(c, "resume", &detail);
}

static void hold_end(struct call *c, struct agent_leg *a)
{
	if (!a->held)
		return;
	a->held = 0;
	c->leg.mapped = 0;
	a->leg.mapped = 0;
	hold_measure(c, a->held_since, "agent");
}

/* The caller's phone took the call back, or the conversation ended. */
static void caller_hold_end(struct call *c)
{
	if (!c->caller_held)
		return;
	c->caller_held = 0;
	c->leg.mapped = 0;
	hold_measure(c, c->caller_held_since, "caller");
}

void call_bridge_caller_hold(struct call *c, enum sip_sdp_dir dir)
{
	int hold = dir == SIP_SDP_SENDONLY || dir == SIP_SDP_INACTIVE;
	struct audit_detail detail;

	if (c->phase != PH_CONNECTED || !c->agent || hold == c->caller_held)
		return;
	if (!hold) {
		caller_hold_end(c);
		return;
	}
	c->caller_held = 1;
	c->caller_held_since = tmr_jiffies();
	call_rec_hold_sync(c);
	audit_detail_init(&detail);
	audit_detail_str(&detail, "direction", sip_sdp_dir_name(dir));
	audit_detail_str(&detail, "by", "caller");
	call_log(c, "hold", &detail);
}

/* Detaches the connected agent (who goes to wrap-up); the leg is the caller's to free. */
static struct agent_leg *agent_detach(struct call *c, const char *who)
{
	struct agent_leg *a = c->agent;

	if (!a)
		return NULL;
	call_listen_end(c);
	hold_end(c, a);
	caller_hold_end(c);
	c->agent = NULL;
	if (!c->hangup_first && who)
		c->hangup_first = who;
	agent_status(c, a->person_id, ACD_WRAP_UP, NULL);
	c->disconnected = tmr_jiffies();
	return a;
}

/* Ends the connected agent's leg: kefu sends the BYE (or has had one). */
static void agent_leave(struct call *c, const char *who)
{
	mem_deref(agent_detach(c, who));
}

void call_bridge_hangup_agent(struct call *c)
{
	agent_leave(c, c->phase == PH_CONNECTED ? "caller" : "kefu");
}

/* -- the agent's phone -- */

static int agent_answer(const struct sip_msg *msg, void *arg)
{
	struct agent_leg *a = arg;
	struct sip_sdp sdp;
	struct sa media;

	if (!mbuf_get_left(msg->mb) ||
	    sip_sdp_parse((const char *)mbuf_buf(msg->mb), mbuf_get_left(msg->mb), &sdp) < 0 ||
	    sdp.pref_pt < 0 || sa_set_str(&media, sdp.addr, (uint16_t)sdp.port) != 0)
		return EPROTO;
	/* Media to where the phone's answer came from, not to whatever its SDP names. */
	call_leg_remote(a->call->srv, &a->leg, &media, &msg->src);
	a->leg.codec = sdp.pref_pt == sdp.pcma_pt ? MEDIA_PCMA : MEDIA_PCMU;
	a->leg.pt = sdp.pref_pt;
	media_rtp_rx_init(&a->leg.rx, MEDIA_RATE, 60, sdp.event_pt);
	return 0;
}

/* A frame of silence on both channels now: the recording spans the whole
 * conversation, from the answer to the hang-up, even where nobody sent
 * anything (the quiet before a hang-up is what CALL-5 is about). */
static void call_rec_mark(struct call *c)
{
	static const int16_t quiet[MEDIA_FRAME];
	int64_t now = call_mono_us();

	rec_push(c->rec, 0, quiet, MEDIA_FRAME, now);
	rec_push(c->rec, 1, quiet, MEDIA_FRAME, now);
}

void call_bridge_rec_end(struct call *c)
{
	if (!c->rec)
		return;
	call_rec_mark(c);
	rec_end(c->rec); /* the writer finishes, fsyncs and links it */
	c->rec = NULL;
	c->rec_held = 0;
}

/* The recording's end, on rec's writer thread (see call.h). */
int call_rec_link(struct store *s, const struct rec_result *res, int64_t now)
{
	int rc = 0;

	if (!res->failed)
		rc = call_set_recording(s, res->call_id, res->file, res->ms);
	if (rc == 0 && !res->failed)
		rc = call_merge_metrics(s, res->call_id, res->metrics);
	if (rc == 0)
		rc = call_event_add(s, res->call_id, now,
				    res->failed ? "recording_failed" : "recorded", res->detail);
	return rc;
}

static int connect_contact(struct store *s, struct call *c, struct agent_leg *a, int64_t now)
{
	struct cust_contact *ct = calloc(1, sizeof(*ct));
	struct err_info ei;
	int rc;

	if (!ct)
		return ERR_NOMEM;
	memset(&ei, 0, sizeof(ei));
	snprintf(ct->channel, sizeof(ct->channel), "phone");
	snprintf(ct->direction, sizeof(ct->direction), c->out ? "out" : "in");
	if (cust_phone_normalize(c->caller, ct->phone, sizeof(ct->phone)) < 0)
		ct->phone[0] = 0;
	ct->customer_id = c->out_customer_id;
	ct->agent_id = a->person_id;
	ct->started_at = now;
	rc = cust_contact_insert(s, ct, now, &ei);
	if (rc == 0) {
		c->contact_id = ct->id;
		rc = call_set_contact(s, c->id, ct->id);
	}
	free(ct);
	return rc;
}

/*
 * What every connection writes, an agent answering an offer or a customer
 * answering a call out: the recording from now on, and in one transaction
 * the agent talking, the call connected, its outcome, the contact
 * (CALL-10) and, when the customer of a call out answered (out_answer; not
 * when a transferred call out reaches a colleague), the call answered (it
 * was dialled, not answered by kefu) and the attempt talking; then the
 * "connected" event with how long the answering phone rang (ring_ms).
 */
static void connected(struct call *c, struct agent_leg *a, int64_t ring_ms, int out_answer)
{
	struct audit_detail detail;
	int64_t now = clock_now_ms();
	struct store *s;
	int rc;

	if (!c->rec) {
		c->rec = rec_begin(c->id, now); /* NULL: recording is off */
		if (c->rec)
			call_rec_mark(c);
	}
	c->leg.mapped = 0;
	s = store_pool_get(c->srv->pool);
	rc = store_begin(s);
	if (rc == 0) {
		rc = acd_set_system(s, a->person_id, ACD_TALKING, NULL, 0, now);
		if (rc == ACD_UNCHANGED)
			rc = 0;
	}
	if (rc == 0 && out_answer)
		rc = call_set_answered(s, c->id, now);
	if (rc == 0)
		rc = call_set_connected(s, c->id, a->person_id, now);
	if (rc == 0)
		rc = call_set_outcome(s, c->id, "answered");
	if (rc == 0)
		rc = connect_contact(s, c, a, now);
	if (rc == 0 && out_answer)
		rc = call_out_set_state(s, c->out_id, "talking", now);
	if (rc == 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	store_pool_put(c->srv->pool, s);
	if (rc < 0)
		log_error("sip: call %lld: cannot record the connection (%s)", (long long)c->id,
			  err_name(rc));
	audit_detail_init(&detail);
	audit_detail_int(&detail, "agent_id", a->person_id);
	audit_detail_str(&detail, "work_no", a->work_no);
	audit_detail_int(&detail, "ring_ms", ring_ms);
	audit_detail_str(&detail, "codec",
			 (out_answer ? c->leg.codec : a->leg.codec) == MEDIA_PCMA ? "PCMA"
										  : "PCMU");
	audit_detail_int(&detail, "contact_id", c->contact_id);
	call_log(c, "connected", &detail);
	log_info("sip: call %lld connected to %s", (long long)c->id, a->work_no);
}

static void agent_estab(const struct sip_msg *msg, void *arg)
{
	struct agent_leg *a = arg;
	struct call *c = a->call;
	struct audit_detail detail;
	int64_t ring;

	(void)msg;
	list_unlink(&a->le);
	tmr_cancel(&a->ring);
	a->answered = 1;
	if (c->phase == PH_OUT_AGENT && !c->agent) {
		/* A call out: the agent is on the line, now the customer is called. */
		c->agent = a;
		call_log_int(c, "agent_answered", "agent_id", a->person_id);
		call_out_agent_answered(c);
		return;
	}
	if (c->agent || (c->phase != PH_QUEUED && c->phase != PH_CALLBACK)) {
		/* Too late: someone else answered, or the caller is gone. */
		agent_status(c, a->person_id, ACD_READY, NULL);
		audit_detail_init(&detail);
		audit_detail_int(&detail, "agent_id", a->person_id);
		audit_detail_str(&detail, "work_no", a->work_no);
		audit_detail_str(&detail, "reason", "answered_too_late");
		call_log(c, "offer_cancelled", &detail);
		tmr_start(&a->later, 0, free_later, a);
		return;
	}
	c->agent = a;
	*noanswer_of(a->person_id) = 0;
	call_bridge_cancel_offers(c, "answered_elsewhere");
	call_queue_leave(c);
	tmr_cancel(&c->prompt_tmr);
	c->phase = PH_CONNECTED;
	c->cb_stage = 0;
	ring = (int64_t)(tmr_jiffies() - a->offered);
	if (!c->connected) {
		c->connected = tmr_jiffies();
		/* CALL-2 is about the first answer, and the caller waited for it
		 * from the first offer on, however many phones rang meanwhile. */
		c->ring_ms = call_clock_ms() - c->first_offer;
	}
	call_play(c, NULL, 0, 0);
	connected(c, a, ring, 0);
}

/*
 * The customer answered a call out (call_out.c): the same connection as an
 * agent's answer to an offer, the other way round — the agent is on the
 * line already, kefu records from now, the contact is an outbound one.
 */
void call_bridge_connect_out(struct call *c, int64_t ring_ms)
{
	c->phase = PH_CONNECTED;
	c->connected = tmr_jiffies();
	/* CALL-2 counts the rings a caller waits for the center; here the agent
	 * was on the line first, so none (the customer's own ringing is in the
	 * "connected" event, and is no quality rule's business). */
	c->ring_ms = 0;
	c->noffers = 1;
	c->agent->leg.mapped = 0;
	connected(c, c->agent, ring_ms, 1);
}

/* A re-INVITE from the agent's phone: hold (sendonly, inactive) or resume. */
static int agent_offer(struct mbuf **descp, const struct sip_msg *msg, void *arg)
{
	struct agent_leg *a = arg;
	struct call *c = a->call;
	struct sip_sdp sdp;
	struct sa media;
	struct audit_detail detail;
	enum sip_sdp_dir reply;
	int hold;

	if (!mbuf_get_left(msg->mb) ||
	    sip_sdp_parse((const char *)mbuf_buf(msg->mb), mbuf_get_left(msg->mb), &sdp) < 0)
		return EPROTO;
	hold = sdp.dir == SIP_SDP_SENDONLY || sdp.dir == SIP_SDP_INACTIVE;
	reply = sip_sdp_answer_dir(sdp.dir);
	if (strcmp(sdp.addr, "0.0.0.0") != 0 &&
	    sa_set_str(&media, sdp.addr, (uint16_t)sdp.port) == 0)
		call_leg_remote(c->srv, &a->leg, &media, &a->leg.sig);
	if (c->agent == a && c->phase == PH_CONNECTED) {
		if (hold && !a->held) {
			a->held = 1;
			a->held_since = tmr_jiffies();
			c->leg.mapped = 0;
			call_rec_hold_sync(c);
			audit_detail_init(&detail);
			audit_detail_str(&detail, "direction", sip_sdp_dir_name(sdp.dir));
			audit_detail_str(&detail, "by", "agent");
			call_log(c, "hold", &detail);
			call_play(c, NULL, 0, 1); /* music while the agent looks things up */
		} else if (!hold && a->held) {
			hold_end(c, a);
			call_play(c, NULL, 0, 0);
		}
	}
	a->sdp = mem_deref(a->sdp);
	if (sdp_agent(a, reply, &a->sdp))
		return ENOMEM;
	*descp = mem_ref(a->sdp);
	return 0;
}

static void call_refer_notify(struct agent_leg *a)
{
	struct sip_request *req = NULL;

	/* RFC 3515: the transfer's result; the phone may then hang up itself. */
	if (sip_drequestf(&req, a->call->srv->sip, true, "NOTIFY", sipsess_dialog(a->sess), 0, NULL,
			  NULL, NULL, NULL,
			  "Event: refer\r\n"
			  "Subscription-State: terminated;reason=noresource\r\n"
			  "Content-Type: message/sipfrag\r\n"
			  "Content-Length: 16\r\n\r\nSIP/2.0 200 OK\r\n") == 0)
		mem_deref(req);
}

/* A blind transfer (REFER) from the connected agent's phone. */
static void agent_refer(struct sip *sip, const struct sip_msg *msg, void *arg)
{
	struct agent_leg *a = arg;
	struct call *c = a->call;
	const struct sip_hdr *hdr = sip_msg_hdr(msg, SIP_HDR_REFER_TO);
	struct sip_addr to;
	struct call_queue q;
	struct sip_account acc;
	char target[33];
	struct store *s;
	struct audit_detail detail;
	int is_queue = 0, is_person = 0;

	if (c->agent != a || c->phase != PH_CONNECTED) {
		(void)sip_reply(sip, msg, 481, "Call Does Not Exist");
		return;
	}
	if (!hdr || sip_addr_decode(&to, &hdr->val) != 0 || !to.uri.user.l) {
		(void)sip_reply(sip, msg, 400, "Bad Refer-To");
		return;
	}
	sip_log_safe(to.uri.user.p, to.uri.user.l, target, sizeof(target));
	s = store_pool_get(c->srv->pool);
	is_queue = call_queue_get(s, target, &q) == 0;
	if (!is_queue)
		is_person = sip_account_get(s, target, &acc) == 0 &&
			    sip_may_register(acc.roles, acc.active) &&
			    acc.person_id != a->person_id;
	store_pool_put(c->srv->pool, s);
	if (!is_queue && !is_person) {
		(void)sip_reply(sip, msg, 404, "Not Found");
		return;
	}
	(void)sip_reply(sip, msg, 202, "Accepted");
	call_refer_notify(a);
	audit_detail_init(&detail);
	audit_detail_int(&detail, "from_agent_id", a->person_id);
	audit_detail_str(&detail, "from_work_no", a->work_no);
	audit_detail_str(&detail, "to", target);
	audit_detail_str(&detail, "kind", is_queue ? "queue" : "agent");
	call_log(c, "transferred", &detail);
	c->transfers++;
	(void)agent_detach(c, NULL);
	/* The transferring agent's leg ends (BYE) after this handler returns. */
	tmr_start(&a->later, 0, free_later, a);
	c->phase = PH_QUEUED;
	call_queue_enter(c, is_queue ? q.code : "agent", is_person ? acc.person_id : 0);
}

static void agent_close(int err, const struct sip_msg *msg, void *arg)
{
	struct agent_leg *a = arg;
	struct call *c = a->call;

	if (!a->answered) {
		const char *why = "error";

		if (msg && msg->scode >= 300)
			why = msg->scode == 486	  ? "busy"
			      : msg->scode == 603 ? "declined"
						  : "refused";
		else if (err == ETIMEDOUT)
			why = "sip_timeout";
		offer_end(a, why, 1);
		return;
	}
	if (c->agent != a) {
		mem_deref(a);
		return;
	}
	/* The agent hung up: the caller rates the call (CALL-3); a call out
	 * has no survey (the customer did not call the hotline) and ends. */
	call_log_int(c, "agent_hangup", "agent_id", a->person_id);
	agent_leave(c, "agent");
	call_bridge_rec_end(c); /* the survey is not part of the conversation */
	if (c->out) {
		if (!c->connected && !c->out_result)
			c->out_result = "cancelled"; /* before the customer answered */
		call_end_later(c, "agent_hangup");
	} else if (c->phase == PH_CONNECTED)
		call_survey_start(c);
}

/* The leg is in c->offers, ringing for ring_timeout_sec, until answered,
 * refused or cancelled; *out is the call's (freed with it). */
int call_bridge_ring(struct call *c, const struct call_ring *r, struct agent_leg **out)
{
	char from_uri[160], ip[SIP_ADDRESS_MAX];
	struct agent_leg *a = mem_zalloc(sizeof(*a), agent_destroy);
	int rc;

	*out = NULL;
	if (!a)
		return ERR_NOMEM;
	a->call = c;
	a->person_id = r->person_id;
	snprintf(a->work_no, sizeof(a->work_no), "%s", r->work_no);
	snprintf(a->name, sizeof(a->name), "%s", r->name);
	a->leg.pt = -1;
	a->leg.event_pt = -1;
	tmr_init(&a->ring);
	tmr_init(&a->later);
	randombytes_buf(&a->leg.ssrc, sizeof(a->leg.ssrc));
	randombytes_buf(&a->leg.seq, sizeof(a->leg.seq));
	randombytes_buf(&a->leg.ts, sizeof(a->leg.ts));
	rc = call_rtp_open(c->srv, &c->leg.local, &a->leg.rtp, &a->leg.local, agent_rtp, a);
	if (rc == 0)
		rc = sdp_agent(a, SIP_SDP_SENDRECV, &a->sdp);
	sip_server_source(&a->leg.local, ip);
	snprintf(from_uri, sizeof(from_uri), "sip:%s@%s", r->from_user, ip);
	if (rc == 0)
		rc = sipsess_connect(&a->sess, call_sock, r->contact, r->display, from_uri,
				     c->srv->cfg->hotline, NULL, 0, "application/sdp", a->sdp, NULL,
				     NULL, false, agent_offer, agent_answer, NULL, agent_estab,
				     NULL, agent_refer, agent_close, a,
				     "Allow: INVITE, ACK, BYE, CANCEL, INFO, OPTIONS, REFER, "
				     "NOTIFY\r\n");
	if (rc) {
		log_error("sip: call %lld: cannot ring %s at %s (%s)", (long long)c->id, r->work_no,
			  r->contact, strerror(rc));
		mem_deref(a);
		return ERR_IO;
	}
	a->offered = tmr_jiffies();
	list_append(&c->offers, &a->le, a);
	tmr_start(&a->ring, (uint64_t)c->srv->cfg->ring_timeout_sec * 1000, ring_timeout, a);
	*out = a;
	return 0;
}

int call_bridge_offer(struct call *c, const struct call_candidate *k)
{
	struct store *s = store_pool_get(c->srv->pool);
	char masked[40], text[NOTIFY_TEXT_SIZE], phone[40];
	struct call_ring ring;
	struct customer *cust = NULL;
	int64_t now = clock_now_ms(), cust_id = 0;
	struct agent_leg *a = NULL;
	struct audit_detail detail;
	int rc = store_begin(s);

	/* Who is calling, for the screen-pop. */
	mask_phone(c->caller, masked, sizeof(masked));
	if (rc == 0 && cust_phone_normalize(c->caller, phone, sizeof(phone)) == 0 &&
	    cust_phone_owner(s, phone, &cust_id) == 0) {
		cust = calloc(1, sizeof(*cust));
		if (cust && cust_get(s, cust_id, cust) < 0)
			cust->name[0] = 0;
	}
	snprintf(text, sizeof(text), "来电 %s%s%s%s · %s", masked,
		 cust && cust->name[0] ? "（" : "", cust ? cust->name : "",
		 cust && cust->name[0] ? "）" : "", c->q.name);
	free(cust);
	if (rc == 0) {
		rc = acd_set_system(s, k->person_id, ACD_RINGING, NULL, 0, now);
		if (rc == ACD_UNCHANGED)
			rc = ERR_CONFLICT;
	}
	if (rc == 0)
		rc = call_set_agent(s, c->id, k->person_id);
	if (rc == 0)
		rc = call_set_offer(s, k->person_id, c->id);
	if (rc == 0)
		rc = notify_send(s, k->person_id, "call.offer", 0, text, now);
	if (rc == 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	store_pool_put(c->srv->pool, s);
	if (rc < 0)
		return rc; /* not ready any more: the next one */
	notify_wake();
	ring.person_id = k->person_id;
	ring.work_no = k->work_no;
	ring.name = k->name;
	ring.contact = k->contact;
	ring.from_user = c->caller[0] ? c->caller : "anonymous";
	ring.display = c->caller;
	rc = call_bridge_ring(c, &ring, &a);
	if (rc < 0)
		goto fail;
	if (!c->connected && c->noffers++ == 0)
		c->first_offer = call_clock_ms();
	audit_detail_init(&detail);
	audit_detail_int(&detail, "agent_id", k->person_id);
	audit_detail_str(&detail, "work_no", k->work_no);
	audit_detail_str(&detail, "queue", c->q.code);
	audit_detail_int(&detail, "customer_id", cust_id);
	call_log(c, "offered", &detail);
	return 0;
fail:
	agent_status(c, k->person_id, ACD_READY, NULL);
	return rc;
}

/* -- compliance metrics -- */

void call_bridge_metrics(struct call *c)
{
	json_t *m, *holds;
	struct store *s;
	char *text;
	int64_t talk_ms, over15 = 0, agent_hold_ms = 0;
	int silent, class_f = 0, rc;

	if (!c->connected)
		return;
	if (!c->disconnected)
		c->disconnected = tmr_jiffies();
	talk_ms = (int64_t)(c->disconnected - c->connected);
	holds = json_array();
	for (int i = 0; i < c->nholds && i < CALL_HOLDS_MAX; i++) {
		const struct hold *h = &c->holds[i];

		/* CALL-4 is the agent's duty: a caller's own hold is listed and
		 * counted, but it is not the agent's to keep short. */
		if (!strcmp(h->by, "agent")) {
			if (h->len_ms > CALL4_HOLD_MS)
				over15++;
			agent_hold_ms += h->len_ms;
		}
		json_array_append_new(holds, json_pack("{s:I, s:I, s:s}", "start_ms",
						       (json_int_t)h->start_ms, "len_ms",
						       (json_int_t)h->len_ms, "by", h->by));
	}
	silent = c->caller_voice_ms < CALL6_VOICE_MS;
	s = store_pool_get(c->srv->pool);
	if (c->contact_id) {
		struct cust_contact *ct = calloc(1, sizeof(*ct));

		if (ct && cust_contact_get(s, c->contact_id, ct) == 0)
			class_f = strcmp(ct->cls, "F") == 0;
		free(ct);
	}
	m = json_pack("{s:I, s:i, s:i, s:b, s:I, s:o, s:i, s:I, s:I, s:b, s:s, s:b, s:I, s:b, s:o, "
		      "s:b}",
		      "ring_ms", (json_int_t)c->ring_ms, "rings",
		      (int)((c->ring_ms + RING_CYCLE_MS - 1) / RING_CYCLE_MS), "offers", c->noffers,
		      "call2_ok", c->ring_ms <= (int64_t)CALL2_MAX_RINGS * RING_CYCLE_MS, "talk_ms",
		      (json_int_t)talk_ms, "holds", holds, "hold_count", c->nholds, "hold_total_ms",
		      (json_int_t)c->hold_total_ms, "holds_over_15s", (json_int_t)over15,
		      "hold_over_2min", agent_hold_ms > CALL4_TOTAL_MS, "hangup_first",
		      c->hangup_first ? c->hangup_first : "kefu", "agent_hung_up_first",
		      c->hangup_first && !strcmp(c->hangup_first, "agent"), "caller_voice_ms",
		      (json_int_t)c->caller_voice_ms, "silent_call", silent, "call6_ok",
		      silent ? json_boolean(talk_ms <= CALL6_MAX_MS) : json_null(),
		      "class_f_over_10min", class_f && talk_ms > CALL7_MAX_MS);
	text = m ? json_dumps(m, JSON_COMPACT) : NULL;
	rc = text ? store_begin(s) : ERR_NOMEM;
	if (rc == 0)
		rc = call_merge_metrics(s, c->id, text);
	if (rc == 0 && c->hangup_first)
		rc = call_set_hangup_first(s, c->id, c->hangup_first);
	/* The conversation's end on the wall clock: now, less the time since. */
	if (rc == 0 && c->contact_id)
		rc = call_set_contact_ended(s, c->contact_id,
					    clock_now_ms() -
						    (int64_t)(tmr_jiffies() - c->disconnected));
	if (rc == 0)
		rc = store_commit(s);
	else if (text)
		store_rollback(s);
	store_pool_put(c->srv->pool, s);
	if (rc < 0)
		log_error("sip: call %lld: cannot store its metrics (%s)", (long long)c->id,
			  err_name(rc));
	free(text);
	json_decref(m);
}
