#include "core/err.h"
#include "core/utf8.h"

#include <stdarg.h>
#include <stdio.h>

int err_set(struct err_info *info, int code, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!info)
		return code;
	snprintf(info->field, sizeof(info->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(info->message, sizeof(info->message), fmt, ap);
	va_end(ap);
	/* Both end up in JSON, which must be valid UTF-8 even when cut short. */
	utf8_trim_partial(info->field);
	utf8_trim_partial(info->message);
	return code;
}

const char *err_name(int code)
{
	switch (code) {
	case ERR_OK: return "ok";
	case ERR_INVALID: return "bad_request";
	case ERR_AUTH: return "unauthenticated";
	case ERR_FORBIDDEN: return "forbidden";
	case ERR_NOTFOUND: return "not_found";
	case ERR_CONFLICT: return "conflict";
	case ERR_TOOBIG: return "too_large";
	case ERR_UNPROCESSABLE: return "unprocessable";
	case ERR_THROTTLED: return "too_many_requests";
	case ERR_NOMEM: return "out_of_memory";
	case ERR_IO: return "internal";
	case ERR_BUSY: return "busy";
	case ERR_METHOD: return "method_not_allowed";
	case ERR_PASSWORD_CHANGE:
		return "password_change_required";
	}
	return "internal";
}

unsigned err_http_status(int code)
{
	switch (code) {
	case ERR_OK: return 200;
	case ERR_INVALID: return 400;
	case ERR_AUTH: return 401;
	case ERR_FORBIDDEN: return 403;
	case ERR_PASSWORD_CHANGE:
		return 403;
	case ERR_NOTFOUND: return 404;
	case ERR_METHOD: return 405;
	case ERR_CONFLICT: return 409;
	case ERR_TOOBIG: return 413;
	case ERR_UNPROCESSABLE: return 422;
	case ERR_THROTTLED: return 429;
	case ERR_BUSY: return 503;
	}
	return 500;
}
