/*
 * org — the center's people and departments (ORG-1..4).
 *
 * A person has a work number (工号, the login name, ORG-3), a name, a phone,
 * one department, a direct superior (ORG-1: everyone has one, except the
 * top of the chain), roles, skills (seat types, ORG-2), an active flag and
 * a certified-for-duty flag (ORG-4: set only after the qualification exam
 * and the manager's confirmation). A department has a name, a kind, an
 * optional parent and a responsible person (its head), who receives the
 * department's work orders unless a routing rule names someone else.
 *
 * org.c holds the rules (validation, role names; no I/O). org_store.c holds
 * the SQL, org_api.c the HTTP/JSON, org_demo.c the demo center of the
 * rulebooks. Callers own the structs; they hold no pointers to free.
 */
#ifndef KEFU_ORG_ORG_H
#define KEFU_ORG_ORG_H

#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/err.h"
#include "http/http.h"

struct store;
struct audit_actor;

/* A person's roles are the bits of enum auth_role (auth/auth.h: the policy
 * is written in them); org stores them and names them. */

#define ORG_WORK_NO_MAX 32
#define ORG_NAME_MAX 64 /* characters, not bytes */
#define ORG_PHONE_MAX 32
#define ORG_KIND_MAX 32
#define ORG_SKILLS_MAX 8
#define ORG_SKILL_MAX 32

struct org_person {
	int64_t id;
	char work_no[ORG_WORK_NO_MAX + 1];
	char name[ORG_NAME_MAX * 4 + 1];
	char phone[ORG_PHONE_MAX + 1];
	int64_t department_id; /* 0: none */
	int64_t superior_id;   /* 0: none (the top of the chain) */
	unsigned roles;
	char skills[ORG_SKILLS_MAX][ORG_SKILL_MAX + 1];
	int nskills;
	int active;
	int certified; /* ORG-4 */
	int must_change_password;
	int64_t created_at, updated_at;
};

struct org_department {
	int64_t id;
	char name[ORG_NAME_MAX * 4 + 1];
	char kind[ORG_KIND_MAX + 1];
	int64_t parent_id; /* 0: none */
	int64_t head_id;   /* 0: none yet */
	int64_t created_at, updated_at;
};

struct org_person_filter {
	int64_t department_id; /* 0: any */
	unsigned role;         /* 0: any; else people holding this role */
	int active;            /* -1: any, 0 or 1 */
	const char *q;         /* substring of name or work number; NULL: any */
	int64_t after_id;      /* cursor */
	int limit;
};

/* Rules (org.c). */
const char *org_role_name(unsigned role);
/* One role bit for a name, or 0 if unknown. */
unsigned org_role_parse(const char *name);
/* Role names joined by commas, e.g. "supervisor,agent". */
void org_roles_text(unsigned roles, char *out, size_t size);
int org_department_kind_valid(const char *kind);
int org_work_no_valid(const char *s);
/*
 * ORG-4: may the person take work (calls, chats, orders)? An agent only once
 * certified for duty (trn's exam and the manager's confirmation); people
 * without the agent role (supervisors, managers who take calls) need not be.
 */
int org_duty_allowed(unsigned roles, int certified);
int org_person_validate(const struct org_person *p, struct err_info *ei);
/* The same after earlier errors rc, adding every broken rule (err_add). */
int org_person_validate_more(const struct org_person *p, int rc, struct err_info *ei);
int org_department_validate(const struct org_department *d, struct err_info *ei);

/* Storage (org_store.c). All return 0 or a negative err. */
int org_person_get(struct store *s, int64_t id, struct org_person *out);
/* ORG-4 for a stored person: 1 when they may take work (org_duty_allowed), 0 when not
 * (or there is no such person), or a negative err. */
int org_person_on_duty(struct store *s, int64_t id);
int org_person_by_work_no(struct store *s, const char *work_no, struct org_person *out);
/* For login: the person and the stored password hash (empty if none). */
int org_person_credentials(struct store *s, const char *work_no, struct org_person *out,
			   char *hash, int hashlen);
int org_person_insert(struct store *s, struct org_person *p, int64_t now, struct err_info *ei);
int org_person_update(struct store *s, struct org_person *p, int64_t now, struct err_info *ei);
int org_person_set_password(struct store *s, int64_t id, const char *hash, int must_change,
			    int64_t now);
/* Creates a person with a password hash and the audit entry for it, in the
 * caller's transaction: what the API, the CLI and the demo share. */
int org_person_add(struct store *s, const struct audit_actor *who, struct org_person *p,
		   const char *hash, int must_change, int64_t now, const char *detail,
		   struct err_info *ei);
int org_person_list(struct store *s, const struct org_person_filter *f,
		    int (*row)(void *ctx, const struct org_person *p), void *ctx);
/* 1 if anyone is on record (the database already holds a center), else 0. */
int org_has_people(struct store *s);
int org_skill_exists(struct store *s, const char *code);
/* Lists skills (code, name) for the API and CLI. */
int org_skill_list(struct store *s, int (*row)(void *ctx, const char *code, const char *name),
		   void *ctx);

int org_department_get(struct store *s, int64_t id, struct org_department *out);
/* The first department of a kind (ROUTE-2 routes by kind: city_service, media ...). */
int org_department_of_kind(struct store *s, const char *kind, struct org_department *out);
int org_department_by_name(struct store *s, const char *name, struct org_department *out);
int org_department_insert(struct store *s, struct org_department *d, int64_t now,
			  struct err_info *ei);
int org_department_update(struct store *s, struct org_department *d, int64_t now,
			  struct err_info *ei);
/* ERR_CONFLICT while people or sub-departments belong to it. */
int org_department_delete(struct store *s, int64_t id, struct err_info *ei);
int org_department_list(struct store *s, int64_t only_id, int64_t after_id, int limit,
			int (*row)(void *ctx, const struct org_department *d), void *ctx);

/* JSON as the API shows it (org_api.c): a person as r's principal may see
 * them (phones masked without the permission), and a set of roles. */
struct req;
struct json_t;
struct json_t *org_person_json(struct req *r, const struct org_person *p);
struct json_t *org_roles_json(unsigned roles);

/* Creates the demo center of the rulebooks (ORG-1) and writes each new
 * person's work number, role and initial password through show(). */
int org_demo_create(struct store *s, const struct audit_actor *who, int64_t now,
		    const char *pwhash_cost,
		    void (*show)(void *ctx, const struct org_person *p, const char *password),
		    void *ctx);

/* The module's routes (org_api.c), ended by a route with method NULL. */
extern const struct route org_routes[];

#endif
