/* Unit tests of the SIP bodies of src/sip/sip_sdp.c: the SDP offer's parser
 * (addresses, payload types, direction), kefu's own descriptions, and the
 * dtmf-relay INFO body. */
#include "testutil.h"

#include "core/err.h"
#include "sip/sip.h"

#include <stdio.h>
#include <string.h>

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
	struct sip_sdp s;

	(void)state;
	assert_int_equal(sip_sdp_parse(offer, sizeof(offer) - 1, &s), 0);
	assert_string_equal(s.addr, "127.0.0.9");
	assert_int_equal(s.port, 4000);
	assert_int_equal(s.pcmu_pt, 0);
	assert_int_equal(s.pcma_pt, 8);
	assert_int_equal(s.event_pt, 101);
	assert_int_equal(s.pref_pt, 0);

	assert_int_equal(sip_sdp_parse(no_g711, sizeof(no_g711) - 1, &s), 0);
	assert_int_equal(s.pref_pt, -1);
	assert_int_equal(s.event_pt, -1);

	assert_int_equal(sip_sdp_parse(bare, sizeof(bare) - 1, &s), 0);
	assert_string_equal(s.addr, "1.2.3.4");
	assert_int_equal(s.pref_pt, 8);
	assert_int_equal(s.pcma_pt, 8);

	assert_int_equal(sip_sdp_parse("v=0\r\n", 5, &s), ERR_INVALID);
	assert_int_equal(sip_sdp_parse("v=0\r\nm=audio 5 RTP/AVP 8\r\n", 26, &s), ERR_INVALID);
	assert_int_equal(sip_sdp_parse("m=audio 99999 RTP/AVP 8\r\nc=IN IP4 1.2.3.4\r\n", 44, &s),
			 ERR_INVALID);
}

static void info_bodies(void **state)
{
	(void)state;
	assert_int_equal(sip_info_digit("Signal=5\r\nDuration=160\r\n", 24), '5');
	assert_int_equal(sip_info_digit("Signal= *\r\n", 11), '*');
	assert_int_equal(sip_info_digit("Duration=160\r\nsignal=#", 22), '#');
	assert_int_equal(sip_info_digit("Signal=x\r\n", 10), 0);
	assert_int_equal(sip_info_digit("", 0), 0);
	assert_int_equal(sip_info_digit("Signal=", 7), 0);
}

/* A phone holds by offering sendonly or inactive (RFC 3264), or 0.0.0.0. */
static void sdp_direction(void **state)
{
	struct sip_sdp o;
	const char *base = "v=0\r\no=a 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
			   "%sm=audio 4000 RTP/AVP 8\r\n%s";
	char sdp[512];

	(void)state;
	snprintf(sdp, sizeof(sdp), base, "10.0.0.1", "", "");
	assert_int_equal(sip_sdp_parse(sdp, strlen(sdp), &o), 0);
	assert_int_equal(o.dir, SIP_SDP_SENDRECV);
	snprintf(sdp, sizeof(sdp), base, "10.0.0.1", "", "a=sendonly\r\n");
	assert_int_equal(sip_sdp_parse(sdp, strlen(sdp), &o), 0);
	assert_int_equal(o.dir, SIP_SDP_SENDONLY);
	snprintf(sdp, sizeof(sdp), base, "10.0.0.1", "a=inactive\r\n", "");
	assert_int_equal(sip_sdp_parse(sdp, strlen(sdp), &o), 0);
	assert_int_equal(o.dir, SIP_SDP_INACTIVE);
	/* The media level overrides the session level. */
	snprintf(sdp, sizeof(sdp), base, "10.0.0.1", "a=inactive\r\n", "a=sendrecv\r\n");
	assert_int_equal(sip_sdp_parse(sdp, strlen(sdp), &o), 0);
	assert_int_equal(o.dir, SIP_SDP_SENDRECV);
	snprintf(sdp, sizeof(sdp), base, "0.0.0.0", "", "");
	assert_int_equal(sip_sdp_parse(sdp, strlen(sdp), &o), 0);
	assert_int_equal(o.dir, SIP_SDP_INACTIVE);
	/* kefu's answer (RFC 3264 section 6.1): a phone that holds gets
	 * recvonly (it will send, kefu will not), an inactive one inactive. */
	assert_int_equal(sip_sdp_answer_dir(SIP_SDP_SENDONLY), SIP_SDP_RECVONLY);
	assert_int_equal(sip_sdp_answer_dir(SIP_SDP_INACTIVE), SIP_SDP_INACTIVE);
	assert_int_equal(sip_sdp_answer_dir(SIP_SDP_RECVONLY), SIP_SDP_SENDONLY);
	assert_int_equal(sip_sdp_answer_dir(SIP_SDP_SENDRECV), SIP_SDP_SENDRECV);
	assert_string_equal(sip_sdp_dir_name(SIP_SDP_RECVONLY), "recvonly");
	assert_string_equal(sip_sdp_dir_name(SIP_SDP_INACTIVE), "inactive");
	assert_string_equal(sip_sdp_dir_name(SIP_SDP_SENDONLY), "sendonly");
	assert_string_equal(sip_sdp_dir_name(SIP_SDP_SENDRECV), "sendrecv");
}

/* kefu's descriptions: the exact text a phone gets, and what kefu's own
 * parser reads back from each of the three shapes. */
static void sdp_written(void **state)
{
	struct sip_sdp_out o = {.session = 42, .version = 2, .ip = "192.0.2.7", .port = 40002,
				.pt = 8, .pcma = 1, .event_pt = 101, .ptime = 20,
				.dir = SIP_SDP_RECVONLY};
	char buf[512];
	struct sip_sdp p;
	int n;

	(void)state;
	n = sip_sdp_write(&o, buf, sizeof(buf));
	assert_string_equal(buf, "v=0\r\no=kefu 42 2 IN IP4 192.0.2.7\r\ns=kefu\r\n"
				 "c=IN IP4 192.0.2.7\r\nt=0 0\r\nm=audio 40002 RTP/AVP 8 101\r\n"
				 "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
				 "a=fmtp:101 0-15\r\na=ptime:20\r\na=recvonly\r\n");
	assert_int_equal(n, (int)strlen(buf));
	assert_int_equal(sip_sdp_parse(buf, (size_t)n, &p), 0);
	assert_string_equal(p.addr, "192.0.2.7");
	assert_int_equal(p.port, 40002);
	assert_int_equal(p.pcma_pt, 8);
	assert_int_equal(p.pcmu_pt, -1);
	assert_int_equal(p.event_pt, 101);
	assert_int_equal(p.dir, SIP_SDP_RECVONLY);

	/* A chosen PCMU without events, over IPv6. */
	o = (struct sip_sdp_out){.session = 7, .version = 1, .ip = "2001:db8::1", .ipv6 = 1,
				 .port = 5000, .pt = 0, .event_pt = -1, .ptime = 20};
	n = sip_sdp_write(&o, buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, "c=IN IP6 2001:db8::1\r\n"));
	assert_non_null(strstr(buf, "m=audio 5000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"));
	assert_null(strstr(buf, "telephone-event"));
	assert_int_equal(sip_sdp_parse(buf, (size_t)n, &p), 0);
	assert_int_equal(p.pcmu_pt, 0);
	assert_int_equal(p.event_pt, -1);
	assert_int_equal(p.dir, SIP_SDP_SENDRECV);

	/* An offer to an agent's phone: both laws and events, PCMA first. */
	o = (struct sip_sdp_out){.session = 9, .version = 1, .ip = "127.0.0.1", .port = 6000,
				 .pt = -1, .event_pt = -1, .ptime = 20};
	n = sip_sdp_write(&o, buf, sizeof(buf));
	assert_int_equal(sip_sdp_parse(buf, (size_t)n, &p), 0);
	assert_int_equal(p.pcma_pt, 8);
	assert_int_equal(p.pcmu_pt, 0);
	assert_int_equal(p.event_pt, 101);
	assert_int_equal(p.pref_pt, 8);

	/* Too small a buffer is an error, never a cut description. */
	assert_int_equal(sip_sdp_write(&o, buf, 40), ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sdp_offer_parts),
		cmocka_unit_test(info_bodies),
		cmocka_unit_test(sdp_direction),
		cmocka_unit_test(sdp_written),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
