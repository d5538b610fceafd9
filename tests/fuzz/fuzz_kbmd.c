/*
 * Knowledge-base documents (src/kb/kb_md.c, kb_seed.c): the input as an
 * imported Markdown file — every document of a multi-document file with
 * front matter, then the file as one document — each checked and written
 * back out, and its Markdown rendered as safe HTML and as the plain text
 * the index keeps; the input as a front-matter list too, as a script whose
 * placeholders are filled, and split at its first NUL into two versions of
 * an article compared line by line (the review's diff).
 */
#include "core/buf.h"
#include "core/err.h"
#include "fuzz/fuzz.h"
#include "kb/kb.h"

static int on_line(void *ctx, const struct kb_diff_line *l)
{
	*(size_t *)ctx += l->len + (l->op == '+');
	return 0;
}

static void doc_use(struct kb_doc *d)
{
	struct err_info ei = {0};
	struct buf b;

	buf_init(&b);
	if (kb_doc_check(d, &ei) == 0)
		(void)kb_doc_write(d, &b);
	buf_reset(&b);
	(void)kb_doc_list_json(&d->tags, &b);
	buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kb_doc d; /* large: kept out of the stack */
	char *s = fuzz_str(data, size);
	char *html = NULL;
	struct err_info ei = {0};
	struct buf b;
	size_t pos = 0;
	int docs = 0;

	if (!s)
		return 0;
	/* The parsers take len bytes that need not end in NUL. */
	while (docs++ < 64 && kb_doc_next((const char *)data, size, &pos, &d, &ei) == 1)
		doc_use(&d);
	memset(&ei, 0, sizeof(ei));
	if (kb_doc_parse_one((const char *)data, size, &d, &ei) == 0)
		doc_use(&d);
	memset(&ei, 0, sizeof(ei));
	(void)kb_doc_list_parse(s, &d.tags, 1, "tags", &ei);
	if (kb_md_html(s, &html) == 0)
		free(html);
	buf_init(&b);
	(void)kb_md_text(s, &b);
	buf_reset(&b);
	{
		const struct kb_fill_values v = {"客服中心", "8001", "王小明"};
		const char *to = s + strlen(s) < s + size ? s + strlen(s) + 1 : "";
		size_t lines = 0;

		(void)kb_fill(s, &v, &b);
		(void)kb_diff(s, to, on_line, &lines);
	}
	buf_release(&b);
	free(s);
	return 0;
}
