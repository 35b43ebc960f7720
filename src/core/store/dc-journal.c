/* dc-journal.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-store"

#include "config.h"

#include <sqlite3.h>

#include "dc-store-private.h"
#include "dc-time.h"

/* The control journal (docs/rest.md: time, user, point, value, result): one row per control
 * command with its result ("confirmed" or the error text), in the store's controls table. */

gboolean
dc_store_record_control (DcStore     *self,
                         gint64       time_us,
                         const char  *user,
                         const char  *device_id,
                         const char  *term_id,
                         const char  *item_id,
                         double       value,
                         const char  *result,
                         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (DC_IS_STORE (self), FALSE);

  stmt = _dc_store_prepare (self, "INSERT INTO controls (time, user, device_id, term_id, item_id, value, result) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, time_us);
  _dc_store_bind_text (stmt, 2, user ? user : "");
  _dc_store_bind_text (stmt, 3, device_id);
  _dc_store_bind_text (stmt, 4, term_id);
  _dc_store_bind_text (stmt, 5, item_id);
  sqlite3_bind_double (stmt, 6, value);
  _dc_store_bind_text (stmt, 7, result ? result : "");
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return _dc_store_set_sqlite_error (self, error);
  return TRUE;
}

JsonArray *
dc_store_list_controls (DcStore *self,
                        guint    limit)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  JsonArray *array = json_array_new ();

  g_return_val_if_fail (DC_IS_STORE (self), array);

  stmt = _dc_store_prepare (self, "SELECT time, user, device_id, term_id, item_id, value, result "
                        "FROM controls ORDER BY id DESC LIMIT ?", NULL);
  if (stmt == NULL)
    return array;
  sqlite3_bind_int64 (stmt, 1, limit);

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *o = json_object_new ();
      g_autofree char *time = dc_time_format (sqlite3_column_int64 (stmt, 0));

      json_object_set_string_member (o, "time", time);
      json_object_set_string_member (o, "user", (const char *) sqlite3_column_text (stmt, 1));
      json_object_set_string_member (o, "device_id", (const char *) sqlite3_column_text (stmt, 2));
      json_object_set_string_member (o, "term_id", (const char *) sqlite3_column_text (stmt, 3));
      json_object_set_string_member (o, "item_id", (const char *) sqlite3_column_text (stmt, 4));
      json_object_set_double_member (o, "value", sqlite3_column_double (stmt, 5));
      json_object_set_string_member (o, "result", (const char *) sqlite3_column_text (stmt, 6));
      json_array_add_object_element (array, o);
    }

  return array;
}
