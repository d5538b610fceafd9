/*
 * The email channel's pure half (chan_mail.h): a raw mail into UTF-8 parts
 * with GMime, and an agent's reply into the bytes SMTP sends. No network,
 * no SQL, no clock: the reply's Date is the caller's `now`.
 *
 * Chinese mail comes in many charsets, often mislabelled: "gb2312" on text
 * with GBK characters (喆, 堃), no charset at all on 8-bit text. Every body
 * is converted by iconv with GB2312 and GBK read as GB18030 (their
 * superset), undeclared 8-bit text taken as UTF-8 when it is valid and as
 * GB18030 otherwise, and bytes no charset explains replaced by U+FFFD, so
 * one bad byte never loses a customer's message.
 */
#include "chan/chan_mail.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/utf8.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_gmime(void)
{
	g_mime_init();
}

void chan_mail_init(void)
{
	pthread_once(&init_once, init_gmime);
}

void chan_mail_shutdown(void)
{
	g_mime_shutdown();
}

void chan_mail_limits_default(struct chan_mail_limits *l)
{
	l->max_files = 10;
	l->max_file_size = 10u * 1024 * 1024;
	l->max_total = 20u * 1024 * 1024;
}

/* -- Charsets -- */

/* The iconv name of a declared charset; GB2312 and GBK read as GB18030. */
static const char *iconv_name(const char *charset)
{
	if (!charset || !*charset)
		return NULL;
	if (!g_ascii_strcasecmp(charset, "gb2312") || !g_ascii_strcasecmp(charset, "gbk") ||
	    !g_ascii_strcasecmp(charset, "x-gbk") || !g_ascii_strcasecmp(charset, "cp936") ||
	    !g_ascii_strcasecmp(charset, "euc-cn") || !g_ascii_strcasecmp(charset, "gb18030"))
		return "GB18030";
	/* Big5 as Windows sends it (code page 950: a few more characters). */
	if (!g_ascii_strcasecmp(charset, "big5") || !g_ascii_strcasecmp(charset, "cp950") ||
	    !g_ascii_strcasecmp(charset, "x-big5"))
		return "CP950";
	return g_mime_charset_iconv_name(charset);
}

/* bytes in `from` → UTF-8 with U+FFFD for what does not convert; NULL when iconv knows no such
 * charset. */
static char *convert(const char *p, size_t len, const char *from, int *errors)
{
	iconv_t cd = iconv_open("UTF-8", from);
	struct buf b = BUF_INIT;
	char tmp[4096];

	if (cd == (iconv_t)-1)
		return NULL;
	while (len > 0) {
		char *in = (char *)p, *out = tmp;
		size_t inl = len, outl = sizeof(tmp);
		size_t r = iconv(cd, &in, &inl, &out, &outl);
		int e = errno;

		buf_append(&b, tmp, (size_t)(out - tmp));
		p = in;
		len = inl;
		if (r != (size_t)-1)
			break;
		if (e == E2BIG)
			continue;
		/* EILSEQ or EINVAL (cut short): one byte becomes U+FFFD, then go on. */
		buf_puts(&b, "\xEF\xBF\xBD");
		if (errors)
			(*errors)++;
		p++;
		len--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	iconv_close(cd);
	buf_puts(&b, ""); /* never NULL */
	return buf_detach(&b);
}

/* Drops NUL bytes and anything that is still not UTF-8 (it cannot be after convert, but be sure).
 */
static char *clean_utf8(char *s)
{
	size_t n = strlen(s);

	if (!utf8_valid(s, n)) {
		char *c = g_utf8_make_valid(s, (gssize)n);
		char *r = strdup(c);

		g_free(c);
		free(s);
		return r;
	}
	return s;
}

/* A body's bytes as UTF-8 in a malloc'ed string. */
static char *body_utf8(const char *p, size_t len, const char *charset)
{
	const char *name = iconv_name(charset);
	char *r = NULL;
	char *z;

	/* NUL bytes are never text: cut them out before any conversion. */
	z = malloc(len + 1);
	if (!z)
		return NULL;
	{
		size_t j = 0;

		for (size_t i = 0; i < len; i++)
			if (p[i])
				z[j++] = p[i];
		z[j] = 0;
		len = j;
	}
	if (name && g_ascii_strcasecmp(name, "UTF-8") && g_ascii_strcasecmp(name, "us-ascii"))
		r = convert(z, len, name, NULL);
	if (!r) {
		int eu = 0, eg = 0;
		char *u, *g;

		if (utf8_valid(z, len))
			return z;
		/* Undeclared (or unknown) 8-bit text: a Chinese mailer's GB18030 or
		 * UTF-8 with a stray byte; whichever reads with fewer bad bytes. */
		u = convert(z, len, "UTF-8", &eu);
		g = convert(z, len, "GB18030", &eg);
		if (eg < eu) {
			r = g;
			free(u);
		} else {
			r = u;
			free(g);
		}
	}
	free(z);
	return r ? clean_utf8(r) : NULL;
}

/* Cuts s to at most `max` characters at a character's boundary. */
static void cut_chars(char *s, size_t max)
{
	size_t n = 0;

	for (char *q = s; *q; q++) {
		if (((unsigned char)*q & 0xC0) != 0x80) {
			if (n == max) {
				*q = 0;
				return;
			}
			n++;
		}
	}
}

/* A header's text as one line: line breaks and tabs as spaces, ends trimmed. */
static char *one_line(const char *s)
{
	char *r = strdup(s ? s : "");
	size_t n;

	if (!r)
		return NULL;
	for (char *q = r; *q; q++)
		if (*q == '\r' || *q == '\n' || *q == '\t')
			*q = ' ';
	n = strlen(r);
	while (n > 0 && r[n - 1] == ' ')
		r[--n] = 0;
	if (*r == ' ')
		memmove(r, r + strspn(r, " "), strlen(r + strspn(r, " ")) + 1);
	return clean_utf8(r);
}

/* -- HTML to text -- */

static void put_cp(struct buf *b, unsigned long cp)
{
	char u[8];
	int n;

	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	n = g_unichar_to_utf8((gunichar)cp, u);
	buf_append(b, u, (size_t)n);
}

/* One entity at s (after '&'); returns the bytes consumed, 0 when it is not one. */
static size_t entity(const char *s, struct buf *b)
{
	static const struct {
		const char *name;
		unsigned long cp;
	} names[] = {{"amp", '&'},	{"lt", '<'},	   {"gt", '>'},	       {"quot", '"'},
		     {"apos", '\''},	{"nbsp", 0xA0},	   {"copy", 0xA9},     {"reg", 0xAE},
		     {"mdash", 0x2014}, {"ndash", 0x2013}, {"hellip", 0x2026}, {"middot", 0xB7},
		     {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"lsquo", 0x2018},  {"rsquo", 0x2019},
		     {"yen", 0xA5}};
	const char *semi = strchr(s, ';');
	size_t n;

	if (!semi || semi - s > 10 || semi == s)
		return 0;
	n = (size_t)(semi - s);
	if (s[0] == '#') {
		char *end;
		unsigned long cp = (s[1] == 'x' || s[1] == 'X') ? strtoul(s + 2, &end, 16)
								: strtoul(s + 1, &end, 10);

		if (end != semi)
			return 0;
		put_cp(b, cp == 0xA0 ? ' ' : cp);
		return n + 1;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == n && !strncmp(s, names[i].name, n)) {
			put_cp(b, names[i].cp == 0xA0 ? ' ' : names[i].cp);
			return n + 1;
		}
	return 0;
}

/* Ends the text so far with at least n line breaks (spaces before them do not count). */
static void newlines(struct buf *b, int n)
{
	int have = 0;

	for (size_t i = b->len; i > 0; i--) {
		if (b->p[i - 1] == '\n')
			have++;
		else if (b->p[i - 1] != ' ')
			break;
	}
	if (b->len == 0)
		return;
	while (have++ < n)
		buf_puts(b, "\n");
}

static int tag_is(const char *t, size_t n, const char *name)
{
	size_t k = strlen(name);

	return n >= k && !g_ascii_strncasecmp(t, name, k) &&
	       (n == k || !isalnum((unsigned char)t[k]));
}

char *chan_mail_html_text(const char *html)
{
	static const struct {
		const char *name;
		int lines;
	} blocks[] = {{"p", 2},	 {"div", 1}, {"tr", 1}, {"li", 1}, {"h1", 2},	 {"h2", 2},
		      {"h3", 2}, {"h4", 2},  {"h5", 2}, {"h6", 2}, {"table", 2}, {"blockquote", 2},
		      {"hr", 1}, {"ul", 2},  {"ol", 2}, {"pre", 2}};
	struct buf b = BUF_INIT;
	const char *s = html ? html : "";
	char *r, *w;
	int space = 0;

	while (*s) {
		if (*s == '<') {
			const char *end = strchr(s, '>');
			const char *t = s + 1;
			size_t n;

			if (!strncmp(s, "<!--", 4)) {
				const char *c = strstr(s + 4, "-->");

				s = c ? c + 3 : s + strlen(s);
				continue;
			}
			if (!end)
				break;
			if (*t == '/')
				t++;
			n = (size_t)(end - t);
			/* What scripts and styles say is never text. */
			if (tag_is(t, n, "script") || tag_is(t, n, "style") ||
			    tag_is(t, n, "head") || tag_is(t, n, "title")) {
				char close[16];
				const char *c;
				size_t k = strcspn(t, " \t\r\n/>");

				if (t[-1] != '/' && k < 8) {
					snprintf(close, sizeof(close), "</%.*s", (int)k, t);
					c = strcasestr(end, close);
					if (c) {
						end = strchr(c, '>');
						if (!end)
							break;
					}
				}
			} else {
				/* A line break is one; a paragraph ends with an empty line; other
				 * blocks start a line. */
				if (tag_is(t, n, "br")) {
					buf_puts(&b, "\n");
					space = 0;
				} else {
					for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]);
					     i++)
						if (tag_is(t, n, blocks[i].name)) {
							newlines(&b, blocks[i].lines);
							space = 0;
							break;
						}
				}
			}
			s = end + 1;
			continue;
		}
		if (*s == '&') {
			size_t k = entity(s + 1, &b);

			if (k) {
				s += k + 1;
				space = 0;
				continue;
			}
		}
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
			/* Spaces and line breaks in HTML source are one space. */
			if (!space)
				buf_puts(&b, " ");
			space = 1;
			s++;
			continue;
		}
		buf_append(&b, s, 1);
		space = 0;
		s++;
	}
	buf_puts(&b, "");
	r = buf_detach(&b);
	if (!r)
		return NULL;
	/* Trim each line, at most one empty line in a row, no blank ends. */
	w = r;
	{
		int nl = 2; /* at the start: as after a blank line */
		char *line = r;

		while (line && *line) {
			char *eol = strchr(line, '\n');
			size_t len = eol ? (size_t)(eol - line) : strlen(line);
			char *a = line, *z = line + len;

			while (a < z && (*a == ' '))
				a++;
			while (z > a && z[-1] == ' ')
				z--;
			if (a == z) {
				if (nl < 2) {
					*w++ = '\n';
					nl++;
				}
			} else {
				memmove(w, a, (size_t)(z - a));
				w += z - a;
				*w++ = '\n';
				nl = 1;
			}
			line = eol ? eol + 1 : NULL;
		}
		while (w > r && w[-1] == '\n')
			w--;
		*w = 0;
	}
	return clean_utf8(r);
}

/* -- Parsing -- */

struct walk {
	struct chan_mail *m;
	const struct chan_mail_limits *lim;
	size_t total;
	GMimeFormatOptions *fo;
};

static GByteArray *part_bytes(GMimePart *part)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	GMimeStream *mem;
	GByteArray *ba;

	if (!dw)
		return NULL;
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(dw, mem);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	g_object_unref(mem);
	return ba;
}

static void add_file(struct walk *w, const char *name, const char *type, const void *data,
		     size_t size)
{
	struct chan_mail *m = w->m;
	struct chan_file *f;
	void *copy;

	if (m->nfiles >= w->lim->max_files || m->nfiles >= CHAN_FILES_MAX ||
	    size > w->lim->max_file_size || w->total + size > w->lim->max_total) {
		m->dropped++;
		return;
	}
	copy = malloc(size ? size : 1);
	if (!copy) {
		m->dropped++;
		return;
	}
	/* An empty part's bytes may be NULL (an empty GByteArray), which
	 * memcpy must not be given even for 0 bytes (found by fuzz_mail). */
	if (size)
		memcpy(copy, data, size);
	f = &m->files[m->nfiles++];
	f->name = one_line(name);
	f->type = strdup(type);
	f->data = copy;
	f->size = size;
	w->total += size;
}

static void walk_part(struct walk *w, GMimeObject *o, int depth)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);

	if (depth > 20) /* a nesting no mailer writes: a crafted mail */
		return;
	if (GMIME_IS_MULTIPART(o)) {
		GMimeMultipart *mp = GMIME_MULTIPART(o);
		int n = g_mime_multipart_get_count(mp);

		for (int i = 0; i < n; i++)
			walk_part(w, g_mime_multipart_get_part(mp, i), depth + 1);
		return;
	}
	if (GMIME_IS_MESSAGE_PART(o)) {
		/* A forwarded mail is a file the agent can open, not text of this one. */
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
		const char *fn = g_mime_object_get_content_disposition_parameter(o, "filename");
		char *bytes;
		char name[CHAN_SUBJECT_MAX * 4 + 8];

		if (!inner)
			return;
		bytes = g_mime_object_to_string(GMIME_OBJECT(inner), w->fo);
		if (fn && *fn)
			snprintf(name, sizeof(name), "%s", fn);
		else {
			const char *subj = g_mime_message_get_subject(inner);

			snprintf(name, sizeof(name), "%.600s.eml",
				 subj && *subj ? subj : "message");
		}
		utf8_trim_partial(name);
		add_file(w, name, "message/rfc822", bytes, strlen(bytes));
		g_free(bytes);
		return;
	}
	if (GMIME_IS_PART(o)) {
		GMimePart *part = GMIME_PART(o);
		int attachment = g_mime_part_is_attachment(part);
		const char *fn = g_mime_part_get_filename(part);
		int plain = g_mime_content_type_is_type(ct, "text", "plain");
		int html = g_mime_content_type_is_type(ct, "text", "html");
		GByteArray *ba;

		if (!attachment && plain && !w->m->text && !fn) {
			ba = part_bytes(part);
			w->m->text =
				body_utf8(ba ? (const char *)ba->data : "", ba ? ba->len : 0,
					  g_mime_object_get_content_type_parameter(o, "charset"));
		} else if (!attachment && html && !w->m->html && !fn) {
			ba = part_bytes(part);
			if (ba && ba->len <= CHAN_MAIL_HTML_MAX)
				w->m->html = body_utf8(
					(const char *)ba->data, ba->len,
					g_mime_object_get_content_type_parameter(o, "charset"));
		} else if ((plain || html) && !attachment && !fn) {
			return; /* a second text part of an alternative: the first is enough */
		} else {
			char *type = g_mime_content_type_get_mime_type(ct);

			ba = part_bytes(part);
			add_file(w, fn && *fn ? fn : "attachment", type,
				 ba ? (const void *)ba->data : "", ba ? ba->len : 0);
			g_free(type);
		}
		if (ba)
			g_byte_array_unref(ba);
	}
}

/* Ids of an In-Reply-To or References header without <>, separated by spaces, or NULL. */
static char *ids_of(GMimeParserOptions *po, const char *header)
{
	GMimeReferences *refs;
	struct buf b = BUF_INIT;
	int n;

	if (!header)
		return NULL;
	refs = g_mime_references_parse(po, header);
	if (!refs)
		return NULL;
	n = g_mime_references_length(refs);
	/* The last ones are the nearest; a thread of hundreds keeps its newest 20. */
	for (int i = n > 20 ? n - 20 : 0; i < n; i++) {
		const char *id = g_mime_references_get_message_id(refs, i);

		if (!id || !*id || strlen(id) > CHAN_EXT_ID_MAX || strchr(id, ' '))
			continue;
		if (b.len)
			buf_puts(&b, " ");
		buf_puts(&b, id);
	}
	g_mime_references_free(refs);
	if (!b.len) {
		buf_release(&b);
		return NULL;
	}
	return clean_utf8(buf_detach(&b));
}

static int fail(struct chan_mail *m, char *error, size_t size, const char *why)
{
	chan_mail_free(m);
	snprintf(error, size, "%s", why);
	return ERR_INVALID;
}

int chan_mail_parse(const void *raw, size_t len, const struct chan_mail_limits *lim,
		    struct chan_mail *m, char *error, size_t error_size)
{
	struct chan_mail_limits deflim;
	GMimeParserOptions *po;
	GMimeStream *st;
	GMimeParser *parser;
	GMimeMessage *msg;
	InternetAddressList *from;
	InternetAddress *ia = NULL;
	struct walk w;
	const char *s;
	GDateTime *dt;
	int rc = 0;

	chan_mail_init();
	memset(m, 0, sizeof(*m));
	if (!lim) {
		chan_mail_limits_default(&deflim);
		lim = &deflim;
	}
	if (len == 0 || len > CHAN_MAIL_RAW_MAX)
		return fail(m, error, error_size,
			    len ? "the mail is too big" : "the mail is empty");
	po = g_mime_parser_options_new();
	/* Raw 8-bit headers from careless mailers: UTF-8 if it is, else GB18030. */
	{
		const char *fallback[] = {"UTF-8", "GB18030", NULL};

		g_mime_parser_options_set_fallback_charsets(po, fallback);
	}
	g_mime_parser_options_set_rfc2047_compliance_mode(po, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(po, GMIME_RFC_COMPLIANCE_LOOSE);
	st = g_mime_stream_mem_new_with_buffer(raw, len);
	parser = g_mime_parser_new_with_stream(st);
	msg = g_mime_parser_construct_message(parser, po);
	g_object_unref(parser);
	g_object_unref(st);
	if (!msg) {
		g_mime_parser_options_free(po);
		return fail(m, error, error_size, "not a mail message");
	}
	from = g_mime_message_get_from(msg);
	for (int i = 0; from && i < internet_address_list_length(from); i++) {
		InternetAddress *a = internet_address_list_get_address(from, i);

		if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
			ia = a;
			break;
		}
	}
	s = ia ? internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)) : NULL;
	if (!s || !strchr(s, '@') || strchr(s, ' ') || strlen(s) > CHAN_PEER_MAX || s[0] == '@' ||
	    !utf8_valid(s, strlen(s))) {
		rc = fail(m, error, error_size, "no sender address");
		goto out;
	}
	{
		char *low = g_ascii_strdown(s, -1);

		m->from = strdup(low);
		g_free(low);
	}
	s = internet_address_get_name(ia);
	if (s && *s) {
		m->from_name = one_line(s);
		cut_chars(m->from_name, CHAN_NAME_MAX);
	}
	m->subject = one_line(g_mime_message_get_subject(msg));
	cut_chars(m->subject, CHAN_SUBJECT_MAX);
	s = g_mime_message_get_message_id(msg);
	if (s && *s && strlen(s) <= CHAN_EXT_ID_MAX && !strchr(s, ' ') &&
	    utf8_valid(s, strlen(s))) {
		m->message_id = strdup(s);
	} else {
		/* No id: the same bytes fetched twice still get the same one, so nothing is stored
		 * twice. */
		char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, raw, len);
		char id[96];

		snprintf(id, sizeof(id), "%.40s@no-message-id.kefu", sum);
		g_free(sum);
		m->message_id = strdup(id);
	}
	m->in_reply_to = ids_of(po, g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To"));
	m->references = ids_of(po, g_mime_object_get_header(GMIME_OBJECT(msg), "References"));
	/* Out-of-office and other automatic answers (RFC 3834) are not a customer writing. */
	{
		const char *as = g_mime_object_get_header(GMIME_OBJECT(msg), "Auto-Submitted");
		const char *xa = g_mime_object_get_header(GMIME_OBJECT(msg), "X-Autoreply");
		const char *pr = g_mime_object_get_header(GMIME_OBJECT(msg), "Precedence");

		while (as && (*as == ' ' || *as == '\t'))
			as++;
		m->automatic = (as && *as && g_ascii_strncasecmp(as, "no", 2)) ||
			       (xa && !g_ascii_strncasecmp(xa + strspn(xa, " \t"), "yes", 3)) ||
			       (pr && strstr(pr, "auto_reply"));
	}
	dt = g_mime_message_get_date(msg);
	if (dt)
		m->date = (int64_t)g_date_time_to_unix(dt) * 1000;
	w.m = m;
	w.lim = lim;
	w.total = 0;
	w.fo = g_mime_format_options_get_default();
	if (g_mime_message_get_mime_part(msg))
		walk_part(&w, g_mime_message_get_mime_part(msg), 0);
	if (!m->text && m->html)
		m->text = chan_mail_html_text(m->html);
	if (!m->text)
		m->text = strdup("");
	/* Trailing blank lines and the body past CHAN_TEXT_MAX go; the whole is still in the HTML
	 * or lost with a mark. */
	{
		size_t n = strlen(m->text);

		while (n > 0 &&
		       (m->text[n - 1] == '\n' || m->text[n - 1] == '\r' || m->text[n - 1] == ' '))
			m->text[--n] = 0;
		if (utf8_len(m->text) > CHAN_TEXT_MAX) {
			cut_chars(m->text, CHAN_TEXT_MAX - 2);
			n = strlen(m->text);
			m->text = realloc(m->text, n + 8);
			strcpy(m->text + n, "\n…");
		}
	}
	if (!m->from || !m->subject || !m->message_id || !m->text)
		rc = fail(m, error, error_size, "out of memory");
out:
	g_object_unref(msg);
	g_mime_parser_options_free(po);
	return rc;
}

void chan_mail_free(struct chan_mail *m)
{
	free(m->from);
	free(m->from_name);
	free(m->subject);
	free(m->message_id);
	free(m->in_reply_to);
	free(m->references);
	free(m->text);
	free(m->html);
	for (int i = 0; i < m->nfiles; i++) {
		free((void *)m->files[i].name);
		free((void *)m->files[i].type);
		free((void *)m->files[i].data);
	}
	memset(m, 0, sizeof(*m));
}

void chan_mail_inbound(const struct chan_mail *m, int64_t account_id, struct chan_inbound *in)
{
	memset(in, 0, sizeof(*in));
	in->account_id = account_id;
	in->peer = m->from;
	in->peer_name = m->from_name;
	in->subject = m->subject;
	in->text = m->text;
	in->html = m->html;
	in->ext_id = m->message_id;
	in->in_reply_to = m->in_reply_to;
	in->references = m->references;
	in->at = m->date;
	for (int i = 0; i < m->nfiles; i++)
		in->files[i] = m->files[i];
	in->nfiles = m->nfiles;
}

/* -- Building a reply -- */

static int has_re(const char *s)
{
	return !g_ascii_strncasecmp(s, "re:", 3) || !strncmp(s, "回复：", strlen("回复：")) ||
	       !strncmp(s, "回复:", strlen("回复:")) || !strncmp(s, "答复：", strlen("答复："));
}

/* "<id>" from an id with or without <>. */
static void bracket(struct buf *b, const char *id, size_t n)
{
	if (n && id[0] == '<') {
		id++;
		n--;
	}
	if (n && id[n - 1] == '>')
		n--;
	if (!n)
		return;
	if (b->len)
		buf_puts(b, " ");
	buf_puts(b, "<");
	buf_append(b, id, n);
	buf_puts(b, ">");
}

static int bad_addr(const char *a)
{
	return !a || !strchr(a, '@') || strpbrk(a, " \r\n<>,") || strlen(a) > CHAN_PEER_MAX;
}

int chan_mail_build(const struct chan_mail_out *o, char **out, size_t *out_len, char *msgid,
		    size_t msgid_size)
{
	GMimeMessage *msg;
	GMimeTextPart *tp;
	GMimeObject *body;
	GMimeFormatOptions *fo;
	GMimeStream *mem;
	GByteArray *ba;
	GDateTime *dt;
	struct buf b = BUF_INIT;
	const char *subj = o->subject ? o->subject : "";
	char *id;

	*out = NULL;
	*out_len = 0;
	if (bad_addr(o->from) || bad_addr(o->to))
		return ERR_INVALID;
	chan_mail_init();
	msg = g_mime_message_new(TRUE);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, o->from_name, o->from);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, o->to_name, o->to);
	if (o->fresh || has_re(subj))
		buf_puts(&b, subj);
	else
		buf_printf(&b, "Re: %s", subj);
	g_mime_message_set_subject(msg, buf_str(&b), "utf-8");
	buf_reset(&b);
	dt = g_date_time_new_from_unix_utc(o->now / 1000);
	g_mime_message_set_date(msg, dt);
	g_date_time_unref(dt);
	id = g_mime_utils_generate_message_id(strchr(o->from, '@') + 1);
	g_mime_message_set_message_id(msg, id);
	snprintf(msgid, msgid_size, "%s", id);
	g_free(id);
	/* Threading (RFC 5322 3.6.4): the customer's mailer files the reply under its thread. */
	if (o->in_reply_to && *o->in_reply_to) {
		bracket(&b, o->in_reply_to, strlen(o->in_reply_to));
		g_mime_object_set_header(GMIME_OBJECT(msg), "In-Reply-To", buf_str(&b), NULL);
	}
	{
		struct buf refs = BUF_INIT;
		const char *p = o->references ? o->references : "";

		while (*p) {
			size_t n = strcspn(p, " \t\r\n");

			bracket(&refs, p, n);
			p += n;
			p += strspn(p, " \t\r\n");
		}
		if (b.len && !strstr(buf_str(&refs), buf_str(&b)))
			bracket(&refs, buf_str(&b), b.len);
		if (refs.len)
			g_mime_object_set_header(GMIME_OBJECT(msg), "References", buf_str(&refs),
						 NULL);
		buf_release(&refs);
	}
	buf_release(&b);
	tp = g_mime_text_part_new_with_subtype("plain");
	g_mime_text_part_set_charset(tp, "utf-8");
	g_mime_text_part_set_text(tp, o->text ? o->text : "");
	g_mime_part_set_content_encoding(GMIME_PART(tp), GMIME_CONTENT_ENCODING_BASE64);
	body = GMIME_OBJECT(tp);
	if (o->nfiles > 0) {
		GMimeMultipart *mp = g_mime_multipart_new_with_subtype("mixed");

		g_mime_multipart_add(mp, body);
		g_object_unref(body);
		for (int i = 0; i < o->nfiles; i++) {
			const struct chan_file *f = &o->files[i];
			GMimeContentType *ct = g_mime_content_type_parse(
				NULL, f->type && *f->type ? f->type : "application/octet-stream");
			GMimePart *part = g_mime_part_new_with_type(
				g_mime_content_type_get_media_type(ct),
				g_mime_content_type_get_media_subtype(ct));
			GMimeStream *fs = g_mime_stream_mem_new_with_buffer(f->data, f->size);
			GMimeDataWrapper *dw = g_mime_data_wrapper_new_with_stream(
				fs, GMIME_CONTENT_ENCODING_DEFAULT);

			g_object_unref(ct);
			g_mime_part_set_content(part, dw);
			g_object_unref(dw);
			g_object_unref(fs);
			g_mime_part_set_filename(part,
						 f->name && *f->name ? f->name : "attachment");
			g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
			g_mime_multipart_add(mp, GMIME_OBJECT(part));
			g_object_unref(part);
		}
		body = GMIME_OBJECT(mp);
	}
	g_mime_message_set_mime_part(msg, body);
	g_object_unref(body);
	fo = g_mime_format_options_clone(g_mime_format_options_get_default());
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
	mem = g_mime_stream_mem_new();
	g_mime_object_write_to_stream(GMIME_OBJECT(msg), fo, mem);
	g_mime_format_options_free(fo);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	*out = malloc(ba->len + 1);
	if (*out) {
		memcpy(*out, ba->data, ba->len);
		(*out)[ba->len] = 0;
		*out_len = ba->len;
	}
	g_object_unref(mem);
	g_object_unref(msg);
	return *out ? 0 : ERR_NOMEM;
}

/* -- An account's config -- */

int64_t chan_mail_next_poll(int poll_sec, int failures, int backlog)
{
	int64_t sec = poll_sec;

	if (failures <= 0)
		return backlog ? 0 : sec * 1000;
	/* Every connection to a server that does not answer holds the scheduler up to 10 s:
	 * ask it half as often after each failure, up to every 15 minutes. */
	for (int i = 0; i < failures && sec < CHAN_MAIL_BACKOFF_MAX; i++)
		sec *= 2;
	if (sec > CHAN_MAIL_BACKOFF_MAX)
		sec = CHAN_MAIL_BACKOFF_MAX;
	return (sec > poll_sec ? sec : poll_sec) * 1000LL;
}

/* url is scheme a or b followed by a host (at least one character that can start one). */
static int url_has(const char *url, const char *a, const char *b)
{
	size_t n = !g_ascii_strncasecmp(url, a, strlen(a))   ? strlen(a)
		   : !g_ascii_strncasecmp(url, b, strlen(b)) ? strlen(b)
							     : 0;

	return n && (isalnum((unsigned char)url[n]) || url[n] == '[');
}

/* 1 when a Sent folder's name could not be a mailbox: too long, or with control characters or
 * IMAP's wildcards; "" (no copy) is fine. */
static int bad_folder(const char *f)
{
	if (strlen(f) > CHAN_MAIL_FOLDER_MAX)
		return 1;
	for (const unsigned char *p = (const unsigned char *)f; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '*' || *p == '%')
			return 1;
	return 0;
}

int chan_mail_config_check(const struct chan_mail_config *c, char *error, size_t error_size)
{
	const char *why = NULL;

	if (!url_has(c->imap_url, "imap://", "imaps://"))
		why = "imap_url must be imap://host[:port]/MAILBOX or imaps://";
	else if (!url_has(c->smtp_url, "smtp://", "smtps://"))
		why = "smtp_url must be smtp://host[:port] or smtps://";
	else if (bad_addr(c->address))
		why = "address must be an email address";
	else if (c->poll_sec < CHAN_MAIL_POLL_MIN || c->poll_sec > CHAN_MAIL_POLL_MAX)
		why = "poll_sec must be between 5 and 3600";
	else if (c->tls < 0)
		why = "tls must be try, require or none";
	else if (strpbrk(c->imap_url, " \r\n") || strpbrk(c->smtp_url, " \r\n"))
		why = "a URL must not contain spaces";
	else if (bad_folder(c->sent_folder))
		why = "sent_folder must be a mailbox name of at most 200 bytes";
	if (why) {
		snprintf(error, error_size, "%s", why);
		return ERR_INVALID;
	}
	return 0;
}
