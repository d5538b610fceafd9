#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "org/org.h"

static const char *const role_names[AUTH_ROLE_COUNT] = {
	"admin", "manager", "supervisor", "agent", "staff", "hr", "office", "qa",
};

/* Kinds of department in the rulebooks (ORG-1), plus "other". */
static const char *const dept_kinds[] = {
	"center", "city_service", "group_market", "market_ops", "media",
	"tech",   "hr",           "office",       "other",
};

const char *org_role_name(unsigned role)
{
	for (int i = 0; i < AUTH_ROLE_COUNT; i++)
		if (role == (1u << i))
			return role_names[i];
	return NULL;
}

unsigned org_role_parse(const char *name)
{
	for (int i = 0; i < AUTH_ROLE_COUNT; i++)
		if (strcmp(name, role_names[i]) == 0)
			return 1u << i;
	return 0;
}

void org_roles_text(unsigned roles, char *out, size_t size)
{
	size_t used = 0;

	if (size)
		out[0] = '\0';
	for (int i = 0; i < AUTH_ROLE_COUNT && used < size; i++)
		if (roles & (1u << i))
			used += (size_t)snprintf(out + used, size - used, "%s%s", used ? "," : "",
						 role_names[i]);
}

int org_department_kind_valid(const char *kind)
{
	for (size_t i = 0; i < sizeof(dept_kinds) / sizeof(dept_kinds[0]); i++)
		if (strcmp(kind, dept_kinds[i]) == 0)
			return 1;
	return 0;
}

/* Work numbers are typed on phones and keypads (ORG-3): keep them plain. */
int org_duty_allowed(unsigned roles, int certified)
{
	return !(roles & ROLE_AGENT) || certified;
}

int org_work_no_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > ORG_WORK_NO_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

static int name_valid(const char *s)
{
	size_t n = strlen(s), chars;

	if (!utf8_valid(s, n))
		return 0;
	chars = utf8_len(s);
	if (chars == 0 || chars > ORG_NAME_MAX)
		return 0;
	/* A name of only blanks would show as nothing in every list. */
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 1;
	return 0;
}

static int phone_valid(const char *s)
{
	size_t digits = 0;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (*s != '+' && *s != '-' && *s != ' ')
			return 0;
	}
	return digits >= 3 && digits <= 20;
}

int org_person_validate_more(const struct org_person *p, int rc, struct err_info *ei)
{
	if (!org_work_no_valid(p->work_no))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "work_no",
			       "work number: 1 to %d letters, digits, '_', '-' or '.'",
			       ORG_WORK_NO_MAX);
	if (!name_valid(p->name))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "name", "name: a person's name of 1 to %d characters",
			       ORG_NAME_MAX);
	if (p->phone[0] && !phone_valid(p->phone))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "phone",
			       "phone: digits, with '+', '-' or spaces");
	if (p->roles & ~AUTH_ROLES_ALL)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "roles", "unknown role");
	else if (p->roles == 0)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "roles", "a person needs at least one role");
	if (p->superior_id && p->superior_id == p->id)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "superior_id",
			       "a person cannot be their own superior");
	/* Staff receive work orders for a department, so they must belong to one. */
	if ((p->roles & ROLE_STAFF) && !p->department_id)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "department_id",
			       "department staff need a department");
	return rc;
}

int org_person_validate(const struct org_person *p, struct err_info *ei)
{
	return org_person_validate_more(p, 0, ei);
}

int org_department_validate(const struct org_department *d, struct err_info *ei)
{
	if (!name_valid(d->name))
		return err_set(ei, ERR_UNPROCESSABLE, "name", "name: 1 to %d characters",
			       ORG_NAME_MAX);
	if (!org_department_kind_valid(d->kind))
		return err_set(ei, ERR_UNPROCESSABLE, "kind", "unknown department kind");
	if (d->parent_id && d->parent_id == d->id)
		return err_set(ei, ERR_UNPROCESSABLE, "parent_id",
			       "a department cannot be its own parent");
	return 0;
}
