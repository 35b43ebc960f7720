/* dc-store-update.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-store"

#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-sample.h"
#include "dc-formula-graph.h"
#include "dc-protocol.h"
#include "dc-store-private.h"

/* Updates and renames (the creates and the checks both use are in dc-store-edit.c). Every public
 * write is one transaction; the *_in_tx helpers run inside one. */

/* Formula references "d:t:i" follow renames of their parts. @part: 0 device, 1 term, 2 item.
 * With @device_filter (term moves), only references whose device part equals it change. */
static gboolean
rewrite_formula_refs (DcStore    *self,
                      int         part,
                      const char *old_id,
                      const char *new_id,
                      const char *term_filter,
                      GError    **error)
{
  g_autoptr(sqlite3_stmt) select = _dc_store_prepare (self, "SELECT id, body FROM formulas", error);
  g_autoptr(GPtrArray) updates = g_ptr_array_new_with_free_func (g_free);

  if (select == NULL)
    return FALSE;

  while (sqlite3_step (select) == SQLITE_ROW)
    {
      g_autoptr(JsonObject) body = _dc_store_parse_body ((const char *) sqlite3_column_text (select, 1));
      g_autoptr(GList) members = json_object_get_members (body);
      gboolean changed = FALSE;

      for (const GList *l = members; l; l = l->next)
        {
          const char *name = l->data;
          const char *ref;
          g_auto(GStrv) parts = NULL;

          if (name[0] != 'p' || !g_ascii_isdigit (name[1]))
            continue;
          ref = dc_json_get_string (body, name, NULL);
          if (ref == NULL)
            continue;
          parts = g_strsplit (ref, ":", -1);
          if (g_strv_length (parts) != 3 || !g_str_equal (parts[part], old_id))
            continue;
          if (term_filter != NULL && !g_str_equal (parts[1], term_filter))
            continue;

          g_free (parts[part]);
          parts[part] = g_strdup (new_id);
          {
            g_autofree char *joined = g_strjoinv (":", parts);

            json_object_set_string_member (body, name, joined);
          }
          changed = TRUE;
        }

      if (changed)
        {
          g_ptr_array_add (updates, g_strdup ((const char *) sqlite3_column_text (select, 0)));
          g_ptr_array_add (updates, _dc_store_body_to_string (body, NULL));
        }
    }

  for (guint i = 0; i < updates->len; i += 2)
    {
      g_autoptr(sqlite3_stmt) update = _dc_store_prepare (self, "UPDATE formulas SET body = ? WHERE id = ?", error);

      if (update == NULL)
        return FALSE;
      _dc_store_bind_text (update, 1, g_ptr_array_index (updates, i + 1));
      _dc_store_bind_text (update, 2, g_ptr_array_index (updates, i));
      if (sqlite3_step (update) != SQLITE_DONE)
        return _dc_store_set_sqlite_error (self, error);
      _dc_store_queue_change (self, DC_KIND_FORMULA, DC_CHANGE_UPDATE, g_ptr_array_index (updates, i), NULL);
    }

  return TRUE;
}


static gboolean
update_body (DcStore    *self,
             const char *table,
             const char *id,
             JsonObject *object,
             DcKind      kind,
             GError    **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET body = ? WHERE id = ?", table);
  g_autoptr(sqlite3_stmt) stmt = _dc_store_prepare (self, sql, error);
  g_autofree char *body = _dc_store_body_to_string (object, _dc_store_identity_fields (kind));

  if (stmt == NULL)
    return FALSE;
  _dc_store_bind_text (stmt, 1, body);
  _dc_store_bind_text (stmt, 2, id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return _dc_store_set_sqlite_error (self, error);
  return TRUE;
}

static gboolean
rename_row (DcStore    *self,
            DcKind      kind,
            const char *old_id,
            const char *new_id,
            GError    **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET id = ? WHERE id = ?", _dc_store_table_of (kind));
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (_dc_store_exists (self, kind, new_id))
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_EXISTS, dc_kind_exists_text (kind));
      return FALSE;
    }

  stmt = _dc_store_prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;
  _dc_store_bind_text (stmt, 1, new_id);
  _dc_store_bind_text (stmt, 2, old_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return _dc_store_set_sqlite_error (self, error);
  return TRUE;
}

/* Every point of @device_id as a ::changed update (address or owner changed). */
static void
queue_points_of (DcStore    *self,
                 const char *device_id,
                 const char *term_id)
{
  g_autoptr(GPtrArray) points = dc_store_list_points (self, device_id, term_id);

  for (guint i = 0; i < points->len; i++)
    {
      JsonObject *p = g_ptr_array_index (points, i);
      g_autofree char *pid = g_strconcat (json_object_get_string_member (p, "term_id"), ":",
                                          json_object_get_string_member (p, "item_id"), NULL);

      _dc_store_queue_change (self, DC_KIND_POINT, DC_CHANGE_UPDATE, pid, NULL);
    }
}

gboolean
_dc_store_update_in_tx (DcStore    *self,
                        DcKind      kind,
                        const char *id,
                        JsonObject *patch,
                        GError    **error)
{
  g_autoptr(JsonObject) current = NULL;
  g_autofree char *new_id = NULL;
  g_autofree char *protocol = NULL;
  JsonNode *id_node;

  current = _dc_store_get_entity (self, kind, id, error);
  if (current == NULL)
    return FALSE;

  if (kind == DC_KIND_FORMULA)
    {
      /* PUT replaces the whole formula (it may rename it). */
      g_autoptr(JsonObject) replacement = json_object_new ();
      gint64 key;

      _dc_store_merge_patch (replacement, patch);
      if (!json_object_has_member (replacement, "id"))
        json_object_set_string_member (replacement, "id", id);
      if (!dc_model_validate (kind, replacement, NULL, error))
        return FALSE;
      new_id = g_strdup (json_object_get_string_member (replacement, "id"));
      if (!g_str_equal (new_id, id) && !rename_row (self, kind, id, new_id, error))
        return FALSE;
      key = _dc_store_check_formula_result (self, replacement, new_id, error);
      if (key == 0 || !dc_formula_graph_check_cycle (self, new_id, replacement, error))
        return FALSE;
      {
        g_autoptr(sqlite3_stmt) stmt =
          _dc_store_prepare (self, "UPDATE formulas SET body = ?, result_key = ? WHERE id = ?", error);
        g_autofree char *body = _dc_store_body_to_string (replacement, _dc_store_identity_fields (kind));

        if (stmt == NULL)
          return FALSE;
        _dc_store_bind_text (stmt, 1, body);
        sqlite3_bind_int64 (stmt, 2, key);
        _dc_store_bind_text (stmt, 3, new_id);
        if (sqlite3_step (stmt) != SQLITE_DONE)
          return _dc_store_set_sqlite_error (self, error);
      }
      _dc_store_queue_change (self, kind, DC_CHANGE_UPDATE, new_id,
                    g_str_equal (new_id, id) ? NULL : id);
      return TRUE;
    }

  id_node = json_object_get_member (patch, "id");
  _dc_store_merge_patch (current, patch);
  if (id_node == NULL || JSON_NODE_HOLDS_NULL (id_node))
    json_object_set_string_member (current, "id", id);

  if (kind == DC_KIND_TERM)
    {
      JsonNode *dev = json_object_get_member (current, "device_id");
      g_autofree char *device_id = NULL;

      if (dev == NULL || JSON_NODE_HOLDS_NULL (dev))
        {
          g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "missing field: device_id");
          return FALSE;
        }
      device_id = dc_model_id_from_node (dev, "device_id", error);
      if (device_id == NULL)
        return FALSE;
      protocol = _dc_store_device_protocol_of (self, device_id);
      if (protocol == NULL)
        return _dc_store_not_found (DC_KIND_DEVICE, error);
    }

  if (!dc_model_validate (kind, current, protocol, error))
    return FALSE;

  new_id = g_strdup (json_object_get_string_member (current, "id"));
  if (!g_str_equal (new_id, id))
    {
      if (!rename_row (self, kind, id, new_id, error) ||
          !rewrite_formula_refs (self, kind == DC_KIND_DEVICE ? 0 : kind == DC_KIND_TERM ? 1 : 2,
                                 id, new_id, NULL, error))
        return FALSE;
    }

  if (!update_body (self, _dc_store_table_of (kind), new_id, current, kind, error))
    return FALSE;

  if (kind == DC_KIND_TERM)
    {
      const char *device_id = json_object_get_string_member (current, "device_id");
      g_autofree char *old_device = _dc_store_term_device_of (self, new_id);

      if (g_strcmp0 (old_device, device_id) != 0)
        {
          g_autoptr(sqlite3_stmt) stmt =
            _dc_store_prepare (self, "UPDATE terms SET device_id = ? WHERE id = ?", error);

          if (stmt == NULL)
            return FALSE;
          _dc_store_bind_text (stmt, 1, device_id);
          _dc_store_bind_text (stmt, 2, new_id);
          if (sqlite3_step (stmt) != SQLITE_DONE)
            return _dc_store_set_sqlite_error (self, error);
          /* Formula references of the moved points follow the term to its new device. */
          if (!rewrite_formula_refs (self, 0, old_device, device_id, new_id, error) ||
              !_dc_store_check_results_stay (self, device_id, new_id, error))
            return FALSE;
        }
    }
  else if (kind == DC_KIND_DEVICE && !_dc_store_check_results_stay (self, new_id, NULL, error))
    return FALSE;

  _dc_store_queue_change (self, kind, DC_CHANGE_UPDATE, new_id, g_str_equal (new_id, id) ? NULL : id);

  /* Children's identity or their driver's settings changed with the parent. */
  if (kind == DC_KIND_DEVICE)
    queue_points_of (self, new_id, NULL);
  else if (kind == DC_KIND_TERM)
    queue_points_of (self, NULL, new_id);
  else if (kind == DC_KIND_ITEM && !g_str_equal (new_id, id))
    {
      g_autoptr(sqlite3_stmt) stmt = _dc_store_prepare (self, "SELECT term_id FROM points WHERE item_id = ?", NULL);

      if (stmt != NULL)
        {
          _dc_store_bind_text (stmt, 1, new_id);
          while (sqlite3_step (stmt) == SQLITE_ROW)
            {
              g_autofree char *pid = g_strconcat ((const char *) sqlite3_column_text (stmt, 0),
                                                  ":", new_id, NULL);
              _dc_store_queue_change (self, DC_KIND_POINT, DC_CHANGE_UPDATE, pid, NULL);
            }
        }
    }

  return TRUE;
}

gboolean
dc_store_update (DcStore     *self,
                 DcKind       kind,
                 const char  *id,
                 JsonObject  *patch,
                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) old = NULL;
  gboolean ok;

  g_return_val_if_fail (DC_IS_STORE (self), FALSE);
  g_return_val_if_fail (kind != DC_KIND_POINT, FALSE);
  g_return_val_if_fail (id != NULL && patch != NULL, FALSE);

  old = _dc_store_audit_before (self, kind, id);
  if (!_dc_store_begin (self, error))
    return FALSE;
  ok = _dc_store_end (self, _dc_store_update_in_tx (self, kind, id, patch, &local_error),
                      &local_error);
  if (self->audit != NULL)
    {
      JsonNode *renamed = json_object_get_member (patch, "id");
      g_autofree char *new_id = renamed != NULL && !JSON_NODE_HOLDS_NULL (renamed) ?
        dc_model_id_from_node (renamed, "id", NULL) : NULL;

      _dc_store_audit_change (self, kind, DC_CHANGE_UPDATE, id, new_id, old, patch,
                              local_error);
    }
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}

gboolean
_dc_store_update_point_in_tx (DcStore    *self,
                              const char *term_id,
                              const char *item_id,
                              JsonObject *patch,
                              GError    **error)
{
  g_autoptr(JsonObject) current = NULL;
  g_autofree char *protocol = NULL;
  g_autofree char *body = NULL;
  g_autofree char *pid = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *device_id = NULL;
  static const char * const identity[] = { "term_id", "item_id" };

  current = dc_store_get_point (self, term_id, item_id, NULL);
  if (current == NULL)
    return _dc_store_not_found (DC_KIND_POINT, error);

  /* A point is named by its URL; the body may repeat but not change its identity. */
  for (guint i = 0; i < G_N_ELEMENTS (identity); i++)
    {
      JsonNode *node = json_object_get_member (patch, identity[i]);
      g_autofree char *value = NULL;

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;
      value = dc_model_id_from_node (node, identity[i], error);
      if (value == NULL)
        return FALSE;
      if (!g_str_equal (value, i == 0 ? term_id : item_id))
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "%s mismatch in url and body!", identity[i]);
          return FALSE;
        }
    }

  /* A copy: the merge below replaces the member this would point into. */
  device_id = g_strdup (json_object_get_string_member (current, "device_id"));
  protocol = _dc_store_device_protocol_of (self, device_id);
  /* low_limit in a patch replaces down_limit (docs/model.md "Fields"). */
  if (!dc_model_normalize_aliases (DC_KIND_POINT, patch, TRUE, error))
    return FALSE;
  _dc_store_merge_patch (current, patch);
  json_object_set_string_member (current, "term_id", term_id);
  json_object_set_string_member (current, "item_id", item_id);
  json_object_set_string_member (current, "device_id", device_id);
  if (!dc_model_validate (DC_KIND_POINT, current, protocol, error) ||
      !_dc_store_check_address_unique (self, current, device_id, protocol, error))
    return FALSE;

  stmt = _dc_store_prepare (self, "UPDATE points SET body = ? WHERE term_id = ? AND item_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  body = _dc_store_body_to_string (current, _dc_store_identity_fields (DC_KIND_POINT));
  _dc_store_bind_text (stmt, 1, body);
  _dc_store_bind_text (stmt, 2, term_id);
  _dc_store_bind_text (stmt, 3, item_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return _dc_store_set_sqlite_error (self, error);

  pid = g_strconcat (term_id, ":", item_id, NULL);
  _dc_store_queue_change (self, DC_KIND_POINT, DC_CHANGE_UPDATE, pid, NULL);
  return TRUE;
}

gboolean
dc_store_update_point (DcStore     *self,
                       const char  *term_id,
                       const char  *item_id,
                       JsonObject  *patch,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) old = NULL;
  g_autofree char *pid = NULL;
  gboolean ok;

  g_return_val_if_fail (DC_IS_STORE (self), FALSE);
  g_return_val_if_fail (term_id != NULL && item_id != NULL && patch != NULL, FALSE);

  pid = g_strconcat (term_id, ":", item_id, NULL);
  old = _dc_store_audit_before (self, DC_KIND_POINT, pid);
  if (!_dc_store_begin (self, error))
    return FALSE;
  ok = _dc_store_end (self, _dc_store_update_point_in_tx (self, term_id, item_id, patch,
                                                          &local_error), &local_error);
  _dc_store_audit_change (self, DC_KIND_POINT, DC_CHANGE_UPDATE, pid, NULL, old, patch,
                          local_error);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}
