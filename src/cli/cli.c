#include "cli/cli.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "kb/kb.h"
#include "qa/qa.h"
#include "store/store.h"

const struct audit_actor cli_actor = {0, "cli", NULL};

/*
 * The options and the config (defaults, --config file, KEFU_* environment,
 * flags) without side effects: 2 after printing usage for a bad option,
 * ERR_INVALID or ERR_IO with the reason in err for a bad config.
 */
static int load(struct cli *c, int argc, char **argv, const char *usage, char *err,
		size_t errlen)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
		{"listen", required_argument, NULL, 'l'}, {"test-clock", no_argument, NULL, 't'},
		{"demo", no_argument, NULL, 'D'},         {"stdin", no_argument, NULL, 's'},
		{"force", no_argument, NULL, 'f'},        {"verify", no_argument, NULL, 'v'},
		{"key", required_argument, NULL, 'k'},    {"new-key", required_argument, NULL, 'n'},
		{"dry-run", no_argument, NULL, 'r'},      {"to", required_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	const char *config_file = getenv("KEFU_CONFIG"), *db = NULL, *listen = NULL;
	int o, rc;

	memset(c, 0, sizeof(*c));
	config_defaults(&c->cfg);
	optind = 1;
	while ((o = getopt_long(argc, argv, "c:d:l:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c': config_file = optarg; break;
		case 'd': db = optarg; break;
		case 'l': listen = optarg; break;
		case 't': c->test_clock = 1; break;
		case 'D': c->demo = 1; break;
		case 's': c->force_stdin = 1; break;
		case 'f': c->force = 1; break;
		case 'v': c->verify = 1; break;
		case 'k': c->key_file = optarg; break;
		case 'n': c->new_key = optarg; break;
		case 'r': c->dry_run = 1; break;
		case 'T': c->to = optarg; break;
		default: fputs(usage, stderr); return 2;
		}
	}
	c->args = argv + optind;
	c->nargs = argc - optind;
	rc = config_file ? config_load_file(&c->cfg, config_file, err, errlen) : 0;
	if (rc == 0)
		rc = config_apply_env(&c->cfg, err, errlen);
	if (rc == 0 && db)
		rc = config_set(&c->cfg, "db", db, err, errlen);
	if (rc == 0 && listen)
		rc = config_set(&c->cfg, "listen", listen, err, errlen);
	if (rc == 0)
		rc = config_validate(&c->cfg, err, errlen);
	return rc;
}

int cli_setup(struct cli *c, int argc, char **argv, const char *usage)
{
	char err[512];
	int rc = load(c, argc, argv, usage, err, sizeof(err));

	if (rc == 2)
		return 2;
	if (rc < 0) {
		fprintf(stderr, "kefu: %s\n", err);
		return 2;
	}
	log_set_level((enum log_level)log_level_parse(c->cfg.log_level));
	clock_tz_set(c->cfg.timezone);
	if (sodium_init() < 0) {
		fprintf(stderr, "kefu: libsodium failed to start\n");
		return 1;
	}
	return 0;
}

int cli_config_read(int argc, char **argv, struct config *out, char *err, size_t errlen)
{
	struct cli c;
	int rc = load(&c, argc, argv, "", err, errlen);

	if (rc == 2) {
		snprintf(err, errlen, "bad options");
		return ERR_INVALID;
	}
	if (rc == 0)
		*out = c.cfg;
	return rc;
}

int cli_open_store(struct cli *c, struct store **out)
{
	const struct store_opts so = {c->cfg.db, c->cfg.busy_timeout_ms,
				      (enum store_durability)store_durability_parse(c->cfg.durability)};
	int rc = store_open(out, &so);

	if (rc == 0)
		rc = store_migrate(*out, NULL, NULL);
	/* The quality rules kefu ships, each once (issue 15). */
	if (rc == 0)
		rc = qa_seed(*out, clock_now_ms());
	/* The scripts transcribed from the rulebooks, once (issue 16, WO-10). */
	if (rc >= 0)
		rc = kb_seed(*out, clock_now_ms());
	if (rc < 0) {
		fprintf(stderr, "kefu: cannot open database %s\n", c->cfg.db);
		store_close(*out);
		*out = NULL;
	}
	return rc;
}
