/*
 * Markdown documents with front matter (kb_seed.h): the scripts file kefu
 * ships and the files people import and export. Pure C, no I/O.
 */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "kb/kb.h"

/* One line: [*p, end of line); *next after its newline. */
static size_t line_end(const char *t, size_t len, size_t p, size_t *next)
{
	size_t e = p;

	while (e < len && t[e] != '\n')
		e++;
	*next = e < len ? e + 1 : e;
	if (e > p && t[e - 1] == '\r')
		e--;
	return e;
}

static int is_rule(const char *t, size_t b, size_t e)
{
	return e - b == 3 && memcmp(t + b, "---", 3) == 0;
}

static int blank(const char *t, size_t b, size_t e)
{
	for (size_t i = b; i < e; i++)
		if (t[i] != ' ' && t[i] != '\t')
			return 0;
	return 1;
}

/* [b, e) without spaces around it. */
static void trim(const char *t, size_t *b, size_t *e)
{
	while (*b < *e && (t[*b] == ' ' || t[*b] == '\t'))
		(*b)++;
	while (*e > *b && (t[*e - 1] == ' ' || t[*e - 1] == '\t'))
		(*e)--;
}

static size_t utf8_chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* A separator of list items at t[i]: ',' or the full-width '，' or '、'; its length. */
static size_t separator(const char *t, size_t i, size_t e)
{
	if (t[i] == ',')
		return 1;
	if (e - i >= 3 && (memcmp(t + i, "，", 3) == 0 || memcmp(t + i, "、", 3) == 0))
		return 3;
	return 0;
}

/* "a, b" or "[a, b]" (items may be quoted) into l. */
static int parse_list(const char *t, size_t b, size_t e, struct kb_doc_list *l, int line,
		      const char *key, struct err_info *ei)
{
	trim(t, &b, &e);
	if (e > b && t[b] == '[' && t[e - 1] == ']') {
		b++;
		e--;
	}
	l->n = 0;
	while (b < e) {
		size_t i = b, s = 0, ib, ie;

		while (i < e && !(s = separator(t, i, e)))
			i++;
		ib = b;
		ie = i;
		trim(t, &ib, &ie);
		if (ie - ib >= 2 && (t[ib] == '"' || t[ib] == '\'') && t[ie - 1] == t[ib]) {
			ib++;
			ie--;
		}
		if (ie > ib) {
			if (l->n == KB_DOC_LIST_MAX || ie - ib >= KB_DOC_ITEM_MAX)
				return err_set(ei, ERR_UNPROCESSABLE, key,
					       "line %d: %s: at most %d items of at most %d bytes",
					       line, key, KB_DOC_LIST_MAX, KB_DOC_ITEM_MAX - 1);
			memcpy(l->item[l->n], t + ib, ie - ib);
			l->item[l->n][ie - ib] = '\0';
			l->n++;
		}
		b = i + s;
		if (s == 0)
			break;
	}
	return 0;
}

static int copy_field(char *dst, size_t size, const char *t, size_t b, size_t e, int line,
		      const char *key, struct err_info *ei)
{
	trim(t, &b, &e);
	if (e - b >= 2 && (t[b] == '"' || t[b] == '\'') && t[e - 1] == t[b]) {
		b++;
		e--;
	}
	if (e - b >= size)
		return err_set(ei, ERR_UNPROCESSABLE, key, "line %d: %s: too long", line, key);
	memcpy(dst, t + b, e - b);
	dst[e - b] = '\0';
	return 0;
}

static int field(struct kb_doc *d, const char *t, size_t b, size_t e, int line, struct err_info *ei)
{
	size_t colon = b, kb = b, ke, vb;
	char key[24];

	while (colon < e && t[colon] != ':')
		colon++;
	ke = colon;
	trim(t, &kb, &ke);
	if (colon == e || ke == kb || ke - kb >= sizeof(key))
		return err_set(ei, ERR_UNPROCESSABLE, "front_matter",
			       "line %d: expected key: value", line);
	memcpy(key, t + kb, ke - kb);
	key[ke - kb] = '\0';
	vb = colon + 1;
	if (strcmp(key, "title") == 0)
		return copy_field(d->title, sizeof(d->title), t, vb, e, line, "title", ei);
	if (strcmp(key, "kind") == 0)
		return copy_field(d->kind, sizeof(d->kind), t, vb, e, line, "kind", ei);
	if (strcmp(key, "slot") == 0)
		return copy_field(d->slot, sizeof(d->slot), t, vb, e, line, "slot", ei);
	if (strcmp(key, "source") == 0)
		return copy_field(d->source, sizeof(d->source), t, vb, e, line, "source", ei);
	if (strcmp(key, "category") == 0)
		return copy_field(d->category, sizeof(d->category), t, vb, e, line, "category", ei);
	if (strcmp(key, "tags") == 0)
		return parse_list(t, vb, e, &d->tags, line, "tags", ei);
	if (strcmp(key, "complaints") == 0)
		return parse_list(t, vb, e, &d->complaints, line, "complaints", ei);
	if (strcmp(key, "classes") == 0)
		return parse_list(t, vb, e, &d->classes, line, "classes", ei);
	if (strcmp(key, "channels") == 0)
		return parse_list(t, vb, e, &d->channels, line, "channels", ei);
	return err_set(ei, ERR_UNPROCESSABLE, "front_matter", "line %d: %s: unknown field", line,
		       key);
}

/* The checks every document passes, whatever its origin. */
int kb_doc_check(struct kb_doc *d, struct err_info *ei)
{
	size_t n = strlen(d->title);

	if (!d->kind[0])
		snprintf(d->kind, sizeof(d->kind), "%s", d->slot[0] ? "script" : "article");
	if (strcmp(d->kind, "article") != 0 && strcmp(d->kind, "script") != 0)
		return err_set(ei, ERR_UNPROCESSABLE, "kind", "line %d: kind: article or script",
			       d->line);
	if (strcmp(d->kind, "script") == 0 && !d->slot[0])
		return err_set(ei, ERR_UNPROCESSABLE, "slot",
			       "line %d: slot: required for a script", d->line);
	if (d->slot[0] && !kb_slot_valid(d->slot))
		return err_set(ei, ERR_UNPROCESSABLE, "slot", "line %d: slot: unknown", d->line);
	if (n == 0)
		return err_set(ei, ERR_UNPROCESSABLE, "title", "line %d: title: required", d->line);
	if (utf8_chars(d->title, n) > KB_DOC_TITLE_MAX)
		return err_set(ei, ERR_UNPROCESSABLE, "title",
			       "line %d: title: at most %d characters", d->line, KB_DOC_TITLE_MAX);
	if (d->body_len > KB_DOC_BODY_MAX)
		return err_set(ei, ERR_TOOBIG, "body", "body: at most %d bytes", KB_DOC_BODY_MAX);
	return 0;
}

/* The body [b, e): blank lines around it dropped. */
static void set_body(struct kb_doc *d, const char *t, size_t b, size_t e)
{
	size_t next;

	while (b < e) {
		size_t le = line_end(t, e, b, &next);

		if (!blank(t, b, le))
			break;
		b = next;
	}
	while (e > b &&
	       (t[e - 1] == '\n' || t[e - 1] == '\r' || t[e - 1] == ' ' || t[e - 1] == '\t'))
		e--;
	d->body = t + b;
	d->body_len = e - b;
}

int kb_doc_next(const char *text, size_t len, size_t *pos, struct kb_doc *d, struct err_info *ei)
{
	size_t p = *pos, next, e;
	int line = 1, rc;

	memset(d, 0, sizeof(*d));
	for (size_t i = 0; i < p && i < len; i++)
		line += text[i] == '\n';
	/* Up to the opening "---". */
	for (;;) {
		if (p >= len) {
			*pos = len;
			return 0;
		}
		size_t b = p;

		e = line_end(text, len, p, &next);
		p = next;
		if (is_rule(text, b, e))
			break;
		line++;
	}
	d->line = line;
	line++;
	/* The front matter. */
	for (;;) {
		size_t b = p;

		if (p >= len)
			return err_set(ei, ERR_UNPROCESSABLE, "front_matter",
				       "line %d: the front matter is not closed", d->line);
		e = line_end(text, len, p, &next);
		p = next;
		if (is_rule(text, b, e))
			break;
		if (!blank(text, b, e) && text[b] != '#') {
			rc = field(d, text, b, e, line, ei);
			if (rc < 0)
				return rc;
		}
		line++;
	}
	/* The body, up to the next "---" line. */
	{
		size_t b = p, q = p;

		while (q < len) {
			size_t lb = q;

			e = line_end(text, len, q, &next);
			if (is_rule(text, lb, e))
				break;
			q = next;
		}
		set_body(d, text, b, q);
		*pos = q;
	}
	return kb_doc_check(d, ei) < 0 ? ERR_UNPROCESSABLE : 1;
}

int kb_doc_parse_one(const char *text, size_t len, struct kb_doc *d, struct err_info *ei)
{
	size_t p = 0, next, e;
	int rc;

	/* A byte-order mark some editors write. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}
	while (p < len) {
		e = line_end(text, len, p, &next);
		if (!blank(text, p, e))
			break;
		p = next;
	}
	e = line_end(text, len, p, &next);
	if (p < len && is_rule(text, p, e)) {
		/* Front matter: the rest of the file is the body, "---" lines and all. */
		rc = kb_doc_next(text, len, &p, d, ei);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return err_set(ei, ERR_UNPROCESSABLE, "file", "file: empty");
		set_body(d, text, (size_t)(d->body - text), len);
		return kb_doc_check(d, ei) < 0 ? ERR_UNPROCESSABLE : 0;
	}
	/* No front matter: the first "# " heading is the title, the rest the body. */
	memset(d, 0, sizeof(*d));
	d->line = 1;
	for (size_t q = 0; q < len; q = next) {
		e = line_end(text, len, q, &next);
		if (e - q > 2 && text[q] == '#' && text[q + 1] == ' ') {
			rc = copy_field(d->title, sizeof(d->title), text, q + 2, e, 1, "title", ei);
			if (rc < 0)
				return rc;
			set_body(d, text, next, len);
			return kb_doc_check(d, ei) < 0 ? ERR_UNPROCESSABLE : 0;
		}
	}
	set_body(d, text, 0, len);
	return kb_doc_check(d, ei) < 0 ? ERR_UNPROCESSABLE : 0;
}

static int write_list(struct buf *out, const char *key, const struct kb_doc_list *l)
{
	int rc = 0;

	if (l->n == 0)
		return 0;
	rc = buf_printf(out, "%s: ", key);
	for (int i = 0; i < l->n && rc == 0; i++)
		rc = buf_printf(out, "%s%s", i ? ", " : "", l->item[i]);
	return rc == 0 ? buf_puts(out, "\n") : rc;
}

int kb_doc_write(const struct kb_doc *d, struct buf *out)
{
	int rc = buf_printf(out, "---\ntitle: %s\nkind: %s\n", d->title,
			    d->kind[0] ? d->kind : "article");

	if (rc == 0 && d->slot[0])
		rc = buf_printf(out, "slot: %s\n", d->slot);
	if (rc == 0 && d->category[0])
		rc = buf_printf(out, "category: %s\n", d->category);
	if (rc == 0)
		rc = write_list(out, "tags", &d->tags);
	if (rc == 0)
		rc = write_list(out, "complaints", &d->complaints);
	if (rc == 0)
		rc = write_list(out, "classes", &d->classes);
	if (rc == 0)
		rc = write_list(out, "channels", &d->channels);
	if (rc == 0 && d->source[0])
		rc = buf_printf(out, "source: %s\n", d->source);
	if (rc == 0)
		rc = buf_puts(out, "---\n\n");
	if (rc == 0)
		rc = buf_append(out, d->body, d->body_len);
	return rc == 0 ? buf_puts(out, "\n") : rc;
}

static int json_str(struct buf *out, const char *s)
{
	int rc = buf_puts(out, "\"");

	for (; *s && rc == 0; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			rc = buf_printf(out, "\\%c", c);
		else if (c < 0x20)
			rc = buf_printf(out, "\\u%04x", c);
		else
			rc = buf_append(out, s, 1);
	}
	return rc == 0 ? buf_puts(out, "\"") : rc;
}

int kb_doc_list_json(const struct kb_doc_list *l, struct buf *out)
{
	int rc = buf_puts(out, "[");

	for (int i = 0; i < l->n && rc == 0; i++) {
		if (i)
			rc = buf_puts(out, ",");
		if (rc == 0)
			rc = json_str(out, l->item[i]);
	}
	return rc == 0 ? buf_puts(out, "]") : rc;
}

int kb_doc_list_parse(const char *s, struct kb_doc_list *l, int line, const char *key,
		      struct err_info *ei)
{
	return parse_list(s, 0, strlen(s), l, line, key, ei);
}
