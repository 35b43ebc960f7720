/* dc-traffic-feed.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One device's traffic as the plant connection delivers it (docs/ui-traffic.md): the frames
 * of the engine's ring when the engine runs in this process, the frames the server sends on
 * the stream for a remote desk. The Traffic page takes what came since its last look, bounded,
 * newest kept; the frames passed over are counted. Opened by dc_plant_source_open_traffic();
 * dropping the last reference stops the feed. Main thread. */
#define DC_TYPE_TRAFFIC_FEED (dc_traffic_feed_get_type ())

G_DECLARE_DERIVABLE_TYPE (DcTrafficFeed, dc_traffic_feed, DC, TRAFFIC_FEED, GObject)

struct _DcTrafficFeedClass
{
  GObjectClass parent_class;

  GPtrArray  *(*take)     (DcTrafficFeed *self,
                           guint          limit,
                           guint64       *missed);
  JsonObject *(*dup_link) (DcTrafficFeed *self);
  void        (*activate) (DcTrafficFeed *self,
                           gboolean       active);
};

/* The frames since the last call (the first call: what the feed holds), at most @limit of the
 * newest, oldest first: DcTrafficItem, new references. Frames passed over (the ring dropped
 * them, or more came than @limit) are added to *@missed. NULL or empty when nothing came. */
GPtrArray   *dc_traffic_feed_take          (DcTrafficFeed *self,
                                            guint          limit,
                                            guint64       *missed);
/* The device's link state and counters as GET /api/v1/devices/{id}/status answers them (a
 * new reference), or NULL when unknown (no link, not received yet). */
JsonObject  *dc_traffic_feed_dup_link      (DcTrafficFeed *self);
const char  *dc_traffic_feed_get_device_id (DcTrafficFeed *self);
/* The device's protocol ("iec104", "modbus_tcp", …; "" when unknown). */
const char  *dc_traffic_feed_get_protocol  (DcTrafficFeed *self);
/* The device's answer timeout (timeout_ms), µs. */
gint64       dc_traffic_feed_get_timeout   (DcTrafficFeed *self);

/* Whether the frames are wanted now (the page shows): an inactive remote feed asks the server
 * to stop sending them, and to send what came since when it becomes active again. A new feed
 * is inactive. */
void         dc_traffic_feed_set_active    (DcTrafficFeed *self,
                                            gboolean       active);
gboolean     dc_traffic_feed_get_active    (DcTrafficFeed *self);

/* Implementations: set once, right after g_object_new(). */
void         dc_traffic_feed_set_device    (DcTrafficFeed *self,
                                            const char    *device_id,
                                            const char    *protocol,
                                            gint64         timeout_us);

G_END_DECLS
