/*
 * The summaries of the center's closed days: the registry of the kinds of
 * report and the tick that keeps their summary tables current (report.h
 * tells the scheme). SQL over migration 42's report_built and report_dirty.
 */
#include <assert.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "report/report.h"
#include "store/store.h"

#define KINDS_MAX 16
#define DIRTY_ROUND 16 /* marked days one round rebuilds, per kind */

static const struct report_kind *kinds[KINDS_MAX];
static int nkinds;

int report_kind_add(const struct report_kind *k)
{
	assert(k && k->name && k->build && k->first);
	if (nkinds == KINDS_MAX)
		return ERR_TOOBIG;
	kinds[nkinds++] = k;
	return 0;
}

void report_kinds_reset(void)
{
	nkinds = 0;
}

int report_day_mark(struct store *s, const char *kind, int ymd)
{
	int rc = store_run(s,
			   "INSERT INTO report_dirty(kind, ymd) SELECT ?1, ?2 WHERE ?2 <= "
			   " (SELECT through_ymd FROM report_built WHERE kind = ?1)"
			   " ON CONFLICT DO NOTHING",
			   NULL, "ti", kind, (int64_t)ymd);
	return rc < 0 ? rc : 0;
}

int report_sum_through(struct store *s, const char *kind)
{
	int64_t through = 0;
	int rc = store_run(s, "SELECT through_ymd FROM report_built WHERE kind = ?", &through, "t",
			   kind);

	return rc < 0 ? rc : (int)through;
}

/* The date after ymd. */
static int next_ymd(int ymd)
{
	int y, m, d;

	clock_civil_from_days(clock_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100) + 1,
			      &y, &m, &d);
	return y * 10000 + m * 100 + d;
}

/* The date before ymd. */
static int prev_ymd(int ymd)
{
	int y, m, d;

	clock_civil_from_days(clock_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100) - 1,
			      &y, &m, &d);
	return y * 10000 + m * 100 + d;
}

/* Rebuilds one day of a kind in its own transaction; when through is set, moves the end there. */
static int build_day(struct store *s, const struct report_kind *k, int ymd, int through)
{
	int64_t start = report_day_start(ymd);
	int rc = store_begin(s);

	if (rc < 0)
		return rc;
	rc = store_run(s, "DELETE FROM report_dirty WHERE kind = ? AND ymd = ?", NULL, "ti",
		       k->name, (int64_t)ymd);
	if (rc >= 0)
		rc = k->build(s, ymd, start, clock_day_end(start), k->arg);
	if (rc >= 0 && through)
		rc = store_run(s, "UPDATE report_built SET through_ymd = ? WHERE kind = ?", NULL,
			       "it", (int64_t)through, k->name);
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s);
}

static int read_int(struct store_stmt *st, void *dst)
{
	*(int *)dst = (int)store_col_int(st, 0);
	return 0;
}

/* Where the kind's summary stands: its end and cursor, made on first sight. */
static int kind_state(struct store *s, const struct report_kind *k, int yesterday, int *through,
		      int64_t *cursor)
{
	int64_t v = 0;
	int rc;

	rc = store_run(s, "SELECT through_ymd FROM report_built WHERE kind = ?", &v, "t", k->name);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		/* A new kind starts the day before its first fact, or at yesterday with none. */
		v = k->first(s, k->arg);
		if (v < 0)
			return (int)v;
		*through = v ? prev_ymd(clock_local_ymd(v)) : yesterday;
		if (*through > yesterday)
			*through = yesterday;
		*cursor = 0;
		rc = store_run(s, "INSERT INTO report_built(kind, through_ymd, cursor) VALUES (?, ?, 0)",
			       NULL, "ti", k->name, (int64_t)*through);
		return rc < 0 ? rc : 0;
	}
	*through = (int)v;
	rc = store_run(s, "SELECT cursor FROM report_built WHERE kind = ?", cursor, "t", k->name);
	return rc < 0 ? rc : 0;
}

static int tick_kind(struct store *s, const struct report_kind *k, int yesterday)
{
	int through = 0, days[DIRTY_ROUND], ndays = 0, rc;
	int64_t cursor = 0, was;
	struct store_stmt *st;

	rc = store_begin(s);
	if (rc < 0)
		return rc;
	rc = kind_state(s, k, yesterday, &through, &cursor);
	was = cursor;
	if (rc >= 0 && k->changed)
		rc = k->changed(s, &cursor, k->arg);
	if (rc >= 0 && cursor != was)
		rc = store_run(s, "UPDATE report_built SET cursor = ? WHERE kind = ?", NULL, "it",
			       cursor, k->name);
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	rc = store_commit(s);
	if (rc < 0)
		return rc;

	st = store_query(s, "SELECT ymd FROM report_dirty WHERE kind = ? ORDER BY ymd LIMIT ?", "ti",
			 k->name, (int64_t)DIRTY_ROUND);
	while ((rc = store_next(st, read_int, &days[ndays])) == 1 && ++ndays < DIRTY_ROUND)
		;
	rc = store_end(st, rc, ndays);
	for (int i = 0; rc >= 0 && i < ndays; i++)
		rc = build_day(s, k, days[i], 0);
	for (int i = 0; rc >= 0 && i < REPORT_SUM_ROUND && through < yesterday; i++) {
		through = next_ymd(through);
		rc = build_day(s, k, through, through);
	}
	return rc < 0 ? rc : 0;
}

int report_sum_tick(struct store *s, int64_t now, void *arg)
{
	int yesterday = clock_local_ymd(clock_day_start(now) - 1);
	int rc = 0;

	(void)arg;
	for (int i = 0; i < nkinds; i++) {
		int r = tick_kind(s, kinds[i], yesterday);

		/* One kind's failure is logged and does not hold the others back. */
		if (r < 0) {
			log_warn("report summary %s: %s", kinds[i]->name, err_name(r));
			rc = r;
		}
	}
	return rc;
}
