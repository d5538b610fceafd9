/*
 * config — kefu's settings: defaults, then the config file, then the
 * environment (KEFU_<KEY>), then command-line flags, each overriding the last.
 *
 * The file is plain "key = value" lines; '#' starts a comment. Every key is
 * documented in etc/kefu.conf. Unknown keys and bad values are errors, so a
 * typo never silently falls back to a default. The struct is filled once at
 * start and read-only afterwards, so threads share it without locks, but
 * for the few whole-number keys SIGHUP reloads (config_reload): each is
 * one aligned int stored atomically, which a reader sees whole, old or new.
 */
#ifndef KEFU_CORE_CONFIG_H
#define KEFU_CORE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

struct config {
	char listen[128];      /* host:port the API listens on */
	char db[512];	       /* SQLite database file */
	char timezone[64];     /* the center's zone: decides "same day" and shifts */
	char center_name[128]; /* shown in prompts and the workbench */
	char log_level[16];
	char web_root[512];	     /* built workbench files, served under / */
	int threads;		     /* HTTP worker threads, each with its own DB connection */
	int64_t body_limit;	     /* largest request body accepted, bytes */
	int http_max_connections;    /* open HTTP connections in all */
	int http_max_per_address;    /* open connections (proxied: requests) of one client */
	int http_max_pending;	     /* connections waiting for a request; more close the oldest */
	int http_request_timeout_sec; /* a request must arrive whole within this; also idle limit */
	char trusted_proxies[512];    /* reverse proxies whose X-Forwarded-For names the client */
	int session_idle_min;	     /* a session unused this long ends */
	int session_max_hours;	     /* a session ends this long after login whatever its use */
	int login_max_failures; /* failed logins of one account from one address before a lock */
	int login_account_max_failures; /* failed logins of one account from anywhere: a ceiling */
	int login_addr_max_failures; /* failed logins per client address before a lock */
	int login_lock_min;	     /* length of a lock, and the window failures are counted in */
	char pwhash[16];	     /* argon2id cost: "moderate", "interactive" or "min" (tests) */
	int cookie_secure;	     /* mark the session cookie Secure (behind HTTPS) */
	char tls_cert[256];	     /* PEM certificate (chain): kefu serves HTTPS itself */
	char tls_key[256];	     /* its PEM private key */
	char http_redirect_listen[128]; /* with TLS: plain HTTP here answers 308 to HTTPS */
	char durability[16];  /* "normal": survives a process crash; "full": power loss too */
	int busy_timeout_ms;  /* how long a writer waits for the database lock */
	char sip_listen[128]; /* host:port of the SIP hotline (UDP); "" keeps SIP off */
	char sip_realm[64];   /* the digest-auth realm of agents' phones */
	char hotline[32];     /* the number callers dial (SIP user part) */
	char sip_trunks[512]; /* carriers' SIP addresses, outside the per-address limits */
	char prompts_dir[256];	    /* the IVR's <key>.wav prompts (CALL-1) */
	char notice_say[256];	    /* speaks an announcement's text: mk/say.sh OUT.wav < text */
	int call_media_timeout_sec; /* a call with no RTP nor SIP from the caller this long ends */
	int calls_max;		    /* hotline calls at once; more get 503 */
	int busy_max_min;     /* CALL-15: busy longer than this alerts the manager */
	int wrap_up_sec;      /* after-call work time before an agent is ready again */
	int service_level_sec; /* the wallboard's service level: answered within this many s */
	char recordings_dir[256]; /* answered calls' stereo WAVs; "" keeps recording off */
	int rtp_port_min, rtp_port_max; /* calls' RTP ports; 0, 0: any free port */
	int ring_timeout_sec; /* an offer unanswered this long goes to the next agent */
	int no_answer_max;    /* this many unanswered offers in a row set the agent busy */
	char attachments_dir[256]; /* files attached to orders and contacts (src/att/) */
	int64_t attachment_max;	   /* largest attachment, bytes: the body limit of its uploads */
	/* Outbound calls through the carrier's trunk (issue 17, docs/sip.md). */
	char out_trunk[128];	       /* host[:port] of the carrier's SIP trunk; "" keeps calls out off */
	char out_trunk_user[64];       /* its digest credentials, when it asks for them */
	char out_trunk_password[128];
	char out_caller_id[32];	       /* the number customers see (the 400 number's display) */
	char out_prefix_mobile[16];    /* dialled before a mobile number (11 digits from 1) */
	char out_prefix_landline[16];  /* dialled before any other number */
	int out_trunk_max;	       /* calls out through the trunk at once */
	int out_ring_sec;	       /* a customer's phone rings this long before "no answer" */
	/* The daily backup by kefu serve (issue 22, src/cli/backup.c). */
	char backup_dir[256]; /* where the backups go; "" keeps the daily backup off */
	char backup_at[8];    /* HH:MM of the center's time it is made each day */
	int backup_keep;      /* the newest this many are kept */
	char backup_key[256]; /* a key file (kefu backup --new-key): backups encrypted */
	int access_log;	      /* one INFO line per HTTP request (else DEBUG) */
};

void config_defaults(struct config *c);
/* Sets one key from text; ERR_INVALID with a message in err for bad keys or values. */
int config_set(struct config *c, const char *key, const char *value, char *err, size_t errlen);
int config_load_file(struct config *c, const char *path, char *err, size_t errlen);
/* Applies KEFU_<KEY> variables from the environment. */
int config_apply_env(struct config *c, char *err, size_t errlen);
/*
 * SIGHUP (issue 22): copies into the running config the reloadable keys
 * that differ in fresh (a complete, validated config read anew), and lists
 * their names, space-separated, in applied; the other keys that differ are
 * listed in restart and left as they are: they take effect at the next
 * start. docs/operations.md lists which are which.
 */
void config_reload(struct config *live, const struct config *fresh, char *applied,
		   size_t applied_len, char *restart, size_t restart_len);
/* Minutes after midnight of "HH:MM", or -1 when it is not such a time. */
int config_minute_of(const char *hhmm);
/* Checks relations between keys (time zone exists, limits positive). */
int config_validate(const struct config *c, char *err, size_t errlen);

#define CONFIG_ADDRESSES_MAX 16
#define CONFIG_ADDRESS_LEN 64
/*
 * A list of IP addresses (IPv4 or IPv6, separated by spaces or commas, as
 * sip_trunks): how many, each written into out (up to max) in the form
 * inet_ntop gives; ERR_INVALID for anything else or more than
 * CONFIG_ADDRESSES_MAX. out may be NULL to check only.
 */
int config_addresses(const char *list, char (*out)[CONFIG_ADDRESS_LEN], int max);

#endif
