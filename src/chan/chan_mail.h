/*
 * chan_mail — the email channel (issue 18, CALL-12's "email within 8
 * hours"); the module's own header, used by chan_mail*.c, cli/serve.c and
 * the tests. docs/chan.md "Email" tells the whole story.
 *
 * chan_mail.c is pure (no network, no SQL): it parses one raw RFC 5322
 * message with GMime into struct chan_mail (UTF-8 throughout: RFC 2047
 * encoded words and bodies in GB2312, GBK, GB18030, Big5 or any charset
 * iconv knows are converted; quoted-printable and base64 decoded; the
 * text part preferred, else the HTML part turned to text; attachments
 * kept within limits) and builds an agent's reply as the bytes SMTP sends.
 *
 * chan_mail_net.c is the network and the store: IMAP fetch by UID through
 * libcurl, the last UID and UIDVALIDITY per account in chan_mail_state
 * (migration 29), one transaction per mail calling chan_inbound, the SMTP
 * adapter (struct chan_adapter of CHAN_EMAIL, which also copies each reply
 * to the config's sent_folder by IMAP APPEND) and the tick.
 *
 * Message ids (ext_id, in_reply_to, references) are kept without their
 * angle brackets, as GMime gives them; the builder adds them back.
 */
#ifndef KEFU_CHAN_CHAN_MAIL_H
#define KEFU_CHAN_CHAN_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "chan/chan.h"

struct store;

/* What one mail may carry into kefu; the rest is dropped and counted. */
struct chan_mail_limits {
	int max_files;	      /* at most CHAN_FILES_MAX */
	size_t max_file_size; /* bytes of one attachment */
	size_t max_total;     /* bytes of all attachments of one mail */
};

#define CHAN_MAIL_RAW_MAX (25u * 1024 * 1024) /* bytes of a whole mail fetched */
#define CHAN_MAIL_HTML_MAX (512u * 1024)      /* bytes of an HTML part kept */

/* The defaults: 10 files, 10 MB each, 20 MB in all. */
void chan_mail_limits_default(struct chan_mail_limits *l);

/* A parsed mail; every pointer is owned by it (chan_mail_free). */
struct chan_mail {
	char *from;	   /* the sender's address, lower case */
	char *from_name;   /* the display name, or NULL */
	char *subject;	   /* "" when none */
	char *message_id;  /* without <>; a digest of the bytes when the mail had none */
	char *in_reply_to; /* without <>, or NULL */
	char *references;  /* ids without <> separated by spaces, or NULL */
	char *text;	   /* the text/plain part, else the HTML part as text; "" when none */
	char *html;	   /* the text/html part, or NULL */
	int64_t date;	   /* ms since the epoch from the Date header, 0 when absent */
	struct chan_file files[CHAN_FILES_MAX];
	int nfiles;
	int dropped;   /* attachments over the limits, not kept */
	int automatic; /* an automatic reply (RFC 3834 Auto-Submitted, X-Autoreply, Precedence:
			  auto_reply) */
};

/* Once per process before the first parse or build (idempotent, thread-safe). */
void chan_mail_init(void);
/* At exit, for tests under the leak checker. */
void chan_mail_shutdown(void);

/*
 * Parses raw[0..len). 0, or ERR_INVALID with a short reason in `error`
 * for a mail kefu cannot take (no sender address, not a message at all).
 * On failure m is left empty; on success free it with chan_mail_free.
 */
int chan_mail_parse(const void *raw, size_t len, const struct chan_mail_limits *lim,
		    struct chan_mail *m, char *error, size_t error_size);
void chan_mail_free(struct chan_mail *m);

/* Points in's fields at m's (m must outlive in). */
void chan_mail_inbound(const struct chan_mail *m, int64_t account_id, struct chan_inbound *in);

/* An HTML body as plain text: tags dropped, blocks as lines, entities decoded. Caller frees. */
char *chan_mail_html_text(const char *html);

/* An agent's reply to build. */
struct chan_mail_out {
	const char *from;      /* the account's address */
	const char *from_name; /* or NULL */
	const char *to;
	const char *to_name; /* or NULL */
	const char *subject; /* the conversation's; "Re: " is added unless it is there */
	const char *text;
	const char *in_reply_to; /* with or without <>, or NULL */
	const char *references;	 /* ids separated by spaces, or NULL */
	int64_t now;		 /* ms: the Date header */
	const struct chan_file *files;
	int nfiles;
	int fresh; /* a new message (a scheduled report), not a reply: no "Re: " */
};

/*
 * The reply as the bytes of an RFC 5322 message with CRLF line ends: UTF-8
 * text/plain (base64), attachments in multipart/mixed, a new Message-ID
 * at the From's domain (written to msgid without <>). 0 and *out (caller
 * frees with free()), or ERR_INVALID for a missing address.
 */
int chan_mail_build(const struct chan_mail_out *o, char **out, size_t *out_len, char *msgid,
		    size_t msgid_size);

/* -- An email account's config (chan_account.config) and fetch state: chan_mail_store.c -- */

#define CHAN_MAIL_POLL_DEFAULT 60 /* seconds between fetches */
#define CHAN_MAIL_POLL_MIN 5
#define CHAN_MAIL_POLL_MAX 3600
#define CHAN_MAIL_BACKOFF_MAX 900 /* seconds between polls of a server that keeps failing */

/*
 * Milliseconds until an account's next poll: poll_sec; 0 after a full
 * batch (a backlog drains round after round, not a batch a poll_sec); after
 * failures polls in a row that failed, twice as long each time, up to
 * CHAN_MAIL_BACKOFF_MAX (never shorter than poll_sec).
 */
int64_t chan_mail_next_poll(int poll_sec, int failures, int backlog);

enum chan_mail_tls {
	CHAN_MAIL_TLS_TRY,     /* STARTTLS when the server offers it (the default) */
	CHAN_MAIL_TLS_REQUIRE, /* STARTTLS or fail; imaps:// and smtps:// are TLS anyway */
	CHAN_MAIL_TLS_NONE     /* never (a server on the same host) */
};

/*
 * The config JSON of an email account: {"imap_url": "imap://host:143/INBOX",
 * "smtp_url": "smtp://host:587", "username", "password", "address" (the
 * From of replies), "from_name", "poll_sec", "tls": "try"|"require"|"none"}.
 */
struct chan_mail_config {
	char imap_url[512];
	char smtp_url[512];
	char username[CHAN_PEER_MAX + 1];
	char password[256];
	char address[CHAN_PEER_MAX + 1];
	char from_name[CHAN_NAME_MAX * 4 + 1];
	int poll_sec;
	int tls;	       /* enum chan_mail_tls, -1 when unknown */
	char sent_folder[256]; /* "" when replies are not copied */
};

#define CHAN_MAIL_FOLDER_MAX 200 /* bytes of a sent_folder name */

/* Reads and checks a config; ERR_INVALID with the first problem in `error` (English). */
int chan_mail_config_parse(const char *json, struct chan_mail_config *c, char *error,
			   size_t error_size);
/* The checks alone (chan_mail.c, pure). */
int chan_mail_config_check(const struct chan_mail_config *c, char *error, size_t error_size);

struct chan_mail_account {
	int64_t id;
	char *config_json; /* malloc'ed */
};

/* The enabled email accounts, at most max; the caller frees each config_json. */
int chan_mail_accounts(struct store *s, struct chan_mail_account *out, int max);

struct chan_mail_state {
	int64_t uidvalidity;
	int64_t last_uid;
	int64_t next_poll_at;
	int failures; /* polls in a row that failed (network): the next waits longer */
	/* What the workbench shows (read by chan_mail_state_get, written by the calls below). */
	int64_t fetched, skipped; /* mails stored and passed over, all told */
	int64_t updated_at;	  /* the last poll (or mail stored) */
	char last_error[300]; /* the last poll's or skipped mail's reason, "" when it went well */
	int64_t sent_at;      /* the last copy of a reply to the Sent folder (migration 34) */
	char sent_error[300]; /* why it failed, "" when it worked */
};

/* An account's state; zeros before its first fetch. */
int chan_mail_state_get(struct store *s, int64_t account_id, struct chan_mail_state *ms);
/* Records the outcome of copying a reply to the Sent folder (error "" when it worked). */
int chan_mail_sent_put(struct store *s, int64_t account_id, const char *error, int64_t at);
/* The fetch state as the account's JSON shows it (chan_mail_api.c): {last_fetch_at,
 * next_poll_at, last_error, failures, uidvalidity, last_uid, fetched, skipped, sent_at,
 * sent_error}; NULL when out of memory or the store failed. */
struct json_t;
struct json_t *chan_mail_state_json(struct store *s, int64_t account_id);
/* Writes the state; error (NULL: keep the last one, "" clears it); adds the counts. */
int chan_mail_state_put(struct store *s, int64_t account_id, const struct chan_mail_state *ms,
			const char *error, int fetched, int skipped, int64_t now);

/*
 * An email account's config JSON checked, the first problem as an error of
 * its field ("config.imap_url"…) in English and zh-CN: 0 or ERR_UNPROCESSABLE
 * (chan_mail_api.c). For the core's POST and PUT /api/chan/accounts.
 */
int chan_mail_config_validate(const char *json, struct err_info *ei);

/* POST /api/chan/accounts/{id}/test (chan_mail_api.c). */
extern const struct route chan_mail_routes[];

/* -- chan_mail_net.c -- */

/* The adapter of CHAN_EMAIL, for chan_adapter_add in cli/serve.c. */
extern const struct chan_adapter chan_mail_adapter;

/*
 * Tries an account's servers: IMAP login and the mailbox, SMTP's greeting
 * (and login when a username is set). 0, or ERR_BUSY/ERR_UNPROCESSABLE with
 * the reason in `error`. For POST /api/chan/accounts/{id}/test.
 */
int chan_mail_try(const struct chan_mail_config *c, char *error, size_t error_size);

/*
 * Sends one new mail with one attached file to `to` through the first
 * enabled email account's SMTP server (issue 20: the scheduled reports,
 * registered with report_set_mailer by cli): 0 when sent, ERR_NOTFOUND
 * when there is no email account, another err with `error` filled when
 * sending failed.
 */
int chan_mail_send_file(struct store *s, const char *to, const char *subject, const char *body,
			const char *file_name, const void *bytes, size_t len, char *error,
			size_t error_size);

/*
 * The scheduler's tick: first it records the outcome of the Sent-folder
 * copies the adapter made since the last round (the adapter has no store);
 * then every enabled email account whose poll_sec has
 * passed since its last fetch has its new mail fetched by IMAP and stored,
 * one transaction per mail. Returns the mails stored.
 */
int chan_mail_tick(struct store *s, int64_t now, void *arg);

#endif
