/*
 * qa — the rule engine's evaluation: one contact against a compiled set of
 * rules (see qa.h for the whole; docs/qa.md for what each condition means).
 *
 * A run normalises every utterance once, walks each with the automaton
 * once and files every keyword, exclusion and consent-phrase occurrence
 * under the condition that asked for it (only where the condition looks:
 * its speaker and position). Conditions are then evaluated when a rule's
 * expression needs them, each once per contact, and keep their hits in
 * normalised positions; only the hits of matching rules are turned into
 * original offsets and words.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/err.h"
#include "qa/qa_int.h"

/* A condition's hit, before it is a qa_hit. */
enum { CH_TEXT, CH_METRIC, CH_ABSENT };
struct chit {
	int kind;
	int utt, s, e; /* CH_TEXT: normalised code points [s, e) of utterance utt */
	int64_t at_ms;
	int cond;
	char mtext[24];
};

struct occ {
	int cond, role, word;
	int utt, s, e;
};

struct run {
	const struct qa_engine *e;
	const struct qa_contact *c;
	struct qa_text *texts;
	int *seq;	  /* each utterance's index among its speaker's */
	int nspk[3];	  /* utterances of all, agents, customers */
	int64_t last_end; /* the last utterance's end */
	struct occ *occs;
	int nocc, occcap;
	int *occ0; /* occurrences of condition i: occs[occ0[i] .. occ0[i+1]) after filing */
	signed char *val;
	signed char *nval;
	int *h0, *hn; /* condition i's hits: hits[h0[i] .. h0[i] + hn[i]) */
	struct chit *hits;
	int nhits, hcap;
	pcre2_match_data *md;
	int rc;
};

void qa_contact_init(struct qa_contact *c, int kind)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->rings = -1;
	c->end_ms = -1;
	c->talk_ms = -1;
	c->ntalk_over = -1;
	c->ndead_air = -1;
}

void qa_cond_free(struct qa_cond *c)
{
	if (c->words)
		for (int i = 0; i < c->nwords; i++)
			free(c->words[i]);
	free(c->words);
	free(c->better);
	pcre2_code_free(c->re);
	pcre2_code_free(c->re_ex);
	memset(c, 0, sizeof(*c));
}

int qa_rule_count(const struct qa_engine *e)
{
	return e->nrules;
}

void qa_rule_info(const struct qa_engine *e, int i, struct qa_rule_info *info)
{
	const struct qa_rule *r = &e->rules[i];

	info->id = r->id;
	info->code = r->code;
	info->version = r->version;
	info->name = r->name;
	info->dimension = r->dimension;
	info->severity = r->severity;
	info->score = r->score;
	info->fatal = r->fatal;
	info->kinds = r->kinds;
}

/* ---- where a text condition looks ---- */

static int eligible(const struct run *x, const struct qa_cond *c, int u)
{
	const struct qa_utt *ut = &x->c->utt[u];
	int sp = c->speaker, count, idx;

	if (sp != QA_ANY && ut->speaker != sp)
		return 0;
	if (c->pos_from == QA_P_ALL)
		return 1;
	if (c->pos_utts > 0) {
		/* The first or last N utterances of the speaker (of anyone
		 * when the condition takes any speaker). */
		count = x->nspk[sp];
		idx = sp == QA_ANY ? u : x->seq[u];
		return c->pos_from == QA_P_FIRST ? idx < c->pos_utts
						 : count - 1 - idx < c->pos_utts;
	}
	if (c->pos_from == QA_P_FIRST)
		return ut->start_ms < c->pos_ms;
	return ut->end_ms > x->last_end - c->pos_ms;
}

/* ---- hits ---- */

static struct chit *hit_add(struct run *x, int cond, int kind, int utt, int64_t at_ms)
{
	struct chit *h;

	if (qa_grow((void **)&x->hits, &x->hcap, x->nhits + 1, sizeof(*x->hits))) {
		x->rc = ERR_NOMEM;
		return NULL;
	}
	h = &x->hits[x->nhits++];
	memset(h, 0, sizeof(*h));
	h->kind = kind;
	h->cond = cond;
	h->utt = utt;
	h->at_ms = at_ms;
	x->hn[cond]++;
	return h;
}

static void metric_hit(struct run *x, int cond, int64_t at_ms, const char *fmt, double v)
{
	struct chit *h = hit_add(x, cond, CH_METRIC, -1, at_ms);

	if (h)
		snprintf(h->mtext, sizeof(h->mtext), fmt, v);
}

static void text_hit(struct run *x, int cond, int utt, int s, int e)
{
	struct chit *h = hit_add(x, cond, CH_TEXT, utt, x->c->utt[utt].start_ms);

	if (h) {
		h->s = s;
		h->e = e;
	}
}

/* ---- the automaton's occurrences ---- */

struct scan_arg {
	struct run *x;
	int utt;
};

static int on_match(void *arg, int id, int s, int e)
{
	struct scan_arg *a = arg;
	struct run *x = a->x;
	const struct qa_engine *en = x->e;

	for (int i = en->ref0[id]; i < en->ref0[id + 1]; i++) {
		const struct qa_ref *r = &en->refs[i];
		const struct qa_cond *c = &en->conds[r->cond];

		if (r->role == QA_W_PHRASE) {
			if (c->speaker != QA_ANY && x->c->utt[a->utt].speaker != c->speaker)
				continue;
		} else if (!eligible(x, c, a->utt)) {
			continue;
		}
		if (!(en->rules[c->rule].kinds & x->c->kind))
			continue;
		if (qa_grow((void **)&x->occs, &x->occcap, x->nocc + 1, sizeof(*x->occs)))
			return ERR_NOMEM;
		x->occs[x->nocc++] = (struct occ){r->cond, r->role, r->word, a->utt, s, e};
	}
	return 0;
}

/* Files the occurrences by condition (a counting sort that keeps the
 * order of the text within each). */
static int file_occs(struct run *x)
{
	int n = x->e->nconds, i;
	struct occ *sorted;
	int *at;

	x->occ0 = calloc((size_t)n + 1, sizeof(int));
	at = calloc((size_t)n + 1, sizeof(int));
	sorted = malloc((size_t)(x->nocc + 1) * sizeof(*sorted));
	if (!x->occ0 || !at || !sorted) {
		free(at);
		free(sorted);
		return ERR_NOMEM;
	}
	for (i = 0; i < x->nocc; i++)
		x->occ0[x->occs[i].cond + 1]++;
	for (i = 0; i < n; i++)
		x->occ0[i + 1] += x->occ0[i];
	memcpy(at, x->occ0, (size_t)n * sizeof(int));
	for (i = 0; i < x->nocc; i++)
		sorted[at[x->occs[i].cond]++] = x->occs[i];
	free(at);
	free(x->occs);
	x->occs = sorted;
	return 0;
}

/* ---- conditions ---- */

static int eval_cond(struct run *x, int ci);

/* The first eligible utterance's start (where an absence is shown), or -1. */
static int64_t window_start(const struct run *x, const struct qa_cond *c)
{
	for (int u = 0; u < x->c->nutt; u++)
		if (eligible(x, c, u))
			return x->c->utt[u].start_ms;
	return -1;
}

static int eval_keywords(struct run *x, int ci)
{
	const struct qa_cond *c = &x->e->conds[ci];
	int i, j, valid = 0, distinct = 0;
	unsigned char seen_small[64], *seen = seen_small;

	if (c->nwords > (int)sizeof(seen_small) && !(seen = calloc((size_t)c->nwords, 1))) {
		x->rc = ERR_NOMEM;
		return 0;
	}
	if (seen == seen_small)
		memset(seen_small, 0, sizeof(seen_small));
	for (i = x->occ0[ci]; i < x->occ0[ci + 1]; i++) {
		const struct occ *o = &x->occs[i];
		int excluded = 0;

		if (o->role != QA_W_WORD)
			continue;
		/* 喂 inside 喂养 does not count: an exclusion that covers it. */
		for (j = x->occ0[ci]; j < x->occ0[ci + 1] && !excluded; j++) {
			const struct occ *ex = &x->occs[j];

			excluded = ex->role == QA_W_EXCLUDE && ex->utt == o->utt && ex->s <= o->s &&
				   o->e <= ex->e;
		}
		if (excluded)
			continue;
		valid++;
		if (!seen[o->word]) {
			seen[o->word] = 1;
			distinct++;
		}
		if (c->mode != QA_M_NONE)
			text_hit(x, ci, o->utt, o->s, o->e);
	}
	if (seen != seen_small)
		free(seen);
	switch (c->mode) {
	case QA_M_ALL:
		return distinct == c->nwords;
	case QA_M_N_OF:
		return distinct >= c->n;
	case QA_M_NONE:
		if (valid == 0)
			hit_add(x, ci, CH_ABSENT, -1, window_start(x, c));
		return valid == 0;
	default:
		return valid > 0;
	}
}

static int eval_regex(struct run *x, int ci)
{
	const struct qa_cond *c = &x->e->conds[ci];
	int u, found = 0;

	for (u = 0; u < x->c->nutt; u++) {
		const struct qa_text *t = &x->texts[u];
		PCRE2_SIZE start = 0, len = (PCRE2_SIZE)t->boff[t->n];

		if (!eligible(x, c, u))
			continue;
		/* The normalised text is ours and valid UTF-8, and every start is
		 * on a character: PCRE2 need not check it on each call. */
		while (start <= len) {
			PCRE2_SIZE *ov, ms, me;
			int rc = pcre2_match(c->re, (PCRE2_SPTR)t->u8, len, start,
					     PCRE2_NO_UTF_CHECK, x->md, NULL);
			int excluded = 0;

			if (rc < 0)
				break;
			ov = pcre2_get_ovector_pointer(x->md);
			ms = ov[0];
			me = ov[1];
			if (me <= ms) {
				/* An empty match says nothing; step over a character. */
				start = ms + 1;
				while (start < len && ((unsigned char)t->u8[start] & 0xC0) == 0x80)
					start++;
				continue;
			}
			if (c->re_ex) {
				/* A match the exclusion also matches, around it, does not count. */
				PCRE2_SIZE es = 0;

				while (es <= ms && !excluded &&
				       pcre2_match(c->re_ex, (PCRE2_SPTR)t->u8, len, es,
						   PCRE2_NO_UTF_CHECK, x->md, NULL) >= 0) {
					PCRE2_SIZE *eo = pcre2_get_ovector_pointer(x->md);

					if (eo[0] > ms)
						break;
					excluded = eo[1] >= me;
					es = eo[0] + 1;
					while (es < len &&
					       ((unsigned char)t->u8[es] & 0xC0) == 0x80)
						es++;
				}
			}
			if (!excluded) {
				found++;
				text_hit(x, ci, u, qa_text_cp_at(t, (int)ms),
					 qa_text_cp_at(t, (int)me));
			}
			start = me;
		}
	}
	return found > 0;
}

/* The earliest text hit of a condition, or NULL. */
static const struct chit *first_hit(const struct run *x, int ci)
{
	const struct chit *best = NULL;

	for (int i = x->h0[ci]; i < x->h0[ci] + x->hn[ci]; i++) {
		const struct chit *h = &x->hits[i];

		if (h->kind == CH_TEXT &&
		    (!best || h->utt < best->utt || (h->utt == best->utt && h->s < best->s)))
			best = h;
	}
	return best;
}

static int eval_order(struct run *x, int ci)
{
	const struct qa_cond *c = &x->e->conds[ci];
	const struct chit *hx, *hy;
	int ok, d;

	eval_cond(x, c->order_x);
	eval_cond(x, c->order_y);
	hx = first_hit(x, c->order_x);
	hy = first_hit(x, c->order_y);
	if (!hx || !hy)
		return 0;
	d = hy->utt - hx->utt;
	switch (c->relation) {
	case QA_R_BEFORE:
		ok = (d > 0 || (d == 0 && hx->s < hy->s)) &&
		     (c->order_utts < 0 || d <= c->order_utts);
		break;
	case QA_R_AFTER:
		ok = (d < 0 || (d == 0 && hx->s > hy->s)) &&
		     (c->order_utts < 0 || -d <= c->order_utts);
		break;
	default:
		ok = (d < 0 ? -d : d) <= c->order_utts;
		break;
	}
	if (ok) {
		struct chit copy = *hx;

		text_hit(x, ci, copy.utt, copy.s, copy.e);
	}
	return ok;
}

static int in_agent_hold(const struct qa_contact *c, int64_t t)
{
	for (int i = 0; i < c->nholds; i++)
		if (c->holds[i].by == QA_AGENT && t >= c->holds[i].start_ms &&
		    t < c->holds[i].start_ms + c->holds[i].len_ms)
			return 1;
	return 0;
}

static int eval_silence(struct run *x, int ci)
{
	const struct qa_cond *c = &x->e->conds[ci];
	const struct qa_contact *k = x->c;
	int found = 0, u;

	if (k->ndead_air >= 0) {
		/* The recording's dead air: both channels quiet (recording.md). */
		for (int i = 0; i < k->ndead_air; i++)
			if (k->dead_air[i].len_ms > c->over_ms) {
				metric_hit(x, ci, k->dead_air[i].start_ms, "%.1fs",
					   (double)k->dead_air[i].len_ms / 1000.0);
				found++;
			}
		return found > 0;
	}
	/* No recording measured: the gaps between utterances, but for those
	 * inside the agent's holds (the customer hears music, CALL-4). */
	if (k->nutt == 0)
		return 0;
	{
		int64_t end = k->utt[0].end_ms;

		for (u = 1; u < k->nutt; u++) {
			int64_t gap = k->utt[u].start_ms - end;

			if (gap > c->over_ms && !in_agent_hold(k, end)) {
				metric_hit(x, ci, end, "%.1fs", (double)gap / 1000.0);
				found++;
			}
			if (k->utt[u].end_ms > end)
				end = k->utt[u].end_ms;
		}
	}
	return found > 0;
}

static int is_han(uint32_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
	       (c >= 0x20000 && c <= 0x3134F) || (c >= 0xF900 && c <= 0xFAFF) || c == 0x3007;
}

static int is_word_char(uint32_t c)
{
	utf8proc_category_t k = utf8proc_category((utf8proc_int32_t)c);

	return (k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO) ||
	       (k >= UTF8PROC_CATEGORY_ND && k <= UTF8PROC_CATEGORY_NO);
}

/* CALL-11: Han characters one each, a run of other letters and digits
 * (a word, a number) one, punctuation and spaces nothing. */
static int count_chars(const struct qa_text *t)
{
	int n = 0, in_word = 0;

	for (int i = 0; i < t->n; i++) {
		uint32_t c = t->cp[i];

		if (is_han(c)) {
			n++;
			in_word = 0;
		} else if (is_word_char(c)) {
			n += !in_word;
			in_word = 1;
		} else {
			in_word = 0;
		}
	}
	return n;
}

static int eval_speech_rate(struct run *x, int ci)
{
	const struct qa_cond *c = &x->e->conds[ci];
	int64_t ms = 0, first = -1;
	long chars = 0;
	double rate;

	for (int u = 0; u < x->c->nutt; u++) {
		if (x->c->utt[u].speaker != c->speaker)
			continue;
		if (first < 0)
			first = x->c->utt[u].start_ms;
		ms += x->c->utt[u].end_ms - x->c->utt[u].start_ms;
		chars += count_chars(&x->texts[u]);
	}
	/* Too little speech says nothing about a pace. */
	if (ms <= 0 || ms < c->min_speech_ms)
		return 0;
	rate = (double)chars * 60000.0 / (double)ms;
	if ((c->rate_min > 0 && rate < c->rate_min) || (c->rate_max > 0 && rate > c->rate_max)) {
		metric_hit(x, ci, first, "%.0f/min", rate);
		return 1;
	}
	return 0;
}

static int eval_talk_over(struct run *x, int ci)
{
	const struct qa_cond *c = &x->e->conds[ci];
	const struct qa_contact *k = x->c;
	int found = 0;

	if (k->ntalk_over >= 0) {
		for (int i = 0; i < k->ntalk_over; i++)
			if (k->talk_over[i].len_ms > c->over_ms) {
				metric_hit(x, ci, k->talk_over[i].start_ms, "%.1fs",
					   (double)k->talk_over[i].len_ms / 1000.0);
				found++;
			}
		return found > 0;
	}
	/* From the utterances: the agent starting while the customer speaks. */
	for (int a = 0; a < k->nutt; a++) {
		if (k->utt[a].speaker != QA_AGENT)
			continue;
		for (int u = 0; u < k->nutt; u++) {
			int64_t end;

			if (k->utt[u].speaker != QA_CUSTOMER ||
			    k->utt[u].start_ms > k->utt[a].start_ms ||
			    k->utt[u].end_ms <= k->utt[a].start_ms)
				continue;
			end = k->utt[u].end_ms < k->utt[a].end_ms ? k->utt[u].end_ms
								  : k->utt[a].end_ms;
			if (end - k->utt[a].start_ms > c->over_ms) {
				metric_hit(x, ci, k->utt[a].start_ms, "%.1fs",
					   (double)(end - k->utt[a].start_ms) / 1000.0);
				found++;
				break;
			}
		}
	}
	return found > 0;
}

/* CALL-4: an agent's hold with a stretch over over_ms in which the agent
 * did not speak to the customer. */
static int eval_hold_silent(struct run *x, int ci)
{
	const struct qa_cond *c = &x->e->conds[ci];
	const struct qa_contact *k = x->c;
	int found = 0;

	for (int i = 0; i < k->nholds; i++) {
		const struct qa_span *h = &k->holds[i];
		int64_t t = h->start_ms, end = h->start_ms + h->len_ms, longest = 0;

		if (h->by != QA_AGENT || h->len_ms <= c->over_ms)
			continue;
		for (int u = 0; u < k->nutt; u++) {
			const struct qa_utt *ut = &k->utt[u];

			if (ut->speaker != QA_AGENT || ut->end_ms <= t || ut->start_ms >= end)
				continue;
			if (ut->start_ms - t > longest)
				longest = ut->start_ms - t;
			if (ut->end_ms > t)
				t = ut->end_ms;
		}
		if (end - t > longest)
			longest = end - t;
		if (longest > c->over_ms) {
			metric_hit(x, ci, h->start_ms, "%.1fs", (double)h->len_ms / 1000.0);
			found++;
		}
	}
	return found > 0;
}

static int eval_hold_total(struct run *x, int ci)
{
	const struct qa_cond *c = &x->e->conds[ci];
	const struct qa_contact *k = x->c;
	int64_t total = 0, at = -1;

	for (int i = 0; i < k->nholds; i++) {
		if (k->holds[i].by != QA_AGENT)
			continue;
		total += k->holds[i].len_ms;
		if (at < 0 && total > c->over_ms)
			at = k->holds[i].start_ms;
	}
	if (total <= c->over_ms)
		return 0;
	metric_hit(x, ci, at, "%.1fs", (double)total / 1000.0);
	return 1;
}

/* CALL-5: the agent hung up first, and the customer had not been silent
 * for allow_ms before the end. */
static int eval_hangup(struct run *x, int ci)
{
	const struct qa_cond *c = &x->e->conds[ci];
	const struct qa_contact *k = x->c;
	int64_t end = k->end_ms, silent;

	if (k->hangup != QA_HANGUP_AGENT)
		return 0;
	if (end < 0)
		end = k->nutt ? x->last_end : k->talk_ms;
	if (end < 0)
		end = 0;
	if (k->nutt > 0) {
		int64_t last = 0;

		for (int u = 0; u < k->nutt; u++)
			if (k->utt[u].speaker == QA_CUSTOMER && k->utt[u].end_ms > last)
				last = k->utt[u].end_ms;
		silent = end - last;
	} else {
		/* No transcript: dead air that reaches the end is the silence. */
		silent = 0;
		for (int i = 0; i < k->ndead_air; i++)
			if (k->dead_air[i].start_ms + k->dead_air[i].len_ms >= end - 1000)
				silent = end - k->dead_air[i].start_ms;
	}
	if (silent >= c->allow_ms)
		return 0;
	metric_hit(x, ci, end, "%.1fs", (double)(silent < 0 ? 0 : silent) / 1000.0);
	return 1;
}

static int eval_rings(struct run *x, int ci)
{
	const struct qa_cond *c = &x->e->conds[ci];

	if (x->c->rings < 0 || x->c->rings <= c->over)
		return 0;
	metric_hit(x, ci, 0, "%.0f", (double)x->c->rings);
	return 1;
}

static int eval_class_f(struct run *x, int ci)
{
	const struct qa_cond *c = &x->e->conds[ci];
	int64_t limit = (int64_t)c->minutes * 60000;

	if (strcmp(x->c->contact_class, "F") != 0 || x->c->talk_ms <= limit)
		return 0;
	metric_hit(x, ci, limit, "%.1fmin", (double)x->c->talk_ms / 60000.0);
	return 1;
}

/* CALL-8: an event not preceded, within the last N utterances before it,
 * by a phrase asking the customer's consent. */
static int consent_missing(struct run *x, int ci, int64_t at)
{
	const struct qa_cond *c = &x->e->conds[ci];
	int last = -1, first, i;

	for (int u = 0; u < x->c->nutt && x->c->utt[u].start_ms < at; u++)
		last = u;
	first = last - c->order_utts + 1;
	for (i = x->occ0[ci]; i < x->occ0[ci + 1]; i++)
		if (x->occs[i].utt >= first && x->occs[i].utt <= last)
			return 0;
	return 1;
}

static int eval_consent(struct run *x, int ci)
{
	const struct qa_cond *c = &x->e->conds[ci];
	const struct qa_contact *k = x->c;
	int found = 0, i, j;

	for (i = 0; i < k->nevents; i++) {
		if (strcmp(k->events[i].kind, c->event) != 0)
			continue;
		if (consent_missing(x, ci, k->events[i].at_ms)) {
			struct chit *h = hit_add(x, ci, CH_METRIC, -1, k->events[i].at_ms);

			if (h)
				snprintf(h->mtext, sizeof(h->mtext), "%s", c->event);
			found++;
		}
	}
	/* The agent's holds are hold events too, unless an event says so already. */
	if (strcmp(c->event, "hold") == 0) {
		for (i = 0; i < k->nholds; i++) {
			int dup = 0;

			if (k->holds[i].by != QA_AGENT)
				continue;
			for (j = 0; j < k->nevents && !dup; j++)
				dup = strcmp(k->events[j].kind, "hold") == 0 &&
				      k->events[j].at_ms == k->holds[i].start_ms;
			if (dup || !consent_missing(x, ci, k->holds[i].start_ms))
				continue;
			struct chit *h = hit_add(x, ci, CH_METRIC, -1, k->holds[i].start_ms);

			if (h)
				snprintf(h->mtext, sizeof(h->mtext), "%s", c->event);
			found++;
		}
	}
	return found > 0;
}

/*
 * The live guidance (CALL-2/4/6/7, docs/qa.md): each prompt kefu showed
 * the agent (an event of kind c->event) that no answer followed — none of
 * the steps of c->words at or after it, before the same prompt came again
 * (the next reminder) and, with within_ms, within that time. Without
 * answers every such prompt is a hit (a limit broken).
 */
static int guide_answered(const struct qa_contact *k, const struct qa_cond *c, int i)
{
	int64_t at = k->events[i].at_ms, until = INT64_MAX;

	for (int j = i + 1; j < k->nevents; j++)
		if (strcmp(k->events[j].kind, c->event) == 0 && k->events[j].at_ms < until)
			until = k->events[j].at_ms;
	if (c->within_ms && at + c->within_ms < until)
		until = at + c->within_ms + 1;
	for (int j = 0; j < k->nevents; j++) {
		const struct qa_event *ev = &k->events[j];

		if (ev->at_ms < at || ev->at_ms >= until)
			continue;
		for (int w = 0; w < c->nwords; w++)
			if (strcmp(ev->kind, c->words[w]) == 0)
				return 1;
	}
	return 0;
}

static int eval_guide(struct run *x, int ci)
{
	const struct qa_cond *c = &x->e->conds[ci];
	const struct qa_contact *k = x->c;
	int found = 0;

	for (int i = 0; i < k->nevents; i++) {
		struct chit *h;

		if (strcmp(k->events[i].kind, c->event) != 0 ||
		    (c->nwords && guide_answered(k, c, i)))
			continue;
		h = hit_add(x, ci, CH_METRIC, -1, k->events[i].at_ms);
		if (h)
			snprintf(h->mtext, sizeof(h->mtext), "%s", c->event);
		found++;
	}
	return found > 0;
}

/* Evaluates condition ci once per contact; its hits are contiguous. */
static int eval_cond(struct run *x, int ci)
{
	const struct qa_cond *c = &x->e->conds[ci];
	int v;

	if (x->val[ci] >= 0)
		return x->val[ci];
	/* Keyword conditions with nothing filed are decided without work. */
	if (c->type == QA_C_KEYWORDS && x->occ0[ci] == x->occ0[ci + 1] && c->mode != QA_M_NONE) {
		x->val[ci] = 0;
		return 0;
	}
	/* An order condition evaluates its two first, so their hits come
	 * before its own in the list. */
	if (c->type == QA_C_ORDER) {
		eval_cond(x, c->order_x);
		eval_cond(x, c->order_y);
	}
	x->h0[ci] = x->nhits;
	x->hn[ci] = 0;
	switch (c->type) {
	case QA_C_KEYWORDS:
		v = eval_keywords(x, ci);
		break;
	case QA_C_REGEX:
		v = eval_regex(x, ci);
		break;
	case QA_C_ORDER:
		v = eval_order(x, ci);
		break;
	case QA_C_SILENCE:
		v = eval_silence(x, ci);
		break;
	case QA_C_SPEECH_RATE:
		v = eval_speech_rate(x, ci);
		break;
	case QA_C_TALK_OVER:
		v = eval_talk_over(x, ci);
		break;
	case QA_C_HOLD_SILENT:
		v = eval_hold_silent(x, ci);
		break;
	case QA_C_HOLD_TOTAL:
		v = eval_hold_total(x, ci);
		break;
	case QA_C_HANGUP:
		v = eval_hangup(x, ci);
		break;
	case QA_C_RINGS:
		v = eval_rings(x, ci);
		break;
	case QA_C_CLASS_F:
		v = eval_class_f(x, ci);
		break;
	case QA_C_CONSENT:
		v = eval_consent(x, ci);
		break;
	case QA_C_GUIDE:
		v = eval_guide(x, ci);
		break;
	default:
		v = 0;
	}
	x->val[ci] = (signed char)(v != 0);
	return x->val[ci];
}

static int eval_node(struct run *x, int n)
{
	const struct qa_node *nd = &x->e->nodes[n];
	int v;

	switch (nd->op) {
	case QA_OP_COND:
		v = eval_cond(x, nd->a);
		break;
	case QA_OP_NOT:
		v = !eval_node(x, nd->a);
		break;
	case QA_OP_AND:
		v = eval_node(x, nd->a) && eval_node(x, nd->b);
		break;
	default:
		v = eval_node(x, nd->a) || eval_node(x, nd->b);
		break;
	}
	x->nval[n] = (signed char)v;
	return v;
}

/* ---- a rule's hits into the result ---- */

struct collect {
	int *idx; /* indexes into x->hits */
	int n, cap;
	int absent[QA_RULE_CONDS_MAX];
	int nabsent;
};

static void collect_cond(struct run *x, struct collect *k, int ci)
{
	for (int i = x->h0[ci]; i < x->h0[ci] + x->hn[ci]; i++) {
		if (qa_grow((void **)&k->idx, &k->cap, k->n + 1, sizeof(int))) {
			x->rc = ERR_NOMEM;
			return;
		}
		k->idx[k->n++] = i;
	}
}

/* A matched rule's expression is evaluated in full before it explains
 * itself: the short-circuit left the other side of a true "||" (and of a
 * false "&&" under a negation) undecided, and a reviewer should see every
 * reason, not only the first found. */
static void complete(struct run *x, int n)
{
	const struct qa_node *nd = &x->e->nodes[n];

	if (x->nval[n] < 0) {
		eval_node(x, n);
		return;
	}
	if (nd->op == QA_OP_NOT) {
		complete(x, nd->a);
	} else if (nd->op != QA_OP_COND) {
		complete(x, nd->a);
		complete(x, nd->b);
	}
}

/* The hits of the conditions that made the rule true: a node is followed
 * only when its value is the one that counts there (true, or false under
 * a negation), so in "(a && d) || b" with d false, a's hits are not b's
 * reasons. A negated keyword condition that was false (words that should
 * have been said) is kept aside: it explains the rule when nothing else
 * does. */
static void collect(struct run *x, struct collect *k, int n, int positive)
{
	const struct qa_node *nd = &x->e->nodes[n];

	if (x->nval[n] != positive)
		return;
	switch (nd->op) {
	case QA_OP_COND:
		if (positive)
			collect_cond(x, k, nd->a);
		else if (k->nabsent < QA_RULE_CONDS_MAX && x->e->conds[nd->a].type == QA_C_KEYWORDS)
			k->absent[k->nabsent++] = nd->a;
		break;
	case QA_OP_NOT:
		collect(x, k, nd->a, !positive);
		break;
	default:
		collect(x, k, nd->a, positive);
		collect(x, k, nd->b, positive);
		break;
	}
}

static int chit_cmp(const void *a, const void *b, void *arg)
{
	const struct run *r = arg;
	const struct chit *x = &r->hits[*(const int *)a], *y = &r->hits[*(const int *)b];

	if (x->at_ms != y->at_ms)
		return x->at_ms < y->at_ms ? -1 : 1;
	if (x->utt != y->utt)
		return x->utt < y->utt ? -1 : 1;
	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	return x->e < y->e ? -1 : x->e > y->e;
}

static int same_place(const struct chit *a, const struct chit *b)
{
	return a->kind == b->kind && a->utt == b->utt && a->s == b->s && a->e == b->e &&
	       a->at_ms == b->at_ms && strcmp(a->mtext, b->mtext) == 0;
}

static char *cut(const struct qa_text *t, int os, int oe)
{
	int b0 = t->obyte[os], b1 = t->obyte[oe];
	char *s = malloc((size_t)(b1 - b0) + 1);

	if (s) {
		memcpy(s, t->orig + b0, (size_t)(b1 - b0));
		s[b1 - b0] = '\0';
	}
	return s;
}

/* The words of a keyword list joined by "、", for an absence. */
static char *join_words(const struct qa_cond *c)
{
	size_t n = 1;
	char *s;

	for (int i = 0; i < c->nwords; i++)
		n += strlen(c->words[i]) + 3;
	if (!(s = malloc(n)))
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < c->nwords; i++) {
		if (i)
			strcat(s, "、");
		strcat(s, c->words[i]);
	}
	return s;
}

static int emit(struct run *x, struct qa_result *res, int rule, const struct chit *h,
		const struct qa_cond *c)
{
	struct qa_hit *o;

	if (qa_grow((void **)&res->hits, &res->cap, res->nhits + 1, sizeof(*res->hits)))
		return ERR_NOMEM;
	o = &res->hits[res->nhits];
	memset(o, 0, sizeof(*o));
	o->rule = rule;
	o->utterance = -1;
	o->at_ms = h->at_ms;
	o->better = c->better;
	if (h->kind == CH_TEXT) {
		const struct qa_text *t = &x->texts[h->utt];
		int os = t->ostart[h->s], oe = t->oend[h->e - 1];

		o->utterance = h->utt;
		o->offset = os;
		o->len = oe - os;
		o->text = cut(t, os, oe);
	} else if (h->kind == CH_ABSENT) {
		o->missing = 1;
		o->text = join_words(c);
	} else {
		size_t n = strlen(h->mtext) + 1;

		if ((o->text = malloc(n)))
			memcpy(o->text, h->mtext, n);
	}
	if (!o->text)
		return ERR_NOMEM;
	res->nhits++;
	return 0;
}

static int rule_hits(struct run *x, struct qa_result *res, int ri)
{
	const struct qa_rule *r = &x->e->rules[ri];
	struct collect k = {0};
	int i, rc = 0, first = res->nhits;

	complete(x, r->root);
	collect(x, &k, r->root, 1);
	if (k.n == 0 && k.nabsent > 0) {
		for (i = 0; i < k.nabsent && !rc; i++) {
			const struct qa_cond *c = &x->e->conds[k.absent[i]];
			struct chit h = {.kind = CH_ABSENT, .utt = -1, .at_ms = window_start(x, c)};

			rc = emit(x, res, ri, &h, c);
		}
	} else if (k.n == 0) {
		/* Nothing to point at (a rule of negations over metrics). */
		struct chit h = {.kind = CH_METRIC, .utt = -1, .at_ms = -1};

		rc = emit(x, res, ri, &h, &x->e->conds[r->cond0]);
	} else {
		qsort_r(k.idx, (size_t)k.n, sizeof(int), chit_cmp, x);
		for (i = 0; i < k.n && !rc; i++) {
			const struct chit *h = &x->hits[k.idx[i]];

			if (i > 0 && same_place(h, &x->hits[k.idx[i - 1]]))
				continue;
			rc = emit(x, res, ri, h, &x->e->conds[h->cond]);
		}
	}
	free(k.idx);
	if (!rc && r->severity == QA_HIGH)
		res->high += res->nhits - first;
	return rc;
}

/* ---- the run ---- */

static void run_free(struct run *x)
{
	if (x->texts)
		for (int u = 0; u < x->c->nutt; u++)
			qa_text_free(&x->texts[u]);
	free(x->texts);
	free(x->seq);
	free(x->occs);
	free(x->occ0);
	free(x->val);
	free(x->nval);
	free(x->h0);
	free(x->hn);
	free(x->hits);
	pcre2_match_data_free(x->md);
}

void qa_result_free(struct qa_result *r)
{
	for (int i = 0; i < r->nhits; i++)
		free(r->hits[i].text);
	free(r->hits);
	memset(r, 0, sizeof(*r));
}

int qa_run(const struct qa_engine *e, const struct qa_contact *c, struct qa_result *res)
{
	struct run x = {0};
	int u, rc = 0, ri, score = 100;

	memset(res, 0, sizeof(*res));
	x.e = e;
	x.c = c;
	x.texts = calloc((size_t)c->nutt + 1, sizeof(*x.texts));
	x.seq = calloc((size_t)c->nutt + 1, sizeof(int));
	x.val = malloc((size_t)e->nconds + 1);
	x.nval = malloc((size_t)e->nnodes + 1);
	x.h0 = calloc((size_t)e->nconds + 1, sizeof(int));
	x.hn = calloc((size_t)e->nconds + 1, sizeof(int));
	x.md = pcre2_match_data_create(1, NULL);
	if (!x.texts || !x.seq || !x.val || !x.nval || !x.h0 || !x.hn || !x.md) {
		rc = ERR_NOMEM;
		goto done;
	}
	memset(x.val, -1, (size_t)e->nconds + 1);
	memset(x.nval, -1, (size_t)e->nnodes + 1);
	for (u = 0; u < c->nutt; u++) {
		int sp = c->utt[u].speaker == QA_CUSTOMER ? QA_CUSTOMER : QA_AGENT;

		x.seq[u] = x.nspk[sp]++;
		x.nspk[QA_ANY]++;
		if (c->utt[u].end_ms > x.last_end)
			x.last_end = c->utt[u].end_ms;
	}
	for (u = 0; u < c->nutt; u++) {
		struct scan_arg a = {&x, u};

		if ((rc = qa_text_norm(&x.texts[u], c->utt[u].text ? c->utt[u].text : "")))
			goto done;
		if ((rc = qa_ac_scan(e->ac, x.texts[u].cp, x.texts[u].n, on_match, &a)))
			goto done;
	}
	if ((rc = file_occs(&x)))
		goto done;
	for (ri = 0; ri < e->nrules; ri++) {
		const struct qa_rule *r = &e->rules[ri];

		if (!(r->kinds & c->kind) || r->root < 0)
			continue;
		/* Without a transcript, words required or forbidden cannot be
		 * judged: "您好 not said" would be every such call's deduction. */
		if (r->needs_text && c->nutt == 0)
			continue;
		if (!eval_node(&x, r->root))
			continue;
		if (x.rc || (rc = rule_hits(&x, res, ri)))
			break;
		res->matched++;
		score += r->score;
		res->fatal |= r->fatal;
	}
	rc = rc ? rc : x.rc;
	/* Each rule once, however many hits; clamped; a fatal item is 0. */
	res->score = score < 0 ? 0 : score > 100 ? 100 : score;
	if (res->fatal)
		res->score = 0;
done:
	run_free(&x);
	if (rc)
		qa_result_free(res);
	return rc;
}
