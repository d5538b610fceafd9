/*
 * kefu_cjk — an FTS5 tokenizer that finds one- and two-character Chinese
 * words, which SQLite's own tokenizers cannot (unicode61 keeps a run of
 * Chinese as one token; trigram needs three characters).
 *
 * Documents: each Chinese character is a token at its own position, and
 * the pair it starts with the next character is a second token at the
 * same position (FTS5_TOKEN_COLOCATED). ASCII letters and digits form
 * lower-cased words. Everything else separates tokens.
 *
 * Queries: a lone Chinese character is its single-character token; a run
 * of two or more becomes its overlapping pairs at consecutive positions,
 * so "车辆损坏" is the phrase 车辆 辆损 损坏, which matches exactly where the
 * document has those four characters in a row. Lookups therefore use the
 * pair index for any word of two or more characters and the character
 * index for one.
 */
#include <sqlite3.h>
#include <stddef.h>

#include "store/fts_cjk.h"

static int is_cjk(unsigned cp)
{
	return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
	       (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF);
}

static int is_word(unsigned cp)
{
	return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

/*
 * Decodes one code point; returns its length in bytes. A byte that does not
 * begin a well-formed sequence is U+FFFD of length 1: a lone or missing
 * continuation byte, and an overlong form, which must never decode to an
 * ASCII letter or digit — the word loop below reads words byte by byte, and
 * "\xC1\xCF" taken as 'O' made it emit empty tokens forever (a search or
 * an indexed text could hang the server; found by tests/fuzz/fuzz_fts.c).
 */
static int decode(const unsigned char *s, int n, unsigned *cp)
{
	static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
	int len;
	unsigned v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	len = s[0] >= 0xF8 ? 1 : s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
	if (len == 1 || len > n)
		goto bad;
	v = s[0] & (0x3F >> (len - 1));
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto bad;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		goto bad;
	*cp = v;
	return len;
bad:
	*cp = 0xFFFD;
	return 1;
}

struct tokenizer {
	int unused;
};

static int tok_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
	static struct tokenizer one;

	(void)ctx;
	(void)argv;
	(void)argc;
	*out = (Fts5Tokenizer *)&one;
	return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *t)
{
	(void)t;
}

typedef int (*emit_fn)(void *, int, const char *, int, int, int);

static int tok_run(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int n, emit_fn emit)
{
	const unsigned char *s = (const unsigned char *)text;
	int query = (flags & FTS5_TOKENIZE_QUERY) != 0;
	int i = 0, rc = SQLITE_OK;

	(void)t;
	while (i < n && rc == SQLITE_OK) {
		unsigned cp;
		int len = decode(s + i, n - i, &cp);

		if (is_word(cp)) {
			char word[64];
			int start = i, w = 0;

			while (i < n && is_word(s[i])) {
				if (w < (int)sizeof(word))
					word[w++] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
				i++;
			}
			rc = emit(ctx, 0, word, w, start, i);
		} else if (is_cjk(cp)) {
			int first = 1;

			for (;;) {
				unsigned next = 0;
				int nlen = i + len < n ? decode(s + i + len, n - i - len, &next) : 0;
				int has_next = nlen && is_cjk(next);

				/* A query uses a single character only when it stands alone. */
				if (!query || (first && !has_next))
					rc = emit(ctx, 0, text + i, len, i, i + len);
				if (rc == SQLITE_OK && has_next)
					rc = emit(ctx, query ? 0 : FTS5_TOKEN_COLOCATED, text + i,
						  len + nlen, i, i + len + nlen);
				i += len;
				first = 0;
				if (!has_next || rc != SQLITE_OK)
					break;
				len = nlen;
			}
		} else {
			i += len;
		}
	}
	return rc;
}

static int tok_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int n,
			emit_fn emit)
{
	return tok_run(t, ctx, flags, text, n, emit);
}

static fts5_api *fts5_of(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return api;
}

int fts_cjk_register(sqlite3 *db)
{
	static fts5_tokenizer tok = {tok_create, tok_delete, tok_tokenize};
	fts5_api *api = fts5_of(db);

	if (!api || api->iVersion < 2)
		return SQLITE_ERROR;
	return api->xCreateTokenizer(api, "kefu_cjk", NULL, &tok, NULL);
}
