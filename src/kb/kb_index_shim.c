/*
 * THROW-AWAY (issue 16, until the search part merges): kb_search_index and
 * kb_search_unindex as the knowledge base's core needs them, title, body as
 * plain text and tags only. kb_search_store.c owns the real ones (with the
 * pinyin initials); the lead deletes this file at merge.
 */
#include <jansson.h>
#include <string.h>

#include "core/err.h"
#include "kb/kb.h"
#include "store/store.h"

int kb_search_unindex(struct store *s, int64_t article_id)
{
	int rc = store_run(s, "DELETE FROM kb_fts WHERE rowid = ?", NULL, "i", article_id);

	return rc < 0 ? rc : 0;
}

int kb_search_index(struct store *s, int64_t article_id)
{
	struct kb_article a;
	struct kb_version v;
	struct buf text = BUF_INIT, tags = BUF_INIT;
	json_t *list, *t;
	size_t i;
	int rc;

	memset(&v, 0, sizeof(v));
	rc = kb_search_unindex(s, article_id);
	if (rc == 0)
		rc = kb_article_get(s, article_id, &a);
	if (rc < 0 || !a.published_version)
		return rc;
	rc = kb_version_get(s, article_id, a.published_version, &v);
	if (rc == 0)
		rc = kb_md_text(buf_str(&v.body), &text);
	list = rc == 0 ? json_loads(buf_str(&v.tags), 0, NULL) : NULL;
	json_array_foreach(list, i, t)
	{
		buf_puts(&tags, i ? " " : "");
		buf_puts(&tags, json_string_value(t) ? json_string_value(t) : "");
	}
	json_decref(list);
	if (rc == 0) {
		rc = store_run(s,
			       "INSERT INTO kb_fts(rowid, title, body, tags, initials)"
			       " VALUES (?, ?, ?, ?, '')",
			       NULL, "ittt", article_id, v.title, buf_str(&text), buf_str(&tags));
		rc = rc < 0 ? rc : 0;
	}
	buf_release(&text);
	buf_release(&tags);
	kb_version_release(&v);
	return rc;
}
