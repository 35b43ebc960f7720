/* dc-api-live-websocket.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api-live"

#include "config.h"

#include "dc-api-live-private.h"
#include "dc-ws-limit-private.h"

/* The WebSocket /api/v1/stream (docs/rest.md): a client connects, subscribes
 * ({"subscribe": [...]}, answered with a fresh snapshot of just that subscription; a new client
 * gets the "*" snapshot after a grace period unless it subscribes first), then receives the
 * samples of every batch and the device, alarm and config events it wants. How a slow client
 * is served is in dc-api-live-websocket-overflow.c. */

/* A frame, and a whole message with its continuation frames (docs/security.md). */
#define MAX_INCOMING (64 * 1024)
/* How long a new client may take to send its subscription before the default ("*") snapshot. */
#define SUBSCRIBE_GRACE_MS 100
#define KEEPALIVE_S 30

static void
client_send_error (DcLiveClient *client,
                   const char   *message)
{
  g_autofree char *text = dc_live_build_error_message (message);

  dc_live_client_send (client, text);
}

static void
client_message_cb (SoupWebsocketConnection *conn,
                   int                      type,
                   GBytes                  *message,
                   DcLiveClient            *client)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) patterns = NULL;
  JsonNode *root;
  JsonNode *subscribe;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  if (!json_parser_load_from_data (parser, data, (gssize) length, &error))
    {
      client_send_error (client, "invalid JSON");
      return;
    }

  root = json_parser_get_root (parser);
  /* A device's traffic (dc-api-live-frames.c) leaves the subscription as it is. */
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root) &&
      json_object_has_member (json_node_get_object (root), "traffic") &&
      !json_object_has_member (json_node_get_object (root), "subscribe"))
    {
      if (!dc_live_client_set_traffic (client, json_node_get_object (root), &error))
        client_send_error (client, error->message);
      return;
    }
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (subscribe = json_object_get_member (json_node_get_object (root), "subscribe")) == NULL)
    {
      client_send_error (client, "missing field: subscribe");
      return;
    }

  patterns = g_ptr_array_new_with_free_func (dc_live_pattern_free);
  if (JSON_NODE_HOLDS_ARRAY (subscribe) || JSON_NODE_HOLDS_VALUE (subscribe))
    {
      g_autoptr(GList) elements = NULL;
      gboolean everything = FALSE;

      if (JSON_NODE_HOLDS_ARRAY (subscribe))
        elements = json_array_get_elements (json_node_get_array (subscribe));
      else
        elements = g_list_prepend (NULL, subscribe);

      for (GList *l = elements; l != NULL; l = l->next)
        {
          JsonNode *node = l->data;
          const char *text = JSON_NODE_HOLDS_VALUE (node) &&
                             json_node_get_value_type (node) == G_TYPE_STRING
                             ? json_node_get_string (node) : NULL;
          DcLivePattern *pattern = dc_live_pattern_parse (text);

          if (pattern == NULL)
            {
              g_autofree char *msg = g_strdup_printf ("invalid subscription: %s",
                                                      text != NULL ? text : "(not a string)");

              client_send_error (client, msg);
              return;
            }
          if (pattern->device_id == NULL)
            everything = TRUE;
          g_ptr_array_add (patterns, pattern);
        }
      if (everything)
        g_clear_pointer (&patterns, g_ptr_array_unref);
    }
  else
    {
      client_send_error (client, "field subscribe must be an array of strings");
      return;
    }

  g_clear_pointer (&client->patterns, g_ptr_array_unref);
  client->patterns = g_steal_pointer (&patterns);

  /* A new subscription starts with its snapshot; what was held for the old one is dropped. */
  dc_live_client_clear_backlog (client);
  client->overflowed = FALSE;
  dc_live_client_send_snapshot (client);
}

static void
client_closed_cb (SoupWebsocketConnection *conn,
                  DcLiveClient            *client)
{
  DcApiLive *self = client->live;

  self->clients = g_list_remove (self->clients, client);
  dc_live_client_free (client);
}

static gboolean
client_grace_cb (gpointer data)
{
  DcLiveClient *client = data;

  client->grace_id = 0;
  if (!client->snapshot_sent)
    dc_live_client_send_snapshot (client);

  return G_SOURCE_REMOVE;
}

void
dc_live_websocket_cb (SoupServer              *server,
                      SoupServerMessage       *msg,
                      const char              *path,
                      SoupWebsocketConnection *conn,
                      gpointer                 user_data)
{
  DcApiLive *self = user_data;
  DcLiveClient *client = g_new0 (DcLiveClient, 1);

  client->live = self;
  client->conn = g_object_ref (conn);
  client->pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  g_queue_init (&client->events);
  soup_websocket_connection_set_max_incoming_payload_size (conn, MAX_INCOMING);
  /* Pings find clients that vanished without closing (their socket errors out). */
  soup_websocket_connection_set_keepalive_interval (conn, KEEPALIVE_S);
  g_signal_connect (conn, "message", G_CALLBACK (client_message_cb), client);
  g_signal_connect (conn, "closed", G_CALLBACK (client_closed_cb), client);
  self->clients = g_list_prepend (self->clients, client);

  client->grace_id = g_timeout_add (SUBSCRIBE_GRACE_MS, client_grace_cb, client);
}

/* After the 101 answer: the connection becomes a WebSocket whose incoming messages are
 * limited as a whole (libsoup 3.2 limits frames only). */
static void
upgraded_cb (SoupServerMessage *msg,
             gpointer           user_data)
{
  g_autoptr(GIOStream) base = NULL;
  g_autoptr(GIOStream) limited = NULL;
  g_autoptr(SoupWebsocketConnection) conn = NULL;

  g_object_ref (msg);
  base = soup_server_message_steal_connection (msg);
  limited = dc_ws_limit_stream_new (base, MAX_INCOMING);
  conn = soup_websocket_connection_new (limited, soup_server_message_get_uri (msg),
                                        SOUP_WEBSOCKET_CONNECTION_SERVER, NULL, NULL, NULL);
  dc_live_websocket_cb (NULL, msg, "/api/v1/stream", conn, user_data);
  g_object_unref (msg);
}

gboolean
dc_live_websocket_upgrade (DcApiLive         *self,
                           SoupServerMessage *msg)
{
  /* No extension offered: a compressed message could inflate far beyond its size. */
  if (!soup_websocket_server_process_handshake (msg, NULL, NULL, NULL, NULL))
    return FALSE;
  g_signal_connect_object (msg, "wrote-informational", G_CALLBACK (upgraded_cb), self, 0);
  return TRUE;
}

/* Fan-out */

void
dc_live_broadcast (DcApiLive  *self,
                   const char *device_id,
                   const char *text)
{
  for (GList *l = self->clients; l != NULL; l = l->next)
    {
      DcLiveClient *client = l->data;

      if (!client->snapshot_sent)
        continue;
      if (device_id != NULL && !dc_live_client_wants_device (client, device_id))
        continue;
      if (client->overflowed)
        continue;
      if (client->congested)
        dc_live_client_hold_event (client, g_strdup (text));
      else
        dc_live_client_send (client, text);
    }
}

void
dc_live_fan_out_samples (DcApiLive      *self,
                         const DcSample *samples,
                         guint           n_samples)
{
  g_autofree char *all = NULL;
  guint n_all = 0;

  if (self->clients == NULL || n_samples == 0)
    return;

  dc_live_ensure_points (self);

  for (GList *l = self->clients; l != NULL; l = l->next)
    {
      DcLiveClient *client = l->data;

      /* Samples before the snapshot are in the snapshot. */
      if (!client->snapshot_sent || client->overflowed)
        continue;

      if (client->congested)
        {
          dc_live_client_coalesce (client, samples, n_samples);
          continue;
        }

      if (client->patterns == NULL)
        {
          if (all == NULL)
            all = dc_live_build_samples_message (self, "samples", NULL, samples, n_samples,
                                                 &n_all);
          if (n_all > 0)
            dc_live_client_send (client, all);
        }
      else
        {
          guint n = 0;
          g_autofree char *text = dc_live_build_samples_message (self, "samples", client, samples,
                                                                 n_samples, &n);

          if (n > 0)
            dc_live_client_send (client, text);
        }
    }
}
