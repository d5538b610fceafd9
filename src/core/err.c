#include "core/err.h"
#include "core/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The most conversions one template has; the catalogue test keeps to it. */
#define ERR_ARGS_MAX 8

/* One conversion of a template and the argument it took. */
struct err_arg {
	char spec[16]; /* "%lld", "%.40s" */
	char conv;     /* d, u, s, ... */
	char len;      /* 0, 'h', 'l', 'L' (ll), 'z' */
	union {
		long long i;
		unsigned long long u;
		const char *s;
		double d;
	} v;
};

/*
 * Reads the conversion at fmt (just past '%'): copies it into spec and
 * returns its length, or -1 for one err_set does not take.
 */
static int parse_spec(const char *fmt, struct err_arg *a)
{
	const char *p = fmt;
	size_t n;

	a->len = 0;
	while (*p && strchr("-+ #0", *p))
		p++;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'h') {
		a->len = 'h';
		p += p[1] == 'h' ? 2 : 1;
	} else if (*p == 'l') {
		a->len = p[1] == 'l' ? 'L' : 'l';
		p += p[1] == 'l' ? 2 : 1;
	} else if (*p == 'z') {
		a->len = 'z';
		p++;
	}
	if (!*p || !strchr("diuxXocs", *p))
		return -1;
	a->conv = *p++;
	n = (size_t)(p - fmt);
	if (n + 2 > sizeof(a->spec))
		return -1;
	a->spec[0] = '%';
	memcpy(a->spec + 1, fmt, n);
	a->spec[n + 1] = '\0';
	return (int)n;
}

int err_fmt_specs(const char *fmt, char *out, size_t size)
{
	struct err_arg a;
	size_t used = 0;

	if (size)
		out[0] = '\0';
	for (const char *p = fmt; *p; p++) {
		int n;

		if (*p != '%')
			continue;
		if (p[1] == '%') {
			p++;
			continue;
		}
		n = parse_spec(p + 1, &a);
		if (n < 0)
			return -1;
		if (used + strlen(a.spec) + 1 > size)
			return -1;
		memcpy(out + used, a.spec, strlen(a.spec) + 1);
		used += strlen(a.spec);
		p += n;
	}
	return 0;
}

/* Takes the arguments of fmt's conversions off ap; their count, or -1. */
static int take_args(const char *fmt, va_list ap, struct err_arg *args)
{
	int n = 0;

	for (const char *p = fmt; *p; p++) {
		struct err_arg *a = &args[n];
		int len;

		if (*p != '%')
			continue;
		if (p[1] == '%') {
			p++;
			continue;
		}
		if (n == ERR_ARGS_MAX || (len = parse_spec(p + 1, a)) < 0)
			return -1;
		p += len;
		n++;
		if (a->conv == 's') {
			a->v.s = va_arg(ap, const char *);
		} else if (a->conv == 'd' || a->conv == 'i' || a->conv == 'c') {
			if (a->len == 'L')
				a->v.i = va_arg(ap, long long);
			else if (a->len == 'l')
				a->v.i = va_arg(ap, long);
			else if (a->len == 'z')
				a->v.i = (long long)va_arg(ap, size_t);
			else
				a->v.i = va_arg(ap, int);
		} else {
			if (a->len == 'L')
				a->v.u = va_arg(ap, unsigned long long);
			else if (a->len == 'l')
				a->v.u = va_arg(ap, unsigned long);
			else if (a->len == 'z')
				a->v.u = va_arg(ap, size_t);
			else
				a->v.u = va_arg(ap, unsigned);
		}
	}
	return n;
}

/* Formats one argument by its own conversion into out. */
static void put_arg(char *out, size_t size, const struct err_arg *a)
{
	char spec[24];
	size_t n = 1;

	/* Flags, width and precision as written; the value was widened when
	 * taken, so it is printed with ll. */
	spec[0] = '%';
	for (const char *p = a->spec + 1; *p && !strchr("hlzdiuxXocs", *p); p++)
		spec[n++] = *p;
	if (a->conv != 's' && a->conv != 'c') {
		spec[n++] = 'l';
		spec[n++] = 'l';
	}
	spec[n++] = a->conv;
	spec[n] = '\0';
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (a->conv == 's') {
		const char *zh = a->v.s ? err_phrase_zh(a->v.s) : NULL;

		snprintf(out, size, spec, zh ? zh : a->v.s ? a->v.s : "");
	} else if (a->conv == 'c') {
		snprintf(out, size, spec, (int)a->v.i);
	} else if (a->conv == 'd' || a->conv == 'i') {
		snprintf(out, size, spec, a->v.i);
	} else {
		snprintf(out, size, spec, a->v.u);
	}
#pragma GCC diagnostic pop
}

/*
 * Writes the zh-CN template with the arguments taken by the English one:
 * the k-th conversion of zh prints the k-th argument. Words passed as %s
 * that the catalogue knows (field names, states) are put in Chinese too.
 */
static void render(char *out, size_t size, const char *zh, const struct err_arg *args, int nargs)
{
	size_t used = 0;
	int k = 0;

	for (const char *p = zh; *p && used + 1 < size; p++) {
		char piece[ERR_MSG_ZH_MAX];
		size_t len;
		struct err_arg a;
		int n;

		if (*p != '%' || p[1] == '%') {
			if (*p == '%')
				p++;
			out[used++] = *p;
			continue;
		}
		n = parse_spec(p + 1, &a);
		if (n < 0 || k >= nargs)
			break;
		p += n;
		put_arg(piece, sizeof(piece), &args[k++]);
		len = strlen(piece);
		if (used + len + 1 > size)
			len = size - used - 1;
		memcpy(out + used, piece, len);
		used += len;
	}
	out[used] = '\0';
	utf8_trim_partial(out);
}

/* Formats fmt in both languages; zh falls back to the English text. */
static void format_both(char *en, size_t en_size, char *zh, size_t zh_size, const char *field,
			const char *fmt, va_list ap)
{
	struct err_arg args[ERR_ARGS_MAX];
	const char *zfmt = err_msg_zh(fmt, field);
	va_list copy;
	int nargs;

	va_copy(copy, ap);
	vsnprintf(en, en_size, fmt, ap);
	/* Both end up in JSON, which must be valid UTF-8 even when cut short. */
	utf8_trim_partial(en);
	nargs = zfmt ? take_args(fmt, copy, args) : -1;
	va_end(copy);
	if (nargs >= 0)
		render(zh, zh_size, zfmt, args, nargs);
	else
		snprintf(zh, zh_size, "%s", en);
}

int err_set(struct err_info *info, int code, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!info)
		return code;
	snprintf(info->field, sizeof(info->field), "%s", field ? field : "");
	utf8_trim_partial(info->field);
	info->nmore = 0;
	va_start(ap, fmt);
	format_both(info->message, sizeof(info->message), info->message_zh,
		    sizeof(info->message_zh), info->field, fmt, ap);
	va_end(ap);
	return code;
}

int err_add(struct err_info *info, int rc, int code, const char *field, const char *fmt, ...)
{
	struct err_more *m;
	va_list ap;

	if (!info)
		return rc ? rc : code;
	field = field ? field : "";
	if (rc == 0) {
		snprintf(info->field, sizeof(info->field), "%s", field);
		utf8_trim_partial(info->field);
		info->nmore = 0;
		m = NULL;
	} else {
		/* One message a field: the first found is the one to fix first. */
		if (strcmp(info->field, field) == 0 || info->nmore == ERR_MORE_MAX)
			return rc;
		for (int i = 0; i < info->nmore; i++)
			if (strcmp(info->more[i].field, field) == 0)
				return rc;
		m = &info->more[info->nmore++];
		snprintf(m->field, sizeof(m->field), "%s", field);
		utf8_trim_partial(m->field);
	}
	va_start(ap, fmt);
	if (m)
		format_both(m->message, sizeof(m->message), m->message_zh, sizeof(m->message_zh),
			    m->field, fmt, ap);
	else
		format_both(info->message, sizeof(info->message), info->message_zh,
			    sizeof(info->message_zh), info->field, fmt, ap);
	va_end(ap);
	return rc ? rc : code;
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
