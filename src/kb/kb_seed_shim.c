/*
 * THROW-AWAY (helper kb-scripts): kb_search_index is kb-search's
 * (kb_search_store.c, with the pinyin initials); kb-core has a shim of its
 * own (kb_index_shim.c). The lead deletes this file at merge.
 */
#include "kb/kb_seed.h"
#include "store/store.h"

int kb_search_index(struct store *s, int64_t article_id)
{
	int rc = store_run(s, "DELETE FROM kb_fts WHERE rowid = ?", NULL, "i", article_id);

	if (rc >= 0)
		rc = store_run(
			s,
			"INSERT INTO kb_fts(rowid, title, body, tags, initials)"
			" SELECT a.id, v.title, v.body,"
			" (SELECT ifnull(group_concat(value, ' '), '') FROM json_each(v.tags)), ''"
			" FROM kb_article a JOIN kb_version v ON v.article_id = a.id"
			" AND v.version = a.published_version WHERE a.id = ?",
			NULL, "i", article_id);
	return rc < 0 ? rc : 0;
}
