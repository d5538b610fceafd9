/*
 * conns — the HTTP server's guard against connection exhaustion (issue 12,
 * item 17), private to src/http/.
 *
 * libmicrohttpd's own limits cannot tell a slow client from a busy one:
 * its timeout is reset by every byte, so a client sending a header byte a
 * second holds its connection forever, and a few thousand of those fill
 * the server. This keeps, per connection, whether it is waiting for a
 * request (its headers or body still arriving, or idle between keep-alive
 * requests) and since when:
 *
 * - a connection that has not delivered a whole request within
 *   http_request_timeout_sec is closed (a thread looks every second);
 * - at most http_max_pending connections wait at once: one more closes
 *   the one waiting longest, so new clients always find room and a flood
 *   of half-open connections never touches an established event stream
 *   or a request being served;
 * - one client address holds at most http_max_per_address connections.
 *   Behind a reverse proxy listed in trusted_proxies, the client is the
 *   one X-Forwarded-For names, and it is counted per request instead
 *   (a proxy reuses its connections for many clients).
 *
 * A connection is closed with shutdown(): libmicrohttpd then reads the
 * end of the stream and cleans it up as usual. The descriptor is shut
 * down only under the lock that its removal (at close) also takes, so it
 * is never one that was closed and reused.
 */
#ifndef KEFU_HTTP_CONNS_H
#define KEFU_HTTP_CONNS_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct conn;

int conns_start(const struct config *cfg);
void conns_stop(void);

/* A new connection from peer on fd; NULL when out of memory. */
struct conn *conns_open(int fd, const char *peer);
void conns_close(struct conn *c);
/* A whole request arrived (it is being answered, or streams). */
void conns_request_received(struct conn *c);
/* The answer went out: the connection waits for the next request again. */
void conns_request_done(struct conn *c);

/* Whether the connection's peer is a trusted proxy. */
int conns_from_proxy(const struct conn *c);
/* Whether addr is one of trusted_proxies. */
int conns_trusted(const char *addr);
/*
 * Counts one proxied request of client; 0, or ERR_THROTTLED when client
 * is over http_max_per_address (it is counted all the same: give it back
 * with conns_client_release).
 */
int conns_client_take(const char *client);
void conns_client_release(const char *client);

#endif
