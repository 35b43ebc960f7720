/* dc-server.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "dc-store.h"
#include "dc-users.h"

G_BEGIN_DECLS

/* The REST server: a SoupServer, a route table and the general rules of docs/rest.md
 * (404/405 with Allow, 413 over 8 MiB, the token rule, JSON in and out, plain-text errors).
 *
 * Routes are (method, path template) pairs such as ("GET", "/api/v1/devices/{device_id}").
 * Literal segments win over parameters when two templates match a path. Path parameters are
 * percent-decoded UTF-8. Every area adds its routes with dc_server_add_route(); GET / lists
 * them all.
 *
 * A handler answers with one of the dc_server_reply_*() functions, or pauses the message
 * (soup_server_message_pause()), keeps references to what it needs (@params and @body
 * belong to the router and are released when the handler returns: ref them, or copy), and
 * answers and unpauses later on the main context. */
#define DC_TYPE_SERVER (dc_server_get_type ())

G_DECLARE_FINAL_TYPE (DcServer, dc_server, DC, SERVER, GObject)

/* Request bodies above this size are refused with 413 "request body too large!". */
#define DC_SERVER_MAX_BODY (8 * 1024 * 1024)

/* @params: path parameter name (without braces) → decoded value, never NULL.
 * @body: the parsed JSON body, or NULL when the request has no body (or is a GET). */
typedef void (*DcRouteHandler) (DcServer          *server,
                                SoupServerMessage *msg,
                                GHashTable        *params,
                                JsonNode          *body,
                                gpointer           user_data);

/* One row of the route table, as listed by GET /. */
typedef struct
{
  char *method;
  char *path_template;
} DcRouteInfo;

void         dc_route_info_free           (DcRouteInfo *info);

/* The "status" of a device for GET /api/v1/devices/{device_id}: "on" or "off". The engine
 * installs this; without it every device is "off". */
typedef const char *(*DcDeviceStatusFunc) (const char *device_id,
                                           gpointer    user_data);

/* @store may be NULL for a server without configuration routes (tests, benchmarks). */
DcServer    *dc_server_new                (DcStore             *store);
DcStore     *dc_server_get_store          (DcServer            *self);
SoupServer  *dc_server_get_soup_server    (DcServer            *self);

/* Authentication (docs/security.md): with a @token (the --token-file one, acting as admin
 * named "token"), with @users of whom at least one exists, or listening beyond loopback, every
 * route but GET / and POST /api/v1/login needs `Authorization: Bearer <token>` (the stream also
 * takes ?token=): 401 "authentication required!" with WWW-Authenticate: Bearer, or 403
 * "permission denied: <role> cannot <action>" when the route's role (dc-route-access.c) is
 * above the user's. Otherwise (loopback, no user, no token) the server is open. The handlers
 * see the actor as the message's data "dc-auth-user" and "dc-auth-role" (strings; unset when
 * open). */
void         dc_server_set_token          (DcServer            *self,
                                           const char          *token);
void         dc_server_set_users          (DcServer            *self,
                                           DcUsers             *users);
DcUsers     *dc_server_get_users          (DcServer            *self);
/* Whether a request needs a token now. */
gboolean     dc_server_get_auth_required  (DcServer            *self);
/* Serves HTTPS (and WSS) only, with the certificate and key of these PEM files; call before
 * dc_server_listen(). Errors: DC_ERROR_INVALID "cannot load the TLS certificate <file>: …". */
gboolean     dc_server_set_tls_files      (DcServer            *self,
                                           const char          *cert_file,
                                           const char          *key_file,
                                           GError             **error);
gboolean     dc_server_is_https           (DcServer            *self);
/* Reads a token file: its first line without surrounding whitespace; an empty token is an
 * error. */
char        *dc_server_read_token_file    (const char          *path,
                                           GError             **error);

/* Listens on @bind (an IPv4/IPv6 literal or "localhost") and @port (0 = a free port).
 * Errors: G_IO_ERROR_ADDRESS_IN_USE "port <n> is in use"; a non-loopback @bind without a
 * user or token gives DC_ERROR_FORBIDDEN "refusing to listen on <addr> without users or a
 * token file". */
gboolean     dc_server_listen             (DcServer            *self,
                                           const char          *bind,
                                           guint                port,
                                           GError             **error);
/* The port actually bound (useful with port 0), or 0 before dc_server_listen(). */
guint        dc_server_get_port           (DcServer            *self);
/* "http://127.0.0.1:<port>" (https with TLS; IPv6 in brackets). */
char        *dc_server_get_base_uri       (DcServer            *self);
void         dc_server_disconnect         (DcServer            *self);
/* Debug-log one line per request (off by default: it costs at high request rates). */
void         dc_server_set_log_requests   (DcServer            *self,
                                           gboolean             log_requests);

void         dc_server_add_route          (DcServer            *self,
                                           const char          *method,
                                           const char          *path_template,
                                           DcRouteHandler       handler,
                                           gpointer             user_data);
/* The route table in the order of GET / (GET, POST, PUT, DELETE; each sorted by template):
 * a GPtrArray of DcRouteInfo. */
GPtrArray   *dc_server_get_routes         (DcServer            *self);

void         dc_server_set_device_status_func (DcServer          *self,
                                               DcDeviceStatusFunc func,
                                               gpointer           user_data,
                                               GDestroyNotify     destroy);
const char  *dc_server_get_device_status  (DcServer            *self,
                                           const char          *device_id);

/* The acting user of a request (docs/rest.md): the authenticated user when there is one, else
 * the body's "user" string if present, else "rest@<peer address>". */
char        *dc_server_message_get_user   (SoupServerMessage   *msg,
                                           JsonNode            *body);

/* Who sends @msg, for the audit log (docs/security.md, "Who acts"): the user and role the
 * authentication put on the message (object data "dc-auth-user", "dc-auth-role"), else user
 * "local" with no role (open mode); the source is the peer "address:port". The server makes
 * it the current actor (dc_audit_actor_push) while a handler runs. */
DcAuditActor *dc_server_message_get_actor (SoupServerMessage  *msg);

/* Replies. JSON: application/json; charset=utf-8, UTF-8, no NaN (see dc-json.h). */
void         dc_server_reply_json         (SoupServerMessage   *msg,
                                           guint                status,
                                           JsonNode            *node);
/* Takes ownership of @json (already serialised). */
void         dc_server_reply_json_take    (SoupServerMessage   *msg,
                                           guint                status,
                                           char                *json,
                                           gsize                length);
/* Appends @json (serialised JSON, not copied) and then a copy of @suffix (may be NULL). */
void         dc_server_reply_json_bytes   (SoupServerMessage   *msg,
                                           guint                status,
                                           GBytes              *json,
                                           const char          *suffix);
/* text/plain; charset=utf-8, the text as is (no newline added). */
void         dc_server_reply_text         (SoupServerMessage   *msg,
                                           guint                status,
                                           const char          *text);
/* 200 with an empty body (success without payload, compat). */
void         dc_server_reply_empty        (SoupServerMessage   *msg);
/* The status of dc_error_http_status() and the error's message as the plain-text body. */
void         dc_server_reply_error        (SoupServerMessage   *msg,
                                           const GError        *error);
/* The end of a change without payload: dc_server_reply_empty() when @ok, else
 * dc_server_reply_error() with @error. */
void         dc_server_reply_done         (SoupServerMessage   *msg,
                                           gboolean             ok,
                                           const GError        *error);
/* Adds a `Warning: 299 - "<text>"` header (RFC 7234; docs/rest.md "Unknown fields") to the
 * answer; '"' and '\' are escaped, bytes outside printable ASCII and '%' written as %XX. */
void         dc_server_add_warning        (SoupServerMessage   *msg,
                                           const char          *text);
/* An array of strings, e.g. a list of ids. */
void         dc_server_reply_string_array (SoupServerMessage   *msg,
                                           GPtrArray           *strings);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcRouteInfo, dc_route_info_free)

G_END_DECLS
