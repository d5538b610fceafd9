/*
 * Digest authentication and registration rules (RFC 2617 as SIP uses it,
 * RFC 3261 section 22). No I/O: callers pass the time.
 *
 * Digest needs MD5; the stored credential is HA1 = MD5(user:realm:password),
 * which is what a registrar needs and no more: the password itself is
 * never stored. libsodium has no MD5, so it comes from libre; nonces are
 * HMAC-SHA-256 from libsodium.
 */
#include <re_types.h>
/* clang-format off: each libre header uses the ones before. */
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_md5.h>
/* clang-format on */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "org/org.h"
#include "sip/sip.h"

static void hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* MD5 of the parts joined by ':', in lower-case hex. */
static void md5_joined(const char *const *parts, int n, char out[SIP_HEX_MD5_LEN + 1])
{
	unsigned char digest[MD5_SIZE];
	struct mbuf *mb = mbuf_alloc(256);
	int rc = mb ? 0 : ENOMEM;

	for (int i = 0; rc == 0 && i < n; i++) {
		if (i)
			rc = mbuf_write_u8(mb, ':');
		if (rc == 0)
			rc = mbuf_write_str(mb, parts[i] ? parts[i] : "");
	}
	if (rc) {
		/* Out of memory: an answer that matches nothing, never a false match. */
		memset(out, 'x', SIP_HEX_MD5_LEN);
		out[SIP_HEX_MD5_LEN] = '\0';
		mem_deref(mb);
		return;
	}
	md5(mb->buf, mb->end, digest);
	hex(digest, sizeof(digest), out);
	mem_deref(mb);
}

void sip_ha1(const char *user, const char *realm, const char *password,
	     char out[SIP_HEX_MD5_LEN + 1])
{
	const char *parts[] = {user, realm, password};

	md5_joined(parts, 3, out);
}

void sip_digest_expect(const struct sip_digest *d, const char *ha1, char out[SIP_HEX_MD5_LEN + 1])
{
	char ha2[SIP_HEX_MD5_LEN + 1];
	const char *a2[] = {d->method, d->uri};

	md5_joined(a2, 2, ha2);
	if (d->qop && d->qop[0]) {
		const char *parts[] = {ha1, d->nonce, d->nc, d->cnonce, d->qop, ha2};

		md5_joined(parts, 6, out);
	} else {
		const char *parts[] = {ha1, d->nonce, ha2};

		md5_joined(parts, 3, out);
	}
}

int sip_digest_verify(const struct sip_digest *d, const char *ha1)
{
	char want[SIP_HEX_MD5_LEN + 1], got[SIP_HEX_MD5_LEN + 1];
	int qop_ok;

	if (!d->response || strlen(d->response) != SIP_HEX_MD5_LEN)
		return 0;
	qop_ok = !d->qop || !d->qop[0] ||
		 (strcmp(d->qop, "auth") == 0 && d->nc && d->nc[0] && d->cnonce && d->cnonce[0]);
	/* Hex digits may come in either case; compare them in one. */
	for (int i = 0; i < SIP_HEX_MD5_LEN; i++) {
		char c = d->response[i];

		got[i] = (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
	}
	got[SIP_HEX_MD5_LEN] = '\0';
	/* The work is the same whatever the outcome, so timing tells nothing. */
	sip_digest_expect(d, ha1, want);
	return sodium_memcmp(want, got, SIP_HEX_MD5_LEN) == 0 && qop_ok;
}

void sip_nonce_key_init(unsigned char key[SIP_NONCE_KEY_LEN])
{
	randombytes_buf(key, SIP_NONCE_KEY_LEN);
}

static void nonce_mac(const unsigned char key[SIP_NONCE_KEY_LEN], const char *stamp,
		      const char *realm, const char *address, char out[33])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, SIP_NONCE_KEY_LEN);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)stamp, strlen(stamp));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)":", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)realm, strlen(realm));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)":", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)address, strlen(address));
	crypto_auth_hmacsha256_final(&st, mac);
	hex(mac, 16, out);
}

void sip_nonce_make(const unsigned char key[SIP_NONCE_KEY_LEN], const char *realm,
		    const char *address, int64_t now, char out[SIP_NONCE_LEN + 1])
{
	char stamp[17];

	snprintf(stamp, sizeof(stamp), "%016llx", (unsigned long long)now);
	memcpy(out, stamp, 16);
	nonce_mac(key, stamp, realm, address, out + 16);
}

enum sip_nonce_state sip_nonce_check(const unsigned char key[SIP_NONCE_KEY_LEN], const char *realm,
				     const char *address, const char *nonce, int64_t now)
{
	char stamp[17], mac[33];
	unsigned long long issued = 0;

	if (!nonce || strlen(nonce) != SIP_NONCE_LEN)
		return SIP_NONCE_BAD;
	for (int i = 0; i < SIP_NONCE_LEN; i++)
		if (!((nonce[i] >= '0' && nonce[i] <= '9') || (nonce[i] >= 'a' && nonce[i] <= 'f')))
			return SIP_NONCE_BAD;
	memcpy(stamp, nonce, 16);
	stamp[16] = '\0';
	nonce_mac(key, stamp, realm, address, mac);
	if (sodium_memcmp(mac, nonce + 16, 32) != 0)
		return SIP_NONCE_BAD;
	for (int i = 0; i < 16; i++)
		issued = issued * 16 + (unsigned long long)(stamp[i] <= '9' ? stamp[i] - '0'
									    : stamp[i] - 'a' + 10);
	/* Issued in the future means a clock that went back: ask again. */
	if ((int64_t)issued > now || now - (int64_t)issued > SIP_NONCE_TTL_MS)
		return SIP_NONCE_STALE;
	return SIP_NONCE_OK;
}

int sip_password_acceptable(const char *password, const char **why)
{
	size_t n = strlen(password);

	if (n < SIP_PASSWORD_MIN || n > SIP_PASSWORD_MAX) {
		*why = "8 to 64 characters";
		return ERR_UNPROCESSABLE;
	}
	for (size_t i = 0; i < n; i++)
		if (password[i] <= ' ' || password[i] > '~') {
			*why = "printable ASCII letters, digits and signs, no spaces";
			return ERR_UNPROCESSABLE;
		}
	return 0;
}

int sip_may_register(unsigned roles, int active)
{
	return active && (roles & (ROLE_AGENT | ROLE_SUPERVISOR)) != 0;
}

int sip_expires_choose(int64_t requested, int64_t *out)
{
	if (requested < 0) {
		*out = SIP_EXPIRES_DEFAULT;
		return 0;
	}
	if (requested > 0 && requested < SIP_EXPIRES_MIN)
		return ERR_UNPROCESSABLE;
	*out = requested > SIP_EXPIRES_MAX ? SIP_EXPIRES_MAX : requested;
	return 0;
}

void sip_log_safe(const char *text, size_t len, char *out, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return;
	for (size_t i = 0; text && i < len && n + 1 < size; i++) {
		char c = text[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' || c == '+' ||
			 c == '-';

		out[n++] = ok ? c : '?';
	}
	out[n] = '\0';
}
