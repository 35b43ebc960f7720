/* dc-engine-drivers.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-engine-drivers"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-engine-drivers-private.h"
#include "dc-error.h"
#include "dc-io-pool.h"
#include "dc-json-util.h"
#include "dc-point-id.h"
#include "dc-time.h"

#define DEFAULT_CALL_TIMEOUT (10 * G_USEC_PER_SEC)

/* Device fields that do not touch the link: changing them never restarts a driver. */
static const char * const non_link_fields[] = {
  "name", "identify", "status", "comm_alarm_delay_ms", "comm_alarm_priority", NULL
};

enum {
  SIGNAL_DEVICE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DcEngineDrivers, dc_engine_drivers, G_TYPE_OBJECT)

gboolean
_dc_engine_drivers_driver_has_link (DcDriver *driver)
{
  return !DC_DRIVER_GET_CLASS (driver)->no_link;
}

/* The drivers' sink */

static void
drivers_sink_push_batch (DcSampleSink *sink,
                         GArray       *samples)
{
  DriversSink *s = (DriversSink *) sink;

  dc_sample_sink_push_batch (s->self->sink, samples);
}

static void
drivers_sink_push_history (DcSampleSink *sink,
                           GArray       *samples)
{
  DriversSink *s = (DriversSink *) sink;

  dc_sample_sink_push_history (s->self->sink, samples);
}

static gboolean
drivers_sink_is_congested (DcSampleSink *sink)
{
  DriversSink *s = (DriversSink *) sink;

  return dc_sample_sink_is_congested (s->self->sink);
}

void
_dc_engine_drivers_drivers_sink_push_api (DcSampleSink   *sink,
                                          const DcSample *sample)
{
  DriversSink *s = (DriversSink *) sink;

  if (s->self->hooks.push_api != NULL)
    s->self->hooks.push_api (s->self->hooks_data, sample);
  else
    dc_sample_sink_push_api (s->self->sink, sample);
}

char *
_dc_engine_drivers_point_id (const char *term_id,
                             const char *item_id)
{
  return g_strconcat (term_id, ":", item_id, NULL);
}

static char *
link_signature (JsonObject *device)
{
  g_autoptr(JsonObject) copy = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GList) members = json_object_get_members (device);

  for (GList *l = members; l != NULL; l = l->next)
    {
      if (g_strv_contains (non_link_fields, l->data))
        continue;
      json_object_set_member (copy, l->data,
                              json_node_copy (json_object_get_member (device, l->data)));
    }
  json_node_set_object (node, copy);

  return json_to_string (node, FALSE);
}

/* Comm-lost marking */

static void
mark_comm_lost (DcEngineDrivers *self,
                Device          *device,
                const char      *term_id)
{
  GArray *batch;
  gint64 now = g_get_real_time ();

  if (device->points == NULL || device->points->len == 0)
    return;

  if (self->hooks.flush_ingest != NULL)
    self->hooks.flush_ingest (self->hooks_data);

  batch = g_array_sized_new (FALSE, FALSE, sizeof (DcSample), device->points->len);
  for (guint i = 0; i < device->points->len; i++)
    {
      DcPointInfo *info = g_ptr_array_index (device->points, i);
      DcSample sample = { info->key, now, NAN, DC_QUALITY_INVALID | DC_QUALITY_COMM_LOST };
      DcSample live;

      if (term_id != NULL && g_strcmp0 (info->term_id, term_id) != 0)
        continue;

      if (self->hooks.get_live != NULL && self->hooks.get_live (self->hooks_data, info->key, &live))
        {
          if (live.quality & DC_QUALITY_COMM_LOST)
            continue;
          /* Keep the last value; only the quality says it is stale now. */
          sample.value = live.value;
          sample.quality = live.quality | DC_QUALITY_COMM_LOST;
          if (live.time > now)
            sample.time = live.time;
        }
      g_array_append_val (batch, sample);
    }

  if (batch->len > 0)
    dc_sample_sink_push_batch (self->sink, batch);
  else
    g_array_unref (batch);
}

/* Device entries */

static void
device_emit_changed (Device *device)
{
  DcLinkState state = device->driver != NULL ? dc_driver_get_link_state (device->driver)
                                             : device->state;
  g_autofree char *error = device->driver != NULL ? dc_driver_dup_last_error (device->driver)
                                                  : g_strdup (device->last_error);

  /* A restarted driver reports its first state again: no change, no event. */
  if (device->emitted && device->emitted_state == state &&
      g_strcmp0 (device->emitted_error, error) == 0)
    return;
  device->emitted = TRUE;
  device->emitted_state = state;
  g_free (device->emitted_error);
  device->emitted_error = g_strdup (error);

  g_signal_emit (device->self, signals[SIGNAL_DEVICE_CHANGED], 0,
                 device->device_id, dc_link_state_to_string (state), error);
}

static void
device_set_state (Device      *device,
                  DcLinkState  state,
                  const char  *last_error)
{
  if (device->state == state && g_strcmp0 (device->last_error, last_error) == 0)
    return;
  if (device->state != state)
    device->since = g_get_real_time ();
  device->state = state;
  g_free (device->last_error);
  device->last_error = g_strdup (last_error);
  device_emit_changed (device);
}

static void
driver_link_changed_cb (DcDriver   *driver,
                        int         state,
                        const char *last_error,
                        Device     *device)
{
  if (device->driver != driver)
    return;

  if (state == DC_LINK_DOWN)
    mark_comm_lost (device->self, device, NULL);

  device_emit_changed (device);
}

static void
driver_term_link_changed_cb (DcDriver   *driver,
                             const char *term_id,
                             gboolean    up,
                             const char *last_error,
                             Device     *device)
{
  if (device->driver != driver)
    return;

  if (!up)
    mark_comm_lost (device->self, device, term_id);
}

static void
device_stop_driver (Device *device)
{
  g_autoptr(DcDriver) driver = g_steal_pointer (&device->driver);

  if (driver == NULL)
    return;

  /* The entry carries the state on, so that the next state is reported as a change. */
  device->state = dc_driver_get_link_state (driver);
  g_free (device->last_error);
  device->last_error = dc_driver_dup_last_error (driver);
  g_signal_handlers_disconnect_by_data (driver, device);
  dc_driver_stop (driver);
}

static void
device_free (gpointer data)
{
  Device *device = data;

  device_stop_driver (device);
  g_free (device->device_id);
  g_free (device->protocol);
  g_free (device->signature);
  g_free (device->last_error);
  g_free (device->emitted_error);
  g_clear_pointer (&device->device, json_object_unref);
  g_clear_pointer (&device->terms, g_ptr_array_unref);
  g_clear_pointer (&device->points, g_ptr_array_unref);
  g_clear_pointer (&device->points_by_key, g_hash_table_unref);
  g_free (device);
}

static void
device_load_points (DcEngineDrivers *self,
                    Device          *device)
{
  g_autoptr(GPtrArray) term_ids = NULL;
  GPtrArray *terms = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  GPtrArray *points;
  GHashTable *by_key = g_hash_table_new (g_int64_hash, g_int64_equal);

  term_ids = dc_store_list_device_terms (self->store, device->device_id, NULL);
  for (guint i = 0; term_ids != NULL && i < term_ids->len; i++)
    {
      const char *term_id = g_ptr_array_index (term_ids, i);
      JsonObject *term = dc_store_get (self->store, DC_KIND_TERM, term_id, NULL);

      if (term != NULL)
        g_ptr_array_add (terms, term);
      g_hash_table_replace (self->term_devices, g_strdup (term_id), g_strdup (device->device_id));
    }

  /* The store's shared views (one copy of each point), already in natural order. */
  points = dc_store_list_device_point_infos (self->store, device->device_id);
  for (guint i = 0; i < points->len; i++)
    {
      DcPointInfo *info = g_ptr_array_index (points, i);

      g_hash_table_replace (by_key, &info->key, info);
    }

  /* Fresh arrays every time: a running driver keeps references to the old ones. */
  g_clear_pointer (&device->terms, g_ptr_array_unref);
  g_clear_pointer (&device->points, g_ptr_array_unref);
  g_clear_pointer (&device->points_by_key, g_hash_table_unref);
  device->terms = terms;
  device->points = points;
  device->points_by_key = by_key;
}

static void
device_start_driver (DcEngineDrivers *self,
                     Device          *device)
{
  g_autofree char *error = NULL;
  DcDriver *driver;

  if (!device->enabled)
    {
      mark_comm_lost (self, device, NULL);
      device_set_state (device, DC_LINK_DISABLED, NULL);
      return;
    }

  driver = dc_driver_new_for_protocol (device->protocol);
  if (driver == NULL)
    {
      error = g_strdup_printf ("protocol %s is not available", device->protocol);
      mark_comm_lost (self, device, NULL);
      device_set_state (device, DC_LINK_DOWN, error);
      return;
    }

  device->driver = driver;
  dc_driver_set_config (driver, device->device, device->terms, device->points);
  dc_driver_set_sink (driver, &self->drivers_sink.parent);
  dc_driver_set_store (driver, self->store);
  dc_driver_set_live_func (driver, self->hooks.get_live, self->hooks_data);
  /* Drivers without a link work on the main context: no I/O thread for them. */
  if (_dc_engine_drivers_driver_has_link (driver))
    {
      if (self->pool == NULL)
        self->pool = dc_io_pool_new (self->n_io_threads);
      dc_driver_set_io_context (driver, dc_io_pool_next_context (self->pool));
    }
  g_signal_connect (driver, "link-changed", G_CALLBACK (driver_link_changed_cb), device);
  g_signal_connect (driver, "term-link-changed", G_CALLBACK (driver_term_link_changed_cb), device);
  dc_driver_start (driver);
}

static void
remove_device (DcEngineDrivers *self,
               const char      *device_id)
{
  g_hash_table_remove (self->devices, device_id);
}

static void
apply_device (DcEngineDrivers *self,
              const char      *device_id,
              DirtyFlags       flags)
{
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *signature = NULL;
  Device *device;
  const char *protocol;
  gboolean enabled;
  gboolean is_new = FALSE;

  object = dc_store_get (self->store, DC_KIND_DEVICE, device_id, NULL);
  if (object == NULL)
    {
      remove_device (self, device_id);
      return;
    }

  protocol = dc_json_get_string (object, "protocol", "");
  enabled = dc_json_get_bool (object, "enabled", TRUE);
  signature = link_signature (object);

  device = g_hash_table_lookup (self->devices, device_id);
  if (device == NULL)
    {
      device = g_new0 (Device, 1);
      device->self = self;
      device->device_id = g_strdup (device_id);
      device->state = DC_LINK_DISABLED;
      device->since = g_get_real_time ();
      g_hash_table_replace (self->devices, device->device_id, device);
      is_new = TRUE;
    }

  g_clear_pointer (&device->device, json_object_unref);
  device->device = json_object_ref (object);

  if (is_new || (flags & DIRTY_POINTS) != 0)
    device_load_points (self, device);

  if (is_new ||
      g_strcmp0 (device->signature, signature) != 0 ||
      g_strcmp0 (device->protocol, protocol) != 0 ||
      device->enabled != enabled)
    {
      g_debug ("device %s: (re)starting (%s)", device_id, protocol);
      device_stop_driver (device);
      g_free (device->protocol);
      device->protocol = g_strdup (protocol);
      g_free (device->signature);
      device->signature = g_steal_pointer (&signature);
      device->enabled = enabled;
      device_start_driver (self, device);
    }
  else if (device->driver != NULL)
    {
      dc_driver_set_config (device->driver, device->device, device->terms, device->points);
      if ((flags & DIRTY_POINTS) != 0)
        dc_driver_points_changed (device->driver);
    }
}

void
dc_engine_drivers_flush (DcEngineDrivers *self)
{
  g_return_if_fail (DC_IS_ENGINE_DRIVERS (self));

  g_clear_handle_id (&self->flush_id, g_source_remove);

  while (g_hash_table_size (self->dirty) > 0)
    {
      g_autoptr(GHashTable) dirty = g_steal_pointer (&self->dirty);
      GHashTableIter iter;
      gpointer key, value;

      self->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_iter_init (&iter, dirty);
      while (g_hash_table_iter_next (&iter, &key, &value))
        apply_device (self, key, GPOINTER_TO_UINT (value));
    }
}

static gboolean
flush_cb (gpointer data)
{
  DcEngineDrivers *self = data;

  self->flush_id = 0;
  dc_engine_drivers_flush (self);

  return G_SOURCE_REMOVE;
}

static void
mark_dirty (DcEngineDrivers *self,
            const char      *device_id,
            DirtyFlags       flags)
{
  DirtyFlags old;

  if (device_id == NULL)
    return;

  old = GPOINTER_TO_UINT (g_hash_table_lookup (self->dirty, device_id));
  g_hash_table_replace (self->dirty, g_strdup (device_id), GUINT_TO_POINTER (old | flags));

  if (self->flush_id == 0)
    self->flush_id = g_idle_add_full (G_PRIORITY_HIGH, flush_cb, self, NULL);
}

/* The device of a term: from the map, else from the store. */
static char *
dup_term_device (DcEngineDrivers *self,
                 const char      *term_id)
{
  g_autoptr(JsonObject) term = NULL;
  const char *device_id = g_hash_table_lookup (self->term_devices, term_id);

  if (device_id != NULL)
    return g_strdup (device_id);

  term = dc_store_get (self->store, DC_KIND_TERM, term_id, NULL);
  if (term == NULL)
    return NULL;

  return g_strdup (dc_json_get_string (term, "device_id", NULL));
}

static void
store_changed_cb (DcStore         *store,
                  int              kind,
                  int              op,
                  const char      *id,
                  const char      *old_id,
                  DcEngineDrivers *self)
{
  switch ((DcKind) kind)
    {
    case DC_KIND_DEVICE:
      if (old_id != NULL)
        mark_dirty (self, old_id, DIRTY_DEVICE | DIRTY_POINTS);
      mark_dirty (self, id, DIRTY_DEVICE | DIRTY_POINTS);
      break;

    case DC_KIND_TERM:
      {
        const char *gone = old_id != NULL ? old_id : id;
        g_autofree char *old_device = g_strdup (g_hash_table_lookup (self->term_devices, gone));
        g_autoptr(JsonObject) term = NULL;

        if (old_device != NULL)
          mark_dirty (self, old_device, DIRTY_POINTS);
        g_hash_table_remove (self->term_devices, gone);

        if (op != DC_CHANGE_DELETE)
          {
            term = dc_store_get (self->store, DC_KIND_TERM, id, NULL);
            if (term != NULL)
              {
                const char *device_id = dc_json_get_string (term, "device_id", NULL);

                g_hash_table_replace (self->term_devices, g_strdup (id), g_strdup (device_id));
                mark_dirty (self, device_id, DIRTY_POINTS);
              }
          }
      }
      break;

    case DC_KIND_POINT:
      {
        g_autofree char *term_id = NULL;
        g_autofree char *old_term = NULL;
        g_autofree char *device_id = NULL;

        if (dc_point_id_split (id, &term_id, NULL))
          device_id = dup_term_device (self, term_id);
        mark_dirty (self, device_id, DIRTY_POINTS);
        if (dc_point_id_split (old_id, &old_term, NULL))
          {
            g_autofree char *old_device = dup_term_device (self, old_term);

            mark_dirty (self, old_device, DIRTY_POINTS);
          }
        /* A deleted point's device is found through its term even when the term went with
         * it (the map still knows it); otherwise every device is refreshed. */
        if (device_id == NULL && op == DC_CHANGE_DELETE)
          {
            GHashTableIter iter;
            gpointer key;

            g_hash_table_iter_init (&iter, self->devices);
            while (g_hash_table_iter_next (&iter, &key, NULL))
              mark_dirty (self, key, DIRTY_POINTS);
          }
      }
      break;

    case DC_KIND_ITEM:
      /* Renames and deletes of items arrive as point changes too. */
      break;

    case DC_KIND_FORMULA:
    case DC_N_KINDS:
    default:
      break;
    }
}

/* Object */

static void
dc_engine_drivers_dispose (GObject *object)
{
  DcEngineDrivers *self = DC_ENGINE_DRIVERS (object);

  dc_engine_drivers_shutdown (self);
  g_clear_pointer (&self->pool, dc_io_pool_free);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (dc_engine_drivers_parent_class)->dispose (object);
}

static void
dc_engine_drivers_finalize (GObject *object)
{
  DcEngineDrivers *self = DC_ENGINE_DRIVERS (object);

  g_clear_pointer (&self->devices, g_hash_table_unref);
  g_clear_pointer (&self->term_devices, g_hash_table_unref);
  g_clear_pointer (&self->dirty, g_hash_table_unref);

  G_OBJECT_CLASS (dc_engine_drivers_parent_class)->finalize (object);
}

static void
dc_engine_drivers_class_init (DcEngineDriversClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dc_engine_drivers_dispose;
  object_class->finalize = dc_engine_drivers_finalize;

  signals[SIGNAL_DEVICE_CHANGED] =
    g_signal_new ("device-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
}

static void
dc_engine_drivers_init (DcEngineDrivers *self)
{
  self->call_timeout = DEFAULT_CALL_TIMEOUT;
  self->devices = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, device_free);
  self->term_devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

DcEngineDrivers *
dc_engine_drivers_new (DcStore                    *store,
                       DcSampleSink               *sink,
                       const DcEngineDriversHooks *hooks,
                       gpointer                    hooks_data)
{
  DcEngineDrivers *self;

  g_return_val_if_fail (DC_IS_STORE (store), NULL);
  g_return_val_if_fail (sink != NULL, NULL);

  self = g_object_new (DC_TYPE_ENGINE_DRIVERS, NULL);
  self->store = g_object_ref (store);
  self->sink = sink;
  if (hooks != NULL)
    self->hooks = *hooks;
  self->hooks_data = hooks_data;
  self->drivers_sink.parent.push_batch = drivers_sink_push_batch;
  self->drivers_sink.parent.is_congested = drivers_sink_is_congested;
  self->drivers_sink.parent.push_history = drivers_sink_push_history;
  self->drivers_sink.parent.push_api = _dc_engine_drivers_drivers_sink_push_api;
  self->drivers_sink.self = self;

  return self;
}

void
dc_engine_drivers_set_n_io_threads (DcEngineDrivers *self,
                                    guint            n_threads)
{
  g_return_if_fail (DC_IS_ENGINE_DRIVERS (self));
  g_return_if_fail (self->pool == NULL);

  self->n_io_threads = n_threads;
}

void
dc_engine_drivers_set_call_timeout (DcEngineDrivers *self,
                                    gint64           timeout_us)
{
  g_return_if_fail (DC_IS_ENGINE_DRIVERS (self));
  g_return_if_fail (timeout_us > 0);

  self->call_timeout = timeout_us;
}

gint64
dc_engine_drivers_get_call_timeout (DcEngineDrivers *self)
{
  g_return_val_if_fail (DC_IS_ENGINE_DRIVERS (self), 0);

  return self->call_timeout;
}

void
dc_engine_drivers_start (DcEngineDrivers *self)
{
  g_autoptr(GPtrArray) ids = NULL;

  g_return_if_fail (DC_IS_ENGINE_DRIVERS (self));

  if (self->started)
    return;
  self->started = TRUE;

  self->changed_id = g_signal_connect (self->store, "changed", G_CALLBACK (store_changed_cb), self);

  ids = dc_store_list_ids (self->store, DC_KIND_DEVICE);
  for (guint i = 0; i < ids->len; i++)
    mark_dirty (self, g_ptr_array_index (ids, i), DIRTY_DEVICE | DIRTY_POINTS);
  dc_engine_drivers_flush (self);
}

void
dc_engine_drivers_shutdown (DcEngineDrivers *self)
{
  g_return_if_fail (DC_IS_ENGINE_DRIVERS (self));

  g_clear_handle_id (&self->flush_id, g_source_remove);
  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  if (self->devices != NULL)
    g_hash_table_remove_all (self->devices);
  if (self->dirty != NULL)
    g_hash_table_remove_all (self->dirty);
  self->started = FALSE;
}

/* Queries */

Device *
_dc_engine_drivers_lookup_device (DcEngineDrivers *self,
                                  const char      *device_id)
{
  if (g_hash_table_size (self->dirty) > 0)
    dc_engine_drivers_flush (self);

  return g_hash_table_lookup (self->devices, device_id);
}

DcDriver *
dc_engine_drivers_get_driver (DcEngineDrivers *self,
                              const char      *device_id)
{
  Device *device;

  g_return_val_if_fail (DC_IS_ENGINE_DRIVERS (self), NULL);

  device = _dc_engine_drivers_lookup_device (self, device_id);
  if (device == NULL || device->driver == NULL || !_dc_engine_drivers_driver_has_link (device->driver))
    return NULL;

  return device->driver;
}

DcLinkState
dc_engine_drivers_get_state (DcEngineDrivers *self,
                             const char      *device_id)
{
  Device *device;

  g_return_val_if_fail (DC_IS_ENGINE_DRIVERS (self), DC_LINK_DISABLED);

  device = _dc_engine_drivers_lookup_device (self, device_id);
  if (device == NULL)
    return DC_LINK_DISABLED;
  if (device->driver != NULL)
    return dc_driver_get_link_state (device->driver);

  return device->state;
}

const char *
dc_engine_drivers_get_device_status (DcEngineDrivers *self,
                                     const char      *device_id)
{
  return dc_engine_drivers_get_state (self, device_id) == DC_LINK_UP ? "on" : "off";
}

JsonNode *
dc_engine_drivers_build_status (DcEngineDrivers  *self,
                                const char       *device_id,
                                GError          **error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *since = NULL;
  Device *device;

  g_return_val_if_fail (DC_IS_ENGINE_DRIVERS (self), NULL);

  device = _dc_engine_drivers_lookup_device (self, device_id);
  if (device == NULL)
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_NOT_FOUND,
                           dc_kind_not_found_text (DC_KIND_DEVICE));
      return NULL;
    }

  if (device->driver != NULL)
    return dc_driver_build_status (device->driver);

  since = dc_time_format (device->since);
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "device_id");
  json_builder_add_string_value (builder, device->device_id);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, dc_link_state_to_string (device->state));
  json_builder_set_member_name (builder, "since");
  json_builder_add_string_value (builder, since);
  json_builder_set_member_name (builder, "last_error");
  if (device->last_error != NULL)
    json_builder_add_string_value (builder, device->last_error);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "reconnects");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "frames_in");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "frames_out");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "bytes_in");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "bytes_out");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "protocol");
  json_builder_begin_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

JsonNode *
dc_engine_drivers_build_frames (DcEngineDrivers  *self,
                                const char       *device_id,
                                guint             limit,
                                GError          **error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  Device *device;

  g_return_val_if_fail (DC_IS_ENGINE_DRIVERS (self), NULL);

  device = _dc_engine_drivers_lookup_device (self, device_id);
  if (device == NULL)
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_NOT_FOUND,
                           dc_kind_not_found_text (DC_KIND_DEVICE));
      return NULL;
    }

  builder = json_builder_new ();
  json_builder_begin_array (builder);

  if (device->driver != NULL)
    frames = dc_traffic_get_frames (dc_driver_get_traffic (device->driver), 0, limit);

  for (guint i = 0; frames != NULL && i < frames->len; i++)
    {
      DcTrafficFrame *frame = g_ptr_array_index (frames, i);
      g_autofree char *time = dc_time_format (frame->time);
      g_autofree char *hex = dc_traffic_format_hex (frame->bytes, frame->len);
      g_autoptr(JsonObject) decoded = NULL;
      g_autofree char *decode_error = NULL;
      g_autofree char *summary = dc_driver_decode_frame (device->driver, frame, &decoded,
                                                         &decode_error);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "time");
      json_builder_add_string_value (builder, time);
      json_builder_set_member_name (builder, "dir");
      json_builder_add_string_value (builder, frame->incoming ? "rx" : "tx");
      json_builder_set_member_name (builder, "bytes");
      json_builder_add_string_value (builder, hex);
      json_builder_set_member_name (builder, "summary");
      if (summary != NULL)
        json_builder_add_string_value (builder, summary);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "decoded");
      if (decoded != NULL)
        {
          JsonNode *node = json_node_new (JSON_NODE_OBJECT);

          json_node_set_object (node, decoded);
          json_builder_add_value (builder, node);
        }
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "error");
      if (decode_error != NULL)
        json_builder_add_string_value (builder, decode_error);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }

  json_builder_end_array (builder);

  return json_builder_get_root (builder);
}

