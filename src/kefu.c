/*
 * kefu (客服) — a customer service and call center server.
 *
 * One program is both the server and its administration tool; the first
 * argument names the command. See README.md and docs/architecture.md.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#define KEFU_VERSION "0.1.0"

static const char usage[] =
	"usage: kefu <command> [options]\n"
	"\n"
	"commands:\n"
	"  serve [--listen HOST:PORT] [--db PATH] [--config FILE]   serve the API and workbench\n"
	"  init [--demo] [--db PATH]      create the database (--demo: the rulebook's demo center)\n"
	"  migrate [--db PATH]            bring the database schema up to date\n"
	"  check [--db PATH]              check the database's integrity\n"
	"  user add WORKNO NAME ROLE[,ROLE] [DEPARTMENT [SUPERIOR-WORKNO]]\n"
	"  user passwd WORKNO [--stdin]   set a new password (random unless --stdin)\n"
	"  user list                      list people\n"
	"  user disable WORKNO            disable a person and end their sessions\n"
	"  backup [--key FILE] DIR        a consistent copy of the data into DIR/kefu-<time>/\n"
	"  backup --verify [--key FILE] COPY   check a backup file by file\n"
	"  backup --new-key FILE          make a key for encrypted backups\n"
	"  restore [--key FILE] [--force] COPY   put a backup in place of the database\n"
	"  version                        print the version\n"
	"\n"
	"Settings come from --config FILE (or KEFU_CONFIG), then KEFU_<KEY> variables,\n"
	"then flags; see etc/kefu.conf.\n";

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(argc - 1, argv + 1);
	if (strcmp(cmd, "init") == 0)
		return cmd_init(argc - 1, argv + 1);
	if (strcmp(cmd, "migrate") == 0)
		return cmd_migrate(argc - 1, argv + 1);
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(cmd, "user") == 0)
		return cmd_user(argc - 1, argv + 1);
	if (strcmp(cmd, "backup") == 0)
		return cmd_backup(argc - 1, argv + 1);
	if (strcmp(cmd, "restore") == 0)
		return cmd_restore(argc - 1, argv + 1);
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("kefu %s\n", KEFU_VERSION);
		return 0;
	}
	fputs(usage, cmd[0] && strcmp(cmd, "help") && strcmp(cmd, "--help") ? stderr : stdout);
	return cmd[0] && strcmp(cmd, "help") && strcmp(cmd, "--help") ? 2 : 0;
}
