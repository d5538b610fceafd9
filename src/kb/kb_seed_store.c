/*
 * The SQL of the seeded scripts and of every article made from a document
 * (an import, a case's draft): kb_article, kb_version, kb_applies, kb_event
 * of migration 24. The lead folds kb_seed_insert into kb_store.c at merge.
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "kb/kb_seed.h"
#include "store/store.h"

/* {"classes":[...],"complaints":[...],"channels":[...]} */
static int applies_json(const struct kb_doc *d, struct buf *out)
{
	int rc = buf_puts(out, "{\"classes\":");

	if (rc == 0)
		rc = kb_doc_list_json(&d->classes, out);
	if (rc == 0)
		rc = buf_puts(out, ",\"complaints\":");
	if (rc == 0)
		rc = kb_doc_list_json(&d->complaints, out);
	if (rc == 0)
		rc = buf_puts(out, ",\"channels\":");
	if (rc == 0)
		rc = kb_doc_list_json(&d->channels, out);
	return rc == 0 ? buf_puts(out, "}") : rc;
}

static int applies_rows(struct store *s, int64_t id, const char *kind, const struct kb_doc_list *l)
{
	int rc = 0;

	for (int i = 0; i < l->n && rc >= 0; i++)
		rc = store_run(s,
			       "INSERT OR IGNORE INTO kb_applies(article_id, kind, code)"
			       " VALUES (?, ?, ?)",
			       NULL, "itt", id, kind, l->item[i]);
	return rc < 0 ? rc : 0;
}

int kb_seed_insert(struct store *s, const struct kb_doc *d, int published, int64_t category_id,
		   int64_t source_order_id, int64_t author, int64_t now, int64_t *id)
{
	struct buf body = BUF_INIT, tags = BUF_INIT, applies = BUF_INIT;
	int rc = 0;

	if (buf_append(&body, d->body, d->body_len) < 0 || kb_doc_list_json(&d->tags, &tags) < 0 ||
	    applies_json(d, &applies) < 0)
		rc = ERR_NOMEM;
	if (rc == 0)
		rc = store_run(
			s,
			"INSERT INTO kb_article(kind, slot, title, category_id, state, version,"
			" published_version, source, source_order_id, created_by,"
			" created_at, updated_at, published_at)"
			" VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			id, "tTtdtnTddiid", d->kind, d->slot, d->title, category_id,
			published ? "published" : "draft", (int64_t)(published ? 1 : -1), d->source,
			source_order_id, author, now, now, (int64_t)(published ? now : 0));
	if (rc == 1)
		rc = store_run(
			s,
			"INSERT INTO kb_version(article_id, version, title, body, tags,"
			" applies, note, author_id, created_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)",
			NULL, "itttttdi", *id, d->title, buf_str(&body), buf_str(&tags),
			buf_str(&applies), published ? "规范导入" : NULL, author, now);
	else if (rc == 0)
		rc = ERR_IO; /* RETURNING gives a row or fails */
	if (rc >= 0)
		rc = store_run(s,
			       "INSERT INTO kb_event(article_id, version, action, person_id, at,"
			       " comment) VALUES (?, 1, ?, ?, ?, ?)",
			       NULL, "itdit", *id, published ? "published" : "created", author, now,
			       d->source[0] ? d->source : NULL);
	if (rc >= 0 && published)
		rc = applies_rows(s, *id, "class", &d->classes);
	if (rc >= 0 && published)
		rc = applies_rows(s, *id, "complaint", &d->complaints);
	if (rc >= 0 && published)
		rc = applies_rows(s, *id, "channel", &d->channels);
	if (rc >= 0 && published)
		rc = kb_search_index(s, *id);
	buf_release(&body);
	buf_release(&tags);
	buf_release(&applies);
	return rc < 0 ? rc : 0;
}

int kb_seed(struct store *s, int64_t now)
{
	const char *t = kefu_kb_scripts_md;
	size_t len = kefu_kb_scripts_md_len, pos = 0;
	struct err_info ei;
	struct kb_doc *d;
	int64_t id;
	int added = 0, rc;

	/* Once: a knowledge base that has scripts is the center's own. */
	rc = store_run(s, "SELECT 1 FROM kb_article WHERE kind = 'script' LIMIT 1", NULL, "");
	if (rc != 0)
		return rc < 0 ? rc : 0;
	d = malloc(sizeof(*d));
	if (!d)
		return ERR_NOMEM;
	memset(&ei, 0, sizeof(ei));
	rc = store_begin(s);
	while (rc >= 0 && (rc = kb_doc_next(t, len, &pos, d, &ei)) == 1) {
		rc = kb_seed_insert(s, d, 1, 0, 0, 0, now, &id);
		added++;
	}
	free(d);
	if (rc < 0) {
		log_error("kb: cannot load the scripts: %s", ei.message[0] ? ei.message : "SQL");
		store_rollback(s);
		return rc;
	}
	rc = store_commit(s);
	if (rc == 0 && added)
		log_info("kb: loaded %d scripts from the rulebooks", added);
	return rc < 0 ? rc : added;
}
