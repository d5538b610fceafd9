/*
 * The call engine's first part: the hotline answers and runs the IVR menu
 * (CALL-1). Everything here runs on the SIP thread (see call.h).
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
 * (src/ivr), whose actions this file carries out and writes to the call log
 * (call_store.c), each change in its own short transaction.
 *
 * Once the caller has chosen, the transfer notice is played and the call
 * enters the queue of its route (call_queue.c), which offers it to agents'
 * phones and bridges it to the one who answers (call_bridge.c). When the
 * agent hangs up, the caller is asked to rate the call (CALL-3): a digit
 * 1..5 is stored on the call and its contact.
 *
 * A caller that vanishes (no BYE) is noticed by call_media_timeout_sec
 * without RTP or SIP from it; kefu then ends the call (ended_by kefu,
 * reason media_timeout). IVR times use libre's monotonic clock, stored
 * times the wall clock (clock_now_ms, which --test-clock shifts).
 */
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "call/call_int.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "media/media.h"
#include "notify/notify.h"
#include "sip/sip_server.h"
#include "store/store.h"

#define PROMPT_MAX_BYTES (4 << 20)
#define CHECK_MS 1000 /* how often the media timeout is checked */

/* The prompts kefu plays (etc/prompts.txt), loaded once at start. */
static struct prompt prompts[] = {
	{"welcome", NULL, 0},	      {"menu", NULL, 0},	  {"invalid", NULL, 0},
	{"no_input", NULL, 0},	      {"transfer", NULL, 0},	  {"to_agent", NULL, 0},
	{"out_of_hours", NULL, 0},    {"moh", NULL, 0},		  {"queue_busy", NULL, 0},
	{"queue_ahead", NULL, 0},     {"queue_people", NULL, 0},  {"wait_expected", NULL, 0},
	{"wait_minutes", NULL, 0},    {"wait_under", NULL, 0},	  {"num_1", NULL, 0},
	{"num_2", NULL, 0},	      {"num_3", NULL, 0},	  {"num_4", NULL, 0},
	{"num_5", NULL, 0},	      {"num_6", NULL, 0},	  {"num_7", NULL, 0},
	{"num_8", NULL, 0},	      {"num_9", NULL, 0},	  {"num_10", NULL, 0},
	{"num_11", NULL, 0},	      {"num_12", NULL, 0},	  {"num_13", NULL, 0},
	{"num_14", NULL, 0},	      {"num_15", NULL, 0},	  {"num_16", NULL, 0},
	{"num_17", NULL, 0},	      {"num_18", NULL, 0},	  {"num_19", NULL, 0},
	{"num_20", NULL, 0},	      {"num_many", NULL, 0},	  {"callback_offer", NULL, 0},
	{"callback_number", NULL, 0}, {"callback_done", NULL, 0}, {"hold", NULL, 0},
	{"survey", NULL, 0},	      {"survey_thanks", NULL, 0}, {"goodbye", NULL, 0},
};

#define SURVEY_WAIT_MS 8000 /* for the rating digit after the survey prompt */

/* Other prompts the manager's menu and hours name (a sub-menu's menu,
 * out_of_hours, a center's own recording): loaded from prompts_dir when
 * first played, kept until the engine stops. */
#define EXTRA_MAX 64
static struct prompt extra[EXTRA_MAX];
static char extra_keys[EXTRA_MAX][IVR_KEY_SIZE];
static int nextra;
static const char *prompts_dir;
/* The active notice's audio as last loaded (one reference; calls hold others). */
static struct notice_audio *notice_cache;

struct sipsess_sock *call_sock;
#define sock call_sock

/* Arrival times for the receiver statistics: a monotonic clock in µs. */
int64_t call_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
/* The clock of CALL-2's ring time: libre's monotonic milliseconds, plus
 * the test clock's shift (--test-clock; always 0 in production), so a
 * test can let phones ring for seconds without waiting for them. */
int64_t call_clock_ms(void)
{
	return (int64_t)tmr_jiffies() + clock_offset();
}

struct list call_list_all;
#define calls call_list_all

/* -- the call log -- */

/* Writes one event (detail may be NULL; released here) and the call's
 * progress in one transaction; a failure is logged, the call goes on. An
 * "ended" event records by and outcome on the call too. */
static void log_event(struct call *c, const char *kind, struct audit_detail *detail, const char *by,
		      const char *outcome)
{
	struct store *s = store_pool_get(c->srv->pool);
	const char *text = detail ? audit_detail_text(detail) : NULL;
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
		rc = call_set_ended(s, c->id, clock_now_ms(), by, outcome);
	if (rc == 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	if (rc < 0)
		log_error("sip: call %lld: cannot log %s (%s)", (long long)c->id, kind,
			  err_name(rc));
	else if (!strcmp(kind, "queued") || !strcmp(kind, "connected") || !strcmp(kind, "ended"))
		acd_live_wake(); /* the wallboards' figures changed */
	store_pool_put(c->srv->pool, s);
	if (detail)
		audit_detail_release(detail);
}

void call_log(struct call *c, const char *kind, struct audit_detail *detail)
{
	log_event(c, kind, detail, NULL, NULL);
}

void call_log_str(struct call *c, const char *kind, const char *key, const char *v)
{
	struct audit_detail d;

	audit_detail_init(&d);
	audit_detail_str(&d, key, v);
	log_event(c, kind, &d, NULL, NULL);
}

void call_log_int(struct call *c, const char *kind, const char *key, int64_t v)
{
	struct audit_detail d;

	audit_detail_init(&d);
	audit_detail_int(&d, key, v);
	log_event(c, kind, &d, NULL, NULL);
}

/* -- ending -- */

static void call_destroy(void *arg)
{
	struct call *c = arg;

	tmr_cancel(&c->pace);
	tmr_cancel(&c->ivr_tmr);
	tmr_cancel(&c->check);
	tmr_cancel(&c->end);
	tmr_cancel(&c->announce);
	tmr_cancel(&c->wait);
	tmr_cancel(&c->prompt_tmr);
	tmr_cancel(&c->out_ring);
	call_queue_leave(c);
	call_listen_end(c);
	call_bridge_cancel_offers(c, "caller_gone");
	call_bridge_rec_end(c);
	if (c->agent) {
		call_bridge_agent_free(c->agent);
		c->agent = NULL;
	}
	list_unlink(&c->le);
	/* Releasing an established session sends the BYE (libre keeps the
	 * transaction until the caller answers it). */
	mem_deref(c->sess);
	mem_deref(c->leg.rtp);
	mem_deref(c->answer);
	mem_deref(c->notice);
	mem_deref(c->out_auth);
	media_inband_free(c->inband);
}

/* The call's outcome when it ends without one (the phase it ended in). */
static const char *outcome_of(const struct call *c, const char *reason)
{
	if (!strcmp(reason, "rejected"))
		return "rejected";
	/* A call out's outcome is the engine's result (CALL_OUT_RESULTS). */
	if (c->out)
		return c->connected ? "answered" : c->out_result ? c->out_result : "failed";
	switch (c->phase) {
	case PH_QUEUED:
	case PH_CALLBACK:
		return "abandoned";
	case PH_CONNECTED:
	case PH_SURVEY:
		return "answered";
	default:
		return "ivr";
	}
}

/* CALL-6: the customer's leg went while the agent was talking, without a
 * hang-up: the agent calls back (the outbound module makes it a task). */
static int dropped(const struct call *c, const char *reason)
{
	return c->phase == PH_CONNECTED && c->agent &&
	       (!strcmp(reason, "media_timeout") || !strcmp(reason, "sip_timeout") ||
		!strcmp(reason, "sip_error"));
}

void call_finish(struct call *c, const char *by, const char *reason)
{
	struct media_rtp_stats st;
	struct audit_detail d;
	const char *outcome;

	if (c->ended)
		return;
	c->ended = 1;
	if (c->phase == PH_QUEUED || c->phase == PH_CALLBACK) {
		/* The caller left the queue before an agent answered. */
		int64_t waited = (int64_t)(tmr_jiffies() - c->queued);

		audit_detail_init(&d);
		audit_detail_str(&d, "queue", c->q.code);
		audit_detail_str(&d, "reason",
				 strcmp(by, "caller") == 0 ? "caller_hangup" : reason);
		audit_detail_int(&d, "waited_ms", waited);
		call_log(c, "abandoned", &d);
	}
	if (dropped(c, reason)) {
		struct store *s = store_pool_get(c->srv->pool);

		c->dropped = 1;
		if (store_begin(s) == 0 && call_set_dropped(s, c->id) == 0)
			(void)store_commit(s);
		else
			store_rollback(s);
		store_pool_put(c->srv->pool, s);
	}
	if (c->phase == PH_CONNECTED && !c->hangup_first)
		c->hangup_first = by;
	call_bridge_metrics(c);
	media_rtp_rx_stats(&c->leg.rx, &st);
	outcome = outcome_of(c, reason);
	audit_detail_init(&d);
	audit_detail_str(&d, "by", by);
	audit_detail_str(&d, "reason", reason);
	audit_detail_str(&d, "outcome", outcome);
	audit_detail_int(&d, "rtp_sent", (int64_t)c->leg.sent);
	audit_detail_int(&d, "rtp_received", (int64_t)st.received);
	audit_detail_int(&d, "rtp_lost", (int64_t)st.lost);
	audit_detail_int(&d, "rtp_late", (int64_t)st.late);
	audit_detail_int(&d, "jitter_us", (int64_t)st.jitter_us);
	log_event(c, "ended", &d, by, outcome);
	log_info("sip: call %lld ended by %s (%s)", (long long)c->id, by, reason);
	call_queue_leave(c);
	call_bridge_cancel_offers(c, "caller_gone");
	call_bridge_hangup_agent(c);
	call_bridge_rec_end(c);
	if (c->out)
		call_out_finished(c);
	c->phase = PH_DONE;
}

static void end_now(void *arg)
{
	struct call *c = arg;

	call_finish(c, "kefu", c->end_reason ? c->end_reason : "ivr");
	mem_deref(c);
}

/* Kefu ends the call; from a timer, never inside a socket's own callback. */
void call_end_later(struct call *c, const char *reason)
{
	if (c->ended || tmr_isrunning(&c->end))
		return;
	c->end_reason = reason;
	tmr_start(&c->end, 0, end_now, c);
}

/* -- prompts -- */

static int load_prompt(const char *dir, struct prompt *p);

const struct prompt *call_prompt(const char *key)
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

static void played(struct call *c);

static void played_later(void *arg)
{
	played(arg);
}

/* Starts list[cur]; a missing prompt counts as played at once. */
static void play_current(struct call *c)
{
	while (c->cur < c->nlist) {
		const struct prompt *p = c->list[c->cur];

		if (p && p->n) {
			c->playing = p;
			c->pos = 0;
			c->marker = 1;
			return;
		}
		c->cur++;
	}
	c->playing = NULL;
	if (c->moh) {
		const struct prompt *m = call_prompt("moh");

		if (m && m->n) {
			c->playing = m;
			c->pos = 0;
			c->marker = 1;
		}
	}
}

/* Plays prompts one after the other (replacing whatever plays), then
 * music on hold when moh is set, else silence. n = 0 with moh: music. */
void call_play(struct call *c, const char *const *keys, int n, int moh)
{
	c->nlist = 0;
	for (int i = 0; i < n && i < CALL_PLAYLIST_MAX; i++) {
		c->list[c->nlist++] = !strcmp(keys[i], IVR_NOTICE_KEY)
					      ? (c->notice ? &c->notice->p : NULL)
					      : call_prompt(keys[i]);
		if (!c->list[c->nlist - 1] || !c->list[c->nlist - 1]->n)
			log_warn("sip: prompt %s is missing; see prompts_dir", keys[i]);
	}
	c->cur = 0;
	c->moh = moh;
	play_current(c);
	if (!c->playing && c->nlist)
		/* Nothing to play: the list is done at once (from a timer, so
		 * that the caller of call_play is not re-entered). */
		tmr_start(&c->prompt_tmr, 0, played_later, c);
}

/* -- the IVR -- */

static void call_ivr_timer(void *arg);

static void arm_ivr(struct call *c)
{
	int64_t deadline = ivr_deadline(&c->ivr);
	int64_t now = (int64_t)tmr_jiffies();

	if (!deadline) {
		tmr_cancel(&c->ivr_tmr);
		return;
	}
	tmr_start(&c->ivr_tmr, deadline > now ? (uint64_t)(deadline - now) : 0, call_ivr_timer, c);
}

static void apply(struct call *c, const struct ivr_action *a)
{
	if (a->miss)
		call_log_int(c, a->miss, "misses", c->ivr.misses);
	if (a->route)
		call_log_str(c, "route", "route", a->route);
	if (a->play && !strcmp(a->play, IVR_NOTICE_KEY) && c->notice) {
		struct audit_detail d;

		audit_detail_init(&d);
		audit_detail_str(&d, "prompt", "notice");
		audit_detail_int(&d, "notice_id", c->notice->id);
		audit_detail_int(&d, "notice_version", c->notice->version);
		call_log(c, "prompt", &d);
		call_play(c, &a->play, 1, 0);
	} else if (a->play) {
		call_log_str(c, "prompt", "prompt", a->play);
		call_play(c, &a->play, 1, 0);
	} else if (a->route || a->miss) {
		call_play(c, NULL, 0, 0);
	}
	if (c->ivr.state == IVR_WAIT)
		call_play(c, NULL, 0, 0); /* the menu ended: silence while waiting */
	if (a->hangup) {
		/* The menu is done: the caller goes to the queue it chose. */
		if (c->ivr.route[0])
			call_queue_enter(c, c->ivr.route, 0);
		else
			call_end_later(c, "ivr");
	}
	arm_ivr(c);
}

static void notice_destroy(void *arg)
{
	struct notice_audio *x = arg;

	free(x->p.pcm);
}

/* Decodes the stored WAV of notice n into a new notice_audio. */
static struct notice_audio *notice_decode(struct store *s, const struct ivr_notice *n)
{
	struct notice_audio *x = NULL;
	struct media_wav w;
	uint8_t *wav = NULL;
	size_t len = 0;
	int rc = ivr_notice_audio(s, n->id, &wav, &len);

	if (rc == 0)
		rc = media_wav_parse(wav, len, 1, &w, NULL);
	if (rc == 0) {
		x = mem_zalloc(sizeof(*x), notice_destroy);
		rc = x ? 0 : ERR_NOMEM;
	}
	if (rc == 0) {
		x->id = n->id;
		x->version = n->version;
		x->p.key = IVR_NOTICE_KEY;
		x->p.pcm = malloc(w.frames * sizeof(int16_t) + 1);
		rc = x->p.pcm ? 0 : ERR_NOMEM;
	}
	if (rc == 0) {
		media_wav_decode(&w, x->p.pcm);
		x->p.n = w.frames;
	}
	free(wav);
	if (rc < 0) {
		log_error("sip: notice %lld cannot be played (%s)", (long long)n->id, err_name(rc));
		x = mem_deref(x);
	}
	return x;
}

/* The emergency announcement in force at now (a reference), or NULL. The
 * WAV is read and decoded only when the active notice or its version
 * changed since the last call: most calls read one short row. */
static struct notice_audio *notice_now(struct store *s, int64_t now)
{
	struct ivr_notice *n = malloc(sizeof(*n));
	struct notice_audio *x = NULL;
	int rc = n ? ivr_notice_active(s, now, n) : ERR_NOMEM;

	if (rc == 0 && notice_cache && notice_cache->id == n->id &&
	    notice_cache->version == n->version) {
		x = mem_ref(notice_cache);
	} else if (rc == 0) {
		x = notice_decode(s, n);
		if (x) {
			mem_deref(notice_cache);
			notice_cache = mem_ref(x);
		}
	} else if (rc != ERR_NOTFOUND) {
		log_error("sip: cannot read the emergency announcement (%s)", err_name(rc));
	}
	free(n);
	return x;
}

/* The call came: the menu and the hours as they are now (one read) and the
 * emergency announcement in force; when the center is closed, the closed
 * notice and hang up (outcome closed). */
static void call_ivr_begin(struct call *c, struct ivr_action *a)
{
	struct store *s = store_pool_get(c->srv->pool);
	char closed_prompt[IVR_KEY_SIZE];
	int64_t now = clock_now_ms();
	int open = 1, rc = ivr_call_setup(s, now, &c->menu, &open, closed_prompt);

	if (open) {
		c->notice = notice_now(s, now);
		if (c->notice)
			snprintf(c->menu.notice, sizeof(c->menu.notice), "%s", IVR_NOTICE_KEY);
	}
	store_pool_put(c->srv->pool, s);
	if (rc < 0)
		log_error("sip: call %lld: cannot read the opening hours (%s); taking the call",
			  (long long)c->id, err_name(rc));
	if (open) {
		ivr_start(&c->ivr, &c->menu, (int64_t)tmr_jiffies(), a);
		return;
	}
	call_log_str(c, "closed", "prompt", closed_prompt);
	ivr_closed(&c->ivr, closed_prompt, (int64_t)tmr_jiffies(), a);
}

static void call_ivr_timer(void *arg)
{
	struct call *c = arg;
	struct ivr_action a;

	ivr_tick(&c->ivr, (int64_t)tmr_jiffies(), &a);
	apply(c, &a);
}

/* -- the survey (CALL-3) -- */

static void survey_timeout(void *arg)
{
	struct call *c = arg;
	static const char *const bye[] = {"goodbye"};

	if (c->phase != PH_SURVEY)
		return;
	call_log_str(c, "survey", "digit", NULL); /* no rating */
	c->cb_stage = 9;			  /* hang up after the goodbye */
	call_play(c, bye, 1, 0);
}

void call_survey_start(struct call *c)
{
	static const char *const ask[] = {"survey"};

	c->phase = PH_SURVEY;
	c->cb_stage = 0;
	call_play(c, ask, 1, 0);
}

static void survey_digit(struct call *c, char digit)
{
	static const char *const thanks[] = {"survey_thanks", "goodbye"};
	static const char *const again[] = {"invalid", "survey"};

	if (c->cb_stage == 9)
		return; /* already saying goodbye */
	tmr_cancel(&c->prompt_tmr);
	if (digit >= '1' && digit <= '5') {
		struct store *s = store_pool_get(c->srv->pool);
		int rc = store_begin(s);

		if (rc == 0)
			rc = call_set_survey(s, c->id, digit - '0');
		if (rc == 0)
			rc = store_commit(s);
		else
			store_rollback(s);
		store_pool_put(c->srv->pool, s);
		if (rc < 0)
			log_error("sip: call %lld: cannot store the rating (%s)", (long long)c->id,
				  err_name(rc));
		call_log_int(c, "survey", "digit", digit - '0');
		c->cb_stage = 9;
		call_play(c, thanks, 2, 0);
		return;
	}
	if (++c->survey_misses > 1) {
		survey_timeout(c);
		return;
	}
	call_play(c, again, 2, 0);
}

/* The playlist ended: what comes next depends on the phase. */
static void played(struct call *c)
{
	struct ivr_action a;

	switch (c->phase) {
	case PH_IVR:
		ivr_prompt_done(&c->ivr, (int64_t)tmr_jiffies(), &a);
		apply(c, &a);
		break;
	case PH_SURVEY:
		if (c->cb_stage == 9)
			call_end_later(c, "survey_done");
		else
			tmr_start(&c->prompt_tmr, SURVEY_WAIT_MS, survey_timeout, c);
		break;
	case PH_CALLBACK:
		call_queue_digit(c, 0); /* the prompt ended: the queue decides */
		break;
	case PH_DONE:
		if (c->cb_stage == 9)
			call_end_later(c, "callback"); /* the goodbye after a callback number */
		break;
	default:
		break;
	}
}

static void on_digit(struct call *c, char digit, const char *via)
{
	struct ivr_action a;
	char d[2] = {digit, 0};
	enum ivr_state before = c->ivr.state;
	struct audit_detail detail;

	switch (c->phase) {
	case PH_IVR:
		ivr_digit(&c->ivr, digit, (int64_t)tmr_jiffies(), &a);
		if (before == IVR_LEAVING || before == IVR_DONE)
			return;
		audit_detail_init(&detail);
		audit_detail_str(&detail, "digit", d);
		audit_detail_str(&detail, "via", via);
		call_log(c, "digit", &detail);
		apply(c, &a);
		break;
	case PH_SURVEY:
		survey_digit(c, digit);
		break;
	case PH_QUEUED:
	case PH_CALLBACK:
		call_queue_digit(c, digit);
		break;
	default:
		break; /* keys during the conversation are the agent's business */
	}
}

/* -- RTP -- */

void call_leg_send_pcm(struct leg *l, const int16_t *pcm, int marker)
{
	uint8_t pkt[MEDIA_RTP_HDR_MIN + MEDIA_FRAME];
	struct media_rtp_hdr h;
	static struct mbuf *mb;
	int len;

	/* The pacing clock never goes back behind relayed audio that ran
	 * ahead of it (a burst from the agent's phone). */
	if (l->any_sent && (int32_t)(l->ts - (l->last_ts + l->last_n)) < 0)
		l->ts = l->last_ts + l->last_n;
	if (l->quiet || l->pt < 0)
		return; /* the party holds the call, or has not chosen: kefu sends nothing */
	memset(&h, 0, sizeof(h));
	h.version = 2;
	h.marker = marker;
	h.pt = (unsigned)l->pt;
	h.seq = l->seq++;
	h.ts = l->ts;
	h.ssrc = l->ssrc;
	len = media_rtp_build(&h, pkt, sizeof(pkt));
	assert(len == MEDIA_RTP_HDR_MIN);
	media_g711_encode(l->codec, pcm, MEDIA_FRAME, pkt + len);
	/* One buffer for every packet: udp_send copies it out at once. */
	if (!mb)
		mb = mbuf_alloc(sizeof(pkt));
	if (!mb)
		return;
	mbuf_rewind(mb);
	(void)mbuf_write_mem(mb, pkt, sizeof(pkt));
	mb->pos = 0;
	if (udp_send(l->rtp, &l->raddr, mb) == 0)
		l->sent++;
	call_leg_sent(l, h.ts, MEDIA_FRAME, call_mono_us());
}

void call_send_pcm(struct call *c, const int16_t *pcm)
{
	call_leg_send_pcm(&c->leg, pcm, c->marker);
	c->marker = 0;
}

static void send_frame(struct call *c)
{
	int16_t pcm[MEDIA_FRAME];
	size_t n = 0;

	if (c->playing && c->pos < c->playing->n) {
		n = c->playing->n - c->pos;
		if (n > MEDIA_FRAME)
			n = MEDIA_FRAME;
		memcpy(pcm, c->playing->pcm + c->pos, n * sizeof(int16_t));
	}
	memset(pcm + n, 0, (MEDIA_FRAME - n) * sizeof(int16_t));
	c->pos += n;
	call_send_pcm(c, pcm);
}

/* While bridged and not on hold, the agent's packets go to the caller
 * instead of anything kefu plays. */
static int relaying(const struct call *c)
{
	return c->phase == PH_CONNECTED && c->agent && !c->agent->held;
}

static void pace(void *arg)
{
	struct call *c = arg;
	uint64_t next, now;

	if (c->playing && !relaying(c)) {
		send_frame(c);
		if (c->pos >= c->playing->n) {
			if (c->cur >= c->nlist) {
				c->pos = 0; /* the music on hold loops */
			} else {
				c->cur++;
				play_current(c);
				if (c->cur >= c->nlist)
					played(c);
			}
		}
	}
	/* The timestamp is the sampling clock: it runs on between prompts. */
	c->leg.ts += MEDIA_FRAME;
	c->ticks++;
	next = c->start_jiffies + c->ticks * CALL_PTIME_MS;
	now = tmr_jiffies();
	tmr_start(&c->pace, next > now ? next - now : 0, pace, c);
}

/*
 * Where a leg's media goes (issue 11). An SDP names any address it likes:
 * sending there made kefu an amplifier (an INVITE and an ACK of 918 bytes
 * naming someone else's address had kefu send that address 430 KB of RTP
 * in a minute), and phones behind NAT or on hosts with several addresses
 * name one that does not reach them. So kefu sends only where the party's
 * signalling came from: to the SDP's address and port when that is the
 * signalling's address, else to the signalling's address with the SDP's
 * port, until the party's own RTP arrives (call_leg_latch). The ACK that
 * starts the media carries the tag of kefu's 200, so a spoofed signalling
 * address never gets this far. A trunk (sip_trunks: a carrier or the
 * center's SBC, whose media gateways have addresses of their own and often
 * send from another port than they receive on) is followed by its SDP.
 *
 * A re-offer that names the same address and port keeps the latch; a new
 * one starts again from the rule above.
 */
void call_leg_remote(struct sip_server *srv, struct leg *l, const struct sa *sdp,
		     const struct sa *sig)
{
	if (l->latched && sa_cmp(sdp, &l->sdp, SA_ALL) && sa_cmp(sig, &l->sig, SA_ADDR))
		return;
	l->sdp = *sdp;
	l->sig = *sig;
	l->trunk = sip_server_is_trunk(srv, sig);
	l->latched = 0;
	l->raddr = *sdp;
	if (!l->trunk && !sa_cmp(sdp, sig, SA_ADDR)) {
		l->raddr = *sig;
		sa_set_port(&l->raddr, sa_port(sdp));
	}
}

/* Packets only count from the party: its SDP's or its signalling's
 * address (any port), so nobody else can press keys or talk in a call. */
int call_leg_from(const struct leg *l, const struct sa *src)
{
	return sa_cmp(src, &l->sdp, SA_ADDR) || sa_cmp(src, &l->sig, SA_ADDR);
}

/*
 * Symmetric RTP: a packet of the leg's payload type (or its
 * telephone-event) from the signalling's address makes its source, port
 * included, where the leg's media goes from now on (the port a NAT gave
 * the phone, or the one the phone really sends from). Only the
 * signalling's address may move the media, never the SDP's when that is
 * another: anyone can name an address, and one spoofed packet would then
 * aim the stream anywhere. Trunks are not latched. 1 when this is the
 * leg's first latch (for the log).
 */
int call_leg_latch(struct leg *l, const struct sa *src, unsigned pt)
{
	int first = !l->latched;

	if (l->trunk || !sa_cmp(src, &l->sig, SA_ADDR) || sa_cmp(src, &l->raddr, SA_ALL))
		return 0;
	if ((int)pt != l->pt && (int)pt != l->event_pt)
		return 0;
	l->raddr = *src;
	l->latched = 1;
	return first;
}

void call_rtp_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct call *c = arg;
	struct media_rtp_hdr h;
	char digit;

	if (c->ended || !call_leg_from(&c->leg, src))
		return;
	if (media_rtp_parse(mbuf_buf(mb), mbuf_get_left(mb), &h) < 0)
		return;
	if (call_leg_latch(&c->leg, src, h.pt)) {
		char where[SIP_ADDRESS_MAX + 16];

		sip_server_source_full(src, where, sizeof(where));
		log_info("sip: call %lld: the caller's RTP comes from %s; media goes there",
			 (long long)c->id, where);
	}
	c->last_heard = tmr_jiffies();
	(void)media_rtp_rx_update(&c->leg.rx, &h, call_mono_us());
	if (c->leg.event_pt >= 0 && (int)h.pt == c->leg.event_pt) {
		if (media_dtmf_rx_packet(&c->dtmf, h.ssrc, h.ts, mbuf_buf(mb) + h.hdr_len,
					 h.payload_len, &digit) == 1)
			on_digit(c, digit, "rtp");
		return;
	}
	if ((int)h.pt != c->leg.pt)
		return;
	if (c->inband && c->phase != PH_CONNECTED && h.payload_len <= 480) {
		/* A phone without telephone-event sends its keys as tones. */
		int16_t pcm[480];

		media_g711_decode(c->leg.codec, mbuf_buf(mb) + h.hdr_len, h.payload_len, pcm);
		if (media_inband_feed(c->inband, pcm, h.payload_len, &digit) == 1)
			on_digit(c, digit, "inband");
	}
	call_bridge_caller_audio(c, &h, mbuf_buf(mb) + h.hdr_len, h.payload_len);
}

static void check(void *arg)
{
	struct call *c = arg;
	uint64_t limit = (uint64_t)c->srv->cfg->call_media_timeout_sec * 1000;

	if (tmr_jiffies() - c->last_heard >= limit) {
		call_end_later(c, "media_timeout");
		return;
	}
	tmr_start(&c->check, CHECK_MS, check, c);
}

/* An RTP socket near the SIP listener's address: in the configured port
 * range (rtp_port_min..max, even ports as RFC 3550 suggests) or any. */
int call_rtp_open(struct sip_server *srv, const struct sa *near, struct udp_sock **sock_out,
		  struct sa *local, udp_recv_h *recv, void *arg)
{
	static int next_port;
	const struct config *cfg = srv->cfg;
	struct sa addr = *near;
	int rc = EADDRINUSE;

	if (!cfg->rtp_port_min) {
		sa_set_port(&addr, 0);
		rc = udp_listen(sock_out, &addr, recv, arg);
	} else {
		int span = (cfg->rtp_port_max - cfg->rtp_port_min + 1) / 2;

		for (int i = 0; i < span && rc; i++) {
			int port = cfg->rtp_port_min + 2 * ((next_port + i) % span);

			sa_set_port(&addr, (uint16_t)port);
			rc = udp_listen(sock_out, &addr, recv, arg);
			if (rc == 0)
				next_port = (next_port + i + 1) % span;
		}
	}
	if (rc == 0)
		rc = udp_local_get(*sock_out, local);
	if (rc == 0)
		/* A bridged call's packets arrive in bursts from two phones. */
		(void)udp_sockbuf_set(*sock_out, 256 * 1024);
	return rc;
}

/* -- SIP -- */

/* kefu's description for leg l (see struct sip_sdp_out): an answer with
 * the leg's chosen law (and telephone-event when events and the leg has
 * one), or an offer of all when the leg has not chosen yet (pt < 0). */
int call_leg_sdp(const struct leg *l, int64_t session, unsigned version, int events,
		 enum sip_sdp_dir dir, struct mbuf **out)
{
	char ip[SIP_ADDRESS_MAX], buf[512];
	struct sip_sdp_out o = {
		.session = (long long)session,
		.version = version,
		.ip = ip,
		.ipv6 = sa_af(&l->local) == AF_INET6,
		.port = sa_port(&l->local),
		.pt = l->pt,
		.pcma = l->codec == MEDIA_PCMA,
		.event_pt = events ? l->event_pt : -1,
		.ptime = CALL_PTIME_MS,
		.dir = dir,
	};
	struct mbuf *mb;
	int n;

	sip_server_source(&l->local, ip);
	n = sip_sdp_write(&o, buf, sizeof(buf));
	if (n < 0)
		return EINVAL;
	mb = mbuf_alloc((size_t)n);
	if (!mb)
		return ENOMEM;
	if (mbuf_write_mem(mb, (const uint8_t *)buf, (size_t)n)) {
		mem_deref(mb);
		return ENOMEM;
	}
	mb->pos = 0;
	*out = mb;
	return 0;
}

/* kefu's SDP answer to the caller, in the direction dir. */
static int sdp_answer(struct call *c, enum sip_sdp_dir dir, struct mbuf **out)
{
	return call_leg_sdp(&c->leg, c->id, c->answer_version, 1, dir, out);
}

/* A re-INVITE from the caller's phone: a refresh gets the same answer;
 * a hold (sendonly, inactive) is answered recvonly or inactive (RFC 3264
 * section 6.1), kefu then sends the caller nothing, and while connected
 * it is a hold in the call's log and metrics (CALL-4) until sendrecv. */
int call_on_offer(struct mbuf **descp, const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;
	struct sip_sdp sdp;
	enum sip_sdp_dir dir;
	struct mbuf *mb = NULL;

	c->last_heard = tmr_jiffies();
	/* No SDP: the caller asks for an offer, which is kefu's current one. */
	if (!mbuf_get_left(msg->mb)) {
		c->answer->pos = 0;
		*descp = mem_ref(c->answer);
		return 0;
	}
	if (sip_sdp_parse((const char *)mbuf_buf(msg->mb), mbuf_get_left(msg->mb), &sdp) < 0)
		return EPROTO;
	dir = sip_sdp_answer_dir(sdp.dir);
	if (dir != c->answer_dir) {
		c->answer_version++;
		if (sdp_answer(c, dir, &mb))
			return ENOMEM;
		mem_deref(c->answer);
		c->answer = mb;
		c->answer_dir = dir;
	}
	/* Kefu sends nothing to a phone that asked to receive nothing. */
	c->leg.quiet = dir == SIP_SDP_RECVONLY || dir == SIP_SDP_INACTIVE;
	call_bridge_caller_hold(c, sdp.dir);
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
	if (c->phase != PH_IVR || c->ivr.state != IVR_WELCOME || c->playing)
		return;
	call_ivr_begin(c, &a);
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
	digit = sip_info_digit((const char *)mbuf_buf(msg->mb), mbuf_get_left(msg->mb));
	if (digit && !c->ended)
		on_digit(c, digit, "info");
}

static void on_close(int err, const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;

	/* libre 1.1.0 reports the caller's BYE as ECONNRESET without a message. */
	(void)msg;
	if (err == ECONNRESET)
		call_finish(c, "caller", "bye");
	else if (err == ETIMEDOUT)
		call_finish(c, "kefu", "sip_timeout");
	else
		call_finish(c, "kefu", err ? "sip_error" : "closed");
	mem_deref(c);
}

/* Creates the call's row and its invite event; c->id is set. */
static int call_record(struct call *c, const struct sip_msg *msg)
{
	char called[64], callid[128];
	struct store *s = store_pool_get(c->srv->pool);
	int rc;

	sip_log_safe(msg->from.uri.user.p, msg->from.uri.user.l, c->caller, sizeof(c->caller));
	sip_log_safe(msg->uri.user.p, msg->uri.user.l, called, sizeof(called));
	sip_log_safe(msg->callid.p, msg->callid.l, callid, sizeof(callid));
	rc = store_begin(s);
	if (rc == 0)
		rc = call_insert(s, callid, c->caller, called, clock_now_ms(), &c->id);
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

/*
 * A number that is not the hotline: the same 404 whether it is an agent's
 * work number or nobody's, after the same work (nothing is looked up), so
 * INVITEs cannot tell which work numbers exist (SIPVicious' svwar found
 * every agent when agents got 480 and others 404). Agents are reached
 * through the hotline's queues, never dialled. Each such INVITE counts
 * toward the guard's ban: a scanner tries number after number.
 */
static void not_hotline(struct sip_server *srv, const struct sip_msg *msg)
{
	reject(srv, msg, 404, "Not Found");
	sip_server_probe(srv, &msg->src);
}

struct call *call_alloc(struct sip_server *srv)
{
	struct call *c = mem_zalloc(sizeof(*c), call_destroy);

	if (!c)
		return NULL;
	c->srv = srv;
	c->answer_version = 1;
	c->answer_dir = SIP_SDP_SENDRECV;
	media_rtp_rx_init(&c->leg.rx, MEDIA_RATE, 60, -1);
	c->leg.pt = -1;
	c->leg.event_pt = -1;
	tmr_init(&c->pace);
	tmr_init(&c->ivr_tmr);
	tmr_init(&c->check);
	tmr_init(&c->end);
	tmr_init(&c->announce);
	tmr_init(&c->wait);
	tmr_init(&c->prompt_tmr);
	tmr_init(&c->out_ring);
	list_init(&c->offers);
	media_vad_init(&c->vad);
	list_append(&calls, &c->le, c);
	c->ended = 1; /* nothing to log as ended until the row exists */
	return c;
}

void call_media_check_start(struct call *c)
{
	c->last_heard = tmr_jiffies();
	tmr_start(&c->check, CHECK_MS, check, c);
}

void call_pace_start(struct call *c)
{
	c->start_jiffies = tmr_jiffies();
	c->ticks = 0;
	tmr_start(&c->pace, CALL_PTIME_MS, pace, c);
}

static void on_connect(const struct sip_msg *msg, void *arg)
{
	struct sip_server *srv = arg;
	struct sip_sdp offer;
	struct audit_detail d;
	struct call *c;
	struct sa rtp_addr, media;
	int rc;

	if (call_listen_is_code(&msg->uri.user)) {
		call_listen_connect(srv, msg);
		return;
	}
	if (pl_strcmp(&msg->uri.user, srv->cfg->hotline) != 0) {
		not_hotline(srv, msg);
		return;
	}
	if (list_count(&calls) >= (uint32_t)srv->cfg->calls_max) {
		reject(srv, msg, 503, "Service Unavailable");
		return;
	}
	c = call_alloc(srv);
	if (!c) {
		reject(srv, msg, 500, "Server Internal Error");
		return;
	}
	if (call_record(c, msg) < 0) {
		reject(srv, msg, 500, "Server Internal Error");
		goto out;
	}
	c->ended = 0;
	{
		char source[SIP_ADDRESS_MAX + 16];

		sip_server_source_full(&msg->src, source, sizeof(source));
		call_log_str(c, "invite", "source", source);
	}
	call_test_inbound(c, msg); /* one of kefu's own test calls (LED-2)? */
	if (!mbuf_get_left(msg->mb) ||
	    sip_sdp_parse((const char *)mbuf_buf(msg->mb), mbuf_get_left(msg->mb), &offer) < 0 ||
	    offer.pref_pt < 0 || sa_set_str(&media, offer.addr, (uint16_t)offer.port) != 0) {
		reject(srv, msg, 488, "Not Acceptable Here");
		audit_detail_init(&d);
		audit_detail_int(&d, "status", 488);
		audit_detail_str(&d, "reason", "no G.711 audio in the offer");
		call_log(c, "rejected", &d);
		c->end_reason = "rejected";
		call_finish(c, "kefu", "rejected");
		goto out;
	}
	call_leg_remote(srv, &c->leg, &media, &msg->src);
	/* PCMA first: A-law is China's G.711 (and Europe's). */
	c->leg.codec = offer.pcma_pt >= 0 ? MEDIA_PCMA : MEDIA_PCMU;
	c->leg.pt = offer.pcma_pt >= 0 ? offer.pcma_pt : offer.pcmu_pt;
	c->leg.event_pt = offer.event_pt;
	/* RTP on the address the INVITE came to. */
	rtp_addr = srv->laddr;
	if (sa_is_any(&rtp_addr))
		rtp_addr = msg->dst;
	rc = call_rtp_open(srv, &rtp_addr, &c->leg.rtp, &c->leg.local, call_rtp_recv, c);
	if (rc == 0)
		rc = sdp_answer(c, SIP_SDP_SENDRECV, &c->answer);
	if (rc == 0)
		rc = sipsess_accept(&c->sess, sock, msg, 200, "OK", srv->cfg->hotline,
				    "application/sdp", c->answer, NULL, NULL, false, call_on_offer,
				    on_answer, on_estab, on_info, NULL, on_close, c,
				    "Allow: INVITE, ACK, BYE, CANCEL, INFO, OPTIONS\r\n");
	if (rc) {
		log_error("sip: call %lld: cannot answer (%s)", (long long)c->id, strerror(rc));
		reject(srv, msg, 500, "Server Internal Error");
		call_finish(c, "kefu", "error");
		goto out;
	}
	media_dtmf_rx_init(&c->dtmf);
	if (c->leg.event_pt < 0)
		c->inband = media_inband_new();
	media_rtp_rx_init(&c->leg.rx, MEDIA_RATE, 60, c->leg.event_pt);
	randombytes_buf(&c->leg.ssrc, sizeof(c->leg.ssrc));
	randombytes_buf(&c->leg.seq, sizeof(c->leg.seq));
	randombytes_buf(&c->leg.ts, sizeof(c->leg.ts));
	c->ivr.state = IVR_WELCOME;
	c->phase = PH_IVR;
	c->start_jiffies = c->last_heard = tmr_jiffies();
	audit_detail_init(&d);
	audit_detail_str(&d, "codec", c->leg.codec == MEDIA_PCMA ? "PCMA" : "PCMU");
	audit_detail_int(&d, "pt", c->leg.pt);
	audit_detail_int(&d, "event_pt", c->leg.event_pt);
	call_log(c, "answered", &d);
	log_info("sip: call %lld answered (%s)", (long long)c->id,
		 c->leg.codec == MEDIA_PCMA ? "PCMA" : "PCMU");
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

/* What a previous process left: open calls, agents held ringing or talking. */
static void recover(struct sip_server *srv)
{
	struct store *s = store_pool_get(srv->pool);
	int64_t ids[64], now = clock_now_ms();
	int n, closed, rc = store_begin(s);

	closed = rc == 0 ? call_close_open(s, now) : rc;
	n = closed >= 0 ? call_held_agents(s, ids, 64) : 0;
	for (int i = 0; i < n && rc == 0; i++) {
		rc = acd_set_system(s, ids[i], ACD_READY, NULL, 0, now);
		if (rc == ACD_UNCHANGED || rc == ERR_CONFLICT)
			rc = 0;
	}
	if (rc == 0 && closed >= 0 && n >= 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	store_pool_put(srv->pool, s);
	if (rc < 0 || closed < 0 || n < 0)
		log_error("sip: cannot close the calls a previous run left open");
	else if (closed || n)
		log_warn("call: closed %d call(s) and freed %d agent(s) left by a previous run",
			 closed, n);
}

static int call_engine_start(struct sip_server *srv)
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
	recover(srv);
	call_queue_start(srv);
	rc = sipsess_listen(&sock, srv->sip, 32, on_connect, srv);
	if (rc) {
		log_error("sip: cannot take calls (%s)", strerror(rc));
		return ERR_IO;
	}
	call_out_start(srv);
	return 0;
}

static void call_engine_stop(void)
{
	struct le *le;

	call_out_stop();
	call_test_stop();
	le = list_head(&calls);
	while (le) {
		struct call *c = le->data;

		le = le->next;
		call_finish(c, "kefu", "shutdown");
		mem_deref(c);
	}
	call_queue_stop();
	sock = mem_deref(sock);
	for (size_t i = 0; i < sizeof(prompts) / sizeof(prompts[0]); i++) {
		free(prompts[i].pcm);
		prompts[i].pcm = NULL;
		prompts[i].n = 0;
	}
	notice_cache = mem_deref(notice_cache);
	for (int i = 0; i < nextra; i++) {
		free(extra[i].pcm);
		extra[i].pcm = NULL;
		extra[i].n = 0;
	}
	nextra = 0;
}

const struct sip_calls call_engine = {call_engine_start, call_engine_stop};
