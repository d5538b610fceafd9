/*
 * WeChat's rules, pure (issue 18; docs/chan.md "WeChat, Weibo and SMS"):
 * the signature of a push, the safe mode's AES envelope and the XML of
 * one message. No I/O, no SQL, no clock.
 */
#include <expat.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chan/chan_wx.h"
#include "core/err.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int wx_sha1_sorted(const char *const *parts, int n, char out[41])
{
	const char *sorted[8];
	unsigned char dig[20];
	char *joined;
	size_t len = 0, at = 0;
	int rc;

	if (n < 1 || n > 8)
		return ERR_INVALID;
	for (int i = 0; i < n; i++) {
		if (!parts[i])
			return ERR_INVALID;
		sorted[i] = parts[i];
		len += strlen(parts[i]);
	}
	qsort(sorted, (size_t)n, sizeof(sorted[0]), cmp_str);
	joined = malloc(len + 1);
	if (!joined)
		return ERR_NOMEM;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(sorted[i]);

		memcpy(joined + at, sorted[i], l);
		at += l;
	}
	rc = gnutls_hash_fast(GNUTLS_DIG_SHA1, joined, len, dig);
	free(joined);
	if (rc < 0)
		return ERR_IO;
	for (int i = 0; i < 20; i++) {
		static const char hex[] = "0123456789abcdef";

		out[2 * i] = hex[dig[i] >> 4];
		out[2 * i + 1] = hex[dig[i] & 15];
	}
	out[40] = '\0';
	return 0;
}

int wx_signature_ok(const char *token, const char *timestamp, const char *nonce,
		    const char *encrypt, const char *signature)
{
	const char *parts[4] = {token, timestamp, nonce, encrypt};
	char want[41];

	if (!token || !*token || !timestamp || !nonce || !signature || strlen(signature) != 40)
		return 0;
	if (wx_sha1_sorted(parts, encrypt ? 4 : 3, want) < 0)
		return 0;
	/* Constant time: the signature is a secret's witness. */
	return sodium_memcmp(want, signature, 40) == 0;
}

/*
 * The 32-byte key of an EncodingAESKey (43 base64 characters and "=").
 * Decoded by hand: the 43rd character carries 2 bits beyond the 256, and
 * WeChat's keys are random, so those bits are often set; libsodium's
 * strict decoder refuses them, WeChat's (Java's) ignores them, as here.
 */
static int wx_key(const char *aes_key, unsigned char key[32])
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t acc = 0;
	int bits = 0, n = 0;

	if (!aes_key || strlen(aes_key) != WX_AES_KEY_LEN)
		return ERR_INVALID;
	for (int i = 0; i < WX_AES_KEY_LEN; i++) {
		const char *p = strchr(abc, aes_key[i]);

		if (!p || !aes_key[i])
			return ERR_INVALID;
		acc = (acc << 6) | (uint32_t)(p - abc);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n < 32)
				key[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return n == 32 ? 0 : ERR_INVALID;
}

static int wx_cipher(const unsigned char key[32], unsigned char *buf, size_t len, int enc)
{
	gnutls_cipher_hd_t h;
	gnutls_datum_t k = {(unsigned char *)key, 32}, iv = {(unsigned char *)key, 16};
	int rc;

	if (gnutls_cipher_init(&h, GNUTLS_CIPHER_AES_256_CBC, &k, &iv) < 0)
		return ERR_IO;
	rc = enc ? gnutls_cipher_encrypt(h, buf, len) : gnutls_cipher_decrypt(h, buf, len);
	gnutls_cipher_deinit(h);
	return rc < 0 ? ERR_INVALID : 0;
}

int wx_decrypt(const char *aes_key, const char *appid, const char *b64, char **msg, size_t *msg_len)
{
	unsigned char key[32], *buf;
	size_t b64_len = b64 ? strlen(b64) : 0, n = 0, pad, len, body;
	int rc = ERR_INVALID;

	*msg = NULL;
	if (wx_key(aes_key, key) < 0 || b64_len == 0 || b64_len > WX_BODY_MAX)
		return ERR_INVALID;
	buf = malloc(b64_len);
	if (!buf)
		return ERR_NOMEM;
	if (sodium_base642bin(buf, b64_len, b64, b64_len, " \r\n", &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    n < 32 || n % 16 != 0)
		goto out;
	if (wx_cipher(key, buf, n, 0) < 0)
		goto out;
	pad = buf[n - 1];
	if (pad < 1 || pad > 32 || pad > n)
		goto out;
	for (size_t i = n - pad; i < n; i++)
		if (buf[i] != pad)
			goto out;
	len = n - pad;
	if (len < 20)
		goto out;
	body = ((size_t)buf[16] << 24) | ((size_t)buf[17] << 16) | ((size_t)buf[18] << 8) | buf[19];
	if (body > len - 20)
		goto out;
	/* The appid after the message must be the account's: a message
	 * encrypted for another account with the same key is not ours. */
	if (appid && *appid &&
	    (len - 20 - body != strlen(appid) ||
	     memcmp(buf + 20 + body, appid, strlen(appid)) != 0))
		goto out;
	*msg = malloc(body + 1);
	if (!*msg) {
		rc = ERR_NOMEM;
		goto out;
	}
	memcpy(*msg, buf + 20, body);
	(*msg)[body] = '\0';
	*msg_len = body;
	rc = 0;
out:
	sodium_memzero(key, sizeof(key));
	free(buf);
	return rc;
}

int wx_encrypt(const char *aes_key, const char *appid, const char *msg, size_t msg_len,
	       const unsigned char random16[16], char **b64)
{
	unsigned char key[32], *buf;
	size_t alen = appid ? strlen(appid) : 0, len = 20 + msg_len + alen, pad = 32 - len % 32;
	size_t b64_size;
	int rc;

	*b64 = NULL;
	if (wx_key(aes_key, key) < 0 || msg_len > WX_BODY_MAX)
		return ERR_INVALID;
	buf = malloc(len + pad);
	if (!buf)
		return ERR_NOMEM;
	memcpy(buf, random16, 16);
	buf[16] = (unsigned char)(msg_len >> 24);
	buf[17] = (unsigned char)(msg_len >> 16);
	buf[18] = (unsigned char)(msg_len >> 8);
	buf[19] = (unsigned char)msg_len;
	memcpy(buf + 20, msg, msg_len);
	if (alen)
		memcpy(buf + 20 + msg_len, appid, alen);
	memset(buf + len, (int)pad, pad);
	rc = wx_cipher(key, buf, len + pad, 1);
	sodium_memzero(key, sizeof(key));
	if (rc == 0) {
		b64_size = sodium_base64_ENCODED_LEN(len + pad, sodium_base64_VARIANT_ORIGINAL);
		*b64 = malloc(b64_size);
		if (!*b64)
			rc = ERR_NOMEM;
		else
			sodium_bin2base64(*b64, b64_size, buf, len + pad,
					  sodium_base64_VARIANT_ORIGINAL);
	}
	free(buf);
	return rc;
}

/* -- XML -- */

struct wx_parse_state {
	struct wx_msg *m;
	XML_Parser p;
	int depth;
	char *field; /* where the current element's text goes, or NULL */
	size_t size, len;
	char num[24]; /* CreateTime's text */
	int bad;
};

static void wx_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct wx_parse_state *st = ud;
	struct wx_msg *m = st->m;
	static const struct {
		const char *name;
		size_t off, size;
	} fields[] = {
#define F(n, f) {n, offsetof(struct wx_msg, f), sizeof(((struct wx_msg *)0)->f)}
		F("ToUserName", to),   F("FromUserName", from), F("MsgType", type),
		F("Event", event),     F("MsgId", msg_id),	F("Content", content),
		F("PicUrl", pic_url),  F("MediaId", media_id),	F("Recognition", recognition),
		F("Encrypt", encrypt), F("Format", format),	F("UnionId", union_id),
#undef F
	};

	(void)atts;
	st->depth++;
	st->field = NULL;
	if (st->depth == 1) {
		if (strcmp(name, "xml") != 0)
			st->bad = 1;
		return;
	}
	if (st->depth != 2)
		return;
	if (strcmp(name, "CreateTime") == 0) {
		st->field = st->num;
		st->size = sizeof(st->num);
		st->num[0] = '\0';
		st->len = 0;
		return;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(name, fields[i].name) == 0) {
			st->field = (char *)m + fields[i].off;
			st->size = fields[i].size;
			st->field[0] = '\0';
			st->len = 0;
			return;
		}
}

static void wx_end(void *ud, const XML_Char *name)
{
	struct wx_parse_state *st = ud;

	(void)name;
	st->depth--;
	st->field = NULL;
}

static void wx_chars(void *ud, const XML_Char *s, int len)
{
	struct wx_parse_state *st = ud;

	if (!st->field || len <= 0)
		return;
	if (st->len + (size_t)len >= st->size) {
		/* Over the field's size: the message is refused rather than cut. */
		st->bad = 1;
		return;
	}
	memcpy(st->field + st->len, s, (size_t)len);
	st->len += (size_t)len;
	st->field[st->len] = '\0';
}

/* No DTD: an entity declaration (a billion laughs) ends the parse. */
static void wx_entity_decl(void *ud, const XML_Char *name, int pe, const XML_Char *value, int vlen,
			   const XML_Char *base, const XML_Char *sys, const XML_Char *pub,
			   const XML_Char *notation)
{
	struct wx_parse_state *st = ud;

	(void)name, (void)pe, (void)value, (void)vlen, (void)base, (void)sys, (void)pub,
		(void)notation;
	st->bad = 1;
	XML_StopParser(st->p, XML_FALSE);
}

int wx_parse(const char *xml, size_t len, struct wx_msg *m)
{
	struct wx_parse_state st = {.m = m};
	XML_Parser p;
	int ok;

	memset(m, 0, sizeof(*m));
	if (!xml || len == 0 || len > WX_BODY_MAX)
		return ERR_INVALID;
	p = XML_ParserCreate("UTF-8");
	if (!p)
		return ERR_NOMEM;
	st.p = p;
	XML_SetUserData(p, &st);
	XML_SetElementHandler(p, wx_start, wx_end);
	XML_SetCharacterDataHandler(p, wx_chars);
	XML_SetEntityDeclHandler(p, wx_entity_decl);
	ok = XML_Parse(p, xml, (int)len, 1) == XML_STATUS_OK;
	XML_ParserFree(p);
	if (!ok || st.bad)
		return ERR_INVALID;
	if (st.num[0]) {
		char *end;

		m->create_time = strtoll(st.num, &end, 10);
		if (*end)
			return ERR_INVALID;
	}
	return 0;
}

void wx_ext_id(const struct wx_msg *m, char *out, size_t size)
{
	if (m->msg_id[0])
		snprintf(out, size, "wx:%s", m->msg_id);
	else
		snprintf(out, size, "wx:%s:%lld:%s", m->from, (long long)m->create_time, m->event);
}

void wx_text(const struct wx_msg *m, char *out, size_t size)
{
	out[0] = '\0';
	if (strcmp(m->type, "text") == 0)
		snprintf(out, size, "%s", m->content);
	else if (strcmp(m->type, "image") == 0)
		snprintf(out, size, "[图片]"); /* the picture follows as the message's file */
	else if (strcmp(m->type, "voice") == 0)
		/* What WeChat recognised is what the agent reads; the recording follows. */
		snprintf(out, size, m->recognition[0] ? "[语音] %s" : "[语音]", m->recognition);
	else if (strcmp(m->type, "event") == 0) {
		/* A follow opens a conversation the agent may greet; other
		 * events (menu clicks, location) are not a customer's words. */
		if (strcmp(m->event, "subscribe") == 0)
			snprintf(out, size, "[关注公众号]");
		else if (strcmp(m->event, "unsubscribe") == 0)
			snprintf(out, size, "[取消关注]");
	} else if (m->type[0])
		snprintf(out, size, "[%s]", m->type);
}
