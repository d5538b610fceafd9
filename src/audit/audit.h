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
 * audit_store.c holds the SQL. GET /api/audit is the HTTP server's own route
 * (src/http/audit_api.c): audit sits below http, which writes to it.
 */
#ifndef KEFU_AUDIT_AUDIT_H
#define KEFU_AUDIT_AUDIT_H

#include <stdint.h>

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

int audit_append(struct store *s, const struct audit_actor *who, int64_t now, const char *action,
		 const char *entity, int64_t entity_id, const char *outcome, const char *detail);

/* Newest first; calls row() for each; returns how many rows it gave. */
int audit_list(struct store *s, const struct audit_filter *f,
	       int (*row)(void *ctx, const struct audit_entry *e), void *ctx);

#endif
