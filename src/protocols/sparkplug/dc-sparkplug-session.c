/* dc-sparkplug-session.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-sparkplug-host"

#include "config.h"

#include "dc-sparkplug-session-private.h"

#include <math.h>
#include <string.h>

#include "dc-error.h"
#include "dc-mqtt-link.h"
#include "dc-sparkplug-frame-private.h"
#include "dc-sparkplug-payload.h"

#define REBIRTH_METRIC     "Node Control/Rebirth"
#define REBIRTH_INTERVAL   (2 * G_TIME_SPAN_SECOND)
/* DATA held while a birth is applied on the main context (messages). */
#define MAX_HELD           10000

struct _DcSparkplugAliases
{
  gatomicrefcount  ref;
  GHashTable      *by_alias;    /* guint64 * → DcSparkplugTarget */
  GHashTable      *by_address;  /* char * → DcSparkplugTarget */
};

/* A DATA message that waits for a birth. */
typedef struct
{
  char               *device;
  DcSparkplugMessage *message;
  gint64              received;
} Held;

struct _DcSparkplugSession
{
  DcDriver                    *driver;
  DcMqttLink                  *link;
  DcSparkplugSessionCallbacks  callbacks;
  gpointer                     user_data;
  char                        *host;
  guint                        port;
  guint                        keepalive_s;
  gboolean                     started;
  char                        *group_id;
  char                        *edge_node_id;
  char                        *subscription;
  char                        *ncmd_topic;
  char                        *state_topic;    /* NULL: no primary host STATE */
  guint64                      state_time;     /* the STATE birth's timestamp (network thread) */

  /* Under lock: the message state of the network thread, which the main context reads and
   * changes too (aliases, held DATA, expected confirmations, counters). */
  GMutex                       lock;
  DcSparkplugAliases          *aliases;
  gint64                       last_seq;       /* -1: none yet */
  gboolean                     has_bd_seq;
  guint64                      bd_seq;
  guint                        births_pending;
  GQueue                       held;
  GHashTable                  *expected;       /* guint64 * alias → NULL */
  gint64                       last_rebirth;   /* monotonic µs */
  DcSparkplugSessionStats      stats;
  gint                         throttled;      /* atomic */
};

typedef enum
{
  EVENT_BROKER,
  EVENT_BIRTH,
  EVENT_DEATH,
  EVENT_CONFIRM,
} EventType;

typedef struct
{
  DcSparkplugSession     *session;
  EventType               type;
  gboolean                up;
  char                   *error;
  DcSparkplugMessageType  message_type;
  char                   *device;
  DcSparkplugMessage     *message;
  guint64                 alias;
  double                  value;
  guint32                 quality;
} Event;

/* Aliases */

DcSparkplugAliases *
dc_sparkplug_aliases_new (void)
{
  DcSparkplugAliases *self = g_new0 (DcSparkplugAliases, 1);

  g_atomic_ref_count_init (&self->ref);
  self->by_alias = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->by_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

DcSparkplugAliases *
dc_sparkplug_aliases_ref (DcSparkplugAliases *self)
{
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
dc_sparkplug_aliases_unref (DcSparkplugAliases *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
    return;
  g_hash_table_unref (self->by_alias);
  g_hash_table_unref (self->by_address);
  g_free (self);
}

void
dc_sparkplug_aliases_add (DcSparkplugAliases *self,
                          guint64             alias,
                          const char         *address,
                          gint64              key,
                          guint32             datatype)
{
  DcSparkplugTarget target = { key, datatype };

  if (alias != 0)
    g_hash_table_replace (self->by_alias, g_memdup2 (&alias, sizeof alias),
                          g_memdup2 (&target, sizeof target));
  if (address != NULL)
    g_hash_table_replace (self->by_address, g_strdup (address),
                          g_memdup2 (&target, sizeof target));
}

guint
dc_sparkplug_aliases_size (DcSparkplugAliases *self)
{
  return g_hash_table_size (self->by_address);
}

/* Events to the main context */

static void
event_free (gpointer data)
{
  Event *event = data;

  g_free (event->error);
  g_free (event->device);
  g_clear_pointer (&event->message, dc_sparkplug_message_free);
  g_free (event);
}

static gboolean
event_dispatch_cb (gpointer data)
{
  Event *event = data;
  DcSparkplugSession *self = event->session;

  switch (event->type)
    {
    case EVENT_BROKER:
      self->callbacks.broker (self->user_data, event->up, event->error);
      break;
    case EVENT_BIRTH:
      self->callbacks.birth (self->user_data, event->message_type, event->device,
                             event->message);
      break;
    case EVENT_DEATH:
      self->callbacks.death (self->user_data, event->message_type, event->device);
      break;
    case EVENT_CONFIRM:
      self->callbacks.confirm (self->user_data, event->alias, event->value, event->quality);
      break;
    default:
      g_assert_not_reached ();
    }
  return G_SOURCE_REMOVE;
}

/* Through an idle of the link, never at once: the main context also calls in here with the
 * lock held (held DATA handled in dc_sparkplug_session_set_aliases()); never after
 * dc_sparkplug_session_free(). */
static void
post_event (DcSparkplugSession *self,
            Event              *event)
{
  event->session = self;
  dc_mqtt_link_post (self->link, event_dispatch_cb, event, event_free);
}

static void
post_broker (DcSparkplugSession *self,
             gboolean            up,
             const char         *error)
{
  Event *event = g_new0 (Event, 1);

  event->type = EVENT_BROKER;
  event->up = up;
  event->error = g_strdup (error);
  post_event (self, event);
}

/* Publishing */

static void
record (DcSparkplugSession *self,
        gboolean            incoming,
        const char         *topic,
        const guint8       *payload,
        gsize               payload_len,
        int                 qos,
        gboolean            retain,
        int                 mid)
{
  gsize len;
  g_autofree guint8 *frame = dc_sparkplug_frame_build (topic, payload, payload_len, qos, retain,
                                                       mid, &len);

  dc_traffic_append (dc_driver_get_traffic (self->driver), incoming, frame, len);
  dc_driver_count_frame (self->driver, incoming, len);
}

static gboolean
publish (DcSparkplugSession  *self,
         const char          *topic,
         GBytes              *payload,
         GError             **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (payload, &size);
  const char *why = NULL;
  int mid = 0;

  if (!dc_mqtt_link_publish (self->link, topic, data, size, 0, FALSE, &mid, &why))
    {
      g_set_error (error, DC_ERROR, DC_ERROR_OFFLINE, "cannot publish %s: %s", topic, why);
      return FALSE;
    }
  record (self, FALSE, topic, data, size, 0, FALSE, mid);
  return TRUE;
}

static guint64
now_ms (void)
{
  return (guint64) (g_get_real_time () / 1000);
}

/* The host's STATE (Sparkplug B 3.0): retained JSON, QoS 1. */
static char *
state_payload (gboolean online,
               guint64  timestamp_ms)
{
  return g_strdup_printf ("{\"online\":%s,\"timestamp\":%" G_GUINT64_FORMAT "}",
                          online ? "true" : "false", timestamp_ms);
}

/* The will: STATE offline with the timestamp of the next STATE online. Before connecting, and
 * on the network thread between sessions. */
static void
set_state_will (DcSparkplugSession *self)
{
  g_autofree char *payload = NULL;

  self->state_time = now_ms ();
  payload = state_payload (FALSE, self->state_time);
  dc_mqtt_link_set_will (self->link, self->state_topic, payload, strlen (payload), 1, TRUE);
}

static void
publish_state (DcSparkplugSession *self,
               gboolean            online)
{
  g_autofree char *payload = state_payload (online, self->state_time);
  const char *why = NULL;
  int mid = 0;

  if (dc_mqtt_link_publish (self->link, self->state_topic, payload, strlen (payload), 1, TRUE,
                            &mid, &why))
    record (self, FALSE, self->state_topic, (const guint8 *) payload, strlen (payload), 1, TRUE,
            mid);
  else
    g_debug ("cannot publish %s: %s", self->state_topic, why);
}

/* Under lock. */
static void
request_rebirth_locked (DcSparkplugSession *self,
                        const char         *why)
{
  gint64 now = g_get_monotonic_time ();
  DcSparkplugMetric metric = {
    .name = REBIRTH_METRIC,
    .timestamp_ms = now_ms (),
    .datatype = DC_SPARKPLUG_BOOLEAN,
    .value = 1.0,
  };
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GError) error = NULL;

  if (self->last_rebirth != 0 && now - self->last_rebirth < REBIRTH_INTERVAL)
    return;
  self->last_rebirth = now;
  payload = dc_sparkplug_payload_encode (now_ms (), -1, &metric, 1);
  if (publish (self, self->ncmd_topic, payload, &error))
    {
      self->stats.rebirth_requests++;
      g_message ("%s: rebirth requested from %s/%s (%s)", dc_driver_get_device_id (self->driver),
                 self->group_id, self->edge_node_id, why);
    }
  else
    g_debug ("%s", error->message);
}

void
dc_sparkplug_session_request_rebirth (DcSparkplugSession *self,
                                      const char         *why)
{
  g_mutex_lock (&self->lock);
  request_rebirth_locked (self, why);
  g_mutex_unlock (&self->lock);
}

/* DATA → samples (under lock) */

static gint64
metric_time_us (const DcSparkplugMessage *message,
                const DcSparkplugValue   *value,
                gint64                    received)
{
  if (value->timestamp_ms != 0)
    return (gint64) value->timestamp_ms * 1000;
  if (message->has_timestamp && message->timestamp_ms != 0)
    return (gint64) message->timestamp_ms * 1000;
  return received;
}

static void
handle_data_locked (DcSparkplugSession       *self,
                    const char               *device,
                    const DcSparkplugMessage *message,
                    gint64                    received)
{
  GArray *live = NULL;
  GArray *history = NULL;
  gboolean unknown = FALSE;

  for (guint i = 0; i < message->metrics->len; i++)
    {
      const DcSparkplugValue *v = &g_array_index (message->metrics, DcSparkplugValue, i);
      const DcSparkplugTarget *target = NULL;
      DcSample sample;

      if (v->has_alias && self->aliases != NULL)
        target = g_hash_table_lookup (self->aliases->by_alias, &v->alias);
      if (target == NULL && v->name != NULL && self->aliases != NULL)
        {
          g_autofree char *address = g_strdup_printf ("%s/%s", device != NULL ? device : "",
                                                      v->name);

          target = g_hash_table_lookup (self->aliases->by_address, address);
        }
      if (target == NULL)
        {
          self->stats.unknown_aliases++;
          unknown = TRUE;
          continue;
        }
      if (target->key == 0)
        continue;

      sample.key = target->key;
      sample.time = metric_time_us (message, v, received);
      sample.quality = v->has_quality ? v->quality : 0;
      if (v->has_value)
        sample.value = v->is_integer && v->datatype == 0 ?
          dc_sparkplug_integer_value (v->raw_integer, target->datatype) : v->value;
      else
        {
          sample.value = NAN;
          sample.quality |= DC_QUALITY_INVALID;
        }

      if (v->is_historical)
        {
          if (history == NULL)
            history = g_array_sized_new (FALSE, FALSE, sizeof (DcSample), message->metrics->len);
          g_array_append_val (history, sample);
          self->stats.historical++;
        }
      else
        {
          if (live == NULL)
            live = g_array_sized_new (FALSE, FALSE, sizeof (DcSample), message->metrics->len);
          g_array_append_val (live, sample);
          if (v->has_alias && g_hash_table_contains (self->expected, &v->alias))
            {
              Event *event = g_new0 (Event, 1);

              g_hash_table_remove (self->expected, &v->alias);
              event->type = EVENT_CONFIRM;
              event->alias = v->alias;
              event->value = sample.value;
              event->quality = sample.quality;
              post_event (self, event);
            }
        }
      self->stats.values++;
    }

  if (history != NULL)
    dc_sample_sink_push_history (dc_driver_get_sink (self->driver), history);
  if (live != NULL)
    dc_sample_sink_push_batch (dc_driver_get_sink (self->driver), live);
  if (unknown)
    request_rebirth_locked (self, "a metric no birth named");
}

static void
held_free (gpointer data)
{
  Held *held = data;

  g_free (held->device);
  dc_sparkplug_message_free (held->message);
  g_free (held);
}

/* Messages (network thread) */

static void
post_birth_locked (DcSparkplugSession     *self,
                   DcSparkplugMessageType  type,
                   const char             *device,
                   DcSparkplugMessage     *message)
{
  Event *event = g_new0 (Event, 1);

  self->births_pending++;
  self->stats.births++;
  event->type = EVENT_BIRTH;
  event->message_type = type;
  event->device = g_strdup (device);
  event->message = message;
  post_event (self, event);
}

static void
post_death (DcSparkplugSession     *self,
            DcSparkplugMessageType  type,
            const char             *device)
{
  Event *event = g_new0 (Event, 1);

  event->type = EVENT_DEATH;
  event->message_type = type;
  event->device = g_strdup (device);
  post_event (self, event);
}

static gboolean
find_bd_seq (const DcSparkplugMessage *message,
             guint64                  *bd_seq)
{
  for (guint i = 0; i < message->metrics->len; i++)
    {
      const DcSparkplugValue *v = &g_array_index (message->metrics, DcSparkplugValue, i);

      if (g_strcmp0 (v->name, "bdSeq") == 0 && v->has_value)
        {
          *bd_seq = v->is_integer ? v->raw_integer : (guint64) v->value;
          return TRUE;
        }
    }
  return FALSE;
}

/* Under lock: seq must follow the one before on every message of the node but NDEATH
 * (NBIRTH restarts it). */
static void
check_seq_locked (DcSparkplugSession       *self,
                  DcSparkplugMessageType    type,
                  const DcSparkplugMessage *message)
{
  if (!message->has_seq)
    {
      self->stats.seq_gaps++;
      request_rebirth_locked (self, "a message without seq");
      return;
    }
  if (type != DC_SPARKPLUG_NBIRTH && self->last_seq >= 0 &&
      message->seq != (guint64) ((self->last_seq + 1) % 256))
    {
      g_autofree char *why = g_strdup_printf ("seq %" G_GUINT64_FORMAT " after %" G_GINT64_FORMAT,
                                              message->seq, self->last_seq);

      self->stats.seq_gaps++;
      request_rebirth_locked (self, why);
    }
  self->last_seq = (gint64) (message->seq % 256);
}

static void
message_cb (gpointer                        user_data,
            const struct mosquitto_message *msg)
{
  DcSparkplugSession *self = user_data;
  g_autofree char *group = NULL;
  g_autofree char *node = NULL;
  g_autofree char *device = NULL;
  g_autoptr(DcSparkplugMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  DcSparkplugMessageType type;
  gsize len = (gsize) MAX (msg->payloadlen, 0);
  gint64 received = g_get_real_time ();

  if (!dc_sparkplug_topic_parse (msg->topic, &type, &group, &node, &device) ||
      g_strcmp0 (group, self->group_id) != 0 || g_strcmp0 (node, self->edge_node_id) != 0)
    return;
  record (self, TRUE, msg->topic, msg->payload, len, msg->qos, msg->retain, msg->mid);
  /* Our own commands come back through the subscription. */
  if (type == DC_SPARKPLUG_NCMD || type == DC_SPARKPLUG_DCMD)
    return;

  /* The engine is behind (its backlog is full): read on more slowly, so that the messages wait
   * in the broker and in TCP (back-pressure) rather than in this process — at most 100 ms a
   * message, so that keep-alive pings go on. */
  for (guint i = 0; i < 100 && dc_sample_sink_is_congested (dc_driver_get_sink (self->driver));
       i++)
    {
      if (i == 0)
        g_atomic_int_inc (&self->throttled);
      g_usleep (1000);
    }

  message = dc_sparkplug_message_decode (msg->payload, len, &error);
  g_mutex_lock (&self->lock);
  self->stats.messages++;
  if (message == NULL)
    {
      self->stats.decode_errors++;
      g_mutex_unlock (&self->lock);
      g_message ("%s: %s: %s", dc_driver_get_device_id (self->driver), msg->topic,
                 error->message);
      return;
    }

  switch (type)
    {
    case DC_SPARKPLUG_NBIRTH:
      self->has_bd_seq = find_bd_seq (message, &self->bd_seq);
      check_seq_locked (self, type, message);
      /* The rebirth asked for (if any) is here: the next gap may ask again at once. */
      self->last_rebirth = 0;
      /* A new session of the node: what was held belongs to the old one. */
      g_queue_clear_full (&self->held, held_free);
      post_birth_locked (self, type, NULL, g_steal_pointer (&message));
      break;

    case DC_SPARKPLUG_DBIRTH:
      check_seq_locked (self, type, message);
      post_birth_locked (self, type, device, g_steal_pointer (&message));
      break;

    case DC_SPARKPLUG_NDEATH:
      {
        guint64 bd_seq = 0;
        gboolean has = find_bd_seq (message, &bd_seq);

        /* The will of an older session arrives late sometimes: only the current one counts. */
        if (self->has_bd_seq && has && bd_seq != self->bd_seq)
          {
            self->stats.stale_deaths++;
            break;
          }
        self->stats.deaths++;
        self->last_seq = -1;
        self->has_bd_seq = FALSE;
        g_queue_clear_full (&self->held, held_free);
        post_death (self, type, NULL);
      }
      break;

    case DC_SPARKPLUG_DDEATH:
      check_seq_locked (self, type, message);
      self->stats.deaths++;
      post_death (self, type, device);
      break;

    case DC_SPARKPLUG_NDATA:
    case DC_SPARKPLUG_DDATA:
      check_seq_locked (self, type, message);
      if (self->births_pending > 0)
        {
          Held *held;

          if (self->held.length >= MAX_HELD)
            {
              self->stats.unknown_aliases += message->metrics->len;
              break;
            }
          held = g_new0 (Held, 1);
          held->device = g_steal_pointer (&device);
          held->message = g_steal_pointer (&message);
          held->received = received;
          g_queue_push_tail (&self->held, held);
        }
      else
        handle_data_locked (self, device, message, received);
      break;

    case DC_SPARKPLUG_NCMD:
    case DC_SPARKPLUG_DCMD:
    case DC_SPARKPLUG_STATE:
    default:
      break;
    }
  g_mutex_unlock (&self->lock);
}

static void
subscribed_cb (gpointer user_data)
{
  DcSparkplugSession *self = user_data;

  /* The primary host is online (edge nodes that wait for it publish now), and the node's
   * births went out before we listened: ask for them again. */
  if (self->state_topic != NULL)
    publish_state (self, TRUE);
  g_mutex_lock (&self->lock);
  self->last_rebirth = 0;
  request_rebirth_locked (self, "new session");
  g_mutex_unlock (&self->lock);
  post_broker (self, TRUE, NULL);
}

static void
connected_cb (gpointer user_data)
{
  DcSparkplugSession *self = user_data;

  g_mutex_lock (&self->lock);
  self->last_seq = -1;
  g_mutex_unlock (&self->lock);
  dc_mqtt_link_subscribe (self->link, self->subscription, 0);
}

static void
failed_cb (gpointer    user_data,
           const char *error)
{
  post_broker (user_data, FALSE, error);
}

static void
disconnected_cb (gpointer user_data,
                 int      reason)
{
  DcSparkplugSession *self = user_data;
  g_autofree char *error = NULL;

  if (reason == 0)
    return;
  /* The next session's STATE gets a new timestamp, and its will says so before the link
   * connects again. */
  if (self->state_topic != NULL)
    set_state_will (self);
  dc_driver_count_reconnect (self->driver);
  error = g_strdup_printf (reason == DC_MQTT_LINK_NO_CONNACK ?
                           "MQTT broker %s:%u: no answer to CONNECT" :
                           "MQTT broker %s:%u: connection lost", self->host, self->port);
  post_broker (self, FALSE, error);
}

DcSparkplugSession *
dc_sparkplug_session_new (DcDriver                          *driver,
                          const DcSparkplugSessionConfig    *config,
                          const DcSparkplugSessionCallbacks *callbacks,
                          gpointer                           user_data)
{
  static const DcMqttLinkCallbacks link_callbacks = {
    .connected = connected_cb,
    .subscribed = subscribed_cb,
    .disconnected = disconnected_cb,
    .failed = failed_cb,
    .message = message_cb,
  };
  DcSparkplugSession *self;

  g_return_val_if_fail (DC_IS_DRIVER (driver), NULL);
  g_return_val_if_fail (config != NULL && callbacks != NULL, NULL);

  self = g_new0 (DcSparkplugSession, 1);
  self->driver = driver;
  self->callbacks = *callbacks;
  self->user_data = user_data;
  self->host = g_strdup (config->host);
  self->port = config->port;
  self->keepalive_s = config->keepalive_s > 0 ? config->keepalive_s : 30;
  self->group_id = g_strdup (config->group_id);
  self->edge_node_id = g_strdup (config->edge_node_id);
  self->subscription = g_strdup_printf ("spBv1.0/%s/+/%s/#", config->group_id,
                                        config->edge_node_id);
  self->ncmd_topic = g_strdup_printf ("spBv1.0/%s/NCMD/%s", config->group_id,
                                      config->edge_node_id);
  if (config->host_id != NULL)
    self->state_topic = g_strdup_printf ("spBv1.0/STATE/%s", config->host_id);
  g_mutex_init (&self->lock);
  g_queue_init (&self->held);
  self->last_seq = -1;
  self->expected = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->link = dc_mqtt_link_new (config->client_id, &link_callbacks, self);
  if (config->username != NULL)
    dc_mqtt_link_set_credentials (self->link, config->username, config->password);
  if (self->state_topic != NULL)
    set_state_will (self);

  return self;
}

void
dc_sparkplug_session_start (DcSparkplugSession *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (!self->started);

  self->started = TRUE;
  dc_mqtt_link_start (self->link, self->host, self->port, self->keepalive_s);
}

void
dc_sparkplug_session_free (DcSparkplugSession *self)
{
  if (self == NULL)
    return;

  /* A clean end: STATE offline now, as the broker would have sent the will; the link sends
   * DISCONNECT after it (so the broker does not send the will too). */
  if (self->state_topic != NULL && self->started)
    publish_state (self, FALSE);
  dc_mqtt_link_free (self->link);
  g_queue_clear_full (&self->held, held_free);
  g_clear_pointer (&self->aliases, dc_sparkplug_aliases_unref);
  g_hash_table_unref (self->expected);
  g_free (self->host);
  g_free (self->group_id);
  g_free (self->edge_node_id);
  g_free (self->subscription);
  g_free (self->ncmd_topic);
  g_free (self->state_topic);
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
dc_sparkplug_session_set_aliases (DcSparkplugSession *self,
                                  DcSparkplugAliases *aliases,
                                  gboolean            birth_applied)
{
  Held *held;

  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->aliases, dc_sparkplug_aliases_unref);
  self->aliases = aliases != NULL ? dc_sparkplug_aliases_ref (aliases) : NULL;
  if (birth_applied && self->births_pending > 0)
    self->births_pending--;
  if (self->births_pending == 0)
    while ((held = g_queue_pop_head (&self->held)) != NULL)
      {
        handle_data_locked (self, held->device, held->message, held->received);
        held_free (held);
      }
  g_mutex_unlock (&self->lock);
}

gboolean
dc_sparkplug_session_command (DcSparkplugSession  *self,
                              const char          *device,
                              const char          *name,
                              guint64              alias,
                              guint32              datatype,
                              double               value,
                              GError             **error)
{
  DcSparkplugMetric metric = {
    .name = name,
    .alias = alias,
    .timestamp_ms = now_ms (),
    .datatype = datatype,
    .value = value,
    .long_value = (gint64) value,
  };
  g_autoptr(GBytes) payload = NULL;
  g_autofree char *topic = NULL;
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);

  topic = device != NULL ?
    g_strdup_printf ("spBv1.0/%s/DCMD/%s/%s", self->group_id, self->edge_node_id, device) :
    g_strdup (self->ncmd_topic);
  payload = dc_sparkplug_payload_encode (metric.timestamp_ms, -1, &metric, 1);
  g_mutex_lock (&self->lock);
  ok = publish (self, topic, payload, error);
  if (ok)
    self->stats.commands++;
  g_mutex_unlock (&self->lock);
  return ok;
}

void
dc_sparkplug_session_expect (DcSparkplugSession *self,
                             guint64             alias)
{
  g_mutex_lock (&self->lock);
  g_hash_table_add (self->expected, g_memdup2 (&alias, sizeof alias));
  g_mutex_unlock (&self->lock);
}

void
dc_sparkplug_session_unexpect (DcSparkplugSession *self,
                               guint64             alias)
{
  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->expected, &alias);
  g_mutex_unlock (&self->lock);
}

void
dc_sparkplug_session_get_stats (DcSparkplugSession      *self,
                                DcSparkplugSessionStats *stats)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  *stats = self->stats;
  g_mutex_unlock (&self->lock);
  stats->throttled = (guint64) g_atomic_int_get (&self->throttled);
}
