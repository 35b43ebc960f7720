/* dc-store-delete.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-store"

#include "config.h"

#include <sqlite3.h>

#include "dc-store-private.h"

/* Deletes. A delete takes its children with it (a device its terms and their points, a term or
 * an item its points, a point the formula that computes it); every one of them is announced
 * with ::changed and every removed point key with ::point-removed after the commit. */

/* Queues the notifications of everything a delete takes with it, before it goes. */
static gboolean
queue_cascade (DcStore    *self,
               const char *where_sql,
               const char *id,
               GError    **error)
{
  g_autofree char *sql = g_strdup_printf (
    "SELECT p.key, p.term_id, p.item_id, f.id FROM points p JOIN terms t ON t.id = p.term_id "
    "LEFT JOIN formulas f ON f.result_key = p.key WHERE %s", where_sql);
  g_autoptr(sqlite3_stmt) stmt = _dc_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  _dc_store_bind_text (stmt, 1, id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 key = sqlite3_column_int64 (stmt, 0);
      g_autofree char *pid = g_strconcat ((const char *) sqlite3_column_text (stmt, 1), ":",
                                          (const char *) sqlite3_column_text (stmt, 2), NULL);

      if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
        _dc_store_queue_change (self, DC_KIND_FORMULA, DC_CHANGE_DELETE,
                      (const char *) sqlite3_column_text (stmt, 3), NULL);
      _dc_store_queue_change (self, DC_KIND_POINT, DC_CHANGE_DELETE, pid, NULL);
      g_array_append_val (self->removed_keys, key);
    }
  return TRUE;
}

gboolean
_dc_store_delete_in_tx (DcStore    *self,
                        DcKind      kind,
                        const char *id,
                        GError    **error)
{
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!_dc_store_exists (self, kind, id))
    return _dc_store_not_found (kind, error);

  switch (kind)
    {
    case DC_KIND_DEVICE:
      if (!queue_cascade (self, "t.device_id = ?1", id, error))
        return FALSE;
      {
        g_autoptr(sqlite3_stmt) terms = _dc_store_prepare (self, "SELECT id FROM terms WHERE device_id = ?", error);

        if (terms == NULL)
          return FALSE;
        _dc_store_bind_text (terms, 1, id);
        while (sqlite3_step (terms) == SQLITE_ROW)
          _dc_store_queue_change (self, DC_KIND_TERM, DC_CHANGE_DELETE,
                        (const char *) sqlite3_column_text (terms, 0), NULL);
      }
      break;
    case DC_KIND_TERM:
      if (!queue_cascade (self, "p.term_id = ?1", id, error))
        return FALSE;
      break;
    case DC_KIND_ITEM:
      if (!queue_cascade (self, "p.item_id = ?1", id, error))
        return FALSE;
      break;
    case DC_KIND_FORMULA:
      break;
    case DC_KIND_POINT:
    case DC_N_KINDS:
    default:
      g_assert_not_reached ();
    }

  sql = g_strdup_printf ("DELETE FROM %s WHERE id = ?", _dc_store_table_of (kind));
  stmt = _dc_store_prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;
  _dc_store_bind_text (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return _dc_store_set_sqlite_error (self, error);

  _dc_store_queue_change (self, kind, DC_CHANGE_DELETE, id, NULL);
  return TRUE;
}

gboolean
dc_store_delete (DcStore     *self,
                 DcKind       kind,
                 const char  *id,
                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) old = NULL;
  gboolean ok;

  g_return_val_if_fail (DC_IS_STORE (self), FALSE);
  g_return_val_if_fail (kind != DC_KIND_POINT, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  old = _dc_store_audit_before (self, kind, id);
  if (!_dc_store_begin (self, error))
    return FALSE;
  ok = _dc_store_end (self, _dc_store_delete_in_tx (self, kind, id, &local_error),
                      &local_error);
  _dc_store_audit_change (self, kind, DC_CHANGE_DELETE, id, NULL, old, NULL, local_error);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}

gboolean
_dc_store_delete_point_in_tx (DcStore    *self,
                              const char *term_id,
                              const char *item_id,
                              GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *pid = NULL;

  if (!_dc_store_exists (self, DC_KIND_TERM, term_id))
    return _dc_store_not_found (DC_KIND_TERM, error);
  if (!_dc_store_exists (self, DC_KIND_ITEM, item_id))
    return _dc_store_not_found (DC_KIND_ITEM, error);

  pid = g_strconcat (term_id, ":", item_id, NULL);
  stmt = _dc_store_prepare (self, "SELECT p.key, f.id FROM points p LEFT JOIN formulas f "
                        "ON f.result_key = p.key WHERE p.term_id = ? AND p.item_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  _dc_store_bind_text (stmt, 1, term_id);
  _dc_store_bind_text (stmt, 2, item_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return _dc_store_not_found (DC_KIND_POINT, error);

  {
    gint64 key = sqlite3_column_int64 (stmt, 0);
    g_autoptr(sqlite3_stmt) del = NULL;

    if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
      _dc_store_queue_change (self, DC_KIND_FORMULA, DC_CHANGE_DELETE,
                    (const char *) sqlite3_column_text (stmt, 1), NULL);
    g_array_append_val (self->removed_keys, key);

    del = _dc_store_prepare (self, "DELETE FROM points WHERE key = ?", error);
    if (del == NULL)
      return FALSE;
    sqlite3_bind_int64 (del, 1, key);
    if (sqlite3_step (del) != SQLITE_DONE)
      return _dc_store_set_sqlite_error (self, error);
  }

  _dc_store_queue_change (self, DC_KIND_POINT, DC_CHANGE_DELETE, pid, NULL);
  return TRUE;
}

gboolean
dc_store_delete_point (DcStore     *self,
                       const char  *term_id,
                       const char  *item_id,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) old = NULL;
  g_autofree char *pid = NULL;
  gboolean ok;

  g_return_val_if_fail (DC_IS_STORE (self), FALSE);
  g_return_val_if_fail (term_id != NULL && item_id != NULL, FALSE);

  pid = g_strconcat (term_id, ":", item_id, NULL);
  old = _dc_store_audit_before (self, DC_KIND_POINT, pid);
  if (!_dc_store_begin (self, error))
    return FALSE;
  ok = _dc_store_end (self, _dc_store_delete_point_in_tx (self, term_id, item_id,
                                                          &local_error), &local_error);
  _dc_store_audit_change (self, DC_KIND_POINT, DC_CHANGE_DELETE, pid, NULL, old, NULL,
                          local_error);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}
