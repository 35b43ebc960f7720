/* dc-plant-model-changes.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-plant-model"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-plant-model-private.h"
#include "dc-json-util.h"
#include "dc-point-id.h"
#include "dc-protocol.h"

/* The configuration side of DcPlantModel (docs/ui.md, "Layers"), continued: the store's changes
 * applied in place (create, update, rename, delete of devices, terms, items and points), and
 * following the store. The full load is dc-plant-model-config.c's. */

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

          _dc_plant_model_forget_term (self, term);
        }
      g_hash_table_remove (self->devices_by_id, id);
      _dc_plant_model_store_remove (self->devices, node);
      _dc_plant_model_notify_n_points (self);
      return;
    }

  if (object == NULL)
    return;

  if (node == NULL)
    {
      g_autoptr(DcDeviceNode) created = dc_device_node_new (DC_NODE_DEVICE, id);

      _dc_plant_model_update_device (created, object);
      g_hash_table_insert (self->devices_by_id, g_strdup (id), created);
      dc_list_store_insert_natural (self->devices, created, node_id_cb);
      return;
    }

  _dc_plant_model_update_device (node, object);
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
      _dc_plant_model_store_remove (self->devices, node);
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
      _dc_plant_model_forget_term (self, node);
      if (owner != NULL)
        _dc_plant_model_store_remove (dc_device_node_get_children (owner), node);
      g_object_unref (node);
      _dc_plant_model_notify_n_points (self);
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
        _dc_plant_model_store_remove (dc_device_node_get_children (owner), node);
      g_hash_table_steal (self->terms_by_id, old_id ? old_id : id);
      dc_device_node_set_id (node, id);
      dc_device_node_set_device_id (node, device_id);
      g_hash_table_insert (self->terms_by_id, g_strdup (id), node);
      for (guint j = 0; j < g_list_model_get_n_items (rows); j++)
        {
          g_autoptr(DcPointRow) row = g_list_model_get_item (rows, j);

          if (self->rows_by_id != NULL)
            g_hash_table_remove (self->rows_by_id, dc_point_row_get_point_id (row));
          dc_point_row_set_ids (row, device_id, id, dc_point_row_get_item_id (row));
          if (self->rows_by_id != NULL)
            g_hash_table_replace (self->rows_by_id, (gpointer) dc_point_row_get_point_id (row), row);
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
          if (self->rows_by_id != NULL)
            g_hash_table_remove (self->rows_by_id, dc_point_row_get_point_id (row));
          dc_point_row_set_ids (row, dc_point_row_get_device_id (row),
                                dc_point_row_get_term_id (row), id);
          if (self->rows_by_id != NULL)
            g_hash_table_replace (self->rows_by_id, (gpointer) dc_point_row_get_point_id (row), row);
        }
      if (g_strcmp0 (dc_point_row_get_item_id (row), id) == 0)
        _dc_plant_model_update_row (self, row, NULL);
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
  DcPointRow *row = g_hash_table_lookup (_dc_plant_model_rows_by_id (self), old_id ? old_id : id);

  if (op == DC_CHANGE_DELETE)
    {
      DcDeviceNode *term;

      if (row == NULL)
        return;
      term = g_hash_table_lookup (self->terms_by_id, dc_point_row_get_term_id (row));
      g_object_ref (row);
      _dc_plant_model_forget_row (self, row);
      if (term != NULL)
        _dc_plant_model_store_remove (dc_device_node_get_children (term), row);
      g_object_unref (row);
      _dc_plant_model_notify_n_points (self);
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
      row = _dc_plant_model_create_row (self, key, object);
      dc_list_store_insert_natural (dc_device_node_get_children (term), row, row_item_id_cb);
      _dc_plant_model_notify_n_points (self);
      return;
    }

  _dc_plant_model_update_row (self, row, object);
}

void
_dc_plant_model_apply_change (DcPlantModel *self,
                              DcKind        kind,
                              DcChangeOp    op,
                              const char   *id,
                              const char   *old_id,
                              JsonObject   *object,
                              gint64        key)
{
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
          g_autofree char *term_id = NULL;
          const char *item_id;

          if (!dc_point_id_split (id, &term_id, &item_id))
            return;
          object = dc_store_get_point (store, term_id, item_id, NULL);
          key = dc_store_get_point_key (store, term_id, item_id);
        }
      else if (kind != DC_KIND_FORMULA)
        object = dc_store_get (store, kind, id, NULL);
      if (object == NULL)
        return;
    }

  _dc_plant_model_apply_change (self, kind, op, id, old_id, object, key);
}

void
_dc_plant_model_follow_store (DcPlantModel *self,
                              DcStore      *store)
{
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GPtrArray) terms = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) infos = NULL;
  g_autoptr(GPtrArray) objects = NULL;
  g_autofree DcPlantPoint *points = NULL;

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
  objects = g_ptr_array_new_full (infos->len, (GDestroyNotify) json_object_unref);
  points = g_new0 (DcPlantPoint, MAX (infos->len, 1));
  for (guint i = 0; i < infos->len; i++)
    {
      DcPointInfo *info = g_ptr_array_index (infos, i);

      points[i].key = info->key;
      /* The whole object (a compact view has none): owned by @objects for the load. */
      points[i].json = dc_point_info_dup_json (info);
      g_ptr_array_add (objects, points[i].json);
    }
  qsort (points, infos->len, sizeof *points, compare_plant_points);
  _dc_plant_model_load (self, devices, terms, items, points, infos->len);

  g_signal_connect_object (store, "changed", G_CALLBACK (store_changed_cb), self,
                           G_CONNECT_SWAPPED);
}
