/*
 * The handover's engine: the live state read through the owning modules
 * (work orders and center callbacks from wo, callers' callback requests
 * from acd, hotline notices from ivr), the draft, the snapshot of WFM-7,
 * the signatures and the scheduler's tick with its reminders (WFM-6). Each
 * function but the tick works inside the caller's transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acd/acd.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mask.h"
#include "core/utf8.h"
#include "handover/handover.h"
#include "ivr/ivr.h"
#include "notify/notify.h"
#include "store/store.h"
#include "wfm/wfm.h"
#include "wo/wo.h"

#define PAGE 200
#define TITLE_CHARS 80 /* characters of a summary quoted in an item's title */

static const struct audit_actor system_actor = {0, "system", NULL};

/* ---- the live state ---- */

struct items {
	struct handover_item *v;
	size_t n, cap;
	int err;
};

static struct handover_item *items_add(struct items *a)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		struct handover_item *v = realloc(a->v, cap * sizeof(*v));

		if (!v) {
			a->err = ERR_NOMEM;
			return NULL;
		}
		a->v = v;
		a->cap = cap;
	}
	memset(&a->v[a->n], 0, sizeof(a->v[0]));
	a->v[a->n].included = 1;
	return &a->v[a->n++];
}

/* At most chars characters of text, never cutting one in half. */
static void cut(const char *text, size_t chars, char *out, size_t size)
{
	size_t i = 0, n = 0;

	while (text[i] && n < chars && i + 4 < size) {
		i++;
		while ((text[i] & 0xC0) == 0x80)
			i++;
		n++;
	}
	if (i >= size)
		i = size - 1;
	memcpy(out, text, i);
	out[i] = '\0';
	utf8_trim_partial(out);
	if (text[i] && i + 4 < size)
		strcat(out, "…");
}

/* The orders of the three lists, once each. */
struct order_ref {
	int64_t id;
	int level;
	char title[HANDOVER_TEXT_MAX * 4 + 1];
};

struct orders {
	struct order_ref *v;
	size_t n, cap;
	int64_t last_id; /* the page's last id: the next page's cursor */
	int page;
};

static int order_row(void *ctx, const struct wo_order *o)
{
	struct orders *a = ctx;
	char summary[TITLE_CHARS * 4 + 8];

	a->last_id = o->id;
	a->page++;
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].id == o->id)
			return 0;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		struct order_ref *v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			return ERR_NOMEM;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n].id = o->id;
	a->v[a->n].level = o->escalation_level;
	cut(o->summary, TITLE_CHARS, summary, sizeof(summary));
	snprintf(a->v[a->n].title, sizeof(a->v[a->n].title), "%s %s", o->number, summary);
	a->n++;
	return 0;
}

static int orders_of_view(struct store *s, enum wo_view view, int64_t due_before, struct orders *a)
{
	struct wo_filter f;
	int rc;

	memset(&f, 0, sizeof(f));
	f.view = view;
	f.due_before = due_before;
	f.limit = PAGE;
	do {
		a->page = 0;
		rc = wo_order_list(s, &f, order_row, a);
		f.before_id = a->last_id;
	} while (rc >= 0 && a->page == PAGE);
	return rc < 0 ? rc : 0;
}

static int earliest_running(void *ctx, const struct wo_sla *c)
{
	int64_t *due = ctx;

	if (strcmp(c->state, "running") == 0 && (*due == 0 || c->due_at < *due))
		*due = c->due_at;
	return 0;
}

/* Open orders with a deadline before next_at (overdue ones too) and escalated ones. */
static int collect_orders(struct store *s, int64_t next_at, struct items *out)
{
	struct orders a;
	int rc;

	memset(&a, 0, sizeof(a));
	/* due_soon: running, not breached, due at or before; overdue: breached. */
	rc = orders_of_view(s, WOV_DUE_SOON, next_at - 1, &a);
	if (rc == 0)
		rc = orders_of_view(s, WOV_OVERDUE, 0, &a);
	if (rc == 0)
		rc = orders_of_view(s, WOV_ESCALATED, 0, &a);
	for (size_t i = 0; rc == 0 && i < a.n; i++) {
		int64_t due = 0;
		int kind;
		struct handover_item *it;

		rc = wo_sla_list(s, a.v[i].id, earliest_running, &due);
		if (rc < 0)
			break;
		rc = 0;
		kind = handover_order_kind(a.v[i].level, due, next_at);
		if (kind < 0)
			continue;
		it = items_add(out);
		if (!it) {
			rc = out->err;
			break;
		}
		it->kind = kind;
		it->ref_id = a.v[i].id;
		it->due_at = due;
		snprintf(it->title, sizeof(it->title), "%s", a.v[i].title);
		snprintf(it->link, sizeof(it->link), "/orders/%lld", (long long)a.v[i].id);
	}
	free(a.v);
	return rc;
}

struct cb_walk {
	struct items *out;
	int64_t last_id;
	int page;
};

static int callback_row(void *ctx, const struct wo_callback_item *c)
{
	struct cb_walk *w = ctx;
	struct handover_item *it = items_add(w->out);
	char summary[TITLE_CHARS * 4 + 8];

	w->last_id = c->cb.id;
	w->page++;
	if (!it)
		return w->out->err;
	it->kind = HK_CALLBACK;
	it->ref_id = c->cb.id;
	it->due_at = c->cb.due_at;
	cut(c->order.summary, TITLE_CHARS, summary, sizeof(summary));
	snprintf(it->title, sizeof(it->title), "%s %s", c->order.number, summary);
	snprintf(it->link, sizeof(it->link), "/orders/%lld", (long long)c->order.id);
	return 0;
}

/* Center callbacks (CB-1) due before the end of the next shift. */
static int collect_callbacks(struct store *s, int64_t next_at, struct items *out)
{
	struct cb_walk w = {out, 0, 0};
	int rc;

	do {
		w.page = 0;
		rc = wo_callback_queue(s, next_at - 1, w.last_id, PAGE, callback_row, &w);
	} while (rc >= 0 && w.page == PAGE);
	return rc < 0 ? rc : 0;
}

struct req_walk {
	struct items *out;
	int64_t last_id;
	int page;
};

static int request_row(void *ctx, const struct acd_callback *c)
{
	struct req_walk *w = ctx;
	struct handover_item *it = items_add(w->out);
	char phone[ACD_PHONE_MAX + 8];

	w->last_id = c->id;
	w->page++;
	if (!it)
		return w->out->err;
	mask_phone(c->phone, phone, sizeof(phone));
	it->kind = HK_REQUEST;
	it->ref_id = c->id;
	snprintf(it->title, sizeof(it->title), "%s %s", c->queue_name[0] ? c->queue_name : c->queue,
		 phone);
	snprintf(it->link, sizeof(it->link), "/callback-requests");
	return 0;
}

/* Callers' callback requests still open, whenever made. */
static int collect_requests(struct store *s, struct items *out)
{
	struct req_walk w = {out, 0, 0};
	struct acd_callback_filter f = {0, 0, PAGE};
	int rc;

	do {
		w.page = 0;
		rc = acd_callback_list(s, &f, request_row, &w);
		f.before_id = w.last_id;
	} while (rc >= 0 && w.page == PAGE);
	return rc < 0 ? rc : 0;
}

struct notice_walk {
	struct items *out;
	int64_t at, next_at;
};

static int notice_row(void *ctx, const struct ivr_notice *n)
{
	struct notice_walk *w = ctx;
	struct handover_item *it;

	if (!handover_window_meets(n->starts_at, n->ends_at, w->at, w->next_at))
		return 0;
	it = items_add(w->out);
	if (!it)
		return w->out->err;
	it->kind = HK_NOTICE;
	it->ref_id = n->id;
	it->due_at = n->ends_at;
	cut(n->text, TITLE_CHARS, it->title, sizeof(it->title));
	return 0;
}

int handover_collect(struct store *s, int64_t at, int64_t next_at, int64_t now,
		     struct handover_item **items, size_t *n)
{
	struct items a;
	struct notice_walk nw;
	int rc;

	(void)now; /* the live state is the tables' now */
	memset(&a, 0, sizeof(a));
	nw.out = &a;
	nw.at = at;
	nw.next_at = next_at;
	rc = collect_orders(s, next_at, &a);
	if (rc == 0)
		rc = collect_callbacks(s, next_at, &a);
	if (rc == 0)
		rc = collect_requests(s, &a);
	if (rc == 0) {
		rc = ivr_notice_list(s, notice_row, &nw);
		rc = rc < 0 ? rc : 0;
	}
	if (rc < 0) {
		free(a.v);
		return rc;
	}
	*items = a.v;
	*n = a.n;
	return 0;
}

/* ---- shift changes ---- */

static int type_row(void *ctx, const struct wfm_shift_type *t)
{
	struct handover_clock *c = ctx;
	struct wfm_shift_type *v = realloc(c->types, (c->n + 1) * sizeof(*v));

	if (!v)
		return ERR_NOMEM;
	c->types = v;
	c->types[c->n++] = *t;
	return 0;
}

int handover_clock_load(struct store *s, int64_t now, struct handover_clock *c)
{
	int rc;

	memset(c, 0, sizeof(*c));
	rc = wfm_shift_type_list(s, type_row, c);
	if (rc < 0) {
		handover_clock_free(c);
		return rc;
	}
	c->have = handover_change_before(c->types, c->n, now, &c->prev) == 0 &&
		  handover_change_after(c->types, c->n, now, &c->next) == 0;
	return 0;
}

void handover_clock_free(struct handover_clock *c)
{
	free(c->types);
	c->types = NULL;
	c->n = 0;
}

/* ---- items of a log ---- */

struct item_list {
	struct handover_item *v;
	size_t n, cap;
};

static int item_row(void *ctx, const struct handover_item *it)
{
	struct item_list *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct handover_item *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return ERR_NOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *it;
	return 0;
}

static int items_load(struct store *s, int64_t id, struct item_list *l, size_t room)
{
	int rc;

	memset(l, 0, sizeof(*l));
	rc = handover_items(s, id, item_row, l);
	if (rc >= 0 && l->cap < l->n + room) {
		struct handover_item *v = realloc(l->v, (l->n + room + 1) * sizeof(*v));

		if (!v)
			rc = ERR_NOMEM;
		else {
			l->v = v;
			l->cap = l->n + room + 1;
		}
	}
	if (rc < 0) {
		free(l->v);
		l->v = NULL;
	}
	return rc < 0 ? rc : 0;
}

static int items_write(struct store *s, int64_t id, struct item_list *l)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < l->n; i++)
		rc = l->v[i].id ? handover_item_save(s, &l->v[i])
				: handover_item_insert(s, id, &l->v[i]);
	return rc;
}

/* WFM-7: the flags of a signed log, on its items and its count. */
static int flags_write(struct store *s, struct handover *h, struct item_list *l)
{
	h->flagged = handover_flag(l->v, l->n);
	return items_write(s, h->id, l);
}

int handover_snapshot(struct store *s, struct handover *h, int64_t now)
{
	struct handover_item *live = NULL;
	struct item_list l;
	size_t nlive = 0;
	int rc;

	if (h->snapshot_at)
		return 0;
	rc = handover_collect(s, h->change_at, h->next_at, now, &live, &nlive);
	if (rc == 0)
		rc = items_load(s, h->id, &l, nlive);
	if (rc < 0) {
		free(live);
		return rc;
	}
	rc = handover_merge(l.v, &l.n, l.cap, live, nlive, strcmp(h->state, "draft") != 0, now);
	if (rc >= 0)
		rc = strcmp(h->state, "signed") == 0 ? flags_write(s, h, &l)
						     : items_write(s, h->id, &l);
	if (rc >= 0) {
		h->snapshot_at = now;
		h->updated_at = now;
		rc = handover_save(s, h);
	}
	free(live);
	free(l.v);
	return rc < 0 ? rc : 0;
}

int handover_refresh(struct store *s, struct handover *h, int64_t now)
{
	struct handover_item *live = NULL;
	struct item_list l;
	size_t nlive = 0;
	int rc = handover_collect(s, h->change_at, h->next_at, now, &live, &nlive);

	if (rc == 0)
		rc = items_load(s, h->id, &l, 0);
	if (rc < 0) {
		free(live);
		return rc;
	}
	/* Kefu's items no longer open go; those still open take their new title and due. */
	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		size_t j;

		if (l.v[i].kind == HK_MANUAL)
			continue;
		for (j = 0;
		     j < nlive && !(live[j].kind == l.v[i].kind && live[j].ref_id == l.v[i].ref_id);
		     j++)
			;
		if (j == nlive) {
			rc = handover_item_delete(s, l.v[i].id);
			continue;
		}
		snprintf(l.v[i].title, sizeof(l.v[i].title), "%s", live[j].title);
		snprintf(l.v[i].link, sizeof(l.v[i].link), "%s", live[j].link);
		l.v[i].due_at = live[j].due_at;
		rc = handover_item_save(s, &l.v[i]);
		live[j].kind = -1; /* in the log already */
	}
	for (size_t j = 0; rc == 0 && j < nlive; j++) {
		if (live[j].kind < 0)
			continue;
		live[j].created_at = now;
		rc = handover_item_insert(s, h->id, &live[j]);
	}
	if (rc == 0) {
		h->updated_at = now;
		rc = handover_save(s, h);
	}
	free(live);
	free(l.v);
	return rc;
}

int handover_ensure(struct store *s, const struct handover_clock *c,
		    const struct handover_slot *slot, int64_t now, struct handover *out,
		    int *created)
{
	struct handover h;
	struct handover_item *live = NULL;
	size_t nlive = 0;
	int rc = handover_get_at(s, slot->at, out);

	*created = 0;
	if (rc == ERR_NOTFOUND) {
		memset(&h, 0, sizeof(h));
		h.change_at = slot->at;
		h.prev_at = slot->prev_at;
		h.next_at = slot->next_at;
		h.out_type_id = c->types[slot->out_idx].id;
		h.in_type_id = c->types[slot->in_idx].id;
		handover_day_text(slot->out_ymd, h.out_day, sizeof(h.out_day));
		handover_day_text(slot->in_ymd, h.in_day, sizeof(h.in_day));
		h.created_at = now;
		rc = handover_insert(s, &h);
		if (rc == 0)
			rc = handover_collect(s, h.change_at, h.next_at, now, &live, &nlive);
		for (size_t i = 0; rc == 0 && i < nlive; i++) {
			live[i].created_at = now;
			rc = handover_item_insert(s, h.id, &live[i]);
		}
		free(live);
		if (rc == 0) {
			struct audit_detail d;

			audit_detail_init(&d);
			audit_detail_int(&d, "change_at", h.change_at);
			audit_detail_int(&d, "items", (int64_t)nlive);
			rc = audit_append_detail(s, &system_actor, now, "handover.draft",
						 "handover", h.id, "ok", &d);
		}
		if (rc == 0)
			rc = handover_get(s, h.id, out);
		*created = rc == 0;
	}
	if (rc == 0 && now >= out->change_at && !out->snapshot_at)
		rc = handover_snapshot(s, out, now);
	return rc;
}

/* ---- who, and the signatures ---- */

int handover_may_side(struct store *s, const struct handover *h, int64_t person_id, unsigned roles,
		      enum handover_side side)
{
	int64_t type = side == HS_OUT ? h->out_type_id : h->in_type_id;
	const char *day = side == HS_OUT ? h->out_day : h->in_day;
	int rc;

	if (roles & (ROLE_SUPERVISOR | ROLE_MANAGER))
		return 1;
	if (!(roles & ROLE_AGENT))
		return 0;
	rc = handover_roster_count(s, type, day);
	if (rc <= 0)
		return rc < 0 ? rc : 1;
	return handover_rostered(s, person_id, type, day);
}

struct tell {
	struct store *s;
	const char *kind;
	const char *text;
	int64_t now;
	int64_t told[64];
	int n;
};

/* Each person once, however many lists they are on. */
static int tell_one(void *ctx, int64_t person_id)
{
	struct tell *t = ctx;

	for (int i = 0; i < t->n; i++)
		if (t->told[i] == person_id)
			return 0;
	if (t->n < 64)
		t->told[t->n++] = person_id;
	return notify_send(t->s, person_id, t->kind, 0, t->text, t->now);
}

static void hhmm(int64_t at, char *out, size_t size)
{
	unsigned m = (unsigned)clock_local_minute(at) % 1440;

	snprintf(out, size, "%02u:%02u", m / 60, m % 60);
}

/* The people rostered on a shift, or when nobody is, the supervisors. */
static int tell_shift(struct tell *t, int64_t type_id, const char *day, int fallback)
{
	int rc = handover_roster_people(t->s, type_id, day, tell_one, t);

	if (rc == 0 && fallback) /* nobody rostered */
		rc = handover_people_in_roles(t->s, ROLE_SUPERVISOR, tell_one, t);
	return rc < 0 ? rc : 0;
}

int handover_sign(struct store *s, struct handover *h, enum handover_side side, int64_t who,
		  const char *remark, int64_t now, const char **why)
{
	struct tell t;
	struct item_list l;
	char text[NOTIFY_TEXT_SIZE], when[32];
	int rc = handover_sign_check(h->state, side, h->out_by, who, why);

	if (rc < 0)
		return rc;
	memset(&t, 0, sizeof(t));
	t.s = s;
	t.now = now;
	t.text = text;
	hhmm(h->change_at, when, sizeof(when));
	if (side == HS_OUT) {
		snprintf(h->state, sizeof(h->state), "out_signed");
		h->out_by = who;
		h->out_at = now;
		h->updated_at = now;
		rc = handover_save(s, h);
		t.kind = "handover.out_signed";
		snprintf(text, sizeof(text), "%s 交接班：交班人已签字，请接班人核对记录并签字。",
			 when);
		if (rc == 0)
			rc = tell_shift(&t, h->in_type_id, h->in_day, 1);
		return rc;
	}
	/* The snapshot is the state at the change, or now if the incoming person signs first. */
	rc = handover_snapshot(s, h, now);
	if (rc < 0)
		return rc;
	snprintf(h->state, sizeof(h->state), "signed");
	h->in_by = who;
	h->in_at = now;
	snprintf(h->in_remark, sizeof(h->in_remark), "%s", remark ? remark : "");
	h->updated_at = now;
	rc = items_load(s, h->id, &l, 0);
	if (rc < 0)
		return rc;
	rc = flags_write(s, h, &l);
	free(l.v);
	if (rc == 0)
		rc = handover_save(s, h);
	t.kind = "handover.signed";
	if (h->flagged)
		snprintf(text, sizeof(text),
			 "%s 交接班已由双方签字；%d 项在交班时未办结却未列入记录，已标记。", when,
			 h->flagged);
	else
		snprintf(text, sizeof(text), "%s 交接班已由双方签字。", when);
	if (rc == 0)
		rc = tell_one(&t, h->out_by);
	if (rc == 0)
		rc = tell_one(&t, h->in_by);
	return rc;
}

/* ---- the tick ---- */

/* One reminder of one change in its own transaction, once; 1 when sent. */
static int remind(struct store *s, const struct handover_clock *c, const struct handover_slot *sl,
		  enum handover_reminder k, const struct wfm_settings *w, int64_t now)
{
	const struct wfm_shift_type *out = &c->types[sl->out_idx], *in = &c->types[sl->in_idx];
	char text[NOTIFY_TEXT_SIZE], when[32], out_day[11], in_day[11];
	struct tell t;
	struct handover h;
	int created = 0, rc;

	memset(&t, 0, sizeof(t));
	t.s = s;
	t.now = now;
	t.text = text;
	hhmm(sl->at, when, sizeof(when));
	handover_day_text(sl->out_ymd, out_day, sizeof(out_day));
	handover_day_text(sl->in_ymd, in_day, sizeof(in_day));
	rc = store_begin(s);
	if (rc < 0)
		return rc;
	rc = handover_reminder_take(s, sl->at, handover_reminder_name(k), now);
	if (rc <= 0) {
		store_rollback(s);
		return rc;
	}
	switch (k) {
	case HR_ARRIVE:
		t.kind = "handover.arrive";
		snprintf(text, sizeof(text), "%s %s开始，请提前 %d 分钟到岗交接班。", when,
			 in->name, w->arrive_before_min);
		rc = tell_shift(&t, in->id, in_day, 0);
		break;
	case HR_SUMMARY:
		/* kefu drafts the log now, for the summary to start from. */
		rc = handover_ensure(s, c, sl, now, &h, &created);
		t.kind = "handover.summary";
		snprintf(text, sizeof(text),
			 "%s %s结束，请在最后 %d 分钟做班次小结，核对交接班记录并签字。", when,
			 out->name, w->summary_min);
		if (rc == 0)
			rc = tell_shift(&t, out->id, out_day, 1);
		break;
	case HR_MEETING:
		t.kind = "handover.meeting";
		snprintf(text, sizeof(text), "%s已开始，请在前 %d 分钟召开班前会。", in->name,
			 w->meeting_min);
		rc = handover_people_in_roles(s, ROLE_SUPERVISOR, tell_one, &t);
		if (rc >= 0)
			rc = tell_shift(&t, in->id, in_day, 0);
		break;
	case HR_ALERT: {
		struct audit_detail d;

		t.kind = "handover.unsigned";
		snprintf(text, sizeof(text), "%s %s→%s 的交接班在交接后 %d 分钟仍未由双方签字。",
			 when, out->name, in->name, w->handover_sign_min);
		rc = handover_people_in_roles(s, ROLE_SUPERVISOR | ROLE_MANAGER, tell_one, &t);
		audit_detail_init(&d);
		audit_detail_int(&d, "change_at", sl->at);
		audit_detail_int(&d, "told", t.n);
		if (rc >= 0)
			rc = audit_append_detail(s, &system_actor, now, "handover.alert",
						 "handover", 0, "ok", &d);
		else
			audit_detail_release(&d);
		break;
	}
	case HR_COUNT:
		break;
	}
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	rc = store_commit(s);
	if (rc < 0)
		return rc;
	notify_wake();
	return 1;
}

int handover_tick(struct store *s, int64_t now)
{
	struct handover_clock c;
	struct wfm_settings w;
	struct handover h;
	int rc, fired = 0, created = 0, on_next = 0, on_prev = 0;

	rc = wfm_settings_get(s, &w);
	if (rc < 0)
		return rc;
	rc = handover_clock_load(s, now, &c);
	if (rc < 0)
		return rc;
	if (!c.have)
		goto out;
	/* Only where the center runs its shifts in kefu: a published roster. */
	rc = on_next = handover_roster_published(s, c.next.in_ymd);
	if (rc >= 0)
		rc = on_prev = handover_roster_published(s, c.prev.in_ymd);
	if (rc < 0)
		goto out;
	rc = 0;
	if (on_next && handover_reminder_due(HR_ARRIVE, c.next.at, now, &w) &&
	    (rc = remind(s, &c, &c.next, HR_ARRIVE, &w, now)) > 0)
		fired += rc;
	if (rc >= 0 && on_next && handover_reminder_due(HR_SUMMARY, c.next.at, now, &w) &&
	    (rc = remind(s, &c, &c.next, HR_SUMMARY, &w, now)) > 0)
		fired += rc;
	if (rc >= 0 && on_prev && handover_reminder_due(HR_MEETING, c.prev.at, now, &w) &&
	    (rc = remind(s, &c, &c.prev, HR_MEETING, &w, now)) > 0)
		fired += rc;
	if (rc < 0 || !on_prev)
		goto out;
	/* WFM-7: the snapshot at the change (the draft too, when nobody opened it). */
	rc = handover_get_at(s, c.prev.at, &h);
	if (rc == ERR_NOTFOUND || (rc == 0 && !h.snapshot_at)) {
		rc = store_begin(s);
		if (rc == 0)
			rc = handover_ensure(s, &c, &c.prev, now, &h, &created);
		rc = rc == 0 ? store_commit(s) : (store_rollback(s), rc);
		if (rc == 0)
			fired++;
	}
	/* The alert only for a log still not signed by both; it fires once. */
	if (rc == 0 && handover_reminder_due(HR_ALERT, c.prev.at, now, &w) &&
	    strcmp(h.state, "signed") != 0 && (rc = remind(s, &c, &c.prev, HR_ALERT, &w, now)) > 0)
		fired += rc;
out:
	handover_clock_free(&c);
	if (rc < 0)
		log_warn("handover: tick failed (%d)", rc);
	return rc < 0 ? rc : fired;
}
