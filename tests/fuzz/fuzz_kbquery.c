/*
 * The knowledge base's search syntax (src/kb/kb_search.c): a typed query
 * split into terms, expanded with synonyms, written as an FTS5 MATCH
 * expression, and used to highlight and cut a snippet of a text; the
 * pinyin initials of a text; a synonym word's check. The input is the
 * query, a NUL, then the text searched (the query alone when no NUL).
 */
#include "core/buf.h"
#include "fuzz/fuzz.h"
#include "kb/kb.h"

static const struct kb_synonym synonyms[] = {
	{"退款", 1}, {"退钱", 1}, {"返款", 1}, {"app", 2}, {"应用", 2}, {"闪退", 3}, {"崩溃", 3},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *f[2];
	char *all = fuzz_fields(data, size, f, 2);
	const char *text;
	struct kb_query q;
	struct buf b;
	const char *why;

	if (!all)
		return 0;
	text = *f[1] ? f[1] : f[0];
	buf_init(&b);
	(void)kb_synonym_word_ok(f[0], &why);
	(void)kb_initials_material(text, &b);
	buf_reset(&b);
	if (kb_query_parse(f[0], &q) == 0) {
		kb_query_expand(&q, synonyms, sizeof(synonyms) / sizeof(synonyms[0]));
		(void)kb_query_match(&q, &b);
		buf_reset(&b);
		(void)kb_highlight(text, strlen(text), &q, &b);
		buf_reset(&b);
		(void)kb_snippet(text, &q, 60, &b);
	}
	buf_release(&b);
	free(all);
	return 0;
}
