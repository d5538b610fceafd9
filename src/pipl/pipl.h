/*
 * pipl — a customer's personal data on request (PIPL; CUST-2, WO-7, issue
 * 22): everything kefu holds on one customer as one JSON document, and its
 * erasure.
 *
 * The export gathers, for one customer (a merged duplicate's id leads to
 * its survivor): the profile with the duplicates merged into it, phones,
 * VIP history, contacts with their 5W1H and summaries, work orders with
 * their events, callbacks and referrals, calls (the customer's contacts',
 * from or to the customer's numbers, and the calls out to them) with the
 * survey digit and their transcripts, conversations with their messages,
 * SMS sent, calls out and tasks, callers' callback requests, and the list
 * of attachments (names, types and sizes; not the bytes). Each section is
 * read by one statement that SQLite turns into JSON itself (json_object),
 * so the shape of the document is written once, beside its SQL.
 *
 * Erasure anonymises as WO-7's retention does (wo_anonymise_archived):
 * every row stays — the orders, contacts, calls, conversations and their
 * times, classes, states, outcomes, durations, survey digits and ratings
 * that reports count — and what identifies the customer or records what
 * was said goes: names, handles, email, birthday, notes, tags; phone
 * numbers (in calls, orders, SMS, calls out, callback requests; replaced
 * by the pseudonym "erased-<customer id>", one per customer, so a count of
 * distinct callers stays the same), summaries and 5W1H, orders' texts and
 * progress notes, messages' bodies, transcripts and the words of their
 * quality hits, the web chat visitor's details, the SMS opt-out of the
 * numbers; attachment rows are deleted, and the files of attachments and
 * recordings are removed after the commit (pipl_erased lists them). The
 * search indexes are rebuilt without the rows and the connection writes
 * with secure_delete, so the erased bytes do not linger in free pages.
 * An erased customer can still be exported: the document then shows the
 * anonymised record.
 *
 * pipl_store.c holds the SQL; pipl_api.c the routes, GET
 * /api/customers/{id}/export and POST /api/customers/{id}/erase, each
 * with a reason and audited (the erasure's entry holds the numbers only
 * masked).
 */
#ifndef KEFU_PIPL_PIPL_H
#define KEFU_PIPL_PIPL_H

#include <stdint.h>

#include "core/buf.h"
#include "http/http.h"

struct store;

#define PIPL_REASON_MIN 2
#define PIPL_REASON_MAX 200
#define PIPL_PHONES_MAX 32

/* The sections of the export, in the document's order. */
extern const char *const pipl_sections[];

/* The customer id itself, or the survivor a merged id points to; 0 when
 * there is no such customer. Negative err on failure. */
int64_t pipl_customer(struct store *s, int64_t id);
/* Section i of the export for customer id, as JSON text appended to out. */
int pipl_export_section(struct store *s, int i, int64_t id, struct buf *out);

/* What an erasure did, and the files to remove once it is committed. */
struct pipl_erased {
	int phones;
	char phone[PIPL_PHONES_MAX][24]; /* the numbers, digits (for the masked audit) */
	int contacts, orders, calls, conversations, messages, sms, attachments;
	struct buf recordings; /* NUL-separated names relative to recordings_dir */
	struct buf shas;       /* NUL-separated SHA-256 of deleted attachments */
};

/* Anonymises customer id in the caller's write transaction; res is filled
 * (buf_release its bufs). */
int pipl_erase(struct store *s, int64_t id, int64_t now, struct pipl_erased *res);
/* secure_delete on (1) or off (0) for this connection, around an erasure. */
int pipl_secure_delete(struct store *s, int on);

extern const struct route pipl_routes[];

#endif
