/* dc-store-stmt.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-store"

#include "config.h"

#include "dc-store-private.h"

/* Prepared statements of the configuration database are kept and reused: preparing one cost
 * more than running it (sqlite's parser was 39 % of the instructions of a point creation,
 * docs/performance.md). _dc_store_prepare() hands out an idle statement of the same SQL text or
 * prepares one; the g_autoptr cleanup of dc-store-private.h resets it, clears its bindings and
 * puts it back. A statement of a database without a cache (another module's) is finalized. */

#define MAX_IDLE_PER_SQL 4
#define MAX_SQL_TEXTS    512

static GMutex      lock;
static GHashTable *caches;  /* sqlite3 * → GHashTable (SQL text → GPtrArray of idle statements) */

static void
finalize_all (gpointer data)
{
  GPtrArray *idle = data;

  for (guint i = 0; i < idle->len; i++)
    sqlite3_finalize (g_ptr_array_index (idle, i));
  g_ptr_array_unref (idle);
}

void
_dc_store_stmt_cache_open (sqlite3 *db)
{
  g_mutex_lock (&lock);
  if (caches == NULL)
    caches = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_hash_table_unref);
  g_hash_table_replace (caches, db,
                        g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_all));
  g_mutex_unlock (&lock);
}

void
_dc_store_stmt_cache_close (sqlite3 *db)
{
  g_mutex_lock (&lock);
  if (caches != NULL)
    g_hash_table_remove (caches, db);
  g_mutex_unlock (&lock);
}

sqlite3_stmt *
_dc_store_stmt_get (sqlite3    *db,
                    const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  GHashTable *cache;
  GPtrArray *idle;

  g_mutex_lock (&lock);
  cache = caches != NULL ? g_hash_table_lookup (caches, db) : NULL;
  idle = cache != NULL ? g_hash_table_lookup (cache, sql) : NULL;
  if (idle != NULL && idle->len > 0)
    stmt = g_ptr_array_steal_index_fast (idle, idle->len - 1);
  g_mutex_unlock (&lock);
  if (stmt != NULL)
    return stmt;

  if (sqlite3_prepare_v3 (db, sql, -1, cache != NULL ? SQLITE_PREPARE_PERSISTENT : 0, &stmt,
                          NULL) != SQLITE_OK)
    {
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

void
_dc_store_stmt_release (sqlite3_stmt *stmt)
{
  GHashTable *cache;
  GPtrArray *idle;
  const char *sql;

  if (stmt == NULL)
    return;

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  sql = sqlite3_sql (stmt);

  g_mutex_lock (&lock);
  cache = caches != NULL ? g_hash_table_lookup (caches, sqlite3_db_handle (stmt)) : NULL;
  idle = cache != NULL && sql != NULL ? g_hash_table_lookup (cache, sql) : NULL;
  if (cache != NULL && sql != NULL && idle == NULL && g_hash_table_size (cache) < MAX_SQL_TEXTS)
    {
      idle = g_ptr_array_new ();
      g_hash_table_insert (cache, g_strdup (sql), idle);
    }
  if (idle != NULL && idle->len < MAX_IDLE_PER_SQL)
    {
      g_ptr_array_add (idle, stmt);
      stmt = NULL;
    }
  g_mutex_unlock (&lock);

  if (stmt != NULL)
    sqlite3_finalize (stmt);
}
