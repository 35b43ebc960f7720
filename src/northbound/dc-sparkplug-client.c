/* dc-sparkplug-client.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-sparkplug"

#include "config.h"

#include "dc-sparkplug-client.h"

#include <mosquitto.h>

#include "dc-error.h"
#include "dc-sparkplug-payload.h"

/* Reconnection delays (s): a broker back after an outage is found within RETRY_MAX_S. */
#define RETRY_MIN_S 1
#define RETRY_MAX_S 2

/* What the network thread shares with the main context. The thread's events hold a reference;
 * @alive (main context only) is cleared when the client is freed, so that events still queued
 * are dropped. */
typedef struct
{
  gatomicrefcount  ref;
  gboolean         alive;
  DcSparkplugClient *client;
} Channel;

struct _DcSparkplugClient
{
  struct mosquitto           *mosq;
  GMainContext               *context;
  Channel                    *channel;
  DcSparkplugClientCallbacks  callbacks;
  gpointer                    user_data;
  char                       *death_topic;
  GStrv                       subscriptions;
  char                       *host;
  guint                       port;
  guint                       keepalive_s;
  GThread                    *connect_thread;
  gboolean                    loop_started;
  /* Until the first connection succeeds, the connect thread retries; free() wakes it. */
  GMutex                      lock;
  GCond                       cond;
  gboolean                    stopping;
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
  Channel   *channel;
  EventType  type;
  guint64    bd_seq;
  int        reason;
  char      *topic;
  GBytes    *payload;
} Event;

static Channel *
channel_ref (Channel *channel)
{
  g_atomic_ref_count_inc (&channel->ref);
  return channel;
}

static void
channel_unref (Channel *channel)
{
  if (g_atomic_ref_count_dec (&channel->ref))
    g_free (channel);
}

static void
event_free (gpointer data)
{
  Event *event = data;

  channel_unref (event->channel);
  g_free (event->topic);
  g_clear_pointer (&event->payload, g_bytes_unref);
  g_free (event);
}

static gboolean
event_dispatch_cb (gpointer data)
{
  Event *event = data;
  DcSparkplugClient *self;

  if (!event->channel->alive)
    return G_SOURCE_REMOVE;
  self = event->channel->client;

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
  event->channel = channel_ref (self->channel);
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, event_dispatch_cb, event,
                              event_free);
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
  int rc;

  rc = mosquitto_will_set (self->mosq, self->death_topic, (int) size, data, 1, false);
  if (rc != MOSQ_ERR_SUCCESS)
    g_warning ("cannot set the MQTT will: %s", mosquitto_strerror (rc));
}

static void
on_connect_cb (struct mosquitto *mosq,
               void             *obj,
               int               rc)
{
  DcSparkplugClient *self = obj;
  Event *event;

  if (rc != 0)
    {
      g_message ("MQTT broker %s:%u refused the connection: %s", self->host, self->port,
                 mosquitto_connack_string (rc));
      return;
    }

  for (guint i = 0; self->subscriptions[i] != NULL; i++)
    {
      int src = mosquitto_subscribe (mosq, NULL, self->subscriptions[i], 1);

      if (src != MOSQ_ERR_SUCCESS)
        g_warning ("cannot subscribe to %s: %s", self->subscriptions[i],
                   mosquitto_strerror (src));
    }
  g_atomic_int_inc (&self->connects);

  event = g_new0 (Event, 1);
  event->type = EVENT_CONNECTED;
  event->bd_seq = self->bd_seq;
  post_event (self, event);
}

static void
on_disconnect_cb (struct mosquitto *mosq,
                  void             *obj,
                  int               rc)
{
  DcSparkplugClient *self = obj;
  Event *event;

  /* The next session gets the next bdSeq, and its will says so before libmosquitto
   * reconnects (it does so on this thread, after this callback). */
  self->bd_seq = (self->bd_seq + 1) % 256;
  set_will (self);
  g_atomic_int_inc (&self->disconnects);

  event = g_new0 (Event, 1);
  event->type = EVENT_DISCONNECTED;
  event->reason = rc;
  post_event (self, event);
}

static void
on_message_cb (struct mosquitto                *mosq,
               void                            *obj,
               const struct mosquitto_message  *message)
{
  DcSparkplugClient *self = obj;
  Event *event;

  g_atomic_int_inc (&self->received);
  event = g_new0 (Event, 1);
  event->type = EVENT_MESSAGE;
  event->topic = g_strdup (message->topic);
  event->payload = g_bytes_new (message->payload, (gsize) MAX (message->payloadlen, 0));
  post_event (self, event);
}

static gpointer
connect_thread_func (gpointer data)
{
  DcSparkplugClient *self = data;
  guint delay_s = RETRY_MIN_S;
  int rc;

  /* The name lookup may block: that is why this runs here. libmosquitto's network thread
   * reconnects only after a first successful connect, so until then this thread retries
   * (1 s, doubling up to RETRY_MAX_S), and free() wakes it. */
  for (;;)
    {
      gint64 until;

      rc = mosquitto_connect_async (self->mosq, self->host, (int) self->port,
                                    (int) self->keepalive_s);
      if (rc == MOSQ_ERR_SUCCESS)
        break;
      if (delay_s == RETRY_MIN_S)
        g_message ("cannot connect to the MQTT broker %s:%u yet: %s", self->host, self->port,
                   rc == MOSQ_ERR_ERRNO ? g_strerror (errno) : mosquitto_strerror (rc));

      g_mutex_lock (&self->lock);
      until = g_get_monotonic_time () + delay_s * G_TIME_SPAN_SECOND;
      while (!self->stopping && g_cond_wait_until (&self->cond, &self->lock, until))
        ;
      if (self->stopping)
        {
          g_mutex_unlock (&self->lock);
          return GINT_TO_POINTER (FALSE);
        }
      g_mutex_unlock (&self->lock);
      delay_s = MIN (delay_s * 2, RETRY_MAX_S);
    }
  rc = mosquitto_loop_start (self->mosq);
  if (rc != MOSQ_ERR_SUCCESS)
    g_warning ("cannot start the MQTT network thread: %s", mosquitto_strerror (rc));

  return GINT_TO_POINTER (rc == MOSQ_ERR_SUCCESS);
}

DcSparkplugClient *
dc_sparkplug_client_new (const char                       *client_id,
                         const char                       *death_topic,
                         const char * const               *subscriptions,
                         const DcSparkplugClientCallbacks *callbacks,
                         gpointer                          user_data)
{
  static gsize lib_init = 0;
  DcSparkplugClient *self;

  g_return_val_if_fail (client_id != NULL, NULL);
  g_return_val_if_fail (death_topic != NULL, NULL);
  g_return_val_if_fail (callbacks != NULL, NULL);

  if (g_once_init_enter (&lib_init))
    {
      mosquitto_lib_init ();
      g_once_init_leave (&lib_init, 1);
    }

  self = g_new0 (DcSparkplugClient, 1);
  self->context = g_main_context_ref_thread_default ();
  self->callbacks = *callbacks;
  self->user_data = user_data;
  self->death_topic = g_strdup (death_topic);
  self->subscriptions = g_strdupv ((char **) subscriptions);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->channel = g_new0 (Channel, 1);
  g_atomic_ref_count_init (&self->channel->ref);
  self->channel->alive = TRUE;
  self->channel->client = self;

  self->mosq = mosquitto_new (client_id, true, self);
  if (self->mosq == NULL)
    g_error ("cannot create the MQTT client: %s", g_strerror (errno));
  mosquitto_connect_callback_set (self->mosq, on_connect_cb);
  mosquitto_disconnect_callback_set (self->mosq, on_disconnect_cb);
  mosquitto_message_callback_set (self->mosq, on_message_cb);
  mosquitto_reconnect_delay_set (self->mosq, RETRY_MIN_S, RETRY_MAX_S, true);
  set_will (self);

  return self;
}

void
dc_sparkplug_client_set_credentials (DcSparkplugClient *self,
                                     const char        *username,
                                     const char        *password)
{
  int rc;

  g_return_if_fail (self != NULL);
  g_return_if_fail (self->connect_thread == NULL);

  rc = mosquitto_username_pw_set (self->mosq, username, password);
  if (rc != MOSQ_ERR_SUCCESS)
    g_warning ("cannot set the MQTT username: %s", mosquitto_strerror (rc));
}

gboolean
dc_sparkplug_client_set_tls (DcSparkplugClient  *self,
                             const char         *ca_file,
                             GError            **error)
{
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (ca_file != NULL, FALSE);
  g_return_val_if_fail (self->connect_thread == NULL, FALSE);

  /* Peer verification on (SSL_VERIFY_PEER), the host name checked (not insecure). */
  rc = mosquitto_tls_set (self->mosq, ca_file, NULL, NULL, NULL, NULL);
  if (rc == MOSQ_ERR_SUCCESS)
    rc = mosquitto_tls_opts_set (self->mosq, 1, NULL, NULL);
  if (rc == MOSQ_ERR_SUCCESS)
    rc = mosquitto_tls_insecure_set (self->mosq, false);
  if (rc != MOSQ_ERR_SUCCESS)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "[sparkplug] tls_ca %s: %s", ca_file,
                   rc == MOSQ_ERR_ERRNO ? g_strerror (errno) : mosquitto_strerror (rc));
      return FALSE;
    }
  return TRUE;
}

void
dc_sparkplug_client_start (DcSparkplugClient *self,
                           const char        *host,
                           guint              port,
                           guint              keepalive_s)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->connect_thread == NULL);

  self->host = g_strdup (host);
  self->port = port;
  self->keepalive_s = keepalive_s;
  self->connect_thread = g_thread_new ("dc-mqtt-connect", connect_thread_func, self);
}

gboolean
dc_sparkplug_client_publish (DcSparkplugClient *self,
                             const char        *topic,
                             GBytes            *payload,
                             int                qos)
{
  gsize size;
  gconstpointer data;
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);

  data = g_bytes_get_data (payload, &size);
  rc = mosquitto_publish (self->mosq, NULL, topic, (int) size, data, qos, false);
  if (rc != MOSQ_ERR_SUCCESS)
    {
      self->publish_failed++;
      g_debug ("cannot publish %s: %s", topic, mosquitto_strerror (rc));
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

  /* No callback from here on (libmosquitto may call on_disconnect on this thread). */
  self->channel->alive = FALSE;
  if (self->connect_thread != NULL)
    {
      g_autoptr(GBytes) death = NULL;

      g_mutex_lock (&self->lock);
      self->stopping = TRUE;
      g_cond_signal (&self->cond);
      g_mutex_unlock (&self->lock);
      self->loop_started = GPOINTER_TO_INT (g_thread_join (self->connect_thread));
      self->connect_thread = NULL;
      /* A clean end: NDEATH now, as the broker would have sent it. The network thread
       * writes it before the DISCONNECT (one queue, in order). */
      death = dc_sparkplug_payload_encode_death (now_ms (), self->bd_seq);
      mosquitto_publish (self->mosq, NULL, self->death_topic, (int) g_bytes_get_size (death),
                         g_bytes_get_data (death, NULL), 1, false);
      mosquitto_disconnect (self->mosq);
      if (self->loop_started)
        mosquitto_loop_stop (self->mosq, false);
    }
  channel_unref (self->channel);
  mosquitto_destroy (self->mosq);
  g_main_context_unref (self->context);
  g_free (self->death_topic);
  g_strfreev (self->subscriptions);
  g_free (self->host);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}
