/* dc-mqtt-link.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-mqtt"

#include "config.h"

#include "dc-mqtt-link.h"

#include <errno.h>
#include <poll.h>

#include "dc-error.h"

/* A connection that failed or ended is tried again after RETRY_MS; one that gets no CONNACK
 * within CONNACK_TIMEOUT_MS (the CONNECT or its answer lost on the way) is abandoned and tried
 * again at once. A broker back after an outage is found within about 2 s. */
#define RETRY_MS            1000
#define CONNACK_TIMEOUT_MS  2000
/* How long a clean stop may take to write what was published and DISCONNECT. */
#define STOP_TIMEOUT_MS     2000

/* What the network thread shares with the main context: posted work holds a reference;
 * @alive (main context only) is cleared when the link is freed, so that work still queued is
 * dropped. */
typedef struct
{
  gatomicrefcount ref;
  gboolean        alive;
} Channel;

typedef struct
{
  Channel        *channel;
  GSourceFunc     func;
  gpointer        data;
  GDestroyNotify  destroy;
} Post;

struct _DcMqttLink
{
  struct mosquitto    *mosq;
  GMainContext        *context;
  Channel             *channel;
  DcMqttLinkCallbacks  callbacks;
  gpointer             user_data;
  char                *host;
  guint                port;
  guint                keepalive_s;
  GThread             *thread;
  GMutex               lock;
  GCond                cond;
  gboolean             stopping;
  /* Under @lock: message ids of QoS 1 and 2 publications the broker has not acknowledged. */
  GHashTable          *unacked;
  /* Network thread only. */
  gboolean             have_socket;
  gint64               connect_started;  /* monotonic µs; 0: not waiting for CONNACK */
  gboolean             failure_logged;
};

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
post_free (gpointer data)
{
  Post *post = data;

  if (post->destroy != NULL)
    post->destroy (post->data);
  channel_unref (post->channel);
  g_free (post);
}

static gboolean
post_dispatch_cb (gpointer data)
{
  Post *post = data;

  if (post->channel->alive)
    post->func (post->data);
  return G_SOURCE_REMOVE;
}

void
dc_mqtt_link_post (DcMqttLink     *self,
                   GSourceFunc     func,
                   gpointer        data,
                   GDestroyNotify  destroy)
{
  g_autoptr(GSource) source = g_idle_source_new ();
  Post *post = g_new0 (Post, 1);

  post->channel = channel_ref (self->channel);
  post->func = func;
  post->data = data;
  post->destroy = destroy;
  /* Always through an idle, never at once: the main context may call in with a lock of the
   * owner held. */
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, post_dispatch_cb, post, post_free);
  g_source_set_static_name (source, "[dc-mqtt-link]");
  g_source_attach (source, self->context);
}

static void
failed (DcMqttLink *self,
        const char *error)
{
  if (self->callbacks.failed != NULL)
    self->callbacks.failed (self->user_data, error);
  else if (!self->failure_logged)
    g_message ("%s", error);
  self->failure_logged = TRUE;
}

static void
on_connect_cb (struct mosquitto *mosq,
               void             *obj,
               int               rc)
{
  DcMqttLink *self = obj;

  self->connect_started = 0;
  if (rc != 0)
    {
      g_autofree char *error = g_strdup_printf ("MQTT broker %s:%u refused the connection: %s",
                                                self->host, self->port,
                                                mosquitto_connack_string (rc));

      failed (self, error);
      return;
    }
  self->failure_logged = FALSE;
  self->callbacks.connected (self->user_data);
}

static void
on_subscribe_cb (struct mosquitto *mosq,
                 void             *obj,
                 int               mid,
                 int               qos_count,
                 const int        *granted_qos)
{
  DcMqttLink *self = obj;

  if (self->callbacks.subscribed != NULL)
    self->callbacks.subscribed (self->user_data);
}

static void
on_publish_cb (struct mosquitto *mosq,
               void             *obj,
               int               mid)
{
  DcMqttLink *self = obj;

  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->unacked, GINT_TO_POINTER (mid));
  g_mutex_unlock (&self->lock);
}

static void
on_disconnect_cb (struct mosquitto *mosq,
                  void             *obj,
                  int               rc)
{
  DcMqttLink *self = obj;

  self->callbacks.disconnected (self->user_data, rc);
}

static void
on_message_cb (struct mosquitto               *mosq,
               void                           *obj,
               const struct mosquitto_message *message)
{
  DcMqttLink *self = obj;

  self->callbacks.message (self->user_data, message);
}

/* Waits @ms or until free() asks the thread to stop; TRUE when it does. */
static gboolean
wait_or_stop (DcMqttLink *self,
              guint       ms)
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
is_stopping (DcMqttLink *self)
{
  gboolean stopping;

  g_mutex_lock (&self->lock);
  stopping = self->stopping;
  g_mutex_unlock (&self->lock);
  return stopping;
}

/* TRUE when what was published is written and the broker acknowledged what needs it. */
static gboolean
flushed (DcMqttLink *self)
{
  gboolean acked;

  g_mutex_lock (&self->lock);
  acked = g_hash_table_size (self->unacked) == 0;
  g_mutex_unlock (&self->lock);
  return acked && !mosquitto_want_write (self->mosq);
}

/* The clean end of a session (network thread): DISCONNECT written, then the socket closed.
 * mosquitto_disconnect() marks the client disconnected at once, and libmosquitto 2.0 takes
 * any packet it reads in that state (the PUBACK of a last STATE, a subscribed message) as a
 * protocol error and closes the socket before DISCONNECT is written: the broker then sends
 * the will as well (the STATE offline that came twice, docs/sparkplug.md). So nothing is read
 * here: DISCONNECT is written alone (libmosquitto closes the socket after it). */
static void
write_disconnect (DcMqttLink *self,
                  gint64      deadline)
{
  mosquitto_disconnect (self->mosq);
  while (mosquitto_socket (self->mosq) >= 0 && g_get_monotonic_time () < deadline)
    {
      struct pollfd pfd = { .fd = mosquitto_socket (self->mosq), .events = POLLOUT };

      if (mosquitto_loop_write (self->mosq, 1) != MOSQ_ERR_SUCCESS ||
          mosquitto_socket (self->mosq) < 0)
        break;
      /* The socket's buffer is full: wait for room. */
      if (poll (&pfd, 1, 100) < 0 && errno != EINTR)
        break;
    }
}

static gpointer
network_thread_func (gpointer data)
{
  DcMqttLink *self = data;
  gboolean attempted = FALSE;
  gint64 stop_deadline = 0;

  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      int rc;

      if (is_stopping (self))
        {
          /* What was published goes out first (and its acknowledgement comes back), then
           * DISCONNECT; a connection without a session yet just closes. */
          if (!self->have_socket || self->connect_started != 0)
            break;
          if (stop_deadline == 0)
            stop_deadline = now + STOP_TIMEOUT_MS * (G_USEC_PER_SEC / 1000);
          if (flushed (self) || now > stop_deadline)
            {
              write_disconnect (self, stop_deadline + STOP_TIMEOUT_MS * (G_USEC_PER_SEC / 1000));
              break;
            }
        }
      else if (!self->have_socket)
        {
          rc = attempted ? mosquitto_reconnect_async (self->mosq) :
            mosquitto_connect_async (self->mosq, self->host, (int) self->port,
                                     (int) self->keepalive_s);
          attempted = TRUE;
          if (rc != MOSQ_ERR_SUCCESS)
            {
              g_autofree char *error =
                g_strdup_printf ("cannot connect to the MQTT broker %s:%u: %s", self->host,
                                 self->port, rc == MOSQ_ERR_ERRNO ? g_strerror (errno) :
                                 mosquitto_strerror (rc));

              failed (self, error);
              if (wait_or_stop (self, RETRY_MS))
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
          /* As after a session (the broker may have taken the CONNECT and publish its will
           * when the next one comes). mosquitto_reconnect_async() closes the socket. */
          self->callbacks.disconnected (self->user_data, DC_MQTT_LINK_NO_CONNACK);
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
          if (is_stopping (self) || wait_or_stop (self, RETRY_MS))
            break;
        }
    }

  return NULL;
}

DcMqttLink *
dc_mqtt_link_new (const char                *client_id,
                  const DcMqttLinkCallbacks *callbacks,
                  gpointer                   user_data)
{
  static gsize lib_init = 0;
  DcMqttLink *self;

  g_return_val_if_fail (client_id != NULL, NULL);
  g_return_val_if_fail (callbacks != NULL && callbacks->connected != NULL &&
                        callbacks->disconnected != NULL && callbacks->message != NULL, NULL);

  if (g_once_init_enter (&lib_init))
    {
      mosquitto_lib_init ();
      g_once_init_leave (&lib_init, 1);
    }

  self = g_new0 (DcMqttLink, 1);
  self->context = g_main_context_ref_thread_default ();
  self->callbacks = *callbacks;
  self->user_data = user_data;
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->unacked = g_hash_table_new (NULL, NULL);
  self->channel = g_new0 (Channel, 1);
  g_atomic_ref_count_init (&self->channel->ref);
  self->channel->alive = TRUE;

  self->mosq = mosquitto_new (client_id, true, self);
  if (self->mosq == NULL)
    g_error ("cannot create the MQTT client: %s", g_strerror (errno));
  mosquitto_connect_callback_set (self->mosq, on_connect_cb);
  mosquitto_disconnect_callback_set (self->mosq, on_disconnect_cb);
  mosquitto_publish_callback_set (self->mosq, on_publish_cb);
  mosquitto_subscribe_callback_set (self->mosq, on_subscribe_cb);
  mosquitto_message_callback_set (self->mosq, on_message_cb);
  /* Our thread runs the loop: publishing from other threads only queues (and wakes it). */
  mosquitto_threaded_set (self->mosq, true);

  return self;
}

void
dc_mqtt_link_set_credentials (DcMqttLink *self,
                              const char *username,
                              const char *password)
{
  int rc;

  g_return_if_fail (self != NULL);
  g_return_if_fail (self->thread == NULL);

  rc = mosquitto_username_pw_set (self->mosq, username, password);
  if (rc != MOSQ_ERR_SUCCESS)
    g_warning ("cannot set the MQTT username: %s", mosquitto_strerror (rc));
}

gboolean
dc_mqtt_link_set_tls (DcMqttLink  *self,
                      const char  *ca_file,
                      GError     **error)
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
dc_mqtt_link_set_will (DcMqttLink    *self,
                       const char    *topic,
                       gconstpointer  payload,
                       gsize          size,
                       int            qos,
                       gboolean       retain)
{
  int rc = mosquitto_will_set (self->mosq, topic, (int) size, payload, qos, retain);

  if (rc != MOSQ_ERR_SUCCESS)
    g_warning ("cannot set the MQTT will: %s", mosquitto_strerror (rc));
}

void
dc_mqtt_link_start (DcMqttLink *self,
                    const char *host,
                    guint       port,
                    guint       keepalive_s)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->thread == NULL);

  self->host = g_strdup (host);
  self->port = port;
  self->keepalive_s = keepalive_s > 0 ? keepalive_s : 30;
  self->thread = g_thread_new ("dc-mqtt", network_thread_func, self);
}

void
dc_mqtt_link_subscribe (DcMqttLink *self,
                        const char *filter,
                        int         qos)
{
  int rc = mosquitto_subscribe (self->mosq, NULL, filter, qos);

  if (rc != MOSQ_ERR_SUCCESS)
    g_warning ("cannot subscribe to %s: %s", filter, mosquitto_strerror (rc));
}

gboolean
dc_mqtt_link_publish (DcMqttLink     *self,
                      const char     *topic,
                      gconstpointer   payload,
                      gsize           size,
                      int             qos,
                      gboolean        retain,
                      int            *mid,
                      const char    **error_text)
{
  int rc;
  int id = 0;

  g_return_val_if_fail (self != NULL, FALSE);

  /* Under the lock for QoS 1 and 2, so that the acknowledgement (network thread) cannot come
   * before the id is noted. */
  if (qos > 0)
    g_mutex_lock (&self->lock);
  rc = mosquitto_publish (self->mosq, &id, topic, (int) size, payload, qos, retain);
  if (qos > 0)
    {
      if (rc == MOSQ_ERR_SUCCESS)
        g_hash_table_add (self->unacked, GINT_TO_POINTER (id));
      g_mutex_unlock (&self->lock);
    }
  if (mid != NULL)
    *mid = id;
  if (rc != MOSQ_ERR_SUCCESS)
    {
      if (error_text != NULL)
        *error_text = mosquitto_strerror (rc);
      return FALSE;
    }
  return TRUE;
}

const char *
dc_mqtt_link_get_host (DcMqttLink *self)
{
  return self->host;
}

guint
dc_mqtt_link_get_port (DcMqttLink *self)
{
  return self->port;
}

void
dc_mqtt_link_free (DcMqttLink *self)
{
  if (self == NULL)
    return;

  self->channel->alive = FALSE;
  if (self->thread != NULL)
    {
      /* The network thread writes what was published, waits for its acknowledgements, then
       * writes DISCONNECT and ends (write_disconnect()). */
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
  g_free (self->host);
  g_hash_table_unref (self->unacked);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}
