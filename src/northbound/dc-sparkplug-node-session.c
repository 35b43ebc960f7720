/* dc-sparkplug-node-session.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-sparkplug"

#include "config.h"

#include "dc-sparkplug-node-private.h"

#include <string.h>

#include "dc-status-section.h"

/* The edge node's session with the broker (docs/sparkplug.md, "Sessions"): births when it is
 * born, the primary host's STATE, store and forward, the status section. */

static guint64
now_ms (void)
{
  return (guint64) (g_get_real_time () / 1000);
}

/* The node is born (a session, and the primary host online when there is one): births, then
 * what the queue holds. */
static void
go_online (DcSparkplugNode *self)
{
  if (self->online || !self->session ||
      (self->primary_host_id != NULL && !self->host_online))
    return;
  self->online = TRUE;
  dc_sparkplug_node_birth_all (self);
  if (self->forward != NULL)
    dc_sparkplug_forward_replay (self->forward);
}

/* The node stops publishing: the devices born now are held (their values are queued). */
static void
go_offline (DcSparkplugNode *self)
{
  GHashTableIter iter;
  gpointer value;

  if (!self->online)
    return;
  self->online = FALSE;
  g_hash_table_iter_init (&iter, self->devices);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Device *device = value;

      device->held = device->born && self->forward != NULL;
      device->born = FALSE;
      if (!device->held)
        dc_sparkplug_node_forget_metrics (self, device);
    }
  if (self->forward != NULL)
    dc_sparkplug_forward_lost (self->forward);
}

static void
connected_cb (gpointer user_data,
              guint64  bd_seq)
{
  DcSparkplugNode *self = user_data;

  g_message ("Sparkplug edge node %s/%s connected to %s:%u (bdSeq %" G_GUINT64_FORMAT ")%s",
             self->group_id, self->edge_node_id, self->host, self->port, bd_seq,
             self->primary_host_id != NULL && !self->host_online ?
             ", waiting for the primary host" : "");
  self->session = TRUE;
  self->bd_seq = bd_seq;
  go_online (self);
}

static void
disconnected_cb (gpointer user_data,
                 int      reason)
{
  DcSparkplugNode *self = user_data;

  if (self->session)
    g_message ("Sparkplug edge node %s/%s offline (reason %d)", self->group_id,
               self->edge_node_id, reason);
  self->session = FALSE;
  /* The next session learns the primary host's state again (its STATE is retained). */
  self->host_online = FALSE;
  go_offline (self);
}

/* STATE of the primary host: {"online": true|false, "timestamp": ms}, retained. A message
 * older than the last one accepted is ignored. Online: births and the queue; offline: NDEATH,
 * and the values wait in the queue. */
static void
handle_state (DcSparkplugNode *self,
              GBytes          *payload)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize size;
  const char *data = g_bytes_get_data (payload, &size);
  JsonObject *object;
  JsonNode *online_node, *timestamp_node;
  gint64 timestamp;
  gboolean online;

  if (!json_parser_load_from_data (parser, data, (gssize) size, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_message ("%s: not a Sparkplug STATE (JSON object expected)", self->state_topic);
      return;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  online_node = json_object_get_member (object, "online");
  timestamp_node = json_object_get_member (object, "timestamp");
  if (online_node == NULL || json_node_get_value_type (online_node) != G_TYPE_BOOLEAN ||
      timestamp_node == NULL || json_node_get_value_type (timestamp_node) != G_TYPE_INT64)
    {
      g_message ("%s: a STATE needs \"online\" (boolean) and \"timestamp\" (integer)",
                 self->state_topic);
      return;
    }
  online = json_node_get_boolean (online_node);
  timestamp = json_node_get_int (timestamp_node);
  if (timestamp < self->host_timestamp)
    {
      g_debug ("%s: an older STATE ignored", self->state_topic);
      return;
    }
  self->host_timestamp = timestamp;
  if (online == self->host_online)
    return;
  self->host_online = online;
  g_message ("primary host %s %s", self->primary_host_id, online ? "online" : "offline");
  if (online)
    go_online (self);
  else if (self->online)
    {
      g_autofree char *topic = dc_sparkplug_node_make_topic (self, "NDEATH", NULL);
      g_autoptr(GBytes) death = dc_sparkplug_payload_encode_death (now_ms (), self->bd_seq);

      dc_sparkplug_client_publish (self->client, topic, death, 1);
      go_offline (self);
    }
}

/* Store and forward: one DDATA of stored values (historical). */
static gboolean
replay_publish_cb (gpointer                 user_data,
                   const char              *device_id,
                   const DcSparkplugMetric *metrics,
                   guint                    n)
{
  DcSparkplugNode *self = user_data;
  Device *device = g_hash_table_lookup (self->devices, device_id);

  if (!self->online || device == NULL || !device->born)
    return FALSE;
  dc_sparkplug_node_publish (self, "DDATA", device->id, metrics, n);
  return TRUE;
}

static void
message_cb (gpointer    user_data,
            const char *topic,
            GBytes     *payload)
{
  DcSparkplugNode *self = user_data;
  g_autoptr(GArray) commands = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ncmd = dc_sparkplug_node_make_topic (self, "NCMD", NULL);
  g_autofree char *dcmd_prefix = dc_sparkplug_node_make_topic (self, "DCMD", "");
  gsize size;
  const guint8 *data = g_bytes_get_data (payload, &size);

  if (self->state_topic != NULL && g_str_equal (topic, self->state_topic))
    {
      handle_state (self, payload);
      return;
    }
  if (!self->online)
    return;
  self->commands++;
  commands = dc_sparkplug_payload_decode (data, size, NULL, &error);
  if (commands == NULL)
    {
      g_message ("%s: %s", topic, error->message);
      return;
    }

  if (g_str_equal (topic, ncmd))
    {
      for (guint i = 0; i < commands->len; i++)
        {
          const DcSparkplugCommand *command = &g_array_index (commands, DcSparkplugCommand, i);

          if (g_strcmp0 (command->name, REBIRTH_METRIC) == 0 && command->has_value &&
              command->value != 0)
            {
              g_message ("rebirth requested by %s", topic);
              dc_sparkplug_node_birth_all (self);
              return;
            }
        }
    }
  else if (g_str_has_prefix (topic, dcmd_prefix))
    dc_sparkplug_node_handle_dcmd (self, topic + strlen (dcmd_prefix), commands);
}

/* The "sparkplug" section of /status (docs/sparkplug.md, "Status"). */
static JsonNode *
status_cb (gpointer user_data)
{
  DcSparkplugNode *self = user_data;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *broker = g_strdup_printf ("%s:%u", self->host, self->port);
  DcSparkplugClientStats client = { 0 };
  DcSparkplugForwardStats forward = { 0 };
  const char *state;

  if (self->client != NULL)
    dc_sparkplug_client_get_stats (self->client, &client);
  if (self->forward != NULL)
    dc_sparkplug_forward_get_stats (self->forward, &forward);
  if (self->online)
    state = "online";
  else if (self->session)
    state = "waiting_for_primary_host";
  else
    state = "connecting";

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, state);
  json_builder_set_member_name (builder, "connected");
  json_builder_add_boolean_value (builder, self->session);
  json_builder_set_member_name (builder, "broker");
  json_builder_add_string_value (builder, broker);
  json_builder_set_member_name (builder, "tls");
  json_builder_add_boolean_value (builder, self->tls_ca != NULL);
  json_builder_set_member_name (builder, "group_id");
  json_builder_add_string_value (builder, self->group_id);
  json_builder_set_member_name (builder, "edge_node_id");
  json_builder_add_string_value (builder, self->edge_node_id);
  json_builder_set_member_name (builder, "primary_host_id");
  if (self->primary_host_id != NULL)
    json_builder_add_string_value (builder, self->primary_host_id);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "primary_host_online");
  if (self->primary_host_id != NULL)
    json_builder_add_boolean_value (builder, self->host_online);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "bd_seq");
  json_builder_add_int_value (builder, (gint64) self->bd_seq);
#define COUNTER(name, v) \
  json_builder_set_member_name (builder, name); \
  json_builder_add_int_value (builder, (gint64) (v))
  COUNTER ("births", self->births);
  COUNTER ("reconnects", client.connects > 0 ? client.connects - 1 : 0);
  COUNTER ("messages_sent", client.published);
  COUNTER ("publish_failed", client.publish_failed);
  COUNTER ("values_sent", self->values_sent);
  COUNTER ("commands", self->commands);
  COUNTER ("queued", forward.queued);
  COUNTER ("stored", forward.stored);
  COUNTER ("replayed", forward.replayed);
  COUNTER ("resent", forward.resent);
  COUNTER ("dropped", forward.dropped);
#undef COUNTER
  json_builder_set_member_name (builder, "store_and_forward");
  json_builder_add_boolean_value (builder, self->forward != NULL);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

gboolean
dc_sparkplug_node_start (DcSparkplugNode  *self,
                         GError          **error)
{
  g_autofree char *death = NULL;
  g_autofree char *ncmd = NULL;
  g_autofree char *dcmd = NULL;
  const DcSparkplugClientCallbacks callbacks = {
    .connected = connected_cb,
    .disconnected = disconnected_cb,
    .message = message_cb,
  };

  g_return_val_if_fail (DC_IS_SPARKPLUG_NODE (self), FALSE);
  g_return_val_if_fail (self->client == NULL, FALSE);

  if (self->queue_path != NULL)
    {
      DcSparkplugQueue *queue = dc_sparkplug_queue_open (self->queue_path, self->queue_max,
                                                         error);

      if (queue == NULL)
        return FALSE;
      /* libmosquitto notices a dead connection within two keep-alive periods (a PINGREQ once
       * nothing came for one, the socket closed when its PINGRESP did not come within
       * another). */
      self->forward = dc_sparkplug_forward_new (queue,
                                                (gint64) self->keepalive_s * 2 *
                                                G_USEC_PER_SEC + 2 * G_USEC_PER_SEC,
                                                replay_publish_cb, self);
    }

  death = dc_sparkplug_node_make_topic (self, "NDEATH", NULL);
  ncmd = dc_sparkplug_node_make_topic (self, "NCMD", NULL);
  dcmd = dc_sparkplug_node_make_topic (self, "DCMD", "+");
  self->client = dc_sparkplug_client_new (self->client_id, death,
                                          (const char * const[]) {
                                            ncmd, dcmd, self->state_topic, NULL
                                          },
                                          &callbacks, self);

  if (self->username != NULL)
    dc_sparkplug_client_set_credentials (self->client, self->username, self->password);
  if (self->tls_ca != NULL && !dc_sparkplug_client_set_tls (self->client, self->tls_ca, error))
    return FALSE;

  g_signal_connect (self->engine, "samples", G_CALLBACK (dc_sparkplug_node_samples_cb), self);
  g_signal_connect (self->drivers, "device-changed",
                    G_CALLBACK (dc_sparkplug_node_device_changed_cb), self);
  g_signal_connect (self->store, "changed", G_CALLBACK (dc_sparkplug_node_store_changed_cb),
                    self);
  dc_status_section_add ("sparkplug", status_cb, self);

  dc_sparkplug_client_start (self->client, self->host, self->port, self->keepalive_s);
  return TRUE;
}
