#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "org/org.h"
#include "store/store.h"

#define PERSON_COLS                                                                                \
	"id, work_no, name, phone, department_id, superior_id, roles, active, certified,"         \
	" must_change_password, created_at, updated_at"

static int person_read(struct store_stmt *st, void *dst)
{
	struct org_person *p = dst;

	memset(p, 0, sizeof(*p));
	p->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, p->work_no);
	STORE_COL_COPY(st, 2, p->name);
	STORE_COL_COPY(st, 3, p->phone);
	p->department_id = store_col_int(st, 4);
	p->superior_id = store_col_int(st, 5);
	p->roles = (unsigned)store_col_int(st, 6);
	p->active = (int)store_col_int(st, 7);
	p->certified = (int)store_col_int(st, 8);
	p->must_change_password = (int)store_col_int(st, 9);
	p->created_at = store_col_int(st, 10);
	p->updated_at = store_col_int(st, 11);
	return 0;
}

static int load_skills(struct store *s, struct org_person *p)
{
	struct store_stmt *st = store_query(
		s, "SELECT skill FROM person_skill WHERE person_id = ? ORDER BY skill", "i", p->id);
	int rc;

	p->nskills = 0;
	while ((rc = store_next(st, NULL, NULL)) == 1 && p->nskills < ORG_SKILLS_MAX)
		STORE_COL_COPY(st, 0, p->skills[p->nskills++]);
	return store_end(st, rc, 0);
}

/*
 * Skills of a page of people (ordered by id) in one query over their id
 * range, instead of one query per person; rows in the range that the
 * page's filter left out are skipped by the merge.
 */
static int load_skills_range(struct store *s, struct org_person *rows, int n)
{
	struct store_stmt *st = store_query(s,
					    "SELECT person_id, skill FROM person_skill"
					    " WHERE person_id BETWEEN ? AND ?"
					    " ORDER BY person_id, skill",
					    "ii", rows[0].id, rows[n - 1].id);
	int rc, i = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		int64_t pid = store_col_int(st, 0);

		while (i < n && rows[i].id < pid)
			i++;
		if (i < n && rows[i].id == pid && rows[i].nskills < ORG_SKILLS_MAX)
			STORE_COL_COPY(st, 1, rows[i].skills[rows[i].nskills++]);
	}
	return store_end(st, rc, 0);
}

static int person_one(struct store *s, struct store_stmt *st, struct org_person *out)
{
	int rc = store_one(st, person_read, out);

	return rc < 0 ? rc : load_skills(s, out);
}

int org_person_get(struct store *s, int64_t id, struct org_person *out)
{
	return person_one(
		s, store_query(s, "SELECT " PERSON_COLS " FROM person WHERE id = ?", "i", id), out);
}

int org_person_by_work_no(struct store *s, const char *work_no, struct org_person *out)
{
	return person_one(s,
			  store_query(s, "SELECT " PERSON_COLS " FROM person WHERE work_no = ?",
				      "t", work_no),
			  out);
}

int org_person_credentials(struct store *s, const char *work_no, struct org_person *out,
			   char *hash, int hashlen)
{
	struct store_stmt *st = store_query(
		s, "SELECT " PERSON_COLS ", password_hash FROM person WHERE work_no = ?", "t",
		work_no);
	int rc = store_next(st, person_read, out);

	if (rc == 1)
		store_col_copy(st, 12, hash, (size_t)hashlen);
	store_done(st);
	if (rc < 0)
		return rc;
	return rc == 0 ? ERR_NOTFOUND : 0;
}

static int exists(struct store *s, const char *sql, int64_t id)
{
	return store_run(s, sql, NULL, "i", id);
}

/* 1 if `target` is `start` or above it in the superior chain. */
static int superior_chain_has(struct store *s, int64_t start, int64_t target)
{
	return store_run(s,
			 "WITH RECURSIVE up(id, depth) AS (SELECT ?, 0 UNION ALL"
			 " SELECT p.superior_id, up.depth + 1 FROM person p JOIN up ON p.id = up.id"
			 " WHERE p.superior_id IS NOT NULL AND up.depth < 64)"
			 " SELECT 1 FROM up WHERE id = ? LIMIT 1",
			 NULL, "ii", start, target);
}

int org_has_people(struct store *s)
{
	return store_run(s, "SELECT 1 FROM person LIMIT 1", NULL, "");
}

int org_skill_exists(struct store *s, const char *code)
{
	return store_run(s, "SELECT 1 FROM skill WHERE code = ?", NULL, "t", code);
}

int org_skill_list(struct store *s, int (*row)(void *ctx, const char *code, const char *name),
		   void *ctx)
{
	struct store_stmt *st = store_query(s, "SELECT code, name FROM skill ORDER BY code", "");
	int rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		rc = row(ctx, store_col_text(st, 0), store_col_text(st, 1));
		if (rc < 0)
			break;
	}
	return store_end(st, rc, 0);
}

/* Checks the references a person makes, so errors name the field. */
static int person_refs_check(struct store *s, const struct org_person *p, struct err_info *ei)
{
	int rc;

	if (p->department_id) {
		rc = exists(s, "SELECT 1 FROM department WHERE id = ?", p->department_id);
		if (rc <= 0)
			return rc < 0 ? rc
				      : err_set(ei, ERR_UNPROCESSABLE, "department_id",
						"no such department");
	}
	if (p->superior_id) {
		rc = exists(s, "SELECT 1 FROM person WHERE id = ?", p->superior_id);
		if (rc <= 0)
			return rc < 0 ? rc
				      : err_set(ei, ERR_UNPROCESSABLE, "superior_id",
						"no such person");
		if (p->id) {
			rc = superior_chain_has(s, p->superior_id, p->id);
			if (rc != 0)
				return rc < 0 ? rc
					      : err_set(ei, ERR_UNPROCESSABLE, "superior_id",
							"that would make a circle of superiors");
		}
	}
	for (int i = 0; i < p->nskills; i++) {
		rc = org_skill_exists(s, p->skills[i]);
		if (rc <= 0)
			return rc < 0 ? rc
				      : err_set(ei, ERR_UNPROCESSABLE, "skills", "unknown skill '%s'",
						p->skills[i]);
	}
	return 0;
}

static int save_skills(struct store *s, const struct org_person *p)
{
	int rc = store_run(s, "DELETE FROM person_skill WHERE person_id = ?", NULL, "i", p->id);

	for (int i = 0; rc >= 0 && i < p->nskills; i++)
		rc = store_run(s,
			       "INSERT INTO person_skill(person_id, skill) VALUES (?, ?)"
			       " ON CONFLICT DO NOTHING",
			       NULL, "it", p->id, p->skills[i]);
	return rc < 0 ? rc : 0;
}


int org_person_insert(struct store *s, struct org_person *p, int64_t now, struct err_info *ei)
{
	int rc;

	p->id = 0;
	rc = org_person_validate(p, ei);
	if (rc == 0)
		rc = person_refs_check(s, p, ei);
	if (rc < 0)
		return rc;
	rc = store_run(s,
		       "INSERT INTO person(work_no, name, phone, department_id, superior_id, roles,"
		       " active, certified, must_change_password, created_at, updated_at)"
		       " VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
		       &p->id, "ttTddiiiiii", p->work_no, p->name, p->phone, p->department_id,
		       p->superior_id, (int64_t)p->roles, (int64_t)p->active, (int64_t)p->certified,
		       (int64_t)p->must_change_password, now, now);
	if (rc == ERR_CONFLICT)
		return err_set(ei, ERR_CONFLICT, "work_no", "work number already in use");
	if (rc < 0)
		return rc;
	p->created_at = p->updated_at = now;
	return save_skills(s, p);
}

int org_person_update(struct store *s, struct org_person *p, int64_t now, struct err_info *ei)
{
	int rc = org_person_validate(p, ei);

	if (rc == 0)
		rc = person_refs_check(s, p, ei);
	if (rc < 0)
		return rc;
	rc = store_run(s,
		       "UPDATE person SET work_no = ?, name = ?, phone = ?, department_id = ?,"
		       " superior_id = ?, roles = ?, active = ?, certified = ?, updated_at = ?"
		       " WHERE id = ?",
		       NULL, "ttTddiiiii", p->work_no, p->name, p->phone, p->department_id,
		       p->superior_id, (int64_t)p->roles, (int64_t)p->active, (int64_t)p->certified,
		       now, p->id);
	if (rc == ERR_CONFLICT)
		return err_set(ei, ERR_CONFLICT, "work_no", "work number already in use");
	if (rc < 0)
		return rc;
	if (store_changes(s) == 0)
		return ERR_NOTFOUND;
	p->updated_at = now;
	return save_skills(s, p);
}

int org_person_set_password(struct store *s, int64_t id, const char *hash, int must_change,
			    int64_t now)
{
	int rc = store_run(s,
			   "UPDATE person SET password_hash = ?, must_change_password = ?,"
			   " updated_at = ? WHERE id = ?",
			   NULL, "tiii", hash, (int64_t)must_change, now, id);

	if (rc < 0)
		return rc;
	return store_changes(s) ? 0 : ERR_NOTFOUND;
}

int org_person_add(struct store *s, const struct audit_actor *who, struct org_person *p,
		   const char *hash, int must_change, int64_t now, const char *detail,
		   struct err_info *ei)
{
	int rc = org_person_insert(s, p, now, ei);

	if (rc == 0)
		rc = org_person_set_password(s, p->id, hash, must_change, now);
	if (rc == 0)
		rc = audit_append(s, who, now, "person.create", "person", p->id, "ok", detail);
	return rc;
}

int org_person_list(struct store *s, const struct org_person_filter *f,
		    int (*row)(void *ctx, const struct org_person *p), void *ctx)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT " PERSON_COLS " FROM person WHERE id > ?"
			    " AND (? = 0 OR department_id = ?)"
			    " AND (? = 0 OR (roles & ?) <> 0)"
			    " AND (? < 0 OR active = ?)"
			    " AND (? IS NULL OR instr(name, ?) > 0 OR instr(work_no, ?) > 0)"
			    " ORDER BY id LIMIT ?",
			    "iiiiiiittti", f->after_id, f->department_id, f->department_id,
			    (int64_t)f->role, (int64_t)f->role, (int64_t)f->active,
			    (int64_t)f->active, f->q, f->q, f->q, (int64_t)f->limit);
	struct org_person *rows = NULL;
	int rc, n = 0, cap = 0;

	/* Rows are copied out first: skills come from a second statement. */
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		if (n == cap) {
			struct org_person *grown;

			cap = cap ? cap * 2 : 32;
			grown = realloc(rows, (size_t)cap * sizeof(*rows));
			if (!grown) {
				rc = ERR_NOMEM;
				break;
			}
			rows = grown;
		}
		person_read(st, &rows[n++]);
	}
	store_done(st);
	if (rc >= 0 && n > 0)
		rc = load_skills_range(s, rows, n);
	for (int i = 0; rc >= 0 && i < n; i++)
		rc = row(ctx, &rows[i]);
	free(rows);
	return rc < 0 ? rc : n;
}

#define DEPT_COLS "id, name, kind, parent_id, head_id, created_at, updated_at"

static int dept_read(struct store_stmt *st, void *dst)
{
	struct org_department *d = dst;

	memset(d, 0, sizeof(*d));
	d->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, d->name);
	STORE_COL_COPY(st, 2, d->kind);
	d->parent_id = store_col_int(st, 3);
	d->head_id = store_col_int(st, 4);
	d->created_at = store_col_int(st, 5);
	d->updated_at = store_col_int(st, 6);
	return 0;
}

int org_department_get(struct store *s, int64_t id, struct org_department *out)
{
	return store_one(
		store_query(s, "SELECT " DEPT_COLS " FROM department WHERE id = ?", "i", id),
		dept_read, out);
}

int org_department_of_kind(struct store *s, const char *kind, struct org_department *out)
{
	return store_one(store_query(s,
				     "SELECT " DEPT_COLS " FROM department WHERE kind = ?"
				     " ORDER BY id LIMIT 1",
				     "t", kind),
			 dept_read, out);
}

int org_department_by_name(struct store *s, const char *name, struct org_department *out)
{
	return store_one(
		store_query(s, "SELECT " DEPT_COLS " FROM department WHERE name = ?", "t", name),
		dept_read, out);
}

static int parent_chain_has(struct store *s, int64_t start, int64_t target)
{
	return store_run(s,
			 "WITH RECURSIVE up(id, depth) AS (SELECT ?, 0 UNION ALL"
			 " SELECT d.parent_id, up.depth + 1 FROM department d JOIN up ON d.id = up.id"
			 " WHERE d.parent_id IS NOT NULL AND up.depth < 64)"
			 " SELECT 1 FROM up WHERE id = ? LIMIT 1",
			 NULL, "ii", start, target);
}

static int dept_refs_check(struct store *s, const struct org_department *d, struct err_info *ei)
{
	int rc;

	if (d->parent_id) {
		rc = exists(s, "SELECT 1 FROM department WHERE id = ?", d->parent_id);
		if (rc <= 0)
			return rc < 0 ? rc
				      : err_set(ei, ERR_UNPROCESSABLE, "parent_id",
						"no such department");
		if (d->id) {
			rc = parent_chain_has(s, d->parent_id, d->id);
			if (rc != 0)
				return rc < 0 ? rc
					      : err_set(ei, ERR_UNPROCESSABLE, "parent_id",
							"that would make a circle of departments");
		}
	}
	if (d->head_id) {
		rc = exists(s, "SELECT 1 FROM person WHERE id = ? AND active = 1", d->head_id);
		if (rc <= 0)
			return rc < 0 ? rc
				      : err_set(ei, ERR_UNPROCESSABLE, "head_id",
						"no such active person");
	}
	return 0;
}

int org_department_insert(struct store *s, struct org_department *d, int64_t now,
			  struct err_info *ei)
{
	int rc;

	d->id = 0;
	rc = org_department_validate(d, ei);
	if (rc == 0)
		rc = dept_refs_check(s, d, ei);
	if (rc < 0)
		return rc;
	rc = store_run(s,
		       "INSERT INTO department(name, kind, parent_id, head_id, created_at,"
		       " updated_at) VALUES (?,?,?,?,?,?) RETURNING id",
		       &d->id, "ttddii", d->name, d->kind, d->parent_id, d->head_id, now, now);
	if (rc == ERR_CONFLICT)
		return err_set(ei, ERR_CONFLICT, "name", "a department with this name exists");
	if (rc < 0)
		return rc;
	d->created_at = d->updated_at = now;
	return 0;
}

int org_department_update(struct store *s, struct org_department *d, int64_t now,
			  struct err_info *ei)
{
	int rc = org_department_validate(d, ei);

	if (rc == 0)
		rc = dept_refs_check(s, d, ei);
	if (rc < 0)
		return rc;
	rc = store_run(s,
		       "UPDATE department SET name = ?, kind = ?, parent_id = ?,"
		       " head_id = ?, updated_at = ? WHERE id = ?",
		       NULL, "ttddii", d->name, d->kind, d->parent_id, d->head_id, now, d->id);
	if (rc == ERR_CONFLICT)
		return err_set(ei, ERR_CONFLICT, "name", "a department with this name exists");
	if (rc < 0)
		return rc;
	if (store_changes(s) == 0)
		return ERR_NOTFOUND;
	d->updated_at = now;
	return 0;
}

int org_department_delete(struct store *s, int64_t id, struct err_info *ei)
{
	int rc;

	rc = exists(s, "SELECT 1 FROM person WHERE department_id = ? LIMIT 1", id);
	if (rc != 0)
		return rc < 0 ? rc
			      : err_set(ei, ERR_CONFLICT, NULL,
					"people still belong to this department");
	rc = exists(s, "SELECT 1 FROM department WHERE parent_id = ? LIMIT 1", id);
	if (rc != 0)
		return rc < 0 ? rc
			      : err_set(ei, ERR_CONFLICT, NULL,
					"the department still has sub-departments");
	rc = store_run(s, "DELETE FROM department WHERE id = ?", NULL, "i", id);
	if (rc < 0)
		return rc;
	return store_changes(s) ? 0 : ERR_NOTFOUND;
}

int org_department_list(struct store *s, int64_t only_id, int64_t after_id, int limit,
			int (*row)(void *ctx, const struct org_department *d), void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT " DEPT_COLS " FROM department"
					    " WHERE id > ? AND (? = 0 OR id = ?)"
					    " ORDER BY id LIMIT ?",
					    "iiii", after_id, only_id, only_id, (int64_t)limit);
	struct org_department d;
	int rc, n = 0;

	while ((rc = store_next(st, dept_read, &d)) == 1 && (rc = row(ctx, &d)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int org_person_on_duty(struct store *s, int64_t id)
{
	struct org_person p;
	int rc = org_person_get(s, id, &p);

	if (rc == ERR_NOTFOUND)
		return 0;
	return rc < 0 ? rc : org_duty_allowed(p.roles, p.certified);
}
