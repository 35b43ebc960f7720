/* dc-auth-parse-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What a client sends to authenticate (docs/security.md), parsed without trusting it: the
 * Authorization header and the login body. Pure functions, any thread; fuzzed by
 * tests/api/fuzz-auth-parse.c. */

/* The longest token accepted (ours are 43 characters; longer ones are refused unread). */
#define DC_AUTH_MAX_TOKEN 512

/* "Bearer <token>" (scheme case-insensitive, one or more spaces, optional trailing spaces):
 * the token is RFC 6750 token68 characters (A–Z a–z 0–9 - . _ ~ + /, then '=' padding), 1 to
 * DC_AUTH_MAX_TOKEN of them. Returns the token (transfer full) or NULL. */
char     *dc_auth_parse_bearer (const char  *header);

/* A login body: a JSON object with the strings "user" and "password" (other members are
 * ignored). Errors are DC_ERROR_INVALID: "missing field: user", "field password must be a
 * string"; @body NULL (no body): "request body must be a JSON object (the body is empty)". */
gboolean  dc_auth_parse_login  (JsonNode    *body,
                                char       **user,
                                char       **password,
                                GError     **error);

G_END_DECLS
