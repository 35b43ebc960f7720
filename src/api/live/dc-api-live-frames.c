/* dc-api-live-frames.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api-live"

#include "config.h"

#include "dc-api-live-private.h"

#include "dc-error.h"
#include "dc-json.h"
#include "dc-time.h"

/* A device's traffic on the stream (docs/rest.md "Live data"): a client that sent
 * {"traffic": "device_id", "since": seq} gets, ten times a second while frames come, one
 * {"type":"frames","device_id","frames":[…]} message with the frames of the device's ring
 * after seq (decoded as GET …/frames decodes them, each with its seq), and once a second
 * {"type":"link","device_id","status":{…}} with the device's status as GET …/status answers
 * it. {"traffic": null} stops both. One timer serves every client that follows traffic, and
 * runs only while one does. A client that cannot keep up skips frames: they are not held for
 * it, it sees the gap in seq. */

#define TICK_MS 100
/* The link message every LINK_TICKS ticks. */
#define LINK_TICKS 10
/* Frames per message, the newest kept: decoding costs the server's main loop, and a desk shows
 * fewer. The first message after a request (since 0) carries JOIN_FRAMES. */
#define MAX_FRAMES 100
#define JOIN_FRAMES 200

static void
append_frame (GString        *out,
              DcDriver       *driver,
              DcTrafficFrame *frame)
{
  g_autoptr(JsonObject) decoded = NULL;
  g_autofree char *error = NULL;
  g_autofree char *summary = dc_driver_decode_frame (driver, frame, &decoded, &error);
  g_autofree char *time = dc_time_format (frame->time);
  g_autofree char *hex = dc_traffic_format_hex (frame->bytes, frame->len);

  g_string_append_printf (out, "{\"seq\":%" G_GUINT64_FORMAT ",\"time\":", frame->seq);
  dc_json_append_string (out, time);
  g_string_append_printf (out, ",\"dir\":\"%s\",\"bytes\":", frame->incoming ? "rx" : "tx");
  dc_json_append_string (out, hex);
  g_string_append (out, ",\"summary\":");
  if (summary != NULL)
    dc_json_append_string (out, summary);
  else
    g_string_append (out, "null");
  g_string_append (out, ",\"decoded\":");
  if (decoded != NULL)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), decoded);

      dc_json_append (out, node);
    }
  else
    g_string_append (out, "null");
  g_string_append (out, ",\"error\":");
  if (error != NULL)
    dc_json_append_string (out, error);
  else
    g_string_append (out, "null");
  g_string_append_c (out, '}');
}

/* The frames message for @client, or NULL when there is nothing new. */
static char *
build_frames_message (DcApiLive    *self,
                      DcLiveClient *client)
{
  DcDriver *driver = dc_engine_drivers_get_driver (self->drivers, client->traffic_device);
  g_autoptr(GPtrArray) frames = NULL;
  GString *out;

  if (driver != client->traffic_driver)
    {
      /* A restarted device has a new ring, numbered from 1 again. */
      if (client->traffic_driver != NULL)
        client->traffic_seq = 0;
      client->traffic_driver = driver;
    }
  if (driver == NULL)
    return NULL;
  if (client->traffic_seq > 0)
    {
      /* A seq from another ring (the device restarted since the client saw it): start over. */
      g_autoptr(GPtrArray) newest = dc_traffic_get_frames (dc_driver_get_traffic (driver), 0, 1);

      if (newest == NULL || newest->len == 0 ||
          ((DcTrafficFrame *) g_ptr_array_index (newest, 0))->seq < client->traffic_seq)
        client->traffic_seq = 0;
    }
  frames = dc_traffic_get_frames (dc_driver_get_traffic (driver), client->traffic_seq,
                                  client->traffic_seq == 0 ? JOIN_FRAMES : MAX_FRAMES);
  if (frames == NULL || frames->len == 0)
    return NULL;

  out = g_string_new ("{\"type\":\"frames\",\"device_id\":");
  dc_json_append_string (out, client->traffic_device);
  g_string_append (out, ",\"frames\":[");
  for (guint i = 0; i < frames->len; i++)
    {
      DcTrafficFrame *frame = g_ptr_array_index (frames, i);

      if (i > 0)
        g_string_append_c (out, ',');
      append_frame (out, driver, frame);
      client->traffic_seq = frame->seq;
    }
  g_string_append (out, "]}");
  return g_string_free (out, FALSE);
}

static char *
build_link_message (DcApiLive    *self,
                    DcLiveClient *client)
{
  g_autoptr(JsonNode) status = dc_engine_drivers_build_status (self->drivers,
                                                               client->traffic_device, NULL);
  GString *out = g_string_new ("{\"type\":\"link\",\"device_id\":");

  dc_json_append_string (out, client->traffic_device);
  g_string_append (out, ",\"status\":");
  if (status != NULL)
    dc_json_append (out, status);
  else
    g_string_append (out, "null");
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

static gboolean
traffic_tick_cb (gpointer user_data)
{
  DcApiLive *self = user_data;
  gboolean anyone = FALSE;

  for (GList *l = self->clients; l != NULL; l = l->next)
    {
      DcLiveClient *client = l->data;
      g_autofree char *frames = NULL;

      if (client->traffic_device == NULL)
        continue;
      anyone = TRUE;
      /* Frames are not held for a slow client: it skips them and sees the gap. */
      if (client->congested || client->overflowed)
        continue;
      if (client->traffic_ticks++ % LINK_TICKS == 0)
        {
          g_autofree char *link = build_link_message (self, client);

          dc_live_client_send (client, link);
        }
      frames = build_frames_message (self, client);
      if (frames != NULL)
        dc_live_client_send (client, frames);
    }
  if (!anyone)
    {
      self->traffic_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

gboolean
dc_live_client_set_traffic (DcLiveClient  *client,
                            JsonObject    *request,
                            GError       **error)
{
  DcApiLive *self = client->live;
  JsonNode *traffic = json_object_get_member (request, "traffic");
  JsonNode *since = json_object_get_member (request, "since");
  const char *device_id = NULL;
  gint64 seq = 0;

  if (traffic != NULL && !JSON_NODE_HOLDS_NULL (traffic))
    {
      if (!JSON_NODE_HOLDS_VALUE (traffic) || json_node_get_value_type (traffic) != G_TYPE_STRING ||
          json_node_get_string (traffic)[0] == '\0')
        {
          g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                               "field traffic must be a device id or null");
          return FALSE;
        }
      device_id = json_node_get_string (traffic);
    }
  if (since != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (since) || json_node_get_value_type (since) != G_TYPE_INT64 ||
          (seq = json_node_get_int (since)) < 0)
        {
          g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                               "field since must be a non-negative integer");
          return FALSE;
        }
    }
  if (device_id != NULL)
    {
      g_autoptr(JsonNode) status = NULL;

      if (self->drivers == NULL ||
          (status = dc_engine_drivers_build_status (self->drivers, device_id, NULL)) == NULL)
        {
          g_set_error_literal (error, DC_ERROR, DC_ERROR_NOT_FOUND,
                               dc_kind_not_found_text (DC_KIND_DEVICE));
          return FALSE;
        }
    }

  g_free (client->traffic_device);
  client->traffic_device = g_strdup (device_id);
  client->traffic_seq = (guint64) seq;
  client->traffic_driver = NULL;
  client->traffic_ticks = 0;
  if (device_id != NULL)
    {
      /* The link at once, the frames at the next tick. */
      g_autofree char *link = build_link_message (self, client);

      client->traffic_ticks = 1;
      dc_live_client_send (client, link);
      if (self->traffic_id == 0)
        self->traffic_id = g_timeout_add (TICK_MS, traffic_tick_cb, self);
    }
  return TRUE;
}
