/*
 * perf's absence proposals (PERF-5): the scheduler's tick walks every
 * registered source's absences (training sessions, meetings: struct
 * perf_source in perf.h) recorded since the source's cursor, and makes
 * each a penalty proposal in the category of a late arrival or an absence
 * (late_meeting ¥10, absent_meeting ¥30 by default) for a supervisor to
 * confirm or dismiss. A proposal is unique by its cause (the source's
 * record), so a walk repeated after a crash writes nothing twice; the
 * cursor moves in the same transaction as the proposals.
 */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "perf/perf.h"
#include "store/store.h"

struct walk {
	struct store *s;
	int64_t now;
	struct perf_category late, absent;
	int have_late, have_absent;
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
	for (int i = 0; i < n && rc == 0; i++) {
		int64_t from = 0;

		if (!src[i]->absences)
			continue;
		rc = store_begin(s);
		if (rc < 0)
			return rc;
		w.have_late = perf_category_by_code(s, "late_meeting", &w.late) == 0;
		w.have_absent = perf_category_by_code(s, "absent_meeting", &w.absent) == 0;
		rc = perf_case_cursor_get(s, src[i]->name, &from);
		if (rc == 0 && from < now)
			rc = src[i]->absences(s, from, now, absence_seen, &w);
		if (rc >= 0)
			rc = perf_case_cursor_set(s, src[i]->name, now > from ? now : from);
		if (rc < 0) {
			store_rollback(s);
			log_msg(LOG_WARN, "perf_case_tick: %s: %d", src[i]->name, rc);
			return rc;
		}
		rc = store_commit(s);
	}
	return rc < 0 ? rc : w.made;
}
