/* dc-remote-source.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-plant-source.h"

G_BEGIN_DECLS

/* The plant connection to a DataColl server (docs/ui.md "The plant connection"): the
 * configuration from GET /api/v1/project, its changes, live values and link states from the
 * WebSocket stream /api/v1/stream, history, writes and controls through REST. Asynchronous
 * only (libsoup 3); every request carries the bearer token when there is one. A lost
 * connection is retried with back-off (0.25 s doubling to 8 s); after a reconnect the
 * configuration is read again (and reloaded only when it changed) and the stream's snapshot
 * refreshes every value. Location: the server's host:port. */
#define DC_TYPE_REMOTE_SOURCE (dc_remote_source_get_type ())

G_DECLARE_FINAL_TYPE (DcRemoteSource, dc_remote_source, DC, REMOTE_SOURCE, GObject)

/* @url: "http://host:port" or "https://host:port" (a path is ignored). NULL with @error when
 * it is not such a URL. @token may be NULL. */
DcRemoteSource *dc_remote_source_new          (const char      *url,
                                               const char      *token,
                                               GError         **error);
/* The base URL, "http://host:port". */
const char     *dc_remote_source_get_url      (DcRemoteSource  *self);
/* POST /api/v1/login; on success the session token replaces the old one, user and role are
 * set and the connection starts again. @done gets NULL or the server's refusal. */
void            dc_remote_source_login        (DcRemoteSource  *self,
                                               const char      *user,
                                               const char      *password,
                                               DcSourceDoneFunc done,
                                               gpointer         user_data);
/* TLS (https://): a certificate the system trusts is accepted; any other only when its SHA-256
 * fingerprint is the one trusted here ("AB:CD:…", remembered per server by the application:
 * trust on first use). Otherwise the state becomes DC_SOURCE_TRUST and the fingerprint seen is
 * pending until the user trusts it (set it, then reconnect) or not. */
void            dc_remote_source_set_trusted_fingerprint (DcRemoteSource *self,
                                                          const char     *fingerprint);
const char     *dc_remote_source_get_pending_fingerprint (DcRemoteSource *self);
/* The SHA-256 fingerprint of @certificate: 32 hex pairs joined by ':'. */
char           *dc_remote_source_fingerprint            (GTlsCertificate *certificate);

/* Tries now instead of waiting for the next retry. */
void            dc_remote_source_reconnect    (DcRemoteSource  *self);
/* The number of completed (re)connections: 1 after the first. */
guint           dc_remote_source_get_n_connects (DcRemoteSource *self);

/* Whether a DataColl answers at @url (GET / says "DataColl is running"): for `datacoll`
 * without arguments next to a running server. Blocking, at most @timeout_ms; before the main
 * loop runs. */
gboolean        dc_remote_source_probe        (const char      *url,
                                               guint            timeout_ms);

G_END_DECLS
