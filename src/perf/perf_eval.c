/*
 * The month's evaluation (PERF-1, PERF-3, QA-5, TRN-3): every agent's
 * dimensions from their figures, the weighted total, the ranking with ties
 * and the computed rewards. Pure: no I/O, no clock, no JSON.
 *
 * How each dimension is scored (docs/perf.md), each within 0..100:
 *   praise        80 + 2 per praise − 10 per criticism (always present);
 *   quality       the mean of the automatic checks' mean score and the
 *                 supervisors' reviews' mean, of those present;
 *   satisfaction  the mean of the survey's mean × 20 and the share of
 *                 reached callbacks accepted × 100, of those present;
 *   attendance    100 − 5 per late day − 5 per early day − 20 per absent
 *                 day, present when the agent had a scheduled day;
 *   efficiency    the mean of the contacts handled against the month's
 *                 busiest agent × 100 and, with answered calls, the
 *                 center's handling time over the agent's × 100 (capped);
 *   training      the mean of the sessions attended × 100 over those
 *                 expected and the exams' mean score, of those present.
 */
#include <math.h>
#include <string.h>

#include "perf/perf.h"

static const char *const dim_names[PERF_DIMS] = {"praise",     "quality",    "satisfaction",
						 "attendance", "efficiency", "training"};

const char *perf_dim_name(int dim)
{
	return dim >= 0 && dim < PERF_DIMS ? dim_names[dim] : NULL;
}

void perf_settings_default(struct perf_settings *s)
{
	/* Quality and satisfaction weigh most, as the service star's formula
	 * does (QA-5); praise, attendance, efficiency and training the rest. */
	static const int weights[PERF_DIMS] = {15, 30, 20, 15, 10, 10};

	memset(s, 0, sizeof(*s));
	memcpy(s->weight, weights, sizeof(weights));
	s->threshold = 60;
	/* PERF-1: 10 praises ¥10, 30 ¥30, 50 or more ¥50. */
	s->praise_count[0] = 10;
	s->praise_count[1] = 30;
	s->praise_count[2] = 50;
	s->praise_fen[0] = 1000;
	s->praise_fen[1] = 3000;
	s->praise_fen[2] = 5000;
	/* PERF-3: ranked 1st, 2nd, 3rd ¥100, ¥50, ¥30; last and below −¥50. */
	s->rank_fen[0] = 10000;
	s->rank_fen[1] = 5000;
	s->rank_fen[2] = 3000;
	s->last_fen = -5000;
}

#define FEN_MAX 10000000 /* ¥100,000: no reward of the evaluation comes near */

const char *perf_settings_bad(const struct perf_settings *s)
{
	static const char *const weight_fields[PERF_DIMS] = {
		"weight.praise",     "weight.quality",	  "weight.satisfaction",
		"weight.attendance", "weight.efficiency", "weight.training"};
	int sum = 0;

	for (int d = 0; d < PERF_DIMS; d++) {
		if (s->weight[d] < 0 || s->weight[d] > 100)
			return weight_fields[d];
		sum += s->weight[d];
	}
	if (sum == 0)
		return "weight";
	if (s->threshold < 0 || s->threshold > 100)
		return "threshold";
	for (int i = 0; i < PERF_TIERS; i++) {
		if (s->praise_count[i] < 1 || s->praise_count[i] > 100000 ||
		    (i > 0 && s->praise_count[i] <= s->praise_count[i - 1]))
			return "praise_count";
		if (s->praise_fen[i] < 0 || s->praise_fen[i] > FEN_MAX)
			return "praise_fen";
		if (s->rank_fen[i] < 0 || s->rank_fen[i] > FEN_MAX)
			return "rank_fen";
	}
	if (s->last_fen > 0 || s->last_fen < -FEN_MAX)
		return "last_fen";
	return NULL;
}

int64_t perf_praise_reward(const struct perf_settings *s, int praise, int *tier)
{
	int t = -1;

	/* The highest tier reached: 10..29 the first, 30..49 the second, 50.. the third. */
	for (int i = 0; i < PERF_TIERS; i++)
		if (praise >= s->praise_count[i])
			t = i;
	if (tier)
		*tier = t;
	return t < 0 ? 0 : s->praise_fen[t];
}

static double clamp100(double x)
{
	return x < 0 ? 0 : x > 100 ? 100 : x;
}

/* The mean of the parts present; *has 0 when none is. */
static double mean2(double a, int has_a, double b, int has_b, int *has)
{
	*has = has_a || has_b;
	if (has_a && has_b)
		return (a + b) / 2;
	return has_a ? a : has_b ? b : 0;
}

struct center {
	int64_t max_contacts;
	double aht_ms; /* the center's handling time per answered call; 0: no call */
};

static void score_one(const struct perf_settings *s, const struct center *c,
		      const struct perf_figures *f, struct perf_score *o)
{
	double wsum = 0, sum = 0;

	memset(o, 0, sizeof(*o));
	o->dim[PERF_DIM_PRAISE] = clamp100(80.0 + 2.0 * f->praise - 10.0 * f->criticism);
	o->has[PERF_DIM_PRAISE] = 1;

	o->dim[PERF_DIM_QUALITY] = clamp100(
		mean2(f->qa_checks ? (double)f->qa_score_sum / f->qa_checks : 0, f->qa_checks > 0,
		      f->reviews ? (double)f->review_sum / f->reviews : 0, f->reviews > 0,
		      &o->has[PERF_DIM_QUALITY]));

	int64_t reached = f->cb_accepted + f->cb_not_accepted;
	o->dim[PERF_DIM_SATISFACTION] =
		clamp100(mean2(f->rated ? 20.0 * f->rating_sum / f->rated : 0, f->rated > 0,
			       reached ? 100.0 * f->cb_accepted / reached : 0, reached > 0,
			       &o->has[PERF_DIM_SATISFACTION]));

	if (f->days_scheduled > 0) {
		o->dim[PERF_DIM_ATTENDANCE] = clamp100(100.0 - 5.0 * f->late_days -
						       5.0 * f->early_days - 20.0 * f->absent_days);
		o->has[PERF_DIM_ATTENDANCE] = 1;
	}

	if (f->contacts > 0 || f->calls > 0) {
		double vol = c->max_contacts ? 100.0 * f->contacts / c->max_contacts : 0;
		double aht = f->calls ? (double)(f->talk_ms + f->acw_ms) / f->calls : 0;
		double speed = aht > 0 ? clamp100(100.0 * c->aht_ms / aht) : 100;

		o->dim[PERF_DIM_EFFICIENCY] =
			clamp100(mean2(vol, c->max_contacts > 0, speed, f->calls > 0,
				       &o->has[PERF_DIM_EFFICIENCY]));
	}

	o->dim[PERF_DIM_TRAINING] =
		clamp100(mean2(f->sessions ? 100.0 * f->attended / f->sessions : 0, f->sessions > 0,
			       f->exam_score, f->exams > 0, &o->has[PERF_DIM_TRAINING]));

	for (int d = 0; d < PERF_DIMS; d++) {
		if (!o->has[d])
			continue;
		/* Each dimension to two decimals, as shown, so the total can be
		 * recomputed from what the page shows. */
		o->dim[d] = floor(o->dim[d] * 100 + 0.5) / 100;
		wsum += s->weight[d];
		sum += s->weight[d] * o->dim[d];
	}
	o->total = wsum > 0 ? floor(sum / wsum * 100 + 0.5) / 100 : 0;
	o->praise_fen = perf_praise_reward(s, f->praise, &o->praise_tier);
}

/* Totals are rounded to 0.01, so equal totals compare equal as doubles. */
static int same(double a, double b)
{
	return fabs(a - b) < 0.001;
}

void perf_eval_month(const struct perf_settings *s, const struct perf_figures *f, size_t n,
		     struct perf_score *out)
{
	struct center c = {0, 0};
	int64_t calls = 0, handling = 0;
	int last_rank = 0;

	for (size_t i = 0; i < n; i++) {
		if (f[i].contacts > c.max_contacts)
			c.max_contacts = f[i].contacts;
		calls += f[i].calls;
		handling += f[i].talk_ms + f[i].acw_ms;
	}
	c.aht_ms = calls ? (double)handling / calls : 0;
	for (size_t i = 0; i < n; i++)
		score_one(s, &c, &f[i], &out[i]);
	/*
	 * Competition ranking: one plus the number of agents with a higher
	 * total, so two agents tied for first are both 1st and the next is
	 * 3rd (n is a few hundred: the quadratic count is nothing).
	 */
	for (size_t i = 0; i < n; i++) {
		int above = 0;

		for (size_t j = 0; j < n; j++)
			if (j != i && !same(out[j].total, out[i].total) &&
			    out[j].total > out[i].total)
				above++;
		out[i].rank = above + 1;
		if (out[i].rank > last_rank)
			last_rank = out[i].rank;
	}
	for (size_t i = 0; i < n; i++) {
		struct perf_score *o = &out[i];
		int qualifies = o->total >= s->threshold || same(o->total, s->threshold);

		o->last = o->rank == last_rank;
		o->rank_fen = 0;
		/* PERF-3: ranked 1st to 3rd and at or above the threshold, or the
		 * last and below it; with one agent alone both can hold, and the
		 * threshold decides which. */
		if (qualifies && o->rank <= PERF_TIERS)
			o->rank_fen = s->rank_fen[o->rank - 1];
		else if (!qualifies && o->last)
			o->rank_fen = s->last_fen;
	}
}
