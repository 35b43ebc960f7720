/* dc-remote-source.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-remote-source"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-error.h"
#include "dc-remote-source-private.h"
#include "dc-time.h"
#include "dc-traffic-feed-private.h"

/* The connection of the remote plant connection: configuration, stream, reconnects
 * (docs/ui.md "The plant connection"). */

#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 8000

static void dc_remote_source_iface_init (DcPlantSourceInterface *iface);
static void start_connect (DcRemoteSource *self);

G_DEFINE_FINAL_TYPE_WITH_CODE (DcRemoteSource, dc_remote_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DC_TYPE_PLANT_SOURCE,
                                                      dc_remote_source_iface_init)
                               G_IMPLEMENT_INTERFACE (DC_TYPE_AUDIT_SOURCE,
                                                      _dc_remote_source_init_audit))

/* Connection state ------------------------------------------------------------------------ */

static gboolean
retry_cb (gpointer data)
{
  DcRemoteSource *self = data;

  self->retry_id = 0;
  start_connect (self);
  return G_SOURCE_REMOVE;
}

static void
close_stream (DcRemoteSource *self)
{
  if (self->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->ws, self);
      if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->ws);
    }
}

/* The connection broke (or could not be made): stale values, a retry after the back-off. */
static void
connection_lost (DcRemoteSource *self,
                 const GError   *error)
{
  close_stream (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_queue_clear_full (&self->changes, (GDestroyNotify) json_object_unref);
  self->change_running = FALSE;

  if (error != NULL && self->pending != NULL)
    {
      /* A certificate this system does not trust: no retry until the user decides. */
      g_message ("%s: certificate not trusted (SHA-256 %s): %s", self->url, self->pending,
                 error->message);
      dc_plant_source_set_state (DC_PLANT_SOURCE (self), DC_SOURCE_TRUST);
      return;
    }
  if (error != NULL && g_error_matches (error, DC_ERROR, DC_ERROR_UNAUTHORIZED))
    {
      /* No retry: the login dialog asks for a user, dc_remote_source_login() starts again. */
      g_message ("%s asks for a login: %s", self->url, error->message);
      dc_plant_source_set_state (DC_PLANT_SOURCE (self), DC_SOURCE_LOGIN);
      return;
    }
  if (error != NULL)
    g_message ("connection to %s: %s (retrying in %u ms)", self->url, error->message,
               self->backoff_ms);
  dc_plant_source_set_state (DC_PLANT_SOURCE (self),
                             self->n_connects > 0 ? DC_SOURCE_LOST : DC_SOURCE_CONNECTING);
  if (self->plant != NULL && self->retry_id == 0)
    self->retry_id = g_timeout_add (self->backoff_ms, retry_cb, self);
  self->backoff_ms = MIN (self->backoff_ms * 2, BACKOFF_MAX_MS);
}

/* The stream ----------------------------------------------------------------------------- */

static void
apply_samples (DcRemoteSource *self,
               JsonArray      *samples)
{
  guint n = json_array_get_length (samples);
  g_autoptr(GArray) batch = g_array_sized_new (FALSE, FALSE, sizeof (DcSample), n);

  for (guint i = 0; i < n; i++)
    {
      JsonObject *o = json_array_get_object_element (samples, i);
      DcPointRow *row;
      JsonNode *value;
      DcSample sample = { 0 };

      if (o == NULL)
        continue;
      row = dc_plant_model_lookup_point_id (self->plant,
                                            json_object_get_string_member_with_default (o, "term_id", ""),
                                            json_object_get_string_member_with_default (o, "item_id", ""));
      if (row == NULL ||
          !dc_time_parse (json_object_get_string_member_with_default (o, "time", ""), &sample.time))
        continue;
      value = json_object_get_member (o, "value");
      sample.key = dc_point_row_get_key (row);
      sample.value = value != NULL && !JSON_NODE_HOLDS_NULL (value) ? json_node_get_double (value)
                                                                     : NAN;
      sample.quality = (guint32) json_object_get_int_member_with_default (o, "quality", 0);
      g_array_append_val (batch, sample);
    }
  /* The plant model keeps the newest per point and applies them at the refresh rate. */
  dc_plant_model_push_samples (self->plant, (const DcSample *) batch->data, batch->len);
}

static void apply_next_change (DcRemoteSource *self);

static DcKind
kind_from_string (const char *kind)
{
  for (DcKind k = DC_KIND_DEVICE; k <= DC_KIND_FORMULA; k++)
    if (g_strcmp0 (dc_kind_to_string (k), kind) == 0)
      return k;
  return (DcKind) -1;
}

static DcChangeOp
op_from_string (const char *op)
{
  if (g_strcmp0 (op, "create") == 0)
    return DC_CHANGE_CREATE;
  if (g_strcmp0 (op, "update") == 0)
    return DC_CHANGE_UPDATE;
  return DC_CHANGE_DELETE;
}

/* Keeps the lookups' copy of the configuration in step with a change. */
static void
cache_change (DcRemoteSource *self,
              DcKind          kind,
              const char     *id,
              const char     *old_id,
              JsonObject     *object)
{
  if (old_id != NULL)
    g_hash_table_remove (self->objects[kind], old_id);
  if (object != NULL)
    g_hash_table_replace (self->objects[kind], g_strdup (id), json_object_ref (object));
  else
    g_hash_table_remove (self->objects[kind], id);
}

static void
change_object_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  DcRemoteSource *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = _dc_remote_request_finish (result, &error);
  g_autoptr(JsonObject) change = NULL;
  DcKind kind;
  DcChangeOp op;
  const char *id, *old_id;
  JsonObject *entity;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  change = g_queue_pop_head (&self->changes);
  self->change_running = FALSE;
  if (change == NULL || self->plant == NULL)
    {
      g_object_unref (self);
      return;
    }
  kind = kind_from_string (json_object_get_string_member_with_default (change, "kind", ""));
  op = op_from_string (json_object_get_string_member_with_default (change, "op", ""));
  id = json_object_get_string_member_with_default (change, "id", "");
  old_id = json_object_has_member (change, "old_id") && !json_object_get_null_member (change, "old_id")
           ? json_object_get_string_member (change, "old_id") : NULL;
  entity = answer != NULL && JSON_NODE_HOLDS_OBJECT (answer) ? json_node_get_object (answer) : NULL;
  if (entity != NULL)
    {
      cache_change (self, kind, id, old_id, entity);
      dc_plant_model_apply_change (self->plant, kind, op, id, old_id, entity,
                                   kind == DC_KIND_POINT ? _dc_remote_key_for (self, id) : 0);
    }
  else
    /* Gone again already (a later delete follows), or refused: nothing to apply. */
    g_debug ("config %s %s: %s", dc_kind_to_string (kind), id, error ? error->message : "empty");
  apply_next_change (self);
  g_object_unref (self);
}

/* Config changes are applied one at a time, in the order of the stream: a create or update
 * reads the entity first (a device before its terms, a term before its points). */
static void
apply_next_change (DcRemoteSource *self)
{
  while (!self->change_running && !g_queue_is_empty (&self->changes))
    {
      JsonObject *change = g_queue_peek_head (&self->changes);
      DcKind kind = kind_from_string (json_object_get_string_member_with_default (change, "kind", ""));
      DcChangeOp op = op_from_string (json_object_get_string_member_with_default (change, "op", ""));
      const char *id = json_object_get_string_member_with_default (change, "id", "");
      g_autofree char *path = NULL;

      if ((int) kind < 0)
        {
          json_object_unref (g_queue_pop_head (&self->changes));
          continue;
        }
      if (op == DC_CHANGE_DELETE || kind == DC_KIND_FORMULA)
        {
          g_autoptr(JsonObject) done = g_queue_pop_head (&self->changes);

          if (op == DC_CHANGE_DELETE)
            cache_change (self, kind, id, NULL, NULL);
          dc_plant_model_apply_change (self->plant, kind, op, id, NULL, NULL, 0);
          continue;
        }
      path = _dc_remote_entity_path (kind, id, NULL);
      if (path == NULL)
        {
          json_object_unref (g_queue_pop_head (&self->changes));
          continue;
        }
      self->change_running = TRUE;
      _dc_remote_request (self, "GET", path, NULL, self->cancellable, change_object_cb,
                          g_object_ref (self));
    }
}

static void
stream_message_cb (SoupWebsocketConnection *ws,
                   gint                     type,
                   GBytes                  *message,
                   gpointer                 user_data)
{
  DcRemoteSource *self = user_data;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  gsize size = 0;
  const char *data = g_bytes_get_data (message, &size);
  JsonNode *root;
  JsonObject *object;
  const char *kind;

  if (type != SOUP_WEBSOCKET_DATA_TEXT || self->plant == NULL ||
      !json_parser_load_from_data (parser, data, (gssize) size, NULL))
    return;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  object = json_node_get_object (root);
  kind = json_object_get_string_member_with_default (object, "type", "");

  if (g_str_equal (kind, "samples") || g_str_equal (kind, "snapshot"))
    {
      JsonNode *samples = json_object_get_member (object, "samples");

      if (samples != NULL && JSON_NODE_HOLDS_ARRAY (samples))
        apply_samples (self, json_node_get_array (samples));
    }
  else if (g_str_equal (kind, "device"))
    {
      const char *device_id = json_object_get_string_member_with_default (object, "device_id", "");
      DcDeviceNode *node = dc_plant_model_lookup_device (self->plant, device_id);
      const char *state = json_object_get_string_member_with_default (object, "state", "");
      const char *last_error = json_object_has_member (object, "last_error") &&
                               !json_object_get_null_member (object, "last_error")
                               ? json_object_get_string_member (object, "last_error") : NULL;

      if (node != NULL)
        dc_plant_model_set_device_state (self->plant, device_id, dc_node_link_from_string (state),
                                         last_error);
    }
  else if (g_str_equal (kind, "config"))
    {
      g_queue_push_tail (&self->changes, json_object_ref (object));
      apply_next_change (self);
    }
  else if (g_str_equal (kind, "control"))
    _dc_remote_control_step (self, object);
  else if (g_str_equal (kind, "alarm"))
    _dc_remote_alarm_message (self, object);
  else if (g_str_equal (kind, "frames") || g_str_equal (kind, "link"))
    _dc_remote_traffic_message (self, object);
}

static void
stream_closed_cb (SoupWebsocketConnection *ws,
                  gpointer                 user_data)
{
  DcRemoteSource *self = user_data;
  g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                         "the stream was closed (code %u)",
                                         soup_websocket_connection_get_close_code (ws));

  connection_lost (self, error);
}

static void
stream_ready_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  DcRemoteSource *self = user_data;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *ws;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);
  if (ws == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        connection_lost (self, error);
      g_object_unref (self);
      return;
    }
  self->ws = ws;
  /* Large snapshots: no message size limit of our own beyond libsoup's default. */
  soup_websocket_connection_set_max_incoming_payload_size (ws, 0);
  soup_websocket_connection_set_keepalive_interval (ws, 5);
  g_signal_connect (ws, "message", G_CALLBACK (stream_message_cb), self);
  g_signal_connect (ws, "closed", G_CALLBACK (stream_closed_cb), self);
  /* Everything: the desk shows the whole plant; the snapshot (values, then every device's
   * link state) follows. */
  soup_websocket_connection_send_text (ws, "{\"subscribe\":[\"*\"]}");
  _dc_remote_traffic_resume (self);
  self->backoff_ms = BACKOFF_MIN_MS;
  self->n_connects++;
  dc_plant_source_set_state (DC_PLANT_SOURCE (self), DC_SOURCE_CONNECTED);
  g_object_unref (self);
}

static void
open_stream (DcRemoteSource *self)
{
  g_autofree char *uri = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  uri = g_strconcat (g_str_has_prefix (self->url, "https:") ? "wss" : "ws",
                     strchr (self->url, ':'), "/api/v1/stream", NULL);
  msg = soup_message_new ("GET", uri);
  _dc_remote_prepare_message (self, msg);
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        self->cancellable, stream_ready_cb, g_object_ref (self));
}

/* The configuration ---------------------------------------------------------------------- */

static GPtrArray *
section (JsonObject *project,
         const char *name)
{
  GPtrArray *objects = g_ptr_array_new ();
  JsonArray *array = json_object_has_member (project, name)
                     ? json_object_get_array_member (project, name) : NULL;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);

      if (o != NULL)
        g_ptr_array_add (objects, o);
    }
  return objects;
}

static void
load_project (DcRemoteSource *self,
              JsonObject     *project)
{
  g_autoptr(GPtrArray) devices = section (project, "devices");
  g_autoptr(GPtrArray) terms = section (project, "terms");
  g_autoptr(GPtrArray) items = section (project, "items");
  g_autoptr(GPtrArray) point_objects = section (project, "points");
  g_autoptr(GPtrArray) formulas = section (project, "formulas");
  g_autofree DcPlantPoint *points = g_new0 (DcPlantPoint, MAX (point_objects->len, 1));
  struct { DcKind kind; GPtrArray *list; const char *field; } kinds[] = {
    { DC_KIND_DEVICE, devices, "id" }, { DC_KIND_TERM, terms, "id" },
    { DC_KIND_ITEM, items, "id" }, { DC_KIND_FORMULA, formulas, "id" },
  };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_hash_table_remove_all (self->objects[kinds[k].kind]);
      for (guint i = 0; i < kinds[k].list->len; i++)
        {
          JsonObject *o = g_ptr_array_index (kinds[k].list, i);

          g_hash_table_replace (self->objects[kinds[k].kind],
                                g_strdup (json_object_get_string_member_with_default (o, "id", "")),
                                json_object_ref (o));
        }
    }
  g_hash_table_remove_all (self->objects[DC_KIND_POINT]);
  for (guint i = 0; i < point_objects->len; i++)
    {
      JsonObject *o = g_ptr_array_index (point_objects, i);
      g_autofree char *id = g_strconcat (json_object_get_string_member_with_default (o, "term_id", ""),
                                         ":",
                                         json_object_get_string_member_with_default (o, "item_id", ""),
                                         NULL);

      points[i].key = _dc_remote_key_for (self, id);
      points[i].json = o;
      g_hash_table_replace (self->objects[DC_KIND_POINT], g_steal_pointer (&id), json_object_ref (o));
    }
  dc_plant_model_load (self->plant, devices, terms, items, points, point_objects->len);
}

static void
project_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  DcRemoteSource *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = _dc_remote_request_finish (result, &error);
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  if (answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer))
    {
      if (error == NULL)
        error = g_error_new (DC_ERROR, DC_ERROR_INTERNAL, "GET /api/v1/project: not an object");
      connection_lost (self, error);
      g_object_unref (self);
      return;
    }
  /* After a reconnect the plant is reloaded only when its configuration changed meanwhile:
   * the selection, the trends and the expanded tree stay. */
  text = json_to_string (answer, FALSE);
  if (self->plant != NULL && g_strcmp0 (text, self->project_text) != 0)
    {
      load_project (self, json_node_get_object (answer));
      g_free (self->project_text);
      self->project_text = g_steal_pointer (&text);
    }
  _dc_remote_alarms_load (self);
  open_stream (self);
  g_object_unref (self);
}

static void
start_connect (DcRemoteSource *self)
{
  g_clear_pointer (&self->pending, g_free);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  close_stream (self);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  _dc_remote_request (self, "GET", "/api/v1/project", NULL, self->cancellable,
                      project_ready_cb, g_object_ref (self));
}

/* The interface -------------------------------------------------------------------------- */

static void
remote_attach (DcPlantSource *source,
               DcPlantModel  *plant)
{
  DcRemoteSource *self = DC_REMOTE_SOURCE (source);

  dc_plant_source_detach (source);
  self->plant = g_object_ref (plant);
  /* The Audit page reads the server's audit log (until detached: no cycle is left). */
  dc_plant_model_set_audit_source (plant, DC_AUDIT_SOURCE (self));
  g_clear_pointer (&self->project_text, g_free);
  start_connect (self);
}

static void
remote_detach (DcPlantSource *source)
{
  DcRemoteSource *self = DC_REMOTE_SOURCE (source);

  g_clear_handle_id (&self->retry_id, g_source_remove);
  close_stream (self);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_queue_clear_full (&self->changes, (GDestroyNotify) json_object_unref);
  self->change_running = FALSE;
  if (self->plant != NULL && dc_plant_model_get_audit_source (self->plant) == DC_AUDIT_SOURCE (self))
    dc_plant_model_set_audit_source (self->plant, NULL);
  g_clear_object (&self->plant);
}

static void
dc_remote_source_iface_init (DcPlantSourceInterface *iface)
{
  iface->attach = remote_attach;
  iface->detach = remote_detach;
  _dc_remote_source_init_ops (iface);
  _dc_remote_source_init_alarms (iface);
  _dc_remote_source_init_project (iface);
  _dc_remote_source_init_formula (iface);
  _dc_remote_source_init_traffic (iface);
}

static void
dc_remote_source_dispose (GObject *object)
{
  DcRemoteSource *self = DC_REMOTE_SOURCE (object);

  remote_detach (DC_PLANT_SOURCE (self));
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (dc_remote_source_parent_class)->dispose (object);
}

static void
dc_remote_source_finalize (GObject *object)
{
  DcRemoteSource *self = DC_REMOTE_SOURCE (object);

  for (guint k = 0; k < G_N_ELEMENTS (self->objects); k++)
    g_clear_pointer (&self->objects[k], g_hash_table_unref);
  g_clear_pointer (&self->keys, g_hash_table_unref);
  g_clear_pointer (&self->controls, g_hash_table_unref);
  g_clear_pointer (&self->alarms, g_hash_table_unref);
  g_free (self->project_text);
  g_free (self->url);
  g_free (self->token);
  g_free (self->trusted);
  g_free (self->pending);

  G_OBJECT_CLASS (dc_remote_source_parent_class)->finalize (object);
}

static void
dc_remote_source_class_init (DcRemoteSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dc_remote_source_dispose;
  object_class->finalize = dc_remote_source_finalize;
}

static void
dc_remote_source_init (DcRemoteSource *self)
{
  for (guint k = 0; k < G_N_ELEMENTS (self->objects); k++)
    self->objects[k] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) json_object_unref);
  self->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->controls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->alarms = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                        (GDestroyNotify) json_object_unref);
  self->backoff_ms = BACKOFF_MIN_MS;
  g_queue_init (&self->changes);
}

/* Public --------------------------------------------------------------------------------- */

DcRemoteSource *
dc_remote_source_new (const char  *url,
                      const char  *token,
                      GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  DcRemoteSource *self;
  const char *scheme;
  int port;
  g_autofree char *location = NULL;

  g_return_val_if_fail (url != NULL, NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0' ||
      (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0))
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "%s is not a server address (http://host:port or https://host:port)", url);
      return NULL;
    }
  port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri)
                                  : g_str_equal (scheme, "https") ? 443 : 80;

  self = g_object_new (DC_TYPE_REMOTE_SOURCE, NULL);
  self->url = strchr (g_uri_get_host (uri), ':') != NULL
              ? g_strdup_printf ("%s://[%s]:%d", scheme, g_uri_get_host (uri), port)
              : g_strdup_printf ("%s://%s:%d", scheme, g_uri_get_host (uri), port);
  self->token = g_strdup (token);
  self->session = soup_session_new_with_options ("timeout", 30, "idle-timeout", 60, NULL);
  location = g_strdup (self->url + strlen (scheme) + 3);
  dc_plant_source_set_identity (DC_PLANT_SOURCE (self), location, token ? "token" : NULL, NULL);
  return self;
}

const char *
dc_remote_source_get_url (DcRemoteSource *self)
{
  g_return_val_if_fail (DC_IS_REMOTE_SOURCE (self), NULL);
  return self->url;
}

guint
dc_remote_source_get_n_connects (DcRemoteSource *self)
{
  g_return_val_if_fail (DC_IS_REMOTE_SOURCE (self), 0);
  return self->n_connects;
}

void
dc_remote_source_set_trusted_fingerprint (DcRemoteSource *self,
                                          const char     *fingerprint)
{
  g_return_if_fail (DC_IS_REMOTE_SOURCE (self));

  g_free (self->trusted);
  self->trusted = g_strdup (fingerprint);
}

const char *
dc_remote_source_get_pending_fingerprint (DcRemoteSource *self)
{
  g_return_val_if_fail (DC_IS_REMOTE_SOURCE (self), NULL);
  return self->pending;
}

void
dc_remote_source_reconnect (DcRemoteSource *self)
{
  g_return_if_fail (DC_IS_REMOTE_SOURCE (self));

  self->backoff_ms = BACKOFF_MIN_MS;
  if (self->plant != NULL)
    start_connect (self);
}

typedef struct
{
  DcRemoteSource  *self;
  DcSourceDoneFunc done;
  gpointer         user_data;
} LoginData;

static void
login_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autofree LoginData *d = user_data;
  g_autoptr(DcRemoteSource) self = d->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = _dc_remote_request_finish (result, &error);
  JsonObject *o = answer && JSON_NODE_HOLDS_OBJECT (answer) ? json_node_get_object (answer) : NULL;

  if (error == NULL && (o == NULL || !json_object_has_member (o, "token")))
    error = g_error_new (DC_ERROR, DC_ERROR_INTERNAL, "the login answer has no token");
  if (error == NULL)
    {
      g_free (self->token);
      self->token = g_strdup (json_object_get_string_member_with_default (o, "token", ""));
      dc_plant_source_set_state (DC_PLANT_SOURCE (self), DC_SOURCE_CONNECTING);
      dc_plant_source_set_identity (DC_PLANT_SOURCE (self),
                                    dc_plant_source_get_location (DC_PLANT_SOURCE (self)),
                                    json_object_get_string_member_with_default (o, "user", NULL),
                                    json_object_get_string_member_with_default (o, "role", NULL));
      dc_remote_source_reconnect (self);
    }
  d->done (error, d->user_data);
}

void
dc_remote_source_login (DcRemoteSource   *self,
                        const char       *user,
                        const char       *password,
                        DcSourceDoneFunc  done,
                        gpointer          user_data)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  LoginData *d = g_new0 (LoginData, 1);

  g_return_if_fail (DC_IS_REMOTE_SOURCE (self));
  g_return_if_fail (done != NULL);

  json_object_set_string_member (body, "user", user);
  json_object_set_string_member (body, "password", password);
  json_node_set_object (node, body);
  d->self = g_object_ref (self);
  d->done = done;
  d->user_data = user_data;
  _dc_remote_request (self, "POST", "/api/v1/login", node, NULL, login_ready_cb, d);
}

gboolean
dc_remote_source_probe (const char *url,
                        guint       timeout_ms)
{
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *uri = NULL;
  gsize size = 0;
  const char *data;

  g_return_val_if_fail (url != NULL, FALSE);

  uri = g_strconcat (url, "/", NULL);
  msg = soup_message_new ("GET", uri);
  if (msg == NULL)
    return FALSE;
  session = soup_session_new_with_options ("timeout", MAX (1u, timeout_ms / 1000), NULL);
  bytes = soup_session_send_and_read (session, msg, NULL, NULL);
  if (bytes == NULL || soup_message_get_status (msg) != 200)
    return FALSE;
  data = g_bytes_get_data (bytes, &size);
  return size >= 19 && strncmp (data, "DataColl is running", 19) == 0;
}
