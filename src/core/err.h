/*
 * err — the one error enum of kefu.
 *
 * Every function that can fail returns 0 or a negative code from this enum.
 * The HTTP layer maps each code to one status (err_http_status), so a module
 * deep in the stack decides *what* went wrong and never *how* it is shown.
 */
#ifndef KEFU_CORE_ERR_H
#define KEFU_CORE_ERR_H

#include <stddef.h>

enum err {
	ERR_OK = 0,
	ERR_INVALID = -1,	   /* malformed request: 400 */
	ERR_AUTH = -2,		   /* not authenticated: 401 */
	ERR_FORBIDDEN = -3,	   /* authenticated but not allowed: 403 */
	ERR_NOTFOUND = -4,	   /* no such record or route: 404 */
	ERR_CONFLICT = -5,	   /* state or uniqueness conflict: 409 */
	ERR_TOOBIG = -6,	   /* body or field over its limit: 413 */
	ERR_UNPROCESSABLE = -7,	   /* well-formed but breaks a rule: 422 */
	ERR_THROTTLED = -8,	   /* too many attempts: 429 */
	ERR_NOMEM = -9,		   /* out of memory: 500 */
	ERR_IO = -10,		   /* storage or system failure: 500 */
	ERR_BUSY = -11,		   /* database busy past its timeout: 503 */
	ERR_METHOD = -12,	   /* route exists, method does not: 405 */
	ERR_PASSWORD_CHANGE = -13, /* logged in on an initial password: change it first, 403 */
};

/* Further field errors kept beside the first (err_add). */
#define ERR_MORE_MAX 7
#define ERR_MSG_MAX 256    /* bytes of an English message */
#define ERR_MSG_ZH_MAX 384 /* bytes of its zh-CN form: three bytes a character */

struct err_more {
	char field[64];
	char message[ERR_MSG_MAX];
	char message_zh[ERR_MSG_ZH_MAX];
};

/*
 * What a rule or store function tells its caller beyond the code: which
 * input field was wrong and why, in words a person can act on. The API
 * layer copies it into the JSON error body. message is English (logs, the
 * CLI); message_zh is the same in Chinese, from the catalogue in
 * err_msg.c. A validator that checks several fields (err_add) keeps the
 * first error in field/message and the others in more[].
 */
struct err_info {
	char field[64];
	char message[ERR_MSG_MAX];
	char message_zh[ERR_MSG_ZH_MAX];
	int nmore;
	struct err_more more[ERR_MORE_MAX];
};

/* Fills info (when not NULL) and returns code, for one-line error returns.
 * fmt must be a literal with an entry in the catalogue (err_msg.c). */
int err_set(struct err_info *info, int code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * One field error of a validation that goes on to check the other fields,
 * so a form can show them all at once: with rc 0 (no error yet) it is
 * err_set and returns code; otherwise it adds the field's error beside the
 * earlier ones (once per field, up to ERR_MORE_MAX) and returns rc, the
 * first error's code. Use it as rc = err_add(ei, rc, ...).
 */
int err_add(struct err_info *info, int rc, int code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * The message catalogue (err_msg.c): the zh-CN template of an English
 * err_set template, with the same conversion specifiers in the same order,
 * preferring the entry for this field; NULL when there is none.
 */
const char *err_msg_zh(const char *fmt, const char *field);
/* The zh-CN form of a word or phrase passed as a %s argument (a field
 * name, a state, a reason a rule gave), or NULL. */
const char *err_phrase_zh(const char *en);
/*
 * 1 when an Accept-Language header asks for English rather than Chinese
 * (by q-value; of equal ones the first listed), 0 otherwise: zh-CN is the default.
 */
int err_lang_english(const char *accept_language);
/* Fills out with the conversion specifiers of fmt, joined ("%s%lld"); -1
 * when fmt has one err_set cannot take (width or precision from '*'). */
int err_fmt_specs(const char *fmt, char *out, size_t size);

/* A stable lower-case identifier for the code, used in JSON error bodies. */
const char *err_name(int code);

/* The HTTP status a code is answered with. */
unsigned err_http_status(int code);

#endif
