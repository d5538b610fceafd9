/*
 * kefu init, migrate and check: creating, upgrading and checking the
 * database, as an operator does from a shell.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "auth/auth.h"
#include "org/org.h"
#include "kb/kb.h"
#include "qa/qa.h"
#include "store/store.h"

static void show_password(void *ctx, const struct org_person *p, const char *password)
{
	char roles[128] = "";

	(void)ctx;
	org_roles_text(p->roles, roles, sizeof(roles));
	printf("  %-8s %-20s %-18s %s\n", p->work_no, roles, password, p->name);
}

/* Creates the folder the database lives in, as `make run` expects for ./var. */
static int make_parent(const char *path)
{
	char dir[512];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		fprintf(stderr, "kefu: cannot create %s: %s\n", dir, strerror(errno));
		return -1;
	}
	return 0;
}

static int create_admin(struct store *s, const char *cost)
{
	struct org_person p;
	struct err_info ei = {0};
	char password[17], hash[AUTH_HASH_MAX];
	int64_t now = clock_now_ms();
	int rc;

	memset(&p, 0, sizeof(p));
	snprintf(p.work_no, sizeof(p.work_no), "admin");
	snprintf(p.name, sizeof(p.name), "系统管理员");
	p.roles = ROLE_ADMIN;
	p.active = 1;
	auth_password_random(password);
	rc = auth_password_hash(password, cost, hash);
	if (rc == 0)
		rc = org_person_add(s, &cli_actor, &p, hash, 1, now, NULL, &ei);
	if (rc == 0)
		show_password(NULL, &p, password);
	else
		fprintf(stderr, "kefu: %s\n", ei.message[0] ? ei.message : "cannot create admin");
	return rc;
}

int cmd_init(int argc, char **argv)
{
	static const char usage[] = "usage: kefu init [--demo] [--db PATH] [--config FILE]\n";
	struct store *s = NULL;
	struct cli c;
	int rc;

	rc = cli_setup(&c, argc, argv, usage);
	if (rc)
		return rc;
	if (make_parent(c.cfg.db) < 0 || cli_open_store(&c, &s) < 0)
		return 1;
	rc = org_has_people(s);
	if (rc != 0) {
		fprintf(stderr, "kefu: %s already holds a center; nothing was changed\n",
			c.cfg.db);
		store_close(s);
		return 1;
	}
	/* The database holds password hashes and customer data: owner only. */
	chmod(c.cfg.db, 0600);
	printf("kefu: created %s%s\n", c.cfg.db, c.demo ? " with the demo center" : "");
	printf("Initial passwords, shown only now (login answers must_change_password until each is changed):\n");
	printf("  %-8s %-20s %-18s %s\n", "work no", "roles", "password", "name");
	rc = store_begin(s);
	if (rc == 0)
		rc = c.demo ? org_demo_create(s, &cli_actor, clock_now_ms(), c.cfg.pwhash,
					      show_password, NULL)
			    : create_admin(s, c.cfg.pwhash);
	if (rc == 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	store_close(s);
	if (rc < 0) {
		fprintf(stderr, "kefu: init failed; nothing was written\n");
		return 1;
	}
	return 0;
}

/* kefu migrate --dry-run: the database's version and what an upgrade
 * would apply, read through a read-only connection, so the file's bytes
 * and times stay as they were. */
static int migrate_plan(const char *db, int target)
{
	struct store *s = NULL;
	int v;

	if (access(db, F_OK) != 0) {
		printf("kefu: %s does not exist; kefu migrate would create it at schema version %d\n",
		       db, target);
		return 0;
	}
	if (store_open_readonly(&s, db) < 0) {
		fprintf(stderr, "kefu: cannot read %s\n", db);
		return 1;
	}
	v = store_schema_version(s);
	store_close(s);
	if (v < 0) {
		fprintf(stderr, "kefu: cannot read %s\n", db);
		return 1;
	}
	printf("kefu: %s: schema version %d; this kefu's is %d\n", db, v, store_schema_latest());
	if (v > store_schema_latest()) {
		printf("kefu: the database is newer than this kefu; migrate would refuse it\n");
		return 1;
	}
	if (v >= target) {
		printf("kefu: nothing to apply\n");
		return 0;
	}
	printf("kefu: would apply %d migration%s, all in one transaction (all or none):\n",
	       target - v, target - v == 1 ? "" : "s");
	for (int n = v + 1; n <= target; n++)
		printf("  %3d  %s\n", n, store_migration_note(n));
	printf("kefu: dry run; nothing was changed\n");
	return 0;
}

int cmd_migrate(int argc, char **argv)
{
	static const char usage[] = "usage: kefu migrate [--dry-run] [--to N] [--db PATH] [--config FILE]\n";
	const struct store_opts so = {NULL, 5000, 0};
	struct store_opts o = so;
	struct buf why = BUF_INIT;
	struct store *s = NULL;
	struct cli c;
	int rc, from = 0, to = 0, target = store_schema_latest();
	char *end = NULL;

	rc = cli_setup(&c, argc, argv, usage);
	if (rc)
		return rc;
	if (c.to) {
		/* Any earlier version, for building old databases (tests, rehearsals). */
		long n = strtol(c.to, &end, 10);

		if (*c.to == '\0' || *end != '\0' || n < 1 || n > target) {
			fprintf(stderr, "kefu: --to takes a schema version from 1 to %d\n", target);
			return 2;
		}
		target = (int)n;
	}
	if (c.dry_run)
		return migrate_plan(c.cfg.db, target);
	o.path = c.cfg.db;
	o.busy_timeout_ms = c.cfg.busy_timeout_ms;
	rc = store_open(&s, &o);
	if (rc == 0)
		rc = store_migrate_to(s, target, &from, &to, &why);
	/* The rows kefu ships are seeded into the newest schema only. */
	if (rc == 0 && to == store_schema_latest())
		rc = qa_seed(s, clock_now_ms());
	if (rc >= 0 && to == store_schema_latest())
		rc = kb_seed(s, clock_now_ms());
	store_close(s);
	if (rc < 0) {
		fprintf(stderr, "kefu: migration failed: %s\n", why.len ? buf_str(&why) : "see the log");
		fprintf(stderr, "kefu: the database is unchanged at schema version %d\n", to);
		buf_release(&why);
		return 1;
	}
	buf_release(&why);
	if (from > target)
		printf("kefu: schema version %d, past %d; nothing to do\n", from, target);
	else
		printf("kefu: schema version %d -> %d\n", from, to);
	return 0;
}

int cmd_check(int argc, char **argv)
{
	static const char usage[] = "usage: kefu check [--db PATH] [--config FILE]\n";
	struct store_opts o = {NULL, 5000, 0};
	struct buf report = BUF_INIT;
	struct store *s = NULL;
	struct cli c;
	int rc;

	rc = cli_setup(&c, argc, argv, usage);
	if (rc)
		return rc;
	if (access(c.cfg.db, F_OK) != 0) {
		fprintf(stderr, "kefu: %s does not exist\n", c.cfg.db);
		return 1;
	}
	o.path = c.cfg.db;
	rc = store_open(&s, &o);
	if (rc == 0)
		rc = store_check(s, &report);
	store_close(s);
	fputs(buf_str(&report), stdout);
	buf_release(&report);
	if (rc != 0) {
		printf("kefu: %s: %s\n", c.cfg.db, rc < 0 ? "cannot be read" : "problems found");
		return 1;
	}
	printf("kefu: %s: ok (schema version %d)\n", c.cfg.db, store_schema_latest());
	return 0;
}
