/*
 * The daily answer-rate test's rules (每日接通率测试表, LED-2; out.h tells
 * how the test works): the schedule's times as text, which scheduled times
 * are due at `now` in the center's zone, and the sheet's figures. No I/O,
 * no SQL, no JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "ivr/ivr.h"
#include "out/out.h"

int out_test_time_parse(const char *s)
{
	int m = out_hhmm_parse(s);

	/* A time of day to call at: 24:00 is tomorrow's 00:00, not today's. */
	return m >= 24 * 60 ? -1 : m;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int out_test_times_parse(const char *text, struct out_test_schedule *sch)
{
	const char *p = text ? text : "";
	int n = 0;

	while (*p) {
		char item[8];
		size_t len;
		int m;

		while (*p == ' ')
			p++;
		len = strcspn(p, ",");
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len == 0 && !*p)
			break;
		if (len == 0 || len >= sizeof(item))
			return ERR_INVALID;
		memcpy(item, p, len);
		item[len] = '\0';
		m = out_test_time_parse(item);
		if (m < 0)
			return ERR_INVALID;
		if (n == OUT_TEST_TIMES_MAX)
			return ERR_TOOBIG;
		for (int i = 0; i < n; i++)
			if (sch->times[i] == m)
				return ERR_CONFLICT;
		sch->times[n++] = m;
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	qsort(sch->times, (size_t)n, sizeof(int), cmp_int);
	sch->ntimes = n;
	return 0;
}

void out_test_times_text(const struct out_test_schedule *sch, char *out, size_t size)
{
	size_t at = 0;

	if (size)
		out[0] = '\0';
	for (int i = 0; i < sch->ntimes && at < size; i++) {
		int w = snprintf(out + at, size - at, "%s%02d:%02d", i ? "," : "",
				 sch->times[i] / 60, sch->times[i] % 60);

		if (w < 0)
			return;
		at += (size_t)w;
	}
}

int out_test_keys_valid(const char *keys)
{
	size_t n;

	if (!keys)
		return 0;
	n = strlen(keys);
	if (n > OUT_TEST_KEYS_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((keys[i] >= '0' && keys[i] <= '9') || keys[i] == '*' || keys[i] == '#'))
			return 0;
	return 1;
}

/* LED-2: the times of the local day starting at day0 that are due at now. */
static int due_on(const struct out_test_schedule *sch, int64_t day0, int64_t now,
		  struct out_test_slot *out, int n, int max)
{
	int ymd = clock_local_ymd(day0);

	for (int i = 0; i < sch->ntimes && n < max; i++) {
		int64_t t = day0 + (int64_t)sch->times[i] * 60000;

		if (t <= now && now < t + OUT_TEST_GRACE_MS) {
			out[n].day = ymd;
			out[n].minute = sch->times[i];
			out[n].at = t;
			n++;
		}
	}
	return n;
}

int out_test_due(const struct out_test_schedule *sch, int64_t now, struct out_test_slot *out,
		 int max)
{
	int64_t today = clock_day_start(now);
	int n = 0;

	if (!sch->enabled)
		return 0;
	/* Yesterday's last times, just after midnight, first: oldest first. */
	n = due_on(sch, clock_day_start(today - 1), now, out, n, max);
	return due_on(sch, today, now, out, n, max);
}

int64_t out_test_next(const struct out_test_schedule *sch, int64_t now)
{
	int64_t today = clock_day_start(now);

	if (!sch->enabled || sch->ntimes == 0)
		return 0;
	for (int i = 0; i < sch->ntimes; i++) {
		int64_t t = today + (int64_t)sch->times[i] * 60000;

		if (t > now)
			return t;
	}
	return clock_day_end(now) + (int64_t)sch->times[0] * 60000;
}

enum out_test_verdict out_test_verdict(const char *state, const char *result)
{
	if (result && !strcmp(result, "answered"))
		return OUT_TEST_ANSWERED;
	if (!state || strcmp(state, "ended") != 0)
		return OUT_TEST_PENDING;
	if (result && !strcmp(result, "no_answer"))
		return OUT_TEST_NOT_ANSWERED;
	return OUT_TEST_FAILED;
}

const char *out_test_verdict_name(enum out_test_verdict v)
{
	static const char *const names[] = {"pending", "answered", "not_answered", "failed"};

	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "pending";
}

int64_t out_test_answer_ms(const struct out_test_row *r)
{
	if (out_test_verdict(r->state, r->result) != OUT_TEST_ANSWERED || !r->connected_at ||
	    !r->started_at || r->connected_at < r->started_at)
		return -1;
	return r->connected_at - r->started_at;
}

void out_test_tally_add(struct out_test_tally *t, const struct out_test_row *r)
{
	int64_t ms = out_test_answer_ms(r);

	t->tests++;
	switch (out_test_verdict(r->state, r->result)) {
	case OUT_TEST_ANSWERED:
		t->answered++;
		break;
	case OUT_TEST_NOT_ANSWERED:
		t->not_answered++;
		break;
	case OUT_TEST_FAILED:
		t->failed++;
		break;
	default:
		t->pending++;
	}
	if (ms >= 0) {
		t->answer_ms += ms;
		t->timed++;
	}
}

int out_test_rate_bp(const struct out_test_tally *t)
{
	int64_t den = (int64_t)t->answered + t->not_answered;

	if (den <= 0)
		return -1;
	return (int)(((int64_t)t->answered * 20000 + den) / (2 * den));
}

int64_t out_test_mean_ms(const struct out_test_tally *t)
{
	if (t->timed <= 0)
		return -1;
	return (t->answer_ms + t->timed / 2) / t->timed;
}

int out_test_route(const struct ivr_menu *m, const char *keys, char *queue, size_t size)
{
	struct ivr v;
	struct ivr_action a;
	const char *k = keys ? keys : "";
	int64_t now = 0;

	/* The caller's walk (CALL-1) with the keys pressed whenever the menu waits; without
	 * keys left, the no-input path (to the agent fall-back). */
	ivr_start(&v, m, now, &a);
	for (int step = 0; step < 256 && v.state != IVR_LEAVING && v.state != IVR_DONE; step++) {
		if (v.state != IVR_WAIT) {
			ivr_prompt_done(&v, now, &a);
		} else if (*k) {
			ivr_digit(&v, *k++, now, &a);
		} else {
			now = ivr_deadline(&v);
			ivr_tick(&v, now, &a);
		}
	}
	if (!v.route[0])
		return ERR_UNPROCESSABLE;
	snprintf(queue, size, "%s", v.route);
	return 0;
}
