/*
 * audit — the append-only record of everything that changed or was refused.
 *
 * Every write, every login success and failure, every denial and every
 * reveal of protected data adds one entry: who (person id and work number,
 * or "cli" / "system"), from where, when, what action on which entity, the
 * outcome ("ok", "denied", "failed") and a JSON detail. A change and its
 * audit entry are written in the same transaction, so there is never one
 * without the other; refusals are written on their own. Triggers in the
 * schema refuse UPDATE and DELETE on the table.
 *
 * A detail is one flat JSON object, and every module builds it the same
 * way, with struct audit_detail (audit_detail.c): keys and values go in
 * one by one, in the order given, and the audit module writes the text.
 * Modules that keep the same detail beside their own events (an order's
 * history, a call's events) take the text from the builder too, so the two
 * never differ.
 *
 * audit_store.c holds the SQL. GET /api/audit is the HTTP server's own route
 * (src/http/audit_api.c): audit sits below http, which writes to it.
 */
#ifndef KEFU_AUDIT_AUDIT_H
#define KEFU_AUDIT_AUDIT_H

#include <stdint.h>

#include "core/buf.h"
#include "core/jw.h"

struct store;

/* Who acts: a logged-in person, or the operator's CLI, or the system. */
struct audit_actor {
	int64_t id;          /* person id, 0 for cli/system/anonymous */
	const char *name;    /* work number, "cli", "system" or "anonymous" */
	const char *address; /* client address, NULL when local */
};

struct audit_entry {
	int64_t id;
	int64_t at;
	int64_t actor_id;
	const char *actor;
	const char *address;
	const char *action;    /* "person.create", "login", ... */
	const char *entity;    /* "person", "department", "session", ... */
	const char *entity_id;
	const char *outcome;   /* "ok", "denied", "failed" */
	const char *detail;    /* JSON text or NULL */
};

struct audit_filter {
	int64_t actor_id;      /* 0: any */
	const char *action;    /* NULL: any */
	const char *entity;
	const char *entity_id;
	const char *outcome;
	int64_t from, to;      /* [from, to) in ms; 0: open */
	int64_t before_id;     /* cursor: only entries older than this id; 0: newest */
	int limit;
};

/*
 * An entry's detail, built key by key: audit_detail_init, then one call
 * per key in the order the keys are to appear, then audit_detail_text or
 * audit_append_detail. Out of memory sticks and makes the text NULL (an
 * entry without detail), as a failed jansson build did before.
 */
struct audit_detail {
	struct buf b;
	struct jw w;
	int closed; /* the closing brace is written */
};

void audit_detail_init(struct audit_detail *d);
/* A string, or null when v is NULL. */
void audit_detail_str(struct audit_detail *d, const char *key, const char *v);
void audit_detail_int(struct audit_detail *d, const char *key, int64_t v);
/* An id or time that may be unset: null when v is 0. */
void audit_detail_id(struct audit_detail *d, const char *key, int64_t v);
void audit_detail_bool(struct audit_detail *d, const char *key, int v);
/* JSON text that is already valid (a stored object, say), or null when NULL or "". */
void audit_detail_raw(struct audit_detail *d, const char *key, const char *json);
/* The object's text, owned by d (valid until audit_detail_release), or NULL
 * when out of memory. No more keys may be added after it. */
const char *audit_detail_text(struct audit_detail *d);
void audit_detail_release(struct audit_detail *d);

int audit_append(struct store *s, const struct audit_actor *who, int64_t now, const char *action,
		 const char *entity, int64_t entity_id, const char *outcome, const char *detail);

/* audit_append with d's text as the detail (none when d is NULL); releases d. */
int audit_append_detail(struct store *s, const struct audit_actor *who, int64_t now,
			const char *action, const char *entity, int64_t entity_id,
			const char *outcome, struct audit_detail *d);

/* Newest first; calls row() for each; returns how many rows it gave. */
int audit_list(struct store *s, const struct audit_filter *f,
	       int (*row)(void *ctx, const struct audit_entry *e), void *ctx);

#endif
