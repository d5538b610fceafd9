/*
 * trn's rules (no I/O): the kinds of question and how an answer is
 * compared with its key, the seeded draw of a paper, the practical's items,
 * the exam's clock, the plan's due date (TRN-3) and what certification
 * needs (ORG-4).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "perf/perf.h"
#include "trn/trn.h"

#define DAY_MS 86400000LL

static const char *const kind_names[TRN_KIND_COUNT] = {"single", "multiple", "truefalse", "fill",
						       "short"};

const char *const trn_item_names[TRN_ITEMS] = {"voice", "tone", "speed", "fluency", "reactions"};

int trn_kind_parse(const char *name)
{
	for (int i = 0; name && i < TRN_KIND_COUNT; i++)
		if (strcmp(name, kind_names[i]) == 0)
			return i;
	return -1;
}

const char *trn_kind_name(int kind)
{
	return kind >= 0 && kind < TRN_KIND_COUNT ? kind_names[kind] : "";
}

int trn_kind_objective(int kind)
{
	return kind >= 0 && kind < TRN_KIND_COUNT && kind != TRN_SHORT;
}

/* The set of option letters A..Z in s as bits; -1 for anything else but blanks and commas. */
static long letters(const char *s)
{
	long bits = 0;

	for (; *s; s++) {
		int c = toupper((unsigned char)*s);

		if (c >= 'A' && c <= 'Z')
			bits |= 1L << (c - 'A');
		else if (c != ' ' && c != ',')
			return -1;
	}
	return bits;
}

/* s[0..n) without the blanks around it equals t without its own. */
static int same_trimmed(const char *s, size_t n, const char *t)
{
	size_t m = strlen(t);

	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	while (m && isspace((unsigned char)*t))
		t++, m--;
	while (m && isspace((unsigned char)t[m - 1]))
		m--;
	return n == m && memcmp(s, t, n) == 0;
}

/* TRN-2: the written exam's objective questions are marked by kefu itself. */
int trn_answer_right(int kind, const char *key, const char *answer)
{
	long k, a;

	if (!key || !answer || !*answer)
		return 0;
	switch (kind) {
	case TRN_SINGLE:
	case TRN_MULTIPLE:
		k = letters(key);
		a = letters(answer);
		/* A single choice is one letter; a multiple one all and only the right letters. */
		if (kind == TRN_SINGLE && (a & (a - 1)) != 0)
			return 0;
		return k > 0 && a == k;
	case TRN_TRUEFALSE:
		return strcmp(key, answer) == 0 &&
		       (strcmp(key, "true") == 0 || strcmp(key, "false") == 0);
	case TRN_FILL:
		/* Any of the key's alternatives, "|" between them. */
		for (const char *p = key;;) {
			const char *bar = strchr(p, '|');
			size_t n = bar ? (size_t)(bar - p) : strlen(p);

			if (n && same_trimmed(p, n, answer))
				return 1;
			if (!bar)
				return 0;
			p = bar + 1;
		}
	default:
		return 0;
	}
}

/* xorshift64*: small, fixed across platforms, so a paper's seed redraws it. */
static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 2685821657736338717ULL;
}

/* TRN-2: a paper drawn by its rule from the bank; the same seed, the same paper. */
int trn_draw(const int64_t *cand, int ncand, int n, uint64_t seed, int64_t *out)
{
	uint64_t x = seed ? seed : 0x9E3779B97F4A7C15ULL;

	if (n < 0 || ncand < n)
		return ERR_UNPROCESSABLE;
	memcpy(out, cand, (size_t)ncand * sizeof(*out));
	/* The first n steps of Fisher–Yates give n distinct picks in a random order. */
	for (int i = 0; i < n; i++) {
		int j = i + (int)(next_rand(&x) % (uint64_t)(ncand - i));
		int64_t t = out[i];

		out[i] = out[j];
		out[j] = t;
	}
	return 0;
}

double trn_percent(int got, int total)
{
	return total > 0 ? 100.0 * got / total : 0;
}

/* TRN-2: the practical's items (voice, tone, answer speed, fluency, reactions). */
int trn_items_check(const int items[TRN_ITEMS])
{
	for (int i = 0; i < TRN_ITEMS; i++)
		if (items[i] < 0 || items[i] > TRN_ITEM_MAX)
			return i + 1;
	return 0;
}

int trn_items_total(const int items[TRN_ITEMS])
{
	int t = 0;

	for (int i = 0; i < TRN_ITEMS; i++)
		t += items[i];
	return t;
}

/* TRN-2: an online exam takes answers only until its deadline. */
int trn_exam_open(int64_t deadline_at, int64_t now)
{
	return now < deadline_at;
}

/* Local midnight of a civil date (as perf's months: noon UTC lies in that local day). */
static int64_t midnight(int y, int m, int d)
{
	return clock_day_start(clock_days_from_civil(y, m, d) * DAY_MS + DAY_MS / 2);
}

static int64_t day_of_month_before(const char *month, int day)
{
	int y = 0, m = 0;

	if (!perf_month_valid(month) || sscanf(month, "%4d-%2d", &y, &m) != 2)
		return 0;
	if (--m == 0) {
		m = 12;
		y--;
	}
	return midnight(y, m, day);
}

int64_t trn_plan_due(const char *month)
{
	return day_of_month_before(month, 28);
}

int64_t trn_plan_remind_from(const char *month)
{
	return day_of_month_before(month, 25);
}

void trn_next_month(int64_t now, char out[8])
{
	int64_t from, to;

	perf_month_of(now, out);
	perf_month_range(out, &from, &to);
	perf_month_of(to, out);
}

int trn_certify_check(int written_passed, int practical_passed, int already, const char **why)
{
	if (already)
		*why = "already certified for duty";
	else if (!written_passed)
		*why = "no passed written exam yet";
	else if (!practical_passed)
		*why = "no passed practical exam yet";
	else
		return 0;
	return ERR_CONFLICT;
}
