#include <stdio.h>

#include "audit/audit.h"
#include "core/err.h"
#include "store/store.h"

int audit_append(struct store *s, const struct audit_actor *who, int64_t now, const char *action,
		 const char *entity, int64_t entity_id, const char *outcome, const char *detail)
{
	char idtext[24];
	int rc;

	snprintf(idtext, sizeof(idtext), "%lld", (long long)entity_id);
	rc = store_run(s,
		       "INSERT INTO audit(at, actor_id, actor, address, action, entity, entity_id,"
		       " outcome, detail) VALUES (?,?,?,?,?,?,?,?,?)",
		       NULL, "idttttttt", now, who->id, who->name ? who->name : "anonymous",
		       who->address, action, entity, entity_id ? idtext : NULL, outcome, detail);
	return rc < 0 ? rc : 0;
}

static int entry_read(struct store_stmt *st, void *dst)
{
	struct audit_entry *e = dst;

	e->id = store_col_int(st, 0);
	e->at = store_col_int(st, 1);
	e->actor_id = store_col_int(st, 2);
	e->actor = store_col_text(st, 3);
	e->address = store_col_text(st, 4);
	e->action = store_col_text(st, 5);
	e->entity = store_col_text(st, 6);
	e->entity_id = store_col_text(st, 7);
	e->outcome = store_col_text(st, 8);
	e->detail = store_col_text(st, 9);
	return 0;
}

int audit_list(struct store *s, const struct audit_filter *f,
	       int (*row)(void *ctx, const struct audit_entry *e), void *ctx)
{
	struct store_sql q = STORE_SQL_INIT;
	struct audit_entry e;
	struct store_stmt *st;
	int n = 0, rc;

	/*
	 * Only the filters asked for go into the WHERE clause, so SQLite can
	 * use the index that fits (actor, entity or action, each with id).
	 */
	store_sql_add(&q,
		      "SELECT id, at, actor_id, actor, address, action, entity, entity_id,"
		      " outcome, detail FROM audit WHERE 1=1",
		      "");
	if (f->actor_id)
		store_sql_add(&q, " AND actor_id = ?", "i", f->actor_id);
	if (f->action)
		store_sql_add(&q, " AND action = ?", "t", f->action);
	if (f->entity)
		store_sql_add(&q, " AND entity = ?", "t", f->entity);
	if (f->entity_id)
		store_sql_add(&q, " AND entity_id = ?", "t", f->entity_id);
	if (f->outcome)
		store_sql_add(&q, " AND outcome = ?", "t", f->outcome);
	if (f->from)
		store_sql_add(&q, " AND at >= ?", "i", f->from);
	if (f->to)
		store_sql_add(&q, " AND at < ?", "i", f->to);
	if (f->before_id)
		store_sql_add(&q, " AND id < ?", "i", f->before_id);
	store_sql_add(&q, " ORDER BY id DESC LIMIT ?", "i", (int64_t)f->limit);
	st = store_sql_prepare(s, &q);
	while ((rc = store_next(st, entry_read, &e)) == 1 && (rc = row(ctx, &e)) >= 0)
		n++;
	return store_end(st, rc, n);
}
