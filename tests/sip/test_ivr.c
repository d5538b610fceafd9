/* Unit tests of the IVR rules (CALL-1) and the SDP and dtmf-relay parsers of src/sip/ivr.c. */
#include "testutil.h"

#include "core/err.h"
#include "sip/sip.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static void start_to_menu(struct ivr *v, struct ivr_action *a)
{
	ivr_start(v, 1000, a);
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
	ivr_start(&v, 0, &a);
	ivr_digit(&v, '2', 300, &a);
	assert_string_equal(a.route, "tech_service");
	assert_string_equal(a.play, "transfer");

	ivr_start(&v, 0, &a);
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

static void sdp_offer_parts(void **state)
{
	static const char offer[] = "v=0\r\n"
				    "o=- 1 1 IN IP4 10.0.0.1\r\n"
				    "s=-\r\n"
				    "c=IN IP4 10.0.0.1\r\n"
				    "t=0 0\r\n"
				    "m=audio 4000 RTP/AVP 0 8 101\r\n"
				    "c=IN IP4 127.0.0.9\r\n"
				    "a=rtpmap:0 PCMU/8000\r\n"
				    "a=rtpmap:8 PCMA/8000\r\n"
				    "a=rtpmap:101 telephone-event/8000\r\n"
				    "a=fmtp:101 0-15\r\n";
	static const char no_g711[] = "v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 5000 RTP/AVP 18 96\r\n"
				      "a=rtpmap:96 opus/48000/2\r\n";
	static const char bare[] = "v=0\nc=IN IP4 1.2.3.4\nm=audio 5000 RTP/AVP 8\n";
	struct ivr_sdp s;

	(void)state;
	assert_int_equal(ivr_sdp_parse(offer, sizeof(offer) - 1, &s), 0);
	assert_string_equal(s.addr, "127.0.0.9");
	assert_int_equal(s.port, 4000);
	assert_int_equal(s.pcmu_pt, 0);
	assert_int_equal(s.pcma_pt, 8);
	assert_int_equal(s.event_pt, 101);
	assert_int_equal(s.pref_pt, 0);

	assert_int_equal(ivr_sdp_parse(no_g711, sizeof(no_g711) - 1, &s), 0);
	assert_int_equal(s.pref_pt, -1);
	assert_int_equal(s.event_pt, -1);

	assert_int_equal(ivr_sdp_parse(bare, sizeof(bare) - 1, &s), 0);
	assert_string_equal(s.addr, "1.2.3.4");
	assert_int_equal(s.pref_pt, 8);
	assert_int_equal(s.pcma_pt, 8);

	assert_int_equal(ivr_sdp_parse("v=0\r\n", 5, &s), ERR_INVALID);
	assert_int_equal(ivr_sdp_parse("v=0\r\nm=audio 5 RTP/AVP 8\r\n", 26, &s), ERR_INVALID);
	assert_int_equal(ivr_sdp_parse("m=audio 99999 RTP/AVP 8\r\nc=IN IP4 1.2.3.4\r\n", 44, &s),
			 ERR_INVALID);
}

static void info_bodies(void **state)
{
	(void)state;
	assert_int_equal(ivr_info_digit("Signal=5\r\nDuration=160\r\n", 24), '5');
	assert_int_equal(ivr_info_digit("Signal= *\r\n", 11), '*');
	assert_int_equal(ivr_info_digit("Duration=160\r\nsignal=#", 22), '#');
	assert_int_equal(ivr_info_digit("Signal=x\r\n", 10), 0);
	assert_int_equal(ivr_info_digit("", 0), 0);
	assert_int_equal(ivr_info_digit("Signal=", 7), 0);
}

struct seen {
	int n;
	int64_t ids[8];
	char last_route[32];
	char last_by[16];
	char kinds[64];
};

static int seen_call(void *ctx, const struct call_row *c)
{
	struct seen *v = ctx;

	v->ids[v->n++] = c->id;
	snprintf(v->last_route, sizeof(v->last_route), "%s", c->route ? c->route : "-");
	snprintf(v->last_by, sizeof(v->last_by), "%s", c->ended_by ? c->ended_by : "-");
	return 0;
}

static int seen_event(void *ctx, const struct call_event_row *e)
{
	struct seen *v = ctx;

	strncat(v->kinds, e->kind, sizeof(v->kinds) - strlen(v->kinds) - 2);
	strcat(v->kinds, " ");
	return 0;
}

static void call_log_store(void **state)
{
	struct store *s = test_store_open();
	struct seen v = {0};
	int64_t a, b, c;

	(void)state;
	assert_int_equal(call_insert(s, "cid-a", "139", "4000000000", 100, &a), 0);
	assert_int_equal(call_insert(s, "cid-b", "138", "4000000000", 200, &b), 0);
	assert_int_equal(call_insert(s, "cid-c", "137", "4000000000", 300, &c), 0);
	assert_true(a < b && b < c);
	assert_int_equal(call_set_answered(s, b, 201), 0);
	assert_int_equal(call_event_add(s, b, 201, "answered", "{\"codec\":\"PCMA\"}"), 0);
	assert_int_equal(call_event_add(s, b, 202, "digit", NULL), 0);
	assert_int_equal(call_set_progress(s, b, "complaint", "3"), 0);
	assert_int_equal(call_set_ended(s, b, 300, "caller", "ivr"), 0);
	/* Newest first, in pages. */
	assert_int_equal(call_list(s, 0, 2, seen_call, &v), 2);
	assert_true(v.ids[0] == c && v.ids[1] == b);
	assert_string_equal(v.last_route, "complaint");
	assert_string_equal(v.last_by, "caller");
	assert_int_equal(call_list(s, b, 2, seen_call, &v), 1);
	assert_true(v.ids[2] == a);
	assert_int_equal(call_get(s, c + 100, seen_call, &v), ERR_NOTFOUND);
	assert_int_equal(call_event_list(s, b, seen_event, &v), 0);
	assert_string_equal(v.kinds, "answered digit ");
	/* ended_by is caller or kefu, nothing else. */
	assert_true(call_set_ended(s, a, 300, "nobody", NULL) < 0);
	test_store_close(s);
}

/* A phone holds by offering sendonly or inactive (RFC 3264), or 0.0.0.0. */
static void sdp_direction(void **state)
{
	struct ivr_sdp o;
	const char *base = "v=0\r\no=a 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
			   "%sm=audio 4000 RTP/AVP 8\r\n%s";
	char sdp[512];

	(void)state;
	snprintf(sdp, sizeof(sdp), base, "10.0.0.1", "", "");
	assert_int_equal(ivr_sdp_parse(sdp, strlen(sdp), &o), 0);
	assert_int_equal(o.dir, IVR_SDP_SENDRECV);
	snprintf(sdp, sizeof(sdp), base, "10.0.0.1", "", "a=sendonly\r\n");
	assert_int_equal(ivr_sdp_parse(sdp, strlen(sdp), &o), 0);
	assert_int_equal(o.dir, IVR_SDP_SENDONLY);
	snprintf(sdp, sizeof(sdp), base, "10.0.0.1", "a=inactive\r\n", "");
	assert_int_equal(ivr_sdp_parse(sdp, strlen(sdp), &o), 0);
	assert_int_equal(o.dir, IVR_SDP_INACTIVE);
	/* The media level overrides the session level. */
	snprintf(sdp, sizeof(sdp), base, "10.0.0.1", "a=inactive\r\n", "a=sendrecv\r\n");
	assert_int_equal(ivr_sdp_parse(sdp, strlen(sdp), &o), 0);
	assert_int_equal(o.dir, IVR_SDP_SENDRECV);
	snprintf(sdp, sizeof(sdp), base, "0.0.0.0", "", "");
	assert_int_equal(ivr_sdp_parse(sdp, strlen(sdp), &o), 0);
	assert_int_equal(o.dir, IVR_SDP_INACTIVE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(menu_digits_route_by_skill),
		cmocka_unit_test(digit_barges_in_during_welcome_and_menu),
		cmocka_unit_test(no_input_repeats_the_menu_once_then_agent),
		cmocka_unit_test(invalid_then_valid_and_two_invalid),
		cmocka_unit_test(sdp_offer_parts),
		cmocka_unit_test(info_bodies),
		cmocka_unit_test(call_log_store),
		cmocka_unit_test(sdp_direction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
