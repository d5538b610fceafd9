/*
 * The email channel's network half (chan_mail.h): IMAP fetch and SMTP send
 * through libcurl, on the scheduler's thread, each transfer bounded by
 * CHAN_MAIL_TIMEOUT_S.
 *
 * Fetch: each enabled email account is polled every poll_sec seconds. One
 * curl handle per poll: SELECT the mailbox (libcurl does it before the
 * custom command) and UID FETCH last+1:last+100 (UID); the SELECT's UIDVALIDITY,
 * read from the server's responses, is compared with the stored one (a
 * mailbox recreated renumbers its UIDs: kefu starts again from UID 1, and
 * the Message-ID dedup of chan_inbound keeps what it has from being stored
 * twice); then each new UID, oldest first and at most CHAN_MAIL_BATCH a
 * round (a backlog is polled again the next round, about a second later,
 * so the scheduler's other ticks are never held up long), is fetched, parsed and stored in one
 * transaction together with the new last UID. A mail that does not parse or that chan_inbound
 * refuses is logged, counted as skipped and passed over: its UID is recorded all the same, so a bad
 * mail is never fetched again and never blocks the next. A database or network failure stops the
 * account's poll where it was; the next poll takes up from the last UID stored.
 *
 * Send: the adapter builds the reply (chan_mail_build) and hands it to
 * the account's SMTP server; a 5xx answer or a refused login fails the
 * message at once, anything else (timeouts, 4xx, no connection) is
 * ERR_BUSY and the send queue tries again. When the account's config names a
 * sent_folder, the mail that went is then copied there by IMAP APPEND (as a
 * mailer keeps its sent mail, so colleagues reading the mailbox see the
 * answers); a copy that fails is logged and noted, never failing or
 * delaying the reply, which has gone. The adapter has no store, so the
 * outcome waits in memory until the tick's next round writes it to
 * chan_mail_state (sent_at, sent_error), where the accounts page reads it.
 */
#include "chan/chan_mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <curl/curl.h>
#include <glib.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "store/store.h"

#define CHAN_MAIL_TIMEOUT_S 10L
#define CHAN_MAIL_BATCH 50	  /* mails one account's poll fetches at most */
#define CHAN_MAIL_ACCOUNTS_MAX 64 /* email accounts one tick polls */
#define CHAN_MAIL_WINDOW 100	  /* UIDs one UID FETCH (UID) asks about */
#define CHAN_MAIL_WINDOWS 50	  /* empty windows (deleted mail) one poll looks past */

/* -- curl helpers -- */

struct sink {
	struct buf b;
	size_t max;
	int over;
};

static size_t sink_write(char *p, size_t size, size_t n, void *arg)
{
	struct sink *k = arg;
	size_t len = size * n;

	if (k->b.len + len > k->max) {
		k->over = 1;
		return 0; /* aborts the transfer */
	}
	if (buf_append(&k->b, p, len))
		return 0;
	return len;
}

static void common(CURL *h, const struct chan_mail_config *c)
{
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CHAN_MAIL_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, CHAN_MAIL_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_USERNAME, c->username[0] ? c->username : c->address);
	if (c->password[0])
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
	curl_easy_setopt(h, CURLOPT_USE_SSL,
			 c->tls == CHAN_MAIL_TLS_REQUIRE ? (long)CURLUSESSL_ALL
			 : c->tls == CHAN_MAIL_TLS_NONE	 ? (long)CURLUSESSL_NONE
							 : (long)CURLUSESSL_TRY);
}

/* A short reason for a failed transfer, with the server's answer code when there was one. */
static void why(CURL *h, CURLcode cc, const char *what, char *error, size_t size)
{
	long code = 0;

	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (code)
		snprintf(error, size, "%s: %s (%ld)", what, curl_easy_strerror(cc), code);
	else
		snprintf(error, size, "%s: %s", what, curl_easy_strerror(cc));
}

/* -- IMAP -- */

/* The mailbox URL: imap_url with INBOX when it names no mailbox. */
static void mailbox_url(const struct chan_mail_config *c, char *out, size_t size)
{
	const char *host = strstr(c->imap_url, "://");
	const char *path = host ? strchr(host + 3, '/') : NULL;

	if (!path || !path[1])
		snprintf(out, size, "%.*s/INBOX",
			 (int)(path ? path - c->imap_url : (long)strlen(c->imap_url)), c->imap_url);
	else
		snprintf(out, size, "%s", c->imap_url);
}

/* What SELECT said of the mailbox. */
struct selected {
	int64_t validity; /* UIDVALIDITY */
	int64_t uidnext;  /* UIDNEXT: every UID below it is taken */
};

/*
 * The header callback: libcurl hands it every line the server answers; it
 * keeps only SELECT's "* OK [UIDVALIDITY n]" and "* OK [UIDNEXT n]".
 */
static size_t selected_line(char *p, size_t size, size_t n, void *arg)
{
	struct selected *sel = arg;
	size_t len = size * n;
	char line[128];

	if (len > 10 && len < sizeof(line) && !strncmp(p, "* OK [UID", 9)) {
		const char *v;

		memcpy(line, p, len);
		line[len] = 0;
		if ((v = strstr(line, "[UIDVALIDITY ")))
			sel->validity = strtoll(v + 13, NULL, 10);
		else if ((v = strstr(line, "[UIDNEXT ")))
			sel->uidnext = strtoll(v + 9, NULL, 10);
	}
	return len;
}

/*
 * The UIDs above `after` in the answer to UID FETCH a:b (UID), one line
 * "* 7 FETCH (UID 31)" a mail, the smallest max of them, ascending. The
 * UIDs are asked a window of CHAN_MAIL_WINDOW at a time: libcurl (7.88)
 * counts every IMAP answer line against its 300 kB limit on a response's
 * "headers", and counts what is left of its read buffer with each line, so
 * a thousand short lines already fail the transfer ("Too large response
 * headers"); and UID SEARCH's single line of every UID is cut by libcurl
 * past half its line buffer.
 */
static int uids_of(const char *s, int64_t after, int64_t *out, int max)
{
	int n = 0;

	for (const char *line = s; line && *line;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *eol = strchr(line, '\n');
		const char *f = strstr(line, " FETCH (");
		const char *u;
		long long v;
		char *end;

		if (strncmp(line, "* ", 2) || !f || (eol && f > eol))
			continue;
		u = strstr(f, "UID ");
		if (!u || (eol && u > eol))
			continue;
		v = strtoll(u + 4, &end, 10);
		if (end == u + 4 || v <= after)
			continue;
		if (n < max) {
			out[n++] = v;
		} else {
			/* Keep the smallest: the last UID stored is the high-water mark. */
			int big = 0;

			for (int i = 1; i < n; i++)
				if (out[i] > out[big])
					big = i;
			if (v < out[big])
				out[big] = v;
		}
	}
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && out[j - 1] > out[j]; j--) {
			int64_t t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

/* Stores one parsed mail and the new last UID in one transaction: 1 stored, 0 skipped, <0 stop. */
static int store_one_mail(struct store *s, int64_t account_id, const char *address,
			  struct chan_mail_state *ms, int64_t uid, const char *raw, size_t len,
			  int64_t now)
{
	struct chan_mail_limits lim;
	struct chan_mail m;
	struct chan_inbound in;
	struct chan_inbound_result res;
	struct err_info ei;
	char error[256];
	int64_t prev = ms->last_uid;
	int rc;

	chan_mail_limits_default(&lim);
	memset(&ei, 0, sizeof(ei));
	memset(&res, 0, sizeof(res));
	rc = chan_mail_parse(raw, len, &lim, &m, error, sizeof(error));
	/* Neither an out-of-office answer nor the mailbox's own mail (a copy of a reply) is a
	 * customer's. */
	if (rc == 0 && (m.automatic || !g_ascii_strcasecmp(m.from, address))) {
		snprintf(error, sizeof(error), "%s",
			 m.automatic ? "an automatic reply" : "sent by the account's own address");
		chan_mail_free(&m);
		rc = ERR_INVALID;
	}
	if (rc == 0) {
		chan_mail_inbound(&m, account_id, &in);
		/* Deadlines count from arrival: a sender's Date may be wrong or forged (CALL-12).
		 */
		in.at = 0;
		if (m.dropped)
			log_msg(LOG_WARN,
				"chan_mail: account %lld uid %lld: %d attachments over the limits "
				"dropped",
				(long long)account_id, (long long)uid, m.dropped);
		rc = store_begin(s);
		if (rc == 0)
			rc = chan_inbound(s, &in, now, &res, &ei);
		ms->last_uid = uid;
		if (rc == 0)
			rc = chan_mail_state_put(s, account_id, ms, NULL, res.duplicate ? 0 : 1, 0,
						 now);
		if (rc == 0)
			rc = store_commit(s);
		if (rc == 0) {
			chan_mail_free(&m);
			chan_wake();
			return 1;
		}
		store_rollback(s);
		ms->last_uid = prev;
		snprintf(error, sizeof(error), "%s", ei.message[0] ? ei.message : err_name(rc));
		chan_mail_free(&m);
		/* The database, or the account disabled meanwhile (ERR_NOTFOUND): the mail waits.
		 */
		if (rc == ERR_BUSY || rc == ERR_IO || rc == ERR_NOMEM || rc == ERR_NOTFOUND) {
			log_msg(LOG_WARN,
				"chan_mail: account %lld uid %lld: not stored (%s), tried again "
				"later",
				(long long)account_id, (long long)uid, error);
			return rc;
		}
	}
	/* Skipped for good: recorded as read so it is not fetched again. */
	log_msg(LOG_WARN, "chan_mail: account %lld uid %lld: skipped: %s", (long long)account_id,
		(long long)uid, error);
	ms->last_uid = uid;
	rc = store_begin(s);
	if (rc == 0)
		rc = chan_mail_state_put(s, account_id, ms, error, 0, 1, now);
	if (rc == 0)
		rc = store_commit(s);
	if (rc) {
		store_rollback(s);
		ms->last_uid = prev;
		return rc;
	}
	return 0;
}

/* One poll of one account: the mails stored, or a negative err (the reason in error). */
static int poll_account(struct store *s, int64_t account_id, const struct chan_mail_config *c,
			struct chan_mail_state *ms, int64_t now, int *more, char *error,
			size_t error_size)
{
	char url[600], cmd[64];
	struct sink body = {BUF_INIT, 1u << 20, 0};
	struct selected sel = {0, 0};
	int64_t uids[CHAN_MAIL_BATCH], from = ms->last_uid + 1;
	CURL *h = curl_easy_init();
	CURLcode cc;
	int n, stored = 0, rc = 0;

	if (!h)
		return ERR_NOMEM;
	mailbox_url(c, url, sizeof(url));
	common(h, c);
	curl_easy_setopt(h, CURLOPT_URL, url);
	/* The server's answers to SELECT (UIDVALIDITY, UIDNEXT) come through the header callback.
	 */
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, selected_line);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &sel);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	for (int windows = 0;; windows++) {
		int64_t to = from + CHAN_MAIL_WINDOW - 1;

		snprintf(cmd, sizeof(cmd), "UID FETCH %lld:%lld (UID)", (long long)from,
			 (long long)to);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, cmd);
		buf_reset(&body.b);
		cc = curl_easy_perform(h);
		if (cc != CURLE_OK || body.over) {
			why(h, cc, "imap", error, error_size);
			rc = ERR_BUSY;
			goto out;
		}
		if (windows == 0 && sel.validity && ms->uidvalidity &&
		    sel.validity != ms->uidvalidity) {
			/* The mailbox was recreated: its UIDs mean other mails now. */
			log_msg(LOG_WARN,
				"chan_mail: account %lld: UIDVALIDITY %lld → %lld, fetching the "
				"mailbox again",
				(long long)account_id, (long long)ms->uidvalidity,
				(long long)sel.validity);
			ms->uidvalidity = sel.validity;
			ms->last_uid = 0;
			from = 1;
			continue;
		}
		if (sel.validity)
			ms->uidvalidity = sel.validity;
		n = uids_of(buf_str(&body.b), ms->last_uid, uids, CHAN_MAIL_BATCH);
		/* A window with nothing (deleted mail) below UIDNEXT: look at the next one. */
		if (n == 0 && sel.uidnext > to + 1 && windows < CHAN_MAIL_WINDOWS) {
			from = to + 1;
			continue;
		}
		*more = n == CHAN_MAIL_BATCH || sel.uidnext > to + 1;
		break;
	}
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
	for (int i = 0; i < n; i++) {
		struct sink mail = {BUF_INIT, CHAN_MAIL_RAW_MAX, 0};
		char one[700];

		snprintf(one, sizeof(one), "%s;UIDVALIDITY=%lld/;UID=%lld", url,
			 (long long)ms->uidvalidity, (long long)uids[i]);
		if (!ms->uidvalidity)
			snprintf(one, sizeof(one), "%s/;UID=%lld", url, (long long)uids[i]);
		curl_easy_setopt(h, CURLOPT_URL, one);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &mail);
		cc = curl_easy_perform(h);
		if (cc != CURLE_OK && !mail.over) {
			why(h, cc, "imap fetch", error, error_size);
			buf_release(&mail.b);
			rc = ERR_BUSY;
			break;
		}
		/* A mail over CHAN_MAIL_RAW_MAX (its download cut short) is skipped as too big:
		 * the parse refuses a length over the limit before reading a byte. */
		rc = store_one_mail(s, account_id, c->address, ms, uids[i],
				    mail.b.p ? mail.b.p : "",
				    mail.over ? (size_t)CHAN_MAIL_RAW_MAX + 1 : mail.b.len, now);
		buf_release(&mail.b);
		if (rc < 0) {
			snprintf(error, error_size, "store: %s", err_name(rc));
			break;
		}
		stored += rc;
		rc = 0;
	}
out:
	buf_release(&body.b);
	curl_easy_cleanup(h);
	return rc < 0 ? rc : stored;
}

/* -- The Sent copies' outcomes, from the adapter to the tick -- */

struct sent_note {
	int64_t account_id, at;
	char error[300];
};

static pthread_mutex_t notes_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sent_note notes[CHAN_MAIL_ACCOUNTS_MAX];
static int nnotes;

/* Keeps the newest outcome of an account's copy; one account's newer one replaces its older. */
static void sent_note(int64_t account_id, int64_t at, const char *error)
{
	int i;

	pthread_mutex_lock(&notes_lock);
	for (i = 0; i < nnotes && notes[i].account_id != account_id; i++)
		;
	if (i < CHAN_MAIL_ACCOUNTS_MAX) {
		notes[i].account_id = account_id;
		notes[i].at = at;
		snprintf(notes[i].error, sizeof(notes[i].error), "%s", error);
		if (i == nnotes)
			nnotes++;
	}
	pthread_mutex_unlock(&notes_lock);
}

/* Writes the outcomes noted since the last round, in one transaction; kept for the next round
 * when the database is busy. */
static void sent_notes_flush(struct store *s)
{
	struct sent_note copy[CHAN_MAIL_ACCOUNTS_MAX];
	int n, rc;

	pthread_mutex_lock(&notes_lock);
	n = nnotes;
	memcpy(copy, notes, sizeof(copy[0]) * (size_t)n);
	pthread_mutex_unlock(&notes_lock);
	if (n == 0)
		return;
	rc = store_begin(s);
	for (int i = 0; rc == 0 && i < n; i++)
		rc = chan_mail_sent_put(s, copy[i].account_id, copy[i].error, copy[i].at);
	if (rc == 0)
		rc = store_commit(s);
	if (rc) {
		store_rollback(s);
		return;
	}
	/* Drop what was written, unless the adapter noted a newer outcome meanwhile. */
	pthread_mutex_lock(&notes_lock);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < nnotes; j++)
			if (notes[j].account_id == copy[i].account_id && notes[j].at == copy[i].at &&
			    !strcmp(notes[j].error, copy[i].error)) {
				notes[j] = notes[--nnotes];
				break;
			}
	pthread_mutex_unlock(&notes_lock);
}

int chan_mail_tick(struct store *s, int64_t now, void *arg)
{
	struct chan_mail_account acc[CHAN_MAIL_ACCOUNTS_MAX];
	int n, total = 0;

	(void)arg;
	sent_notes_flush(s);
	n = chan_mail_accounts(s, acc, CHAN_MAIL_ACCOUNTS_MAX);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct chan_mail_config c;
		struct chan_mail_state ms;
		char error[300] = "";
		int rc = chan_mail_state_get(s, acc[i].id, &ms);

		if (rc == 0 && ms.next_poll_at > now)
			goto next;
		if (rc == 0 &&
		    chan_mail_config_parse(acc[i].config_json, &c, error, sizeof(error))) {
			/* A broken config is the admin's to fix; look again in a minute. */
			ms.next_poll_at = now + CHAN_MAIL_POLL_DEFAULT * 1000LL;
			if (store_begin(s) == 0) {
				if (chan_mail_state_put(s, acc[i].id, &ms, error, 0, 0, now) ||
				    store_commit(s))
					store_rollback(s);
			}
			goto next;
		}
		if (rc == 0) {
			int more = 0;

			chan_mail_init();
			rc = poll_account(s, acc[i].id, &c, &ms, now, &more, error, sizeof(error));
			if (rc < 0)
				log_msg(LOG_WARN, "chan_mail: account %lld: %s",
					(long long)acc[i].id, error);
			else
				total += rc;
			ms.failures = rc < 0 ? ms.failures + 1 : 0;
			ms.next_poll_at = now + chan_mail_next_poll(c.poll_sec, ms.failures, more);
			if (store_begin(s) == 0) {
				if (chan_mail_state_put(s, acc[i].id, &ms, rc < 0 ? error : "", 0,
							0, now) ||
				    store_commit(s))
					store_rollback(s);
			}
		}
	next:
		free(acc[i].config_json);
	}
	return total;
}

/* -- SMTP -- */

/*
 * The SMTP URL with the EHLO name: libcurl says EHLO with the URL's path,
 * and "localhost" without one, which strict servers refuse; the address's
 * domain is the name the mail is from.
 */
static void smtp_url(const struct chan_mail_config *c, char *out, size_t size)
{
	const char *host = strstr(c->smtp_url, "://");
	const char *path = host ? strchr(host + 3, '/') : NULL;
	const char *at = strchr(c->address, '@');

	if ((!path || !path[1]) && at)
		snprintf(out, size, "%.*s/%s",
			 (int)(path ? path - c->smtp_url : (long)strlen(c->smtp_url)), c->smtp_url,
			 at + 1);
	else
		snprintf(out, size, "%s", c->smtp_url);
}

struct source {
	const char *p;
	size_t left;
};

static size_t source_read(char *dst, size_t size, size_t n, void *arg)
{
	struct source *src = arg;
	size_t len = size * n < src->left ? size * n : src->left;

	memcpy(dst, src->p, len);
	src->p += len;
	src->left -= len;
	return len;
}

/*
 * Copies a reply that went to the account's Sent folder by IMAP APPEND
 * (libcurl marks it \Seen) and notes the outcome; a failure is logged and
 * shown on the account, never the reply's.
 */
static void copy_to_sent(int64_t account_id, const struct chan_mail_config *c, const char *raw,
			 size_t len)
{
	const char *host = strstr(c->imap_url, "://");
	const char *path = host ? strchr(host + 3, '/') : NULL;
	struct source src = {raw, len};
	char url[1200], error[300] = "";
	CURL *h = curl_easy_init();
	char *folder = h ? curl_easy_escape(h, c->sent_folder, 0) : NULL;
	CURLcode cc;

	if (!folder) {
		snprintf(error, sizeof(error), "sent copy: out of memory");
		goto out;
	}
	/* The server of imap_url (scheme, login, host and port) with the folder as the mailbox. */
	snprintf(url, sizeof(url), "%.*s/%s",
		 (int)(path ? path - c->imap_url : (long)strlen(c->imap_url)), c->imap_url, folder);
	curl_free(folder);
	common(h, c);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, source_read);
	curl_easy_setopt(h, CURLOPT_READDATA, &src);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		why(h, cc, "sent copy", error, sizeof(error));
		log_msg(LOG_WARN, "chan_mail: account %lld: reply not copied to %s: %s",
			(long long)account_id, c->sent_folder, error);
	}
out:
	if (h)
		curl_easy_cleanup(h);
	sent_note(account_id, clock_now_ms(), error);
}

/*
 * Sends raw (an RFC 5322 message) from the account c to `to` by SMTP: 0,
 * or ERR_UNPROCESSABLE for a refusal for good (5xx: no such mailbox,
 * rejected; a wrong login), ERR_BUSY for the rest, which may pass later.
 */
static int smtp_send(const struct chan_mail_config *c, const char *to, const char *raw,
		     size_t len, char *error, size_t error_size)
{
	struct source src = {raw, len};
	struct curl_slist *rcpt = NULL;
	char addr[CHAN_PEER_MAX + 3], url[800];
	CURL *h = curl_easy_init();
	CURLcode cc;
	int rc = 0;

	if (!h) {
		snprintf(error, error_size, "out of memory");
		return ERR_BUSY;
	}
	common(h, c);
	if (!c->username[0] && !c->password[0])
		curl_easy_setopt(h, CURLOPT_USERNAME,
				 NULL); /* a relay that knows the host: no AUTH */
	smtp_url(c, url, sizeof(url));
	curl_easy_setopt(h, CURLOPT_URL, url);
	snprintf(addr, sizeof(addr), "<%s>", c->address);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, addr);
	snprintf(addr, sizeof(addr), "<%s>", to);
	rcpt = curl_slist_append(NULL, addr);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, source_read);
	curl_easy_setopt(h, CURLOPT_READDATA, &src);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		long code = 0;

		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		why(h, cc, "smtp", error, error_size);
		rc = (code >= 500 && code < 600) || cc == CURLE_LOGIN_DENIED ? ERR_UNPROCESSABLE
									     : ERR_BUSY;
	}
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	return rc;
}

/* A new mail from the account c, dated now. */
static void mail_from(const struct chan_mail_config *c, struct chan_mail_out *o)
{
	memset(o, 0, sizeof(*o));
	o->from = c->address;
	o->from_name = c->from_name[0] ? c->from_name : NULL;
	o->now = clock_now_ms();
}

static int send_mail(const struct chan_outbound *m, char *ext_id, size_t ext_size, char *error,
		     size_t error_size)
{
	struct chan_mail_config c;
	struct chan_mail_out o;
	char *raw = NULL;
	size_t len = 0;
	char msgid[CHAN_EXT_ID_MAX + 1];
	int rc;

	if (chan_mail_config_parse(m->config, &c, error, error_size))
		return ERR_UNPROCESSABLE;
	mail_from(&c, &o);
	o.to = m->peer;
	o.to_name = m->peer_name && *m->peer_name ? m->peer_name : NULL;
	o.subject = m->subject;
	o.text = m->text;
	o.in_reply_to = m->in_reply_to;
	o.references = m->references;
	o.files = m->files;
	o.nfiles = m->nfiles;
	rc = chan_mail_build(&o, &raw, &len, msgid, sizeof(msgid));
	if (rc) {
		snprintf(error, error_size, "%s",
			 rc == ERR_INVALID ? "not an email address" : "out of memory");
		return rc == ERR_INVALID ? ERR_UNPROCESSABLE : ERR_BUSY;
	}
	rc = smtp_send(&c, m->peer, raw, len, error, error_size);
	if (rc == 0) {
		snprintf(ext_id, ext_size, "%s", msgid);
		if (c.sent_folder[0])
			copy_to_sent(m->account_id, &c, raw, len);
	}
	free(raw);
	return rc;
}

int chan_mail_send_file(struct store *s, const char *to, const char *subject, const char *body,
			const char *file_name, const void *bytes, size_t len, char *error,
			size_t error_size)
{
	struct chan_mail_account acc[1];
	struct chan_mail_config c;
	struct chan_file f = {file_name,
			      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			      bytes, len};
	struct chan_mail_out o;
	char *raw = NULL;
	size_t rawlen = 0;
	char msgid[CHAN_EXT_ID_MAX + 1];
	int rc = chan_mail_accounts(s, acc, 1);

	if (rc <= 0)
		return rc < 0 ? rc : ERR_NOTFOUND;
	rc = chan_mail_config_parse(acc[0].config_json, &c, error, error_size);
	free(acc[0].config_json);
	if (rc)
		return ERR_UNPROCESSABLE;
	mail_from(&c, &o);
	o.to = to;
	o.subject = subject;
	o.text = body;
	o.files = &f;
	o.nfiles = 1;
	o.fresh = 1;
	rc = chan_mail_build(&o, &raw, &rawlen, msgid, sizeof(msgid));
	if (rc) {
		snprintf(error, error_size, "%s",
			 rc == ERR_INVALID ? "not an email address" : "out of memory");
		return rc == ERR_INVALID ? ERR_UNPROCESSABLE : ERR_NOMEM;
	}
	rc = smtp_send(&c, to, raw, rawlen, error, error_size);
	free(raw);
	return rc;
}

const struct chan_adapter chan_mail_adapter = {CHAN_EMAIL, send_mail};

int chan_mail_try(const struct chan_mail_config *c, char *error, size_t error_size)
{
	struct sink body = {BUF_INIT, 1u << 20, 0};
	struct selected sel = {0, 0};
	char url[600];
	CURL *h = curl_easy_init();
	CURLcode cc;
	int rc = 0;

	if (!h)
		return ERR_NOMEM;
	mailbox_url(c, url, sizeof(url));
	common(h, c);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "NOOP");
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, selected_line);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &sel);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		why(h, cc, "imap", error, error_size);
		rc = cc == CURLE_LOGIN_DENIED ? ERR_UNPROCESSABLE : ERR_BUSY;
	}
	curl_easy_cleanup(h);
	buf_release(&body.b);
	if (rc)
		return rc;
	h = curl_easy_init();
	if (!h)
		return ERR_NOMEM;
	common(h, c);
	if (!c->username[0] && !c->password[0])
		curl_easy_setopt(h, CURLOPT_USERNAME, NULL);
	smtp_url(c, url, sizeof(url));
	curl_easy_setopt(h, CURLOPT_URL, url);
	/* The greeting, EHLO and (with a username) AUTH, then QUIT: nothing is sent. */
	curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		why(h, cc, "smtp", error, error_size);
		rc = cc == CURLE_LOGIN_DENIED ? ERR_UNPROCESSABLE : ERR_BUSY;
	}
	curl_easy_cleanup(h);
	return rc;
}
