#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "org/org.h"
#include "wo/wo.h"

static const char *const state_names[WO_STATE_COUNT] = {
	"new", "dispatched", "accepted", "in_progress", "reported", "archived", "reopened",
	"cancelled",
};

static const char *const action_names[WOA_COUNT] = {
	"assign",   "accept", "call",	"onsite", "finish",   "report",
	"callback", "reopen", "cancel", "help",	  "progress", "promise",
	"pause",    "resume", "refer",	"answer", "relay",
};

static const char *const metric_names[WOM_COUNT] = {
	"callback", "onsite", "report", "resolve", "reply",
};

static const char *const target_names[WOT_COUNT] = {
	"department", "center", "subject_superior", "close", "third_party",
};

static const char *const outcome_names[WOO_COUNT] = {
	"accepted", "not_accepted", "unreachable", "new_need",
};

static const char *const promise_names[WOP_COUNT] = {"order", "complaint", "answer"};

static int parse(const char *const *names, int n, const char *name)
{
	for (int i = 0; name && i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

const char *wo_state_name(enum wo_state s)
{
	return s < WO_STATE_COUNT ? state_names[s] : "unknown";
}

int wo_state_parse(const char *name)
{
	return parse(state_names, WO_STATE_COUNT, name);
}

const char *wo_action_name(enum wo_action a)
{
	return a < WOA_COUNT ? action_names[a] : "unknown";
}

const char *wo_metric_name(enum wo_metric m)
{
	return m < WOM_COUNT ? metric_names[m] : "unknown";
}

const char *wo_metric_label(enum wo_metric m)
{
	static const char *const labels[WOM_COUNT] = {"回电", "到场", "反馈", "解决", "答复"};

	return m < WOM_COUNT ? labels[m] : "时限";
}

int wo_metric_parse(const char *name)
{
	return parse(metric_names, WOM_COUNT, name);
}

const char *wo_target_name(enum wo_target t)
{
	return t < WOT_COUNT ? target_names[t] : "unknown";
}

int wo_target_parse(const char *name)
{
	return parse(target_names, WOT_COUNT, name);
}

const char *wo_outcome_name(enum wo_outcome o)
{
	return o < WOO_COUNT ? outcome_names[o] : "unknown";
}

int wo_outcome_parse(const char *name)
{
	return parse(outcome_names, WOO_COUNT, name);
}

const char *wo_promise_name(enum wo_promise p)
{
	return p < WOP_COUNT ? promise_names[p] : "unknown";
}

int wo_promise_parse(const char *name)
{
	return parse(promise_names, WOP_COUNT, name);
}

int wo_state_open(enum wo_state s)
{
	return s != WO_ARCHIVED && s != WO_CANCELLED;
}

#define BIT(s) (1u << (s))
#define WORKING (BIT(WO_ACCEPTED) | BIT(WO_IN_PROGRESS))
#define OPEN                                                                                       \
	(BIT(WO_NEW) | BIT(WO_DISPATCHED) | BIT(WO_ACCEPTED) | BIT(WO_IN_PROGRESS) |               \
	 BIT(WO_REPORTED) | BIT(WO_REOPENED))

/*
 * The life of an order (WO-1, ROUTE-3): from which states each action is
 * allowed, and where it leads (-1: it stays where it is). Everything else
 * is an illegal transition, answered 409.
 */
static const struct {
	unsigned from;
	int to;
} transitions[WOA_COUNT] = {
	[WOA_ASSIGN] = {BIT(WO_NEW) | BIT(WO_DISPATCHED) | WORKING | BIT(WO_REOPENED),
			WO_DISPATCHED},
	[WOA_ACCEPT] = {BIT(WO_DISPATCHED) | BIT(WO_REOPENED), WO_ACCEPTED},
	[WOA_CALL] = {WORKING, WO_IN_PROGRESS},
	[WOA_ONSITE] = {WORKING, WO_IN_PROGRESS},
	[WOA_FINISH] = {WORKING, -1},
	[WOA_REPORT] = {WORKING, WO_REPORTED},
	[WOA_CALLBACK] = {BIT(WO_REPORTED), -1},
	[WOA_REOPEN] = {BIT(WO_REPORTED) | BIT(WO_ARCHIVED), WO_REOPENED},
	[WOA_CANCEL] = {OPEN & ~BIT(WO_REPORTED), WO_CANCELLED},
	[WOA_HELP] = {OPEN & ~BIT(WO_REPORTED), -1},
	[WOA_PROGRESS] = {OPEN, -1},
	[WOA_PROMISE] = {OPEN, -1},
	[WOA_PAUSE] = {OPEN, -1},
	[WOA_RESUME] = {OPEN, -1},
	/* Seed 002 §5: a complaint that is an outside company's to solve is passed to it. */
	[WOA_REFER] = {OPEN & ~BIT(WO_REPORTED), -1},
	[WOA_ANSWER] = {OPEN, -1},
	[WOA_RELAY] = {OPEN, -1},
};

int wo_next_state(enum wo_state from, enum wo_action a)
{
	if (a >= WOA_COUNT || from >= WO_STATE_COUNT || !(transitions[a].from & BIT(from)))
		return -1;
	return transitions[a].to < 0 ? (int)from : transitions[a].to;
}

enum wo_block wo_action_block(enum wo_state state, int onsite, const struct wo_facts *f,
			      int64_t who, enum wo_action a)
{
	if (wo_next_state(state, a) < 0)
		return WOB_STATE;
	switch (a) {
	case WOA_ONSITE:
		return onsite ? WOB_NONE : WOB_NO_VISIT;
	case WOA_REPORT:
		/* WO-2: an order that needs a visit is reported after the visit. */
		if (onsite && f->visit_due)
			return WOB_VISIT_FIRST;
		return f->referral == WOR_WAITING ? WOB_ANSWER_FIRST : WOB_NONE;
	case WOA_CALLBACK:
		if (!f->callback_pending)
			return WOB_NO_CALLBACK;
		/* Seed 002 §5: the center relays the third party's answer before it calls back. */
		if (f->referral == WOR_WAITING || f->referral == WOR_ANSWERED)
			return WOB_RELAY_FIRST;
		/* CB-2: after "not accepted" another agent makes the next call. */
		return f->callback_excluded && f->callback_excluded == who ? WOB_OTHER_AGENT
									   : WOB_NONE;
	case WOA_HELP:
		return f->higher_level ? WOB_NONE : WOB_TOP;
	case WOA_PAUSE:
		return f->running ? WOB_NONE : WOB_NOT_RUNNING;
	case WOA_RESUME:
		return f->paused ? WOB_NONE : WOB_NOT_PAUSED;
	case WOA_REFER:
		return f->referral == WOR_WAITING ? WOB_REFERRED : WOB_NONE;
	case WOA_ANSWER:
		return f->referral == WOR_WAITING ? WOB_NONE : WOB_NOT_WAITING;
	case WOA_RELAY:
		return f->referral == WOR_ANSWERED ? WOB_NONE : WOB_NO_ANSWER;
	default:
		return WOB_NONE;
	}
}

int wo_third_party_kind_valid(const char *kind)
{
	static const char *const kinds[] = {"contractor", "merchant", "carrier", "other"};

	return parse(kinds, 4, kind) >= 0;
}

int wo_can_own(unsigned roles, int active)
{
	/* Staff of a department, and the center's agents, supervisors and manager. */
	return active && (roles & (ROLE_STAFF | ROLE_AGENT | ROLE_SUPERVISOR | ROLE_MANAGER)) != 0;
}

struct wo_deadline wo_deadline_of(enum wo_metric m, int64_t start, int64_t minutes, int warn_pct)
{
	struct wo_deadline d = {m, start, start + minutes * 60000, 0};

	d.warn_at = start + (d.due_at - start) * warn_pct / 100;
	return d;
}

int wo_deadlines_at_dispatch(const struct wo_class_rule *c, int onsite, int64_t now,
			     struct wo_deadline out[], int max)
{
	int n = 0;

	if (c->callback_min >= 0 && n < max)
		out[n++] = wo_deadline_of(WOM_CALLBACK, now, c->callback_min, c->warn_pct);
	if (onsite && c->onsite_min >= 0 && n < max)
		out[n++] = wo_deadline_of(WOM_ONSITE, now, c->onsite_min, c->warn_pct);
	if (c->resolve_min >= 0 && n < max)
		out[n++] = wo_deadline_of(WOM_RESOLVE, now, c->resolve_min, c->warn_pct);
	return n;
}

struct wo_deadline wo_report_deadline(const struct wo_class_rule *c, int64_t now)
{
	struct wo_deadline d = {WOM_REPORT, now, clock_day_end(now), 0};

	d.warn_at = now + (d.due_at - now) * c->warn_pct / 100;
	return d;
}

const struct wo_route_rule *wo_route_pick(const struct wo_route_rule *rules, int n,
					  const char *class_code, int onsite)
{
	const struct wo_route_rule *any = NULL;

	for (int i = 0; i < n; i++) {
		if (strcmp(rules[i].class_code, class_code) != 0)
			continue;
		if (rules[i].onsite == (onsite ? 1 : 0))
			return &rules[i];
		if (rules[i].onsite < 0 && !any)
			any = &rules[i];
	}
	return any;
}

void wo_number(char *out, size_t size, const char *class_code, int ymd, int seq)
{
	snprintf(out, size, "%s-%08d-%04d", class_code, ymd, seq);
}

void wo_label(char *out, size_t size, const char *class_code, const char *level)
{
	if (level && *level)
		snprintf(out, size, "%s-%s", class_code, level);
	else
		snprintf(out, size, "%s", class_code);
}

int wo_archive_month(int64_t ms)
{
	return clock_local_ymd(ms) / 100;
}

static const char *const view_names[WOV_COUNT] = {
	"all", "department", "mine", "followups", "due_soon", "overdue", "escalated",
};

const char *wo_view_name(enum wo_view v)
{
	return v < WOV_COUNT ? view_names[v] : "unknown";
}

int wo_view_parse(const char *name)
{
	return parse(view_names, WOV_COUNT, name);
}

int wo_match_query(const char *typed, char *out, size_t size)
{
	size_t used = 0;
	const char *p = typed;

	out[0] = '\0';
	while (*p) {
		const char *end;

		while (*p == ' ' || *p == '\t' || strncmp(p, "\xe3\x80\x80", 3) == 0)
			p += *p == ' ' || *p == '\t' ? 1 : 3;
		if (!*p)
			break;
		end = p;
		while (*end && *end != ' ' && *end != '\t' && strncmp(end, "\xe3\x80\x80", 3) != 0)
			end++;
		/* Each word is a phrase: quotes inside are doubled, so nothing is syntax. */
		if (used + 2 * (size_t)(end - p) + 4 >= size)
			return ERR_TOOBIG;
		if (used)
			out[used++] = ' ';
		out[used++] = '"';
		for (; p < end; p++) {
			if (*p == '"')
				out[used++] = '"';
			out[used++] = *p;
		}
		out[used++] = '"';
		out[used] = '\0';
	}
	return used ? 0 : ERR_NOTFOUND;
}

/*
 * CB-2: confirm identity; give company, department and work number; ask
 * whether it is convenient; recall the issue and its date; give the
 * result; ask whether it is clear and satisfactory.
 */
void wo_callback_script(char *out, size_t size, const char *center, const char *work_no,
			const char *address_as, int64_t reported_on, const char *summary,
			const char *solution)
{
	int ymd = clock_local_ymd(reported_on);

	snprintf(out, size,
		 "您好，请问是%s吗？我是%s的客服人员，工号%s。请问您现在方便接听电话吗？"
		 "您于%d月%d日反映的问题：%s。处理结果是：%s。"
		 "请问您对处理结果是否清楚、满意？还有其他需要帮助的吗？",
		 address_as && *address_as ? address_as : "您本人", center, work_no,
		 ymd / 100 % 100, ymd % 100, summary, solution && *solution ? solution : "已处理");
}
