/* dc-companion.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-companion"

#include "config.h"

#include "dc-companion.h"

#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "dc-error.h"

/* Each companion holds one row in its table "configuration": the id of the configuration it
 * belongs to and that configuration's path when it last opened it (for messages only: a copy
 * of a configuration with its companions, a backup put back, is the same configuration). */

#define OWNER_TABLE \
  "CREATE TABLE IF NOT EXISTS configuration (id TEXT NOT NULL, path TEXT NOT NULL)"

static gboolean
set_sqlite_error (GError     **error,
                  sqlite3     *db,
                  const char  *path)
{
  g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "cannot open %s: %s", path,
               db != NULL ? sqlite3_errmsg (db) : "out of memory");
  return FALSE;
}

char *
dc_companion_config_id (const char  *config_db_path,
                        GError     **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *id = NULL;

  g_return_val_if_fail (config_db_path != NULL, NULL);

  if (sqlite3_open_v2 (config_db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, db, config_db_path);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_exec (db, "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS identity (id TEXT NOT NULL)",
                    NULL, NULL, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, "SELECT id FROM identity LIMIT 1", -1, &stmt, NULL) == SQLITE_OK)
    {
      if (sqlite3_step (stmt) == SQLITE_ROW)
        id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_finalize (stmt);
      stmt = NULL;
      if (id == NULL)
        {
          id = g_uuid_string_random ();
          if (sqlite3_prepare_v2 (db, "INSERT INTO identity (id) VALUES (?)", -1, &stmt,
                                  NULL) == SQLITE_OK)
            sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
          if (stmt == NULL || sqlite3_step (stmt) != SQLITE_DONE)
            g_clear_pointer (&id, g_free);
          sqlite3_finalize (stmt);
        }
    }
  if (id == NULL || sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, db, config_db_path);
      g_clear_pointer (&id, g_free);
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
    }
  sqlite3_close (db);
  return id;
}

char *
dc_companion_path (const char *config_db_path,
                   const char *kind)
{
  g_autofree char *dir = NULL;
  g_autofree char *stem = NULL;
  g_autofree char *name = NULL;
  char *dot;

  g_return_val_if_fail (config_db_path != NULL, NULL);
  g_return_val_if_fail (kind != NULL, NULL);

  dir = g_path_get_dirname (config_db_path);
  stem = g_path_get_basename (config_db_path);
  dot = strrchr (stem, '.');
  if (dot != NULL && dot != stem)
    *dot = '\0';
  name = g_strdup_printf ("%s-%s.db", stem, kind);
  return g_build_filename (dir, name, NULL);
}

static char *
legacy_path (const char *config_db_path,
             const char *kind)
{
  g_autofree char *dir = g_path_get_dirname (config_db_path);
  g_autofree char *name = g_strdup_printf ("datacoll-%s.db", kind);

  return g_build_filename (dir, name, NULL);
}

static const char *
what_of (const char *kind)
{
  if (g_str_equal (kind, "audit"))
    return "audit database";
  return g_str_equal (kind, "history") ? "history database" : "alarm database";
}

/* The owner recorded in @path: its id and path, or FALSE when there is none. */
static gboolean
read_owner (sqlite3  *db,
            char    **id,
            char    **path)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  if (sqlite3_prepare_v2 (db, "SELECT id, path FROM configuration LIMIT 1", -1, &stmt,
                          NULL) != SQLITE_OK)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      *id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      *path = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      found = TRUE;
    }
  sqlite3_finalize (stmt);
  return found;
}

gboolean
dc_companion_claim (const char  *path,
                    const char  *what,
                    const char  *config_db_path,
                    const char  *config_id,
                    GError     **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *owner_id = NULL;
  g_autofree char *owner_path = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (what != NULL, FALSE);
  g_return_val_if_fail (config_db_path != NULL, FALSE);
  g_return_val_if_fail (config_id != NULL, FALSE);

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, db, path);
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_exec (db, "BEGIN IMMEDIATE; " OWNER_TABLE, NULL, NULL, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, db, path);
      sqlite3_close (db);
      return FALSE;
    }

  if (read_owner (db, &owner_id, &owner_path))
    {
      if (!g_str_equal (owner_id, config_id))
        {
          g_set_error (error, DC_ERROR, DC_ERROR_FORBIDDEN,
                       "%s %s belongs to configuration %s, not to %s; give each configuration "
                       "its own file", what, path, owner_path, config_db_path);
          goto out;
        }
      if (g_str_equal (owner_path, config_db_path))
        {
          ok = TRUE;
          goto out;
        }
      sqlite3_prepare_v2 (db, "UPDATE configuration SET path = ?1", -1, &stmt, NULL);
    }
  else
    {
      sqlite3_prepare_v2 (db, "INSERT INTO configuration (id, path) VALUES (?2, ?1)", -1, &stmt,
                          NULL);
    }
  if (stmt == NULL)
    {
      set_sqlite_error (error, db, path);
      goto out;
    }
  sqlite3_bind_text (stmt, 1, config_db_path, -1, SQLITE_TRANSIENT);
  if (sqlite3_bind_parameter_count (stmt) > 1)
    sqlite3_bind_text (stmt, 2, config_id, -1, SQLITE_TRANSIENT);
  ok = sqlite3_step (stmt) == SQLITE_DONE;
  sqlite3_finalize (stmt);
  if (!ok)
    set_sqlite_error (error, db, path);

out:
  if (ok && sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    ok = set_sqlite_error (error, db, path);
  if (!ok)
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (db);
  return ok;
}

/* Whether the file of an earlier version at @path is free to take: nobody claimed it, or
 * this configuration did. */
static gboolean
legacy_is_free (const char *path,
                const char *config_id)
{
  sqlite3 *db = NULL;
  g_autofree char *owner_id = NULL;
  g_autofree char *owner_path = NULL;
  gboolean owned;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    {
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_busy_timeout (db, 5000);
  owned = read_owner (db, &owner_id, &owner_path);
  sqlite3_close (db);
  return !owned || g_str_equal (owner_id, config_id);
}

char *
dc_companion_resolve (const char  *config_db_path,
                      const char  *config_id,
                      const char  *kind,
                      GError     **error)
{
  g_autofree char *own = NULL;
  g_autofree char *legacy = NULL;
  g_autofree char *wal = NULL;
  g_autofree char *shm = NULL;

  g_return_val_if_fail (config_db_path != NULL, NULL);
  g_return_val_if_fail (config_id != NULL, NULL);
  g_return_val_if_fail (kind != NULL, NULL);

  own = dc_companion_path (config_db_path, kind);
  legacy = legacy_path (config_db_path, kind);
  if (g_file_test (own, G_FILE_TEST_EXISTS) || g_str_equal (own, legacy) ||
      !g_file_test (legacy, G_FILE_TEST_EXISTS) || !legacy_is_free (legacy, config_id))
    return g_steal_pointer (&own);

  /* Claimed first, so that no other configuration takes it meanwhile. */
  if (!dc_companion_claim (legacy, what_of (kind), config_db_path, config_id, error))
    return NULL;

  /* Closing the last connection removes the -wal and -shm files: if they are still there,
   * another process (an earlier version) has the file open and it keeps its name. */
  wal = g_strconcat (legacy, "-wal", NULL);
  shm = g_strconcat (legacy, "-shm", NULL);
  if (g_file_test (wal, G_FILE_TEST_EXISTS) || g_file_test (shm, G_FILE_TEST_EXISTS) ||
      g_rename (legacy, own) != 0)
    {
      g_message ("%s %s (shared by earlier versions) now belongs to %s; it keeps its name "
                 "while another process uses it", what_of (kind), legacy, config_db_path);
      return g_steal_pointer (&legacy);
    }
  g_message ("%s %s (shared by earlier versions) now belongs to %s as %s", what_of (kind),
             legacy, config_db_path, own);
  return g_steal_pointer (&own);
}

char *
dc_companion_open (const char  *config_db_path,
                   const char  *kind,
                   const char  *path,
                   GError     **error)
{
  g_autofree char *id = NULL;
  g_autofree char *own = NULL;
  g_autofree char *chosen = NULL;

  g_return_val_if_fail (config_db_path != NULL, NULL);
  g_return_val_if_fail (kind != NULL, NULL);

  id = dc_companion_config_id (config_db_path, error);
  if (id == NULL)
    return NULL;
  own = dc_companion_path (config_db_path, kind);
  if (path != NULL && !g_str_equal (path, own))
    chosen = g_strdup (path);
  else
    chosen = dc_companion_resolve (config_db_path, id, kind, error);
  if (chosen == NULL ||
      !dc_companion_claim (chosen, what_of (kind), config_db_path, id, error))
    return NULL;
  return g_steal_pointer (&chosen);
}
