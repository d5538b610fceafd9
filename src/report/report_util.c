/*
 * What the report pages of issue 20 share: the growth of the arrays the
 * reports tally into, a period's buckets, a date's text. (A registered
 * form's download for a request is report_form_xlsx, report_form_api.c.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

int report_grow(void **v, int *cap, int n, size_t size)
{
	void *p;
	int want;

	if (n < *cap)
		return 0;
	want = *cap ? *cap * 2 : 16;
	p = realloc(*v, size * (size_t)want);
	if (!p)
		return ERR_NOMEM;
	*v = p;
	*cap = want;
	return 0;
}

int report_buckets(int from_ymd, int to_ymd, enum report_group g, int **out)
{
	int *v = malloc(sizeof(int) * (size_t)report_ymd_count(from_ymd, to_ymd)), n = 0;

	*out = v;
	if (!v)
		return ERR_NOMEM;
	for (int ymd = from_ymd; ymd <= to_ymd; ymd = report_ymd_next(ymd)) {
		int b = report_bucket(ymd, g);

		if (!n || v[n - 1] != b)
			v[n++] = b;
	}
	return n;
}

void report_ymd_text(int ymd, char *out, size_t size)
{
	snprintf(out, size, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
}
