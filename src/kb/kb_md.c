/*
 * Articles' Markdown: HTML for the reader and plain text for the index,
 * both by libcmark (CommonMark). The HTML is rendered in cmark's safe mode
 * (the default since 0.29; CMARK_OPT_SAFE said so before): raw HTML blocks
 * and inline HTML come out as a comment, and links or images whose address
 * is javascript:, vbscript:, file: or data: (but the image types) get an
 * empty one. Text is always escaped. That is the whole of the sanitising:
 * nothing a writer types reaches the reader's page as markup of its own.
 */
#include <cmark.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "kb/kb.h"

int kb_md_html(const char *md, char **out)
{
	*out = cmark_markdown_to_html(md, strlen(md), CMARK_OPT_SAFE | CMARK_OPT_NORMALIZE);
	return *out ? 0 : ERR_NOMEM;
}

/* The blocks after which the plain text starts a new line. */
static int is_block(cmark_node_type t)
{
	return t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING || t == CMARK_NODE_CODE_BLOCK ||
	       t == CMARK_NODE_ITEM || t == CMARK_NODE_BLOCK_QUOTE ||
	       t == CMARK_NODE_THEMATIC_BREAK;
}

int kb_md_text(const char *md, struct buf *out)
{
	cmark_node *doc = cmark_parse_document(md, strlen(md), CMARK_OPT_DEFAULT);
	cmark_iter *it;
	cmark_event_type ev;
	int rc = 0;

	if (!doc)
		return ERR_NOMEM;
	it = cmark_iter_new(doc);
	if (!it) {
		cmark_node_free(doc);
		return ERR_NOMEM;
	}
	while (rc == 0 && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);
		const char *lit;

		if (ev == CMARK_EVENT_ENTER &&
		    (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE || t == CMARK_NODE_CODE_BLOCK)) {
			lit = cmark_node_get_literal(n);
			if (lit && buf_puts(out, lit) < 0)
				rc = ERR_NOMEM;
		} else if (ev == CMARK_EVENT_ENTER &&
			   (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)) {
			if (buf_puts(out, "\n") < 0)
				rc = ERR_NOMEM;
		} else if (ev == CMARK_EVENT_EXIT && is_block(t) && out->len &&
			   buf_str(out)[out->len - 1] != '\n') {
			if (buf_puts(out, "\n") < 0)
				rc = ERR_NOMEM;
		}
	}
	cmark_iter_free(it);
	cmark_node_free(doc);
	return rc;
}
