/* dc-traffic-feed-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-engine.h"
#include "dc-plant-source.h"
#include "dc-remote-source.h"

G_BEGIN_DECLS

/* The two feeds of dc-traffic-feed.h (docs/ui-traffic.md "Through the plant connection"):
 *   dc-local-source-traffic.c   the engine's ring of the device's driver, read on take()
 *   dc-remote-source-traffic.c  the stream's "frames" and "link" messages (docs/rest.md),
 *                               asked for with {"traffic": device_id, "since": seq}
 * Each source installs open_traffic in its interface. */
/* The local feed of @device_id (its stored object @device, nullable) in @engine (nullable: no
 * frames); dc-local-source.c opens it. */
DcTrafficFeed *_dc_local_traffic_feed_new (DcEngine         *engine,
                                           const char       *device_id,
                                           JsonObject       *device);
void     _dc_remote_source_init_traffic (DcPlantSourceInterface *iface);

/* dc-remote-source.c hands the stream's traffic messages ({"type": "frames" | "link"}) over,
 * and tells when a new stream opened (the feed asks for its frames again). */
void     _dc_remote_traffic_message     (DcRemoteSource         *source,
                                         JsonObject             *message);
void     _dc_remote_traffic_resume      (DcRemoteSource         *source);

G_END_DECLS
