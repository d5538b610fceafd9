/* Unit tests of src/handover's rules (WFM-6, WFM-7): the shift changes of
 * the default types and of a set with a shift crossing midnight, in
 * Asia/Shanghai; when each reminder is due; which items belong in the log
 * of the next shift; the snapshot's merge and the WFM-7 flags; the order
 * of signing. And the store: the reminders' once-only bookkeeping. */
#include "testutil.h"

#include "core/clock.h"
#include "core/err.h"
#include "handover/handover.h"
#include "wfm/wfm.h"

#define MIN 60000LL
#define HOUR (60 * MIN)
/* 2026-12-07 00:00 in Asia/Shanghai. */
#define DEC7 1796572800000LL

static struct wfm_shift_type shift(int64_t id, const char *code, int s1, int e1, int office)
{
	struct wfm_shift_type t;

	memset(&t, 0, sizeof(t));
	t.id = id;
	snprintf(t.code, sizeof(t.code), "%s", code);
	snprintf(t.name, sizeof(t.name), "%s", code);
	t.nseg = 1;
	t.seg[0] = (struct wfm_segment){s1, e1};
	t.paid_min = 420;
	t.active = 1;
	t.office = office;
	return t;
}

/* WFM-1: 早班 08–16, 中班 16–24, 夜班 00–08 and 行政班, which is no change. */
static void default_changes(void **state)
{
	struct wfm_shift_type t[4] = {
		shift(1, "early", 480, 960, 0), shift(2, "middle", 960, 1440, 0),
		shift(3, "night", 0, 480, 0), shift(4, "office", 510, 1050, 1)};
	struct handover_change ch[HANDOVER_CHANGES_MAX];
	struct handover_slot sl;
	int n;

	(void)state;
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	n = handover_changes(t, 4, ch, HANDOVER_CHANGES_MAX);
	assert_int_equal(n, 3);
	assert_int_equal(ch[0].minute, 0);
	assert_int_equal(ch[0].out_idx, 1); /* 中班 hands over to 夜班 at midnight */
	assert_int_equal(ch[0].in_idx, 2);
	assert_int_equal(ch[1].minute, 480);
	assert_int_equal(ch[1].out_idx, 2);
	assert_int_equal(ch[1].in_idx, 0);
	assert_int_equal(ch[2].minute, 960);
	assert_int_equal(ch[2].out_idx, 0);
	assert_int_equal(ch[2].in_idx, 1);

	/* 15:40 on the 7th: the last change 08:00, the next 16:00. */
	assert_int_equal(handover_change_before(t, 4, DEC7 + 15 * HOUR + 40 * MIN, &sl), 0);
	assert_true(sl.at == DEC7 + 8 * HOUR);
	assert_true(sl.prev_at == DEC7);
	assert_true(sl.next_at == DEC7 + 16 * HOUR);
	assert_int_equal(handover_change_after(t, 4, DEC7 + 15 * HOUR + 40 * MIN, &sl), 0);
	assert_true(sl.at == DEC7 + 16 * HOUR);
	assert_true(sl.next_at == DEC7 + 24 * HOUR);
	assert_int_equal(sl.out_idx, 0);
	assert_int_equal(sl.in_idx, 1);
	assert_int_equal(sl.out_ymd, 20261207);
	assert_int_equal(sl.in_ymd, 20261207);
	/* A change is "before" at its own instant. */
	assert_int_equal(handover_change_before(t, 4, DEC7 + 16 * HOUR, &sl), 0);
	assert_true(sl.at == DEC7 + 16 * HOUR);
	/* Midnight: 中班 of the 6th hands over to 夜班 of the 7th. */
	assert_int_equal(handover_change_after(t, 4, DEC7 - 5 * MIN, &sl), 0);
	assert_true(sl.at == DEC7);
	assert_true(sl.prev_at == DEC7 - 8 * HOUR);
	assert_int_equal(sl.out_ymd, 20261206);
	assert_int_equal(sl.in_ymd, 20261207);
}

/* A center on 06–14, 14–22 and a 跨夜班 22–06: the night shift began the day before
 * the change at 06:00 that ends it. */
static void crossing_midnight(void **state)
{
	struct wfm_shift_type t[3] = {shift(1, "day", 360, 840, 0), shift(2, "late", 840, 1320, 0),
				      shift(3, "cross_night", 1320, 360, 0)};
	struct handover_change ch[HANDOVER_CHANGES_MAX];
	struct handover_slot sl;
	char day[11];

	(void)state;
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	assert_int_equal(handover_changes(t, 3, ch, HANDOVER_CHANGES_MAX), 3);
	assert_int_equal(ch[0].minute, 360);
	assert_int_equal(ch[1].minute, 840);
	assert_int_equal(ch[2].minute, 1320);
	/* No change at midnight: the night shift runs through it. */
	assert_int_equal(handover_change_after(t, 3, DEC7 + 23 * HOUR, &sl), 0);
	assert_true(sl.at == DEC7 + 30 * HOUR); /* 06:00 on the 8th */
	assert_int_equal(sl.out_idx, 2);
	assert_int_equal(sl.in_idx, 0);
	assert_int_equal(sl.out_ymd, 20261207); /* began at 22:00 on the 7th */
	assert_int_equal(sl.in_ymd, 20261208);
	assert_true(sl.prev_at == DEC7 + 22 * HOUR);
	assert_true(sl.next_at == DEC7 + 38 * HOUR);
	/* At 22:00 the night shift begins the same day. */
	assert_int_equal(handover_change_before(t, 3, DEC7 + 22 * HOUR + MIN, &sl), 0);
	assert_true(sl.at == DEC7 + 22 * HOUR);
	assert_int_equal(sl.in_idx, 2);
	assert_int_equal(sl.in_ymd, 20261207);
	handover_day_text(sl.in_ymd, day, sizeof(day));
	assert_string_equal(day, "2026-12-07");
	/* Only office hours: no change at all. */
	t[0].office = t[1].office = t[2].office = 1;
	assert_int_equal(handover_changes(t, 3, ch, HANDOVER_CHANGES_MAX), 0);
	assert_int_equal(handover_change_after(t, 3, DEC7, &sl), ERR_NOTFOUND);
}

/* WFM-6: arrive 15 min before, summary in the last 30, meeting in the first 10,
 * the alert from 15 min after the change. */
static void reminders_due(void **state)
{
	struct wfm_settings w;
	int64_t at = DEC7 + 16 * HOUR;

	(void)state;
	wfm_settings_default(&w);
	assert_int_equal(w.arrive_before_min, 15);
	assert_false(handover_reminder_due(HR_ARRIVE, at, at - 15 * MIN - 1, &w));
	assert_true(handover_reminder_due(HR_ARRIVE, at, at - 15 * MIN, &w));
	assert_false(handover_reminder_due(HR_ARRIVE, at, at, &w));
	assert_false(handover_reminder_due(HR_SUMMARY, at, at - 31 * MIN, &w));
	assert_true(handover_reminder_due(HR_SUMMARY, at, at - 30 * MIN, &w));
	assert_true(handover_reminder_due(HR_SUMMARY, at, at - 1, &w));
	assert_false(handover_reminder_due(HR_MEETING, at, at - 1, &w));
	assert_true(handover_reminder_due(HR_MEETING, at, at, &w));
	assert_false(handover_reminder_due(HR_MEETING, at, at + 10 * MIN, &w));
	assert_false(handover_reminder_due(HR_ALERT, at, at + 15 * MIN - 1, &w));
	assert_true(handover_reminder_due(HR_ALERT, at, at + 15 * MIN, &w));
	assert_true(handover_reminder_due(HR_ALERT, at, at + 3 * HOUR, &w));
	assert_string_equal(handover_reminder_name(HR_MEETING), "meeting");
}

/* Which items belong in the log of the shift [at, next_at). */
static void items_of_next_shift(void **state)
{
	int64_t at = DEC7 + 16 * HOUR, next = DEC7 + 24 * HOUR;

	(void)state;
	/* A deadline in the next shift, an overdue one: in; one after it: out. */
	assert_int_equal(handover_order_kind(0, at + HOUR, next), HK_ORDER);
	assert_int_equal(handover_order_kind(0, at - HOUR, next), HK_ORDER);
	assert_int_equal(handover_order_kind(0, next - 1, next), HK_ORDER);
	assert_int_equal(handover_order_kind(0, next, next), -1);
	assert_int_equal(handover_order_kind(0, 0, next), -1); /* no running clock */
	/* Escalated: in whatever its deadline, once. */
	assert_int_equal(handover_order_kind(1, next + HOUR, next), HK_ESCALATION);
	assert_int_equal(handover_order_kind(2, 0, next), HK_ESCALATION);
	assert_true(handover_due_by(at + 7 * HOUR, next));
	assert_false(handover_due_by(next + MIN, next));
	/* Notices: a window that reaches into the next shift. */
	assert_true(handover_window_meets(at - HOUR, at + MIN, at, next));
	assert_true(handover_window_meets(next - MIN, next + HOUR, at, next));
	assert_false(handover_window_meets(at - HOUR, at, at, next));
	assert_false(handover_window_meets(next, next + HOUR, at, next));
	assert_int_equal(handover_kind_parse("callback"), HK_CALLBACK);
	assert_int_equal(handover_kind_parse("nothing"), -1);
	assert_string_equal(handover_kind_name(HK_REQUEST), "request");
}

static struct handover_item item(int kind, int64_t ref, int included)
{
	struct handover_item it;

	memset(&it, 0, sizeof(it));
	it.kind = kind;
	it.ref_id = ref;
	it.included = included;
	snprintf(it.title, sizeof(it.title), "%s %lld", handover_kind_name(kind), (long long)ref);
	return it;
}

/* WFM-7: what was open at the change and is not in the signed log is flagged. */
static void flags(void **state)
{
	struct handover_item log[8], snap[4];
	size_t n = 0;

	(void)state;
	log[n++] = item(HK_ORDER, 1, 1);    /* handed over, still open */
	log[n++] = item(HK_CALLBACK, 2, 0); /* left out by the outgoing person, still open */
	log[n++] = item(HK_ORDER, 3, 1);    /* handed over, closed before the change */
	log[n++] = item(HK_MANUAL, 0, 1);   /* written by hand */
	snap[0] = item(HK_ORDER, 1, 1);
	snap[1] = item(HK_CALLBACK, 2, 1);
	snap[2] = item(HK_REQUEST, 4, 1); /* came after the log was locked */
	snap[3] = item(HK_MANUAL, 0, 1);  /* manual items are never matched */
	/* Locked: the newcomer goes beside the log, not into it. */
	assert_int_equal(handover_merge(log, &n, 8, snap, 3, 1, DEC7), 1);
	assert_int_equal((int)n, 5);
	assert_int_equal(log[4].kind, HK_REQUEST);
	assert_false(log[4].included);
	assert_true(log[4].at_change);
	assert_true(log[0].at_change && log[1].at_change);
	assert_false(log[2].at_change);
	assert_false(log[3].at_change);
	assert_int_equal(handover_flag(log, n), 2);
	assert_false(log[0].flagged);
	assert_true(log[1].flagged); /* left out */
	assert_false(log[2].flagged);
	assert_false(log[3].flagged);
	assert_true(log[4].flagged); /* not handed over */
	/* A draft takes the newcomer into the log: nothing to flag for it. */
	n = 1;
	log[0] = item(HK_ORDER, 1, 1);
	assert_int_equal(handover_merge(log, &n, 8, &snap[2], 1, 0, DEC7), 1);
	assert_true(log[1].included);
	assert_int_equal(handover_flag(log, n), 0);
	/* No room: ERR_TOOBIG. */
	n = 1;
	assert_int_equal(handover_merge(log, &n, 1, &snap[2], 1, 0, DEC7), ERR_TOOBIG);
}

/* The outgoing signs first, then another person incoming, once each. */
static void signing_order(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_int_equal(handover_sign_check("draft", HS_OUT, 0, 7, &why), 0);
	assert_int_equal(handover_sign_check("draft", HS_IN, 0, 8, &why), ERR_CONFLICT);
	assert_string_equal(why, "the outgoing duty person signs first");
	assert_int_equal(handover_sign_check("out_signed", HS_OUT, 7, 7, &why), ERR_CONFLICT);
	assert_int_equal(handover_sign_check("out_signed", HS_IN, 7, 7, &why), ERR_CONFLICT);
	assert_string_equal(why,
			    "the incoming duty person must be someone other than the outgoing one");
	assert_int_equal(handover_sign_check("out_signed", HS_IN, 7, 8, &why), 0);
	assert_int_equal(handover_sign_check("signed", HS_IN, 7, 9, &why), ERR_CONFLICT);
	assert_int_equal(handover_sign_check("signed", HS_OUT, 7, 9, &why), ERR_CONFLICT);
}

/* Each reminder of a change is taken once. */
static void reminder_once(void **state)
{
	struct store *s = test_store_open();

	(void)state;
	assert_int_equal(handover_reminder_take(s, DEC7, "arrive", DEC7), 1);
	assert_int_equal(handover_reminder_take(s, DEC7, "arrive", DEC7 + MIN), 0);
	assert_int_equal(handover_reminder_take(s, DEC7, "alert", DEC7), 1);
	assert_int_equal(handover_reminder_take(s, DEC7 + 8 * HOUR, "arrive", DEC7), 1);
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_changes), cmocka_unit_test(crossing_midnight),
		cmocka_unit_test(reminders_due),   cmocka_unit_test(items_of_next_shift),
		cmocka_unit_test(flags),	   cmocka_unit_test(signing_order),
		cmocka_unit_test(reminder_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
