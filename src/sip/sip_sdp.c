/*
 * The SIP bodies a call needs, without I/O: the parser of an SDP offer
 * (RFC 4566, what the call engine answers and where it sends RTP), the one
 * writer of kefu's own descriptions, and the parser of the dtmf-relay INFO
 * body (a phone's keys sent in signalling). See sip.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "sip/sip.h"

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

enum sip_sdp_dir sip_sdp_answer_dir(enum sip_sdp_dir offer)
{
	switch (offer) {
	case SIP_SDP_SENDONLY:
		return SIP_SDP_RECVONLY;
	case SIP_SDP_RECVONLY:
		return SIP_SDP_SENDONLY;
	case SIP_SDP_INACTIVE:
		return SIP_SDP_INACTIVE;
	default:
		return SIP_SDP_SENDRECV;
	}
}

const char *sip_sdp_dir_name(enum sip_sdp_dir d)
{
	switch (d) {
	case SIP_SDP_SENDONLY:
		return "sendonly";
	case SIP_SDP_RECVONLY:
		return "recvonly";
	case SIP_SDP_INACTIVE:
		return "inactive";
	default:
		return "sendrecv";
	}
}

int sip_sdp_parse(const char *sdp, size_t len, struct sip_sdp *out)
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
			out->dir = !strcmp(buf, "a=sendonly")	? SIP_SDP_SENDONLY
				   : !strcmp(buf, "a=inactive") ? SIP_SDP_INACTIVE
				   : !strcmp(buf, "a=recvonly") ? SIP_SDP_RECVONLY
								: SIP_SDP_SENDRECV;
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
	if (!strcmp(out->addr, "0.0.0.0") && out->dir == SIP_SDP_SENDRECV)
		out->dir = SIP_SDP_INACTIVE;
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

char sip_info_digit(const char *body, size_t len)
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

/* The appending printf of sip_sdp_write: 0, or ERR_INVALID when full. */
static int put(char *buf, size_t size, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int put(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= size)
		return ERR_INVALID;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *len)
		return ERR_INVALID;
	*len += (size_t)n;
	return 0;
}

int sip_sdp_write(const struct sip_sdp_out *o, char *buf, size_t size)
{
	const char *ipv = o->ipv6 ? "IP6" : "IP4";
	const char *law = o->pcma ? "PCMA" : "PCMU";
	size_t len = 0;
	int rc;

	rc = put(buf, size, &len, "v=0\r\no=kefu %lld %u IN %s %s\r\ns=kefu\r\nc=IN %s %s\r\nt=0 0\r\n",
		 o->session, o->version, ipv, o->ip, ipv, o->ip);
	if (rc == 0 && o->pt < 0)
		rc = put(buf, size, &len,
			 "m=audio %u RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\n"
			 "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
			 "a=fmtp:101 0-15\r\n",
			 o->port);
	else if (rc == 0 && o->event_pt >= 0)
		rc = put(buf, size, &len,
			 "m=audio %u RTP/AVP %d %d\r\na=rtpmap:%d %s/8000\r\n"
			 "a=rtpmap:%d telephone-event/8000\r\na=fmtp:%d 0-15\r\n",
			 o->port, o->pt, o->event_pt, o->pt, law, o->event_pt, o->event_pt);
	else if (rc == 0)
		rc = put(buf, size, &len, "m=audio %u RTP/AVP %d\r\na=rtpmap:%d %s/8000\r\n",
			 o->port, o->pt, o->pt, law);
	if (rc == 0)
		rc = put(buf, size, &len, "a=ptime:%d\r\na=%s\r\n", o->ptime,
			 sip_sdp_dir_name(o->dir));
	return rc < 0 ? rc : (int)len;
}
