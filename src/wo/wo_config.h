/*
 * wo_config — the center's work-order rules as data a manager can change:
 * the classes and their deadlines (ROUTE-1, WO-2), the complaint levels
 * (WO-3, read only), the complaint catalogue with its scripts (WO-10), the
 * routing table (ROUTE-2) and a few numeric settings (CB-2 callbacks,
 * CALL-13/14 promises, WO-7 retention, the second-complaint window of D).
 *
 * How it works. The engine (wo_engine.c) reads these tables at every
 * dispatch, so a change applies to orders created afterwards; deadlines
 * already running are stored per order (wo_sla) and never move. The seven
 * classes are fixed (A1 A2 B C D E F: their codes are in the rulebook and in
 * order numbers): they can be changed, never created or deleted. Complaint
 * types are never deleted either, because orders refer to their codes:
 * they are deactivated. Every class must stay routable: after any change
 * to the routing table, each class it touched must still have a route for
 * both "on site needed" and "not needed" (wo_route_pick), or the change is
 * refused and rolled back. There is at most one route per class and on-site
 * case, so no rule is ever dead.
 *
 * Who owns what: this header's rule functions do no I/O (validation of one
 * record, the routability check over rows in memory); the storage functions
 * run SQL in the caller's transaction and leave commit or rollback to it;
 * wo_config_api.c is the HTTP/JSON editor, which audits every change.
 * Callers own the structs; they hold no pointers to free.
 */
#ifndef KEFU_WO_WO_CONFIG_H
#define KEFU_WO_WO_CONFIG_H

#include <stdint.h>

#include "core/err.h"
#include "http/http.h"
#include "wo/wo.h"

struct store;

#define WO_CONFIG_MINUTES_MAX 525600 /* a deadline of at most a year */
#define WO_CONFIG_ESCALATE_MAX 10080 /* escalate again at least once a week (WO-4) */
#define WO_CONFIG_CLASS_NAME_MAX 32  /* characters: struct wo_class_rule holds 128 bytes */
#define WO_CONFIG_CODE_MAX 32        /* complaint codes: [a-z0-9_]{1,32} */
#define WO_CONFIG_NAME_MAX 64        /* characters of a complaint type's name */
#define WO_CONFIG_SCRIPT_MAX 2000    /* characters of a script (WO-10) */
/* The whole catalogue is answered in one list, like one full page of the API. */
#define WO_CONFIG_COMPLAINTS_MAX 500
/* The engine loads at most this many routes (wo_engine.c MAX_ROUTES); one per
 * class and on-site case keeps the table far below it. */
#define WO_CONFIG_ROUTES_MAX 64

/* A class (ROUTE-1) with its deadlines (WO-2); minutes of -1 mean "no such deadline". */
struct wo_config_class {
	struct wo_class_rule rule;
	int64_t updated_at;
};

/* A complaint level (WO-3): Ⅰ–Ⅳ; onsite says whether it needs a visit. */
struct wo_config_level {
	char code[8];
	char name[257];
	int onsite;
	int rank;
};

/* A complaint type of the catalogue (WO-10). Empty strings stand for null. */
struct wo_config_complaint {
	char code[WO_CONFIG_CODE_MAX + 1];
	char name[WO_CONFIG_NAME_MAX * 4 + 1];
	char class_code[8];
	char level[8];
	char department_kind[33];
	char script[WO_CONFIG_SCRIPT_MAX * 4 + 1];
	int active;
	int64_t updated_at;
};

/* A row of the routing table (ROUTE-2); rule.id is the row's id. */
struct wo_config_route {
	struct wo_route_rule rule;
	int64_t updated_at;
};

/* Rules (no I/O). Each returns 0 or ERR_UNPROCESSABLE with the field named. */
int wo_config_class_validate(const struct wo_config_class *c, struct err_info *ei);
/* 1 if code is 1 to 32 of a-z, 0-9 and '_'. */
int wo_config_code_valid(const char *code);
int wo_config_complaint_validate(const struct wo_config_complaint *c, struct err_info *ei);
/* The target's needs: a department route names a kind or a department; the other
 * targets name none (the engine would ignore them, ROUTE-2). */
int wo_config_route_validate(const struct wo_config_route *r, struct err_info *ei);
/* ROUTE-2: the class has a route for both on-site cases among rules[0..n). */
int wo_config_routable(const struct wo_route_rule *rules, int n, const char *class_code,
		       struct err_info *ei);
/* The settings a manager may change and their ranges; ERR_NOTFOUND for other keys. */
int wo_config_setting_range(const char *key, int64_t *min, int64_t *max);

/* Storage. All run in the caller's transaction (writes need one) and return 0
 * or a negative err; the list functions return how many rows they gave, and
 * stop at the first negative value row() returns. */
int wo_config_class_list(struct store *s,
			 int (*row)(void *ctx, const struct wo_config_class *c), void *ctx);
int wo_config_class_get(struct store *s, const char *code, struct wo_config_class *out);
/* Validates and writes the rule; the class must exist (ERR_NOTFOUND). */
int wo_config_class_update(struct store *s, struct wo_config_class *c, int64_t now,
			   struct err_info *ei);

int wo_config_level_list(struct store *s,
			 int (*row)(void *ctx, const struct wo_config_level *l), void *ctx);

/* active: -1 all, 0 inactive only, 1 active only; ordered by code. */
int wo_config_complaint_list(struct store *s, int active,
			     int (*row)(void *ctx, const struct wo_config_complaint *c),
			     void *ctx);
int wo_config_complaint_get(struct store *s, const char *code, struct wo_config_complaint *out);
/* Validates, checks class and level exist (422), the code is new (409) and
 * the catalogue has room (422). An empty c->code is filled in with the next
 * free type_<n> first. */
int wo_config_complaint_insert(struct store *s, struct wo_config_complaint *c, int64_t now,
			       struct err_info *ei);
int wo_config_complaint_update(struct store *s, struct wo_config_complaint *c, int64_t now,
			       struct err_info *ei);

/* Ordered by id, the order in which the engine reads them. */
int wo_config_route_list(struct store *s,
			 int (*row)(void *ctx, const struct wo_config_route *r), void *ctx);
int wo_config_route_get(struct store *s, int64_t id, struct wo_config_route *out);
/*
 * Each validates the row and its references (class, department, an active
 * owner: 422), refuses a second route for the same class and on-site case
 * (409), writes, and then checks that every class the change touched is
 * still routable (422). On error the caller rolls back.
 */
int wo_config_route_insert(struct store *s, struct wo_config_route *r, int64_t now,
			   struct err_info *ei);
/* old_class: the class the row had before, checked too when it moved. */
int wo_config_route_update(struct store *s, struct wo_config_route *r, const char *old_class,
			   int64_t now, struct err_info *ei);
int wo_config_route_delete(struct store *s, const struct wo_config_route *r, struct err_info *ei);

/* Every stored setting, ordered by key. */
int wo_config_setting_list(struct store *s, int (*row)(void *ctx, const char *key, int64_t value),
			   void *ctx);
/* Checks the key and range (ERR_INVALID for an unknown key, 422 out of range), then
 * writes it (inserted if missing). */
int wo_config_setting_set(struct store *s, const char *key, int64_t value, int64_t now,
			  struct err_info *ei);

/* The module's routes (wo_config_api.c), ended by a route with method NULL. */
extern const struct route wo_config_routes[];

#endif
