/*
 * GET /api/customers/{id}/export and POST /api/customers/{id}/erase: a
 * customer's data on request (PIPL, CUST-2, WO-7; pipl.h says what each
 * holds and does). Both take a reason, 2 to 200 characters, which goes into
 * the audit log with the act; the erasure also takes the customer's id
 * again (confirm), since it cannot be undone.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "att/att.h"
#include "core/mask.h"
#include "core/utf8.h"
#include "pipl/pipl.h"
#include "store/store.h"

static int reason_check(const char *reason, struct err_info *ei, int rc)
{
	size_t chars = reason ? utf8_len(reason) : 0;

	if (!reason || utf8_blank(reason) || chars < PIPL_REASON_MIN || chars > PIPL_REASON_MAX)
		return err_add(ei, rc, ERR_UNPROCESSABLE, "reason",
			       "reason: the customer's request or the other ground, %d to %d characters",
			       PIPL_REASON_MIN, PIPL_REASON_MAX);
	return rc;
}

/* The customer the route names (a merged id: its survivor), or 404. */
static int find(struct req *r, int64_t *id)
{
	int64_t asked = 0, found;
	int rc = req_param_id(r, 0, &asked);

	if (rc < 0)
		return rc;
	found = pipl_customer(r->store, asked);
	if (found < 0)
		return (int)found;
	if (found == 0)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such customer");
	*id = found;
	return 0;
}

/*
 * GET /api/customers/{id}/export?reason=…[&download=1]: the document, read
 * in one snapshot after the audit entry is written; download=1 answers it
 * as the file kefu-customer-<id>.json.
 */
static int customer_export(struct req *r)
{
	struct buf doc = BUF_INIT;
	const char *reason = NULL, *download = NULL;
	json_t *out = NULL;
	int64_t id = 0;
	int rc = find(r, &id);

	if (rc == 0)
		rc = req_query(r, "reason", &reason);
	if (rc == 0)
		rc = req_query(r, "download", &download);
	if (rc == 0)
		rc = reason_check(reason, &r->ei, 0);
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = req_audit(r, "customer.export", "customer", id, "ok",
		       json_pack("{s:s}", "reason", reason));
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = store_snapshot(r->store);
	if (rc == 0)
		rc = buf_printf(&doc, "{\"customer_id\": %lld, \"exported_at\": %lld",
				(long long)id, (long long)r->now);
	for (int i = 0; rc >= 0 && pipl_sections[i]; i++) {
		rc = buf_printf(&doc, ", \"%s\": ", pipl_sections[i]);
		if (rc >= 0)
			rc = pipl_export_section(r->store, i, id, &doc);
	}
	store_rollback(r->store);
	if (rc >= 0)
		rc = buf_puts(&doc, "}");
	if (rc >= 0) {
		out = json_loads(buf_str(&doc), 0, NULL);
		rc = out ? 0 : ERR_IO;
	}
	buf_release(&doc);
	if (rc < 0)
		return rc;
	if (download && strcmp(download, "1") == 0)
		snprintf(r->disposition, sizeof(r->disposition),
			 "attachment; filename=\"kefu-customer-%lld.json\"", (long long)id);
	return reply_json(r, 200, out);
}

static json_t *erased_json(const struct pipl_erased *e)
{
	return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "phones", e->phones,
			 "contacts", e->contacts, "orders", e->orders, "calls", e->calls,
			 "conversations", e->conversations, "messages", e->messages, "sms", e->sms,
			 "attachments", e->attachments);
}

/* The files of what was erased, once the rows no longer name them: each
 * recording, and each attachment's bytes that no other attachment shares. */
static int remove_files(struct req *r, struct pipl_erased *e)
{
	const struct config *cfg = r->app->cfg;
	char path[1024];
	int removed = 0;

	for (size_t at = 0; at < e->recordings.len; at += strlen(e->recordings.p + at) + 1) {
		const char *name = e->recordings.p + at;

		/* Names are kefu's own (YYYY/MM/DD/<call>.wav); nothing outside the folder. */
		if (!cfg->recordings_dir[0] || name[0] == '/' || strstr(name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", cfg->recordings_dir, name);
		removed += unlink(path) == 0;
	}
	for (size_t at = 0; at < e->shas.len; at += strlen(e->shas.p + at) + 1) {
		int64_t refs = 1;

		if (att_file_refs(r->store, e->shas.p + at, &refs) == 0 && refs == 0) {
			att_file_remove(cfg->attachments_dir, e->shas.p + at);
			removed++;
		}
	}
	return removed;
}

/*
 * POST /api/customers/{id}/erase {"reason", "confirm": <the id again>}:
 * anonymises the customer everywhere in one transaction (pipl_erase), then
 * removes the files. The audit entry holds the reason, the counts and the
 * numbers masked.
 */
static int customer_erase(struct req *r)
{
	static const char *const fields[] = {"reason", "confirm", NULL};
	struct pipl_erased e;
	const char *reason = NULL;
	json_t *masked, *detail, *confirm;
	int64_t id = 0;
	int rc = body_only(r, fields), files;

	if (rc == 0)
		rc = find(r, &id);
	if (rc == 0)
		rc = body_str(r, "reason", 0, &reason);
	if (rc < 0)
		return rc;
	rc = reason_check(reason, &r->ei, 0);
	confirm = r->body ? json_object_get(r->body, "confirm") : NULL;
	if (!json_is_integer(confirm) || json_integer_value(confirm) != id)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "confirm",
			     "confirm: the customer's id %lld, repeated to confirm the erasure",
			     (long long)id);
	if (rc < 0)
		return rc;
	rc = pipl_secure_delete(r->store, 1);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0) {
		pipl_secure_delete(r->store, 0);
		return rc;
	}
	rc = pipl_erase(r->store, id, r->now, &e);
	if (rc == 0) {
		char m[40];

		masked = json_array();
		for (int i = 0; i < e.phones; i++) {
			mask_phone(e.phone[i], m, sizeof(m));
			json_array_append_new(masked, json_string(m));
		}
		detail = json_pack("{s:s, s:o, s:o}", "reason", reason, "phones", masked, "erased",
				   erased_json(&e));
		rc = req_audit(r, "customer.erase", "customer", id, "ok", detail);
	}
	rc = req_finish(r, rc);
	pipl_secure_delete(r->store, 0);
	files = rc == 0 ? remove_files(r, &e) : 0;
	/* The WAL still holds the pages as they were before: folded into the
	 * file and emptied, so the erased bytes are gone from both. */
	if (rc == 0)
		store_checkpoint(r->store);
	buf_release(&e.recordings);
	buf_release(&e.shas);
	if (rc < 0)
		return rc;
	detail = erased_json(&e);
	json_object_set_new(detail, "files", json_integer(files));
	return reply_json(r, 200, json_pack("{s:I, s:o}", "id", (json_int_t)id, "erased", detail));
}

const struct route pipl_routes[] = {
	{"GET", "/api/customers/{id}/export", customer_export, ACT_CUST_EXPORT},
	{"POST", "/api/customers/{id}/erase", customer_erase, ACT_CUST_ERASE},
	{NULL, NULL, NULL, 0},
};
