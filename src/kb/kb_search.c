/*
 * The knowledge base's search rules (kb_search.h): query parsing, pinyin
 * initials, synonyms, the MATCH expression, highlighting, snippets and
 * ranking. Pure C: no I/O, no SQL, no locks.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/utf8.h"
#include "kb/kb.h"

/* build/gen/kb_pinyin.c (mk/pinyin.sh): one letter or '-' per code point. */
extern const char kb_pinyin_initials[];

#define PINYIN_FIRST 0x3400u
#define PINYIN_LAST 0x9FFFu

static int is_cjk(unsigned cp)
{
	/* The same ranges as the kefu_cjk tokenizer (store/fts_cjk.c). */
	return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
	       (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF);
}

static int is_alnum(unsigned cp)
{
	return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* One code point of s (n bytes left); its length (1 for a bad byte). */
static int decode(const char *str, size_t n, unsigned *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	int len;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
	if (len == 1 || (size_t)len > n) {
		*cp = 0xFFFD;
		return 1;
	}
	*cp = s[0] & (0x3F >> (len - 1));
	for (int i = 1; i < len; i++)
		*cp = (*cp << 6) | (s[i] & 0x3F);
	return len;
}

int kb_pinyin_initial(unsigned cp)
{
	char c;

	if (cp < PINYIN_FIRST || cp > PINYIN_LAST)
		return 0;
	c = kb_pinyin_initials[cp - PINYIN_FIRST];
	return c >= 'a' && c <= 'z' ? c : 0;
}

/* Every run of 2..KB_INITIALS_MAX letters of one run of initials. */
static int emit_ngrams(const char *run, size_t len, struct buf *out)
{
	for (size_t i = 0; i + 1 < len; i++)
		for (size_t k = 2; k <= KB_INITIALS_MAX && i + k <= len; k++) {
			if (out->len && buf_puts(out, " ") < 0)
				return ERR_NOMEM;
			if (buf_append(out, run + i, k) < 0)
				return ERR_NOMEM;
		}
	return 0;
}

int kb_initials_material(const char *text, struct buf *out)
{
	char run[512];
	size_t len = 0, n = strlen(text), i = 0;

	while (i <= n) {
		unsigned cp = 0;
		int step = i < n ? decode(text + i, n - i, &cp) : 1;
		int c = i < n ? kb_pinyin_initial(cp) : 0;

		if (c && len < sizeof(run)) {
			run[len++] = (char)c;
		} else {
			if (emit_ngrams(run, len, out) < 0)
				return ERR_NOMEM;
			len = 0;
			if (c)
				run[len++] = (char)c;
		}
		i += (size_t)step;
	}
	return 0;
}

/* --- Queries. --- */

static void add_term(struct kb_query *q, const char *s, size_t len, int cjk)
{
	struct kb_term *t;
	size_t i = 0, used = 0;
	int letters = 1;

	if (q->n >= KB_QUERY_TERMS || len == 0)
		return;
	t = &q->terms[q->n++];
	memset(t, 0, sizeof(*t));
	/* Cut at a character boundary. */
	while (i < len) {
		unsigned cp;
		int step = decode(s + i, len - i, &cp);

		if (used + (size_t)step >= KB_TERM_MAX)
			break;
		for (int k = 0; k < step; k++)
			t->text[used++] = (char)lower((unsigned char)s[i + k]);
		if (!(cp >= 'a' && cp <= 'z') && !(cp >= 'A' && cp <= 'Z'))
			letters = 0;
		i += (size_t)step;
	}
	t->text[used] = '\0';
	t->cjk = cjk;
	t->initials = !cjk && letters && used >= 2 && used <= KB_INITIALS_MAX;
	t->nvariants = 1;
	memcpy(t->variants[0], t->text, used + 1);
}

int kb_query_parse(const char *typed, struct kb_query *q)
{
	size_t n = strlen(typed), i = 0, start = 0;
	int cls = 0; /* of the term being read: 0 none, 1 Latin, 2 Chinese */

	memset(q, 0, sizeof(*q));
	if (n > KB_QUERY_BYTES)
		n = KB_QUERY_BYTES;
	while (i <= n) {
		unsigned cp = 0;
		int step = i < n ? decode(typed + i, n - i, &cp) : 1;
		int c = i >= n ? 0 : is_alnum(cp) ? 1 : is_cjk(cp) ? 2 : 0;

		if (c != cls) {
			if (cls)
				add_term(q, typed + start, i - start, cls == 2);
			start = i;
			cls = c;
		}
		i += (size_t)step;
	}
	return q->n ? 0 : ERR_NOTFOUND;
}

/* Where needle occurs in hay, ASCII case-insensitively; NULL if not. */
static const char *find_ci(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	if (nlen == 0 || nlen > hlen)
		return NULL;
	for (size_t i = 0; i + nlen <= hlen; i++) {
		size_t k = 0;

		while (k < nlen &&
		       lower((unsigned char)hay[i + k]) == lower((unsigned char)needle[k]))
			k++;
		if (k == nlen)
			return hay + i;
	}
	return NULL;
}

void kb_query_expand(struct kb_query *q, const struct kb_synonym *syn, size_t n)
{
	for (int t = 0; t < q->n; t++) {
		struct kb_term *term = &q->terms[t];
		size_t tlen = strlen(term->text), best_len = 0;
		const struct kb_synonym *best = NULL;
		const char *at = NULL;

		for (size_t i = 0; i < n; i++) {
			size_t wlen = strlen(syn[i].word);
			const char *p = find_ci(term->text, tlen, syn[i].word, wlen);

			if (p && wlen > best_len) {
				best = &syn[i];
				best_len = wlen;
				at = p;
			}
		}
		if (!best)
			continue;
		for (size_t i = 0; i < n && term->nvariants < KB_VARIANTS; i++) {
			size_t head = (size_t)(at - term->text), wlen = strlen(syn[i].word);
			char *v = term->variants[term->nvariants];

			if (syn[i].group != best->group || &syn[i] == best)
				continue;
			if (head + wlen + (tlen - head - best_len) >= KB_TERM_MAX)
				continue;
			memcpy(v, term->text, head);
			memcpy(v + head, syn[i].word, wlen);
			memcpy(v + head + wlen, at + best_len, tlen - head - best_len + 1);
			for (char *c = v; *c; c++)
				*c = (char)lower((unsigned char)*c);
			term->nvariants++;
		}
	}
}

static int put_phrase(struct buf *out, const char *s)
{
	if (buf_puts(out, "\"") < 0)
		return ERR_NOMEM;
	for (; *s; s++)
		if ((*s == '"' && buf_puts(out, "\"") < 0) || buf_append(out, s, 1) < 0)
			return ERR_NOMEM;
	return buf_puts(out, "\"") < 0 ? ERR_NOMEM : 0;
}

int kb_query_match(const struct kb_query *q, struct buf *out)
{
	for (int t = 0; t < q->n; t++) {
		const struct kb_term *term = &q->terms[t];

		if (buf_puts(out, t ? " AND (" : "(") < 0)
			return ERR_NOMEM;
		for (int v = 0; v < term->nvariants; v++) {
			if (v && buf_puts(out, " OR ") < 0)
				return ERR_NOMEM;
			if (put_phrase(out, term->variants[v]) < 0)
				return ERR_NOMEM;
		}
		if (term->initials &&
		    (buf_puts(out, " OR initials : ") < 0 || put_phrase(out, term->text) < 0))
			return ERR_NOMEM;
		if (buf_puts(out, ")") < 0)
			return ERR_NOMEM;
	}
	return 0;
}

/* --- Highlighting. --- */

/* Sets marks[i] for every byte of text that a variant or an initials run matches. */
static void mark_text(const char *text, size_t len, const struct kb_query *q, unsigned char *marks)
{
	memset(marks, 0, len);
	for (int t = 0; t < q->n; t++) {
		const struct kb_term *term = &q->terms[t];

		for (int v = 0; v < term->nvariants; v++) {
			const char *needle = term->variants[v];
			size_t nlen = strlen(needle), at = 0;
			const char *p;

			while ((p = find_ci(text + at, len - at, needle, nlen)) != NULL) {
				size_t off = (size_t)(p - text);
				int latin = !term->cjk;

				/* Latin words match whole words, as the index does. */
				if (!latin ||
				    ((off == 0 || !is_alnum((unsigned char)text[off - 1])) &&
				     (off + nlen == len ||
				      !is_alnum((unsigned char)text[off + nlen]))))
					memset(marks + off, 1, nlen);
				at = off + 1;
			}
		}
		if (term->initials) {
			size_t nlen = strlen(term->text);

			for (size_t i = 0; i < len;) {
				size_t j = i, k = 0;
				unsigned cp;
				int step = decode(text + i, len - i, &cp);

				while (k < nlen && j < len) {
					int s2 = decode(text + j, len - j, &cp);

					if (kb_pinyin_initial(cp) != term->text[k])
						break;
					j += (size_t)s2;
					k++;
				}
				if (k == nlen)
					memset(marks + i, 1, j - i);
				i += (size_t)step;
			}
		}
	}
}

/* Appends text[from, to) escaped, <mark> around marked bytes. */
static int emit(const char *text, const unsigned char *marks, size_t from, size_t to,
		struct buf *out, int *nmarks)
{
	int open = 0, rc = 0;

	for (size_t i = from; i < to && rc == 0; i++) {
		const char *esc = NULL;

		if (marks[i] && !open) {
			rc = buf_puts(out, "<mark>");
			open = 1;
			(*nmarks)++;
		} else if (!marks[i] && open) {
			rc = buf_puts(out, "</mark>");
			open = 0;
		}
		switch (text[i]) {
		case '&':
			esc = "&amp;";
			break;
		case '<':
			esc = "&lt;";
			break;
		case '>':
			esc = "&gt;";
			break;
		case '"':
			esc = "&quot;";
			break;
		case '\'':
			esc = "&#39;";
			break;
		case '\n':
		case '\r':
		case '\t':
			esc = " ";
			break;
		default:
			break;
		}
		if (rc >= 0)
			rc = esc ? buf_puts(out, esc) : buf_append(out, text + i, 1);
	}
	if (rc >= 0 && open)
		rc = buf_puts(out, "</mark>");
	return rc < 0 ? ERR_NOMEM : 0;
}

int kb_highlight(const char *text, size_t len, const struct kb_query *q, struct buf *out)
{
	unsigned char *marks = malloc(len ? len : 1);
	int n = 0, rc;

	if (!marks)
		return ERR_NOMEM;
	mark_text(text, len, q, marks);
	rc = emit(text, marks, 0, len, out, &n);
	free(marks);
	return rc < 0 ? rc : n;
}

/* The byte offset count characters back from at (not before 0), or forward. */
static size_t back_chars(const char *s, size_t at, size_t count)
{
	while (at > 0 && count > 0) {
		at--;
		while (at > 0 && ((unsigned char)s[at] & 0xC0) == 0x80)
			at--;
		count--;
	}
	return at;
}

static size_t fwd_chars(const char *s, size_t len, size_t at, size_t count)
{
	while (at < len && count > 0) {
		unsigned cp;

		at += (size_t)decode(s + at, len - at, &cp);
		count--;
	}
	return at;
}

int kb_snippet(const char *text, const struct kb_query *q, size_t max, struct buf *out)
{
	size_t len = strlen(text), first = 0, from, to;
	unsigned char *marks = malloc(len ? len : 1);
	int n = 0, rc = 0;

	if (!marks)
		return ERR_NOMEM;
	mark_text(text, len, q, marks);
	while (first < len && !marks[first])
		first++;
	if (first == len)
		first = 0;
	from = back_chars(text, first, max / 4);
	/* Leading spaces of the piece are not worth showing. */
	while (from < first && (text[from] == ' ' || text[from] == '\n'))
		from++;
	to = fwd_chars(text, len, from, max);
	if (from > 0)
		rc = buf_puts(out, "…") < 0 ? ERR_NOMEM : 0;
	if (rc == 0)
		rc = emit(text, marks, from, to, out, &n);
	if (rc == 0 && to < len)
		rc = buf_puts(out, "…") < 0 ? ERR_NOMEM : 0;
	free(marks);
	return rc < 0 ? rc : n;
}

double kb_rank(double bm25, int title_hit, int64_t helpful, int64_t unhelpful, int64_t uses)
{
	double rel = bm25 < 0 ? -bm25 : 0;
	double votes = (double)(helpful + 1) / (double)(helpful + unhelpful + 2);

	if (uses < 0)
		uses = 0;
	return (rel + 0.01) * (title_hit ? 1.5 : 1.0) * (1.0 + 0.1 * log1p((double)uses)) *
	       (0.75 + 0.5 * votes);
}

int kb_synonym_word_ok(const char *w, const char **why)
{
	size_t n = utf8_len(w), len = strlen(w), i = 0;
	int searchable = 0;

	if (n < 1 || n > 32 || utf8_blank(w)) {
		*why = "synonyms: each word 1 to 32 characters";
		return ERR_INVALID;
	}
	while (i < len) {
		unsigned cp;

		i += (size_t)decode(w + i, len - i, &cp);
		if (cp < 0x20 || cp == '"') {
			*why = "synonyms: no quotes or control characters in a word";
			return ERR_INVALID;
		}
		if (is_alnum(cp) || is_cjk(cp))
			searchable = 1;
	}
	if (!searchable) {
		*why = "synonyms: each word needs a letter, digit or Chinese character";
		return ERR_INVALID;
	}
	return 0;
}
