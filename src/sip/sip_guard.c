/*
 * The guard: per-address rate limits and temporary bans, and the list of
 * scanners' user agents. No I/O; the SIP thread alone calls it, so it
 * needs no lock.
 *
 * SIP over UDP is scanned and brute-forced from the first hour a server is
 * on the internet. The token bucket keeps one address from using more
 * than its share of the SIP thread; an address that keeps pushing past it,
 * or keeps failing authentication, or announces itself as a scanner, is
 * or keeps dialling numbers that are not the hotline (enumerating the
 * agents' work numbers), is
 * banned and from then on gets no answer: silence gives a scanner nothing
 * to learn and costs us least. Bans are short (minutes), because a flood
 * from a spoofed source address could get an innocent address banned;
 * fail2ban, reading the log, can ban for longer at the firewall.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "sip/sip.h"

const struct sip_guard_limits sip_guard_default_limits = {
	.rate_per_sec = 20,
	.burst = 40,
	.flood_drops = 100,
	.auth_fails = 10,
	.window_ms = 60 * 1000,
	.ban_ms = 10 * 60 * 1000,
	.probes = 10,
};

/* Tokens are counted in thousandths, so refills need no floating point. */
#define MILLI 1000

struct slot {
	char address[SIP_ADDRESS_MAX]; /* "" when free */
	int64_t last;		       /* last datagram, for the bucket and eviction */
	int64_t tokens;		       /* thousandths of a request */
	int64_t drops_since;	       /* start of the window drops are counted in */
	int drops;
	int64_t fails_since;
	int fails;
	int64_t probes_since;
	int probes;
	int64_t banned_until; /* 0: not banned */
};

struct sip_guard {
	struct sip_guard_limits l;
	struct slot slots[SIP_GUARD_SLOTS];
};

int sip_guard_new(struct sip_guard **out, const struct sip_guard_limits *limits)
{
	struct sip_guard *g = calloc(1, sizeof(*g));

	*out = NULL;
	if (!g)
		return ERR_NOMEM;
	g->l = *limits;
	*out = g;
	return 0;
}

void sip_guard_free(struct sip_guard *g)
{
	free(g);
}

/* FNV-1a: spreads addresses over the sets; the table is bounded whatever
 * the hash, so an attacker who aims at one set only evicts within it. */
static unsigned set_of(const char *address)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)address; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h % (SIP_GUARD_SLOTS / SIP_GUARD_WAYS);
}

static void slot_reset(struct sip_guard *g, struct slot *s, const char *address, int64_t now)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->address, sizeof(s->address), "%s", address);
	s->last = now;
	s->tokens = (int64_t)g->l.burst * MILLI;
}

/*
 * The slot of an address, made when missing. When the set is full the
 * one that matters least gives way: a free slot, else the longest idle
 * one that is not banned, else the ban that ends first.
 */
static struct slot *slot_get(struct sip_guard *g, const char *address, int64_t now)
{
	struct slot *set = &g->slots[set_of(address) * SIP_GUARD_WAYS], *victim = NULL;

	for (int i = 0; i < SIP_GUARD_WAYS; i++)
		if (set[i].address[0] && strcmp(set[i].address, address) == 0)
			return &set[i];
	for (int i = 0; i < SIP_GUARD_WAYS && !victim; i++)
		if (!set[i].address[0])
			victim = &set[i];
	for (int i = 0; i < SIP_GUARD_WAYS && !victim; i++) {
		struct slot *s = &set[i];

		if (s->banned_until > now)
			continue;
		if (!victim || s->last < victim->last)
			victim = s;
	}
	for (int i = 0; i < SIP_GUARD_WAYS && !victim; i++)
		if (!victim || set[i].banned_until < victim->banned_until)
			victim = &set[i];
	slot_reset(g, victim, address, now);
	return victim;
}

static int banned(struct sip_guard *g, struct slot *s, int64_t now)
{
	if (s->banned_until == 0)
		return 0;
	if (s->banned_until > now)
		return 1;
	/* The ban is over: the address starts again with a clean record. */
	{
		char address[SIP_ADDRESS_MAX];

		memcpy(address, s->address, sizeof(address));
		slot_reset(g, s, address, now);
	}
	return 0;
}

static void ban(struct sip_guard *g, struct slot *s, int64_t now)
{
	s->banned_until = now + g->l.ban_ms;
	s->drops = s->fails = s->probes = 0;
}

enum sip_guard_verdict sip_guard_admit(struct sip_guard *g, const char *address, int64_t now)
{
	struct slot *s = slot_get(g, address, now);
	int64_t elapsed;

	if (banned(g, s, now))
		return SIP_GUARD_DROP;
	elapsed = now - s->last;
	if (elapsed > 0) {
		int64_t cap = (int64_t)g->l.burst * MILLI;

		/* elapsed ms × rate per s = thousandths of a request; a pause
		 * longer than cap ms fills the bucket whatever the rate. */
		if (elapsed >= cap)
			s->tokens = cap;
		else
			s->tokens += elapsed * g->l.rate_per_sec;
		if (s->tokens > cap)
			s->tokens = cap;
		s->last = now;
	}
	if (s->tokens >= MILLI) {
		s->tokens -= MILLI;
		return SIP_GUARD_PASS;
	}
	if (s->drops == 0 || now - s->drops_since > g->l.window_ms) {
		s->drops_since = now;
		s->drops = 0;
	}
	if (++s->drops >= g->l.flood_drops) {
		ban(g, s, now);
		return SIP_GUARD_BANNED;
	}
	return SIP_GUARD_DROP;
}

/* Counts one more event of a kind (failures, probes) in its window; 1
 * when that makes limit within window_ms and bans the address. */
static int count_toward_ban(struct sip_guard *g, const char *address, int64_t now, int kind)
{
	struct slot *s = slot_get(g, address, now);
	int64_t *since = kind ? &s->probes_since : &s->fails_since;
	int *n = kind ? &s->probes : &s->fails;
	int limit = kind ? g->l.probes : g->l.auth_fails;

	if (banned(g, s, now))
		return 0;
	if (*n == 0 || now - *since > g->l.window_ms) {
		*since = now;
		*n = 0;
	}
	if (++*n >= limit) {
		ban(g, s, now);
		return 1;
	}
	return 0;
}

int sip_guard_auth_failed(struct sip_guard *g, const char *address, int64_t now)
{
	return count_toward_ban(g, address, now, 0);
}

int sip_guard_probe(struct sip_guard *g, const char *address, int64_t now)
{
	return count_toward_ban(g, address, now, 1);
}

int sip_guard_ban(struct sip_guard *g, const char *address, int64_t now)
{
	struct slot *s = slot_get(g, address, now);

	if (banned(g, s, now))
		return 0;
	ban(g, s, now);
	return 1;
}

int sip_guard_is_banned(struct sip_guard *g, const char *address, int64_t now)
{
	struct slot *set = &g->slots[set_of(address) * SIP_GUARD_WAYS];

	for (int i = 0; i < SIP_GUARD_WAYS; i++)
		if (set[i].address[0] && strcmp(set[i].address, address) == 0)
			return set[i].banned_until > now;
	return 0;
}

/*
 * User agents that only scanners and brute-forcers send: SIPVicious
 * (friendly-scanner, sipvicious), sipcli, sip-scan, VaxSIPUserAgent,
 * sundayddr, iWar, SIVuS, smap, pplsip, siparmyknife. Matched as a
 * case-insensitive substring. Real phones never send these; scanners that
 * fake a phone's name get through here and meet digest auth, the failure
 * count and the rate limit instead.
 */
static const char *const scanners[] = {
	"friendly-scanner", "sipvicious",   "sipcli", "sip-scan", "sipscan",
	"vaxsipuseragent",  "sundayddr",    "iwar",   "sivus",	  "smap",
	"pplsip",	    "siparmyknife", NULL,
};

int sip_scanner_ua(const char *ua, size_t len)
{
	for (int i = 0; scanners[i]; i++) {
		size_t n = strlen(scanners[i]);

		for (size_t at = 0; n <= len && at <= len - n; at++)
			if (strncasecmp(ua + at, scanners[i], n) == 0)
				return 1;
	}
	return 0;
}
