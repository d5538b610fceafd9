/*
 * Attachments over HTTP. The routes are the order's and the contact's
 * (/api/orders/{id}/attachments, /api/contacts/{id}/attachments): their
 * handlers in wo_api.c and cust_api.c decide who may see the owner, then
 * call these. The upload's body is the file itself (any Content-Type; the
 * type is sniffed), its name in X-Filename; the server lets these routes
 * alone take a body of up to attachment_max (ROUTE_RAW_BODY, server.c).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "att/att.h"
#include "core/log.h"
#include "core/utf8.h"
#include "http/http.h"
#include "store/store.h"

static json_t *att_json(const struct att_row *a)
{
	return json_pack("{s:I, s:o, s:o, s:s, s:s, s:s, s:I, s:s, s:I, s:I}", "id",
			 (json_int_t)a->id, "order_id",
			 a->order_id ? json_integer(a->order_id) : json_null(), "contact_id",
			 a->contact_id ? json_integer(a->contact_id) : json_null(), "kind", a->kind,
			 "filename", a->filename, "mime", a->mime, "size", (json_int_t)a->size,
			 "sha256", a->sha256, "uploaded_by", (json_int_t)a->uploaded_by,
			 "created_at", (json_int_t)a->created_at);
}

static int list_row(void *ctx, const struct att_row *a)
{
	return json_array_append_new(ctx, att_json(a));
}

static int is_order(const char *owner)
{
	return strcmp(owner, "order") == 0;
}

/* The audit log's name of the owner's table. */
static const char *entity(const char *owner)
{
	return is_order(owner) ? "work_order" : "contact";
}

int att_api_list(struct req *r, const char *owner, int64_t owner_id)
{
	json_t *items = json_array();
	int rc = att_list(r->store, is_order(owner) ? owner_id : 0, is_order(owner) ? 0 : owner_id,
			  list_row, items);

	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

int att_api_upload(struct req *r, const char *owner, int64_t owner_id)
{
	struct att_row a;
	const char *kind = NULL, *why = NULL, *mime;
	int rc;

	memset(&a, 0, sizeof(a));
	if (r->raw_len == 0)
		return err_set(&r->ei, ERR_INVALID, "file",
			       "file: send the file's bytes as the body, its name in X-Filename");
	if ((int64_t)r->raw_len > r->app->cfg->attachment_max)
		return err_set(&r->ei, ERR_TOOBIG, "file", "file: larger than %lld bytes",
			       (long long)r->app->cfg->attachment_max);
	rc = req_query(r, "kind", &kind);
	if (rc < 0)
		return rc;
	if (kind && att_kind_valid(kind) < 0)
		return err_set(&r->ei, ERR_INVALID, "kind",
			       "kind: photo, document or onsite_report");
	if (att_filename(req_header(r, "X-Filename"), a.filename, sizeof(a.filename), &why) < 0)
		return err_set(&r->ei, ERR_INVALID, "filename", "%s", why);
	/* The content decides, never the name or the Content-Type the client sent. */
	mime = att_sniff((const unsigned char *)r->raw, r->raw_len);
	if (!mime)
		return err_set(&r->ei, ERR_UNPROCESSABLE, "file",
			       "file: only JPEG, PNG or WebP images and PDF documents are taken");
	snprintf(a.mime, sizeof(a.mime), "%s", mime);
	snprintf(a.kind, sizeof(a.kind), "%s",
		 kind		      ? kind
		 : att_is_image(mime) ? "photo"
				      : "document");
	a.order_id = is_order(owner) ? owner_id : 0;
	a.contact_id = is_order(owner) ? 0 : owner_id;
	a.size = (int64_t)r->raw_len;
	a.uploaded_by = r->who.person_id;
	a.created_at = r->now;
	rc = att_file_put_begin(r->store, r->app->cfg->attachments_dir, r->raw, r->raw_len,
				a.sha256);
	if (rc < 0)
		return rc;
	rc = att_insert(r->store, &a);
	if (rc == 0)
		rc = req_audit(r, "attachment.add", entity(owner), owner_id, "ok",
			       json_pack("{s:I, s:s, s:s, s:s, s:I, s:s}", "attachment_id",
					 (json_int_t)a.id, "kind", a.kind, "filename", a.filename,
					 "mime", a.mime, "size", (json_int_t)a.size, "sha256",
					 a.sha256));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 201, att_json(&a));
}

/* The attachment of the route's second parameter, if it belongs to the owner. */
static int load(struct req *r, const char *owner, int64_t owner_id, struct att_row *a)
{
	int64_t id;
	int rc = req_param_id(r, 1, &id);

	if (rc == 0)
		rc = att_get(r->store, id, a);
	if (rc == 0 && (is_order(owner) ? a->order_id : a->contact_id) != owner_id)
		rc = ERR_NOTFOUND;
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "no such attachment");
	return rc;
}

int att_api_download(struct req *r, const char *owner, int64_t owner_id)
{
	struct att_row a;
	char path[700], disposition[3 * ATT_NAME_MAX + 128];
	int fd, rc = load(r, owner, owner_id, &a);

	if (rc < 0)
		return rc;
	att_file_path(r->app->cfg->attachments_dir, a.sha256, path, sizeof(path));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		log_warn("att: attachment %lld: the file %s is missing", (long long)a.id, path);
		return err_set(&r->ei, ERR_NOTFOUND, NULL, "the attachment's file is missing");
	}
	rc = req_audit(
		r, "attachment.download", entity(owner), owner_id, "ok",
		json_pack("{s:I, s:s}", "attachment_id", (json_int_t)a.id, "filename", a.filename));
	if (rc < 0) {
		close(fd);
		return rc;
	}
	att_disposition(a.id, a.filename, a.mime, disposition, sizeof(disposition));
	return reply_file(r, fd, a.mime, disposition);
}

int att_api_delete(struct req *r, const char *owner, int64_t owner_id)
{
	struct att_row a;
	struct auth_target t = {0, 0};
	int last = 0, rc = load(r, owner, owner_id, &a);

	if (rc < 0)
		return rc;
	/* The uploader, a supervisor or the manager. */
	t.person_id = a.uploaded_by;
	rc = req_authorize(r, ACT_ATTACHMENT_DELETE, &t);
	if (rc < 0)
		return rc;
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = att_delete(r->store, &a, &last);
	if (rc == 0)
		rc = req_audit(r, "attachment.delete", entity(owner), owner_id, "ok",
			       json_pack("{s:I, s:s, s:s}", "attachment_id", (json_int_t)a.id,
					 "filename", a.filename, "sha256", a.sha256));
	/* Inside the transaction, so an upload of the same bytes (which checks
	 * for the file inside its own) cannot lose its file to this. */
	if (rc == 0 && last)
		att_file_remove(r->app->cfg->attachments_dir, a.sha256);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	r->status = 204;
	return 0;
}
