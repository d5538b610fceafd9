/*
 * Attachments' storage: the files under attachments_dir and the rows of the
 * table `attachment` (migration 9).
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "att/att.h"
#include "core/err.h"
#include "core/log.h"
#include "store/store.h"

void att_file_path(const char *dir, const char *sha256, char *out, size_t size)
{
	snprintf(out, size, "%s/%.2s/%s", dir, sha256, sha256);
}

static int mkdir_one(const char *path)
{
	if (mkdir(path, 0750) == 0 || errno == EEXIST)
		return 0;
	log_error("att: cannot create %s: %s", path, strerror(errno));
	return ERR_IO;
}

/* fsync of a directory, so a rename into it survives power loss. */
static int sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return ERR_IO;
	if (fsync(fd) < 0)
		rc = ERR_IO;
	close(fd);
	return rc;
}

int att_file_put(const char *dir, const void *p, size_t len, char sha256[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char sub[600], path[700], tmp[720];
	const unsigned char *at = p;
	size_t left = len;
	struct stat st;
	int fd, rc = 0;

	crypto_hash_sha256(h, p, len);
	sodium_bin2hex(sha256, 65, h, sizeof(h));
	snprintf(sub, sizeof(sub), "%s/%.2s", dir, sha256);
	att_file_path(dir, sha256, path, sizeof(path));
	/* Content-addressed: a file of that hash holds these very bytes. */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len)
		return 0;
	if (mkdir_one(dir) < 0 || mkdir_one(sub) < 0)
		return ERR_IO;
	snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", sub);
	fd = mkstemp(tmp);
	if (fd < 0) {
		log_error("att: cannot create a file in %s: %s", sub, strerror(errno));
		return ERR_IO;
	}
	while (left > 0 && rc == 0) {
		ssize_t n = write(fd, at, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			rc = ERR_IO;
		else {
			at += n;
			left -= (size_t)n;
		}
	}
	if (rc == 0 && fsync(fd) < 0)
		rc = ERR_IO;
	if (close(fd) < 0)
		rc = ERR_IO;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = ERR_IO;
	if (rc == 0)
		rc = sync_dir(sub);
	if (rc < 0) {
		log_error("att: cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
	}
	return rc;
}

#define COLS                                                                                       \
	"id, order_id, contact_id, kind, filename, mime, size, sha256, uploaded_by, created_at,"   \
	" message_id"

static int row_read(struct store_stmt *st, void *dst)
{
	struct att_row *a = dst;

	memset(a, 0, sizeof(*a));
	a->id = store_col_int(st, 0);
	a->order_id = store_col_int(st, 1);
	a->contact_id = store_col_int(st, 2);
	STORE_COL_COPY(st, 3, a->kind);
	STORE_COL_COPY(st, 4, a->filename);
	STORE_COL_COPY(st, 5, a->mime);
	a->size = store_col_int(st, 6);
	STORE_COL_COPY(st, 7, a->sha256);
	a->uploaded_by = store_col_int(st, 8);
	a->created_at = store_col_int(st, 9);
	a->message_id = store_col_int(st, 10);
	return 0;
}

int att_insert(struct store *s, struct att_row *a)
{
	int rc = store_run(
		s,
		"INSERT INTO attachment(order_id, contact_id, kind, filename, mime, size, sha256,"
		" uploaded_by, created_at, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" RETURNING id",
		&a->id, "ddtttitdid", a->order_id, a->contact_id, a->kind, a->filename, a->mime,
		a->size, a->sha256, a->uploaded_by, a->created_at, a->message_id);

	if (rc == 0)
		return ERR_IO; /* RETURNING gives a row or fails */
	return rc < 0 ? rc : 0;
}

int att_get(struct store *s, int64_t id, struct att_row *out)
{
	return store_one(store_query(s, "SELECT " COLS " FROM attachment WHERE id = ?", "i", id),
			 row_read, out);
}

int att_list(struct store *s, int64_t order_id, int64_t contact_id, att_row_fn fn, void *ctx)
{
	struct store_stmt *st =
		order_id ? store_query(s,
				       "SELECT " COLS " FROM attachment WHERE order_id = ?"
				       " ORDER BY id",
				       "i", order_id)
			 : store_query(s,
				       "SELECT " COLS " FROM attachment WHERE contact_id = ?"
				       " ORDER BY id",
				       "i", contact_id);
	struct att_row a;
	int rc;

	while ((rc = store_next(st, row_read, &a)) == 1) {
		rc = fn(ctx, &a);
		if (rc < 0)
			break;
	}
	return store_end(st, rc, 0);
}

int att_list_message(struct store *s, int64_t message_id, att_row_fn fn, void *ctx)
{
	struct store_stmt *st = store_query(
		s, "SELECT " COLS " FROM attachment WHERE message_id = ? ORDER BY id", "i", message_id);
	struct att_row a;
	int rc;

	while ((rc = store_next(st, row_read, &a)) == 1) {
		rc = fn(ctx, &a);
		if (rc < 0)
			break;
	}
	return store_end(st, rc, 0);
}

int att_delete(struct store *s, const struct att_row *a, int *last)
{
	int64_t others = 0;
	int rc = store_run(s, "DELETE FROM attachment WHERE id = ?", NULL, "i", a->id);

	if (rc >= 0)
		rc = att_file_refs(s, a->sha256, &others);
	*last = rc >= 0 && others == 0;
	return rc < 0 ? rc : 0;
}

int att_file_refs(struct store *s, const char *sha256, int64_t *n)
{
	int rc = store_run(s,
			   "SELECT (SELECT count(*) FROM attachment WHERE sha256 = ?1)"
			   " + (SELECT count(*) FROM kb_attachment WHERE sha256 = ?1)",
			   n, "t", sha256);

	return rc < 0 ? rc : 0;
}

int att_file_put_begin(struct store *s, const char *dir, const void *p, size_t len,
		       char sha256[65])
{
	char path[700];
	int rc = att_file_put(dir, p, len, sha256);

	if (rc < 0)
		return rc;
	rc = store_begin(s);
	if (rc < 0)
		return rc;
	att_file_path(dir, sha256, path, sizeof(path));
	if (access(path, F_OK) != 0) {
		rc = att_file_put(dir, p, len, sha256);
		if (rc < 0)
			store_rollback(s);
	}
	return rc < 0 ? rc : 0;
}

void att_file_remove(const char *dir, const char *sha256)
{
	char path[700];

	att_file_path(dir, sha256, path, sizeof(path));
	if (unlink(path) < 0)
		log_warn("att: cannot remove %s", path);
}
