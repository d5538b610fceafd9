/*
 * The roster at work outside its page: the publication deadline's tick
 * (WFM-2) and the check acd makes before an agent sets ready (WFM-3).
 * Both read the store and take now; the tick owns its transaction.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "notify/notify.h"
#include "store/store.h"
#include "wfm/wfm.h"

#define DAY_MS 86400000LL
#define PLANNERS_MAX 64

static const struct audit_actor system_actor = {0, "system", NULL};

/* The first millisecond of local day d (days since the epoch). */
static int64_t day_start_ms(int64_t d)
{
	return clock_day_start(d * DAY_MS + DAY_MS / 2);
}

/* ---- the publication deadline (WFM-2) ---- */

/* Sends one notice of kind to every planner and audits it, in the caller's transaction. */
static int notice_send(struct store *s, const char *month, const char *kind, const char *text,
		       const char *deadline, int64_t now)
{
	int64_t ids[PLANNERS_MAX];
	struct audit_detail d;
	int n = wfm_roster_planners(s, ids, PLANNERS_MAX), rc = 0;

	if (n < 0)
		return n;
	for (int i = 0; i < n && rc == 0; i++)
		rc = notify_send(s, ids[i], kind, 0, text, now);
	if (rc < 0)
		return rc;
	audit_detail_init(&d);
	audit_detail_str(&d, "month", month);
	audit_detail_str(&d, "deadline", deadline);
	audit_detail_int(&d, "notified", n);
	return audit_append_detail(s, &system_actor, now,
				   strcmp(kind, "roster.reminder") == 0
					   ? "wfm.roster.reminder"
					   : "wfm.roster.deadline_missed",
				   "wfm_roster", 0, "ok", &d);
}

int wfm_roster_tick(struct store *s, int64_t now)
{
	struct wfm_settings w;
	struct wfm_roster r;
	int ymd = clock_local_ymd(now), y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
	int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1, rc, sent = 0;
	char month[16], today[24], deadline[24], text[NOTIFY_TEXT_SIZE];
	const char *kind;

	rc = wfm_settings_get(s, &w);
	if (rc < 0)
		return rc;
	/* Nothing is due before the reminders' first day. */
	if (d < w.publish_day - w.publish_remind_days)
		return 0;
	snprintf(month, sizeof(month), "%04d-%02d", ny, nm);
	snprintf(today, sizeof(today), "%04d-%02d-%02d", y, m, d);
	snprintf(deadline, sizeof(deadline), "%04d-%02d-%02d", y, m, w.publish_day);
	rc = wfm_roster_get(s, month, &r);
	if (rc < 0 || r.published)
		return rc;
	rc = store_begin(s);
	if (rc < 0)
		return rc;
	if (d < w.publish_day) {
		/* A reminder each day of the window; the day is the key. */
		kind = "roster.reminder";
		rc = wfm_roster_notice_mark(s, month, "reminder", today, now);
		snprintf(text, sizeof(text), "%s 排班表须在 %s 之前发布，请尽快完成并发布。", month,
			 deadline);
	} else {
		/* One alert for the month: the deadline is the key. */
		kind = "roster.deadline_missed";
		rc = wfm_roster_notice_mark(s, month, "alert", deadline, now);
		snprintf(text, sizeof(text), "%s 排班表未在 %s 之前发布，已超过发布期限。", month,
			 deadline);
	}
	if (rc == 1) {
		rc = notice_send(s, month, kind, text, deadline, now);
		sent = 1;
	}
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	rc = store_commit(s);
	if (rc < 0)
		return rc;
	if (sent) {
		notify_wake();
		log_info("wfm: %s of the %s roster (deadline %s)", kind, month, deadline);
	}
	return sent;
}

/* ---- working outside one's shift (WFM-3) ---- */

struct duty {
	struct store *s;
	int64_t now;
	int64_t grace_ms;
	int published[3]; /* the months of days D-1, D, D+1 */
	int64_t day0;	  /* D-1 */
	int covered;
	int rc;
};

static int duty_cell(void *ctx, const struct wfm_roster_entry *c)
{
	struct duty *du = ctx;
	struct wfm_shift_type t;
	int y, m, dd;
	int64_t day;

	if (sscanf(c->day, "%4d-%2d-%2d", &y, &m, &dd) != 3)
		return 0;
	day = clock_days_from_civil(y, m, dd);
	if (day < du->day0 || day > du->day0 + 2 || !du->published[day - du->day0])
		return 0;
	du->rc = wfm_shift_type_get(du->s, c->shift_type_id, &t);
	if (du->rc < 0)
		return du->rc;
	for (int i = 0; i < t.nseg; i++) {
		int64_t start = day_start_ms(day) + (int64_t)t.seg[i].start * 60000;
		int64_t end = t.seg[i].end <= t.seg[i].start
				      ? day_start_ms(day + 1) + (int64_t)t.seg[i].end * 60000
				      : day_start_ms(day) + (int64_t)t.seg[i].end * 60000;

		if (du->now >= start - du->grace_ms && du->now < end)
			du->covered = 1;
	}
	return 0;
}

int wfm_ready_check(struct store *s, int64_t person_id, int64_t now, struct err_info *ei)
{
	struct wfm_roster_person p;
	struct wfm_settings w;
	struct wfm_roster r;
	struct duty du = {.s = s, .now = now};
	int64_t today = wfm_today(now);
	char from[11], to[11];
	int rc;

	for (int i = 0; i < 3; i++) {
		int y, m, d;
		char month[16];

		clock_civil_from_days(today - 1 + i, &y, &m, &d);
		snprintf(month, sizeof(month), "%04d-%02d", y, m);
		rc = wfm_roster_get(s, month, &r);
		if (rc < 0)
			return rc;
		du.published[i] = r.published;
	}
	/* Without a published roster for today's month nothing is planned yet. */
	if (!du.published[1])
		return 0;
	rc = wfm_roster_person_get(s, person_id, &p);
	if (rc == ERR_NOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	/* WFM-1: the manager and supervisors are reachable round the clock. */
	if (p.roles & (ROLE_MANAGER | ROLE_SUPERVISOR) || !(p.roles & ROLE_AGENT))
		return 0;
	rc = wfm_settings_get(s, &w);
	if (rc < 0)
		return rc;
	/* WFM-6: agents arrive before the shift, and may get ready then. */
	du.grace_ms = (int64_t)w.arrive_before_min * 60000;
	du.day0 = today - 1;
	wfm_date_text(today - 1, from, sizeof(from));
	wfm_date_text(today + 1, to, sizeof(to));
	rc = wfm_roster_person_cells(s, person_id, from, to, duty_cell, &du);
	if (rc < 0)
		return rc;
	if (du.rc < 0)
		return du.rc;
	if (du.covered)
		return 0;
	rc = wfm_outside_approved_at(s, person_id, now);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return 0;
	return err_set(ei, ERR_CONFLICT, "outside_work",
		       "outside your rostered shift: working now needs the manager's approval;"
		       " ask for it, or a supervisor grants it");
}
