/* dc-server-connections.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-server"

#include "config.h"

#include "dc-server-connections-private.h"

#include <errno.h>
#include <sys/socket.h>

typedef enum
{
  PHASE_WAITING,   /* for request headers: a new or idle keep-alive connection */
  PHASE_BODY,      /* headers read, the body follows */
  PHASE_HANDLING,  /* the request is read: a handler, the answer, or a WebSocket */
  PHASE_CLOSING,   /* answered early and shut for writing: closed after a grace period */
} Phase;

typedef struct
{
  GSocket           *socket;
  Phase              phase;
  gint64             since;    /* monotonic µs the phase began */
} Connection;

struct _DcServerConnections
{
  SoupServer *soup;         /* borrowed: it owns us through DcServer */
  GPtrArray  *listeners;    /* GSocket */
  gboolean    https;        /* TLS: no early answers on the raw socket */
  GHashTable *connections;  /* GSocket → Connection (holding a reference) */
  guint       sweep_id;
  gulong      signal_ids[4];
};

static gboolean sweep_cb (gpointer user_data);

static void
connection_free (gpointer data)
{
  Connection *c = data;

  g_object_unref (c->socket);
  g_free (c);
}

static void
set_phase (DcServerConnections *self,
           SoupServerMessage   *msg,
           Phase                phase)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  Connection *c = socket != NULL ? g_hash_table_lookup (self->connections, socket) : NULL;

  if (c == NULL || c->phase == PHASE_CLOSING)
    return;
  c->phase = phase;
  c->since = g_get_monotonic_time ();
}

/* Every connection starts a request as soon as it is accepted, and the next one when the
 * previous is answered: the table learns of each connection here. */
static void
request_started_cb (SoupServer        *soup,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  DcServerConnections *self = user_data;
  GSocket *socket = soup_server_message_get_socket (msg);
  Connection *c;

  if (socket == NULL)
    return;
  c = g_hash_table_lookup (self->connections, socket);
  if (c != NULL && c->phase == PHASE_CLOSING)
    return;
  if (c == NULL)
    {
      c = g_new0 (Connection, 1);
      c->socket = g_object_ref (socket);
      g_hash_table_insert (self->connections, socket, c);
      if (self->sweep_id == 0)
        self->sweep_id = g_timeout_add_seconds (1, sweep_cb, self);
    }
  c->phase = PHASE_WAITING;
  c->since = g_get_monotonic_time ();
}

static void
request_read_cb (SoupServer        *soup,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  set_phase (user_data, msg, PHASE_HANDLING);
}

static void
request_done_cb (SoupServer        *soup,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  /* A keep-alive connection waits for its next request; any other is closing. */
  set_phase (user_data, msg, PHASE_WAITING);
}

/* Closes the socket itself: shutting it down ends a read libsoup has pending (it then
 * disconnects as usual); closing it frees the descriptor when libsoup does not. */
static void
close_connection (Connection *c)
{
  if (!g_socket_is_closed (c->socket))
    {
      g_socket_shutdown (c->socket, TRUE, TRUE, NULL);
      g_socket_close (c->socket, NULL);
    }
}

/* TRUE if the peer closed its side: end of stream is readable, without taking data. */
static gboolean
peer_closed (GSocket *socket)
{
  char byte;
  gssize n;

  if (!(g_socket_condition_check (socket, G_IO_IN | G_IO_HUP | G_IO_ERR) &
        (G_IO_IN | G_IO_HUP | G_IO_ERR)))
    return FALSE;
  n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static gboolean
sweep_cb (gpointer user_data)
{
  DcServerConnections *self = user_data;
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  Connection *c;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &c))
    {
      GSocket *socket = c->socket;
      gboolean expired = FALSE;

      if (g_socket_is_closed (socket))
        {
          g_hash_table_iter_remove (&iter);
          continue;
        }
      switch (c->phase)
        {
        case PHASE_WAITING:
          expired = now - c->since > DC_SERVER_IDLE_TIMEOUT_S * G_USEC_PER_SEC ||
                    peer_closed (socket);
          break;
        case PHASE_BODY:
          expired = now - c->since > DC_SERVER_BODY_TIMEOUT_S * G_USEC_PER_SEC;
          break;
        case PHASE_CLOSING:
          expired = now - c->since > DC_SERVER_CLOSE_GRACE_S * G_USEC_PER_SEC;
          break;
        case PHASE_HANDLING:
        default:
          break;
        }
      if (expired)
        {
          close_connection (c);
          g_hash_table_iter_remove (&iter);
        }
    }

  if (g_hash_table_size (self->connections) > 0)
    return G_SOURCE_CONTINUE;
  self->sweep_id = 0;
  return G_SOURCE_REMOVE;
}

DcServerConnections *
dc_server_connections_new (SoupServer *soup)
{
  DcServerConnections *self = g_new0 (DcServerConnections, 1);

  self->soup = soup;
  self->listeners = g_ptr_array_new_with_free_func (g_object_unref);
  self->connections = g_hash_table_new_full (NULL, NULL, NULL, connection_free);
  self->signal_ids[0] = g_signal_connect (soup, "request-started",
                                          G_CALLBACK (request_started_cb), self);
  self->signal_ids[1] = g_signal_connect (soup, "request-read",
                                          G_CALLBACK (request_read_cb), self);
  self->signal_ids[2] = g_signal_connect (soup, "request-finished",
                                          G_CALLBACK (request_done_cb), self);
  self->signal_ids[3] = g_signal_connect (soup, "request-aborted",
                                          G_CALLBACK (request_done_cb), self);
  return self;
}

void
dc_server_connections_disconnect (DcServerConnections *self)
{
  GHashTableIter iter;
  Connection *c;

  /* soup_server_disconnect() closes the listeners that were handed over. */
  g_ptr_array_set_size (self->listeners, 0);
  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &c))
    close_connection (c);
  g_hash_table_remove_all (self->connections);
  g_clear_handle_id (&self->sweep_id, g_source_remove);
}

void
dc_server_connections_free (DcServerConnections *self)
{
  if (self == NULL)
    return;
  dc_server_connections_disconnect (self);
  for (guint i = 0; i < G_N_ELEMENTS (self->signal_ids); i++)
    g_clear_signal_handler (&self->signal_ids[i], self->soup);
  g_hash_table_unref (self->connections);
  g_ptr_array_unref (self->listeners);
  g_free (self);
}

void
dc_server_connections_set_https (DcServerConnections *self,
                                 gboolean             https)
{
  self->https = https;
}

gboolean
dc_server_connections_listen (DcServerConnections  *self,
                              GSocketAddress       *address,
                              gboolean              https,
                              GSocketAddress      **effective,
                              GError              **error)
{
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (g_socket_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return FALSE;
  /* GLib's default backlog is 10: under a burst of connections the rest wait for SYN
   * retransmissions, 1 s, 3 s, 7 s… (docs/security.md). The kernel caps it at
   * net.core.somaxconn (4096 on Debian 12). */
  g_socket_set_listen_backlog (socket, DC_SERVER_BACKLOG);
  if (!g_socket_bind (socket, address, TRUE, error) || !g_socket_listen (socket, error))
    return FALSE;
  if (!soup_server_listen_socket (self->soup, socket, https ? SOUP_SERVER_LISTEN_HTTPS : 0,
                                  error))
    return FALSE;
  *effective = g_socket_get_local_address (socket, error);
  if (*effective == NULL)
    return FALSE;
  g_ptr_array_add (self->listeners, g_steal_pointer (&socket));
  return TRUE;
}

guint
dc_server_connections_get_count (DcServerConnections *self)
{
  return g_hash_table_size (self->connections);
}

void
dc_server_connections_got_headers (DcServerConnections *self,
                                   SoupServerMessage   *msg)
{
  set_phase (self, msg, PHASE_BODY);
}

static void
append_header_cb (const char *name,
                  const char *value,
                  gpointer    user_data)
{
  if (g_ascii_strcasecmp (name, "Content-Length") != 0)
    g_string_append_printf (user_data, "%s: %s\r\n", name, value);
}

void
dc_server_connections_close (DcServerConnections *self,
                             SoupServerMessage   *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  Connection *c = socket != NULL ? g_hash_table_lookup (self->connections, socket) : NULL;

  if (c == NULL)
    return;
  close_connection (c);
  g_hash_table_remove (self->connections, socket);
}

void
dc_server_connections_refuse_body (DcServerConnections *self,
                                   SoupServerMessage   *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  Connection *c = socket != NULL ? g_hash_table_lookup (self->connections, socket) : NULL;
  guint status = soup_server_message_get_status (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_response_body (msg));
  g_autoptr(GString) answer = g_string_new (NULL);
  gssize sent;

  if (c == NULL || c->phase == PHASE_CLOSING || g_socket_is_closed (socket))
    return;
  if (self->https)
    {
      /* Bytes written beside the TLS session would break it: the body is read and dropped
       * (got-chunk closes the connection past DC_SERVER_MAX_DISCARD), then libsoup answers. */
      soup_message_headers_replace (headers, "Connection", "close");
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      return;
    }
  soup_message_headers_replace (headers, "Connection", "close");
  g_string_append_printf (answer, "HTTP/1.1 %u %s\r\n", status, soup_status_get_phrase (status));
  soup_message_headers_foreach (headers, append_header_cb, answer);
  g_string_append_printf (answer, "Content-Length: %zu\r\n\r\n", g_bytes_get_size (body));
  /* The answer to HEAD has the length of the GET answer, without the body (found by fuzz-rest). */
  if (g_strcmp0 (soup_server_message_get_method (msg), "HEAD") != 0)
    g_string_append_len (answer, g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  /* A few hundred bytes into an idle send buffer: the non-blocking send takes them whole,
   * or the peer is not reading and the grace period ends it anyway. */
  sent = g_socket_send_with_blocking (socket, answer->str, answer->len, FALSE, NULL, NULL);
  if (sent != (gssize) answer->len)
    g_debug ("early answer cut short (%" G_GSSIZE_FORMAT " of %zu bytes)", sent, answer->len);
  g_socket_shutdown (socket, FALSE, TRUE, NULL);
  /* The rest of the body is read and dropped (a client that sends it all before reading,
   * as SoupSession, then reads the answer), for DC_SERVER_CLOSE_GRACE_S at most. */
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  c->phase = PHASE_CLOSING;
  c->since = g_get_monotonic_time ();
}
