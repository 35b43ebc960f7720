/* dc-api-live.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api-live"

#include "config.h"

#include "dc-api-live.h"

#include <string.h>

#include "dc-api-live-private.h"
#include "dc-json.h"
#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-point-id.h"

/* Live data of docs/rest.md (docs/engine.md, "Live data API"): the object, the device status
 * and traffic frames routes, and what feeds the WebSocket stream (engine batches, device,
 * config and alarm events). The stream itself is in dc-api-live-websocket.c, slow clients and
 * overflow in dc-api-live-websocket-overflow.c, its JSON in dc-api-live-messages.c. */

#define DEFAULT_FRAMES 200
#define MAX_FRAMES 100000

G_DEFINE_FINAL_TYPE (DcApiLive, dc_api_live, G_TYPE_OBJECT)

/* Events */

static void
device_changed_cb (DcEngineDrivers *drivers,
                   const char      *device_id,
                   const char      *state,
                   const char      *last_error,
                   DcApiLive       *self)
{
  g_autofree char *text = dc_live_build_device_message (device_id, state, last_error);

  dc_live_broadcast (self, device_id, text);
}

static void
store_changed_cb (DcStore    *store,
                  int         kind,
                  int         op,
                  const char *id,
                  const char *old_id,
                  DcApiLive  *self)
{
  g_autofree char *text = NULL;

  if (kind == DC_KIND_POINT && self->points_loaded && op != DC_CHANGE_DELETE)
    {
      g_autofree char *term_id = NULL;
      const char *item_id;

      if (dc_point_id_split (id, &term_id, &item_id))
        {
          g_autoptr(JsonObject) point = dc_store_get_point (self->store, term_id, item_id, NULL);
          gint64 key = dc_store_get_point_key (self->store, term_id, item_id);

          if (point != NULL && key != 0)
            dc_live_add_point_ref (self, key, dc_json_get_string (point, "device_id", ""),
                                   term_id, item_id);
        }
    }

  if (self->clients == NULL)
    return;

  text = dc_live_build_config_message (kind, op, id, old_id);
  dc_live_broadcast (self, NULL, text);
}

static void
store_point_removed_cb (DcStore   *store,
                        gint64     key,
                        DcApiLive *self)
{
  g_hash_table_remove (self->points, &key);
}

/* REST routes */

static void
status_cb (DcServer          *server,
           SoupServerMessage *msg,
           GHashTable        *params,
           JsonNode          *body,
           gpointer           user_data)
{
  DcApiLive *self = DC_API_LIVE (user_data);
  const char *device_id = g_hash_table_lookup (params, "device_id");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) status = NULL;

  if (self->drivers == NULL)
    {
      g_set_error_literal (&error, DC_ERROR, DC_ERROR_NOT_FOUND,
                           dc_kind_not_found_text (DC_KIND_DEVICE));
      dc_server_reply_error (msg, error);
      return;
    }

  status = dc_engine_drivers_build_status (self->drivers, device_id, &error);
  if (status == NULL)
    dc_server_reply_error (msg, error);
  else
    dc_server_reply_json (msg, 200, status);
}

static void
frames_cb (DcServer          *server,
           SoupServerMessage *msg,
           GHashTable        *params,
           JsonNode          *body,
           gpointer           user_data)
{
  DcApiLive *self = DC_API_LIVE (user_data);
  const char *device_id = g_hash_table_lookup (params, "device_id");
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autoptr(GHashTable) args = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) frames = NULL;
  guint64 limit = DEFAULT_FRAMES;

  if (query != NULL)
    args = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (args != NULL && g_hash_table_contains (args, "limit"))
    {
      const char *text = g_hash_table_lookup (args, "limit");

      if (!g_ascii_string_to_unsigned (text, 10, 1, MAX_FRAMES, &limit, NULL))
        {
          g_autofree char *message = g_strdup_printf ("parameter limit must be an integer "
                                                      "between 1 and %d", MAX_FRAMES);

          dc_server_reply_text (msg, 400, message);
          return;
        }
    }

  if (self->drivers == NULL)
    {
      g_set_error_literal (&error, DC_ERROR, DC_ERROR_NOT_FOUND,
                           dc_kind_not_found_text (DC_KIND_DEVICE));
      dc_server_reply_error (msg, error);
      return;
    }

  frames = dc_engine_drivers_build_frames (self->drivers, device_id, (guint) limit, &error);
  if (frames == NULL)
    dc_server_reply_error (msg, error);
  else
    dc_server_reply_json (msg, 200, frames);
}

/* The WebSocket upgrade (dc-api-live-websocket.c); a plain GET is not one: 400. */
static void
stream_plain_cb (DcServer          *server,
                 SoupServerMessage *msg,
                 GHashTable        *params,
                 JsonNode          *body,
                 gpointer           user_data)
{
  if (!dc_live_websocket_upgrade (user_data, msg))
    dc_server_reply_text (msg, 400, "websocket upgrade required");
}

/* Object */

static void
dc_api_live_dispose (GObject *object)
{
  DcApiLive *self = DC_API_LIVE (object);

  g_clear_handle_id (&self->traffic_id, g_source_remove);
  while (self->clients != NULL)
    {
      DcLiveClient *client = self->clients->data;

      self->clients = g_list_delete_link (self->clients, self->clients);
      if (soup_websocket_connection_get_state (client->conn) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (client->conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      dc_live_client_free (client);
    }

  if (self->store != NULL)
    {
      g_clear_signal_handler (&self->changed_id, self->store);
      g_clear_signal_handler (&self->removed_id, self->store);
    }
  if (self->drivers != NULL)
    g_clear_signal_handler (&self->device_id, self->drivers);
  if (self->server != NULL)
    soup_server_remove_handler (dc_server_get_soup_server (self->server), "/api/v1/stream");
  self->server = NULL;

  if (self->engine != NULL)
    g_clear_signal_handler (&self->samples_id, self->engine);
  g_clear_object (&self->engine);
  g_clear_object (&self->store);
  g_clear_object (&self->drivers);
  if (self->snapshot_destroy != NULL)
    g_clear_pointer (&self->snapshot_data, self->snapshot_destroy);

  G_OBJECT_CLASS (dc_api_live_parent_class)->dispose (object);
}

static void
dc_api_live_finalize (GObject *object)
{
  DcApiLive *self = DC_API_LIVE (object);

  g_clear_pointer (&self->points, g_hash_table_unref);

  G_OBJECT_CLASS (dc_api_live_parent_class)->finalize (object);
}

static void
dc_api_live_class_init (DcApiLiveClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dc_api_live_dispose;
  object_class->finalize = dc_api_live_finalize;
}

static void
dc_api_live_init (DcApiLive *self)
{
  self->points = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                        dc_live_point_ref_free);
  self->backlog_limit = DC_API_LIVE_BACKLOG_LIMIT;
}

DcApiLive *
dc_api_live_new (DcServer        *server,
                 DcEngineDrivers *drivers)
{
  DcApiLive *self;

  g_return_val_if_fail (DC_IS_SERVER (server), NULL);
  g_return_val_if_fail (DC_IS_STORE (dc_server_get_store (server)), NULL);
  g_return_val_if_fail (drivers == NULL || DC_IS_ENGINE_DRIVERS (drivers), NULL);

  self = g_object_new (DC_TYPE_API_LIVE, NULL);
  self->server = server;
  self->store = g_object_ref (dc_server_get_store (server));
  if (drivers != NULL)
    {
      self->drivers = g_object_ref (drivers);
      self->device_id = g_signal_connect (drivers, "device-changed",
                                          G_CALLBACK (device_changed_cb), self);
    }
  self->changed_id = g_signal_connect (self->store, "changed", G_CALLBACK (store_changed_cb), self);
  self->removed_id = g_signal_connect (self->store, "point-removed",
                                       G_CALLBACK (store_point_removed_cb), self);

  dc_server_add_route (server, "GET", "/api/v1/devices/{device_id}/status", status_cb, self);
  dc_server_add_route (server, "GET", "/api/v1/devices/{device_id}/frames", frames_cb, self);
  dc_server_add_route (server, "GET", "/api/v1/stream", stream_plain_cb, self);

  return self;
}

static GArray *
engine_snapshot_cb (gpointer user_data)
{
  DcEngine *engine = user_data;
  g_autoptr(GArray) keys = dc_engine_list_keys (engine);
  GArray *samples = g_array_sized_new (FALSE, FALSE, sizeof (DcSample), keys->len);

  for (guint i = 0; i < keys->len; i++)
    {
      DcSample sample;

      if (dc_engine_get_live (engine, g_array_index (keys, gint64, i), &sample))
        g_array_append_val (samples, sample);
    }

  return samples;
}

static void
engine_samples_cb (DcEngine  *engine,
                   GArray    *samples,
                   DcApiLive *self)
{
  dc_api_live_push_samples (self, (const DcSample *) samples->data, samples->len);
}

DcApiLive *
dc_api_live_new_for_engine (DcServer *server,
                            DcEngine *engine)
{
  DcEngineDrivers *drivers;
  DcApiLive *self;

  g_return_val_if_fail (DC_IS_SERVER (server), NULL);
  g_return_val_if_fail (DC_IS_ENGINE (engine), NULL);

  drivers = dc_engine_get_drivers (engine);
  self = dc_api_live_new (server, drivers);
  self->engine = g_object_ref (engine);
  dc_api_live_set_snapshot_func (self, engine_snapshot_cb, engine, NULL);
  self->samples_id = g_signal_connect (engine, "samples", G_CALLBACK (engine_samples_cb), self);

  return self;
}

void
dc_api_live_set_snapshot_func (DcApiLive          *self,
                               DcLiveSnapshotFunc  func,
                               gpointer            user_data,
                               GDestroyNotify      destroy)
{
  g_return_if_fail (DC_IS_API_LIVE (self));

  if (self->snapshot_destroy != NULL)
    g_clear_pointer (&self->snapshot_data, self->snapshot_destroy);
  self->snapshot_func = func;
  self->snapshot_data = user_data;
  self->snapshot_destroy = destroy;
}

void
dc_api_live_set_backlog_limit (DcApiLive *self,
                               gsize      bytes)
{
  g_return_if_fail (DC_IS_API_LIVE (self));

  self->backlog_limit = bytes;
}

guint
dc_api_live_get_n_clients (DcApiLive *self)
{
  g_return_val_if_fail (DC_IS_API_LIVE (self), 0);

  return g_list_length (self->clients);
}

guint
dc_api_live_get_n_traffic_clients (DcApiLive *self)
{
  guint n = 0;

  g_return_val_if_fail (DC_IS_API_LIVE (self), 0);

  for (GList *l = self->clients; l != NULL; l = l->next)
    n += ((DcLiveClient *) l->data)->traffic_device != NULL;
  return n;
}

gsize
dc_api_live_get_backlog (DcApiLive *self)
{
  gsize total = 0;

  g_return_val_if_fail (DC_IS_API_LIVE (self), 0);

  for (GList *l = self->clients; l != NULL; l = l->next)
    total += ((DcLiveClient *) l->data)->backlog;

  return total;
}

guint
dc_api_live_get_n_overflows (DcApiLive *self)
{
  g_return_val_if_fail (DC_IS_API_LIVE (self), 0);

  return self->n_overflows;
}

void
dc_api_live_push_samples (DcApiLive      *self,
                          const DcSample *samples,
                          guint           n_samples)
{
  g_return_if_fail (DC_IS_API_LIVE (self));
  g_return_if_fail (samples != NULL || n_samples == 0);

  dc_live_fan_out_samples (self, samples, n_samples);
}

void
dc_api_live_push_control_step (DcApiLive  *self,
                               const char *device_id,
                               const char *request,
                               DcCtrlStep  step,
                               const char *detail)
{
  GString *out = g_string_new ("{\"type\":\"control\",\"request\":");

  g_return_if_fail (DC_IS_API_LIVE (self));
  g_return_if_fail (request != NULL);

  dc_json_append_string (out, request);
  g_string_append (out, ",\"device_id\":");
  dc_json_append_string (out, device_id ? device_id : "");
  g_string_append (out, ",\"step\":");
  dc_json_append_string (out, dc_ctrl_step_to_string (step));
  g_string_append (out, ",\"detail\":");
  if (detail != NULL)
    dc_json_append_string (out, detail);
  else
    g_string_append (out, "null");
  g_string_append_c (out, '}');
  dc_live_broadcast (self, device_id, out->str);
  g_string_free (out, TRUE);
}

void
dc_api_live_push_alarm (DcApiLive  *self,
                        JsonObject *alarm)
{
  g_autofree char *text = NULL;

  g_return_if_fail (DC_IS_API_LIVE (self));
  g_return_if_fail (alarm != NULL);

  text = dc_live_build_alarm_message (alarm);
  dc_live_broadcast (self, json_object_get_string_member_with_default (alarm, "device_id", NULL),
                     text);
}
