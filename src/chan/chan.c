/*
 * The rules of conversations (chan.h tells the whole), with no I/O: the
 * channels' and states' names, which state may follow which, the CALL-12
 * deadlines of each channel in the center's time zone, the router's choice
 * of agent, who may see or act on a conversation, and what of an email's
 * HTML is kept: its text for the agent and a copy safe to show.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chan/chan.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"

static const char *const kind_names[CHAN_KIND_COUNT] = {"email", "web_chat", "wechat", "weibo",
							"sms"};

const char *chan_kind_name(enum chan_kind k)
{
	return (unsigned)k < CHAN_KIND_COUNT ? kind_names[k] : "";
}

int chan_kind_parse(const char *name)
{
	for (int i = 0; name && i < CHAN_KIND_COUNT; i++)
		if (strcmp(name, kind_names[i]) == 0)
			return i;
	return -1;
}

static const char *const state_names[CHAN_STATE_COUNT] = {"new", "open", "waiting", "resolved"};

const char *chan_state_name(enum chan_state st)
{
	return (unsigned)st < CHAN_STATE_COUNT ? state_names[st] : "";
}

int chan_state_parse(const char *name)
{
	for (int i = 0; name && i < CHAN_STATE_COUNT; i++)
		if (strcmp(name, state_names[i]) == 0)
			return i;
	return -1;
}

int chan_state_allowed(enum chan_state from, enum chan_state to)
{
	if (from == CHAN_RESOLVED || from == to)
		return 0; /* a resolved conversation stays so: the customer's next message opens a
			     new one */
	switch (to) {
	case CHAN_NEW:
		return 1; /* back to the queue */
	case CHAN_OPEN:
		return 1;
	case CHAN_WAITING:
		return from == CHAN_OPEN;
	case CHAN_RESOLVED:
		return 1;
	default:
		return 0;
	}
}

static int range(struct err_info *ei, int rc, const char *field, int v, int lo, int hi)
{
	if (v < lo || v > hi)
		return err_add(ei, rc, ERR_UNPROCESSABLE, field, "%s: %lld to %lld", field,
			       (long long)lo, (long long)hi);
	return rc;
}

int chan_settings_check(const struct chan_settings *st, struct err_info *ei)
{
	int rc = 0;

	/* The same bounds as migration 28's CHECKs, so a PUT fails with the field, not a 500. */
	rc = range(ei, rc, "chat_capacity", st->chat_capacity, 1, 20);
	rc = range(ei, rc, "chat_first_reply_sec", st->chat_first_reply_sec, 10, 3600);
	rc = range(ei, rc, "email_reply_min", st->email_reply_min, 10, 10080);
	rc = range(ei, rc, "message_same_day", st->message_same_day, 0, 1);
	rc = range(ei, rc, "message_cutoff_min", st->message_cutoff_min, 0, 1439);
	rc = range(ei, rc, "chat_while_on_call", st->chat_while_on_call, 0, 1);
	rc = range(ei, rc, "chat_idle_close_min", st->chat_idle_close_min, 1, 1440);
	return rc;
}

int chan_kind_live(enum chan_kind k)
{
	return k == CHAN_WEB_CHAT || k == CHAN_WECHAT || k == CHAN_WEIBO;
}

int64_t chan_same_day_due(const struct chan_settings *st, int64_t now)
{
	int64_t end = clock_day_end(now);

	/* CALL-12: "the same day" while the center can still answer today; after
	 * the cutoff (or when the center does not promise the same day) the end
	 * of the next local day. clock_day_end of the end is the next day's end
	 * in the center's zone, whatever the length of the day. */
	if (st->message_same_day && clock_local_minute(now) < st->message_cutoff_min)
		return end;
	return clock_day_end(end);
}

void chan_due_compute(enum chan_kind k, const struct chan_settings *st, int64_t now,
		      struct chan_due *out)
{
	switch (k) {
	case CHAN_WEB_CHAT:
		/* CALL-12 "real time"; a chat is resolved within its local day. */
		out->first_reply_due = now + (int64_t)st->chat_first_reply_sec * 1000;
		out->resolve_due = clock_day_end(out->first_reply_due);
		break;
	case CHAN_EMAIL:
		/* CALL-12: an email answered within email_reply_min (8 h); resolved by
		 * the end of the local day after that. */
		out->first_reply_due = now + (int64_t)st->email_reply_min * 60000;
		out->resolve_due = clock_day_end(clock_day_end(out->first_reply_due));
		break;
	default:
		/* CALL-12: web messages, SMS, WeChat and Weibo the same day. */
		out->first_reply_due = chan_same_day_due(st, now);
		out->resolve_due = clock_day_end(out->first_reply_due);
		break;
	}
}

int chan_route_pick(enum chan_kind k, const struct chan_candidate *c, int n, int capacity)
{
	int live = chan_kind_live(k), best = -1;

	for (int i = 0; i < n; i++) {
		int load = live ? c[i].live : c[i].other;

		/* Only chats count against the capacity: an email waits hours, a chat seconds. */
		if (live && c[i].live >= capacity)
			continue;
		if (best >= 0) {
			int best_load = live ? c[best].live : c[best].other;

			/* The least loaded first, then the longest idle (acd's order), then by id.
			 */
			if (load > best_load)
				continue;
			if (load == best_load && (c[i].idle_since > c[best].idle_since ||
						  (c[i].idle_since == c[best].idle_since &&
						   c[i].person_id > c[best].person_id)))
				continue;
		}
		best = i;
	}
	return best;
}

int chan_may(int act, int64_t who, int supervise, int all, int64_t agent_id, int state_new,
	     int in_queue)
{
	if (supervise)
		return 1;
	if (agent_id && agent_id == who)
		return 1;
	if (!act && all)
		return 1;
	/* A new one of a queue the agent serves: seen and taken by them. */
	return !agent_id && state_new && in_queue;
}

/* -- HTML -- */

/* Tags whose content is dropped altogether. */
static int dropped_content(const char *tag)
{
	static const char *const t[] = {"script",   "style",	"head", "title", "iframe", "object",
					"template", "noscript", "svg",	"math",	 NULL};

	for (int i = 0; t[i]; i++)
		if (strcasecmp(tag, t[i]) == 0)
			return 1;
	return 0;
}

static int block_tag(const char *tag)
{
	static const char *const t[] = {"p",   "div",	"br", "tr", "li", "h1",
					"h2",  "h3",	"h4", "h5", "h6", "blockquote",
					"pre", "table", "ul", "ol", "hr", NULL};

	for (int i = 0; t[i]; i++)
		if (strcasecmp(tag, t[i]) == 0)
			return 1;
	return 0;
}

/* What is kept of an email's markup (no attributes but <a href>). */
static int allowed_tag(const char *tag)
{
	static const char *const t[] = {
		"p",  "div", "br", "b",	   "strong",	 "i",	  "em",	   "u",
		"s",  "ul",  "ol", "li",   "blockquote", "pre",	  "code",  "h1",
		"h2", "h3",  "h4", "h5",   "h6",	 "table", "thead", "tbody",
		"tr", "td",  "th", "span", "hr",	 "a",	  NULL};

	for (int i = 0; t[i]; i++)
		if (strcasecmp(tag, t[i]) == 0)
			return 1;
	return 0;
}

static int put_utf8(struct buf *out, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return buf_append(out, u, n);
}

/* An entity at p ('&'): its code point and length, or 0 when not one. */
static size_t entity(const char *p, unsigned long *cp)
{
	static const struct {
		const char *name;
		unsigned long cp;
	} named[] = {{"amp", '&'},	{"lt", '<'},	   {"gt", '>'},	       {"quot", '"'},
		     {"apos", '\''},	{"nbsp", 0xA0},	   {"copy", 0xA9},     {"reg", 0xAE},
		     {"mdash", 0x2014}, {"ndash", 0x2013}, {"hellip", 0x2026}, {"middot", 0xB7},
		     {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"lsquo", 0x2018},  {"rsquo", 0x2019},
		     {"yen", 0xA5}};
	const char *q = p + 1;
	size_t n;

	if (*q == '#') {
		char *end;
		unsigned long v;

		if (q[1] == 'x' || q[1] == 'X')
			v = strtoul(q + 2, &end, 16);
		else
			v = strtoul(q + 1, &end, 10);
		if (end == q + 1 || end == q + 2 || end - p > 12)
			return 0;
		*cp = v;
		return (size_t)(end - p) + (*end == ';');
	}
	n = strspn(q, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strlen(named[i].name) == n && strncmp(q, named[i].name, n) == 0) {
			*cp = named[i].cp;
			return n + 1 + (q[n] == ';');
		}
	return 0;
}

/* The tag at p ('<'): its name (lower case) into name, whether it closes, and its end (after '>').
 */
static const char *tag_at(const char *p, char *name, size_t size, int *closing)
{
	const char *q = p + 1;
	size_t n = 0;
	char quote = 0;

	*closing = 0;
	if (*q == '/') {
		*closing = 1;
		q++;
	}
	while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9')) {
		if (n + 1 < size)
			name[n++] = (char)(*q | 0x20);
		q++;
	}
	name[n] = '\0';
	while (*q && (quote || *q != '>')) {
		if (quote && *q == quote)
			quote = 0;
		else if (!quote && (*q == '"' || *q == '\''))
			quote = *q;
		q++;
	}
	return *q ? q + 1 : q;
}

/* Skips to after </tag> (or the end). */
static const char *skip_to_close(const char *p, const char *tag)
{
	size_t n = strlen(tag);

	while ((p = strchr(p, '<')) != NULL) {
		if (p[1] == '/' && strncasecmp(p + 2, tag, n) == 0) {
			const char *e = strchr(p, '>');

			return e ? e + 1 : p + strlen(p);
		}
		p++;
	}
	return NULL;
}

/* A comment or declaration at p ("<!" or "<?"): its end. */
static const char *skip_decl(const char *p)
{
	const char *e;

	if (strncmp(p, "<!--", 4) == 0) {
		e = strstr(p + 4, "-->");
		return e ? e + 3 : p + strlen(p);
	}
	e = strchr(p, '>');
	return e ? e + 1 : p + strlen(p);
}

int chan_html_text(const char *html, struct buf *out)
{
	const char *p = html;
	int rc = 0, space = 0;

	while (rc == 0 && p && *p) {
		if (*p == '<' && (p[1] == '!' || p[1] == '?')) {
			p = skip_decl(p);
		} else if (*p == '<' && (p[1] == '/' || (p[1] | 0x20) >= 'a') &&
			   (p[1] | 0x20) <= 'z') {
			char name[16];
			int closing;
			const char *e = tag_at(p, name, sizeof(name), &closing);

			if (!closing && dropped_content(name)) {
				p = skip_to_close(e, name);
				continue;
			}
			if (block_tag(name) && out->len && out->p[out->len - 1] != '\n')
				rc = buf_puts(out, "\n");
			space = 0;
			p = e;
		} else if (*p == '&') {
			unsigned long cp;
			size_t n = entity(p, &cp);

			if (n) {
				rc = put_utf8(out, cp == 0xA0 ? ' ' : cp);
				p += n;
			} else {
				rc = buf_puts(out, "&");
				p++;
			}
			space = 0;
		} else if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			/* HTML's white space collapses; lines come from the blocks. */
			if (!space && out->len && out->p[out->len - 1] != '\n')
				rc = buf_puts(out, " ");
			space = 1;
			p++;
		} else {
			rc = buf_append(out, p, 1);
			space = 0;
			p++;
		}
	}
	/* No trailing blank lines. */
	while (out->len && (out->p[out->len - 1] == '\n' || out->p[out->len - 1] == ' '))
		out->p[--out->len] = '\0';
	return rc;
}

/* The href of the tag text [p, e) when it is http(s) or mailto, escaped into out. */
static int put_href(const char *p, const char *e, struct buf *out)
{
	const char *h = p;

	while ((h = strcasestr(h, "href")) != NULL && h < e) {
		const char *v = h + 4;
		char quote = 0;
		size_t n;

		if (!(h[-1] == ' ' || h[-1] == '\t' || h[-1] == '\n')) {
			h += 4;
			continue;
		}
		while (*v == ' ')
			v++;
		if (*v != '=') {
			h += 4;
			continue;
		}
		v++;
		while (*v == ' ')
			v++;
		if (*v == '"' || *v == '\'')
			quote = *v++;
		n = quote ? (size_t)((strchr(v, quote) ? strchr(v, quote) : e) - v)
			  : strcspn(v, " \t\n>");
		if (v + n > e)
			return 0;
		if (!(strncasecmp(v, "http://", 7) == 0 || strncasecmp(v, "https://", 8) == 0 ||
		      strncasecmp(v, "mailto:", 7) == 0))
			return 0;
		buf_puts(out, " href=\"");
		for (size_t i = 0; i < n; i++) {
			if (v[i] == '"')
				buf_puts(out, "&quot;");
			else if (v[i] == '<')
				buf_puts(out, "&lt;");
			else if (v[i] == '>')
				buf_puts(out, "&gt;");
			else
				buf_append(out, v + i, 1);
		}
		return buf_puts(out, "\" rel=\"noopener noreferrer nofollow\" target=\"_blank\"");
	}
	return 0;
}

int chan_html_clean(const char *html, struct buf *out)
{
	const char *p = html;
	int rc = 0;

	while (rc == 0 && p && *p) {
		if (*p == '<' && (p[1] == '!' || p[1] == '?')) {
			p = skip_decl(p);
		} else if (*p == '<' && (p[1] == '/' || (p[1] | 0x20) >= 'a') &&
			   (p[1] | 0x20) <= 'z') {
			char name[16];
			int closing;
			const char *e = tag_at(p, name, sizeof(name), &closing);

			if (!closing && dropped_content(name)) {
				p = skip_to_close(e, name);
				continue;
			}
			if (allowed_tag(name)) {
				rc = buf_printf(out, "<%s%s", closing ? "/" : "", name);
				if (rc == 0 && !closing && strcmp(name, "a") == 0)
					rc = put_href(p, e, out);
				if (rc == 0)
					rc = buf_puts(out, ">");
			}
			p = e;
		} else if (*p == '<') {
			rc = buf_puts(out, "&lt;");
			p++;
		} else if (*p == '>') {
			rc = buf_puts(out, "&gt;");
			p++;
		} else if (*p == '&') {
			unsigned long cp;
			size_t n = entity(p, &cp);

			/* Entities are decoded and re-escaped: nothing unknown passes through. */
			if (n && cp == '<')
				rc = buf_puts(out, "&lt;");
			else if (n && cp == '>')
				rc = buf_puts(out, "&gt;");
			else if (n && cp == '&')
				rc = buf_puts(out, "&amp;");
			else if (n && cp == '"')
				rc = buf_puts(out, "&quot;");
			else if (n)
				rc = put_utf8(out, cp);
			else
				rc = buf_puts(out, "&amp;");
			p += n ? n : 1;
		} else {
			rc = buf_append(out, p, 1);
			p++;
		}
	}
	return rc;
}
