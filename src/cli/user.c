/*
 * kefu user add|passwd|list|disable: account tasks for the operator, for
 * when nobody can log in to the workbench yet, or the admin is locked out.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "auth/auth.h"
#include "org/org.h"
#include "store/store.h"

static const char usage[] =
	"usage: kefu user add WORKNO NAME ROLE[,ROLE] [DEPARTMENT [SUPERIOR-WORKNO]]\n"
	"       kefu user passwd WORKNO [--stdin]\n"
	"       kefu user list\n"
	"       kefu user disable WORKNO\n"
	"options: --db PATH, --config FILE\n";

static int parse_roles(const char *list, unsigned *out)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", list);
	*out = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned bit = org_role_parse(tok);

		if (!bit) {
			fprintf(stderr, "kefu: unknown role '%s'\n", tok);
			return -1;
		}
		*out |= bit;
	}
	return 0;
}

static int user_add(struct cli *c, struct store *s)
{
	struct org_person p;
	struct org_department d;
	struct err_info ei = {0};
	char password[17], hash[AUTH_HASH_MAX];
	int64_t now = clock_now_ms();
	int rc;

	if (c->nargs < 4 || c->nargs > 6) {
		fputs(usage, stderr);
		return 2;
	}
	memset(&p, 0, sizeof(p));
	snprintf(p.work_no, sizeof(p.work_no), "%s", c->args[1]);
	snprintf(p.name, sizeof(p.name), "%s", c->args[2]);
	p.active = 1;
	if (parse_roles(c->args[3], &p.roles) < 0)
		return 1;
	if (c->nargs > 4) {
		if (org_department_by_name(s, c->args[4], &d) < 0) {
			fprintf(stderr, "kefu: no department '%s'\n", c->args[4]);
			return 1;
		}
		p.department_id = d.id;
	}
	if (c->nargs > 5) {
		struct org_person sup;

		if (org_person_by_work_no(s, c->args[5], &sup) < 0) {
			fprintf(stderr, "kefu: no person '%s'\n", c->args[5]);
			return 1;
		}
		p.superior_id = sup.id;
	}
	auth_password_random(password);
	rc = auth_password_hash(password, c->cfg.pwhash, hash);
	if (rc == 0)
		rc = store_begin(s);
	if (rc < 0)
		return 1;
	rc = org_person_add(s, &cli_actor, &p, hash, 1, now, NULL, &ei);
	if (rc == 0)
		rc = store_commit(s);
	if (rc < 0) {
		store_rollback(s);
		fprintf(stderr, "kefu: %s\n", ei.message[0] ? ei.message : "cannot add the person");
		return 1;
	}
	printf("kefu: added %s (%s); initial password, shown only now: %s\n", p.work_no, p.name,
	       password);
	return 0;
}

static int read_password(char *out, size_t size)
{
	size_t n;

	if (!fgets(out, (int)size, stdin))
		return -1;
	n = strlen(out);
	while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	return 0;
}

/* The person named by the command's one argument: 0, or an exit code. */
static int find_person(struct cli *c, struct store *s, struct org_person *p)
{
	if (c->nargs != 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (org_person_by_work_no(s, c->args[1], p) < 0) {
		fprintf(stderr, "kefu: no person '%s'\n", c->args[1]);
		return 1;
	}
	return 0;
}

static int user_passwd(struct cli *c, struct store *s)
{
	struct org_person p;
	char password[AUTH_PASSWORD_MAX + 2], hash[AUTH_HASH_MAX];
	const char *why = "no password on standard input";
	int64_t now = clock_now_ms();
	int rc;

	rc = find_person(c, s, &p);
	if (rc)
		return rc;
	if (c->force_stdin) {
		if (read_password(password, sizeof(password)) < 0 ||
		    auth_password_acceptable(password, &why) < 0) {
			fprintf(stderr, "kefu: %s\n", why);
			return 1;
		}
	} else {
		auth_password_random(password);
	}
	rc = auth_password_hash(password, c->cfg.pwhash, hash);
	if (rc == 0)
		rc = store_begin(s);
	if (rc < 0)
		return 1;
	rc = org_person_set_password(s, p.id, hash, !c->force_stdin, now);
	if (rc == 0)
		rc = auth_session_delete_person(s, p.id, 0);
	if (rc == 0)
		rc = audit_append(s, &cli_actor, now, "person.password_reset", "person", p.id, "ok",
				  NULL);
	if (rc == 0)
		rc = store_commit(s);
	if (rc < 0) {
		store_rollback(s);
		return 1;
	}
	if (c->force_stdin)
		printf("kefu: password of %s changed\n", p.work_no);
	else
		printf("kefu: new password of %s, shown only now: %s\n", p.work_no, password);
	return 0;
}

static int print_row(void *ctx, const struct org_person *p)
{
	char roles[128] = "";

	*(int64_t *)ctx = p->id;
	org_roles_text(p->roles, roles, sizeof(roles));
	printf("%-8s %-20s %-8s %s\n", p->work_no, roles, p->active ? "active" : "disabled",
	       p->name);
	return 0;
}

static int user_list(struct store *s)
{
	struct org_person_filter f = {.active = -1, .limit = 500};
	int n;

	printf("%-8s %-20s %-8s %s\n", "work no", "roles", "state", "name");
	do {
		n = org_person_list(s, &f, print_row, &f.after_id);
		if (n < 0)
			return 1;
	} while (n == f.limit);
	return 0;
}

static int user_disable(struct cli *c, struct store *s)
{
	struct org_person p;
	struct err_info ei = {0};
	struct audit_detail d;
	int64_t now = clock_now_ms();
	int rc;

	rc = find_person(c, s, &p);
	if (rc)
		return rc;
	p.active = 0;
	rc = store_begin(s);
	if (rc == 0)
		rc = org_person_update(s, &p, now, &ei);
	if (rc == 0)
		rc = auth_session_delete_person(s, p.id, 0);
	if (rc == 0) {
		/* The same detail as a change through the API: the field, before and after. */
		audit_detail_init(&d);
		audit_detail_raw(&d, "fields", "{\"active\":[true,false]}");
		rc = audit_append_detail(s, &cli_actor, now, "person.update", "person", p.id, "ok",
					 &d);
	}
	if (rc == 0)
		rc = store_commit(s);
	if (rc < 0) {
		store_rollback(s);
		fprintf(stderr, "kefu: %s\n", ei.message[0] ? ei.message : "cannot disable");
		return 1;
	}
	printf("kefu: %s disabled and logged out\n", p.work_no);
	return 0;
}

int cmd_user(int argc, char **argv)
{
	struct store *s = NULL;
	struct cli c;
	int rc = cli_setup(&c, argc, argv, usage);

	if (rc)
		return rc;
	if (c.nargs < 1) {
		fputs(usage, stderr);
		return 2;
	}
	if (cli_open_store(&c, &s) < 0)
		return 1;
	if (strcmp(c.args[0], "add") == 0)
		rc = user_add(&c, s);
	else if (strcmp(c.args[0], "passwd") == 0)
		rc = user_passwd(&c, s);
	else if (strcmp(c.args[0], "list") == 0 && c.nargs == 1)
		rc = user_list(s);
	else if (strcmp(c.args[0], "disable") == 0)
		rc = user_disable(&c, s);
	else {
		fputs(usage, stderr);
		rc = 2;
	}
	store_close(s);
	return rc;
}

