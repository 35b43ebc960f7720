/* dc-local-source-traffic.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The traffic feed of a local plant connection (docs/ui-traffic.md): the frames of the ring of
 * the device's driver in this process's engine, decoded by the driver when taken.
 */

#define G_LOG_DOMAIN "dc-local-source"

#include "config.h"

#include "dc-traffic-feed-private.h"
#include "dc-traffic-item-private.h"

#define DC_TYPE_LOCAL_TRAFFIC_FEED (dc_local_traffic_feed_get_type ())

G_DECLARE_FINAL_TYPE (DcLocalTrafficFeed, dc_local_traffic_feed, DC, LOCAL_TRAFFIC_FEED, DcTrafficFeed)

struct _DcLocalTrafficFeed
{
  DcTrafficFeed  parent_instance;

  DcEngine      *engine;   /* nullable: no engine, no frames */
  DcDriver      *driver;   /* compared only (not referenced): a new driver has a new ring */
  guint64        last_seq;
};

G_DEFINE_FINAL_TYPE (DcLocalTrafficFeed, dc_local_traffic_feed, DC_TYPE_TRAFFIC_FEED)

static DcDriver *
current_driver (DcLocalTrafficFeed *self)
{
  if (self->engine == NULL)
    return NULL;
  return dc_engine_drivers_get_driver (dc_engine_get_drivers (self->engine),
                                       dc_traffic_feed_get_device_id (DC_TRAFFIC_FEED (self)));
}

static GPtrArray *
local_take (DcTrafficFeed *feed,
            guint          limit,
            guint64       *missed)
{
  DcLocalTrafficFeed *self = DC_LOCAL_TRAFFIC_FEED (feed);
  g_autoptr(GPtrArray) frames = NULL;
  GPtrArray *items;
  DcDriver *driver = current_driver (self);

  if (driver != self->driver)
    {
      /* A restarted device: a new ring, numbered from 1 again. */
      self->driver = driver;
      self->last_seq = 0;
    }
  if (driver == NULL || limit == 0)
    return NULL;
  frames = dc_traffic_get_frames (dc_driver_get_traffic (driver), self->last_seq, limit);
  if (frames == NULL || frames->len == 0)
    return NULL;

  items = g_ptr_array_new_full (frames->len, g_object_unref);
  for (guint i = 0; i < frames->len; i++)
    {
      DcTrafficFrame *frame = g_ptr_array_index (frames, i);

      if (self->last_seq != 0 && frame->seq > self->last_seq + 1)
        *missed += frame->seq - self->last_seq - 1;
      self->last_seq = frame->seq;
      g_ptr_array_add (items, dc_traffic_item_new (driver,
                                                   dc_traffic_feed_get_protocol (feed), frame));
    }
  return items;
}

static JsonObject *
local_dup_link (DcTrafficFeed *feed)
{
  DcLocalTrafficFeed *self = DC_LOCAL_TRAFFIC_FEED (feed);
  g_autoptr(JsonNode) status = NULL;

  if (self->engine == NULL)
    return NULL;
  status = dc_engine_drivers_build_status (dc_engine_get_drivers (self->engine),
                                           dc_traffic_feed_get_device_id (feed), NULL);
  if (status == NULL || !JSON_NODE_HOLDS_OBJECT (status))
    return NULL;
  return json_object_ref (json_node_get_object (status));
}

static void
dc_local_traffic_feed_dispose (GObject *object)
{
  DcLocalTrafficFeed *self = DC_LOCAL_TRAFFIC_FEED (object);

  g_clear_object (&self->engine);

  G_OBJECT_CLASS (dc_local_traffic_feed_parent_class)->dispose (object);
}

static void
dc_local_traffic_feed_class_init (DcLocalTrafficFeedClass *klass)
{
  DcTrafficFeedClass *feed_class = DC_TRAFFIC_FEED_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = dc_local_traffic_feed_dispose;
  feed_class->take = local_take;
  feed_class->dup_link = local_dup_link;
}

static void
dc_local_traffic_feed_init (DcLocalTrafficFeed *self)
{
}

DcTrafficFeed *
_dc_local_traffic_feed_new (DcEngine   *engine,
                            const char *device_id,
                            JsonObject *device)
{
  DcLocalTrafficFeed *self = g_object_new (DC_TYPE_LOCAL_TRAFFIC_FEED, NULL);

  self->engine = engine ? g_object_ref (engine) : NULL;
  dc_traffic_feed_set_device (DC_TRAFFIC_FEED (self), device_id,
                              device ? json_object_get_string_member_with_default (device, "protocol", "") : "",
                              device ? json_object_get_int_member_with_default (device, "timeout_ms", 1000) * 1000 : 0);
  return DC_TRAFFIC_FEED (self);
}
