/*
 * err — the one error enum of kefu.
 *
 * Every function that can fail returns 0 or a negative code from this enum.
 * The HTTP layer maps each code to one status (err_http_status), so a module
 * deep in the stack decides *what* went wrong and never *how* it is shown.
 */
#ifndef KEFU_CORE_ERR_H
#define KEFU_CORE_ERR_H

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

/*
 * What a rule or store function tells its caller beyond the code: which
 * input field was wrong and why, in words a person can act on. The API
 * layer copies it into the JSON error body.
 */
struct err_info {
	char field[64];
	char message[256];
};

/* Fills info (when not NULL) and returns code, for one-line error returns. */
int err_set(struct err_info *info, int code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A stable lower-case identifier for the code, used in JSON error bodies. */
const char *err_name(int code);

/* The HTTP status a code is answered with. */
unsigned err_http_status(int code);

#endif
