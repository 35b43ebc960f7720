/* dc-remote-source-traffic.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The traffic feed of a remote plant connection (docs/ui-traffic.md, docs/rest.md "Live
 * data"): the desk asks the stream for one device's frames ({"traffic": id, "since": seq})
 * while its Traffic page shows, and the server sends them decoded ("frames" messages, ten a
 * second at most) with the device's link counters ("link", once a second). A source follows
 * one device's traffic at a time: the feed activated last.
 */

#define G_LOG_DOMAIN "dc-remote-source"

#include "config.h"

#include "dc-json-util.h"
#include "dc-remote-source-private.h"
#include "dc-time.h"
#include "dc-traffic-feed-private.h"
#include "dc-traffic-item-private.h"

/* Frames kept between two takes (the page reads ten times a second; a paused page lets the
 * oldest go, counted as missed). */
#define MAX_QUEUED 5000

#define DC_TYPE_REMOTE_TRAFFIC_FEED (dc_remote_traffic_feed_get_type ())

G_DECLARE_FINAL_TYPE (DcRemoteTrafficFeed, dc_remote_traffic_feed, DC, REMOTE_TRAFFIC_FEED, DcTrafficFeed)

struct _DcRemoteTrafficFeed
{
  DcTrafficFeed   parent_instance;

  DcRemoteSource *source;    /* weak */
  GQueue          queue;     /* DcTrafficItem received, oldest first */
  guint64         last_seq;  /* of the newest frame received */
  guint64         dropped;   /* frames received and let go (queue full, a take's limit) */
  JsonObject     *link;
};

G_DEFINE_FINAL_TYPE (DcRemoteTrafficFeed, dc_remote_traffic_feed, DC_TYPE_TRAFFIC_FEED)

static void
send_request (DcRemoteTrafficFeed *self,
              gboolean             follow)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  if (self->source == NULL || self->source->ws == NULL ||
      soup_websocket_connection_get_state (self->source->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  object = json_object_new ();
  if (follow)
    {
      json_object_set_string_member (object, "traffic",
                                     dc_traffic_feed_get_device_id (DC_TRAFFIC_FEED (self)));
      json_object_set_int_member (object, "since", (gint64) self->last_seq);
    }
  else
    json_object_set_null_member (object, "traffic");
  node = json_node_init_object (json_node_alloc (), object);
  text = json_to_string (node, FALSE);
  soup_websocket_connection_send_text (self->source->ws, text);
}

static GPtrArray *
remote_take (DcTrafficFeed *feed,
             guint          limit,
             guint64       *missed)
{
  DcRemoteTrafficFeed *self = DC_REMOTE_TRAFFIC_FEED (feed);
  GPtrArray *items;

  *missed += self->dropped;
  self->dropped = 0;
  if (g_queue_is_empty (&self->queue))
    return NULL;
  /* The newest @limit: the older ones are passed over. */
  while (self->queue.length > limit)
    {
      g_object_unref (g_queue_pop_head (&self->queue));
      *missed += 1;
    }
  items = g_ptr_array_new_full (self->queue.length, g_object_unref);
  while (!g_queue_is_empty (&self->queue))
    g_ptr_array_add (items, g_queue_pop_head (&self->queue));
  return items;
}

static JsonObject *
remote_dup_link (DcTrafficFeed *feed)
{
  DcRemoteTrafficFeed *self = DC_REMOTE_TRAFFIC_FEED (feed);

  return self->link ? json_object_ref (self->link) : NULL;
}

static void
remote_activate (DcTrafficFeed *feed,
                 gboolean       active)
{
  DcRemoteTrafficFeed *self = DC_REMOTE_TRAFFIC_FEED (feed);

  if (self->source == NULL)
    return;
  if (active)
    {
      /* One device's traffic per stream: the feed shown last wins. */
      if (self->source->traffic != NULL && self->source->traffic != self)
        dc_traffic_feed_set_active (self->source->traffic, FALSE);
      self->source->traffic = self;
      send_request (self, TRUE);
    }
  else if (self->source->traffic == self)
    {
      send_request (self, FALSE);
      self->source->traffic = NULL;
    }
}

static void
dc_remote_traffic_feed_dispose (GObject *object)
{
  DcRemoteTrafficFeed *self = DC_REMOTE_TRAFFIC_FEED (object);

  dc_traffic_feed_set_active (DC_TRAFFIC_FEED (self), FALSE);
  g_clear_weak_pointer (&self->source);
  g_queue_clear_full (&self->queue, g_object_unref);
  g_clear_pointer (&self->link, json_object_unref);

  G_OBJECT_CLASS (dc_remote_traffic_feed_parent_class)->dispose (object);
}

static void
dc_remote_traffic_feed_class_init (DcRemoteTrafficFeedClass *klass)
{
  DcTrafficFeedClass *feed_class = DC_TRAFFIC_FEED_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = dc_remote_traffic_feed_dispose;
  feed_class->take = remote_take;
  feed_class->dup_link = remote_dup_link;
  feed_class->activate = remote_activate;
}

static void
dc_remote_traffic_feed_init (DcRemoteTrafficFeed *self)
{
  g_queue_init (&self->queue);
}

/* One frame of a "frames" message: {seq, time, dir, bytes, summary, decoded, error}. */
static DcTrafficItem *
item_from_json (DcRemoteTrafficFeed *self,
                JsonObject          *object)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  const char *hex = dc_json_get_string (object, "bytes", "");
  JsonNode *decoded = json_object_get_member (object, "decoded");
  DcTrafficFrame frame = { 0, };

  if (!dc_time_parse (dc_json_get_string (object, "time", ""), &frame.time))
    return NULL;
  for (const char *p = hex; *p != '\0';)
    {
      int hi, lo;

      while (*p == ' ')
        p++;
      if (*p == '\0')
        break;
      hi = g_ascii_xdigit_value (p[0]);
      lo = hi >= 0 ? g_ascii_xdigit_value (p[1]) : -1;
      if (lo < 0)
        return NULL;
      g_byte_array_append (bytes, (guint8[]) { (guint8) (hi << 4 | lo) }, 1);
      p += 2;
    }
  frame.seq = (guint64) dc_json_get_int (object, "seq", 0);
  frame.incoming = g_strcmp0 (dc_json_get_string (object, "dir", ""), "rx") == 0;
  frame.bytes = bytes->data;
  frame.len = bytes->len;
  return dc_traffic_item_new_decoded (&frame, dc_traffic_feed_get_protocol (DC_TRAFFIC_FEED (self)),
                                      dc_json_get_string (object, "summary", NULL),
                                      decoded && JSON_NODE_HOLDS_OBJECT (decoded)
                                      ? json_node_get_object (decoded) : NULL,
                                      dc_json_get_string (object, "error", NULL));
}

static void
take_frames (DcRemoteTrafficFeed *self,
             JsonArray           *frames)
{
  for (guint i = 0; i < json_array_get_length (frames); i++)
    {
      JsonObject *object = json_array_get_object_element (frames, i);
      DcTrafficItem *item = object ? item_from_json (self, object) : NULL;

      if (item == NULL)
        {
          g_debug ("a frame of the stream was not understood");
          continue;
        }
      /* The server numbers each device's frames; a gap is frames it did not send (its ring
       * dropped them, or more came than it sends), a step back a restarted device. */
      if (self->last_seq != 0 && item->seq > self->last_seq + 1)
        self->dropped += item->seq - self->last_seq - 1;
      self->last_seq = item->seq;
      g_queue_push_tail (&self->queue, item);
      if (self->queue.length > MAX_QUEUED)
        {
          g_object_unref (g_queue_pop_head (&self->queue));
          self->dropped++;
        }
    }
}

void
_dc_remote_traffic_message (DcRemoteSource *source,
                            JsonObject     *message)
{
  DcRemoteTrafficFeed *self = source->traffic;
  const char *type = dc_json_get_string (message, "type", "");
  JsonNode *node;

  if (self == NULL ||
      g_strcmp0 (dc_json_get_string (message, "device_id", NULL),
                 dc_traffic_feed_get_device_id (DC_TRAFFIC_FEED (self))) != 0)
    return;
  if (g_str_equal (type, "frames") && (node = json_object_get_member (message, "frames")) != NULL &&
      JSON_NODE_HOLDS_ARRAY (node))
    take_frames (self, json_node_get_array (node));
  else if (g_str_equal (type, "link"))
    {
      node = json_object_get_member (message, "status");
      g_clear_pointer (&self->link, json_object_unref);
      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        self->link = json_object_ref (json_node_get_object (node));
    }
}

void
_dc_remote_traffic_resume (DcRemoteSource *source)
{
  if (source->traffic != NULL)
    send_request (source->traffic, TRUE);
}

static DcTrafficFeed *
remote_open_traffic (DcPlantSource *plant_source,
                     const char    *device_id)
{
  /* Only dc-remote-source.c installs this: no type check (no call back into it). */
  DcRemoteSource *source = (DcRemoteSource *) plant_source;
  DcRemoteTrafficFeed *self = g_object_new (DC_TYPE_REMOTE_TRAFFIC_FEED, NULL);
  g_autoptr(JsonObject) device = dc_plant_source_get (plant_source, DC_KIND_DEVICE, device_id);

  g_set_weak_pointer (&self->source, source);
  dc_traffic_feed_set_device (DC_TRAFFIC_FEED (self), device_id,
                              device ? dc_json_get_string (device, "protocol", "") : "",
                              device ? dc_json_get_int (device, "timeout_ms", 1000) * 1000 : 0);
  return DC_TRAFFIC_FEED (self);
}

void
_dc_remote_source_init_traffic (DcPlantSourceInterface *iface)
{
  iface->open_traffic = remote_open_traffic;
}
