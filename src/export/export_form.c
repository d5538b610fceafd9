/*
 * The registry of the center's forms (export.h tells what a form is). It is
 * filled once at start-up, before any thread reads it, and only read after.
 */
#include <assert.h>
#include <string.h>

#include "core/err.h"
#include "export/export.h"

static const struct export_form *forms[EXPORT_FORMS_MAX];
static int nforms;

int export_form_add(const struct export_form *f)
{
	assert(f && f->code && f->title && f->title_en && f->build);
	if (export_form_find(f->code))
		return ERR_CONFLICT;
	if (nforms == EXPORT_FORMS_MAX)
		return ERR_TOOBIG;
	forms[nforms++] = f;
	return 0;
}

const struct export_form *export_form_find(const char *code)
{
	for (int i = 0; i < nforms; i++)
		if (strcmp(forms[i]->code, code) == 0)
			return forms[i];
	return NULL;
}

int export_form_count(void)
{
	return nforms;
}

const struct export_form *export_form_at(int i)
{
	assert(i >= 0 && i < nforms);
	return forms[i];
}
