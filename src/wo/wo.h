/*
 * wo — work orders (工单): the center's closed loop from a customer's
 * request to its archive (ROUTE-1..3, WO-1..9, CB-1..2, CALL-13/14).
 *
 * How it works. An agent opens an order from a contact with a class
 * (A1 A2 B C D E F, ROUTE-1), for complaints a level (Ⅰ–Ⅳ, WO-3) and a
 * catalogue type (WO-10). The routing table (ROUTE-2) names where it goes:
 * a department (its responsible person, or a named owner), the center
 * itself (the first-contact agent), the superior of the person complained
 * about (D), or nowhere (F, closed at once). At dispatch the class's
 * deadlines (WO-2) are computed and stored as SLA clocks, one per metric:
 * calling the customer back, being on site, the overall resolution; the
 * report back to the center starts when the work is finished and is due
 * the same day in the center's time zone; promises quoted to the customer
 * (CALL-13/14) are reply clocks. Every clock change is an SLA event, so a
 * report's figure can be traced to the events behind it.
 *
 * A tick (wo_tick, run by the scheduler, src/sched/) fires warnings at warn_pct of the allowed time
 * and breaches at the deadline, exactly once each (a conditional update
 * in its own transaction), and escalates a breached order up the owner's
 * chain of superiors (WO-4), one more level every escalate_min minutes
 * while it stays unmet. After the owner reports back (WO-6) the center
 * calls the customer back (CB-1, CB-2): "not accepted" schedules another
 * attempt by a different agent, "new need" opens a linked follow-up, and
 * only an accepted callback archives the order (ROUTE-3), filed by month
 * and kept for the retention period (WO-7).
 *
 * Who owns what: wo.c holds the rules and does no I/O (every function
 * takes `now`); wo_store.c holds the SQL; wo_engine.c runs a change
 * (rules + storage + audit + notifications) inside the caller's
 * transaction; wo_api.c is HTTP.
 */
#ifndef KEFU_WO_WO_H
#define KEFU_WO_WO_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "http/http.h"

struct store;
struct audit_actor;

enum wo_state {
	WO_NEW,         /* no owner could be found: a supervisor assigns it */
	WO_DISPATCHED,  /* sent to its owner */
	WO_ACCEPTED,    /* the owner took it */
	WO_IN_PROGRESS, /* the customer was called back or visited */
	WO_REPORTED,    /* the owner reported back (WO-6); the center's callback is due */
	WO_ARCHIVED,    /* closed after an accepted callback, or at once (F) */
	WO_REOPENED,    /* back to the owner after a report or the archive */
	WO_CANCELLED,
	WO_STATE_COUNT
};

enum wo_action {
	WOA_ASSIGN, /* (re)assign an owner */
	WOA_ACCEPT,
	WOA_CALL,     /* the owner called the customer back */
	WOA_ONSITE,   /* the owner was on site */
	WOA_FINISH,   /* the work is done: the report is due today */
	WOA_REPORT,   /* report back to the center (WO-6) */
	WOA_CALLBACK, /* a center callback attempt (CB-2) */
	WOA_REOPEN,
	WOA_CANCEL,
	WOA_HELP,     /* ask the level up for help (WO-4) */
	WOA_PROGRESS, /* the center told the customer how it stands (WO-5) */
	WOA_PROMISE,  /* a reply time quoted to the customer (CALL-13/14) */
	WOA_PAUSE,
	WOA_RESUME,
	WOA_REFER,  /* pass it to the outside company responsible (seed 002 §5) */
	WOA_ANSWER, /* the answer the outside company gave */
	WOA_RELAY,  /* the center told the customer that answer (before the callback) */
	WOA_COUNT
};

enum wo_metric { WOM_CALLBACK, WOM_ONSITE, WOM_REPORT, WOM_RESOLVE, WOM_REPLY, WOM_COUNT };

const char *wo_state_name(enum wo_state s);
int wo_state_parse(const char *name); /* -1 if unknown */
const char *wo_action_name(enum wo_action a);
const char *wo_metric_name(enum wo_metric m);
int wo_metric_parse(const char *name);
/* The metric as people in the center say it: 回电, 到场, 反馈, 解决, 答复. */
const char *wo_metric_label(enum wo_metric m);
/* Open: not yet archived or cancelled. */
int wo_state_open(enum wo_state s);
/* The state `a` leads to from `from`, or -1 when it is not allowed there (409). */
int wo_next_state(enum wo_state from, enum wo_action a);

/* What an action needs beyond the state, read from the order's records (wo_facts). */
struct wo_facts {
	int visit_due;		   /* an on-site clock not yet met (WO-2: visit before report) */
	int running, paused;	   /* clocks running, paused */
	int callback_pending;	   /* a center callback is due (CB-1) */
	int64_t callback_excluded; /* who may not make it (CB-2) */
	int higher_level;	   /* the owner's chain goes above the escalation level (WO-4) */
	int referral;		   /* enum wo_referral_state of the latest referral */
};

/* Where the order's latest referral to a third party stands. */
enum wo_referral_state { WOR_NONE, WOR_WAITING, WOR_ANSWERED, WOR_RELAYED };

enum wo_block {
	WOB_NONE,	  /* allowed */
	WOB_STATE,	  /* not from this state (409) */
	WOB_VISIT_FIRST,  /* report before the on-site visit (422) */
	WOB_NO_VISIT,	  /* a visit recorded on an order that needs none (422) */
	WOB_NO_CALLBACK,  /* no callback is due (409) */
	WOB_OTHER_AGENT,  /* CB-2: another agent makes this callback (409) */
	WOB_TOP,	  /* help asked with no level above (409) */
	WOB_NOT_RUNNING,  /* pause with no running clock (409) */
	WOB_NOT_PAUSED,	  /* resume with nothing paused (409) */
	WOB_REFERRED,	  /* passed on already, no answer yet (409) */
	WOB_NOT_WAITING,  /* an answer with no referral waiting for one (409) */
	WOB_NO_ANSWER,	  /* relay with no answer to relay (409) */
	WOB_ANSWER_FIRST, /* report while the third party has not answered (409) */
	WOB_RELAY_FIRST,  /* callback before the third party's answer was relayed (409) */
};
/*
 * Whether `who` can do `a` to an order now, by the rules of the order's
 * life alone (permissions are the caller's): the engine refuses with it
 * and GET /api/orders/{id} offers the actions it allows.
 */
enum wo_block wo_action_block(enum wo_state state, int onsite, const struct wo_facts *f,
			      int64_t who, enum wo_action a);

/* Who may own an order (be its 负责人): active, in a role that works orders. */
int wo_can_own(unsigned roles, int active);

/* A class and its deadlines (WO-2), as the manager set them. -1: no such deadline. */
struct wo_class_rule {
	char code[8];
	char name[129];
	int callback_min;
	int onsite_min;
	int report_same_day;
	int resolve_min;
	int warn_pct;
	int escalate_min;
};

struct wo_deadline {
	enum wo_metric metric;
	int64_t started_at, due_at, warn_at;
};

/* A clock of `minutes` from `start`, warning at warn_pct of the way. */
struct wo_deadline wo_deadline_of(enum wo_metric m, int64_t start, int64_t minutes, int warn_pct);
/* The clocks that start at dispatch (WO-2): callback, on site if needed, resolution. */
int wo_deadlines_at_dispatch(const struct wo_class_rule *c, int onsite, int64_t now,
			     struct wo_deadline out[], int max);
/* The report back is due by the end of the center's day the work finished (WO-2 "same day"). */
struct wo_deadline wo_report_deadline(const struct wo_class_rule *c, int64_t now);

/* Routing (ROUTE-2). */
/* WOT_THIRD_PARTY: the center keeps the order and passes it to an outside company
 * responsible (a contractor, a merchant; seed 002 §5). */
enum wo_target {
	WOT_DEPARTMENT,
	WOT_CENTER,
	WOT_SUBJECT_SUPERIOR,
	WOT_CLOSE,
	WOT_THIRD_PARTY,
	WOT_COUNT
};
const char *wo_target_name(enum wo_target t);
int wo_target_parse(const char *name);

struct wo_route_rule {
	int64_t id;
	char class_code[8];
	int onsite; /* -1: either */
	enum wo_target target;
	char department_kind[33];
	int64_t department_id; /* 0: the first department of department_kind */
	int64_t owner_id;      /* 0: the department's responsible person */
	int64_t third_party_id; /* third_party: who it is passed to */
};

/* An outside company responsible for some complaints (seed 002 §5), as config. */
#define WO_THIRD_PARTY_KINDS "contractor, merchant, carrier or other"
struct wo_third_party {
	int64_t id;
	char name[129 * 4];
	char kind[16]; /* contractor, merchant, carrier, other */
	char contact[257 * 4];
	int active;
	int64_t updated_at;
};
int wo_third_party_kind_valid(const char *kind);

/* The rule for a class and on-site need: one naming the on-site need wins over "either". */
const struct wo_route_rule *wo_route_pick(const struct wo_route_rule *rules, int n,
					  const char *class_code, int onsite);

/* "A1-20261122-0007": class, the center's date, the day's sequence. */
void wo_number(char *out, size_t size, const char *class_code, int ymd, int seq);
/* "A1-Ⅲ" (WO-3), or the class alone. */
void wo_label(char *out, size_t size, const char *class_code, const char *level);
/* Archive folder of an instant: YYYYMM in the center's time zone (WO-7). */
int wo_archive_month(int64_t ms);

/* Outcomes of a center callback attempt (CB-2). */
enum wo_outcome { WOO_ACCEPTED, WOO_NOT_ACCEPTED, WOO_UNREACHABLE, WOO_NEW_NEED, WOO_COUNT };
const char *wo_outcome_name(enum wo_outcome o);
int wo_outcome_parse(const char *name);

/* Promise kinds (CALL-14 order 4 h, complaint 24 h; CALL-13 answer known 3 h). */
enum wo_promise { WOP_ORDER, WOP_COMPLAINT, WOP_ANSWER, WOP_COUNT };
const char *wo_promise_name(enum wo_promise p);
int wo_promise_parse(const char *name);

/* Records (wo_store.c). Callers own them; they hold no pointers to free. */
#define WO_SUMMARY_MAX 1000 /* characters */
/* How far a PC clock may run behind the server's when a time is typed in. */
#define WO_CLOCK_SKEW_MS (5 * 60 * 1000)
#define WO_TEXT_MAX 2000    /* characters of a report field, reason or note */
/* Characters of an order's region (province and city as the center names them,
 * migration 46): the complaint statistics count by it (RPT-2). */
#define WO_REGION_MAX 32

struct wo_order {
	int64_t id;
	char number[40];
	char class_code[8];
	char level[8];
	char complaint[33];
	int onsite;
	enum wo_state state;
	int64_t customer_id, subject_id, department_id, owner_id, first_agent_id;
	int64_t parent_id, related_id;
	char summary[WO_SUMMARY_MAX * 4 + 1];
	char report[4 * (4 * WO_TEXT_MAX + 64)]; /* the WO-6 report as JSON, "" before it */
	char close_reason[WO_TEXT_MAX * 4 + 1];
	char phone[24]; /* digits: how to reach a customer not on record, "" none */
	char region[WO_REGION_MAX * 4 + 1]; /* where the matter happened ("广东省深圳市"), "" unknown */
	int escalation_level;
	int64_t created_at, updated_at, dispatched_at, reported_at, archived_at;
	int archive_month;
	int64_t version;
};

struct wo_sla {
	int64_t id, order_id;
	enum wo_metric metric;
	char state[12]; /* running, paused, met, cancelled */
	int64_t started_at, due_at, warn_at, met_at, paused_at, next_escalation_at;
	int warned, breached;
};

struct wo_callback {
	int64_t id, order_id;
	char state[12]; /* pending, done, cancelled */
	int64_t due_at;
	int attempts;
	int64_t excluded_id; /* the agent whose call was not accepted (CB-2: another calls) */
	int64_t created_at, closed_at;
};

int wo_class_get(struct store *s, const char *code, struct wo_class_rule *out);
int wo_level_onsite(struct store *s, const char *code); /* 0/1, ERR_NOTFOUND */
int wo_third_party_get(struct store *s, int64_t id, struct wo_third_party *out);
int wo_third_party_list(struct store *s, int (*row)(void *, const struct wo_third_party *),
			void *ctx);
/* Writes tp (id 0: a new one, its id filled); ERR_CONFLICT naming `name` if taken. */
int wo_third_party_put(struct store *s, struct wo_third_party *tp, int64_t now);

/* Referrals to third parties: one waits for its answer at a time. */
struct wo_referral {
	int64_t id, order_id, third_party_id;
	const char *third_party_name, *note, *answer, *relay_note;
	int64_t referred_at, referred_by, answered_at, answered_by, relayed_at, relayed_by;
};
int wo_referral_add(struct store *s, int64_t order_id, int64_t third_party_id, int64_t by,
		    const char *note, int64_t now);
/* Fills the latest referral's answer (what = "answer") or relay ("relay"). */
int wo_referral_close(struct store *s, int64_t order_id, const char *what, const char *text,
		      int64_t by, int64_t now);
int wo_referral_state(struct store *s, int64_t order_id); /* enum wo_referral_state */
int wo_referral_list(struct store *s, int64_t order_id,
		     int (*row)(void *, const struct wo_referral *), void *ctx);
int wo_routes_load(struct store *s, struct wo_route_rule *out, int max);
int64_t wo_setting(struct store *s, const char *key, int64_t fallback);

int wo_order_get(struct store *s, int64_t id, struct wo_order *out);
int wo_order_insert(struct store *s, struct wo_order *o);
/* The region of the customer's latest order that has one into out ("" none). */
int wo_customer_region(struct store *s, int64_t customer_id, char *out, size_t size);
/* Writes o back and bumps its version; ERR_CONFLICT if the version moved on. */
int wo_order_save(struct store *s, struct wo_order *o, int64_t now);
int wo_next_seq(struct store *s, int ymd, const char *class_code, int *seq);
int wo_search_put(struct store *s, const struct wo_order *o);
int wo_contact_exists(struct store *s, int64_t id);
int wo_contact_link(struct store *s, int64_t order_id, int64_t contact_id, const char *role);
/* The order's contacts, the cause first, then in order. */
int wo_contact_list(struct store *s, int64_t order_id,
		    int (*row)(void *, int64_t contact_id, const char *role), void *ctx);

int wo_responsible_add(struct store *s, int64_t order_id, int64_t person_id, const char *reason,
		       int level, int64_t now);
/* A reassigned owner's responsibility ends: kept on record with ended_at. */
int wo_responsible_end(struct store *s, int64_t order_id, int64_t person_id, int64_t now);
/* 1 if the person is responsible for the order now (owner or escalation level). */
int wo_is_responsible(struct store *s, int64_t order_id, int64_t person_id);
int wo_event_add(struct store *s, int64_t order_id, int64_t now, int64_t actor_id,
		 const char *kind, int from, int to, const char *detail);

int wo_sla_start(struct store *s, int64_t order_id, const struct wo_deadline *d);
int wo_sla_find(struct store *s, int64_t order_id, enum wo_metric m, struct wo_sla *out);
/* Meets the running clock of a metric; 1 if one was met, 0 if none ran. */
int wo_sla_meet(struct store *s, int64_t order_id, enum wo_metric m, int64_t now);
int wo_sla_cancel_all(struct store *s, int64_t order_id, int64_t now, const char *why);
int wo_sla_pause_all(struct store *s, int64_t order_id, int64_t now);
int wo_sla_resume_all(struct store *s, int64_t order_id, int64_t now);
int wo_sla_event(struct store *s, const struct wo_sla *c, const char *kind, int64_t at,
		 const char *detail);
/* Clocks whose warning, breach or next escalation is due at now, oldest first. */
int wo_sla_due(struct store *s, int64_t now, struct wo_sla *out, int max);
/* Marks one clock's warning or breach fired; 1 if this call did it, 0 if another did. */
int wo_sla_fire_warning(struct store *s, int64_t sla_id);
int wo_sla_fire_breach(struct store *s, int64_t sla_id, int64_t next_escalation_at);
int wo_sla_next_escalation(struct store *s, int64_t sla_id, int64_t expected, int64_t next);

/* Lists: each calls row() per record, oldest first; they return the count or an error. */
int wo_sla_list(struct store *s, int64_t order_id, int (*row)(void *, const struct wo_sla *),
		void *ctx);
int wo_responsible_list(struct store *s, int64_t order_id,
			int (*row)(void *, int64_t person_id, const char *reason, int level,
				   int64_t added_at, int64_t ended_at),
			void *ctx);
struct wo_event_row {
	int64_t id, at, actor_id;
	const char *kind, *from_state, *to_state, *detail;
};
int wo_event_list(struct store *s, int64_t order_id,
		  int (*row)(void *, const struct wo_event_row *), void *ctx);
int wo_sla_event_list(struct store *s, int64_t order_id,
		      int (*row)(void *, const struct wo_event_row *), void *ctx);

enum wo_view {
	WOV_ALL, WOV_DEPARTMENT, WOV_MINE, WOV_FOLLOWUPS, WOV_DUE_SOON, WOV_OVERDUE,
	WOV_ESCALATED, WOV_COUNT
};
const char *wo_view_name(enum wo_view v);
int wo_view_parse(const char *name);

struct wo_filter {
	enum wo_view view;
	int64_t me;             /* mine, followups */
	int64_t department_id;  /* department view, or a filter */
	int64_t owner_id;
	const char *class_code, *level, *state;
	int64_t from, to;       /* created_at in [from, to) */
	const char *match;      /* an FTS5 query built by wo_match_query, or NULL */
	int64_t due_before;     /* due_soon: clocks due before this instant */
	int64_t scope_department; /* staff: only this department's orders or their own */
	int64_t before_id;      /* cursor */
	int limit;
};
/* Newest first. */
int wo_order_list(struct store *s, const struct wo_filter *f,
		  int (*row)(void *, const struct wo_order *), void *ctx);
/* Turns what a person typed into an FTS5 query: each word a quoted phrase. */
int wo_match_query(const char *typed, char *out, size_t size);

struct wo_callback_item {
	struct wo_callback cb;
	struct wo_order order;
};
/* The center's callback queue (CB-1): pending callbacks, due ones first. */
int wo_callback_queue(struct store *s, int64_t due_before, int64_t after_id, int limit,
		      int (*row)(void *, const struct wo_callback_item *), void *ctx);

/* The callback script of CB-2, filled in for one order. */
void wo_callback_script(char *out, size_t size, const char *center, const char *work_no,
			const char *address_as, int64_t reported_on, const char *summary,
			const char *solution);

int wo_callback_open(struct store *s, int64_t order_id, int64_t due_at, int64_t now);
int wo_callback_pending(struct store *s, int64_t order_id, struct wo_callback *out);
int wo_callback_save(struct store *s, const struct wo_callback *c);
int wo_callback_attempt_add(struct store *s, const struct wo_callback *c, int64_t agent_id,
			    int64_t now, enum wo_outcome o, const char *note, int64_t follow_up);

/*
 * The engine (wo_engine.c): each function runs one change inside the
 * caller's write transaction — rules, storage, SLA clocks, the order's
 * event, the audit entry and the notifications — and on any error leaves
 * the transaction for the caller to roll back.
 */
struct wo_ctx {
	struct store *s;
	int64_t now;
	const struct audit_actor *who;
	struct err_info *ei;
};

struct wo_new {
	const char *class_code; /* may be NULL when complaint gives it */
	const char *level;
	const char *complaint;
	int onsite; /* -1: as the level says (WO-3: Ⅲ and Ⅳ need a visit) */
	int64_t customer_id, subject_id, contact_id, parent_id, related_id;
	char phone[24]; /* normalised digits, "" none */
	const char *summary;
	int promise; /* -1: none, else enum wo_promise quoted to the customer */
	const char *region; /* NULL: the customer's latest order's region, if any */
};

struct wo_act {
	enum wo_action action;
	int64_t person_id;      /* assign: the new owner */
	const char *text;       /* reason (reopen, cancel, help), progress, callback note */
	const char *solution;   /* report (WO-6) */
	const char *cause;      /* report: why it happened (WO-9), for the knowledge base */
	const char *effect;
	const char *remaining;
	int64_t called_back_at; /* report: when the owner called the customer back, 0: unknown */
	int64_t third_party_id; /* refer: who it is passed to */
	int promise;            /* promise: enum wo_promise */
	enum wo_outcome outcome;
	const struct wo_new *follow_up; /* callback with a new need (CB-2) */
	int64_t version;        /* 0, or the version the client saw: ERR_CONFLICT if stale */
};

int wo_create(struct wo_ctx *c, const struct wo_new *in, struct wo_order *out);
/*
 * What an order made from a contact causes above wo (issue 18: the
 * conversation that contact resolved gets the order's link, src/chan/),
 * registered once at start-up (cli/serve.c) so wo never includes the module
 * that does it. wo_create() calls it in its transaction after the order and
 * its contact link are stored; a negative err rolls the creation back.
 */
typedef int (*wo_created_hook)(struct store *s, int64_t order_id, const char *number,
			       int64_t contact_id, int64_t now);
void wo_on_created(wo_created_hook fn);
/* The facts wo_action_block needs about an order, from its clocks, callback and chain. */
int wo_facts_load(struct store *s, const struct wo_order *o, struct wo_facts *out);
int wo_apply(struct wo_ctx *c, int64_t order_id, const struct wo_act *a, struct wo_order *out);
/* An earlier complaint of the customer on the same matter, still open or closed within
 * second_complaint_days: the reason to propose class D. ERR_NOTFOUND if none. */
int wo_second_complaint(struct store *s, int64_t customer_id, const char *complaint, int64_t now,
			struct wo_order *out);

/*
 * The scheduler's work (src/sched/; cli/serve.c registers it, every
 * round, about once a second). wo_tick fires every warning, breach and
 * escalation due at `now` — each in its own transaction, each exactly
 * once — and returns how many it fired, at most about SCHED_BUDGET in one
 * round; deadlines that passed while kefu was down fire at the first
 * round.
 */
int wo_tick(struct store *s, int64_t now);
/* WO-7: anonymises orders archived longer ago than retention_years; returns how
 * many. The scheduler runs it hourly. */
int wo_retention(struct store *s, int64_t now);
int wo_anonymise_archived(struct store *s, int64_t before, int max);

/* The module's routes (wo_api.c), ended by a route with method NULL. */
extern const struct route wo_routes[];

/*
 * The body readers of wo_api.c (no SQL): the fields of a new order, and of
 * an action on one (with a callback's follow-up order in *follow). Strings
 * stay owned by the body. 0, or the error with r->ei filled. Public for the
 * fuzz targets (tests/fuzz/fuzz_http.c) as well as the routes.
 */
int wo_api_read_new(struct req *r, struct json_t *body, struct wo_new *in);
int wo_api_read_act(struct req *r, enum wo_action action, struct wo_act *a, struct wo_new *follow);

#endif
