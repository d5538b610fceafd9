/*
 * ivr — the hotline's settings: the IVR menu tree (CALL-1), the opening
 * hours, the queues (ORG-2) and the emergency announcements, as rules
 * (ivr.c, no I/O), as rows (ivr_store.c) and over HTTP (ivr_api.c:
 * /api/hotline/menu, /hours, /prompts and /api/acd/queues;
 * ivr_notice_api.c: /api/hotline/notices). It also holds the walk of one
 * caller through the menu (struct ivr), a state machine without I/O.
 *
 * Who uses it. The manager edits the settings over HTTP, on the HTTP
 * workers; each save is one transaction with its audit entry. The call
 * engine (src/call, above this module) reads them when a call arrives
 * (ivr_call_setup: the menu, whether the hotline is open, the closed
 * prompt; ivr_notice_active and ivr_notice_audio: the announcement), keeps
 * its copy for the whole call, and drives struct ivr with the caller's
 * keys and the end of each prompt it plays. So an edit applies to the
 * calls that arrive afterwards. ivr knows nothing of calls, SIP or RTP.
 *
 * Files: ivr.c (the menu's, the hours', the queues' and the
 * announcements' rules; the walk), ivr_store.c (their SQL), ivr_api.c and
 * ivr_notice_api.c (HTTP; ivr_api_int.h holds the helpers both use).
 */
#ifndef KEFU_IVR_IVR_H
#define KEFU_IVR_IVR_H

#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

struct err_info;
struct store;

/* -- The IVR menu (ivr.c): rules of CALL-1, no I/O -- */

/*
 * One caller's walk through the hotline menu (CALL-1): welcome, then the
 * menu, then a digit. The call engine (src/call) plays what an action names,
 * tells the IVR when a prompt has finished, passes on every digit, and
 * calls ivr_tick() at ivr_deadline(); times are milliseconds from any
 * clock, given as `now`.
 *
 * The menu is a tree the manager edits (GET/PUT /api/hotline/menu; rows of
 * ivr_node, migration 6): the root's choices, each a digit 0-9 with one of
 * three actions — queue (play the choice's prompt, the transfer notice,
 * then the call goes to the queue), menu (a sub-menu: play its own menu
 * prompt and wait for one of its choices) or announce_hangup (play the
 * prompt, then hang up). The engine keeps the menu it loaded for the whole
 * call, so an edit applies to calls that arrive afterwards.
 *
 * A digit pressed while a prompt plays interrupts it (barge-in); digits
 * during the last prompt (the transfer notice) are ignored. In a sub-menu
 * '*' goes back up one level and plays that level's menu; at the root '*'
 * plays the root's menu again. 0 on a level that has no choice 0 goes to
 * the agent fall-back (CALL-1: 0 is always a person). Neither is a miss. No
 * digit within IVR_NO_INPUT_MS after a menu, or a digit that is not on it,
 * plays no_input or invalid and then that menu once more; a second miss in
 * the call (misses count per call, not per level, so nobody circles the
 * tree forever) goes to the agent fall-back: the root's choice that queues
 * to "agent", else the first choice that queues anywhere, in tree order.
 * ivr_menu_validate() refuses a menu without one (CALL-1: a caller who
 * cannot use the menu still reaches a person).
 */
#define IVR_NO_INPUT_MS 5000
#define IVR_RETRIES 1	 /* menu repeats after a miss before going to an agent */
#define IVR_NODES_MAX 32 /* choices in the whole tree */
#define IVR_DEPTH_MAX 3	 /* levels: the root's choices are level 1 */
#define IVR_KEY_SIZE 32	 /* prompt keys and queue codes: 1-31 of [a-z0-9_] */
#define IVR_LABEL_MAX 32 /* characters of a choice's label */
#define IVR_LABEL_SIZE (IVR_LABEL_MAX * 4 + 1)

enum ivr_node_action {
	IVR_NODE_QUEUE,		  /* "queue" */
	IVR_NODE_MENU,		  /* "menu": a sub-menu */
	IVR_NODE_ANNOUNCE_HANGUP, /* "announce_hangup" */
};

/* One choice of the menu. */
struct ivr_node {
	int parent; /* index of the sub-menu it is a choice of; -1: the root */
	char digit; /* '0'..'9' */
	enum ivr_node_action action;
	char label[IVR_LABEL_SIZE]; /* for the editor and the call log, e.g. 业务咨询 */
	char queue[IVR_KEY_SIZE];   /* queue only: an acd_queue code; else "" */
	char prompt[IVR_KEY_SIZE];  /* queue: the transfer notice; menu: its own menu;
				     * announce_hangup: the announcement */
};

/* The whole menu. Nodes are in tree order: a sub-menu before its choices,
 * and the choices of one level in the order the editor lists them. */
struct ivr_menu {
	char welcome[IVR_KEY_SIZE]; /* played first */
	char prompt[IVR_KEY_SIZE];  /* the root's menu */
	int n;
	struct ivr_node nodes[IVR_NODES_MAX];
	int64_t version; /* as stored: one more at each save (409 on a stale PUT) */
	int64_t updated_at;
	/* The emergency announcement to play after the welcome and before the
	 * menu (IVR_NOTICE_KEY), "" for none: set by the engine per call, never
	 * stored with the menu. */
	char notice[IVR_KEY_SIZE];
};

/* The CALL-1 menu, also what migration 6 stores: 1 业务咨询 market_consult,
 * 2 业务办理 tech_service, 3 投诉 complaint (prompt transfer), 0 人工服务
 * agent (prompt to_agent); welcome, menu. */
void ivr_menu_default(struct ivr_menu *m);
/* The agent fall-back's index (see above), -1 when the menu has no queue. */
int ivr_menu_fallback(const struct ivr_menu *m);
/* Level of a node: 1 for the root's choices. */
int ivr_node_depth(const struct ivr_menu *m, int i);
/* Where a node is in the editor's JSON, e.g. "nodes[1].children[0]"
 * (index among its siblings at each level), for errors. */
void ivr_node_path(const struct ivr_menu *m, int i, char *out, size_t size);
const char *ivr_node_action_name(enum ivr_node_action a);
/* The action of a name, or -1. */
int ivr_node_action_parse(const char *name);

/* What a menu and the calendar may name: the queues that exist and the
 * prompt keys there are (ivr_prompts_builtin and the WAVs in prompts_dir). */
struct ivr_known {
	const char *const *queues;
	size_t nqueues;
	const char *const *prompts;
	size_t nprompts;
};

/* The prompts the IVR itself plays (etc/prompts.txt), NULL-ended. A menu
 * may also name any other WAV in prompts_dir (a center's own recording). */
extern const char *const ivr_prompts_builtin[];
/* 1 when key is 1-31 characters of [a-z0-9_] (a prompt or queue code). */
int ivr_key_valid(const char *key);

/*
 * A menu as the editor sent it: 0, or ERR_UNPROCESSABLE with the field (a
 * node's path and field, e.g. "nodes[2].children[0].digit") and the reason:
 * no choices; a digit other than 0-9 or used twice on one level; a label
 * empty, not UTF-8 or over IVR_LABEL_MAX characters; a level deeper than
 * IVR_DEPTH_MAX; a sub-menu without choices, or choices under anything
 * else; a queue that does not exist (or one named by a choice that is not
 * a queue); a prompt that is not known; no choice that queues (no agent
 * fall-back).
 */
int ivr_menu_validate(const struct ivr_menu *m, const struct ivr_known *k, struct err_info *ei);

enum ivr_state {
	IVR_WELCOME, /* playing welcome */
	IVR_NOTICE,  /* playing the emergency announcement (menu->notice) */
	IVR_MENU,    /* playing the current level's menu */
	IVR_WAIT,    /* waiting for a digit, until the deadline */
	IVR_RETRY,   /* playing invalid or no_input, then the menu again */
	IVR_LEAVING, /* playing the transfer notice (or the closed notice), then hang up */
	IVR_DONE,    /* nothing more to do: the engine ends the call */
};

struct ivr {
	enum ivr_state state;
	const struct ivr_menu *menu; /* the caller's; must outlive the walk */
	int level;		     /* the sub-menu being offered (node index); -1: the root */
	int misses;
	int64_t deadline;	   /* IVR_WAIT: when no input counts; else 0 */
	char digits[17];	   /* every digit received, in order (the call log's) */
	char route[IVR_KEY_SIZE];  /* the queue chosen, once leaving */
	char notice[IVR_KEY_SIZE]; /* ivr_closed()'s prompt */
};

/* What the engine should do now, and what to write to the call log (the
 * engine logs each digit itself as it arrives). */
struct ivr_action {
	const char *play;  /* prompt key to start (stops any playing); NULL: none */
	int hangup;	   /* end the call (after IVR_LEAVING's prompt) */
	const char *miss;  /* "invalid" or "no_input" when this was a miss; else NULL */
	const char *route; /* the queue chosen, when this action leaves the menu */
};

/* Starts the walk through menu m (which must stay valid until the call ends). */
void ivr_start(struct ivr *v, const struct ivr_menu *m, int64_t now, struct ivr_action *a);
/* Outside the center's hours: only the closed notice (prompt, copied),
 * then hang up; digits are ignored. */
void ivr_closed(struct ivr *v, const char *prompt, int64_t now, struct ivr_action *a);
/* The prompt the engine played has finished. */
void ivr_prompt_done(struct ivr *v, int64_t now, struct ivr_action *a);
/* The caller pressed a key ('0'..'9', '*', '#', 'A'..'D'). */
void ivr_digit(struct ivr *v, char digit, int64_t now, struct ivr_action *a);
/* Time has passed; acts when the deadline is reached. */
void ivr_tick(struct ivr *v, int64_t now, struct ivr_action *a);
/* When ivr_tick() next has something to do; 0 for never. */
int64_t ivr_deadline(const struct ivr *v);
/* Name of a state, for logs. */
const char *ivr_state_name(enum ivr_state s);

/* -- The hotline's opening hours (ivr.c): rules, no I/O -- */

/*
 * When the hotline takes calls, in the center's local time (the time zone
 * installed by clock_tz_set, config `timezone`, like every "same day" in
 * kefu). WFM-1 staffs the center 24 hours in three shifts, so the default
 * is always open; a center may instead set weekly hours, closed days
 * (holidays) and make-up working days (调休) — GET/PUT /api/hotline/hours.
 *
 * At a local date and minute the hotline is open when: always_open is set;
 * else, the date is not a closed day, and a range of its weekday holds the
 * minute. A range is [opens, closes) in minutes of the day; closes may be
 * 1440 (24:00), and a range whose closes is before its opens runs past
 * midnight into the next date (22:00-02:00) — that tail belongs to the day
 * it started on, so it is kept when that day is open and cut at midnight
 * when the next date is a closed day. A make-up working day follows the
 * hours of its as_weekday (Monday unless said otherwise) whatever weekday
 * it falls on. A weekday with no range is closed.
 */
#define IVR_RANGES_MAX 28   /* weekly ranges in all */
#define IVR_DAYS_MAX 400    /* closed days, and make-up days, each */
#define IVR_DAY_NAME_MAX 32 /* characters of a day's name, e.g. 国庆节 */
#define IVR_DAY_NAME_SIZE (IVR_DAY_NAME_MAX * 4 + 1)

struct ivr_range {
	int weekday; /* 1 Monday .. 7 Sunday */
	int opens;   /* minute of the day, 0..1439 */
	int closes;  /* 1..1440; before opens: the range runs past midnight */
};

struct ivr_day {
	int ymd;	/* local date, e.g. 20261001 */
	int as_weekday; /* make-up days: whose hours apply (1..7); closed days: 0 */
	char name[IVR_DAY_NAME_SIZE];
};

/* About 110 KiB: allocate it, do not put it on a stack. */
struct ivr_hours {
	int always_open;
	char closed_prompt[IVR_KEY_SIZE]; /* what a caller hears when closed */
	int nweekly, nclosed, nopen;
	struct ivr_range weekly[IVR_RANGES_MAX];
	struct ivr_day closed[IVR_DAYS_MAX];
	struct ivr_day open[IVR_DAYS_MAX]; /* make-up working days */
	int64_t version;
	int64_t updated_at;
};

/* -- Emergency announcements (ivr.c rules, ivr_store.c, ivr_notice_api.c) -- */

/*
 * A notice the manager sets for an outage or a mass SMS campaign (seed 002
 * §4.3, seed 003 第十九条): while now is in [starts_at, ends_at) the
 * hotline plays its audio to every caller after the welcome and before the
 * menu, and the workbench shows its text (the agreed wording, 口径) to
 * every agent. The audio is spoken from the text when the notice is saved
 * (source "text", the build's espeak-ng voice) or uploaded (source
 * "recording"). Several notices may be scheduled and their windows may
 * overlap: at any instant the one that started last is the active one
 * (ties: the newest), so an urgent notice can be put over a long campaign
 * notice and the longer one comes back when the urgent one ends.
 */
#define IVR_NOTICE_TEXT_MAX 500 /* characters */
#define IVR_NOTICE_TEXT_SIZE (IVR_NOTICE_TEXT_MAX * 4 + 1)
#define IVR_NOTICE_MS_MIN 300		      /* shorter audio holds no speech */
#define IVR_NOTICE_MS_MAX 60000		      /* callers must reach the menu */
#define IVR_NOTICE_WAV_MAX (640 * 1024)	      /* bytes of an uploaded WAV */
#define IVR_NOTICE_SPAN_MAX (31LL * 86400000) /* longest window, ms */
#define IVR_NOTICE_KEY "@notice" /* the notice in a playlist: no file can have this key */

struct ivr_notice {
	int64_t id;
	char text[IVR_NOTICE_TEXT_SIZE];
	char source[12]; /* "text" or "recording" */
	int64_t starts_at, ends_at;
	int64_t audio_ms;
	int64_t version;
	int64_t created_by;
	int64_t created_at, updated_at;
};

/* 1 for "text" and "recording". */
int ivr_notice_source_valid(const char *source);
/*
 * 0, or ERR_UNPROCESSABLE with the field: text empty, not UTF-8 or over
 * IVR_NOTICE_TEXT_MAX characters; an unknown source; ends_at not after
 * starts_at, a window longer than IVR_NOTICE_SPAN_MAX; when creating,
 * ends_at not after now (a notice nobody would hear).
 */
int ivr_notice_validate(const struct ivr_notice *n, int64_t now, int creating, struct err_info *ei);
/* 0, or ERR_UNPROCESSABLE at field when audio of ms cannot be played as a
 * notice (under IVR_NOTICE_MS_MIN: no speech; over IVR_NOTICE_MS_MAX). */
int ivr_notice_audio_check(int64_t ms, const char *field, struct err_info *ei);
/* 1 when n is in its window at now. */
int ivr_notice_in_window(const struct ivr_notice *n, int64_t now);

typedef int (*ivr_notice_fn)(void *ctx, const struct ivr_notice *n);
/* Every notice, latest start first; returns how many, or a negative err. */
int ivr_notice_list(struct store *s, ivr_notice_fn row, void *ctx);
/* ERR_NOTFOUND when there is no such notice. */
int ivr_notice_get(struct store *s, int64_t id, struct ivr_notice *n);
/* Stores n (validated) with its WAV; sets n->id, version 1 and the times. */
int ivr_notice_insert(struct store *s, struct ivr_notice *n, const void *wav, size_t len,
		      int64_t now);
/* Writes text, source, window and, when wav is not NULL, the audio and
 * audio_ms; moves the version on (n->version is the new one). */
int ivr_notice_update(struct store *s, struct ivr_notice *n, const void *wav, size_t len,
		      int64_t now);
int ivr_notice_delete(struct store *s, int64_t id);
/* The active notice at now by the rule above, ERR_NOTFOUND when none. */
int ivr_notice_active(struct store *s, int64_t now, struct ivr_notice *n);
/* When the active notice next changes after now (an end or a start); 0: never. */
int ivr_notice_next_change(struct store *s, int64_t now, int64_t *at);
/* The stored WAV of a notice, malloc'd into *wav (the caller frees). */
int ivr_notice_audio(struct store *s, int64_t id, uint8_t **wav, size_t *len);

/* Always open, no ranges or days, closed_prompt out_of_hours: migration 6's. */
void ivr_hours_default(struct ivr_hours *h);
/* 1 when open at local date ymd and minute of the day (0..1439), else 0. */
int ivr_open_at(const struct ivr_hours *h, int ymd, int minute);
/* 1 when open at instant now, in the center's time zone, else 0. */
int ivr_open(const struct ivr_hours *h, int64_t now);
/*
 * 0, or ERR_UNPROCESSABLE with the field ("weekly[2].closes",
 * "closed_days[0].date", "open_days[1].as_weekday", "closed_prompt",
 * "weekly") and the reason: a weekday outside 1-7, a time outside 00:00-24:00
 * or a range that opens when it closes, a date that does not exist, a date
 * listed twice or both closed and make-up, a name over IVR_DAY_NAME_MAX
 * characters, an unknown closed prompt, or no range at all while not
 * always open (the hotline would never answer).
 */
int ivr_hours_validate(const struct ivr_hours *h, const struct ivr_known *k, struct err_info *ei);
/* 1 Monday .. 7 Sunday of a date, 0 when it is no date (20260230). */
int ivr_weekday(int ymd);
/* "2026-10-01" to 20261001: 0, or ERR_INVALID when not that shape or no such date. */
int ivr_date_parse(const char *text, int *ymd);
void ivr_date_format(int ymd, char out[11]);
/* "08:30" to 510, "24:00" to 1440: 0, or ERR_INVALID. */
int ivr_time_parse(const char *text, int *minute);
void ivr_time_format(int minute, char out[6]);

/* -- The hotline's settings (ivr_store.c): SQL; nothing here begins or
 * commits, the caller holds the transaction -- */

/* The menu as stored (ivr_node, hotline_setting). */
int ivr_menu_load(struct store *s, struct ivr_menu *m);
/* Replaces the stored menu with m (already validated) and moves the
 * version on; *version is the new one. */
int ivr_menu_save(struct store *s, const struct ivr_menu *m, int64_t now, int64_t *version);
/* The calendar as stored (hotline_hours, hotline_closed_day,
 * hotline_open_day, hotline_setting). */
int ivr_hours_load(struct store *s, struct ivr_hours *h);
int ivr_hours_save(struct store *s, const struct ivr_hours *h, int64_t now, int64_t *version);

/*
 * What the call engine needs when a call arrives, in one read: the menu
 * into *m, whether the hotline is open at now (*open) and, when closed,
 * the prompt to play (closed_prompt). A stored menu without an agent
 * fall-back (edited by hand) is replaced by ivr_menu_default().
 */
int ivr_call_setup(struct store *s, int64_t now, struct ivr_menu *m, int *open,
		   char closed_prompt[IVR_KEY_SIZE]);

/* A queue (acd_queue, migration 5): one per skill (ORG-2); skill "" is any seat. */
#define IVR_QUEUE_NAME_MAX 32 /* characters */
#define IVR_QUEUE_WAIT_MIN 10 /* max_wait_sec bounds (the table's CHECK) */
#define IVR_QUEUE_WAIT_MAX 3600
#define IVR_QUEUE_ANNOUNCE_MAX 600 /* announce_sec: 0 (never) .. 600 */

struct ivr_queue {
	char code[IVR_KEY_SIZE];
	char name[IVR_QUEUE_NAME_MAX * 4 + 1];
	char skill[33];	   /* a skill code; "" for any seat */
	char strategy[16]; /* longest_idle (default), round_robin, ring_all */
	int max_wait_sec;  /* then the caller is offered a callback */
	int announce_sec;  /* position and expected wait every so often; 0: never */
	int64_t updated_at;
};

/* 1 for longest_idle, round_robin and ring_all. */
int ivr_strategy_valid(const char *name);
/* 0, or ERR_UNPROCESSABLE with the field: an empty or too long name, an
 * unknown strategy, max_wait_sec or announce_sec out of bounds. (Whether
 * the skill exists is the caller's question to org.) */
int ivr_queue_validate(const struct ivr_queue *q, struct err_info *ei);

typedef int (*ivr_queue_fn)(void *ctx, const struct ivr_queue *q);
/* Every queue by code; returns how many, or a negative err. */
int ivr_queue_list(struct store *s, ivr_queue_fn row, void *ctx);
/* ERR_NOTFOUND when there is no such queue. */
int ivr_queue_get(struct store *s, const char *code, struct ivr_queue *q);
/* Writes name, skill, strategy, max_wait_sec and announce_sec of q->code. */
int ivr_queue_update(struct store *s, const struct ivr_queue *q, int64_t now);

/* The module's routes (ivr_api.c, ivr_notice_api.c), each ended by a route
 * with method NULL. */
extern const struct route ivr_routes[];
extern const struct route ivr_notice_routes[];

#endif
