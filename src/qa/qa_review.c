/*
 * The review's rules (QA-1, QA-5): a scorecard's total, the must-review
 * reasons, the weekly sample, and the steps an assessment and its appeals
 * may take. Plain C: no I/O, time passed in.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "qa/qa.h"

static const char *const dimensions[QD_COUNT] = {"attitude", "quality", "skill", "efficiency",
						 "satisfaction"};

const char *qa_dimension_name(int d)
{
	return d >= 0 && d < QD_COUNT ? dimensions[d] : "unknown";
}

int qa_dimension_parse(const char *name)
{
	for (int i = 0; name && i < QD_COUNT; i++)
		if (strcmp(name, dimensions[i]) == 0)
			return i;
	return -1;
}

int qa_total(const struct qa_item *items, size_t n, const int *scores, int *total, int *fatal,
	     size_t *bad)
{
	double sum = 0;
	long wsum = 0;

	*fatal = 0;
	for (size_t i = 0; i < n; i++) {
		if (scores[i] < 0 || scores[i] > items[i].max_points) {
			*bad = i;
			return ERR_UNPROCESSABLE;
		}
		/* A fatal item failed (致命项) makes the whole assessment 0. */
		if (items[i].fatal && scores[i] == 0)
			*fatal = 1;
		sum += (double)items[i].weight * scores[i] / items[i].max_points;
		wsum += items[i].weight;
	}
	if (*fatal || wsum == 0)
		*total = 0;
	else
		*total = (int)floor(100.0 * sum / (double)wsum + 0.5);
	return 0;
}

static const char *const reasons[QR_COUNT] = {"sample",	    "new_hire",	   "complaint",
					      "escalation", "class_f",	   "low_survey",
					      "high_hits",  "fatal_check", "manual"};

const char *qa_reason_name(int r)
{
	return r >= 0 && r < QR_COUNT ? reasons[r] : "unknown";
}

int qa_reason_parse(const char *name)
{
	for (int i = 0; name && i < QR_COUNT; i++)
		if (strcmp(name, reasons[i]) == 0)
			return i;
	return QR_NONE;
}

int qa_reason_must(int r)
{
	return r >= QR_COMPLAINT && r <= QR_FATAL_CHECK;
}

int qa_must_reason(const struct qa_signals *sg, int low_survey)
{
	/* The gravest first: a fatal automatic check, then what the customer did. */
	if (sg->has_check && sg->check_fatal)
		return QR_FATAL_CHECK;
	if (sg->complaint)
		return QR_COMPLAINT;
	if (sg->escalation)
		return QR_ESCALATION;
	if (sg->class_f)
		return QR_CLASS_F;
	if (sg->has_check && sg->check_high > 0)
		return QR_HIGH_HITS;
	if (sg->survey > 0 && sg->survey <= low_survey)
		return QR_LOW_SURVEY;
	return QR_NONE;
}

size_t qa_sample_quota(const struct qa_plan *p, size_t n)
{
	size_t k;

	if (p->mode == QP_COUNT)
		k = p->count > 0 ? (size_t)p->count : 0;
	else
		k = (n * (size_t)p->ratio_pct + 99) / 100;
	return k < n ? k : n;
}

/* splitmix64: a fixed mix, so the order depends only on its input. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

struct ranked {
	uint64_t key;
	int64_t id;
};

static int ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

size_t qa_sample_pick(const int64_t *ids, size_t n, size_t taken, const struct qa_plan *p,
		      uint64_t seed, int64_t week_start, int64_t *out)
{
	size_t quota = qa_sample_quota(p, n + taken), k;
	struct ranked *r;

	if (quota <= taken || n == 0)
		return 0;
	k = quota - taken;
	if (k > n)
		k = n;
	r = malloc(n * sizeof(*r));
	if (!r)
		return 0;
	for (size_t i = 0; i < n; i++) {
		r[i].id = ids[i];
		r[i].key = mix(seed ^ mix((uint64_t)week_start) ^ mix((uint64_t)ids[i] * 31));
	}
	qsort(r, n, sizeof(*r), ranked_cmp);
	for (size_t i = 0; i < k; i++)
		out[i] = r[i].id;
	free(r);
	return k;
}

/* Day of the week of a YYYYMMDD, Monday 0 (Sakamoto's method). */
static int weekday_mon0(int ymd)
{
	static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
	int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;

	if (m < 3)
		y--;
	return ((y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7 + 6) % 7;
}

int64_t qa_week_start(int64_t t)
{
	int64_t day = clock_day_start(t);

	for (int back = weekday_mon0(clock_local_ymd(t)); back > 0; back--)
		day = clock_day_start(day - 1);
	return day;
}

int qa_new_hire(int64_t created_at, int64_t week_end, int new_hire_days)
{
	return created_at > week_end - (int64_t)new_hire_days * 86400000;
}

int qa_step_check(const char *state, enum qa_step step, int appeals, int64_t appeal_until,
		  int64_t now, const char **why)
{
	int open = strcmp(state, "open") == 0 || strcmp(state, "draft") == 0;

	switch (step) {
	case QS_EDIT:
	case QS_CLOSE:
		if (open)
			return 0;
		*why = "the assessment is closed";
		return ERR_CONFLICT;
	case QS_APPEAL:
		if (open)
			*why = "the assessment is not closed yet";
		else if (strcmp(state, "appealed") == 0)
			*why = "an appeal is pending";
		else if (appeals >= 2)
			*why = "both appeals have been made";
		else if (now >= appeal_until)
			*why = "the appeal window has passed";
		else
			return 0;
		return ERR_CONFLICT;
	case QS_DECIDE:
		if (strcmp(state, "appealed") == 0)
			return 0;
		*why = "no appeal is pending";
		return ERR_CONFLICT;
	}
	*why = "no appeal is pending";
	return ERR_CONFLICT;
}

static const char *const decisions[] = {"upheld", "changed", "rejected"};

const char *qa_decision_name(int d)
{
	return d >= 0 && d < 3 ? decisions[d] : "unknown";
}

int qa_decision_parse(const char *name)
{
	for (int i = 0; name && i < 3; i++)
		if (strcmp(name, decisions[i]) == 0)
			return i;
	return -1;
}

int qa_decided_score(int decision, int old_score, int new_score)
{
	return decision == QDEC_CHANGED ? new_score : old_score;
}
