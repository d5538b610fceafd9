/*
 * qa — quality inspection (质检, issue 15; QA-1..5, CALL-2..8, CALL-11,
 * CB-3): every contact checked automatically against the center's rules,
 * supervisors' review with a scorecard, agents' appeals, and the reports.
 * The tables and JSON shapes the parts share are docs/qa.md's contract
 * (migration 20). Each part keeps its own section of this header below,
 * and its own files named qa_<part>.c.
 */
#ifndef KEFU_QA_QA_H
#define KEFU_QA_QA_H

#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

struct store;
struct export_book;

/* ==== Reports (qa_report.c, qa_report_store.c, qa_report_api.c, qa_report_xlsx.c) ====
 *
 * The daily quality-anomaly report (质量异常分析日报表, QA-2) and the
 * agents' weekly, biweekly and monthly figures with the month's service
 * star (QA-5, CB-3). docs/qa.md, "Reports", defines every figure.
 *
 * How it works. The figures are computed from rows, never stored while
 * they can still change: qa_report_store.c reads the automatic checks
 * (qa_check) of a range of the center's days and their hits (qa_hit), and
 * qa_report.c (pure: no I/O, no JSON, no clock) turns them into the day's
 * figures (checks, average score, fatal checks, hits by rule, the agents
 * with the most high-severity hits, the lowest-scoring contacts) or into
 * one row per agent. The survey (CALL-3) and the center's callbacks (CB-3)
 * are read through src/report/, the daily callback report's own queries;
 * the supervisors' closed reviews (QA-1) by one function of the store file
 * from the review's table, when it exists.
 * A day's report is a draft (its figures computed each time it is read)
 * until the supervisor sends it: then the figures are frozen as JSON in
 * qa_daily (migration 23), the texts become read-only and the managers are
 * notified. Days and periods are the center's (clock.h's zone).
 *
 * Periods (QA-5): a week is Monday to Sunday; a biweekly period is two
 * such weeks counted from Monday 2024-01-01 (so every other Monday starts
 * one); a month is the calendar month. Each has a previous period of the
 * same kind for the trend.
 *
 * The month's service star: among agents with at least QA_STAR_MIN_CHECKS
 * checked contacts and no fatal check in the month, the highest combined
 * score = (0.6·Q + 0.3·S + 0.1·C) / (the weights of the parts present),
 * Q the average automatic score, S the survey average × 20, C the share of
 * reached callbacks accepted × 100 (S and C absent when there is no rating
 * or no reached callback); ties go to more checks, then the lower id.
 */

#define QA_REPORT_TOP 10      /* rules, agents and contacts listed in a day's report */
#define QA_AGENT_TOP_RULES 3  /* rules listed per agent */
#define QA_STAR_MIN_CHECKS 10 /* checked contacts in the month to be the star */
#define QA_TEXT_MAX 4000      /* characters of each text of the daily report */

enum qa_period { QA_WEEK, QA_BIWEEK, QA_MONTH };

/* "week", "biweek", "month" → the period; -1 if unknown. */
int qa_period_parse(const char *name);
const char *qa_period_name(enum qa_period p);

/* A period as the center's local days, inclusive (YYYYMMDD). */
struct qa_period_days {
	int from, to;
	int prev_from, prev_to;
};
/* The period of kind p that holds the date ymd; ERR_INVALID for no date. */
int qa_period_of(enum qa_period p, int ymd, struct qa_period_days *out);
/* Date arithmetic on YYYYMMDD: the date n days later (n may be negative),
 * and the weekday (1 Monday .. 7 Sunday). */
int qa_ymd_add(int ymd, int n);
int qa_ymd_weekday(int ymd);

/* One automatic check as the reports read it. */
struct qa_rep_check {
	int64_t id, ref_id, agent_id, contact_at;
	char kind[12];
	int score, fatal, hits, high, transcript;
};

/* One hit as the reports read it, with the agent of its check. */
struct qa_rep_hit {
	int64_t check_id, rule_id, agent_id;
	int high, fatal;
};

/* A rule's hits in a range. */
struct qa_rule_count {
	int64_t rule_id;
	int64_t hits, checks, high, fatal; /* checks: contacts it hit */
};

/* An agent's checks in a range. */
struct qa_agent_count {
	int64_t agent_id;
	int64_t checks, score_sum, fatal, hits, high;
};

/* The figures of one day drawn from its checks and hits. */
struct qa_day_figures {
	int64_t checks, transcribed, score_sum, fatal, with_hits, hits, high;
	struct qa_rule_count rules[QA_REPORT_TOP];
	int nrules;
	struct qa_agent_count agents[QA_REPORT_TOP]; /* with hits, most high first */
	int nagents;
	struct qa_rep_check lowest[QA_REPORT_TOP];
	int nlowest;
};

/*
 * The day's figures from all its checks and all their hits (any order;
 * the arrays are sorted in place). ERR_NOMEM, or 0.
 */
int qa_day_figures_make(struct qa_rep_check *checks, size_t nchecks, struct qa_rep_hit *hits,
			size_t nhits, struct qa_day_figures *out);

/* One agent's row of a period (QA-5). */
struct qa_agent_row {
	int64_t agent_id;
	char work_no[33];
	char name[257];
	struct qa_agent_count now, prev; /* this period and the previous one */
	struct qa_rule_count top[QA_AGENT_TOP_RULES];
	int ntop;
	char top_text[400]; /* the top rules in words, for the spreadsheet (filled by the caller) */
	int64_t rated, rating_sum;	     /* the survey (CALL-3) */
	int64_t cb_accepted, cb_not_accepted; /* reached callbacks (CB-3) */
	int64_t cb_attempts;
	int64_t reviews, review_sum; /* the supervisors' closed reviews (QA-1), when kept */
	int eligible;	 /* may be the month's star */
	double combined; /* the star's score, when there are checks */
	int has_combined;
	int star;
};

/*
 * Fills rows' QA figures (now, prev, top) from the period's checks and hits
 * and the previous period's checks; rows must be sorted by agent_id and
 * hold every agent the checks name (others are ignored). Sorts the arrays
 * in place. ERR_NOMEM, or 0.
 */
int qa_agent_rows_fill(struct qa_agent_row *rows, size_t nrows, struct qa_rep_check *checks,
		       size_t nchecks, struct qa_rep_hit *hits, size_t nhits,
		       struct qa_rep_check *prev, size_t nprev);
/* The combined score of a row (see above); 0 and *ok = 0 without checks. */
double qa_star_score(const struct qa_agent_row *r, int *ok);
/* Scores every row, marks the eligible ones and the star; returns the
 * star's index, or -1 when nobody is eligible. */
int qa_star_pick(struct qa_agent_row *rows, size_t n);

/* qa_report_store.c */
int qa_rep_checks_load(struct store *s, int64_t start, int64_t end, int64_t agent_id,
		       struct qa_rep_check **out, size_t *n);
int qa_rep_hits_load(struct store *s, int64_t start, int64_t end, int64_t agent_id,
		     struct qa_rep_hit **out, size_t *n);

struct qa_rule_name {
	int64_t id;
	char code[65];
	char name[257];
};
/* The rules' codes and names, by id. */
int qa_rule_name_get(struct store *s, int64_t id, struct qa_rule_name *out);

/* The daily report's row (migration 23). */
struct qa_daily {
	int64_t id;
	char day[11];
	char state[8]; /* "draft" or "sent" */
	char *figures; /* sent: the snapshot (JSON); NULL for a draft */
	char *anomaly, *causes, *measures;
	int64_t author_id;
	char author_name[257];
	char *sent_to; /* JSON array of ids, or NULL */
	int64_t sent_at, created_at, updated_at;
};
void qa_daily_free(struct qa_daily *d);
/* The row of a day; ERR_NOTFOUND when none was written. */
int qa_daily_get(struct store *s, const char *day, struct qa_daily *out);
/* Writes the texts of a draft (creating it); in the caller's transaction. */
int qa_daily_save(struct store *s, const char *day, const char *anomaly, const char *causes,
		  const char *measures, int64_t author_id, int64_t now);
/* Marks the day's draft sent with the figures and recipients. */
int qa_daily_mark_sent(struct store *s, const char *day, const char *figures,
		       const char *sent_to, int64_t author_id, int64_t now);
/* The rows of days from..to (YYYY-MM-DD), newest first; state NULL: any. */
int qa_daily_list(struct store *s, const char *from, const char *to, const char *state,
		  int (*row)(void *ctx, const struct qa_daily *d), void *ctx);
/* The active people with role bits, by id, into ids (at most max). */
int qa_people_with_role(struct store *s, unsigned roles, int64_t *ids, int max);
/* The period's agent rows (active agents and whoever the checks name),
 * sorted by id, with the survey, callbacks and reviews filled; agent_id >
 * 0: only that agent. */
int qa_agent_rows_load(struct store *s, int64_t start, int64_t end, int64_t agent_id,
		       struct qa_agent_row **out, size_t *n);

/* qa_report_xlsx.c: the per-agent table as a spreadsheet. */
int qa_agents_xlsx(const struct qa_agent_row *rows, size_t n, const char *title,
		   const char *subtitle, const char *made_by, const char *made_on, int english,
		   struct export_book **out);

/* qa_report_api.c */
extern const struct route qa_report_routes[];

/* ==== end of Reports ==== */

#endif
