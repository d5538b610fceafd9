/*
 * cust — the customer database and the record of every contact (CUST-1..5,
 * CALL-10, CALL-12).
 *
 * A customer has a name, a surname and a title (先生/女士) to be addressed
 * by (CUST-5), phone numbers, WeChat, Weibo and email handles, a kind, a
 * birthday (CUST-4), a VIP level whose every change is kept with who, when
 * and why (CUST-3), tags and notes. Phone numbers are stored as digits only
 * (a leading +86 or 0086 dropped), so the number of a ringing call finds its
 * customer with one indexed look-up; each number belongs to at most one
 * customer. Every answer masks them (CUST-2, SEC-1); seeing them whole is a
 * separate, audited act with a reason.
 *
 * Duplicates are merged: the duplicate's numbers, contacts, work orders
 * and VIP history move to the survivor, and the duplicate keeps pointing
 * at it (merged_into), so nothing is lost and old ids still lead to the
 * right record. Merges never chain: a survivor later merged away takes its
 * own duplicates with it, so merged_into is always one hop.
 *
 * A contact is one call, chat, message or visit (CALL-12), recorded by the
 * agent who handled it with its class (ROUTE-1: A..F) and the 5W1H
 * (CALL-10), attached to a customer when the caller is known.
 *
 * cust.c holds the rules (normalising, validating, addressing, merging
 * fields; no I/O, no JSON), cust_store.c the SQL and the stored JSON of
 * tags and 5W1H, cust_api.c the HTTP/JSON. Callers own the structs; they
 * hold no pointers to free.
 */
#ifndef KEFU_CUST_CUST_H
#define KEFU_CUST_CUST_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "http/http.h"

struct store;

/* Bytes for n characters of UTF-8, with the NUL. */
#define CUST_TEXT(n) ((n) * 4 + 1)

#define CUST_NAME_MAX 64    /* characters */
#define CUST_SURNAME_MAX 16 /* characters: 王, 欧阳, or a foreign family name */
#define CUST_PHONE_DIGITS 20
#define CUST_PHONE_MIN_DIGITS 3 /* short service numbers such as 110 or 95555 */
#define CUST_PHONE_EXT_MAX 6    /* digits of an extension */
#define CUST_PHONES_MAX 16
#define CUST_LABEL_MAX 16   /* characters: 手机, 办公室 */
#define CUST_HANDLE_MAX 64  /* characters: WeChat and Weibo */
#define CUST_EMAIL_MAX 254  /* bytes (RFC 5321) */
#define CUST_TAGS_MAX 32
#define CUST_TAG_MAX 32     /* characters */
#define CUST_NOTES_MAX 1000 /* characters */
#define CUST_VIP_MAX 9
#define CUST_KIND_MAX 15
#define CUST_REASON_MIN 2   /* characters of a reveal reason */
#define CUST_REASON_MAX 200 /* characters of a reveal or VIP reason */
#define CUST_RECENT 5       /* recent contacts and orders shown on a screen pop */
#define CUST_RECENT_SUMMARY 60 /* characters of a recent contact's summary */

/* The fields of a customer, as bits: what changed, what a merge filled in. */
enum cust_field {
	CF_NAME = 1 << 0,
	CF_SURNAME = 1 << 1,
	CF_TITLE = 1 << 2,
	CF_KIND = 1 << 3,
	CF_PHONES = 1 << 4,
	CF_WECHAT = 1 << 5,
	CF_WEIBO = 1 << 6,
	CF_EMAIL = 1 << 7,
	CF_BIRTHDAY = 1 << 8,
	CF_VIP = 1 << 9,
	CF_TAGS = 1 << 10,
	CF_NOTES = 1 << 11,
};
#define CUST_FIELD_COUNT 12

struct cust_phone {
	char phone[CUST_PHONE_DIGITS + 1]; /* digits only */
	char label[CUST_TEXT(CUST_LABEL_MAX)];
};

struct customer {
	int64_t id;
	char name[CUST_TEXT(CUST_NAME_MAX)];
	char surname[CUST_TEXT(CUST_SURNAME_MAX)];
	char title[3]; /* "mr" (先生), "ms" (女士) or "" */
	char kind[CUST_KIND_MAX + 1];
	struct cust_phone phones[CUST_PHONES_MAX];
	int nphones;
	char wechat[CUST_TEXT(CUST_HANDLE_MAX)];
	char weibo[CUST_TEXT(CUST_HANDLE_MAX)];
	char email[CUST_EMAIL_MAX + 1];
	char birthday[11]; /* "MM-DD", "YYYY-MM-DD" or "" (CUST-4) */
	int vip_level;     /* 0..9 (CUST-3) */
	char tags[CUST_TAGS_MAX][CUST_TEXT(CUST_TAG_MAX)];
	int ntags;
	char notes[CUST_TEXT(CUST_NOTES_MAX)];
	int64_t merged_into; /* 0: a live record */
	int64_t created_at, updated_at;
};

/* One VIP level change (CUST-3). */
struct cust_vip {
	int level;
	int64_t at;
	int64_t by_id; /* 0: unknown (the CLI, an import) */
	char reason[CUST_TEXT(CUST_REASON_MAX)];
};

/* What a screen pop shows besides the customer: totals and the latest. */
struct cust_recent_contact {
	int64_t id;
	char channel[16];
	char direction[4];
	char cls[2];
	int64_t agent_id;
	int64_t started_at;
	char summary[CUST_TEXT(CUST_RECENT_SUMMARY)]; /* its beginning */
};

struct cust_recent_order {
	int64_t id;
	char number[40];
	char cls[8];
	char state[32];
	int64_t created_at;
};

struct cust_history {
	int64_t contacts_total, orders_total;
	int ncontacts, norders;
	struct cust_recent_contact contacts[CUST_RECENT]; /* newest first */
	struct cust_recent_order orders[CUST_RECENT];     /* newest first */
};

struct cust_filter {
	const char *q;    /* part of name, surname, WeChat or email; NULL: any */
	const char *kind; /* NULL: any */
	int vip_min;
	int64_t after_id; /* cursor */
	int limit;
};

/* What a merge moved and changed, for its audit entry. */
struct cust_merge_result {
	int phones, contacts, orders, vip_history;
	unsigned filled; /* cust_field bits the duplicate filled in */
	int tags_added;
	int old_vip; /* the survivor's level before */
};

/* Contacts (CALL-10, CALL-12). */
#define CUST_FIVEW 6          /* when, who, where, what, why, how */
#define CUST_FIVEW_MAX 500    /* characters each */
#define CUST_SUMMARY_MAX 2000 /* characters */

struct cust_contact {
	int64_t id;
	char channel[16];  /* phone, wechat, weibo, web_chat, email, sms, visit */
	char direction[4]; /* in, out */
	int64_t customer_id; /* 0: not known */
	char phone[CUST_PHONE_DIGITS + 1]; /* the number it came from or went to, or "" */
	int64_t agent_id;
	int64_t started_at;
	int64_t ended_at; /* 0: not ended or not recorded */
	char cls[2];      /* ROUTE-1: "A".."F", or "" while not yet classified */
	char fivew[CUST_FIVEW][CUST_TEXT(CUST_FIVEW_MAX)]; /* in cust_fivew_keys order; "" absent */
	char summary[CUST_TEXT(CUST_SUMMARY_MAX)];
	int satisfaction; /* 1..5, 0: not rated */
	int64_t created_at;
	int64_t call_id; /* the hotline call it records (set by the call engine), 0: none */
};

struct cust_contact_filter {
	int64_t customer_id; /* 0: any */
	int64_t agent_id;    /* 0: any */
	int64_t from, to;    /* started_at in [from, to); 0: open */
	int64_t before_id;   /* cursor: newest first */
	int limit;
};

extern const char *const cust_fivew_keys[CUST_FIVEW];

/* Rules (cust.c). */
/*
 * Digits only, without a leading +86 or 0086, separators (space - ( ) .)
 * dropped: 0 with out filled, or ERR_UNPROCESSABLE for anything that is
 * not a phone number of 3 to 20 digits.
 */
int cust_phone_normalize(const char *in, char *out, size_t size);
/*
 * CUST-1: a number a person gives for a customer, checked as a whole
 * Chinese number: a mobile (11 digits from 13 to 19), a landline with its
 * area code (010 or 02x and 8 digits, 0xxx and 7 or 8), or a 400/800
 * number (10 digits); +86 or 0086 before it is dropped, separators
 * (space - ( ) .) too, and an extension after 转, ext, x, # (or a last
 * "-group" after a whole landline number) is kept after a '-':
 * "01012345678-123". Fills out and returns rc when it is one; otherwise
 * records what exactly is wrong with err_add under field and returns the
 * error (rc when there was one before).
 */
int cust_phone_check(const char *in, char *out, size_t size, const char *field, int rc,
		     struct err_info *ei);
int cust_kind_valid(const char *kind);
/* "mr" → 先生, "ms" → 女士, else NULL. */
const char *cust_title_word(const char *title);
/*
 * How an agent addresses the customer (CUST-5): 王先生 with surname and
 * title, else the name, else 先生/女士, else the surname; "" when nothing
 * is known.
 */
void cust_address_as(const struct customer *c, char *out, size_t size);
/* "MM-DD" or "YYYY-MM-DD", a real date, not before 1900 nor after now (CUST-4). */
int cust_birthday_valid(const char *s, int64_t now);
int cust_email_valid(const char *s);
int cust_validate(const struct customer *c, int64_t now, struct err_info *ei);
/* The same after earlier errors rc (0: none): every broken rule is added
 * with err_add, so a form shows them all at once. */
int cust_validate_more(const struct customer *c, int64_t now, int rc, struct err_info *ei);
/* Adds a tag unless present: 1 added, 0 present, ERR_UNPROCESSABLE when full. */
int cust_tag_add(struct customer *c, const char *tag);
/* The cust_field bits in which a and b differ. */
unsigned cust_diff(const struct customer *a, const struct customer *b);
const char *cust_field_name(unsigned bit);
/*
 * The field rules of a merge: empty fields of `into` are filled from
 * `from`, tags are united, the higher VIP level is kept. Phones and
 * history move in the store. ERR_UNPROCESSABLE when the tags would not fit.
 */
int cust_merge_fields(struct customer *into, const struct customer *from,
		      struct cust_merge_result *res, struct err_info *ei);

int cust_channel_valid(const char *channel);
int cust_direction_valid(const char *direction);
/* ROUTE-1: a contact's class is one letter A..F (sub-classes belong to orders). */
int cust_class_valid(const char *cls);
/* Index of a 5W1H key, or -1. */
int cust_fivew_index(const char *key);
int cust_contact_validate(const struct cust_contact *c, int64_t now, struct err_info *ei);
/* The same after earlier errors rc, adding every broken rule (err_add). */
int cust_contact_validate_more(const struct cust_contact *c, int64_t now, int rc,
			       struct err_info *ei);

/* Storage (cust_store.c). All return 0 or a negative err. */
/* The stored form of the tags, JSON text (malloc'd; NULL when out of
 * memory), and back: ERR_IO when the text is not a JSON array. */
char *cust_tags_text(const struct customer *c);
int cust_tags_parse(struct customer *c, const char *text);
/* The stored 5W1H, a JSON object text with only the keys set (malloc'd),
 * and back: ERR_IO when the text is not a JSON object. */
char *cust_fivew_text(const struct cust_contact *c);
int cust_fivew_parse(struct cust_contact *c, const char *text);
/* The record as stored, with its phones; a merged one too (merged_into set). */
int cust_get(struct store *s, int64_t id, struct customer *out);
/*
 * The customer behind id, following a merge to the survivor, with phones;
 * and, when hist is not NULL, its totals and latest contacts and orders.
 * Two indexed queries.
 */
int cust_load(struct store *s, int64_t id, struct customer *out, struct cust_history *hist);
/* The same for a ringing call: phone is normalised first (ERR_NOTFOUND for no customer). */
int cust_lookup(struct store *s, const char *phone, struct customer *out,
		struct cust_history *hist);
/* For the work-order module: 0 with the surviving id (merges followed), or ERR_NOTFOUND. */
int cust_exists(struct store *s, int64_t id, int64_t *surviving_id);
/* The customer holding a normalised number: 0 with *id, or ERR_NOTFOUND. */
int cust_phone_owner(struct store *s, const char *phone, int64_t *id);
/* 1 if the customer has a work order of the department, 0 if not. */
int cust_has_order_in_department(struct store *s, int64_t customer_id, int64_t department_id);
/*
 * Creates a customer with its phones (409 naming `phones` for a number
 * another customer holds) and, for a VIP level above 0, its first VIP
 * history entry by `by` (a person id, or 0).
 */
int cust_insert(struct store *s, struct customer *c, int64_t by, const char *vip_reason,
		int64_t now, struct err_info *ei);
/* Saves c over old (as loaded); a VIP level change is appended to the history. */
int cust_update(struct store *s, struct customer *c, const struct customer *old, int64_t by,
		const char *vip_reason, int64_t now, struct err_info *ei);
/* Live customers (merged ones left out), by id; returns how many rows it gave. */
int cust_list(struct store *s, const struct cust_filter *f,
	      int (*row)(void *ctx, const struct customer *c), void *ctx);
/* VIP history, newest first, at most limit entries. */
int cust_vip_list(struct store *s, int64_t id, int limit,
		  int (*row)(void *ctx, const struct cust_vip *v), void *ctx);
/*
 * Merges customer `from` into `into` in the caller's transaction: moves
 * phones, contacts, work orders and VIP history, applies the field rules,
 * marks `from` merged. 422 for merging a customer into itself or when
 * either is already merged; 404 when `into` does not exist, 422 naming
 * from_id when `from` does not. out is the survivor afterwards.
 */
int cust_merge(struct store *s, int64_t into, int64_t from, int64_t by, int64_t now,
	       struct customer *out, struct cust_merge_result *res, struct err_info *ei);

int cust_contact_get(struct store *s, int64_t id, struct cust_contact *out);
/* Validates, resolves customer_id through merges (422 when unknown), inserts. */
int cust_contact_insert(struct store *s, struct cust_contact *c, int64_t now,
			struct err_info *ei);
/* Validates and writes what a correction may change: ended_at, class, 5W1H, summary,
 * satisfaction and customer_id (the caller decides whether the customer may change). */
int cust_contact_update(struct store *s, const struct cust_contact *c, int64_t now,
			struct err_info *ei);
/*
 * The compliance metrics (CALL-2/4/5/6/7) of the hotline call a contact
 * records, as the call engine stored them: a JSON object text the caller
 * frees, or NULL (no call, or none measured yet).
 */
int cust_contact_call_metrics(struct store *s, int64_t call_id, char **out);
/* Newest first; returns how many rows it gave. */
int cust_contact_list(struct store *s, const struct cust_contact_filter *f,
		      int (*row)(void *ctx, const struct cust_contact *c), void *ctx);

/*
 * JSON for the work-order module (cust_api.c): id, address_as, kind,
 * vip_level and masked phones of the customer behind id (merges followed),
 * or NULL when there is none.
 */
struct json_t;
struct req;
struct json_t *cust_summary_json(struct req *r, struct store *s, int64_t id);
/* The request body's "fivew" object (CALL-10) into c: keys sent replace theirs, null clears
 * one, keys not sent stay; null for the whole object clears all. rc as before (errors are
 * added with err_add, so every broken field is told at once). The conversations' resolution
 * reads it too (src/chan/). */
int cust_fivew_read(struct req *r, int rc, struct cust_contact *c);
/* A reason to see numbers whole (CUST-2): 0, or 422 naming `reason` (an order's number too). */
int cust_reveal_reason_check(const char *reason, struct err_info *ei);
/* A contact as GET /api/contacts/{id} gives it (phone masked), for an order's page. */
struct json_t *cust_contact_json(const struct cust_contact *c);

/* The module's routes (cust_api.c), ended by a route with method NULL. */
extern const struct route cust_routes[];
/*
 * The customer fields of a create or update body read into c (cust_api.c,
 * no SQL): a malformed field (ERR_INVALID) ends the reading, a broken rule
 * (ERR_UNPROCESSABLE) is added to r->ei and reading goes on. Public for the
 * fuzz targets (tests/fuzz/fuzz_http.c) as well as the routes.
 */
int cust_api_read(struct req *r, struct customer *c, const char **vip_reason);

#endif
