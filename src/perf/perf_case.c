/*
 * perf's cases, the rules (no I/O): the steps of penalties (PERF-5),
 * proposals (PERF-2) and the grievance award (PERF-4), the escalation of
 * repeat offences (seed 000 第十一节三) and the settings' sanity.
 */
#include <string.h>

#include "core/err.h"
#include "perf/perf.h"

struct step {
	const char *from, *step, *to;
};

static int next_of(const struct step *t, size_t n, const char *state, const char *step,
		   const char **next)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].from, state) == 0 && strcmp(t[i].step, step) == 0) {
			*next = t[i].to;
			return 0;
		}
	return ERR_CONFLICT;
}

#define NEXT(table, state, step, next)                                                             \
	next_of(table, sizeof(table) / sizeof(table[0]), state, step, next)

/*
 * A proposal from an absence waits for a supervisor; a recorded penalty
 * waits for the agent's answer; an objection waits for the manager, who
 * upholds it (the line is voided: cancelled) or overrules it (confirmed).
 */
static const struct step penalty_steps[] = {
	{"proposed", "confirm", "open"},	 {"proposed", "dismiss", "dismissed"},
	{"open", "acknowledge", "acknowledged"}, {"open", "object", "objected"},
	{"objected", "uphold", "cancelled"},	 {"objected", "overrule", "confirmed"},
};

static const struct step proposal_steps[] = {
	{"submitted", "review", "reviewed"}, {"submitted", "reject", "rejected"},
	{"reviewed", "adopt", "adopted"},    {"reviewed", "reject", "rejected"},
	{"adopted", "pay", "paid"},
};

/* PERF-4: center → manager's first review → HR verifies → the general
 * office decides the level → announcement; each reviewer may reject. */
static const struct step grievance_steps[] = {
	{"submitted", "review", "reviewed"}, {"reviewed", "verify", "verified"},
	{"verified", "decide", "decided"},   {"decided", "announce", "announced"},
	{"submitted", "reject", "rejected"}, {"reviewed", "reject", "rejected"},
	{"verified", "reject", "rejected"},
};

int perf_penalty_next(const char *state, const char *step, const char **next)
{
	return NEXT(penalty_steps, state, step, next);
}

int perf_proposal_next(const char *state, const char *step, const char **next)
{
	return NEXT(proposal_steps, state, step, next);
}

int perf_grievance_next(const char *state, const char *step, const char **next)
{
	return NEXT(grievance_steps, state, step, next);
}

const char *perf_grievance_reject_step(const char *state)
{
	return !strcmp(state, "submitted")  ? "review"
	       : !strcmp(state, "reviewed") ? "verify"
	       : !strcmp(state, "verified") ? "decide"
					    : NULL;
}

int perf_penalty_counts(const char *state)
{
	return !strcmp(state, "open") || !strcmp(state, "acknowledged") ||
	       !strcmp(state, "objected") || !strcmp(state, "confirmed");
}

/*
 * Seed 000 第五节五 (屡犯同类错误…应加重处罚，直到辞退) and 第十一节三
 * (口头警告, 屡教不改者劝离, the worst 开除): the nth offence of one kind
 * in the window proposes the next measure to HR, once, when n reaches it.
 */
const char *perf_escalation_level(const struct perf_case_settings *cs, int n)
{
	if (n == cs->dismiss_at)
		return "dismiss";
	if (n == cs->persuade_at)
		return "persuade";
	if (n == cs->warn_at)
		return "warning";
	return NULL;
}

int perf_case_settings_check(const struct perf_case_settings *cs)
{
	if (cs->escalate_window_days < 1 || cs->escalate_window_days > 366)
		return PERF_BAD_WINDOW;
	if (cs->warn_at < 2 || cs->persuade_at <= cs->warn_at ||
	    cs->dismiss_at <= cs->persuade_at || cs->dismiss_at > 100)
		return PERF_BAD_STEPS;
	if (cs->grievance_fen[2] < 1 || cs->grievance_fen[1] <= cs->grievance_fen[2] ||
	    cs->grievance_fen[0] <= cs->grievance_fen[1] || cs->grievance_fen[0] > 10000000)
		return PERF_BAD_LEVELS;
	if (cs->proposal_min_fen < 1 || cs->proposal_max_fen < cs->proposal_min_fen ||
	    cs->proposal_max_fen > 10000000)
		return PERF_BAD_PROPOSAL;
	return 0;
}

int64_t perf_grievance_amount(const struct perf_case_settings *cs, int level)
{
	return level >= 1 && level <= 3 ? cs->grievance_fen[level - 1] : 0;
}
