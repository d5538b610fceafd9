/*
 * qa_text — the rule engine's text: normalisation with its map back to the
 * original characters, traditional → simplified, and the Aho–Corasick
 * automaton over keyword lists (see qa.h).
 *
 * Normalisation works one "run" at a time: a character and the combining
 * marks after it. Each run is decomposed, case folded and recomposed by
 * utf8proc (NFKC_Casefold: compatibility forms such as full-width letters
 * and digits become plain ones, default-ignorable characters vanish), and
 * every code point that comes out remembers the run's original characters.
 * NFKC composes across runs only for Hangul jamo, which transcripts of a
 * Chinese center do not carry, so the result is NFKC_Casefold for the text
 * this engine reads, and a match in the normalised text always maps back to
 * whole original characters. Han characters (U+4E00..U+9FFF) and ASCII
 * skip utf8proc: NFKC leaves them as they are.
 *
 * Traditional → simplified, with OpenCC's phrases. OpenCC's t2s.json
 * is asked once per process, at the first use, for every CJK unified
 * ideograph of the Basic Multilingual Plane (each on its own line, so no
 * phrase rule applies), and the answers that are one other character make
 * a table: whether a text has a traditional character at all costs an
 * array read per character. Text that has none (a mainland center's
 * transcripts, nearly always) is left as it is. Text that has one is
 * converted whole by OpenCC (t2s.json: its TSPhrases table segments the
 * text and picks each phrase's simplified form, e.g. 計畫 → 计划 where
 * the characters alone give 计画, 答覆 → 答复, 瞭解 → 了解, and 乾隆 stays
 * 乾隆 where 乾 alone is 干); when the answer has as many characters as
 * the text, which t2s's phrases keep, character i of the answer replaces
 * character i, so the map back to the original characters is unchanged.
 * An answer of another length (no such phrase in the installed data, but
 * the format allows one) falls back to the table, character by character.
 * A phrase made only of characters that are simplified alone (瞭解 in
 * otherwise simplified text) is not converted: such text is taken as
 * simplified already. OpenCC's converter is shared by the engine's threads
 * under a lock; it is only asked for text with traditional characters.
 */
#include <opencc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/err.h"
#include "qa/qa_int.h"

/* ---- traditional → simplified ---- */

#define T2S_FIRST 0x3400
#define T2S_LAST 0x9FFF

static uint16_t *t2s_table; /* index cp - T2S_FIRST; 0: unchanged */
static pthread_once_t t2s_once = PTHREAD_ONCE_INIT;
static opencc_t t2s_cc = (opencc_t)-1; /* kept for the phrases once the table is built */
static pthread_mutex_t t2s_lock = PTHREAD_MUTEX_INITIALIZER;

static void t2s_build(void)
{
	int count = T2S_LAST - T2S_FIRST + 1;
	char *in = NULL, *out = NULL, *p;
	size_t len = 0;
	uint16_t *table = NULL;
	opencc_t cc;
	int i;

	/* The Debian package installs its data in /usr/share/opencc; OpenCC
	 * finds "t2s.json" there by itself, the full path is the fallback. */
	cc = opencc_open("t2s.json");
	if (cc == (opencc_t)-1)
		cc = opencc_open("/usr/share/opencc/t2s.json");
	if (cc == (opencc_t)-1)
		return;
	in = malloc((size_t)count * 4);
	table = calloc((size_t)count, sizeof(*table));
	if (!in || !table)
		goto done;
	for (i = 0; i < count; i++) {
		len += (size_t)utf8proc_encode_char(T2S_FIRST + i, (utf8proc_uint8_t *)in + len);
		in[len++] = '\n';
	}
	out = opencc_convert_utf8(cc, in, len);
	if (!out)
		goto done;
	p = out;
	for (i = 0; i < count && *p; i++) {
		char *nl = strchr(p, '\n');
		utf8proc_int32_t c;
		utf8proc_ssize_t k;

		if (!nl)
			break;
		k = utf8proc_iterate((const utf8proc_uint8_t *)p, nl - p, &c);
		/* Only a single BMP character that differs: anything else (an
		 * unchanged character, a longer answer) keeps the original. */
		if (k > 0 && p + k == nl && c != T2S_FIRST + i && c > 0 && c <= 0xFFFF)
			table[i] = (uint16_t)c;
		p = nl + 1;
	}
	if (i == count) {
		t2s_table = table;
		table = NULL;
		t2s_cc = cc;
		cc = (opencc_t)-1;
	}
done:
	if (out)
		opencc_convert_utf8_free(out);
	free(in);
	free(table);
	if (cc != (opencc_t)-1)
		opencc_close(cc);
}

static inline uint32_t t2s(uint32_t c)
{
	if (c >= T2S_FIRST && c <= T2S_LAST && t2s_table) {
		uint16_t s = t2s_table[c - T2S_FIRST];

		return s ? s : c;
	}
	return c;
}

int qa_t2s_ready(void)
{
	pthread_once(&t2s_once, t2s_build);
	return t2s_table != NULL;
}

/* ---- normalisation ---- */

/* The engine's one way to make an array of size-byte elements hold need
 * of them: the capacity doubles from 16, so growing costs O(log n) calls. */
int qa_grow(void **p, int *cap, int need, size_t size)
{
	int n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, (size_t)n * size);
	if (!q)
		return ERR_NOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static int text_reserve(struct qa_text *t, int n)
{
	int cap = t->cap ? t->cap : 64;
	void *p;

	if (n <= t->cap)
		return 0;
	while (cap < n)
		cap *= 2;
	/* The four arrays grow together; boff has one more entry (the end). */
	if (!(p = realloc(t->cp, (size_t)cap * sizeof(*t->cp))))
		return ERR_NOMEM;
	t->cp = p;
	if (!(p = realloc(t->ostart, (size_t)cap * sizeof(int))))
		return ERR_NOMEM;
	t->ostart = p;
	if (!(p = realloc(t->oend, (size_t)cap * sizeof(int))))
		return ERR_NOMEM;
	t->oend = p;
	if (!(p = realloc(t->boff, (size_t)(cap + 1) * sizeof(int))))
		return ERR_NOMEM;
	t->boff = p;
	t->cap = cap;
	return 0;
}

/*
 * Text with a traditional character into simplified (see the top): OpenCC
 * with its phrases over the whole text when the answer keeps its length,
 * else the table character by character. u8 is scratch of n * 4 + 1 bytes.
 */
static int text_t2s(struct qa_text *t)
{
	char *out = NULL;
	int b = 0, k, same = 0;

	if (qa_grow((void **)&t->u8, &t->u8cap, t->n * 4 + 1, 1))
		return ERR_NOMEM;
	for (k = 0; k < t->n; k++)
		b += (int)utf8proc_encode_char((utf8proc_int32_t)t->cp[k],
					       (utf8proc_uint8_t *)t->u8 + b);
	t->u8[b] = '\0';
	pthread_mutex_lock(&t2s_lock);
	if (t2s_cc != (opencc_t)-1)
		out = opencc_convert_utf8(t2s_cc, t->u8, (size_t)b);
	pthread_mutex_unlock(&t2s_lock);
	if (out) {
		const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)out;
		utf8proc_ssize_t len = (utf8proc_ssize_t)strlen(out), i = 0;
		utf8proc_int32_t c;

		/* Count first: the map holds only for an answer of the same length. */
		for (k = 0; i < len && k <= t->n; k++) {
			utf8proc_ssize_t st = utf8proc_iterate(p + i, len - i, &c);

			if (st <= 0)
				break;
			i += st;
		}
		same = i == len && k == t->n;
		for (i = 0, k = 0; same && k < t->n; k++) {
			i += utf8proc_iterate(p + i, len - i, &c);
			t->cp[k] = (uint32_t)c;
		}
		opencc_convert_utf8_free(out);
	}
	if (!same)
		for (k = 0; k < t->n; k++)
			t->cp[k] = t2s(t->cp[k]);
	return 0;
}

static int text_push(struct qa_text *t, uint32_t c, int os, int oe)
{
	if (t->n + 1 >= t->cap && text_reserve(t, t->n + 2))
		return ERR_NOMEM;
	/* Kept as it is: text_t2s converts the whole text with its phrases. */
	t->trad |= t2s(c) != c;
	t->cp[t->n] = c;
	t->ostart[t->n] = os;
	t->oend[t->n] = oe;
	t->n++;
	return 0;
}

#define NORM_OPTS                                                                                  \
	(UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE)

int qa_text_norm(struct qa_text *t, const char *s)
{
	const utf8proc_uint8_t *u = (const utf8proc_uint8_t *)s;
	utf8proc_ssize_t len = (utf8proc_ssize_t)strlen(s), i = 0;
	int oi = 0, rc, k, b;

	pthread_once(&t2s_once, t2s_build);
	t->orig = s;
	t->n = 0;
	t->olen = 0;
	t->trad = 0;
	while (i < len) {
		utf8proc_int32_t c, buf[32];
		utf8proc_ssize_t step, j, m;
		int run_start = oi;

		step = utf8proc_iterate(u + i, len - i, &c);
		if (step < 0)
			return ERR_INVALID;
		if (qa_grow((void **)&t->obyte, &t->ocap, oi + 2, sizeof(int)))
			return ERR_NOMEM;
		t->obyte[oi++] = (int)i;
		if (c < 0x80 || (c >= 0x4E00 && c <= 0x9FFF)) {
			/* NFKC and case folding leave these alone (but for A-Z). */
			if (i + step < len && u[i + step] >= 0x80) {
				utf8proc_int32_t next;

				if (utf8proc_iterate(u + i + step, len - i - step, &next) > 0 &&
				    utf8proc_get_property(next)->combining_class != 0)
					goto run;
			}
			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			if ((rc = text_push(t, (uint32_t)c, run_start, oi)))
				return rc;
			i += step;
			continue;
		}
	run:
		/* The run: this character and the combining marks after it. */
		j = i + step;
		while (j < len) {
			utf8proc_int32_t next;
			utf8proc_ssize_t st = utf8proc_iterate(u + j, len - j, &next);

			if (st < 0)
				return ERR_INVALID;
			if (utf8proc_get_property(next)->combining_class == 0)
				break;
			if (qa_grow((void **)&t->obyte, &t->ocap, oi + 2, sizeof(int)))
				return ERR_NOMEM;
			t->obyte[oi++] = (int)j;
			j += st;
		}
		m = utf8proc_decompose(u + i, j - i, buf, 32, NORM_OPTS);
		if (m < 0)
			return ERR_INVALID;
		if (m > 32) {
			/* A run of more than 32 code points (a pile of marks):
			 * keep it as it came, nothing matches inside it anyway. */
			for (utf8proc_ssize_t x = i; x < j;) {
				utf8proc_ssize_t st = utf8proc_iterate(u + x, j - x, &c);

				if ((rc = text_push(t, (uint32_t)c, run_start, oi)))
					return rc;
				x += st;
			}
		} else {
			m = utf8proc_normalize_utf32(buf, m, NORM_OPTS);
			if (m < 0)
				return ERR_INVALID;
			for (k = 0; k < m; k++)
				if ((rc = text_push(t, (uint32_t)buf[k], run_start, oi)))
					return rc;
		}
		i = j;
	}
	if (qa_grow((void **)&t->obyte, &t->ocap, oi + 1, sizeof(int)))
		return ERR_NOMEM;
	t->obyte[oi] = (int)len;
	t->olen = oi;
	if (text_reserve(t, t->n + 1))
		return ERR_NOMEM;
	if (t->trad && (rc = text_t2s(t)))
		return rc;
	/* The UTF-8 of the normalised text, for PCRE2. */
	if (qa_grow((void **)&t->u8, &t->u8cap, t->n * 4 + 1, 1))
		return ERR_NOMEM;
	b = 0;
	for (k = 0; k < t->n; k++) {
		t->boff[k] = b;
		b += (int)utf8proc_encode_char((utf8proc_int32_t)t->cp[k],
					       (utf8proc_uint8_t *)t->u8 + b);
	}
	t->boff[t->n] = b;
	t->u8[b] = '\0';
	return 0;
}

void qa_text_free(struct qa_text *t)
{
	free(t->cp);
	free(t->ostart);
	free(t->oend);
	free(t->boff);
	free(t->u8);
	free(t->obyte);
	memset(t, 0, sizeof(*t));
}

int qa_text_cp_at(const struct qa_text *t, int b)
{
	int lo = 0, hi = t->n;

	/* The first code point whose offset is >= b. */
	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (t->boff[mid] < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int qa_normalise(const char *text, char *out, int size)
{
	struct qa_text t = {0};
	int rc;

	if (size <= 0)
		return ERR_INVALID;
	rc = qa_text_norm(&t, text);
	if (rc == 0) {
		int n = t.boff[t.n] < size ? t.boff[t.n] : size - 1;

		/* Cut on a character boundary. */
		while (n > 0 && n < t.boff[t.n] && ((unsigned char)t.u8[n] & 0xC0) == 0x80)
			n--;
		memcpy(out, t.u8, (size_t)n);
		out[n] = '\0';
	}
	qa_text_free(&t);
	return rc;
}

/* ---- Aho–Corasick ---- */

/*
 * A trie of the patterns' code points with failure links. The edges live
 * in one open-addressing hash table keyed by (state, code point), so a
 * state costs no table of its own whatever the alphabet (thousands of Han
 * characters); each state also lists its children (first/next) for the
 * breadth-first walk that sets the failure links. out is the pattern that
 * ends at a state (each distinct string is one pattern), dict the nearest
 * state down the failure chain where one ends, so a scan reports every
 * match in time proportional to the text plus the matches.
 */
struct ac_state {
	int fail, out, dict;
	int first, next; /* first child, next sibling */
	uint32_t c;	 /* the code point of the edge into this state */
};

struct ac_edge {
	uint64_t key; /* state << 21 | code point, +1 so that 0 is empty */
	int to;
};

struct qa_ac {
	int nstates, scap;
	struct ac_state *s;
	int npat, pcap;
	int *plen;
	int hcap; /* a power of two */
	int hused;
	struct ac_edge *h;
};

static inline uint64_t edge_key(int state, uint32_t c)
{
	return (((uint64_t)state << 21) | c) + 1;
}

static inline uint64_t edge_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k;
}

static int ac_goto(const struct qa_ac *a, int state, uint32_t c)
{
	uint64_t k = edge_key(state, c);
	size_t mask = (size_t)a->hcap - 1, i = (size_t)edge_hash(k) & mask;

	while (a->h[i].key) {
		if (a->h[i].key == k)
			return a->h[i].to;
		i = (i + 1) & mask;
	}
	return -1;
}

static int ac_put(struct qa_ac *a, int state, uint32_t c, int to)
{
	size_t mask, i;
	uint64_t k = edge_key(state, c);

	if ((a->hused + 1) * 2 > a->hcap) {
		int ncap = a->hcap ? a->hcap * 2 : 1024, j;
		struct ac_edge *nh = calloc((size_t)ncap, sizeof(*nh)), *old = a->h;

		if (!nh)
			return ERR_NOMEM;
		for (j = 0; j < a->hcap; j++) {
			if (!old[j].key)
				continue;
			i = (size_t)edge_hash(old[j].key) & ((size_t)ncap - 1);
			while (nh[i].key)
				i = (i + 1) & ((size_t)ncap - 1);
			nh[i] = old[j];
		}
		free(old);
		a->h = nh;
		a->hcap = ncap;
	}
	mask = (size_t)a->hcap - 1;
	i = (size_t)edge_hash(k) & mask;
	while (a->h[i].key)
		i = (i + 1) & mask;
	a->h[i].key = k;
	a->h[i].to = to;
	a->hused++;
	return 0;
}

static int ac_state_new(struct qa_ac *a, uint32_t c)
{
	struct ac_state *st;

	if (qa_grow((void **)&a->s, &a->scap, a->nstates + 1, sizeof(*a->s)))
		return ERR_NOMEM;
	st = &a->s[a->nstates];
	st->fail = 0;
	st->out = -1;
	st->dict = -1;
	st->first = -1;
	st->next = -1;
	st->c = c;
	return a->nstates++;
}

struct qa_ac *qa_ac_new(void)
{
	struct qa_ac *a = calloc(1, sizeof(*a));

	if (a && ac_state_new(a, 0) < 0) {
		free(a);
		return NULL;
	}
	return a;
}

int qa_ac_add(struct qa_ac *a, const uint32_t *cp, int n)
{
	int state = 0, i;

	if (n <= 0)
		return ERR_INVALID;
	for (i = 0; i < n; i++) {
		int to = a->hcap ? ac_goto(a, state, cp[i]) : -1;

		if (to < 0) {
			to = ac_state_new(a, cp[i]);
			if (to < 0 || ac_put(a, state, cp[i], to))
				return ERR_NOMEM;
			a->s[to].next = a->s[state].first;
			a->s[state].first = to;
		}
		state = to;
	}
	if (a->s[state].out >= 0)
		return a->s[state].out;
	if (qa_grow((void **)&a->plen, &a->pcap, a->npat + 1, sizeof(int)))
		return ERR_NOMEM;
	a->plen[a->npat] = n;
	a->s[state].out = a->npat;
	return a->npat++;
}

int qa_ac_build(struct qa_ac *a)
{
	int *queue = malloc((size_t)a->nstates * sizeof(int));
	int head = 0, tail = 0, c;

	if (!queue)
		return ERR_NOMEM;
	for (c = a->s[0].first; c >= 0; c = a->s[c].next) {
		a->s[c].fail = 0;
		a->s[c].dict = -1;
		queue[tail++] = c;
	}
	while (head < tail) {
		int r = queue[head++];

		for (c = a->s[r].first; c >= 0; c = a->s[c].next) {
			int f = a->s[r].fail, to;

			while ((to = ac_goto(a, f, a->s[c].c)) < 0 && f)
				f = a->s[f].fail;
			a->s[c].fail = to >= 0 && to != c ? to : 0;
			f = a->s[c].fail;
			a->s[c].dict = a->s[f].out >= 0 ? f : a->s[f].dict;
			queue[tail++] = c;
		}
	}
	free(queue);
	return 0;
}

void qa_ac_free(struct qa_ac *a)
{
	if (!a)
		return;
	free(a->s);
	free(a->plen);
	free(a->h);
	free(a);
}

int qa_ac_npatterns(const struct qa_ac *a)
{
	return a->npat;
}

int qa_ac_pattern_len(const struct qa_ac *a, int id)
{
	return a->plen[id];
}

int qa_ac_scan(const struct qa_ac *a, const uint32_t *cp, int n,
	       int (*fn)(void *arg, int id, int start, int end), void *arg)
{
	int state = 0, i, rc;

	if (!a->hcap)
		return 0;
	for (i = 0; i < n; i++) {
		int to, o;

		while ((to = ac_goto(a, state, cp[i])) < 0 && state)
			state = a->s[state].fail;
		state = to >= 0 ? to : 0;
		for (o = a->s[state].out >= 0 ? state : a->s[state].dict; o >= 0;
		     o = a->s[o].dict) {
			int id = a->s[o].out;

			if ((rc = fn(arg, id, i + 1 - a->plen[id], i + 1)))
				return rc;
		}
	}
	return 0;
}
