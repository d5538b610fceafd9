/*
 * Learning from closed cases (WO-9, seed 003 Case受理规范): an archived
 * order's cause and solution written as a draft article for review. Pure
 * C, no I/O.
 */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "kb/kb.h"

/* At most max characters of s into out (never half a UTF-8 character), "…" when cut. */
static void clip(char *out, size_t size, const char *s, size_t max)
{
	size_t n = 0, o = 0, i = 0;

	while (s[i]) {
		size_t len = 1;

		while (((unsigned char)s[i + len] & 0xC0) == 0x80)
			len++;
		if (n == max || o + len + 1 > size)
			break;
		if (s[i] == '\n' || s[i] == '\r') {
			out[o++] = ' ';
		} else {
			memcpy(out + o, s + i, len);
			o += len;
		}
		i += len;
		n++;
	}
	out[o] = '\0';
	if (s[i] && o + 4 <= size)
		memcpy(out + o, "…", 4); /* with its NUL */
}

int kb_case_draft(const struct kb_case *c, struct kb_doc *d, struct buf *body)
{
	char summary[60 * 4 + 8];
	int rc;

	memset(d, 0, sizeof(*d));
	snprintf(d->kind, sizeof(d->kind), "article");
	clip(summary, sizeof(summary), c->summary, 60);
	snprintf(d->title, sizeof(d->title), "%s：%s",
		 c->complaint_name[0] ? c->complaint_name : c->class_code, summary);
	rc = buf_printf(body,
			"## 原因\n\n%s\n\n## 处理方法\n\n%s\n\n## 效果\n\n%s\n\n来源：工单 %s\n",
			c->cause, c->solution, c->effect[0] ? c->effect : "（未填写）", c->number);
	if (rc < 0)
		return ERR_NOMEM;
	d->body = buf_str(body);
	d->body_len = body->len;
	d->classes.n = 1;
	snprintf(d->classes.item[0], sizeof(d->classes.item[0]), "%s", c->class_code);
	if (c->complaint[0]) {
		d->complaints.n = 1;
		snprintf(d->complaints.item[0], sizeof(d->complaints.item[0]), "%s", c->complaint);
	}
	return 0;
}
