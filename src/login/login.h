/*
 * login — logging in and out, and one's own account: POST /api/login,
 * POST /api/logout, GET /api/me, POST /api/me/password (login_api.c).
 *
 * Sessions, tokens, password hashing and throttling are auth's (src/auth/,
 * below the HTTP server, which needs them for every request); these
 * endpoints are HTTP handlers, so they cannot live in auth. They need the
 * person (org: credentials, the person as the API shows it) and tell an
 * account's owner when someone is guessing its password (notify), so they
 * are a small domain of their own just above org and notify. A logout
 * ends the session with auth_session_end; what that does to the agent's
 * seat (ORG-3) is acd's, reached through the hook the program registers
 * with auth at start-up, so login does not include acd.
 */
#ifndef KEFU_LOGIN_LOGIN_H
#define KEFU_LOGIN_LOGIN_H

#include "http/http.h"

/* The module's routes (login_api.c), ended by a route with method NULL. */
extern const struct route login_routes[];

#endif
