#include <assert.h>
#include <stddef.h>

#include "audit/audit.h"

/*
 * The detail is written straight into a buffer with core/jw: compact, no
 * spaces, keys in the order given, strings escaped as JSON requires and
 * UTF-8 passed through, the way jansson's compact dump wrote them before.
 */

void audit_detail_init(struct audit_detail *d)
{
	buf_init(&d->b);
	jw_init(&d->w, &d->b);
	d->closed = 0;
	jw_object_begin(&d->w);
}

void audit_detail_str(struct audit_detail *d, const char *key, const char *v)
{
	assert(!d->closed);
	jw_key(&d->w, key);
	if (v)
		jw_str(&d->w, v);
	else
		jw_null(&d->w);
}

void audit_detail_int(struct audit_detail *d, const char *key, int64_t v)
{
	assert(!d->closed);
	jw_key(&d->w, key);
	jw_int(&d->w, v);
}

void audit_detail_id(struct audit_detail *d, const char *key, int64_t v)
{
	assert(!d->closed);
	jw_key(&d->w, key);
	jw_id(&d->w, v);
}

void audit_detail_bool(struct audit_detail *d, const char *key, int v)
{
	assert(!d->closed);
	jw_key(&d->w, key);
	jw_bool(&d->w, v);
}

void audit_detail_raw(struct audit_detail *d, const char *key, const char *json)
{
	assert(!d->closed);
	jw_key(&d->w, key);
	jw_raw(&d->w, json);
}

const char *audit_detail_text(struct audit_detail *d)
{
	if (!d->closed) {
		jw_object_end(&d->w);
		d->closed = 1;
	}
	return d->w.rc == 0 ? buf_str(&d->b) : NULL;
}

void audit_detail_release(struct audit_detail *d)
{
	buf_release(&d->b);
}

int audit_append_detail(struct store *s, const struct audit_actor *who, int64_t now,
			const char *action, const char *entity, int64_t entity_id,
			const char *outcome, struct audit_detail *d)
{
	int rc = audit_append(s, who, now, action, entity, entity_id, outcome,
			      d ? audit_detail_text(d) : NULL);

	if (d)
		audit_detail_release(d);
	return rc;
}
