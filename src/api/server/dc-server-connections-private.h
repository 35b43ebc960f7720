/* dc-server-connections-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The REST server's listening sockets and connection table (docs/security.md, "Limits").
 *
 * The server makes its listening sockets itself, with a backlog of DC_SERVER_BACKLOG where
 * soup_server_listen() leaves GLib's 10, and hands them to the SoupServer. It keeps a
 * reference on the socket of every connection (learnt from its first request) and once a
 * second closes those that wait for a request and whose peer has gone (libsoup 3.2.3 never
 * closes a keep-alive connection the client closed: one file descriptor leaked each), that
 * wait for request headers longer than DC_SERVER_IDLE_TIMEOUT_S (idle keep-alive, half-open
 * and slow-header clients) or for a body longer than DC_SERVER_BODY_TIMEOUT_S. A connection
 * whose request is being handled, or that a WebSocket took over, is left alone. Main thread
 * only. */

#define DC_SERVER_BACKLOG          1024
#define DC_SERVER_IDLE_TIMEOUT_S   15
#define DC_SERVER_BODY_TIMEOUT_S   120
#define DC_SERVER_CLOSE_GRACE_S    5
/* What is read and dropped of a refused body before the connection closes. */
#define DC_SERVER_MAX_DISCARD      (16 * 1024 * 1024)

typedef struct _DcServerConnections DcServerConnections;

DcServerConnections *dc_server_connections_new        (SoupServer           *soup);
void                 dc_server_connections_free       (DcServerConnections  *self);
/* Listens on @address (HTTPS when @https: the SoupServer has a certificate); *@effective is
 * the bound address (port 0 → the chosen port). */
gboolean             dc_server_connections_listen     (DcServerConnections  *self,
                                                       GSocketAddress       *address,
                                                       gboolean              https,
                                                       GSocketAddress      **effective,
                                                       GError              **error);
/* Over TLS a refused body cannot be answered early on the raw socket: libsoup reads it (and
 * drops it) before the answer goes out, as it does without this file. */
void                 dc_server_connections_set_https  (DcServerConnections  *self,
                                                       gboolean              https);
/* Stops listening and closes every connection. */
void                 dc_server_connections_disconnect (DcServerConnections  *self);
/* The connections open now. */
guint                dc_server_connections_get_count  (DcServerConnections  *self);
/* A message's headers were read (the server's early handler): its body follows. */
void                 dc_server_connections_got_headers (DcServerConnections *self,
                                                        SoupServerMessage   *msg);

/* Sends @msg's answer (its status, headers and body, set already) on the socket itself while
 * the request body is still coming (libsoup answers only after reading the whole body),
 * shuts the connection for writing, drops the rest of the body as it is read and closes the
 * connection after DC_SERVER_CLOSE_GRACE_S: a client that sends its whole body before reading
 * (SoupSession does) still reads the answer. */
void                 dc_server_connections_refuse_body (DcServerConnections *self,
                                                        SoupServerMessage   *msg);
/* Closes @msg's connection now. */
void                 dc_server_connections_close       (DcServerConnections *self,
                                                        SoupServerMessage   *msg);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcServerConnections, dc_server_connections_free)

G_END_DECLS
