/*
 * cli — kefu's commands: serve, init, migrate, check, user.
 *
 * Each command is a function taking argc/argv after the command name. They
 * share one set-up (cli_setup): read the config (defaults, --config file,
 * KEFU_* environment, flags), install the time zone and open the database.
 * Changes made from the command line are audited with the actor "cli".
 */
#ifndef KEFU_CLI_CLI_H
#define KEFU_CLI_CLI_H

#include "audit/audit.h"
#include "core/config.h"
#include "http/http.h"

struct store;

struct cli {
	struct config cfg;
	int test_clock;
	int demo;
	int force_stdin; /* user passwd --stdin */
	int force;	 /* restore --force */
	int verify;	 /* backup --verify */
	const char *key_file; /* backup and restore --key */
	const char *new_key;  /* backup --new-key */
	int dry_run;	      /* migrate --dry-run */
	const char *to;	      /* migrate --to N */
	char **args;     /* what is left after the options */
	int nargs;
};

extern const struct audit_actor cli_actor;
/* Every module's route table, in the order the server matches requests
 * (serve.c); NULL-ended. */
extern const struct route *const cli_route_tables[];

/* Parses options and loads the config; returns 0, or 2 after printing usage. */
int cli_setup(struct cli *c, int argc, char **argv, const char *usage);
/* The config read anew from the same options, file and environment,
 * without side effects (SIGHUP's reload, serve.c): 0, or a negative err
 * with the reason in err. */
int cli_config_read(int argc, char **argv, struct config *out, char *err, size_t errlen);
/* Opens the database and brings its schema up to date. */
int cli_open_store(struct cli *c, struct store **out);

int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);

/* backup.c: the lock a serving kefu holds on <db>.lock, so that nothing is
 * restored under it: the descriptor (kept open), ERR_CONFLICT when another
 * process holds it, ERR_IO. */
int cli_lock_db(const char *db);
/* The scheduler's tick of the daily backup (backup_dir, backup_at). */
int cli_backup_tick(struct store *s, int64_t now, void *arg);

#endif
