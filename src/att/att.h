/*
 * att — files attached to work orders and contacts (seed 003 Case受理规范:
 * photos of the damage, documents, the on-site report).
 *
 * What a file is, is decided by its first bytes, never by its name or the
 * Content-Type the client sent: JPEG, PNG, WebP and PDF are taken, anything
 * else (HTML, scripts, programs renamed .png) is refused. The bytes live
 * outside the database in attachments_dir, named by their SHA-256
 * (<dir>/ab/<sha256>: the same photo attached twice is stored once),
 * written to a temporary file, fsynced and renamed into place before the
 * row that points at them commits. The table `attachment` keeps the
 * metadata: the order or contact, kind, the name the uploader gave, the
 * sniffed type, size, hash, who and when.
 *
 * Who may do what is decided where the order or contact is: wo_api.c and
 * cust_api.c check the caller may see it (and add to it), then call the
 * att_api_* functions here. Deleting takes ACT_ATTACHMENT_DELETE (the
 * uploader, a supervisor or the manager). Uploads, downloads and deletions
 * are audited. A download is never shown as a page: images go out as
 * themselves, anything else as Content-Disposition: attachment, always with
 * the sniffed Content-Type and nosniff.
 */
#ifndef KEFU_ATT_ATT_H
#define KEFU_ATT_ATT_H

#include <stddef.h>
#include <stdint.h>

struct req;
struct store;

#define ATT_NAME_MAX 200 /* bytes of UTF-8 in an attachment's file name */

/* Rules (att.c, no I/O). */

/* The MIME type of the content by its magic bytes, or NULL when it is
 * none of JPEG, PNG, WebP and PDF. */
const char *att_sniff(const unsigned char *p, size_t len);
/* Audio by its structure, not only its magic: AMR and AMR-WB (WeChat's voices; every
 * frame to the end), MP3 (an ID3v2 tag or none, then two Layer III frames in a row),
 * Ogg with Speex, Opus or Vorbis; NULL for anything else and for any file whose first
 * kilobyte holds markup (<script, <html, <svg…). Only channels' files take audio. */
const char *att_sniff_audio(const unsigned char *p, size_t len);
/* 1 for the image types (shown inline), 0 for documents and audio (downloaded). */
int att_is_image(const char *mime);
/* The extension kefu gives a type ("jpg", "pdf"). */
const char *att_extension(const char *mime);
/* "photo", "document", "onsite_report": 0 if known. */
int att_kind_valid(const char *kind);
/*
 * The file name the client sent in X-Filename (percent-encoded UTF-8, as
 * encodeURIComponent writes it), decoded into out: only its last path
 * segment, no control characters, 1 to ATT_NAME_MAX bytes. ERR_INVALID
 * with *why set otherwise.
 */
int att_filename(const char *header, char *out, size_t size, const char **why);

/* Storage (att_store.c). */

struct att_row {
	int64_t id;
	int64_t order_id;   /* 0 for a contact's */
	int64_t contact_id; /* 0 for an order's */
	char kind[16];
	char filename[ATT_NAME_MAX + 1];
	char mime[32];
	int64_t size;
	char sha256[65];
	int64_t uploaded_by; /* 0 for a file a customer sent */
	int64_t created_at;
	int64_t message_id; /* a conversation's message (issue 18, owner "message"); else 0 */
};

typedef int (*att_row_fn)(void *ctx, const struct att_row *a);

/* Writes the bytes under their hash in dir (fsynced) unless there already;
 * fills sha256. Outside any transaction: it may take a while. */
int att_file_put(const char *dir, const void *p, size_t len, char sha256[65]);
/* The path of a stored file. */
void att_file_path(const char *dir, const char *sha256, char *out, size_t size);
/*
 * Stores the bytes and opens the transaction in which the caller writes the
 * row that points at them: the file first, outside the transaction (fsync
 * takes a while), and again inside it, should a deletion of the same bytes
 * have taken it away since (deletions remove files inside their
 * transaction). On success the transaction is open; on failure it is not.
 */
/* Removes a stored file no row points at any more (inside the transaction
 * that deleted the last row, so an upload of the same bytes, which checks
 * for the file inside its own, cannot lose it); a failure is logged. */
void att_file_remove(const char *dir, const char *sha256);
int att_file_put_begin(struct store *s, const char *dir, const void *p, size_t len,
		       char sha256[65]);
int att_insert(struct store *s, struct att_row *a);
int att_get(struct store *s, int64_t id, struct att_row *out);
int att_list(struct store *s, int64_t order_id, int64_t contact_id, att_row_fn fn, void *ctx);
/* The files of a conversation's message (owner "message"), by id. */
int att_list_message(struct store *s, int64_t message_id, att_row_fn fn, void *ctx);
/* Deletes the row; *last is 1 when no other row keeps its file. */
int att_delete(struct store *s, const struct att_row *a, int *last);
/* How many rows keep the file of this hash: the orders' and contacts'
 * attachments and the knowledge base's (kb_attachment) share the store. */
int att_file_refs(struct store *s, const char *sha256, int64_t *n);

/* The Content-Disposition of a download: images inline, anything else as an
 * attachment; kefu's own plain name (attachment-<id>.<ext>) and the
 * uploader's in filename*. */
void att_disposition(int64_t id, const char *filename, const char *mime, char *out, size_t size);

/* HTTP (att_api.c), for the handlers of the order or contact, after they
 * checked the caller may see it. owner is "order" or "contact". */
int att_api_list(struct req *r, const char *owner, int64_t owner_id);
int att_api_upload(struct req *r, const char *owner, int64_t owner_id);
/* The attachment {aid} (route parameter 1) of the owner: the file, or its deletion. */
int att_api_download(struct req *r, const char *owner, int64_t owner_id);
int att_api_delete(struct req *r, const char *owner, int64_t owner_id);

#endif
