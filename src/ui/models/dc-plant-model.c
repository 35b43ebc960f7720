/* dc-plant-model.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-plant-model"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "dc-plant-model-private.h"

enum {
  PROP_0,
  PROP_REFRESH_RATE,
  PROP_N_POINTS,
  N_PROPS
};

enum {
  FLUSHED,
  DEVICE_FAILED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (DcPlantModel, dc_plant_model, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
flush_cb (gpointer data)
{
  DcPlantModel *self = data;

  dc_plant_model_flush (self);
  if (g_hash_table_size (self->pending) == 0)
    {
      self->flush_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
dc_plant_model_dispose (GObject *object)
{
  DcPlantModel *self = DC_PLANT_MODEL (object);

  g_clear_handle_id (&self->flush_id, g_source_remove);
  dc_plant_model_follow_engine (self, NULL);
  dc_plant_model_follow_store (self, NULL);
  g_clear_object (&self->audit_source);
  g_clear_object (&self->devices);

  G_OBJECT_CLASS (dc_plant_model_parent_class)->dispose (object);
}

static void
dc_plant_model_finalize (GObject *object)
{
  DcPlantModel *self = DC_PLANT_MODEL (object);

  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->rows_by_id, g_hash_table_unref);
  g_clear_pointer (&self->rows_by_key, g_hash_table_unref);
  g_clear_pointer (&self->terms_by_id, g_hash_table_unref);
  g_clear_pointer (&self->devices_by_id, g_hash_table_unref);
  g_clear_pointer (&self->items, g_hash_table_unref);

  G_OBJECT_CLASS (dc_plant_model_parent_class)->finalize (object);
}

static void
dc_plant_model_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DcPlantModel *self = DC_PLANT_MODEL (object);

  switch (prop_id)
    {
    case PROP_REFRESH_RATE:
      g_value_set_double (value, self->refresh_rate);
      break;
    case PROP_N_POINTS:
      g_value_set_uint (value, dc_plant_model_get_n_points (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dc_plant_model_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  DcPlantModel *self = DC_PLANT_MODEL (object);

  switch (prop_id)
    {
    case PROP_REFRESH_RATE:
      dc_plant_model_set_refresh_rate (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dc_plant_model_class_init (DcPlantModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dc_plant_model_dispose;
  object_class->finalize = dc_plant_model_finalize;
  object_class->get_property = dc_plant_model_get_property;
  object_class->set_property = dc_plant_model_set_property;

  properties[PROP_REFRESH_RATE] =
    g_param_spec_double ("refresh-rate", NULL, NULL, 0.5, 60, 10,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_POINTS] =
    g_param_spec_uint ("n-points", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted after pending samples were applied to the rows, with the number of rows. */
  signals[FLUSHED] =
    g_signal_new ("flushed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[DEVICE_FAILED] =
    g_signal_new ("device-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, DC_TYPE_DEVICE_NODE, G_TYPE_STRING);
}

static void
dc_plant_model_init (DcPlantModel *self)
{
  self->devices = g_list_store_new (DC_TYPE_DEVICE_NODE);
  self->devices_by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->terms_by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* Keyed by the row's own key (dc_point_row_peek_key()); the id index, by the row's own point
   * id, is made on first use (_dc_plant_model_rows_by_id()). */
  self->rows_by_key = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_object_unref);
  self->items = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) json_object_unref);
  self->pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  self->refresh_rate = 10;
}

DcPlantModel *
dc_plant_model_new (void)
{
  return g_object_new (DC_TYPE_PLANT_MODEL, NULL);
}

GListModel *
dc_plant_model_get_devices (DcPlantModel *self)
{
  g_return_val_if_fail (DC_IS_PLANT_MODEL (self), NULL);
  return G_LIST_MODEL (self->devices);
}

guint
dc_plant_model_get_n_points (DcPlantModel *self)
{
  g_return_val_if_fail (DC_IS_PLANT_MODEL (self), 0);
  return g_hash_table_size (self->rows_by_key);
}

DcDeviceNode *
dc_plant_model_lookup_device (DcPlantModel *self,
                              const char   *device_id)
{
  g_return_val_if_fail (DC_IS_PLANT_MODEL (self), NULL);
  return device_id ? g_hash_table_lookup (self->devices_by_id, device_id) : NULL;
}

DcDeviceNode *
dc_plant_model_lookup_term (DcPlantModel *self,
                            const char   *term_id)
{
  g_return_val_if_fail (DC_IS_PLANT_MODEL (self), NULL);
  return term_id ? g_hash_table_lookup (self->terms_by_id, term_id) : NULL;
}

DcPointRow *
dc_plant_model_lookup_point (DcPlantModel *self,
                             gint64        key)
{
  g_return_val_if_fail (DC_IS_PLANT_MODEL (self), NULL);
  return g_hash_table_lookup (self->rows_by_key, &key);
}

DcPointRow *
dc_plant_model_lookup_point_id (DcPlantModel *self,
                                const char   *term_id,
                                const char   *item_id)
{
  g_autofree char *id = NULL;

  g_return_val_if_fail (DC_IS_PLANT_MODEL (self), NULL);

  id = g_strconcat (term_id, ":", item_id, NULL);
  return g_hash_table_lookup (_dc_plant_model_rows_by_id (self), id);
}

void
dc_plant_model_load (DcPlantModel       *self,
                     GPtrArray          *devices,
                     GPtrArray          *terms,
                     GPtrArray          *items,
                     const DcPlantPoint *points,
                     guint               n_points)
{
  g_return_if_fail (DC_IS_PLANT_MODEL (self));

  _dc_plant_model_load (self, devices, terms, items, points, n_points);
}

void
dc_plant_model_apply_change (DcPlantModel *self,
                             DcKind        kind,
                             DcChangeOp    op,
                             const char   *id,
                             const char   *old_id,
                             JsonObject   *object,
                             gint64        key)
{
  g_return_if_fail (DC_IS_PLANT_MODEL (self));
  g_return_if_fail (id != NULL);

  _dc_plant_model_apply_change (self, kind, op, id, old_id, object, key);
}

void
dc_plant_model_follow_store (DcPlantModel *self,
                             DcStore      *store)
{
  g_return_if_fail (DC_IS_PLANT_MODEL (self));
  g_return_if_fail (store == NULL || DC_IS_STORE (store));

  _dc_plant_model_follow_store (self, store);
}

DcStore *
dc_plant_model_get_store (DcPlantModel *self)
{
  g_return_val_if_fail (DC_IS_PLANT_MODEL (self), NULL);
  return self->store;
}

void
dc_plant_model_set_audit_source (DcPlantModel  *self,
                                 DcAuditSource *source)
{
  g_return_if_fail (DC_IS_PLANT_MODEL (self));
  g_return_if_fail (source == NULL || DC_IS_AUDIT_SOURCE (source));

  g_set_object (&self->audit_source, source);
}

DcAuditSource *
dc_plant_model_get_audit_source (DcPlantModel *self)
{
  g_return_val_if_fail (DC_IS_PLANT_MODEL (self), NULL);

  if (self->audit_source == NULL && self->store != NULL &&
      dc_store_get_audit (self->store) != NULL)
    self->audit_source = dc_audit_source_new_local (dc_store_get_audit (self->store));
  return self->audit_source;
}

void
dc_plant_model_push_samples (DcPlantModel   *self,
                             const DcSample *samples,
                             guint           n_samples)
{
  g_return_if_fail (DC_IS_PLANT_MODEL (self));

  for (guint i = 0; i < n_samples; i++)
    {
      DcSample *pending = g_hash_table_lookup (self->pending, &samples[i].key);

      if (pending != NULL)
        {
          if (samples[i].time >= pending->time)
            *pending = samples[i];
          continue;
        }
      if (!g_hash_table_contains (self->rows_by_key, &samples[i].key))
        continue;
      pending = g_memdup2 (&samples[i], sizeof *pending);
      g_hash_table_insert (self->pending, &pending->key, pending);
    }

  if (self->flush_id == 0 && g_hash_table_size (self->pending) > 0)
    self->flush_id = g_timeout_add ((guint) (1000 / self->refresh_rate), flush_cb, self);
}

guint
dc_plant_model_flush (DcPlantModel *self)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_return_val_if_fail (DC_IS_PLANT_MODEL (self), 0);

  if (g_hash_table_size (self->pending) == 0)
    return 0;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      DcSample *sample = value;
      DcPointRow *row = g_hash_table_lookup (self->rows_by_key, &sample->key);

      /* The live rule of the engine: an older sample does not replace a newer one. */
      if (row != NULL &&
          (!dc_point_row_has_value (row) || sample->time >= dc_point_row_get_time (row)))
        {
          dc_point_row_set_sample (row, sample);
          n++;
        }
    }
  g_hash_table_remove_all (self->pending);

  g_signal_emit (self, signals[FLUSHED], 0, n);
  return n;
}

double
dc_plant_model_get_refresh_rate (DcPlantModel *self)
{
  g_return_val_if_fail (DC_IS_PLANT_MODEL (self), 10);
  return self->refresh_rate;
}

void
dc_plant_model_set_refresh_rate (DcPlantModel *self,
                                 double        hz)
{
  g_return_if_fail (DC_IS_PLANT_MODEL (self));

  hz = CLAMP (hz, 0.5, 60);
  if (self->refresh_rate == hz)
    return;
  self->refresh_rate = hz;
  if (self->flush_id != 0)
    {
      g_clear_handle_id (&self->flush_id, g_source_remove);
      self->flush_id = g_timeout_add ((guint) (1000 / self->refresh_rate), flush_cb, self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESH_RATE]);
}

void
dc_plant_model_set_device_state (DcPlantModel *self,
                                 const char   *device_id,
                                 DcNodeLink   state,
                                 const char   *last_error)
{
  DcDeviceNode *node;

  g_return_if_fail (DC_IS_PLANT_MODEL (self));

  node = dc_plant_model_lookup_device (self, device_id);
  if (node == NULL)
    return;
  if (state == DC_NODE_LINK_DOWN && dc_device_node_get_state (node) != DC_NODE_LINK_DOWN)
    {
      g_autofree char *message = NULL;

      if (last_error != NULL && last_error[0] != '\0')
        /* Translators: "<device name>: <error>", shown in a toast. */
        message = g_strdup_printf (_("%s: %s"), dc_device_node_get_name (node), last_error);
      else
        message = g_strdup_printf (_("%s is disconnected"), dc_device_node_get_name (node));
      g_signal_emit (self, signals[DEVICE_FAILED], 0, node, message);
    }
  dc_device_node_set_state (node, state);
  dc_device_node_set_last_error (node, last_error);
}

DcNodeLink
dc_node_link_from_string (const char *state)
{
  if (g_strcmp0 (state, "up") == 0)
    return DC_NODE_LINK_UP;
  if (g_strcmp0 (state, "down") == 0)
    return DC_NODE_LINK_DOWN;
  if (g_strcmp0 (state, "connecting") == 0)
    return DC_NODE_LINK_CONNECTING;
  if (g_strcmp0 (state, "disabled") == 0)
    return DC_NODE_LINK_DISABLED;
  return DC_NODE_LINK_UNKNOWN;
}

static DcNodeLink
link_from_driver_state (DcLinkState state)
{
  switch (state)
    {
    case DC_LINK_UP:
      return DC_NODE_LINK_UP;
    case DC_LINK_DOWN:
      return DC_NODE_LINK_DOWN;
    case DC_LINK_CONNECTING:
      return DC_NODE_LINK_CONNECTING;
    case DC_LINK_DISABLED:
      return DC_NODE_LINK_DISABLED;
    default:
      return DC_NODE_LINK_UNKNOWN;
    }
}

static void
engine_samples_cb (DcPlantModel *self,
                   GArray       *samples,
                   DcEngine     *engine)
{
  dc_plant_model_push_samples (self, (const DcSample *) samples->data, samples->len);
}

static void
device_changed_cb (DcPlantModel    *self,
                   const char      *device_id,
                   const char      *state,
                   const char      *last_error,
                   DcEngineDrivers *drivers)
{
  dc_plant_model_set_device_state (self, device_id, dc_node_link_from_string (state), last_error);
}

static void
sync_device_states (DcPlantModel *self)
{
  DcEngineDrivers *drivers = dc_engine_get_drivers (self->engine);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->devices)); i++)
    {
      g_autoptr(DcDeviceNode) node = g_list_model_get_item (G_LIST_MODEL (self->devices), i);
      const char *id = dc_device_node_get_id (node);
      DcDriver *driver = dc_engine_drivers_get_driver (drivers, id);
      g_autofree char *error = driver ? dc_driver_dup_last_error (driver) : NULL;

      dc_plant_model_set_device_state (self, id,
                                       link_from_driver_state (dc_engine_drivers_get_state (drivers, id)),
                                       error);
    }
}

static void
devices_items_changed_cb (DcPlantModel *self,
                          guint         position,
                          guint         removed,
                          guint         added)
{
  /* A new device: its driver starts in an idle after the commit; take the state then too. */
  if (added > 0 && self->engine != NULL)
    sync_device_states (self);
}

void
dc_plant_model_follow_engine (DcPlantModel *self,
                              DcEngine     *engine)
{
  GHashTableIter iter;
  gpointer value;
  g_autoptr(GArray) live = NULL;

  g_return_if_fail (DC_IS_PLANT_MODEL (self));
  g_return_if_fail (engine == NULL || DC_IS_ENGINE (engine));

  if (self->engine != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->engine, self);
      g_signal_handlers_disconnect_by_data (dc_engine_get_drivers (self->engine), self);
      g_signal_handlers_disconnect_by_func (self->devices, devices_items_changed_cb, self);
      g_clear_object (&self->engine);
    }
  if (engine == NULL)
    return;

  self->engine = g_object_ref (engine);
  g_signal_connect_object (engine, "samples", G_CALLBACK (engine_samples_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (dc_engine_get_drivers (engine), "device-changed",
                           G_CALLBACK (device_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_swapped (self->devices, "items-changed",
                            G_CALLBACK (devices_items_changed_cb), self);

  /* What the engine knows now: live values and link states. */
  live = g_array_new (FALSE, FALSE, sizeof (DcSample));
  g_hash_table_iter_init (&iter, self->rows_by_key);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      DcSample sample;

      if (dc_engine_get_live (engine, dc_point_row_get_key (value), &sample))
        g_array_append_val (live, sample);
    }
  dc_plant_model_push_samples (self, (const DcSample *) live->data, live->len);
  dc_plant_model_flush (self);
  sync_device_states (self);
}

DcEngine *
dc_plant_model_get_engine (DcPlantModel *self)
{
  g_return_val_if_fail (DC_IS_PLANT_MODEL (self), NULL);
  return self->engine;
}
