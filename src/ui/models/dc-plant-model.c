/* dc-plant-model.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-plant-model"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "dc-plant-model.h"
#include "dc-json-util.h"

#include "dc-protocol.h"

struct _DcPlantModel
{
  GObject      parent_instance;

  GListStore  *devices;
  GHashTable  *devices_by_id;   /* id → DcDeviceNode (borrowed from the stores) */
  GHashTable  *terms_by_id;     /* id → DcDeviceNode */
  GHashTable  *rows_by_key;     /* gint64* → DcPointRow (owned) */
  GHashTable  *rows_by_id;      /* "term:item" → DcPointRow (borrowed) */
  GHashTable  *items;           /* item id → JsonObject (owned) */
  GHashTable  *pending;         /* gint64* (in the value) → DcSample* (owned) */

  DcStore     *store;
  DcEngine    *engine;

  double       refresh_rate;
  guint        flush_id;
};

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

static const char *
node_id_cb (gpointer item)
{
  return dc_device_node_get_id (item);
}

static const char *
row_item_id_cb (gpointer item)
{
  return dc_point_row_get_item_id (item);
}

static gboolean
store_remove_item (GListStore *store,
                   gpointer    item)
{
  guint position;

  if (g_list_store_find (store, item, &position))
    {
      g_list_store_remove (store, position);
      return TRUE;
    }
  return FALSE;
}

static DcNodeLink
initial_state (JsonObject *device)
{
  if (!dc_json_get_bool (device, "enabled", TRUE))
    return DC_NODE_LINK_DISABLED;
  return DC_NODE_LINK_UNKNOWN;
}

static void
update_device (DcDeviceNode *node,
               JsonObject   *device)
{
  DcNodeLink state = initial_state (device);

  dc_device_node_set_name (node, dc_json_get_string (device, "name", NULL));
  dc_device_node_set_protocol (node, dc_json_get_string (device, "protocol", NULL));
  if (state == DC_NODE_LINK_DISABLED || dc_device_node_get_state (node) == DC_NODE_LINK_DISABLED)
    dc_device_node_set_state (node, state);
}

static char *
format_address (JsonObject *point,
                const char *protocol)
{
  JsonNode *node = json_object_get_member (point, "protocol_code");
  const DcProtocol *descriptor;
  g_autofree char *code = NULL;

  /* protocol_code is kept as the client sent it: a number or a string. */
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return g_strdup ("");
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    code = g_strdup (json_node_get_string (node));
  else
    code = g_strdup_printf ("%" G_GINT64_FORMAT, dc_json_get_int (point, "protocol_code", 0));
  if (code[0] == '\0')
    return g_strdup ("");
  descriptor = dc_protocol_lookup (protocol);
  if (descriptor != NULL && descriptor->format_address != NULL)
    return descriptor->format_address (point, code);
  return g_strdup (code);
}

/* The protocol tells which values are states (docs/iec104.md, docs/modbus.md). */
static DcPointKind
point_kind (JsonObject *point,
            const char *protocol)
{
  const DcProtocol *descriptor = dc_protocol_lookup (protocol);

  switch (descriptor != NULL && descriptor->value_kind != NULL
          ? descriptor->value_kind (point) : DC_PROTOCOL_VALUE_ANALOG)
    {
    case DC_PROTOCOL_VALUE_SINGLE:
      return DC_POINT_KIND_SINGLE;
    case DC_PROTOCOL_VALUE_DOUBLE:
      return DC_POINT_KIND_DOUBLE;
    case DC_PROTOCOL_VALUE_ANALOG:
    default:
      return DC_POINT_KIND_ANALOG;
    }
}

static void
update_row (DcPlantModel *self,
            DcPointRow   *row,
            JsonObject   *point)
{
  DcDeviceNode *device = g_hash_table_lookup (self->devices_by_id,
                                              dc_point_row_get_device_id (row));
  JsonObject *item = g_hash_table_lookup (self->items, dc_point_row_get_item_id (row));
  g_autofree char *address = NULL;

  if (point != NULL)
    {
      address = format_address (point, device ? dc_device_node_get_protocol (device) : NULL);
      dc_point_row_set_address (row, address);
      dc_point_row_set_kind (row, point_kind (point, device ? dc_device_node_get_protocol (device) : NULL));
      dc_point_row_set_scaling (row,
                                dc_json_get_double (point, "coefficient", 1),
                                dc_json_get_double (point, "base_val", 0));
      dc_point_row_set_limits (row,
                               dc_json_get_double (point, "down_limit", NAN),
                               dc_json_get_double (point, "up_limit", NAN));
    }
  dc_point_row_set_name (row, item ? dc_json_get_string (item, "name", NULL) : NULL);
  dc_point_row_set_unit (row, item ? dc_json_get_string (item, "unit", NULL) : NULL);
}

static DcPointRow *
create_row (DcPlantModel *self,
            gint64        key,
            JsonObject   *point)
{
  const char *term_id = dc_json_get_string (point, "term_id", NULL);
  const char *item_id = dc_json_get_string (point, "item_id", NULL);
  DcDeviceNode *term = g_hash_table_lookup (self->terms_by_id, term_id);
  const char *device_id = dc_json_get_string (point, "device_id", NULL);
  DcPointRow *row;

  if (device_id == NULL && term != NULL)
    device_id = dc_device_node_get_device_id (term);

  {
    DcDeviceNode *device = device_id ? g_hash_table_lookup (self->devices_by_id, device_id) : NULL;
    const char *protocol = device ? dc_device_node_get_protocol (device) : NULL;
    JsonObject *item = item_id ? g_hash_table_lookup (self->items, item_id) : NULL;
    g_autofree char *address = format_address (point, protocol);

    /* Set without notifications: nobody watches a row that is being created. */
    row = dc_point_row_new_full (key, device_id, term_id, item_id,
                                 item ? dc_json_get_string (item, "name", NULL) : NULL,
                                 address,
                                 item ? dc_json_get_string (item, "unit", NULL) : NULL,
                                 point_kind (point, protocol),
                                 dc_json_get_double (point, "coefficient", 1),
                                 dc_json_get_double (point, "base_val", 0),
                                 dc_json_get_double (point, "down_limit", NAN),
                                 dc_json_get_double (point, "up_limit", NAN));
  }
  g_hash_table_insert (self->rows_by_key, &((gint64 *) g_memdup2 (&key, sizeof key))[0], row);
  g_hash_table_insert (self->rows_by_id, g_strdup (dc_point_row_get_point_id (row)), row);

  return row;
}

static void
forget_row (DcPlantModel *self,
            DcPointRow   *row)
{
  gint64 key = dc_point_row_get_key (row);

  g_hash_table_remove (self->pending, &key);
  g_hash_table_remove (self->rows_by_id, dc_point_row_get_point_id (row));
  g_hash_table_remove (self->rows_by_key, &key);
}

static void
forget_term (DcPlantModel *self,
             DcDeviceNode *term)
{
  GListModel *points = G_LIST_MODEL (dc_device_node_get_children (term));

  for (guint i = 0; i < g_list_model_get_n_items (points); i++)
    {
      g_autoptr(DcPointRow) row = g_list_model_get_item (points, i);

      forget_row (self, row);
    }
  g_hash_table_remove (self->terms_by_id, dc_device_node_get_id (term));
}

static void
notify_n_points (DcPlantModel *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_POINTS]);
}

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
  self->rows_by_key = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->rows_by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
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
  return g_hash_table_lookup (self->rows_by_id, id);
}

void
dc_plant_model_load (DcPlantModel       *self,
                     GPtrArray          *devices,
                     GPtrArray          *terms,
                     GPtrArray          *items,
                     const DcPlantPoint *points,
                     guint               n_points)
{
  g_autoptr(GPtrArray) device_nodes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) term_rows = g_hash_table_new_full (NULL, NULL, NULL,
                                                           (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GHashTable) device_terms = g_hash_table_new_full (NULL, NULL, NULL,
                                                              (GDestroyNotify) g_ptr_array_unref);
  GHashTableIter iter;
  gpointer k, v;

  g_return_if_fail (DC_IS_PLANT_MODEL (self));

  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_hash_table_remove_all (self->pending);
  g_hash_table_remove_all (self->rows_by_id);
  g_hash_table_remove_all (self->rows_by_key);
  g_hash_table_remove_all (self->terms_by_id);
  g_hash_table_remove_all (self->devices_by_id);
  g_hash_table_remove_all (self->items);

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      JsonObject *item = g_ptr_array_index (items, i);
      const char *id = dc_json_get_string (item, "id", NULL);

      if (id != NULL)
        g_hash_table_insert (self->items, g_strdup (id), json_object_ref (item));
    }

  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      JsonObject *device = g_ptr_array_index (devices, i);
      const char *id = dc_json_get_string (device, "id", NULL);
      DcDeviceNode *node;

      if (id == NULL)
        continue;
      node = dc_device_node_new (DC_NODE_DEVICE, id);
      update_device (node, device);
      g_ptr_array_add (device_nodes, node);
      g_hash_table_insert (self->devices_by_id, g_strdup (id), node);
      g_hash_table_insert (device_terms, node, g_ptr_array_new_with_free_func (g_object_unref));
    }

  for (guint i = 0; terms != NULL && i < terms->len; i++)
    {
      JsonObject *term = g_ptr_array_index (terms, i);
      const char *id = dc_json_get_string (term, "id", NULL);
      const char *device_id = dc_json_get_string (term, "device_id", NULL);
      DcDeviceNode *device = device_id ? g_hash_table_lookup (self->devices_by_id, device_id) : NULL;
      DcDeviceNode *node;

      if (id == NULL || device == NULL)
        continue;
      node = dc_device_node_new (DC_NODE_TERM, id);
      dc_device_node_set_name (node, dc_json_get_string (term, "name", NULL));
      dc_device_node_set_device_id (node, device_id);
      dc_device_node_set_protocol (node, dc_device_node_get_protocol (device));
      g_ptr_array_add (g_hash_table_lookup (device_terms, device), node);
      g_hash_table_insert (self->terms_by_id, g_strdup (id), node);
      g_hash_table_insert (term_rows, node, g_ptr_array_new_with_free_func (g_object_unref));
    }

  for (guint i = 0; i < n_points; i++)
    {
      const char *term_id = dc_json_get_string (points[i].json, "term_id", NULL);
      DcDeviceNode *term = term_id ? g_hash_table_lookup (self->terms_by_id, term_id) : NULL;
      DcPointRow *row;

      if (term == NULL)
        continue;
      row = create_row (self, points[i].key, points[i].json);
      g_ptr_array_add (g_hash_table_lookup (term_rows, term), g_object_ref (row));
    }

  /* Fill the stores in one splice each: the list models see one change per store. */
  g_hash_table_iter_init (&iter, term_rows);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      GPtrArray *rows = v;

      g_list_store_splice (dc_device_node_get_children (k), 0,
                           g_list_model_get_n_items (G_LIST_MODEL (dc_device_node_get_children (k))),
                           rows->pdata, rows->len);
    }
  g_hash_table_iter_init (&iter, device_terms);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      GPtrArray *nodes = v;

      g_list_store_splice (dc_device_node_get_children (k), 0, 0, nodes->pdata, nodes->len);
    }
  g_list_store_splice (self->devices, 0, g_list_model_get_n_items (G_LIST_MODEL (self->devices)),
                       device_nodes->pdata, device_nodes->len);

  notify_n_points (self);
}

static void
apply_device (DcPlantModel *self,
              DcChangeOp    op,
              const char   *id,
              const char   *old_id,
              JsonObject   *object)
{
  DcDeviceNode *node = g_hash_table_lookup (self->devices_by_id, old_id ? old_id : id);

  if (op == DC_CHANGE_DELETE)
    {
      GListModel *terms;

      if (node == NULL)
        return;
      terms = G_LIST_MODEL (dc_device_node_get_children (node));
      for (guint i = 0; i < g_list_model_get_n_items (terms); i++)
        {
          g_autoptr(DcDeviceNode) term = g_list_model_get_item (terms, i);

          forget_term (self, term);
        }
      g_hash_table_remove (self->devices_by_id, id);
      store_remove_item (self->devices, node);
      notify_n_points (self);
      return;
    }

  if (object == NULL)
    return;

  if (node == NULL)
    {
      g_autoptr(DcDeviceNode) created = dc_device_node_new (DC_NODE_DEVICE, id);

      update_device (created, object);
      g_hash_table_insert (self->devices_by_id, g_strdup (id), created);
      dc_list_store_insert_natural (self->devices, created, node_id_cb);
      return;
    }

  update_device (node, object);
  if (old_id != NULL && g_strcmp0 (old_id, id) != 0)
    {
      g_autoptr(DcDeviceNode) keep = g_object_ref (node);
      GListModel *terms = G_LIST_MODEL (dc_device_node_get_children (node));

      g_hash_table_remove (self->devices_by_id, old_id);
      dc_device_node_set_id (node, id);
      g_hash_table_insert (self->devices_by_id, g_strdup (id), node);
      for (guint i = 0; i < g_list_model_get_n_items (terms); i++)
        {
          g_autoptr(DcDeviceNode) term = g_list_model_get_item (terms, i);
          GListModel *rows = G_LIST_MODEL (dc_device_node_get_children (term));

          dc_device_node_set_device_id (term, id);
          for (guint j = 0; j < g_list_model_get_n_items (rows); j++)
            {
              g_autoptr(DcPointRow) row = g_list_model_get_item (rows, j);

              dc_point_row_set_ids (row, id, dc_point_row_get_term_id (row),
                                    dc_point_row_get_item_id (row));
            }
        }
      store_remove_item (self->devices, node);
      dc_list_store_insert_natural (self->devices, node, node_id_cb);
    }
}

static void
apply_term (DcPlantModel *self,
            DcChangeOp    op,
            const char   *id,
            const char   *old_id,
            JsonObject   *object)
{
  DcDeviceNode *node = g_hash_table_lookup (self->terms_by_id, old_id ? old_id : id);
  const char *device_id = object ? dc_json_get_string (object, "device_id", NULL) : NULL;
  DcDeviceNode *device = device_id ? g_hash_table_lookup (self->devices_by_id, device_id) : NULL;

  if (op == DC_CHANGE_DELETE)
    {
      DcDeviceNode *owner;

      if (node == NULL)
        return;
      owner = g_hash_table_lookup (self->devices_by_id, dc_device_node_get_device_id (node));
      g_object_ref (node);
      forget_term (self, node);
      if (owner != NULL)
        store_remove_item (dc_device_node_get_children (owner), node);
      g_object_unref (node);
      notify_n_points (self);
      return;
    }

  if (object == NULL || device == NULL)
    return;

  if (node == NULL)
    {
      g_autoptr(DcDeviceNode) created = dc_device_node_new (DC_NODE_TERM, id);

      dc_device_node_set_name (created, dc_json_get_string (object, "name", NULL));
      dc_device_node_set_device_id (created, device_id);
      dc_device_node_set_protocol (created, dc_device_node_get_protocol (device));
      g_hash_table_insert (self->terms_by_id, g_strdup (id), created);
      dc_list_store_insert_natural (dc_device_node_get_children (device), created, node_id_cb);
      return;
    }

  dc_device_node_set_name (node, dc_json_get_string (object, "name", NULL));
  if ((old_id != NULL && g_strcmp0 (old_id, id) != 0) ||
      g_strcmp0 (dc_device_node_get_device_id (node), device_id) != 0)
    {
      g_autoptr(DcDeviceNode) keep = g_object_ref (node);
      DcDeviceNode *owner = g_hash_table_lookup (self->devices_by_id,
                                                 dc_device_node_get_device_id (node));
      GListModel *rows = G_LIST_MODEL (dc_device_node_get_children (node));

      if (owner != NULL)
        store_remove_item (dc_device_node_get_children (owner), node);
      g_hash_table_steal (self->terms_by_id, old_id ? old_id : id);
      dc_device_node_set_id (node, id);
      dc_device_node_set_device_id (node, device_id);
      g_hash_table_insert (self->terms_by_id, g_strdup (id), node);
      for (guint j = 0; j < g_list_model_get_n_items (rows); j++)
        {
          g_autoptr(DcPointRow) row = g_list_model_get_item (rows, j);

          g_hash_table_remove (self->rows_by_id, dc_point_row_get_point_id (row));
          dc_point_row_set_ids (row, device_id, id, dc_point_row_get_item_id (row));
          g_hash_table_insert (self->rows_by_id, g_strdup (dc_point_row_get_point_id (row)), row);
        }
      dc_list_store_insert_natural (dc_device_node_get_children (device), node, node_id_cb);
    }
}

static void
apply_item (DcPlantModel *self,
            DcChangeOp    op,
            const char   *id,
            const char   *old_id,
            JsonObject   *object)
{
  GHashTableIter iter;
  gpointer value;

  if (old_id != NULL)
    g_hash_table_remove (self->items, old_id);
  if (op == DC_CHANGE_DELETE || object == NULL)
    g_hash_table_remove (self->items, id);
  else
    g_hash_table_insert (self->items, g_strdup (id), json_object_ref (object));

  g_hash_table_iter_init (&iter, self->rows_by_key);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      DcPointRow *row = value;

      if (old_id != NULL && g_strcmp0 (dc_point_row_get_item_id (row), old_id) == 0)
        {
          g_hash_table_remove (self->rows_by_id, dc_point_row_get_point_id (row));
          dc_point_row_set_ids (row, dc_point_row_get_device_id (row),
                                dc_point_row_get_term_id (row), id);
          g_hash_table_insert (self->rows_by_id, g_strdup (dc_point_row_get_point_id (row)), row);
        }
      if (g_strcmp0 (dc_point_row_get_item_id (row), id) == 0)
        update_row (self, row, NULL);
    }
}

static void
apply_point (DcPlantModel *self,
             DcChangeOp    op,
             const char   *id,
             const char   *old_id,
             JsonObject   *object,
             gint64        key)
{
  DcPointRow *row = g_hash_table_lookup (self->rows_by_id, old_id ? old_id : id);

  if (op == DC_CHANGE_DELETE)
    {
      DcDeviceNode *term;

      if (row == NULL)
        return;
      term = g_hash_table_lookup (self->terms_by_id, dc_point_row_get_term_id (row));
      g_object_ref (row);
      forget_row (self, row);
      if (term != NULL)
        store_remove_item (dc_device_node_get_children (term), row);
      g_object_unref (row);
      notify_n_points (self);
      return;
    }

  if (object == NULL)
    return;

  if (row == NULL)
    {
      const char *term_id = dc_json_get_string (object, "term_id", NULL);
      DcDeviceNode *term = term_id ? g_hash_table_lookup (self->terms_by_id, term_id) : NULL;

      if (term == NULL || key <= 0)
        return;
      row = create_row (self, key, object);
      dc_list_store_insert_natural (dc_device_node_get_children (term), row, row_item_id_cb);
      notify_n_points (self);
      return;
    }

  update_row (self, row, object);
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

  switch (kind)
    {
    case DC_KIND_DEVICE:
      apply_device (self, op, id, old_id, object);
      break;
    case DC_KIND_TERM:
      apply_term (self, op, id, old_id, object);
      break;
    case DC_KIND_ITEM:
      apply_item (self, op, id, old_id, object);
      break;
    case DC_KIND_POINT:
      apply_point (self, op, id, old_id, object, key);
      break;
    case DC_KIND_FORMULA:
    case DC_N_KINDS:
    default:
      break;
    }
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
                                 const char   *last_error,
                                 guint         reconnects)
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
  dc_device_node_set_reconnects (node, reconnects);
}

static int
compare_plant_points (gconstpointer a,
                      gconstpointer b)
{
  const DcPlantPoint *pa = a;
  const DcPlantPoint *pb = b;
  int cmp = dc_natural_compare (dc_json_get_string (pa->json, "term_id", ""),
                                dc_json_get_string (pb->json, "term_id", ""));

  if (cmp != 0)
    return cmp;
  return dc_natural_compare (dc_json_get_string (pa->json, "item_id", ""),
                             dc_json_get_string (pb->json, "item_id", ""));
}

static GPtrArray *
get_all (DcStore *store,
         DcKind   kind)
{
  g_autoptr(GPtrArray) ids = dc_store_list_ids (store, kind);
  GPtrArray *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  for (guint i = 0; i < ids->len; i++)
    {
      JsonObject *object = dc_store_get (store, kind, g_ptr_array_index (ids, i), NULL);

      if (object != NULL)
        g_ptr_array_add (objects, object);
    }
  return objects;
}

static void
store_changed_cb (DcPlantModel *self,
                  int           kind,
                  int           op,
                  const char   *id,
                  const char   *old_id,
                  DcStore      *store)
{
  g_autoptr(JsonObject) object = NULL;
  gint64 key = 0;

  if (op != DC_CHANGE_DELETE)
    {
      if (kind == DC_KIND_POINT)
        {
          const char *colon = strchr (id, ':');
          g_autofree char *term_id = NULL;

          if (colon == NULL)
            return;
          term_id = g_strndup (id, colon - id);
          object = dc_store_get_point (store, term_id, colon + 1, NULL);
          key = dc_store_get_point_key (store, term_id, colon + 1);
        }
      else if (kind != DC_KIND_FORMULA)
        object = dc_store_get (store, kind, id, NULL);
      if (object == NULL)
        return;
    }

  dc_plant_model_apply_change (self, kind, op, id, old_id, object, key);
}

void
dc_plant_model_follow_store (DcPlantModel *self,
                             DcStore      *store)
{
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GPtrArray) terms = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) infos = NULL;
  g_autofree DcPlantPoint *points = NULL;

  g_return_if_fail (DC_IS_PLANT_MODEL (self));
  g_return_if_fail (store == NULL || DC_IS_STORE (store));

  if (self->store != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->store, self);
      g_clear_object (&self->store);
    }
  if (store == NULL)
    return;

  self->store = g_object_ref (store);
  devices = get_all (store, DC_KIND_DEVICE);
  terms = get_all (store, DC_KIND_TERM);
  items = get_all (store, DC_KIND_ITEM);
  infos = dc_store_list_point_infos (store);
  points = g_new0 (DcPlantPoint, MAX (infos->len, 1));
  for (guint i = 0; i < infos->len; i++)
    {
      DcPointInfo *info = g_ptr_array_index (infos, i);

      points[i].key = info->key;
      points[i].json = info->json;
    }
  qsort (points, infos->len, sizeof *points, compare_plant_points);
  dc_plant_model_load (self, devices, terms, items, points, infos->len);

  g_signal_connect_object (store, "changed", G_CALLBACK (store_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

DcStore *
dc_plant_model_get_store (DcPlantModel *self)
{
  g_return_val_if_fail (DC_IS_PLANT_MODEL (self), NULL);
  return self->store;
}

static DcNodeLink
link_from_string (const char *state)
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

static guint
reconnects_of (DcEngine   *engine,
               const char *device_id)
{
  DcDriver *driver = dc_engine_drivers_get_driver (dc_engine_get_drivers (engine), device_id);
  DcDriverCounters counters = { 0, };

  if (driver == NULL)
    return 0;
  dc_driver_get_counters (driver, &counters);
  return (guint) counters.reconnects;
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
  dc_plant_model_set_device_state (self, device_id, link_from_string (state), last_error,
                                   reconnects_of (self->engine, device_id));
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
                                       error, reconnects_of (self->engine, id));
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
