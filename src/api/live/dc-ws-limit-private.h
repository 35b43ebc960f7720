/* dc-ws-limit-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A GIOStream over a client's WebSocket connection that reads the frame headers passing
 * through (RFC 6455 §5.2) and fails the read, before the payload is read, once one incoming
 * message (a data frame and its continuations) would exceed @max_message bytes. libsoup 3.2
 * limits each frame but appends continuation frames without a limit; SoupWebsocketConnection
 * closes the connection on the read error (docs/security.md, "Limits"). Control frames do not
 * count. The output side is the base stream's. */
GIOStream *dc_ws_limit_stream_new (GIOStream *base,
                                   guint64    max_message);

G_END_DECLS
