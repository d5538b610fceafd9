/*
 * Staffing arithmetic: Erlang C (M/M/n, callers wait as long as it takes)
 * and Erlang A (M/M/n+M, callers hang up after an exponential patience).
 * No I/O.
 *
 * Erlang C starts from Erlang B's recursion B(k) = a·B(k−1) / (k + a·B(k−1)),
 * which stays within [0, 1] at every step, so hundreds of agents and
 * erlangs never overflow the way a^n / n! would.
 *
 * Erlang A is the birth-death chain of the number of callers in the
 * system: arrivals at rate λ, from k callers departures at k·μ (k ≤ n) or
 * n·μ + (k − n)·θ (k > n, the waiting abandon at θ = 1 / patience). The
 * stationary probabilities are built in logarithms relative to the largest,
 * until they fall below 1e-16 of it. An arrival sees them (PASTA). A caller
 * who finds j others waiting moves up at rate r_i = n·μ + i·θ with i ahead
 * and abandons at θ, independently of where they are, so each wait stage
 * lasts Exp(r_i + θ) whatever ends it: the chance of being answered is
 * Π r_i / (r_i + θ) and the mean wait of the answered Σ 1 / (r_i + θ). The
 * chance of being answered within t is the mass that has reached an agent
 * by t in that chain, computed by uniformization (exact up to the Poisson
 * tail, cut at 1e-14).
 */
#include <math.h>
#include <stdlib.h>

#include "core/err.h"
#include "wfm/wfm.h"

double wfm_erlang_b(int n, double a)
{
	double b = 1;

	for (int k = 1; k <= n; k++)
		b = a * b / (k + a * b);
	return b;
}

double wfm_erlang_c(int n, double a)
{
	double b;

	if (a <= 0)
		return 0;
	if (n <= a)
		return 1;
	b = wfm_erlang_b(n, a);
	return n * b / (n - a * (1 - b));
}

double wfm_erlang_c_sl(int n, double a, double aht, double t)
{
	if (a <= 0)
		return 1;
	if (n <= a)
		return 0;
	return 1 - wfm_erlang_c(n, a) * exp(-(n - a) * t / aht);
}

double wfm_erlang_c_asa(int n, double a, double aht)
{
	if (a <= 0)
		return 0;
	if (n <= a)
		return -1;
	return wfm_erlang_c(n, a) * aht / (n - a);
}

static int args_valid(double calls, double interval_s, double aht, double target_sl,
		      double target_t, double shrinkage)
{
	return isfinite(calls) && calls >= 0 && interval_s > 0 && aht > 0 && target_sl > 0 &&
	       target_sl < 1 && target_t >= 0 && shrinkage >= 0 && shrinkage < 1;
}

/* Agents to schedule so that `agents` remain after shrinkage. */
static int schedule(int agents, double shrinkage)
{
	/* The small allowance keeps 14 / 0.7 at 20 despite rounding. */
	return (int)ceil(agents / (1 - shrinkage) - 1e-9);
}

int wfm_erlang_c_staff(double calls, double interval_s, double aht, double target_sl,
		       double target_t, double shrinkage, struct wfm_staffing *out)
{
	double a;
	int n;

	if (!args_valid(calls, interval_s, aht, target_sl, target_t, shrinkage))
		return ERR_INVALID;
	*out = (struct wfm_staffing){0, 0, 1, 0, 0, 0};
	if (calls == 0)
		return 0;
	a = calls * aht / interval_s;
	for (n = (int)floor(a) + 1; n <= WFM_AGENTS_MAX; n++)
		if (wfm_erlang_c_sl(n, a, aht, target_t) >= target_sl - 1e-12)
			break;
	if (n > WFM_AGENTS_MAX)
		return ERR_UNPROCESSABLE;
	out->agents = n;
	out->scheduled = schedule(n, shrinkage);
	out->sl = wfm_erlang_c_sl(n, a, aht, target_t);
	out->asa = wfm_erlang_c_asa(n, a, aht);
	out->occupancy = a / n;
	return 0;
}

#define CHAIN_MAX 200000 /* states of the Erlang A chain beyond which it gives up */

/* The stationary distribution of the chain, normalised: pi[0..*len). */
static int erlang_a_chain(int n, double lambda, double mu, double theta, double **out, size_t *len)
{
	size_t cap = (size_t)n + 256, k;
	double *lp = malloc(cap * sizeof(*lp)), max = 0, sum = 0;

	if (!lp)
		return ERR_NOMEM;
	lp[0] = 0;
	for (k = 1;; k++) {
		double rate = k <= (size_t)n ? (double)k * mu : n * mu + (double)(k - n) * theta;

		if (k == cap) {
			double *g;

			if (cap >= CHAIN_MAX) {
				free(lp);
				return ERR_UNPROCESSABLE;
			}
			cap *= 2;
			g = realloc(lp, cap * sizeof(*lp));
			if (!g) {
				free(lp);
				return ERR_NOMEM;
			}
			lp = g;
		}
		lp[k] = lp[k - 1] + log(lambda / rate);
		if (lp[k] > max)
			max = lp[k];
		/* Past the peak and negligible: the rest of the tail is smaller still. */
		if (k > (size_t)n && lp[k] < lp[k - 1] && lp[k] < max - 37)
			break;
	}
	*len = k + 1;
	for (k = 0; k < *len; k++) {
		lp[k] = exp(lp[k] - max);
		sum += lp[k];
	}
	for (k = 0; k < *len; k++)
		lp[k] /= sum;
	*out = lp;
	return 0;
}

int wfm_erlang_a(int n, double calls, double interval_s, double aht, double patience, double t,
		 struct wfm_erlang_a *out)
{
	double lambda, mu, theta, *pi = NULL, *p = NULL, *q = NULL;
	double now_served = 0, served = 0, wait_served = 0, waits = 0, busy = 0;
	double big, lt;
	size_t len, J, k;
	int rc;

	if (n < 1 || n > WFM_AGENTS_MAX || !isfinite(calls) || calls < 0 || interval_s <= 0 ||
	    aht <= 0 || !(patience > 0) || !isfinite(patience) || t < 0)
		return ERR_INVALID;
	*out = (struct wfm_erlang_a){0, 0, 1, 0, 0};
	if (calls == 0)
		return 0;
	lambda = calls / interval_s;
	mu = 1 / aht;
	theta = 1 / patience;
	rc = erlang_a_chain(n, lambda, mu, theta, &pi, &len);
	if (rc < 0)
		return rc;
	for (k = 0; k < (size_t)n && k < len; k++) {
		now_served += pi[k];
		busy += (double)k * pi[k];
	}
	/* Callers who find j = k − n others waiting (j = 0: all agents busy). */
	J = len > (size_t)n ? len - (size_t)n : 0;
	{
		double prod = 1, hsum = 0;

		for (size_t j = 0; j < J; j++) {
			double r = n * mu + (double)j * theta;

			prod *= r / (r + theta);
			hsum += 1 / (r + theta);
			waits += pi[n + j];
			served += pi[n + j] * prod;
			wait_served += pi[n + j] * prod * hsum;
			busy += n * pi[n + j];
		}
	}
	out->wait = waits;
	out->abandon = waits - served;
	out->asa = wait_served / (now_served + served);
	out->occupancy = busy / n;
	/* Uniformization of the waiting callers' chain: p[i] is the mass with i
	 * ahead; each step it moves up with r_i / Λ, leaves with θ / Λ, stays
	 * otherwise; what moves up from 0 reaches an agent. */
	p = malloc((J ? J : 1) * sizeof(*p));
	q = malloc((J ? J : 1) * sizeof(*q));
	if (!p || !q) {
		rc = ERR_NOMEM;
		goto out;
	}
	for (size_t j = 0; j < J; j++)
		p[j] = pi[n + j];
	big = n * mu + (double)J * theta + theta;
	lt = big * t;
	{
		/* Σ_k Poisson(k; Λt) · answered_k, answered_k the mass answered after
		 * k steps; the weights are built in logarithms so that a Λt of several
		 * hundred does not underflow e^(−Λt). The tail past the last step
		 * keeps the last answered mass (it only grows: a bound within 1e-14). */
		double total = 0, wsum = 0, reached = 0, logw = -lt;

		for (size_t step = 0;; step++) {
			double w = exp(logw);

			total += w * reached;
			wsum += w;
			if ((double)step > lt &&
			    (1 - wsum < 1e-14 || (double)step > lt + 12 * sqrt(lt) + 50))
				break;
			if (step > 10000000) {
				rc = ERR_UNPROCESSABLE;
				goto out;
			}
			/* One step of the discrete chain. */
			reached += p[0] * (n * mu) / big;
			for (size_t j = 0; j < J; j++) {
				double r = n * mu + (double)j * theta;

				q[j] = p[j] * (1 - (r + theta) / big);
				if (j + 1 < J)
					q[j] += p[j + 1] * (r + theta) / big;
			}
			for (size_t j = 0; j < J; j++)
				p[j] = q[j];
			logw += log(lt) - log((double)step + 1);
		}
		out->sl = now_served + total + (1 - wsum) * reached;
	}
	rc = 0;
out:
	free(pi);
	free(p);
	free(q);
	return rc;
}

int wfm_erlang_a_staff(double calls, double interval_s, double aht, double patience,
		       double target_sl, double target_t, double shrinkage,
		       struct wfm_staffing *out)
{
	struct wfm_erlang_a ea;
	int lo = 0, hi = 1, rc;

	if (!args_valid(calls, interval_s, aht, target_sl, target_t, shrinkage) ||
	    !(patience > 0) || !isfinite(patience))
		return ERR_INVALID;
	*out = (struct wfm_staffing){0, 0, 1, 0, 0, 0};
	if (calls == 0)
		return 0;
	/* The service level grows with the agents: double until the target is
	 * met, then halve the range down to the fewest that meet it. */
	for (;;) {
		rc = wfm_erlang_a(hi, calls, interval_s, aht, patience, target_t, &ea);
		if (rc < 0)
			return rc;
		if (ea.sl >= target_sl - 1e-12)
			break;
		lo = hi;
		if (hi >= WFM_AGENTS_MAX)
			return ERR_UNPROCESSABLE;
		hi = hi * 2 > WFM_AGENTS_MAX ? WFM_AGENTS_MAX : hi * 2;
	}
	while (hi - lo > 1) {
		int mid = lo + (hi - lo) / 2;

		rc = wfm_erlang_a(mid, calls, interval_s, aht, patience, target_t, &ea);
		if (rc < 0)
			return rc;
		if (ea.sl >= target_sl - 1e-12)
			hi = mid;
		else
			lo = mid;
	}
	rc = wfm_erlang_a(hi, calls, interval_s, aht, patience, target_t, &ea);
	if (rc < 0)
		return rc;
	out->agents = hi;
	out->scheduled = schedule(hi, shrinkage);
	out->sl = ea.sl;
	out->asa = ea.asa;
	out->occupancy = ea.occupancy;
	out->abandon = ea.abandon;
	return 0;
}
