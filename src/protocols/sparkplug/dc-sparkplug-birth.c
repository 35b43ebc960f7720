/* dc-sparkplug-birth.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A central DataColl learns an edge node's points from its births (docs/sparkplug.md,
 * "Southbound"): items, terms and points created in the store, datatypes kept up to date.
 */

#define G_LOG_DOMAIN "dc-sparkplug-host"

#include "config.h"

#include "dc-sparkplug-birth-private.h"

#include <string.h>

#include "dc-sparkplug-payload.h"

#define MAX_ID 64

char *
dc_sparkplug_address (const char *sp_device,
                      const char *metric)
{
  return g_strdup_printf ("%s/%s", sp_device != NULL ? sp_device : "", metric);
}

/* Appends @part to @out with the characters an id may not have replaced by '_'. */
static void
append_id_part (GString    *out,
                const char *part)
{
  for (const char *p = part; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '/' || c == ':' || c == '*' || g_unichar_isspace (c) || g_unichar_iscntrl (c))
        g_string_append_c (out, '_');
      else
        g_string_append_unichar (out, c);
    }
}

gboolean
dc_sparkplug_point_ids (const char  *device_id,
                        const char  *sp_device,
                        const char  *metric,
                        char       **term_id,
                        char       **item_id)
{
  g_autoptr(GString) term = g_string_new (NULL);
  g_autoptr(GString) item = g_string_new (NULL);
  g_auto(GStrv) parts = g_strsplit (metric, "/", 0);
  guint n = g_strv_length (parts);

  if (n == 0 || parts[n - 1][0] == '\0')
    return FALSE;
  append_id_part (term, device_id);
  if (sp_device != NULL)
    {
      g_string_append_c (term, '.');
      append_id_part (term, sp_device);
    }
  for (guint i = 0; i + 1 < n; i++)
    {
      g_string_append_c (term, '.');
      append_id_part (term, parts[i]);
    }
  append_id_part (item, parts[n - 1]);

  if (g_utf8_strlen (term->str, -1) > MAX_ID || g_utf8_strlen (item->str, -1) > MAX_ID ||
      !dc_model_id_is_valid (term->str) || !dc_model_id_is_valid (item->str))
    return FALSE;
  *term_id = g_string_free (g_steal_pointer (&term), FALSE);
  *item_id = g_string_free (g_steal_pointer (&item), FALSE);
  return TRUE;
}

gboolean
dc_sparkplug_metric_is_point (const DcSparkplugValue *value)
{
  if (value->name == NULL || value->name[0] == '\0')
    return FALSE;
  if (strcmp (value->name, "bdSeq") == 0 || g_str_has_prefix (value->name, "Node Control/") ||
      g_str_has_prefix (value->name, "Device Control/"))
    return FALSE;
  if (value->datatype == 0)
    return value->has_value;
  return (value->datatype >= DC_SPARKPLUG_INT8 && value->datatype <= DC_SPARKPLUG_BOOLEAN) ||
         value->datatype == DC_SPARKPLUG_DATETIME;
}

static guint32
datatype_of (const DcSparkplugValue *value)
{
  return value->datatype != 0 ? value->datatype : DC_SPARKPLUG_DOUBLE;
}

/* Creates the objects of @objects (one batch; one by one when the batch fails, so that one
 * bad element does not stop the others). */
static void
create_all (DcStore    *store,
            DcKind      kind,
            JsonArray  *objects,
            const char *device_id)
{
  g_autoptr(GError) error = NULL;

  if (json_array_get_length (objects) == 0)
    return;
  if (dc_store_create_batch (store, kind, objects, &error))
    return;
  g_debug ("%s: batch of %s refused (%s), one by one", device_id, dc_kind_to_string (kind),
           error->message);
  for (guint i = 0; i < json_array_get_length (objects); i++)
    {
      g_autoptr(GError) one_error = NULL;
      JsonObject *object = json_array_get_object_element (objects, i);

      if (!dc_store_create (store, kind, object, &one_error))
        g_message ("%s: cannot create the %s of a metric: %s", device_id,
                   dc_kind_to_string (kind), one_error->message);
    }
}

typedef struct
{
  char                   *address;
  char                   *term_id;
  char                   *item_id;
  const DcSparkplugValue *value;
} Wanted;

static void
wanted_clear (gpointer data)
{
  Wanted *w = data;

  g_free (w->address);
  g_free (w->term_id);
  g_free (w->item_id);
}

GArray *
dc_sparkplug_birth_apply (DcStore                  *store,
                          const char               *device_id,
                          const char               *sp_device,
                          const DcSparkplugMessage *message,
                          GHashTable               *known,
                          guint                    *n_created)
{
  g_autoptr(GArray) wanted = g_array_new (FALSE, TRUE, sizeof (Wanted));
  g_autoptr(JsonArray) items = json_array_new ();
  g_autoptr(JsonArray) terms = json_array_new ();
  g_autoptr(JsonArray) points = json_array_new ();
  g_autoptr(GHashTable) seen_items = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) seen_terms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GArray *born = g_array_new (FALSE, TRUE, sizeof (DcSparkplugBorn));

  g_array_set_clear_func (wanted, wanted_clear);
  *n_created = 0;

  /* What the store lacks. */
  for (guint i = 0; i < message->metrics->len; i++)
    {
      const DcSparkplugValue *v = &g_array_index (message->metrics, DcSparkplugValue, i);
      const char *type = NULL;
      g_autofree char *address = NULL;
      const DcPointInfo *info;
      Wanted w = { 0 };

      if (!dc_sparkplug_metric_is_point (v))
        continue;
      address = dc_sparkplug_address (sp_device, v->name);
      type = dc_sparkplug_datatype_name (datatype_of (v));
      info = known != NULL ? g_hash_table_lookup (known, address) : NULL;
      if (info != NULL)
        {
          /* Known: only the datatype may have changed. */
          if (g_strcmp0 (info->code_type, type) != 0)
            {
              g_autoptr(JsonObject) patch = json_object_new ();
              g_autoptr(GError) error = NULL;

              json_object_set_string_member (patch, "code_type", type);
              if (!dc_store_update_point (store, info->term_id, info->item_id, patch, &error))
                g_message ("%s: %s: %s", device_id, address, error->message);
            }
          w.address = g_steal_pointer (&address);
          w.term_id = g_strdup (info->term_id);
          w.item_id = g_strdup (info->item_id);
          w.value = v;
          g_array_append_val (wanted, w);
          continue;
        }

      if (!dc_sparkplug_point_ids (device_id, sp_device, v->name, &w.term_id, &w.item_id))
        {
          g_message ("%s: metric %s is not made a point: its term or item id would be empty or "
                     "longer than %d characters", device_id, address, MAX_ID);
          continue;
        }
      w.address = g_steal_pointer (&address);
      w.value = v;

      if (!g_hash_table_contains (seen_items, w.item_id))
        {
          g_autoptr(JsonObject) item = dc_store_get (store, DC_KIND_ITEM, w.item_id, NULL);

          g_hash_table_add (seen_items, g_strdup (w.item_id));
          if (item == NULL)
            {
              JsonObject *object = json_object_new ();
              const char *name = strrchr (v->name, '/');

              json_object_set_string_member (object, "id", w.item_id);
              json_object_set_string_member (object, "name", name != NULL ? name + 1 : v->name);
              if (v->unit != NULL && v->unit[0] != '\0')
                json_object_set_string_member (object, "unit", v->unit);
              json_array_add_object_element (items, object);
            }
        }
      if (!g_hash_table_contains (seen_terms, w.term_id))
        {
          g_autoptr(JsonObject) term = dc_store_get (store, DC_KIND_TERM, w.term_id, NULL);

          g_hash_table_add (seen_terms, g_strdup (w.term_id));
          if (term == NULL)
            {
              JsonObject *object = json_object_new ();
              const char *slash = strrchr (v->name, '/');
              g_autofree char *folder = slash != NULL ?
                g_strndup (v->name, (gsize) (slash - v->name)) : NULL;
              g_autofree char *name = folder != NULL && sp_device != NULL ?
                g_strdup_printf ("%s/%s", sp_device, folder) :
                g_strdup (folder != NULL ? folder : sp_device != NULL ? sp_device : device_id);

              json_object_set_string_member (object, "id", w.term_id);
              json_object_set_string_member (object, "device_id", device_id);
              json_object_set_string_member (object, "name", name);
              json_array_add_object_element (terms, object);
            }
          else if (g_strcmp0 (json_object_get_string_member_with_default (term, "device_id", ""),
                              device_id) != 0)
            {
              g_message ("%s: metric %s is not made a point: term %s belongs to another device",
                         device_id, w.address, w.term_id);
              wanted_clear (&w);
              continue;
            }
        }
      if (dc_store_get_point_key (store, w.term_id, w.item_id) != 0)
        {
          /* Made by an earlier birth the device's configuration does not show yet, or
           * another metric's point (two names that differ only in the characters an id
           * may not have). */
          g_autoptr(JsonObject) point = dc_store_get_point (store, w.term_id, w.item_id, NULL);
          const char *code = point != NULL ?
            json_object_get_string_member_with_default (point, "protocol_code", NULL) : NULL;

          if (g_strcmp0 (code, w.address) != 0)
            {
              g_message ("%s: metric %s is not made a point: point %s:%s exists for %s",
                         device_id, w.address, w.term_id, w.item_id, code ? code : "(none)");
              wanted_clear (&w);
              continue;
            }
        }
      else
        {
          JsonObject *object = json_object_new ();

          json_object_set_string_member (object, "device_id", device_id);
          json_object_set_string_member (object, "term_id", w.term_id);
          json_object_set_string_member (object, "item_id", w.item_id);
          json_object_set_string_member (object, "protocol_code", w.address);
          json_object_set_string_member (object, "code_type", type);
          json_array_add_object_element (points, object);
          (*n_created)++;
        }
      g_array_append_val (wanted, w);
    }

  create_all (store, DC_KIND_ITEM, items, device_id);
  create_all (store, DC_KIND_TERM, terms, device_id);
  create_all (store, DC_KIND_POINT, points, device_id);

  for (guint i = 0; i < wanted->len; i++)
    {
      const Wanted *w = &g_array_index (wanted, Wanted, i);
      DcSparkplugBorn b = { 0 };

      b.address = g_strdup (w->address);
      b.alias = w->value->has_alias ? w->value->alias : 0;
      b.datatype = datatype_of (w->value);
      b.key = dc_store_get_point_key (store, w->term_id, w->item_id);
      g_array_append_val (born, b);
    }
  return born;
}
