/*
 * The reports' rules (QA-2, QA-5, CB-3): periods of the center's days, the
 * day's figures and the agents' rows from the rows of qa_check and qa_hit,
 * and the month's service star. No I/O, no JSON, no clock; qa.h says what
 * each figure is.
 */
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "qa/qa.h"

/* Biweekly periods are counted from this Monday (QA-5). */
#define BIWEEK_EPOCH 20240101

static const char *const period_names[] = {"week", "biweek", "month"};

int qa_period_parse(const char *name)
{
	for (int i = 0; name && i < 3; i++)
		if (!strcmp(name, period_names[i]))
			return i;
	return -1;
}

const char *qa_period_name(enum qa_period p)
{
	return (unsigned)p < 3 ? period_names[p] : "?";
}

/* A date as a YYYYMMDD number from days since 1970-01-01 (core's calendar). */
static int civil_from_days(int64_t z)
{
	int y, m, d;

	clock_civil_from_days(z, &y, &m, &d);
	return y * 10000 + m * 100 + d;
}

static int64_t ymd_days(int ymd)
{
	return clock_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
}

static int ymd_valid(int ymd)
{
	int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;

	return y >= 1900 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
	       civil_from_days(clock_days_from_civil(y, m, d)) == ymd;
}

int qa_ymd_add(int ymd, int n)
{
	return civil_from_days(ymd_days(ymd) + n);
}

int qa_ymd_weekday(int ymd)
{
	/* 1970-01-01 was a Thursday (4). */
	int64_t w = (ymd_days(ymd) + 3) % 7;

	return (int)(w < 0 ? w + 7 : w) + 1;
}

int qa_period_of(enum qa_period p, int ymd, struct qa_period_days *out)
{
	int first;

	if (!ymd_valid(ymd))
		return ERR_INVALID;
	switch (p) {
	case QA_WEEK:
		out->from = qa_ymd_add(ymd, 1 - qa_ymd_weekday(ymd));
		out->to = qa_ymd_add(out->from, 6);
		out->prev_from = qa_ymd_add(out->from, -7);
		out->prev_to = qa_ymd_add(out->from, -1);
		return 0;
	case QA_BIWEEK: {
		int64_t since = ymd_days(ymd) - ymd_days(BIWEEK_EPOCH);
		int64_t k = since >= 0 ? since / 14 : -((-since + 13) / 14);

		out->from = civil_from_days(ymd_days(BIWEEK_EPOCH) + k * 14);
		out->to = qa_ymd_add(out->from, 13);
		out->prev_from = qa_ymd_add(out->from, -14);
		out->prev_to = qa_ymd_add(out->from, -1);
		return 0;
	}
	case QA_MONTH:
		first = ymd / 100 * 100 + 1;
		out->from = first;
		/* The last day: the day before the first of the next month. */
		out->to = qa_ymd_add(
			ymd / 100 % 100 == 12 ? (ymd / 10000 + 1) * 10000 + 101 : first + 100, -1);
		out->prev_to = qa_ymd_add(first, -1);
		out->prev_from = out->prev_to / 100 * 100 + 1;
		return 0;
	}
	return ERR_INVALID;
}

/* ---- the day's figures ---- */

static int cmp_i64(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

static int hit_by_rule(const void *pa, const void *pb)
{
	const struct qa_rep_hit *a = pa, *b = pb;
	int c = cmp_i64(a->rule_id, b->rule_id);

	return c ? c : cmp_i64(a->check_id, b->check_id);
}

static int hit_by_agent_rule(const void *pa, const void *pb)
{
	const struct qa_rep_hit *a = pa, *b = pb;
	int c = cmp_i64(a->agent_id, b->agent_id);

	return c ? c : hit_by_rule(pa, pb);
}

/* Most hits first, then most contacts hit, then the older rule. */
static int rule_rank(const void *pa, const void *pb)
{
	const struct qa_rule_tally *a = pa, *b = pb;
	int c = cmp_i64(b->hits, a->hits);

	if (!c)
		c = cmp_i64(b->checks, a->checks);
	return c ? c : cmp_i64(a->rule_id, b->rule_id);
}

/*
 * Groups hits sorted by (rule, check) into counts per rule, ranked, and
 * keeps the first max in top. Returns how many it kept, or ERR_NOMEM.
 */
static int rules_of(const struct qa_rep_hit *h, size_t n, struct qa_rule_tally *top, int max)
{
	struct qa_rule_tally *all = NULL;
	size_t nall = 0;
	int kept;

	if (n) {
		all = calloc(n, sizeof(*all));
		if (!all)
			return ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct qa_rule_tally *r;

		if (!nall || all[nall - 1].rule_id != h[i].rule_id) {
			all[nall].rule_id = h[i].rule_id;
			nall++;
		}
		r = &all[nall - 1];
		r->hits++;
		r->high += h[i].high != 0;
		r->fatal += h[i].fatal != 0;
		/* A contact counts once per rule however many hits it has there. */
		if (i == 0 || h[i - 1].rule_id != h[i].rule_id ||
		    h[i - 1].check_id != h[i].check_id)
			r->checks++;
	}
	if (nall)
		qsort(all, nall, sizeof(*all), rule_rank);
	kept = nall < (size_t)max ? (int)nall : max;
	if (kept)
		memcpy(top, all, (size_t)kept * sizeof(*top));
	free(all);
	return kept;
}

static int check_by_agent(const void *pa, const void *pb)
{
	const struct qa_rep_check *a = pa, *b = pb;
	int c = cmp_i64(a->agent_id, b->agent_id);

	return c ? c : cmp_i64(a->id, b->id);
}

/* Lowest score first; a fatal check before a plain zero; then the earlier contact. */
static int check_by_score(const void *pa, const void *pb)
{
	const struct qa_rep_check *a = pa, *b = pb;
	int c = (a->score > b->score) - (a->score < b->score);

	if (!c)
		c = b->fatal - a->fatal;
	if (!c)
		c = cmp_i64(a->contact_at, b->contact_at);
	return c ? c : cmp_i64(a->id, b->id);
}

/* Most high-severity hits first, then most hits, then most fatal checks. */
static int agent_rank(const void *pa, const void *pb)
{
	const struct qa_agent_count *a = pa, *b = pb;
	int c = cmp_i64(b->high, a->high);

	if (!c)
		c = cmp_i64(b->hits, a->hits);
	if (!c)
		c = cmp_i64(b->fatal, a->fatal);
	return c ? c : cmp_i64(a->agent_id, b->agent_id);
}

static void count_check(struct qa_agent_count *a, const struct qa_rep_check *c)
{
	a->checks++;
	a->score_sum += c->score;
	a->fatal += c->fatal != 0;
	a->hits += c->hits;
	a->high += c->high;
}

int qa_day_figures_make(struct qa_rep_check *checks, size_t nchecks, struct qa_rep_hit *hits,
			size_t nhits, struct qa_day_figures *out)
{
	struct qa_agent_count *agents = NULL;
	size_t nagents = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < nchecks; i++) {
		out->checks++;
		out->transcribed += checks[i].transcript != 0;
		out->score_sum += checks[i].score;
		out->fatal += checks[i].fatal != 0;
		out->with_hits += checks[i].hits > 0;
	}
	for (size_t i = 0; i < nhits; i++) {
		out->hits++;
		out->high += hits[i].high != 0;
	}
	if (nhits)
		qsort(hits, nhits, sizeof(*hits), hit_by_rule);
	rc = rules_of(hits, nhits, out->rules, QA_REPORT_TOP);
	if (rc < 0)
		return rc;
	out->nrules = rc;

	/* The agents with hits, by their checks' hit counts. */
	if (nchecks) {
		agents = calloc(nchecks, sizeof(*agents));
		if (!agents)
			return ERR_NOMEM;
		qsort(checks, nchecks, sizeof(*checks), check_by_agent);
	}
	for (size_t i = 0; i < nchecks; i++) {
		if (!nagents || agents[nagents - 1].agent_id != checks[i].agent_id)
			agents[nagents++].agent_id = checks[i].agent_id;
		count_check(&agents[nagents - 1], &checks[i]);
	}
	if (nagents)
		qsort(agents, nagents, sizeof(*agents), agent_rank);
	for (size_t i = 0; i < nagents && out->nagents < QA_REPORT_TOP; i++)
		if (agents[i].hits > 0 || agents[i].fatal > 0)
			out->agents[out->nagents++] = agents[i];
	free(agents);

	if (nchecks)
		qsort(checks, nchecks, sizeof(*checks), check_by_score);
	for (size_t i = 0; i < nchecks && i < QA_REPORT_TOP; i++)
		out->lowest[out->nlowest++] = checks[i];
	return 0;
}

/* ---- the agents' rows ---- */

static struct qa_agent_row *row_of(struct qa_agent_row *rows, size_t n, int64_t agent_id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rows[mid].agent_id == agent_id)
			return &rows[mid];
		if (rows[mid].agent_id < agent_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int qa_agent_rows_fill(struct qa_agent_row *rows, size_t nrows, struct qa_rep_check *checks,
		       size_t nchecks, struct qa_rep_hit *hits, size_t nhits,
		       struct qa_rep_check *prev, size_t nprev)
{
	size_t i = 0;

	(void)checks;
	for (size_t k = 0; k < nrows; k++) {
		memset(&rows[k].now, 0, sizeof(rows[k].now));
		memset(&rows[k].prev, 0, sizeof(rows[k].prev));
		rows[k].now.agent_id = rows[k].prev.agent_id = rows[k].agent_id;
		rows[k].ntop = 0;
	}
	for (size_t k = 0; k < nchecks; k++) {
		struct qa_agent_row *r = row_of(rows, nrows, checks[k].agent_id);

		if (r)
			count_check(&r->now, &checks[k]);
	}
	for (size_t k = 0; k < nprev; k++) {
		struct qa_agent_row *r = row_of(rows, nrows, prev[k].agent_id);

		if (r)
			count_check(&r->prev, &prev[k]);
	}
	if (nhits)
		qsort(hits, nhits, sizeof(*hits), hit_by_agent_rule);
	/* Each agent's run of hits, grouped by rule. */
	while (i < nhits) {
		size_t j = i;
		struct qa_agent_row *r;
		int rc;

		while (j < nhits && hits[j].agent_id == hits[i].agent_id)
			j++;
		r = row_of(rows, nrows, hits[i].agent_id);
		if (r) {
			rc = rules_of(hits + i, j - i, r->top, QA_AGENT_TOP_RULES);
			if (rc < 0)
				return rc;
			r->ntop = rc;
		}
		i = j;
	}
	return 0;
}

/* QA-5's weights: the automatic score, the survey, the callbacks. */
#define W_QA 0.6
#define W_SURVEY 0.3
#define W_CALLBACK 0.1

double qa_star_score(const struct qa_agent_row *r, int *ok)
{
	double sum, weight;

	*ok = r->now.checks > 0;
	if (!*ok)
		return 0;
	sum = W_QA * (double)r->now.score_sum / (double)r->now.checks;
	weight = W_QA;
	if (r->rated > 0) {
		sum += W_SURVEY * 20.0 * (double)r->rating_sum / (double)r->rated;
		weight += W_SURVEY;
	}
	if (r->cb_accepted + r->cb_not_accepted > 0) {
		sum += W_CALLBACK * 100.0 * (double)r->cb_accepted /
		       (double)(r->cb_accepted + r->cb_not_accepted);
		weight += W_CALLBACK;
	}
	return sum / weight;
}

int qa_star_pick(struct qa_agent_row *rows, size_t n)
{
	int best = -1;

	for (size_t i = 0; i < n; i++) {
		struct qa_agent_row *r = &rows[i];

		r->combined = qa_star_score(r, &r->has_combined);
		r->eligible =
			r->has_combined && r->now.checks >= QA_STAR_MIN_CHECKS && r->now.fatal == 0;
		r->star = 0;
		if (!r->eligible)
			continue;
		if (best < 0 || r->combined > rows[best].combined ||
		    (r->combined == rows[best].combined &&
		     (r->now.checks > rows[best].now.checks ||
		      (r->now.checks == rows[best].now.checks &&
		       r->agent_id < rows[best].agent_id))))
			best = (int)i;
	}
	if (best >= 0)
		rows[best].star = 1;
	return best;
}
