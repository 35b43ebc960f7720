/* dc-sparkplug-client.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-sparkplug"

#include "config.h"

#include "dc-sparkplug-client.h"

#include "dc-mqtt-link.h"
#include "dc-sparkplug-payload.h"

struct _DcSparkplugClient
{
  DcMqttLink                 *link;
  DcSparkplugClientCallbacks  callbacks;
  gpointer                    user_data;
  char                       *death_topic;
  GStrv                       subscriptions;
  gboolean                    started;
  /* The bdSeq of the current (or next) session: written by the network thread between
   * sessions, read there too; the main context gets it with ::connected. */
  guint64                     bd_seq;
  /* Counters: published/publish_failed on the main thread, the others from the network
   * thread (atomics). */
  guint64                     published;
  guint64                     publish_failed;
  gint                        received;
  gint                        connects;
  gint                        disconnects;
};

typedef enum
{
  EVENT_CONNECTED,
  EVENT_DISCONNECTED,
  EVENT_MESSAGE,
} EventType;

typedef struct
{
  DcSparkplugClient *client;
  EventType          type;
  guint64            bd_seq;
  int                reason;
  char              *topic;
  GBytes            *payload;
} Event;

static void
event_free (gpointer data)
{
  Event *event = data;

  g_free (event->topic);
  g_clear_pointer (&event->payload, g_bytes_unref);
  g_free (event);
}

/* Main context (dc_mqtt_link_post(): never after the client is freed). */
static gboolean
event_dispatch_cb (gpointer data)
{
  Event *event = data;
  DcSparkplugClient *self = event->client;

  switch (event->type)
    {
    case EVENT_CONNECTED:
      self->callbacks.connected (self->user_data, event->bd_seq);
      break;
    case EVENT_DISCONNECTED:
      self->callbacks.disconnected (self->user_data, event->reason);
      break;
    case EVENT_MESSAGE:
      self->callbacks.message (self->user_data, event->topic, event->payload);
      break;
    default:
      g_assert_not_reached ();
    }

  return G_SOURCE_REMOVE;
}

/* Network thread: hands @event to the main context. */
static void
post_event (DcSparkplugClient *self,
            Event             *event)
{
  event->client = self;
  dc_mqtt_link_post (self->link, event_dispatch_cb, event, event_free);
}

static guint64
now_ms (void)
{
  return (guint64) (g_get_real_time () / 1000);
}

/* Sets the will: NDEATH with the current bdSeq (QoS 1, not retained). Before connecting or on
 * the network thread between sessions. */
static void
set_will (DcSparkplugClient *self)
{
  g_autoptr(GBytes) death = dc_sparkplug_payload_encode_death (now_ms (), self->bd_seq);
  gsize size;
  gconstpointer data = g_bytes_get_data (death, &size);

  dc_mqtt_link_set_will (self->link, self->death_topic, data, size, 1, FALSE);
}

static void
connected_cb (gpointer user_data)
{
  DcSparkplugClient *self = user_data;
  Event *event;

  for (guint i = 0; self->subscriptions[i] != NULL; i++)
    dc_mqtt_link_subscribe (self->link, self->subscriptions[i], 1);
  g_atomic_int_inc (&self->connects);

  event = g_new0 (Event, 1);
  event->type = EVENT_CONNECTED;
  event->bd_seq = self->bd_seq;
  post_event (self, event);
}

static void
disconnected_cb (gpointer user_data,
                 int      reason)
{
  DcSparkplugClient *self = user_data;
  Event *event;

  /* The next session gets the next bdSeq, and its will says so before the link connects
   * again (also after an abandoned CONNECT: the broker may have taken it and publishes its
   * will when the next one comes). */
  self->bd_seq = (self->bd_seq + 1) % 256;
  set_will (self);
  if (reason == DC_MQTT_LINK_NO_CONNACK)
    return;
  g_atomic_int_inc (&self->disconnects);

  event = g_new0 (Event, 1);
  event->type = EVENT_DISCONNECTED;
  event->reason = reason;
  post_event (self, event);
}

static void
message_cb (gpointer                        user_data,
            const struct mosquitto_message *message)
{
  DcSparkplugClient *self = user_data;
  Event *event;

  g_atomic_int_inc (&self->received);
  event = g_new0 (Event, 1);
  event->type = EVENT_MESSAGE;
  event->topic = g_strdup (message->topic);
  event->payload = g_bytes_new (message->payload, (gsize) MAX (message->payloadlen, 0));
  post_event (self, event);
}

DcSparkplugClient *
dc_sparkplug_client_new (const char                       *client_id,
                         const char                       *death_topic,
                         const char * const               *subscriptions,
                         const DcSparkplugClientCallbacks *callbacks,
                         gpointer                          user_data)
{
  static const DcMqttLinkCallbacks link_callbacks = {
    .connected = connected_cb,
    .disconnected = disconnected_cb,
    .message = message_cb,
  };
  DcSparkplugClient *self;

  g_return_val_if_fail (client_id != NULL, NULL);
  g_return_val_if_fail (death_topic != NULL, NULL);
  g_return_val_if_fail (callbacks != NULL, NULL);

  self = g_new0 (DcSparkplugClient, 1);
  self->callbacks = *callbacks;
  self->user_data = user_data;
  self->death_topic = g_strdup (death_topic);
  self->subscriptions = g_strdupv ((char **) subscriptions);
  self->link = dc_mqtt_link_new (client_id, &link_callbacks, self);
  set_will (self);

  return self;
}

void
dc_sparkplug_client_set_credentials (DcSparkplugClient *self,
                                     const char        *username,
                                     const char        *password)
{
  g_return_if_fail (self != NULL);

  dc_mqtt_link_set_credentials (self->link, username, password);
}

gboolean
dc_sparkplug_client_set_tls (DcSparkplugClient  *self,
                             const char         *ca_file,
                             GError            **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return dc_mqtt_link_set_tls (self->link, ca_file, error);
}

void
dc_sparkplug_client_start (DcSparkplugClient *self,
                           const char        *host,
                           guint              port,
                           guint              keepalive_s)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (!self->started);

  self->started = TRUE;
  dc_mqtt_link_start (self->link, host, port, keepalive_s);
}

gboolean
dc_sparkplug_client_publish (DcSparkplugClient *self,
                             const char        *topic,
                             GBytes            *payload,
                             int                qos)
{
  const char *error = NULL;
  gsize size;
  gconstpointer data;

  g_return_val_if_fail (self != NULL, FALSE);

  data = g_bytes_get_data (payload, &size);
  if (!dc_mqtt_link_publish (self->link, topic, data, size, qos, FALSE, NULL, &error))
    {
      self->publish_failed++;
      g_debug ("cannot publish %s: %s", topic, error);
      return FALSE;
    }
  self->published++;
  return TRUE;
}

void
dc_sparkplug_client_get_stats (DcSparkplugClient      *self,
                               DcSparkplugClientStats *stats)
{
  g_return_if_fail (self != NULL);

  stats->published = self->published;
  stats->publish_failed = self->publish_failed;
  stats->received = (guint) g_atomic_int_get (&self->received);
  stats->connects = (guint) g_atomic_int_get (&self->connects);
  stats->disconnects = (guint) g_atomic_int_get (&self->disconnects);
}

void
dc_sparkplug_client_free (DcSparkplugClient *self)
{
  if (self == NULL)
    return;

  /* A clean end: NDEATH now, as the broker would have sent it; the link sends DISCONNECT
   * after it. */
  if (self->started)
    {
      g_autoptr(GBytes) death = dc_sparkplug_payload_encode_death (now_ms (), self->bd_seq);

      dc_mqtt_link_publish (self->link, self->death_topic, g_bytes_get_data (death, NULL),
                            g_bytes_get_size (death), 1, FALSE, NULL, NULL);
    }
  dc_mqtt_link_free (self->link);
  g_free (self->death_topic);
  g_strfreev (self->subscriptions);
  g_free (self);
}
