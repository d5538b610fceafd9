/*
 * SIP messages as kefu reads them (src/sip/sip_reg.c, sip_auth.c,
 * sip_sdp.c): the input is one datagram decoded by libre's parser, as the
 * SIP stack does before kefu sees it; then the parts kefu takes from it the
 * way sip_reg.c takes them: each Contact's address and expires parameter,
 * the Expires header, the User-Agent against the scanner list, the digest
 * of the Authorization header checked as a registration is (the nonce
 * against kefu's key, the response against a stored HA1), and the body as
 * an SDP offer or a dtmf-relay INFO.
 */
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_msg.h>
#include <re_uri.h>
#include <re_tmr.h>
#include <re_httpauth.h>
#include <re_sip.h>

#include "fuzz/fuzz.h"
#include "sip/sip.h"

static int copy_pl(const struct pl *pl, char *out, size_t size)
{
	if (!pl->p || pl->l >= size)
		return -1;
	memcpy(out, pl->p, pl->l);
	out[pl->l] = '\0';
	return 0;
}

static bool contact_each(const struct sip_hdr *hdr, const struct sip_msg *msg, void *arg)
{
	struct sip_addr a;
	struct pl param;
	int64_t chosen;
	char uri[256];

	(void)msg;
	(void)arg;
	if (sip_addr_decode(&a, &hdr->val) != 0)
		return true;
	(void)copy_pl(&a.auri, uri, sizeof(uri));
	if (msg_param_decode(&a.params, "expires", &param) == 0)
		(void)sip_expires_choose((int64_t)pl_u32(&param), &chosen);
	return false;
}

static void digest(const struct sip_msg *msg)
{
	static const unsigned char key[SIP_NONCE_KEY_LEN] = {1, 2, 3};
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_AUTHORIZATION);
	struct httpauth_digest_resp r;
	char user[64], realm[64], nonce[64], uri[512], response[64],
		qop[16] = "", nc[16] = "", cnonce[128] = "", method[16], ha1[SIP_HEX_MD5_LEN + 1];

	if (!h || httpauth_digest_response_decode(&r, &h->val) != 0)
		return;
	if (copy_pl(&r.username, user, sizeof(user)) < 0 ||
	    copy_pl(&r.realm, realm, sizeof(realm)) < 0 ||
	    copy_pl(&r.nonce, nonce, sizeof(nonce)) < 0 || copy_pl(&r.uri, uri, sizeof(uri)) < 0 ||
	    copy_pl(&r.response, response, sizeof(response)) < 0 ||
	    copy_pl(&msg->met, method, sizeof(method)) < 0)
		return;
	if (r.qop.p)
		(void)copy_pl(&r.qop, qop, sizeof(qop));
	if (r.nc.p)
		(void)copy_pl(&r.nc, nc, sizeof(nc));
	if (r.cnonce.p)
		(void)copy_pl(&r.cnonce, cnonce, sizeof(cnonce));
	(void)sip_nonce_check(key, "kefu", "192.0.2.1:5060", nonce, 1000000);
	sip_ha1(user, realm, "secret", ha1);
	{
		const struct sip_digest d = {method, uri, nonce, response, qop, nc, cnonce};

		(void)sip_digest_verify(&d, ha1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbuf *mb = mbuf_alloc(size + 1);
	struct sip_msg *msg = NULL;
	const struct sip_hdr *ua;

	if (!mb)
		return 0;
	if (size)
		(void)mbuf_write_mem(mb, data, size);
	mb->pos = 0;
	if (sip_msg_decode(&msg, mb) != 0)
		goto done;
	(void)sip_msg_hdr_apply(msg, true, SIP_HDR_CONTACT, contact_each, NULL);
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
