/*
 * handover — the change of shift (交接班, WFM-6, WFM-7): the reminders around
 * it, the duty log (值班日志 / 交接班记录表) kefu drafts from the live state,
 * the two signatures, the alert when it is not signed in time, and the flag
 * on whatever was open at the change but left out of the signed log.
 *
 * Shift changes. A change is an instant where one non-office shift type
 * ends and the next begins (WFM-1: 00:00, 08:00 and 16:00 by default), in
 * the center's time zone: the starts and ends of the active non-office
 * types' segments where the type covering the minute before differs from
 * the type covering the minute itself (wfm_shift_at). A type crossing
 * midnight is a shift that began the day before; the shift instance a
 * roster row names is (its type, the local day it began). Instants are
 * local midnight plus the minute, exact in a zone without daylight saving
 * (the center's, Asia/Shanghai).
 *
 * Reminders (WFM-6; the times are wfm settings): arrive_before_min before a
 * change the people rostered on the incoming shift are told to arrive;
 * summary_min before it the outgoing shift's (or, with no roster, the
 * supervisors) are told to write the summary, and kefu drafts the log; at
 * the change the supervisors and the incoming shift are called to the
 * shift meeting (in its first meeting_min). handover_sign_min after the
 * change a log not signed by both sides alerts the supervisors and the
 * manager. Each is sent once per change (table handover_reminder, a row
 * inserted ON CONFLICT DO NOTHING decides), by the scheduler's tick
 * handover_tick; a reminder whose moment passed while kefu was down is not
 * sent late, the alert is. The tick runs a change's reminders, its alert
 * and its draft only when the roster of the incoming shift's month is
 * published: the center then runs its shifts in kefu. Before that (a new
 * center, a month not yet planned) nobody is told anything at each change;
 * the page still drafts and signs a handover on demand.
 *
 * The draft. A handover (one per change, table handover) holds items
 * (handover_item) kefu collects from the live state through the owning
 * modules' functions: open work orders with a running deadline before the
 * end of the next shift, overdue ones included (kind order), open orders
 * escalated up the chain (WO-4, complaints included; kind escalation, one
 * item per order), center callbacks (回访, CB-1) due before the end of the
 * next shift (callback), callers' callback requests still open (request)
 * and hotline notices whose window reaches into the next shift (notice);
 * each with the page it links to. The outgoing person writes the shift's
 * notes, adds items by hand (manual), leaves items out, or refreshes the
 * draft from the live state, until they sign.
 *
 * Signing. The outgoing duty person signs first, which locks the items and
 * notes; then the incoming one, another person, with an optional remark.
 * Duty persons are supervisors and the manager, and the agents rostered on
 * that side's shift (wfm_roster_entry, read with this module's own SQL);
 * when nobody is rostered on it, any agent. Other orders of signing are 409
 * with a clear message; everything is audited and both sides are told.
 *
 * WFM-7. At the change kefu takes a snapshot of the live state: every item
 * it would draft then is marked open at the change (at_change), added to
 * the log if it is missing (into the log while it is still a draft, beside
 * it when the outgoing person has already signed). An item open at the
 * change but not in the signed log is flagged: whoever failed to hand it
 * over answers for it. Flags are computed when the incoming person signs
 * and whenever the snapshot comes after that; a handover carries their
 * count. The snapshot is taken by the tick at the change, or by the first
 * read or signature after it, or by the incoming signature if that comes
 * first.
 *
 * History: handovers by date range, person (either signer) and text (the
 * notes, the remark and the items' titles; LIKE with escaping, so one- and
 * two-character Chinese words are found), newest first; the page prints.
 *
 * Who: ACT_HANDOVER — supervisors and the manager for every handover,
 * agents (scope self) for the handovers of shifts they are on or signed;
 * others 403.
 *
 * Files: handover.c rules (no I/O, take now), handover_store.c SQL,
 * handover_engine.c the draft, snapshot, signatures and tick (rules +
 * storage + audit + notifications in the caller's transaction, or its own
 * for the tick), handover_api.c HTTP (the routes under /api/handover).
 */
#ifndef KEFU_HANDOVER_HANDOVER_H
#define KEFU_HANDOVER_HANDOVER_H

#include <stddef.h>
#include <stdint.h>

#include "http/http.h" /* struct route, for the route table */

struct store;
struct wfm_shift_type;
struct wfm_settings;
struct audit_actor;

#define HANDOVER_TEXT_MAX 500	/* characters of an item's title or the remark */
#define HANDOVER_NOTES_MAX 2000 /* characters of the shift's notes */
#define HANDOVER_CHANGES_MAX 16 /* shift changes in a day */

/* ---- Rules (handover.c) ---- */

/* One change of shift in the local day: its minute, the outgoing and incoming type. */
struct handover_change {
	int minute;
	int out_idx, in_idx; /* into the types given */
};

/*
 * The changes of a day, by minute, into out[0..max): where the non-office
 * type covering the minute before differs from the one covering the minute
 * (each present). Returns how many.
 */
int handover_changes(const struct wfm_shift_type *types, size_t n, struct handover_change *out,
		     int max);

/* One change as an instant, with the shifts on either side. */
struct handover_slot {
	int64_t at;	     /* the change (UTC ms) */
	int64_t prev_at;     /* the change before it: when the outgoing shift began */
	int64_t next_at;     /* the change after it: when the incoming shift ends */
	int out_idx, in_idx; /* the types */
	int out_ymd, in_ymd; /* the local day each shift began, YYYYMMDD */
};

/* The latest change at or before t, or the earliest after t; ERR_NOTFOUND with no changes. */
int handover_change_before(const struct wfm_shift_type *types, size_t n, int64_t t,
			   struct handover_slot *out);
int handover_change_after(const struct wfm_shift_type *types, size_t n, int64_t t,
			  struct handover_slot *out);
/* "YYYY-MM-DD" of a YYYYMMDD; out needs 11 bytes. */
void handover_day_text(int ymd, char *out, size_t size);

enum handover_reminder { HR_ARRIVE, HR_MEETING, HR_SUMMARY, HR_ALERT, HR_COUNT };
const char *handover_reminder_name(enum handover_reminder k);
/*
 * Whether reminder k of the change at `at` is due at now (WFM-6): arrive in
 * [at − arrive_before, at), summary in [at − summary, at), meeting in
 * [at, at + meeting), the alert from at + handover_sign on.
 */
int handover_reminder_due(enum handover_reminder k, int64_t at, int64_t now,
			  const struct wfm_settings *w);

enum handover_kind {
	HK_ORDER,
	HK_ESCALATION,
	HK_CALLBACK,
	HK_REQUEST,
	HK_NOTICE,
	HK_MANUAL,
	HK_COUNT
};
const char *handover_kind_name(int kind);
int handover_kind_parse(const char *name); /* -1 if unknown */

/*
 * Whether an open order belongs in the log of the shift ending next_at:
 * HK_ESCALATION when escalated (level > 0), else HK_ORDER when its earliest
 * running deadline (0: none) falls before next_at (overdue ones too), else -1.
 */
int handover_order_kind(int escalation_level, int64_t earliest_due, int64_t next_at);
/* A deadline in the next shift or already past: due_at < next_at. */
int handover_due_by(int64_t due_at, int64_t next_at);
/* A window [starts, ends) that reaches into the next shift [at, next_at). */
int handover_window_meets(int64_t starts, int64_t ends, int64_t at, int64_t next_at);

struct handover_item {
	int64_t id;
	int kind;
	int64_t ref_id; /* the order, callback, request or notice; 0 for a manual item */
	char title[HANDOVER_TEXT_MAX * 4 + 1];
	char link[64];	  /* the workbench page */
	int64_t due_at;	  /* 0: none */
	int included;	  /* in the log (the outgoing person may leave an item out) */
	int at_change;	  /* open at the change (the snapshot) */
	int flagged;	  /* WFM-7: open at the change, not in the signed log */
	int64_t added_by; /* manual items: who */
	int64_t created_at;
};

/*
 * Merges the live state at the change (snap[0..ns)) into a log's items
 * (items[0..*n), room for max): each snapshot item is marked at_change; one
 * not in the log is added, in the log (included) while the log is a draft
 * and beside it (not included) once locked. Returns how many it added, or
 * ERR_TOOBIG when max is reached.
 */
int handover_merge(struct handover_item *items, size_t *n, size_t max,
		   const struct handover_item *snap, size_t ns, int locked, int64_t now);
/* WFM-7: flags each item open at the change and not in the log; returns how many. */
int handover_flag(struct handover_item *items, size_t n);

enum handover_side { HS_OUT, HS_IN };
/* Handover states: draft (being written), out_signed (locked), signed. */
/*
 * Whether `who` may sign side now, by the order of signing: 0, or
 * ERR_CONFLICT with *why, an English message with a zh-CN entry.
 */
int handover_sign_check(const char *state, enum handover_side side, int64_t out_by, int64_t who,
			const char **why);

/* ---- Storage (handover_store.c) ---- */

struct handover {
	int64_t id;
	int64_t change_at, prev_at, next_at;
	int64_t out_type_id, in_type_id;
	char out_type_name[129], in_type_name[129];
	char out_day[11], in_day[11];
	char state[12];
	char notes[HANDOVER_NOTES_MAX * 4 + 1];
	int64_t out_by, out_at, in_by, in_at;
	char out_name[257], in_name[257];
	char in_remark[HANDOVER_TEXT_MAX * 4 + 1];
	int64_t snapshot_at;
	int flagged;
	int64_t created_at, updated_at;
};

int handover_get(struct store *s, int64_t id, struct handover *out);
int handover_get_at(struct store *s, int64_t change_at, struct handover *out);
/* Inserts h (its id filled); ERR_CONFLICT when the change has one. */
int handover_insert(struct store *s, struct handover *h);
/* Writes the state, notes, signatures, snapshot and flag count. */
int handover_save(struct store *s, const struct handover *h);

typedef int (*handover_item_fn)(void *ctx, const struct handover_item *it);
int handover_items(struct store *s, int64_t handover_id, handover_item_fn fn, void *ctx);
int handover_item_get(struct store *s, int64_t handover_id, int64_t id, struct handover_item *out);
int handover_item_insert(struct store *s, int64_t handover_id, struct handover_item *it);
/* Writes included, at_change, flagged, title, due_at and link. */
int handover_item_save(struct store *s, const struct handover_item *it);
int handover_item_delete(struct store *s, int64_t id);

struct handover_filter {
	int64_t from, to;  /* change_at in [from, to); 0: open */
	int64_t person_id; /* either signer; 0: anyone */
	const char *text;  /* in the notes, remark or items; NULL: any */
	int64_t agent_id;  /* agents: only handovers of their shifts or signed by them */
	int64_t before;	   /* cursor: change_at below this; 0: newest */
	int limit;
};
typedef int (*handover_fn)(void *ctx, const struct handover *h);
/* Newest first; returns how many. */
int handover_list(struct store *s, const struct handover_filter *f, handover_fn fn, void *ctx);

/* Once-only bookkeeping: 1 when this call recorded reminder kind of the change, 0 if done. */
int handover_reminder_take(struct store *s, int64_t change_at, const char *kind, int64_t now);

/* The roster (migration 15), read with this module's own SQL. */
int handover_rostered(struct store *s, int64_t person_id, int64_t type_id, const char *day);
int handover_roster_count(struct store *s, int64_t type_id, const char *day);
/* 1 when the roster of the month holding local day ymd (YYYYMMDD) is published. */
int handover_roster_published(struct store *s, int ymd);
typedef int (*handover_person_fn)(void *ctx, int64_t person_id);
int handover_roster_people(struct store *s, int64_t type_id, const char *day, handover_person_fn fn,
			   void *ctx);
/* Active people holding any of the roles. */
int handover_people_in_roles(struct store *s, unsigned roles, handover_person_fn fn, void *ctx);

/* ---- The engine (handover_engine.c) ---- */

/*
 * The live state at now as items of the log of the change at `at` whose
 * next shift ends next_at: *items (malloc'd, the caller frees) and *n.
 */
int handover_collect(struct store *s, int64_t at, int64_t next_at, int64_t now,
		     struct handover_item **items, size_t *n);
/* The shift types and the current and next change at now. */
struct handover_clock {
	struct wfm_shift_type *types;
	size_t n;
	struct handover_slot prev, next;
	int have; /* 0: no shift changes (no non-office types) */
};
int handover_clock_load(struct store *s, int64_t now, struct handover_clock *c);
void handover_clock_free(struct handover_clock *c);
/*
 * The handover of slot, drafted from the live state at now when there is
 * none (in the caller's transaction; *created 1 then), and its snapshot
 * taken when now is at or past the change and it has none.
 */
int handover_ensure(struct store *s, const struct handover_clock *c,
		    const struct handover_slot *slot, int64_t now, struct handover *out,
		    int *created);
/* The snapshot of WFM-7 at now, unless taken; recomputes the flags of a signed log. */
int handover_snapshot(struct store *s, struct handover *h, int64_t now);
/* Recollects a draft's kefu items from the live state: new ones added,
 * ones no longer open dropped; manual ones and the left-out marks kept. */
int handover_refresh(struct store *s, struct handover *h, int64_t now);
/* 1 when person (roles) may act for side of h: supervisor, manager, or an agent
 * rostered on that shift (any agent when nobody is). */
int handover_may_side(struct store *s, const struct handover *h, int64_t person_id, unsigned roles,
		      enum handover_side side);
/* Signs side as who (remark for the incoming, may be NULL): checks, writes,
 * flags (WFM-7), notifies. ERR_CONFLICT with *why for an illegal order. */
int handover_sign(struct store *s, struct handover *h, enum handover_side side, int64_t who,
		  const char *remark, int64_t now, const char **why);

/*
 * The scheduler's tick (registered in cli/serve.c): the reminders, the
 * draft at summary time, the snapshot at the change and the alert, each
 * in its own transaction and once. Returns how many it sent or wrote.
 */
int handover_tick(struct store *s, int64_t now);

/* ---- HTTP (handover_api.c) ---- */

extern const struct route handover_routes[];

/* 交接班记录表 and 值班日志 in the center's registry (handover_xlsx.c; issue 20):
 * the handovers whose change falls in the period. */
struct export_form;
extern const struct export_form handover_records_form, handover_log_form;

#endif
