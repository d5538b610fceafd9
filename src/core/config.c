#include "core/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"

enum kind { K_STR, K_INT, K_I64, K_BOOL };

struct key {
	const char *name;
	enum kind kind;
	size_t off;
	size_t size;
	int64_t min, max;
};

#define STR(f) K_STR, offsetof(struct config, f), sizeof(((struct config *)0)->f), 0, 0
#define INT(f, lo, hi) K_INT, offsetof(struct config, f), sizeof(int), lo, hi
#define I64(f, lo, hi) K_I64, offsetof(struct config, f), sizeof(int64_t), lo, hi
#define BOOL(f) K_BOOL, offsetof(struct config, f), sizeof(int), 0, 1

static const struct key keys[] = {
	{"listen", STR(listen)},
	{"db", STR(db)},
	{"timezone", STR(timezone)},
	{"center_name", STR(center_name)},
	{"log_level", STR(log_level)},
	{"web_root", STR(web_root)},
	{"threads", INT(threads, 1, 256)},
	{"body_limit", I64(body_limit, 1024, 1LL << 30)},
	{"http_max_connections", INT(http_max_connections, 16, 1000000)},
	{"http_max_per_address", INT(http_max_per_address, 1, 1000000)},
	{"http_max_pending", INT(http_max_pending, 8, 1000000)},
	{"http_request_timeout_sec", INT(http_request_timeout_sec, 1, 3600)},
	{"trusted_proxies", STR(trusted_proxies)},
	{"session_idle_min", INT(session_idle_min, 1, 24 * 60)},
	{"session_max_hours", INT(session_max_hours, 1, 24 * 30)},
	{"login_max_failures", INT(login_max_failures, 1, 1000)},
	{"login_account_max_failures", INT(login_account_max_failures, 1, 100000)},
	{"login_addr_max_failures", INT(login_addr_max_failures, 1, 100000)},
	{"login_lock_min", INT(login_lock_min, 1, 24 * 60)},
	{"pwhash", STR(pwhash)},
	{"cookie_secure", BOOL(cookie_secure)},
	{"tls_cert", STR(tls_cert)},
	{"tls_key", STR(tls_key)},
	{"http_redirect_listen", STR(http_redirect_listen)},
	{"durability", STR(durability)},
	{"busy_timeout_ms", INT(busy_timeout_ms, 10, 600000)},
	{"sip_listen", STR(sip_listen)},
	{"sip_realm", STR(sip_realm)},
	{"hotline", STR(hotline)},
	{"sip_trunks", STR(sip_trunks)},
	{"prompts_dir", STR(prompts_dir)},
	{"notice_say", STR(notice_say)},
	{"call_media_timeout_sec", INT(call_media_timeout_sec, 1, 3600)},
	{"calls_max", INT(calls_max, 1, 20000)},
	{"busy_max_min", INT(busy_max_min, 1, 24 * 60)},
	{"wrap_up_sec", INT(wrap_up_sec, 0, 3600)},
	{"service_level_sec", INT(service_level_sec, 1, 600)},
	{"recordings_dir", STR(recordings_dir)},
	{"rtp_port_min", INT(rtp_port_min, 0, 65535)},
	{"rtp_port_max", INT(rtp_port_max, 0, 65535)},
	{"ring_timeout_sec", INT(ring_timeout_sec, 2, 120)},
	{"no_answer_max", INT(no_answer_max, 1, 20)},
	{"attachments_dir", STR(attachments_dir)},
	{"attachment_max", I64(attachment_max, 1024, 1LL << 30)},
	{"out_trunk", STR(out_trunk)},
	{"out_trunk_user", STR(out_trunk_user)},
	{"out_trunk_password", STR(out_trunk_password)},
	{"out_caller_id", STR(out_caller_id)},
	{"out_prefix_mobile", STR(out_prefix_mobile)},
	{"out_prefix_landline", STR(out_prefix_landline)},
	{"out_trunk_max", INT(out_trunk_max, 1, 10000)},
	{"out_ring_sec", INT(out_ring_sec, 5, 180)},
	{"backup_dir", STR(backup_dir)},
	{"backup_at", STR(backup_at)},
	{"backup_keep", INT(backup_keep, 1, 3650)},
	{"backup_key", STR(backup_key)},
	{"access_log", BOOL(access_log)},
};

/*
 * The keys SIGHUP's reload applies to the running server (config_reload):
 * whole numbers and switches that threads read afresh at each use, stored
 * atomically. Everything else (listen addresses, the database, TLS, SIP,
 * directories, the time zone, threads) is read once at start into sockets,
 * pools and threads, so a change waits for a restart, and the reload says
 * so. log_level is a string but has its own atomic (log_set_level).
 */
static const char *const reloadable[] = {
	"log_level",	      "access_log",	    "session_idle_min",
	"session_max_hours",  "login_max_failures", "login_account_max_failures",
	"login_addr_max_failures", "login_lock_min", "busy_max_min",
	"backup_keep",
};

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8080");
	snprintf(c->db, sizeof(c->db), "var/kefu.db");
	snprintf(c->timezone, sizeof(c->timezone), "Asia/Shanghai");
	snprintf(c->center_name, sizeof(c->center_name), "客服中心");
	snprintf(c->log_level, sizeof(c->log_level), "info");
	snprintf(c->web_root, sizeof(c->web_root), "web/dist");
	c->threads = 4;
	c->body_limit = 1 << 20;
	/*
	 * Sized for a center of a few thousand seats: each agent's workbench
	 * holds one or two event streams and up to six keep-alive connections
	 * of the browser, a supervisor's a few more.
	 */
	c->http_max_connections = 16384;
	c->http_max_per_address = 1024;
	c->http_max_pending = 1024;
	c->http_request_timeout_sec = 30;
	c->session_idle_min = 30;
	c->session_max_hours = 12;
	c->login_max_failures = 5;
	c->login_addr_max_failures = 20;
	c->login_account_max_failures = 100;
	c->login_lock_min = 15;
	snprintf(c->pwhash, sizeof(c->pwhash), "interactive");
	c->cookie_secure = 0;
	snprintf(c->durability, sizeof(c->durability), "normal");
	c->busy_timeout_ms = 5000;
	snprintf(c->sip_realm, sizeof(c->sip_realm), "kefu");
	snprintf(c->hotline, sizeof(c->hotline), "4000000000");
	snprintf(c->prompts_dir, sizeof(c->prompts_dir), "build/prompts");
	snprintf(c->notice_say, sizeof(c->notice_say), "mk/say.sh");
	c->call_media_timeout_sec = 60;
	c->calls_max = 1000;
	c->busy_max_min = 15;
	c->wrap_up_sec = 30;
	c->service_level_sec = 20;
	snprintf(c->recordings_dir, sizeof(c->recordings_dir), "var/recordings");
	c->ring_timeout_sec = 15;
	c->no_answer_max = 2;
	snprintf(c->attachments_dir, sizeof(c->attachments_dir), "var/attachments");
	c->attachment_max = 10 << 20;
	c->out_trunk_max = 30;
	c->out_ring_sec = 45;
	snprintf(c->backup_at, sizeof(c->backup_at), "03:00");
	c->backup_keep = 7;
}

static int is_reloadable(const char *name)
{
	for (size_t i = 0; i < sizeof(reloadable) / sizeof(reloadable[0]); i++)
		if (strcmp(reloadable[i], name) == 0)
			return 1;
	return 0;
}

static void add_name(char *list, size_t len, const char *name)
{
	size_t used = strlen(list);

	snprintf(list + used, len - used, "%s%s", used ? " " : "", name);
}

void config_reload(struct config *live, const struct config *fresh, char *applied,
		   size_t applied_len, char *restart, size_t restart_len)
{
	applied[0] = restart[0] = '\0';
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *k = &keys[i];
		char *to = (char *)live + k->off;
		const char *from = (const char *)fresh + k->off;

		/* Strings compare as text: bytes after the end may differ. */
		if (k->kind == K_STR ? strcmp(to, from) == 0 : memcmp(to, from, k->size) == 0)
			continue;
		if (!is_reloadable(k->name)) {
			add_name(restart, restart_len, k->name);
			continue;
		}
		if (k->kind == K_STR) /* log_level: read by nobody after start */
			memcpy(to, from, k->size);
		else
			__atomic_store_n((int *)to, *(const int *)from, __ATOMIC_RELAXED);
		add_name(applied, applied_len, k->name);
	}
	log_set_level((enum log_level)log_level_parse(live->log_level));
}

int config_minute_of(const char *hhmm)
{
	int h, m;
	char end;

	if (!hhmm || strlen(hhmm) != 5 || sscanf(hhmm, "%2d:%2d%c", &h, &m, &end) != 2 || h < 0 ||
	    h > 23 || m < 0 || m > 59)
		return -1;
	return h * 60 + m;
}

static int parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return ERR_INVALID;
	*out = v;
	return 0;
}

int config_set(struct config *c, const char *name, const char *value, char *err, size_t errlen)
{
	const struct key *k = NULL;
	char *field;
	int64_t v;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].name, name) == 0)
			k = &keys[i];
	if (!k) {
		snprintf(err, errlen, "unknown setting '%s'", name);
		return ERR_INVALID;
	}
	field = (char *)c + k->off;
	switch (k->kind) {
	case K_STR:
		if (strlen(value) >= k->size) {
			snprintf(err, errlen, "%s: value too long", name);
			return ERR_INVALID;
		}
		snprintf(field, k->size, "%s", value);
		return 0;
	case K_BOOL:
		if (!strcmp(value, "1") || !strcmp(value, "true") || !strcmp(value, "yes")) {
			*(int *)field = 1;
			return 0;
		}
		if (!strcmp(value, "0") || !strcmp(value, "false") || !strcmp(value, "no")) {
			*(int *)field = 0;
			return 0;
		}
		snprintf(err, errlen, "%s: expected true or false", name);
		return ERR_INVALID;
	case K_INT:
	case K_I64:
		if (parse_i64(value, &v) < 0 || v < k->min || v > k->max) {
			snprintf(err, errlen, "%s: expected a whole number from %lld to %lld", name,
				 (long long)k->min, (long long)k->max);
			return ERR_INVALID;
		}
		if (k->kind == K_INT)
			*(int *)field = (int)v;
		else
			*(int64_t *)field = v;
		return 0;
	}
	return ERR_INVALID;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int config_load_file(struct config *c, const char *path, char *err, size_t errlen)
{
	char line[1024], msg[256];
	int rc = 0, lineno = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return ERR_IO;
	}
	while (fgets(line, sizeof(line), f)) {
		char *hash, *eq, *key, *val;

		lineno++;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		key = trim(line);
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%d: expected key = value", path, lineno);
			rc = ERR_INVALID;
			goto out;
		}
		*eq = '\0';
		val = trim(eq + 1);
		key = trim(key);
		rc = config_set(c, key, val, msg, sizeof(msg));
		if (rc < 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
			goto out;
		}
	}
out:
	fclose(f);
	return rc;
}

int config_apply_env(struct config *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char var[64];
		const char *v;
		size_t j;

		snprintf(var, sizeof(var), "KEFU_%s", keys[i].name);
		for (j = 5; var[j]; j++)
			var[j] = (char)toupper((unsigned char)var[j]);
		v = getenv(var);
		if (v && config_set(c, keys[i].name, v, err, errlen) < 0)
			return ERR_INVALID;
	}
	return 0;
}

int config_addresses(const char *list, char (*out)[CONFIG_ADDRESS_LEN], int max)
{
	const char *p = list;
	int n = 0;

	while (*p) {
		char one[CONFIG_ADDRESS_LEN];
		unsigned char bin[16];
		size_t len = strcspn(p, " ,\t");
		int af;

		if (len == 0) {
			p++;
			continue;
		}
		if (len >= sizeof(one) || n >= CONFIG_ADDRESSES_MAX)
			return ERR_INVALID;
		memcpy(one, p, len);
		one[len] = '\0';
		p += len;
		af = strchr(one, ':') ? AF_INET6 : AF_INET;
		if (inet_pton(af, one, bin) != 1)
			return ERR_INVALID;
		/* Written back as inet_ntop writes it, so it compares as text
		 * with an address taken from a socket. */
		if (out && n < max && !inet_ntop(af, bin, out[n], CONFIG_ADDRESS_LEN))
			return ERR_INVALID;
		n++;
	}
	return n;
}

int config_validate(const struct config *c, char *err, size_t errlen)
{
	if (!clock_tz_valid(c->timezone)) {
		snprintf(err, errlen, "timezone: unknown zone '%s'", c->timezone);
		return ERR_INVALID;
	}
	if (log_level_parse(c->log_level) < 0) {
		snprintf(err, errlen, "log_level: expected debug, info, warn or error");
		return ERR_INVALID;
	}
	if (strcmp(c->pwhash, "moderate") && strcmp(c->pwhash, "interactive") &&
	    strcmp(c->pwhash, "min")) {
		snprintf(err, errlen, "pwhash: expected moderate, interactive or min");
		return ERR_INVALID;
	}
	if (strcmp(c->durability, "normal") && strcmp(c->durability, "full") &&
	    strcmp(c->durability, "fsync_each")) {
		snprintf(err, errlen, "durability: expected normal, full or fsync_each");
		return ERR_INVALID;
	}
	if (!strchr(c->listen, ':')) {
		snprintf(err, errlen, "listen: expected host:port");
		return ERR_INVALID;
	}
	if (!c->db[0]) {
		snprintf(err, errlen, "db: a database path is required");
		return ERR_INVALID;
	}
	if (!c->tls_cert[0] != !c->tls_key[0]) {
		snprintf(err, errlen, "tls_cert, tls_key: give both or neither");
		return ERR_INVALID;
	}
	if (c->http_redirect_listen[0] && (!c->tls_cert[0] || !strchr(c->http_redirect_listen, ':'))) {
		snprintf(err, errlen, "http_redirect_listen: host:port, and only with tls_cert");
		return ERR_INVALID;
	}
	if (config_minute_of(c->backup_at) < 0) {
		snprintf(err, errlen, "backup_at: expected HH:MM");
		return ERR_INVALID;
	}
	if (config_addresses(c->sip_trunks, NULL, 0) < 0) {
		snprintf(err, errlen,
			 "sip_trunks: expected IP addresses separated by spaces or commas (at most "
			 "%d)",
			 CONFIG_ADDRESSES_MAX);
		return ERR_INVALID;
	}
	if (config_addresses(c->trusted_proxies, NULL, 0) < 0) {
		snprintf(err, errlen,
			 "trusted_proxies: expected IP addresses separated by spaces or commas (at "
			 "most %d)",
			 CONFIG_ADDRESSES_MAX);
		return ERR_INVALID;
	}
	if (c->http_max_per_address > c->http_max_connections ||
	    c->http_max_pending > c->http_max_connections) {
		snprintf(err, errlen,
			 "http_max_per_address and http_max_pending: expected at most "
			 "http_max_connections (%d)",
			 c->http_max_connections);
		return ERR_INVALID;
	}
	/* Two ports a call (one per leg) need room for a few calls at least. */
	if ((c->rtp_port_min || c->rtp_port_max) &&
	    (!c->rtp_port_min || c->rtp_port_max < c->rtp_port_min + 16)) {
		snprintf(err, errlen, "rtp_port_min/rtp_port_max: expected a range of 16 or more");
		return ERR_INVALID;
	}
	return 0;
}
