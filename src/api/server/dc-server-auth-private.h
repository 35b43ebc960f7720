/* dc-server-auth-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <libsoup/soup.h>

#include "dc-route-access-private.h"
#include "dc-users.h"

G_BEGIN_DECLS

/* Who is asking (docs/security.md, "When authentication is required"): the one place where a
 * request's token is read and its role checked against the route's row of the access table.
 * DcServer owns one and calls dc_server_auth_check() for every request before its body is
 * read (the WebSocket stream included). Main thread. */
typedef struct _DcServerAuth DcServerAuth;

DcServerAuth *dc_server_auth_new          (void);
void          dc_server_auth_free         (DcServerAuth        *self);
/* The --token-file token (NULL: none): admin, named "token". */
void          dc_server_auth_set_token    (DcServerAuth        *self,
                                           const char          *token);
gboolean      dc_server_auth_has_token    (DcServerAuth        *self);
void          dc_server_auth_set_users    (DcServerAuth        *self,
                                           DcUsers             *users);
DcUsers      *dc_server_auth_get_users    (DcServerAuth        *self);
/* The server listens beyond loopback: authentication is always required. */
void          dc_server_auth_set_exposed  (DcServerAuth        *self,
                                           gboolean             exposed);
/* Whether a request must now carry a token: a user exists, a token file is set, or the
 * server listens beyond loopback. */
gboolean      dc_server_auth_required     (DcServerAuth        *self);
/* Checks @msg against @access: answers 401 "authentication required!" (with
 * WWW-Authenticate: Bearer) or 403 "permission denied: <role> cannot <action>" and returns
 * FALSE, or sets the message's "dc-auth-user" and "dc-auth-role" and returns TRUE. In open
 * mode (dc_server_auth_required() FALSE) every request passes and nothing is set. */
gboolean      dc_server_auth_check        (DcServerAuth        *self,
                                           SoupServerMessage   *msg,
                                           const DcRouteAccess *access);

G_END_DECLS
