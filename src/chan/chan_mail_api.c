/*
 * The email channel's HTTP (chan_mail.h): an email account's config
 * checked field by field with each message in English and zh-CN (for the
 * accounts' API of the core, chan_mail_config_validate), and POST
 * /api/chan/accounts/{id}/test, which tries the account's IMAP and SMTP
 * servers with its stored config and answers what failed; and an email
 * account's fetch state as the accounts' JSON shows it. Trying changes
 * nothing, so it is not audited; it may take up to 20 s (two 10 s bounds).
 */
#include "chan/chan_mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth/auth.h"
#include "core/err.h"
#include "http/http.h"

int chan_mail_config_validate(const char *json, struct err_info *ei)
{
	struct chan_mail_config c;
	char why[160];

	if (chan_mail_config_parse(json, &c, why, sizeof(why)) == 0)
		return 0;
	/* The checks' reasons (chan_mail.c), each with its field and its Chinese form. */
	if (!strcmp(why, "imap_url must be imap://host[:port]/MAILBOX or imaps://"))
		return err_set(ei, ERR_UNPROCESSABLE, "config.imap_url",
			       "imap_url must be imap://host[:port]/MAILBOX or imaps://");
	if (!strcmp(why, "smtp_url must be smtp://host[:port] or smtps://"))
		return err_set(ei, ERR_UNPROCESSABLE, "config.smtp_url",
			       "smtp_url must be smtp://host[:port] or smtps://");
	if (!strcmp(why, "address must be an email address"))
		return err_set(ei, ERR_UNPROCESSABLE, "config.address",
			       "address must be an email address");
	if (!strcmp(why, "poll_sec must be between 5 and 3600"))
		return err_set(ei, ERR_UNPROCESSABLE, "config.poll_sec",
			       "poll_sec must be between 5 and 3600");
	if (!strcmp(why, "tls must be try, require or none"))
		return err_set(ei, ERR_UNPROCESSABLE, "config.tls",
			       "tls must be try, require or none");
	if (!strcmp(why, "sent_folder must be a mailbox name of at most 200 bytes"))
		return err_set(ei, ERR_UNPROCESSABLE, "config.sent_folder",
			       "sent_folder must be a mailbox name of at most 200 bytes");
	if (!strcmp(why, "a URL must not contain spaces"))
		return err_set(ei, ERR_UNPROCESSABLE, "config", "a URL must not contain spaces");
	return err_set(ei, ERR_UNPROCESSABLE, "config", "config is not a JSON object");
}

static json_t *ref(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

struct json_t *chan_mail_state_json(struct store *s, int64_t account_id)
{
	struct chan_mail_state ms;

	if (chan_mail_state_get(s, account_id, &ms))
		return NULL;
	return json_pack("{s:o, s:o, s:s, s:i, s:I, s:I, s:I, s:I, s:o, s:s}", "last_fetch_at",
			 ref(ms.updated_at), "next_poll_at", ref(ms.next_poll_at), "last_error",
			 ms.last_error, "failures", ms.failures, "uidvalidity",
			 (json_int_t)ms.uidvalidity, "last_uid", (json_int_t)ms.last_uid, "fetched",
			 (json_int_t)ms.fetched, "skipped", (json_int_t)ms.skipped, "sent_at",
			 ref(ms.sent_at), "sent_error", ms.sent_error);
}

static int account_test(struct req *r)
{
	struct chan_account *a = malloc(sizeof(*a));
	struct chan_mail_config c;
	char why[160], error[300] = "";
	int64_t id;
	int rc = a ? req_param_id(r, 0, &id) : ERR_NOMEM;

	if (rc == 0)
		rc = chan_account_get(r->store, id, a);
	if (rc == ERR_NOTFOUND)
		rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "no such channel account");
	if (rc == 0 && strcmp(a->channel, "email"))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "channel",
			     "only an email account can be tried");
	if (rc == 0 && chan_mail_config_parse(a->config, &c, why, sizeof(why)))
		rc = chan_mail_config_validate(a->config, &r->ei);
	free(a);
	if (rc)
		return rc;
	/* A server that does not answer is the answer, not an error of this request. */
	rc = chan_mail_try(&c, error, sizeof(error));
	return reply_json(r, 200, json_pack("{s:b, s:s}", "ok", rc == 0, "error", error));
}

const struct route chan_mail_routes[] = {
	{"POST", "/api/chan/accounts/{id}/test", account_test, ACT_CHAN_MANAGE},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
