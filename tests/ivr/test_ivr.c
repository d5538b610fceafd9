/* Unit tests of the IVR rules (CALL-1), the opening hours, the queues' and
 * the emergency announcements' rules of src/ivr/ivr.c, and of the SQL of
 * the hotline's settings (ivr_store.c). */
#include "testutil.h"

#include "core/clock.h"
#include "core/err.h"
#include "ivr/ivr.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The CALL-1 menu the existing tests walk (ivr_menu_default, as migration 6 stores it). */
static struct ivr_menu call1;

static void start_to_menu(struct ivr *v, struct ivr_action *a)
{
	ivr_menu_default(&call1);
	ivr_start(v, &call1, 1000, a);
	assert_string_equal(a->play, "welcome");
	ivr_prompt_done(v, 5000, a);
	assert_string_equal(a->play, "menu");
	ivr_prompt_done(v, 9000, a);
	assert_null(a->play);
	assert_int_equal(v->state, IVR_WAIT);
	assert_int_equal(ivr_deadline(v), 9000 + IVR_NO_INPUT_MS);
}

static void menu_digits_route_by_skill(void **state)
{
	static const struct {
		char digit;
		const char *route, *prompt;
	} want[] = {{'1', "market_consult", "transfer"},
		    {'2', "tech_service", "transfer"},
		    {'3', "complaint", "transfer"},
		    {'0', "agent", "to_agent"}};
	struct ivr v;
	struct ivr_action a;

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		start_to_menu(&v, &a);
		ivr_digit(&v, want[i].digit, 10000, &a);
		assert_string_equal(a.route, want[i].route);
		assert_string_equal(a.play, want[i].prompt);
		assert_null(a.miss);
		assert_int_equal(v.state, IVR_LEAVING);
		assert_int_equal(ivr_deadline(&v), 0);
		/* Keys during the transfer notice change nothing. */
		ivr_digit(&v, '3', 10500, &a);
		assert_null(a.play);
		assert_null(a.route);
		assert_string_equal(v.route, want[i].route);
		ivr_prompt_done(&v, 12000, &a);
		assert_true(a.hangup);
		assert_int_equal(v.state, IVR_DONE);
	}
}

static void digit_barges_in_during_welcome_and_menu(void **state)
{
	struct ivr v;
	struct ivr_action a;

	(void)state;
	ivr_menu_default(&call1);
	ivr_start(&v, &call1, 0, &a);
	ivr_digit(&v, '2', 300, &a);
	assert_string_equal(a.route, "tech_service");
	assert_string_equal(a.play, "transfer");

	ivr_start(&v, &call1, 0, &a);
	ivr_prompt_done(&v, 4000, &a);
	assert_int_equal(v.state, IVR_MENU);
	ivr_digit(&v, '3', 4100, &a);
	assert_string_equal(a.route, "complaint");
	assert_string_equal(v.digits, "3");
}

static void no_input_repeats_the_menu_once_then_agent(void **state)
{
	struct ivr v;
	struct ivr_action a;

	(void)state;
	start_to_menu(&v, &a);
	ivr_tick(&v, 9000 + IVR_NO_INPUT_MS - 1, &a);
	assert_null(a.play);
	assert_null(a.miss);
	ivr_tick(&v, 9000 + IVR_NO_INPUT_MS, &a);
	assert_string_equal(a.miss, "no_input");
	assert_string_equal(a.play, "no_input");
	assert_null(a.route);
	assert_int_equal(ivr_deadline(&v), 0);
	ivr_prompt_done(&v, 16000, &a);
	assert_string_equal(a.play, "menu");
	ivr_prompt_done(&v, 20000, &a);
	assert_int_equal(ivr_deadline(&v), 20000 + IVR_NO_INPUT_MS);
	ivr_tick(&v, 30000, &a);
	assert_string_equal(a.miss, "no_input");
	assert_string_equal(a.route, "agent");
	assert_string_equal(a.play, "to_agent");
	assert_string_equal(v.digits, "");
	ivr_prompt_done(&v, 33000, &a);
	assert_true(a.hangup);
}

static void invalid_then_valid_and_two_invalid(void **state)
{
	struct ivr v;
	struct ivr_action a;

	(void)state;
	start_to_menu(&v, &a);
	ivr_digit(&v, '7', 10000, &a);
	assert_string_equal(a.miss, "invalid");
	assert_string_equal(a.play, "invalid");
	assert_int_equal(v.state, IVR_RETRY);
	/* A key during the invalid notice barges in too. */
	ivr_digit(&v, '1', 10200, &a);
	assert_string_equal(a.route, "market_consult");
	assert_string_equal(v.digits, "71");

	start_to_menu(&v, &a);
	ivr_digit(&v, '#', 10000, &a);
	ivr_prompt_done(&v, 11000, &a);
	ivr_digit(&v, '9', 11500, &a);
	assert_string_equal(a.miss, "invalid");
	assert_string_equal(a.route, "agent");
	assert_string_equal(a.play, "to_agent");
	/* A late tick does nothing once leaving. */
	ivr_tick(&v, 99999, &a);
	assert_null(a.play);
	assert_null(a.miss);
}

/* -- A manager's menu with sub-menus -- */

static int node_add(struct ivr_menu *m, int parent, char digit, enum ivr_node_action action,
		    const char *label, const char *queue, const char *prompt)
{
	struct ivr_node *x = &m->nodes[m->n];

	memset(x, 0, sizeof(*x));
	x->parent = parent;
	x->digit = digit;
	x->action = action;
	snprintf(x->label, sizeof(x->label), "%s", label);
	snprintf(x->queue, sizeof(x->queue), "%s", queue);
	snprintf(x->prompt, sizeof(x->prompt), "%s", prompt);
	return m->n++;
}

/*
 * root: 1 宽带 (menu_broadband) → { 1 办理 tech_service, 2 故障 (menu_fault)
 *       → { 1 报修 complaint, 9 网站 announce website } }, 2 咨询 market_consult.
 * No root choice queues to "agent": the fall-back is the first queue in
 * tree order, 办理 (tech_service).
 */
static void custom_menu(struct ivr_menu *m)
{
	int broadband, fault;

	memset(m, 0, sizeof(*m));
	snprintf(m->welcome, sizeof(m->welcome), "welcome");
	snprintf(m->prompt, sizeof(m->prompt), "menu");
	broadband = node_add(m, -1, '1', IVR_NODE_MENU, "宽带", "", "menu_broadband");
	node_add(m, broadband, '1', IVR_NODE_QUEUE, "办理", "tech_service", "transfer");
	fault = node_add(m, broadband, '2', IVR_NODE_MENU, "故障", "", "menu_fault");
	node_add(m, fault, '1', IVR_NODE_QUEUE, "报修", "complaint", "transfer");
	node_add(m, fault, '9', IVR_NODE_ANNOUNCE_HANGUP, "网站", "", "website");
	node_add(m, -1, '2', IVR_NODE_QUEUE, "咨询", "market_consult", "transfer");
}

static void custom_to_menu(struct ivr *v, const struct ivr_menu *m, struct ivr_action *a)
{
	ivr_start(v, m, 0, a);
	assert_string_equal(a->play, "welcome");
	ivr_prompt_done(v, 1000, a);
	assert_string_equal(a->play, "menu");
	ivr_prompt_done(v, 2000, a);
	assert_int_equal(v->state, IVR_WAIT);
}

static void submenus_enter_and_go_back(void **state)
{
	struct ivr_menu m;
	struct ivr v;
	struct ivr_action a;

	(void)state;
	custom_menu(&m);
	custom_to_menu(&v, &m, &a);
	/* A sub-menu plays its own menu, then waits for one of its choices. */
	ivr_digit(&v, '1', 3000, &a);
	assert_string_equal(a.play, "menu_broadband");
	assert_null(a.route);
	assert_null(a.miss);
	assert_int_equal(v.state, IVR_MENU);
	ivr_prompt_done(&v, 5000, &a);
	assert_int_equal(ivr_deadline(&v), 5000 + IVR_NO_INPUT_MS);
	ivr_digit(&v, '2', 6000, &a);
	assert_string_equal(a.play, "menu_fault");
	/* '*' goes back up one level at a time; at the root it replays the root's menu. */
	ivr_digit(&v, '*', 6500, &a);
	assert_string_equal(a.play, "menu_broadband");
	assert_int_equal(v.level, 0);
	ivr_digit(&v, '*', 7000, &a);
	assert_string_equal(a.play, "menu");
	assert_int_equal(v.level, -1);
	ivr_digit(&v, '*', 7500, &a);
	assert_string_equal(a.play, "menu");
	assert_null(a.miss);
	assert_int_equal(v.misses, 0);
	/* Down again, barging in, to a queue two levels below. */
	ivr_digit(&v, '1', 7600, &a);
	ivr_digit(&v, '2', 7700, &a);
	ivr_digit(&v, '1', 7800, &a);
	assert_string_equal(a.route, "complaint");
	assert_string_equal(a.play, "transfer");
	assert_int_equal(v.state, IVR_LEAVING);
	assert_string_equal(v.digits, "12***121");
	ivr_prompt_done(&v, 9000, &a);
	assert_true(a.hangup);
}

static void announcement_then_hang_up(void **state)
{
	struct ivr_menu m;
	struct ivr v;
	struct ivr_action a;

	(void)state;
	custom_menu(&m);
	custom_to_menu(&v, &m, &a);
	ivr_digit(&v, '1', 3000, &a);
	ivr_digit(&v, '2', 3100, &a);
	ivr_digit(&v, '9', 3200, &a);
	assert_string_equal(a.play, "website");
	assert_null(a.route);
	assert_int_equal(v.state, IVR_LEAVING);
	assert_string_equal(v.route, "");
	ivr_digit(&v, '1', 3300, &a); /* ignored: the choice is made */
	assert_null(a.play);
	ivr_prompt_done(&v, 8000, &a);
	assert_true(a.hangup);
	assert_int_equal(v.state, IVR_DONE);
}

static void misses_in_a_submenu_replay_it_then_fall_back(void **state)
{
	struct ivr_menu m;
	struct ivr v;
	struct ivr_action a;

	(void)state;
	custom_menu(&m);
	assert_int_equal(ivr_menu_fallback(&m), 1);
	custom_to_menu(&v, &m, &a);
	ivr_digit(&v, '1', 3000, &a);
	ivr_prompt_done(&v, 4000, &a);
	ivr_digit(&v, '7', 4500, &a);
	assert_string_equal(a.miss, "invalid");
	assert_string_equal(a.play, "invalid");
	/* After the notice, the sub-menu's own menu again, not the root's. */
	ivr_prompt_done(&v, 5000, &a);
	assert_string_equal(a.play, "menu_broadband");
	ivr_prompt_done(&v, 6000, &a);
	ivr_tick(&v, 6000 + IVR_NO_INPUT_MS, &a);
	assert_string_equal(a.miss, "no_input");
	/* The second miss of the call: the first queue of the tree (CALL-1). */
	assert_string_equal(a.route, "tech_service");
	assert_string_equal(a.play, "transfer");

	/* 0 on a level without a choice 0 is the fall-back too, not a miss. */
	custom_to_menu(&v, &m, &a);
	ivr_digit(&v, '0', 3000, &a);
	assert_null(a.miss);
	assert_string_equal(a.route, "tech_service");
	/* With a root choice queuing to "agent", that is the fall-back. */
	node_add(&m, -1, '8', IVR_NODE_QUEUE, "人工", "agent", "to_agent");
	assert_int_equal(ivr_menu_fallback(&m), 6);
	custom_to_menu(&v, &m, &a);
	ivr_digit(&v, '1', 3000, &a);
	ivr_digit(&v, '0', 3100, &a);
	assert_string_equal(a.route, "agent");
	assert_string_equal(a.play, "to_agent");
	/* The default menu's fall-back is its 0. */
	ivr_menu_default(&m);
	assert_int_equal(m.nodes[ivr_menu_fallback(&m)].digit, '0');
}

static void closed_plays_the_notice_and_hangs_up(void **state)
{
	struct ivr v;
	struct ivr_action a;
	char prompt[IVR_KEY_SIZE] = "out_of_hours";

	(void)state;
	ivr_closed(&v, prompt, 0, &a);
	prompt[0] = 0; /* the IVR keeps its own copy */
	assert_string_equal(a.play, "out_of_hours");
	assert_int_equal(v.state, IVR_LEAVING);
	ivr_digit(&v, '1', 100, &a);
	assert_null(a.play);
	assert_null(a.route);
	assert_string_equal(v.digits, "");
	ivr_prompt_done(&v, 4000, &a);
	assert_true(a.hangup);
	assert_null(a.route);
}

static const char *const queues[] = {"market_consult", "tech_service", "complaint", "agent"};
static const char *const files[] = {"menu_broadband", "menu_fault", "website"};
static const struct ivr_known known = {queues, 4, files, 3};

/* The field ivr_menu_validate names for m, "" when it accepts it. */
static const char *refusal(const struct ivr_menu *m)
{
	static struct err_info ei;
	int rc;

	memset(&ei, 0, sizeof(ei));
	rc = ivr_menu_validate(m, &known, &ei);
	if (rc == 0)
		return "";
	assert_int_equal(rc, ERR_UNPROCESSABLE);
	assert_true(ei.message[0] != 0);
	return ei.field;
}

static void menu_validation_names_the_field(void **state)
{
	struct ivr_menu m;
	char path[64];

	(void)state;
	ivr_menu_default(&m);
	assert_string_equal(refusal(&m), "");
	custom_menu(&m);
	assert_string_equal(refusal(&m), "");
	ivr_node_path(&m, 3, path, sizeof(path));
	assert_string_equal(path, "nodes[0].children[1].children[0]");

	custom_menu(&m);
	m.nodes[5].digit = '1'; /* twice on the root */
	assert_string_equal(refusal(&m), "nodes[1].digit");
	custom_menu(&m);
	m.nodes[4].digit = '*';
	assert_string_equal(refusal(&m), "nodes[0].children[1].children[1].digit");
	custom_menu(&m);
	m.nodes[1].label[0] = 0;
	assert_string_equal(refusal(&m), "nodes[0].children[0].label");
	custom_menu(&m);
	snprintf(m.nodes[1].label, sizeof(m.nodes[1].label), "%s",
		 "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三");
	assert_string_equal(refusal(&m), "nodes[0].children[0].label");
	custom_menu(&m);
	snprintf(m.nodes[5].queue, sizeof(m.nodes[5].queue), "nope");
	assert_string_equal(refusal(&m), "nodes[1].queue");
	custom_menu(&m);
	snprintf(m.nodes[4].queue, sizeof(m.nodes[4].queue), "agent");
	assert_string_equal(refusal(&m), "nodes[0].children[1].children[1].queue");
	custom_menu(&m);
	snprintf(m.nodes[5].prompt, sizeof(m.nodes[5].prompt), "no_such_file");
	assert_string_equal(refusal(&m), "nodes[1].prompt");
	custom_menu(&m);
	snprintf(m.welcome, sizeof(m.welcome), "Welcome");
	assert_string_equal(refusal(&m), "welcome");
	/* A sub-menu without choices, and choices under a queue. */
	custom_menu(&m);
	m.nodes[5].action = IVR_NODE_MENU;
	m.nodes[5].queue[0] = 0;
	assert_string_equal(refusal(&m), "nodes[1].children");
	custom_menu(&m);
	m.nodes[2].action = IVR_NODE_QUEUE;
	snprintf(m.nodes[2].queue, sizeof(m.nodes[2].queue), "agent");
	assert_string_equal(refusal(&m), "nodes[0].children[1].children");
	/* Three levels at most. */
	custom_menu(&m);
	m.nodes[4].action = IVR_NODE_MENU;
	node_add(&m, 4, '1', IVR_NODE_QUEUE, "太深", "agent", "transfer");
	assert_string_equal(refusal(&m), "nodes[0].children[1].children[1].children[0]");
	/* No queue anywhere: nobody would reach an agent (CALL-1). */
	memset(&m, 0, sizeof(m));
	snprintf(m.welcome, sizeof(m.welcome), "welcome");
	snprintf(m.prompt, sizeof(m.prompt), "menu");
	node_add(&m, -1, '9', IVR_NODE_ANNOUNCE_HANGUP, "网站", "", "website");
	assert_string_equal(refusal(&m), "nodes");
	m.n = 0;
	assert_string_equal(refusal(&m), "nodes");
	/* Keys are what mk/prompts.sh and the queues use. */
	assert_true(ivr_key_valid("out_of_hours"));
	assert_false(ivr_key_valid("../etc/passwd"));
	assert_false(ivr_key_valid(""));
	assert_false(ivr_key_valid("abcdefghijklmnopqrstuvwxyz0123456"));
}

/* -- Opening hours -- */

static struct ivr_hours *hours_new(void)
{
	struct ivr_hours *h = malloc(sizeof(*h));

	assert_non_null(h);
	ivr_hours_default(h);
	return h;
}

static void range_add(struct ivr_hours *h, int weekday, int opens, int closes)
{
	h->weekly[h->nweekly].weekday = weekday;
	h->weekly[h->nweekly].opens = opens;
	h->weekly[h->nweekly].closes = closes;
	h->nweekly++;
}

static void day_add(struct ivr_day *days, int *n, int ymd, int as_weekday, const char *name)
{
	days[*n].ymd = ymd;
	days[*n].as_weekday = as_weekday;
	snprintf(days[*n].name, sizeof(days[*n].name), "%s", name);
	(*n)++;
}

/* An instant given as Shanghai local time (UTC+8, no daylight saving). */
static int64_t shanghai(int ymd, int hh, int mm)
{
	struct tm tm = {0};

	tm.tm_year = ymd / 10000 - 1900;
	tm.tm_mon = ymd / 100 % 100 - 1;
	tm.tm_mday = ymd % 100;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	return ((int64_t)timegm(&tm) - 8 * 3600) * 1000;
}

static void calendar_dates(void **state)
{
	int v;
	char out[11], t[6];

	(void)state;
	assert_int_equal(ivr_weekday(19700101), 4);
	assert_int_equal(ivr_weekday(20261001), 4); /* 国庆, a Thursday */
	assert_int_equal(ivr_weekday(20261011), 7);
	assert_int_equal(ivr_weekday(20240229), 4);
	assert_int_equal(ivr_weekday(20250229), 0);
	assert_int_equal(ivr_weekday(20261301), 0);
	assert_int_equal(ivr_date_parse("2026-10-01", &v), 0);
	assert_int_equal(v, 20261001);
	ivr_date_format(v, out);
	assert_string_equal(out, "2026-10-01");
	assert_int_equal(ivr_date_parse("2026-02-30", &v), ERR_INVALID);
	assert_int_equal(ivr_date_parse("2026-1-01", &v), ERR_INVALID);
	assert_int_equal(ivr_date_parse("2026-10-01x", &v), ERR_INVALID);
	assert_int_equal(ivr_time_parse("08:30", &v), 0);
	assert_int_equal(v, 510);
	assert_int_equal(ivr_time_parse("24:00", &v), 0);
	assert_int_equal(v, 1440);
	ivr_time_format(v, t);
	assert_string_equal(t, "24:00");
	assert_int_equal(ivr_time_parse("24:01", &v), ERR_INVALID);
	assert_int_equal(ivr_time_parse("12:60", &v), ERR_INVALID);
	assert_int_equal(ivr_time_parse("8:30", &v), ERR_INVALID);
}

static void calendar_weekly_hours_across_midnight(void **state)
{
	struct ivr_hours *h = hours_new();

	(void)state;
	/* WFM-1: staffed 24 h, so open whatever the hours say. */
	range_add(h, 1, 9 * 60, 17 * 60);
	assert_true(ivr_open_at(h, 20261011, 3 * 60)); /* a Sunday night */
	h->always_open = 0;
	/* Monday 09:00-17:00; Friday 22:00 to Saturday 02:00; Sunday to 24:00. */
	range_add(h, 5, 22 * 60, 2 * 60);
	range_add(h, 7, 20 * 60, 1440);
	assert_true(ivr_open_at(h, 20261012, 9 * 60));	    /* Monday 09:00 */
	assert_true(ivr_open_at(h, 20261012, 17 * 60 - 1)); /* 16:59 */
	assert_false(ivr_open_at(h, 20261012, 17 * 60));    /* closes at 17:00 */
	assert_false(ivr_open_at(h, 20261012, 8 * 60 + 59));
	assert_false(ivr_open_at(h, 20261013, 10 * 60)); /* Tuesday: no range */
	assert_false(ivr_open_at(h, 20261016, 21 * 60)); /* Friday 21:00 */
	assert_true(ivr_open_at(h, 20261016, 23 * 60));	 /* Friday 23:00 */
	assert_true(ivr_open_at(h, 20261017, 60));	 /* Saturday 01:00 */
	assert_false(ivr_open_at(h, 20261017, 2 * 60));	 /* Saturday 02:00 */
	assert_false(ivr_open_at(h, 20261017, 23 * 60));
	assert_true(ivr_open_at(h, 20261018, 23 * 60 + 59)); /* to 24:00 */
	assert_false(ivr_open_at(h, 20261019, 0));	     /* ... and not beyond */

	/* The same through instants in the center's zone, Asia/Shanghai. */
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	assert_true(ivr_open(h, shanghai(20261016, 23, 30)));
	assert_true(ivr_open(h, shanghai(20261017, 1, 59)));
	assert_false(ivr_open(h, shanghai(20261017, 2, 0)));
	/* 02:00 UTC on Monday is 10:00 in Shanghai: open; 10:00 UTC is 18:00: closed. */
	assert_true(ivr_open(h, shanghai(20261012, 10, 0)));
	assert_int_equal(shanghai(20261012, 10, 0), (int64_t)1791770400 * 1000);
	assert_false(ivr_open(h, shanghai(20261012, 18, 0)));
	free(h);
}

static void calendar_holidays_and_makeup_days(void **state)
{
	struct ivr_hours *h = hours_new();

	(void)state;
	h->always_open = 0;
	for (int wd = 1; wd <= 5; wd++)
		range_add(h, wd, 8 * 60, 20 * 60);
	range_add(h, 3, 22 * 60, 6 * 60); /* Wednesday night */
	/* 国庆: Thursday 1 October closed; Sunday 11 October a make-up
	 * working day with Friday's hours (调休). */
	day_add(h->closed, &h->nclosed, 20261001, 0, "国庆节");
	day_add(h->open, &h->nopen, 20261011, 5, "国庆调休");
	assert_false(ivr_open_at(h, 20261001, 10 * 60));
	assert_true(ivr_open_at(h, 20261002, 10 * 60)); /* Friday */
	/* Wednesday night's range is cut at midnight into the closed day. */
	assert_true(ivr_open_at(h, 20260930, 23 * 60));
	assert_false(ivr_open_at(h, 20261001, 60));
	/* The make-up Sunday keeps Friday's hours; other Sundays are closed. */
	assert_true(ivr_open_at(h, 20261011, 10 * 60));
	assert_false(ivr_open_at(h, 20261011, 21 * 60));
	assert_false(ivr_open_at(h, 20261018, 10 * 60));
	/* A make-up day after Wednesday's hours gets Wednesday night's tail. */
	h->open[0].as_weekday = 3;
	assert_true(ivr_open_at(h, 20261012, 5 * 60)); /* Monday 05:00, after the make-up day */
	/* Always open wins over holidays (WFM-1). */
	h->always_open = 1;
	assert_true(ivr_open_at(h, 20261001, 10 * 60));
	free(h);
}

static void calendar_validation_names_the_field(void **state)
{
	struct ivr_hours *h = hours_new();
	struct err_info ei;

	(void)state;
	assert_int_equal(ivr_hours_validate(h, &known, &ei), 0);
	h->always_open = 0;
	assert_int_equal(ivr_hours_validate(h, &known, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "weekly");
	range_add(h, 1, 8 * 60, 8 * 60);
	assert_int_equal(ivr_hours_validate(h, &known, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "weekly[0].closes");
	h->weekly[0].closes = 20 * 60;
	h->weekly[0].weekday = 8;
	assert_int_equal(ivr_hours_validate(h, &known, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "weekly[0].weekday");
	h->weekly[0].weekday = 1;
	assert_int_equal(ivr_hours_validate(h, &known, &ei), 0);
	day_add(h->closed, &h->nclosed, 20261001, 0, "国庆节");
	day_add(h->closed, &h->nclosed, 20261001, 0, "again");
	assert_int_equal(ivr_hours_validate(h, &known, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "closed_days[1].date");
	h->closed[1].ymd = 20261002;
	day_add(h->open, &h->nopen, 20261002, 1, "");
	assert_int_equal(ivr_hours_validate(h, &known, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "closed_days[1].date");
	h->open[0].ymd = 20261011;
	h->open[0].as_weekday = 0;
	assert_int_equal(ivr_hours_validate(h, &known, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "open_days[0].as_weekday");
	h->open[0].as_weekday = 1;
	snprintf(h->closed_prompt, sizeof(h->closed_prompt), "nope");
	assert_int_equal(ivr_hours_validate(h, &known, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "closed_prompt");
	snprintf(h->closed_prompt, sizeof(h->closed_prompt), "website");
	assert_int_equal(ivr_hours_validate(h, &known, &ei), 0);
	free(h);
}

static void queue_validation(void **state)
{
	struct ivr_queue q = {"agent", "人工服务", "", "longest_idle", 120, 30, 0};
	struct err_info ei;

	(void)state;
	assert_int_equal(ivr_queue_validate(&q, &ei), 0);
	snprintf(q.strategy, sizeof(q.strategy), "random");
	assert_int_equal(ivr_queue_validate(&q, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "strategy");
	snprintf(q.strategy, sizeof(q.strategy), "ring_all");
	q.max_wait_sec = 9;
	assert_int_equal(ivr_queue_validate(&q, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "max_wait_sec");
	q.max_wait_sec = 3600;
	q.announce_sec = 601;
	assert_int_equal(ivr_queue_validate(&q, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "announce_sec");
	q.announce_sec = 0;
	q.name[0] = 0;
	assert_int_equal(ivr_queue_validate(&q, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "name");
}

static int queue_seen(void *ctx, const struct ivr_queue *q)
{
	strncat(ctx, q->code, 100);
	strcat(ctx, " ");
	return 0;
}

static void settings_store(void **state)
{
	struct store *s = test_store_open();
	struct ivr_menu m, back;
	struct ivr_hours *h = hours_new(), *h2 = hours_new();
	struct ivr_queue q;
	char closed[IVR_KEY_SIZE], codes[200] = "";
	int64_t version;
	int open;

	(void)state;
	/* Migration 6 stores the CALL-1 menu, always open. */
	assert_int_equal(ivr_menu_load(s, &back), 0);
	ivr_menu_default(&m);
	assert_int_equal(back.n, m.n);
	for (int i = 0; i < m.n; i++) {
		assert_int_equal(back.nodes[i].digit, m.nodes[i].digit);
		assert_string_equal(back.nodes[i].queue, m.nodes[i].queue);
		assert_string_equal(back.nodes[i].prompt, m.nodes[i].prompt);
		assert_string_equal(back.nodes[i].label, m.nodes[i].label);
		assert_int_equal(back.nodes[i].parent, -1);
	}
	assert_int_equal(back.version, 1);
	/* A tree goes in and comes back in tree order. */
	custom_menu(&m);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(ivr_menu_save(s, &m, 5000, &version), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(version, 2);
	assert_int_equal(ivr_menu_load(s, &back), 0);
	assert_int_equal(back.n, m.n);
	assert_int_equal(back.version, 2);
	assert_int_equal(back.updated_at, 5000);
	for (int i = 0; i < m.n; i++) {
		assert_int_equal(back.nodes[i].parent, m.nodes[i].parent);
		assert_int_equal(back.nodes[i].digit, m.nodes[i].digit);
		assert_int_equal(back.nodes[i].action, m.nodes[i].action);
		assert_string_equal(back.nodes[i].label, m.nodes[i].label);
	}
	/* A queue that does not exist is refused by the database too. */
	snprintf(m.nodes[5].queue, sizeof(m.nodes[5].queue), "nope");
	assert_int_equal(store_begin(s), 0);
	assert_true(ivr_menu_save(s, &m, 6000, &version) < 0);
	store_rollback(s);

	/* Hours: always open by default; weekly ranges and days round-trip. */
	assert_int_equal(ivr_hours_load(s, h2), 0);
	assert_true(h2->always_open);
	assert_string_equal(h2->closed_prompt, "out_of_hours");
	h->always_open = 0;
	range_add(h, 5, 22 * 60, 2 * 60);
	range_add(h, 1, 8 * 60, 1440);
	day_add(h->closed, &h->nclosed, 20261001, 0, "国庆节");
	day_add(h->open, &h->nopen, 20261011, 5, "调休");
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(ivr_hours_save(s, h, 7000, &version), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(version, 2);
	assert_int_equal(ivr_hours_load(s, h2), 0);
	assert_false(h2->always_open);
	assert_int_equal(h2->nweekly, 2);
	assert_int_equal(h2->weekly[0].weekday, 1); /* by weekday */
	assert_int_equal(h2->weekly[0].closes, 1440);
	assert_int_equal(h2->weekly[1].opens, 22 * 60);
	assert_int_equal(h2->nclosed, 1);
	assert_int_equal(h2->closed[0].ymd, 20261001);
	assert_string_equal(h2->closed[0].name, "国庆节");
	assert_int_equal(h2->open[0].as_weekday, 5);

	/* What the call engine reads when a call comes. */
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	assert_int_equal(ivr_call_setup(s, shanghai(20261001, 10, 0), &back, &open, closed), 0);
	assert_false(open);
	assert_string_equal(closed, "out_of_hours");
	assert_string_equal(back.nodes[0].prompt, "menu_broadband");
	assert_int_equal(ivr_call_setup(s, shanghai(20261012, 10, 0), &back, &open, closed), 0);
	assert_true(open);

	/* Queues. */
	assert_int_equal(ivr_queue_list(s, queue_seen, codes), 4);
	assert_string_equal(codes, "agent complaint market_consult tech_service ");
	assert_int_equal(ivr_queue_get(s, "complaint", &q), 0);
	assert_string_equal(q.skill, "supervising");
	assert_string_equal(q.strategy, "longest_idle");
	snprintf(q.strategy, sizeof(q.strategy), "ring_all");
	q.skill[0] = 0;
	q.max_wait_sec = 300;
	assert_int_equal(ivr_queue_update(s, &q, 8000), 0);
	assert_int_equal(ivr_queue_get(s, "complaint", &q), 0);
	assert_string_equal(q.strategy, "ring_all");
	assert_string_equal(q.skill, "");
	assert_int_equal(q.max_wait_sec, 300);
	assert_int_equal(q.updated_at, 8000);
	assert_int_equal(ivr_queue_get(s, "nope", &q), ERR_NOTFOUND);
	free(h);
	free(h2);
	test_store_close(s);
}

/* Emergency announcements (seed 002 §4.3): after the welcome, before the menu. */
static void notice_between_welcome_and_menu(void **state)
{
	struct ivr_menu m;
	struct ivr v;
	struct ivr_action a;

	(void)state;
	ivr_menu_default(&m);
	snprintf(m.notice, sizeof(m.notice), "%s", IVR_NOTICE_KEY);
	ivr_start(&v, &m, 0, &a);
	assert_string_equal(a.play, "welcome");
	ivr_prompt_done(&v, 4000, &a);
	assert_string_equal(a.play, IVR_NOTICE_KEY);
	assert_int_equal(v.state, IVR_NOTICE);
	assert_string_equal(ivr_state_name(v.state), "notice");
	assert_int_equal(ivr_deadline(&v), 0); /* no time-out while it plays */
	ivr_prompt_done(&v, 9000, &a);
	assert_string_equal(a.play, "menu");
	ivr_prompt_done(&v, 12000, &a);
	assert_int_equal(v.state, IVR_WAIT);
	/* A key during the notice chooses, as during any prompt (barge-in). */
	ivr_start(&v, &m, 0, &a);
	ivr_prompt_done(&v, 4000, &a);
	ivr_digit(&v, '1', 5000, &a);
	assert_string_equal(a.route, "market_consult");
	/* Without a notice the menu follows the welcome. */
	m.notice[0] = 0;
	ivr_start(&v, &m, 0, &a);
	ivr_prompt_done(&v, 4000, &a);
	assert_string_equal(a.play, "menu");
}

static void notice_rules(void **state)
{
	struct ivr_notice n;
	struct err_info ei;

	(void)state;
	memset(&n, 0, sizeof(n));
	snprintf(n.text, sizeof(n.text), "系统维护");
	snprintf(n.source, sizeof(n.source), "text");
	n.starts_at = 1000;
	n.ends_at = 2000;
	/* The window is [starts_at, ends_at). */
	assert_false(ivr_notice_in_window(&n, 999));
	assert_true(ivr_notice_in_window(&n, 1000));
	assert_true(ivr_notice_in_window(&n, 1999));
	assert_false(ivr_notice_in_window(&n, 2000));
	assert_int_equal(ivr_notice_validate(&n, 1500, 1, &ei), 0);
	assert_int_equal(ivr_notice_validate(&n, 2000, 1, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "ends_at");
	assert_int_equal(ivr_notice_validate(&n, 2000, 0, &ei), 0); /* an edit may end it */
	n.ends_at = n.starts_at;
	assert_int_equal(ivr_notice_validate(&n, 0, 0, &ei), ERR_UNPROCESSABLE);
	n.ends_at = n.starts_at + IVR_NOTICE_SPAN_MAX + 1;
	assert_int_equal(ivr_notice_validate(&n, 0, 0, &ei), ERR_UNPROCESSABLE);
	n.ends_at = 2000;
	snprintf(n.source, sizeof(n.source), "video");
	assert_int_equal(ivr_notice_validate(&n, 0, 0, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "source");
	snprintf(n.source, sizeof(n.source), "recording");
	n.text[0] = 0;
	assert_int_equal(ivr_notice_validate(&n, 0, 0, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "text");
	assert_int_equal(ivr_notice_audio_check(IVR_NOTICE_MS_MIN - 1, "audio", &ei),
			 ERR_UNPROCESSABLE);
	assert_int_equal(ivr_notice_audio_check(IVR_NOTICE_MS_MIN, "audio", &ei), 0);
	assert_int_equal(ivr_notice_audio_check(IVR_NOTICE_MS_MAX, "audio", &ei), 0);
	assert_int_equal(ivr_notice_audio_check(IVR_NOTICE_MS_MAX + 1, "audio", &ei),
			 ERR_UNPROCESSABLE);
}

/* The store picks the notice that started last among those in force. */
static void notice_store_overlap(void **state)
{
	struct store *s = test_store_open();
	struct ivr_notice a, b, got;
	static const uint8_t wav[] = "RIFF";
	uint8_t *back;
	size_t len;
	int64_t next;

	(void)state;
	memset(&a, 0, sizeof(a));
	snprintf(a.text, sizeof(a.text), "短信群发");
	snprintf(a.source, sizeof(a.source), "recording");
	a.starts_at = 1000;
	a.ends_at = 10000;
	a.audio_ms = 500;
	b = a;
	snprintf(b.text, sizeof(b.text), "网络故障");
	b.starts_at = 3000;
	b.ends_at = 5000;
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(ivr_notice_insert(s, &a, wav, 4, 100), 0);
	assert_int_equal(ivr_notice_insert(s, &b, wav, 4, 100), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(ivr_notice_active(s, 999, &got), ERR_NOTFOUND);
	assert_int_equal(ivr_notice_next_change(s, 999, &next), 0);
	assert_int_equal(next, 1000);
	assert_int_equal(ivr_notice_active(s, 1000, &got), 0);
	assert_int_equal(got.id, a.id);
	assert_int_equal(ivr_notice_next_change(s, 1000, &next), 0);
	assert_int_equal(next, 3000);
	assert_int_equal(ivr_notice_active(s, 3000, &got), 0);
	assert_int_equal(got.id, b.id);
	assert_int_equal(ivr_notice_next_change(s, 3000, &next), 0);
	assert_int_equal(next, 5000);
	assert_int_equal(ivr_notice_active(s, 5000, &got), 0);
	assert_int_equal(got.id, a.id);
	assert_int_equal(ivr_notice_active(s, 10000, &got), ERR_NOTFOUND);
	assert_int_equal(ivr_notice_next_change(s, 10000, &next), 0);
	assert_int_equal(next, 0);
	/* A later start wins even when the row is older; ties go to the newest row. */
	b.starts_at = 1000;
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(ivr_notice_update(s, &b, NULL, 0, 200), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(b.version, 2);
	assert_int_equal(ivr_notice_active(s, 1000, &got), 0);
	assert_int_equal(got.id, b.id);
	assert_int_equal(ivr_notice_audio(s, b.id, &back, &len), 0);
	assert_int_equal(len, 4);
	assert_memory_equal(back, "RIFF", 4);
	free(back);
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(menu_digits_route_by_skill),
		cmocka_unit_test(digit_barges_in_during_welcome_and_menu),
		cmocka_unit_test(no_input_repeats_the_menu_once_then_agent),
		cmocka_unit_test(invalid_then_valid_and_two_invalid),
		cmocka_unit_test(submenus_enter_and_go_back),
		cmocka_unit_test(announcement_then_hang_up),
		cmocka_unit_test(misses_in_a_submenu_replay_it_then_fall_back),
		cmocka_unit_test(closed_plays_the_notice_and_hangs_up),
		cmocka_unit_test(menu_validation_names_the_field),
		cmocka_unit_test(calendar_dates),
		cmocka_unit_test(calendar_weekly_hours_across_midnight),
		cmocka_unit_test(calendar_holidays_and_makeup_days),
		cmocka_unit_test(calendar_validation_names_the_field),
		cmocka_unit_test(queue_validation),
		cmocka_unit_test(settings_store),
		cmocka_unit_test(notice_between_welcome_and_menu),
		cmocka_unit_test(notice_rules),
		cmocka_unit_test(notice_store_overlap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
