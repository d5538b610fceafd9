/*
 * Internal to the hotline settings' HTTP side (ivr_api.c, ivr_notice_api.c):
 * the helpers both use, so that the menu, the hours and the announcements
 * read, check and audit alike.
 */
#ifndef KEFU_IVR_IVR_API_INT_H
#define KEFU_IVR_IVR_API_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct req;

/* 0 when the person may read the hotline's settings (the manager, the
 * admin, whoever watches the agents), else the denial (audited). */
int ivr_api_may_read(struct req *r);
/* A JSON string, or null for "". */
json_t *ivr_api_opt_text(const char *s);
/* Adds [old, now] under key when they differ; steals both. */
void ivr_api_note_change(json_t *changes, const char *key, json_t *old, json_t *now);
/* 409 when the body's "version" (optional) is not the stored one. */
int ivr_api_version_check(struct req *r, int64_t stored);
/* A string field of obj at path: absent leaves dst alone (400 when
 * required), a wrong type is 400, a value too long for dst 422 (why). */
int ivr_api_text_field(struct req *r, json_t *obj, const char *path, const char *key, int required,
		       char *dst, size_t size, const char *why);

#endif
