/*
 * Internal to the call engine (call.c, call_queue.c, call_bridge.c,
 * call_listen.c): one hotline call and the legs it has. Everything here
 * lives on the SIP thread (see call.h); nothing is locked.
 *
 * A call is the caller's SIP session and its RTP leg, plus what it is
 * doing (the phase):
 *
 *   ivr        the menu (CALL-1), prompts from kefu (call.c)
 *   queued     waiting in a queue with music and announcements, while
 *              agents' phones may be ringing (call_queue.c)
 *   callback   after the maximum wait: the caller is asked whether to
 *              leave a number, and types it (call_queue.c)
 *   connected  bridged to an agent's phone: RTP relayed both ways and
 *              recorded; on hold the caller hears music (call_bridge.c)
 *   survey     the agent hung up: the caller rates the call (CALL-3)
 *   done       kefu is hanging up
 *
 * An agent leg (struct agent_leg) is one INVITE kefu sent to an agent's
 * registered phone: ringing until answered, given up or refused; the
 * answered one becomes call->agent. A call owns its legs: ending the call
 * ends them.
 */
#ifndef KEFU_CALL_CALL_INT_H
#define KEFU_CALL_CALL_INT_H

#include "acd/acd.h"
#include "audit/audit.h"
#include "call/call.h"
#include "ivr/ivr.h"
#include "media/media.h"
#include "rec/rec.h"
#include "sip/sip_server.h"

#include <re_sipsess.h>

#define CALL_PTIME_MS 20 /* the packets kefu sends: 20 ms of audio each */
#define CALL_PLAYLIST_MAX 12
#define CALL_TRIED_MAX 16
#define CALL_HOLDS_MAX 32
#define CALL_DIGITS_MAX 20

struct prompt {
	const char *key;
	int16_t *pcm;
	size_t n;
};

/* The emergency announcement's audio (sip.h), decoded once per version of
 * the active notice and shared by its calls: a libre object, so a call
 * that still plays an older version keeps it until the call ends. */
struct notice_audio {
	struct prompt p;
	int64_t id, version;
};

/*
 * One RTP stream between kefu and a party. Media goes to raddr, which is
 * never an address the party merely named (issue 11, RTP reflection):
 * see call_leg_remote() and call_leg_latch() in call.c.
 */
struct leg {
	struct udp_sock *rtp;
	struct sa raddr; /* where kefu sends */
	struct sa local;
	struct sa sdp; /* where the party's SDP says it receives */
	struct sa sig; /* where its signalling came from (only the address counts) */
	int trunk;     /* sig is one of sip_trunks: its SDP is followed as it is */
	int latched;   /* raddr is where the party's own RTP comes from */
	enum media_codec codec;
	int pt, event_pt;
	uint16_t seq;
	uint32_t ts, ssrc;
	struct media_rtp_rx rx; /* what the party sends: loss and jitter */
	uint64_t sent;
	/* Relayed packets keep their timing: out ts = in ts + map_off, set
	 * anew for each incoming stream (SSRC), after a hold and when the
	 * sender's timestamps jump, so the sequence stays smooth. */
	uint32_t map_ssrc, map_off;
	int mapped;
	/* kefu owns what it sends on the leg (RFC 3550 section 5.1): one SSRC,
	 * its sequence and its timestamps, whoever's audio it carries. The
	 * next stream continues where the stream's clock stands (and never
	 * before the end of the last packet sent, its timestamp and samples),
	 * so nothing ever goes back across hold, resume, transfer or re-offer,
	 * and the time that passed is counted.
	 * clock_ts at clock_us is the packet sent furthest ahead of its time:
	 * the stream's clock. A packet that went late (kefu's thread starved
	 * for a moment) says nothing about the clock, so the next stream
	 * continues from the clock, not from the late packet, and never lags
	 * by that delay for the rest of the call. */
	uint32_t last_ts, last_n, clock_ts;
	int64_t clock_us;
	int any_sent;
	/* The party asked for no media from kefu (its hold: kefu answered
	 * recvonly or inactive, RFC 3264 section 6.1): nothing is sent. */
	int quiet;
};

enum call_phase { PH_IVR, PH_QUEUED, PH_CALLBACK, PH_CONNECTED, PH_SURVEY, PH_DONE };

struct call;
struct listener;

struct agent_leg {
	struct le le; /* in call->offers while ringing */
	struct call *call;
	struct sipsess *sess;
	struct leg leg;
	struct mbuf *sdp; /* kefu's offer, and its answer to re-INVITEs */
	int64_t person_id;
	char work_no[33];
	char name[64];
	uint64_t offered; /* jiffies */
	int answered;
	int held;
	uint64_t held_since; /* jiffies */
	struct tmr ring;
	struct tmr later; /* ends the leg outside libre's callbacks */
	const char *why;  /* why the offer ended, for the log */
};

struct hold {
	int64_t start_ms; /* from the connection */
	int64_t len_ms;
	const char *by; /* "agent" or "caller": whose phone held the call */
};

struct call {
	struct le le;  /* in the list of calls */
	struct le wle; /* in the waiting list while queued */
	struct sip_server *srv;
	struct sipsess *sess;
	struct leg leg; /* the caller's */
	int64_t id;
	char caller[32];
	enum call_phase phase;
	struct tmr pace, ivr_tmr, check, end;
	struct tmr announce, wait, prompt_tmr;
	struct ivr ivr;
	struct ivr_menu menu; /* the manager's menu as it was when the call came */
	struct notice_audio *notice; /* the announcement in force when the call came; NULL: none */
	/* What kefu plays to the caller: a list of prompts, then music if moh. */
	const struct prompt *list[CALL_PLAYLIST_MAX];
	int nlist, cur;
	const struct prompt *playing;
	size_t pos;
	int marker;
	int moh; /* when the list ends, loop the music */
	uint64_t start_jiffies, ticks;
	uint64_t last_heard;
	struct media_dtmf_rx dtmf;
	struct media_inband *inband; /* key tones in the audio, when no RFC 4733 */
	struct mbuf *answer;	     /* our SDP, for a re-INVITE */
	unsigned answer_version;     /* its o= version, one more for each change */
	enum sip_sdp_dir answer_dir; /* its direction (RFC 3264 answer to the caller's) */
	const char *end_reason;
	int ended;
	/* Queue. */
	struct call_queue q;
	enum acd_strategy strategy;
	uint64_t queued;   /* jiffies: order in the queue */
	int64_t prefer_id; /* a transfer to a person: offered to them first */
	struct list offers;
	int64_t tried[CALL_TRIED_MAX];
	int ntried;
	int waiting; /* in the waiting list */
	int announces;
	char cb_digits[CALL_DIGITS_MAX + 1];
	int cb_stage; /* 1: asked to leave a number, 2: typing it */
	/* Bridge. */
	struct agent_leg *agent;
	uint64_t connected;    /* jiffies: the first agent answered */
	uint64_t disconnected; /* jiffies: the last agent left */
	int64_t ring_ms;      /* CALL-2: from the first offer to the first answer */
	int64_t first_offer;  /* call_clock_ms() of the first offer */
	int noffers;	      /* offers made until the first answer */
	int caller_held;      /* the caller's phone holds the call (sendonly, inactive) */
	uint64_t caller_held_since; /* jiffies */
	int rec_held;	      /* the recording has been told of a hold (either side's) */
	struct hold holds[CALL_HOLDS_MAX];
	int nholds;
	int64_t hold_total_ms;
	int64_t contact_id;
	struct rec_call *rec; /* the recording, from the first answer to the last agent's leaving */
	struct media_vad vad;
	int16_t vad_buf[MEDIA_FRAME];
	size_t vad_fill;
	int64_t caller_voice_ms;
	const char *hangup_first;
	struct listener *listener; /* a supervisor listening in */
	int survey_misses;
	int transfers;
};

/* call.c */
extern struct list call_list_all;
/* Writes one event of the call with its detail (may be NULL), which it releases. */
void call_log(struct call *c, const char *kind, struct audit_detail *detail);
/* The same with a detail of one key, the most common kind. */
void call_log_str(struct call *c, const char *kind, const char *key, const char *v);
void call_log_int(struct call *c, const char *kind, const char *key, int64_t v);
void call_play(struct call *c, const char *const *keys, int n, int moh);
void call_end_later(struct call *c, const char *reason);
int call_rtp_open(struct sip_server *srv, const struct sa *near, struct udp_sock **sock,
		  struct sa *local, udp_recv_h *recv, void *arg);
void call_leg_remote(struct sip_server *srv, struct leg *l, const struct sa *sdp,
		     const struct sa *sig);
int call_leg_from(const struct leg *l, const struct sa *src);
int call_leg_sdp(const struct leg *l, int64_t session, unsigned version, int events,
		 enum sip_sdp_dir dir, struct mbuf **out);
int call_leg_latch(struct leg *l, const struct sa *src, unsigned pt);
void call_send_pcm(struct call *c, const int16_t *pcm);
int64_t call_mono_us(void);
int64_t call_clock_ms(void);
void call_leg_sent(struct leg *l, uint32_t ts, size_t n, int64_t now_us);
const struct prompt *call_prompt(const char *key);
void call_survey_start(struct call *c);
extern struct sipsess_sock *call_sock;

/* call_queue.c */
void call_queue_enter(struct call *c, const char *queue, int64_t prefer_id);
void call_queue_leave(struct call *c);
void call_queue_digit(struct call *c, char digit);
void call_queue_kick(void);
void call_queue_start(struct sip_server *srv);
void call_queue_stop(void);
int call_queue_offer_ended(struct call *c);

/* call_bridge.c */
int call_bridge_offer(struct call *c, const struct call_candidate *cand);
void call_bridge_cancel_offers(struct call *c, const char *why);
void call_bridge_caller_audio(struct call *c, const struct media_rtp_hdr *h, const uint8_t *payload,
			      size_t n);
void call_bridge_hangup_agent(struct call *c);
void call_bridge_metrics(struct call *c);
void call_bridge_rec_end(struct call *c);
void call_bridge_caller_hold(struct call *c, enum sip_sdp_dir dir);
void call_bridge_agent_free(struct agent_leg *a);
void call_leg_forward(struct leg *to, enum media_codec from, const struct media_rtp_hdr *h,
		      const uint8_t *payload, size_t n);

/* call_listen.c */
int call_listen_is_code(const struct pl *user);
void call_listen_connect(struct sip_server *srv, const struct sip_msg *msg);
void call_listen_feed(struct call *c, int side, const int16_t *pcm, size_t n);
void call_listen_end(struct call *c);

#endif
