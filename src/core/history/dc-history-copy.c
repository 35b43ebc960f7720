/* dc-history-copy.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history"

#include "config.h"

#include "dc-history-copy.h"

#include <math.h>

#include "dc-error.h"
#include "dc-history-sqlite-private.h"

/* `datacoll history copy`: the samples of a sqlite history file into another history
 * (docs/historian-postgresql.md "Migration"). */

#define COPY_BATCH 10000

gboolean
dc_history_sqlite_owner (const char  *path,
                         char       **config_id,
                         char       **config_db_path,
                         GError     **error)
{
  sqlite3 *db = dc_history_open_db (path, FALSE, error);
  sqlite3_stmt *st = NULL;
  gboolean found = FALSE;

  if (db == NULL)
    return FALSE;
  if (sqlite3_prepare_v2 (db, "SELECT id, path FROM configuration LIMIT 1", -1, &st,
                          NULL) == SQLITE_OK && sqlite3_step (st) == SQLITE_ROW)
    {
      *config_id = g_strdup ((const char *) sqlite3_column_text (st, 0));
      *config_db_path = g_strdup ((const char *) sqlite3_column_text (st, 1));
      found = TRUE;
    }
  sqlite3_finalize (st);
  sqlite3_close (db);
  return found;
}

static void
ready_cb (DcHistory *history,
          gpointer   user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* Pushes @batch, iterating the main context until the writer takes it. */
static void
push_all (DcHistory *dest,
          GArray    *batch,
          gboolean  *ready)
{
  while (!dc_history_push (dest, (DcSample *) batch->data, batch->len, NULL))
    {
      *ready = FALSE;
      while (!*ready)
        g_main_context_iteration (NULL, TRUE);
    }
  g_array_set_size (batch, 0);
}

gint64
dc_history_copy_from_sqlite (const char            *path,
                             DcHistory             *dest,
                             DcHistoryCopyProgress  progress,
                             gpointer               user_data,
                             GError               **error)
{
  g_autoptr(GArray) batch = g_array_sized_new (FALSE, FALSE, sizeof (DcSample), COPY_BATCH);
  sqlite3 *db;
  sqlite3_stmt *st = NULL;
  guint64 total = 0, done = 0;
  gboolean ready = FALSE;
  gulong handler;
  int rc;

  g_return_val_if_fail (path != NULL, -1);
  g_return_val_if_fail (DC_IS_HISTORY (dest), -1);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, DC_ERROR, DC_ERROR_NOT_FOUND, "no history file %s", path);
      return -1;
    }
  db = dc_history_open_db (path, FALSE, error);
  if (db == NULL)
    return -1;

  sqlite3_prepare_v2 (db, "SELECT count(*) FROM samples WHERE key NOT IN"
                          " (SELECT key FROM purge_keys)", -1, &st, NULL);
  if (st != NULL && sqlite3_step (st) == SQLITE_ROW)
    total = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  st = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT key, time, value, quality FROM samples WHERE key NOT IN"
                              " (SELECT key FROM purge_keys) ORDER BY key, time", -1, &st,
                          NULL) != SQLITE_OK)
    {
      dc_history_set_sql_error (error, db, "copy");
      sqlite3_close (db);
      return -1;
    }

  handler = g_signal_connect (dest, "ready", G_CALLBACK (ready_cb), &ready);
  if (progress != NULL)
    progress (0, total, user_data);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      DcSample s;

      s.key = sqlite3_column_int64 (st, 0);
      s.time = sqlite3_column_int64 (st, 1);
      s.value = sqlite3_column_type (st, 2) == SQLITE_NULL ? NAN : sqlite3_column_double (st, 2);
      s.quality = (guint32) sqlite3_column_int64 (st, 3);
      g_array_append_val (batch, s);
      if (batch->len == COPY_BATCH)
        {
          done += batch->len;
          push_all (dest, batch, &ready);
          if (progress != NULL)
            progress (done, total, user_data);
        }
    }
  if (rc != SQLITE_DONE)
    dc_history_set_sql_error (error, db, "copy");
  sqlite3_finalize (st);
  sqlite3_close (db);

  if (rc == SQLITE_DONE && batch->len > 0)
    {
      done += batch->len;
      push_all (dest, batch, &ready);
    }
  dc_history_sync (dest);
  g_signal_handler_disconnect (dest, handler);
  if (rc != SQLITE_DONE)
    return -1;
  if (progress != NULL)
    progress (done, total, user_data);
  return (gint64) done;
}
