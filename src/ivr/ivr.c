/*
 * The hotline's IVR menu (CALL-1), opening hours, announcements and queues
 * as rules without I/O. See ivr.h for the states, the tree, the calendar
 * and the engine's part.
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/utf8.h"
#include "ivr/ivr.h"

const char *const ivr_prompts_builtin[] = {
	"welcome", "menu", "invalid", "no_input", "to_agent", "transfer", "out_of_hours", NULL,
};

static void node_set(struct ivr_node *n, int parent, char digit, enum ivr_node_action action,
		     const char *label, const char *queue, const char *prompt)
{
	memset(n, 0, sizeof(*n));
	n->parent = parent;
	n->digit = digit;
	n->action = action;
	snprintf(n->label, sizeof(n->label), "%s", label);
	snprintf(n->queue, sizeof(n->queue), "%s", queue);
	snprintf(n->prompt, sizeof(n->prompt), "%s", prompt);
}

/*
 * The menu of CALL-1 (000 电话客服受理流程): business consultation,
 * business handling, complaint, an agent. Routes are queues by skill
 * (ORG-2): consultation to the market-consultation seats, handling to the
 * technical-service seats, complaints to the supervising seats, 0 to any
 * agent. Migration 6 stores the same tree; this copy serves a database
 * whose menu cannot be used and the unit tests.
 */
void ivr_menu_default(struct ivr_menu *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->welcome, sizeof(m->welcome), "welcome");
	snprintf(m->prompt, sizeof(m->prompt), "menu");
	node_set(&m->nodes[0], -1, '1', IVR_NODE_QUEUE, "业务咨询", "market_consult", "transfer");
	node_set(&m->nodes[1], -1, '2', IVR_NODE_QUEUE, "业务办理", "tech_service", "transfer");
	node_set(&m->nodes[2], -1, '3', IVR_NODE_QUEUE, "投诉", "complaint", "transfer");
	node_set(&m->nodes[3], -1, '0', IVR_NODE_QUEUE, "人工服务", "agent", "to_agent");
	m->n = 4;
}

int ivr_menu_fallback(const struct ivr_menu *m)
{
	for (int i = 0; i < m->n; i++)
		if (m->nodes[i].parent < 0 && m->nodes[i].action == IVR_NODE_QUEUE &&
		    strcmp(m->nodes[i].queue, "agent") == 0)
			return i;
	for (int i = 0; i < m->n; i++)
		if (m->nodes[i].action == IVR_NODE_QUEUE)
			return i;
	return -1;
}

int ivr_node_depth(const struct ivr_menu *m, int i)
{
	int depth = 0;

	/* Bounded by n, so a parent loop (which validation refuses) cannot spin. */
	while (i >= 0 && i < m->n && depth <= m->n) {
		depth++;
		i = m->nodes[i].parent;
	}
	return depth;
}

/* The node's index among the choices of its level. */
static int sibling_index(const struct ivr_menu *m, int i)
{
	int k = 0;

	for (int j = 0; j < i; j++)
		if (m->nodes[j].parent == m->nodes[i].parent)
			k++;
	return k;
}

void ivr_node_path(const struct ivr_menu *m, int i, char *out, size_t size)
{
	int chain[IVR_NODES_MAX + 1], n = 0;
	size_t len = 0;

	out[0] = 0;
	while (i >= 0 && i < m->n && n < IVR_NODES_MAX + 1) {
		chain[n++] = i;
		i = m->nodes[i].parent;
	}
	while (n-- > 0 && len < size) {
		int w = snprintf(out + len, size - len, "%s[%d]", len ? ".children" : "nodes",
				 sibling_index(m, chain[n]));

		if (w < 0)
			break;
		len += (size_t)w;
	}
}

static const char *const action_names[] = {"queue", "menu", "announce_hangup"};

const char *ivr_node_action_name(enum ivr_node_action a)
{
	return (unsigned)a < sizeof(action_names) / sizeof(action_names[0]) ? action_names[a] : "?";
}

int ivr_node_action_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++)
		if (name && strcmp(name, action_names[i]) == 0)
			return (int)i;
	return -1;
}

int ivr_key_valid(const char *key)
{
	size_t n = key ? strlen(key) : 0;

	if (n == 0 || n >= IVR_KEY_SIZE)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= '0' && key[i] <= '9') ||
		      key[i] == '_'))
			return 0;
	return 1;
}

static int in_list(const char *key, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], key) == 0)
			return 1;
	return 0;
}

static int prompt_known(const struct ivr_known *k, const char *key)
{
	return ivr_key_valid(key) && (in_list(key, ivr_prompts_builtin,
					      sizeof(ivr_prompts_builtin) / sizeof(char *) - 1) ||
				      in_list(key, k->prompts, k->nprompts));
}

static int node_error(const struct ivr_menu *m, int i, const char *field, struct err_info *ei,
		      const char *why)
{
	char path[64], at[sizeof(path) + 16];

	ivr_node_path(m, i, path, sizeof(path));
	snprintf(at, sizeof(at), "%s%s%s", path, field[0] ? "." : "", field);
	return err_set(ei, ERR_UNPROCESSABLE, at, "%s: %s", at, why);
}

static int text_ok(const char *s, size_t max_chars)
{
	size_t len = strlen(s);

	return len > 0 && utf8_valid(s, len) && utf8_len(s) <= max_chars;
}

int ivr_menu_validate(const struct ivr_menu *m, const struct ivr_known *k, struct err_info *ei)
{
	if (!prompt_known(k, m->welcome))
		return err_set(ei, ERR_UNPROCESSABLE, "welcome", "welcome: no prompt %s",
			       m->welcome);
	if (!prompt_known(k, m->prompt))
		return err_set(ei, ERR_UNPROCESSABLE, "prompt", "prompt: no prompt %s", m->prompt);
	if (m->n <= 0)
		return err_set(ei, ERR_UNPROCESSABLE, "nodes", "nodes: the menu needs choices");
	if (m->n > IVR_NODES_MAX)
		return err_set(ei, ERR_UNPROCESSABLE, "nodes", "nodes: at most %d choices in all",
			       IVR_NODES_MAX);
	for (int i = 0; i < m->n; i++) {
		const struct ivr_node *x = &m->nodes[i];
		int kids = 0;

		/* A parent listed after its child could hide a loop. */
		if (x->parent >= i || x->parent < -1)
			return node_error(m, i, "", ei, "a sub-menu must come before its choices");
		if (x->parent >= 0 && m->nodes[x->parent].action != IVR_NODE_MENU)
			return node_error(m, x->parent, "children", ei,
					  "only a sub-menu (action menu) has choices");
		if (ivr_node_depth(m, i) > IVR_DEPTH_MAX)
			return node_error(m, i, "", ei, "the menu is at most 3 levels deep");
		if (x->digit < '0' || x->digit > '9')
			return node_error(m, i, "digit", ei, "a digit 0-9");
		for (int j = 0; j < i; j++)
			if (m->nodes[j].parent == x->parent && m->nodes[j].digit == x->digit)
				return node_error(m, i, "digit", ei,
						  "this digit is already a choice on this level");
		if (!text_ok(x->label, IVR_LABEL_MAX))
			return node_error(m, i, "label", ei, "1 to 32 characters");
		if ((unsigned)x->action > IVR_NODE_ANNOUNCE_HANGUP)
			return node_error(m, i, "action", ei, "queue, menu or announce_hangup");
		if (x->action == IVR_NODE_QUEUE && !in_list(x->queue, k->queues, k->nqueues))
			return node_error(m, i, "queue", ei, "no such queue");
		if (x->action != IVR_NODE_QUEUE && x->queue[0])
			return node_error(m, i, "queue", ei, "only a queue choice names a queue");
		if (!prompt_known(k, x->prompt))
			return node_error(m, i, "prompt", ei, "no such prompt");
		for (int j = i + 1; j < m->n; j++)
			kids += m->nodes[j].parent == i;
		if (x->action == IVR_NODE_MENU && kids == 0)
			return node_error(m, i, "children", ei, "a sub-menu needs choices");
	}
	if (ivr_menu_fallback(m) < 0)
		return err_set(ei, ERR_UNPROCESSABLE, "nodes",
			       "nodes: at least one choice must go to a queue: callers who do "
			       "not choose go to an agent");
	return 0;
}

/* -- The walk -- */

static void clear(struct ivr_action *a)
{
	memset(a, 0, sizeof(*a));
}

/* The menu prompt of the level being offered. */
static const char *level_prompt(const struct ivr *v)
{
	return v->level < 0 ? v->menu->prompt : v->menu->nodes[v->level].prompt;
}

void ivr_start(struct ivr *v, const struct ivr_menu *m, int64_t now, struct ivr_action *a)
{
	(void)now;
	memset(v, 0, sizeof(*v));
	clear(a);
	v->menu = m;
	v->level = -1;
	v->state = IVR_WELCOME;
	a->play = m->welcome;
}

void ivr_closed(struct ivr *v, const char *prompt, int64_t now, struct ivr_action *a)
{
	(void)now;
	memset(v, 0, sizeof(*v));
	clear(a);
	v->level = -1;
	v->state = IVR_LEAVING;
	snprintf(v->notice, sizeof(v->notice), "%s", prompt);
	a->play = v->notice;
}

/* A choice that ends the walk: a queue (with its transfer notice) or an announcement. */
static void leave(struct ivr *v, int i, struct ivr_action *a)
{
	const struct ivr_node *x;

	v->deadline = 0;
	if (i < 0) {
		/* Only a menu that was never validated gets here: end the call
		 * rather than leave the caller in silence. */
		v->state = IVR_DONE;
		a->hangup = 1;
		return;
	}
	x = &v->menu->nodes[i];
	v->state = IVR_LEAVING;
	a->play = x->prompt;
	if (x->action == IVR_NODE_QUEUE) {
		snprintf(v->route, sizeof(v->route), "%s", x->queue);
		a->route = v->route;
	}
}

/* Offers a level: its menu prompt, then the wait for a digit. */
static void offer(struct ivr *v, int level, struct ivr_action *a)
{
	v->level = level;
	v->state = IVR_MENU;
	v->deadline = 0;
	a->play = level_prompt(v);
}

/* A miss (an invalid key or no input): the menu once more, then an agent. */
static void miss(struct ivr *v, const char *kind, struct ivr_action *a)
{
	v->misses++;
	v->deadline = 0;
	a->miss = kind;
	if (v->misses > IVR_RETRIES) {
		leave(v, ivr_menu_fallback(v->menu), a);
		return;
	}
	v->state = IVR_RETRY;
	a->play = kind; /* the prompts are named like the misses */
}

void ivr_prompt_done(struct ivr *v, int64_t now, struct ivr_action *a)
{
	clear(a);
	switch (v->state) {
	case IVR_WELCOME:
		if (v->menu && v->menu->notice[0]) {
			/* The emergency announcement: after the welcome, before the menu. */
			v->state = IVR_NOTICE;
			a->play = v->menu->notice;
			break;
		}
		offer(v, v->level, a);
		break;
	case IVR_NOTICE:
	case IVR_RETRY:
		offer(v, v->level, a);
		break;
	case IVR_MENU:
		v->state = IVR_WAIT;
		v->deadline = now + IVR_NO_INPUT_MS;
		break;
	case IVR_LEAVING:
		v->state = IVR_DONE;
		a->hangup = 1;
		break;
	case IVR_WAIT:
	case IVR_DONE:
		break;
	}
}

void ivr_digit(struct ivr *v, char digit, int64_t now, struct ivr_action *a)
{
	const struct ivr_menu *m = v->menu;
	size_t n = strlen(v->digits);

	(void)now;
	clear(a);
	if (v->state == IVR_LEAVING || v->state == IVR_DONE || !m)
		return; /* the choice is made; keys during the transfer notice mean nothing */
	if (n + 1 < sizeof(v->digits)) {
		v->digits[n] = digit;
		v->digits[n + 1] = 0;
	}
	if (digit == '*') {
		offer(v, v->level < 0 ? -1 : m->nodes[v->level].parent, a);
		return;
	}
	for (int i = 0; i < m->n; i++) {
		if (m->nodes[i].parent != v->level || m->nodes[i].digit != digit)
			continue;
		if (m->nodes[i].action == IVR_NODE_MENU)
			offer(v, i, a);
		else
			leave(v, i, a);
		return;
	}
	if (digit == '0') {
		leave(v, ivr_menu_fallback(m), a);
		return;
	}
	miss(v, "invalid", a);
}

void ivr_tick(struct ivr *v, int64_t now, struct ivr_action *a)
{
	clear(a);
	if (v->state != IVR_WAIT || now < v->deadline)
		return;
	miss(v, "no_input", a);
}

int64_t ivr_deadline(const struct ivr *v)
{
	return v->state == IVR_WAIT ? v->deadline : 0;
}

const char *ivr_state_name(enum ivr_state s)
{
	static const char *const names[] = {"welcome", "notice",  "menu", "wait",
					    "retry",   "leaving", "done"};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/* -- Opening hours -- */

/* Dates as YYYYMMDD numbers step by days through core's calendar. */
static int64_t days_from_ymd(int ymd)
{
	return clock_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
}

static int ymd_from_days(int64_t z)
{
	int y, m, d;

	clock_civil_from_days(z, &y, &m, &d);
	return y * 10000 + m * 100 + d;
}

int ivr_weekday(int ymd)
{
	int64_t days;

	if (ymd < 19000101 || ymd > 29991231)
		return 0;
	days = days_from_ymd(ymd);
	if (ymd_from_days(days) != ymd)
		return 0; /* 20260230 and the like */
	/* 1970-01-01 was a Thursday (4). */
	return (int)(((days + 3) % 7 + 7) % 7) + 1;
}

void ivr_hours_default(struct ivr_hours *h)
{
	memset(h, 0, sizeof(*h));
	h->always_open = 1;
	snprintf(h->closed_prompt, sizeof(h->closed_prompt), "out_of_hours");
}

static const struct ivr_day *day_find(const struct ivr_day *days, int n, int ymd)
{
	for (int i = 0; i < n; i++)
		if (days[i].ymd == ymd)
			return &days[i];
	return NULL;
}

/* Whose hours a date keeps: its weekday, or a make-up day's as_weekday;
 * 0 for a closed day. */
static int hours_of(const struct ivr_hours *h, int ymd)
{
	const struct ivr_day *makeup;

	if (day_find(h->closed, h->nclosed, ymd))
		return 0;
	makeup = day_find(h->open, h->nopen, ymd);
	return makeup ? makeup->as_weekday : ivr_weekday(ymd);
}

int ivr_open_at(const struct ivr_hours *h, int ymd, int minute)
{
	int today, yesterday;

	if (h->always_open)
		return 1;
	today = hours_of(h, ymd);
	if (!today)
		return 0;
	yesterday = hours_of(h, ymd_from_days(days_from_ymd(ymd) - 1));
	for (int i = 0; i < h->nweekly; i++) {
		const struct ivr_range *r = &h->weekly[i];

		if (r->weekday == today) {
			if (r->opens < r->closes && minute >= r->opens && minute < r->closes)
				return 1;
			if (r->closes < r->opens && minute >= r->opens)
				return 1;
		}
		/* Yesterday's overnight range, up to its close this morning. */
		if (yesterday && r->weekday == yesterday && r->closes < r->opens &&
		    minute < r->closes)
			return 1;
	}
	return 0;
}

int ivr_open(const struct ivr_hours *h, int64_t now)
{
	if (h->always_open)
		return 1;
	return ivr_open_at(h, clock_local_ymd(now), clock_local_minute(now));
}

static int at_error(struct err_info *ei, const char *list, int i, const char *field,
		    const char *why)
{
	char at[64];

	snprintf(at, sizeof(at), "%s[%d].%s", list, i, field);
	return err_set(ei, ERR_UNPROCESSABLE, at, "%s: %s", at, why);
}

/* The dates of one list: real, each once, none also in the other list. */
static int days_check(const struct ivr_day *days, int n, const char *list,
		      const struct ivr_day *other, int nother, struct err_info *ei)
{
	for (int i = 0; i < n; i++) {
		const struct ivr_day *d = &days[i];

		if (!ivr_weekday(d->ymd))
			return at_error(ei, list, i, "date", "no such date");
		if (day_find(days, i, d->ymd))
			return at_error(ei, list, i, "date", "this date is listed twice");
		if (day_find(other, nother, d->ymd))
			return at_error(ei, list, i, "date",
					"a date is either closed or a make-up working day");
		if (d->name[0] && !text_ok(d->name, IVR_DAY_NAME_MAX))
			return at_error(ei, list, i, "name", "at most 32 characters");
	}
	return 0;
}

int ivr_hours_validate(const struct ivr_hours *h, const struct ivr_known *k, struct err_info *ei)
{
	int rc;

	if (!prompt_known(k, h->closed_prompt))
		return err_set(ei, ERR_UNPROCESSABLE, "closed_prompt",
			       "closed_prompt: no prompt %s", h->closed_prompt);
	if (h->nweekly < 0 || h->nweekly > IVR_RANGES_MAX)
		return err_set(ei, ERR_UNPROCESSABLE, "weekly", "weekly: at most %d ranges",
			       IVR_RANGES_MAX);
	if (h->nclosed < 0 || h->nclosed > IVR_DAYS_MAX)
		return err_set(ei, ERR_UNPROCESSABLE, "closed_days", "closed_days: at most %d",
			       IVR_DAYS_MAX);
	if (h->nopen < 0 || h->nopen > IVR_DAYS_MAX)
		return err_set(ei, ERR_UNPROCESSABLE, "open_days", "open_days: at most %d",
			       IVR_DAYS_MAX);
	for (int i = 0; i < h->nweekly; i++) {
		const struct ivr_range *r = &h->weekly[i];

		if (r->weekday < 1 || r->weekday > 7)
			return at_error(ei, "weekly", i, "weekday", "1 (Monday) to 7 (Sunday)");
		if (r->opens < 0 || r->opens > 1439)
			return at_error(ei, "weekly", i, "opens", "00:00 to 23:59");
		if (r->closes < 1 || r->closes > 1440)
			return at_error(ei, "weekly", i, "closes", "00:01 to 24:00");
		if (r->opens == r->closes)
			return at_error(ei, "weekly", i, "closes",
					"a range closes at another time than it opens");
	}
	for (int i = 0; i < h->nopen; i++)
		if (h->open[i].as_weekday < 1 || h->open[i].as_weekday > 7)
			return at_error(ei, "open_days", i, "as_weekday",
					"1 (Monday) to 7 (Sunday): whose hours the day keeps");
	rc = days_check(h->closed, h->nclosed, "closed_days", h->open, h->nopen, ei);
	if (rc == 0)
		rc = days_check(h->open, h->nopen, "open_days", NULL, 0, ei);
	if (rc == 0 && !h->always_open && h->nweekly == 0)
		rc = err_set(ei, ERR_UNPROCESSABLE, "weekly",
			     "weekly: without always_open the hotline needs opening hours");
	return rc;
}

int ivr_date_parse(const char *text, int *ymd)
{
	int y, mo, d, used = 0;

	if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		return ERR_INVALID;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9'))
			return ERR_INVALID;
	if (sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 || used != 10)
		return ERR_INVALID;
	*ymd = y * 10000 + mo * 100 + d;
	return ivr_weekday(*ymd) ? 0 : ERR_INVALID;
}

void ivr_date_format(int ymd, char out[11])
{
	unsigned v = ymd > 0 ? (unsigned)ymd : 0;

	snprintf(out, 11, "%04u-%02u-%02u", v / 10000 % 10000, v / 100 % 100, v % 100);
}

int ivr_time_parse(const char *text, int *minute)
{
	int h, m;

	if (!text || strlen(text) != 5 || text[2] != ':')
		return ERR_INVALID;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (text[i] < '0' || text[i] > '9'))
			return ERR_INVALID;
	h = (text[0] - '0') * 10 + (text[1] - '0');
	m = (text[3] - '0') * 10 + (text[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return ERR_INVALID;
	*minute = h * 60 + m;
	return 0;
}

void ivr_time_format(int minute, char out[6])
{
	if (minute < 0 || minute > 1440)
		minute = 0;
	snprintf(out, 6, "%02u:%02u", (unsigned)(minute / 60) % 100u, (unsigned)(minute % 60));
}

/* -- Emergency announcements -- */

int ivr_notice_source_valid(const char *source)
{
	return source && (!strcmp(source, "text") || !strcmp(source, "recording"));
}

int ivr_notice_validate(const struct ivr_notice *n, int64_t now, int creating, struct err_info *ei)
{
	if (!text_ok(n->text, IVR_NOTICE_TEXT_MAX))
		return err_set(ei, ERR_UNPROCESSABLE, "text", "text: 1 to %d characters",
			       IVR_NOTICE_TEXT_MAX);
	if (!ivr_notice_source_valid(n->source))
		return err_set(ei, ERR_UNPROCESSABLE, "source", "source: text or recording");
	if (n->ends_at <= n->starts_at)
		return err_set(ei, ERR_UNPROCESSABLE, "ends_at", "ends_at: after starts_at");
	if (n->ends_at - n->starts_at > IVR_NOTICE_SPAN_MAX)
		return err_set(ei, ERR_UNPROCESSABLE, "ends_at",
			       "ends_at: a notice lasts at most 31 days");
	if (creating && n->ends_at <= now)
		return err_set(ei, ERR_UNPROCESSABLE, "ends_at",
			       "ends_at: in the past; nobody would hear the notice");
	return 0;
}

int ivr_notice_audio_check(int64_t ms, const char *field, struct err_info *ei)
{
	if (ms < IVR_NOTICE_MS_MIN)
		return err_set(ei, ERR_UNPROCESSABLE, field, "%s: holds no speech (%lld ms)", field,
			       (long long)ms);
	if (ms > IVR_NOTICE_MS_MAX)
		return err_set(ei, ERR_UNPROCESSABLE, field,
			       "%s: %lld s long; a notice lasts at most %d s so that callers "
			       "reach the menu",
			       field, (long long)(ms / 1000), IVR_NOTICE_MS_MAX / 1000);
	return 0;
}

int ivr_notice_in_window(const struct ivr_notice *n, int64_t now)
{
	return now >= n->starts_at && now < n->ends_at;
}

/* -- Queues -- */

static const char *const strategies[] = {"longest_idle", "round_robin", "ring_all"};

int ivr_strategy_valid(const char *name)
{
	for (size_t i = 0; i < sizeof(strategies) / sizeof(strategies[0]); i++)
		if (name && strcmp(name, strategies[i]) == 0)
			return 1;
	return 0;
}

int ivr_queue_validate(const struct ivr_queue *q, struct err_info *ei)
{
	if (!text_ok(q->name, IVR_QUEUE_NAME_MAX))
		return err_set(ei, ERR_UNPROCESSABLE, "name", "name: 1 to %d characters",
			       IVR_QUEUE_NAME_MAX);
	if (!ivr_strategy_valid(q->strategy))
		return err_set(ei, ERR_UNPROCESSABLE, "strategy",
			       "strategy: longest_idle, round_robin or ring_all");
	if (q->max_wait_sec < IVR_QUEUE_WAIT_MIN || q->max_wait_sec > IVR_QUEUE_WAIT_MAX)
		return err_set(ei, ERR_UNPROCESSABLE, "max_wait_sec", "max_wait_sec: %d to %d",
			       IVR_QUEUE_WAIT_MIN, IVR_QUEUE_WAIT_MAX);
	if (q->announce_sec < 0 || q->announce_sec > IVR_QUEUE_ANNOUNCE_MAX)
		return err_set(ei, ERR_UNPROCESSABLE, "announce_sec", "announce_sec: 0 to %d",
			       IVR_QUEUE_ANNOUNCE_MAX);
	return 0;
}
