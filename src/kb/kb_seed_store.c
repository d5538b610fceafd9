/*
 * The SQL of the seeded scripts and of every article made from a document
 * (an import, a case's draft): kb_article, kb_version, kb_applies, kb_event
 * of migration 24, written through kb_store.c's functions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "kb/kb.h"
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

int kb_seed_insert(struct store *s, const struct kb_doc *d, int published, int64_t category_id,
		   int64_t source_order_id, int64_t author, int64_t now, int64_t *id)
{
	struct kb_article a;
	struct kb_version v;
	int rc = 0;

	memset(&a, 0, sizeof(a));
	memset(&v, 0, sizeof(v));
	if (strlen(d->title) >= sizeof(a.title) || strlen(d->source) >= sizeof(a.source))
		return ERR_INVALID;
	snprintf(a.kind, sizeof(a.kind), "%s", d->kind);
	snprintf(a.slot, sizeof(a.slot), "%s", d->slot);
	snprintf(a.title, sizeof(a.title), "%s", d->title);
	snprintf(a.state, sizeof(a.state), "%s", "draft");
	snprintf(a.roles, sizeof(a.roles), "%s", "[]");
	snprintf(a.departments, sizeof(a.departments), "%s", "[]");
	snprintf(a.source, sizeof(a.source), "%s", d->source);
	a.category_id = category_id;
	a.source_order_id = source_order_id;
	a.created_by = author;
	a.created_at = a.updated_at = now;
	snprintf(v.title, sizeof(v.title), "%s", d->title);
	v.author_id = author;
	v.created_at = now;
	if (published)
		snprintf(v.note, sizeof(v.note), "%s", "规范导入");
	if (buf_append(&v.body, d->body, d->body_len) < 0 || buf_grow(&v.body, 1) < 0 ||
	    kb_doc_list_json(&d->tags, &v.tags) < 0 || applies_json(d, &v.applies) < 0)
		rc = ERR_NOMEM;
	if (rc == 0)
		rc = kb_article_insert(s, &a, &v);
	if (rc == 0)
		rc = kb_event_add(s, a.id, 1, "created", author, now, NULL);
	/* A seeded script is published at once: the rulebook is its review. */
	if (rc == 0 && published) {
		snprintf(a.state, sizeof(a.state), "%s", "published");
		a.published_version = 1;
		a.published_at = now;
		rc = kb_article_update(s, &a);
		if (rc == 0)
			rc = kb_event_add(s, a.id, 1, "approved", author, now,
					  d->source[0] ? d->source : NULL);
		if (rc == 0)
			rc = kb_applies_set(s, a.id, buf_str(&v.applies));
		if (rc == 0)
			rc = kb_search_index(s, a.id);
	}
	if (rc == 0)
		*id = a.id;
	kb_version_release(&v);
	return rc;
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
