/*
 * The meetings' tick (MTG-1), every minute: the active schedules' meetings
 * made two days ahead, once per (schedule, start); each non-routine
 * meeting's notice to its attendees a day before it begins, once; and a
 * reminder to the owner of each action item that fell due, once. Each step
 * is its own transaction, and each is idempotent: a crash between two
 * leaves the next round to finish the work.
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "mtg/mtg.h"
#include "notify/notify.h"
#include "store/store.h"

#define SCHEDULES_MAX 64
#define BATCH_MAX 64

struct schedules {
	struct mtg_schedule sc[SCHEDULES_MAX];
	int n;
};

static int sched_row(void *arg, const struct mtg_schedule *sc)
{
	struct schedules *all = arg;

	if (sc->active && sc->type >= 0 && all->n < SCHEDULES_MAX)
		all->sc[all->n++] = *sc;
	return 0;
}

struct ensure {
	struct store *s;
	const struct mtg_schedule *sc;
	int64_t now;
	int made;
};

static int ensure_one(void *arg, int64_t starts_at)
{
	struct ensure *e = arg;
	int rc = mtg_meeting_ensure(e->s, e->sc, starts_at, e->now);

	if (rc > 0)
		e->made++;
	return rc < 0 ? rc : 0;
}

/* The schedules' meetings from the start of today to two days ahead. */
static int make_meetings(struct store *s, int64_t now)
{
	struct schedules all;
	struct ensure e = {s, NULL, now, 0};
	int rc;

	all.n = 0;
	rc = mtg_schedules(s, sched_row, &all);
	if (rc < 0)
		return rc;
	rc = store_begin(s);
	for (int i = 0; rc >= 0 && i < all.n; i++) {
		e.sc = &all.sc[i];
		rc = mtg_schedule_starts(e.sc, clock_day_start(now), now + MTG_HORIZON_MS,
					 ensure_one, &e);
	}
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	rc = store_commit(s);
	return rc < 0 ? rc : e.made;
}

struct notice {
	int64_t id;
	int64_t starts_at;
	char text[NOTIFY_TEXT_SIZE];
};

struct notices {
	struct notice n[BATCH_MAX];
	int count;
};

static int notice_row(void *arg, const struct mtg_meeting *m)
{
	struct notices *all = arg;
	struct notice *n;
	char when[32];
	int ymd = clock_local_ymd(m->starts_at), minute = clock_local_minute(m->starts_at);

	if (all->count >= BATCH_MAX)
		return 0;
	n = &all->n[all->count++];
	n->id = m->id;
	n->starts_at = m->starts_at;
	snprintf(when, sizeof(when), "%d月%d日 %02d:%02d", ymd / 100 % 100, ymd % 100, minute / 60,
		 minute % 60);
	snprintf(n->text, sizeof(n->text), "会议通知：%.300s，%s，地点：%.200s", m->title, when,
		 m->location[0] ? m->location : "待定");
	return 0;
}

struct send {
	struct store *s;
	const char *text;
	int64_t now;
};

static int send_row(void *arg, const struct mtg_attendee *a)
{
	struct send *x = arg;

	return notify_send(x->s, a->person_id, "meeting.notice", 0, x->text, x->now);
}

/* Notices of the meetings beginning within a day that have had none. */
static int send_notices(struct store *s, int64_t now)
{
	struct notices all;
	int rc, sent = 0;

	all.count = 0;
	rc = mtg_meetings_to_notify(s, now, notice_row, &all);
	if (rc < 0)
		return rc;
	for (int i = 0; i < all.count; i++) {
		struct send x = {s, all.n[i].text, now};

		rc = store_begin(s);
		if (rc == 0)
			rc = mtg_attendees(s, all.n[i].id, send_row, &x);
		if (rc >= 0)
			rc = mtg_meeting_notified(s, all.n[i].id, now);
		if (rc < 0) {
			store_rollback(s);
			return rc;
		}
		rc = store_commit(s);
		if (rc < 0)
			return rc;
		sent++;
	}
	return sent;
}

struct due {
	int64_t id, owner_id;
	char text[NOTIFY_TEXT_SIZE];
};

struct dues {
	struct due d[BATCH_MAX];
	int count;
};

static int due_row(void *arg, const struct mtg_action *a)
{
	struct dues *all = arg;
	struct due *d;

	if (all->count >= BATCH_MAX)
		return 0;
	d = &all->d[all->count++];
	d->id = a->id;
	d->owner_id = a->owner_id;
	snprintf(d->text, sizeof(d->text), "会议待办已到期：%.300s（%.200s）", a->title,
		 a->meeting_title);
	return 0;
}

/* One reminder to the owner of each open action item that fell due. */
static int remind_actions(struct store *s, int64_t now)
{
	struct dues all;
	struct mtg_action_filter f = {0, 0, "open", now + 1, 1};
	int rc;

	all.count = 0;
	rc = mtg_actions(s, &f, due_row, &all);
	if (rc < 0 || all.count == 0)
		return rc < 0 ? rc : 0;
	rc = store_begin(s);
	for (int i = 0; rc >= 0 && i < all.count; i++) {
		rc = notify_send(s, all.d[i].owner_id, "meeting.action", 0, all.d[i].text, now);
		if (rc >= 0)
			rc = mtg_action_reminded(s, all.d[i].id, now);
	}
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	rc = store_commit(s);
	return rc < 0 ? rc : all.count;
}

int mtg_tick(struct store *s, int64_t now, void *arg)
{
	int made, sent, reminded;

	(void)arg;
	made = make_meetings(s, now);
	if (made < 0)
		return made;
	sent = send_notices(s, now);
	if (sent < 0)
		return sent;
	reminded = remind_actions(s, now);
	if (reminded < 0)
		return reminded;
	if (sent > 0 || reminded > 0)
		notify_wake();
	return made + sent + reminded;
}
