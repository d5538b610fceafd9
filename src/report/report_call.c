/*
 * The call report's rules (report.h, "Calls"): the figures' names, how two
 * cells add up and the ratios made from them (CALL-R9). No I/O.
 */
#include <string.h>

#include "report/report.h"

static const char *const fig_names[RCF_COUNT] = {
	"inbound",	   "ivr",	      "closed",		 "queued",	 "answered",
	"answered_sl",	   "waiting",	      "abandoned_short", "abandoned_queue",
	"abandoned_ringing", "callback",      "wait_ms",	 "wait_max_ms", "talk_ms",
	"out_attempts",	   "out_answered",    "out_talk_ms",	 "cb_requested", "cb_done"};

static const char *const item_names[RCI_COUNT] = {
	"inbound",	   "ivr",	  "closed",	    "queued",	     "answered", "answered_sl",
	"not_sl",	   "waiting",	  "abandoned_short", "abandoned_queue",
	"abandoned_ringing", "callback"};

static const char *const rate_names[RCR_COUNT] = {"answer_rate", "service_level", "abandon_rate",
						  "out_answer_rate"};

const char *report_call_fig_name(enum report_call_fig f)
{
	return f >= 0 && f < RCF_COUNT ? fig_names[f] : "";
}

const char *report_call_item_name(enum report_call_item i)
{
	return i >= 0 && i < RCI_COUNT ? item_names[i] : "";
}

int report_call_item_parse(const char *name)
{
	for (int i = 0; name && i < RCI_COUNT; i++)
		if (strcmp(item_names[i], name) == 0)
			return i;
	return -1;
}

const char *report_call_rate_name(enum report_call_rate r)
{
	return r >= 0 && r < RCR_COUNT ? rate_names[r] : "";
}

void report_call_add(struct report_call_figs *dst, const struct report_call_figs *src)
{
	for (int i = 0; i < RCF_COUNT; i++)
		if (i == RCF_WAIT_MAX_MS) {
			if (src->v[i] > dst->v[i])
				dst->v[i] = src->v[i];
		} else {
			dst->v[i] += src->v[i];
		}
}

int64_t report_call_abandoned(const struct report_call_figs *f)
{
	return f->v[RCF_AB_RINGING] + f->v[RCF_AB_SHORT] + f->v[RCF_AB_QUEUE];
}

int64_t report_call_ratio(int64_t num, int64_t den)
{
	if (den <= 0)
		return -1;
	return (num * 20000 + den) / (2 * den);
}

int64_t report_call_rate(const struct report_call_figs *f, enum report_call_rate r)
{
	switch (r) {
	case RCR_ANSWER:
		return report_call_ratio(f->v[RCF_ANSWERED], f->v[RCF_QUEUED]);
	case RCR_SERVICE_LEVEL:
		return report_call_ratio(f->v[RCF_ANSWERED_SL], f->v[RCF_QUEUED] - f->v[RCF_WAITING]);
	case RCR_ABANDON:
		return report_call_ratio(report_call_abandoned(f), f->v[RCF_QUEUED]);
	case RCR_OUT_ANSWER:
		return report_call_ratio(f->v[RCF_OUT_ANSWERED], f->v[RCF_OUT]);
	default:
		return -1;
	}
}

int64_t report_call_asa(const struct report_call_figs *f)
{
	int64_t n = f->v[RCF_ANSWERED];

	return n > 0 ? (2 * f->v[RCF_WAIT_MS] + n) / (2 * n) : -1;
}
