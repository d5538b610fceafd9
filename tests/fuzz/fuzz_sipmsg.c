/*
 * SIP messages as kefu reads them (src/sip/sip_reg.c, sip_auth.c,
 * sip_sdp.c): the input is one datagram decoded by libre's parser, as the
 * SIP stack does before kefu sees it; then what the registrar reads of it
 * (sip_reg_read_contacts: each Contact's URI and expires parameter and the
 * Expires header; sip_reg_user_agent; sip_reg_read_creds: the digest of
 * the Authorization header), the User-Agent against the scanner list, the
 * digest checked as a registration is (the nonce against kefu's key, the
 * response against a stored HA1), and the body as an SDP offer or a
 * dtmf-relay INFO.
 */
#include "fuzz/fuzz.h"
#include "sip/sip.h"
#include "sip/sip_server.h"

/* A registration's digest checked as sip_reg_authenticate checks it: the
 * nonce against kefu's key, the response against a stored HA1. */
static void digest(const struct sip_msg *msg)
{
	static const unsigned char key[SIP_NONCE_KEY_LEN] = {1, 2, 3};
	struct sip_reg_creds c;
	char method[16], ha1[SIP_HEX_MD5_LEN + 1];

	if (sip_reg_read_creds(msg, &c) < 0 || !msg->met.p || msg->met.l >= sizeof(method))
		return;
	memcpy(method, msg->met.p, msg->met.l);
	method[msg->met.l] = '\0';
	(void)sip_nonce_check(key, "kefu", "192.0.2.1:5060", c.nonce, 1000000);
	sip_ha1(c.username, c.realm, "secret", ha1);
	{
		const struct sip_digest d = {method, c.uri, c.nonce, c.response, c.qop, c.nc, c.cnonce};

		(void)sip_digest_verify(&d, ha1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbuf *mb = mbuf_alloc(size + 1);
	struct sip_msg *msg = NULL;
	const struct sip_hdr *ua;
	struct sip_reg_contacts cs;
	char agent[SIP_REG_UA_MAX + 1];

	if (!mb)
		return 0;
	if (size)
		(void)mbuf_write_mem(mb, data, size);
	mb->pos = 0;
	if (sip_msg_decode(&msg, mb) != 0)
		goto done;
	sip_reg_read_contacts(msg, &cs);
	sip_reg_user_agent(msg, agent);
	ua = sip_msg_hdr(msg, SIP_HDR_USER_AGENT);
	if (ua)
		(void)sip_scanner_ua(ua->val.p, ua->val.l);
	digest(msg);
	if (msg->mb && mbuf_get_left(msg->mb)) {
		struct sip_sdp sdp;
		const char *body = (const char *)mbuf_buf(msg->mb);
		size_t len = mbuf_get_left(msg->mb);

		(void)sip_sdp_parse(body, len, &sdp);
		(void)sip_info_digit(body, len);
	}
done:
	mem_deref(msg);
	mem_deref(mb);
	return 0;
}
