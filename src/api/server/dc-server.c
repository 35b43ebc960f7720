/* dc-server.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-server"

#include "config.h"

#include "dc-server.h"

#include <string.h>

#include "dc-error.h"
#include "dc-json.h"
#include "dc-router-private.h"
#include "dc-server-auth-private.h"
#include "dc-server-connections-private.h"

/* The server object and the request rules of docs/rest.md around the route table
 * (dc-router.c): 400 for a bad path, 404, 405 with Allow, authentication and the route's role
 * (dc-server-auth.c, docs/security.md), 413 over 8 MiB (checked before the body is read), the
 * JSON body, GET /; listening (HTTP or HTTPS) and the token file.
 * What handlers do with a message (replies) is in dc-server-message.c. */

/* What came of a request body, counted as it comes (got-chunk). */
typedef struct
{
  gsize received;  /* bytes of the body so far */
  gsize discard;   /* refused: close once this much is received; 0: not refused */
} BodyCount;

struct _DcServer
{
  GObject             parent_instance;

  SoupServer         *soup;
  DcServerConnections *connections;
  DcStore            *store;
  DcRouter           *router;
  DcServerAuth       *auth;
  gboolean            https;
  guint               port;
  GInetAddress       *bind_address;
  gboolean            log_requests;

  DcDeviceStatusFunc  status_func;
  gpointer            status_data;
  GDestroyNotify      status_destroy;
};

G_DEFINE_FINAL_TYPE (DcServer, dc_server, G_TYPE_OBJECT)

static GQuark match_quark;
static GQuark body_quark;

static gboolean
method_changes_state (const char *method)
{
  return !g_str_equal (method, "GET") && !g_str_equal (method, "HEAD");
}

/* Applies the access and size rules that need only the headers. Returns FALSE when the
 * message has been answered. */
static gboolean
dc_server_check_headers (DcServer          *self,
                         SoupServerMessage *msg,
                         DcRouteMatch      *match)
{
  const char *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  goffset content_length;

  if (match->bad_path)
    {
      dc_server_reply_text (msg, 400, "invalid percent-encoding in path (must be UTF-8)");
      return FALSE;
    }

  if (match->entry == NULL)
    {
      /* libsoup takes raw bytes in a path too: the answer stays UTF-8 text. */
      g_autofree char *path =
        g_utf8_make_valid (g_uri_get_path (soup_server_message_get_uri (msg)), -1);
      g_autofree char *text = g_strdup_printf ("unknown path %s", path);

      dc_server_reply_text (msg, 404, text);
      return FALSE;
    }

  if (match->method == NULL)
    {
      g_autofree char *allow = dc_route_entry_allow_header (match->entry);
      /* The same for a method. */
      g_autofree char *method_text = g_utf8_make_valid (method, -1);
      g_autofree char *text = g_strdup_printf ("method %s not allowed for %s (allowed: %s)",
                                               method_text,
                                               dc_route_entry_get_template (match->entry),
                                               allow);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", allow);
      dc_server_reply_text (msg, 405, text);
      return FALSE;
    }

  /* Authentication and the route's role, before the body is read (docs/security.md). */
  if (!dc_server_auth_check (self->auth, msg, match->method->access))
    return FALSE;

  content_length = soup_message_headers_get_content_length (headers);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      content_length > DC_SERVER_MAX_BODY)
    {
      dc_server_reply_text (msg, 413, "request body too large!");
      return FALSE;
    }

  return TRUE;
}

static BodyCount *
body_count (SoupServerMessage *msg)
{
  BodyCount *count = g_object_get_qdata (G_OBJECT (msg), body_quark);

  if (count == NULL)
    {
      count = g_new0 (BodyCount, 1);
      g_object_set_qdata_full (G_OBJECT (msg), body_quark, count, g_free);
    }
  return count;
}

/* Counts a body as it comes. Over DC_SERVER_MAX_BODY, a chunked body is dropped and the
 * answer goes out at once; the rest of a refused body is dropped, up to
 * DC_SERVER_MAX_DISCARD more, and the connection closes. */
static void
dc_server_got_chunk_cb (SoupServerMessage *msg,
                        GBytes            *chunk,
                        gpointer           user_data)
{
  DcServer *self = DC_SERVER (user_data);
  BodyCount *count = body_count (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  count->received += g_bytes_get_size (chunk);
  if (count->discard != 0)
    {
      if (count->received > count->discard)
        dc_server_connections_close (self->connections, msg);
      return;
    }
  if (count->received <= DC_SERVER_MAX_BODY)
    return;
  soup_message_body_truncate (body);
  dc_server_reply_text (msg, 413, "request body too large!");
  dc_server_connections_refuse_body (self->connections, msg);
  count->discard = count->received + DC_SERVER_MAX_DISCARD;
}

/* libsoup answers a request it cannot parse (a request line, path or header that is not
 * HTTP/1.x) itself, before any handler, with an empty body. So every request starts out with
 * that answer's text as its response; the early handler drops it (its headers were parsed) and
 * the handlers answer as usual. */
static void
dc_server_request_started_cb (SoupServer        *soup,
                              SoupServerMessage *msg,
                              gpointer           user_data)
{
  static const char text[] = "malformed request line or header";

  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_STATIC, text,
                                    strlen (text));
}

/* The request is read. The early handler did not run when libsoup refused the request after
 * its headers (in its own ::got-headers handler, before any early handler): a path holding
 * %00 or a ".." segment is answered 400 with no text (found by fuzz-rest). Here, once per
 * server rather than a signal handler per message, that answer gets its text before it is
 * written (libsoup reads the body, if any, and emits ::request-read first). */
static void
dc_server_request_read_cb (SoupServer        *soup,
                           SoupServerMessage *msg,
                           gpointer           user_data)
{
  if (g_object_get_qdata (G_OBJECT (msg), match_quark) != NULL)
    return;
  /* (A response with a type is appended to the body: the text goes first.) */
  soup_server_message_set_response (msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
  if (soup_server_message_get_status (msg) == SOUP_STATUS_BAD_REQUEST)
    dc_server_reply_text (msg, 400, "invalid path (%00 or a \"..\" segment)");
}

/* Runs after the headers, before the body is read: refusing here means an oversized or
 * unauthorised body is never read into memory. */
static void
dc_server_early_cb (SoupServer        *soup,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  DcServer *self = DC_SERVER (user_data);
  DcRouteMatch *match;

  /* The headers were parsed: not the text of a malformed request. */
  soup_server_message_set_response (msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
  dc_server_connections_got_headers (self->connections, msg);
  match = dc_router_match (self->router, soup_server_message_get_method (msg),
                           g_uri_get_path (soup_server_message_get_uri (msg)));
  g_object_set_qdata_full (G_OBJECT (msg), match_quark, match,
                           (GDestroyNotify) dc_route_match_free);
  if (!dc_server_check_headers (self, msg, match))
    {
      SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);

      /* libsoup would still read a body whole before answering: the answer goes out at
       * once and the connection ends with it (docs/security.md, "Limits"). */
      if (soup_message_headers_get_encoding (request) != SOUP_ENCODING_NONE &&
          soup_message_headers_get_content_length (request) != 0)
        {
          dc_server_connections_refuse_body (self->connections, msg);
          body_count (msg)->discard = DC_SERVER_MAX_DISCARD;
          g_signal_connect_object (msg, "got-chunk", G_CALLBACK (dc_server_got_chunk_cb), self,
                                   0);
        }
      if (self->log_requests)
        g_debug ("%s %s → %u (before the body)", soup_server_message_get_method (msg), path,
                 soup_server_message_get_status (msg));
      return;
    }
  /* A chunked body has no length to check in advance: it is counted as it comes. (No body,
   * as for every GET, needs no counting: no signal handler per request for it.) */
  switch (soup_message_headers_get_encoding (soup_server_message_get_request_headers (msg)))
    {
    case SOUP_ENCODING_CONTENT_LENGTH:
    case SOUP_ENCODING_NONE:
      break;
    case SOUP_ENCODING_UNRECOGNIZED:
    case SOUP_ENCODING_EOF:
    case SOUP_ENCODING_CHUNKED:
    case SOUP_ENCODING_BYTERANGES:
    default:
      g_signal_connect_object (msg, "got-chunk", G_CALLBACK (dc_server_got_chunk_cb), self, 0);
      break;
    }
}

static gboolean
body_is_blank (const char *data,
               gsize       length)
{
  for (gsize i = 0; i < length; i++)
    if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r' && data[i] != '\n')
      return FALSE;
  return TRUE;
}

static void
dc_server_handler_cb (SoupServer        *soup,
                      SoupServerMessage *msg,
                      const char        *path,
                      GHashTable        *query,
                      gpointer           user_data)
{
  DcServer *self = DC_SERVER (user_data);
  const char *method = soup_server_message_get_method (msg);
  g_autoptr(JsonNode) body = NULL;
  DcRouteMatch *match;
  gint64 start = 0;

  if (self->log_requests)
    start = g_get_monotonic_time ();

  match = g_object_get_qdata (G_OBJECT (msg), match_quark);
  if (match == NULL)
    {
      match = dc_router_match (self->router, method,
                               g_uri_get_path (soup_server_message_get_uri (msg)));
      g_object_set_qdata_full (G_OBJECT (msg), match_quark, match,
                               (GDestroyNotify) dc_route_match_free);
      if (!dc_server_check_headers (self, msg, match))
        return;
    }
  if (match->method == NULL)
    return;

  if (method_changes_state (method))
    {
      SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
      g_autoptr(GBytes) bytes = soup_message_body_flatten (request_body);
      gsize length;
      const char *data = g_bytes_get_data (bytes, &length);

      if (length > DC_SERVER_MAX_BODY)
        {
          dc_server_reply_text (msg, 413, "request body too large!");
          return;
        }
      if (!body_is_blank (data, length))
        {
          g_autoptr(GError) error = NULL;

          body = dc_json_parse (data, length, &error);
          if (body == NULL)
            {
              dc_server_reply_error (msg, error);
              return;
            }
        }
    }

  /* Changes the handler makes are the sender's in the audit log (dc-audit-actor.h). GET and
   * HEAD change nothing: their handlers run without (an actor costs a few allocations and the
   * peer's address as text, per request; docs/performance.md). */
  if (method_changes_state (method))
    {
      g_autoptr(DcAuditActor) actor = dc_server_message_get_actor (msg);

      dc_audit_actor_push (actor);
      match->method->handler (self, msg, match->params, body, match->method->user_data);
      dc_audit_actor_pop ();
    }
  else
    {
      match->method->handler (self, msg, match->params, body, match->method->user_data);
    }

  if (self->log_requests)
    g_debug ("%s %s → %u (%.3f ms)", method, path, soup_server_message_get_status (msg),
             (g_get_monotonic_time () - start) / 1000.0);
}

static void
dc_server_index_cb (DcServer          *self,
                    SoupServerMessage *msg,
                    GHashTable        *params,
                    JsonNode          *body,
                    gpointer           user_data)
{
  g_autoptr(GPtrArray) routes = dc_server_get_routes (self);
  const char *host = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Host");
  g_autofree char *fallback = NULL;
  GString *text = g_string_new ("DataColl is running, available API:\n\n");

  if (host == NULL || host[0] == '\0')
    {
      g_autofree char *base = dc_server_get_base_uri (self);

      fallback = g_strdup (strstr (base, "://") + 3);
      host = fallback;
    }

  for (guint i = 0; i < routes->len; i++)
    {
      DcRouteInfo *info = g_ptr_array_index (routes, i);

      g_string_append_printf (text, "method: %-8s URL: %s://%s%s\n", info->method,
                              self->https ? "https" : "http", host, info->path_template);
    }

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_TAKE,
                                    text->str, text->len);
  g_string_free (text, FALSE);
}

static void
dc_server_dispose (GObject *object)
{
  DcServer *self = DC_SERVER (object);

  g_clear_pointer (&self->connections, dc_server_connections_free);
  if (self->soup != NULL)
    {
      soup_server_disconnect (self->soup);
      g_clear_object (&self->soup);
    }
  g_clear_object (&self->store);
  g_clear_object (&self->bind_address);
  if (self->status_destroy != NULL)
    g_clear_pointer (&self->status_data, self->status_destroy);
  self->status_func = NULL;

  G_OBJECT_CLASS (dc_server_parent_class)->dispose (object);
}

static void
dc_server_finalize (GObject *object)
{
  DcServer *self = DC_SERVER (object);

  g_clear_pointer (&self->router, dc_router_free);
  g_clear_pointer (&self->auth, dc_server_auth_free);

  G_OBJECT_CLASS (dc_server_parent_class)->finalize (object);
}

static void
dc_server_class_init (DcServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dc_server_dispose;
  object_class->finalize = dc_server_finalize;

  match_quark = g_quark_from_static_string ("dc-server-match");
  body_quark = g_quark_from_static_string ("dc-server-body");
}

static void
dc_server_init (DcServer *self)
{
  self->router = dc_router_new ();
  self->auth = dc_server_auth_new ();
  self->soup = soup_server_new ("server-header", "DataColl/" PACKAGE_VERSION, NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (dc_server_request_started_cb),
                    NULL);
  g_signal_connect (self->soup, "request-read", G_CALLBACK (dc_server_request_read_cb), NULL);
  soup_server_add_early_handler (self->soup, NULL, dc_server_early_cb, self, NULL);
  soup_server_add_handler (self->soup, NULL, dc_server_handler_cb, self, NULL);
  self->connections = dc_server_connections_new (self->soup);

  dc_server_add_route (self, "GET", "/", dc_server_index_cb, NULL);
}

DcServer *
dc_server_new (DcStore *store)
{
  DcServer *self = g_object_new (DC_TYPE_SERVER, NULL);

  if (store != NULL)
    self->store = g_object_ref (store);

  return self;
}

DcStore *
dc_server_get_store (DcServer *self)
{
  g_return_val_if_fail (DC_IS_SERVER (self), NULL);

  return self->store;
}

SoupServer *
dc_server_get_soup_server (DcServer *self)
{
  g_return_val_if_fail (DC_IS_SERVER (self), NULL);

  return self->soup;
}

void
dc_server_set_token (DcServer   *self,
                     const char *token)
{
  g_return_if_fail (DC_IS_SERVER (self));

  dc_server_auth_set_token (self->auth, token);
}

void
dc_server_set_users (DcServer *self,
                     DcUsers  *users)
{
  g_return_if_fail (DC_IS_SERVER (self));
  g_return_if_fail (users == NULL || DC_IS_USERS (users));

  dc_server_auth_set_users (self->auth, users);
}

DcUsers *
dc_server_get_users (DcServer *self)
{
  g_return_val_if_fail (DC_IS_SERVER (self), NULL);

  return dc_server_auth_get_users (self->auth);
}

gboolean
dc_server_get_auth_required (DcServer *self)
{
  g_return_val_if_fail (DC_IS_SERVER (self), FALSE);

  return dc_server_auth_required (self->auth);
}

gboolean
dc_server_set_tls_files (DcServer    *self,
                         const char  *cert_file,
                         const char  *key_file,
                         GError     **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (DC_IS_SERVER (self), FALSE);
  g_return_val_if_fail (cert_file != NULL && key_file != NULL, FALSE);

  certificate = g_tls_certificate_new_from_files (cert_file, key_file, &local_error);
  if (certificate == NULL)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "cannot load the TLS certificate %s: %s",
                   cert_file, local_error->message);
      return FALSE;
    }
  soup_server_set_tls_certificate (self->soup, certificate);
  self->https = TRUE;
  dc_server_connections_set_https (self->connections, TRUE);
  return TRUE;
}

gboolean
dc_server_is_https (DcServer *self)
{
  g_return_val_if_fail (DC_IS_SERVER (self), FALSE);

  return self->https;
}

char *
dc_server_read_token_file (const char  *path,
                           GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  char *newline;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "cannot read token file: %s",
                   local_error->message);
      return NULL;
    }

  newline = strchr (contents, '\n');
  if (newline != NULL)
    *newline = '\0';
  g_strstrip (contents);

  if (contents[0] == '\0')
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "token file %s is empty", path);
      return NULL;
    }

  return g_steal_pointer (&contents);
}

static GInetAddress *
parse_bind_address (const char  *bind,
                    GError     **error)
{
  GInetAddress *address;

  if (bind == NULL || g_ascii_strcasecmp (bind, "localhost") == 0)
    return g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

  address = g_inet_address_new_from_string (bind);
  if (address == NULL)
    g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                 "invalid bind address %s (use an IPv4 or IPv6 address)", bind);

  return address;
}

gboolean
dc_server_listen (DcServer    *self,
                  const char  *bind,
                  guint        port,
                  GError     **error)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (DC_IS_SERVER (self), FALSE);
  g_return_val_if_fail (port <= 65535, FALSE);

  address = parse_bind_address (bind, error);
  if (address == NULL)
    return FALSE;

  if (!g_inet_address_get_is_loopback (address) && !dc_server_auth_required (self->auth))
    {
      g_autofree char *text = g_inet_address_to_string (address);

      g_set_error (error, DC_ERROR, DC_ERROR_FORBIDDEN,
                   "refusing to listen on %s without users or a token file", text);
      return FALSE;
    }
  /* Beyond loopback every request needs a token, users or not. */
  dc_server_auth_set_exposed (self->auth, !g_inet_address_get_is_loopback (address));
  if (!g_inet_address_get_is_loopback (address) && !self->https)
    g_message ("listening beyond loopback without TLS: passwords and tokens cross the network "
               "in clear (--tls-cert, --tls-key; docs/security.md)");

  socket_address = g_inet_socket_address_new (address, port);
  if (!dc_server_connections_listen (self->connections, socket_address, self->https,
                                     &effective, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE, "port %u is in use", port);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  g_set_object (&self->bind_address, address);

  if (G_IS_INET_SOCKET_ADDRESS (effective))
    self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));

  return TRUE;
}

guint
dc_server_get_port (DcServer *self)
{
  g_return_val_if_fail (DC_IS_SERVER (self), 0);

  return self->port;
}

char *
dc_server_get_base_uri (DcServer *self)
{
  g_autofree char *host = NULL;

  g_return_val_if_fail (DC_IS_SERVER (self), NULL);

  if (self->bind_address == NULL || g_inet_address_get_is_any (self->bind_address))
    host = g_strdup ("127.0.0.1");
  else
    host = g_inet_address_to_string (self->bind_address);

  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("%s://[%s]:%u", self->https ? "https" : "http", host, self->port);
  return g_strdup_printf ("%s://%s:%u", self->https ? "https" : "http", host, self->port);
}

void
dc_server_disconnect (DcServer *self)
{
  g_return_if_fail (DC_IS_SERVER (self));

  if (self->connections != NULL)
    dc_server_connections_disconnect (self->connections);
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
}

void
dc_server_set_log_requests (DcServer *self,
                            gboolean  log_requests)
{
  g_return_if_fail (DC_IS_SERVER (self));

  self->log_requests = !!log_requests;
}

void
dc_server_set_device_status_func (DcServer           *self,
                                  DcDeviceStatusFunc  func,
                                  gpointer            user_data,
                                  GDestroyNotify      destroy)
{
  g_return_if_fail (DC_IS_SERVER (self));

  if (self->status_destroy != NULL && self->status_data != NULL)
    self->status_destroy (self->status_data);
  self->status_func = func;
  self->status_data = user_data;
  self->status_destroy = destroy;
}

const char *
dc_server_get_device_status (DcServer   *self,
                             const char *device_id)
{
  g_return_val_if_fail (DC_IS_SERVER (self), "off");

  if (self->status_func == NULL)
    return "off";
  return self->status_func (device_id, self->status_data);
}

void
dc_server_add_route (DcServer       *self,
                     const char     *method,
                     const char     *path_template,
                     DcRouteHandler  handler,
                     gpointer        user_data)
{
  g_return_if_fail (DC_IS_SERVER (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path_template != NULL && path_template[0] == '/');
  g_return_if_fail (handler != NULL);

  dc_router_add (self->router, method, path_template, handler, user_data);
}

GPtrArray *
dc_server_get_routes (DcServer *self)
{
  g_return_val_if_fail (DC_IS_SERVER (self), NULL);

  return dc_router_list (self->router);
}
