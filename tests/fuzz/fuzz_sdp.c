/*
 * SIP bodies kefu parses itself (src/sip/sip_sdp.c, sip_guard.c, sip.c):
 * the input as an SDP offer, whose parsed form is answered with kefu's own
 * description; as an application/dtmf-relay INFO body; as a User-Agent
 * judged for scanners; and as text made safe for the log.
 */
#include "fuzz/fuzz.h"
#include "sip/sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_sdp sdp;
	char out[1024], safe[256];

	if (sip_sdp_parse((const char *)data, size, &sdp) == 0) {
		struct sip_sdp_out o = {
			.session = 1,
			.version = 1,
			.ip = sdp.addr,
			.port = sdp.port,
			.pt = sdp.pref_pt,
			.pcma = sdp.pref_pt == sdp.pcma_pt,
			.event_pt = sdp.event_pt,
			.ptime = 20,
			.dir = sip_sdp_answer_dir(sdp.dir),
		};

		(void)sip_sdp_write(&o, out, sizeof(out));
		(void)sip_sdp_dir_name(sdp.dir);
	}
	(void)sip_info_digit((const char *)data, size);
	(void)sip_scanner_ua((const char *)data, size);
	sip_log_safe((const char *)data, size, safe, sizeof(safe));
	return 0;
}
