/*
 * The hotline's IVR menu (CALL-1) as rules without I/O, and the two small
 * parsers a call needs from SIP bodies: the SDP offer and the dtmf-relay
 * INFO body. See sip.h for the states and the engine's part.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "sip/sip.h"

/*
 * The menu of CALL-1 (000 电话客服受理流程): business consultation,
 * business handling, complaint, an agent. Routes are queues by skill
 * (ORG-2): consultation to the market-consultation seats, handling to the
 * technical-service seats, complaints to the supervising seats, 0 to any
 * agent. This table is the first version; making the menu data a manager
 * edits (like the work-order configuration) is the next step.
 */
const struct ivr_choice ivr_menu[] = {
	{'1', "market_consult", "transfer"},
	{'2', "tech_service", "transfer"},
	{'3', "complaint", "transfer"},
	{'0', "agent", "to_agent"},
	{0, NULL, NULL},
};

/* Where a caller goes who did not choose (two misses). */
static const struct ivr_choice *agent_choice(void)
{
	for (const struct ivr_choice *c = ivr_menu; c->digit; c++)
		if (c->digit == '0')
			return c;
	return NULL;
}

static void clear(struct ivr_action *a)
{
	memset(a, 0, sizeof(*a));
}

void ivr_start(struct ivr *v, int64_t now, struct ivr_action *a)
{
	(void)now;
	memset(v, 0, sizeof(*v));
	clear(a);
	v->state = IVR_WELCOME;
	a->play = "welcome";
}

static void leave(struct ivr *v, const struct ivr_choice *c, struct ivr_action *a)
{
	v->state = IVR_LEAVING;
	v->deadline = 0;
	snprintf(v->route, sizeof(v->route), "%s", c->route);
	a->play = c->prompt;
	a->route = v->route;
}

/* A miss (an invalid key or no input): the menu once more, then an agent. */
static void miss(struct ivr *v, const char *kind, struct ivr_action *a)
{
	v->misses++;
	v->deadline = 0;
	a->miss = kind;
	if (v->misses > IVR_RETRIES) {
		leave(v, agent_choice(), a);
		return;
	}
	v->state = IVR_RETRY;
	a->play = kind; /* the prompts are named like the misses */
}

void ivr_prompt_done(struct ivr *v, int64_t now, struct ivr_action *a)
{
	clear(a);
	switch (v->state) {
	case IVR_WELCOME:
	case IVR_RETRY:
		v->state = IVR_MENU;
		a->play = "menu";
		break;
	case IVR_MENU:
		v->state = IVR_WAIT;
		v->deadline = now + IVR_NO_INPUT_MS;
		break;
	case IVR_LEAVING:
		v->state = IVR_DONE;
		a->hangup = 1;
		break;
	case IVR_WAIT:
	case IVR_DONE:
		break;
	}
}

void ivr_digit(struct ivr *v, char digit, int64_t now, struct ivr_action *a)
{
	size_t n = strlen(v->digits);

	(void)now;
	clear(a);
	if (v->state == IVR_LEAVING || v->state == IVR_DONE)
		return; /* the choice is made; keys during the transfer notice mean nothing */
	if (n + 1 < sizeof(v->digits)) {
		v->digits[n] = digit;
		v->digits[n + 1] = 0;
	}
	for (const struct ivr_choice *c = ivr_menu; c->digit; c++) {
		if (c->digit == digit) {
			leave(v, c, a);
			return;
		}
	}
	miss(v, "invalid", a);
}

void ivr_tick(struct ivr *v, int64_t now, struct ivr_action *a)
{
	clear(a);
	if (v->state != IVR_WAIT || now < v->deadline)
		return;
	miss(v, "no_input", a);
}

int64_t ivr_deadline(const struct ivr *v)
{
	return v->state == IVR_WAIT ? v->deadline : 0;
}

const char *ivr_state_name(enum ivr_state s)
{
	static const char *const names[] = {"welcome", "menu", "wait", "retry", "leaving", "done"};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/* -- SDP -- */

/* The next line of text [p, end) without its CR LF; returns the line's start. */
static const char *next_line(const char **p, const char *end, size_t *len)
{
	const char *start = *p, *q = start;

	while (q < end && *q != '\n')
		q++;
	*len = (size_t)(q - start);
	if (*len && start[*len - 1] == '\r')
		(*len)--;
	*p = q < end ? q + 1 : end;
	return start;
}

static int parse_conn(const char *l, size_t len, char *addr, size_t size)
{
	char buf[128];

	/* c=IN IP4 192.0.2.1 */
	if (len >= sizeof(buf))
		return ERR_INVALID;
	memcpy(buf, l, len);
	buf[len] = 0;
	if (strncmp(buf, "c=IN IP4 ", 9) != 0 && strncmp(buf, "c=IN IP6 ", 9) != 0)
		return ERR_INVALID;
	if (!buf[9] || strlen(buf + 9) >= size || strchr(buf + 9, '/'))
		return ERR_INVALID;
	snprintf(addr, size, "%s", buf + 9);
	return 0;
}

int ivr_sdp_parse(const char *sdp, size_t len, struct ivr_sdp *out)
{
	const char *p = sdp, *end = sdp + len;
	char session_addr[64] = "", media_addr[64] = "";
	char fmts[256] = "";
	int in_audio = 0, seen_audio = 0;

	memset(out, 0, sizeof(*out));
	out->pcma_pt = out->pcmu_pt = out->event_pt = out->pref_pt = -1;
	while (p < end) {
		size_t n;
		const char *l = next_line(&p, end, &n);
		char buf[256];

		if (n < 2 || l[1] != '=' || n >= sizeof(buf))
			continue;
		memcpy(buf, l, n);
		buf[n] = 0;
		if (buf[0] == 'm') {
			unsigned port;
			int used = 0;

			in_audio = 0;
			if (seen_audio)
				continue; /* only the first audio stream is answered */
			if (sscanf(buf, "m=audio %u RTP/AVP %n", &port, &used) == 1 && used > 0 &&
			    port > 0 && port < 65536) {
				in_audio = seen_audio = 1;
				out->port = port;
				snprintf(fmts, sizeof(fmts), "%s", buf + used);
			}
		} else if (buf[0] == 'c') {
			char *dst = in_audio ? media_addr : seen_audio ? NULL : session_addr;

			if (dst && parse_conn(buf, n, dst, sizeof(media_addr)) < 0)
				return ERR_INVALID;
		} else if ((in_audio || !seen_audio) &&
			   (!strcmp(buf, "a=sendonly") || !strcmp(buf, "a=inactive") ||
			    !strcmp(buf, "a=recvonly") || !strcmp(buf, "a=sendrecv"))) {
			/* A media-level attribute overrides the session's (RFC 4566). */
			out->dir = !strcmp(buf, "a=sendonly")	? IVR_SDP_SENDONLY
				   : !strcmp(buf, "a=inactive") ? IVR_SDP_INACTIVE
				   : !strcmp(buf, "a=recvonly") ? IVR_SDP_RECVONLY
								: IVR_SDP_SENDRECV;
		} else if (in_audio && strncmp(buf, "a=rtpmap:", 9) == 0) {
			char *rest;
			long pt = strtol(buf + 9, &rest, 10);

			if (rest == buf + 9 || pt < 0 || pt > 127 || *rest != ' ')
				continue;
			rest++;
			if (strncasecmp(rest, "telephone-event/8000", 20) == 0)
				out->event_pt = (int)pt;
			else if (strncasecmp(rest, "PCMA/8000", 9) == 0)
				out->pcma_pt = (int)pt;
			else if (strncasecmp(rest, "PCMU/8000", 9) == 0)
				out->pcmu_pt = (int)pt;
		}
	}
	if (!seen_audio)
		return ERR_INVALID;
	snprintf(out->addr, sizeof(out->addr), "%s", media_addr[0] ? media_addr : session_addr);
	if (!out->addr[0])
		return ERR_INVALID;
	/* The old way of holding (RFC 2543): the connection address 0.0.0.0. */
	if (!strcmp(out->addr, "0.0.0.0") && out->dir == IVR_SDP_SENDRECV)
		out->dir = IVR_SDP_INACTIVE;
	/* Static types need no rtpmap (RFC 3551): 0 is PCMU and 8 is PCMA. A
	 * format listed on the m= line is what is offered; the first G.711 one
	 * in its order is the caller's preference. */
	{
		char *save = NULL;
		int pcma = -1, pcmu = -1;

		for (char *t = strtok_r(fmts, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
			char *e;
			long pt = strtol(t, &e, 10);

			if (e == t || *e)
				continue;
			if (pt == 8 || (out->pcma_pt >= 0 && pt == out->pcma_pt))
				pcma = (int)pt;
			else if (pt == 0 || (out->pcmu_pt >= 0 && pt == out->pcmu_pt))
				pcmu = (int)pt;
			else
				continue;
			if (out->pref_pt < 0)
				out->pref_pt = (int)pt;
		}
		out->pcma_pt = pcma;
		out->pcmu_pt = pcmu;
	}
	return 0;
}

char ivr_info_digit(const char *body, size_t len)
{
	const char *p = body, *end = body + len;

	while (p < end) {
		size_t n;
		const char *l = next_line(&p, end, &n);
		size_t i = 0;

		if (n < 7 || strncasecmp(l, "Signal", 6) != 0)
			continue;
		i = 6;
		while (i < n && l[i] == ' ')
			i++;
		if (i >= n || l[i] != '=')
			continue;
		i++;
		while (i < n && l[i] == ' ')
			i++;
		if (i < n) {
			char c = l[i];

			if ((c >= '0' && c <= '9') || c == '*' || c == '#')
				return c;
			if (c >= 'A' && c <= 'D')
				return c;
			if (c >= 'a' && c <= 'd')
				return (char)(c - 'a' + 'A');
		}
		return 0;
	}
	return 0;
}
