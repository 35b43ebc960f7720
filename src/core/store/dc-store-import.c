/* dc-store-import.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-store"

#include "config.h"

#include <sqlite3.h>

#include "dc-audit.h"
#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-project.h"
#include "dc-store-private.h"

/* Project import and export. */

void
dc_import_row_free (DcImportRow *row)
{
  if (row == NULL)
    return;
  g_free (row->id);
  g_free (row->error);
  g_free (row);
}

const char *
dc_import_action_to_string (DcImportAction action)
{
  switch (action)
    {
    case DC_IMPORT_CREATE:    return "create";
    case DC_IMPORT_UPDATE:    return "update";
    case DC_IMPORT_UNCHANGED: return "unchanged";
    case DC_IMPORT_ERROR:     return "error";
    default:                  g_return_val_if_reached (NULL);
    }
}

static JsonObject *
get_any (DcStore    *self,
         DcKind      kind,
         JsonObject *row)
{
  if (kind == DC_KIND_POINT)
    {
      const char *term_id = dc_json_get_string (row, "term_id", NULL);
      const char *item_id = dc_json_get_string (row, "item_id", NULL);

      if (term_id == NULL || item_id == NULL)
        return NULL;
      return dc_store_get_point (self, term_id, item_id, NULL);
    }
  if (dc_json_get_string (row, "id", NULL) == NULL)
    return NULL;
  return _dc_store_get_entity (self, kind, dc_json_get_string (row, "id", NULL), NULL);
}

static gboolean
json_objects_equal (JsonObject *a,
                    JsonObject *b)
{
  g_autoptr(JsonNode) na = json_node_init_object (json_node_alloc (), a);
  g_autoptr(JsonNode) nb = json_node_init_object (json_node_alloc (), b);

  return json_node_equal (na, nb);
}

static void
import_row (DcStore     *self,
            DcKind       kind,
            JsonNode    *element,
            DcImportRow *row)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) copy = NULL;
  g_autoptr(JsonObject) existing = NULL;
  g_autoptr(JsonObject) after = NULL;
  guint n_changes, n_removed;

  row->id = _dc_store_element_id (kind, element);
  if (!JSON_NODE_HOLDS_OBJECT (element))
    {
      row->action = DC_IMPORT_ERROR;
      row->error = g_strdup ("row must be an object");
      return;
    }

  /* Work on a normalised copy so that integer ids find their string form. */
  copy = json_object_new ();
  _dc_store_merge_patch (copy, json_node_get_object (element));
  for (const char * const *f = _dc_store_identity_fields (kind); *f; f++)
    if (json_object_has_member (copy, *f) && !g_str_equal (*f, "status"))
      {
        g_autofree char *id = dc_model_id_from_node (json_object_get_member (copy, *f), *f, NULL);

        if (id != NULL)
          json_object_set_string_member (copy, *f, id);
      }

  existing = get_any (self, kind, copy);
  n_changes = self->changes->len;
  n_removed = self->removed_keys->len;
  sqlite3_exec (self->db, "SAVEPOINT import_row", NULL, NULL, NULL);

  if (existing == NULL)
    {
      row->action = DC_IMPORT_CREATE;
      _dc_store_create_in_tx (self, kind, copy, &error);
    }
  else
    {
      if (kind == DC_KIND_POINT)
        _dc_store_update_point_in_tx (self, json_object_get_string_member (copy, "term_id"),
                            json_object_get_string_member (copy, "item_id"), copy, &error);
      else
        _dc_store_update_in_tx (self, kind, json_object_get_string_member (copy, "id"), copy, &error);
      if (error == NULL)
        {
          after = get_any (self, kind, copy);
          row->action = after != NULL && json_objects_equal (existing, after) ?
                        DC_IMPORT_UNCHANGED : DC_IMPORT_UPDATE;
        }
    }

  if (error != NULL)
    {
      row->action = DC_IMPORT_ERROR;
      row->error = g_strdup (error->message);
      sqlite3_exec (self->db, "ROLLBACK TO import_row", NULL, NULL, NULL);
    }
  sqlite3_exec (self->db, "RELEASE import_row", NULL, NULL, NULL);

  /* Nothing to announce for a failed or unchanged row. */
  if (row->action == DC_IMPORT_ERROR || row->action == DC_IMPORT_UNCHANGED)
    {
      g_array_set_size (self->changes, n_changes);
      g_array_set_size (self->removed_keys, n_removed);
    }
}

/* An applied import in the audit log: one row "import" with the counts and the entities it
 * created or updated (or that failed), docs/security.md. */
static void
audit_import (DcStore      *self,
              GPtrArray    *rows,
              gboolean      applied,
              const GError *error)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *detail;
  JsonArray *changes = json_array_new ();
  guint counts[DC_IMPORT_ERROR + 1] = { 0, };
  const char *first_error = NULL;

  if (self->audit == NULL)
    {
      json_array_unref (changes);
      return;
    }

  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      DcImportRow *row = g_ptr_array_index (rows, i);

      counts[row->action]++;
      if (row->action == DC_IMPORT_ERROR && first_error == NULL)
        first_error = row->error;
      if (row->action == DC_IMPORT_CREATE || row->action == DC_IMPORT_UPDATE ||
          row->action == DC_IMPORT_ERROR)
        {
          JsonObject *change = json_object_new ();

          json_object_set_string_member (change, "entity", dc_kind_to_string (row->kind));
          json_object_set_string_member (change, "id", row->id != NULL ? row->id : "");
          json_object_set_string_member (change, "action",
                                         dc_import_action_to_string (row->action));
          if (row->error != NULL)
            json_object_set_string_member (change, "error", row->error);
          json_array_add_object_element (changes, change);
        }
    }

  detail = json_object_new ();
  json_object_set_boolean_member (detail, "applied", applied);
  json_object_set_int_member (detail, "created", counts[DC_IMPORT_CREATE]);
  json_object_set_int_member (detail, "updated", counts[DC_IMPORT_UPDATE]);
  json_object_set_int_member (detail, "unchanged", counts[DC_IMPORT_UNCHANGED]);
  json_object_set_int_member (detail, "errors", counts[DC_IMPORT_ERROR]);
  json_object_set_array_member (detail, "changes", changes);
  node = json_node_init_object (json_node_alloc (), detail);
  json_object_unref (detail);
  dc_audit_record (self->audit, NULL, "import", "", node,
                   error != NULL ? error->message :
                   first_error != NULL ? first_error : "ok");
}

GPtrArray *
dc_store_import (DcStore     *self,
                 JsonObject  *project,
                 gboolean     apply,
                 gboolean    *applied,
                 GError     **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  gboolean failed = FALSE;

  g_return_val_if_fail (DC_IS_STORE (self), NULL);
  g_return_val_if_fail (project != NULL, NULL);

  if (applied != NULL)
    *applied = FALSE;

  for (guint k = 0; k < DC_N_KINDS; k++)
    {
      JsonNode *section = json_object_get_member (project, dc_project_section_name (k));

      if (section != NULL && !JSON_NODE_HOLDS_ARRAY (section) && !JSON_NODE_HOLDS_NULL (section))
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                       "field %s must be an array", dc_project_section_name (k));
          return NULL;
        }
    }

  if (!_dc_store_begin (self, error))
    return NULL;

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) dc_import_row_free);
  for (guint k = 0; k < DC_N_KINDS; k++)
    {
      JsonNode *section = json_object_get_member (project, dc_project_section_name (k));
      JsonArray *array;

      if (section == NULL || JSON_NODE_HOLDS_NULL (section))
        continue;
      array = json_node_get_array (section);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          DcImportRow *row = g_new0 (DcImportRow, 1);

          row->kind = k;
          row->index = i;
          import_row (self, k, json_array_get_element (array, i), row);
          failed |= row->action == DC_IMPORT_ERROR;
          g_ptr_array_add (rows, row);
        }
    }

  if (apply && !failed)
    {
      g_autoptr(GError) local_error = NULL;

      if (!_dc_store_commit (self, &local_error))
        {
          audit_import (self, rows, FALSE, local_error);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (applied != NULL)
        *applied = TRUE;
      audit_import (self, rows, TRUE, NULL);
    }
  else
    {
      _dc_store_rollback (self);
      if (apply)
        audit_import (self, rows, FALSE, NULL);
    }

  return g_steal_pointer (&rows);
}

JsonObject *
dc_store_export (DcStore *self)
{
  JsonObject *project = json_object_new ();

  g_return_val_if_fail (DC_IS_STORE (self), project);

  for (guint k = 0; k < DC_N_KINDS; k++)
    {
      JsonArray *array = json_array_new ();

      if (k == DC_KIND_POINT)
        {
          g_autoptr(GPtrArray) points = dc_store_list_points (self, NULL, NULL);

          for (guint i = 0; i < points->len; i++)
            json_array_add_object_element (array, json_object_ref (g_ptr_array_index (points, i)));
        }
      else
        {
          g_autoptr(GPtrArray) ids = dc_store_list_ids (self, k);

          for (guint i = 0; i < ids->len; i++)
            {
              JsonObject *o = _dc_store_get_entity (self, k, g_ptr_array_index (ids, i), NULL);

              if (o != NULL)
                json_array_add_object_element (array, o);
            }
        }
      json_object_set_array_member (project, dc_project_section_name (k), array);
    }

  return project;
}
