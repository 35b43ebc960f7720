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

/* A connection that failed or ended is tried again after RETRY_S; one that gets no CONNACK
 * within CONNACK_TIMEOUT_MS (the CONNECT or its answer lost on the way) is abandoned and tried
 * again at once. A broker back after an outage is found within about 2 s. */
#define RETRY_S             1
#define CONNACK_TIMEOUT_MS  2000
/* How long a clean stop may take to write NDEATH and DISCONNECT. */
#define STOP_TIMEOUT_MS     2000

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
  /* The network thread: connects, runs libmosquitto's loop, reconnects; free() stops it. */
  GThread                    *thread;
  GMutex                      lock;
  GCond                       cond;
  gboolean                    stopping;
  /* Network thread only. */
  gboolean                    have_socket;
  gint64                      connect_started;  /* monotonic µs; 0: not waiting for CONNACK */
  gboolean                    refusal_logged;
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

  self->connect_started = 0;
  if (rc != 0)
    {
      /* Said once until a session starts (it is tried again every second). */
      if (!self->refusal_logged)
        g_message ("MQTT broker %s:%u refused the connection: %s", self->host, self->port,
                   mosquitto_connack_string (rc));
      self->refusal_logged = TRUE;
      return;
    }
  self->refusal_logged = FALSE;

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

  /* The next session gets the next bdSeq, and its will says so before the network thread
   * reconnects (after this callback). */
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

/* Waits @ms or until free() asks the thread to stop; TRUE when it does. */
static gboolean
wait_or_stop (DcSparkplugClient *self,
              guint              ms)
{
  gint64 until = g_get_monotonic_time () + ms * (G_USEC_PER_SEC / 1000);
  gboolean stopping;

  g_mutex_lock (&self->lock);
  while (!self->stopping && g_cond_wait_until (&self->cond, &self->lock, until))
    ;
  stopping = self->stopping;
  g_mutex_unlock (&self->lock);
  return stopping;
}

static gboolean
is_stopping (DcSparkplugClient *self)
{
  gboolean stopping;

  g_mutex_lock (&self->lock);
  stopping = self->stopping;
  g_mutex_unlock (&self->lock);
  return stopping;
}

/* The network thread. libmosquitto's own thread (mosquitto_loop_start) would wait a whole
 * keep-alive for a CONNACK that was lost; this one gives up after CONNACK_TIMEOUT_MS. Name
 * lookups (which may block) happen here too. */
static gpointer
network_thread_func (gpointer data)
{
  DcSparkplugClient *self = data;
  gboolean attempted = FALSE;
  gboolean logged = FALSE;
  gint64 stop_deadline = 0;

  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      int rc;

      if (is_stopping (self))
        {
          /* free() queued NDEATH and DISCONNECT: the loop writes them, then the socket
           * closes. */
          if (!self->have_socket)
            break;
          if (stop_deadline == 0)
            stop_deadline = now + STOP_TIMEOUT_MS * (G_USEC_PER_SEC / 1000);
          else if (now > stop_deadline)
            break;
        }
      else if (!self->have_socket)
        {
          rc = attempted ? mosquitto_reconnect_async (self->mosq) :
            mosquitto_connect_async (self->mosq, self->host, (int) self->port,
                                     (int) self->keepalive_s);
          attempted = TRUE;
          if (rc != MOSQ_ERR_SUCCESS)
            {
              if (!logged)
                g_message ("cannot connect to the MQTT broker %s:%u yet: %s", self->host,
                           self->port, rc == MOSQ_ERR_ERRNO ? g_strerror (errno) :
                           mosquitto_strerror (rc));
              logged = TRUE;
              if (wait_or_stop (self, RETRY_S * 1000))
                break;
              continue;
            }
          self->have_socket = TRUE;
          self->connect_started = now;
          continue;
        }
      else if (self->connect_started != 0 &&
               now - self->connect_started > CONNACK_TIMEOUT_MS * (G_USEC_PER_SEC / 1000))
        {
          g_message ("MQTT broker %s:%u: no CONNACK within %d ms, connecting again",
                     self->host, self->port, CONNACK_TIMEOUT_MS);
          /* As after a session: the next bdSeq (the broker may have taken the CONNECT and
           * will publish its will when the next one comes). mosquitto_reconnect_async()
           * closes the socket. */
          self->bd_seq = (self->bd_seq + 1) % 256;
          set_will (self);
          self->have_socket = FALSE;
          self->connect_started = 0;
          continue;
        }

      rc = mosquitto_loop (self->mosq, 100, 1);
      if (rc != MOSQ_ERR_SUCCESS)
        {
          /* libmosquitto closed the socket and called on_disconnect. */
          self->have_socket = FALSE;
          self->connect_started = 0;
          if (is_stopping (self) || wait_or_stop (self, RETRY_S * 1000))
            break;
        }
      else
        logged = FALSE;
    }

  return NULL;
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
  /* Our thread runs the loop: publishing from the main thread only queues (and wakes it). */
  mosquitto_threaded_set (self->mosq, true);
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
  g_return_if_fail (self->thread == NULL);

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
  g_return_val_if_fail (self->thread == NULL, FALSE);

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
  g_return_if_fail (self->thread == NULL);

  self->host = g_strdup (host);
  self->port = port;
  self->keepalive_s = keepalive_s;
  self->thread = g_thread_new ("dc-mqtt", network_thread_func, self);
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

  /* No callback from here on (libmosquitto may call on_disconnect on the network thread). */
  self->channel->alive = FALSE;
  if (self->thread != NULL)
    {
      g_autoptr(GBytes) death = NULL;

      /* A clean end: NDEATH now, as the broker would have sent it, then DISCONNECT; the
       * network thread writes both (one queue, in order) before it ends. */
      death = dc_sparkplug_payload_encode_death (now_ms (), self->bd_seq);
      mosquitto_publish (self->mosq, NULL, self->death_topic, (int) g_bytes_get_size (death),
                         g_bytes_get_data (death, NULL), 1, false);
      mosquitto_disconnect (self->mosq);
      g_mutex_lock (&self->lock);
      self->stopping = TRUE;
      g_cond_signal (&self->cond);
      g_mutex_unlock (&self->lock);
      g_thread_join (self->thread);
      self->thread = NULL;
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
