/*
 * auth — who is asking, and may they: sessions, passwords, authorization.
 *
 * auth sits below the HTTP server (src/http/, which authenticates every
 * request with it) and above store and audit; it knows no domain. The
 * roles are defined here, because the policy is written in them; org
 * stores them with each person and names them. auth_store.c reads the
 * person table with its own SQL (a session's principal: work number,
 * name, roles, department, active). The login, logout and password
 * endpoints are a domain of their own above it (src/login/).
 *
 * auth_authorize() is the one function that decides every request. The
 * policy is a table of action × role → scope (none, self, own department,
 * all). The server calls it with the route's action before the handler
 * runs; handlers call it again with the record they touch (its department
 * and person), so department scoping (staff see only their department) is
 * decided in the same place. auth_scope() gives list handlers the widest
 * scope a principal has, to filter queries with.
 *
 * Passwords are hashed with argon2id (libsodium crypto_pwhash_str). Session
 * tokens are 32 bytes from the OS CSPRNG, sent to the client once and
 * stored only as their BLAKE2b hash, so a copy of the database cannot be
 * used to log in. auth_store.c keeps sessions and login throttling in the
 * database, so several app nodes share them.
 *
 * What a session's end causes above auth (ORG-3: the agent's seat is
 * logged out) is a hook the program registers at start-up
 * (auth_on_session_end), so auth never includes the module that does it.
 */
#ifndef KEFU_AUTH_AUTH_H
#define KEFU_AUTH_AUTH_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct audit_actor;

/* Roles are bits so one person may hold several (a supervisor who is also an agent). */
enum auth_role {
	ROLE_ADMIN = 1 << 0,      /* IT: accounts and settings */
	ROLE_MANAGER = 1 << 1,    /* 客服经理 */
	ROLE_SUPERVISOR = 1 << 2, /* 客服主管 */
	ROLE_AGENT = 1 << 3,      /* 客服专员 */
	ROLE_STAFF = 1 << 4,      /* department member who receives work orders */
	ROLE_HR = 1 << 5,         /* 人事部 */
	ROLE_OFFICE = 1 << 6,     /* 总经办 */
	ROLE_QA = 1 << 7,         /* 质检员: quality inspection (issue 15, QA-1..5) */
};
#define AUTH_ROLE_COUNT 8
#define AUTH_ROLES_ALL ((1u << AUTH_ROLE_COUNT) - 1)

enum auth_action {
	ACT_PUBLIC,	    /* no login needed */
	ACT_SELF,	    /* any logged-in person, about themselves */
	ACT_ORG_READ,	    /* people and departments */
	ACT_PERSON_WRITE,   /* create people, change their basic fields, disable them */
	ACT_PERSON_ROLES,   /* set roles and skills */
	ACT_GRANT_ADMIN,    /* give or take the admin role */
	ACT_PERSON_CERTIFY, /* ORG-4: confirm a person qualified for duty */
	ACT_PASSWORD_RESET, /* set a new password for someone else */
	ACT_PHONE_VIEW,	    /* see staff phone numbers unmasked */
	ACT_DEPT_WRITE,	    /* create, change, delete departments */
	ACT_AUDIT_READ,	    /* read the audit log */
	ACT_CUST_READ,	    /* customers and their history (CUST-1), phones masked */
	ACT_CUST_WRITE,	    /* create and change customers */
	ACT_CUST_REVEAL,    /* see a customer's phone unmasked, with a logged reason (CUST-2) */
	ACT_CUST_MERGE,	    /* merge duplicate customers */
	ACT_CUST_EXPORT,    /* PIPL: everything kefu holds on a customer, with a reason, audited */
	ACT_CUST_ERASE,	    /* PIPL: anonymise a customer on request, irreversibly, audited */
	ACT_CONTACT_WRITE,  /* record contacts (CALL-10) */
	ACT_ORDER_CREATE,   /* open work orders */
	ACT_ORDER_READ,	    /* read work orders (staff: their department's) */
	ACT_ORDER_WORK, /* accept, call back, go on site, report (self: as owner or responsible) */
	ACT_ORDER_MANAGE, /* assign, reassign, cancel, reopen */
	ACT_CALLBACK,	  /* the center's callbacks to customers (CB-1, CB-2) */
	ACT_WO_CONFIG,	  /* classes, deadlines, levels, catalogue, routing, settings */
	ACT_REPORT_READ,  /* reports */
	ACT_EXPORT,	  /* CSV exports (SEC-2) */
	ACT_AGENT_STATE,  /* set one's own agent status: ready, busy, break, logged out */
	ACT_ACD_READ,	  /* every agent's status, the queues and the wallboard figures */
	ACT_ACD_MANAGE,	  /* set another agent's status (e.g. log out a forgotten seat) */
	ACT_SIP_ADMIN,	  /* set others' SIP passwords, see registrations */
	ACT_CALL_RECORDING, /* play call recordings (agents: their own calls), audited */
	ACT_CALL_READ,	    /* the call log: every call with its events and metrics */
	ACT_HOTLINE_CONFIG, /* the hotline's menu, opening hours and queues */
	ACT_ATTACHMENT_ADD, /* attach files to the orders (staff: their department's) and contacts one sees */
	ACT_ATTACHMENT_DELETE, /* remove an attachment (self: the ones one attached) */
	ACT_WFM_READ,	       /* the shift types (WFM-1) */
	ACT_WFM_CONFIG,	       /* add and change shift types, the staffing settings */
	ACT_WFM_PLAN,	       /* the forecast and staffing, and the supervisor's edits of it */
	ACT_WFM_ROSTER_AMEND,  /* WFM-3: change a published roster (the manager) */
	ACT_WFM_OUTSIDE_ASK,   /* WFM-3: ask to work outside one's shift; see the requests */
	ACT_WFM_OUTSIDE_DECIDE, /* WFM-3: grant or refuse working outside the roster */
	ACT_WFM_EXPORT,	       /* the roster and the attendance sheet as spreadsheets, audited */
	ACT_HANDOVER, /* the handover log: read, write, sign (self: agents of the shifts) */
	ACT_WFM_ATTEND_READ,   /* attendance (WFM-5): everyone's, or (self) one's own */
	ACT_WFM_ATTEND_EXCUSE, /* excuse an agent's late arrival, early leaving or absence */
	ACT_WFM_REQUEST,       /* one's own leave and swaps, counter-signing, one's own month */
	ACT_WFM_DECIDE,	       /* decide everyone's leave and swaps, emergency leave, paperwork */
	ACT_QA_REVIEW,  /* QA-1, QA-5: the review queue, scoring, comments; scorecards, plans read */
	ACT_QA_CONFIG,  /* scorecard templates, sampling plans, QA settings */
	ACT_QA_READ,    /* an assessment with its call (self: one's own closed ones) */
	ACT_QA_APPEAL,  /* one's own assessments and appeals against them */
	ACT_QA_DECIDE,  /* decide appeals (level by role: supervisor, then qa or manager) */
	ACT_QA_CHECK_READ,     /* the automatic checks: everyone's, or (self) one's own calls' */
	ACT_QA_RULE_READ,      /* the quality rules (QA-3, QA-4) and their versions */
	ACT_QA_RULE_WRITE,     /* add and change rules, switch them, the test box */
	ACT_QA_TRANSCRIPT,     /* post a call's transcript (a center's own speech recogniser) */
	ACT_QA_DAILY_READ,     /* QA-2: the daily quality-anomaly reports */
	ACT_QA_DAILY_WRITE,    /* QA-2: draft, edit and send the day's report (supervisors) */
	ACT_QA_AGENTS_READ,    /* QA-5: the agents' quality figures and the star (self: one's own) */
	ACT_QA_EXPORT,	       /* QA-5: the agents' figures as a spreadsheet, audited */
	ACT_KB_READ,	       /* the knowledge base and scripts as published, within each article's visibility */
	ACT_KB_EDIT,	       /* write and change drafts, send them to review */
	ACT_KB_REVIEW,	       /* approve, reject, publish and retire articles and scripts */
	ACT_KB_SETUP,	       /* the category tree and the synonyms */
	ACT_KB_REPORT,	       /* searches that found nothing, the most used and least helpful articles */
	ACT_OUT_CALL,	       /* outbound calls (issue 17): place them, record their outcome, one's tasks */
	ACT_OUT_READ,	       /* the outbound call log, tasks and campaigns (self: one's own) */
	ACT_OUT_MANAGE,	       /* campaigns and their lists, the do-not-call list, outbound settings, test calls */
	ACT_CHAN_READ,	       /* conversations of every channel (issue 18; self: one's own and one's queues') */
	ACT_CHAN_REPLY,	       /* answer, transfer and resolve one's conversations, take a waiting one */
	ACT_CHAN_SUPERVISE,    /* take over and assign anyone's conversation, every queue */
	ACT_CHAN_MANAGE,       /* channel accounts, channel settings, SMS templates and the opt-out list */
	ACT_MTG_READ,	       /* meetings (MTG-1): every one (self: those one attends or hosts) */
	ACT_MTG_MANAGE,	       /* call, cancel and minute meetings, mark attendance, action items, schedules */
	ACT_MTG_ACTION_DONE,   /* mark an action item done (self: one's own items) */
	ACT_MTG_LOG_WRITE,     /* LED-1: write one's own daily log and monthly summary */
	ACT_MTG_LOG_READ,      /* LED-1: work logs (self: one's own) */
	ACT_MTG_LOG_COMMENT,   /* LED-1: comment on work logs, see who has none */
	ACT_MTG_INSPECT,       /* 日常工作检查: record and read inspections and their findings */
	ACT_PERF_READ,	       /* issue 19: the month's evaluation and praise records (self: one's own) */
	ACT_PERF_PRAISE,       /* record and withdraw praise and criticism of an agent */
	ACT_PERF_COMPUTE,      /* compute (and recompute) the month's evaluation and rewards */
	ACT_PERF_MANAGE,       /* the evaluation's settings, change a computed reward, close the month */
	ACT_PERF_LEDGER,       /* the people ledger's lines (self: one's own) */
	ACT_PERF_EXPORT,       /* the month's payout sheet for HR (.xlsx), audited */
	/* Issue 19, perf's cases (PERF-2, PERF-4, PERF-5): */
	ACT_PERF_CASE_READ,	   /* penalties, escalations, grievances (self: one's own) */
	ACT_PERF_PENALTY,	   /* record penalties, confirm or dismiss the proposals */
	ACT_PERF_RESPOND,	   /* acknowledge or object to one's own penalty */
	ACT_PERF_CASE_MANAGE,	   /* decide objections, adopt proposals, categories, settings */
	ACT_PERF_ESCALATION,	   /* HR decides the escalation of repeat offences */
	ACT_PERF_PROPOSE,	   /* submit a proposal (合理化建议), read one's own */
	ACT_PERF_PROPOSAL_REVIEW,  /* the supervisor's review of a proposal */
	ACT_PERF_PROPOSAL_PAY,	   /* HR marks an adopted proposal paid */
	ACT_PERF_GRIEVANCE_SUBMIT, /* the center (a supervisor) submits a grievance case */
	ACT_PERF_GRIEVANCE_REVIEW, /* the manager's first review */
	ACT_PERF_GRIEVANCE_VERIFY, /* HR verifies (interview or recording) */
	ACT_PERF_GRIEVANCE_DECIDE, /* the general office decides the level and announces */
	ACT_TRN_READ,	       /* courses, training plans and sessions (issue 19, TRN-1, TRN-3) */
	ACT_TRN_MANAGE,	       /* courses, plans, sessions and attendance, the question bank, papers, exams, practicals */
	ACT_TRN_EXAM,	       /* exams and certification status (self: one's own, and the ones one marks) */
	ACT_TRN_MARK,	       /* mark short answers (only the exam's trainer, TRN-2) */
	ACT_TRN_PANEL,	       /* score a practical exam one sits on the panel of (TRN-2) */
	ACT_REPORT_SCHEDULE,   /* issue 20: scheduled reports, and every delivered report file */
	ACT_REPORT_AGENTS,     /* issue 20: the agents' work statistics (self: one's own row; dept: one's department) */
	ACT_COUNT
};

enum auth_scope { SCOPE_NONE, SCOPE_SELF, SCOPE_DEPT, SCOPE_ALL };

struct principal {
	int64_t person_id; /* 0: anonymous */
	char work_no[33];
	char name[257];
	unsigned roles;
	int64_t department_id;
	int64_t session_id;
	int64_t expires_at;
	char csrf[48];
	int via_cookie; /* cookie-authenticated: writes need the CSRF token */
	int must_change_password; /* still on an initial or reset password */
};

/* What a request touches: 0 fields mean "not about a particular record". */
struct auth_target {
	int64_t department_id;
	int64_t person_id;
};

const char *auth_action_name(enum auth_action a);
/* The widest scope any of the principal's roles has for the action. */
enum auth_scope auth_scope(const struct principal *p, enum auth_action a);
/* 0 if allowed, ERR_FORBIDDEN (or ERR_AUTH when nobody is logged in). */
int auth_authorize(const struct principal *p, enum auth_action a, const struct auth_target *t);

/* Passwords. cost: "moderate", "interactive" or "min" (tests only). */
#define AUTH_HASH_MAX 128
#define AUTH_PASSWORD_MIN 10
#define AUTH_PASSWORD_MAX 128
int auth_password_hash(const char *password, const char *cost, char out[AUTH_HASH_MAX]);
int auth_password_verify(const char *hash, const char *password);
/* A new random password of 16 characters people can read aloud. */
void auth_password_random(char out[17]);
/* 0 or ERR_UNPROCESSABLE with a message: length and character rules. */
int auth_password_acceptable(const char *password, const char **why);

/* Tokens: 43 base64url characters; hash: 64 hex characters. */
#define AUTH_TOKEN_LEN 43
void auth_token_new(char out[AUTH_TOKEN_LEN + 1]);
void auth_token_hash(const char *token, char out[65]);
/* Constant-time comparison of two NUL-terminated strings. */
int auth_equal(const char *a, const char *b);

/* Sessions (auth_store.c). */
int auth_session_create(struct store *s, int64_t person_id, const char *token_hash,
			const char *csrf, int64_t now, int64_t expires_at, const char *address,
			int64_t *id);
/* Looks a token up; ERR_AUTH unless it is live and its person active. */
int auth_session_lookup(struct store *s, const char *token_hash, int64_t now, int64_t idle_ms,
			struct principal *out);
int auth_session_delete(struct store *s, int64_t session_id);
/*
 * What the end of a person's last live session causes, registered once at
 * start-up before any thread runs (cli/serve.c: the agent's seat is logged
 * out, ORG-3). `ended` runs in the transaction that ends the session, with
 * who (NULL: the system) and how ("logout" or "session_expired"); it
 * returns 1 if it changed something, 0 if not, or a negative err, which
 * rolls the ending back. `committed` (may be NULL) runs after the commit
 * of endings of which one returned 1 (the wallboard's agent counts).
 * Without a hook a session's end only ends the session.
 */
typedef int (*auth_ended_fn)(struct store *s, int64_t person_id, const struct audit_actor *who,
			     const char *how, int64_t now);
void auth_on_session_end(auth_ended_fn ended, void (*committed)(void));
/* Runs the `committed` hook: for a caller of auth_session_end that got 1, after its commit. */
void auth_session_end_committed(void);
/*
 * Ends one session (logout or expiry, how: "logout" or "session_expired")
 * in the caller's transaction; when it was the person's last live session,
 * the `ended` hook runs (who NULL: the system). Returns what the hook
 * returned (1: the seat was logged out), 0 if it did not run, or a
 * negative err.
 */
int auth_session_end(struct store *s, int64_t session_id, int64_t person_id,
		     const struct audit_actor *who, const char *how, int64_t now, int64_t idle_ms);
/*
 * The tick: ends every session expired at now (past expires_at or unused
 * for idle_ms), each in its own transaction, with auth_session_end, then
 * runs the `committed` hook if a seat was logged out. Returns how many
 * seats it logged out, or a negative err.
 */
int auth_session_expire(struct store *s, int64_t now, int64_t idle_ms);
/* Ends every session of a person except `keep` (0: all). */
int auth_session_delete_person(struct store *s, int64_t person_id, int64_t keep);

/*
 * Login throttling by key, three of them for each attempt (issue 12 item
 * 23): "p:<work no>|<address>", the pair, with a progressive delay
 * (login_max_failures); "a:<address>", one address guessing many work
 * numbers (login_addr_max_failures); "u:<work no>", a ceiling for guesses
 * at one work number from everywhere (login_account_max_failures), high
 * enough that one address cannot reach it before its pair is slowed to a
 * crawl, so an attacker cannot lock the account's owner out. Every attempt
 * is counted as a failure before the password is checked, inside the same
 * transaction as the lock check, so parallel attempts cannot evaluate more
 * than max_failures guesses in a window. A successful login takes its
 * attempt back (auth_throttle_forget) and clears the pair's count.
 */
/* ERR_THROTTLED while the key is locked (nothing recorded); else records
 * the attempt, locks the key when it reaches max_failures (returns 1 then,
 * else 0), sets *id. */
int auth_throttle_attempt(struct store *s, const char *key, int64_t now, int max_failures,
			  int64_t window_ms, int64_t *id);
/*
 * The same for the key of one work number from one address ("p:<work
 * no>|<address>"), with a progressive delay (issue 12 item 23): the first
 * lock comes after max_failures guesses within window_ms and lasts
 * window_ms; for a day after a lock each single guess locks the pair
 * again, for twice as long as the lock before (at most a day). So one
 * address keeps its guessing rate falling, and no other address (the
 * account's owner at their desk) is slowed by it.
 */
int auth_throttle_pair(struct store *s, const char *pair, int64_t now, int max_failures,
		       int64_t window_ms, int64_t *id);
/* Takes attempt id of key back, and the lock it set if the key is then
 * under max_failures again (a lock set earlier would have refused it). */
int auth_throttle_forget(struct store *s, const char *key, int64_t id, int64_t now,
			 int max_failures, int64_t window_ms);
/* Forgets a key's failures and its lock. */
int auth_throttle_clear(struct store *s, const char *key);

#endif
