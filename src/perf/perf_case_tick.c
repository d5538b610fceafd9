/*
 * perf's absence proposals (PERF-5): the scheduler's tick walks every
 * registered source's absences (training sessions, meetings: struct
 * perf_source in perf.h) recorded since the source's cursor, and makes
 * each a penalty proposal in the category of a late arrival or an absence
 * (late_meeting ¥10, absent_meeting ¥30 by default) for a supervisor to
 * confirm or dismiss. A proposal is unique by its cause (the source's
 * record), so a walk repeated after a crash writes nothing twice; the
 * cursor moves in the same transaction as the proposals.
 *
 * The sources' findings (an inspection's, LED-1) are walked the same way,
 * each proposing a penalty in the category it names by code, unless that
 * category is gone, switched off or takes the loss itself (its amount is
 * entered by hand).
 *
 * wfm's attendance (WFM-5) is walked the same way, a finished local day at
 * a time (up to a week per round; the first walk starts with yesterday):
 * a late arrival or an absence that is neither on leave nor excused
 * becomes a proposal in late_shift or absent_shift, unique by the person
 * and the day.
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "notify/notify.h"
#include "auth/auth.h"
#include "perf/perf.h"
#include "store/store.h"
#include "wfm/wfm.h"

struct walk {
	struct store *s;
	int64_t now;
	struct perf_category late, absent;
	int have_late, have_absent;
	int64_t day; /* the attendance walk's day (days since the epoch) */
	int made;
};

static int absence_seen(void *arg, const struct perf_absence *a)
{
	struct walk *w = arg;
	const struct perf_category *c = a->late ? &w->late : &w->absent;
	struct perf_penalty p;
	int rc;

	/* A category whose amount is entered by hand cannot be proposed. */
	if (!(a->late ? w->have_late : w->have_absent) || c->entered || c->amount_fen < 1 ||
	    a->person_id <= 0 || !a->source || !*a->source)
		return 0;
	memset(&p, 0, sizeof(p));
	p.person_id = a->person_id;
	p.category_id = c->id;
	p.amount_fen = c->amount_fen;
	p.occurred_at = a->at;
	snprintf(p.evidence, sizeof(p.evidence), "%s（%s）", a->title ? a->title : "",
		 a->late ? "迟到" : "缺席");
	snprintf(p.state, sizeof(p.state), "proposed");
	snprintf(p.source, sizeof(p.source), "%s", a->source);
	p.source_id = a->source_id;
	p.created_at = w->now;
	rc = perf_penalty_insert(w->s, &p);
	if (rc == 0 && p.id)
		w->made++;
	return rc;
}

static int finding_seen(void *arg, const struct perf_finding *f)
{
	struct walk *w = arg;
	struct perf_category c;
	struct perf_penalty p;
	int rc;

	if (f->person_id <= 0 || !f->source || !*f->source || !f->category)
		return 0;
	rc = perf_category_by_code(w->s, f->category, &c);
	if (rc == ERR_NOTFOUND || (rc == 0 && (!c.active || c.entered || c.amount_fen < 1)))
		return 0;
	if (rc < 0)
		return rc;
	memset(&p, 0, sizeof(p));
	p.person_id = f->person_id;
	p.category_id = c.id;
	p.amount_fen = c.amount_fen;
	p.occurred_at = f->at;
	snprintf(p.evidence, sizeof(p.evidence), "日常检查：%s", f->title ? f->title : "");
	snprintf(p.state, sizeof(p.state), "proposed");
	snprintf(p.source, sizeof(p.source), "%s", f->source);
	p.source_id = f->source_id;
	p.created_at = w->now;
	rc = perf_penalty_insert(w->s, &p);
	if (rc == 0 && p.id)
		w->made++;
	return rc;
}

/*
 * One walk of a source's absences (findings 0) or findings (1) since that
 * walk's own cursor, the proposals and the cursor in one transaction.
 */
static int source_walk(struct store *s, int64_t now, const struct perf_source *src, int findings,
		       struct walk *w)
{
	char key[64];
	int64_t from = 0;
	int rc = store_begin(s);

	if (rc < 0)
		return rc;
	snprintf(key, sizeof(key), findings ? "%s.findings" : "%s", src->name);
	if (!findings) {
		w->have_late = perf_category_by_code(s, "late_meeting", &w->late) == 0;
		w->have_absent = perf_category_by_code(s, "absent_meeting", &w->absent) == 0;
	}
	rc = perf_case_cursor_get(s, key, &from);
	if (rc == 0 && from < now)
		rc = findings ? src->findings(s, from, now, finding_seen, w)
			      : src->absences(s, from, now, absence_seen, w);
	if (rc >= 0)
		rc = perf_case_cursor_set(s, key, now > from ? now : from);
	if (rc < 0) {
		store_rollback(s);
		log_msg(LOG_WARN, "perf_case_tick: %s: %d", key, rc);
		return rc;
	}
	return store_commit(s);
}

#define ATTEND_SOURCE "wfm_attendance"
#define SUPERVISORS_MAX 64
#define ATTEND_DAYS_MAX 7
#define DAY_MS 86400000LL

/* The center's local day of ms, in days since the epoch. */
static int64_t day_of(int64_t ms)
{
	int ymd = clock_local_ymd(ms);

	return clock_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
}

static int attend_seen(void *ctx, const struct wfm_att_person *who, const char *day,
		       const struct wfm_attend_day *f)
{
	struct walk *w = ctx;
	const struct perf_category *c = f->is_absent ? &w->absent : &w->late;
	struct perf_penalty p;
	int y = 0, m = 0, d = 0, rc;

	if (f->on_leave || f->excused || !(f->is_late || f->is_absent) ||
	    !(f->is_absent ? w->have_absent : w->have_late) || c->entered || c->amount_fen < 1 ||
	    sscanf(day, "%d-%d-%d", &y, &m, &d) != 3)
		return 0;
	memset(&p, 0, sizeof(p));
	p.person_id = who->id;
	p.category_id = c->id;
	p.amount_fen = c->amount_fen;
	/* Noon of the day lies inside it in any zone; its local midnight is the day's start. */
	p.occurred_at = clock_day_start(clock_days_from_civil(y, m, d) * DAY_MS + DAY_MS / 2);
	if (f->is_absent)
		snprintf(p.evidence, sizeof(p.evidence), "考勤：%s 旷工", day);
	else
		snprintf(p.evidence, sizeof(p.evidence), "考勤：%s 迟到 %lld 分钟", day,
			 (long long)((f->late + 30000) / 60000)); /* to the nearest, as the sheet */
	snprintf(p.state, sizeof(p.state), "proposed");
	snprintf(p.source, sizeof(p.source), ATTEND_SOURCE);
	/* One per person and day: an absent day is not also late. */
	p.source_id = who->id * 100000 + clock_days_from_civil(y, m, d);
	p.created_at = w->now;
	rc = perf_penalty_insert(w->s, &p);
	if (rc == 0 && p.id)
		w->made++;
	return rc;
}

/* The finished days since the attendance cursor, at most a week a round. */
static int attendance(struct store *s, int64_t now, struct walk *w)
{
	int64_t last = day_of(now) - 1, done = 0;
	int n, rc = store_begin(s);

	if (rc < 0)
		return rc;
	rc = perf_case_cursor_get(s, ATTEND_SOURCE, &done);
	if (rc == 0 && done == 0)
		done = last - 1;
	n = (int)(last - done < ATTEND_DAYS_MAX ? last - done : ATTEND_DAYS_MAX);
	if (rc == 0 && n > 0) {
		w->have_late = perf_category_by_code(s, "late_shift", &w->late) == 0;
		w->have_absent = perf_category_by_code(s, "absent_shift", &w->absent) == 0;
		rc = wfm_attend_walk(s, now, 0, done + 1, n, attend_seen, w);
		if (rc == 0)
			rc = perf_case_cursor_set(s, ATTEND_SOURCE, done + n);
	}
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s);
}

/* The supervisors, who confirm or dismiss them, are told of new proposals. */
static int tell_supervisors(struct store *s, int64_t now, int made)
{
	int64_t ids[SUPERVISORS_MAX];
	char text[NOTIFY_TEXT_SIZE];
	int n, rc = store_begin(s);

	if (rc < 0)
		return rc;
	n = perf_people_with_roles(s, ROLE_SUPERVISOR, ids, SUPERVISORS_MAX);
	rc = n < 0 ? n : 0;
	snprintf(text, sizeof(text), "有 %d 条处罚建议待确认（迟到、缺席、日常检查）", made);
	for (int i = 0; i < n && rc == 0; i++)
		rc = notify_send(s, ids[i], "perf.penalty", 0, text, now);
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	rc = store_commit(s);
	if (rc == 0)
		notify_wake();
	return rc;
}

int perf_case_tick(struct store *s, int64_t now, void *arg)
{
	const struct perf_source *const *src;
	struct walk w;
	int n, rc = 0;

	(void)arg;
	src = perf_sources(&n);
	memset(&w, 0, sizeof(w));
	w.s = s;
	w.now = now;
	for (int i = 0; i < n && rc >= 0; i++)
		if (src[i]->absences)
			rc = source_walk(s, now, src[i], 0, &w);
	for (int i = 0; i < n && rc >= 0; i++)
		if (src[i]->findings)
			rc = source_walk(s, now, src[i], 1, &w);
	if (rc >= 0)
		rc = attendance(s, now, &w);
	if (rc >= 0 && w.made)
		rc = tell_supervisors(s, now, w.made);
	return rc < 0 ? rc : w.made;
}
