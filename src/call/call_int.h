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
 * A call out (call_out.c) is the same struct the other way round: its
 * phases are out_agent (kefu rings the agent's phone), out_dialing (the
 * agent answered; kefu calls the customer through the trunk, the agent
 * hears ring-back) and then connected like an inbound call; c->leg is
 * the customer's leg, c->caller the customer's number, c->out is set.
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

enum call_phase {
	PH_IVR,
	PH_QUEUED,
	PH_CALLBACK,
	PH_CONNECTED,
	PH_SURVEY,
	PH_DONE,
	PH_OUT_AGENT,	/* a call out: the agent's phone rings (call_out.c) */
	PH_OUT_DIALING, /* a call out: the agent answered, the customer's phone is called */
};

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
	int rang; /* kefu set the agent ringing for this leg (a call out's first leg) */
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
	struct ivr_menu menu;	     /* the manager's menu as it was when the call came */
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
	uint64_t connected;	    /* jiffies: the first agent answered */
	uint64_t disconnected;	    /* jiffies: the last agent left */
	int64_t ring_ms;	    /* CALL-2: from the first offer to the first answer */
	int64_t first_offer;	    /* call_clock_ms() of the first offer */
	int noffers;		    /* offers made until the first answer */
	int caller_held;	    /* the caller's phone holds the call (sendonly, inactive) */
	uint64_t caller_held_since; /* jiffies */
	int rec_held;		    /* the recording has been told of a hold (either side's) */
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
	/* A call out (call_out.c); out is 0 for the hotline's calls. */
	int out;
	int64_t out_id;		   /* its call_out row */
	int64_t out_customer_id;   /* the customer called, 0: unknown; for the contact */
	const char *out_result;	   /* the engine's result once known (CALL_OUT_RESULTS) */
	char dial[48];		   /* what went to the trunk */
	struct sip_auth *out_auth; /* the trunk's digest credentials */
	struct tmr out_ring;	   /* the customer's phone rings at most out_ring_sec */
	uint64_t ringback_tick;	   /* the agent's ring-back: frames sent */
	int out_ringing;	   /* the customer's phone said 180 or 183 (logged once) */
	int dropped;		   /* CALL-6: the customer's leg dropped while connected */
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
/* One 20 ms frame of pcm on leg l as kefu's own stream (marker: a talkspurt's first). */
void call_leg_send_pcm(struct leg *l, const int16_t *pcm, int marker);
/* The caller leg's RTP handler and re-INVITE handler (call.c), for calls out too. */
void call_rtp_recv(const struct sa *src, struct mbuf *mb, void *arg);
int call_on_offer(struct mbuf **descp, const struct sip_msg *msg, void *arg);
/* A new call struct with its timers and lists set up, in the list of calls
 * (its row not yet written: ended stays 1 until the caller sets it 0). */
struct call *call_alloc(struct sip_server *srv);
/* Ends the call now as `by` ("caller", "kefu", "agent") for `reason`. */
void call_finish(struct call *c, const char *by, const char *reason);
void call_media_check_start(struct call *c);
void call_pace_start(struct call *c);
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

/* call_bridge.c: rings one agent's phone for c (an offer, or a call out's
 * first leg); display is the From's display name on the phone. */
struct call_ring {
	int64_t person_id;
	const char *work_no, *name, *contact;
	const char *from_user, *display;
};
int call_bridge_ring(struct call *c, const struct call_ring *r, struct agent_leg **out);
/* The customer answered a call out: connected, recorded, its contact written. */
void call_bridge_connect_out(struct call *c, int64_t ring_ms);

/* call_out_store.c: the engine's SQL of call_out (see call.h) */
struct store_stmt;
int call_candidate_read(struct store_stmt *st, void *dst); /* call_store.c */
int call_out_pending(struct store *s, struct call_out_row *out, int max);
/* requested → agent; ERR_CONFLICT when it was claimed or cancelled meanwhile. */
int call_out_claim(struct store *s, int64_t id, int64_t call_id, const char *dial);
/* dialing (agent_at), talking (answered_at, result answered). */
int call_out_set_state(struct store *s, int64_t id, const char *state, int64_t now);
/* A test call's inbound call and when an agent answered it (0: unchanged). */
int call_out_set_test(struct store *s, int64_t id, int64_t call_id, int64_t answered_at);
int call_out_end(struct store *s, int64_t id, const char *result, int64_t now);
int call_out_cancels(struct store *s, int64_t *ids, int max);
/* At start: attempts a stopped process left going are ended "failed"; how many. */
int call_out_close_open(struct store *s, int64_t now);
int call_set_direction_out(struct store *s, int64_t call_id);
int call_set_dropped(struct store *s, int64_t call_id);
/* The agent's most recent live phone registration, whatever their status. */
int call_out_phone(struct store *s, int64_t person_id, int64_t now, struct call_candidate *out);

/* call_out.c */
void call_out_start(struct sip_server *srv);
void call_out_stop(void);
void call_out_poll(void);
/* The agent answered a call out's first leg: the customer is called. */
void call_out_agent_answered(struct call *c);
/* The agent's first leg ended unanswered (why: ring_timeout, busy, declined …). */
void call_out_agent_missed(struct call *c, const char *why);
/* The engine's part of finish(): the call_out row ended with its result. */
void call_out_finished(struct call *c);
/* call_test.c (LED-2): an inbound call that is one of kefu's own test calls. */
void call_test_inbound(struct call *c, const struct sip_msg *msg);
void call_test_start_request(struct sip_server *srv, int64_t out_id);
void call_test_stop(void);

/* call_listen.c */
int call_listen_is_code(const struct pl *user);
void call_listen_connect(struct sip_server *srv, const struct sip_msg *msg);
void call_listen_feed(struct call *c, int side, const int16_t *pcm, size_t n);
void call_listen_end(struct call *c);

#endif
