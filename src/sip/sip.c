/*
 * The SIP thread: libre's event loop, one UDP listener, the guard in front
 * of it, and the dispatch of requests (see sip.h for the whole picture).
 *
 * libre 1.1.0's sip_transp_add() opens the UDP socket itself and keeps it
 * private, so there is no direct way to put the guard in front of its
 * parser. What libre does offer is a UDP helper on a socket, and every
 * request handler is given the socket the request came in on. So at start
 * the thread sends itself one datagram (the self-probe: an OPTIONS whose
 * Call-ID is a random secret); when it arrives, the handler registers the
 * guard as a helper on that socket and drops the probe. Until then (a few
 * microseconds on loopback) the handler applies the same guard itself.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/fds.h"
#include "core/log.h"
#include "sip/sip_server.h"
#include "store/store.h"

#define PURGE_MS (60 * 1000)
#define STOP_ID 1
#define STALL_ID 2
/* The loop's heartbeat: readiness (/healthz, systemd's watchdog) sees the
 * SIP thread stalled after SIP_STALLED_MS (sip.h) without one. */
#define BEAT_MS 250

static struct sip_server server;
static pthread_t thread;
static int running;
static struct tmr beat;
/* Monotonic ms of the last heartbeat; 0 while the thread does not run. */
static _Atomic int64_t last_beat;

/* Start-up handshake between sip_start() and the thread. */
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t start_cond = PTHREAD_COND_INITIALIZER;
static int start_done, start_rc;

void sip_server_source(const struct sa *src, char out[SIP_ADDRESS_MAX])
{
	if (sa_ntop(src, out, SIP_ADDRESS_MAX) != 0)
		snprintf(out, SIP_ADDRESS_MAX, "unknown");
}

void sip_server_source_full(const struct sa *src, char *out, size_t size)
{
	char ip[SIP_ADDRESS_MAX];

	sip_server_source(src, ip);
	if (sa_af(src) == AF_INET6)
		snprintf(out, size, "udp:[%s]:%u", ip, sa_port(src));
	else
		snprintf(out, size, "udp:%s:%u", ip, sa_port(src));
}

void sip_server_audit(struct store *s, const struct audit_actor *who, int64_t now,
		      const char *action, const char *entity, int64_t id, const char *outcome,
		      struct audit_detail *detail)
{
	int rc = store_begin(s);

	if (rc == 0)
		rc = audit_append_detail(s, who, now, action, entity, id, outcome, detail);
	else if (detail)
		audit_detail_release(detail);
	if (rc == 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	if (rc < 0)
		log_error("sip: cannot write the audit entry %s (%s)", action, err_name(rc));
}

/* A ban goes to the log (for fail2ban and people) and the audit log. */
static void note_ban(struct sip_server *srv, struct store *s, const char *address,
		     const char *reason, int64_t now)
{
	const struct audit_actor system = {0, "system", address};
	struct audit_detail detail;
	struct store *own = NULL;

	log_warn("sip: banned %s for %lld s: %s", address,
		 (long long)(sip_guard_default_limits.ban_ms / 1000), reason);
	if (!s) {
		own = store_pool_get(srv->pool);
		s = own;
	}
	audit_detail_init(&detail);
	audit_detail_str(&detail, "address", address);
	audit_detail_str(&detail, "reason", reason);
	audit_detail_int(&detail, "until", now + sip_guard_default_limits.ban_ms);
	sip_server_audit(s, &system, now, "sip.ban", "address", 0, "ok", &detail);
	if (own)
		store_pool_put(srv->pool, own);
}

void sip_server_auth_failed(struct sip_server *srv, struct store *s, const char *address,
			    const char *user, const char *reason, int64_t now)
{
	const struct audit_actor anon = {0, "anonymous", address};
	struct audit_detail detail;

	/* The line fail2ban matches (docs/sip.md); user is already log-safe. */
	log_warn("sip: auth failed from %s user=%s", address, user);
	audit_detail_init(&detail);
	audit_detail_str(&detail, "user", user);
	audit_detail_str(&detail, "reason", reason);
	sip_server_audit(s, &anon, now, "sip.auth", "person", 0, "failed", &detail);
	if (sip_guard_auth_failed(srv->guard, address, now))
		note_ban(srv, s, address, "authentication failures", now);
}

/* STUN (RFC 5389) binding requests are left to libre, which answers them. */
static int looks_like_stun(const struct mbuf *mb)
{
	const uint8_t *p = mbuf_buf(mb);
	size_t n = mbuf_get_left(mb);

	return n >= 20 && (p[0] & 0xc0) == 0 && p[4] == 0x21 && p[5] == 0x12 && p[6] == 0xa4 &&
	       p[7] == 0x42;
}

/*
 * The checks that need a parsed message: 1 to drop it. A reply needs the
 * Via, From, To, Call-ID and CSeq; a Via maddr would send our answer to an
 * address the sender chose (a reflection attack), so such requests are
 * dropped; and scanners are banned on sight.
 */
static int screen(struct sip_server *srv, const struct sip_msg *msg, const char *address,
		  int64_t now)
{
	const struct sip_hdr *ua;
	struct pl maddr;

	if (!msg->req)
		return 0;
	if (!pl_isset(&msg->via.sentby) || !pl_isset(&msg->callid) || !pl_isset(&msg->cseq.met) ||
	    !pl_isset(&msg->from.auri) || !pl_isset(&msg->to.auri))
		return 1;
	if (msg_param_decode(&msg->via.params, "maddr", &maddr) == 0)
		return 1;
	ua = sip_msg_hdr(msg, SIP_HDR_USER_AGENT);
	if (ua && sip_scanner_ua(ua->val.p, ua->val.l)) {
		if (sip_guard_ban(srv->guard, address, now))
			note_ban(srv, NULL, address, "scanner user agent", now);
		return 1;
	}
	return 0;
}

/*
 * A carrier's trunk brings every caller's call from one or two addresses,
 * at many times one phone's rate: sip_trunks are outside the per-address
 * rate limit and bans (the screen of malformed messages and scanners still
 * applies). Only addresses a center names, never a range.
 */
static int is_trunk(const struct sip_server *srv, const char *address)
{
	for (int i = 0; i < srv->ntrunks; i++)
		if (strcmp(srv->trunks[i], address) == 0)
			return 1;
	return 0;
}

int sip_server_is_trunk(const struct sip_server *srv, const struct sa *src)
{
	char address[SIP_ADDRESS_MAX];

	sip_server_source(src, address);
	return is_trunk(srv, address);
}

void sip_server_probe(struct sip_server *srv, const struct sa *src)
{
	char address[SIP_ADDRESS_MAX];
	int64_t now = clock_now_ms();

	sip_server_source(src, address);
	/* A trunk brings every caller's misdialled number; it is never banned. */
	if (!is_trunk(srv, address) && sip_guard_probe(srv->guard, address, now))
		note_ban(srv, NULL, address, "number probing", now);
}

/* The guard's verdict, trunks passing. */
static enum sip_guard_verdict admit(struct sip_server *srv, const char *address, int64_t now)
{
	return is_trunk(srv, address) ? SIP_GUARD_PASS : sip_guard_admit(srv->guard, address, now);
}

/* The guard as a UDP helper: true means the datagram is dropped here. */
static bool guard_recv(struct sa *src, struct mbuf *mb, void *arg)
{
	struct sip_server *srv = arg;
	char address[SIP_ADDRESS_MAX];
	int64_t now = clock_now_ms();
	struct sip_msg *msg = NULL;
	size_t pos = mb->pos;
	int drop;

	sip_server_source(src, address);
	switch (admit(srv, address, now)) {
	case SIP_GUARD_PASS:
		break;
	case SIP_GUARD_BANNED:
		note_ban(srv, NULL, address, "flood", now);
		return true;
	case SIP_GUARD_DROP:
		return true;
	}
	/* CRLF keep-alives (libre ignores them) and STUN go on as they are. */
	if (mbuf_get_left(mb) <= 4 || looks_like_stun(mb))
		return false;
	/* What libre cannot parse is dropped here, quietly: libre would print
	 * a line for each, and a flood of garbage must not flood the log. */
	if (sip_msg_decode(&msg, mb) != 0) {
		mb->pos = pos;
		return true;
	}
	mb->pos = pos;
	drop = screen(srv, msg, address, now);
	mem_deref(msg);
	return drop;
}

static void reply_options(struct sip_server *srv, const struct sip_msg *msg)
{
	(void)sip_replyf(srv->sip, msg, 200, "OK",
			 "Allow: REGISTER, OPTIONS, INVITE, ACK, CANCEL, BYE, INFO, REFER\r\n"
			 "Accept: application/sdp\r\n"
			 "Content-Length: 0\r\n\r\n");
}

static bool on_request(const struct sip_msg *msg, void *arg)
{
	struct sip_server *srv = arg;

	if (!srv->uh && pl_strcmp(&msg->callid, srv->probe) == 0) {
		int rc = udp_register_helper(&srv->uh, msg->sock, 0, NULL, guard_recv, srv);

		if (rc)
			log_error("sip: cannot put the guard in front of the parser (%s)",
				  strerror(rc));
		return true;
	}
	if (!srv->uh) {
		/* Before the probe arrived: the same guard, applied here. */
		char address[SIP_ADDRESS_MAX];
		int64_t now = clock_now_ms();
		enum sip_guard_verdict v;

		sip_server_source(&msg->src, address);
		v = admit(srv, address, now);
		if (v == SIP_GUARD_BANNED)
			note_ban(srv, NULL, address, "flood", now);
		if (v != SIP_GUARD_PASS || screen(srv, msg, address, now))
			return true;
	}
	/* Calls and their dialogs belong to libre's sipsess (set up by the
	 * call engine, src/call), whose handler comes after this one: INVITE
	 * (new or re-INVITE), the ACK of a 200, BYE, INFO and REFER (an
	 * agent's transfer). What matches no dialog it answers 481. */
	if (pl_strcmp(&msg->met, "INVITE") == 0 || pl_strcmp(&msg->met, "ACK") == 0 ||
	    pl_strcmp(&msg->met, "BYE") == 0 || pl_strcmp(&msg->met, "INFO") == 0 ||
	    pl_strcmp(&msg->met, "REFER") == 0)
		return false;
	if (pl_strcmp(&msg->met, "REGISTER") == 0)
		sip_reg_request(srv, msg);
	else if (pl_strcmp(&msg->met, "OPTIONS") == 0)
		reply_options(srv, msg);
	else if (pl_strcmp(&msg->met, "CANCEL") == 0)
		/* libre answers a CANCEL that matches a transaction; this one does not. */
		(void)sip_reply(srv->sip, msg, 481, "Call/Transaction Does Not Exist");
	else
		(void)sip_reply(srv->sip, msg, 501, "Not Implemented");
	return true;
}

/* Responses that match no transaction of ours end here, without a word
 * (libre would print one for each). */
static bool on_response(const struct sip_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return true;
}

static void on_stop(int id, void *data, void *arg)
{
	(void)arg;
	if (id == STOP_ID)
		re_cancel();
	/* The test hook (sip_test_stall): the loop stops turning, as if a
	 * handler were stuck. */
	if (id == STALL_ID)
		usleep((useconds_t)(intptr_t)data * 1000);
}

static void heartbeat(void *arg)
{
	(void)arg;
	atomic_store(&last_beat, clock_mono_ns() / 1000000);
	tmr_start(&beat, BEAT_MS, heartbeat, NULL);
}

int64_t sip_idle_ms(void)
{
	int64_t last = atomic_load(&last_beat);

	return last ? clock_mono_ns() / 1000000 - last : -1;
}

int sip_test_stall(int ms)
{
	if (!running || ms < 0 || ms > 60000)
		return ERR_INVALID;
	return mqueue_push(server.mq, STALL_ID, (void *)(intptr_t)ms) ? ERR_IO : 0;
}

static void purge(void *arg)
{
	struct sip_server *srv = arg;
	struct store *s = store_pool_get(srv->pool);
	int rc = store_begin(s);

	if (rc == 0)
		rc = sip_binding_purge(s, clock_now_ms());
	if (rc >= 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	if (rc < 0)
		log_warn("sip: purging expired registrations failed (%s)", err_name(rc));
	store_pool_put(srv->pool, s);
	tmr_start(&srv->purge, PURGE_MS, purge, srv);
}

/* Sends the self-probe (see the top of this file) to the listener. */
static int send_probe(struct sip_server *srv, const struct sa *laddr)
{
	struct sa to = *laddr;
	char text[512], host[SIP_ADDRESS_MAX];
	int fd, n, rc = 0;
	unsigned char secret[16];

	randombytes_buf(secret, sizeof(secret));
	for (size_t i = 0; i < sizeof(secret); i++)
		snprintf(srv->probe + 2 * i, 3, "%02x", secret[i]);
	if (sa_is_any(&to)) {
		if (sa_af(&to) == AF_INET6)
			sa_set_str(&to, "::1", sa_port(laddr));
		else
			sa_set_str(&to, "127.0.0.1", sa_port(laddr));
	}
	sip_server_source(&to, host);
	n = snprintf(text, sizeof(text),
		     "OPTIONS sip:probe@%s%s%s SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP kefu.invalid;branch=z9hG4bK%s\r\n"
		     "From: <sip:probe@kefu.invalid>;tag=1\r\n"
		     "To: <sip:probe@kefu.invalid>\r\n"
		     "Call-ID: %s\r\n"
		     "CSeq: 1 OPTIONS\r\n"
		     "Content-Length: 0\r\n\r\n",
		     sa_af(&to) == AF_INET6 ? "[" : "", host, sa_af(&to) == AF_INET6 ? "]" : "",
		     srv->probe, srv->probe);
	fd = socket(sa_af(&to), SOCK_DGRAM, 0);
	if (fd < 0)
		return ERR_IO;
	if (sendto(fd, text, (size_t)n, 0, &to.u.sa, to.len) != n)
		rc = ERR_IO;
	close(fd);
	return rc;
}

/*
 * Room for calls_max calls of two RTP sockets each. libre 1.1.0 watches
 * only descriptors below its maxfds, FD_SETSIZE (1024) unless told before
 * its first socket, and descriptor numbers are the process's, shared with
 * HTTP (up to http_max_connections) and the database: without this,
 * calls beyond about 480 would fail to open their sockets (500). The
 * open-file limit is raised towards the need as far as the hard limit
 * allows.
 */
static void fds_reserve(const struct config *cfg)
{
	unsigned long want = (unsigned long)cfg->calls_max * 2 +
			     (unsigned long)cfg->http_max_connections + FDS_BESIDES,
		      got = fds_raise(want);
	int maxfds;

	if (got == 0)
		return;
	if (got < want)
		log_warn("sip: calls_max %d (with http_max_connections %d) needs %lu open files, "
			 "the limit is %lu: raise it (ulimit -n, LimitNOFILE)",
			 cfg->calls_max, cfg->http_max_connections, want, got);
	maxfds = (int)(got < want ? got : want);
	if (maxfds > FD_SETSIZE && fd_setsize(maxfds) != 0)
		log_warn("sip: cannot watch %d descriptors", maxfds);
}

static int setup(struct sip_server *srv)
{
	struct sa laddr;
	char ip[SIP_ADDRESS_MAX], password[33];
	unsigned char secret[16];
	int rc;

	rc = libre_init();
	if (rc == 0)
		rc = re_thread_init();
	if (rc) {
		log_error("sip: cannot start libre (%s)", strerror(rc));
		return ERR_IO;
	}
	fds_reserve(srv->cfg);
	if (sa_decode(&laddr, srv->cfg->sip_listen, strlen(srv->cfg->sip_listen)) != 0) {
		log_error("sip: sip_listen must be IP:port, not '%s'", srv->cfg->sip_listen);
		return ERR_INVALID;
	}
	/* No software name: a Server header would only tell scanners what we run. */
	rc = sip_alloc(&srv->sip, NULL, 32, 32, 32, NULL, NULL, NULL);
	if (rc == 0)
		rc = sip_transp_add(srv->sip, SIP_TRANSP_UDP, &laddr);
	if (rc) {
		log_error("sip: cannot listen on udp:%s (%s)", srv->cfg->sip_listen, strerror(rc));
		return ERR_IO;
	}
	rc = sip_transp_laddr(srv->sip, &laddr, SIP_TRANSP_UDP, &laddr);
	if (rc == 0)
		rc = sip_listen(NULL, srv->sip, true, on_request, srv);
	if (rc == 0)
		rc = sip_listen(NULL, srv->sip, false, on_response, srv);
	if (rc == 0)
		rc = mqueue_alloc(&srv->mq, on_stop, srv);
	srv->laddr = laddr;
	if (rc == 0 && srv->calls)
		rc = srv->calls->start(srv) < 0 ? EIO : 0;
	if (rc) {
		log_error("sip: cannot start (%s)", strerror(rc));
		return ERR_IO;
	}
	srv->ntrunks = config_addresses(srv->cfg->sip_trunks, srv->trunks, CONFIG_ADDRESSES_MAX);
	if (srv->ntrunks < 0)
		srv->ntrunks = 0; /* config_validate refused it already */
	rc = sip_guard_new(&srv->guard, &sip_guard_default_limits);
	if (rc < 0)
		return rc;
	sip_nonce_key_init(srv->nonce_key);
	/* Unknown users are checked against the HA1 of a random password, so
	 * they cost what known users cost. */
	randombytes_buf(secret, sizeof(secret));
	for (size_t i = 0; i < sizeof(secret); i++)
		snprintf(password + 2 * i, 3, "%02x", secret[i]);
	sip_ha1("-", srv->cfg->sip_realm, password, srv->dummy_ha1);
	sip_server_source(&laddr, ip);
	if (sa_af(&laddr) == AF_INET6)
		snprintf(srv->bound, sizeof(srv->bound), "[%s]:%u", ip, sa_port(&laddr));
	else
		snprintf(srv->bound, sizeof(srv->bound), "%s:%u", ip, sa_port(&laddr));
	if (send_probe(srv, &laddr) < 0)
		log_warn("sip: self-probe not sent (%s); the guard runs after the parser",
			 strerror(errno));
	tmr_init(&srv->purge);
	tmr_start(&srv->purge, PURGE_MS, purge, srv);
	tmr_init(&beat);
	heartbeat(NULL);
	return 0;
}

static void teardown(struct sip_server *srv)
{
	atomic_store(&last_beat, 0);
	tmr_cancel(&beat);
	tmr_cancel(&srv->purge);
	if (srv->calls)
		srv->calls->stop();
	/* The helper first: the socket it sits on goes with the SIP stack. */
	srv->uh = mem_deref(srv->uh);
	if (srv->sip) {
		sip_close(srv->sip, true);
		srv->sip = mem_deref(srv->sip);
	}
	srv->mq = mem_deref(srv->mq);
	sip_guard_free(srv->guard);
	srv->guard = NULL;
	re_thread_close();
	libre_close();
}

static void *sip_thread(void *arg)
{
	struct sip_server *srv = arg;
	int rc = setup(srv);

	pthread_mutex_lock(&start_lock);
	start_rc = rc;
	start_done = 1;
	pthread_cond_signal(&start_cond);
	pthread_mutex_unlock(&start_lock);
	if (rc == 0) {
		rc = re_main(NULL);
		if (rc)
			log_error("sip: event loop ended (%s)", strerror(rc));
	}
	teardown(srv);
	return NULL;
}

/* The realm goes into a quoted header parameter: nothing that could end it. */
static int realm_ok(const char *realm)
{
	if (!realm[0])
		return 0;
	for (const char *p = realm; *p; p++)
		if (*p < ' ' || *p > '~' || *p == '"' || *p == '\\')
			return 0;
	return 1;
}

int sip_start(const struct config *cfg, struct store_pool *pool, const struct sip_calls *calls,
	      char *bound, size_t size)
{
	int rc;

	if (running)
		return ERR_CONFLICT;
	if (!realm_ok(cfg->sip_realm)) {
		log_error("sip: sip_realm must be printable ASCII without quotes or backslashes");
		return ERR_INVALID;
	}
	memset(&server, 0, sizeof(server));
	server.cfg = cfg;
	server.pool = pool;
	server.calls = calls;
	start_done = 0;
	rc = pthread_create(&thread, NULL, sip_thread, &server);
	if (rc) {
		log_error("sip: cannot start its thread (%s)", strerror(rc));
		return ERR_IO;
	}
	pthread_mutex_lock(&start_lock);
	while (!start_done)
		pthread_cond_wait(&start_cond, &start_lock);
	rc = start_rc;
	pthread_mutex_unlock(&start_lock);
	if (rc < 0) {
		pthread_join(thread, NULL);
		return rc;
	}
	running = 1;
	snprintf(bound, size, "%s", server.bound);
	log_info("sip: listening on udp:%s (realm %s)", server.bound, cfg->sip_realm);
	return 0;
}

void sip_stop(void)
{
	int rc;

	if (!running)
		return;
	rc = mqueue_push(server.mq, STOP_ID, NULL);
	if (rc)
		log_error("sip: cannot stop the SIP thread (%s)", strerror(rc));
	else
		pthread_join(thread, NULL);
	running = 0;
	log_info("sip: stopped");
}
