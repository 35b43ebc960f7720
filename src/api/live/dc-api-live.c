/* dc-api-live.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api-live"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-api-live.h"
#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-json.h"
#include "dc-time.h"

#define DEFAULT_FRAMES 200
#define MAX_FRAMES 100000
#define MAX_INCOMING (64 * 1024)
/* A coalesced sample costs about its JSON plus bookkeeping. */
#define SAMPLE_COST 64
/* How long a new client may take to send its subscription before the default ("*") snapshot. */
#define SUBSCRIBE_GRACE_MS 100
#define KEEPALIVE_S 30

/* Where a point's samples are named: key → ids and the JSON prefix of its samples. */
typedef struct
{
  gint64  key;
  char   *device_id;
  char   *term_id;
  char   *item_id;
  char   *prefix;   /* {"device_id":"d","term_id":"t","item_id":"i", */
} PointRef;

/* One subscription pattern: NULL parts are wildcards. */
typedef struct
{
  char *device_id;
  char *term_id;
  char *item_id;
} Pattern;

typedef struct
{
  DcApiLive               *live;      /* borrowed */
  SoupWebsocketConnection *conn;
  GPtrArray               *patterns;  /* Pattern; NULL = everything */
  gboolean                 snapshot_sent;
  guint                    grace_id;
  GHashTable              *pending;   /* key → DcSample, coalesced while the client is slow */
  GQueue                   events;    /* char * (serialised messages) held while slow */
  gsize                    backlog;
  gboolean                 congested;
  gboolean                 overflowed;
  GSource                  *writable_source;
  guint                    flush_id;
} Client;

struct _DcApiLive
{
  GObject             parent_instance;

  DcServer           *server;      /* borrowed: the server outlives us */
  DcStore            *store;
  DcEngineDrivers    *drivers;
  DcLiveSnapshotFunc  snapshot_func;
  gpointer            snapshot_data;
  GDestroyNotify      snapshot_destroy;

  GHashTable         *points;      /* key → PointRef */
  gboolean            points_loaded;
  GList              *clients;     /* Client */
  gsize               backlog_limit;
  guint               n_overflows;
  gulong              changed_id;
  gulong              removed_id;
  gulong              device_id;
  DcEngine           *engine;
  gulong              samples_id;
};

G_DEFINE_FINAL_TYPE (DcApiLive, dc_api_live, G_TYPE_OBJECT)

static void client_free (Client *client);
static void client_send (Client *client, const char *text);
static char *build_device_message (const char *device_id,
                                   const char *state,
                                   const char *last_error);

/* JSON helpers */

/* RFC 3339 with six fraction digits; the seconds part is cached (samples of a batch share it). */
static void
append_time (GString *out,
             gint64   time_us)
{
  static gint64 cached_secs = G_MININT64;
  static char cached[32];
  gint64 secs = time_us / G_USEC_PER_SEC;
  gint64 usec = time_us % G_USEC_PER_SEC;

  if (usec < 0)
    {
      usec += G_USEC_PER_SEC;
      secs -= 1;
    }

  if (secs != cached_secs)
    {
      g_autofree char *full = dc_time_format (secs * G_USEC_PER_SEC);

      /* "YYYY-MM-DDTHH:MM:SS" without ".000000Z" */
      g_strlcpy (cached, full, MIN (sizeof cached, strlen (full) - 7));
      cached_secs = secs;
    }

  g_string_append_c (out, '"');
  g_string_append (out, cached);
  g_string_append_printf (out, ".%06dZ\"", (int) usec);
}

static void
append_sample (GString        *out,
               const PointRef *ref,
               const DcSample *sample)
{
  g_string_append (out, ref->prefix);
  g_string_append (out, "\"time\":");
  append_time (out, sample->time);
  g_string_append (out, ",\"value\":");
  dc_json_append_double (out, sample->value);
  g_string_append_printf (out, ",\"quality\":%u}",
                          sample->quality | (isfinite (sample->value) ? 0 : DC_QUALITY_INVALID));
}

/* Points */

static void
point_ref_free (gpointer data)
{
  PointRef *ref = data;

  g_free (ref->device_id);
  g_free (ref->term_id);
  g_free (ref->item_id);
  g_free (ref->prefix);
  g_free (ref);
}

static void
add_point_ref (DcApiLive  *self,
               gint64      key,
               const char *device_id,
               const char *term_id,
               const char *item_id)
{
  PointRef *ref = g_new0 (PointRef, 1);
  GString *prefix = g_string_new ("{\"device_id\":");

  ref->key = key;
  ref->device_id = g_strdup (device_id);
  ref->term_id = g_strdup (term_id);
  ref->item_id = g_strdup (item_id);
  dc_json_append_string (prefix, device_id);
  g_string_append (prefix, ",\"term_id\":");
  dc_json_append_string (prefix, term_id);
  g_string_append (prefix, ",\"item_id\":");
  dc_json_append_string (prefix, item_id);
  g_string_append_c (prefix, ',');
  ref->prefix = g_string_free (prefix, FALSE);

  g_hash_table_replace (self->points, &ref->key, ref);
}

static void
ensure_points (DcApiLive *self)
{
  g_autoptr(GPtrArray) infos = NULL;

  if (self->points_loaded)
    return;

  infos = dc_store_list_point_infos (self->store);
  for (guint i = 0; i < infos->len; i++)
    {
      DcPointInfo *info = g_ptr_array_index (infos, i);

      add_point_ref (self, info->key, info->device_id, info->term_id, info->item_id);
    }
  self->points_loaded = TRUE;
}

static PointRef *
lookup_point (DcApiLive *self,
              gint64     key)
{
  return g_hash_table_lookup (self->points, &key);
}

/* Patterns */

static void
pattern_free (gpointer data)
{
  Pattern *pattern = data;

  g_free (pattern->device_id);
  g_free (pattern->term_id);
  g_free (pattern->item_id);
  g_free (pattern);
}

/* "d:t:i", "d:t:*", "d:*", "*" */
static Pattern *
pattern_parse (const char *text)
{
  g_auto(GStrv) parts = NULL;
  Pattern *pattern;
  guint n;

  if (text == NULL || *text == '\0')
    return NULL;

  parts = g_strsplit (text, ":", -1);
  n = g_strv_length (parts);
  for (guint i = 0; i < n; i++)
    if (*parts[i] == '\0' || (strchr (parts[i], '*') != NULL && (i != n - 1 || !g_str_equal (parts[i], "*"))))
      return NULL;
  if (n > 3 || (n == 1 && !g_str_equal (parts[0], "*")) || (n == 2 && !g_str_equal (parts[1], "*")))
    return NULL;

  pattern = g_new0 (Pattern, 1);
  if (n >= 2)
    pattern->device_id = g_strdup (parts[0]);
  if (n == 3)
    {
      pattern->term_id = g_strdup (parts[1]);
      if (!g_str_equal (parts[2], "*"))
        pattern->item_id = g_strdup (parts[2]);
    }

  return pattern;
}

static gboolean
client_wants_point (Client         *client,
                    const PointRef *ref)
{
  if (client->patterns == NULL)
    return TRUE;

  for (guint i = 0; i < client->patterns->len; i++)
    {
      Pattern *p = g_ptr_array_index (client->patterns, i);

      if ((p->device_id == NULL || g_str_equal (p->device_id, ref->device_id)) &&
          (p->term_id == NULL || g_str_equal (p->term_id, ref->term_id)) &&
          (p->item_id == NULL || g_str_equal (p->item_id, ref->item_id)))
        return TRUE;
    }

  return FALSE;
}

static gboolean
client_wants_device (Client     *client,
                     const char *device_id)
{
  if (client->patterns == NULL)
    return TRUE;

  for (guint i = 0; i < client->patterns->len; i++)
    {
      Pattern *p = g_ptr_array_index (client->patterns, i);

      if (p->device_id == NULL || g_str_equal (p->device_id, device_id))
        return TRUE;
    }

  return FALSE;
}

/* Messages */

static char *
build_samples_message (DcApiLive      *self,
                       const char     *type,
                       Client         *client,   /* NULL: no filter */
                       const DcSample *samples,
                       guint           n_samples,
                       guint          *n_out)
{
  GString *out = g_string_sized_new (64 + (gsize) n_samples * 120);
  guint n = 0;

  g_string_append (out, "{\"type\":\"");
  g_string_append (out, type);
  g_string_append (out, "\",\"samples\":[");
  for (guint i = 0; i < n_samples; i++)
    {
      PointRef *ref = lookup_point (self, samples[i].key);

      if (ref == NULL || (client != NULL && !client_wants_point (client, ref)))
        continue;
      if (n > 0)
        g_string_append_c (out, ',');
      append_sample (out, ref, &samples[i]);
      n++;
    }
  g_string_append (out, "]}");

  if (n_out != NULL)
    *n_out = n;

  return g_string_free (out, FALSE);
}

static void
client_send_snapshot (Client *client)
{
  DcApiLive *self = client->live;
  g_autoptr(GArray) samples = NULL;
  g_autofree char *text = NULL;

  g_clear_handle_id (&client->grace_id, g_source_remove);
  ensure_points (self);

  if (self->snapshot_func != NULL)
    samples = self->snapshot_func (self->snapshot_data);
  if (samples == NULL)
    samples = g_array_new (FALSE, FALSE, sizeof (DcSample));

  text = build_samples_message (self, "snapshot", client, (const DcSample *) samples->data,
                                samples->len, NULL);
  client->snapshot_sent = TRUE;
  client_send (client, text);

  /* Then the state of every subscribed device (ext): a new client, and one that lost events
   * to an overflow, learns the links as they are now. */
  if (self->drivers != NULL)
    {
      g_autoptr(GPtrArray) ids = dc_store_list_ids (self->store, DC_KIND_DEVICE);

      for (guint i = 0; i < ids->len; i++)
        {
          const char *device_id = g_ptr_array_index (ids, i);
          g_autoptr(JsonNode) status = NULL;
          g_autofree char *message = NULL;
          JsonObject *object;

          if (!client_wants_device (client, device_id))
            continue;
          status = dc_engine_drivers_build_status (self->drivers, device_id, NULL);
          if (status == NULL)
            continue;
          object = json_node_get_object (status);
          message = build_device_message (device_id,
                                          json_object_get_string_member (object, "state"),
                                          json_object_get_null_member (object, "last_error")
                                          ? NULL
                                          : json_object_get_string_member (object, "last_error"));
          client_send (client, message);
        }
    }
}

/* Slow clients */

static void
client_clear_backlog (Client *client)
{
  g_hash_table_remove_all (client->pending);
  g_queue_clear_full (&client->events, g_free);
  client->backlog = 0;
}

static gboolean client_flush_cb (gpointer data);

static gboolean
client_writable_cb (GObject  *stream,
                    gpointer  data)
{
  Client *client = data;

  g_clear_pointer (&client->writable_source, g_source_unref);
  /* Let libsoup's own writer (default priority) drain its queue first. */
  if (client->flush_id == 0)
    client->flush_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, client_flush_cb, client, NULL);

  return G_SOURCE_REMOVE;
}

static GPollableOutputStream *
client_get_output (Client *client)
{
  GIOStream *stream = soup_websocket_connection_get_io_stream (client->conn);
  GOutputStream *out = stream != NULL ? g_io_stream_get_output_stream (stream) : NULL;

  if (out != NULL && G_IS_POLLABLE_OUTPUT_STREAM (out) &&
      g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (out)))
    return G_POLLABLE_OUTPUT_STREAM (out);

  return NULL;
}

static void
client_watch_writable (Client *client)
{
  GPollableOutputStream *out = client_get_output (client);

  client->congested = TRUE;
  if (client->writable_source != NULL || out == NULL)
    return;

  client->writable_source = g_pollable_output_stream_create_source (out, NULL);
  g_source_set_callback (client->writable_source, (GSourceFunc) (void (*) (void)) client_writable_cb,
                         client, NULL);
  g_source_set_static_name (client->writable_source, "[dc-api-live-writable]");
  g_source_attach (client->writable_source, NULL);
}

static gboolean
client_is_writable (Client *client)
{
  GPollableOutputStream *out = client_get_output (client);

  return out == NULL || g_pollable_output_stream_is_writable (out);
}

/* Sends now; notes congestion when the socket is full afterwards (libsoup then holds the rest
 * of this message and nothing more is handed to it until the socket drains). */
static void
client_send (Client     *client,
             const char *text)
{
  if (soup_websocket_connection_get_state (client->conn) != SOUP_WEBSOCKET_STATE_OPEN)
    return;

  soup_websocket_connection_send_text (client->conn, text);
  if (!client_is_writable (client))
    client_watch_writable (client);
}

static void
client_overflow (Client *client)
{
  client_clear_backlog (client);
  client->overflowed = TRUE;
  client->live->n_overflows++;
  g_debug ("stream client overflowed its backlog");
}

static void
client_hold_event (Client *client,
                   char   *text)
{
  client->backlog += strlen (text);
  g_queue_push_tail (&client->events, text);
  if (client->backlog > client->live->backlog_limit)
    client_overflow (client);
}

static gboolean
client_flush_cb (gpointer data)
{
  Client *client = data;
  DcApiLive *self = client->live;

  client->flush_id = 0;

  if (!client_is_writable (client))
    {
      client_watch_writable (client);
      return G_SOURCE_REMOVE;
    }
  client->congested = FALSE;

  if (client->overflowed)
    {
      client->overflowed = FALSE;
      client_send (client, "{\"type\":\"overflow\"}");
      client_send_snapshot (client);
      return G_SOURCE_REMOVE;
    }

  while (!g_queue_is_empty (&client->events))
    {
      g_autofree char *text = g_queue_pop_head (&client->events);

      client->backlog -= MIN (client->backlog, strlen (text));
      client_send (client, text);
    }

  if (g_hash_table_size (client->pending) > 0)
    {
      g_autoptr(GArray) samples = g_array_sized_new (FALSE, FALSE, sizeof (DcSample),
                                                     g_hash_table_size (client->pending));
      g_autofree char *text = NULL;
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, client->pending);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_array_append_vals (samples, value, 1);
      g_hash_table_remove_all (client->pending);
      client->backlog = 0;

      text = build_samples_message (self, "samples", NULL, (const DcSample *) samples->data,
                                    samples->len, NULL);
      client_send (client, text);
    }

  return G_SOURCE_REMOVE;
}

/* Fan-out */

static void
broadcast_event (DcApiLive  *self,
                 const char *device_id,   /* nullable: for everyone */
                 const char *text)
{
  for (GList *l = self->clients; l != NULL; l = l->next)
    {
      Client *client = l->data;

      if (!client->snapshot_sent)
        continue;
      if (device_id != NULL && !client_wants_device (client, device_id))
        continue;
      if (client->overflowed)
        continue;
      if (client->congested)
        client_hold_event (client, g_strdup (text));
      else
        client_send (client, text);
    }
}

void
dc_api_live_push_samples (DcApiLive      *self,
                          const DcSample *samples,
                          guint           n_samples)
{
  g_autofree char *all = NULL;
  guint n_all = 0;

  g_return_if_fail (DC_IS_API_LIVE (self));
  g_return_if_fail (samples != NULL || n_samples == 0);

  if (self->clients == NULL || n_samples == 0)
    return;

  ensure_points (self);

  for (GList *l = self->clients; l != NULL; l = l->next)
    {
      Client *client = l->data;

      /* Samples before the snapshot are in the snapshot. */
      if (!client->snapshot_sent || client->overflowed)
        continue;

      if (client->congested)
        {
          for (guint i = 0; i < n_samples && !client->overflowed; i++)
            {
              PointRef *ref = lookup_point (self, samples[i].key);

              if (ref == NULL || !client_wants_point (client, ref))
                continue;
              if (!g_hash_table_contains (client->pending, &samples[i].key))
                client->backlog += strlen (ref->prefix) + SAMPLE_COST;
              {
                DcSample *copy = g_memdup2 (&samples[i], sizeof (DcSample));

                g_hash_table_replace (client->pending, &copy->key, copy);
              }
              if (client->backlog > self->backlog_limit)
                client_overflow (client);
            }
          continue;
        }

      if (client->patterns == NULL)
        {
          if (all == NULL)
            all = build_samples_message (self, "samples", NULL, samples, n_samples, &n_all);
          if (n_all > 0)
            client_send (client, all);
        }
      else
        {
          guint n = 0;
          g_autofree char *text = build_samples_message (self, "samples", client, samples,
                                                         n_samples, &n);

          if (n > 0)
            client_send (client, text);
        }
    }
}

void
dc_api_live_push_alarm (DcApiLive  *self,
                        JsonObject *alarm)
{
  g_autoptr(JsonObject) copy = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GList) members = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (DC_IS_API_LIVE (self));
  g_return_if_fail (alarm != NULL);

  json_object_set_string_member (copy, "type", "alarm");
  members = json_object_get_members (alarm);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "type"))
      json_object_set_member (copy, l->data, json_node_copy (json_object_get_member (alarm, l->data)));
  json_node_set_object (node, copy);
  /* dc_json_to_string: NaN/Inf go out as null, non-ASCII as UTF-8 (docs/rest.md). */
  text = dc_json_to_string (node, NULL);

  broadcast_event (self, json_object_get_string_member_with_default (alarm, "device_id", NULL), text);
}

static char *
build_device_message (const char *device_id,
                      const char *state,
                      const char *last_error)
{
  GString *out = g_string_new ("{\"type\":\"device\",\"device_id\":");

  dc_json_append_string (out, device_id);
  g_string_append (out, ",\"state\":");
  dc_json_append_string (out, state);
  g_string_append (out, ",\"last_error\":");
  if (last_error != NULL)
    dc_json_append_string (out, last_error);
  else
    g_string_append (out, "null");
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

static void
device_changed_cb (DcEngineDrivers *drivers,
                   const char      *device_id,
                   const char      *state,
                   const char      *last_error,
                   DcApiLive       *self)
{
  g_autofree char *text = build_device_message (device_id, state, last_error);

  broadcast_event (self, device_id, text);
}

static void
store_changed_cb (DcStore    *store,
                  int         kind,
                  int         op,
                  const char *id,
                  const char *old_id,
                  DcApiLive  *self)
{
  GString *out;

  if (kind == DC_KIND_POINT && self->points_loaded && op != DC_CHANGE_DELETE)
    {
      const char *colon = strchr (id, ':');

      if (colon != NULL)
        {
          g_autofree char *term_id = g_strndup (id, colon - id);
          g_autoptr(JsonObject) point = dc_store_get_point (self->store, term_id, colon + 1, NULL);
          gint64 key = dc_store_get_point_key (self->store, term_id, colon + 1);

          if (point != NULL && key != 0)
            add_point_ref (self, key, dc_json_get_string (point, "device_id", ""), term_id,
                           colon + 1);
        }
    }

  if (self->clients == NULL)
    return;

  out = g_string_new ("{\"type\":\"config\",\"kind\":");
  dc_json_append_string (out, dc_kind_to_string (kind));
  g_string_append (out, ",\"op\":");
  dc_json_append_string (out, dc_change_op_to_string (op));
  g_string_append (out, ",\"id\":");
  dc_json_append_string (out, id);
  if (old_id != NULL)
    {
      g_string_append (out, ",\"old_id\":");
      dc_json_append_string (out, old_id);
    }
  g_string_append_c (out, '}');

  broadcast_event (self, NULL, out->str);
  g_string_free (out, TRUE);
}

static void
store_point_removed_cb (DcStore   *store,
                        gint64     key,
                        DcApiLive *self)
{
  g_hash_table_remove (self->points, &key);
}

/* Clients */

static void
client_free (Client *client)
{
  g_clear_handle_id (&client->grace_id, g_source_remove);
  g_clear_handle_id (&client->flush_id, g_source_remove);
  if (client->writable_source != NULL)
    {
      g_source_destroy (client->writable_source);
      g_clear_pointer (&client->writable_source, g_source_unref);
    }
  g_signal_handlers_disconnect_by_data (client->conn, client);
  g_clear_object (&client->conn);
  g_clear_pointer (&client->patterns, g_ptr_array_unref);
  g_clear_pointer (&client->pending, g_hash_table_unref);
  g_queue_clear_full (&client->events, g_free);
  g_free (client);
}

static void
client_send_error (Client     *client,
                   const char *message)
{
  GString *out = g_string_new ("{\"type\":\"error\",\"message\":");

  dc_json_append_string (out, message);
  g_string_append_c (out, '}');
  client_send (client, out->str);
  g_string_free (out, TRUE);
}

static void
client_message_cb (SoupWebsocketConnection *conn,
                   int                      type,
                   GBytes                  *message,
                   Client                  *client)
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
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (subscribe = json_object_get_member (json_node_get_object (root), "subscribe")) == NULL)
    {
      client_send_error (client, "missing field: subscribe");
      return;
    }

  patterns = g_ptr_array_new_with_free_func (pattern_free);
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
          Pattern *pattern = pattern_parse (text);

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
  client_clear_backlog (client);
  client->overflowed = FALSE;
  client_send_snapshot (client);
}

static void
client_closed_cb (SoupWebsocketConnection *conn,
                  Client                  *client)
{
  DcApiLive *self = client->live;

  self->clients = g_list_remove (self->clients, client);
  client_free (client);
}

static gboolean
client_grace_cb (gpointer data)
{
  Client *client = data;

  client->grace_id = 0;
  if (!client->snapshot_sent)
    client_send_snapshot (client);

  return G_SOURCE_REMOVE;
}

static void
websocket_cb (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *conn,
              gpointer                 user_data)
{
  DcApiLive *self = DC_API_LIVE (user_data);
  Client *client = g_new0 (Client, 1);

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

/* Listed in GET /; an upgrade request goes to the WebSocket handler instead. */
static void
stream_plain_cb (DcServer          *server,
                 SoupServerMessage *msg,
                 GHashTable        *params,
                 JsonNode          *body,
                 gpointer           user_data)
{
  dc_server_reply_text (msg, 400, "websocket upgrade required");
}

/* Object */

static void
dc_api_live_dispose (GObject *object)
{
  DcApiLive *self = DC_API_LIVE (object);

  while (self->clients != NULL)
    {
      Client *client = self->clients->data;

      self->clients = g_list_delete_link (self->clients, self->clients);
      if (soup_websocket_connection_get_state (client->conn) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (client->conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      client_free (client);
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
  self->points = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, point_ref_free);
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
  soup_server_add_websocket_handler (dc_server_get_soup_server (server), "/api/v1/stream",
                                     NULL, NULL, websocket_cb, self, NULL);

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

gsize
dc_api_live_get_backlog (DcApiLive *self)
{
  gsize total = 0;

  g_return_val_if_fail (DC_IS_API_LIVE (self), 0);

  for (GList *l = self->clients; l != NULL; l = l->next)
    total += ((Client *) l->data)->backlog;

  return total;
}

guint
dc_api_live_get_n_overflows (DcApiLive *self)
{
  g_return_val_if_fail (DC_IS_API_LIVE (self), 0);

  return self->n_overflows;
}
