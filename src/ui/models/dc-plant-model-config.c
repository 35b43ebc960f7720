/* dc-plant-model-config.c
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

/* The configuration side of DcPlantModel (docs/ui.md, "Layers"): the full load and the rows it
 * makes. The store's changes applied in place are dc-plant-model-changes.c's; live values are
 * dc-plant-model.c's. */

gboolean
_dc_plant_model_store_remove (GListStore *store,
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

void
_dc_plant_model_update_device (DcDeviceNode *node,
                               JsonObject   *device)
{
  DcNodeLink state = initial_state (device);

  dc_device_node_set_name (node, dc_json_get_string (device, "name", NULL));
  dc_device_node_set_protocol (node, dc_json_get_string (device, "protocol", NULL));
  if (state == DC_NODE_LINK_DISABLED || dc_device_node_get_state (node) == DC_NODE_LINK_DISABLED)
    dc_device_node_set_state (node, state);
}

/* The decimal digits of @v into @buf (at least 21 bytes): g_strdup_printf() of an integer was
 * half of the address's cost in a bulk load (docs/performance.md). */
static const char *
format_int64 (char   *buf,
              gsize   size,
              gint64  v)
{
  char *p = buf + size - 1;
  guint64 u = v < 0 ? (guint64) 0 - (guint64) v : (guint64) v;

  *p = '\0';
  do
    {
      *--p = (char) ('0' + u % 10);
      u /= 10;
    }
  while (u != 0);
  if (v < 0)
    *--p = '-';
  return p;
}

/* @code_node: the point's protocol_code member (NULL when it has none). */
static char *
format_address_node (JsonObject *point,
                     JsonNode   *code_node,
                     const char *protocol)
{
  const DcProtocol *descriptor;
  char buf[24];
  const char *code;

  /* protocol_code is kept as the client sent it: a number or a string. */
  if (code_node == NULL || !JSON_NODE_HOLDS_VALUE (code_node))
    return g_strdup ("");
  if (json_node_get_value_type (code_node) == G_TYPE_STRING)
    code = json_node_get_string (code_node);
  else if (json_node_get_value_type (code_node) == G_TYPE_INT64)
    code = format_int64 (buf, sizeof buf, json_node_get_int (code_node));
  else
    code = format_int64 (buf, sizeof buf, dc_json_get_int (point, "protocol_code", 0));
  if (code == NULL || code[0] == '\0')
    return g_strdup ("");
  descriptor = dc_protocol_lookup (protocol);
  if (descriptor != NULL && descriptor->format_address != NULL)
    return descriptor->format_address (point, code);
  return g_strdup (code);
}

static char *
format_address (JsonObject *point,
                const char *protocol)
{
  return format_address_node (point, json_object_get_member (point, "protocol_code"), protocol);
}

/* The point's state texts (docs/model.md), NULL when it has none. */
static JsonObject *
point_states (JsonObject *point)
{
  JsonNode *node = json_object_get_member (point, "states");

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
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

void
_dc_plant_model_update_row (DcPlantModel *self,
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
      dc_point_row_set_presentation (row, dc_json_get_int (point, "decimals", -1),
                                     point_states (point));
    }
  dc_point_row_set_name (row, item ? dc_json_get_string (item, "name", NULL) : NULL);
  dc_point_row_set_unit (row, item ? dc_json_get_string (item, "unit", NULL) : NULL);
}

/* What a row needs from its point's JSON, read in one pass over the members instead of a hash
 * lookup per field (nine per point; docs/performance.md). */
typedef struct
{
  const char *device_id;
  const char *term_id;
  const char *item_id;
  JsonNode   *protocol_code;
  JsonNode   *decimals;
  JsonObject *states;
  double      coefficient;
  double      base_val;
  double      down_limit;
  double      up_limit;
} PointFields;

static const char *
node_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

static double
node_double (JsonNode *node,
             double    default_value)
{
  double v;
  gboolean is_int;

  return dc_json_node_get_number (node, &v, &is_int) ? v : default_value;
}

static void
read_point (JsonObject  *point,
            PointFields *f)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  *f = (PointFields) { .coefficient = 1, .base_val = 0, .down_limit = NAN, .up_limit = NAN };
  json_object_iter_init (&iter, point);
  while (json_object_iter_next (&iter, &name, &node))
    {
      /* The same readings as dc_json_get_string(), dc_json_get_double() and point_states();
       * the first letter picks the candidates. */
      switch (name[0])
        {
        case 't':
          if (strcmp (name, "term_id") == 0)
            f->term_id = node_string (node);
          break;
        case 'i':
          if (strcmp (name, "item_id") == 0)
            f->item_id = node_string (node);
          break;
        case 'd':
          if (strcmp (name, "device_id") == 0)
            f->device_id = node_string (node);
          else if (strcmp (name, "down_limit") == 0)
            f->down_limit = node_double (node, NAN);
          else if (strcmp (name, "decimals") == 0)
            f->decimals = node;
          break;
        case 'p':
          if (strcmp (name, "protocol_code") == 0)
            f->protocol_code = node;
          break;
        case 'c':
          if (strcmp (name, "coefficient") == 0)
            f->coefficient = node_double (node, 1);
          break;
        case 'b':
          if (strcmp (name, "base_val") == 0)
            f->base_val = node_double (node, 0);
          break;
        case 'u':
          if (strcmp (name, "up_limit") == 0)
            f->up_limit = node_double (node, NAN);
          break;
        case 's':
          if (strcmp (name, "states") == 0)
            f->states = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
          break;
        default:
          break;
        }
    }
}

/* GRefStrings shared by the rows of one bulk load (dc_point_row_new_shared()): the points come
 * sorted by term, so the term's strings are those of the previous point but at a term change;
 * an item's id, name and unit are made once per item. */
typedef struct
{
  char *id;
  char *name;
  char *unit;
} ItemStrings;

static void
item_strings_free (gpointer data)
{
  ItemStrings *strings = data;

  g_clear_pointer (&strings->id, g_ref_string_release);
  g_clear_pointer (&strings->name, g_ref_string_release);
  g_clear_pointer (&strings->unit, g_ref_string_release);
  g_free (strings);
}

typedef struct
{
  GHashTable   *items;        /* item id → ItemStrings */
  DcDeviceNode *term;         /* the previous point's term, its id and its device's */
  char         *term_id;
  char         *device_id;
} SharedStrings;

static char *
ref_string_or_null (const char *text)
{
  return text != NULL ? g_ref_string_new (text) : NULL;
}

static void
shared_strings_clear (SharedStrings *shared)
{
  g_clear_pointer (&shared->items, g_hash_table_unref);
  g_clear_pointer (&shared->term_id, g_ref_string_release);
  g_clear_pointer (&shared->device_id, g_ref_string_release);
  shared->term = NULL;
}

static ItemStrings *
shared_item (DcPlantModel  *self,
             SharedStrings *shared,
             const char    *item_id)
{
  ItemStrings *strings;

  if (item_id == NULL)
    return NULL;
  strings = g_hash_table_lookup (shared->items, item_id);
  if (strings == NULL)
    {
      JsonObject *item = g_hash_table_lookup (self->items, item_id);

      strings = g_new0 (ItemStrings, 1);
      strings->id = g_ref_string_new (item_id);
      strings->name = ref_string_or_null (item ? dc_json_get_string (item, "name", NULL) : NULL);
      strings->unit = ref_string_or_null (item ? dc_json_get_string (item, "unit", NULL) : NULL);
      g_hash_table_insert (shared->items, strings->id, strings);
    }
  return strings;
}

static DcPointRow *
create_row_fields (DcPlantModel      *self,
                   gint64             key,
                   JsonObject        *point,
                   const PointFields *f,
                   SharedStrings     *shared)
{
  DcDeviceNode *term = f->term_id ? g_hash_table_lookup (self->terms_by_id, f->term_id) : NULL;
  const char *device_id = f->device_id;
  DcDeviceNode *device;
  const char *protocol;
  g_autofree char *address = NULL;
  DcPointRow *row;

  if (device_id == NULL && term != NULL)
    device_id = dc_device_node_get_device_id (term);
  device = device_id ? g_hash_table_lookup (self->devices_by_id, device_id) : NULL;
  protocol = device ? dc_device_node_get_protocol (device) : NULL;
  address = format_address_node (point, f->protocol_code, protocol);

  /* Set without notifications: nobody watches a row that is being created. */
  if (shared != NULL)
    {
      g_autoptr(GRefString) own_address = g_ref_string_new (address);
      ItemStrings *item = shared_item (self, shared, f->item_id);

      if (shared->term == NULL || term != shared->term ||
          g_strcmp0 (shared->device_id, device_id) != 0)
        {
          g_clear_pointer (&shared->term_id, g_ref_string_release);
          g_clear_pointer (&shared->device_id, g_ref_string_release);
          shared->term = term;
          shared->term_id = ref_string_or_null (f->term_id);
          shared->device_id = ref_string_or_null (device_id);
        }
      row = dc_point_row_new_shared (key, shared->device_id, shared->term_id,
                                     item ? item->id : NULL,
                                     item ? item->name : NULL,
                                     own_address,
                                     item ? item->unit : NULL,
                                     point_kind (point, protocol),
                                     f->coefficient, f->base_val, f->down_limit, f->up_limit);
    }
  else
    {
      JsonObject *item = f->item_id ? g_hash_table_lookup (self->items, f->item_id) : NULL;

      row = dc_point_row_new_full (key, device_id, f->term_id, f->item_id,
                                   item ? dc_json_get_string (item, "name", NULL) : NULL,
                                   address,
                                   item ? dc_json_get_string (item, "unit", NULL) : NULL,
                                   point_kind (point, protocol),
                                   f->coefficient, f->base_val, f->down_limit, f->up_limit);
    }
  if (f->decimals != NULL || f->states != NULL)
    dc_point_row_set_presentation (row, dc_json_get_int (point, "decimals", -1), f->states);

  g_hash_table_replace (self->rows_by_key, (gpointer) dc_point_row_peek_key (row), row);
  if (self->rows_by_id != NULL)
    g_hash_table_replace (self->rows_by_id, (gpointer) dc_point_row_get_point_id (row), row);

  return row;
}

DcPointRow *
_dc_plant_model_create_row (DcPlantModel *self,
                            gint64        key,
                            JsonObject   *point)
{
  PointFields f;

  read_point (point, &f);
  return create_row_fields (self, key, point, &f, NULL);
}

GHashTable *
_dc_plant_model_rows_by_id (DcPlantModel *self)
{
  if (self->rows_by_id == NULL)
    {
      GHashTableIter iter;
      gpointer value;

      self->rows_by_id = g_hash_table_new (g_str_hash, g_str_equal);
      g_hash_table_iter_init (&iter, self->rows_by_key);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_hash_table_replace (self->rows_by_id, (gpointer) dc_point_row_get_point_id (value), value);
    }
  return self->rows_by_id;
}

void
_dc_plant_model_forget_row (DcPlantModel *self,
                            DcPointRow   *row)
{
  gint64 key = dc_point_row_get_key (row);

  g_hash_table_remove (self->pending, &key);
  if (self->rows_by_id != NULL)
    g_hash_table_remove (self->rows_by_id, dc_point_row_get_point_id (row));
  g_hash_table_remove (self->rows_by_key, &key);
}

void
_dc_plant_model_forget_term (DcPlantModel *self,
                             DcDeviceNode *term)
{
  GListModel *points = G_LIST_MODEL (dc_device_node_get_children (term));

  for (guint i = 0; i < g_list_model_get_n_items (points); i++)
    {
      g_autoptr(DcPointRow) row = g_list_model_get_item (points, i);

      _dc_plant_model_forget_row (self, row);
    }
  g_hash_table_remove (self->terms_by_id, dc_device_node_get_id (term));
}

void
_dc_plant_model_notify_n_points (DcPlantModel *self)
{
  /* By name: the pspec is dc-plant-model.c's, which this file does not call. */
  g_object_notify (G_OBJECT (self), "n-points");
}

void
_dc_plant_model_load (DcPlantModel       *self,
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
  SharedStrings shared;
  GHashTableIter iter;
  gpointer k, v;

  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_hash_table_remove_all (self->pending);
  g_clear_pointer (&self->rows_by_id, g_hash_table_unref);
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
      _dc_plant_model_update_device (node, device);
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

  shared = (SharedStrings) { .items = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                             item_strings_free) };
  for (guint i = 0; i < n_points; i++)
    {
      PointFields f;
      DcDeviceNode *term;
      DcPointRow *row;

      read_point (points[i].json, &f);
      term = f.term_id ? g_hash_table_lookup (self->terms_by_id, f.term_id) : NULL;
      if (term == NULL)
        continue;
      row = create_row_fields (self, points[i].key, points[i].json, &f, &shared);
      g_ptr_array_add (g_hash_table_lookup (term_rows, term), g_object_ref (row));
    }
  shared_strings_clear (&shared);

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

  _dc_plant_model_notify_n_points (self);
}
