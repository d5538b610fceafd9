/*
 * The SQL of the SIP side: agents' digest credentials (sip_credential, one
 * HA1 per person and realm) and their phones' registrations
 * (sip_registration, one row per person and contact). Nothing here begins
 * or commits: the registrar and the API run these in their transactions.
 *
 * Registrations carry their own expiry; every reader asks for rows that
 * expire after `now`, so an expired row is as good as gone even before the
 * SIP thread's purge deletes it.
 */
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "org/org.h"
#include "sip/sip.h"
#include "store/store.h"

static int account_read(struct store_stmt *st, void *dst)
{
	struct sip_account *out = dst;

	out->person_id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, out->work_no);
	out->roles = (unsigned)store_col_int(st, 2);
	out->active = (int)store_col_int(st, 3);
	STORE_COL_COPY(st, 4, out->realm);
	STORE_COL_COPY(st, 5, out->ha1);
	return 0;
}

int sip_account_get(struct store *s, const char *work_no, struct sip_account *out)
{
	memset(out, 0, sizeof(*out));
	return store_one(store_query(s,
				     "SELECT p.id, p.work_no, p.roles, p.active, c.realm, c.ha1"
				     " FROM person p LEFT JOIN sip_credential c"
				     " ON c.person_id = p.id WHERE p.work_no = ?",
				     "t", work_no),
			 account_read, out);
}

int sip_credential_set(struct store *s, int64_t person_id, const char *realm, const char *ha1,
		       int64_t now)
{
	int rc = store_run(s,
			   "INSERT INTO sip_credential(person_id, realm, ha1, updated_at)"
			   " VALUES (?, ?, ?, ?)"
			   " ON CONFLICT(person_id) DO UPDATE SET realm = excluded.realm,"
			   " ha1 = excluded.ha1, updated_at = excluded.updated_at",
			   NULL, "itti", person_id, realm, ha1, now);

	return rc < 0 ? rc : 0;
}

int sip_binding_upsert(struct store *s, int64_t person_id, const char *contact, const char *source,
		       const char *user_agent, int64_t now, int64_t expires_at, int *created)
{
	int64_t registered_at = 0;
	int rc;

	/* A binding that had expired (and was not purged yet) counts as new. */
	rc = store_run(s,
		       "SELECT registered_at FROM sip_registration"
		       " WHERE person_id = ? AND contact = ? AND expires_at > ?",
		       &registered_at, "iti", person_id, contact, now);
	if (rc < 0)
		return rc;
	*created = rc == 0;
	if (*created)
		registered_at = now;
	rc = store_run(s,
		       "INSERT INTO sip_registration(person_id, contact, source, user_agent,"
		       " registered_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)"
		       " ON CONFLICT(person_id, contact) DO UPDATE SET source = excluded.source,"
		       " user_agent = excluded.user_agent, registered_at = excluded.registered_at,"
		       " expires_at = excluded.expires_at",
		       NULL, "itttii", person_id, contact, source, user_agent, registered_at,
		       expires_at);
	return rc < 0 ? rc : 0;
}

int sip_binding_remove(struct store *s, int64_t person_id, const char *contact, int *removed)
{
	int rc = store_run(s, "DELETE FROM sip_registration WHERE person_id = ? AND contact = ?",
			   NULL, "it", person_id, contact);

	if (rc < 0)
		return rc;
	*removed = store_changes(s);
	return 0;
}

int sip_binding_remove_person(struct store *s, int64_t person_id, int *removed)
{
	int rc = store_run(s, "DELETE FROM sip_registration WHERE person_id = ?", NULL, "i",
			   person_id);

	if (rc < 0)
		return rc;
	*removed = store_changes(s);
	return 0;
}

#define BINDING_COLS                                                                               \
	"r.id, r.person_id, p.work_no, p.name, r.contact, r.source, r.user_agent,"                 \
	" r.registered_at, r.expires_at"

static int binding_read(struct store_stmt *st, void *dst)
{
	struct sip_binding *b = dst;

	b->id = store_col_int(st, 0);
	b->person_id = store_col_int(st, 1);
	b->work_no = store_col_text(st, 2);
	b->name = store_col_text(st, 3);
	b->contact = store_col_text(st, 4);
	b->source = store_col_text(st, 5);
	b->user_agent = store_col_text(st, 6);
	b->registered_at = store_col_int(st, 7);
	b->expires_at = store_col_int(st, 8);
	return 0;
}

static int binding_rows(struct store_stmt *st, sip_binding_fn row, void *ctx)
{
	struct sip_binding b;
	int rc, count = 0;

	while ((rc = store_next(st, binding_read, &b)) == 1 && (rc = row(ctx, &b)) >= 0)
		count++;
	return store_end(st, rc, count);
}

int sip_binding_list_person(struct store *s, int64_t person_id, int64_t now, sip_binding_fn row,
			    void *ctx)
{
	return binding_rows(
		store_query(s,
			    "SELECT " BINDING_COLS
			    " FROM sip_registration r JOIN person p ON p.id = r.person_id"
			    " WHERE r.person_id = ? AND r.expires_at > ? ORDER BY r.id",
			    "ii", person_id, now),
		row, ctx);
}

int sip_binding_list(struct store *s, int64_t now, int64_t after_id, int limit, sip_binding_fn row,
		     void *ctx)
{
	/* Only people who may register still count (ORG-3): a phone of someone
	 * disabled or moved off the hotline is not offered calls. */
	return binding_rows(
		store_query(s,
			    "SELECT " BINDING_COLS
			    " FROM sip_registration r JOIN person p ON p.id = r.person_id"
			    " WHERE r.expires_at > ? AND r.id > ? AND p.active = 1"
			    " AND (p.roles & ?) <> 0 ORDER BY r.id LIMIT ?",
			    "iiii", now, after_id, (int64_t)(ROLE_AGENT | ROLE_SUPERVISOR),
			    (int64_t)limit),
		row, ctx);
}

int sip_binding_purge(struct store *s, int64_t now)
{
	int rc = store_run(s, "DELETE FROM sip_registration WHERE expires_at <= ?", NULL, "i", now);

	return rc < 0 ? rc : store_changes(s);
}
